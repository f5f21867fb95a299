/*
 * test_fsm.c: unit tests of the CARP state machine (src/fsm.c) against
 * the rules in its header comment and doc/protocol.md.
 *
 * The first half drives one struct fsm by hand.  The second half is a
 * small discrete-event simulator with a fake clock in microseconds: it
 * keeps each node's advert and master-down deadlines as the actions ask
 * (FSM_ACT_ARM_ADVERT: now + fsm_advert_us, FSM_ACT_ARM_DOWN: now +
 * fsm_down_us), fires the timer events in time order, and connects the
 * nodes as a LAN where every SEND_ADVERT / SEND_BOWOUT arrives at the
 * other nodes as FSM_EV_ADVERT after a configurable latency (plus
 * optional pseudo-random jitter).  At equal times, deliveries go before
 * timers, then timers in node order.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "fsm.h"
#include "proto.h"		/* CARP_BOWOUT */

#define SEC		UINT64_C(1000000)
#define NEVER		UINT64_MAX

#define MASTER_ACTS	(FSM_ACT_SEND_ADVERT | FSM_ACT_SEND_GARP | \
			 FSM_ACT_RUN_UP | FSM_ACT_ARM_ADVERT)
#define ALL_ACTS	0x07ffu

static struct in_addr
addr(const char *s)
{
	struct in_addr a;

	ck_assert_msg(inet_pton(AF_INET, s, &a) == 1, "bad address %s", s);
	return a;
}

static const char *
acts_str(unsigned a, char *buf, size_t len)
{
	static const char *const names[] = { "SEND_BOWOUT", "SEND_ADVERT",
	    "SEND_GARP", "STOP_ADVERT", "STOP_DOWN", "ARM_ADVERT", "ARM_DOWN",
	    "RUN_UP", "RUN_DOWN", "REARM_ADVERT", "ARM_HANDOVER" };
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(a & (1u << i)) || off >= len)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    off ? "|" : "", names[i]);
	}
	if ((a & ~ALL_ACTS) && off < len)
		snprintf(buf + off, len - off, "|0x%x", a & ~ALL_ACTS);
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
	return buf;
}

/* The actions include all of `must` and none of `mustnot`. */
#define ck_assert_acts(o, must, mustnot) do {				\
	char _b1[160], _b2[160], _b3[160];				\
	unsigned _a = (o)->actions, _m = (must), _n = (mustnot);	\
	ck_assert_msg((_a & _m) == _m && (_a & _n) == 0,		\
	    "actions %s; want all of %s, none of %s",			\
	    acts_str(_a, _b1, sizeof(_b1)), acts_str(_m, _b2, sizeof(_b2)), \
	    acts_str(_n, _b3, sizeof(_b3)));				\
} while (0)

/* Exactly these actions. */
#define ck_assert_acts_eq(o, want) \
	ck_assert_acts(o, want, ALL_ACTS & ~(unsigned)(want))

#define ck_assert_trans(o, f, t, r) do {				\
	const struct fsm_output *_o = (o);				\
	ck_assert_msg(_o->from == (f) && _o->to == (t) && _o->reason == (r), \
	    "transition %s -> %s (%s); want %s -> %s (%s)",		\
	    carp_state_name(_o->from), carp_state_name(_o->to),		\
	    fsm_reason_name(_o->reason), carp_state_name(f),		\
	    carp_state_name(t), fsm_reason_name(r));			\
} while (0)

#define ck_assert_no_trans(o, s) ck_assert_trans(o, s, s, FSM_R_NONE)

static struct fsm_config
config(const char *self, uint8_t advbase, uint8_t advskew)
{
	struct fsm_config c;

	memset(&c, 0, sizeof(c));
	c.advbase = advbase;
	c.advskew = advskew;
	c.deadratio = 3;
	c.self = addr(self);
	c.downfmt = FSM_DOWN_AUTO;
	return c;
}

static void
step(struct fsm *f, enum fsm_event ev, struct fsm_output *o)
{
	struct fsm_input in;

	memset(&in, 0, sizeof(in));
	in.ev = ev;
	memset(o, 0x5a, sizeof(*o));
	fsm_step(f, &in, o);
}

static void
advert(struct fsm *f, const char *src, uint8_t advbase, uint8_t advskew,
    struct fsm_output *o)
{
	struct fsm_input in;

	memset(&in, 0, sizeof(in));
	in.ev = FSM_EV_ADVERT;
	in.src = addr(src);
	in.advbase = advbase;
	in.advskew = advskew;
	memset(o, 0x5a, sizeof(*o));
	fsm_step(f, &in, o);
}

static void
make_backup(struct fsm *f, const struct fsm_config *c)
{
	struct fsm_output o;

	fsm_init(f, c);
	ck_assert_int_eq(f->state, CARP_INIT);
	step(f, FSM_EV_START, &o);
	ck_assert_int_eq(f->state, CARP_BACKUP);
}

static void
make_master(struct fsm *f, const struct fsm_config *c)
{
	struct fsm_output o;

	make_backup(f, c);
	step(f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_int_eq(f->state, CARP_MASTER);
}

/* ================= names and intervals ============================== */

START_TEST(names)
{
	static const char *const states[] = { "INIT", "BACKUP", "MASTER" };
	static const char *const reasons[FSM_R_MAX] = {
		[FSM_R_NONE] = "none",
		[FSM_R_STARTUP] = "startup",
		[FSM_R_MASTER_DOWN] = "master-down",
		[FSM_R_PREEMPT] = "preempt",
		[FSM_R_BOWOUT] = "master-bowed-out",
		[FSM_R_PREFERRED_MASTER] = "preferred-master",
		[FSM_R_FORCED_BACKUP] = "forced-backup",
		[FSM_R_FORCED_MASTER] = "forced-master",
		[FSM_R_SHUTDOWN] = "shutdown",
		[FSM_R_LINK_DOWN] = "link-down",
		[FSM_R_LINK_UP] = "link-up",
		[FSM_R_DEMOTED] = "demoted",
		[FSM_R_DEMOTED_MASTER] = "demoted-master",
		[FSM_R_SYNC_GROUP] = "sync-group",
		[FSM_R_CHILD_STOPPED] = "network-process-stopped",
	};

	for (int s = 0; s < CARP_STATE_MAX; s++)
		ck_assert_str_eq(carp_state_name((enum carp_state)s), states[s]);
	ck_assert_str_eq(carp_state_name(CARP_STATE_MAX), "?");
	for (int r = 0; r < FSM_R_MAX; r++)
		ck_assert_str_eq(fsm_reason_name((enum fsm_reason)r), reasons[r]);
	ck_assert_str_eq(fsm_reason_name(FSM_R_MAX), "?");
	for (int e = 0; e < FSM_EV_MAX; e++) {
		const char *n = fsm_event_name((enum fsm_event)e);

		ck_assert_ptr_nonnull(n);
		ck_assert_str_ne(n, "?");
		for (int e2 = 0; e2 < e; e2++)
			ck_assert_str_ne(n, fsm_event_name((enum fsm_event)e2));
	}
	ck_assert_str_eq(fsm_event_name(FSM_EV_MAX), "?");
}
END_TEST

START_TEST(intervals)
{
	struct fsm_config c = config("192.0.2.10", 1, 100);

	ck_assert_uint_eq(fsm_interval_us(1, 0), 1000000);
	ck_assert_uint_eq(fsm_interval_us(1, 100), 1390625);
	ck_assert_uint_eq(fsm_interval_us(0, 1), 3906);	/* 3906.25 */
	ck_assert_uint_eq(fsm_interval_us(0, 128), 500000);
	ck_assert_uint_eq(fsm_interval_us(2, 254), 2992187);
	ck_assert_uint_eq(fsm_interval_us(CARP_BOWOUT, CARP_BOWOUT),
	    255996093);
	ck_assert_uint_eq(fsm_advert_us(&c), 1390625);
	/* Interval order is the (advbase, advskew) pair order. */
	ck_assert_uint_lt(fsm_interval_us(0, 255), fsm_interval_us(1, 0));
	ck_assert_uint_lt(fsm_interval_us(1, 254), fsm_interval_us(1, 255));
	ck_assert_uint_lt(fsm_interval_us(1, 255), fsm_interval_us(2, 0));
}
END_TEST

START_TEST(down_formulas)
{
	struct fsm_config c = config("192.0.2.10", 1, 100);

	/* ucarp/FreeBSD: deadratio*advbase + advskew/256 */
	c.downfmt = FSM_DOWN_UCARP;
	ck_assert_uint_eq(fsm_down_us(&c), 3390625);
	/* OpenBSD: deadratio*(advbase + advskew/256) */
	c.downfmt = FSM_DOWN_OPENBSD;
	ck_assert_uint_eq(fsm_down_us(&c), 4171875);
	/* auto: ucarp's unless advbase is 0 */
	c.downfmt = FSM_DOWN_AUTO;
	ck_assert_uint_eq(fsm_down_us(&c), 3390625);

	c.advbase = 0;
	c.downfmt = FSM_DOWN_UCARP;	/* degenerates to one interval */
	ck_assert_uint_eq(fsm_down_us(&c), 390625);
	ck_assert_uint_eq(fsm_down_us(&c), fsm_advert_us(&c));
	c.downfmt = FSM_DOWN_OPENBSD;
	ck_assert_uint_eq(fsm_down_us(&c), 1171875);
	c.downfmt = FSM_DOWN_AUTO;
	ck_assert_uint_eq(fsm_down_us(&c), 1171875);
	c.advskew = 1;
	ck_assert_uint_eq(fsm_down_us(&c), 3 * 3906);

	/* deadratio and advbase scale; advskew is added once (ucarp). */
	c = config("192.0.2.10", 2, 0);
	c.deadratio = 5;
	ck_assert_uint_eq(fsm_down_us(&c), 10 * SEC);
	c = config("192.0.2.10", 1, 100);
	c.deadratio = 1;
	ck_assert_uint_eq(fsm_down_us(&c), 1390625);
	c.deadratio = 255;
	c.advbase = 255;
	c.advskew = 255;
	c.downfmt = FSM_DOWN_UCARP;
	ck_assert_uint_eq(fsm_down_us(&c), 255 * 255 * SEC + 996093);
	c.downfmt = FSM_DOWN_OPENBSD;
	ck_assert_uint_eq(fsm_down_us(&c), 255 * UINT64_C(255996093));
}
END_TEST

/* ================= single state machine ============================= */

START_TEST(start_to_backup)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	fsm_init(&f, &c);
	ck_assert_int_eq(f.state, CARP_INIT);
	step(&f, FSM_EV_START, &o);
	ck_assert_trans(&o, CARP_INIT, CARP_BACKUP, FSM_R_STARTUP);
	ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN | FSM_ACT_RUN_DOWN);
	ck_assert_int_eq(f.state, CARP_BACKUP);

	/* A second start changes nothing. */
	step(&f, FSM_EV_START, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	ck_assert_acts_eq(&o, 0);
}
END_TEST

