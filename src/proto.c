/*
 * proto.c: CARP wire codec.  Encoding, decoding, checksums and the
 * HMAC of doc/protocol.md (Frame, HMAC), as pure functions over byte
 * buffers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "proto.h"

static const char *const drop_names[CARP_DROP_MAX] = {
	[CARP_RX_OK] = "ok",
	[CARP_DROP_SHORT] = "short",
	[CARP_DROP_ETHERTYPE] = "ethertype",
	[CARP_DROP_IP_HEADER] = "ip-header",
	[CARP_DROP_IP_CKSUM] = "ip-checksum",
	[CARP_DROP_FRAGMENT] = "fragment",
	[CARP_DROP_PROTO] = "protocol",
	[CARP_DROP_TTL] = "ttl",
	[CARP_DROP_LENGTH] = "length",
	[CARP_DROP_CARP_CKSUM] = "carp-checksum",
	[CARP_DROP_VERSION] = "version",
	[CARP_DROP_TYPE] = "type",
	[CARP_DROP_AUTHLEN] = "authlen",
	[CARP_DROP_VHID] = "unknown-vhid",
	[CARP_DROP_DST] = "destination",
	[CARP_DROP_HMAC] = "hmac",
	[CARP_DROP_LOOP] = "loop",
	[CARP_DROP_REPLAY] = "replay",
	[CARP_DROP_NOT_PEER] = "not-a-peer",
	[CARP_DROP_MULTICAST] = "multicast",
	[CARP_DROP_EXTHDR] = "ipv6-extension-header",
};

const char *
carp_drop_name(enum carp_drop d)
{
	if ((unsigned)d >= CARP_DROP_MAX)
		return "invalid";
	return drop_names[d];
}

uint16_t
inet_cksum(const void *data, size_t len)
{
	const uint8_t	*p = data;
	uint32_t	 sum = 0;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

void
carp_advert_encode(const struct carp_advert *a, uint8_t out[CARP_HDR_LEN])
{
	out[0] = (uint8_t)(a->version << 4 | (a->type & 0x0f));
	out[1] = a->vhid;
	out[2] = a->advskew;
	out[3] = a->authlen;
	out[4] = a->demote;
	out[5] = a->advbase;
	put16(out + 6, 0);
	put64(out + 8, a->counter);
	memcpy(out + 16, a->md, CARP_DIGEST_LEN);
	put16(out + 6, inet_cksum(out, CARP_HDR_LEN));
}

/*
 * The checks that need no knowledge of our vhids, cheapest first, in
 * the order of doc/protocol.md, "Receive checks".  VRRPv2 uses the same
 * protocol number and group but is 20 + 4n bytes long, so the
 * exact-length check catches it.
 */
static enum carp_drop	decode_carp(const uint8_t *, const uint8_t *,
			    struct carp_rx *);
static enum carp_drop	decode_ip6(const uint8_t *, size_t, struct carp_rx *);

enum carp_drop
carp_rx_decode(const uint8_t *f, size_t len, struct carp_rx *rx)
{
	const uint8_t	*ip;
	size_t		 ihl, tot;

	if (len >= ETH_HDR_LEN && get16(f + 12) == 0x86dd)
		return decode_ip6(f, len, rx);
	if (len < ETH_HDR_LEN + IP4_HDR_LEN)
		return CARP_DROP_SHORT;
	if (get16(f + 12) != 0x0800)
		return CARP_DROP_ETHERTYPE;
	rx->af = AF_INET;
	ip = f + ETH_HDR_LEN;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	tot = get16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < IP4_HDR_LEN ||
	    ETH_HDR_LEN + ihl > len || tot < ihl || ETH_HDR_LEN + tot > len)
		return CARP_DROP_IP_HEADER;
	memcpy(&rx->src, ip + 12, 4);	/* for the logs of later drops */
	memcpy(&rx->dst, ip + 16, 4);
	if (inet_cksum(ip, ihl) != 0)
		return CARP_DROP_IP_CKSUM;
	if ((get16(ip + 6) & 0x3fff) != 0)	/* MF set or offset non-zero */
		return CARP_DROP_FRAGMENT;
	if (ip[9] != CARP_PROTO)
		return CARP_DROP_PROTO;
	rx->ttl = ip[8];
	if (tot - ihl != CARP_HDR_LEN)
		return CARP_DROP_LENGTH;
	return decode_carp(f, ip + ihl, rx);
}

