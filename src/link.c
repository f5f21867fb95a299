/*
 * link.c: watch links and addresses with rtnetlink (RTMGRP_LINK,
 * RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR) from the event loop.  An
 * interface that is missing or down is kept, closed, and opened when it shows up; its vhids wait.
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <event2/event.h>

#include "carpd.h"
#include "link.h"
#include "net.h"
#include "vhid.h"

static void
vhids_event(struct iface *ifp, enum fsm_event ev)
{
	for (int i = 0; i < CARPD_VHID_SLOTS; i++) {
		struct vhid *v = ifp->by_vhid[i];

		/* One that never started waits in vhid_try_start_all(). */
		if (v == NULL || v->cfg.ignoreifstate || !v->started)
			continue;
		if (ev == FSM_EV_LINK_DOWN && v->fsm.state == CARP_INIT)
			continue;
		if (ev == FSM_EV_LINK_UP && v->fsm.state != CARP_INIT)
			continue;
		vhid_event(v, ev);
	}
}

/*
 * Bring the vhids of `ifp` in line with it: those that wait may start,
 * the others follow its address, then its link state.
 */
void
link_sync(struct iface *ifp)
{
	net_iface_read_addr(ifp);
	for (int i = 0; i < CARPD_VHID_SLOTS; i++)
		if (ifp->by_vhid[i] != NULL)
			vhid_refresh(ifp->by_vhid[i]);
	vhids_event(ifp, ifp->link_up ? FSM_EV_LINK_UP : FSM_EV_LINK_DOWN);
}

/* Removed, renamed or replaced: the vhids leave (bowing out first). */
static void
iface_gone(struct iface *ifp, const char *how)
{
	log_warnx("%s: interface %s", ifp->name, how);
	vhids_event(ifp, FSM_EV_LINK_DOWN);
	net_iface_gone(ifp);
}

/* An interface of a name we wait for exists, maybe down. */
static void
iface_appeared(struct iface *ifp, const struct ifinfomsg *ifi)
{
	char	olderr[sizeof(ifp->err)];
	bool	was_open = ifp->opened;

	if (ifp->present)
		iface_gone(ifp, "replaced");	/* its removal went unseen */
	memcpy(olderr, ifp->err, sizeof(olderr));
	if (!(ifi->ifi_flags & IFF_UP)) {
		/* Opening would fail (ENETDOWN): wait for it to be set up. */
		ifp->absent = CARPD_WAIT_IF_DOWN;
		snprintf(ifp->err, sizeof(ifp->err), "interface is down");
	} else if (net_iface_reopen(ifp) == 0)
		log_info("%s: interface is %s (index %d)", ifp->name,
		    was_open ? "back" : "there", ifp->ifindex);
	else if (was_open && strcmp(olderr, ifp->err) != 0)
		log_warnx("%s: cannot reopen: %s", ifp->name, ifp->err);
	link_sync(ifp);
}

static struct iface *
iface_by_name(struct carpd *cd, const char *name)
{
	struct iface *ifp;

	TAILQ_FOREACH(ifp, &cd->ifaces, entry)
		if (strcmp(ifp->name, name) == 0)
			return ifp;
	return NULL;
}

static struct iface *
iface_by_index(struct carpd *cd, int index)
{
	struct iface *ifp;

	TAILQ_FOREACH(ifp, &cd->ifaces, entry)
		if (ifp->present && ifp->ifindex == index)
			return ifp;
	return NULL;
}

