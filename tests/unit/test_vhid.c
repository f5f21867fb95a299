/*
 * test_vhid.c: unit tests of the vhid runtime (src/vhid.c) linked
 * against a fake of net.c (an interface that records what is sent) and
 * the real script.c with a fake submit hook (that records what would
 * run, built by script_build as either process would build it).  Frames
 * come in through the interface's receive callback, as net.c delivers
 * them, registered the way carpd.c registers it.  The state machine,
 * codec and libevent are the real ones.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <event2/event.h>

#include "carpd.h"
#include "net.h"
#include "script.h"
#include "syncgroup.h"
#include "util.h"
#include "vhid.h"

#define KEY		"secret"
#define MAX_SENT	32
#define MAX_JOBS	16

static const uint8_t our_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x02 };

/* ---- fakes of net.c ---- */

static struct iface	fake_if;
static struct {
	uint8_t	frame[CARP_FRAME_LEN];
	size_t	len;
} sent[MAX_SENT];
static size_t		nsent;
static struct in_addr	joined;

struct iface *
net_iface_get(struct carpd *cd, const char *name, char *err, size_t errlen)
{
	if (strcmp(name, "eth0") != 0) {
		snprintf(err, errlen, "no such interface");
		return NULL;
	}
	if (fake_if.cd == NULL) {
		/* What the real one sets up, the wiring's callback included. */
		strcpy(fake_if.name, name);
		fake_if.cd = cd;
		fake_if.rx_cb = cd->iface_rx;
		fake_if.rx_arg = cd->iface_rx_arg;
		fake_if.present = fake_if.link_up = true;
		fake_if.rl.burst = 10;
		fake_if.rl.period_ms = 1000;
		memcpy(fake_if.mac, our_mac, 6);
		TAILQ_INSERT_TAIL(&cd->ifaces, &fake_if, entry);
	}
	return &fake_if;
}

void
net_iface_read_addr(struct iface *ifp)
{
	ck_assert_int_eq(inet_pton(AF_INET, "192.0.2.1", &ifp->addr), 1);
}

int
net_join(struct iface *ifp, struct in_addr group)
{
	joined = group;
	return 0;
}

void
net_leave(struct iface *ifp, struct in_addr group)
{
	joined.s_addr = INADDR_ANY;
}

int
net_join6(struct iface *ifp, const struct in6_addr *group)
{
	return 0;
}

void
net_leave6(struct iface *ifp, const struct in6_addr *group)
{
}

void
net_iface_vhids_changed(struct iface *ifp)
{
}

int
net_send(struct iface *ifp, const uint8_t *frame, size_t len)
{
	ck_assert_uint_lt(nsent, MAX_SENT);
	ck_assert_uint_le(len, sizeof(sent[0].frame));
	memcpy(sent[nsent].frame, frame, len);
	sent[nsent++].len = len;
	return 0;
}

/* ---- the script runner's submit hook ---- */

static struct script_job	*jobs[MAX_JOBS];
static size_t			 njobs;

static void
fake_submit(void *arg, struct script_queue *q, const struct vhid_config *vc,
    struct in_addr src, const struct script_req *rq)
{
	const char *why = NULL;

	ck_assert_uint_lt(njobs, MAX_JOBS);
	ck_assert_uint_eq(rq->qid, q->id);
	jobs[njobs] = script_build(vc, src, rq, &why);
	ck_assert_msg(jobs[njobs] != NULL, "script_build: %s", why);
	njobs++;
}

/* ---- the test's own wiring ---- */

static struct carpd	cd;

static struct in_addr
addr(const char *s)
{
	struct in_addr a;

	ck_assert_msg(inet_pton(AF_INET, s, &a) == 1, "bad address %s", s);
	return a;
}

