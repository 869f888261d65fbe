/*
 * test_ical.c - the iCalendar and xCal format module, loaded as the
 * daemon loads it.
 *
 * The module is opened with dlopen() from $DAYHUB_ICAL_MODULE, or else
 * from $DAYHUB_BUILDDIR/plugins/.libs/ical.so (as `make check` builds it),
 * and driven through its descriptor with a test host (testsink.c) that
 * keeps what it emits.  Fixtures are read from
 * $DAYHUB_SRCDIR/feeds/fixtures/ical/; NAME.jsonl beside NAME.ics (and
 * NAME.xml, the same calendar in xCal) holds the records expected, one
 * JSON object a line.  The public corpora of calendars are read from
 * $DAYHUB_CORPUS, or $DAYHUB_SRCDIR/../shared/corpus, when present.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "dayhub.h"
#include "../plugins/feedutil.h"
#include "testsink.h"

#define FEED_BASE	"https://spoke.example.org/calendar.ics"
#define XCAL_NS		"urn:ietf:params:xml:ns:icalendar-2.0"

/* A calendar around one event: the snippet's lines come first and win. */
#define EVENT_HEAD	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" \
	"PRODID:-//dayhub//tests//EN\r\nBEGIN:VEVENT\r\n"
#define EVENT_TAIL	"\r\nUID:test-1\r\nDTSTAMP:20261101T090000Z\r\n" \
	"DTSTART:20261201T100000Z\r\nSUMMARY:Test event\r\nEND:VEVENT\r\n" \
	"END:VCALENDAR\r\n"

static const struct dayhub_plugin *module(void);
static int	 shim_set(void *, const char *, const char *, size_t);
static int	 parse_full(struct testsink *, const void *, size_t,
		    const char *, const char *, size_t, size_t);
static int	 parse_str(struct testsink *, const char *);
static char	*event_cal(const char *);
static char	*fixture_path(const char *);
static char	*slurp(const char *, size_t *);
static char	*show(json_t *);
static int	 sink_mentions(const struct testsink *, const char *);
static void	 expect_protocol(const struct testsink *, const char *);
static double	 now_seconds(void);
static long	 max_rss_kb(void);
static unsigned long warning_line(const struct testsink *, const char *);

/* --- loading the module as the daemon does --- */

static const struct dayhub_plugin *
module(void)
{
	static const struct dayhub_plugin	*desc;
	char					 err[PATH_MAX + 256];

	if (desc == NULL)
		desc = testsink_module("ical", "DAYHUB_ICAL_MODULE", err, sizeof err);
	cr_assert_not_null(desc, "%s", err);
	return desc;
}

/*
 * The test host, with one addition: "schedule.rdates" is a list field
 * that this module adds to the v1 record and testsink.c does not know
 * yet, so its values are gathered here into a list as the host will.
 * Once testsink_is_list() knows the field, it is simply passed on.
 */
static struct dayhub_host	 ical_host;

static int
shim_set(void *sink, const char *field, const char *value, size_t len)
{
	struct testsink	*ts = sink;
	json_t		*sched, *list;

	if (field == NULL || strcmp(field, "schedule.rdates") != 0 ||
	    testsink_is_list(field) || ts->current == NULL || value == NULL ||
	    !utf8_valid(value, len))
		return testsink_host.set(sink, field, value, len);
	if ((sched = json_object_get(ts->current, "schedule")) == NULL) {
		sched = json_object();
		json_object_set_new(ts->current, "schedule", sched);
	}
	if ((list = json_object_get(sched, "rdates")) == NULL) {
		list = json_array();
		json_object_set_new(sched, "rdates", list);
	}
	json_array_append_new(list, json_stringn(value, len));
	return DAYHUB_OK;
}

static int
parse_full(struct testsink *ts, const void *data, size_t len,
    const char *content_type, const char *zone, size_t max_items,
    size_t max_depth)
{
	struct dayhub_input	in = {
		.size = sizeof in,
		.data = data,
		.len = len,
		.base_url = FEED_BASE,
		.content_type = content_type,
		.timezone = zone,
		.max_items = max_items,
		.max_depth = max_depth,
	};

	if (ical_host.set == NULL) {
		ical_host = testsink_host;
		ical_host.set = shim_set;
	}
	return module()->parse(&in, &ical_host, ts);
}

static int
parse_str(struct testsink *ts, const char *text)
{
	return parse_full(ts, text, strlen(text), "text/calendar",
	    "Europe/London", FEED_MAX_ITEMS, FEED_MAX_DEPTH);
}

/* A calendar of one event whose first lines are `snippet` (CRLF). */
static char *
event_cal(const char *snippet)
{
	char	*s;

	if (asprintf(&s, EVENT_HEAD "%s" EVENT_TAIL, snippet) == -1)
		cr_assert_fail("out of memory");
	return s;
}

