/*
 * test_balance.c: unit tests of ARP balancing's runtime (src/balance.c)
 * against a fake of net.c that records what is sent and which addresses
 * the ARP capture is given: which node answers, with what, the token
 * bucket, the counters.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "balance.h"
#include "carpd.h"
#include "net.h"
#include "proto.h"

/* ---- fakes of net.c ---- */

#define MAX_SENT	4096

static uint8_t		sent[MAX_SENT][ARP_FRAME_LEN];
static size_t		nsent;
static struct in_addr	watched[CARPD_MAX_BALANCED];
static size_t		nwatched;
static int		watch_calls;

int
net_send(struct iface *ifp, const uint8_t *frame, size_t len)
{
	(void)ifp;
	ck_assert_uint_eq(len, ARP_FRAME_LEN);
	if (nsent < MAX_SENT)
		memcpy(sent[nsent++], frame, len);
	return 0;
}

int
net_join6(struct iface *ifp, const struct in6_addr *group)
{
	(void)ifp;
	(void)group;
	return 0;
}

int
net_arp_watch(struct iface *ifp, const struct in_addr *a, size_t n,
    const struct in6_addr *a6, size_t n6)
{
	(void)a6;
	ck_assert_uint_eq(n6, 0);
	ifp->nbal = n;
	memcpy(watched, a, n * sizeof(*a));
	nwatched = n;
	watch_calls++;
	return 0;
}

/* ---- the LAN: eth0, 192.0.2.100 over nodes 1, 2 and 3 ---- */

static struct carpd	cd;
static struct iface	eth0;
static struct vhid	vs[4];
static const uint8_t	client_mac[6] = { 0x02, 0, 0x5e, 0x77, 0x88, 0x99 };

