/*
 * status.c: what `carpctl status` shows, rendered from the daemon's
 * objects into a buffer: a table for people, or one JSON object on one
 * line for programs (its keys are documented in carpctl(8)).  No I/O and
 * no state: control.c sends the buffer, tests/unit/test_status.c reads it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <event2/buffer.h>

#include "carpd.h"
#include "render.h"
#include "status.h"
#include "util.h"

#define STATUS_CELL_MAX	(2 * CARPD_MAX_VIPS * INET6_ADDRSTRLEN)

/* ---- formatting helpers ---- */

static const char *const wait_names[CARPD_WAIT_MAX] = {
	[CARPD_WAIT_NONE] = "none",
	[CARPD_WAIT_IF_MISSING] = "interface-missing",
	[CARPD_WAIT_IF_DOWN] = "interface-down",
	[CARPD_WAIT_IF_UNUSABLE] = "interface-unusable",
	[CARPD_WAIT_NO_CARRIER] = "no-carrier",
	[CARPD_WAIT_NO_ADDR] = "no-address",
};

const char *
status_waiting(const struct vhid *v)
{
	if (v->fsm.state != CARP_INIT || v->cd->exiting)
		return NULL;
	if (!v->ifp->present)
		return wait_names[v->ifp->absent];
	if (!v->started)
		return v->wait != CARPD_WAIT_NONE ? wait_names[v->wait] : NULL;
	if (!v->ifp->link_up && !v->cfg.ignoreifstate)
		return "link-down";
	return NULL;
}

/* Address `i` of the vhid: the IPv4 ones, then the IPv6 ones. */
static void
addr_text(const struct vhid *v, size_t i, char *buf, size_t len)
{
	if (i < v->cfg.nvips)
		inet_ntop(AF_INET, &v->cfg.vips[i], buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, &v->cfg.vips6[i - v->cfg.nvips], buf,
		    (socklen_t)len);
}

static void
addrs_fmt(const struct vhid *v, char *buf, size_t len)
{
	char	a[INET6_ADDRSTRLEN];
	size_t	off = 0, n = v->cfg.nvips + v->cfg.nvips6;

	snprintf(buf, len, "%s", n == 0 ? "-" : "");
	for (size_t i = 0; i < n && off < len; i++) {
		addr_text(v, i, a, sizeof(a));
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? "," : "", a);
	}
}

/*
 * The current master: ourselves when MASTER, else the last one heard,
 * by the family it was heard in (IPv4 first for ourselves).
 */
static int
master_fmt(const struct vhid *v, char *buf, size_t len)
{
	struct in_addr	m = v->master;
	struct in6_addr	m6 = v->master6;
	bool		is6 = v->master_is6;

	if (v->fsm.state == CARP_MASTER) {
		m = v->cfg.src;
		m6 = v->cfg.src6;
		is6 = v->cfg.nvips == 0;
	}
	if (is6 ? IN6_IS_ADDR_UNSPECIFIED(&m6) : m.s_addr == INADDR_ANY) {
		snprintf(buf, len, "-");
		return 0;
	}
	if (is6)
		inet_ntop(AF_INET6, &m6, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET, &m, buf, (socklen_t)len);
	return 1;
}

/* ---- status: text ---- */

/* Addresses last: a long list must not push the other columns apart. */
enum {
	COL_VHID, COL_IF, COL_STATE, COL_MASTER, COL_ADV, COL_CHANGE,
	COL_REASON, COL_SENT, COL_RECV, COL_BAD, COL_ADDRS, NCOLS
};

static const char *const col_names[NCOLS] = {
	"VHID", "INTERFACE", "STATE", "MASTER", "ADVBASE/SKEW", "LAST-CHANGE",
	"REASON", "SENT", "RECEIVED", "BAD", "ADDRESSES"
};

struct status_row {
	char	cell[NCOLS][STATUS_CELL_MAX];
};