static char *
fixture_path(const char *name)
{
	const char	*src = getenv("DAYHUB_SRCDIR");
	char		*path;

	if (asprintf(&path, "%s/feeds/fixtures/ical/%s",
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
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
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
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	return s != NULL ? s : strdup("(unprintable)");
}

/* 1 when `s` appears anywhere in what the module said. */
static int
sink_mentions(const struct testsink *ts, const char *s)
{
	char	*all = testsink_dump(ts);
	int	 found;

	found = all != NULL && strstr(all, s) != NULL;
	free(all);
	return found;
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

/* The line of the first warning that contains `text`, or 0. */
static unsigned long
warning_line(const struct testsink *ts, const char *text)
{
	size_t	 i;
	json_t	*w;

	json_array_foreach(ts->warnings, i, w) {
		if (strstr(json_string_value(json_object_get(w, "message")),
		    text) != NULL)
			return (unsigned long)json_integer_value(
			    json_object_get(w, "line"));
	}
	return 0;
}

static double
now_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
max_rss_kb(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* --- the descriptor --- */

Test(ical, descriptor_names_the_module)
{
	const struct dayhub_plugin	*m = module();

	cr_expect_str_eq(m->name, "ical");
	cr_expect(m->version != NULL && *m->version != '\0');
	cr_expect(m->description != NULL && *m->description != '\0');
	cr_expect_eq(m->abi_minor, DAYHUB_PLUGIN_ABI_MINOR);
}

/* --- one property at a time --- */

struct map_case {
	const char	*snippet;	/* lines of the event, CRLF between */
	const char	*field;
	const char	*expect;	/* JSON text; NULL: absent */
	const char	*warning;	/* NULL: no warning at all */
};

static const struct map_case map_cases[] = {
	/* text */
	{ "SUMMARY:Art club", "title", "\"Art club\"", NULL },
	{ "SUMMARY;LANGUAGE=en-gb:Tea\\, cake\\; and a chat", "title",
	    "\"Tea, cake; and a chat\"", NULL },
	{ "SUMMARY:Art <b>club</b>", "title", "\"Art club\"", NULL },
	{ "SUMMARY:  Lots   of\\n space ", "title", "\"Lots of space\"",
	    NULL },
	{ "summary:lower case names", "title", "\"lower case names\"", NULL },
	{ "DESCRIPTION:Line one\\nLine two\\N\\nLine four", "summary",
	    "\"Line one\\nLine two\\n\\nLine four\"", NULL },
	{ "DESCRIPTION:<p>Bring <b>brushes</b></p><p>and an apron</p>",
	    "summary", "\"Bring brushes\\n\\nand an apron\"", NULL },
	{ "DESCRIPTION:Fish & chips", "summary", "\"Fish & chips\"", NULL },
	{ "DESCRIPTION:C:\\\\path and a \\x", "summary",
	    "\"C:\\\\path and a \\\\x\"", NULL },
	{ "X-ALT-DESC;FMTTYPE=text/html:<p>Alt <i>text</i></p>", "summary",
	    "\"Alt text\"", NULL },
	{ "DESCRIPTION:Plain\r\nX-ALT-DESC;FMTTYPE=text/html:<p>Alt</p>",
	    "summary", "\"Plain\"", NULL },
	{ "X-ALT-DESC;FMTTYPE=text/rtf:{\\\\rtf1}", "summary", NULL, NULL },
	{ "UID:art-2026@club.example.org", "source_id",
	    "\"art-2026@club.example.org\"", NULL },
	/* links */
	{ "URL:https://club.example.org/art", "url",
	    "\"https://club.example.org/art\"", NULL },
	{ "URL;VALUE=URI:/whatson/art", "url",
	    "\"https://spoke.example.org/whatson/art\"", NULL },
	{ "URL:javascript:alert(1)", "url", NULL,
	    "left out the URL \"javascript:alert(1)\"" },
	/* location */
	{ "LOCATION:Village Hall", "location.name", "\"Village Hall\"", NULL },
	{ "LOCATION:Village Hall", "location.address", NULL, NULL },
	{ "LOCATION:Village Hall\\, 1 High St\\, Blandford", "location.name",
	    "\"Village Hall\"", NULL },
	{ "LOCATION:Village Hall\\, 1 High St\\, Blandford",
	    "location.address", "\"1 High St, Blandford\"", NULL },
	{ "LOCATION:Village Hall, 1 High St", "location.address",
	    "\"1 High St\"", NULL },
	{ "LOCATION:Village Hall\\n1 High St\\nBlandford", "location.address",
	    "\"1 High St Blandford\"", NULL },
	{ "GEO:50.8601;-2.1642", "location.lat", "\"50.8601\"", NULL },
	{ "GEO:50.8601;-2.1642", "location.lon", "\"-2.1642\"", NULL },
	{ "GEO:50.8601,-2.1642", "location.lon", "\"-2.1642\"", NULL },
	{ "GEO:95.0;-2.1", "location.lat", NULL,
	    "left out the GEO \"95.0;-2.1\"" },
	{ "GEO:50.1;-181", "location.lon", NULL, "not a latitude and" },
	{ "GEO:north;west", "location.lat", NULL, "not a latitude and" },
	{ "GEO:50.1", "location.lat", NULL, "not a latitude and" },
	/* lists */
	{ "CATEGORIES:Art,Social\r\nCATEGORIES:Tea", "categories",
	    "[\"Art\", \"Social\", \"Tea\"]", NULL },
	{ "CATEGORIES:Arts\\, crafts,Social", "categories",
	    "[\"Arts, crafts\", \"Social\"]", NULL },
	{ "CATEGORIES:Art,Art,,Social", "categories", "[\"Art\", \"Social\"]",
	    NULL },
	/* the organiser */
	{ "ORGANIZER;CN=Jo Bloggs:mailto:jo@example.org", "organiser.name",
	    "\"Jo Bloggs\"", NULL },
	{ "ORGANIZER;CN=Jo Bloggs:mailto:jo@example.org", "organiser.email",
	    "\"jo@example.org\"", NULL },
	{ "ORGANIZER;CN=\"Bloggs, Jo\";ROLE=CHAIR:MAILTO:jo@example.org",
	    "organiser.name", "\"Bloggs, Jo\"", NULL },
	{ "ORGANIZER;CN=\"Bloggs, Jo\";ROLE=CHAIR:MAILTO:jo@example.org",
	    "organiser.email", "\"jo@example.org\"", NULL },
	{ "ORGANIZER;CN=Jo ^'Jay^' Bloggs:mailto:jo@example.org",
	    "organiser.name", "\"Jo \\\"Jay\\\" Bloggs\"", NULL },
	{ "ORGANIZER:invalid:nomail", "organiser.email", NULL, NULL },
	{ "ATTENDEE;CN=A Person:mailto:person@example.org", "organiser.name",
	    NULL, NULL },
	/* when it was changed */
	{ "LAST-MODIFIED:20261120T164500Z", "updated",
	    "\"2026-11-20T16:45:00+00:00\"", NULL },
	{ "LAST-MODIFIED:20261120T164500Z", "start",
	    "\"2026-12-01T10:00:00+00:00\"", NULL },
	{ "DTSTAMP:20261120T164500Z\r\nLAST-MODIFIED:20261121T090000Z",
	    "updated", "\"2026-11-21T09:00:00+00:00\"", NULL },
	{ "LAST-MODIFIED:yesterday", "updated",
	    "\"2026-11-01T09:00:00+00:00\"",
	    "left out the LAST-MODIFIED \"yesterday\": not a date" },
	/* status */
	{ "STATUS:CANCELLED", "state", "\"deleted\"", NULL },
	{ "STATUS:cancelled", "state", "\"deleted\"", NULL },
	{ "STATUS:CONFIRMED", "state", NULL, NULL },
	{ "STATUS:TENTATIVE", "title", "\"Test event\"", NULL },
	/* dayhub's extension: the dh: names of the RSS module */
	{ "X-DAYHUB-ACTIVITY:art\r\nX-DAYHUB-ACTIVITY:crafts, social",
	    "activity", "[\"art\", \"crafts\", \"social\"]", NULL },
	{ "X-DAYHUB-VENUE:Blandford Hub", "location.name",
	    "\"Blandford Hub\"", NULL },
	{ "LOCATION:Hall, Street\r\nX-DAYHUB-VENUE:Blandford Hub",
	    "location.name", "\"Blandford Hub\"", NULL },
	{ "LOCATION:Hall, Street\r\nX-DAYHUB-ADDRESS:12 East Street",
	    "location.address", "\"12 East Street\"", NULL },
	{ "X-DAYHUB-POSTCODE:DT11 7DR", "location.postcode", "\"DT11 7DR\"",
	    NULL },
	{ "X-DAYHUB-ONLINE:true", "location.online", "\"true\"", NULL },
	{ "X-DAYHUB-COST-MIN:3.50", "cost.min", "\"3.50\"", NULL },
	{ "X-DAYHUB-COST-MIN:three pounds", "cost.min", "\"three pounds\"",
	    NULL },
	{ "X-DAYHUB-COST-MAX:5", "cost.max", "\"5\"", NULL },
	{ "X-DAYHUB-COST-PER:session", "cost.per", "\"session\"", NULL },
	{ "X-DAYHUB-CURRENCY:GBP", "cost.currency", "\"GBP\"", NULL },
	{ "X-DAYHUB-FREE:true", "cost.free", "\"true\"", NULL },
	{ "X-DAYHUB-COST-NOTES:Carers go free\\, children half", "cost.notes",
	    "\"Carers go free, children half\"", NULL },
	{ "X-DAYHUB-FUNDING:direct_payment,isf", "funding",
	    "[\"direct_payment\", \"isf\"]", NULL },
	{ "X-DAYHUB-PATHWAY:community", "pathway", "\"community\"", NULL },
	{ "X-DAYHUB-SUPPORT-RATIO:1:4", "support.ratio", "\"1:4\"", NULL },
	{ "X-DAYHUB-PERSONAL-CARE:false", "support.personal_care",
	    "\"false\"", NULL },
	{ "X-DAYHUB-ACCESS:wheelchair\r\nX-DAYHUB-ACCESS:hearing_loop\\, bsl",
	    "access", "[\"wheelchair\", \"hearing_loop\", \"bsl\"]", NULL },
	{ "X-DAYHUB-GROUP:dementia,older_adults", "groups",
	    "[\"dementia\", \"older_adults\"]", NULL },
	{ "X-DAYHUB-AGE-MIN:18", "age.min", "\"18\"", NULL },
	{ "X-DAYHUB-AGE-MAX:65", "age.max", "\"65\"", NULL },
	{ "X-DAYHUB-CAPACITY:12", "capacity.max", "\"12\"", NULL },
	{ "X-DAYHUB-PLACES-LEFT:3", "capacity.remaining", "\"3\"", NULL },
	{ "X-DAYHUB-BOOKING-URL:https://club.example.org/book", "booking.url",
	    "\"https://club.example.org/book\"", NULL },
	{ "X-DAYHUB-BOOKING-PHONE:01258 000111", "booking.phone",
	    "\"01258 000111\"", NULL },
	{ "X-DAYHUB-BOOKING-EMAIL:mailto:book@club.example.org",
	    "booking.email", "\"book@club.example.org\"", NULL },
	{ "X-DAYHUB-BOOKING-REQUIRED:yes", "booking.required", "\"yes\"",
	    NULL },
	{ "X-DAYHUB-CARERS-FREE:true", "carers.free", "\"true\"", NULL },
	{ "X-DAYHUB-CARERS-NOTES:One carer free", "carers.notes",
	    "\"One carer free\"", NULL },
	{ "X-DAYHUB-ORGANISER-PHONE:01258 000222", "organiser.phone",
	    "\"01258 000222\"", NULL },
	{ "X-DAYHUB-ORGANISER-EMAIL:garden@example.org", "organiser.email",
	    "\"garden@example.org\"", NULL },
	{ "ORGANIZER:mailto:a@example.org\r\n"
	    "X-DAYHUB-ORGANISER-EMAIL:b@example.org", "organiser.email",
	    "\"b@example.org\"", NULL },
	{ "X-DAYHUB-ORGANISER-URL:https://garden.example.org/",
	    "organiser.url", "\"https://garden.example.org/\"", NULL },
	{ "x-dayhub-venue:Lower case hall", "location.name",
	    "\"Lower case hall\"", NULL },
	{ "X-DAYHUB-COLOUR:blue", "colour", NULL,
	    "left out X-DAYHUB-COLOUR, which dayhub's extension does not" },
	{ "X-DAYHUB-RRULE:FREQ=WEEKLY", "schedule.rrule", NULL,
	    "iCalendar says this with RRULE" },
	{ "X-OTHER-THING:whatever", "title", "\"Test event\"", NULL },
	{ "X-DAYHUB-FREE:", "cost.free", NULL, NULL },
};

Test(ical, every_mapping)
{
	const struct map_case	*c;
	struct testsink		 ts;
	json_t			*want, *got;
	char			*text, *sg, *sw, *sws;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof map_cases / sizeof map_cases[0]; i++) {
		c = &map_cases[i];
		text = event_cal(c->snippet);
		testsink_init(&ts, 0);
		rc = parse_str(&ts, text);
		cr_expect_eq(rc, DAYHUB_OK, "%s: rc %d (%s)", c->snippet, rc,
		    ts.error != NULL ? ts.error : "");
		cr_expect_eq(json_array_size(ts.records), 1, "%s: %zu records",
		    c->snippet, json_array_size(ts.records));
		expect_protocol(&ts, c->snippet);
		got = testsink_get(&ts, 0, c->field);
		want = c->expect != NULL ?
		    json_loads(c->expect, JSON_DECODE_ANY, NULL) : NULL;
		cr_assert(c->expect == NULL || want != NULL, "bad row %s",
		    c->expect);
		sg = show(got);
		sw = show(want);
		sws = show(ts.warnings);
		cr_expect(want == NULL ? got == NULL : json_equal(want, got),
		    "%s: %s is %s, want %s", c->snippet, c->field, sg, sw);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\" in %s", c->snippet,
			    c->warning, sws);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings %s", c->snippet, sws);
		free(sg);
		free(sw);
		free(sws);
		json_decref(want);
		testsink_free(&ts);
		free(text);
	}
}

/* --- times --- */

struct time_case {
	const char	*snippet;
	const char	*field;
	const char	*expect;	/* JSON text; NULL: absent */
	const char	*warning;	/* NULL: no warning at all */
};

static const struct time_case time_cases[] = {
	/* UTC */
	{ "DTSTART:20261201T100000Z", "start", "\"2026-12-01T10:00:00+00:00\"",
	    NULL },
	{ "DTSTART:20260701T100000Z", "start", "\"2026-07-01T10:00:00+00:00\"",
	    NULL },
	{ "DTSTART:20260701T100000Z", "timezone", NULL, NULL },
	/* a TZID with no VTIMEZONE: libical's builtin zone */
	{ "DTSTART;TZID=Europe/London:20260701T100000", "start",
	    "\"2026-07-01T10:00:00+01:00\"", NULL },
	{ "DTSTART;TZID=Europe/London:20261201T100000", "start",
	    "\"2026-12-01T10:00:00+00:00\"", NULL },
	{ "DTSTART;TZID=Europe/London:20261201T100000", "timezone",
	    "\"Europe/London\"", NULL },
	{ "DTSTART;TZID=America/New_York:20261201T100000", "start",
	    "\"2026-12-01T10:00:00-05:00\"", NULL },
	{ "DTSTART;TZID=\"Asia/Kolkata\":20261201T100000", "start",
	    "\"2026-12-01T10:00:00+05:30\"", NULL },
	{ "DTSTART;TZID=/mozilla.org/20050126_1/Europe/Paris:20260701T100000",
	    "start", "\"2026-07-01T10:00:00+02:00\"", NULL },
	{ "DTSTART;TZID=/mozilla.org/20050126_1/Europe/Paris:20260701T100000",
	    "timezone", "\"Europe/Paris\"", NULL },
	/* Windows names, and names nobody knows */
	{ "DTSTART;TZID=GMT Standard Time:20260701T100000", "start",
	    "\"2026-07-01T10:00:00+01:00\"",
	    "the TZID \"GMT Standard Time\" is a Windows zone name: read as "
	    "Europe/London" },
	{ "DTSTART;TZID=\"W. Europe Standard Time\":20260701T100000",
	    "timezone", "\"Europe/Berlin\"", "is a Windows zone name" },
	{ "DTSTART;TZID=\"(UTC+00:00) Dublin, Edinburgh, Lisbon, London\":"
	    "20260701T100000", "timezone", "\"Europe/London\"",
	    "is a Windows zone name" },
	{ "DTSTART;TZID=Nowhere/Special:20260701T100000", "start",
	    "\"2026-07-01T10:00:00+01:00\"",
	    "the TZID \"Nowhere/Special\" is not a zone this module knows, "
	    "and the calendar does not define it: its times were read in "
	    "Europe/London" },
	{ "DTSTART;TZID=Nowhere/Special:20260701T100000", "timezone",
	    "\"Europe/London\"", "is not a zone this module knows" },
	{ "DTSTART;TZID=../../../../../etc/passwd:20261201T100000", "start",
	    "\"2026-12-01T10:00:00+00:00\"",
	    "is not a zone this module knows" },
	{ "DTSTART;TZID=/dev/zero:20261201T100000", "start",
	    "\"2026-12-01T10:00:00+00:00\"",
	    "is not a zone this module knows" },
	/* floating: local, for the host to place */
	{ "DTSTART:20261201T100000", "start", "\"2026-12-01T10:00:00\"", NULL },
	{ "DTSTART:20261201T100000", "timezone", NULL, NULL },
	{ "DTSTART:20261201T100000\r\nDTEND:20261201T113000", "end",
	    "\"2026-12-01T11:30:00\"", NULL },
	/* all day */
	{ "DTSTART;VALUE=DATE:20261201", "start", "\"2026-12-01\"", NULL },
	{ "DTSTART;VALUE=DATE:20261201", "end", "\"2026-12-01\"", NULL },
	{ "DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261202", "end",
	    "\"2026-12-01\"", NULL },
	{ "DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261204", "end",
	    "\"2026-12-03\"", NULL },
	{ "DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101", "end",
	    "\"2026-12-31\"", NULL },
	{ "DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261201", "end",
	    "\"2026-12-01\"", NULL },
	{ "DTSTART;VALUE=DATE:20261201\r\nDURATION:P2D", "end",
	    "\"2026-12-02\"", NULL },
	{ "DTSTART:20261201", "start", "\"2026-12-01\"", NULL },
	{ "DTSTART;TZID=Europe/London;VALUE=DATE:20261201", "start",
	    "\"2026-12-01\"", NULL },
	{ "DTSTART;VALUE=DATE:20240229", "start", "\"2024-02-29\"", NULL },
	/* the end: DTEND, or DURATION */
	{ "DTSTART:20261201T100000Z\r\nDTEND:20261201T120000Z", "end",
	    "\"2026-12-01T12:00:00+00:00\"", NULL },
	{ "DTSTART:20261201T100000Z\r\nDURATION:PT2H30M", "end",
	    "\"2026-12-01T12:30:00+00:00\"", NULL },
	{ "DTSTART;TZID=Europe/London:20261025T003000\r\nDURATION:PT3H", "end",
	    "\"2026-10-25T02:30:00+00:00\"", NULL },
	{ "DTSTART;TZID=Europe/London:20261201T100000\r\n"
	    "DTEND;TZID=America/New_York:20261201T060000", "end",
	    "\"2026-12-01T11:00:00+00:00\"", NULL },
	{ "DTSTART:20261201T100000Z\r\nDTEND:20261201T100000Z", "end", NULL,
	    NULL },
	{ "DTSTART:20261201T100000Z", "end", NULL, NULL },
	{ "DTSTART:20261201T100000Z\r\nDTEND:20261201T090000Z", "end", NULL,
	    "left out the DTEND \"20261201T090000Z\": it is before the "
	    "DTSTART" },
	{ "DTSTART:20261201T100000Z\r\nDTEND;VALUE=DATE:20261202", "end", NULL,
	    "a date and a time cannot be mixed" },
	{ "DTSTART:20261201T100000Z\r\nDURATION:2 hours", "end", NULL,
	    "left out the DURATION \"2 hours\"" },
	{ "DTSTART:20261201T100000Z\r\nDTEND:20261301T100000Z", "end", NULL,
	    "left out the DTEND \"20261301T100000Z\": not a date" },
	/* forgiven spellings */
	{ "DTSTART:2026-12-01T10:00:00Z", "start",
	    "\"2026-12-01T10:00:00+00:00\"", NULL },
	{ "DTSTART:20261201T1000Z", "start", "\"2026-12-01T10:00:00+00:00\"",
	    NULL },
	{ "DTSTART: 20261201T100000Z ", "start",
	    "\"2026-12-01T10:00:00+00:00\"", NULL },
	{ "DTSTART:20261201T235960Z", "start", "\"2026-12-01T23:59:59+00:00\"",
	    NULL },
};

Test(ical, times_carry_their_offsets)
{
	const struct time_case	*c;
	struct testsink		 ts;
	json_t			*want, *got;
	char			*text, *sg, *sw, *sws;
	size_t			 i;

	for (i = 0; i < sizeof time_cases / sizeof time_cases[0]; i++) {
		c = &time_cases[i];
		text = event_cal(c->snippet);
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, text), DAYHUB_OK, "%s", c->snippet);
		cr_expect_eq(json_array_size(ts.records), 1, "%s: %zu records",
		    c->snippet, json_array_size(ts.records));
		got = testsink_get(&ts, 0, c->field);
		want = c->expect != NULL ?
		    json_loads(c->expect, JSON_DECODE_ANY, NULL) : NULL;
		sg = show(got);
		sw = show(want);
		sws = show(ts.warnings);
		cr_expect(want == NULL ? got == NULL : json_equal(want, got),
		    "%s: %s is %s, want %s", c->snippet, c->field, sg, sw);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\" in %s", c->snippet,
			    c->warning, sws);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings %s", c->snippet, sws);
		expect_protocol(&ts, c->snippet);
		free(sg);
		free(sw);
		free(sws);
		json_decref(want);
		testsink_free(&ts);
		free(text);
	}
}

/* Events whose DTSTART cannot be used are left out, saying where. */
struct skip_case {
	const char	*dtstart;	/* the DTSTART line, or "" for none */
	const char	*warning;
};

