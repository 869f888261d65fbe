/*
 * bench_parse.c - parse throughput of every format module, run by
 * `make bench`.
 *
 * Writes five synthetic feeds of the same activities into a temporary
 * directory (RSS of about 20 MB with ev:, georss:, dh: elements and HTML
 * descriptions, as a busy spoke publishes; Atom; iCalendar; an OpenActive
 * RPDE page; a JSON-LD web page) and times, each BENCH_REPS times, taking
 * the median:
 *   (a) record_parse() over each feed with the real modules and host;
 *   (b) a bare libxml2 xmlTextReader walk over the RSS bytes, reading
 *       every node and touching every text, as the ceiling for RSS;
 *   (c) python3-feedparser over the same RSS bytes (tests/bench_parse.py,
 *       timed inside Python), as the common alternative.
 * Prints a markdown table for BENCHMARKS.md with the two ratios that
 * matter: the RSS module against the bare walk and against feedparser.
 *
 * Environment: DAYHUB_BUILDDIR (the build tree, for plugins/.libs),
 * DAYHUB_SRCDIR (for tests/bench_parse.py), BENCH_ITEMS (default 12500),
 * BENCH_REPS (default 5), PYTHON (default python3; feedparser is skipped,
 * saying so, when it cannot run), BENCH_KEEP (when set, the feeds are left
 * in their directory, which is named on stderr).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include "dayhub.h"

#define BENCH_MAX_REPS		101
#define BENCH_DEFAULT_ITEMS	12500
#define BENCH_DEFAULT_REPS	5
#define BENCH_PER_SCRIPT	100	/* JSON-LD events in one script */

struct bench_feed {
	const char	*module;	/* the module that reads it */
	const char	*file;		/* its name in the temp directory */
	const char	*content_type;
	size_t		(*write)(FILE *, long);
	unsigned char	*data;
	size_t		 len;
};

/* One synthetic activity, the same in every format. */
struct bench_item {
	long		 n;
	const char	*what;		/* title words */
	const char	*activity;	/* dh:activity */
	const char	*category;
	const char	*venue;
	const char	*town;
	const char	*postcode;
	double		 lat, lon;
	int		 day;		/* of December 2026 */
	int		 hour;
	const char	*byday;		/* RRULE day */
	const char	*schemaday;	/* schema.org day */
	int		 cost;		/* pence */
};

static double	 now_s(void);
static void	 die(const char *, ...)
		    __attribute__((noreturn, format(printf, 1, 2)));
static void	 item_make(struct bench_item *, long);
static size_t	 write_rss(FILE *, long);
static size_t	 write_atom(FILE *, long);
static size_t	 write_ical(FILE *, long);
static void	 write_schema_event(FILE *, const struct bench_item *,
		    const char *, const char *);
static size_t	 write_rpde(FILE *, long);
static size_t	 write_jsonld(FILE *, long);
static int	 cmp_double(const void *, const void *);
static double	 median(double *, int);
static double	 time_module(const struct bench_feed *, int, size_t *,
		    size_t *);
static double	 time_walk(const unsigned char *, size_t, int, size_t *);
static double	 time_feedparser(const char *, int, size_t *);

static const char *const bench_what[] = {
	"Tuesday art club", "Memory cafe", "Community gardening morning",
	"Gentle swim", "Friendship choir", "Men's shed woodwork",
	"Walking football", "Pottery for beginners", "Seated yoga",
	"Dementia-friendly cinema", "Knit and natter", "Allotment club",
};
static const char *const bench_activity[] = {
	"art", "social", "gardening", "swimming", "music", "woodwork",
	"sport", "crafts", "exercise", "film", "crafts", "gardening",
};
static const char *const bench_category[] = {
	"Arts", "Social", "Outdoors", "Sport", "Music", "Skills",
};
static const char *const bench_venue[] = {
	"Riverside Community Centre", "St Mary's Church Hall",
	"The Old School Rooms", "Leisure Centre", "Abbey Meadow Pavilion",
	"Harbourside Hall", "Victoria Park Allotments",
};
static const char *const bench_town[] = {
	"Sturminster Newton", "Bridport", "Dorchester", "Weymouth",
	"Shaftesbury", "Gillingham", "Blandford Forum",
};
static const char *const bench_postcode[] = {
	"DT10 1BZ", "DT6 3QL", "DT1 1HF", "DT4 8DH", "SP7 8JE", "SP8 4QA",
	"DT11 7AW",
};
static const char *const bench_byday[] = {
	"MO", "TU", "WE", "TH", "FR", "SA", "SU",
};
static const char *const bench_schemaday[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday",
};

