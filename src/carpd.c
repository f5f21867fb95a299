/*
 * carpd.c: wiring.  Read the settings (command line or carpd.conf),
 * open the interfaces, start the vhids, run the event loop; reload on
 * SIGHUP when running from a file; on a terminating signal hand over
 * cleanly.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <event2/event.h>

#include "balance.h"
#include "carpd.h"
#include "child.h"
#include "conf.h"
#include "control.h"
#include "link.h"
#include "neigh.h"
#include "net.h"
#include "notify.h"
#include "options.h"
#include "parent.h"
#include "pidfile.h"
#include "privsep.h"
#include "rt.h"
#include "sandbox.h"
#include "sdnotify.h"
#include "syncgroup.h"
#include "track.h"
#include "util.h"
#include "vhid.h"
#include "vmac.h"

#define EXIT_GRACE	3	/* seconds beyond the script timeout */
/* The control socket could not be made. */
#define CARPD_EXIT_SOCKET_BUSY	3

static void
on_idle(void *arg)
{
	struct carpd *cd = arg;

	if (cd->exiting)
		event_base_loopbreak(cd->base);
}

static void
on_exit_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct carpd *cd = arg;

	log_warnx("scripts still running at exit; not waiting any longer");
	event_base_loopbreak(cd->base);
}

/* Leave every vhid (a master bows out and runs its down script), then wait. */
static void
carpd_shutdown(struct carpd *cd, int sig)
{
	struct timeval	 tv = { cd->runner.timeout_s + EXIT_GRACE, 0 };
	struct iface	*ifp;
	struct vhid	*v;

	if (cd->exiting)
		return;
	log_info("exiting on signal %d (%s)", sig, strsignal(sig));
	cd->exiting = true;
	sdnotify_stopping(cd->sd);
	TAILQ_FOREACH(ifp, &cd->ifaces, entry)
		net_iface_stop(ifp);
	TAILQ_FOREACH(v, &cd->vhids, entry)
		vhid_event(v, FSM_EV_SHUTDOWN);
	if (script_runner_idle(&cd->runner)) {
		event_base_loopbreak(cd->base);
		return;
	}
	cd->exit_ev = evtimer_new(cd->base, on_exit_timeout, cd);
	if (cd->exit_ev == NULL)
		fatalx("evtimer_new failed");
	evtimer_add(cd->exit_ev, &tv);
}

