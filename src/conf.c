/*
 * conf.c: the configuration file, carpd.conf(5).
 *
 *	# top level: global settings, interface blocks, vhid blocks
 *	facility daemon
 *	interface eth0 {
 *		passfile /etc/carpd/eth0.pass	# a default for the vhids below
 *		vhid 1 { addr 192.0.2.10/24; preempt }
 *		vhid 2 { addr 192.0.2.11/24; advskew 100 }
 *	}
 *	vhid 3 { interface eth1; addr 198.51.100.10/24; passfile /etc/p }
 *
 * Keywords are the long names of the command-line options and are
 * checked by the same code (options.c).  A statement ends at a newline,
 * a ';' or a '}'.  Strings may be quoted with "" (\" and \\ inside).
 */
#include "config.h"

#include <sys/stat.h>
#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "conf.h"
#include "demote.h"
#include "log.h"
#include "safefile.h"
#include "util.h"
#include "vhid_config.h"

#define CONF_MAX_SIZE	(1 << 20)
#define CONF_MAX_VHIDS	4096
/* Files open at once: the main one and the includes it nests. */
#define CONF_MAX_DEPTH	8

enum tok { T_EOF, T_WORD, T_OPEN, T_CLOSE, T_END, T_ERROR };

struct parser {
	const char		*path;
	const char		*p;
	const char		*end;
	unsigned		 line;
	unsigned		 tok_line;
	char			 word[1024];
	bool			 peeked;
	enum tok		 peek;
	char			*err;
	size_t			 errlen;
	bool			 exposed;	/* others may read the file */
	struct config		*cf;
	const struct parser	*up;		/* the file including this one */
	unsigned		 depth;		/* 1: the main file */
	dev_t			 dev;		/* this file, for cycles */
	ino_t			 ino;
	bool			 from_file;	/* else no include */
};

static int
perr(struct parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
perr(struct parser *ps, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = snprintf(ps->err, ps->errlen, "%s:%u: %s", ps->path, ps->tok_line,
	    msg);
	for (const struct parser *q = ps->up; q != NULL && n >= 0 &&
	    (size_t)n < ps->errlen; q = q->up)
		n += snprintf(ps->err + n, ps->errlen - (size_t)n,
		    " (included from %s:%u)", q->path, q->tok_line);
	return -1;
}

static enum tok
lex_string(struct parser *ps)
{
	size_t n = 0;

	for (ps->p++; ps->p < ps->end && *ps->p != '"'; ps->p++) {
		char c = *ps->p;

		if (c == '\n') {
			perr(ps, "unterminated string");
			return T_ERROR;
		}
		if (c == '\\' && ps->p + 1 < ps->end &&
		    (ps->p[1] == '"' || ps->p[1] == '\\'))
			c = *++ps->p;
		if (n + 1 >= sizeof(ps->word)) {
			perr(ps, "string longer than %zu characters",
			    sizeof(ps->word) - 1);
			return T_ERROR;
		}
		ps->word[n++] = c;
	}
	if (ps->p >= ps->end) {
		perr(ps, "unterminated string");
		return T_ERROR;
	}
	ps->p++;
	ps->word[n] = '\0';
	return T_WORD;
}

static enum tok
lex(struct parser *ps)
{
	size_t n = 0;

	for (;;) {
		while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
		    *ps->p == '\r'))
			ps->p++;
		if (ps->p < ps->end && *ps->p == '#')
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
		break;
	}
	ps->tok_line = ps->line;
	if (ps->p >= ps->end)
		return T_EOF;
	switch (*ps->p) {
	case '\n':
		ps->p++;
		ps->line++;
		return T_END;
	case ';':
		ps->p++;
		return T_END;
	case '{':
		ps->p++;
		return T_OPEN;
	case '}':
		ps->p++;
		return T_CLOSE;
	case '"':
		return lex_string(ps);
	}
	while (ps->p < ps->end && *ps->p != '\0' &&
	    !strchr(" \t\r\n;{}#\"", *ps->p)) {
		if (!isprint((unsigned char)*ps->p)) {
			perr(ps, "unexpected byte 0x%02x", (unsigned char)*ps->p);
			return T_ERROR;
		}
		if (n + 1 >= sizeof(ps->word)) {
			perr(ps, "word longer than %zu characters",
			    sizeof(ps->word) - 1);
			return T_ERROR;
		}
		ps->word[n++] = *ps->p++;
	}
	if (n == 0) {	/* a NUL byte */
		perr(ps, "unexpected byte 0x%02x", (unsigned char)*ps->p);
		return T_ERROR;
	}
	ps->word[n] = '\0';
	return T_WORD;
}

static enum tok
next(struct parser *ps)
{
	if (ps->peeked) {
		ps->peeked = false;
		return ps->peek;
	}
	return lex(ps);
}

static enum tok
peek(struct parser *ps)
{
	if (!ps->peeked) {
		ps->peek = lex(ps);
		ps->peeked = true;
	}
	return ps->peek;
}

