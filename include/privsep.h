/*
 * privsep.h: the channel between carpd's two processes, and its messages.
 * When started as root, carpd splits in two after reading its
 * configuration:
 *
 *   parent (root, parent.c)  runs the up/down scripts and nothing else;
 *                            reads the configuration again on SIGHUP and
 *                            hands it over; forwards signals
 *   child  (--user, only     everything that touches the network: capture,
 *          CAP_NET_RAW,      packet parsing, state machines, timers,
 *          child.c)          control socket
 *
 * The channel is a SOCK_SEQPACKET socketpair: one message is one
 * datagram, a u32 type first.  Both ends are non-blocking.  Writes go
 * to a bounded queue (PS_QUEUE_MSGS messages, PS_QUEUE_BYTES bytes)
 * flushed whenever the socket can take more (EV_WRITE); a message that
 * does not fit is dropped, counted and logged at a bounded rate, so that
 * neither side ever waits on the other.  Reads take every pending
 * message (EV_READ, until EAGAIN) and hand each, decoded and checked, to
 * the process's own dispatcher; a malformed one is dropped and counted.
 * End of file comes after every message sent before it.
 *
 *   child -> parent
 *     PS_RUN       gen, queue id, vhid, script, state, reason, interface,
 *                  address: "run this script"; the parent builds the
 *                  command from its own copy of configuration `gen`
 *     PS_RELEASE   queue id: the vhid is gone (its queue still drains)
 *     PS_STARTED   the child is up (its control socket is bound) and
 *                  every vhid has started or waits: systemd READY=1
 *     PS_ACK       gen: configuration `gen` is applied; no request of an
 *                  older generation follows
 *     PS_PONG      seq: the answer to a ping (heartbeat.h)
 *     PS_TRANSITION  configuration, vhid, interface, state, group: a state change,
 *                  for the notify FIFO (notify.h), in order
 *     PS_VMAC      gen, vhid, up or down, interface: "set the device of
 *                  this vhid's virtual MAC up or down" (vmac.h); the
 *                  parent does it only for a vhid with `mac virtual` in
 *                  configuration `gen`
 *     100          reserved: sandbox violation report (u32 100, i32
 *                  system call number, u32 architecture)
 *   parent -> child
 *     PS_RELOAD_BEGIN  gen, globals
 *     PS_RELOAD_VHID   gen, one vhid's settings
 *     PS_RELOAD_END    gen, the number of vhids sent
 *     PS_PING          seq: answer from the event loop (heartbeat.h)
 *     PS_TRACK         group, value: the demotion of a group by its
 *                      track scripts and tracked files (track.h), which
 *                      only the parent can run and read; the child
 *                      applies it to a group of its configuration
 */
#ifndef CARPD_PRIVSEP_H
#define CARPD_PRIVSEP_H

#include <stddef.h>
#include <stdint.h>

#include "carpd.h"
#include "script.h"

struct event_base;
struct ps_chan;

enum ps_type {
	PS_RUN = 1,
	PS_RELEASE,
	PS_RELOAD_BEGIN,
	PS_RELOAD_VHID,
	PS_RELOAD_END,
	PS_STARTED,
	PS_ACK,
	PS_PING,
	PS_PONG,
	PS_TRACK,
	PS_TRANSITION,
	PS_VMAC,
	PS_TYPE_MAX,
	PS_SANDBOX_VIOLATION = 100,	/* reserved, see above */
};

#define PS_GEN_FIRST	1		/* the child starts with it */
#define PS_MAX_MSG	(64 * 1024)	/* one datagram */
#define PS_MAX_STR	4096		/* one string in it, with its NUL */
#define PS_QUEUE_MSGS	16384
#define PS_QUEUE_BYTES	(16 * 1024 * 1024)

struct ps_globals {
	uint32_t		debug;
	uint32_t		facility;
	uint32_t		script_timeout;
};

struct ps_track {
	char			group[16];	/* DEMOTE_NAME_LEN, NUL-ended */
	uint32_t		value;		/* 0 to DEMOTE_SRC_LIMIT */
};

struct ps_transition {
	uint32_t		gen;		/* the vhid's configuration */
	uint8_t			vhid;
	uint8_t			state;		/* enum carp_state */
	char			ifname[16];	/* IF_NAMESIZE, NUL-ended */
	char			group[16];	/* DEMOTE_NAME_LEN, NUL-ended */
};

struct ps_vmac {
	uint32_t		gen;
	uint8_t			vhid;
	uint8_t			up;
	char			ifname[IF_NAMESIZE];
};

struct ps_msg {
	uint32_t		type;
	uint32_t		gen;	/* RELOAD_*, ACK (RUN: in run.gen) */
	union {
		struct script_req	run;
		uint32_t		qid;		/* RELEASE */
		struct ps_globals	g;		/* RELOAD_BEGIN */
		struct vhid_config	vc;		/* RELOAD_VHID */
		uint32_t		nvhids;		/* RELOAD_END */
		uint32_t		seq;		/* PING, PONG */
		struct ps_vmac		vmac;		/* VMAC */
		struct {
			int32_t		nr;		/* system call */
			uint32_t	arch;		/* AUDIT_ARCH_* */
		} sandbox;				/* SANDBOX_VIOLATION */
		struct ps_track		track;		/* TRACK */
		struct ps_transition	tr;		/* TRANSITION */
	} u;
};

/*
 * The codec.  encode: a malloc'd datagram, or NULL if it would be over
 * PS_MAX_MSG.  decode: 0, or -1 with *why for a datagram that is short,
 * long, of an unknown type or with a bad string; strings of RELOAD_VHID
 * are malloc'd (ps_msg_clear frees them).
 */
uint8_t	*ps_msg_encode(const struct ps_msg *, size_t *len);
int	 ps_msg_decode(const uint8_t *, size_t, struct ps_msg *,
	    const char **why);
void	 ps_msg_clear(struct ps_msg *);
/* A string from the other process, fit for a log line. */
void	 ps_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen);

/* The transport. */
struct ps_chan_stats {
	uint64_t		sent;
	uint64_t		received;
	uint64_t		dropped;	/* queue full, or peer gone */
	uint64_t		malformed;
};

typedef void	(*ps_msg_cb)(void *arg, struct ps_msg *);
typedef void	(*ps_eof_cb)(void *arg);

/* `peer` names the other process in logs ("network", "privileged"). */
struct ps_chan	*ps_chan_new(struct event_base *, int fd, const char *peer,
		    ps_msg_cb, ps_eof_cb, void *arg);
/* 0 queued; -1 dropped (too large, queue full, peer gone). */
int		 ps_chan_send(struct ps_chan *, const struct ps_msg *);
/* Can `nmsgs` messages of `nbytes` in all be queued now? */
int		 ps_chan_room(const struct ps_chan *, size_t nmsgs,
		    size_t nbytes);
/* At exit: write out the queue, waiting at most `ms`; 0 when empty. */
int		 ps_chan_flush(struct ps_chan *, int ms);
const struct ps_chan_stats *ps_chan_stats(const struct ps_chan *);
void		 ps_chan_free(struct ps_chan *);

#endif
