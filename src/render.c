/*
 * render.c: pieces shared by the renderers of carpctl's replies
 * (render.h).
 */
#include "config.h"

#include <stdio.h>
#include <arpa/inet.h>
#include <event2/buffer.h>

#include "proto.h"
#include "render.h"

size_t
render_utf8_len(const unsigned char *s)
{
	uint32_t	cp, min;
	size_t		n;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	} else
		return 0;
	/* A NUL fails the test, so this never reads past the string. */
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
render_json_str(struct evbuffer *out, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n;

	evbuffer_add(out, "\"", 1);
	for (; *s != '\0'; s += n) {
		n = 1;
		if (*s == '"' || *s == '\\')
			evbuffer_add_printf(out, "\\%c", *s);
		else if (*s < 0x20 || *s == 0x7f)
			evbuffer_add_printf(out, "\\u%04x", *s);
		else if ((n = render_utf8_len(s)) > 0)
			evbuffer_add(out, s, n);
		else {
			evbuffer_add(out, "\\ufffd", 6);
			n = 1;
		}
	}
	evbuffer_add(out, "\"", 1);
}

void
render_json_addr(struct evbuffer *out, int af, const void *a)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(af, a, buf, sizeof(buf));
	evbuffer_add_printf(out, "\"%s\"", buf);
}

void
render_json_drops(struct evbuffer *out, const uint64_t *drops)
{
	evbuffer_add(out, "{", 1);
	for (int i = CARP_RX_OK + 1; i < CARP_DROP_MAX; i++)
		evbuffer_add_printf(out, "%s\"%s\":%llu",
		    i > CARP_RX_OK + 1 ? "," : "",
		    carp_drop_name((enum carp_drop)i),
		    (unsigned long long)drops[i]);
	evbuffer_add(out, "}", 1);
}

uint64_t
render_drops_total(const uint64_t *drops)
{
	uint64_t n = 0;

	for (int i = CARP_RX_OK + 1; i < CARP_DROP_MAX; i++)
		n += drops[i];
	return n;
}

void
render_drops_text(struct evbuffer *out, const uint64_t *drops)
{
	for (int i = CARP_RX_OK + 1; i < CARP_DROP_MAX; i++)
		if (drops[i] > 0)
			evbuffer_add_printf(out, " %s=%llu",
			    carp_drop_name((enum carp_drop)i),
			    (unsigned long long)drops[i]);
}

int
render_time(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;

	if (ts->tv_sec == 0 || gmtime_r(&ts->tv_sec, &tm) == NULL) {
		snprintf(buf, len, "-");
		return 0;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 1;
}
