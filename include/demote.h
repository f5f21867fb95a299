/*
 * demote.h: demotion groups (OpenBSD's interface-group demotion
 * counters).  Every vhid is in one or more named groups: the group of
 * its interface's vhids (named after the interface), the group of all
 * vhids (DEMOTE_ALL, OpenBSD's "carp") and those it is given.  A group
 * counts its demotion by source, so that status can say what demotes
 * it; a vhid advertises the sum over its groups, capped at 255
 * (doc/protocol.md, "Demotion").  Groups live as long as the daemon: an
 * operator's demotion survives a reload.  Pure bookkeeping: the caller
 * tells the vhids of a changed group (demote_changed_cb).
 */
#ifndef CARPD_DEMOTE_H
#define CARPD_DEMOTE_H

#include <sys/queue.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEMOTE_ALL		"carp"
#define DEMOTE_NAME_LEN		16	/* with the NUL, as IF_NAMESIZE */
#define DEMOTE_MAX		255	/* the byte */
#define DEMOTE_STARTUP		128	/* OpenBSD's boot demotion */
#define DEMOTE_SENDERR_MAX	3	/* errors in a row, per vhid */
#define DEMOTE_SENDOK_MIN	3	/* successes that lift it again */
#define DEMOTE_SRC_LIMIT	100000	/* one source's counter, at most */

/* What demotes a group; the names are stable (status, carpctl(8)). */
enum demote_src {
	DEMOTE_OPERATOR = 0,	/* carpctl demote */
	DEMOTE_LINK,		/* a vhid of the group lost its link */
	DEMOTE_SENDERR,		/* a vhid of the group cannot send */
	DEMOTE_START,		/* start-up demotion, held for a time */
	DEMOTE_TRACK,		/* track scripts and tracked files */
	DEMOTE_SRC_MAX
};

struct demote_group {
	TAILQ_ENTRY(demote_group) entry;
	char			name[DEMOTE_NAME_LEN];
	long			by[DEMOTE_SRC_MAX];
	unsigned		nvhids;		/* vhids in it now */
};
TAILQ_HEAD(demote_list, demote_group);

const char	*demote_src_name(enum demote_src);
/* A group name: 1 to 15 of [A-Za-z0-9_.-]; 0 or -1. */
int		 demote_name_ok(const char *);
struct demote_group *demote_find(struct demote_list *, const char *);
struct demote_group *demote_get(struct demote_list *, const char *);
void		 demote_free_all(struct demote_list *);
/* Add `delta` to one source (kept within 0 and DEMOTE_SRC_LIMIT). */
void		 demote_add(struct demote_group *, enum demote_src, long delta);
void		 demote_set(struct demote_group *, enum demote_src, long value);
/* The group's counter: the sum of its sources. */
long		 demote_total(const struct demote_group *);
/* The byte a member of these groups sends. */
uint8_t		 demote_byte(struct demote_group *const *, size_t n);
/*
 * "+N", "-N" or "N" for carpctl demote: the operator's new counter from
 * the old one; 0, or -1 with `msg` saying what is allowed.
 */
/* A tracked file's content (track.h): 0 to 255, or -1. */
int		 demote_parse_file(const char *buf, size_t len);
int		 demote_parse_adjust(const char *arg, long old, long *value,
		    char *msg, size_t len);

#endif