static const struct skip_case skip_cases[] = {
	{ "DTSTART:2026-13-45", "the DTSTART \"2026-13-45\" is not a date" },
	{ "DTSTART:20261345T100000", "the DTSTART \"20261345T100000\" is not "
	    "a date" },
	{ "DTSTART;VALUE=DATE:20260230", "\"20260230\" is not a date" },
	{ "DTSTART:20261201T250000Z", "is not a date" },
	{ "DTSTART:20261201T106000Z", "is not a date" },
	{ "DTSTART:18991231T100000Z", "is not a date" },
	{ "DTSTART:30000101T100000Z", "is not a date" },
	{ "DTSTART:next tuesday", "\"next tuesday\" is not a date" },
	{ "DTSTART:20261201T100000+0100", "is not a date" },
	{ "", "left out an event without a DTSTART" },
};

Test(ical, unusable_dtstart_skips_the_event_and_says_where)
{
	const struct skip_case	*c;
	struct testsink		 ts;
	char			*text;
	size_t			 i;

	for (i = 0; i < sizeof skip_cases / sizeof skip_cases[0]; i++) {
		c = &skip_cases[i];
		/* Line 12 is the DTSTART; line 9 the second BEGIN:VEVENT. */
		if (asprintf(&text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		    "PRODID:x\r\nBEGIN:VEVENT\r\nUID:kept\r\n"
		    "DTSTART:20261201T100000Z\r\nSUMMARY:Kept\r\nEND:VEVENT\r\n"
		    "BEGIN:VEVENT\r\nUID:bad\r\nSUMMARY:Bad\r\n%s%s"
		    "END:VEVENT\r\nEND:VCALENDAR\r\n", c->dtstart,
		    *c->dtstart != '\0' ? "\r\n" : "") == -1)
			cr_assert_fail("out of memory");
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, text), DAYHUB_OK, "%s", c->dtstart);
		cr_expect_eq(json_array_size(ts.records), 1, "%s: %zu records",
		    c->dtstart, json_array_size(ts.records));
		cr_expect_str_eq(testsink_string(&ts, 0, "source_id"), "kept");
		cr_expect(testsink_warned(&ts, c->warning), "%s: no warning "
		    "\"%s\"", c->dtstart, c->warning);
		cr_expect_eq(warning_line(&ts, c->warning),
		    *c->dtstart != '\0' ? 12 : 9, "%s: warned on line %lu",
		    c->dtstart, warning_line(&ts, c->warning));
		expect_protocol(&ts, c->dtstart);
		testsink_free(&ts);
		free(text);
	}
}

/* --- the schedule --- */

struct schedule_case {
	const char	*snippet;
	const char	*field;
	const char	*expect;	/* JSON text; NULL: absent */
	const char	*warning;
};

static const struct schedule_case schedule_cases[] = {
	{ "DTSTART;TZID=Europe/London:20261006T100000\r\n"
	    "DTEND;TZID=Europe/London:20261006T120000\r\n"
	    "RRULE:FREQ=WEEKLY;BYDAY=TU", "schedule",
	    "{\"rrule\": \"FREQ=WEEKLY;BYDAY=TU\", \"duration\": \"PT2H\"}",
	    NULL },
	{ "DTSTART;TZID=Europe/London:20261006T100000\r\n"
	    "DURATION:PT1H30M\r\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;"
	    "UNTIL=20271231T235959Z", "schedule",
	    "{\"rrule\": \"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;"
	    "UNTIL=20271231T235959Z\", \"duration\": \"PT1H30M\"}", NULL },
	{ "DTSTART;TZID=Europe/London:20261006T100000\r\n"
	    "DTEND;TZID=Europe/London:20261006T120000\r\n"
	    "RRULE:FREQ=WEEKLY\r\n"
	    "EXDATE;TZID=Europe/London:20261013T100000,20261020T100000\r\n"
	    "EXDATE;TZID=Europe/London:20261103T100000", "schedule.exdates",
	    "[\"2026-10-13T10:00:00+01:00\", \"2026-10-20T10:00:00+01:00\", "
	    "\"2026-11-03T10:00:00+00:00\"]", NULL },
	{ "DTSTART;VALUE=DATE:20261201\r\nRRULE:FREQ=YEARLY\r\n"
	    "EXDATE;VALUE=DATE:20271201,20281201", "schedule",
	    "{\"rrule\": \"FREQ=YEARLY\", \"duration\": \"P1D\", "
	    "\"exdates\": [\"2027-12-01\", \"2028-12-01\"]}", NULL },
	{ "DTSTART:20261201T100000\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"
	    "EXDATE:20261202T100000", "schedule.exdates",
	    "[\"2026-12-02T10:00:00\"]", NULL },
	{ "DTSTART;TZID=Europe/London:20261201T100000\r\n"
	    "RRULE:FREQ=WEEKLY\r\nEXDATE;TZID=Europe/London:20261208T100000,"
	    "someday,20261215T100000", "schedule.exdates",
	    "[\"2026-12-08T10:00:00+00:00\", \"2026-12-15T10:00:00+00:00\"]",
	    "left out the EXDATE \"someday\": not a date" },
	{ "DTSTART;TZID=Europe/London:20261201T100000\r\n"
	    "DTEND;TZID=Europe/London:20261201T110000\r\n"
	    "RDATE;TZID=Europe/London:20261203T140000,20270601T140000",
	    "schedule",
	    "{\"rdates\": [\"2026-12-03T14:00:00+00:00\", "
	    "\"2027-06-01T14:00:00+01:00\"], \"duration\": \"PT1H\"}", NULL },
	{ "DTSTART:20261201T100000Z\r\n"
	    "RDATE;VALUE=PERIOD:20261203T100000Z/PT2H,20261204T100000Z/"
	    "20261204T110000Z", "schedule.rdates",
	    "[\"2026-12-03T10:00:00+00:00\", \"2026-12-04T10:00:00+00:00\"]",
	    NULL },
	{ "DTSTART:20261201T100000Z\r\nRRULE:FREQ=WEEKLY", "timezone",
	    "\"UTC\"", NULL },
	{ "DTSTART:20261201T100000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=XX",
	    "schedule", NULL,
	    "left out the RRULE \"FREQ=WEEKLY;BYDAY=XX\": not a rule" },
	{ "DTSTART:20261201T100000Z\r\nRRULE:every tuesday", "schedule", NULL,
	    "left out the RRULE \"every tuesday\"" },
	{ "DTSTART:20261201T100000Z\r\nRRULE:FREQ=WEEKLY\r\n"
	    "RRULE:FREQ=MONTHLY", "schedule.rrule", "\"FREQ=WEEKLY\"",
	    "left out a second RRULE" },
	{ "DTSTART:20261201T100000Z\r\nRRULE:", "schedule", NULL, NULL },
	{ "DTSTART:20261201T100000Z\r\nDTEND:20261201T120000Z", "schedule",
	    NULL, NULL },
	{ "DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261203\r\n"
	    "RRULE:FREQ=MONTHLY", "schedule.duration", "\"P2D\"", NULL },
};

Test(ical, schedule_rrule_exdates_rdates_duration)
{
	const struct schedule_case	*c;
	struct testsink			 ts;
	json_t				*want, *got;
	char				*text, *sg, *sw, *sws;
	size_t				 i;

	for (i = 0; i < sizeof schedule_cases / sizeof schedule_cases[0];
	    i++) {
		c = &schedule_cases[i];
		text = event_cal(c->snippet);
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, text), DAYHUB_OK, "%s", c->snippet);
		got = testsink_get(&ts, 0, c->field);
		want = c->expect != NULL ?
		    json_loads(c->expect, JSON_DECODE_ANY, NULL) : NULL;
		cr_assert(c->expect == NULL || want != NULL, "bad row %s",
		    c->expect);
		sg = show(got);
		sw = show(want);
		sws = show(ts.warnings);
		cr_expect(want == NULL ? got == NULL : json_equal(want, got),
		    "%s: %s is %s, want %s", c->snippet, c->field, sg, sw);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\" in %s", c->snippet,
			    c->warning, sws);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings %s", c->snippet, sws);
		expect_protocol(&ts, c->snippet);
		free(sg);
		free(sw);
		free(sws);
		json_decref(want);
		testsink_free(&ts);
		free(text);
	}
}

/* --- series and their changed instances --- */

#define SERIES_HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
#define SERIES_MASTER "BEGIN:VEVENT\r\nUID:weekly@club\r\n" \
	"SUMMARY:Weekly art\r\n" \
	"DTSTART;TZID=Europe/London:20261006T100000\r\n" \
	"DTEND;TZID=Europe/London:20261006T120000\r\n" \
	"RRULE:FREQ=WEEKLY;BYDAY=TU\r\nEND:VEVENT\r\n"
#define SERIES_TAIL "END:VCALENDAR\r\n"

struct series_case {
	const char	*name;
	const char	*body;		/* the events, between head and tail */
	size_t		 nrecords;
	const char	*field;		/* of the first record */
	const char	*expect;	/* JSON text; NULL: absent */
	const char	*warning;	/* NULL: no warning at all */
};

static const struct series_case series_cases[] = {
	{ "a moved instance", SERIES_MASTER "BEGIN:VEVENT\r\n"
	    "UID:weekly@club\r\n"
	    "RECURRENCE-ID;TZID=Europe/London:20261110T100000\r\n"
	    "DTSTART;TZID=Europe/London:20261112T140000\r\n"
	    "DTEND;TZID=Europe/London:20261112T160000\r\n"
	    "SUMMARY:Weekly art (Thursday)\r\nEND:VEVENT\r\n", 1, "schedule",
	    "{\"rrule\": \"FREQ=WEEKLY;BYDAY=TU\", \"duration\": \"PT2H\", "
	    "\"exdates\": [\"2026-11-10T10:00:00+00:00\"], "
	    "\"rdates\": [\"2026-11-12T14:00:00+00:00\"]}", NULL },
	{ "a moved instance before its series", "BEGIN:VEVENT\r\n"
	    "UID:weekly@club\r\n"
	    "RECURRENCE-ID;TZID=Europe/London:20261110T100000\r\n"
	    "DTSTART;TZID=Europe/London:20261110T110000\r\nEND:VEVENT\r\n"
	    SERIES_MASTER, 1, "schedule.rdates",
	    "[\"2026-11-10T11:00:00+00:00\"]", NULL },
	{ "the start of the series stays", SERIES_MASTER "BEGIN:VEVENT\r\n"
	    "UID:weekly@club\r\n"
	    "RECURRENCE-ID;TZID=Europe/London:20261006T100000\r\n"
	    "DTSTART;TZID=Europe/London:20261007T100000\r\nEND:VEVENT\r\n", 1,
	    "start", "\"2026-10-06T10:00:00+01:00\"", NULL },
	{ "a cancelled instance", SERIES_MASTER "BEGIN:VEVENT\r\n"
	    "UID:weekly@club\r\n"
	    "RECURRENCE-ID;TZID=Europe/London:20261027T100000\r\n"
	    "DTSTART;TZID=Europe/London:20261027T100000\r\n"
	    "STATUS:CANCELLED\r\nEND:VEVENT\r\n", 1, "schedule.exdates",
	    "[\"2026-10-27T10:00:00+00:00\"]", NULL },
	{ "a cancelled instance keeps the series", SERIES_MASTER
	    "BEGIN:VEVENT\r\nUID:weekly@club\r\n"
	    "RECURRENCE-ID;TZID=Europe/London:20261027T100000\r\n"
	    "STATUS:CANCELLED\r\nEND:VEVENT\r\n", 1, "state", NULL, NULL },
	{ "a cancelled instance adds no rdate", SERIES_MASTER
	    "BEGIN:VEVENT\r\nUID:weekly@club\r\n"
	    "RECURRENCE-ID;TZID=Europe/London:20261027T100000\r\n"
	    "DTSTART;TZID=Europe/London:20261029T100000\r\n"
	    "STATUS:CANCELLED\r\nEND:VEVENT\r\n", 1, "schedule.rdates", NULL,
	    NULL },
	{ "an instance cancelled in UTC", SERIES_MASTER "BEGIN:VEVENT\r\n"
	    "UID:weekly@club\r\nRECURRENCE-ID:20261013T090000Z\r\n"
	    "STATUS:CANCELLED\r\nEND:VEVENT\r\n", 1, "schedule.exdates",
	    "[\"2026-10-13T09:00:00+00:00\"]", NULL },
	{ "a cancelled series", "BEGIN:VEVENT\r\nUID:weekly@club\r\n"
	    "SUMMARY:Weekly art\r\nSTATUS:CANCELLED\r\n"
	    "DTSTART;TZID=Europe/London:20261006T100000\r\n"
	    "RRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n", 1, "state", "\"deleted\"",
	    NULL },
	{ "a cancelled series needs no DTSTART", "BEGIN:VEVENT\r\n"
	    "UID:weekly@club\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n", 1,
	    "source_id", "\"weekly@club\"", NULL },
	{ "a calendar of cancellations", "METHOD:CANCEL\r\nBEGIN:VEVENT\r\n"
	    "UID:weekly@club\r\nSUMMARY:Weekly art\r\n"
	    "DTSTART:20261006T090000Z\r\nEND:VEVENT\r\n", 1, "state",
	    "\"deleted\"", NULL },
	{ "a changed title only", SERIES_MASTER "BEGIN:VEVENT\r\n"
	    "UID:weekly@club\r\n"
	    "RECURRENCE-ID;TZID=Europe/London:20261013T100000\r\n"
	    "DTSTART;TZID=Europe/London:20261013T100000\r\n"
	    "SUMMARY:Weekly art: bring an apron\r\nEND:VEVENT\r\n", 1, "title",
	    "\"Weekly art\"", "1 changed instance alters details" },
	{ "this and future", SERIES_MASTER "BEGIN:VEVENT\r\n"
	    "UID:weekly@club\r\n"
	    "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/London:"
	    "20261110T100000\r\nDTSTART;TZID=Europe/London:20261110T110000\r\n"
	    "END:VEVENT\r\n", 1, "schedule.rdates",
	    "[\"2026-11-10T11:00:00+00:00\"]", "RANGE=THISANDFUTURE: read as a "
	    "change to this one instance only" },
	{ "a bad RECURRENCE-ID", SERIES_MASTER "BEGIN:VEVENT\r\n"
	    "UID:weekly@club\r\nRECURRENCE-ID:soon\r\n"
	    "DTSTART:20261110T110000Z\r\nEND:VEVENT\r\n", 1, "schedule.rdates",
	    NULL, "the RECURRENCE-ID \"soon\" is not a date" },
	{ "a single event moved", "BEGIN:VEVENT\r\nUID:once@club\r\n"
	    "SUMMARY:Quiz\r\nDTSTART:20261201T190000Z\r\n"
	    "DTEND:20261201T210000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\n"
	    "UID:once@club\r\nRECURRENCE-ID:20261201T190000Z\r\n"
	    "DTSTART:20261202T190000Z\r\nDTEND:20261202T213000Z\r\n"
	    "END:VEVENT\r\n", 1, "end", "\"2026-12-02T21:30:00+00:00\"", NULL },
	{ "a single event cancelled by its instance", "BEGIN:VEVENT\r\n"
	    "UID:once@club\r\nSUMMARY:Quiz\r\nDTSTART:20261201T190000Z\r\n"
	    "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:once@club\r\n"
	    "RECURRENCE-ID:20261201T190000Z\r\nSTATUS:CANCELLED\r\n"
	    "END:VEVENT\r\n", 1, "state", "\"deleted\"", NULL },
	{ "instances without their series", "BEGIN:VEVENT\r\n"
	    "UID:lost@club\r\nSUMMARY:Lost\r\n"
	    "RECURRENCE-ID:20261201T190000Z\r\nDTSTART:20261202T190000Z\r\n"
	    "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:lost@club\r\nSUMMARY:Lost\r\n"
	    "RECURRENCE-ID:20261208T190000Z\r\nDTSTART:20261209T190000Z\r\n"
	    "END:VEVENT\r\n", 1, "schedule.rdates",
	    "[\"2026-12-09T19:00:00+00:00\"]", "without the series itself" },
	{ "a cancelled instance without its series", "BEGIN:VEVENT\r\n"
	    "UID:lost@club\r\nRECURRENCE-ID:20261201T190000Z\r\n"
	    "STATUS:CANCELLED\r\nEND:VEVENT\r\n", 0, "title", NULL, NULL },
	{ "two series with one UID", SERIES_MASTER SERIES_MASTER, 1, "title",
	    "\"Weekly art\"", "left out a second event with the UID "
	    "\"weekly@club\" (the first is on line 4)" },
	{ "events without UIDs", "BEGIN:VEVENT\r\nSUMMARY:A\r\n"
	    "DTSTART:20261201T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\n"
	    "SUMMARY:B\r\nDTSTART:20261202T100000Z\r\nEND:VEVENT\r\n", 2,
	    "source_id", NULL, "2 events have no UID" },
	{ "a private event", "BEGIN:VEVENT\r\nUID:p@club\r\nCLASS:PRIVATE\r\n"
	    "SUMMARY:Supervision\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:c@club\r\nCLASS:CONFIDENTIAL\r\n"
	    "SUMMARY:Review\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT\r\n", 0,
	    "title", NULL, "left out 2 private events" },
	{ "a public event", "BEGIN:VEVENT\r\nUID:p@club\r\nCLASS:PUBLIC\r\n"
	    "SUMMARY:Open day\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT\r\n", 1,
	    "title", "\"Open day\"", NULL },
};

