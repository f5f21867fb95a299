/*
 * peers.c: what `carpctl peers` shows (peers.h), rendered from the
 * senders tables of the vhids.  No I/O and no state: control.c sends
 * the buffer, tests/unit/test_metrics.c reads it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <event2/buffer.h>

#include "carpd.h"
#include "peers.h"
#include "render.h"
#include "util.h"

#define PEERS_CELL_MAX	(INET6_ADDRSTRLEN + 8)

/* ---- text ---- */

enum {
	PC_VHID, PC_IF, PC_ADDR, PC_MAC, PC_ADV, PC_DEMOTE, PC_LAST,
	PC_ADVERTS, PC_DROPPED, NPC
};

static const char *const pcol_names[NPC] = {
	"VHID", "INTERFACE", "SENDER", "MAC", "ADVBASE/SKEW", "DEMOTE",
	"LAST-SEEN", "ADVERTS", "DROPPED"
};

struct peers_row {
	char	cell[NPC][PEERS_CELL_MAX];
};

static void
prow_fill(const struct vhid *v, const struct sender *s, struct peers_row *r)
{
	snprintf(r->cell[PC_VHID], PEERS_CELL_MAX, "%u", v->cfg.vhid);
	str_sanitize(v->ifp->name, r->cell[PC_IF], PEERS_CELL_MAX);
	sender_addr(s, r->cell[PC_ADDR], PEERS_CELL_MAX);
	sender_mac(s, r->cell[PC_MAC], PEERS_CELL_MAX);
	snprintf(r->cell[PC_ADV], PEERS_CELL_MAX, "%u/%u", s->advbase,
	    s->advskew);
	snprintf(r->cell[PC_DEMOTE], PEERS_CELL_MAX, "%u", s->demote);
	render_time(&s->last, r->cell[PC_LAST], PEERS_CELL_MAX);
	snprintf(r->cell[PC_ADVERTS], PEERS_CELL_MAX, "%llu",
	    (unsigned long long)s->adverts);
	snprintf(r->cell[PC_DROPPED], PEERS_CELL_MAX, "%llu",
	    (unsigned long long)render_drops_total(s->drops));
}

/* Columns two spaces apart; then the drops by reason, if any. */
static void
prow_print(struct evbuffer *out, const char *const *cells, const int *width,
    const uint64_t *drops)
{
	for (int i = 0; i < NPC - 1; i++)
		evbuffer_add_printf(out, "%-*s  ", width[i], cells[i]);
	evbuffer_add_printf(out, "%s", cells[NPC - 1]);
	if (drops != NULL && render_drops_total(drops) > 0) {
		evbuffer_add(out, " ", 1);
		render_drops_text(out, drops);
	}
	evbuffer_add(out, "\n", 1);
}

static void
peers_widths(const struct carpd *cd, int *width)
{
	struct peers_row	 r;
	const struct vhid	*v;

	for (int i = 0; i < NPC; i++)
		width[i] = (int)strlen(pcol_names[i]);
	TAILQ_FOREACH(v, &cd->vhids, entry)
		for (size_t k = 0; k < v->senders.n; k++) {
			prow_fill(v, &v->senders.s[k], &r);
			for (int i = 0; i < NPC; i++)
				if ((int)strlen(r.cell[i]) > width[i])
					width[i] = (int)strlen(r.cell[i]);
		}
}

void
peers_text(const struct carpd *cd, struct evbuffer *out)
{
	struct peers_row	 r;
	const char		*cells[NPC];
	int			 width[NPC];
	const struct vhid	*v;
	char			 name[IF_NAMESIZE];

	peers_widths(cd, width);
	prow_print(out, pcol_names, width, NULL);
	TAILQ_FOREACH(v, &cd->vhids, entry)
		for (size_t k = 0; k < v->senders.n; k++) {
			prow_fill(v, &v->senders.s[k], &r);
			for (int i = 0; i < NPC; i++)
				cells[i] = r.cell[i];
			prow_print(out, cells, width, v->senders.s[k].drops);
		}
	TAILQ_FOREACH(v, &cd->vhids, entry) {
		if (v->senders.evictions == 0)
			continue;
		str_sanitize(v->ifp->name, name, sizeof(name));
		evbuffer_add_printf(out, "vhid %u on %s: %llu senders evicted "
		    "(a table of %d)\n", v->cfg.vhid, name,
		    (unsigned long long)v->senders.evictions, SENDERS_MAX);
	}
}

/* ---- JSON ---- */

static void
json_time(struct evbuffer *out, const char *key, const struct timespec *ts)
{
	char when[32];

	if (render_time(ts, when, sizeof(when)))
		evbuffer_add_printf(out, ",\"%s\":\"%s\",\"%s_unix\":%lld",
		    key, when, key, (long long)ts->tv_sec);
	else
		evbuffer_add_printf(out, ",\"%s\":null,\"%s_unix\":null", key,
		    key);
}

static void
json_sender(struct evbuffer *out, const struct sender *s)
{
	char a[INET6_ADDRSTRLEN], mac[18];

	evbuffer_add_printf(out, "{\"address\":\"%s\",\"family\":\"%s\","
	    "\"mac\":\"%s\",\"advbase\":%u,\"advskew\":%u,\"demote\":%u",
	    sender_addr(s, a, sizeof(a)),
	    IN6_IS_ADDR_V4MAPPED(&s->addr) ? "inet" : "inet6",
	    sender_mac(s, mac, sizeof(mac)), s->advbase, s->advskew,
	    s->demote);
	json_time(out, "first_seen", &s->first);
	json_time(out, "last_seen", &s->last);
	evbuffer_add_printf(out, ",\"adverts\":%llu,\"dropped\":%llu,"
	    "\"drops\":", (unsigned long long)s->adverts,
	    (unsigned long long)render_drops_total(s->drops));
	render_json_drops(out, s->drops);
	evbuffer_add(out, "}", 1);
}

void
peers_json(const struct carpd *cd, struct evbuffer *out)
{
	const struct vhid *v;

	evbuffer_add_printf(out, "{\"version\":");
	render_json_str(out, PACKAGE_VERSION);
	evbuffer_add_printf(out, ",\"pid\":%ld,\"senders_max\":%d,"
	    "\"vhids\":[", (long)cd->main_pid, SENDERS_MAX);
	TAILQ_FOREACH(v, &cd->vhids, entry) {
		if (v != TAILQ_FIRST(&cd->vhids))
			evbuffer_add(out, ",", 1);
		evbuffer_add_printf(out, "{\"vhid\":%u,\"interface\":",
		    v->cfg.vhid);
		render_json_str(out, v->ifp->name);
		evbuffer_add_printf(out, ",\"evictions\":%llu,\"senders\":[",
		    (unsigned long long)v->senders.evictions);
		for (size_t k = 0; k < v->senders.n; k++) {
			if (k > 0)
				evbuffer_add(out, ",", 1);
			json_sender(out, &v->senders.s[k]);
		}
		evbuffer_add(out, "]}", 2);
	}
	evbuffer_add_printf(out, "]}\n");
}
