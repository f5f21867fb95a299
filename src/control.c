/*
 * control.c: the control socket of carpd, spoken by carpctl(8).
 *
 * The client sends one line of at most CTL_LINE_MAX bytes; the daemon
 * writes the reply and closes.  Every reply line ends with a newline;
 * the lines of a failed command start with "error:".
 *
 *	status			a table of the vhids, then bad packet counts
 *	status json		the same as one JSON object on one line
 *	backup VHID [IFACE]	FSM_EV_FORCE_BACKUP (every interface by default)
 *	master VHID [IFACE]	FSM_EV_FORCE_MASTER
 *
 * Nothing here may stall adverts: sockets are non-blocking and driven
 * by the event loop, and a client is bounded in count (CTL_CLIENTS_MAX),
 * input (CTL_LINE_MAX) and lifetime (CTL_TIMEOUT, accept to close).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "carpd.h"
#include "control.h"
#include "vhid.h"

#define CTL_LINE_MAX	1024	/* bytes of a command, newline excluded */
#define CTL_CLIENTS_MAX	16
#define CTL_TIMEOUT	5	/* seconds from accept to close */
#define CTL_BACKLOG	16
#define CTL_ARGS_MAX	3	/* "backup VHID IFACE" */
#define CTL_ECHO_MAX	32	/* bytes of client input quoted in errors */
#define CTL_CELL_MAX	(CARPD_MAX_VIPS * INET_ADDRSTRLEN)

#define CTL_COMMANDS \
	"status [json], backup VHID [IFACE], master VHID [IFACE]"

struct ctl_client {
	TAILQ_ENTRY(ctl_client)	 entry;
	struct control		*ctl;
	struct bufferevent	*bev;
	struct event		*timer;
	bool			 replied;
};
TAILQ_HEAD(ctl_clients, ctl_client);

struct control {
	struct carpd		*cd;
	int			 fd;
	struct event		*accept_ev;
	struct event		*pause_ev;	/* after EMFILE */
	char			*path;
	dev_t			 dev;		/* of the socket we bound: */
	ino_t			 ino;		/* unlink only that one */
	struct ctl_clients	 clients;
	size_t			 nclients;
};

static void	client_event(struct bufferevent *, short, void *);

/* ---- formatting helpers ---- */

/* Client input and interface names, safe to print on a terminal. */
static void
sane(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	buf[i] = '\0';
}

static uint64_t
drops_total(const uint64_t *drops)
{
	uint64_t n = 0;

	for (int i = CARP_RX_OK + 1; i < CARP_DROP_MAX; i++)
		n += drops[i];
	return n;
}

static void
addrs_fmt(const struct vhid *v, char *buf, size_t len)
{
	char	a[INET_ADDRSTRLEN];
	size_t	off = 0;

	snprintf(buf, len, "%s", v->cfg.nvips == 0 ? "-" : "");
	for (size_t i = 0; i < v->cfg.nvips && off < len; i++) {
		inet_ntop(AF_INET, &v->cfg.vips[i], a, sizeof(a));
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? "," : "", a);
	}
}

/* The current master: ourselves when MASTER, else the last one heard. */
static int
master_fmt(const struct vhid *v, char *buf, size_t len)
{
	const struct in_addr *m = &v->master;

	if (v->fsm.state == CARP_MASTER)
		m = &v->cfg.src;
	if (m->s_addr == INADDR_ANY) {
		snprintf(buf, len, "-");
		return 0;
	}
	inet_ntop(AF_INET, m, buf, (socklen_t)len);
	return 1;
}

