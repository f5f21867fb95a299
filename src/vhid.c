/*
 * vhid.c: glue between the pure state machine and the world.  Timers,
 * received adverts and operator commands become fsm events; the
 * returned actions are carried out here, packets first, scripts last.
 */
#include "config.h"

#include <sys/random.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <event2/event.h>

#include "carpd.h"
#include "neigh.h"
#include "net.h"
#include "status.h"
#include "vhid.h"
#include "vhid_config.h"
#include "vhid_priv.h"
#include "vmac.h"

#define VHID_ANSWER_BURST	3
#define VHID_ANSWER_MS		100	/* 10 answers a second after it */
#define VHID_PHASES_LOG2	6	/* up to 64 phases of the advert interval */
#define VHID_PHASE_VHIDS	64	/* vhids to a phase, about */


long long
vhid_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct timeval
vhid_us_to_tv(uint64_t us)
{
	struct timeval tv = { (time_t)(us / 1000000), (suseconds_t)(us % 1000000) };

	return tv;
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * Adverts on time at scale (doc/protocol.md, "Timers"): the vhids are
 * spread over phases of their advert interval, about VHID_PHASE_VHIDS
 * to a phase and at most 2^VHID_PHASES_LOG2 phases, so that thousands
 * of them do not all send in the same instant (the last of such a burst
 * leaves milliseconds late); the vhids of one phase share a wakeup (a
 * wakeup costs more than a few adverts).  The first deadline after
 * `now` at the phase: at most one interval away, never later than an
 * advert every interval.
 */
static unsigned
advert_phases_log2(const struct carpd *cd)
{
	unsigned l = 0;

	while (l < VHID_PHASES_LOG2 && (uint32_t)VHID_PHASE_VHIDS << l < cd->nvhids)
		l++;
	return l;
}

static uint64_t
advert_phase_due(const struct vhid *v, uint64_t now, uint64_t iv)
{
	unsigned l = advert_phases_log2(v->cd);
	uint64_t slot = l == 0 ? 0 : v->phase >> (32 - l);
	/*
	 * And 0 to 255 us into it, by the next bits: one instant each, so
	 * that the vhids of a phase go out in the same order every time
	 * (with one deadline, the timer heap's order would change from one
	 * interval to the next, and so would each vhid's place in the
	 * burst); still one wakeup, as sending takes longer than the gaps.
	 */
	uint64_t off = (slot * iv >> l) + ((uint32_t)(v->phase << l) >> 24);
	uint64_t due = now - now % iv + off;

	while (due <= now)
		due += iv;
	return due;
}

/* Arm the advert timer for v->advert_due, from the time it is now. */
static void
advert_arm(struct vhid *v)
{
	struct timeval	tv;
	uint64_t	now;

	event_base_update_cache_time(v->cd->base);	/* evtimer_add's now */
	now = now_us();
	tv = vhid_us_to_tv(v->advert_due > now ? v->advert_due - now : 0);
	evtimer_add(v->advert_ev, &tv);
}

static void
advert_start(struct vhid *v)
{
	v->advert_due = advert_phase_due(v, now_us(), fsm_cur_advert_us(&v->fsm));
	advert_arm(v);
}

/*
 * The next deadline is the last one plus the interval, not now plus the
 * interval: lateness does not add up.  More than an interval late (the
 * process was stopped), it goes back to its phase.
 */
static void
on_advert_timer(evutil_socket_t fd, short ev, void *arg)
{
	struct vhid	*v = arg;
	uint64_t	 iv = fsm_cur_advert_us(&v->fsm), now = now_us();

	v->advert_due += iv;
	if (v->advert_due <= now)
		v->advert_due = advert_phase_due(v, now, iv);
	advert_arm(v);
	vhid_event(v, FSM_EV_ADVERT_TIMER);
}

static void	on_preempt_timer(evutil_socket_t, short, void *);
static void	join_groups(struct vhid *);
static void	leave_groups(struct vhid *);

static void
on_down_timer(evutil_socket_t fd, short ev, void *arg)
{
	vhid_event(arg, FSM_EV_DOWN_TIMER);
}

/* ---- demotion (demote.h, doc/protocol.md "Demotion") ---- */

static void
on_demote_sync(evutil_socket_t fd, short ev, void *arg)
{
	vhid_demote_sync_all(arg);
}

/*
 * A group's counter changed: every vhid in it sends its new byte, from
 * the event loop rather than from inside the caller (which may be in
 * the middle of carrying out another vhid's actions).
 */
void
vhid_demote_changed(struct carpd *cd)
{
	if (cd->demote_ev == NULL &&
	    (cd->demote_ev = event_new(cd->base, -1, 0, on_demote_sync,
	    cd)) == NULL)
		fatalx("event_new failed");
	event_active(cd->demote_ev, EV_TIMEOUT, 0);
}

void
vhid_demote_sync_all(struct carpd *cd)
{
	struct fsm_input	 in = { .ev = FSM_EV_DEMOTE };
	struct fsm_output	 out;
	struct vhid		*v;

	/* Only packets and timers follow: no vhid goes away meanwhile. */
	TAILQ_FOREACH(v, &cd->vhids, entry) {
		in.demote = demote_byte(v->dgroups, v->ndgroups);
		if (in.demote == v->fsm.demote)
			continue;
		log_info("vhid %u on %s: demotion now %u (was %u)",
		    v->cfg.vhid, v->ifp->name, in.demote, v->fsm.demote);
		fsm_step(&v->fsm, &in, &out);
		vhid_apply(v, &out);
	}
}

static void
add_group(struct vhid *v, const char *name)
{
	struct demote_group *g = demote_get(&v->cd->demotes, name);

	for (size_t i = 0; i < v->ndgroups; i++)
		if (v->dgroups[i] == g)
			return;
	g->nvhids++;
	v->dgroups[v->ndgroups++] = g;
}

/* Its interface's group, "carp" (as OpenBSD), then those it was given. */
static void
join_groups(struct vhid *v)
{
	add_group(v, v->cfg.ifname);
	add_group(v, DEMOTE_ALL);
	for (size_t i = 0; i < v->cfg.ngroups; i++)
		add_group(v, v->cfg.groups[i]);
}

/* What the vhid adds to each of its groups, one source at a time. */
static void
demote_groups(struct vhid *v, enum demote_src src, bool *flag, bool on)
{
	if (*flag == on)
		return;
	*flag = on;
	for (size_t i = 0; i < v->ndgroups; i++)
		demote_add(v->dgroups[i], src, on ? 1 : -1);
	vhid_demote_changed(v->cd);
}

static void
leave_groups(struct vhid *v)
{
	demote_groups(v, DEMOTE_LINK, &v->link_demoted, false);
	demote_groups(v, DEMOTE_SENDERR, &v->senderr_demoted, false);
	for (size_t i = 0; i < v->ndgroups; i++)
		v->dgroups[i]->nvhids--;
	v->ndgroups = 0;
}

/*
 * Link loss demotes the vhid's groups by 1 (OpenBSD), so that the other
 * vhids of a group hand over too; a vhid that ignores the interface
 * state never does.  Nor does one that has never started: an interface
 * that is not there yet (a VLAN made later) must not hold every other
 * vhid of the process back; it waits, shown in the status, and
 * startup-demote covers a firewall's boot.
 */
static void
link_demote_check(struct vhid *v)
{
	bool down = !v->cfg.ignoreifstate && !v->cd->exiting && v->started &&
	    (!v->ifp->present || !v->ifp->link_up);

	if (down != v->link_demoted)
		log_warnx("vhid %u on %s: %s", v->cfg.vhid, v->ifp->name,
		    down ? "no link: demoting its groups by 1" :
		    "link back: its groups' link demotion lifted");
	demote_groups(v, DEMOTE_LINK, &v->link_demoted, down);
}

/*
 * DEMOTE_SENDERR_MAX advert send errors in a row demote the vhid's
 * groups by 1; DEMOTE_SENDOK_MIN good sends in a row lift it (OpenBSD).
 */
void
vhid_senderr_count(struct vhid *v, bool ok)
{
	if (!ok) {
		v->sendoks = 0;
		if (++v->senderrs < DEMOTE_SENDERR_MAX || v->senderr_demoted)
			return;
		log_warnx("vhid %u on %s: %u advert send errors in a row: "
		    "demoting its groups by 1", v->cfg.vhid, v->ifp->name,
		    v->senderrs);
		demote_groups(v, DEMOTE_SENDERR, &v->senderr_demoted, true);
		return;
	}
	v->senderrs = 0;
	if (!v->senderr_demoted || ++v->sendoks < DEMOTE_SENDOK_MIN)
		return;
	log_info("vhid %u on %s: adverts go out again: send-error demotion "
	    "lifted", v->cfg.vhid, v->ifp->name);
	demote_groups(v, DEMOTE_SENDERR, &v->senderr_demoted, false);
}

/*
 * The interface changed and has its link: its send errors are history.
 * Without this a vhid that went BACKUP, and so sends nothing, would stay
 * demoted for ever; if sending still fails, 3 errors demote it again.
 */
static void
senderr_forget(struct vhid *v)
{
	if (!v->senderr_demoted || !v->ifp->present || !v->ifp->link_up)
		return;
	log_info("vhid %u on %s: link up: send-error demotion lifted",
	    v->cfg.vhid, v->ifp->name);
	v->senderrs = v->sendoks = 0;
	demote_groups(v, DEMOTE_SENDERR, &v->senderr_demoted, false);
}

/* keepalived's preempt_delay: no preempt for a while after the start. */
static void
on_preempt_timer(evutil_socket_t fd, short ev, void *arg)
{
	struct vhid *v = arg;

	fsm_hold_preempt(&v->fsm, false);
	log_info("vhid %u on %s: preempt delay over", v->cfg.vhid,
	    v->ifp->name);
}

static void
preempt_delay_start(struct vhid *v)
{
	struct timeval tv = { (time_t)v->cfg.preempt_delay_s, 0 };

	if (v->cfg.preempt_delay_s == 0 || !v->cfg.preempt)
		return;
	fsm_hold_preempt(&v->fsm, true);
	evtimer_add(v->preempt_ev, &tv);
}

/*
 * The address the tie-break between masters compares (doc/protocol.md,
 * Tie-break): the IPv4 source when the vhid has IPv4 addresses (ucarp's
 * rule), else the last four bytes of the IPv6 source, read the same way.
 */
struct in_addr
vhid_tie6(const struct in6_addr *a)
{
	struct in_addr k;

	memcpy(&k.s_addr, a->s6_addr + 12, 4);
	return k;
}

static struct in_addr
tie_self(const struct vhid *v)
{
	return v->cfg.nvips > 0 ? v->cfg.src : vhid_tie6(&v->cfg.src6);
}

/*
 * A vhid whose interface is missing or down is made all the same: it
 * waits in INIT until vhid_try_start_all() finds the interface usable.  An
 * interface that is there but cannot be used is an error.
 */
struct vhid *
vhid_new(struct carpd *cd, const struct vhid_config *cfg, char *err,
    size_t errlen)
{
	struct fsm_config	 fc;
	struct iface		*ifp;
	struct vhid		*v;

	if ((ifp = net_iface_get(cd, cfg->ifname, err, errlen)) == NULL)
		return NULL;
	if (ifp->absent == CARPD_WAIT_IF_UNUSABLE) {
		snprintf(err, errlen, "%s", ifp->err);
		return NULL;
	}
	if (ifp->by_vhid[cfg->vhid] != NULL) {
		snprintf(err, errlen, "vhid %u is already configured on %s",
		    cfg->vhid, cfg->ifname);
		return NULL;
	}
	if (ifp->present && cfg->nvips > 0 && vhid_config_joins(cfg) &&
	    net_join(ifp, cfg->group) == -1) {
		snprintf(err, errlen, "cannot join group %s on %s: %s",
		    inet_ntoa(cfg->group), ifp->name, strerror(errno));
		return NULL;
	}
	if (cfg->npeers > 0 && cd->neigh == NULL &&
	    (cd->neigh = neigh_new(cd->base)) == NULL) {
		snprintf(err, errlen, "cannot read the kernel's neighbour "
		    "table for the peers");
		return NULL;
	}
	if (ifp->present && cfg->nvips6 > 0 && cfg->npeers == 0 &&
	    net_join6(ifp, &cfg->group6) == -1) {
		char a[INET6_ADDRSTRLEN];

		snprintf(err, errlen, "cannot join group %s on %s: %s",
		    inet_ntop(AF_INET6, &cfg->group6, a, sizeof(a)), ifp->name,
		    strerror(errno));
		return NULL;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL)
		fatal("calloc");
	vhid_config_copy(&v->cfg, cfg);
	v->mixed_rl.burst = 1;
	v->mixed_rl.period_ms = 60 * 1000;
	v->cd = cd;
	v->ifp = ifp;
	v->src_from_iface = v->cfg.src.s_addr == INADDR_ANY;
	v->sorted_vips = calloc(cfg->nvips + 1, sizeof(*v->sorted_vips));
	v->sorted_vips6 = calloc(cfg->nvips6 + 1, sizeof(*v->sorted_vips6));
	if (v->sorted_vips == NULL || v->sorted_vips6 == NULL)
		fatal("calloc");
	memcpy(v->sorted_vips, cfg->vips, cfg->nvips * sizeof(cfg->vips[0]));
	v->nsorted = carp_sort_vips(v->sorted_vips, cfg->nvips);
	v->src6_from_iface = IN6_IS_ADDR_UNSPECIFIED(&v->cfg.src6);
	memcpy(v->sorted_vips6, cfg->vips6, cfg->nvips6 * sizeof(cfg->vips6[0]));
	v->nsorted6 = carp_sort_vips6(v->sorted_vips6, cfg->nvips6);

	memset(&fc, 0, sizeof(fc));
	fc.advbase = cfg->advbase;
	fc.advskew = cfg->advskew;
	fc.deadratio = cfg->deadratio;
	fc.preempt = cfg->preempt;
	fc.neutral = cfg->neutral;
	fc.shutdown_script = cfg->shutdown_script;
	fc.self = tie_self(v);	/* from the interface: set at the start */
	fc.downfmt = cfg->downfmt;
	fc.demote_skew = cfg->demote_skew;
	fsm_init(&v->fsm, &fc);
	join_groups(v);

	/* Golden-ratio steps: any number of vhids spread evenly. */
	v->phase = cd->nphases++ * 2654435769u;
	v->advert_ev = evtimer_new(cd->base, on_advert_timer, v);
	v->down_ev = evtimer_new(cd->base, on_down_timer, v);
	v->garp_ev = evtimer_new(cd->base, vhid_on_garp_timer, v);
	v->preempt_ev = evtimer_new(cd->base, on_preempt_timer, v);
	if (v->advert_ev == NULL || v->down_ev == NULL || v->garp_ev == NULL ||
	    v->preempt_ev == NULL)
		fatalx("event_new failed");
	if (getrandom(&v->counter, sizeof(v->counter), 0) != sizeof(v->counter))
		v->counter = (uint64_t)vhid_now_ms() * 2654435761u;
	v->scripts = script_queue_new(&cd->runner);
	v->gen = cd->gen;
	v->answer_rl.burst = VHID_ANSWER_BURST;
	v->answer_rl.period_ms = VHID_ANSWER_MS;
	ifp->by_vhid[cfg->vhid] = v;
	TAILQ_INSERT_TAIL(&cd->vhids, v, entry);
	cd->nvhids++;
	net_iface_vhids_changed(ifp);
	return v;
}

/* Does another vhid on the interface still need the group? */
static bool
group_in_use(const struct iface *ifp, struct in_addr group)
{
	for (int i = 0; i < CARPD_VHID_SLOTS; i++) {
		const struct vhid *o = ifp->by_vhid[i];

		if (o != NULL && vhid_config_joins(&o->cfg) && o->cfg.nvips > 0 &&
		    o->cfg.group.s_addr == group.s_addr)
			return true;
	}
	return false;
}

static bool
group6_in_use(const struct iface *ifp, const struct in6_addr *group)
{
	for (int i = 0; i < CARPD_VHID_SLOTS; i++) {
		const struct vhid *o = ifp->by_vhid[i];

		if (o != NULL && o->cfg.nvips6 > 0 &&
		    memcmp(&o->cfg.group6, group, sizeof(*group)) == 0)
			return true;
	}
	return false;
}

void
vhid_free(struct vhid *v)
{
	if (v->ifp != NULL && v->ifp->by_vhid[v->cfg.vhid] == v) {
		v->ifp->by_vhid[v->cfg.vhid] = NULL;
		TAILQ_REMOVE(&v->cd->vhids, v, entry);
		v->cd->nvhids--;
		net_iface_vhids_changed(v->ifp);
		if (v->cfg.nvips > 0 && vhid_config_joins(&v->cfg) &&
		    !group_in_use(v->ifp, v->cfg.group))
			net_leave(v->ifp, v->cfg.group);
		if (v->cfg.nvips6 > 0 &&
		    !group6_in_use(v->ifp, &v->cfg.group6))
			net_leave6(v->ifp, &v->cfg.group6);
	}
	free(v->sorted_vips);
	free(v->sorted_vips6);
	senders_free(&v->senders);
	if (v->advert_ev != NULL)
		event_free(v->advert_ev);
	if (v->down_ev != NULL)
		event_free(v->down_ev);
	if (v->garp_ev != NULL)
		event_free(v->garp_ev);
	if (v->preempt_ev != NULL)
		event_free(v->preempt_ev);
	leave_groups(v);
	script_queue_release(v->scripts);
	vhid_config_clear(&v->cfg);
	free(v);
}

/* ---- waiting for the interface ---- */

/*
 * The interface's addresses (read by the caller into ifp->addr and
 * addr6), for a vhid that takes its source from it: one of each family
 * it has addresses of.
 */
static int
take_source(struct vhid *v)
{
	struct in_addr	a = v->ifp->addr;
	struct in6_addr	a6 = v->ifp->addr6;

	if (v->cfg.nvips > 0 && v->src_from_iface) {
		if (a.s_addr == INADDR_ANY) {
			/* Peers send to our own address: there must be one. */
			if (v->cfg.npeers > 0)
				return -1;
			/*
			 * carpdev: the first virtual address, which only the
			 * master holds (doc/protocol.md, "No address on the
			 * interface").
			 */
			a = v->cfg.vips[0];
			v->carpdev = true;
		} else
			v->carpdev = false;
		v->cfg.src = a;
	}
	if (v->cfg.nvips6 > 0 && v->src6_from_iface) {
		/* IPv6 peers list our global address, unless link-local. */
		if (vhid_config_npeers(&v->cfg, AF_INET6) > 0 &&
		    !vhid_config_peers_ll(&v->cfg))
			a6 = v->ifp->addr6g;
		if (IN6_IS_ADDR_UNSPECIFIED(&a6))
			return -1;
		v->cfg.src6 = a6;
	}
	v->fsm.cfg.self = tie_self(v);	/* the tie-break between masters */
	memcpy(v->fsm.cfg.self_mac, v->ifp->mac, 6);	/* ... and after */
	if (v->fsm.state == CARP_MASTER) {
		v->master = v->cfg.src;
		v->master6 = v->cfg.src6;
		v->master_is6 = v->cfg.nvips == 0;
	}
	return 0;
}

/* "192.0.2.1", "fe80::1" or "192.0.2.1 fe80::1": the vhid's sources. */
const char *
vhid_sources(const struct vhid *v, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN] = "", b[INET6_ADDRSTRLEN] = "";

	if (v->cfg.nvips > 0)
		inet_ntop(AF_INET, &v->cfg.src, a, sizeof(a));
	if (v->cfg.nvips6 > 0)
		inet_ntop(AF_INET6, &v->cfg.src6, b, sizeof(b));
	snprintf(buf, len, "%s%s%s", a, a[0] && b[0] ? " " : "", b);
	return buf;
}

