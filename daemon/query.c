/*
 * query.c - the arguments of SEARCH and FACETS, checked and understood.
 *
 * A kiosk's search arrives as key=value arguments; this file turns them
 * into a struct query the store can run without checking anything again.
 * Each argument is a row in one table with its parser.  Every value that
 * is not understood is refused with an error that names the argument and
 * says what it accepts: nothing a client sends is silently dropped, since
 * a search that quietly ignored "wheelchair" would show a person places
 * they cannot get into.
 *
 * Days and times of day are the hub's local ones: from=2026-12-01 is that
 * day's local midnight, to=2026-12-01 the end of that day, and after=18:00
 * is six in the evening in the hub's zone whatever the season.  Converting
 * a local day to an instant goes through record.c's time functions, so
 * the summer-time rules are libical's, the same as for the feeds.
 *
 * Choices written down here because the protocol depends on them:
 *	free=no		means "only activities that cost something";
 *	funding=	an activity matches when it accepts ANY of the kinds;
 *	pathway=, group=, category=	ANY of the values;
 *	access=		ALL of the values must hold;
 *	sort=relevance	needs q (there is nothing to rank by otherwise),
 *			as sort=nearest needs near;
 *	days=		also takes weekdays and weekend.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libical/ical.h>

#include "dayhub.h"

#define nitems(a)		(sizeof (a) / sizeof (a)[0])

#define QUERY_DEFAULT_ZONE	"Europe/London"
#define QUERY_MAX_ZONE		64	/* bytes of an IANA zone name */
#define QUERY_MAX_ECHO		40	/* bytes of a value quoted */
#define QUERY_MAX_TERM		64	/* bytes of one category term */
#define QUERY_MAX_TIME		64	/* bytes of from= or to= */
#define QUERY_DAY_SECONDS	86400

struct query_state {
	struct query	*q;
	const char	*tz;
	time_t		 now;
	const char	*code;		/* of the error reported */
	char		*msg;
	size_t		 msglen;
	int		 from_set;
	int		 to_set;
	const char	*to_text;	/* to= as given, for messages */
	int		 within_set;
	int		 sort_set;
	int		 from_day[3];	/* from= as a day, or 0s */
};

/* What every argument's parser is: 0, or -1 with the message written. */
typedef int query_parse_fn(struct query_state *, const char *name,
    const char *value);

struct query_arg {
	const char	*name;
	query_parse_fn	*parse;
	int		 search_only;	/* FACETS does not take it */
};

static query_parse_fn	query_arg_hub, query_arg_text, query_arg_from,
			query_arg_to, query_arg_days, query_arg_after,
			query_arg_before, query_arg_near, query_arg_within,
			query_arg_online, query_arg_free, query_arg_max_cost,
			query_arg_funding, query_arg_pathway, query_arg_access,
			query_arg_group, query_arg_age, query_arg_category,
			query_arg_sort, query_arg_limit, query_arg_cursor;

static int	query_fail(struct query_state *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static const char *query_echo(const char *, size_t, char *, size_t);
static void	query_append(char *, size_t, const char *);
static int	query_item(const char **, const char **, size_t *);
static int	query_match(const char *const *, const char *, size_t);
static int	query_wordlist(struct query_state *, const char *,
		    const char *, enum query_set, unsigned *);
static int	query_decimal(const char *, int, double *);
static int	query_clock(const char *, int *);
static int	query_date(const char *, int *);
static int	query_midnight(const struct query_state *, const int *, int,
		    time_t *);
static int	query_when(struct query_state *, const char *, const char *,
		    int, time_t *, int *);
static int	query_finish(struct query_state *);

static const struct query_arg query_args[] = {
	{ .name = "hub", .parse = query_arg_hub },
	{ .name = "q", .parse = query_arg_text },
	{ .name = "from", .parse = query_arg_from },
	{ .name = "to", .parse = query_arg_to },
	{ .name = "days", .parse = query_arg_days },
	{ .name = "after", .parse = query_arg_after },
	{ .name = "before", .parse = query_arg_before },
	{ .name = "near", .parse = query_arg_near },
	{ .name = "within", .parse = query_arg_within },
	{ .name = "online", .parse = query_arg_online },
	{ .name = "free", .parse = query_arg_free },
	{ .name = "max_cost", .parse = query_arg_max_cost },
	{ .name = "funding", .parse = query_arg_funding },
	{ .name = "pathway", .parse = query_arg_pathway },
	{ .name = "access", .parse = query_arg_access },
	{ .name = "group", .parse = query_arg_group },
	{ .name = "age", .parse = query_arg_age },
	{ .name = "category", .parse = query_arg_category },
	{ .name = "sort", .parse = query_arg_sort, .search_only = 1 },
	{ .name = "limit", .parse = query_arg_limit, .search_only = 1 },
	{ .name = "cursor", .parse = query_arg_cursor, .search_only = 1 },
};

/* Indexed by struct tm's tm_wday. */
static const char *const query_day_abbr[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL
};
static const char *const query_day_full[] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday", NULL
};
#define QUERY_WEEKDAYS	0x3e	/* mon..fri */
#define QUERY_WEEKEND	0x41	/* sat, sun */

