/*
 * sdnotify.h: telling systemd how carpd is doing (sd_notify(3), a unit
 * with Type=notify).  Only the process systemd started talks to it: the
 * root parent, or the one process without privilege separation (with
 * NotifyAccess=main nothing else would be heard).
 *
 *   READY=1      every vhid has started: it left INIT, or it waits for
 *                its interface, which STATUS counts as waiting
 *   RELOADING=1  a SIGHUP reload begins; READY=1 when it is applied (or
 *                has failed and the running configuration stays)
 *   STATUS=      "N master, N backup, N waiting", at most every
 *                SDNOTIFY_STATUS_MS after a transition
 *   WATCHDOG=1   every quarter of WATCHDOG_USEC, while the wiring's alive
 *                callback says the network process's loop is running
 *   STOPPING=1   at a terminating signal
 *
 * Without NOTIFY_SOCKET sdnotify_new returns NULL and every function
 * here does nothing for NULL.
 */
#ifndef CARPD_SDNOTIFY_H
#define CARPD_SDNOTIFY_H

#include <stdbool.h>

#define SDNOTIFY_STATUS_MS	500

struct config;
struct event_base;
struct sdnotify;

/* Is there a NOTIFY_SOCKET to talk to? */
bool		 sdnotify_wanted(void);
struct sdnotify	*sdnotify_new(struct event_base *);
/* The vhids of the configuration running; those kept keep their state. */
void		 sdnotify_vhids(struct sdnotify *, const struct config *);
/* A transition (enum carp_state) of a vhid. */
void		 sdnotify_state(struct sdnotify *, unsigned vhid,
		    const char *ifname, unsigned state);
void		 sdnotify_ready(struct sdnotify *);
void		 sdnotify_reloading(struct sdnotify *);
void		 sdnotify_stopping(struct sdnotify *);
/*
 * WATCHDOG=1 when the unit asks for it (WATCHDOG_USEC, and WATCHDOG_PID
 * if set is ours): four times a period, but only when alive(arg) is true.
 */
void		 sdnotify_watchdog(struct sdnotify *, bool (*alive)(void *),
		    void *arg);
void		 sdnotify_free(struct sdnotify *);

#endif
