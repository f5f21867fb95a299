/*
 * test_proto.c: unit tests of the CARP wire codec (src/proto.c) against
 * doc/protocol.md.  Rejections are made by corrupting one field of
 * a good frame; where a later check is the target, the earlier
 * checksums are fixed up so that only the field under test is wrong.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "proto.h"

/* The known answer of doc/protocol.md, "HMAC". */
#define TV_KEY		"love"
#define TV_VHID		42
#define TV_VIP		"10.1.1.252"
#define TV_COUNTER	UINT64_C(0x0123456789abcdef)
#define TV_MD		"055c5da8911cf2a311659afb98e4e262b116747e"

static const uint8_t mac_self[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };
static const uint8_t mac_peer[6] = { 0x02, 0x00, 0x5e, 0x40, 0x50, 0x60 };
static const uint8_t mac_group[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x12 };

static struct in_addr
addr(const char *s)
{
	struct in_addr a;

	ck_assert_msg(inet_pton(AF_INET, s, &a) == 1, "bad address %s", s);
	return a;
}

static void
unhex(const char *hex, uint8_t *out, size_t n)
{
	ck_assert_uint_eq(strlen(hex), 2 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned b;

		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
tv_advert(struct carp_advert *a)
{
	memset(a, 0, sizeof(*a));
	a->version = CARP_VERSION;
	a->type = CARP_TYPE_ADVERT;
	a->vhid = TV_VHID;
	a->advskew = 100;
	a->authlen = CARP_AUTHLEN;
	a->demote = 0;
	a->advbase = 1;
	a->counter = TV_COUNTER;
	unhex(TV_MD, a->md, CARP_DIGEST_LEN);
}

static void
tv_params(struct carp_frame_params *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->src_mac, mac_self, 6);
	memcpy(p->dst_mac, mac_group, 6);
	p->src = addr("192.0.2.10");
	p->dst = addr(CARP_DEFAULT_GROUP);
	p->ip_id = 0xbeef;
	p->tos = 0x10;
}

/* A valid advert frame, in a buffer with room to grow it. */
static size_t
good_frame(uint8_t *f, size_t room)
{
	struct carp_frame_params	p;
	struct carp_advert		a;

	ck_assert_uint_ge(room, CARP_FRAME_LEN);
	memset(f, 0, room);
	tv_params(&p);
	tv_advert(&a);
	ck_assert_uint_eq(carp_frame_build(&p, &a, f), CARP_FRAME_LEN);
	return CARP_FRAME_LEN;
}

static uint8_t *
ip_of(uint8_t *f)
{
	return f + ETH_HDR_LEN;
}

static size_t
ihl_of(const uint8_t *f)
{
	return (size_t)(f[ETH_HDR_LEN] & 0x0f) * 4;
}

static uint8_t *
carp_of(uint8_t *f)
{
	return f + ETH_HDR_LEN + ihl_of(f);
}

/* Recompute the IP header checksum over `hlen` bytes. */
static void
fix_ip_cksum_len(uint8_t *f, size_t hlen)
{
	uint8_t *ip = ip_of(f);

	put16(ip + 10, 0);
	put16(ip + 10, inet_cksum(ip, hlen));
}

static void
fix_ip_cksum(uint8_t *f)
{
	fix_ip_cksum_len(f, ihl_of(f));
}

/* Recompute the checksum over a CARP (or VRRP) payload of `len` bytes. */
static void
fix_carp_cksum_len(uint8_t *f, size_t len)
{
	uint8_t *c = carp_of(f);

	put16(c + 6, 0);
	put16(c + 6, inet_cksum(c, len));
}

static void
fix_carp_cksum(uint8_t *f)
{
	fix_carp_cksum_len(f, CARP_HDR_LEN);
}

static enum carp_drop
decode(const uint8_t *f, size_t len)
{
	struct carp_rx rx;

	memset(&rx, 0xa5, sizeof(rx));
	return carp_rx_decode(f, len, &rx);
}

#define ck_assert_drop(got, want) do {					\
	enum carp_drop _g = (got), _w = (want);				\
	ck_assert_msg(_g == _w, "carp_rx_decode: got %s (%d), want %s (%d)", \
	    carp_drop_name(_g), (int)_g, carp_drop_name(_w), (int)_w);	\
} while (0)

/* ---- inet_cksum ---------------------------------------------------- */

START_TEST(cksum_rfc1071)
{
	/* RFC 1071 section 3: the sum of these words is 0xddf2. */
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5,
	    0xf6, 0xf7 };

	ck_assert_uint_eq(inet_cksum(d, sizeof(d)), 0x220d);
}
END_TEST

START_TEST(cksum_ip_header)
{
	/* A well-known IPv4 header whose checksum field is 0xb861. */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
	    0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8,
	    0x00, 0xc7 };

	ck_assert_uint_eq(inet_cksum(h, sizeof(h)), 0xb861);
	put16(h + 10, 0xb861);
	ck_assert_uint_eq(inet_cksum(h, sizeof(h)), 0);
}
END_TEST

START_TEST(cksum_edges)
{
	static const uint8_t one[] = { 0x01 };
	static const uint8_t odd[] = { 0x12, 0x34, 0x56 };
	static const uint8_t ff[] = { 0xff, 0xff, 0xff, 0xff };
	uint8_t big[1500];

	ck_assert_uint_eq(inet_cksum(one, 0), 0xffff);
	/* An odd trailing byte is the high byte of a zero-padded word. */
	ck_assert_uint_eq(inet_cksum(one, 1), 0xfeff);
	ck_assert_uint_eq(inet_cksum(odd, 3), (uint16_t)~(0x1234 + 0x5600));
	/* End-around carry: 0xffff + 0xffff = 0x1fffe -> 0xffff. */
	ck_assert_uint_eq(inet_cksum(ff, 4), 0x0000);
	/* Many carries: 750 words of 0xffff still fold to 0xffff. */
	memset(big, 0xff, sizeof(big));
	ck_assert_uint_eq(inet_cksum(big, sizeof(big)), 0x0000);
	memset(big, 0x80, sizeof(big));
	/* 750 * 0x8080 = 0x1787700 -> 0x7700 + 0x178 = 0x7878. */
	ck_assert_uint_eq(inet_cksum(big, sizeof(big)), (uint16_t)~0x7878);
}
END_TEST

/* ---- encoding ------------------------------------------------------ */

START_TEST(advert_encode_layout)
{
	struct carp_advert	a;
	uint8_t			out[CARP_HDR_LEN];
	uint8_t			md[CARP_DIGEST_LEN];

	tv_advert(&a);
	a.demote = 3;
	memset(out, 0xee, sizeof(out));
	carp_advert_encode(&a, out);
	ck_assert_uint_eq(out[0], 0x21);
	ck_assert_uint_eq(out[1], TV_VHID);
	ck_assert_uint_eq(out[2], 100);
	ck_assert_uint_eq(out[3], 7);
	ck_assert_uint_eq(out[4], 3);
	ck_assert_uint_eq(out[5], 1);
	/* Counter: 64-bit big-endian at offset 8. */
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(out[8 + i], 0x01 + 0x22 * i);
	unhex(TV_MD, md, sizeof(md));
	ck_assert_mem_eq(out + 16, md, CARP_DIGEST_LEN);
	/* Checksum over the 36 bytes, stored big-endian at offset 6. */
	ck_assert_uint_eq(inet_cksum(out, CARP_HDR_LEN), 0);
	ck_assert_uint_ne(get16(out + 6), 0);
}
END_TEST

START_TEST(frame_build_layout)
{
	struct carp_frame_params	p;
	struct carp_advert		a;
	uint8_t				f[CARP_FRAME_LEN];
	uint8_t				c[CARP_HDR_LEN];
	const uint8_t			*ip = f + ETH_HDR_LEN;

	tv_params(&p);
	tv_advert(&a);
	ck_assert_uint_eq(CARP_FRAME_LEN, 70);
	ck_assert_uint_eq(carp_frame_build(&p, &a, f), CARP_FRAME_LEN);
	ck_assert_mem_eq(f, mac_group, 6);
	ck_assert_mem_eq(f + 6, mac_self, 6);
	ck_assert_uint_eq(get16(f + 12), 0x0800);
	ck_assert_uint_eq(ip[0], 0x45);
	ck_assert_uint_eq(ip[1], 0x10);
	ck_assert_uint_eq(get16(ip + 2), 56);
	ck_assert_uint_eq(get16(ip + 4), 0xbeef);
	ck_assert_uint_eq(get16(ip + 6), 0x4000);	/* DF, no offset */
	ck_assert_uint_eq(ip[8], 255);
	ck_assert_uint_eq(ip[9], 112);
	ck_assert_uint_eq(inet_cksum(ip, IP4_HDR_LEN), 0);
	ck_assert_mem_eq(ip + 12, "\xc0\x00\x02\x0a", 4);
	ck_assert_mem_eq(ip + 16, "\xe0\x00\x00\x12", 4);
	carp_advert_encode(&a, c);
	ck_assert_mem_eq(ip + IP4_HDR_LEN, c, CARP_HDR_LEN);
}
END_TEST

