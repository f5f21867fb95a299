/*
 * pidfile.c: the pid file, locked with flock(2) like libbsd's
 * pidfile_open(); and the removal at exit of the files this process
 * made, checked by device and inode, so that a path that now names
 * something else (another daemon's file, or one a reload named) is left
 * alone.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pidfile.h"
#include "util.h"

int
ownfile_note(struct ownfile *of, const char *path)
{
	struct stat	 st;
	char		*copy = xstrdup(path);

	free(of->path);
	memset(of, 0, sizeof(*of));
	of->path = copy;
	if (lstat(copy, &st) == -1)
		return -1;
	of->dev = st.st_dev;
	of->ino = st.st_ino;
	of->set = true;
	return 0;
}

void
ownfile_remove(struct ownfile *of)
{
	struct stat st;

	if (of->set && lstat(of->path, &st) == 0 && st.st_dev == of->dev &&
	    st.st_ino == of->ino && unlink(of->path) == -1)
		log_warn("cannot remove %s", of->path);
	free(of->path);
	memset(of, 0, sizeof(*of));
}

/* The pid of the holder of the lock, for the message; 0 if unreadable. */
static long
holder(int fd)
{
	char	buf[32];
	ssize_t	n;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static int
pid_write(int fd, const char *path)
{
	char	buf[32];
	int	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, buf, (size_t)len, 0) != (ssize_t)len) {
		log_warn("cannot write pidfile %s", path);
		return -1;
	}
	return 0;
}

int
pidfile_open(struct pidfile *pf, const char *path)
{
	struct stat	st;
	long		pid;
	int		fd;

	memset(pf, 0, sizeof(*pf));
	pf->fd = -1;
	/* Not even opened if it is something else (a device's open acts). */
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISLNK(st.st_mode)) {
		log_warnx("pidfile %s: not a regular file; not starting", path);
		return -1;
	}
	/* No O_TRUNC: the file may be another carpd's until it is locked. */
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
	    0644);
	if (fd == -1) {
		log_warn("cannot open pidfile %s%s", path, errno == ELOOP ?
		    " (a symbolic link)" : "");
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    st.st_uid != geteuid()) {
		log_warnx("pidfile %s: not a regular file of ours with one "
		    "link; not starting", path);
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK && (pid = holder(fd)) > 0)
			log_warnx("%s: another carpd (pid %ld) is running; "
			    "not starting", path, pid);
		else
			log_warn("%s: cannot lock; not starting", path);
		close(fd);
		return -1;
	}
	if (pid_write(fd, path) == -1) {
		close(fd);
		return -1;
	}
	pf->fd = fd;
	pf->own.path = xstrdup(path);
	pf->own.dev = st.st_dev;
	pf->own.ino = st.st_ino;
	pf->own.set = true;
	return 0;
}

void
pidfile_forget(struct pidfile *pf)
{
	if (pf->fd != -1)
		close(pf->fd);
	pf->fd = -1;
	free(pf->own.path);
	memset(&pf->own, 0, sizeof(pf->own));
}

void
pidfile_remove(struct pidfile *pf)
{
	/* Unlink before unlocking: a new carpd then creates its own file. */
	ownfile_remove(&pf->own);
	if (pf->fd != -1)
		close(pf->fd);
	pf->fd = -1;
}
