/*
 * vhid_rx.c: a received advert, from the capture of its interface to
 * the election: the checks that need the vhid (peer, TTL, destination,
 * HMAC, replay), drops counted and logged at a bounded rate, the senders
 * heard, then the fsm event (vhid_priv.h).
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

/* Who sent it, for carpctl peers; our own adverts are not a sender. */
static void
heard(struct vhid *v, const struct carp_rx *rx, enum carp_drop why)
{
	struct timespec now;

	if (why == CARP_DROP_LOOP)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	senders_heard(&v->senders, rx, why, vhid_now_ms(), &now);
}

static const char *
rx_src(const struct carp_rx *rx, char *buf, size_t len)
{
	if (rx->af == AF_INET6)
		inet_ntop(AF_INET6, &rx->src6, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET, &rx->src, buf, (socklen_t)len);
	return buf;
}

static void
drop(struct iface *ifp, struct vhid *v, enum carp_drop why,
    const struct carp_rx *rx)
{
	unsigned long	suppressed = 0;
	char		src[INET6_ADDRSTRLEN] = "?";

	if (v != NULL)
		v->stats.drops[why]++;
	else
		ifp->drops[why]++;
	/*
	 * Other vhids on a shared LAN are normal: debug only.  A mixed
	 * group is said once a minute by log_mixed().  The source is
	 * written out only for a line that is logged (a flood's cost).
	 */
	if (why == CARP_DROP_VHID || why == CARP_DROP_LOOP ||
	    why == CARP_DROP_MULTICAST) {
		if (log_debug_enabled() && rx != NULL)
			rx_src(rx, src, sizeof(src));
		log_debug("%s: dropped packet from %s: %s", ifp->name, src,
		    carp_drop_name(why));
		return;
	}
	if (!log_ratelimit_ok(&ifp->rl, vhid_now_ms(), &suppressed))
		return;
	if (rx != NULL)
		rx_src(rx, src, sizeof(src));
	if (suppressed > 0)
		log_warnx("%s: dropped packet from %s: %s "
		    "(%lu more bad packets not logged)", ifp->name, src,
		    carp_drop_name(why), suppressed);
	else
		log_warnx("%s: dropped packet from %s: %s", ifp->name, src,
		    carp_drop_name(why));
}

/*
 * A group cannot mix unicast and multicast hosts, and no host can tell
 * from its own settings: say so when the other kind shows up (rarely).
 */
static void
log_mixed(struct vhid *v, const struct carp_rx *rx, const char *what)
{
	unsigned long	suppressed;
	char		src[INET6_ADDRSTRLEN];

	if (log_ratelimit_ok(&v->mixed_rl, vhid_now_ms(), &suppressed))
		log_warnx("vhid %u on %s: %s advert from %s, but vhid %u %s: "
		    "every host of a group must use peers, or none",
		    v->cfg.vhid, v->ifp->name, what,
		    rx_src(rx, src, sizeof(src)),
		    v->cfg.vhid, v->cfg.npeers > 0 ? "uses unicast peers" :
		    "has no peers (multicast)");
}

/* Where it was sent, and by whom (doc/protocol.md, "Unicast peers"). */
static enum carp_drop
rx_check_peer(struct vhid *v, const struct carp_rx *rx)
{
	if (v->cfg.npeers == 0) {
		if (rx->dst.s_addr == v->cfg.group.s_addr)
			return CARP_RX_OK;
		if (rx->dst.s_addr == v->cfg.src.s_addr)
			log_mixed(v, rx, "a unicast");
		return CARP_DROP_DST;
	}
	if (IN_MULTICAST(ntohl(rx->dst.s_addr))) {
		log_mixed(v, rx, "a multicast");
		return CARP_DROP_MULTICAST;
	}
	if (!vhid_config_has_peer4(&v->cfg, rx->src))
		return CARP_DROP_NOT_PEER;
	if (rx->dst.s_addr != v->cfg.src.s_addr)
		return CARP_DROP_DST;
	return CARP_RX_OK;
}

