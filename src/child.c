/*
 * child.c: the network child's dispatch of the privileged parent's
 * messages, and the hooks through which its scripts become run requests
 * (child.h).  The child only says which script of which vhid, for which
 * address, state and reason; the parent builds the command.
 */
#include "config.h"

#include <sys/prctl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cap-ng.h>

#include "carpd.h"
#include "child.h"
#include "conf.h"
#include "log.h"
#include "options.h"
#include "privsep.h"
#include "sandbox.h"
#include "script.h"

/* A configuration arriving in parts (PS_RELOAD_BEGIN, _VHID..., _END). */
struct assembly {
	struct config	 cf;
	uint32_t	 gen;
	int		 active;
	int		 bad;
};

struct child {
	struct ps_chan	*chan;
	pid_t		 parent;
	child_config_cb	 config_cb;
	void		*arg;
	void		(*track_cb)(void *, const char *, uint32_t);
	void		*track_arg;
	struct assembly	 as;
};

static void
assembly_reset(struct assembly *as)
{
	if (as->active)
		config_free(&as->cf);
	memset(as, 0, sizeof(*as));
}

static void
take_vhid(struct assembly *as, struct ps_msg *m)
{
	struct vhid_config *v;

	if (!as->active || m->gen != as->gen) {
		as->bad = 1;
		return;
	}
	v = reallocarray(as->cf.vhids, as->cf.nvhids + 1, sizeof(*v));
	if (v == NULL)
		fatal("reallocarray");
	as->cf.vhids = v;
	/* The strings move over: the message no longer owns them. */
	as->cf.vhids[as->cf.nvhids++] = m->u.vc;
	m->u.vc.passfile = m->u.vc.upscript = NULL;
	m->u.vc.downscript = m->u.vc.xparam = NULL;
}

static void
config_done(struct child *c, const struct ps_msg *m)
{
	struct assembly	*as = &c->as;
	struct ps_msg	 ack;

	if (!as->active || as->bad || m->gen != as->gen ||
	    m->u.nvhids != as->cf.nvhids) {
		log_warnx("privsep: configuration %u did not arrive whole; "
		    "keeping the running one", m->gen);
		assembly_reset(as);
		return;
	}
	c->config_cb(c->arg, &as->cf, as->gen);
	memset(&ack, 0, sizeof(ack));
	ack.type = PS_ACK;
	ack.gen = as->gen;
	ps_chan_send(c->chan, &ack);
	assembly_reset(as);
}

static void
on_parent_msg(void *arg, struct ps_msg *m)
{
	struct child	*c = arg;
	struct assembly	*as = &c->as;

	switch (m->type) {
	case PS_RELOAD_BEGIN:
		assembly_reset(as);
		as->active = 1;
		as->gen = m->gen;
		global_defaults(&as->cf.g);
		as->cf.g.debug = m->u.g.debug != 0;
		as->cf.g.facility = (int)m->u.g.facility;
		as->cf.g.script_timeout = m->u.g.script_timeout;
		break;
	case PS_RELOAD_VHID:
		take_vhid(as, m);
		break;
	case PS_RELOAD_END:
		config_done(c, m);
		break;
	case PS_TRACK:
		if (c->track_cb != NULL)
			c->track_cb(c->track_arg, m->u.track.group,
			    m->u.track.value);
		break;
	case PS_PING:
		/* From the event loop: proof that it turns (heartbeat.h). */
		m->type = PS_PONG;
		ps_chan_send(c->chan, m);
		break;
	default:
		log_warnx("privsep: message of type %u from the privileged "
		    "process is not for the network process", m->type);
		break;
	}
}

static void
on_parent_eof(void *arg)
{
	/*
	 * The parent died (kill -9 of carpd): no down script can run now,
	 * so bowing out would leave the address here while a backup takes
	 * it.  Die as the crash it is.
	 */
	log_warnx("privileged process gone; exiting at once");
	_exit(1);
}