/* Next headers that are IPv6 extension headers (RFC 8200, RFC 5533). */
static int
is_exthdr(uint8_t nh)
{
	switch (nh) {
	case 0: case 43: case 44: case 50: case 51: case 60: case 135:
	case 139: case 140: case 253: case 254:
		return 1;
	}
	return 0;
}

/*
 * IPv6 (doc/protocol.md, IPv6): no extension header at all, a payload
 * of exactly the CARP header; the hop limit is the caller's (rx->ttl).  There is no IP checksum;
 * the CARP checksum covers the CARP header alone, no pseudo-header.
 */
static enum carp_drop
decode_ip6(const uint8_t *f, size_t len, struct carp_rx *rx)
{
	const uint8_t *ip = f + ETH_HDR_LEN;

	if (len < ETH_HDR_LEN + IP6_HDR_LEN)
		return CARP_DROP_SHORT;
	rx->af = AF_INET6;
	if ((ip[0] >> 4) != 6 ||
	    ETH_HDR_LEN + IP6_HDR_LEN + (size_t)get16(ip + 4) > len)
		return CARP_DROP_IP_HEADER;
	memcpy(&rx->src6, ip + 8, 16);	/* for the logs of later drops */
	memcpy(&rx->dst6, ip + 24, 16);
	if (ip[6] == 44)
		return CARP_DROP_FRAGMENT;
	if (is_exthdr(ip[6]))
		return CARP_DROP_EXTHDR;
	if (ip[6] != CARP_PROTO)
		return CARP_DROP_PROTO;
	rx->ttl = ip[7];		/* the hop limit */
	if (get16(ip + 4) != CARP_HDR_LEN)
		return CARP_DROP_LENGTH;
	return decode_carp(f, ip + IP6_HDR_LEN, rx);
}

/* The CARP header at `c`, of either family. */
static enum carp_drop
decode_carp(const uint8_t *f, const uint8_t *c, struct carp_rx *rx)
{
	if (inet_cksum(c, CARP_HDR_LEN) != 0)
		return CARP_DROP_CARP_CKSUM;
	if ((c[0] >> 4) != CARP_VERSION)
		return CARP_DROP_VERSION;
	if ((c[0] & 0x0f) != CARP_TYPE_ADVERT)
		return CARP_DROP_TYPE;
	if (c[3] != CARP_AUTHLEN)
		return CARP_DROP_AUTHLEN;

	memcpy(rx->dst_mac, f, 6);
	memcpy(rx->src_mac, f + 6, 6);
	rx->adv.version = c[0] >> 4;
	rx->adv.type = c[0] & 0x0f;
	rx->adv.vhid = c[1];
	rx->adv.advskew = c[2];
	rx->adv.authlen = c[3];
	rx->adv.demote = c[4];
	rx->adv.advbase = c[5];
	rx->adv.counter = get64(c + 8);
	memcpy(rx->adv.md, c + 16, CARP_DIGEST_LEN);
	return CARP_RX_OK;
}

/* doc/protocol.md, HMAC: rules 1 to 5, IPv4 then IPv6 addresses. */
void
carp_hmac_set(const uint8_t *key, size_t keylen, uint8_t vhid,
    const struct carp_vipset *vs, uint64_t counter,
    uint8_t md[CARP_DIGEST_LEN])
{
	struct hmac_sha1_ctx	 ctx;
	uint8_t			 hdr[3] = { CARP_VERSION, CARP_TYPE_ADVERT, vhid };
	uint8_t			 cnt[8];

	hmac_sha1_set_key(&ctx, keylen, key);
	hmac_sha1_update(&ctx, sizeof(hdr), hdr);
	for (size_t i = 0; i < vs->n4; i++)
		hmac_sha1_update(&ctx, 4, (const uint8_t *)&vs->v4[i].s_addr);
	for (size_t i = 0; i < vs->n6; i++)
		hmac_sha1_update(&ctx, 16, vs->v6[i].s6_addr);
	put64(cnt, counter);
	hmac_sha1_update(&ctx, sizeof(cnt), cnt);
	hmac_sha1_digest(&ctx, CARP_DIGEST_LEN, md);
}

