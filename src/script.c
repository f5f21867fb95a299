/*
 * script.c: run up/down scripts without ever blocking the event loop.
 * One FIFO per vhid so that its scripts run one at a time and in order;
 * at most max_running at once, the other queues waiting their turn in
 * order; children are reaped from the SIGCHLD event and killed (their
 * whole process group: SIGTERM, then SIGKILL two seconds later) on
 * timeout.  The commands themselves are built here too, from a vhid's
 * settings, in both modes (script.h).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <event2/event.h>

#include "carpd.h"
#include "fsm.h"
#include "log.h"
#include "safefile.h"
#include "script.h"
#include "util.h"
#include "vmac.h"

#define SCRIPT_KILL_GRACE	2	/* seconds between SIGTERM and SIGKILL */
/* The script's own descriptor in its process (child_exec). */
#define SCRIPT_FD		3

static void	start_next(struct script_queue *);

void
script_job_free(struct script_job *j)
{
	if (j == NULL)
		return;
	strv_free(j->argv);
	strv_free(j->envp);
	free(j->label);
	free(j);
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
script_runner_init(struct script_runner *r, struct event_base *base,
    unsigned timeout_s)
{
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->timeout_s = timeout_s;
	r->uid = getuid();
	r->gid = getgid();
	r->max_running = SCRIPT_MAX_RUNNING;
	r->max_queued = SCRIPT_MAX_QUEUED;
	r->max_total = SCRIPT_MAX_TOTAL;
	r->rl.burst = 10;
	r->rl.period_ms = 1000;
	LIST_INIT(&r->busy);
	TAILQ_INIT(&r->waiting);
}

int
script_runner_set_user(struct script_runner *r, const char *user)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL)
		return -1;
	r->uid = pw->pw_uid;
	r->gid = pw->pw_gid;
	return 0;
}

int
script_runner_idle(const struct script_runner *r)
{
	return LIST_EMPTY(&r->busy) && TAILQ_EMPTY(&r->waiting);
}

static void
on_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct script_queue	*q = arg;
	struct timeval		 tv = { SCRIPT_KILL_GRACE, 0 };

	if (q->pid <= 0)
		return;
	if (q->killed == 0) {
		log_warnx("script %s: still running after %u s, sending SIGTERM",
		    q->running->label, q->running->timeout_s > 0 ?
		    q->running->timeout_s : q->runner->timeout_s);
		q->killed = SIGTERM;
		kill(-q->pid, SIGTERM);
		evtimer_add(q->timeout_ev, &tv);
	} else {
		log_warnx("script %s: still running, sending SIGKILL",
		    q->running->label);
		q->killed = SIGKILL;
		kill(-q->pid, SIGKILL);
	}
}

struct script_queue *
script_queue_new(struct script_runner *r)
{
	struct script_queue *q;

	if (r->max_queues > 0 && r->nqueues >= r->max_queues)
		return NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		fatal("calloc");
	q->runner = r;
	q->id = ++r->next_id;
	STAILQ_INIT(&q->jobs);
	q->timeout_ev = evtimer_new(r->base, on_timeout, q);
	if (q->timeout_ev == NULL)
		fatalx("evtimer_new failed");
	r->nqueues++;
	return q;
}

static void
queue_free(struct script_queue *q)
{
	struct script_job *j;

	while ((j = STAILQ_FIRST(&q->jobs)) != NULL) {
		STAILQ_REMOVE_HEAD(&q->jobs, entry);
		q->runner->npending--;
		script_job_free(j);
	}
	if (q->waiting)
		TAILQ_REMOVE(&q->runner->waiting, q, wait);
	q->runner->nqueues--;
	event_free(q->timeout_ev);
	free(q);
}

void
script_queue_release(struct script_queue *q)
{
	const struct script_hooks *h;

	if (q == NULL)
		return;
	h = &q->runner->hooks;
	if (h->release != NULL)
		h->release(h->arg, q->id);
	if (q->pid == 0 && STAILQ_EMPTY(&q->jobs))
		queue_free(q);
	else
		q->orphan = 1;
}

