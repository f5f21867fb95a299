/*
 * rt.h: real-time scheduling for the process that sends the adverts.
 * A master that is not scheduled for a few advert intervals loses its
 * group: under CPU load a normal-priority process can wait tens of
 * milliseconds, more than the whole master-down interval at advbase 0.
 * See carpd(8), --realtime.
 */
#ifndef CARPD_RT_H
#define CARPD_RT_H

#include <stddef.h>

#define RT_PRIO_MIN	1
#define RT_PRIO_MAX	99
#define RT_PRIO_DEFAULT	10	/* below threaded interrupts (50) */

enum rt_policy {
	RT_OFF = 0,
	RT_RR,
	RT_FIFO,
};

struct rt_config {
	enum rt_policy	policy;
	int		prio;
};

/* "off", "rr", "rr:PRIO", "fifo", "fifo:PRIO"; -1 and `msg` when bad. */
int		rt_parse(const char *, struct rt_config *, char *msg,
		    size_t len);
/* The same words back, for --dump: "rr:10". */
const char	*rt_name(const struct rt_config *, char *buf, size_t len);
/*
 * In the network process, while it may still raise its limits (before
 * the privilege drop and the seccomp filter): the policy for this
 * process, not its children, and all its memory locked.  What the
 * kernel refuses is logged once; the daemon runs on without it.
 */
void		rt_apply(const struct rt_config *);

#endif
