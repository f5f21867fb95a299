/*
 * options.h: settings.  One table drives getopt_long, --help, the
 * keywords of carpd.conf(5) and (through tests) the agreement with the
 * man pages.  A vhid setting has the same name on the command line and
 * in the configuration file, and is checked by the same code.
 */
#ifndef CARPD_OPTIONS_H
#define CARPD_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "rt.h"
#include "vhid_config.h"

#define CARPD_CONFIG_FILE	"/etc/carpd.conf"
#define CARPD_CONTROL_SOCKET	"/run/carpd.sock"
#define CARPD_USER		"carpd"		/* the network process */
#define CARPD_USER_FALLBACK	"nobody"	/* when there is no CARPD_USER */
#define CARPD_SCRIPT_TIMEOUT	30		/* seconds, default */

/* Where a setting may appear. */
#define OPT_CLI		0x01	/* command line */
#define OPT_VHID	0x02	/* vhid (and interface) block, and the CLI vhid */
#define OPT_GLOBAL	0x04	/* top level of the file */

struct opt_def {
	const char	*name;
	int		 val;		/* short letter or OPT_* (>= 256) */
	int		 has_arg;
	const char	*arg;		/* argument name in --help */
	unsigned	 scope;
	const char	*help;
};

/* A track script or tracked file (track.h): "GROUP,PATH". */
#define CARPD_MAX_TRACKS	32
struct track_def {
	bool		 file;		/* track-file, else track-script */
	char		 group[16];	/* DEMOTE_NAME_LEN */
	char		*path;
};

/* Daemon-wide settings, from the command line or the top of the file. */
struct carpd_global {
	bool		 debug;
	int		 facility;
	unsigned	 script_timeout;
	unsigned	 startup_demote_s;	/* 0: none */
	struct track_def tracks[CARPD_MAX_TRACKS];
	size_t		 ntracks;
	unsigned	 track_interval;	/* seconds between runs */
	unsigned	 track_timeout;		/* seconds a run may take */
	unsigned	 track_fall;		/* failures to demote */
	unsigned	 track_rise;		/* successes to lift */
	unsigned	 track_weight;		/* demotion of a failing one */
	char		*notify_fifo;		/* notify.h, or NULL */
	char		*pidfile;
	char		*control_path;
	char		*user;		/* network process runs as */
	char		*script_user;	/* scripts run as */
	struct rt_config rt;		/* network process, read at start */
};

struct carpd_options {
	struct vhid_config	vc;		/* the command-line vhid */
	bool			vhid_given;	/* any vhid setting on the CLI */
	struct carpd_global	g;
	bool			daemonize;
	bool			pass_on_cmdline;
	bool			check;		/* -t */
	bool			dump;		/* -T */
	char			*config;	/* -c */
	/*
	 * Global settings given on the command line override the file's,
	 * at start and at every reload: all of them, in their order.
	 */
	struct cli_global {
		const struct opt_def	*def;
		const char		*arg;	/* points into argv */
	}			*cli_globals;
	size_t			ncli_globals;
};

enum options_result {
	OPTIONS_RUN = 0,	/* start the daemon */
	OPTIONS_EXIT_OK,	/* --help or --version printed */
	OPTIONS_ERROR,		/* message printed to `err` */
};

enum options_result options_parse(int argc, char **argv,
		    struct carpd_options *, FILE *out, FILE *err);
void		options_usage(FILE *);
void		options_free(struct carpd_options *);

/* 1 when other users may read `path`, 0 when not, -1 on error. */
int		passfile_exposed(const char *path);

void		global_defaults(struct carpd_global *);
void		global_free(struct carpd_global *);

const struct opt_def *opt_by_name(const char *name);
/* Walk the table: for (d = opt_first(); d != NULL; d = opt_next(d)) */
const struct opt_def *opt_first(void);
const struct opt_def *opt_next(const struct opt_def *);
/*
 * Apply one setting.  On error returns -1 with `msg` such as
 * `invalid value "300": allowed 0 to 254`.
 */
int		opt_apply(const struct opt_def *, const char *arg,
		    struct vhid_config *, struct carpd_global *, char *msg,
		    size_t len);

#endif
