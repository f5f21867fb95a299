/*
 * parent.c: the root parent's event loop and its dispatch of the network
 * child's messages (parent.h).  It parses nothing that comes from the
 * network and believes nothing the child says beyond "this vhid of that
 * configuration changed state": the command, its arguments and its
 * environment come from the parent's own configuration.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/wait.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <event2/event.h>

#include "carpd.h"
#include "conf.h"
#include "gens.h"
#include "heartbeat.h"
#include "log.h"
#include "notify.h"
#include "options.h"
#include "parent.h"
#include "pidfile.h"
#include "privsep.h"
#include "sandbox.h"
#include "sdnotify.h"
#include "script.h"
#include "track.h"
#include "util.h"
#include "vmac.h"

/* At exit: seconds with no script ending, beyond the timeout. */
#define EXIT_GRACE	5

struct rqueue {
	LIST_ENTRY(rqueue)	 entry;
	uint32_t		 id;		/* the child's queue id */
	struct script_queue	*q;
};

struct parent {
	struct event_base	*base;
	struct script_runner	 runner;
	const struct carpd_options *opts;
	struct gens		 gens;
	struct ps_chan		*chan;
	struct tracker		*track;	/* track scripts and files */
	struct notify		*notify;	/* notify FIFO, or NULL */
	struct ownfile		*ctl;	/* the control socket, once bound */
	struct heartbeat	 hb;
	struct sdnotify		*sd;	/* systemd, or NULL */
	uint32_t		 reload_gen;	/* READY=1 once acked */
	bool			 started;	/* PS_STARTED came */
	int			 silent;	/* stopped answering: killed */
	int			 eof;		/* the child's end is closed */
	pid_t			 child;
	int			 child_status;
	struct event		*sig_ev[8];
	size_t			 nsig;
	struct event		*exit_ev;
	LIST_HEAD(, rqueue)	 queues;
	uint64_t		 refused;
	struct log_ratelimit	 rl;
};

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One queue per vhid of every kept configuration, and a few spare. */
static void
bound_queues(struct parent *p)
{
	p->runner.max_queues = gens_nvhids(&p->gens) + 16 + CARPD_MAX_TRACKS;
}

static struct rqueue *
rqueue_find(struct parent *p, uint32_t id)
{
	struct rqueue *rq;

	LIST_FOREACH(rq, &p->queues, entry)
		if (rq->id == id)
			return rq;
	return NULL;
}

static struct rqueue *
rqueue_get(struct parent *p, uint32_t id)
{
	struct rqueue		*rq;
	struct script_queue	*q;

	if ((rq = rqueue_find(p, id)) != NULL)
		return rq;
	/* Queues released but still busy count too. */
	if ((q = script_queue_new(&p->runner)) == NULL)
		return NULL;
	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		fatal("calloc");
	rq->id = id;
	rq->q = q;
	LIST_INSERT_HEAD(&p->queues, rq, entry);
	return rq;
}

static void
rqueue_release(struct parent *p, uint32_t id)
{
	struct rqueue *rq;

	if ((rq = rqueue_find(p, id)) == NULL)
		return;
	LIST_REMOVE(rq, entry);
	script_queue_release(rq->q);
	free(rq);
}

static void
refuse(struct parent *p, const struct script_req *rq, const char *why)
{
	unsigned long	suppressed = 0;
	char		ifname[IF_NAMESIZE];
	char		vip[INET6_ADDRSTRLEN];

	p->refused++;
	if (!log_ratelimit_ok(&p->rl, mono_ms(), &suppressed))
		return;
	ps_sanitize(ifname, sizeof(ifname), rq->ifname, sizeof(rq->ifname));
	if (rq->family == AF_INET6)
		inet_ntop(AF_INET6, &rq->vip6, vip, sizeof(vip));
	else
		inet_ntop(AF_INET, &rq->vip, vip, sizeof(vip));
	log_warnx("privsep: refusing a script for vhid %u on %s address %s "
	    "(configuration %u): %s (%llu refused in all, %lu not logged)",
	    rq->vhid, ifname, vip, rq->gen, why,
	    (unsigned long long)p->refused, suppressed);
}

