/*
 * pidfile.h: the pid file, and removing at exit only what this process
 * made.  The pid file is opened without following a symbolic link and
 * held locked (flock) for the life of the daemon, so a second carpd is
 * refused while the first runs, and a stale file left by a crash (whose
 * pid may now be another process's) does not stop the next start.
 */
#ifndef CARPD_PIDFILE_H
#define CARPD_PIDFILE_H

#include <stdbool.h>
#include <sys/types.h>

/* A file this process created: removed at exit only if still that one. */
struct ownfile {
	char		*path;
	dev_t		 dev;
	ino_t		 ino;
	bool		 set;
};

struct pidfile {
	struct ownfile	 own;
	int		 fd;		/* holds the lock; -1: none */
};

/* Lock `path` and write our pid in it; -1 (logged) when it cannot. */
int	pidfile_open(struct pidfile *, const char *path);
/* In a forked process that must not hold the lock (the network child). */
void	pidfile_forget(struct pidfile *);
/* Remove the file if it is still ours, and drop the lock. */
void	pidfile_remove(struct pidfile *);

/* Remember what `path` is now (lstat), for ownfile_remove. */
int	ownfile_note(struct ownfile *, const char *path);
/* Unlink the path if it is still the same file (device and inode). */
void	ownfile_remove(struct ownfile *);

#endif