static void
submit(void *arg, struct script_queue *q, const struct vhid_config *vc,
    struct in_addr src, const struct script_req *rq)
{
	struct child	*c = arg;
	struct ps_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = PS_RUN;
	m.u.run = *rq;
	m.u.run.qid = q->id;
	ps_chan_send(c->chan, &m);	/* a drop is logged and counted there */
}

static void
release(void *arg, uint32_t qid)
{
	struct child	*c = arg;
	struct ps_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = PS_RELEASE;
	m.u.qid = qid;
	ps_chan_send(c->chan, &m);
}

void
child_on_track(struct child *c, void (*cb)(void *, const char *, uint32_t),
    void *arg)
{
	c->track_cb = cb;
	c->track_arg = arg;
}

struct child *
child_new(struct event_base *base, int fd, pid_t parent,
    child_config_cb config_cb, void *arg)
{
	struct child *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("calloc");
	c->parent = parent;
	c->config_cb = config_cb;
	c->arg = arg;
	c->chan = ps_chan_new(base, fd, "privileged", on_parent_msg,
	    on_parent_eof, c);
	return c;
}

void
child_hook_runner(struct child *c, struct script_runner *r)
{
	r->hooks.submit = submit;
	r->hooks.release = release;
	r->hooks.arg = c;
}

void
child_send_vmac(struct child *c, uint32_t gen, uint8_t vhid,
    const char *ifname, int up)
{
	struct ps_msg m;

	memset(&m, 0, sizeof(m));
	m.type = PS_VMAC;
	m.u.vmac.gen = gen;
	m.u.vmac.vhid = vhid;
	m.u.vmac.up = up != 0;
	snprintf(m.u.vmac.ifname, sizeof(m.u.vmac.ifname), "%s", ifname);
	ps_chan_send(c->chan, &m);	/* a drop is logged and counted there */
}

void
child_send_started(struct child *c)
{
	struct ps_msg m;

	memset(&m, 0, sizeof(m));
	m.type = PS_STARTED;
	ps_chan_send(c->chan, &m);
}

void
child_send_transition(struct child *c, uint32_t gen, unsigned vhid,
    const char *ifname, unsigned state, const char *group)
{
	struct ps_msg m;

	memset(&m, 0, sizeof(m));
	m.type = PS_TRANSITION;
	m.u.tr.gen = gen;
	m.u.tr.vhid = (uint8_t)vhid;
	m.u.tr.state = (uint8_t)state;
	snprintf(m.u.tr.ifname, sizeof(m.u.tr.ifname), "%s", ifname);
	snprintf(m.u.tr.group, sizeof(m.u.tr.group), "%s", group);
	ps_chan_send(c->chan, &m);
}

int
child_parent_alive(const struct child *c)
{
	/* Not getppid() == 1: a subreaper or a container's init adopts us. */
	return getppid() == c->parent;
}

void
child_flush(struct child *c, int ms)
{
	if (ps_chan_flush(c->chan, ms) == -1)
		log_warnx("privsep: could not hand every script request to "
		    "the privileged process");
}

void
child_free(struct child *c)
{
	const struct ps_chan_stats *st;

	if (c == NULL)
		return;
	st = ps_chan_stats(c->chan);
	if (st->dropped > 0 || st->malformed > 0)
		log_warnx("privsep: %llu messages to the privileged process "
		    "dropped, %llu from it malformed",
		    (unsigned long long)st->dropped,
		    (unsigned long long)st->malformed);
	assembly_reset(&c->as);
	ps_chan_free(c->chan);
	free(c);
}

int
child_drop(const char *user)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("no such user: %s", user);
		return -1;
	}
	/* Needs CAP_SYS_CHROOT, and the password file read above. */
	if (sandbox_chroot() == -1)
		return -1;
	capng_clear(CAPNG_SELECT_BOTH);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_RAW);
	if (capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
	    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0) {
		log_warnx("cannot become %s with only CAP_NET_RAW", user);
		return -1;
	}
#ifdef __SANITIZE_ADDRESS__
	/* LeakSanitizer needs to ptrace its own threads. */
	prctl(PR_SET_DUMPABLE, 1);
#endif
	log_info("network process runs as %s with CAP_NET_RAW only", user);
	return 0;
}