#define NELEM(a)	(sizeof (a) / sizeof (a)[0])

static struct bench_feed bench_feeds[] = {
	{ "rss", "big.rss", "application/rss+xml", write_rss, NULL, 0 },
	{ "atom", "big.atom", "application/atom+xml", write_atom, NULL, 0 },
	{ "ical", "big.ics", "text/calendar", write_ical, NULL, 0 },
	{ "openactive", "big-rpde.json", "application/json", write_rpde,
	    NULL, 0 },
	{ "jsonld", "big-jsonld.html", "text/html", write_jsonld, NULL, 0 },
};

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *fmt, ...)
{
	va_list	ap;

	fputs("bench_parse: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* The n-th activity: varied enough that no two records are alike. */
static void
item_make(struct bench_item *it, long n)
{
	size_t	u = (size_t)n;

	it->n = n;
	it->what = bench_what[u % NELEM(bench_what)];
	it->activity = bench_activity[u % NELEM(bench_activity)];
	it->category = bench_category[u % NELEM(bench_category)];
	it->venue = bench_venue[u % NELEM(bench_venue)];
	it->town = bench_town[u / 3 % NELEM(bench_town)];
	it->postcode = bench_postcode[u / 3 % NELEM(bench_postcode)];
	it->lat = 50.6 + (double)(u % 500) / 1000.0;
	it->lon = -2.9 + (double)(u % 700) / 1000.0;
	it->day = 1 + (int)(u % 28);
	it->hour = 9 + (int)(u % 10);
	it->byday = bench_byday[u % NELEM(bench_byday)];
	it->schemaday = bench_schemaday[u % NELEM(bench_schemaday)];
	it->cost = 150 * (int)(u % 5);
}

/* The description's paragraphs, as plain words for every format. */
#define BENCH_PARA1 "A relaxed, friendly session for adults of every " \
	"ability. Beginners are very welcome: our volunteers help everyone " \
	"at their own pace, and nobody is ever rushed."
#define BENCH_PARA2 "Step-free access from the car park, a hearing loop " \
	"in the main room and a quiet space if it all gets a bit much."
#define BENCH_PARA3 "Carers and personal assistants come free. Tea, " \
	"coffee and biscuits are included; please tell us about any " \
	"dietary needs when you book."

/* RSS 2.0 with ev:, georss: and dh:, escaped and CDATA HTML in turn. */
static size_t
write_rss(FILE *f, long items)
{
	struct bench_item	it;
	long			i;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\""
	    " xmlns:ev=\"http://purl.org/rss/1.0/modules/event/\""
	    " xmlns:georss=\"http://www.georss.org/georss\""
	    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
	    " xmlns:dh=\"urn:dayhub:activity:1.0\">\n<channel>\n"
	    "<title>Bench Community Network</title>\n"
	    "<link>https://bench.example/</link>\n"
	    "<description>Everything on across the county.</description>\n"
	    "<ttl>720</ttl>\n", f);
	for (i = 0; i < items; i++) {
		item_make(&it, i);
		fprintf(f, "<item>\n<title>%s #%ld</title>\n"
		    "<link>https://bench.example/sessions/%ld</link>\n"
		    "<guid isPermaLink=\"false\">bench-%ld</guid>\n", it.what,
		    i, i, i);
		if (i % 2 == 0)
			fputs("<description>&lt;p&gt;" BENCH_PARA1
			    "&lt;/p&gt;&lt;ul&gt;&lt;li&gt;" BENCH_PARA2
			    "&lt;/li&gt;&lt;li&gt;&lt;b&gt;Free&lt;/b&gt; "
			    "for carers &amp;amp; friends&lt;/li&gt;&lt;/ul"
			    "&gt;&lt;p&gt;" BENCH_PARA3 " &lt;a href=\"/book"
			    "\"&gt;Book here&lt;/a&gt;.&lt;/p&gt;"
			    "</description>\n", f);
		else
			fputs("<description><![CDATA[<p>" BENCH_PARA1
			    "</p><ul><li>" BENCH_PARA2 "</li><li><b>Free"
			    "</b> for carers &amp; friends</li></ul><p>"
			    BENCH_PARA3 " <a href=\"/book\">Book here</a>."
			    "</p>]]></description>\n", f);
		fprintf(f, "<category>%s</category>\n<category>%s</category>\n"
		    "<dc:creator>Bench Community Network</dc:creator>\n"
		    "<pubDate>Wed, 25 Nov 2026 09:30:00 +0000</pubDate>\n"
		    "<ev:startdate>2026-12-%02dT%02d:00:00+00:00"
		    "</ev:startdate>\n"
		    "<ev:enddate>2026-12-%02dT%02d:30:00+00:00</ev:enddate>\n"
		    "<ev:location>%s, %s, %s</ev:location>\n"
		    "<ev:organizer>Bench Community Network</ev:organizer>\n"
		    "<georss:point>%.5f %.5f</georss:point>\n"
		    "<dh:activity>%s</dh:activity>\n<dh:venue>%s</dh:venue>\n"
		    "<dh:address>High Street, %s</dh:address>\n"
		    "<dh:postcode>%s</dh:postcode>\n"
		    "<dh:rrule>FREQ=WEEKLY;BYDAY=%s</dh:rrule>\n"
		    "<dh:duration>PT1H30M</dh:duration>\n"
		    "<dh:timezone>Europe/London</dh:timezone>\n"
		    "<dh:cost-min>%d.%02d</dh:cost-min>\n"
		    "<dh:currency>GBP</dh:currency>\n"
		    "<dh:funding>direct_payment</dh:funding>\n"
		    "<dh:access>wheelchair</dh:access>\n"
		    "<dh:access>hearing_loop</dh:access>\n"
		    "<dh:booking-phone>01632 960%03ld</dh:booking-phone>\n"
		    "</item>\n", it.category, it.activity, it.day, it.hour,
		    it.day, it.hour + 1, it.venue, it.town, it.postcode, it.lat,
		    it.lon, it.activity, it.venue, it.town, it.postcode,
		    it.byday, it.cost / 100, it.cost % 100, i % 1000);
	}
	fputs("</channel>\n</rss>\n", f);
	return (size_t)ftell(f);
}

/* Atom 1.0 with the same extensions and an HTML summary. */
static size_t
write_atom(FILE *f, long items)
{
	struct bench_item	it;
	long			i;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\""
	    " xmlns:ev=\"http://purl.org/rss/1.0/modules/event/\""
	    " xmlns:georss=\"http://www.georss.org/georss\""
	    " xmlns:dh=\"urn:dayhub:activity:1.0\">\n"
	    "<title>Bench Community Network</title>\n"
	    "<id>tag:bench.example,2026:all</id>\n"
	    "<link rel=\"alternate\" href=\"https://bench.example/\"/>\n"
	    "<updated>2026-11-25T09:30:00Z</updated>\n"
	    "<author><name>Bench Community Network</name></author>\n", f);
	for (i = 0; i < items; i++) {
		item_make(&it, i);
		fprintf(f, "<entry>\n<title>%s #%ld</title>\n"
		    "<id>tag:bench.example,2026:%ld</id>\n"
		    "<link rel=\"alternate\" href=\"https://bench.example/"
		    "sessions/%ld\"/>\n<updated>2026-11-25T09:30:00Z</updated>\n"
		    "<summary type=\"html\">&lt;p&gt;" BENCH_PARA1
		    "&lt;/p&gt;&lt;ul&gt;&lt;li&gt;" BENCH_PARA2
		    "&lt;/li&gt;&lt;/ul&gt;&lt;p&gt;" BENCH_PARA3
		    "&lt;/p&gt;</summary>\n"
		    "<category term=\"%s\"/>\n<category term=\"%s\"/>\n"
		    "<ev:startdate>2026-12-%02dT%02d:00:00+00:00"
		    "</ev:startdate>\n"
		    "<ev:enddate>2026-12-%02dT%02d:30:00+00:00</ev:enddate>\n"
		    "<ev:location>%s, %s, %s</ev:location>\n"
		    "<georss:point>%.5f %.5f</georss:point>\n"
		    "<dh:activity>%s</dh:activity>\n<dh:venue>%s</dh:venue>\n"
		    "<dh:postcode>%s</dh:postcode>\n"
		    "<dh:rrule>FREQ=WEEKLY;BYDAY=%s</dh:rrule>\n"
		    "<dh:timezone>Europe/London</dh:timezone>\n"
		    "<dh:cost-min>%d.%02d</dh:cost-min>\n"
		    "<dh:access>wheelchair</dh:access>\n"
		    "<dh:access>hearing_loop</dh:access>\n</entry>\n",
		    it.what, i, i, i, it.category, it.activity, it.day, it.hour,
		    it.day, it.hour + 1, it.venue, it.town, it.postcode, it.lat,
		    it.lon, it.activity, it.venue, it.postcode, it.byday,
		    it.cost / 100, it.cost % 100);
	}
	fputs("</feed>\n", f);
	return (size_t)ftell(f);
}

