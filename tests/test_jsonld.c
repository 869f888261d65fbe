/*
 * test_jsonld.c - the JSON-LD format module (schema.org events in a web
 * page), loaded as the daemon loads it.
 *
 * The module is opened with dlopen() from $DAYHUB_JSONLD_MODULE, or else
 * from $DAYHUB_BUILDDIR/plugins/.libs/jsonld.so (as `make check` builds
 * it), and driven through its descriptor with a test host (testsink.c)
 * that keeps what it emits.  Fixtures are read from
 * $DAYHUB_SRCDIR/feeds/fixtures/jsonld/; NAME.jsonl beside NAME.html
 * holds the records expected, one JSON object a line.
 *
 * The mapping of schema.org properties to fields is shared with the
 * OpenActive module and tested property by property in test_openactive.c;
 * here it is what is particular to pages: scripts, graphs, references.
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

#define PAGE_BASE	"https://club.example.org/whats-on/"
#define FIXTURE_BASE	"https://gillinghamgardeners.example.org/whats-on/"

static const struct dayhub_plugin *module(void);
static int	 parse_with(struct testsink *, const void *, size_t,
		    const char *, size_t, size_t);
static int	 parse_str(struct testsink *, const char *);
static char	*page(const char *);
static char	*fixture_path(const char *);
static char	*slurp(const char *, size_t *);
static char	*show(json_t *);
static void	 expect_protocol(const struct testsink *, const char *);
static void	 expect_value(const struct testsink *, size_t, const char *,
		    const char *, const char *);
static double	 now_seconds(void);

/* --- loading the module as the daemon does --- */

static const struct dayhub_plugin *
module(void)
{
	static const struct dayhub_plugin	*desc;
	char					 err[PATH_MAX + 256];

	if (desc == NULL)
		desc = testsink_module("jsonld", "DAYHUB_JSONLD_MODULE", err, sizeof err);
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
		.content_type = "text/html",
		.timezone = "Europe/London",
		.max_items = max_items,
		.max_depth = max_depth,
	};

	return module()->parse(&in, &testsink_host, ts);
}

static int
parse_str(struct testsink *ts, const char *text)
{
	return parse_with(ts, text, strlen(text), PAGE_BASE, FEED_MAX_ITEMS,
	    FEED_MAX_DEPTH);
}

/* A web page whose body is `body`, from line 4 on. */
static char *
page(const char *body)
{
	char	*s;

	if (asprintf(&s, "<!DOCTYPE html>\n<html><head><title>Club</title>"
	    "</head>\n<body>\n%s\n</body></html>\n", body) == -1)
		cr_assert_fail("out of memory");
	return s;
}

/* A script of JSON-LD, to put in a page. */
#define LD(x)	"<script type=\"application/ld+json\">" x "</script>"

