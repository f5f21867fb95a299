/*
 * options.c: ucarp 1.5.2's command line, with every value checked, and
 * the settings of carpd.conf(5), which share names and checks with it.
 * The table below is the single source of the getopt string, the long
 * options, --help and the configuration keywords; tests/cli_manpage.sh
 * checks the man pages against it.
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <ifaddrs.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "log.h"
#include "options.h"
#include "demote.h"
#include "safefile.h"
#include "util.h"

enum {
	OPT_LONG_ONLY = 256,	/* above every short option letter */
	OPT_DOWN_FORMULA = OPT_LONG_ONLY,
	OPT_SCRIPT_TIMEOUT,
	OPT_GARP_REPEAT,
	OPT_GARP_INTERVAL,
	OPT_GARP_DELAY,
	OPT_GARP_REFRESH,
	OPT_PIDFILE,
	OPT_CONTROL,
	OPT_USER,
	OPT_SCRIPT_USER,
	OPT_DEMOTE_GROUP,
	OPT_DEMOTE_ADVSKEW,
	OPT_PREEMPT_DELAY,
	OPT_SYNC_GROUP,
	OPT_STARTUP_DEMOTE,
	OPT_TRACK_SCRIPT,
	OPT_TRACK_FILE,
	OPT_TRACK_INTERVAL,
	OPT_TRACK_TIMEOUT,
	OPT_TRACK_FALL,
	OPT_TRACK_RISE,
	OPT_TRACK_WEIGHT,
	OPT_NOTIFY_FIFO,
	OPT_PEER,
	OPT_PEER_ROUTED,
	OPT_REALTIME,
	OPT_MAC,
	OPT_CARPNODES,
};

#define V	OPT_VHID
#define C	OPT_CLI
#define G	OPT_GLOBAL

