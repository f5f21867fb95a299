/*
 * test_log.c: unit tests of the log rate limiter (log_ratelimit_ok in
 * src/log.c), the token bucket that bounds the lines outside input can
 * cause: a burst, then one line per period, and the count of the lines
 * left out reported with the next one that is logged.  Time is given by
 * the test, in milliseconds.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include "log.h"

static struct log_ratelimit
bucket(unsigned burst, unsigned period_ms)
{
	struct log_ratelimit rl = { .burst = burst, .period_ms = period_ms };

	return rl;
}

/* How many of `n` calls at `now` may log. */
static unsigned
allowed(struct log_ratelimit *rl, long long now, unsigned n)
{
	unsigned long	suppressed;
	unsigned	ok = 0;

	for (unsigned i = 0; i < n; i++)
		ok += log_ratelimit_ok(rl, now, &suppressed);
	return ok;
}

START_TEST(burst)
{
	struct log_ratelimit	rl = bucket(10, 1000);
	unsigned long		suppressed = 99;

	ck_assert_int_eq(log_ratelimit_ok(&rl, 5000, &suppressed), 1);
	ck_assert_uint_eq(suppressed, 0);
	ck_assert_uint_eq(allowed(&rl, 5000, 100), 9);
	ck_assert_uint_eq(allowed(&rl, 5999, 100), 0);
}
END_TEST

/* One line per period once the burst is spent, never more. */
START_TEST(period)
{
	struct log_ratelimit rl = bucket(3, 1000);

	ck_assert_uint_eq(allowed(&rl, 1000, 50), 3);
	ck_assert_uint_eq(allowed(&rl, 1999, 50), 0);
	ck_assert_uint_eq(allowed(&rl, 2000, 50), 1);
	ck_assert_uint_eq(allowed(&rl, 2500, 50), 0);
	/* The half period at 2500 counts toward the next line. */
	ck_assert_uint_eq(allowed(&rl, 3000, 50), 1);
	ck_assert_uint_eq(allowed(&rl, 5000, 50), 2);
}
END_TEST

/* A long quiet time refills the burst, not beyond it. */
START_TEST(refill_capped)
{
	struct log_ratelimit rl = bucket(4, 100);

	ck_assert_uint_eq(allowed(&rl, 1000, 10), 4);
	ck_assert_uint_eq(allowed(&rl, 1000 + 3600 * 1000LL, 10), 4);
	ck_assert_uint_eq(allowed(&rl, 1000 + 3600 * 1000LL + 99, 10), 0);
	ck_assert_uint_eq(allowed(&rl, 1000 + 3600 * 1000LL + 100, 10), 1);
}
END_TEST

/* The lines left out are counted and reported once, with the next line. */
START_TEST(suppressed_count)
{
	struct log_ratelimit	rl = bucket(2, 1000);
	unsigned long		suppressed = 99;

	ck_assert_uint_eq(allowed(&rl, 1000, 2), 2);
	for (int i = 0; i < 7; i++)
		ck_assert_int_eq(log_ratelimit_ok(&rl, 1500, &suppressed), 0);
	/* Not logging: *suppressed is left alone. */
	ck_assert_uint_eq(suppressed, 99);
	ck_assert_int_eq(log_ratelimit_ok(&rl, 2000, &suppressed), 1);
	ck_assert_uint_eq(suppressed, 7);
	ck_assert_int_eq(log_ratelimit_ok(&rl, 2000, &suppressed), 0);
	ck_assert_int_eq(log_ratelimit_ok(&rl, 3000, &suppressed), 1);
	ck_assert_uint_eq(suppressed, 1);
	ck_assert_int_eq(log_ratelimit_ok(&rl, 4000, &suppressed), 1);
	ck_assert_uint_eq(suppressed, 0);
}
END_TEST

/* Buckets are independent: one flooded interface does not mute another. */
START_TEST(independent)
{
	struct log_ratelimit a = bucket(1, 1000), b = bucket(1, 1000);

	ck_assert_uint_eq(allowed(&a, 1000, 5), 1);
	ck_assert_uint_eq(allowed(&b, 1000, 5), 1);
	ck_assert_uint_eq(allowed(&a, 1500, 5), 0);
}
END_TEST

/* The clock's zero is a time like any other (a fresh time namespace). */
START_TEST(from_time_zero)
{
	struct log_ratelimit rl = bucket(2, 1000);

	ck_assert_uint_eq(allowed(&rl, 0, 10), 2);
	ck_assert_uint_eq(allowed(&rl, 999, 10), 0);
	ck_assert_uint_eq(allowed(&rl, 1000, 10), 1);
}
END_TEST

static Suite *
log_suite(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("ratelimit");

	tcase_add_test(tc, burst);
	tcase_add_test(tc, period);
	tcase_add_test(tc, refill_capped);
	tcase_add_test(tc, suppressed_count);
	tcase_add_test(tc, independent);
	tcase_add_test(tc, from_time_zero);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(log_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