static void
log_wait(struct vhid *v, enum carpd_wait why)
{
	if (why == v->wait)
		return;		/* said already */
	v->wait = why;
	if (why == CARPD_WAIT_NO_ADDR)
		if (v->cfg.nvips6 > 0 && v->src6_from_iface &&
		    IN6_IS_ADDR_UNSPECIFIED(&v->cfg.src6) &&
		    vhid_config_npeers(&v->cfg, AF_INET6) > 0 &&
		    !vhid_config_peers_ll(&v->cfg))
			log_warnx("%s: no IPv6 address but link-local ones; "
			    "vhid %u has IPv6 peers, which send to this host's "
			    "own address: it waits for one (or give it a source "
			    "address)", v->ifp->name, v->cfg.vhid);
		else if (v->cfg.nvips6 > 0 &&
		    IN6_IS_ADDR_UNSPECIFIED(&v->ifp->addr6))
			log_warnx("%s: no IPv6 address to send adverts from; "
			    "vhid %u waits for one (or give it a source address)",
			    v->ifp->name, v->cfg.vhid);
		else
			log_warnx("%s: no IPv4 address; vhid %u has peers, "
			    "which send to this host's own address: it waits "
			    "for one (or give it a source address)",
			    v->ifp->name, v->cfg.vhid);
	else if (why == CARPD_WAIT_NO_CARRIER)
		log_warnx("%s: no carrier; vhid %u waits for it", v->ifp->name,
		    v->cfg.vhid);
	else
		log_warnx("%s: %s; vhid %u waits for it", v->ifp->name,
		    v->ifp->err, v->cfg.vhid);
}

