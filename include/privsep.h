/*
 * privsep.h: privilege separation.  When started as root, carpd splits
 * in two after reading its configuration:
 *
 *   parent (root)           runs the up/down scripts and nothing else;
 *                           reads the configuration again on SIGHUP and
 *                           hands it over; forwards signals
 *   child  (--user, only    everything that touches the network: capture,
 *          CAP_NET_RAW)     packet parsing, state machines, timers, control
 *
 * They talk over a SOCK_SEQPACKET socketpair: the child asks for scripts
 * to be run (a queue id per vhid keeps them in order), the parent sends
 * new configurations.  See carpd(8), SECURITY.
 */
#ifndef CARPD_PRIVSEP_H
#define CARPD_PRIVSEP_H

#include <stdint.h>
#include <sys/types.h>

struct carpd;
struct config;
struct carpd_options;

enum ps_msg {
	PS_RUN = 1,		/* child -> parent: queue id, label, argv, envp */
	PS_RELEASE,		/* child -> parent: queue id is no longer used */
	PS_RELOAD_BEGIN,	/* parent -> child: globals */
	PS_RELOAD_VHID,		/* parent -> child: one vhid */
	PS_RELOAD_END,
	PS_STARTED,		/* child -> parent: up, control socket bound */
};

int	privsep_send_run(int fd, uint32_t id, char **argv, char **envp,
	    const char *label);
int	privsep_send_release(int fd, uint32_t id);
int	privsep_send_started(int fd);

/* Run as the parent until the child has exited and scripts are done. */
int	privsep_parent(const struct carpd_options *, struct config *,
	    pid_t child, int fd, int *started);
/* In the child: become `user`, keeping only CAP_NET_RAW. */
int	privsep_drop(const char *user);
/* In the child: watch the socket for configurations from the parent. */
int	privsep_child_listen(struct carpd *, int fd);
/* Defined in carpd.c: run with a new configuration (reload). */
void	carpd_apply_config(struct carpd *, const struct config *);

#endif
