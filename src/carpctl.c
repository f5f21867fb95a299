/*
 * carpctl.c: query and steer a running carpd through its control
 * socket.  Sends one command line, prints the reply.  Reply lines that
 * start with "error:" go to stderr and make the exit status 1; a daemon
 * that cannot be reached makes it 2.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CARPCTL_SOCKET	"/run/carpd.sock"	/* CARPD_CONTROL_SOCKET */
#define CARPCTL_TIMEOUT	5		/* seconds, per read or write */
#define CARPCTL_REPLY_MAX (16 * 1024 * 1024)
#define CARPCTL_LINE_MAX 64
#define CARPCTL_COMMANDS "status [--json], peers [--json], metrics, " \
	"backup VHID [IFACE], master VHID [IFACE], demote GROUP [+N|-N|N]"

enum { EXIT_OK = 0, EXIT_ERR = 1, EXIT_UNREACHABLE = 2 };

struct reply {
	char	*buf;
	size_t	 len;
	size_t	 size;
};

static void
usage(FILE *f)
{
	fprintf(f, "Usage: carpctl [-s SOCKET] COMMAND [ARGS]\n"
	    "Query and control a running carpd.\n\n"
	    "Commands:\n"
	    "  status [--json]          state, master and counters of every "
	    "vhid\n"
	    "  peers [--json]           every CARP sender heard on each vhid\n"
	    "  metrics                  counters in the Prometheus text "
	    "format\n"
	    "  backup VHID [IFACE]      force VHID to BACKUP, on IFACE or on "
	    "all\n"
	    "  master VHID [IFACE]      force VHID to MASTER, on IFACE or on "
	    "all\n"
	    "  demote GROUP [+N|-N|N]   raise, lower, set or show GROUP's "
	    "demotion\n\n"
	    "Options:\n"
	    "  -s, --socket=SOCKET      carpd's control socket (default %s)\n"
	    "  -h, --help               print this help and exit\n"
	    "  -V, --version            print the version and exit\n\n"
	    "Exit status: 0 success, 1 error, 2 carpd not reachable.\n",
	    CARPCTL_SOCKET);
}

static int	bad_usage(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

static int
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "carpctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'carpctl --help' for more information.\n");
	return EXIT_ERR;
}

/* 1 to 255, decimal digits only. */
static int
check_vhid(const char *s)
{
	size_t	len = strlen(s);
	long	n;

	if (len == 0 || len > 3 || strspn(s, "0123456789") != len)
		return -1;
	n = strtol(s, NULL, 10);
	return n >= 1 && n <= 255 ? 0 : -1;
}

/* Linux's rules for interface names (dev_valid_name). */
static int
check_iface(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= IF_NAMESIZE || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return -1;
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == ':' || (unsigned char)*s <= ' ' ||
		    *s == 0x7f)
			return -1;
	return 0;
}

static int
build_force(int argc, char **argv, char *line, size_t len)
{
	if (argc < 2 || argc > 3) {
		bad_usage("%s: usage: carpctl %s VHID [IFACE]", argv[0],
		    argv[0]);
		return -1;
	}
	if (check_vhid(argv[1]) == -1) {
		fprintf(stderr, "carpctl: VHID: invalid value \"%s\": "
		    "allowed 1 to 255\n", argv[1]);
		return -1;
	}
	if (argc == 3 && check_iface(argv[2]) == -1) {
		fprintf(stderr, "carpctl: IFACE: invalid interface name "
		    "\"%s\": 1 to %d characters, no blanks, '/' or ':'\n",
		    argv[2], IF_NAMESIZE - 1);
		return -1;
	}
	snprintf(line, len, "%s %s%s%s\n", argv[0], argv[1],
	    argc == 3 ? " " : "", argc == 3 ? argv[2] : "");
	return 0;
}

/* The daemon checks the name and the value; one word each here. */
static int
build_demote(int argc, char **argv, char *line, size_t len)
{
	if (argc < 2 || argc > 3) {
		bad_usage("demote: usage: carpctl demote GROUP [+N|-N|N]");
		return -1;
	}
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '\0' || strlen(argv[i]) > 15 ||
		    strpbrk(argv[i], " \t\r\n") != NULL) {
			bad_usage("demote: invalid %s \"%s\"", i == 1 ?
			    "group" : "demotion", argv[i]);
			return -1;
		}
	snprintf(line, len, "demote %s%s%s\n", argv[1], argc == 3 ? " " : "",
	    argc == 3 ? argv[2] : "");
	return 0;
}

/* "status [--json]" and "peers [--json]": "CMD" or "CMD json". */
static int
build_json(int argc, char **argv, char *line, size_t len)
{
	if (argc == 1)
		snprintf(line, len, "%s\n", argv[0]);
	else if (argc == 2 && strcmp(argv[1], "--json") == 0)
		snprintf(line, len, "%s json\n", argv[0]);
	else {
		bad_usage("%s: unexpected argument \"%s\"; usage: carpctl %s "
		    "[--json]", argv[0], strcmp(argv[1], "--json") == 0 ?
		    argv[2] : argv[1], argv[0]);
		return -1;
	}
	return 0;
}

