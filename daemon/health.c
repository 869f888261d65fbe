/*
 * health.c - feed health in words a hub coordinator understands.
 *
 * The store keeps facts (last attempt, last success, status, error,
 * consecutive failures, moves); this file decides which spokes need
 * attention first and says why in a sentence: "not reachable since
 * Tuesday 17 November, 14:05: could not connect ...", "moved permanently
 * to https://...", "fine: 12 activities, checked 5 minutes ago".
 *
 * Times in words are in the daemon's local time zone.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dayhub.h"

enum health_level {
	HEALTH_GONE,		/* 404/410 for longer than gone-after */
	HEALTH_FAILING,		/* the last attempt failed */
	HEALTH_NEW,		/* never fetched yet */
	HEALTH_MOVED,		/* a permanent redirect was followed */
	HEALTH_WARNINGS,	/* read, but with repairs or guesses */
	HEALTH_OK
};

static const char *const health_words[] = {
	[HEALTH_GONE] = "gone",
	[HEALTH_FAILING] = "failing",
	[HEALTH_NEW] = "new",
	[HEALTH_MOVED] = "moved",
	[HEALTH_WARNINGS] = "warnings",
	[HEALTH_OK] = "ok",
};

/* The instant in a member, or 0 when it is null or unreadable. */
static time_t
health_time(json_t *spoke, const char *key)
{
	const char	*s = json_string_value(json_object_get(spoke, key));
	time_t		 t;

	if (s == NULL || record_time_epoch(s, &t) == -1)
		return 0;
	return t;
}

/* "5 minutes ago", "3 hours ago", or "on Tuesday 17 November, 14:05". */
static const char *
health_when(time_t t, time_t now, int since, char *buf, size_t len)
{
	struct tm	tm;
	long long	d = (long long)(now - t);
	char		day[64];

	if (d >= 0 && d < 60)
		snprintf(buf, len, "%s", since ? "since a moment ago" :
		    "a moment ago");
	else if (d >= 0 && d < 3600)
		snprintf(buf, len, "%s%lld minute%s ago", since ? "since " : "",
		    d / 60, d / 60 == 1 ? "" : "s");
	else if (d >= 0 && d < 12 * 3600)
		snprintf(buf, len, "%s%lld hour%s ago", since ? "since " : "",
		    d / 3600, d / 3600 == 1 ? "" : "s");
	else {
		localtime_r(&t, &tm);
		strftime(day, sizeof day, "%A %e %B, %H:%M", &tm);
		snprintf(buf, len, "%s%s", since ? "since " : "on ", day);
	}
	/* strftime pads %e with a space: "Tuesday  7 ..." reads badly. */
	{
		char	*p;

		while ((p = strstr(buf, "  ")) != NULL)
			memmove(p, p + 1, strlen(p));
	}
	return buf;
}

/* Decides a spoke's level and writes its sentence into `buf`. */
static enum health_level
health_assess(json_t *sp, time_t now, unsigned long long gone_after,
    char *buf, size_t len)
{
	const char	*status = json_string_value(json_object_get(sp,
			    "status"));
	const char	*error = json_string_value(json_object_get(sp,
			    "error"));
	const char	*moved = json_string_value(json_object_get(sp,
			    "current_url"));
	json_int_t	 failures = json_integer_value(json_object_get(sp,
			    "failures"));
	json_int_t	 records = json_integer_value(json_object_get(sp,
			    "records"));
	json_int_t	 warnings = json_integer_value(json_object_get(sp,
			    "warnings"));
	time_t		 attempt = health_time(sp, "last_attempt");
	time_t		 success = health_time(sp, "last_success");
	time_t		 gone = health_time(sp, "gone_since");
	char		 w1[96], w2[96];

	if (gone != 0 && (unsigned long long)(now - gone) >= gone_after) {
		snprintf(buf, len, "gone: the address has answered \"not "
		    "found\" %s; ask the spoke for its new feed address",
		    health_when(gone, now, 1, w1, sizeof w1));
		return HEALTH_GONE;
	}
	if (status != NULL && strcmp(status, "failed") == 0) {
		if (success != 0)
			snprintf(buf, len, "not updated %s (%lld failed "
			    "attempt%s in a row, the last %s): %s; its %lld "
			    "activities are still listed",
			    health_when(success, now, 1, w1, sizeof w1),
			    (long long)failures, failures == 1 ? "" : "s",
			    health_when(attempt, now, 0, w2, sizeof w2),
			    error != NULL ? error : "no detail",
			    (long long)records);
		else
			snprintf(buf, len, "never read successfully (%lld "
			    "failed attempt%s, the last %s): %s",
			    (long long)failures, failures == 1 ? "" : "s",
			    health_when(attempt, now, 0, w2, sizeof w2),
			    error != NULL ? error : "no detail");
		return HEALTH_FAILING;
	}
	if (attempt == 0) {
		snprintf(buf, len, "not fetched yet");
		return HEALTH_NEW;
	}
	if (moved != NULL) {
		snprintf(buf, len, "moved permanently to %s (followed %s); "
		    "update its url in the configuration", moved,
		    health_when(health_time(sp, "moved_at"), now, 0, w1,
		    sizeof w1));
		return HEALTH_MOVED;
	}
	if (warnings > 0) {
		snprintf(buf, len, "read %s with %lld warning%s: %lld "
		    "activities listed", health_when(attempt, now, 0, w1,
		    sizeof w1), (long long)warnings, warnings == 1 ? "" : "s",
		    (long long)records);
		return HEALTH_WARNINGS;
	}
	snprintf(buf, len, "fine: %lld activities, %s %s", (long long)records,
	    status != NULL && strcmp(status, "unchanged") == 0 ?
	    "unchanged when checked" : "checked",
	    health_when(attempt, now, 0, w1, sizeof w1));
	return HEALTH_OK;
}

static int
health_cmp(const void *a, const void *b)
{
	json_t * const	*x = a, * const *y = b;
	json_int_t	 lx = json_integer_value(json_object_get(*x, "rank"));
	json_int_t	 ly = json_integer_value(json_object_get(*y, "rank"));

	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(json_string_value(json_object_get(*x, "id")),
	    json_string_value(json_object_get(*y, "id")));
}

/*
 * Adds "attention" (gone, failing, new, moved, warnings, ok) and
 * "summary" to each spoke of `spokes` (an array from store_spokes()) and
 * orders the array so the spokes that need attention come first.
 */
void
health_describe(json_t *spokes, time_t now, unsigned long long gone_after)
{
	json_t		**v, *sp;
	size_t		  i, n = json_array_size(spokes);
	char		  sentence[1536];
	enum health_level level;

	if (n == 0)
		return;
	v = xcalloc(n, sizeof *v);
	json_array_foreach(spokes, i, sp) {
		level = health_assess(sp, now, gone_after, sentence,
		    sizeof sentence);
		json_object_set_new(sp, "attention",
		    json_string(health_words[level]));
		json_object_set_new(sp, "summary", json_string(sentence));
		json_object_set_new(sp, "rank", json_integer(level));
		v[i] = json_incref(sp);
	}
	qsort(v, n, sizeof *v, health_cmp);
	json_array_clear(spokes);
	for (i = 0; i < n; i++) {
		json_object_del(v[i], "rank");
		json_array_append_new(spokes, v[i]);
	}
	free(v);
}
