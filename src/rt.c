/*
 * rt.c: real-time scheduling and locked memory for the network process.
 * Applied once at start, as root: the process then drops the privileges
 * (CAP_SYS_NICE, CAP_IPC_LOCK) it would need to change them again, and
 * its seccomp filter allows neither call.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rt.h"

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK	0x40000000
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT		4
#endif

static const char *const policy_names[] = {
	[RT_OFF] = "off",
	[RT_RR] = "rr",
	[RT_FIFO] = "fifo",
};

int
rt_parse(const char *s, struct rt_config *rc, char *msg, size_t len)
{
	const char	*colon = strchr(s, ':');
	size_t		 n = colon != NULL ? (size_t)(colon - s) : strlen(s);
	char		*end;
	long		 prio = RT_PRIO_DEFAULT;

	for (int p = RT_OFF; p <= RT_FIFO; p++) {
		if (strlen(policy_names[p]) != n ||
		    strncmp(s, policy_names[p], n) != 0)
			continue;
		if (colon != NULL) {
			errno = 0;
			prio = strtol(colon + 1, &end, 10);
			if (p == RT_OFF || colon[1] == '\0' || *end != '\0' ||
			    errno != 0 || prio < RT_PRIO_MIN ||
			    prio > RT_PRIO_MAX)
				break;
		}
		rc->policy = p;
		rc->prio = p == RT_OFF ? 0 : (int)prio;
		return 0;
	}
	snprintf(msg, len, "invalid value \"%s\": allowed off, rr, fifo, "
	    "rr:PRIO or fifo:PRIO with PRIO from %d to %d", s, RT_PRIO_MIN,
	    RT_PRIO_MAX);
	return -1;
}

const char *
rt_name(const struct rt_config *rc, char *buf, size_t len)
{
	if (rc->policy == RT_OFF)
		snprintf(buf, len, "off");
	else
		snprintf(buf, len, "%s:%d", policy_names[rc->policy], rc->prio);
	return buf;
}

/*
 * Locked on fault: pages are locked as they are touched, so that a
 * sanitizer's reserved shadow is not brought in whole.  What is mapped
 * now only (code, heap, the capture rings open at start): with
 * MCL_FUTURE every later mapping must be locked too, and the capture
 * ring of an interface opened after the privilege drop (one that comes
 * back, or is added by a reload) then fails with EAGAIN.
 */
static int
lock_memory(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	if (setrlimit(RLIMIT_MEMLOCK, &rl) == -1)
		log_debug("realtime: cannot lift RLIMIT_MEMLOCK: %s",
		    strerror(errno));
	if (mlockall(MCL_CURRENT | MCL_ONFAULT) == -1) {
		log_warn("realtime: cannot lock memory; running on with "
		    "memory that may be paged out");
		return -1;
	}
	return 0;
}

void
rt_apply(const struct rt_config *rc)
{
	struct sched_param	sp = { .sched_priority = rc->prio };
	int			pol, locked;
	char			name[32];

	if (rc->policy == RT_OFF)
		return;
	rt_name(rc, name, sizeof(name));
	/* Paging in a page of the event loop is as late as not running. */
	locked = lock_memory() == 0;
	pol = rc->policy == RT_FIFO ? SCHED_FIFO : SCHED_RR;
	/* Scripts forked without privilege separation run normally. */
	if (sched_setscheduler(0, pol | SCHED_RESET_ON_FORK, &sp) == -1) {
		log_warn("realtime %s refused (no CAP_SYS_NICE, or a cgroup "
		    "without a real-time budget); running on with normal "
		    "scheduling", name);
		return;
	}
	log_info("network process runs real-time, %s%s", name,
	    locked ? ", memory locked" : "");
}
