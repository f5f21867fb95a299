/*
 * metrics.c: the Prometheus text format of `carpctl metrics`
 * (metrics.h).  Each family is written whole, its HELP and TYPE lines
 * first, then one sample per vhid (and label value); a family without
 * samples still has its HELP and TYPE.  No I/O and no state: control.c
 * sends the buffer, tests/unit/test_metrics.c reads it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <event2/buffer.h>

#include "carpd.h"
#include "metrics.h"
#include "render.h"
#include "status.h"

/* A label value: '\', '"' and line ends escaped, bad UTF-8 as U+FFFD. */
static void
label_value(struct evbuffer *out, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n;

	for (; *s != '\0'; s += n) {
		n = 1;
		if (*s == '\\' || *s == '"')
			evbuffer_add_printf(out, "\\%c", *s);
		else if (*s == '\n')
			evbuffer_add(out, "\\n", 2);
		else if (*s < 0x20 || *s == 0x7f)
			evbuffer_add(out, "?", 1);
		else if ((n = render_utf8_len(s)) > 0)
			evbuffer_add(out, s, n);
		else {
			evbuffer_add(out, "\xef\xbf\xbd", 3);
			n = 1;
		}
	}
}

static void
family(struct evbuffer *out, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(out, "# HELP carpd_%s %s\n# TYPE carpd_%s %s\n",
	    name, help, name, type);
}

/* `carpd_NAME{vhid="1",interface="eth0"` and, if given, `,KEY="VALUE"`. */
static void
vhid_sample(struct evbuffer *out, const char *name, const struct vhid *v,
    const char *key, const char *value)
{
	evbuffer_add_printf(out, "carpd_%s{vhid=\"%u\",interface=\"", name,
	    v->cfg.vhid);
	label_value(out, v->ifp->name);
	if (key != NULL) {
		evbuffer_add_printf(out, "\",%s=\"", key);
		label_value(out, value);
	}
	evbuffer_add(out, "\"}", 2);
}

/* ---- one number per vhid ---- */

struct vhid_metric {
	const char	*name;
	const char	*type;
	const char	*help;
	uint64_t	(*get)(const struct vhid *);
};

static uint64_t
get_sent(const struct vhid *v)
{
	return v->stats.adverts_sent;
}

static uint64_t
get_rx(const struct vhid *v)
{
	return v->stats.adverts_rx;
}

static uint64_t
get_demote(const struct vhid *v)
{
	return v->fsm.demote;
}

static uint64_t
get_skew_sent(const struct vhid *v)
{
	return fsm_sent_advskew(&v->fsm);
}

static uint64_t
get_advbase(const struct vhid *v)
{
	return v->cfg.advbase;
}

static uint64_t
get_advskew(const struct vhid *v)
{
	return v->cfg.advskew;
}

static uint64_t
get_answers(const struct vhid *v)
{
	return v->stats.answers;
}

static uint64_t
get_answers_limited(const struct vhid *v)
{
	return v->stats.answers_limited;
}

static uint64_t
get_unresolved(const struct vhid *v)
{
	return v->stats.peer_unresolved;
}

static uint64_t
get_senders(const struct vhid *v)
{
	return v->senders.n;
}

static uint64_t
get_evictions(const struct vhid *v)
{
	return v->senders.evictions;
}

static uint64_t
get_waiting(const struct vhid *v)
{
	return status_waiting(v) != NULL;
}

static const struct vhid_metric vhid_metrics[] = {
	{ "vhid_adverts_sent_total", "counter",
	    "Adverts sent (one per interval, whatever the number of peers).",
	    get_sent },
	{ "vhid_adverts_received_total", "counter",
	    "Adverts received that passed every check.", get_rx },
	{ "vhid_demote", "gauge",
	    "The demote byte the vhid sends: the sum over its groups, "
	    "at most 255.", get_demote },
	{ "vhid_advskew_sent", "gauge",
	    "The advskew the vhid sends, raised while demoted.",
	    get_skew_sent },
	{ "vhid_advbase", "gauge", "The advbase configured, in seconds.",
	    get_advbase },
	{ "vhid_advskew", "gauge", "The advskew configured.", get_advskew },
	{ "vhid_answers_total", "counter",
	    "Adverts sent at once to a less preferred master.", get_answers },
	{ "vhid_answers_limited_total", "counter",
	    "Answers to a less preferred master not sent: over the rate.",
	    get_answers_limited },
	{ "vhid_peer_unresolved_total", "counter",
	    "Adverts a unicast peer missed: no MAC address for it yet.",
	    get_unresolved },
	{ "vhid_senders", "gauge",
	    "CARP senders in the vhid's table (carpctl peers).", get_senders },
	{ "vhid_sender_evictions_total", "counter",
	    "Senders evicted from the full table to make room for a new one.",
	    get_evictions },
	{ "vhid_waiting", "gauge",
	    "1 while the vhid waits in INIT for its interface, else 0.",
	    get_waiting },
};

