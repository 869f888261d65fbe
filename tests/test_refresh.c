/*
 * test_refresh.c - feed ingestion end to end: the real dayhubd fetching
 * from the test feed server over loopback HTTP, and what it stored and
 * what feed health says afterwards.
 *
 * One daemon serves one hub whose spokes each point at a route of the
 * feed server that behaves one way: a good feed, a 304, redirects, 404,
 * 429 with Retry-After, a slow drip, an oversized body, a wrong type, a
 * connection closed mid-body.  Tests ask SPOKES for the health and SEARCH
 * and GET for what is listed.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "testutil.h"

struct rfix {
	char	*dir;		/* the daemon's */
	char	*feeds;		/* what the feed server serves */
	char	*conf;
	char	*log;
	pid_t	 server;
	int	 server_port;
	pid_t	 daemon;
	int	 port;
	int	 fd;
};

static struct rfix	fx;

/* A small RSS feed of `n` items whose guids are "g1".."gn". */
static char *
feed_text(int n, const char *word)
{
	char	*out, *next;
	int	 i;

	out = strdup("<?xml version=\"1.0\"?>\n<rss version=\"2.0\" "
	    "xmlns:ev=\"http://purl.org/rss/1.0/modules/event/\">"
	    "<channel><title>Test spoke</title><link>http://example.org/"
	    "</link>\n");
	for (i = 1; i <= n; i++) {
		cr_assert(asprintf(&next, "%s<item><guid isPermaLink=\"false\">"
		    "g%d</guid><title>%s session %d</title><description>A %s "
		    "session for everyone</description><ev:startdate>"
		    "2026-12-0%dT10:00:00+00:00</ev:startdate></item>\n", out,
		    i, word, i, word, 1 + i % 9) > 0);
		free(out);
		out = next;
	}
	cr_assert(asprintf(&next, "%s</channel></rss>\n", out) > 0);
	free(out);
	return next;
}

static void
write_feed(const char *name, int n, const char *word)
{
	char	path[4096], *text = feed_text(n, word);

	snprintf(path, sizeof path, "%s/%s", fx.feeds, name);
	cr_assert(tu_write_file(path, text) == 0);
	free(text);
}

/* The spokes: id and the feed server path each one fetches. */
static const struct {
	const char	*id;
	const char	*path;
} spokes[] = {
	{ "good", "/good.rss" },
	{ "etag", "/etag/etag.rss" },
	{ "gzip", "/gzip/gzip.rss" },
	{ "moved", "/chain/301,308/moved.rss" },
	{ "temporary", "/chain/301,302/temporary.rss" },
	{ "loop", "/loop" },
	{ "missing", "/status/404" },
	{ "limited", "/status/429?retry=7200" },
	{ "broken", "/status/500" },
	{ "drip", "/slow/1500/good.rss" },
	{ "huge", "/big/200000" },
	{ "mistyped", "/type/text%2Fplain/mistyped.rss" },
	{ "cut", "/close/good.rss" },
	{ "garbage", "/garbage.rss" },
};

#define NSPOKES	(sizeof spokes / sizeof spokes[0])

static void
write_config(int allow_private)
{
	char	*text, *next;
	size_t	 i;

	cr_assert(asprintf(&text,
	    "listen line 127.0.0.1:0\n"
	    "database %s/test.db\n"
	    "allow-private-addresses %s\n"
	    "refresh-spread 0s\n"
	    "refresh-interval 1h\n"
	    "fetch-timeout 1s\n"
	    "max-feed-size 64K\n"
	    "gone-after 0s\n"
	    "contact \"https://hub.example/about\"\n"
	    "log-level debug\n"
	    "hub test {\n  name \"Test hub\"\n", fx.dir,
	    allow_private ? "yes" : "no") > 0);
	for (i = 0; i < NSPOKES; i++) {
		cr_assert(asprintf(&next, "%s  spoke %s {\n    url "
		    "\"http://127.0.0.1:%d%s\"\n    format auto\n  }\n", text,
		    spokes[i].id, fx.server_port, spokes[i].path) > 0);
		free(text);
		text = next;
	}
	cr_assert(asprintf(&next, "%s}\n", text) > 0);
	free(text);
	cr_assert(tu_write_file(fx.conf, next) == 0);
	free(next);
}

static json_t *
ask(const char *line)
{
	char		*reply = tu_request(fx.fd, line, 10000);
	json_error_t	 jerr;
	json_t		*j;

	cr_assert_not_null(reply, "no reply to %s (see %s)", line, fx.log);
	j = json_loads(reply, 0, &jerr);
	cr_assert_not_null(j, "not JSON: %s", reply);
	free(reply);
	return j;
}

/* The health of one spoke (a new reference), from SPOKES. */
static json_t *
health(const char *id)
{
	json_t	*r = ask("SPOKES hub=test"), *sp, *found = NULL;
	size_t	 i;

	json_array_foreach(json_object_get(r, "spokes"), i, sp)
		if (strcmp(json_string_value(json_object_get(sp, "id")),
		    id) == 0)
			found = json_incref(sp);
	json_decref(r);
	cr_assert_not_null(found, "no spoke %s in SPOKES", id);
	return found;
}

