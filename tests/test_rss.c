/*
 * test_rss.c - the RSS format module, loaded as the daemon loads it, and
 * the feedutil helpers it is built from.
 *
 * The module is opened with dlopen() from $DAYHUB_RSS_MODULE, or else
 * from $DAYHUB_BUILDDIR/plugins/.libs/rss.so (as `make check` builds it),
 * and driven through its descriptor with a test host (testsink.c) that
 * keeps what it emits.  RSS 2.0 and its elders are read, and RSS 1.0
 * (RDF Site Summary).  Fixtures are read from
 * $DAYHUB_SRCDIR/feeds/fixtures/rss/; where NAME.jsonl sits beside
 * NAME.xml it holds the records expected, one JSON object a line.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

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

#define FEED_BASE	"https://feeds.example.org/spoke/feed.xml"
#define FIXTURE_BASE	"https://spoke.example.org/feed.xml"

/* Every namespace the module reads, declared once for item snippets. */
#define NAMESPACES \
	" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"" \
	" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"" \
	" xmlns:ev=\"http://purl.org/rss/1.0/modules/event/\"" \
	" xmlns:georss=\"http://www.georss.org/georss\"" \
	" xmlns:geo=\"http://www.w3.org/2003/01/geo/wgs84_pos#\"" \
	" xmlns:gml=\"http://www.opengis.net/gml\"" \
	" xmlns:dh=\"urn:dayhub:activity:1.0\""

#define RDF_NS		"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define RSS10_NS	"http://purl.org/rss/1.0/"
#define RSS090_NS	"http://my.netscape.com/rdf/simple/0.9/"

static const struct dayhub_plugin *module(void);
static int	 parse_with(struct testsink *, const void *, size_t,
		    const char *, size_t, size_t);
static int	 parse_str(struct testsink *, const char *);
static char	*item_feed(const char *);
static char	*fixture_path(const char *);
static char	*show(json_t *);
static char	*substitute(const char *, const char *, const char *);
static int	 sink_mentions(const struct testsink *, const char *);
static void	 expect_protocol(const struct testsink *, const char *);
static double	 now_seconds(void);
static long	 max_rss_kb(void);

/* `form` with @FILE@ and @DTD@ replaced by `file` and `dtd`. */
static char *
substitute(const char *form, const char *file, const char *dtd)
{
	struct feedutil_buf	 b;
	const char		*p;

	feedutil_buf_init(&b);
	for (p = form; *p != '\0'; p++) {
		if (strncmp(p, "@FILE@", 6) == 0) {
			feedutil_buf_adds(&b, file);
			p += 5;
		} else if (strncmp(p, "@DTD@", 5) == 0) {
			feedutil_buf_adds(&b, dtd);
			p += 4;
		} else
			feedutil_buf_addc(&b, *p);
	}
	cr_assert(!b.failed);
	return feedutil_buf_finish(&b, NULL);
}

/* --- loading the module as the daemon does --- */

static const struct dayhub_plugin *
module(void)
{
	static const struct dayhub_plugin	*desc;
	char					 err[PATH_MAX + 256] = "";

	if (desc == NULL)
		desc = testsink_module("rss", "DAYHUB_RSS_MODULE", err,
		    sizeof err);
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
		.content_type = "application/rss+xml",
		.timezone = "Europe/London",
		.max_items = max_items,
		.max_depth = max_depth,
	};

	return module()->parse(&in, &testsink_host, ts);
}

static int
parse_str(struct testsink *ts, const char *xml)
{
	return parse_with(ts, xml, strlen(xml), FEED_BASE, FEED_MAX_ITEMS,
	    FEED_MAX_DEPTH);
}

/*
 * A feed with one item made of `snippet`, then a content:encoded body so
 * that the item is kept whatever the snippet holds.
 */
static char *
item_feed(const char *snippet)
{
	char	*s;

	if (asprintf(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\"" NAMESPACES ">\n<channel>\n"
	    "<title>Test spoke</title>\n"
	    "<link>https://club.example.org/whatson/</link>\n"
	    "<item>\n%s\n<content:encoded>Body</content:encoded>\n</item>\n"
	    "</channel>\n</rss>\n", snippet) == -1)
		cr_assert_fail("out of memory");
	return s;
}

static char *
fixture_path(const char *name)
{
	const char	*src = getenv("DAYHUB_SRCDIR");
	char		*path;

	if (asprintf(&path, "%s/feeds/fixtures/rss/%s",
	    src != NULL ? src : ".", name) == -1)
		cr_assert_fail("out of memory");
	return path;
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

Test(rss, descriptor_names_the_module)
{
	const struct dayhub_plugin	*m = module();

	cr_expect_str_eq(m->name, "rss");
	cr_expect(m->version != NULL && *m->version != '\0');
	cr_expect(m->description != NULL && *m->description != '\0');
	cr_expect_eq(m->abi_minor, DAYHUB_PLUGIN_ABI_MINOR);
}

/* --- field mapping, one element at a time --- */

struct map_case {
	const char	*snippet;
	const char	*field;
	const char	*expect;	/* JSON text; NULL: the field is absent */
	const char	*warning;	/* a warning that must be given, or NULL */
};

static const struct map_case map_cases[] = {
	/* core RSS */
	{ "<title>Art club</title>", "title", "\"Art club\"", NULL },
	{ "<title>Art &lt;b&gt;club&lt;/b&gt;</title>", "title",
	    "\"Art club\"", NULL },
	{ "<title><![CDATA[Tea &amp; <i>chat</i>]]></title>", "title",
	    "\"Tea & chat\"", NULL },
	{ "<title><![CDATA[&lt;b&gt;Art&lt;/b&gt; club]]></title>", "title",
	    "\"Art club\"", "escaped twice" },
	{ "<title><![CDATA[Why &lt;b&gt; is bold]]></title>", "title",
	    "\"Why <b> is bold\"", NULL },
	{ "<title>  Lots   of\n  space </title>", "title",
	    "\"Lots of space\"", NULL },
	{ "<title>Fish & chips</title>", "title", "\"Fish & chips\"",
	    "escaped 1 '&'" },
	{ "<link>https://club.example.org/art</link>", "url",
	    "\"https://club.example.org/art\"", NULL },
	{ "<link>art/2026-12</link>", "url",
	    "\"https://club.example.org/whatson/art/2026-12\"", NULL },
	{ "<link>javascript:alert(1)</link>", "url", NULL,
	    "left out the link \"javascript:alert(1)\" in <link>" },
	{ "<description>&lt;p&gt;Bring &lt;b&gt;brushes&lt;/b&gt;&lt;/p&gt;"
	    "</description>", "summary", "\"Bring brushes\"", NULL },
	{ "<description><p>Naked <em>XHTML</em></p><p>body</p>"
	    "</description>", "summary", "\"Naked XHTML\\n\\nbody\"", NULL },
	{ "<content:encoded><![CDATA[<p>One</p><p>Two</p>]]>"
	    "</content:encoded>", "description", "\"One\\n\\nTwo\"", NULL },
	{ "<guid>tag:club.example.org,2026:art-1</guid>", "source_id",
	    "\"tag:club.example.org,2026:art-1\"", NULL },
	{ "<guid>tag:club.example.org,2026:art-1</guid>", "url", NULL, NULL },
	{ "<guid>https://club.example.org/e/1</guid>", "url",
	    "\"https://club.example.org/e/1\"", NULL },
	{ "<guid isPermaLink=\"false\">https://club.example.org/e/1</guid>",
	    "url", NULL, NULL },
	{ "<guid>https://club.example.org/e/1</guid>"
	    "<link>https://club.example.org/e/2</link>", "url",
	    "\"https://club.example.org/e/2\"", NULL },
	{ "<link>https://club.example.org/e/3</link>", "source_id",
	    "\"https://club.example.org/e/3\"", NULL },
	{ "<pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate>", "updated",
	    "\"2026-12-01T10:00:00+00:00\"", NULL },
	{ "<pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate>", "start", NULL,
	    NULL },
	{ "<pubDate>next Tuesday</pubDate>", "updated", NULL,
	    "left out the date \"next Tuesday\" in <pubDate>" },
	{ "<category>Art</category><category>Social</category>"
	    "<category>Art</category>", "categories", "[\"Art\", \"Social\"]",
	    NULL },
	{ "<author>jo@example.org (Jo Bloggs)</author>", "organiser.name",
	    "\"Jo Bloggs\"", NULL },
	{ "<author>jo@example.org (Jo Bloggs)</author>", "organiser.email",
	    "\"jo@example.org\"", NULL },
	{ "<author>Jo Bloggs &lt;jo@example.org&gt;</author>",
	    "organiser.name", "\"Jo Bloggs\"", NULL },
	{ "<author>jo@example.org</author>", "organiser.name", NULL, NULL },
	/* dc: and content: */
	{ "<dc:title>Dublin Core title</dc:title>", "title",
	    "\"Dublin Core title\"", NULL },
	{ "<dc:title>Second</dc:title><title>First</title>", "title",
	    "\"First\"", NULL },
	{ "<dc:date>2026-12-01T10:00:00+01:00</dc:date>", "updated",
	    "\"2026-12-01T10:00:00+01:00\"", NULL },
	{ "<dc:date>2026-12-01T10:00:00+01:00</dc:date>", "start", NULL,
	    NULL },
	{ "<dc:creator>Jo Bloggs</dc:creator>", "organiser.name",
	    "\"Jo Bloggs\"", NULL },
	{ "<dc:subject>Gardening</dc:subject>", "categories",
	    "[\"Gardening\"]", NULL },
	/* ev: */
	{ "<ev:startdate>2026-12-08T10:00:00Z</ev:startdate>", "start",
	    "\"2026-12-08T10:00:00+00:00\"", NULL },
	{ "<ev:startdate>2026-12-08T10:00</ev:startdate>", "start",
	    "\"2026-12-08T10:00:00\"", NULL },
	{ "<ev:startdate>2026-02-30T10:00</ev:startdate>", "start", NULL,
	    "in <ev:startdate>" },
	{ "<ev:enddate>2026-12-08T12:00:00+00:00</ev:enddate>", "end",
	    "\"2026-12-08T12:00:00+00:00\"", NULL },
	{ "<ev:location>Village Hall, 1 High St, Blandford</ev:location>",
	    "location.name", "\"Village Hall\"", NULL },
	{ "<ev:location>Village Hall, 1 High St, Blandford</ev:location>",
	    "location.address", "\"1 High St, Blandford\"", NULL },
	{ "<ev:location>Village Hall</ev:location>", "location.address",
	    NULL, NULL },
	{ "<ev:location>Shed, Unit 7, Easton, Portland, DT5 1BW</ev:location>",
	    "location.postcode", "\"DT5 1BW\"", NULL },
	{ "<ev:location>Shed, Unit 7, Easton, Portland, DT5 1BW</ev:location>",
	    "location.address", "\"Unit 7, Easton, Portland\"", NULL },
	{ "<ev:location>Hall, 1 High St, QV1 1AA</ev:location>",
	    "location.postcode", NULL, NULL },	/* no Q first, no V */
	{ "<ev:organizer>Blandford Arts</ev:organizer>", "organiser.name",
	    "\"Blandford Arts\"", NULL },
	{ "<dc:creator>Jo</dc:creator><ev:organizer>Blandford Arts"
	    "</ev:organizer>", "organiser.name", "\"Blandford Arts\"", NULL },
	{ "<author>Jo</author><ev:organizer>Blandford Arts</ev:organizer>",
	    "organiser.name", "\"Blandford Arts\"", NULL },
	{ "<ev:type>Workshop</ev:type><category>Art</category>",
	    "categories", "[\"Workshop\", \"Art\"]", NULL },
	/* georss: and geo: */
	{ "<georss:point>50.8601 -2.1642</georss:point>", "location.lat",
	    "\"50.8601\"", NULL },
	{ "<georss:point>50.8601 -2.1642</georss:point>", "location.lon",
	    "\"-2.1642\"", NULL },
	{ "<georss:point>95.0 -2.1</georss:point>", "location.lat", NULL,
	    "not a latitude and longitude in range" },
	{ "<georss:point>50.8 -181</georss:point>", "location.lon", NULL,
	    "not a latitude and longitude in range" },
	{ "<georss:point>50.8</georss:point>", "location.lat", NULL,
	    "not a latitude and longitude in range" },
	{ "<georss:point>north west</georss:point>", "location.lat", NULL,
	    "not a latitude and longitude in range" },
	{ "<geo:lat>50.86</geo:lat><geo:long>-2.16</geo:long>",
	    "location.lon", "\"-2.16\"", NULL },
	{ "<georss:where><gml:Point><gml:pos>50.86 -2.16</gml:pos>"
	    "</gml:Point></georss:where>", "location.lon", "\"-2.16\"", NULL },
	{ "<georss:where><gml:Polygon/></georss:where>", "location.lat", NULL,
	    "only a gml:Point with a gml:pos is read" },
	/* dh: */
	{ "<dh:activity>art</dh:activity><dh:activity>crafts, social"
	    "</dh:activity>", "activity", "[\"art\", \"crafts\", \"social\"]",
	    NULL },
	{ "<dh:venue>Blandford Hub</dh:venue>", "location.name",
	    "\"Blandford Hub\"", NULL },
	{ "<ev:location>Hall, Street</ev:location><dh:venue>Blandford Hub"
	    "</dh:venue>", "location.name", "\"Blandford Hub\"", NULL },
	{ "<dh:address>12 East Street, Blandford Forum</dh:address>",
	    "location.address", "\"12 East Street, Blandford Forum\"", NULL },
	{ "<dh:postcode>DT11 7DR</dh:postcode>", "location.postcode",
	    "\"DT11 7DR\"", NULL },
	{ "<dh:online>true</dh:online>", "location.online", "\"true\"", NULL },
	{ "<dh:cost-min>3.50</dh:cost-min>", "cost.min", "\"3.50\"", NULL },
	{ "<dh:cost-min>three pounds</dh:cost-min>", "cost.min",
	    "\"three pounds\"", NULL },
	{ "<dh:cost-max>5</dh:cost-max>", "cost.max", "\"5\"", NULL },
	{ "<dh:cost-per>session</dh:cost-per>", "cost.per", "\"session\"",
	    NULL },
	{ "<dh:currency>GBP</dh:currency>", "cost.currency", "\"GBP\"", NULL },
	{ "<dh:free>true</dh:free>", "cost.free", "\"true\"", NULL },
	{ "<dh:cost-notes>Carers go free</dh:cost-notes>", "cost.notes",
	    "\"Carers go free\"", NULL },
	{ "<dh:funding>direct_payment, isf</dh:funding>", "funding",
	    "[\"direct_payment\", \"isf\"]", NULL },
	{ "<dh:pathway>community</dh:pathway>", "pathway", "\"community\"",
	    NULL },
	{ "<dh:support-ratio>1:4</dh:support-ratio>", "support.ratio",
	    "\"1:4\"", NULL },
	{ "<dh:personal-care>false</dh:personal-care>",
	    "support.personal_care", "\"false\"", NULL },
	{ "<dh:access>wheelchair</dh:access><dh:access>hearing_loop, bsl"
	    "</dh:access>", "access", "[\"wheelchair\", \"hearing_loop\", "
	    "\"bsl\"]", NULL },
	{ "<dh:group>dementia</dh:group><dh:group>older_adults</dh:group>",
	    "groups", "[\"dementia\", \"older_adults\"]", NULL },
	{ "<dh:age-min>18</dh:age-min>", "age.min", "\"18\"", NULL },
	{ "<dh:age-max>65</dh:age-max>", "age.max", "\"65\"", NULL },
	{ "<dh:capacity>12</dh:capacity>", "capacity.max", "\"12\"", NULL },
	{ "<dh:places-left>3</dh:places-left>", "capacity.remaining",
	    "\"3\"", NULL },
	{ "<dh:booking-url>book/art</dh:booking-url>", "booking.url",
	    "\"https://club.example.org/whatson/book/art\"", NULL },
	{ "<dh:booking-phone>01258 000111</dh:booking-phone>",
	    "booking.phone", "\"01258 000111\"", NULL },
	{ "<dh:booking-email>mailto:book@club.example.org</dh:booking-email>",
	    "booking.email", "\"book@club.example.org\"", NULL },
	{ "<dh:booking-required>yes</dh:booking-required>",
	    "booking.required", "\"yes\"", NULL },
	{ "<dh:carers-free>true</dh:carers-free>", "carers.free", "\"true\"",
	    NULL },
	{ "<dh:carers-notes>One carer free</dh:carers-notes>",
	    "carers.notes", "\"One carer free\"", NULL },
	{ "<dh:rrule>FREQ=WEEKLY;BYDAY=TU</dh:rrule>", "schedule.rrule",
	    "\"FREQ=WEEKLY;BYDAY=TU\"", NULL },
	{ "<dh:duration>PT2H</dh:duration>", "schedule.duration", "\"PT2H\"",
	    NULL },
	{ "<dh:exdate>2026-12-22T10:00:00, 2026-12-29T10:00:00</dh:exdate>",
	    "schedule.exdates", "[\"2026-12-22T10:00:00\", "
	    "\"2026-12-29T10:00:00\"]", NULL },
	{ "<dh:exdate>Tue, 22 Dec 2026 10:00:00 GMT</dh:exdate>",
	    "schedule.exdates", "[\"2026-12-22T10:00:00+00:00\"]", NULL },
	{ "<dh:exdate>2026-12-22, someday</dh:exdate>", "schedule.exdates",
	    "[\"2026-12-22\"]", "left out the date \"someday\"" },
	{ "<dh:timezone>Europe/London</dh:timezone>", "timezone",
	    "\"Europe/London\"", NULL },
	{ "<dh:organiser-phone>01258 000222</dh:organiser-phone>",
	    "organiser.phone", "\"01258 000222\"", NULL },
	{ "<dh:organiser-email>garden@example.org</dh:organiser-email>",
	    "organiser.email", "\"garden@example.org\"", NULL },
	{ "<dh:organiser-url>https://garden.example.org/</dh:organiser-url>",
	    "organiser.url", "\"https://garden.example.org/\"", NULL },
	{ "<dh:colour>blue</dh:colour>", "colour", NULL,
	    "left out <dh:colour>" },
	{ "<other:thing xmlns:other=\"urn:x\">x</other:thing>", "thing", NULL,
	    NULL },
};

Test(rss, every_mapping)
{
	const struct map_case	*c;
	struct testsink		 ts;
	json_t			*want, *got;
	char			*xml, *sg, *sw;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof map_cases / sizeof map_cases[0]; i++) {
		c = &map_cases[i];
		xml = item_feed(c->snippet);
		testsink_init(&ts, 0);
		rc = parse_str(&ts, xml);
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
		cr_expect(want == NULL ? got == NULL : json_equal(want, got),
		    "%s: %s is %s, want %s", c->snippet, c->field, sg, sw);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\"", c->snippet, c->warning);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings", c->snippet);
		free(sg);
		free(sw);
		json_decref(want);
		testsink_free(&ts);
		free(xml);
	}
}

