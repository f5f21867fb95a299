/*
 * track.c: track scripts and tracked files in the root parent (track.h).
 */
#include "config.h"

#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>

#include "demote.h"
#include "log.h"
#include "options.h"
#include "script.h"
#include "track.h"
#include "util.h"

#define TRACK_FILE_MAX	32	/* bytes read of a tracked file */

struct track {
	struct tracker		*tk;
	struct track_def	 def;
	struct script_queue	*q;		/* scripts: one run at a time */
	unsigned		 fails, oks;	/* in a row */
	bool			 failing;
	bool			 bad;		/* file: garbage, said once */
	long			 value;		/* what it adds to its group */
	uint64_t		 errors;	/* could not run, garbage */
};

struct track_group {
	char			 name[DEMOTE_NAME_LEN];
	uint32_t		 sent;
	bool			 known;		/* reported once */
};

struct tracker {
	struct event_base	*base;
	struct script_runner	*runner;
	struct event		*tick;
	struct track		 t[CARPD_MAX_TRACKS];
	size_t			 n;
	struct track_group	 g[2 * CARPD_MAX_TRACKS];	/* old and new */
	size_t			 ng;
	unsigned		 interval, timeout, fall, rise, weight;
	track_report_cb		 report;
	void			*arg;
};

static struct track_group *
group_slot(struct tracker *tk, const char *name)
{
	for (size_t i = 0; i < tk->ng; i++)
		if (strcmp(tk->g[i].name, name) == 0)
			return &tk->g[i];
	if (tk->ng == sizeof(tk->g) / sizeof(tk->g[0]))
		return NULL;
	memmove(tk->g[tk->ng].name, name, strnlen(name,
	    DEMOTE_NAME_LEN - 1));
	tk->g[tk->ng].name[strnlen(name, DEMOTE_NAME_LEN - 1)] = '\0';
	tk->g[tk->ng].known = false;
	return &tk->g[tk->ng++];
}

/* Each group's sum; report those that changed (all with `force`). */
static void
update(struct tracker *tk, bool force)
{
	for (size_t i = 0; i < tk->ng; i++) {
		struct track_group	*g = &tk->g[i];
		long			 sum = 0;

		for (size_t j = 0; j < tk->n; j++)
			if (strcmp(tk->t[j].def.group, g->name) == 0)
				sum += tk->t[j].value;
		if (sum > DEMOTE_SRC_LIMIT)
			sum = DEMOTE_SRC_LIMIT;
		if (!force && g->known && g->sent == (uint32_t)sum)
			continue;
		g->sent = (uint32_t)sum;
		g->known = true;
		tk->report(tk->arg, g->name, g->sent);
	}
}

static void
script_done(void *arg, int status)
{
	struct track	*t = arg;
	struct tracker	*tk = t->tk;
	bool		 ok = status != -1 && WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0;

	if (status == -1)
		t->errors++;	/* spawn() said why */
	if (ok) {
		t->fails = 0;
		if (++t->oks >= tk->rise && t->failing) {
			t->failing = false;
			log_info("track %s %s: passing again (%u in a row): "
			    "demotion of %s lifted", t->def.group, t->def.path,
			    t->oks, t->def.group);
		}
	} else {
		t->oks = 0;
		if (++t->fails >= tk->fall && !t->failing) {
			t->failing = true;
			log_warnx("track %s %s: failing (%u in a row): demoting "
			    "%s by %u", t->def.group, t->def.path, t->fails,
			    t->def.group, tk->weight);
		}
	}
	t->value = t->failing ? tk->weight : 0;
	update(tk, false);
}

static void
run_script(struct track *t)
{
	struct script_job *j;

	if (t->q == NULL || t->q->pid != 0 || t->q->njobs > 0)
		return;		/* still running: its timeout decides */
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->argv = calloc(3, sizeof(char *))) == NULL ||
	    (j->envp = calloc(2, sizeof(char *))) == NULL)
		fatal("calloc");
	j->argv[0] = xstrdup(t->def.path);
	j->argv[1] = xstrdup(t->def.group);
	j->envp[0] = xasprintf("CARP_TRACK_GROUP=%s", t->def.group);
	j->label = xasprintf("track %s", t->def.group);
	j->timeout_s = t->tk->timeout;
	j->exit_cb = script_done;
	j->exit_arg = t;
	script_enqueue(t->q, j);
}

