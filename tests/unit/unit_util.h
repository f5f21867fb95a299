/*
 * unit_util.h: what the renderer tests share (test_status.c,
 * test_metrics.c): a renderer's output as a string, and a Python check
 * of it.
 */
#ifndef CARPD_UNIT_UTIL_H
#define CARPD_UNIT_UTIL_H

#include <event2/buffer.h>

struct carpd;

/* What `fn` wrote for `cd`, as a C string (the caller frees it). */
char	*ut_render(void (*fn)(const struct carpd *, struct evbuffer *),
	    const struct carpd *cd);
/*
 * /usr/bin/python3 -c `script` ARGS... with `input` on its standard input: its
 * exit status (128 if it did not exit).  `quiet`: a failure is
 * expected, its traceback stays out of the log.
 */
int	 ut_python(const char *script, const char *const args[],
	    const char *input, int quiet);

#endif