static const struct opt_def opt_table[] = {
	{ "interface", 'i', 1, "IF", C|V, "interface to run on (default: the first one that is up)" },
	{ "srcip", 's', 1, "ADDR", C|V, "this host's own address, IPv4 or IPv6 (default: the interface's first IPv4 address, its link-local IPv6 one)" },
	{ "mcast", 'm', 1, "ADDR", C|V, "multicast group of the adverts of its family (default 224.0.0.18, ff02::12)" },
	{ "vhid", 'v', 1, "ID", C, "virtual host id, 1 to 255 (required)" },
	{ "pass", 'p', 1, "PASS", C|V, "shared password, at most 19 characters (prefer --passfile)" },
	{ "passfile", 'o', 1, "FILE", C|V, "read the password from the first line of FILE" },
	{ "preempt", 'P', 0, NULL, C|V, "take over from a less preferred master" },
	{ "neutral", 'n', 0, NULL, C|V, "do not run the down script at start" },
	{ "addr", 'a', 1, "ADDR", C|V, "virtual address, IPv4 or IPv6, ADDR or ADDR/LEN; may be given several times (required)" },
	{ "help", 'h', 0, NULL, C, "print this help and exit" },
	{ "advbase", 'b', 1, "SECONDS", C|V, "advert interval base, 0 to 255 (default 1)" },
	{ "advskew", 'k', 1, "SKEW", C|V, "advert skew in 1/256 s, 0 to 254 (default 0)" },
	{ "upscript", 'u', 1, "FILE", C|V, "run FILE when becoming master" },
	{ "downscript", 'd', 1, "FILE", C|V, "run FILE when becoming backup" },
	{ "deadratio", 'r', 1, "RATIO", C|V, "adverts missed before the master is dead, 1 to 255 (default 3)" },
	{ "debug", 'D', 0, NULL, C|G, "log packet-level detail" },
	{ "shutdown", 'z', 0, NULL, C|V, "run the down script at exit even as backup" },
	{ "daemonize", 'B', 0, NULL, C, "run in the background" },
	{ "ignoreifstate", 'S', 0, NULL, C|V, "ignore the interface state (down, no carrier)" },
	{ "nomcast", 'M', 0, NULL, C|V, "send adverts to the Ethernet broadcast address" },
	{ "facility", 'f', 1, "NAME", C|G, "syslog facility (default daemon)" },
	{ "xparam", 'x', 1, "VALUE", C|V, "extra argument for the up and down scripts" },
	{ "down-formula", OPT_DOWN_FORMULA, 1, "NAME", C|V, "master-down interval: auto, ucarp or openbsd (default auto)" },
	{ "garp-repeat", OPT_GARP_REPEAT, 1, "N", C|V, "gratuitous ARPs per burst on becoming master, 1 to 100 (default 1)" },
	{ "garp-interval", OPT_GARP_INTERVAL, 1, "MS", C|V, "milliseconds between the ARPs of a burst, 0 to 10000 (default 0)" },
	{ "garp-delay", OPT_GARP_DELAY, 1, "MS", C|V, "second burst after MS milliseconds, 0 for none (default two advert intervals)" },
	{ "garp-refresh", OPT_GARP_REFRESH, 1, "SECONDS", C|V, "repeat a burst every SECONDS while master, 0 for never (default 0)" },
	{ "demote-group", OPT_DEMOTE_GROUP, 1, "NAME", C|V, "also in demotion group NAME, besides the interface's and carp; may be given up to 8 times" },
	{ "demote-advskew", OPT_DEMOTE_ADVSKEW, 1, "MODE", C|V, "advskew sent while demoted, for peers that ignore the demote byte: max (240), add (advskew + demotion) or no (default max)" },
	{ "preempt-delay", OPT_PREEMPT_DELAY, 1, "SECONDS", C|V, "do not preempt for SECONDS after start, 0 to 3600 (default 0)" },
	{ "sync-group", OPT_SYNC_GROUP, 1, "NAME", C|V, "in sync group NAME: when another vhid of it takes over, this one does at once; one sync group per vhid (default none)" },
	{ "startup-demote", OPT_STARTUP_DEMOTE, 1, "SECONDS", C|G, "demote group carp by 128 for SECONDS after start, 0 to 3600 (default 0)" },
	{ "track-script", OPT_TRACK_SCRIPT, 1, "TRACK", C|G, "TRACK is GROUP,FILE: run FILE every track-interval; failing, it demotes GROUP by track-weight; up to 32 tracks" },
	{ "track-file", OPT_TRACK_FILE, 1, "TRACK", C|G, "TRACK is GROUP,FILE: demote GROUP by the number, 0 to 255, in FILE, read every track-interval" },
	{ "track-interval", OPT_TRACK_INTERVAL, 1, "SECONDS", C|G, "seconds between track runs, 1 to 3600 (default 2)" },
	{ "track-timeout", OPT_TRACK_TIMEOUT, 1, "SECONDS", C|G, "a track script running longer fails, 1 to 3600 (default 2)" },
	{ "track-fall", OPT_TRACK_FALL, 1, "N", C|G, "failures in a row before a track script demotes, 1 to 100 (default 2)" },
	{ "track-rise", OPT_TRACK_RISE, 1, "N", C|G, "successes in a row before it stops, 1 to 100 (default 2)" },
	{ "track-weight", OPT_TRACK_WEIGHT, 1, "N", C|G, "demotion of a failing track script, 1 to 255 (default 1)" },
	{ "notify-fifo", OPT_NOTIFY_FIFO, 1, "FILE", C|G, "write \"VHID INTERFACE STATE GROUP\" to the FIFO FILE at every transition" },
	{ "peer", OPT_PEER, 1, "ADDR", C|V, "send adverts to ADDR (IPv4 or IPv6), unicast, and accept them from the peers only; may be given several times (default: multicast)" },
	{ "peer-routed", OPT_PEER_ROUTED, 0, NULL, C|V, "accept adverts from peers whose TTL or hop limit is below 255 (peers behind routers)" },
	{ "mac", OPT_MAC, 1, "MODE", C|V, "MAC of the master: real, or virtual (00:00:5e:00:01:<vhid>, on a macvlan device) (default real)" },
	{ "carpnodes", OPT_CARPNODES, 1, "LIST", C|V, "balance the addresses over nodes: LIST is VHID:ADVSKEW,... (such as 1:0,2:100,3:100), at least 2, instead of --vhid and --advskew; ARP answered by one node's master per client" },
	{ "script-timeout", OPT_SCRIPT_TIMEOUT, 1, "SECONDS", C|G, "kill a script running longer, 1 to 3600 (default 30)" },
	{ "config", 'c', 1, "FILE", C, "read vhids from FILE (default " CARPD_CONFIG_FILE " when no --vhid is given)" },
	{ "check", 't', 0, NULL, C, "check the configuration, then exit 0 if it is valid or 1" },
	{ "dump", 'T', 0, NULL, C, "print the normalized configuration and exit" },
	{ "pidfile", OPT_PIDFILE, 1, "FILE", C|G, "write the process id to FILE" },
	{ "control-socket", OPT_CONTROL, 1, "PATH", C|G, "control socket for carpctl (default " CARPD_CONTROL_SOCKET " with a configuration file, none otherwise)" },
	{ "user", OPT_USER, 1, "USER", C|G, "network process runs as USER with only CAP_NET_RAW (default " CARPD_USER ", else " CARPD_USER_FALLBACK "; root: no separation)" },
	{ "script-user", OPT_SCRIPT_USER, 1, "USER", C|G, "run the up and down scripts as USER (default root)" },
	{ "realtime", OPT_REALTIME, 1, "POLICY", C|G, "network process scheduling: off, rr or fifo, with :PRIO 1 to 99 (default rr:10)" },
	{ "version", 'V', 0, NULL, C, "print the version and exit" },
};
#define NOPTS	(sizeof(opt_table) / sizeof(opt_table[0]))

#undef V
#undef C
#undef G

static const struct opt_def *
opt_find(int val)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (opt_table[i].val == val)
			return &opt_table[i];
	return NULL;
}

const struct opt_def *
opt_first(void)
{
	return &opt_table[0];
}

const struct opt_def *
opt_next(const struct opt_def *d)
{
	return d + 1 < opt_table + NOPTS ? d + 1 : NULL;
}

const struct opt_def *
opt_by_name(const char *name)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (strcmp(opt_table[i].name, name) == 0)
			return &opt_table[i];
	return NULL;
}

/* "--advskew (-k)" or "--down-formula"; two may share one printf. */
static const char *
opt_label(int val)
{
	static char		 bufs[4][64];
	static unsigned		 next;
	char			*buf = bufs[next++ % 4];
	const struct opt_def	*o = opt_find(val);

	if (o == NULL)
		return "?";
	if (o->val < OPT_LONG_ONLY)
		snprintf(buf, sizeof(bufs[0]), "--%s (-%c)", o->name, o->val);
	else
		snprintf(buf, sizeof(bufs[0]), "--%s", o->name);
	return buf;
}

