/*
 * test_query.c - the arguments of SEARCH and FACETS.
 *
 * Every row is a request line as a client would send it: it goes through
 * proto_parse() first, then query_parse().  A good row lists the fields
 * that differ from the defaults (a query is rendered field by field into
 * words, so a row reads like the answer it expects); a bad row gives the
 * error code and words the message must hold, always the argument's name.
 * The clock stands still at 2026-11-20T10:00:00Z, a Friday, and the hub's
 * zone is Europe/London unless a row says otherwise.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "dayhub.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])
#define MAXFIELDS	24

/* The fields of a query in words, in this order. */
static const char *const field_names[] = {
	"hub", "q", "from", "to", "days", "after", "before", "near",
	"within", "online", "free", "max_cost", "funding", "pathway",
	"access", "group", "age", "category", "sort", "limit", "cursor",
	"facets", NULL
};

/* What "SEARCH hub=north" gives at the standing clock. */
static const char *const field_defaults[] = {
	"north", "-", "2026-11-20T10:00:00Z", "2026-12-04T10:00:00Z", "-",
	"-", "-", "-", "10", "-", "-", "-", "-", "-", "-", "-", "-", "-",
	"soonest", "20", "-", "no", NULL
};

static time_t
test_now(void)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = 2026 - 1900;
	tm.tm_mon = 10;
	tm.tm_mday = 20;
	tm.tm_hour = 10;
	return timegm(&tm);
}

/* Appends the words of bit set `bits` from `set`, comma-separated. */
static void
render_set(char *buf, size_t len, enum query_set set, unsigned bits)
{
	unsigned	i;

	buf[0] = '\0';
	if (bits == 0) {
		snprintf(buf, len, "-");
		return;
	}
	for (i = 0; i < 32; i++) {
		if ((bits & (1u << i)) == 0)
			continue;
		cr_assert_not_null(query_word(set, i), "bit %u of set %d has "
		    "no word", i, (int)set);
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
		    buf[0] == '\0' ? "" : ",", query_word(set, i));
	}
}

/* Writes field `i` of `q` into `buf` as words. */
static void
render(const struct query *q, size_t i, char *buf, size_t len)
{
	static const char *const kinds[] = {
		[QUERY_NEAR_POSTCODE] = "postcode",
		[QUERY_NEAR_OUTCODE] = "outcode",
		[QUERY_NEAR_POINT] = "point",
	};
	static const char *const sorts[] = {
		[QUERY_SORT_RELEVANCE] = "relevance",
		[QUERY_SORT_SOONEST] = "soonest",
		[QUERY_SORT_NEAREST] = "nearest",
	};
	const char	*name = field_names[i];
	char		 pt[64];
	size_t		 j;

	snprintf(buf, len, "-");
	if (strcmp(name, "hub") == 0)
		snprintf(buf, len, "%s", q->hub);
	else if (strcmp(name, "q") == 0 && q->q != NULL)
		snprintf(buf, len, "%s", q->q);
	else if (strcmp(name, "from") == 0)
		format_rfc3339(q->from, buf, len);
	else if (strcmp(name, "to") == 0)
		format_rfc3339(q->to, buf, len);
	else if (strcmp(name, "days") == 0)
		render_set(buf, len, QUERY_SET_DAYS, q->days);
	else if (strcmp(name, "after") == 0 && q->after != -1)
		snprintf(buf, len, "%02d:%02d", q->after / 60, q->after % 60);
	else if (strcmp(name, "before") == 0 && q->before != -1)
		snprintf(buf, len, "%02d:%02d", q->before / 60,
		    q->before % 60);
	else if (strcmp(name, "near") == 0 && q->near != QUERY_NEAR_NONE) {
		cr_assert_not_null(q->near_text);
		snprintf(buf, len, "%s:%s", kinds[q->near], q->near_text);
		if (q->near == QUERY_NEAR_POINT) {
			snprintf(pt, sizeof pt, "%.6f,%.6f", q->lat, q->lon);
			cr_expect_str_eq(pt, q->near_text, "lat,lon");
		}
	} else if (strcmp(name, "near") == 0)
		cr_expect_null(q->near_text);
	else if (strcmp(name, "within") == 0)
		snprintf(buf, len, "%g", q->within);
	else if (strcmp(name, "online") == 0 && q->online != -1)
		snprintf(buf, len, "%s", q->online ? "yes" : "no");
	else if (strcmp(name, "free") == 0 && q->cost_free != -1)
		snprintf(buf, len, "%s", q->cost_free ? "yes" : "no");
	else if (strcmp(name, "max_cost") == 0 && q->max_cost >= 0)
		snprintf(buf, len, "%.2f", q->max_cost);
	else if (strcmp(name, "funding") == 0)
		render_set(buf, len, QUERY_SET_FUNDING, q->funding);
	else if (strcmp(name, "pathway") == 0)
		render_set(buf, len, QUERY_SET_PATHWAY, q->pathway);
	else if (strcmp(name, "access") == 0)
		render_set(buf, len, QUERY_SET_ACCESS, q->access);
	else if (strcmp(name, "group") == 0)
		render_set(buf, len, QUERY_SET_GROUPS, q->groups);
	else if (strcmp(name, "age") == 0 && q->age != -1)
		snprintf(buf, len, "%d", q->age);
	else if (strcmp(name, "category") == 0 && q->ncategories > 0) {
		buf[0] = '\0';
		for (j = 0; j < q->ncategories; j++)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			    j == 0 ? "" : ",", q->categories[j]);
	} else if (strcmp(name, "sort") == 0)
		snprintf(buf, len, "%s", sorts[q->sort]);
	else if (strcmp(name, "limit") == 0)
		snprintf(buf, len, "%zu", q->limit);
	else if (strcmp(name, "cursor") == 0 && q->cursor != NULL)
		snprintf(buf, len, "%s", q->cursor);
	else if (strcmp(name, "facets") == 0)
		snprintf(buf, len, "%s", q->facets ? "yes" : "no");
}

