/*
 * net.c: capture (libpcap), injection (libnet) and multicast membership
 * for one interface, shared by every vhid on it.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <event2/event.h>
#include <libnet.h>
#include <pcap/pcap.h>

#include "capfilter.h"
#include "carpd.h"
#include "net.h"
#include "util.h"
#include "vhid_config.h"

#define NET_SNAPLEN	256	/* an advert is 70 or 90 bytes; more is junk */

#define NET_RX_BATCH	64	/* frames per wakeup: timers still run */
/*
 * The capture ring of one interface.  libpcap's default is 2 MiB per
 * handle, mapped and resident: 128 MiB for 64 interfaces.  With the
 * snapshot length above a frame takes about 340 bytes of the ring
 * (TPACKET_V2, which immediate mode uses), so 128 KiB hold some 380
 * frames: more than a burst of an advert from each of the 255 vhids an
 * interface can have, and what arrives in a millisecond of a flood of
 * 200,000 frames a second (read on a 1 ms timer then; 64 KiB lost a
 * quarter of tests/netns/h_bpf.sh's burst of 3000).
 */
#define NET_RING_BYTES	(128 * 1024)

/*
 * ARP balancing: Ethernet/IPv4 ARP requests whose target is one of the
 * balanced addresses, and nothing else, reach the ARP handle.
 */
#define NET_ARP_FILTER	"(arp and arp[0:2] == 1 and arp[2:2] == 0x0800 " \
	"and arp[4] == 6 and arp[5] == 4 and arp[6:2] == 1 and ("
/* ... and neighbour solicitations (no extension header) for the IPv6 ones. */
#define NET_NS_FILTER	"(ip6 and ip6[6] == 58 and ip6[40] == 135 and ("
/* An ARP request is 42 bytes (60 padded), a solicitation 86 and more. */
#define NET_ARP_SNAPLEN	128
#define NET_ARP_BATCH	32	/* requests per wakeup: adverts go first */

static void
on_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct iface *ifp = (struct iface *)arg;

	if (ifp->rx_cb != NULL)
		ifp->rx_cb(ifp, bytes, h->caplen, h->len, ifp->rx_arg);
}

/*
 * Under a flood of frames the kernel must pass (forged adverts for our
 * vhids: only the digest tells), a wake-up per frame would cost more
 * than the frame.  Past NET_FLOOD_FRAMES in NET_FLOOD_MS the capture is
 * read on a timer every NET_POLL_US instead, until a tick finds fewer
 * than NET_CALM_FRAMES: adverts wait at most that long, under a flood
 * only.
 */
#define NET_FLOOD_FRAMES	50
#define NET_FLOOD_MS		10
#define NET_POLL_US		1000
#define NET_CALM_FRAMES		4
#define NET_POLL_BATCH		1024	/* a tick's most: 1M frames/s */

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
rx_dead(struct iface *ifp)
{
	/* Gone or broken: the link watcher reopens it when it is back. */
	log_warnx("%s: capture: %s; waiting for the interface",
	    ifp->name, pcap_geterr(ifp->pcap));
	event_del(ifp->rx_ev);
	evtimer_del(ifp->poll_ev);
	ifp->polling = false;
	ifp->rx_dead = true;	/* link.c reopens it when it is up */
}

static void
poll_again(struct iface *ifp)
{
	const struct timeval tick = { 0, NET_POLL_US };

	evtimer_add(ifp->poll_ev, &tick);
}

static void
on_poll(evutil_socket_t fd, short ev, void *arg)
{
	struct iface	*ifp = arg;
	int		 n;

	(void)fd;
	(void)ev;
	if ((n = pcap_dispatch(ifp->pcap, NET_POLL_BATCH, on_packet,
	    (u_char *)ifp)) == PCAP_ERROR) {
		rx_dead(ifp);
		return;
	}
	if (n >= NET_CALM_FRAMES) {
		poll_again(ifp);
		return;
	}
	ifp->polling = false;		/* calm again: a wake-up per frame */
	ifp->rx_window = 0;
	event_add(ifp->rx_ev, NULL);
}

