/*
 * test_record.c - the record sink behind the host services, driven through
 * record_host exactly as a format module drives it: every kind of v1
 * field with values it must keep, repair or refuse, the record's nested
 * shape, time resolution in and out of summer time, identities chosen
 * per feed (guids, links or hashes) and kept across reads, limits, and
 * the feed-level calls.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dayhub.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

static const struct dayhub_host *h = &record_host;

/* Returns the value at a dotted path in a record ("location.postcode"). */
static json_t *
at(json_t *rec, const char *path)
{
	char	 buf[128], *dot;

	snprintf(buf, sizeof buf, "%s", path);
	if ((dot = strchr(buf, '.')) == NULL)
		return json_object_get(rec, buf);
	*dot = '\0';
	return json_object_get(json_object_get(rec, buf), dot + 1);
}

/* Compact JSON text of a value, reals as people write them, or "(absent)". */
static char *
dump(json_t *v)
{
	if (v == NULL)
		return strdup("(absent)");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_REAL_PRECISION(15));
}

/* Sets a NUL-terminated value. */
static int
set(void *sink, const char *field, const char *value)
{
	return h->set(sink, field, value, strlen(value));
}

/* Whether any kept warning's message contains `s`. */
static int
warned(const struct feed_result *res, const char *s)
{
	json_t	*w;
	size_t	 i;

	json_array_foreach(res->warnings, i, w) {
		if (strstr(json_string_value(json_object_get(w, "message")),
		    s) != NULL)
			return 1;
	}
	return 0;
}

/* How many kept warnings contain `s`. */
static size_t
nwarned(const struct feed_result *res, const char *s)
{
	json_t	*w;
	size_t	 i, n = 0;

	json_array_foreach(res->warnings, i, w) {
		if (strstr(json_string_value(json_object_get(w, "message")),
		    s) != NULL)
			n++;
	}
	return n;
}

struct field_case {
	const char	*field;
	const char	*value;
	int		 rc;		/* what set() answers */
	const char	*want;		/* the stored JSON, NULL: absent */
};

static const struct field_case field_cases[] = {
	/* one-line text: white space tidied */
	{ "title", "  Art   club\n", DAYHUB_OK, "\"Art club\"" },
	{ "url", "https://example.org/a", DAYHUB_OK,
	  "\"https://example.org/a\"" },
	{ "organiser.name", "Dorchester\tArts", DAYHUB_OK,
	  "\"Dorchester Arts\"" },
	{ "location.name", "Café Nero", DAYHUB_OK, "\"Café Nero\"" },
	{ "cost.currency", "GBP", DAYHUB_OK, "\"GBP\"" },
	{ "schedule.rrule", "FREQ=WEEKLY;BYDAY=TU", DAYHUB_OK,
	  "\"FREQ=WEEKLY;BYDAY=TU\"" },
	{ "location.address", "   ", DAYHUB_OK, NULL },	/* empty: unset */
	/* multi-line text keeps its lines */
	{ "summary", "Line one\r\nLine two\n", DAYHUB_OK,
	  "\"Line one\\nLine two\"" },
	{ "description", "a\x01" "b", DAYHUB_OK, "\"ab\"" },
	/* invalid UTF-8 refused */
	{ "title", "caf\xe9", DAYHUB_REJECT, "\"T\"" },	/* T set after */
	{ "summary", "\xc0\xaf", DAYHUB_REJECT, NULL },	/* overlong */
	{ "location.name", "\xed\xa0\x80", DAYHUB_REJECT, NULL }, /* UTF-16 */
	/* postcodes */
	{ "location.postcode", "dt11hf", DAYHUB_OK, "\"DT1 1HF\"" },
	{ "location.postcode", "dt1 1hf", DAYHUB_OK, "\"DT1 1HF\"" },
	{ "location.postcode", "sw1a1aa", DAYHUB_OK, "\"SW1A 1AA\"" },
	{ "location.postcode", "W1A 0AX", DAYHUB_OK, "\"W1A 0AX\"" },
	{ "location.postcode", "m11ae", DAYHUB_OK, "\"M1 1AE\"" },
	{ "location.postcode", "B338TH", DAYHUB_OK, "\"B33 8TH\"" },
	{ "location.postcode", "cr2  6xh", DAYHUB_OK, "\"CR2 6XH\"" },
	{ "location.postcode", "75008", DAYHUB_OK, "\"75008\"" },
	{ "location.postcode", "DT1", DAYHUB_OK, "\"DT1\"" },
	{ "location.postcode", "1AB 2CD", DAYHUB_OK, "\"1AB 2CD\"" },
	/* enumerations */
	{ "state", "Deleted", DAYHUB_OK, "\"deleted\"" },
	{ "state", "gone", DAYHUB_REJECT, "\"updated\"" },	/* default */
	{ "pathway", " Community ", DAYHUB_OK, "\"community\"" },
	{ "pathway", "specialist", DAYHUB_OK, "\"specialist\"" },
	{ "pathway", "premium", DAYHUB_REJECT, NULL },
	{ "access", "Changing Places", DAYHUB_OK, "[\"changing_places\"]" },
	{ "access", "hearing-loop", DAYHUB_OK, "[\"hearing_loop\"]" },
	{ "access", "BSL", DAYHUB_OK, "[\"bsl\"]" },
	{ "access", "jetpack", DAYHUB_REJECT, NULL },
	{ "funding", "Direct Payment", DAYHUB_OK, "[\"direct_payment\"]" },
	{ "funding", "self-funded", DAYHUB_OK, "[\"self_funded\"]" },
	{ "funding", "ISF", DAYHUB_OK, "[\"isf\"]" },
	{ "funding", "voucher", DAYHUB_REJECT, NULL },
	{ "groups", "Older Adults", DAYHUB_OK, "[\"older_adults\"]" },
	{ "groups", "learning_disability", DAYHUB_OK,
	  "[\"learning_disability\"]" },
	{ "groups", "everyone", DAYHUB_REJECT, NULL },
	/* free lists */
	{ "categories", "Arts & Crafts", DAYHUB_OK, "[\"Arts & Crafts\"]" },
	{ "activity", "gardening", DAYHUB_OK, "[\"gardening\"]" },
	/* decimals */
	{ "location.lat", "50.7", DAYHUB_OK, "50.7" },
	{ "location.lat", "-90", DAYHUB_OK, "-90.0" },
	{ "location.lat", "90.0001", DAYHUB_REJECT, NULL },
	{ "location.lon", "-2.43", DAYHUB_OK, "-2.43" },
	{ "location.lon", "180", DAYHUB_OK, "180.0" },
	{ "location.lon", "-180.5", DAYHUB_REJECT, NULL },
	{ "location.lat", "abc", DAYHUB_REJECT, NULL },
	{ "location.lat", "1e1", DAYHUB_REJECT, NULL },
	{ "location.lat", "nan", DAYHUB_REJECT, NULL },
	{ "location.lat", "inf", DAYHUB_REJECT, NULL },
	{ "location.lat", "0x10", DAYHUB_REJECT, NULL },
	{ "location.lat", "1.", DAYHUB_REJECT, NULL },
	{ "location.lat", ".5", DAYHUB_REJECT, NULL },
	{ "location.lat", "+5", DAYHUB_REJECT, NULL },
	{ "location.lat", "5 6", DAYHUB_REJECT, NULL },
	{ "cost.min", "3.50", DAYHUB_OK, "3.5" },
	{ "cost.min", "\xc2\xa3" "3.50", DAYHUB_OK, "3.5" },
	{ "cost.max", "\xc2\xa3 4", DAYHUB_OK, "4.0" },
	{ "cost.min", "0", DAYHUB_OK, "0.0" },
	{ "cost.min", "100000", DAYHUB_OK, "100000.0" },
	{ "cost.min", "100000.01", DAYHUB_REJECT, NULL },
	{ "cost.min", "-1", DAYHUB_REJECT, NULL },
	{ "cost.min", "3.5.1", DAYHUB_REJECT, NULL },
	{ "cost.min", "$3", DAYHUB_REJECT, NULL },
	{ "cost.min", "\xc2\xa3", DAYHUB_OK, NULL },	/* just a sign */
	/* whole numbers */
	{ "age.min", "18", DAYHUB_OK, "18" },
	{ "age.max", "0", DAYHUB_OK, "0" },
	{ "age.min", "18.5", DAYHUB_REJECT, NULL },
	{ "age.min", "-3", DAYHUB_REJECT, NULL },
	{ "capacity.max", "100000", DAYHUB_OK, "100000" },
	{ "capacity.max", "100001", DAYHUB_REJECT, NULL },
	{ "capacity.remaining", "12", DAYHUB_OK, "12" },
	{ "capacity.remaining", "twelve", DAYHUB_REJECT, NULL },
	/* flags */
	{ "location.online", "yes", DAYHUB_OK, "true" },
	{ "cost.free", "FALSE", DAYHUB_OK, "false" },
	{ "support.personal_care", "1", DAYHUB_OK, "true" },
	{ "booking.required", "on", DAYHUB_OK, "true" },
	{ "carers.free", "no", DAYHUB_OK, "false" },
	{ "carers.free", "maybe", DAYHUB_REJECT, NULL },
	/* times: kept with their offset, local ones resolved */
	{ "start", "2026-12-01T10:00:00Z", DAYHUB_OK,
	  "\"2026-12-01T10:00:00Z\"" },
	{ "start", "2026-07-01T10:00", DAYHUB_OK,
	  "\"2026-07-01T10:00:00+01:00\"" },
	{ "updated", "2026-01-05", DAYHUB_OK,
	  "\"2026-01-05T00:00:00+00:00\"" },
	{ "start", "next tuesday", DAYHUB_REJECT, NULL },
	{ "end", "2026-02-30T10:00:00Z", DAYHUB_REJECT, NULL },
	{ "schedule.exdates", "2026-12-25", DAYHUB_OK,
	  "[\"2026-12-25T00:00:00+00:00\"]" },
	{ "schedule.exdates", "Christmas", DAYHUB_REJECT, NULL },
	/* zones */
	{ "timezone", "America/New_York", DAYHUB_OK, "\"America/New_York\"" },
	{ "timezone", "Mars/Olympus_Mons", DAYHUB_REJECT,
	  "\"Europe/London\"" },	/* the sink's zone is used instead */
	/* fields a module may not set */
	{ "colour", "red", DAYHUB_REJECT, NULL },
	{ "id", "x", DAYHUB_REJECT, "\"spk:s1\"" },
	{ "spoke", "other", DAYHUB_REJECT, "\"spk\"" },
	{ "location.colour", "red", DAYHUB_REJECT, NULL },
};