/* ---- round trip ---------------------------------------------------- */

static void
round_trip(const struct carp_frame_params *p, const struct carp_advert *a)
{
	uint8_t		f[CARP_FRAME_LEN];
	struct carp_rx	rx;

	memset(&rx, 0xa5, sizeof(rx));
	ck_assert_uint_eq(carp_frame_build(p, a, f), CARP_FRAME_LEN);
	ck_assert_drop(carp_rx_decode(f, sizeof(f), &rx), CARP_RX_OK);
	ck_assert_uint_eq(rx.src.s_addr, p->src.s_addr);
	ck_assert_uint_eq(rx.dst.s_addr, p->dst.s_addr);
	ck_assert_mem_eq(rx.src_mac, p->src_mac, 6);
	ck_assert_mem_eq(rx.dst_mac, p->dst_mac, 6);
	ck_assert_uint_eq(rx.adv.version, a->version);
	ck_assert_uint_eq(rx.adv.type, a->type);
	ck_assert_uint_eq(rx.adv.vhid, a->vhid);
	ck_assert_uint_eq(rx.adv.advskew, a->advskew);
	ck_assert_uint_eq(rx.adv.authlen, a->authlen);
	ck_assert_uint_eq(rx.adv.demote, a->demote);
	ck_assert_uint_eq(rx.adv.advbase, a->advbase);
	ck_assert(rx.adv.counter == a->counter);
	ck_assert_mem_eq(rx.adv.md, a->md, CARP_DIGEST_LEN);
}

START_TEST(round_trip_vector)
{
	struct carp_frame_params	p;
	struct carp_advert		a;

	tv_params(&p);
	tv_advert(&a);
	round_trip(&p, &a);
}
END_TEST

START_TEST(round_trip_extremes)
{
	static const struct {
		uint8_t		vhid, advbase, advskew, demote;
		uint64_t	counter;
	} v[] = {
		{ 1, 0, 1, 0, 0 },
		{ 255, 255, 254, 0, UINT64_MAX },
		{ 7, 1, 0, 0xff, UINT64_C(0x8000000000000001) },
		{ 200, CARP_BOWOUT, CARP_BOWOUT, 1, 1 },
	};
	struct carp_frame_params	p;
	struct carp_advert		a;

	tv_params(&p);
	tv_advert(&a);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		a.vhid = v[i].vhid;
		a.advbase = v[i].advbase;
		a.advskew = v[i].advskew;
		a.demote = v[i].demote;
		a.counter = v[i].counter;
		for (int j = 0; j < CARP_DIGEST_LEN; j++)
			a.md[j] = (uint8_t)(i * 31 + j * 7);
		p.ip_id = (uint16_t)(i * 0x1111);
		p.tos = i & 1 ? 0xe0 : 0x10;
		p.src = addr(i & 1 ? "203.0.113.254" : "198.51.100.1");
		if (i == 3)	/* --nomcast: broadcast MAC, group IP */
			memset(p.dst_mac, 0xff, 6);
		round_trip(&p, &a);
	}
}
END_TEST

START_TEST(decode_accepts_padding)
{
	/* Ethernet padding after the IP datagram is ignored. */
	uint8_t f[CARP_FRAME_LEN + 8];

	good_frame(f, sizeof(f));
	ck_assert_drop(decode(f, sizeof(f)), CARP_RX_OK);
}
END_TEST

START_TEST(decode_accepts_ip_options)
{
	/* IHL 6 with a Router Alert option: CARP follows the options. */
	uint8_t		f[CARP_FRAME_LEN + 4];
	uint8_t		*ip = ip_of(f);
	struct carp_rx	rx;

	good_frame(f, sizeof(f));
	memmove(ip + 24, ip + 20, CARP_HDR_LEN);
	memcpy(ip + 20, "\x94\x04\x00\x00", 4);
	ip[0] = 0x46;
	put16(ip + 2, 24 + CARP_HDR_LEN);
	fix_ip_cksum(f);
	ck_assert_drop(carp_rx_decode(f, sizeof(f), &rx), CARP_RX_OK);
	ck_assert_uint_eq(rx.adv.vhid, TV_VHID);
	ck_assert(rx.adv.counter == TV_COUNTER);
}
END_TEST

/* ---- rejections, in the order of carp_rx_decode --------------------- */

START_TEST(drop_short)
{
	uint8_t f[CARP_FRAME_LEN];

	good_frame(f, sizeof(f));
	ck_assert_drop(decode(f, 0), CARP_DROP_SHORT);
	ck_assert_drop(decode(f, ETH_HDR_LEN), CARP_DROP_SHORT);
	ck_assert_drop(decode(f, ETH_HDR_LEN + IP4_HDR_LEN - 1),
	    CARP_DROP_SHORT);
	/* Long enough for the headers, too short for the datagram. */
	ck_assert_drop(decode(f, ETH_HDR_LEN + IP4_HDR_LEN),
	    CARP_DROP_IP_HEADER);
}
END_TEST

START_TEST(drop_ethertype)
{
	static const uint16_t types[] = { 0x0806, 0x8100, 0x0000, 0x0801 };
	uint8_t f[CARP_FRAME_LEN];

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		good_frame(f, sizeof(f));
		put16(f + 12, types[i]);
		ck_assert_drop(decode(f, sizeof(f)), CARP_DROP_ETHERTYPE);
	}
}
END_TEST

START_TEST(drop_ip_header)
{
	uint8_t f[CARP_FRAME_LEN + 64];
	uint8_t *ip = ip_of(f);

	/* IP version 6 in an IPv4 frame. */
	good_frame(f, sizeof(f));
	ip[0] = 0x65;
	fix_ip_cksum_len(f, IP4_HDR_LEN);
	ck_assert_drop(decode(f, CARP_FRAME_LEN), CARP_DROP_IP_HEADER);

	/* IHL below 5 words. */
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		good_frame(f, sizeof(f));
		ip[0] = (uint8_t)(0x40 | ihl);
		fix_ip_cksum_len(f, IP4_HDR_LEN);
		ck_assert_drop(decode(f, CARP_FRAME_LEN), CARP_DROP_IP_HEADER);
	}

	/* IHL 15 (60 bytes) reaching past a 40-byte frame. */
	good_frame(f, sizeof(f));
	ip[0] = 0x4f;
	ck_assert_drop(decode(f, ETH_HDR_LEN + 40), CARP_DROP_IP_HEADER);

	/* Total length shorter than the header. */
	good_frame(f, sizeof(f));
	put16(ip + 2, IP4_HDR_LEN - 1);
	fix_ip_cksum(f);
	ck_assert_drop(decode(f, CARP_FRAME_LEN), CARP_DROP_IP_HEADER);

	/* Total length beyond the captured frame. */
	good_frame(f, sizeof(f));
	put16(ip + 2, IP4_HDR_LEN + CARP_HDR_LEN + 1);
	fix_ip_cksum(f);
	ck_assert_drop(decode(f, CARP_FRAME_LEN), CARP_DROP_IP_HEADER);
	put16(ip + 2, 0xffff);
	fix_ip_cksum(f);
	ck_assert_drop(decode(f, sizeof(f)), CARP_DROP_IP_HEADER);

	/* A good frame cut short by one byte. */
	good_frame(f, sizeof(f));
	ck_assert_drop(decode(f, CARP_FRAME_LEN - 1), CARP_DROP_IP_HEADER);
}
END_TEST

START_TEST(drop_ip_cksum)
{
	uint8_t		f[CARP_FRAME_LEN];
	uint8_t		*ip = ip_of(f);
	struct carp_rx	rx;

	good_frame(f, sizeof(f));
	ip[11] ^= 0x01;
	ck_assert_drop(decode(f, sizeof(f)), CARP_DROP_IP_CKSUM);

	/* A changed field without a fixed checksum is caught here first. */
	good_frame(f, sizeof(f));
	ip[8] = 64;
	ck_assert_drop(decode(f, sizeof(f)), CARP_DROP_IP_CKSUM);

	good_frame(f, sizeof(f));
	ip[15] ^= 0x80;				/* source address */
	memset(&rx, 0, sizeof(rx));
	ck_assert_drop(carp_rx_decode(f, sizeof(f), &rx), CARP_DROP_IP_CKSUM);
	/* The addresses are filled in for the log of this drop. */
	ck_assert_uint_eq(rx.src.s_addr, addr("192.0.2.138").s_addr);
	ck_assert_uint_eq(rx.dst.s_addr, addr(CARP_DEFAULT_GROUP).s_addr);
}
END_TEST

