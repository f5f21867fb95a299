/*
 * status.h: the status report of `carpctl status` (text) and
 * `carpctl status json`, rendered from a struct carpd: its vhids (state,
 * master, addresses, last change, counters) and the bad packets counted
 * per vhid and per interface.  Appends to `out`; never fails.
 */
#ifndef CARPD_STATUS_H
#define CARPD_STATUS_H

struct carpd;
struct evbuffer;
struct vhid;

/* A table, one row per vhid, then one line per vhid or iface with drops. */
void	status_text(const struct carpd *, struct evbuffer *out);
/* One JSON object on one line, ending in a newline. */
void	status_json(const struct carpd *, struct evbuffer *out);
/*
 * Why the vhid sits in INIT, as a token ("interface-missing" ...,
 * carpctl(8)); NULL when it does not.
 */
const char *status_waiting(const struct vhid *);

#endif
