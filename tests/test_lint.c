/*
 * test_lint.c - the feed checker a spoke's web person runs: small feeds
 * written here, each read by the real modules and checked, with the
 * findings and the verdict they must give; then `dayhubctl lint` itself
 * on the demo and example feeds, on a URL served by the test feed
 * server, and on what it cannot read.
 */
#include "config.h"

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dayhub.h"
#include "testutil.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

#define RSS_HEAD \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<rss version=\"2.0\"" \
	" xmlns:ev=\"http://purl.org/rss/1.0/modules/event/\"" \
	" xmlns:dh=\"urn:dayhub:activity:1.0\">\n<channel>\n" \
	"<title>Test spoke</title>\n"
#define RSS_TAIL	"</channel>\n</rss>\n"

/* An item with everything a good listing has. */
#define GOOD_ITEM(guid, title) \
	"<item><title>" title "</title><guid>" guid "</guid>\n" \
	"<description>Painting for everyone.</description>\n" \
	"<category>Art</category>\n" \
	"<ev:startdate>2027-01-05T10:00:00+00:00</ev:startdate>\n" \
	"<dh:venue>Mill Hall</dh:venue><dh:postcode>DT10 1BZ</dh:postcode>\n" \
	"<dh:cost-min>4</dh:cost-min><dh:access>wheelchair</dh:access>\n" \
	"<dh:booking-url>https://a.example/book</dh:booking-url>\n" \
	"</item>\n"

struct finding {
	const char	*section;	/* "missing", "repaired", "ambiguous" */
	const char	*text;		/* in one of its messages */
};

struct lint_case {
	const char	*name;
	const char	*feed;
	int		 read;
	const char	*verdict;
	struct finding	 want[4];	/* ended by a NULL section */
	const char	*empty[3];	/* sections with nothing in them */
};