/* The v1 record's words (DESIGN.md section 4), so the store can match. */
static const char *const query_funding_words[] = {
	"direct_payment", "isf", "council", "self_funded", NULL
};
static const char *const query_pathway_words[] = {
	"specialist", "supported", "community", NULL
};
static const char *const query_access_words[] = {
	"wheelchair", "changing_places", "hearing_loop", "bsl", "makaton",
	"quiet_space", "sensory_friendly", "transport", NULL
};
static const char *const query_group_words[] = {
	"learning_disability", "physical_disability", "autism", "dementia",
	"mental_health", "older_adults", "sensory", NULL
};
static const char *const query_sort_words[] = {
	[QUERY_SORT_RELEVANCE] = "relevance",
	[QUERY_SORT_SOONEST] = "soonest",
	[QUERY_SORT_NEAREST] = "nearest",
	NULL
};

static const char *const *const query_sets[] = {
	[QUERY_SET_DAYS] = query_day_abbr,
	[QUERY_SET_FUNDING] = query_funding_words,
	[QUERY_SET_PATHWAY] = query_pathway_words,
	[QUERY_SET_ACCESS] = query_access_words,
	[QUERY_SET_GROUPS] = query_group_words,
};

/*
 * Reads the arguments of a SEARCH or FACETS request into `out`.
 *
 * Contract: `req` is a request as proto_parse() left it (its command
 * upper-cased, each key once), whose keys and values came from a client.
 * `tz` is the hub's IANA zone (NULL: Europe/London), in which days
 * and times of day are read; `now` is the default start of the window.
 * The arguments accepted, their defaults and their errors are the
 * protocol's (PROTOCOL.md, SEARCH); FACETS takes the same but sort, limit
 * and cursor.  Resolving a postcode in near= to a point, and whether hub=
 * names a configured hub, are the caller's business.
 *
 * Returns 0 with `out` filled, every string in it its own (free it with
 * query_free()).  Returns -1 with `*code` one of "missing_argument",
 * "unknown_argument" or "bad_argument" ("internal" for an unknown zone,
 * or a command that is neither), `msg` saying in words which argument is
 * wrong and what it accepts, and nothing held by `out`.
 */
