/*
 * test_openactive.c - the OpenActive (RPDE) format module, loaded as the
 * daemon loads it.
 *
 * The module is opened with dlopen() from $DAYHUB_OPENACTIVE_MODULE, or
 * else from $DAYHUB_BUILDDIR/plugins/.libs/openactive.so (as `make check`
 * builds it), and driven through its descriptor with a test host
 * (testsink.c) that keeps what it emits.  Fixtures are read from
 * $DAYHUB_SRCDIR/feeds/fixtures/openactive/; NAME.jsonl beside NAME.json
 * holds the records expected, one JSON object a line.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "dayhub.h"
#include "../plugins/feedutil.h"
#include "testsink.h"

#define PAGE_BASE	"https://feeds.example.org/rpde/sessions"
#define PAGE_NEXT	"https://feeds.example.org/rpde/sessions?afterId=t1"
#define FIXTURE_BASE	"https://bookings.stourvalleyleisure.example.org/" \
	"api/rpde/session-series"
#define FIXTURE_NEXT	FIXTURE_BASE "?afterTimestamp=1767225606&" \
	"afterId=svlc-badminton"

static const struct dayhub_plugin *module(void);
static int	 parse_with(struct testsink *, const void *, size_t,
		    const char *, size_t, size_t);
static int	 parse_str(struct testsink *, const char *);
static char	*item_page(const char *, const char *);
static char	*fixture_path(const char *);
static char	*slurp(const char *, size_t *);
static char	*show(json_t *);
static void	 expect_protocol(const struct testsink *, const char *);
static void	 expect_value(const struct testsink *, size_t, const char *,
		    const char *, const char *);
static void	 expect_golden(const struct testsink *, const char *);
static double	 now_seconds(void);

/* --- loading the module as the daemon does --- */

static const struct dayhub_plugin *
module(void)
{
	static const struct dayhub_plugin	*desc;
	char					 err[PATH_MAX + 256];

	if (desc == NULL)
		desc = testsink_module("openactive", "DAYHUB_OPENACTIVE_MODULE", err, sizeof err);
	cr_assert_not_null(desc, "%s", err);
	return desc;
}

static int
parse_with(struct testsink *ts, const void *data, size_t len,
    const char *base_url, size_t max_items, size_t max_depth)
{
	struct dayhub_input	in = {
		.size = sizeof in,
		.data = data,
		.len = len,
		.base_url = base_url,
		.content_type = "application/json",
		.timezone = "Europe/London",
		.max_items = max_items,
		.max_depth = max_depth,
	};

	return module()->parse(&in, &testsink_host, ts);
}

static int
parse_str(struct testsink *ts, const char *json)
{
	return parse_with(ts, json, strlen(json), PAGE_BASE, FEED_MAX_ITEMS,
	    FEED_MAX_DEPTH);
}

/*
 * An RPDE page of one updated item of @type `type` named "Test session",
 * with the JSON members `members` added to its data (a later "name"
 * wins: jansson keeps the last of duplicate keys).
 */
static char *
item_page(const char *type, const char *members)
{
	char	*s;

	if (asprintf(&s, "{\"items\":[{\"state\":\"updated\",\"kind\":\"%s\","
	    "\"id\":\"t1\",\"modified\":1,\"data\":{\"@context\":"
	    "\"https://openactive.io/\",\"@type\":\"%s\",\"@id\":"
	    "\"https://feeds.example.org/series/t1\",\"name\":\"Test "
	    "session\"%s%s}}],\"next\":\"" PAGE_NEXT "\"}", type, type,
	    *members != '\0' ? "," : "", members) == -1)
		cr_assert_fail("out of memory");
	return s;
}

static char *
fixture_path(const char *name)
{
	const char	*src = getenv("DAYHUB_SRCDIR");
	char		*path;

	if (asprintf(&path, "%s/feeds/fixtures/openactive/%s",
	    src != NULL ? src : ".", name) == -1)
		cr_assert_fail("out of memory");
	return path;
}

/* A whole file, NUL-terminated, or NULL when it cannot be read. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf = NULL;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* JSON text of a value for messages ("(absent)" for NULL); caller frees. */
static char *
show(json_t *v)
{
	char	*s;

	if (v == NULL)
		return strdup("(absent)");
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
	return s != NULL ? s : strdup("(unprintable)");
}

/* The module kept the calling protocol of plugin.h. */
static void
expect_protocol(const struct testsink *ts, const char *what)
{
	char	*v = show(ts->violations);

	cr_expect_eq(json_array_size(ts->violations), 0,
	    "%s: protocol slips %s", what, v);
	free(v);
}

/* Field `field` of record `i` is the JSON `want` (NULL: absent). */
static void
expect_value(const struct testsink *ts, size_t i, const char *field,
    const char *want, const char *what)
{
	json_t	*w = NULL, *got;
	char	*sg, *sw;

	if (want != NULL) {
		w = json_loads(want, JSON_DECODE_ANY, NULL);
		cr_assert_not_null(w, "bad expectation %s", want);
	}
	got = testsink_get(ts, i, field);
	sg = show(got);
	sw = show(w);
	cr_expect(w == NULL ? got == NULL : json_equal(w, got),
	    "%s: %s is %s, want %s", what, field, sg, sw);
	free(sg);
	free(sw);
	json_decref(w);
}

/* Compares the records with NAME.jsonl beside the fixture. */
static void
expect_golden(const struct testsink *ts, const char *file)
{
	json_error_t	 err;
	json_t		*want, *got;
	char		*name, *path, *text, *line, *next, *sg, *sw;
	size_t		 len, n = 0;

	if (asprintf(&name, "%.*s.jsonl", (int)(strrchr(file, '.') - file),
	    file) == -1)
		cr_assert_fail("out of memory");
	path = fixture_path(name);
	cr_assert_not_null(text = slurp(path, &len), "cannot read %s", path);
	for (line = text; *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line == '\0')
			continue;
		want = json_loads(line, 0, &err);
		cr_assert_not_null(want, "%s:%zu: %s", name, n + 1, err.text);
		got = json_array_get(ts->records, n);
		sg = show(got);
		sw = show(want);
		cr_expect(json_equal(want, got), "%s record %zu:\n got %s\n"
		    "want %s", file, n, sg, sw);
		free(sg);
		free(sw);
		json_decref(want);
		n++;
	}
	cr_expect_eq(json_array_size(ts->records), n, "%s: %zu records, "
	    "%s has %zu", file, json_array_size(ts->records), name, n);
	free(text);
	free(path);
	free(name);
}

static double
now_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the descriptor --- */

Test(openactive, descriptor_names_the_module)
{
	const struct dayhub_plugin	*m = module();

	cr_expect_str_eq(m->name, "openactive");
	cr_expect(m->version != NULL && *m->version != '\0');
	cr_expect(m->description != NULL && *m->description != '\0');
	cr_expect_eq(m->abi_minor, DAYHUB_PLUGIN_ABI_MINOR);
}

/* --- field mapping, one property at a time --- */

struct map_case {
	const char	*members;	/* JSON members added to the data */
	const char	*field;
	const char	*expect;	/* JSON text; NULL: the field is absent */
	const char	*warning;	/* a warning that must be given, or NULL */
};

#define ORG "\"organizer\":{\"@type\":\"Organization\",\"name\":\"Stour " \
	"Valley Leisure\",\"url\":\"https://svl.example.org/\",\"telephone\":" \
	"\"01258 000900\",\"email\":\"hello@svl.example.org\",\"logo\":{}}"
#define PLACE "\"location\":{\"@type\":\"Place\",\"name\":\"Village Hall\"," \
	"\"address\":{\"@type\":\"PostalAddress\",\"streetAddress\":\"1 High " \
	"Street\",\"addressLocality\":\"Blandford\",\"addressRegion\":" \
	"\"Dorset\",\"postalCode\":\"DT11 7AB\",\"addressCountry\":\"GB\"}," \
	"\"geo\":{\"@type\":\"GeoCoordinates\",\"latitude\":50.8569," \
	"\"longitude\":-2.1617}}"
#define ACCESS "\"accessibilitySupport\":[{\"@type\":\"Concept\"," \
	"\"prefLabel\":\"Wheelchair user\"},{\"prefLabel\":\"Learning " \
	"disability\"},{\"prefLabel\":\"Visual impairment\"},{\"prefLabel\":" \
	"\"Something new\"}]"