/* Each field keeps, repairs or refuses its value as the table says. */
Test(record, field_table)
{
	size_t	i;

	for (i = 0; i < nitems(field_cases); i++) {
		const struct field_case	*c = &field_cases[i];
		struct record_sink	*sink;
		struct feed_result	 res;
		json_t			*rec;
		char			*got;
		int			 rc;

		memset(&res, 0, sizeof res);
		sink = record_sink_new("spk", NULL, 0);
		cr_assert_eq(h->begin(sink), DAYHUB_OK);
		set(sink, "source_id", "s1");
		if (strcmp(c->field, "title") != 0)
			set(sink, "title", "T");
		rc = set(sink, c->field, c->value);
		cr_expect_eq(rc, c->rc, "set(%s, \"%s\") = %d, want %d",
		    c->field, c->value, rc, c->rc);
		/* a refused title leaves none, so the record would drop */
		if (rc != DAYHUB_OK && strcmp(c->field, "title") == 0)
			set(sink, "title", "T");
		h->end(sink);
		record_sink_finish(sink, &res);
		record_sink_free(sink);

		cr_assert_eq(json_array_size(res.records), 1, "case %zu", i);
		rec = json_array_get(res.records, 0);
		got = dump(at(rec, c->field));
		cr_expect_str_eq(got, c->want != NULL ? c->want : "(absent)",
		    "set(%s, \"%s\") stored %s", c->field, c->value, got);
		if (c->rc == DAYHUB_REJECT)
			cr_expect_gt(res.nwarnings, 0,
			    "set(%s, \"%s\") refused without a warning",
			    c->field, c->value);
		else
			cr_expect_eq(res.nwarnings, 0,
			    "set(%s, \"%s\") warned", c->field, c->value);
		free(got);
		feed_result_free(&res);
	}
}

/* The v1 record's exact shape: identity first, groups nested. */
Test(record, nested_shape)
{
	static const char *const pairs[][2] = {
		{ "source_id", "guid-1" },
		{ "title", "Gardening club" },
		{ "location.name", "Walled Garden" },
		{ "location.postcode", "dt1 1hf" },
		{ "cost.min", "£2" },
		{ "cost.free", "no" },
		{ "organiser.name", "Friends of the Garden" },
		{ "access", "wheelchair" },
		{ "access", "quiet space" },
		{ "start", "2026-12-01T10:00:00" },
	};
	struct record_sink	*sink;
	struct feed_result	 res;
	char			*s;
	size_t			 i;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("garden-club", "Europe/London", 10);
	cr_assert_eq(h->begin(sink), DAYHUB_OK);
	for (i = 0; i < nitems(pairs); i++)
		cr_assert_eq(set(sink, pairs[i][0], pairs[i][1]), DAYHUB_OK,
		    "%s", pairs[i][0]);
	cr_assert_eq(h->end(sink), DAYHUB_OK);
	record_sink_finish(sink, &res);
	record_sink_free(sink);

	s = json_dumps(json_array_get(res.records, 0), JSON_COMPACT);
	cr_expect_str_eq(s, "{\"id\":\"garden-club:guid-1\","
	    "\"spoke\":\"garden-club\",\"source_id\":\"guid-1\","
	    "\"state\":\"updated\",\"title\":\"Gardening club\","
	    "\"location\":{\"name\":\"Walled Garden\","
	    "\"postcode\":\"DT1 1HF\"},"
	    "\"cost\":{\"min\":2.0,\"free\":false},"
	    "\"organiser\":{\"name\":\"Friends of the Garden\"},"
	    "\"access\":[\"wheelchair\",\"quiet_space\"],"
	    "\"start\":\"2026-12-01T10:00:00+00:00\","
	    "\"timezone\":\"Europe/London\"}");
	cr_expect_eq(res.nwarnings, 0);
	free(s);
	feed_result_free(&res);
}