int
query_parse(const struct proto_request *req, const char *tz,
    time_t now, struct query *out, const char **code, char *msg,
    size_t msglen)
{
	struct query_state	 st;
	const struct query_arg	*a;
	char			 names[512], echo[QUERY_MAX_ECHO + 8];
	unsigned char		 seen[nitems(query_args)];
	size_t			 i, j;
	int			 facets;

	memset(out, 0, sizeof *out);
	memset(&st, 0, sizeof st);
	memset(seen, 0, sizeof seen);
	if (msglen > 0)
		msg[0] = '\0';
	*code = NULL;
	st.q = out;
	st.tz = tz != NULL ? tz : QUERY_DEFAULT_ZONE;
	st.now = now;
	st.code = "bad_argument";
	st.msg = msg;
	st.msglen = msglen;

	out->after = out->before = out->age = -1;
	out->online = out->cost_free = -1;
	out->max_cost = -1;
	out->within = QUERY_DEFAULT_WITHIN;
	out->limit = SEARCH_DEFAULT_LIMIT;
	out->sort = QUERY_SORT_SOONEST;

	if (strcmp(req->command, "SEARCH") == 0)
		facets = 0;
	else if (strcmp(req->command, "FACETS") == 0)
		facets = 1;
	else {
		st.code = "internal";
		query_fail(&st, "%s is not a search", req->command);
		goto fail;
	}
	out->facets = facets;
	if (strlen(st.tz) > QUERY_MAX_ZONE ||
	    zone_find(st.tz) == NULL) {
		st.code = "internal";
		query_fail(&st, "the hub's time zone \"%s\" is not known",
		    query_echo(st.tz, strlen(st.tz), echo, sizeof echo));
		goto fail;
	}

	for (i = 0; i < req->nargs; i++) {
		const char	*key = req->args[i].key;

		for (j = 0; j < nitems(query_args); j++)
			if (strcmp(query_args[j].name, key) == 0)
				break;
		if (j == nitems(query_args) ||
		    (facets && query_args[j].search_only)) {
			names[0] = '\0';
			for (a = query_args; a < query_args +
			    nitems(query_args); a++) {
				if (facets && a->search_only)
					continue;
				query_append(names, sizeof names,
				    names[0] == '\0' ? "" : ", ");
				query_append(names, sizeof names, a->name);
			}
			st.code = "unknown_argument";
			query_fail(&st, "unknown argument \"%s\": %s takes %s",
			    query_echo(key, strlen(key), echo, sizeof echo),
			    req->command, names);
			goto fail;
		}
		if (seen[j]) {
			query_fail(&st, "%s: given twice", key);
			goto fail;
		}
		seen[j] = 1;
		if (query_args[j].parse(&st, key, req->args[i].value) == -1)
			goto fail;
	}
	if (query_finish(&st) == -1)
		goto fail;
	return 0;

fail:
	*code = st.code;
	query_free(out);
	return -1;
}

/* Releases what query_parse() stored; the query is empty afterwards. */
void
query_free(struct query *q)
{
	size_t	i;

	free(q->hub);
	free(q->q);
	free(q->near_text);
	free(q->cursor);
	for (i = 0; i < q->ncategories; i++)
		free(q->categories[i]);
	free(q->categories);
	memset(q, 0, sizeof *q);
}

/*
 * The word for bit `bit` of a bit set in struct query ("tue" for bit 2 of
 * days, "isf" for bit 1 of funding), or NULL past the end of the list.
 */
const char *
query_word(enum query_set set, unsigned bit)
{
	const char *const	*w;
	unsigned		 i;

	if ((size_t)set >= nitems(query_sets))
		return NULL;
	w = query_sets[set];
	for (i = 0; w[i] != NULL; i++)
		if (i == bit)
			return w[i];
	return NULL;
}

/* Checks what no single argument can: requirements and defaults. */
static int
query_finish(struct query_state *st)
{
	struct query	*q = st->q;
	const char	*tt = st->to_text != NULL ? st->to_text : "";
	char		 a[32], b[32], echo[QUERY_MAX_ECHO + 8];

	if (q->hub == NULL) {
		st->code = "missing_argument";
		return query_fail(st, "hub: the hub to search is required "
		    "(hub=ID)");
	}
	if (st->within_set && q->near == QUERY_NEAR_NONE)
		return query_fail(st, "within needs near: give near= as a "
		    "postcode, an outcode or lat,lon to measure from");
	if (st->sort_set && q->sort == QUERY_SORT_NEAREST &&
	    q->near == QUERY_NEAR_NONE)
		return query_fail(st, "sort=nearest needs near: give near= as "
		    "a postcode, an outcode or lat,lon to measure from");
	if (st->sort_set && q->sort == QUERY_SORT_RELEVANCE && q->q == NULL)
		return query_fail(st, "sort=relevance needs q: give search "
		    "text to rank by, or sort=soonest");
	if (!st->sort_set)
		q->sort = q->q != NULL ? QUERY_SORT_RELEVANCE :
		    QUERY_SORT_SOONEST;
	if (q->after != -1 && q->before != -1 && q->after >= q->before)
		return query_fail(st, "after and before: after=%02d:%02d is "
		    "not earlier than before=%02d:%02d", q->after / 60,
		    q->after % 60, q->before / 60, q->before % 60);

	if (!st->from_set)
		q->from = st->now;
	if (!st->to_set) {
		if (st->from_day[0] != 0) {
			if (query_midnight(st, st->from_day,
			    QUERY_DEFAULT_DAYS, &q->to) == -1)
				return query_fail(st, "from: there are no %d "
				    "days after it to search",
				    QUERY_DEFAULT_DAYS);
		} else
			q->to = q->from + QUERY_DEFAULT_DAYS *
			    QUERY_DAY_SECONDS;
	}
	if (q->to <= q->from)
		return query_fail(st, "to: \"%s\" ends at %s, which is not "
		    "after from (%s%s)", query_echo(tt, strlen(tt), echo,
		    sizeof echo),
		    format_rfc3339(q->to, b, sizeof b),
		    format_rfc3339(q->from, a, sizeof a),
		    st->from_set ? "" : ", now");
	if (q->to - q->from > (time_t)QUERY_MAX_DAYS * QUERY_DAY_SECONDS)
		return query_fail(st, "to: the window from from= to to= is "
		    "longer than %d days", QUERY_MAX_DAYS);
	return 0;
}