static void
close_unused_ifaces(struct carpd *cd)
{
	struct iface	*ifp, *next;
	int		 i;

	for (ifp = TAILQ_FIRST(&cd->ifaces); ifp != NULL; ifp = next) {
		next = TAILQ_NEXT(ifp, entry);
		for (i = 0; i < CARPD_VHID_SLOTS && ifp->by_vhid[i] == NULL; i++)
			;
		if (i == CARPD_VHID_SLOTS) {
			TAILQ_REMOVE(&cd->ifaces, ifp, entry);
			net_iface_free(ifp);
		}
	}
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A group's demotion by its track scripts and files, from the parent
 * (or our own tracker without one).  Only a group of our configuration:
 * anything else from the other process is dropped and counted.
 */
static void
on_track(void *arg, const char *group, uint32_t value)
{
	struct carpd		*cd = arg;
	struct demote_group	*g = demote_find(&cd->demotes, group);
	unsigned long		 suppressed = 0;
	char			 name[DEMOTE_NAME_LEN];

	if (g == NULL || g->nvhids == 0) {
		cd->track_dropped++;
		str_sanitize(group, name, sizeof(name));
		if (log_ratelimit_ok(&cd->track_rl, mono_ms(), &suppressed))
			log_warnx("track report for group %s, which no vhid is "
			    "in: dropped (%llu so far)", name,
			    (unsigned long long)cd->track_dropped);
		return;
	}
	if (g->by[DEMOTE_TRACK] == (long)value)
		return;
	log_info("group %s: track demotion now %u (was %ld)", g->name,
	    value, g->by[DEMOTE_TRACK]);
	demote_set(g, DEMOTE_TRACK, value);
	vhid_demote_changed(cd);
}

/*
 * Every transition: the vhid's sync group may follow (syncgroup.h);
 * with notify-fifo or systemd, keepalived's notify_fifo and systemd's
 * STATUS are told: the parent writes the one and tells the other
 * (notify.h, sdnotify.h).
 */
static void
on_transition(struct carpd *cd, struct vhid *v, const struct fsm_output *out)
{
	const char *group = vhid_config_notify_group(&v->cfg);

	syncgroup_transition(cd, v, out);
	if (!cd->notifying)
		return;
	if (cd->child != NULL) {
		child_send_transition(cd->child, v->gen, v->cfg.vhid,
		    v->cfg.ifname, v->fsm.state, group);
		return;
	}
	notify_line(cd->notify, v->cfg.vhid, v->ifp->name,
	    carp_state_name(v->fsm.state), group);
	sdnotify_state(cd->sd, v->cfg.vhid, v->cfg.ifname, v->fsm.state);
}

/* Without a parent the watchdog is fed from this loop itself. */
static bool
loop_alive(void *arg)
{
	return true;
}

static void
on_startup_over(evutil_socket_t fd, short ev, void *arg)
{
	struct carpd *cd = arg;

	log_info("start-up demotion over: group %s lifted by %d", DEMOTE_ALL,
	    DEMOTE_STARTUP);
	demote_set(demote_get(&cd->demotes, DEMOTE_ALL), DEMOTE_START, 0);
	vhid_demote_changed(cd);
}

/*
 * OpenBSD's boot demotion: every vhid (the group "carp") advertises 128
 * more for a while, so that a firewall that has just started does not
 * take the addresses before its rules and routes are in place.  Set
 * before the vhids start, so that their first advert carries it.
 */
static void
startup_demote(struct carpd *cd, unsigned seconds)
{
	struct timeval tv = { (time_t)seconds, 0 };

	if (seconds == 0)
		return;
	demote_set(demote_get(&cd->demotes, DEMOTE_ALL), DEMOTE_START,
	    DEMOTE_STARTUP);
	log_info("start-up demotion: group %s by %d for %u s", DEMOTE_ALL,
	    DEMOTE_STARTUP, seconds);
	if ((cd->startup_ev = evtimer_new(cd->base, on_startup_over,
	    cd)) == NULL)
		fatalx("event_new failed");
	evtimer_add(cd->startup_ev, &tv);
	vhid_demote_sync_all(cd);
}

static struct vhid *
start_vhid(struct carpd *cd, const struct vhid_config *vc,
    struct script_queue *scripts)
{
	struct vhid	*v;
	char		 err[256];

	if ((v = vhid_new(cd, vc, err, sizeof(err))) == NULL) {
		log_warnx("vhid %u on %s: %s", vc->vhid, vc->ifname, err);
		script_queue_release(scripts);
		return NULL;
	}
	if (scripts != NULL) {
		/* Keep the order of scripts across a restart of the vhid. */
		script_queue_release(v->scripts);
		v->scripts = scripts;
	}
	return v;	/* started by vhid_try_start_all() */
}

static void
stop_vhid(struct vhid *v, struct script_queue **keep)
{
	vhid_event(v, FSM_EV_SHUTDOWN);
	if (keep != NULL) {
		*keep = v->scripts;
		v->scripts = NULL;
	}
	vhid_free(v);
}

static void
apply_globals(struct carpd *cd, const struct carpd_global *g)
{
	log_init(!cd->opts->daemonize, g->debug, g->facility);
	cd->runner.timeout_s = g->script_timeout;
	if (cd->track != NULL)
		track_reconfigure(cd->track, g);
}

/*
 * SIGHUP with a configuration file: vhids whose settings did not change
 * keep their state and timers; removed ones leave (a master bows out and
 * runs its down script); changed ones restart; added ones start.
 */
static void
carpd_apply_config(struct carpd *cd, const struct config *cfp)
{
	const struct config	 cf = *cfp;	/* shallow: read only */
	struct vhid		*v, **old;
	size_t			 nold = 0;
	bool			*seen;
	unsigned		 kept = 0, added = 0, removed = 0, changed = 0;

	if ((seen = calloc(cf.nvhids + 1, sizeof(*seen))) == NULL)
		fatal("calloc");
	/* Walk a snapshot: restarted vhids are appended to the list. */
	TAILQ_FOREACH(v, &cd->vhids, entry)
		nold++;
	if ((old = calloc(nold + 1, sizeof(*old))) == NULL)
		fatal("calloc");
	nold = 0;
	TAILQ_FOREACH(v, &cd->vhids, entry)
		old[nold++] = v;
	for (size_t k = 0; k < nold; k++) {
		struct script_queue	*q = NULL;
		size_t			 i;

		v = old[k];
		for (i = 0; i < cf.nvhids; i++)
			if (cf.vhids[i].vhid == v->cfg.vhid &&
			    strcmp(cf.vhids[i].ifname, v->cfg.ifname) == 0)
				break;
		if (i == cf.nvhids) {
			log_info("reload: vhid %u on %s removed", v->cfg.vhid,
			    v->cfg.ifname);
			stop_vhid(v, NULL);
			removed++;
			continue;
		}
		seen[i] = true;
		if (vhid_same_config(v, &cf.vhids[i])) {
			kept++;
			continue;
		}
		log_info("reload: vhid %u on %s changed, restarting it",
		    v->cfg.vhid, v->cfg.ifname);
		stop_vhid(v, &q);
		start_vhid(cd, &cf.vhids[i], q);
		changed++;
	}
	free(old);
	for (size_t i = 0; i < cf.nvhids; i++)
		if (!seen[i] && start_vhid(cd, &cf.vhids[i], NULL) != NULL)
			added++;
	free(seen);
	close_unused_ifaces(cd);
	vhid_try_start_all(cd);	/* or they wait for their interfaces */
	balance_refresh(cd);
	apply_globals(cd, &cf.g);
	syncgroup_check(cd);
	cd->reloads++;
	log_info("reloaded %s: %u vhids kept, %u added, %u changed, "
	    "%u removed", cd->config_path, kept, added, changed, removed);
}

/*
 * The parent's configuration `gen`: vhids started now come from it, and
 * those kept are the same in it, so all of them are tagged with it.
 */
static void
on_config(void *arg, const struct config *cf, uint32_t gen)
{
	struct carpd	*cd = arg;
	struct vhid	*v;

	cd->gen = gen;
	carpd_apply_config(cd, cf);
	TAILQ_FOREACH(v, &cd->vhids, entry)
		v->gen = gen;
}

static void
carpd_reload(struct carpd *cd)
{
	struct config	cf;
	char		err[512];

	sdnotify_reloading(cd->sd);
	if (config_load(cd->config_path, cd->opts, &cf, err, sizeof(err)) == -1) {
		log_warnx("reload failed: %s; keeping the running "
		    "configuration", err);
		sdnotify_ready(cd->sd);
		return;
	}
	/* First: the transitions of its new vhids count. */
	sdnotify_vhids(cd->sd, &cf);
	carpd_apply_config(cd, &cf);
	config_free(&cf);
	sdnotify_ready(cd->sd);
}

static void
on_signal(evutil_socket_t sig, short ev, void *arg)
{
	struct carpd	*cd = arg;
	struct vhid	*v;

	switch (sig) {
	case SIGCHLD:
		script_reap(&cd->runner);
		break;
	case SIGUSR1:
		TAILQ_FOREACH(v, &cd->vhids, entry)
			vhid_log_status(v);
		break;
	case SIGUSR2:
		log_info("SIGUSR2: forcing every vhid to BACKUP");
		TAILQ_FOREACH(v, &cd->vhids, entry)
			vhid_event(v, FSM_EV_FORCE_BACKUP);
		break;
	case SIGHUP:
		/* ucarp exits on SIGHUP; with a file there is something to reload. */
		if (cd->config_path != NULL && !cd->exiting) {
			/* Separated: the parent reads the file and sends it. */
			if (cd->child == NULL)
				carpd_reload(cd);
			break;
		}
		/* FALLTHROUGH */
	default:
		carpd_shutdown(cd, (int)sig);
		break;
	}
}

static void
setup_signals(struct carpd *cd)
{
	if (daemon_nsignals > CARPD_MAX_SIGNALS)
		fatalx("struct carpd has no room for every signal");
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < daemon_nsignals; i++) {
		struct event *ev = evsignal_new(cd->base, daemon_signals[i],
		    on_signal, cd);

		if (ev == NULL || evsignal_add(ev, NULL) == -1)
			fatalx("cannot watch signal %d", daemon_signals[i]);
		cd->sig_ev[cd->nsig++] = ev;
	}
	daemon_signals_mask(SIG_UNBLOCK);	/* blocked across the fork */
}

