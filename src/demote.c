/*
 * demote.c: demotion groups and their counters (demote.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demote.h"
#include "log.h"

static const char *const src_names[DEMOTE_SRC_MAX] = {
	[DEMOTE_OPERATOR] = "operator",
	[DEMOTE_LINK] = "link",
	[DEMOTE_SENDERR] = "send-errors",
	[DEMOTE_START] = "startup",
	[DEMOTE_TRACK] = "track",
};

const char *
demote_src_name(enum demote_src s)
{
	return (unsigned)s < DEMOTE_SRC_MAX ? src_names[s] : "?";
}

int
demote_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= DEMOTE_NAME_LEN)
		return -1;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n ? 0 : -1;
}

struct demote_group *
demote_find(struct demote_list *l, const char *name)
{
	struct demote_group *g;

	TAILQ_FOREACH(g, l, entry)
		if (strcmp(g->name, name) == 0)
			return g;
	return NULL;
}

struct demote_group *
demote_get(struct demote_list *l, const char *name)
{
	struct demote_group *g;

	if ((g = demote_find(l, name)) != NULL)
		return g;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		fatal("calloc");
	snprintf(g->name, sizeof(g->name), "%s", name);
	TAILQ_INSERT_TAIL(l, g, entry);
	return g;
}

void
demote_free_all(struct demote_list *l)
{
	struct demote_group *g;

	while ((g = TAILQ_FIRST(l)) != NULL) {
		TAILQ_REMOVE(l, g, entry);
		free(g);
	}
}

void
demote_set(struct demote_group *g, enum demote_src s, long value)
{
	if (value < 0)
		value = 0;
	if (value > DEMOTE_SRC_LIMIT)
		value = DEMOTE_SRC_LIMIT;
	g->by[s] = value;
}

void
demote_add(struct demote_group *g, enum demote_src s, long delta)
{
	demote_set(g, s, g->by[s] + delta);
}

long
demote_total(const struct demote_group *g)
{
	long sum = 0;

	for (int s = 0; s < DEMOTE_SRC_MAX; s++)
		sum += g->by[s];
	return sum;
}

uint8_t
demote_byte(struct demote_group *const *gs, size_t n)
{
	long sum = 0;

	for (size_t i = 0; i < n && sum < DEMOTE_MAX; i++)
		sum += demote_total(gs[i]);
	return sum > DEMOTE_MAX ? DEMOTE_MAX : (uint8_t)sum;
}

int
demote_parse_adjust(const char *arg, long old, long *value, char *msg,
    size_t len)
{
	char	*end;
	long	 n;
	int	 sign = 0;

	if (arg[0] == '+' || arg[0] == '-')
		sign = arg[0] == '+' ? 1 : -1;
	errno = 0;
	n = strtol(arg + (sign != 0), &end, 10);
	if (arg[sign != 0] < '0' || arg[sign != 0] > '9' || *end != '\0' ||
	    errno != 0 || n > DEMOTE_MAX) {
		snprintf(msg, len, "invalid demotion \"%s\": allowed N, +N or "
		    "-N with N from 0 to %d", arg, DEMOTE_MAX);
		return -1;
	}
	*value = sign == 0 ? n : old + sign * n;
	if (*value < 0)
		*value = 0;
	if (*value > DEMOTE_MAX)
		*value = DEMOTE_MAX;
	return 0;
}

/* A tracked file's content: blanks, 0 to 255, blanks and line ends. */
int
demote_parse_file(const char *buf, size_t len)
{
	size_t	i = 0;
	long	n = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	if (i == len || buf[i] < '0' || buf[i] > '9')
		return -1;
	for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++)
		if ((n = n * 10 + (buf[i] - '0')) > DEMOTE_MAX)
			return -1;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' ||
	    buf[i] == '\n' || buf[i] == '\r'))
		i++;
	return i == len ? (int)n : -1;
}