/* hub=: a hub id. */
static int
query_arg_hub(struct query_state *st, const char *name, const char *v)
{
	char	echo[QUERY_MAX_ECHO + 8];

	if (!id_valid(v))
		return query_fail(st, "%s: \"%s\" is not a hub id (lower-case "
		    "letters, digits, - and _, at most %d bytes)", name,
		    query_echo(v, strlen(v), echo, sizeof echo), CONFIG_MAX_ID);
	st->q->hub = xstrdup(v);
	return 0;
}

/* q=: search text; only blanks is the same as none. */
static int
query_arg_text(struct query_state *st, const char *name, const char *v)
{
	size_t	len = strlen(v);

	if (len > SEARCH_MAX_QUERY)
		return query_fail(st, "%s: the search text is longer than %d "
		    "bytes", name, SEARCH_MAX_QUERY);
	if (!utf8_valid(v, len))
		return query_fail(st, "%s: the search text is not valid UTF-8",
		    name);
	if (v[strspn(v, " \t")] != '\0')
		st->q->q = xstrdup(v);
	return 0;
}

/* from=: a local day's start, or an instant. */
static int
query_arg_from(struct query_state *st, const char *name, const char *v)
{
	st->from_set = 1;
	return query_when(st, name, v, 0, &st->q->from, st->from_day);
}

/* to=: a local day's end, or an instant. */
static int
query_arg_to(struct query_state *st, const char *name, const char *v)
{
	st->to_set = 1;
	st->to_text = v;
	return query_when(st, name, v, 1, &st->q->to, NULL);
}

/*
 * Reads a day (YYYY-MM-DD, local to the hub) or a time (YYYY-MM-DDTHH:MM
 * with optional :SS and Z or offset; local to the hub without one) into
 * the instant it starts, or with `end_of_day`, for a day, the instant the
 * next day starts.  A day is kept in `day` when that is not NULL.
 */
static int
query_when(struct query_state *st, const char *name, const char *v,
    int end_of_day, time_t *out, int *day)
{
	char	buf[QUERY_MAX_TIME], echo[QUERY_MAX_ECHO + 8];
	int	ymd[3];

	if (strlen(v) < QUERY_MAX_TIME) {
		if (query_date(v, ymd) == 0) {
			if (query_midnight(st, ymd, end_of_day, out) == 0) {
				if (day != NULL)
					memcpy(day, ymd, sizeof ymd);
				return 0;
			}
		} else if (strlen(v) > 10 && record_time_normalize(v, st->tz,
		    buf, sizeof buf) == 0 && record_time_epoch(buf, out) == 0)
			return 0;
	}
	return query_fail(st, "%s: \"%s\" is not a date or a time; use "
	    "YYYY-MM-DD for a day in the hub's time zone, or "
	    "YYYY-MM-DDTHH:MM[:SS] with an optional Z or offset such as "
	    "+01:00", name, query_echo(v, strlen(v), echo, sizeof echo));
}

