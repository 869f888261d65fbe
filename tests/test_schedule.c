/*
 * test_schedule.c - the refresh policy as a table: intervals, publishers'
 * hints as lower bounds, back-off after failures, Retry-After, spreading.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dayhub.h"

#define NOW	1800000000	/* any fixed instant */
#define H	3600LL
#define D	(24 * H)

static const struct {
	const char		*name;
	unsigned long long	 interval;
	unsigned		 failures;
	long			 status;
	long long		 max_age, expires_in, retry_after, ttl;
	unsigned long long	 backoff_max;
	uint32_t		 jitter;
	long long		 want;		/* seconds after NOW */
} next_cases[] = {
	{ "plain success", H, 0, 200, -1, 0, -1, -1, D, 0, H },
	{ "no interval means an hour", 0, 0, 200, -1, 0, -1, -1, D, 0, H },
	{ "max-age shorter than the interval", H, 0, 200, 60, 0, -1, -1, D,
	  0, H },
	{ "max-age longer than the interval", H, 0, 200, 3 * H, 0, -1, -1, D,
	  0, 3 * H },
	{ "max-age capped at backoff-max", H, 0, 200, 400 * D, 0, -1, -1, D,
	  0, D },
	{ "cap is the interval when that is longer", 2 * D, 0, 200, 400 * D,
	  0, -1, -1, D, 0, 2 * D },
	{ "Expires in the future", H, 0, 200, -1, 2 * H, -1, -1, D, 0, 2 * H },
	{ "Expires in the past is no hint", H, 0, 200, -1, -5 * H, -1, -1, D,
	  0, H },
	{ "RSS ttl in minutes", H, 0, 200, -1, 0, -1, 180, D, 0, 3 * H },
	{ "ttl shorter than the interval", H, 0, 200, -1, 0, -1, 5, D, 0, H },
	{ "the largest hint wins", H, 0, 200, 2 * H, 3 * H, -1, 60, D, 0,
	  3 * H },
	{ "304 is a success", H, 0, 304, -1, 0, -1, -1, D, 0, H },
	{ "first failure waits an interval", H, 1, 500, -1, 0, -1, -1, D, 0,
	  H },
	{ "second failure doubles", H, 2, 500, -1, 0, -1, -1, D, 0, 2 * H },
	{ "third failure doubles again", H, 3, 0, -1, 0, -1, -1, D, 0, 4 * H },
	{ "back-off stops at backoff-max", H, 20, 500, -1, 0, -1, -1, D, 0, D },
	{ "jitter adds at most a quarter", H, 2, 500, -1, 0, -1, -1, D, 999,
	  2 * H + 2 * H * 999 / 4000 },
	{ "jitter wraps at 1000", H, 2, 500, -1, 0, -1, -1, D, 1000, 2 * H },
	{ "429 waits its Retry-After", H, 1, 429, -1, 0, 5 * H, -1, D, 0,
	  5 * H },
	{ "503 Retry-After shorter than back-off", H, 3, 503, -1, 0, 60, -1,
	  D, 0, 4 * H },
	{ "Retry-After capped at a week", H, 1, 503, -1, 0, 30 * D, -1, D, 0,
	  7 * D },
	{ "Retry-After on a 500 is no reason to wait", H, 1, 500, -1, 0,
	  5 * H, -1, D, 0, H },
	{ "overflow-sized failure count", 30 * D, 4000000000U, 500, -1, 0, -1,
	  -1, D, 0, 30 * D },
};

Test(schedule, next_due_table)
{
	size_t	i;

	for (i = 0; i < sizeof next_cases / sizeof next_cases[0]; i++) {
		struct schedule_input	in;
		time_t			got;

		memset(&in, 0, sizeof in);
		in.now = NOW;
		in.interval = next_cases[i].interval;
		in.failures = next_cases[i].failures;
		in.status = next_cases[i].status;
		in.max_age = next_cases[i].max_age;
		in.expires = next_cases[i].expires_in != 0 ?
		    NOW + next_cases[i].expires_in : 0;
		in.retry_after = next_cases[i].retry_after;
		in.ttl = next_cases[i].ttl;
		in.backoff_max = next_cases[i].backoff_max;
		in.jitter = next_cases[i].jitter;
		got = schedule_next(&in);
		cr_expect_eq((long long)(got - NOW), next_cases[i].want,
		    "%s: %lld s, want %lld s", next_cases[i].name,
		    (long long)(got - NOW), next_cases[i].want);
	}
}

Test(schedule, backoff_never_shrinks_as_failures_grow)
{
	struct schedule_input	in;
	time_t			prev = 0, got;
	unsigned		f;

	memset(&in, 0, sizeof in);
	in.now = NOW;
	in.interval = 900;
	in.backoff_max = 12 * H;
	in.max_age = in.retry_after = in.ttl = -1;
	in.status = 500;
	for (f = 1; f < 64; f++) {
		in.failures = f;
		got = schedule_next(&in);
		cr_assert_geq(got, prev, "failure %u came sooner", f);
		cr_assert_leq(got - NOW, 12 * H, "failure %u past the cap", f);
		prev = got;
	}
}

Test(schedule, spread_is_stable_and_within_the_window)
{
	unsigned long long	counts[10] = { 0 };
	char			id[32];
	int			i;

	cr_assert_eq(schedule_spread("shire-hall-arts", 0), 0);
	cr_assert_eq(schedule_spread("shire-hall-arts", 600),
	    schedule_spread("shire-hall-arts", 600));
	cr_assert_neq(schedule_spread("a", 1000000), schedule_spread("b",
	    1000000));
	for (i = 0; i < 2000; i++) {
		unsigned long long v;

		snprintf(id, sizeof id, "spoke-%d", i);
		v = schedule_spread(id, 600);
		cr_assert_lt(v, 600);
		counts[v / 60]++;
	}
	/* 2000 ids over ten slots: none empty, none with half of them. */
	for (i = 0; i < 10; i++) {
		cr_expect_gt(counts[i], 100, "slot %d has %llu", i, counts[i]);
		cr_expect_lt(counts[i], 400, "slot %d has %llu", i, counts[i]);
	}
}