static const char *
hstr(json_t *h, const char *key)
{
	const char	*s = json_string_value(json_object_get(h, key));

	return s != NULL ? s : "";
}

/* Waits until every spoke has been attempted at least `n` times... */
static int
attempted_since(const char *id, const char *at)
{
	json_t	*h = health(id);
	int	 yes = strcmp(hstr(h, "last_attempt"), at) >= 0 &&
		    *hstr(h, "status") != '\0';

	json_decref(h);
	return yes;
}

/* Asks for a refresh of `id` and waits for its outcome to be stored. */
static json_t *
refresh_and_wait(const char *id)
{
	char	 line[256], at[64];
	json_t	*r;
	int	 i;

	snprintf(line, sizeof line, "REFRESH hub=test spoke=%s", id);
	r = ask(line);
	cr_assert(json_is_true(json_object_get(r, "ok")));
	snprintf(at, sizeof at, "%s", json_string_value(json_object_get(r,
	    "at")));
	json_decref(r);
	/* Attempts are stamped in whole seconds: wait past this one. */
	sleep(1);
	for (i = 0; i < 200; i++) {
		if (attempted_since(id, at))
			return health(id);
		usleep(50000);
	}
	cr_assert_fail("%s was not refreshed; see %s", id, fx.log);
	return NULL;
}

static long long
listed(const char *q)
{
	char		 line[256];
	json_t		*r;
	long long	 n;

	snprintf(line, sizeof line, "SEARCH hub=test q=\"%s\" limit=100", q);
	r = ask(line);
	n = (long long)json_array_size(json_object_get(r, "results"));
	json_decref(r);
	return n;
}

/* Starts dayhubd on fx.conf, and connects to it. */
static void
spawn_daemon(void)
{
	char	 bin[4096], plugdir[4096], ready_path[4096], *ready, *p;

	snprintf(bin, sizeof bin, "%s/daemon/dayhubd", tu_builddir());
	snprintf(plugdir, sizeof plugdir, "%s/plugins/.libs", tu_builddir());
	snprintf(ready_path, sizeof ready_path, "%s/ready", fx.dir);
	unlink(ready_path);
	{
		char	o_f[] = "-f", o_c[] = "-c", o_p[] = "--plugin-dir";
		char	o_r[] = "--ready-file";
		char	*argv[] = { bin, o_f, o_c, fx.conf, o_p, plugdir, o_r,
			    ready_path, NULL };

		fx.daemon = tu_spawn(argv, fx.log);
	}
	ready = tu_wait_file(ready_path, 10000);
	cr_assert_not_null(ready, "dayhubd did not start; see %s", fx.log);
	p = strrchr(ready, ':');
	cr_assert_not_null(p);
	fx.port = atoi(p + 1);
	free(ready);
	fx.fd = tu_connect("127.0.0.1", fx.port, 5000);
	cr_assert(fx.fd >= 0);
}

static void
start(int allow_private)
{
	char	*p;
	int	 i, all;

	memset(&fx, 0, sizeof fx);
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("https_proxy");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	fx.dir = tu_tmpdir("refresh");
	cr_assert(asprintf(&fx.feeds, "%s/feeds", fx.dir) > 0);
	cr_assert(mkdir(fx.feeds, 0755) == 0);
	cr_assert(asprintf(&fx.conf, "%s/dayhub.conf", fx.dir) > 0);
	cr_assert(asprintf(&fx.log, "%s/dayhubd.log", fx.dir) > 0);
	write_feed("good.rss", 3, "pottery");
	write_feed("etag.rss", 2, "gardening");
	write_feed("gzip.rss", 4, "swimming");
	write_feed("moved.rss", 1, "choir");
	write_feed("temporary.rss", 1, "drama");
	write_feed("mistyped.rss", 2, "cooking");
	cr_assert(asprintf(&p, "%s/garbage.rss", fx.feeds) > 0);
	cr_assert(tu_write_file(p, "<rss><channel><item><title>cut") == 0);
	free(p);

	cr_assert(asprintf(&p, "%s/feedserver.log", fx.dir) > 0);
	fx.server = tu_start_feedserver(fx.feeds, &fx.server_port, p);
	free(p);
	write_config(allow_private);

	spawn_daemon();

	/* Every spoke's first attempt is made at start. */
	for (i = 0, all = 0; i < 300 && !all; i++) {
		json_t	*r = ask("SPOKES hub=test"), *sp;
		size_t	 j;

		all = 1;
		json_array_foreach(json_object_get(r, "spokes"), j, sp)
			if (json_is_null(json_object_get(sp, "last_attempt")) ||
			    json_object_get(sp, "last_attempt") == NULL)
				all = 0;
		json_decref(r);
		if (!all)
			usleep(50000);
	}
	cr_assert(all, "not every spoke was fetched at start; see %s",
	    fx.log);
}