struct time_case {
	const char	*in;
	const char	*tz;
	const char	*want;		/* NULL: refused */
};

static const struct time_case time_cases[] = {
	/* an offset or Z is kept as given */
	{ "2026-12-01T10:00:00+00:00", NULL, "2026-12-01T10:00:00+00:00" },
	{ "2026-12-01T10:00:00Z", NULL, "2026-12-01T10:00:00Z" },
	{ "2026-12-01t10:00:00z", NULL, "2026-12-01T10:00:00Z" },
	{ "2026-12-01T10:00:00.250-05:00", NULL,
	  "2026-12-01T10:00:00-05:00" },
	{ "2026-12-01T10:00:00+0530", NULL, "2026-12-01T10:00:00+05:30" },
	{ "2026-12-01T10:00+01", NULL, "2026-12-01T10:00:00+01:00" },
	{ "2026-07-01T10:00:00+02:00", "America/New_York",
	  "2026-07-01T10:00:00+02:00" },
	{ "2026-07-01T10:00:00Z", "Nowhere/Land", "2026-07-01T10:00:00Z" },
	/* local times: winter and summer in London */
	{ "2026-12-01T10:00:00", NULL, "2026-12-01T10:00:00+00:00" },
	{ "2026-12-01T10:00", "Europe/London", "2026-12-01T10:00:00+00:00" },
	{ "2026-07-01T10:00:00", "Europe/London",
	  "2026-07-01T10:00:00+01:00" },
	{ "2026-07-01 10:00", "Europe/London", "2026-07-01T10:00:00+01:00" },
	{ "2026-10-25T00:30:00", "Europe/London",
	  "2026-10-25T00:30:00+01:00" },	/* before the clocks go back */
	{ "2026-10-25T03:00:00", "Europe/London",
	  "2026-10-25T03:00:00+00:00" },	/* after */
	/* and another zone */
	{ "2026-07-01T10:00:00", "America/New_York",
	  "2026-07-01T10:00:00-04:00" },
	{ "2026-12-01T10:00:00", "America/New_York",
	  "2026-12-01T10:00:00-05:00" },
	{ "2026-12-01T10:00:00", "UTC", "2026-12-01T10:00:00+00:00" },
	/* dates are local midnight */
	{ "2026-12-01", NULL, "2026-12-01T00:00:00+00:00" },
	{ "2026-07-01", "Europe/London", "2026-07-01T00:00:00+01:00" },
	{ "2024-02-29", NULL, "2024-02-29T00:00:00+00:00" },
	{ "2026-06-30T23:59:60Z", NULL, "2026-06-30T23:59:59Z" },
	/* refused */
	{ "2026-12-01T10:00:00", "Nowhere/Land", NULL },
	{ "2026-02-29", NULL, NULL },
	{ "1900-02-29", NULL, NULL },
	{ "2026-13-01", NULL, NULL },
	{ "2026-00-10", NULL, NULL },
	{ "2026-04-31", NULL, NULL },
	{ "2026-12-01T24:00", NULL, NULL },
	{ "2026-12-01T10:60", NULL, NULL },
	{ "2026-12-01T10", NULL, NULL },
	{ "2026-12-01T10:00:00+25:00", NULL, NULL },
	{ "2026-12-01T10:00:00+01:60", NULL, NULL },
	{ "2026-12-01T10:00:00Zjunk", NULL, NULL },
	{ "2026-12-01T10:00:00 +01:00", NULL, NULL },
	{ "2026-12-01T10:00:00.", NULL, NULL },
	{ "2026-12-01X10:00", NULL, NULL },
	{ "20261201", NULL, NULL },
	{ "26-12-01", NULL, NULL },
	{ "1899-12-31", NULL, NULL },
	{ "3000-01-01", NULL, NULL },
	{ "tomorrow", NULL, NULL },
	{ "", NULL, NULL },
};

/* record_time_normalize keeps offsets and resolves local times. */
Test(record, time_normalize_table)
{
	char	out[64];
	size_t	i;
	int	rc;

	for (i = 0; i < nitems(time_cases); i++) {
		const struct time_case *c = &time_cases[i];

		strcpy(out, "(untouched)");
		rc = record_time_normalize(c->in, c->tz, out, sizeof out);
		if (c->want == NULL) {
			cr_expect_eq(rc, -1, "\"%s\" in %s was read as %s",
			    c->in, c->tz ? c->tz : "default", out);
			continue;
		}
		cr_expect_eq(rc, 0, "\"%s\" in %s was refused", c->in,
		    c->tz ? c->tz : "default");
		cr_expect_str_eq(out, c->want, "\"%s\" in %s: %s, want %s",
		    c->in, c->tz ? c->tz : "default", out, c->want);
	}
	cr_expect_eq(record_time_normalize("2026-12-01T10:00:00+00:00", NULL,
	    out, 10), -1, "a short buffer is refused");
}

struct epoch_case {
	const char	*in;
	int		 rc;
	long long	 want;
};

static const struct epoch_case epoch_cases[] = {
	{ "2026-07-01T10:00:00+01:00", 0, 1782896400 },
	{ "2026-07-01T09:00:00Z", 0, 1782896400 },
	{ "2026-07-01T05:00:00-04:00", 0, 1782896400 },
	{ "2026-12-01T10:00:00+00:00", 0, 1796119200 },
	{ "2026-12-01T10:00:00", -1, 0 },	/* local: no instant */
	{ "2026-12-01", -1, 0 },
	{ "junk", -1, 0 },
};

/* record_time_epoch gives the instant of an offset time. */
Test(record, time_epoch_table)
{
	time_t	t;
	size_t	i;

	for (i = 0; i < nitems(epoch_cases); i++) {
		const struct epoch_case *c = &epoch_cases[i];

		t = 0;
		cr_expect_eq(record_time_epoch(c->in, &t), c->rc, "%s", c->in);
		if (c->rc == 0)
			cr_expect_eq((long long)t, c->want, "%s: %lld", c->in,
			    (long long)t);
	}
	cr_expect_eq(record_time_epoch(NULL, &t), -1);
}

