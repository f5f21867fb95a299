/*
 * vhid_config.c: defaults, copies, comparison and the completeness
 * check of struct vhid_config.  The values themselves are parsed and
 * range-checked in options.c, which both the command line and
 * carpd.conf go through.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "demote.h"
#include "util.h"
#include "vhid_config.h"

void
vhid_config_defaults(struct vhid_config *vc)
{
	memset(vc, 0, sizeof(*vc));
	vc->advbase = 1;
	vc->deadratio = 3;
	vc->garp_repeat = 1;
	vc->garp_delay_ms = -1;
	vc->demote_skew = FSM_SKEW_MAX;
	inet_pton(AF_INET, CARP_DEFAULT_GROUP, &vc->group);
	inet_pton(AF_INET6, CARP_DEFAULT_GROUP6, &vc->group6);
}

void
vhid_config_copy(struct vhid_config *dst, const struct vhid_config *src)
{
	*dst = *src;
	dst->passfile = src->passfile ? xstrdup(src->passfile) : NULL;
	dst->upscript = src->upscript ? xstrdup(src->upscript) : NULL;
	dst->downscript = src->downscript ? xstrdup(src->downscript) : NULL;
	dst->xparam = src->xparam ? xstrdup(src->xparam) : NULL;
}

void
vhid_config_clear(struct vhid_config *c)
{
	free(c->passfile);
	free(c->upscript);
	free(c->downscript);
	free(c->xparam);
	explicit_bzero(c, sizeof(*c));
}

static int
streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
vhid_config_equal(const struct vhid_config *a, const struct vhid_config *b)
{
	return strcmp(a->ifname, b->ifname) == 0 && a->vhid == b->vhid &&
	    a->src.s_addr == b->src.s_addr &&
	    a->group.s_addr == b->group.s_addr &&
	    a->broadcast == b->broadcast && a->nvips == b->nvips &&
	    memcmp(a->vips, b->vips, a->nvips * sizeof(a->vips[0])) == 0 &&
	    memcmp(a->prefix, b->prefix, a->nvips) == 0 &&
	    memcmp(&a->src6, &b->src6, sizeof(a->src6)) == 0 &&
	    memcmp(&a->group6, &b->group6, sizeof(a->group6)) == 0 &&
	    a->nvips6 == b->nvips6 &&
	    memcmp(a->vips6, b->vips6, a->nvips6 * sizeof(a->vips6[0])) == 0 &&
	    memcmp(a->prefix6, b->prefix6, a->nvips6) == 0 &&
	    a->advbase == b->advbase && a->advskew == b->advskew &&
	    a->deadratio == b->deadratio && a->downfmt == b->downfmt &&
	    a->preempt == b->preempt && a->neutral == b->neutral &&
	    a->shutdown_script == b->shutdown_script &&
	    a->ignoreifstate == b->ignoreifstate &&
	    a->keylen == b->keylen &&
	    memcmp(a->key, b->key, a->keylen) == 0 &&
	    streq(a->upscript, b->upscript) &&
	    streq(a->downscript, b->downscript) &&
	    streq(a->xparam, b->xparam) &&
	    a->garp_repeat == b->garp_repeat &&
	    a->garp_interval_ms == b->garp_interval_ms &&
	    a->garp_delay_ms == b->garp_delay_ms &&
	    a->garp_refresh_s == b->garp_refresh_s && a->vmac == b->vmac &&
	    a->ngroups == b->ngroups &&
	    memcmp(a->groups, b->groups, sizeof(a->groups)) == 0 &&
	    a->demote_skew == b->demote_skew &&
	    a->preempt_delay_s == b->preempt_delay_s &&
	    strcmp(a->syncgroup, b->syncgroup) == 0 &&
	    a->peer_routed == b->peer_routed && a->npeers == b->npeers &&
	    memcmp(a->peers, b->peers, a->npeers * sizeof(a->peers[0])) == 0 &&
	    a->nnodes == b->nnodes &&
	    memcmp(a->nodes, b->nodes, a->nnodes * sizeof(a->nodes[0])) == 0;
}

void
vhid_config_node(struct vhid_config *out, const struct vhid_config *bal,
    size_t i)
{
	vhid_config_copy(out, bal);
	out->vhid = bal->nodes[i].vhid;
	out->advskew = bal->nodes[i].advskew;
	out->vmac = true;	/* a node answers with its own MAC */
}