/* The line to send for the command in argv[0..argc), or -1. */
static int
build_command(int argc, char **argv, char *line, size_t len)
{
	if (strcmp(argv[0], "status") == 0 || strcmp(argv[0], "peers") == 0)
		return build_json(argc, argv, line, len);
	if (strcmp(argv[0], "metrics") == 0) {
		if (argc > 1) {
			bad_usage("metrics: unexpected argument \"%s\"; "
			    "usage: carpctl metrics", argv[1]);
			return -1;
		}
		snprintf(line, len, "metrics\n");
		return 0;
	}
	if (strcmp(argv[0], "backup") == 0 || strcmp(argv[0], "master") == 0)
		return build_force(argc, argv, line, len);
	if (strcmp(argv[0], "demote") == 0)
		return build_demote(argc, argv, line, len);
	bad_usage("unknown command \"%s\"; commands: " CARPCTL_COMMANDS,
	    argv[0]);
	return -1;
}

static int
connect_daemon(const char *path)
{
	struct timeval		tv = { CARPCTL_TIMEOUT, 0 };
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);	/* length checked */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* On Linux SO_SNDTIMEO also bounds connect() on a Unix socket. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
recv_all(int fd, struct reply *r)
{
	for (;;) {
		ssize_t n;

		if (r->size - r->len < 4096) {
			char *p;

			if (r->size >= CARPCTL_REPLY_MAX) {
				errno = EMSGSIZE;
				return -1;
			}
			r->size = r->size ? r->size * 2 : 8192;
			if ((p = realloc(r->buf, r->size)) == NULL)
				return -1;
			r->buf = p;
		}
		n = recv(fd, r->buf + r->len, r->size - r->len - 1, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		r->len += (size_t)n;
	}
	r->buf[r->len] = '\0';
	return 0;
}

/* Print the reply: errors to stderr.  1 if any line was an error. */
static int
print_reply(const struct reply *r)
{
	const char	*p = r->buf, *nl;
	int		 failed = 0;

	for (; p < r->buf + r->len; p = nl + 1) {
		size_t len;

		if ((nl = memchr(p, '\n', (size_t)(r->buf + r->len - p))) ==
		    NULL)
			nl = r->buf + r->len;
		len = (size_t)(nl - p);
		if (strncmp(p, "error:", 6) == 0) {
			failed = 1;
			p += 6;
			len -= 6;
			if (len > 0 && *p == ' ')
				p++, len--;
			fprintf(stderr, "carpctl: %.*s\n", (int)len, p);
		} else
			printf("%.*s\n", (int)len, p);
	}
	return failed;
}

static int
talk(const char *path, const char *line)
{
	struct reply	r = { NULL, 0, 0 };
	int		fd, status;

	if ((fd = connect_daemon(path)) == -1) {
		fprintf(stderr, "carpctl: cannot connect to %s: %s\n", path,
		    errno == EAGAIN ? "no answer within 5 seconds" :
		    strerror(errno));
		return EXIT_UNREACHABLE;
	}
	if (send_all(fd, line, strlen(line)) == -1 || recv_all(fd, &r) == -1) {
		fprintf(stderr, "carpctl: %s: %s\n", path,
		    errno == EAGAIN ? "no reply within 5 seconds" :
		    strerror(errno));
		close(fd);
		free(r.buf);
		return EXIT_UNREACHABLE;
	}
	close(fd);
	if (r.len == 0) {
		fprintf(stderr, "carpctl: %s: carpd closed the connection "
		    "without a reply\n", path);
		status = EXIT_UNREACHABLE;
	} else
		status = print_reply(&r) ? EXIT_ERR : EXIT_OK;
	free(r.buf);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "carpctl: stdout: %s\n", strerror(errno));
		status = EXIT_ERR;
	}
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*path = CARPCTL_SOCKET;
	struct sockaddr_un	 sun;
	char			 line[CARPCTL_LINE_MAX];
	int			 ch;

	/* '+': options end at the command, so "status --json" is its own. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:s:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("carpctl %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		case ':':
			return bad_usage("option \"%s\" needs an argument",
			    argv[optind - 1]);
		default:
			if (optopt != 0)
				return bad_usage("unknown option \"-%c\"",
				    optopt);
			return bad_usage("unknown option \"%s\"",
			    argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (path[0] == '\0' || strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "carpctl: --socket (-s): invalid value \"%s\": "
		    "1 to %zu characters\n", path, sizeof(sun.sun_path) - 1);
		return EXIT_ERR;
	}
	if (argc == 0)
		return bad_usage("%s", "no command given; commands: "
		    CARPCTL_COMMANDS);
	if (build_command(argc, argv, line, sizeof(line)) == -1)
		return EXIT_ERR;
	return talk(path, line);
}