START_TEST(start_neutral)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	c.neutral = true;
	fsm_init(&f, &c);
	step(&f, FSM_EV_START, &o);
	ck_assert_trans(&o, CARP_INIT, CARP_BACKUP, FSM_R_STARTUP);
	ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN);
}
END_TEST

START_TEST(start_never_master)
{
	/* Nobody goes straight to MASTER, whatever the configuration. */
	struct fsm_config	c = config("192.0.2.10", 0, 1);
	struct fsm		f;
	struct fsm_output	o;

	c.preempt = true;
	fsm_init(&f, &c);
	step(&f, FSM_EV_START, &o);
	ck_assert_int_eq(f.state, CARP_BACKUP);
	ck_assert_acts(&o, FSM_ACT_ARM_DOWN, MASTER_ACTS);
}
END_TEST

START_TEST(master_down)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	make_backup(&f, &c);
	step(&f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_MASTER_DOWN);
	ck_assert_acts(&o, MASTER_ACTS, FSM_ACT_ARM_DOWN | FSM_ACT_RUN_DOWN |
	    FSM_ACT_SEND_BOWOUT | FSM_ACT_STOP_ADVERT);
	ck_assert_int_eq(f.state, CARP_MASTER);
}
END_TEST

START_TEST(timers_in_wrong_state)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	fsm_init(&f, &c);
	step(&f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_no_trans(&o, CARP_INIT);
	ck_assert_acts_eq(&o, 0);
	step(&f, FSM_EV_ADVERT_TIMER, &o);
	ck_assert_no_trans(&o, CARP_INIT);
	ck_assert_acts_eq(&o, 0);

	make_backup(&f, &c);
	step(&f, FSM_EV_ADVERT_TIMER, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	ck_assert_acts_eq(&o, 0);

	make_master(&f, &c);
	step(&f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_no_trans(&o, CARP_MASTER);
	ck_assert_acts_eq(&o, 0);
}
END_TEST

/*
 * The state machine asks for one GARP on takeover; the repeats (ucarp's
 * second one two adverts later, bursts, refresh) are the runtime's
 * schedule in vhid.c, so the advert timer never carries one.
 */
START_TEST(advert_timer)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	for (int round = 0; round < 2; round++) {
		if (round == 0)
			make_master(&f, &c);
		else {
			/* Step down and come back: the same again. */
			advert(&f, "192.0.2.5", 0, 200, &o);
			ck_assert_int_eq(f.state, CARP_BACKUP);
			step(&f, FSM_EV_DOWN_TIMER, &o);
			ck_assert_int_eq(f.state, CARP_MASTER);
			ck_assert_acts(&o, MASTER_ACTS, 0);
		}
		for (int i = 0; i < 100; i++) {
			step(&f, FSM_EV_ADVERT_TIMER, &o);
			ck_assert_no_trans(&o, CARP_MASTER);
			ck_assert_acts_eq(&o, FSM_ACT_SEND_ADVERT |
			    FSM_ACT_ARM_ADVERT);
		}
	}
}
END_TEST

START_TEST(backup_restarts_down_timer)
{
	/* Without preempt a backup only restarts its timer, whoever sends. */
	static const struct { const char *src; uint8_t base, skew; } peers[] = {
		{ "192.0.2.20", 1, 0 },		/* equal interval */
		{ "192.0.2.1", 1, 0 },		/* equal, lower address */
		{ "192.0.2.20", 1, 200 },	/* less frequent */
		{ "192.0.2.20", 0, 50 },	/* more frequent */
		{ "192.0.2.20", 3, 0 },		/* at our master-down: not above */
	};
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	ck_assert_uint_eq(fsm_down_us(&c), fsm_interval_us(3, 0));
	make_backup(&f, &c);
	for (size_t i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		advert(&f, peers[i].src, peers[i].base, peers[i].skew, &o);
		ck_assert_no_trans(&o, CARP_BACKUP);
		ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN);
	}
}
END_TEST

START_TEST(preempt_on)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	c.preempt = true;
	make_backup(&f, &c);
	/* The master advertises less often: take over at once. */
	advert(&f, "192.0.2.20", 1, 100, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_PREEMPT);
	ck_assert_acts(&o, MASTER_ACTS, FSM_ACT_ARM_DOWN | FSM_ACT_RUN_DOWN);

	/* Lower address does not matter: only a smaller interval preempts. */
	make_backup(&f, &c);
	advert(&f, "198.51.100.5", 1, 0, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN);

	/* More frequent master: stay. */
	advert(&f, "192.0.2.20", 0, 255, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN);

	/* advbase counts before advskew: 1 + 200/256 < 2 + 0/256. */
	c.advskew = 200;
	make_backup(&f, &c);
	advert(&f, "192.0.2.20", 2, 0, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_PREEMPT);

	/* Smallest difference: one advskew step. */
	c.advskew = 10;
	make_backup(&f, &c);
	advert(&f, "192.0.2.20", 1, 11, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_PREEMPT);
}
END_TEST

START_TEST(preempt_off)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	make_backup(&f, &c);
	for (int i = 0; i < 10; i++) {
		advert(&f, "192.0.2.20", 1, 100, &o);
		ck_assert_no_trans(&o, CARP_BACKUP);
		ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN);
	}
}
END_TEST

START_TEST(bowout_backup)
{
	struct fsm_config	c = config("192.0.2.10", 1, 100);
	struct fsm		f;
	struct fsm_output	o;

	/* advskew 100: the hand-over wait first, then MASTER. */
	ck_assert_uint_eq(fsm_handover_us(&c), 4000);
	make_backup(&f, &c);
	advert(&f, "192.0.2.1", CARP_BOWOUT, CARP_BOWOUT, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	ck_assert_acts_eq(&o, FSM_ACT_ARM_HANDOVER);
	/* A second bow-out does not push the takeover back. */
	advert(&f, "192.0.2.1", CARP_BOWOUT, CARP_BOWOUT, &o);
	ck_assert_acts_eq(&o, 0);
	step(&f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_BOWOUT);
	ck_assert_acts(&o, MASTER_ACTS, FSM_ACT_ARM_DOWN | FSM_ACT_RUN_DOWN);
	/* Once MASTER, the next master-down is a plain one again. */
	advert(&f, "192.0.2.1", 0, 1, &o);
	step(&f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_MASTER_DOWN);

	/* The same for any interval above our master-down interval. */
	make_backup(&f, &c);
	advert(&f, "192.0.2.1", 3, 101, &o);	/* 3.394 s > 3.390625 s */
	ck_assert_acts_eq(&o, FSM_ACT_ARM_HANDOVER);
	make_backup(&f, &c);
	advert(&f, "192.0.2.1", 3, 100, &o);	/* equal: not above */
	ck_assert_no_trans(&o, CARP_BACKUP);
	ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN);

	/* advskew 0: no wait, MASTER at once. */
	c = config("192.0.2.10", 0, 0);
	c.advbase = 1;
	make_backup(&f, &c);
	advert(&f, "192.0.2.1", CARP_BOWOUT, CARP_BOWOUT, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_BOWOUT);
	ck_assert_acts(&o, MASTER_ACTS, FSM_ACT_ARM_DOWN | FSM_ACT_RUN_DOWN);

	/* advbase 0 (auto: OpenBSD formula, 3 * 100/256 s). */
	c = config("192.0.2.10", 0, 100);
	make_backup(&f, &c);
	advert(&f, "192.0.2.1", CARP_BOWOUT, CARP_BOWOUT, &o);
	ck_assert_acts_eq(&o, FSM_ACT_ARM_HANDOVER);
	step(&f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_BOWOUT);
}
END_TEST

START_TEST(handover_yield)
{
	/*
	 * Waiting after a bow-out: a more preferred backup's advert calls
	 * the takeover off (full master-down again); a less preferred one
	 * that went first (a ucarp) does not.
	 */
	struct fsm_config	c = config("192.0.2.20", 1, 100);
	struct fsm		f;
	struct fsm_output	o;

	make_backup(&f, &c);
	advert(&f, "192.0.2.1", CARP_BOWOUT, CARP_BOWOUT, &o);
	advert(&f, "192.0.2.10", 1, 50, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN);
	ck_assert(!f.handover);
	step(&f, FSM_EV_DOWN_TIMER, &o);	/* that one died later */
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_MASTER_DOWN);

	make_backup(&f, &c);
	advert(&f, "192.0.2.1", CARP_BOWOUT, CARP_BOWOUT, &o);
	advert(&f, "192.0.2.30", 1, 150, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	ck_assert_acts_eq(&o, 0);
	step(&f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_BOWOUT);

	/* Equal interval: the tie-break decides (lower address wins). */
	make_backup(&f, &c);
	advert(&f, "192.0.2.1", CARP_BOWOUT, CARP_BOWOUT, &o);
	advert(&f, "192.0.2.19", 1, 100, &o);
	ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN);
}
END_TEST