static void
stop(void)
{
	if (fx.fd > 0)
		close(fx.fd);
	if (fx.daemon > 0)
		tu_stop(fx.daemon, 10000);
	if (fx.server > 0)
		tu_stop(fx.server, 5000);
	if (fx.dir != NULL && getenv("DAYHUB_KEEP_TMP") == NULL)
		tu_rm_rf(fx.dir);
	free(fx.dir);
	free(fx.feeds);
	free(fx.conf);
	free(fx.log);
	memset(&fx, 0, sizeof fx);
}

static void
setup(void)
{
	start(1);
}

static void
setup_private(void)
{
	start(0);
}

TestSuite(refresh, .init = setup, .fini = stop, .timeout = 60);

/* Each spoke after the first round: its status, words and listings. */
static const struct {
	const char	*id;
	const char	*status;	/* ok | failed */
	const char	*attention;
	const char	*words;		/* in the error or the summary */
	long long	 records;
} first_round[] = {
	{ "good", "ok", "ok", "fine: 3 activities", 3 },
	{ "etag", "ok", "ok", "fine: 2 activities", 2 },
	{ "gzip", "ok", "ok", "fine: 4 activities", 4 },
	{ "moved", "ok", "moved", "moved permanently to http://127.0.0.1:", 1 },
	{ "temporary", "ok", "ok", "fine: 1 activities", 1 },
	{ "loop", "failed", "failing", "redirects", 0 },
	{ "missing", "failed", "gone", "not found", 0 },
	{ "limited", "failed", "failing", "429", 0 },
	{ "broken", "failed", "failing", "500", 0 },
	{ "drip", "failed", "failing", "timed out", 0 },
	{ "huge", "failed", "failing", "larger than the limit", 0 },
	{ "mistyped", "ok", "ok", "fine: 2 activities", 2 },
	{ "cut", "failed", "failing", "", 0 },
	{ "garbage", "failed", "failing", "before </rss>", 0 },
};

Test(refresh, every_behaviour_ends_in_the_right_health)
{
	size_t	i;

	for (i = 0; i < sizeof first_round / sizeof first_round[0]; i++) {
		json_t		*h = health(first_round[i].id);
		char		*dump = json_dumps(h, 0);
		const char	*text;

		cr_expect_str_eq(hstr(h, "status"), first_round[i].status,
		    "%s: %s", first_round[i].id, dump);
		cr_expect_str_eq(hstr(h, "attention"),
		    first_round[i].attention, "%s: %s", first_round[i].id,
		    dump);
		text = strcmp(first_round[i].status, "failed") == 0 ?
		    hstr(h, "error") : hstr(h, "summary");
		if (strcmp(first_round[i].attention, "gone") == 0)
			text = hstr(h, "summary");
		cr_expect_not_null(strstr(text, first_round[i].words),
		    "%s: \"%s\" lacks \"%s\"", first_round[i].id, text,
		    first_round[i].words);
		cr_expect_eq(json_integer_value(json_object_get(h, "records")),
		    first_round[i].records, "%s: %s", first_round[i].id, dump);
		free(dump);
		json_decref(h);
	}
}

Test(refresh, the_ones_needing_attention_come_first)
{
	json_t		*r = ask("SPOKES hub=test"), *sp;
	size_t		 i;
	int		 seen_ok = 0;
	static const char *const order[] = { "gone", "failing", "new",
	    "moved", "warnings", "ok" };
	int		 last = 0;

	json_array_foreach(json_object_get(r, "spokes"), i, sp) {
		const char *a = hstr(sp, "attention");
		int	    rank;

		for (rank = 0; rank < 6; rank++)
			if (strcmp(order[rank], a) == 0)
				break;
		cr_assert_lt(rank, 6, "unknown attention %s", a);
		cr_assert_geq(rank, last, "%s (%s) after a %s",
		    hstr(sp, "id"), a, order[last]);
		last = rank;
		seen_ok |= rank == 5;
	}
	cr_assert(seen_ok);
	cr_assert_str_eq(hstr(json_array_get(json_object_get(r, "spokes"), 0),
	    "id"), "missing");
	json_decref(r);
}

Test(refresh, an_unchanged_feed_is_a_304_and_costs_no_parse)
{
	json_t	*h = refresh_and_wait("etag");
	char	*log;

	cr_assert_str_eq(hstr(h, "status"), "unchanged", "%s",
	    json_dumps(h, 0));
	cr_assert_eq(json_integer_value(json_object_get(h, "records")), 2);
	cr_assert_neq(*hstr(h, "etag"), '\0');
	json_decref(h);
	log = tu_read_file(fx.log);
	cr_assert_not_null(strstr(log, "etag: unchanged"), "no 304 logged");
	free(log);
	cr_assert_eq(listed("gardening"), 2);
}

Test(refresh, a_changed_feed_is_fetched_again_after_a_304)
{
	json_t	*h;

	write_feed("etag.rss", 5, "gardening");
	h = refresh_and_wait("etag");
	cr_assert_str_eq(hstr(h, "status"), "ok");
	cr_assert_eq(json_integer_value(json_object_get(h, "records")), 5);
	json_decref(h);
	cr_assert_eq(listed("gardening"), 5);
}

