/*
 * test_demote.c: demotion groups and counters (src/demote.c).
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "demote.h"

START_TEST(names)
{
	ck_assert_int_eq(demote_name_ok("carp"), 0);
	ck_assert_int_eq(demote_name_ok("fw-1.out_2"), 0);
	ck_assert_int_eq(demote_name_ok("123456789012345"), 0);
	ck_assert_int_eq(demote_name_ok("1234567890123456"), -1);
	ck_assert_int_eq(demote_name_ok(""), -1);
	ck_assert_int_eq(demote_name_ok("a b"), -1);
	ck_assert_int_eq(demote_name_ok("a/b"), -1);
	ck_assert_str_eq(demote_src_name(DEMOTE_OPERATOR), "operator");
	ck_assert_str_eq(demote_src_name(DEMOTE_LINK), "link");
	ck_assert_str_eq(demote_src_name(DEMOTE_SENDERR), "send-errors");
	ck_assert_str_eq(demote_src_name(DEMOTE_START), "startup");
	ck_assert_str_eq(demote_src_name(DEMOTE_TRACK), "track");
	ck_assert_str_eq(demote_src_name(DEMOTE_SRC_MAX), "?");
}
END_TEST

START_TEST(counters)
{
	struct demote_list	 l = TAILQ_HEAD_INITIALIZER(l);
	struct demote_group	*gs[3];

	gs[0] = demote_get(&l, "carp");
	gs[1] = demote_get(&l, "eth0");
	gs[2] = demote_get(&l, "fw");
	ck_assert_ptr_eq(demote_get(&l, "eth0"), gs[1]);
	ck_assert_ptr_eq(demote_find(&l, "fw"), gs[2]);
	ck_assert_ptr_null(demote_find(&l, "nope"));
	ck_assert_uint_eq(demote_byte(gs, 3), 0);
	demote_add(gs[1], DEMOTE_LINK, 1);
	demote_add(gs[0], DEMOTE_LINK, 1);
	ck_assert_int_eq(demote_total(gs[0]), 1);
	ck_assert_uint_eq(demote_byte(gs, 3), 2);
	ck_assert_uint_eq(demote_byte(gs, 1), 1);
	demote_add(gs[0], DEMOTE_LINK, -5);	/* never below 0 */
	ck_assert_int_eq(gs[0]->by[DEMOTE_LINK], 0);
	demote_set(gs[2], DEMOTE_OPERATOR, 200);
	demote_add(gs[0], DEMOTE_START, DEMOTE_STARTUP);
	ck_assert_uint_eq(demote_byte(gs, 3), 255);	/* capped */
	ck_assert_int_eq(demote_total(gs[0]), 128);
	demote_add(gs[0], DEMOTE_TRACK, 1L << 40);
	ck_assert_int_eq(gs[0]->by[DEMOTE_TRACK], DEMOTE_SRC_LIMIT);
	demote_free_all(&l);
	ck_assert_ptr_null(TAILQ_FIRST(&l));
}
END_TEST

START_TEST(adjust)
{
	char	msg[128];
	long	v;

	ck_assert_int_eq(demote_parse_adjust("5", 3, &v, msg, sizeof(msg)), 0);
	ck_assert_int_eq(v, 5);
	ck_assert_int_eq(demote_parse_adjust("+5", 3, &v, msg, sizeof(msg)), 0);
	ck_assert_int_eq(v, 8);
	ck_assert_int_eq(demote_parse_adjust("-5", 3, &v, msg, sizeof(msg)), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(demote_parse_adjust("+255", 3, &v, msg, sizeof(msg)),
	    0);
	ck_assert_int_eq(v, 255);
	ck_assert_int_eq(demote_parse_adjust("256", 0, &v, msg, sizeof(msg)),
	    -1);
	ck_assert_str_eq(msg, "invalid demotion \"256\": allowed N, +N or -N "
	    "with N from 0 to 255");
	ck_assert_int_eq(demote_parse_adjust("", 0, &v, msg, sizeof(msg)), -1);
	ck_assert_int_eq(demote_parse_adjust("+", 0, &v, msg, sizeof(msg)), -1);
	ck_assert_int_eq(demote_parse_adjust("+-1", 0, &v, msg, sizeof(msg)),
	    -1);
	ck_assert_int_eq(demote_parse_adjust("1x", 0, &v, msg, sizeof(msg)),
	    -1);
	ck_assert_int_eq(demote_parse_adjust(" 1", 0, &v, msg, sizeof(msg)),
	    -1);
	ck_assert_int_eq(demote_parse_adjust("99999999999999999999", 0, &v,
	    msg, sizeof(msg)), -1);
}
END_TEST

START_TEST(file_content)
{
#define P(s) demote_parse_file((s), sizeof(s) - 1)
	ck_assert_int_eq(P("0"), 0);
	ck_assert_int_eq(P("7\n"), 7);
	ck_assert_int_eq(P("  255 \r\n"), 255);
	ck_assert_int_eq(P("256"), -1);
	ck_assert_int_eq(P("99999999999999999999999"), -1);
	ck_assert_int_eq(P(""), -1);
	ck_assert_int_eq(P("\n"), -1);
	ck_assert_int_eq(P("seven"), -1);
	ck_assert_int_eq(P("7 8"), -1);
	ck_assert_int_eq(P("-1"), -1);
	ck_assert_int_eq(P("7\n\0"), -1);
#undef P
}
END_TEST

static Suite *
demote_suite(void)
{
	Suite	*s = suite_create("demote");
	TCase	*tc = tcase_create("groups");

	tcase_add_test(tc, names);
	tcase_add_test(tc, counters);
	tcase_add_test(tc, adjust);
	tcase_add_test(tc, file_content);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(demote_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