static bool
is_vip(const struct config *cf, const char *ifname, struct in_addr a)
{
	for (size_t i = 0; i < cf->nvhids; i++) {
		const struct vhid_config *vc = &cf->vhids[i];

		if (strcmp(vc->ifname, ifname) != 0)
			continue;
		for (size_t k = 0; k < vc->nvips; k++)
			if (vc->vips[k].s_addr == a.s_addr)
				return true;
	}
	return false;
}

/*
 * The source the network process uses when none is configured, as it
 * picks it: the interface's first IPv4 address that is not a virtual
 * address of a vhid on it.  0.0.0.0 when there is none.
 */
static struct in_addr
iface_source(const struct config *cf, const char *ifname)
{
	struct ifaddrs	*ifa, *i;
	struct in_addr	 a, src = { INADDR_ANY };

	if (getifaddrs(&ifa) == -1)
		return src;
	for (i = ifa; i != NULL && src.s_addr == INADDR_ANY; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, ifname) != 0)
			continue;
		a = ((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
		if (!is_vip(cf, ifname, a))
			src = a;
	}
	freeifaddrs(ifa);
	return src;
}

static bool
is_vip6(const struct config *cf, const char *ifname, const struct in6_addr *a)
{
	for (size_t i = 0; i < cf->nvhids; i++) {
		const struct vhid_config *vc = &cf->vhids[i];

		if (strcmp(vc->ifname, ifname) != 0)
			continue;
		for (size_t k = 0; k < vc->nvips6; k++)
			if (memcmp(&vc->vips6[k], a, sizeof(*a)) == 0)
				return true;
	}
	return false;
}

/* As iface_source, for IPv6: the link-local address, else the first. */
static struct in6_addr
iface_source6(const struct config *cf, const char *ifname)
{
	struct ifaddrs	*ifa, *i;
	struct in6_addr	 a, src = IN6ADDR_ANY_INIT;

	if (getifaddrs(&ifa) == -1)
		return src;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET6 ||
		    strcmp(i->ifa_name, ifname) != 0)
			continue;
		a = ((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
		if (is_vip6(cf, ifname, &a) || IN6_IS_ADDR_LOOPBACK(&a))
			continue;
		if (IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_UNSPECIFIED(&src))
			src = a;
		if (IN6_IS_ADDR_LINKLOCAL(&a))
			break;
	}
	freeifaddrs(ifa);
	return src;
}

static void
handle_run(struct parent *p, const struct script_req *rq)
{
	const struct vhid_config	*vc;
	struct vhid_config		 with_src;
	struct script_job		*j;
	struct rqueue			*q;
	struct in_addr			 src;
	const char			*why;

	if ((vc = gens_authorise(&p->gens, rq, &why)) == NULL) {
		refuse(p, rq, why);
		return;
	}
	src = vc->src;
	if (src.s_addr == INADDR_ANY)
		src = iface_source(gens_find(&p->gens, rq->gen), vc->ifname);
	if (rq->family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&vc->src6)) {
		with_src = *vc;		/* shallow: read only */
		with_src.src6 = iface_source6(gens_find(&p->gens, rq->gen),
		    vc->ifname);
		vc = &with_src;
	}
	if ((j = script_build(vc, src, rq, &why)) == NULL) {
		refuse(p, rq, why);
		return;
	}
	if ((q = rqueue_get(p, rq->qid)) == NULL) {
		script_job_free(j);
		refuse(p, rq, "too many script queues");
		return;
	}
	heartbeat_note(&p->hb, rq);
	script_enqueue(q->q, j);
}

/*
 * "vhid on ifname is now in state": for the notify FIFO and systemd's
 * STATUS, only for a vhid of the configuration named, with the group it
 * reports as its first.
 */
static void
handle_transition(struct parent *p, const struct ps_transition *tr)
{
	const struct vhid_config *vc;
	const char		*why = NULL, *group;
	unsigned long		 suppressed = 0;

	vc = gens_vhid(&p->gens, tr->gen, tr->vhid, tr->ifname, &why);
	if (vc != NULL) {
		group = vhid_config_notify_group(vc);
		if (strcmp(group, tr->group) == 0) {
			notify_line(p->notify, tr->vhid, tr->ifname,
			    carp_state_name(tr->state), tr->group);
			sdnotify_state(p->sd, tr->vhid, tr->ifname, tr->state);
			return;
		}
		why = "not the vhid's group";
	}
	p->refused++;
	if (log_ratelimit_ok(&p->rl, mono_ms(), &suppressed))
		log_warnx("privsep: transition of vhid %u on %s (configuration "
		    "%u): %s (%lu not logged)", tr->vhid, tr->ifname, tr->gen,
		    why, suppressed);
}