/* Local times use the record's zone, even when it is set after them. */
Test(record, local_time_zones)
{
	struct record_sink	*sink;
	struct feed_result	 res;
	json_t			*r0, *r1, *r2;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", "Europe/London", 0);
	h->begin(sink);
	set(sink, "title", "Winter, sink zone");
	set(sink, "start", "2026-12-01T10:00");
	h->end(sink);
	h->begin(sink);
	set(sink, "title", "Summer, record zone set last");
	set(sink, "start", "2026-07-01T10:00");
	set(sink, "end", "2026-07-01T12:00");
	set(sink, "schedule.exdates", "2026-07-08T10:00");
	set(sink, "timezone", "America/New_York");
	h->end(sink);
	record_sink_finish(sink, &res);
	record_sink_free(sink);

	sink = record_sink_new("spk", "Nowhere/Land", 0);
	h->begin(sink);
	set(sink, "title", "Unknown sink zone");
	set(sink, "start", "2026-07-01T10:00");
	h->end(sink);
	{
		struct feed_result res2;

		memset(&res2, 0, sizeof res2);
		record_sink_finish(sink, &res2);
		r2 = json_array_get(res2.records, 0);
		cr_expect_str_eq(json_string_value(at(r2, "start")),
		    "2026-07-01T10:00:00+01:00");
		cr_expect(warned(&res2, "Nowhere/Land"));
		feed_result_free(&res2);
	}
	record_sink_free(sink);

	r0 = json_array_get(res.records, 0);
	r1 = json_array_get(res.records, 1);
	cr_expect_str_eq(json_string_value(at(r0, "start")),
	    "2026-12-01T10:00:00+00:00");
	cr_expect_str_eq(json_string_value(at(r0, "timezone")),
	    "Europe/London");
	cr_expect_str_eq(json_string_value(at(r1, "start")),
	    "2026-07-01T10:00:00-04:00");
	cr_expect_str_eq(json_string_value(at(r1, "end")),
	    "2026-07-01T12:00:00-04:00");
	cr_expect_str_eq(json_string_value(json_array_get(at(r1,
	    "schedule.exdates"), 0)), "2026-07-08T10:00:00-04:00");
	feed_result_free(&res);
}

/* An end before the start is dropped, as is a maximum below a minimum. */
Test(record, ranges_that_run_backwards)
{
	struct record_sink	*sink;
	struct feed_result	 res;
	json_t			*rec;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", NULL, 0);
	h->begin(sink);
	set(sink, "source_id", "b1");
	set(sink, "title", "Backwards");
	set(sink, "start", "2026-12-01T12:00:00Z");
	set(sink, "end", "2026-12-01T10:00:00Z");
	set(sink, "cost.min", "5");
	set(sink, "cost.max", "2");
	set(sink, "age.min", "18");
	set(sink, "age.max", "65");
	h->end(sink);
	/* the same instant written two ways is not backwards */
	h->begin(sink);
	set(sink, "source_id", "b2");
	set(sink, "title", "Same instant");
	set(sink, "start", "2026-12-01T12:00:00+01:00");
	set(sink, "end", "2026-12-01T11:00:00Z");
	h->end(sink);
	record_sink_finish(sink, &res);
	record_sink_free(sink);

	rec = json_array_get(res.records, 0);
	cr_expect_str_eq(json_string_value(at(rec, "start")),
	    "2026-12-01T12:00:00Z");
	cr_expect_null(at(rec, "end"));
	cr_expect_null(at(rec, "cost.max"));
	cr_expect_eq(json_real_value(at(rec, "cost.min")), 5.0);
	cr_expect_eq(json_integer_value(at(rec, "age.max")), 65);
	cr_expect(warned(&res, "before the start"));
	cr_expect(warned(&res, "cost.max is below cost.min"));
	cr_expect_not_null(at(json_array_get(res.records, 1), "end"));
	cr_expect_eq(res.nwarnings, 2);
	feed_result_free(&res);
}

/* No title: the record is dropped; a deleted one needs none. */
Test(record, missing_title)
{
	struct record_sink	*sink;
	struct feed_result	 res;
	json_t			*rec;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", NULL, 0);
	h->begin(sink);
	set(sink, "source_id", "no-title");
	set(sink, "summary", "There is no title here");
	cr_expect_eq(h->end(sink), DAYHUB_REJECT);
	h->begin(sink);
	set(sink, "source_id", "gone");
	set(sink, "state", "deleted");
	cr_expect_eq(h->end(sink), DAYHUB_OK);
	h->begin(sink);
	set(sink, "state", "deleted");	/* nothing to say which */
	cr_expect_eq(h->end(sink), DAYHUB_REJECT);
	record_sink_finish(sink, &res);
	record_sink_free(sink);

	cr_assert_eq(json_array_size(res.records), 1);
	rec = json_array_get(res.records, 0);
	cr_expect_str_eq(json_string_value(at(rec, "id")), "spk:gone");
	cr_expect_str_eq(json_string_value(at(rec, "state")), "deleted");
	cr_expect(warned(&res, "item 1: no title"));
	cr_expect(warned(&res, "item 3: a deleted item without an id"));
	feed_result_free(&res);
}

/*
 * A feed without guids, some of its items without links: every id is a
 * hash of title, start and location, the same in every read.
 */
Test(record, derived_ids)
{
	struct record_sink	*sink;
	struct feed_result	 res, res2;
	const char		*sid;
	size_t			 i;

	memset(&res, 0, sizeof res);
	memset(&res2, 0, sizeof res2);
	sink = record_sink_new("spk", NULL, 0);
	h->begin(sink);
	set(sink, "title", "Has a link");
	set(sink, "url", "https://example.org/e/1");
	h->end(sink);
	h->begin(sink);
	set(sink, "title", "Nothing but a title");
	set(sink, "start", "2026-12-01T10:00:00Z");
	h->end(sink);
	h->begin(sink);
	set(sink, "title", "Nothing but a title");
	set(sink, "start", "2026-12-08T10:00:00Z");
	h->end(sink);
	record_sink_finish(sink, &res);
	record_sink_free(sink);

	cr_assert_eq(json_array_size(res.records), 3);
	cr_expect_str_eq(res.identity, "hash");
	for (i = 0; i < 3; i++) {
		sid = json_string_value(at(json_array_get(res.records, i),
		    "source_id"));
		cr_expect_eq(strlen(sid), 16, "%s", sid);
		cr_expect_eq(strspn(sid, "0123456789abcdef"), 16, "%s", sid);
	}
	/* the same hash as ever, so stored ids survive an upgrade */
	cr_expect_str_eq(json_string_value(at(json_array_get(res.records, 1),
	    "id")), "spk:41c3ddf778cc2815");
	cr_expect_str_neq(json_string_value(at(json_array_get(res.records, 1),
	    "id")), json_string_value(at(json_array_get(res.records, 2),
	    "id")));
	cr_expect_eq(nwarned(&res, "using title, start and location"), 1,
	    "warned once a feed");
	cr_expect(warned(&res, "3 of 3 items have no guid, and 2 of 3 items "
	    "have no link; using title, start and location as identities for "
	    "this feed, so an edited item will show as a new one"));

	/* the same item in a later read gets the same id */
	sink = record_sink_new("spk", NULL, 0);
	h->begin(sink);
	set(sink, "title", "Nothing but a title");
	set(sink, "start", "2026-12-01T10:00:00Z");
	h->end(sink);
	record_sink_finish(sink, &res2);
	record_sink_free(sink);
	cr_expect_str_eq(json_string_value(at(json_array_get(res2.records, 0),
	    "id")), json_string_value(at(json_array_get(res.records, 1),
	    "id")));
	feed_result_free(&res);
	feed_result_free(&res2);
}

