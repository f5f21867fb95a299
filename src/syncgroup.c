/*
 * syncgroup.c: sync groups (syncgroup.h, doc/protocol.md "Sync groups").
 * A takeover marks the vhid and wakes the event loop; on_pull() then
 * feeds the group's other vhids FSM_EV_SYNC_MASTER, outside the vhid
 * that is still carrying out its own transition.  A vhid pulled up makes
 * a transition of its own reason, which fsm_sync_pulls() refuses: no
 * chain, no storm.  The state machine keeps its rules: a vhid pulled up
 * against a preferred master hears it and steps back, and stepping back
 * pulls nothing either.
 */
#include "config.h"

#include <string.h>
#include <event2/event.h>

#include "syncgroup.h"
#include "vhid.h"

static void	on_pull(evutil_socket_t, short, void *);

void
syncgroup_transition(struct carpd *cd, struct vhid *v,
    const struct fsm_output *out)
{
	if (v->cfg.syncgroup[0] == '\0' || !fsm_sync_pulls(out))
		return;
	v->sync_pull = true;
	if (cd->sync_ev == NULL &&
	    (cd->sync_ev = event_new(cd->base, -1, 0, on_pull, cd)) == NULL)
		fatalx("event_new failed");
	event_active(cd->sync_ev, EV_TIMEOUT, 0);
}

/* `v` took over: its group's backups follow. */
static void
pull(struct carpd *cd, struct vhid *v)
{
	struct vhid *o;

	log_info("sync group %s: vhid %u on %s took over (%s): the group "
	    "follows", v->cfg.syncgroup, v->cfg.vhid, v->ifp->name,
	    fsm_reason_name(v->last_reason));
	/* Only packets, timers and queued scripts follow: the list stays. */
	TAILQ_FOREACH(o, &cd->vhids, entry) {
		if (o == v || strcmp(o->cfg.syncgroup, v->cfg.syncgroup) != 0 ||
		    o->fsm.state != CARP_BACKUP)
			continue;	/* master already, or INIT: waiting */
		if (o->fsm.hold_backup) {
			log_info("vhid %u on %s: stays BACKUP (forced by the "
			    "operator) while its sync group %s moves",
			    o->cfg.vhid, o->ifp->name, o->cfg.syncgroup);
			continue;
		}
		vhid_event(o, FSM_EV_SYNC_MASTER);
	}
}

static void
on_pull(evutil_socket_t fd, short ev, void *arg)
{
	struct carpd	*cd = arg;
	struct vhid	*v;

	TAILQ_FOREACH(v, &cd->vhids, entry) {
		if (!v->sync_pull)
			continue;
		v->sync_pull = false;
		/* Stepped back meanwhile: its takeover is over. */
		if (!cd->exiting && v->fsm.state == CARP_MASTER)
			pull(cd, v);
	}
}

void
syncgroup_check(struct carpd *cd)
{
	struct vhid	*v, *o;
	unsigned	 n;

	TAILQ_FOREACH(v, &cd->vhids, entry) {
		if (v->cfg.syncgroup[0] == '\0')
			continue;
		n = 0;
		TAILQ_FOREACH(o, &cd->vhids, entry)
			if (strcmp(o->cfg.syncgroup, v->cfg.syncgroup) == 0)
				n++;
		if (n == 1)
			log_warnx("sync group %s has vhid %u on %s only: it "
			    "moves nothing", v->cfg.syncgroup, v->cfg.vhid,
			    v->cfg.ifname);
	}
}

void
syncgroup_free(struct carpd *cd)
{
	if (cd->sync_ev != NULL)
		event_free(cd->sync_ev);
	cd->sync_ev = NULL;
}
