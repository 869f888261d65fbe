/*
 * test_atom.c - the Atom format module, loaded as the daemon loads it.
 *
 * The module is opened with dlopen() from $DAYHUB_ATOM_MODULE, or else
 * from $DAYHUB_BUILDDIR/plugins/.libs/atom.so (as `make check` builds
 * it), and driven through its descriptor with a test host (testsink.c)
 * that keeps what it emits.  One test also opens the RSS module the same
 * way ($DAYHUB_RSS_MODULE), to show that both read the extensions alike.
 * Fixtures are read from $DAYHUB_SRCDIR/feeds/fixtures/atom/; where
 * NAME.jsonl sits beside NAME.xml it holds the records expected, one JSON
 * object a line.
 */
#include "config.h"

#include <sys/resource.h>

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

#define FEED_BASE	"https://feeds.example.org/spoke/feed.atom"
#define FIXTURE_BASE	"https://spoke.example.org/feed.xml"
#define ATOM_NS		"http://www.w3.org/2005/Atom"
#define XHTML_NS	"http://www.w3.org/1999/xhtml"
#define XHTML_DIV	"<div xmlns=\"" XHTML_NS "\">"

/* Every extension namespace the module reads, declared once. */
#define NAMESPACES \
	" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"" \
	" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"" \
	" xmlns:ev=\"http://purl.org/rss/1.0/modules/event/\"" \
	" xmlns:georss=\"http://www.georss.org/georss\"" \
	" xmlns:gml=\"http://www.opengis.net/gml\"" \
	" xmlns:geo=\"http://www.w3.org/2003/01/geo/wgs84_pos#\"" \
	" xmlns:dh=\"urn:dayhub:activity:1.0\""

static const struct dayhub_plugin *module(void);
static const struct dayhub_plugin *rss_module(void);
static int	 parse_with(struct testsink *, const void *, size_t,
		    const char *, size_t, size_t);
static int	 parse_str(struct testsink *, const char *);
static char	*entry_feed(const char *);
static char	*fixture_path(const char *);
static char	*show(json_t *);
static char	*substitute(const char *, const char *, const char *);
static int	 sink_mentions(const struct testsink *, const char *);
static void	 expect_protocol(const struct testsink *, const char *);
static double	 now_seconds(void);
static long	 max_rss_kb(void);

/* --- loading the module as the daemon does --- */

static const struct dayhub_plugin *
module(void)
{
	static const struct dayhub_plugin	*desc;
	char					 err[PATH_MAX + 256] = "";

	if (desc == NULL)
		desc = testsink_module("atom", "DAYHUB_ATOM_MODULE", err,
		    sizeof err);
	cr_assert_not_null(desc, "%s", err);
	return desc;
}

static const struct dayhub_plugin *
rss_module(void)
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
		.content_type = "application/atom+xml",
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
 * A feed with one entry made of `snippet` (on line 6), based at
 * https://club.example.org/whatson/, then a dc:title so that the entry is
 * kept whatever the snippet holds (an Atom <title> beats it).
 */
static char *
entry_feed(const char *snippet)
{
	char	*s;

	if (asprintf(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feed xmlns=\"" ATOM_NS "\"" NAMESPACES ">\n"
	    "<title>Test spoke</title>\n"
	    "<id>urn:test:feed</id>\n"
	    "<entry xml:base=\"https://club.example.org/whatson/\">\n"
	    "%s\n<dc:title>filler</dc:title>\n</entry>\n</feed>\n",
	    snippet) == -1)
		cr_assert_fail("out of memory");
	return s;
}

static char *
fixture_path(const char *name)
{
	const char	*src = getenv("DAYHUB_SRCDIR");
	char		*path;

	if (asprintf(&path, "%s/feeds/fixtures/atom/%s",
	    src != NULL ? src : ".", name) == -1)
		cr_assert_fail("out of memory");
	return path;
}

