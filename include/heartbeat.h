/*
 * heartbeat.h: the privileged parent watches the network child.  Every
 * second it sends a ping that the child answers from its event loop; a
 * child that misses HEARTBEAT_MISSES answers in a row (stopped with
 * SIGSTOP, or wedged) is taken for dead.  The parent keeps, for every
 * address, whether the last script it was asked to run was the up or
 * the down script, so that it can then run the down scripts itself: a
 * stopped master must not keep its addresses while a backup takes over.
 */
#ifndef CARPD_HEARTBEAT_H
#define CARPD_HEARTBEAT_H

#include <sys/queue.h>
#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>

#include "script.h"

#define HEARTBEAT_INTERVAL_MS	1000
#define HEARTBEAT_MISSES	3
/* An answer this recent: the child's loop runs (the systemd watchdog). */
#define HEARTBEAT_FRESH_MS	(2 * HEARTBEAT_INTERVAL_MS)

struct event;
struct event_base;
struct ps_chan;

/* The last script run for one address of one vhid, and its queue. */
struct hb_addr {
	LIST_ENTRY(hb_addr)	 entry;
	char			 ifname[IF_NAMESIZE];
	uint8_t			 vhid;
	uint8_t			 family;	/* as in script_req */
	struct in_addr		 vip;
	struct in6_addr		 vip6;
	uint32_t		 gen;		/* of the last request */
	uint32_t		 queue;		/* the child's queue id */
	bool			 up;
};

struct heartbeat {
	struct event		*ev;
	struct ps_chan		*chan;
	uint32_t		 sent;		/* last ping */
	uint32_t		 answered;	/* last answer */
	unsigned		 missed;
	long long		 answered_ms;	/* monotonic, last answer */
	bool			 dead;
	LIST_HEAD(, hb_addr)	 addrs;
	size_t			 naddrs;
	/* Called once when the child has stopped answering. */
	void			(*dead_cb)(void *);
	void			*arg;
};

void	heartbeat_init(struct heartbeat *, struct ps_chan *, void (*)(void *),
	    void *);
/* From the child's first sign of life on: ping every second. */
void	heartbeat_start(struct heartbeat *, struct event_base *);
void	heartbeat_answer(struct heartbeat *, uint32_t seq);
void	heartbeat_stop(struct heartbeat *);
/* Started, not dead, and answered within HEARTBEAT_FRESH_MS. */
bool	heartbeat_fresh(const struct heartbeat *);
/* The request of a script the parent is to run (up or down). */
void	heartbeat_note(struct heartbeat *, const struct script_req *);
void	heartbeat_free(struct heartbeat *);

#endif