/* ISO 8601 in UTC; 0 and "-" when the vhid never changed state. */
static int
time_fmt(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;

	if (ts->tv_sec == 0 || gmtime_r(&ts->tv_sec, &tm) == NULL) {
		snprintf(buf, len, "-");
		return 0;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 1;
}

/* ---- status: text ---- */

/* Addresses last: a long list must not push the other columns apart. */
enum {
	COL_VHID, COL_IF, COL_STATE, COL_MASTER, COL_ADV, COL_CHANGE,
	COL_REASON, COL_SENT, COL_RECV, COL_BAD, COL_ADDRS, NCOLS
};

static const char *const col_names[NCOLS] = {
	"VHID", "INTERFACE", "STATE", "MASTER", "ADVBASE/SKEW", "LAST-CHANGE",
	"REASON", "SENT", "RECEIVED", "BAD", "ADDRESSES"
};

struct ctl_row {
	char	cell[NCOLS][CTL_CELL_MAX];
};

static void
row_fill(const struct vhid *v, struct ctl_row *r)
{
	snprintf(r->cell[COL_VHID], CTL_CELL_MAX, "%u", v->cfg.vhid);
	sane(v->ifp->name, r->cell[COL_IF], CTL_CELL_MAX);
	snprintf(r->cell[COL_STATE], CTL_CELL_MAX, "%s",
	    carp_state_name(v->fsm.state));
	addrs_fmt(v, r->cell[COL_ADDRS], CTL_CELL_MAX);
	snprintf(r->cell[COL_ADV], CTL_CELL_MAX, "%u/%u", v->cfg.advbase,
	    v->cfg.advskew);
	master_fmt(v, r->cell[COL_MASTER], CTL_CELL_MAX);
	/* One waiting in INIT: why it waits rather than why it came. */
	if (time_fmt(&v->last_change, r->cell[COL_CHANGE], CTL_CELL_MAX) ||
	    vhid_waiting(v) != NULL)
		snprintf(r->cell[COL_REASON], CTL_CELL_MAX, "%s",
		    vhid_waiting(v) != NULL ? vhid_waiting(v) :
		    fsm_reason_name(v->last_reason));
	else
		snprintf(r->cell[COL_REASON], CTL_CELL_MAX, "-");
	snprintf(r->cell[COL_SENT], CTL_CELL_MAX, "%llu",
	    (unsigned long long)v->stats.adverts_sent);
	snprintf(r->cell[COL_RECV], CTL_CELL_MAX, "%llu",
	    (unsigned long long)v->stats.adverts_rx);
	snprintf(r->cell[COL_BAD], CTL_CELL_MAX, "%llu",
	    (unsigned long long)drops_total(v->stats.drops));
}

/* Columns two spaces apart, the last one unpadded. */
static void
row_print(struct evbuffer *out, const char *const *cells, const int *width)
{
	for (int i = 0; i < NCOLS - 1; i++)
		evbuffer_add_printf(out, "%-*s  ", width[i], cells[i]);
	evbuffer_add_printf(out, "%s\n", cells[NCOLS - 1]);
}

static void
drops_text(struct evbuffer *out, const uint64_t *drops)
{
	for (int i = CARP_RX_OK + 1; i < CARP_DROP_MAX; i++)
		if (drops[i] > 0)
			evbuffer_add_printf(out, " %s=%llu",
			    carp_drop_name((enum carp_drop)i),
			    (unsigned long long)drops[i]);
	evbuffer_add(out, "\n", 1);
}

static void
status_drops_text(struct carpd *cd, struct evbuffer *out)
{
	struct vhid	*v;
	struct iface	*ifp;
	char		 name[IF_NAMESIZE];

	TAILQ_FOREACH(v, &cd->vhids, entry) {
		if (drops_total(v->stats.drops) == 0)
			continue;
		sane(v->ifp->name, name, sizeof(name));
		evbuffer_add_printf(out, "bad packets vhid %u on %s:",
		    v->cfg.vhid, name);
		drops_text(out, v->stats.drops);
	}
	TAILQ_FOREACH(ifp, &cd->ifaces, entry) {
		if (drops_total(ifp->drops) == 0)
			continue;
		sane(ifp->name, name, sizeof(name));
		evbuffer_add_printf(out, "bad packets on %s:", name);
		drops_text(out, ifp->drops);
	}
}

static void
status_text(struct carpd *cd, struct evbuffer *out)
{
	struct ctl_row	 r;
	const char	*cells[NCOLS];
	int		 width[NCOLS];
	struct vhid	*v;

	for (int i = 0; i < NCOLS; i++)
		width[i] = (int)strlen(col_names[i]);
	TAILQ_FOREACH(v, &cd->vhids, entry) {
		row_fill(v, &r);
		for (int i = 0; i < NCOLS; i++)
			if ((int)strlen(r.cell[i]) > width[i])
				width[i] = (int)strlen(r.cell[i]);
	}
	row_print(out, col_names, width);
	TAILQ_FOREACH(v, &cd->vhids, entry) {
		row_fill(v, &r);
		for (int i = 0; i < NCOLS; i++)
			cells[i] = r.cell[i];
		row_print(out, cells, width);
	}
	status_drops_text(cd, out);
}

/* ---- status: JSON ---- */

/* Length of the valid UTF-8 sequence at `s`, or 0. */
static size_t
utf8_len(const unsigned char *s)
{
	uint32_t	cp, min;
	size_t		n;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	} else
		return 0;
	/* A NUL fails the test, so this never reads past the string. */
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD. */
static void
json_str(struct evbuffer *out, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n;

	evbuffer_add(out, "\"", 1);
	for (; *s != '\0'; s += n) {
		n = 1;
		if (*s == '"' || *s == '\\')
			evbuffer_add_printf(out, "\\%c", *s);
		else if (*s < 0x20 || *s == 0x7f)
			evbuffer_add_printf(out, "\\u%04x", *s);
		else if ((n = utf8_len(s)) > 0)
			evbuffer_add(out, s, n);
		else {
			evbuffer_add(out, "\\ufffd", 6);
			n = 1;
		}
	}
	evbuffer_add(out, "\"", 1);
}

static void
json_addr(struct evbuffer *out, const struct in_addr *a)
{
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, a, buf, sizeof(buf));
	evbuffer_add_printf(out, "\"%s\"", buf);
}