/*
 * Peer `i`'s MAC address from the kernel's table (neigh.c), kept for
 * the status; -1 while it is not resolved (the kernel is asked to).
 */
int
vhid_peer_lookup(struct vhid *v, size_t i, uint8_t mac[6])
{
	const struct vhid_peer	*p = &v->cfg.peers[i];
	uint32_t		 bit = 1u << i;

	if (v->cd->neigh == NULL || neigh_lookup(v->cd->neigh,
	    v->ifp->ifindex, p->family, &p->addr, mac) == -1) {
		v->peer_resolved &= ~bit;
		return -1;
	}
	memcpy(v->peer_mac[i], mac, 6);
	v->peer_resolved |= bit;
	return 0;
}

/* Ask for the peers' MAC addresses now: a master needs them soon. */
static void
resolve_peers(struct vhid *v)
{
	uint8_t mac[6];

	for (size_t i = 0; i < v->cfg.npeers; i++)
		(void)vhid_peer_lookup(v, i, mac);
}

void
vhid_peers_refresh(struct carpd *cd)
{
	struct vhid *v;

	TAILQ_FOREACH(v, &cd->vhids, entry)
		if (v->started && v->ifp->present)
			resolve_peers(v);
}

/*
 * Start the vhid (INIT -> BACKUP) once its interface is open, has its
 * carrier (unless ignoreifstate) and it has a source address; until
 * then, say once why it waits.
 */