/* iCalendar: one weekly VEVENT an activity, long lines folded. */
static size_t
write_ical(FILE *f, long items)
{
	struct bench_item	it;
	long			i;

	fputs("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//Bench Community Network//Sessions//EN\r\n"
	    "X-WR-TIMEZONE:Europe/London\r\n", f);
	for (i = 0; i < items; i++) {
		item_make(&it, i);
		fprintf(f, "BEGIN:VEVENT\r\nUID:bench-%ld@bench.example\r\n"
		    "DTSTAMP:20261125T093000Z\r\nSUMMARY:%s #%ld\r\n"
		    "DESCRIPTION:A relaxed\\, friendly session for adults of "
		    "every ability. B\r\n eginners are very welcome: our "
		    "volunteers help everyone at their own pace\r\n \\, and "
		    "nobody is ever rushed.\\n\\nStep-free access from the "
		    "car park.\\n\r\n Carers come free.\r\n"
		    "URL:https://bench.example/sessions/%ld\r\n"
		    "DTSTART;TZID=Europe/London:202612%02dT%02d0000\r\n"
		    "DTEND;TZID=Europe/London:202612%02dT%02d3000\r\n"
		    "RRULE:FREQ=WEEKLY;BYDAY=%s\r\n"
		    "LOCATION:%s\\, %s\\, %s\r\nGEO:%.5f;%.5f\r\n"
		    "CATEGORIES:%s,%s\r\nX-DAYHUB-ACTIVITY:%s\r\n"
		    "X-DAYHUB-POSTCODE:%s\r\nX-DAYHUB-COST-MIN:%d.%02d\r\n"
		    "X-DAYHUB-ACCESS:wheelchair,hearing_loop\r\n"
		    "END:VEVENT\r\n", i, it.what, i, i, it.day, it.hour,
		    it.day, it.hour + 1, it.byday, it.venue, it.town,
		    it.postcode, it.lat, it.lon, it.category, it.activity,
		    it.activity, it.postcode, it.cost / 100, it.cost % 100);
	}
	fputs("END:VCALENDAR\r\n", f);
	return (size_t)ftell(f);
}