/*
 * The value `want` gives field `name`, from "k=v|k=v" pairs, or NULL when
 * it leaves the field at its default.
 */
static char *
want_field(const char *want, const char *name)
{
	const char	*p = want, *bar, *eq;
	size_t		 n = strlen(name);

	while (p != NULL && *p != '\0') {
		bar = strchr(p, '|');
		eq = strchr(p, '=');
		cr_assert(eq != NULL && (bar == NULL || eq < bar),
		    "bad want \"%s\"", want);
		if ((size_t)(eq - p) == n && strncmp(p, name, n) == 0)
			return bar != NULL ? strndup(eq + 1,
			    (size_t)(bar - eq - 1)) : strdup(eq + 1);
		p = bar != NULL ? bar + 1 : NULL;
	}
	return NULL;
}

/* Runs a line through both parsers; the request is freed. */
static int
parse_line(const char *line, const char *tz, struct query *q,
    const char **code, char *msg, size_t msglen)
{
	struct proto_request	req;
	char			err[256];
	int			ret;

	cr_assert_eq(proto_parse(line, strlen(line), &req, err, sizeof err),
	    0, "proto_parse refused \"%s\": %s", line, err);
	ret = query_parse(&req, tz, test_now(), q, code, msg, msglen);
	proto_request_free(&req);
	return ret;
}

struct good_case {
	const char	*line;
	const char	*tz;		/* NULL: the default */
	const char	*want;		/* "field=value|...": not defaults */
};

#define POUND	"\xc2\xa3"

