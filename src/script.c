/*
 * script.c: run up/down scripts without ever blocking the event loop.
 * One FIFO per vhid so that its scripts run one at a time and in order;
 * children are reaped from the SIGCHLD event and killed (their whole
 * process group: SIGTERM, then SIGKILL two seconds later) on timeout.
 */
#include "config.h"

#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>

#include "log.h"
#include "privsep.h"
#include "script.h"

#define SCRIPT_KILL_GRACE	2	/* seconds between SIGTERM and SIGKILL */

static void	start_next(struct script_queue *);

static void
strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

static void
job_free(struct script_job *j)
{
	if (j == NULL)
		return;
	strv_free(j->argv);
	strv_free(j->envp);
	free(j->label);
	free(j);
}

void
script_runner_init(struct script_runner *r, struct event_base *base,
    unsigned timeout_s)
{
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->timeout_s = timeout_s;
	r->remote_fd = -1;
	r->uid = getuid();
	r->gid = getgid();
	LIST_INIT(&r->busy);
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
	return LIST_EMPTY(&r->busy);
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
		    q->running->label, q->runner->timeout_s);
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

	if ((q = calloc(1, sizeof(*q))) == NULL)
		fatal("calloc");
	q->runner = r;
	q->id = ++r->next_id;
	STAILQ_INIT(&q->jobs);
	q->timeout_ev = evtimer_new(r->base, on_timeout, q);
	if (q->timeout_ev == NULL)
		fatalx("evtimer_new failed");
	return q;
}

static void
queue_free(struct script_queue *q)
{
	event_free(q->timeout_ev);
	free(q);
}

void
script_queue_release(struct script_queue *q)
{
	if (q == NULL)
		return;
	if (q->runner->remote_fd != -1)
		privsep_send_release(q->runner->remote_fd, q->id);
	if (q->pid == 0 && STAILQ_EMPTY(&q->jobs))
		queue_free(q);
	else
		q->orphan = 1;
}

static void
child_exec(const struct script_runner *r, struct script_job *j)
{
	sigset_t	all;
	int		fd;

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
	if (close_range(STDERR_FILENO + 1, ~0U, 0) == -1)
		for (fd = STDERR_FILENO + 1; fd < 65536; fd++)
			close(fd);
	execve(j->argv[0], j->argv, j->envp);
	_exit(127);
}

static void
start_next(struct script_queue *q)
{
	struct script_job	*j;
	struct timeval		 tv = { q->runner->timeout_s, 0 };
	pid_t			 pid;

	while (q->pid == 0 && (j = STAILQ_FIRST(&q->jobs)) != NULL) {
		STAILQ_REMOVE_HEAD(&q->jobs, entry);
		if (access(j->argv[0], X_OK) == -1) {
			log_warn("script %s: cannot run %s", j->label,
			    j->argv[0]);
			job_free(j);
			continue;
		}
		if ((pid = fork()) == -1) {
			log_warn("script %s: fork", j->label);
			job_free(j);
			continue;
		}
		if (pid == 0)
			child_exec(q->runner, j);
		log_debug("script %s: started %s as pid %d", j->label,
		    j->argv[0], (int)pid);
		q->pid = pid;
		q->running = j;
		q->killed = 0;
		LIST_INSERT_HEAD(&q->runner->busy, q, entry);
		if (q->runner->timeout_s > 0)
			evtimer_add(q->timeout_ev, &tv);
	}
}

/*
 * A script's environment: the daemon's own, plus only the CARP_*
 * variables that describe the event.  Anything else in `event` (say
 * LD_PRELOAD from a compromised network process) is dropped.
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

void
script_enqueue(struct script_queue *q, char **argv, char **envp, char *label)
{
	struct script_job *j;

	if (q->runner->remote_fd != -1) {
		/* Scripts run in the privileged parent. */
		privsep_send_run(q->runner->remote_fd, q->id, argv, envp, label);
		strv_free(argv);
		strv_free(envp);
		free(label);
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL)
		fatal("calloc");
	j->argv = argv;
	j->envp = script_environment(envp);
	j->label = label;
	STAILQ_INSERT_TAIL(&q->jobs, j, entry);
	start_next(q);
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
		evtimer_del(q->timeout_ev);
		log_status(q->running, status, q->killed);
		job_free(q->running);
		q->running = NULL;
		q->pid = 0;
		start_next(q);
		if (q->orphan && q->pid == 0)
			queue_free(q);
	}
	if (LIST_EMPTY(&r->busy) && r->idle_cb != NULL)
		r->idle_cb(r->idle_arg);
}
