/*
 * peers.h: `carpctl peers`, every CARP sender heard on each vhid (the
 * tables of senders.h), as a table for people or one JSON object on one
 * line for programs (its keys are documented in carpctl(8)).  Appends to
 * `out`; never fails.
 */
#ifndef CARPD_PEERS_H
#define CARPD_PEERS_H

struct carpd;
struct evbuffer;

/* One row per sender, then a line per vhid that evicted any. */
void	peers_text(const struct carpd *, struct evbuffer *out);
void	peers_json(const struct carpd *, struct evbuffer *out);

#endif