/* Every reason, zeros included, so consumers see a fixed set of keys. */
static void
json_drops(struct evbuffer *out, const uint64_t *drops)
{
	evbuffer_add(out, "{", 1);
	for (int i = CARP_RX_OK + 1; i < CARP_DROP_MAX; i++)
		evbuffer_add_printf(out, "%s\"%s\":%llu",
		    i > CARP_RX_OK + 1 ? "," : "",
		    carp_drop_name((enum carp_drop)i),
		    (unsigned long long)drops[i]);
	evbuffer_add(out, "}", 1);
}

static void
json_change(struct evbuffer *out, const struct vhid *v)
{
	char when[32];

	if (!time_fmt(&v->last_change, when, sizeof(when))) {
		evbuffer_add_printf(out, ",\"last_change\":null,"
		    "\"last_change_unix\":null,\"reason\":null");
		return;
	}
	evbuffer_add_printf(out, ",\"last_change\":\"%s\","
	    "\"last_change_unix\":%lld,\"reason\":\"%s\"", when,
	    (long long)v->last_change.tv_sec, fsm_reason_name(v->last_reason));
}

static void
json_vhid(struct evbuffer *out, const struct vhid *v)
{
	char master[INET_ADDRSTRLEN];

	evbuffer_add_printf(out, "{\"vhid\":%u,\"interface\":", v->cfg.vhid);
	json_str(out, v->ifp->name);
	evbuffer_add_printf(out, ",\"state\":\"%s\",\"addresses\":[",
	    carp_state_name(v->fsm.state));
	for (size_t i = 0; i < v->cfg.nvips; i++) {
		if (i > 0)
			evbuffer_add(out, ",", 1);
		json_addr(out, &v->cfg.vips[i]);
	}
	evbuffer_add_printf(out, "],\"advbase\":%u,\"advskew\":%u,\"master\":",
	    v->cfg.advbase, v->cfg.advskew);
	if (master_fmt(v, master, sizeof(master)))
		evbuffer_add_printf(out, "\"%s\"", master);
	else
		evbuffer_add_printf(out, "null");
	json_change(out, v);
	evbuffer_add_printf(out, ",\"transitions\":%llu,\"adverts_sent\":%llu,"
	    "\"adverts_received\":%llu,\"bad_packets\":",
	    (unsigned long long)v->stats.transitions,
	    (unsigned long long)v->stats.adverts_sent,
	    (unsigned long long)v->stats.adverts_rx);
	json_drops(out, v->stats.drops);
	evbuffer_add_printf(out, ",\"preempt\":%s,\"source\":",
	    v->cfg.preempt ? "true" : "false");
	if (v->cfg.src.s_addr != INADDR_ANY)
		json_addr(out, &v->cfg.src);
	else
		evbuffer_add_printf(out, "null");	/* none yet */
	if (vhid_waiting(v) != NULL)
		evbuffer_add_printf(out, ",\"waiting\":\"%s\"", vhid_waiting(v));
	else
		evbuffer_add_printf(out, ",\"waiting\":null");
	evbuffer_add(out, "}", 1);
}