START_TEST(bowout_backup_preempt)
{
	/*
	 * With preempt on, both rules apply; the backup must still take
	 * over at once.  (carpd logs "preempt" here: see the report.)
	 */
	struct fsm_config	c = config("192.0.2.10", 1, 100);
	struct fsm		f;
	struct fsm_output	o;

	c.preempt = true;
	make_backup(&f, &c);
	advert(&f, "192.0.2.1", CARP_BOWOUT, CARP_BOWOUT, &o);
	/* It waits its hand-over time like any backup. */
	ck_assert_acts_eq(&o, FSM_ACT_ARM_HANDOVER);
	step(&f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_int_eq(f.state, CARP_MASTER);
	ck_assert_int_eq(o.to, CARP_MASTER);
	ck_assert_msg(o.reason == FSM_R_BOWOUT || o.reason == FSM_R_PREEMPT,
	    "reason %s", fsm_reason_name(o.reason));
	ck_assert_acts(&o, MASTER_ACTS, FSM_ACT_ARM_DOWN | FSM_ACT_RUN_DOWN);
}
END_TEST

START_TEST(master_yields_to_more_frequent)
{
	static const struct { uint8_t base, skew; } peers[] = {
		{ 1, 99 }, { 1, 0 }, { 0, 255 }, { 0, 1 },
	};
	struct fsm_config	c = config("192.0.2.10", 1, 100);
	struct fsm		f;
	struct fsm_output	o;

	for (size_t i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		make_master(&f, &c);
		/* Even from a higher address. */
		advert(&f, "203.0.113.200", peers[i].base, peers[i].skew, &o);
		ck_assert_trans(&o, CARP_MASTER, CARP_BACKUP,
		    FSM_R_PREFERRED_MASTER);
		ck_assert_acts(&o, FSM_ACT_STOP_ADVERT | FSM_ACT_ARM_DOWN |
		    FSM_ACT_RUN_DOWN, FSM_ACT_RUN_UP | FSM_ACT_ARM_ADVERT |
		    FSM_ACT_SEND_BOWOUT | FSM_ACT_SEND_GARP | FSM_ACT_STOP_DOWN);
	}
}
END_TEST

START_TEST(master_stays_on_less_frequent)
{
	static const struct { uint8_t base, skew; } peers[] = {
		{ 1, 101 }, { 2, 0 }, { 1, 255 },
		{ CARP_BOWOUT, CARP_BOWOUT },
	};
	struct fsm_config	c = config("198.51.100.5", 1, 100);
	struct fsm		f;
	struct fsm_output	o;

	make_master(&f, &c);
	for (size_t i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		/* Even from a lower address. */
		advert(&f, "192.0.2.1", peers[i].base, peers[i].skew, &o);
		ck_assert_no_trans(&o, CARP_MASTER);
		ck_assert_acts_eq(&o, FSM_ACT_SEND_ADVERT | FSM_ACT_SEND_GARP);
	}
}
END_TEST

/*
 * Equal intervals: the address with the lower fsm_tie_key() stays MASTER,
 * the order of ucarp on a little-endian host (the last octet weighs
 * most).  `agree` marks the pairs where network byte order gives the same
 * winner; in the others a carpd comparing in network order and a ucarp
 * both stay MASTER.
 */
static const struct {
	const char	*win, *lose;
	bool		 agree;
} tie_pairs[] = {
	{ "198.51.100.1", "192.0.2.10", false },
	{ "203.0.113.1", "192.0.2.200", false },
	{ "203.0.113.1", "198.51.100.254", false },
	{ "192.0.2.1", "192.0.2.2", true },	/* one /24: the orders agree */
	{ "203.0.113.1", "203.0.113.254", true },
	{ "192.0.2.1", "198.51.100.5", true },
	{ "192.0.2.5", "198.51.100.5", true },	/* same last octet */
};
#define NTIE_PAIRS	(int)(sizeof(tie_pairs) / sizeof(tie_pairs[0]))

static bool
little_endian(void)
{
	return htonl(1) != 1;
}

START_TEST(tie_key)
{
	/* Byte 0 of the address is the least significant, on any host. */
	ck_assert_uint_eq(fsm_tie_key(addr("192.0.2.10")), 0x0a0200c0);
	ck_assert_uint_eq(fsm_tie_key(addr("198.51.100.1")), 0x016433c6);
	ck_assert_uint_eq(fsm_tie_key(addr("203.0.113.254")), 0xfe7100cb);
	ck_assert_uint_eq(fsm_tie_key(addr("0.0.0.0")), 0);
	ck_assert_uint_eq(fsm_tie_key(addr("255.255.255.255")), 0xffffffff);
}
END_TEST

START_TEST(tie_break_ucarp_order)
{
	struct in_addr		win = addr(tie_pairs[_i].win);
	struct in_addr		lose = addr(tie_pairs[_i].lose);
	struct fsm_config	c;
	struct fsm		f;
	struct fsm_output	o;

	ck_assert(fsm_tie_key(win) < fsm_tie_key(lose));
	ck_assert_int_eq(ntohl(win.s_addr) < ntohl(lose.s_addr),
	    tie_pairs[_i].agree);
	/* On this host's kind of CPU, ucarp's own comparison. */
	if (little_endian())
		ck_assert_uint_lt(win.s_addr, lose.s_addr);

	for (unsigned k = 0; k < 3; k++) {
		uint8_t skew = (uint8_t)(k * 127);	/* 0, 127, 254 */

		/* The winner stays MASTER and answers at once. */
		c = config(tie_pairs[_i].win, 1, skew);
		make_master(&f, &c);
		advert(&f, tie_pairs[_i].lose, 1, skew, &o);
		ck_assert_no_trans(&o, CARP_MASTER);
		ck_assert_acts_eq(&o, FSM_ACT_SEND_ADVERT | FSM_ACT_SEND_GARP);

		/* The other one steps down. */
		c = config(tie_pairs[_i].lose, 1, skew);
		make_master(&f, &c);
		advert(&f, tie_pairs[_i].win, 1, skew, &o);
		ck_assert_trans(&o, CARP_MASTER, CARP_BACKUP,
		    FSM_R_PREFERRED_MASTER);
		ck_assert_acts(&o, FSM_ACT_ARM_DOWN | FSM_ACT_RUN_DOWN,
		    FSM_ACT_RUN_UP);

		/* A backup never preempts on a tie, winner or not. */
		c = config(tie_pairs[_i].win, 1, skew);
		c.preempt = true;
		make_backup(&f, &c);
		advert(&f, tie_pairs[_i].lose, 1, skew, &o);
		ck_assert_no_trans(&o, CARP_BACKUP);
		ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN);
	}
}
END_TEST

/*
 * Two masters without addresses of their own send from the same virtual
 * address (carpdev): the lower MAC address stays MASTER.
 */
START_TEST(tie_break_same_address)
{
	static const uint8_t	lo[6] = { 2, 0, 0, 0, 0, 0x0a };
	static const uint8_t	hi[6] = { 2, 0, 0, 0, 0, 0x0b };
	struct fsm_config	c = config("192.0.2.100", 1, 100);
	struct fsm_input	in;
	struct fsm		f;
	struct fsm_output	o;

	memset(&in, 0, sizeof(in));
	in.ev = FSM_EV_ADVERT;
	in.src = c.self;
	in.advbase = 1;
	in.advskew = 100;

	memcpy(c.self_mac, lo, 6);
	make_master(&f, &c);
	memcpy(in.src_mac, hi, 6);
	fsm_step(&f, &in, &o);
	ck_assert_no_trans(&o, CARP_MASTER);
	ck_assert_acts_eq(&o, FSM_ACT_SEND_ADVERT | FSM_ACT_SEND_GARP);

	memcpy(c.self_mac, hi, 6);
	make_master(&f, &c);
	memcpy(in.src_mac, lo, 6);
	fsm_step(&f, &in, &o);
	ck_assert_trans(&o, CARP_MASTER, CARP_BACKUP, FSM_R_PREFERRED_MASTER);
}
END_TEST

START_TEST(shutdown_master)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	for (int script = 0; script < 2; script++) {
		c.shutdown_script = script;
		make_master(&f, &c);
		step(&f, FSM_EV_SHUTDOWN, &o);
		ck_assert_trans(&o, CARP_MASTER, CARP_INIT, FSM_R_SHUTDOWN);
		ck_assert_acts(&o, FSM_ACT_SEND_BOWOUT | FSM_ACT_RUN_DOWN |
		    FSM_ACT_STOP_ADVERT, FSM_ACT_SEND_ADVERT |
		    FSM_ACT_SEND_GARP | FSM_ACT_ARM_ADVERT | FSM_ACT_ARM_DOWN |
		    FSM_ACT_RUN_UP);
		ck_assert_int_eq(f.state, CARP_INIT);

		/* Nothing moves it out of INIT but START / LINK_UP. */
		step(&f, FSM_EV_SHUTDOWN, &o);
		ck_assert_no_trans(&o, CARP_INIT);
		ck_assert_acts_eq(&o, 0);
		step(&f, FSM_EV_DOWN_TIMER, &o);
		ck_assert_acts_eq(&o, 0);
		advert(&f, "192.0.2.1", CARP_BOWOUT, CARP_BOWOUT, &o);
		ck_assert_no_trans(&o, CARP_INIT);
		ck_assert_acts_eq(&o, 0);
	}
}
END_TEST

START_TEST(shutdown_backup)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	make_backup(&f, &c);
	step(&f, FSM_EV_SHUTDOWN, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_INIT, FSM_R_SHUTDOWN);
	ck_assert_acts(&o, FSM_ACT_STOP_DOWN, FSM_ACT_RUN_DOWN |
	    FSM_ACT_SEND_BOWOUT | FSM_ACT_SEND_ADVERT | FSM_ACT_ARM_DOWN |
	    FSM_ACT_ARM_ADVERT | FSM_ACT_RUN_UP);

	/* ucarp --shutdown: the down script at exit even as backup. */
	c.shutdown_script = true;
	make_backup(&f, &c);
	step(&f, FSM_EV_SHUTDOWN, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_INIT, FSM_R_SHUTDOWN);
	ck_assert_acts(&o, FSM_ACT_STOP_DOWN | FSM_ACT_RUN_DOWN,
	    FSM_ACT_SEND_BOWOUT | FSM_ACT_SEND_ADVERT | FSM_ACT_ARM_DOWN |
	    FSM_ACT_ARM_ADVERT | FSM_ACT_RUN_UP);
}
END_TEST