Test(refresh, a_permanent_move_changes_the_address_fetched)
{
	json_t	*h = health("moved");

	cr_assert_not_null(strstr(hstr(h, "current_url"), "/moved.rss"),
	    "%s", hstr(h, "current_url"));
	cr_assert_null(strstr(hstr(h, "current_url"), "/chain/"));
	json_decref(h);
	h = health("temporary");
	cr_assert_eq(*hstr(h, "current_url"), '\0', "a 302 moved it: %s",
	    hstr(h, "current_url"));
	json_decref(h);
	/* The next refresh goes straight to the new address. */
	json_decref(refresh_and_wait("moved"));
	h = health("moved");
	cr_assert_str_eq(hstr(h, "status"), "ok");
	json_decref(h);
}

Test(refresh, a_failure_keeps_the_previous_listings)
{
	json_t	*h;

	cr_assert_eq(listed("pottery"), 3);
	/* The good feed turns to garbage, then disappears. */
	{
		char path[4096];

		snprintf(path, sizeof path, "%s/good.rss", fx.feeds);
		cr_assert(tu_write_file(path, "<rss><channel><item>") == 0);
		h = refresh_and_wait("good");
		cr_assert_str_eq(hstr(h, "status"), "failed");
		cr_assert_str_eq(hstr(h, "attention"), "failing");
		cr_assert_eq(json_integer_value(json_object_get(h,
		    "failures")), 1);
		cr_assert_not_null(strstr(hstr(h, "summary"),
		    "its 3 activities are still listed"), "%s",
		    hstr(h, "summary"));
		json_decref(h);
		cr_assert_eq(listed("pottery"), 3);
		/* Then the file goes: a 404, gone at once (gone-after 0s). */
		unlink(path);
		h = refresh_and_wait("good");
		cr_assert_str_eq(hstr(h, "status"), "failed");
		cr_assert_str_eq(hstr(h, "attention"), "gone");
		cr_assert_eq(json_integer_value(json_object_get(h,
		    "failures")), 2);
		cr_assert_eq(json_integer_value(json_object_get(h, "records")),
		    3);
		json_decref(h);
		cr_assert_eq(listed("pottery"), 3);
	}
}

Test(refresh, retry_after_pushes_the_next_attempt_back)
{
	json_t		*h = health("limited");
	struct tm	 tm;
	time_t		 due;
	const char	*s = hstr(h, "next_due");

	memset(&tm, 0, sizeof tm);
	cr_assert_not_null(strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm), "%s", s);
	due = timegm(&tm);
	cr_assert_geq(due - time(NULL), 7200 - 60, "next due %s", s);
	json_decref(h);
}

Test(refresh, vanished_records_become_tombstones_and_return)
{
	json_t	*h, *g;

	cr_assert_eq(listed("swimming"), 4);
	write_feed("gzip.rss", 2, "swimming");
	json_decref(refresh_and_wait("gzip"));
	cr_assert_eq(listed("swimming"), 2);
	g = ask("GET id=gzip:g4");
	cr_assert(json_is_true(json_object_get(g, "ok")), "%s",
	    json_dumps(g, 0));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(g,
	    "activity"), "state")), "deleted");
	json_decref(g);
	write_feed("gzip.rss", 4, "swimming");
	h = refresh_and_wait("gzip");
	json_decref(h);
	cr_assert_eq(listed("swimming"), 4);
	g = ask("GET id=gzip:g4");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(g,
	    "activity"), "state")), "updated");
	json_decref(g);
}

Test(refresh, refresh_errors_name_the_problem)
{
	static const struct {
		const char	*line;
		const char	*code;
	} rows[] = {
		{ "REFRESH hub=nowhere", "unknown_hub" },
		{ "REFRESH hub=test spoke=nobody", "not_found" },
		{ "REFRESH spoke=Bad!", "not_found" },
		{ "REFRESH hub=Bad!", "bad_argument" },
		{ "SPOKES", "missing_argument" },
		{ "SPOKES hub=nowhere", "unknown_hub" },
	};
	size_t	i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		json_t *r = ask(rows[i].line);

		cr_expect_str_eq(json_string_value(json_object_get(
		    json_object_get(r, "error"), "code")), rows[i].code,
		    "%s", rows[i].line);
		json_decref(r);
	}
}

Test(refresh, dayhubctl_refresh_waits_and_summarises)
{
	char	cmd[8192], *out, outpath[4096];
	int	st;

	snprintf(outpath, sizeof outpath, "%s/ctl.out", fx.dir);
	snprintf(cmd, sizeof cmd, "%s/daemon/dayhubctl -s 127.0.0.1:%d "
	    "refresh --hub test --wait --timeout 30s good >%s 2>&1",
	    tu_builddir(), fx.port, outpath);
	st = system(cmd);
	out = tu_read_file(outpath);
	cr_assert_eq(WEXITSTATUS(st), 0, "%s", out);
	cr_assert_not_null(strstr(out, "1 of 1 feeds refreshed, 0 failed"),
	    "%s", out);
	free(out);
	snprintf(cmd, sizeof cmd, "%s/daemon/dayhubctl -s 127.0.0.1:%d "
	    "refresh --hub test --wait --timeout 30s broken >%s 2>&1",
	    tu_builddir(), fx.port, outpath);
	st = system(cmd);
	out = tu_read_file(outpath);
	cr_assert_eq(WEXITSTATUS(st), 1, "%s", out);
	cr_assert_not_null(strstr(out, "1 failed"), "%s", out);
	free(out);
	snprintf(cmd, sizeof cmd, "%s/daemon/dayhubctl -s 127.0.0.1:%d "
	    "spokes --hub test >%s 2>&1", tu_builddir(), fx.port, outpath);
	st = system(cmd);
	out = tu_read_file(outpath);
	cr_assert_eq(WEXITSTATUS(st), 0, "%s", out);
	cr_assert_eq(strncmp(out, "gone", 4), 0, "%s", out);
	cr_assert_not_null(strstr(out, "moved permanently"), "%s", out);
	free(out);
}

