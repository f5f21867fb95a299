/*
 * test_metrics.c: unit tests of the senders table (src/senders.c) and of
 * the renderers of `carpctl metrics` (src/metrics.c) and `carpctl peers`
 * (src/peers.c), on a struct carpd built here: no sockets, no daemon.
 * The metrics are read back by the Prometheus client's own parser
 * (python3-prometheus-client), the JSON by Python's json module.
 */
#include "config.h"

#include <sys/wait.h>
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <event2/buffer.h>

#include "carpd.h"
#include "metrics.h"
#include "peers.h"
#include "senders.h"
#include "unit_util.h"

/*
 * argv[1] is "prom" or "json"; exit 1: the input does not parse, 3: the
 * expression is false.  `m(name, **labels)` is a sample's value, `d`
 * the JSON.
 */
static const char py_check[] =
    "import json, sys\n"
    "text = sys.stdin.buffer.read().decode('utf-8')\n"
    "samples = {}\n"
    "if sys.argv[1] == 'prom':\n"
    "    from prometheus_client.parser import text_string_to_metric_families\n"
    "    for f in text_string_to_metric_families(text):\n"
    "        assert f.documentation and f.type in ('gauge', 'counter'), f.name\n"
    "        for s in f.samples:\n"
    "            k = (s.name, tuple(sorted(s.labels.items())))\n"
    "            assert k not in samples, k\n"
    "            samples[k] = s.value\n"
    "    d = None\n"
    "else:\n"
    "    d = json.loads(text)\n"
    "def m(name, **kw):\n"
    "    return samples[('carpd_' + name, tuple(sorted((k, str(v)) for k, v\n"
    "                                          in kw.items())))]\n"
    "ok = eval(sys.argv[2], {'d': d, 'm': m, 'samples': samples})\n"
    "if not ok:\n"
    "    print('false: ' + sys.argv[2], file=sys.stderr)\n"
    "sys.exit(0 if ok else 3)\n";

static int
py_run(const char *kind, const char *in, const char *expr, int quiet)
{
	return ut_python(py_check, (const char *const[]){ kind, expr, NULL },
	    in, quiet);
}

#define PROM_OK(text, expr) \
	ck_assert_msg(py_run("prom", (text), (expr), 0) == 0, \
	    "metrics check failed: %s\n%.2000s", (expr), (text))
#define JSON_OK(text, expr) \
	ck_assert_msg(py_run("json", (text), (expr), 0) == 0, \
	    "JSON check failed: %s\n%.2000s", (expr), (text))

/* ---- the senders table ---- */

static struct carp_rx
rx4(uint32_t src, uint8_t macid, uint8_t advskew)
{
	struct carp_rx rx;

	memset(&rx, 0, sizeof(rx));
	rx.af = AF_INET;
	rx.src.s_addr = htonl(src);
	rx.src_mac[0] = 0x02;
	rx.src_mac[5] = macid;
	rx.adv.advbase = 1;
	rx.adv.advskew = advskew;
	return rx;
}

static const struct timespec t_wall = { 1700000000, 0 };

START_TEST(senders_same_sender)
{
	struct senders	t;
	struct carp_rx	rx = rx4(0xc0000202, 2, 100);
	char		buf[INET6_ADDRSTRLEN];

	memset(&t, 0, sizeof(t));
	senders_heard(&t, &rx, CARP_RX_OK, 1, &t_wall);
	senders_heard(&t, &rx, CARP_RX_OK, 2, &t_wall);
	senders_heard(&t, &rx, CARP_DROP_REPLAY, 3, &t_wall);
	rx.src_mac[5] = 3;		/* the same address from another MAC */
	senders_heard(&t, &rx, CARP_DROP_HMAC, 4, &t_wall);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(t.s[0].adverts, 2);
	ck_assert_uint_eq(t.s[0].drops[CARP_DROP_REPLAY], 1);
	ck_assert_uint_eq(t.s[1].adverts, 0);
	ck_assert_uint_eq(t.s[1].drops[CARP_DROP_HMAC], 1);
	ck_assert_str_eq(sender_addr(&t.s[0], buf, sizeof(buf)), "192.0.2.2");
	ck_assert_str_eq(sender_mac(&t.s[1], buf, sizeof(buf)),
	    "02:00:00:00:00:03");
	ck_assert_uint_eq(t.evictions, 0);
	senders_free(&t);
}
END_TEST