int
carp_hmac_verify_set(const uint8_t *key, size_t keylen,
    const struct carp_vipset *vs, const struct carp_advert *a)
{
	uint8_t md[CARP_DIGEST_LEN];

	carp_hmac_set(key, keylen, a->vhid, vs, a->counter, md);
	return memeql_sec(md, a->md, CARP_DIGEST_LEN) != 0;
}

void
carp_hmac(const uint8_t *key, size_t keylen, uint8_t vhid,
    const struct in_addr *vips, size_t nvips, uint64_t counter,
    uint8_t md[CARP_DIGEST_LEN])
{
	struct carp_vipset vs = { vips, nvips, NULL, 0 };

	carp_hmac_set(key, keylen, vhid, &vs, counter, md);
}

int
carp_hmac_verify(const uint8_t *key, size_t keylen,
    const struct in_addr *vips, size_t nvips, const struct carp_advert *a)
{
	struct carp_vipset vs = { vips, nvips, NULL, 0 };

	return carp_hmac_verify_set(key, keylen, &vs, a);
}

static int
addr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct in_addr));
}

size_t
carp_sort_vips(struct in_addr *v, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), addr_cmp);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || v[out - 1].s_addr != v[i].s_addr)
			v[out++] = v[i];
	return out;
}

static int
addr6_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct in6_addr));
}

/*
 * The BSD kernels hash a link-local address with its scope (the
 * interface index) embedded in bytes 2-3, then zeroed: so, zeroed.
 */
size_t
carp_sort_vips6(struct in6_addr *v, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].s6_addr[0] == 0xfe && (v[i].s6_addr[1] & 0xc0) == 0x80)
			v[i].s6_addr[2] = v[i].s6_addr[3] = 0;
	qsort(v, n, sizeof(*v), addr6_cmp);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || memcmp(&v[out - 1], &v[i], sizeof(*v)) != 0)
			v[out++] = v[i];
	return out;
}

size_t
carp_frame_build(const struct carp_frame_params *p,
    const struct carp_advert *a, uint8_t out[CARP_FRAME_LEN])
{
	uint8_t *ip = out + ETH_HDR_LEN;

	memcpy(out, p->dst_mac, 6);
	memcpy(out + 6, p->src_mac, 6);
	put16(out + 12, 0x0800);

	ip[0] = 0x45;
	ip[1] = p->tos;
	put16(ip + 2, IP4_HDR_LEN + CARP_HDR_LEN);
	put16(ip + 4, p->ip_id);
	put16(ip + 6, 0x4000);			/* DF */
	ip[8] = CARP_TTL;
	ip[9] = CARP_PROTO;
	put16(ip + 10, 0);
	memcpy(ip + 12, &p->src.s_addr, 4);
	memcpy(ip + 16, &p->dst.s_addr, 4);
	put16(ip + 10, inet_cksum(ip, IP4_HDR_LEN));

	carp_advert_encode(a, ip + IP4_HDR_LEN);
	return CARP_FRAME_LEN;
}

void
carp_mcast6_mac(const struct in6_addr *g, uint8_t mac[6])
{
	mac[0] = mac[1] = 0x33;
	memcpy(mac + 2, g->s6_addr + 12, 4);
}

static void
ip6_header(uint8_t *ip, uint8_t tclass, uint16_t plen, uint8_t nh,
    const struct in6_addr *src, const struct in6_addr *dst)
{
	ip[0] = (uint8_t)(0x60 | tclass >> 4);
	ip[1] = (uint8_t)(tclass << 4);
	ip[2] = ip[3] = 0;			/* flow label */
	put16(ip + 4, plen);
	ip[6] = nh;
	ip[7] = CARP_TTL;			/* hop limit */
	memcpy(ip + 8, src->s6_addr, 16);
	memcpy(ip + 24, dst->s6_addr, 16);
}

size_t
carp_frame6_build(const struct carp_frame6_params *p,
    const struct carp_advert *a, uint8_t out[CARP6_FRAME_LEN])
{
	memcpy(out, p->dst_mac, 6);
	memcpy(out + 6, p->src_mac, 6);
	put16(out + 12, 0x86dd);
	ip6_header(out + ETH_HDR_LEN, p->tclass, CARP_HDR_LEN, CARP_PROTO,
	    &p->src, &p->dst);
	carp_advert_encode(a, out + ETH_HDR_LEN + IP6_HDR_LEN);
	return CARP6_FRAME_LEN;
}