void
options_usage(FILE *f)
{
	fprintf(f, "Usage: carpd [options]\n"
	    "Common Address Redundancy Protocol daemon, a drop-in for ucarp.\n\n");
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt_def	*o = &opt_table[i];
		char			 lhs[64];

		if (o->val < OPT_LONG_ONLY)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", o->val,
			    o->name, o->has_arg ? "=" : "",
			    o->has_arg ? o->arg : "");
		else
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", o->name,
			    o->has_arg ? "=" : "", o->has_arg ? o->arg : "");
		fprintf(f, "  %-28s %s\n", lhs, o->help);
	}
	fprintf(f, "\nExample:\n  carpd -i eth0 -s 192.0.2.1 -v 1 -o /etc/carpd.pass "
	    "-a 192.0.2.10 \\\n        -u /etc/carpd/vip-up.sh "
	    "-d /etc/carpd/vip-down.sh\n"
	    "  carpd -c /etc/carpd.conf      (many vhids; see carpd.conf(5))\n");
}

static int
bad_value(char *msg, size_t len, const char *value, const char *allowed)
{
	snprintf(msg, len, "invalid value \"%s\": allowed %s", value, allowed);
	return -1;
}

static int
parse_num(const char *s, long lo, long hi, long *out, char *msg, size_t len)
{
	char	 allowed[64];
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi) {
		snprintf(allowed, sizeof(allowed), "%ld to %ld", lo, hi);
		return bad_value(msg, len, s, allowed);
	}
	*out = v;
	return 0;
}

/* Neither multicast nor unspecified; the broadcast address neither. */
static int
usable_vip(int af, const void *a)
{
	const struct in_addr	*a4 = a;
	const struct in6_addr	*a6 = a;

	if (af == AF_INET)
		return a4->s_addr != INADDR_ANY &&
		    a4->s_addr != INADDR_BROADCAST &&
		    !IN_MULTICAST(ntohl(a4->s_addr));
	return !IN6_IS_ADDR_UNSPECIFIED(a6) && !IN6_IS_ADDR_MULTICAST(a6) &&
	    !IN6_IS_ADDR_V4MAPPED(a6);
}

#define VIP_FORMS "ADDR or ADDR/LEN, such as 192.0.2.10/24 or 2001:db8::10/64"

/* A virtual address of either family, with an optional prefix length. */
static int
parse_vip(struct vhid_config *vc, const char *s, char *msg, size_t len)
{
	char		 buf[INET6_ADDRSTRLEN + 5];
	const char	*slash = strchr(s, '/');
	long		 plen = 0;
	struct in6_addr	 a6;
	struct in_addr	 a4;
	int		 af;

	if (strlen(s) >= sizeof(buf))
		return bad_value(msg, len, s, VIP_FORMS);
	strcpy(buf, s);
	if (slash != NULL)
		buf[slash - s] = '\0';
	if (inet_pton(AF_INET, buf, &a4) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, buf, &a6) == 1)
		af = AF_INET6;
	else
		return bad_value(msg, len, s, VIP_FORMS);
	if (slash != NULL && parse_num(slash + 1, 1, af == AF_INET ? 32 : 128,
	    &plen, msg, len) == -1)
		return bad_value(msg, len, s, af == AF_INET ?
		    "a prefix length from 1 to 32, such as 192.0.2.10/24" :
		    "a prefix length from 1 to 128, such as 2001:db8::10/64");
	if (!usable_vip(af, af == AF_INET ? (void *)&a4 : (void *)&a6))
		return bad_value(msg, len, s, "a unicast address: not "
		    "multicast, broadcast, unspecified or IPv4-mapped");
	if ((af == AF_INET ? vc->nvips : vc->nvips6) == CARPD_MAX_VIPS) {
		snprintf(msg, len, "at most %d addresses of each family per "
		    "vhid", CARPD_MAX_VIPS);
		return -1;
	}
	for (size_t i = 0; af == AF_INET && i < vc->nvips; i++)
		if (vc->vips[i].s_addr == a4.s_addr)
			goto twice;
	for (size_t i = 0; af == AF_INET6 && i < vc->nvips6; i++)
		if (memcmp(&vc->vips6[i], &a6, sizeof(a6)) == 0)
			goto twice;
	if (af == AF_INET) {
		vc->vips[vc->nvips] = a4;
		vc->prefix[vc->nvips++] = (uint8_t)plen;
	} else {
		vc->vips6[vc->nvips6] = a6;
		vc->prefix6[vc->nvips6++] = (uint8_t)plen;
	}
	return 0;
twice:
	snprintf(msg, len, "address %s is given twice", buf);
	return -1;
}

static int
node_cmp(const void *a, const void *b)
{
	const struct vhid_node *x = a, *y = b;

	return (int)x->vhid - (int)y->vhid;
}

#define NODES_FORM "VHID:ADVSKEW,... with VHID 1 to 255 and ADVSKEW 0 to " \
	"254, such as 1:0,2:100,3:100"

/* One "VHID:ADVSKEW" of carpnodes. */
static int
parse_node(const char *s, struct vhid_node *n, char *msg, size_t len)
{
	char	 buf[16], *colon;
	long	 vhid, skew;

	if (strlen(s) >= sizeof(buf) || (colon = strchr(s, ':')) == NULL) {
		snprintf(msg, len, "invalid node \"%s\": allowed "
		    NODES_FORM, s);
		return -1;
	}
	strcpy(buf, s);
	buf[colon - s] = '\0';
	if (parse_num(buf, 1, 255, &vhid, msg, len) == -1 ||
	    parse_num(buf + (colon - s) + 1, 0, 254, &skew, msg, len) == -1) {
		snprintf(msg, len, "invalid node \"%s\": allowed "
		    NODES_FORM, s);
		return -1;
	}
	n->vhid = (uint8_t)vhid;
	n->advskew = (uint8_t)skew;
	return 0;
}