/* The golden file of fixture `name` ("x.xml": "x.jsonl"); caller frees. */
static char *
jsonl_beside(const char *name)
{
	char	buf[256];
	int	stem = (int)strcspn(name, ".");

	snprintf(buf, sizeof buf, "%.*s.jsonl", stem, name);
	return fixture_path(buf);
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

Test(atom, descriptor_names_the_module)
{
	const struct dayhub_plugin	*m = module();

	cr_expect_str_eq(m->name, "atom");
	cr_expect(m->version != NULL && *m->version != '\0');
	cr_expect(m->description != NULL && *m->description != '\0');
	cr_expect_eq(m->abi_minor, DAYHUB_PLUGIN_ABI_MINOR);
}

/* --- field mapping, one element at a time --- */

struct map_case {
	const char	*snippet;
	const char	*field;
	const char	*expect;	/* JSON text; NULL: absent */
	const char	*warning;	/* a warning that must be given, or NULL */
};

static const struct map_case map_cases[] = {
	/* id */
	{ "<id>tag:club.example.org,2026:art-1</id>", "source_id",
	    "\"tag:club.example.org,2026:art-1\"", NULL },
	{ "<id>\n  tag:club.example.org,2026:spaced \n</id>", "source_id",
	    "\"tag:club.example.org,2026:spaced\"", NULL },
	{ "<link href=\"https://club.example.org/e/3\"/>", "source_id",
	    "\"https://club.example.org/e/3\"", NULL },
	{ "<id>urn:uuid:1</id><link href=\"https://club.example.org/e/3\"/>",
	    "source_id", "\"urn:uuid:1\"", NULL },
	/* title: a text construct of each type */
	{ "<title>Art club</title>", "title", "\"Art club\"", NULL },
	{ "<title type=\"text\">Why &lt;b&gt; is bold</title>", "title",
	    "\"Why <b> is bold\"", NULL },
	{ "<title type=\"text\">Fish &amp; chips</title>", "title",
	    "\"Fish & chips\"", NULL },
	{ "<title>  Lots   of\n  space </title>", "title",
	    "\"Lots of space\"", NULL },
	{ "<title type=\"html\">Art &lt;b&gt;club&lt;/b&gt;</title>", "title",
	    "\"Art club\"", NULL },
	{ "<title type=\"html\"><![CDATA[Tea &amp; <i>chat</i>]]></title>",
	    "title", "\"Tea & chat\"", NULL },
	{ "<title type=\"html\">&lt;p&gt;Two&lt;/p&gt;&lt;p&gt;lines&lt;/p&gt;"
	    "</title>", "title", "\"Two lines\"", NULL },
	{ "<title type=\"xhtml\">" XHTML_DIV "Life <em>drawing</em></div>"
	    "</title>", "title", "\"Life drawing\"", NULL },
	{ "<title type=\"xhtml\">" XHTML_DIV "a &lt;b&gt; c</div></title>",
	    "title", "\"a <b> c\"", NULL },
	{ "<title type=\"xhtml\"><x:div xmlns:x=\"" XHTML_NS "\">Pre<x:b>"
	    "fixed</x:b></x:div></title>", "title", "\"Prefixed\"", NULL },
	{ "<title type=\"text/plain\">Choir</title>", "title", "\"Choir\"",
	    NULL },
	{ "<title type=\"\">Empty type</title>", "title", "\"Empty type\"",
	    NULL },
	{ "<title type=\"image/png\">iVBORw0KGgo=</title>", "title",
	    "\"filler\"", "left out <title> of type \"image/png\": not text" },
	{ "<dc:title>Second</dc:title><title>First</title>", "title",
	    "\"First\"", NULL },
	/* summary and content */
	{ "<summary>Plain &amp; simple\n  second line</summary>", "summary",
	    "\"Plain & simple\\nsecond line\"", NULL },
	{ "<summary type=\"html\">&lt;p&gt;Bring &lt;b&gt;brushes&lt;/b&gt;"
	    "&lt;/p&gt;</summary>", "summary", "\"Bring brushes\"", NULL },
	{ "<summary type=\"xhtml\">" XHTML_DIV "<p>One</p><p>Two</p></div>"
	    "</summary>", "summary", "\"One\\n\\nTwo\"", NULL },
	{ "<dc:description>D</dc:description><summary>S</summary>",
	    "summary", "\"S\"", NULL },
	{ "<dc:description>Dublin Core</dc:description>", "summary",
	    "\"Dublin Core\"", NULL },
	{ "<content>Just text</content>", "description", "\"Just text\"",
	    NULL },
	{ "<content type=\"html\"><![CDATA[<p>One</p><p>Two</p>]]></content>",
	    "description", "\"One\\n\\nTwo\"", NULL },
	{ "<content type=\"html\">&lt;p&gt;x&lt;/p&gt;&lt;script&gt;steal()"
	    "&lt;/script&gt;</content>", "description", "\"x\"", NULL },
	{ "<content type=\"xhtml\">" XHTML_DIV "<ul><li>Paint</li><li>Clay"
	    "</li></ul></div></content>", "description",
	    "\"- Paint\\n- Clay\"", NULL },
	{ "<content type=\"text/html\">&lt;b&gt;bold&lt;/b&gt;</content>",
	    "description", "\"bold\"", NULL },
	{ "<content type=\"text/csv\">a,b</content>", "description",
	    "\"a,b\"", NULL },
	{ "<content type=\"text/html\" src=\"https://club.example.org/b\"/>",
	    "description", NULL, NULL },
	{ "<content type=\"video/mp4\">AAAA</content>", "description", NULL,
	    "left out <content> of type \"video/mp4\": not text" },
	{ "<content type=\"text/html\" mode=\"base64\">PHA+</content>",
	    "description", NULL, "left out <content>: base64 content" },
	{ "<content:encoded><![CDATA[<p>A</p>]]></content:encoded>",
	    "description", "\"A\"", NULL },
	/* link */
	{ "<link href=\"https://club.example.org/art\"/>", "url",
	    "\"https://club.example.org/art\"", NULL },
	{ "<link rel=\"alternate\" href=\"art/2026-12\"/>", "url",
	    "\"https://club.example.org/whatson/art/2026-12\"", NULL },
	{ "<link rel=\"http://www.iana.org/assignments/relation/alternate\" "
	    "href=\"x\"/>", "url", "\"https://club.example.org/whatson/x\"",
	    NULL },
	{ "<link rel=\"self\" href=\"feed.atom\"/>", "url", NULL, NULL },
	{ "<link rel=\"related\" href=\"r\"/>", "url", NULL, NULL },
	{ "<link rel=\"enclosure\" href=\"a.mp3\"/><link href=\"page\"/>",
	    "url", "\"https://club.example.org/whatson/page\"", NULL },
	{ "<link href=\"one\"/><link href=\"two\"/>", "url",
	    "\"https://club.example.org/whatson/one\"", NULL },
	{ "<link xml:base=\"https://other.example.org/a/\" href=\"e/1\"/>",
	    "url", "\"https://other.example.org/a/e/1\"", NULL },
	{ "<link href=\"/p?a=1&amp;b=2\"/>", "url",
	    "\"https://club.example.org/p?a=1&b=2\"", NULL },
	{ "<link href=\"javascript:alert(1)\"/>", "url", NULL,
	    "left out the link \"javascript:alert(1)\" in <link>" },
	{ "<link>https://club.example.org/text</link>", "url", NULL, NULL },
	/* dates: never the start */
	{ "<updated>2026-12-01T10:00:00Z</updated>", "updated",
	    "\"2026-12-01T10:00:00+00:00\"", NULL },
	{ "<updated>2026-12-01T10:00:00Z</updated>", "start", NULL, NULL },
	{ "<published>2026-11-01T10:00:00Z</published>", "updated",
	    "\"2026-11-01T10:00:00+00:00\"", NULL },
	{ "<published>2026-11-01T10:00:00Z</published>", "start", NULL,
	    NULL },
	{ "<published>2026-11-01T10:00:00Z</published><updated>2026-12-01T"
	    "10:00:00+01:00</updated>", "updated",
	    "\"2026-12-01T10:00:00+01:00\"", NULL },
	{ "<updated>2026-12-01T10:00:00+01:00</updated><published>2026-11-01T"
	    "10:00:00Z</published>", "updated",
	    "\"2026-12-01T10:00:00+01:00\"", NULL },
	{ "<updated>2026-12-01T10:00:00Z</updated><dc:date>2025-01-01"
	    "</dc:date>", "updated", "\"2026-12-01T10:00:00+00:00\"", NULL },
	{ "<updated>next Tuesday</updated>", "updated", NULL,
	    "left out the date \"next Tuesday\" in <updated>" },
	{ "<issued>2026-11-01T10:00:00Z</issued><modified>2026-11-02T"
	    "10:00:00Z</modified>", "updated", "\"2026-11-02T10:00:00+00:00\"",
	    NULL },
	/* category */
	{ "<category term=\"art\" label=\"Arts and crafts\"/>", "categories",
	    "[\"Arts and crafts\"]", NULL },
	{ "<category term=\"art\"/><category term=\"social\"/>"
	    "<category term=\"art\"/>", "categories", "[\"art\", \"social\"]",
	    NULL },
	{ "<category term=\"art\" label=\"\"/>", "categories", "[\"art\"]",
	    NULL },
	{ "<category>Gardening</category>", "categories", "[\"Gardening\"]",
	    NULL },
	{ "<category term=\"\"/>", "categories", NULL, NULL },
	{ "<category term=\"a\"/><dc:subject>b</dc:subject><ev:type>c"
	    "</ev:type>", "categories", "[\"a\", \"b\", \"c\"]", NULL },
	/* author */
	{ "<author><name>Jo Bloggs</name><email>jo@example.org</email>"
	    "<uri>https://jo.example.org/</uri></author>", "organiser.name",
	    "\"Jo Bloggs\"", NULL },
	{ "<author><name>Jo Bloggs</name><email>jo@example.org</email>"
	    "<uri>https://jo.example.org/</uri></author>", "organiser.email",
	    "\"jo@example.org\"", NULL },
	{ "<author><name>Jo Bloggs</name><email>jo@example.org</email>"
	    "<uri>https://jo.example.org/</uri></author>", "organiser.url",
	    "\"https://jo.example.org/\"", NULL },
	{ "<author><name>Jo</name><email>mailto:jo@example.org</email>"
	    "</author>", "organiser.email", "\"jo@example.org\"", NULL },
	{ "<author><name>Jo</name><uri>people/jo</uri></author>",
	    "organiser.url", "\"https://club.example.org/whatson/people/jo\"",
	    NULL },
	{ "<author><name>Jo</name><url>https://jo.example.org/</url>"
	    "</author>", "organiser.url", "\"https://jo.example.org/\"", NULL },
	{ "<author><name>Jo</name><uri>javascript:x()</uri></author>",
	    "organiser.url", NULL, "left out the link \"javascript:x()\" in "
	    "<uri>" },
	{ "<author>Jo Bloggs &lt;jo@example.org&gt;</author>",
	    "organiser.name", "\"Jo Bloggs\"", NULL },
	{ "<author>Jo Bloggs &lt;jo@example.org&gt;</author>",
	    "organiser.email", "\"jo@example.org\"", NULL },
	{ "<author><name>First</name></author><author><name>Second</name>"
	    "<email>s@example.org</email></author>", "organiser",
	    "{\"name\": \"First\"}", NULL },
	{ "<contributor><name>Helper</name></contributor>", "organiser", NULL,
	    NULL },
	{ "<dc:creator>Jo</dc:creator>", "organiser.name", "\"Jo\"", NULL },
	{ "<dc:creator>Jo</dc:creator><ev:organizer>Blandford Arts"
	    "</ev:organizer>", "organiser.name", "\"Blandford Arts\"", NULL },
	{ "<author><name>Web team</name></author><ev:organizer>Blandford Arts"
	    "</ev:organizer>", "organiser.name", "\"Blandford Arts\"", NULL },
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
	    "location", "{\"name\": \"Village Hall\", \"address\": "
	    "\"1 High St, Blandford\"}", NULL },
	{ "<ev:type>Workshop</ev:type>", "categories", "[\"Workshop\"]",
	    NULL },
	/* georss:, GML and geo: */
	{ "<georss:point>50.8601 -2.1642</georss:point>", "location",
	    "{\"lat\": \"50.8601\", \"lon\": \"-2.1642\"}", NULL },
	{ "<georss:point>50.8601,-2.1642</georss:point>", "location",
	    "{\"lat\": \"50.8601\", \"lon\": \"-2.1642\"}", NULL },
	{ "<georss:point>95.0 -2.1</georss:point>", "location", NULL,
	    "not a latitude and longitude in range" },
	{ "<georss:point>50.8 -2.1 30</georss:point>", "location", NULL,
	    "not a latitude and longitude in range" },
	{ "<georss:where><gml:Point><gml:pos>50.86 -2.16</gml:pos>"
	    "</gml:Point></georss:where>", "location",
	    "{\"lat\": \"50.86\", \"lon\": \"-2.16\"}", NULL },
	{ "<georss:where><gml:Point srsDimension=\"3\" srsName=\"urn:ogc:def:"
	    "crs:EPSG:6.6:4979\"><gml:pos>42.3453 -156.2342 45</gml:pos>"
	    "</gml:Point></georss:where>", "location",
	    "{\"lat\": \"42.3453\", \"lon\": \"-156.2342\"}", NULL },
	{ "<georss:where><gml:Point srsName=\"EPSG:4326\"><gml:pos>50.86 "
	    "-2.16</gml:pos></gml:Point></georss:where>", "location.lat",
	    "\"50.86\"", NULL },
	{ "<georss:where><gml:Point srsName=\"EPSG:26913\"><gml:pos>36.9 "
	    "31.1</gml:pos></gml:Point></georss:where>", "location", NULL,
	    "not WGS84 latitude and longitude" },
	{ "<georss:where><gml:Point srsName=\"OGC:CRS84\"><gml:pos>-2.16 "
	    "50.86</gml:pos></gml:Point></georss:where>", "location", NULL,
	    "not WGS84 latitude and longitude" },
	{ "<georss:where><gml:LineString><gml:posList>45 -110 46 -109"
	    "</gml:posList></gml:LineString></georss:where>", "location", NULL,
	    "only a gml:Point with a gml:pos is read" },
	{ "<georss:where><gml:Point><gml:pos>1 2 3 4</gml:pos></gml:Point>"
	    "</georss:where>", "location", NULL,
	    "left out <gml:pos> \"1 2 3 4\": not a latitude and longitude" },
	{ "<georss:where><gml:Point><gml:pos>50 -200</gml:pos></gml:Point>"
	    "</georss:where>", "location", NULL,
	    "not a latitude and longitude in range" },
	{ "<georss:point>50.1 -2.1</georss:point><georss:where><gml:Point>"
	    "<gml:pos>51 -3</gml:pos></gml:Point></georss:where>", "location",
	    "{\"lat\": \"50.1\", \"lon\": \"-2.1\"}", NULL },
	{ "<geo:lat>50.86</geo:lat><geo:long>-2.16</geo:long>", "location",
	    "{\"lat\": \"50.86\", \"lon\": \"-2.16\"}", NULL },
	{ "<geo:lat>91</geo:lat>", "location", NULL,
	    "not a coordinate in range" },
	{ "<geo:lat>1</geo:lat><geo:long>2</geo:long><georss:point>50.1 -2.1"
	    "</georss:point>", "location",
	    "{\"lat\": \"50.1\", \"lon\": \"-2.1\"}", NULL },
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
	{ "<author><name>Jo</name><email>jo@example.org</email></author>"
	    "<dh:organiser-email>garden@example.org</dh:organiser-email>",
	    "organiser.email", "\"garden@example.org\"", NULL },
	{ "<dh:colour>blue</dh:colour>", "colour", NULL,
	    "left out <dh:colour>" },
	/* what is not read */
	{ "<other:thing xmlns:other=\"urn:x\">x</other:thing>", "thing", NULL,
	    NULL },
	{ "<rights>CC BY</rights>", "rights", NULL, NULL },
};

