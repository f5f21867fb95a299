/*
 * neigh.c: the kernel's side of unicast adverts (doc/protocol.md,
 * "Unicast peers").
 *
 * An advert to a peer is a frame to the peer's MAC address, which the
 * kernel's neighbour table knows.  The network process cannot read
 * /proc after its chroot, so the table comes from rtnetlink: one dump of
 * the neighbours (IPv4 and IPv6), then the RTM_NEWNEIGH and RTM_DELNEIGH
 * events, for the addresses asked about (the watch list).  A peer
 * without a usable entry is resolved by the kernel, not guessed: an
 * empty UDP datagram to the peer's discard port (9) makes the kernel
 * send its own ARP request or neighbour solicitation and fill in the
 * entry, which the events then bring.
 *
 * A unicast advert reaches the peer's IP stack too, and a kernel with
 * no handler for protocol 112 answers each one with ICMP "protocol
 * unreachable" (ICMPv6 "unrecognized next header").  A raw socket of
 * protocol 112 per family counts as a handler; it carries a filter that
 * accepts nothing, so it never queues a packet.
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <event2/event.h>

#include "log.h"
#include "neigh.h"
#include "proto.h"

#define NEIGH_MAX	4096	/* watched addresses */
#define NEIGH_ASK_MS	1000	/* between two resolutions of one address */
#define NEIGH_DISCARD	9	/* the port of the resolving datagram */
#define NEIGH_USABLE	(NUD_REACHABLE | NUD_STALE | NUD_DELAY | \
			 NUD_PROBE | NUD_PERMANENT | NUD_NOARP)

/* An address of either family: 4 or 16 bytes of `a`. */
struct neigh_addr {
	int		family;
	uint8_t		a[16];
};

struct neigh_entry {
	int		ifindex;
	struct neigh_addr addr;		/* the peer */
	struct neigh_addr via;		/* its next hop: itself, or a router */
	uint32_t	route_seq;	/* of the route asked for it */
	uint8_t		mac[6];
	bool		usable;
	long long	asked_ms;	/* last resolution asked; 0: never */
};

struct neigh {
	int			 nl_fd;
	int			 udp_fd;	/* resolves: datagrams to peers */
	int			 udp6_fd;	/* ... IPv6 ones */
	int			 sink_fd;	/* protocol 112: no ICMP */
	int			 sink6_fd;	/* ... no ICMPv6 */
	struct event		*nl_ev;
	struct neigh_entry	*tab;
	size_t			 n;
	bool			 dumping;
	bool			 dump_again;
	uint32_t		 dump_seq;
	uint32_t		 seq;
};

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static bool
addr_eq(const struct neigh_addr *x, const struct neigh_addr *y)
{
	return x->family == y->family &&
	    memcmp(x->a, y->a, alen(x->family)) == 0;
}