/*
 * The script runs from the descriptor that was checked (safefile.h), so
 * a file swapped in after the check is never run.  A "#!" script is
 * read by its interpreter through /dev/fd/N, so that one descriptor
 * stays open across the exec (it is the script, read-only).
 */
static void
child_exec(const struct script_runner *r, struct script_job *j, int sfd)
{
	sigset_t	all;
	char		magic[2];
	int		fd, interp;

	interp = pread(sfd, magic, 2, 0) == 2 && magic[0] == '#' &&
	    magic[1] == '!';
	if (sfd != SCRIPT_FD && dup2(sfd, SCRIPT_FD) == -1)
		_exit(126);
	if (fcntl(SCRIPT_FD, F_SETFD, interp ? 0 : FD_CLOEXEC) == -1)
		_exit(126);

	setpgid(0, 0);
	if (r->uid != geteuid() && (setgroups(0, NULL) == -1 ||
	    setgid(r->gid) == -1 || setuid(r->uid) == -1))
		_exit(126);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, STDIN_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	/* Nothing of ours leaks into a script: sockets, capture, control. */
	if (close_range(SCRIPT_FD + 1, ~0U, 0) == -1)
		for (fd = SCRIPT_FD + 1; fd < 65536; fd++)
			close(fd);
	fexecve(SCRIPT_FD, j->argv, j->envp);
	_exit(127);
}

static int
executable(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (st.st_mode & (S_IXUSR | S_IXGRP |
	    S_IXOTH)) != 0;
}

/* Fork the job; 0 when it runs. */
static int
spawn(struct script_queue *q, struct script_job *j)
{
	struct timeval	tv = { j->timeout_s > 0 ? j->timeout_s :
			    q->runner->timeout_s, 0 };
	char		why[PATH_MAX + 128];
	pid_t		pid;
	int		sfd;

	if ((sfd = safefile_open(j->argv[0], why, sizeof(why))) < 0 ||
	    !executable(sfd)) {
		if (sfd >= 0) {
			snprintf(why, sizeof(why), "%s", strerror(EACCES));
			close(sfd);
		}
		log_warnx("script %s: cannot run %s: %s", j->label, j->argv[0],
		    why);
		return -1;
	}
	if ((pid = fork()) == -1) {
		log_warn("script %s: fork", j->label);
		close(sfd);
		return -1;
	}
	if (pid == 0)
		child_exec(q->runner, j, sfd);
	close(sfd);
	log_debug("script %s: started %s as pid %d", j->label, j->argv[0],
	    (int)pid);
	q->pid = pid;
	q->running = j;
	q->killed = 0;
	q->runner->nrunning++;
	LIST_INSERT_HEAD(&q->runner->busy, q, entry);
	if (tv.tv_sec > 0)
		evtimer_add(q->timeout_ev, &tv);
	return 0;
}

/* Run the queue's next job, or wait in line for a slot. */
static void
start_next(struct script_queue *q)
{
	struct script_runner	*r = q->runner;
	struct script_job	*j;

	while (q->pid == 0 && (j = STAILQ_FIRST(&q->jobs)) != NULL) {
		if (r->nrunning >= r->max_running) {
			if (!q->waiting) {
				TAILQ_INSERT_TAIL(&r->waiting, q, wait);
				q->waiting = 1;
			}
			return;
		}
		STAILQ_REMOVE_HEAD(&q->jobs, entry);
		q->njobs--;
		r->npending--;
		if (spawn(q, j) == -1) {
			if (j->exit_cb != NULL)
				j->exit_cb(j->exit_arg, -1);
			script_job_free(j);
		}
	}
}