static void
row_fill(const struct vhid *v, struct status_row *r)
{
	snprintf(r->cell[COL_VHID], STATUS_CELL_MAX, "%u", v->cfg.vhid);
	str_sanitize(v->ifp->name, r->cell[COL_IF], STATUS_CELL_MAX);
	snprintf(r->cell[COL_STATE], STATUS_CELL_MAX, "%s",
	    carp_state_name(v->fsm.state));
	addrs_fmt(v, r->cell[COL_ADDRS], STATUS_CELL_MAX);
	snprintf(r->cell[COL_ADV], STATUS_CELL_MAX, "%u/%u", v->cfg.advbase,
	    v->cfg.advskew);
	master_fmt(v, r->cell[COL_MASTER], STATUS_CELL_MAX);
	/* One waiting in INIT: why it waits rather than why it came. */
	if (render_time(&v->last_change, r->cell[COL_CHANGE], STATUS_CELL_MAX) ||
	    status_waiting(v) != NULL)
		snprintf(r->cell[COL_REASON], STATUS_CELL_MAX, "%s",
		    status_waiting(v) != NULL ? status_waiting(v) :
		    fsm_reason_name(v->last_reason));
	else
		snprintf(r->cell[COL_REASON], STATUS_CELL_MAX, "-");
	snprintf(r->cell[COL_SENT], STATUS_CELL_MAX, "%llu",
	    (unsigned long long)v->stats.adverts_sent);
	snprintf(r->cell[COL_RECV], STATUS_CELL_MAX, "%llu",
	    (unsigned long long)v->stats.adverts_rx);
	snprintf(r->cell[COL_BAD], STATUS_CELL_MAX, "%llu",
	    (unsigned long long)render_drops_total(v->stats.drops));
}

/* Columns two spaces apart, the last one unpadded. */
static void
row_print(struct evbuffer *out, const char *const *cells, const int *width)
{
	for (int i = 0; i < NCOLS - 1; i++)
		evbuffer_add_printf(out, "%-*s  ", width[i], cells[i]);
	evbuffer_add_printf(out, "%s\n", cells[NCOLS - 1]);
}

static void
status_drops_text(const struct carpd *cd, struct evbuffer *out)
{
	struct vhid	*v;
	struct iface	*ifp;
	char		 name[IF_NAMESIZE];

	TAILQ_FOREACH(v, &cd->vhids, entry) {
		if (render_drops_total(v->stats.drops) == 0)
			continue;
		str_sanitize(v->ifp->name, name, sizeof(name));
		evbuffer_add_printf(out, "bad packets vhid %u on %s:",
		    v->cfg.vhid, name);
		render_drops_text(out, v->stats.drops);
		evbuffer_add(out, "\n", 1);
	}
	TAILQ_FOREACH(ifp, &cd->ifaces, entry) {
		str_sanitize(ifp->name, name, sizeof(name));
		if (ifp->kernel_filtered > 0)
			evbuffer_add_printf(out, "filtered by the kernel on %s: "
			    "%llu frames\n", name,
			    (unsigned long long)ifp->kernel_filtered);
		if (render_drops_total(ifp->drops) == 0)
			continue;
		evbuffer_add_printf(out, "bad packets on %s:", name);
		render_drops_text(out, ifp->drops);
		evbuffer_add(out, "\n", 1);
	}
}

static void
mac_fmt(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
	    m[3], m[4], m[5]);
}

/* A vhid with peers: each, at its MAC address or "unresolved". */
static void
status_peers_text(const struct carpd *cd, struct evbuffer *out)
{
	struct vhid	*v;
	char		 name[IF_NAMESIZE], a[INET6_ADDRSTRLEN], mac[18];

	TAILQ_FOREACH(v, &cd->vhids, entry) {
		if (v->cfg.npeers == 0)
			continue;
		str_sanitize(v->ifp->name, name, sizeof(name));
		evbuffer_add_printf(out, "unicast peers vhid %u on %s:", v->cfg.vhid,
		    name);
		for (size_t i = 0; i < v->cfg.npeers; i++) {
			if (v->peer_resolved & (1u << i))
				mac_fmt(v->peer_mac[i], mac, sizeof(mac));
			else
				snprintf(mac, sizeof(mac), "unresolved");
			evbuffer_add_printf(out, " %s %s",
			    vhid_peer_ntop(&v->cfg.peers[i], a, sizeof(a)), mac);
		}
		evbuffer_add(out, "\n", 1);
	}
}

/* ---- ARP balancing ---- */

/* Does `v` stand for its balanced address (its first node that runs)? */
static bool
bal_first(const struct vhid *v)
{
	for (size_t i = 0; v->cfg.nnodes > 0 && i < v->cfg.nnodes; i++)
		if (v->ifp->by_vhid[v->cfg.nodes[i].vhid] != NULL)
			return v->ifp->by_vhid[v->cfg.nodes[i].vhid] == v;
	return false;
}

static bool
bal_master(const struct vhid *v, size_t i)
{
	const struct vhid *n = v->ifp->by_vhid[v->cfg.nodes[i].vhid];

	return n != NULL && n->fsm.state == CARP_MASTER;
}