static char *
fixture_path(const char *name)
{
	const char	*src = getenv("DAYHUB_SRCDIR");
	char		*path;

	if (asprintf(&path, "%s/feeds/fixtures/jsonld/%s",
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
	    "%s: record %zu %s is %s, want %s", what, i, field, sg, sw);
	free(sg);
	free(sw);
	json_decref(w);
}

static double
now_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the descriptor --- */

Test(jsonld, descriptor_names_the_module)
{
	const struct dayhub_plugin	*m = module();

	cr_expect_str_eq(m->name, "jsonld");
	cr_expect(m->version != NULL && *m->version != '\0');
	cr_expect(m->description != NULL && *m->description != '\0');
	cr_expect_eq(m->abi_minor, DAYHUB_PLUGIN_ABI_MINOR);
}

/* --- where events are found --- */

#define EV(id, name) "{\"@type\":\"Event\",\"@id\":\"" id "\",\"name\":\"" \
	name "\",\"startDate\":\"2026-05-01T10:00:00+01:00\"}"

struct shape_case {
	const char	*name;
	const char	*body;		/* the page's body */
	const char	*ids;		/* JSON list of the source ids emitted */
	const char	*titles;	/* JSON list of their titles, or NULL */
	const char	*warning;	/* NULL: none at all */
};

static const struct shape_case shape_cases[] = {
	{ "one object", LD(EV("https://club.example.org/e/1", "One")),
	    "[\"https://club.example.org/e/1\"]", "[\"One\"]", NULL },
	{ "a list", LD("[" EV("urn:e:1", "One") "," EV("urn:e:2", "Two") "]"),
	    "[\"urn:e:1\",\"urn:e:2\"]", "[\"One\",\"Two\"]", NULL },
	{ "an @graph", LD("{\"@context\":\"https://schema.org\",\"@graph\":["
	    "{\"@type\":\"WebPage\",\"name\":\"Page\"}," EV("urn:e:1", "One")
	    "]}"), "[\"urn:e:1\"]", "[\"One\"]", NULL },
	{ "@graphs in a list", LD("[{\"@graph\":[" EV("urn:e:1", "One") "]},"
	    "{\"@graph\":[" EV("urn:e:2", "Two") "]}]"),
	    "[\"urn:e:1\",\"urn:e:2\"]", NULL, NULL },
	{ "subtypes of Event", LD("[{\"@type\":\"SportsEvent\",\"@id\":"
	    "\"urn:a\",\"name\":\"A\"},{\"@type\":\"https://schema.org/"
	    "SocialEvent\",\"@id\":\"urn:b\",\"name\":\"B\"},{\"@type\":"
	    "[\"Thing\",\"EducationEvent\"],\"@id\":\"urn:c\",\"name\":\"C\"},"
	    "{\"@type\":\"SessionSeries\",\"@id\":\"urn:d\",\"name\":\"D\"},"
	    "{\"@type\":\"CourseInstance\",\"@id\":\"urn:e\",\"name\":\"E\"}]"),
	    "[\"urn:a\",\"urn:b\",\"urn:c\",\"urn:d\",\"urn:e\"]", NULL, NULL },
	{ "nodes that are no events", LD("[{\"@type\":\"Organization\","
	    "\"name\":\"O\"},{\"@type\":\"Place\",\"name\":\"P\"},{\"@type\":"
	    "\"Product\",\"name\":\"X\"}]"), "[]", NULL,
	    "no schema.org events found on the page (1 JSON-LD script)" },
	{ "an event on demand", LD("{\"@type\":\"OnDemandEvent\",\"name\":"
	    "\"Video\"}"), "[]", NULL, "OnDemandEvent (1)" },
	{ "mainEntity", LD("{\"@type\":\"WebPage\",\"mainEntity\":"
	    EV("urn:e:1", "Main") "}"), "[\"urn:e:1\"]", NULL, NULL },
	{ "an ItemList", LD("{\"@type\":\"ItemList\",\"itemListElement\":[{"
	    "\"@type\":\"ListItem\",\"position\":1,\"item\":" EV("urn:e:1", "A")
	    "},{\"@type\":\"ListItem\",\"item\":" EV("urn:e:2", "B") "}]}"),
	    "[\"urn:e:1\",\"urn:e:2\"]", NULL, NULL },
	{ "an organisation's events", LD("{\"@type\":\"Organization\","
	    "\"name\":\"Club\",\"event\":[" EV("urn:e:1", "A") "]}"),
	    "[\"urn:e:1\"]", NULL, NULL },
	{ "references are not events twice", LD("[" EV("urn:e:1", "A") ","
	    "{\"@type\":\"ItemList\",\"itemListElement\":[{\"item\":{\"@type\":"
	    "\"Event\",\"@id\":\"urn:e:1\"}}]},{\"@id\":\"urn:e:1\"}]"),
	    "[\"urn:e:1\"]", NULL, NULL },
	{ "the same event in two scripts", LD(EV("urn:e:1", "A")) "\n"
	    LD(EV("urn:e:1", "A")), "[\"urn:e:1\"]", NULL,
	    "the event \"urn:e:1\" appears more than once" },
	{ "a relative @id", LD("{\"@type\":\"Event\",\"@id\":\"#tea\","
	    "\"name\":\"Tea\"}"), "[\"https://club.example.org/whats-on/#tea\"]",
	    NULL, NULL },
	{ "a blank node: the url", LD("{\"@type\":\"Event\",\"@id\":\"_:b0\","
	    "\"name\":\"Tea\",\"url\":\"tea\"}"),
	    "[\"https://club.example.org/whats-on/tea\"]", NULL, NULL },
	{ "no @id and no url: the identifier", LD("{\"@type\":\"Event\","
	    "\"identifier\":991,\"name\":\"Tea\"}"), "[\"991\"]", NULL, NULL },
	{ "no id at all", LD("{\"@type\":\"Event\",\"name\":\"Tea\"}"),
	    "[null]", "[\"Tea\"]", NULL },
	{ "dates of one activity share a url", LD("[{\"@type\":\"Event\","
	    "\"name\":\"Tea\",\"url\":\"/tea\",\"startDate\":\"2026-05-01\"},"
	    "{\"@type\":\"Event\",\"name\":\"Tea\",\"url\":\"/tea\","
	    "\"startDate\":\"2026-05-08\"}]"), "[\"https://club.example.org/"
	    "tea\",\"https://club.example.org/tea#2026-05-08\"]", NULL, NULL },
	{ "a series holding sessions", LD("{\"@type\":\"EventSeries\",\"@id\":"
	    "\"urn:s\",\"name\":\"Series\",\"location\":{\"name\":\"Hall\"},"
	    "\"subEvent\":[{\"@type\":\"Event\",\"@id\":\"urn:s:1\","
	    "\"startDate\":\"2026-05-01\"},{\"@type\":\"Event\",\"startDate\":"
	    "\"2026-05-08\"}]}"), "[\"urn:s:1\",\"urn:s#2026-05-08\"]",
	    "[\"Series\",\"Series\"]", NULL },
	{ "a session that is a blank node", LD("[{\"@type\":\"SessionSeries\","
	    "\"@id\":\"urn:s\",\"name\":\"S\",\"subEvent\":[{\"@id\":"
	    "\"_:b1\"}]},{\"@type\":\"ScheduledSession\",\"@id\":\"_:b1\","
	    "\"url\":\"/s1\",\"startDate\":\"2026-05-01\"}]"),
	    "[\"urn:s\",\"urn:s#2026-05-01\"]", "[\"S\",\"S\"]", NULL },
	{ "sessions named by @id from their series", LD("[" EV("urn:x:1",
	    "Session") ",{\"@type\":\"SessionSeries\",\"@id\":\"urn:x\","
	    "\"name\":\"Series\",\"subEvent\":[{\"@id\":\"urn:x:1\"}]}]"),
	    "[\"urn:x\",\"urn:x:1\"]", "[\"Series\",\"Session\"]", NULL },
};

Test(jsonld, events_are_found_in_every_shape)
{
	const struct shape_case	*c;
	struct testsink		 ts;
	json_t			*want_ids, *want_titles, *ids, *titles, *r;
	char			*html, *sg, *sw;
	size_t			 i, k;

	for (i = 0; i < sizeof shape_cases / sizeof shape_cases[0]; i++) {
		c = &shape_cases[i];
		html = page(c->body);
		testsink_init(&ts, 0);
		cr_expect_eq(parse_str(&ts, html), DAYHUB_OK, "%s: %s",
		    c->name, ts.error != NULL ? ts.error : "");
		ids = json_array();
		titles = json_array();
		json_array_foreach(ts.records, k, r) {
			json_array_append(ids, json_object_get(r, "source_id") !=
			    NULL ? json_object_get(r, "source_id") :
			    json_null());
			json_array_append(titles, json_object_get(r, "title") !=
			    NULL ? json_object_get(r, "title") : json_null());
		}
		want_ids = json_loads(c->ids, 0, NULL);
		cr_assert_not_null(want_ids, "bad row %s", c->name);
		sg = show(ids);
		sw = show(want_ids);
		cr_expect(json_equal(ids, want_ids), "%s: ids %s, want %s",
		    c->name, sg, sw);
		free(sg);
		free(sw);
		if (c->titles != NULL) {
			want_titles = json_loads(c->titles, 0, NULL);
			sg = show(titles);
			sw = show(want_titles);
			cr_expect(json_equal(titles, want_titles),
			    "%s: titles %s, want %s", c->name, sg, sw);
			free(sg);
			free(sw);
			json_decref(want_titles);
		}
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\"", c->name, c->warning);
		else
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings", c->name);
		expect_protocol(&ts, c->name);
		json_decref(want_ids);
		json_decref(ids);
		json_decref(titles);
		testsink_free(&ts);
		free(html);
	}
}