Test(rss, pubdate_is_never_the_start)
{
	struct testsink	 ts;
	char		*xml;

	xml = item_feed("<title>Swim</title>"
	    "<pubDate>Sat, 05 Dec 2026 14:00:00 +0000</pubDate>"
	    "<dc:date>2026-12-05T14:00:00Z</dc:date>");
	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "updated"),
	    "2026-12-05T14:00:00+00:00");
	cr_expect_null(testsink_get(&ts, 0, "start"));
	cr_expect_null(testsink_get(&ts, 0, "end"));
	expect_protocol(&ts, "pubDate");
	testsink_free(&ts);
	free(xml);
}

Test(rss, channel_facts_go_to_feed)
{
	struct testsink	 ts;
	const char	*xml = "<rss version=\"2.0\"><channel>"
	    "<title>Art &amp; Craft</title><link>/whatson/</link>"
	    "<ttl>60</ttl><generator>Hand</generator><title>Second</title>"
	    "<item><title>x</title></item></channel></rss>";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed, "title")),
	    "Art & Craft");
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed, "link")),
	    "https://feeds.example.org/whatson/");
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed, "ttl")),
	    "60");
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed,
	    "generator")), "Hand");
	expect_protocol(&ts, "channel");
	testsink_free(&ts);
}

Test(rss, unknown_dh_element_warned_once_per_feed)
{
	struct testsink	 ts;
	json_t		*w;
	size_t		 i, n = 0;
	const char	*xml = "<rss version=\"2.0\" " NAMESPACES "><channel>"
	    "<item><title>a</title><dh:colour>red</dh:colour>"
	    "<dh:colour>blue</dh:colour><dh:mood>calm</dh:mood></item>"
	    "<item><title>b</title><dh:colour>green</dh:colour></item>"
	    "</channel></rss>";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	json_array_foreach(ts.warnings, i, w) {
		if (strstr(json_string_value(json_object_get(w, "message")),
		    "dh:colour") != NULL)
			n++;
	}
	cr_expect_eq(n, 1, "dh:colour warned %zu times", n);
	cr_expect(testsink_warned(&ts, "left out <dh:mood>"));
	cr_expect_eq(json_array_size(ts.records), 2);
	testsink_free(&ts);
}

/* --- RSS 1.0 --- */

struct rdf_case {
	const char	*about;		/* rdf:about of the item, or NULL */
	const char	*children;	/* the item's children */
	const char	*field;
	const char	*expect;	/* JSON text; NULL: the field is absent */
};

static const struct rdf_case rdf_cases[] = {
	{ "https://club.example.org/e/1", "", "source_id",
	    "\"https://club.example.org/e/1\"" },
	{ "https://club.example.org/e/1", "", "url",
	    "\"https://club.example.org/e/1\"" },
	{ "https://club.example.org/e/1", "<link>https://club.example.org/"
	    "page</link>", "url", "\"https://club.example.org/page\"" },
	{ "https://club.example.org/e/1", "<link>https://club.example.org/"
	    "page</link>", "source_id", "\"https://club.example.org/e/1\"" },
	{ "urn:club:1", "", "source_id", "\"urn:club:1\"" },
	{ "urn:club:1", "", "url", NULL },
	{ "e/2", "", "url", "\"https://club.example.org/whatson/e/2\"" },
	{ NULL, "<link>https://club.example.org/e/3</link>", "source_id",
	    "\"https://club.example.org/e/3\"" },
	{ NULL, "<description>&lt;p&gt;Hi&lt;/p&gt;</description>",
	    "summary", "\"Hi\"" },
	{ NULL, "<dc:date>2026-11-10T09:00:00Z</dc:date>", "updated",
	    "\"2026-11-10T09:00:00+00:00\"" },
	{ NULL, "<dc:date>2026-11-10T09:00:00Z</dc:date>", "start", NULL },
	{ NULL, "<dc:subject>Art</dc:subject><dc:subject>Social</dc:subject>",
	    "categories", "[\"Art\", \"Social\"]" },
	{ NULL, "<dc:creator>Jo</dc:creator>", "organiser.name", "\"Jo\"" },
	{ NULL, "<content:encoded><![CDATA[<p>A</p><p>B</p>]]>"
	    "</content:encoded>", "description", "\"A\\n\\nB\"" },
	{ NULL, "<ev:startdate>2026-12-01T10:00</ev:startdate>", "start",
	    "\"2026-12-01T10:00:00\"" },
	{ NULL, "<georss:point>50.7 -2.4</georss:point>", "location.lat",
	    "\"50.7\"" },
	{ NULL, "<dh:group>autism</dh:group>", "groups", "[\"autism\"]" },
};

Test(rss, rdf_items_are_named_by_rdf_about)
{
	const struct rdf_case	*c;
	struct testsink		 ts;
	json_t			*want, *got;
	char			*xml, *sg, *sw, about[256];
	size_t			 i;

	for (i = 0; i < sizeof rdf_cases / sizeof rdf_cases[0]; i++) {
		c = &rdf_cases[i];
		snprintf(about, sizeof about, c->about != NULL ?
		    " rdf:about=\"%s\"" : "%s", c->about != NULL ? c->about :
		    "");
		if (asprintf(&xml, "<rdf:RDF xmlns:rdf=\"" RDF_NS "\" xmlns=\""
		    RSS10_NS "\"" NAMESPACES "><channel rdf:about=\"https://"
		    "club.example.org/rss\"><title>c</title><link>https://club."
		    "example.org/whatson/</link></channel><item%s><title>t"
		    "</title>%s</item></rdf:RDF>", about, c->children) == -1)
			cr_assert_fail("out of memory");
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, xml), DAYHUB_OK, "%s %s: %s",
		    about, c->children, ts.error != NULL ? ts.error : "");
		got = testsink_get(&ts, 0, c->field);
		want = c->expect != NULL ?
		    json_loads(c->expect, JSON_DECODE_ANY, NULL) : NULL;
		cr_assert(c->expect == NULL || want != NULL, "bad row %s",
		    c->expect);
		sg = show(got);
		sw = show(want);
		cr_expect(want == NULL ? got == NULL : json_equal(want, got),
		    "%s %s: %s is %s, want %s", about, c->children, c->field,
		    sg, sw);
		cr_expect_eq(json_array_size(ts.warnings), 0,
		    "%s %s: unexpected warnings", about, c->children);
		expect_protocol(&ts, c->children);
		free(sg);
		free(sw);
		json_decref(want);
		testsink_free(&ts);
		free(xml);
	}
}

Test(rss, rdf_channel_facts_go_to_feed)
{
	struct testsink	 ts;
	const char	*xml = "<rdf:RDF xmlns:rdf=\"" RDF_NS "\" xmlns=\""
	    RSS10_NS "\"><channel rdf:about=\"https://a.example.org/rss\">"
	    "<title>Arts &amp; crafts</title><link>https://a.example.org/</link>"
	    "<items><rdf:Seq><rdf:li rdf:resource=\"https://a.example.org/1\"/>"
	    "</rdf:Seq></items></channel><image rdf:about=\"https://a.example."
	    "org/i.png\"><title>Logo</title></image><item><title>x</title>"
	    "<link>e/1</link></item><textinput><title>Search</title>"
	    "</textinput></rdf:RDF>";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed, "title")),
	    "Arts & crafts");
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed, "link")),
	    "https://a.example.org/");
	cr_expect_eq(json_array_size(ts.records), 1);
	cr_expect_str_eq(testsink_string(&ts, 0, "url"),
	    "https://a.example.org/e/1");
	expect_protocol(&ts, "rdf channel");
	testsink_free(&ts);
}

/* --- links --- */

struct link_case {
	const char	*base_url;	/* where the feed came from */
	const char	*chan_attrs;	/* attributes of <channel> */
	const char	*chan_link;	/* <link> of the channel, or NULL */
	const char	*item_attrs;	/* attributes of <item> */
	const char	*link;		/* <link> of the item */
	const char	*expect;	/* url, or NULL for none */
};

