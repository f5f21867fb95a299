/*
 * parent.h: the root parent of a separated carpd (privsep.h).  It runs
 * the scripts the network child asks for, each built from the parent's
 * own configuration of the generation the request names (gens.h),
 * reloads the file on SIGHUP, forwards the other signals, and exits once
 * the child's end of the channel is closed and every script asked for
 * has run.
 */
#ifndef CARPD_PARENT_H
#define CARPD_PARENT_H

#include <sys/types.h>

struct config;
struct carpd_options;
struct ownfile;

/*
 * Until the child is gone and its scripts have run; the child's exit
 * status.  `ctl->path` is the control socket the child binds: noted
 * (device and inode) when the child says it started, for
 * ownfile_remove().
 */
int	parent_run(const struct carpd_options *, struct config *,
	    pid_t child, int fd, struct ownfile *ctl);

#endif