START_TEST(force_backup_master)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	c.preempt = true;
	make_master(&f, &c);
	step(&f, FSM_EV_FORCE_BACKUP, &o);
	ck_assert_trans(&o, CARP_MASTER, CARP_BACKUP, FSM_R_FORCED_BACKUP);
	ck_assert_acts(&o, FSM_ACT_SEND_BOWOUT | FSM_ACT_STOP_ADVERT |
	    FSM_ACT_ARM_DOWN | FSM_ACT_RUN_DOWN, FSM_ACT_SEND_ADVERT |
	    FSM_ACT_SEND_GARP | FSM_ACT_ARM_ADVERT | FSM_ACT_RUN_UP);

	/* Hold: a less frequent master does not make us preempt ... */
	for (int i = 0; i < 20; i++) {
		advert(&f, "192.0.2.20", 1, 100, &o);
		ck_assert_no_trans(&o, CARP_BACKUP);
		ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN);
	}
	/* ... until that master dies. */
	step(&f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_MASTER_DOWN);
	/* The hold is over: preempt works again next time. */
	advert(&f, "192.0.2.5", 0, 10, &o);
	ck_assert_trans(&o, CARP_MASTER, CARP_BACKUP, FSM_R_PREFERRED_MASTER);
	advert(&f, "192.0.2.20", 1, 100, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_PREEMPT);
}
END_TEST

START_TEST(force_backup_hold_ends_on_bowout)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	c.preempt = true;
	make_master(&f, &c);
	step(&f, FSM_EV_FORCE_BACKUP, &o);
	advert(&f, "192.0.2.20", 1, 100, &o);
	ck_assert_int_eq(f.state, CARP_BACKUP);
	/* The new master is forced away in turn: take over at once. */
	advert(&f, "192.0.2.20", CARP_BOWOUT, CARP_BOWOUT, &o);
	ck_assert_int_eq(f.state, CARP_MASTER);
	ck_assert_acts(&o, MASTER_ACTS, 0);
}
END_TEST

