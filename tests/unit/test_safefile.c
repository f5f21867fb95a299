/*
 * test_safefile.c: unit tests of src/safefile.c, the check of the files
 * root relies on, in a private directory under $TMPDIR (or /tmp, which
 * is sticky and root's, as the check wants).
 */
#include "config.h"

#include <sys/stat.h>
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safefile.h"

static char	top[PATH_MAX / 2];	/* room for the names below it */
static char	why[PATH_MAX + 128];

/* The path of `name` in the test directory; two may share one call. */
static const char *
at(const char *name)
{
	static char	paths[2][PATH_MAX];
	static int	next;
	char		*path = paths[next++ % 2];

	snprintf(path, PATH_MAX, "%s/%s", top, name);
	return path;
}

static void
mkfile(const char *name, mode_t mode)
{
	FILE *f = fopen(at(name), "w");

	ck_assert_ptr_nonnull(f);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(at(name), mode), 0);
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/safefile.XXXXXX", tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(top));
}

static void
teardown(void)
{
	char cmd[sizeof(top) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

/* Opened, or refused with `want` (SAFEFILE_*) and `text` in the reason. */
static void
expect(const char *path, int want, const char *text)
{
	int fd = safefile_open(path, why, sizeof(why));

	if (want == 0) {
		ck_assert_msg(fd >= 0, "%s refused: %s", path, why);
		close(fd);
		return;
	}
	ck_assert_msg(fd == want, "%s: %d, not %d (%s)", path, fd, want,
	    fd < 0 ? why : "opened");
	ck_assert_msg(strstr(why, text) != NULL, "%s: \"%s\" does not say "
	    "\"%s\"", path, why, text);
}

START_TEST(test_safe_file)
{
	mkfile("ok", 0755);
	expect(at("ok"), 0, NULL);
	mkfile("ro", 0600);
	expect(at("ro"), 0, NULL);
}
END_TEST

START_TEST(test_writable_file)
{
	mkfile("gw", 0775);
	expect(at("gw"), SAFEFILE_UNSAFE, "writable by group or others (mode 0775)");
	mkfile("ow", 0602);
	expect(at("ow"), SAFEFILE_UNSAFE, "(mode 0602)");
}
END_TEST

START_TEST(test_symlink)
{
	mkfile("ok", 0755);
	ck_assert_int_eq(symlink(at("ok"), at("link")), 0);
	expect(at("link"), SAFEFILE_UNSAFE, "a symbolic link");
}
END_TEST

START_TEST(test_writable_dir)
{
	char	d[PATH_MAX];

	ck_assert_int_eq(mkdir(at("d"), 0700), 0);
	mkfile("d/ok", 0755);
	ck_assert_int_eq(chmod(at("d"), 0777), 0);
	snprintf(d, sizeof(d), "%s", at("d"));
	expect(at("d/ok"), SAFEFILE_UNSAFE, "not a sticky directory owned by root");
	ck_assert_msg(strstr(why, d) != NULL, "\"%s\" does not name %s", why, d);
	/* Sticky: only root's will do. */
	ck_assert_int_eq(chmod(at("d"), 01777), 0);
	expect(at("d/ok"), geteuid() == 0 ? 0 : SAFEFILE_UNSAFE,
	    "not a sticky directory owned by root");
}
END_TEST

START_TEST(test_linked_dir)
{
	/* A link among the directories leads to the one checked. */
	ck_assert_int_eq(mkdir(at("real"), 0700), 0);
	mkfile("real/ok", 0755);
	ck_assert_int_eq(symlink(at("real"), at("alias")), 0);
	expect(at("alias/ok"), 0, NULL);
	ck_assert_int_eq(chmod(at("real"), 0770), 0);
	expect(at("alias/ok"), SAFEFILE_UNSAFE, "/real is writable");
}
END_TEST

START_TEST(test_not_files)
{
	ck_assert_int_eq(mkdir(at("dir"), 0700), 0);
	expect(at("dir"), SAFEFILE_ERR, "Is a directory");
	expect(at("none"), SAFEFILE_ERR, "No such file or directory");
	expect(at("nodir/none"), SAFEFILE_ERR, "No such file or directory");
	/* A FIFO is refused at once, not waited on. */
	ck_assert_int_eq(mkfifo(at("fifo"), 0600), 0);
	expect(at("fifo"), SAFEFILE_UNSAFE, "not a regular file");
}
END_TEST

START_TEST(test_relative)
{
	char cwd[PATH_MAX];

	mkfile("rel", 0644);
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(top), 0);
	expect("rel", 0, NULL);
	expect("./rel", 0, NULL);
	ck_assert_int_eq(chmod("rel", 0666), 0);
	expect("rel", SAFEFILE_UNSAFE, "(mode 0666)");
	ck_assert_int_eq(chdir(cwd), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("safefile");
	TCase	*tc = tcase_create("safefile");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_safe_file);
	tcase_add_test(tc, test_writable_file);
	tcase_add_test(tc, test_symlink);
	tcase_add_test(tc, test_writable_dir);
	tcase_add_test(tc, test_linked_dir);
	tcase_add_test(tc, test_not_files);
	tcase_add_test(tc, test_relative);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