/*
 * "Set the virtual MAC device of this vhid up or down": only for a vhid
 * with `mac virtual` on that interface in the configuration named.
 */
static void
handle_vmac(struct parent *p, const struct ps_vmac *vm)
{
	const struct vhid_config *vc;
	unsigned long		 suppressed = 0;
	char			 ifname[IF_NAMESIZE], err[256];
	const char		*why = NULL;

	vc = gens_vhid(&p->gens, vm->gen, vm->vhid, vm->ifname, &why);
	if (why == NULL && !vc->vmac)
		why = "the vhid has mac real";
	else if (why == NULL &&
	    vmac_set(vc->ifname, vc->vhid, vc->nnodes > 0, vm->up, err,
	    sizeof(err)) == -1)
		why = err;
	if (why == NULL)
		return;
	p->refused++;
	if (!log_ratelimit_ok(&p->rl, mono_ms(), &suppressed))
		return;
	ps_sanitize(ifname, sizeof(ifname), vm->ifname, sizeof(vm->ifname));
	log_warnx("privsep: virtual MAC %s for vhid %u on %s (configuration "
	    "%u): %s (%lu not logged)", vm->up ? "up" : "down", vm->vhid,
	    ifname, vm->gen, why, suppressed);
}

/*
 * The child is gone or killed: no virtual MAC stays up for it, whichever
 * configuration it was set up for (one a reload dropped is still kept
 * while the child may act on it).
 */
static void
vmac_all_down(struct parent *p)
{
	char err[256];

	for (size_t g = 0; g < p->gens.n; g++) {
		const struct config *cf = &p->gens.g[g].cf;

		for (size_t i = 0; i < cf->nvhids; i++)
			if (cf->vhids[i].vmac && vmac_set(cf->vhids[i].ifname,
			    cf->vhids[i].vhid, false, 0, err, sizeof(err)) == -1)
				log_warnx("virtual MAC: %s", err);
	}
}

/*
 * The down script of an address the child was last told to take, from
 * the generation of that request or, if it is gone, the latest one.
 */
static bool
run_down(struct parent *p, const struct hb_addr *a)
{
	struct script_req	 rq = { .qid = a->queue, .vhid = a->vhid,
	    .kind = SCRIPT_DOWN, .state = CARP_INIT,
	    .reason = FSM_R_CHILD_STOPPED, .family = a->family, .vip = a->vip,
	    .vip6 = a->vip6 };
	const char		*why;

	snprintf(rq.ifname, sizeof(rq.ifname), "%s", a->ifname);
	rq.gen = a->gen;
	if (gens_authorise(&p->gens, &rq, &why) == NULL && p->gens.n > 0)
		rq.gen = p->gens.g[p->gens.n - 1].id;
	if (gens_authorise(&p->gens, &rq, &why) == NULL)
		return false;		/* no down script to run */
	handle_run(p, &rq);
	return true;
}

/*
 * Give up every address the child was last told to take, after whatever
 * scripts are still queued for it; nothing more from it counts.
 */
static void
release_held(struct parent *p)
{
	struct hb_addr	*a;
	unsigned	 n = 0;

	p->silent = 1;
	vmac_all_down(p);
	LIST_FOREACH(a, &p->hb.addrs, entry)
		if (a->up) {
			n += run_down(p, a);
			a->up = false;
		}
	log_warnx("%u down script%s queued; exiting when done", n,
	    n == 1 ? "" : "s");
}

/*
 * The child stopped answering: it may be a stopped master whose backups
 * take over now.  Kill it, and give up every address it was last told
 * to take, after whatever scripts are still queued for it; the end of
 * file that follows its death ends the parent once they have run.
 */
static void
on_child_silent(void *arg)
{
	struct parent	*p = arg;

	log_warnx("killing the network process (pid %d) and running the down "
	    "scripts of the addresses it held", (int)p->child);
	if (p->child > 0)
		kill(p->child, SIGKILL);
	release_held(p);
}

