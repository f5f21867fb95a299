/*
 * test_status.c: unit tests of the status renderer (src/status.c), the
 * output of `carpctl status` and `carpctl status json`, on a struct
 * carpd with interfaces and vhids built here: no sockets, no daemon.
 * The JSON is read back by Python's json module, strictly (UTF-8, no
 * duplicate keys, no NaN), and its fields are checked there.
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
#include "status.h"
#include "unit_util.h"

/* Exit 1: not JSON; 3: the expression on `d` is false. */
static const char py_check[] =
    "import json, sys\n"
    "def pairs(p):\n"
    "    keys = [k for k, _ in p]\n"
    "    if len(keys) != len(set(keys)):\n"
    "        raise ValueError('duplicate key')\n"
    "    return dict(p)\n"
    "def const(c):\n"
    "    raise ValueError('not JSON: ' + c)\n"
    "d = json.loads(sys.stdin.buffer.read().decode('utf-8'),\n"
    "    object_pairs_hook=pairs, parse_constant=const)\n"
    "ok = eval(sys.argv[1], {}, {'d': d})\n"
    "if not ok:\n"
    "    print('false: ' + sys.argv[1], file=sys.stderr)\n"
    "sys.exit(0 if ok else 3)\n";

struct fixture {
	struct carpd	cd;
	struct iface	ifs[2];
	struct vhid	vs[3];
};

static struct in_addr
addr(const char *s)
{
	struct in_addr a;

	ck_assert_msg(inet_pton(AF_INET, s, &a) == 1, "bad address %s", s);
	return a;
}

static void
fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	TAILQ_INIT(&f->cd.ifaces);
	TAILQ_INIT(&f->cd.vhids);
	TAILQ_INIT(&f->cd.demotes);
	f->cd.main_pid = 4242;
}

static struct iface *
add_iface(struct fixture *f, int i, const char *name)
{
	struct iface *ifp = &f->ifs[i];

	ck_assert_uint_lt(strlen(name), sizeof(ifp->name));
	strcpy(ifp->name, name);
	ifp->cd = &f->cd;
	ifp->present = ifp->link_up = true;
	TAILQ_INSERT_TAIL(&f->cd.ifaces, ifp, entry);
	return ifp;
}

static struct vhid *
add_vhid(struct fixture *f, int i, struct iface *ifp, uint8_t vhid,
    enum carp_state state, const char *src)
{
	struct vhid *v = &f->vs[i];

	v->cfg.vhid = vhid;
	snprintf(v->cfg.ifname, sizeof(v->cfg.ifname), "%s", ifp->name);
	v->cfg.src = addr(src);
	v->cfg.advbase = 1;
	v->ifp = ifp;
	v->cd = &f->cd;
	v->fsm.state = state;
	v->started = state != CARP_INIT;
	TAILQ_INSERT_TAIL(&f->cd.vhids, v, entry);
	return v;
}

static void
add_vip(struct vhid *v, const char *a)
{
	ck_assert_uint_lt(v->cfg.nvips, CARPD_MAX_VIPS);
	v->cfg.vips[v->cfg.nvips++] = addr(a);
}

/*
 * vhid 1 on eth0: MASTER since 2023-11-14T22:13:20Z (master-down), two
 * addresses, 5 bad digests.  vhid 2 on eth0: BACKUP that never changed
 * state, following 192.0.2.2.  vhid 3 on eth1: INIT, nothing heard.
 * eth1 dropped 2 frames for their TTL and 7 for an unknown vhid.
 */
static void
fixture_lan(struct fixture *f)
{
	struct iface	*eth0, *eth1;
	struct vhid	*v;

	fixture_init(f);
	eth0 = add_iface(f, 0, "eth0");
	eth1 = add_iface(f, 1, "eth1");
	v = add_vhid(f, 0, eth0, 1, CARP_MASTER, "192.0.2.1");
	add_vip(v, "192.0.2.100");
	add_vip(v, "192.0.2.101");
	v->cfg.preempt = true;
	v->cfg.advskew = 20;
	v->master = addr("192.0.2.9");	/* heard before; we are master now */
	v->last_change.tv_sec = 1700000000;
	v->last_reason = FSM_R_MASTER_DOWN;
	v->stats.transitions = 3;
	v->stats.adverts_sent = 3600;
	v->stats.adverts_rx = 2;
	v->stats.drops[CARP_DROP_HMAC] = 5;
	v = add_vhid(f, 1, eth0, 2, CARP_BACKUP, "192.0.2.1");
	add_vip(v, "192.0.2.102");
	v->cfg.advskew = 100;
	v->master = addr("192.0.2.2");
	v->stats.adverts_rx = UINT64_MAX;
	v = add_vhid(f, 2, eth1, 3, CARP_INIT, "198.51.100.1");
	add_vip(v, "198.51.100.10");
	eth1->drops[CARP_DROP_TTL] = 2;
	eth1->drops[CARP_DROP_VHID] = 7;
}

