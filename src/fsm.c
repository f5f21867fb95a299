/*
 * fsm.c: the per-vhid CARP state machine.
 *
 *                                       DOWN_TIMER, bow-out advert,
 *              START, LINK_UP           preempt, FORCE_MASTER,
 *     INIT -------------------> BACKUP  SYNC_MASTER              MASTER
 *      ^                          | ---------------------------->  |
 *      |                          | <----------------------------  |
 *      |                          |   more frequent master,        |
 *      |                          |   FORCE_BACKUP (bow-out first) |
 *      +--------------------------+--------------------------------+
 *           SHUTDOWN, LINK_DOWN (a master bows out first)
 *
 * Rules (doc/protocol.md "Election", after ucarp 1.5.2 and the BSDs):
 * - everybody starts INIT -> BACKUP and waits one master-down interval;
 * - BACKUP, preempt on, and we advertise more often than the peer:
 *   MASTER at once (ucarp);
 * - BACKUP, the peer's interval exceeds our master-down interval (the
 *   255/255 bow-out advert): MASTER at once (ucarp, OpenBSD);
 * - BACKUP otherwise: restart the master-down timer;
 * - MASTER, the peer advertises more often, or as often from a lower
 *   address (compared as ucarp on a little-endian host does, see
 *   fsm_tie_key()), or as often from the same address (two masters
 *   without addresses of their own, sending from the virtual one) and a
 *   lower MAC address: BACKUP;
 * - MASTER, the peer is less preferred: stay, re-announce the address
 *   and send an advert at once so that the peer steps down (ucarp only
 *   re-sends the ARP and waits for its next advert).
 * Demotion, OpenBSD's rules (doc/protocol.md, "Demotion"), checked before
 * the intervals: a MASTER steps down to a peer with a lower demotion, or
 * an equal one and a preferred interval; a BACKUP takes over, preempt
 * or not, from a master with a higher demotion, and preempts only one
 * with an equal demotion.  Peers that ignore the byte send 0, so an
 * undemoted carpd follows the ucarp rules with them.
 * carpd additions: a forced BACKUP does not preempt until the master
 * dies (else SIGUSR2 on a preempting master would undo itself at the
 * next advert), and a master that leaves (shutdown, forced, link down)
 * first sends the bow-out advert so that a backup takes over at once.
 * The hand-over (doc/protocol.md, "Hand-over after a bow-out"): a
 * backup that hears a bow-out waits fsm_handover_us(), in proportion to
 * its own advskew, before it takes over, so that the most preferred
 * backup goes first and the others hear its advert and stay BACKUP
 * (ucarp and OpenBSD make every backup MASTER at once, and the lesser
 * ones run their up scripts before they step back).  While it waits,
 * only an advert from a peer preferred over it calls the takeover off.
 * Sync groups (doc/protocol.md, "Sync groups"; keepalived's
 * vrrp_sync_group): SYNC_MASTER makes a BACKUP MASTER at once, unless
 * the operator forced it backup; the wiring gives it when another vhid
 * of the group took over for a reason fsm_sync_pulls() names.  Nothing
 * else changes: a pulled-up master that hears a preferred master steps
 * back by the rules above, and its transitions pull nothing.
 */
#include "config.h"

#include <string.h>

#include "fsm.h"

#define CARP_FSM_BOWOUT	255	/* advbase and advskew of the bow-out advert */
/*
 * The hand-over wait per unit of advskew: 254 waits 10.2 ms at most, and
 * backups 25 apart (1 ms) hear each other first on a LAN whose
 * real-time daemons answer within a fraction of that.
 */
#define FSM_HANDOVER_US_PER_SKEW	40

static const char *const state_names[CARP_STATE_MAX] = {
	[CARP_INIT] = "INIT",
	[CARP_BACKUP] = "BACKUP",
	[CARP_MASTER] = "MASTER",
};

static const char *const event_names[FSM_EV_MAX] = {
	[FSM_EV_START] = "start",
	[FSM_EV_ADVERT] = "advert",
	[FSM_EV_DOWN_TIMER] = "master-down-timer",
	[FSM_EV_ADVERT_TIMER] = "advert-timer",
	[FSM_EV_FORCE_BACKUP] = "force-backup",
	[FSM_EV_FORCE_MASTER] = "force-master",
	[FSM_EV_SHUTDOWN] = "shutdown",
	[FSM_EV_LINK_DOWN] = "link-down",
	[FSM_EV_LINK_UP] = "link-up",
	[FSM_EV_DEMOTE] = "demote",
	[FSM_EV_SYNC_MASTER] = "sync-master",
};

