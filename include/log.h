/* log.h: the one logging API (syslog and/or stderr). */
#ifndef CARPD_LOG_H
#define CARPD_LOG_H

#include <stdarg.h>
#include <stdbool.h>

void	log_init(int foreground, int debug, int facility);
int	log_facility_parse(const char *name);
const char *log_facility_names(void);
const char *log_facility_name(int);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
bool	log_debug_enabled(void);	/* is log_debug() on? */
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * A token bucket for messages that outside input can trigger (bad
 * packets): at most `burst` lines, refilled at one line per `period_ms`.
 */
struct log_ratelimit {
	unsigned	 burst;
	unsigned	 period_ms;
	unsigned	 tokens;
	unsigned long	 suppressed;
	long long	 last_ms;
	int		 started;	/* 0: full at the first call */
};

/* Returns 1 when the caller may log now; `*suppressed` gets the skipped count. */
int	log_ratelimit_ok(struct log_ratelimit *, long long now_ms,
	    unsigned long *suppressed);

#endif
