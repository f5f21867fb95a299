/*
 * test_privsep.c: unit tests of the privileged channel (src/privsep.c):
 * every message survives an encode and a decode; every malformed
 * datagram (short, a bad string length, an unterminated or embedded-NUL
 * string, an unknown type, trailing bytes, too large) is refused; and
 * the transport over a real socketpair keeps order, reads every message
 * before the end of file, bounds its queue, and does not take an empty
 * datagram for the end of file.
 */
#include "config.h"

#include <sys/socket.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <event2/event.h>

#include "demote.h"
#include "privsep.h"

static struct ps_msg
run_msg(void)
{
	struct ps_msg m;

	memset(&m, 0, sizeof(m));
	m.type = PS_RUN;
	m.u.run.gen = 7;
	m.u.run.qid = 42;
	m.u.run.vhid = 200;
	m.u.run.kind = SCRIPT_DOWN;
	m.u.run.state = CARP_BACKUP;
	m.u.run.reason = FSM_R_PREEMPT;
	strcpy(m.u.run.ifname, "eth0.100");
	m.u.run.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.10", &m.u.run.vip);
	return m;
}

static struct ps_msg
vhid_msg(void)
{
	struct ps_msg m;

	memset(&m, 0, sizeof(m));
	m.type = PS_RELOAD_VHID;
	m.gen = 3;
	strcpy(m.u.vc.ifname, "eth1");
	m.u.vc.vhid = 9;
	m.u.vc.nvips = 2;
	inet_pton(AF_INET, "198.51.100.1", &m.u.vc.vips[0]);
	inet_pton(AF_INET, "198.51.100.2", &m.u.vc.vips[1]);
	m.u.vc.prefix[1] = 25;
	m.u.vc.keylen = 6;
	memcpy(m.u.vc.key, "secret", 6);
	m.u.vc.upscript = "/etc/carpd/up";
	m.u.vc.downscript = "/etc/carpd/down";
	m.u.vc.xparam = "x y";
	m.u.vc.ngroups = 2;
	strcpy(m.u.vc.groups[0], "fw");
	strcpy(m.u.vc.groups[1], "dmz.2");
	m.u.vc.demote_skew = FSM_SKEW_ADD;
	m.u.vc.preempt_delay_s = 30;
	return m;			/* passfile absent */
}

/* Encode, decode, compare; the decoded message is returned in *out. */
static void
round_trip(const struct ps_msg *in, struct ps_msg *out)
{
	const char	*why = NULL;
	uint8_t		*p;
	size_t		 len;

	p = ps_msg_encode(in, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(ps_msg_decode(p, len, out, &why) == 0,
	    "type %u: %s", in->type, why);
	ck_assert_uint_eq(out->type, in->type);
	ck_assert_uint_eq(out->gen, in->gen);
	free(p);
}

START_TEST(t_round_trip_small)
{
	static const uint32_t types[] = { PS_RELEASE, PS_ACK, PS_STARTED,
	    PS_RELOAD_BEGIN, PS_RELOAD_END };
	struct ps_msg in, out;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.type = types[i];
		if (in.type != PS_RELEASE && in.type != PS_STARTED)
			in.gen = 0xfeedbeefu;
		if (in.type == PS_RELEASE)
			in.u.qid = 77;
		if (in.type == PS_RELOAD_BEGIN) {
			in.u.g.debug = 1;
			in.u.g.facility = 3 << 3;
			in.u.g.script_timeout = 3600;
		}
		if (in.type == PS_RELOAD_END)
			in.u.nvhids = 450;
		round_trip(&in, &out);
		ck_assert_mem_eq(&out.u, &in.u, sizeof(in.u));
		ps_msg_clear(&out);
	}
}
END_TEST

START_TEST(t_round_trip_run)
{
	struct ps_msg in = run_msg(), out;

	round_trip(&in, &out);
	ck_assert_mem_eq(&out.u.run, &in.u.run, sizeof(in.u.run));
	/* An IPv6 address: its family and its 16 bytes. */
	memset(&in.u.run.vip, 0, sizeof(in.u.run.vip));
	in.u.run.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::10", &in.u.run.vip6);
	round_trip(&in, &out);
	ck_assert_mem_eq(&out.u.run, &in.u.run, sizeof(in.u.run));
}
END_TEST

