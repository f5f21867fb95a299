/*
 * proto.h: the CARP wire codec.  Pure functions over byte buffers: no
 * sockets, no logging, no clocks.  The facts they encode are in
 * doc/protocol.md (Frame, HMAC, Counter, Receive checks).
 */
#ifndef CARPD_PROTO_H
#define CARPD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define CARP_PROTO		112
#define CARP_VERSION		2
#define CARP_TYPE_ADVERT	1
#define CARP_AUTHLEN		7	/* counter + md, in 32-bit words */
#define CARP_HDR_LEN		36
#define CARP_DIGEST_LEN		20
#define CARP_KEY_MAX		19	/* longer passphrases are refused */
#define CARP_TTL		255
#define CARP_BOWOUT		255	/* advbase and advskew of the bow-out advert */
#define CARP_DEFAULT_GROUP	"224.0.0.18"
#define CARP_DEFAULT_GROUP6	"ff02::12"

#define ETH_HDR_LEN		14
#define IP4_HDR_LEN		20
#define IP6_HDR_LEN		40
#define CARP_FRAME_LEN		(ETH_HDR_LEN + IP4_HDR_LEN + CARP_HDR_LEN)
#define CARP6_FRAME_LEN		(ETH_HDR_LEN + IP6_HDR_LEN + CARP_HDR_LEN)
#define CARP_FRAME_MAX		CARP6_FRAME_LEN

struct carp_advert {
	uint8_t		version;
	uint8_t		type;
	uint8_t		vhid;
	uint8_t		advskew;
	uint8_t		authlen;
	uint8_t		demote;
	uint8_t		advbase;
	uint64_t	counter;
	uint8_t		md[CARP_DIGEST_LEN];
};

/* A received frame after the checks that need no vhid. */
struct carp_rx {
	int			af;	/* AF_INET or AF_INET6 */
	struct in_addr		src;	/* AF_INET */
	struct in_addr		dst;
	struct in6_addr		src6;	/* AF_INET6 */
	struct in6_addr		dst6;
	uint8_t			src_mac[6];
	uint8_t			dst_mac[6];
	uint8_t			ttl;	/* checked per vhid: see --peer-routed */
	struct carp_advert	adv;
};

/*
 * Why a received frame was dropped.  Each has its own counter; the
 * names are stable (status output, logs, tests).
 */
enum carp_drop {
	CARP_RX_OK = 0,
	CARP_DROP_SHORT,	/* frame shorter than Ethernet + IPv4 header */
	CARP_DROP_ETHERTYPE,	/* not IPv4 */
	CARP_DROP_IP_HEADER,	/* bad IP version, IHL or total length */
	CARP_DROP_IP_CKSUM,
	CARP_DROP_FRAGMENT,
	CARP_DROP_PROTO,	/* not protocol 112 */
	CARP_DROP_TTL,		/* TTL other than 255 */
	CARP_DROP_LENGTH,	/* CARP payload of the wrong size (VRRP, junk) */
	CARP_DROP_CARP_CKSUM,
	CARP_DROP_VERSION,
	CARP_DROP_TYPE,
	CARP_DROP_AUTHLEN,
	CARP_DROP_VHID,		/* no such vhid here */
	CARP_DROP_DST,		/* not sent to our group */
	CARP_DROP_HMAC,		/* wrong digest: other password or forged */
	CARP_DROP_LOOP,		/* our own advert came back */
	CARP_DROP_REPLAY,	/* counter went backwards for a known peer */
	CARP_DROP_NOT_PEER,	/* unicast vhid: the sender is no peer */
	CARP_DROP_MULTICAST,	/* unicast vhid: a multicast advert */
	CARP_DROP_EXTHDR,	/* IPv6 with extension headers */
	CARP_DROP_MAX
};

const char	*carp_drop_name(enum carp_drop);

uint16_t	 inet_cksum(const void *, size_t);

/*
 * Parse and check an Ethernet frame (IPv4 or IPv6) up to the CARP header
 * fields.  The TTL or hop limit is left to the caller (rx->ttl): whether
 * a peer may be routed is a setting of the vhid.
 */
enum carp_drop	 carp_rx_decode(const uint8_t *frame, size_t len, struct carp_rx *);

