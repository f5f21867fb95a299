/*
 * vhid_send.c: what a vhid puts on the wire: its adverts (to the group or
 * to each unicast peer, from the real or the virtual MAC), and the
 * gratuitous ARP and unsolicited neighbour advertisements of a new
 * master, on their schedule (vhid_priv.h).
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

static uint16_t
ip_id(const struct vhid *v)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint16_t)v->counter;
	return id;
}

/* The group's frame: to its multicast MAC, or broadcast (--nomcast). */
/* 1: sent, -1: it failed (send errors demote, see vhid_senderr_count). */
static int
send_to_group(struct vhid *v, struct carp_frame_params *p,
    const struct carp_advert *a)
{
	uint8_t		frame[CARP_FRAME_LEN];
	uint32_t	g = ntohl(v->cfg.group.s_addr);

	if (v->cfg.broadcast)
		memset(p->dst_mac, 0xff, 6);
	else {
		/* RFC 1112: 01:00:5e and the low 23 bits of the group. */
		p->dst_mac[0] = 0x01;
		p->dst_mac[1] = 0x00;
		p->dst_mac[2] = 0x5e;
		p->dst_mac[3] = (g >> 16) & 0x7f;
		p->dst_mac[4] = (g >> 8) & 0xff;
		p->dst_mac[5] = g & 0xff;
	}
	p->dst = v->cfg.group;
	p->ip_id = ip_id(v);
	carp_frame_build(p, a, frame);
	if (net_send(v->ifp, frame, sizeof(frame)) == -1)
		return -1;
	v->stats.adverts_sent++;
	return 1;
}

/* Peer `i`'s MAC address for an advert; said once while it has none. */
static int
peer_mac(struct vhid *v, size_t i, uint8_t mac[6])
{
	char		buf[INET6_ADDRSTRLEN];
	uint32_t	bit = 1u << i;

	if (vhid_peer_lookup(v, i, mac) == -1) {
		v->stats.peer_unresolved++;
		if (!(v->peer_waiting & bit))
			log_warnx("vhid %u on %s: peer %s has no MAC address "
			    "yet; the kernel is asked to resolve it",
			    v->cfg.vhid, v->ifp->name,
			    vhid_peer_ntop(&v->cfg.peers[i], buf, sizeof(buf)));
		v->peer_waiting |= bit;
		return -1;
	}
	if (v->peer_waiting & bit)
		log_info("vhid %u on %s: peer %s resolved", v->cfg.vhid,
		    v->ifp->name,
		    vhid_peer_ntop(&v->cfg.peers[i], buf, sizeof(buf)));
	v->peer_waiting &= ~bit;
	return 0;
}

/*
 * One frame per peer, to the MAC address the kernel's neighbour table
 * has for it (neigh.c; doc/protocol.md, "Unicast peers").  A peer not
 * resolved yet misses this advert: it is being resolved.
 * 1: sent to a peer, -1: every send failed, 0: no peer resolved yet.
 */
static int
send_to_peers(struct vhid *v, struct carp_frame_params *p,
    const struct carp_advert *a)
{
	uint8_t	frame[CARP_FRAME_LEN];
	bool	sent = false, failed = false;

	for (size_t i = 0; i < v->cfg.npeers; i++) {
		if (v->cfg.peers[i].family != AF_INET ||
		    peer_mac(v, i, p->dst_mac) == -1)
			continue;
		p->dst = v->cfg.peers[i].addr.in4;
		p->ip_id = ip_id(v);
		carp_frame_build(p, a, frame);
		if (net_send(v->ifp, frame, sizeof(frame)) == 0)
			sent = true;
		else
			failed = true;
	}
	if (sent)
		v->stats.adverts_sent++;	/* adverts, not frames */
	return sent ? 1 : failed ? -1 : 0;
}

/* The IPv6 adverts: one frame per IPv6 peer, as send_to_peers(). */
static int
send_to_peers6(struct vhid *v, struct carp_frame6_params *p,
    const struct carp_advert *a)
{
	uint8_t	frame[CARP6_FRAME_LEN];
	bool	sent = false, failed = false;

	for (size_t i = 0; i < v->cfg.npeers; i++) {
		if (v->cfg.peers[i].family != AF_INET6 ||
		    peer_mac(v, i, p->dst_mac) == -1)
			continue;
		p->dst = v->cfg.peers[i].addr.in6;
		carp_frame6_build(p, a, frame);
		if (net_send(v->ifp, frame, sizeof(frame)) == 0)
			sent = true;
		else
			failed = true;
	}
	if (sent)
		v->stats.adverts_sent++;
	return sent ? 1 : failed ? -1 : 0;
}