START_TEST(t_round_trip_vhid)
{
	struct ps_msg in = vhid_msg(), out;

	round_trip(&in, &out);
	ck_assert_str_eq(out.u.vc.ifname, "eth1");
	ck_assert_uint_eq(out.u.vc.nvips, 2);
	ck_assert_uint_eq(out.u.vc.prefix[1], 25);
	ck_assert_mem_eq(out.u.vc.key, "secret", 6);
	ck_assert_ptr_null(out.u.vc.passfile);
	ck_assert_str_eq(out.u.vc.upscript, "/etc/carpd/up");
	ck_assert_str_eq(out.u.vc.downscript, "/etc/carpd/down");
	ck_assert_str_eq(out.u.vc.xparam, "x y");
	ck_assert_uint_eq(out.u.vc.ngroups, 2);
	ck_assert_str_eq(out.u.vc.groups[1], "dmz.2");
	ck_assert_int_eq(out.u.vc.demote_skew, FSM_SKEW_ADD);
	ck_assert_uint_eq(out.u.vc.preempt_delay_s, 30);
	ps_msg_clear(&out);
}
END_TEST

static void
refused(const uint8_t *p, size_t len, const char *what)
{
	struct ps_msg	 m;
	const char	*why = NULL;

	ck_assert_msg(ps_msg_decode(p, len, &m, &why) == -1,
	    "%s (%zu bytes) was accepted", what, len);
	ck_assert_ptr_nonnull(why);
}

/* Every proper prefix of every message is refused. */
START_TEST(t_short)
{
	struct ps_msg	 ms[2] = { run_msg(), vhid_msg() };
	uint8_t		*p;
	size_t		 len;

	for (size_t i = 0; i < 2; i++) {
		p = ps_msg_encode(&ms[i], &len);
		ck_assert_ptr_nonnull(p);
		for (size_t n = 0; n < len; n++)
			refused(p, n, "a short message");
		free(p);
	}
}
END_TEST

/* type, gen, qid, 4 bytes, address, length: the interface name. */
#define RUN_STR_OFF	(6 * 4)

START_TEST(t_bad_strings)
{
	struct ps_msg	 m = run_msg();
	uint8_t		*p, *q;
	size_t		 len;
	uint32_t	 v;

	p = ps_msg_encode(&m, &len);
	ck_assert_ptr_nonnull(p);
	q = malloc(len + 64);
	/* the length: 0, past the end, huge */
	for (uint32_t bad = 0; bad < 3; bad++) {
		memcpy(q, p, len);
		v = bad == 0 ? 0 : bad == 1 ? (uint32_t)(len - RUN_STR_OFF + 1) :
		    UINT32_MAX;
		memcpy(q + RUN_STR_OFF - 4, &v, 4);
		refused(q, len, "a bad string length");
	}
	/* no NUL at the end, and a NUL inside */
	memcpy(q, p, len);
	q[len - 1] = 'x';
	refused(q, len, "an unterminated string");
	memcpy(q, p, len);
	q[RUN_STR_OFF + 1] = '\0';
	refused(q, len, "a string with a NUL inside");
	/* longer than the interface name it stands for */
	memcpy(q, p, RUN_STR_OFF - 4);
	v = IF_NAMESIZE + 1;
	memcpy(q + RUN_STR_OFF - 4, &v, 4);
	memset(q + RUN_STR_OFF, 'e', v - 1);
	q[RUN_STR_OFF + v - 1] = '\0';
	refused(q, RUN_STR_OFF + v, "an interface name too long");
	/* trailing bytes */
	memcpy(q, p, len);
	q[len] = 0;
	refused(q, len + 1, "trailing bytes");
	free(q);
	free(p);
}
END_TEST

START_TEST(t_unknown_and_reserved)
{
	uint32_t t;

	for (t = 0; t < 1000; t++) {
		if (t > 0 && t < PS_TYPE_MAX)
			continue;
		refused((const uint8_t *)&t, sizeof(t), "an unknown type");
	}
	t = PS_SANDBOX_VIOLATION;
	refused((const uint8_t *)&t, sizeof(t), "type 100 (reserved)");
}
END_TEST

