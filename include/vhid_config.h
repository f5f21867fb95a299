/*
 * vhid_config.h: the settings of one vhid, as the command line
 * (options.c), carpd.conf (conf.c) and a reload sent by the privileged
 * parent produce them, and the helpers every one of them needs.  Pure:
 * no I/O, nothing but memory.
 */
#ifndef CARPD_VHID_CONFIG_H
#define CARPD_VHID_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>

#include "fsm.h"
#include "proto.h"

#define CARPD_MAX_VIPS		32
#define CARPD_MAX_GROUPS	8	/* demote-group, besides the defaults */
#define CARPD_GROUP_LEN		16	/* with the NUL (demote.h) */
#define CARPD_MAX_PEERS		16
#define CARPD_MAX_NODES		32	/* carpnodes of one balanced address */
#define CARPD_MAX_BALANCED	64	/* balanced addresses per interface */

/*
 * A unicast peer (--peer): family and address.  IPv4 peers get the
 * vhid's IPv4 adverts, IPv6 peers its IPv6 ones.
 */
struct vhid_peer {
	sa_family_t		family;
	union {
		struct in_addr	in4;
		struct in6_addr	in6;
	} addr;
};

/* One node of a balanced address (carpnodes VHID:ADVSKEW). */
struct vhid_node {
	uint8_t			vhid;
	uint8_t			advskew;	/* this host's, for that node */
};

struct vhid_config {
	char			ifname[IF_NAMESIZE];
	uint8_t			vhid;
	struct in_addr		src;		/* 0: first address of ifname */
	struct in_addr		group;
	bool			broadcast;	/* --nomcast */
	struct in_addr		vips[CARPD_MAX_VIPS];	/* as given */
	uint8_t			prefix[CARPD_MAX_VIPS];	/* 0: not given */
	size_t			nvips;
	struct in6_addr		src6;		/* ::: the interface's own */
	struct in6_addr		group6;		/* ff02::12 */
	struct in6_addr		vips6[CARPD_MAX_VIPS];	/* as given */
	uint8_t			prefix6[CARPD_MAX_VIPS]; /* 0: not given */
	size_t			nvips6;
	uint8_t			advbase;
	uint8_t			advskew;
	uint8_t			deadratio;
	enum fsm_downfmt	downfmt;
	bool			preempt;
	bool			neutral;
	bool			shutdown_script;
	bool			ignoreifstate;
	uint8_t			key[CARP_KEY_MAX];
	size_t			keylen;
	char			*passfile;	/* where the key came from */
	char			*upscript;
	char			*downscript;
	char			*xparam;
	unsigned		garp_repeat;	/* gratuitous ARPs per burst */
	unsigned		garp_interval_ms; /* between those */
	long			garp_delay_ms;	/* second burst; -1: 2 adverts */
	unsigned		garp_refresh_s;	/* periodic burst; 0: off */
	bool			vmac;		/* mac virtual: vmac.h */
	/* Besides its interface's group and "carp" (demote.h). */
	char			groups[CARPD_MAX_GROUPS][CARPD_GROUP_LEN];
	size_t			ngroups;
	enum fsm_skew		demote_skew;	/* demote-advskew */
	unsigned		preempt_delay_s; /* no preempt after start */
	char			syncgroup[CARPD_GROUP_LEN]; /* "": none */
	struct vhid_peer	peers[CARPD_MAX_PEERS];	/* none: multicast */
	size_t			npeers;
	bool			peer_routed;	/* any TTL from a peer */
	/*
	 * ARP balancing (doc/protocol.md, "ARP balancing"): every node of
	 * the balanced address, sorted by vhid, this vhid among them; none
	 * for a plain vhid.
	 */
	struct vhid_node	nodes[CARPD_MAX_NODES];
	size_t			nnodes;
};

/* The defaults of ucarp 1.5.2: advbase 1, deadratio 3, group 224.0.0.18. */
void	vhid_config_defaults(struct vhid_config *);
/* A deep copy: `dst` owns its own strings. */
void	vhid_config_copy(struct vhid_config *dst, const struct vhid_config *src);
/* 1 when the two would run a vhid the same way (passfile aside). */
int	vhid_config_equal(const struct vhid_config *, const struct vhid_config *);
/* Free the strings and wipe the key. */
void	vhid_config_clear(struct vhid_config *);
/* Settings of a family the vhid has no address of: -1 and `msg`. */
int	vhid_config_family_msg(const struct vhid_config *, int cli,
	    char *msg, size_t len);
/* The checks a complete vhid must pass; `msg` says what is missing. */
int	vhid_config_complete(const struct vhid_config *, char *msg,
	    size_t len);
/* The peer's address as text (`buf` of INET6_ADDRSTRLEN). */
const char *vhid_peer_ntop(const struct vhid_peer *, char *buf, size_t len);
/* Does it join its multicast group (no --nomcast, no peers)? */
bool	vhid_config_joins(const struct vhid_config *);
/* The group a notify line names: the first --demote-group, else "carp". */
const char *vhid_config_notify_group(const struct vhid_config *);
/*
 * Node `i` of a balance block's settings `bal`: the vhid and advskew of
 * that node, the virtual MAC; `out` owns its own strings.
 */
void	vhid_config_node(struct vhid_config *out, const struct vhid_config *bal,
	    size_t i);
/* Is `a` one of the vhid's IPv4 peers? */
bool	vhid_config_has_peer4(const struct vhid_config *, struct in_addr a);
/* Is `a` one of the vhid's IPv6 peers? */
bool	vhid_config_has_peer6(const struct vhid_config *,
	    const struct in6_addr *a);
/* How many peers of `family` it has. */
size_t	vhid_config_npeers(const struct vhid_config *, int family);
/* Do its IPv6 peers (all of one scope) use link-local addresses? */
bool	vhid_config_peers_ll(const struct vhid_config *);

#endif
