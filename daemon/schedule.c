/*
 * schedule.c - when a spoke's feed is next fetched.
 *
 * Pure functions of their inputs, so the policy can be read in one place
 * and tested as a table:
 *
 *  - After a good fetch (or a 304) the next one is one interval away.
 *    What the publisher asked for is a lower bound: Cache-Control max-age,
 *    Expires, RSS <ttl> and Retry-After can push it later, never sooner.
 *    A lower bound is itself capped, so a server that says "max-age of a
 *    year" cannot make a spoke vanish from the refresh cycle.
 *  - After a failure the wait doubles with each consecutive failure,
 *    starting from one interval, up to backoff_max (or the interval, if
 *    that is longer), plus up to a quarter more at random so that spokes
 *    that failed together do not retry together.  A 429 or 503 waits at
 *    least as long as its Retry-After.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "dayhub.h"

#define SCHEDULE_MAX_HINT	(7LL * 24 * 3600)	/* Retry-After cap */

static unsigned long long
schedule_max(unsigned long long a, unsigned long long b)
{
	return a > b ? a : b;
}

/* Raises `delay` to a publisher's hint of `hint` seconds, within `cap`. */
static unsigned long long
schedule_hint(unsigned long long delay, long long hint, unsigned long long cap)
{
	unsigned long long	h;

	if (hint <= 0)
		return delay;
	h = (unsigned long long)hint;
	if (h > cap)
		h = cap;
	return schedule_max(delay, h);
}

/* Returns the instant the spoke is next due. */
time_t
schedule_next(const struct schedule_input *in)
{
	unsigned long long	 interval = in->interval > 0 ? in->interval : 3600;
	unsigned long long	 cap, delay;
	unsigned		 i;
	int			 failed;

	cap = schedule_max(interval, in->backoff_max);
	failed = in->failures > 0;
	if (!failed) {
		delay = interval;
		delay = schedule_hint(delay, in->max_age, cap);
		if (in->expires > in->now)
			delay = schedule_hint(delay, (long long)(in->expires -
			    in->now), cap);
		if (in->ttl > 0 && in->ttl < SCHEDULE_MAX_HINT / 60)
			delay = schedule_hint(delay, in->ttl * 60, cap);
		delay = schedule_hint(delay, in->retry_after, cap);
		return in->now + (time_t)delay;
	}

	delay = interval;
	for (i = 1; i < in->failures && delay < cap; i++)
		delay *= 2;
	if (delay > cap)
		delay = cap;
	delay += delay * (in->jitter % 1000) / 4000;
	if (in->status == 429 || in->status == 503)
		delay = schedule_hint(delay, in->retry_after,
		    SCHEDULE_MAX_HINT);
	return in->now + (time_t)delay;
}

/*
 * Where in a window of `window` seconds a spoke's first fetch falls: the
 * same place for the same id at every start, and spread evenly over many
 * ids (FNV-1a of the id).
 */
unsigned long long
schedule_spread(const char *spoke, unsigned long long window)
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	const char	*p;

	if (window == 0)
		return 0;
	for (p = spoke; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001b3ULL;
	}
	return h % window;
}
