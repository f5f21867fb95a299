/*
 * sdnotify.c: the messages to systemd (sdnotify.h), through libsystemd's
 * sd_notify.  The states come from the wiring (the parent hears them
 * from the network process as PS_TRANSITION); this file counts them,
 * bounds how often STATUS goes out and keeps the watchdog timer.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "conf.h"
#include "fsm.h"
#include "log.h"
#include "sdnotify.h"

struct sd_vhid {
	uint8_t			 vhid;
	uint8_t			 state;		/* enum carp_state */
	char			 ifname[IF_NAMESIZE];
};

struct sdnotify {
	struct event_base	*base;
	struct sd_vhid		*v;
	size_t			 nv;
	struct event		*status_ev;	/* STATUS sent not long ago */
	bool			 status_dirty;	/* a change since */
	bool			 ready;		/* READY=1 sent once */
	struct event		*wd_ev;
	bool			(*alive)(void *);
	void			*alive_arg;
	bool			 warned;
};

static void
sdn_send(struct sdnotify *sd, const char *msg)
{
	int rc = sd_notify(0, msg);

	if (rc < 0 && !sd->warned) {
		sd->warned = true;
		log_warnx("sd_notify: %s (not logged again)", strerror(-rc));
	}
}

static void
status_line(const struct sdnotify *sd, char *buf, size_t len)
{
	unsigned n[CARP_MASTER + 1] = { 0 };

	for (size_t i = 0; i < sd->nv; i++)
		n[sd->v[i].state <= CARP_MASTER ? sd->v[i].state : CARP_INIT]++;
	snprintf(buf, len, "STATUS=%u master, %u backup, %u waiting",
	    n[CARP_MASTER], n[CARP_BACKUP], n[CARP_INIT]);
}

static void
send_status(struct sdnotify *sd, const char *prefix)
{
	struct timeval	tv = { SDNOTIFY_STATUS_MS / 1000,
	    (SDNOTIFY_STATUS_MS % 1000) * 1000 };
	char		status[128], msg[160];

	status_line(sd, status, sizeof(status));
	snprintf(msg, sizeof(msg), "%s%s", prefix, status);
	sdn_send(sd, msg);
	sd->status_dirty = false;
	evtimer_add(sd->status_ev, &tv);
}

static void
on_status(evutil_socket_t fd, short ev, void *arg)
{
	struct sdnotify *sd = arg;

	if (sd->status_dirty)
		send_status(sd, "");
}

static void
status_changed(struct sdnotify *sd)
{
	/* Before READY=1, that message carries the first STATUS. */
	if (!sd->ready || evtimer_pending(sd->status_ev, NULL))
		sd->status_dirty = true;
	else
		send_status(sd, "");
}

bool
sdnotify_wanted(void)
{
	const char *s = getenv("NOTIFY_SOCKET");

	return s != NULL && *s != '\0';
}

struct sdnotify *
sdnotify_new(struct event_base *base)
{
	struct sdnotify *sd;

	if (!sdnotify_wanted())
		return NULL;
	if ((sd = calloc(1, sizeof(*sd))) == NULL)
		fatal("calloc");
	sd->base = base;
	if ((sd->status_ev = evtimer_new(base, on_status, sd)) == NULL)
		fatalx("evtimer_new failed");
	return sd;
}

static const struct sd_vhid *
find(const struct sd_vhid *v, size_t n, unsigned vhid, const char *ifname)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].vhid == vhid && strcmp(v[i].ifname, ifname) == 0)
			return &v[i];
	return NULL;
}

void
sdnotify_vhids(struct sdnotify *sd, const struct config *cf)
{
	struct sd_vhid		*v;
	const struct sd_vhid	*old;

	if (sd == NULL)
		return;
	if ((v = calloc(cf->nvhids + 1, sizeof(*v))) == NULL)
		fatal("calloc");
	for (size_t i = 0; i < cf->nvhids; i++) {
		v[i].vhid = cf->vhids[i].vhid;
		snprintf(v[i].ifname, sizeof(v[i].ifname), "%s",
		    cf->vhids[i].ifname);
		old = find(sd->v, sd->nv, v[i].vhid, v[i].ifname);
		v[i].state = old != NULL ? old->state : CARP_INIT;
	}
	free(sd->v);
	sd->v = v;
	sd->nv = cf->nvhids;
	status_changed(sd);
}

void
sdnotify_state(struct sdnotify *sd, unsigned vhid, const char *ifname,
    unsigned state)
{
	struct sd_vhid *v;

	if (sd == NULL)
		return;
	/* Only the vhids of the configuration: a removed one says INIT last. */
	v = (struct sd_vhid *)find(sd->v, sd->nv, vhid, ifname);
	if (v == NULL || v->state == state)
		return;
	v->state = (uint8_t)state;
	status_changed(sd);
}

void
sdnotify_ready(struct sdnotify *sd)
{
	if (sd == NULL)
		return;
	sd->ready = true;
	evtimer_del(sd->status_ev);
	send_status(sd, "READY=1\n");
}

void
sdnotify_reloading(struct sdnotify *sd)
{
	struct timespec	ts;
	char		msg[64];

	if (sd == NULL)
		return;
	/* MONOTONIC_USEC: what systemd 253's Type=notify-reload wants. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000);
	sdn_send(sd, msg);
}

void
sdnotify_stopping(struct sdnotify *sd)
{
	if (sd != NULL)
		sdn_send(sd, "STOPPING=1");
}

static void
on_watchdog(evutil_socket_t fd, short ev, void *arg)
{
	struct sdnotify *sd = arg;

	if (sd->alive(sd->alive_arg))
		sdn_send(sd, "WATCHDOG=1");
}

void
sdnotify_watchdog(struct sdnotify *sd, bool (*alive)(void *), void *arg)
{
	uint64_t	usec = 0;
	struct timeval	tv;

	if (sd == NULL || sd->wd_ev != NULL || sd_watchdog_enabled(0, &usec) <= 0)
		return;
	sd->alive = alive;
	sd->alive_arg = arg;
	/* Four times a period: one missed tick (a late answer) is no restart. */
	usec = usec / 4 > 1000 ? usec / 4 : 1000;
	tv.tv_sec = (time_t)(usec / 1000000);
	tv.tv_usec = (suseconds_t)(usec % 1000000);
	sd->wd_ev = event_new(sd->base, -1, EV_PERSIST, on_watchdog, sd);
	if (sd->wd_ev == NULL || event_add(sd->wd_ev, &tv) == -1)
		fatalx("cannot arm the systemd watchdog");
	log_info("systemd watchdog: WATCHDOG=1 every %llu ms",
	    (unsigned long long)usec / 1000);
	on_watchdog(-1, 0, sd);
}

void
sdnotify_free(struct sdnotify *sd)
{
	if (sd == NULL)
		return;
	if (sd->wd_ev != NULL)
		event_free(sd->wd_ev);
	event_free(sd->status_ev);
	free(sd->v);
	free(sd);
}
