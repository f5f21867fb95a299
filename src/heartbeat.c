/*
 * heartbeat.c: the parent's watch on the network child (heartbeat.h).
 * The child cannot be trusted to say that it is stuck: any process of
 * its user can SIGSTOP it, and a stopped master keeps its addresses
 * while the backups, hearing no adverts, take them over.  So the parent
 * asks, and acts on silence.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <event2/event.h>

#include "heartbeat.h"
#include "log.h"
#include "privsep.h"

/* More than the vhids of a full configuration, each with all its addresses. */
#define HB_MAX_ADDRS	(4096 * 4)

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Queued, never waited on: a ping the child does not read is a miss. */
static void
send_ping(struct heartbeat *hb)
{
	struct ps_msg m = { .type = PS_PING };

	m.u.seq = ++hb->sent;
	ps_chan_send(hb->chan, &m);
}

static void
on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct heartbeat *hb = arg;

	if (hb->dead)
		return;
	if (hb->answered != hb->sent)
		hb->missed++;
	else
		hb->missed = 0;
	if (hb->missed >= HEARTBEAT_MISSES) {
		hb->dead = true;
		event_del(hb->ev);
		log_warnx("network process has not answered for %u s",
		    HEARTBEAT_MISSES * HEARTBEAT_INTERVAL_MS / 1000);
		hb->dead_cb(hb->arg);
		return;
	}
	send_ping(hb);
}

void
heartbeat_init(struct heartbeat *hb, struct ps_chan *chan, void (*cb)(void *),
    void *arg)
{
	memset(hb, 0, sizeof(*hb));
	hb->chan = chan;
	hb->dead_cb = cb;
	hb->arg = arg;
	LIST_INIT(&hb->addrs);
}

void
heartbeat_start(struct heartbeat *hb, struct event_base *base)
{
	struct timeval tv = { HEARTBEAT_INTERVAL_MS / 1000,
	    (HEARTBEAT_INTERVAL_MS % 1000) * 1000 };

	if (hb->ev != NULL)
		return;
	hb->ev = event_new(base, -1, EV_PERSIST, on_tick, hb);
	if (hb->ev == NULL || event_add(hb->ev, &tv) == -1)
		fatalx("cannot arm the heartbeat");
	hb->answered_ms = mono_ms();	/* it has just said it is up */
	send_ping(hb);
}

void
heartbeat_answer(struct heartbeat *hb, uint32_t seq)
{
	/* Only an answer to the last ping counts: older ones arrive late. */
	if (seq == hb->sent) {
		hb->answered = seq;
		hb->answered_ms = mono_ms();
	}
}

bool
heartbeat_fresh(const struct heartbeat *hb)
{
	return hb->ev != NULL && !hb->dead &&
	    mono_ms() - hb->answered_ms < HEARTBEAT_FRESH_MS;
}

void
heartbeat_stop(struct heartbeat *hb)
{
	if (hb->ev != NULL)
		event_del(hb->ev);
}

void
heartbeat_note(struct heartbeat *hb, const struct script_req *rq)
{
	struct hb_addr	*a;
	bool		 up = rq->kind == SCRIPT_UP;

	LIST_FOREACH(a, &hb->addrs, entry)
		if (a->vhid == rq->vhid &&
		    script_req_same_vip(rq, a->family, &a->vip, &a->vip6) &&
		    strcmp(a->ifname, rq->ifname) == 0)
			break;
	if (a == NULL) {
		if (!up || hb->naddrs >= HB_MAX_ADDRS)
			return;		/* nothing to undo */
		if ((a = calloc(1, sizeof(*a))) == NULL)
			fatal("calloc");
		snprintf(a->ifname, sizeof(a->ifname), "%s", rq->ifname);
		a->vhid = rq->vhid;
		a->family = rq->family;
		a->vip = rq->vip;
		a->vip6 = rq->vip6;
		LIST_INSERT_HEAD(&hb->addrs, a, entry);
		hb->naddrs++;
	}
	a->gen = rq->gen;
	a->queue = rq->qid;
	a->up = up;
}

void
heartbeat_free(struct heartbeat *hb)
{
	struct hb_addr *a;

	if (hb->ev != NULL)
		event_free(hb->ev);
	hb->ev = NULL;
	while ((a = LIST_FIRST(&hb->addrs)) != NULL) {
		LIST_REMOVE(a, entry);
		free(a);
	}
	hb->naddrs = 0;
}