/* `quiet`: failure is expected, keep its traceback out of the log. */
static int
py_run(const char *json, const char *expr, int quiet)
{
	return ut_python(py_check, (const char *const[]){ expr, NULL }, json,
	    quiet);
}

static int
py_json(const char *json, const char *expr)
{
	return py_run(json, expr, 0);
}

#define JSON_OK(json, expr) \
	ck_assert_msg(py_json((json), (expr)) == 0, "JSON check failed: %s\n%s", \
	    (expr), (json))

/* The checker itself must be able to fail. */
START_TEST(checker_rejects)
{
	ck_assert_int_eq(py_run("{\"a\":1}", "d['a'] == 1", 0), 0);
	ck_assert_int_eq(py_run("{\"a\":1}", "d['a'] == 2", 1), 3);
	ck_assert_int_eq(py_run("{\"a\":1,}", "True", 1), 1);
	ck_assert_int_eq(py_run("{\"a\":1,\"a\":2}", "True", 1), 1);
	ck_assert_int_eq(py_run("{\"a\":NaN}", "True", 1), 1);
	ck_assert_int_eq(py_run("{\"a\":\"\xff\"}", "True", 1), 1);
	ck_assert_int_eq(py_run("{\"a\":1}\n{}", "True", 1), 1);
}
END_TEST

START_TEST(json_one_line)
{
	struct fixture	 f;
	char		*j;
	size_t		 n;

	fixture_lan(&f);
	j = ut_render(status_json, &f.cd);
	n = strlen(j);
	ck_assert_uint_gt(n, 2);
	ck_assert_int_eq(j[n - 1], '\n');
	ck_assert_ptr_eq(strchr(j, '\n'), j + n - 1);
	JSON_OK(j, "sorted(d) == ['balanced', 'groups', 'interfaces', 'pid', 'version', 'vhids']");
	JSON_OK(j, "d['balanced'] == []");
	JSON_OK(j, "d['pid'] == 4242 and d['version'] == '" PACKAGE_VERSION "'");
	JSON_OK(j, "[v['vhid'] for v in d['vhids']] == [1, 2, 3]");
	JSON_OK(j, "[i['name'] for i in d['interfaces']] == ['eth0', 'eth1']");
	free(j);
}
END_TEST

START_TEST(json_master)
{
	struct fixture	 f;
	char		*j;

	fixture_lan(&f);
	j = ut_render(status_json, &f.cd);
	JSON_OK(j, "d['vhids'][0]['interface'] == 'eth0'");
	JSON_OK(j, "d['vhids'][0]['state'] == 'MASTER'");
	JSON_OK(j, "d['vhids'][0]['addresses'] == ['192.0.2.100', '192.0.2.101']");
	JSON_OK(j, "d['vhids'][0]['advbase'] == 1 and d['vhids'][0]['advskew'] == 20");
	/* A master names itself, not the last master it heard. */
	JSON_OK(j, "d['vhids'][0]['master'] == '192.0.2.1'");
	JSON_OK(j, "d['vhids'][0]['source'] == '192.0.2.1'");
	JSON_OK(j, "d['vhids'][0]['last_change'] == '2023-11-14T22:13:20Z'");
	JSON_OK(j, "d['vhids'][0]['last_change_unix'] == 1700000000");
	JSON_OK(j, "d['vhids'][0]['reason'] == 'master-down'");
	JSON_OK(j, "d['vhids'][0]['transitions'] == 3");
	JSON_OK(j, "d['vhids'][0]['adverts_sent'] == 3600");
	JSON_OK(j, "d['vhids'][0]['adverts_received'] == 2");
	JSON_OK(j, "d['vhids'][0]['preempt'] is True");
	JSON_OK(j, "d['vhids'][0]['bad_packets']['hmac'] == 5");
	JSON_OK(j, "sum(d['vhids'][0]['bad_packets'].values()) == 5");
	free(j);
}
END_TEST

