/*
 * fuzz_config.c: libFuzzer target for carpd.conf(5) (src/conf.c and the
 * option checks of src/options.c).
 *
 * The input is a configuration file.  config_parse() either fails with
 * a message "NAME:..." and leaves an empty struct config, or succeeds
 * with complete vhids.  A success is printed with config_print(), the
 * normalized form, and parsed again: it must give the same config and
 * print the same text (conf.h: "config_load reads back to the same
 * config").  An inline pass is printed only as a comment, so the
 * harness puts `pass "KEY"` back in its place before the second parse.
 * A broken invariant calls __builtin_trap(); ASan reports leaks.
 *
 * Linked with -Wl,--wrap=open: while a parse runs, a passfile that is
 * not a regular file (a FIFO, /dev/stdin, a tty) is refused instead of
 * opened, so that a fuzzed path cannot block the fuzzer (directories
 * pass: src/safefile.c opens each one on the way to the file).
 */
#include "config.h"

#include <sys/stat.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int __real_open(const char *, int, ...);
int __wrap_open(const char *, int, ...);

#define CHECK(x)	do { if (!(x)) __builtin_trap(); } while (0)
#define NAME		"fuzz.conf"
#define PASS_MARK	"\t# pass: given inline ("

static bool in_parse;

int
__wrap_open(const char *path, int flags, ...)
{
	struct stat	st;
	mode_t		mode = 0;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (in_parse && (stat(path, &st) == -1 ||
	    !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))) {
		errno = ENOENT;
		return -1;
	}
	return __real_open(path, flags, mode);
}

static int
parse(const char *buf, size_t len, struct config *cf, char *err,
    size_t errlen)
{
	int rc;

	in_parse = true;
	rc = config_parse(buf, len, NAME, false, NULL, cf, err, errlen);
	in_parse = false;
	return rc;
}

static int
streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static char *
print(const struct config *cf, size_t *len)
{
	char	*buf = NULL;
	FILE	*f;

	CHECK((f = open_memstream(&buf, len)) != NULL);
	config_print(f, cf);
	CHECK(fclose(f) == 0);
	return buf;
}

/* The printed text with the inline passwords written back in. */
static char *
with_keys(const char *text, size_t len, const struct config *cf,
    size_t *outlen)
{
	const char	*p = text, *end = text + len;
	size_t		 v = 0, mlen = strlen(PASS_MARK);
	char		*buf = NULL;
	FILE		*f;

	CHECK((f = open_memstream(&buf, outlen)) != NULL);
	while (p < end) {
		const char	*nl = memchr(p, '\n', (size_t)(end - p));
		size_t		 ll = nl != NULL ? (size_t)(nl - p) + 1 :
				    (size_t)(end - p);

		if (ll < mlen || memcmp(p, PASS_MARK, mlen) != 0) {
			fwrite(p, 1, ll, f);
			p += ll;
			continue;
		}
		while (v < cf->nvhids && cf->vhids[v].passfile != NULL)
			v++;
		CHECK(v < cf->nvhids);
		fputs("\tpass \"", f);
		for (size_t i = 0; i < cf->vhids[v].keylen; i++) {
			uint8_t c = cf->vhids[v].key[i];

			if (c == '"' || c == '\\')
				fputc('\\', f);
			fputc(c, f);
		}
		fputs("\"\n", f);
		v++;
		p += ll;
	}
	while (v < cf->nvhids && cf->vhids[v].passfile != NULL)
		v++;
	CHECK(v == cf->nvhids);		/* one comment per inline pass */
	CHECK(fclose(f) == 0);
	return buf;
}

