/*
 * safefile.h: files that root relies on (the configuration, password
 * files, up/down scripts).  Such a file, and every directory above it,
 * must be owned by root (or by the effective user when carpd runs
 * unprivileged) and not writable by group or others; a directory that
 * others may write is accepted only when it is sticky and owned by root,
 * like /tmp.  The check is made on descriptors opened along the path,
 * so what is checked is what gets read or run.
 */
#ifndef CARPD_SAFEFILE_H
#define CARPD_SAFEFILE_H

#include <stddef.h>

#define SAFEFILE_ERR	(-1)	/* cannot open: errno, `why` is strerror */
#define SAFEFILE_UNSAFE	(-2)	/* refused: `why` says what is wrong */

/*
 * Open `path` read-only and close-on-exec, refusing a symbolic link as
 * the last component, anything but a regular file, and a file or
 * directory that others could change.  Returns the descriptor, or
 * SAFEFILE_ERR / SAFEFILE_UNSAFE with `why` ("writable by group or
 * others (mode 0777)").
 */
int	safefile_open(const char *path, char *why, size_t len);

#endif