static void
on_readable(evutil_socket_t fd, short ev, void *arg)
{
	struct iface	*ifp = arg;
	long long	 now;
	int		 n;

	(void)fd;
	(void)ev;
	if ((n = pcap_dispatch(ifp->pcap, NET_RX_BATCH, on_packet,
	    (u_char *)ifp)) == PCAP_ERROR) {
		rx_dead(ifp);
		return;
	}
	now = mono_ms();
	if (now - ifp->rx_window_start >= NET_FLOOD_MS) {
		ifp->rx_window_start = now;
		ifp->rx_window = 0;
	}
	ifp->rx_window += (unsigned)n;
	if (ifp->rx_window > NET_FLOOD_FRAMES && ifp->poll_ev != NULL) {
		event_del(ifp->rx_ev);
		ifp->polling = true;
		poll_again(ifp);
	}
}

/* An activated, filtered, non-blocking capture handle on the interface. */
static pcap_t *
cap_open(struct iface *ifp, int snaplen, const char *filter, char *err,
    size_t errlen)
{
	char			 ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program	 prog;
	pcap_t			*p;
	int			 rc;

	if ((p = pcap_create(ifp->name, ebuf)) == NULL) {
		snprintf(err, errlen, "pcap_create: %s", ebuf);
		return NULL;
	}
	pcap_set_snaplen(p, snaplen);
	pcap_set_promisc(p, 0);
	pcap_set_immediate_mode(p, 1);
	pcap_set_timeout(p, 1);
	pcap_set_buffer_size(p, NET_RING_BYTES);
	/* Missing or down: the caller waits for the interface. */
	rc = pcap_activate(p);
	if (rc == PCAP_ERROR_NO_SUCH_DEVICE || rc == PCAP_ERROR_IFACE_NOT_UP) {
		ifp->absent = rc == PCAP_ERROR_IFACE_NOT_UP ?
		    CARPD_WAIT_IF_DOWN : CARPD_WAIT_IF_MISSING;
		snprintf(err, errlen, "%s", rc == PCAP_ERROR_IFACE_NOT_UP ?
		    "interface is down" : "no such interface");
		goto fail;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", pcap_geterr(p));
		goto fail;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		snprintf(err, errlen, "not an Ethernet interface (link type %s)",
		    pcap_datalink_val_to_name(pcap_datalink(p)));
		goto fail;
	}
	if (pcap_setdirection(p, PCAP_D_IN) == -1)
		log_debug("%s: pcap_setdirection: %s", ifp->name, pcap_geterr(p));
	/*
	 * libpcap drops what we send in user space: the kernel would still
	 * copy each of our adverts into the ring and wake us up for it.
	 */
	if (setsockopt(pcap_fileno(p), SOL_PACKET, PACKET_IGNORE_OUTGOING,
	    &(int){ 1 }, sizeof(int)) == -1)
		log_debug("%s: capture: PACKET_IGNORE_OUTGOING: %s", ifp->name,
		    strerror(errno));
	/* libpcap's optimizer refuses a filter that takes nothing. */
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == -1 &&
	    pcap_compile(p, &prog, filter, 0, PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "BPF filter: %s", pcap_geterr(p));
		goto fail;
	}
	rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc == -1) {
		snprintf(err, errlen, "BPF filter: %s", pcap_geterr(p));
		goto fail;
	}
	if (pcap_setnonblock(p, 1, ebuf) == -1) {
		snprintf(err, errlen, "pcap_setnonblock: %s", ebuf);
		goto fail;
	}
	return p;
fail:
	pcap_close(p);
	return NULL;
}

static struct event *
cap_watch(struct iface *ifp, pcap_t *p, event_callback_fn cb)
{
	struct event	*ev;
	int		 fd;

	if ((fd = pcap_get_selectable_fd(p)) == -1)
		return NULL;
	ev = event_new(ifp->cd->base, fd, EV_READ | EV_PERSIST, cb, ifp);
	if (ev != NULL && event_add(ev, NULL) == -1) {
		event_free(ev);
		ev = NULL;
	}
	return ev;
}

/*
 * The vhids configured on the interface, as capfilter.c wants them
 * (doc/protocol.md, "Kernel filter").
 */
static void
vhid_set(const struct iface *ifp, struct capfilter_set *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 1; i < CARPD_VHID_SLOTS; i++)
		if (ifp->by_vhid[i] != NULL)
			capfilter_set_add(s, (uint8_t)i,
			    ifp->by_vhid[i]->cfg.peer_routed);
}

