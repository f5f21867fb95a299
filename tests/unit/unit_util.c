/*
 * unit_util.c: helpers of the renderer tests (unit_util.h).
 */
#include "config.h"

#include <sys/wait.h>
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit_util.h"

char *
ut_render(void (*fn)(const struct carpd *, struct evbuffer *),
    const struct carpd *cd)
{
	struct evbuffer	*b = evbuffer_new();
	size_t		 n;
	char		*s;

	ck_assert_ptr_nonnull(b);
	fn(cd, b);
	n = evbuffer_get_length(b);
	ck_assert_ptr_nonnull(s = malloc(n + 1));
	ck_assert_int_eq(evbuffer_remove(b, s, n), (int)n);
	s[n] = '\0';
	evbuffer_free(b);
	return s;
}

static void
ut_exec(const char *script, const char *const args[])
{
	const char	*argv[8] = { "python3", "-c", script };
	size_t		 n = 3;

	for (size_t i = 0; args[i] != NULL && n < 7; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	/* Debian's, where the tests' modules are (python3-prometheus-client). */
	execv("/usr/bin/python3", (char *const *)argv);
	_exit(127);
}

int
ut_python(const char *script, const char *const args[], const char *input,
    int quiet)
{
	int	p[2], status;
	pid_t	pid;
	size_t	len = strlen(input), off = 0;

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		dup2(p[0], STDIN_FILENO);
		close(p[0]);
		close(p[1]);
		if (quiet && freopen("/dev/null", "w", stderr) == NULL)
			_exit(126);
		ut_exec(script, args);
	}
	close(p[0]);
	while (off < len) {
		ssize_t w = write(p[1], input + off, len - off);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(p[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(!(WIFEXITED(status) && WEXITSTATUS(status) == 127),
	    "cannot run /usr/bin/python3 (a test dependency: apt-get install python3)");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