START_TEST(json_backup_and_init)
{
	struct fixture	 f;
	char		*j;

	fixture_lan(&f);
	j = ut_render(status_json, &f.cd);
	JSON_OK(j, "d['vhids'][1]['state'] == 'BACKUP'");
	JSON_OK(j, "d['vhids'][1]['master'] == '192.0.2.2'");
	JSON_OK(j, "d['vhids'][1]['last_change'] is None");
	JSON_OK(j, "d['vhids'][1]['last_change_unix'] is None");
	JSON_OK(j, "d['vhids'][1]['reason'] is None");
	JSON_OK(j, "d['vhids'][1]['preempt'] is False");
	/* 64-bit counters come through whole. */
	JSON_OK(j, "d['vhids'][1]['adverts_received'] == 2**64 - 1");
	JSON_OK(j, "d['vhids'][2]['state'] == 'INIT'");
	JSON_OK(j, "d['vhids'][2]['master'] is None");
	JSON_OK(j, "d['vhids'][2]['interface'] == 'eth1'");
	free(j);
}
END_TEST

/* Every drop reason is a key, zeros included, in vhids and interfaces. */
START_TEST(json_drop_keys)
{
	struct fixture	 f;
	char		 expr[1024], keys[768] = "";
	char		*j;

	for (int i = CARP_RX_OK + 1; i < CARP_DROP_MAX; i++) {
		strcat(keys, i > CARP_RX_OK + 1 ? ", '" : "'");
		strcat(keys, carp_drop_name((enum carp_drop)i));
		strcat(keys, "'");
	}
	fixture_lan(&f);
	j = ut_render(status_json, &f.cd);
	snprintf(expr, sizeof(expr), "all(sorted(o['bad_packets']) == "
	    "sorted([%s]) for o in d['vhids'] + d['interfaces'])", keys);
	JSON_OK(j, expr);
	JSON_OK(j, "d['interfaces'][1]['bad_packets']['ttl'] == 2");
	JSON_OK(j, "d['interfaces'][1]['bad_packets']['unknown-vhid'] == 7");
	JSON_OK(j, "sum(d['interfaces'][0]['bad_packets'].values()) == 0");
	free(j);
}
END_TEST

START_TEST(json_empty)
{
	struct fixture	 f;
	char		*j;

	fixture_init(&f);
	j = ut_render(status_json, &f.cd);
	JSON_OK(j, "d['vhids'] == [] and d['interfaces'] == []");
	free(j);
}
END_TEST

/* Demotion: every vhid's byte and groups, every group's sources. */
START_TEST(groups_json_and_text)
{
	struct fixture		 f;
	struct demote_group	*carp, *fw;
	struct vhid		*v;
	char			*j, *t;

	fixture_lan(&f);
	carp = demote_get(&f.cd.demotes, "carp");
	fw = demote_get(&f.cd.demotes, "fw");
	(void)demote_get(&f.cd.demotes, "idle");	/* unused, 0: hidden */
	v = &f.vs[0];
	v->dgroups[v->ndgroups++] = carp;
	v->dgroups[v->ndgroups++] = fw;
	carp->nvhids = fw->nvhids = 1;
	demote_set(fw, DEMOTE_OPERATOR, 3);
	demote_set(fw, DEMOTE_LINK, 1);
	v->fsm.demote = 4;
	v->fsm.cfg.advskew = 20;
	v->fsm.cfg.demote_skew = FSM_SKEW_ADD;
	snprintf(v->cfg.syncgroup, sizeof(v->cfg.syncgroup), "fw");
	j = ut_render(status_json, &f.cd);
	JSON_OK(j, "d['vhids'][0]['sync_group'] == 'fw' and "
	    "d['vhids'][1]['sync_group'] is None");
	JSON_OK(j, "d['vhids'][0]['demote'] == 4");
	JSON_OK(j, "d['vhids'][0]['advskew_sent'] == 24");
	JSON_OK(j, "d['vhids'][0]['groups'] == ['carp', 'fw']");
	JSON_OK(j, "d['vhids'][1]['demote'] == 0 and "
	    "d['vhids'][1]['groups'] == []");
	JSON_OK(j, "[g['name'] for g in d['groups']] == ['carp', 'fw']");
	JSON_OK(j, "d['groups'][1] == {'name': 'fw', 'demotion': 4, "
	    "'vhids': 1, 'operator': 3, 'link': 1, 'send-errors': 0, "
	    "'startup': 0, 'track': 0}");
	free(j);
	t = ut_render(status_text, &f.cd);
	ck_assert_ptr_nonnull(strstr(t, "\ngroup carp: demotion 0, 1 vhid\n"));
	ck_assert_ptr_nonnull(strstr(t,
	    "\ngroup fw: demotion 4, 1 vhid operator=3 link=1\n"));
	ck_assert_ptr_null(strstr(t, "idle"));
	free(t);
	demote_free_all(&f.cd.demotes);
}
END_TEST