/* A flood of forged sources churns its own entries only. */
START_TEST(senders_flood)
{
	struct senders	t;
	struct carp_rx	rx;
	long long	now = 0;

	memset(&t, 0, sizeof(t));
	rx = rx4(0xc0000202, 2, 100);
	senders_heard(&t, &rx, CARP_RX_OK, ++now, &t_wall);
	for (uint32_t i = 0; i < 100000; i++) {
		rx = rx4(0xcb007100 + i, (uint8_t)i, 0);
		senders_heard(&t, &rx, CARP_DROP_HMAC, ++now, &t_wall);
	}
	ck_assert_uint_eq(t.n, SENDERS_MAX);
	ck_assert_uint_eq(t.evictions, 100001 - SENDERS_MAX);
	ck_assert_uint_eq(t.s[0].adverts, 1);
	ck_assert_uint_eq(t.s[0].addr.s6_addr32[3], htonl(0xc0000202));
	/* The newest forged ones are the ones kept. */
	for (size_t i = 1; i < t.n; i++)
		ck_assert_int_gt(t.s[i].seen_ms, now - SENDERS_MAX);
	senders_free(&t);
}
END_TEST

/* All accepted: the one seen longest ago goes. */
START_TEST(senders_oldest)
{
	struct senders	t;
	struct carp_rx	rx;

	memset(&t, 0, sizeof(t));
	for (uint32_t i = 0; i < SENDERS_MAX; i++) {
		rx = rx4(0xc0000201 + i, (uint8_t)i, 0);
		senders_heard(&t, &rx, CARP_RX_OK, 10 + i, &t_wall);
	}
	rx = rx4(0xc0000201, 0, 0);	/* the first, heard again */
	senders_heard(&t, &rx, CARP_RX_OK, 100, &t_wall);
	rx = rx4(0xc0000299, 0x99, 0);
	senders_heard(&t, &rx, CARP_RX_OK, 101, &t_wall);
	ck_assert_uint_eq(t.evictions, 1);
	ck_assert_uint_eq(t.s[1].addr.s6_addr32[3], htonl(0xc0000299));
	ck_assert_uint_eq(t.s[0].adverts, 2);
	senders_free(&t);
}
END_TEST

START_TEST(senders_ipv6)
{
	struct senders	t;
	struct carp_rx	rx = rx4(0, 7, 0);
	char		buf[INET6_ADDRSTRLEN];

	memset(&t, 0, sizeof(t));
	rx.af = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, "fe80::7", &rx.src6), 1);
	senders_heard(&t, &rx, CARP_RX_OK, 1, &t_wall);
	ck_assert_str_eq(sender_addr(&t.s[0], buf, sizeof(buf)), "fe80::7");
	senders_free(&t);
}
END_TEST

/* ---- renderers ---- */

struct fixture {
	struct carpd	cd;
	struct iface	ifs[2];
	struct vhid	vs[2];
	struct demote_group g;
};