/*
 * With `mac virtual` the master's frames come from the virtual MAC: the
 * switches learn its port from the adverts (doc/protocol.md).
 */
void
vhid_src_mac(const struct vhid *v, uint8_t mac[6])
{
	if (v->cfg.vmac)
		vmac_addr(v->cfg.vhid, mac);
	else
		memcpy(mac, v->ifp->mac, 6);
}

bool
vhid_own_mac(const struct vhid *v, const uint8_t mac[6])
{
	uint8_t vm[6];

	vhid_src_mac(v, vm);
	return memcmp(mac, vm, 6) == 0;
}

void
vhid_vipset(const struct vhid *v, struct carp_vipset *vs)
{
	vs->v4 = v->sorted_vips;
	vs->n4 = v->nsorted;
	vs->v6 = v->sorted_vips6;
	vs->n6 = v->nsorted6;
}

/*
 * One advert, each with its own counter: a receiver keeps a peer's
 * IPv4 and IPv6 sources apart, and the same counter from both would be
 * a replay from another address to it (doc/protocol.md, Counter).
 */
static void
make_advert(struct vhid *v, uint8_t advbase, uint8_t advskew,
    struct carp_advert *a)
{
	struct carp_vipset vs;

	memset(a, 0, sizeof(*a));
	a->version = CARP_VERSION;
	a->type = CARP_TYPE_ADVERT;
	a->vhid = v->cfg.vhid;
	a->advbase = advbase;
	a->advskew = advskew;
	a->demote = v->fsm.demote;
	a->authlen = CARP_AUTHLEN;
	a->counter = ++v->counter;
	vhid_vipset(v, &vs);
	carp_hmac_set(v->cfg.key, v->cfg.keylen, a->vhid, &vs, a->counter,
	    a->md);
}

static void
send_advert6(struct vhid *v, uint8_t advbase, uint8_t advskew)
{
	struct carp_frame6_params	p;
	struct carp_advert		a;
	uint8_t				frame[CARP6_FRAME_LEN];

	make_advert(v, advbase, advskew, &a);
	memset(&p, 0, sizeof(p));
	vhid_src_mac(v, p.src_mac);	/* the virtual MAC's port is learnt from it */
	p.src = v->cfg.src6;
	p.tclass = 0;		/* as OpenBSD */
	if (v->cfg.npeers > 0)
		(void)send_to_peers6(v, &p, &a);
	else {
		carp_mcast6_mac(&v->cfg.group6, p.dst_mac);
		p.dst = v->cfg.group6;
		carp_frame6_build(&p, &a, frame);
		if (net_send(v->ifp, frame, sizeof(frame)) == 0)
			v->stats.adverts_sent++;
	}
	log_debug("vhid %u %s: sent IPv6 advert advbase %u advskew %u "
	    "counter %llu", v->cfg.vhid, v->ifp->name, advbase, advskew,
	    (unsigned long long)a.counter);
}

/* An advert of each family the vhid has addresses of (OpenBSD's rule). */
void
vhid_send_advert(struct vhid *v, uint8_t advbase, uint8_t advskew)
{
	if (v->cfg.nvips > 0)
		vhid_send_advert4(v, advbase, advskew);
	if (v->cfg.nvips6 > 0)
		send_advert6(v, advbase, advskew);
}

void
vhid_send_advert4(struct vhid *v, uint8_t advbase, uint8_t advskew)
{
	struct carp_frame_params	p;
	struct carp_advert		a;
	int				r;

	make_advert(v, advbase, advskew, &a);

	memset(&p, 0, sizeof(p));
	vhid_src_mac(v, p.src_mac);
	p.src = v->cfg.src;
	p.tos = IPTOS_LOWDELAY;	/* as ucarp and OpenBSD send them */
	if (v->cfg.npeers > 0)
		r = send_to_peers(v, &p, &a);
	else
		r = send_to_group(v, &p, &a);
	if (r != 0)
		vhid_senderr_count(v, r == 1);
	log_debug("vhid %u %s: sent advert advbase %u advskew %u counter %llu",
	    v->cfg.vhid, v->ifp->name, advbase, advskew,
	    (unsigned long long)a.counter);
}