struct ident_case {
	const char	*name;
	const char	*floor;		/* the stored mode, or NULL */
	/*
	 * Items as "guid|url|title|start|venue|summary|state": an empty
	 * part, or one left off the end, is not set.
	 */
	const char	*items[4];
	const char	*mode;		/* the mode used */
	/*
	 * The source ids kept, in order, space-separated: "#" is a hash
	 * of 16 hex digits, "#2" such a hash with "#2" after it.
	 */
	const char	*want;
	const char	*warning;	/* a kept warning has it;
					   NULL: there are none */
};

#define L1	"https://e.org/1"
#define L2	"https://e.org/2"
#define L3	"https://e.org/3"
#define T1	"2026-12-01T10:00"
#define T2	"2026-12-08T10:00"

static const struct ident_case ident_cases[] = {
	{ "clean guids", NULL,
	  { "a|" L1 "|Art|" T1, "b|" L2 "|Art|" T2, "c||Cook" },
	  "guid", "a b c", NULL },
	{ "a blank guid: links for all", NULL,
	  { "a|" L1 "|Art|" T1, "|" L2 "|Art|" T2, "c|" L3 "|Cook" },
	  "link", L1 " " L2 " " L3,
	  "1 of 3 items have no guid; using links as identities for this "
	  "feed" },
	{ "a guid shared by different items: links for all", NULL,
	  { "x|" L1 "|Art|" T1, "x|" L2 "|Art|" T2, "c|" L3 "|Cook" },
	  "link", L1 " " L2 " " L3,
	  "2 items share the guid \"x\"; using links as identities for this "
	  "feed" },
	{ "several guids shared", NULL,
	  { "x|" L1 "|Art|" T1, "x|" L2 "|Art|" T2, "y|" L3 "|Cook|" T1,
	    "y|https://e.org/4|Cook|" T2 },
	  "link", L1 " " L2 " " L3 " https://e.org/4",
	  "2 items share the guid \"x\" (and others are shared too); using "
	  "links" },
	{ "links shared too: hashes", NULL,
	  { "x|" L1 "|Art|" T1, "x|" L1 "|Art|" T2, "c|" L3 "|Cook" },
	  "hash", "# # #",
	  "2 items share the guid \"x\", and 2 items share the link \""
	  L1 "\"; using title, start and location as identities for this "
	  "feed, so an edited item will show as a new one" },
	{ "an exact copy is dropped, not a reason to fall back", NULL,
	  { "a|" L1 "|Art|" T1, "a|" L1 "|Art|" T1, "b|" L2 "|Art|" T2 },
	  "guid", "a b", "item 2: a copy of item 1: dropped" },
	{ "a deletion after the item stands for it", NULL,
	  { "a|" L1 "|Art|" T1, "a||||||deleted", "b|" L2 "|Art|" T2 },
	  "guid", "a b", NULL },
	{ "a link mode kept from before, guids clean today", "link",
	  { "a|" L1 "|Art|" T1, "b|" L2 "|Art|" T2 },
	  "link", L1 " " L2, NULL },
	{ "a hash mode kept from before", "hash",
	  { "a|" L1 "|Art|" T1, "b|" L2 "|Art|" T2 },
	  "hash", "# #", NULL },
	{ "a kept link mode, links shared today", "link",
	  { "a|" L1 "|Art|" T1, "b|" L1 "|Art|" T2 },
	  "hash", "# #",
	  "2 items share the link \"" L1 "\"; using title, start and "
	  "location" },
	{ "alike in title, start and place, yet different", "hash",
	  { "||Art|" T1 "|Hall|Paint", "||Art|" T1 "|Hall|Draw",
	    "||Art|" T1 "|Hall|Sculpt" },
	  "hash", "# #2 #3",
	  "item 2: another item has the same title, start and location: it "
	  "is kept as \"" },
	{ "the place tells apart what title and start do not", "hash",
	  { "||Art|" T1 "|Hall", "||Art|" T1 "|Library" },
	  "hash", "# #", NULL },
	{ "a deletion without a link, by links", "link",
	  { "a|" L1 "|Art|" T1, "b||||||deleted" },
	  "link", L1,
	  "1 deleted item without a link, which this feed's identities are "
	  "made from: ignored" },
	{ "an empty feed keeps its mode", "link", { NULL }, "link", "", NULL },
};

/* Whether a source id has the shape `want` gives (see ident_case). */
static int
sid_matches(const char *sid, const char *want, size_t wlen)
{
	const char	*rest;

	if (wlen == 0 || want[0] != '#')
		return strlen(sid) == wlen && strncmp(sid, want, wlen) == 0;
	if (strlen(sid) < 16 || strspn(sid, "0123456789abcdef") < 16)
		return 0;
	rest = sid + 16;
	if (wlen == 1)
		return *rest == '\0';
	return strlen(rest) == wlen && strncmp(rest, want, wlen) == 0;
}

/* Begins, fills and ends one record from an item of an ident_case. */
static int
ident_item(void *sink, const char *item)
{
	static const char *const fields[] = {
		"source_id", "url", "title", "start", "location.name",
		"summary", "state",
	};
	const char	*p = item, *e;
	size_t		 i;

	h->begin(sink);
	for (i = 0; i < nitems(fields) && p != NULL; i++) {
		e = strchr(p, '|');
		if (e == NULL)
			e = p + strlen(p);
		if (e > p)
			h->set(sink, fields[i], p, (size_t)(e - p));
		p = *e == '|' ? e + 1 : NULL;
	}
	return h->end(sink);
}

/* Each feed's items get identities of one kind, chosen for the feed. */
Test(record, identity_table)
{
	size_t	i, k;

	for (i = 0; i < nitems(ident_cases); i++) {
		const struct ident_case	*c = &ident_cases[i];
		struct record_sink	*sink;
		struct feed_result	 res;
		const char		*w, *e, *sid, *id;
		json_t			*rec;
		char			 wantid[600];

		memset(&res, 0, sizeof res);
		sink = record_sink_new("spk", NULL, 0);
		cr_assert_eq(record_sink_identity(sink, c->floor), 0);
		for (k = 0; k < nitems(c->items) && c->items[k] != NULL; k++)
			cr_expect_eq(ident_item(sink, c->items[k]), DAYHUB_OK,
			    "%s: item %zu", c->name, k + 1);
		record_sink_finish(sink, &res);
		record_sink_free(sink);

		cr_expect_str_eq(res.identity, c->mode, "%s: mode %s",
		    c->name, res.identity);
		w = c->want;
		json_array_foreach(res.records, k, rec) {
			sid = json_string_value(at(rec, "source_id"));
			id = json_string_value(at(rec, "id"));
			cr_assert_not_null(sid, "%s: record %zu", c->name, k);
			while (*w == ' ')
				w++;
			e = strchr(w, ' ');
			if (e == NULL)
				e = w + strlen(w);
			cr_expect(sid_matches(sid, w, (size_t)(e - w)),
			    "%s: record %zu is \"%s\", want \"%.*s\"", c->name,
			    k, sid, (int)(e - w), w);
			snprintf(wantid, sizeof wantid, "spk:%s", sid);
			cr_expect_str_eq(id, wantid, "%s", c->name);
			w = e;
		}
		while (*w == ' ')
			w++;
		cr_expect_eq(*w, '\0', "%s: fewer records than \"%s\"",
		    c->name, c->want);
		if (c->warning != NULL)
			cr_expect(warned(&res, c->warning), "%s: no warning "
			    "\"%s\"", c->name, c->warning);
		else
			cr_expect_eq(res.nwarnings, 0, "%s: %zu warnings",
			    c->name, res.nwarnings);
		/* fell back or not, the feed is warned about once */
		cr_expect_leq(nwarned(&res, "as identities for this feed"), 1,
		    "%s", c->name);
		feed_result_free(&res);
	}
}

