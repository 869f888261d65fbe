/*
 * test_search.c - kiosk searches against a real store: a small directory
 * of activities written for the test (built by the real record sink, as
 * a refresh builds them), the real postcode import, and questions asked
 * as protocol lines read by the real query parser.  Each row is a
 * question a person might ask and the activities that should come back,
 * in order; error rows say what the person is told.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "dayhub.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

/* Saturday 2026-11-28 00:00 UTC: "now" for the whole directory. */
#define NOW		((time_t)1795824000)
#define DAY		86400

static char	 tmpdir[256];
static char	 dbpath[300];

static void
setup(void)
{
	const char	*base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/dayhub-search-XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp");
	snprintf(dbpath, sizeof dbpath, "%s/dayhub.db", tmpdir);
	log_init(1, LOG_LEVEL_WARN, "test_search");
	zone_init();
}

static void
teardown(void)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[600];

	if ((d = opendir(tmpdir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(tmpdir);
}

TestSuite(search, .init = setup, .fini = teardown, .timeout = 120);

#define S(lit)	((char []){ lit })

static struct config_spoke west_spokes[] = {
	{ .id = S("pool"), .name = S("Pool"), .url = S("https://p.example/") },
	{ .id = S("arts"), .name = S("Arts"), .url = S("https://a.example/") },
	{ .id = S("cafe"), .name = S("Cafe"), .url = S("https://c.example/") },
};
static struct config_spoke east_spokes[] = {
	{ .id = S("other"), .name = S("Other"),
	  .url = S("https://o.example/") },
};
static struct config_hub hubs[] = {
	{ .id = S("west"), .name = S("West"), .timezone = S("Europe/London"),
	  .spokes = west_spokes, .nspokes = nitems(west_spokes) },
	{ .id = S("east"), .name = S("East"), .timezone = S("Europe/London"),
	  .spokes = east_spokes, .nspokes = nitems(east_spokes) },
};
static struct config conf = { .hubs = hubs, .nhubs = nitems(hubs) };

/*
 * The directory: each activity is "field=value|field=value..." as a
 * module would set them; a list field may repeat.  `word`, `day` and
 * `postcode` are what the round-trip test asks for it by.
 */
struct act {
	const char	*spoke;
	const char	*fields;
	const char	*word;		/* NULL: not in the round trip */
	const char	*day;
	const char	*postcode;
	const char	*access;
};

static const struct act acts[] = {
	{ "pool", "source_id=aqua|title=Aqua fit swimming|"
	  "start=2026-12-02T10:00|end=2026-12-02T11:00|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=WE|location.postcode=DT4 7BN|"
	  "access=wheelchair|access=changing_places|cost.min=4.50|"
	  "funding=direct_payment|pathway=community|activity=swimming|"
	  "groups=physical_disability", "aqua", "wed", "DT4 7BN",
	  "wheelchair,changing_places" },
	{ "pool", "source_id=swim-sat|title=Saturday swimming club|"
	  "start=2026-11-28T14:00|schedule.duration=PT2H|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=SA|location.postcode=DT5 1BD|"
	  "cost.free=yes|access=wheelchair|groups=learning_disability|"
	  "pathway=supported|categories=Swimming", "saturday", "sat",
	  "DT5 1BD", "wheelchair" },
	{ "pool", "source_id=walk|title=Fortnightly walk|"
	  "start=2026-12-08T10:00|end=2026-12-08T12:00|"
	  "schedule.rrule=FREQ=WEEKLY;INTERVAL=2;BYDAY=TU|"
	  "location.lat=50.7152|location.lon=-2.4391|categories=Walking",
	  "fortnightly", "tue", "DT1 1HF", NULL },
	{ "cafe", "source_id=dementia|title=Memory cafe|"
	  "start=2026-12-01T14:00|end=2026-12-01T16:00|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=TU|location.postcode=DT1 1BA|"
	  "cost.free=yes|groups=dementia|categories=Dementia cafe|"
	  "access=hearing_loop", "memory", "tue", "DT1 1BA",
	  "hearing_loop" },
	{ "cafe", "source_id=far-dementia|title=Dementia cafe in Sherborne|"
	  "start=2026-12-03T10:30|end=2026-12-03T12:00|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=TH|location.postcode=DT9 3AQ|"
	  "cost.free=yes|groups=dementia|activity=dementia-cafe",
	  "sherborne", "thu", "DT9 3AQ", NULL },
	{ "cafe", "source_id=lunch|title=Sherborne lunch club|"
	  "start=2026-12-03T12:00|end=2026-12-03T13:30|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=TH|location.postcode=DT9 6AG|"
	  "cost.min=2.50|categories=Social|groups=older_adults",
	  "lunch", "thu", "DT9 6AG", NULL },
	{ "arts", "source_id=tue-art|title=Tuesday art studio|"
	  "start=2026-12-01T10:00|end=2026-12-01T12:00|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=TU|location.postcode=DT1 2HR|"
	  "funding=isf|funding=council|categories=Art|cost.min=12|"
	  "pathway=specialist|access=wheelchair", "studio", "tue",
	  "DT1 2HR", "wheelchair" },
	{ "arts", "source_id=tue-art-pm|title=Afternoon art|"
	  "start=2026-12-01T14:00|end=2026-12-01T16:00|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=TU|location.postcode=DT1 2JA|"
	  "funding=isf|categories=Art|cost.min=8", "afternoon", "tue",
	  "DT1 2JA", NULL },
	{ "arts", "source_id=thu-art|title=Art on Thursday morning|"
	  "start=2026-12-03T10:00|end=2026-12-03T12:00|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=TH|location.postcode=DT1 2LB|"
	  "funding=isf|categories=Art|cost.min=20", "thursday", "thu",
	  "DT1 2LB", NULL },
	{ "arts", "source_id=music-eve|title=Evening music jam|"
	  "start=2026-12-04T19:00|end=2026-12-04T21:00|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=FR|location.postcode=DT4 8BG|"
	  "categories=Music|cost.min=3|funding=self_funded", "jam", "fri",
	  "DT4 8BG", NULL },
	{ "arts", "source_id=choir|title=Community choir|"
	  "start=2026-11-30T11:00|end=2026-11-30T12:30|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=MO|location.postcode=DT6 3NY|"
	  "categories=Singing|cost.min=6", "choir", "mon", "DT6 3NY",
	  NULL },
	{ "arts", "source_id=autism-sat|title=Autism-friendly cinema|"
	  "start=2026-12-05T10:00|end=2026-12-05T12:00|"
	  "location.postcode=DT9 4EQ|groups=autism|access=quiet_space|"
	  "access=sensory_friendly|categories=Film|cost.min=4|cost.free=no",
	  "cinema", "sat", "DT9 4EQ", "quiet_space,sensory_friendly" },
	{ "arts", "source_id=autism-sun|title=Quiet swim for autistic adults|"
	  "start=2026-11-29T09:00|end=2026-11-29T10:00|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=SU|location.postcode=DT9 5NS|"
	  "groups=autism|activity=swimming|cost.min=3.50", "quiet", "sun",
	  "DT9 5NS", NULL },
	{ "arts", "source_id=online|title=Online quiz night|"
	  "start=2026-12-02T19:00|end=2026-12-02T20:00|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=WE|location.online=yes|"
	  "cost.free=yes|categories=Games", NULL, NULL, NULL, NULL },
	{ "arts", "source_id=dance|title=Youth dance|"
	  "start=2026-12-03T16:00|end=2026-12-03T17:00|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=TH|location.postcode=DT1 3RH|"
	  "age.min=16|age.max=25|categories=Dance|cost.min=5",
	  "dance", "thu", "DT1 3RH", NULL },
	{ "arts", "source_id=pottery|title=Saturday pottery|"
	  "start=2026-11-28T10:00|end=2026-11-28T12:00|"
	  "schedule.rrule=FREQ=WEEKLY;BYDAY=SA|location.postcode=DT2 7AB|"
	  "cost.free=yes|access=wheelchair|categories=Pottery|"
	  "pathway=community", "pottery", "sat", "DT2 7AB", "wheelchair" },
	{ "arts", "source_id=undated|title=Drop-in befriending|"
	  "categories=Social|cost.free=yes", NULL, NULL, NULL, NULL },
	{ "other", "source_id=east-swim|title=Swimming in the east|"
	  "start=2026-12-02T10:00|schedule.rrule=FREQ=WEEKLY;BYDAY=WE|"
	  "location.postcode=DT4 7BX|categories=Swimming", NULL, NULL, NULL,
	  NULL },
};

/* Sets each "field=value" of `fields` on the record begun in `sink`. */
static void
set_fields(struct record_sink *sink, const char *fields)
{
	char	*copy = strdup(fields), *p = copy, *f, *eq;

	while ((f = strsep(&p, "|")) != NULL) {
		eq = strchr(f, '=');
		cr_assert_not_null(eq, "%s", f);
		*eq = '\0';
		record_host.set(sink, f, eq + 1, strlen(eq + 1));
	}
	free(copy);
}

/* Applies the fixture activities of `spoke` as one good refresh at `when`. */
static int
apply_spoke(struct store *s, const char *spoke, time_t when)
{
	struct record_sink	*sink;
	struct feed_result	 res;
	struct feed_attempt	 at;
	size_t			 i;
	int			 rc;

	sink = record_sink_new(spoke, "Europe/London", 0);
	for (i = 0; i < nitems(acts); i++) {
		if (strcmp(acts[i].spoke, spoke) != 0)
			continue;
		record_host.begin(sink);
		set_fields(sink, acts[i].fields);
		record_host.end(sink);
	}
	memset(&res, 0, sizeof res);
	record_sink_finish(sink, &res);
	record_sink_free(sink);
	memset(&at, 0, sizeof at);
	at.when = when;
	rc = store_apply_feed(s, spoke, &res, &at);
	feed_result_free(&res);
	return rc;
}

/* A store with the postcodes and the whole directory, applied at NOW. */
static struct store *
open_directory(void)
{
	struct store	*s = NULL;
	char		 err[512] = "", path[1024];
	const char	*src = getenv("DAYHUB_SRCDIR");
	FILE		*f;
	size_t		 i;

	cr_assert_eq(store_open(&s, dbpath, err, sizeof err), STORE_OK, "%s",
	    err);
	cr_assert_eq(store_sync_config(s, &conf), STORE_OK);
	snprintf(path, sizeof path, "%s/tests/fixtures/postcodes.csv",
	    src != NULL && *src != '\0' ? src : ".");
	cr_assert_not_null(f = fopen(path, "r"), "%s", path);
	cr_assert_eq(store_postcodes_import(s, f, NULL, err, sizeof err),
	    STORE_OK, "%s", err);
	fclose(f);
	for (i = 0; i < nitems(west_spokes); i++)
		cr_assert_eq(apply_spoke(s, west_spokes[i].id, NOW), STORE_OK);
	cr_assert_eq(apply_spoke(s, "other", NOW), STORE_OK);
	return s;
}

/*
 * Asks `line` (a SEARCH or FACETS request) as a kiosk would, at NOW in
 * Europe/London.  Returns "ok" with *reply set, or the error code:
 * query_parse()'s, or "unknown_hub", "near", "bad_query", "timeout" or
 * "internal" from the store; `msg` gets the message.
 */
static const char *
ask(struct store *s, const char *line, json_t **reply, char *msg,
    size_t msglen)
{
	struct proto_request	 req;
	struct query		 q;
	const char		*code = NULL;
	char			 err[256] = "";
	int			 rc;

	*reply = NULL;
	msg[0] = '\0';
	cr_assert_eq(proto_parse(line, strlen(line), &req, err, sizeof err),
	    0, "%s: %s", line, err);
	if (query_parse(&req, "Europe/London", NOW, &q, &code, msg,
	    msglen) == -1) {
		proto_request_free(&req);
		return code;
	}
	if (q.facets)
		rc = store_facets(s, &q, reply, msg, msglen);
	else
		rc = store_search(s, &q, reply, msg, msglen);
	query_free(&q);
	proto_request_free(&req);
	switch (rc) {
	case STORE_OK:
		return "ok";
	case STORE_NOTFOUND:
		return strncmp(msg, "near:", 5) == 0 ? "near" : "unknown_hub";
	case STORE_BADQUERY:
		return "bad_query";
	case STORE_TIMEOUT:
		return "timeout";
	default:
		return "internal";
	}
}

/* The ids of a reply's results, space-separated (the caller frees). */
static char *
ids_of(json_t *reply)
{
	json_t	*r;
	char	*buf = strdup(""), *tmp;
	size_t	 i;

	json_array_foreach(json_object_get(reply, "results"), i, r) {
		if (asprintf(&tmp, "%s%s%s", buf, i ? " " : "",
		    json_string_value(json_object_get(r, "id"))) == -1)
			cr_assert_fail("asprintf");
		free(buf);
		buf = tmp;
	}
	return buf;
}

/* A search's result count, asserting it succeeded. */
static size_t
count_of(struct store *s, const char *line)
{
	json_t	*reply;
	char	 msg[256];
	size_t	 n;

	cr_assert_str_eq(ask(s, line, &reply, msg, sizeof msg), "ok",
	    "%s: %s", line, msg);
	n = json_array_size(json_object_get(reply, "results"));
	cr_assert(!json_is_string(json_object_get(reply, "next")),
	    "%s: more than a page", line);
	json_decref(reply);
	return n;
}

struct question {
	const char	*line;
	const char	*code;		/* "ok" or the error */
	const char	*want;		/* ids in order, or the message */
};

static const struct question questions[] = {
	/* swimming near DT4 on Wednesday */
	{ "SEARCH hub=west q=swimming near=DT4 days=wed", "ok", "pool:aqua" },
	/* free, wheelchair, Saturday */
	{ "SEARCH hub=west free=yes access=wheelchair days=sat", "ok",
	  "arts:pottery pool:swim-sat" },
	/* dementia cafe within 5 km of DT1 1HF */
	{ "SEARCH hub=west category=dementia-cafe near=\"DT1 1HF\" within=5",
	  "ok", "cafe:dementia" },
	{ "SEARCH hub=west q=\"dementia cafe\" near=\"DT1 1HF\" within=5",
	  "ok", "cafe:dementia" },	/* its published category */
	{ "SEARCH hub=west q=cafe near=\"DT1 1HF\" within=5", "ok",
	  "cafe:dementia" },
	{ "SEARCH hub=west category=dementia-cafe", "ok",
	  "cafe:dementia cafe:far-dementia" },
	/* art on Tuesday morning that takes an ISF */
	{ "SEARCH hub=west category=art days=tue before=12:00 funding=isf",
	  "ok", "arts:tue-art" },
	{ "SEARCH hub=west category=art days=tue after=13:00", "ok",
	  "arts:tue-art-pm" },
	{ "SEARCH hub=west category=art funding=isf", "ok",
	  "arts:tue-art arts:tue-art-pm arts:thu-art" },
	/* evening music */
	{ "SEARCH hub=west category=music after=17:00", "ok",
	  "arts:music-eve" },
	{ "SEARCH hub=west q=music after=17:00", "ok", "arts:music-eve" },
	{ "SEARCH hub=west q=music before=17:00", "ok", "" },
	/* something for someone with autism this weekend */
	{ "SEARCH hub=west group=autism days=weekend", "ok",
	  "arts:autism-sun arts:autism-sat" },
	{ "SEARCH hub=west group=autism from=2026-11-28 to=2026-11-29", "ok",
	  "arts:autism-sun" },
	/* under £5 near Sherborne */
	{ "SEARCH hub=west max_cost=5 near=DT9", "ok",
	  "arts:autism-sun cafe:far-dementia cafe:lunch arts:autism-sat" },
	{ "SEARCH hub=west max_cost=5 near=DT9 sort=nearest limit=1", "ok",
	  "cafe:far-dementia" },
	{ "SEARCH hub=west max_cost=3 near=DT9", "ok",
	  "cafe:far-dementia cafe:lunch" },
	{ "SEARCH hub=west q=swimming sort=soonest", "ok",
	  "pool:swim-sat arts:autism-sun pool:aqua" },
	{ "SEARCH hub=west category=swimming free=no", "ok",
	  "arts:autism-sun pool:aqua" },
	{ "SEARCH hub=west online=yes", "ok", "arts:online" },
	{ "SEARCH hub=west age=18 category=dance", "ok", "arts:dance" },
	{ "SEARCH hub=west age=30 category=dance", "ok", "" },
	{ "SEARCH hub=west pathway=specialist", "ok", "arts:tue-art" },
	{ "SEARCH hub=west access=wheelchair,changing_places", "ok",
	  "pool:aqua" },
	{ "SEARCH hub=west group=dementia,older_adults", "ok",
	  "cafe:dementia cafe:far-dementia cafe:lunch" },
	/* a weekly session is on Tuesday only if it runs then */
	{ "SEARCH hub=west days=tue from=2026-12-02 to=2026-12-06", "ok",
	  "" },
	{ "SEARCH hub=west q=walk days=tue from=2026-12-01 to=2026-12-01",
	  "ok", "" },
	{ "SEARCH hub=west q=walk days=tue from=2026-12-08 to=2026-12-08",
	  "ok", "pool:walk" },
	/* undated activities: listed unless a day or time is asked for */
	{ "SEARCH hub=west q=befriending", "ok", "arts:undated" },
	{ "SEARCH hub=west q=befriending days=mon", "ok", "" },
	{ "SEARCH hub=west near=50.6152,-2.4674 within=1", "ok",
	  "pool:aqua" },
	/* the other hub's pool is not this hub's */
	{ "SEARCH hub=east q=swimming", "ok", "other:east-swim" },
	/* errors, in words */
	{ "SEARCH hub=west near=\"DT9 9ZZ\"", "near",
	  "near: unknown postcode \"DT9 9ZZ\" (try the outcode DT9)" },
	{ "SEARCH hub=west near=BA1", "near", "near: unknown outcode \"BA1\"" },
	{ "SEARCH hub=west near=\"BA1 1AA\"", "near",
	  "near: unknown postcode \"BA1 1AA\"" },
	{ "SEARCH hub=west near=ZZ9", "bad_argument", NULL },
	{ "SEARCH hub=nowhere q=art", "unknown_hub", "no hub \"nowhere\"" },
	{ "SEARCH hub=west cursor=AAAA", "bad_query",
	  "the cursor is not valid for this search" },
	{ "SEARCH hub=west days=funday", "bad_argument", NULL },
	{ "SEARCH hub=west within=5", "bad_argument", NULL },
	{ "SEARCH hub=west sort=nearest", "bad_argument", NULL },
	{ "SEARCH hub=west colour=red", "unknown_argument", NULL },
	{ "SEARCH q=art", "missing_argument", NULL },
};

Test(search, kiosk_questions)
{
	struct store	*s = open_directory();
	json_t		*reply;
	const char	*code;
	char		 msg[512], *ids;
	size_t		 i;

	for (i = 0; i < nitems(questions); i++) {
		code = ask(s, questions[i].line, &reply, msg, sizeof msg);
		cr_expect_str_eq(code, questions[i].code, "%s: %s (%s)",
		    questions[i].line, code, msg);
		if (strcmp(code, "ok") == 0 && strcmp(questions[i].code,
		    "ok") == 0) {
			ids = ids_of(reply);
			cr_expect_str_eq(ids, questions[i].want, "%s: got %s",
			    questions[i].line, ids);
			free(ids);
		} else if (questions[i].want != NULL)
			cr_expect_str_eq(msg, questions[i].want, "%s",
			    questions[i].line);
		json_decref(reply);
	}
	store_close(s);
}

/* A result says when it next happens, how often, and how far. */
Test(search, result_members)
{
	struct store	*s = open_directory();
	json_t		*reply, *r;
	char		 msg[256], *txt;

	cr_assert_str_eq(ask(s, "SEARCH hub=west q=aqua near=\"DT4 7BN\"",
	    &reply, msg, sizeof msg), "ok", "%s", msg);
	r = json_array_get(json_object_get(reply, "results"), 0);
	txt = json_dumps(json_object_get(r, "next"), JSON_COMPACT);
	cr_expect_str_eq(txt, "{\"start\":\"2026-12-02T10:00:00+00:00\","
	    "\"end\":\"2026-12-02T11:00:00+00:00\"}");
	free(txt);
	/* Wednesdays 2 and 9 December in the default fortnight */
	cr_expect_eq(json_integer_value(json_object_get(r, "occurrences")), 2);
	cr_expect_lt(json_real_value(json_object_get(r, "distance_km")), 0.01);
	json_decref(reply);
	store_close(s);
}

/* A 10:00 session is morning, and Tuesday, on both sides of a change. */
Test(search, clock_change)
{
	struct store	*s = NULL;
	struct record_sink *sink;
	struct feed_result res;
	struct feed_attempt at;
	json_t		*reply, *r;
	char		 err[256], msg[256];
	/* 2026-10-15: the window runs over the end of summer time (25th) */
	const time_t	 when = 1792022400;

	cr_assert_eq(store_open(&s, dbpath, err, sizeof err), STORE_OK);
	cr_assert_eq(store_sync_config(s, &conf), STORE_OK);
	sink = record_sink_new("arts", "Europe/London", 0);
	record_host.begin(sink);
	set_fields(sink, "source_id=tue|title=Tuesday painting|"
	    "start=2026-10-20T10:00|end=2026-10-20T11:30|"
	    "schedule.rrule=FREQ=WEEKLY;BYDAY=TU");
	record_host.end(sink);
	memset(&res, 0, sizeof res);
	record_sink_finish(sink, &res);
	record_sink_free(sink);
	memset(&at, 0, sizeof at);
	at.when = when;
	cr_assert_eq(store_apply_feed(s, "arts", &res, &at), STORE_OK);
	feed_result_free(&res);

	/* 20 October (BST) and 27 October, 3 November (GMT) */
	cr_assert_str_eq(ask(s, "SEARCH hub=west days=tue after=09:30 "
	    "before=12:00 from=2026-10-20 to=2026-11-04", &reply, msg,
	    sizeof msg), "ok", "%s", msg);
	r = json_array_get(json_object_get(reply, "results"), 0);
	cr_assert_not_null(r);
	cr_expect_eq(json_integer_value(json_object_get(r, "occurrences")), 3);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(r,
	    "next"), "start")), "2026-10-20T10:00:00+01:00");
	json_decref(reply);
	cr_assert_str_eq(ask(s, "SEARCH hub=west days=tue after=09:30 "
	    "before=12:00 from=2026-10-26 to=2026-11-04", &reply, msg,
	    sizeof msg), "ok", "%s", msg);
	r = json_array_get(json_object_get(reply, "results"), 0);
	cr_assert_not_null(r);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(r,
	    "next"), "start")), "2026-10-27T10:00:00+00:00");
	json_decref(reply);
	cr_assert_str_eq(ask(s, "FACETS hub=west from=2026-10-26 "
	    "to=2026-11-04", &reply, msg, sizeof msg), "ok", "%s", msg);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(reply, "facets"), "time"), "morning")), 1);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(reply, "facets"), "day"), "tue")), 1);
	json_decref(reply);
	store_close(s);
}