START_TEST(force_backup_backup_and_init)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	/* A backup that is forced stays, and stops preempting. */
	c.preempt = true;
	make_backup(&f, &c);
	step(&f, FSM_EV_FORCE_BACKUP, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	ck_assert_acts(&o, 0, FSM_ACT_SEND_BOWOUT | FSM_ACT_SEND_ADVERT |
	    FSM_ACT_RUN_DOWN | FSM_ACT_RUN_UP);
	advert(&f, "192.0.2.20", 1, 100, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	step(&f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_MASTER_DOWN);

	/* In INIT there is nothing to do. */
	fsm_init(&f, &c);
	step(&f, FSM_EV_FORCE_BACKUP, &o);
	ck_assert_no_trans(&o, CARP_INIT);
	ck_assert_acts_eq(&o, 0);
}
END_TEST

START_TEST(force_master)
{
	struct fsm_config	c = config("192.0.2.10", 1, 200);
	struct fsm		f;
	struct fsm_output	o;

	make_backup(&f, &c);
	advert(&f, "192.0.2.20", 1, 0, &o);
	step(&f, FSM_EV_FORCE_MASTER, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_FORCED_MASTER);
	ck_assert_acts(&o, MASTER_ACTS, FSM_ACT_ARM_DOWN | FSM_ACT_RUN_DOWN |
	    FSM_ACT_SEND_BOWOUT);

	step(&f, FSM_EV_FORCE_MASTER, &o);
	ck_assert_no_trans(&o, CARP_MASTER);
	ck_assert_acts_eq(&o, 0);

	fsm_init(&f, &c);
	step(&f, FSM_EV_FORCE_MASTER, &o);
	ck_assert_no_trans(&o, CARP_INIT);
	ck_assert_acts_eq(&o, 0);

	/* Forcing master ends a forced-backup hold. */
	c.preempt = true;
	c.advskew = 0;
	make_master(&f, &c);
	step(&f, FSM_EV_FORCE_BACKUP, &o);
	step(&f, FSM_EV_FORCE_MASTER, &o);
	ck_assert_int_eq(f.state, CARP_MASTER);
	advert(&f, "192.0.2.5", 0, 10, &o);
	ck_assert_int_eq(f.state, CARP_BACKUP);
	advert(&f, "192.0.2.20", 1, 100, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_PREEMPT);
}
END_TEST

START_TEST(link_down_up)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	/* Master: bow out, run the down script, wait in INIT. */
	make_master(&f, &c);
	step(&f, FSM_EV_LINK_DOWN, &o);
	ck_assert_trans(&o, CARP_MASTER, CARP_INIT, FSM_R_LINK_DOWN);
	ck_assert_acts(&o, FSM_ACT_SEND_BOWOUT | FSM_ACT_STOP_ADVERT |
	    FSM_ACT_RUN_DOWN, FSM_ACT_SEND_ADVERT | FSM_ACT_ARM_ADVERT |
	    FSM_ACT_ARM_DOWN | FSM_ACT_RUN_UP);
	step(&f, FSM_EV_LINK_DOWN, &o);
	ck_assert_no_trans(&o, CARP_INIT);
	ck_assert_acts_eq(&o, 0);
	advert(&f, "192.0.2.20", 1, 100, &o);
	ck_assert_no_trans(&o, CARP_INIT);
	ck_assert_acts_eq(&o, 0);

	/* Link up: BACKUP, wait one master-down interval. */
	step(&f, FSM_EV_LINK_UP, &o);
	ck_assert_trans(&o, CARP_INIT, CARP_BACKUP, FSM_R_LINK_UP);
	ck_assert_acts(&o, FSM_ACT_ARM_DOWN, MASTER_ACTS |
	    FSM_ACT_SEND_BOWOUT);
	step(&f, FSM_EV_LINK_UP, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	ck_assert_acts_eq(&o, 0);
	step(&f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_MASTER_DOWN);

	/* Backup: no bow-out, no script. */
	make_backup(&f, &c);
	step(&f, FSM_EV_LINK_DOWN, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_INIT, FSM_R_LINK_DOWN);
	ck_assert_acts(&o, FSM_ACT_STOP_DOWN, FSM_ACT_SEND_BOWOUT |
	    FSM_ACT_SEND_ADVERT | FSM_ACT_RUN_DOWN | FSM_ACT_RUN_UP |
	    FSM_ACT_ARM_DOWN | FSM_ACT_ARM_ADVERT);
	step(&f, FSM_EV_LINK_UP, &o);
	ck_assert_trans(&o, CARP_INIT, CARP_BACKUP, FSM_R_LINK_UP);
}
END_TEST

/* ================= demotion (OpenBSD's rules) ======================= */

static void
advert_d(struct fsm *f, const char *src, uint8_t advbase, uint8_t advskew,
    uint8_t demote, struct fsm_output *o)
{
	struct fsm_input in;

	memset(&in, 0, sizeof(in));
	in.ev = FSM_EV_ADVERT;
	in.src = addr(src);
	in.advbase = advbase;
	in.advskew = advskew;
	in.demote = demote;
	memset(o, 0x5a, sizeof(*o));
	fsm_step(f, &in, o);
}

static void
demote(struct fsm *f, uint8_t d, struct fsm_output *o)
{
	struct fsm_input in;

	memset(&in, 0, sizeof(in));
	in.ev = FSM_EV_DEMOTE;
	in.demote = d;
	memset(o, 0x5a, sizeof(*o));
	fsm_step(f, &in, o);
}

/* A master steps down to a less demoted peer, whatever its interval. */
START_TEST(demote_master_lower_peer)
{
	struct fsm_config c = config("192.0.2.10", 1, 0);
	struct fsm f;
	struct fsm_output o;

	make_master(&f, &c);
	demote(&f, 1, &o);
	ck_assert_no_trans(&o, CARP_MASTER);
	ck_assert_acts_eq(&o, FSM_ACT_SEND_ADVERT | FSM_ACT_REARM_ADVERT);
	advert_d(&f, "192.0.2.20", 5, 200, 0, &o);
	ck_assert_trans(&o, CARP_MASTER, CARP_BACKUP, FSM_R_DEMOTED);
}
END_TEST

/* ... keeps a more demoted one away even if it is more frequent. */
START_TEST(demote_master_higher_peer)
{
	struct fsm_config c = config("192.0.2.10", 5, 100);
	struct fsm f;
	struct fsm_output o;

	make_master(&f, &c);
	advert_d(&f, "192.0.2.20", 1, 0, 3, &o);
	ck_assert_no_trans(&o, CARP_MASTER);
	ck_assert_acts(&o, FSM_ACT_SEND_ADVERT, 0);
	/* Equal demotion: the intervals decide as before. */
	demote(&f, 3, &o);
	advert_d(&f, "192.0.2.20", 1, 0, 3, &o);
	ck_assert_trans(&o, CARP_MASTER, CARP_BACKUP, FSM_R_PREFERRED_MASTER);
}
END_TEST

/* A backup takes over from a more demoted master without preempt. */
START_TEST(demote_backup_takes_over)
{
	struct fsm_config c = config("192.0.2.10", 5, 100);
	struct fsm f;
	struct fsm_output o;

	make_backup(&f, &c);
	advert_d(&f, "192.0.2.20", 1, 0, 1, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_DEMOTED_MASTER);
	ck_assert_acts(&o, MASTER_ACTS, 0);
}
END_TEST

/* A backup never preempts a less demoted master; equal ones as before. */
START_TEST(demote_backup_preempt)
{
	struct fsm_config c = config("192.0.2.10", 1, 0);
	struct fsm f;
	struct fsm_output o;

	c.preempt = true;
	make_backup(&f, &c);
	demote(&f, 2, &o);
	ck_assert_acts_eq(&o, 0);
	advert_d(&f, "192.0.2.20", 1, 100, 1, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN);
	advert_d(&f, "192.0.2.20", 1, 100, 2, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_PREEMPT);
	/* The bow-out advert still hands over. */
	make_backup(&f, &c);
	demote(&f, 200, &o);
	advert_d(&f, "192.0.2.20", CARP_BOWOUT, CARP_BOWOUT, 0, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_BOWOUT);
}
END_TEST

/* Forced backup and the preempt delay. */
START_TEST(demote_holds)
{
	struct fsm_config c = config("192.0.2.10", 1, 0);
	struct fsm f;
	struct fsm_output o;

	c.preempt = true;
	make_master(&f, &c);
	step(&f, FSM_EV_FORCE_BACKUP, &o);
	advert_d(&f, "192.0.2.20", 1, 100, 5, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	make_backup(&f, &c);
	fsm_hold_preempt(&f, true);
	advert_d(&f, "192.0.2.20", 1, 100, 0, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	advert_d(&f, "192.0.2.20", 1, 100, 1, &o);	/* demotion still moves */
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_DEMOTED_MASTER);
	make_backup(&f, &c);
	fsm_hold_preempt(&f, true);
	fsm_hold_preempt(&f, false);
	advert_d(&f, "192.0.2.20", 1, 100, 0, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_PREEMPT);
}
END_TEST

/* FreeBSD's way: the demotion raises the advskew sent, up to 240. */
START_TEST(demote_skew)
{
	struct fsm_config c = config("192.0.2.10", 1, 100);
	struct fsm f;
	struct fsm_output o;

	make_master(&f, &c);
	demote(&f, 50, &o);
	ck_assert_uint_eq(fsm_sent_advskew(&f), 100);	/* off */
	ck_assert_uint_eq(fsm_cur_advert_us(&f), fsm_advert_us(&c));
	c.demote_skew = FSM_SKEW_ADD;
	make_master(&f, &c);
	ck_assert_uint_eq(fsm_sent_advskew(&f), 100);
	demote(&f, 50, &o);
	ck_assert_uint_eq(fsm_sent_advskew(&f), 150);
	ck_assert_uint_eq(fsm_cur_advert_us(&f), fsm_interval_us(1, 150));
	ck_assert_uint_eq(fsm_cur_down_us(&f), 3 * SEC + 150 * SEC / 256);
	demote(&f, 255, &o);
	ck_assert_uint_eq(fsm_sent_advskew(&f), FSM_SKEW_DEMOTE_MAX);
	c.advskew = 250;
	make_master(&f, &c);
	demote(&f, 10, &o);
	ck_assert_uint_eq(fsm_sent_advskew(&f), 250);	/* never lowered */
	c.advskew = 10;
	c.demote_skew = FSM_SKEW_MAX;
	make_master(&f, &c);
	ck_assert_uint_eq(fsm_sent_advskew(&f), 10);
	demote(&f, 1, &o);
	ck_assert_uint_eq(fsm_sent_advskew(&f), FSM_SKEW_DEMOTE_MAX);
	demote(&f, 0, &o);
	ck_assert_uint_eq(fsm_sent_advskew(&f), 10);
	c.demote_skew = FSM_SKEW_ADD;
	/* A ucarp backup with preempt (demote 0, skew 120) now wins. */
	c.advskew = 100;
	make_master(&f, &c);
	demote(&f, 50, &o);
	advert_d(&f, "192.0.2.20", 1, 120, 0, &o);
	ck_assert_trans(&o, CARP_MASTER, CARP_BACKUP, FSM_R_DEMOTED);
	/* Undemoted again, preempting beats the ucarp master's 120. */
	c.preempt = true;
	make_backup(&f, &c);
	demote(&f, 50, &o);
	advert_d(&f, "192.0.2.20", 1, 120, 0, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	demote(&f, 0, &o);
	advert_d(&f, "192.0.2.20", 1, 120, 0, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_PREEMPT);
}
END_TEST

/* ================= sync groups ====================================== */

/* A backup pulled up by its sync group becomes master at once. */
START_TEST(sync_master_backup)
{
	struct fsm_config	c = config("192.0.2.10", 1, 100);
	struct fsm		f;
	struct fsm_output	o;

	make_backup(&f, &c);
	advert(&f, "192.0.2.20", 1, 0, &o);
	step(&f, FSM_EV_SYNC_MASTER, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_SYNC_GROUP);
	ck_assert_acts(&o, MASTER_ACTS | FSM_ACT_STOP_DOWN, FSM_ACT_ARM_DOWN |
	    FSM_ACT_RUN_DOWN | FSM_ACT_SEND_BOWOUT);
	/* Its own transition pulls nothing. */
	ck_assert(!fsm_sync_pulls(&o));
	/* Master already: nothing to do. */
	step(&f, FSM_EV_SYNC_MASTER, &o);
	ck_assert_no_trans(&o, CARP_MASTER);
	ck_assert_acts_eq(&o, 0);
}
END_TEST

/* INIT (waiting for its interface) and a forced backup stay. */
START_TEST(sync_master_init_and_forced)
{
	struct fsm_config	c = config("192.0.2.10", 1, 0);
	struct fsm		f;
	struct fsm_output	o;

	fsm_init(&f, &c);
	step(&f, FSM_EV_SYNC_MASTER, &o);
	ck_assert_no_trans(&o, CARP_INIT);
	ck_assert_acts_eq(&o, 0);

	c.preempt = true;
	make_master(&f, &c);
	step(&f, FSM_EV_FORCE_BACKUP, &o);
	ck_assert_int_eq(f.state, CARP_BACKUP);
	step(&f, FSM_EV_SYNC_MASTER, &o);
	ck_assert_no_trans(&o, CARP_BACKUP);
	ck_assert_acts_eq(&o, 0);
	/* The hold ends as before: when the master dies. */
	step(&f, FSM_EV_DOWN_TIMER, &o);
	ck_assert_trans(&o, CARP_BACKUP, CARP_MASTER, FSM_R_MASTER_DOWN);
}
END_TEST

/*
 * Pulled up against a healthy, preferred master: its next advert (it
 * answers ours at once) sends us back, and nothing in that pulls the
 * group again.  Then we stay BACKUP as long as it advertises.
 */
START_TEST(sync_master_steps_back)
{
	struct fsm_config	c = config("192.0.2.10", 1, 100);
	struct fsm		f;
	struct fsm_output	o;

	c.preempt = true;
	make_backup(&f, &c);
	advert(&f, "192.0.2.20", 1, 0, &o);
	step(&f, FSM_EV_SYNC_MASTER, &o);
	ck_assert_int_eq(f.state, CARP_MASTER);
	advert(&f, "192.0.2.20", 1, 0, &o);
	ck_assert_trans(&o, CARP_MASTER, CARP_BACKUP, FSM_R_PREFERRED_MASTER);
	ck_assert(!fsm_sync_pulls(&o));
	for (int i = 0; i < 20; i++) {
		advert(&f, "192.0.2.20", 1, 0, &o);
		ck_assert_no_trans(&o, CARP_BACKUP);
		ck_assert_acts_eq(&o, FSM_ACT_ARM_DOWN);
	}
	/* A less demoted master sends it back too. */
	make_backup(&f, &c);
	demote(&f, 1, &o);
	step(&f, FSM_EV_SYNC_MASTER, &o);
	ck_assert_int_eq(f.state, CARP_MASTER);
	advert_d(&f, "192.0.2.20", 1, 200, 0, &o);
	ck_assert_trans(&o, CARP_MASTER, CARP_BACKUP, FSM_R_DEMOTED);
	/* A less preferred master does not: it is the one to step down. */
	make_backup(&f, &c);
	step(&f, FSM_EV_SYNC_MASTER, &o);
	advert(&f, "192.0.2.20", 1, 200, &o);
	ck_assert_no_trans(&o, CARP_MASTER);
}
END_TEST

/* Which transitions pull a sync group: the network's takeovers only. */
START_TEST(sync_pulls)
{
	struct fsm_output o;

	for (int r = 0; r < FSM_R_MAX; r++) {
		bool want = r == FSM_R_MASTER_DOWN || r == FSM_R_PREEMPT ||
		    r == FSM_R_BOWOUT || r == FSM_R_DEMOTED_MASTER;

		memset(&o, 0, sizeof(o));
		o.from = CARP_BACKUP;
		o.to = CARP_MASTER;
		o.reason = (enum fsm_reason)r;
		ck_assert_msg(fsm_sync_pulls(&o) == want, "reason %s",
		    fsm_reason_name(o.reason));
		o.from = CARP_MASTER;
		ck_assert(!fsm_sync_pulls(&o));
		o.to = CARP_BACKUP;
		ck_assert(!fsm_sync_pulls(&o));
		o.from = CARP_INIT;
		o.to = CARP_BACKUP;
		ck_assert(!fsm_sync_pulls(&o));
	}
}
END_TEST

/* ================= simulator ======================================== */

#define SIM_NODES	5
#define SIM_QUEUE	64
#define SIM_LOG		256
#define SIM_MAX_STEPS	10000000ul

struct sim_msg {
	uint64_t		at;
	uint64_t		seq;
	int			to;
	struct fsm_input	in;
};

struct sim_trans {
	uint64_t		at;
	int			node;
	enum carp_state		from, to;
	enum fsm_reason		reason;
};

struct sim_node {
	struct fsm	fsm;
	bool		running;
	uint64_t	advert_at, down_at;
	char		last_script;	/* 'u' or 'd' */
	unsigned	adverts, bowouts, garps, ups, downs, transitions;
	uint64_t	last_rx;	/* when an advert last arrived */
	uint64_t	max_rx_gap;	/* longest wait between two, as backup */
};

struct sim {
	uint64_t	now, seq;
	int		n;
	struct sim_node	node[SIM_NODES];
	bool		cut[SIM_NODES][SIM_NODES];
	uint64_t	latency;
	uint32_t	jitter;		/* extra delay, 0..jitter us */
	uint32_t	rng;
	struct sim_msg	q[SIM_QUEUE];
	int		nq;
	struct sim_trans log[SIM_LOG];
	int		nlog;
	unsigned long	steps;
};

static void
sim_init(struct sim *s, uint64_t latency, uint32_t jitter)
{
	memset(s, 0, sizeof(*s));
	s->latency = latency;
	s->jitter = jitter;
	s->rng = 2463534242u;
}

static uint32_t
sim_rand(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 17;
	s->rng ^= s->rng << 5;
	return s->rng;
}

static int
sim_add(struct sim *s, const struct fsm_config *c)
{
	struct sim_node *nd;

	ck_assert_int_lt(s->n, SIM_NODES);
	nd = &s->node[s->n];
	fsm_init(&nd->fsm, c);
	nd->advert_at = nd->down_at = NEVER;
	nd->last_rx = NEVER;
	return s->n++;
}

static void
sim_send(struct sim *s, int from, uint8_t advbase, uint8_t advskew)
{
	for (int to = 0; to < s->n; to++) {
		struct sim_msg *m;

		if (to == from || !s->node[to].running || s->cut[from][to])
			continue;
		ck_assert_int_lt(s->nq, SIM_QUEUE);
		m = &s->q[s->nq++];
		m->at = s->now + s->latency +
		    (s->jitter ? sim_rand(s) % (s->jitter + 1) : 0);
		m->seq = s->seq++;
		m->to = to;
		memset(&m->in, 0, sizeof(m->in));
		m->in.ev = FSM_EV_ADVERT;
		m->in.src = s->node[from].fsm.cfg.self;
		m->in.advbase = advbase;
		m->in.advskew = advskew;
	}
}

/* The deadlines must match the state after every step. */
static void
sim_check_node(const struct sim *s, int i)
{
	const struct sim_node *nd = &s->node[i];

	switch (nd->fsm.state) {
	case CARP_INIT:
		ck_assert_msg(nd->advert_at == NEVER && nd->down_at == NEVER,
		    "t=%llu node %d: INIT with a timer armed",
		    (unsigned long long)s->now, i);
		break;
	case CARP_BACKUP:
		ck_assert_msg(nd->advert_at == NEVER && nd->down_at != NEVER,
		    "t=%llu node %d: BACKUP needs the down timer only",
		    (unsigned long long)s->now, i);
		break;
	case CARP_MASTER:
		ck_assert_msg(nd->advert_at != NEVER && nd->down_at == NEVER,
		    "t=%llu node %d: MASTER needs the advert timer only",
		    (unsigned long long)s->now, i);
		break;
	default:
		ck_abort_msg("node %d: state %d", i, nd->fsm.state);
	}
}

static void
sim_feed(struct sim *s, int i, const struct fsm_input *in)
{
	struct sim_node		*nd = &s->node[i];
	struct fsm_output	 o;
	enum carp_state		 before = nd->fsm.state;
	unsigned		 a;

	fsm_step(&nd->fsm, in, &o);
	a = o.actions;
	ck_assert_int_eq(o.from, before);
	ck_assert_int_eq(o.to, nd->fsm.state);
	if (o.reason == FSM_R_NONE)
		ck_assert_int_eq(o.to, o.from);
	else {
		ck_assert_int_ne(o.to, o.from);
		nd->transitions++;
		if (s->nlog < SIM_LOG)
			s->log[s->nlog] = (struct sim_trans){ s->now, i,
			    o.from, o.to, o.reason };
		s->nlog++;
	}
	/* Up script exactly on becoming MASTER, never twice in a row. */
	ck_assert_int_eq(!!(a & FSM_ACT_RUN_UP),
	    o.reason != FSM_R_NONE && o.to == CARP_MASTER);

	/* In the documented order. */
	if (a & FSM_ACT_SEND_BOWOUT) {
		nd->bowouts++;
		sim_send(s, i, CARP_BOWOUT, CARP_BOWOUT);
	}
	if (a & FSM_ACT_SEND_ADVERT) {
		nd->adverts++;
		sim_send(s, i, nd->fsm.cfg.advbase, nd->fsm.cfg.advskew);
	}
	if (a & FSM_ACT_SEND_GARP)
		nd->garps++;
	if (a & FSM_ACT_STOP_ADVERT)
		nd->advert_at = NEVER;
	if (a & FSM_ACT_STOP_DOWN)
		nd->down_at = NEVER;
	if (a & FSM_ACT_ARM_ADVERT)
		nd->advert_at = s->now + fsm_advert_us(&nd->fsm.cfg);
	if (a & FSM_ACT_ARM_DOWN)
		nd->down_at = s->now + fsm_down_us(&nd->fsm.cfg);
	if (a & FSM_ACT_ARM_HANDOVER)
		nd->down_at = s->now + fsm_handover_us(&nd->fsm.cfg);
	if (a & FSM_ACT_RUN_UP) {
		ck_assert_msg(nd->last_script != 'u',
		    "node %d: up script twice in a row", i);
		nd->ups++;
		nd->last_script = 'u';
	}
	if (a & FSM_ACT_RUN_DOWN) {
		nd->downs++;
		nd->last_script = 'd';
	}
	sim_check_node(s, i);
}

static void
sim_event(struct sim *s, int i, enum fsm_event ev)
{
	struct fsm_input in;

	memset(&in, 0, sizeof(in));
	in.ev = ev;
	sim_feed(s, i, &in);
}

static void
sim_start(struct sim *s, int i)
{
	struct fsm_config c = s->node[i].fsm.cfg;

	/* A (re)started daemon has a fresh state machine. */
	fsm_init(&s->node[i].fsm, &c);
	s->node[i].running = true;
	s->node[i].last_rx = NEVER;
	sim_event(s, i, FSM_EV_START);
}

/* The node dies without a word: no bow-out, its timers vanish. */
static void
sim_kill(struct sim *s, int i)
{
	struct sim_node *nd = &s->node[i];
	int k = 0;

	nd->running = false;
	nd->advert_at = nd->down_at = NEVER;
	for (int j = 0; j < s->nq; j++)
		if (s->q[j].to != i)
			s->q[k++] = s->q[j];
	s->nq = k;
}

static void
sim_deliver(struct sim *s, int j)
{
	struct sim_msg	 m = s->q[j];
	struct sim_node	*nd = &s->node[m.to];

	s->q[j] = s->q[--s->nq];
	if (nd->fsm.state == CARP_BACKUP && nd->last_rx != NEVER &&
	    s->now - nd->last_rx > nd->max_rx_gap)
		nd->max_rx_gap = s->now - nd->last_rx;
	nd->last_rx = s->now;
	sim_feed(s, m.to, &m.in);
}

/* Run every event up to and including time `until`. */
static void
sim_run(struct sim *s, uint64_t until)
{
	for (;;) {
		uint64_t	best = NEVER;
		int		msg = -1, node = -1;
		bool		down = false;

		for (int j = 0; j < s->nq; j++)
			if (msg < 0 || s->q[j].at < s->q[msg].at ||
			    (s->q[j].at == s->q[msg].at &&
			    s->q[j].seq < s->q[msg].seq))
				msg = j;
		if (msg >= 0)
			best = s->q[msg].at;
		for (int i = 0; i < s->n; i++) {
			const struct sim_node *nd = &s->node[i];

			if (!nd->running)
				continue;
			if (nd->down_at < best) {
				best = nd->down_at;
				node = i, down = true, msg = -1;
			}
			if (nd->advert_at < best) {
				best = nd->advert_at;
				node = i, down = false, msg = -1;
			}
		}
		if (best == NEVER || best > until)
			break;
		ck_assert_uint_ge(best, s->now);
		s->now = best;
		ck_assert_uint_lt(++s->steps, SIM_MAX_STEPS);
		if (msg >= 0)
			sim_deliver(s, msg);
		else if (down) {
			s->node[node].down_at = NEVER;
			sim_event(s, node, FSM_EV_DOWN_TIMER);
		} else {
			s->node[node].advert_at = NEVER;
			sim_event(s, node, FSM_EV_ADVERT_TIMER);
		}
	}
	s->now = until;
}

static int
sim_masters(const struct sim *s, int *which)
{
	int n = 0;

	for (int i = 0; i < s->n; i++)
		if (s->node[i].running && s->node[i].fsm.state == CARP_MASTER) {
			n++;
			if (which)
				*which = i;
		}
	return n;
}

/* The last logged transition of node i, or NULL. */
static const struct sim_trans *
sim_last_trans(const struct sim *s, int i)
{
	for (int k = (s->nlog < SIM_LOG ? s->nlog : SIM_LOG) - 1; k >= 0; k--)
		if (s->log[k].node == i)
			return &s->log[k];
	return NULL;
}

static unsigned
sim_transitions_after(const struct sim *s, uint64_t t)
{
	unsigned n = 0;

	ck_assert_int_le(s->nlog, SIM_LOG);
	for (int k = 0; k < s->nlog; k++)
		if (s->log[k].at > t)
			n++;
	return n;
}

#define ck_assert_last_trans(s, i, t, f, to_, r) do {			\
	const struct sim_trans *_t = sim_last_trans(s, i);		\
	ck_assert_ptr_nonnull(_t);					\
	ck_assert_msg(_t->at == (t) && _t->from == (f) &&		\
	    _t->to == (to_) && _t->reason == (r),			\
	    "node %d: t=%llu %s -> %s (%s); want t=%llu %s -> %s (%s)",	\
	    (i), (unsigned long long)_t->at, carp_state_name(_t->from),	\
	    carp_state_name(_t->to), fsm_reason_name(_t->reason),	\
	    (unsigned long long)(t), carp_state_name(f),		\
	    carp_state_name(to_), fsm_reason_name(r));			\
} while (0)

/* ================= simulations ====================================== */

START_TEST(sim_two_converge)
{
	struct sim		s;
	struct fsm_config	ca = config("192.0.2.10", 1, 0);
	struct fsm_config	cb = config("192.0.2.20", 1, 100);
	int			a, b, m = -1;

	sim_init(&s, 0, 0);
	b = sim_add(&s, &cb);
	a = sim_add(&s, &ca);
	sim_start(&s, a);
	sim_start(&s, b);
	sim_run(&s, 2999999);
	ck_assert_int_eq(sim_masters(&s, NULL), 0);
	/* A's master-down interval (3 s) runs out first. */
	sim_run(&s, 3 * SEC);
	ck_assert_last_trans(&s, a, 3 * SEC, CARP_BACKUP, CARP_MASTER,
	    FSM_R_MASTER_DOWN);
	sim_run(&s, 120 * SEC);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, a);
	ck_assert_uint_eq(s.node[a].transitions, 2);
	ck_assert_uint_eq(s.node[b].transitions, 1);
	ck_assert_uint_eq(s.node[b].ups, 0);
	ck_assert_uint_eq(s.node[b].max_rx_gap, SEC);
	/* One GARP on takeover (the runtime repeats it). */
	ck_assert_uint_eq(s.node[a].garps, 1);
	ck_assert_uint_eq(s.node[a].adverts, 118);	/* 3 s .. 120 s */
}
END_TEST

START_TEST(sim_equal_tie)
{
	/*
	 * Same advbase/advskew, started together, 1 ms apart on the wire:
	 * both time out at 3 s, both become MASTER, and the loser of the
	 * tie-break steps down when the winner's advert arrives, whichever
	 * of them was added (and so fires its timer) first.
	 */
	int pair = _i / 2;
	bool win_first = _i % 2;
	struct sim		s;
	struct fsm_config	c_win = config(tie_pairs[pair].win, 1, 50);
	struct fsm_config	c_lose = config(tie_pairs[pair].lose, 1, 50);
	int			win, lose, m = -1;

	sim_init(&s, 1000, 0);
	if (win_first) {
		win = sim_add(&s, &c_win);
		lose = sim_add(&s, &c_lose);
	} else {
		lose = sim_add(&s, &c_lose);
		win = sim_add(&s, &c_win);
	}
	sim_start(&s, 0);
	sim_start(&s, 1);
	sim_run(&s, fsm_down_us(&c_win));
	ck_assert_int_eq(sim_masters(&s, NULL), 2);
	sim_run(&s, 60 * SEC);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, win);
	ck_assert_last_trans(&s, lose, fsm_down_us(&c_lose) + 1000, CARP_MASTER,
	    CARP_BACKUP, FSM_R_PREFERRED_MASTER);
	ck_assert_uint_eq(s.node[win].transitions, 2);
	ck_assert_uint_eq(s.node[lose].transitions, 3);
}
END_TEST

