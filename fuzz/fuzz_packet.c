/*
 * fuzz_packet.c: libFuzzer target for the wire codec and the state
 * machine (src/proto.c, src/fsm.c).
 *
 * The input is an Ethernet frame as libpcap would hand it over.  When
 * carp_rx_decode() accepts it:
 * - the advert must survive encode/decode unchanged (carp_advert_encode,
 *   carp_frame_build, carp_rx_decode again);
 * - carp_hmac_verify() runs with a fixed key and 1 to 3 fixed VIPs, and
 *   must accept the digest carp_hmac() computes and refuse a changed one;
 * - a struct fsm gets START and the advert, then one event per byte of
 *   the Ethernet trailer (the bytes after the IP total length, which
 *   decode ignores).  The first trailer bytes pick the fsm's own
 *   settings.  After every step the invariants below must hold.
 * carp_peer_check() gets the advert's counter with steps taken from
 * the trailer.  Any input also goes through a forced-valid advert round trip and the
 * VIP sort.  A broken invariant calls __builtin_trap().
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "fsm.h"
#include "proto.h"
#include "fuzz_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do { if (!(x)) __builtin_trap(); } while (0)
#define MAX_EVENTS	64

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
check_same_advert(const struct carp_advert *a, const struct carp_advert *b)
{
	CHECK(a->version == b->version);
	CHECK(a->type == b->type);
	CHECK(a->vhid == b->vhid);
	CHECK(a->advskew == b->advskew);
	CHECK(a->authlen == b->authlen);
	CHECK(a->demote == b->demote);
	CHECK(a->advbase == b->advbase);
	CHECK(a->counter == b->counter);
	CHECK(memcmp(a->md, b->md, CARP_DIGEST_LEN) == 0);
}

/* decode(build(x)) == x, for an advert decode can accept. */
static void
roundtrip(const struct carp_rx *rx, uint16_t ip_id, uint8_t tos)
{
	struct carp_frame_params	p;
	struct carp_rx			back;
	uint8_t				frame[CARP_FRAME_LEN];

	memset(&p, 0, sizeof(p));
	memcpy(p.src_mac, rx->src_mac, 6);
	memcpy(p.dst_mac, rx->dst_mac, 6);
	p.src = rx->src;
	p.dst = rx->dst;
	p.ip_id = ip_id;
	p.tos = tos;
	CHECK(carp_frame_build(&p, &rx->adv, frame) == CARP_FRAME_LEN);
	memset(&back, 0, sizeof(back));
	CHECK(carp_rx_decode(frame, sizeof(frame), &back) == CARP_RX_OK);
	CHECK(back.src.s_addr == rx->src.s_addr);
	CHECK(back.dst.s_addr == rx->dst.s_addr);
	CHECK(memcmp(back.src_mac, rx->src_mac, 6) == 0);
	CHECK(memcmp(back.dst_mac, rx->dst_mac, 6) == 0);
	check_same_advert(&back.adv, &rx->adv);
}

/* Any bytes, forced into a valid header, must round trip too. */
static void
roundtrip_any(const uint8_t *data, size_t size)
{
	uint8_t		buf[sizeof(struct carp_rx)];
	struct carp_rx	rx;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, data, size < sizeof(buf) ? size : sizeof(buf));
	memcpy(&rx, buf, sizeof(rx));
	rx.adv.version = CARP_VERSION;
	rx.adv.type = CARP_TYPE_ADVERT;
	rx.adv.authlen = CARP_AUTHLEN;
	roundtrip(&rx, size > 1 ? get16(data) : 0, size > 2 ? data[2] : 0);
}

static void
check_sort(const uint8_t *data, size_t size)
{
	struct in_addr	v[8];
	size_t		n = size / 4 < 8 ? size / 4 : 8, out;

	memcpy(v, data, n * 4);
	out = carp_sort_vips(v, n);
	CHECK(out <= n && (n == 0 || out >= 1));
	for (size_t i = 1; i < out; i++)
		CHECK(memcmp(&v[i - 1], &v[i], sizeof(v[0])) < 0);
}

