/*
 * metrics.h: `carpctl metrics`, the Prometheus text exposition format
 * (version 0.0.4) rendered from a struct carpd: the process (start
 * time, reloads), each vhid (state, transitions by reason, adverts,
 * drops by reason, demotion, senders), the drops of each interface and
 * the demotion groups.  Every name starts with carpd_; the families and
 * labels are documented in carpctl(8).  Appends to `out`; never fails.
 */
#ifndef CARPD_METRICS_H
#define CARPD_METRICS_H

struct carpd;
struct evbuffer;

void	metrics_render(const struct carpd *, struct evbuffer *out);

#endif
