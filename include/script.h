/*
 * script.h: up/down scripts.  Each vhid has a FIFO of jobs run one at a
 * time; children are forked and exec'd without a shell, reaped from the
 * SIGCHLD event and killed after a timeout.  Nothing here blocks.
 */
#ifndef CARPD_SCRIPT_H
#define CARPD_SCRIPT_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stdint.h>

struct event;
struct event_base;
struct script_runner;

struct script_job {
	STAILQ_ENTRY(script_job) entry;
	char			**argv;
	char			**envp;
	char			 *label;	/* for logs: "vhid 1 up 192.0.2.10" */
};
STAILQ_HEAD(script_jobs, script_job);

struct script_queue {
	LIST_ENTRY(script_queue)	 entry;
	struct script_runner		*runner;
	struct script_jobs		 jobs;
	pid_t				 pid;		/* running job, or 0 */
	struct script_job		*running;
	struct event			*timeout_ev;
	int				 killed;	/* 0, SIGTERM or SIGKILL sent */
	int				 orphan;	/* free once drained */
	uint32_t			 id;		/* for the privileged parent */
};

struct script_runner {
	struct event_base		*base;
	LIST_HEAD(, script_queue)	 busy;
	unsigned			 timeout_s;
	void				(*idle_cb)(void *);	/* all queues empty */
	void				*idle_arg;
	/* Children that are not scripts (the privsep child). */
	void				(*other_child_cb)(pid_t, int, void *);
	int				 remote_fd;	/* -1: run scripts here */
	uint32_t			 next_id;
	uid_t				 uid;		/* scripts run as */
	gid_t				 gid;
};

void	script_runner_init(struct script_runner *, struct event_base *,
	    unsigned timeout_s);
/* Run scripts as `user` (needs root); -1 if there is no such user. */
int	script_runner_set_user(struct script_runner *, const char *user);
struct script_queue *script_queue_new(struct script_runner *);
/*
 * The owner lets go: the queue is freed at once when idle, else after
 * its last job, so that a removed vhid's down script still runs.
 */
void	script_queue_release(struct script_queue *);
/*
 * Takes ownership of argv, envp (NULL-terminated, malloc'd) and label.
 * envp holds the event's CARP_* variables; the daemon's own environment
 * is added when the script runs, and nothing else is taken from envp.
 */
void	script_enqueue(struct script_queue *, char **argv, char **envp,
	    char *label);
/* Call from the SIGCHLD event. */
void	script_reap(struct script_runner *);
int	script_runner_idle(const struct script_runner *);

#endif