static const struct good_case good_cases[] = {
	/* hub=, and FACETS */
	{ "SEARCH hub=north", NULL, "" },
	{ "search hub=north", NULL, "" },
	{ "SEARCH hub=county-swim_2", NULL, "hub=county-swim_2" },
	{ "FACETS hub=north", NULL, "facets=yes" },
	{ "FACETS hub=north q=art days=tue", NULL,
	  "facets=yes|q=art|days=tue|sort=relevance" },

	/* q= and the default order */
	{ "SEARCH hub=north q=art", NULL, "q=art|sort=relevance" },
	{ "SEARCH hub=north q=\"art club\"", NULL,
	  "q=art club|sort=relevance" },
	{ "SEARCH hub=north q=caf\xc3\xa9", NULL,
	  "q=caf\xc3\xa9|sort=relevance" },
	{ "SEARCH hub=north q=\"\"", NULL, "" },
	{ "SEARCH hub=north q=\"   \"", NULL, "" },

	/* from= and to= as local days */
	{ "SEARCH hub=north from=2026-12-01", NULL,
	  "from=2026-12-01T00:00:00Z|to=2026-12-15T00:00:00Z" },
	{ "SEARCH hub=north from=2026-07-01", NULL,
	  "from=2026-06-30T23:00:00Z|to=2026-07-14T23:00:00Z" },
	/* the clocks go forward at 01:00 GMT that day */
	{ "SEARCH hub=north from=2027-03-28", NULL,
	  "from=2027-03-28T00:00:00Z|to=2027-04-10T23:00:00Z" },
	{ "SEARCH hub=north from=2027-03-28 to=2027-03-28", NULL,
	  "from=2027-03-28T00:00:00Z|to=2027-03-28T23:00:00Z" },
	/* and back at 02:00 BST: a day of 25 hours */
	{ "SEARCH hub=north from=2026-10-25 to=2026-10-25", NULL,
	  "from=2026-10-24T23:00:00Z|to=2026-10-26T00:00:00Z" },
	{ "SEARCH hub=north to=2026-12-01", NULL,
	  "to=2026-12-02T00:00:00Z" },
	{ "SEARCH hub=north to=2026-11-20", NULL,
	  "to=2026-11-21T00:00:00Z" },
	{ "SEARCH hub=north from=2026-12-31 to=2027-01-01", NULL,
	  "from=2026-12-31T00:00:00Z|to=2027-01-02T00:00:00Z" },
	{ "SEARCH hub=north from=2028-02-29", NULL,
	  "from=2028-02-29T00:00:00Z|to=2028-03-14T00:00:00Z" },
	{ "SEARCH hub=north from=2026-01-01 to=2027-01-01", NULL,
	  "from=2026-01-01T00:00:00Z|to=2027-01-02T00:00:00Z" },
	{ "SEARCH hub=north from=2026-11-01", NULL,
	  "from=2026-11-01T00:00:00Z|to=2026-11-15T00:00:00Z" },
	{ "SEARCH hub=north from=2026-12-01", "America/New_York",
	  "from=2026-12-01T05:00:00Z|to=2026-12-15T05:00:00Z" },
	{ "SEARCH hub=north from=2026-12-01", "Australia/Sydney",
	  "from=2026-11-30T13:00:00Z|to=2026-12-14T13:00:00Z" },
	{ "SEARCH hub=north from=2026-12-01", "UTC",
	  "from=2026-12-01T00:00:00Z|to=2026-12-15T00:00:00Z" },

	/* from= and to= as times */
	{ "SEARCH hub=north from=2026-12-01T10:00", NULL,
	  "from=2026-12-01T10:00:00Z|to=2026-12-15T10:00:00Z" },
	{ "SEARCH hub=north from=2026-07-01T10:00", NULL,
	  "from=2026-07-01T09:00:00Z|to=2026-07-15T09:00:00Z" },
	{ "SEARCH hub=north from=2026-07-01T10:00:30+02:00", NULL,
	  "from=2026-07-01T08:00:30Z|to=2026-07-15T08:00:30Z" },
	{ "SEARCH hub=north from=2026-07-01T10:00Z to=2026-07-01T12:00Z",
	  NULL, "from=2026-07-01T10:00:00Z|to=2026-07-01T12:00:00Z" },
	{ "SEARCH hub=north from=2026-07-01T10:00-05:00 to=2026-07-02",
	  NULL, "from=2026-07-01T15:00:00Z|to=2026-07-02T23:00:00Z" },
	{ "SEARCH hub=north to=2026-11-20T10:00:01Z", NULL,
	  "to=2026-11-20T10:00:01Z" },

	/* days= */
	{ "SEARCH hub=north days=tue", NULL, "days=tue" },
	{ "SEARCH hub=north days=mon,tue", NULL, "days=mon,tue" },
	{ "SEARCH hub=north days=Tuesday", NULL, "days=tue" },
	{ "SEARCH hub=north days=SAT,sun", NULL, "days=sun,sat" },
	{ "SEARCH hub=north days=monday,WEDNESDAY,fri", NULL,
	  "days=mon,wed,fri" },
	{ "SEARCH hub=north days=thursday,thu", NULL, "days=thu" },
	{ "SEARCH hub=north days=\" mon , fri \"", NULL, "days=mon,fri" },
	{ "SEARCH hub=north days=weekdays", NULL,
	  "days=mon,tue,wed,thu,fri" },
	{ "SEARCH hub=north days=weekend,mon", NULL, "days=sun,mon,sat" },
	{ "SEARCH hub=north days=sun,mon,tue,wed,thu,fri,sat", NULL,
	  "days=sun,mon,tue,wed,thu,fri,sat" },

	/* after= and before= */
	{ "SEARCH hub=north after=18:00", NULL, "after=18:00" },
	{ "SEARCH hub=north before=12:30", NULL, "before=12:30" },
	{ "SEARCH hub=north after=9:30 before=12:00", NULL,
	  "after=09:30|before=12:00" },
	{ "SEARCH hub=north after=00:00 before=23:59", NULL,
	  "after=00:00|before=23:59" },
	{ "SEARCH hub=north after=11:59 before=12:00", NULL,
	  "after=11:59|before=12:00" },

	/* near= and within= */
	{ "SEARCH hub=north near=\"DT1 1HF\"", NULL,
	  "near=postcode:DT1 1HF" },
	{ "SEARCH hub=north near=dt11hf", NULL, "near=postcode:DT1 1HF" },
	{ "SEARCH hub=north near=\" dt11 7ar \"", NULL,
	  "near=postcode:DT11 7AR" },
	{ "SEARCH hub=north near=DT1", NULL, "near=outcode:DT1" },
	{ "SEARCH hub=north near=dt11", NULL, "near=outcode:DT11" },
	{ "SEARCH hub=north near=sp8", NULL, "near=outcode:SP8" },
	{ "SEARCH hub=north near=50.71,-2.44", NULL,
	  "near=point:50.710000,-2.440000" },
	{ "SEARCH hub=north near=\"50.7145, -2.437\"", NULL,
	  "near=point:50.714500,-2.437000" },
	{ "SEARCH hub=north near=-90,180", NULL,
	  "near=point:-90.000000,180.000000" },
	{ "SEARCH hub=north near=DT1 within=5", NULL,
	  "near=outcode:DT1|within=5" },
	{ "SEARCH hub=north near=DT1 within=2.5km", NULL,
	  "near=outcode:DT1|within=2.5" },
	{ "SEARCH hub=north near=DT1 within=0.1", NULL,
	  "near=outcode:DT1|within=0.1" },
	{ "SEARCH hub=north near=DT1 within=200", NULL,
	  "near=outcode:DT1|within=200" },
	{ "SEARCH hub=north near=DT1 within=200KM", NULL,
	  "near=outcode:DT1|within=200" },

	/* online=, free=, max_cost= */
	{ "SEARCH hub=north online=yes", NULL, "online=yes" },
	{ "SEARCH hub=north online=no", NULL, "online=no" },
	{ "SEARCH hub=north online=YES", NULL, "online=yes" },
	{ "SEARCH hub=north free=yes", NULL, "free=yes" },
	{ "SEARCH hub=north free=no", NULL, "free=no" },
	{ "SEARCH hub=north max_cost=5", NULL, "max_cost=5.00" },
	{ "SEARCH hub=north max_cost=" POUND "5", NULL, "max_cost=5.00" },
	{ "SEARCH hub=north max_cost=5.5", NULL, "max_cost=5.50" },
	{ "SEARCH hub=north max_cost=" POUND "12.75", NULL,
	  "max_cost=12.75" },
	{ "SEARCH hub=north max_cost=0", NULL, "max_cost=0.00" },
	{ "SEARCH hub=north max_cost=10000", NULL, "max_cost=10000.00" },
	{ "SEARCH hub=north free=yes max_cost=3", NULL,
	  "free=yes|max_cost=3.00" },

	/* funding=, pathway=, access=, group= */
	{ "SEARCH hub=north funding=isf", NULL, "funding=isf" },
	{ "SEARCH hub=north funding=isf,direct_payment", NULL,
	  "funding=direct_payment,isf" },
	{ "SEARCH hub=north funding=ISF,Council,self_funded,isf", NULL,
	  "funding=isf,council,self_funded" },
	{ "SEARCH hub=north pathway=community", NULL, "pathway=community" },
	{ "SEARCH hub=north pathway=supported,specialist", NULL,
	  "pathway=specialist,supported" },
	{ "SEARCH hub=north access=wheelchair", NULL, "access=wheelchair" },
	{ "SEARCH hub=north access=Wheelchair,bsl", NULL,
	  "access=wheelchair,bsl" },
	{ "SEARCH hub=north access=transport,sensory_friendly,quiet_space,"
	  "makaton,bsl,hearing_loop,changing_places,wheelchair", NULL,
	  "access=wheelchair,changing_places,hearing_loop,bsl,makaton,"
	  "quiet_space,sensory_friendly,transport" },
	{ "SEARCH hub=north group=dementia", NULL, "group=dementia" },
	{ "SEARCH hub=north group=sensory,autism,older_adults", NULL,
	  "group=autism,older_adults,sensory" },
	{ "SEARCH hub=north group=learning_disability,physical_disability,"
	  "mental_health", NULL,
	  "group=learning_disability,physical_disability,mental_health" },

	/* age=, category= */
	{ "SEARCH hub=north age=30", NULL, "age=30" },
	{ "SEARCH hub=north age=0", NULL, "age=0" },
	{ "SEARCH hub=north age=130", NULL, "age=130" },
	{ "SEARCH hub=north age=018", NULL, "age=18" },
	{ "SEARCH hub=north category=art", NULL, "category=art" },
	{ "SEARCH hub=north category=Art,gardening,art", NULL,
	  "category=art,gardening" },
	{ "SEARCH hub=north category=dementia-cafe,music", NULL,
	  "category=dementia-cafe,music" },

	/* sort=, limit=, cursor= */
	{ "SEARCH hub=north sort=soonest", NULL, "sort=soonest" },
	{ "SEARCH hub=north q=art sort=soonest", NULL,
	  "q=art|sort=soonest" },
	{ "SEARCH hub=north q=art sort=Relevance", NULL,
	  "q=art|sort=relevance" },
	{ "SEARCH hub=north near=DT4 sort=nearest", NULL,
	  "near=outcode:DT4|sort=nearest" },
	{ "SEARCH hub=north near=DT4 q=swim sort=nearest", NULL,
	  "near=outcode:DT4|q=swim|sort=nearest" },
	{ "SEARCH hub=north limit=1", NULL, "limit=1" },
	{ "SEARCH hub=north limit=100", NULL, "limit=100" },
	{ "SEARCH hub=north cursor=abc-_XYZ09", NULL, "cursor=abc-_XYZ09" },

	/* all at once, in another order */
	{ "SEARCH cursor=eyJvIjoyMH0 limit=5 sort=nearest category=swimming "
	  "age=67 group=older_adults access=wheelchair,changing_places "
	  "pathway=community funding=direct_payment max_cost=" POUND "4.50 "
	  "free=no online=no within=8 near=\"dt4 7bx\" before=16:00 "
	  "after=10:00 days=tue,thu to=2026-12-24 from=2026-12-01 "
	  "q=\"swimming for older people\" hub=south", NULL,
	  "hub=south|q=swimming for older people|from=2026-12-01T00:00:00Z|"
	  "to=2026-12-25T00:00:00Z|days=tue,thu|after=10:00|before=16:00|"
	  "near=postcode:DT4 7BX|within=8|online=no|free=no|max_cost=4.50|"
	  "funding=direct_payment|pathway=community|"
	  "access=wheelchair,changing_places|group=older_adults|age=67|"
	  "category=swimming|sort=nearest|limit=5|cursor=eyJvIjoyMH0" },
};