/* carpnodes: at least two nodes, each vhid once, kept sorted by vhid. */
static int
parse_nodes(struct vhid_config *vc, const char *arg, char *msg, size_t len)
{
	char	*list = xstrdup(arg), *save = NULL, *tok;
	size_t	 n = 0;
	int	 rc = -1;

	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n == CARPD_MAX_NODES) {
			snprintf(msg, len, "invalid value \"%s\": at most %d "
			    "nodes", arg, CARPD_MAX_NODES);
			goto out;
		}
		if (parse_node(tok, &vc->nodes[n], msg, len) == -1)
			goto out;
		for (size_t i = 0; i < n; i++)
			if (vc->nodes[i].vhid == vc->nodes[n].vhid) {
				snprintf(msg, len, "invalid value \"%s\": "
				    "vhid %u is given twice: each node once",
				    arg, vc->nodes[n].vhid);
				goto out;
			}
		n++;
	}
	if (n < 2) {
		snprintf(msg, len, "invalid value \"%s\": %s; balancing "
		    "needs at least 2 nodes (" NODES_FORM ")", arg,
		    n == 1 ? "a single node" : "no node");
		goto out;
	}
	qsort(vc->nodes, n, sizeof(vc->nodes[0]), node_cmp);
	vc->nnodes = n;
	rc = 0;
out:
	if (rc == -1)
		vc->nnodes = 0;
	free(list);
	return rc;
}

/* --srcip: this host's address of either family. */
static int
parse_src(struct vhid_config *vc, const char *s, char *msg, size_t len)
{
	struct in6_addr a6;

	if (inet_pton(AF_INET, s, &vc->src) == 1)
		return 0;
	if (inet_pton(AF_INET6, s, &a6) != 1)
		return bad_value(msg, len, s, "an IPv4 or IPv6 address such "
		    "as 192.0.2.10 or fe80::1");
	if (!usable_vip(AF_INET6, &a6))
		return bad_value(msg, len, s, "a unicast address of this host");
	vc->src6 = a6;
	return 0;
}

/* --mcast: a group of either family, for the adverts of that family. */
static int
parse_group(struct vhid_config *vc, const char *s, char *msg, size_t len)
{
	struct in6_addr a6;
	struct in_addr	a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		if (!IN_MULTICAST(ntohl(a4.s_addr)))
			return bad_value(msg, len, s, "an IPv4 multicast "
			    "address, 224.0.0.0 to 239.255.255.255, or an "
			    "IPv6 one such as ff02::12");
		vc->group = a4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6) != 1 || !IN6_IS_ADDR_MULTICAST(&a6))
		return bad_value(msg, len, s, "a multicast address: IPv4 "
		    "224.0.0.0 to 239.255.255.255, or IPv6 ff00::/8 such as "
		    "ff02::12");
	vc->group6 = a6;
	return 0;
}

/* The interface holding the address `p` on this host, or NULL. */
static const char *
own_address(const struct vhid_peer *p, char *ifname, size_t len)
{
	struct ifaddrs	*ifa, *i;
	const char	*found = NULL;

	if (getifaddrs(&ifa) == -1)
		return NULL;
	for (i = ifa; i != NULL && found == NULL; i = i->ifa_next) {
		const void *a;

		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != p->family)
			continue;
		if (p->family == AF_INET)
			a = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
		else
			a = &((struct sockaddr_in6 *)(void *)
			    i->ifa_addr)->sin6_addr;
		if (memcmp(a, &p->addr, p->family == AF_INET ? 4 : 16) == 0) {
			snprintf(ifname, len, "%s", i->ifa_name);
			found = ifname;
		}
	}
	freeifaddrs(ifa);
	return found;
}

/* An IPv6 peer: another host's unicast address (global or link-local). */
static int
peer6_ok(const struct in6_addr *a, const char *s, char *msg, size_t len)
{
	if (IN6_IS_ADDR_MULTICAST(a) || IN6_IS_ADDR_UNSPECIFIED(a) ||
	    IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_V4MAPPED(a))
		return bad_value(msg, len, s, "another host's unicast IPv6 "
		    "address (not multicast ff00::/8, ::, ::1 or "
		    "IPv4-mapped)");
	return 0;
}

static int
peer4_ok(struct in_addr a, const char *s, char *msg, size_t len)
{
	uint32_t h = ntohl(a.s_addr);

	if (IN_MULTICAST(h) || h == INADDR_BROADCAST || h == INADDR_ANY ||
	    (h >> 24) == IN_LOOPBACKNET)
		return bad_value(msg, len, s, "another host's unicast IPv4 "
		    "address (not multicast, broadcast, 0.0.0.0 or loopback)");
	return 0;
}

/*
 * A unicast peer: another host's own address, IPv4 or IPv6.  Whether
 * the vhid has addresses of its family is checked once the vhid is
 * complete (vhid_config.c), since its addresses may come later.
 */
