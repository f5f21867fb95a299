/*
 * child.h: the network child's end of the privileged channel
 * (privsep.h): its dispatch of the parent's messages, the script runner
 * hooks that turn script requests into run requests, and the drop to an
 * unprivileged user.
 */
#ifndef CARPD_CHILD_H
#define CARPD_CHILD_H

#include <stdint.h>
#include <sys/types.h>

struct config;
struct event_base;
struct script_runner;
struct child;

/* A new configuration from the parent; it is acked when this returns. */
typedef void	(*child_config_cb)(void *arg, const struct config *,
		    uint32_t gen);

/* `parent`: the parent's pid, saved before the fork. */
struct child	*child_new(struct event_base *, int fd, pid_t parent,
		    child_config_cb, void *arg);
/* Scripts of `runner` go to the parent from now on. */
void		 child_hook_runner(struct child *, struct script_runner *);
/* Where PS_TRACK reports go (track.h): group, value. */
void		 child_on_track(struct child *,
		    void (*)(void *, const char *, uint32_t), void *);
void		 child_send_started(struct child *);
/* A state change, for the parent's notify FIFO (notify.h). */
void		 child_send_transition(struct child *, uint32_t gen,
		    unsigned vhid, const char *ifname, unsigned state,
		    const char *group);
/* Ask for the virtual MAC device of a vhid up or down (vmac.h). */
void		 child_send_vmac(struct child *, uint32_t gen, uint8_t vhid,
		    const char *ifname, int up);
/* The parent that forked us is still our parent. */
int		 child_parent_alive(const struct child *);
/* At exit: hand the parent every request still queued. */
void		 child_flush(struct child *, int ms);
void		 child_free(struct child *);
/* Become `user`, keeping only CAP_NET_RAW. */
int		 child_drop(const char *user);

#endif