static struct event_base *
new_base(void)
{
	struct event_config	*cfg;
	struct event_base	*base;

	/* timerfd-backed timeouts: adverts leave to the microsecond. */
	if ((cfg = event_config_new()) == NULL)
		fatalx("event_config_new failed");
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (base == NULL)
		fatalx("cannot create the event base");
	return base;
}

static void
carpd_free(struct carpd *cd)
{
	struct vhid	*v;

	control_close(cd->control);
	cd->control = NULL;
	while ((v = TAILQ_FIRST(&cd->vhids)) != NULL)
		vhid_free(v);
	close_unused_ifaces(cd);
	link_watch_close(cd);
	neigh_free(cd->neigh);
	cd->neigh = NULL;
	child_free(cd->child);
	cd->child = NULL;
	for (size_t i = 0; i < cd->nsig; i++)
		event_free(cd->sig_ev[i]);
	if (cd->exit_ev != NULL)
		event_free(cd->exit_ev);
	if (cd->demote_ev != NULL)
		event_free(cd->demote_ev);
	syncgroup_free(cd);
	if (cd->startup_ev != NULL)
		event_free(cd->startup_ev);
	track_free(cd->track);
	cd->track = NULL;
	notify_free(cd->notify);
	cd->notify = NULL;
	sdnotify_free(cd->sd);
	cd->sd = NULL;
	demote_free_all(&cd->demotes);
	event_base_free(cd->base);
}