static void
fixture_init(struct fixture *f)
{
	struct vhid	*v;
	struct carp_rx	 rx;

	memset(f, 0, sizeof(*f));
	TAILQ_INIT(&f->cd.ifaces);
	TAILQ_INIT(&f->cd.vhids);
	TAILQ_INIT(&f->cd.demotes);
	f->cd.main_pid = 4242;
	f->cd.start_time.tv_sec = 1700000000;
	f->cd.reloads = 2;
	strcpy(f->ifs[0].name, "eth0");
	strcpy(f->ifs[1].name, "a\"b\\c\xff");	/* Linux allows it */
	for (int i = 0; i < 2; i++) {
		f->ifs[i].cd = &f->cd;
		f->ifs[i].present = f->ifs[i].link_up = true;
		TAILQ_INSERT_TAIL(&f->cd.ifaces, &f->ifs[i], entry);
		v = &f->vs[i];
		v->cfg.vhid = (uint8_t)(7 + i);
		v->cfg.advbase = 1;
		v->cfg.advskew = 100;
		v->ifp = &f->ifs[i];
		v->cd = &f->cd;
		v->started = true;
		v->fsm.state = i == 0 ? CARP_MASTER : CARP_BACKUP;
		TAILQ_INSERT_TAIL(&f->cd.vhids, v, entry);
	}
	v = &f->vs[0];
	v->stats.transitions = 3;
	v->stats.transitions_by[FSM_R_STARTUP] = 1;
	v->stats.transitions_by[FSM_R_MASTER_DOWN] = 2;
	v->last_change.tv_sec = 1700000100;
	v->stats.adverts_sent = 3600;
	v->stats.drops[CARP_DROP_HMAC] = 5;
	v->fsm.demote = 3;
	f->ifs[0].drops[CARP_DROP_VHID] = 9;
	snprintf(f->g.name, sizeof(f->g.name), "web");
	f->g.by[DEMOTE_OPERATOR] = 3;
	f->g.nvhids = 1;
	TAILQ_INSERT_TAIL(&f->cd.demotes, &f->g, entry);
	rx = rx4(0xc0000202, 2, 50);
	senders_heard(&v->senders, &rx, CARP_RX_OK, 1, &t_wall);
	rx = rx4(0xc0000209, 9, 0);
	senders_heard(&v->senders, &rx, CARP_DROP_HMAC, 2, &t_wall);
	senders_heard(&v->senders, &rx, CARP_DROP_HMAC, 3, &t_wall);
}

static void
fixture_clear(struct fixture *f)
{
	for (size_t i = 0; i < sizeof(f->vs) / sizeof(f->vs[0]); i++)
		senders_free(&f->vs[i].senders);
}

START_TEST(checker_rejects)
{
	ck_assert_int_eq(py_run("prom", "# TYPE carpd_x gauge\n"
	    "# HELP carpd_x x\ncarpd_x 1\n", "m('x') == 1", 0), 0);
	ck_assert_int_eq(py_run("prom", "# HELP carpd_x x\n# TYPE carpd_x "
	    "gauge\ncarpd_x 1\n", "m('x') == 2", 1), 3);
	ck_assert_int_eq(py_run("prom", "carpd_x{a=\"b} 1\n", "True", 1), 1);
	ck_assert_int_eq(py_run("prom", "carpd_x{a=\"b\"} one\n", "True", 1),
	    1);
}
END_TEST

START_TEST(metrics_values)
{
	struct fixture	 f;
	char		*t;

	fixture_init(&f);
	t = ut_render(metrics_render, &f.cd);
	PROM_OK(t, "m('start_time_seconds') == 1700000000 and "
	    "m('reloads_total') == 2 and m('info', version='" PACKAGE_VERSION
	    "') == 1");
	PROM_OK(t, "m('vhid_state', vhid=7, interface='eth0', state='master') "
	    "== 1 and m('vhid_state', vhid=7, interface='eth0', state='backup') "
	    "== 0 and m('vhid_state', vhid=7, interface='eth0', state='init') "
	    "== 0");
	PROM_OK(t, "m('vhid_transitions_total', vhid=7, interface='eth0', "
	    "reason='master-down') == 2 and sum(v for (n, l), v in "
	    "samples.items() if n == 'carpd_vhid_transitions_total') == 3");
	PROM_OK(t, "m('vhid_last_transition_timestamp_seconds', vhid=7, "
	    "interface='eth0') == 1700000100");
	PROM_OK(t, "m('vhid_adverts_sent_total', vhid=7, interface='eth0') == "
	    "3600 and m('vhid_drops_total', vhid=7, interface='eth0', "
	    "reason='hmac') == 5 and m('vhid_demote', vhid=7, "
	    "interface='eth0') == 3");
	PROM_OK(t, "m('interface_drops_total', interface='eth0', "
	    "reason='unknown-vhid') == 9");
	PROM_OK(t, "m('group_demotion', group='web') == 3 and "
	    "m('group_demotion_by_source', group='web', source='operator') == 3"
	    " and m('group_vhids', group='web') == 1");
	PROM_OK(t, "m('vhid_senders', vhid=7, interface='eth0') == 2");
	free(t);
	fixture_clear(&f);
}
END_TEST

