/*
 * occur.c - an activity's start and repeat rule expanded into the
 * occurrences that searching by date looks at.
 *
 * libical's iterator steps through wall-clock times in the record's own
 * zone, so a session at 10:00 in Europe/London stays at 10:00 when the
 * clocks change and only its UTC instant moves; this file turns those
 * wall-clock times into instants, adds the extra dates (RDATE), takes out
 * the cancelled ones (EXDATE), keeps what starts inside the asked window,
 * and bounds all of it.  The set follows RFC 5545: an activity's own start
 * is always one of its occurrences, even when it does not fit its rule.
 *
 * The bounds: a rule is at most OCCUR_MAX_RULE bytes.  Rules that
 * repeat every hour or more often are refused (no session timetable
 * does), and so are the parts libical 3.0 gets silently wrong and rules
 * no date can match (libical would look for one up to the year 20000).
 * The iterator stops after OCCUR_MAX_STEPS steps, and its UNTIL is pulled
 * in to just past the window, so that a daily rule nothing satisfies (the
 * 30th of February) is not searched for centuries inside one call.  The
 * caller says how many occurrences it keeps.
 *
 * The only state here is the zone lock below: everything else lives on
 * the caller's stack or in memory freed before return, and libical keeps
 * its error number per thread, so expansions may run on any thread.
 * libical 3.0.16 guards its zone cache only in part: the first lookup
 * publishes the zone table before filling it, a name missing from
 * zone.tab is appended to it unlocked, and loading a zone's rules
 * rewrites the name that lookups compare; so occur.c looks zones up, and
 * loads them, under a lock of its own.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <libical/ical.h>

#include "dayhub.h"

#define OCCUR_DEFAULT_ZONE	"Europe/London"
#define OCCUR_MAX_TIME		64	/* bytes of one time as given */
#define OCCUR_QUOTE		80	/* bytes of outside text in a message */
#define OCCUR_MIN_YEAR		1900
#define OCCUR_MAX_YEAR		2500	/* libical's own limit is 2582 */
#define OCCUR_DAY		86400
#define OCCUR_UNTIL_MARGIN	(2 * OCCUR_DAY)	/* beyond any UTC offset */
#define OCCUR_MAX_DURATION	(366L * OCCUR_DAY)

/* Serialises zone lookups: see the top of the file. */

/* A time as written: a date, or a date and time with or without offset. */
struct otime {
	int	year, month, day;
	int	hour, minute, second;
	int	is_date;
	int	has_offset;
	int	offset;			/* seconds east of UTC */
};

/* One day of the calendar, as occur_refuse_never() checks rules on it. */
struct occur_day {
	int	month, day, mlen;	/* mlen: days in its month */
	int	wday;			/* 0 Sunday .. 6 Saturday */
	int	yday, ylen;		/* day of the year, days in it */
	int	inmonth;		/* BYDAY=2MO counts in the month */
};

/* One expansion in progress. */
struct occur_ctx {
	icaltimezone		*zone;
	int			 allday;	/* the start is a date */
	long			 duration;	/* seconds */
	int			 days;		/* all-day: whole days, or 0 */
	struct icaltimetype	 dtstart;	/* wall clock, in zone */
	time_t			 from;
	time_t			 to;
	time_t			*ex_at;		/* cancelled instants, sorted */
	size_t			 nex_at;
	long			*ex_day;	/* cancelled days, yyyymmdd */
	size_t			 nex_day;
	struct occurrence	*list;
	size_t			 n;
	size_t			 cap;
	char			*err;
	size_t			 errlen;
};