static const char *
addr_str(const struct neigh_addr *x, char *buf, size_t len)
{
	if (inet_ntop(x->family, x->a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

static struct neigh_entry *
find(struct neigh *nb, int ifindex, const struct neigh_addr *a)
{
	for (size_t i = 0; i < nb->n; i++)
		if (nb->tab[i].ifindex == ifindex &&
		    addr_eq(&nb->tab[i].addr, a))
			return &nb->tab[i];
	return NULL;
}

static void
request_dump(struct neigh *nb)
{
	struct {
		struct nlmsghdr	nh;
		struct ndmsg	nd;
	} rq;

	if (nb->dumping) {
		nb->dump_again = true;
		return;
	}
	memset(&rq, 0, sizeof(rq));
	rq.nh.nlmsg_len = sizeof(rq);
	rq.nh.nlmsg_type = RTM_GETNEIGH;
	rq.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rq.nh.nlmsg_seq = nb->dump_seq = ++nb->seq;
	rq.nd.ndm_family = AF_UNSPEC;	/* both families */
	if (send(nb->nl_fd, &rq, sizeof(rq), 0) == -1) {
		log_warn("neighbours: cannot ask the kernel for its table");
		return;
	}
	nb->dumping = true;
	nb->dump_again = false;
}

/* The entry's next hop is at `ll`, or unusable (NULL). */
static void
neigh_set(struct neigh_entry *e, const uint8_t *ll)
{
	char	peer[INET6_ADDRSTRLEN], via[INET6_ADDRSTRLEN];
	bool	routed = !addr_eq(&e->via, &e->addr);

	addr_str(&e->addr, peer, sizeof(peer));
	addr_str(&e->via, via, sizeof(via));
	if (ll == NULL) {
		if (e->usable)
			log_debug("neighbours: %s is no longer resolved", peer);
		e->usable = false;
		return;
	}
	if (!e->usable || memcmp(e->mac, ll, 6) != 0)
		log_info("neighbours: %s%s%s is at "
		    "%02x:%02x:%02x:%02x:%02x:%02x", peer,
		    routed ? " via " : "", routed ? via : "",
		    ll[0], ll[1], ll[2], ll[3], ll[4], ll[5]);
	memcpy(e->mac, ll, 6);
	e->usable = true;
}

/* One RTM_NEWNEIGH or RTM_DELNEIGH: update the watched entries. */
static void
on_neigh(struct neigh *nb, const struct nlmsghdr *nh)
{
	const struct ndmsg	*nd = NLMSG_DATA(nh);
	const struct rtattr	*rta;
	const uint8_t		*ll = NULL;
	struct neigh_entry	*e;
	struct neigh_addr	 dst;
	bool			 have_dst = false;
	int			 len;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)) ||
	    (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6))
		return;
	memset(&dst, 0, sizeof(dst));
	dst.family = nd->ndm_family;
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
	for (rta = (const struct rtattr *)((const char *)nd +
	    NLMSG_ALIGN(sizeof(*nd))); RTA_OK(rta, len);
	    rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST &&
		    RTA_PAYLOAD(rta) == alen(dst.family)) {
			memcpy(dst.a, RTA_DATA(rta), alen(dst.family));
			have_dst = true;
		} else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6)
			ll = RTA_DATA(rta);
	}
	if (!have_dst)
		return;
	/* Every peer reached through that neighbour (a router: several). */
	for (size_t i = 0; i < nb->n; i++) {
		e = &nb->tab[i];
		if (e->ifindex == nd->ndm_ifindex && addr_eq(&e->via, &dst))
			neigh_set(e, nh->nlmsg_type == RTM_DELNEIGH ||
			    !(nd->ndm_state & NEIGH_USABLE) ? NULL : ll);
	}
}

static void	resolve(struct neigh *, struct neigh_entry *);

/*
 * Which neighbour a peer is reached through: the route's gateway for a
 * peer behind a router (--peer-routed), else the peer itself.
 */
static void
request_route(struct neigh *nb, struct neigh_entry *e)
{
	struct {
		struct nlmsghdr	nh;
		struct rtmsg	rt;
		struct rtattr	oif;
		int		ifindex;
		struct rtattr	dst;
		uint8_t		addr[16];
	} rq;
	char buf[INET6_ADDRSTRLEN];

	memset(&rq, 0, sizeof(rq));
	rq.nh.nlmsg_len = (uint32_t)(offsetof(__typeof__(rq), addr) +
	    alen(e->addr.family));
	rq.nh.nlmsg_type = RTM_GETROUTE;
	rq.nh.nlmsg_flags = NLM_F_REQUEST;
	rq.nh.nlmsg_seq = e->route_seq = ++nb->seq;
	rq.rt.rtm_family = (unsigned char)e->addr.family;
	rq.rt.rtm_dst_len = (unsigned char)(8 * alen(e->addr.family));
	rq.oif.rta_len = RTA_LENGTH(sizeof(rq.ifindex));
	rq.oif.rta_type = RTA_OIF;
	rq.ifindex = e->ifindex;
	rq.dst.rta_len = (unsigned short)RTA_LENGTH(alen(e->addr.family));
	rq.dst.rta_type = RTA_DST;
	memcpy(rq.addr, e->addr.a, alen(e->addr.family));
	if (send(nb->nl_fd, &rq, rq.nh.nlmsg_len, 0) == -1)
		log_warn("neighbours: cannot ask the route to %s",
		    addr_str(&e->addr, buf, sizeof(buf)));
}