static const struct lint_case lint_cases[] = {
	{ "good", RSS_HEAD GOOD_ITEM("g1", "Art club")
	  GOOD_ITEM("g2", "Print club") RSS_TAIL, 1,
	  "Good: 2 activities, all with times, places and costs",
	  { { NULL, NULL } }, { "missing", "repaired", "ambiguous" } },
	{ "one good", RSS_HEAD GOOD_ITEM("g1", "Art club") RSS_TAIL, 1,
	  "Good: 1 activity, with a time, a place and a cost",
	  { { NULL, NULL } }, { "missing", "repaired", "ambiguous" } },
	{ "bare", RSS_HEAD "<item><title>Just a title</title><guid>b1</guid>"
	  "<ev:startdate>2027-01-05T10:00:00Z</ev:startdate></item>\n"
	  GOOD_ITEM("g1", "Art club") RSS_TAIL, 1,
	  "Needs work: 1 of 2 activities has no place, 1 of 2 has no cost",
	  { { "missing", "1 of 2 activities has no postcode" },
	    { "missing", "1 of 2 activities has no description" },
	    { "missing", "has no category that maps to the activity" },
	    { "missing", "has no booking contact" } },
	  { "repaired", "ambiguous", NULL } },
	{ "pubdate only", RSS_HEAD "<item><title>News</title><guid>n1</guid>"
	  "<pubDate>Tue, 15 Sep 2026 19:45:00 +0100</pubDate>"
	  "<dh:venue>Hall</dh:venue><dh:free>yes</dh:free></item>\n"
	  RSS_TAIL, 1,
	  "Needs work: 1 of 1 activity has no time",
	  { { "ambiguous", "has a publication date but no event date" },
	    { "missing", "1 of 1 activity has no start time" } },
	  { "repaired", NULL, NULL } },
	{ "date only", RSS_HEAD "<item><title>Fete</title><guid>f1</guid>"
	  "<ev:startdate>2027-06-05</ev:startdate>"
	  "<dh:venue>Hall</dh:venue><dh:free>yes</dh:free></item>\n"
	  RSS_TAIL, 1,
	  "Needs work: 1 of 1 activity has no time",
	  { { "missing", "has no start time" } }, { NULL, NULL, NULL } },
	{ "shared guid", RSS_HEAD GOOD_ITEM("same", "Art club")
	  GOOD_ITEM("same", "Print club") RSS_TAIL, 1,
	  "Good: 2 activities, all with times, places and costs",
	  { { "ambiguous", "2 items share the guid \"same\"" },
	    { "ambiguous", "as identities for this feed" } },
	  { "missing", "repaired", NULL } },
	{ "local time", RSS_HEAD "<item><title>Swim</title><guid>s1</guid>"
	  "<ev:startdate>2027-01-05T10:00</ev:startdate>"
	  "<ev:enddate>2027-01-05T11:00:00</ev:enddate>"
	  "<dh:venue>Pool</dh:venue><dh:free>no</dh:free></item>\n"
	  RSS_TAIL, 1,
	  "Good: 1 activity, with a time, a place and a cost",
	  { { "ambiguous", "2 times of day have no UTC offset (such as "
	      "+01:00 or Z): read as local times in Europe/London" } },
	  { "repaired", NULL, NULL } },
	{ "endless repeat", RSS_HEAD "<item><title>Weekly</title>"
	  "<guid>w1</guid><ev:startdate>2027-01-05T10:00:00Z</ev:startdate>"
	  "<dh:rrule>FREQ=WEEKLY;BYDAY=TU</dh:rrule>"
	  "<dh:venue>Hall</dh:venue><dh:free>yes</dh:free></item>\n"
	  "<item><title>Six weeks</title>"
	  "<guid>w2</guid><ev:startdate>2027-01-05T10:00:00Z</ev:startdate>"
	  "<dh:rrule>FREQ=WEEKLY;COUNT=6</dh:rrule>"
	  "<dh:venue>Hall</dh:venue><dh:free>yes</dh:free></item>\n"
	  RSS_TAIL, 1,
	  "Good: 2 activities, all with times, places and costs",
	  { { "ambiguous", "1 of 2 activities has a repeat rule with no end" } },
	  { "repaired", NULL, NULL } },
	{ "entities", RSS_HEAD GOOD_ITEM("e1", "Tea&nbsp;and cake") RSS_TAIL,
	  1, "Good: 1 activity, with a time, a place and a cost",
	  { { "repaired", "decoded 1 HTML entities that XML does not "
	      "define: &nbsp;" } },
	  { "missing", "ambiguous", NULL } },
	{ "unknown activity", RSS_HEAD "<item><title>Odd</title>"
	  "<guid>o1</guid><ev:startdate>2027-01-05T10:00:00Z</ev:startdate>"
	  "<dh:activity>frobnicating</dh:activity>"
	  "<dh:venue>Hall</dh:venue><dh:free>yes</dh:free></item>\n"
	  RSS_TAIL, 1,
	  "Good: 1 activity, with a time, a place and a cost",
	  { { "repaired", "the activity \"frobnicating\" is not in the "
	      "vocabulary" },
	    { "missing", "has no category that maps to the activity" } },
	  { "ambiguous", NULL, NULL } },
	{ "online", RSS_HEAD "<item><title>Zoom quiz</title><guid>z1</guid>"
	  "<ev:startdate>2027-01-05T19:00:00Z</ev:startdate>"
	  "<dh:online>yes</dh:online><dh:free>yes</dh:free></item>\n"
	  RSS_TAIL, 1,
	  "Good: 1 activity, with a time, a place and a cost",
	  { { NULL, NULL } }, { NULL, NULL, NULL } },
	{ "empty", RSS_HEAD RSS_TAIL, 1,
	  "Needs work: the feed has no activities in it",
	  { { NULL, NULL } }, { "missing", "repaired", "ambiguous" } },
	{ "not a feed", "this is not a feed at all\n", 0,
	  "Could not be read: no format module recognises this feed",
	  { { NULL, NULL } }, { "missing", NULL, NULL } },
};

/* Whether any finding of `section` has `text` in its message. */
static int
has_finding(json_t *rep, const char *section, const char *text)
{
	json_t	*f;
	size_t	 i;

	json_array_foreach(json_object_get(rep, section), i, f)
		if (strstr(json_string_value(json_object_get(f, "message")),
		    text) != NULL)
			return 1;
	return 0;
}

static void
load_plugins(void)
{
	char	dir[4096], err[512];

	snprintf(dir, sizeof dir, "%s/plugins/.libs", tu_builddir());
	cr_assert_gt(plugin_load_dir(dir, err, sizeof err), 0,
	    "no modules in %s: %s", dir, err);
}

static void
unload_plugins(void)
{
	plugin_unload_all();
}

TestSuite(lint, .init = load_plugins, .fini = unload_plugins);