static void
check_hmac(const struct carp_advert *adv)
{
	static const char	*const names[3] = { FUZZ_VIP0, FUZZ_VIP1,
				    FUZZ_VIP2 };
	const uint8_t		*key = (const uint8_t *)FUZZ_KEY;
	size_t			 keylen = strlen(FUZZ_KEY);
	struct in_addr		 vips[3];
	size_t			 n = FUZZ_NVIPS(adv->vhid);
	struct carp_advert	 a = *adv;
	uint8_t			 md[CARP_DIGEST_LEN];
	int			 ok;

	for (size_t i = 0; i < 3; i++)
		inet_pton(AF_INET, names[i], &vips[i]);
	CHECK(carp_sort_vips(vips, n) == n);
	ok = carp_hmac_verify(key, keylen, vips, n, adv);
	carp_hmac(key, keylen, adv->vhid, vips, n, adv->counter, md);
	CHECK(ok == (memcmp(md, adv->md, CARP_DIGEST_LEN) == 0));
	memcpy(a.md, md, CARP_DIGEST_LEN);
	CHECK(carp_hmac_verify(key, keylen, vips, n, &a) == 1);
	a.md[adv->counter % CARP_DIGEST_LEN] ^= 1;
	CHECK(carp_hmac_verify(key, keylen, vips, n, &a) == 0);
	a.md[adv->counter % CARP_DIGEST_LEN] ^= 1;
	a.counter++;
	CHECK(carp_hmac_verify(key, keylen, vips, n, &a) == 0);
}

/* The invariants of one fsm_step(). */
static void
check_step(const struct fsm *f, enum carp_state before,
    const struct fsm_output *o)
{
	CHECK(f->state == CARP_INIT || f->state == CARP_BACKUP ||
	    f->state == CARP_MASTER);
	CHECK(o->from == before && o->to == f->state);
	CHECK((o->reason == FSM_R_NONE) == (o->from == o->to));
	CHECK((unsigned)o->reason < FSM_R_MAX);
	if (o->from == o->to)
		return;
	CHECK(!(o->from == CARP_INIT && o->to == CARP_MASTER));
	if (o->to == CARP_MASTER)
		CHECK((o->actions & FSM_ACT_SEND_ADVERT) &&
		    (o->actions & FSM_ACT_RUN_UP) &&
		    (o->actions & FSM_ACT_STOP_DOWN) &&
		    (o->actions & FSM_ACT_ARM_ADVERT));
	if (o->from == CARP_MASTER) {
		CHECK(o->actions & FSM_ACT_RUN_DOWN);
		CHECK(o->actions & FSM_ACT_STOP_ADVERT);
		CHECK(!(o->actions & FSM_ACT_RUN_UP));
	}
	if (o->from == CARP_MASTER && o->to == CARP_INIT)
		CHECK(o->actions & FSM_ACT_SEND_BOWOUT);
	if (o->to == CARP_BACKUP)
		CHECK((o->actions & FSM_ACT_ARM_DOWN) &&
		    !(o->actions & FSM_ACT_RUN_UP));
	if (o->to == CARP_INIT)
		CHECK(!(o->actions & (FSM_ACT_ARM_DOWN | FSM_ACT_ARM_ADVERT |
		    FSM_ACT_RUN_UP)));
}

static void
step(struct fsm *f, const struct fsm_input *in)
{
	struct fsm_output	o;
	enum carp_state		before = f->state;
	bool			held = f->hold_backup;

	fsm_step(f, in, &o);
	check_step(f, before, &o);
	/* A forced backup does not preempt until the master is gone. */
	CHECK(!(held && o.reason == FSM_R_PREEMPT));
	if (in->ev == FSM_EV_FORCE_BACKUP && before != CARP_INIT)
		CHECK(f->hold_backup && f->state == CARP_BACKUP);
	/* The outcomes that follow from the rules in fsm.c. */
	if (in->ev == FSM_EV_DOWN_TIMER && before == CARP_BACKUP)
		CHECK(f->state == CARP_MASTER);
	if (in->ev == FSM_EV_SHUTDOWN || in->ev == FSM_EV_LINK_DOWN)
		CHECK(f->state == CARP_INIT);
	if (in->ev == FSM_EV_FORCE_BACKUP && before == CARP_MASTER)
		CHECK(f->state == CARP_BACKUP &&
		    (o.actions & FSM_ACT_SEND_BOWOUT));
	if (in->ev == FSM_EV_ADVERT && before == CARP_INIT)
		CHECK(f->state == CARP_INIT && o.actions == 0);
	if (in->ev == FSM_EV_ADVERT_TIMER && before != CARP_MASTER)
		CHECK(o.actions == 0);
}