Test(refresh, the_user_agent_names_dayhub_and_the_contact)
{
	char	*log, path[4096];

	snprintf(path, sizeof path, "%s/feedserver.log", fx.dir);
	log = tu_read_file(path);
	cr_assert_not_null(log);
	cr_assert_not_null(strstr(log, "dayhub/"), "%s", log);
	cr_assert_not_null(strstr(log, "+https://hub.example/about"),
	    "no contact in the User-Agent");
	free(log);
}

TestSuite(private, .init = setup_private, .fini = stop, .timeout = 60);

/* With private addresses refused, the loopback feed server is refused. */
Test(private, loopback_feeds_are_refused_unless_allowed)
{
	json_t	*h = health("good");

	cr_assert_str_eq(hstr(h, "status"), "failed", "%s", json_dumps(h, 0));
	cr_assert_not_null(strstr(hstr(h, "error"), "refused to connect"),
	    "%s", hstr(h, "error"));
	json_decref(h);
	cr_assert_eq(listed("pottery"), 0);
}

/*
 * --- paged feeds: OpenActive RPDE ---
 *
 * A second daemon, whose spokes are RPDE feeds served by the feed
 * server's /rpde/ route from change logs in files (one item a line):
 * each page is a change set, the chain of pages is followed within one
 * refresh up to max-pages (5 here), and the next refresh starts where the
 * last one stopped.  The feed server's log shows which pages were asked
 * for; the daemon's log says when a refresh reached a feed's last page.
 */

#define PG_MAX_PAGES	5

/* The paged spokes: id, and the page size of its feed. */
static const struct {
	const char	*id;
	int		 size;
} pg_spokes[] = {
	{ "paged", 2 },		/* a, b, c, d, e, then a deleted: 4 pages */
	{ "capped", 1 },	/* c1 .. c8: the cap stops it after c5 */
	{ "broken", 2 },	/* p1 .. p4, then a page that fails */
};

/* One updated item of a change log, as a line. */
static char *
pg_item(const char *id, const char *name)
{
	char	*line;

	cr_assert(asprintf(&line, "{\"state\": \"updated\", \"kind\": "
	    "\"SessionSeries\", \"id\": \"%s\", \"modified\": 1, \"data\": "
	    "{\"@context\": \"https://openactive.io/\", \"@type\": "
	    "\"SessionSeries\", \"name\": \"%s\", \"startDate\": "
	    "\"2026-12-01T10:00:00Z\"}}\n", id, name) > 0);
	return line;
}

/* One deletion of a change log, as a line. */
static char *
pg_deleted(const char *id)
{
	char	*line;

	cr_assert(asprintf(&line, "{\"state\": \"deleted\", \"kind\": "
	    "\"SessionSeries\", \"id\": \"%s\", \"modified\": 2}\n", id) > 0);
	return line;
}

/*
 * Writes (append 0) or extends (append 1) the change log `name` with
 * `lines`, each an item "id:Name", a deletion "-id", or a line as it is
 * when it starts with '#'.
 */
static void
pg_log(const char *name, int append, const char *const *lines, size_t n)
{
	char	 path[4096], *text, *old, *line, *next;
	size_t	 i;

	snprintf(path, sizeof path, "%s/%s", fx.feeds, name);
	old = append ? tu_read_file(path) : NULL;
	text = strdup(old != NULL ? old : "");
	free(old);
	for (i = 0; i < n; i++) {
		if (lines[i][0] == '#')
			cr_assert(asprintf(&line, "%s\n", lines[i]) > 0);
		else if (lines[i][0] == '-')
			line = pg_deleted(lines[i] + 1);
		else {
			char	id[64];
			size_t	k = strcspn(lines[i], ":");

			snprintf(id, sizeof id, "%.*s", (int)k, lines[i]);
			line = pg_item(id, lines[i] + k + 1);
		}
		cr_assert(asprintf(&next, "%s%s", text, line) > 0);
		free(text);
		free(line);
		text = next;
	}
	cr_assert(tu_write_file(path, text) == 0);
	free(text);
}

/* The address of page `after` of a paged spoke's feed. */
static char *
pg_url(const char *id, int size, int after)
{
	char	*url;

	cr_assert(asprintf(&url, "http://127.0.0.1:%d/rpde/%d/%d/%s.jsonl",
	    fx.server_port, size, after, id) > 0);
	return url;
}