Test(atom, every_mapping)
{
	const struct map_case	*c;
	struct testsink		 ts;
	json_t			*want, *got;
	char			*xml, *sg, *sw;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof map_cases / sizeof map_cases[0]; i++) {
		c = &map_cases[i];
		xml = entry_feed(c->snippet);
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

Test(atom, dates_are_never_the_start)
{
	struct testsink	 ts;
	char		*xml;

	xml = entry_feed("<title>Swim</title>"
	    "<published>2026-12-05T14:00:00Z</published>"
	    "<updated>2026-12-05T15:00:00Z</updated>"
	    "<dc:date>2026-12-05T16:00:00Z</dc:date>");
	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "updated"),
	    "2026-12-05T15:00:00+00:00");
	cr_expect_null(testsink_get(&ts, 0, "start"));
	cr_expect_null(testsink_get(&ts, 0, "end"));
	expect_protocol(&ts, "dates");
	testsink_free(&ts);
	free(xml);
}

Test(atom, a_bad_date_is_warned_on_its_line)
{
	struct testsink	 ts;
	char		*xml;

	xml = entry_feed("<updated>yesterday</updated>");
	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	cr_expect(testsink_warned(&ts, "\"yesterday\""));
	/* The snippet is line 6 of entry_feed(). */
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(
	    ts.warnings, 0), "line")), 6);
	testsink_free(&ts);
	free(xml);
}

/* --- the feed's own facts --- */

Test(atom, feed_facts_go_to_feed)
{
	struct testsink	 ts;
	const char	*xml = "<feed xmlns=\"" ATOM_NS "\" "
	    "xml:base=\"/club/\">"
	    "<title type=\"html\">Art &amp;amp; &lt;i&gt;Craft&lt;/i&gt;</title>"
	    "<title>Second</title>"
	    "<link rel=\"self\" href=\"feed.atom\"/>"
	    "<link rel=\"alternate\" href=\"whatson/\"/>"
	    "<link href=\"elsewhere/\"/>"
	    "<generator uri=\"https://gen.example.org/\" version=\"2\">"
	    "Hand</generator>"
	    "<entry><title>x</title></entry></feed>";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed, "title")),
	    "Art & Craft");
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed, "link")),
	    "https://feeds.example.org/club/whatson/");
	cr_expect_str_eq(json_string_value(json_object_get(ts.feed,
	    "generator")), "Hand");
	cr_expect_null(json_object_get(ts.feed, "ttl"));
	cr_expect_eq(json_array_size(ts.records), 1);
	expect_protocol(&ts, "feed");
	testsink_free(&ts);
}

Test(atom, a_feed_without_facts_says_nothing)
{
	struct testsink	 ts;
	const char	*xml = "<feed xmlns=\"" ATOM_NS "\"><title></title>"
	    "<link rel=\"self\" href=\"x\"/><entry><title>x</title></entry>"
	    "</feed>";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	cr_expect_eq(json_object_size(ts.feed), 0);
	testsink_free(&ts);
}

/* --- the organiser: the entry's author, its source's, the feed's --- */

struct author_case {
	const char	*name;
	const char	*feed;		/* children of <feed>, before */
	const char	*entry;		/* the entry's children */
	const char	*expect;	/* JSON of "organiser", or NULL */
};