Test(query, good_lines)
{
	struct query	 q;
	const char	*code;
	char		 msg[512], got[1024], *want;
	size_t		 i, f;

	for (i = 0; i < nitems(good_cases); i++) {
		const struct good_case *c = &good_cases[i];

		memset(&q, 0xa5, sizeof q);
		code = "unset";
		cr_assert_eq(parse_line(c->line, c->tz, &q, &code, msg,
		    sizeof msg), 0, "\"%s\" was refused: %s: %s", c->line,
		    code, msg);
		cr_expect_null(code, "\"%s\": a code on success", c->line);
		for (f = 0; field_names[f] != NULL; f++) {
			render(&q, f, got, sizeof got);
			want = want_field(c->want, field_names[f]);
			cr_expect_str_eq(got, want != NULL ? want :
			    field_defaults[f], "\"%s\": %s is \"%s\", want "
			    "\"%s\"", c->line, field_names[f], got,
			    want != NULL ? want : field_defaults[f]);
			free(want);
		}
		query_free(&q);
		cr_expect_null(q.hub);
		cr_expect_null(q.categories);
	}
}

struct bad_case {
	const char	*line;
	const char	*code;
	const char	*name;		/* the message names the argument */
	const char	*want;		/* and these words, or NULL */
};

#define BAD	"bad_argument"

