/*
 * options.c: ucarp 1.5.2's command line, with every value checked.
 * The table below is the single source of the getopt string, the long
 * options and --help; tests/options.sh checks carpd(8) against --help.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "options.h"

enum {
	OPT_DOWN_FORMULA = 256,
	OPT_SCRIPT_TIMEOUT,
	OPT_GARP_REPEAT,
	OPT_GARP_INTERVAL,
	OPT_GARP_DELAY,
	OPT_GARP_REFRESH,
};

struct opt_def {
	const char	*name;
	int		 val;		/* short letter or OPT_* */
	int		 has_arg;
	const char	*arg;		/* argument name in --help */
	const char	*help;
};

static const struct opt_def opt_table[] = {
	{ "interface", 'i', 1, "IF", "interface to run on (default: the first one that is up)" },
	{ "srcip", 's', 1, "ADDR", "this host's own address (default: the interface's first IPv4 address)" },
	{ "mcast", 'm', 1, "ADDR", "multicast group of the adverts (default 224.0.0.18)" },
	{ "vhid", 'v', 1, "ID", "virtual host id, 1 to 255 (required)" },
	{ "pass", 'p', 1, "PASS", "shared password, at most 19 characters (prefer --passfile)" },
	{ "passfile", 'o', 1, "FILE", "read the password from the first line of FILE" },
	{ "preempt", 'P', 0, NULL, "take over from a less preferred master" },
	{ "neutral", 'n', 0, NULL, "do not run the down script at start" },
	{ "addr", 'a', 1, "ADDR", "virtual address; may be given several times (required)" },
	{ "help", 'h', 0, NULL, "print this help and exit" },
	{ "advbase", 'b', 1, "SECONDS", "advert interval base, 0 to 255 (default 1)" },
	{ "advskew", 'k', 1, "SKEW", "advert skew in 1/256 s, 0 to 254 (default 0)" },
	{ "upscript", 'u', 1, "FILE", "run FILE when becoming master" },
	{ "downscript", 'd', 1, "FILE", "run FILE when becoming backup" },
	{ "deadratio", 'r', 1, "RATIO", "adverts missed before the master is dead, 1 to 255 (default 3)" },
	{ "debug", 'D', 0, NULL, "log packet-level detail" },
	{ "shutdown", 'z', 0, NULL, "run the down script at exit even as backup" },
	{ "daemonize", 'B', 0, NULL, "run in the background" },
	{ "ignoreifstate", 'S', 0, NULL, "ignore the interface state (down, no carrier)" },
	{ "nomcast", 'M', 0, NULL, "send adverts to the Ethernet broadcast address" },
	{ "facility", 'f', 1, "NAME", "syslog facility (default daemon)" },
	{ "xparam", 'x', 1, "VALUE", "extra argument for the up and down scripts" },
	{ "down-formula", OPT_DOWN_FORMULA, 1, "NAME", "master-down interval: auto, ucarp or openbsd (default auto)" },
	{ "script-timeout", OPT_SCRIPT_TIMEOUT, 1, "SECONDS", "kill a script running longer, 1 to 3600 (default 30)" },
	{ "garp-repeat", OPT_GARP_REPEAT, 1, "N", "gratuitous ARPs per burst on becoming master, 1 to 100 (default 1)" },
	{ "garp-interval", OPT_GARP_INTERVAL, 1, "MS", "milliseconds between the ARPs of a burst, 0 to 10000 (default 0)" },
	{ "garp-delay", OPT_GARP_DELAY, 1, "MS", "second burst after MS milliseconds, 0 for none (default two advert intervals)" },
	{ "garp-refresh", OPT_GARP_REFRESH, 1, "SECONDS", "repeat a burst every SECONDS while master, 0 for never (default 0)" },
	{ "version", 'V', 0, NULL, "print the version and exit" },
};
#define NOPTS	(sizeof(opt_table) / sizeof(opt_table[0]))

static const struct opt_def *
opt_find(int val)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (opt_table[i].val == val)
			return &opt_table[i];
	return NULL;
}

/* "--advskew (-k)" or "--down-formula" */
static const char *
opt_label(int val)
{
	static char		 buf[64];
	const struct opt_def	*o = opt_find(val);

	if (o == NULL)
		return "?";
	if (o->val < 256)
		snprintf(buf, sizeof(buf), "--%s (-%c)", o->name, o->val);
	else
		snprintf(buf, sizeof(buf), "--%s", o->name);
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

		if (o->val < 256)
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
	    "-d /etc/carpd/vip-down.sh\n");
}

static int
bad_value(FILE *err, int opt, const char *value, const char *allowed)
{
	fprintf(err, "carpd: %s: invalid value \"%s\": allowed %s\n",
	    opt_label(opt), value, allowed);
	return -1;
}