/* A statement ends at a newline or ';', or just before a '}'. */
static int
expect_end(struct parser *ps, const char *kw)
{
	enum tok t = peek(ps);

	if (t == T_CLOSE || t == T_EOF)
		return 0;
	if (t == T_ERROR)
		return -1;
	next(ps);
	if (t != T_END)
		return perr(ps, "%s: unexpected \"%s\" after the value", kw,
		    t == T_WORD ? ps->word : t == T_OPEN ? "{" : "?");
	return 0;
}

static const char *
allowed_keywords(unsigned scope)
{
	static char	buf[1024];
	size_t		n = 0;

	buf[0] = '\0';
	for (const char *const *k = (const char *const[]){ "include",
	    "interface", "vhid", "balance", NULL }; *k != NULL &&
	    scope == OPT_GLOBAL; k++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    n ? ", " : "", *k);
	/* The option table is the list. */
	for (const struct opt_def *d = opt_first(); d != NULL; d = opt_next(d))
		if ((d->scope & scope) && n < sizeof(buf))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
			    n ? ", " : "", d->name);
	return buf;
}

/* One `keyword [value]` statement in a vhid or interface block. */
static int
parse_setting(struct parser *ps, const char *kw, unsigned scope,
    struct vhid_config *vc, struct carpd_global *g)
{
	const struct opt_def	*d = opt_by_name(kw);
	char			 msg[400];
	char			*arg = NULL;
	int			 rc;

	if (d == NULL || !(d->scope & scope))
		return perr(ps, "unknown setting \"%s\"; allowed here: %s", kw,
		    allowed_keywords(scope));
	if (peek(ps) == T_ERROR)
		return -1;		/* the lexer's message stands */
	if (peek(ps) == T_WORD) {
		next(ps);
		arg = xstrdup(ps->word);
	} else if (d->has_arg) {
		return perr(ps, "%s needs a value", kw);
	}
	rc = opt_apply(d, arg, vc, g, msg, sizeof(msg));
	if (arg != NULL) {
		explicit_bzero(arg, strlen(arg));
		free(arg);
	}
	if (rc == -1)
		return perr(ps, "%s: %s", kw, msg);
	if (strcmp(kw, "pass") == 0 && ps->exposed)
		return perr(ps, "pass: the file is readable by other users; "
		    "chmod 600 it or use passfile");
	if (strcmp(kw, "passfile") == 0 && passfile_exposed(vc->passfile) == 1)
		return perr(ps, "passfile: \"%s\" is readable by other users; "
		    "chmod 600 it", vc->passfile);
	return expect_end(ps, kw);
}

/* Does the vhid of `vc` stand in cf->vhids[i]'s place? */
static bool
same_vhid(const struct vhid_config *a, const struct vhid_config *b)
{
	return a->vhid == b->vhid && strcmp(a->ifname, b->ifname) == 0;
}

static int
add_vhid(struct parser *ps, struct vhid_config *vc, unsigned line)
{
	struct config	*cf = ps->cf;
	char		 msg[256];

	ps->tok_line = line;
	if (vc->ifname[0] == '\0')
		return perr(ps, "%s%u has no interface: put it inside an "
		    "interface block or give \"interface NAME\"",
		    vc->nnodes > 0 ? "balance: node " : "vhid ", vc->vhid);
	if (vhid_config_complete(vc, msg, sizeof(msg)) == -1)
		return perr(ps, "%s", msg);
	for (size_t i = 0; i < cf->nvhids; i++)
		if (same_vhid(&cf->vhids[i], vc))
			return strcmp(cf->files[i], ps->path) == 0 ?
			    perr(ps, "%svhid %u on %s is already defined at "
			    "line %u%s", vc->nnodes > 0 ? "carpnodes: " : "",
			    vc->vhid, vc->ifname, cf->lines[i],
			    cf->vhids[i].nnodes > 0 ? " (carpnodes)" : "") :
			    perr(ps, "%svhid %u on %s is already defined at "
			    "%s:%u%s", vc->nnodes > 0 ? "carpnodes: " : "",
			    vc->vhid, vc->ifname, cf->files[i], cf->lines[i],
			    cf->vhids[i].nnodes > 0 ? " (carpnodes)" : "");
	if (cf->nvhids == CONF_MAX_VHIDS)
		return perr(ps, "more than %d vhids", CONF_MAX_VHIDS);
	cf->vhids = reallocarray(cf->vhids, cf->nvhids + 1, sizeof(*cf->vhids));
	cf->lines = reallocarray(cf->lines, cf->nvhids + 1, sizeof(*cf->lines));
	cf->files = reallocarray(cf->files, cf->nvhids + 1, sizeof(*cf->files));
	if (cf->vhids == NULL || cf->lines == NULL || cf->files == NULL)
		fatal("reallocarray");
	cf->vhids[cf->nvhids] = *vc;		/* takes the strings */
	cf->files[cf->nvhids] = xstrdup(ps->path);
	cf->lines[cf->nvhids++] = line;
	memset(vc, 0, sizeof(*vc));
	return 0;
}

