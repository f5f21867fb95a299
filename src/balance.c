/*
 * balance.c: ARP balancing, the runtime (balance.h).  The capture of
 * the requests is net.c's (a handle of its own per interface, filtered
 * to the balanced addresses); the hash and the frames are proto.c's.
 */
#include "config.h"

#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "balance.h"
#include "carpd.h"
#include "log.h"
#include "net.h"
#include "proto.h"
#include "vmac.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Add `a` to the set `s` of `*n` unless it is there or `s` is full. */
static void
set_add(struct in_addr *s, size_t *n, struct in_addr a)
{
	for (size_t i = 0; i < *n; i++)
		if (s[i].s_addr == a.s_addr)
			return;
	if (*n < CARPD_MAX_BALANCED)
		s[(*n)++] = a;
}

void
balance_refresh(struct carpd *cd)
{
	struct iface	*ifp;
	struct in_addr	 set[CARPD_MAX_BALANCED];
	size_t		 n;

	TAILQ_FOREACH(ifp, &cd->ifaces, entry) {
		n = 0;
		for (int i = 0; i < CARPD_VHID_SLOTS; i++) {
			const struct vhid *v = ifp->by_vhid[i];

			for (size_t k = 0; v != NULL && v->cfg.nnodes > 0 &&
			    k < v->cfg.nvips; k++)
				set_add(set, &n, v->cfg.vips[k]);
		}
		if (ifp->arp_tb.burst == 0) {
			ifp->arp_tb.burst = BALANCE_ANSWER_BURST;
			ifp->arp_tb.period_ms = BALANCE_ANSWER_MS;
		}
		if (net_arp_watch(ifp, set, n) == -1)
			log_warnx("%s: ARP balancing: cannot capture the "
			    "requests: %s", ifp->name, ifp->err);
	}
}

/* A balanced vhid on the interface that serves `a`, or NULL. */
static const struct vhid *
balanced_for(const struct iface *ifp, struct in_addr a)
{
	for (int i = 0; i < CARPD_VHID_SLOTS; i++) {
		const struct vhid *v = ifp->by_vhid[i];

		for (size_t k = 0; v != NULL && v->cfg.nnodes > 0 &&
		    k < v->cfg.nvips; k++)
			if (v->cfg.vips[k].s_addr == a.s_addr)
				return v;
	}
	return NULL;
}

static bool
is_master(const struct iface *ifp, uint8_t vhid)
{
	const struct vhid *v = ifp->by_vhid[vhid];

	return v != NULL && v->cfg.nnodes > 0 && v->fsm.state == CARP_MASTER;
}

/*
 * One request: the node the requester hashes to answers, if we are its
 * master and the bucket has a token.  An announcement (sender = target)
 * asks nothing.
 */
void
balance_rx(struct iface *ifp, const uint8_t *frame, size_t caplen,
    size_t wirelen, void *arg)
{
	struct balance_stats	*st = &ifp->bal_stats;
	struct carp_arp_req	 rq;
	const struct vhid	*v;
	uint8_t			 mac[6], out[ARP_FRAME_LEN];
	unsigned long		 dummy;
	uint8_t			 node;

	(void)wirelen;
	(void)arg;
	if (carp_arp_req_parse(frame, caplen, &rq) == -1 ||
	    rq.spa.s_addr == rq.tpa.s_addr ||
	    (v = balanced_for(ifp, rq.tpa)) == NULL)
		return;
	st->requests++;
	node = v->cfg.nodes[carp_balance_node(rq.spa, v->cfg.nnodes)].vhid;
	if (!is_master(ifp, node)) {
		st->others++;
		return;
	}
	if (!log_ratelimit_ok(&ifp->arp_tb, now_ms(), &dummy)) {
		st->limited++;
		return;
	}
	vmac_addr(node, mac);
	carp_arp_reply_build(mac, &rq, out);
	if (net_send(ifp, out, sizeof(out)) == -1)
		st->send_errors++;
	else
		st->answered++;
}