/*
 * The counting socket: a packet socket that is never read, with the
 * smallest receive buffer, its filter taking the junk the capture
 * refuses.  The kernel counts each frame it takes as queued or dropped
 * (PACKET_STATISTICS), and once the few first fill the buffer the rest
 * cost it no copy.
 */
static int
open_counter(struct iface *ifp)
{
	struct sockaddr_ll	sll;
	int			fd, zero = 0;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifp->ifindex;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &zero, sizeof(zero)) == -1 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Add what the counting socket took since the last read. */
static void
read_counter(struct iface *ifp)
{
	struct tpacket_stats	st;
	socklen_t		len = sizeof(st);

	if (ifp->count_fd != -1 && getsockopt(ifp->count_fd, SOL_PACKET,
	    PACKET_STATISTICS, &st, &len) == 0)
		ifp->kernel_filtered += st.tp_packets;	/* drops included */
}

/* Attach `expr` to the counting socket (opened on first use). */
static int
set_counter(struct iface *ifp, const char *expr)
{
	struct bpf_program	prog;
	struct sock_fprog	fp;
	int			rc;

	if (ifp->count_fd == -1 && (ifp->count_fd = open_counter(ifp)) == -1)
		return -1;
	if (pcap_compile(ifp->pcap, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == -1)
		return -1;
	/* struct bpf_insn and struct sock_filter are the same layout. */
	fp.len = (unsigned short)prog.bf_len;
	fp.filter = (struct sock_filter *)(void *)prog.bf_insns;
	read_counter(ifp);		/* what the old filter counted */
	rc = setsockopt(ifp->count_fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp,
	    sizeof(fp));
	pcap_freecode(&prog);
	return rc;
}

/*
 * The capture's filter and the counting socket's for the vhids now on
 * the interface; nothing to do if they are unchanged.  A counting
 * socket that cannot be set up is said and done without.
 */
static int
set_filters(struct iface *ifp, char *err, size_t errlen)
{
	struct capfilter_set	 s;
	struct bpf_program	 prog;
	char			*acc, *rej;

	vhid_set(ifp, &s);
	if ((acc = capfilter_accept(&s)) == NULL)
		fatal("capfilter_accept");
	if (ifp->filter != NULL && strcmp(ifp->filter, acc) == 0) {
		free(acc);
		return 0;
	}
	/* libpcap's optimizer refuses a filter that takes nothing. */
	if (pcap_compile(ifp->pcap, &prog, acc, !capfilter_set_empty(&s),
	    PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "BPF filter: %s", pcap_geterr(ifp->pcap));
		free(acc);
		return -1;
	}
	if (pcap_setfilter(ifp->pcap, &prog) == -1) {
		snprintf(err, errlen, "BPF filter: %s", pcap_geterr(ifp->pcap));
		pcap_freecode(&prog);
		free(acc);
		return -1;
	}
	pcap_freecode(&prog);
	if ((rej = capfilter_rejected(acc)) == NULL)
		fatal("capfilter_rejected");
	if (set_counter(ifp, rej) == -1 && !ifp->count_failed) {
		log_warn("%s: no count of the frames the kernel filters", ifp->name);
		ifp->count_failed = true;
	}
	free(rej);
	free(ifp->filter);
	ifp->filter = acc;
	return 0;
}

/* The vhids on the interface changed: new filters, once per change. */
static void
on_refilter(evutil_socket_t fd, short ev, void *arg)
{
	struct iface	*ifp = arg;
	char		 err[PCAP_ERRBUF_SIZE + 32];

	(void)fd;
	(void)ev;
	if (ifp->pcap != NULL && set_filters(ifp, err, sizeof(err)) == -1)
		log_warnx("%s: keeping the previous capture filter: %s",
		    ifp->name, err);
}

void
net_iface_vhids_changed(struct iface *ifp)
{
	const struct timeval now = { 0, 0 };

	if (ifp->filter_ev != NULL)
		evtimer_add(ifp->filter_ev, &now);
}

uint64_t
net_iface_kernel_filtered(struct iface *ifp)
{
	read_counter(ifp);
	return ifp->kernel_filtered;
}

static int
open_pcap(struct iface *ifp, char *err, size_t errlen)
{
	struct capfilter_set	 s;
	char			*acc;

	/* Filtered from the start: nothing else is ever queued for us. */
	vhid_set(ifp, &s);
	if ((acc = capfilter_accept(&s)) == NULL)
		fatal("capfilter_accept");
	ifp->pcap = cap_open(ifp, NET_SNAPLEN, acc, err, errlen);
	free(acc);
	if (ifp->pcap == NULL || set_filters(ifp, err, errlen) == -1)
		return -1;
	if ((ifp->rx_ev = cap_watch(ifp, ifp->pcap, on_readable)) == NULL) {
		snprintf(err, errlen, "cannot watch the capture descriptor");
		return -1;
	}
	ifp->polling = false;
	if ((ifp->poll_ev = evtimer_new(ifp->cd->base, on_poll, ifp)) == NULL) {
		snprintf(err, errlen, "cannot make the capture's poll timer");
		return -1;
	}
	return 0;
}

/* ---- ARP balancing: the requests for the balanced addresses ---- */

static void
on_arp_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct iface *ifp = (struct iface *)arg;

	if (ifp->arp_cb != NULL)
		ifp->arp_cb(ifp, bytes, h->caplen, h->len, ifp->arp_arg);
}