static const struct map_case map_cases[] = {
	/* identity and text */
	{ "", "source_id", "\"t1\"", NULL },
	{ "", "state", "\"updated\"", NULL },
	{ "", "title", "\"Test session\"", NULL },
	{ "\"name\":\"Tea &amp; <b>chat</b>\"", "title", "\"Tea & chat\"",
	    NULL },
	{ "\"name\":\"  lots   of\\n space \"", "title", "\"lots of space\"",
	    NULL },
	{ "\"name\":2026", "title", "\"2026\"", NULL },
	{ "\"name\":{\"en\":\"x\"}", "title", NULL,
	    "left out \"name\": an object where text belongs" },
	{ "\"name\":[\"a\"]", "title", NULL,
	    "left out \"name\": an array where text belongs" },
	{ "\"name\":null", "title", NULL, NULL },
	{ "\"description\":\"<p>One</p><p>Two &amp; three</p>\"", "summary",
	    "\"One\\n\\nTwo & three\"", NULL },
	{ "\"description\":\"Plain\\nlines\"", "summary", "\"Plain\\nlines\"",
	    NULL },
	{ "\"description\":42", "summary", NULL,
	    "left out \"description\": a number where text belongs" },
	{ "\"url\":\"/classes/yoga\"", "url",
	    "\"https://feeds.example.org/classes/yoga\"", NULL },
	{ "\"url\":\"javascript:alert(1)\"", "url", NULL,
	    "left out the link \"javascript:alert(1)\" in \"url\"" },
	{ "\"url\":true", "url", NULL,
	    "left out \"url\": true or false where a link belongs" },
	/* times, as published */
	{ "\"startDate\":\"2026-03-03T10:00:00Z\"", "start",
	    "\"2026-03-03T10:00:00+00:00\"", NULL },
	{ "\"startDate\":\"2026-03-03T10:00:00+01:00\"", "start",
	    "\"2026-03-03T10:00:00+01:00\"", NULL },
	{ "\"startDate\":\"2026-03-03T10:00:00\"", "start",
	    "\"2026-03-03T10:00:00\"", NULL },
	{ "\"startDate\":\"2026-03-03\"", "start", "\"2026-03-03\"", NULL },
	{ "\"startDate\":\"next Tuesday\"", "start", NULL,
	    "left out the date \"next Tuesday\" in \"startDate\"" },
	{ "\"startDate\":1767225600", "start", NULL,
	    "left out \"startDate\": a number where a date belongs" },
	{ "\"endDate\":\"2026-03-03T11:00:00Z\"", "end",
	    "\"2026-03-03T11:00:00+00:00\"", NULL },
	{ "\"dateModified\":\"2026-01-02T09:00:00Z\"", "updated",
	    "\"2026-01-02T09:00:00+00:00\"", NULL },
	/* activity and category */
	{ "\"activity\":[{\"@type\":\"Concept\",\"@id\":\"https://openactive."
	    "io/activity-list#x\",\"prefLabel\":\"Yoga\"}]", "categories",
	    "[\"Yoga\"]", NULL },
	{ "\"activity\":{\"prefLabel\":\"Yoga\"}", "categories", "[\"Yoga\"]",
	    NULL },
	{ "\"activity\":[{\"@id\":\"https://openactive.io/activity-list#x\"}]",
	    "categories", NULL, NULL },
	{ "\"activity\":[\"https://openactive.io/activity-list#x\","
	    "\"Pilates\"]", "categories", "[\"Pilates\"]", NULL },
	{ "\"activity\":[5]", "categories", NULL,
	    "left out \"activity\": a number where a Concept or text belongs" },
	{ "\"category\":[\"Swimming\",\"swimming\",\"Aqua\"]", "categories",
	    "[\"Swimming\",\"Aqua\"]", NULL },
	{ "\"activity\":[{\"prefLabel\":\"Yoga\"}],\"category\":\"Wellbeing\"",
	    "categories", "[\"Yoga\",\"Wellbeing\"]", NULL },
	{ "\"activity\":[{\"prefLabel\":\"Yoga\"}]", "activity", NULL, NULL },
	/* organiser */
	{ ORG, "organiser", "{\"name\":\"Stour Valley Leisure\",\"url\":"
	    "\"https://svl.example.org/\",\"phone\":\"01258 000900\","
	    "\"email\":\"hello@svl.example.org\"}", NULL },
	{ "\"organizer\":{\"@type\":\"Person\",\"givenName\":\"Jo\","
	    "\"familyName\":\"Bloggs\"}", "organiser.name", "\"Jo Bloggs\"",
	    NULL },
	{ "\"organizer\":\"Blandford Arts\"", "organiser.name",
	    "\"Blandford Arts\"", NULL },
	{ "\"organizer\":[{\"name\":\"First\"},{\"name\":\"Second\"}]",
	    "organiser.name", "\"First\"", NULL },
	{ "\"organizer\":7", "organiser", NULL,
	    "a number where an Organization or Person belongs" },
	{ "\"organizer\":{\"name\":\"X\",\"email\":\"mailto:x@example.org\"}",
	    "organiser.email", "\"x@example.org\"", NULL },
	{ "\"organizer\":{\"name\":\"X\",\"url\":\"ftp://x.example.org/\"}",
	    "organiser.url", NULL,
	    "left out the link \"ftp://x.example.org/\" in \"organizer.url\"" },
	{ "\"organizer\":{\"name\":\"X\",\"telephone\":[1]}", "organiser",
	    "{\"name\":\"X\"}", "left out \"organizer.telephone\": an array" },
	/* location */
	{ PLACE, "location", "{\"name\":\"Village Hall\",\"address\":\"1 High "
	    "Street, Blandford, Dorset\",\"postcode\":\"DT11 7AB\",\"lat\":"
	    "\"50.8569\",\"lon\":\"-2.1617\"}", NULL },
	{ "\"location\":{\"name\":\"Hall\",\"geo\":{\"latitude\":\"50.5\","
	    "\"longitude\":\"-2.25\"}}", "location.lat", "\"50.5\"", NULL },
	{ "\"location\":{\"name\":\"Hall\",\"geo\":{\"latitude\":95,"
	    "\"longitude\":-2}}", "location.lat", NULL,
	    "left out \"geo.latitude\" \"95\": not a coordinate in range" },
	{ "\"location\":{\"name\":\"Hall\",\"geo\":{\"latitude\":50,"
	    "\"longitude\":\"east\"}}", "location.lon", NULL,
	    "\"geo.longitude\" \"east\": not a coordinate in range" },
	{ "\"location\":{\"name\":\"Hall\",\"latitude\":50.1,\"longitude\":"
	    "-2.2}", "location.lon", "\"-2.2\"", NULL },
	{ "\"location\":\"Village Hall\"", "location.name", "\"Village Hall\"",
	    NULL },
	{ "\"location\":{\"name\":\"Hall\",\"address\":\"1 High St, Blandford "
	    "DT11 7AB\"}", "location", "{\"name\":\"Hall\",\"address\":\"1 High "
	    "St, Blandford DT11 7AB\",\"postcode\":\"DT11 7AB\"}", NULL },
	{ "\"location\":{\"name\":\"Hall\",\"address\":\"1 High St, "
	    "Blandford\"}", "location.postcode", NULL, NULL },
	{ "\"location\":{\"name\":\"Hall\",\"address\":[1]}",
	    "location.address", NULL,
	    "an array where a PostalAddress belongs" },
	{ "\"location\":[{\"@type\":\"VirtualLocation\",\"url\":\"https://"
	    "meet.example.org/x\"},{\"@type\":\"Place\",\"name\":\"Hall\"}]",
	    "location", "{\"name\":\"Hall\",\"online\":\"true\"}", NULL },
	{ "\"location\":3", "location", NULL,
	    "left out \"location\": a number where a Place belongs" },
	{ "\"location\":{\"name\":\"Hall\",\"amenityFeature\":[{\"name\":"
	    "\"Hearing loop\",\"value\":true},{\"name\":\"Changing Places\","
	    "\"value\":false},{\"name\":\"Quiet room\"}]}", "access",
	    "[\"hearing_loop\",\"quiet_space\"]", NULL },
	{ "\"location\":{\"name\":\"Hall\",\"beta:isWheelchairAccessible\":"
	    "true}", "access", "[\"wheelchair\"]", NULL },
	{ "\"location\":{\"name\":\"Hall\",\"geo\":\"50,-2\"}",
	    "location.lat", NULL, "text where GeoCoordinates belongs" },
	/* offers */
	{ "\"offers\":[{\"price\":5,\"priceCurrency\":\"GBP\"},{\"price\":2.5,"
	    "\"priceCurrency\":\"GBP\"}]", "cost", "{\"min\":\"2.5\",\"max\":"
	    "\"5\",\"currency\":\"GBP\",\"free\":\"false\"}", NULL },
	{ "\"offers\":[{\"price\":0},{\"price\":\"0.00\"}]", "cost",
	    "{\"min\":\"0\",\"max\":\"0\",\"free\":\"true\"}", NULL },
	{ "\"offers\":{\"price\":\"\xc2\xa3" "3.50\",\"priceCurrency\":"
	    "\"GBP\"}", "cost.min", "\"3.5\"", NULL },
	{ "\"offers\":[{\"price\":\"Free\"}]", "cost.free", "\"true\"", NULL },
	{ "\"offers\":[{\"price\":\"ask at desk\"},{\"price\":4}]", "cost.min",
	    "\"4\"", "left out the price \"ask at desk\": not an amount of "
	    "money" },
	{ "\"offers\":[{\"price\":-1}]", "cost", NULL,
	    "a price is not negative" },
	{ "\"offers\":[{\"@type\":\"AggregateOffer\",\"lowPrice\":2,"
	    "\"highPrice\":6,\"priceCurrency\":\"GBP\"}]", "cost", "{\"min\":"
	    "\"2\",\"max\":\"6\",\"currency\":\"GBP\",\"free\":\"false\"}",
	    NULL },
	{ "\"offers\":[{\"price\":3,\"priceCurrency\":\"GBP\"},{\"price\":9,"
	    "\"priceCurrency\":\"EUR\"}]", "cost", "{\"min\":\"3\",\"max\":"
	    "\"3\",\"currency\":\"GBP\",\"free\":\"false\"}",
	    "left out prices in EUR" },
	{ "\"offers\":[{\"name\":\"Ask at the desk\"}]", "cost", NULL, NULL },
	{ "\"offers\":\"cheap\"", "cost", NULL,
	    "left out \"offers\": text where an Offer belongs" },
	{ "\"offers\":[{\"price\":{\"value\":3}}]", "cost", NULL,
	    "left out \"price\": an object where text belongs" },
	{ "\"isAccessibleForFree\":true", "cost.free", "\"true\"", NULL },
	{ "\"isAccessibleForFree\":true,\"offers\":[{\"price\":2}]",
	    "cost.free", "\"false\"", NULL },
	{ "\"isAccessibleForFree\":\"maybe\"", "cost", NULL,
	    "left out \"isAccessibleForFree\": text where true or false "
	    "belongs" },
	/* ages */
	{ "\"ageRange\":{\"@type\":\"QuantitativeValue\",\"minValue\":18,"
	    "\"maxValue\":65}", "age", "{\"min\":\"18\",\"max\":\"65\"}",
	    NULL },
	{ "\"ageRange\":{\"maxValue\":12.0}", "age", "{\"max\":\"12\"}",
	    NULL },
	{ "\"ageRange\":\"18-65\"", "age", "{\"min\":\"18\",\"max\":\"65\"}",
	    NULL },
	{ "\"typicalAgeRange\":\"65+\"", "age", "{\"min\":\"65\"}", NULL },
	{ "\"typicalAgeRange\":\"adults\"", "age", NULL,
	    "not an age range such as 18-65" },
	{ "\"ageRange\":[18]", "age", NULL,
	    "an array where a QuantitativeValue belongs" },
	/* access and groups, where a label maps clearly */
	{ ACCESS, "access", "[\"wheelchair\"]", NULL },
	{ ACCESS, "groups", "[\"learning_disability\",\"sensory\"]", NULL },
	{ "\"accessibilitySupport\":[{\"prefLabel\":\"Something new\"}]",
	    "access", NULL, NULL },
	{ "\"accessibilitySupport\":{\"prefLabel\":\"MAKATON\"}", "access",
	    "[\"makaton\"]", NULL },
	{ "\"accessibilitySupport\":[\"British Sign Language\"]", "access",
	    "[\"bsl\"]", NULL },
	{ "\"isWheelchairAccessible\":true", "access", "[\"wheelchair\"]",
	    NULL },
	{ "\"isWheelchairAccessible\":\"yes\"", "access", "[\"wheelchair\"]",
	    NULL },
	{ "\"isWheelchairAccessible\":false", "access", NULL, NULL },
	{ "\"isWheelchairAccessible\":1", "access", NULL,
	    "a number where true or false belongs" },
	/* capacity */
	{ "\"maximumAttendeeCapacity\":16", "capacity.max", "\"16\"", NULL },
	{ "\"maximumAttendeeCapacity\":16.0", "capacity.max", "\"16\"", NULL },
	{ "\"remainingAttendeeCapacity\":\"3\"", "capacity.remaining", "\"3\"",
	    NULL },
	{ "\"remainingAttendeeCapacity\":-2", "capacity.remaining", "\"-2\"",
	    NULL },
	{ "\"maximumAttendeeCapacity\":{\"value\":3}", "capacity", NULL,
	    "an object where a number belongs" },
	/* status and attendance */
	{ "\"eventStatus\":\"https://schema.org/EventCancelled\"", "state",
	    "\"deleted\"", NULL },
	{ "\"eventStatus\":\"https://schema.org/EventCancelled\"", "title",
	    NULL, NULL },
	{ "\"eventStatus\":\"https://schema.org/EventPostponed\"", "state",
	    "\"updated\"", "is postponed" },
	{ "\"eventStatus\":\"https://schema.org/EventMovedOnline\"",
	    "location.online", "\"true\"", NULL },
	{ "\"eventStatus\":\"EventScheduled\"", "state", "\"updated\"", NULL },
	{ "\"eventStatus\":12", "state", "\"updated\"", NULL },
	{ "\"eventAttendanceMode\":\"https://schema.org/"
	    "MixedEventAttendanceMode\"", "location.online", "\"true\"", NULL },
	{ "\"eventAttendanceMode\":\"https://schema.org/"
	    "OfflineEventAttendanceMode\"", "location.online", "\"false\"",
	    NULL },
};

