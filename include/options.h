/*
 * options.h: the command line.  One table drives getopt_long, --help
 * and (through tests/options.sh) the agreement with carpd(8).
 */
#ifndef CARPD_OPTIONS_H
#define CARPD_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "carpd.h"

struct carpd_options {
	struct vhid_config	vc;
	bool			daemonize;
	bool			debug;
	int			facility;
	unsigned		script_timeout;
	bool			pass_on_cmdline;
};

enum options_result {
	OPTIONS_RUN = 0,	/* start the daemon */
	OPTIONS_EXIT_OK,	/* --help or --version printed */
	OPTIONS_ERROR,		/* message printed to `err` */
};

enum options_result options_parse(int argc, char **argv,
		    struct carpd_options *, FILE *out, FILE *err);
void		options_usage(FILE *);

#endif