/* --- references between nodes --- */

Test(jsonld, id_references_resolve_across_scripts)
{
	struct testsink	 ts;
	char		*html;

	html = page(LD("{\"@context\":\"https://schema.org\",\"@graph\":["
	    "{\"@type\":\"Event\",\"@id\":\"urn:e\",\"name\":\"Coffee "
	    "morning\",\"location\":{\"@id\":\"urn:place\"},\"organizer\":"
	    "\"urn:org\",\"superEvent\":{\"@id\":\"urn:series\"},\"offers\":"
	    "{\"@id\":\"urn:offer\"}}]}") "\n<p>text</p>\n"
	    LD("[{\"@type\":\"Place\",\"@id\":\"urn:place\",\"name\":\"Hall\","
	    "\"address\":{\"@id\":\"urn:addr\"}},{\"@type\":\"PostalAddress\","
	    "\"@id\":\"urn:addr\",\"streetAddress\":\"1 Mill Lane\","
	    "\"postalCode\":\"BH20 4AA\"},{\"@type\":\"Organization\",\"@id\":"
	    "\"urn:org\",\"name\":\"Friends\"},{\"@type\":\"EventSeries\","
	    "\"@id\":\"urn:series\",\"name\":\"Series\",\"description\":\"From "
	    "the series\",\"category\":\"Social\"},{\"@type\":\"Offer\",\"@id\":"
	    "\"urn:offer\",\"price\":1.5,\"priceCurrency\":\"GBP\"}]"));
	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, html), DAYHUB_OK);
	cr_assert_eq(json_array_size(ts.records), 1, "%zu records",
	    json_array_size(ts.records));
	expect_value(&ts, 0, "title", "\"Coffee morning\"", "own");
	expect_value(&ts, 0, "location", "{\"name\":\"Hall\",\"address\":"
	    "\"1 Mill Lane\",\"postcode\":\"BH20 4AA\"}", "location");
	expect_value(&ts, 0, "organiser", "{\"name\":\"Friends\"}",
	    "organizer");
	expect_value(&ts, 0, "summary", "\"From the series\"", "superEvent");
	expect_value(&ts, 0, "categories", "[\"Social\"]", "superEvent");
	expect_value(&ts, 0, "cost.min", "\"1.5\"", "offer");
	cr_expect_eq(json_array_size(ts.warnings), 0);
	expect_protocol(&ts, "references");
	testsink_free(&ts);
	free(html);
}

