/*
 * vmac.c: the macvlan device that owns a vhid's virtual MAC (vmac.h),
 * made and changed over rtnetlink, one request at a time, each waiting
 * for the kernel's acknowledgement.
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "carpd.h"
#include "conf.h"
#include "log.h"
#include "vmac.h"

#define NL_BUF	1024

struct nlreq {
	struct nlmsghdr	 h;
	struct ifinfomsg i;
	char		 buf[NL_BUF];
};

void
vmac_addr(uint8_t vhid, uint8_t mac[6])
{
	static const uint8_t base[5] = { 0x00, 0x00, 0x5e, 0x00, 0x01 };

	memcpy(mac, base, sizeof(base));
	mac[5] = vhid;
}

int
vmac_devname(const char *ifname, uint8_t vhid, char *buf, size_t len)
{
	unsigned idx = if_nametoindex(ifname);
	int	 n;

	if (idx == 0)
		return -1;
	n = snprintf(buf, len, VMAC_PREFIX "%u.%u", idx, vhid);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static struct rtattr *
nl_attr(struct nlreq *r, unsigned short type, const void *data, size_t dlen)
{
	struct rtattr	*a;
	size_t		 at = NLMSG_ALIGN(r->h.nlmsg_len);

	if (at + RTA_SPACE(dlen) > sizeof(*r))
		return NULL;
	a = (struct rtattr *)(void *)((char *)r + at);
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(dlen);
	if (dlen > 0)
		memcpy(RTA_DATA(a), data, dlen);
	r->h.nlmsg_len = (uint32_t)(at + RTA_ALIGN(a->rta_len));
	return a;
}

/* Close a nested attribute opened by nl_attr(r, type, NULL, 0). */
static void
nl_nest_end(struct nlreq *r, struct rtattr *a)
{
	a->rta_len = (unsigned short)((char *)r + r->h.nlmsg_len - (char *)a);
}

/* Send it and wait for the acknowledgement: 0 or -1 with errno. */
static int
nl_talk(struct nlreq *r)
{
	struct sockaddr_nl	 sa = { .nl_family = AF_NETLINK };
	char			 buf[NL_BUF];
	struct nlmsghdr		*h;
	struct nlmsgerr		*e;
	ssize_t			 n;
	int			 fd, rc = -1, saved;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1)
		return -1;
	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r->h.nlmsg_seq = 1;
	if (sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1)
		goto out;
	for (;;) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		for (h = (struct nlmsghdr *)(void *)buf; NLMSG_OK(h, n);
		    h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq != 1)
				continue;
			e = NLMSG_DATA(h);
			if (e->error == 0)
				rc = 0;
			else
				errno = -e->error;
			goto out;
		}
	}
out:
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static void
nl_init(struct nlreq *r, uint16_t type, uint16_t flags)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(r->i));
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = flags;
	r->i.ifi_family = AF_UNSPEC;
}

static int
nl_create(const char *ifname, const char *dev, uint8_t vhid)
{
	struct nlreq	 r;
	struct rtattr	*info, *data;
	uint32_t	 link = if_nametoindex(ifname);
	uint32_t	 mode = MACVLAN_MODE_BRIDGE;
	uint8_t		 mac[6];

	vmac_addr(vhid, mac);
	nl_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	nl_attr(&r, IFLA_LINK, &link, sizeof(link));
	nl_attr(&r, IFLA_IFNAME, dev, strlen(dev) + 1);
	nl_attr(&r, IFLA_ADDRESS, mac, sizeof(mac));
	info = nl_attr(&r, IFLA_LINKINFO, NULL, 0);
	nl_attr(&r, IFLA_INFO_KIND, "macvlan", sizeof("macvlan"));
	data = nl_attr(&r, IFLA_INFO_DATA, NULL, 0);
	nl_attr(&r, IFLA_MACVLAN_MODE, &mode, sizeof(mode));
	nl_nest_end(&r, data);
	nl_nest_end(&r, info);
	return nl_talk(&r);
}

/* Set the interface flags of `mask` to those of `flags`. */
static int
nl_flags(unsigned idx, unsigned mask, unsigned flags)
{
	struct nlreq r;

	nl_init(&r, RTM_NEWLINK, 0);
	r.i.ifi_index = (int)idx;
	r.i.ifi_change = mask;
	r.i.ifi_flags = flags;
	return nl_talk(&r);
}

static int
nl_updown(unsigned idx, int up)
{
	return nl_flags(idx, IFF_UP, up ? IFF_UP : 0);
}