START_TEST(sim_late_start_no_preempt)
{
	struct sim		s;
	struct fsm_config	ca = config("192.0.2.10", 1, 0);
	struct fsm_config	cb = config("192.0.2.20", 1, 100);
	int			a, b, m = -1;

	sim_init(&s, 0, 0);
	a = sim_add(&s, &ca);
	b = sim_add(&s, &cb);
	sim_start(&s, b);
	sim_run(&s, 5 * SEC);
	ck_assert_last_trans(&s, b, 3390625, CARP_BACKUP, CARP_MASTER,
	    FSM_R_MASTER_DOWN);
	/* The preferred node arrives late, without preempt: it waits. */
	sim_start(&s, a);
	sim_run(&s, 300 * SEC);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, b);
	ck_assert_uint_eq(s.node[a].transitions, 1);
	ck_assert_uint_eq(s.node[a].max_rx_gap, 1390625);
}
END_TEST

START_TEST(sim_late_start_preempt)
{
	struct sim		s;
	struct fsm_config	ca = config("192.0.2.10", 1, 0);
	struct fsm_config	cb = config("192.0.2.20", 1, 100);
	int			a, b, m = -1;
	uint64_t		t;

	ca.preempt = true;
	sim_init(&s, 0, 0);
	a = sim_add(&s, &ca);
	b = sim_add(&s, &cb);
	sim_start(&s, b);
	sim_run(&s, 5 * SEC);
	sim_start(&s, a);
	/* B's adverts: 3.390625 s + k * 1.390625 s; the first after 5 s. */
	t = 3390625 + 2 * 1390625;
	ck_assert_uint_gt(t, 5 * SEC);
	sim_run(&s, t);
	ck_assert_last_trans(&s, a, t, CARP_BACKUP, CARP_MASTER,
	    FSM_R_PREEMPT);
	ck_assert_last_trans(&s, b, t, CARP_MASTER, CARP_BACKUP,
	    FSM_R_PREFERRED_MASTER);
	sim_run(&s, 300 * SEC);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, a);
	ck_assert_uint_eq(sim_transitions_after(&s, t), 0);
}
END_TEST