const char *
vhid_peer_ntop(const struct vhid_peer *p, char *buf, size_t len)
{
	if (inet_ntop(p->family, &p->addr, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

bool
vhid_config_joins(const struct vhid_config *vc)
{
	return !vc->broadcast && vc->npeers == 0;
}

bool
vhid_config_has_peer4(const struct vhid_config *vc, struct in_addr a)
{
	for (size_t i = 0; i < vc->npeers; i++)
		if (vc->peers[i].family == AF_INET &&
		    vc->peers[i].addr.in4.s_addr == a.s_addr)
			return true;
	return false;
}

bool
vhid_config_has_peer6(const struct vhid_config *vc, const struct in6_addr *a)
{
	for (size_t i = 0; i < vc->npeers; i++)
		if (vc->peers[i].family == AF_INET6 &&
		    memcmp(&vc->peers[i].addr.in6, a, sizeof(*a)) == 0)
			return true;
	return false;
}

size_t
vhid_config_npeers(const struct vhid_config *vc, int family)
{
	size_t n = 0;

	for (size_t i = 0; i < vc->npeers; i++)
		if (vc->peers[i].family == family)
			n++;
	return n;
}

/* The first IPv6 peer, or NULL. */
static const struct vhid_peer *
first_peer6(const struct vhid_config *vc)
{
	for (size_t i = 0; i < vc->npeers; i++)
		if (vc->peers[i].family == AF_INET6)
			return &vc->peers[i];
	return NULL;
}

bool
vhid_config_peers_ll(const struct vhid_config *vc)
{
	const struct vhid_peer *p = first_peer6(vc);

	return p != NULL && IN6_IS_ADDR_LINKLOCAL(&p->addr.in6);
}

/* Our own source or one of our virtual addresses: not another host. */
static bool
peer_is_ours(const struct vhid_config *vc, const struct vhid_peer *p,
    const char **what)
{
	static const char *const own = "this host's own source address "
	    "(srcip): a peer is another host";
	static const char *const vip = "one of its virtual addresses: a "
	    "peer is another host's own address";

	*what = own;
	if (p->family == AF_INET) {
		if (vc->src.s_addr == p->addr.in4.s_addr)
			return true;
		*what = vip;
		for (size_t k = 0; k < vc->nvips; k++)
			if (vc->vips[k].s_addr == p->addr.in4.s_addr)
				return true;
		return false;
	}
	if (memcmp(&vc->src6, &p->addr.in6, sizeof(vc->src6)) == 0)
		return true;
	*what = vip;
	for (size_t k = 0; k < vc->nvips6; k++)
		if (memcmp(&vc->vips6[k], &p->addr.in6, sizeof(p->addr.in6)) == 0)
			return true;
	return false;
}

/* A peer must be another host: not our source, not a virtual address. */
static int
peers_complete(const struct vhid_config *vc, char *msg, size_t len)
{
	const char	*what;
	char		 a[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < vc->npeers; i++) {
		const struct vhid_peer *p = &vc->peers[i];

		if (peer_is_ours(vc, p, &what)) {
			snprintf(msg, len, "vhid %u: peer %s is %s", vc->vhid,
			    vhid_peer_ntop(p, a, sizeof(a)), what);
			return -1;
		}
	}
	return 0;
}

/*
 * IPv6 peers are all link-local or none: the adverts go from one source
 * address (doc/protocol.md, "Unicast peers"), which every peer lists.
 */
static int
peers_scope_msg(const struct vhid_config *vc, const char *peer, char *msg,
    size_t len)
{
	const struct vhid_peer	*p6 = first_peer6(vc);
	char			 a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < vc->npeers; i++) {
		const struct vhid_peer *p = &vc->peers[i];

		if (p->family != AF_INET6 || IN6_IS_ADDR_LINKLOCAL(&p->addr.in6)
		    == IN6_IS_ADDR_LINKLOCAL(&p6->addr.in6))
			continue;
		snprintf(msg, len, "vhid %u: %s \"%s\" and %s \"%s\": IPv6 "
		    "peers must be all link-local (fe80::/10) or none, since "
		    "the adverts go from one source address that every peer "
		    "lists", vc->vhid, peer, vhid_peer_ntop(p6, a, sizeof(a)),
		    peer, vhid_peer_ntop(p, b, sizeof(b)));
		return -1;
	}
	return 0;
}

/*
 * Peers of a family the vhid has no addresses of, or a family of its
 * addresses without peers: a vhid with peers sends every advert
 * unicast, and a group is unicast or multicast for both families.
 */
static int
peers_family_msg(const struct vhid_config *vc, const char *peer, char *msg,
    size_t len)
{
	char	a[INET6_ADDRSTRLEN];
	size_t	n4 = vhid_config_npeers(vc, AF_INET);
	size_t	n6 = vhid_config_npeers(vc, AF_INET6);

	for (size_t i = 0; i < vc->npeers; i++) {
		const struct vhid_peer *p = &vc->peers[i];
		bool v4 = p->family == AF_INET;

		if ((v4 ? vc->nvips : vc->nvips6) > 0)
			continue;
		snprintf(msg, len, "vhid %u: %s %s is an IPv%c address, but "
		    "the vhid has only IPv%c addresses: give its peers' IPv%c "
		    "addresses", vc->vhid, peer, vhid_peer_ntop(p, a,
		    sizeof(a)), v4 ? '4' : '6', v4 ? '6' : '4', v4 ? '6' : '4');
		return -1;
	}
	if (vc->npeers == 0 || ((vc->nvips == 0 || n4 > 0) &&
	    (vc->nvips6 == 0 || n6 > 0)))
		return peers_scope_msg(vc, peer, msg, len);
	snprintf(msg, len, "vhid %u has IPv4 and IPv6 addresses but only "
	    "IPv%c peers: give a %s of each family (a vhid with peers sends "
	    "its adverts of both families unicast)", vc->vhid,
	    n4 > 0 ? '4' : '6', peer);
	return -1;
}

/*
 * Settings of one family on a vhid without addresses of it: a mistake
 * (an IPv4 group for IPv6 adverts, an IPv6 source for IPv4 ones).
 */
int
vhid_config_family_msg(const struct vhid_config *vc, int cli, char *msg,
    size_t len)
{
	const char	*srcip = cli ? "--srcip (-s)" : "srcip";
	const char	*mcast = cli ? "--mcast (-m)" : "mcast";
	const char	*nomcast = cli ? "--nomcast (-M)" : "nomcast";
	struct in_addr	 g;
	struct in6_addr	 g6;
	char		 a[INET6_ADDRSTRLEN];

	inet_pton(AF_INET, CARP_DEFAULT_GROUP, &g);
	inet_pton(AF_INET6, CARP_DEFAULT_GROUP6, &g6);
	if (vc->nvips == 0 && vc->group.s_addr != g.s_addr)
		snprintf(msg, len, "vhid %u: %s %s is an IPv4 group, but "
		    "the vhid has only IPv6 addresses: give an IPv6 group "
		    "such as ff02::12", vc->vhid, mcast,
		    inet_ntop(AF_INET, &vc->group, a, sizeof(a)));
	else if (vc->nvips == 0 && vc->src.s_addr != INADDR_ANY)
		snprintf(msg, len, "vhid %u: %s %s is an IPv4 address, but "
		    "the vhid has only IPv6 addresses: give an IPv6 source",
		    vc->vhid, srcip, inet_ntop(AF_INET, &vc->src, a, sizeof(a)));
	else if (vc->nvips == 0 && vc->broadcast)
		snprintf(msg, len, "vhid %u: %s is for IPv4 adverts, but "
		    "the vhid has only IPv6 addresses (IPv6 has no broadcast)",
		    vc->vhid, nomcast);
	else if (vc->nvips6 == 0 && !IN6_IS_ADDR_UNSPECIFIED(&vc->src6))
		snprintf(msg, len, "vhid %u: %s %s is an IPv6 address, but "
		    "the vhid has only IPv4 addresses: give an IPv4 source",
		    vc->vhid, srcip, inet_ntop(AF_INET6, &vc->src6, a,
		    sizeof(a)));
	else if (vc->nvips6 == 0 && memcmp(&vc->group6, &g6, sizeof(g6)) != 0)
		snprintf(msg, len, "vhid %u: %s %s is an IPv6 group, but "
		    "the vhid has only IPv4 addresses: give an IPv4 group "
		    "such as 224.0.0.18", vc->vhid, mcast,
		    inet_ntop(AF_INET6, &vc->group6, a, sizeof(a)));
	else
		return peers_family_msg(vc, cli ? "--peer" : "peer", msg, len);
	return -1;
}

int
vhid_config_complete(const struct vhid_config *vc, char *msg, size_t len)
{
	if (vc->vhid == 0)
		snprintf(msg, len, "no vhid: a number from 1 to 255 is required");
	else if (vc->nvips == 0 && vc->nvips6 == 0)
		snprintf(msg, len, "vhid %u has no virtual address", vc->vhid);
	else if (vhid_config_family_msg(vc, 0, msg, len) == -1)
		return -1;
	else if (vc->keylen == 0)
		snprintf(msg, len, "vhid %u has no password (pass or passfile)",
		    vc->vhid);
	else if (vc->advbase == 0 && vc->advskew == 0)
		snprintf(msg, len, "vhid %u: advbase 0 needs advskew from 1 "
		    "to 254: the advert interval is advbase + advskew/256 "
		    "seconds and cannot be 0", vc->vhid);
	else
		return peers_complete(vc, msg, len);
	return -1;
}

const char *
vhid_config_notify_group(const struct vhid_config *vc)
{
	return vc->ngroups > 0 ? vc->groups[0] : DEMOTE_ALL;
}
