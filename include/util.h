/*
 * util.h: small helpers shared by the modules.  The allocating ones
 * never return NULL: running out of memory is fatal (log.h), as it is
 * everywhere else in carpd.
 */
#ifndef CARPD_UTIL_H
#define CARPD_UTIL_H

#include <stddef.h>

char	*xstrdup(const char *);
char	*xasprintf(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
/* Free each string of a NULL-terminated vector, then the vector. */
void	 strv_free(char **);
/*
 * Copy `s` into `buf` (at most len - 1 bytes) with control characters
 * replaced by '?': client input and interface names, safe to print on a
 * terminal or in a log.
 */
void	 str_sanitize(const char *s, char *buf, size_t len);
/*
 * The signals the daemon handles through its event loop (terminate,
 * reload, status, children), each process with its own events.  They are
 * blocked across the fork into two processes and unblocked by each once
 * its events exist, so that a SIGTERM early at start is handled (down
 * scripts, clean exit) rather than killing the parent by default.
 */
extern const int	daemon_signals[];
extern const size_t	daemon_nsignals;
/* sigprocmask(how, daemon_signals) */
void	 daemon_signals_mask(int how);

#endif
