/*
 * safefile.c: open a file that root will read or run, and refuse it
 * when someone other than root could have changed it (safefile.h).
 * Symbolic links in the directories are resolved first (realpath);
 * the directories checked are then opened one by one from / with
 * O_NOFOLLOW, and the file itself relative to the last of them, so a
 * link or a directory swapped in after the check is never followed.
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safefile.h"

static int
owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static const char *
allowed_owner(void)
{
	return geteuid() == 0 ? "root" : "root or carpd's own user";
}

/* A directory root may rely on: nobody else can add, remove or rename. */
static int
dir_ok(int fd, const char *dir, char *why, size_t len)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		snprintf(why, len, "%s: %s", dir, strerror(errno));
		return SAFEFILE_ERR;
	}
	if (!owner_ok(st.st_uid)) {
		snprintf(why, len, "not trusted: directory %s is owned by uid "
		    "%u, not by %s", dir, (unsigned)st.st_uid, allowed_owner());
		return SAFEFILE_UNSAFE;
	}
	/* /tmp: others may write, but not remove what is not theirs. */
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
	    !((st.st_mode & S_ISVTX) && st.st_uid == 0)) {
		snprintf(why, len, "not trusted: directory %s is writable by "
		    "group or others (mode %04o) and is not a sticky directory "
		    "owned by root", dir, (unsigned)(st.st_mode & 07777));
		return SAFEFILE_UNSAFE;
	}
	return 0;
}

static int
file_ok(int fd, char *why, size_t len)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		snprintf(why, len, "%s", strerror(errno));
		return SAFEFILE_ERR;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(why, len, "%s", strerror(EISDIR));
		return SAFEFILE_ERR;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "not a regular file");
		return SAFEFILE_UNSAFE;
	}
	if (!owner_ok(st.st_uid)) {
		snprintf(why, len, "not trusted: owned by uid %u, not by %s",
		    (unsigned)st.st_uid, allowed_owner());
		return SAFEFILE_UNSAFE;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, len, "not trusted: writable by group or others "
		    "(mode %04o); chmod go-w it",
		    (unsigned)(st.st_mode & 07777));
		return SAFEFILE_UNSAFE;
	}
	return 0;
}

/* Open and check every directory of the absolute, resolved `dir`. */
static int
walk_dirs(const char *dir, char *why, size_t len)
{
	char	 sofar[PATH_MAX], comp[NAME_MAX + 1];
	const char *p = dir;
	int	 fd, nfd, rc;

	if ((fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(why, len, "/: %s", strerror(errno));
		return SAFEFILE_ERR;
	}
	strcpy(sofar, "/");
	if ((rc = dir_ok(fd, sofar, why, len)) != 0)
		goto fail;
	while (*p != '\0') {
		size_t n;

		p += strspn(p, "/");
		if ((n = strcspn(p, "/")) == 0)
			break;
		if (n > NAME_MAX) {
			snprintf(why, len, "%s", strerror(ENAMETOOLONG));
			rc = SAFEFILE_ERR;
			goto fail;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		snprintf(sofar + strlen(sofar), sizeof(sofar) - strlen(sofar),
		    "%s%s", strcmp(sofar, "/") == 0 ? "" : "/", comp);
		nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		if ((fd = nfd) == -1) {
			snprintf(why, len, "%s: %s", sofar, strerror(errno));
			return SAFEFILE_ERR;
		}
		if ((rc = dir_ok(fd, sofar, why, len)) != 0)
			goto fail;
	}
	return fd;
fail:
	close(fd);
	return rc;
}

/*
 * The file `base` of the checked directory `dfd`: looked at through
 * O_PATH first (which opens nothing: the open of a device or a FIFO has
 * effects of its own), then opened for reading if it is a regular file
 * we trust, and checked to be the same file.
 */
static int
open_checked(int dfd, const char *base, char *why, size_t len)
{
	struct stat	 a, b;
	int		 pfd, fd, rc;

	pfd = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd == -1) {
		snprintf(why, len, "%s", strerror(errno));
		return SAFEFILE_ERR;
	}
	if (fstat(pfd, &a) == 0 && S_ISLNK(a.st_mode)) {
		close(pfd);
		snprintf(why, len, "not trusted: a symbolic link");
		return SAFEFILE_UNSAFE;
	}
	rc = file_ok(pfd, why, len);
	close(pfd);
	if (rc != 0)
		return rc;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1) {
		snprintf(why, len, "%s", strerror(errno));
		return SAFEFILE_ERR;
	}
	if (fstat(fd, &b) == -1 || b.st_dev != a.st_dev || b.st_ino != a.st_ino ||
	    (rc = file_ok(fd, why, len)) != 0) {
		if (rc == 0)
			snprintf(why, len, "not trusted: replaced while opened");
		close(fd);
		return rc != 0 ? rc : SAFEFILE_UNSAFE;
	}
	/* Reads of a regular file never block; restore the usual mode. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int
safefile_open(const char *path, char *why, size_t len)
{
	char		 dir[PATH_MAX], real[PATH_MAX];
	const char	*base, *slash = strrchr(path, '/');
	int		 dfd, fd;

	if (slash == NULL) {
		strcpy(dir, ".");
		base = path;
	} else if ((size_t)(slash - path) >= sizeof(dir)) {
		snprintf(why, len, "%s", strerror(ENAMETOOLONG));
		return SAFEFILE_ERR;
	} else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if (dir[0] == '\0')
			strcpy(dir, "/");
		base = slash + 1;
	}
	if (*base == '\0') {
		snprintf(why, len, "%s", strerror(EISDIR));
		return SAFEFILE_ERR;
	}
	if (realpath(dir, real) == NULL) {
		snprintf(why, len, "%s", strerror(errno));
		return SAFEFILE_ERR;
	}
	if ((dfd = walk_dirs(real, why, len)) < 0)
		return dfd;
	fd = open_checked(dfd, base, why, len);
	close(dfd);
	return fd;
}