/*
 * "balance 192.0.2.100 on eth0: nodes 1 2 3, master of 1", and the
 * counters of each interface that balances.
 */
static void
status_balance_text(const struct carpd *cd, struct evbuffer *out)
{
	const struct vhid	*v;
	const struct iface	*ifp;
	char			 a[STATUS_CELL_MAX], name[IF_NAMESIZE];
	bool			 any;

	TAILQ_FOREACH(v, &cd->vhids, entry) {
		if (!bal_first(v))
			continue;
		str_sanitize(v->ifp->name, name, sizeof(name));
		addrs_fmt(v, a, sizeof(a));
		evbuffer_add_printf(out, "balance %s on %s: nodes", a, name);
		for (size_t i = 0; i < v->cfg.nnodes; i++)
			evbuffer_add_printf(out, " %u", v->cfg.nodes[i].vhid);
		evbuffer_add_printf(out, ", master of");
		any = false;
		for (size_t i = 0; i < v->cfg.nnodes; i++)
			if (bal_master(v, i)) {
				evbuffer_add_printf(out, " %u",
				    v->cfg.nodes[i].vhid);
				any = true;
			}
		evbuffer_add_printf(out, "%s\n", any ? "" : " none");
	}
	TAILQ_FOREACH(ifp, &cd->ifaces, entry) {
		const struct balance_stats *st = &ifp->bal_stats;

		if (ifp->nbal + ifp->nbal6 == 0)
			continue;
		str_sanitize(ifp->name, name, sizeof(name));
		evbuffer_add_printf(out, "ARP balancing on %s: requests=%llu "
		    "answered=%llu limited=%llu others=%llu send_errors=%llu\n",
		    name, (unsigned long long)st->requests,
		    (unsigned long long)st->answered,
		    (unsigned long long)st->limited,
		    (unsigned long long)st->others,
		    (unsigned long long)st->send_errors);
	}
}

/* Every group in use or demoted, and what demotes it. */
static void
status_groups_text(const struct carpd *cd, struct evbuffer *out)
{
	const struct demote_group *g;

	TAILQ_FOREACH(g, &cd->demotes, entry) {
		if (g->nvhids == 0 && demote_total(g) == 0)
			continue;
		evbuffer_add_printf(out, "group %s: demotion %ld, %u vhid%s",
		    g->name, demote_total(g), g->nvhids,
		    g->nvhids == 1 ? "" : "s");
		for (int i = 0; i < DEMOTE_SRC_MAX; i++)
			if (g->by[i] != 0)
				evbuffer_add_printf(out, " %s=%ld",
				    demote_src_name((enum demote_src)i),
				    g->by[i]);
		evbuffer_add(out, "\n", 1);
	}
}

void
status_text(const struct carpd *cd, struct evbuffer *out)
{
	struct status_row	 r;
	const char	*cells[NCOLS];
	int		 width[NCOLS];
	struct vhid	*v;

	for (int i = 0; i < NCOLS; i++)
		width[i] = (int)strlen(col_names[i]);
	TAILQ_FOREACH(v, &cd->vhids, entry) {
		row_fill(v, &r);
		for (int i = 0; i < NCOLS; i++)
			if ((int)strlen(r.cell[i]) > width[i])
				width[i] = (int)strlen(r.cell[i]);
	}
	row_print(out, col_names, width);
	TAILQ_FOREACH(v, &cd->vhids, entry) {
		row_fill(v, &r);
		for (int i = 0; i < NCOLS; i++)
			cells[i] = r.cell[i];
		row_print(out, cells, width);
	}
	status_drops_text(cd, out);
	status_peers_text(cd, out);
	status_groups_text(cd, out);
	status_balance_text(cd, out);
}

/* ---- status: JSON ---- */

static void
json_change(struct evbuffer *out, const struct vhid *v)
{
	char when[32];

	if (!render_time(&v->last_change, when, sizeof(when))) {
		evbuffer_add_printf(out, ",\"last_change\":null,"
		    "\"last_change_unix\":null,\"reason\":null");
		return;
	}
	evbuffer_add_printf(out, ",\"last_change\":\"%s\","
	    "\"last_change_unix\":%lld,\"reason\":\"%s\"", when,
	    (long long)v->last_change.tv_sec, fsm_reason_name(v->last_reason));
}