/* Occurrences follow refreshes, tombstones and the moving horizon. */
Test(search, occurrences_are_kept_in_step)
{
	struct store	*s = open_directory();
	struct feed_result res;
	struct feed_attempt at;
	sqlite3		*db;
	sqlite3_stmt	*st;
	long long	 n, max, min;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*), "
	    "max(o.start_utc), min(o.start_utc) FROM occurrences o JOIN "
	    "activities a ON a.seq = o.activity WHERE a.id = 'pool:aqua'", -1,
	    &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	max = sqlite3_column_int64(st, 1);
	/* Wednesdays from 2 December to the 90-day horizon */
	cr_expect_eq(n, 13, "%lld occurrences", n);
	cr_expect_lt(max, (long long)NOW + 90 * DAY);
	sqlite3_reset(st);

	/* a month on, the daily pass moves the window */
	cr_assert_eq(store_refresh_occurrences(s, NOW + 30 * DAY), STORE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	min = sqlite3_column_int64(st, 2);
	max = sqlite3_column_int64(st, 1);
	cr_expect_geq(min, (long long)NOW + 29 * DAY);
	cr_expect_gt(max, (long long)NOW + 110 * DAY);
	sqlite3_reset(st);

	/* the pool's feed empties: its activities lose their occurrences */
	memset(&res, 0, sizeof res);
	res.records = json_array();
	memset(&at, 0, sizeof at);
	at.when = NOW + DAY;
	cr_assert_eq(store_apply_feed(s, "pool", &res, &at), STORE_OK);
	json_decref(res.records);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_expect_eq(sqlite3_column_int64(st, 0), 0);
	sqlite3_finalize(st);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "activities_geo g JOIN activities a ON a.seq = g.id WHERE "
	    "a.deleted_at IS NOT NULL", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_expect_eq(sqlite3_column_int64(st, 0), 0, "tombstones in the tree");
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* back at NOW, only the arts' quiet swim is left to find */
	cr_assert_eq(store_refresh_occurrences(s, NOW), STORE_OK);
	cr_expect_eq(count_of(s, "SEARCH hub=west category=swimming"), 1);
	store_close(s);
}