/* Interface names are bytes: quotes, controls and non-UTF-8 get escaped. */
START_TEST(json_hostile_names)
{
	struct fixture	 f;
	struct vhid	*v;
	char		*j;

	fixture_init(&f);
	add_iface(&f, 0, "a\"b\\c\x01\x7f\xff\xc3\xa9");
	add_iface(&f, 1, "\xed\xa0\x80\xc0\x80z");
	v = add_vhid(&f, 0, &f.ifs[0], 9, CARP_BACKUP, "192.0.2.1");
	add_vip(v, "192.0.2.100");
	j = ut_render(status_json, &f.cd);
	JSON_OK(j, "d['vhids'][0]['interface'] == "
	    "'a\"b\\\\c\\x01\\x7f\\ufffd\\u00e9'");
	JSON_OK(j, "d['interfaces'][0]['name'] == d['vhids'][0]['interface']");
	/* A surrogate and an overlong NUL are not UTF-8 either. */
	JSON_OK(j, "d['interfaces'][1]['name'] == '\\ufffd' * 5 + 'z'");
	free(j);
}
END_TEST

START_TEST(json_many_addresses)
{
	struct fixture	 f;
	struct vhid	*v;
	char		 a[32];
	char		*j;

	fixture_init(&f);
	v = add_vhid(&f, 0, add_iface(&f, 0, "eth0"), 255, CARP_MASTER,
	    "203.0.113.1");
	for (int i = 0; i < CARPD_MAX_VIPS; i++) {
		snprintf(a, sizeof(a), "203.0.113.%d", 100 + i);
		add_vip(v, a);
	}
	j = ut_render(status_json, &f.cd);
	JSON_OK(j, "d['vhids'][0]['addresses'] == "
	    "['203.0.113.%d' % (100 + i) for i in range(32)]");
	JSON_OK(j, "d['vhids'][0]['vhid'] == 255");
	free(j);
}
END_TEST

/*
 * Vhids that wait in INIT say why: vhid 1 for its interface (missing),
 * vhid 2 for an address to send from, vhid 3 for the carrier it lost
 * after it started.  vhid 4 waits for nothing.
 */
static void
fixture_waiting(struct fixture *f)
{
	struct iface	*gone, *eth1;
	struct vhid	*v;

	fixture_init(f);
	gone = add_iface(f, 0, "vlan42");
	gone->present = gone->link_up = false;
	gone->absent = CARPD_WAIT_IF_MISSING;
	eth1 = add_iface(f, 1, "eth1");
	v = add_vhid(f, 0, gone, 1, CARP_INIT, "0.0.0.0");
	add_vip(v, "192.0.2.100");
	v = add_vhid(f, 1, eth1, 2, CARP_INIT, "0.0.0.0");
	add_vip(v, "198.51.100.10");
	v->wait = CARPD_WAIT_NO_ADDR;
	v = add_vhid(f, 2, eth1, 3, CARP_INIT, "198.51.100.1");
	add_vip(v, "198.51.100.11");
	v->started = true;
	eth1->link_up = false;
	v->last_change.tv_sec = 1700000000;
	v->last_reason = FSM_R_LINK_DOWN;
}

START_TEST(json_waiting)
{
	struct fixture	 f;
	char		*j;

	fixture_waiting(&f);
	j = ut_render(status_json, &f.cd);
	JSON_OK(j, "[v['waiting'] for v in d['vhids']] == "
	    "['interface-missing', 'no-address', 'link-down']");
	JSON_OK(j, "[v['source'] for v in d['vhids']] == "
	    "[None, None, '198.51.100.1']");
	free(j);
	/* Once the daemon exits, nothing waits any more. */
	f.cd.exiting = true;
	j = ut_render(status_json, &f.cd);
	JSON_OK(j, "all(v['waiting'] is None for v in d['vhids'])");
	free(j);
}
END_TEST