static const struct link_case link_cases[] = {
	{ "http://feeds.example.org/dir/feed.xml", "", NULL, "", "e/1.html",
	    "http://feeds.example.org/dir/e/1.html" },
	{ FEED_BASE, "", "https://club.example.org/whatson/", "", "e/1",
	    "https://club.example.org/whatson/e/1" },
	{ FEED_BASE, "", "https://club.example.org/whatson/", "", "../up",
	    "https://club.example.org/up" },
	{ FEED_BASE, "", "https://club.example.org/whatson/", "", "/root",
	    "https://club.example.org/root" },
	{ FEED_BASE, "", "/whatson/", "", "e/1",
	    "https://feeds.example.org/whatson/e/1" },
	{ FEED_BASE, "", "https://club.example.org/whatson/",
	    " xml:base=\"https://other.example.org/a/\"", "e/1",
	    "https://other.example.org/a/e/1" },
	{ FEED_BASE, " xml:base=\"https://x.example.org/root/\"",
	    "https://club.example.org/", " xml:base=\"sub/\"", "e/1",
	    "https://x.example.org/root/sub/e/1" },
	{ FEED_BASE, "", "https://club.example.org/", "",
	    "https://elsewhere.example.org/p?a=1&amp;b=2",
	    "https://elsewhere.example.org/p?a=1&b=2" },
	{ FEED_BASE, "", "https://club.example.org/", "",
	    "//cdn.example.org/e", "https://cdn.example.org/e" },
	{ FEED_BASE, "", "https://club.example.org/", "", "  e/2  ",
	    "https://club.example.org/e/2" },
	{ FEED_BASE, "", "https://club.example.org/", "", "mailto:a@example.org",
	    "mailto:a@example.org" },
	{ FEED_BASE, "", "https://club.example.org/", "", "tel:+441258000000",
	    "tel:+441258000000" },
	{ NULL, "", NULL, "", "e/1", NULL },
	{ FEED_BASE, "", "https://club.example.org/", "",
	    "data:text/html,hello", NULL },
	{ FEED_BASE, "", "https://club.example.org/", "",
	    "ftp://files.example.org/", NULL },
	{ FEED_BASE, "", "https://club.example.org/", "", "file:///etc/passwd",
	    NULL },
};

Test(rss, links_resolve_against_the_right_base)
{
	const struct link_case	*c;
	struct testsink		 ts;
	const char		*got;
	char			*xml;
	size_t			 i;

	for (i = 0; i < sizeof link_cases / sizeof link_cases[0]; i++) {
		c = &link_cases[i];
		if (asprintf(&xml, "<rss version=\"2.0\"><channel%s><title>t"
		    "</title>%s%s%s<item%s><title>x</title><link>%s</link>"
		    "</item></channel></rss>", c->chan_attrs,
		    c->chan_link != NULL ? "<link>" : "",
		    c->chan_link != NULL ? c->chan_link : "",
		    c->chan_link != NULL ? "</link>" : "", c->item_attrs,
		    c->link) == -1)
			cr_assert_fail("out of memory");
		testsink_init(&ts, 0);
		cr_expect_eq(parse_with(&ts, xml, strlen(xml), c->base_url,
		    0, 0), DAYHUB_OK, "%s", c->link);
		got = testsink_string(&ts, 0, "url");
		if (c->expect == NULL) {
			cr_expect_null(got, "%s: url %s, want none", c->link,
			    got);
			cr_expect(testsink_warned(&ts, "left out the link"),
			    "%s: no warning", c->link);
		} else
			cr_expect(got != NULL && strcmp(got, c->expect) == 0,
			    "%s: url %s, want %s", c->link,
			    got != NULL ? got : "(none)", c->expect);
		expect_protocol(&ts, c->link);
		testsink_free(&ts);
		free(xml);
	}
}

/* --- dates through the module --- */

struct date_case {
	const char	*in;
	const char	*expect;	/* NULL: unreadable, left out */
};

static const struct date_case module_date_cases[] = {
	{ "Tue, 01 Dec 2026 10:00:00 GMT", "2026-12-01T10:00:00+00:00" },
	{ "01 Dec 2026 10:00 +0100", "2026-12-01T10:00:00+01:00" },
	{ "Tue, 1 Dec 26 10:00:00 EST", "2026-12-01T10:00:00-05:00" },
	{ "Tue, 01 Dec 2026 10:00:00", "2026-12-01T10:00:00" },
	{ "2026-12-01T10:00:00Z", "2026-12-01T10:00:00+00:00" },
	{ "2026-12-01T10:00:00.250+01:00", "2026-12-01T10:00:00+01:00" },
	{ "2026-12-01T10:00", "2026-12-01T10:00:00" },
	{ "2026-12-01", "2026-12-01" },
	{ "2026-12", "2026-12-01" },
	{ "Mon, 30 Feb 2026 10:00:00 GMT", NULL },
	{ "2026-12-01T25:00:00Z", NULL },
	{ "yesterday", NULL },
};

Test(rss, dates_in_both_syntaxes)
{
	const struct date_case	*c;
	struct testsink		 ts;
	const char		*got;
	char			*xml, *snippet;
	size_t			 i;

	for (i = 0; i < sizeof module_date_cases / sizeof module_date_cases[0];
	    i++) {
		c = &module_date_cases[i];
		if (asprintf(&snippet, "<title>d</title><pubDate>%s</pubDate>",
		    c->in) == -1)
			cr_assert_fail("out of memory");
		xml = item_feed(snippet);
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, xml), DAYHUB_OK);
		got = testsink_string(&ts, 0, "updated");
		if (c->expect == NULL) {
			cr_expect_null(got, "%s read as %s", c->in, got);
			cr_expect(testsink_warned(&ts, c->in),
			    "%s: the warning does not quote it", c->in);
			/* The line of the bad date: line 7 of item_feed(). */
			cr_expect_eq(json_integer_value(json_object_get(
			    json_array_get(ts.warnings, 0), "line")), 7,
			    "%s: warned on the wrong line", c->in);
		} else
			cr_expect(got != NULL && strcmp(got, c->expect) == 0,
			    "%s read as %s, want %s", c->in,
			    got != NULL ? got : "(none)", c->expect);
		testsink_free(&ts);
		free(xml);
		free(snippet);
	}
}

/* --- entities and HTML --- */

Test(rss, html_entities_are_decoded_and_reported)
{
	struct testsink	 ts;
	const char	*xml = "<rss version=\"2.0\"><channel><item>\n"
	    "<title>Tea&nbsp;&amp;&nbsp;cake &pound;2 &ndash; it&rsquo;s "
	    "&lsquo;back&rsquo;&hellip;</title>\n"
	    "<description>Caf&eacute; &copy; &euro;5 &bull; &foo;"
	    "</description>\n</item></channel></rss>";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "title"),
	    "Tea & cake \xc2\xa3" "2 \xe2\x80\x93 it\xe2\x80\x99s "
	    "\xe2\x80\x98" "back\xe2\x80\x99\xe2\x80\xa6");
	cr_expect_str_eq(testsink_string(&ts, 0, "summary"),
	    "Caf\xc3\xa9 \xc2\xa9 \xe2\x82\xac" "5 \xe2\x80\xa2 &foo;");
	cr_expect(testsink_warned(&ts, "decoded 12 HTML entities that XML "
	    "does not define: &nbsp; &pound; &ndash; &rsquo; &lsquo; "
	    "&hellip; &eacute; &copy; &euro; &bull;"));
	cr_expect(testsink_warned(&ts, "kept 1 unknown entities as text: "
	    "&foo;"));
	cr_expect_eq(json_array_size(ts.warnings), 2);
	expect_protocol(&ts, "entities");
	testsink_free(&ts);
}

Test(rss, declared_internal_entities_are_expanded)
{
	struct testsink	 ts;
	const char	*xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
	    "<!ENTITY club \"Blandford Arts\">\n"
	    "<!ENTITY nbsp \"&#160;\">\n]>\n"
	    "<rss version=\"2.0\"><channel><item>"
	    "<title>&club; news&nbsp;today</title></item></channel></rss>";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "title"),
	    "Blandford Arts news today");
	cr_expect_eq(json_array_size(ts.warnings), 0);
	testsink_free(&ts);
}

Test(rss, html_description_becomes_clean_text)
{
	struct testsink	 ts;
	const char	*xml = "<rss version=\"2.0\"><channel><item>"
	    "<title>x</title><description><![CDATA[<h2>Art club</h2>"
	    "<p>Every <b>Tuesday</b>,&nbsp;10am.</p><ul><li>Paint</li>"
	    "<li>Clay</li></ul><script>steal()</script><style>p{}</style>"
	    "<p>Call&nbsp;us<br>01258 000111</p>]]></description>"
	    "</item></channel></rss>";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "summary"),
	    "Art club\n\nEvery Tuesday, 10am.\n\n- Paint\n- Clay\n\n"
	    "Call us\n01258 000111");
	testsink_free(&ts);
}

/* --- malformed input --- */

/* Feeds with NUL bytes in them, whose length strlen() cannot tell. */
#define NUL_IN_TITLE "<rss><channel><item><title>A\0B</title></item>" \
	"</channel></rss>"
#define NUL_FIRST "\0<rss><channel><item><title>A</title></item>" \
	"</channel></rss>"