/* Each small feed gives the findings and the verdict its row names. */
Test(lint, findings_table)
{
	size_t	i, k;

	for (i = 0; i < nitems(lint_cases); i++) {
		const struct lint_case	*c = &lint_cases[i];
		struct parse_request	 pr;
		struct feed_result	 res;
		json_t			*rep;
		const char		*v;

		memset(&pr, 0, sizeof pr);
		pr.data = (const unsigned char *)c->feed;
		pr.len = strlen(c->feed);
		pr.spoke = "lint";
		pr.timezone = "Europe/London";
		memset(&res, 0, sizeof res);
		cr_expect_eq(record_parse(&pr, &res), c->read ? 0 : -1,
		    "%s: %s", c->name, res.error ? res.error : "read");
		rep = lint_feed(&pr, &res);
		cr_expect_eq(json_is_true(json_object_get(rep, "read")),
		    c->read, "%s", c->name);
		v = json_string_value(json_object_get(rep, "verdict"));
		cr_expect_not_null(v);
		cr_expect_eq(strncmp(v, c->verdict, strlen(c->verdict)), 0,
		    "%s: verdict \"%s\", want \"%s\"", c->name, v, c->verdict);
		cr_expect_eq(json_is_true(json_object_get(rep, "good")),
		    strncmp(c->verdict, "Good:", 5) == 0, "%s", c->name);
		for (k = 0; k < nitems(c->want) && c->want[k].section != NULL;
		    k++)
			cr_expect(has_finding(rep, c->want[k].section,
			    c->want[k].text), "%s: no %s finding \"%s\"",
			    c->name, c->want[k].section, c->want[k].text);
		for (k = 0; k < nitems(c->empty) && c->empty[k] != NULL; k++)
			cr_expect_eq(json_array_size(json_object_get(rep,
			    c->empty[k])), 0, "%s: %s is not empty", c->name,
			    c->empty[k]);
		json_decref(rep);
		feed_result_free(&res);
	}
}

/* A finding from the records names a few titles, never more than three. */
Test(lint, examples_are_titles)
{
	static const char feed[] = RSS_HEAD
	    "<item><title>A</title><guid>1</guid></item>\n"
	    "<item><title>B</title><guid>2</guid></item>\n"
	    "<item><title>C</title><guid>3</guid></item>\n"
	    "<item><title>D</title><guid>4</guid></item>\n" RSS_TAIL;
	struct parse_request	 pr;
	struct feed_result	 res;
	json_t			*rep, *f, *ex;

	memset(&pr, 0, sizeof pr);
	pr.data = (const unsigned char *)feed;
	pr.len = strlen(feed);
	pr.spoke = "lint";
	memset(&res, 0, sizeof res);
	cr_assert_eq(record_parse(&pr, &res), 0);
	rep = lint_feed(&pr, &res);
	f = json_array_get(json_object_get(rep, "missing"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(f, "check")),
	    "place");
	cr_expect_eq(json_integer_value(json_object_get(f, "count")), 4);
	cr_expect_eq(json_integer_value(json_object_get(f, "of")), 4);
	ex = json_object_get(f, "examples");
	cr_expect_eq(json_array_size(ex), 3);
	cr_expect_str_eq(json_string_value(json_array_get(ex, 0)), "A");
	cr_expect_str_eq(json_string_value(json_object_get(rep, "verdict")),
	    "Needs work: 4 of 4 activities have no place, 4 of 4 have no "
	    "time, 4 of 4 have no cost");
	json_decref(rep);
	feed_result_free(&res);
}

/*
 * Runs dayhubctl with `args` (standard error joined to the output) and
 * returns what it printed, with its exit status in `*status`.
 */
static char *
run_ctl(const char *args, int *status)
{
	char	 cmd[8192], *out, *dir, outpath[4096];
	int	 st;

	dir = tu_tmpdir("lint");
	snprintf(outpath, sizeof outpath, "%s/out", dir);
	snprintf(cmd, sizeof cmd, "%s/daemon/dayhubctl %s >%s 2>&1",
	    tu_builddir(), args, outpath);
	st = system(cmd);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	out = tu_read_file(outpath);
	tu_rm_rf(dir);
	free(dir);
	return out != NULL ? out : strdup("");
}

