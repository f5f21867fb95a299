/*
 * link.h: interface state from rtnetlink events (no polling).  Carrier
 * loss makes the vhids on that interface leave (a master bows out where
 * it still can) and wait in INIT; carrier back makes them rejoin as
 * BACKUP.  An interface deleted and created again is reopened.  Vhids
 * with ignoreifstate are left alone.
 */
#ifndef CARPD_LINK_H
#define CARPD_LINK_H

struct carpd;
struct iface;

int	link_watch_open(struct carpd *);
void	link_watch_close(struct carpd *);
/* Bring the vhids of `ifp` in line with its link state. */
void	link_sync(struct iface *);

#endif