#define RSS_UTF16LE "\xff\xfe<\0r\0s\0s\0 \0v\0=\0\"\0" "2\0\"\0>\0"
#define RSS_UTF16BE "\0<\0r\0s\0s\0>"
#define GARBAGE "\x00\x01\x02\x03" "binary\xff"
#define SANITIZE_NUL "<a>x\0y</a>"
#define SANITIZE_UTF16 "\xff\xfe<\0a\0>\0\x01\0"

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
	{ "empty", "", 0, DAYHUB_ERROR, "not XML: the feed is empty", NULL,
	    0, NULL },
	{ "white space", "  \n\t\n", 0, DAYHUB_ERROR, "not XML", NULL, 0,
	    NULL },
	{ "plain text", "this is not a feed", 0, DAYHUB_ERROR,
	    "not XML: Start tag expected", NULL, 0, NULL },
	{ "json", "{\"items\": [{\"title\": \"x\"}]}", 0, DAYHUB_ERROR,
	    "not XML", NULL, 0, NULL },
	{ "html page", "<!DOCTYPE html><html><head><title>x</title></head>"
	    "<body><p>hi</p></body></html>", 0, DAYHUB_ERROR,
	    "not an RSS feed: the root element is <html>", NULL, 0, NULL },
	{ "atom", "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x"
	    "</title></feed>", 0, DAYHUB_ERROR,
	    "not an RSS feed: the root element is <feed>", NULL, 0, NULL },
	{ "rdf without RSS 1.0", "<rdf:RDF xmlns:rdf=\"" RDF_NS "\"><channel/>"
	    "</rdf:RDF>", 0, DAYHUB_ERROR, "not an RSS feed: the root element "
	    "is <rdf:RDF> without the RSS 1.0 namespace", NULL, 0, NULL },
	{ "rdf of another vocabulary", "<rdf:RDF xmlns:rdf=\"" RDF_NS "\" "
	    "xmlns:foaf=\"http://xmlns.com/foaf/0.1/\"><foaf:Person/>"
	    "</rdf:RDF>", 0, DAYHUB_ERROR, "without the RSS 1.0 namespace",
	    NULL, 0, NULL },
	{ "an RDF root in another namespace", "<x:RDF xmlns:x=\"urn:other\" "
	    "xmlns=\"" RSS10_NS "\"><channel/></x:RDF>", 0, DAYHUB_ERROR,
	    "not an RSS feed: the root element is <x:RDF>", NULL, 0, NULL },
	{ "RSS 1.0", "<rdf:RDF xmlns:rdf=\"" RDF_NS "\" xmlns=\"" RSS10_NS
	    "\"><channel rdf:about=\"https://a.example.org/\"><title>c</title>"
	    "</channel><item rdf:about=\"https://a.example.org/1\"><title>x"
	    "</title></item></rdf:RDF>", 0, DAYHUB_OK, NULL, NULL, 1, "x" },
	{ "RSS 1.0 with a prefix", "<rdf:RDF xmlns:rdf=\"" RDF_NS "\" "
	    "xmlns:rss=\"" RSS10_NS "\"><rss:channel><rss:title>c</rss:title>"
	    "</rss:channel><rss:item><rss:title>x</rss:title></rss:item>"
	    "</rdf:RDF>", 0, DAYHUB_OK, NULL, NULL, 1, "x" },
	{ "RSS 1.0 declared on the channel only", "<rdf:RDF xmlns:rdf=\""
	    RDF_NS "\"><channel xmlns=\"" RSS10_NS "\"><title>c</title>"
	    "</channel><item xmlns=\"" RSS10_NS "\"><title>x</title></item>"
	    "</rdf:RDF>", 0, DAYHUB_OK, NULL, NULL, 1, "x" },
	{ "RSS 0.90", "<rdf:RDF xmlns:rdf=\"" RDF_NS "\" xmlns=\"" RSS090_NS
	    "\"><channel><title>c</title></channel><item><title>x</title>"
	    "</item></rdf:RDF>", 0, DAYHUB_OK, NULL, NULL, 1, "x" },
	{ "RSS 1.0 items inside the channel", "<rdf:RDF xmlns:rdf=\"" RDF_NS
	    "\" xmlns=\"" RSS10_NS "\"><channel><item><title>x</title></item>"
	    "</channel></rdf:RDF>", 0, DAYHUB_OK, NULL, NULL, 1, "x" },
	{ "RSS 1.0 without a channel", "<rdf:RDF xmlns:rdf=\"" RDF_NS "\" "
	    "xmlns=\"" RSS10_NS "\"><item><title>x</title></item></rdf:RDF>", 0,
	    DAYHUB_ERROR, "not an RSS feed: <rdf:RDF> has no <channel>", NULL,
	    0, NULL },
	{ "RSS 1.0 truncated", "<rdf:RDF xmlns:rdf=\"" RDF_NS "\" xmlns=\""
	    RSS10_NS "\"><channel><title>c</title></channel><item><title>x"
	    "</title></item>", 0, DAYHUB_ERROR, "breaks off before </rdf:RDF>",
	    NULL, 0, NULL },
	{ "RSS 1.0 item named but empty", "<rdf:RDF xmlns:rdf=\"" RDF_NS "\" "
	    "xmlns=\"" RSS10_NS "\"><channel/><item rdf:about=\"https://a."
	    "example.org/1\"/></rdf:RDF>", 0, DAYHUB_OK, NULL,
	    "neither title nor description", 0, NULL },
	{ "RSS 1.0 has no version to check", "<rdf:RDF version=\"9\" "
	    "xmlns:rdf=\"" RDF_NS "\" xmlns=\"" RSS10_NS "\"><channel/><item>"
	    "<title>x</title></item></rdf:RDF>", 0, DAYHUB_OK, NULL, NULL, 1,
	    "x" },
	{ "no channel", "<rss version=\"2.0\"></rss>", 0, DAYHUB_ERROR,
	    "has no <channel>", NULL, 0, NULL },
	{ "truncated", "<rss version=\"2.0\"><channel><item><title>One"
	    "</title></item><item><title>Tw", 0, DAYHUB_ERROR,
	    "breaks off before </rss> (Premature end of data", NULL, 0, NULL },
	{ "truncated between items", "<rss version=\"2.0\"><channel><item>"
	    "<title>One</title></item>", 0, DAYHUB_ERROR,
	    "breaks off before </rss>", NULL, 0, NULL },
	{ "mismatched tags", "<rss><channel><item><title>A</title>"
	    "<description>x</item></channel></rss>", 0, DAYHUB_ERROR,
	    "(Opening and ending tag mismatch", NULL, 0, NULL },
	{ "a stray end tag inside the root", "<rss><channel><item><title>A"
	    "</title></b></item></channel></rss>", 0, DAYHUB_OK, NULL,
	    "not well-formed", 1, "A" },
	{ "NUL byte", NUL_IN_TITLE, sizeof NUL_IN_TITLE - 1, DAYHUB_OK, NULL,
	    "control characters", 1, "AB" },
	{ "NUL before the root", NUL_FIRST, sizeof NUL_FIRST - 1, DAYHUB_OK,
	    NULL, "control characters", 1, "A" },
	{ "control characters", "<rss><channel><item><title>A\x01" "B\x1b"
	    "C\x0b" "D</title></item></channel></rss>", 0, DAYHUB_OK, NULL,
	    "removed 3 control characters", 1, "ABCD" },
	{ "invalid UTF-8", "<rss><channel><item><title>caf\xc3\xa9 \xff ok"
	    "</title></item></channel></rss>", 0, DAYHUB_OK, NULL,
	    "replaced 1 invalid UTF-8", 1, "caf\xc3\xa9 \xef\xbf\xbd ok" },
	{ "truncated UTF-8 sequence", "<rss><channel><item><title>caf\xc3\xa9 "
	    "it\xe2\x80s</title></item></channel></rss>", 0, DAYHUB_OK, NULL,
	    "invalid UTF-8", 1, "caf\xc3\xa9 it\xef\xbf\xbds" },
	{ "Windows-1252 said to be UTF-8", "<?xml version=\"1.0\" encoding="
	    "\"utf-8\"?><rss><channel><item><title>\xa3" "5 \x96 tea</title>"
	    "</item></channel></rss>", 0, DAYHUB_OK, NULL, "Windows-1252", 1,
	    "\xc2\xa3" "5 \xe2\x80\x93 tea" },
	{ "declared Windows-1252", "<?xml version=\"1.0\" encoding="
	    "\"windows-1252\"?><rss><channel><item><title>it\x92s</title>"
	    "</item></channel></rss>", 0, DAYHUB_OK, NULL, NULL, 1,
	    "it\xe2\x80\x99s" },
	{ "declared ISO-8859-1", "<?xml version=\"1.0\" encoding="
	    "\"ISO-8859-1\"?><rss><channel><item><title>Caf\xe9 \xa3" "4"
	    "</title></item></channel></rss>", 0, DAYHUB_OK, NULL, NULL, 1,
	    "Caf\xc3\xa9 \xc2\xa3" "4" },
	{ "unsupported encoding", "<?xml version=\"1.0\" encoding=\"bogus\"?>"
	    "<rss><channel/></rss>", 0, DAYHUB_ERROR,
	    "not XML: Unsupported encoding bogus", NULL, 0, NULL },
	{ "item without title", "<rss><channel><item><link>https://a."
	    "example.org/</link></item><item><title>Kept</title></item>"
	    "</channel></rss>", 0, DAYHUB_OK, NULL,
	    "neither title nor description", 1, "Kept" },
	{ "item with only a description", "<rss><channel><item>"
	    "<description>Just this</description></item></channel></rss>", 0,
	    DAYHUB_OK, NULL, NULL, 1, NULL },
	{ "unknown entity", "<rss><channel><item><title>a &foo; b</title>"
	    "</item></channel></rss>", 0, DAYHUB_OK, NULL,
	    "kept 1 unknown entities as text: &foo;", 1, "a &foo; b" },
	{ "Windows-1252 character reference", "<rss><channel><item><title>"
	    "it&#146;s</title></item></channel></rss>", 0, DAYHUB_OK, NULL,
	    "as Windows-1252", 1, "it\xe2\x80\x99s" },
	{ "forbidden character reference", "<rss><channel><item><title>"
	    "a&#1;b&#x0;c</title></item></channel></rss>", 0, DAYHUB_OK, NULL,
	    "control characters", 1, "abc" },
	{ "unknown RSS version", "<rss version=\"3.0\"><channel><item><title>"
	    "x</title></item></channel></rss>", 0, DAYHUB_OK, NULL,
	    "RSS version \"3.0\"", 1, "x" },
	{ "RSS 0.92", "<rss version=\"0.92\"><channel><item><title>x</title>"
	    "</item></channel></rss>", 0, DAYHUB_OK, NULL, NULL, 1, "x" },
	{ "items beside the channel", "<rss version=\"0.91\"><channel>"
	    "<title>c</title></channel><item><title>x</title></item></rss>", 0,
	    DAYHUB_OK, NULL, NULL, 1, "x" },
	{ "RSS in a default namespace", "<rss version=\"2.0\" xmlns=\"http://"
	    "backend.userland.com/rss2\"><channel><item><title>x</title></item>"
	    "</channel></rss>", 0, DAYHUB_OK, NULL, NULL, 1, "x" },
};

Test(rss, malformed_feeds)
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
		rc = parse_with(&ts, c->data, len, FEED_BASE, 0, 0);
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
		testsink_free(&ts);
	}
}

Test(rss, utf16_feed_is_read)
{
	static const char	 text[] = "<?xml version=\"1.0\" encoding="
	    "\"UTF-16\"?><rss version=\"2.0\"><channel><item><title>Lunch "
	    "\xc2\xa3" "4</title></item></channel></rss>";
	struct testsink		 ts;
	unsigned char		 buf[2 * sizeof text + 2];
	size_t			 i, n = 0;
	unsigned int		 cp;

	/* UTF-16LE with a byte order mark; the text is ASCII and one £. */
	buf[n++] = 0xff;
	buf[n++] = 0xfe;
	for (i = 0; text[i] != '\0'; i++) {
		cp = (unsigned char)text[i];
		if (cp == 0xc2) {
			cp = (unsigned char)text[++i];
		}
		buf[n++] = (unsigned char)(cp & 0xff);
		buf[n++] = (unsigned char)(cp >> 8);
	}
	cr_expect_eq(module()->sniff(buf, n, NULL), DAYHUB_SNIFF_CERTAIN);
	testsink_init(&ts, 0);
	cr_assert_eq(parse_with(&ts, buf, n, NULL, 0, 0), DAYHUB_OK, "%s",
	    ts.error != NULL ? ts.error : "");
	cr_expect_str_eq(testsink_string(&ts, 0, "title"),
	    "Lunch \xc2\xa3" "4");
	testsink_free(&ts);
}

/* --- hostile input --- */

Test(rss, external_entities_never_leak_a_file)
{
	static const char	 secret[] = "dayhub-secret-7f3a91c2";
	struct testsink		 ts;
	const char		*tmp = getenv("TMPDIR");
	char			 dir[PATH_MAX];
	char			*path, *dtd, *xml;
	FILE			*f;
	size_t			 i;
	const char		*forms[] = {
		/* a general entity in text */
		"<!DOCTYPE rss [<!ENTITY x SYSTEM \"file://@FILE@\">]>"
		"<rss version=\"2.0\"><channel><title>a &x; b</title><item>"
		"<title>t &x;</title><description>&x;</description>"
		"<guid isPermaLink=\"false\">&x;</guid></item></channel></rss>",
		/* a parameter entity pulling in declarations */
		"<!DOCTYPE rss [<!ENTITY % p SYSTEM \"file://@DTD@\"> %p;]>"
		"<rss version=\"2.0\"><channel><item><title>t &leak;</title>"
		"</item></channel></rss>",
		/* an external DTD */
		"<!DOCTYPE rss SYSTEM \"file://@DTD@\">"
		"<rss version=\"2.0\"><channel><item><title>t &leak;</title>"
		"</item></channel></rss>",
		/* XInclude */
		"<rss version=\"2.0\" xmlns:xi=\"http://www.w3.org/2001/"
		"XInclude\"><channel><item><title>t <xi:include href=\"file://"
		"@FILE@\" parse=\"text\"/></title></item></channel></rss>",
		/* an entity inside a CDATA description */
		"<!DOCTYPE rss [<!ENTITY x SYSTEM \"file://@FILE@\">]>"
		"<rss version=\"2.0\"><channel><item><title>t</title>"
		"<description><![CDATA[<p>&x;</p>]]></description></item>"
		"</channel></rss>",
	};

	snprintf(dir, sizeof dir, "%s/dayhub-rss-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s: %s", dir,
	    strerror(errno));
	if (asprintf(&path, "%s/secret.txt", dir) == -1 ||
	    asprintf(&dtd, "%s/leak.dtd", dir) == -1)
		cr_assert_fail("out of memory");
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f, "%s\n", secret);
	fclose(f);
	cr_assert_not_null(f = fopen(dtd, "w"));
	fprintf(f, "<!ENTITY leak \"%s\">\n", secret);
	fclose(f);

	for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		xml = substitute(forms[i], path, dtd);
		testsink_init(&ts, 0);
		parse_str(&ts, xml);
		cr_expect(!sink_mentions(&ts, secret),
		    "form %zu leaked the file", i);
		expect_protocol(&ts, "xxe");
		testsink_free(&ts);
		free(xml);
	}
	unlink(path);
	unlink(dtd);
	rmdir(dir);
	free(path);
	free(dtd);
}

Test(rss, billion_laughs_ends_quickly)
{
	struct testsink	 ts;
	char		*path, *data;
	size_t		 len;
	double		 t0;
	long		 rss0;
	int		 rc;

	path = fixture_path("billion-laughs.xml");
	cr_assert_not_null(data = testsink_slurp(path, &len), "cannot read %s",
	    path);
	rss0 = max_rss_kb();
	t0 = now_seconds();
	testsink_init(&ts, 0);
	rc = parse_with(&ts, data, len, FIXTURE_BASE, 0, 0);
	cr_expect_lt(now_seconds() - t0, 2.0, "took %.2f s",
	    now_seconds() - t0);
	cr_expect_lt(max_rss_kb() - rss0, 256 * 1024, "grew by %ld KB",
	    max_rss_kb() - rss0);
	cr_expect_eq(rc, DAYHUB_ERROR);
	cr_expect(ts.error != NULL && strstr(ts.error, "entit") != NULL,
	    "error: %s", ts.error != NULL ? ts.error : "(none)");
	testsink_free(&ts);
	free(data);
	free(path);
}

Test(rss, quadratic_entity_blowup_is_bounded)
{
	struct feedutil_buf	 b;
	struct testsink		 ts;
	double			 t0;
	long			 rss0;
	size_t			 i, k, len;
	json_t			*r;

	/* 20 KB of entity text referenced 2000 times in each of 50 items. */
	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<?xml version=\"1.0\"?><!DOCTYPE rss "
	    "[<!ENTITY big \"");
	for (i = 0; i < 20000; i++)
		feedutil_buf_addc(&b, 'x');
	feedutil_buf_adds(&b, "\">]><rss version=\"2.0\"><channel>");
	for (i = 0; i < 50; i++) {
		feedutil_buf_adds(&b, "<item><title>i</title><description>");
		for (k = 0; k < 2000; k++)
			feedutil_buf_adds(&b, "&big;");
		feedutil_buf_adds(&b, "</description></item>");
	}
	feedutil_buf_adds(&b, "</channel></rss>");
	cr_assert(!b.failed);

	rss0 = max_rss_kb();
	t0 = now_seconds();
	testsink_init(&ts, 0);
	parse_with(&ts, b.data, b.len, FEED_BASE, 0, 0);
	cr_expect_lt(now_seconds() - t0, 2.0, "took %.2f s",
	    now_seconds() - t0);
	cr_expect_lt(max_rss_kb() - rss0, 256 * 1024, "grew by %ld KB",
	    max_rss_kb() - rss0);
	json_array_foreach(ts.records, i, r) {
		len = strlen(json_string_value(json_object_get(r, "summary")) ?
		    json_string_value(json_object_get(r, "summary")) : "");
		cr_expect_leq(len, FEEDUTIL_MAX_TEXT);
	}
	/* The document's budget ran out long before the 50th item. */
	cr_expect(testsink_warned(&ts, "stopped expanding entities"));
	cr_expect_null(testsink_get(&ts, 49, "summary"));
	expect_protocol(&ts, "quadratic");
	testsink_free(&ts);
	feedutil_buf_free(&b);
}