/* The settings to run with: the command line's vhid, or the file's. */
static int
load_config(struct carpd_options *o, struct config *cf)
{
	char err[512];

	if (o->vhid_given) {
		if (o->vc.ifname[0] == '\0' &&
		    net_default_iface(o->vc.ifname, sizeof(o->vc.ifname)) == -1) {
			fprintf(stderr, "carpd: no interface is up; give one "
			    "with --interface (-i)\n");
			return -1;
		}
		config_from_options(o, cf);
		return 0;
	}
	bool by_default = o->config == NULL;

	if (by_default)
		o->config = xstrdup(CARPD_CONFIG_FILE);
	if (config_load(o->config, o, cf, err, sizeof(err)) == -1) {
		fprintf(stderr, "carpd: %s\n", err);
		if (by_default && access(o->config, F_OK) == -1)
			fprintf(stderr, "carpd: give a vhid with --vhid (-v) "
			    "or a configuration file with --config (-c)\n");
		return -1;
	}
	return 0;
}

/*
 * The network process's user: the configured one (checked to exist when
 * read), else a dedicated one, since any other process of a shared user
 * such as nobody could signal it (SIGSTOP a master that then keeps its
 * addresses).
 */
static const char *
net_user(const struct config *cf)
{
	if (cf->g.user != NULL)
		return cf->g.user;
	if (getpwnam(CARPD_USER) != NULL)
		return CARPD_USER;
	if (geteuid() == 0)
		log_warnx("there is no user %s: the network process runs as "
		    "%s, whose other processes can signal it; create the user "
		    "with \"adduser --system --group --no-create-home --home "
		    "/nonexistent %s\"", CARPD_USER, CARPD_USER_FALLBACK,
		    CARPD_USER);
	return CARPD_USER_FALLBACK;
}