static const struct author_case author_cases[] = {
	{ "the entry's own", "<author><name>Hub</name></author>",
	    "<author><name>Band</name></author>", "{\"name\": \"Band\"}" },
	{ "the feed's, whole", "<author><name>Hub</name><email>hub@example."
	    "org</email><uri>https://hub.example.org/</uri></author>", "",
	    "{\"name\": \"Hub\", \"email\": \"hub@example.org\", \"url\": "
	    "\"https://hub.example.org/\"}" },
	{ "the source's before the feed's",
	    "<author><name>Hub</name></author>",
	    "<source><author><name>Walkers</name></author></source>",
	    "{\"name\": \"Walkers\"}" },
	{ "the feed's when the source has none",
	    "<author><name>Hub</name></author>",
	    "<source><title>Walkers</title></source>", "{\"name\": \"Hub\"}" },
	{ "not the feed's when dc:creator names one",
	    "<author><name>Hub</name><email>hub@example.org</email></author>",
	    "<dc:creator>Jo</dc:creator>", "{\"name\": \"Jo\"}" },
	{ "not the feed's when ev:organizer names one",
	    "<author><name>Hub</name><email>hub@example.org</email></author>",
	    "<ev:organizer>Shed</ev:organizer>", "{\"name\": \"Shed\"}" },
	{ "the feed's with the entry's phone",
	    "<author><name>Hub</name></author>",
	    "<dh:organiser-phone>01258 000111</dh:organiser-phone>",
	    "{\"name\": \"Hub\", \"phone\": \"01258 000111\"}" },
	{ "the feed's relative uri, against the feed's base",
	    "<author><name>Hub</name><uri>about/</uri></author>", "",
	    "{\"name\": \"Hub\", \"url\": \"https://feeds.example.org/spoke/"
	    "about/\"}" },
	{ "none at all", "", "", NULL },
	{ "an empty author", "", "<author></author>", NULL },
};

Test(atom, the_organiser_falls_back_as_rfc4287_says)
{
	const struct author_case	*c;
	struct testsink			 ts;
	json_t				*want, *got;
	char				*xml, *sg, *sw;
	size_t				 i;

	for (i = 0; i < sizeof author_cases / sizeof author_cases[0]; i++) {
		c = &author_cases[i];
		if (asprintf(&xml, "<feed xmlns=\"" ATOM_NS "\"" NAMESPACES
		    "><title>t</title>%s<entry><title>e</title>%s</entry>"
		    "</feed>", c->feed, c->entry) == -1)
			cr_assert_fail("out of memory");
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, xml), DAYHUB_OK, "%s", c->name);
		got = testsink_get(&ts, 0, "organiser");
		want = c->expect != NULL ? json_loads(c->expect, 0, NULL) :
		    NULL;
		cr_assert(c->expect == NULL || want != NULL, "bad row %s",
		    c->name);
		sg = show(got);
		sw = show(want);
		cr_expect(want == NULL ? got == NULL : json_equal(want, got),
		    "%s: organiser %s, want %s", c->name, sg, sw);
		expect_protocol(&ts, c->name);
		free(sg);
		free(sw);
		json_decref(want);
		testsink_free(&ts);
		free(xml);
	}
}

/* --- links and xml:base --- */

struct link_case {
	const char	*base_url;	/* where the feed came from */
	const char	*feed_attrs;	/* attributes of <feed> */
	const char	*entry_attrs;	/* attributes of <entry> */
	const char	*link_attrs;	/* attributes of <link>, but href */
	const char	*href;
	const char	*expect;	/* url, or NULL for none */
};

static const struct link_case link_cases[] = {
	{ "http://feeds.example.org/dir/feed.xml", "", "", "", "e/1.html",
	    "http://feeds.example.org/dir/e/1.html" },
	{ FEED_BASE, "", "", "", "/root", "https://feeds.example.org/root" },
	{ FEED_BASE, " xml:base=\"https://club.example.org/whatson/\"", "", "",
	    "e/1", "https://club.example.org/whatson/e/1" },
	{ FEED_BASE, " xml:base=\"/club/\"", "", "", "e/1",
	    "https://feeds.example.org/club/e/1" },
	{ FEED_BASE, " xml:base=\"https://club.example.org/whatson/\"",
	    " xml:base=\"2026/\"", "", "e/1",
	    "https://club.example.org/whatson/2026/e/1" },
	{ FEED_BASE, " xml:base=\"https://club.example.org/whatson/\"",
	    " xml:base=\"2026/\"", " xml:base=\"../archive/\"", "e/1",
	    "https://club.example.org/whatson/archive/e/1" },
	{ FEED_BASE, " xml:base=\"https://club.example.org/whatson/\"",
	    " xml:base=\"https://other.example.org/a/\"", "", "../up",
	    "https://other.example.org/up" },
	{ FEED_BASE, "", " xml:base=\"https://other.example.org/a/\"",
	    " xml:base=\"//cdn.example.org/b/\"", "c",
	    "https://cdn.example.org/b/c" },
	{ FEED_BASE, " xml:base=\"https://club.example.org/\"", "", "",
	    "https://elsewhere.example.org/p?a=1&amp;b=2",
	    "https://elsewhere.example.org/p?a=1&b=2" },
	{ FEED_BASE, " xml:base=\"javascript:alert(1)\"", "", "", "e/1",
	    "https://feeds.example.org/spoke/e/1" },
	{ FEED_BASE, "", "", "", "  e/2  ",
	    "https://feeds.example.org/spoke/e/2" },
	{ FEED_BASE, "", "", "", "a b.html",
	    "https://feeds.example.org/spoke/a%20b.html" },
	{ FEED_BASE, "", "", "", "mailto:a@example.org",
	    "mailto:a@example.org" },
	{ NULL, "", "", "", "e/1", NULL },
	{ NULL, " xml:base=\"https://club.example.org/\"", "", "", "e/1",
	    "https://club.example.org/e/1" },
	{ FEED_BASE, "", "", "", "data:text/html,hello", NULL },
	{ FEED_BASE, "", "", "", "ftp://files.example.org/", NULL },
	{ FEED_BASE, "", "", "", "file:///etc/passwd", NULL },
};

Test(atom, links_resolve_against_nested_xml_base)
{
	const struct link_case	*c;
	struct testsink		 ts;
	const char		*got;
	char			*xml;
	size_t			 i;

	for (i = 0; i < sizeof link_cases / sizeof link_cases[0]; i++) {
		c = &link_cases[i];
		if (asprintf(&xml, "<feed xmlns=\"" ATOM_NS "\"%s><title>t"
		    "</title><entry%s><title>x</title><link%s href=\"%s\"/>"
		    "</entry></feed>", c->feed_attrs, c->entry_attrs,
		    c->link_attrs, c->href) == -1)
			cr_assert_fail("out of memory");
		testsink_init(&ts, 0);
		cr_expect_eq(parse_with(&ts, xml, strlen(xml), c->base_url,
		    0, 0), DAYHUB_OK, "%s", c->href);
		got = testsink_string(&ts, 0, "url");
		if (c->expect == NULL) {
			cr_expect_null(got, "%s: url %s, want none", c->href,
			    got);
			cr_expect(testsink_warned(&ts, "left out the link"),
			    "%s: no warning", c->href);
		} else
			cr_expect(got != NULL && strcmp(got, c->expect) == 0,
			    "%s (base %s%s%s%s): url %s, want %s", c->href,
			    c->base_url != NULL ? c->base_url : "none",
			    c->feed_attrs, c->entry_attrs, c->link_attrs,
			    got != NULL ? got : "(none)", c->expect);
		expect_protocol(&ts, c->href);
		testsink_free(&ts);
		free(xml);
	}
}

/* --- Atom 0.3 --- */

struct v03_case {
	const char	*entry;		/* children of an Atom 0.3 entry */
	const char	*field;
	const char	*expect;	/* JSON text; NULL: absent */
};