/* How many lines of the file `path` hold both `a` and `b`. */
static int
pg_lines(const char *path, const char *a, const char *b)
{
	char	*text = tu_read_file(path), *line, *nl;
	int	 n = 0;

	for (line = text; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (strstr(line, a) != NULL && strstr(line, b) != NULL)
			n++;
	}
	free(text);
	return n;
}

/* How often the feed server was asked for page `after` of `id`. */
static int
pg_requests(const char *id, int size, int after)
{
	char	path[4096], want[256];

	snprintf(path, sizeof path, "%s/feedserver.log", fx.dir);
	snprintf(want, sizeof want, " GET /rpde/%d/%d/%s.jsonl ", size, after,
	    id);
	return pg_lines(path, want, "feedserver:");
}

/* Waits until the daemon has logged `n` refreshes of `id` ending on the
   feed's last page. */
static void
pg_wait_last(const char *id, int n)
{
	char	who[128];
	int	i;

	snprintf(who, sizeof who, "%s: ", id);
	for (i = 0; i < 300; i++) {
		if (pg_lines(fx.log, who, "that was the last page") >= n)
			return;
		usleep(50000);
	}
	cr_assert_fail("%s did not reach its last page %d times; see %s", id,
	    n, fx.log);
}

/* Waits until SPOKES shows `id` with status `status` and resume_url
   `resume`; gives its health. */
static json_t *
pg_wait_state(const char *id, const char *status, const char *resume)
{
	json_t	*h = NULL;
	int	 i;

	for (i = 0; i < 300; i++) {
		h = health(id);
		if (strcmp(hstr(h, "status"), status) == 0 &&
		    strcmp(hstr(h, "resume_url"), resume) == 0)
			return h;
		json_decref(h);
		usleep(50000);
	}
	h = health(id);
	cr_assert_fail("%s: want status %s, resume %s; have %s", id, status,
	    resume, json_dumps(h, 0));
	return NULL;
}

/* The state GET gives of activity `id`: "updated", "deleted" or "". */
static char *
pg_state(const char *id)
{
	char	 line[256], *state;
	json_t	*r;

	snprintf(line, sizeof line, "GET id=%s", id);
	r = ask(line);
	state = strdup(json_is_true(json_object_get(r, "ok")) ?
	    json_string_value(json_object_get(json_object_get(r, "activity"),
	    "state")) : "");
	json_decref(r);
	return state;
}

static void
pg_expect_state(const char *id, const char *want)
{
	char	*got = pg_state(id);

	cr_expect_str_eq(got, want, "%s is %s, not %s", id, got, want);
	free(got);
}

static long long
pg_records(const char *id)
{
	json_t		*h = health(id);
	long long	 n = json_integer_value(json_object_get(h, "records"));

	json_decref(h);
	return n;
}


static void
pg_start(void)
{
	char	*text, *next, *p, *url;
	size_t	 i;

	memset(&fx, 0, sizeof fx);
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	fx.dir = tu_tmpdir("rpde");
	cr_assert(asprintf(&fx.feeds, "%s/feeds", fx.dir) > 0);
	cr_assert(mkdir(fx.feeds, 0755) == 0);
	cr_assert(asprintf(&fx.conf, "%s/dayhub.conf", fx.dir) > 0);
	cr_assert(asprintf(&fx.log, "%s/dayhubd.log", fx.dir) > 0);
	pg_log("paged.jsonl", 0, (const char *const []){ "a:Archery taster",
	    "b:Boccia club", "c:Chair yoga", "d:Drumming circle",
	    "e:Easy walking", "-a" }, 6);
	pg_log("capped.jsonl", 0, (const char *const []){ "c1:Cycling 1",
	    "c2:Cycling 2", "c3:Cycling 3", "c4:Cycling 4", "c5:Cycling 5",
	    "c6:Cycling 6", "c7:Cycling 7", "c8:Cycling 8" }, 8);
	pg_log("broken.jsonl", 0, (const char *const []){ "p1:Pilates 1",
	    "p2:Pilates 2", "p3:Pilates 3", "p4:Pilates 4", "#fail",
	    "p5:Pilates 5" }, 6);

	cr_assert(asprintf(&p, "%s/feedserver.log", fx.dir) > 0);
	fx.server = tu_start_feedserver(fx.feeds, &fx.server_port, p);
	free(p);

	cr_assert(asprintf(&text,
	    "listen line 127.0.0.1:0\n"
	    "database %s/test.db\n"
	    "allow-private-addresses yes\n"
	    "refresh-spread 0s\n"
	    "refresh-interval 1h\n"
	    "fetch-timeout 5s\n"
	    "max-pages %d\n"
	    "log-level debug\n"
	    "hub test {\n  name \"Test hub\"\n", fx.dir, PG_MAX_PAGES) > 0);
	for (i = 0; i < sizeof pg_spokes / sizeof pg_spokes[0]; i++) {
		url = pg_url(pg_spokes[i].id, pg_spokes[i].size, 0);
		cr_assert(asprintf(&next, "%s  spoke %s {\n    url \"%s\"\n"
		    "    format openactive\n  }\n", text, pg_spokes[i].id,
		    url) > 0);
		free(url);
		free(text);
		text = next;
	}
	cr_assert(asprintf(&next, "%s}\n", text) > 0);
	free(text);
	cr_assert(tu_write_file(fx.conf, next) == 0);
	free(next);
	spawn_daemon();

	/* Every spoke's first refresh runs at start, to its end. */
	pg_wait_last("paged", 1);
	url = pg_url("capped", 1, PG_MAX_PAGES);
	json_decref(pg_wait_state("capped", "ok", url));
	free(url);
	url = pg_url("broken", 2, 4);
	json_decref(pg_wait_state("broken", "failed", url));
	free(url);
}