static void
run_fsm(const struct carp_rx *rx, const uint8_t *t, size_t tlen)
{
	struct fsm_config	c;
	struct fsm_input	in;
	struct fsm		f;
	size_t			i = 0;
	uint8_t			flags = tlen > 0 ? t[i++] : rx->adv.vhid;

	memset(&c, 0, sizeof(c));
	c.preempt = flags & 1;
	c.neutral = flags & 2;
	c.shutdown_script = flags & 4;
	c.downfmt = (enum fsm_downfmt)((flags >> 3) % 3);
	c.advbase = i < tlen ? t[i++] : 1;
	c.advskew = i < tlen ? t[i++] % 255 : 0;
	c.deadratio = i < tlen ? t[i++] : 3;
	if (c.deadratio == 0)
		c.deadratio = 1;
	if (c.advbase == 0 && c.advskew == 0)	/* refused by options.c */
		c.advskew = 1;
	inet_pton(AF_INET, FUZZ_SELF, &c.self);
	CHECK(fsm_down_us(&c) >= fsm_advert_us(&c));

	fsm_init(&f, &c);
	CHECK(f.state == CARP_INIT);
	memset(&in, 0, sizeof(in));
	in.ev = FSM_EV_START;
	step(&f, &in);
	CHECK(f.state == CARP_BACKUP);

	for (size_t n = 0; n <= MAX_EVENTS && (n == 0 || i < tlen); n++) {
		uint8_t b = n == 0 ? FSM_EV_ADVERT : t[i++];

		memset(&in, 0, sizeof(in));
		in.ev = (enum fsm_event)(b % FSM_EV_MAX);
		if (in.ev == FSM_EV_ADVERT) {
			in.src = rx->src;
			in.advbase = rx->adv.advbase;
			in.advskew = rx->adv.advskew;
			/* High bits: the same advert from us, or a bow-out. */
			if (b & 0x80)
				in.src = c.self;
			if (b & 0x40)
				in.advbase = in.advskew = CARP_BOWOUT;
		}
#ifndef FUZZ_FSM_RAW_EVENTS
		/*
		 * fsm_step() takes START and LINK_UP in MASTER too, and goes
		 * to BACKUP without STOP_ADVERT (LINK_UP: nor RUN_DOWN).  The
		 * runtime only sends them in INIT (vhid_try_start() on a new
		 * vhid, link.c's vhids_event()), so do the same here; build
		 * with -DFUZZ_FSM_RAW_EVENTS to feed them in any state.
		 */
		if ((in.ev == FSM_EV_START || in.ev == FSM_EV_LINK_UP) &&
		    f.state != CARP_INIT)
			continue;
#endif
		step(&f, &in);
	}
}

/*
 * Replay protection: a counter fed twice in a row from a peer known to
 * increase its counter is a replay; from a constant-counter peer it is
 * not.  Sources vary in the low bits (more than CARP_MAX_PEERS of them,
 * so slots get evicted), counters by a signed step per trailer byte.
 */
