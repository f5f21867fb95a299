/*
 * fsm.h: the per-vhid CARP state machine.  Pure: it takes an event and
 * returns the actions to carry out; it never touches a socket, a timer
 * or a script.  The election rules are those of ucarp 1.5.2 (see
 * doc/protocol.md, "Election"); deviations are noted in fsm.c.
 */
#ifndef CARPD_FSM_H
#define CARPD_FSM_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

enum carp_state {
	CARP_INIT = 0,
	CARP_BACKUP,
	CARP_MASTER,
	CARP_STATE_MAX
};

const char	*carp_state_name(enum carp_state);

/* Which master-down formula to use. */
enum fsm_downfmt {
	FSM_DOWN_AUTO = 0,	/* ucarp's, except OpenBSD's when advbase is 0 */
	FSM_DOWN_UCARP,		/* deadratio*advbase + advskew/256 */
	FSM_DOWN_OPENBSD,	/* deadratio*(advbase + advskew/256) */
};

/* How a demotion shows in the advskew sent (doc/protocol.md "Demotion"). */
enum fsm_skew {
	FSM_SKEW_OFF = 0,	/* the byte only, as OpenBSD */
	FSM_SKEW_ADD,		/* advskew + demotion, as FreeBSD */
	FSM_SKEW_MAX,		/* demoted at all: FSM_SKEW_DEMOTE_MAX */
};

struct fsm_config {
	uint8_t			advbase;
	uint8_t			advskew;
	uint8_t			deadratio;
	bool			preempt;
	bool			neutral;	/* no down script at start */
	bool			shutdown_script; /* down script at exit even as backup */
	struct in_addr		self;		/* our source address */
	uint8_t			self_mac[6];	/* the tie-break after it */
	enum fsm_downfmt	downfmt;
	enum fsm_skew		demote_skew;	/* demote-advskew */
};

enum fsm_event {
	FSM_EV_START,		/* vhid configured and interface ready */
	FSM_EV_ADVERT,		/* a valid advert from a peer */
	FSM_EV_DOWN_TIMER,	/* master-down timer expired */
	FSM_EV_ADVERT_TIMER,	/* time to send the next advert */
	FSM_EV_FORCE_BACKUP,	/* operator: SIGUSR2, carpctl backup */
	FSM_EV_FORCE_MASTER,	/* operator: carpctl master */
	FSM_EV_SHUTDOWN,	/* daemon exiting or vhid removed */
	FSM_EV_LINK_DOWN,
	FSM_EV_LINK_UP,
	FSM_EV_DEMOTE,		/* our demotion changed: fsm_input.demote */
	FSM_EV_SYNC_MASTER,	/* another vhid of our sync group took over */
	FSM_EV_MAX
};

const char	*fsm_event_name(enum fsm_event);

struct fsm_input {
	enum fsm_event	ev;
	/* FSM_EV_ADVERT only: */
	struct in_addr	src;
	uint8_t		src_mac[6];
	uint8_t		advbase;
	uint8_t		advskew;
	/* FSM_EV_ADVERT: the peer's demote byte; FSM_EV_DEMOTE: ours. */
	uint8_t		demote;
};

/* Actions, carried out by the caller in this order. */
#define FSM_ACT_SEND_BOWOUT	0x0001	/* advert with advbase/advskew 255 */
#define FSM_ACT_SEND_ADVERT	0x0002
#define FSM_ACT_SEND_GARP	0x0004	/* announce; the runtime repeats it */
#define FSM_ACT_STOP_ADVERT	0x0008
#define FSM_ACT_STOP_DOWN	0x0010
#define FSM_ACT_ARM_ADVERT	0x0020	/* (re)arm for fsm_advert_us() */
#define FSM_ACT_ARM_DOWN	0x0040	/* (re)arm for fsm_down_us() */
#define FSM_ACT_RUN_UP		0x0080
#define FSM_ACT_RUN_DOWN	0x0100
#define FSM_ACT_REARM_ADVERT	0x0200	/* the interval changed: arm anew */
#define FSM_ACT_ARM_HANDOVER	0x0400	/* arm the down timer for fsm_handover_us() */

/* Why a transition happened: stable tokens, documented in carpd(8). */
enum fsm_reason {
	FSM_R_NONE = 0,
	FSM_R_STARTUP,
	FSM_R_MASTER_DOWN,	/* no advert for the master-down interval */
	FSM_R_PREEMPT,		/* we are more frequent and preempt is on */
	FSM_R_BOWOUT,		/* master sent an advert we can never beat */
	FSM_R_PREFERRED_MASTER,	/* another master is more frequent */
	FSM_R_FORCED_BACKUP,
	FSM_R_FORCED_MASTER,
	FSM_R_SHUTDOWN,
	FSM_R_LINK_DOWN,
	FSM_R_LINK_UP,
	FSM_R_DEMOTED,		/* a master with a lower demotion took over */
	FSM_R_DEMOTED_MASTER,	/* we took over from a more demoted master */
	FSM_R_SYNC_GROUP,	/* another vhid of our sync group took over */
	/* Never from the state machine: the privileged process's own. */
	FSM_R_CHILD_STOPPED,	/* the network process stopped answering */
	FSM_R_MAX
};

const char	*fsm_reason_name(enum fsm_reason);

struct fsm_output {
	unsigned		actions;
	enum carp_state		from;
	enum carp_state		to;
	enum fsm_reason		reason;	/* FSM_R_NONE: no transition */
};

struct fsm {
	struct fsm_config	cfg;
	enum carp_state		state;
	bool			hold_backup;	/* forced backup: no preempt */
	bool			hold_preempt;	/* preempt delay not over yet */
	uint8_t			demote;		/* sum over our groups */
	bool			handover;	/* bowed out to: our turn soon */
};

void		fsm_init(struct fsm *, const struct fsm_config *);
void		fsm_step(struct fsm *, const struct fsm_input *, struct fsm_output *);

/*
 * Does this transition pull the other vhids of a sync group up
 * (doc/protocol.md, "Sync groups")?  BACKUP -> MASTER for a reason of
 * the network's: master-down, preempt, bow-out, demoted-master; never
 * the operator's, nor a pull-up itself (so that none can chain).
 */
bool		fsm_sync_pulls(const struct fsm_output *);

/* The source address as the tie-break orders it: lower wins. */
uint32_t	fsm_tie_key(struct in_addr);

/* Intervals in microseconds. */
uint64_t	fsm_interval_us(uint8_t advbase, uint8_t advskew);
uint64_t	fsm_advert_us(const struct fsm_config *);
uint64_t	fsm_down_us(const struct fsm_config *);
/* How long a backup waits after a bow-out before it takes over. */
uint64_t	fsm_handover_us(const struct fsm_config *);

/*
 * Demotion (doc/protocol.md, "Demotion"): the demote byte we send, and
 * the advskew we send, raised while demoted so that peers that ignore
 * the byte (ucarp, FreeBSD) see us as less preferred: by the demotion up
 * to FSM_SKEW_DEMOTE_MAX (FreeBSD), or to FSM_SKEW_DEMOTE_MAX at once.
 * Never lowered.  The intervals of a running fsm use that advskew.
 */
#define FSM_SKEW_DEMOTE_MAX	240
uint8_t		fsm_sent_advskew(const struct fsm *);
uint64_t	fsm_cur_advert_us(const struct fsm *);
uint64_t	fsm_cur_down_us(const struct fsm *);
/* Preempt delay: a held fsm does not preempt (the peer's demotion may). */
void		fsm_hold_preempt(struct fsm *, bool);

#endif