/* Paging holds while the same feed is applied again between pages. */
Test(search, paging_is_stable_across_refreshes)
{
	struct store	*s = open_directory();
	json_t		*seen = json_object(), *reply, *r;
	char		 line[1024], msg[256], *cursor = NULL;
	size_t		 i, pages = 0, total;

	total = count_of(s, "SEARCH hub=west limit=100");
	do {
		if (cursor == NULL)
			snprintf(line, sizeof line, "SEARCH hub=west limit=4");
		else
			snprintf(line, sizeof line, "SEARCH hub=west limit=4 "
			    "cursor=%s", cursor);
		free(cursor);
		cursor = NULL;
		cr_assert_str_eq(ask(s, line, &reply, msg, sizeof msg), "ok",
		    "%s", msg);
		json_array_foreach(json_object_get(reply, "results"), i, r) {
			const char *id = json_string_value(json_object_get(r,
			    "id"));

			cr_expect_null(json_object_get(seen, id), "%s twice",
			    id);
			json_object_set_new(seen, id, json_true());
		}
		if (json_is_string(json_object_get(reply, "next")))
			cursor = strdup(json_string_value(json_object_get(
			    reply, "next")));
		json_decref(reply);
		/* a refresh between pages, the feeds as they were */
		cr_assert_eq(apply_spoke(s, "arts", NOW + (time_t)pages),
		    STORE_OK);
		pages++;
	} while (cursor != NULL && pages < 20);
	cr_expect_eq(json_object_size(seen), total);
	cr_expect_gt(pages, 3);
	json_decref(seen);
	store_close(s);
}