/* Each peer: address, family, MAC address (null while unresolved). */
static void
json_peers(struct evbuffer *out, const struct vhid *v)
{
	char a[INET6_ADDRSTRLEN], mac[18];

	evbuffer_add_printf(out, ",\"unicast_peers\":[");
	for (size_t i = 0; i < v->cfg.npeers; i++) {
		const struct vhid_peer	*p = &v->cfg.peers[i];
		bool			 ok = v->peer_resolved & (1u << i);

		evbuffer_add_printf(out, "%s{\"address\":\"%s\",\"family\":"
		    "\"%s\",\"resolved\":%s,\"mac\":", i > 0 ? "," : "",
		    vhid_peer_ntop(p, a, sizeof(a)),
		    p->family == AF_INET6 ? "inet6" : "inet",
		    ok ? "true" : "false");
		if (ok) {
			mac_fmt(v->peer_mac[i], mac, sizeof(mac));
			evbuffer_add_printf(out, "\"%s\"}", mac);
		} else
			evbuffer_add_printf(out, "null}");
	}
	evbuffer_add_printf(out, "],\"peer_routed\":%s",
	    v->cfg.peer_routed ? "true" : "false");
}

static void
json_vhid(struct evbuffer *out, const struct vhid *v)
{
	char master[INET6_ADDRSTRLEN];

	evbuffer_add_printf(out, "{\"vhid\":%u,\"interface\":", v->cfg.vhid);
	render_json_str(out, v->ifp->name);
	evbuffer_add_printf(out, ",\"state\":\"%s\",\"addresses\":[",
	    carp_state_name(v->fsm.state));
	for (size_t i = 0; i < v->cfg.nvips + v->cfg.nvips6; i++) {
		char a[INET6_ADDRSTRLEN];

		addr_text(v, i, a, sizeof(a));
		evbuffer_add_printf(out, "%s\"%s\"", i > 0 ? "," : "", a);
	}
	evbuffer_add_printf(out, "],\"advbase\":%u,\"advskew\":%u,\"master\":",
	    v->cfg.advbase, v->cfg.advskew);
	if (master_fmt(v, master, sizeof(master)))
		evbuffer_add_printf(out, "\"%s\"", master);
	else
		evbuffer_add_printf(out, "null");
	json_change(out, v);
	evbuffer_add_printf(out, ",\"transitions\":%llu,\"adverts_sent\":%llu,"
	    "\"adverts_received\":%llu,\"answers\":%llu,"
	    "\"answers_limited\":%llu,\"bad_packets\":",
	    (unsigned long long)v->stats.transitions,
	    (unsigned long long)v->stats.adverts_sent,
	    (unsigned long long)v->stats.adverts_rx,
	    (unsigned long long)v->stats.answers,
	    (unsigned long long)v->stats.answers_limited);
	render_json_drops(out, v->stats.drops);
	evbuffer_add_printf(out, ",\"preempt\":%s,\"demote\":%u,"
	    "\"advskew_sent\":%u,\"groups\":[", v->cfg.preempt ? "true" :
	    "false", v->fsm.demote, fsm_sent_advskew(&v->fsm));
	for (size_t i = 0; i < v->ndgroups; i++) {
		if (i > 0)
			evbuffer_add(out, ",", 1);
		render_json_str(out, v->dgroups[i]->name);
	}
	evbuffer_add_printf(out, "],\"sync_group\":");
	if (v->cfg.syncgroup[0] != '\0')
		render_json_str(out, v->cfg.syncgroup);
	else
		evbuffer_add_printf(out, "null");
	evbuffer_add_printf(out, ",\"source\":");
	if (v->cfg.src.s_addr != INADDR_ANY)
		render_json_addr(out, AF_INET, &v->cfg.src);
	else
		evbuffer_add_printf(out, "null");	/* none yet, or IPv6 only */
	evbuffer_add_printf(out, ",\"source6\":");
	if (!IN6_IS_ADDR_UNSPECIFIED(&v->cfg.src6))
		render_json_addr(out, AF_INET6, &v->cfg.src6);
	else
		evbuffer_add_printf(out, "null");
	if (status_waiting(v) != NULL)
		evbuffer_add_printf(out, ",\"waiting\":\"%s\"",
		    status_waiting(v));
	else
		evbuffer_add_printf(out, ",\"waiting\":null");
	json_peers(out, v);
	evbuffer_add(out, "}", 1);
}