static void
status_json(struct carpd *cd, struct evbuffer *out)
{
	struct vhid	*v;
	struct iface	*ifp;

	evbuffer_add_printf(out, "{\"version\":");
	json_str(out, PACKAGE_VERSION);
	evbuffer_add_printf(out, ",\"pid\":%ld,\"vhids\":[", (long)cd->main_pid);
	TAILQ_FOREACH(v, &cd->vhids, entry) {
		if (v != TAILQ_FIRST(&cd->vhids))
			evbuffer_add(out, ",", 1);
		json_vhid(out, v);
	}
	evbuffer_add_printf(out, "],\"interfaces\":[");
	TAILQ_FOREACH(ifp, &cd->ifaces, entry) {
		if (ifp != TAILQ_FIRST(&cd->ifaces))
			evbuffer_add(out, ",", 1);
		evbuffer_add_printf(out, "{\"name\":");
		json_str(out, ifp->name);
		evbuffer_add_printf(out, ",\"bad_packets\":");
		json_drops(out, ifp->drops);
		evbuffer_add(out, "}", 1);
	}
	evbuffer_add_printf(out, "]}\n");
}

/* ---- commands ---- */

static void
cmd_status(struct carpd *cd, struct evbuffer *out, int argc, char **argv)
{
	char arg[CTL_ECHO_MAX];

	if (argc == 1)
		status_text(cd, out);
	else if (argc == 2 && strcmp(argv[1], "json") == 0)
		status_json(cd, out);
	else {
		sane(strcmp(argv[1], "json") == 0 ? argv[2] : argv[1], arg,
		    sizeof(arg));
		evbuffer_add_printf(out, "error: unknown argument \"%s\"; "
		    "usage: status [json]\n", arg);
	}
}

/* 1 to 255, decimal digits only. */
static int
parse_vhid(const char *s, unsigned *vhid)
{
	unsigned n = 0;

	if (*s == '\0' || strlen(s) > 3)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (unsigned)(*s - '0');
	}
	if (n < 1 || n > 255)
		return -1;
	*vhid = n;
	return 0;
}

static void
force_one(struct vhid *v, struct evbuffer *out, enum fsm_event ev)
{
	enum carp_state	want = ev == FSM_EV_FORCE_MASTER ?
			    CARP_MASTER : CARP_BACKUP;
	char		name[IF_NAMESIZE];

	sane(v->ifp->name, name, sizeof(name));
	log_info("control: forcing vhid %u on %s to %s", v->cfg.vhid, name,
	    carp_state_name(want));
	vhid_event(v, ev);
	if (v->fsm.state == want)
		evbuffer_add_printf(out, "ok vhid %u on %s: %s\n", v->cfg.vhid,
		    name, carp_state_name(v->fsm.state));
	else
		evbuffer_add_printf(out, "error: vhid %u on %s is %s and "
		    "cannot be forced to %s\n", v->cfg.vhid, name,
		    carp_state_name(v->fsm.state), carp_state_name(want));
}