/*
 * A short first page in time order is found by walking occurrences
 * (store_walk()); a page as long as the whole answer is not, as the walk
 * cannot tell it is complete.  Both must give the same activities, in
 * the same order, with the same facts.
 */
Test(search, a_walked_first_page_agrees_with_the_grouped_one)
{
	static const char *const filters[] = {
		"", "days=sat", "days=mon,wed after=12:00", "free=yes",
		"access=wheelchair", "q=art sort=soonest", "near=DT1 within=20",
		"category=swimming,art", "before=12:00", "online=no",
	};
	struct store	*s = open_directory();
	json_t		*shortr, *longr, *a, *b;
	char		 line[1024], msg[256], *sa, *sb;
	size_t		 i, k, n, walked = 0;

	for (i = 0; i < nitems(filters); i++) {
		snprintf(line, sizeof line, "SEARCH hub=west %s limit=100",
		    filters[i]);
		cr_assert_str_eq(ask(s, line, &longr, msg, sizeof msg), "ok",
		    "%s: %s", line, msg);
		n = json_array_size(json_object_get(longr, "results"));
		for (k = 1; k + 1 < n; k++) {
			snprintf(line, sizeof line, "SEARCH hub=west %s "
			    "limit=%zu", filters[i], k);
			cr_assert_str_eq(ask(s, line, &shortr, msg, sizeof msg),
			    "ok", "%s: %s", line, msg);
			a = json_array_get(json_object_get(shortr, "results"),
			    k - 1);
			b = json_array_get(json_object_get(longr, "results"),
			    k - 1);
			sa = json_dumps(a, JSON_SORT_KEYS);
			sb = json_dumps(b, JSON_SORT_KEYS);
			cr_expect_str_eq(sa, sb, "%s: result %zu", line, k);
			cr_expect_eq(json_array_size(json_object_get(shortr,
			    "results")), k, "%s", line);
			free(sa);
			free(sb);
			json_decref(shortr);
			walked++;
		}
		json_decref(longr);
	}
	cr_expect_gt(walked, 50);
	store_close(s);
}