static const struct v03_case v03_cases[] = {
	{ "<title>Woodwork</title>", "title", "\"Woodwork\"" },
	{ "<title mode=\"escaped\" type=\"text/html\">&lt;b&gt;Wood&lt;/b&gt;"
	    "work</title>", "title", "\"Woodwork\"" },
	{ "<issued>2026-11-01T09:00:00Z</issued>", "updated",
	    "\"2026-11-01T09:00:00+00:00\"" },
	{ "<created>2026-10-30T08:00:00Z</created><issued>2026-11-01T09:00:00Z"
	    "</issued>", "updated", "\"2026-11-01T09:00:00+00:00\"" },
	{ "<issued>2026-11-01T09:00:00Z</issued><modified>2026-11-02T10:00:00Z"
	    "</modified>", "updated", "\"2026-11-02T10:00:00+00:00\"" },
	{ "<issued>2026-11-01T09:00:00Z</issued>", "start", NULL },
	{ "<content type=\"text/html\" mode=\"escaped\">&lt;p&gt;One&lt;/p&gt;"
	    "&lt;p&gt;Two&lt;/p&gt;</content>", "description",
	    "\"One\\n\\nTwo\"" },
	{ "<content type=\"application/xhtml+xml\" mode=\"xml\">" XHTML_DIV
	    "<p>Inline</p></div></content>", "description", "\"Inline\"" },
	{ "<content type=\"application/xhtml+xml\" mode=\"escaped\">"
	    "&lt;p&gt;Escaped&lt;/p&gt;</content>", "description",
	    "\"Escaped\"" },
	{ "<content type=\"text/plain\" mode=\"escaped\">a &lt;b&gt; c"
	    "</content>", "description", "\"a <b> c\"" },
	{ "<content type=\"text/html\" mode=\"base64\">PHA+eDwvcD4=</content>",
	    "description", NULL },
	{ "<summary type=\"text/plain\">Short</summary>", "summary",
	    "\"Short\"" },
	{ "<link rel=\"alternate\" type=\"text/html\" href=\"https://a.example."
	    "org/w\"/>", "url", "\"https://a.example.org/w\"" },
	{ "<author><name>Jo</name><url>https://jo.example.org/</url></author>",
	    "organiser.url", "\"https://jo.example.org/\"" },
	{ "<author><name>Jo</name><homepage>https://jo.example.org/h"
	    "</homepage></author>", "organiser.url",
	    "\"https://jo.example.org/h\"" },
	{ "<id>tag:a.example.org,2004:1</id>", "source_id",
	    "\"tag:a.example.org,2004:1\"" },
};

Test(atom, atom_03_is_read_with_a_warning)
{
	const struct v03_case	*c;
	struct testsink		 ts;
	json_t			*want, *got;
	char			*xml, *sg, *sw;
	size_t			 i;

	for (i = 0; i < sizeof v03_cases / sizeof v03_cases[0]; i++) {
		c = &v03_cases[i];
		if (asprintf(&xml, "<feed version=\"0.3\" xmlns=\"http://purl."
		    "org/atom/ns#\"><title>Old</title><entry>%s<summary>keep"
		    "</summary></entry></feed>", c->entry) == -1)
			cr_assert_fail("out of memory");
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, xml), DAYHUB_OK, "%s", c->entry);
		cr_expect(testsink_warned(&ts, "Atom 0.3 is obsolete"),
		    "%s: no warning", c->entry);
		got = testsink_get(&ts, 0, c->field);
		want = c->expect != NULL ?
		    json_loads(c->expect, JSON_DECODE_ANY, NULL) : NULL;
		sg = show(got);
		sw = show(want);
		cr_expect(want == NULL ? got == NULL : json_equal(want, got),
		    "%s: %s is %s, want %s", c->entry, c->field, sg, sw);
		expect_protocol(&ts, c->entry);
		free(sg);
		free(sw);
		json_decref(want);
		testsink_free(&ts);
		free(xml);
	}
}

/* --- entities and HTML --- */

Test(atom, html_entities_are_decoded_and_reported)
{
	struct testsink	 ts;
	const char	*xml = "<feed xmlns=\"" ATOM_NS "\"><entry>\n"
	    "<title>Tea&nbsp;&amp;&nbsp;cake &pound;2 &ndash; it&rsquo;s "
	    "back</title>\n"
	    "<summary>Caf&eacute; &euro;5 &foo;</summary>\n"
	    "</entry></feed>";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "title"),
	    "Tea & cake \xc2\xa3" "2 \xe2\x80\x93 it\xe2\x80\x99s back");
	cr_expect_str_eq(testsink_string(&ts, 0, "summary"),
	    "Caf\xc3\xa9 \xe2\x82\xac" "5 &foo;");
	cr_expect(testsink_warned(&ts, "decoded 7 HTML entities that XML "
	    "does not define: &nbsp; &pound; &ndash; &rsquo; &eacute; "
	    "&euro;"));
	cr_expect(testsink_warned(&ts, "kept 1 unknown entities as text: "
	    "&foo;"));
	cr_expect_eq(json_array_size(ts.warnings), 2);
	expect_protocol(&ts, "entities");
	testsink_free(&ts);
}

Test(atom, declared_internal_entities_are_expanded_in_text_and_attributes)
{
	struct testsink	 ts;
	const char	*xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE feed [\n"
	    "<!ENTITY club \"Blandford Arts\">\n"
	    "<!ENTITY site \"https://arts.example.org\">\n]>\n"
	    "<feed xmlns=\"" ATOM_NS "\"><entry>"
	    "<title>&club; news</title><link href=\"&site;/news\"/>"
	    "<category term=\"x\" label=\"&club;\"/></entry></feed>";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, xml), DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "title"),
	    "Blandford Arts news");
	cr_expect_str_eq(testsink_string(&ts, 0, "url"),
	    "https://arts.example.org/news");
	cr_expect_str_eq(json_string_value(json_array_get(testsink_get(&ts, 0,
	    "categories"), 0)), "Blandford Arts");
	cr_expect_eq(json_array_size(ts.warnings), 0);
	testsink_free(&ts);
}

/* --- malformed input --- */

#define NUL_IN_TITLE "<feed xmlns=\"" ATOM_NS "\"><entry><title>A\0B</title>" \
	"</entry></feed>"