/* A VRRP advert (same protocol and group as CARP, other length)? */
int		 carp_looks_vrrp(const uint8_t *frame, size_t len);

/* Serialize an advert (36 bytes) and fill in its checksum. */
void		 carp_advert_encode(const struct carp_advert *, uint8_t out[CARP_HDR_LEN]);

/*
 * HMAC-SHA1 over version, type, vhid, the sorted virtual addresses and
 * the counter.  `vips` must already be sorted ascending (network order).
 */
void		 carp_hmac(const uint8_t *key, size_t keylen, uint8_t vhid,
		    const struct in_addr *vips, size_t nvips, uint64_t counter,
		    uint8_t md[CARP_DIGEST_LEN]);
/* Constant-time check of a received digest; returns 1 when it matches. */
int		 carp_hmac_verify(const uint8_t *key, size_t keylen,
		    const struct in_addr *vips, size_t nvips,
		    const struct carp_advert *);

/*
 * The same for a vhid with addresses of both families: the IPv4 ones,
 * then the IPv6 ones, each list sorted (carp_sort_vips, carp_sort_vips6).
 */
struct carp_vipset {
	const struct in_addr	*v4;
	size_t			 n4;
	const struct in6_addr	*v6;
	size_t			 n6;
};
void		 carp_hmac_set(const uint8_t *key, size_t keylen, uint8_t vhid,
		    const struct carp_vipset *, uint64_t counter,
		    uint8_t md[CARP_DIGEST_LEN]);
int		 carp_hmac_verify_set(const uint8_t *key, size_t keylen,
		    const struct carp_vipset *, const struct carp_advert *);

/* Sort addresses ascending in network byte order, dropping duplicates. */
size_t		 carp_sort_vips(struct in_addr *, size_t);
/*
 * IPv6 addresses in HMAC form: link-local ones with bytes 2-3 zeroed,
 * then sorted as byte strings, duplicates once.
 */
size_t		 carp_sort_vips6(struct in6_addr *, size_t);

/* Build a complete advert frame (Ethernet + IPv4 + CARP); returns its length. */
struct carp_frame_params {
	uint8_t		src_mac[6];
	uint8_t		dst_mac[6];
	struct in_addr	src;
	struct in_addr	dst;
	uint16_t	ip_id;
	uint8_t		tos;
};
size_t		 carp_frame_build(const struct carp_frame_params *,
		    const struct carp_advert *, uint8_t out[CARP_FRAME_LEN]);

/* Ethernet + IPv6 (hop limit 255, next header 112) + CARP: 90 bytes. */
struct carp_frame6_params {
	uint8_t		src_mac[6];
	uint8_t		dst_mac[6];	/* 33:33 and the group's low 32 bits */
	struct in6_addr	src;
	struct in6_addr	dst;
	uint8_t		tclass;
};
size_t		 carp_frame6_build(const struct carp_frame6_params *,
		    const struct carp_advert *, uint8_t out[CARP6_FRAME_LEN]);
/* The Ethernet multicast address of an IPv6 group (RFC 2464). */
void		 carp_mcast6_mac(const struct in6_addr *, uint8_t mac[6]);

/*
 * Replay protection that real peers survive.  A peer that counts (its
 * counter goes up by small steps, CARP_ENFORCE_AFTER times in a row:
 * carpd, FreeBSD) is held to it: a counter inside a range it has already
 * used, in this run or in one of its last CARP_OLD_RUNS runs, is a
 * replay.  A counting peer that restarts draws a new random 64-bit
 * counter, which lands in a used range with negligible odds, so a
 * counter outside every used range starts a new run at once.  Peers
 * that do not count cannot be held to anything: OpenBSD sends a
 * constant counter, and Debian's ucarp 1.5.2 a random one per advert.
 * Adverts a peer sent while we were not listening are unknown to us.
 */
#define CARP_MAX_PEERS		8
#define CARP_OLD_RUNS		4
#define CARP_ENFORCE_AFTER	2		/* small steps in a row */
#define CARP_MAX_STEP		(1u << 20)	/* adverts lost, at most */

struct carp_range {
	uint64_t	lo;
	uint64_t	hi;
};