/*
 * TTL 255: the advert was not routed.  A vhid with --peer-routed takes
 * its peers' adverts with any TTL.
 */
static enum carp_drop
rx_check_ttl(const struct vhid *v, const struct carp_rx *rx)
{
	if (rx->ttl == CARP_TTL)
		return CARP_RX_OK;
	if (v == NULL || !v->cfg.peer_routed)
		return CARP_DROP_TTL;
	if (rx->af == AF_INET6 ? vhid_config_has_peer6(&v->cfg, &rx->src6) :
	    vhid_config_has_peer4(&v->cfg, rx->src))
		return CARP_RX_OK;
	return CARP_DROP_TTL;
}

/*
 * IPv6 (doc/protocol.md, IPv6 and "Unicast peers"): to the group, or
 * with peers from a peer to our own address.
 */
static enum carp_drop
rx_check_dst6(struct vhid *v, const struct carp_rx *rx)
{
	bool to_us = memcmp(&rx->dst6, &v->cfg.src6, sizeof(rx->dst6)) == 0;

	if (v->cfg.npeers == 0) {
		/* Our source is link-local: peers list the global address. */
		if (memcmp(&rx->dst6, &v->cfg.group6, sizeof(rx->dst6)) != 0) {
			if (to_us || memcmp(&rx->dst6, &v->ifp->addr6g,
			    sizeof(rx->dst6)) == 0)
				log_mixed(v, rx, "a unicast");
			return CARP_DROP_DST;
		}
	} else if (IN6_IS_ADDR_MULTICAST(&rx->dst6)) {
		log_mixed(v, rx, "a multicast");
		return CARP_DROP_MULTICAST;
	} else if (!vhid_config_has_peer6(&v->cfg, &rx->src6))
		return CARP_DROP_NOT_PEER;
	else if (!to_us)
		return CARP_DROP_DST;
	if (memcmp(&rx->src6, &v->cfg.src6, sizeof(rx->src6)) == 0)
		return CARP_DROP_LOOP;
	return CARP_RX_OK;
}

/* The checks that need the vhid, cheapest first; the replay check last. */
static enum carp_drop
rx_check(struct vhid *v, const struct carp_rx *rx, int *rebased)
{
	struct carp_vipset	vs;
	enum carp_drop		why;
	bool			ours;

	if ((why = rx->af == AF_INET6 ? rx_check_dst6(v, rx) :
	    rx_check_peer(v, rx)) != CARP_RX_OK)
		return why;
	/* Without an address of our own we send from the virtual one. */
	if (rx->af == AF_INET && !v->carpdev &&
	    rx->src.s_addr == v->cfg.src.s_addr)
		return CARP_DROP_LOOP;
	vhid_vipset(v, &vs);
	if (!carp_hmac_verify_set(v->cfg.key, v->cfg.keylen, &vs, &rx->adv))
		return CARP_DROP_HMAC;
	/* A dual-stack vhid's last two adverts had the last two counters. */
	ours = rx->adv.counter == v->counter || (v->cfg.nvips > 0 &&
	    v->cfg.nvips6 > 0 && rx->adv.counter == v->counter - 1);
	if (vhid_own_mac(v, rx->src_mac) && (v->carpdev ||
	    (ours && v->stats.adverts_sent > 0)))
		return CARP_DROP_LOOP;	/* our own advert, relayed back */
	if (rx->af == AF_INET6)
		return carp_peer_check6(v->peers, CARP_MAX_PEERS, &rx->src6,
		    rx->adv.counter, vhid_now_ms(), rebased);
	return carp_peer_check(v->peers, CARP_MAX_PEERS, rx->src,
	    rx->adv.counter, vhid_now_ms(), rebased);
}