/* The column of `name` in the header line, or -1. */
static int
column(const char *text, const char *name)
{
	const char *eol = strchr(text, '\n'), *p = strstr(text, name);

	return p != NULL && p < eol ? (int)(p - text) : -1;
}

/* Line `n` (0: the header), copied into buf. */
static const char *
line(const char *text, int n, char *buf, size_t len)
{
	const char *eol;

	for (; n > 0 && text != NULL; n--)
		if ((text = strchr(text, '\n')) != NULL)
			text++;
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(eol = strchr(text, '\n'));
	ck_assert_uint_lt((size_t)(eol - text), len);
	memcpy(buf, text, (size_t)(eol - text));
	buf[eol - text] = '\0';
	return buf;
}

START_TEST(text_table)
{
	static const char *const cols[] = { "VHID", "INTERFACE", "STATE",
	    "MASTER", "ADVBASE/SKEW", "LAST-CHANGE", "REASON", "SENT",
	    "RECEIVED", "BAD", "ADDRESSES" };
	static const char *const row1[] = { "1", "eth0", "MASTER",
	    "192.0.2.1", "1/20", "2023-11-14T22:13:20Z", "master-down",
	    "3600", "2", "5", "192.0.2.100,192.0.2.101" };
	static const char *const row3[] = { "3", "eth1", "INIT", "-", "1/0",
	    "-", "-", "0", "0", "0", "198.51.100.10" };
	struct fixture	 f;
	char		 buf[1024];
	char		*t;
	int		 at[11];

	fixture_lan(&f);
	t = ut_render(status_text, &f.cd);
	for (int i = 0; i < 11; i++) {
		at[i] = column(t, cols[i]);
		ck_assert_msg(at[i] >= 0, "no column %s in\n%s", cols[i], t);
		ck_assert(i == 0 || at[i] > at[i - 1]);
	}
	/* Each cell starts under its heading. */
	line(t, 1, buf, sizeof(buf));
	for (int i = 0; i < 11; i++)
		ck_assert_msg(strncmp(buf + at[i], row1[i], strlen(row1[i])) == 0,
		    "column %s of \"%s\": want %s", cols[i], buf, row1[i]);
	line(t, 3, buf, sizeof(buf));
	for (int i = 0; i < 11; i++)
		ck_assert_msg(strncmp(buf + at[i], row3[i], strlen(row3[i])) == 0,
		    "column %s of \"%s\": want %s", cols[i], buf, row3[i]);
	/* The UINT64_MAX counter widens RECEIVED rather than spilling. */
	line(t, 2, buf, sizeof(buf));
	ck_assert(strncmp(buf + at[8], "18446744073709551615 ", 21) == 0);
	ck_assert_int_eq(buf[strlen(buf) - 1], '2');	/* 192.0.2.102 last */
	free(t);
}
END_TEST

/* REASON says why a vhid waits, in place of why it last changed. */
START_TEST(text_waiting)
{
	static const char *const want[] = { "interface-missing",
	    "no-address", "link-down" };
	struct fixture	 f;
	char		 buf[1024];
	char		*t;
	int		 at;

	fixture_waiting(&f);
	t = ut_render(status_text, &f.cd);
	ck_assert_int_ge(at = column(t, "REASON"), 0);
	for (int i = 0; i < 3; i++) {
		line(t, i + 1, buf, sizeof(buf));
		ck_assert_msg(strncmp(buf + at, want[i], strlen(want[i])) == 0,
		    "REASON of \"%s\": want %s", buf, want[i]);
	}
	free(t);
}
END_TEST

/*
 * ARP balancing: 192.0.2.100 over nodes 1, 2 and 3 on eth0, this host
 * master of 1 and 3; eth0's counters.
 */
