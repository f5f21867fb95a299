/*
 * script.h: up/down scripts.  Each vhid has a FIFO of jobs run one at a
 * time; children are forked and exec'd without a shell, reaped from the
 * SIGCHLD event and killed after a timeout.  Nothing here blocks.
 *
 * A vhid asks for a script with a struct script_req: which script, which
 * address, the state and the reason.  The command and its environment
 * are built from a configuration by script_build(), the one builder for
 * both modes: without privilege separation straight from the vhid's
 * settings, with it by the root parent from its own copy of them.  The
 * wiring chooses with the runner's submit hook.
 */
#ifndef CARPD_SCRIPT_H
#define CARPD_SCRIPT_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>

#include "log.h"

struct event;
struct event_base;
struct script_runner;
struct vhid_config;

enum script_kind {
	SCRIPT_UP = 1,		/* upscript, on becoming MASTER */
	SCRIPT_DOWN,		/* downscript, on BACKUP or INIT */
};

/* What a vhid asks for; also the body of a privsep run request. */
struct script_req {
	uint32_t		gen;	/* configuration generation of the vhid */
	uint32_t		qid;	/* the vhid's queue */
	uint8_t			vhid;
	uint8_t			kind;	/* enum script_kind */
	uint8_t			state;	/* enum carp_state */
	uint8_t			reason;	/* enum fsm_reason */
	char			ifname[IF_NAMESIZE];
	uint8_t			family;	/* AF_INET6, else IPv4 (0, AF_INET) */
	struct in_addr		vip;	/* IPv4 */
	struct in6_addr		vip6;	/* AF_INET6 */
};

struct script_job {
	STAILQ_ENTRY(script_job) entry;
	char			**argv;
	char			**envp;
	char			 *label;	/* for logs: "vhid 1 up 192.0.2.10" */
	unsigned		  timeout_s;	/* 0: the runner's */
	/*
	 * Told how it ended (a wait status), or with -1 when it could not
	 * be started; track scripts use it (track.h).
	 */
	void			(*exit_cb)(void *, int status);
	void			 *exit_arg;
};
STAILQ_HEAD(script_jobs, script_job);

struct script_queue {
	LIST_ENTRY(script_queue)	 entry;		/* runner's busy list */
	TAILQ_ENTRY(script_queue)	 wait;		/* waiting for a slot */
	struct script_runner		*runner;
	struct script_jobs		 jobs;
	size_t				 njobs;		/* pending, not running */
	pid_t				 pid;		/* running job, or 0 */
	struct script_job		*running;
	struct event			*timeout_ev;
	int				 killed;	/* 0, SIGTERM or SIGKILL sent */
	int				 orphan;	/* free once drained */
	int				 waiting;	/* on the runner's wait list */
	uint32_t			 id;		/* for the privileged parent */
};

/*
 * Where a vhid's requests go.  submit: NULL runs them here
 * (script_run_local); release: told when a queue is let go.
 */
struct script_hooks {
	void	(*submit)(void *, struct script_queue *,
		    const struct vhid_config *, struct in_addr src,
		    const struct script_req *);
	void	(*release)(void *, uint32_t qid);
	void	 *arg;
};

/* Bounds of what the runner holds (see carpd(8), SECURITY). */
#define SCRIPT_MAX_RUNNING	64	/* scripts at once; the rest wait */
#define SCRIPT_MAX_QUEUED	256	/* pending jobs of one queue */
#define SCRIPT_MAX_TOTAL	4096	/* pending jobs of all queues */

struct script_runner {
	struct event_base		*base;
	LIST_HEAD(, script_queue)	 busy;		/* a job running */
	TAILQ_HEAD(, script_queue)	 waiting;	/* FIFO for a slot */
	unsigned			 timeout_s;
	void				(*idle_cb)(void *);	/* all queues empty */
	void				*idle_arg;
	/* Children that are not scripts (the privsep child). */
	void				(*other_child_cb)(pid_t, int, void *);
	void				(*done_cb)(void *);	/* a script ended */
	struct script_hooks		 hooks;
	uint32_t			 next_id;
	uid_t				 uid;		/* scripts run as */
	gid_t				 gid;
	size_t				 nrunning;
	size_t				 npending;	/* jobs of all queues */
	size_t				 nqueues;	/* released-but-busy too */
	size_t				 max_queues;	/* 0: no bound */
	size_t				 max_running;
	size_t				 max_queued;
	size_t				 max_total;
	uint64_t			 refused;	/* jobs beyond a bound */
	struct log_ratelimit		 rl;
};

void	script_runner_init(struct script_runner *, struct event_base *,
	    unsigned timeout_s);
/* Run scripts as `user` (needs root); -1 if there is no such user. */
int	script_runner_set_user(struct script_runner *, const char *user);
/* NULL when max_queues are in use. */
struct script_queue *script_queue_new(struct script_runner *);
/*
 * The owner lets go: the queue is freed at once when idle, else after
 * its last job, so that a removed vhid's down script still runs.  It
 * counts against max_queues until then.
 */
void	script_queue_release(struct script_queue *);

/* NULL if the request is well formed, else what is wrong with it. */
const char *script_req_check(const struct script_req *);
/* Which address of `vc` the request is for: its index, -1 for none. */
int	script_req_index(const struct vhid_config *, const struct script_req *);
/* Do two requests name the same address (of the same family)? */
int	script_req_same_vip(const struct script_req *, uint8_t family,
	    const struct in_addr *, const struct in6_addr *);
/*
 * ucarp's `script <interface> <vip> [<xparam>]` and the CARP_*
 * environment of a checked request, from `vc` (the vhid's settings) and
 * `src` (its source address).  NULL with *why set when `vc` has no such
 * script or the address is not one of its own.
 */
struct script_job *script_build(const struct vhid_config *vc,
	    struct in_addr src, const struct script_req *, const char **why);
void	script_job_free(struct script_job *);
/* Ask for a script: through the runner's submit hook, else here. */
void	script_submit(struct script_queue *, const struct vhid_config *,
	    struct in_addr src, const struct script_req *);
void	script_run_local(void *, struct script_queue *,
	    const struct vhid_config *, struct in_addr src,
	    const struct script_req *);
/*
 * Takes the job; -1 (job freed, logged at a bounded rate, counted)
 * beyond max_queued or max_total.  The daemon's own environment is
 * added to the job's CARP_* when it runs.
 */
int	script_enqueue(struct script_queue *, struct script_job *);
/* Call from the SIGCHLD event. */
void	script_reap(struct script_runner *);
/* Nothing running, nothing waiting for a slot. */
int	script_runner_idle(const struct script_runner *);

#endif
