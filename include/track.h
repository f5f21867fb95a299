/*
 * track.h: track scripts and tracked files (keepalived's track_script
 * and track_file), run by the root parent: the network process can
 * neither exec nor open files.  Every track-interval seconds each track
 * script runs through the parent's script runner, without blocking,
 * killed after track-timeout (a failure); track-fall failures in a row
 * make it demote its group by track-weight, track-rise successes in a
 * row lift that.  A tracked file holds a number, 0 to 255, that is its
 * group's demotion; a missing file is 0, a file with anything else is
 * logged and counted and its last good value stays.  The sum per group
 * goes to the network process (PS_TRACK) whenever it changes.
 */
#ifndef CARPD_TRACK_H
#define CARPD_TRACK_H

#include <stdint.h>

struct carpd_global;
struct event_base;
struct script_runner;
struct tracker;

typedef void	(*track_report_cb)(void *arg, const char *group,
		    uint32_t value);

struct tracker	*track_new(struct event_base *, struct script_runner *,
		    const struct carpd_global *, track_report_cb, void *arg);
/* Report every group's value again (the network process started). */
void		 track_resend(struct tracker *);
/* After a reload: the new tracks; groups no track names go to 0. */
void		 track_reconfigure(struct tracker *, const struct carpd_global *);
void		 track_free(struct tracker *);

#endif