START_TEST(sim_kill_master)
{
	struct sim		s;
	struct fsm_config	ca = config("192.0.2.10", 1, 0);
	struct fsm_config	cb = config("192.0.2.20", 1, 100);
	int			a, b, m = -1;

	cb.downfmt = FSM_DOWN_UCARP;
	sim_init(&s, 0, 0);
	a = sim_add(&s, &ca);
	b = sim_add(&s, &cb);
	sim_start(&s, a);
	sim_start(&s, b);
	sim_run(&s, 10500000);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, a);
	ck_assert_uint_eq(s.node[b].last_rx, 10 * SEC);
	sim_kill(&s, a);
	sim_run(&s, 13390624);
	ck_assert_int_eq(s.node[b].fsm.state, CARP_BACKUP);
	sim_run(&s, 60 * SEC);
	/* Exactly last advert + master-down: 10 s + 3.390625 s. */
	ck_assert_uint_eq(fsm_down_us(&cb), 3390625);
	ck_assert_last_trans(&s, b, 10 * SEC + 3390625, CARP_BACKUP,
	    CARP_MASTER, FSM_R_MASTER_DOWN);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, b);
	ck_assert_uint_eq(s.node[b].ups, 1);

	/* A comes back: it waits, then leaves B be (no preempt). */
	sim_start(&s, a);
	sim_run(&s, 120 * SEC);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, b);
}
END_TEST

START_TEST(sim_kill_master_openbsd)
{
	/* Same with the OpenBSD formula and advbase 0 (auto). */
	struct sim		s;
	struct fsm_config	ca = config("192.0.2.10", 0, 1);
	struct fsm_config	cb = config("192.0.2.20", 0, 100);
	int			a, b, m = -1;
	uint64_t		last;

	sim_init(&s, 0, 0);
	a = sim_add(&s, &ca);
	b = sim_add(&s, &cb);
	sim_start(&s, a);
	sim_start(&s, b);
	sim_run(&s, 2 * SEC);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, a);
	last = s.node[b].last_rx;
	sim_kill(&s, a);
	sim_run(&s, 4 * SEC);
	ck_assert_uint_eq(fsm_down_us(&cb), 1171875);
	ck_assert_last_trans(&s, b, last + 1171875, CARP_BACKUP, CARP_MASTER,
	    FSM_R_MASTER_DOWN);
}
END_TEST

START_TEST(sim_shutdown_bowout)
{
	struct sim		s;
	struct fsm_config	ca = config("192.0.2.10", 1, 0);
	struct fsm_config	cb = config("192.0.2.20", 1, 100);
	int			a, b, m = -1;

	sim_init(&s, 0, 0);
	a = sim_add(&s, &ca);
	b = sim_add(&s, &cb);
	sim_start(&s, a);
	sim_start(&s, b);
	sim_run(&s, 10500000);
	sim_event(&s, a, FSM_EV_SHUTDOWN);
	ck_assert_int_eq(s.node[a].fsm.state, CARP_INIT);
	ck_assert_uint_eq(s.node[a].bowouts, 1);
	ck_assert_uint_eq(s.node[a].downs, 2);	/* start, shutdown */
	/* The bow-out arrives at once, B takes over after its wait. */
	sim_run(&s, 10500000 + fsm_handover_us(&cb));
	ck_assert_last_trans(&s, b, 10500000 + fsm_handover_us(&cb),
	    CARP_BACKUP, CARP_MASTER, FSM_R_BOWOUT);
	sim_kill(&s, a);
	sim_run(&s, 60 * SEC);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, b);
}
END_TEST

/*
 * N hosts (advskew 0, then the given skews), master shut down, with a
 * LAN latency of `lat` us: exactly one transition follows, the most
 * preferred backup's, and it alone runs an up script; several rounds
 * (the old master comes back with preempt and takes over).
 */
static void
sim_handover_rounds(const uint8_t *skews, int n, uint64_t lat)
{
	struct sim		s;
	struct fsm_config	c;
	uint64_t		t0;
	unsigned		ups[8];
	int			m = -1;
	char			self[32];

	sim_init(&s, lat, 0);
	for (int i = 0; i < n; i++) {
		snprintf(self, sizeof(self), "192.0.2.%d", 10 * (i + 1));
		c = config(self, 1, skews[i]);
		c.preempt = i == 0;
		sim_add(&s, &c);
		sim_start(&s, i);
	}
	sim_run(&s, 10 * SEC);
	for (int round = 0; round < 5; round++) {
		ck_assert_int_eq(sim_masters(&s, &m), 1);
		ck_assert_int_eq(m, 0);
		for (int i = 0; i < n; i++)
			ups[i] = s.node[i].ups;
		t0 = s.now;
		sim_event(&s, 0, FSM_EV_SHUTDOWN);
		sim_kill(&s, 0);
		sim_run(&s, t0 + 10 * SEC);
		ck_assert_int_eq(sim_masters(&s, &m), 1);
		ck_assert_int_eq(m, 1);
		ck_assert_last_trans(&s, 1, t0 + lat + fsm_handover_us(
		    &s.node[1].fsm.cfg), CARP_BACKUP, CARP_MASTER,
		    FSM_R_BOWOUT);
		ck_assert_uint_eq(sim_transitions_after(&s, t0), 1);
		for (int i = 1; i < n; i++)
			ck_assert_uint_eq(s.node[i].ups, ups[i] + (i == 1));
		/* The preferred one comes back and preempts. */
		sim_start(&s, 0);
		sim_run(&s, s.now + 10 * SEC);
	}
}

START_TEST(sim_three_shutdown_bowout)
{
	static const uint8_t skews[] = { 0, 50, 100 };

	sim_handover_rounds(skews, 3, 0);
	sim_handover_rounds(skews, 3, 500);	/* 0.5 ms on the wire */
}
END_TEST