Test(ical, overrides_move_and_cancel_instances)
{
	const struct series_case	*c;
	struct testsink			 ts;
	json_t				*want, *got;
	char				*text, *sg, *sw, *sws;
	size_t				 i;

	for (i = 0; i < sizeof series_cases / sizeof series_cases[0]; i++) {
		c = &series_cases[i];
		if (asprintf(&text, SERIES_HEAD "%s" SERIES_TAIL,
		    c->body) == -1)
			cr_assert_fail("out of memory");
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, text), DAYHUB_OK, "%s", c->name);
		cr_expect_eq(json_array_size(ts.records), c->nrecords,
		    "%s: %zu records", c->name, json_array_size(ts.records));
		got = testsink_get(&ts, 0, c->field);
		want = c->expect != NULL ?
		    json_loads(c->expect, JSON_DECODE_ANY, NULL) : NULL;
		cr_assert(c->expect == NULL || want != NULL, "bad row %s",
		    c->expect);
		sg = show(got);
		sw = show(want);
		sws = show(ts.warnings);
		cr_expect(want == NULL ? got == NULL : json_equal(want, got),
		    "%s: %s is %s, want %s", c->name, c->field, sg, sw);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\" in %s", c->name, c->warning,
			    sws);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings %s", c->name, sws);
		expect_protocol(&ts, c->name);
		free(sg);
		free(sw);
		free(sws);
		json_decref(want);
		testsink_free(&ts);
		free(text);
	}
}

/* --- the calendar's text --- */

/* Calendars with NUL bytes, whose length strlen() cannot tell. */
#define NUL_IN_SUMMARY "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n" \
	"SUMMARY:A\0B\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT\r\n" \
	"END:VCALENDAR\r\n"
#define UTF16_CAL "\xff\xfe" "B\0E\0G\0I\0N\0:\0V\0C\0A\0L\0"
#define GARBAGE "\x00\x01\x02\x03" "binary\xff\xfe"

struct text_case {
	const char	*name;
	const char	*data;
	size_t		 len;		/* 0: strlen(data) */
	int		 rc;
	const char	*error;		/* part of the error, or NULL */
	const char	*warning;	/* part of a warning, or NULL: none */
	size_t		 nrecords;
	const char	*title;		/* of the first record, or NULL */
};

static const struct text_case text_cases[] = {
	/* line ends and folding */
	{ "CRLF", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Crlf\r\n"
	    "DTSTART:20261201T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 0,
	    DAYHUB_OK, NULL, NULL, 1, "Crlf" },
	{ "LF", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:Lf\n"
	    "DTSTART:20261201T100000Z\nEND:VEVENT\nEND:VCALENDAR\n", 0,
	    DAYHUB_OK, NULL, NULL, 1, "Lf" },
	{ "CR alone", "BEGIN:VCALENDAR\rBEGIN:VEVENT\rUID:a\rSUMMARY:Cr\r"
	    "DTSTART:20261201T100000Z\rEND:VEVENT\rEND:VCALENDAR\r", 0,
	    DAYHUB_OK, NULL, NULL, 1, "Cr" },
	{ "no end of line at the end", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\n"
	    "SUMMARY:Last\nDTSTART:20261201T100000Z\nEND:VEVENT\nEND:VCALENDAR",
	    0, DAYHUB_OK, NULL, NULL, 1, "Last" },
	{ "folded with a space", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
	    "SUMMARY:Art and cr\r\n afts for ever\r\n yone\r\n"
	    "DTSTART:20261201T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 0,
	    DAYHUB_OK, NULL, NULL, 1, "Art and crafts for everyone" },
	{ "folded with a tab", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\n"
	    "SUMMARY:Art and \n\tcrafts\nDTSTART:20261201T100000Z\n"
	    "END:VEVENT\nEND:VCALENDAR\n", 0, DAYHUB_OK, NULL, NULL, 1,
	    "Art and crafts" },
	{ "folded inside a character", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
	    "UID:a\r\nSUMMARY:Caf\xc3\r\n \xa9 club\r\n"
	    "DTSTART:20261201T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 0,
	    DAYHUB_OK, NULL, NULL, 1, "Caf\xc3\xa9 club" },
	{ "folded inside a name", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
	    "SUMM\r\n ARY:Split name\r\nDTST\r\n ART:20261201T100000Z\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n", 0, DAYHUB_OK, NULL, NULL, 1,
	    "Split name" },
	{ "a byte order mark", "\xef\xbb\xbf" "BEGIN:VCALENDAR\r\n"
	    "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Bom\r\nDTSTART:20261201T100000Z"
	    "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 0, DAYHUB_OK, NULL, NULL, 1,
	    "Bom" },
	{ "blank lines and space first", "\r\n  \r\nBEGIN:VCALENDAR\r\n\r\n"
	    "BEGIN:VEVENT\r\nUID:a\r\n\r\nSUMMARY:Blank\r\n"
	    "DTSTART:20261201T100000Z\r\nEND:VEVENT\r\n\r\nEND:VCALENDAR\r\n"
	    "\r\n", 0, DAYHUB_OK, NULL, NULL, 1, "Blank" },
	{ "lower case BEGIN and END", "begin:vcalendar\nbegin:vevent\nuid:a\n"
	    "summary:Lower\ndtstart:20261201T100000Z\nend:vevent\n"
	    "end:vcalendar\n", 0, DAYHUB_OK, NULL, NULL, 1, "Lower" },
	{ "an empty calendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "END:VCALENDAR\r\n", 0, DAYHUB_OK, NULL, NULL, 0, NULL },
	{ "two calendars in one file", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
	    "UID:a\r\nSUMMARY:First\r\nDTSTART:20261201T100000Z\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
	    "UID:b\r\nSUMMARY:Second\r\nDTSTART:20261202T100000Z\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n", 0, DAYHUB_OK, NULL, NULL, 2,
	    "First" },
	{ "alarms and todos are not events", "BEGIN:VCALENDAR\r\n"
	    "BEGIN:VTODO\r\nUID:t\r\nSUMMARY:Todo\r\nEND:VTODO\r\n"
	    "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Event\r\n"
	    "DTSTART:20261201T100000Z\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
	    "SUMMARY:Alarm\r\nDESCRIPTION:Ring\r\nTRIGGER:-PT15M\r\n"
	    "END:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 0, DAYHUB_OK,
	    NULL, "left out VTODO components: only events (VEVENT) are read",
	    1, "Event" },
	/* repaired */
	{ "a NUL byte", NUL_IN_SUMMARY, sizeof NUL_IN_SUMMARY - 1, DAYHUB_OK,
	    NULL, "removed 1 control characters", 1, "AB" },
	{ "invalid UTF-8", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
	    "SUMMARY:caf\xc3\xa9 \xff ok\r\nDTSTART:20261201T100000Z\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n", 0, DAYHUB_OK, NULL,
	    "replaced 1 invalid UTF-8", 1, "caf\xc3\xa9 \xef\xbf\xbd ok" },
	{ "Windows-1252", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
	    "SUMMARY:\xa3" "5 \x96 tea\r\nDTSTART:20261201T100000Z\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n", 0, DAYHUB_OK, NULL,
	    "read it as Windows-1252", 1, "\xc2\xa3" "5 \xe2\x80\x93 tea" },
	{ "a line that is no content line", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT"
	    "\r\nUID:a\r\nthis is not a property\r\nSUMMARY:Kept\r\n"
	    "DTSTART:20261201T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 0,
	    DAYHUB_OK, NULL, "left out \"this is not a property\": not an "
	    "iCalendar line", 1, "Kept" },
	{ "a bad parameter", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
	    "SUMMARY;LANGUAGE=\"en:Broken\r\nSUMMARY:Kept\r\n"
	    "DTSTART:20261201T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 0,
	    DAYHUB_OK, NULL, "not an iCalendar line", 1, "Kept" },
	{ "an END without its BEGIN", "BEGIN:VCALENDAR\r\nEND:VTODO\r\n"
	    "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Kept\r\nDTSTART:20261201T100000Z"
	    "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 0, DAYHUB_OK, NULL,
	    "left out END:VTODO with no BEGIN:VTODO before it", 1, "Kept" },
	{ "an event without its END", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
	    "UID:a\r\nSUMMARY:Unended\r\nDTSTART:20261201T100000Z\r\n"
	    "END:VCALENDAR\r\n", 0, DAYHUB_OK, NULL, "END:VCALENDAR also ends "
	    "BEGIN:VEVENT of line 2, which had no END", 1, "Unended" },
	{ "text after the calendar", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
	    "UID:a\r\nSUMMARY:Kept\r\nDTSTART:20261201T100000Z\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\nX-JUNK:after\r\n", 0, DAYHUB_OK,
	    NULL, "left out lines after END:VCALENDAR", 1, "Kept" },
	/* refused */
	{ "empty", "", 0, DAYHUB_ERROR, "not iCalendar: the feed is empty",
	    NULL, 0, NULL },
	{ "white space", "  \r\n\t\r\n", 0, DAYHUB_ERROR, "not iCalendar: it "
	    "does not start with BEGIN:VCALENDAR", NULL, 0, NULL },
	{ "plain text", "Hello, this is not a calendar.\n", 0, DAYHUB_ERROR,
	    "not iCalendar: it does not start with BEGIN:VCALENDAR", NULL, 0,
	    NULL },
	{ "garbage", GARBAGE, sizeof GARBAGE - 1, DAYHUB_ERROR,
	    "not iCalendar", NULL, 0, NULL },
	{ "json", "{\"items\": []}", 0, DAYHUB_ERROR, "does not start with "
	    "BEGIN:VCALENDAR", NULL, 0, NULL },
	{ "an html page", "<!DOCTYPE html><html><body>BEGIN:VCALENDAR</body>"
	    "</html>", 0, DAYHUB_ERROR, "not iCalendar: the XML root element "
	    "is <html>", NULL, 0, NULL },
	{ "broken html", "<html><body><p>BEGIN:VCALENDAR</body></html>", 0,
	    DAYHUB_ERROR, "not iCalendar: the XML is not well-formed", NULL, 0,
	    NULL },
	{ "an RSS feed", "<?xml version=\"1.0\"?><rss version=\"2.0\">"
	    "<channel/></rss>", 0, DAYHUB_ERROR, "not iCalendar: the XML root "
	    "element is <rss>", NULL, 0, NULL },
	{ "a bare event", "BEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\n", 0,
	    DAYHUB_ERROR, "does not start with BEGIN:VCALENDAR", NULL, 0,
	    NULL },
	{ "junk before the calendar", "Warning: something\r\n"
	    "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", 0, DAYHUB_ERROR,
	    "does not start with BEGIN:VCALENDAR", NULL, 0, NULL },
	{ "UTF-16", UTF16_CAL, sizeof UTF16_CAL - 1, DAYHUB_ERROR,
	    "UTF-16", NULL, 0, NULL },
	{ "truncated inside an event", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
	    "UID:a\r\nSUMMARY:Complete\r\nDTSTART:20261201T100000Z\r\n"
	    "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Cut sh", 0,
	    DAYHUB_ERROR, "the calendar is not whole: END:VCALENDAR is "
	    "missing (the VEVENT begun on line 7", NULL, 0, NULL },
	{ "missing END:VCALENDAR", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
	    "UID:a\r\nSUMMARY:Complete\r\nDTSTART:20261201T100000Z\r\n"
	    "END:VEVENT\r\n", 0, DAYHUB_ERROR, "the calendar is not whole: "
	    "END:VCALENDAR is missing", NULL, 0, NULL },
	{ "the second calendar cut short", "BEGIN:VCALENDAR\r\n"
	    "END:VCALENDAR\r\nBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", 0,
	    DAYHUB_ERROR, "is not whole", NULL, 0, NULL },
};

Test(ical, text_line_ends_folding_and_refusals)
{
	const struct text_case	*c;
	struct testsink		 ts;
	const char		*title;
	char			*sws;
	size_t			 i, len;
	int			 rc;

	for (i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
		c = &text_cases[i];
		len = c->len != 0 ? c->len : strlen(c->data);
		testsink_init(&ts, 0);
		rc = parse_full(&ts, c->data, len, NULL, "Europe/London", 0, 0);
		sws = show(ts.warnings);
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
			    "%s: no warning \"%s\" in %s", c->name, c->warning,
			    sws);
		else if (rc == DAYHUB_OK)
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings %s", c->name, sws);
		if (rc == DAYHUB_OK) {
			cr_expect_eq(json_array_size(ts.records), c->nrecords,
			    "%s: %zu records", c->name,
			    json_array_size(ts.records));
			title = testsink_string(&ts, 0, "title");
			if (c->title != NULL)
				cr_expect(title != NULL &&
				    strcmp(title, c->title) == 0,
				    "%s: title \"%s\", want \"%s\"", c->name,
				    title != NULL ? title : "(none)", c->title);
		}
		expect_protocol(&ts, c->name);
		free(sws);
		testsink_free(&ts);
	}
}