/* A slot is free: the queues that waited longest go first. */
static void
start_waiting(struct script_runner *r)
{
	struct script_queue *q;

	while (r->nrunning < r->max_running &&
	    (q = TAILQ_FIRST(&r->waiting)) != NULL) {
		TAILQ_REMOVE(&r->waiting, q, wait);
		q->waiting = 0;
		start_next(q);
		if (q->orphan && q->pid == 0 && STAILQ_EMPTY(&q->jobs))
			queue_free(q);
	}
}

/*
 * A script's environment: the daemon's own, plus only the CARP_*
 * variables that describe the event.
 */
static char **
script_environment(char **event)
{
	extern char	**environ;
	size_t		  k = 0, mine = 0, n = 0;
	char		**env;

	while (environ[mine] != NULL)
		mine++;
	while (event[n] != NULL)
		n++;
	if ((env = calloc(mine + n + 1, sizeof(*env))) == NULL)
		fatal("calloc");
	for (size_t i = 0; i < mine; i++)
		if (strncmp(environ[i], "CARP_", 5) != 0 &&
		    (env[k++] = strdup(environ[i])) == NULL)
			fatal("strdup");
	for (size_t i = 0; i < n; i++)
		if (strncmp(event[i], "CARP_", 5) == 0 &&
		    strchr(event[i], '=') != NULL &&
		    (env[k++] = strdup(event[i])) == NULL)
			fatal("strdup");
	strv_free(event);
	return env;
}

static void
refuse(struct script_runner *r, struct script_job *j, const char *why)
{
	unsigned long suppressed = 0;

	r->refused++;
	if (log_ratelimit_ok(&r->rl, mono_ms(), &suppressed))
		log_warnx("script %s: refused: %s (%llu refused in all, "
		    "%lu not logged)", j->label, why,
		    (unsigned long long)r->refused, suppressed);
	script_job_free(j);
}

int
script_enqueue(struct script_queue *q, struct script_job *j)
{
	struct script_runner *r = q->runner;

	if (q->njobs >= r->max_queued) {
		refuse(r, j, "too many scripts waiting for this vhid");
		return -1;
	}
	if (r->npending >= r->max_total) {
		refuse(r, j, "too many scripts waiting");
		return -1;
	}
	j->envp = script_environment(j->envp);
	STAILQ_INSERT_TAIL(&q->jobs, j, entry);
	q->njobs++;
	r->npending++;
	/* Behind the others already waiting for a slot: first come first. */
	if (q->pid == 0 && !q->waiting && !TAILQ_EMPTY(&r->waiting)) {
		TAILQ_INSERT_TAIL(&r->waiting, q, wait);
		q->waiting = 1;
		return 0;
	}
	start_next(q);
	return 0;
}

static void
log_status(const struct script_job *j, int status, int killed)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		log_info("script %s: %s exited 0", j->label, j->argv[0]);
	else if (WIFEXITED(status))
		log_warnx("script %s: %s exited %d", j->label, j->argv[0],
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_warnx("script %s: %s killed by signal %d%s", j->label,
		    j->argv[0], WTERMSIG(status),
		    killed ? " after timeout" : "");
}

void
script_reap(struct script_runner *r)
{
	struct script_queue	*q;
	pid_t			 pid;
	int			 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		LIST_FOREACH(q, &r->busy, entry)
			if (q->pid == pid)
				break;
		if (q == NULL) {
			if (r->other_child_cb != NULL)
				r->other_child_cb(pid, status, r->idle_arg);
			continue;
		}
		LIST_REMOVE(q, entry);
		r->nrunning--;
		evtimer_del(q->timeout_ev);
		if (q->running->exit_cb == NULL)
			log_status(q->running, status, q->killed);
		else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			log_debug("script %s: ended with status 0x%x",
			    q->running->label, (unsigned)status);
		if (q->running->exit_cb != NULL)
			q->running->exit_cb(q->running->exit_arg, status);
		script_job_free(q->running);
		q->running = NULL;
		q->pid = 0;
		/* Its next job keeps its place only behind older waiters. */
		if (!STAILQ_EMPTY(&q->jobs) && !TAILQ_EMPTY(&r->waiting)) {
			TAILQ_INSERT_TAIL(&r->waiting, q, wait);
			q->waiting = 1;
		} else
			start_next(q);
		if (q->orphan && q->pid == 0 && STAILQ_EMPTY(&q->jobs))
			queue_free(q);
		start_waiting(r);
		if (r->done_cb != NULL)
			r->done_cb(r->idle_arg);
	}
	if (script_runner_idle(r) && r->idle_cb != NULL)
		r->idle_cb(r->idle_arg);
}