static void
cmd_force(struct carpd *cd, struct evbuffer *out, int argc, char **argv,
    enum fsm_event ev)
{
	const char	*ifname = argc == 3 ? argv[2] : NULL;
	char		 arg[CTL_ECHO_MAX];
	struct vhid	*v;
	unsigned	 vhid, n = 0;

	if (argc < 2 || argc > 3) {
		evbuffer_add_printf(out, "error: usage: %s VHID [IFACE]\n",
		    argv[0]);
		return;
	}
	if (parse_vhid(argv[1], &vhid) == -1) {
		sane(argv[1], arg, sizeof(arg));
		evbuffer_add_printf(out, "error: invalid vhid \"%s\": "
		    "allowed 1 to 255\n", arg);
		return;
	}
	if (cd->exiting) {
		evbuffer_add_printf(out, "error: carpd is shutting down\n");
		return;
	}
	TAILQ_FOREACH(v, &cd->vhids, entry) {
		if (v->cfg.vhid != vhid ||
		    (ifname != NULL && strcmp(ifname, v->ifp->name) != 0))
			continue;
		force_one(v, out, ev);
		n++;
	}
	if (n > 0)
		return;
	if (ifname != NULL) {
		sane(ifname, arg, sizeof(arg));
		evbuffer_add_printf(out, "error: no vhid %u on %s\n", vhid,
		    arg);
	} else
		evbuffer_add_printf(out, "error: no vhid %u\n", vhid);
}

/* Split on blanks; returns the word count, CTL_ARGS_MAX + 1 if more. */
static int
split(char *line, char **argv)
{
	int	 argc = 0;
	char	*w;

	while ((w = strsep(&line, " \t")) != NULL) {
		if (*w == '\0')
			continue;
		if (argc == CTL_ARGS_MAX)
			return CTL_ARGS_MAX + 1;
		argv[argc++] = w;
	}
	return argc;
}

static void
dispatch(struct control *ctl, struct evbuffer *out, char *line, size_t len)
{
	char	*argv[CTL_ARGS_MAX];
	char	 arg[CTL_ECHO_MAX];
	int	 argc;

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (strlen(line) != len) {
		evbuffer_add_printf(out, "error: NUL byte in command\n");
		return;
	}
	argc = split(line, argv);
	if (argc == 0)
		evbuffer_add_printf(out, "error: empty command; commands: "
		    CTL_COMMANDS "\n");
	else if (argc > CTL_ARGS_MAX)
		evbuffer_add_printf(out, "error: too many arguments; "
		    "commands: " CTL_COMMANDS "\n");
	else if (strcmp(argv[0], "status") == 0)
		cmd_status(ctl->cd, out, argc, argv);
	else if (strcmp(argv[0], "backup") == 0)
		cmd_force(ctl->cd, out, argc, argv, FSM_EV_FORCE_BACKUP);
	else if (strcmp(argv[0], "master") == 0)
		cmd_force(ctl->cd, out, argc, argv, FSM_EV_FORCE_MASTER);
	else {
		sane(argv[0], arg, sizeof(arg));
		evbuffer_add_printf(out, "error: unknown command \"%s\"; "
		    "commands: " CTL_COMMANDS "\n", arg);
	}
}

/* ---- clients ---- */

static void
client_free(struct ctl_client *c)
{
	struct control *ctl = c->ctl;

	TAILQ_REMOVE(&ctl->clients, c, entry);
	ctl->nclients--;
	if (c->bev != NULL)
		bufferevent_free(c->bev);	/* closes the socket */
	if (c->timer != NULL)
		event_free(c->timer);
	free(c);
}

static void
client_written(struct bufferevent *bev, void *arg)
{
	client_free(arg);
}

/* The reply is in the output buffer: stop reading, close once it is sent. */
static void
client_reply_done(struct ctl_client *c)
{
	c->replied = true;
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_setcb(c->bev, NULL, client_written, client_event, c);
	bufferevent_enable(c->bev, EV_WRITE);
}