Test(openactive, every_mapping)
{
	const struct map_case	*c;
	struct testsink		 ts;
	char			*json;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof map_cases / sizeof map_cases[0]; i++) {
		c = &map_cases[i];
		json = item_page("Event", c->members);
		testsink_init(&ts, 0);
		rc = parse_str(&ts, json);
		cr_expect_eq(rc, DAYHUB_OK, "%s: rc %d (%s)", c->members, rc,
		    ts.error != NULL ? ts.error : "");
		cr_expect_eq(json_array_size(ts.records), 1, "%s: %zu records",
		    c->members, json_array_size(ts.records));
		expect_protocol(&ts, c->members);
		expect_value(&ts, 0, c->field, c->expect, c->members);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\"", c->members, c->warning);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings", c->members);
		testsink_free(&ts);
		free(json);
	}
}

/* --- PartialSchedule to recurrence --- */

struct sched_case {
	const char	*name;
	const char	*members;	/* of the data: eventSchedule and more */
	const char	*rrule;		/* NULL: no schedule */
	const char	*start;
	const char	*end;
	const char	*duration;
	const char	*exdates;	/* JSON list, or NULL */
	const char	*warning;
};

#define SCHED(x)	"\"eventSchedule\":[{\"@type\":\"PartialSchedule\"," x \
	",\"scheduleTimezone\":\"Europe/London\"}]"

static const struct sched_case sched_cases[] = {
	{ "weekly", SCHED("\"repeatFrequency\":\"P1W\",\"byDay\":[\"https://"
	    "schema.org/Tuesday\"],\"startDate\":\"2026-01-01\",\"startTime\":"
	    "\"10:00\",\"endTime\":\"11:30\""), "FREQ=WEEKLY;BYDAY=TU",
	    "2026-01-06T10:00:00", "2026-01-06T11:30:00", "PT1H30M", NULL,
	    NULL },
	{ "fortnightly until an end date", SCHED("\"repeatFrequency\":\"P2W\","
	    "\"byDay\":[\"https://schema.org/Thursday\"],\"startDate\":"
	    "\"2026-01-01\",\"endDate\":\"2026-03-26\",\"startTime\":\"18:00\","
	    "\"endTime\":\"19:00\""),
	    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20260326T235959",
	    "2026-01-01T18:00:00", "2026-01-01T19:00:00", "PT1H", NULL, NULL },
	{ "several days by name", SCHED("\"repeatFrequency\":\"P1W\","
	    "\"byDay\":[\"https://schema.org/Monday\",\"http://schema.org/"
	    "Wednesday\",\"schema:Friday\"],\"startDate\":\"2026-01-01\","
	    "\"startTime\":\"09:15\",\"endTime\":\"10:00\""),
	    "FREQ=WEEKLY;BYDAY=MO,WE,FR", "2026-01-02T09:15:00",
	    "2026-01-02T10:00:00", "PT45M", NULL, NULL },
	{ "days as iCalendar codes", SCHED("\"repeatFrequency\":\"P1W\","
	    "\"byDay\":[\"SA\",\"SU\",\"SA\"],\"startDate\":\"2026-01-01\","
	    "\"startTime\":\"14:00\",\"endTime\":\"15:00\""),
	    "FREQ=WEEKLY;BYDAY=SA,SU", "2026-01-03T14:00:00",
	    "2026-01-03T15:00:00", "PT1H", NULL, NULL },
	{ "monthly on days of the month", SCHED("\"repeatFrequency\":\"P1M\","
	    "\"byMonthDay\":[1,15],\"startDate\":\"2026-01-02\",\"startTime\":"
	    "\"14:00\",\"endTime\":\"16:30\""), "FREQ=MONTHLY;BYMONTHDAY=1,15",
	    "2026-01-15T14:00:00", "2026-01-15T16:30:00", "PT2H30M", NULL,
	    NULL },
	{ "monthly on the last day", SCHED("\"repeatFrequency\":\"P1M\","
	    "\"byMonthDay\":-1,\"startDate\":\"2026-02-10\",\"startTime\":"
	    "\"14:00\""), "FREQ=MONTHLY;BYMONTHDAY=-1", "2026-02-28T14:00:00",
	    NULL, NULL, NULL, NULL },
	{ "monthly on the second Tuesday", SCHED("\"repeatFrequency\":\"P1M\","
	    "\"byDay\":[\"2TU\"],\"startDate\":\"2026-01-01\",\"startTime\":"
	    "\"19:00\",\"endTime\":\"21:00\""), "FREQ=MONTHLY;BYDAY=2TU",
	    "2026-01-13T19:00:00", "2026-01-13T21:00:00", "PT2H", NULL, NULL },
	{ "monthly on the last Friday", SCHED("\"repeatFrequency\":\"P1M\","
	    "\"byDay\":\"-1FR\",\"startDate\":\"2026-01-01\",\"startTime\":"
	    "\"19:00\""), "FREQ=MONTHLY;BYDAY=-1FR", "2026-01-30T19:00:00",
	    NULL, NULL, NULL, NULL },
	{ "monthly on the start's own day", SCHED("\"repeatFrequency\":"
	    "\"P1M\",\"startDate\":\"2026-01-31\",\"startTime\":\"10:00\""),
	    "FREQ=MONTHLY", "2026-01-31T10:00:00", NULL, NULL, NULL, NULL },
	{ "every three months", SCHED("\"repeatFrequency\":\"P3M\","
	    "\"byMonthDay\":[1],\"startDate\":\"2026-01-01\",\"startTime\":"
	    "\"10:00\""), "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
	    "2026-01-01T10:00:00", NULL, NULL, NULL, NULL },
	{ "daily with an end date", SCHED("\"repeatFrequency\":\"P1D\","
	    "\"startDate\":\"2026-08-03\",\"endDate\":\"2026-08-07\","
	    "\"startTime\":\"09:00\",\"endTime\":\"15:00\""),
	    "FREQ=DAILY;UNTIL=20260807T235959", "2026-08-03T09:00:00",
	    "2026-08-03T15:00:00", "PT6H", NULL, NULL },
	{ "yearly", SCHED("\"repeatFrequency\":\"P1Y\",\"startDate\":"
	    "\"2026-06-21\",\"startTime\":\"12:00\""), "FREQ=YEARLY",
	    "2026-06-21T12:00:00", NULL, NULL, NULL, NULL },
	{ "except dates", SCHED("\"repeatFrequency\":\"P1W\",\"byDay\":"
	    "[\"https://schema.org/Tuesday\"],\"startDate\":\"2026-01-06\","
	    "\"startTime\":\"10:00\",\"endTime\":\"11:00\",\"exceptDate\":"
	    "[\"2026-01-13\",\"2026-01-20T10:00:00Z\",\"soon\",7]"),
	    "FREQ=WEEKLY;BYDAY=TU", "2026-01-06T10:00:00",
	    "2026-01-06T11:00:00", "PT1H",
	    "[\"2026-01-13T10:00:00\",\"2026-01-20T10:00:00+00:00\"]",
	    "left out the exceptDate \"soon\": not a date" },
	{ "one except date, not a list", SCHED("\"repeatFrequency\":\"P1W\","
	    "\"byDay\":\"TU\",\"startDate\":\"2026-01-06\",\"startTime\":"
	    "\"10:00\",\"exceptDate\":\"2026-01-13\""), "FREQ=WEEKLY;BYDAY=TU",
	    "2026-01-06T10:00:00", NULL, NULL, "[\"2026-01-13T10:00:00\"]",
	    NULL },
	{ "dates without times", SCHED("\"repeatFrequency\":\"P1W\","
	    "\"byDay\":[\"TU\"],\"startDate\":\"2026-01-01\",\"endDate\":"
	    "\"2026-06-30\",\"exceptDate\":[\"2026-01-13\"]"),
	    "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630", "2026-01-06", NULL, NULL,
	    "[\"2026-01-13\"]", NULL },
	{ "past midnight", SCHED("\"repeatFrequency\":\"P1W\",\"byDay\":"
	    "[\"FR\"],\"startDate\":\"2026-01-02\",\"startTime\":\"22:00\","
	    "\"endTime\":\"01:00\""), "FREQ=WEEKLY;BYDAY=FR",
	    "2026-01-02T22:00:00", "2026-01-03T01:00:00", "PT3H", NULL, NULL },
	{ "a duration instead of an end time", SCHED("\"repeatFrequency\":"
	    "\"P1W\",\"byDay\":[\"MO\"],\"startDate\":\"2026-01-05\","
	    "\"startTime\":\"09:00\",\"duration\":\"PT45M\""),
	    "FREQ=WEEKLY;BYDAY=MO", "2026-01-05T09:00:00",
	    "2026-01-05T09:45:00", "PT45M", NULL, NULL },
	{ "the event's duration", "\"duration\":\"PT1H0M0S\"," SCHED(
	    "\"repeatFrequency\":\"P1W\",\"byDay\":[\"MO\"],\"startDate\":"
	    "\"2026-01-05\",\"startTime\":\"09:00\""), "FREQ=WEEKLY;BYDAY=MO",
	    "2026-01-05T09:00:00", "2026-01-05T10:00:00", "PT1H", NULL, NULL },
	{ "no repeatFrequency but days", SCHED("\"byDay\":[\"WE\"],"
	    "\"startDate\":\"2026-01-01\",\"startTime\":\"10:00\""),
	    "FREQ=WEEKLY;BYDAY=WE", "2026-01-07T10:00:00", NULL, NULL, NULL,
	    NULL },
	{ "a count", SCHED("\"repeatFrequency\":\"P1W\",\"byDay\":[\"WE\"],"
	    "\"startDate\":\"2026-01-01\",\"startTime\":\"10:00\","
	    "\"repeatCount\":10"), "FREQ=WEEKLY;BYDAY=WE;COUNT=10",
	    "2026-01-07T10:00:00", NULL, NULL, NULL, NULL },
	{ "one schedule, not a list", "\"eventSchedule\":{\"@type\":"
	    "\"Schedule\",\"repeatFrequency\":\"P1W\",\"byDay\":\"https://"
	    "schema.org/Sunday\",\"startDate\":\"2026-01-01\",\"startTime\":"
	    "\"11:00\"}", "FREQ=WEEKLY;BYDAY=SU", "2026-01-04T11:00:00", NULL,
	    NULL, NULL, NULL },
	{ "the event's start date", "\"startDate\":\"2026-02-02T09:00:00\","
	    "\"endDate\":\"2026-02-20\"," SCHED("\"repeatFrequency\":\"P1W\","
	    "\"byDay\":[\"TU\"],\"startTime\":\"09:00\",\"endTime\":"
	    "\"10:00\""), "FREQ=WEEKLY;BYDAY=TU", "2026-02-03T09:00:00",
	    "2026-02-03T10:00:00", "PT1H", NULL, NULL },
	{ "an offset on the time is the zone's", SCHED("\"repeatFrequency\":"
	    "\"P1W\",\"byDay\":[\"TU\"],\"startDate\":\"2026-07-07\","
	    "\"startTime\":\"10:00:00+01:00\""), "FREQ=WEEKLY;BYDAY=TU",
	    "2026-07-07T10:00:00", NULL, NULL, NULL, NULL },
	/* schedules that cannot be used, or parts left out */
	{ "a frequency in hours", SCHED("\"repeatFrequency\":\"PT1H\","
	    "\"startDate\":\"2026-01-01\",\"startTime\":\"10:00\""), NULL,
	    NULL, NULL, NULL, NULL, "the repeatFrequency \"PT1H\" is not one" },
	{ "a frequency as a number", SCHED("\"repeatFrequency\":7,"
	    "\"startDate\":\"2026-01-01\""), NULL, NULL, NULL, NULL, NULL,
	    "the repeatFrequency \"7\" is not one" },
	{ "no frequency and no days", SCHED("\"startDate\":\"2026-01-01\""),
	    NULL, NULL, NULL, NULL, NULL, "a schedule with no repeatFrequency" },
	{ "no start date", SCHED("\"repeatFrequency\":\"P1W\",\"byDay\":"
	    "[\"MO\"],\"startTime\":\"10:00\""), NULL, NULL, NULL, NULL, NULL,
	    "with no startDate: its first session is not known" },
	{ "a start date that is no date", SCHED("\"repeatFrequency\":\"P1W\","
	    "\"byDay\":[\"MO\"],\"startDate\":\"January\""), NULL, NULL, NULL,
	    NULL, NULL, "its startDate \"January\" is not a date" },
	{ "no session before the end", SCHED("\"repeatFrequency\":\"P1W\","
	    "\"byDay\":[\"MO\"],\"startDate\":\"2026-01-07\",\"endDate\":"
	    "\"2026-01-09\""), NULL, NULL, NULL, NULL, NULL,
	    "no session between its start and end dates" },
	{ "public holidays", SCHED("\"repeatFrequency\":\"P1W\",\"byDay\":"
	    "[\"https://schema.org/PublicHolidays\",\"https://schema.org/"
	    "Monday\"],\"startDate\":\"2026-01-01\",\"startTime\":\"10:00\""),
	    "FREQ=WEEKLY;BYDAY=MO", "2026-01-05T10:00:00", NULL, NULL, NULL,
	    "left out the byDay value \"https://schema.org/PublicHolidays\"" },
	{ "a numbered day in a weekly schedule", SCHED("\"repeatFrequency\":"
	    "\"P1W\",\"byDay\":[\"2TU\"],\"startDate\":\"2026-01-01\","
	    "\"startTime\":\"10:00\""), "FREQ=WEEKLY;BYDAY=TU",
	    "2026-01-06T10:00:00", NULL, NULL, NULL,
	    "a numbered day belongs in a monthly schedule" },
	{ "a day of the month out of range", SCHED("\"repeatFrequency\":"
	    "\"P1M\",\"byMonthDay\":[40,2],\"startDate\":\"2026-01-01\","
	    "\"startTime\":\"10:00\""), "FREQ=MONTHLY;BYMONTHDAY=2",
	    "2026-01-02T10:00:00", NULL, NULL, NULL,
	    "left out the byMonthDay value 40" },
	{ "a time that is no time", SCHED("\"repeatFrequency\":\"P1W\","
	    "\"byDay\":[\"TU\"],\"startDate\":\"2026-01-01\",\"startTime\":"
	    "\"10am\""), "FREQ=WEEKLY;BYDAY=TU", "2026-01-06", NULL, NULL,
	    NULL, "left out the startTime \"10am\": not a time of day" },
	{ "a schedule as text", "\"eventSchedule\":\"every Tuesday\"", NULL,
	    NULL, NULL, NULL, NULL,
	    "left out \"eventSchedule\": text where a Schedule belongs" },
	{ "byDay as an object", SCHED("\"repeatFrequency\":\"P1W\","
	    "\"byDay\":{\"day\":\"TU\"},\"startDate\":\"2026-01-01\""),
	    "FREQ=WEEKLY", "2026-01-01", NULL, NULL, NULL,
	    "left out \"byDay\": an object where text belongs" },
};

