/*
 * net.h: per-interface I/O.  Capture with libpcap (immediate mode, a
 * BPF filter from capfilter.c for the vhids on the interface, driven by
 * a libevent read event); injection with
 * libnet at the link layer; multicast group membership.
 */
#ifndef CARPD_NET_H
#define CARPD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct carpd;
struct iface;

/*
 * The interface named `name`, opened on first use.  One that is missing,
 * down or cannot be opened comes back all the same, not present, with
 * ifp->absent and ifp->err saying why.  NULL (and `err`) for a bad name.
 */
struct iface	*net_iface_get(struct carpd *, const char *name,
		    char *err, size_t errlen);
void		 net_iface_free(struct iface *);
/* Removed or renamed: close it until one of that name is back. */
void		 net_iface_gone(struct iface *);
/* Open it again; -1 with ifp->absent and ifp->err set. */
int		 net_iface_reopen(struct iface *);
int		 net_link_is_up(const char *name);
int		 net_join(struct iface *, struct in_addr group);
void		 net_leave(struct iface *, struct in_addr group);
int		 net_join6(struct iface *, const struct in6_addr *group);
void		 net_leave6(struct iface *, const struct in6_addr *group);
int		 net_send(struct iface *, const uint8_t *frame, size_t len);
/*
 * Capture the ARP requests for these IPv4 addresses and the neighbour
 * solicitations for these IPv6 ones (at most CARPD_MAX_BALANCED in all)
 * on a handle of their own, given to ifp->arp_cb; none: close it.  Kept
 * across a reopen of the interface.  -1 with ifp->err when the handle
 * cannot be opened (the adverts go on).
 */
int		 net_arp_watch(struct iface *, const struct in_addr *, size_t n,
		    const struct in6_addr *, size_t n6);
/* A vhid came or went: new capture filters, from the event loop. */
void		 net_iface_vhids_changed(struct iface *);
/* CARP frames the kernel's filter kept from us, since the start. */
uint64_t	 net_iface_kernel_filtered(struct iface *);
/* Stop reading packets (shutdown). */
void		 net_iface_stop(struct iface *);
/* First IPv4 address of the interface that no vhid on it uses as virtual. */
int		 net_first_ipv4(const struct iface *, struct in_addr *out);
/*
 * The host's own IPv6 address on the interface for IPv6 adverts: its
 * link-local one, else the first that no vhid uses as virtual; with
 * `global`, the first such that is not link-local (for IPv6 peers).
 */
int		 net_first_ipv6(const struct iface *, bool global,
		    struct in6_addr *out);
/*
 * Read them into ifp->addr, addr6 and addr6g (0 and :: for none), once
 * for all the vhids on it.
 */
void		 net_iface_read_addr(struct iface *);
/* Does the host forward IPv6 (the Router flag of our NAs)?  -1: unknown. */
int		 net_ipv6_forwarding(void);
/* First interface that is up and not a loopback (ucarp's default). */
int		 net_default_iface(char *name, size_t len);

#endif