static void
try_start(struct vhid *v)
{
	enum carpd_wait	why = CARPD_WAIT_NONE;
	char		srcs[INET_ADDRSTRLEN + INET6_ADDRSTRLEN];

	if (v->started || v->cd->exiting)
		return;
	link_demote_check(v);
	if (!v->ifp->present)
		why = v->ifp->absent;
	else if (!v->ifp->link_up && !v->cfg.ignoreifstate)
		why = CARPD_WAIT_NO_CARRIER;
	else if (take_source(v) == -1)
		why = CARPD_WAIT_NO_ADDR;
	if (why != CARPD_WAIT_NONE) {
		log_wait(v, why);
		return;
	}
	v->wait = CARPD_WAIT_NONE;
	v->started = true;
	log_info("vhid %u on %s: source %s%s, advbase %u advskew %u, %s%s",
	    v->cfg.vhid, v->ifp->name, vhid_sources(v, srcs, sizeof(srcs)),
	    v->carpdev ? " (virtual: the interface has no IPv4 address)" : "",
	    v->cfg.advbase, v->cfg.advskew,
	    v->cfg.preempt ? "preempt" : "no preempt",
	    v->cfg.npeers > 0 ? ", unicast to its peers" : "");
	resolve_peers(v);
	preempt_delay_start(v);
	vhid_event(v, FSM_EV_START);
}