Test(openactive, partial_schedules_become_rules)
{
	const struct sched_case	*c;
	struct testsink		 ts;
	char			*json, want[128];
	size_t			 i;

	for (i = 0; i < sizeof sched_cases / sizeof sched_cases[0]; i++) {
		c = &sched_cases[i];
		json = item_page("SessionSeries", c->members);
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, json), DAYHUB_OK, "%s: %s",
		    c->name, ts.error != NULL ? ts.error : "");
		cr_expect_eq(json_array_size(ts.records), 1, "%s: %zu records",
		    c->name, json_array_size(ts.records));
		expect_protocol(&ts, c->name);
#define QUOTED(v) (v != NULL ? (snprintf(want, sizeof want, "\"%s\"", v), \
	want) : NULL)
		expect_value(&ts, 0, "schedule.rrule", QUOTED(c->rrule),
		    c->name);
		expect_value(&ts, 0, "schedule.duration", QUOTED(c->duration),
		    c->name);
		if (c->rrule != NULL || c->start != NULL)
			expect_value(&ts, 0, "start", QUOTED(c->start),
			    c->name);
		if (c->rrule != NULL) {
			expect_value(&ts, 0, "end", QUOTED(c->end), c->name);
			expect_value(&ts, 0, "timezone", strstr(c->members,
			    "scheduleTimezone") != NULL ?
			    "\"Europe/London\"" : NULL, c->name);
		}
#undef QUOTED
		expect_value(&ts, 0, "schedule.exdates", c->exdates, c->name);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\"", c->name, c->warning);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings", c->name);
		testsink_free(&ts);
		free(json);
	}
}

Test(openactive, each_further_schedule_is_a_record)
{
	struct testsink	 ts;
	char		*json;

	json = item_page("SessionSeries", "\"eventSchedule\":[{"
	    "\"repeatFrequency\":\"P1W\",\"byDay\":[\"TU\"],\"startDate\":"
	    "\"2026-01-01\",\"startTime\":\"10:00\",\"endTime\":\"11:00\"},"
	    "{\"repeatFrequency\":\"P1W\",\"byDay\":[\"TH\"],\"startDate\":"
	    "\"2026-01-01\",\"startTime\":\"14:00\",\"endTime\":\"15:30\"},"
	    "{\"repeatFrequency\":\"fortnightly\"}]");
	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, json), DAYHUB_OK);
	cr_assert_eq(json_array_size(ts.records), 2);
	expect_value(&ts, 0, "source_id", "\"t1\"", "first");
	expect_value(&ts, 0, "schedule.rrule", "\"FREQ=WEEKLY;BYDAY=TU\"",
	    "first");
	expect_value(&ts, 1, "source_id", "\"t1#schedule2\"", "second");
	expect_value(&ts, 1, "schedule.rrule", "\"FREQ=WEEKLY;BYDAY=TH\"",
	    "second");
	expect_value(&ts, 1, "start", "\"2026-01-01T14:00:00\"", "second");
	expect_value(&ts, 1, "title", "\"Test session\"", "second");
	cr_expect(testsink_warned(&ts, "\"fortnightly\" is not one"));
	expect_protocol(&ts, "schedules");
	testsink_free(&ts);
	free(json);
}

/* --- sessions and their series --- */