/* A balance block: one vhid per node (doc/protocol.md, ARP balancing). */
static int
add_balance(struct parser *ps, struct vhid_config *bal, unsigned line)
{
	struct vhid_config n;

	if (bal->nnodes == 0) {
		ps->tok_line = line;
		return perr(ps, "balance needs carpnodes VHID:ADVSKEW,... "
		    "(such as 1:0,2:100,3:100)");
	}
	for (size_t i = 0; i < bal->nnodes; i++) {
		vhid_config_node(&n, bal, i);
		if (add_vhid(ps, &n, line) == -1) {
			vhid_config_clear(&n);
			return -1;
		}
	}
	return 0;
}

/*
 * The statements of a vhid or balance block, up to its "}".  `what`
 * names the block in messages; only a balance block takes carpnodes.
 */
static int
parse_body(struct parser *ps, struct vhid_config *vc,
    const struct vhid_config *tmpl, bool nested, const char *what)
{
	bool	own_peers = false, balance = strcmp(what, "balance") == 0;
	enum tok t;

	while ((t = next(ps)) != T_CLOSE) {
		char kw[sizeof(ps->word)];

		if (t == T_END)
			continue;
		if (t != T_WORD) {
			if (t != T_ERROR)
				perr(ps, "%s: missing \"}\"", what);
			return -1;
		}
		if (nested && strcmp(ps->word, "interface") == 0)
			return perr(ps, "%s is inside the block of interface "
			    "%s: no interface setting here", what, tmpl->ifname);
		if (balance && (strcmp(ps->word, "advskew") == 0 ||
		    strcmp(ps->word, "mac") == 0))
			return perr(ps, "%s is not a setting of a balance "
			    "block: %s", ps->word, ps->word[0] == 'a' ?
			    "each node's advskew is in carpnodes" :
			    "every node has its virtual MAC");
		if (!balance && strcmp(ps->word, "carpnodes") == 0)
			return perr(ps, "carpnodes belongs in a balance block "
			    "(balance { addr ADDR; carpnodes 1:0,2:100 }), "
			    "not in %s", what);
		memcpy(kw, ps->word, sizeof(kw));
		/* The vhid's own peers replace the interface's, not add. */
		if (strcmp(kw, "peer") == 0 && !own_peers) {
			own_peers = true;
			vc->npeers = 0;
		}
		if (parse_setting(ps, kw, OPT_VHID, vc, NULL) == -1)
			return -1;
	}
	return 0;
}

static int
parse_vhid(struct parser *ps, const struct vhid_config *tmpl, bool nested)
{
	struct vhid_config	vc;
	char			msg[256], what[16];
	unsigned		line = ps->tok_line;
	const struct opt_def	*vd = opt_by_name("vhid");
	enum tok		t;

	vhid_config_copy(&vc, tmpl);
	if ((t = next(ps)) != T_WORD)
		goto fail_number;
	if (opt_apply(vd, ps->word, &vc, NULL, msg, sizeof(msg)) == -1) {
		perr(ps, "vhid: %s", msg);
		goto fail;
	}
	if ((t = next(ps)) != T_OPEN) {
		if (t != T_ERROR)
			perr(ps, "vhid %u: expected \"{\"", vc.vhid);
		goto fail;
	}
	snprintf(what, sizeof(what), "vhid %u", vc.vhid);
	if (parse_body(ps, &vc, tmpl, nested, what) == -1 ||
	    add_vhid(ps, &vc, line) == -1)
		goto fail;
	return expect_end(ps, "}");
fail_number:
	if (t != T_ERROR)
		perr(ps, "vhid needs a number from 1 to 255");
fail:
	/* After the message: it may name the vhid. */
	vhid_config_clear(&vc);
	return -1;
}

static int
parse_balance(struct parser *ps, const struct vhid_config *tmpl, bool nested)
{
	struct vhid_config	bal;
	unsigned		line = ps->tok_line;
	enum tok		t;
	int			rc = -1;

	vhid_config_copy(&bal, tmpl);
	if ((t = next(ps)) != T_OPEN) {
		if (t != T_ERROR)
			perr(ps, "balance: expected \"{\"");
	} else if (parse_body(ps, &bal, tmpl, nested, "balance") == 0 &&
	    add_balance(ps, &bal, line) == 0)
		rc = expect_end(ps, "}");
	vhid_config_clear(&bal);
	return rc;
}

