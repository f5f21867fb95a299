/*
 * privsep.c: the channel between the root parent and the network child
 * (privsep.h): the message codec and a non-blocking, queued transport.
 * Nothing here knows what a message means; each process dispatches its
 * own (parent.c, child.c).
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <event2/event.h>

#include "log.h"
#include "demote.h"
#include "privsep.h"

/* ---- the codec ---- */

struct wbuf {
	uint8_t	*p;
	size_t	 len;
	size_t	 cap;
	int	 bad;		/* a string too long */
};

static void
w_put(struct wbuf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t	 cap = b->cap ? b->cap : 256;
		uint8_t	*p;

		while (cap < b->len + len)
			cap *= 2;
		/* Not realloc: the old copy may hold a key. */
		if ((p = malloc(cap)) == NULL)
			fatal("malloc");
		if (b->p != NULL) {
			memcpy(p, b->p, b->len);
			explicit_bzero(b->p, b->cap);
			free(b->p);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void
w_u32(struct wbuf *b, uint32_t v)
{
	w_put(b, &v, sizeof(v));
}

static void
w_u8(struct wbuf *b, uint8_t v)
{
	w_put(b, &v, sizeof(v));
}

/* Length with the NUL, then the bytes; 0 for an absent string. */
static void
w_str(struct wbuf *b, const char *s)
{
	size_t len = s != NULL ? strlen(s) + 1 : 0;

	if (len > PS_MAX_STR) {
		b->bad = 1;
		return;
	}
	w_u32(b, (uint32_t)len);
	if (len > 0)
		w_put(b, s, len);
}

static void
w_vhid(struct wbuf *b, const struct vhid_config *vc)
{
	struct vhid_config flat = *vc;

	flat.passfile = flat.upscript = flat.downscript = flat.xparam = NULL;
	w_put(b, &flat, sizeof(flat));
	explicit_bzero(&flat, sizeof(flat));
	w_str(b, vc->passfile);
	w_str(b, vc->upscript);
	w_str(b, vc->downscript);
	w_str(b, vc->xparam);
}

static void
w_vmac(struct wbuf *b, const struct ps_vmac *vm)
{
	w_u32(b, vm->gen);
	w_u8(b, vm->vhid);
	w_u8(b, vm->up);
	if (memchr(vm->ifname, '\0', sizeof(vm->ifname)) == NULL)
		b->bad = 1;
	else
		w_str(b, vm->ifname);
}

uint8_t *
ps_msg_encode(const struct ps_msg *m, size_t *len)
{
	struct wbuf		 b = { 0 };
	const struct script_req	*rq = &m->u.run;

	w_u32(&b, m->type);
	switch (m->type) {
	case PS_RUN:
		w_u32(&b, rq->gen);
		w_u32(&b, rq->qid);
		w_u8(&b, rq->vhid);
		w_u8(&b, rq->kind);
		w_u8(&b, rq->state);
		w_u8(&b, rq->reason);
		/* 4 and an IPv4 address, or 6 and an IPv6 one. */
		if (rq->family == AF_INET6) {
			w_u8(&b, 6);
			w_put(&b, &rq->vip6, sizeof(rq->vip6));
		} else {
			w_u8(&b, 4);
			w_put(&b, &rq->vip, sizeof(rq->vip));
		}
		if (memchr(rq->ifname, '\0', sizeof(rq->ifname)) == NULL)
			b.bad = 1;
		else
			w_str(&b, rq->ifname);
		break;
	case PS_RELEASE:
		w_u32(&b, m->u.qid);
		break;
	case PS_ACK:
		w_u32(&b, m->gen);
		break;
	case PS_PING:
	case PS_PONG:
		w_u32(&b, m->u.seq);
		break;
	case PS_TRANSITION:
		w_u32(&b, m->u.tr.gen);
		w_u8(&b, m->u.tr.vhid);
		w_u8(&b, m->u.tr.state);
		w_put(&b, m->u.tr.ifname, sizeof(m->u.tr.ifname));
		w_put(&b, m->u.tr.group, sizeof(m->u.tr.group));
		break;
	case PS_TRACK:
		w_put(&b, m->u.track.group, sizeof(m->u.track.group));
		w_u32(&b, m->u.track.value);
		break;
	case PS_RELOAD_BEGIN:
		w_u32(&b, m->gen);
		w_u32(&b, m->u.g.debug);
		w_u32(&b, m->u.g.facility);
		w_u32(&b, m->u.g.script_timeout);
		break;
	case PS_RELOAD_VHID:
		w_u32(&b, m->gen);
		w_vhid(&b, &m->u.vc);
		break;
	case PS_RELOAD_END:
		w_u32(&b, m->gen);
		w_u32(&b, m->u.nvhids);
		break;
	case PS_STARTED:
		break;
	case PS_VMAC:
		w_vmac(&b, &m->u.vmac);
		break;
	default:
		free(b.p);
		return NULL;
	}
	if (b.bad || b.len > PS_MAX_MSG) {
		explicit_bzero(b.p, b.cap);
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

struct rbuf {
	const uint8_t	*p;
	size_t		 left;
	const char	*why;		/* first error, or NULL */
};

static void
r_raw(struct rbuf *r, void *out, size_t len)
{
	if (r->why == NULL && r->left < len)
		r->why = "short message";
	if (r->why != NULL) {
		memset(out, 0, len);
		return;
	}
	memcpy(out, r->p, len);
	r->p += len;
	r->left -= len;
}

static uint32_t
r_u32(struct rbuf *r)
{
	uint32_t v;

	r_raw(r, &v, sizeof(v));
	return v;
}

static uint8_t
r_u8(struct rbuf *r)
{
	uint8_t v;

	r_raw(r, &v, sizeof(v));
	return v;
}

/* Into `dst` of `cap` bytes, or a malloc'd copy when dst is NULL. */
static char *
r_str(struct rbuf *r, char *dst, size_t cap, int optional)
{
	uint32_t	 len = r_u32(r);
	char		*s;

	if (r->why != NULL)
		return NULL;
	if (len == 0) {
		if (!optional)
			r->why = "missing string";
		return NULL;
	}
	if (len > PS_MAX_STR || (dst != NULL && len > cap))
		r->why = "string too long";
	else if (len > r->left)
		r->why = "string beyond the message";
	else if (r->p[len - 1] != '\0' || memchr(r->p, '\0', len) !=
	    r->p + len - 1)
		r->why = "string not terminated";
	if (r->why != NULL)
		return NULL;
	if (dst != NULL)
		s = dst;
	else if ((s = malloc(len)) == NULL)
		fatal("malloc");
	memcpy(s, r->p, len);
	r->p += len;
	r->left -= len;
	return s;
}

/* Demotion and sync group names, as options.c accepts them. */
static int
groups_ok(const struct vhid_config *vc)
{
	if (vc->ngroups > CARPD_MAX_GROUPS)
		return 0;
	for (size_t i = 0; i < vc->ngroups; i++)
		if (memchr(vc->groups[i], '\0', CARPD_GROUP_LEN) == NULL ||
		    demote_name_ok(vc->groups[i]) == -1)
			return 0;
	if (memchr(vc->syncgroup, '\0', CARPD_GROUP_LEN) == NULL ||
	    (vc->syncgroup[0] != '\0' && demote_name_ok(vc->syncgroup) == -1))
		return 0;
	return 1;
}

static void
r_vhid(struct rbuf *r, struct vhid_config *vc)
{
	r_raw(r, vc, sizeof(*vc));
	vc->passfile = vc->upscript = vc->downscript = vc->xparam = NULL;
	if (r->why != NULL)
		return;
	if (memchr(vc->ifname, '\0', sizeof(vc->ifname)) == NULL ||
	    vc->nvips > CARPD_MAX_VIPS || vc->nvips6 > CARPD_MAX_VIPS ||
	    vc->keylen > sizeof(vc->key) || vc->npeers > CARPD_MAX_PEERS ||
	    vc->nnodes > CARPD_MAX_NODES ||
	    !groups_ok(vc)) {
		r->why = "bad vhid settings";
		return;
	}
	vc->passfile = r_str(r, NULL, 0, 1);
	vc->upscript = r_str(r, NULL, 0, 1);
	vc->downscript = r_str(r, NULL, 0, 1);
	vc->xparam = r_str(r, NULL, 0, 1);
}

/* An interface name: NUL-ended, not empty, printable, no blank or '/'. */
static int
ifname_ok(const char *name, size_t size)
{
	if (memchr(name, '\0', size) == NULL || name[0] == '\0')
		return 0;
	for (const char *p = name; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '/')
			return 0;
	return 1;
}

static void
r_transition(struct rbuf *r, struct ps_transition *tr)
{
	tr->gen = r_u32(r);
	tr->vhid = r_u8(r);
	tr->state = r_u8(r);
	r_raw(r, tr->ifname, sizeof(tr->ifname));
	r_raw(r, tr->group, sizeof(tr->group));
	if (r->why == NULL && (tr->vhid == 0 || tr->state >= CARP_STATE_MAX ||
	    !ifname_ok(tr->ifname, sizeof(tr->ifname)) ||
	    memchr(tr->group, '\0', sizeof(tr->group)) == NULL ||
	    demote_name_ok(tr->group) == -1))
		r->why = "bad transition";
}

static void
r_vmac(struct rbuf *r, struct ps_vmac *vm)
{
	vm->gen = r_u32(r);
	vm->vhid = r_u8(r);
	vm->up = r_u8(r);
	r_str(r, vm->ifname, sizeof(vm->ifname), 0);
	if (r->why == NULL && (vm->up > 1 || vm->vhid == 0 ||
	    !ifname_ok(vm->ifname, sizeof(vm->ifname))))
		r->why = "bad virtual MAC request";
}

int
ps_msg_decode(const uint8_t *p, size_t len, struct ps_msg *m,
    const char **why)
{
	struct rbuf		 r = { p, len, NULL };
	struct script_req	*rq = &m->u.run;

	memset(m, 0, sizeof(*m));
	m->type = r_u32(&r);
	switch (r.why == NULL ? m->type : 0) {
	case PS_RUN:
		rq->gen = r_u32(&r);
		rq->qid = r_u32(&r);
		rq->vhid = r_u8(&r);
		rq->kind = r_u8(&r);
		rq->state = r_u8(&r);
		rq->reason = r_u8(&r);
		switch (r_u8(&r)) {
		case 4:
			rq->family = AF_INET;
			r_raw(&r, &rq->vip, sizeof(rq->vip));
			break;
		case 6:
			rq->family = AF_INET6;
			r_raw(&r, &rq->vip6, sizeof(rq->vip6));
			break;
		default:
			if (r.why == NULL)
				r.why = "no such address family";
			break;
		}
		r_str(&r, rq->ifname, sizeof(rq->ifname), 0);
		break;
	case PS_RELEASE:
		m->u.qid = r_u32(&r);
		break;
	case PS_ACK:
		m->gen = r_u32(&r);
		break;
	case PS_PING:
	case PS_PONG:
		m->u.seq = r_u32(&r);
		break;
	case PS_TRANSITION:
		r_transition(&r, &m->u.tr);
		break;
	case PS_TRACK:
		r_raw(&r, m->u.track.group, sizeof(m->u.track.group));
		m->u.track.value = r_u32(&r);
		if (r.why == NULL && (memchr(m->u.track.group, '\0',
		    sizeof(m->u.track.group)) == NULL ||
		    demote_name_ok(m->u.track.group) == -1 ||
		    m->u.track.value > DEMOTE_SRC_LIMIT))
			r.why = "bad track report";
		break;
	case PS_RELOAD_BEGIN:
		m->gen = r_u32(&r);
		m->u.g.debug = r_u32(&r);
		m->u.g.facility = r_u32(&r);
		m->u.g.script_timeout = r_u32(&r);
		break;
	case PS_RELOAD_VHID:
		m->gen = r_u32(&r);
		r_vhid(&r, &m->u.vc);
		break;
	case PS_RELOAD_END:
		m->gen = r_u32(&r);
		m->u.nvhids = r_u32(&r);
		break;
	case PS_STARTED:
		break;
	case PS_VMAC:
		r_vmac(&r, &m->u.vmac);
		break;
	case PS_SANDBOX_VIOLATION:	/* sent raw by sandbox.c */
		m->u.sandbox.nr = (int32_t)r_u32(&r);
		m->u.sandbox.arch = r_u32(&r);
		break;
	default:
		if (r.why == NULL)
			r.why = "unknown type";
		break;
	}
	if (r.why == NULL && r.left > 0)
		r.why = "trailing bytes";
	if (r.why != NULL) {
		ps_msg_clear(m);
		*why = r.why;
		return -1;
	}
	return 0;
}

void
ps_msg_clear(struct ps_msg *m)
{
	if (m->type == PS_RELOAD_VHID) {
		free(m->u.vc.passfile);
		free(m->u.vc.upscript);
		free(m->u.vc.downscript);
		free(m->u.vc.xparam);
	}
	explicit_bzero(m, sizeof(*m));
}

void
ps_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t k = 0;

	if (dstlen == 0)
		return;
	for (size_t i = 0; i < srclen && src[i] != '\0' && k + 1 < dstlen; i++)
		dst[k++] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[k] = '\0';
}

/* ---- the transport ---- */

#define PS_READ_BATCH	1024

struct qmsg {
	TAILQ_ENTRY(qmsg)	 entry;
	size_t			 len;
	uint8_t			*p;
};

struct ps_chan {
	int			 fd;
	const char		*peer;
	struct event		*rd_ev;
	struct event		*wr_ev;
	TAILQ_HEAD(, qmsg)	 queue;
	size_t			 qmsgs;
	size_t			 qbytes;
	int			 gone;	/* peer closed: no more writes */
	uint8_t			*rbuf;		/* PS_MAX_MSG + 1 */
	ps_msg_cb		 msg_cb;
	ps_eof_cb		 eof_cb;
	void			*arg;
	struct ps_chan_stats	 st;
	struct log_ratelimit	 rl;
};

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void	chan_warn(struct ps_chan *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
chan_warn(struct ps_chan *c, const char *fmt, ...)
{
	unsigned long	suppressed = 0;
	char		msg[256];
	va_list		ap;

	if (!log_ratelimit_ok(&c->rl, mono_ms(), &suppressed))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("privsep: %s (%llu dropped, %llu malformed in all; "
	    "%lu lines not logged)", msg, (unsigned long long)c->st.dropped,
	    (unsigned long long)c->st.malformed, suppressed);
}

static void
qmsg_free(struct qmsg *q)
{
	explicit_bzero(q->p, q->len);	/* may hold a key */
	free(q->p);
	free(q);
}

static void
drop_queue(struct ps_chan *c)
{
	struct qmsg *q;

	while ((q = TAILQ_FIRST(&c->queue)) != NULL) {
		TAILQ_REMOVE(&c->queue, q, entry);
		c->st.dropped++;
		qmsg_free(q);
	}
	c->qmsgs = c->qbytes = 0;
}

/* Write what the socket takes; -1 when the peer is gone. */
static int
chan_write(struct ps_chan *c)
{
	struct qmsg	*q;
	ssize_t		 n;

	while ((q = TAILQ_FIRST(&c->queue)) != NULL) {
		n = send(c->fd, q->p, q->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		TAILQ_REMOVE(&c->queue, q, entry);
		c->qmsgs--;
		c->qbytes -= q->len;
		if (n == (ssize_t)q->len)
			c->st.sent++;
		else if (n == -1 && (errno == EPIPE || errno == ECONNRESET ||
		    errno == ENOTCONN)) {
			qmsg_free(q);
			c->st.dropped++;
			c->gone = 1;
			drop_queue(c);
			return -1;
		} else {
			c->st.dropped++;
			chan_warn(c, "cannot send a %zu-byte message to the %s "
			    "process: %s", q->len, c->peer,
			    n == -1 ? strerror(errno) : "short write");
		}
		qmsg_free(q);
	}
	return 0;
}

static void
chan_arm(struct ps_chan *c)
{
	if (!TAILQ_EMPTY(&c->queue))
		event_add(c->wr_ev, NULL);
	else
		event_del(c->wr_ev);
}

static void
on_writable(evutil_socket_t fd, short ev, void *arg)
{
	struct ps_chan *c = arg;

	chan_write(c);
	chan_arm(c);
}

int
ps_chan_room(const struct ps_chan *c, size_t nmsgs, size_t nbytes)
{
	return !c->gone && c->qmsgs + nmsgs <= PS_QUEUE_MSGS &&
	    c->qbytes + nbytes <= PS_QUEUE_BYTES;
}

int
ps_chan_send(struct ps_chan *c, const struct ps_msg *m)
{
	struct qmsg	*q;
	uint8_t		*p;
	size_t		 len;

	if ((p = ps_msg_encode(m, &len)) == NULL) {
		c->st.dropped++;
		chan_warn(c, "message of type %u to the %s process too large",
		    m->type, c->peer);
		return -1;
	}
	if (!ps_chan_room(c, 1, len)) {
		explicit_bzero(p, len);
		free(p);
		c->st.dropped++;
		chan_warn(c, "%s to the %s process: message of type %u dropped",
		    c->gone ? "channel closed" : "queue full", c->peer,
		    m->type);
		return -1;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL)
		fatal("calloc");
	q->p = p;
	q->len = len;
	TAILQ_INSERT_TAIL(&c->queue, q, entry);
	c->qmsgs++;
	c->qbytes += len;
	chan_write(c);
	chan_arm(c);
	return c->gone ? -1 : 0;
}

int
ps_chan_flush(struct ps_chan *c, int ms)
{
	long long	end = mono_ms() + ms;
	struct pollfd	pfd = { .fd = c->fd, .events = POLLOUT };

	while (!TAILQ_EMPTY(&c->queue) && chan_write(c) == 0 &&
	    !TAILQ_EMPTY(&c->queue)) {
		long long left = end - mono_ms();

		if (left <= 0 || (poll(&pfd, 1, (int)left) == -1 &&
		    errno != EINTR))
			break;
	}
	chan_arm(c);
	return TAILQ_EMPTY(&c->queue) && !c->gone ? 0 : -1;
}

/*
 * A zero-length read: the end of file, or an empty datagram?  The end
 * only once the peer has closed and no byte of any message is left.
 */
static int
peer_closed(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN | POLLRDHUP };
	int		left = 0;

	if (poll(&pfd, 1, 0) != 1 ||
	    (pfd.revents & (POLLHUP | POLLRDHUP)) == 0)
		return 0;
	return ioctl(fd, SIOCINQ, &left) == -1 || left == 0;
}

static void
on_readable(evutil_socket_t fd, short ev, void *arg)
{
	struct ps_chan	*c = arg;
	struct ps_msg	 m;
	const char	*why;
	ssize_t		 n;

	/*
	 * Every pending message, but in batches: a peer that keeps writing
	 * must not keep this process from its timers and signals (the
	 * read event is level-triggered and fires again).
	 */
	for (int batch = 0; batch < PS_READ_BATCH; batch++) {
		n = recv(c->fd, c->rbuf, PS_MAX_MSG + 1,
		    MSG_DONTWAIT | MSG_TRUNC);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == -1 || (n == 0 && peer_closed(c->fd))) {
			/* Every message sent before the close has been read. */
			event_del(c->rd_ev);
			c->gone = 1;
			drop_queue(c);
			event_del(c->wr_ev);
			if (c->eof_cb != NULL)
				c->eof_cb(c->arg);
			return;
		}
		if (n > PS_MAX_MSG) {
			why = "too large";
			explicit_bzero(c->rbuf, PS_MAX_MSG + 1);
		} else if (ps_msg_decode(c->rbuf, (size_t)n, &m, &why) == 0) {
			explicit_bzero(c->rbuf, (size_t)n);
			c->st.received++;
			c->msg_cb(c->arg, &m);
			ps_msg_clear(&m);
			continue;
		} else
			explicit_bzero(c->rbuf, (size_t)n);
		c->st.malformed++;
		chan_warn(c, "malformed message from the %s process "
		    "(%zd bytes): %s", c->peer, n, why);
	}
}

struct ps_chan *
ps_chan_new(struct event_base *base, int fd, const char *peer,
    ps_msg_cb msg_cb, ps_eof_cb eof_cb, void *arg)
{
	struct ps_chan *c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->rbuf = malloc(PS_MAX_MSG + 1)) == NULL)
		fatal("calloc");
	c->fd = fd;
	c->peer = peer;
	c->msg_cb = msg_cb;
	c->eof_cb = eof_cb;
	c->arg = arg;
	c->rl.burst = 10;
	c->rl.period_ms = 1000;
	TAILQ_INIT(&c->queue);
	c->rd_ev = event_new(base, fd, EV_READ | EV_PERSIST, on_readable, c);
	c->wr_ev = event_new(base, fd, EV_WRITE | EV_PERSIST, on_writable, c);
	if (c->rd_ev == NULL || c->wr_ev == NULL ||
	    event_add(c->rd_ev, NULL) == -1)
		fatalx("cannot watch the %s process", peer);
	return c;
}

const struct ps_chan_stats *
ps_chan_stats(const struct ps_chan *c)
{
	return &c->st;
}

void
ps_chan_free(struct ps_chan *c)
{
	if (c == NULL)
		return;
	drop_queue(c);
	event_free(c->rd_ev);
	event_free(c->wr_ev);
	free(c->rbuf);
	free(c);
}
