/*
 * control.c: the control socket of carpd, spoken by carpctl(8).
 *
 * The client sends one line of at most CTL_LINE_MAX bytes; the daemon
 * writes the reply and closes.  Every reply line ends with a newline;
 * the lines of a failed command start with "error:".
 *
 *	status			a table of the vhids, then bad packet counts
 *	status json		the same as one JSON object on one line
 *				(both rendered by status.c)
 *	peers [json]		every CARP sender heard on each vhid (peers.c)
 *	metrics			the Prometheus text format (metrics.c)
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
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "carpd.h"
#include "control.h"
#include "metrics.h"
#include "net.h"
#include "peers.h"
#include "status.h"
#include "util.h"
#include "vhid.h"

#define CTL_LINE_MAX	1024	/* bytes of a command, newline excluded */
#define CTL_CLIENTS_MAX	16
#define CTL_TIMEOUT	5	/* seconds from accept to close */
#define CTL_BACKLOG	16
#define CTL_ARGS_MAX	3	/* "backup VHID IFACE" */
#define CTL_ECHO_MAX	32	/* bytes of client input quoted in errors */

#define CTL_COMMANDS \
	"status [json], peers [json], metrics, backup VHID [IFACE], " \
	"master VHID [IFACE], demote GROUP [+N|-N|N]"

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

/* ---- commands ---- */

/* The kernel's counts of what the capture filters refused, now. */
static void
kernel_counts(struct carpd *cd)
{
	struct iface *ifp;

	TAILQ_FOREACH(ifp, &cd->ifaces, entry)
		(void)net_iface_kernel_filtered(ifp);
}

static void
cmd_status(struct carpd *cd, struct evbuffer *out, int argc, char **argv)
{
	char arg[CTL_ECHO_MAX];

	vhid_peers_refresh(cd);		/* which peers are resolved now */
	kernel_counts(cd);
	if (argc == 1)
		status_text(cd, out);
	else if (argc == 2 && strcmp(argv[1], "json") == 0)
		status_json(cd, out);
	else {
		str_sanitize(strcmp(argv[1], "json") == 0 ? argv[2] : argv[1], arg,
		    sizeof(arg));
		evbuffer_add_printf(out, "error: unknown argument \"%s\"; "
		    "usage: status [json]\n", arg);
	}
}

static void
cmd_peers(struct carpd *cd, struct evbuffer *out, int argc, char **argv)
{
	char arg[CTL_ECHO_MAX];

	if (argc == 1)
		peers_text(cd, out);
	else if (argc == 2 && strcmp(argv[1], "json") == 0)
		peers_json(cd, out);
	else {
		str_sanitize(strcmp(argv[1], "json") == 0 ? argv[2] : argv[1], arg,
		    sizeof(arg));
		evbuffer_add_printf(out, "error: unknown argument \"%s\"; "
		    "usage: peers [json]\n", arg);
	}
}

static void
cmd_metrics(struct carpd *cd, struct evbuffer *out, int argc, char **argv)
{
	char arg[CTL_ECHO_MAX];

	if (argc == 1) {
		kernel_counts(cd);
		metrics_render(cd, out);
		return;
	}
	str_sanitize(argv[1], arg, sizeof(arg));
	evbuffer_add_printf(out, "error: unknown argument \"%s\"; "
	    "usage: metrics\n", arg);
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

	str_sanitize(v->ifp->name, name, sizeof(name));
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
		str_sanitize(argv[1], arg, sizeof(arg));
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
		str_sanitize(ifname, arg, sizeof(arg));
		evbuffer_add_printf(out, "error: no vhid %u on %s\n", vhid,
		    arg);
	} else
		evbuffer_add_printf(out, "error: no vhid %u\n", vhid);
}

/*
 * demote GROUP [+N|-N|N]: the operator's part of a group's counter
 * (OpenBSD's ifconfig -g GROUP carpdemote); without a value, show it.
 * Any group name that options.c accepts: a group named before its vhids
 * are configured keeps its counter for them.
 */
static void
cmd_demote(struct carpd *cd, struct evbuffer *out, int argc, char **argv)
{
	struct demote_group	*g;
	char			 arg[CTL_ECHO_MAX], msg[160], safe[160];
	long			 value;

	if (argc < 2 || argc > 3) {
		evbuffer_add_printf(out, "error: usage: demote GROUP "
		    "[+N|-N|N]\n");
		return;
	}
	str_sanitize(argv[1], arg, sizeof(arg));
	if (demote_name_ok(argv[1]) == -1) {
		evbuffer_add_printf(out, "error: invalid group \"%s\": allowed "
		    "1 to 15 letters, digits, '_', '.' or '-'\n", arg);
		return;
	}
	if ((g = demote_find(&cd->demotes, argv[1])) == NULL && argc == 2) {
		evbuffer_add_printf(out, "error: no group \"%s\"\n", arg);
		return;
	}
	if (argc == 3) {
		if (demote_parse_adjust(argv[2], g != NULL ?
		    g->by[DEMOTE_OPERATOR] : 0, &value, msg, sizeof(msg)) == -1) {
			str_sanitize(msg, safe, sizeof(safe));
			evbuffer_add_printf(out, "error: %s\n", safe);
			return;
		}
		if (g == NULL)
			g = demote_get(&cd->demotes, argv[1]);
		log_info("control: group %s: operator demotion now %ld (was "
		    "%ld)", g->name, value, g->by[DEMOTE_OPERATOR]);
		demote_set(g, DEMOTE_OPERATOR, value);
		vhid_demote_sync_all(cd);
	}
	evbuffer_add_printf(out, "ok group %s: demotion %ld (operator %ld), "
	    "%u vhid%s\n", g->name, demote_total(g), g->by[DEMOTE_OPERATOR],
	    g->nvhids, g->nvhids == 1 ? "" : "s");
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
	else if (strcmp(argv[0], "peers") == 0)
		cmd_peers(ctl->cd, out, argc, argv);
	else if (strcmp(argv[0], "metrics") == 0)
		cmd_metrics(ctl->cd, out, argc, argv);
	else if (strcmp(argv[0], "backup") == 0)
		cmd_force(ctl->cd, out, argc, argv, FSM_EV_FORCE_BACKUP);
	else if (strcmp(argv[0], "master") == 0)
		cmd_force(ctl->cd, out, argc, argv, FSM_EV_FORCE_MASTER);
	else if (strcmp(argv[0], "demote") == 0)
		cmd_demote(ctl->cd, out, argc, argv);
	else {
		str_sanitize(argv[0], arg, sizeof(arg));
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