static void
on_link(struct carpd *cd, const struct ifinfomsg *ifi, const char *name,
    int deleted)
{
	struct iface	*ifp;
	bool		 up;

	/* Ours under another name now: gone under the one configured. */
	if ((ifp = iface_by_index(cd, ifi->ifi_index)) != NULL &&
	    strcmp(ifp->name, name) != 0)
		iface_gone(ifp, "renamed");
	if ((ifp = iface_by_name(cd, name)) == NULL)
		return;
	if (deleted) {
		if (ifp->present && ifi->ifi_index == ifp->ifindex)
			iface_gone(ifp, "removed");
		return;
	}
	if (!ifp->present || ifi->ifi_index != ifp->ifindex) {
		iface_appeared(ifp, ifi);
		return;
	}
	up = (ifi->ifi_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
	/* An interface set down breaks the capture (ENETDOWN): reopen it. */
	if (up && ifp->rx_dead) {
		bool was_up = ifp->link_up;

		if (net_iface_reopen(ifp) == -1) {
			log_warnx("%s: cannot reopen: %s", ifp->name, ifp->err);
			link_sync(ifp);
			return;
		}
		log_info("%s: capture reopened", ifp->name);
		ifp->link_up = was_up;	/* the change is taken below */
	}
	if (up == ifp->link_up)
		return;
	ifp->link_up = up;
	log_info("%s: link %s", ifp->name, up ? "up" : "down (no carrier "
	    "or administratively down)");
	link_sync(ifp);
}

static void
on_newlink(struct carpd *cd, const struct nlmsghdr *nh)
{
	const struct ifinfomsg	*ifi = NLMSG_DATA(nh);
	const struct rtattr	*rta;
	int			 len;
	char			 name[IF_NAMESIZE] = "";

	len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));
	if (len < 0)
		return;
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == IFLA_IFNAME) {
			size_t l = RTA_PAYLOAD(rta);

			if (l >= sizeof(name))
				l = sizeof(name) - 1;
			memcpy(name, RTA_DATA(rta), l);
			name[l] = '\0';
		}
	if (name[0] != '\0')
		on_link(cd, ifi, name, nh->nlmsg_type == RTM_DELLINK);
}

/* An address came or went: the vhids taking their source follow. */
static void
on_addr(struct carpd *cd, const struct nlmsghdr *nh)
{
	const struct ifaddrmsg	*ifa = NLMSG_DATA(nh);
	struct iface		*ifp;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return;
	if ((ifp = iface_by_index(cd, (int)ifa->ifa_index)) != NULL)
		link_sync(ifp);
}

/* Events were lost: ask the interface for its state. */
static void
resync(struct iface *ifp)
{
	int index = (int)if_nametoindex(ifp->name);

	if (ifp->present && index != ifp->ifindex)
		iface_gone(ifp, "removed");
	if (!ifp->present || ifp->rx_dead) {
		if (index != 0 && net_iface_reopen(ifp) == 0)
			log_info("%s: interface is there (index %d)",
			    ifp->name, ifp->ifindex);
	} else
		ifp->link_up = net_link_is_up(ifp->name);
	link_sync(ifp);
}

static void
on_readable(evutil_socket_t fd, short ev, void *arg)
{
	struct carpd	*cd = arg;
	struct iface	*ifp;
	char		 buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl from;
	socklen_t	 fromlen = sizeof(from);
	ssize_t		 n;

	while ((n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
	    (struct sockaddr *)&from, &fromlen)) > 0) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;

		fromlen = sizeof(from);
		if (from.nl_pid != 0)
			continue;	/* only the kernel speaks here */
		for (; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			if (cd->exiting)
				continue;
			if (nh->nlmsg_type == RTM_NEWLINK ||
			    nh->nlmsg_type == RTM_DELLINK)
				on_newlink(cd, nh);
			else if (nh->nlmsg_type == RTM_NEWADDR ||
			    nh->nlmsg_type == RTM_DELADDR)
				on_addr(cd, nh);
		}
	}
	if (n == -1 && errno == ENOBUFS && !cd->exiting) {
		log_warnx("rtnetlink: events lost; re-reading link state");
		TAILQ_FOREACH(ifp, &cd->ifaces, entry)
			resync(ifp);
	}
}

int
link_watch_open(struct carpd *cd)
{
	struct sockaddr_nl	sa;
	int			fd;

	cd->nl_fd = -1;
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    NETLINK_ROUTE)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	cd->nl_ev = event_new(cd->base, fd, EV_READ | EV_PERSIST, on_readable, cd);
	if (cd->nl_ev == NULL || event_add(cd->nl_ev, NULL) == -1) {
		close(fd);
		return -1;
	}
	cd->nl_fd = fd;
	return 0;
}

void
link_watch_close(struct carpd *cd)
{
	if (cd->nl_ev != NULL)
		event_free(cd->nl_ev);
	if (cd->nl_fd != -1)
		close(cd->nl_fd);
	cd->nl_ev = NULL;
	cd->nl_fd = -1;
}
