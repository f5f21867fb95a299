/*
 * carpd.c: wiring.  Parse the options, open the interfaces, start the
 * vhids, run the event loop; on a terminating signal hand over cleanly.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <event2/event.h>

#include "carpd.h"
#include "net.h"
#include "options.h"
#include "vhid.h"

#define EXIT_GRACE	3	/* seconds beyond the script timeout */

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
	default:
		carpd_shutdown(cd, (int)sig);
		break;
	}
}

static void
setup_signals(struct carpd *cd)
{
	static const int sigs[] = { SIGCHLD, SIGUSR1, SIGUSR2, SIGTERM,
	    SIGINT, SIGHUP, SIGQUIT };

	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct event *ev = evsignal_new(cd->base, sigs[i], on_signal, cd);

		if (ev == NULL || evsignal_add(ev, NULL) == -1)
			fatalx("cannot watch signal %d", sigs[i]);
		cd->sig_ev[cd->nsig++] = ev;
	}
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
	struct iface	*ifp;

	while ((v = TAILQ_FIRST(&cd->vhids)) != NULL)
		vhid_free(v);
	while ((ifp = TAILQ_FIRST(&cd->ifaces)) != NULL) {
		TAILQ_REMOVE(&cd->ifaces, ifp, entry);
		net_iface_free(ifp);
	}
	for (size_t i = 0; i < cd->nsig; i++)
		event_free(cd->sig_ev[i]);
	if (cd->exit_ev != NULL)
		event_free(cd->exit_ev);
	event_base_free(cd->base);
}

int
main(int argc, char **argv)
{
	struct carpd_options	 opts;
	struct carpd		 cd;
	struct vhid		*v;
	char			 err[256];

	switch (options_parse(argc, argv, &opts, stdout, stderr)) {
	case OPTIONS_EXIT_OK:
		vhid_config_clear(&opts.vc);
		return 0;
	case OPTIONS_ERROR:
		vhid_config_clear(&opts.vc);
		return 1;
	case OPTIONS_RUN:
		break;
	}
	if (opts.vc.ifname[0] == '\0' &&
	    net_default_iface(opts.vc.ifname, sizeof(opts.vc.ifname)) == -1) {
		fprintf(stderr, "carpd: no interface is up; give one with "
		    "--interface (-i)\n");
		return 1;
	}
	log_init(1, opts.debug, opts.facility);
	if (opts.pass_on_cmdline)
		log_warnx("the password was given with --pass: other users "
		    "may have seen it in the process list; use --passfile");

	memset(&cd, 0, sizeof(cd));
	TAILQ_INIT(&cd.ifaces);
	TAILQ_INIT(&cd.vhids);
	/* Fork before libevent exists: its backends do not survive fork. */
	if (opts.daemonize) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, opts.debug, opts.facility);
	}
	cd.base = new_base();
	script_runner_init(&cd.runner, cd.base, opts.script_timeout);
	cd.runner.idle_cb = on_idle;
	cd.runner.idle_arg = &cd;
	setup_signals(&cd);

	if ((v = vhid_new(&cd, &opts.vc, err, sizeof(err))) == NULL) {
		log_warnx("vhid %u on %s: %s", opts.vc.vhid, opts.vc.ifname, err);
		vhid_config_clear(&opts.vc);
		carpd_free(&cd);
		return 1;
	}
	vhid_config_clear(&opts.vc);
	log_info("carpd %s started: vhid %u on %s, source %s, advbase %u "
	    "advskew %u, %s", PACKAGE_VERSION, v->cfg.vhid, v->ifp->name,
	    inet_ntoa(v->cfg.src), v->cfg.advbase, v->cfg.advskew,
	    v->cfg.preempt ? "preempt" : "no preempt");
	TAILQ_FOREACH(v, &cd.vhids, entry)
		vhid_start(v);

	if (event_base_dispatch(cd.base) == -1)
		log_warnx("event loop failed");
	carpd_free(&cd);
	log_info("exited");
	return cd.exit_code;
}
