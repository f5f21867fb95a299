/*
 * vmac.h: the virtual MAC of a vhid (00:00:5e:00:01:<vhid>) and the
 * macvlan device that owns it for the kernel.  The Linux IP stack takes
 * only unicast frames addressed to a device's own MAC, so while a vhid
 * with `mac virtual` is master a macvlan child of its interface carries
 * that MAC and the vhid's addresses (the scripts put them there); it is
 * down otherwise, and removed at exit.  The device functions need
 * CAP_NET_ADMIN: with privilege separation only the root parent calls
 * them, on a request it checks against its own configuration.  See
 * doc/protocol.md, "Virtual MAC", for the kernel settings and why.
 */
#ifndef CARPD_VMAC_H
#define CARPD_VMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMAC_PREFIX	"carp"

/* 00:00:5e:00:01:<vhid> into mac[6]. */
void	vmac_addr(uint8_t vhid, uint8_t mac[6]);
/*
 * The device's name, "carp<ifindex>.<vhid>", into `buf` (IF_NAMESIZE):
 * 0, or -1 when `ifname` does not exist.
 */
int	vmac_devname(const char *ifname, uint8_t vhid, char *buf, size_t len);
/*
 * Create it down if missing, set its sysctls; 0 or -1 with `err`.  The
 * device of a node of a balanced address (`balanced`) answers no ARP at
 * all: carpd answers for it (balance.h).
 */
int	vmac_prepare(const char *ifname, uint8_t vhid, bool balanced,
	    char *err, size_t len);
/* Up (creating it if needed) or down; 0 or -1 with `err`. */
int	vmac_set(const char *ifname, uint8_t vhid, bool balanced, int up,
	    char *err, size_t len);
/*
 * Remove it if it is there (exit; a crash's leftover at start).  Every
 * function here first checks that a device of that name is carpd's (a
 * macvlan on `ifname` with the vhid's virtual MAC): another is left
 * alone, -1 with `err`.
 */
int	vmac_remove(const char *ifname, uint8_t vhid, char *err, size_t len);

struct config;
/* Every vhid with `mac virtual`: a crash's leftover removed, made down. */
void	vmac_config_start(const struct config *);
/* Every vhid with `mac virtual`: removed. */
void	vmac_config_stop(const struct config *);

#endif