/* Asked for by its own facts, each activity comes back. */
Test(search, round_trip)
{
	struct store	*s = open_directory();
	json_t		*reply, *r;
	char		 line[512], msg[256];
	size_t		 i, j;
	int		 found;

	for (i = 0; i < nitems(acts); i++) {
		if (acts[i].word == NULL)
			continue;
		snprintf(line, sizeof line, "SEARCH hub=west q=%s days=%s "
		    "near=\"%s\" within=1%s%s limit=100", acts[i].word,
		    acts[i].day, acts[i].postcode,
		    acts[i].access != NULL ? " access=" : "",
		    acts[i].access != NULL ? acts[i].access : "");
		cr_assert_str_eq(ask(s, line, &reply, msg, sizeof msg), "ok",
		    "%s: %s", line, msg);
		found = 0;
		json_array_foreach(json_object_get(reply, "results"), j, r)
			found |= strstr(acts[i].fields, json_string_value(
			    json_object_get(r, "id")) + strlen(acts[i].spoke) +
			    1) != NULL;
		cr_expect(found, "%s found nothing of its own", line);
		json_decref(reply);
	}
	store_close(s);
}

/* Each FACETS count is the number of results of the matching SEARCH. */
Test(search, facets_agree_with_search)
{
	static const struct {
		const char	*facet;
		const char	*arg;
	} sets[] = {
		{ "day", "days" }, { "pathway", "pathway" },
		{ "funding", "funding" }, { "access", "access" },
		{ "category", "category" },
	};
	struct store	*s = open_directory();
	json_t		*reply, *facets, *v;
	const char	*key;
	char		 line[256], msg[256];
	size_t		 i, checked = 0;

	cr_assert_str_eq(ask(s, "FACETS hub=west", &reply, msg, sizeof msg),
	    "ok", "%s", msg);
	facets = json_object_get(reply, "facets");
	cr_expect_eq((size_t)json_integer_value(json_object_get(reply,
	    "total")), count_of(s, "SEARCH hub=west limit=100"));
	for (i = 0; i < nitems(sets); i++) {
		json_object_foreach(json_object_get(facets, sets[i].facet),
		    key, v) {
			snprintf(line, sizeof line, "SEARCH hub=west %s=%s "
			    "limit=100", sets[i].arg, key);
			cr_expect_eq((json_int_t)count_of(s, line),
			    json_integer_value(v), "%s", line);
			checked++;
		}
	}
	cr_expect_gt(checked, 30);
	v = json_object_get(facets, "cost");
	cr_expect_eq((json_int_t)count_of(s, "SEARCH hub=west free=yes "
	    "limit=100"), json_integer_value(json_object_get(v, "free")));
	cr_expect_eq((json_int_t)count_of(s, "SEARCH hub=west max_cost=5 "
	    "limit=100"), json_integer_value(json_object_get(v, "free")) +
	    json_integer_value(json_object_get(v, "up_to_5")));
	cr_expect_eq((json_int_t)count_of(s, "SEARCH hub=west after=17:00 "
	    "limit=100"), json_integer_value(json_object_get(json_object_get(
	    facets, "time"), "evening")));
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(
	    facets, "category"), "swimming")), 3);
	json_decref(reply);

	/* with filters the counts narrow alike */
	cr_assert_str_eq(ask(s, "FACETS hub=west near=DT9", &reply, msg,
	    sizeof msg), "ok", "%s", msg);
	cr_expect_eq((size_t)json_integer_value(json_object_get(reply,
	    "total")), count_of(s, "SEARCH hub=west near=DT9 limit=100"));
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(reply, "facets"), "day"), "thu")),
	    (json_int_t)count_of(s, "SEARCH hub=west near=DT9 days=thu "
	    "limit=100"));
	json_decref(reply);
	/* FACETS takes no sort */
	cr_expect_str_eq(ask(s, "FACETS hub=west sort=soonest", &reply, msg,
	    sizeof msg), "unknown_argument");
	store_close(s);
}