/*
 * At start and reload, once every vhid exists (so that all virtual
 * addresses are known as such): each interface's addresses are read
 * once, not once per vhid (a dump of all of them each time, which made
 * a start of 4094 vhids over 64 interfaces take seconds), then every
 * vhid that has not started tries to.
 */
void
vhid_try_start_all(struct carpd *cd)
{
	struct iface	*ifp;
	struct vhid	*v;

	TAILQ_FOREACH(ifp, &cd->ifaces, entry)
		net_iface_read_addr(ifp);
	TAILQ_FOREACH(v, &cd->vhids, entry)
		try_start(v);
}

/*
 * The interface or its addresses changed (the caller read ifp->addr): a waiting vhid may start, and
 * one that takes its source from the interface follows its first
 * address.  With none left, it keeps the last one: the adverts go out at
 * the link layer all the same.
 */
void
vhid_refresh(struct vhid *v)
{
	struct in_addr	old = v->cfg.src;
	struct in6_addr	old6 = v->cfg.src6;
	char		a[INET_ADDRSTRLEN + INET6_ADDRSTRLEN];
	char		b[INET_ADDRSTRLEN + INET6_ADDRSTRLEN];

	if (!v->started) {
		try_start(v);
		return;
	}
	link_demote_check(v);
	senderr_forget(v);
	if ((!v->src_from_iface && !v->src6_from_iface) || !v->ifp->present)
		return;
	vhid_sources(v, a, sizeof(a));
	if (take_source(v) == -1) {
		if (!v->src_lost)
			log_warnx("%s: no address left; vhid %u keeps "
			    "sending from %s", v->ifp->name, v->cfg.vhid, a);
		v->src_lost = true;
		return;
	}
	v->src_lost = false;
	if (old.s_addr == v->cfg.src.s_addr &&
	    memcmp(&old6, &v->cfg.src6, sizeof(old6)) == 0)
		return;
	log_info("vhid %u on %s: source %s -> %s (address change)",
	    v->cfg.vhid, v->ifp->name, a, vhid_sources(v, b, sizeof(b)));
}