static void
setup(void)
{
	memset(&fake_if, 0, sizeof(fake_if));
	nsent = njobs = 0;
	memset(&cd, 0, sizeof(cd));
	TAILQ_INIT(&cd.ifaces);
	TAILQ_INIT(&cd.vhids);
	TAILQ_INIT(&cd.demotes);
	ck_assert_ptr_nonnull(cd.base = event_base_new());
	cd.iface_rx = vhid_rx;		/* as carpd.c wires it */
	script_runner_init(&cd.runner, cd.base, 30);
	cd.runner.hooks.submit = fake_submit;
}

static void
teardown(void)
{
	struct vhid *v;

	while ((v = TAILQ_FIRST(&cd.vhids)) != NULL)
		vhid_free(v);
	for (size_t i = 0; i < njobs; i++)
		script_job_free(jobs[i]);
	if (cd.demote_ev != NULL)
		event_free(cd.demote_ev);
	syncgroup_free(&cd);
	demote_free_all(&cd.demotes);
	event_base_free(cd.base);
}

/* vhid `id` on eth0, advskew 100, 192.0.2.100, scripts and an xparam. */
static struct vhid *
start_vhid_in(uint8_t id, const char *syncgroup)
{
	struct vhid_config	 vc;
	struct vhid		*v;
	char			 err[256] = "";

	vhid_config_defaults(&vc);
	strcpy(vc.ifname, "eth0");
	vc.vhid = id;
	if (syncgroup != NULL)
		snprintf(vc.syncgroup, sizeof(vc.syncgroup), "%s", syncgroup);
	vc.advskew = 100;
	vc.vips[vc.nvips++] = addr("192.0.2.100");
	memcpy(vc.key, KEY, strlen(KEY));
	vc.keylen = strlen(KEY);
	vc.upscript = xstrdup("/etc/carpd/up");
	vc.downscript = xstrdup("/etc/carpd/down");
	vc.xparam = xstrdup("extra");
	v = vhid_new(&cd, &vc, err, sizeof(err));
	vhid_config_clear(&vc);
	ck_assert_msg(v != NULL, "vhid_new: %s", err);
	ck_assert_uint_eq(joined.s_addr, addr(CARP_DEFAULT_GROUP).s_addr);
	vhid_try_start_all(&cd);
	ck_assert(v->started);
	ck_assert_uint_eq(v->cfg.src.s_addr, addr("192.0.2.1").s_addr);
	ck_assert_int_eq(v->fsm.state, CARP_BACKUP);
	return v;
}

static struct vhid *
start_vhid(void)
{
	return start_vhid_in(7, NULL);
}

struct advert {
	const char	*src;
	const char	*dst;
	const char	*key;
	uint8_t		 vhid;
	uint8_t		 advskew;
	uint64_t	 counter;
};

/* A peer's advert, built with the codec and delivered as net.c would. */
static void
deliver(const struct advert *ad, size_t cut)
{
	struct carp_frame_params	p;
	struct carp_advert		a;
	struct in_addr			vip = addr("192.0.2.100");
	uint8_t				frame[CARP_FRAME_LEN];
	size_t				len;

	memset(&a, 0, sizeof(a));
	a.version = CARP_VERSION;
	a.type = CARP_TYPE_ADVERT;
	a.vhid = ad->vhid;
	a.advbase = 1;
	a.advskew = ad->advskew;
	a.authlen = CARP_AUTHLEN;
	a.counter = ad->counter;
	carp_hmac((const uint8_t *)ad->key, strlen(ad->key), a.vhid, &vip, 1,
	    a.counter, a.md);
	memset(&p, 0, sizeof(p));
	memcpy(p.src_mac, peer_mac, 6);
	memcpy(p.dst_mac, (const uint8_t[]){ 0x01, 0x00, 0x5e, 0, 0, 0x12 }, 6);
	p.src = addr(ad->src);
	p.dst = addr(ad->dst);
	len = carp_frame_build(&p, &a, frame);
	ck_assert_ptr_nonnull(fake_if.rx_cb);
	fake_if.rx_cb(&fake_if, frame, len - cut, len, fake_if.rx_arg);
}