/* Configuration `gen` runs now: a reload is over for systemd. */
static void
reload_applied(struct parent *p, uint32_t gen)
{
	if (p->reload_gen != 0 && gen >= p->reload_gen) {
		p->reload_gen = 0;
		sdnotify_ready(p->sd);
	}
}

/*
 * The systemd watchdog is fed only while the network process answers
 * the heartbeat from its event loop: a wedged or stopped loop stops it.
 * Before the child is up, TimeoutStartSec bounds the wait.
 */
static bool
child_alive(void *arg)
{
	struct parent *p = arg;

	if (p->silent || p->eof)
		return false;
	return !p->started || heartbeat_fresh(&p->hb);
}

static void
on_child_msg(void *arg, struct ps_msg *m)
{
	struct parent *p = arg;

	if (p->silent)
		return;		/* killed: nothing more from it counts */
	switch (m->type) {
	case PS_RUN:
		handle_run(p, &m->u.run);
		break;
	case PS_RELEASE:
		rqueue_release(p, m->u.qid);
		break;
	case PS_STARTED:
		if (p->ctl->path != NULL && !p->ctl->set)
			ownfile_note(p->ctl, p->ctl->path);
		heartbeat_start(&p->hb, p->base);
		if (p->track != NULL)
			track_resend(p->track);
		/* Sent once every vhid has started or waits (carpd.c). */
		p->started = true;
		sdnotify_ready(p->sd);
		break;
	case PS_PONG:
		heartbeat_answer(&p->hb, m->u.seq);
		break;
	case PS_TRANSITION:
		handle_transition(p, &m->u.tr);
		break;
	case PS_VMAC:
		handle_vmac(p, &m->u.vmac);
		break;
	case PS_SANDBOX_VIOLATION:
		/* It dies of SIGSYS now: sandbox.c. */
		sandbox_report(m->u.sandbox.nr, m->u.sandbox.arch);
		release_held(p);
		break;
	case PS_ACK:
		if (gens_ack(&p->gens, m->gen) == -1) {
			log_warnx("privsep: the network process acked "
			    "configuration %u, which it was never sent",
			    m->gen);
			break;
		}
		bound_queues(p);
		reload_applied(p, m->gen);
		break;
	default:
		log_warnx("privsep: message of type %u from the network "
		    "process is not for the parent", m->type);
		break;
	}
}

/* A group's track demotion changed: the network process applies it. */
static void
on_track(void *arg, const char *group, uint32_t value)
{
	struct parent	*p = arg;
	struct ps_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = PS_TRACK;
	snprintf(m.u.track.group, sizeof(m.u.track.group), "%s", group);
	m.u.track.value = value;
	if (ps_chan_send(p->chan, &m) == -1)
		log_warnx("track %s: cannot tell the network process", group);
}

static void
maybe_exit(struct parent *p)
{
	if (p->eof && script_runner_idle(&p->runner))
		event_base_loopbreak(p->base);
}

static void
on_exit_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct parent *p = arg;

	log_warnx("scripts still running at exit and none ended for %u s; "
	    "not waiting any longer", p->runner.timeout_s + EXIT_GRACE);
	event_base_loopbreak(p->base);
}

/* At exit: give up only when no script has ended for a while. */
static void
arm_exit(struct parent *p)
{
	struct timeval tv = { p->runner.timeout_s + EXIT_GRACE, 0 };

	if (p->eof) {
		evtimer_del(p->exit_ev);
		evtimer_add(p->exit_ev, &tv);
	}
}

static void
on_script_done(void *arg)
{
	arm_exit(arg);
}

static void
on_idle(void *arg)
{
	maybe_exit(arg);
}

/* End of file: every request of the child has been read. */
static void
on_child_eof(void *arg)
{
	struct parent *p = arg;

	p->eof = 1;
	heartbeat_stop(&p->hb);		/* nobody left to answer */
	track_free(p->track);		/* nobody left to tell */
	p->track = NULL;
	arm_exit(p);
	maybe_exit(p);
}

