/*
 * syncgroup.h: sync groups (keepalived's vrrp_sync_group; doc/protocol.md,
 * "Sync groups").  A vhid may be in one sync group (sync-group NAME):
 * when a vhid of the group takes over for a reason of the network's
 * (fsm_sync_pulls), every other vhid of the group on this host that is
 * BACKUP becomes MASTER at once, with the reason sync-group.  The wiring
 * hands every transition to syncgroup_transition(); the others are
 * pulled up from the event loop.
 */
#ifndef CARPD_SYNCGROUP_H
#define CARPD_SYNCGROUP_H

#include "carpd.h"

/* `v` made the transition `out`: pull its group up (soon) if it should. */
void	syncgroup_transition(struct carpd *, struct vhid *,
	    const struct fsm_output *);
/* Say which sync groups have a single vhid: they move nothing. */
void	syncgroup_check(struct carpd *);
void	syncgroup_free(struct carpd *);

#endif
