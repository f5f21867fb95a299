/*
 * link.c: watch links with rtnetlink (RTMGRP_LINK) from the event loop.
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
	for (int i = 0; i < 256; i++) {
		struct vhid *v = ifp->by_vhid[i];

		if (v == NULL || v->cfg.ignoreifstate)
			continue;
		if (ev == FSM_EV_LINK_DOWN && v->fsm.state == CARP_INIT)
			continue;
		if (ev == FSM_EV_LINK_UP && v->fsm.state != CARP_INIT)
			continue;
		vhid_event(v, ev);
	}
}

void
link_sync(struct iface *ifp)
{
	vhids_event(ifp, ifp->link_up ? FSM_EV_LINK_UP : FSM_EV_LINK_DOWN);
}

static void
on_link(struct carpd *cd, const struct ifinfomsg *ifi, const char *name,
    int deleted)
{
	struct iface	*ifp;
	char		 err[256];
	bool		 up;

	if (cd->exiting)
		return;
	TAILQ_FOREACH(ifp, &cd->ifaces, entry)
		if (strcmp(ifp->name, name) == 0)
			break;
	if (ifp == NULL)
		return;
	if (deleted) {
		if (!ifp->present || ifi->ifi_index != ifp->ifindex)
			return;
		log_warnx("%s: interface removed", ifp->name);
		vhids_event(ifp, FSM_EV_LINK_DOWN);	/* bows out first */
		net_iface_gone(ifp);
		return;
	}
	if (!ifp->present || ifi->ifi_index != ifp->ifindex) {
		if (net_iface_reopen(ifp, err, sizeof(err)) == -1) {
			log_warnx("%s: cannot reopen: %s", ifp->name, err);
			return;
		}
		log_info("%s: interface is back (index %d)", ifp->name,
		    ifp->ifindex);
		link_sync(ifp);
		return;
	}
	up = (ifi->ifi_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
	/* An interface set down breaks the capture (ENETDOWN): reopen it. */
	if (up && ifp->rx_dead) {
		if (net_iface_reopen(ifp, err, sizeof(err)) == -1) {
			log_warnx("%s: cannot reopen: %s", ifp->name, err);
			return;
		}
		log_info("%s: capture reopened", ifp->name);
	}
	if (up == ifp->link_up)
		return;
	ifp->link_up = up;
	log_info("%s: link %s", ifp->name, up ? "up" : "down (no carrier "
	    "or administratively down)");
	link_sync(ifp);
}

static void
on_readable(evutil_socket_t fd, short ev, void *arg)
{
	struct carpd	*cd = arg;
	char		 buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t		 n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;

		for (; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			struct ifinfomsg	*ifi = NLMSG_DATA(nh);
			struct rtattr		*rta;
			int			 len;
			char			 name[IF_NAMESIZE] = "";

			if (nh->nlmsg_type != RTM_NEWLINK &&
			    nh->nlmsg_type != RTM_DELLINK)
				continue;
			len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));
			for (rta = IFLA_RTA(ifi); len > 0 && RTA_OK(rta, len);
			    rta = RTA_NEXT(rta, len))
				if (rta->rta_type == IFLA_IFNAME) {
					size_t l = RTA_PAYLOAD(rta);

					if (l >= sizeof(name))
						l = sizeof(name) - 1;
					memcpy(name, RTA_DATA(rta), l);
					name[l] = '\0';
				}
			if (name[0] != '\0')
				on_link(cd, ifi, name,
				    nh->nlmsg_type == RTM_DELLINK);
		}
	}
	if (n == -1 && errno == ENOBUFS) {
		/* Events were lost: ask each interface for its state. */
		struct iface *ifp;

		log_warnx("rtnetlink: events lost; re-reading link state");
		TAILQ_FOREACH(ifp, &cd->ifaces, entry) {
			bool up = if_nametoindex(ifp->name) != 0 &&
			    net_link_is_up(ifp->name);

			if (ifp->present && up != ifp->link_up) {
				ifp->link_up = up;
				link_sync(ifp);
			}
		}
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
	sa.nl_groups = RTMGRP_LINK;
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
