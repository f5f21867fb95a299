/*
 * test_gens.c: unit tests of the root parent's check of which scripts
 * may run (src/gens.c, and script_build in src/script.c): a request is
 * allowed only for a vhid of the configuration generation it names,
 * while that generation is kept; only for one of that vhid's addresses;
 * only with a state and a reason from the fixed lists that go with the
 * script; and the command is built from the parent's configuration.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "conf.h"
#include "gens.h"
#include "script.h"

static struct in_addr
addr(const char *s)
{
	struct in_addr a;

	ck_assert(inet_pton(AF_INET, s, &a) == 1);
	return a;
}

/* A configuration of `n` vhids 1..n on eth0, one address 192.0.2.(10+i). */
static struct config
conf(size_t n, const char *down)
{
	struct config cf;

	memset(&cf, 0, sizeof(cf));
	global_defaults(&cf.g);
	cf.vhids = calloc(n, sizeof(*cf.vhids));
	cf.nvhids = n;
	for (size_t i = 0; i < n; i++) {
		struct vhid_config *vc = &cf.vhids[i];
		char a[32];

		vhid_config_defaults(vc);
		strcpy(vc->ifname, "eth0");
		vc->vhid = (uint8_t)(i + 1);
		snprintf(a, sizeof(a), "192.0.2.%zu", 10 + i);
		vc->vips[0] = addr(a);
		vc->vips[1] = addr("203.0.113.7");
		vc->prefix[1] = 28;
		vc->nvips = 2;
		vc->upscript = strdup("/etc/carpd/up");
		vc->downscript = down != NULL ? strdup(down) : NULL;
		vc->xparam = i == 0 ? strdup("extra") : NULL;
	}
	return cf;
}

static struct script_req
req(uint32_t gen, uint8_t vhid, const char *vip, uint8_t kind,
    uint8_t state, uint8_t reason)
{
	struct script_req rq;

	memset(&rq, 0, sizeof(rq));
	rq.gen = gen;
	rq.qid = 1;
	rq.vhid = vhid;
	rq.kind = kind;
	rq.state = state;
	rq.reason = reason;
	strcpy(rq.ifname, "eth0");
	rq.vip = addr(vip);
	return rq;
}

static int
allowed(const struct gens *gs, struct script_req rq)
{
	const char *why = NULL;
	const struct vhid_config *vc = gens_authorise(gs, &rq, &why);

	ck_assert((vc == NULL) == (why != NULL));
	return vc != NULL;
}

#define DOWN(g, v, a)	req(g, v, a, SCRIPT_DOWN, CARP_BACKUP, FSM_R_PREFERRED_MASTER)
#define UP(g, v, a)	req(g, v, a, SCRIPT_UP, CARP_MASTER, FSM_R_MASTER_DOWN)

START_TEST(t_generations)
{
	struct gens	gs;
	struct config	c1 = conf(3, "/etc/carpd/down"), c2, c3;
	uint32_t	g1, g2, g3;

	gens_init(&gs);
	g1 = gens_add(&gs, &c1, true);
	ck_assert_uint_eq(g1, 1);
	ck_assert(allowed(&gs, DOWN(g1, 3, "192.0.2.12")));
	ck_assert(!allowed(&gs, DOWN(g1 + 1, 3, "192.0.2.12")));
	ck_assert(!allowed(&gs, DOWN(0, 3, "192.0.2.12")));
	/* two reloads, vhid 3 removed: its down script of g1 stays allowed */
	c2 = conf(2, "/etc/carpd/down");
	c3 = conf(1, "/etc/carpd/down");
	g2 = gens_add(&gs, &c2, true);
	g3 = gens_add(&gs, &c3, true);
	ck_assert_uint_eq(g2, 2);
	ck_assert_uint_eq(g3, 3);
	ck_assert(allowed(&gs, DOWN(g1, 3, "192.0.2.12")));
	ck_assert(allowed(&gs, DOWN(g2, 2, "192.0.2.11")));
	ck_assert(!allowed(&gs, DOWN(g2, 3, "192.0.2.12")));
	ck_assert(!allowed(&gs, DOWN(g3, 2, "192.0.2.11")));
	ck_assert_uint_eq(gens_nvhids(&gs), 6);
	/* g2 acked: g1 goes, g2 and g3 stay */
	ck_assert_int_eq(gens_ack(&gs, g2), 0);
	ck_assert(!allowed(&gs, DOWN(g1, 3, "192.0.2.12")));
	ck_assert(allowed(&gs, DOWN(g2, 2, "192.0.2.11")));
	ck_assert(allowed(&gs, UP(g3, 1, "192.0.2.10")));
	ck_assert_int_eq(gens_ack(&gs, g1), -1);
	ck_assert_int_eq(gens_ack(&gs, 99), -1);
	ck_assert_int_eq(gens_ack(&gs, g3), 0);
	ck_assert(!allowed(&gs, DOWN(g2, 2, "192.0.2.11")));
	ck_assert_ptr_eq(gens_latest(&gs), gens_find(&gs, g3));
	ck_assert_uint_eq(gens_nvhids(&gs), 1);
	gens_free(&gs);
}
END_TEST