/* Reads exactly YYYY-MM-DD (the calendar is checked later); 0 or -1. */
static int
query_date(const char *s, int *ymd)
{
	static const int	width[] = { 4, 2, 2 };
	int			i, j;

	for (i = 0; i < 3; i++) {
		for (ymd[i] = 0, j = 0; j < width[i]; j++, s++) {
			if (!isdigit((unsigned char)*s))
				return -1;
			ymd[i] = ymd[i] * 10 + (*s - '0');
		}
		if (*s != (i < 2 ? '-' : '\0'))
			return -1;
		s++;
	}
	return 0;
}

/*
 * The instant local midnight begins the day `add` days after ymd in the
 * hub's zone.  Returns 0, or -1 when there is no such day.
 */
static int
query_midnight(const struct query_state *st, const int *ymd, int add,
    time_t *out)
{
	struct tm	tm;
	char		day[40], buf[QUERY_MAX_TIME];
	int		mdays;

	/* timegm() would quietly carry a 31st of June into July. */
	memset(&tm, 0, sizeof tm);
	tm.tm_year = ymd[0] - 1900;
	tm.tm_mon = ymd[1];	/* the day before next month's 1st */
	tm.tm_mday = 0;
	tm.tm_hour = 12;
	if (ymd[1] < 1 || ymd[1] > 12 || timegm(&tm) == (time_t)-1)
		return -1;
	mdays = tm.tm_mday;
	if (ymd[2] < 1 || ymd[2] > mdays)
		return -1;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = ymd[0] - 1900;
	tm.tm_mon = ymd[1] - 1;
	tm.tm_mday = ymd[2] + add;
	tm.tm_hour = 12;
	if (timegm(&tm) == (time_t)-1)
		return -1;
	snprintf(day, sizeof day, "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	if (record_time_normalize(day, st->tz, buf, sizeof buf) == -1 ||
	    record_time_epoch(buf, out) == -1)
		return -1;
	return 0;
}

/* days=: mon..sun or their full names, weekdays, weekend. */
static int
query_arg_days(struct query_state *st, const char *name, const char *v)
{
	const char	*p = v, *item;
	char		 echo[QUERY_MAX_ECHO + 8];
	size_t		 len;
	unsigned	 days = 0;
	int		 i;

	while (query_item(&p, &item, &len)) {
		if ((i = query_match(query_day_abbr, item, len)) != -1 ||
		    (i = query_match(query_day_full, item, len)) != -1)
			days |= 1u << i;
		else if (len == 8 && strncasecmp(item, "weekdays", 8) == 0)
			days |= QUERY_WEEKDAYS;
		else if (len == 7 && strncasecmp(item, "weekend", 7) == 0)
			days |= QUERY_WEEKEND;
		else
			return query_fail(st, "%s: \"%s\" is not a day; use "
			    "mon, tue, wed, thu, fri, sat, sun (or the full "
			    "names), weekdays or weekend, separated by commas",
			    name,
			    query_echo(item, len, echo, sizeof echo));
	}
	st->q->days = days;
	return 0;
}

/*
 * Reads a time of day, H:MM or HH:MM from 00:00 to 23:59, as minutes
 * after midnight.  Returns 0, or -1.
 */
static int
query_clock(const char *s, int *minutes)
{
	int	h, m;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	h = *s++ - '0';
	if (isdigit((unsigned char)*s))
		h = h * 10 + (*s++ - '0');
	if (*s++ != ':' || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || s[2] != '\0')
		return -1;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	if (h > 23 || m > 59)
		return -1;
	*minutes = h * 60 + m;
	return 0;
}

/* after=: HH:MM local. */
static int
query_arg_after(struct query_state *st, const char *name, const char *v)
{
	char	echo[QUERY_MAX_ECHO + 8];

	if (query_clock(v, &st->q->after) == -1)
		return query_fail(st, "%s: \"%s\" is not a time of day; use "
		    "HH:MM, 00:00 to 23:59, in the hub's time zone", name,
		    query_echo(v, strlen(v), echo, sizeof echo));
	return 0;
}

/* before=: HH:MM local. */
static int
query_arg_before(struct query_state *st, const char *name, const char *v)
{
	char	echo[QUERY_MAX_ECHO + 8];

	if (query_clock(v, &st->q->before) == -1)
		return query_fail(st, "%s: \"%s\" is not a time of day; use "
		    "HH:MM, 00:00 to 23:59, in the hub's time zone", name,
		    query_echo(v, strlen(v), echo, sizeof echo));
	return 0;
}