/* An odd interface name is one label value, read back as it was. */
START_TEST(metrics_labels)
{
	struct fixture	 f;
	char		*t;

	fixture_init(&f);
	t = ut_render(metrics_render, &f.cd);
	PROM_OK(t, "m('vhid_state', vhid=8, interface='a\"b\\\\c\\ufffd', "
	    "state='backup') == 1");
	/* Never seen: no timestamp for vhid 8. */
	PROM_OK(t, "not [l for (n, l) in samples if n == "
	    "'carpd_vhid_last_transition_timestamp_seconds' and "
	    "dict(l)['vhid'] == '8']");
	ck_assert_ptr_null(strstr(t, "\xff"));
	free(t);
	fixture_clear(&f);
}
END_TEST

START_TEST(peers_json_values)
{
	struct fixture	 f;
	char		*j, expr[128];

	fixture_init(&f);
	j = ut_render(peers_json, &f.cd);
	ck_assert_ptr_eq(strchr(j, '\n'), j + strlen(j) - 1);
	JSON_OK(j, "d['pid'] == 4242 and d['senders_max'] == 16 and "
	    "[v['vhid'] for v in d['vhids']] == [7, 8]");
	JSON_OK(j, "d['vhids'][1]['senders'] == [] and "
	    "d['vhids'][1]['interface'] == 'a\"b\\\\c\\ufffd'");
	JSON_OK(j, "[s['address'] for s in d['vhids'][0]['senders']] == "
	    "['192.0.2.2', '192.0.2.9']");
	JSON_OK(j, "all(d['vhids'][0]['senders'][0][k] == v for k, v in dict("
	    "family='inet', mac='02:00:00:00:00:02', advbase=1, advskew=50, "
	    "demote=0, adverts=1, dropped=0, first_seen_unix=1700000000, "
	    "last_seen='2023-11-14T22:13:20Z').items())");
	JSON_OK(j, "d['vhids'][0]['senders'][1]['drops']['hmac'] == 2 and "
	    "d['vhids'][0]['senders'][1]['dropped'] == 2 and "
	    "d['vhids'][0]['senders'][1]['adverts'] == 0");
	snprintf(expr, sizeof(expr), "all(len(s['drops']) == %d for s in "
	    "d['vhids'][0]['senders'])", CARP_DROP_MAX - 1);
	JSON_OK(j, expr);
	free(j);
	fixture_clear(&f);
}
END_TEST

START_TEST(peers_text_rows)
{
	struct fixture	 f;
	char		*t;

	fixture_init(&f);
	f.vs[0].senders.evictions = 4;
	t = ut_render(peers_text, &f.cd);
	ck_assert_msg(strncmp(t, "VHID  INTERFACE  SENDER     MAC           "
	    "     ADVBASE/SKEW  DEMOTE  LAST-SEEN             ADVERTS  DROPPED\n"
	    "7     eth0       192.0.2.2  02:00:00:00:00:02  1/50          0    "
	    "   2023-11-14T22:13:20Z  1        0\n"
	    "7     eth0       192.0.2.9  02:00:00:00:00:09  1/0           0    "
	    "   2023-11-14T22:13:20Z  0        2  hmac=2\n"
	    "vhid 7 on eth0: 4 senders evicted (a table of 16)\n",
	    strlen(t)) == 0, "peers text:\n%s", t);
	free(t);
	fixture_clear(&f);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite	*s = suite_create("metrics");
	TCase	*tc;

	tc = tcase_create("senders");
	tcase_add_test(tc, senders_same_sender);
	tcase_add_test(tc, senders_flood);
	tcase_add_test(tc, senders_oldest);
	tcase_add_test(tc, senders_ipv6);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_set_timeout(tc, 60);	/* each check starts python3 */
	tcase_add_test(tc, checker_rejects);
	tcase_add_test(tc, metrics_values);
	tcase_add_test(tc, metrics_labels);
	tcase_add_test(tc, peers_json_values);
	tcase_add_test(tc, peers_text_rows);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(metrics_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