Test(openactive, sessions_take_what_they_lack_from_their_series)
{
	struct testsink	 ts;
	char		*json;

	json = item_page("SessionSeries", "\"description\":\"Series text\","
	    "\"location\":{\"name\":\"Main hall\",\"address\":{\"postalCode\":"
	    "\"DT10 1BD\"}},\"offers\":[{\"price\":4}],\"organizer\":{\"name\":"
	    "\"Org\"},\"subEvent\":[{\"@type\":\"ScheduledSession\",\"@id\":"
	    "\"https://feeds.example.org/s/1\",\"startDate\":\"2026-01-06T10:00:"
	    "00Z\",\"location\":{\"name\":\"Small hall\"},"
	    "\"maximumAttendeeCapacity\":8},{\"@type\":\"ScheduledSession\","
	    "\"name\":\"Special session\",\"startDate\":\"2026-01-13T10:00:00Z\","
	    "\"offers\":[{\"price\":0}]},{\"@type\":\"Slot\",\"@id\":\"x\"},"
	    "\"https://feeds.example.org/nowhere\"]");
	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, json), DAYHUB_OK);
	cr_assert_eq(json_array_size(ts.records), 3, "%zu records",
	    json_array_size(ts.records));
	/* The series itself. */
	expect_value(&ts, 0, "source_id", "\"t1\"", "series");
	/* A session with its own place keeps all of it. */
	expect_value(&ts, 1, "source_id", "\"https://feeds.example.org/s/1\"",
	    "session 1");
	expect_value(&ts, 1, "title", "\"Test session\"", "session 1");
	expect_value(&ts, 1, "summary", "\"Series text\"", "session 1");
	expect_value(&ts, 1, "location", "{\"name\":\"Small hall\"}",
	    "session 1");
	expect_value(&ts, 1, "cost.min", "\"4\"", "session 1");
	expect_value(&ts, 1, "organiser.name", "\"Org\"", "session 1");
	expect_value(&ts, 1, "capacity.max", "\"8\"", "session 1");
	expect_value(&ts, 1, "start", "\"2026-01-06T10:00:00+00:00\"",
	    "session 1");
	/* One with no id is named by its start within the series. */
	expect_value(&ts, 2, "source_id", "\"t1#2026-01-13T10:00:00Z\"",
	    "session 2");
	expect_value(&ts, 2, "title", "\"Special session\"", "session 2");
	expect_value(&ts, 2, "cost", "{\"min\":\"0\",\"max\":\"0\",\"free\":"
	    "\"true\"}", "session 2");
	expect_value(&ts, 2, "location.postcode", "\"DT10 1BD\"", "session 2");
	expect_value(&ts, 2, "capacity", NULL, "session 2");
	expect_protocol(&ts, "sessions");
	testsink_free(&ts);
	free(json);
}

/* One RPDE item; `data` is its data object. */
#define ITEM(id, data) "{\"state\":\"updated\",\"kind\":\"ScheduledSession\"," \
	"\"id\":\"" id "\",\"modified\":1,\"data\":" data "}"

Test(openactive, every_subevent_is_read)
{
	struct feedutil_buf	 b;
	struct testsink		 ts;
	char			 sub[160];
	size_t			 i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "{\"items\":[{\"state\":\"updated\",\"id\":"
	    "\"s\",\"data\":{\"@type\":\"SessionSeries\",\"name\":\"Swim\","
	    "\"description\":\"<p>Lengths</p>\",\"subEvent\":[");
	for (i = 0; i < 500; i++) {
		snprintf(sub, sizeof sub, "%s{\"@type\":\"ScheduledSession\","
		    "\"@id\":\"urn:s:%zu\",\"startDate\":\"2026-01-06T10:00:00Z\"}",
		    i > 0 ? "," : "", i);
		feedutil_buf_adds(&b, sub);
	}
	feedutil_buf_adds(&b, "]}}],\"next\":\"x\"}");
	cr_assert(!b.failed);
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, b.data, b.len, NULL, 0, 0), DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 501);
	expect_value(&ts, 500, "source_id", "\"urn:s:499\"", "the last");
	expect_value(&ts, 500, "summary", "\"Lengths\"", "the last");
	testsink_free(&ts);
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, b.data, b.len, NULL, 100, 0), DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 100);
	expect_protocol(&ts, "500 sessions");
	testsink_free(&ts);
	feedutil_buf_free(&b);
}

Test(openactive, superevents_resolve_on_the_page)
{
	struct testsink	 ts;
	const char	*json = "{\"items\":["
	    ITEM("s1", "{\"@type\":\"ScheduledSession\",\"superEvent\":"
	    "\"https://x.example.org/series/9\",\"startDate\":"
	    "\"2026-01-06T10:00:00Z\"}") ","
	    ITEM("s2", "{\"@type\":\"ScheduledSession\",\"superEvent\":{"
	    "\"@id\":\"https://x.example.org/series/9\"},\"startDate\":"
	    "\"2026-01-07T10:00:00Z\"}") ","
	    ITEM("s3", "{\"@type\":\"ScheduledSession\",\"superEvent\":{"
	    "\"@type\":\"SessionSeries\",\"name\":\"Embedded\",\"superEvent\":"
	    "{\"@type\":\"EventSeries\",\"name\":\"Grand\",\"organizer\":{"
	    "\"name\":\"Top org\"}}},\"startDate\":\"2026-01-08T10:00:00Z\"}") ","
	    ITEM("s4", "{\"@type\":\"ScheduledSession\",\"superEvent\":"
	    "\"https://x.example.org/series/404\",\"startDate\":"
	    "\"2026-01-09T10:00:00Z\"}") ","
	    "{\"state\":\"updated\",\"kind\":\"SessionSeries\",\"id\":\"9\","
	    "\"modified\":1,\"data\":{\"@type\":\"SessionSeries\",\"@id\":"
	    "\"https://x.example.org/series/9\",\"name\":\"Later on the page\"}}"
	    "],\"next\":\"" PAGE_NEXT "\"}";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, json), DAYHUB_OK, "%s",
	    ts.error != NULL ? ts.error : "");
	cr_assert_eq(json_array_size(ts.records), 5);
	expect_value(&ts, 0, "title", "\"Later on the page\"", "by URL");
	expect_value(&ts, 1, "title", "\"Later on the page\"", "by @id");
	expect_value(&ts, 2, "title", "\"Embedded\"", "embedded");
	expect_value(&ts, 2, "organiser.name", "\"Top org\"", "grandparent");
	expect_value(&ts, 3, "title", NULL, "not on the page");
	cr_expect(testsink_warned(&ts, "1 event names a superEvent that is "
	    "not in this document"));
	expect_protocol(&ts, "superEvent");
	testsink_free(&ts);
}

Test(openactive, a_cycle_of_superevents_ends)
{
	struct testsink	 ts;
	double		 t0 = now_seconds();
	const char	*json = "{\"items\":["
	    ITEM("a", "{\"@type\":\"ScheduledSession\",\"@id\":\"urn:a\","
	    "\"superEvent\":\"urn:b\",\"startDate\":\"2026-01-06T10:00:00Z\"}")
	    ","
	    ITEM("b", "{\"@type\":\"SessionSeries\",\"@id\":\"urn:b\","
	    "\"name\":\"B\",\"superEvent\":{\"@id\":\"urn:a\"},\"subEvent\":"
	    "[\"urn:b\",{\"@id\":\"urn:b\"}]}") ","
	    ITEM("c", "{\"@type\":\"SessionSeries\",\"@id\":\"urn:c\","
	    "\"name\":\"C\",\"superEvent\":\"urn:c\",\"subEvent\":[{\"@type\":"
	    "\"ScheduledSession\",\"@id\":\"urn:c1\",\"subEvent\":{\"@id\":"
	    "\"urn:c\"}}]}")
	    "],\"next\":\"" PAGE_NEXT "\"}";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, json), DAYHUB_OK);
	cr_expect_lt(now_seconds() - t0, 2.0);
	cr_expect_eq(json_array_size(ts.records), 4, "%zu records",
	    json_array_size(ts.records));
	expect_value(&ts, 0, "title", "\"B\"", "a takes b's name");
	expect_value(&ts, 1, "title", "\"B\"", "b");
	expect_value(&ts, 2, "source_id", "\"c\"", "c");
	expect_value(&ts, 3, "source_id", "\"urn:c1\"", "c1");
	expect_value(&ts, 3, "title", "\"C\"", "c1");
	expect_protocol(&ts, "cycle");
	testsink_free(&ts);
}

Test(openactive, a_cancelled_series_deletes_its_sessions)
{
	struct testsink	 ts;
	char		*json;

	json = item_page("SessionSeries", "\"eventStatus\":\"https://schema."
	    "org/EventCancelled\",\"subEvent\":[{\"@type\":\"ScheduledSession\","
	    "\"@id\":\"urn:s1\",\"startDate\":\"2026-01-06T10:00:00Z\"},"
	    "{\"@type\":\"ScheduledSession\",\"identifier\":77}]");
	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, json), DAYHUB_OK);
	cr_assert_eq(json_array_size(ts.records), 3);
	expect_value(&ts, 0, "source_id", "\"t1\"", "0");
	expect_value(&ts, 0, "state", "\"deleted\"", "0");
	expect_value(&ts, 1, "source_id", "\"urn:s1\"", "1");
	expect_value(&ts, 1, "state", "\"deleted\"", "1");
	expect_value(&ts, 2, "source_id", "\"t1#77\"", "2");
	expect_value(&ts, 2, "state", "\"deleted\"", "2");
	expect_value(&ts, 2, "start", NULL, "2");
	expect_protocol(&ts, "cancelled");
	testsink_free(&ts);
	free(json);
}

/* --- items of the page --- */

struct item_case {
	const char	*name;
	const char	*items;		/* the JSON list of items */
	size_t		 nrecords;
	const char	*field;		/* of the first record, or NULL */
	const char	*expect;
	const char	*warning;
};