/* near=: a postcode, an outcode, or lat,lon. */
static int
query_arg_near(struct query_state *st, const char *name, const char *v)
{
	struct query	*q = st->q;
	char		 pc[POSTCODE_LEN], echo[QUERY_MAX_ECHO + 8];
	int		 rc;

	if (strchr(v, ',') != NULL) {
		if ((rc = postcode_point_parse(v, &q->lat, &q->lon)) == -2)
			return query_fail(st, "%s: \"%s\" is out of range; the "
			    "latitude must be -90 to 90 and the longitude -180 "
			    "to 180", name,
			    query_echo(v, strlen(v), echo, sizeof echo));
		if (rc == 0) {
			q->near = QUERY_NEAR_POINT;
			xasprintf(&q->near_text, "%.6f,%.6f", q->lat, q->lon);
			return 0;
		}
	} else if (postcode_normalise(v, pc, sizeof pc) == 0) {
		q->near = QUERY_NEAR_POSTCODE;
		q->near_text = xstrdup(pc);
		return 0;
	} else if (postcode_is_outcode(v) &&
	    postcode_outcode(v, pc, sizeof pc) == 0) {
		q->near = QUERY_NEAR_OUTCODE;
		q->near_text = xstrdup(pc);
		return 0;
	}
	return query_fail(st, "%s: \"%s\" is not a UK postcode (DT1 1HF), "
	    "an outcode (DT1) or a latitude,longitude (50.71,-2.44)", name,
	    query_echo(v, strlen(v), echo, sizeof echo));
}

/*
 * Reads a decimal number of digits with an optional point and at most
 * `places` digits after it (-1: any); no sign, no exponent.  Done by hand
 * so the locale cannot change what a point means.  Returns 0, or -1.
 */
static int
query_decimal(const char *s, int places, double *out)
{
	double	v = 0, scale = 1;
	int	digits = 0, after = -1;

	if (strlen(s) > 24)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s == '.' && after == -1) {
			after = 0;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return -1;
		if (after >= 0) {
			if (places >= 0 && after == places)
				return -1;
			after++;
			scale /= 10;
			v += (*s - '0') * scale;
		} else
			v = v * 10 + (*s - '0');
		digits++;
	}
	if (digits == 0)
		return -1;
	*out = v;
	return 0;
}

/* within=: kilometres, a "km" after the number allowed. */
static int
query_arg_within(struct query_state *st, const char *name, const char *v)
{
	char	num[32], echo[QUERY_MAX_ECHO + 8];
	size_t	len = strlen(v);
	double	km;

	if (len < sizeof num) {
		memcpy(num, v, len + 1);
		if (len > 2 && strcasecmp(num + len - 2, "km") == 0)
			num[len - 2] = '\0';
	} else
		num[0] = '\0';
	if (query_decimal(num, -1, &km) == -1 || km <= 0 ||
	    km > QUERY_MAX_WITHIN)
		return query_fail(st, "%s: \"%s\" is not a distance; use "
		    "kilometres, more than 0 and at most %g", name,
		    query_echo(v, strlen(v), echo, sizeof echo),
		    QUERY_MAX_WITHIN);
	st->q->within = km;
	st->within_set = 1;
	return 0;
}

/* online=yes|no */
static int
query_arg_online(struct query_state *st, const char *name, const char *v)
{
	char	echo[QUERY_MAX_ECHO + 8];

	if (parse_bool(v, &st->q->online) == -1)
		return query_fail(st, "%s: \"%s\" must be yes (online only) or "
		    "no (in person only)", name,
		    query_echo(v, strlen(v), echo, sizeof echo));
	return 0;
}

/* free=yes|no: no means only those that cost something. */
static int
query_arg_free(struct query_state *st, const char *name, const char *v)
{
	char	echo[QUERY_MAX_ECHO + 8];

	if (parse_bool(v, &st->q->cost_free) == -1)
		return query_fail(st, "%s: \"%s\" must be yes (free only) or "
		    "no (only those that cost something)", name,
		    query_echo(v, strlen(v), echo, sizeof echo));
	return 0;
}