/* Asks for a refresh of `id` now. */
static void
pg_refresh(const char *id)
{
	char	 line[256];
	json_t	*r;

	snprintf(line, sizeof line, "REFRESH hub=test spoke=%s", id);
	r = ask(line);
	cr_assert(json_is_true(json_object_get(r, "ok")), "%s",
	    json_dumps(r, 0));
	json_decref(r);
}

TestSuite(rpde, .init = pg_start, .fini = stop, .timeout = 60);

Test(rpde, one_refresh_stores_every_page)
{
	json_t	*h = health("paged");
	char	*url = pg_url("paged", 2, 6);
	int	 after;

	cr_expect_str_eq(hstr(h, "status"), "ok", "%s", json_dumps(h, 0));
	cr_expect_str_eq(hstr(h, "resume_url"), url);
	json_decref(h);
	free(url);
	/* b, c, d, e from pages 1 to 3; a was deleted on page 3. */
	cr_expect_eq(pg_records("paged"), 4);
	pg_expect_state("paged:b", "updated");
	pg_expect_state("paged:c", "updated");
	pg_expect_state("paged:d", "updated");
	pg_expect_state("paged:e", "updated");
	/* Each page once: three with items, then the empty last page. */
	for (after = 0; after <= 6; after += 2)
		cr_expect_eq(pg_requests("paged", 2, after), 1, "page after %d "
		    "asked for %d times", after, pg_requests("paged", 2,
		    after));
	cr_expect_eq(pg_requests("paged", 2, 8), 0);
}

Test(rpde, a_deletion_on_a_later_page_is_a_tombstone)
{
	/* a came on page 1 and was deleted on page 3: a tombstone. */
	pg_expect_state("paged:a", "deleted");
	/* A deletion of something never listed leaves no trace. */
	pg_log("paged.jsonl", 1, (const char *const []){ "-nobody" }, 1);
	pg_refresh("paged");
	pg_wait_last("paged", 2);
	pg_expect_state("paged:nobody", "");
	cr_expect_eq(pg_records("paged"), 4);
}

Test(rpde, later_pages_leave_earlier_items_alone)
{
	/* Pages 2 to 5 of the capped feed do not hold c1: it stays. */
	pg_expect_state("capped:c1", "updated");
	pg_expect_state("capped:c2", "updated");
	cr_expect_eq(pg_records("capped"), 5);
	/* Nor does a later refresh, whose pages hold only c6 to c8. */
	pg_refresh("capped");
	pg_wait_last("capped", 1);
	pg_expect_state("capped:c1", "updated");
	cr_expect_eq(pg_records("capped"), 8);
}

Test(rpde, the_cap_stops_the_chain_and_the_next_refresh_goes_on)
{
	json_t	*h;
	char	*url;
	int	 after;

	/* Five pages (c1 to c5) and no more; the sixth is where to go on. */
	for (after = 0; after < PG_MAX_PAGES; after++)
		cr_expect_eq(pg_requests("capped", 1, after), 1);
	cr_expect_eq(pg_requests("capped", 1, PG_MAX_PAGES), 0);
	cr_expect_eq(pg_records("capped"), 5);
	pg_expect_state("capped:c6", "");
	cr_expect_eq(pg_lines(fx.log, "capped: stopped after 5 pages",
	    "max-pages"), 1);

	pg_refresh("capped");
	pg_wait_last("capped", 1);
	url = pg_url("capped", 1, 8);
	h = pg_wait_state("capped", "ok", url);
	free(url);
	json_decref(h);
	/* It went on at the sixth page, and did not start again. */
	cr_expect_eq(pg_requests("capped", 1, 0), 1);
	for (after = PG_MAX_PAGES; after <= 8; after++)
		cr_expect_eq(pg_requests("capped", 1, after), 1, "page after "
		    "%d", after);
	cr_expect_eq(pg_records("capped"), 8);
	pg_expect_state("capped:c8", "updated");
}

Test(rpde, the_next_refresh_starts_at_the_resume_point)
{
	char	*url;

	/* The publisher adds f and deletes b after the last refresh. */
	pg_log("paged.jsonl", 1, (const char *const []){ "f:Football",
	    "-b" }, 2);
	pg_refresh("paged");
	pg_wait_last("paged", 2);
	url = pg_url("paged", 2, 8);
	json_decref(pg_wait_state("paged", "ok", url));
	free(url);
	/* The stored resume point, the last page, was asked for again... */
	cr_expect_eq(pg_requests("paged", 2, 6), 2);
	cr_expect_eq(pg_requests("paged", 2, 8), 1);
	/* ...and the configured address was not. */
	cr_expect_eq(pg_requests("paged", 2, 0), 1);
	cr_expect_eq(pg_requests("paged", 2, 2), 1);
	pg_expect_state("paged:f", "updated");
	pg_expect_state("paged:b", "deleted");
	pg_expect_state("paged:c", "updated");
	cr_expect_eq(pg_records("paged"), 4);	/* c, d, e, f */
}