Test(jsonld, a_cycle_of_references_ends)
{
	struct testsink	 ts;
	char		*html;
	double		 t0 = now_seconds();

	html = page(LD("{\"@graph\":[{\"@type\":\"Event\",\"@id\":\"urn:a\","
	    "\"name\":\"A\",\"superEvent\":{\"@id\":\"urn:b\"},\"location\":"
	    "{\"@id\":\"urn:a\"},\"subEvent\":{\"@id\":\"urn:b\"}},"
	    "{\"@type\":\"EventSeries\",\"@id\":\"urn:b\",\"description\":"
	    "\"B\",\"superEvent\":{\"@id\":\"urn:a\"},\"subEvent\":[{\"@id\":"
	    "\"urn:a\"},\"urn:b\"],\"organizer\":{\"@id\":\"urn:b\"}},"
	    "{\"@type\":\"Event\",\"@id\":\"urn:c\",\"name\":\"C\","
	    "\"superEvent\":\"urn:c\",\"subEvent\":[{\"@type\":\"Event\","
	    "\"@id\":\"urn:c1\",\"subEvent\":\"urn:c\"}]}]}"));
	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, html), DAYHUB_OK);
	cr_expect_lt(now_seconds() - t0, 2.0);
	expect_value(&ts, 0, "source_id", "\"urn:a\"", "a");
	expect_value(&ts, 0, "summary", "\"B\"", "a takes b's text");
	expect_value(&ts, 0, "location.name", "\"A\"", "a's place is a");
	expect_value(&ts, 1, "source_id", "\"urn:c\"", "c");
	expect_value(&ts, 2, "source_id", "\"urn:c1\"", "c1");
	cr_expect_eq(json_array_size(ts.records), 3, "%zu records",
	    json_array_size(ts.records));
	expect_protocol(&ts, "cycle");
	testsink_free(&ts);
	free(html);
}

/* --- scripts --- */

struct script_case {
	const char	*name;
	const char	*body;
	size_t		 nrecords;
	const char	*warning;	/* NULL: none at all */
	unsigned long	 line;		/* of that warning, when not 0 */
};

static const struct script_case script_cases[] = {
	{ "several scripts, one broken", LD(EV("urn:1", "One")) "\n"
	    LD("{\"@type\":\"Event\",\"name\":\"Broken\",}") "\n"
	    LD(EV("urn:3", "Three")), 2, "left out the JSON-LD script at "
	    "line 5: it is not JSON: ", 5 },
	{ "the line of the error within the script", "<p>x</p>\n"
	    "<script type=\"application/ld+json\">\n{\n\"@type\": \"Event\"\n"
	    "\"name\": \"x\"\n}\n</script>", 0, "(line 8)", 5 },
	{ "a script cut short", LD("{\"@type\":\"Event\",\"name\":\"Cut"), 0,
	    "it is not JSON", 4 },
	{ "a script that is not JSON at all", LD("var x = 1;") "\n"
	    LD(EV("urn:2", "Two")), 1, "it is not JSON", 4 },
	{ "a script too deep", LD("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]") "\n"
	    LD(EV("urn:2", "Two")), 1, "it is nested more than 64 deep", 4 },
	{ "no scripts at all", "<p>Nothing here but words.</p>", 0,
	    "no schema.org events found on the page (0 JSON-LD scripts)", 0 },
	{ "other scripts only", "<script>var ld = 'application/ld+json';"
	    "</script><script type=\"text/javascript\">{\"@type\":\"Event\"}"
	    "</script><script type=\"application/json\">{\"@type\":\"Event\"}"
	    "</script>", 0, "no schema.org events found", 0 },
	{ "a type with parameters and case", "<script type=\" Application/"
	    "LD+JSON; charset=utf-8\">" EV("urn:1", "One") "</script>", 1,
	    NULL, 0 },
	{ "an empty script", LD("") LD("  \n ") LD(EV("urn:1", "One")), 1,
	    NULL, 0 },
	{ "a comment around the JSON", LD("<!--\n" EV("urn:1", "One")
	    "\n-->"), 1, NULL, 0 },
	{ "CDATA around the JSON", LD("//<![CDATA[\n" EV("urn:1", "One")
	    "\n//]]>"), 1, NULL, 0 },
	{ "a script in the head and one in the body", "</body><head>" LD(
	    EV("urn:1", "One")) "</head><body>" LD(EV("urn:2", "Two")), 2,
	    NULL, 0 },
	{ "markup around and inside", "<div><section><article>" LD(
	    "{\"@type\":\"Event\",\"@id\":\"urn:1\",\"name\":\"</p><b>One"
	    "</b>\"}") "</article></section></div>", 1, NULL, 0 },
	{ "a script that is a JSON string", LD("\"just text\""), 0,
	    "it is not JSON", 4 },
	{ "raw line breaks in a string", LD("{\"@type\":\"Event\",\"@id\":"
	    "\"urn:1\",\"name\":\"Two\nlines\"}"), 1,
	    "replaced 1 raw tabs or line breaks", 4 },
};