static const struct item_case item_cases[] = {
	{ "a deletion", "[{\"state\":\"deleted\",\"kind\":\"SessionSeries\","
	    "\"id\":\"d1\",\"modified\":5}]", 1, "state", "\"deleted\"", NULL },
	{ "a deletion has nothing else", "[{\"state\":\"deleted\",\"kind\":"
	    "\"SessionSeries\",\"id\":\"d1\",\"data\":{\"name\":\"x\"}}]", 1,
	    "title", NULL, NULL },
	{ "a numeric id", "[{\"state\":\"deleted\",\"id\":481516}]", 1,
	    "source_id", "\"481516\"", NULL },
	{ "an id under @id", "[{\"state\":\"deleted\",\"@id\":\"e-77\"}]", 1,
	    "source_id", "\"e-77\"", NULL },
	{ "a deletion with no id", "[{\"state\":\"deleted\",\"kind\":"
	    "\"SessionSeries\"}]", 0, NULL, NULL,
	    "left out item 1: a deletion with no id" },
	{ "a deletion of a kind not listed", "[{\"state\":\"deleted\","
	    "\"kind\":\"FacilityUse\",\"id\":\"f\"}]", 0, NULL, NULL,
	    "left out 1 entry of kinds dayhub does not list: FacilityUse (1)" },
	{ "no state", "[{\"id\":\"x\",\"data\":{\"@type\":\"Event\","
	    "\"name\":\"x\"}}]", 0, NULL, NULL,
	    "left out item 1: it has no \"state\"" },
	{ "a state that is a number", "[{\"state\":1,\"id\":\"x\"}]", 0, NULL,
	    NULL, "it has no \"state\"" },
	{ "an unknown state", "[{\"state\":\"archived\",\"id\":\"x\"}]", 0,
	    NULL, NULL, "its state \"archived\" is neither updated nor "
	    "deleted" },
	{ "updated with no data", "[{\"state\":\"updated\",\"id\":\"x\"}]", 0,
	    NULL, NULL, "left out item 1: it is updated but has no data" },
	{ "updated with data that is a list", "[{\"state\":\"updated\","
	    "\"id\":\"x\",\"data\":[]}]", 0, NULL, NULL,
	    "it is updated but has no data" },
	{ "an item that is no object", "[42,{\"state\":\"deleted\",\"id\":"
	    "\"y\"}]", 1, "source_id", "\"y\"", "left out item 1: not an "
	    "object" },
	{ "data with no @type: the kind says", "[{\"state\":\"updated\","
	    "\"kind\":\"SessionSeries.ScheduledSession\",\"id\":\"x\",\"data\":"
	    "{\"name\":\"Kind only\"}}]", 1, "title", "\"Kind only\"", NULL },
	{ "the @type wins over the kind", "[{\"state\":\"updated\",\"kind\":"
	    "\"SessionSeries\",\"id\":\"x\",\"data\":{\"@type\":\"Slot\"}}]",
	    0, NULL, NULL, "Slot (1)" },
	{ "neither type nor kind", "[{\"state\":\"updated\",\"id\":\"x\","
	    "\"data\":{\"name\":\"x\"}}]", 0, NULL, NULL, "(no type) (1)" },
	{ "kinds dayhub does not list", "[{\"state\":\"updated\",\"id\":\"1\","
	    "\"data\":{\"@type\":\"FacilityUse\"}},{\"state\":\"updated\","
	    "\"id\":\"2\",\"data\":{\"@type\":\"OnDemandEvent\"}},{\"state\":"
	    "\"updated\",\"id\":\"3\",\"data\":{\"@type\":\"OnDemandEvent\"}},"
	    "{\"state\":\"updated\",\"id\":\"4\",\"data\":{\"@type\":"
	    "\"Place\"}}]", 0, NULL, NULL, "left out 4 entries of kinds dayhub "
	    "does not list: FacilityUse (1), OnDemandEvent (2), Place (1)" },
	{ "a type as a list", "[{\"state\":\"updated\",\"id\":\"x\",\"data\":"
	    "{\"@type\":[\"Thing\",\"SportsEvent\"],\"name\":\"Match\"}}]", 1,
	    "title", "\"Match\"", NULL },
	{ "an id as an object: the data's @id", "[{\"state\":\"updated\","
	    "\"id\":{},\"data\":{\"@type\":\"Event\",\"@id\":\"https://x."
	    "example.org/e/1\",\"name\":\"x\"}}]", 1, "source_id",
	    "\"https://x.example.org/e/1\"", NULL },
	{ "the same id twice", "[{\"state\":\"deleted\",\"id\":\"d\"},"
	    "{\"state\":\"deleted\",\"id\":\"d\"}]", 1, "source_id", "\"d\"",
	    "the event \"d\" appears more than once" },
	{ "an event of a subtype", "[{\"state\":\"updated\",\"kind\":\"Event\","
	    "\"id\":\"x\",\"data\":{\"@type\":\"https://schema.org/"
	    "SocialEvent\",\"name\":\"Social\"}}]", 1, "title", "\"Social\"",
	    NULL },
};

Test(openactive, items_of_a_page)
{
	const struct item_case	*c;
	struct testsink		 ts;
	char			*json;
	size_t			 i;

	for (i = 0; i < sizeof item_cases / sizeof item_cases[0]; i++) {
		c = &item_cases[i];
		if (asprintf(&json, "{\"items\":%s,\"next\":\"" PAGE_NEXT
		    "\"}", c->items) == -1)
			cr_assert_fail("out of memory");
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, json), DAYHUB_OK, "%s: %s",
		    c->name, ts.error != NULL ? ts.error : "");
		cr_expect_eq(json_array_size(ts.records), c->nrecords,
		    "%s: %zu records", c->name, json_array_size(ts.records));
		if (c->field != NULL)
			expect_value(&ts, 0, c->field, c->expect, c->name);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\"", c->name, c->warning);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings", c->name);
		expect_protocol(&ts, c->name);
		testsink_free(&ts);
		free(json);
	}
}

/* --- the next page and the last --- */

struct page_case {
	const char	*name;
	const char	*base;		/* where the page came from */
	const char	*page;
	const char	*next;		/* the "next" fact; NULL: none */
	int		 last;		/* the "rpde" fact is "last" */
	const char	*license;
	const char	*warning;
};

#define ONE_ITEM "[{\"state\":\"deleted\",\"id\":\"d\"}]"

static const struct page_case page_cases[] = {
	{ "a page with more after it", PAGE_BASE, "{\"items\":" ONE_ITEM
	    ",\"next\":\"" PAGE_NEXT "\",\"license\":\"https://creativecommons."
	    "org/licenses/by/4.0/\"}", PAGE_NEXT, 0,
	    "https://creativecommons.org/licenses/by/4.0/", NULL },
	{ "a relative next link", PAGE_BASE, "{\"items\":" ONE_ITEM ","
	    "\"next\":\"/rpde/sessions?afterId=9\"}",
	    "https://feeds.example.org/rpde/sessions?afterId=9", 0, NULL,
	    NULL },
	{ "no items: the last page", PAGE_NEXT, "{\"items\":[],\"next\":\""
	    PAGE_NEXT "\"}", PAGE_NEXT, 1, NULL, NULL },
	{ "no items, whatever next says", PAGE_BASE, "{\"items\":[],\"next\":"
	    "\"" PAGE_NEXT "\"}", PAGE_NEXT, 1, NULL, NULL },
	{ "next is this page", PAGE_NEXT, "{\"items\":" ONE_ITEM ",\"next\":"
	    "\"" PAGE_NEXT "\"}", PAGE_NEXT, 1, NULL, NULL },
	{ "no next link", PAGE_BASE, "{\"items\":" ONE_ITEM "}", NULL, 1,
	    NULL, "the page has no \"next\" link" },
	{ "a next link that is a number", PAGE_BASE, "{\"items\":" ONE_ITEM
	    ",\"next\":3}", NULL, 1, NULL, "\"next\" is not text" },
	{ "a next link to nowhere", PAGE_BASE, "{\"items\":" ONE_ITEM
	    ",\"next\":\"javascript:void(0)\"}", NULL, 1, NULL,
	    "left out the next page \"javascript:void(0)\"" },
	{ "no base and a relative next", NULL, "{\"items\":" ONE_ITEM
	    ",\"next\":\"?afterId=2\"}", NULL, 1, NULL,
	    "left out the next page \"?afterId=2\"" },
	{ "a licence that is not text", PAGE_BASE, "{\"items\":" ONE_ITEM
	    ",\"next\":\"" PAGE_NEXT "\",\"license\":{}}", PAGE_NEXT, 0, NULL,
	    NULL },
};

Test(openactive, next_and_last_pages)
{
	const struct page_case	*c;
	struct testsink		 ts;
	const char		*got;
	size_t			 i;

	for (i = 0; i < sizeof page_cases / sizeof page_cases[0]; i++) {
		c = &page_cases[i];
		testsink_init(&ts, 0);
		cr_expect_eq(parse_with(&ts, c->page, strlen(c->page), c->base,
		    0, 0), DAYHUB_OK, "%s: %s", c->name,
		    ts.error != NULL ? ts.error : "");
		got = json_string_value(json_object_get(ts.feed, "next"));
		cr_expect(c->next == NULL ? got == NULL : got != NULL &&
		    strcmp(got, c->next) == 0, "%s: next %s, want %s", c->name,
		    got != NULL ? got : "(none)",
		    c->next != NULL ? c->next : "(none)");
		got = json_string_value(json_object_get(ts.feed, "rpde"));
		cr_expect(c->last ? got != NULL && strcmp(got, "last") == 0 :
		    got == NULL, "%s: rpde %s", c->name,
		    got != NULL ? got : "(none)");
		got = json_string_value(json_object_get(ts.feed, "license"));
		cr_expect(c->license == NULL ? got == NULL : got != NULL &&
		    strcmp(got, c->license) == 0, "%s: license %s", c->name,
		    got != NULL ? got : "(none)");
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\"", c->name, c->warning);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings", c->name);
		expect_protocol(&ts, c->name);
		testsink_free(&ts);
	}
}

/* --- sniffing --- */

struct sniff_case {
	const char	*data;
	const char	*content_type;
	int		 score;
};