Test(ical, calendar_facts_go_to_feed)
{
	struct testsink	 ts;
	const char	*text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//Club//Cal 1.0//EN\r\n"
	    "X-WR-CALNAME:Art \\& craft\\, club\r\nNAME:Not this one\r\n"
	    "URL:https://club.example.org/whatson\r\n"
	    "X-PUBLISHED-TTL:PT1H30M\r\nEND:VCALENDAR\r\n"
	    "BEGIN:VCALENDAR\r\nX-WR-CALNAME:Second\r\nEND:VCALENDAR\r\n";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, text), DAYHUB_OK);
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed, "title")),
	    "Art \\& craft, club");
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed,
	    "generator")), "-//Club//Cal 1.0//EN");
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed, "link")),
	    "https://club.example.org/whatson");
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed, "ttl")),
	    "90");
	expect_protocol(&ts, "calendar facts");
	testsink_free(&ts);
}

struct wrtz_case {
	const char	*wrtz;		/* X-WR-TIMEZONE line */
	const char	*dtstart;
	const char	*start;
	const char	*timezone;	/* NULL: absent */
	const char	*warning;	/* NULL: none */
};

static const struct wrtz_case wrtz_cases[] = {
	{ "X-WR-TIMEZONE:Europe/Berlin", "DTSTART:20260701T100000",
	    "2026-07-01T10:00:00", "Europe/Berlin", "times without a zone (no "
	    "TZID, no Z) were read in the calendar's X-WR-TIMEZONE, "
	    "Europe/Berlin" },
	{ "X-WR-TIMEZONE:Europe/Berlin", "DTSTART;VALUE=DATE:20260701",
	    "2026-07-01", "Europe/Berlin", NULL },
	{ "X-WR-TIMEZONE:Europe/Berlin", "DTSTART:20260701T100000Z",
	    "2026-07-01T10:00:00+00:00", NULL, NULL },
	{ "X-WR-TIMEZONE:Europe/Berlin",
	    "DTSTART;TZID=Europe/London:20260701T100000",
	    "2026-07-01T10:00:00+01:00", "Europe/London", NULL },
	{ "X-WR-TIMEZONE:GMT Standard Time", "DTSTART:20260701T100000",
	    "2026-07-01T10:00:00", "Europe/London", "X-WR-TIMEZONE, "
	    "Europe/London" },
	{ "X-WR-TIMEZONE:Mars/Olympus_Mons", "DTSTART:20260701T100000",
	    "2026-07-01T10:00:00", NULL, "left out X-WR-TIMEZONE "
	    "\"Mars/Olympus_Mons\": not a zone this module knows" },
	{ "X-WR-TIMEZONE:../../etc/passwd", "DTSTART:20260701T100000",
	    "2026-07-01T10:00:00", NULL, "left out X-WR-TIMEZONE" },
};

Test(ical, x_wr_timezone_places_floating_times)
{
	const struct wrtz_case	*c;
	struct testsink		 ts;
	const char		*got;
	char			*text, *sws;
	size_t			 i;

	for (i = 0; i < sizeof wrtz_cases / sizeof wrtz_cases[0]; i++) {
		c = &wrtz_cases[i];
		if (asprintf(&text, "BEGIN:VCALENDAR\r\n%s\r\nBEGIN:VEVENT\r\n"
		    "UID:a\r\nSUMMARY:x\r\n%s\r\nEND:VEVENT\r\n"
		    "END:VCALENDAR\r\n", c->wrtz, c->dtstart) == -1)
			cr_assert_fail("out of memory");
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, text), DAYHUB_OK, "%s", c->dtstart);
		sws = show(ts.warnings);
		got = testsink_string(&ts, 0, "start");
		cr_expect(got != NULL && strcmp(got, c->start) == 0,
		    "%s %s: start %s, want %s", c->wrtz, c->dtstart,
		    got != NULL ? got : "(none)", c->start);
		got = testsink_string(&ts, 0, "timezone");
		if (c->timezone == NULL)
			cr_expect_null(got, "%s %s: timezone %s", c->wrtz,
			    c->dtstart, got);
		else
			cr_expect(got != NULL && strcmp(got, c->timezone) == 0,
			    "%s %s: timezone %s, want %s", c->wrtz, c->dtstart,
			    got != NULL ? got : "(none)", c->timezone);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s %s: no warning \"%s\" in %s", c->wrtz,
			    c->dtstart, c->warning, sws);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s %s: unexpected warnings %s", c->wrtz,
			    c->dtstart, sws);
		free(sws);
		testsink_free(&ts);
		free(text);
	}
}

/* --- time zones the calendar defines --- */

#define VTZ_LONDON "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n" \
	"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\n" \
	"DTSTART:19700329T010000\r\n" \
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" \
	"END:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\n" \
	"TZOFFSETTO:+0000\r\nDTSTART:19701025T020000\r\n" \
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n" \
	"END:VTIMEZONE\r\n"
#define VTZ_CUSTOM "BEGIN:VTIMEZONE\r\nTZID:Club Time\r\n" \
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\n" \
	"DTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
#define VTZ_SHIFTED "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n" \
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n" \
	"DTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
#define VTZ_DAILY "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n" \
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\n" \
	"DTSTART:16010101T000000\r\nRRULE:FREQ=SECONDLY\r\nEND:STANDARD\r\n" \
	"END:VTIMEZONE\r\n"
#define VTZ_EMPTY "BEGIN:VTIMEZONE\r\nTZID:Empty/Zone\r\nEND:VTIMEZONE\r\n"

struct vtz_case {
	const char	*name;
	const char	*zones;		/* VTIMEZONE blocks */
	const char	*dtstart;
	int		 zones_after;	/* put the zones after the event */
	const char	*start;
	const char	*timezone;	/* NULL: absent */
	const char	*warning;	/* NULL: none */
};

static const struct vtz_case vtz_cases[] = {
	{ "London in summer", VTZ_LONDON,
	    "DTSTART;TZID=Europe/London:20260701T100000", 0,
	    "2026-07-01T10:00:00+01:00", "Europe/London", NULL },
	{ "London in winter", VTZ_LONDON,
	    "DTSTART;TZID=Europe/London:20261201T100000", 0,
	    "2026-12-01T10:00:00+00:00", "Europe/London", NULL },
	{ "the zone after the event", VTZ_LONDON,
	    "DTSTART;TZID=Europe/London:20260701T100000", 1,
	    "2026-07-01T10:00:00+01:00", "Europe/London", NULL },
	{ "the file's zone wins over the builtin one", VTZ_SHIFTED,
	    "DTSTART;TZID=Europe/London:20260701T100000", 0,
	    "2026-07-01T10:00:00+03:00", "Europe/London", NULL },
	{ "a zone of the file's own naming", VTZ_CUSTOM,
	    "DTSTART;TZID=Club Time:20260701T100000", 0,
	    "2026-07-01T10:00:00+05:30", NULL, "the TZID \"Club Time\" is not "
	    "an IANA zone name: its times keep the offsets of its VTIMEZONE" },
	{ "a zone whose rule would expand without end", VTZ_DAILY,
	    "DTSTART;TZID=Europe/Paris:20260701T100000", 0,
	    "2026-07-01T10:00:00+02:00", "Europe/Paris", "left out a VTIMEZONE "
	    "with a recurrence rule that is not yearly" },
	{ "a zone with no parts", VTZ_EMPTY,
	    "DTSTART;TZID=Empty/Zone:20260701T100000", 0,
	    "2026-07-01T10:00:00+01:00", "Europe/London", "it has neither "
	    "STANDARD nor DAYLIGHT" },
	{ "a zone defined twice", VTZ_LONDON VTZ_SHIFTED,
	    "DTSTART;TZID=Europe/London:20260701T100000", 0,
	    "2026-07-01T10:00:00+01:00", "Europe/London", "left out a second "
	    "VTIMEZONE for \"Europe/London\"" },
};

Test(ical, vtimezone_gives_the_offsets)
{
	const struct vtz_case	*c;
	struct testsink		 ts;
	const char		*got;
	char			*text, *sws;
	size_t			 i;

	for (i = 0; i < sizeof vtz_cases / sizeof vtz_cases[0]; i++) {
		c = &vtz_cases[i];
		if (asprintf(&text, "BEGIN:VCALENDAR\r\n%sBEGIN:VEVENT\r\n"
		    "UID:a\r\nSUMMARY:x\r\n%s\r\nEND:VEVENT\r\n%sEND:VCALENDAR"
		    "\r\n", c->zones_after ? "" : c->zones, c->dtstart,
		    c->zones_after ? c->zones : "") == -1)
			cr_assert_fail("out of memory");
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, text), DAYHUB_OK, "%s", c->name);
		sws = show(ts.warnings);
		got = testsink_string(&ts, 0, "start");
		cr_expect(got != NULL && strcmp(got, c->start) == 0,
		    "%s: start %s, want %s", c->name,
		    got != NULL ? got : "(none)", c->start);
		got = testsink_string(&ts, 0, "timezone");
		if (c->timezone == NULL)
			cr_expect_null(got, "%s: timezone %s", c->name, got);
		else
			cr_expect(got != NULL && strcmp(got, c->timezone) == 0,
			    "%s: timezone %s, want %s", c->name,
			    got != NULL ? got : "(none)", c->timezone);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\" in %s", c->name, c->warning,
			    sws);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings %s", c->name, sws);
		expect_protocol(&ts, c->name);
		free(sws);
		testsink_free(&ts);
		free(text);
	}
}

/* The input's zone reads a TZID nobody defines. */
Test(ical, unknown_tzid_reads_in_the_inputs_zone)
{
	struct testsink	 ts;
	const char	*text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
	    "SUMMARY:x\r\nDTSTART;TZID=Club Time:20260701T100000\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_full(&ts, text, strlen(text), NULL,
	    "America/New_York", 0, 0), DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "start"),
	    "2026-07-01T10:00:00-04:00");
	cr_expect_str_eq(testsink_string(&ts, 0, "timezone"),
	    "America/New_York");
	cr_expect(testsink_warned(&ts, "were read in America/New_York"));
	testsink_free(&ts);

	/* No zone, or one libical does not know: Europe/London. */
	testsink_init(&ts, 0);
	cr_assert_eq(parse_full(&ts, text, strlen(text), NULL, NULL, 0, 0),
	    DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "start"),
	    "2026-07-01T10:00:00+01:00");
	testsink_free(&ts);
	testsink_init(&ts, 0);
	cr_assert_eq(parse_full(&ts, text, strlen(text), NULL, "Bogus/Zone",
	    0, 0), DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "timezone"),
	    "Europe/London");
	testsink_free(&ts);
}

/* --- limits --- */