static const char *const reason_names[FSM_R_MAX] = {
	[FSM_R_NONE] = "none",
	[FSM_R_STARTUP] = "startup",
	[FSM_R_MASTER_DOWN] = "master-down",
	[FSM_R_PREEMPT] = "preempt",
	[FSM_R_BOWOUT] = "master-bowed-out",
	[FSM_R_PREFERRED_MASTER] = "preferred-master",
	[FSM_R_FORCED_BACKUP] = "forced-backup",
	[FSM_R_FORCED_MASTER] = "forced-master",
	[FSM_R_SHUTDOWN] = "shutdown",
	[FSM_R_LINK_DOWN] = "link-down",
	[FSM_R_LINK_UP] = "link-up",
	[FSM_R_DEMOTED] = "demoted",
	[FSM_R_DEMOTED_MASTER] = "demoted-master",
	[FSM_R_SYNC_GROUP] = "sync-group",
	[FSM_R_CHILD_STOPPED] = "network-process-stopped",
};

const char *
carp_state_name(enum carp_state s)
{
	return (unsigned)s < CARP_STATE_MAX ? state_names[s] : "?";
}

const char *
fsm_event_name(enum fsm_event e)
{
	return (unsigned)e < FSM_EV_MAX ? event_names[e] : "?";
}

const char *
fsm_reason_name(enum fsm_reason r)
{
	return (unsigned)r < FSM_R_MAX ? reason_names[r] : "?";
}

uint64_t
fsm_interval_us(uint8_t advbase, uint8_t advskew)
{
	return (uint64_t)advbase * 1000000 + (uint64_t)advskew * 1000000 / 256;
}

uint64_t
fsm_advert_us(const struct fsm_config *c)
{
	return fsm_interval_us(c->advbase, c->advskew);
}

uint64_t
fsm_down_us(const struct fsm_config *c)
{
	enum fsm_downfmt f = c->downfmt;

	if (f == FSM_DOWN_AUTO)
		f = c->advbase == 0 ? FSM_DOWN_OPENBSD : FSM_DOWN_UCARP;
	if (f == FSM_DOWN_OPENBSD)
		return (uint64_t)c->deadratio * fsm_advert_us(c);
	return (uint64_t)c->deadratio * c->advbase * 1000000 +
	    (uint64_t)c->advskew * 1000000 / 256;
}

uint8_t
fsm_sent_advskew(const struct fsm *f)
{
	unsigned skew = f->cfg.advskew;

	if (f->cfg.demote_skew == FSM_SKEW_OFF || f->demote == 0 ||
	    skew >= FSM_SKEW_DEMOTE_MAX)
		return f->cfg.advskew;
	if (f->cfg.demote_skew == FSM_SKEW_MAX)
		return FSM_SKEW_DEMOTE_MAX;
	skew += f->demote;
	return skew > FSM_SKEW_DEMOTE_MAX ? FSM_SKEW_DEMOTE_MAX : skew;
}

uint64_t
fsm_cur_advert_us(const struct fsm *f)
{
	return fsm_interval_us(f->cfg.advbase, fsm_sent_advskew(f));
}

uint64_t
fsm_cur_down_us(const struct fsm *f)
{
	struct fsm_config c = f->cfg;

	c.advskew = fsm_sent_advskew(f);
	return fsm_down_us(&c);
}

void
fsm_hold_preempt(struct fsm *f, bool on)
{
	f->hold_preempt = on;
}

uint64_t
fsm_handover_us(const struct fsm_config *c)
{
	return (uint64_t)c->advskew * FSM_HANDOVER_US_PER_SKEW;
}

void
fsm_init(struct fsm *f, const struct fsm_config *c)
{
	memset(f, 0, sizeof(*f));
	f->cfg = *c;
	f->state = CARP_INIT;
}