/* ICMPv6 checksum: the pseudo-header of RFC 8200 section 8.1, then the message. */
static uint16_t
icmp6_cksum(const uint8_t *ip, const uint8_t *msg, size_t len)
{
	uint8_t buf[40 + 64];

	memcpy(buf, ip + 8, 32);
	put16(buf + 32, 0);
	put16(buf + 34, (uint16_t)len);
	buf[36] = buf[37] = buf[38] = 0;
	buf[39] = 58;
	memcpy(buf + 40, msg, len);
	return inet_cksum(buf, 40 + len);
}

size_t
na_frame_build(const uint8_t mac[6], const struct in6_addr *target,
    int router, uint8_t out[NA_FRAME_LEN])
{
	struct in6_addr	 all = { { { 0xff, 2, 0, 0, 0, 0, 0, 0,
			    0, 0, 0, 0, 0, 0, 0, 1 } } };
	uint8_t		*ip = out + ETH_HDR_LEN, *na = ip + IP6_HDR_LEN;

	carp_mcast6_mac(&all, out);
	memcpy(out + 6, mac, 6);
	put16(out + 12, 0x86dd);
	ip6_header(ip, 0, 32, 58, target, &all);
	memset(na, 0, 32);
	na[0] = 136;				/* neighbour advertisement */
	na[4] = (uint8_t)(0x20 | (router ? 0x80 : 0));	/* Override */
	memcpy(na + 8, target->s6_addr, 16);
	na[24] = 2;				/* target link-layer address */
	na[25] = 1;				/* 8 bytes */
	memcpy(na + 26, mac, 6);
	put16(na + 2, icmp6_cksum(ip, na, 32));
	return NA_FRAME_LEN;
}

/*
 * An Ethernet/IPv4 ARP frame (42 bytes): the Ethernet header, then
 * operation `op` with the sender's and the target's addresses.
 */
static void
arp_frame(uint8_t out[ARP_FRAME_LEN], const uint8_t dst[6],
    const uint8_t mac[6], uint16_t op, struct in_addr spa,
    const uint8_t tha[6], struct in_addr tpa)
{
	uint8_t *arp = out + ETH_HDR_LEN;

	memcpy(out, dst, 6);
	memcpy(out + 6, mac, 6);
	put16(out + 12, 0x0806);
	put16(arp, 1);				/* Ethernet */
	put16(arp + 2, 0x0800);			/* IPv4 */
	arp[4] = 6;
	arp[5] = 4;
	put16(arp + 6, op);
	memcpy(arp + 8, mac, 6);
	memcpy(arp + 14, &spa.s_addr, 4);
	memcpy(arp + 18, tha, 6);
	memcpy(arp + 24, &tpa.s_addr, 4);
}

size_t
garp_frame_build(const uint8_t mac[6], struct in_addr vip,
    uint8_t out[GARP_FRAME_LEN])
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];

	arp_frame(out, bcast, mac, 1, vip, zero, vip);	/* a request */
	return GARP_FRAME_LEN;
}

/* FNV-1a, 32 bits: offset basis 2166136261, prime 16777619. */
uint32_t
carp_balance_hash(struct in_addr requester)
{
	const uint8_t	*b = (const uint8_t *)&requester.s_addr;
	uint32_t	 h = 2166136261u;

	for (size_t i = 0; i < 4; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

size_t
carp_balance_node(struct in_addr requester, size_t nnodes)
{
	return nnodes == 0 ? 0 : carp_balance_hash(requester) % nnodes;
}

int
carp_arp_req_parse(const uint8_t *frame, size_t len, struct carp_arp_req *out)
{
	const uint8_t *arp = frame + ETH_HDR_LEN;

	if (len < ARP_FRAME_LEN || get16(frame + 12) != 0x0806 ||
	    get16(arp) != 1 || get16(arp + 2) != 0x0800 || arp[4] != 6 ||
	    arp[5] != 4 || get16(arp + 6) != 1)
		return -1;
	memcpy(out->eth_src, frame + 6, 6);
	memcpy(out->sha, arp + 8, 6);
	memcpy(&out->spa.s_addr, arp + 14, 4);
	memcpy(&out->tpa.s_addr, arp + 24, 4);
	return 0;
}

size_t
carp_arp_reply_build(const uint8_t mac[6], const struct carp_arp_req *req,
    uint8_t out[ARP_FRAME_LEN])
{
	arp_frame(out, req->sha, mac, 2, req->tpa, req->sha, req->spa);
	return ARP_FRAME_LEN;
}

uint32_t
carp_balance_hash6(const struct in6_addr *requester)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < 16; i++) {
		h ^= requester->s6_addr[i];
		h *= 16777619u;
	}
	return h;
}