#define GARBAGE "\x00\x01\x02\x03" "binary\xff"
#define ATOM_UTF16LE "\xff\xfe<\0f\0e\0e\0d\0 \0x\0m\0l\0n\0s\0=\0\"\0h\0t\0" \
	"t\0p\0:\0/\0/\0w\0w\0w\0.\0w\0" "3\0.\0o\0r\0g\0/\0" "2\0" "0\0" \
	"0\0" "5\0/\0A\0t\0o\0m\0\"\0>\0"

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
	    "not an Atom feed: the root element is <html>", NULL, 0, NULL },
	{ "rss", "<rss version=\"2.0\"><channel><item><title>x</title>"
	    "</item></channel></rss>", 0, DAYHUB_ERROR,
	    "not an Atom feed: the root element is <rss>", NULL, 0, NULL },
	{ "rdf", "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-"
	    "syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel/>"
	    "</rdf:RDF>", 0, DAYHUB_ERROR,
	    "not an Atom feed: the root element is <rdf:RDF>", NULL, 0, NULL },
	{ "an entry document", "<entry xmlns=\"" ATOM_NS "\"><title>x</title>"
	    "</entry>", 0, DAYHUB_ERROR,
	    "not an Atom feed: the root element is <entry>", NULL, 0, NULL },
	{ "truncated", "<feed xmlns=\"" ATOM_NS "\"><entry><title>One"
	    "</title></entry><entry><title>Tw", 0, DAYHUB_ERROR,
	    "breaks off before </feed> (Premature end of data", NULL, 0,
	    NULL },
	{ "truncated between entries", "<feed xmlns=\"" ATOM_NS "\"><entry>"
	    "<title>One</title></entry>", 0, DAYHUB_ERROR,
	    "breaks off before </feed>", NULL, 0, NULL },
	{ "truncated, prefixed", "<a:feed xmlns:a=\"" ATOM_NS "\"><a:entry>"
	    "<a:title>One</a:title></a:entry>", 0, DAYHUB_ERROR,
	    "breaks off before </a:feed>", NULL, 0, NULL },
	{ "mismatched tags", "<feed xmlns=\"" ATOM_NS "\"><entry><title>A"
	    "</title><summary>x</entry></feed>", 0, DAYHUB_ERROR,
	    "(Opening and ending tag mismatch", NULL, 0, NULL },
	{ "a stray end tag inside the root", "<feed xmlns=\"" ATOM_NS "\">"
	    "<entry><title>A</title></b></entry></feed>", 0, DAYHUB_OK, NULL,
	    "not well-formed", 1, "A" },
	{ "NUL byte", NUL_IN_TITLE, sizeof NUL_IN_TITLE - 1, DAYHUB_OK, NULL,
	    "control characters", 1, "AB" },
	{ "invalid UTF-8", "<feed xmlns=\"" ATOM_NS "\"><entry><title>caf"
	    "\xc3\xa9 \xff ok</title></entry></feed>", 0, DAYHUB_OK, NULL,
	    "replaced 1 invalid UTF-8", 1, "caf\xc3\xa9 \xef\xbf\xbd ok" },
	{ "Windows-1252 said to be UTF-8", "<?xml version=\"1.0\" encoding="
	    "\"utf-8\"?><feed xmlns=\"" ATOM_NS "\"><entry><title>\xa3" "5 "
	    "\x96 tea</title></entry></feed>", 0, DAYHUB_OK, NULL,
	    "Windows-1252", 1, "\xc2\xa3" "5 \xe2\x80\x93 tea" },
	{ "declared ISO-8859-1", "<?xml version=\"1.0\" encoding="
	    "\"ISO-8859-1\"?><feed xmlns=\"" ATOM_NS "\"><entry><title>Caf\xe9"
	    "</title></entry></feed>", 0, DAYHUB_OK, NULL, NULL, 1,
	    "Caf\xc3\xa9" },
	{ "unsupported encoding", "<?xml version=\"1.0\" encoding=\"bogus\"?>"
	    "<feed xmlns=\"" ATOM_NS "\"/>", 0, DAYHUB_ERROR,
	    "not XML: Unsupported encoding bogus", NULL, 0, NULL },
	{ "a feed in no namespace", "<feed><entry><title>x</title></entry>"
	    "</feed>", 0, DAYHUB_OK, NULL, "the root <feed> is in no "
	    "namespace; read as Atom 1.0", 1, "x" },
	{ "a feed in another namespace", "<feed xmlns=\"http://example.org/"
	    "not-atom\"><entry><title>x</title></entry></feed>", 0, DAYHUB_OK,
	    NULL, "the root <feed> is in the namespace \"http://example.org/"
	    "not-atom\", not Atom's", 1, "x" },
	{ "a prefixed feed", "<a:feed xmlns:a=\"" ATOM_NS "\"><a:entry>"
	    "<a:title>x</a:title></a:entry></a:feed>", 0, DAYHUB_OK, NULL,
	    NULL, 1, "x" },
	{ "entries in another namespace are not Atom's", "<feed xmlns=\""
	    ATOM_NS "\" xmlns:o=\"urn:other\"><o:entry><o:title>x</o:title>"
	    "</o:entry></feed>", 0, DAYHUB_OK, NULL, NULL, 0, NULL },
	{ "an entry without text", "<feed xmlns=\"" ATOM_NS "\"><entry>"
	    "<id>urn:1</id></entry><entry><title>Kept</title></entry></feed>",
	    0, DAYHUB_OK, NULL, "neither title, summary nor content", 1,
	    "Kept" },
	{ "an entry with only a summary", "<feed xmlns=\"" ATOM_NS "\">"
	    "<entry><summary>Just this</summary></entry></feed>", 0, DAYHUB_OK,
	    NULL, NULL, 1, NULL },
	{ "no entries", "<feed xmlns=\"" ATOM_NS "\"><title>Quiet</title>"
	    "</feed>", 0, DAYHUB_OK, NULL, NULL, 0, NULL },
	{ "an empty feed element", "<feed xmlns=\"" ATOM_NS "\"/>", 0,
	    DAYHUB_OK, NULL, NULL, 0, NULL },
	{ "unknown entity", "<feed xmlns=\"" ATOM_NS "\"><entry><title>a &foo;"
	    " b</title></entry></feed>", 0, DAYHUB_OK, NULL,
	    "kept 1 unknown entities as text: &foo;", 1, "a &foo; b" },
	{ "Windows-1252 character reference", "<feed xmlns=\"" ATOM_NS "\">"
	    "<entry><title>it&#146;s</title></entry></feed>", 0, DAYHUB_OK,
	    NULL, "as Windows-1252", 1, "it\xe2\x80\x99s" },
};

Test(atom, malformed_feeds)
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
		} else
			cr_expect_eq(json_array_size(ts.records), 0,
			    "%s: records before an error", c->name);
		expect_protocol(&ts, c->name);
		testsink_free(&ts);
	}
}

/* --- hostile input --- */