static void
check_valid(const struct config *cf)
{
	char msg[256];

	CHECK(cf->nvhids >= 1 && cf->vhids != NULL && cf->lines != NULL);
	CHECK(cf->g.control_path != NULL);
	CHECK(cf->g.script_timeout >= 1 && cf->g.script_timeout <= 3600);
	for (size_t i = 0; i < cf->nvhids; i++) {
		const struct vhid_config	*v = &cf->vhids[i];
		struct vhid_config		 copy;

		CHECK(v->ifname[0] != '\0');
		CHECK(memchr(v->ifname, '\0', sizeof(v->ifname)) != NULL);
		CHECK(vhid_config_complete(v, msg, sizeof(msg)) == 0);
		CHECK(v->nvips >= 1 && v->nvips <= CARPD_MAX_VIPS);
		CHECK(v->keylen >= 1 && v->keylen <= CARP_KEY_MAX);
		CHECK(v->advskew <= 254 && v->deadratio >= 1);
		CHECK(v->downfmt <= FSM_DOWN_OPENBSD);
		CHECK(cf->lines[i] >= 1);
		for (size_t j = 0; j < i; j++)
			CHECK(v->vhid != cf->vhids[j].vhid ||
			    strcmp(v->ifname, cf->vhids[j].ifname) != 0);
		vhid_config_copy(&copy, v);
		CHECK(vhid_config_equal(&copy, v));
		vhid_config_clear(&copy);
	}
}

static void
check_same(const struct config *a, const struct config *b)
{
	CHECK(a->nvhids == b->nvhids);
	CHECK(a->g.debug == b->g.debug);
	CHECK(a->g.facility == b->g.facility);
	CHECK(a->g.script_timeout == b->g.script_timeout);
	CHECK(streq(a->g.pidfile, b->g.pidfile));
	CHECK(streq(a->g.control_path, b->g.control_path));
	for (size_t i = 0; i < a->nvhids; i++) {
		CHECK(vhid_config_equal(&a->vhids[i], &b->vhids[i]));
		CHECK(streq(a->vhids[i].passfile, b->vhids[i].passfile));
	}
}

#ifdef FUZZ_KNOWN_PRINT_UNQUOTED
/*
 * config_print() writes a value with a byte that is not printable (one
 * a quoted string may hold) without quotes, and the lexer refuses such
 * a byte outside quotes.  With this defined, such configs skip the
 * round trip so that fuzzing can go on past that known bug.
 */
static bool
unprintable(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (!isprint((unsigned char)*s) && *s != ' ' && *s != '\t' &&
		    *s != '\r')
			return true;
	return false;
}

static bool
known_print_bug(const struct config *cf)
{
	if (unprintable(cf->g.pidfile) || unprintable(cf->g.control_path))
		return true;
	for (size_t i = 0; i < cf->nvhids; i++) {
		const struct vhid_config *v = &cf->vhids[i];

		if (unprintable(v->ifname) || unprintable(v->passfile) ||
		    unprintable(v->upscript) || unprintable(v->downscript) ||
		    unprintable(v->xparam))
			return true;
	}
	return false;
}
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 cf, again;
	char		 err[512];
	char		*text, *text2, *keyed;
	size_t		 len, len2, klen;

	memset(err, 0, sizeof(err));
	if (parse((const char *)data, size, &cf, err, sizeof(err)) == -1) {
		CHECK(strncmp(err, NAME ":", strlen(NAME ":")) == 0);
		CHECK(cf.nvhids == 0 && cf.vhids == NULL && cf.lines == NULL);
		CHECK(cf.g.pidfile == NULL && cf.g.control_path == NULL);
		config_free(&cf);
		return 0;
	}
	check_valid(&cf);
#ifdef FUZZ_KNOWN_PRINT_UNQUOTED
	if (known_print_bug(&cf)) {
		config_free(&cf);
		return 0;
	}
#endif

	text = print(&cf, &len);
	keyed = with_keys(text, len, &cf, &klen);
	memset(err, 0, sizeof(err));
	if (parse(keyed, klen, &again, err, sizeof(err)) == -1) {
		/* The normalized form must read back. */
		fprintf(stderr, "re-parse failed: %s\n--- printed:\n%s---\n",
		    err, keyed);
		__builtin_trap();
	}
	check_valid(&again);
	check_same(&cf, &again);
	text2 = print(&again, &len2);
	CHECK(len == len2 && memcmp(text, text2, len) == 0);

	free(text);
	free(text2);
	free(keyed);
	config_free(&again);
	config_free(&cf);
	return 0;
}