static const struct sniff_case sniff_cases[] = {
	{ "{\"next\":\"https://x/\",\"items\":[{\"state\":\"updated\"}]}", NULL,
	    DAYHUB_SNIFF_CERTAIN },
	{ "\xef\xbb\xbf  {\"items\": [], \"next\": \"https://x/\"}", NULL,
	    DAYHUB_SNIFF_CERTAIN },
	/* the window may end inside the page */
	{ "{\"items\":[{\"state\":\"updated\",\"data\":{\"name\":\"x\"}}],"
	    "\"next\":\"https://x/?afterId=", NULL, DAYHUB_SNIFF_CERTAIN },
	{ "{\"items\":[{\"state\":\"updated\",\"data\":{\"@context\":"
	    "\"https://openactive.io/\",\"name\":\"cut", NULL,
	    DAYHUB_SNIFF_LIKELY },
	{ "{\"@context\":[\"https://openactive.io/\",\"https://openactive.io/"
	    "ns-beta\"],\"@type\":\"SessionSeries\"}", NULL,
	    DAYHUB_SNIFF_LIKELY },
	/* a long page whose next comes after the window */
	{ "{\"items\":[{\"state\":\"updated\",\"kind\":\"SessionSeries\","
	    "\"id\":\"1\",\"modified\":4,\"data\":{\"name\":\"cut", NULL,
	    DAYHUB_SNIFF_LIKELY },
	{ "{\"items\":[{\"data\":{\"state\":\"x\"}}]}", NULL,
	    DAYHUB_SNIFF_NO },
	/* items and next must be members of the page itself */
	{ "{\"data\":{\"items\":[],\"next\":\"x\"}}", NULL, DAYHUB_SNIFF_NO },
	{ "{\"items\":{},\"next\":\"x\"}", NULL, DAYHUB_SNIFF_NO },
	{ "{\"items\":[],\"next\":5}", NULL, DAYHUB_SNIFF_NO },
	{ "{\"title\":\"\\\"items\\\": [] \\\"next\\\": \\\"x\\\"\"}", NULL,
	    DAYHUB_SNIFF_NO },
	{ "{\"@context\":\"https://schema.org\",\"@type\":\"Event\"}", NULL,
	    DAYHUB_SNIFF_NO },
	{ "{\"name\":\"openactive\"}", NULL, DAYHUB_SNIFF_NO },
	{ "[1,2,3]", "application/json", DAYHUB_SNIFF_NO },
	{ "<rss version=\"2.0\"><channel/></rss>", NULL, DAYHUB_SNIFF_NO },
	{ "<html><script type=\"application/ld+json\">{\"items\":[],"
	    "\"next\":\"x\"}</script></html>", NULL, DAYHUB_SNIFF_NO },
	{ "BEGIN:VCALENDAR", NULL, DAYHUB_SNIFF_NO },
	{ "", NULL, DAYHUB_SNIFF_NO },
	{ "   ", NULL, DAYHUB_SNIFF_NO },
};

Test(openactive, sniff)
{
	const struct sniff_case	*c;
	size_t			 i;
	int			 got;

	for (i = 0; i < sizeof sniff_cases / sizeof sniff_cases[0]; i++) {
		c = &sniff_cases[i];
		got = module()->sniff((const unsigned char *)c->data,
		    strlen(c->data), c->content_type);
		cr_expect_eq(got, c->score, "%s: %d, want %d", c->data, got,
		    c->score);
	}
	cr_expect_eq(module()->sniff(NULL, 0, NULL), DAYHUB_SNIFF_NO);
}

/* --- malformed and hostile input --- */

#define NUL_IN_NAME "{\"items\":[{\"state\":\"updated\",\"id\":\"x\",\"data\":" \
	"{\"@type\":\"Event\",\"name\":\"A\0B\"}}],\"next\":\"" PAGE_NEXT "\"}"
#define UTF16_PAGE "\xff\xfe{\0\"\0i\0t\0e\0m\0s\0\"\0:\0[\0]\0}\0"

struct bad_case {
	const char	*name;
	const char	*data;
	size_t		 len;		/* 0: strlen(data) */
	int		 rc;
	const char	*error;		/* part of the error, or NULL */
	const char	*warning;	/* part of a warning, or NULL */
	size_t		 nrecords;
	const char	*title;		/* of the first record, or NULL */
};

static const struct bad_case bad_cases[] = {
	{ "empty", "", 0, DAYHUB_ERROR, "not JSON: the page is empty", NULL,
	    0, NULL },
	{ "white space", " \n\t ", 0, DAYHUB_ERROR, "not JSON", NULL, 0,
	    NULL },
	{ "plain text", "this is not a feed", 0, DAYHUB_ERROR,
	    "not JSON: '[' or '{' expected", NULL, 0, NULL },
	{ "a bare number", "42", 0, DAYHUB_ERROR, "not JSON", NULL, 0, NULL },
	{ "XML", "<rss><channel/></rss>", 0, DAYHUB_ERROR, "not JSON", NULL,
	    0, NULL },
	{ "truncated", "{\"items\":[{\"state\":\"updated\",\"id\":\"x\","
	    "\"data\":{\"@type\":\"Event\",\"name\":\"One\"}},{\"state\":\"upd",
	    0, DAYHUB_ERROR, "not JSON: ", NULL, 0, NULL },
	{ "truncated after the items", "{\"items\":[{\"state\":\"deleted\","
	    "\"id\":\"x\"}],\"next\":\"https://x", 0, DAYHUB_ERROR,
	    "(line 1)", NULL, 0, NULL },
	{ "trailing garbage", "{\"items\":[]} and more", 0, DAYHUB_ERROR,
	    "not JSON: end of file expected", NULL, 0, NULL },
	{ "a syntax error on line 3", "{\n\"items\": [\n{\"state\" \"updated\"}"
	    "\n]}", 0, DAYHUB_ERROR, "(line 3)", NULL, 0, NULL },
	{ "items that are an object", "{\"items\":{\"a\":1},\"next\":\"x\"}",
	    0, DAYHUB_ERROR, "not an RPDE page: its \"items\" is an object",
	    NULL, 0, NULL },
	{ "items that are text", "{\"items\":\"none\"}", 0, DAYHUB_ERROR,
	    "its \"items\" is text, not a list", NULL, 0, NULL },
	{ "a list of numbers", "[1,2]", 0, DAYHUB_ERROR,
	    "not an RPDE page: it has no \"items\" list", NULL, 0, NULL },
	{ "an object of nothing", "{\"hello\":\"world\"}", 0, DAYHUB_ERROR,
	    "not an RPDE page", NULL, 0, NULL },
	{ "one OpenActive node", "{\"@context\":\"https://openactive.io/\","
	    "\"@type\":\"Event\",\"@id\":\"https://x.example.org/e/1\","
	    "\"name\":\"Alone\"}", 0, DAYHUB_OK, NULL, "not an RPDE page (it "
	    "has no \"items\" list)", 1, "Alone" },
	{ "an @graph of nodes", "{\"@context\":\"https://openactive.io/\","
	    "\"@graph\":[{\"@type\":\"Event\",\"name\":\"One\"},{\"@type\":"
	    "\"Place\",\"name\":\"P\"},{\"@type\":\"Slot\"}]}", 0, DAYHUB_OK,
	    NULL, "Slot (1)", 1, "One" },
	{ "a NUL inside a string", NUL_IN_NAME, sizeof NUL_IN_NAME - 1,
	    DAYHUB_OK, NULL, "removed 1 control characters", 1, "AB" },
	{ "an escaped NUL", "{\"items\":[{\"state\":\"updated\",\"id\":\"x\","
	    "\"data\":{\"@type\":\"Event\",\"name\":\"A\\u0000B\"}}],\"next\":"
	    "\"" PAGE_NEXT "\"}", 0, DAYHUB_OK, NULL, NULL, 1, "AB" },
	{ "invalid UTF-8", "{\"items\":[{\"state\":\"updated\",\"id\":\"x\","
	    "\"data\":{\"@type\":\"Event\",\"name\":\"caf\xc3\xa9 \xff ok\"}}],"
	    "\"next\":\"" PAGE_NEXT "\"}", 0, DAYHUB_OK, NULL,
	    "replaced 1 invalid UTF-8", 1, "caf\xc3\xa9 \xef\xbf\xbd ok" },
	{ "Windows-1252", "{\"items\":[{\"state\":\"updated\",\"id\":\"x\","
	    "\"data\":{\"@type\":\"Event\",\"name\":\"\xa3" "5 \x96 tea\"}}],"
	    "\"next\":\"" PAGE_NEXT "\"}", 0, DAYHUB_OK, NULL, "Windows-1252",
	    1, "\xc2\xa3" "5 \xe2\x80\x93 tea" },
	{ "UTF-16", UTF16_PAGE, sizeof UTF16_PAGE - 1, DAYHUB_ERROR,
	    "UTF-16 or UTF-32", NULL, 0, NULL },
	{ "raw line breaks in a string", "{\"items\":[{\"state\":\"updated\","
	    "\"id\":\"x\",\"data\":{\"@type\":\"Event\",\"name\":\"Two\n"
	    "lines\"}}],\"next\":\"" PAGE_NEXT "\"}", 0, DAYHUB_OK, NULL,
	    "replaced 1 raw tabs or line breaks inside JSON strings", 1,
	    "Two lines" },
	{ "duplicate keys: the last wins", "{\"items\":[],\"items\":[{"
	    "\"state\":\"updated\",\"id\":\"x\",\"data\":{\"@type\":\"Event\","
	    "\"name\":\"first\",\"name\":\"second\"}}],\"next\":\"" PAGE_NEXT
	    "\"}", 0, DAYHUB_OK, NULL, NULL, 1, "second" },
	{ "an integer too big", "{\"items\":[{\"state\":\"deleted\",\"id\":"
	    "123456789012345678901234567890}],\"next\":\"x\"}", 0,
	    DAYHUB_ERROR, "too big", NULL, 0, NULL },
	{ "a byte order mark", "\xef\xbb\xbf{\"items\":[],\"next\":\""
	    PAGE_NEXT "\"}", 0, DAYHUB_OK, NULL, NULL, 0, NULL },
	{ "wrong types everywhere", "{\"items\":[{\"state\":\"updated\","
	    "\"id\":[1],\"kind\":7,\"modified\":\"x\",\"data\":{\"@type\":"
	    "\"Event\",\"@id\":5,\"name\":\"Kept\",\"description\":{},\"url\":"
	    "[],\"startDate\":false,\"endDate\":{},\"organizer\":[[]],"
	    "\"location\":[true],\"offers\":[\"x\",3],\"ageRange\":5,"
	    "\"activity\":{\"prefLabel\":{}},\"category\":[null,1.5],"
	    "\"eventSchedule\":[5,{\"repeatFrequency\":[]}],\"subEvent\":"
	    "\"nothing\",\"superEvent\":7,\"eventStatus\":[],"
	    "\"accessibilitySupport\":3,\"maximumAttendeeCapacity\":true}}],"
	    "\"next\":\"" PAGE_NEXT "\",\"license\":[]}", 0, DAYHUB_OK, NULL,
	    "left out \"description\": an object where text belongs", 1,
	    "Kept" },
};

