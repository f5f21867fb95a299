/*
 * privsep.c: the privileged parent, the messages between it and the
 * network child, and the drop to an unprivileged user.  The parent
 * parses nothing that comes from the network: only its own
 * configuration file and the child's requests to run scripts, whose
 * paths it checks against that configuration.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cap-ng.h>
#include <event2/event.h>

#include "carpd.h"
#include "conf.h"
#include "log.h"
#include "options.h"
#include "privsep.h"
#include "script.h"

#define PS_MAX_MSG	(256 * 1024)

/* ---- messages ---- */

struct msgbuf {
	uint8_t	*p;
	size_t	 len;
	size_t	 cap;
};

static void
mb_put(struct msgbuf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;

		while (cap < b->len + len)
			cap *= 2;
		if ((b->p = realloc(b->p, cap)) == NULL)
			fatal("realloc");
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void
mb_u32(struct msgbuf *b, uint32_t v)
{
	mb_put(b, &v, sizeof(v));
}

static void
mb_str(struct msgbuf *b, const char *s)
{
	if (s == NULL) {
		mb_u32(b, 0);
		return;
	}
	mb_u32(b, (uint32_t)strlen(s) + 1);
	mb_put(b, s, strlen(s) + 1);
}

static int
mb_send(int fd, struct msgbuf *b)
{
	ssize_t n = -1;

	if (b->len <= PS_MAX_MSG)
		n = send(fd, b->p, b->len, MSG_NOSIGNAL);
	else
		errno = EMSGSIZE;
	if (n != (ssize_t)b->len)
		log_warn("privsep: cannot send a %zu-byte message", b->len);
	if (b->p != NULL)
		explicit_bzero(b->p, b->len);	/* may hold a key */
	free(b->p);
	return n == (ssize_t)b->len ? 0 : -1;
}

struct reader {
	const uint8_t	*p;
	size_t		 left;
	int		 bad;
	int		 need_all;	/* an absent string is an error */
};

static uint32_t
rd_u32(struct reader *r)
{
	uint32_t v = 0;

	if (r->bad || r->left < sizeof(v)) {
		r->bad = 1;
		return 0;
	}
	memcpy(&v, r->p, sizeof(v));
	r->p += sizeof(v);
	r->left -= sizeof(v);
	return v;
}

/* A malloc'd copy, NULL for an absent string; sets bad on a short read. */
static char *
rd_str(struct reader *r)
{
	uint32_t	 len = rd_u32(r);
	char		*s;

	if (r->bad)
		return NULL;
	if (len == 0) {
		r->bad = r->need_all;	/* a hole where a string must be */
		return NULL;
	}
	if (len > r->left || r->p[len - 1] != '\0') {
		r->bad = 1;
		return NULL;
	}
	if ((s = strdup((const char *)r->p)) == NULL)
		fatal("strdup");
	r->p += len;
	r->left -= len;
	return s;
}

static void
rd_raw(struct reader *r, void *out, size_t len)
{
	if (r->left < len) {
		r->bad = 1;
		return;
	}
	memcpy(out, r->p, len);
	r->p += len;
	r->left -= len;
}

static uint32_t
strv_len(char **v)
{
	uint32_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

int
privsep_send_run(int fd, uint32_t id, char **argv, char **envp,
    const char *label)
{
	struct msgbuf	b = { 0 };
	uint32_t	argc = strv_len(argv), envc = strv_len(envp);

	mb_u32(&b, PS_RUN);
	mb_u32(&b, id);
	mb_str(&b, label);
	mb_u32(&b, argc);
	for (uint32_t i = 0; i < argc; i++)
		mb_str(&b, argv[i]);
	mb_u32(&b, envc);
	for (uint32_t i = 0; i < envc; i++)
		mb_str(&b, envp[i]);
	return mb_send(fd, &b);
}

int
privsep_send_started(int fd)
{
	struct msgbuf b = { 0 };

	mb_u32(&b, PS_STARTED);
	return mb_send(fd, &b);
}

int
privsep_send_release(int fd, uint32_t id)
{
	struct msgbuf b = { 0 };

	mb_u32(&b, PS_RELEASE);
	mb_u32(&b, id);
	return mb_send(fd, &b);
}

/* A vhid's settings: the flat part, then its strings. */
static void
mb_vhid(struct msgbuf *b, const struct vhid_config *vc)
{
	struct vhid_config flat = *vc;

	flat.passfile = flat.upscript = flat.downscript = flat.xparam = NULL;
	mb_put(b, &flat, sizeof(flat));
	explicit_bzero(&flat, sizeof(flat));
	mb_str(b, vc->passfile);
	mb_str(b, vc->upscript);
	mb_str(b, vc->downscript);
	mb_str(b, vc->xparam);
}

static int
send_config(int fd, const struct config *cf)
{
	struct msgbuf b = { 0 };

	mb_u32(&b, PS_RELOAD_BEGIN);
	mb_u32(&b, cf->g.debug);
	mb_u32(&b, (uint32_t)cf->g.facility);
	mb_u32(&b, cf->g.script_timeout);
	if (mb_send(fd, &b) == -1)
		return -1;
	for (size_t i = 0; i < cf->nvhids; i++) {
		memset(&b, 0, sizeof(b));
		mb_u32(&b, PS_RELOAD_VHID);
		mb_vhid(&b, &cf->vhids[i]);
		if (mb_send(fd, &b) == -1)
			return -1;
	}
	memset(&b, 0, sizeof(b));
	mb_u32(&b, PS_RELOAD_END);
	return mb_send(fd, &b);
}

/* ---- the parent ---- */

struct rqueue {
	LIST_ENTRY(rqueue)	 entry;
	uint32_t		 id;
	struct script_queue	*q;
};

struct parent {
	struct event_base	*base;
	struct script_runner	 runner;
	const struct carpd_options *opts;
	struct config		*cf;
	struct config		 prev;		/* before the last reload */
	size_t			 nqueues;
	int			 started;	/* the child got going */
	pid_t			 child;
	int			 child_status;
	int			 fd;
	struct event		*fd_ev;
	struct event		*sig_ev[8];
	size_t			 nsig;
	struct event		*exit_ev;
	LIST_HEAD(, rqueue)	 queues;
};

static struct rqueue *
rqueue_get(struct parent *ps, uint32_t id, int create)
{
	struct rqueue *rq;

	LIST_FOREACH(rq, &ps->queues, entry)
		if (rq->id == id)
			return rq;
	if (!create)
		return NULL;
	/* One queue per vhid, and a few vhids restarted by reloads. */
	if (ps->nqueues >= 2 * (ps->cf->nvhids + ps->prev.nvhids) + 16)
		return NULL;
	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		fatal("calloc");
	ps->nqueues++;
	rq->id = id;
	rq->q = script_queue_new(&ps->runner);
	LIST_INSERT_HEAD(&ps->queues, rq, entry);
	return rq;
}

/*
 * Only what our own configuration would run may run as root: one of a
 * vhid's scripts, with that vhid's interface, one of its addresses and
 * its xparam, exactly ucarp's `script <interface> <vip> [<xparam>]`.
 */
static int
command_matches(const struct vhid_config *vc, char **argv, uint32_t argc)
{
	struct in_addr	a;
	size_t		i;

	if ((vc->upscript == NULL || strcmp(vc->upscript, argv[0]) != 0) &&
	    (vc->downscript == NULL || strcmp(vc->downscript, argv[0]) != 0))
		return 0;
	if (argc != (vc->xparam != NULL ? 4u : 3u) ||
	    strcmp(argv[1], vc->ifname) != 0 ||
	    inet_pton(AF_INET, argv[2], &a) != 1 ||
	    (vc->xparam != NULL && strcmp(argv[3], vc->xparam) != 0))
		return 0;
	for (i = 0; i < vc->nvips && vc->vips[i].s_addr != a.s_addr; i++)
		;
	return i < vc->nvips;
}

/* The previous configuration counts too: a reload's down scripts. */
static int
command_allowed(const struct parent *ps, char **argv, uint32_t argc)
{
	for (size_t i = 0; i < ps->cf->nvhids; i++)
		if (command_matches(&ps->cf->vhids[i], argv, argc))
			return 1;
	for (size_t i = 0; i < ps->prev.nvhids; i++)
		if (command_matches(&ps->prev.vhids[i], argv, argc))
			return 1;
	return 0;
}

static void
strv_free(char **v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
handle_run(struct parent *ps, struct reader *r)
{
	uint32_t	 id, argc = 0, envc = 0;
	char		*label, **argv = NULL, **envp = NULL;
	struct rqueue	*rq;

	r->need_all = 1;
	id = rd_u32(r);
	label = rd_str(r);
	argc = rd_u32(r);
	if (r->bad || argc == 0 || argc > 4)
		goto bad;
	if ((argv = calloc(argc + 1, sizeof(*argv))) == NULL)
		fatal("calloc");
	for (uint32_t i = 0; i < argc && !r->bad; i++)
		argv[i] = rd_str(r);
	envc = rd_u32(r);
	if (r->bad || envc > 4096)
		goto bad;
	if ((envp = calloc(envc + 1, sizeof(*envp))) == NULL)
		fatal("calloc");
	for (uint32_t i = 0; i < envc && !r->bad; i++)
		envp[i] = rd_str(r);
	if (r->bad)
		goto bad;
	if (!command_allowed(ps, argv, argc)) {
		log_warnx("privsep: refusing to run %s: not a command of the "
		    "configuration", argv[0]);
		goto drop;
	}
	if ((rq = rqueue_get(ps, id, 1)) == NULL) {
		log_warnx("privsep: too many script queues; refusing %s",
		    argv[0]);
		goto drop;
	}
	script_enqueue(rq->q, argv, envp, label);
	return;
bad:
	log_warnx("privsep: malformed request from the network process");
drop:
	if (argv != NULL)
		strv_free(argv, argc);
	if (envp != NULL)
		strv_free(envp, envc);
	free(label);
}

static void
on_child_msg(evutil_socket_t fd, short ev, void *arg)
{
	struct parent	*ps = arg;
	uint8_t		*buf;
	struct reader	 r;
	struct rqueue	*rq;
	ssize_t		 n;

	if ((buf = malloc(PS_MAX_MSG)) == NULL)
		fatal("malloc");
	n = recv(fd, buf, PS_MAX_MSG, MSG_DONTWAIT);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			event_del(ps->fd_ev);	/* the child is gone */
		free(buf);
		return;
	}
	r.p = buf;
	r.left = (size_t)n;
	r.bad = 0;
	r.need_all = 0;
	switch (rd_u32(&r)) {
	case PS_RUN:
		handle_run(ps, &r);
		break;
	case PS_RELEASE:
		if ((rq = rqueue_get(ps, rd_u32(&r), 0)) != NULL) {
			LIST_REMOVE(rq, entry);
			script_queue_release(rq->q);
			free(rq);
			ps->nqueues--;
		}
		break;
	case PS_STARTED:
		ps->started = 1;
		break;
	default:
		log_warnx("privsep: unknown message from the network process");
		break;
	}
	free(buf);
}

static void
parent_maybe_exit(struct parent *ps)
{
	if (ps->child == 0 && script_runner_idle(&ps->runner))
		event_base_loopbreak(ps->base);
}

static void
on_idle(void *arg)
{
	parent_maybe_exit(arg);
}

static void
on_exit_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct parent *ps = arg;

	log_warnx("scripts still running at exit; not waiting any longer");
	event_base_loopbreak(ps->base);
}

static void
on_other_child(pid_t pid, int status, void *arg)
{
	struct parent	*ps = arg;
	struct timeval	 tv = { ps->runner.timeout_s + 3, 0 };

	if (pid != ps->child)
		return;
	ps->child = 0;
	ps->child_status = status;
	if (WIFSIGNALED(status))
		log_warnx("network process killed by signal %d",
		    WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		log_warnx("network process exited %d", WEXITSTATUS(status));
	if ((ps->exit_ev = evtimer_new(ps->base, on_exit_timeout, ps)) != NULL)
		evtimer_add(ps->exit_ev, &tv);
}

static void
parent_reload(struct parent *ps)
{
	struct config	 cf;
	char		 err[512];

	if (config_load(ps->opts->config, ps->opts, &cf, err, sizeof(err)) == -1) {
		log_warnx("reload failed: %s; keeping the running "
		    "configuration", err);
		return;
	}
	if (send_config(ps->fd, &cf) == -1) {
		config_free(&cf);
		return;
	}
	ps->runner.timeout_s = cf.g.script_timeout;
	/* The old one stays allowed: the child runs its down scripts now. */
	config_free(&ps->prev);
	ps->prev = *ps->cf;
	*ps->cf = cf;
}

static void
on_parent_signal(evutil_socket_t sig, short ev, void *arg)
{
	struct parent *ps = arg;

	if (sig == SIGCHLD) {
		script_reap(&ps->runner);
		parent_maybe_exit(ps);
		return;
	}
	if (sig == SIGHUP && !ps->opts->vhid_given) {
		parent_reload(ps);
		return;
	}
	if (ps->child > 0)
		kill(ps->child, (int)sig);
}

int
privsep_parent(const struct carpd_options *opts, struct config *cf,
    pid_t child, int fd, int *started)
{
	static const int sigs[] = { SIGCHLD, SIGUSR1, SIGUSR2, SIGTERM,
	    SIGINT, SIGHUP, SIGQUIT };
	struct parent	 ps;
	struct rqueue	*rq;
	struct event_config *ecfg;

	memset(&ps, 0, sizeof(ps));
	ps.opts = opts;
	ps.cf = cf;
	ps.child = child;
	ps.fd = fd;
	LIST_INIT(&ps.queues);
	if ((ecfg = event_config_new()) == NULL ||
	    (ps.base = event_base_new_with_config(ecfg)) == NULL)
		fatalx("cannot create the event base");
	event_config_free(ecfg);
	script_runner_init(&ps.runner, ps.base, cf->g.script_timeout);
	ps.runner.idle_cb = on_idle;
	ps.runner.idle_arg = &ps;
	ps.runner.other_child_cb = on_other_child;
	if (cf->g.script_user != NULL &&
	    script_runner_set_user(&ps.runner, cf->g.script_user) == -1)
		fatalx("no such user: %s", cf->g.script_user);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct event *e = evsignal_new(ps.base, sigs[i],
		    on_parent_signal, &ps);

		if (e == NULL || evsignal_add(e, NULL) == -1)
			fatalx("cannot watch signal %d", sigs[i]);
		ps.sig_ev[ps.nsig++] = e;
	}
	ps.fd_ev = event_new(ps.base, fd, EV_READ | EV_PERSIST, on_child_msg, &ps);
	if (ps.fd_ev == NULL || event_add(ps.fd_ev, NULL) == -1)
		fatalx("cannot watch the network process");
	/* The child may have exited before the SIGCHLD event existed. */
	script_reap(&ps.runner);
	if (ps.child != 0 || !script_runner_idle(&ps.runner))
		event_base_dispatch(ps.base);

	while ((rq = LIST_FIRST(&ps.queues)) != NULL) {
		LIST_REMOVE(rq, entry);
		script_queue_release(rq->q);
		free(rq);
	}
	config_free(&ps.prev);
	*started = ps.started;
	for (size_t i = 0; i < ps.nsig; i++)
		event_free(ps.sig_ev[i]);
	event_free(ps.fd_ev);
	if (ps.exit_ev != NULL)
		event_free(ps.exit_ev);
	event_base_free(ps.base);
	close(fd);
	if (ps.child > 0)
		return 1;
	return WIFEXITED(ps.child_status) ? WEXITSTATUS(ps.child_status) : 1;
}

/* ---- the child ---- */

int
privsep_drop(const char *user)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("no such user: %s", user);
		return -1;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_RAW);
	if (capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
	    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0) {
		log_warnx("cannot become %s with only CAP_NET_RAW", user);
		return -1;
	}