static struct in_addr
addr(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* Nodes 1, 2, 3 (states as given) and a plain vhid 7 for .7, master. */
static void
lan(enum carp_state s1, enum carp_state s2, enum carp_state s3)
{
	const enum carp_state st[3] = { s1, s2, s3 };

	memset(&cd, 0, sizeof(cd));
	memset(&eth0, 0, sizeof(eth0));
	memset(vs, 0, sizeof(vs));
	nsent = nwatched = 0;
	watch_calls = 0;
	TAILQ_INIT(&cd.ifaces);
	TAILQ_INIT(&cd.vhids);
	strcpy(eth0.name, "eth0");
	eth0.cd = &cd;
	eth0.present = true;
	TAILQ_INSERT_TAIL(&cd.ifaces, &eth0, entry);
	for (int i = 0; i < 4; i++) {
		struct vhid *v = &vs[i];

		v->cfg.vhid = (uint8_t)(i < 3 ? i + 1 : 7);
		v->cfg.vips[v->cfg.nvips++] = addr(i < 3 ? "192.0.2.100" :
		    "192.0.2.7");
		for (int k = 0; i < 3 && k < 3; k++)
			v->cfg.nodes[k].vhid = (uint8_t)(k + 1);
		v->cfg.nnodes = i < 3 ? 3 : 0;
		v->fsm.state = i < 3 ? st[i] : CARP_MASTER;
		v->ifp = &eth0;
		v->cd = &cd;
		eth0.by_vhid[v->cfg.vhid] = v;
		TAILQ_INSERT_TAIL(&cd.vhids, v, entry);
	}
	balance_refresh(&cd);
}

/* An ARP request from `spa` (client_mac) for `tpa`, through the callback. */
static void
ask(const char *spa, const char *tpa, uint16_t op)
{
	uint8_t		f[60];
	struct in_addr	s = addr(spa), t = addr(tpa);

	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, client_mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	f[15] = 1;		/* Ethernet */
	f[16] = 0x08;		/* IPv4 */
	f[18] = 6;
	f[19] = 4;
	f[21] = (uint8_t)op;
	memcpy(f + 22, client_mac, 6);
	memcpy(f + 28, &s.s_addr, 4);
	memcpy(f + 38, &t.s_addr, 4);
	balance_rx(&eth0, f, sizeof(f), sizeof(f), NULL);
}

START_TEST(refresh_watches_the_balanced_addresses)
{
	lan(CARP_MASTER, CARP_BACKUP, CARP_BACKUP);
	ck_assert_int_eq(watch_calls, 1);
	/* Once, though three nodes have it; not the plain vhid's .7. */
	ck_assert_uint_eq(nwatched, 1);
	ck_assert_uint_eq(watched[0].s_addr, addr("192.0.2.100").s_addr);
	ck_assert_uint_eq(eth0.arp_tb.burst, BALANCE_ANSWER_BURST);
	ck_assert_uint_eq(eth0.arp_tb.period_ms, BALANCE_ANSWER_MS);
}
END_TEST

/*
 * 192.0.2.15 hashes to node 1, .12 to node 2, .11 to node 3
 * (test_proto's vectors).  Master of 1 and 3: .15 and .11 are answered,
 * each with its node's MAC; .12 is left to node 2's master.
 */
START_TEST(the_hashed_node_answers)
{
	static const uint8_t n1[6] = { 0, 0, 0x5e, 0, 1, 1 };
	static const uint8_t n3[6] = { 0, 0, 0x5e, 0, 1, 3 };
	struct in_addr vip = addr("192.0.2.100");

	lan(CARP_MASTER, CARP_BACKUP, CARP_MASTER);
	ask("192.0.2.15", "192.0.2.100", 1);
	ask("192.0.2.12", "192.0.2.100", 1);
	ask("192.0.2.11", "192.0.2.100", 1);
	ck_assert_uint_eq(nsent, 2);
	ck_assert_mem_eq(sent[0], client_mac, 6);
	ck_assert_mem_eq(sent[0] + 6, n1, 6);
	ck_assert_mem_eq(sent[0] + 22, n1, 6);		/* sender MAC */
	ck_assert_mem_eq(sent[0] + 28, &vip.s_addr, 4);	/* sender IP */
	ck_assert_mem_eq(sent[0] + 32, client_mac, 6);
	ck_assert_mem_eq(sent[1] + 6, n3, 6);
	ck_assert_mem_eq(sent[1] + 22, n3, 6);
	ck_assert_uint_eq(eth0.bal_stats.requests, 3);
	ck_assert_uint_eq(eth0.bal_stats.answered, 2);
	ck_assert_uint_eq(eth0.bal_stats.others, 1);
	ck_assert_uint_eq(eth0.bal_stats.limited, 0);
}
END_TEST

/* Not ours to answer: other addresses, replies, announcements. */
START_TEST(others_are_left_alone)
{
	lan(CARP_MASTER, CARP_MASTER, CARP_MASTER);
	ask("192.0.2.15", "192.0.2.7", 1);	/* a plain vhid: the kernel's */
	ask("192.0.2.15", "192.0.2.101", 1);	/* no one's */
	ask("192.0.2.15", "192.0.2.100", 2);	/* a reply */
	ask("192.0.2.100", "192.0.2.100", 1);	/* an announcement */
	ck_assert_uint_eq(nsent, 0);
	ck_assert_uint_eq(eth0.bal_stats.requests, 0);
	/* A backup of every node answers nothing, and says so. */
	lan(CARP_BACKUP, CARP_BACKUP, CARP_INIT);
	ask("192.0.2.15", "192.0.2.100", 1);
	ask("192.0.2.12", "192.0.2.100", 1);
	ask("192.0.2.11", "192.0.2.100", 1);
	ck_assert_uint_eq(nsent, 0);
	ck_assert_uint_eq(eth0.bal_stats.others, 3);
}
END_TEST

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A flood: the burst, then one per BALANCE_ANSWER_MS; the rest counted. */
START_TEST(the_bucket_bounds_the_answers)
{
	long long	t0, t1;
	const unsigned	n = 3000;

	lan(CARP_MASTER, CARP_MASTER, CARP_MASTER);
	t0 = mono_ms();
	for (unsigned i = 0; i < n; i++)
		ask("192.0.2.15", "192.0.2.100", 1);
	t1 = mono_ms();
	ck_assert_uint_ge(eth0.bal_stats.answered, BALANCE_ANSWER_BURST);
	ck_assert_uint_le(eth0.bal_stats.answered, BALANCE_ANSWER_BURST +
	    (uint64_t)(t1 - t0 + 1) / BALANCE_ANSWER_MS);
	ck_assert_uint_eq(eth0.bal_stats.answered + eth0.bal_stats.limited, n);
	ck_assert_uint_eq(eth0.bal_stats.answered, nsent);
}
END_TEST

static Suite *
balance_suite(void)
{
	Suite	*s = suite_create("balance");
	TCase	*tc = tcase_create("balance");

	tcase_add_test(tc, refresh_watches_the_balanced_addresses);
	tcase_add_test(tc, the_hashed_node_answers);
	tcase_add_test(tc, others_are_left_alone);
	tcase_add_test(tc, the_bucket_bounds_the_answers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(balance_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