/* The one place a state changes; impossible transitions are refused. */
static int
set_state(struct fsm *f, enum carp_state to, enum fsm_reason why,
    struct fsm_output *out)
{
	static const unsigned char allowed[CARP_STATE_MAX][CARP_STATE_MAX] = {
		[CARP_INIT] = { [CARP_BACKUP] = 1 },
		[CARP_BACKUP] = { [CARP_INIT] = 1, [CARP_MASTER] = 1 },
		[CARP_MASTER] = { [CARP_INIT] = 1, [CARP_BACKUP] = 1 },
	};

	if (!allowed[f->state][to])
		return 0;
	f->handover = false;
	out->from = f->state;
	out->to = to;
	out->reason = why;
	f->state = to;
	return 1;
}

static void
become_master(struct fsm *f, enum fsm_reason why, struct fsm_output *out)
{
	if (!set_state(f, CARP_MASTER, why, out))
		return;
	f->hold_backup = false;
	out->actions |= FSM_ACT_SEND_ADVERT | FSM_ACT_SEND_GARP |
	    FSM_ACT_STOP_DOWN | FSM_ACT_ARM_ADVERT | FSM_ACT_RUN_UP;
}

static void
become_backup(struct fsm *f, enum fsm_reason why, unsigned extra,
    struct fsm_output *out)
{
	if (!set_state(f, CARP_BACKUP, why, out))
		return;
	out->actions |= extra | FSM_ACT_STOP_ADVERT | FSM_ACT_ARM_DOWN |
	    FSM_ACT_RUN_DOWN;
}

/* Leave for INIT: a master bows out so that a backup need not wait. */
static void
become_init(struct fsm *f, enum fsm_reason why, bool down_script,
    struct fsm_output *out)
{
	enum carp_state old = f->state;

	if (!set_state(f, CARP_INIT, why, out))
		return;
	out->actions |= FSM_ACT_STOP_ADVERT | FSM_ACT_STOP_DOWN;
	if (old == CARP_MASTER)
		out->actions |= FSM_ACT_SEND_BOWOUT | FSM_ACT_RUN_DOWN;
	else if (down_script)
		out->actions |= FSM_ACT_RUN_DOWN;
}

/*
 * An IPv4 address as the tie-break sees it: its four bytes, in the order
 * they are on the wire, read as a little-endian number, so the last octet
 * weighs most.  ucarp compares the raw s_addr values, which is this order
 * on the little-endian hosts it runs on (amd64, arm64).  Network order
 * can disagree when two addresses differ before their last octet, and a
 * carpd and a ucarp would then both stay MASTER (doc/protocol.md,
 * "Tie-break").  Built from the bytes, not from s_addr, so that a carpd
 * on a big-endian host agrees with those ucarps too, rather than with a
 * ucarp built for its own kind of CPU.
 */