static int
parse_interface(struct parser *ps, const struct vhid_config *defaults)
{
	struct vhid_config	tmpl;
	char			msg[256];
	const struct opt_def	*id = opt_by_name("interface");
	enum tok		t;
	int			rc = -1;

	vhid_config_copy(&tmpl, defaults);
	if (next(ps) != T_WORD) {
		perr(ps, "interface needs a name");
		goto out;
	}
	if (opt_apply(id, ps->word, &tmpl, NULL, msg, sizeof(msg)) == -1) {
		perr(ps, "interface: %s", msg);
		goto out;
	}
	if (next(ps) != T_OPEN) {
		perr(ps, "interface %s: expected \"{\"", tmpl.ifname);
		goto out;
	}
	while ((t = next(ps)) != T_CLOSE) {
		char kw[sizeof(ps->word)];

		if (t == T_END)
			continue;
		if (t != T_WORD) {
			if (t != T_ERROR)
				perr(ps, "interface %s: missing \"}\"", tmpl.ifname);
			goto out;
		}
		if (strcmp(ps->word, "vhid") == 0 ||
		    strcmp(ps->word, "balance") == 0) {
			if ((ps->word[0] == 'v' ? parse_vhid(ps, &tmpl, true) :
			    parse_balance(ps, &tmpl, true)) == -1)
				goto out;
			continue;
		}
		if (strcmp(ps->word, "addr") == 0 || strcmp(ps->word, "interface") == 0 ||
		    strcmp(ps->word, "carpnodes") == 0) {
			perr(ps, "%s belongs in a %s block", ps->word,
			    ps->word[0] == 'c' ? "balance" : "vhid or balance");
			goto out;
		}
		memcpy(kw, ps->word, sizeof(kw));
		if (parse_setting(ps, kw, OPT_VHID, &tmpl, NULL) == -1)
			goto out;
	}
	rc = expect_end(ps, "}");
out:
	vhid_config_clear(&tmpl);
	return rc;
}

static int	parse_include(struct parser *);

static int
parse_file(struct parser *ps)
{
	struct vhid_config	defaults;
	enum tok		t;
	int			rc = 0;

	vhid_config_defaults(&defaults);
	while (rc == 0 && (t = next(ps)) != T_EOF) {
		char kw[sizeof(ps->word)];

		if (t == T_END)
			continue;
		if (t == T_ERROR) {
			rc = -1;
			break;
		}
		if (t != T_WORD) {
			rc = perr(ps, "unexpected \"%s\"", t == T_OPEN ? "{" : "}");
			break;
		}
		if (strcmp(ps->word, "include") == 0)
			rc = parse_include(ps);
		else if (strcmp(ps->word, "interface") == 0)
			rc = parse_interface(ps, &defaults);
		else if (strcmp(ps->word, "vhid") == 0)
			rc = parse_vhid(ps, &defaults, false);
		else if (strcmp(ps->word, "balance") == 0)
			rc = parse_balance(ps, &defaults, false);
		else {
			memcpy(kw, ps->word, sizeof(kw));
			rc = parse_setting(ps, kw, OPT_GLOBAL, NULL, &ps->cf->g);
		}
	}
	vhid_config_clear(&defaults);
	return rc;
}