static void
check_peers(const struct carp_rx *rx, const uint8_t *t, size_t tlen)
{
	struct carp_peer	 peers[CARP_MAX_PEERS];
	struct carp_peer	*e;
	struct in_addr		 src = rx->src;
	uint64_t		 counter = rx->adv.counter;
	int			 rebased;

	memset(peers, 0, sizeof(peers));
	for (size_t i = 0; i <= tlen && i < MAX_EVENTS; i++) {
		long long	now = (long long)i + 1;
		enum carp_drop	d;

		if (i > 0) {
			src.s_addr ^= htonl(t[i - 1] & 0x0f);
			counter += (uint64_t)(int64_t)(int8_t)t[i - 1];
		}
		d = carp_peer_check(peers, CARP_MAX_PEERS, src, counter, now,
		    &rebased);
		CHECK(d == CARP_RX_OK || d == CARP_DROP_REPLAY);
		CHECK(!rebased || d == CARP_RX_OK);
		e = NULL;
		for (size_t j = 0; j < CARP_MAX_PEERS; j++)
			/* IPv4 peers are kept as IPv4-mapped addresses. */
			if (peers[j].seen != 0 && memcmp(peers[j].src.s6_addr +
			    12, &src.s_addr, 4) == 0)
				e = &peers[j];
		CHECK(e != NULL && e->seen == now);
		if (d != CARP_RX_OK)
			continue;
		CHECK(e->cur.hi == counter);
		d = carp_peer_check(peers, CARP_MAX_PEERS, src, counter, now,
		    &rebased);
		/* Held: a replay.  Not held: fine, unless another counting
		 * peer has used that counter (a recording from elsewhere). */
		if (e->counting)
			CHECK(d == CARP_DROP_REPLAY);
	}
}

/*
 * ARP balancing's parsers on the same bytes: what they accept builds an
 * answer to the address asked for (and to the asker).
 */
static void
balance_parsers(const uint8_t *data, size_t size)
{
	struct carp_arp_req	q;
	struct carp_ns_req	n;
	uint8_t			out[NA_REPLY_LEN];
	static const uint8_t	mac[6] = { 0, 0, 0x5e, 0, 1, 1 };

	if (carp_arp_req_parse(data, size, &q) == 0) {
		carp_arp_reply_build(mac, &q, out);
		CHECK(memcmp(out + 28, &q.tpa.s_addr, 4) == 0);
		CHECK(carp_balance_node(q.spa, 3) < 3);
	}
	if (carp_ns_parse(data, size, &n) == 0) {
		CHECK(!n.has_lladdr || !IN6_IS_ADDR_UNSPECIFIED(&n.src));
		carp_na_reply_build(mac, &n, 0, out);
		CHECK(memcmp(out + 14 + 8, n.target.s6_addr, 16) == 0);
		CHECK(carp_balance_node6(&n.src, 5) < 5);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carp_rx	rx;
	enum carp_drop	d;
	size_t		ihl, tot;

	roundtrip_any(data, size);
	check_sort(data, size);
	balance_parsers(data, size);

	memset(&rx, 0, sizeof(rx));
	d = carp_rx_decode(data, size, &rx);
	CHECK((unsigned)d < CARP_DROP_MAX);
	CHECK(carp_drop_name(d) != NULL);
	if (d != CARP_RX_OK)
		return 0;

	ihl = (size_t)(data[ETH_HDR_LEN] & 0x0f) * 4;
	tot = get16(data + ETH_HDR_LEN + 2);
	CHECK(ihl >= IP4_HDR_LEN && tot == ihl + CARP_HDR_LEN);
	CHECK(size >= ETH_HDR_LEN + tot);
	CHECK(rx.adv.version == CARP_VERSION);
	CHECK(rx.adv.type == CARP_TYPE_ADVERT);
	CHECK(rx.adv.authlen == CARP_AUTHLEN);

	/* encode(x) is the header we received, checksum aside. */
	{
		const uint8_t	*c = data + ETH_HDR_LEN + ihl;
		uint8_t		 hdr[CARP_HDR_LEN];

		carp_advert_encode(&rx.adv, hdr);
		CHECK(inet_cksum(hdr, CARP_HDR_LEN) == 0);
		CHECK(memcmp(hdr, c, 6) == 0);
		CHECK(memcmp(hdr + 8, c + 8, CARP_HDR_LEN - 8) == 0);
	}
	roundtrip(&rx, get16(data + ETH_HDR_LEN + 4), data[ETH_HDR_LEN + 1]);
	check_hmac(&rx.adv);
	run_fsm(&rx, data + ETH_HDR_LEN + tot, size - ETH_HDR_LEN - tot);
	check_peers(&rx, data + ETH_HDR_LEN + tot, size - ETH_HDR_LEN - tot);
	return 0;
}