START_TEST(sim_four_shutdown_bowout)
{
	static const uint8_t skews[] = { 0, 40, 80, 160 };

	sim_handover_rounds(skews, 4, 0);
	sim_handover_rounds(skews, 4, 1000);
}
END_TEST

START_TEST(sim_force_backup_hold)
{
	/*
	 * SIGUSR2 on a preempting, preferred master: it bows out, B takes
	 * over at once, and A does not take it back while B lives.
	 */
	struct sim		s;
	struct fsm_config	ca = config("192.0.2.10", 1, 0);
	struct fsm_config	cb = config("192.0.2.20", 1, 100);
	int			a, b, m = -1;
	uint64_t		last;

	ca.preempt = true;
	sim_init(&s, 0, 0);
	a = sim_add(&s, &ca);
	b = sim_add(&s, &cb);
	sim_start(&s, a);
	sim_start(&s, b);
	sim_run(&s, 10500000);
	sim_event(&s, a, FSM_EV_FORCE_BACKUP);
	ck_assert_last_trans(&s, a, 10500000, CARP_MASTER, CARP_BACKUP,
	    FSM_R_FORCED_BACKUP);
	sim_run(&s, 10500000 + fsm_handover_us(&cb));
	ck_assert_last_trans(&s, b, 10500000 + fsm_handover_us(&cb),
	    CARP_BACKUP, CARP_MASTER, FSM_R_BOWOUT);
	sim_run(&s, 100 * SEC);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, b);
	ck_assert_uint_eq(sim_transitions_after(&s,
	    10500000 + fsm_handover_us(&cb)), 0);

	/* B dies: A takes over after its master-down interval. */
	last = s.node[a].last_rx;
	sim_kill(&s, b);
	sim_run(&s, 200 * SEC);
	ck_assert_last_trans(&s, a, last + 3 * SEC, CARP_BACKUP, CARP_MASTER,
	    FSM_R_MASTER_DOWN);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, a);
}
END_TEST

START_TEST(sim_partition_heal)
{
	/*
	 * Split brain: both are MASTER.  When the LAN heals, the preferred
	 * master answers the other's advert at once (advert + GARP), and
	 * the other steps down on that answer.
	 */
	struct sim		s;
	struct fsm_config	ca = config("192.0.2.10", 1, 0);
	struct fsm_config	cb = config("192.0.2.20", 1, 100);
	int			a, b, m = -1;
	uint64_t		heal = 21100000, t;
	unsigned		garps;

	sim_init(&s, 0, 0);
	a = sim_add(&s, &ca);
	b = sim_add(&s, &cb);
	s.cut[a][b] = s.cut[b][a] = true;
	sim_start(&s, a);
	sim_start(&s, b);
	sim_run(&s, heal);
	ck_assert_int_eq(sim_masters(&s, NULL), 2);
	s.cut[a][b] = s.cut[b][a] = false;
	garps = s.node[a].garps;
	/* B's next advert (3.390625 + 13 * 1.390625 s) comes before A's. */
	t = 3390625 + 13 * 1390625;
	ck_assert_uint_gt(t, heal);
	ck_assert_uint_lt(t, 22 * SEC);
	sim_run(&s, t);
	ck_assert_last_trans(&s, b, t, CARP_MASTER, CARP_BACKUP,
	    FSM_R_PREFERRED_MASTER);
	ck_assert_uint_eq(s.node[a].garps, garps + 1);
	ck_assert_int_eq(s.node[a].fsm.state, CARP_MASTER);
	sim_run(&s, 100 * SEC);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, a);
	ck_assert_uint_eq(sim_transitions_after(&s, t), 0);
}
END_TEST

/*
 * N nodes at advbase 0 with advskew 1..N (auto: OpenBSD formula), with
 * network jitter: exactly one MASTER, no flapping.
 */
START_TEST(sim_advbase0_stable)
{
	static const char *const ips[] = { "198.51.100.1", "192.0.2.2",
	    "203.0.113.3", "192.0.2.4", "198.51.100.5" };
	int			n = _i;
	struct sim		s;
	struct fsm_config	c;
	int			m = -1;
	uint64_t		settle = SEC;

	sim_init(&s, 200, 1500);
	for (int i = 0; i < n; i++) {
		c = config(ips[i], 0, (uint8_t)(n - i));
		sim_add(&s, &c);
	}
	/* Start in reverse order of preference, a millisecond apart. */
	for (int i = 0; i < n; i++) {
		sim_start(&s, i);
		sim_run(&s, s.now + 1000);
	}
	sim_run(&s, settle);
	ck_assert_int_eq(sim_masters(&s, &m), 1);
	ck_assert_int_eq(m, n - 1);		/* advskew 1 */
	ck_assert_uint_eq(s.node[m].transitions, 2);
	for (uint64_t t = settle; t < 120 * SEC; t += SEC / 4) {
		sim_run(&s, t);
		ck_assert_int_eq(sim_masters(&s, &m), 1);
		ck_assert_int_eq(m, n - 1);
	}
	ck_assert_uint_eq(sim_transitions_after(&s, settle), 0);
	for (int i = 0; i < n - 1; i++) {
		ck_assert_uint_eq(s.node[i].transitions, 1);
		ck_assert_uint_eq(s.node[i].ups, 0);
		ck_assert_uint_lt(s.node[i].max_rx_gap,
		    fsm_down_us(&s.node[i].fsm.cfg));
	}
	/* About 120 s / 3906 us adverts from the master. */
	ck_assert_uint_gt(s.node[n - 1].adverts, 30000);
}
END_TEST

/*
 * Why auto switches formulas: at advbase 0 the ucarp formula makes the
 * master-down interval one advert interval, so with equal advskew and
 * jitter the backup keeps timing out and flapping.  With auto it holds.
 */
START_TEST(sim_advbase0_ucarp_flaps)
{
	unsigned flaps[2];

	for (int fmt = 0; fmt < 2; fmt++) {
		struct sim		s;
		struct fsm_config	ca = config("192.0.2.10", 0, 20);
		struct fsm_config	cb = config("192.0.2.20", 0, 20);
		unsigned		settled;

		ca.downfmt = cb.downfmt = fmt ? FSM_DOWN_UCARP : FSM_DOWN_AUTO;
		sim_init(&s, 100, 2000);
		sim_add(&s, &ca);
		sim_add(&s, &cb);
		sim_start(&s, 0);
		sim_start(&s, 1);
		sim_run(&s, SEC);
		ck_assert_int_eq(sim_masters(&s, NULL), 1);
		settled = s.node[0].transitions + s.node[1].transitions;
		sim_run(&s, 30 * SEC);
		flaps[fmt] = s.node[0].transitions + s.node[1].transitions -
		    settled;
	}
	ck_assert_uint_eq(flaps[0], 0);		/* auto: OpenBSD formula */
	ck_assert_uint_gt(flaps[1], 10);	/* ucarp formula */
}
END_TEST

static Suite *
fsm_suite(void)
{
	Suite	*s = suite_create("fsm");
	TCase	*tc;

	tc = tcase_create("basics");
	tcase_add_test(tc, names);
	tcase_add_test(tc, intervals);
	tcase_add_test(tc, down_formulas);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, start_to_backup);
	tcase_add_test(tc, start_neutral);
	tcase_add_test(tc, start_never_master);
	tcase_add_test(tc, master_down);
	tcase_add_test(tc, timers_in_wrong_state);
	tcase_add_test(tc, advert_timer);
	tcase_add_test(tc, backup_restarts_down_timer);
	tcase_add_test(tc, preempt_on);
	tcase_add_test(tc, preempt_off);
	tcase_add_test(tc, bowout_backup);
	tcase_add_test(tc, bowout_backup_preempt);
	tcase_add_test(tc, handover_yield);
	tcase_add_test(tc, master_yields_to_more_frequent);
	tcase_add_test(tc, master_stays_on_less_frequent);
	tcase_add_test(tc, tie_key);
	tcase_add_loop_test(tc, tie_break_ucarp_order, 0, NTIE_PAIRS);
	tcase_add_test(tc, tie_break_same_address);
	tcase_add_test(tc, shutdown_master);
	tcase_add_test(tc, shutdown_backup);
	tcase_add_test(tc, force_backup_master);
	tcase_add_test(tc, force_backup_hold_ends_on_bowout);
	tcase_add_test(tc, force_backup_backup_and_init);
	tcase_add_test(tc, force_master);
	tcase_add_test(tc, link_down_up);
	tcase_add_test(tc, demote_master_lower_peer);
	tcase_add_test(tc, demote_master_higher_peer);
	tcase_add_test(tc, demote_backup_takes_over);
	tcase_add_test(tc, demote_backup_preempt);
	tcase_add_test(tc, demote_holds);
	tcase_add_test(tc, demote_skew);
	tcase_add_test(tc, sync_master_backup);
	tcase_add_test(tc, sync_master_init_and_forced);
	tcase_add_test(tc, sync_master_steps_back);
	tcase_add_test(tc, sync_pulls);
	suite_add_tcase(s, tc);

	tc = tcase_create("simulation");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sim_two_converge);
	tcase_add_loop_test(tc, sim_equal_tie, 0, 2 * NTIE_PAIRS);
	tcase_add_test(tc, sim_late_start_no_preempt);
	tcase_add_test(tc, sim_late_start_preempt);
	tcase_add_test(tc, sim_kill_master);
	tcase_add_test(tc, sim_kill_master_openbsd);
	tcase_add_test(tc, sim_shutdown_bowout);
	tcase_add_test(tc, sim_three_shutdown_bowout);
	tcase_add_test(tc, sim_four_shutdown_bowout);
	tcase_add_test(tc, sim_force_backup_hold);
	tcase_add_test(tc, sim_partition_heal);
	tcase_add_loop_test(tc, sim_advbase0_stable, 2, SIM_NODES + 1);
	tcase_add_test(tc, sim_advbase0_ucarp_flaps);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(fsm_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