size_t
carp_balance_node6(const struct in6_addr *requester, size_t nnodes)
{
	return nnodes == 0 ? 0 : carp_balance_hash6(requester) % nnodes;
}

/* The options of a solicitation: a source link-layer address, once. */
static int
ns_options(const uint8_t *opt, size_t len, struct carp_ns_req *out)
{
	while (len > 0) {
		size_t olen = len >= 2 ? (size_t)opt[1] * 8 : 0;

		if (olen == 0 || olen > len)
			return -1;
		if (opt[0] == 1 && olen == 8) {
			memcpy(out->lladdr, opt + 2, 6);
			out->has_lladdr = true;
		}
		opt += olen;
		len -= olen;
	}
	return 0;
}

int
carp_ns_parse(const uint8_t *frame, size_t len, struct carp_ns_req *out)
{
	const uint8_t	*ip = frame + ETH_HDR_LEN, *ns = ip + IP6_HDR_LEN;
	size_t		 plen;

	memset(out, 0, sizeof(*out));
	if (len < ETH_HDR_LEN + IP6_HDR_LEN + 24 || get16(frame + 12) != 0x86dd ||
	    (ip[0] >> 4) != 6 || ip[6] != 58 || ip[7] != 255)
		return -1;
	plen = get16(ip + 4);
	/* At most 64 bytes: icmp6_cksum's buffer; a solicitation is 32. */
	if (plen < 24 || plen > 64 || ETH_HDR_LEN + IP6_HDR_LEN + plen > len ||
	    ns[0] != 135 || ns[1] != 0 || ns[8] == 0xff ||
	    icmp6_cksum(ip, ns, plen) != 0)
		return -1;
	memcpy(out->eth_src, frame + 6, 6);
	memcpy(out->src.s6_addr, ip + 8, 16);
	memcpy(out->target.s6_addr, ns + 8, 16);
	if (ns_options(ns + 24, plen - 24, out) == -1 ||
	    (out->has_lladdr && IN6_IS_ADDR_UNSPECIFIED(&out->src)))
		return -1;
	return 0;
}

size_t
carp_na_reply_build(const uint8_t mac[6], const struct carp_ns_req *req,
    int router, uint8_t out[NA_REPLY_LEN])
{
	struct in6_addr	 all = { { { 0xff, 2, 0, 0, 0, 0, 0, 0,
			    0, 0, 0, 0, 0, 0, 0, 1 } } };
	bool		 dad = IN6_IS_ADDR_UNSPECIFIED(&req->src);
	uint8_t		*ip = out + ETH_HDR_LEN, *na = ip + IP6_HDR_LEN;

	if (dad)
		carp_mcast6_mac(&all, out);
	else
		memcpy(out, req->has_lladdr ? req->lladdr : req->eth_src, 6);
	memcpy(out + 6, mac, 6);
	put16(out + 12, 0x86dd);
	ip6_header(ip, 0, 32, 58, &req->target, dad ? &all : &req->src);
	memset(na, 0, 32);
	na[0] = 136;				/* neighbour advertisement */
	na[4] = (uint8_t)(0x20 | (dad ? 0 : 0x40) | (router ? 0x80 : 0));
	memcpy(na + 8, req->target.s6_addr, 16);
	na[24] = 2;				/* target link-layer address */
	na[25] = 1;
	memcpy(na + 26, mac, 6);
	put16(na + 2, icmp6_cksum(ip, na, 32));
	return NA_REPLY_LEN;
}

static int
same_src(const struct carp_peer *p, const struct in6_addr *src)
{
	return memcmp(&p->src, src, sizeof(*src)) == 0;
}