Test(jsonld, scripts_are_read_one_by_one)
{
	const struct script_case	*c;
	struct testsink			 ts;
	json_t				*w;
	char				*html;
	size_t				 i, k;
	int				 found;

	for (i = 0; i < sizeof script_cases / sizeof script_cases[0]; i++) {
		c = &script_cases[i];
		html = page(c->body);
		testsink_init(&ts, 0);
		cr_expect_eq(parse_with(&ts, html, strlen(html), PAGE_BASE, 0,
		    64), DAYHUB_OK, "%s: %s", c->name,
		    ts.error != NULL ? ts.error : "");
		cr_expect_eq(json_array_size(ts.records), c->nrecords,
		    "%s: %zu records", c->name, json_array_size(ts.records));
		if (c->warning == NULL)
			cr_expect_eq(json_array_size(ts.warnings), 0,
			    "%s: unexpected warnings", c->name);
		else {
			found = 0;
			json_array_foreach(ts.warnings, k, w) {
				if (strstr(json_string_value(json_object_get(w,
				    "message")), c->warning) != NULL &&
				    (c->line == 0 || (unsigned long)
				    json_integer_value(json_object_get(w,
				    "line")) == c->line))
					found = 1;
			}
			cr_expect(found, "%s: no warning \"%s\" at line %lu",
			    c->name, c->warning, c->line);
		}
		expect_protocol(&ts, c->name);
		testsink_free(&ts);
		free(html);
	}
}

Test(jsonld, too_many_scripts_are_cut)
{
	struct feedutil_buf	 b;
	struct testsink		 ts;
	char			 s[128];
	size_t			 i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<html><body>");
	for (i = 0; i < 300; i++) {
		snprintf(s, sizeof s, LD("{\"@type\":\"Event\",\"@id\":\"urn:%zu\","
		    "\"name\":\"E\"}"), i);
		feedutil_buf_adds(&b, s);
	}
	feedutil_buf_adds(&b, "</body></html>");
	cr_assert(!b.failed);
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, b.data, b.len, NULL, 0, 0), DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 256);
	cr_expect(testsink_warned(&ts, "more than 256 JSON-LD scripts"));
	expect_protocol(&ts, "300 scripts");
	testsink_free(&ts);
	feedutil_buf_free(&b);
}

/* --- what the shared mapping gives through a page --- */

Test(jsonld, a_community_event_maps_like_openactive)
{
	struct testsink	 ts;
	char		*html;

	html = page(LD("{\"@context\":\"https://schema.org\",\"@type\":"
	    "\"SocialEvent\",\"@id\":\"https://club.example.org/e/9\","
	    "\"name\":\"Memory caf\xc3\xa9\",\"description\":\"<p>Tea, cake "
	    "and music.</p>\",\"eventSchedule\":{\"@type\":\"Schedule\","
	    "\"repeatFrequency\":\"P1M\",\"byDay\":\"https://schema.org/"
	    "Thursday\",\"byMonthDay\":[1,2,3,4,5,6,7],\"startDate\":"
	    "\"2026-01-01\",\"startTime\":\"14:00\",\"endTime\":\"16:00\","
	    "\"scheduleTimezone\":\"Europe/London\"},\"location\":{\"@type\":"
	    "\"Place\",\"name\":\"Library\",\"address\":\"High St, Wareham "
	    "BH20 4LT\"},\"offers\":{\"@type\":\"Offer\",\"price\":\"0\"},"
	    "\"audience\":{\"@type\":\"Audience\",\"audienceType\":\"people "
	    "living with dementia\"},\"accessibilitySupport\":[\"Dementia "
	    "friendly\",\"Hearing loop\"]}"));
	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, html), DAYHUB_OK);
	cr_assert_eq(json_array_size(ts.records), 1);
	expect_value(&ts, 0, "title", "\"Memory caf\xc3\xa9\"", "title");
	expect_value(&ts, 0, "summary", "\"Tea, cake and music.\"", "summary");
	expect_value(&ts, 0, "schedule.rrule", "\"FREQ=MONTHLY;BYDAY=TH;"
	    "BYMONTHDAY=1,2,3,4,5,6,7\"", "first Thursday");
	expect_value(&ts, 0, "start", "\"2026-01-01T14:00:00\"", "start");
	expect_value(&ts, 0, "end", "\"2026-01-01T16:00:00\"", "end");
	expect_value(&ts, 0, "timezone", "\"Europe/London\"", "zone");
	expect_value(&ts, 0, "location.postcode", "\"BH20 4LT\"", "postcode");
	expect_value(&ts, 0, "cost.free", "\"true\"", "free");
	expect_value(&ts, 0, "groups", "[\"dementia\"]", "groups");
	expect_value(&ts, 0, "access", "[\"hearing_loop\"]", "access");
	expect_protocol(&ts, "community event");
	testsink_free(&ts);
	free(html);
}