/* The deleted item that stands for an earlier live one says so. */
Test(record, identity_deletion_stands)
{
	struct record_sink	*sink;
	struct feed_result	 res;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", NULL, 0);
	ident_item(sink, "a|" L1 "|Art|" T1);
	ident_item(sink, "a||||||deleted");
	record_sink_finish(sink, &res);
	record_sink_free(sink);
	cr_assert_eq(json_array_size(res.records), 1);
	cr_expect_str_eq(json_string_value(at(json_array_get(res.records, 0),
	    "state")), "deleted");
	cr_expect_str_eq(json_string_value(at(json_array_get(res.records, 0),
	    "id")), "spk:a");
	feed_result_free(&res);
}

/* A stored mode the sink does not know is refused, and changes nothing. */
Test(record, identity_unknown_mode)
{
	struct record_sink	*sink;
	struct feed_result	 res;
	struct parse_request	 pr;

	sink = record_sink_new("spk", NULL, 0);
	cr_expect_eq(record_sink_identity(sink, "link"), 0);
	cr_expect_eq(record_sink_identity(sink, "LINK"), -1);
	cr_expect_eq(record_sink_identity(sink, "uuid"), -1);
	memset(&res, 0, sizeof res);
	record_sink_finish(sink, &res);
	cr_expect_str_eq(res.identity, "link");
	feed_result_free(&res);
	cr_expect_eq(record_sink_identity(sink, ""), 0);
	cr_expect_eq(record_sink_identity(sink, NULL), 0);
	record_sink_finish(sink, &res);
	cr_expect_str_eq(res.identity, "guid");
	feed_result_free(&res);
	record_sink_free(sink);

	/* record_parse says so, and a failed parse reports no mode */
	memset(&pr, 0, sizeof pr);
	pr.data = (const unsigned char *)"x";
	pr.len = 1;
	pr.spoke = "spk";
	pr.format = "nosuch";
	pr.identity = "bogus";
	cr_expect_eq(record_parse(&pr, &res), -1);
	cr_expect(warned(&res, "the identity mode \"bogus\" kept for this "
	    "feed is unknown"));
	cr_expect_null(res.identity);
	feed_result_free(&res);
}

/* begin() stops the module once max_items were begun, warning once. */
Test(record, max_items_stop)
{
	struct record_sink	*sink;
	struct feed_result	 res;
	size_t			 i;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", NULL, 2);
	for (i = 0; i < 2; i++) {
		cr_expect_eq(h->begin(sink), DAYHUB_OK);
		set(sink, "source_id", i == 0 ? "one" : "two");
		set(sink, "title", "x");
		cr_expect_eq(h->end(sink), DAYHUB_OK);
	}
	cr_expect_eq(h->begin(sink), DAYHUB_STOP);
	cr_expect_eq(h->begin(sink), DAYHUB_STOP);
	record_sink_finish(sink, &res);
	record_sink_free(sink);
	cr_expect_eq(json_array_size(res.records), 2);
	cr_expect_eq(res.nwarnings, 1);
	cr_expect(warned(&res, "stopped after 2 items: the feed is over the "
	    "limit"));
	feed_result_free(&res);
}

/* Lists drop duplicates and stop at RECORD_MAX_LIST, warning once. */
Test(record, lists_dedup_and_cap)
{
	struct record_sink	*sink;
	struct feed_result	 res;
	json_t			*rec, *cats;
	char			 v[32];
	size_t			 i;
	int			 rc;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", NULL, 0);
	h->begin(sink);
	set(sink, "source_id", "l1");
	set(sink, "title", "Lists");
	cr_expect_eq(set(sink, "categories", "Art"), DAYHUB_OK);
	cr_expect_eq(set(sink, "categories", "art"), DAYHUB_OK);
	cr_expect_eq(set(sink, "categories", " Art "), DAYHUB_OK);
	cr_expect_eq(set(sink, "access", "wheelchair"), DAYHUB_OK);
	cr_expect_eq(set(sink, "access", "Wheelchair"), DAYHUB_OK);
	/* "Art" is the first of the categories' RECORD_MAX_LIST */
	for (i = 1; i < RECORD_MAX_LIST + 6; i++) {
		snprintf(v, sizeof v, "term %zu", i);
		rc = set(sink, "categories", v);
		cr_expect_eq(rc, i < RECORD_MAX_LIST ? DAYHUB_OK :
		    DAYHUB_REJECT, "%s", v);
	}
	h->end(sink);
	record_sink_finish(sink, &res);
	record_sink_free(sink);

	rec = json_array_get(res.records, 0);
	cats = at(rec, "categories");
	cr_expect_eq(json_array_size(cats), RECORD_MAX_LIST);
	cr_expect_str_eq(json_string_value(json_array_get(cats, 0)), "Art");
	cr_expect_str_eq(json_string_value(json_array_get(cats, 1)),
	    "term 1");
	cr_expect_eq(json_array_size(at(rec, "access")), 1);
	/* the three spellings of Art are one category and one term */
	cr_expect_eq(json_array_size(at(rec, "activity")), 1);
	cr_expect_str_eq(json_string_value(json_array_get(at(rec,
	    "activity"), 0)), "art");
	cr_expect_eq(res.nwarnings, 1);
	cr_expect(warned(&res, "categories: more than 64 values"));
	feed_result_free(&res);
}