static void
on_other_child(pid_t pid, int status, void *arg)
{
	struct parent *p = arg;

	if (pid != p->child)
		return;
	p->child = 0;
	heartbeat_stop(&p->hb);
	p->child_status = status;
	if (sandbox_reaped(status))
		;	/* logged */
	else if (WIFSIGNALED(status))
		log_warnx("network process killed by signal %d",
		    WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		log_warnx("network process exited %d", WEXITSTATUS(status));
}

/* Bytes a configuration takes on the channel, about. */
static size_t
config_bytes(const struct config *cf)
{
	size_t n = 64;

	for (size_t i = 0; i < cf->nvhids; i++) {
		const struct vhid_config *vc = &cf->vhids[i];

		n += 64 + sizeof(*vc);
		n += vc->passfile ? strlen(vc->passfile) : 0;
		n += vc->upscript ? strlen(vc->upscript) : 0;
		n += vc->downscript ? strlen(vc->downscript) : 0;
		n += vc->xparam ? strlen(vc->xparam) : 0;
	}
	return n;
}

static int
send_config(struct parent *p, const struct config *cf, uint32_t gen)
{
	struct ps_msg m;

	memset(&m, 0, sizeof(m));
	m.type = PS_RELOAD_BEGIN;
	m.gen = gen;
	m.u.g.debug = cf->g.debug;
	m.u.g.facility = (uint32_t)cf->g.facility;
	m.u.g.script_timeout = cf->g.script_timeout;
	if (ps_chan_send(p->chan, &m) == -1)
		return -1;
	for (size_t i = 0; i < cf->nvhids; i++) {
		memset(&m, 0, sizeof(m));
		m.type = PS_RELOAD_VHID;
		m.gen = gen;
		m.u.vc = cf->vhids[i];	/* shallow: encoded only */
		if (ps_chan_send(p->chan, &m) == -1)
			return -1;
	}
	memset(&m, 0, sizeof(m));
	m.type = PS_RELOAD_END;
	m.gen = gen;
	m.u.nvhids = (uint32_t)cf->nvhids;
	return ps_chan_send(p->chan, &m);
}

/* Read the file and send it down: its generation, or 0 when it failed. */
static uint32_t
parent_reload_send(struct parent *p)
{
	struct config	 cf;
	char		 err[512];
	uint32_t	 gen;

	if (config_load(p->opts->config, p->opts, &cf, err,
	    sizeof(err)) == -1) {
		log_warnx("reload failed: %s; keeping the running "
		    "configuration", err);
		return 0;
	}
	if ((gen = gens_add(&p->gens, &cf, true)) == 0) {
		log_warnx("reload refused: the network process has not "
		    "taken the last %d configurations yet", GENS_MAX - 1);
		config_free(&cf);
		return 0;
	}
	if (!ps_chan_room(p->chan, cf.nvhids + 2, config_bytes(&cf))) {
		log_warnx("reload failed: the channel to the network process "
		    "is full; keeping the running configuration");
		gens_drop_last(&p->gens);
		return 0;
	}
	if (send_config(p, &cf, gen) == -1) {
		/* A part may be queued: the child refuses an incomplete one. */
		log_warnx("reload failed: cannot hand configuration %u to the "
		    "network process", gen);
		return 0;
	}
	p->runner.timeout_s = cf.g.script_timeout;
	bound_queues(p);
	if (p->track != NULL)
		track_reconfigure(p->track, &gens_find(&p->gens, gen)->g);
	return gen;
}

static void
parent_reload(struct parent *p)
{
	uint32_t	 gen;

	sdnotify_reloading(p->sd);
	if ((gen = parent_reload_send(p)) == 0) {
		sdnotify_ready(p->sd);	/* the running one stays */
		return;
	}
	/* Now: the transitions of its new vhids may come before its ack. */
	sdnotify_vhids(p->sd, gens_find(&p->gens, gen));
	p->reload_gen = gen;
}

static void
on_parent_signal(evutil_socket_t sig, short ev, void *arg)
{
	struct parent *p = arg;

	if (sig == SIGCHLD) {
		script_reap(&p->runner);
		maybe_exit(p);
		return;
	}
	if (sig == SIGHUP && !p->opts->vhid_given) {
		if (!p->eof)
			parent_reload(p);
		return;
	}
	if (sig != SIGUSR1 && sig != SIGUSR2)
		sdnotify_stopping(p->sd);
	if (p->child > 0)
		kill(p->child, (int)sig);
}

static void
parent_setup(struct parent *p, struct config *cf)
{
	struct event_config *ecfg;

	if ((ecfg = event_config_new()) == NULL ||
	    (p->base = event_base_new_with_config(ecfg)) == NULL)
		fatalx("cannot create the event base");
	event_config_free(ecfg);
	script_runner_init(&p->runner, p->base, cf->g.script_timeout);
	p->runner.idle_cb = on_idle;
	p->runner.done_cb = on_script_done;
	p->runner.idle_arg = p;
	p->runner.other_child_cb = on_other_child;
	if (cf->g.script_user != NULL &&
	    script_runner_set_user(&p->runner, cf->g.script_user) == -1)
		fatalx("no such user: %s", cf->g.script_user);
	if (gens_add(&p->gens, cf, false) != PS_GEN_FIRST)
		fatalx("privsep: first configuration");
	vmac_config_start(cf);
	bound_queues(p);
	p->rl.burst = 10;
	p->rl.period_ms = 1000;
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < daemon_nsignals; i++) {
		struct event *e = evsignal_new(p->base, daemon_signals[i],
		    on_parent_signal, p);

		if (e == NULL || evsignal_add(e, NULL) == -1)
			fatalx("cannot watch signal %d", daemon_signals[i]);
		p->sig_ev[p->nsig++] = e;
	}
	daemon_signals_mask(SIG_UNBLOCK);	/* blocked across the fork */
	if ((p->exit_ev = evtimer_new(p->base, on_exit_timeout, p)) == NULL)
		fatalx("evtimer_new failed");
}

