/*
 * test_occur.c - recurrence expansion: dayhub's own cases as a table
 * (clock changes, exceptions, all-day, window edges, refusals), and
 * libical's corpus of recurrence rules, read at run time and compared
 * case by case, with the known disagreements kept in
 * tests/icalrecur-disagreements.txt.  The corpus is read from
 * $DAYHUB_CORPUS, or else $DAYHUB_SRCDIR/../shared/corpus; without it
 * the test fails, saying where it looked.
 */
#include "config.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <libical/ical.h>

#include "dayhub.h"

#define CORPUS_FILE	"/libical/src/test/icalrecur_test.txt"
#define KNOWN_PATH	"/tests/icalrecur-disagreements.txt"
#define ERRLEN		1024
#define LISTLEN		8192
#define MIN_AGREEMENT	0.90	/* of the applicable corpus cases */
#define MIN_APPLICABLE	80

/* $DAYHUB_SRCDIR, or "." */
static const char *
srcdir(void)
{
	const char	*s = getenv("DAYHUB_SRCDIR");

	return s != NULL && *s != '\0' ? s : ".";
}

/* The libical the test was built against, as "3.0.16". */
static const char *
libical_version(void)
{
	static char	v[32];

	snprintf(v, sizeof v, "%d.%d.%d", ICAL_MAJOR_VERSION,
	    ICAL_MINOR_VERSION, ICAL_PATCH_VERSION);
	return v;
}

/* "2026-10-20T09:00Z" (or with seconds) as an instant; aborts the test. */
static time_t
utc(const char *s)
{
	struct tm	tm;
	int		sec = 0, n;

	memset(&tm, 0, sizeof tm);
	n = sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &sec);
	cr_assert(n >= 5, "bad time in the test table: %s", s);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_sec = sec;
	return timegm(&tm);
}

/* Occurrences' starts (or ends) as "2026-10-20T09:00Z ..." */
static void
list_format(const struct occurrence *o, int n, int ends, char *buf,
    size_t len)
{
	struct tm	tm;
	size_t		used = 0;
	time_t		t;
	int		i;

	buf[0] = '\0';
	for (i = 0; i < n && used + 32 < len; i++) {
		t = ends ? o[i].end : o[i].start;
		gmtime_r(&t, &tm);
		used += strftime(buf + used, len - used, tm.tm_sec != 0 ?
		    " %Y-%m-%dT%H:%M:%SZ" + (i == 0) :
		    " %Y-%m-%dT%H:%MZ" + (i == 0), &tm);
	}
}