/* max_cost=: pounds and pence, a pound sign allowed. */
static int
query_arg_max_cost(struct query_state *st, const char *name, const char *v)
{
	const char	*s = v;
	char		 echo[QUERY_MAX_ECHO + 8];
	double		 pounds;

	if (strncmp(s, "\xc2\xa3", 2) == 0)
		s += 2;
	if (query_decimal(s, 2, &pounds) == -1 || pounds > QUERY_MAX_COST)
		return query_fail(st, "%s: \"%s\" is not a price; use pounds "
		    "such as 5, 5.50 or \xc2\xa3" "5, from 0 to %g", name,
		    query_echo(v, strlen(v), echo, sizeof echo),
		    QUERY_MAX_COST);
	st->q->max_cost = pounds;
	return 0;
}

/* funding=: any of the kinds. */
static int
query_arg_funding(struct query_state *st, const char *name, const char *v)
{
	return query_wordlist(st, name, v, QUERY_SET_FUNDING,
	    &st->q->funding);
}

/* pathway=: any of them. */
static int
query_arg_pathway(struct query_state *st, const char *name, const char *v)
{
	return query_wordlist(st, name, v, QUERY_SET_PATHWAY,
	    &st->q->pathway);
}

/* access=: all of them. */
static int
query_arg_access(struct query_state *st, const char *name, const char *v)
{
	return query_wordlist(st, name, v, QUERY_SET_ACCESS, &st->q->access);
}

/* group=: any of them. */
static int
query_arg_group(struct query_state *st, const char *name, const char *v)
{
	return query_wordlist(st, name, v, QUERY_SET_GROUPS, &st->q->groups);
}

/* age=: whole years. */
static int
query_arg_age(struct query_state *st, const char *name, const char *v)
{
	unsigned long long	n;
	char			echo[QUERY_MAX_ECHO + 8];

	if (parse_uint(v, QUERY_MAX_AGE, &n) == -1)
		return query_fail(st, "%s: \"%s\" is not an age; use whole "
		    "years, 0 to %d", name,
		    query_echo(v, strlen(v), echo, sizeof echo), QUERY_MAX_AGE);
	st->q->age = (int)n;
	return 0;
}

/* category=: taxonomy terms, any of them. */
static int
query_arg_category(struct query_state *st, const char *name, const char *v)
{
	struct query	*q = st->q;
	const char	*p = v, *item;
	char		 term[QUERY_MAX_TERM + 1], echo[QUERY_MAX_ECHO + 8];
	size_t		 len, i;

	while (query_item(&p, &item, &len)) {
		if (len == 0)
			return query_fail(st, "%s: an empty term; separate "
			    "terms with single commas", name);
		if (len > QUERY_MAX_TERM)
			return query_fail(st, "%s: \"%s\" is longer than %d "
			    "bytes", name, query_echo(item, len, echo,
			    sizeof echo), QUERY_MAX_TERM);
		for (i = 0; i < len; i++)
			term[i] = (char)tolower((unsigned char)item[i]);
		term[len] = '\0';
		if (!taxonomy_term_valid(term))
			return query_fail(st, "%s: \"%s\" is not a term of the "
			    "activity taxonomy", name,
			    query_echo(item, len, echo, sizeof echo));
		for (i = 0; i < q->ncategories; i++)
			if (strcmp(q->categories[i], term) == 0)
				break;
		if (i < q->ncategories)
			continue;
		if (q->ncategories == QUERY_MAX_CATEGORIES)
			return query_fail(st, "%s: more than %d terms", name,
			    QUERY_MAX_CATEGORIES);
		q->categories = xreallocarray(q->categories,
		    q->ncategories + 1, sizeof *q->categories);
		q->categories[q->ncategories++] = xstrdup(term);
	}
	return 0;
}

/* sort=relevance|soonest|nearest */
static int
query_arg_sort(struct query_state *st, const char *name, const char *v)
{
	char	echo[QUERY_MAX_ECHO + 8];
	int	i;

	if ((i = query_match(query_sort_words, v, strlen(v))) == -1)
		return query_fail(st, "%s: \"%s\" is not an order; use "
		    "relevance, soonest or nearest", name,
		    query_echo(v, strlen(v), echo, sizeof echo));
	st->q->sort = (enum query_sort)i;
	st->sort_set = 1;
	return 0;
}