static void
read_file(struct track *t)
{
	char	buf[TRACK_FILE_MAX];
	ssize_t	n = -1;
	int	fd, v = 0;

	fd = open(t->def.path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC | O_NOCTTY);
	if (fd == -1 && errno != ENOENT)
		v = -1;
	else if (fd != -1) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
		v = n < 0 || n == (ssize_t)sizeof(buf) ? -1 :
		    demote_parse_file(buf, (size_t)n);
	}
	if (v == -1) {
		t->errors++;
		if (!t->bad)
			log_warnx("track file %s %s: not a number from 0 to "
			    "255; keeping %ld (%llu errors)", t->def.group,
			    t->def.path, t->value,
			    (unsigned long long)t->errors);
		t->bad = true;
		return;
	}
	t->bad = false;
	if (v != t->value)
		log_info("track file %s %s: now %d (was %ld)", t->def.group,
		    t->def.path, v, t->value);
	t->value = v;
}

static void
on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct tracker *tk = arg;

	for (size_t i = 0; i < tk->n; i++) {
		if (tk->t[i].def.file)
			read_file(&tk->t[i]);
		else
			run_script(&tk->t[i]);
	}
	update(tk, false);
}

static void
tracks_clear(struct tracker *tk)
{
	for (size_t i = 0; i < tk->n; i++) {
		struct track *t = &tk->t[i];

		if (t->q != NULL) {
			/* A running script still ends; no one is told. */
			struct script_job *j = t->q->running;

			if (j != NULL)
				j->exit_cb = NULL;
			script_queue_release(t->q);
		}
		free(t->def.path);
	}
	tk->n = 0;
}

static void
tracks_set(struct tracker *tk, const struct carpd_global *g)
{
	struct timeval tv = { g->track_interval, 0 };

	tk->interval = g->track_interval;
	tk->timeout = g->track_timeout;
	tk->fall = g->track_fall;
	tk->rise = g->track_rise;
	tk->weight = g->track_weight;
	for (size_t i = 0; i < g->ntracks; i++) {
		struct track *t = &tk->t[tk->n++];

		memset(t, 0, sizeof(*t));
		t->tk = tk;
		t->def = g->tracks[i];
		t->def.path = xstrdup(g->tracks[i].path);
		if (!t->def.file &&
		    (t->q = script_queue_new(tk->runner)) == NULL)
			log_warnx("track %s %s: no script queue left",
			    t->def.group, t->def.path);
		(void)group_slot(tk, t->def.group);
		log_info("track%s %s %s every %u s", t->def.file ? " file" :
		    "", t->def.group, t->def.path, tk->interval);
	}
	evtimer_del(tk->tick);
	if (tk->n > 0)
		event_add(tk->tick, &tv);
}

struct tracker *
track_new(struct event_base *base, struct script_runner *runner,
    const struct carpd_global *g, track_report_cb report, void *arg)
{
	struct tracker *tk;

	if ((tk = calloc(1, sizeof(*tk))) == NULL)
		fatal("calloc");
	tk->base = base;
	tk->runner = runner;
	tk->report = report;
	tk->arg = arg;
	if ((tk->tick = event_new(base, -1, EV_PERSIST, on_tick, tk)) == NULL)
		fatalx("event_new failed");
	tracks_set(tk, g);
	on_tick(-1, 0, tk);	/* files at once; scripts start */
	return tk;
}

void
track_resend(struct tracker *tk)
{
	update(tk, true);
}

void
track_reconfigure(struct tracker *tk, const struct carpd_global *g)
{
	size_t keep = 0;

	tracks_clear(tk);
	tracks_set(tk, g);
	/* The old groups report 0 once more, then only the new are kept. */
	update(tk, false);
	for (size_t i = 0; i < tk->ng; i++) {
		bool used = false;

		for (size_t j = 0; j < tk->n; j++)
			used |= strcmp(tk->t[j].def.group, tk->g[i].name) == 0;
		if (used)
			tk->g[keep++] = tk->g[i];
	}
	tk->ng = keep;
	on_tick(-1, 0, tk);
}

void
track_free(struct tracker *tk)
{
	if (tk == NULL)
		return;
	tracks_clear(tk);
	event_free(tk->tick);
	free(tk);
}