/* The answer to request_route(). */
static void
on_route(struct neigh *nb, const struct nlmsghdr *nh)
{
	const struct rtmsg	*rt = NLMSG_DATA(nh);
	const struct rtattr	*rta;
	struct neigh_addr	 gw;
	bool			 have_gw = false;
	int			 len;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*rt)) ||
	    (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6))
		return;
	memset(&gw, 0, sizeof(gw));
	gw.family = rt->rtm_family;
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*rt)));
	for (rta = RTM_RTA(rt); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == RTA_GATEWAY &&
		    RTA_PAYLOAD(rta) == alen(gw.family)) {
			memcpy(gw.a, RTA_DATA(rta), alen(gw.family));
			have_gw = true;
		}
	for (size_t i = 0; i < nb->n; i++) {
		struct neigh_entry *e = &nb->tab[i];
		const struct neigh_addr *via = have_gw ? &gw : &e->addr;

		if (e->route_seq != nh->nlmsg_seq ||
		    e->addr.family != gw.family || addr_eq(&e->via, via))
			continue;
		e->via = *via;
		e->usable = false;
		request_dump(nb);	/* the router may be known already */
	}
}

/* After a dump: what the table lacks, the kernel resolves. */
static void
resolve_missing(struct neigh *nb)
{
	for (size_t i = 0; i < nb->n; i++)
		if (!nb->tab[i].usable)
			resolve(nb, &nb->tab[i]);
}

static void
on_readable(evutil_socket_t fd, short ev, void *arg)
{
	struct neigh	*nb = arg;
	char		 buf[16384] __attribute__((aligned(8)));
	ssize_t		 n;

	for (;;) {
		const struct nlmsghdr	*nh = (const struct nlmsghdr *)buf;
		struct sockaddr_nl	 from;
		socklen_t		 fromlen = sizeof(from);
		size_t			 left;

		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fromlen);
		if (n == 0)
			return;
		if (n == -1) {
			if (errno == ENOBUFS) {
				/* Events were lost: read the table again. */
				nb->dumping = false;
				request_dump(nb);
				continue;
			}
			if (errno != EAGAIN && errno != EINTR)
				log_warn("neighbours: netlink");
			return;
		}
		if (from.nl_pid != 0)
			continue;	/* only the kernel speaks here */
		left = (size_t)n;
		for (; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_type == RTM_NEWROUTE)
				on_route(nb, nh);
			else if ((nh->nlmsg_type == NLMSG_DONE ||
			    nh->nlmsg_type == NLMSG_ERROR) &&
			    nh->nlmsg_seq == nb->dump_seq) {
				nb->dumping = false;
				if (nb->dump_again)
					request_dump(nb);
				else
					resolve_missing(nb);
			} else if (nh->nlmsg_type == RTM_NEWNEIGH ||
			    nh->nlmsg_type == RTM_DELNEIGH)
				on_neigh(nb, nh);
		}
	}
}