/* A calendar of `n` weekly events, with `over` overrides of the first. */
static char *
many_events(size_t n, size_t over)
{
	struct feedutil_buf	b;
	char			ev[256];
	size_t			i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	for (i = 0; i < n; i++) {
		snprintf(ev, sizeof ev, "BEGIN:VEVENT\r\nUID:e%zu\r\n"
		    "SUMMARY:Event %zu\r\nDTSTART;TZID=Europe/London:"
		    "20261201T100000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\n"
		    "END:VEVENT\r\n", i, i);
		feedutil_buf_adds(&b, ev);
	}
	for (i = 0; i < over; i++) {
		snprintf(ev, sizeof ev, "BEGIN:VEVENT\r\nUID:e0\r\n"
		    "RECURRENCE-ID;TZID=Europe/London:202612%02zuT100000\r\n"
		    "STATUS:CANCELLED\r\nEND:VEVENT\r\n", 1 + i % 28);
		feedutil_buf_adds(&b, ev);
	}
	feedutil_buf_adds(&b, "END:VCALENDAR\r\n");
	cr_assert(!b.failed);
	return feedutil_buf_finish(&b, NULL);
}

Test(ical, max_items_stops_the_parse)
{
	struct testsink	 ts;
	char		*text = many_events(50, 0);

	/* The input's own limit. */
	testsink_init(&ts, 0);
	cr_expect_eq(parse_full(&ts, text, strlen(text), NULL, NULL, 5, 0),
	    DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 5);
	cr_expect_str_eq(testsink_string(&ts, 4, "title"), "Event 4");
	expect_protocol(&ts, "max_items");
	testsink_free(&ts);

	/* The host says STOP: nothing is called after it. */
	testsink_init(&ts, 3);
	cr_expect_eq(parse_full(&ts, text, strlen(text), NULL, NULL, 0, 0),
	    DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 3);
	cr_expect(ts.stopped);
	expect_protocol(&ts, "host stop");
	testsink_free(&ts);

	/* The host says STOP only at begin(): nothing after it either. */
	testsink_init(&ts, 3);
	ts.begin_only = 1;
	cr_expect_eq(parse_full(&ts, text, strlen(text), NULL, NULL, 0, 0),
	    DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 3);
	cr_expect(ts.stopped);
	expect_protocol(&ts, "host stop at begin");
	testsink_free(&ts);

	/* No limit at all. */
	testsink_init(&ts, 0);
	cr_expect_eq(parse_full(&ts, text, strlen(text), NULL, NULL, 0, 0),
	    DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 50);
	testsink_free(&ts);
	free(text);

	/* Overrides after the limit still reach the series before it. */
	text = many_events(10, 3);
	testsink_init(&ts, 0);
	cr_expect_eq(parse_full(&ts, text, strlen(text), NULL, NULL, 2, 0),
	    DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 2);
	cr_expect_eq(json_array_size(testsink_get(&ts, 0, "schedule.exdates")),
	    3);
	testsink_free(&ts);
	free(text);
}

Test(ical, lists_are_capped)
{
	struct feedutil_buf	 b;
	struct testsink		 ts;
	char			 part[64];
	size_t			 i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
	    "SUMMARY:x\r\nDTSTART:20261201T100000Z\r\nRRULE:FREQ=DAILY\r\n"
	    "EXDATE:20261202T100000Z");
	for (i = 1; i < 100; i++) {
		snprintf(part, sizeof part, ",2027%02zu%02zuT100000Z",
		    1 + i / 28, 1 + i % 28);
		feedutil_buf_adds(&b, part);
	}
	feedutil_buf_adds(&b, "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	testsink_init(&ts, 0);
	cr_expect_eq(parse_full(&ts, b.data, b.len, NULL, NULL, 0, 0),
	    DAYHUB_OK);
	cr_expect_eq(json_array_size(testsink_get(&ts, 0, "schedule.exdates")),
	    64);
	cr_expect(testsink_warned(&ts, "an event has more than 64 "
	    "schedule.exdates; the rest were left out"));
	expect_protocol(&ts, "capped list");
	testsink_free(&ts);
	feedutil_buf_free(&b);
}

Test(ical, huge_line_is_left_out_not_fatal)
{
	struct feedutil_buf	 b;
	struct testsink		 ts;
	size_t			 i;
	double			 t0;

	/* A DESCRIPTION of a megabyte, folded every 74 bytes. */
	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
	    "SUMMARY:Still here\r\nDESCRIPTION:");
	for (i = 0; i < 1024 * 1024 / 74; i++)
		feedutil_buf_adds(&b, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n ");
	feedutil_buf_adds(&b, "end\r\nDTSTART:20261201T100000Z\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n");
	cr_assert(!b.failed);
	t0 = now_seconds();
	testsink_init(&ts, 0);
	cr_expect_eq(parse_full(&ts, b.data, b.len, NULL, NULL, 0, 0),
	    DAYHUB_OK);
	cr_expect_lt(now_seconds() - t0, 5.0);
	cr_expect_eq(json_array_size(ts.records), 1);
	cr_expect_str_eq(testsink_string(&ts, 0, "title"), "Still here");
	cr_expect_null(testsink_get(&ts, 0, "summary"));
	cr_expect(testsink_warned(&ts, "left out a DESCRIPTION line of more "
	    "than 262144 bytes"));
	cr_expect_eq(warning_line(&ts, "left out a DESCRIPTION"), 5);
	expect_protocol(&ts, "huge line");
	testsink_free(&ts);

	/* A line just under the cap is read, and cut to the host's. */
	b.len = 0;
	feedutil_buf_adds(&b, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
	    "SUMMARY:x\r\nDTSTART:20261201T100000Z\r\nDESCRIPTION:");
	for (i = 0; i < 200000; i++)
		feedutil_buf_addc(&b, "abcdefgh "[i % 9]);
	feedutil_buf_adds(&b, "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	testsink_init(&ts, 0);
	cr_expect_eq(parse_full(&ts, b.data, b.len, NULL, NULL, 0, 0),
	    DAYHUB_OK);
	cr_expect_leq(strlen(testsink_string(&ts, 0, "summary")),
	    FEEDUTIL_MAX_TEXT);
	testsink_free(&ts);
	feedutil_buf_free(&b);
}

Test(ical, deep_nesting_is_refused)
{
	struct feedutil_buf	 b;
	struct testsink		 ts;
	size_t			 i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "BEGIN:VCALENDAR\r\n");
	for (i = 0; i < 10000; i++)
		feedutil_buf_adds(&b, "BEGIN:X-DEEP\r\n");
	for (i = 0; i < 10000; i++)
		feedutil_buf_adds(&b, "END:X-DEEP\r\n");
	feedutil_buf_adds(&b, "END:VCALENDAR\r\n");
	testsink_init(&ts, 0);
	cr_expect_eq(parse_full(&ts, b.data, b.len, NULL, NULL, 0, 0),
	    DAYHUB_ERROR);
	cr_expect(ts.error != NULL && strstr(ts.error, "components are nested "
	    "more than 16 deep (line 17)") != NULL, "error: %s",
	    ts.error != NULL ? ts.error : "(none)");
	testsink_free(&ts);

	/* The input's max_depth, when smaller, is the limit. */
	testsink_init(&ts, 0);
	b.len = 0;
	feedutil_buf_adds(&b, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
	    "BEGIN:VALARM\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	cr_expect_eq(parse_full(&ts, b.data, b.len, NULL, NULL, 0, 2),
	    DAYHUB_ERROR);
	cr_expect(ts.error != NULL && strstr(ts.error, "more than 2 deep") !=
	    NULL);
	testsink_free(&ts);
	feedutil_buf_free(&b);
}

Test(ical, many_bad_lines_are_counted_not_each_warned)
{
	struct feedutil_buf	 b;
	struct testsink		 ts;
	size_t			 i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "BEGIN:VCALENDAR\r\n");
	for (i = 0; i < 500; i++)
		feedutil_buf_adds(&b, "this is not a line\r\n");
	feedutil_buf_adds(&b, "END:VCALENDAR\r\n");
	testsink_init(&ts, 0);
	cr_expect_eq(parse_full(&ts, b.data, b.len, NULL, NULL, 0, 0),
	    DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.warnings), 11);
	cr_expect(testsink_warned(&ts, "left out 490 more lines that were not "
	    "iCalendar lines"));
	testsink_free(&ts);
	feedutil_buf_free(&b);
}

Test(ical, big_calendar_is_quick_and_bounded)
{
	struct testsink	 ts;
	char		*text = many_events(5000, 500);
	double		 t0;
	long		 rss0;

	rss0 = max_rss_kb();
	t0 = now_seconds();
	testsink_init(&ts, 0);
	cr_expect_eq(parse_full(&ts, text, strlen(text), NULL, NULL, 0, 0),
	    DAYHUB_OK);
	cr_expect_lt(now_seconds() - t0, 10.0, "took %.2f s",
	    now_seconds() - t0);
	cr_expect_lt(max_rss_kb() - rss0, 256 * 1024, "grew by %ld KB",
	    max_rss_kb() - rss0);
	cr_expect_eq(json_array_size(ts.records), 5000);
	expect_protocol(&ts, "big calendar");
	testsink_free(&ts);
	free(text);
}

/* --- xCal --- */

#define XCAL_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<icalendar xmlns=\"" XCAL_NS "\"><vcalendar><properties>" \
	"<prodid><text>-//dayhub//tests//EN</text></prodid>" \
	"<version><text>2.0</text></version></properties><components>"
#define XCAL_TAIL "</components></vcalendar></icalendar>\n"
#define XCAL_EVENT(props) "<vevent><properties>" \
	"<uid><text>x-1</text></uid>" props "</properties></vevent>"

struct xcal_case {
	const char	*name;
	const char	*components;
	const char	*field;		/* of the first record */
	const char	*expect;	/* JSON text; NULL: absent */
	const char	*warning;	/* NULL: none */
};