START_TEST(t_bound)
{
	struct gens	gs;
	struct config	c;
	uint32_t	g = 0;

	gens_init(&gs);
	for (int i = 0; i < GENS_MAX; i++) {
		c = conf(1, NULL);
		ck_assert_uint_eq(gens_add(&gs, &c, true), (uint32_t)i + 1);
	}
	c = conf(1, NULL);
	ck_assert_uint_eq(gens_add(&gs, &c, true), 0);
	/* ...until the child takes one */
	ck_assert_int_eq(gens_ack(&gs, GENS_MAX), 0);
	g = gens_add(&gs, &c, true);
	ck_assert_uint_eq(g, GENS_MAX + 1);
	gens_drop_last(&gs);
	c = conf(1, NULL);
	ck_assert_uint_eq(gens_add(&gs, &c, true), GENS_MAX + 1);
	gens_free(&gs);
}
END_TEST

START_TEST(t_address_and_vhid)
{
	struct gens		gs;
	struct config		c = conf(2, "/etc/carpd/down");
	struct script_req	rq;

	gens_init(&gs);
	gens_add(&gs, &c, true);
	ck_assert(allowed(&gs, UP(1, 1, "192.0.2.10")));
	ck_assert(allowed(&gs, UP(1, 1, "203.0.113.7")));
	ck_assert(!allowed(&gs, UP(1, 1, "192.0.2.11")));	/* vhid 2's */
	ck_assert(!allowed(&gs, UP(1, 1, "0.0.0.0")));
	ck_assert(!allowed(&gs, UP(1, 3, "192.0.2.12")));	/* no vhid 3 */
	rq = UP(1, 1, "192.0.2.10");
	strcpy(rq.ifname, "eth1");				/* not on eth1 */
	ck_assert(!allowed(&gs, rq));
	memset(rq.ifname, 'e', sizeof(rq.ifname));		/* no NUL */
	ck_assert(!allowed(&gs, rq));
	gens_free(&gs);
	/* a vhid without a down script runs none */
	c = conf(1, NULL);
	gens_init(&gs);
	gens_add(&gs, &c, true);
	ck_assert(allowed(&gs, UP(1, 1, "192.0.2.10")));
	ck_assert(!allowed(&gs, DOWN(1, 1, "192.0.2.10")));
	gens_free(&gs);
}
END_TEST