/* Would `cfg` run this vhid exactly as it runs now? */
int
vhid_same_config(const struct vhid *v, const struct vhid_config *cfg)
{
	struct vhid_config given = v->cfg;	/* shallow: compared only */

	if (v->src_from_iface)
		given.src.s_addr = INADDR_ANY;
	if (v->src6_from_iface)
		given.src6 = in6addr_any;
	return vhid_config_equal(&given, cfg);
}

void
vhid_event(struct vhid *v, enum fsm_event ev)
{
	struct fsm_input	in = { .ev = ev };
	struct fsm_output	out;

	fsm_step(&v->fsm, &in, &out);
	vhid_apply(v, &out);
	/* The interface may still look up while it goes away. */
	if (ev == FSM_EV_LINK_DOWN && !v->cfg.ignoreifstate &&
	    !v->link_demoted) {
		log_warnx("vhid %u on %s: no link: demoting its groups by 1",
		    v->cfg.vhid, v->ifp->name);
		demote_groups(v, DEMOTE_LINK, &v->link_demoted, true);
	} else if (ev == FSM_EV_LINK_UP)
		link_demote_check(v);
}

/* ---- scripts (sending: vhid_send.c) ---- */

/*
 * ucarp's contract: `script <interface> <vip> [<xparam>]`, once per
 * address.  The request says which; the runner's submit hook builds the
 * command from the configuration (script.h).
 */