START_TEST(drop_fragment)
{
	static const uint16_t frag[] = {
		0x2000,		/* MF */
		0x6000,		/* DF|MF */
		0x0001,		/* offset 8 */
		0x4001,		/* DF, offset 8 */
		0x1fff,		/* largest offset */
		0x3fff,
	};
	uint8_t f[CARP_FRAME_LEN];

	for (size_t i = 0; i < sizeof(frag) / sizeof(frag[0]); i++) {
		good_frame(f, sizeof(f));
		put16(ip_of(f) + 6, frag[i]);
		fix_ip_cksum(f);
		ck_assert_drop(decode(f, sizeof(f)), CARP_DROP_FRAGMENT);
	}
	/* No flags at all is not a fragment either. */
	good_frame(f, sizeof(f));
	put16(ip_of(f) + 6, 0x0000);
	fix_ip_cksum(f);
	ck_assert_drop(decode(f, sizeof(f)), CARP_RX_OK);
}
END_TEST

START_TEST(drop_protocol)
{
	static const uint8_t protos[] = { 0, 1, 17, 111, 113, 255 };
	uint8_t f[CARP_FRAME_LEN];

	for (size_t i = 0; i < sizeof(protos); i++) {
		good_frame(f, sizeof(f));
		ip_of(f)[9] = protos[i];
		fix_ip_cksum(f);
		ck_assert_drop(decode(f, sizeof(f)), CARP_DROP_PROTO);
	}
}
END_TEST

/* The TTL is the vhid's to judge (--peer-routed): decoded, not dropped. */
START_TEST(drop_ttl)
{
	static const uint8_t ttls[] = { 0, 1, 64, 128, 254, 255 };
	uint8_t		f[CARP_FRAME_LEN];
	struct carp_rx	rx;

	for (size_t i = 0; i < sizeof(ttls); i++) {
		good_frame(f, sizeof(f));
		ip_of(f)[8] = ttls[i];
		fix_ip_cksum(f);
		memset(&rx, 0, sizeof(rx));
		ck_assert_drop(carp_rx_decode(f, sizeof(f), &rx), CARP_RX_OK);
		ck_assert_uint_eq(rx.ttl, ttls[i]);
	}
}
END_TEST

START_TEST(drop_length)
{
	uint8_t f[CARP_FRAME_LEN + 16];

	/* One byte short and one byte long CARP payloads. */
	good_frame(f, sizeof(f));
	put16(ip_of(f) + 2, IP4_HDR_LEN + CARP_HDR_LEN - 1);
	fix_ip_cksum(f);
	ck_assert_drop(decode(f, CARP_FRAME_LEN), CARP_DROP_LENGTH);

	good_frame(f, sizeof(f));
	put16(ip_of(f) + 2, IP4_HDR_LEN + CARP_HDR_LEN + 1);
	fix_ip_cksum(f);
	ck_assert_drop(decode(f, CARP_FRAME_LEN + 1), CARP_DROP_LENGTH);

	/* No payload at all. */
	good_frame(f, sizeof(f));
	put16(ip_of(f) + 2, IP4_HDR_LEN);
	fix_ip_cksum(f);
	ck_assert_drop(decode(f, CARP_FRAME_LEN), CARP_DROP_LENGTH);
}
END_TEST

/*
 * VRRPv2 (RFC 3768) shares protocol 112, the group, TTL 255, version 2
 * and type 1.  Its packet is 8 + 4n + 8 = 20 + 4n bytes for n
 * addresses: the length tells it apart, except n = 4 (36 bytes), where
 * byte 3 (the address count, 4) is not CARP's authlen 7.
 */
START_TEST(drop_vrrp)
{
	uint8_t	 f[ETH_HDR_LEN + IP4_HDR_LEN + 20 + 4 * 16];
	uint8_t	*ip = ip_of(f), *v = ip + IP4_HDR_LEN;
	unsigned n = (unsigned)_i;
	size_t	 vlen = 20 + 4 * n;
	size_t	 flen = ETH_HDR_LEN + IP4_HDR_LEN + vlen;

	good_frame(f, sizeof(f));
	memset(v, 0, vlen);
	v[0] = 0x21;			/* version 2, type 1 (advertisement) */
	v[1] = TV_VHID;			/* VRID */
	v[2] = 100;			/* priority */
	v[3] = (uint8_t)n;		/* count of addresses */
	v[4] = 0;			/* no authentication */
	v[5] = 1;			/* advertisement interval */
	for (unsigned i = 0; i < n; i++) {
		memcpy(v + 8 + 4 * i, "\xc0\x00\x02", 3);
		v[8 + 4 * i + 3] = (uint8_t)(100 + i);
	}
	put16(ip + 2, (uint16_t)(IP4_HDR_LEN + vlen));
	fix_ip_cksum(f);
	fix_carp_cksum_len(f, vlen);
	if (flen < 60)		/* padded to the Ethernet minimum */
		flen = 60;
	if (vlen == CARP_HDR_LEN)
		ck_assert_drop(decode(f, flen), CARP_DROP_AUTHLEN);
	else
		ck_assert_drop(decode(f, flen), CARP_DROP_LENGTH);
}
END_TEST

START_TEST(drop_carp_cksum)
{
	uint8_t f[CARP_FRAME_LEN];

	/* Any corrupted byte of the 36, checksum not fixed. */
	for (size_t off = 0; off < CARP_HDR_LEN; off++) {
		good_frame(f, sizeof(f));
		carp_of(f)[off] ^= 0x40;
		ck_assert_drop(decode(f, sizeof(f)), CARP_DROP_CARP_CKSUM);
	}
}
END_TEST

START_TEST(drop_version)
{
	static const uint8_t b0[] = { 0x01, 0x11, 0x31, 0xf1 };
	uint8_t f[CARP_FRAME_LEN];

	for (size_t i = 0; i < sizeof(b0); i++) {
		good_frame(f, sizeof(f));
		carp_of(f)[0] = b0[i];
		fix_carp_cksum(f);
		ck_assert_drop(decode(f, sizeof(f)), CARP_DROP_VERSION);
	}
}
END_TEST

START_TEST(drop_type)
{
	static const uint8_t b0[] = { 0x20, 0x22, 0x2f };
	uint8_t f[CARP_FRAME_LEN];

	for (size_t i = 0; i < sizeof(b0); i++) {
		good_frame(f, sizeof(f));
		carp_of(f)[0] = b0[i];
		fix_carp_cksum(f);
		ck_assert_drop(decode(f, sizeof(f)), CARP_DROP_TYPE);
	}
}
END_TEST

START_TEST(drop_authlen)
{
	static const uint8_t al[] = { 0, 1, 4, 6, 8, 255 };
	uint8_t f[CARP_FRAME_LEN];

	for (size_t i = 0; i < sizeof(al); i++) {
		good_frame(f, sizeof(f));
		carp_of(f)[3] = al[i];
		fix_carp_cksum(f);
		ck_assert_drop(decode(f, sizeof(f)), CARP_DROP_AUTHLEN);
	}
}
END_TEST

/* ---- HMAC ---------------------------------------------------------- */

START_TEST(hmac_vector)
{
	struct in_addr	vip = addr(TV_VIP);
	uint8_t		md[CARP_DIGEST_LEN], want[CARP_DIGEST_LEN];

	unhex(TV_MD, want, sizeof(want));
	carp_hmac((const uint8_t *)TV_KEY, strlen(TV_KEY), TV_VHID, &vip, 1,
	    TV_COUNTER, md);
	ck_assert_mem_eq(md, want, CARP_DIGEST_LEN);
}
END_TEST