static void
close_arp(struct iface *ifp)
{
	if (ifp->arp_ev != NULL)
		event_free(ifp->arp_ev);
	if (ifp->arp_pcap != NULL)
		pcap_close(ifp->arp_pcap);
	ifp->arp_ev = NULL;
	ifp->arp_pcap = NULL;
}

static void
on_arp_readable(evutil_socket_t fd, short ev, void *arg)
{
	struct iface *ifp = arg;

	if (pcap_dispatch(ifp->arp_pcap, NET_ARP_BATCH, on_arp_packet,
	    (u_char *)ifp) == PCAP_ERROR) {
		log_warnx("%s: ARP capture: %s", ifp->name,
		    pcap_geterr(ifp->arp_pcap));
		close_arp(ifp);		/* opened again with the interface */
	}
}

/* f, then the printf-style rest; f is freed, the result returned. */
static char *
cat(char *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *
cat(char *f, const char *fmt, ...)
{
	char	*rest, *g;
	va_list	 ap;

	va_start(ap, fmt);
	if (vasprintf(&rest, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	g = xasprintf("%s%s", f, rest);
	free(f);
	free(rest);
	return g;
}

/*
 * "(ARP requests with a target of ours) or (solicitations with a target
 * of ours)": arp[24:4] is the target protocol address, ip6[48:16] the
 * solicitation's target.
 */
static char *
arp_filter(const struct iface *ifp)
{
	char *f = xstrdup("");

	if (ifp->nbal > 0) {
		f = cat(f, "%s", NET_ARP_FILTER);
		for (size_t i = 0; i < ifp->nbal; i++)
			f = cat(f, "%sarp[24:4] == 0x%08x", i ? " or " : "",
			    ntohl(ifp->bal[i].s_addr));
		f = cat(f, "))");
	}
	if (ifp->nbal6 > 0) {
		f = cat(f, "%s%s", ifp->nbal > 0 ? " or " : "", NET_NS_FILTER);
		for (size_t i = 0; i < ifp->nbal6; i++) {
			const uint8_t *b = ifp->bal6[i].s6_addr;

			f = cat(f, "%s(", i ? " or " : "");
			for (int w = 0; w < 4; w++)
				f = cat(f, "%sip6[%d:4] == 0x%02x%02x%02x%02x",
				    w ? " and " : "", 48 + 4 * w, b[4 * w],
				    b[4 * w + 1], b[4 * w + 2], b[4 * w + 3]);
			f = cat(f, ")");
		}
		f = cat(f, "))");
	}
	return f;
}

static int
open_arp(struct iface *ifp)
{
	char *filter = arp_filter(ifp);

	ifp->arp_pcap = cap_open(ifp, NET_ARP_SNAPLEN, filter, ifp->err,
	    sizeof(ifp->err));
	free(filter);
	if (ifp->arp_pcap != NULL && (ifp->arp_ev = cap_watch(ifp,
	    ifp->arp_pcap, on_arp_readable)) == NULL)
		snprintf(ifp->err, sizeof(ifp->err), "cannot watch the ARP "
		    "capture descriptor");
	if (ifp->arp_ev == NULL) {
		close_arp(ifp);
		return -1;
	}
	return 0;
}

int
net_arp_watch(struct iface *ifp, const struct in_addr *a, size_t n,
    const struct in6_addr *a6, size_t n6)
{
	n = n > CARPD_MAX_BALANCED ? CARPD_MAX_BALANCED : n;
	n6 = n6 > CARPD_MAX_BALANCED - n ? CARPD_MAX_BALANCED - n : n6;
	if (n == ifp->nbal && memcmp(a, ifp->bal, n * sizeof(*a)) == 0 &&
	    n6 == ifp->nbal6 &&
	    memcmp(a6, ifp->bal6, n6 * sizeof(*a6)) == 0 &&
	    (n + n6 == 0 || ifp->arp_pcap != NULL || !ifp->present))
		return 0;
	memcpy(ifp->bal, a, n * sizeof(*a));
	ifp->nbal = n;
	memcpy(ifp->bal6, a6, n6 * sizeof(*a6));
	ifp->nbal6 = n6;
	close_arp(ifp);
	if (n + n6 == 0 || !ifp->present)
		return 0;
	return open_arp(ifp);
}

/*
 * libnet's link-layer socket is bound to ETH_P_ALL and never read: give
 * it a filter that accepts nothing so that the kernel does not queue a
 * copy of every frame for it.  Unbound, it would also be handed every
 * frame of every interface, sent or received, and run that filter on
 * it: with 64 interfaces, each advert went through 64 such sockets (a
 * third of the network process's CPU).  So it is bound to its own
 * interface and told to ignore what is sent.
 */
static void
mute_libnet(struct iface *ifp)
{
	struct sock_filter	 drop = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog	 prog = { 1, &drop };
	struct sockaddr_ll	 sll = { .sll_family = AF_PACKET,
	    .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = ifp->ifindex };
	int			 fd = libnet_getfd(ifp->libnet), one = 1;

	if (fd < 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1)
		log_debug("%s: cannot filter the injection socket: %s",
		    ifp->name, strerror(errno));
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
	    sizeof(one)) == -1)
		log_debug("%s: injection socket: PACKET_IGNORE_OUTGOING: %s",
		    ifp->name, strerror(errno));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1)
		log_debug("%s: cannot bind the injection socket: %s",
		    ifp->name, strerror(errno));
}