/* A peer's source: IPv4 as a v4-mapped IPv6 address. */
struct carp_peer {
	struct in6_addr		src;
	struct carp_range	cur;		/* counters of the current run */
	struct carp_range	old[CARP_OLD_RUNS];
	unsigned		nold;
	unsigned		steps;		/* small steps in a row */
	unsigned		counting;	/* held to its counter */
	long long		seen;		/* any time unit: for eviction */
};

/* CARP_RX_OK or CARP_DROP_REPLAY; updates the table. */
enum carp_drop	 carp_peer_check(struct carp_peer *, size_t n,
		    struct in_addr src, uint64_t counter, long long now,
		    int *rebased);
enum carp_drop	 carp_peer_check6(struct carp_peer *, size_t n,
		    const struct in6_addr *src, uint64_t counter,
		    long long now, int *rebased);

/* Gratuitous ARP request for `vip` from `mac`: 42 bytes. */
#define GARP_FRAME_LEN	42
size_t		 garp_frame_build(const uint8_t mac[6], struct in_addr vip,
		    uint8_t out[GARP_FRAME_LEN]);

/*
 * ARP balancing (doc/protocol.md, "ARP balancing").  The hash of a
 * requester's IPv4 address: 32-bit FNV-1a over its four bytes in
 * network order.  The node that answers it is hash % nodes, an index
 * into the nodes sorted by vhid.
 */
uint32_t	 carp_balance_hash(struct in_addr requester);
size_t		 carp_balance_node(struct in_addr requester, size_t nnodes);

/* An Ethernet ARP request for an IPv4 address, as it came in. */
struct carp_arp_req {
	uint8_t		eth_src[6];
	uint8_t		sha[6];		/* sender hardware address */
	struct in_addr	spa;		/* sender (requester) address */
	struct in_addr	tpa;		/* the address asked for */
};
#define ARP_FRAME_LEN	42
/* 0, or -1 for anything else (a reply, another hardware or protocol). */
int		 carp_arp_req_parse(const uint8_t *frame, size_t len,
		    struct carp_arp_req *out);
/* The reply "tpa is at mac" to `req`, unicast to its sender: 42 bytes. */
size_t		 carp_arp_reply_build(const uint8_t mac[6],
		    const struct carp_arp_req *req, uint8_t out[ARP_FRAME_LEN]);

/* IPv6: FNV-1a over the 16 bytes of the solicitation's source. */
uint32_t	 carp_balance_hash6(const struct in6_addr *requester);
size_t		 carp_balance_node6(const struct in6_addr *requester,
		    size_t nnodes);

/* A neighbour solicitation as it came in (no extension headers). */
struct carp_ns_req {
	uint8_t		 eth_src[6];
	uint8_t		 lladdr[6];	/* its source link-layer option, */
	bool		 has_lladdr;	/* if it had one */
	struct in6_addr	 src;		/* :: for duplicate address detection */
	struct in6_addr	 target;
};
/* The solicited advertisement, target link-layer option: 86 bytes. */
#define NA_REPLY_LEN	(ETH_HDR_LEN + IP6_HDR_LEN + 32)
/*
 * 0, or -1 for anything but a valid solicitation (hop limit 255, code 0,
 * no multicast target, the checksum right, a source lladdr only with a
 * source address).
 */
int		 carp_ns_parse(const uint8_t *frame, size_t len,
		    struct carp_ns_req *out);
/*
 * "target is at mac": to the solicitation's source with Solicited and
 * Override (Router when `router`); to ff02::1 without Solicited for
 * duplicate address detection.
 */
size_t		 carp_na_reply_build(const uint8_t mac[6],
		    const struct carp_ns_req *req, int router,
		    uint8_t out[NA_REPLY_LEN]);

/*
 * Unsolicited neighbour advertisement for `target` from `mac`, to
 * ff02::1: Override set, Router when `router`, target link-layer
 * address option; the IPv6 source is the target itself.  86 bytes.
 */
#define NA_FRAME_LEN	(ETH_HDR_LEN + IP6_HDR_LEN + 32)
size_t		 na_frame_build(const uint8_t mac[6],
		    const struct in6_addr *target, int router,
		    uint8_t out[NA_FRAME_LEN]);

#endif