uint32_t
fsm_tie_key(struct in_addr a)
{
	const uint8_t *b = (const uint8_t *)&a.s_addr;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 |
	    (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Is the peer preferred over us?  Smaller interval wins, then fsm_tie_key. */
static bool
peer_preferred(const struct fsm *f, const struct fsm_input *in)
{
	uint64_t ours = fsm_cur_advert_us(f);
	uint64_t theirs = fsm_interval_us(in->advbase, in->advskew);

	if (theirs != ours)
		return theirs < ours;
	/*
	 * The same address: two hosts without one of their own both send
	 * from the virtual address (carpdev); the lower MAC address wins.
	 */
	if (in->src.s_addr == f->cfg.self.s_addr)
		return memcmp(in->src_mac, f->cfg.self_mac, 6) < 0;
	return fsm_tie_key(in->src) < fsm_tie_key(f->cfg.self);
}

/* Bowed out to: take over now, or after our hand-over wait. */
static void
on_bowout(struct fsm *f, struct fsm_output *out)
{
	if (f->handover)
		return;			/* already counting down */
	if (fsm_handover_us(&f->cfg) == 0) {
		become_master(f, FSM_R_BOWOUT, out);
		return;
	}
	f->handover = true;
	out->actions |= FSM_ACT_ARM_HANDOVER;
}

static void
on_advert(struct fsm *f, const struct fsm_input *in, struct fsm_output *out)
{
	uint64_t ours = fsm_cur_advert_us(f);
	uint64_t theirs = fsm_interval_us(in->advbase, in->advskew);

	switch (f->state) {
	case CARP_MASTER:
		if (in->demote < f->demote)
			become_backup(f, FSM_R_DEMOTED, 0, out);
		else if (in->demote == f->demote && peer_preferred(f, in))
			become_backup(f, FSM_R_PREFERRED_MASTER, 0, out);
		else
			out->actions |= FSM_ACT_SEND_ADVERT | FSM_ACT_SEND_GARP;
		break;
	case CARP_BACKUP:
		if (in->advbase == CARP_FSM_BOWOUT && in->advskew == CARP_FSM_BOWOUT)
			on_bowout(f, out);	/* any advbase */
		else if (f->handover && !peer_preferred(f, in))
			break;		/* a lesser backup went first */
		else if (in->demote > f->demote && !f->hold_backup)
			become_master(f, FSM_R_DEMOTED_MASTER, out);
		else if (f->cfg.preempt && !f->hold_backup && !f->hold_preempt &&
		    in->demote == f->demote && ours < theirs)
			become_master(f, FSM_R_PREEMPT, out);
		else if (theirs > fsm_cur_down_us(f))
			on_bowout(f, out);
		else {
			f->handover = false;
			out->actions |= FSM_ACT_ARM_DOWN;
		}
		break;
	default:
		break;
	}
}

/*
 * Our demotion changed.  A master says so at once, at its new interval:
 * a backup that is now less demoted takes over at this advert instead of
 * the next one.
 */
static void
on_demote(struct fsm *f, uint8_t demote, struct fsm_output *out)
{
	if (demote == f->demote)
		return;
	f->demote = demote;
	if (f->state == CARP_MASTER)
		out->actions |= FSM_ACT_SEND_ADVERT | FSM_ACT_REARM_ADVERT;
}

bool
fsm_sync_pulls(const struct fsm_output *out)
{
	if (out->from != CARP_BACKUP || out->to != CARP_MASTER)
		return false;
	switch (out->reason) {
	case FSM_R_MASTER_DOWN:
	case FSM_R_PREEMPT:
	case FSM_R_BOWOUT:
	case FSM_R_DEMOTED_MASTER:
		return true;
	default:
		return false;
	}
}

void
fsm_step(struct fsm *f, const struct fsm_input *in, struct fsm_output *out)
{
	memset(out, 0, sizeof(*out));
	out->from = out->to = f->state;

	switch (in->ev) {
	case FSM_EV_START:
		if (f->state == CARP_INIT &&
		    set_state(f, CARP_BACKUP, FSM_R_STARTUP, out))
			out->actions |= FSM_ACT_ARM_DOWN |
			    (f->cfg.neutral ? 0 : FSM_ACT_RUN_DOWN);
		break;
	case FSM_EV_LINK_UP:
		if (f->state == CARP_INIT &&
		    set_state(f, CARP_BACKUP, FSM_R_LINK_UP, out))
			out->actions |= FSM_ACT_ARM_DOWN;
		break;
	case FSM_EV_ADVERT:
		on_advert(f, in, out);
		break;
	case FSM_EV_DOWN_TIMER:
		if (f->state == CARP_BACKUP)
			become_master(f, f->handover ? FSM_R_BOWOUT :
			    FSM_R_MASTER_DOWN, out);
		break;
	case FSM_EV_ADVERT_TIMER:
		if (f->state != CARP_MASTER)
			break;
		out->actions |= FSM_ACT_SEND_ADVERT | FSM_ACT_ARM_ADVERT;
		break;
	case FSM_EV_FORCE_BACKUP:
		f->hold_backup = f->state != CARP_INIT;
		if (f->state == CARP_MASTER)
			become_backup(f, FSM_R_FORCED_BACKUP,
			    FSM_ACT_SEND_BOWOUT, out);
		break;
	case FSM_EV_FORCE_MASTER:
		if (f->state == CARP_BACKUP)
			become_master(f, FSM_R_FORCED_MASTER, out);
		break;
	case FSM_EV_SHUTDOWN:
		become_init(f, FSM_R_SHUTDOWN, f->cfg.shutdown_script, out);
		break;
	case FSM_EV_LINK_DOWN:
		become_init(f, FSM_R_LINK_DOWN, false, out);
		break;
	case FSM_EV_DEMOTE:
		on_demote(f, in->demote, out);
		break;
	case FSM_EV_SYNC_MASTER:
		if (f->state == CARP_BACKUP && !f->hold_backup)
			become_master(f, FSM_R_SYNC_GROUP, out);
		break;
	default:
		break;
	}
}
