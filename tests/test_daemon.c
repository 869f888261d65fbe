/*
 * test_daemon.c - the real dayhubd on loopback, with the demo feeds.
 *
 * Each test starts dayhubd on ephemeral ports with a temporary database
 * and a copy of the demo configuration, waits until the demo feeds are
 * stored, and talks to it over TCP (and HTTP) as a client would,
 * asserting the exact replies.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>

#include "testutil.h"

/*
 * What the demo holds; the tests below fail if the demo changes.  The
 * total counts an activity once per hub that lists it.
 */
#define nitems(a)	(sizeof (a) / sizeof (a)[0])
#define DEMO_HUBS		3
#define DEMO_HUB_ACTIVITIES	94

struct dfix {
	char	*dir;
	char	*conf;
	char	*log;
	char	*ready;
	pid_t	 pid;
	int	 line_port;
	int	 http_port;
};

static struct dfix	fx;

/* Copies the demo config, replacing its listen and database lines. */
static void
write_config(const char *extra)
{
	char	*src, *text, *line, *save = NULL, *out;
	size_t	 cap, len = 0;
	DIR	*d;
	struct dirent *de;
	char	 path[4096], target[8192], link[8192];

	snprintf(path, sizeof path, "%s/feeds/demo/dayhub.conf", tu_srcdir());
	src = tu_read_file(path);
	cr_assert_not_null(src, "cannot read %s", path);
	cap = strlen(src) + 4096;
	out = malloc(cap);
	len = (size_t)snprintf(out, cap,
	    "listen line 127.0.0.1:0\nlisten http 127.0.0.1:0\n"
	    "database %s/test.db\n%s\n", fx.dir, extra != NULL ? extra : "");
	text = strdup(src);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		const char *p = line + strspn(line, " \t");

		if (strncmp(p, "listen", 6) == 0 ||
		    strncmp(p, "database", 8) == 0 ||
		    strncmp(p, "log-level", 9) == 0)
			continue;
		len += (size_t)snprintf(out + len, cap - len, "%s\n", line);
	}
	free(text);
	free(src);
	cr_assert(tu_write_file(fx.conf, out) == 0);
	free(out);

	/* The demo's feeds are named relative to the config: link them. */
	snprintf(path, sizeof path, "%s/feeds/demo", tu_srcdir());
	cr_assert_not_null(d = opendir(path));
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n < 5 || strcmp(de->d_name + n - 4, ".rss") != 0)
			continue;
		snprintf(target, sizeof target, "%s/%s", path, de->d_name);
		snprintf(link, sizeof link, "%s/%s", fx.dir, de->d_name);
		unlink(link);
		cr_assert(symlink(target, link) == 0);
	}
	closedir(d);
}

static int
port_of(const char *ready, const char *kind)
{
	const char	*p = strstr(ready, kind);
	const char	*colon;

	cr_assert_not_null(p, "no %s line in the ready file", kind);
	colon = strchr(p, '\n');
	cr_assert_not_null(colon);
	while (colon > p && colon[-1] != ':')
		colon--;
	return atoi(colon);
}

static json_t *
request_json(int fd, const char *line)
{
	char		*reply = tu_request(fd, line, 5000);
	json_error_t	 jerr;
	json_t		*j;

	cr_assert_not_null(reply, "no reply to %s", line);
	j = json_loads(reply, 0, &jerr);
	cr_assert_not_null(j, "reply to %s is not JSON: %s", line, reply);
	free(reply);
	return j;
}

/* Total activities over all hubs, from HUBS. */
static long long
total_activities(int fd)
{
	json_t		*r = request_json(fd, "HUBS"), *h;
	long long	 n = 0;
	size_t		 i;

	json_array_foreach(json_object_get(r, "hubs"), i, h)
		n += json_integer_value(json_object_get(h, "activities"));
	json_decref(r);
	return n;
}