static char *
read_file(const char *path, size_t *len, bool *exposed, struct stat *stp,
    char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf, why[PATH_MAX + 128];
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd;

	if ((fd = safefile_open(path, why, sizeof(why))) < 0) {
		snprintf(err, errlen, fd == SAFEFILE_UNSAFE ? "%s: %s" :
		    "%s: cannot read: %s", path, why);
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONF_MAX_SIZE) {
		snprintf(err, errlen, "%s: not a regular file of at most %d "
		    "bytes", path, CONF_MAX_SIZE);
		close(fd);
		return NULL;
	}
	*exposed = (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		fatal("malloc");
	/*
	 * Read to the end of the file, one byte past the size fstat gave:
	 * a file that is shorter or longer by then is being rewritten, and
	 * half of it is no configuration to run with.
	 */
	for (;;) {
		n = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || (got += (size_t)n) > (size_t)st.st_size)
			break;
	}
	if (n == -1)
		snprintf(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
	else if (got < (size_t)st.st_size)
		snprintf(err, errlen, "%s: read only %zu of its %lld bytes "
		    "(is it being rewritten?)", path, got,
		    (long long)st.st_size);
	else if (got > (size_t)st.st_size)
		snprintf(err, errlen, "%s: holds more than the %lld bytes its "
		    "size says (is it being rewritten?)", path,
		    (long long)st.st_size);
	close(fd);
	if (n == -1 || got != (size_t)st.st_size) {
		explicit_bzero(buf, got);
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	*len = got;
	*stp = st;
	return buf;
}

/* An included file, parsed into the same configuration. */
static int
include_file(struct parser *ps, const char *path)
{
	struct parser	 in;
	struct stat	 st;
	char		*buf, why[PATH_MAX + 256];
	size_t		 len;
	bool		 exposed;
	int		 rc;

	if (ps->depth >= CONF_MAX_DEPTH)
		return perr(ps, "include %s: more than %d files nested",
		    path, CONF_MAX_DEPTH);
	if ((buf = read_file(path, &len, &exposed, &st, why,
	    sizeof(why))) == NULL)
		return perr(ps, "include: %s", why);
	for (const struct parser *q = ps; q != NULL; q = q->up)
		if (q->dev == st.st_dev && q->ino == st.st_ino) {
			explicit_bzero(buf, len);
			free(buf);
			return perr(ps, "include %s: a cycle: %s is being read "
			    "already", path, q->path);
		}
	memset(&in, 0, sizeof(in));
	in.exposed = exposed;
	in.path = path;
	in.p = buf;
	in.end = buf + len;
	in.line = 1;
	in.err = ps->err;
	in.errlen = ps->errlen;
	in.cf = ps->cf;
	in.up = ps;
	in.depth = ps->depth + 1;
	in.dev = st.st_dev;
	in.ino = st.st_ino;
	in.from_file = true;
	rc = parse_file(&in);
	explicit_bzero(buf, len);
	free(buf);
	return rc;
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * include PATTERN: a file, or a glob(3) pattern whose files are read in
 * the order of their names; a pattern matching nothing is no error, a
 * file that is not there is.  Relative to the including file's directory.
 */
static int
parse_include(struct parser *ps)
{
	const char	*slash = strrchr(ps->path, '/');
	char		 pattern[PATH_MAX];
	glob_t		 g;
	int		 n, rc = 0;

	if (!ps->from_file)
		return perr(ps, "include: only in a configuration file");
	if (next(ps) != T_WORD)
		return perr(ps, "include needs a file name or a pattern");
	if (ps->word[0] == '/' || slash == NULL)
		n = snprintf(pattern, sizeof(pattern), "%s", ps->word);
	else
		n = snprintf(pattern, sizeof(pattern), "%.*s/%s",
		    (int)(slash - ps->path), ps->path, ps->word);
	if (n < 0 || (size_t)n >= sizeof(pattern))
		return perr(ps, "include: a path longer than %d bytes",
		    PATH_MAX - 1);
	if (expect_end(ps, "include") == -1)
		return -1;
	if (strpbrk(pattern, "*?[") == NULL)
		return include_file(ps, pattern);
	memset(&g, 0, sizeof(g));
	switch (glob(pattern, 0, NULL, &g)) {
	case 0:
		break;
	case GLOB_NOMATCH:
		return 0;
	case GLOB_NOSPACE:
		fatalx("glob: out of memory");
	default:
		globfree(&g);
		return perr(ps, "include %s: cannot read its directory",
		    pattern);
	}
	/* Byte order, whatever the locale. */
	qsort(g.gl_pathv, g.gl_pathc, sizeof(*g.gl_pathv), cmp_path);
	for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++)
		rc = include_file(ps, g.gl_pathv[i]);
	globfree(&g);
	return rc;
}

/* Is some vhid in `group` (its interface's, carp, or a demote-group)? */
static bool
group_used(const struct config *cf, const char *group)
{
	if (strcmp(group, DEMOTE_ALL) == 0)
		return cf->nvhids > 0;
	for (size_t i = 0; i < cf->nvhids; i++) {
		const struct vhid_config *v = &cf->vhids[i];

		if (strcmp(v->ifname, group) == 0)
			return true;
		for (size_t j = 0; j < v->ngroups; j++)
			if (strcmp(v->groups[j], group) == 0)
				return true;
	}
	return false;
}

/* A track for a group that no vhid is in would demote nothing. */
static int
check_track_groups(const struct config *cf, const char *name, char *err,
    size_t errlen)
{
	for (size_t i = 0; i < cf->g.ntracks; i++) {
		const struct track_def *t = &cf->g.tracks[i];

		if (group_used(cf, t->group))
			continue;
		snprintf(err, errlen, "%s: track-%s %s,%s: no vhid is in "
		    "group \"%s\" (a vhid is in " DEMOTE_ALL ", its "
		    "interface's group and its demote-group ones)", name,
		    t->file ? "file" : "script", t->group, t->path, t->group);
		return -1;
	}
	return 0;
}

static bool
has_vip(const struct vhid_config *v, struct in_addr a)
{
	for (size_t k = 0; k < v->nvips; k++)
		if (v->vips[k].s_addr == a.s_addr)
			return true;
	return false;
}

/* The nodes of one balance block: defined at the same place. */
static bool
same_block(const struct config *cf, size_t i, size_t j)
{
	return cf->vhids[i].nnodes > 0 && cf->vhids[j].nnodes > 0 &&
	    cf->lines[i] == cf->lines[j] &&
	    strcmp(cf->files[i], cf->files[j]) == 0;
}

static bool
has_vip6(const struct vhid_config *v, const struct in6_addr *a)
{
	for (size_t k = 0; k < v->nvips6; k++)
		if (memcmp(&v->vips6[k], a, sizeof(*a)) == 0)
			return true;
	return false;
}

/* Address k of b (the IPv4 ones, then the IPv6 ones) on vhid o too? */
static bool
shares_vip(const struct vhid_config *b, size_t k, const struct vhid_config *o,
    char *a, size_t alen)
{
	if (k < b->nvips) {
		inet_ntop(AF_INET, &b->vips[k], a, (socklen_t)alen);
		return has_vip(o, b->vips[k]);
	}
	inet_ntop(AF_INET6, &b->vips6[k - b->nvips], a, (socklen_t)alen);
	return has_vip6(o, &b->vips6[k - b->nvips]);
}

/* The balanced addresses of `ifname` (each once), as the ARP filter has. */
static size_t
count_balanced(const struct config *cf, const char *ifname)
{
	size_t n = 0;

	for (size_t i = 0; i < cf->nvhids; i++) {
		const struct vhid_config *b = &cf->vhids[i];

		if (b->nnodes > 0 && b->vhid == b->nodes[0].vhid &&
		    strcmp(b->ifname, ifname) == 0)
			n += b->nvips + b->nvips6; /* each once: check_balanced */
	}
	return n;
}

/*
 * A balanced address belongs to its nodes alone: another vhid on the
 * interface with it would answer ARP for it with its own MAC.
 */
static int
check_balanced(const struct config *cf, char *err, size_t errlen)
{
	for (size_t i = 0; i < cf->nvhids; i++) {
		const struct vhid_config *b = &cf->vhids[i];
		size_t n;

		if (b->nnodes > 0 &&
		    (n = count_balanced(cf, b->ifname)) > CARPD_MAX_BALANCED) {
			snprintf(err, errlen, "%s:%u: %zu balanced addresses on "
			    "%s: at most %d per interface", cf->files[i],
			    cf->lines[i], n, b->ifname, CARPD_MAX_BALANCED);
			return -1;
		}
	}
	for (size_t i = 0; i < cf->nvhids; i++) {
		const struct vhid_config *b = &cf->vhids[i];

		for (size_t k = 0; b->nnodes > 0 && k < b->nvips + b->nvips6;
		    k++)
			for (size_t j = 0; j < cf->nvhids; j++) {
				const struct vhid_config *o = &cf->vhids[j];
				char a[INET6_ADDRSTRLEN], where[64];

				if (same_block(cf, i, j) ||
				    strcmp(o->ifname, b->ifname) != 0 ||
				    !shares_vip(b, k, o, a, sizeof(a)))
					continue;
				if (strcmp(cf->files[i], cf->files[j]) == 0)
					snprintf(where, sizeof(where), "line %u",
					    cf->lines[i]);
				else
					snprintf(where, sizeof(where), "%s:%u",
					    cf->files[i], cf->lines[i]);
				snprintf(err, errlen, "%s:%u: address %s is "
				    "balanced over carpnodes (%s) and is "
				    "also an address of vhid %u on %s: a "
				    "balanced address belongs to its nodes "
				    "only", cf->files[j], cf->lines[j], a, where,
				    o->vhid, o->ifname);
				return -1;
			}
	}
	return 0;
}

static int
parse_config(const char *buf, size_t len, const char *name, bool exposed,
    const struct stat *st, const struct carpd_options *o, struct config *cf,
    char *err, size_t errlen)
{
	struct parser	ps;
	int		rc;

	memset(cf, 0, sizeof(*cf));
	global_defaults(&cf->g);
	memset(&ps, 0, sizeof(ps));
	ps.depth = 1;
	if (st != NULL) {
		ps.dev = st->st_dev;
		ps.ino = st->st_ino;
		ps.from_file = true;
	}
	ps.exposed = exposed;
	ps.path = name;
	ps.p = buf;
	ps.end = buf + len;
	ps.line = 1;
	ps.err = err;
	ps.errlen = errlen;
	ps.cf = cf;
	rc = parse_file(&ps);
	if (rc == 0 && cf->nvhids == 0) {
		snprintf(err, errlen, "%s: no vhid is defined", name);
		rc = -1;
	}
	/* Global options on the command line win over the file. */
	for (size_t i = 0; rc == 0 && o != NULL && i < o->ncli_globals; i++) {
		char msg[256];

		if (opt_apply(o->cli_globals[i].def, o->cli_globals[i].arg,
		    NULL, &cf->g, msg, sizeof(msg)) == -1) {
			snprintf(err, errlen, "%s", msg);
			rc = -1;
		}
	}
	if (rc == 0)
		rc = check_balanced(cf, err, errlen);
	if (rc == 0)
		rc = check_track_groups(cf, name, err, errlen);
	if (rc == 0 && cf->g.control_path == NULL)
		cf->g.control_path = xstrdup(CARPD_CONTROL_SOCKET);
	if (rc == -1)
		config_free(cf);
	return rc;
}

int
config_parse(const char *buf, size_t len, const char *name, bool exposed,
    const struct carpd_options *o, struct config *cf, char *err,
    size_t errlen)
{
	return parse_config(buf, len, name, exposed, NULL, o, cf, err, errlen);
}

int
config_load(const char *path, const struct carpd_options *o,
    struct config *cf, char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf;
	size_t		 len;
	bool		 exposed;
	int		 rc;

	memset(cf, 0, sizeof(*cf));
	if ((buf = read_file(path, &len, &exposed, &st, err, errlen)) == NULL)
		return -1;
	rc = parse_config(buf, len, path, exposed, &st, o, cf, err, errlen);
	explicit_bzero(buf, len);
	free(buf);
	return rc;
}

void
config_from_options(const struct carpd_options *o, struct config *cf)
{
	memset(cf, 0, sizeof(*cf));
	cf->g = o->g;
	cf->g.pidfile = o->g.pidfile ? xstrdup(o->g.pidfile) : NULL;
	cf->g.control_path = o->g.control_path ?
	    xstrdup(o->g.control_path) : NULL;
	cf->g.user = o->g.user ? xstrdup(o->g.user) : NULL;
	cf->g.script_user = o->g.script_user ? xstrdup(o->g.script_user) : NULL;
	for (size_t i = 0; i < cf->g.ntracks; i++)
		cf->g.tracks[i].path = xstrdup(o->g.tracks[i].path);
	cf->g.notify_fifo = o->g.notify_fifo ? xstrdup(o->g.notify_fifo) :
	    NULL;
	cf->nvhids = o->vc.nnodes > 0 ? o->vc.nnodes : 1;
	if ((cf->vhids = calloc(cf->nvhids, sizeof(*cf->vhids))) == NULL ||
	    (cf->lines = calloc(cf->nvhids, sizeof(*cf->lines))) == NULL ||
	    (cf->files = calloc(cf->nvhids, sizeof(*cf->files))) == NULL)
		fatal("calloc");
	if (o->vc.nnodes == 0)
		vhid_config_copy(&cf->vhids[0], &o->vc);
	for (size_t i = 0; i < o->vc.nnodes; i++)
		vhid_config_node(&cf->vhids[i], &o->vc, i);
}

void
config_free(struct config *cf)
{
	for (size_t i = 0; i < cf->nvhids; i++) {
		vhid_config_clear(&cf->vhids[i]);
		if (cf->files != NULL)
			free(cf->files[i]);
	}
	free(cf->vhids);
	free(cf->lines);
	free(cf->files);
	global_free(&cf->g);
	memset(cf, 0, sizeof(*cf));
}

/* Quote a value when the lexer would not read it back as one word. */
static void
print_value(FILE *f, const char *s)
{
	bool quote = *s == '\0';

	for (const char *p = s; *p != '\0' && !quote; p++)
		quote = !isgraph((unsigned char)*p) || strchr(";{}#\"\\", *p);
	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
print_kv(FILE *f, const char *indent, const char *k, const char *v)
{
	fprintf(f, "%s%s ", indent, k);
	print_value(f, v);
	fputc('\n', f);
}

static const char *
yesno(bool b)
{
	return b ? "yes" : "no";
}

/* A balance block's nodes: "1:0,2:100,3:100". */
static void
print_nodes(FILE *f, const struct vhid_config *v)
{
	fputs("\tcarpnodes ", f);
	for (size_t k = 0; k < v->nnodes; k++)
		fprintf(f, "%s%u:%u", k ? "," : "", v->nodes[k].vhid,
		    v->nodes[k].advskew);
	fputc('\n', f);
}

static void
print_vhid(FILE *f, const struct vhid_config *v)
{
	static const char *const fmts[] = { "auto", "ucarp", "openbsd" };
	char a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN];
	bool bal = v->nnodes > 0;

	if (bal && v->vhid != v->nodes[0].vhid)
		return;		/* printed with its first node */
	if (bal)
		fprintf(f, "\nbalance {\n");
	else
		fprintf(f, "\nvhid %u {\n", v->vhid);
	print_kv(f, "\t", "interface", v->ifname);
	if (bal)
		print_nodes(f, v);
	if (v->src.s_addr != INADDR_ANY)
		fprintf(f, "\tsrcip %s\n", inet_ntop(AF_INET, &v->src, a, sizeof(a)));
	if (!IN6_IS_ADDR_UNSPECIFIED(&v->src6))
		fprintf(f, "\tsrcip %s\n", inet_ntop(AF_INET6, &v->src6, a,
		    sizeof(a)));
	/* The IPv4 settings of an IPv6-only vhid would not read back. */
	if (v->nvips > 0 || v->nvips6 == 0) {
		fprintf(f, "\tmcast %s\n", inet_ntop(AF_INET, &v->group, a,
		    sizeof(a)));
		fprintf(f, "\tnomcast %s\n", yesno(v->broadcast));
	}
	if (v->nvips6 > 0)
		fprintf(f, "\tmcast %s\n", inet_ntop(AF_INET6, &v->group6, a,
		    sizeof(a)));
	for (size_t i = 0; i < v->nvips; i++) {
		fprintf(f, "\taddr %s", inet_ntop(AF_INET, &v->vips[i], a, sizeof(a)));
		if (v->prefix[i])
			fprintf(f, "/%u", v->prefix[i]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < v->nvips6; i++) {
		fprintf(f, "\taddr %s", inet_ntop(AF_INET6, &v->vips6[i], a,
		    sizeof(a)));
		if (v->prefix6[i])
			fprintf(f, "/%u", v->prefix6[i]);
		fputc('\n', f);
	}
	fprintf(f, "\tadvbase %u\n", v->advbase);
	if (!bal)
		fprintf(f, "\tadvskew %u\n", v->advskew);
	fprintf(f, "\tdeadratio %u\n\tdown-formula %s\n", v->deadratio,
	    fmts[v->downfmt]);
	fprintf(f, "\tpreempt %s\n\tneutral %s\n\tshutdown %s\n"
	    "\tignoreifstate %s\n", yesno(v->preempt), yesno(v->neutral),
	    yesno(v->shutdown_script), yesno(v->ignoreifstate));
	if (v->passfile != NULL)
		print_kv(f, "\t", "passfile", v->passfile);
	else
		fprintf(f, "\t# pass: given inline (%zu characters, not shown)\n",
		    v->keylen);
	if (v->upscript != NULL)
		print_kv(f, "\t", "upscript", v->upscript);
	if (v->downscript != NULL)
		print_kv(f, "\t", "downscript", v->downscript);
	if (v->xparam != NULL)
		print_kv(f, "\t", "xparam", v->xparam);
	fprintf(f, "\tgarp-repeat %u\n\tgarp-interval %u\n", v->garp_repeat,
	    v->garp_interval_ms);
	if (v->garp_delay_ms < 0)
		fprintf(f, "\tgarp-delay auto\n");
	else
		fprintf(f, "\tgarp-delay %ld\n", v->garp_delay_ms);
	fprintf(f, "\tgarp-refresh %u\n", v->garp_refresh_s);
	for (size_t i = 0; i < v->ngroups; i++)
		fprintf(f, "\tdemote-group %s\n", v->groups[i]);
	fprintf(f, "\tdemote-advskew %s\n\tpreempt-delay %u\n",
	    v->demote_skew == FSM_SKEW_OFF ? "no" :
	    v->demote_skew == FSM_SKEW_ADD ? "add" : "max",
	    v->preempt_delay_s);
	if (v->syncgroup[0] != '\0')
		fprintf(f, "\tsync-group %s\n", v->syncgroup);
	for (size_t i = 0; i < v->npeers; i++)
		fprintf(f, "\tpeer %s\n", vhid_peer_ntop(&v->peers[i], p,
		    sizeof(p)));
	if (v->npeers > 0)
		fprintf(f, "\tpeer-routed %s\n", yesno(v->peer_routed));
	if (bal)
		fputs("}\n", f);
	else
		fprintf(f, "\tmac %s\n}\n", v->vmac ? "virtual" : "real");
}

void
config_print(FILE *f, const struct config *cf)
{
	char rt[32];

	fprintf(f, "# carpd %s, normalized configuration\n", PACKAGE_VERSION);
	fprintf(f, "facility %s\ndebug %s\nscript-timeout %u\n"
	    "startup-demote %u\n", log_facility_name(cf->g.facility),
	    yesno(cf->g.debug), cf->g.script_timeout, cf->g.startup_demote_s);
	if (cf->g.ntracks > 0)
		fprintf(f, "track-interval %u\ntrack-timeout %u\ntrack-fall %u\n"
		    "track-rise %u\ntrack-weight %u\n", cf->g.track_interval,
		    cf->g.track_timeout, cf->g.track_fall, cf->g.track_rise,
		    cf->g.track_weight);
	for (size_t i = 0; i < cf->g.ntracks; i++) {
		char *v = xasprintf("%s,%s", cf->g.tracks[i].group,
		    cf->g.tracks[i].path);

		print_kv(f, "", cf->g.tracks[i].file ? "track-file" :
		    "track-script", v);
		free(v);
	}
	if (cf->g.notify_fifo != NULL)
		print_kv(f, "", "notify-fifo", cf->g.notify_fifo);
	if (cf->g.pidfile != NULL)
		print_kv(f, "", "pidfile", cf->g.pidfile);
	if (cf->g.control_path != NULL)
		print_kv(f, "", "control-socket", cf->g.control_path);
	if (cf->g.user != NULL)
		print_kv(f, "", "user", cf->g.user);
	if (cf->g.script_user != NULL)
		print_kv(f, "", "script-user", cf->g.script_user);
	fprintf(f, "realtime %s\n", rt_name(&cf->g.rt, rt, sizeof(rt)));
	for (size_t i = 0; i < cf->nvhids; i++)
		print_vhid(f, &cf->vhids[i]);
}