/* Whether `out` has `line` as one whole line. */
static int
has_line(const char *out, const char *line)
{
	const char	*p = out;
	size_t		 n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == out || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

struct cli_case {
	const char	*name;
	const char	*args;		/* after "lint --plugin-dir DIR" */
	int		 status;
	const char	*lines[5];	/* whole lines it prints */
};

static const struct cli_case cli_cases[] = {
	{ "portland shed", "feeds/demo/portland-shed.rss", 0,
	  { "  6 of 6 activities have no cost (a price, or that it is free)",
	    "Missing", "Ambiguous",
	    "Needs work: 6 of 6 activities have no cost" } },
	{ "example", "feeds/examples/example.rss", 0,
	  { "Missing", "  nothing",
	    "Good: 2 activities, all with times, places and costs" } },
	{ "example atom", "--format atom feeds/examples/example.atom", 0,
	  { "Good: 2 activities, all with times, places and costs" } },
	{ "wrong format", "--format ical feeds/examples/example.rss", 1,
	  { NULL } },
	{ "no such file", "feeds/demo/no-such-feed.rss", 1, { NULL } },
	{ "bad zone", "--timezone Mars/Base feeds/examples/example.rss", 1,
	  { "dayhubctl: --timezone Mars/Base: not a time zone this host "
	    "knows" } },
};

/* dayhubctl lint on real files: its lines and its exit status. */
Test(lint, cli_files)
{
	char	 args[8192], *out;
	size_t	 i, k;
	int	 st;

	for (i = 0; i < nitems(cli_cases); i++) {
		const struct cli_case *c = &cli_cases[i];
		const char *file = strrchr(c->args, ' ');

		file = file != NULL ? file + 1 : c->args;
		snprintf(args, sizeof args, "lint --plugin-dir %s/plugins/.libs "
		    "%.*s%s/%s", tu_builddir(), (int)(file - c->args), c->args,
		    tu_srcdir(), file);
		out = run_ctl(args, &st);
		cr_expect_eq(st, c->status, "%s: exit %d\n%s", c->name, st,
		    out);
		for (k = 0; k < nitems(c->lines) && c->lines[k] != NULL; k++)
			cr_expect(has_line(out, c->lines[k]),
			    "%s: no line \"%s\" in\n%s", c->name, c->lines[k],
			    out);
		free(out);
	}
}

/* --json gives one object a script can read, with the same verdict. */
Test(lint, cli_json)
{
	char		 args[8192], *out;
	json_error_t	 jerr;
	json_t		*rep;
	int		 st;

	snprintf(args, sizeof args, "lint --json --plugin-dir "
	    "%s/plugins/.libs %s/feeds/demo/portland-shed.rss", tu_builddir(),
	    tu_srcdir());
	out = run_ctl(args, &st);
	cr_assert_eq(st, 0, "%s", out);
	rep = json_loads(out, 0, &jerr);
	cr_assert_not_null(rep, "not JSON: %s", out);
	cr_expect_str_eq(json_string_value(json_object_get(rep, "verdict")),
	    "Needs work: 6 of 6 activities have no cost");
	cr_expect(json_is_false(json_object_get(rep, "good")));
	cr_expect_eq(json_integer_value(json_object_get(rep, "activities")),
	    6);
	json_decref(rep);
	free(out);
}

/* A URL is fetched; a server's refusal is a feed that was not read. */
Test(lint, cli_url)
{
	char	 dir[4096], args[8192], *out, *tmp, *log;
	int	 port, st;
	pid_t	 pid;

	snprintf(dir, sizeof dir, "%s/feeds/demo", tu_srcdir());
	tmp = tu_tmpdir("lint-fs");
	asprintf(&log, "%s/feedserver.log", tmp);
	pid = tu_start_feedserver(dir, &port, log);

	snprintf(args, sizeof args, "lint --plugin-dir %s/plugins/.libs "
	    "http://127.0.0.1:%d/portland-shed.rss", tu_builddir(), port);
	out = run_ctl(args, &st);
	cr_expect_eq(st, 0, "%s", out);
	cr_expect(has_line(out, "Needs work: 6 of 6 activities have no cost"),
	    "%s", out);
	cr_expect_not_null(strstr(out, "http://127.0.0.1:"), "%s", out);
	free(out);

	snprintf(args, sizeof args, "lint --plugin-dir %s/plugins/.libs "
	    "http://127.0.0.1:%d/no-such-feed.rss", tu_builddir(), port);
	out = run_ctl(args, &st);
	cr_expect_eq(st, 1, "%s", out);
	cr_expect_not_null(strstr(out, "the server answered HTTP 404"), "%s",
	    out);
	free(out);

	tu_stop(pid, 5000);
	tu_rm_rf(tmp);
	free(tmp);
	free(log);
}

/* parse names no line for a warning about the feed as a whole. */
Test(lint, parse_warning_without_line)
{
	char	 path[4096], args[8192], *out, *tmp;
	int	 st;

	tmp = tu_tmpdir("lint-parse");
	snprintf(path, sizeof path, "%s/twice.rss", tmp);
	cr_assert_eq(tu_write_file(path, RSS_HEAD GOOD_ITEM("same", "A")
	    GOOD_ITEM("same", "B") RSS_TAIL), 0);
	snprintf(args, sizeof args, "parse --plugin-dir %s/plugins/.libs %s",
	    tu_builddir(), path);
	out = run_ctl(args, &st);
	cr_expect_eq(st, 0, "%s", out);
	snprintf(args, sizeof args, "%s: warning: 2 items share the guid",
	    path);
	cr_expect_not_null(strstr(out, args), "%s", out);
	snprintf(args, sizeof args, "%s:0:", path);
	cr_expect_null(strstr(out, args), "%s", out);
	free(out);
	tu_rm_rf(tmp);
	free(tmp);
}