static const struct xcal_case xcal_cases[] = {
	{ "a zoned start", XCAL_EVENT("<summary><text>Art</text></summary>"
	    "<dtstart><parameters><tzid><text>Europe/London</text></tzid>"
	    "</parameters><date-time>2026-07-01T10:00:00</date-time>"
	    "</dtstart>"),
	    "start", "\"2026-07-01T10:00:00+01:00\"", NULL },
	{ "a UTC start and end", XCAL_EVENT("<summary><text>Art</text>"
	    "</summary><dtstart><date-time>2026-12-01T10:00:00Z</date-time>"
	    "</dtstart><dtend><date-time>2026-12-01T12:00:00Z</date-time>"
	    "</dtend>"), "end", "\"2026-12-01T12:00:00+00:00\"", NULL },
	{ "a floating start", XCAL_EVENT("<summary><text>Art</text></summary>"
	    "<dtstart><date-time>2026-12-01T10:00:00</date-time></dtstart>"),
	    "start", "\"2026-12-01T10:00:00\"", NULL },
	{ "all day", XCAL_EVENT("<summary><text>Fete</text></summary>"
	    "<dtstart><date>2027-06-12</date></dtstart><dtend>"
	    "<date>2027-06-14</date></dtend>"), "end", "\"2027-06-13\"", NULL },
	{ "a duration", XCAL_EVENT("<summary><text>Art</text></summary>"
	    "<dtstart><date-time>2026-12-01T10:00:00Z</date-time></dtstart>"
	    "<duration><duration>PT1H45M</duration></duration>"), "end",
	    "\"2026-12-01T11:45:00+00:00\"", NULL },
	{ "a rule", XCAL_EVENT("<summary><text>Art</text></summary>"
	    "<dtstart><date-time>2026-12-01T10:00:00Z</date-time></dtstart>"
	    "<rrule><recur><freq>WEEKLY</freq><until>2027-06-30T23:59:59Z"
	    "</until><interval>2</interval><byday>TU</byday><byday>TH</byday>"
	    "</recur></rrule>"), "schedule.rrule",
	    "\"FREQ=WEEKLY;UNTIL=20270630T235959Z;INTERVAL=2;BYDAY=TU,TH\"",
	    NULL },
	{ "exdates", XCAL_EVENT("<summary><text>Art</text></summary>"
	    "<dtstart><date-time>2026-12-01T10:00:00Z</date-time></dtstart>"
	    "<rrule><recur><freq>WEEKLY</freq></recur></rrule>"
	    "<exdate><date-time>2026-12-08T10:00:00Z</date-time>"
	    "<date-time>2026-12-15T10:00:00Z</date-time></exdate>"),
	    "schedule.exdates", "[\"2026-12-08T10:00:00+00:00\", "
	    "\"2026-12-15T10:00:00+00:00\"]", NULL },
	{ "rdates as periods", XCAL_EVENT("<summary><text>Art</text>"
	    "</summary><dtstart><date-time>2026-12-01T10:00:00Z</date-time>"
	    "</dtstart><rdate><period><start>2026-12-03T10:00:00Z</start>"
	    "<duration>PT2H</duration></period></rdate>"), "schedule.rdates",
	    "[\"2026-12-03T10:00:00+00:00\"]", NULL },
	{ "text needs no escapes", XCAL_EVENT("<summary><text>Tea, cake; "
	    "and \\ more</text></summary><dtstart><date-time>"
	    "2026-12-01T10:00:00Z</date-time></dtstart>"), "title",
	    "\"Tea, cake; and \\\\ more\"", NULL },
	{ "a description over lines", XCAL_EVENT("<summary><text>x</text>"
	    "</summary><description><text>One\nTwo</text></description>"
	    "<dtstart><date-time>2026-12-01T10:00:00Z</date-time></dtstart>"),
	    "summary", "\"One\\nTwo\"", NULL },
	{ "categories", XCAL_EVENT("<summary><text>x</text></summary>"
	    "<categories><text>Arts, crafts</text><text>Social</text>"
	    "</categories><dtstart><date-time>2026-12-01T10:00:00Z</date-time>"
	    "</dtstart>"), "categories", "[\"Arts, crafts\", \"Social\"]",
	    NULL },
	{ "geo", XCAL_EVENT("<summary><text>x</text></summary><geo>"
	    "<latitude>50.86</latitude><longitude>-2.16</longitude></geo>"
	    "<dtstart><date-time>2026-12-01T10:00:00Z</date-time></dtstart>"),
	    "location", "{\"lat\": \"50.86\", \"lon\": \"-2.16\"}", NULL },
	{ "an organizer", XCAL_EVENT("<summary><text>x</text></summary>"
	    "<organizer><parameters><cn><text>Bloggs, \"Jo\"</text></cn>"
	    "</parameters><cal-address>mailto:jo@example.org</cal-address>"
	    "</organizer><dtstart><date-time>2026-12-01T10:00:00Z</date-time>"
	    "</dtstart>"), "organiser",
	    "{\"name\": \"Bloggs, 'Jo'\", \"email\": \"jo@example.org\"}",
	    NULL },
	{ "a url", XCAL_EVENT("<summary><text>x</text></summary><url><uri>"
	    "https://club.example.org/a?b=1&amp;c=2</uri></url><dtstart>"
	    "<date-time>2026-12-01T10:00:00Z</date-time></dtstart>"), "url",
	    "\"https://club.example.org/a?b=1&c=2\"", NULL },
	{ "dayhub's extension", XCAL_EVENT("<summary><text>x</text></summary>"
	    "<x-dayhub-access><text>wheelchair</text><text>bsl</text>"
	    "</x-dayhub-access><x-dayhub-cost-min><unknown>2.50</unknown>"
	    "</x-dayhub-cost-min><dtstart><date-time>2026-12-01T10:00:00Z"
	    "</date-time></dtstart>"), "access", "[\"wheelchair\", \"bsl\"]",
	    NULL },
	{ "a moved instance", XCAL_EVENT("<summary><text>x</text></summary>"
	    "<dtstart><date-time>2026-12-01T10:00:00Z</date-time></dtstart>"
	    "<rrule><recur><freq>WEEKLY</freq></recur></rrule>")
	    XCAL_EVENT("<recurrence-id><date-time>2026-12-08T10:00:00Z"
	    "</date-time></recurrence-id><dtstart><date-time>"
	    "2026-12-09T10:00:00Z</date-time></dtstart>"), "schedule",
	    "{\"rrule\": \"FREQ=WEEKLY\", \"exdates\": "
	    "[\"2026-12-08T10:00:00+00:00\"], \"rdates\": "
	    "[\"2026-12-09T10:00:00+00:00\"], \"timezone\": null}", NULL },
	{ "a cancelled instance", XCAL_EVENT("<summary><text>x</text>"
	    "</summary><dtstart><date-time>2026-12-01T10:00:00Z</date-time>"
	    "</dtstart><rrule><recur><freq>WEEKLY</freq></recur></rrule>")
	    XCAL_EVENT("<recurrence-id><date-time>2026-12-08T10:00:00Z"
	    "</date-time></recurrence-id><status><text>CANCELLED</text>"
	    "</status>"), "schedule.exdates",
	    "[\"2026-12-08T10:00:00+00:00\"]", NULL },
	{ "a cancelled series", XCAL_EVENT("<summary><text>x</text></summary>"
	    "<status><text>CANCELLED</text></status><dtstart><date-time>"
	    "2026-12-01T10:00:00Z</date-time></dtstart>"), "state",
	    "\"deleted\"", NULL },
	{ "a zone of the file", "<vtimezone><properties><tzid><text>Club Time"
	    "</text></tzid></properties><components><standard><properties>"
	    "<dtstart><date-time>1970-01-01T00:00:00</date-time></dtstart>"
	    "<tzoffsetfrom><utc-offset>+05:30</utc-offset></tzoffsetfrom>"
	    "<tzoffsetto><utc-offset>+05:30</utc-offset></tzoffsetto>"
	    "</properties></standard></components></vtimezone>"
	    XCAL_EVENT("<summary><text>x</text></summary><dtstart><parameters>"
	    "<tzid><text>Club Time</text></tzid></parameters><date-time>"
	    "2026-12-01T10:00:00</date-time></dtstart>"), "start",
	    "\"2026-12-01T10:00:00+05:30\"", "is not an IANA zone name" },
	{ "a bad date", XCAL_EVENT("<summary><text>x</text></summary>"
	    "<dtstart><date-time>2026-13-45T10:00:00</date-time></dtstart>"),
	    "title", NULL, "the DTSTART \"20261345T100000\" is not a date" },
	{ "a value without its type", XCAL_EVENT("<summary>Art, and tea"
	    "</summary><dtstart><date-time>2026-12-01T10:00:00Z</date-time>"
	    "</dtstart>"), "title", "\"Art, and tea\"", NULL },
	{ "elements of other namespaces", XCAL_EVENT("<summary><text>x</text>"
	    "</summary><o:note xmlns:o=\"urn:other\"><text>no</text></o:note>"
	    "<dtstart><date-time>2026-12-01T10:00:00Z</date-time></dtstart>"),
	    "title", "\"x\"", NULL },
};

Test(ical, xcal_is_read_like_icalendar)
{
	const struct xcal_case	*c;
	struct testsink		 ts;
	json_t			*want, *got, *v;
	const char		*key;
	char			*text, *sg, *sw, *sws;
	size_t			 i;
	int			 match;

	for (i = 0; i < sizeof xcal_cases / sizeof xcal_cases[0]; i++) {
		c = &xcal_cases[i];
		if (asprintf(&text, XCAL_HEAD "%s" XCAL_TAIL, c->components) ==
		    -1)
			cr_assert_fail("out of memory");
		cr_expect_eq(module()->sniff((const unsigned char *)text,
		    strlen(text), NULL), DAYHUB_SNIFF_CERTAIN, "%s: sniff",
		    c->name);
		testsink_init(&ts, 0);
		cr_expect_eq(parse_full(&ts, text, strlen(text),
		    "application/calendar+xml", NULL, 0, 0), DAYHUB_OK,
		    "%s: %s", c->name, ts.error != NULL ? ts.error : "");
		got = testsink_get(&ts, 0, c->field);
		want = c->expect != NULL ?
		    json_loads(c->expect, JSON_DECODE_ANY, NULL) : NULL;
		cr_assert(c->expect == NULL || want != NULL, "bad row %s",
		    c->expect);
		/* In an object, a null member of `want` must be absent. */
		if (json_is_object(want) && json_is_object(got)) {
			match = 1;
			json_object_foreach(want, key, v) {
				if (json_is_null(v) ? json_object_get(got,
				    key) != NULL : !json_equal(v,
				    json_object_get(got, key)))
					match = 0;
			}
		} else
			match = want == NULL ? got == NULL :
			    json_equal(want, got);
		sg = show(got);
		sw = show(want);
		sws = show(ts.warnings);
		cr_expect(match, "%s: %s is %s, want %s", c->name, c->field, sg,
		    sw);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\" in %s", c->name, c->warning,
			    sws);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings %s", c->name, sws);
		expect_protocol(&ts, c->name);
		free(sg);
		free(sw);
		free(sws);
		json_decref(want);
		testsink_free(&ts);
		free(text);
	}
}

/* The line of an xCal warning is the line of the XML element. */
Test(ical, xcal_warnings_name_the_xml_line)
{
	struct testsink	 ts;
	const char	*text = "<icalendar xmlns=\"" XCAL_NS "\">\n"
	    "<vcalendar>\n<components>\n<vevent>\n<properties>\n"
	    "<uid><text>a</text></uid>\n<summary><text>x</text></summary>\n"
	    "<dtstart>\n<date-time>2026-12-01T10:00:00Z</date-time>\n"
	    "</dtstart>\n<geo><latitude>95</latitude><longitude>0</longitude>"
	    "</geo>\n</properties>\n</vevent>\n</components>\n</vcalendar>\n"
	    "</icalendar>\n";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, text), DAYHUB_OK);
	cr_expect_eq(warning_line(&ts, "left out the GEO"), 11);
	testsink_free(&ts);
}

struct xbad_case {
	const char	*name;
	const char	*data;
	int		 rc;
	const char	*error;		/* NULL: none */
	const char	*warning;	/* NULL: not checked */
};

static const struct xbad_case xbad_cases[] = {
	{ "truncated", XCAL_HEAD XCAL_EVENT("<summary><text>x</text></summary>"
	    "<dtstart><date-time>2026-12-01T10:00:00Z</date-time></dtstart>")
	    "<vevent><properties><uid><text>cut", DAYHUB_ERROR,
	    "the calendar is not whole: its XML breaks off before "
	    "</icalendar>", NULL },
	{ "not well-formed", XCAL_HEAD "<vevent><properties></vevent>"
	    XCAL_TAIL, DAYHUB_ERROR, "not iCalendar: the XML is not "
	    "well-formed (Opening and ending tag mismatch", NULL },
	{ "another root", "<?xml version=\"1.0\"?><feed xmlns=\"http://"
	    "www.w3.org/2005/Atom\"/>", DAYHUB_ERROR, "not iCalendar: the XML "
	    "root element is <feed>, not xCal's <icalendar>", NULL },
	{ "no vcalendar", "<icalendar xmlns=\"" XCAL_NS "\"/>", DAYHUB_ERROR,
	    "<icalendar> holds no <vcalendar>", NULL },
	{ "no namespace", "<icalendar><vcalendar><components><vevent>"
	    "<properties><uid><text>a</text></uid><summary><text>x</text>"
	    "</summary><dtstart><date-time>2026-12-01T10:00:00Z</date-time>"
	    "</dtstart></properties></vevent></components></vcalendar>"
	    "</icalendar>", DAYHUB_OK, NULL, "<icalendar> is not in the xCal "
	    "namespace" },
	{ "an internal entity", "<!DOCTYPE icalendar [<!ENTITY club "
	    "\"Blandford Arts\">]><icalendar xmlns=\"" XCAL_NS "\"><vcalendar>"
	    "<components><vevent><properties><uid><text>a</text></uid>"
	    "<summary><text>&club; club</text></summary><dtstart><date-time>"
	    "2026-12-01T10:00:00Z</date-time></dtstart></properties></vevent>"
	    "</components></vcalendar></icalendar>", DAYHUB_OK, NULL,
	    "left out the entity reference &club;" },
};

Test(ical, xcal_refusals)
{
	const struct xbad_case	*c;
	struct testsink		 ts;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof xbad_cases / sizeof xbad_cases[0]; i++) {
		c = &xbad_cases[i];
		testsink_init(&ts, 0);
		rc = parse_full(&ts, c->data, strlen(c->data), NULL, NULL, 0,
		    0);
		cr_expect_eq(rc, c->rc, "%s: rc %d (%s)", c->name, rc,
		    ts.error != NULL ? ts.error : "no error");
		if (c->error != NULL)
			cr_expect(ts.error != NULL &&
			    strstr(ts.error, c->error) != NULL,
			    "%s: error \"%s\", want \"%s\"", c->name,
			    ts.error != NULL ? ts.error : "(none)", c->error);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\"", c->name, c->warning);
		expect_protocol(&ts, c->name);
		testsink_free(&ts);
	}
}

Test(ical, xcal_external_entities_never_leak_a_file)
{
	static const char	 secret[] = "dayhub-ical-secret-51c3";
	struct testsink		 ts;
	const char		*tmp = getenv("TMPDIR");
	char			 dir[PATH_MAX];
	char			*path, *xml;
	FILE			*f;

	snprintf(dir, sizeof dir, "%s/dayhub-ical-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s: %s", dir,
	    strerror(errno));
	if (asprintf(&path, "%s/secret.txt", dir) == -1)
		cr_assert_fail("out of memory");
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f, "%s\n", secret);
	fclose(f);
	if (asprintf(&xml, "<!DOCTYPE icalendar [<!ENTITY x SYSTEM "
	    "\"file://%s\">]><icalendar xmlns=\"" XCAL_NS "\"><vcalendar>"
	    "<components><vevent><properties><uid><text>a</text></uid>"
	    "<summary><text>t &x;</text></summary><description><text>&x;"
	    "</text></description><dtstart><date-time>2026-12-01T10:00:00Z"
	    "</date-time></dtstart></properties></vevent></components>"
	    "</vcalendar></icalendar>", path) == -1)
		cr_assert_fail("out of memory");
	testsink_init(&ts, 0);
	parse_full(&ts, xml, strlen(xml), NULL, NULL, 0, 0);
	cr_expect(!sink_mentions(&ts, secret), "the file leaked");
	expect_protocol(&ts, "xxe");
	testsink_free(&ts);
	unlink(path);
	rmdir(dir);
	free(path);
	free(xml);
}