Test(openactive, malformed_pages)
{
	const struct bad_case	*c;
	struct testsink		 ts;
	const char		*title;
	size_t			 i, len;
	int			 rc;

	for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		c = &bad_cases[i];
		len = c->len != 0 ? c->len : strlen(c->data);
		testsink_init(&ts, 0);
		rc = parse_with(&ts, c->data, len, PAGE_BASE, 0, 0);
		cr_expect_eq(rc, c->rc, "%s: rc %d, want %d (%s)", c->name, rc,
		    c->rc, ts.error != NULL ? ts.error : "no error");
		if (c->error != NULL)
			cr_expect(ts.error != NULL &&
			    strstr(ts.error, c->error) != NULL,
			    "%s: error \"%s\", want \"%s\"", c->name,
			    ts.error != NULL ? ts.error : "(none)", c->error);
		else
			cr_expect_null(ts.error, "%s: error %s", c->name,
			    ts.error);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\"", c->name, c->warning);
		cr_expect_eq(json_array_size(ts.records), c->nrecords,
		    "%s: %zu records", c->name, json_array_size(ts.records));
		title = testsink_string(&ts, 0, "title");
		if (c->title != NULL)
			cr_expect(title != NULL && strcmp(title, c->title) == 0,
			    "%s: title \"%s\", want \"%s\"", c->name,
			    title != NULL ? title : "(none)", c->title);
		expect_protocol(&ts, c->name);
		testsink_free(&ts);
	}
}

/* A JSON document of `depth` nested lists around one number. */
static char *
deep_json(size_t depth, const char *open, const char *close)
{
	struct feedutil_buf	b;
	size_t			i;

	feedutil_buf_init(&b);
	for (i = 0; i < depth; i++)
		feedutil_buf_adds(&b, open);
	feedutil_buf_adds(&b, "1");
	for (i = 0; i < depth; i++)
		feedutil_buf_adds(&b, close);
	cr_assert(!b.failed);
	return feedutil_buf_finish(&b, NULL);
}

Test(openactive, deep_nesting_is_refused)
{
	struct testsink	 ts;
	char		*json;
	double		 t0;

	json = deep_json(10000, "[", "]");
	t0 = now_seconds();
	testsink_init(&ts, 0);
	cr_expect_eq(parse_str(&ts, json), DAYHUB_ERROR);
	cr_expect(ts.error != NULL && strstr(ts.error,
	    "nested more than 256 deep (line 1)") != NULL, "error: %s",
	    ts.error != NULL ? ts.error : "(none)");
	cr_expect_lt(now_seconds() - t0, 2.0);
	testsink_free(&ts);
	free(json);

	/* Deeper than jansson's own limit, with the host asking for more. */
	json = deep_json(5000, "{\"a\":", "}");
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, json, strlen(json), NULL, 0, 100000),
	    DAYHUB_ERROR);
	cr_expect(ts.error != NULL && strstr(ts.error, "deep") != NULL);
	testsink_free(&ts);
	free(json);

	/* Brackets inside strings are not nesting. */
	testsink_init(&ts, 0);
	json = item_page("Event", "\"description\":\"[[[[[[[[[[{{{{{{{{{{\"");
	cr_expect_eq(parse_with(&ts, json, strlen(json), NULL, 0, 5),
	    DAYHUB_OK, "%s", ts.error != NULL ? ts.error : "");
	testsink_free(&ts);
	free(json);
}

Test(openactive, max_depth_is_the_inputs)
{
	struct testsink	 ts;
	const char	*json = "{\"items\":[{\"state\":\"updated\",\"id\":\"x\","
	    "\"data\":{\"@type\":\"Event\",\"name\":\"n\",\"location\":{"
	    "\"address\":{\"postalCode\":\"DT1 1AA\"}}}}],\"next\":\"x\"}";

	/* page > items > item > data > location > address: six deep. */
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, json, strlen(json), NULL, 0, 6),
	    DAYHUB_OK);
	expect_value(&ts, 0, "location.postcode", "\"DT1 1AA\"", "depth 6");
	testsink_free(&ts);

	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, json, strlen(json), NULL, 0, 5),
	    DAYHUB_ERROR);
	cr_expect(ts.error != NULL && strstr(ts.error, "more than 5 deep") !=
	    NULL, "error: %s", ts.error != NULL ? ts.error : "(none)");
	testsink_free(&ts);
}

Test(openactive, huge_strings_are_cut)
{
	struct feedutil_buf	 b;
	struct testsink		 ts;
	const char		*title, *summary;
	size_t			 i;
	double			 t0;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "{\"items\":[{\"state\":\"updated\",\"id\":\"x\","
	    "\"data\":{\"@type\":\"Event\",\"name\":\"");
	for (i = 0; i < 1000000; i++)
		feedutil_buf_adds(&b, "\xc3\xa9");
	feedutil_buf_adds(&b, "\",\"description\":\"");
	for (i = 0; i < 4000000; i++)
		feedutil_buf_adds(&b, i % 7 == 0 ? " " : "<");
	feedutil_buf_adds(&b, "\",\"url\":\"https://x.example.org/");
	for (i = 0; i < 100000; i++)
		feedutil_buf_adds(&b, "a");
	feedutil_buf_adds(&b, "\"}}],\"next\":\"x\"}");
	cr_assert(!b.failed);

	t0 = now_seconds();
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, b.data, b.len, NULL, 0, 0), DAYHUB_OK);
	cr_expect_lt(now_seconds() - t0, 5.0);
	cr_assert_eq(json_array_size(ts.records), 1);
	title = testsink_string(&ts, 0, "title");
	cr_assert_not_null(title);
	cr_expect_leq(strlen(title), FEEDUTIL_MAX_FIELD);
	cr_expect_geq(strlen(title), FEEDUTIL_MAX_FIELD - 1);
	summary = testsink_string(&ts, 0, "summary");
	cr_expect(summary == NULL || strlen(summary) <= FEEDUTIL_MAX_TEXT);
	cr_expect_null(testsink_get(&ts, 0, "url"));
	cr_expect(testsink_warned(&ts, "left out the link in \"url\": it is "
	    "100022 bytes long"));
	expect_protocol(&ts, "huge");
	testsink_free(&ts);
	feedutil_buf_free(&b);
}

/* A page of `n` updated items. */
static char *
many_items(size_t n)
{
	struct feedutil_buf	b;
	char			item[160];
	size_t			i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "{\"items\":[");
	for (i = 0; i < n; i++) {
		snprintf(item, sizeof item, "%s{\"state\":\"updated\",\"id\":"
		    "\"i%zu\",\"data\":{\"@type\":\"Event\",\"name\":\"Item "
		    "%zu\"}}", i > 0 ? "," : "", i, i);
		feedutil_buf_adds(&b, item);
	}
	feedutil_buf_adds(&b, "],\"next\":\"" PAGE_NEXT "\"}");
	cr_assert(!b.failed);
	return feedutil_buf_finish(&b, NULL);
}

Test(openactive, the_item_limit_stops_the_page)
{
	struct testsink	 ts;
	char		*json = many_items(50);

	/* The input's own limit. */
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, json, strlen(json), PAGE_BASE, 10, 0),
	    DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 10);
	expect_protocol(&ts, "max_items");
	testsink_free(&ts);

	/* The host's STOP from begin(): no call after it. */
	testsink_init(&ts, 7);
	ts.begin_only = 1;
	cr_expect_eq(parse_with(&ts, json, strlen(json), PAGE_BASE, 0, 0),
	    DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 7);
	expect_protocol(&ts, "STOP from begin");
	testsink_free(&ts);

	/* The host's STOP from end(). */
	testsink_init(&ts, 3);
	cr_expect_eq(parse_with(&ts, json, strlen(json), PAGE_BASE, 0, 0),
	    DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 3);
	expect_protocol(&ts, "STOP from end");
	testsink_free(&ts);
	free(json);
}

/* --- golden fixtures --- */

struct fixture_case {
	const char	*file;
	const char	*base;
	size_t		 nrecords;
	const char	*next;
	int		 last;
	const char	*warning;	/* NULL: none at all */
};

static const struct fixture_case fixture_cases[] = {
	{ "leisure-centre-page1.json", FIXTURE_BASE, 8, FIXTURE_NEXT, 0,
	    "left out 1 entry of kinds dayhub does not list: FacilityUse (1)" },
	{ "leisure-centre-page2.json", FIXTURE_NEXT, 0, FIXTURE_NEXT, 1,
	    NULL },
	{ "deletions.json", FIXTURE_BASE, 4, FIXTURE_BASE "?afterTimestamp="
	    "1767312006&afterId=svlc-open-day", 0, "a deletion with no id" },
};

Test(openactive, fixtures)
{
	const struct fixture_case	*c;
	struct testsink			 ts;
	const char			*got;
	char				*path, *data;
	size_t				 i, len;

	for (i = 0; i < sizeof fixture_cases / sizeof fixture_cases[0]; i++) {
		c = &fixture_cases[i];
		path = fixture_path(c->file);
		cr_assert_not_null(data = slurp(path, &len), "cannot read %s "
		    "(is DAYHUB_SRCDIR set?)", path);
		cr_expect_eq(module()->sniff((unsigned char *)data, len,
		    NULL), DAYHUB_SNIFF_CERTAIN, "%s: sniff", c->file);
		testsink_init(&ts, 0);
		cr_expect_eq(parse_with(&ts, data, len, c->base, FEED_MAX_ITEMS,
		    FEED_MAX_DEPTH), DAYHUB_OK, "%s: %s", c->file,
		    ts.error != NULL ? ts.error : "");
		cr_expect_eq(json_array_size(ts.records), c->nrecords,
		    "%s: %zu records", c->file, json_array_size(ts.records));
		got = json_string_value(json_object_get(ts.feed, "next"));
		cr_expect(got != NULL && strcmp(got, c->next) == 0,
		    "%s: next %s", c->file, got != NULL ? got : "(none)");
		cr_expect_eq(json_object_get(ts.feed, "rpde") != NULL, c->last,
		    "%s: last page?", c->file);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\"", c->file, c->warning);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings", c->file);
		expect_golden(&ts, c->file);
		expect_protocol(&ts, c->file);
		testsink_free(&ts);
		free(data);
		free(path);
	}
}

Test(openactive, the_deletions_fixture_says_what_it_did)
{
	struct testsink	 ts;
	char		*path, *data;
	size_t		 len;

	path = fixture_path("deletions.json");
	cr_assert_not_null(data = slurp(path, &len));
	testsink_init(&ts, 0);
	cr_assert_eq(parse_with(&ts, data, len, FIXTURE_BASE, 0, 0),
	    DAYHUB_OK);
	cr_expect(testsink_warned(&ts, "the event \"svlc-open-day\" is "
	    "postponed"));
	cr_expect(testsink_warned(&ts, "FacilityUse (1)"));
	cr_expect_eq(json_array_size(ts.warnings), 3);
	testsink_free(&ts);
	free(data);
	free(path);
}