/* --- bare JSON-LD documents --- */

struct bare_case {
	const char	*name;
	const char	*data;
	int		 rc;
	size_t		 nrecords;
	const char	*error;
	const char	*warning;
};

static const struct bare_case bare_cases[] = {
	{ "one event", "{\"@context\":\"https://schema.org\",\"@type\":"
	    "\"Event\",\"name\":\"Bare\",\"url\":\"https://club.example.org/"
	    "b\"}", DAYHUB_OK, 1, NULL, NULL },
	{ "a list with a byte order mark", "\xef\xbb\xbf\n [" EV("urn:1", "A")
	    "]", DAYHUB_OK, 1, NULL, NULL },
	{ "an @graph", "{\"@graph\":[" EV("urn:1", "A") "," EV("urn:2", "B")
	    "]}", DAYHUB_OK, 2, NULL, NULL },
	{ "not JSON", "{\"@type\":\"Event\",", DAYHUB_ERROR, 0, "not JSON: ",
	    NULL },
	{ "JSON with no events", "{\"@type\":\"Organization\"}", DAYHUB_OK, 0,
	    NULL, "no schema.org events found on the page" },
	{ "an RPDE page", "{\"items\":[{\"state\":\"updated\",\"data\":{"
	    "\"@type\":\"Event\"}}],\"next\":\"x\"}", DAYHUB_OK, 0, NULL,
	    "no schema.org events found" },
	{ "empty", "", DAYHUB_ERROR, 0, "not HTML or JSON-LD: the page is "
	    "empty", NULL },
	{ "white space", "\n\n   ", DAYHUB_ERROR, 0, "starts with neither",
	    NULL },
	{ "plain text", "Events: none", DAYHUB_ERROR, 0,
	    "not HTML or JSON-LD: the page starts with neither '<' nor '{'",
	    NULL },
};

/*
 * One script larger than libxml2's 10 MB text limit is still read: the
 * page is bounded by the host's max-feed-size, not by that limit.
 */
Test(jsonld, a_script_over_ten_megabytes_is_read)
{
	struct testsink	 ts;
	char		*html, *desc;
	size_t		 n = 11 * 1024 * 1024;

	desc = malloc(n + 1);
	cr_assert_not_null(desc);
	memset(desc, 'a', n);
	desc[n] = '\0';
	for (size_t i = 80; i < n; i += 81)
		desc[i] = ' ';
	cr_assert(asprintf(&html, "<html><body><script type=\"application/"
	    "ld+json\">{\"@context\":\"https://schema.org\",\"@type\":"
	    "\"Event\",\"@id\":\"https://club.example.org/e/big\",\"name\":"
	    "\"Long read\",\"startDate\":\"2026-06-01T10:00:00Z\","
	    "\"description\":\"%s\"}</script><script type=\"application/"
	    "ld+json\">{\"@context\":\"https://schema.org\",\"@type\":"
	    "\"Event\",\"@id\":\"https://club.example.org/e/after\","
	    "\"name\":\"After it\",\"startDate\":\"2026-06-02T10:00:00Z\"}"
	    "</script></body></html>", desc) > 0);
	free(desc);
	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, html), DAYHUB_OK, "%s", ts.error != NULL ?
	    ts.error : "");
	cr_assert_eq(json_array_size(ts.records), 2);
	expect_value(&ts, 0, "title", "\"Long read\"", "the long one");
	expect_value(&ts, 1, "title", "\"After it\"", "the one after it");
	cr_expect(testsink_warned(&ts, "longer than 65536 bytes: cut short"));
	cr_expect(!testsink_warned(&ts, "stopped reading the page"));
	testsink_free(&ts);
	free(html);
}

Test(jsonld, bare_documents)
{
	const struct bare_case	*c;
	struct testsink		 ts;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof bare_cases / sizeof bare_cases[0]; i++) {
		c = &bare_cases[i];
		testsink_init(&ts, 0);
		rc = parse_with(&ts, c->data, strlen(c->data), PAGE_BASE, 0, 0);
		cr_expect_eq(rc, c->rc, "%s: rc %d (%s)", c->name, rc,
		    ts.error != NULL ? ts.error : "");
		cr_expect_eq(json_array_size(ts.records), c->nrecords,
		    "%s: %zu records", c->name, json_array_size(ts.records));
		if (c->error != NULL)
			cr_expect(ts.error != NULL && strstr(ts.error,
			    c->error) != NULL, "%s: error %s", c->name,
			    ts.error != NULL ? ts.error : "(none)");
		else
			cr_expect_null(ts.error, "%s", c->name);
		if (c->warning != NULL)
			cr_expect(testsink_warned(&ts, c->warning),
			    "%s: no warning \"%s\"", c->name, c->warning);
		expect_protocol(&ts, c->name);
		testsink_free(&ts);
	}
}

/* --- hostile pages --- */