/*
 * A dual-stack peer is heard twice per interval.  Its IPv4 advert
 * settles a tie between masters (ucarp's rule on the IPv4 vhid_sources); its
 * IPv6 one, compared on other addresses, could settle it the other way,
 * so at a tie it only counts as a sign of life.
 */
static bool
rx_tie_only_v4(const struct vhid *v, const struct carp_rx *rx)
{
	return rx->af == AF_INET6 && v->cfg.nvips > 0 &&
	    v->fsm.state == CARP_MASTER &&
	    fsm_interval_us(rx->adv.advbase, rx->adv.advskew) ==
	    fsm_advert_us(&v->fsm.cfg);
}

/* An advert that passed every check: to the state machine. */
static void
rx_advert(struct vhid *v, const struct carp_rx *rx)
{
	struct fsm_input	in;
	struct fsm_output	out;
	char			src[INET6_ADDRSTRLEN];

	v->stats.adverts_rx++;
	log_debug("vhid %u %s: advert from %s advbase %u advskew %u "
	    "counter %llu", v->cfg.vhid, v->ifp->name,
	    rx_src(rx, src, sizeof(src)), rx->adv.advbase, rx->adv.advskew,
	    (unsigned long long)rx->adv.counter);
	if (rx_tie_only_v4(v, rx))
		return;
	memset(&in, 0, sizeof(in));
	in.ev = FSM_EV_ADVERT;
	in.src = rx->af == AF_INET6 ? vhid_tie6(&rx->src6) : rx->src;
	memcpy(in.src_mac, rx->src_mac, 6);
	in.advbase = rx->adv.advbase;
	in.advskew = rx->adv.advskew;
	in.demote = rx->adv.demote;
	fsm_step(&v->fsm, &in, &out);
	if (v->fsm.state == CARP_BACKUP) {	/* the master we follow */
		if (rx->af == AF_INET6)
			v->master6 = rx->src6;
		else
			v->master = rx->src;
		v->master_is6 = rx->af == AF_INET6;
	}
	vhid_apply(v, &out);
}

void
vhid_rx(struct iface *ifp, const uint8_t *frame, size_t caplen,
    size_t wirelen, void *arg)
{
	struct carp_rx		 rx;
	enum carp_drop		 why;
	struct vhid		*v;
	int			 rebased = 0;
	char			 src[INET6_ADDRSTRLEN];

	if (ifp->cd->exiting)
		return;
	memset(&rx, 0, sizeof(rx));
	if (caplen < wirelen) {
		drop(ifp, NULL, CARP_DROP_LENGTH, NULL);
		return;
	}
	if ((why = carp_rx_decode(frame, caplen, &rx)) != CARP_RX_OK) {
		/* VRRP routers on the LAN are no attack: count them quietly. */
		if (why == CARP_DROP_LENGTH && carp_looks_vrrp(frame, caplen)) {
			ifp->drops[why]++;
			log_debug("%s: ignored a VRRP advert", ifp->name);
			return;
		}
		drop(ifp, NULL, why, why >= CARP_DROP_IP_CKSUM ? &rx : NULL);
		return;
	}
	v = ifp->by_vhid[rx.adv.vhid];
	if (rx_check_ttl(v, &rx) != CARP_RX_OK) {
		drop(ifp, v, CARP_DROP_TTL, &rx);
		if (v != NULL)
			heard(v, &rx, CARP_DROP_TTL);
		return;
	}
	if (v == NULL) {
		drop(ifp, NULL, CARP_DROP_VHID, &rx);
		return;
	}
	why = rx_check(v, &rx, &rebased);
	heard(v, &rx, why);
	if (why != CARP_RX_OK) {
		drop(ifp, v, why, &rx);
		return;
	}
	if (rebased)
		log_info("vhid %u on %s: %s started a new advert counter "
		    "(restarted)", v->cfg.vhid, ifp->name,
		    rx_src(&rx, src, sizeof(src)));
	rx_advert(v, &rx);
}

