/*
 * conf.h: carpd.conf(5).  A file becomes a struct config (globals and a
 * list of complete vhid settings); errors name the file and the line.
 * The command line produces the same struct with a single vhid.
 */
#ifndef CARPD_CONF_H
#define CARPD_CONF_H

#include <stdio.h>

#include "options.h"

struct config {
	struct carpd_global	 g;
	struct vhid_config	*vhids;
	unsigned		*lines;		/* where each vhid was defined */
	char			**files;	/* in which file (include) */
	size_t			 nvhids;
};

/*
 * Returns 0, or -1 with `err` as "FILE:LINE: what is wrong", followed by
 * " (included from FILE:LINE)" for each include it is in.
 */
int	config_load(const char *path, const struct carpd_options *,
	    struct config *, char *err, size_t errlen);
/*
 * The same from memory; `name` stands for the file in messages.  There
 * is no file to include others from: `include` is an error.
 */
int	config_parse(const char *buf, size_t len, const char *name,
	    bool exposed, const struct carpd_options *, struct config *,
	    char *err, size_t errlen);
/* The command line's single vhid. */
void	config_from_options(const struct carpd_options *, struct config *);
void	config_free(struct config *);
/* The normalized form, which config_load reads back to the same config. */
void	config_print(FILE *, const struct config *);

#endif