static void
parent_teardown(struct parent *p)
{
	const struct ps_chan_stats	*st = ps_chan_stats(p->chan);
	struct rqueue			*rq;

	if (st->dropped > 0 || st->malformed > 0 || p->refused > 0)
		log_warnx("privsep: %llu messages dropped, %llu malformed, "
		    "%llu scripts refused", (unsigned long long)st->dropped,
		    (unsigned long long)st->malformed,
		    (unsigned long long)p->refused);
	while ((rq = LIST_FIRST(&p->queues)) != NULL) {
		LIST_REMOVE(rq, entry);
		script_queue_release(rq->q);
		free(rq);
	}
	track_free(p->track);
	p->track = NULL;
	notify_free(p->notify);
	sdnotify_free(p->sd);
	for (size_t i = 0; i < p->gens.n; i++)
		vmac_config_stop(&p->gens.g[i].cf);
	gens_free(&p->gens);
	heartbeat_free(&p->hb);
	for (size_t i = 0; i < p->nsig; i++)
		event_free(p->sig_ev[i]);
	event_free(p->exit_ev);
	ps_chan_free(p->chan);
	event_base_free(p->base);
}

/* The child closed its end: it is exiting; wait a moment for its status. */
static void
reap_child(struct parent *p)
{
	for (int i = 0; i < 100 && p->child > 0; i++) {
		int status;

		if (waitpid(p->child, &status, WNOHANG) == p->child)
			on_other_child(p->child, status, p);
		else
			usleep(10000);
	}
}

int
parent_run(const struct carpd_options *opts, struct config *cf,
    pid_t child, int fd, struct ownfile *ctl)
{
	struct parent p;

	memset(&p, 0, sizeof(p));
	p.opts = opts;
	p.ctl = ctl;
	p.child = child;
	LIST_INIT(&p.queues);
	gens_init(&p.gens);
	parent_setup(&p, cf);
	p.chan = ps_chan_new(p.base, fd, "network", on_child_msg,
	    on_child_eof, &p);
	heartbeat_init(&p.hb, p.chan, on_child_silent, &p);
	p.track = track_new(p.base, &p.runner, &cf->g, on_track, &p);
	p.notify = notify_new(cf->g.notify_fifo);
	p.sd = sdnotify_new(p.base);
	sdnotify_vhids(p.sd, cf);
	sdnotify_watchdog(p.sd, child_alive, &p);
	event_base_dispatch(p.base);
	reap_child(&p);
	parent_teardown(&p);
	close(fd);
	if (p.child > 0)
		return 1;
	return WIFEXITED(p.child_status) ? WEXITSTATUS(p.child_status) : 1;
}