#ifdef __SANITIZE_ADDRESS__
	/* LeakSanitizer needs to ptrace its own threads. */
	prctl(PR_SET_DUMPABLE, 1);
#endif
	log_info("network process runs as %s with CAP_NET_RAW only", user);
	return 0;
}

struct reload {
	struct carpd	*cd;
	struct config	 cf;
	int		 active;
	int		 bad;		/* a part did not parse */
};

static void
on_parent_msg(evutil_socket_t fd, short ev, void *arg)
{
	static struct reload	 rl;
	struct carpd		*cd = arg;
	uint8_t			*buf;
	struct reader		 r;
	struct vhid_config	 vc;
	ssize_t			 n;

	if ((buf = malloc(PS_MAX_MSG)) == NULL)
		fatal("malloc");
	n = recv(fd, buf, PS_MAX_MSG, MSG_DONTWAIT);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			/*
			 * The parent died (kill -9 of carpd): no down script
			 * can run now, so bowing out would leave the address
			 * here while a backup takes it.  Die as the crash it is.
			 */
			log_warnx("privileged process gone; exiting at once");
			_exit(1);
		}
		free(buf);
		return;
	}
	r.p = buf;
	r.left = (size_t)n;
	r.bad = 0;
	r.need_all = 0;
	switch (rd_u32(&r)) {
	case PS_RELOAD_BEGIN:
		if (rl.active)
			config_free(&rl.cf);
		memset(&rl, 0, sizeof(rl));
		global_defaults(&rl.cf.g);
		rl.active = 1;
		rl.cf.g.debug = rd_u32(&r) != 0;
		rl.cf.g.facility = (int)rd_u32(&r);
		rl.cf.g.script_timeout = rd_u32(&r);
		break;
	case PS_RELOAD_VHID:
		if (!rl.active)
			break;
		rd_raw(&r, &vc, sizeof(vc));
		if (r.bad) {
			rl.bad = 1;
			break;
		}
		vc.passfile = rd_str(&r);
		vc.upscript = rd_str(&r);
		vc.downscript = rd_str(&r);
		vc.xparam = rd_str(&r);
		rl.bad |= r.bad;
		rl.cf.vhids = reallocarray(rl.cf.vhids, rl.cf.nvhids + 1,
		    sizeof(*rl.cf.vhids));
		if (rl.cf.vhids == NULL)
			fatal("reallocarray");
		rl.cf.vhids[rl.cf.nvhids++] = vc;
		break;
	case PS_RELOAD_END:
		if (rl.active && !rl.bad)
			carpd_apply_config(cd, &rl.cf);
		else if (rl.active)
			log_warnx("privsep: a configuration did not arrive whole; "
			    "keeping the running one");
		if (rl.active)
			config_free(&rl.cf);
		rl.active = 0;
		break;
	}
	explicit_bzero(buf, (size_t)n);
	free(buf);
}

int
privsep_child_listen(struct carpd *cd, int fd)
{
	cd->ps_ev = event_new(cd->base, fd, EV_READ | EV_PERSIST,
	    on_parent_msg, cd);
	if (cd->ps_ev == NULL || event_add(cd->ps_ev, NULL) == -1)
		return -1;
	return 0;
}