static int
parse_peer(struct vhid_config *vc, const char *s, char *msg, size_t len)
{
	struct vhid_peer	 p;
	char			 ifname[IF_NAMESIZE];

	memset(&p, 0, sizeof(p));	/* compared with memcmp */
	if (inet_pton(AF_INET6, s, &p.addr.in6) == 1) {
		p.family = AF_INET6;
		if (peer6_ok(&p.addr.in6, s, msg, len) == -1)
			return -1;
	} else if (inet_pton(AF_INET, s, &p.addr.in4) == 1) {
		p.family = AF_INET;
		if (peer4_ok(p.addr.in4, s, msg, len) == -1)
			return -1;
	} else
		return bad_value(msg, len, s, "another host's IPv4 or IPv6 "
		    "address, such as 192.0.2.2 or 2001:db8::2");
	if (own_address(&p, ifname, sizeof(ifname)) != NULL) {
		snprintf(msg, len, "peer %s is an address of this host (on "
		    "%s): a peer is another host", s, ifname);
		return -1;
	}
	if (p.family == AF_INET ? vhid_config_has_peer4(vc, p.addr.in4) :
	    vhid_config_has_peer6(vc, &p.addr.in6)) {
		snprintf(msg, len, "peer %s is given twice", s);
		return -1;
	}
	if (vc->npeers == CARPD_MAX_PEERS) {
		snprintf(msg, len, "at most %d peers per vhid", CARPD_MAX_PEERS);
		return -1;
	}
	vc->peers[vc->npeers++] = p;
	return 0;
}

static int
set_key(struct vhid_config *vc, const char *pw, char *msg, size_t len)
{
	size_t n = strlen(pw);

	if (n == 0 || n > CARP_KEY_MAX) {
		snprintf(msg, len, "the password has %zu characters: allowed "
		    "1 to %d", n, CARP_KEY_MAX);
		return -1;
	}
	explicit_bzero(vc->key, sizeof(vc->key));
	memcpy(vc->key, pw, n);
	vc->keylen = n;
	return 0;
}

static int
set_string(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
	return 0;
}