/* The taxonomy with counts per term; GET's next occurrences. */
Test(search, categories_and_next_occurrences)
{
	struct store	*s = open_directory();
	struct record_sink *sink;
	struct feed_result res;
	struct feed_attempt at;
	json_t		*out = NULL, *c, *next;
	char		 start[64], fields[256];
	size_t		 i;
	time_t		 now = now_utc();
	int		 swimming = -1, art = -1;

	cr_assert_eq(store_categories(s, "west", &out), STORE_OK);
	json_array_foreach(json_object_get(out, "categories"), i, c) {
		const char *t = json_string_value(json_object_get(c, "term"));

		cr_expect_not_null(json_object_get(c, "label"));
		if (strcmp(t, "swimming") == 0)
			swimming = (int)json_integer_value(json_object_get(c,
			    "count"));
		if (strcmp(t, "art") == 0)
			art = (int)json_integer_value(json_object_get(c,
			    "count"));
	}
	cr_expect_eq(json_array_size(json_object_get(out, "categories")),
	    taxonomy_count());
	cr_expect_eq(swimming, 3);
	cr_expect_eq(art, 3);
	json_decref(out);
	cr_expect_eq(store_categories(s, "nowhere", &out), STORE_NOTFOUND);

	/* a weekly session starting tomorrow, as the real clock has it */
	strftime(start, sizeof start, "%Y-%m-%dT10:00Z",
	    gmtime(&(time_t){ now + DAY }));
	snprintf(fields, sizeof fields, "source_id=weekly|title=Weekly|"
	    "start=%s|end=%.11s11:00Z|schedule.rrule=FREQ=WEEKLY", start,
	    start);
	sink = record_sink_new("cafe", "Europe/London", 0);
	record_host.begin(sink);
	set_fields(sink, fields);
	record_host.end(sink);
	memset(&res, 0, sizeof res);
	record_sink_finish(sink, &res);
	record_sink_free(sink);
	memset(&at, 0, sizeof at);
	at.when = now;
	cr_assert_eq(store_apply_feed(s, "cafe", &res, &at), STORE_OK);
	feed_result_free(&res);
	cr_assert_eq(store_get(s, "cafe:weekly", &out), STORE_OK);
	next = json_object_get(out, "next_occurrences");
	cr_expect_eq(json_array_size(next), 5);
	cr_expect_not_null(json_string_value(json_object_get(
	    json_array_get(next, 4), "end")));
	json_decref(out);
	/* a tombstone has none */
	cr_assert_eq(store_get(s, "cafe:lunch", &out), STORE_OK);
	cr_expect_eq(json_array_size(json_object_get(out,
	    "next_occurrences")), 0);
	json_decref(out);
	store_close(s);
}