static void
run_script(struct vhid *v, enum script_kind kind, enum carp_state state)
{
	struct script_req	rq;
	size_t			n = v->cfg.nvips + v->cfg.nvips6;

	if ((kind == SCRIPT_UP ? v->cfg.upscript : v->cfg.downscript) == NULL)
		return;
	/* The IPv4 addresses first, then the IPv6 ones. */
	for (size_t i = 0; i < n; i++) {
		memset(&rq, 0, sizeof(rq));
		rq.gen = v->gen;
		rq.qid = v->scripts->id;
		rq.vhid = v->cfg.vhid;
		rq.kind = (uint8_t)kind;
		rq.state = (uint8_t)state;
		rq.reason = (uint8_t)v->last_reason;
		memcpy(rq.ifname, v->cfg.ifname, sizeof(rq.ifname));
		rq.ifname[sizeof(rq.ifname) - 1] = '\0';
		if (i < v->cfg.nvips) {
			rq.family = AF_INET;
			rq.vip = v->cfg.vips[i];
		} else {
			rq.family = AF_INET6;
			rq.vip6 = v->cfg.vips6[i - v->cfg.nvips];
		}
		script_submit(v->scripts, &v->cfg, v->cfg.src, &rq);
	}
}

/* ---- carrying out actions ---- */

static void
log_transition(struct vhid *v, const struct fsm_output *out)
{
	v->last_reason = out->reason;
	v->stats.transitions++;
	if ((unsigned)out->reason < FSM_R_MAX)
		v->stats.transitions_by[out->reason]++;
	clock_gettime(CLOCK_REALTIME, &v->last_change);
	if (out->to == CARP_MASTER) {
		v->master = v->cfg.src;
		v->master6 = v->cfg.src6;
		v->master_is6 = v->cfg.nvips == 0;
	}
	/* The stable line documented in carpd(8) under LOGGING. */
	log_info("vhid %u on %s: %s -> %s (%s)", v->cfg.vhid, v->ifp->name,
	    carp_state_name(out->from), carp_state_name(out->to),
	    fsm_reason_name(out->reason));
	if (v->cd->transition_cb != NULL)
		v->cd->transition_cb(v->cd, v, out);
}

/*
 * A master answers a less preferred master's advert with an advert and
 * a gratuitous ARP (fsm.c).  Forged or looping adverts must not make it
 * send without bound: at most VHID_ANSWER_BURST at once, then one per
 * VHID_ANSWER_MS; its own adverts go on as usual.
 */
static unsigned
answer_bound(struct vhid *v, const struct fsm_output *out, unsigned a)
{
	unsigned long dummy;

	if (out->from != CARP_MASTER || out->to != CARP_MASTER ||
	    (a & (FSM_ACT_SEND_ADVERT | FSM_ACT_SEND_GARP)) !=
	    (FSM_ACT_SEND_ADVERT | FSM_ACT_SEND_GARP))
		return a;
	if (log_ratelimit_ok(&v->answer_rl, vhid_now_ms(), &dummy)) {
		v->stats.answers++;
		return a;
	}
	v->stats.answers_limited++;
	return a & ~(FSM_ACT_SEND_ADVERT | FSM_ACT_SEND_GARP);
}

/*
 * The virtual MAC's device is up exactly while master, and goes up
 * before the up script runs (the script puts the addresses on it).
 */
static void
vmac_follow(struct vhid *v, const struct fsm_output *out)
{
	struct carpd *cd = v->cd;

	if (!v->cfg.vmac || cd->vmac_cb == NULL || out->from == out->to)
		return;
	if (out->to == CARP_MASTER)
		cd->vmac_cb(cd->vmac_arg, v, 1);
	else if (out->from == CARP_MASTER)
		cd->vmac_cb(cd->vmac_arg, v, 0);
}

