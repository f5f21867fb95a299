/*
 * util.c: string helpers that die on allocation failure, and one
 * sanitizer for text that came from outside.
 */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatal("vasprintf");
	return s;
}

void
strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

void
str_sanitize(const char *s, char *buf, size_t len)
{
	size_t i;

	if (len == 0)
		return;
	for (i = 0; s[i] != '\0' && i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	buf[i] = '\0';
}

const int daemon_signals[] = { SIGCHLD, SIGUSR1, SIGUSR2, SIGTERM, SIGINT,
    SIGHUP, SIGQUIT };
const size_t daemon_nsignals = sizeof(daemon_signals) /
    sizeof(daemon_signals[0]);

void
daemon_signals_mask(int how)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < daemon_nsignals; i++)
		sigaddset(&set, daemon_signals[i]);
	if (sigprocmask(how, &set, NULL) == -1)
		fatal("sigprocmask");
}
