/*
 * test_script.c: unit tests of the script runner (src/script.c) with real
 * children and a real event loop: a queue runs its jobs one at a time and
 * in order; a script that outlives the timeout gets SIGTERM, and SIGKILL
 * if it ignores that; no more than max_running scripts run at once, the
 * others wait their turn in order and none is lost; beyond the bounds on
 * pending jobs a job is refused; a queue released while busy still
 * counts until it has drained.
 */
#include "config.h"

#include <sys/stat.h>
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>

#include "script.h"

static char	dir[64];
static char	logpath[128];

struct loop {
	struct event_base	*base;
	struct script_runner	 r;
	struct event		*sig;
	size_t			 peak;		/* most running at once */
	int			 idle;
};

static void
on_sigchld(evutil_socket_t fd, short ev, void *arg)
{
	struct loop *l = arg;

	script_reap(&l->r);
}

static void
on_idle(void *arg)
{
	struct loop *l = arg;

	l->idle = 1;
	event_base_loopbreak(l->base);
}

static void
on_done(void *arg)
{
	struct loop *l = arg;

	if (l->r.nrunning > l->peak)
		l->peak = l->r.nrunning;
}

static void
loop_init(struct loop *l, unsigned timeout_s)
{
	memset(l, 0, sizeof(*l));
	l->base = event_base_new();
	script_runner_init(&l->r, l->base, timeout_s);
	l->r.idle_cb = on_idle;
	l->r.done_cb = on_done;
	l->r.idle_arg = l;
	l->sig = evsignal_new(l->base, SIGCHLD, on_sigchld, l);
	evsignal_add(l->sig, NULL);
}

static void
loop_run(struct loop *l)
{
	struct timeval tv = { 30, 0 };

	l->idle = 0;
	if (script_runner_idle(&l->r))
		return;
	event_base_loopexit(l->base, &tv);
	event_base_dispatch(l->base);
	ck_assert_msg(l->idle, "scripts still running after 30 s");
}

static void
loop_free(struct loop *l)
{
	event_free(l->sig);
	event_base_free(l->base);
}

/* A script: `body` after #!/bin/sh, in the test's directory. */
static char *
script(const char *name, const char *body)
{
	static char	path[160];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
	return path;
}

/* A job that runs `path` with "$1" = tag. */
static struct script_job *
job(const char *path, const char *tag)
{
	struct script_job *j = calloc(1, sizeof(*j));

	j->argv = calloc(3, sizeof(*j->argv));
	j->argv[0] = strdup(path);
	j->argv[1] = strdup(tag);
	j->envp = calloc(2, sizeof(*j->envp));
	j->envp[0] = strdup("CARP_TEST=1");
	j->label = strdup(tag);
	return j;
}