/* limit=: 1..SEARCH_MAX_LIMIT results a page. */
static int
query_arg_limit(struct query_state *st, const char *name, const char *v)
{
	unsigned long long	n;
	char			echo[QUERY_MAX_ECHO + 8];

	if (parse_uint(v, SEARCH_MAX_LIMIT, &n) == -1 || n == 0)
		return query_fail(st, "%s: \"%s\" must be a whole number "
		    "from 1 to %d", name,
		    query_echo(v, strlen(v), echo, sizeof echo),
		    SEARCH_MAX_LIMIT);
	st->q->limit = (size_t)n;
	return 0;
}

/* cursor=: opaque, as a previous reply gave it. */
static int
query_arg_cursor(struct query_state *st, const char *name, const char *v)
{
	static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t	len = strlen(v);

	if (len == 0 || len > QUERY_MAX_CURSOR || strspn(v, b64url) != len)
		return query_fail(st, "%s: not a cursor from a previous reply "
		    "(1 to %d characters of A-Z, a-z, 0-9, - and _)", name,
		    QUERY_MAX_CURSOR);
	st->q->cursor = xstrdup(v);
	return 0;
}

/*
 * Reads a comma-separated list of words from `set`, in any case, into a
 * bit set.  An empty item or an unknown word is an error that lists the
 * words accepted.
 */
static int
query_wordlist(struct query_state *st, const char *name, const char *v,
    enum query_set set, unsigned *bits)
{
	const char *const	*words = query_sets[set];
	const char		*p = v, *item;
	char			 list[256], echo[QUERY_MAX_ECHO + 8];
	size_t			 len, i;
	unsigned		 out = 0;
	int			 w;

	while (query_item(&p, &item, &len)) {
		if ((w = query_match(words, item, len)) != -1) {
			out |= 1u << w;
			continue;
		}
		list[0] = '\0';
		for (i = 0; words[i] != NULL; i++) {
			query_append(list, sizeof list, i == 0 ? "" : ", ");
			query_append(list, sizeof list, words[i]);
		}
		if (len == 0)
			return query_fail(st, "%s: an empty value; use any of "
			    "%s, separated by single commas", name, list);
		return query_fail(st, "%s: \"%s\" is not one of %s", name,
		    query_echo(item, len, echo, sizeof echo), list);
	}
	*bits = out;
	return 0;
}

/*
 * Takes the next comma-separated item of *p, blanks around it trimmed,
 * and moves *p past it.  Returns 1 with the item (perhaps empty), or 0
 * when the list is used up.  "" is one empty item, and "a," two items.
 */
static int
query_item(const char **p, const char **item, size_t *len)
{
	const char	*s = *p, *end;

	if (s == NULL)
		return 0;
	if ((end = strchr(s, ',')) != NULL)
		*p = end + 1;
	else {
		end = s + strlen(s);
		*p = NULL;
	}
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*item = s;
	*len = (size_t)(end - s);
	return 1;
}

/* The index of the word of `words` that `s` (len bytes) is, any case. */
static int
query_match(const char *const *words, const char *s, size_t len)
{
	int	i;

	for (i = 0; words[i] != NULL; i++)
		if (strlen(words[i]) == len && strncasecmp(words[i], s,
		    len) == 0)
			return i;
	return -1;
}

/*
 * Copies at most QUERY_MAX_ECHO bytes of a client's value for quoting in
 * a message, cut at a UTF-8 character boundary and marked "..." when cut.
 */
static const char *
query_echo(const char *s, size_t len, char *buf, size_t buflen)
{
	size_t	n = len;

	if (n > QUERY_MAX_ECHO) {
		n = QUERY_MAX_ECHO;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (n + 4 > buflen)
		n = 0;
	memcpy(buf, s, n);
	if (n < len)
		memcpy(buf + n, "...", 4);
	else
		buf[n] = '\0';
	return buf;
}

/* Appends `s` to the string in `buf`, cutting it to fit. */
static void
query_append(char *buf, size_t size, const char *s)
{
	size_t	n = strlen(buf);

	if (n + 1 < size)
		snprintf(buf + n, size - n, "%s", s);
}

/* Writes an error message for the client; returns -1. */
static int
query_fail(struct query_state *st, const char *fmt, ...)
{
	va_list	ap;

	if (st->msglen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(st->msg, st->msglen, fmt, ap);
	va_end(ap);
	return -1;
}