static void
fixture_balance(struct fixture *f)
{
	static const enum carp_state st[3] = { CARP_MASTER, CARP_BACKUP,
	    CARP_MASTER };
	struct iface	*eth0;

	fixture_init(f);
	eth0 = add_iface(f, 0, "eth0");
	for (int i = 0; i < 3; i++) {
		struct vhid *v = add_vhid(f, i, eth0, (uint8_t)(i + 1), st[i],
		    "192.0.2.1");

		add_vip(v, "192.0.2.100");
		for (int k = 0; k < 3; k++)
			v->cfg.nodes[k].vhid = (uint8_t)(k + 1);
		v->cfg.nnodes = 3;
		eth0->by_vhid[i + 1] = v;
	}
	eth0->nbal = 1;
	eth0->bal_stats.requests = 12;
	eth0->bal_stats.answered = 8;
	eth0->bal_stats.others = 4;
	eth0->bal_stats.limited = 1;
}

START_TEST(balance_text_and_json)
{
	struct fixture	 f;
	char		*t, *j;

	fixture_balance(&f);
	t = ut_render(status_text, &f.cd);
	ck_assert_ptr_nonnull(strstr(t,
	    "\nbalance 192.0.2.100 on eth0: nodes 1 2 3, master of 1 3\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nARP balancing on eth0: requests=12 "
	    "answered=8 limited=1 others=4 send_errors=0\n"));
	free(t);
	j = ut_render(status_json, &f.cd);
	JSON_OK(j, "d['balanced'] == [{'interface': 'eth0', 'addresses': "
	    "['192.0.2.100'], 'nodes': [1, 2, 3], 'master_of': [1, 3]}]");
	JSON_OK(j, "d['interfaces'][0]['arp_balancing'] == {'addresses': 1, "
	    "'requests': 12, 'answered': 8, 'limited': 1, 'others': 4, "
	    "'send_errors': 0}");
	free(j);
	/* None mastered: said so. */
	f.vs[0].fsm.state = f.vs[2].fsm.state = CARP_BACKUP;
	t = ut_render(status_text, &f.cd);
	ck_assert_ptr_nonnull(strstr(t, "nodes 1 2 3, master of none\n"));
	free(t);
	j = ut_render(status_json, &f.cd);
	JSON_OK(j, "d['balanced'][0]['master_of'] == []");
	free(j);
}
END_TEST

START_TEST(text_drop_lines)
{
	struct fixture	 f;
	char		*t;

	fixture_lan(&f);
	t = ut_render(status_text, &f.cd);
	ck_assert_ptr_nonnull(strstr(t, "\nbad packets vhid 1 on eth0: hmac=5\n"));
	/* In the order of the reasons, zeros left out. */
	ck_assert_ptr_nonnull(strstr(t,
	    "\nbad packets on eth1: ttl=2 unknown-vhid=7\n"));
	ck_assert_ptr_null(strstr(t, "bad packets vhid 2"));
	ck_assert_ptr_null(strstr(t, "bad packets on eth0"));
	ck_assert_int_eq(t[strlen(t) - 1], '\n');
	free(t);
}
END_TEST

/*
 * vhid 2 of fixture_lan with peers: an IPv4 one resolved, an IPv6 one
 * resolved, an IPv6 one not yet.
 */
static void
fixture_peers(struct fixture *f)
{
	static const uint8_t	 m0[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t	 m1[6] = { 0x02, 0xab, 0, 0, 0, 0x03 };
	struct vhid		*v;

	fixture_lan(f);
	v = &f->vs[1];
	v->cfg.peers[0].family = AF_INET;
	v->cfg.peers[0].addr.in4 = addr("192.0.2.2");
	v->cfg.peers[1].family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::2",
	    &v->cfg.peers[1].addr.in6), 1);
	v->cfg.peers[2].family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::3",
	    &v->cfg.peers[2].addr.in6), 1);
	v->cfg.npeers = 3;
	v->peer_resolved = 1u << 0 | 1u << 1;
	memcpy(v->peer_mac[0], m0, 6);
	memcpy(v->peer_mac[1], m1, 6);
	memcpy(v->peer_mac[2], m1, 6);	/* stale: not resolved now */
}

START_TEST(json_peers)
{
	struct fixture	 f;
	char		*j;

	fixture_peers(&f);
	j = ut_render(status_json, &f.cd);
	JSON_OK(j, "d['vhids'][0]['unicast_peers'] == [] and "
	    "d['vhids'][0]['peer_routed'] is False");
	JSON_OK(j, "d['vhids'][1]['unicast_peers'] == ["
	    "{'address': '192.0.2.2', 'family': 'inet', 'resolved': True, "
	    "'mac': '02:00:00:00:00:02'}, "
	    "{'address': '2001:db8::2', 'family': 'inet6', 'resolved': True, "
	    "'mac': '02:ab:00:00:00:03'}, "
	    "{'address': '2001:db8::3', 'family': 'inet6', 'resolved': False, "
	    "'mac': None}]");
	free(j);
}
END_TEST