/*
 * The same blow-up in attributes the module reads (isPermaLink, xml:base,
 * version): libxml2's own attribute getters would build 40 MB a value
 * and take seconds each; the document's budget stops it at 1 MB in all.
 */
Test(rss, quadratic_entity_blowup_in_attributes_is_bounded)
{
	static const char *const wraps[][2] = {
		{ "<item><title>i</title><guid isPermaLink=\"", "\">g</guid>"
		    "</item>" },
		{ "<item xml:base=\"https://a.example.org/", "/\"><title>i"
		    "</title><link>x</link></item>" },
		{ "<item><title>i</title><link xml:base=\"https://a.example."
		    "org/", "/\">x</link></item>" },
	};
	struct feedutil_buf	 b;
	struct testsink		 ts;
	double			 t0;
	long			 rss0;
	size_t			 w, i, k;

	for (w = 0; w < sizeof wraps / sizeof wraps[0]; w++) {
		feedutil_buf_init(&b);
		feedutil_buf_adds(&b, "<?xml version=\"1.0\"?><!DOCTYPE rss "
		    "[<!ENTITY big \"");
		for (i = 0; i < 20000; i++)
			feedutil_buf_addc(&b, 'x');
		feedutil_buf_adds(&b, "\">]><rss version=\"&big;&big;&big;\">"
		    "<channel>");
		for (i = 0; i < 50; i++) {
			feedutil_buf_adds(&b, wraps[w][0]);
			for (k = 0; k < 2000; k++)
				feedutil_buf_adds(&b, "&big;");
			feedutil_buf_adds(&b, wraps[w][1]);
		}
		feedutil_buf_adds(&b, "</channel></rss>");
		cr_assert(!b.failed);

		rss0 = max_rss_kb();
		t0 = now_seconds();
		testsink_init(&ts, 0);
		cr_expect_eq(parse_with(&ts, b.data, b.len, FEED_BASE, 0, 0),
		    DAYHUB_OK, "%s: %s", wraps[w][0],
		    ts.error != NULL ? ts.error : "");
		cr_expect_lt(now_seconds() - t0, 3.0, "%s: took %.2f s",
		    wraps[w][0], now_seconds() - t0);
		cr_expect_lt(max_rss_kb() - rss0, 256 * 1024,
		    "%s: grew by %ld KB", wraps[w][0], max_rss_kb() - rss0);
		cr_expect_eq(json_array_size(ts.records), 50);
		cr_expect(testsink_warned(&ts, "stopped expanding entities"),
		    "%s: the budget never ran out", wraps[w][0]);
		expect_protocol(&ts, wraps[w][0]);
		testsink_free(&ts);
		feedutil_buf_free(&b);
	}
}

Test(rss, entities_nested_too_deep_stop_expanding)
{
	struct testsink	 ts;
	const char	*xml = "<!DOCTYPE rss [<!ENTITY e0 \"bottom\">"
	    "<!ENTITY e1 \"&e0;\"><!ENTITY e2 \"&e1;\"><!ENTITY e3 \"&e2;\">"
	    "<!ENTITY e4 \"&e3;\"><!ENTITY e5 \"&e4;\"><!ENTITY e6 \"&e5;\">"
	    "<!ENTITY e7 \"&e6;\"><!ENTITY e8 \"&e7;\"><!ENTITY e9 \"&e8;\">"
	    "]><rss version=\"2.0\"><channel><item><title>[&e9;]</title>"
	    "<description>[&e5;]</description></item></channel></rss>";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK, "%s",
	    ts.error != NULL ? ts.error : "");
	cr_expect_str_eq(testsink_string(&ts, 0, "title"), "[]");
	cr_expect_str_eq(testsink_string(&ts, 0, "summary"), "[bottom]");
	cr_expect(testsink_warned(&ts, "stopped expanding entities"));
	testsink_free(&ts);
}

/* A feed whose item description holds `depth` nested elements. */
static char *
deep_feed(size_t depth, int in_item)
{
	struct feedutil_buf	b;
	size_t			i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<rss version=\"2.0\"><channel>");
	if (in_item)
		feedutil_buf_adds(&b, "<item><title>deep</title><description>");
	for (i = 0; i < depth; i++)
		feedutil_buf_adds(&b, "<a>");
	feedutil_buf_adds(&b, "bottom");
	for (i = 0; i < depth; i++)
		feedutil_buf_adds(&b, "</a>");
	if (in_item)
		feedutil_buf_adds(&b, "</description></item>");
	feedutil_buf_adds(&b, "</channel></rss>");
	cr_assert(!b.failed);
	return feedutil_buf_finish(&b, NULL);
}

Test(rss, deep_nesting_is_refused)
{
	struct testsink	 ts;
	char		*xml;
	double		 t0;

	xml = deep_feed(10000, 1);
	t0 = now_seconds();
	testsink_init(&ts, 0);
	cr_expect_eq(parse_str(&ts, xml), DAYHUB_ERROR);
	cr_expect(ts.error != NULL && strstr(ts.error,
	    "nested more than 256 deep") != NULL, "error: %s",
	    ts.error != NULL ? ts.error : "(none)");
	cr_expect_lt(now_seconds() - t0, 2.0);
	testsink_free(&ts);
	free(xml);

	xml = deep_feed(10000, 0);
	testsink_init(&ts, 0);
	cr_expect_eq(parse_str(&ts, xml), DAYHUB_ERROR);
	testsink_free(&ts);
	free(xml);
}

Test(rss, max_depth_is_the_inputs)
{
	struct testsink	 ts;
	char		*xml;

	/* rss > channel > item > description > a > a: six deep. */
	xml = deep_feed(2, 1);
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, xml, strlen(xml), NULL, 0, 6), DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "summary"), "bottom");
	testsink_free(&ts);

	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, xml, strlen(xml), NULL, 0, 5),
	    DAYHUB_ERROR);
	cr_expect(ts.error != NULL && strstr(ts.error, "more than 5 deep") !=
	    NULL);
	testsink_free(&ts);
	free(xml);
}

/*
 * HTML inside CDATA is not XML nesting: the item is read, and the HTML
 * parser keeps the text it reached before its own depth limit.
 */
Test(rss, deep_html_inside_cdata_is_cut_not_fatal)
{
	struct feedutil_buf	 b;
	struct testsink		 ts;
	size_t			 i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<rss><channel><item><title>t</title>"
	    "<description><![CDATA[<p>Top</p>");
	for (i = 0; i < 10000; i++)
		feedutil_buf_adds(&b, "<div>");
	feedutil_buf_adds(&b, "deep text]]></description></item></channel>"
	    "</rss>");
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, b.data, b.len, NULL, 0, 0), DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "summary"), "Top");
	testsink_free(&ts);
	feedutil_buf_free(&b);
}

/* A feed of `n` items. */
static char *
many_items(size_t n)
{
	struct feedutil_buf	b;
	char			item[128];
	size_t			i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<rss version=\"2.0\"><channel><title>c</title>");
	for (i = 0; i < n; i++) {
		snprintf(item, sizeof item, "<item><title>Item %zu</title>"
		    "<guid isPermaLink=\"false\">g%zu</guid></item>", i, i);
		feedutil_buf_adds(&b, item);
	}
	feedutil_buf_adds(&b, "</channel></rss>");
	cr_assert(!b.failed);
	return feedutil_buf_finish(&b, NULL);
}

Test(rss, max_items_stops_the_parse)
{
	struct testsink	 ts;
	char		*xml = many_items(50);

	/* The input's own limit. */
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, xml, strlen(xml), NULL, 5, 0), DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 5);
	cr_expect_str_eq(testsink_string(&ts, 4, "title"), "Item 4");
	expect_protocol(&ts, "max_items");
	testsink_free(&ts);

	/* The host says STOP: nothing is called after it. */
	testsink_init(&ts, 3);
	cr_expect_eq(parse_with(&ts, xml, strlen(xml), NULL, 0, 0), DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 3);
	cr_expect(ts.stopped);
	expect_protocol(&ts, "host stop");
	testsink_free(&ts);

	/* The host says STOP only at begin(): nothing after it either. */
	testsink_init(&ts, 3);
	ts.begin_only = 1;
	cr_expect_eq(parse_with(&ts, xml, strlen(xml), NULL, 0, 0), DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 3);
	cr_expect(ts.stopped);
	expect_protocol(&ts, "host stop at begin");
	testsink_free(&ts);

	/* No limit at all. */
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, xml, strlen(xml), NULL, 0, 0), DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 50);
	testsink_free(&ts);
	free(xml);
}

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
		parse_with(&ts, job->data, job->len, FIXTURE_BASE, 0, 0);
		free(job->dump);
		job->dump = testsink_dump(&ts);
		testsink_free(&ts);
	}
	return NULL;
}