static void
vhid_numbers(const struct carpd *cd, struct evbuffer *out,
    const struct vhid_metric *m)
{
	const struct vhid *v;

	family(out, m->name, m->type, m->help);
	TAILQ_FOREACH(v, &cd->vhids, entry) {
		vhid_sample(out, m->name, v, NULL, NULL);
		evbuffer_add_printf(out, " %llu\n",
		    (unsigned long long)m->get(v));
	}
}

/* ---- by label ---- */

static void
vhid_state(const struct carpd *cd, struct evbuffer *out)
{
	static const char	*const names[CARP_STATE_MAX] = {
		[CARP_INIT] = "init", [CARP_BACKUP] = "backup",
		[CARP_MASTER] = "master",
	};
	const struct vhid	*v;

	family(out, "vhid_state", "gauge",
	    "1 for the state the vhid is in, 0 for the others.");
	TAILQ_FOREACH(v, &cd->vhids, entry)
		for (int s = 0; s < CARP_STATE_MAX; s++) {
			vhid_sample(out, "vhid_state", v, "state", names[s]);
			evbuffer_add_printf(out, " %d\n",
			    v->fsm.state == (enum carp_state)s);
		}
}

/* Every reason the state machine gives; FSM_R_CHILD_STOPPED is not one. */
static void
vhid_transitions(const struct carpd *cd, struct evbuffer *out)
{
	const struct vhid *v;

	family(out, "vhid_transitions_total", "counter",
	    "State changes, by reason (the tokens of carpd(8)).");
	TAILQ_FOREACH(v, &cd->vhids, entry)
		for (int r = FSM_R_NONE + 1; r < FSM_R_CHILD_STOPPED; r++) {
			vhid_sample(out, "vhid_transitions_total", v, "reason",
			    fsm_reason_name((enum fsm_reason)r));
			evbuffer_add_printf(out, " %llu\n", (unsigned long long)
			    v->stats.transitions_by[r]);
		}
}

static void
vhid_last_change(const struct carpd *cd, struct evbuffer *out)
{
	const struct vhid *v;

	family(out, "vhid_last_transition_timestamp_seconds", "gauge",
	    "When the vhid last changed state (Unix time); absent before.");
	TAILQ_FOREACH(v, &cd->vhids, entry) {
		if (v->last_change.tv_sec == 0)
			continue;
		vhid_sample(out, "vhid_last_transition_timestamp_seconds", v,
		    NULL, NULL);
		evbuffer_add_printf(out, " %lld.%03ld\n",
		    (long long)v->last_change.tv_sec,
		    v->last_change.tv_nsec / 1000000);
	}
}

static void
vhid_drops(const struct carpd *cd, struct evbuffer *out)
{
	const struct vhid *v;

	family(out, "vhid_drops_total", "counter",
	    "Frames for the vhid dropped, by reason.");
	TAILQ_FOREACH(v, &cd->vhids, entry)
		for (int i = CARP_RX_OK + 1; i < CARP_DROP_MAX; i++) {
			vhid_sample(out, "vhid_drops_total", v, "reason",
			    carp_drop_name((enum carp_drop)i));
			evbuffer_add_printf(out, " %llu\n",
			    (unsigned long long)v->stats.drops[i]);
		}
}

