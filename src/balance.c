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

static void
set_add6(struct in6_addr *s, size_t *n, const struct in6_addr *a)
{
	for (size_t i = 0; i < *n; i++)
		if (memcmp(&s[i], a, sizeof(*a)) == 0)
			return;
	if (*n < CARPD_MAX_BALANCED)
		s[(*n)++] = *a;
}

/*
 * The solicitations for an address go to its solicited-node group
 * (ff02::1:ff00:0/104 and its last 24 bits): the interface must take it
 * even where no node device of ours holds the address.
 */
static void
join_solicited(struct iface *ifp, const struct in6_addr *a)
{
	struct in6_addr g = { { { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	    0xff } } };

	memcpy(&g.s6_addr[13], &a->s6_addr[13], 3);
	if (ifp->present && net_join6(ifp, &g) == -1)
		log_warn("%s: cannot join the solicited-node group of a "
		    "balanced address", ifp->name);
}

void
balance_refresh(struct carpd *cd)
{
	struct iface	*ifp;
	struct in_addr	 set[CARPD_MAX_BALANCED];
	struct in6_addr	 set6[CARPD_MAX_BALANCED];
	size_t		 n, n6;

	TAILQ_FOREACH(ifp, &cd->ifaces, entry) {
		n = n6 = 0;
		for (int i = 0; i < CARPD_VHID_SLOTS; i++) {
			const struct vhid *v = ifp->by_vhid[i];

			for (size_t k = 0; v != NULL && v->cfg.nnodes > 0 &&
			    k < v->cfg.nvips; k++)
				set_add(set, &n, v->cfg.vips[k]);
			for (size_t k = 0; v != NULL && v->cfg.nnodes > 0 &&
			    k < v->cfg.nvips6; k++)
				set_add6(set6, &n6, &v->cfg.vips6[k]);
		}
		if (ifp->arp_tb.burst == 0) {
			ifp->arp_tb.burst = BALANCE_ANSWER_BURST;
			ifp->arp_tb.period_ms = BALANCE_ANSWER_MS;
		}
		for (size_t k = 0; k < n6; k++)
			join_solicited(ifp, &set6[k]);
		if (net_arp_watch(ifp, set, n, set6, n6) == -1)
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

/* A balanced vhid on the interface that serves `a` (IPv6), or NULL. */
static const struct vhid *
balanced_for6(const struct iface *ifp, const struct in6_addr *a)
{
	for (int i = 0; i < CARPD_VHID_SLOTS; i++) {
		const struct vhid *v = ifp->by_vhid[i];

		for (size_t k = 0; v != NULL && v->cfg.nnodes > 0 &&
		    k < v->cfg.nvips6; k++)
			if (memcmp(&v->cfg.vips6[k], a, sizeof(*a)) == 0)
				return v;
	}
	return NULL;
}

/*
 * Node `node` has the question: 0 if we are to answer it now (master,
 * a token in the bucket), -1 otherwise; counted either way.
 */
static int
our_turn(struct iface *ifp, uint8_t node)
{
	unsigned long dummy;

	ifp->bal_stats.requests++;
	if (!is_master(ifp, node)) {
		ifp->bal_stats.others++;
		return -1;
	}
	if (!log_ratelimit_ok(&ifp->arp_tb, now_ms(), &dummy)) {
		ifp->bal_stats.limited++;
		return -1;
	}
	return 0;
}

static void
send_answer(struct iface *ifp, const uint8_t *frame, size_t len)
{
	if (net_send(ifp, frame, len) == -1)
		ifp->bal_stats.send_errors++;
	else
		ifp->bal_stats.answered++;
}

/*
 * One ARP request: the node the requester hashes to answers, if we are
 * its master and the bucket has a token.  An announcement (sender =
 * target) asks nothing.
 */
static void
arp_rx(struct iface *ifp, const uint8_t *frame, size_t caplen)
{
	struct carp_arp_req	 rq;
	const struct vhid	*v;
	uint8_t			 mac[6], out[ARP_FRAME_LEN];
	uint8_t			 node;

	if (carp_arp_req_parse(frame, caplen, &rq) == -1 ||
	    rq.spa.s_addr == rq.tpa.s_addr ||
	    (v = balanced_for(ifp, rq.tpa)) == NULL)
		return;
	node = v->cfg.nodes[carp_balance_node(rq.spa, v->cfg.nnodes)].vhid;
	if (our_turn(ifp, node) == -1)
		return;
	vmac_addr(node, mac);
	carp_arp_reply_build(mac, &rq, out);
	send_answer(ifp, out, sizeof(out));
}

/* The same for a neighbour solicitation, hashed on its source address. */
static void
ns_rx(struct iface *ifp, const uint8_t *frame, size_t caplen)
{
	struct carp_ns_req	 rq;
	const struct vhid	*v;
	uint8_t			 mac[6], out[NA_REPLY_LEN];
	uint8_t			 node;

	if (carp_ns_parse(frame, caplen, &rq) == -1 ||
	    (v = balanced_for6(ifp, &rq.target)) == NULL)
		return;
	node = v->cfg.nodes[carp_balance_node6(&rq.src, v->cfg.nnodes)].vhid;
	if (our_turn(ifp, node) == -1)
		return;
	vmac_addr(node, mac);
	carp_na_reply_build(mac, &rq, ifp->cd->ip6_forwarding, out);
	send_answer(ifp, out, sizeof(out));
}

void
balance_rx(struct iface *ifp, const uint8_t *frame, size_t caplen,
    size_t wirelen, void *arg)
{
	(void)wirelen;
	(void)arg;
	if (caplen >= 14 && frame[12] == 0x86 && frame[13] == 0xdd)
		ns_rx(ifp, frame, caplen);
	else
		arp_rx(ifp, frame, caplen);
}