START_TEST(hmac_verify)
{
	const uint8_t		*key = (const uint8_t *)TV_KEY;
	struct in_addr		 vip = addr(TV_VIP), other = addr("10.1.1.253");
	struct carp_advert	 a;

	tv_advert(&a);
	ck_assert_int_eq(carp_hmac_verify(key, 4, &vip, 1, &a), 1);

	/* Every single flipped bit of the digest is refused. */
	for (int bit = 0; bit < CARP_DIGEST_LEN * 8; bit++) {
		a.md[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_msg(carp_hmac_verify(key, 4, &vip, 1, &a) == 0,
		    "digest with bit %d flipped accepted", bit);
		a.md[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	ck_assert_int_eq(carp_hmac_verify(key, 4, &vip, 1, &a), 1);

	/* Other keys. */
	ck_assert_int_eq(carp_hmac_verify((const uint8_t *)"lovf", 4, &vip, 1,
	    &a), 0);
	ck_assert_int_eq(carp_hmac_verify((const uint8_t *)"love ", 5, &vip,
	    1, &a), 0);
	ck_assert_int_eq(carp_hmac_verify(key, 3, &vip, 1, &a), 0);
	ck_assert_int_eq(carp_hmac_verify(key, 0, &vip, 1, &a), 0);

	/* Other counter, vhid, address, address list. */
	a.counter = TV_COUNTER + 1;
	ck_assert_int_eq(carp_hmac_verify(key, 4, &vip, 1, &a), 0);
	a.counter = TV_COUNTER ^ (UINT64_C(1) << 63);
	ck_assert_int_eq(carp_hmac_verify(key, 4, &vip, 1, &a), 0);
	a.counter = TV_COUNTER;
	a.vhid = TV_VHID + 1;
	ck_assert_int_eq(carp_hmac_verify(key, 4, &vip, 1, &a), 0);
	a.vhid = TV_VHID;
	ck_assert_int_eq(carp_hmac_verify(key, 4, &other, 1, &a), 0);
	ck_assert_int_eq(carp_hmac_verify(key, 4, &vip, 0, &a), 0);
	ck_assert_int_eq(carp_hmac_verify(key, 4, &vip, 1, &a), 1);
}
END_TEST

START_TEST(hmac_round_trip)
{
	/* What we sign, we accept; with the longest allowed key too. */
	static const char *const keys[] = { "x", "love",
	    "0123456789abcdefghi" };
	struct in_addr		vip = addr("203.0.113.7");
	struct carp_advert	a;

	tv_advert(&a);
	for (size_t i = 0; i < 3; i++) {
		size_t kl = strlen(keys[i]);

		ck_assert_uint_le(kl, CARP_KEY_MAX);
		a.counter = i * UINT64_C(0x1000000001);
		carp_hmac((const uint8_t *)keys[i], kl, a.vhid, &vip, 1,
		    a.counter, a.md);
		ck_assert_int_eq(carp_hmac_verify((const uint8_t *)keys[i], kl,
		    &vip, 1, &a), 1);
	}
}
END_TEST

/*
 * HMAC over several addresses: they go in sorted ascending in network
 * order.  Reference digest from Python's hmac module over
 * 02 01 07 | c000020a c6336405 cb007101 | 0000000000000001, key "secret".
 */
#define MULTI_MD "d87b5c43ad1bfc86cfb21d6111a730184754ec55"

START_TEST(hmac_multi_vip_sorted)
{
	struct in_addr		v[4];
	struct carp_advert	a;
	uint8_t			md[CARP_DIGEST_LEN], want[CARP_DIGEST_LEN];
	const uint8_t		*key = (const uint8_t *)"secret";
	size_t			n;

	/* As configured: unsorted and with a duplicate. */
	v[0] = addr("198.51.100.5");
	v[1] = addr("203.0.113.1");
	v[2] = addr("192.0.2.10");
	v[3] = addr("198.51.100.5");
	unhex(MULTI_MD, want, sizeof(want));

	/* The configured order does not give the reference digest. */
	carp_hmac(key, 6, 7, v, 3, 1, md);
	ck_assert_mem_ne(md, want, CARP_DIGEST_LEN);

	n = carp_sort_vips(v, 4);
	ck_assert_uint_eq(n, 3);
	carp_hmac(key, 6, 7, v, n, 1, md);
	ck_assert_mem_eq(md, want, CARP_DIGEST_LEN);

	memset(&a, 0, sizeof(a));
	a.vhid = 7;
	a.counter = 1;
	memcpy(a.md, want, sizeof(a.md));
	ck_assert_int_eq(carp_hmac_verify(key, 6, v, n, &a), 1);
	/* A peer with one address fewer does not match. */
	ck_assert_int_eq(carp_hmac_verify(key, 6, v, n - 1, &a), 0);
}
END_TEST

/* ---- carp_sort_vips ------------------------------------------------ */

static void
assert_sorted_unique(const struct in_addr *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(ntohl(v[i - 1].s_addr) < ntohl(v[i].s_addr),
		    "vips[%zu] not below vips[%zu]", i - 1, i);
}

START_TEST(sort_vips_network_order)
{
	/*
	 * Pairs whose order in host byte order (on a little-endian CPU,
	 * the first octet is least significant) is the reverse of their
	 * order in network byte order.
	 */
	static const char *const pairs[][2] = {
		{ "198.51.100.5", "192.0.2.10" },
		{ "203.0.113.1", "192.0.2.200" },
		{ "198.51.100.1", "192.0.2.2" },
	};

	for (size_t i = 0; i < 3; i++) {
		struct in_addr v[2] = { addr(pairs[i][0]), addr(pairs[i][1]) };

		ck_assert_uint_eq(carp_sort_vips(v, 2), 2);
		ck_assert_uint_eq(v[0].s_addr, addr(pairs[i][1]).s_addr);
		ck_assert_uint_eq(v[1].s_addr, addr(pairs[i][0]).s_addr);
		/* Sorting again keeps the order. */
		ck_assert_uint_eq(carp_sort_vips(v, 2), 2);
		ck_assert_uint_eq(v[0].s_addr, addr(pairs[i][1]).s_addr);
	}
}
END_TEST

START_TEST(sort_vips_dedupe)
{
	struct in_addr	v[8];
	const char	*in[8] = { "203.0.113.9", "192.0.2.1", "203.0.113.9",
	    "198.51.100.77", "192.0.2.1", "192.0.2.255", "192.0.2.1",
	    "198.51.100.76" };
	const char	*want[5] = { "192.0.2.1", "192.0.2.255",
	    "198.51.100.76", "198.51.100.77", "203.0.113.9" };
	size_t		n;

	for (int i = 0; i < 8; i++)
		v[i] = addr(in[i]);
	n = carp_sort_vips(v, 8);
	ck_assert_uint_eq(n, 5);
	assert_sorted_unique(v, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(v[i].s_addr, addr(want[i]).s_addr);

	/* All the same. */
	for (int i = 0; i < 8; i++)
		v[i] = addr("192.0.2.100");
	ck_assert_uint_eq(carp_sort_vips(v, 8), 1);
	ck_assert_uint_eq(v[0].s_addr, addr("192.0.2.100").s_addr);

	/* One, and none. */
	v[0] = addr("203.0.113.3");
	ck_assert_uint_eq(carp_sort_vips(v, 1), 1);
	ck_assert_uint_eq(v[0].s_addr, addr("203.0.113.3").s_addr);
	ck_assert_uint_eq(carp_sort_vips(v, 0), 0);
}
END_TEST

START_TEST(sort_vips_many)
{
	/* 256 addresses, each twice, in a scrambled order. */
	struct in_addr	v[512];
	size_t		n;

	for (unsigned i = 0; i < 512; i++) {
		unsigned k = (i * 167) % 256;	/* 167 is prime to 256 */

		/* Odd ones differ from the even ones in the first octet. */
		v[i].s_addr = htonl((k & 1 ? 0xcb007100u : 0xc0000200u) + k);
	}
	n = carp_sort_vips(v, 512);
	ck_assert_uint_eq(n, 256);
	assert_sorted_unique(v, n);
	ck_assert_uint_eq(ntohl(v[0].s_addr), 0xc0000200u);
	ck_assert_uint_eq(ntohl(v[127].s_addr), 0xc00002feu);
	ck_assert_uint_eq(ntohl(v[128].s_addr), 0xcb007101u);
	ck_assert_uint_eq(ntohl(v[n - 1].s_addr), 0xcb0071ffu);
}
END_TEST

/* ---- replay protection (carp_peer_check) --------------------------- */

static enum carp_drop
peer(struct carp_peer *t, size_t n, const char *src, uint64_t counter,
    long long now, int want_rebased)
{
	enum carp_drop	d;
	int		rebased = -1;

	d = carp_peer_check(t, n, addr(src), counter, now, &rebased);
	ck_assert_msg(rebased == want_rebased,
	    "%s counter %llu: rebased %d, want %d", src,
	    (unsigned long long)counter, rebased, want_rebased);
	return d;
}

#define P	"192.0.2.20"
#define NP	CARP_MAX_PEERS

/* Debian's ucarp 1.5.2 sends a random counter with every advert. */
START_TEST(peer_ucarp_random)
{
	struct carp_peer	t[CARP_MAX_PEERS];
	uint64_t		c = UINT64_C(0x9e3779b97f4a7c15);

	memset(t, 0, sizeof(t));
	for (int i = 0; i < 1000; i++) {
		c = c * UINT64_C(6364136223846793005) + 1442695040888963407u;
		ck_assert_drop(peer(t, NP, P, c, i + 1, 0), CARP_RX_OK);
	}
}
END_TEST

START_TEST(peer_counting)
{
	struct carp_peer t[CARP_MAX_PEERS];

	memset(t, 0, sizeof(t));
	/* Any first counter; then each advert one more (carpd, FreeBSD). */
	for (uint64_t c = 1000; c < 1100; c++)
		ck_assert_drop(peer(t, NP, P, c, (long long)c, 0), CARP_RX_OK);
	/* Gaps (lost adverts) are fine. */
	ck_assert_drop(peer(t, NP, P, 1500, 2000, 0), CARP_RX_OK);
}
END_TEST

START_TEST(peer_replay)
{
	struct carp_peer t[CARP_MAX_PEERS];

	memset(t, 0, sizeof(t));
	for (uint64_t c = 100; c <= 105; c++)
		ck_assert_drop(peer(t, NP, P, c, 1, 0), CARP_RX_OK);
	/* The same advert again, and older ones of this run: replays. */
	ck_assert_drop(peer(t, NP, P, 105, 2, 0), CARP_DROP_REPLAY);
	ck_assert_drop(peer(t, NP, P, 101, 3, 0), CARP_DROP_REPLAY);
	ck_assert_drop(peer(t, NP, P, 100, 3, 0), CARP_DROP_REPLAY);
	/* The peer goes on where it was. */
	ck_assert_drop(peer(t, NP, P, 106, 5, 0), CARP_RX_OK);
	/* Another peer is tracked on its own. */
	ck_assert_drop(peer(t, NP, "192.0.2.30", 5, 6, 0), CARP_RX_OK);
	ck_assert_drop(peer(t, NP, P, 105, 7, 0), CARP_DROP_REPLAY);
}
END_TEST

/*
 * The attack of tests/netns/h_replay.sh: a dead master's adverts played
 * back in order.  Three in a row used to pass for a restart.
 */
START_TEST(peer_replay_in_order)
{
	struct carp_peer t[CARP_MAX_PEERS];

	memset(t, 0, sizeof(t));
	for (uint64_t c = 5000; c <= 5010; c++)
		ck_assert_drop(peer(t, NP, P, c, 1, 0), CARP_RX_OK);
	for (uint64_t c = 5002; c <= 5010; c++)
		ck_assert_drop(peer(t, NP, P, c, 2, 0), CARP_DROP_REPLAY);
}
END_TEST

/* The digest does not cover the source: a recording sent from elsewhere. */
START_TEST(peer_replay_spoofed_source)
{
	struct carp_peer t[CARP_MAX_PEERS];

	memset(t, 0, sizeof(t));
	for (uint64_t c = 5000; c <= 5010; c++)
		ck_assert_drop(peer(t, NP, P, c, 1, 0), CARP_RX_OK);
	ck_assert_drop(peer(t, NP, "192.0.2.99", 5004, 2, 0), CARP_DROP_REPLAY);
	ck_assert_drop(peer(t, NP, "192.0.2.99", 5010, 3, 0), CARP_DROP_REPLAY);
	/* Its own counter is another matter. */
	ck_assert_drop(peer(t, NP, "192.0.2.99", 9000, 4, 0), CARP_RX_OK);
}
END_TEST

START_TEST(peer_restart)
{
	struct carp_peer t[CARP_MAX_PEERS];

	memset(t, 0, sizeof(t));
	for (uint64_t c = 5000; c <= 5010; c++)
		ck_assert_drop(peer(t, NP, P, c, 1, 0), CARP_RX_OK);
	/* Restarted from a lower, unused random base: taken at once. */
	ck_assert_drop(peer(t, NP, P, 70, 2, 1), CARP_RX_OK);
	ck_assert_drop(peer(t, NP, P, 71, 3, 0), CARP_RX_OK);
	ck_assert_drop(peer(t, NP, P, 71, 4, 0), CARP_DROP_REPLAY);
	/* The old run stays burnt: its adverts are replays, above or below. */
	ck_assert_drop(peer(t, NP, P, 5003, 5, 0), CARP_DROP_REPLAY);
	ck_assert_drop(peer(t, NP, P, 5010, 5, 0), CARP_DROP_REPLAY);
	/* Above every run it has used: the new run goes on. */
	ck_assert_drop(peer(t, NP, P, 6000, 6, 0), CARP_RX_OK);
	/* A second restart, below both runs. */
	ck_assert_drop(peer(t, NP, P, 10, 7, 1), CARP_RX_OK);
	ck_assert_drop(peer(t, NP, P, 70, 8, 0), CARP_DROP_REPLAY);
	ck_assert_drop(peer(t, NP, P, 11, 9, 0), CARP_RX_OK);
}
END_TEST

START_TEST(peer_openbsd_constant)
{
	/* OpenBSD: one random constant counter per vhid. */
	struct carp_peer t[CARP_MAX_PEERS];

	memset(t, 0, sizeof(t));
	for (int i = 0; i < 10; i++)
		ck_assert_drop(peer(t, NP, P, UINT64_C(0x1234567890), i + 1, 0),
		    CARP_RX_OK);
	/* Rebooted with a new, lower constant. */
	for (int i = 0; i < 10; i++)
		ck_assert_drop(peer(t, NP, P, UINT64_C(0x1000), 20 + i, 0),
		    CARP_RX_OK);
}
END_TEST

/*
 * An OpenBSD peer that reboots and draws a higher constant must still be
 * heard: a constant counter is never held to the rule, and dropping its
 * adverts would leave two masters.
 */
START_TEST(peer_openbsd_restart_higher)
{
	struct carp_peer	t[CARP_MAX_PEERS];
	enum carp_drop		d;
	int			rebased;

	memset(t, 0, sizeof(t));
	for (int i = 0; i < 5; i++)
		ck_assert_drop(peer(t, NP, P, UINT64_C(0x1000), i + 1, 0),
		    CARP_RX_OK);
	for (int i = 0; i < 5; i++) {
		d = carp_peer_check(t, NP, addr(P), UINT64_C(0x1234567890),
		    10 + i, &rebased);
		ck_assert_msg(d == CARP_RX_OK, "advert %d with the new constant "
		    "counter after a reboot: %s", i + 1, carp_drop_name(d));
	}
}
END_TEST

START_TEST(peer_table_eviction)
{
	struct carp_peer t[2];

	/* Real peers draw random 64-bit bases: give each its own. */
	memset(t, 0, sizeof(t));
	ck_assert_drop(peer(t, 2, "192.0.2.1", 10, 100, 0), CARP_RX_OK);
	ck_assert_drop(peer(t, 2, "192.0.2.2", 1000, 200, 0), CARP_RX_OK);
	ck_assert_drop(peer(t, 2, "192.0.2.1", 11, 300, 0), CARP_RX_OK);
	ck_assert_drop(peer(t, 2, "192.0.2.1", 12, 350, 0), CARP_RX_OK);
	/* A third peer takes the slot seen longest ago (192.0.2.2). */
	ck_assert_drop(peer(t, 2, "192.0.2.3", 2000, 400, 0), CARP_RX_OK);
	/* Two increases in a row: 192.0.2.1 is held to its counter. */
	ck_assert_drop(peer(t, 2, "192.0.2.1", 12, 500, 0), CARP_DROP_REPLAY);
	ck_assert_drop(peer(t, 2, "192.0.2.3", 2001, 600, 0), CARP_RX_OK);
	ck_assert_drop(peer(t, 2, "192.0.2.3", 2002, 650, 0), CARP_RX_OK);
	ck_assert_drop(peer(t, 2, "192.0.2.3", 2002, 700, 0), CARP_DROP_REPLAY);
	/* The evicted one starts afresh. */
	ck_assert_drop(peer(t, 2, "192.0.2.2", 1, 800, 0), CARP_RX_OK);
	/* A clock at 0 still marks the slot used. */
	memset(t, 0, sizeof(t));
	ck_assert_drop(peer(t, 2, "192.0.2.9", 10, 0, 0), CARP_RX_OK);
	ck_assert_drop(peer(t, 2, "192.0.2.9", 11, 0, 0), CARP_RX_OK);
	ck_assert_drop(peer(t, 2, "192.0.2.9", 12, 0, 0), CARP_RX_OK);
	ck_assert_drop(peer(t, 2, "192.0.2.9", 12, 0, 0), CARP_DROP_REPLAY);
}
END_TEST

#undef P
#undef NP

/* ---- ARP balancing ------------------------------------------------- */

/*
 * The hash every host must compute alike (doc/protocol.md, ARP
 * balancing): FNV-1a over the address's bytes in network order.  The
 * values were computed apart from this code (a few lines of python3).
 */
START_TEST(balance_hash_vectors)
{
	static const struct { const char *a; uint32_t h; size_t n3; } v[] = {
		{ "0.0.0.0", 0x4b95f515u, 1 },
		{ "192.0.2.1", 0x756b9b94u, 2 },
		{ "192.0.2.11", 0x6f6b9222u, 2 },
		{ "192.0.2.12", 0x6a6b8a43u, 1 },
		{ "198.51.100.7", 0x20f89b0bu, 2 },
		{ "255.255.255.255", 0xe3160fb1u, 0 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_uint_eq(carp_balance_hash(addr(v[i].a)), v[i].h);
		ck_assert_uint_eq(carp_balance_node(addr(v[i].a), 3), v[i].n3);
		ck_assert_uint_eq(carp_balance_node(addr(v[i].a), 1), 0);
	}
	ck_assert_uint_eq(carp_balance_node(addr("192.0.2.1"), 0), 0);
}
END_TEST

/* Twelve clients 192.0.2.11 to .22 fall 4, 4, 4 on three nodes. */
START_TEST(balance_spread)
{
	static const size_t want[12] = { 2, 1, 2, 2, 0, 2, 0, 0, 1, 0, 1, 1 };
	char	a[32];

	for (int i = 0; i < 12; i++) {
		snprintf(a, sizeof(a), "192.0.2.%d", 11 + i);
		ck_assert_uint_eq(carp_balance_node(addr(a), 3), want[i]);
	}
}
END_TEST

static size_t
arp_req(uint8_t *f, uint16_t op, const char *spa, const char *tpa)
{
	struct in_addr s = addr(spa), t = addr(tpa);

	memset(f, 0, ARP_FRAME_LEN);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac_peer, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);
	put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, op);
	memcpy(f + 22, mac_peer, 6);
	memcpy(f + 28, &s.s_addr, 4);
	memcpy(f + 38, &t.s_addr, 4);
	return ARP_FRAME_LEN;
}

START_TEST(arp_request_and_reply)
{
	uint8_t			 f[ARP_FRAME_LEN + 18], r[ARP_FRAME_LEN + 4];
	static const uint8_t	 node[6] = { 0, 0, 0x5e, 0, 1, 2 };
	struct carp_arp_req	 q;
	const uint8_t		*arp = r + ETH_HDR_LEN;

	/* A minimum-size Ethernet frame has padding: taken. */
	ck_assert_int_eq(carp_arp_req_parse(f, arp_req(f, 1, "192.0.2.11",
	    "192.0.2.100") + 18, &q), 0);
	ck_assert_uint_eq(q.spa.s_addr, addr("192.0.2.11").s_addr);
	ck_assert_uint_eq(q.tpa.s_addr, addr("192.0.2.100").s_addr);
	ck_assert_mem_eq(q.sha, mac_peer, 6);
	memset(r, 0xee, sizeof(r));
	ck_assert_uint_eq(carp_arp_reply_build(node, &q, r), ARP_FRAME_LEN);
	ck_assert_mem_eq(r, mac_peer, 6);		/* unicast back */
	ck_assert_mem_eq(r + 6, node, 6);		/* from the node MAC */
	ck_assert_uint_eq(get16(r + 12), 0x0806);
	ck_assert_uint_eq(get16(arp + 6), 2);		/* reply */
	ck_assert_mem_eq(arp + 8, node, 6);
	ck_assert_mem_eq(arp + 14, "\xc0\x00\x02\x64", 4);	/* .100 is at */
	ck_assert_mem_eq(arp + 18, mac_peer, 6);
	ck_assert_mem_eq(arp + 24, "\xc0\x00\x02\x0b", 4);	/* to .11 */
	ck_assert_mem_eq(r + ARP_FRAME_LEN, "\xee\xee\xee\xee", 4);

	/* A reply, a short frame, another protocol: not requests. */
	ck_assert_int_eq(carp_arp_req_parse(f, arp_req(f, 2, "192.0.2.11",
	    "192.0.2.100"), &q), -1);
	ck_assert_int_eq(carp_arp_req_parse(f, arp_req(f, 1, "192.0.2.11",
	    "192.0.2.100") - 1, &q), -1);
	arp_req(f, 1, "192.0.2.11", "192.0.2.100");
	put16(f + 16, 0x86dd);
	ck_assert_int_eq(carp_arp_req_parse(f, ARP_FRAME_LEN, &q), -1);
	arp_req(f, 1, "192.0.2.11", "192.0.2.100");
	f[19] = 16;
	ck_assert_int_eq(carp_arp_req_parse(f, ARP_FRAME_LEN, &q), -1);
	arp_req(f, 1, "192.0.2.11", "192.0.2.100");
	put16(f + 12, 0x8100);
	ck_assert_int_eq(carp_arp_req_parse(f, ARP_FRAME_LEN, &q), -1);
}
END_TEST

/* ---- gratuitous ARP ------------------------------------------------ */

START_TEST(garp_layout)
{
	uint8_t		f[GARP_FRAME_LEN + 4];
	struct in_addr	vip = addr("198.51.100.42");
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	const uint8_t	*arp = f + ETH_HDR_LEN;

	ck_assert_uint_eq(GARP_FRAME_LEN, 42);
	memset(f, 0xee, sizeof(f));
	ck_assert_uint_eq(garp_frame_build(mac_self, vip, f), GARP_FRAME_LEN);
	ck_assert_mem_eq(f, bcast, 6);			/* broadcast */
	ck_assert_mem_eq(f + 6, mac_self, 6);
	ck_assert_uint_eq(get16(f + 12), 0x0806);	/* ARP */
	ck_assert_uint_eq(get16(arp), 1);		/* Ethernet */
	ck_assert_uint_eq(get16(arp + 2), 0x0800);	/* IPv4 */
	ck_assert_uint_eq(arp[4], 6);
	ck_assert_uint_eq(arp[5], 4);
	ck_assert_uint_eq(get16(arp + 6), 1);		/* request */
	ck_assert_mem_eq(arp + 8, mac_self, 6);		/* sender MAC */
	ck_assert_mem_eq(arp + 14, "\xc6\x33\x64\x2a", 4); /* sender = VIP */
	ck_assert_mem_eq(arp + 18, zero, 6);		/* target MAC */
	ck_assert_mem_eq(arp + 24, "\xc6\x33\x64\x2a", 4); /* target = VIP */
	/* Nothing written past the frame. */
	ck_assert_mem_eq(f + GARP_FRAME_LEN, "\xee\xee\xee\xee", 4);
}
END_TEST


/* ---- IPv6 (doc/protocol.md, IPv6) ---------------------------------- */

/*
 * Dual-stack known answer, computed by hand from the rule with Python's
 * hmac module: "love", vhid 42, counter 0x0123456789abcdef, the IPv4
 * addresses 10.1.1.252 and 198.51.100.7 in byte order, then the IPv6
 * ones 2001:db8::1, 2001:db8::100, fe80::1:2:3:4 in byte order.
 */
#define TV6_MD		"32b5733e1859ed9598af8b64d2edb57b9319d4b5"
#define TV6_ONLY_MD	"52b6bdee66814545f1e9ede56c5454a2680b04fa"

static struct in6_addr
addr6(const char *s)
{
	struct in6_addr a;

	ck_assert_msg(inet_pton(AF_INET6, s, &a) == 1, "bad address %s", s);
	return a;
}

static void
hex_md(const uint8_t md[CARP_DIGEST_LEN], char out[2 * CARP_DIGEST_LEN + 1])
{
	for (int i = 0; i < CARP_DIGEST_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

START_TEST(hmac_dual_stack_vector)
{
	/* Given unsorted, a duplicate, the link-local with a scope in 2-3. */
	struct in_addr	 v4[] = { addr("198.51.100.7"), addr("10.1.1.252") };
	struct in6_addr	 v6[] = { addr6("fe80:5::1:2:3:4"),
			    addr6("2001:db8::100"), addr6("2001:db8::1"),
			    addr6("2001:db8::100") };
	struct carp_vipset vs;
	uint8_t		 md[CARP_DIGEST_LEN];
	char		 hex[2 * CARP_DIGEST_LEN + 1];
	size_t		 n4, n6;

	n4 = carp_sort_vips(v4, 2);
	n6 = carp_sort_vips6(v6, 4);
	ck_assert_uint_eq(n6, 3);
	ck_assert_mem_eq(v6[2].s6_addr, addr6("fe80::1:2:3:4").s6_addr, 16);
	vs = (struct carp_vipset){ v4, n4, v6, n6 };
	carp_hmac_set((const uint8_t *)TV_KEY, 4, TV_VHID, &vs, TV_COUNTER, md);
	hex_md(md, hex);
	ck_assert_str_eq(hex, TV6_MD);
	vs.n4 = 0;
	carp_hmac_set((const uint8_t *)TV_KEY, 4, TV_VHID, &vs, TV_COUNTER, md);
	hex_md(md, hex);
	ck_assert_str_eq(hex, TV6_ONLY_MD);
	/* No IPv6 address: the IPv4 vector of doc/protocol.md. */
	v4[0] = addr(TV_VIP);
	vs = (struct carp_vipset){ v4, 1, NULL, 0 };
	carp_hmac_set((const uint8_t *)TV_KEY, 4, TV_VHID, &vs, TV_COUNTER, md);
	hex_md(md, hex);
	ck_assert_str_eq(hex, TV_MD);
}
END_TEST

static void
good_frame6(uint8_t f[CARP6_FRAME_LEN])
{
	struct carp_frame6_params	p;
	struct carp_advert		a;

	memset(&p, 0, sizeof(p));
	memcpy(p.src_mac, mac_self, 6);
	p.src = addr6("fe80::200:5eff:fe10:2030");
	p.dst = addr6(CARP_DEFAULT_GROUP6);
	carp_mcast6_mac(&p.dst, p.dst_mac);
	tv_advert(&a);
	ck_assert_uint_eq(carp_frame6_build(&p, &a, f), CARP6_FRAME_LEN);
}

START_TEST(frame6_layout)
{
	static const uint8_t mac6[6] = { 0x33, 0x33, 0, 0, 0, 0x12 };
	struct carp_rx	rx;
	uint8_t		f[CARP6_FRAME_LEN];
	const uint8_t	*ip = f + ETH_HDR_LEN, *c = ip + IP6_HDR_LEN;

	good_frame6(f);
	ck_assert_mem_eq(f, mac6, 6);
	ck_assert_mem_eq(f + 6, mac_self, 6);
	ck_assert_uint_eq(get16(f + 12), 0x86dd);
	ck_assert_uint_eq(ip[0], 0x60);
	ck_assert_uint_eq(get16(ip + 4), CARP_HDR_LEN);
	ck_assert_uint_eq(ip[6], 112);
	ck_assert_uint_eq(ip[7], 255);
	ck_assert_mem_eq(ip + 24, addr6("ff02::12").s6_addr, 16);
	/* The checksum covers the CARP header only: no pseudo-header. */
	ck_assert_uint_eq(inet_cksum(c, CARP_HDR_LEN), 0);
	ck_assert_uint_eq(c[0], 0x21);
	memset(&rx, 0, sizeof(rx));
	ck_assert_drop(carp_rx_decode(f, sizeof(f), &rx), CARP_RX_OK);
	ck_assert_int_eq(rx.af, AF_INET6);
	ck_assert_mem_eq(&rx.src6, ip + 8, 16);
	ck_assert_mem_eq(&rx.dst6, ip + 24, 16);
	ck_assert_uint_eq(rx.adv.vhid, TV_VHID);
	ck_assert(rx.adv.counter == TV_COUNTER);
}
END_TEST

START_TEST(frame6_drops)
{
	static const uint8_t ext[] = { 0, 43, 60, 51, 50 };
	struct carp_rx	rx;
	uint8_t		f[CARP6_FRAME_LEN + 8];
	uint8_t		*ip = f + ETH_HDR_LEN;

	good_frame6(f);
	ip[7] = 1;		/* the hop limit: the caller checks it */
	ck_assert_drop(carp_rx_decode(f, CARP6_FRAME_LEN, &rx), CARP_RX_OK);
	ck_assert_uint_eq(rx.ttl, 1);
	good_frame6(f);
	ip[0] = 0x40;
	ck_assert_drop(carp_rx_decode(f, CARP6_FRAME_LEN, &rx),
	    CARP_DROP_IP_HEADER);
	for (size_t i = 0; i < sizeof(ext); i++) {
		good_frame6(f);
		ip[6] = ext[i];
		ck_assert_drop(carp_rx_decode(f, CARP6_FRAME_LEN, &rx),
		    CARP_DROP_EXTHDR);
	}
	good_frame6(f);
	ip[6] = 44;
	ck_assert_drop(carp_rx_decode(f, CARP6_FRAME_LEN, &rx),
	    CARP_DROP_FRAGMENT);
	good_frame6(f);
	ip[6] = 58;
	ck_assert_drop(carp_rx_decode(f, CARP6_FRAME_LEN, &rx),
	    CARP_DROP_PROTO);
	good_frame6(f);
	put16(ip + 4, CARP_HDR_LEN + 8);	/* longer than the frame */
	ck_assert_drop(carp_rx_decode(f, CARP6_FRAME_LEN, &rx),
	    CARP_DROP_IP_HEADER);
	ck_assert_drop(carp_rx_decode(f, sizeof(f), &rx), CARP_DROP_LENGTH);
	good_frame6(f);
	f[ETH_HDR_LEN + IP6_HDR_LEN + 9] ^= 1;
	ck_assert_drop(carp_rx_decode(f, CARP6_FRAME_LEN, &rx),
	    CARP_DROP_CARP_CKSUM);
	good_frame6(f);
	ck_assert_drop(carp_rx_decode(f, ETH_HDR_LEN + 39, &rx),
	    CARP_DROP_SHORT);
}
END_TEST

START_TEST(na_layout)
{
	struct in6_addr	t = addr6("2001:db8::100");
	uint8_t		f[NA_FRAME_LEN], ph[40 + 32];
	const uint8_t	*ip = f + ETH_HDR_LEN, *na = ip + IP6_HDR_LEN;

	ck_assert_uint_eq(na_frame_build(mac_self, &t, 1, f), 86);
	ck_assert_mem_eq(f, "\x33\x33\x00\x00\x00\x01", 6);
	ck_assert_uint_eq(ip[6], 58);
	ck_assert_uint_eq(ip[7], 255);
	ck_assert_mem_eq(ip + 8, t.s6_addr, 16);
	ck_assert_mem_eq(ip + 24, addr6("ff02::1").s6_addr, 16);
	ck_assert_uint_eq(na[0], 136);
	ck_assert_uint_eq(na[4], 0xa0);		/* Router, Override */
	ck_assert_mem_eq(na + 8, t.s6_addr, 16);
	ck_assert_uint_eq(na[24], 2);
	ck_assert_uint_eq(na[25], 1);
	ck_assert_mem_eq(na + 26, mac_self, 6);
	memcpy(ph, ip + 8, 32);
	memset(ph + 32, 0, 8);
	ph[35] = 32;
	ph[39] = 58;
	memcpy(ph + 40, na, 32);
	ck_assert_uint_eq(inet_cksum(ph, sizeof(ph)), 0);
	na_frame_build(mac_self, &t, 0, f);
	ck_assert_uint_eq(na[4], 0x20);
}
END_TEST

/* ---- ARP balancing, IPv6 ------------------------------------------ */

START_TEST(balance_hash6_vectors)
{
	static const struct { const char *a; uint32_t h; size_t n2; } v[] = {
		{ "::", 0x69691905u, 1 },
		{ "2001:db8::11", 0x5e5aebc4u, 0 },
		{ "2001:db8::12", 0x615af07du, 1 },
		{ "fe80::1", 0xe08432e8u, 0 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct in6_addr a = addr6(v[i].a);

		ck_assert_uint_eq(carp_balance_hash6(&a), v[i].h);
		ck_assert_uint_eq(carp_balance_node6(&a, 2), v[i].n2);
	}
}
END_TEST

/* A solicitation from `src` for `tgt`, with a source lladdr option if `sll`. */
static size_t
ns_frame(uint8_t *f, const char *src, const char *tgt, int sll)
{
	struct in6_addr	 s = addr6(src), t = addr6(tgt);
	uint8_t		*ip = f + ETH_HDR_LEN, *ns = ip + IP6_HDR_LEN, ph[40 + 32];
	size_t		 plen = sll ? 32 : 24;

	memset(f, 0, ETH_HDR_LEN + IP6_HDR_LEN + 32);
	memcpy(f, "\x33\x33\xff\x00\x01\x00", 6);
	memcpy(f + 6, mac_peer, 6);
	put16(f + 12, 0x86dd);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)plen);
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, s.s6_addr, 16);
	memcpy(ip + 24, addr6("ff02::1:ff00:100").s6_addr, 16);
	ns[0] = 135;
	memcpy(ns + 8, t.s6_addr, 16);
	if (sll) {
		ns[24] = 1;
		ns[25] = 1;
		memcpy(ns + 26, mac_self, 6);	/* differs from the frame's */
	}
	memcpy(ph, ip + 8, 32);
	memset(ph + 32, 0, 8);
	ph[35] = (uint8_t)plen;
	ph[39] = 58;
	memcpy(ph + 40, ns, plen);
	put16(ns + 2, inet_cksum(ph, 40 + plen));
	return ETH_HDR_LEN + IP6_HDR_LEN + plen;
}

START_TEST(ns_and_na_reply)
{
	uint8_t			 f[128], r[NA_REPLY_LEN], ph[40 + 32];
	static const uint8_t	 node[6] = { 0, 0, 0x5e, 0, 1, 2 };
	struct carp_ns_req	 q;
	const uint8_t		*ip = r + ETH_HDR_LEN, *na = ip + IP6_HDR_LEN;
	size_t			 n;

	n = ns_frame(f, "2001:db8::11", "2001:db8::100", 1);
	ck_assert_int_eq(carp_ns_parse(f, n, &q), 0);
	ck_assert(q.has_lladdr);
	ck_assert_mem_eq(q.lladdr, mac_self, 6);
	ck_assert_mem_eq(q.target.s6_addr, addr6("2001:db8::100").s6_addr, 16);
	ck_assert_uint_eq(carp_na_reply_build(node, &q, 0, r), 86);
	ck_assert_mem_eq(r, mac_self, 6);		/* to the option's MAC */
	ck_assert_mem_eq(r + 6, node, 6);
	ck_assert_mem_eq(ip + 8, addr6("2001:db8::100").s6_addr, 16);
	ck_assert_mem_eq(ip + 24, addr6("2001:db8::11").s6_addr, 16);
	ck_assert_uint_eq(ip[7], 255);
	ck_assert_uint_eq(na[0], 136);
	ck_assert_uint_eq(na[4], 0x60);			/* Solicited, Override */
	ck_assert_mem_eq(na + 26, node, 6);
	memcpy(ph, ip + 8, 32);
	memset(ph + 32, 0, 8);
	ph[35] = 32;
	ph[39] = 58;
	memcpy(ph + 40, na, 32);
	ck_assert_uint_eq(inet_cksum(ph, sizeof(ph)), 0);

	/* Duplicate address detection: to all nodes, not Solicited. */
	n = ns_frame(f, "::", "2001:db8::100", 0);
	ck_assert_int_eq(carp_ns_parse(f, n, &q), 0);
	carp_na_reply_build(node, &q, 1, r);
	ck_assert_mem_eq(r, "\x33\x33\x00\x00\x00\x01", 6);
	ck_assert_mem_eq(ip + 24, addr6("ff02::1").s6_addr, 16);
	ck_assert_uint_eq(na[4], 0xa0);			/* Router, Override */

	/* Refused: a bad checksum, a hop limit below 255, a lladdr from ::,
	 * a short frame, a multicast target. */
	n = ns_frame(f, "2001:db8::11", "2001:db8::100", 1);
	f[ETH_HDR_LEN + IP6_HDR_LEN + 2] ^= 1;
	ck_assert_int_eq(carp_ns_parse(f, n, &q), -1);
	n = ns_frame(f, "2001:db8::11", "2001:db8::100", 1);
	f[ETH_HDR_LEN + 7] = 64;
	ck_assert_int_eq(carp_ns_parse(f, n, &q), -1);
	n = ns_frame(f, "::", "2001:db8::100", 1);
	ck_assert_int_eq(carp_ns_parse(f, n, &q), -1);
	n = ns_frame(f, "2001:db8::11", "2001:db8::100", 1);
	ck_assert_int_eq(carp_ns_parse(f, n - 1, &q), -1);
	n = ns_frame(f, "2001:db8::11", "ff02::1", 0);
	ck_assert_int_eq(carp_ns_parse(f, n, &q), -1);
}
END_TEST

START_TEST(peer6_separate)
{
	struct carp_peer	t[CARP_MAX_PEERS];
	struct in6_addr		a = addr6("fe80::1");
	int			r;

	memset(t, 0, sizeof(t));
	/* A dual-stack peer: two sources, counters interleaved. */
	for (uint64_t c = 10; c < 20; c += 2) {
		ck_assert_drop(carp_peer_check(t, CARP_MAX_PEERS,
		    addr("192.0.2.1"), c, 1, &r), CARP_RX_OK);
		ck_assert_drop(carp_peer_check6(t, CARP_MAX_PEERS, &a, c + 1,
		    1, &r), CARP_RX_OK);
	}
	ck_assert_drop(carp_peer_check6(t, CARP_MAX_PEERS, &a, 15, 1, &r),
	    CARP_DROP_REPLAY);
}
END_TEST

/* ---- names --------------------------------------------------------- */

START_TEST(drop_names)
{
	static const char *const want[CARP_DROP_MAX] = {
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

	for (int d = 0; d < CARP_DROP_MAX; d++) {
		const char *name = carp_drop_name((enum carp_drop)d);

		ck_assert_ptr_nonnull(want[d]);
		ck_assert_ptr_nonnull(name);
		ck_assert_str_eq(name, want[d]);
		/* Stable tokens: no spaces, all distinct. */
		ck_assert_ptr_null(strchr(name, ' '));
		for (int e = 0; e < d; e++)
			ck_assert_str_ne(name, carp_drop_name((enum carp_drop)e));
	}
	ck_assert_str_eq(carp_drop_name(CARP_DROP_MAX), "invalid");
	ck_assert_str_eq(carp_drop_name((enum carp_drop)1000), "invalid");
	ck_assert_str_eq(carp_drop_name((enum carp_drop)-1), "invalid");
}
END_TEST

static Suite *
proto_suite(void)
{
	Suite	*s = suite_create("proto");
	TCase	*tc;

	tc = tcase_create("cksum");
	tcase_add_test(tc, cksum_rfc1071);
	tcase_add_test(tc, cksum_ip_header);
	tcase_add_test(tc, cksum_edges);
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_add_test(tc, advert_encode_layout);
	tcase_add_test(tc, frame_build_layout);
	tcase_add_test(tc, round_trip_vector);
	tcase_add_test(tc, round_trip_extremes);
	tcase_add_test(tc, decode_accepts_padding);
	tcase_add_test(tc, decode_accepts_ip_options);
	suite_add_tcase(s, tc);

	tc = tcase_create("decode-drops");
	tcase_add_test(tc, drop_short);
	tcase_add_test(tc, drop_ethertype);
	tcase_add_test(tc, drop_ip_header);
	tcase_add_test(tc, drop_ip_cksum);
	tcase_add_test(tc, drop_fragment);
	tcase_add_test(tc, drop_protocol);
	tcase_add_test(tc, drop_ttl);
	tcase_add_test(tc, drop_length);
	tcase_add_loop_test(tc, drop_vrrp, 0, 17);
	tcase_add_test(tc, drop_carp_cksum);
	tcase_add_test(tc, drop_version);
	tcase_add_test(tc, drop_type);
	tcase_add_test(tc, drop_authlen);
	suite_add_tcase(s, tc);

	tc = tcase_create("hmac");
	tcase_add_test(tc, hmac_vector);
	tcase_add_test(tc, hmac_verify);
	tcase_add_test(tc, hmac_round_trip);
	tcase_add_test(tc, hmac_multi_vip_sorted);
	suite_add_tcase(s, tc);

	tc = tcase_create("vips");
	tcase_add_test(tc, sort_vips_network_order);
	tcase_add_test(tc, sort_vips_dedupe);
	tcase_add_test(tc, sort_vips_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("peers");
	tcase_add_test(tc, peer_ucarp_random);
	tcase_add_test(tc, peer_counting);
	tcase_add_test(tc, peer_replay);
	tcase_add_test(tc, peer_restart);
	tcase_add_test(tc, peer_replay_in_order);
	tcase_add_test(tc, peer_replay_spoofed_source);
	tcase_add_test(tc, peer_openbsd_constant);
	tcase_add_test(tc, peer_openbsd_restart_higher);
	tcase_add_test(tc, peer_table_eviction);
	suite_add_tcase(s, tc);

	tc = tcase_create("garp");
	tcase_add_test(tc, garp_layout);
	suite_add_tcase(s, tc);

	tc = tcase_create("balance");
	tcase_add_test(tc, balance_hash_vectors);
	tcase_add_test(tc, balance_spread);
	tcase_add_test(tc, arp_request_and_reply);
	suite_add_tcase(s, tc);

	tc = tcase_create("ipv6");
	tcase_add_test(tc, hmac_dual_stack_vector);
	tcase_add_test(tc, frame6_layout);
	tcase_add_test(tc, frame6_drops);
	tcase_add_test(tc, na_layout);
	tcase_add_test(tc, peer6_separate);
	tcase_add_test(tc, balance_hash6_vectors);
	tcase_add_test(tc, ns_and_na_reply);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, drop_names);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(proto_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