/*
 * Split in two when started as root (privsep.h).  Returns in the
 * network process with *fd set, or with -1 when not separating.
 */
static int
separate(struct carpd_options *opts, struct config *cf, const char *user,
    int *fd, int *rc, struct ownfile *ctl, pid_t *parent)
{
	int		 sv[2];
	pid_t		 pid;

	*fd = -1;
	*parent = getpid();
	if (geteuid() != 0 || strcmp(user, "root") == 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0) {
		close(sv[1]);
		*rc = parent_run(opts, cf, pid, sv[0], ctl);
		return 1;
	}
	close(sv[0]);
	*fd = sv[1];
	return 0;
}

#ifdef CARPD_TEST_HOOKS
/*
 * Test builds only (configure --enable-test-hooks): become the program
 * named by CARPD_TEST_CHILD, with the channel to the privileged parent
 * on descriptor 3, to play a compromised network process.
 */
static void
test_child_hook(int ps_fd)
{
	const char *prog = getenv("CARPD_TEST_CHILD");

	if (prog == NULL)
		return;
	/* dup2 onto itself would keep close-on-exec. */
	if ((ps_fd == 3 ? fcntl(3, F_SETFD, 0) : dup2(ps_fd, 3)) == -1)
		fatal("test hook: descriptor 3");
	/* The channel is non-blocking here; a plain socket for the program. */
	fcntl(3, F_SETFL, fcntl(3, F_GETFL) & ~O_NONBLOCK);
	log_warnx("test hook: the network process becomes %s", prog);
	/* Its programs may spin: no real-time priority for them. */
	sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){ 0 });
	execl(prog, prog, (char *)NULL);
	fatal("test hook: cannot run %s", prog);
}
#endif

/* The virtual MAC's device: the root parent does the netlink work. */
static void
vmac_by_parent(void *arg, const struct vhid *v, int up)
{
	struct carpd *cd = arg;

	child_send_vmac(cd->child, v->gen, v->cfg.vhid, v->cfg.ifname, up);
}

/* Without separation this process has the privilege itself. */
static void
vmac_here(void *arg, const struct vhid *v, int up)
{
	char err[256];

	(void)arg;
	if (vmac_set(v->cfg.ifname, v->cfg.vhid, v->cfg.nnodes > 0, up, err,
	    sizeof(err)) == -1)
		log_warnx("vhid %u on %s: virtual MAC: %s", v->cfg.vhid,
		    v->cfg.ifname, err);
}

/* Warnings about the settings, once, before anything runs. */
static void
warn_settings(const struct carpd_options *opts, const struct config *cf)
{
	if (opts->pass_on_cmdline)
		log_warnx("the password was given with --pass: other users "
		    "may have seen it in the process list; use --passfile");
	for (size_t i = 0; i < cf->nvhids; i++)
		if (opts->vhid_given && cf->vhids[i].passfile != NULL &&
		    passfile_exposed(cf->vhids[i].passfile) == 1)
			log_warnx("%s is readable by other users; chmod 600 it",
			    cf->vhids[i].passfile);
}

