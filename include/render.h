/*
 * render.h: pieces shared by the renderers of carpctl's replies
 * (status.c, peers.c, metrics.c): UTF-8 checks, JSON strings, the drop
 * counters, times.  Pure: they append to an evbuffer and never fail.
 */
#ifndef CARPD_RENDER_H
#define CARPD_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct evbuffer;

/* Length of the valid UTF-8 sequence at `s` (NUL-terminated), or 0. */
size_t		render_utf8_len(const unsigned char *s);
/* A JSON string; bytes that are not UTF-8 become U+FFFD. */
void		render_json_str(struct evbuffer *, const char *);
/* An address of family `af` as a JSON string. */
void		render_json_addr(struct evbuffer *, int af, const void *);
/*
 * An object of every drop reason of the codec (enum carp_drop), zeros
 * included, so that consumers see a fixed set of keys.
 */
void		render_json_drops(struct evbuffer *, const uint64_t *drops);
/* The sum of the drop counters. */
uint64_t	render_drops_total(const uint64_t *drops);
/* " name=N" for each drop reason counted; nothing when none is. */
void		render_drops_text(struct evbuffer *, const uint64_t *drops);
/* ISO 8601 in UTC; 0 and "-" for a time never set (tv_sec 0). */
int		render_time(const struct timespec *, char *buf, size_t len);

#endif