/* Whatever a person types, the answer is results or none. */
Test(search, hostile_text_is_safe)
{
	static const char *const hostile[] = {
		"\\\"", "NEAR(", "AND OR NOT", "title:x", "*", "(art",
		"'; DROP TABLE occurrences;--", "art\\\" OR \\\"1",
		"\xe2\x80\x94 art", "a*b*c", ":hub", "?1", "@x", "$1",
	};
	struct store	*s = open_directory();
	json_t		*reply;
	char		 line[256], msg[256];
	size_t		 i;

	for (i = 0; i < nitems(hostile); i++) {
		snprintf(line, sizeof line, "SEARCH hub=west q=\"%s\" "
		    "category=art near=DT1 days=tue", hostile[i]);
		cr_expect_str_eq(ask(s, line, &reply, msg, sizeof msg), "ok",
		    "%s: %s", line, msg);
		json_decref(reply);
		snprintf(line, sizeof line, "FACETS hub=west q=\"%s\"",
		    hostile[i]);
		cr_expect_str_eq(ask(s, line, &reply, msg, sizeof msg), "ok",
		    "%s: %s", line, msg);
		json_decref(reply);
	}
	cr_expect_eq(count_of(s, "SEARCH hub=west q=art limit=100"), 3);
	store_close(s);
}