static void
iface_drops(const struct carpd *cd, struct evbuffer *out)
{
	const struct iface *ifp;

	family(out, "interface_drops_total", "counter",
	    "Frames dropped before a vhid was known, by reason.");
	TAILQ_FOREACH(ifp, &cd->ifaces, entry)
		for (int i = CARP_RX_OK + 1; i < CARP_DROP_MAX; i++) {
			evbuffer_add_printf(out,
			    "carpd_interface_drops_total{interface=\"");
			label_value(out, ifp->name);
			evbuffer_add_printf(out, "\",reason=\"%s\"} %llu\n",
			    carp_drop_name((enum carp_drop)i),
			    (unsigned long long)ifp->drops[i]);
		}
}

static void
iface_kernel_filtered(const struct carpd *cd, struct evbuffer *out)
{
	const struct iface *ifp;

	family(out, "interface_kernel_filtered_total", "counter",
	    "CARP frames the kernel's capture filter refused.");
	TAILQ_FOREACH(ifp, &cd->ifaces, entry) {
		evbuffer_add_printf(out,
		    "carpd_interface_kernel_filtered_total{interface=\"");
		label_value(out, ifp->name);
		evbuffer_add_printf(out, "\"} %llu\n",
		    (unsigned long long)ifp->kernel_filtered);
	}
}

/* ---- demotion groups: those status shows ---- */

static bool
group_shown(const struct demote_group *g)
{
	return g->nvhids > 0 || demote_total(g) != 0;
}

static void
group_sample(struct evbuffer *out, const char *name,
    const struct demote_group *g)
{
	evbuffer_add_printf(out, "carpd_%s{group=\"", name);
	label_value(out, g->name);
	evbuffer_add(out, "\"", 1);
}

static void
groups(const struct carpd *cd, struct evbuffer *out)
{
	const struct demote_group *g;

	family(out, "group_demotion", "gauge",
	    "A demotion group's counter: the sum of its sources.");
	TAILQ_FOREACH(g, &cd->demotes, entry)
		if (group_shown(g)) {
			group_sample(out, "group_demotion", g);
			evbuffer_add_printf(out, "} %ld\n", demote_total(g));
		}
	family(out, "group_demotion_by_source", "gauge",
	    "A demotion group's counter, by what demotes it.");
	TAILQ_FOREACH(g, &cd->demotes, entry)
		for (int i = 0; group_shown(g) && i < DEMOTE_SRC_MAX; i++) {
			group_sample(out, "group_demotion_by_source", g);
			evbuffer_add_printf(out, ",source=\"%s\"} %ld\n",
			    demote_src_name((enum demote_src)i), g->by[i]);
		}
	family(out, "group_vhids", "gauge", "The vhids in a demotion group.");
	TAILQ_FOREACH(g, &cd->demotes, entry)
		if (group_shown(g)) {
			group_sample(out, "group_vhids", g);
			evbuffer_add_printf(out, "} %u\n", g->nvhids);
		}
}

/* ---- the process ---- */

static void
process(const struct carpd *cd, struct evbuffer *out)
{
	family(out, "info", "gauge", "carpd's version, as a label; always 1.");
	evbuffer_add_printf(out, "carpd_info{version=\"");
	label_value(out, PACKAGE_VERSION);
	evbuffer_add_printf(out, "\"} 1\n");
	family(out, "start_time_seconds", "gauge",
	    "When carpd started (Unix time).");
	evbuffer_add_printf(out, "carpd_start_time_seconds %lld.%03ld\n",
	    (long long)cd->start_time.tv_sec, cd->start_time.tv_nsec / 1000000);
	family(out, "reloads_total", "counter",
	    "Configurations applied since the start (SIGHUP).");
	evbuffer_add_printf(out, "carpd_reloads_total %llu\n",
	    (unsigned long long)cd->reloads);
}

void
metrics_render(const struct carpd *cd, struct evbuffer *out)
{
	process(cd, out);
	vhid_state(cd, out);
	vhid_transitions(cd, out);
	vhid_last_change(cd, out);
	for (size_t i = 0; i < sizeof(vhid_metrics) / sizeof(vhid_metrics[0]);
	    i++)
		vhid_numbers(cd, out, &vhid_metrics[i]);
	vhid_drops(cd, out);
	iface_drops(cd, out);
	iface_kernel_filtered(cd, out);
	groups(cd, out);
}
