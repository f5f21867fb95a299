/*
 * notify.h: keepalived's notify_fifo.  Every transition of every vhid,
 * in order, as one line "VHID INTERFACE STATE GROUP" (GROUP: its first
 * demote-group, else "carp"), written to a FIFO by one writer: the root
 * parent (the network process, in its empty root, cannot open it),
 * which gets each transition from the network process (PS_TRANSITION).
 * Writes never block: a line that does not fit in the FIFO, or finds no
 * reader, is dropped and counted; the FIFO is opened again when it had
 * no reader.
 */
#ifndef CARPD_NOTIFY_H
#define CARPD_NOTIFY_H

#include <stdint.h>

struct notify;

/* NULL path: no FIFO.  The FIFO is made (mode 0600) if missing. */
struct notify	*notify_new(const char *path);
void		 notify_line(struct notify *, unsigned vhid, const char *ifname,
		    const char *state, const char *group);
uint64_t	 notify_dropped(const struct notify *);
void		 notify_free(struct notify *);

#endif