static int
open_libnet(struct iface *ifp, char *err, size_t errlen)
{
	char			 ebuf[LIBNET_ERRBUF_SIZE] = "";
	struct libnet_ether_addr *mac;

	ifp->libnet = libnet_init(LIBNET_LINK_ADV, ifp->name, ebuf);
	if (ifp->libnet == NULL) {
		snprintf(err, errlen, "libnet_init: %s", ebuf);
		return -1;
	}
	if ((mac = libnet_get_hwaddr(ifp->libnet)) == NULL) {
		snprintf(err, errlen, "cannot read the MAC address: %s",
		    libnet_geterror(ifp->libnet));
		return -1;
	}
	memcpy(ifp->mac, mac->ether_addr_octet, 6);
	mute_libnet(ifp);
	return 0;
}

static void
close_handles(struct iface *ifp)
{
	close_arp(ifp);
	if (ifp->rx_ev != NULL)
		event_free(ifp->rx_ev);
	if (ifp->poll_ev != NULL)
		event_free(ifp->poll_ev);
	ifp->poll_ev = NULL;
	ifp->polling = false;
	if (ifp->pcap != NULL)
		pcap_close(ifp->pcap);
	if (ifp->libnet != NULL)
		libnet_destroy(ifp->libnet);
	if (ifp->mcast_fd != -1)
		close(ifp->mcast_fd);
	if (ifp->mcast6_fd != -1)
		close(ifp->mcast6_fd);
	read_counter(ifp);		/* the total outlives the socket */
	if (ifp->count_fd != -1)
		close(ifp->count_fd);
	ifp->count_fd = -1;
	free(ifp->filter);
	ifp->filter = NULL;
	ifp->rx_ev = NULL;
	ifp->pcap = NULL;
	ifp->libnet = NULL;
	ifp->mcast_fd = ifp->mcast6_fd = -1;
}

static int
if_flags(const char *name)
{
	struct ifreq	ifr;
	int		fd, flags = -1;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		flags = ifr.ifr_flags;
	close(fd);
	return flags;
}