static const struct bad_case bad_cases[] = {
	/* hub= */
	{ "SEARCH", "missing_argument", "hub", "required" },
	{ "SEARCH q=art days=tue", "missing_argument", "hub", NULL },
	{ "FACETS q=art", "missing_argument", "hub", NULL },
	{ "SEARCH hub=North", BAD, "hub:", "\"North\" is not a hub id" },
	{ "SEARCH hub=\"\"", BAD, "hub:", NULL },
	{ "SEARCH hub=-north", BAD, "hub:", NULL },
	{ "SEARCH hub=a.b", BAD, "hub:", NULL },
	{ "SEARCH hub=abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
	  "abcdefghijabcde", BAD, "hub:", "at most 64" },

	/* unknown arguments, and those FACETS does not take */
	{ "SEARCH hub=north colour=red", "unknown_argument", "\"colour\"",
	  "SEARCH takes hub, q, from" },
	{ "SEARCH hub=north days=mon near_by=DT1", "unknown_argument",
	  "\"near_by\"", NULL },
	{ "SEARCH colour=red", "unknown_argument", "\"colour\"", NULL },
	{ "SEARCH hub=north categories=art", "unknown_argument",
	  "\"categories\"", "category" },
	{ "FACETS hub=north limit=5", "unknown_argument", "\"limit\"",
	  "FACETS takes" },
	{ "FACETS hub=north sort=soonest", "unknown_argument", "\"sort\"",
	  NULL },
	{ "FACETS hub=north cursor=abc", "unknown_argument", "\"cursor\"",
	  NULL },

	/* from= and to= */
	{ "SEARCH hub=north from=2026-13-01", BAD, "from:",
	  "\"2026-13-01\" is not a date" },
	{ "SEARCH hub=north from=2026-02-30", BAD, "from:", "YYYY-MM-DD" },
	{ "SEARCH hub=north from=2026-02-29", BAD, "from:", NULL },
	{ "SEARCH hub=north from=2026-04-31", BAD, "from:", NULL },
	{ "SEARCH hub=north from=2026-00-10", BAD, "from:", NULL },
	{ "SEARCH hub=north from=2026-12-00", BAD, "from:", NULL },
	{ "SEARCH hub=north from=2026-1-1", BAD, "from:", NULL },
	{ "SEARCH hub=north from=20261201", BAD, "from:", NULL },
	{ "SEARCH hub=north from=tomorrow", BAD, "from:", NULL },
	{ "SEARCH hub=north from=\"2026-12-01 \"", BAD, "from:", NULL },
	{ "SEARCH hub=north from=2026-12-01T", BAD, "from:", NULL },
	{ "SEARCH hub=north from=2026-12-01T10", BAD, "from:", NULL },
	{ "SEARCH hub=north from=2026-12-01T25:00", BAD, "from:", NULL },
	{ "SEARCH hub=north from=2026-12-01T10:60", BAD, "from:", NULL },
	{ "SEARCH hub=north from=2026-12-01T10:00+25:00", BAD, "from:",
	  NULL },
	{ "SEARCH hub=north from=2026-12-01T10:00GMT", BAD, "from:", NULL },
	{ "SEARCH hub=north to=2026-12-32", BAD, "to:", NULL },
	{ "SEARCH hub=north to=12/01/2026", BAD, "to:", NULL },
	{ "SEARCH hub=north from=1066-10-14", BAD, "from:", NULL },
	{ "SEARCH hub=north to=2026-11-19", BAD, "to:", "is not after from" },
	{ "SEARCH hub=north from=2026-12-05 to=2026-12-01", BAD, "to:",
	  "is not after from" },
	{ "SEARCH hub=north from=2026-12-01T10:00Z to=2026-12-01T10:00Z",
	  BAD, "to:", "is not after from" },
	{ "SEARCH hub=north from=2026-12-01T10:00Z to=2026-12-01T09:59Z",
	  BAD, "to:", NULL },
	{ "SEARCH hub=north to=2026-11-20T10:00:00Z", BAD, "to:", NULL },
	{ "SEARCH hub=north from=2026-01-01 to=2027-01-02", BAD, "to:",
	  "longer than 366 days" },
	{ "SEARCH hub=north to=2028-01-01", BAD, "to:", "366 days" },
	{ "SEARCH hub=north from=2026-12-01T10:00Z to=2027-12-02T10:00:01Z",
	  BAD, "to:", "366 days" },

	/* days= */
	{ "SEARCH hub=north days=funday", BAD, "days:",
	  "\"funday\" is not a day" },
	{ "SEARCH hub=north days=mon,,tue", BAD, "days:", "\"\"" },
	{ "SEARCH hub=north days=mon,", BAD, "days:", NULL },
	{ "SEARCH hub=north days=mo", BAD, "days:", NULL },
	{ "SEARCH hub=north days=tues", BAD, "days:", NULL },
	{ "SEARCH hub=north days=\"\"", BAD, "days:", NULL },
	{ "SEARCH hub=north days=mon;tue", BAD, "days:", NULL },

	/* after= and before= */
	{ "SEARCH hub=north after=25:00", BAD, "after:",
	  "not a time of day" },
	{ "SEARCH hub=north after=9", BAD, "after:", NULL },
	{ "SEARCH hub=north after=09:60", BAD, "after:", NULL },
	{ "SEARCH hub=north after=9:5", BAD, "after:", NULL },
	{ "SEARCH hub=north after=123:00", BAD, "after:", NULL },
	{ "SEARCH hub=north after=6pm", BAD, "after:", NULL },
	{ "SEARCH hub=north before=noon", BAD, "before:", NULL },
	{ "SEARCH hub=north before=24:00", BAD, "before:", NULL },
	{ "SEARCH hub=north after=18:00 before=12:00", BAD, "after",
	  "after=18:00 is not earlier than before=12:00" },
	{ "SEARCH hub=north after=12:00 before=12:00", BAD, "before",
	  NULL },

	/* near= */
	{ "SEARCH hub=north near=\"DT1 1H\"", BAD, "near:",
	  "\"DT1 1H\" is not a UK postcode" },
	{ "SEARCH hub=north near=DT1-1HF", BAD, "near:", NULL },
	{ "SEARCH hub=north near=\"DT1 1HO\"", BAD, "near:", NULL },
	{ "SEARCH hub=north near=DT", BAD, "near:", NULL },
	{ "SEARCH hub=north near=Dorchester", BAD, "near:", NULL },
	{ "SEARCH hub=north near=50.71", BAD, "near:", NULL },
	{ "SEARCH hub=north near=50.71,", BAD, "near:", NULL },
	{ "SEARCH hub=north near=a,b", BAD, "near:", NULL },
	{ "SEARCH hub=north near=1,2,3", BAD, "near:", NULL },
	{ "SEARCH hub=north near=91,0", BAD, "near:", "out of range" },
	{ "SEARCH hub=north near=-90.5,0", BAD, "near:", "out of range" },
	{ "SEARCH hub=north near=50,-200", BAD, "near:", "out of range" },

	/* within= */
	{ "SEARCH hub=north within=5", BAD, "within", "within needs near" },
	{ "SEARCH hub=north near=DT1 within=0", BAD, "within:",
	  "more than 0 and at most 200" },
	{ "SEARCH hub=north near=DT1 within=0.0", BAD, "within:", NULL },
	{ "SEARCH hub=north near=DT1 within=500", BAD, "within:", NULL },
	{ "SEARCH hub=north near=DT1 within=200.01", BAD, "within:", NULL },
	{ "SEARCH hub=north near=DT1 within=-1", BAD, "within:", NULL },
	{ "SEARCH hub=north near=DT1 within=five", BAD, "within:", NULL },
	{ "SEARCH hub=north near=DT1 within=5mi", BAD, "within:", NULL },
	{ "SEARCH hub=north near=DT1 within=km", BAD, "within:", NULL },
	{ "SEARCH hub=north near=DT1 within=1e2", BAD, "within:", NULL },

	/* sort= */
	{ "SEARCH hub=north sort=nearest", BAD, "sort=nearest needs near",
	  NULL },
	{ "SEARCH hub=north q=art sort=nearest", BAD, "nearest needs near",
	  NULL },
	{ "SEARCH hub=north sort=relevance", BAD,
	  "sort=relevance needs q", NULL },
	{ "SEARCH hub=north q=\"  \" sort=relevance", BAD, "needs q", NULL },
	{ "SEARCH hub=north sort=random", BAD, "sort:",
	  "relevance, soonest or nearest" },

	/* online=, free=, max_cost= */
	{ "SEARCH hub=north online=maybe", BAD, "online:", "yes" },
	{ "SEARCH hub=north free=perhaps", BAD, "free:", NULL },
	{ "SEARCH hub=north max_cost=-1", BAD, "max_cost:", "not a price" },
	{ "SEARCH hub=north max_cost=10000.01", BAD, "max_cost:", NULL },
	{ "SEARCH hub=north max_cost=20000", BAD, "max_cost:", NULL },
	{ "SEARCH hub=north max_cost=5.555", BAD, "max_cost:", NULL },
	{ "SEARCH hub=north max_cost=$5", BAD, "max_cost:", NULL },
	{ "SEARCH hub=north max_cost=five", BAD, "max_cost:", NULL },
	{ "SEARCH hub=north max_cost=" POUND, BAD, "max_cost:", NULL },
	{ "SEARCH hub=north max_cost=5" POUND, BAD, "max_cost:", NULL },

	/* funding=, pathway=, access=, group= */
	{ "SEARCH hub=north funding=cash", BAD, "funding:",
	  "\"cash\" is not one of direct_payment, isf, council, "
	  "self_funded" },
	{ "SEARCH hub=north funding=isf,", BAD, "funding:", "empty" },
	{ "SEARCH hub=north funding=direct-payment", BAD, "funding:", NULL },
	{ "SEARCH hub=north pathway=mainstream", BAD, "pathway:",
	  "specialist, supported, community" },
	{ "SEARCH hub=north access=wheelchair,lift", BAD, "access:",
	  "\"lift\"" },
	{ "SEARCH hub=north access=\"\"", BAD, "access:", NULL },
	{ "SEARCH hub=north group=children", BAD, "group:",
	  "learning_disability" },

	/* age=, category= */
	{ "SEARCH hub=north age=131", BAD, "age:", "0 to 130" },
	{ "SEARCH hub=north age=-1", BAD, "age:", NULL },
	{ "SEARCH hub=north age=30.5", BAD, "age:", NULL },
	{ "SEARCH hub=north age=old", BAD, "age:", NULL },
	{ "SEARCH hub=north category=no-such-term", BAD, "category:",
	  "\"no-such-term\" is not a term" },
	{ "SEARCH hub=north category=art,,music", BAD, "category:", "empty" },
	{ "SEARCH hub=north category=art,", BAD, "category:", NULL },

	/* limit=, cursor= */
	{ "SEARCH hub=north limit=0", BAD, "limit:", "from 1 to 100" },
	{ "SEARCH hub=north limit=101", BAD, "limit:", NULL },
	{ "SEARCH hub=north limit=ten", BAD, "limit:", NULL },
	{ "SEARCH hub=north limit=-5", BAD, "limit:", NULL },
	{ "SEARCH hub=north cursor=abc+def", BAD, "cursor:",
	  "A-Z, a-z, 0-9, - and _" },
	{ "SEARCH hub=north cursor=abc/def", BAD, "cursor:", NULL },
	{ "SEARCH hub=north cursor=abc=", BAD, "cursor:", NULL },
	{ "SEARCH hub=north cursor=\"\"", BAD, "cursor:", NULL },
	{ "SEARCH hub=north cursor=\"ab cd\"", BAD, "cursor:", NULL },
};