Test(rss, parses_from_many_threads_alike)
{
	struct thread_job	 jobs[8];
	pthread_t		 tid[8];
	struct testsink		 ts;
	char			*path, *data, *want;
	size_t			 len, i;

	path = fixture_path("events-full.xml");
	cr_assert_not_null(data = testsink_slurp(path, &len), "cannot read %s",
	    path);
	testsink_init(&ts, 0);
	parse_with(&ts, data, len, FIXTURE_BASE, 0, 0);
	want = testsink_dump(&ts);
	testsink_free(&ts);
	for (i = 0; i < 8; i++) {
		jobs[i].data = data;
		jobs[i].len = len;
		jobs[i].dump = NULL;
		cr_assert_eq(pthread_create(&tid[i], NULL, parse_thread,
		    &jobs[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(tid[i], NULL);
		cr_expect_str_eq(jobs[i].dump, want, "thread %zu differs", i);
		free(jobs[i].dump);
	}
	free(want);
	free(data);
	free(path);
}

/* --- sniffing --- */

struct sniff_case {
	const char	*name;
	const char	*data;
	size_t		 len;		/* 0: strlen(data) */
	const char	*content_type;
	int		 expect;
};

static const struct sniff_case sniff_cases[] = {
	{ "rss", "<rss version=\"2.0\"><channel/></rss>", 0, NULL,
	    DAYHUB_SNIFF_CERTAIN },
	{ "rss with a prolog", "\xef\xbb\xbf<?xml version=\"1.0\"?>\n"
	    "<!-- made by hand -->\n<!DOCTYPE rss PUBLIC \"-//Netscape "
	    "Communications//DTD RSS 0.91//EN\" \"http://my.netscape.com/"
	    "publish/formats/rss-0.91.dtd\">\n<?xml-stylesheet href=\"s.xsl\"?>"
	    "\n<rss version=\"0.91\">", 0, "text/html", DAYHUB_SNIFF_CERTAIN },
	{ "rss with an internal subset", "<!DOCTYPE rss [<!ENTITY a \"b>c\">"
	    "<!-- ] > -->]><rss>", 0, NULL, DAYHUB_SNIFF_CERTAIN },
	{ "rss in UTF-16LE", RSS_UTF16LE, sizeof RSS_UTF16LE - 1, NULL,
	    DAYHUB_SNIFF_CERTAIN },
	{ "rss in UTF-16BE", RSS_UTF16BE, sizeof RSS_UTF16BE - 1, NULL,
	    DAYHUB_SNIFF_CERTAIN },
	{ "atom", "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/"
	    "Atom\"><title>x</title></feed>", 0, NULL, DAYHUB_SNIFF_MAYBE },
	{ "atom said to be rss", "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
	    0, "application/rss+xml", DAYHUB_SNIFF_MAYBE },
	{ "rdf", "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-"
	    "ns#\">", 0, NULL, DAYHUB_SNIFF_MAYBE },
	{ "rss 1.0", "<?xml version=\"1.0\"?>\n<rdf:RDF\n  xmlns:rdf=\""
	    RDF_NS "\"\n  xmlns=\"" RSS10_NS "\">\n<channel>", 0, NULL,
	    DAYHUB_SNIFF_CERTAIN },
	{ "rss 1.0 with a prefix", "<rdf:RDF xmlns:rdf='" RDF_NS "' "
	    "xmlns:rss='" RSS10_NS "'>", 0, NULL, DAYHUB_SNIFF_CERTAIN },
	{ "rss 0.90", "<rdf:RDF xmlns:rdf=\"" RDF_NS "\" xmlns=\"" RSS090_NS
	    "\">", 0, NULL, DAYHUB_SNIFF_CERTAIN },
	{ "rdf, RSS 1.0 declared further in", "<rdf:RDF xmlns:rdf=\"" RDF_NS
	    "\"><channel xmlns=\"" RSS10_NS "\">", 0, NULL,
	    DAYHUB_SNIFF_MAYBE },
	{ "rdf, the start tag cut short", "<rdf:RDF xmlns:rdf=\"" RDF_NS "\" "
	    "xmlns=\"" RSS10_NS, 0, NULL, DAYHUB_SNIFF_MAYBE },
	{ "rdf, a namespace like RSS 1.0's", "<rdf:RDF xmlns:rdf=\"" RDF_NS
	    "\" xmlns=\"http://purl.org/rss/1.0/modules/content/\">", 0, NULL,
	    DAYHUB_SNIFF_MAYBE },
	{ "other xml", "<events><event/></events>", 0, NULL,
	    DAYHUB_SNIFF_MAYBE },
	{ "other xml said to be rss", "<events><event/></events>", 0,
	    "application/rss+xml", DAYHUB_SNIFF_LIKELY },
	{ "other xml, rss type with parameters", "<events/>", 0,
	    " Application/RSS+XML; charset=UTF-8", DAYHUB_SNIFF_LIKELY },
	{ "other xml said to be xml", "<events/>", 0, "text/xml",
	    DAYHUB_SNIFF_MAYBE },
	{ "only a prolog", "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<!-- long comment", 0, NULL, DAYHUB_SNIFF_MAYBE },
	{ "only a prolog, rss type", "<?xml version=\"1.0\"?>", 0,
	    "application/rss+xml", DAYHUB_SNIFF_LIKELY },
	{ "html", "<!DOCTYPE html>\n<html lang=\"en\"><head>", 0, NULL,
	    DAYHUB_SNIFF_NO },
	{ "html said to be rss", "<html><body><p>hi", 0,
	    "application/rss+xml", DAYHUB_SNIFF_NO },
	{ "json", "{\"items\": []}", 0, NULL, DAYHUB_SNIFF_NO },
	{ "json said to be rss", "[1, 2]", 0, "application/rss+xml",
	    DAYHUB_SNIFF_NO },
	{ "icalendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0, NULL,
	    DAYHUB_SNIFF_NO },
	{ "garbage", GARBAGE, sizeof GARBAGE - 1, NULL, DAYHUB_SNIFF_NO },
	{ "text before the markup", "Warning: something <rss>", 0, NULL,
	    DAYHUB_SNIFF_NO },
	{ "empty", "", 0, NULL, DAYHUB_SNIFF_NO },
	{ "white space", " \r\n\t", 0, "application/rss+xml",
	    DAYHUB_SNIFF_NO },
};

Test(rss, sniff_scores)
{
	const struct sniff_case	*c;
	size_t			 i, len;
	int			 got;

	for (i = 0; i < sizeof sniff_cases / sizeof sniff_cases[0]; i++) {
		c = &sniff_cases[i];
		len = c->len != 0 ? c->len : strlen(c->data);
		got = module()->sniff((const unsigned char *)c->data, len,
		    c->content_type);
		cr_expect_eq(got, c->expect, "%s: %d, want %d", c->name, got,
		    c->expect);
	}
}

/* --- fixtures --- */

struct fixture_case {
	const char	*file;
	int		 rc;
	size_t		 nrecords;
	const char	*error;
	const char	*warning;
	const char	*absent;	/* must appear nowhere in the output */
};

static const struct fixture_case fixture_cases[] = {
	{ "events-full.xml", DAYHUB_OK, 3, NULL, NULL, NULL },
	{ "html-entities.xml", DAYHUB_OK, 3, NULL, "decoded 12 HTML entities",
	    "track()" },
	{ "relative-links.xml", DAYHUB_OK, 5, NULL, "javascript:void(0)",
	    NULL },
	{ "rss-091-netscape.xml", DAYHUB_OK, 2, NULL, "&nbsp; &ndash;", NULL },
	{ "windows-1252-mislabelled.xml", DAYHUB_OK, 1, NULL, "Windows-1252",
	    NULL },
	{ "iso-8859-1.xml", DAYHUB_OK, 1, NULL, NULL, NULL },
	{ "pubdate-is-not-start.xml", DAYHUB_OK, 2, NULL,
	    "\"next Saturday at two\"", "\"start\"" },
	{ "truncated.xml", DAYHUB_ERROR, 0, "breaks off before </rss>", NULL,
	    "Complete item" },
	{ "item-without-title.xml", DAYHUB_OK, 1, NULL,
	    "neither title nor description", NULL },
	{ "atom-not-rss.xml", DAYHUB_ERROR, 0,
	    "not an RSS feed: the root element is <feed>", NULL, NULL },
	{ "billion-laughs.xml", DAYHUB_ERROR, 0, "entity bomb", NULL, "lollol" },
	{ "xxe-passwd.xml", DAYHUB_OK, 1, NULL, "external entity &passwd;",
	    "root:" },
	{ "rss-10-rdf.xml", DAYHUB_OK, 3, NULL, NULL, NULL },
};

/* Compares the records with NAME.jsonl beside the fixture, if there is one. */
static void
expect_golden(const struct testsink *ts, const char *file)
{
	char	*name, *path, *why;

	if (asprintf(&name, "%.*s.jsonl", (int)(strrchr(file, '.') - file),
	    file) == -1)
		cr_assert_fail("out of memory");
	path = fixture_path(name);
	cr_expect(testsink_golden(ts, path, &why) != 0, "%s: %s", file, why);
	free(why);
	free(path);
	free(name);
}

Test(rss, fixtures)
{
	const struct fixture_case	*c;
	struct testsink			 ts;
	char				*path, *data;
	size_t				 i, len;
	int				 rc;

	for (i = 0; i < sizeof fixture_cases / sizeof fixture_cases[0]; i++) {
		c = &fixture_cases[i];
		path = fixture_path(c->file);
		cr_assert_not_null(data = testsink_slurp(path, &len),
		    "cannot read %s (is DAYHUB_SRCDIR set?)", path);
		testsink_init(&ts, 0);
		rc = parse_with(&ts, data, len, FIXTURE_BASE, FEED_MAX_ITEMS,
		    FEED_MAX_DEPTH);
		cr_expect_eq(rc, c->rc, "%s: rc %d (%s)", c->file, rc,
		    ts.error != NULL ? ts.error : "no error");
		cr_expect_eq(json_array_size(ts.records), c->nrecords,
		    "%s: %zu records", c->file, json_array_size(ts.records));
		if (c->error != NULL)
			cr_expect(ts.error != NULL &&
			    strstr(ts.error, c->error) != NULL,
			    "%s: error %s", c->file,
			    ts.error != NULL ? ts.error : "(none)");
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\"", c->file, c->warning);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings", c->file);
		if (c->absent != NULL)
			cr_expect(!sink_mentions(&ts, c->absent),
			    "%s: \"%s\" in the output", c->file, c->absent);
		if (rc == DAYHUB_OK)
			expect_golden(&ts, c->file);
		expect_protocol(&ts, c->file);
		testsink_free(&ts);
		free(data);
		free(path);
	}
}

/* --- feedutil --- */

static const struct date_case date_cases[] = {
	/* RFC 822 */
	{ "Tue, 01 Dec 2026 10:00:00 GMT", "2026-12-01T10:00:00+00:00" },
	{ "tue, 01 dec 2026 10:00:00 gmt", "2026-12-01T10:00:00+00:00" },
	{ "01 Dec 2026 10:00:00 GMT", "2026-12-01T10:00:00+00:00" },
	{ "Tuesday, 1 December 2026 10:00 UT", "2026-12-01T10:00:00+00:00" },
	{ "Tue, 01 Dec 26 10:00:00 UTC", "2026-12-01T10:00:00+00:00" },
	{ "Wed, 01 Dec 99 10:00:00 Z", "1999-12-01T10:00:00+00:00" },
	{ "01 Dec 2026 10:00 EST", "2026-12-01T10:00:00-05:00" },
	{ "01 Jun 2026 10:00 EDT", "2026-06-01T10:00:00-04:00" },
	{ "01 Dec 2026 10:00 CST", "2026-12-01T10:00:00-06:00" },
	{ "01 Jun 2026 10:00 CDT", "2026-06-01T10:00:00-05:00" },
	{ "01 Dec 2026 10:00 MST", "2026-12-01T10:00:00-07:00" },
	{ "01 Jun 2026 10:00 MDT", "2026-06-01T10:00:00-06:00" },
	{ "01 Dec 2026 10:00 PST", "2026-12-01T10:00:00-08:00" },
	{ "01 Jun 2026 10:00 PDT", "2026-06-01T10:00:00-07:00" },
	{ "01 Jun 2026 10:00 BST", "2026-06-01T10:00:00+01:00" },
	{ "01 Dec 2026 10:00 A", "2026-12-01T10:00:00+01:00" },
	{ "01 Dec 2026 10:00 M", "2026-12-01T10:00:00+12:00" },
	{ "01 Dec 2026 10:00 N", "2026-12-01T10:00:00-01:00" },
	{ "01 Dec 2026 10:00 Y", "2026-12-01T10:00:00-12:00" },
	{ "01 Dec 2026 10:00 z", "2026-12-01T10:00:00+00:00" },
	{ "01 Dec 2026 10:00 +0530", "2026-12-01T10:00:00+05:30" },
	{ "01 Dec 2026 10:00 -0000", "2026-12-01T10:00:00+00:00" },
	{ "01 Dec 2026 10:00:00 +0000 (GMT)", "2026-12-01T10:00:00+00:00" },
	{ "01 Dec 2026 9:05", "2026-12-01T09:05:00" },
	{ "01 Dec 2026", "2026-12-01" },
	{ "  Tue,\t01 Dec 2026 10:00:00 GMT \n", "2026-12-01T10:00:00+00:00" },
	{ "29 Feb 2024 10:00 GMT", "2024-02-29T10:00:00+00:00" },
	/* W3C-DTF and ISO 8601 */
	{ "2026", "2026-01-01" },
	{ "2026-12", "2026-12-01" },
	{ "2026-12-01", "2026-12-01" },
	{ "2026-12-01T10:00Z", "2026-12-01T10:00:00+00:00" },
	{ "2026-12-01T10:00:00", "2026-12-01T10:00:00" },
	{ "2026-12-01T10:00", "2026-12-01T10:00:00" },
	{ "2026-12-01T10:00:00.5+01:00", "2026-12-01T10:00:00+01:00" },
	{ "2026-12-01T10:00:00,123456789-0500", "2026-12-01T10:00:00-05:00" },
	{ "2026-12-01T10:00:00+01", "2026-12-01T10:00:00+01:00" },
	{ "2026-12-01 10:00:00", "2026-12-01T10:00:00" },
	{ "2026-12-01t10:00:00z", "2026-12-01T10:00:00+00:00" },
	{ "2026-12-01T23:59:59-12:00", "2026-12-01T23:59:59-12:00" },
	{ "2024-02-29", "2024-02-29" },
	/* not dates */
	{ "", NULL },
	{ "   ", NULL },
	{ "2026-02-29", NULL },
	{ "2026-02-30", NULL },
	{ "2026-13-01", NULL },
	{ "2026-00-10", NULL },
	{ "2026-12-32", NULL },
	{ "2026-04-31", NULL },
	{ "2026-12-01T24:00:00Z", NULL },
	{ "2026-12-01T25:00:00Z", NULL },
	{ "2026-12-01T10:60:00Z", NULL },
	{ "2026-12-01T10:00:60Z", NULL },
	{ "2026-12-01T10:00:00+24:00", NULL },
	{ "2026-12-01T10:00:00+01:60", NULL },
	{ "2026-12-01T10", NULL },
	{ "2026-12-01T10:00:00Z and more", NULL },
	{ "2026-1-5", NULL },
	{ "2026-12T10:00", NULL },
	{ "12/01/2026", NULL },
	{ "0999-01-01", NULL },
	{ "Tue, 31 Nov 2026 10:00 GMT", NULL },
	{ "Tue, 01 Foo 2026 10:00 GMT", NULL },
	{ "Funday, 01 Dec 2026 10:00 GMT", NULL },
	{ "01 Dec 2026 10:00 J", NULL },
	{ "01 Dec 2026 10:00 XYZ", NULL },
	{ "01 Dec 2026 25:00 GMT", NULL },
	{ "01 Dec 2026 10 GMT", NULL },
	{ "Dec 01 2026", NULL },
	{ "next Tuesday", NULL },
};

Test(feedutil, date_parse)
{
	const struct date_case	*c;
	char			 out[FEEDUTIL_DATE_MAX];
	size_t			 i;
	int			 r;

	for (i = 0; i < sizeof date_cases / sizeof date_cases[0]; i++) {
		c = &date_cases[i];
		r = feedutil_date_parse(c->in, strlen(c->in), out, sizeof out);
		if (c->expect == NULL) {
			cr_expect_eq(r, -1, "\"%s\" read as %s", c->in, out);
			cr_expect_str_eq(out, "", "\"%s\" left %s", c->in, out);
		} else {
			cr_expect_eq(r, 0, "\"%s\" refused", c->in);
			cr_expect_str_eq(out, c->expect, "\"%s\"", c->in);
		}
	}
}

Test(feedutil, date_parse_reads_only_len_bytes)
{
	char	out[FEEDUTIL_DATE_MAX];

	cr_expect_eq(feedutil_date_parse("2026-12-01garbage", 10, out,
	    sizeof out), 0);
	cr_expect_str_eq(out, "2026-12-01");
	cr_expect_eq(feedutil_date_parse("2026-12-01", 10, out, 8), -1);
	cr_expect_eq(feedutil_date_parse("2026\0-12-01", 11, out, sizeof out),
	    -1);
}

struct text_case {
	const char	*in;
	size_t		 max;
	const char	*expect;
};

static const struct text_case clean_cases[] = {
	{ "  a  b  ", 100, "a b" },
	{ "a\tb\r\nc", 100, "a b c" },
	{ "a\x01" "b\x7f c\x1b", 100, "ab c" },
	{ "caf\xc3\xa9", 100, "caf\xc3\xa9" },
	{ "bad\xff byte", 100, "bad\xef\xbf\xbd byte" },
	{ "cut \xe2\x80", 100, "cut \xef\xbf\xbd" },
	{ "overlong \xc0\xaf", 100, "overlong \xef\xbf\xbd\xef\xbf\xbd" },
	{ "surrogate \xed\xa0\x80", 100, "surrogate \xef\xbf\xbd" },
	{ "nbsp\xc2\xa0here", 100, "nbsp here" },
	{ "\xef\xbb\xbf" "bom", 100, "bom" },
	{ "c1\xc2\x80" "gone", 100, "c1gone" },
	{ "no\xef\xbf\xbf" "nchar", 100, "nonchar" },
	{ "em\xe2\x80\x83space", 100, "em space" },
	{ "abcdef", 3, "abc" },
	{ "\xc3\xa9\xc3\xa9\xc3\xa9", 3, "\xc3\xa9" },
	{ "\xe2\x80\x99\xe2\x80\x99", 5, "\xe2\x80\x99" },
	{ "a b c", 2, "a" },
	{ "", 10, "" },
	{ " \t\n ", 10, "" },
};

Test(feedutil, text_clean)
{
	const struct text_case	*c;
	char			*got;
	size_t			 i;

	for (i = 0; i < sizeof clean_cases / sizeof clean_cases[0]; i++) {
		c = &clean_cases[i];
		got = feedutil_text_clean(c->in, strlen(c->in), c->max);
		cr_assert_not_null(got);
		cr_expect_str_eq(got, c->expect, "row %zu", i);
		cr_expect(utf8_valid(got, strlen(got)), "row %zu", i);
		free(got);
	}
}

Test(feedutil, text_clean_keeps_bytes_after_a_nul)
{
	char	*got = feedutil_text_clean("a\0b", 3, 10);

	cr_expect_str_eq(got, "ab");
	free(got);
}

static const struct text_case lines_cases[] = {
	{ "a\n\n\n\nb", 100, "a\n\nb" },
	{ "a \r\n b", 100, "a\nb" },
	{ "a\rb", 100, "a\nb" },
	{ "  one  \n  two  ", 100, "one\ntwo" },
	{ "\n\nlead and trail\n\n", 100, "lead and trail" },
};

Test(feedutil, text_clean_lines)
{
	const struct text_case	*c;
	char			*got;
	size_t			 i;

	for (i = 0; i < sizeof lines_cases / sizeof lines_cases[0]; i++) {
		c = &lines_cases[i];
		got = feedutil_text_clean_lines(c->in, strlen(c->in), c->max);
		cr_expect_str_eq(got, c->expect, "row %zu", i);
		free(got);
	}
}

static const struct text_case html_cases[] = {
	{ "<p>One</p><p>Two</p>", 1000, "One\n\nTwo" },
	{ "a<br>b", 1000, "a\nb" },
	{ "a<br/><br />b", 1000, "a\n\nb" },
	{ "<ul><li>one</li><li>two</li></ul>after", 1000,
	    "- one\n- two\n\nafter" },
	{ "<ol><li><p>para in item</p></li></ol>", 1000, "- para in item" },
	{ "<script>alert(1)</script>text<style>p{color:red}</style>", 1000,
	    "text" },
	{ "Tea&nbsp;&amp;&nbsp;cake &pound;2", 1000,
	    "Tea & cake \xc2\xa3" "2" },
	{ "&lt;not a tag&gt; &#8217; &#x2019;", 1000,
	    "<not a tag> \xe2\x80\x99 \xe2\x80\x99" },
	{ "  lots   of <b>space</b>  ", 1000, "lots of space" },
	{ "<div>a</div><div>b</div>", 1000, "a\nb" },
	{ "<h2>Title</h2>Body", 1000, "Title\n\nBody" },
	{ "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
	    1000, "a b\nc" },
	{ "<pre>line1\n  line2</pre>", 1000, "line1\nline2" },
	{ "<p>unclosed <b>bold", 1000, "unclosed bold" },
	{ "<!-- hidden -->visible", 1000, "visible" },
	{ "<img src=x onerror=alert(1)>after", 1000, "after" },
	{ "<iframe src=\"x\">inside</iframe>out", 1000, "out" },
	{ "<p>cut here please</p>", 7, "cut her" },
	{ "<p>caf&eacute;</p>", 4, "caf" },
	{ "plain text\nwith a line", 1000, "plain text\nwith a line" },
	{ "x < y and y > z", 1000, "x < y and y > z" },
	{ "Fish & chips", 1000, "Fish & chips" },
	{ "<p>bad \xff byte</p>", 1000, "bad \xef\xbf\xbd byte" },
	{ "<p>ctl\x01" "char</p>", 1000, "ctlchar" },
	{ "", 1000, "" },
	{ "<p></p><br><div></div>", 1000, "" },
};

Test(feedutil, html_to_text)
{
	const struct text_case	*c;
	char			*got;
	size_t			 i;

	for (i = 0; i < sizeof html_cases / sizeof html_cases[0]; i++) {
		c = &html_cases[i];
		got = feedutil_html_to_text(c->in, strlen(c->in), c->max);
		cr_assert_not_null(got, "row %zu", i);
		cr_expect_str_eq(got, c->expect, "\"%s\"", c->in);
		free(got);
	}
}

Test(feedutil, html_to_text_keeps_text_above_the_depth_limit)
{
	struct feedutil_buf	 b;
	char			*got;
	size_t			 i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<p>top</p>");
	for (i = 0; i < 200; i++)
		feedutil_buf_adds(&b, "<span>");
	feedutil_buf_adds(&b, "within");
	for (i = 0; i < 50000; i++)
		feedutil_buf_adds(&b, "<span><div>");
	feedutil_buf_adds(&b, "too deep");
	got = feedutil_html_to_text(b.data, b.len, 100);
	cr_expect_str_eq(got, "top\n\nwithin");
	free(got);
	feedutil_buf_free(&b);
}

struct url_case {
	const char	*ref;
	const char	*base;
	const char	*expect;	/* NULL: refused */
};

static const struct url_case url_cases[] = {
	{ "e/1", "https://a.example.org/x/", "https://a.example.org/x/e/1" },
	{ "/e/1", "https://a.example.org/x/y", "https://a.example.org/e/1" },
	{ "../e", "https://a.example.org/x/y/", "https://a.example.org/x/e" },
	{ "?q=1", "https://a.example.org/p", "https://a.example.org/p?q=1" },
	{ "#top", "https://a.example.org/p", "https://a.example.org/p#top" },
	{ "//c.example.org/p", "https://a.example.org/",
	    "https://c.example.org/p" },
	{ "https://b.example.org/", "https://a.example.org/",
	    "https://b.example.org/" },
	{ "HTTP://B.example.org/", NULL, "HTTP://B.example.org/" },
	{ "  e/1\n", "https://a.example.org/", "https://a.example.org/e/1" },
	{ "a b.html", "https://a.example.org/", "https://a.example.org/a%20b.html" },
	{ "mailto:x@example.org", NULL, "mailto:x@example.org" },
	{ "tel:+441258000000", NULL, "tel:+441258000000" },
	{ "e/1", "http://a.example.org", "http://a.example.org/e/1" },
	{ "javascript:alert(1)", "https://a.example.org/", NULL },
	{ "JavaScript:alert(1)", "https://a.example.org/", NULL },
	{ "data:text/plain,x", "https://a.example.org/", NULL },
	{ "file:///etc/passwd", NULL, NULL },
	{ "ftp://a.example.org/", NULL, NULL },
	{ "e/1", NULL, NULL },
	{ "", "https://a.example.org/", NULL },
	{ "   ", "https://a.example.org/", NULL },
	{ "http://", NULL, NULL },
	{ "http:///path", NULL, NULL },
	{ "e/1", "urn:x:y", NULL },
};

Test(feedutil, url_resolve)
{
	const struct url_case	*c;
	char			*got;
	size_t			 i;

	for (i = 0; i < sizeof url_cases / sizeof url_cases[0]; i++) {
		c = &url_cases[i];
		got = feedutil_url_resolve(c->ref, c->base);
		if (c->expect == NULL)
			cr_expect_null(got, "\"%s\" on %s gave %s", c->ref,
			    c->base != NULL ? c->base : "no base", got);
		else
			cr_expect(got != NULL && strcmp(got, c->expect) == 0,
			    "\"%s\" on %s gave %s, want %s", c->ref,
			    c->base != NULL ? c->base : "no base",
			    got != NULL ? got : "(null)", c->expect);
		free(got);
	}
}

struct fix_case {
	const char	*in;
	const char	*expect;
	size_t		 html, unknown, bare, charrefs, controls;
	const char	*names;		/* the html names noted, or NULL */
};

static const struct fix_case fix_cases[] = {
	{ "&nbsp;", "&#160;", 1, 0, 0, 0, 0, "&nbsp;" },
	{ "&pound;5 it&rsquo;s", "&#163;5 it&#8217;s", 2, 0, 0, 0, 0,
	    "&pound; &rsquo;" },
	{ "&nbsp;&pound;&nbsp;", "&#160;&#163;&#160;", 3, 0, 0, 0, 0,
	    "&nbsp; &pound;" },
	{ "&Eacute;&eacute;&AElig;&zwnj;", "&#201;&#233;&#198;&#8204;", 4, 0,
	    0, 0, 0, NULL },
	{ "&amp;&lt;&gt;&quot;&apos;", "&amp;&lt;&gt;&quot;&apos;", 0, 0, 0,
	    0, 0, NULL },
	{ "&#163;&#xA3;&#xa3;", "&#163;&#xA3;&#xa3;", 0, 0, 0, 0, 0, NULL },
	{ "&#XA3;", "&#163;", 0, 0, 0, 0, 0, NULL },
	{ "&foo;", "&amp;foo;", 0, 1, 0, 0, 0, NULL },
	{ "AT&T", "AT&amp;T", 0, 0, 1, 0, 0, NULL },
	{ "a && b", "a &amp;&amp; b", 0, 0, 2, 0, 0, NULL },
	{ "&nbsp no semicolon", "&amp;nbsp no semicolon", 0, 0, 1, 0, 0,
	    NULL },
	{ "&#;&#x;&#12", "&amp;#;&amp;#x;&amp;#12", 0, 0, 3, 0, 0, NULL },
	{ "<a href=\"?a=1&b=2\">", "<a href=\"?a=1&amp;b=2\">", 0, 0, 1, 0,
	    0, NULL },
	{ "&#150;&#146;", "&#8211;&#8217;", 0, 0, 0, 2, 0, NULL },
	{ "&#129;", "", 0, 0, 0, 1, 0, NULL },
	{ "a&#0;b&#1;c&#x110000;d&#xFFFE;", "abcd", 0, 0, 0, 0, 4, NULL },
	{ "<![CDATA[&nbsp; & &foo;]]>", "<![CDATA[&nbsp; & &foo;]]>", 0, 0, 0,
	    0, 0, NULL },
	{ "<!-- &nbsp; & -->", "<!-- &nbsp; & -->", 0, 0, 0, 0, 0, NULL },
	{ "<?pi &nbsp; ?>", "<?pi &nbsp; ?>", 0, 0, 0, 0, 0, NULL },
	{ "<!DOCTYPE r [<!ENTITY me \"x&#65;\"><!ENTITY % pe \"y\">]>&me;&pe;",
	    "<!DOCTYPE r [<!ENTITY me \"x&#65;\"><!ENTITY % pe \"y\">]>&me;"
	    "&amp;pe;", 0, 1, 0, 0, 0, NULL },
	{ "<!DOCTYPE r [<!ENTITY nbsp \"&#160;\">]>&nbsp;",
	    "<!DOCTYPE r [<!ENTITY nbsp \"&#160;\">]>&nbsp;", 0, 0, 0, 0, 0,
	    NULL },
	{ "<![CDATA[ unterminated &nbsp;", "<![CDATA[ unterminated &nbsp;",
	    0, 0, 0, 0, 0, NULL },
	{ "&", "&amp;", 0, 0, 1, 0, 0, NULL },
};

Test(feedutil, entities_fix)
{
	const struct fix_case	*c;
	struct feedutil_repairs	 rep;
	char			*got;
	size_t			 i, len;

	for (i = 0; i < sizeof fix_cases / sizeof fix_cases[0]; i++) {
		c = &fix_cases[i];
		memset(&rep, 0, sizeof rep);
		got = feedutil_entities_fix(c->in, strlen(c->in), &len, &rep);
		cr_assert_not_null(got);
		cr_expect_str_eq(got, c->expect, "\"%s\"", c->in);
		cr_expect_eq(len, strlen(c->expect), "\"%s\" length", c->in);
		cr_expect_eq(rep.html_entities.count, c->html, "\"%s\" html",
		    c->in);
		cr_expect_eq(rep.unknown_entities.count, c->unknown,
		    "\"%s\" unknown", c->in);
		cr_expect_eq(rep.bare_amps.count, c->bare, "\"%s\" bare",
		    c->in);
		cr_expect_eq(rep.charrefs.count, c->charrefs, "\"%s\" refs",
		    c->in);
		cr_expect_eq(rep.controls.count, c->controls,
		    "\"%s\" controls", c->in);
		if (c->names != NULL)
			cr_expect_str_eq(rep.html_entities.names, c->names);
		free(got);
	}
}

Test(feedutil, entities_fix_counts_lines_and_caps_names)
{
	struct feedutil_repairs	 rep;
	struct feedutil_buf	 b;
	char			*got;
	size_t			 len, i;
	static const char *const names[] = {
		"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",
		"theta", "iota", "kappa", "lambda", "omicron", "upsilon",
		"omega", "hellip", "thetasym", "alefsym", "weierp",
	};

	memset(&rep, 0, sizeof rep);
	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<a>\n<!-- x\n-->\n<b>");
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		feedutil_buf_addc(&b, '&');
		feedutil_buf_adds(&b, names[i]);
		feedutil_buf_addc(&b, ';');
	}
	feedutil_buf_adds(&b, "\n&bogus;</b></a>");
	got = feedutil_entities_fix(b.data, b.len, &len, &rep);
	cr_expect_eq(rep.html_entities.count, sizeof names / sizeof names[0]);
	cr_expect_eq(rep.html_entities.line, 4);
	cr_expect_eq(rep.unknown_entities.line, 5);
	cr_expect(rep.html_entities.more);
	cr_expect_lt(strlen(rep.html_entities.names), FEEDUTIL_NAMES_MAX);
	cr_expect_eq(strncmp(rep.html_entities.names, "&alpha; &beta;", 14),
	    0);
	free(got);
	feedutil_buf_free(&b);
}

Test(feedutil, entity_table)
{
	static const struct {
		const char	*name;
		uint32_t	 cp;
	} rows[] = {
		{ "AElig", 198 }, { "Aacute", 193 }, { "Alpha", 913 },
		{ "alpha", 945 }, { "Prime", 8243 }, { "prime", 8242 },
		{ "nbsp", 160 }, { "pound", 163 }, { "euro", 8364 },
		{ "rsquo", 8217 }, { "lsquo", 8216 }, { "ldquo", 8220 },
		{ "rdquo", 8221 }, { "ndash", 8211 }, { "mdash", 8212 },
		{ "hellip", 8230 }, { "eacute", 233 }, { "copy", 169 },
		{ "bull", 8226 }, { "yuml", 255 }, { "Yuml", 376 },
		{ "sup", 8835 }, { "sup1", 185 }, { "supe", 8839 },
		{ "zwnj", 8204 }, { "zwj", 8205 }, { "diams", 9830 },
		{ "thetasym", 977 }, { "quot", 34 }, { "amp", 38 },
		{ "nope", 0 }, { "NBSP", 0 }, { "", 0 }, { "supx", 0 },
	};
	size_t	i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		cr_expect_eq(feedutil_entity_lookup(rows[i].name,
		    strlen(rows[i].name)), rows[i].cp, "&%s;", rows[i].name);
	/* Only `len` bytes count. */
	cr_expect_eq(feedutil_entity_lookup("nbspx", 4), 160);
}

struct sanitize_case {
	const char	*name;
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*expect;
	size_t		 controls, utf8;
	int		 cp1252, skipped;
};

static const struct sanitize_case sanitize_cases[] = {
	{ "clean", "<a>caf\xc3\xa9</a>", 0, "<a>caf\xc3\xa9</a>", 0, 0, 0, 0 },
	{ "controls", "<a>\x01x\x1f\ty\r\n</a>", 0, "<a>x\ty\r\n</a>", 2, 0,
	    0, 0 },
	{ "NUL", SANITIZE_NUL, sizeof SANITIZE_NUL - 1, "<a>xy</a>", 1, 0, 0,
	    0 },
	{ "bad UTF-8 among good", "<a>\xc3\xa9\xff</a>", 0,
	    "<a>\xc3\xa9\xef\xbf\xbd</a>", 0, 1, 0, 0 },
	{ "U+FFFE", "<a>\xef\xbf\xbe</a>", 0, "<a>\xef\xbf\xbd</a>", 0, 1, 0,
	    0 },
	{ "Windows-1252", "<a>\xa3\x93q\x94</a>", 0,
	    "<a>\xc2\xa3\xe2\x80\x9cq\xe2\x80\x9d</a>", 0, 0, 1, 0 },
	{ "Windows-1252 hole", "<a>\x81</a>", 0, "<a>\xef\xbf\xbd</a>", 0, 1,
	    1, 0 },
	{ "declared Latin-1", "<?xml version='1.0' encoding='ISO-8859-1'?>"
	    "<a>\xa3\x01</a>", 0, "<?xml version='1.0' encoding='ISO-8859-1'?>"
	    "<a>\xa3</a>", 1, 0, 0, 0 },
	{ "declared UTF-8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<a>\xa3</a>", 0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<a>\xc2\xa3</a>", 0, 0, 1, 0 },
	{ "UTF-16", SANITIZE_UTF16, sizeof SANITIZE_UTF16 - 1, SANITIZE_UTF16,
	    0, 0, 0, 1 },
};

Test(feedutil, xml_sanitize)
{
	const struct sanitize_case	*c;
	struct feedutil_repairs		 rep;
	char				*got;
	size_t				 i, len, outlen;

	for (i = 0; i < sizeof sanitize_cases / sizeof sanitize_cases[0];
	    i++) {
		c = &sanitize_cases[i];
		len = c->len != 0 ? c->len : strlen(c->in);
		got = feedutil_xml_sanitize((const unsigned char *)c->in, len,
		    &outlen, &rep);
		cr_assert_not_null(got);
		cr_expect(outlen == strlen(c->expect) ||
		    (c->skipped && outlen == len), "%s: length %zu", c->name,
		    outlen);
		cr_expect_eq(memcmp(got, c->expect, c->skipped ? len :
		    strlen(c->expect)), 0, "%s: bytes differ", c->name);
		cr_expect_eq(rep.controls.count, c->controls, "%s: controls",
		    c->name);
		cr_expect_eq(rep.utf8.count, c->utf8, "%s: utf8", c->name);
		cr_expect_eq(rep.cp1252, c->cp1252, "%s: cp1252", c->name);
		cr_expect_eq(rep.skipped, c->skipped, "%s: skipped", c->name);
		free(got);
	}
}

struct decimal_case {
	const char	*in;
	int		 ok;
	double		 value;
};

static const struct decimal_case decimal_cases[] = {
	{ "50.8601", 1, 50.8601 }, { "-2.1642", 1, -2.1642 },
	{ "+90", 1, 90 }, { "0", 1, 0 }, { ".5", 1, 0.5 }, { "5.", 1, 5 },
	{ "", 0, 0 }, { "-", 0, 0 }, { ".", 0, 0 }, { "1e5", 0, 0 },
	{ "1,5", 0, 0 }, { " 1", 0, 0 }, { "1 ", 0, 0 }, { "0x10", 0, 0 },
	{ "nan", 0, 0 }, { "--1", 0, 0 },
};

Test(feedutil, decimal_parse)
{
	const struct decimal_case	*c;
	double				 v;
	size_t				 i;
	int				 r;

	for (i = 0; i < sizeof decimal_cases / sizeof decimal_cases[0]; i++) {
		c = &decimal_cases[i];
		r = feedutil_decimal_parse(c->in, strlen(c->in), &v);
		cr_expect_eq(r, c->ok ? 0 : -1, "\"%s\"", c->in);
		if (c->ok)
			cr_expect_float_eq(v, c->value, 1e-9, "\"%s\"", c->in);
	}
}

Test(feedutil, looks_like_html)
{
	static const struct {
		const char	*in;
		int		 expect;
	} rows[] = {
		{ "<p>x</p>", 1 }, { "a <b>b</b>", 1 }, { "</br>", 1 },
		{ "<!-- c -->", 1 }, { "&amp;", 1 }, { "&#8217;", 1 },
		{ "&#x2019;", 1 }, { "plain", 0 }, { "a < b", 0 },
		{ "Fish & chips", 0 }, { "<3", 0 }, { "&;", 0 }, { "&#;", 0 },
		{ "AT&T;", 1 }, { "", 0 }, { "<", 0 },
	};
	size_t	i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		cr_expect_eq(feedutil_looks_like_html(rows[i].in,
		    strlen(rows[i].in)), rows[i].expect, "\"%s\"", rows[i].in);
}

Test(feedutil, utf8_cut)
{
	cr_expect_eq(feedutil_utf8_cut("abc", 3, 10), 3);
	cr_expect_eq(feedutil_utf8_cut("abc", 3, 2), 2);
	cr_expect_eq(feedutil_utf8_cut("a\xc3\xa9", 3, 2), 1);
	cr_expect_eq(feedutil_utf8_cut("\xe2\x80\x99x", 4, 3), 3);
	cr_expect_eq(feedutil_utf8_cut("\xe2\x80\x99x", 4, 2), 0);
	cr_expect_eq(feedutil_utf8_cut("", 0, 0), 0);
}

Test(feedutil, buf_grows_and_hands_over)
{
	struct feedutil_buf	 b;
	char			*s;
	size_t			 len, i;

	feedutil_buf_init(&b);
	s = feedutil_buf_finish(&b, &len);
	cr_expect_str_eq(s, "");
	cr_expect_eq(len, 0);
	free(s);
	for (i = 0; i < 1000; i++)
		feedutil_buf_adds(&b, "0123456789");
	feedutil_buf_add_utf8(&b, 0x20ac);
	feedutil_buf_add_utf8(&b, 0xd800);
	feedutil_buf_add_utf8(&b, 0x1f600);
	s = feedutil_buf_finish(&b, &len);
	cr_expect_eq(len, 10000 + 3 + 3 + 4);
	cr_expect_eq(memcmp(s + 10000, "\xe2\x82\xac\xef\xbf\xbd"
	    "\xf0\x9f\x98\x80", 10), 0);
	cr_expect_null(b.data);
	free(s);
}

struct root_case {
	const char	*in;
	size_t		 len;
	int		 expect;
	const char	*name;
};

static const struct root_case root_cases[] = {
	{ "<rss>", 0, 1, "rss" },
	{ "<rdf:RDF xmlns:rdf='x'>", 0, 1, "rdf:RDF" },
	{ "<?xml version='1.0'?><!--c--><?pi x?><feed>", 0, 1, "feed" },
	{ "<!doctype html><html>", 0, 1, "html" },
	{ "<?xml version='1.0'?>", 0, 0, "" },
	{ "<!-- unterminated", 0, 0, "" },
	{ "<rs", 0, 0, "" },
	{ "<", 0, 0, "" },
	{ "\xef\xbb\xbf  <rss>", 0, 1, "rss" },
	{ "text", 0, -1, "" },
	{ "", 0, -1, "" },
	{ "   ", 0, -1, "" },
	{ "<!ELEMENT x>", 0, -1, "" },
	{ "< rss>", 0, -1, "" },
};

Test(feedutil, xml_root)
{
	const struct root_case	*c;
	char			 name[32];
	size_t			 i, len;
	int			 r;

	for (i = 0; i < sizeof root_cases / sizeof root_cases[0]; i++) {
		c = &root_cases[i];
		len = c->len != 0 ? c->len : strlen(c->in);
		r = feedutil_xml_root((const unsigned char *)c->in, len, name,
		    sizeof name);
		cr_expect_eq(r, c->expect, "\"%s\": %d", c->in, r);
		if (r == 1)
			cr_expect_str_eq(name, c->name, "\"%s\"", c->in);
	}
}

struct xmlns_case {
	const char	*in;
	const char	*prefix;	/* NULL: any */
	const char	*uri;
	int		 expect;
};

static const struct xmlns_case xmlns_cases[] = {
	{ "<feed xmlns=\"urn:a\">", "", "urn:a", 1 },
	{ "<feed xmlns='urn:a'>", "", "urn:a", 1 },
	{ "<feed\n  xmlns = \"urn:a\" >", "", "urn:a", 1 },
	{ "<feed xmlns=\"urn:a\"/>", NULL, "urn:a", 1 },
	{ "<a:feed xmlns:a=\"urn:a\">", "a", "urn:a", 1 },
	{ "<a:feed xmlns:a=\"urn:a\">", "", "urn:a", 0 },
	{ "<a:feed xmlns:a=\"urn:a\">", "b", "urn:a", 0 },
	{ "<a:feed xmlns:a=\"urn:a\">", NULL, "urn:a", 1 },
	{ "<r xmlns:x=\"urn:x\" lang=\"en\" xmlns:rss=\"urn:a\">", NULL,
	    "urn:a", 1 },
	{ "<r xmlns:ab=\"urn:a\">", "a", "urn:a", 0 },
	{ "<r xmlnsx=\"urn:a\">", NULL, "urn:a", 0 },
	{ "<feed xmlns=\"urn:a/\">", "", "urn:a", 0 },
	{ "<feed xmlns=\"urn:\">", "", "urn:a", 0 },
	{ "<feed xmlns=\"urn:a", "", "urn:a", 0 },
	{ "<feed><x xmlns=\"urn:a\"/></feed>", NULL, "urn:a", 0 },
	{ "<feed a=b xmlns=\"urn:a\">", NULL, "urn:a", 0 },
	{ "<?xml version=\"1.0\"?><!-- c --><feed xmlns=\"urn:a\">", "",
	    "urn:a", 1 },
	{ "text", NULL, "urn:a", 0 },
	{ "", NULL, "urn:a", 0 },
};

Test(feedutil, xml_root_xmlns)
{
	const struct xmlns_case	*c;
	size_t			 i;
	int			 r;

	for (i = 0; i < sizeof xmlns_cases / sizeof xmlns_cases[0]; i++) {
		c = &xmlns_cases[i];
		r = feedutil_xml_root_xmlns((const unsigned char *)c->in,
		    strlen(c->in), c->prefix, c->uri);
		cr_expect_eq(r, c->expect, "\"%s\" prefix %s: %d", c->in,
		    c->prefix != NULL ? c->prefix : "(any)", r);
	}
}

Test(feedutil, content_type_is)
{
	cr_expect(feedutil_content_type_is("application/rss+xml",
	    "application/rss+xml"));
	cr_expect(feedutil_content_type_is("APPLICATION/RSS+XML ; charset=x",
	    "application/rss+xml"));
	cr_expect(!feedutil_content_type_is("application/rss+xml2",
	    "application/rss+xml"));
	cr_expect(!feedutil_content_type_is("text/xml",
	    "application/rss+xml"));
	cr_expect(!feedutil_content_type_is(NULL, "application/rss+xml"));
}