/*
 * Open the capture and injection handles.  On failure ifp->absent says
 * whether to wait for the interface (missing, down) or not (unusable)
 * and ifp->err what went wrong.  Needs no file: it may run after the
 * network process has given up its file system.
 */
static int
open_handles(struct iface *ifp)
{
	char	err[sizeof(ifp->err)] = "";
	int	flags;

	ifp->absent = CARPD_WAIT_IF_UNUSABLE;
	if ((ifp->ifindex = (int)if_nametoindex(ifp->name)) == 0 ||
	    (flags = if_flags(ifp->name)) == -1) {
		ifp->absent = CARPD_WAIT_IF_MISSING;
		snprintf(err, sizeof(err), "no such interface");
	} else if (!(flags & IFF_UP)) {
		ifp->absent = CARPD_WAIT_IF_DOWN;
		snprintf(err, sizeof(err), "interface is down");
	} else if (open_pcap(ifp, err, sizeof(err)) == 0 &&
	    open_libnet(ifp, err, sizeof(err)) == 0) {
		ifp->absent = CARPD_WAIT_NONE;
		ifp->present = ifp->opened = true;
		ifp->rx_dead = false;
		ifp->link_up = (flags & (IFF_UP | IFF_RUNNING)) ==
		    (IFF_UP | IFF_RUNNING);
		ifp->err[0] = '\0';
		if (ifp->nbal + ifp->nbal6 > 0 && open_arp(ifp) == -1)
			log_warnx("%s: ARP balancing: %s", ifp->name, ifp->err);
		return 0;
	}
	close_handles(ifp);
	memcpy(ifp->err, err, sizeof(ifp->err));
	return -1;
}

/*
 * The interface named `name`, opened on first use.  One that cannot be
 * opened is returned all the same, not present, with ifp->absent and
 * ifp->err saying why; NULL only for a name that cannot be one.
 */
struct iface *
net_iface_get(struct carpd *cd, const char *name, char *err, size_t errlen)
{
	struct iface *ifp;

	TAILQ_FOREACH(ifp, &cd->ifaces, entry)
		if (strcmp(ifp->name, name) == 0)
			return ifp;
	if (strlen(name) >= sizeof(ifp->name)) {
		snprintf(err, errlen, "interface name too long");
		return NULL;
	}
	if ((ifp = calloc(1, sizeof(*ifp))) == NULL)
		fatal("calloc");
	strcpy(ifp->name, name);
	ifp->cd = cd;
	ifp->rx_cb = cd->iface_rx;
	ifp->rx_arg = cd->iface_rx_arg;
	ifp->arp_cb = cd->arp_rx;
	ifp->arp_arg = cd->arp_rx_arg;
	ifp->mcast_fd = ifp->mcast6_fd = ifp->count_fd = -1;
	if ((ifp->filter_ev = evtimer_new(cd->base, on_refilter, ifp)) == NULL)
		fatalx("evtimer_new failed");
	ifp->rl.burst = 10;
	ifp->rl.period_ms = 1000;
	open_handles(ifp);
	TAILQ_INSERT_TAIL(&cd->ifaces, ifp, entry);
	return ifp;
}

/* The interface went away: let go of its handles until it is back. */
void
net_iface_gone(struct iface *ifp)
{
	close_handles(ifp);
	ifp->present = false;
	ifp->link_up = false;
	ifp->absent = CARPD_WAIT_IF_MISSING;
	snprintf(ifp->err, sizeof(ifp->err), "no such interface");
}

/* The interface is there (maybe as a new one of the same name): open it. */
int
net_iface_reopen(struct iface *ifp)
{
	close_handles(ifp);
	ifp->present = false;
	if (open_handles(ifp) == -1)
		return -1;
	for (int i = 0; i < CARPD_VHID_SLOTS; i++) {
		struct vhid	*v = ifp->by_vhid[i];
		char		 a[INET6_ADDRSTRLEN];

		if (v != NULL && v->cfg.nvips > 0 && vhid_config_joins(&v->cfg) &&
		    net_join(ifp, v->cfg.group) == -1)
			log_warn("%s: cannot join %s", ifp->name,
			    inet_ntoa(v->cfg.group));
		if (v != NULL && v->cfg.nvips6 > 0 &&
		    net_join6(ifp, &v->cfg.group6) == -1)
			log_warn("%s: cannot join %s", ifp->name,
			    inet_ntop(AF_INET6, &v->cfg.group6, a, sizeof(a)));
	}
	return 0;
}