/*
 * Gratuitous ARP for each IPv4 address, unsolicited neighbour
 * advertisement for each IPv6 one (doc/protocol.md, IPv6), on the same
 * schedule.
 */
void
vhid_send_garp(struct vhid *v)
{
	uint8_t	frame[GARP_FRAME_LEN], na[NA_FRAME_LEN], mac[6];
	char	a[INET6_ADDRSTRLEN];

	vhid_src_mac(v, mac);
	/*
	 * Not for a balanced address (nor an unsolicited advertisement): it
	 * would point every client at this node; the switches learn the
	 * node's port from its adverts.
	 */
	for (size_t i = 0; v->cfg.nnodes == 0 && i < v->cfg.nvips; i++) {
		garp_frame_build(mac, v->cfg.vips[i], frame);
		net_send(v->ifp, frame, sizeof(frame));
		log_debug("vhid %u %s: sent gratuitous ARP for %s",
		    v->cfg.vhid, v->ifp->name, inet_ntoa(v->cfg.vips[i]));
	}
	for (size_t i = 0; v->cfg.nnodes == 0 && i < v->cfg.nvips6; i++) {
		na_frame_build(mac, &v->cfg.vips6[i],
		    v->cd->ip6_forwarding, na);
		net_send(v->ifp, na, sizeof(na));
		log_debug("vhid %u %s: sent neighbour advertisement for %s",
		    v->cfg.vhid, v->ifp->name, inet_ntop(AF_INET6,
		    &v->cfg.vips6[i], a, sizeof(a)));
	}
}

/*
 * Gratuitous ARP schedule (keepalived's knobs, ucarp's defaults): on
 * takeover a burst of garp_repeat ARPs garp_interval_ms apart, a second
 * burst garp_delay_ms later (default: two advert intervals, as ucarp),
 * then a burst every garp_refresh_s seconds while master, if set.
 */
static void
garp_arm(struct vhid *v, uint64_t ms)
{
	struct timeval tv = vhid_us_to_tv(ms * 1000);

	evtimer_del(v->garp_ev);
	evtimer_add(v->garp_ev, &tv);
}

uint64_t
vhid_garp_second_ms(const struct vhid *v)
{
	if (v->cfg.garp_delay_ms >= 0)
		return (uint64_t)v->cfg.garp_delay_ms;
	return 2 * fsm_cur_advert_us(&v->fsm) / 1000;
}

static void
garp_after_burst(struct vhid *v)
{
	if (v->garp_second_due) {
		v->garp_second_due = false;
		garp_arm(v, vhid_garp_second_ms(v));
	} else if (v->cfg.garp_refresh_s > 0)
		garp_arm(v, (uint64_t)v->cfg.garp_refresh_s * 1000);
}

void
vhid_garp_burst(struct vhid *v)
{
	vhid_send_garp(v);
	v->garp_left = v->cfg.garp_repeat > 0 ? v->cfg.garp_repeat - 1 : 0;
	while (v->garp_left > 0 && v->cfg.garp_interval_ms == 0) {
		vhid_send_garp(v);
		v->garp_left--;
	}
	if (v->garp_left > 0)
		garp_arm(v, v->cfg.garp_interval_ms);
	else
		garp_after_burst(v);
}

void
vhid_on_garp_timer(evutil_socket_t fd, short ev, void *arg)
{
	struct vhid *v = arg;

	if (v->fsm.state != CARP_MASTER)
		return;
	if (v->garp_left == 0) {
		vhid_garp_burst(v);
		return;
	}
	vhid_send_garp(v);
	if (--v->garp_left > 0)
		garp_arm(v, v->cfg.garp_interval_ms);
	else
		garp_after_burst(v);
}

void
vhid_garp_stop(struct vhid *v)
{
	evtimer_del(v->garp_ev);
	v->garp_left = 0;
	v->garp_second_due = false;
}