/* Over-long text is cut on a character boundary, with a warning. */
Test(record, overlong_text_cut_on_boundary)
{
	struct record_sink	*sink;
	struct feed_result	 res;
	json_t			*rec;
	const char		*t, *s;
	char			*title, *summary;
	size_t			 i;

	/* RECORD_MAX_FIELD - 1 bytes of 'a', then a two-byte é */
	title = malloc(RECORD_MAX_FIELD + 2);
	memset(title, 'a', RECORD_MAX_FIELD - 1);
	memcpy(title + RECORD_MAX_FIELD - 1, "\xc3\xa9", 3);
	/* three-byte euro signs, past RECORD_MAX_TEXT */
	summary = malloc(RECORD_MAX_TEXT + 7);
	for (i = 0; i + 3 <= RECORD_MAX_TEXT + 6; i += 3)
		memcpy(summary + i, "\xe2\x82\xac", 3);
	summary[i] = '\0';

	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", NULL, 0);
	h->begin(sink);
	cr_expect_eq(set(sink, "title", title), DAYHUB_OK);
	cr_expect_eq(set(sink, "summary", summary), DAYHUB_OK);
	h->end(sink);
	record_sink_finish(sink, &res);
	record_sink_free(sink);

	rec = json_array_get(res.records, 0);
	t = json_string_value(at(rec, "title"));
	s = json_string_value(at(rec, "summary"));
	cr_assert_not_null(t);
	cr_assert_not_null(s);
	cr_expect_eq(strlen(t), RECORD_MAX_FIELD - 1);
	cr_expect(utf8_valid(t, strlen(t)));
	cr_expect_eq(strlen(s), RECORD_MAX_TEXT / 3 * 3);
	cr_expect(utf8_valid(s, strlen(s)));
	cr_expect(warned(&res, "title: longer than 2048 bytes: cut short"));
	cr_expect(warned(&res, "summary: longer than 65536 bytes"));
	free(title);
	free(summary);
	feed_result_free(&res);
}

/* Values with bytes that are not UTF-8, or a NUL, are refused. */
Test(record, invalid_utf8_rejected)
{
	static const struct {
		const char	*field;
		const char	*value;
		size_t		 len;
	} cases[] = {
		{ "title", "caf\xe9", 4 },
		{ "title", "a\0b", 3 },
		{ "categories", "\xff", 1 },
		{ "location.postcode", "DT1\x80", 4 },
		{ "summary", "\xe2\x82", 2 },		/* cut sequence */
		{ "access", "\xff", 1 },
		{ "cost.min", "1\0" "2", 3 },
	};
	struct record_sink	*sink;
	struct feed_result	 res;
	size_t			 i;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", NULL, 0);
	h->begin(sink);
	for (i = 0; i < nitems(cases); i++)
		cr_expect_eq(h->set(sink, cases[i].field, cases[i].value,
		    cases[i].len), DAYHUB_REJECT, "case %zu", i);
	set(sink, "source_id", "u1");
	set(sink, "title", "ok");
	h->end(sink);
	record_sink_finish(sink, &res);
	record_sink_free(sink);
	cr_expect_eq(res.nwarnings, nitems(cases));
	cr_expect(warned(&res, "title: not valid UTF-8"));
	/* every kept message is itself valid UTF-8 */
	{
		json_t	*w;

		json_array_foreach(res.warnings, i, w) {
			const char *m = json_string_value(json_object_get(w,
			    "message"));

			cr_expect_not_null(m);
		}
	}
	feed_result_free(&res);
}

/* Calls out of order are module bugs: warned and refused. */
Test(record, calls_out_of_order)
{
	struct record_sink	*sink;
	struct feed_result	 res;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", NULL, 0);
	cr_expect_eq(set(sink, "title", "floating"), DAYHUB_REJECT);
	cr_expect_eq(h->end(sink), DAYHUB_REJECT);
	h->begin(sink);
	set(sink, "title", "never ended");
	h->begin(sink);		/* drops the first */
	set(sink, "title", "second");
	h->end(sink);
	h->begin(sink);
	set(sink, "title", "left open");
	record_sink_finish(sink, &res);
	record_sink_free(sink);
	cr_expect_eq(json_array_size(res.records), 1);
	cr_expect_str_eq(json_string_value(at(json_array_get(res.records, 0),
	    "title")), "second");
	cr_expect(warned(&res, "outside an item"));
	cr_expect(warned(&res, "ended an item it had not begun"));
	cr_expect(warned(&res, "item 1: the module began another item"));
	cr_expect(warned(&res, "item 3: the module did not finish"));
	feed_result_free(&res);
}

/* feed() keeps the feed facts it knows, checked. */
Test(record, feed_facts)
{
	struct record_sink	*sink;
	struct feed_result	 res;
	char			*s;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", NULL, 0);
	h->feed(sink, "title", " Arts  Hub ", 11);
	h->feed(sink, "link", "https://example.org/", 20);
	h->feed(sink, "ttl", "60", 2);
	h->feed(sink, "generator", "WordPress", 9);
	h->feed(sink, "next", "https://example.org/rpde?afterId=9", 34);
	h->feed(sink, "rpde", "last", 4);
	h->feed(sink, "ttl", "soon", 4);
	h->feed(sink, "colour", "red", 3);
	h->feed(sink, "title", "\xff", 1);
	record_sink_finish(sink, &res);
	record_sink_free(sink);
	s = json_dumps(res.feed, JSON_COMPACT);
	cr_expect_str_eq(s, "{\"title\":\"Arts Hub\","
	    "\"link\":\"https://example.org/\",\"ttl\":60,"
	    "\"generator\":\"WordPress\","
	    "\"next\":\"https://example.org/rpde?afterId=9\","
	    "\"rpde\":\"last\"}");
	cr_expect_eq(res.nwarnings, 3);
	free(s);
	feed_result_free(&res);
}

/* warn() keeps line and message, up to a limit, and counts them all. */
Test(record, warnings_kept_and_counted)
{
	struct record_sink	*sink;
	struct feed_result	 res;
	char			 big[1000];
	json_t			*w;
	size_t			 i;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", NULL, 0);
	h->warn(sink, 12, "repaired an entity %s", "&nbsp;");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	h->warn(sink, 13, "%s", big);
	h->warn(sink, 14, "bad byte \xff and\ttab");
	for (i = 0; i < 100; i++)
		h->warn(sink, i, "warning %zu", i);
	record_sink_finish(sink, &res);
	record_sink_free(sink);

	cr_expect_eq(res.nwarnings, 103);
	cr_expect_eq(json_array_size(res.warnings), RECORD_MAX_WARNINGS);
	w = json_array_get(res.warnings, 0);
	cr_expect_eq(json_integer_value(json_object_get(w, "line")), 12);
	cr_expect_str_eq(json_string_value(json_object_get(w, "message")),
	    "repaired an entity &nbsp;");
	w = json_array_get(res.warnings, 1);
	cr_expect_lt(strlen(json_string_value(json_object_get(w, "message"))),
	    513);
	w = json_array_get(res.warnings, 2);
	cr_expect_str_eq(json_string_value(json_object_get(w, "message")),
	    "bad byte ? and tab");
	feed_result_free(&res);
}

/* error() keeps the module's first reason; record_parse reports it. */
Test(record, parse_without_a_module)
{
	static const struct {
		const char	*data;
		const char	*format;
		const char	*want;
	} cases[] = {
		{ "<rss version=\"2.0\"></rss>", "nosuch",
		  "no format module is called \"nosuch\"" },
		{ "", NULL, "the feed is empty" },
		{ "<html>\x01\"hello\"</html>", "auto",
		  "no format module recognises this feed (it starts with "
		  "\"<html>..hello.</html>\")" },
	};
	struct parse_request	 pr;
	struct feed_result	 res;
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		memset(&pr, 0, sizeof pr);
		pr.data = (const unsigned char *)cases[i].data;
		pr.len = strlen(cases[i].data);
		pr.spoke = "spk";
		pr.format = cases[i].format;
		memset(&res, 0, sizeof res);
		cr_expect_eq(record_parse(&pr, &res), -1, "case %zu", i);
		cr_expect_str_eq(res.error, cases[i].want);
		cr_expect_eq(json_array_size(res.records), 0);
		cr_expect_not_null(res.warnings);
		cr_expect_not_null(res.feed);
		feed_result_free(&res);
	}
}