/* A record written with ' for ", to keep the table readable. */
static json_t *
record_from(const char *text)
{
	json_error_t	 e;
	json_t		*rec;
	char		*s, *p;

	s = strdup(text);
	for (p = s; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	rec = json_loads(s, 0, &e);
	cr_assert_not_null(rec, "bad record in the test table: %s: %s", text,
	    e.text);
	free(s);
	return rec;
}

#define WEEKLY_TU	"'rrule': 'FREQ=WEEKLY;BYDAY=TU'"

static const struct {
	const char	*group;		/* the test that runs it */
	const char	*name;
	const char	*record;
	const char	*from, *to;
	size_t		 max;		/* 0: OCCUR_MAX */
	int		 ret;
	const char	*starts;	/* "" for none */
	const char	*ends;		/* NULL: not checked */
	const char	*note;		/* in err; NULL: err empty */
} record_cases[] = {
	{ "clock", "weekly Tuesday 10:00 London across the October change",
	  "{'start': '2026-10-20T10:00:00+01:00', 'end': "
	  "'2026-10-20T12:00:00+01:00', 'timezone': 'Europe/London', "
	  "'schedule': {" WEEKLY_TU "}}",
	  "2026-10-19T00:00Z", "2026-11-04T00:00Z", 0, 3,
	  "2026-10-20T09:00Z 2026-10-27T10:00Z 2026-11-03T10:00Z",
	  "2026-10-20T11:00Z 2026-10-27T12:00Z 2026-11-03T12:00Z", NULL },
	{ "clock", "weekly Tuesday 10:00 London across the March change",
	  "{'start': '2027-03-16T10:00:00Z', 'timezone': 'Europe/London', "
	  "'schedule': {" WEEKLY_TU ", 'duration': 'PT2H'}}",
	  "2027-03-15T00:00Z", "2027-04-07T00:00Z", 0, 4,
	  "2027-03-16T10:00Z 2027-03-23T10:00Z 2027-03-30T09:00Z "
	  "2027-04-06T09:00Z",
	  "2027-03-16T12:00Z 2027-03-23T12:00Z 2027-03-30T11:00Z "
	  "2027-04-06T11:00Z", NULL },
	{ "clock", "the zone defaults to Europe/London",
	  "{'start': '2027-03-16T10:00:00Z', 'schedule': {" WEEKLY_TU "}}",
	  "2027-03-29T00:00Z", "2027-04-07T00:00Z", 0, 2,
	  "2027-03-30T09:00Z 2027-04-06T09:00Z", NULL, NULL },
	{ "clock", "a local start without an offset is read in the zone",
	  "{'start': '2026-07-07T10:00', 'schedule': {" WEEKLY_TU "}}",
	  "2026-07-01T00:00Z", "2026-07-15T00:00Z", 0, 2,
	  "2026-07-07T09:00Z 2026-07-14T09:00Z", NULL, NULL },
	{ "clock", "fortnightly Thursday",
	  "{'start': '2026-09-03T14:00:00+01:00', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;INTERVAL=2;BYDAY=TH'}}",
	  "2026-09-01T00:00Z", "2026-11-01T00:00Z", 0, 5,
	  "2026-09-03T13:00Z 2026-09-17T13:00Z 2026-10-01T13:00Z "
	  "2026-10-15T13:00Z 2026-10-29T14:00Z", NULL, NULL },
	{ "clock", "monthly on the first Saturday",
	  "{'start': '2026-01-03T10:30:00Z', 'schedule': {'rrule': "
	  "'FREQ=MONTHLY;BYDAY=1SA'}}",
	  "2026-01-01T00:00Z", "2026-06-01T00:00Z", 0, 5,
	  "2026-01-03T10:30Z 2026-02-07T10:30Z 2026-03-07T10:30Z "
	  "2026-04-04T09:30Z 2026-05-02T09:30Z", NULL, NULL },
	{ "until", "UNTIL is inclusive, compared as an instant (winter)",
	  "{'start': '2026-10-20T10:00:00+01:00', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;UNTIL=20261110T100000Z'}}",
	  "2026-10-01T00:00Z", "2027-01-01T00:00Z", 0, 4,
	  "2026-10-20T09:00Z 2026-10-27T10:00Z 2026-11-03T10:00Z "
	  "2026-11-10T10:00Z", NULL, NULL },
	{ "until", "UNTIL is inclusive, compared as an instant (summer)",
	  "{'start': '2026-06-02T10:00:00+01:00', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;UNTIL=20260616T090000Z'}}",
	  "2026-06-01T00:00Z", "2026-08-01T00:00Z", 0, 3,
	  "2026-06-02T09:00Z 2026-06-09T09:00Z 2026-06-16T09:00Z", NULL,
	  NULL },
	{ "until", "UNTIL just before an occurrence ends the series",
	  "{'start': '2026-06-02T10:00:00+01:00', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;UNTIL=20260616T085959Z'}}",
	  "2026-06-01T00:00Z", "2026-08-01T00:00Z", 0, 2,
	  "2026-06-02T09:00Z 2026-06-09T09:00Z", NULL, NULL },
	{ "until", "COUNT",
	  "{'start': '2026-06-02T10:00:00+01:00', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;COUNT=3'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, 3,
	  "2026-06-02T09:00Z 2026-06-09T09:00Z 2026-06-16T09:00Z", NULL,
	  NULL },
	{ "until", "COUNT counts from the start, not the window",
	  "{'start': '2026-06-02T10:00:00+01:00', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;COUNT=3'}}",
	  "2026-06-08T00:00Z", "2027-01-01T00:00Z", 0, 2,
	  "2026-06-09T09:00Z 2026-06-16T09:00Z", NULL, NULL },
	{ "exceptions", "exdates: no sessions in Christmas week or New Year's",
	  "{'start': '2026-12-01T10:00:00Z', 'schedule': {" WEEKLY_TU ", "
	  "'exdates': ['2026-12-22T10:00:00Z', '2026-12-29T10:00:00+00:00']}}",
	  "2026-12-01T00:00Z", "2027-01-13T00:00Z", 0, 5,
	  "2026-12-01T10:00Z 2026-12-08T10:00Z 2026-12-15T10:00Z "
	  "2027-01-05T10:00Z 2027-01-12T10:00Z", NULL, NULL },
	{ "exceptions", "exdates compare instants, not strings",
	  "{'start': '2026-06-02T10:00:00+01:00', 'schedule': {" WEEKLY_TU
	  ", 'exdates': ['2026-06-09T09:00:00Z', "
	  "'2026-06-16T11:00:00+02:00']}}",
	  "2026-06-01T00:00Z", "2026-06-24T00:00Z", 0, 2,
	  "2026-06-02T09:00Z 2026-06-23T09:00Z", NULL, NULL },
	{ "exceptions", "an exdate at another time of day cancels nothing",
	  "{'start': '2026-06-02T10:00:00+01:00', 'schedule': {" WEEKLY_TU
	  ", 'exdates': ['2026-06-09T10:00:00Z']}}",
	  "2026-06-01T00:00Z", "2026-06-17T00:00Z", 0, 3,
	  "2026-06-02T09:00Z 2026-06-09T09:00Z 2026-06-16T09:00Z", NULL,
	  NULL },
	{ "exceptions", "an exdate given as a date cancels that day",
	  "{'start': '2026-12-01T10:00:00Z', 'schedule': {" WEEKLY_TU ", "
	  "'exdates': ['2026-12-22']}}",
	  "2026-12-14T00:00Z", "2026-12-31T00:00Z", 0, 2,
	  "2026-12-15T10:00Z 2026-12-29T10:00Z", NULL, NULL },
	{ "exceptions", "an exdate in iCalendar form, local to the zone",
	  "{'start': '2026-06-02T10:00:00+01:00', 'schedule': {" WEEKLY_TU
	  ", 'exdates': ['20260609T100000']}}",
	  "2026-06-01T00:00Z", "2026-06-17T00:00Z", 0, 2,
	  "2026-06-02T09:00Z 2026-06-16T09:00Z", NULL, NULL },
	{ "exceptions", "an rdate adds an extra session of the same length",
	  "{'start': '2026-12-01T10:00:00Z', 'end': '2026-12-01T12:00:00Z', "
	  "'schedule': {" WEEKLY_TU ", 'rdates': ['2026-12-19T14:00:00Z']}}",
	  "2026-12-14T00:00Z", "2026-12-23T00:00Z", 0, 3,
	  "2026-12-15T10:00Z 2026-12-19T14:00Z 2026-12-22T10:00Z",
	  "2026-12-15T12:00Z 2026-12-19T16:00Z 2026-12-22T12:00Z", NULL },
	{ "exceptions",
	  "an rdate given as a date takes the series' time of day",
	  "{'start': '2026-06-02T10:00:00+01:00', 'schedule': {" WEEKLY_TU
	  ", 'rdates': ['2026-06-06']}}",
	  "2026-06-03T00:00Z", "2026-06-10T00:00Z", 0, 2,
	  "2026-06-06T09:00Z 2026-06-09T09:00Z", NULL, NULL },
	{ "exceptions", "a moved session: exdate the old, rdate the new",
	  "{'start': '2026-12-01T10:00:00Z', 'schedule': {" WEEKLY_TU ", "
	  "'exdates': ['2026-12-22T10:00:00Z'], 'rdates': "
	  "['2026-12-23T10:00:00Z']}}",
	  "2026-12-14T00:00Z", "2026-12-31T00:00Z", 0, 3,
	  "2026-12-15T10:00Z 2026-12-23T10:00Z 2026-12-29T10:00Z", NULL,
	  NULL },
	{ "exceptions", "an rdate on a rule's own occurrence is not doubled",
	  "{'start': '2026-12-01T10:00:00Z', 'schedule': {" WEEKLY_TU ", "
	  "'rdates': ['2026-12-08T10:00:00Z']}}",
	  "2026-12-01T00:00Z", "2026-12-10T00:00Z", 0, 2,
	  "2026-12-01T10:00Z 2026-12-08T10:00Z", NULL, NULL },
	{ "exceptions", "an exdate on an rdate cancels it",
	  "{'start': '2026-12-01T10:00:00Z', 'schedule': {" WEEKLY_TU ", "
	  "'exdates': ['2026-12-05T10:00:00Z'], 'rdates': "
	  "['2026-12-05T10:00:00Z']}}",
	  "2026-12-01T00:00Z", "2026-12-10T00:00Z", 0, 2,
	  "2026-12-01T10:00Z 2026-12-08T10:00Z", NULL, NULL },
	{ "allday", "all-day in winter: midnight to midnight",
	  "{'start': '2026-12-01', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;COUNT=2'}}",
	  "2026-11-01T00:00Z", "2027-01-01T00:00Z", 0, 2,
	  "2026-12-01T00:00Z 2026-12-08T00:00Z",
	  "2026-12-02T00:00Z 2026-12-09T00:00Z", NULL },
	{ "allday", "all-day in summer starts at local midnight",
	  "{'start': '2026-07-01', 'timezone': 'Europe/London'}",
	  "2026-06-01T00:00Z", "2026-08-01T00:00Z", 0, 1,
	  "2026-06-30T23:00Z", "2026-07-01T23:00Z", NULL },
	{ "allday",
	  "all-day over the October change lasts 49 hours for two days",
	  "{'start': '2026-10-24', 'end': '2026-10-26'}",
	  "2026-10-01T00:00Z", "2026-11-01T00:00Z", 0, 1,
	  "2026-10-23T23:00Z", "2026-10-26T00:00Z", NULL },
	{ "allday", "all-day with a duration in days",
	  "{'start': '2026-12-01', 'schedule': {'rrule': "
	  "'FREQ=MONTHLY;COUNT=2', 'duration': 'P2D'}}",
	  "2026-11-01T00:00Z", "2027-02-01T00:00Z", 0, 2,
	  "2026-12-01T00:00Z 2027-01-01T00:00Z",
	  "2026-12-03T00:00Z 2027-01-03T00:00Z", NULL },
	{ "allday", "all-day exdate given as midnight with an offset",
	  "{'start': '2026-07-01', 'schedule': {'rrule': 'FREQ=DAILY;COUNT=3', "
	  "'exdates': ['2026-07-02T00:00:00+01:00']}}",
	  "2026-06-01T00:00Z", "2026-08-01T00:00Z", 0, 2,
	  "2026-06-30T23:00Z 2026-07-02T23:00Z", NULL, NULL },
	{ "single", "no schedule: the start alone",
	  "{'start': '2026-07-01T18:00:00+01:00', 'end': "
	  "'2026-07-01T20:30:00+01:00'}",
	  "2026-07-01T00:00Z", "2026-07-02T00:00Z", 0, 1,
	  "2026-07-01T17:00Z", "2026-07-01T19:30Z", NULL },
	{ "single", "no schedule, start outside the window",
	  "{'start': '2026-07-01T18:00:00+01:00'}",
	  "2026-07-02T00:00Z", "2026-07-03T00:00Z", 0, 0, "", NULL, NULL },
	{ "single", "a schedule without a rule but with an rdate",
	  "{'start': '2026-07-01T18:00:00Z', 'schedule': {'rdates': "
	  "['2026-07-08T18:00:00Z']}}",
	  "2026-07-01T00:00Z", "2026-08-01T00:00Z", 0, 2,
	  "2026-07-01T18:00Z 2026-07-08T18:00Z", NULL, NULL },
	{ "single", "a start that does not fit the rule is still a session",
	  "{'start': '2026-06-01T10:00:00+01:00', 'schedule': {" WEEKLY_TU
	  "}}",
	  "2026-06-01T00:00Z", "2026-06-10T00:00Z", 0, 3,
	  "2026-06-01T09:00Z 2026-06-02T09:00Z 2026-06-09T09:00Z", NULL,
	  NULL },
	{ "single", "a deleted record has no occurrences",
	  "{'state': 'deleted', 'start': '2026-07-01T18:00:00Z', "
	  "'schedule': {" WEEKLY_TU "}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, 0, "", NULL, NULL },
	{ "window", "window: a start exactly at `from` is in",
	  "{'start': '2026-12-01T10:00:00Z', 'schedule': {" WEEKLY_TU "}}",
	  "2026-12-08T10:00Z", "2026-12-15T10:00:01Z", 0, 2,
	  "2026-12-08T10:00Z 2026-12-15T10:00Z", NULL, NULL },
	{ "window", "window: a start exactly at `to` is out",
	  "{'start': '2026-12-01T10:00:00Z', 'schedule': {" WEEKLY_TU "}}",
	  "2026-12-08T10:00:01Z", "2026-12-22T10:00Z", 0, 1,
	  "2026-12-15T10:00Z", NULL, NULL },
	{ "window", "window: a single start exactly at `to` is out",
	  "{'start': '2026-12-08T10:00:00Z'}",
	  "2026-12-01T00:00Z", "2026-12-08T10:00Z", 0, 0, "", NULL, NULL },
	{ "window", "window: a single start exactly at `from` is in",
	  "{'start': '2026-12-08T10:00:00Z'}",
	  "2026-12-08T10:00Z", "2026-12-08T10:00:01Z", 0, 1,
	  "2026-12-08T10:00Z", NULL, NULL },
	{ "window", "window: an rdate exactly at `to` is out",
	  "{'start': '2026-12-01T10:00:00Z', 'schedule': {'rdates': "
	  "['2026-12-05T10:00:00Z', '2026-12-08T10:00:00Z']}}",
	  "2026-12-01T00:00Z", "2026-12-08T10:00Z", 0, 2,
	  "2026-12-01T10:00Z 2026-12-05T10:00Z", NULL, NULL },
	{ "window",
	  "window: an occurrence running into the window is not in it",
	  "{'start': '2026-12-01T10:00:00Z', 'schedule': {" WEEKLY_TU
	  ", 'duration': 'PT3H'}}",
	  "2026-12-08T11:00Z", "2026-12-09T00:00Z", 0, 0, "", NULL, NULL },
	{ "max", "max: truncated, with a note",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=DAILY'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 5, 5,
	  "2026-01-01T09:00Z 2026-01-02T09:00Z 2026-01-03T09:00Z "
	  "2026-01-04T09:00Z 2026-01-05T09:00Z", NULL,
	  "only the first 5 occurrences were kept" },
	{ "max", "max: an early rdate is among the first kept",
	  "{'start': '2026-01-10T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=DAILY', 'rdates': ['2026-01-02T09:00:00Z']}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 2, 2,
	  "2026-01-02T09:00Z 2026-01-10T09:00Z", NULL, "were kept" },
	{ "max", "max: exactly max is no truncation",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=DAILY;COUNT=3'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 3, 3,
	  "2026-01-01T09:00Z 2026-01-02T09:00Z 2026-01-03T09:00Z", NULL,
	  NULL },
	{ "refused", "refused: hourly",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=HOURLY;INTERVAL=3'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "a rule that repeats every hour or more often is not a session "
	  "timetable" },
	{ "refused", "refused: minutely",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=MINUTELY;COUNT=2'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "every hour or more often" },
	{ "refused", "refused: secondly",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=SECONDLY'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "every hour or more often" },
	{ "refused", "refused: a non-Gregorian calendar",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'RSCALE=HEBREW;FREQ=YEARLY'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "other than the Gregorian" },
	{ "refused", "refused: minutes apart, whatever the frequency",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=DAILY;BYHOUR=9,10;BYMINUTE=0,20,40'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "every hour or more often" },
	{ "refused", "refused: seconds apart",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=YEARLY;BYSECOND=0,1'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "every hour or more often" },
	{ "refused", "refused: hours next to each other",
	  "{'start': '2026-01-03T10:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;BYDAY=SA;BYHOUR=10,11'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "every hour or more often" },
	{ "refused", "a minute named twice is one start, not two",
	  "{'start': '2026-01-03T10:30:00Z', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;BYDAY=SA;BYMINUTE=30,30;COUNT=2'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, 2,
	  "2026-01-03T10:30Z 2026-01-10T10:30Z", NULL, NULL },
	{ "refused", "two sessions a day, hours apart, are a timetable",
	  "{'start': '2026-01-03T10:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;BYDAY=SA;BYHOUR=10,14;COUNT=4'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, 4,
	  "2026-01-03T10:00Z 2026-01-03T14:00Z 2026-01-10T10:00Z "
	  "2026-01-10T14:00Z", NULL, NULL },
	{ "refused", "refused: week numbers, which libical 3.0 miscounts",
	  "{'start': '2026-01-05T10:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=YEARLY;BYWEEKNO=2;BYDAY=MO'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "week numbers (BYWEEKNO) are not read" },
	{ "refused",
	  "refused: BYSETPOS in a weekly rule, which libical 3.0 ignores",
	  "{'start': '2026-01-02T10:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "ignores BYSETPOS in a daily or weekly rule" },
	{ "refused", "refused: a day from the end of the month in a daily rule",
	  "{'start': '2026-01-31T10:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=DAILY;BYMONTHDAY=-1'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "a negative BYMONTHDAY" },
	{ "refused", "the last weekday of the month (monthly BYSETPOS)",
	  "{'start': '2026-01-30T10:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, 3,
	  "2026-01-30T10:00Z 2026-02-27T10:00Z 2026-03-31T09:00Z", NULL,
	  NULL },
	{ "refused", "the last day of the month (monthly BYMONTHDAY=-1)",
	  "{'start': '2026-01-31T10:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, 3,
	  "2026-01-31T10:00Z 2026-02-28T10:00Z 2026-03-31T09:00Z", NULL,
	  NULL },
	{ "refused", "a day named twice counts once towards COUNT",
	  "{'start': '2026-01-06T10:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;BYDAY=TU,TH,TH;COUNT=3'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, 3,
	  "2026-01-06T10:00Z 2026-01-08T10:00Z 2026-01-13T10:00Z", NULL,
	  NULL },
	{ "malformed", "malformed: an unknown frequency",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=FORTNIGHTLY'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "the repeat rule \"FREQ=FORTNIGHTLY\" could not be read" },
	{ "malformed", "malformed: an unknown day",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;BYDAY=TUESDAY'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "the repeat rule \"FREQ=WEEKLY;BYDAY=TUESDAY\" could not be read" },
	{ "malformed", "malformed: no FREQ",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'BYDAY=TU'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "could not be read" },
	{ "malformed", "malformed: COUNT and UNTIL together",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;COUNT=2;UNTIL=20270101T000000Z'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "could not be read" },
	{ "malformed",
	  "malformed: parts that do not fit (BYMONTHDAY in WEEKLY)",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;BYMONTHDAY=1'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "do not fit together" },
	{ "malformed", "malformed: a zero interval",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=DAILY;INTERVAL=0'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "could not be read" },
	{ "malformed", "malformed: bytes that are not text are not echoed",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=\\u00e9\\u0001WEEKLY'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "the repeat rule \"FREQ=???WEEKLY\" could not be read" },
	{ "refused", "a rule nothing satisfies ends quickly with nothing",
	  "{'start': '2026-01-01T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30'}}",
	  "2026-01-02T00:00Z", "2027-01-01T00:00Z", 0, 0, "", NULL, NULL },
	{ "refused", "refused: a monthly rule no month can match",
	  "{'start': '2026-01-05T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=8'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "was refused: no date can ever match it" },
	{ "refused", "refused: monthly from the 31st in February only",
	  "{'start': '2026-01-31T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=MONTHLY;BYMONTH=2'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "no date can ever match it" },
	{ "refused", "refused: a sixth Monday",
	  "{'start': '2026-01-05T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=MONTHLY;BYDAY=6MO'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, -1, "", NULL,
	  "no date can ever match it" },
	{ "refused", "yearly from the 29th of February: leap years only",
	  "{'start': '2028-02-29', 'schedule': {'rrule': 'FREQ=YEARLY'}}",
	  "2028-01-01T00:00Z", "2037-01-01T00:00Z", 0, 3,
	  "2028-02-29T00:00Z 2032-02-29T00:00Z 2036-02-29T00:00Z", NULL,
	  NULL },
	{ "refused", "a fifth Monday in February happens, rarely",
	  "{'start': '2016-02-29T09:00:00Z', 'schedule': {'rrule': "
	  "'FREQ=MONTHLY;BYMONTH=2;BYDAY=5MO'}}",
	  "2016-01-01T00:00Z", "2050-01-01T00:00Z", 0, 2,
	  "2016-02-29T09:00Z 2044-02-29T09:00Z", NULL, NULL },
	{ "refused", "an \"RRULE:\" prefix is allowed",
	  "{'start': '2026-06-02T10:00:00+01:00', 'schedule': {'rrule': "
	  "'RRULE:FREQ=WEEKLY;COUNT=2'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, 2,
	  "2026-06-02T09:00Z 2026-06-09T09:00Z", NULL, NULL },
	{ "zones", "an unknown zone falls back to UTC, with a note",
	  "{'start': '2026-10-20T10:00:00+01:00', 'timezone': 'Mars/Olympus', "
	  "'schedule': {" WEEKLY_TU "}}",
	  "2026-10-19T00:00Z", "2026-11-04T00:00Z", 0, 3,
	  "2026-10-20T09:00Z 2026-10-27T09:00Z 2026-11-03T09:00Z", NULL,
	  "the time zone \"Mars/Olympus\" is unknown: times were read in "
	  "UTC" },
	{ "zones", "a zone name that is a path is never looked up",
	  "{'start': '2026-10-20T10:00:00+01:00', 'timezone': "
	  "'../../../../dev/stdin', 'schedule': {'rrule': "
	  "'FREQ=WEEKLY;COUNT=2'}}",
	  "2026-10-19T00:00Z", "2026-11-04T00:00Z", 0, 2,
	  "2026-10-20T09:00Z 2026-10-27T09:00Z", NULL,
	  "the time zone \"../../../../dev/stdin\" is unknown" },
	{ "zones", "America/New_York keeps 09:00 across its November change",
	  "{'start': '2026-10-25T09:00:00-04:00', 'timezone': "
	  "'America/New_York', 'schedule': {'rrule': 'FREQ=WEEKLY;BYDAY=SU'}}",
	  "2026-10-20T00:00Z", "2026-11-10T00:00Z", 0, 3,
	  "2026-10-25T13:00Z 2026-11-01T14:00Z 2026-11-08T14:00Z", NULL,
	  NULL },
	{ "zones", "America/New_York across its March change",
	  "{'start': '2026-03-01T09:00', 'timezone': 'America/New_York', "
	  "'schedule': {'rrule': 'FREQ=WEEKLY;BYDAY=SU;COUNT=3'}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, 3,
	  "2026-03-01T14:00Z 2026-03-08T13:00Z 2026-03-15T13:00Z", NULL,
	  NULL },
	{ "input", "no start: nothing, with a note",
	  "{'title': 'x', 'schedule': {" WEEKLY_TU "}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, 0, "", NULL,
	  "no start" },
	{ "input", "an unreadable start: nothing, with a note",
	  "{'start': 'next Tuesday', 'schedule': {" WEEKLY_TU "}}",
	  "2026-01-01T00:00Z", "2027-01-01T00:00Z", 0, 0, "", NULL,
	  "the start \"next Tuesday\" could not be read" },
	{ "input", "an unreadable exdate is ignored, with a note",
	  "{'start': '2026-12-01T10:00:00Z', 'schedule': {" WEEKLY_TU ", "
	  "'exdates': ['Christmas', 5]}}",
	  "2026-12-01T00:00Z", "2026-12-09T00:00Z", 0, 2,
	  "2026-12-01T10:00Z 2026-12-08T10:00Z", NULL,
	  "the cancelled date \"Christmas\" could not be read: ignored" },
	{ "input", "an unreadable duration falls back to the end",
	  "{'start': '2026-12-01T10:00:00Z', 'end': '2026-12-01T11:30:00Z', "
	  "'schedule': {" WEEKLY_TU ", 'duration': 'two hours'}}",
	  "2026-12-01T00:00Z", "2026-12-09T00:00Z", 0, 2,
	  "2026-12-01T10:00Z 2026-12-08T10:00Z",
	  "2026-12-01T11:30Z 2026-12-08T11:30Z",
	  "the duration \"two hours\" could not be read" },
	{ "input", "a schedule that is not an object is ignored",
	  "{'start': '2026-12-01T10:00:00Z', 'schedule': 'weekly'}",
	  "2026-12-01T00:00Z", "2026-12-09T00:00Z", 0, 1,
	  "2026-12-01T10:00Z", NULL, "not an object" },
};

/* Runs the record_cases rows of one group; there must be some. */
static void
record_group(const char *group)
{
	struct occurrence	 out[OCCUR_MAX];
	char			 err[ERRLEN], got[LISTLEN];
	json_t			*rec;
	size_t			 i, max, rows = 0;
	int			 n;

	for (i = 0; i < sizeof record_cases / sizeof record_cases[0]; i++) {
		if (strcmp(record_cases[i].group, group) != 0)
			continue;
		rows++;
		rec = record_from(record_cases[i].record);
		max = record_cases[i].max != 0 ? record_cases[i].max :
		    OCCUR_MAX;
		n = occur_expand(rec, utc(record_cases[i].from),
		    utc(record_cases[i].to), out, max, err, sizeof err);
		json_decref(rec);
		cr_expect_eq(n, record_cases[i].ret, "%s: returned %d, not %d "
		    "(%s)", record_cases[i].name, n, record_cases[i].ret, err);
		if (n >= 0) {
			list_format(out, n, 0, got, sizeof got);
			cr_expect_str_eq(got, record_cases[i].starts,
			    "%s: starts\n  got  %s\n  want %s",
			    record_cases[i].name, got, record_cases[i].starts);
			if (record_cases[i].ends != NULL) {
				list_format(out, n, 1, got, sizeof got);
				cr_expect_str_eq(got, record_cases[i].ends,
				    "%s: ends\n  got  %s\n  want %s",
				    record_cases[i].name, got,
				    record_cases[i].ends);
			}
		}
		if (record_cases[i].note == NULL)
			cr_expect_str_empty(err, "%s: unexpected note: %s",
			    record_cases[i].name, err);
		else
			cr_expect(strstr(err, record_cases[i].note) != NULL,
			    "%s: the note \"%s\" lacks \"%s\"",
			    record_cases[i].name, err, record_cases[i].note);
	}
	cr_assert_gt(rows, 0, "no rows in group %s", group);
}

Test(occur, clock_changes_and_frequencies)
{
	record_group("clock");
}

Test(occur, until_and_count)
{
	record_group("until");
}

Test(occur, exdates_and_rdates)
{
	record_group("exceptions");
}

Test(occur, all_day)
{
	record_group("allday");
}

Test(occur, single_and_deleted)
{
	record_group("single");
}

Test(occur, window_edges)
{
	record_group("window");
}

Test(occur, max_truncation)
{
	record_group("max");
}

Test(occur, refused_rules)
{
	record_group("refused");
}

Test(occur, malformed_rules)
{
	record_group("malformed");
}

Test(occur, zones)
{
	record_group("zones");
}

Test(occur, malformed_records)
{
	record_group("input");
}

static const char *const xmas[] = { "20261222T100000", "2026-12-29" };
static const char *const extra[] = { "2026-12-19T14:00:00Z", "yesterday" };

/* The lower-level call, including what only it can be given. */
static const struct {
	const char		*name;
	const char		*dtstart, *tzid, *rrule;
	const char *const	*ex;
	size_t			 nex;
	const char *const	*rd;
	size_t			 nrd;
	long			 duration;
	const char		*from, *to;
	int			 ret;
	const char		*starts;
	const char		*note;
} rule_cases[] = {
	{ "iCalendar DATE-TIME with a separate TZID", "20261201T100000",
	  "Europe/London", "FREQ=WEEKLY", xmas, 2, extra, 2, 3600,
	  "2026-12-01T00:00Z", "2027-01-06T00:00Z", 5,
	  "2026-12-01T10:00Z 2026-12-08T10:00Z 2026-12-15T10:00Z "
	  "2026-12-19T14:00Z 2027-01-05T10:00Z",
	  "the extra date \"yesterday\" could not be read" },
	{ "NULL zone is Europe/London", "20260707T100000", NULL,
	  "FREQ=DAILY;COUNT=1", NULL, 0, NULL, 0, 0, "2026-01-01T00:00Z",
	  "2027-01-01T00:00Z", 1, "2026-07-07T09:00Z", NULL },
	{ "UTC", "20260707T100000Z", "UTC", "FREQ=DAILY;COUNT=2", NULL, 0,
	  NULL, 0, 0, "2026-01-01T00:00Z", "2027-01-01T00:00Z", 2,
	  "2026-07-07T10:00Z 2026-07-08T10:00Z", NULL },
	{ "no rule: the start alone", "2026-07-07T10:00:00Z", "UTC", NULL,
	  NULL, 0, NULL, 0, 0, "2026-01-01T00:00Z", "2027-01-01T00:00Z", 1,
	  "2026-07-07T10:00Z", NULL },
	{ "a start that does not fit the rule is libical's to judge",
	  "20190101T100000", "UTC", "FREQ=WEEKLY;BYDAY=WE;COUNT=2", NULL, 0,
	  NULL, 0, 0, "2019-01-01T00:00Z", "2020-01-01T00:00Z", 2,
	  "2019-01-02T10:00Z 2019-01-09T10:00Z", NULL },
	{ "an empty window", "2026-07-07T10:00:00Z", "UTC", "FREQ=DAILY",
	  NULL, 0, NULL, 0, 0, "2026-08-01T00:00Z", "2026-08-01T00:00Z", 0,
	  "", NULL },
	{ "a negative duration is taken as none", "2026-07-07T10:00:00Z",
	  "UTC", NULL, NULL, 0, NULL, 0, -60, "2026-01-01T00:00Z",
	  "2027-01-01T00:00Z", 1, "2026-07-07T10:00Z", "makes no sense" },
	{ "a start that is no date", "2026-02-29T10:00:00Z", "UTC",
	  "FREQ=DAILY", NULL, 0, NULL, 0, 0, "2026-01-01T00:00Z",
	  "2027-01-01T00:00Z", -1, "", "the start \"2026-02-29T10:00:00Z\" "
	  "could not be read" },
	{ "a start with junk after it", "2026-07-07T10:00:00Z!", "UTC",
	  "FREQ=DAILY", NULL, 0, NULL, 0, 0, "2026-01-01T00:00Z",
	  "2027-01-01T00:00Z", -1, "", "could not be read" },
	{ "a start far in the past is refused", "0999-01-01", "UTC",
	  "FREQ=DAILY", NULL, 0, NULL, 0, 0, "2026-01-01T00:00Z",
	  "2027-01-01T00:00Z", -1, "", "could not be read" },
	{ "a rule over the length limit", "2026-07-07T10:00:00Z", "UTC",
	  "FREQ=DAILY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,"
	  "11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,"
	  "5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,"
	  "11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,"
	  "5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,"
	  "11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,"
	  "5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,"
	  "11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,"
	  "5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,"
	  "11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,"
	  "5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,"
	  "11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,"
	  "5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,"
	  "11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,"
	  "5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,"
	  "11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,"
	  "5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,"
	  "11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,4,"
	  "5,6,7,8,9,10,11,12", NULL, 0, NULL, 0, 0, "2026-01-01T00:00Z",
	  "2027-01-01T00:00Z", -1, "", "longer than 1024 bytes" },
};

Test(occur, rule_table)
{
	struct occurrence	 out[OCCUR_MAX];
	char			 err[ERRLEN], got[LISTLEN];
	size_t			 i;
	int			 n;

	for (i = 0; i < sizeof rule_cases / sizeof rule_cases[0]; i++) {
		n = occur_expand_rule(rule_cases[i].dtstart,
		    rule_cases[i].tzid, rule_cases[i].rrule, rule_cases[i].ex,
		    rule_cases[i].nex, rule_cases[i].rd, rule_cases[i].nrd,
		    rule_cases[i].duration, utc(rule_cases[i].from),
		    utc(rule_cases[i].to), out, OCCUR_MAX, err, sizeof err);
		cr_expect_eq(n, rule_cases[i].ret, "%s: returned %d, not %d "
		    "(%s)", rule_cases[i].name, n, rule_cases[i].ret, err);
		if (n >= 0) {
			list_format(out, n, 0, got, sizeof got);
			cr_expect_str_eq(got, rule_cases[i].starts,
			    "%s: starts\n  got  %s\n  want %s",
			    rule_cases[i].name, got, rule_cases[i].starts);
		}
		if (rule_cases[i].note == NULL)
			cr_expect_str_empty(err, "%s: unexpected note: %s",
			    rule_cases[i].name, err);
		else
			cr_expect(strstr(err, rule_cases[i].note) != NULL,
			    "%s: the note \"%s\" lacks \"%s\"",
			    rule_cases[i].name, err, rule_cases[i].note);
	}
}

/* Seconds since some fixed point, for timing. */
static double
now_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(occur, bounded_work)
{
	struct occurrence	 out[OCCUR_MAX];
	char			 err[ERRLEN];
	double			 t0;
	int			 n;

	/* Left to itself libical searches to 2582 inside one call. */
	t0 = now_seconds();
	n = occur_expand_rule("2026-01-01T09:00:00Z", "UTC",
	    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=5", NULL, 0, NULL, 0, 0,
	    utc("2026-01-02T00:00Z"), utc("2027-01-01T00:00Z"), out,
	    OCCUR_MAX, err, sizeof err);
	cr_expect_eq(n, 0, "%s", err);
	cr_expect_lt(now_seconds() - t0, 0.5, "an impossible rule took %.2fs",
	    now_seconds() - t0);

	/* libical 3.0 would look for a matching month up to the year 20000. */
	t0 = now_seconds();
	n = occur_expand_rule("2026-01-31T09:00:00Z", "UTC",
	    "FREQ=MONTHLY;BYSETPOS=6;BYDAY=MO", NULL, 0, NULL, 0, 0,
	    utc("2026-01-02T00:00Z"), utc("2027-01-01T00:00Z"), out,
	    OCCUR_MAX, err, sizeof err);
	cr_expect_eq(n, -1, "%s", err);
	cr_expect_lt(now_seconds() - t0, 0.1, "an impossible monthly rule took "
	    "%.2fs", now_seconds() - t0);

	/* A daily rule from 1900 reaches 2172 only past the step limit. */
	t0 = now_seconds();
	n = occur_expand_rule("1900-01-01T09:00:00Z", "UTC", "FREQ=DAILY",
	    NULL, 0, NULL, 0, 0, utc("2172-01-01T00:00Z"),
	    utc("2200-01-01T00:00Z"), out, OCCUR_MAX, err, sizeof err);
	cr_expect(n > 0 && n < 1000, "got %d (%s)", n, err);
	cr_expect(strstr(err, "was stopped after 100000 repetitions") != NULL,
	    "no note of the step limit: %s", err);
	cr_expect_lt(now_seconds() - t0, 5.0, "the step limit took %.2fs",
	    now_seconds() - t0);

	/* A window to the ends of time is no trouble. */
	n = occur_expand_rule("2026-01-01T09:00:00Z", "UTC",
	    "FREQ=YEARLY;COUNT=3", NULL, 0, NULL, 0, 0, (time_t)LLONG_MIN,
	    (time_t)LLONG_MAX,
	    out, OCCUR_MAX, err, sizeof err);
	cr_expect_eq(n, 3, "%s", err);
	n = occur_expand_rule("2026-01-01T09:00:00Z", "UTC",
	    "FREQ=YEARLY", NULL, 0, NULL, 0, 0, (time_t)LLONG_MIN,
	    (time_t)LLONG_MIN,
	    out, OCCUR_MAX, err, sizeof err);
	cr_expect_eq(n, 0, "%s", err);
}

/* Runs the London and New York rows on several threads at once. */
static void *
occur_thread(void *arg)
{
	static const char *const want =
	    "2026-10-25T13:00Z 2026-11-01T14:00Z 2026-11-08T14:00Z";
	struct occurrence	 out[8];
	char			 err[ERRLEN], got[LISTLEN];
	int			*bad = arg, i, n;

	for (i = 0; i < 200; i++) {
		n = occur_expand_rule(i % 2 ? "2026-10-25T09:00:00-04:00" :
		    "20261025T090000", "America/New_York",
		    "FREQ=WEEKLY;BYDAY=SU", NULL, 0, NULL, 0, 0,
		    utc("2026-10-20T00:00Z"), utc("2026-11-10T00:00Z"), out, 8,
		    err, sizeof err);
		list_format(out, n < 0 ? 0 : n, 0, got, sizeof got);
		if (n != 3 || strcmp(got, want) != 0)
			(*bad)++;
	}
	return NULL;
}

Test(occur, threads)
{
	pthread_t	t[4];
	int		bad[4] = { 0 }, i;

	for (i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, occur_thread, &bad[i]),
		    0);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		cr_expect_eq(bad[i], 0, "thread %d: %d wrong expansions", i,
		    bad[i]);
	}
}

/* --- libical's own recurrence cases --- */

struct corpus_case {
	int	 line;
	char	*rrule;
	char	*dtstart;
	char	*start_at;
	char	*instances;
};

/* One listed disagreement, or one found. */
struct known {
	char	*key;
	int	 found;
	int	 listed;
};

static struct known	*known;
static size_t		 nknown;

/* Notes `key` as listed (from the file) or found (by running). */
static void
known_mark(const char *key, int listed)
{
	size_t	i;

	for (i = 0; i < nknown; i++)
		if (strcmp(known[i].key, key) == 0)
			break;
	if (i == nknown) {
		known = realloc(known, (nknown + 1) * sizeof *known);
		cr_assert_not_null(known);
		known[nknown].key = strdup(key);
		known[nknown].found = known[nknown].listed = 0;
		nknown++;
	}
	if (listed)
		known[i].listed = 1;
	else
		known[i].found = 1;
}

/* "RRULE | DTSTART | START-AT or -": how a case is named in the list. */
static void
case_key(const struct corpus_case *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s | %s | %s", c->rrule, c->dtstart,
	    c->start_at != NULL ? c->start_at : "-");
}

/* An iCalendar DATE or DATE-TIME of the corpus, read as UTC. */
static int
corpus_time(const char *s, time_t *out)
{
	struct tm	tm;
	size_t		len = strlen(s);

	memset(&tm, 0, sizeof tm);
	if (len == 8 && sscanf(s, "%4d%2d%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday) == 3)
		;
	else if ((len == 15 || (len == 16 && s[15] == 'Z')) && s[8] == 'T' &&
	    sscanf(s, "%4d%2d%2dT%2d%2d%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6)
		;
	else
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm);
	return 0;
}

/*
 * Why a case has no meaning here, or NULL when it has: libical expects
 * an error of itself, or dayhub refuses the rule by design (the reason
 * is the refusal's own words, kept in `buf`).
 */
static const char *
corpus_not_applicable(const struct corpus_case *c, char *buf, size_t len)
{
	struct occurrence	 out[4];
	char			 err[ERRLEN];
	const char		*p;

	if (strstr(c->instances, "***") != NULL)
		return "libical itself expects an error";
	if (occur_expand_rule(c->dtstart, "UTC", c->rrule, NULL, 0, NULL, 0,
	    0, 0, utc("2200-01-01T00:00Z"), out, 4, err, sizeof err) == -1 &&
	    (p = strstr(err, "was refused: ")) != NULL) {
		snprintf(buf, len, "refused, %s", p + strlen("was refused: "));
		return buf;
	}
	return NULL;
}

/* Counts per reason for not applying, for the summary line. */
struct na_count {
	char	*why;
	int	 n;
};

/*
 * Runs one case through occur_expand_rule in UTC: floating times of the
 * corpus read as UTC keep their wall-clock meaning.  Returns 1 when it
 * agrees; otherwise 0 with what was expected and got in `why`.
 */
static int
corpus_run(const struct corpus_case *c, char *why, size_t whylen)
{
	static struct occurrence	 out[2000];
	char				 err[ERRLEN], *list, *tok, *save;
	time_t				 from = utc("1900-01-01T00:00Z");
	time_t				 want[2000], t;
	size_t				 nwant = 0, i;
	int				 n, ok = 1;

	if (c->start_at != NULL)
		cr_assert_eq(corpus_time(c->start_at, &from), 0,
		    "line %d: bad START-AT %s", c->line, c->start_at);
	list = strdup(c->instances);
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		cr_assert_eq(corpus_time(tok, &t), 0,
		    "line %d: bad instance \"%s\"", c->line, tok);
		cr_assert_lt(nwant, sizeof want / sizeof want[0]);
		if (t >= from)
			want[nwant++] = t;
	}
	free(list);

	n = occur_expand_rule(c->dtstart, "UTC", c->rrule, NULL, 0, NULL, 0,
	    0, from, utc("2200-01-01T00:00Z"), out,
	    sizeof out / sizeof out[0], err, sizeof err);
	if (n < 0) {
		snprintf(why, whylen, "returned -1: %s", err);
		return 0;
	}
	if ((size_t)n != nwant)
		ok = 0;
	for (i = 0; ok && i < nwant; i++)
		if (out[i].start != want[i])
			ok = 0;
	if (!ok) {
		char	got[LISTLEN];

		list_format(out, n, 0, got, sizeof got);
		snprintf(why, whylen, "%zu expected, %d got: %.600s", nwant, n,
		    got);
	}
	return ok;
}

/* Reads the checked-in list of disagreements into `known`. */
static void
known_load(void)
{
	char	 path[4096], *line = NULL, *p;
	size_t	 cap = 0, len;
	FILE	*f;

	snprintf(path, sizeof path, "%s%s", srcdir(), KNOWN_PATH);
	f = fopen(path, "r");
	cr_assert_not_null(f, "the list of known disagreements is not at %s",
	    path);
	while (getline(&line, &cap, f) != -1) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		/* RRULE | DTSTART | START-AT | reason: the key is three. */
		p = line;
		p = strstr(p, " | ");
		if (p != NULL)
			p = strstr(p + 3, " | ");
		if (p != NULL)
			p = strstr(p + 3, " | ");
		cr_assert_not_null(p, "%s: a line without four \" | \" parts: "
		    "%s", path, line);
		*p = '\0';
		cr_assert(p[3] != '\0', "%s: no reason given for %s", path,
		    line);
		known_mark(line, 1);
	}
	free(line);
	fclose(f);
}

Test(occur, libical_corpus, .timeout = 10)
{
	struct corpus_case	 c;
	struct na_count		 na[8];
	size_t			 nna = 0, i, cap = 0;
	char			 path[4096], key[4096], why[2048];
	char			 summary[1024], *line = NULL, *v;
	const char		*reason;
	FILE			*f;
	int			 lineno = 0, total = 0, agree = 0, skipped = 0;
	int			 eof = 0, stale = 0;

	if ((v = getenv("DAYHUB_CORPUS")) != NULL && *v != '\0')
		snprintf(path, sizeof path, "%s%s", v, CORPUS_FILE);
	else
		snprintf(path, sizeof path, "%s/../shared/corpus%s", srcdir(),
		    CORPUS_FILE);
	f = fopen(path, "r");
	cr_assert_not_null(f, "libical's recurrence cases are not at %s "
	    "(the shared corpus sits beside the repository: set "
	    "DAYHUB_CORPUS to it, or DAYHUB_SRCDIR to the source tree)",
	    path);
	known_load();

	memset(&c, 0, sizeof c);
	while (!eof) {
		if (getline(&line, &cap, f) == -1) {
			eof = 1;
			free(line);
			line = strdup("");
		} else
			lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#')
			continue;
		if (line[0] != '\0') {
			if ((v = strchr(line, ':')) == NULL)
				cr_assert_fail("%s:%d: no field name: %s",
				    path, lineno, line);
			*v++ = '\0';
			if (c.rrule == NULL)
				c.line = lineno;
			if (strcmp(line, "RRULE") == 0)
				c.rrule = strdup(v);
			else if (strcmp(line, "DTSTART") == 0)
				c.dtstart = strdup(v);
			else if (strcmp(line, "START-AT") == 0)
				c.start_at = strdup(v);
			else if (strcmp(line, "INSTANCES") == 0)
				c.instances = strdup(v);
			else
				cr_assert_fail("%s:%d: unknown field %s", path,
				    lineno, line);
			continue;
		}
		if (c.rrule == NULL)
			continue;
		cr_assert(c.dtstart != NULL && c.instances != NULL,
		    "%s:%d: a case without DTSTART or INSTANCES", path,
		    c.line);

		total++;
		if ((reason = corpus_not_applicable(&c, why, sizeof why)) !=
		    NULL) {
			for (i = 0; i < nna; i++)
				if (strcmp(na[i].why, reason) == 0)
					break;
			if (i == nna) {
				cr_assert_lt(nna, sizeof na / sizeof na[0]);
				na[nna].why = strdup(reason);
				na[nna++].n = 0;
			}
			na[i].n++;
			skipped++;
		} else if (corpus_run(&c, why, sizeof why))
			agree++;
		else {
			case_key(&c, key, sizeof key);
			known_mark(key, 0);
			for (i = 0; i < nknown; i++)
				if (strcmp(known[i].key, key) == 0 &&
				    !known[i].listed)
					cr_log_error("line %d disagrees and is "
					    "not listed in %s: %s\n  %s",
					    c.line, KNOWN_PATH + 1, key, why);
		}
		free(c.rrule);
		free(c.dtstart);
		free(c.start_at);
		free(c.instances);
		memset(&c, 0, sizeof c);
	}
	free(line);
	fclose(f);

	snprintf(summary, sizeof summary, "%d of %d cases agree, %d not "
	    "applicable:", agree, total - skipped, skipped);
	for (i = 0; i < nna; i++) {
		snprintf(summary + strlen(summary), sizeof summary -
		    strlen(summary), "%s %d %s", i == 0 ? "" : ";", na[i].n,
		    na[i].why);
		free(na[i].why);
	}
	fprintf(stderr, "test_occur: libical %s: %s\n", libical_version(),
	    summary);

	cr_expect_gt(total, 100, "only %d cases were read from %s", total,
	    path);
	/* Refusing more by design must not quietly shrink the comparison. */
	cr_expect_geq(total - skipped, MIN_APPLICABLE, "only %d cases are "
	    "applicable: %s", total - skipped, summary);
	cr_expect_geq(agree, MIN_AGREEMENT * (total - skipped),
	    "too few cases agree: %s", summary);
	for (i = 0; i < nknown; i++) {
		if (known[i].found && !known[i].listed)
			stale++;
		if (known[i].listed && !known[i].found) {
			cr_log_error("listed in %s but agrees now (or is "
			    "gone): %s", KNOWN_PATH + 1, known[i].key);
			stale++;
		}
		free(known[i].key);
	}
	free(known);
	known = NULL;
	nknown = 0;
	cr_expect_eq(stale, 0, "%s does not match the disagreements found "
	    "with libical %s (see above)", KNOWN_PATH + 1, libical_version());
}
