/*
 * vhid.h: the runtime of one virtual host: it owns the vhid's timers,
 * feeds packets and timer events to the state machine and carries out
 * the actions the state machine returns.
 */
#ifndef CARPD_VHID_H
#define CARPD_VHID_H

#include "carpd.h"

struct vhid	*vhid_new(struct carpd *, const struct vhid_config *,
		    char *err, size_t errlen);
void		 vhid_free(struct vhid *);
/* Start it if its interface and source address are ready, else wait. */
void		 vhid_try_start_all(struct carpd *);
/* Its interface or the interface's addresses changed. */
void		 vhid_refresh(struct vhid *);
int		 vhid_same_config(const struct vhid *, const struct vhid_config *);
void		 vhid_event(struct vhid *, enum fsm_event);
void		 vhid_log_status(const struct vhid *);
/* Every vhid's peers looked up again (for the status): resolved or not. */
void		 vhid_peers_refresh(struct carpd *);
/* A demotion group's counter changed: the vhids follow (soon). */
void		 vhid_demote_changed(struct carpd *);
/* ... now. */
void		 vhid_demote_sync_all(struct carpd *);
/* The master it follows (or itself), of either family, or "none". */
const char	*vhid_master_str(const struct vhid *, char *buf, size_t len);
/* An interface's receive callback (iface_rx_cb); `arg` is unused. */
void		 vhid_rx(struct iface *, const uint8_t *frame, size_t caplen,
		    size_t wirelen, void *arg);

#endif