START_TEST(t_bad_vhid)
{
	struct ps_msg	 m = vhid_msg();
	struct ps_msg	 out;
	uint8_t		*p;
	size_t		 len;
	char		*big;

	m.u.vc.nvips = CARPD_MAX_VIPS + 1;
	p = ps_msg_encode(&m, &len);
	refused(p, len, "too many addresses");
	free(p);
	m = vhid_msg();
	memset(m.u.vc.ifname, 'e', sizeof(m.u.vc.ifname));
	p = ps_msg_encode(&m, &len);
	refused(p, len, "an unterminated interface name");
	free(p);
	m = vhid_msg();
	m.u.vc.ngroups = CARPD_MAX_GROUPS + 1;
	p = ps_msg_encode(&m, &len);
	refused(p, len, "too many demotion groups");
	free(p);
	m = vhid_msg();
	memset(m.u.vc.groups[1], 'g', CARPD_GROUP_LEN);
	p = ps_msg_encode(&m, &len);
	refused(p, len, "an unterminated group name");
	free(p);
	m = vhid_msg();
	strcpy(m.u.vc.groups[0], "a/b");
	p = ps_msg_encode(&m, &len);
	refused(p, len, "a group name with a slash");
	free(p);
	/* oversize: not encoded at all */
	m = vhid_msg();
	big = malloc(PS_MAX_STR + 1);
	memset(big, 'a', PS_MAX_STR);
	big[PS_MAX_STR] = '\0';
	m.u.vc.upscript = big;
	ck_assert_ptr_null(ps_msg_encode(&m, &len));
	big[PS_MAX_STR - 1] = '\0';	/* just fits */
	round_trip(&m, &out);
	ck_assert_str_eq(out.u.vc.upscript, big);
	ps_msg_clear(&out);
	free(big);
	m = run_msg();
	memset(m.u.run.ifname, 'e', sizeof(m.u.run.ifname));
	ck_assert_ptr_null(ps_msg_encode(&m, &len));
	m.type = 999;
	ck_assert_ptr_null(ps_msg_encode(&m, &len));
}
END_TEST

START_TEST(t_track)
{
	struct ps_msg	 in, out;
	uint8_t		*p;
	size_t		 len;

	memset(&in, 0, sizeof(in));
	in.type = PS_TRACK;
	strcpy(in.u.track.group, "fw");
	in.u.track.value = 50;
	round_trip(&in, &out);
	ck_assert_str_eq(out.u.track.group, "fw");
	ck_assert_uint_eq(out.u.track.value, 50);
	ps_msg_clear(&out);
	/* Every proper prefix is short. */
	p = ps_msg_encode(&in, &len);
	for (size_t n = 0; n < len; n++)
		refused(p, n, "a short track report");
	free(p);
	in.u.track.value = DEMOTE_SRC_LIMIT + 1;
	p = ps_msg_encode(&in, &len);
	refused(p, len, "a track value over the limit");
	free(p);
	in.u.track.value = 1;
	strcpy(in.u.track.group, "a/b");
	p = ps_msg_encode(&in, &len);
	refused(p, len, "a track group with a slash");
	free(p);
	memset(in.u.track.group, 'g', sizeof(in.u.track.group));
	p = ps_msg_encode(&in, &len);
	refused(p, len, "an unterminated track group");
	free(p);
	memset(in.u.track.group, 0, sizeof(in.u.track.group));
	p = ps_msg_encode(&in, &len);
	refused(p, len, "an empty track group");
	free(p);
}
END_TEST