static void
start_daemon(const char *extra)
{
	char	 bin[4096], plugdir[4096], *ready;
	int	 fd, tries;

	/* Loopback only: no proxy may stand between the test and itself. */
	unsetenv("http_proxy");
	unsetenv("https_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	memset(&fx, 0, sizeof fx);
	fx.dir = tu_tmpdir("daemon");
	asprintf(&fx.conf, "%s/dayhub.conf", fx.dir);
	asprintf(&fx.log, "%s/dayhubd.log", fx.dir);
	asprintf(&fx.ready, "%s/ready", fx.dir);
	write_config(extra);
	snprintf(bin, sizeof bin, "%s/daemon/dayhubd", tu_builddir());
	snprintf(plugdir, sizeof plugdir, "%s/plugins/.libs", tu_builddir());
	{
		char	o_f[] = "-f", o_c[] = "-c", o_p[] = "--plugin-dir";
		char	o_r[] = "--ready-file";
		char	*argv[] = { bin, o_f, o_c, fx.conf, o_p, plugdir, o_r,
			    fx.ready, NULL };

		fx.pid = tu_spawn(argv, fx.log);
	}
	ready = tu_wait_file(fx.ready, 10000);
	cr_assert_not_null(ready, "dayhubd did not start; see %s", fx.log);
	fx.line_port = port_of(ready, "line ");
	fx.http_port = port_of(ready, "http ");
	free(ready);

	/* Wait for the first refresh of every demo feed. */
	fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	cr_assert(fd >= 0);
	for (tries = 0; tries < 200; tries++) {
		if (total_activities(fd) == DEMO_HUB_ACTIVITIES)
			break;
		usleep(50000);
	}
	close(fd);
	cr_assert(tries < 200, "the demo feeds were not stored in time; "
	    "see %s", fx.log);
}

static void
stop_daemon(void)
{
	if (fx.pid > 0)
		cr_expect_eq(tu_stop(fx.pid, 10000), 0,
		    "dayhubd did not exit cleanly; see %s", fx.log);
	fx.pid = 0;
	if (fx.dir != NULL && getenv("DAYHUB_KEEP_TMP") == NULL)
		tu_rm_rf(fx.dir);
	free(fx.dir);
	free(fx.conf);
	free(fx.log);
	free(fx.ready);
	memset(&fx, 0, sizeof fx);
}

static void
setup_demo(void)
{
	start_daemon(NULL);
}

TestSuite(daemon, .init = setup_demo, .fini = stop_daemon, .timeout = 60);

Test(daemon, hello_reports_version_and_limits)
{
	int	 fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	char	*r = tu_request(fd, "HELLO", 5000);

	cr_assert_str_eq(r, "{\"ok\":true,\"server\":\"dayhubd\","
	    "\"version\":\"" PACKAGE_VERSION "\",\"protocol\":1,"
	    "\"commands\":[\"HELLO\",\"HUBS\",\"SEARCH\",\"FACETS\","
	    "\"CATEGORIES\",\"GET\",\"SPOKES\",\"REFRESH\",\"QUIT\"],"
	    "\"limits\":{\"line\":8192,\"args\":32,\"query\":512,"
	    "\"results\":100}}");
	free(r);
	close(fd);
}

Test(daemon, hubs_lists_the_demo_hubs)
{
	int	 fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	json_t	*r = request_json(fd, "HUBS"), *hubs, *h;
	size_t	 i;

	cr_assert(json_is_true(json_object_get(r, "ok")));
	hubs = json_object_get(r, "hubs");
	cr_assert_eq(json_array_size(hubs), DEMO_HUBS);
	json_array_foreach(hubs, i, h) {
		cr_assert(json_integer_value(json_object_get(h, "spokes")) >=
		    2, "hub %s has too few spokes",
		    json_string_value(json_object_get(h, "id")));
		cr_assert(json_integer_value(json_object_get(h,
		    "activities")) >= 10);
	}
	json_decref(r);
	close(fd);
}

/* Each row: a request and the exact reply; the connection stays open. */
static const struct {
	const char	*request;
	const char	*reply;
} error_rows[] = {
	{ "FROBNICATE",
	  "{\"ok\":false,\"error\":{\"code\":\"unknown_command\","
	  "\"message\":\"unknown command \\\"FROBNICATE\\\" (try HELLO for "
	  "the list)\"}}" },
	{ "SEARCH q=art",
	  "{\"ok\":false,\"error\":{\"code\":\"missing_argument\","
	  "\"message\":\"hub: the hub to search is required (hub=ID)\"}}" },
	{ "SEARCH hub=nowhere q=art",
	  "{\"ok\":false,\"error\":{\"code\":\"unknown_hub\","
	  "\"message\":\"no hub \\\"nowhere\\\" (HUBS lists them)\"}}" },
	{ "SEARCH hub=Bad!Hub",
	  "{\"ok\":false,\"error\":{\"code\":\"bad_argument\","
	  "\"message\":\"hub: \\\"Bad!Hub\\\" is not a hub id (lower-case "
	  "letters, digits, - and _, at most 64 bytes)\"}}" },
	{ "SEARCH hub=north-dorset limit=0",
	  "{\"ok\":false,\"error\":{\"code\":\"bad_argument\","
	  "\"message\":\"limit: \\\"0\\\" must be a whole number from 1 to "
	  "100\"}}" },
	{ "SEARCH hub=north-dorset limit=101",
	  "{\"ok\":false,\"error\":{\"code\":\"bad_argument\","
	  "\"message\":\"limit: \\\"101\\\" must be a whole number from 1 to "
	  "100\"}}" },
	{ "SEARCH hub=north-dorset limit=-1",
	  "{\"ok\":false,\"error\":{\"code\":\"bad_argument\","
	  "\"message\":\"limit: \\\"-1\\\" must be a whole number from 1 to "
	  "100\"}}" },
	{ "SEARCH hub=north-dorset colour=red",
	  "{\"ok\":false,\"error\":{\"code\":\"unknown_argument\","
	  "\"message\":\"unknown argument \\\"colour\\\": SEARCH takes hub, q, "
	  "from, to, days, after, before, near, within, online, free, max_cost, "
	  "funding, pathway, access, group, age, category, sort, limit, "
	  "cursor\"}}" },
	{ "FACETS hub=north-dorset sort=soonest",
	  "{\"ok\":false,\"error\":{\"code\":\"unknown_argument\","
	  "\"message\":\"unknown argument \\\"sort\\\": FACETS takes hub, q, "
	  "from, to, days, after, before, near, within, online, free, max_cost, "
	  "funding, pathway, access, group, age, category\"}}" },
	{ "CATEGORIES hub=nowhere",
	  "{\"ok\":false,\"error\":{\"code\":\"unknown_hub\","
	  "\"message\":\"no hub \\\"nowhere\\\" (HUBS lists them)\"}}" },
	{ "GET",
	  "{\"ok\":false,\"error\":{\"code\":\"missing_argument\","
	  "\"message\":\"GET needs id=\"}}" },
	{ "GET id=nobody:nothing",
	  "{\"ok\":false,\"error\":{\"code\":\"not_found\","
	  "\"message\":\"no activity with id \\\"nobody:nothing\\\"\"}}" },
	{ "HUBS extra=1",
	  "{\"ok\":false,\"error\":{\"code\":\"unknown_argument\","
	  "\"message\":\"HUBS takes no argument \\\"extra\\\"\"}}" },
};

Test(daemon, errors_get_exact_replies_and_keep_the_connection)
{
	int	fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	size_t	i;

	for (i = 0; i < sizeof error_rows / sizeof error_rows[0]; i++) {
		char *r = tu_request(fd, error_rows[i].request, 5000);

		cr_assert_not_null(r, "no reply to %s", error_rows[i].request);
		cr_expect_str_eq(r, error_rows[i].reply, "for %s",
		    error_rows[i].request);
		free(r);
	}
	/* Still open and answering. */
	{
		json_t *r = request_json(fd, "HELLO");

		cr_assert(json_is_true(json_object_get(r, "ok")));
		json_decref(r);
	}
	close(fd);
}

/* Syntax errors: the code is fixed, the words are for people. */
static const char *const syntax_rows[] = {
	"SEARCH hub=north-dorset q=\"unclosed",
	"SEARCH hub=north-dorset tuesday",
	"SEARCH hub=north-dorset q=a q=b",
	"SEARCH hub=north-dorset Q=x",
	"SEARCH hub=north-dorset q=\"bad \\escape\"",
	"SEARCH hub=north-dorset q=\xff\xfe",
	"   ",
};

Test(daemon, malformed_requests_are_bad_request)
{
	int	fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	size_t	i;

	for (i = 0; i < sizeof syntax_rows / sizeof syntax_rows[0]; i++) {
		json_t *r = request_json(fd, syntax_rows[i]);
		json_t *e = json_object_get(r, "error");

		cr_expect(json_is_false(json_object_get(r, "ok")));
		cr_expect_str_eq(json_string_value(json_object_get(e, "code")),
		    "bad_request", "for row %zu", i);
		cr_expect(strlen(json_string_value(json_object_get(e,
		    "message"))) > 5);
		json_decref(r);
	}
	close(fd);
}

Test(daemon, search_finds_demo_activities_by_word)
{
	int	 fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	json_t	*r, *res, *a;
	size_t	 i;

	r = request_json(fd, "SEARCH hub=dorchester-west q=swimming");
	cr_assert(json_is_true(json_object_get(r, "ok")), "%s",
	    json_dumps(r, 0));
	res = json_object_get(r, "results");
	cr_assert_gt(json_array_size(res), 0);
	cr_assert_eq(json_integer_value(json_object_get(r, "count")),
	    (json_int_t)json_array_size(res));
	json_array_foreach(res, i, a) {
		char *s = json_dumps(a, 0);

		cr_expect_not_null(strcasestr(s, "swim"),
		    "result without the word: %s", s);
		free(s);
	}
	json_decref(r);
	close(fd);
}

Test(daemon, search_is_confined_to_the_hub)
{
	int	 fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	json_t	*hubs = request_json(fd, "HUBS"), *h;
	size_t	 i, j;

	/*
	 * Every result's GET lists the hub it was found in.  A search
	 * lists what happens in the coming fortnight (FACETS counts it),
	 * which is never more than the hub has.
	 */
	json_array_foreach(json_object_get(hubs, "hubs"), i, h) {
		char	 line[256];
		json_t	*r, *a, *f;
		const char *hub = json_string_value(json_object_get(h, "id"));
		size_t	 total;

		snprintf(line, sizeof line, "FACETS hub=%s", hub);
		f = request_json(fd, line);
		total = (size_t)json_integer_value(json_object_get(f, "total"));
		json_decref(f);
		cr_assert_leq(total, (size_t)json_integer_value(
		    json_object_get(h, "activities")));
		snprintf(line, sizeof line, "SEARCH hub=%s limit=100", hub);
		r = request_json(fd, line);
		cr_assert_eq(json_array_size(json_object_get(r, "results")),
		    total < 100 ? total : 100);
		json_array_foreach(json_object_get(r, "results"), j, a) {
			json_t	*g, *hid;
			size_t	 k;
			int	 found = 0;

			snprintf(line, sizeof line, "GET id=\"%s\"",
			    json_string_value(json_object_get(a, "id")));
			g = request_json(fd, line);
			json_array_foreach(json_object_get(json_object_get(g,
			    "activity"), "hubs"), k, hid)
				found |= strcmp(json_string_value(hid), hub) == 0;
			cr_expect(found, "%s found in %s but not listed there",
			    json_string_value(json_object_get(a, "id")), hub);
			json_decref(g);
		}
		json_decref(r);
	}
	json_decref(hubs);
	close(fd);
}

Test(daemon, get_returns_the_whole_record)
{
	int	 fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	json_t	*r, *first, *g, *act;
	char	 line[512];

	r = request_json(fd, "SEARCH hub=north-dorset limit=1");
	first = json_array_get(json_object_get(r, "results"), 0);
	cr_assert_not_null(first);
	snprintf(line, sizeof line, "GET id=\"%s\"",
	    json_string_value(json_object_get(first, "id")));
	g = request_json(fd, line);
	act = json_object_get(g, "activity");
	cr_assert(json_is_true(json_object_get(g, "ok")));
	cr_assert_str_eq(json_string_value(json_object_get(act, "id")),
	    json_string_value(json_object_get(first, "id")));
	cr_assert_str_eq(json_string_value(json_object_get(act, "title")),
	    json_string_value(json_object_get(first, "title")));
	cr_assert_str_eq(json_string_value(json_object_get(act, "state")),
	    "updated");
	cr_assert_not_null(json_object_get(act, "spoke"));
	cr_assert_not_null(json_object_get(act, "start"));
	json_decref(g);
	json_decref(r);
	close(fd);
}

Test(daemon, paging_with_cursor_visits_every_activity_once)
{
	int		 fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	json_t		*seen = json_object(), *r, *a;
	json_t		*hubs = request_json(fd, "HUBS"), *f;
	long long	 expect;
	const char	*hub = json_string_value(json_object_get(
			    json_array_get(json_object_get(hubs, "hubs"), 0),
			    "id"));
	char		 line[1024], *cursor = NULL;
	size_t		 i;
	int		 pages = 0;

	/* as many as FACETS counts in the same (default) window */
	snprintf(line, sizeof line, "FACETS hub=%s", hub);
	f = request_json(fd, line);
	expect = json_integer_value(json_object_get(f, "total"));
	json_decref(f);

	do {
		if (cursor == NULL)
			snprintf(line, sizeof line, "SEARCH hub=%s limit=7",
			    hub);
		else
			snprintf(line, sizeof line,
			    "SEARCH hub=%s limit=7 cursor=\"%s\"", hub, cursor);
		free(cursor);
		cursor = NULL;
		r = request_json(fd, line);
		cr_assert(json_is_true(json_object_get(r, "ok")));
		json_array_foreach(json_object_get(r, "results"), i, a) {
			const char *id = json_string_value(json_object_get(a,
			    "id"));

			cr_expect_null(json_object_get(seen, id),
			    "%s returned twice", id);
			json_object_set_new(seen, id, json_true());
		}
		if (json_is_string(json_object_get(r, "next")))
			cursor = strdup(json_string_value(json_object_get(r,
			    "next")));
		json_decref(r);
		pages++;
	} while (cursor != NULL && pages < 100);
	cr_assert_eq((long long)json_object_size(seen), expect);
	if (expect > 7)
		cr_assert_geq(pages, 2);
	json_decref(seen);
	json_decref(hubs);
	close(fd);
}

Test(daemon, pipelined_requests_are_answered_in_order)
{
	int	 fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	char	*r;

	/* Three requests in one write; the helper sends the last LF. */
	r = tu_request(fd, "HELLO\r\nFROB\nQUIT", 5000);
	cr_assert_not_null(r);
	cr_assert_not_null(strstr(r, "\"server\":\"dayhubd\""));
	free(r);
	r = tu_request(fd, NULL, 5000);
	cr_assert_not_null(r);
	cr_assert_not_null(strstr(r, "unknown_command"));
	free(r);
	r = tu_request(fd, NULL, 5000);
	cr_assert_str_eq(r, "{\"ok\":true,\"bye\":true}");
	free(r);
	/* QUIT closed it. */
	cr_assert_null(tu_request(fd, NULL, 2000));
	close(fd);
}

/*
 * SEARCH, GET and FACETS are answered on the read threads, HELLO and
 * HUBS on the loop: pipelined, they still come back in request order.
 */
Test(daemon, pooled_and_loop_commands_keep_request_order)
{
	static const char *const want[] = {
		"\"results\"", "\"server\":\"dayhubd\"", "not_found",
		"\"morning\"", "\"hubs\"", "\"results\"",
	};
	int	 fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	char	*r;
	size_t	 i, round;

	for (round = 0; round < 5; round++) {
		r = tu_request(fd, "SEARCH hub=dorchester-west q=art\n"
		    "HELLO\nGET id=nobody:nothing\n"
		    "FACETS hub=weymouth-portland\nHUBS\n"
		    "SEARCH hub=north-dorset", 5000);
		for (i = 0; i < nitems(want); i++) {
			if (i > 0)
				r = tu_request(fd, NULL, 5000);
			cr_assert_not_null(r, "round %zu reply %zu missing",
			    round, i);
			cr_expect_not_null(strstr(r, want[i]),
			    "round %zu reply %zu: %s", round, i, r);
			free(r);
		}
	}
	close(fd);
}

/* Clients that leave with a search in the pool cost nothing but it. */
Test(daemon, clients_gone_mid_search_leave_the_daemon_whole)
{
	static const char pair[] = "SEARCH hub=dorchester-west\n"
	    "SEARCH hub=north-dorset q=walk*\n";
	int	 fds[32], fd;
	size_t	 i;
	json_t	*r;

	for (i = 0; i < nitems(fds); i++) {
		fds[i] = tu_connect("127.0.0.1", fx.line_port, 5000);
		cr_assert(fds[i] >= 0);
		cr_assert_eq(write(fds[i], pair, strlen(pair)),
		    (ssize_t)strlen(pair));
	}
	for (i = 0; i < nitems(fds); i++)
		close(fds[i]);
	fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	r = request_json(fd, "SEARCH hub=dorchester-west q=swimming");
	cr_expect(json_is_true(json_object_get(r, "ok")));
	cr_expect_gt(json_array_size(json_object_get(r, "results")), 0);
	json_decref(r);
	close(fd);
}

/* With search-threads 0 the loop answers searches itself, the same. */
Test(daemon, search_threads_zero_answers_on_the_loop)
{
	int	 fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	json_t	*pooled, *looped;
	char	*a, *b;

	pooled = request_json(fd, "SEARCH hub=dorchester-west q=art");
	close(fd);
	stop_daemon();
	start_daemon("search-threads 0\n");
	fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	looped = request_json(fd, "SEARCH hub=dorchester-west q=art");
	close(fd);
	a = json_dumps(pooled, JSON_SORT_KEYS);
	b = json_dumps(looped, JSON_SORT_KEYS);
	cr_expect(json_is_true(json_object_get(looped, "ok")));
	cr_expect_str_eq(a, b);
	free(a);
	free(b);
	json_decref(pooled);
	json_decref(looped);
}

Test(daemon, an_over_long_line_is_refused_and_closed)
{
	int	 fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	char	*big = malloc(9000), *r;

	memset(big, 'a', 8999);
	big[8999] = '\0';
	memcpy(big, "SEARCH q=", 9);
	r = tu_request(fd, big, 5000);
	cr_assert_not_null(r);
	cr_assert_str_eq(r, "{\"ok\":false,\"error\":{\"code\":"
	    "\"line_too_long\",\"message\":\"a request line may be at most "
	    "8192 bytes\"}}");
	free(r);
	cr_assert_null(tu_request(fd, NULL, 2000), "still open");
	free(big);
	close(fd);

	/* The daemon is fine. */
	fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	r = tu_request(fd, "QUIT", 5000);
	cr_assert_str_eq(r, "{\"ok\":true,\"bye\":true}");
	free(r);
	close(fd);
}

Test(daemon, a_line_of_exactly_the_limit_is_accepted)
{
	int	 fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	char	*line = malloc(8192), *r;

	/* 8191 bytes plus the LF the helper adds: exactly 8192. */
	memset(line, ' ', 8191);
	memcpy(line, "HELLO", 5);
	line[8191] = '\0';
	r = tu_request(fd, line, 5000);
	cr_assert_not_null(r);
	cr_assert_not_null(strstr(r, "\"ok\":true"), "%s", r);
	free(r);
	free(line);
	close(fd);
}

static size_t
curl_body_cb(char *p, size_t size, size_t n, void *arg)
{
	json_t		**out = arg;
	json_error_t	  jerr;

	*out = json_loadb(p, size * n, 0, &jerr);
	return size * n;
}

/* GETs a URL; returns the status and the parsed JSON body. */
static long
http_get(const char *path, json_t **body)
{
	CURL	*c = curl_easy_init();
	char	 url[1024];
	long	 status = 0;

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", fx.http_port, path);
	*body = NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	cr_assert_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}

/* HTTP path, the same request on the line protocol, the status. */
static const struct {
	const char	*path;
	const char	*line;
	long		 status;
} http_rows[] = {
	{ "/v1/hello", "HELLO", 200 },
	{ "/v1/hubs", "HUBS", 200 },
	{ "/v1/hubs/dorchester-west/search?q=swimming",
	  "SEARCH hub=dorchester-west q=swimming", 200 },
	{ "/v1/hubs/north-dorset/search?q=dementia%20cafe&limit=3",
	  "SEARCH hub=north-dorset q=\"dementia cafe\" limit=3", 200 },
	{ "/v1/hubs/nowhere/search?q=art", "SEARCH hub=nowhere q=art", 404 },
	{ "/v1/hubs/north-dorset/search?limit=500",
	  "SEARCH hub=north-dorset limit=500", 400 },
	{ "/v1/hubs/north-dorset/search?colour=red",
	  "SEARCH hub=north-dorset colour=red", 400 },
	{ "/v1/activities/nobody%3Anothing", "GET id=nobody:nothing", 404 },
	{ "/v1/hubs/north-dorset/facets?days=tue,wed&free=yes",
	  "FACETS hub=north-dorset days=tue,wed free=yes", 200 },
	{ "/v1/hubs/nowhere/facets", "FACETS hub=nowhere", 404 },
	{ "/v1/hubs/north-dorset/facets?limit=3",
	  "FACETS hub=north-dorset limit=3", 400 },
	{ "/v1/hubs/north-dorset/categories", "CATEGORIES hub=north-dorset",
	  200 },
	{ "/v1/hubs/nowhere/categories", "CATEGORIES hub=nowhere", 404 },
	{ "/v1/hubs/north-dorset/search?near=50.95,-2.51&within=5&days=weekend",
	  "SEARCH hub=north-dorset near=50.95,-2.51 within=5 days=weekend",
	  200 },
};

Test(daemon, http_gives_the_same_answers_as_the_line_protocol)
{
	int	fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	size_t	i;

	for (i = 0; i < sizeof http_rows / sizeof http_rows[0]; i++) {
		json_t	*hb, *lb;
		long	 status = http_get(http_rows[i].path, &hb);

		lb = request_json(fd, http_rows[i].line);
		cr_expect_eq(status, http_rows[i].status, "%s: status %ld",
		    http_rows[i].path, status);
		cr_assert_not_null(hb, "%s: no JSON body", http_rows[i].path);
		cr_expect(json_equal(hb, lb), "%s differs from %s",
		    http_rows[i].path, http_rows[i].line);
		json_decref(hb);
		json_decref(lb);
	}
	close(fd);
}

Test(daemon, http_unknown_path_is_a_json_404)
{
	json_t	*b;

	cr_assert_eq(http_get("/v2/nothing", &b), 404);
	cr_assert_not_null(b);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(b,
	    "error"), "code")), "not_found");
	json_decref(b);
}