static struct carp_peer *
peer_slot(struct carp_peer *t, size_t n, const struct in6_addr *src,
    int *fresh)
{
	struct carp_peer *oldest = &t[0];

	*fresh = 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i].seen != 0 && same_src(&t[i], src))
			return &t[i];
		if (t[i].seen < oldest->seen)
			oldest = &t[i];
	}
	memset(oldest, 0, sizeof(*oldest));
	oldest->src = *src;
	*fresh = 1;
	return oldest;
}

static int
in_range(const struct carp_range *r, uint64_t c)
{
	return c >= r->lo && c <= r->hi;
}

static int
in_old_runs(const struct carp_peer *p, uint64_t c)
{
	for (unsigned i = 0; i < p->nold && i < CARP_OLD_RUNS; i++)
		if (in_range(&p->old[i], c))
			return 1;
	return 0;
}

/* The peer starts a new run at `c`; the current one becomes history. */
static void
new_run(struct carp_peer *p, uint64_t c)
{
	p->old[p->nold++ % CARP_OLD_RUNS] = p->cur;
	p->cur.lo = p->cur.hi = c;
}

enum carp_drop
carp_peer_check(struct carp_peer *t, size_t n, struct in_addr src,
    uint64_t counter, long long now, int *rebased)
{
	struct in6_addr mapped;

	memset(&mapped, 0, sizeof(mapped));
	mapped.s6_addr[10] = mapped.s6_addr[11] = 0xff;
	memcpy(mapped.s6_addr + 12, &src.s_addr, 4);
	return carp_peer_check6(t, n, &mapped, counter, now, rebased);
}

enum carp_drop
carp_peer_check6(struct carp_peer *t, size_t n, const struct in6_addr *src,
    uint64_t counter, long long now, int *rebased)
{
	struct carp_peer	*p;
	int			 fresh;

	*rebased = 0;
	/*
	 * The digest does not cover the source address: a recording of one
	 * peer's adverts sent from another address is a replay too.
	 */
	for (size_t i = 0; i < n; i++)
		if (t[i].seen != 0 && !same_src(&t[i], src) &&
		    t[i].counting && (in_range(&t[i].cur, counter) ||
		    in_old_runs(&t[i], counter)))
			return CARP_DROP_REPLAY;
	p = peer_slot(t, n, src, &fresh);
	p->seen = now > 0 ? now : 1;
	if (fresh) {
		p->cur.lo = p->cur.hi = counter;
		return CARP_RX_OK;
	}
	if (p->counting && in_old_runs(p, counter))
		return CARP_DROP_REPLAY;
	if (counter > p->cur.hi && counter - p->cur.hi <= CARP_MAX_STEP) {
		if (++p->steps >= CARP_ENFORCE_AFTER)
			p->counting = 1;
		p->cur.hi = counter;
		return CARP_RX_OK;
	}
	if (!p->counting) {	/* constant or random: nothing to hold */
		p->steps = 0;
		p->cur.lo = p->cur.hi = counter;
		return CARP_RX_OK;
	}
	if (in_range(&p->cur, counter))
		return CARP_DROP_REPLAY;
	/* Never used: a restart, or ucarp taking the counter it heard. */
	new_run(p, counter);
	p->steps = 0;
	*rebased = 1;
	return CARP_RX_OK;
}

/* VRRP (v2 or v3) shares protocol 112 and the group: worth telling apart. */
int
carp_looks_vrrp(const uint8_t *f, size_t len)
{
	const uint8_t	*ip = f + ETH_HDR_LEN;
	size_t		 ihl;

	if (len >= ETH_HDR_LEN + IP6_HDR_LEN + 8 && get16(f + 12) == 0x86dd)
		return ip[6] == CARP_PROTO && ip[IP6_HDR_LEN] == 0x31 &&
		    get16(ip + 4) != CARP_HDR_LEN;
	if (len < ETH_HDR_LEN + IP4_HDR_LEN + 8)
		return 0;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < IP4_HDR_LEN || ETH_HDR_LEN + ihl + 8 > len)
		return 0;
	return (ip[ihl] == 0x21 || ip[ihl] == 0x31) &&
	    (size_t)get16(ip + 2) - ihl != CARP_HDR_LEN;
}