/* The schema.org object of one activity, shared by RPDE and JSON-LD. */
static void
write_schema_event(FILE *f, const struct bench_item *it, const char *type,
    const char *context)
{
	fprintf(f, "{\"@context\":\"%s\",\"@type\":\"%s\","
	    "\"@id\":\"https://bench.example/sessions/%ld\","
	    "\"identifier\":\"bench-%ld\",\"name\":\"%s #%ld\","
	    "\"description\":\"" BENCH_PARA1 " " BENCH_PARA2 "\","
	    "\"url\":\"https://bench.example/sessions/%ld\","
	    "\"category\":[\"%s\",\"%s\"],"
	    "\"organizer\":{\"@type\":\"Organization\",\"name\":\"Bench "
	    "Community Network\",\"url\":\"https://bench.example/\"},"
	    "\"location\":{\"@type\":\"Place\",\"name\":\"%s\","
	    "\"address\":{\"@type\":\"PostalAddress\",\"streetAddress\":"
	    "\"High Street\",\"addressLocality\":\"%s\",\"postalCode\":"
	    "\"%s\",\"addressCountry\":\"GB\"},\"geo\":{\"@type\":"
	    "\"GeoCoordinates\",\"latitude\":%.5f,\"longitude\":%.5f}},"
	    "\"isAccessibleForFree\":%s,"
	    "\"offers\":[{\"@type\":\"Offer\",\"price\":%d.%02d,"
	    "\"priceCurrency\":\"GBP\"}],"
	    "\"startDate\":\"2026-12-%02dT%02d:00:00+00:00\","
	    "\"endDate\":\"2026-12-%02dT%02d:30:00+00:00\","
	    "\"eventSchedule\":[{\"@type\":\"PartialSchedule\","
	    "\"repeatFrequency\":\"P1W\",\"byDay\":[\"https://schema.org/"
	    "%s\"],\"startDate\":\"2026-12-%02d\",\"startTime\":\"%02d:00\","
	    "\"endTime\":\"%02d:30\",\"scheduleTimezone\":"
	    "\"Europe/London\"}]}", context, type, it->n, it->n, it->what,
	    it->n, it->n, it->category, it->activity, it->venue, it->town,
	    it->postcode, it->lat, it->lon, it->cost == 0 ? "true" : "false",
	    it->cost / 100, it->cost % 100, it->day, it->hour, it->day,
	    it->hour + 1, it->schemaday, it->day, it->hour, it->hour + 1);
}