START_TEST(t_state_reason_script)
{
	struct gens	gs;
	struct config	c = conf(1, "/etc/carpd/down");
	const char	*a = "192.0.2.10";

	gens_init(&gs);
	gens_add(&gs, &c, true);
	ck_assert(allowed(&gs, req(1, 1, a, SCRIPT_UP, CARP_MASTER, FSM_R_PREEMPT)));
	ck_assert(allowed(&gs, req(1, 1, a, SCRIPT_DOWN, CARP_BACKUP, FSM_R_STARTUP)));
	ck_assert(allowed(&gs, req(1, 1, a, SCRIPT_DOWN, CARP_INIT, FSM_R_SHUTDOWN)));
	ck_assert(!allowed(&gs, req(1, 1, a, SCRIPT_UP, CARP_BACKUP, FSM_R_PREEMPT)));
	ck_assert(!allowed(&gs, req(1, 1, a, SCRIPT_UP, CARP_INIT, FSM_R_PREEMPT)));
	ck_assert(!allowed(&gs, req(1, 1, a, SCRIPT_DOWN, CARP_MASTER, FSM_R_SHUTDOWN)));
	ck_assert(!allowed(&gs, req(1, 1, a, 0, CARP_MASTER, FSM_R_PREEMPT)));
	ck_assert(!allowed(&gs, req(1, 1, a, 3, CARP_MASTER, FSM_R_PREEMPT)));
	ck_assert(!allowed(&gs, req(1, 1, a, SCRIPT_DOWN, 3, FSM_R_SHUTDOWN)));
	ck_assert(!allowed(&gs, req(1, 1, a, SCRIPT_DOWN, 255, FSM_R_SHUTDOWN)));
	ck_assert(!allowed(&gs, req(1, 1, a, SCRIPT_UP, CARP_MASTER, FSM_R_NONE)));
	ck_assert(!allowed(&gs, req(1, 1, a, SCRIPT_UP, CARP_MASTER, FSM_R_MAX)));
	ck_assert(!allowed(&gs, req(1, 1, a, SCRIPT_UP, CARP_MASTER, 255)));
	gens_free(&gs);
}
END_TEST

static int
has(char **v, const char *s)
{
	for (; *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

/* The command comes from the configuration, whatever the request. */
START_TEST(t_build)
{
	struct config		 c = conf(2, "/etc/carpd/down");
	struct script_req	 rq = req(1, 1, "203.0.113.7", SCRIPT_DOWN,
				    CARP_INIT, FSM_R_SHUTDOWN);
	struct script_job	*j;
	const char		*why;

	j = script_build(&c.vhids[0], addr("192.0.2.1"), &rq, &why);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(j->argv[0], "/etc/carpd/down");
	ck_assert_str_eq(j->argv[1], "eth0");
	ck_assert_str_eq(j->argv[2], "203.0.113.7");
	ck_assert_str_eq(j->argv[3], "extra");
	ck_assert_ptr_null(j->argv[4]);
	ck_assert(has(j->envp, "CARP_VHID=1"));
	ck_assert(has(j->envp, "CARP_STATE=INIT"));
	ck_assert(has(j->envp, "CARP_REASON=shutdown"));
	ck_assert(has(j->envp, "CARP_INTERFACE=eth0"));
	ck_assert(has(j->envp, "CARP_VIP=203.0.113.7"));
	ck_assert(has(j->envp, "CARP_VIPS=192.0.2.10 203.0.113.7"));
	ck_assert(has(j->envp, "CARP_SRCIP=192.0.2.1"));
	ck_assert(has(j->envp, "CARP_PREFIX=28"));
	ck_assert_str_eq(j->label, "vhid 1 down 203.0.113.7");
	script_job_free(j);
	/* the first address has no prefix; vhid 2 has no xparam */
	rq = req(1, 2, "192.0.2.11", SCRIPT_UP, CARP_MASTER, FSM_R_PREEMPT);
	j = script_build(&c.vhids[1], addr("192.0.2.1"), &rq, &why);
	ck_assert_ptr_nonnull(j);
	ck_assert_ptr_null(j->argv[3]);
	for (char **e = j->envp; *e != NULL; e++)
		ck_assert(strncmp(*e, "CARP_PREFIX=", 12) != 0);
	script_job_free(j);
	rq.vip = addr("192.0.2.99");
	ck_assert_ptr_null(script_build(&c.vhids[1], addr("192.0.2.1"), &rq, &why));
	ck_assert_ptr_nonnull(why);
	config_free(&c);
}
END_TEST

static Suite *
gens_suite(void)
{
	Suite	*s = suite_create("gens");
	TCase	*tc = tcase_create("check");

	tcase_add_test(tc, t_generations);
	tcase_add_test(tc, t_bound);
	tcase_add_test(tc, t_address_and_vhid);
	tcase_add_test(tc, t_state_reason_script);
	tcase_add_test(tc, t_build);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(gens_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