/* ---- requests and the commands they stand for ---- */

const char *
script_req_check(const struct script_req *rq)
{
	if (rq->kind != SCRIPT_UP && rq->kind != SCRIPT_DOWN)
		return "no such script";
	if (rq->state != CARP_INIT && rq->state != CARP_BACKUP &&
	    rq->state != CARP_MASTER)
		return "no such state";
	if (rq->reason <= FSM_R_NONE || rq->reason >= FSM_R_MAX)
		return "no such reason";
	if ((rq->kind == SCRIPT_UP) != (rq->state == CARP_MASTER))
		return "the state does not go with the script";
	if (memchr(rq->ifname, '\0', sizeof(rq->ifname)) == NULL)
		return "interface name not terminated";
	if (rq->family != 0 && rq->family != AF_INET && rq->family != AF_INET6)
		return "no such address family";
	return NULL;
}

int
script_req_same_vip(const struct script_req *rq, uint8_t family,
    const struct in_addr *a, const struct in6_addr *a6)
{
	if ((rq->family == AF_INET6) != (family == AF_INET6))
		return 0;
	if (family == AF_INET6)
		return memcmp(&rq->vip6, a6, sizeof(*a6)) == 0;
	return rq->vip.s_addr == a->s_addr;
}

int
script_req_index(const struct vhid_config *vc, const struct script_req *rq)
{
	for (size_t i = 0; rq->family != AF_INET6 && i < vc->nvips; i++)
		if (vc->vips[i].s_addr == rq->vip.s_addr)
			return (int)i;
	for (size_t i = 0; rq->family == AF_INET6 && i < vc->nvips6; i++)
		if (memcmp(&vc->vips6[i], &rq->vip6, sizeof(rq->vip6)) == 0)
			return (int)i;
	return -1;
}

/* The address of request `rq`, index `idx`, as text, and its prefix. */
static unsigned
vip_text(const struct vhid_config *vc, const struct script_req *rq,
    size_t idx, char *buf, size_t len)
{
	if (rq->family == AF_INET6) {
		inet_ntop(AF_INET6, &vc->vips6[idx], buf, (socklen_t)len);
		return vc->prefix6[idx];
	}
	inet_ntop(AF_INET, &vc->vips[idx], buf, (socklen_t)len);
	return vc->prefix[idx];
}

#define ALL_VIPS_LEN	(2 * CARPD_MAX_VIPS * (INET6_ADDRSTRLEN + 1))

/* CARP_VIPS: the IPv4 addresses, then the IPv6 ones. */
static void
all_vips(const struct vhid_config *vc, char all[ALL_VIPS_LEN])
{
	char a[INET6_ADDRSTRLEN];

	all[0] = '\0';
	for (size_t i = 0; i < vc->nvips + vc->nvips6; i++) {
		if (i < vc->nvips)
			inet_ntop(AF_INET, &vc->vips[i], a, sizeof(a));
		else
			inet_ntop(AF_INET6, &vc->vips6[i - vc->nvips], a,
			    sizeof(a));
		if (i > 0)
			strcat(all, " ");
		strcat(all, a);
	}
}