static const struct advert peer = { "192.0.2.2", CARP_DEFAULT_GROUP, KEY,
    7, 0, 1000 };

static const char *
env_get(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* ---- tests ---- */

START_TEST(rx_through_callback)
{
	struct vhid *v;

	setup();
	v = start_vhid();
	ck_assert_ptr_eq(fake_if.rx_cb, vhid_rx);
	deliver(&peer, 0);
	ck_assert_uint_eq(v->stats.adverts_rx, 1);
	ck_assert_uint_eq(v->master.s_addr, addr("192.0.2.2").s_addr);
	ck_assert_int_eq(v->fsm.state, CARP_BACKUP);
	teardown();
}
END_TEST

/* Each bad advert is counted under its reason and changes nothing else. */
START_TEST(rx_drops)
{
	struct advert	 a;
	struct vhid	*v;

	setup();
	v = start_vhid();
	a = peer, a.key = "wrong";
	deliver(&a, 0);
	ck_assert_uint_eq(v->stats.drops[CARP_DROP_HMAC], 1);
	a = peer, a.src = "192.0.2.1";		/* our own source */
	deliver(&a, 0);
	ck_assert_uint_eq(v->stats.drops[CARP_DROP_LOOP], 1);
	a = peer, a.dst = "224.0.0.19";
	deliver(&a, 0);
	ck_assert_uint_eq(v->stats.drops[CARP_DROP_DST], 1);
	a = peer, a.vhid = 8;
	deliver(&a, 0);
	ck_assert_uint_eq(fake_if.drops[CARP_DROP_VHID], 1);
	deliver(&peer, 1);			/* cut short by the capture */
	ck_assert_uint_eq(fake_if.drops[CARP_DROP_LENGTH], 1);
	ck_assert_uint_eq(v->stats.adverts_rx, 0);
	ck_assert_uint_eq(v->master.s_addr, INADDR_ANY);
	teardown();
}
END_TEST

/* A peer that counts is held to it: an old counter is a replay. */
START_TEST(rx_replay)
{
	struct advert	 a = peer;
	struct vhid	*v;

	setup();
	v = start_vhid();
	for (int i = 0; i < 4; i++, a.counter++)
		deliver(&a, 0);
	ck_assert_uint_eq(v->stats.adverts_rx, 4);
	a.counter = peer.counter + 1;
	deliver(&a, 0);
	ck_assert_uint_eq(v->stats.drops[CARP_DROP_REPLAY], 1);
	ck_assert_uint_eq(v->stats.adverts_rx, 4);
	teardown();
}
END_TEST

/* Taking over: an advert, a gratuitous ARP, then the up script. */
START_TEST(force_master_actions)
{
	struct carp_rx	 rx;
	struct vhid	*v;
	size_t		 before;
	char		**argv, **envp;

	setup();
	v = start_vhid();
	before = njobs;
	vhid_event(v, FSM_EV_FORCE_MASTER);
	ck_assert_int_eq(v->fsm.state, CARP_MASTER);
	ck_assert_uint_ge(nsent, 2);
	ck_assert_uint_eq(sent[0].len, CARP_FRAME_LEN);
	ck_assert_int_eq(carp_rx_decode(sent[0].frame, sent[0].len, &rx),
	    CARP_RX_OK);
	ck_assert_uint_eq(rx.src.s_addr, addr("192.0.2.1").s_addr);
	ck_assert_uint_eq(rx.dst.s_addr, addr(CARP_DEFAULT_GROUP).s_addr);
	ck_assert_uint_eq(rx.adv.vhid, 7);
	ck_assert_uint_eq(rx.adv.advskew, 100);
	ck_assert_int_eq(sent[0].frame[ETH_HDR_LEN + 1], IPTOS_LOWDELAY);
	ck_assert_mem_eq(sent[0].frame + 6, our_mac, 6);
	ck_assert(carp_hmac_verify((const uint8_t *)KEY, strlen(KEY),
	    v->sorted_vips, v->nsorted, &rx.adv));
	ck_assert_uint_eq(sent[1].len, GARP_FRAME_LEN);

	ck_assert_uint_eq(njobs, before + 1);
	argv = jobs[before]->argv;
	envp = jobs[before]->envp;
	ck_assert_str_eq(argv[0], "/etc/carpd/up");
	ck_assert_str_eq(argv[1], "eth0");
	ck_assert_str_eq(argv[2], "192.0.2.100");
	ck_assert_str_eq(argv[3], "extra");
	ck_assert_ptr_null(argv[4]);
	ck_assert_str_eq(env_get(envp, "CARP_VHID"), "7");
	ck_assert_str_eq(env_get(envp, "CARP_STATE"), "MASTER");
	ck_assert_str_eq(env_get(envp, "CARP_INTERFACE"), "eth0");
	ck_assert_str_eq(env_get(envp, "CARP_VIP"), "192.0.2.100");
	ck_assert_str_eq(env_get(envp, "CARP_SRCIP"), "192.0.2.1");
	ck_assert_ptr_null(env_get(envp, "CARP_PREFIX"));
	ck_assert_str_eq(jobs[before]->label, "vhid 7 up 192.0.2.100");
	teardown();
}
END_TEST

/* A master that leaves bows out, then runs its down script. */
START_TEST(shutdown_bows_out)
{
	struct carp_rx	 rx;
	struct vhid	*v;
	size_t		 before;

	setup();
	v = start_vhid();
	vhid_event(v, FSM_EV_FORCE_MASTER);
	before = nsent;
	vhid_event(v, FSM_EV_SHUTDOWN);
	ck_assert_uint_gt(nsent, before);
	ck_assert_int_eq(carp_rx_decode(sent[before].frame, sent[before].len,
	    &rx), CARP_RX_OK);
	ck_assert_uint_eq(rx.adv.advbase, CARP_BOWOUT);
	ck_assert_uint_eq(rx.adv.advskew, CARP_BOWOUT);
	ck_assert_str_eq(jobs[njobs - 1]->argv[0], "/etc/carpd/down");
	ck_assert_str_eq(env_get(jobs[njobs - 1]->envp, "CARP_STATE"), "INIT");
	teardown();
}
END_TEST

/* While the daemon exits, frames are no longer looked at. */
START_TEST(rx_ignored_when_exiting)
{
	struct vhid *v;

	setup();
	v = start_vhid();
	cd.exiting = true;
	deliver(&peer, 0);
	ck_assert_uint_eq(v->stats.adverts_rx, 0);
	teardown();
}
END_TEST


/* ---- sync groups, wired as carpd.c wires them ---- */

static unsigned	ntransitions;

static void
on_transition(struct carpd *c, struct vhid *v, const struct fsm_output *out)
{
	ntransitions++;
	syncgroup_transition(c, v, out);
}

/* Run what the event loop has active now (the pull-ups), no timers. */
static void
loop_once(void)
{
	ck_assert_int_ne(event_base_loop(cd.base, EVLOOP_NONBLOCK), -1);
}

/*
 * vhid 7 takes over (master-down): 8, in its sync group, follows from
 * the event loop; 9 (another group), 10 (no group) and 11 (forced
 * backup) do not, and 8's own takeover pulls nothing more.
 */
START_TEST(sync_group_pulls)
{
	struct vhid *v7, *v8, *v9, *v10, *v11;

	setup();
	cd.transition_cb = on_transition;
	v7 = start_vhid_in(7, "fw");
	v8 = start_vhid_in(8, "fw");
	v9 = start_vhid_in(9, "dmz");
	v10 = start_vhid_in(10, NULL);
	v11 = start_vhid_in(11, "fw");
	vhid_event(v11, FSM_EV_FORCE_BACKUP);
	ntransitions = 0;
	vhid_event(v7, FSM_EV_DOWN_TIMER);
	ck_assert_int_eq(v7->last_reason, FSM_R_MASTER_DOWN);
	/* Not from inside 7's transition: from the loop. */
	ck_assert_int_eq(v8->fsm.state, CARP_BACKUP);
	loop_once();
	ck_assert_int_eq(v8->fsm.state, CARP_MASTER);
	ck_assert_int_eq(v8->last_reason, FSM_R_SYNC_GROUP);
	ck_assert_uint_eq(v8->stats.transitions_by[FSM_R_SYNC_GROUP], 1);
	ck_assert_str_eq(env_get(jobs[njobs - 1]->envp, "CARP_REASON"),
	    "sync-group");
	ck_assert_int_eq(v9->fsm.state, CARP_BACKUP);
	ck_assert_int_eq(v10->fsm.state, CARP_BACKUP);
	ck_assert_int_eq(v11->fsm.state, CARP_BACKUP);
	ck_assert_uint_eq(ntransitions, 2);
	ck_assert(!v8->sync_pull);
	loop_once();
	ck_assert_uint_eq(ntransitions, 2);
	teardown();
}
END_TEST

/*
 * A pull-up against a preferred master steps back at its advert and
 * nothing pulls it again; the operator's master pulls nothing; a vhid
 * that stepped back before the loop ran pulls nothing either.
 */
START_TEST(sync_group_steps_back)
{
	struct advert	 a = peer;
	struct vhid	*v7, *v8;

	setup();
	cd.transition_cb = on_transition;
	v7 = start_vhid_in(7, "fw");
	v8 = start_vhid_in(8, "fw");
	vhid_event(v7, FSM_EV_DOWN_TIMER);
	loop_once();
	ck_assert_int_eq(v8->fsm.state, CARP_MASTER);
	a.vhid = 8;
	deliver(&a, 0);			/* advskew 0: preferred */
	ck_assert_int_eq(v8->fsm.state, CARP_BACKUP);
	ck_assert_int_eq(v8->last_reason, FSM_R_PREFERRED_MASTER);
	ntransitions = 0;
	for (int i = 0; i < 5; i++) {
		a.counter++;
		deliver(&a, 0);
		loop_once();
	}
	ck_assert_int_eq(v8->fsm.state, CARP_BACKUP);
	ck_assert_int_eq(v7->fsm.state, CARP_MASTER);
	ck_assert_uint_eq(ntransitions, 0);

	/* The operator moves one vhid, not the group. */
	vhid_event(v7, FSM_EV_FORCE_BACKUP);
	vhid_event(v7, FSM_EV_FORCE_MASTER);
	loop_once();
	ck_assert_int_eq(v8->fsm.state, CARP_BACKUP);

	/* A takeover undone before the loop runs is over. */
	vhid_event(v7, FSM_EV_FORCE_BACKUP);
	a = peer;
	a.counter = 5000;
	vhid_event(v7, FSM_EV_DOWN_TIMER);
	ck_assert_int_eq(v7->fsm.state, CARP_MASTER);
	deliver(&a, 0);
	ck_assert_int_eq(v7->fsm.state, CARP_BACKUP);
	loop_once();
	ck_assert_int_eq(v8->fsm.state, CARP_BACKUP);
	teardown();
}
END_TEST

static Suite *
vhid_suite(void)
{
	Suite	*s = suite_create("vhid");
	TCase	*tc = tcase_create("runtime");

	tcase_add_test(tc, rx_through_callback);
	tcase_add_test(tc, rx_drops);
	tcase_add_test(tc, rx_replay);
	tcase_add_test(tc, force_master_actions);
	tcase_add_test(tc, shutdown_bows_out);
	tcase_add_test(tc, rx_ignored_when_exiting);
	tcase_add_test(tc, sync_group_pulls);
	tcase_add_test(tc, sync_group_steps_back);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(vhid_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