/* One OpenActive RPDE page holding every activity as a SessionSeries. */
static size_t
write_rpde(FILE *f, long items)
{
	struct bench_item	it;
	long			i;

	fputs("{\"next\":\"https://bench.example/openactive/feed?"
	    "afterTimestamp=1795599000&afterId=last\",\"items\":[\n", f);
	for (i = 0; i < items; i++) {
		item_make(&it, i);
		fprintf(f, "%s{\"state\":\"updated\",\"kind\":"
		    "\"SessionSeries\",\"id\":\"bench-%ld\",\"modified\":%ld,"
		    "\"data\":", i > 0 ? ",\n" : "", i, 1795599000L + i);
		write_schema_event(f, &it, "SessionSeries",
		    "https://openactive.io/");
		fputc('}', f);
	}
	fputs("\n],\"license\":\"https://creativecommons.org/licenses/by/"
	    "4.0/\"}\n", f);
	return (size_t)ftell(f);
}

/*
 * A "What's on" web page with the activities as ld+json @graphs of
 * BENCH_PER_SCRIPT events each: one script of them all would pass
 * libxml2's 10 MB cap on one text node.
 */
static size_t
write_jsonld(FILE *f, long items)
{
	struct bench_item	it;
	long			i;

	fputs("<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset="
	    "\"utf-8\"><title>What's on</title>\n", f);
	for (i = 0; i < items; i++) {
		item_make(&it, i);
		if (i % BENCH_PER_SCRIPT == 0)
			fputs("<script type=\"application/ld+json\">\n"
			    "{\"@context\":\"https://schema.org\","
			    "\"@graph\":[\n", f);
		else
			fputs(",\n", f);
		write_schema_event(f, &it, "Event", "https://schema.org");
		if (i % BENCH_PER_SCRIPT == BENCH_PER_SCRIPT - 1 ||
		    i == items - 1)
			fputs("\n]}\n</script>\n", f);
	}
	fputs("</head>\n<body><h1>What's on</h1>"
	    "<p>Everything on across the county.</p></body></html>\n", f);
	return (size_t)ftell(f);
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median seconds of record_parse() over one feed, and what it read. */
static double
time_module(const struct bench_feed *bf, int reps, size_t *records,
    size_t *warnings)
{
	struct parse_request	pr;
	struct feed_result	res;
	double			t[BENCH_MAX_REPS], t0;
	int			r;

	for (r = 0; r < reps; r++) {
		memset(&pr, 0, sizeof pr);
		pr.data = bf->data;
		pr.len = bf->len;
		pr.spoke = "bench";
		pr.base_url = "https://bench.example/feed";
		pr.content_type = bf->content_type;
		pr.timezone = "Europe/London";
		pr.format = bf->module;
		pr.max_items = 10000000;
		memset(&res, 0, sizeof res);
		t0 = now_s();
		if (record_parse(&pr, &res) == -1)
			die("%s: %s", bf->module, res.error != NULL ?
			    res.error : "failed");
		t[r] = now_s() - t0;
		*records = json_array_size(res.records);
		*warnings = res.nwarnings;
		feed_result_free(&res);
	}
	return median(t, reps);
}

/*
 * The median seconds of an xmlTextReader pass over `data` that visits
 * every node, its name, every attribute and every text value.
 */
static double
time_walk(const unsigned char *data, size_t len, int reps, size_t *items)
{
	xmlTextReaderPtr	 rd;
	const xmlChar		*s;
	double			 t[BENCH_MAX_REPS], t0;
	size_t			 touched;
	int			 r, rc;

	for (r = 0; r < reps; r++) {
		touched = 0;
		*items = 0;
		t0 = now_s();
		rd = xmlReaderForMemory((const char *)data, (int)len, NULL,
		    NULL, XML_PARSE_NONET);
		if (rd == NULL)
			die("xmlReaderForMemory failed");
		while ((rc = xmlTextReaderRead(rd)) == 1) {
			s = xmlTextReaderConstLocalName(rd);
			if (s != NULL) {
				touched += s[0];
				if (xmlTextReaderNodeType(rd) ==
				    XML_READER_TYPE_ELEMENT &&
				    xmlTextReaderDepth(rd) == 2 &&
				    strcmp((const char *)s, "item") == 0)
					(*items)++;
			}
			while (xmlTextReaderMoveToNextAttribute(rd) == 1)
				if ((s = xmlTextReaderConstValue(rd)) != NULL)
					touched += strlen((const char *)s);
			xmlTextReaderMoveToElement(rd);
			if (xmlTextReaderHasValue(rd) == 1 &&
			    (s = xmlTextReaderConstValue(rd)) != NULL)
				touched += strlen((const char *)s);
		}
		xmlFreeTextReader(rd);
		t[r] = now_s() - t0;
		if (rc != 0)
			die("the bare walk failed on the RSS feed");
		if (touched == 0)
			die("the bare walk touched nothing");
	}
	return median(t, reps);
}

/*
 * The median seconds python3-feedparser takes over the file, or -1 when
 * it cannot run.  bench_parse.py prints "entries seconds..." on one line.
 */
static double
time_feedparser(const char *path, int reps, size_t *entries)
{
	const char	*py = getenv("PYTHON"), *src = getenv("DAYHUB_SRCDIR");
	char		*cmd, line[8192], *p, *end;
	double		 t[BENCH_MAX_REPS];
	FILE		*f;
	int		 n = 0;

	if (py == NULL || *py == '\0')
		py = "python3";
	if (src == NULL || *src == '\0')
		src = ".";
	if (asprintf(&cmd, "'%s' '%s/tests/bench_parse.py' '%s' %d", py, src,
	    path, reps) == -1)
		die("out of memory");
	if ((f = popen(cmd, "r")) == NULL)
		die("cannot run %s", cmd);
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	if (pclose(f) != 0 || line[0] == '\0') {
		fprintf(stderr, "bench_parse: feedparser did not run (%s); "
		    "is python3-feedparser installed?\n", cmd);
		free(cmd);
		return -1;
	}
	free(cmd);
	*entries = strtoul(line, &p, 10);
	while (n < reps) {
		t[n] = strtod(p, &end);
		if (end == p)
			break;
		p = end;
		n++;
	}
	if (n == 0)
		return -1;
	return median(t, n);
}

int
main(void)
{
	char			 dir[2048], path[4096], err[4096], *e;
	const char		*tmp = getenv("TMPDIR");
	const char		*build = getenv("DAYHUB_BUILDDIR");
	double			 t, rss_mbs = 0, walk_s, walk_mbs, fp_s;
	size_t			 records, warnings, walk_items, fp_entries = 0;
	long			 items = BENCH_DEFAULT_ITEMS;
	int			 reps = BENCH_DEFAULT_REPS, keep;
	size_t			 i;
	FILE			*f;

	if ((e = getenv("BENCH_ITEMS")) != NULL &&
	    ((items = strtol(e, NULL, 10)) <= 0 || items > 10000000))
		die("BENCH_ITEMS must be 1 to 10000000");
	if ((e = getenv("BENCH_REPS")) != NULL &&
	    ((reps = (int)strtol(e, NULL, 10)) <= 0 || reps > BENCH_MAX_REPS))
		die("BENCH_REPS must be 1 to %d", BENCH_MAX_REPS);
	if (build == NULL || *build == '\0')
		build = ".";
	snprintf(dir, sizeof dir, "%s/dayhub-bench-parse.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp failed");

	for (i = 0; i < NELEM(bench_feeds); i++) {
		struct bench_feed	*bf = &bench_feeds[i];

		snprintf(path, sizeof path, "%s/%s", dir, bf->file);
		if ((f = fopen(path, "w+b")) == NULL)
			die("%s: cannot write", path);
		bf->len = bf->write(f, items);
		bf->data = xmalloc(bf->len);
		rewind(f);
		if (fread(bf->data, 1, bf->len, f) != bf->len)
			die("%s: cannot read back", path);
		fclose(f);
	}

	snprintf(err, sizeof err, "%s/plugins/.libs", build);
	if (plugin_load_dir(err, err, sizeof err) <= 0)
		die("no modules: %s", err);

	printf("Parse throughput, %ld records a feed, median of %d runs:\n\n",
	    items, reps);
	printf("| parser | input | size | median | MB/s | records/s |\n");
	printf("|---|---|---:|---:|---:|---:|\n");
	for (i = 0; i < NELEM(bench_feeds); i++) {
		struct bench_feed	*bf = &bench_feeds[i];

		t = time_module(bf, reps, &records, &warnings);
		if (records != (size_t)items)
			fprintf(stderr, "bench_parse: %s read %zu records of "
			    "%ld (%zu warnings)\n", bf->module, records, items,
			    warnings);
		printf("| %s module (record_parse) | %s | %.1f MB | %.3f s | "
		    "%.1f | %.0f |\n", bf->module, bf->file, bf->len / 1e6, t,
		    bf->len / 1e6 / t, records / t);
		if (i == 0)
			rss_mbs = bf->len / 1e6 / t;
		fflush(stdout);
	}

	walk_s = time_walk(bench_feeds[0].data, bench_feeds[0].len, reps,
	    &walk_items);
	walk_mbs = bench_feeds[0].len / 1e6 / walk_s;
	printf("| libxml2 xmlTextReader walk | big.rss | %.1f MB | %.3f s | "
	    "%.1f | %.0f |\n", bench_feeds[0].len / 1e6, walk_s, walk_mbs,
	    walk_items / walk_s);
	fflush(stdout);

	snprintf(path, sizeof path, "%s/%s", dir, bench_feeds[0].file);
	fp_s = time_feedparser(path, reps, &fp_entries);
	if (fp_s > 0)
		printf("| python3-feedparser %s | big.rss | %.1f MB | %.3f s | "
		    "%.2f | %.0f |\n", "parse(bytes)",
		    bench_feeds[0].len / 1e6, fp_s,
		    bench_feeds[0].len / 1e6 / fp_s, fp_entries / fp_s);

	printf("\n| ratio | value | aim |\n|---|---:|---:|\n");
	printf("| RSS module / bare libxml2 walk | %.2f | >= 0.3 |\n",
	    rss_mbs / walk_mbs);
	if (fp_s > 0)
		printf("| RSS module / feedparser | %.0fx | >= 30x |\n",
		    rss_mbs / (bench_feeds[0].len / 1e6 / fp_s));
	else
		printf("| RSS module / feedparser | not measured | >= 30x |\n");

	keep = (e = getenv("BENCH_KEEP")) != NULL && *e != '\0';
	for (i = 0; i < NELEM(bench_feeds); i++) {
		snprintf(path, sizeof path, "%s/%s", dir, bench_feeds[i].file);
		if (!keep)
			unlink(path);
		free(bench_feeds[i].data);
	}
	if (keep)
		fprintf(stderr, "bench_parse: the feeds are in %s\n", dir);
	else
		rmdir(dir);
	plugin_unload_all();
	return 0;
}