START_TEST(t_transition)
{
	struct ps_msg	 in, out;
	uint8_t		*p;
	size_t		 len;

	memset(&in, 0, sizeof(in));
	in.type = PS_TRANSITION;
	in.u.tr.gen = 5;
	in.u.tr.vhid = 2;
	in.u.tr.state = CARP_MASTER;
	strcpy(in.u.tr.ifname, "eth1");
	strcpy(in.u.tr.group, "fw");
	round_trip(&in, &out);
	ck_assert_mem_eq(&out.u.tr, &in.u.tr, sizeof(in.u.tr));
	p = ps_msg_encode(&in, &len);
	for (size_t n = 0; n < len; n++)
		refused(p, n, "a short transition");
	free(p);
	in.u.tr.state = CARP_STATE_MAX;
	p = ps_msg_encode(&in, &len);
	refused(p, len, "a transition to no state");
	free(p);
	in.u.tr.state = CARP_BACKUP;
	strcpy(in.u.tr.ifname, "a b");
	p = ps_msg_encode(&in, &len);
	refused(p, len, "an interface with a blank (a line of its own)");
	free(p);
	strcpy(in.u.tr.ifname, "eth\r1");
	p = ps_msg_encode(&in, &len);
	refused(p, len, "an interface with a control character");
	free(p);
	strcpy(in.u.tr.ifname, "eth1");
	strcpy(in.u.tr.group, "x\ny");
	p = ps_msg_encode(&in, &len);
	refused(p, len, "a group with a line end");
	free(p);
	strcpy(in.u.tr.group, "fw");
	in.u.tr.vhid = 0;
	p = ps_msg_encode(&in, &len);
	refused(p, len, "vhid 0");
	free(p);
}
END_TEST

START_TEST(t_vmac)
{
	struct ps_msg	 in, out;
	uint8_t		*p;
	size_t		 len;

	memset(&in, 0, sizeof(in));
	in.type = PS_VMAC;
	in.u.vmac.gen = 3;
	in.u.vmac.vhid = 7;
	in.u.vmac.up = 1;
	strcpy(in.u.vmac.ifname, "eth0");
	round_trip(&in, &out);
	ck_assert_mem_eq(&out.u.vmac, &in.u.vmac, sizeof(in.u.vmac));
	p = ps_msg_encode(&in, &len);
	for (size_t n = 0; n < len; n++)
		refused(p, n, "a short virtual MAC request");
	free(p);
	in.u.vmac.up = 2;
	p = ps_msg_encode(&in, &len);
	refused(p, len, "neither up nor down");
	free(p);
	in.u.vmac.up = 0;
	strcpy(in.u.vmac.ifname, "eth\0330");
	p = ps_msg_encode(&in, &len);
	refused(p, len, "an interface with an escape character");
	free(p);
	strcpy(in.u.vmac.ifname, "eth0");
	in.u.vmac.vhid = 0;
	p = ps_msg_encode(&in, &len);
	refused(p, len, "vhid 0");
	free(p);
}
END_TEST

START_TEST(t_sanitize)
{
	char out[16];

	ps_sanitize(out, sizeof(out), "eth0\nfake: root", 15);
	ck_assert_str_eq(out, "eth0?fake: root");
	ps_sanitize(out, sizeof(out), "a\033[2Jb\x80", 7);
	ck_assert_str_eq(out, "a?[2Jb?");
	ps_sanitize(out, 4, "abcdefgh", 8);
	ck_assert_str_eq(out, "abc");
	ps_sanitize(out, sizeof(out), "no-nul-in-16-b!!", 16);
	ck_assert_str_eq(out, "no-nul-in-16-b!");
}
END_TEST

/* ---- the transport ---- */

struct sink {
	struct event_base	*base;
	uint32_t		 next;		/* qid expected */
	uint32_t		 got;
	int			 eof;
	uint32_t		 eof_after;	/* messages before the eof */
};

static void
on_msg(void *arg, struct ps_msg *m)
{
	struct sink *s = arg;

	ck_assert_uint_eq(m->type, PS_RUN);
	ck_assert_uint_eq(m->u.run.qid, s->next);
	s->next++;
	s->got++;
}

static void
on_eof(void *arg)
{
	struct sink *s = arg;

	s->eof = 1;
	s->eof_after = s->got;
	event_base_loopbreak(s->base);
}

static void
on_nothing(void *arg, struct ps_msg *m)
{
}

