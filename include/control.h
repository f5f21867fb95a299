/*
 * control.h: the control socket.  A Unix-domain stream socket on which
 * carpctl(8) sends one command line; the daemon replies and closes.
 * Driven by the event loop; a client can never block it.
 */
#ifndef CARPD_CONTROL_H
#define CARPD_CONTROL_H

#include <sys/types.h>
#include <stddef.h>

/* The default path is CARPD_CONTROL_SOCKET in options.h. */
#define CONTROL_MODE		0600

struct carpd;
struct control;

/*
 * Listen on `path`, created with permissions `mode`.  A stale socket
 * (nothing answers on it) is replaced; a live one, or any other kind of
 * file, is an error.  NULL with `err` filled on failure.
 */
struct control	*control_open(struct carpd *, const char *path, mode_t mode,
		    char *err, size_t errlen);
/* Drop every client, stop listening and remove the socket. */
void		 control_close(struct control *);

#endif