/* The runtime before any vhid: base, runner, link watch, the parent. */
static void
carpd_init(struct carpd *cd, struct carpd_options *opts,
    const struct config *cf, int ps_fd, pid_t parent)
{
	memset(cd, 0, sizeof(*cd));
	clock_gettime(CLOCK_REALTIME, &cd->start_time);
	/* The pid others signal and find in the pidfile: the parent's. */
	cd->main_pid = ps_fd != -1 ? getppid() : getpid();
	TAILQ_INIT(&cd->ifaces);
	TAILQ_INIT(&cd->vhids);
	TAILQ_INIT(&cd->demotes);
	cd->opts = opts;
	cd->config_path = opts->vhid_given ? NULL : opts->config;
	cd->base = new_base();
	/* Upcalls: lower modules know these only as callbacks. */
	cd->iface_rx = vhid_rx;
	cd->arp_rx = balance_rx;
	/* Now: the network process cannot read /proc once sandboxed. */
	cd->ip6_forwarding = net_ipv6_forwarding() == 1;
	script_runner_init(&cd->runner, cd->base, cf->g.script_timeout);
	cd->runner.idle_cb = on_idle;
	cd->runner.idle_arg = cd;
	cd->gen = PS_GEN_FIRST;
	if (ps_fd == -1 && cf->g.script_user != NULL &&
	    script_runner_set_user(&cd->runner, cf->g.script_user) == -1)
		fatalx("no such user: %s", cf->g.script_user);
	setup_signals(cd);
	if (link_watch_open(cd) == -1)
		log_warn("cannot watch link state with rtnetlink");
	if (ps_fd != -1) {
		cd->child = child_new(cd->base, ps_fd, parent, on_config, cd);
		child_hook_runner(cd->child, &cd->runner);
		cd->vmac_cb = vmac_by_parent;
	} else {
		vmac_config_start(cf);
		cd->vmac_cb = vmac_here;
	}
	cd->vmac_arg = cd;
}

/*
 * The vhids and the control socket: 0, or the exit status.  A vhid whose
 * interface is missing or down waits for it (the link watcher starts
 * it); any other vhid that cannot run is an error.
 */
static int
open_vhids(struct carpd *cd, struct config *cf)
{
	char err[256];

	for (size_t i = 0; i < cf->nvhids; i++)
		if (vhid_new(cd, &cf->vhids[i], err, sizeof(err)) == NULL) {
			log_warnx("vhid %u on %s: %s", cf->vhids[i].vhid,
			    cf->vhids[i].ifname, err);
			return 1;
		}
	balance_refresh(cd);
	if (cf->g.control_path != NULL) {
		cd->control = control_open(cd, cf->g.control_path,
		    CONTROL_MODE, err, sizeof(err));
		if (cd->control == NULL) {
			log_warnx("control socket: %s", err);
			return CARPD_EXIT_SOCKET_BUSY;
		}
	}
	return 0;
}