START_TEST(t_transport)
{
	struct event_base	*base = event_base_new();
	struct sink		 s = { .base = base };
	struct ps_chan		*tx, *rx;
	struct ps_msg		 m = run_msg();
	int			 sv[2], sent = 0, n = 5000;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	tx = ps_chan_new(base, sv[0], "test", on_nothing, NULL, NULL);
	rx = ps_chan_new(base, sv[1], "test", on_msg, on_eof, &s);
	/* an empty datagram is not the end of file */
	ck_assert_int_eq(send(sv[0], "", 0, 0), 0);
	/* far more than the socket buffer: they wait in the queue */
	for (int i = 0; i < n; i++) {
		m.u.run.qid = (uint32_t)i;
		sent += ps_chan_send(tx, &m) == 0;
	}
	ck_assert_int_eq(sent, n);
	while (s.got < (uint32_t)n)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_uint_eq(ps_chan_stats(rx)->malformed, 1);
	ck_assert_int_eq(s.eof, 0);
	/* the end of file after the last messages, and only then */
	for (int i = n; i < n + 100; i++) {
		m.u.run.qid = (uint32_t)i;
		ck_assert_int_eq(ps_chan_send(tx, &m), 0);
	}
	ck_assert_int_eq(ps_chan_flush(tx, 5000), 0);
	/* an empty datagram just before the close hides nothing either */
	ck_assert_int_eq(send(sv[0], "", 0, 0), 0);
	m.u.run.qid = (uint32_t)n + 100;
	ck_assert_int_eq(ps_chan_send(tx, &m), 0);
	ck_assert_int_eq(ps_chan_flush(tx, 5000), 0);
	ps_chan_free(tx);
	close(sv[0]);
	event_base_dispatch(base);
	ck_assert_int_eq(s.eof, 1);
	ck_assert_uint_eq(s.eof_after, (uint32_t)n + 101);
	ck_assert_uint_eq(ps_chan_stats(rx)->received, (uint64_t)n + 101);
	ck_assert_uint_eq(ps_chan_stats(rx)->malformed, 2);
	ps_chan_free(rx);
	close(sv[1]);
	event_base_free(base);
}
END_TEST

START_TEST(t_queue_bound)
{
	struct event_base	*base = event_base_new();
	struct ps_chan		*tx;
	struct ps_msg		 m = run_msg();
	int			 sv[2], i;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	tx = ps_chan_new(base, sv[0], "test", on_nothing, NULL, NULL);
	/* nobody reads: the socket fills, then the queue, then a refusal */
	for (i = 0; i < 10 * PS_QUEUE_MSGS && ps_chan_send(tx, &m) == 0; i++)
		;
	ck_assert_int_ge(i, PS_QUEUE_MSGS);
	ck_assert_int_lt(i, 10 * PS_QUEUE_MSGS);
	ck_assert_uint_eq(ps_chan_stats(tx)->dropped, 1);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(ps_chan_send(tx, &m), -1);
	ck_assert_uint_eq(ps_chan_stats(tx)->dropped, 11);
	ck_assert(!ps_chan_room(tx, 1, 64));
	/* the peer goes: what is queued is dropped, sends fail at once */
	close(sv[1]);
	ck_assert_int_eq(ps_chan_flush(tx, 1000), -1);
	ck_assert_int_eq(ps_chan_send(tx, &m), -1);
	ck_assert_uint_ge(ps_chan_stats(tx)->dropped, PS_QUEUE_MSGS);
	ps_chan_free(tx);
	close(sv[0]);
	event_base_free(base);
}
END_TEST

static Suite *
privsep_suite(void)
{
	Suite	*s = suite_create("privsep");
	TCase	*tc = tcase_create("codec");

	tcase_add_test(tc, t_round_trip_small);
	tcase_add_test(tc, t_round_trip_run);
	tcase_add_test(tc, t_round_trip_vhid);
	tcase_add_test(tc, t_short);
	tcase_add_test(tc, t_bad_strings);
	tcase_add_test(tc, t_unknown_and_reserved);
	tcase_add_test(tc, t_bad_vhid);
	tcase_add_test(tc, t_track);
	tcase_add_test(tc, t_transition);
	tcase_add_test(tc, t_vmac);
	tcase_add_test(tc, t_sanitize);
	suite_add_tcase(s, tc);
	tc = tcase_create("transport");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_transport);
	tcase_add_test(tc, t_queue_bound);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(privsep_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