Test(atom, external_entities_never_leak_a_file)
{
	static const char	 secret[] = "dayhub-secret-51c0e8d4";
	struct testsink		 ts;
	const char		*tmp = getenv("TMPDIR");
	char			 dir[PATH_MAX];
	char			*path, *dtd, *xml;
	FILE			*f;
	size_t			 i;
	const char		*forms[] = {
		/* a general entity in text */
		"<!DOCTYPE feed [<!ENTITY x SYSTEM \"file://@FILE@\">]>"
		"<feed xmlns=\"" ATOM_NS "\"><title>a &x; b</title><entry>"
		"<title>t &x;</title><summary>&x;</summary><id>&x;</id>"
		"</entry></feed>",
		/* a general entity in attributes */
		"<!DOCTYPE feed [<!ENTITY x SYSTEM \"file://@FILE@\">]>"
		"<feed xmlns=\"" ATOM_NS "\" xml:base=\"https://a.example.org/"
		"&x;/\"><entry><title>t</title><link href=\"&x;\"/>"
		"<category term=\"&x;\" label=\"&x;\"/>"
		"<content type=\"&x;\">c</content></entry></feed>",
		/* a parameter entity pulling in declarations */
		"<!DOCTYPE feed [<!ENTITY % p SYSTEM \"file://@DTD@\"> %p;]>"
		"<feed xmlns=\"" ATOM_NS "\"><entry><title>t &leak;</title>"
		"</entry></feed>",
		/* an external DTD */
		"<!DOCTYPE feed SYSTEM \"file://@DTD@\">"
		"<feed xmlns=\"" ATOM_NS "\"><entry><title>t &leak;</title>"
		"</entry></feed>",
		/* XInclude */
		"<feed xmlns=\"" ATOM_NS "\" xmlns:xi=\"http://www.w3.org/2001/"
		"XInclude\"><entry><title>t <xi:include href=\"file://@FILE@\" "
		"parse=\"text\"/></title></entry></feed>",
		/* an entity inside xhtml and html content */
		"<!DOCTYPE feed [<!ENTITY x SYSTEM \"file://@FILE@\">]>"
		"<feed xmlns=\"" ATOM_NS "\"><entry><title>t</title>"
		"<summary type=\"xhtml\">" XHTML_DIV "<p>&x;</p></div>"
		"</summary>"
		"<content type=\"html\"><![CDATA[<p>&x;</p>]]></content></entry>"
		"</feed>",
	};

	snprintf(dir, sizeof dir, "%s/dayhub-atom-XXXXXX",
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

Test(atom, billion_laughs_ends_quickly)
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
	cr_expect(ts.error != NULL && strstr(ts.error, "entity bomb") != NULL,
	    "error: %s", ts.error != NULL ? ts.error : "(none)");
	testsink_free(&ts);
	free(data);
	free(path);
}

/*
 * 20 KB of entity text referenced 2000 times in each of 50 entries, in
 * text or in attributes: libxml2's own attribute getters would build 40
 * MB a value; the document's budget stops it at 1 MB in all.
 */
Test(atom, quadratic_entity_blowup_is_bounded_in_text_and_attributes)
{
	static const char *const wraps[][2] = {
		{ "<summary>", "</summary>" },
		{ "<link href=\"https://a.example.org/", "\"/>" },
		{ "<category term=\"", "\"/>" },
		{ "<content type=\"", "\">x</content>" },
		{ "<link xml:base=\"https://a.example.org/",
		    "/\" href=\"x\"/>" },
	};
	struct feedutil_buf	 b;
	struct testsink		 ts;
	double			 t0;
	long			 rss0;
	size_t			 w, i, k, len;
	json_t			*r;
	const char		*s;

	for (w = 0; w < sizeof wraps / sizeof wraps[0]; w++) {
		feedutil_buf_init(&b);
		feedutil_buf_adds(&b, "<?xml version=\"1.0\"?><!DOCTYPE feed "
		    "[<!ENTITY big \"");
		for (i = 0; i < 20000; i++)
			feedutil_buf_addc(&b, 'x');
		feedutil_buf_adds(&b, "\">]><feed xmlns=\"" ATOM_NS "\">");
		for (i = 0; i < 50; i++) {
			feedutil_buf_adds(&b, "<entry><title>i</title>");
			feedutil_buf_adds(&b, wraps[w][0]);
			for (k = 0; k < 2000; k++)
				feedutil_buf_adds(&b, "&big;");
			feedutil_buf_adds(&b, wraps[w][1]);
			feedutil_buf_adds(&b, "</entry>");
		}
		feedutil_buf_adds(&b, "</feed>");
		cr_assert(!b.failed);

		rss0 = max_rss_kb();
		t0 = now_seconds();
		testsink_init(&ts, 0);
		parse_with(&ts, b.data, b.len, FEED_BASE, 0, 0);
		cr_expect_lt(now_seconds() - t0, 3.0, "%s: took %.2f s",
		    wraps[w][0], now_seconds() - t0);
		cr_expect_lt(max_rss_kb() - rss0, 256 * 1024,
		    "%s: grew by %ld KB", wraps[w][0], max_rss_kb() - rss0);
		json_array_foreach(ts.records, i, r) {
			s = json_string_value(json_object_get(r, "summary"));
			len = s != NULL ? strlen(s) : 0;
			cr_expect_leq(len, FEEDUTIL_MAX_TEXT);
		}
		cr_expect(testsink_warned(&ts, "stopped expanding entities"),
		    "%s: the budget never ran out", wraps[w][0]);
		expect_protocol(&ts, wraps[w][0]);
		testsink_free(&ts);
		feedutil_buf_free(&b);
	}
}

/* A feed whose entry content holds `depth` nested elements. */
static char *
deep_feed(size_t depth, int in_entry)
{
	struct feedutil_buf	b;
	size_t			i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<feed xmlns=\"" ATOM_NS "\">");
	if (in_entry)
		feedutil_buf_adds(&b, "<entry><title>deep</title>"
		    "<content type=\"xhtml\">");
	for (i = 0; i < depth; i++)
		feedutil_buf_adds(&b, "<div>");
	feedutil_buf_adds(&b, "bottom");
	for (i = 0; i < depth; i++)
		feedutil_buf_adds(&b, "</div>");
	if (in_entry)
		feedutil_buf_adds(&b, "</content></entry>");
	feedutil_buf_adds(&b, "</feed>");
	cr_assert(!b.failed);
	return feedutil_buf_finish(&b, NULL);
}

Test(atom, deep_nesting_is_refused)
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

Test(atom, max_depth_is_the_inputs)
{
	struct testsink	 ts;
	char		*xml;

	/* feed > entry > content > div > div: five deep. */
	xml = deep_feed(2, 1);
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, xml, strlen(xml), NULL, 0, 5), DAYHUB_OK);
	cr_expect_str_eq(testsink_string(&ts, 0, "description"), "bottom");
	testsink_free(&ts);

	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, xml, strlen(xml), NULL, 0, 4),
	    DAYHUB_ERROR);
	cr_expect(ts.error != NULL && strstr(ts.error, "more than 4 deep") !=
	    NULL);
	testsink_free(&ts);
	free(xml);
}

/* A feed of `n` entries. */
static char *
many_entries(size_t n)
{
	struct feedutil_buf	b;
	char			entry[128];
	size_t			i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<feed xmlns=\"" ATOM_NS "\"><title>c</title>");
	for (i = 0; i < n; i++) {
		snprintf(entry, sizeof entry, "<entry><title>Entry %zu</title>"
		    "<id>urn:e:%zu</id></entry>", i, i);
		feedutil_buf_adds(&b, entry);
	}
	feedutil_buf_adds(&b, "</feed>");
	cr_assert(!b.failed);
	return feedutil_buf_finish(&b, NULL);
}

Test(atom, max_items_stops_the_parse)
{
	struct testsink	 ts;
	char		*xml = many_entries(50);

	/* The input's own limit. */
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, xml, strlen(xml), NULL, 5, 0), DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 5);
	cr_expect_str_eq(testsink_string(&ts, 4, "title"), "Entry 4");
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