static void	 occur_note(struct occur_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static const char *occur_quote(const char *, char *, size_t);
static int	 occur_time_parse(const char *, struct otime *);
static int	 occur_digits(const char **, int, int *);
static icaltimezone *occur_zone(const char *);
static struct icaltimetype occur_fields(const struct otime *, int);
static time_t	 occur_instant(const struct otime *);
static long	 occur_daykey(int, int, int);
static int	 occur_cmp_time(const void *, const void *);
static int	 occur_cmp_long(const void *, const void *);
static int	 occur_cmp(const void *, const void *);
static void	 occur_exdates(struct occur_ctx *, const char *const *,
		    size_t);
static int	 occur_excluded(const struct occur_ctx *, time_t,
		    struct icaltimetype);
static void	 occur_add(struct occur_ctx *, time_t, struct icaltimetype);
static void	 occur_add_local(struct occur_ctx *, struct icaltimetype);
static void	 occur_rdates(struct occur_ctx *, const char *const *,
		    size_t);
static struct icaltimetype occur_local(time_t, icaltimezone *);
static size_t	 occur_by_count(const short *, size_t);
static void	 occur_by_dedupe(short *, size_t);
static int	 occur_refuse_often(const struct icalrecurrencetype *,
		    const struct icaltimetype *);
static int	 occur_refuse_calendar(const struct icalrecurrencetype *,
		    const struct icaltimetype *);
static int	 occur_refuse_weekno(const struct icalrecurrencetype *,
		    const struct icaltimetype *);
static int	 occur_refuse_setpos(const struct icalrecurrencetype *,
		    const struct icaltimetype *);
static int	 occur_refuse_fromend(const struct icalrecurrencetype *,
		    const struct icaltimetype *);
static int	 occur_refuse_never(const struct icalrecurrencetype *,
		    const struct icaltimetype *);
static int	 occur_by_holds(const short *, size_t, int, int);
static int	 occur_day_fits(const struct icalrecurrencetype *,
		    const struct occur_day *);
static int	 occur_rule(struct occur_ctx *, const char *, size_t max);
static int	 occur_expand_set(const char *, const char *, const char *,
		    const char *const *, size_t, const char *const *, size_t,
		    long, int, time_t, time_t, struct occurrence *, size_t,
		    char *, size_t);
static const char **occur_strings(struct occur_ctx *, const json_t *,
		    const char *, size_t *);
static long	 occur_record_duration(struct occur_ctx *, const json_t *,
		    const json_t *, const char *);

/*
 * Rules refused before they are run, in the order they are tried.  The
 * first two are no session timetable whatever the library; the next
 * three are parts libical 3.0 (3.0.16, Debian 12) gets silently wrong, so
 * that a wrong date is never published: the caller keeps the activity's
 * own start instead, and the feed's health says why.  The last spares
 * the worker: libical 3.0 looks for the first month or year a rule
 * matches up to the year 20000, a second or more of work for a rule that
 * never does.
 */
static const struct {
	int		(*refuse)(const struct icalrecurrencetype *,
			    const struct icaltimetype *);
	const char	*why;
} occur_refusals[] = {
	{ occur_refuse_often, "a rule that repeats every hour or more often "
	  "is not a session timetable" },
	{ occur_refuse_calendar, "it counts in a calendar other than the "
	  "Gregorian one" },
	{ occur_refuse_weekno, "week numbers (BYWEEKNO) are not read, as "
	  "libical 3.0 miscounts them" },
	{ occur_refuse_setpos, "libical 3.0 ignores BYSETPOS in a daily or "
	  "weekly rule" },
	{ occur_refuse_fromend, "libical 3.0 never matches a day counted from "
	  "the end of the month or year (a negative BYMONTHDAY or BYYEARDAY) "
	  "in a daily rule" },
	{ occur_refuse_never, "no date can ever match it" },
};

/* Adds a message to the caller's buffer, after any already there. */
static void
occur_note(struct occur_ctx *ctx, const char *fmt, ...)
{
	va_list	ap;
	size_t	used;

	if (ctx->err == NULL || ctx->errlen == 0)
		return;
	used = strlen(ctx->err);
	if (used > 0 && used + 2 < ctx->errlen) {
		memcpy(ctx->err + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= ctx->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ctx->err + used, ctx->errlen - used, fmt, ap);
	va_end(ap);
}

/*
 * Copies at most OCCUR_QUOTE bytes of outside text for a message, with
 * anything but printable ASCII (and the quote mark) shown as '?', so a
 * message is always valid UTF-8 for the JSON it ends up in.
 */
static const char *
occur_quote(const char *s, char *buf, size_t len)
{
	size_t	i;

	if (s == NULL)
		s = "";
	for (i = 0; s[i] != '\0' && i + 4 < len && i < OCCUR_QUOTE; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' ?
		    s[i] : '?';
	if (s[i] != '\0' && i + 3 < len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* Reads exactly `n` digits into `*v`.  Returns 0, or -1. */
static int
occur_digits(const char **pp, int n, int *v)
{
	const char	*p = *pp;
	int		 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		*v = *v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	return 0;
}

/*
 * Reads a time from outside (a feed by way of a record, or a test): an
 * RFC 3339 date ("2026-12-01"), date-time with 'T', 't' or ' ' between,
 * seconds and fraction optional, and an optional Z or offset (+01:00,
 * +0100, +01); or an iCalendar DATE ("20261201") or DATE-TIME
 * ("20261201T100000", optional Z).  At most OCCUR_MAX_TIME bytes, years
 * OCCUR_MIN_YEAR to OCCUR_MAX_YEAR, every field range-checked (a leap
 * second reads as :59).  Fills `t` and returns 0, or returns -1.
 */
static int
occur_time_parse(const char *s, struct otime *t)
{
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	const char	*p = s;
	int		 basic, sign, oh = 0, om = 0, max;

	memset(t, 0, sizeof *t);
	if (s == NULL || strnlen(s, OCCUR_MAX_TIME + 1) > OCCUR_MAX_TIME)
		return -1;
	if (occur_digits(&p, 4, &t->year) == -1)
		return -1;
	basic = *p != '-';
	if (!basic)
		p++;
	if (occur_digits(&p, 2, &t->month) == -1 ||
	    (!basic && *p++ != '-') || occur_digits(&p, 2, &t->day) == -1)
		return -1;
	if (t->year < OCCUR_MIN_YEAR || t->year > OCCUR_MAX_YEAR ||
	    t->month < 1 || t->month > 12)
		return -1;
	max = mdays[t->month - 1];
	if (t->month == 2 && (t->year % 4 == 0 &&
	    (t->year % 100 != 0 || t->year % 400 == 0)))
		max = 29;
	if (t->day < 1 || t->day > max)
		return -1;
	if (*p == '\0') {
		t->is_date = 1;
		return 0;
	}

	if (*p != 'T' && *p != 't' && (basic || *p != ' '))
		return -1;
	p++;
	if (occur_digits(&p, 2, &t->hour) == -1 ||
	    (!basic && *p++ != ':') || occur_digits(&p, 2, &t->minute) == -1)
		return -1;
	if (basic) {
		if (occur_digits(&p, 2, &t->second) == -1)
			return -1;
	} else if (*p == ':') {
		p++;
		if (occur_digits(&p, 2, &t->second) == -1)
			return -1;
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (t->hour > 23 || t->minute > 59 || t->second > 60)
		return -1;
	if (t->second == 60)
		t->second = 59;
	if (*p == '\0')
		return 0;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		t->has_offset = 1;
		return 0;
	}
	if (basic || (*p != '+' && *p != '-'))
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (occur_digits(&p, 2, &oh) == -1)
		return -1;
	if (*p == ':')
		p++;
	if (*p != '\0' && occur_digits(&p, 2, &om) == -1)
		return -1;
	if (*p != '\0' || oh > 23 || om > 59)
		return -1;
	t->has_offset = 1;
	t->offset = sign * (oh * 3600 + om * 60);
	return 0;
}

/* The zone called `tzid` (NULL or "": Europe/London), or NULL. */
static icaltimezone *
occur_zone(const char *tzid)
{
	if (tzid == NULL || *tzid == '\0')
		tzid = OCCUR_DEFAULT_ZONE;
	return zone_find(tzid);
}

/* The fields of `t` as a libical time, a date when `as_date`. */
static struct icaltimetype
occur_fields(const struct otime *t, int as_date)
{
	struct icaltimetype	tt = icaltime_null_time();

	tt.year = t->year;
	tt.month = t->month;
	tt.day = t->day;
	tt.is_date = as_date;
	if (!as_date) {
		tt.hour = t->hour;
		tt.minute = t->minute;
		tt.second = t->second;
	}
	return tt;
}

/* The instant of a time given with an offset (else: its fields as UTC). */
static time_t
occur_instant(const struct otime *t)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->month - 1;
	tm.tm_mday = t->day;
	tm.tm_hour = t->hour;
	tm.tm_min = t->minute;
	tm.tm_sec = t->second;
	return timegm(&tm) - t->offset;
}

/* A day as one comparable number. */
static long
occur_daykey(int year, int month, int day)
{
	return (long)year * 10000 + month * 100 + day;
}

/* Orders instants, for qsort() and bsearch(). */
static int
occur_cmp_time(const void *a, const void *b)
{
	time_t	x = *(const time_t *)a, y = *(const time_t *)b;

	return x < y ? -1 : x > y;
}

/* Orders day numbers, for qsort() and bsearch(). */
static int
occur_cmp_long(const void *a, const void *b)
{
	long	x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* Orders occurrences by start, then end. */
static int
occur_cmp(const void *a, const void *b)
{
	const struct occurrence	*x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/*
 * Files the cancelled dates: a time cancels the occurrence starting at
 * that instant, a date cancels every occurrence on that day in the zone,
 * and in an all-day series any time cancels its day.  Unreadable ones
 * are skipped with a note.
 */
static void
occur_exdates(struct occur_ctx *ctx, const char *const *ex, size_t nex)
{
	struct otime		 t;
	struct icaltimetype	 tt;
	char			 q[OCCUR_QUOTE + 8];
	time_t			 at;
	size_t			 i;

	if (nex == 0)
		return;
	ctx->ex_at = xreallocarray(NULL, nex, sizeof *ctx->ex_at);
	ctx->ex_day = xreallocarray(NULL, nex, sizeof *ctx->ex_day);
	for (i = 0; i < nex; i++) {
		if (occur_time_parse(ex[i], &t) == -1) {
			occur_note(ctx, "the cancelled date \"%s\" could not "
			    "be read: ignored", occur_quote(ex[i], q,
			    sizeof q));
			continue;
		}
		if (t.is_date) {
			ctx->ex_day[ctx->nex_day++] = occur_daykey(t.year,
			    t.month, t.day);
			continue;
		}
		if (t.has_offset) {
			at = occur_instant(&t);
			tt = occur_local(at, ctx->zone);
		} else {
			tt = occur_fields(&t, 0);
			at = icaltime_as_timet_with_zone(tt, ctx->zone);
		}
		if (ctx->allday)
			ctx->ex_day[ctx->nex_day++] = occur_daykey(tt.year,
			    tt.month, tt.day);
		else
			ctx->ex_at[ctx->nex_at++] = at;
	}
	qsort(ctx->ex_at, ctx->nex_at, sizeof *ctx->ex_at, occur_cmp_time);
	qsort(ctx->ex_day, ctx->nex_day, sizeof *ctx->ex_day, occur_cmp_long);
}

/* Whether the occurrence at `start`, `local` on the wall, is cancelled. */
static int
occur_excluded(const struct occur_ctx *ctx, time_t start,
    struct icaltimetype local)
{
	long	day = occur_daykey(local.year, local.month, local.day);

	return (ctx->nex_at > 0 && bsearch(&start, ctx->ex_at, ctx->nex_at,
	    sizeof *ctx->ex_at, occur_cmp_time) != NULL) ||
	    (ctx->nex_day > 0 && bsearch(&day, ctx->ex_day, ctx->nex_day,
	    sizeof *ctx->ex_day, occur_cmp_long) != NULL);
}

/*
 * Keeps the occurrence starting at `start` (`local` is the same moment on
 * the zone's wall clock) if it is in the window and not cancelled.
 */
static void
occur_add(struct occur_ctx *ctx, time_t start, struct icaltimetype local)
{
	struct icaltimetype	 next;
	time_t			 end;

	if (start < ctx->from || start >= ctx->to ||
	    occur_excluded(ctx, start, local))
		return;
	if (ctx->allday && ctx->days > 0) {
		/* A day is midnight to midnight: 23 or 25 hours at a change. */
		next = icaltime_null_time();
		next.year = local.year;
		next.month = local.month;
		next.day = local.day;
		next.is_date = 1;
		icaltime_adjust(&next, ctx->days, 0, 0, 0);
		end = icaltime_as_timet_with_zone(next, ctx->zone);
	} else
		end = start + ctx->duration;
	if (ctx->n == ctx->cap) {
		ctx->cap = ctx->cap == 0 ? 16 : ctx->cap * 2;
		ctx->list = xreallocarray(ctx->list, ctx->cap,
		    sizeof *ctx->list);
	}
	ctx->list[ctx->n].start = start;
	ctx->list[ctx->n].end = end;
	ctx->n++;
}

/* occur_add() for a wall-clock time in the zone. */
static void
occur_add_local(struct occur_ctx *ctx, struct icaltimetype local)
{
	occur_add(ctx, icaltime_as_timet_with_zone(local, ctx->zone), local);
}

/*
 * Adds the extra dates.  A time with an offset is that instant; one
 * without is read on the zone's wall clock; a date in a timed series
 * takes the series' time of day.  Unreadable ones are skipped with a note.
 */
static void
occur_rdates(struct occur_ctx *ctx, const char *const *rd, size_t nrd)
{
	struct otime		 t;
	struct icaltimetype	 tt;
	char			 q[OCCUR_QUOTE + 8];
	time_t			 at;
	size_t			 i;

	for (i = 0; i < nrd; i++) {
		if (occur_time_parse(rd[i], &t) == -1) {
			occur_note(ctx, "the extra date \"%s\" could not be "
			    "read: ignored", occur_quote(rd[i], q, sizeof q));
			continue;
		}
		if (t.has_offset) {
			at = occur_instant(&t);
			occur_add(ctx, at, occur_local(at, ctx->zone));
			continue;
		}
		tt = occur_fields(&t, t.is_date && ctx->allday);
		if (t.is_date && !ctx->allday) {
			tt.hour = ctx->dtstart.hour;
			tt.minute = ctx->dtstart.minute;
			tt.second = ctx->dtstart.second;
		}
		occur_add_local(ctx, tt);
	}
}

/*
 * The wall-clock time of instant `t` in `zone`.  libical 3.0.16 leaves
 * such a time marked as UTC, which would make it compare as UTC against
 * a rule's UNTIL; the zone is set here.
 */
static struct icaltimetype
occur_local(time_t t, icaltimezone *zone)
{
	struct icaltimetype	tt;

	tt = icaltime_from_timet_with_zone(t, 0, zone);
	tt.zone = zone;
	return tt;
}

/* How many values a rule's BY list holds. */
static size_t
occur_by_count(const short *by, size_t size)
{
	size_t	n;

	for (n = 0; n < size && by[n] != ICAL_RECURRENCE_ARRAY_MAX; n++)
		;
	return n;
}

/*
 * Drops repeated values from a BY list, which means the same set:
 * libical 3.0 counts the second TH of "BYDAY=TH,TH" towards COUNT.
 */
static void
occur_by_dedupe(short *by, size_t size)
{
	size_t	n = occur_by_count(by, size), i, j, k;

	for (i = k = 0; i < n; i++) {
		for (j = 0; j < k && by[j] != by[i]; j++)
			;
		if (j == k)
			by[k++] = by[i];
	}
	if (k < n)
		by[k] = ICAL_RECURRENCE_ARRAY_MAX;
}

/*
 * Starts an hour or less apart: an hourly or finer frequency, several
 * seconds or minutes, or two hours next to each other.
 */
static int
occur_refuse_often(const struct icalrecurrencetype *r,
    const struct icaltimetype *dtstart)
{
	size_t	n, i, j;
	int	d;

	if (r->freq == ICAL_SECONDLY_RECURRENCE ||
	    r->freq == ICAL_MINUTELY_RECURRENCE ||
	    r->freq == ICAL_HOURLY_RECURRENCE)
		return 1;
	if (occur_by_count(r->by_second, ICAL_BY_SECOND_SIZE) > 1 ||
	    occur_by_count(r->by_minute, ICAL_BY_MINUTE_SIZE) > 1)
		return 1;
	n = occur_by_count(r->by_hour, ICAL_BY_HOUR_SIZE);
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			d = abs(r->by_hour[i] - r->by_hour[j]);
			if (d == 1 || d == 23)
				return 1;
		}
	}
	return 0;
}

/* A non-Gregorian RSCALE (RFC 7529). */
static int
occur_refuse_calendar(const struct icalrecurrencetype *r,
    const struct icaltimetype *dtstart)
{
	return r->rscale != NULL && strcasecmp(r->rscale, "GREGORIAN") != 0;
}

/* Any BYWEEKNO. */
static int
occur_refuse_weekno(const struct icalrecurrencetype *r,
    const struct icaltimetype *dtstart)
{
	return occur_by_count(r->by_week_no, ICAL_BY_WEEKNO_SIZE) > 0;
}

/* BYSETPOS where libical 3.0 applies it only to monthly and yearly. */
static int
occur_refuse_setpos(const struct icalrecurrencetype *r,
    const struct icaltimetype *dtstart)
{
	return r->freq != ICAL_MONTHLY_RECURRENCE &&
	    r->freq != ICAL_YEARLY_RECURRENCE &&
	    occur_by_count(r->by_set_pos, ICAL_BY_SETPOS_SIZE) > 0;
}

/* A negative BYMONTHDAY or BYYEARDAY in a daily rule. */
static int
occur_refuse_fromend(const struct icalrecurrencetype *r,
    const struct icaltimetype *dtstart)
{
	size_t	i, n;

	if (r->freq != ICAL_DAILY_RECURRENCE)
		return 0;
	n = occur_by_count(r->by_month_day, ICAL_BY_MONTHDAY_SIZE);
	for (i = 0; i < n; i++)
		if (r->by_month_day[i] < 0)
			return 1;
	n = occur_by_count(r->by_year_day, ICAL_BY_YEARDAY_SIZE);
	for (i = 0; i < n; i++)
		if (r->by_year_day[i] < 0)
			return 1;
	return 0;
}

/*
 * Whether a BY list is empty or holds `v`: as it is, or as a negative
 * counting back from the end of `len`.
 */
static int
occur_by_holds(const short *by, size_t size, int v, int len)
{
	size_t	i, n = occur_by_count(by, size);

	for (i = 0; i < n; i++)
		if (by[i] == v || (by[i] < 0 && len + 1 + by[i] == v))
			return 1;
	return n == 0;
}

/*
 * Whether a day fits the rule's BYMONTH, BYMONTHDAY, BYYEARDAY and BYDAY
 * (RFC 5545 3.3.10; a negative value counts from the end).
 */
static int
occur_day_fits(const struct icalrecurrencetype *r, const struct occur_day *d)
{
	size_t	i, n;
	int	pos, nth, wday;

	if (!occur_by_holds(r->by_month, ICAL_BY_MONTH_SIZE, d->month, 12) ||
	    !occur_by_holds(r->by_month_day, ICAL_BY_MONTHDAY_SIZE, d->day,
	    d->mlen) ||
	    !occur_by_holds(r->by_year_day, ICAL_BY_YEARDAY_SIZE, d->yday,
	    d->ylen))
		return 0;
	if ((n = occur_by_count(r->by_day, ICAL_BY_DAY_SIZE)) > 0) {
		for (i = 0; i < n; i++) {
			/* libical counts weekdays from 1, Sunday. */
			wday = (int)icalrecurrencetype_day_day_of_week(
			    r->by_day[i]) - 1;
			if (wday != d->wday)
				continue;
			if ((pos = icalrecurrencetype_day_position(
			    r->by_day[i])) == 0)
				break;
			if (d->inmonth)
				nth = pos > 0 ? (d->day - 1) / 7 + 1 :
				    (d->mlen - d->day) / 7 + 1;
			else
				nth = pos > 0 ? (d->yday - 1) / 7 + 1 :
				    (d->ylen - d->yday) / 7 + 1;
			if (abs(pos) == nth)
				break;
		}
		if (i == n)
			return 0;
	}
	return 1;
}

/*
 * A monthly or yearly rule no month or year can ever satisfy.  Every
 * kind of year is tried (leap or not, starting on each weekday), and for
 * a monthly rule only the months its INTERVAL can reach from the start;
 * each month (or year) must hold a day that fits, and as many candidate
 * times as some BYSETPOS asks for.  A rule that names no day takes the
 * start's (RFC 5545: FREQ=MONTHLY from the 31st means the 31st, so with
 * BYMONTH=2 it never happens).  When in doubt it answers no.
 */
static int
occur_refuse_never(const struct icalrecurrencetype *rule,
    const struct icaltimetype *dtstart)
{
	struct icalrecurrencetype	 implied = *rule;
	const struct icalrecurrencetype	*r = &implied;
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	struct occur_day	 d;
	size_t			 nset, i;
	long			 times, count;
	int			 monthly, leap, jan1, m, g, a, b, w1, ok;

	monthly = r->freq == ICAL_MONTHLY_RECURRENCE;
	if ((!monthly && r->freq != ICAL_YEARLY_RECURRENCE) ||
	    (monthly && occur_by_count(r->by_year_day,
	    ICAL_BY_YEARDAY_SIZE) > 0))
		return 0;
	if (occur_by_count(r->by_day, ICAL_BY_DAY_SIZE) == 0 &&
	    occur_by_count(r->by_month_day, ICAL_BY_MONTHDAY_SIZE) == 0 &&
	    occur_by_count(r->by_year_day, ICAL_BY_YEARDAY_SIZE) == 0) {
		implied.by_month_day[0] = (short)dtstart->day;
		implied.by_month_day[1] = ICAL_RECURRENCE_ARRAY_MAX;
		if (!monthly &&
		    occur_by_count(r->by_month, ICAL_BY_MONTH_SIZE) == 0) {
			implied.by_month[0] = (short)dtstart->month;
			implied.by_month[1] = ICAL_RECURRENCE_ARRAY_MAX;
		}
	}
	times = 1;
	if (!dtstart->is_date) {
		if ((i = occur_by_count(r->by_hour, ICAL_BY_HOUR_SIZE)) > 0)
			times *= (long)i;
		if ((i = occur_by_count(r->by_minute, ICAL_BY_MINUTE_SIZE)) > 0)
			times *= (long)i;
		if ((i = occur_by_count(r->by_second, ICAL_BY_SECOND_SIZE)) > 0)
			times *= (long)i;
	}
	nset = occur_by_count(r->by_set_pos, ICAL_BY_SETPOS_SIZE);
	/* The months an INTERVAL of months reaches: gcd(interval, 12). */
	for (a = r->interval > 0 ? r->interval : 1, b = 12; b != 0; ) {
		g = a % b;
		a = b;
		b = g;
	}
	g = a;

	memset(&d, 0, sizeof d);
	d.inmonth = monthly ||
	    occur_by_count(r->by_month, ICAL_BY_MONTH_SIZE) > 0;
	for (leap = 0; leap <= 1; leap++) {
		d.ylen = 365 + leap;
		for (jan1 = 0; jan1 < 7; jan1++) {
			count = 0;
			d.yday = 0;
			for (m = 1; m <= 12; m++) {
				d.month = m;
				d.mlen = mdays[m - 1] + (m == 2 ? leap : 0);
				w1 = (jan1 + d.yday) % 7;
				if (monthly) {
					count = 0;
					if (((m - dtstart->month) % g + g) % g
					    != 0) {
						d.yday += d.mlen;
						continue;
					}
				}
				for (d.day = 1; d.day <= d.mlen; d.day++) {
					d.wday = (w1 + d.day - 1) % 7;
					d.yday++;
					count += occur_day_fits(r, &d);
				}
				if (!monthly && m < 12)
					continue;
				count *= times;
				ok = count > 0 && nset == 0;
				for (i = 0; !ok && count > 0 && i < nset; i++)
					ok = abs(r->by_set_pos[i]) <= count;
				if (ok)
					return 0;
			}
		}
	}
	return 1;
}

/*
 * Runs the repeat rule from the start, keeping at most max + 1 of its
 * occurrences in the window (one more than asked tells truncation).
 * Returns 0, or -1 with the reason in ctx->err.
 */
static int
occur_rule(struct occur_ctx *ctx, const char *rrule, size_t max)
{
	struct icalrecurrencetype	 rule;
	struct icaltimetype		 next, clamp;
	icalrecur_iterator		*it = NULL;
	char				 q[OCCUR_QUOTE + 8];
	time_t				 start, until, limit;
	size_t				 steps = 0, kept = 0, before, i;
	int				 ret = -1;

	if (strncasecmp(rrule, "RRULE:", 6) == 0)
		rrule += 6;
	occur_quote(rrule, q, sizeof q);
	if (strnlen(rrule, OCCUR_MAX_RULE + 1) > OCCUR_MAX_RULE) {
		occur_note(ctx, "the repeat rule \"%s\" could not be read: it "
		    "is longer than %d bytes", q, OCCUR_MAX_RULE);
		return -1;
	}

	icalerror_clear_errno();
	rule = icalrecurrencetype_from_string(rrule);
	if (rule.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		occur_note(ctx, "the repeat rule \"%s\" could not be read", q);
		goto fail;
	}
	/* A list means a set: repeats go before it is judged or run. */
	occur_by_dedupe(rule.by_second, ICAL_BY_SECOND_SIZE);
	occur_by_dedupe(rule.by_minute, ICAL_BY_MINUTE_SIZE);
	occur_by_dedupe(rule.by_hour, ICAL_BY_HOUR_SIZE);
	occur_by_dedupe(rule.by_day, ICAL_BY_DAY_SIZE);
	occur_by_dedupe(rule.by_month_day, ICAL_BY_MONTHDAY_SIZE);
	occur_by_dedupe(rule.by_year_day, ICAL_BY_YEARDAY_SIZE);
	occur_by_dedupe(rule.by_month, ICAL_BY_MONTH_SIZE);
	occur_by_dedupe(rule.by_set_pos, ICAL_BY_SETPOS_SIZE);
	for (i = 0; i < sizeof occur_refusals / sizeof occur_refusals[0];
	    i++) {
		if (occur_refusals[i].refuse(&rule, &ctx->dtstart)) {
			occur_note(ctx, "the repeat rule \"%s\" was refused: "
			    "%s", q, occur_refusals[i].why);
			goto fail;
		}
	}

	/*
	 * Nothing at or after `to` is kept, so the rule may end just past
	 * it; libical checks UNTIL at every step, which also stops a rule
	 * that can never match from searching to the year 2582.
	 */
	limit = ctx->to + OCCUR_UNTIL_MARGIN;
	if (icaltime_is_null_time(rule.until))
		until = limit + 1;
	else
		until = icaltime_as_timet_with_zone(rule.until,
		    rule.until.is_date || rule.until.zone == NULL ?
		    ctx->zone : rule.until.zone);
	if (until > limit) {
		clamp = icaltime_from_timet_with_zone(limit, 0,
		    icaltimezone_get_utc_timezone());
		rule.until = clamp;
	}

	if ((it = icalrecur_iterator_new(rule, ctx->dtstart)) == NULL) {
		occur_note(ctx, "the repeat rule \"%s\" could not be read: "
		    "its parts do not fit together (%s)", q,
		    icalerror_strerror(icalerrno));
		goto fail;
	}
	for (;;) {
		next = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(next))
			break;
		if (++steps > OCCUR_MAX_STEPS) {
			occur_note(ctx, "the repeat rule \"%s\" was stopped "
			    "after %d repetitions", q, OCCUR_MAX_STEPS);
			break;
		}
		start = icaltime_as_timet_with_zone(next, ctx->zone);
		if (start >= ctx->to)
			break;
		before = ctx->n;
		occur_add(ctx, start, next);
		if (ctx->n > before && ++kept > max)
			break;
	}
	ret = 0;

fail:
	if (it != NULL)
		icalrecur_iterator_free(it);
	free(rule.rscale);	/* the parser's copy; nothing else frees it */
	return ret;
}

/*
 * The shared path of both entry points; `with_dtstart` makes the start
 * an occurrence whether or not it fits the rule (RFC 5545's set), as a
 * record's start is a session its publisher announced.  Notes go after
 * whatever `err` already holds.
 */
static int
occur_expand_set(const char *dtstart, const char *tzid, const char *rrule,
    const char *const *exdates, size_t nexdates, const char *const *rdates,
    size_t nrdates, long duration_s, int with_dtstart, time_t from,
    time_t to, struct occurrence *out, size_t max, char *err, size_t errlen)
{
	struct occur_ctx	 ctx;
	struct otime		 t;
	char			 q[OCCUR_QUOTE + 8];
	time_t			 at, first, last;
	size_t			 i, n;
	int			 ret = -1;

	memset(&ctx, 0, sizeof ctx);
	ctx.err = err;
	ctx.errlen = errlen;
	ctx.from = from;
	ctx.to = to;
	if (max > INT_MAX)
		max = INT_MAX;

	if ((ctx.zone = occur_zone(tzid)) == NULL) {
		occur_note(&ctx, "the time zone \"%s\" is unknown: times were "
		    "read in UTC", occur_quote(tzid, q, sizeof q));
		ctx.zone = icaltimezone_get_utc_timezone();
	}
	if (occur_time_parse(dtstart, &t) == -1) {
		occur_note(&ctx, "the start \"%s\" could not be read",
		    occur_quote(dtstart, q, sizeof q));
		goto fail;
	}
	ctx.allday = t.is_date;
	if (t.is_date) {
		ctx.dtstart = occur_fields(&t, 1);
		at = icaltime_as_timet_with_zone(ctx.dtstart, ctx.zone);
	} else if (t.has_offset) {
		/* The instant rules; its wall-clock time is the zone's. */
		at = occur_instant(&t);
		ctx.dtstart = occur_local(at, ctx.zone);
	} else {
		ctx.dtstart = occur_fields(&t, 0);
		icaltime_set_timezone(&ctx.dtstart, ctx.zone);
		at = icaltime_as_timet_with_zone(ctx.dtstart, ctx.zone);
	}

	if (duration_s < 0 || duration_s > OCCUR_MAX_DURATION) {
		occur_note(&ctx, "a duration of %ld seconds makes no sense: "
		    "taken as none", duration_s);
		duration_s = 0;
	}
	ctx.duration = duration_s;
	if (ctx.allday) {
		if (duration_s == 0)
			ctx.days = 1;
		else if (duration_s % OCCUR_DAY == 0)
			ctx.days = (int)(duration_s / OCCUR_DAY);
	}
	/* Outside the years a start may have, nothing can be asked for. */
	first = -(time_t)(1970 - OCCUR_MIN_YEAR) * 366 * OCCUR_DAY;
	last = (time_t)(OCCUR_MAX_YEAR - 1970) * 365 * OCCUR_DAY;
	if (ctx.to > last)
		ctx.to = last;
	if (ctx.to < first)
		ctx.to = first;

	occur_exdates(&ctx, exdates, nexdates);
	if (rrule != NULL && *rrule != '\0' &&
	    occur_rule(&ctx, rrule, max) == -1)
		goto fail;
	if (with_dtstart || rrule == NULL || *rrule == '\0')
		occur_add(&ctx, at, ctx.dtstart);
	occur_rdates(&ctx, rdates, nrdates);

	if (ctx.n > 0)
		qsort(ctx.list, ctx.n, sizeof *ctx.list, occur_cmp);
	for (i = n = 0; i < ctx.n; i++) {
		if (n > 0 && ctx.list[i].start == ctx.list[n - 1].start)
			continue;
		ctx.list[n++] = ctx.list[i];
	}
	if (n > max) {
		occur_note(&ctx, "only the first %zu occurrences were kept",
		    max);
		n = max;
	}
	if (n > 0)
		memcpy(out, ctx.list, n * sizeof *out);
	ret = (int)n;

fail:
	free(ctx.list);
	free(ctx.ex_at);
	free(ctx.ex_day);
	return ret;
}

/*
 * Expands one repeat rule, for the tests and for callers without a
 * record.  `dtstart` is an RFC 3339 date, date-time with an offset (an
 * instant) or without one (wall-clock time in `tzid`), or an iCalendar
 * DATE or DATE-TIME; a date makes an all-day series.  `tzid` is an IANA
 * zone (NULL or "": Europe/London; an unknown one is read as UTC with a
 * note).  `rrule` is an RFC 5545 RRULE value, "RRULE:" prefix allowed,
 * at most OCCUR_MAX_RULE bytes, or NULL/"" for none (the set is then the
 * start alone).  Without a rule the start is the occurrence; with one the
 * start counts only if the rule gives it, as libical decides.  `exdates`
 * cancel the occurrence starting at the same instant, or every one on a
 * date given as a date; `rdates` add occurrences, each lasting as long as
 * the others.  `duration_s` is how long each lasts (0 for an all-day
 * series: one day; whole days in an all-day series end at midnight).
 * Writes the occurrences starting in [from, to), sorted by start, without
 * two at the same start, at most `max`, to `out` (room for `max`).
 * Returns how many, with `err` empty or holding notes on what was ignored
 * or cut short; or -1 with `err` saying why the rule or the start cannot
 * be used: it could not be read, or it was refused (see occur_refusals).
 * `err` may be NULL; `max` above INT_MAX is taken as INT_MAX.
 */
int
occur_expand_rule(const char *dtstart, const char *tzid, const char *rrule,
    const char *const *exdates, size_t nexdates, const char *const *rdates,
    size_t nrdates, long duration_s, time_t from, time_t to,
    struct occurrence *out, size_t max, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	return occur_expand_set(dtstart, tzid, rrule, exdates, nexdates,
	    rdates, nrdates, duration_s, 0, from, to, out, max, err, errlen);
}

/*
 * The strings of schedule[key], at most OCCUR_MAX_DATES, or NULL when
 * there are none; *n says how many.  The array is the caller's to free,
 * the strings stay the record's.
 */
static const char **
occur_strings(struct occur_ctx *ctx, const json_t *sched, const char *key,
    size_t *n)
{
	const json_t	 *list, *v;
	const char	**out = NULL;
	size_t		  i;

	*n = 0;
	list = json_object_get(sched, key);
	if (list == NULL || json_is_null(list))
		return NULL;
	if (!json_is_array(list)) {
		occur_note(ctx, "schedule.%s is not a list: ignored", key);
		return NULL;
	}
	if (json_array_size(list) == 0)
		return NULL;
	out = xreallocarray(NULL, json_array_size(list), sizeof *out);
	for (i = 0; i < json_array_size(list); i++) {
		v = json_array_get(list, i);
		if (*n == OCCUR_MAX_DATES) {
			occur_note(ctx, "schedule.%s has more than %d dates: "
			    "the rest were ignored", key, OCCUR_MAX_DATES);
			break;
		}
		if (!json_is_string(v)) {
			occur_note(ctx, "schedule.%s holds something other "
			    "than a time: ignored", key);
			continue;
		}
		out[(*n)++] = json_string_value(v);
	}
	return out;
}

/*
 * How long each occurrence of a record lasts, in seconds: its
 * schedule.duration (ISO 8601, "PT2H"), else its end minus its start
 * (whole days when both are dates), else 0.
 */
static long
occur_record_duration(struct occur_ctx *ctx, const json_t *record,
    const json_t *sched, const char *start)
{
	struct icaldurationtype	 d;
	struct otime		 s, e;
	const char		*v;
	char			 q[OCCUR_QUOTE + 8];
	time_t			 a, b;

	v = json_string_value(json_object_get(sched, "duration"));
	if (v != NULL) {
		if (strnlen(v, OCCUR_MAX_TIME + 1) <= OCCUR_MAX_TIME) {
			icalerror_clear_errno();
			d = icaldurationtype_from_string(v);
			if (!icaldurationtype_is_bad_duration(d) && !d.is_neg)
				return (long)icaldurationtype_as_int(d);
		}
		occur_note(ctx, "the duration \"%s\" could not be read: the "
		    "end is used", occur_quote(v, q, sizeof q));
	}
	v = json_string_value(json_object_get(record, "end"));
	if (v == NULL || occur_time_parse(v, &e) == -1 ||
	    occur_time_parse(start, &s) == -1)
		return 0;
	if (s.is_date != e.is_date || (!s.is_date &&
	    s.has_offset != e.has_offset))
		return 0;
	/* Both dates, both local or both instants: fields compare alike. */
	a = occur_instant(&s);
	b = occur_instant(&e);
	return b > a ? (long)(b - a) : 0;
}

/*
 * Expands a v1 activity record (see DESIGN.md section 4) into its
 * occurrences starting in [from, to): its "start" (RFC 3339, or a date
 * for an all-day activity) in its "timezone" (default Europe/London),
 * repeated by "schedule" {"rrule", "exdates", "rdates", "duration"}, each
 * part optional.  The start is always an occurrence; a record without a
 * rule has only that one; a deleted record has none.  Anything in the
 * record may be missing or malformed: what cannot be used is skipped
 * with a note in `err`.  Writes at most `max` occurrences, sorted, to
 * `out` and returns how many (`err` empty, or notes on what was ignored
 * or cut short), or -1 when the rule cannot be used, with `err` saying
 * why; the caller then keeps the first occurrence alone.
 */
int
occur_expand(const json_t *record, time_t from, time_t to,
    struct occurrence *out, size_t max, char *err, size_t errlen)
{
	struct occur_ctx	 ctx;
	struct otime		 t;
	const json_t		*sched;
	const char		*state, *start, *tz, *rrule;
	const char		**ex = NULL, **rd = NULL;
	char			 q[OCCUR_QUOTE + 8];
	size_t			 nex = 0, nrd = 0;
	long			 duration;
	int			 ret;

	memset(&ctx, 0, sizeof ctx);
	ctx.err = err;
	ctx.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (!json_is_object(record)) {
		occur_note(&ctx, "not a record");
		return 0;
	}
	state = json_string_value(json_object_get(record, "state"));
	if (state != NULL && strcmp(state, "deleted") == 0)
		return 0;
	if ((start = json_string_value(json_object_get(record, "start"))) ==
	    NULL) {
		occur_note(&ctx, "the record has no start time");
		return 0;
	}
	if (occur_time_parse(start, &t) == -1) {
		occur_note(&ctx, "the start \"%s\" could not be read",
		    occur_quote(start, q, sizeof q));
		return 0;
	}
	tz = json_string_value(json_object_get(record, "timezone"));
	sched = json_object_get(record, "schedule");
	if (sched != NULL && !json_is_object(sched)) {
		if (!json_is_null(sched))
			occur_note(&ctx, "the schedule is not an object: "
			    "ignored");
		sched = NULL;
	}
	rrule = json_string_value(json_object_get(sched, "rrule"));
	ex = occur_strings(&ctx, sched, "exdates", &nex);
	rd = occur_strings(&ctx, sched, "rdates", &nrd);
	duration = occur_record_duration(&ctx, record, sched, start);

	ret = occur_expand_set(start, tz, rrule, ex, nex, rd, nrd, duration,
	    1, from, to, out, max, err, errlen);
	free(ex);
	free(rd);
	return ret;
}