/* Answer one command line, or the overflow when `line` is NULL. */
static void
client_answer(struct ctl_client *c, char *line, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	if (line == NULL || len > CTL_LINE_MAX)
		evbuffer_add_printf(out, "error: command longer than %d "
		    "bytes\n", CTL_LINE_MAX);
	else
		dispatch(c->ctl, out, line, len);
	client_reply_done(c);
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	struct ctl_client	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	char			*line;
	size_t			 len;

	if (c->replied)
		return;
	line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
	if (line == NULL && evbuffer_get_length(in) <= CTL_LINE_MAX)
		return;			/* wait for the rest of the line */
	client_answer(c, line, len);
	free(line);
}

/* The peer shut down writing: what it sent so far is the command. */
static void
client_eof(struct ctl_client *c, struct evbuffer *in)
{
	char	line[CTL_LINE_MAX + 1];
	size_t	len = evbuffer_get_length(in);

	if (len > CTL_LINE_MAX) {
		client_answer(c, NULL, len);
		return;
	}
	evbuffer_remove(in, line, len);
	line[len] = '\0';
	client_answer(c, line, len);
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_client	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);

	if ((what & BEV_EVENT_EOF) && !c->replied &&
	    evbuffer_get_length(in) > 0) {
		client_eof(c, in);
		return;
	}
	if (what & BEV_EVENT_ERROR)
		log_debug("control: client: %s",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	client_free(c);
}

static void
client_timeout(evutil_socket_t fd, short ev, void *arg)
{
	log_debug("control: client timed out");
	client_free(arg);
}

static void
client_new(struct control *ctl, int fd)
{
	struct timeval		 tv = { CTL_TIMEOUT, 0 };
	struct ctl_client	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("control: calloc");
		close(fd);
		return;
	}
	c->ctl = ctl;
	TAILQ_INSERT_TAIL(&ctl->clients, c, entry);
	ctl->nclients++;
	c->bev = bufferevent_socket_new(ctl->cd->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	c->timer = evtimer_new(ctl->cd->base, client_timeout, c);
	if (c->bev == NULL || c->timer == NULL) {
		log_warnx("control: cannot set up a client");
		if (c->bev == NULL)
			close(fd);
		client_free(c);
		return;
	}
	/* Stop reading once a line cannot fit any more. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_LINE_MAX + 1);
	bufferevent_setcb(c->bev, client_read, NULL, client_event, c);
	bufferevent_enable(c->bev, EV_READ);
	evtimer_add(c->timer, &tv);
}

/* Best effort, never blocks: the socket is non-blocking. */
static void
client_refuse(int fd)
{
	static const char msg[] = "error: too many control clients; "
	    "try again\n";

	if (send(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) == -1)
		log_debug("control: refusing a client: %s", strerror(errno));
	close(fd);
}

static void
on_accept(evutil_socket_t fd, short ev, void *arg)
{
	struct control	*ctl = arg;
	struct timeval	 tv = { 1, 0 };
	int		 cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd == -1) {
		if (errno == EMFILE || errno == ENFILE) {
			/* Out of descriptors: pause rather than spin. */
			log_warn("control: accept");
			event_del(ctl->accept_ev);
			evtimer_add(ctl->pause_ev, &tv);
		} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR && errno != ECONNABORTED)
			log_warn("control: accept");
		return;
	}
	if (ctl->nclients >= CTL_CLIENTS_MAX)
		client_refuse(cfd);
	else
		client_new(ctl, cfd);
}

static void
on_pause_end(evutil_socket_t fd, short ev, void *arg)
{
	struct control *ctl = arg;

	event_add(ctl->accept_ev, NULL);
}

/* ---- the listening socket ---- */