/* A raw socket of protocol 112 that never holds a packet. */
static int
open_sink(int family)
{
	struct sock_filter	drop = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog	prog = { 1, &drop };
	int			fd;

	fd = socket(family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    CARP_PROTO);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The IPv6 side; a host without IPv6 has IPv4 peers only. */
static void
open_ipv6(struct neigh *nb)
{
	if ((nb->udp6_fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1)
		log_debug("neighbours: no IPv6 datagram socket: %s",
		    strerror(errno));
	else if ((nb->sink6_fd = open_sink(AF_INET6)) == -1)
		log_warn("unicast IPv6 adverts: no protocol 112 socket; the "
		    "kernel may answer them with ICMPv6");
}

struct neigh *
neigh_new(struct event_base *base)
{
	struct sockaddr_nl	 sa;
	struct neigh		*nb;

	if ((nb = calloc(1, sizeof(*nb))) == NULL)
		fatal("calloc");
	nb->udp_fd = nb->udp6_fd = nb->sink_fd = nb->sink6_fd = -1;
	nb->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    NETLINK_ROUTE);
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_NEIGH;
	if (nb->nl_fd == -1 ||
	    bind(nb->nl_fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    (nb->udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1 ||
	    (nb->nl_ev = event_new(base, nb->nl_fd, EV_READ | EV_PERSIST,
	    on_readable, nb)) == NULL || event_add(nb->nl_ev, NULL) == -1) {
		log_warn("neighbours: cannot watch the kernel's table");
		neigh_free(nb);
		return NULL;
	}
	if ((nb->sink_fd = open_sink(AF_INET)) == -1)
		log_warn("unicast adverts: no protocol 112 socket; the "
		    "kernel may answer them with ICMP");
	open_ipv6(nb);
	request_dump(nb);
	return nb;
}

void
neigh_free(struct neigh *nb)
{
	if (nb == NULL)
		return;
	if (nb->nl_ev != NULL)
		event_free(nb->nl_ev);
	if (nb->nl_fd != -1)
		close(nb->nl_fd);
	if (nb->udp_fd != -1)
		close(nb->udp_fd);
	if (nb->udp6_fd != -1)
		close(nb->udp6_fd);
	if (nb->sink_fd != -1)
		close(nb->sink_fd);
	if (nb->sink6_fd != -1)
		close(nb->sink6_fd);
	free(nb->tab);
	free(nb);
}

/*
 * Let the kernel resolve `e`: it sends an ARP request or a neighbour
 * solicitation for a datagram it has to send.
 */
static void
resolve(struct neigh *nb, struct neigh_entry *e)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	struct sockaddr		*sa = (struct sockaddr *)&sin;
	socklen_t		salen = sizeof(sin);
	long long		now = mono_ms();
	char			buf[INET6_ADDRSTRLEN];
	int			fd = nb->udp_fd;

	if (e->asked_ms != 0 && now - e->asked_ms < NEIGH_ASK_MS)
		return;
	e->asked_ms = now;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(NEIGH_DISCARD);
	memcpy(&sin.sin_addr, e->addr.a, 4);
	if (e->addr.family == AF_INET6) {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(NEIGH_DISCARD);
		memcpy(&sin6.sin6_addr, e->addr.a, 16);
		sin6.sin6_scope_id = (uint32_t)e->ifindex;	/* link-local */
		sa = (struct sockaddr *)&sin6;
		salen = sizeof(sin6);
		fd = nb->udp6_fd;
	}
	addr_str(&e->addr, buf, sizeof(buf));
	if (sendto(fd, "", 0, 0, sa, salen) == -1)
		log_debug("neighbours: resolving %s: %s", buf, strerror(errno));
	else
		log_debug("neighbours: resolving %s", buf);
}

int
neigh_lookup(struct neigh *nb, int ifindex, int family, const void *addr,
    uint8_t mac[6])
{
	struct neigh_entry	*e;
	struct neigh_addr	 a;

	memset(&a, 0, sizeof(a));
	a.family = family;
	memcpy(a.a, addr, alen(family));
	if ((e = find(nb, ifindex, &a)) == NULL) {
		if (nb->n == NEIGH_MAX)
			return -1;
		if (nb->n % 16 == 0 && (nb->tab = reallocarray(nb->tab,
		    nb->n + 16, sizeof(*nb->tab))) == NULL)
			fatal("reallocarray");
		e = &nb->tab[nb->n++];
		memset(e, 0, sizeof(*e));
		e->ifindex = ifindex;
		e->addr = e->via = a;
		request_route(nb, e);
		request_dump(nb);	/* it may be in the table already */
		return -1;
	}
	if (e->usable) {
		memcpy(mac, e->mac, 6);
		return 0;
	}
	resolve(nb, e);
	return -1;
}