static int
nl_delete(unsigned idx)
{
	struct nlreq r;

	nl_init(&r, RTM_DELLINK, 0);
	r.i.ifi_index = (int)idx;
	return nl_talk(&r);
}

/* What RTM_GETLINK says of a device: kind, lower device, MAC. */
struct linkinfo {
	char		kind[16];
	uint32_t	link;
	uint8_t		mac[6];
	int		has_mac;
};

static void
parse_linkinfo(struct rtattr *a, int len, struct linkinfo *li)
{
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t dl = RTA_PAYLOAD(a);

		if (a->rta_type == IFLA_LINK && dl >= sizeof(uint32_t))
			memcpy(&li->link, RTA_DATA(a), sizeof(uint32_t));
		else if (a->rta_type == IFLA_ADDRESS && dl == sizeof(li->mac)) {
			memcpy(li->mac, RTA_DATA(a), sizeof(li->mac));
			li->has_mac = 1;
		} else if (a->rta_type == IFLA_LINKINFO)
			parse_linkinfo(RTA_DATA(a), (int)dl, li);
		else if (a->rta_type == IFLA_INFO_KIND &&
		    dl < sizeof(li->kind))
			memcpy(li->kind, RTA_DATA(a), dl);
	}
}

/* RTM_GETLINK for one index: 0 with *li, or -1 with errno. */
static int
nl_getlink(unsigned idx, struct linkinfo *li)
{
	struct sockaddr_nl	 sa = { .nl_family = AF_NETLINK };
	struct nlreq		 r;
	char			 buf[8192];
	struct nlmsghdr		*h;
	ssize_t			 n;
	int			 fd, rc = -1, saved = ENODEV;

	memset(li, 0, sizeof(*li));
	nl_init(&r, RTM_GETLINK, NLM_F_REQUEST);
	r.i.ifi_index = (int)idx;
	r.h.nlmsg_seq = 2;
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1)
		return -1;
	if (sendto(fd, &r, r.h.nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1 || (n = recv(fd, buf, sizeof(buf), 0)) == -1)
		saved = errno;
	else
		for (h = (struct nlmsghdr *)(void *)buf; NLMSG_OK(h, n);
		    h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				saved = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
				break;
			}
			if (h->nlmsg_type != RTM_NEWLINK)
				continue;
			parse_linkinfo(IFLA_RTA(NLMSG_DATA(h)),
			    (int)IFLA_PAYLOAD(h), li);
			rc = 0;
			break;
		}
	close(fd);
	errno = saved;
	return rc;
}

/*
 * The vhid's device, if there is one and carpd made it: a macvlan on
 * `ifname` with the vhid's virtual MAC.  1 with its name and index, 0 if there is no
 * such device, -1 with `err` if a device of that name is something else
 * (left alone: it is not carpd's to change or remove).
 */
static int
vmac_find(const char *ifname, uint8_t vhid, char dev[IF_NAMESIZE],
    unsigned *idx, char *err, size_t len)
{
	struct linkinfo	li;
	uint8_t		mac[6];

	if (vmac_devname(ifname, vhid, dev, IF_NAMESIZE) == -1 ||
	    (*idx = if_nametoindex(dev)) == 0)
		return 0;
	vmac_addr(vhid, mac);
	if (nl_getlink(*idx, &li) == -1) {
		if (errno == ENODEV)
			return 0;
		snprintf(err, len, "reading %s: %s", dev, strerror(errno));
		return -1;
	}
	if (strcmp(li.kind, "macvlan") != 0 ||
	    li.link != if_nametoindex(ifname) || !li.has_mac ||
	    memcmp(li.mac, mac, sizeof(mac)) != 0) {
		snprintf(err, len, "%s is not carpd's (a macvlan on %s with "
		    "the vhid's virtual MAC); leaving it alone", dev, ifname);
		return -1;
	}
	return 1;
}

static int
sysctl_set(const char *dev, const char *key, const char *val)
{
	char	path[128];
	int	fd, rc;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", dev,
	    key);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return rc;
}

/*
 * arp_ignore 1: a device answers ARP only for its own addresses, so the
 * parent never answers for the virtual ones with the real MAC.  The
 * device of a balanced node gets 8 (answer none): carpd answers for the
 * node that the requester hashes to (doc/protocol.md, ARP balancing).
 * arp_announce 2: the parent's own ARP requests name its own address,
 * not a virtual one (which would teach the clients the real MAC).
 * rp_filter 2 on the device: replies leave by the parent's route.
 */