START_TEST(text_peers)
{
	struct fixture	 f;
	char		*t;

	fixture_peers(&f);
	t = ut_render(status_text, &f.cd);
	ck_assert_ptr_nonnull(strstr(t, "\nunicast peers vhid 2 on eth0: 192.0.2.2 "
	    "02:00:00:00:00:02 2001:db8::2 02:ab:00:00:00:03 2001:db8::3 "
	    "unresolved\n"));
	ck_assert_ptr_null(strstr(t, "unicast peers vhid 1 "));
	free(t);
}
END_TEST

START_TEST(text_empty)
{
	struct fixture	 f;
	char		*t;

	fixture_init(&f);
	t = ut_render(status_text, &f.cd);
	ck_assert_str_eq(t, "VHID  INTERFACE  STATE  MASTER  ADVBASE/SKEW  "
	    "LAST-CHANGE  REASON  SENT  RECEIVED  BAD  ADDRESSES\n");
	free(t);
}
END_TEST

/* A terminal must not get control characters from an interface name. */
START_TEST(text_sanitized)
{
	struct fixture	 f;
	struct vhid	*v;
	char		*t;

	fixture_init(&f);
	v = add_vhid(&f, 0, add_iface(&f, 0, "e\x1b[2Jx\x7f"), 4, CARP_BACKUP,
	    "192.0.2.1");
	add_vip(v, "192.0.2.100");
	v->stats.drops[CARP_DROP_REPLAY] = 1;
	f.ifs[0].drops[CARP_DROP_SHORT] = 1;
	t = ut_render(status_text, &f.cd);
	ck_assert_ptr_null(strchr(t, '\x1b'));
	ck_assert_ptr_null(strchr(t, '\x7f'));
	ck_assert_ptr_nonnull(strstr(t, "\n4     e?[2Jx?    BACKUP"));
	ck_assert_ptr_nonnull(strstr(t, "bad packets vhid 4 on e?[2Jx?: replay=1\n"));
	ck_assert_ptr_nonnull(strstr(t, "bad packets on e?[2Jx?: short=1\n"));
	free(t);
}
END_TEST

START_TEST(text_many_addresses)
{
	struct fixture	 f;
	struct vhid	*v;
	char		 a[32];
	char		*t;

	fixture_init(&f);
	v = add_vhid(&f, 0, add_iface(&f, 0, "eth0"), 1, CARP_MASTER,
	    "203.0.113.1");
	for (int i = 0; i < CARPD_MAX_VIPS; i++) {
		snprintf(a, sizeof(a), "203.0.113.%d", 200 + i);
		add_vip(v, a);
	}
	t = ut_render(status_text, &f.cd);
	ck_assert_ptr_nonnull(strstr(t, "  203.0.113.200,203.0.113.201,"));
	ck_assert_ptr_nonnull(strstr(t, ",203.0.113.230,203.0.113.231\n"));
	free(t);
}
END_TEST

static Suite *
status_suite(void)
{
	Suite	*s = suite_create("status");
	TCase	*tc;

	tc = tcase_create("json");
	tcase_set_timeout(tc, 60);	/* each check starts python3 */
	tcase_add_test(tc, checker_rejects);
	tcase_add_test(tc, json_one_line);
	tcase_add_test(tc, json_master);
	tcase_add_test(tc, json_backup_and_init);
	tcase_add_test(tc, json_drop_keys);
	tcase_add_test(tc, json_empty);
	tcase_add_test(tc, groups_json_and_text);
	tcase_add_test(tc, json_hostile_names);
	tcase_add_test(tc, json_many_addresses);
	tcase_add_test(tc, json_waiting);
	tcase_add_test(tc, json_peers);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, text_table);
	tcase_add_test(tc, text_waiting);
	tcase_add_test(tc, text_drop_lines);
	tcase_add_test(tc, text_peers);
	tcase_add_test(tc, text_empty);
	tcase_add_test(tc, text_sanitized);
	tcase_add_test(tc, text_many_addresses);
	tcase_add_test(tc, balance_text_and_json);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(status_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
