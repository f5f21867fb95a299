/*
 * log.c: the one logging API.  syslog always; stderr too when running
 * in the foreground.  Messages are single lines.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	log_foreground = 1;
static int	log_debug_on;
static int	log_to_syslog;

static const struct {
	const char	*name;
	int		 value;
} facilities[] = {
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV }, { "cron", LOG_CRON },
	{ "daemon", LOG_DAEMON }, { "ftp", LOG_FTP }, { "kern", LOG_KERN },
	{ "lpr", LOG_LPR }, { "mail", LOG_MAIL }, { "news", LOG_NEWS },
	{ "syslog", LOG_SYSLOG }, { "user", LOG_USER }, { "uucp", LOG_UUCP },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int
log_facility_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcasecmp(name, facilities[i].name) == 0)
			return facilities[i].value;
	return -1;
}

const char *
log_facility_name(int value)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facilities[i].value == value)
			return facilities[i].name;
	return "daemon";
}

const char *
log_facility_names(void)
{
	return "auth, authpriv, cron, daemon, ftp, kern, lpr, mail, news, "
	    "syslog, user, uucp, local0 to local7";
}

/*
 * Called again on reload.  LOG_NDELAY connects now, before the network
 * process's chroot; openlog() keeps a connection it already has.  The
 * time zone is read once: with TZ unset tzset() reads /etc/localtime
 * again each time, which the sandbox refuses (sandbox.c).
 */
void
log_init(int foreground, int debug, int facility)
{
	static int	tz_read;

	log_foreground = foreground;
	log_debug_on = debug;
	log_to_syslog = 1;
	openlog("carpd", LOG_PID | LOG_NDELAY, facility);
	if (!tz_read) {
		tzset();
		tz_read = 1;
	}
}

static void
vlog(int pri, const char *fmt, va_list ap)
{
	char	msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_foreground) {
		struct timespec	ts;
		struct tm	tm;
		char		stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%06ld carpd: %s\n", stamp,
		    ts.tv_nsec / 1000, msg);
	}
	if (log_to_syslog)
		syslog(pri, "%s", msg);
}

static void
vlog_errno(int pri, int saved, const char *fmt, va_list ap)
{
	char buf[900];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (saved)
		log_warnx("%s: %s", buf, strerror(saved));
	else
		log_warnx("%s", buf);
	(void)pri;
}

void
log_warn(const char *fmt, ...)
{
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

bool
log_debug_enabled(void)
{
	return log_debug_on != 0;
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int	saved = errno;
	char	buf[900];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fatalx("%s: %s", buf, strerror(saved));
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

int
log_ratelimit_ok(struct log_ratelimit *rl, long long now_ms,
    unsigned long *suppressed)
{
	/* Time 0 is no sentinel: a time namespace's clock may start there. */
	if (!rl->started || now_ms < rl->last_ms) {
		rl->started = 1;
		rl->tokens = rl->burst;
		rl->last_ms = now_ms;
	} else if (rl->period_ms > 0) {
		long long refill = (now_ms - rl->last_ms) / rl->period_ms;

		if (refill > 0) {
			rl->tokens = refill >= rl->burst ? rl->burst :
			    rl->tokens + (unsigned)refill;
			if (rl->tokens > rl->burst)
				rl->tokens = rl->burst;
			rl->last_ms += refill * rl->period_ms;
		}
	}
	if (rl->tokens == 0) {
		rl->suppressed++;
		return 0;
	}
	rl->tokens--;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return 1;
}