static int
set_sysctls(const char *ifname, const char *dev, bool balanced, char *err,
    size_t len)
{
	static const char *const kv[][3] = {
		{ "P", "arp_ignore", "1" }, { "P", "arp_announce", "2" },
		{ "D", "arp_ignore", "1" }, { "D", "arp_announce", "2" },
		{ "D", "rp_filter", "2" },
	};

	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		const char *d = kv[i][0][0] == 'P' ? ifname : dev;
		const char *val = balanced && d == dev &&
		    strcmp(kv[i][1], "arp_ignore") == 0 ? "8" : kv[i][2];

		if (sysctl_set(d, kv[i][1], val) == -1) {
			snprintf(err, len, "net.ipv4.conf.%s.%s=%s: %s", d,
			    kv[i][1], val, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
vmac_prepare(const char *ifname, uint8_t vhid, bool balanced, char *err,
    size_t len)
{
	char		dev[IF_NAMESIZE];
	unsigned	idx;
	int		found;

	if (vmac_devname(ifname, vhid, dev, sizeof(dev)) == -1) {
		snprintf(err, len, "no interface %s", ifname);
		return -1;
	}
	if ((found = vmac_find(ifname, vhid, dev, &idx, err, len)) == -1)
		return -1;
	if (found == 0 && nl_create(ifname, dev, vhid) == -1) {
		snprintf(err, len, "creating macvlan %s on %s: %s", dev,
		    ifname, strerror(errno));
		return -1;
	}
	/*
	 * A balanced node's device answers no neighbour solicitation either
	 * (IPv6 has no arp_ignore): IFF_NOARP (doc/protocol.md).
	 */
	if ((idx = if_nametoindex(dev)) == 0 || nl_flags(idx, IFF_NOARP,
	    balanced ? IFF_NOARP : 0) == -1) {
		snprintf(err, len, "setting %s %s: %s", dev, balanced ?
		    "noarp" : "arp", strerror(errno));
		return -1;
	}
	return set_sysctls(ifname, dev, balanced, err, len);
}

int
vmac_set(const char *ifname, uint8_t vhid, bool balanced, int up, char *err,
    size_t len)
{
	char		dev[IF_NAMESIZE];
	unsigned	idx;
	int		found;

	if (up && vmac_prepare(ifname, vhid, balanced, err, len) == -1)
		return -1;
	if ((found = vmac_find(ifname, vhid, dev, &idx, err, len)) != 1) {
		if (found == 0 && up)
			snprintf(err, len, "no device for vhid %u on %s", vhid,
			    ifname);
		return up || found == -1 ? -1 : 0; /* down: nothing to do */
	}
	if (nl_updown(idx, up) == -1) {
		snprintf(err, len, "setting %s %s: %s", dev, up ? "up" : "down",
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
vmac_remove(const char *ifname, uint8_t vhid, char *err, size_t len)
{
	char		dev[IF_NAMESIZE];
	unsigned	idx;
	int		found;

	if ((found = vmac_find(ifname, vhid, dev, &idx, err, len)) != 1)
		return found;
	if (nl_delete(idx) == -1 && errno != ENODEV) {
		snprintf(err, len, "removing %s: %s", dev, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * At start: a device left by a crash goes (with the addresses on it),
 * and every vhid with `mac virtual` whose interface is there gets its
 * device, down, so that even the first down script finds it.
 */
void
vmac_config_start(const struct config *cf)
{
	char err[256];

	for (size_t i = 0; i < cf->nvhids; i++) {
		const struct vhid_config *vc = &cf->vhids[i];

		if (!vc->vmac || if_nametoindex(vc->ifname) == 0)
			continue;
		if (vmac_remove(vc->ifname, vc->vhid, err, sizeof(err)) == -1 ||
		    vmac_prepare(vc->ifname, vc->vhid, vc->nnodes > 0, err,
		    sizeof(err)) == -1)
			log_warnx("vhid %u on %s: virtual MAC: %s", vc->vhid,
			    vc->ifname, err);
	}
}

/* At exit: remove the devices of the configuration. */
void
vmac_config_stop(const struct config *cf)
{
	char err[256];

	for (size_t i = 0; i < cf->nvhids; i++) {
		const struct vhid_config *vc = &cf->vhids[i];

		if (vc->vmac &&
		    vmac_remove(vc->ifname, vc->vhid, err, sizeof(err)) == -1)
			log_warnx("vhid %u on %s: virtual MAC: %s", vc->vhid,
			    vc->ifname, err);
	}
}