Test(ical, xcal_entity_bomb_ends_quickly)
{
	struct testsink	 ts;
	const char	*xml = "<?xml version=\"1.0\"?><!DOCTYPE icalendar ["
	    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
	    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
	    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
	    "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
	    "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">"
	    "<!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">"
	    "]><icalendar xmlns=\"" XCAL_NS "\"><vcalendar><components>"
	    "<vevent><properties><uid><text>a</text></uid><summary><text>&i;"
	    "</text></summary><dtstart><date-time>2026-12-01T10:00:00Z"
	    "</date-time></dtstart></properties></vevent></components>"
	    "</vcalendar></icalendar>";
	double		 t0;
	long		 rss0;

	rss0 = max_rss_kb();
	t0 = now_seconds();
	testsink_init(&ts, 0);
	parse_full(&ts, xml, strlen(xml), NULL, NULL, 0, 0);
	cr_expect_lt(now_seconds() - t0, 2.0);
	cr_expect_lt(max_rss_kb() - rss0, 64 * 1024);
	cr_expect(!sink_mentions(&ts, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaa"));
	expect_protocol(&ts, "bomb");
	testsink_free(&ts);
}

Test(ical, xcal_deep_nesting_is_refused)
{
	struct feedutil_buf	 b;
	struct testsink		 ts;
	size_t			 i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<icalendar xmlns=\"" XCAL_NS "\"><vcalendar>");
	for (i = 0; i < 10000; i++)
		feedutil_buf_adds(&b, "<components><x-deep>");
	for (i = 0; i < 10000; i++)
		feedutil_buf_adds(&b, "</x-deep></components>");
	feedutil_buf_adds(&b, "</vcalendar></icalendar>");
	testsink_init(&ts, 0);
	cr_expect_eq(parse_full(&ts, b.data, b.len, NULL, NULL, 0, 0),
	    DAYHUB_ERROR);
	cr_expect_not_null(ts.error);
	testsink_free(&ts);
	feedutil_buf_free(&b);
}

/* --- sniffing --- */

struct sniff_case {
	const char	*name;
	const char	*data;
	const char	*content_type;
	int		 expect;
};

static const struct sniff_case sniff_cases[] = {
	{ "icalendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", NULL,
	    DAYHUB_SNIFF_CERTAIN },
	{ "icalendar, lower case", "begin:vcalendar\n", NULL,
	    DAYHUB_SNIFF_CERTAIN },
	{ "icalendar after a BOM and blank lines", "\xef\xbb\xbf\r\n\r\n  "
	    "BEGIN:VCALENDAR\r\n", "text/html", DAYHUB_SNIFF_CERTAIN },
	{ "only the start of it", "BEGIN:VCALENDAR", NULL,
	    DAYHUB_SNIFF_CERTAIN },
	{ "xcal", "<?xml version=\"1.0\"?>\n<icalendar xmlns=\"" XCAL_NS "\">"
	    "<vcalendar/></icalendar>", NULL, DAYHUB_SNIFF_CERTAIN },
	{ "xcal with a prefix", "<xc:icalendar xmlns:xc='" XCAL_NS "'>", NULL,
	    DAYHUB_SNIFF_CERTAIN },
	{ "xcal with a comment first", "<!-- calendar -->\n<icalendar\n"
	    "  xmlns=\"" XCAL_NS "\">", NULL, DAYHUB_SNIFF_CERTAIN },
	{ "xcal in no namespace", "<icalendar><vcalendar/></icalendar>",
	    NULL, DAYHUB_SNIFF_LIKELY },
	{ "xcal in another namespace", "<icalendar xmlns=\"urn:other\">", NULL,
	    DAYHUB_SNIFF_LIKELY },
	{ "text/calendar after junk", "PHP Warning: headers sent\r\n"
	    "BEGIN:VCALENDAR\r\n", "text/calendar; charset=utf-8",
	    DAYHUB_SNIFF_LIKELY },
	{ "junk without the type", "PHP Warning: headers sent\r\n"
	    "BEGIN:VCALENDAR\r\n", NULL, DAYHUB_SNIFF_NO },
	{ "text/calendar, not a calendar", "Not found", "text/calendar",
	    DAYHUB_SNIFF_NO },
	{ "text/calendar, an html page", "<html><body>BEGIN:VCALENDAR",
	    "text/calendar", DAYHUB_SNIFF_NO },
	{ "a bare event", "BEGIN:VEVENT\r\n", NULL, DAYHUB_SNIFF_NO },
	{ "rss", "<rss version=\"2.0\"><channel/></rss>", NULL,
	    DAYHUB_SNIFF_NO },
	{ "rss said to be a calendar", "<rss version=\"2.0\">",
	    "text/calendar", DAYHUB_SNIFF_NO },
	{ "atom", "<feed xmlns=\"http://www.w3.org/2005/Atom\">", NULL,
	    DAYHUB_SNIFF_NO },
	{ "json", "{\"items\": []}", "application/json", DAYHUB_SNIFF_NO },
	{ "empty", "", "text/calendar", DAYHUB_SNIFF_NO },
	{ "white space", " \r\n\t", "text/calendar", DAYHUB_SNIFF_NO },
};

Test(ical, sniff_scores)
{
	const struct sniff_case	*c;
	size_t			 i;
	int			 got;

	for (i = 0; i < sizeof sniff_cases / sizeof sniff_cases[0]; i++) {
		c = &sniff_cases[i];
		got = module()->sniff((const unsigned char *)c->data,
		    strlen(c->data), c->content_type);
		cr_expect_eq(got, c->expect, "%s: %d, want %d", c->name, got,
		    c->expect);
	}
	/* Bytes that are not text, and no bytes at all. */
	cr_expect_eq(module()->sniff((const unsigned char *)GARBAGE,
	    sizeof GARBAGE - 1, "text/calendar"), DAYHUB_SNIFF_NO);
	cr_expect_eq(module()->sniff(NULL, 0, NULL), DAYHUB_SNIFF_NO);
}

/* --- fixtures --- */

struct fixture_case {
	const char	*file;
	int		 rc;
	size_t		 nrecords;
	const char	*error;		/* part of the error, or NULL */
	const char	*warnings[3];	/* each must be given; none others */
	const char	*absent;	/* must appear nowhere in the output */
};

static const struct fixture_case fixture_cases[] = {
	{ "google-community-centre.ics", DAYHUB_OK, 3, NULL, { NULL },
	    "Coffee morning (Thursday this week)" },
	{ "google-community-centre.xml", DAYHUB_OK, 3, NULL, { NULL },
	    "Coffee morning (Thursday this week)" },
	{ "outlook-windows-zone.ics", DAYHUB_OK, 2, NULL,
	    { "the TZID \"GMT Standard Time\" is a Windows zone name: read as "
	    "Europe/London", "left out 1 private event", NULL },
	    "Volunteer supervision" },
	{ "all-day-fete.ics", DAYHUB_OK, 3, NULL, { NULL }, NULL },
	{ "all-day-fete.xml", DAYHUB_OK, 3, NULL, { NULL }, NULL },
	{ "truncated.ics", DAYHUB_ERROR, 0, "the calendar is not whole: "
	    "END:VCALENDAR is missing", { NULL }, NULL },
};

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
		cr_expect(json_equal(want, got),
		    "%s record %zu:\n got %s\nwant %s", file, n, sg, sw);
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

Test(ical, fixtures)
{
	const struct fixture_case	*c;
	struct testsink			 ts;
	char				*path, *data, *sws;
	size_t				 i, k, len, nwarn;
	int				 rc;

	for (i = 0; i < sizeof fixture_cases / sizeof fixture_cases[0]; i++) {
		c = &fixture_cases[i];
		path = fixture_path(c->file);
		cr_assert_not_null(data = slurp(path, &len), "cannot read %s "
		    "(is DAYHUB_SRCDIR set?)", path);
		testsink_init(&ts, 0);
		rc = parse_full(&ts, data, len, NULL, "Europe/London",
		    FEED_MAX_ITEMS, FEED_MAX_DEPTH);
		sws = show(ts.warnings);
		cr_expect_eq(rc, c->rc, "%s: rc %d (%s)", c->file, rc,
		    ts.error != NULL ? ts.error : "no error");
		cr_expect_eq(json_array_size(ts.records), c->nrecords,
		    "%s: %zu records", c->file, json_array_size(ts.records));
		if (c->error != NULL)
			cr_expect(ts.error != NULL &&
			    strstr(ts.error, c->error) != NULL,
			    "%s: error %s", c->file,
			    ts.error != NULL ? ts.error : "(none)");
		for (k = 0, nwarn = 0; k < 3 && c->warnings[k] != NULL; k++) {
			nwarn++;
			cr_expect(testsink_warned(&ts, c->warnings[k]),
			    "%s: no warning \"%s\" in %s", c->file,
			    c->warnings[k], sws);
		}
		if (rc == DAYHUB_OK)
			cr_expect_eq(json_array_size(ts.warnings), nwarn,
			    "%s: warnings %s", c->file, sws);
		if (c->absent != NULL)
			cr_expect(!sink_mentions(&ts, c->absent),
			    "%s: \"%s\" in the output", c->file, c->absent);
		if (rc == DAYHUB_OK)
			expect_golden(&ts, c->file);
		expect_protocol(&ts, c->file);
		free(sws);
		testsink_free(&ts);
		free(data);
		free(path);
	}
}

/* The feed facts of the fixtures, the same from text and from xCal. */
Test(ical, fixture_feed_facts)
{
	static const char *const files[] = {
		"all-day-fete.ics", "all-day-fete.xml",
	};
	struct testsink	 ts;
	char		*path, *data;
	size_t		 i, len;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		path = fixture_path(files[i]);
		cr_assert_not_null(data = slurp(path, &len));
		testsink_init(&ts, 0);
		cr_expect_eq(parse_full(&ts, data, len, NULL, NULL, 0, 0),
		    DAYHUB_OK);
		cr_expect_str_eq(json_string_value(json_object_get(ts.feed,
		    "title")), "Sturminster Newton Summer Fete", "%s",
		    files[i]);
		cr_expect_str_eq(json_string_value(json_object_get(ts.feed,
		    "ttl")), "360", "%s", files[i]);
		cr_expect_str_eq(json_string_value(json_object_get(ts.feed,
		    "generator")), "-//Sturminster Newton Fete Committee//"
		    "Events 2.1//EN", "%s", files[i]);
		testsink_free(&ts);
		free(data);
		free(path);
	}
}

/* --- threads --- */

struct thread_job {
	const char	*data;
	size_t		 len;
	char		*dump;
};

static void *
parse_thread(void *arg)
{
	struct thread_job	*job = arg;
	struct testsink		 ts;
	int			 i;

	for (i = 0; i < 20; i++) {
		testsink_init(&ts, 0);
		parse_full(&ts, job->data, job->len, NULL, NULL, 0, 0);
		free(job->dump);
		job->dump = testsink_dump(&ts);
		testsink_free(&ts);
	}
	return NULL;
}

Test(ical, parses_from_many_threads_alike)
{
	static const char *const files[] = {
		"google-community-centre.ics", "outlook-windows-zone.ics",
		"all-day-fete.xml",
	};
	struct thread_job	 jobs[9];
	pthread_t		 tid[9];
	struct testsink		 ts;
	char			*path[3], *data[3], *want[3];
	size_t			 len[3], i;

	for (i = 0; i < 3; i++) {
		path[i] = fixture_path(files[i]);
		cr_assert_not_null(data[i] = slurp(path[i], &len[i]));
		testsink_init(&ts, 0);
		parse_full(&ts, data[i], len[i], NULL, NULL, 0, 0);
		want[i] = testsink_dump(&ts);
		testsink_free(&ts);
	}
	for (i = 0; i < 9; i++) {
		jobs[i].data = data[i % 3];
		jobs[i].len = len[i % 3];
		jobs[i].dump = NULL;
		cr_assert_eq(pthread_create(&tid[i], NULL, parse_thread,
		    &jobs[i]), 0);
	}
	for (i = 0; i < 9; i++) {
		pthread_join(tid[i], NULL);
		cr_expect_str_eq(jobs[i].dump, want[i % 3],
		    "thread %zu differs", i);
		free(jobs[i].dump);
	}
	for (i = 0; i < 3; i++) {
		free(want[i]);
		free(data[i]);
		free(path[i]);
	}
}

/* --- the public corpora, when they are there --- */

/* Parses every .ics and .xml file under `dir`; counts into the totals. */
static void
sweep(const char *dir, size_t *files, size_t *records, size_t *warnings)
{
	struct testsink	 ts;
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		*path, *data;
	const char	*dot;
	size_t		 len;
	int		 rc;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) == -1)
			cr_assert_fail("out of memory");
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			sweep(path, files, records, warnings);
			free(path);
			continue;
		}
		dot = strrchr(de->d_name, '.');
		if (dot == NULL || (strcmp(dot, ".ics") != 0 &&
		    strcmp(dot, ".xml") != 0) || strcmp(de->d_name,
		    "pom.xml") == 0 || (data = slurp(path, &len)) == NULL) {
			free(path);
			continue;
		}
		testsink_init(&ts, 0);
		rc = parse_full(&ts, data, len, NULL, NULL, FEED_MAX_ITEMS,
		    FEED_MAX_DEPTH);
		cr_expect(rc == DAYHUB_OK || ts.error != NULL, "%s: rc %d and "
		    "no error", path, rc);
		cr_expect(rc == DAYHUB_OK, "%s: %s", path,
		    ts.error != NULL ? ts.error : "");
		expect_protocol(&ts, path);
		(*files)++;
		*records += json_array_size(ts.records);
		*warnings += json_array_size(ts.warnings);
		testsink_free(&ts);
		free(data);
		free(path);
	}
	closedir(d);
}

Test(ical, public_corpora_read_without_error)
{
	static const char *const dirs[] = {
		"icaljs/samples", "recurring-ical-events", "biweekly",
	};
	const char	*env = getenv("DAYHUB_CORPUS"), *src;
	char		*root, *dir;
	struct stat	 st;
	size_t		 i, files = 0, records = 0, warnings = 0;

	if (env != NULL)
		root = strdup(env);
	else {
		src = getenv("DAYHUB_SRCDIR");
		if (asprintf(&root, "%s/../shared/corpus",
		    src != NULL ? src : ".") == -1)
			root = NULL;
	}
	cr_assert_not_null(root);
	if (stat(root, &st) == -1) {
		free(root);
		cr_skip_test("no corpus of calendars here (set DAYHUB_CORPUS)");
	}
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		if (asprintf(&dir, "%s/%s", root, dirs[i]) == -1)
			cr_assert_fail("out of memory");
		sweep(dir, &files, &records, &warnings);
		free(dir);
	}
	cr_log_info("corpus: %zu files, %zu records, %zu warnings", files,
	    records, warnings);
	cr_expect_gt(files, 0, "no calendar files under %s", root);
	free(root);
}