static int
ctl_sockaddr(const char *path, struct sockaddr_un *sun, char *err,
    size_t errlen)
{
	size_t len = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	/* Absolute: the daemon may have changed directory (daemon(3)). */
	if (path[0] != '/') {
		snprintf(err, errlen, "control socket path \"%s\" is not "
		    "absolute", path);
		return -1;
	}
	if (len >= sizeof(sun->sun_path)) {
		snprintf(err, errlen, "control socket path is longer than "
		    "%zu characters", sizeof(sun->sun_path) - 1);
		return -1;
	}
	memcpy(sun->sun_path, path, len + 1);
	return 0;
}

/*
 * A socket nobody listens on is left over from a daemon that died: remove
 * it.  Refuse to touch anything else, above all a live daemon's socket.
 */
static int
ctl_clear_stale(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	const char	*path = sun->sun_path;
	struct stat	 st;
	int		 fd, r, saved;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	saved = errno;
	close(fd);
	/* EAGAIN: a listener whose backlog is full is still a listener. */
	if (r == 0 || saved == EAGAIN || saved == EINPROGRESS) {
		snprintf(err, errlen, "%s is in use: another carpd is running",
		    path);
		return -1;
	}
	if (saved != ECONNREFUSED) {
		snprintf(err, errlen, "%s: %s", path, strerror(saved));
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove the stale %s: %s", path,
		    strerror(errno));
		return -1;
	}
	log_info("control: removed the stale socket %s", path);
	return 0;
}

static int
ctl_bind(struct control *ctl, const struct sockaddr_un *sun, mode_t mode,
    char *err, size_t errlen)
{
	const char	*path = sun->sun_path;
	struct stat	 st;
	mode_t		 old;
	int		 r;

	if ((ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* The umask closes the window between bind and chmod. */
	old = umask((mode_t)(~mode & 0777));
	r = bind(ctl->fd, (const struct sockaddr *)sun, sizeof(*sun));
	umask(old);
	if (r == -1) {
		snprintf(err, errlen, "bind %s: %s", path, strerror(errno));
		return -1;
	}
	if (chmod(path, mode) == -1 || stat(path, &st) == -1 ||
	    listen(ctl->fd, CTL_BACKLOG) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	return 0;
}

struct control *
control_open(struct carpd *cd, const char *path, mode_t mode, char *err,
    size_t errlen)
{
	struct sockaddr_un	 sun;
	struct control		*ctl;

	if (ctl_sockaddr(path, &sun, err, errlen) == -1 ||
	    ctl_clear_stale(&sun, err, errlen) == -1)
		return NULL;
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		snprintf(err, errlen, "calloc: %s", strerror(errno));
		return NULL;
	}
	ctl->cd = cd;
	TAILQ_INIT(&ctl->clients);
	if (ctl_bind(ctl, &sun, mode, err, errlen) == -1) {
		if (ctl->fd != -1)
			close(ctl->fd);
		free(ctl);
		return NULL;
	}
	ctl->path = strdup(path);
	ctl->accept_ev = event_new(cd->base, ctl->fd, EV_READ | EV_PERSIST,
	    on_accept, ctl);
	ctl->pause_ev = evtimer_new(cd->base, on_pause_end, ctl);
	if (ctl->path == NULL || ctl->accept_ev == NULL ||
	    ctl->pause_ev == NULL || event_add(ctl->accept_ev, NULL) == -1) {
		snprintf(err, errlen, "cannot set up the control socket");
		control_close(ctl);
		return NULL;
	}
	log_debug("control: listening on %s", path);
	return ctl;
}

void
control_close(struct control *ctl)
{
	struct ctl_client	*c;
	struct stat		 st;

	if (ctl == NULL)
		return;
	while ((c = TAILQ_FIRST(&ctl->clients)) != NULL)
		client_free(c);
	if (ctl->accept_ev != NULL)
		event_free(ctl->accept_ev);
	if (ctl->pause_ev != NULL)
		event_free(ctl->pause_ev);
	close(ctl->fd);
	/* Another daemon may have replaced the socket since: leave that one. */
	if (ctl->path != NULL && stat(ctl->path, &st) == 0 &&
	    st.st_dev == ctl->dev && st.st_ino == ctl->ino)
		unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}