Test(atom, parses_from_many_threads_alike)
{
	struct thread_job	 jobs[8];
	pthread_t		 tid[8];
	struct testsink		 ts;
	char			*path, *data, *want;
	size_t			 len, i;

	path = fixture_path("activities-full.xml");
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

/* --- one table for the extensions, in RSS and Atom alike --- */

Test(atom, extensions_read_the_same_in_rss_and_atom)
{
	static const char	 ext[] =
	    "<dc:creator>Jo</dc:creator><dc:subject>Art</dc:subject>"
	    "<ev:startdate>2026-12-08T10:00</ev:startdate>"
	    "<ev:enddate>2026-12-08T12:00:00Z</ev:enddate>"
	    "<ev:location>Hall, 1 High St</ev:location>"
	    "<ev:organizer>Arts Group</ev:organizer><ev:type>Class</ev:type>"
	    "<georss:where><gml:Point><gml:pos>50.1 -2.2</gml:pos></gml:Point>"
	    "</georss:where><geo:lat>1</geo:lat>"
	    "<dh:activity>art, social</dh:activity><dh:postcode>DT11 7DR"
	    "</dh:postcode><dh:cost-min>2</dh:cost-min><dh:free>false</dh:free>"
	    "<dh:access>wheelchair</dh:access><dh:group>autism</dh:group>"
	    "<dh:booking-url>https://b.example.org/</dh:booking-url>"
	    "<dh:exdate>2026-12-22T10:00:00</dh:exdate><dh:colour>x</dh:colour>"
	    "<content:encoded>&lt;p&gt;Body&lt;/p&gt;</content:encoded>";
	struct dayhub_input	 in = {
		.size = sizeof in,
		.base_url = FEED_BASE,
		.timezone = "Europe/London",
	};
	struct testsink		 rss, atom;
	char			*xml, *sr, *sa;

	if (asprintf(&xml, "<rss version=\"2.0\"" NAMESPACES "><channel>"
	    "<item><title>T</title>%s</item></channel></rss>", ext) == -1)
		cr_assert_fail("out of memory");
	in.data = (const unsigned char *)xml;
	in.len = strlen(xml);
	testsink_init(&rss, 0);
	cr_assert_eq(rss_module()->parse(&in, &testsink_host, &rss),
	    DAYHUB_OK, "%s", rss.error != NULL ? rss.error : "");
	free(xml);

	if (asprintf(&xml, "<feed xmlns=\"" ATOM_NS "\"" NAMESPACES ">"
	    "<entry><title>T</title>%s</entry></feed>", ext) == -1)
		cr_assert_fail("out of memory");
	in.data = (const unsigned char *)xml;
	in.len = strlen(xml);
	testsink_init(&atom, 0);
	cr_assert_eq(module()->parse(&in, &testsink_host, &atom), DAYHUB_OK,
	    "%s", atom.error != NULL ? atom.error : "");
	free(xml);

	sr = show(rss.records);
	sa = show(atom.records);
	cr_expect(json_equal(rss.records, atom.records),
	    "rss %s\natom %s", sr, sa);
	cr_expect(json_equal(rss.warnings, atom.warnings),
	    "warnings differ");
	cr_expect(testsink_warned(&atom, "left out <dh:colour>"));
	cr_expect_str_eq(testsink_string(&atom, 0, "location.lat"), "50.1");
	free(sr);
	free(sa);
	testsink_free(&rss);
	testsink_free(&atom);
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
	{ "atom", "<?xml version=\"1.0\"?><feed xmlns=\"" ATOM_NS "\">"
	    "<title>x</title></feed>", 0, NULL, DAYHUB_SNIFF_CERTAIN },
	{ "atom with a prolog", "\xef\xbb\xbf<?xml version=\"1.0\"?>\n"
	    "<!-- made by hand -->\n<?xml-stylesheet href=\"s.xsl\"?>\n"
	    "<feed xml:lang=\"en\"\n   xmlns='" ATOM_NS "'>", 0, "text/html",
	    DAYHUB_SNIFF_CERTAIN },
	{ "atom, prefixed", "<a:feed xmlns:a=\"" ATOM_NS "\">", 0, NULL,
	    DAYHUB_SNIFF_CERTAIN },
	{ "atom with other namespaces first", "<feed xmlns:dh=\"urn:dayhub:"
	    "activity:1.0\" xmlns:georss=\"http://www.georss.org/georss\" "
	    "xmlns=\"" ATOM_NS "\">", 0, NULL, DAYHUB_SNIFF_CERTAIN },
	{ "atom in UTF-16LE", ATOM_UTF16LE, sizeof ATOM_UTF16LE - 1, NULL,
	    DAYHUB_SNIFF_CERTAIN },
	{ "atom, its namespace on another prefix", "<feed xmlns:a=\"" ATOM_NS
	    "\">", 0, NULL, DAYHUB_SNIFF_LIKELY },
	{ "atom 0.3", "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/"
	    "ns#\">", 0, NULL, DAYHUB_SNIFF_LIKELY },
	{ "feed in no namespace", "<feed><entry/></feed>", 0, NULL,
	    DAYHUB_SNIFF_LIKELY },
	{ "feed in another namespace", "<feed xmlns=\"urn:other\">", 0, NULL,
	    DAYHUB_SNIFF_LIKELY },
	{ "the start tag cut short", "<feed xmlns=\"" ATOM_NS, 0, NULL,
	    DAYHUB_SNIFF_LIKELY },
	{ "rss", "<rss version=\"2.0\"><channel/></rss>", 0, NULL,
	    DAYHUB_SNIFF_MAYBE },
	{ "rss said to be atom", "<rss version=\"2.0\">", 0,
	    "application/atom+xml", DAYHUB_SNIFF_MAYBE },
	{ "rdf", "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-"
	    "ns#\">", 0, NULL, DAYHUB_SNIFF_MAYBE },
	{ "other xml", "<events><event/></events>", 0, NULL,
	    DAYHUB_SNIFF_MAYBE },
	{ "other xml said to be atom", "<events/>", 0,
	    "application/atom+xml; charset=utf-8", DAYHUB_SNIFF_LIKELY },
	{ "only a prolog", "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<!-- long comment", 0, NULL, DAYHUB_SNIFF_MAYBE },
	{ "only a prolog, atom type", "<?xml version=\"1.0\"?>", 0,
	    "application/atom+xml", DAYHUB_SNIFF_LIKELY },
	{ "html", "<!DOCTYPE html>\n<html lang=\"en\"><head>", 0, NULL,
	    DAYHUB_SNIFF_NO },
	{ "html said to be atom", "<html><body><p>hi", 0,
	    "application/atom+xml", DAYHUB_SNIFF_NO },
	{ "json", "{\"items\": []}", 0, NULL, DAYHUB_SNIFF_NO },
	{ "icalendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0, NULL,
	    DAYHUB_SNIFF_NO },
	{ "garbage", GARBAGE, sizeof GARBAGE - 1, NULL, DAYHUB_SNIFF_NO },
	{ "text before the markup", "Warning: something <feed>", 0, NULL,
	    DAYHUB_SNIFF_NO },
	{ "empty", "", 0, NULL, DAYHUB_SNIFF_NO },
	{ "white space", " \r\n\t", 0, "application/atom+xml",
	    DAYHUB_SNIFF_NO },
};

Test(atom, sniff_scores)
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
	const char	*feed;		/* JSON of the feed facts, or NULL */
};

static const struct fixture_case fixture_cases[] = {
	{ "activities-full.xml", DAYHUB_OK, 3, NULL, NULL, NULL,
	    "{\"title\": \"Sturminster Newton Day Opportunities\", \"link\": "
	    "\"https://sturminster-hub.example.org/whats-on/\", \"generator\": "
	    "\"Hub publisher\"}" },
	{ "text-constructs.xml", DAYHUB_OK, 6, NULL,
	    "left out <content> of type \"image/png\"", "track()",
	    "{\"title\": \"Shaftesbury Arts & Wellbeing\"}" },
	{ "xml-base-nesting.xml", DAYHUB_OK, 6, NULL, "javascript:void(0)",
	    NULL, "{\"title\": \"Gillingham Hub\", \"link\": \"https://"
	    "gillingham-hub.example.org/whats-on/\"}" },
	{ "author-fallback.xml", DAYHUB_OK, 7, NULL, NULL, "clerk@", NULL },
	{ "atom-03-obsolete.xml", DAYHUB_OK, 3, NULL, "Atom 0.3 is obsolete",
	    "JVBERi0", "{\"title\": \"Wimborne Makers\", \"link\": \"https://"
	    "wimborne-makers.example.org/\", \"generator\": \"OldBlog\"}" },
	{ "truncated.xml", DAYHUB_ERROR, 0, "breaks off before </feed>", NULL,
	    "Complete entry", NULL },
	{ "rss-not-atom.xml", DAYHUB_ERROR, 0,
	    "not an Atom feed: the root element is <rss>", NULL, NULL, NULL },
	{ "billion-laughs.xml", DAYHUB_ERROR, 0, "entity bomb", NULL,
	    "lollol", NULL },
	{ "xxe-passwd.xml", DAYHUB_OK, 1, NULL, "external entity &passwd;",
	    "root:", NULL },
};

Test(atom, fixtures)
{
	const struct fixture_case	*c;
	struct testsink			 ts;
	json_t				*want;
	char				*path, *data, *golden, *why, *sf;
	size_t				 i, len;
	int				 rc, g;

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
		if (c->feed != NULL) {
			want = json_loads(c->feed, 0, NULL);
			cr_assert_not_null(want, "bad row %s", c->file);
			sf = show(ts.feed);
			cr_expect(json_equal(want, ts.feed), "%s: feed %s",
			    c->file, sf);
			free(sf);
			json_decref(want);
		}
		if (rc == DAYHUB_OK) {
			golden = jsonl_beside(c->file);
			g = testsink_golden(&ts, golden, &why);
			cr_expect(g != -1, "%s: cannot read %s", c->file,
			    golden);
			cr_expect(g != 0, "%s: %s", c->file, why);
			free(why);
			free(golden);
		}
		expect_protocol(&ts, c->file);
		testsink_free(&ts);
		free(data);
		free(path);
	}
}