Test(rpde, the_resume_point_outlives_a_restart)
{
	char	*url;

	close(fx.fd);
	fx.fd = -1;
	cr_assert_eq(tu_stop(fx.daemon, 10000), 0);
	fx.daemon = 0;
	spawn_daemon();
	/* Not due for an hour: it is fetched only when asked. */
	pg_refresh("capped");
	pg_wait_last("capped", 1);
	url = pg_url("capped", 1, 8);
	json_decref(pg_wait_state("capped", "ok", url));
	free(url);
	cr_expect_eq(pg_requests("capped", 1, 0), 1);
	cr_expect_eq(pg_requests("capped", 1, PG_MAX_PAGES), 1);
	cr_expect_eq(pg_records("capped"), 8);
}

/*
 * The page to go on from answering 404 does not make the feed gone: the
 * resume point is dropped, and the next refresh starts from the feed's
 * own address (which answering 404 in turn does make it gone).
 */
Test(rpde, a_resume_page_that_is_gone_starts_the_feed_again)
{
	char	 from[4096], to[4096];
	json_t	*h;
	int	 i;

	snprintf(from, sizeof from, "%s/capped.jsonl", fx.feeds);
	snprintf(to, sizeof to, "%s/capped.old", fx.feeds);
	cr_assert(rename(from, to) == 0);
	pg_refresh("capped");
	for (i = 0; i < 300; i++) {
		h = health("capped");
		if (strcmp(hstr(h, "status"), "failed") == 0)
			break;
		json_decref(h);
		usleep(50000);
	}
	cr_assert(i < 300, "the refresh did not fail");
	cr_expect_eq(json_integer_value(json_object_get(h, "http_status")),
	    404);
	cr_expect_str_eq(hstr(h, "resume_url"), "", "%s", json_dumps(h, 0));
	cr_expect(json_is_null(json_object_get(h, "gone_since")), "%s",
	    json_dumps(h, 0));
	json_decref(h);
	cr_expect_eq(pg_requests("capped", 1, PG_MAX_PAGES), 1);
	cr_expect_eq(pg_lines(fx.log, "capped: the page to go on from is "
	    "gone", "starts again from the first"), 1);

	/* The next refresh asks for the first page, not the gone one. */
	pg_refresh("capped");
	for (i = 0; i < 300 && pg_requests("capped", 1, 0) < 2; i++)
		usleep(50000);
	cr_expect_eq(pg_requests("capped", 1, 0), 2);
	cr_expect_eq(pg_requests("capped", 1, PG_MAX_PAGES), 1);
	for (i = 0; i < 300; i++) {
		h = health("capped");
		if (!json_is_null(json_object_get(h, "gone_since")))
			break;
		json_decref(h);
		usleep(50000);
	}
	cr_assert(i < 300, "the feed's own 404 did not make it gone");
	json_decref(h);
	/* Its activities stay while it is gone, as for any feed. */
	cr_expect_eq(pg_records("capped"), 5);
}

Test(rpde, a_failure_part_way_keeps_the_pages_before_it)
{
	json_t	*h = health("broken");
	char	*url = pg_url("broken", 2, 4);

	/* Pages 1 and 2 are stored; page 3 answered 500. */
	cr_expect_str_eq(hstr(h, "status"), "failed");
	cr_expect_eq(json_integer_value(json_object_get(h, "failures")), 1);
	cr_expect_not_null(strstr(hstr(h, "error"), "500"), "%s",
	    hstr(h, "error"));
	cr_expect_str_eq(hstr(h, "resume_url"), url);
	json_decref(h);
	free(url);
	cr_expect_eq(pg_records("broken"), 4);
	pg_expect_state("broken:p1", "updated");
	pg_expect_state("broken:p4", "updated");
	pg_expect_state("broken:p5", "");

	/* Mended, the next refresh goes on at page 3, not page 1. */
	pg_log("broken.jsonl", 0, (const char *const []){ "p1:Pilates 1",
	    "p2:Pilates 2", "p3:Pilates 3", "p4:Pilates 4", "p5:Pilates 5" },
	    5);
	pg_refresh("broken");
	pg_wait_last("broken", 1);
	url = pg_url("broken", 2, 5);
	json_decref(pg_wait_state("broken", "ok", url));
	free(url);
	cr_expect_eq(pg_requests("broken", 2, 0), 1);
	cr_expect_eq(pg_requests("broken", 2, 4), 2);
	cr_expect_eq(pg_records("broken"), 5);
	pg_expect_state("broken:p5", "updated");
	h = health("broken");
	cr_expect_eq(json_integer_value(json_object_get(h, "failures")), 0);
	json_decref(h);
}