/* The network process gives up what it will not need again. */
static void
enter_sandbox(struct carpd *cd, const struct config *cf, const char *user,
    int ps_fd)
{
	/* While the privileges and the system calls it needs are there. */
	rt_apply(&cf->g.rt);
	if (ps_fd == -1)
		return;
	if (child_drop(user) == -1)
		fatalx("cannot drop privileges");
	/* A kill -9 of the parent is a crash of the whole daemon. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!child_parent_alive(cd->child))
		_exit(1);
#ifdef CARPD_TEST_HOOKS
	test_child_hook(ps_fd);
#endif
	if (sandbox_enter(ps_fd) == -1)
		fatalx("cannot enter the sandbox");
#ifdef CARPD_TEST_HOOKS
	sandbox_test_hook(cd->base);
#endif
}

/* Demotion, notify, systemd and tracking; then every vhid starts. */
static void
start_vhids(struct carpd *cd, const struct config *cf)
{
	startup_demote(cd, cf->g.startup_demote_s);
	cd->track_rl.burst = 10;
	cd->track_rl.period_ms = 1000;
	cd->transition_cb = on_transition;
	if (cf->g.notify_fifo != NULL) {
		cd->notifying = true;
		if (cd->child == NULL)
			cd->notify = notify_new(cf->g.notify_fifo);
	}
	/* Only the process systemd started talks to it: ours, or the parent. */
	if (sdnotify_wanted()) {
		cd->notifying = true;
		if (cd->child == NULL &&
		    (cd->sd = sdnotify_new(cd->base)) != NULL) {
			sdnotify_vhids(cd->sd, cf);
			sdnotify_watchdog(cd->sd, loop_alive, cd);
		}
	}
	if (cd->child != NULL)
		child_on_track(cd->child, on_track, cd);
	else if (cf->g.ntracks > 0)
		cd->track = track_new(cd->base, &cd->runner, &cf->g, on_track,
		    cd);
	syncgroup_check(cd);
	vhid_try_start_all(cd);
	/* Every vhid has started or waits for its interface: ready. */
	if (cd->child != NULL)
		child_send_started(cd->child);
	sdnotify_ready(cd->sd);
}

/* The network process, or the one process: 0 or the exit status. */
static int
run_network(struct carpd_options *opts, struct config *cf, const char *user,
    int ps_fd, pid_t parent, struct pidfile *pf)
{
	struct carpd	cd;
	int		rc;

	carpd_init(&cd, opts, cf, ps_fd, parent);
	if ((rc = open_vhids(&cd, cf)) != 0) {
		carpd_free(&cd);
		pidfile_remove(pf);
		return rc;
	}
	enter_sandbox(&cd, cf, user, ps_fd);
	log_info("carpd %s started with %zu vhid%s%s%s", PACKAGE_VERSION,
	    cf->nvhids, cf->nvhids == 1 ? "" : "s",
	    cd.config_path ? " from " : "", cd.config_path ? cd.config_path : "");
	start_vhids(&cd, cf);
	if (event_base_dispatch(cd.base) == -1)
		log_warnx("event loop failed");
	/* The down scripts of the shutdown must reach the parent. */
	if (cd.child != NULL)
		child_flush(cd.child,
		    (int)(cd.runner.timeout_s + EXIT_GRACE) * 1000);
	carpd_free(&cd);
	if (ps_fd != -1)
		close(ps_fd);
	else
		vmac_config_stop(cf);
	pidfile_remove(pf);
	log_info(ps_fd != -1 ? "network process exited" : "exited");
	return cd.exit_code;
}

static int
run(struct carpd_options *opts, struct config *cf)
{
	struct pidfile	pf = { .fd = -1 };
	struct ownfile	ctl = { 0 };
	const char	*user;
	int		ps_fd, rc;
	pid_t		parent;

	/* Held until each process watches them (util.h). */
	daemon_signals_mask(SIG_BLOCK);
	log_init(1, cf->g.debug, cf->g.facility);
	warn_settings(opts, cf);
	/* Fork before libevent exists: its backends do not survive fork. */
	if (opts->daemonize) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, cf->g.debug, cf->g.facility);
	}
	if (cf->g.pidfile != NULL && pidfile_open(&pf, cf->g.pidfile) == -1)
		return 1;
	/* The socket's path at start: a reload may name another one. */
	if (cf->g.control_path != NULL &&
	    (ctl.path = strdup(cf->g.control_path)) == NULL)
		fatal("strdup");
	user = net_user(cf);
	if (separate(opts, cf, user, &ps_fd, &rc, &ctl, &parent)) {
		/*
		 * The unprivileged child cannot remove root's files.  Only
		 * what was made at start goes, if it is still the same file:
		 * the socket is ours only if the child got as far as binding
		 * it.
		 */
		pidfile_remove(&pf);
		ownfile_remove(&ctl);
		log_info("exited");
		return rc;
	}
	free(ctl.path);
	if (ps_fd != -1)
		pidfile_forget(&pf);
	return run_network(opts, cf, user, ps_fd, parent, &pf);
}

int
main(int argc, char **argv)
{
	struct carpd_options	 opts;
	struct config		 cf;
	int			 rc;

	switch (options_parse(argc, argv, &opts, stdout, stderr)) {
	case OPTIONS_EXIT_OK:
		options_free(&opts);
		return 0;
	case OPTIONS_ERROR:
		options_free(&opts);
		return 1;
	case OPTIONS_RUN:
		break;
	}
	if (load_config(&opts, &cf) == -1) {
		options_free(&opts);
		return 1;
	}
	if (opts.dump)
		config_print(stdout, &cf);
	if (opts.check && !opts.dump)
		printf("carpd: %s: configuration OK, %zu vhid%s\n",
		    opts.vhid_given ? "command line" : opts.config, cf.nvhids,
		    cf.nvhids == 1 ? "" : "s");
	if (opts.check || opts.dump)
		rc = 0;
	else
		rc = run(&opts, &cf);
	config_free(&cf);
	options_free(&opts);
	return rc;
}