static int
parse_num(FILE *err, int opt, const char *s, long lo, long hi, long *out)
{
	char	allowed[64];
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi) {
		snprintf(allowed, sizeof(allowed), "%ld to %ld", lo, hi);
		return bad_value(err, opt, s, allowed);
	}
	*out = v;
	return 0;
}

static int
parse_addr(FILE *err, int opt, const char *s, struct in_addr *out)
{
	if (inet_pton(AF_INET, s, out) != 1)
		return bad_value(err, opt, s, "an IPv4 address such as 192.0.2.10");
	return 0;
}

static int
set_key(FILE *err, int opt, struct vhid_config *vc, const char *pw)
{
	size_t len = strlen(pw);

	if (len == 0 || len > CARP_KEY_MAX) {
		fprintf(err, "carpd: %s: the password has %zu characters: "
		    "allowed 1 to %d\n", opt_label(opt), len, CARP_KEY_MAX);
		return -1;
	}
	memcpy(vc->key, pw, len);
	vc->keylen = len;
	return 0;
}

static int
read_passfile(FILE *err, struct vhid_config *vc, const char *path)
{
	char	buf[256];
	ssize_t	n;
	int	fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(err, "carpd: %s: cannot read \"%s\": %s\n",
		    opt_label('o'), path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		fprintf(err, "carpd: %s: cannot read \"%s\": %s\n",
		    opt_label('o'), path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	rc = set_key(err, 'o', vc, buf);
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

static int
set_string(char **dst, const char *s)
{
	free(*dst);
	if ((*dst = strdup(s)) == NULL)
		return -1;
	return 0;
}

static int
parse_one(int c, char *arg, struct carpd_options *o, FILE *err,
    const char **passfile, bool *have_pass)
{
	struct vhid_config	*vc = &o->vc;
	long			 n;

	switch (c) {
	case 'i':
		if (strlen(arg) == 0 || strlen(arg) >= sizeof(vc->ifname))
			return bad_value(err, c, arg, "an interface name of 1 to 15 characters");
		strcpy(vc->ifname, arg);
		return 0;
	case 's':
		return parse_addr(err, c, arg, &vc->src);
	case 'm':
		if (parse_addr(err, c, arg, &vc->group) == -1)
			return -1;
		if (!IN_MULTICAST(ntohl(vc->group.s_addr)))
			return bad_value(err, c, arg, "an IPv4 multicast address, 224.0.0.0 to 239.255.255.255");
		return 0;
	case 'v':
		if (parse_num(err, c, arg, 1, 255, &n) == -1)
			return -1;
		vc->vhid = (uint8_t)n;
		return 0;
	case 'p':
		o->pass_on_cmdline = true;
		*have_pass = true;
		if (set_key(err, c, vc, arg) == -1)
			return -1;
		/* Keep it out of /proc/PID/cmdline from now on. */
		explicit_bzero(arg, strlen(arg));
		return 0;
	case 'o':
		*passfile = arg;
		return 0;
	case 'P':
		vc->preempt = true;
		return 0;
	case 'n':
		vc->neutral = true;
		return 0;
	case 'a':
		if (vc->nvips == CARPD_MAX_VIPS) {
			fprintf(err, "carpd: %s: at most %d addresses\n",
			    opt_label(c), CARPD_MAX_VIPS);
			return -1;
		}
		return parse_addr(err, c, arg, &vc->vips[vc->nvips++]);
	case 'b':
		if (parse_num(err, c, arg, 0, 255, &n) == -1)
			return -1;
		vc->advbase = (uint8_t)n;
		return 0;
	case 'k':
		if (parse_num(err, c, arg, 0, 254, &n) == -1)
			return -1;
		vc->advskew = (uint8_t)n;
		return 0;
	case 'u':
		return set_string(&vc->upscript, arg);
	case 'd':
		return set_string(&vc->downscript, arg);
	case 'r':
		if (parse_num(err, c, arg, 1, 255, &n) == -1)
			return -1;
		vc->deadratio = (uint8_t)n;
		return 0;
	case 'D':
		o->debug = true;
		return 0;
	case 'z':
		vc->shutdown_script = true;
		return 0;
	case 'B':
		o->daemonize = true;
		return 0;
	case 'S':
		vc->ignoreifstate = true;
		return 0;
	case 'M':
		vc->broadcast = true;
		return 0;
	case 'f':
		if ((o->facility = log_facility_parse(arg)) == -1)
			return bad_value(err, c, arg, log_facility_names());
		return 0;
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
			return bad_value(err, c, arg, "auto, ucarp or openbsd");
		return 0;
	case OPT_GARP_REPEAT:
		if (parse_num(err, c, arg, 1, 100, &n) == -1)
			return -1;
		vc->garp_repeat = (unsigned)n;
		return 0;
	case OPT_GARP_INTERVAL:
		if (parse_num(err, c, arg, 0, 10000, &n) == -1)
			return -1;
		vc->garp_interval_ms = (unsigned)n;
		return 0;
	case OPT_GARP_DELAY:
		if (parse_num(err, c, arg, 0, 3600000, &n) == -1)
			return -1;
		vc->garp_delay_ms = n;
		return 0;
	case OPT_GARP_REFRESH:
		if (parse_num(err, c, arg, 0, 86400, &n) == -1)
			return -1;
		vc->garp_refresh_s = (unsigned)n;
		return 0;
	case OPT_SCRIPT_TIMEOUT:
		if (parse_num(err, c, arg, 1, 3600, &n) == -1)
			return -1;
		o->script_timeout = (unsigned)n;
		return 0;
	}
	return -1;
}

static int
check_required(struct carpd_options *o, FILE *err)
{
	struct vhid_config *vc = &o->vc;

	if (vc->vhid == 0) {
		fprintf(err, "carpd: %s is required: a number from 1 to 255\n",
		    opt_label('v'));
		return -1;
	}
	if (vc->nvips == 0) {
		fprintf(err, "carpd: %s is required: the virtual IPv4 address\n",
		    opt_label('a'));
		return -1;
	}
	if (vc->keylen == 0) {
		fprintf(err, "carpd: a password is required: give %s or %s\n",
		    opt_label('o'), opt_label('p'));
		return -1;
	}
	if (vc->advbase == 0 && vc->advskew == 0) {
		fprintf(err, "carpd: --advbase (-b) 0 needs --advskew (-k) "
		    "from 1 to 254: the advert interval is advbase + "
		    "advskew/256 seconds and cannot be 0\n");
		return -1;
	}
	return 0;
}

enum options_result
options_parse(int argc, char **argv, struct carpd_options *o, FILE *out,
    FILE *err)
{
	struct option	 longopts[NOPTS + 1];
	char		 shortopts[NOPTS * 2 + 2];
	const char	*passfile = NULL;
	bool		 have_pass = false;
	size_t		 k = 0;
	int		 c;

	memset(o, 0, sizeof(*o));
	o->facility = LOG_DAEMON;
	o->script_timeout = CARPD_SCRIPT_TIMEOUT;
	o->vc.advbase = 1;
	o->vc.deadratio = 3;
	o->vc.garp_repeat = 1;
	o->vc.garp_delay_ms = -1;
	inet_pton(AF_INET, CARP_DEFAULT_GROUP, &o->vc.group);

	shortopts[k++] = ':';
	for (size_t i = 0; i < NOPTS; i++) {
		longopts[i].name = opt_table[i].name;
		longopts[i].has_arg = opt_table[i].has_arg ?
		    required_argument : no_argument;
		longopts[i].flag = NULL;
		longopts[i].val = opt_table[i].val;
		if (opt_table[i].val < 256) {
			shortopts[k++] = (char)opt_table[i].val;
			if (opt_table[i].has_arg)
				shortopts[k++] = ':';
		}
	}
	memset(&longopts[NOPTS], 0, sizeof(longopts[NOPTS]));
	shortopts[k] = '\0';

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h') {
			options_usage(out);
			return OPTIONS_EXIT_OK;
		}
		if (c == 'V') {
			fprintf(out, "carpd %s\n", PACKAGE_VERSION);
			return OPTIONS_EXIT_OK;
		}
		if (c == ':') {
			fprintf(err, "carpd: %s needs a value; see carpd --help\n",
			    optopt ? opt_label(optopt) : argv[optind - 1]);
			return OPTIONS_ERROR;
		}
		if (c == '?') {
			if (optopt)
				fprintf(err, "carpd: unknown option -%c; see carpd --help\n",
				    optopt);
			else
				fprintf(err, "carpd: unknown option %s; see carpd --help\n",
				    argv[optind - 1]);
			return OPTIONS_ERROR;
		}
		if (parse_one(c, optarg, o, err, &passfile, &have_pass) == -1)
			return OPTIONS_ERROR;
	}
	if (optind < argc) {
		fprintf(err, "carpd: unexpected argument \"%s\"; see carpd --help\n",
		    argv[optind]);
		return OPTIONS_ERROR;
	}
	if (passfile != NULL && have_pass) {
		fprintf(err, "carpd: give either %s or %s, not both\n",
		    opt_label('p'), opt_label('o'));
		return OPTIONS_ERROR;
	}
	if (passfile != NULL && read_passfile(err, &o->vc, passfile) == -1)
		return OPTIONS_ERROR;
	if (check_required(o, err) == -1)
		return OPTIONS_ERROR;
	return OPTIONS_RUN;
}