/* SIGHUP with a broken file: refused, the old config keeps running. */
Test(daemon, a_bad_config_at_sighup_is_refused)
{
	int	 fd;
	char	*log;
	json_t	*r;

	cr_assert(tu_write_file(fx.conf, "listen line 127.0.0.1:0\n"
	    "hub broken {\n  spoke x {\n") == 0);
	cr_assert(kill(fx.pid, SIGHUP) == 0);
	usleep(500000);
	log = tu_read_file(fx.log);
	cr_assert_not_null(strstr(log, "reload refused"), "log: %s", log);
	cr_assert_not_null(strstr(log, "dayhub.conf:"), "no file:line");
	free(log);
	fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	r = request_json(fd, "HUBS");
	cr_assert_eq(json_array_size(json_object_get(r, "hubs")), DEMO_HUBS);
	json_decref(r);
	close(fd);
}

/* A spoke whose feed turns to garbage keeps its previous listings. */
Test(daemon, a_malformed_feed_keeps_the_previous_records)
{
	char		*conf, *log, *p, path[4096];
	int		 fd, tries;
	long long	 before, after;
	const char	*spoke_url = "url file:";

	fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	before = total_activities(fd);

	/* Point the first spoke at a new file holding garbage. */
	snprintf(path, sizeof path, "%s/garbage.rss", fx.dir);
	cr_assert(tu_write_file(path, "<rss><channel><item><title>unclosed"
	    "\x01\x02 &bogus; <<<") == 0);
	conf = tu_read_file(fx.conf);
	/* The first statement (not a comment) that names a file: url. */
	for (p = strstr(conf, spoke_url); p != NULL;
	    p = strstr(p + 1, spoke_url)) {
		const char *q = p;

		while (q > conf && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (q == conf || q[-1] == '\n')
			break;
	}
	cr_assert_not_null(p, "the demo config has no file: url");
	{
		char	*end = strchr(p, '\n'), *nc;

		*p = '\0';
		asprintf(&nc, "%surl file:garbage.rss%s", conf, end);
		cr_assert(tu_write_file(fx.conf, nc) == 0);
		free(nc);
	}
	free(conf);
	cr_assert(kill(fx.pid, SIGHUP) == 0);
	for (tries = 0; tries < 100; tries++) {
		log = tu_read_file(fx.log);
		p = strstr(log, "not updated");
		free(log);
		if (p != NULL)
			break;
		usleep(50000);
	}
	cr_assert(tries < 100, "the failure was not logged");
	after = total_activities(fd);
	cr_assert_eq(after, before, "records changed: %lld -> %lld", before,
	    after);
	close(fd);
}

/* Shut down with a client connected: it gets its replies, then EOF. */
Test(daemon, sigterm_finishes_replies_and_exits_cleanly)
{
	int	 fd = tu_connect("127.0.0.1", fx.line_port, 5000);
	char	*r = tu_request(fd, "HELLO", 5000);

	cr_assert_not_null(r);
	free(r);
	cr_assert_eq(tu_stop(fx.pid, 10000), 0);
	fx.pid = 0;
	cr_assert_null(tu_request(fd, NULL, 2000));
	close(fd);
}

/* dayhubctl against the daemon, and offline. */
static char *
run_ctl(const char *args, int *status)
{
	char	 cmd[8192], *out, *outpath;
	int	 st;

	/* Standard error joins the output unless `args` sends it away. */
	asprintf(&outpath, "%s/ctl.out", fx.dir);
	snprintf(cmd, sizeof cmd, "%s/daemon/dayhubctl -s 127.0.0.1:%d %s "
	    ">%s%s", tu_builddir(), fx.line_port, args, outpath,
	    strstr(args, "2>") != NULL ? "" : " 2>&1");
	st = system(cmd);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	out = tu_read_file(outpath);
	free(outpath);
	return out != NULL ? out : strdup("");
}

Test(daemon, dayhubctl_search_prints_readable_results)
{
	int	 st;
	char	*out = run_ctl("search --hub dorchester-west swimming", &st);

	cr_assert_eq(st, 0, "%s", out);
	cr_assert_not_null(strcasestr(out, "swim"), "%s", out);
	cr_assert_not_null(strstr(out, "id: "), "%s", out);
	free(out);
	out = run_ctl("search --hub nowhere art", &st);
	cr_assert_eq(st, 1);
	cr_assert_not_null(strstr(out, "unknown_hub"), "%s", out);
	free(out);
	out = run_ctl("--json hubs", &st);
	cr_assert_eq(st, 0);
	cr_assert_eq(strncmp(out, "{\"ok\":true", 10), 0, "%s", out);
	free(out);
}

Test(daemon, dayhubctl_parse_prints_v1_records)
{
	char	 args[4096], *out, *line, *save = NULL;
	int	 st, n = 0;
	DIR	*d;
	struct dirent *de;
	char	 feed[8192] = "";

	snprintf(args, sizeof args, "%s/feeds/demo", tu_srcdir());
	cr_assert_not_null(d = opendir(args));
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".rss") != NULL && feed[0] == '\0')
			snprintf(feed, sizeof feed, "%s/%s", args, de->d_name);
	closedir(d);
	snprintf(args, sizeof args, "parse --plugin-dir %s/plugins/.libs %s "
	    "2>/dev/null", tu_builddir(), feed);
	out = run_ctl(args, &st);
	cr_assert_eq(st, 0, "%s", out);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		json_error_t	 jerr;
		json_t		*rec = json_loads(line, 0, &jerr);

		cr_assert_not_null(rec, "not JSON: %s", line);
		cr_expect(json_is_string(json_object_get(rec, "id")));
		cr_expect(json_is_string(json_object_get(rec, "title")));
		cr_expect(json_is_string(json_object_get(rec, "start")));
		json_decref(rec);
		n++;
	}
	cr_assert_gt(n, 3);
	free(out);

	snprintf(args, sizeof args, "%s/garbage.txt", fx.dir);
	tu_write_file(args, "this is not a feed at all\n");
	snprintf(args, sizeof args, "parse --plugin-dir %s/plugins/.libs "
	    "%s/garbage.txt", tu_builddir(), fx.dir);
	out = run_ctl(args, &st);
	cr_assert_eq(st, 1, "%s", out);
	cr_assert_not_null(strstr(out, "garbage.txt"), "%s", out);
	free(out);
}