#define NUL_PAGE "<html><body>\0" LD("{\"@type\":\"Event\",\"@id\":\"urn:1\"," \
	"\"name\":\"A\"}") "</body></html>"

Test(jsonld, hostile_pages_are_read_safely)
{
	struct feedutil_buf	 b;
	struct testsink		 ts;
	char			*json;
	size_t			 i;
	double			 t0;

	/* 10000 nested elements before the script. */
	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<html><body>");
	for (i = 0; i < 10000; i++)
		feedutil_buf_adds(&b, "<div>");
	feedutil_buf_adds(&b, LD(EV("urn:deep", "Deep")));
	cr_assert(!b.failed);
	t0 = now_seconds();
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, b.data, b.len, NULL, 0, 0), DAYHUB_OK);
	cr_expect_lt(now_seconds() - t0, 5.0);
	expect_protocol(&ts, "deep HTML");
	testsink_free(&ts);
	feedutil_buf_free(&b);

	/* A 10000-deep array in a script: that script only is refused. */
	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<html><body><script type=\"application/"
	    "ld+json\">");
	for (i = 0; i < 10000; i++)
		feedutil_buf_adds(&b, "[");
	feedutil_buf_adds(&b, "</script>" LD(EV("urn:ok", "Fine")));
	cr_assert(!b.failed);
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, b.data, b.len, NULL, 0, 0), DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 1);
	cr_expect(testsink_warned(&ts, "nested more than 256 deep"));
	testsink_free(&ts);
	feedutil_buf_free(&b);

	/* The same, bare: the document is refused. */
	feedutil_buf_init(&b);
	for (i = 0; i < 10000; i++)
		feedutil_buf_adds(&b, "[");
	cr_assert(!b.failed);
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, b.data, b.len, NULL, 0, 0), DAYHUB_ERROR);
	cr_expect(ts.error != NULL && strstr(ts.error, "refused: the document "
	    "is nested more than 256 deep") != NULL, "%s",
	    ts.error != NULL ? ts.error : "(none)");
	testsink_free(&ts);
	feedutil_buf_free(&b);

	/* A huge name in a script. */
	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<html><body><script type=\"application/"
	    "ld+json\">{\"@type\":\"Event\",\"name\":\"");
	for (i = 0; i < 3000000; i++)
		feedutil_buf_adds(&b, "x");
	feedutil_buf_adds(&b, "\"}</script></body></html>");
	cr_assert(!b.failed);
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, b.data, b.len, NULL, 0, 0), DAYHUB_OK);
	cr_expect_eq(strlen(testsink_string(&ts, 0, "title") != NULL ?
	    testsink_string(&ts, 0, "title") : ""), FEEDUTIL_MAX_FIELD);
	expect_protocol(&ts, "huge name");
	testsink_free(&ts);
	feedutil_buf_free(&b);

	/* NUL bytes and binary in the page. */
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, NUL_PAGE, sizeof NUL_PAGE - 1, NULL, 0,
	    0), DAYHUB_OK);
	expect_protocol(&ts, "NUL");
	testsink_free(&ts);
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, "<\xff\xfe\x00\x01\x02", 6, NULL, 0, 0),
	    DAYHUB_OK);
	expect_protocol(&ts, "binary");
	testsink_free(&ts);

	/* Wrong types everywhere, through a page. */
	json = page(LD("{\"@type\":\"Event\",\"@id\":[],\"name\":{},\"url\":5,"
	    "\"location\":[[]],\"organizer\":true,\"offers\":{\"price\":[]},"
	    "\"subEvent\":{\"@type\":7},\"superEvent\":[null],"
	    "\"eventSchedule\":{\"byDay\":5,\"repeatFrequency\":{}}}"));
	testsink_init(&ts, 0);
	cr_expect_eq(parse_str(&ts, json), DAYHUB_OK);
	cr_expect(testsink_warned(&ts, "left out \"name\": an object"));
	expect_protocol(&ts, "wrong types");
	testsink_free(&ts);
	free(json);
}

Test(jsonld, html_in_latin1_is_read)
{
	struct testsink	 ts;
	const char	*html = "<html><head><meta charset=\"iso-8859-1\">"
	    "</head><body>" LD("{\"@type\":\"Event\",\"@id\":\"urn:1\","
	    "\"name\":\"Caf\xe9 \xa3" "2\"}") "</body></html>";

	testsink_init(&ts, 0);
	cr_assert_eq(parse_str(&ts, html), DAYHUB_OK);
	expect_value(&ts, 0, "title", "\"Caf\xc3\xa9 \xc2\xa3" "2\"", "latin1");
	testsink_free(&ts);
}