int
net_link_is_up(const char *name)
{
	int flags = if_flags(name);

	return flags != -1 &&
	    (flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
}

void
net_iface_stop(struct iface *ifp)
{
	if (ifp->rx_ev != NULL)
		event_del(ifp->rx_ev);
	if (ifp->poll_ev != NULL)
		evtimer_del(ifp->poll_ev);
}

void
net_iface_free(struct iface *ifp)
{
	close_handles(ifp);
	if (ifp->filter_ev != NULL)
		event_free(ifp->filter_ev);
	free(ifp);
}

/*
 * Membership through an ordinary UDP socket: the kernel programs the
 * NIC's multicast filter and answers IGMP queries so that snooping
 * switches keep delivering the group.
 */
int
net_join(struct iface *ifp, struct in_addr group)
{
	struct ip_mreqn mr;

	if (ifp->mcast_fd == -1 &&
	    (ifp->mcast_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&mr, 0, sizeof(mr));
	mr.imr_multiaddr = group;
	mr.imr_ifindex = ifp->ifindex;
	if (setsockopt(ifp->mcast_fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
	    sizeof(mr)) == -1 && errno != EADDRINUSE)
		return -1;
	return 0;
}

/* The last vhid of `group` on this interface left: so does the host. */
void
net_leave(struct iface *ifp, struct in_addr group)
{
	struct ip_mreqn mr;

	if (ifp->mcast_fd == -1)
		return;		/* closed with the interface: nothing held */
	memset(&mr, 0, sizeof(mr));
	mr.imr_multiaddr = group;
	mr.imr_ifindex = ifp->ifindex;
	if (setsockopt(ifp->mcast_fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mr,
	    sizeof(mr)) == -1 && errno != EADDRNOTAVAIL)
		log_warn("%s: cannot leave %s", ifp->name, inet_ntoa(group));
}

/* As net_join, for IPv6 (MLD instead of IGMP). */
int
net_join6(struct iface *ifp, const struct in6_addr *group)
{
	struct ipv6_mreq mr;

	if (ifp->mcast6_fd == -1 && (ifp->mcast6_fd = socket(AF_INET6,
	    SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&mr, 0, sizeof(mr));
	mr.ipv6mr_multiaddr = *group;
	mr.ipv6mr_interface = (unsigned)ifp->ifindex;
	if (setsockopt(ifp->mcast6_fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr,
	    sizeof(mr)) == -1 && errno != EADDRINUSE)
		return -1;
	return 0;
}

void
net_leave6(struct iface *ifp, const struct in6_addr *group)
{
	struct ipv6_mreq	mr;
	char			a[INET6_ADDRSTRLEN];

	if (ifp->mcast6_fd == -1)
		return;
	memset(&mr, 0, sizeof(mr));
	mr.ipv6mr_multiaddr = *group;
	mr.ipv6mr_interface = (unsigned)ifp->ifindex;
	if (setsockopt(ifp->mcast6_fd, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, &mr,
	    sizeof(mr)) == -1 && errno != EADDRNOTAVAIL)
		log_warn("%s: cannot leave %s", ifp->name,
		    inet_ntop(AF_INET6, group, a, sizeof(a)));
}

int
net_send(struct iface *ifp, const uint8_t *frame, size_t len)
{
	/* libnet's own write looks the index up by name (an ioctl) each time. */
	struct sockaddr_ll	sll = { .sll_family = AF_PACKET,
	    .sll_ifindex = ifp->ifindex, .sll_halen = 6 };
	ssize_t			n;

	if (ifp->libnet == NULL)
		return -1;
	if (len >= 6)
		memcpy(sll.sll_addr, frame, 6);
	n = sendto(libnet_getfd(ifp->libnet), frame, len, 0,
	    (struct sockaddr *)&sll, sizeof(sll));
	if (n != (ssize_t)len) {
		log_warnx("%s: send: %s", ifp->name,
		    n == -1 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

/* Is `a` a virtual address of a vhid on this interface? */
static bool
is_vip(const struct iface *ifp, struct in_addr a)
{
	for (int i = 0; i < CARPD_VHID_SLOTS; i++) {
		const struct vhid *v = ifp->by_vhid[i];

		for (size_t k = 0; v != NULL && k < v->cfg.nvips; k++)
			if (v->cfg.vips[k].s_addr == a.s_addr)
				return true;
	}
	return false;
}

/*
 * The host's own first IPv4 address on the interface.  The virtual
 * addresses of every vhid on it are skipped: the up scripts add them,
 * and a master must not take another group's address for its own.
 */
int
net_first_ipv4(const struct iface *ifp, struct in_addr *out)
{
	struct ifaddrs	*ifa, *i;
	int		 found = -1;

	if (getifaddrs(&ifa) == -1)
		return -1;
	for (i = ifa; i != NULL && found == -1; i = i->ifa_next) {
		struct in_addr a;

		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, ifp->name) != 0)
			continue;
		a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if (!is_vip(ifp, a)) {
			*out = a;
			found = 0;
		}
	}
	freeifaddrs(ifa);
	return found;
}

static bool
is_vip6(const struct iface *ifp, const struct in6_addr *a)
{
	for (int i = 0; i < CARPD_VHID_SLOTS; i++) {
		const struct vhid *v = ifp->by_vhid[i];

		for (size_t k = 0; v != NULL && k < v->cfg.nvips6; k++)
			if (memcmp(&v->cfg.vips6[k], a, sizeof(*a)) == 0)
				return true;
	}
	return false;
}

/*
 * Link-local first, as OpenBSD sends from (doc/protocol.md, IPv6): it is
 * there as soon as the interface is up, and it never moves.  With
 * `global`, the first address that is not link-local: the one IPv6
 * peers list (doc/protocol.md, "Unicast peers").
 */
int
net_first_ipv6(const struct iface *ifp, bool global, struct in6_addr *out)
{
	struct ifaddrs	*ifa, *i;
	int		 found = -1;

	if (getifaddrs(&ifa) == -1)
		return -1;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		struct in6_addr a;

		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET6 ||
		    strcmp(i->ifa_name, ifp->name) != 0)
			continue;
		a = ((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
		if (is_vip6(ifp, &a) || IN6_IS_ADDR_LOOPBACK(&a) ||
		    (global && IN6_IS_ADDR_LINKLOCAL(&a)))
			continue;
		if (IN6_IS_ADDR_LINKLOCAL(&a) || global) {
			*out = a;
			found = 0;
			break;
		}
		if (found == -1) {
			*out = a;
			found = 0;
		}
	}
	freeifaddrs(ifa);
	return found;
}

/* ifp->addr, addr6 and addr6g: its own addresses, or none when closed. */
void
net_iface_read_addr(struct iface *ifp)
{
	if (!ifp->present || net_first_ipv4(ifp, &ifp->addr) == -1)
		ifp->addr.s_addr = INADDR_ANY;
	if (!ifp->present || net_first_ipv6(ifp, false, &ifp->addr6) == -1)
		ifp->addr6 = in6addr_any;
	if (!ifp->present || net_first_ipv6(ifp, true, &ifp->addr6g) == -1)
		ifp->addr6g = in6addr_any;
}

/*
 * Read before the network process gives up its file system: the child
 * cannot open /proc afterwards, so a change needs a restart.
 */
int
net_ipv6_forwarding(void)
{
	char	 c = '0';
	FILE	*f;
	int	 rc = -1;

	if ((f = fopen("/proc/sys/net/ipv6/conf/all/forwarding", "re")) != NULL) {
		rc = fread(&c, 1, 1, f) == 1 && c == '1';
		fclose(f);
	}
	return rc;
}

int
net_default_iface(char *name, size_t len)
{
	char		 ebuf[PCAP_ERRBUF_SIZE];
	pcap_if_t	*all, *d;
	int		 rc = -1;

	if (pcap_findalldevs(&all, ebuf) == -1)
		return -1;
	for (d = all; d != NULL && rc == -1; d = d->next) {
		if ((d->flags & PCAP_IF_LOOPBACK) || !(d->flags & PCAP_IF_UP) ||
		    strlen(d->name) >= len || strchr(d->name, ':') != NULL ||
		    strcmp(d->name, "any") == 0)
			continue;
		strcpy(name, d->name);
		rc = 0;
	}
	pcap_freealldevs(all);
	return rc;
}