static void
json_groups(const struct carpd *cd, struct evbuffer *out)
{
	const struct demote_group	*g;
	bool				 first = true;

	TAILQ_FOREACH(g, &cd->demotes, entry) {
		if (g->nvhids == 0 && demote_total(g) == 0)
			continue;
		evbuffer_add_printf(out, "%s{\"name\":", first ? "" : ",");
		first = false;
		render_json_str(out, g->name);
		evbuffer_add_printf(out, ",\"demotion\":%ld,\"vhids\":%u",
		    demote_total(g), g->nvhids);
		for (int i = 0; i < DEMOTE_SRC_MAX; i++)
			evbuffer_add_printf(out, ",\"%s\":%ld",
			    demote_src_name((enum demote_src)i), g->by[i]);
		evbuffer_add(out, "}", 1);
	}
}

/* {"interface":..,"addresses":[..],"nodes":[1,2,3],"master_of":[1]} */
static void
json_balance(struct evbuffer *out, const struct vhid *v)
{
	bool first = true;

	evbuffer_add_printf(out, "{\"interface\":");
	render_json_str(out, v->ifp->name);
	evbuffer_add_printf(out, ",\"addresses\":[");
	for (size_t i = 0; i < v->cfg.nvips; i++) {
		evbuffer_add_printf(out, "%s", i > 0 ? "," : "");
		render_json_addr(out, AF_INET, &v->cfg.vips[i]);
	}
	for (size_t i = 0; i < v->cfg.nvips6; i++) {
		evbuffer_add_printf(out, "%s", i + v->cfg.nvips > 0 ? "," : "");
		render_json_addr(out, AF_INET6, &v->cfg.vips6[i]);
	}
	evbuffer_add_printf(out, "],\"nodes\":[");
	for (size_t i = 0; i < v->cfg.nnodes; i++)
		evbuffer_add_printf(out, "%s%u", i > 0 ? "," : "",
		    v->cfg.nodes[i].vhid);
	evbuffer_add_printf(out, "],\"master_of\":[");
	for (size_t i = 0; i < v->cfg.nnodes; i++)
		if (bal_master(v, i)) {
			evbuffer_add_printf(out, "%s%u", first ? "" : ",",
			    v->cfg.nodes[i].vhid);
			first = false;
		}
	evbuffer_add_printf(out, "]}");
}

static void
json_arp(struct evbuffer *out, const struct iface *ifp)
{
	const struct balance_stats *st = &ifp->bal_stats;

	evbuffer_add_printf(out, ",\"arp_balancing\":{\"addresses\":%zu,"
	    "\"requests\":%llu,\"answered\":%llu,\"limited\":%llu,"
	    "\"others\":%llu,\"send_errors\":%llu}", ifp->nbal + ifp->nbal6,
	    (unsigned long long)st->requests, (unsigned long long)st->answered,
	    (unsigned long long)st->limited, (unsigned long long)st->others,
	    (unsigned long long)st->send_errors);
}

void
status_json(const struct carpd *cd, struct evbuffer *out)
{
	bool first = true;

	struct vhid	*v;
	struct iface	*ifp;

	evbuffer_add_printf(out, "{\"version\":");
	render_json_str(out, PACKAGE_VERSION);
	evbuffer_add_printf(out, ",\"pid\":%ld,\"vhids\":[", (long)cd->main_pid);
	TAILQ_FOREACH(v, &cd->vhids, entry) {
		if (v != TAILQ_FIRST(&cd->vhids))
			evbuffer_add(out, ",", 1);
		json_vhid(out, v);
	}
	evbuffer_add_printf(out, "],\"interfaces\":[");
	TAILQ_FOREACH(ifp, &cd->ifaces, entry) {
		if (ifp != TAILQ_FIRST(&cd->ifaces))
			evbuffer_add(out, ",", 1);
		evbuffer_add_printf(out, "{\"name\":");
		render_json_str(out, ifp->name);
		evbuffer_add_printf(out, ",\"bad_packets\":");
		render_json_drops(out, ifp->drops);
		json_arp(out, ifp);
		evbuffer_add_printf(out, ",\"kernel_filtered\":%llu}",
		    (unsigned long long)ifp->kernel_filtered);
	}
	evbuffer_add_printf(out, "],\"groups\":[");
	json_groups(cd, out);
	evbuffer_add_printf(out, "],\"balanced\":[");
	TAILQ_FOREACH(v, &cd->vhids, entry)
		if (bal_first(v)) {
			evbuffer_add_printf(out, "%s", first ? "" : ",");
			json_balance(out, v);
			first = false;
		}
	evbuffer_add_printf(out, "]}\n");
}