Test(jsonld, the_item_limit_stops_the_page)
{
	struct feedutil_buf	 b;
	struct testsink		 ts;
	char			 s[128];
	size_t			 i;

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "<html><body><script type=\"application/"
	    "ld+json\">[");
	for (i = 0; i < 40; i++) {
		snprintf(s, sizeof s, "%s{\"@type\":\"Event\",\"@id\":\"urn:%zu"
		    "\",\"name\":\"E\"}", i > 0 ? "," : "", i);
		feedutil_buf_adds(&b, s);
	}
	feedutil_buf_adds(&b, "]</script></body></html>");
	cr_assert(!b.failed);
	testsink_init(&ts, 0);
	cr_expect_eq(parse_with(&ts, b.data, b.len, NULL, 5, 0), DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 5);
	testsink_free(&ts);
	testsink_init(&ts, 4);
	cr_expect_eq(parse_with(&ts, b.data, b.len, NULL, 0, 0), DAYHUB_OK);
	cr_expect_eq(json_array_size(ts.records), 4);
	expect_protocol(&ts, "STOP");
	testsink_free(&ts);
	feedutil_buf_free(&b);
}

/* --- sniffing --- */

struct sniff_case {
	const char	*data;
	const char	*content_type;
	int		 score;
};

static const struct sniff_case sniff_cases[] = {
	{ "<!DOCTYPE html><html><head><script type=\"application/ld+json\">"
	    "{}</script>", NULL, DAYHUB_SNIFF_LIKELY },
	{ "<html><head><SCRIPT TYPE=\"APPLICATION/LD+JSON\">", NULL,
	    DAYHUB_SNIFF_LIKELY },
	{ "<!DOCTYPE html><html><body><p>hi</p></body></html>", NULL,
	    DAYHUB_SNIFF_MAYBE },
	{ "\n<!-- built by hand -->\n<HTML><BODY>", NULL, DAYHUB_SNIFF_MAYBE },
	{ "<div>a fragment</div>", "text/html", DAYHUB_SNIFF_MAYBE },
	{ "<div>a fragment</div>", NULL, DAYHUB_SNIFF_NO },
	{ "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
	    "<description>&lt;html&gt;</description>", NULL, DAYHUB_SNIFF_NO },
	{ "<feed xmlns=\"http://www.w3.org/2005/Atom\">", NULL,
	    DAYHUB_SNIFF_NO },
	{ "{\"@context\":\"https://schema.org\",\"@type\":\"Event\"}", NULL,
	    DAYHUB_SNIFF_LIKELY },
	{ "[{\"@context\":{\"@vocab\":\"http://schema.org/\"},\"@type\":"
	    "[\"Thing\",\"MusicEvent\"]}]", NULL, DAYHUB_SNIFF_LIKELY },
	{ "{\"@context\":\"https://schema.org\",\"@type\":\"Organization\"}",
	    NULL, DAYHUB_SNIFF_NO },
	{ "{\"@context\":\"https://schema.org\",\"name\":\"Event\"}", NULL,
	    DAYHUB_SNIFF_NO },
	{ "{\"@type\":\"Event\"}", "application/ld+json", DAYHUB_SNIFF_LIKELY },
	{ "{\"items\":[],\"next\":\"https://x/\"}", NULL, DAYHUB_SNIFF_NO },
	{ "BEGIN:VCALENDAR\r\n", NULL, DAYHUB_SNIFF_NO },
	{ "", NULL, DAYHUB_SNIFF_NO },
	{ "plain words", NULL, DAYHUB_SNIFF_NO },
};

Test(jsonld, sniff)
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

/* --- the golden fixture --- */

Test(jsonld, community_group_page)
{
	struct testsink	 ts;
	json_error_t	 err;
	json_t		*want;
	char		*path, *data, *text, *line, *next, *sg, *sw;
	size_t		 len, n = 0;

	path = fixture_path("community-group.html");
	cr_assert_not_null(data = slurp(path, &len), "cannot read %s (is "
	    "DAYHUB_SRCDIR set?)", path);
	cr_expect_eq(module()->sniff((unsigned char *)data, len, NULL),
	    DAYHUB_SNIFF_LIKELY);
	testsink_init(&ts, 0);
	cr_assert_eq(parse_with(&ts, data, len, FIXTURE_BASE, FEED_MAX_ITEMS,
	    FEED_MAX_DEPTH), DAYHUB_OK, "%s", ts.error != NULL ? ts.error : "");
	cr_expect_eq(json_array_size(ts.warnings), 0, "unexpected warnings");
	expect_protocol(&ts, "community-group.html");
	free(path);

	path = fixture_path("community-group.jsonl");
	cr_assert_not_null(text = slurp(path, &len), "cannot read %s", path);
	for (line = text; *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line == '\0')
			continue;
		want = json_loads(line, 0, &err);
		cr_assert_not_null(want, "line %zu: %s", n + 1, err.text);
		sg = show(json_array_get(ts.records, n));
		sw = show(want);
		cr_expect(json_equal(want, json_array_get(ts.records, n)),
		    "record %zu:\n got %s\nwant %s", n, sg, sw);
		free(sg);
		free(sw);
		json_decref(want);
		n++;
	}
	cr_expect_eq(json_array_size(ts.records), n, "%zu records, want %zu",
	    json_array_size(ts.records), n);
	free(text);
	free(path);
	free(data);
	testsink_free(&ts);
}