struct taxonomy_case {
	const char	*categories[4];	/* NULL-terminated */
	const char	*activities[4];	/* as the module set them */
	const char	*access;	/* set by the module first, or NULL */
	const char	*want_activity;	/* JSON, NULL: absent */
	const char	*want_access;
	const char	*want_groups;
	const char	*warning;	/* a warning containing this, or NULL
					   for none at all */
};

static const struct taxonomy_case taxonomy_cases[] = {
	/* categories add terms in the vocabulary's order, each once */
	{ { "Gardening", "Arts & Crafts", NULL }, { NULL }, NULL,
	  "[\"art\",\"crafts\",\"gardening\"]", NULL, NULL, NULL },
	{ { "Art", "Arts & Crafts", NULL }, { NULL }, NULL,
	  "[\"art\",\"crafts\"]", NULL, NULL, NULL },
	/* after the terms the feed set itself, not repeated */
	{ { "Walks", "Art", NULL }, { "gardening", "art", NULL }, NULL,
	  "[\"gardening\",\"art\",\"walking\"]", NULL, NULL, NULL },
	/* a category that names no activity adds none */
	{ { "News", NULL }, { NULL }, NULL, NULL, NULL, NULL, NULL },
	{ { NULL }, { NULL }, NULL, NULL, NULL, NULL, NULL },
	/* a module's label or synonym becomes its term */
	{ { NULL }, { "Dementia cafe", "Memory Café", NULL }, NULL,
	  "[\"dementia-cafe\"]", NULL, NULL, NULL },
	{ { NULL }, { "Swimming Lessons", NULL }, NULL, "[\"swimming\"]",
	  NULL, NULL, NULL },
	/* an unknown word is dropped, and named */
	{ { NULL }, { "frobnicating", NULL }, NULL, NULL, NULL, NULL,
	  "the activity \"frobnicating\" is not in the vocabulary (see "
	  "feeds/TAXONOMY.md)" },
	{ { NULL }, { "frobnicating", "cooking", NULL }, NULL,
	  "[\"cooking\"]", NULL, NULL, "\"frobnicating\" is not in" },
	/* access and groups are added to, never taken from */
	{ { "Memory Café", NULL }, { NULL }, NULL, "[\"dementia-cafe\"]",
	  NULL, "[\"dementia\"]", NULL },
	{ { "Step-free access", "Over 60s", NULL }, { NULL }, "hearing loop",
	  NULL, "[\"hearing_loop\",\"wheelchair\"]", "[\"older_adults\"]",
	  NULL },
	{ { "Wheelchair accessible", NULL }, { NULL }, "wheelchair",
	  NULL, "[\"wheelchair\"]", NULL, NULL },
	{ { "Autism friendly", "Cooking", NULL }, { NULL }, NULL,
	  "[\"cooking\"]", "[\"sensory_friendly\"]", "[\"autism\"]", NULL },
};

/* Categories and activity values are read through the taxonomy at end(). */
Test(record, taxonomy_table)
{
	size_t	i, j;

	for (i = 0; i < nitems(taxonomy_cases); i++) {
		const struct taxonomy_case	*c = &taxonomy_cases[i];
		struct record_sink		*sink;
		struct feed_result		 res;
		json_t				*rec;
		char				*got;
		const char			*want[3];
		const char			*field[3] = {
			"activity", "access", "groups"
		};
		size_t				 k;

		memset(&res, 0, sizeof res);
		sink = record_sink_new("spk", NULL, 0);
		cr_assert_eq(h->begin(sink), DAYHUB_OK);
		set(sink, "source_id", "t1");
		set(sink, "title", "T");
		if (c->access != NULL)
			cr_assert_eq(set(sink, "access", c->access), DAYHUB_OK);
		for (j = 0; c->categories[j] != NULL; j++)
			set(sink, "categories", c->categories[j]);
		for (j = 0; c->activities[j] != NULL; j++)
			set(sink, "activity", c->activities[j]);
		cr_assert_eq(h->end(sink), DAYHUB_OK, "case %zu", i);
		record_sink_finish(sink, &res);
		record_sink_free(sink);

		rec = json_array_get(res.records, 0);
		want[0] = c->want_activity;
		want[1] = c->want_access;
		want[2] = c->want_groups;
		for (k = 0; k < 3; k++) {
			got = dump(at(rec, field[k]));
			cr_expect_str_eq(got, want[k] != NULL ? want[k] :
			    "(absent)", "case %zu: %s is %s", i, field[k], got);
			free(got);
		}
		/* the categories stay as published */
		for (j = 0; c->categories[j] != NULL; j++)
			cr_expect_str_eq(json_string_value(json_array_get(
			    at(rec, "categories"), j)), c->categories[j]);
		if (c->warning != NULL)
			cr_expect(warned(&res, c->warning),
			    "case %zu: no warning \"%s\"", i, c->warning);
		else
			cr_expect_eq(res.nwarnings, 0, "case %zu warned", i);
		feed_result_free(&res);
	}
}

/* Local times are counted for the feed as a whole; dates and offsets not. */
Test(record, local_times_counted)
{
	static const char *const starts[] = {
		"2026-12-01T10:00", "2026-12-02T10:00:00",
		"2026-12-03T10:00:00Z", "2026-12-04",
		"2026-12-05T10:00:00+01:00",
	};
	struct record_sink	*sink;
	struct feed_result	 res;
	char			 id[8];
	size_t			 i;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", NULL, 0);
	for (i = 0; i < nitems(starts); i++) {
		h->begin(sink);
		snprintf(id, sizeof id, "l%zu", i);
		set(sink, "source_id", id);
		set(sink, "title", id);
		set(sink, "start", starts[i]);
		if (i == 0)
			set(sink, "end", "2026-12-01T12:00");
		h->end(sink);
	}
	record_sink_finish(sink, &res);
	record_sink_free(sink);
	cr_expect_eq(json_integer_value(json_object_get(res.feed,
	    "local_times")), 3);
	cr_expect_eq(res.nwarnings, 0);
	feed_result_free(&res);

	/* none: no fact at all */
	memset(&res, 0, sizeof res);
	sink = record_sink_new("spk", NULL, 0);
	h->begin(sink);
	set(sink, "title", "Offset");
	set(sink, "start", "2026-12-03T10:00:00Z");
	h->end(sink);
	record_sink_finish(sink, &res);
	record_sink_free(sink);
	cr_expect_null(json_object_get(res.feed, "local_times"));
	feed_result_free(&res);
}