static char *
slurp(void)
{
	static char	buf[65536];
	FILE		*f = fopen(logpath, "r");
	size_t		 n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void
setup(void)
{
	strcpy(dir, "/tmp/test_script.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(t_order)
{
	struct loop		 l;
	struct script_queue	*q;
	char			 body[512], tag[16], want[256] = "";
	const char		*p;

	snprintf(body, sizeof(body), "sleep 0.0$(( $1 %% 3 ))\n"
	    "echo \"$1 $CARP_TEST\" >>%s", logpath);
	p = script("s", body);
	loop_init(&l, 10);
	q = script_queue_new(&l.r);
	for (int i = 0; i < 8; i++) {
		snprintf(tag, sizeof(tag), "%d", i);
		ck_assert_int_eq(script_enqueue(q, job(p, tag)), 0);
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
		    "%d 1\n", i);
	}
	ck_assert_uint_eq(l.r.nrunning, 1);
	loop_run(&l);
	ck_assert_str_eq(slurp(), want);
	ck_assert_uint_eq(l.peak, 1);
	script_queue_release(q);
	ck_assert_uint_eq(l.r.nqueues, 0);
	loop_free(&l);
}
END_TEST

START_TEST(t_timeout)
{
	struct loop		 l;
	struct script_queue	*q;
	char			 body[512];
	struct timespec		 t0, t1;
	const char		*p1, *p2, *p3;
	double			 dt;

	snprintf(body, sizeof(body), "trap 'echo term $1 >>%s; exit 0' TERM\n"
	    "sleep 20 & wait", logpath);
	p1 = strdup(script("polite", body));
	snprintf(body, sizeof(body), "trap 'echo ignored $1 >>%s' TERM\n"
	    "while :; do sleep 0.1; done", logpath);
	p2 = strdup(script("stubborn", body));
	snprintf(body, sizeof(body), "echo next $1 >>%s", logpath);
	p3 = strdup(script("next", body));
	loop_init(&l, 1);
	q = script_queue_new(&l.r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	script_enqueue(q, job(p1, "a"));
	script_enqueue(q, job(p2, "b"));
	script_enqueue(q, job(p3, "c"));
	loop_run(&l);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dt = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* 1 s to SIGTERM for a; 1 s, then 2 more to SIGKILL for b */
	ck_assert_str_eq(slurp(), "term a\nignored b\nnext c\n");
	ck_assert_msg(dt >= 3.9 && dt < 15, "took %.2f s", dt);
	script_queue_release(q);
	loop_free(&l);
	free((void *)p1);
	free((void *)p2);
	free((void *)p3);
}
END_TEST

/*
 * The queues watched for the order in which they start: scanned after
 * every script's end, when the waiting ones get their turn.
 */
static struct script_queue	**watch;
static int			  nwatch, order[32], norder, seen[32];

static void
scan_started(void)
{
	for (int i = 0; i < nwatch; i++)
		if (watch[i] != NULL && !seen[i] && watch[i]->pid != 0) {
			seen[i] = 1;
			order[norder++] = i;
		}
}

static void
on_done_scan(void *arg)
{
	on_done(arg);
	scan_started();
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* max_running at once; the waiting queues start in the order they came. */
START_TEST(t_concurrency)
{
	struct loop		 l;
	struct script_queue	*q[12], *kept[12];
	char			 body[512], tag[16];
	const char		*p;
	int			 got[12], n = 0;
	char			*out, *line;

	snprintf(body, sizeof(body), "echo $1 >>%s; sleep 0.2", logpath);
	p = script("s", body);
	loop_init(&l, 10);
	l.r.max_running = 3;
	l.r.done_cb = on_done_scan;
	watch = kept;
	nwatch = 12;
	norder = 0;
	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < 12; i++) {
		q[i] = script_queue_new(&l.r);
		kept[i] = i % 2 == 0 ? NULL : q[i];
		snprintf(tag, sizeof(tag), "%d", i);
		ck_assert_int_eq(script_enqueue(q[i], job(p, tag)), 0);
		/* released while busy or waiting: still counts, still runs */
		if (i % 2 == 0)
			script_queue_release(q[i]);
		ck_assert_uint_le(l.r.nrunning, 3);
	}
	ck_assert_uint_eq(l.r.nqueues, 12);
	scan_started();
	loop_run(&l);
	ck_assert_uint_le(l.peak, 3);
	/* the kept queues started in the order they asked */
	ck_assert_int_eq(norder, 6);
	for (int i = 0; i < norder; i++)
		ck_assert_int_eq(order[i], 2 * i + 1);
	/* and none of the twelve was lost */
	out = slurp();
	for (line = strtok(out, "\n"); line != NULL && n < 12;
	    line = strtok(NULL, "\n"))
		got[n++] = atoi(line);
	ck_assert_int_eq(n, 12);
	qsort(got, 12, sizeof(got[0]), cmp_int);
	for (int i = 0; i < 12; i++)
		ck_assert_int_eq(got[i], i);
	ck_assert_uint_eq(l.r.nqueues, 6);
	for (int i = 1; i < 12; i += 2)
		script_queue_release(q[i]);
	ck_assert_uint_eq(l.r.nqueues, 0);
	watch = NULL;
	loop_free(&l);
}
END_TEST

START_TEST(t_caps)
{
	struct loop		 l;
	struct script_queue	*q, *q2;
	const char		*p;
	char			 body[512];

	snprintf(body, sizeof(body), "echo $1 >>%s", logpath);
	p = script("s", body);
	loop_init(&l, 10);
	l.r.max_queued = 4;
	l.r.max_total = 6;
	l.r.max_queues = 2;
	q = script_queue_new(&l.r);
	q2 = script_queue_new(&l.r);
	ck_assert_ptr_null(script_queue_new(&l.r));
	/* one runs, four wait, the sixth is refused */
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(script_enqueue(q, job(p, "q")), 0);
	ck_assert_int_eq(script_enqueue(q, job(p, "q")), -1);
	/* two more fit in all, the third does not */
	ck_assert_int_eq(script_enqueue(q2, job(p, "r")), 0);	/* runs */
	ck_assert_int_eq(script_enqueue(q2, job(p, "r")), 0);
	ck_assert_int_eq(script_enqueue(q2, job(p, "r")), 0);
	ck_assert_int_eq(script_enqueue(q2, job(p, "r")), -1);
	ck_assert_uint_eq(l.r.refused, 2);
	/* a released queue that is busy still counts */
	script_queue_release(q2);
	ck_assert_ptr_null(script_queue_new(&l.r));
	loop_run(&l);
	{
		const char	*out = slurp();
		int		 nq = 0, nr = 0;

		for (; *out != '\0'; out++) {
			nq += *out == 'q';
			nr += *out == 'r';
		}
		ck_assert_int_eq(nq, 5);
		ck_assert_int_eq(nr, 3);
	}
	ck_assert_ptr_nonnull(q2 = script_queue_new(&l.r));
	script_queue_release(q);
	script_queue_release(q2);
	loop_free(&l);
}
END_TEST

static Suite *
script_suite(void)
{
	Suite	*s = suite_create("script");
	TCase	*tc = tcase_create("queue");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t_order);
	tcase_add_test(tc, t_timeout);
	tcase_add_test(tc, t_concurrency);
	tcase_add_test(tc, t_caps);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(script_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