static char **
build_env(const struct vhid_config *vc, struct in_addr src,
    const struct script_req *rq, size_t idx, const char *dev)
{
	char		 vip[INET6_ADDRSTRLEN];
	char		 all[ALL_VIPS_LEN];
	char		 srcs[INET6_ADDRSTRLEN];
	size_t		 k = 0;
	unsigned	 prefix;
	char		**env;

	all_vips(vc, all);
	if (rq->family == AF_INET6)
		inet_ntop(AF_INET6, &vc->src6, srcs, sizeof(srcs));
	else
		inet_ntop(AF_INET, &src, srcs, sizeof(srcs));
	prefix = vip_text(vc, rq, idx, vip, sizeof(vip));
	if ((env = calloc(11, sizeof(*env))) == NULL)
		fatal("calloc");
	env[k++] = xasprintf("CARP_VHID=%u", vc->vhid);
	env[k++] = xasprintf("CARP_STATE=%s", carp_state_name(rq->state));
	env[k++] = xasprintf("CARP_INTERFACE=%s", vc->ifname);
	env[k++] = xasprintf("CARP_VIP=%s", vip);
	env[k++] = xasprintf("CARP_VIPS=%s", all);
	env[k++] = xasprintf("CARP_SRCIP=%s", srcs);
	env[k++] = xasprintf("CARP_REASON=%s", fsm_reason_name(rq->reason));
	env[k++] = xasprintf("CARP_FAMILY=%s",
	    rq->family == AF_INET6 ? "inet6" : "inet");
	if (prefix != 0)
		env[k++] = xasprintf("CARP_PREFIX=%u", prefix);
	if (vc->vmac)
		env[k++] = xasprintf("CARP_DEVICE=%s", dev);
	env[k] = NULL;
	return env;
}

/*
 * The scripts' <interface>: with `mac virtual` the device that owns the
 * virtual MAC, so that the addresses go there (vmac.h).
 */
static const char *
script_device(const struct vhid_config *vc, char *dev, size_t len)
{
	if (!vc->vmac || vmac_devname(vc->ifname, vc->vhid, dev, len) == -1)
		snprintf(dev, len, "%s", vc->ifname);
	return dev;
}

struct script_job *
script_build(const struct vhid_config *vc, struct in_addr src,
    const struct script_req *rq, const char **why)
{
	const char		*path;
	char			 vip[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];
	struct script_job	*j;
	size_t			 k = 0;
	int			 i;

	if ((*why = script_req_check(rq)) != NULL)
		return NULL;
	path = rq->kind == SCRIPT_UP ? vc->upscript : vc->downscript;
	if (path == NULL) {
		*why = "the vhid has no such script";
		return NULL;
	}
	if ((i = script_req_index(vc, rq)) == -1) {
		*why = "not an address of the vhid";
		return NULL;
	}
	vip_text(vc, rq, (size_t)i, vip, sizeof(vip));
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->argv = calloc(5, sizeof(*j->argv))) == NULL)
		fatal("calloc");
	j->argv[k++] = xasprintf("%s", path);
	j->argv[k++] = xasprintf("%s", script_device(vc, dev, sizeof(dev)));
	j->argv[k++] = xasprintf("%s", vip);
	if (vc->xparam != NULL)
		j->argv[k++] = xasprintf("%s", vc->xparam);
	j->envp = build_env(vc, src, rq, (size_t)i, dev);
	j->label = xasprintf("vhid %u %s %s", vc->vhid,
	    rq->kind == SCRIPT_UP ? "up" : "down", vip);
	return j;
}

void
script_run_local(void *arg, struct script_queue *q,
    const struct vhid_config *vc, struct in_addr src,
    const struct script_req *rq)
{
	struct script_job	*j;
	const char		*why;

	if ((j = script_build(vc, src, rq, &why)) == NULL) {
		log_warnx("vhid %u on %s: no script to run: %s", vc->vhid,
		    vc->ifname, why);
		return;
	}
	script_enqueue(q, j);
}

void
script_submit(struct script_queue *q, const struct vhid_config *vc,
    struct in_addr src, const struct script_req *rq)
{
	const struct script_hooks *h = &q->runner->hooks;

	if (h->submit != NULL)
		h->submit(h->arg, q, vc, src, rq);
	else
		script_run_local(NULL, q, vc, src, rq);
}
