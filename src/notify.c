/*
 * notify.c: the notify FIFO (notify.h).
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "util.h"

struct notify {
	char		*path;
	int		 fd;
	uint64_t	 written;
	uint64_t	 dropped;
};

/*
 * The path is looked at before it is opened for writing: O_PATH and
 * O_NOFOLLOW open nothing (a device's open has effects of its own: a
 * watchdog starts, a tape rewinds), fstat says what it is, and only a
 * FIFO of root's is opened, through /proc/self/fd so that it is the same
 * inode.  O_RDWR on a FIFO (Linux): the open never waits for a reader,
 * and the FIFO keeps a reader (us) so that lines wait in it for the real
 * one.
 */
static int
fifo_open(const char *path)
{
	struct stat	st;
	char		proc[64];
	int		pfd, fd;

	if ((pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		log_warn("notify fifo %s", path);
		return -1;
	}
	if (fstat(pfd, &st) == -1 || !S_ISFIFO(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 0002) != 0) {
		log_warnx("notify fifo %s: not a FIFO of uid %u that only it "
		    "may write to; not writing to it", path,
		    (unsigned)geteuid());
		close(pfd);
		return -1;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		log_warn("notify fifo %s: reopening %s", path, proc);
	close(pfd);
	return fd;
}

static void
notify_open(struct notify *n)
{
	if (n->fd != -1)
		return;
	if (mkfifo(n->path, 0600) == -1 && errno != EEXIST) {
		log_warn("notify fifo %s", n->path);
		return;
	}
	n->fd = fifo_open(n->path);
}

struct notify *
notify_new(const char *path)
{
	struct notify *n;

	if (path == NULL)
		return NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		fatal("calloc");
	n->path = xstrdup(path);
	n->fd = -1;
	notify_open(n);
	return n;
}

void
notify_line(struct notify *n, unsigned vhid, const char *ifname,
    const char *state, const char *group)
{
	char	line[128];
	int	len;

	if (n == NULL)
		return;
	notify_open(n);
	len = snprintf(line, sizeof(line), "%u %s %s %s\n", vhid, ifname,
	    state, group);
	if (len < 0 || (size_t)len >= sizeof(line))
		return;
	/* At most PIPE_BUF bytes: the line goes in whole or not at all. */
	if (n->fd == -1 || write(n->fd, line, (size_t)len) != len) {
		if (n->dropped++ == 0 || n->dropped % 1000 == 0)
			log_warnx("notify fifo %s: full or unusable, %llu "
			    "lines dropped", n->path,
			    (unsigned long long)n->dropped);
		return;
	}
	n->written++;
}

uint64_t
notify_dropped(const struct notify *n)
{
	return n != NULL ? n->dropped : 0;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	if (n->fd != -1)
		close(n->fd);
	free(n->path);
	free(n);
}