/* Every field of `q` is zero: nothing was left behind by a refusal. */
static int
query_empty(const struct query *q)
{
	static const struct query	zero;

	return memcmp(q, &zero, sizeof zero) == 0;
}

Test(query, bad_lines)
{
	struct query	 q;
	const char	*code;
	char		 msg[1024];
	size_t		 i;

	for (i = 0; i < nitems(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		code = NULL;
		msg[0] = '\0';
		cr_expect_eq(parse_line(c->line, NULL, &q, &code, msg,
		    sizeof msg), -1, "\"%s\" was taken", c->line);
		cr_expect(code != NULL && strcmp(code, c->code) == 0,
		    "\"%s\": code %s, want %s", c->line,
		    code != NULL ? code : "(none)", c->code);
		cr_expect(strstr(msg, c->name) != NULL, "\"%s\": \"%s\" does "
		    "not name %s", c->line, msg, c->name);
		if (c->want != NULL)
			cr_expect(strstr(msg, c->want) != NULL, "\"%s\": "
			    "\"%s\" does not say %s", c->line, msg, c->want);
		cr_expect(query_empty(&q), "\"%s\": the refused query holds "
		    "something", c->line);
		query_free(&q);
	}
}

/* Runs "SEARCH hub=north KEY=VALUE" for a value built here. */
static int
parse_value(const char *key, const char *value, struct query *q,
    const char **code, char *msg, size_t msglen)
{
	char	*line;
	int	 ret;

	if (asprintf(&line, "SEARCH hub=north %s=\"%s\"", key, value) == -1)
		cr_assert_fail("out of memory");
	ret = parse_line(line, NULL, q, code, msg, msglen);
	free(line);
	return ret;
}

Test(query, lengths_at_their_limits)
{
	struct query	 q;
	const char	*code;
	char		 msg[512], *s;

	s = malloc(QUERY_MAX_CURSOR + 2);
	cr_assert_not_null(s);

	memset(s, 'a', SEARCH_MAX_QUERY);
	s[SEARCH_MAX_QUERY] = '\0';
	cr_expect_eq(parse_value("q", s, &q, &code, msg, sizeof msg), 0,
	    "%s", msg);
	cr_expect_eq(strlen(q.q), SEARCH_MAX_QUERY);
	query_free(&q);
	s[SEARCH_MAX_QUERY] = 'a';
	s[SEARCH_MAX_QUERY + 1] = '\0';
	cr_expect_eq(parse_value("q", s, &q, &code, msg, sizeof msg), -1);
	cr_expect_str_eq(code, "bad_argument");
	cr_expect(strstr(msg, "q: the search text is longer than 512") !=
	    NULL, "%s", msg);

	memset(s, 'Z', QUERY_MAX_CURSOR);
	s[QUERY_MAX_CURSOR] = '\0';
	cr_expect_eq(parse_value("cursor", s, &q, &code, msg, sizeof msg), 0,
	    "%s", msg);
	cr_expect_eq(strlen(q.cursor), QUERY_MAX_CURSOR);
	query_free(&q);
	s[QUERY_MAX_CURSOR] = 'Z';
	s[QUERY_MAX_CURSOR + 1] = '\0';
	cr_expect_eq(parse_value("cursor", s, &q, &code, msg, sizeof msg),
	    -1);
	cr_expect(strstr(msg, "cursor:") != NULL, "%s", msg);
	free(s);
}

Test(query, long_values_are_quoted_short)
{
	struct query	 q;
	const char	*code;
	char		 msg[512], s[300];

	memset(s, 'x', sizeof s - 1);
	s[sizeof s - 1] = '\0';
	cr_expect_eq(parse_value("days", s, &q, &code, msg, sizeof msg), -1);
	cr_expect(strstr(msg, "days: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "...\" is not a day") != NULL, "%s", msg);

	/* A cut never splits a character: 39 x then a two-byte e. */
	memset(s, 'x', 39);
	strcpy(s + 39, "\xc3\xa9\xc3\xa9\xc3\xa9");
	cr_expect_eq(parse_value("days", s, &q, &code, msg, sizeof msg), -1);
	cr_expect(utf8_valid(msg, strlen(msg)), "%s", msg);
	cr_expect(strstr(msg, "xxx...\"") != NULL, "%s", msg);
}

Test(query, many_categories)
{
	struct query	 q;
	const char	*code;
	char		 msg[512];

	cr_expect_eq(parse_line("SEARCH hub=north category=art,music,sport,"
	    "walking,gardening,cooking,art,music", NULL, &q, &code, msg,
	    sizeof msg), 0, "%s", msg);
	cr_expect_eq(q.ncategories, 6);
	query_free(&q);
}

/* A request built by hand, as another front end than proto.c might. */
static void
request(struct proto_request *req, const char *command, const char *kv[],
    size_t n)
{
	size_t	i;

	memset(req, 0, sizeof *req);
	snprintf(req->command, sizeof req->command, "%s", command);
	for (i = 0; i < n; i++) {
		req->args[i].key = (char *)(uintptr_t)kv[2 * i];
		req->args[i].value = (char *)(uintptr_t)kv[2 * i + 1];
	}
	req->nargs = n;
}

Test(query, what_only_a_hand_built_request_can_hold)
{
	struct proto_request	 req;
	struct query		 q;
	const char		*code;
	char			 msg[512];
	const char		*twice[] = { "hub", "north", "q", "art", "q",
				    "craft" };
	const char		*notutf8[] = { "hub", "north", "q",
				    "caf\xe9" };
	const char		*get[] = { "id", "north:x" };
	const char		*ok[] = { "hub", "north" };

	request(&req, "SEARCH", twice, 3);
	cr_expect_eq(query_parse(&req, NULL, test_now(), &q, &code, msg,
	    sizeof msg), -1);
	cr_expect_str_eq(code, "bad_argument");
	cr_expect(strstr(msg, "q: given twice") != NULL, "%s", msg);
	cr_expect(query_empty(&q));

	request(&req, "SEARCH", notutf8, 2);
	cr_expect_eq(query_parse(&req, NULL, test_now(), &q, &code, msg,
	    sizeof msg), -1);
	cr_expect(strstr(msg, "q: the search text is not valid UTF-8") !=
	    NULL, "%s", msg);

	request(&req, "GET", get, 1);
	cr_expect_eq(query_parse(&req, NULL, test_now(), &q, &code, msg,
	    sizeof msg), -1);
	cr_expect_str_eq(code, "internal");

	request(&req, "SEARCH", ok, 1);
	cr_expect_eq(query_parse(&req, "Mars/Olympus_Mons", test_now(), &q,
	    &code, msg, sizeof msg), -1);
	cr_expect_str_eq(code, "internal");
	cr_expect(strstr(msg, "Mars/Olympus_Mons") != NULL, "%s", msg);

	/* No room for a message is no reason to fail differently. */
	request(&req, "SEARCH", twice, 3);
	cr_expect_eq(query_parse(&req, NULL, test_now(), &q, &code, msg, 0),
	    -1);
	cr_expect_str_eq(code, "bad_argument");
}

Test(query, words_of_the_bit_sets)
{
	static const struct {
		enum query_set	 set;
		unsigned	 bit;
		const char	*want;
	} cases[] = {
		{ QUERY_SET_DAYS, 0, "sun" },
		{ QUERY_SET_DAYS, 2, "tue" },
		{ QUERY_SET_DAYS, 6, "sat" },
		{ QUERY_SET_DAYS, 7, NULL },
		{ QUERY_SET_FUNDING, 0, "direct_payment" },
		{ QUERY_SET_FUNDING, 3, "self_funded" },
		{ QUERY_SET_FUNDING, 4, NULL },
		{ QUERY_SET_PATHWAY, 2, "community" },
		{ QUERY_SET_PATHWAY, 3, NULL },
		{ QUERY_SET_ACCESS, 7, "transport" },
		{ QUERY_SET_ACCESS, 8, NULL },
		{ QUERY_SET_GROUPS, 6, "sensory" },
		{ QUERY_SET_GROUPS, 7, NULL },
		{ QUERY_SET_GROUPS, 1000, NULL },
		{ (enum query_set)99, 0, NULL },
	};
	size_t	i;

	for (i = 0; i < nitems(cases); i++) {
		const char *w = query_word(cases[i].set, cases[i].bit);

		if (cases[i].want == NULL)
			cr_expect_null(w, "set %d bit %u: \"%s\"",
			    (int)cases[i].set, cases[i].bit, w);
		else
			cr_expect(w != NULL && strcmp(w, cases[i].want) == 0,
			    "set %d bit %u: %s, want %s", (int)cases[i].set,
			    cases[i].bit, w != NULL ? w : "NULL",
			    cases[i].want);
	}
}