void
vhid_apply(struct vhid *v, const struct fsm_output *out)
{
	unsigned	a = answer_bound(v, out, out->actions);
	struct timeval	tv;

	/* Packets first: nothing may delay an advert (issue: precise timers). */
	if (a & FSM_ACT_SEND_BOWOUT)
		vhid_send_advert(v, CARP_BOWOUT, CARP_BOWOUT);
	if (a & FSM_ACT_SEND_ADVERT)
		vhid_send_advert(v, v->cfg.advbase, fsm_sent_advskew(&v->fsm));
	if ((a & FSM_ACT_SEND_GARP) && out->to == CARP_MASTER &&
	    out->from != CARP_MASTER) {
		vhid_garp_stop(v);
		v->garp_second_due = vhid_garp_second_ms(v) > 0;
		vhid_garp_burst(v);
	} else if ((a & FSM_ACT_SEND_GARP) && v->garp_left == 0)
		vhid_send_garp(v);		/* re-announce to a lesser master */
	if (out->from == CARP_MASTER && out->to != CARP_MASTER)
		vhid_garp_stop(v);
	if (a & FSM_ACT_STOP_ADVERT)
		event_del(v->advert_ev);
	if (a & FSM_ACT_STOP_DOWN)
		evtimer_del(v->down_ev);
	if (a & FSM_ACT_REARM_ADVERT)
		event_del(v->advert_ev);
	if ((a & (FSM_ACT_ARM_ADVERT | FSM_ACT_REARM_ADVERT)) &&
	    !event_pending(v->advert_ev, EV_TIMEOUT, NULL))
		advert_start(v);
	if (a & (FSM_ACT_ARM_DOWN | FSM_ACT_ARM_HANDOVER)) {
		tv = vhid_us_to_tv(a & FSM_ACT_ARM_DOWN ? fsm_cur_down_us(&v->fsm) :
		    fsm_handover_us(&v->fsm.cfg));
		evtimer_del(v->down_ev);
		evtimer_add(v->down_ev, &tv);
	}
	if (out->reason != FSM_R_NONE)
		log_transition(v, out);
	vmac_follow(v, out);
	if (a & FSM_ACT_RUN_UP)
		run_script(v, SCRIPT_UP, CARP_MASTER);
	if (a & FSM_ACT_RUN_DOWN)
		run_script(v, SCRIPT_DOWN,
		    out->to == CARP_INIT ? CARP_INIT : CARP_BACKUP);
}

/* ---- status (receiving: vhid_rx.c) ---- */

/* The master we follow, or we, or "none". */
const char *
vhid_master_str(const struct vhid *v, char *buf, size_t len)
{
	const struct in6_addr	unspec = IN6ADDR_ANY_INIT;

	if (v->master_is6 && memcmp(&v->master6, &unspec, 16) != 0)
		inet_ntop(AF_INET6, &v->master6, buf, (socklen_t)len);
	else if (!v->master_is6 && v->master.s_addr != INADDR_ANY)
		inet_ntop(AF_INET, &v->master, buf, (socklen_t)len);
	else
		snprintf(buf, len, "none");
	return buf;
}

void
vhid_log_status(const struct vhid *v)
{
	char		master[INET6_ADDRSTRLEN];
	char		src[INET_ADDRSTRLEN + INET6_ADDRSTRLEN];
	uint64_t	bad = 0;

	for (int i = 1; i < CARP_DROP_MAX; i++)
		bad += v->stats.drops[i];
	vhid_master_str(v, master, sizeof(master));
	vhid_sources(v, src, sizeof(src));
	log_info("vhid %u on %s: state %s%s%s, source %s, master %s, "
	    "advbase %u advskew %u, last change %s, adverts sent %llu "
	    "received %llu, bad packets %llu", v->cfg.vhid, v->ifp->name,
	    carp_state_name(v->fsm.state), status_waiting(v) ? " waiting " : "",
	    status_waiting(v) ? status_waiting(v) : "", src,
	    master, v->cfg.advbase,
	    v->cfg.advskew, fsm_reason_name(v->last_reason),
	    (unsigned long long)v->stats.adverts_sent,
	    (unsigned long long)v->stats.adverts_rx,
	    (unsigned long long)bad);
	if (v->cfg.npeers > 0)
		log_info("vhid %u on %s: %zu peers, %zu not resolved yet; "
		    "adverts not sent for want of a MAC address %llu",
		    v->cfg.vhid, v->ifp->name, v->cfg.npeers,
		    (size_t)__builtin_popcount(v->peer_waiting),
		    (unsigned long long)v->stats.peer_unresolved);
}