static int
read_passfile(struct vhid_config *vc, const char *path, char *msg, size_t len)
{
	char	buf[256], why[PATH_MAX + 128];
	ssize_t	n;
	int	fd, rc;

	if ((fd = safefile_open(path, why, sizeof(why))) < 0) {
		snprintf(msg, len, fd == SAFEFILE_UNSAFE ? "\"%s\": %s" :
		    "cannot read \"%s\": %s", path, why);
		return -1;
	}
	if ((n = read(fd, buf, sizeof(buf) - 1)) < 0) {
		snprintf(msg, len, "cannot read \"%s\": %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	rc = set_key(vc, buf, msg, len);
	explicit_bzero(buf, sizeof(buf));
	if (rc == 0)
		set_string(&vc->passfile, path);
	return rc;
}

/*
 * Root will run it: refuse a script that others could change.  One that
 * is not there (yet) is only a warning: it is checked again each time
 * it runs, and a missing one is logged and skipped then.
 */
static int
set_script(char **dst, const char *opt, const char *path, char *msg,
    size_t len)
{
	char	why[PATH_MAX + 128];
	int	fd;

	if ((fd = safefile_open(path, why, sizeof(why))) >= 0)
		close(fd);
	else if (fd == SAFEFILE_UNSAFE) {
		snprintf(msg, len, "\"%s\": %s", path, why);
		return -1;
	} else
		log_warnx("%s \"%s\": %s; it is checked again each time it "
		    "runs", opt, path, why);
	return set_string(dst, path);
}

/* A track script must be there, root's and executable at start. */
static int
check_track_script(const char *path, char *msg, size_t len)
{
	struct stat	st;
	char		why[PATH_MAX + 128];
	int		fd;

	if ((fd = safefile_open(path, why, sizeof(why))) < 0) {
		snprintf(msg, len, "\"%s\": %s", path, why);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0) {
		close(fd);
		snprintf(msg, len, "\"%s\": not an executable file", path);
		return -1;
	}
	close(fd);
	return 0;
}

int
passfile_exposed(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	return (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
}

static int
parse_bool(const char *arg, bool *out, char *msg, size_t len)
{
	if (arg == NULL || strcmp(arg, "yes") == 0)
		*out = true;
	else if (strcmp(arg, "no") == 0)
		*out = false;
	else
		return bad_value(msg, len, arg, "yes or no");
	return 0;
}

/* demote-group: the defaults are implied, a name is given once. */
static int
add_group(struct vhid_config *vc, const char *arg, char *msg, size_t len)
{
	if (demote_name_ok(arg) == -1)
		return bad_value(msg, len, arg, "a group name of 1 to 15 "
		    "letters, digits, '_', '.' or '-'");
	for (size_t i = 0; i < vc->ngroups; i++)
		if (strcmp(vc->groups[i], arg) == 0)
			return 0;
	if (vc->ngroups == CARPD_MAX_GROUPS) {
		snprintf(msg, len, "too many demotion groups: at most %d "
		    "besides the interface's and " DEMOTE_ALL,
		    CARPD_MAX_GROUPS);
		return -1;
	}
	snprintf(vc->groups[vc->ngroups++], CARPD_GROUP_LEN, "%s", arg);
	return 0;
}

/* sync-group: one per vhid, as keepalived's vrrp_sync_group. */
static int
set_sync_group(struct vhid_config *vc, const char *arg, char *msg,
    size_t len)
{
	if (demote_name_ok(arg) == -1)
		return bad_value(msg, len, arg, "a group name of 1 to 15 "
		    "letters, digits, '_', '.' or '-'");
	if (vc->syncgroup[0] != '\0' && strcmp(vc->syncgroup, arg) != 0) {
		snprintf(msg, len, "invalid value \"%s\": the vhid is in sync "
		    "group %s already, and a vhid is in one sync group at most",
		    arg, vc->syncgroup);
		return -1;
	}
	snprintf(vc->syncgroup, sizeof(vc->syncgroup), "%s", arg);
	return 0;
}

static int
apply_vhid(int c, const char *arg, struct vhid_config *vc, char *msg,
    size_t len)
{
	long n;

#define NUM(lo, hi, field) do {						\
		if (parse_num(arg, lo, hi, &n, msg, len) == -1)		\
			return -1;					\
		field = n;						\
		return 0;						\
	} while (0)

	switch (c) {
	case 'i':
		if (strlen(arg) == 0 || strlen(arg) >= sizeof(vc->ifname))
			return bad_value(msg, len, arg, "an interface name of 1 to 15 characters");
		strcpy(vc->ifname, arg);
		return 0;
	case 's':
		return parse_src(vc, arg, msg, len);
	case 'm':
		return parse_group(vc, arg, msg, len);
	case 'v':
		NUM(1, 255, vc->vhid);
	case 'p':
		free(vc->passfile);
		vc->passfile = NULL;
		return set_key(vc, arg, msg, len);
	case 'o':
		return read_passfile(vc, arg, msg, len);
	case 'P':
		return parse_bool(arg, &vc->preempt, msg, len);
	case 'n':
		return parse_bool(arg, &vc->neutral, msg, len);
	case 'a':
		return parse_vip(vc, arg, msg, len);
	case 'b':
		NUM(0, 255, vc->advbase);
	case 'k':
		NUM(0, 254, vc->advskew);
	case 'u':
		return set_script(&vc->upscript, "upscript", arg, msg, len);
	case 'd':
		return set_script(&vc->downscript, "downscript", arg, msg, len);
	case 'r':
		NUM(1, 255, vc->deadratio);
	case 'z':
		return parse_bool(arg, &vc->shutdown_script, msg, len);
	case 'S':
		return parse_bool(arg, &vc->ignoreifstate, msg, len);
	case 'M':
		return parse_bool(arg, &vc->broadcast, msg, len);
	case 'x':
		return set_string(&vc->xparam, arg);
	case OPT_DOWN_FORMULA:
		if (strcmp(arg, "auto") == 0)
			vc->downfmt = FSM_DOWN_AUTO;
		else if (strcmp(arg, "ucarp") == 0)
			vc->downfmt = FSM_DOWN_UCARP;
		else if (strcmp(arg, "openbsd") == 0)
			vc->downfmt = FSM_DOWN_OPENBSD;
		else
			return bad_value(msg, len, arg, "auto, ucarp or openbsd");
		return 0;
	case OPT_GARP_REPEAT:
		NUM(1, 100, vc->garp_repeat);
	case OPT_GARP_INTERVAL:
		NUM(0, 10000, vc->garp_interval_ms);
	case OPT_GARP_DELAY:
		if (strcmp(arg, "auto") == 0) {
			vc->garp_delay_ms = -1;
			return 0;
		}
		NUM(0, 3600000, vc->garp_delay_ms);
	case OPT_GARP_REFRESH:
		NUM(0, 86400, vc->garp_refresh_s);
	case OPT_DEMOTE_GROUP:
		return add_group(vc, arg, msg, len);
	case OPT_DEMOTE_ADVSKEW:
		if (strcmp(arg, "no") == 0)
			vc->demote_skew = FSM_SKEW_OFF;
		else if (strcmp(arg, "add") == 0)
			vc->demote_skew = FSM_SKEW_ADD;
		else if (strcmp(arg, "max") == 0)
			vc->demote_skew = FSM_SKEW_MAX;
		else
			return bad_value(msg, len, arg, "max, add or no");
		return 0;
	case OPT_PREEMPT_DELAY:
		NUM(0, 3600, vc->preempt_delay_s);
	case OPT_SYNC_GROUP:
		return set_sync_group(vc, arg, msg, len);
	case OPT_PEER:
		return parse_peer(vc, arg, msg, len);
	case OPT_PEER_ROUTED:
		return parse_bool(arg, &vc->peer_routed, msg, len);
	case OPT_CARPNODES:
		return parse_nodes(vc, arg, msg, len);
	case OPT_MAC:
		if (strcmp(arg, "real") == 0)
			vc->vmac = false;
		else if (strcmp(arg, "virtual") == 0)
			vc->vmac = true;
		else
			return bad_value(msg, len, arg, "real or virtual");
		return 0;
	}
#undef NUM
	snprintf(msg, len, "not a vhid setting");
	return -1;
}

/*
 * track-script/track-file GROUP,PATH.  A script is checked as the up and
 * down scripts are (root's, executable); a file need only be a path: it
 * may come later (a maintenance switch), and a bad one is counted.
 */
static int
add_track(struct carpd_global *g, bool file, const char *arg, char *msg,
    size_t len)
{
	struct track_def	*t;
	const char		*comma = strchr(arg, ',');
	char			 group[DEMOTE_NAME_LEN];

	if (comma == NULL || (size_t)(comma - arg) >= sizeof(group) ||
	    comma[1] != '/')
		return bad_value(msg, len, arg, "GROUP,PATH with a group name "
		    "and an absolute path");
	memcpy(group, arg, (size_t)(comma - arg));
	group[comma - arg] = '\0';
	if (demote_name_ok(group) == -1)
		return bad_value(msg, len, arg, "a group name of 1 to 15 "
		    "letters, digits, '_', '.' or '-' before the comma");
	if (g->ntracks == CARPD_MAX_TRACKS) {
		snprintf(msg, len, "too many tracks: at most %d",
		    CARPD_MAX_TRACKS);
		return -1;
	}
	if (!file && check_track_script(comma + 1, msg, len) == -1)
		return -1;
	t = &g->tracks[g->ntracks++];
	t->file = file;
	snprintf(t->group, sizeof(t->group), "%s", group);
	t->path = xstrdup(comma + 1);
	return 0;
}

static int
apply_global(int c, const char *arg, struct carpd_global *g, char *msg,
    size_t len)
{
	long n;

	switch (c) {
	case 'D':
		return parse_bool(arg, &g->debug, msg, len);
	case 'f':
		if ((g->facility = log_facility_parse(arg)) == -1)
			return bad_value(msg, len, arg, log_facility_names());
		return 0;
	case OPT_SCRIPT_TIMEOUT:
		if (parse_num(arg, 1, 3600, &n, msg, len) == -1)
			return -1;
		g->script_timeout = (unsigned)n;
		return 0;
	case OPT_STARTUP_DEMOTE:
		if (parse_num(arg, 0, 3600, &n, msg, len) == -1)
			return -1;
		g->startup_demote_s = (unsigned)n;
		return 0;
	case OPT_TRACK_SCRIPT:
	case OPT_TRACK_FILE:
		return add_track(g, c == OPT_TRACK_FILE, arg, msg, len);
	case OPT_TRACK_INTERVAL:
	case OPT_TRACK_TIMEOUT:
		if (parse_num(arg, 1, 3600, &n, msg, len) == -1)
			return -1;
		*(c == OPT_TRACK_INTERVAL ? &g->track_interval :
		    &g->track_timeout) = (unsigned)n;
		return 0;
	case OPT_TRACK_FALL:
	case OPT_TRACK_RISE:
		if (parse_num(arg, 1, 100, &n, msg, len) == -1)
			return -1;
		*(c == OPT_TRACK_FALL ? &g->track_fall : &g->track_rise) =
		    (unsigned)n;
		return 0;
	case OPT_TRACK_WEIGHT:
		if (parse_num(arg, 1, 255, &n, msg, len) == -1)
			return -1;
		g->track_weight = (unsigned)n;
		return 0;
	case OPT_NOTIFY_FIFO:
		if (arg[0] != '/')
			return bad_value(msg, len, arg, "an absolute path");
		return set_string(&g->notify_fifo, arg);
	case OPT_PIDFILE:
	case OPT_CONTROL:
		/* daemon() changes to /: a relative path would move. */
		if (arg[0] != '/')
			return bad_value(msg, len, arg, "an absolute path");
		return set_string(c == OPT_PIDFILE ? &g->pidfile :
		    &g->control_path, arg);
	case OPT_USER:
	case OPT_SCRIPT_USER:
		if (getpwnam(arg) == NULL)
			return bad_value(msg, len, arg, "the name of an existing user");
		return set_string(c == OPT_USER ? &g->user : &g->script_user, arg);
	case OPT_REALTIME:
		return rt_parse(arg, &g->rt, msg, len);
	}
	snprintf(msg, len, "not a global setting");
	return -1;
}

int
opt_apply(const struct opt_def *o, const char *arg, struct vhid_config *vc,
    struct carpd_global *g, char *msg, size_t len)
{
	if (o->scope & OPT_VHID)
		return apply_vhid(o->val, arg, vc, msg, len);
	if (o->scope & OPT_GLOBAL)
		return apply_global(o->val, arg, g, msg, len);
	if (o->val == 'v')
		return apply_vhid(o->val, arg, vc, msg, len);
	snprintf(msg, len, "not a setting");
	return -1;
}

void
global_defaults(struct carpd_global *g)
{
	memset(g, 0, sizeof(*g));
	g->facility = LOG_DAEMON;
	g->script_timeout = CARPD_SCRIPT_TIMEOUT;
	g->track_interval = 2;
	g->track_timeout = 2;
	g->track_fall = 2;
	g->track_rise = 2;
	g->track_weight = 1;
	g->rt.policy = RT_RR;
	g->rt.prio = RT_PRIO_DEFAULT;
}

void
global_free(struct carpd_global *g)
{
	free(g->pidfile);
	free(g->control_path);
	free(g->user);
	free(g->script_user);
	free(g->notify_fifo);
	for (size_t i = 0; i < g->ntracks; i++)
		free(g->tracks[i].path);
	memset(g, 0, sizeof(*g));
}

void
options_free(struct carpd_options *o)
{
	vhid_config_clear(&o->vc);
	global_free(&o->g);
	free(o->config);
	o->config = NULL;
	free(o->cli_globals);
	o->cli_globals = NULL;
	o->ncli_globals = 0;
}

/* Reported in CLI terms: which option to add. */
static int
check_cli_one(const struct vhid_config *vc, FILE *err)
{
	char msg[256];

	if (vc->vhid == 0)
		fprintf(err, "carpd: %s is required: a number from 1 to 255 "
		    "(or %s)\n", opt_label('v'), opt_label(OPT_CARPNODES));
	else if (vc->nvips == 0 && vc->nvips6 == 0)
		fprintf(err, "carpd: %s is required: the virtual address\n",
		    opt_label('a'));
	else if (vhid_config_family_msg(vc, 1, msg, sizeof(msg)) == -1)
		fprintf(err, "carpd: %s\n", msg);
	else if (vc->keylen == 0)
		fprintf(err, "carpd: a password is required: give %s or %s\n",
		    opt_label('o'), opt_label('p'));
	else if (vc->advbase == 0 && vc->advskew == 0)
		fprintf(err, "carpd: --advbase (-b) 0 needs --advskew (-k) "
		    "from 1 to 254: the advert interval is advbase + "
		    "advskew/256 seconds and cannot be 0\n");
	else if (vhid_config_complete(vc, msg, sizeof(msg)) == -1)
		fprintf(err, "carpd: %s\n", msg);
	else
		return 0;
	return -1;
}

/* --carpnodes: every node is checked as the vhid it becomes. */
static int
check_cli_vhid(struct carpd_options *o, bool vhid, bool skew, FILE *err)
{
	struct vhid_config	n;
	int			rc = 0;

	if (o->vc.nnodes == 0)
		return check_cli_one(&o->vc, err);
	if (vhid || skew) {
		fprintf(err, "carpd: give %s or %s, not both: the nodes are "
		    "the vhids, each with this host's advskew\n",
		    opt_label(vhid ? 'v' : 'k'), opt_label(OPT_CARPNODES));
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < o->vc.nnodes; i++) {
		vhid_config_node(&n, &o->vc, i);
		rc = check_cli_one(&n, err);
		vhid_config_clear(&n);
	}
	return rc;
}

static void
build_getopt(struct option *longopts, char *shortopts)
{
	size_t k = 0;

	shortopts[k++] = ':';
	for (size_t i = 0; i < NOPTS; i++) {
		longopts[i].name = opt_table[i].name;
		longopts[i].has_arg = opt_table[i].has_arg ?
		    required_argument : no_argument;
		longopts[i].flag = NULL;
		longopts[i].val = opt_table[i].val;
		if (opt_table[i].val < OPT_LONG_ONLY) {
			shortopts[k++] = (char)opt_table[i].val;
			if (opt_table[i].has_arg)
				shortopts[k++] = ':';
		}
	}
	memset(&longopts[NOPTS], 0, sizeof(longopts[NOPTS]));
	shortopts[k] = '\0';
}

static int
cli_special(int c, struct carpd_options *o, FILE *out, FILE *err,
    char **argv, enum options_result *res)
{
	switch (c) {
	case 'h':
		options_usage(out);
		*res = OPTIONS_EXIT_OK;
		return 1;
	case 'V':
		fprintf(out, "carpd %s\n", PACKAGE_VERSION);
		*res = OPTIONS_EXIT_OK;
		return 1;
	case ':':
		fprintf(err, "carpd: %s needs a value; see carpd --help\n",
		    optopt ? opt_label(optopt) : argv[optind - 1]);
		*res = OPTIONS_ERROR;
		return 1;
	case '?':
		if (optopt && opt_find(optopt) != NULL &&
		    strncmp(argv[optind - 1], "--", 2) == 0)
			fprintf(err, "carpd: %s takes no value; see carpd --help\n",
			    opt_label(optopt));
		else if (optopt)
			fprintf(err, "carpd: unknown option -%c; see carpd --help\n",
			    optopt);
		else
			fprintf(err, "carpd: unknown option %s; see carpd --help\n",
			    argv[optind - 1]);
		*res = OPTIONS_ERROR;
		return 1;
	case 'B':
		o->daemonize = true;
		return 1;
	case 't':
		o->check = true;
		return 1;
	case 'T':
		o->dump = true;
		return 1;
	case 'c':
		set_string(&o->config, optarg);
		return 1;
	}
	return 0;
}

/* Remember a global setting, to apply it again over the file's. */
static void
cli_global_add(struct carpd_options *o, const struct opt_def *d,
    const char *arg)
{
	struct cli_global *g;

	g = reallocarray(o->cli_globals, o->ncli_globals + 1, sizeof(*g));
	if (g == NULL)
		fatal("reallocarray");
	g[o->ncli_globals].def = d;
	g[o->ncli_globals++].arg = arg;
	o->cli_globals = g;
}

enum options_result
options_parse(int argc, char **argv, struct carpd_options *o, FILE *out,
    FILE *err)
{
	struct option		 longopts[NOPTS + 1];
	char			 shortopts[NOPTS * 2 + 2];
	char			 msg[256];
	enum options_result	 res;
	bool			 have_pass = false, have_passfile = false;
	bool			 have_vhid = false, have_skew = false;
	int			 c;

	memset(o, 0, sizeof(*o));
	vhid_config_defaults(&o->vc);
	global_defaults(&o->g);
	build_getopt(longopts, shortopts);

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct opt_def *d = opt_find(c);

		res = OPTIONS_RUN;
		if (cli_special(c, o, out, err, argv, &res)) {
			if (res != OPTIONS_RUN)
				return res;
			continue;
		}
		if (opt_apply(d, optarg, &o->vc, &o->g, msg, sizeof(msg)) == -1) {
			fprintf(err, "carpd: %s: %s\n", opt_label(c), msg);
			return OPTIONS_ERROR;
		}
		if (d->scope & OPT_VHID || c == 'v')
			o->vhid_given = true;
		if (d->scope & OPT_GLOBAL)
			cli_global_add(o, d, optarg);
		if (c == 'p') {
			have_pass = o->pass_on_cmdline = true;
			/* Keep it out of /proc/PID/cmdline from now on. */
			explicit_bzero(optarg, strlen(optarg));
		}
		if (c == 'o')
			have_passfile = true;
		have_vhid |= c == 'v';
		have_skew |= c == 'k';
	}
	if (optind < argc) {
		fprintf(err, "carpd: unexpected argument \"%s\"; see carpd --help\n",
		    argv[optind]);
		return OPTIONS_ERROR;
	}
	if (have_passfile && have_pass) {
		fprintf(err, "carpd: give either %s or %s, not both\n",
		    opt_label('p'), opt_label('o'));
		return OPTIONS_ERROR;
	}
	if (o->vhid_given && o->config != NULL) {
		fprintf(err, "carpd: give the vhid on the command line or in "
		    "%s, not both\n", o->config);
		return OPTIONS_ERROR;
	}
	if (o->vhid_given && check_cli_vhid(o, have_vhid, have_skew, err) == -1)
		return OPTIONS_ERROR;
	return OPTIONS_RUN;
}
