/*
 * test_fetch.c - feed transfers against a real feed server on loopback,
 * through a real event loop.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <event2/event.h>

#include "dayhub.h"
#include "testutil.h"

#define MIB		(1024 * 1024)
#define RUN_LIMIT_MS	15000

/* What one callback saw, copied out of the result. */
struct outcome {
	int		 calls;
	long		 status;
	char		*content_type;
	char		*effective_url;
	char		*error;
	unsigned char	*body;
	size_t		 len;
	double		 seconds;
	struct fetcher	*restart;	/* the callback starts `chain` more */
	int		 chain;
	const char	*next_url;
};

static char		*dir;
static pid_t		 server = -1;
static int		 port;
static struct event_base *base;
static int		 in_start;	/* inside fetch_start() */
static int		 total_calls;

static const char feed_text[] =
    "<?xml version=\"1.0\"?>\n"
    "<rss version=\"2.0\"><channel><title>Riverside Art Club</title>\n"
    "<item><title>Open studio</title><guid>a1</guid>\n"
    "<description>Painting and drawing for all abilities; the studio is "
    "step-free and has a quiet room.  Carers come free.</description>"
    "</item>\n"
    "<item><title>Pottery</title><guid>a2</guid>\n"
    "<description>Hand-building with clay, Tuesdays 10:00 to 12:00, "
    "wheelchair accessible, hearing loop in the main hall.</description>"
    "</item>\n"
    "</channel></rss>\n";

static void
setup(void)
{
	char	*path, *log, *big;

	signal(SIGPIPE, SIG_IGN);
	/* Loopback only, whatever the environment says. */
	unsetenv("http_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("https_proxy");
	unsetenv("ALL_PROXY");
	unsetenv("all_proxy");
	dir = tu_tmpdir("fetch");
	cr_assert(asprintf(&path, "%s/feed.rss", dir) != -1);
	cr_assert(tu_write_file(path, feed_text) == 0);
	free(path);
	cr_assert(asprintf(&path, "%s/empty.rss", dir) != -1);
	cr_assert(tu_write_file(path, "") == 0);
	free(path);
	big = malloc(2 * MIB + 1);
	cr_assert(big != NULL);
	memset(big, 'x', 2 * MIB);
	big[2 * MIB] = '\0';
	cr_assert(asprintf(&path, "%s/big.txt", dir) != -1);
	cr_assert(tu_write_file(path, big) == 0);
	free(path);
	free(big);

	cr_assert(asprintf(&log, "%s/feedserver.log", dir) != -1);
	server = tu_start_feedserver(dir, &port, log);
	free(log);
	cr_assert((base = event_base_new()) != NULL);
	in_start = 0;
	total_calls = 0;
}

static void
teardown(void)
{
	if (server > 0)
		tu_stop(server, 5000);
	server = -1;
	if (base != NULL)
		event_base_free(base);
	base = NULL;
	tu_rm_rf(dir);
	free(dir);
	dir = NULL;
}

TestSuite(fetch, .init = setup, .fini = teardown, .timeout = 60);

/*
 * The server survived whatever the test did to its connections, and
 * exits cleanly (under AddressSanitizer, that includes no leaks).  A
 * teardown cannot fail a test, so each test ends with this.
 */
static void
server_stops_cleanly(void)
{
	int	status;

	status = tu_stop(server, 5000);
	server = -1;
	cr_assert_eq(status, 0, "the feed server exited with %d", status);
}

static void
outcome_clear(struct outcome *o)
{
	free(o->content_type);
	free(o->effective_url);
	free(o->error);
	free(o->body);
	memset(o, 0, sizeof *o);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* Records a result, takes its body, and chains more fetches if asked. */
static void
record_cb(struct fetch_result *r, void *arg)
{
	struct outcome	*o = arg;

	cr_assert(!in_start, "a callback ran inside fetch_start()");
	total_calls++;
	if (o->calls++ > 0)
		return;
	o->status = r->status;
	o->content_type = dup_or_null(r->content_type);
	o->effective_url = dup_or_null(r->effective_url);
	o->error = dup_or_null(r->error);
	o->len = r->len;
	o->seconds = r->seconds;
	o->body = r->body;
	r->body = NULL;
	if (o->chain > 0) {
		(o + 1)->chain = o->chain - 1;
		(o + 1)->next_url = o->next_url;
		(o + 1)->restart = o->restart;
		cr_assert(fetch_start(o->restart, o->next_url, record_cb,
		    o + 1) == 0);
	}
}

/* Starts a fetch, making sure the callback cannot run inside. */
static void
start(struct fetcher *f, const char *url, struct outcome *o)
{
	in_start = 1;
	cr_assert(fetch_start(f, url, record_cb, o) == 0, "fetch_start %s",
	    url);
	in_start = 0;
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
}

/*
 * Runs the loop until `want` callbacks have happened in all, or `ms`
 * milliseconds have passed; a ticking timer keeps each turn short.
 */
static void
run_until(int want, int ms)
{
	struct timeval	 tick = { 0, 20000 }, t0, t;
	struct event	*ev;

	ev = event_new(base, -1, EV_PERSIST, tick_cb, NULL);
	event_add(ev, &tick);
	gettimeofday(&t0, NULL);
	for (;;) {
		if (want >= 0 && total_calls >= want)
			break;
		gettimeofday(&t, NULL);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_usec - t0.tv_usec) / 1000 >= ms)
			break;
		event_base_loop(base, EVLOOP_ONCE);
	}
	event_free(ev);
}

/* A loopback port with nothing listening on it. */
static int
dead_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, p;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	cr_assert(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
	cr_assert(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	p = ntohs(sin.sin_port);
	close(fd);
	return p;
}

static struct fetch_options
options(void)
{
	struct fetch_options	o;

	memset(&o, 0, sizeof o);
	o.user_agent = "dayhub-test/1";
	o.timeout = 10;
	o.connect_timeout = 5;
	o.max_bytes = MIB;
	o.max_redirects = 5;
	return o;
}

/* --- the table --- */

enum url_kind {
	U_HTTP,		/* http://127.0.0.1:PORT + path */
	U_FILE,		/* file:// + the served directory + path */
	U_DEAD,		/* http:// to a port nobody listens on */
	U_RAW,		/* path is the whole URL */
	U_LONG		/* an http URL longer than the limit */
};

struct fetch_case {
	const char	*name;
	enum url_kind	 kind;
	const char	*path;
	int		 allow_file;
	unsigned long long timeout;	/* 0: the default of options() */
	long		 max_redirects;	/* 0: the default of options() */
	long		 status;
	const char	*error;		/* substring, or NULL for success */
	const char	*error2;	/* a second substring, or NULL */
	const char	*content_type;	/* exact, or NULL for none */
	const char	*body;		/* substring, or NULL */
	long long	 len;		/* exact body length, or -1 */
	const char	*url_path;	/* effective_url is the server's plus
					   this, or NULL */
	double		 max_seconds;	/* 0: not checked */
};

static const struct fetch_case cases[] = {
	{ .name = "200 with body and content type", .kind = U_HTTP,
	    .path = "/feed.rss", .status = 200,
	    .content_type = "application/rss+xml",
	    .body = "Riverside Art Club", .len = sizeof feed_text - 1,
	    .url_path = "/feed.rss" },
	{ .name = "200 with an empty body", .kind = U_HTTP,
	    .path = "/empty.rss", .status = 200,
	    .content_type = "application/rss+xml", .len = 0 },
	{ .name = "file URL allowed", .kind = U_FILE, .path = "/feed.rss",
	    .allow_file = 1, .status = 0, .body = "Riverside Art Club",
	    .len = sizeof feed_text - 1 },
	{ .name = "file URL refused", .kind = U_FILE, .path = "/feed.rss",
	    .allow_file = 0, .error = "the URL scheme is not allowed: file",
	    .len = -1 },
	{ .name = "file URL missing", .kind = U_FILE, .path = "/nope.rss",
	    .allow_file = 1, .error = "file not found: ",
	    .error2 = "/nope.rss", .len = -1 },
	{ .name = "file URL of a directory", .kind = U_FILE, .path = "/",
	    .allow_file = 1, .error = "this is a directory, not a file: ",
	    .len = -1 },
	{ .name = "file over the limit", .kind = U_FILE, .path = "/big.txt",
	    .allow_file = 1,
	    .error = "the feed is larger than the limit of 1048576 bytes",
	    .len = -1 },
	{ .name = "ftp refused", .kind = U_RAW, .path = "ftp://127.0.0.1/x",
	    .error = "the URL scheme is not allowed: ftp", .len = -1 },
	{ .name = "malformed URL", .kind = U_RAW,
	    .path = "http://exa mple.org/feed", .error = "the URL is not valid",
	    .len = -1 },
	{ .name = "no scheme", .kind = U_RAW, .path = "example.org/feed",
	    .error = "the URL is not valid", .len = -1 },
	{ .name = "URL too long", .kind = U_LONG,
	    .error = "the URL is longer than 4096 bytes", .len = -1 },
	{ .name = "404", .kind = U_HTTP, .path = "/status/404", .status = 404,
	    .error = "the server answered 404 Not Found", .len = -1 },
	{ .name = "410", .kind = U_HTTP, .path = "/status/410", .status = 410,
	    .error = "the server answered 410 Gone", .len = -1 },
	{ .name = "500", .kind = U_HTTP, .path = "/status/500", .status = 500,
	    .error = "the server answered 500 Internal Server Error",
	    .len = -1 },
	{ .name = "503", .kind = U_HTTP, .path = "/status/503", .status = 503,
	    .error = "the server answered 503 Service Unavailable", .len = -1 },
	{ .name = "an unlisted status", .kind = U_HTTP, .path = "/status/418",
	    .status = 418, .error = "the server answered 418", .len = -1 },
	{ .name = "304 is not a body yet", .kind = U_HTTP,
	    .path = "/status/304", .status = 304,
	    .error = "the server answered 304 Not Modified", .len = -1 },
	{ .name = "redirects within the limit", .kind = U_HTTP,
	    .path = "/redirect/3/feed.rss", .status = 200,
	    .content_type = "application/rss+xml",
	    .body = "Riverside Art Club", .len = sizeof feed_text - 1,
	    .url_path = "/feed.rss" },
	{ .name = "a 308 redirect", .kind = U_HTTP,
	    .path = "/redirect-code/308/feed.rss", .status = 200,
	    .len = sizeof feed_text - 1, .url_path = "/feed.rss" },
	{ .name = "a redirect to a 404", .kind = U_HTTP,
	    .path = "/redirect/1/status/404", .status = 404,
	    .error = "the server answered 404 Not Found", .len = -1,
	    .url_path = "/status/404" },
	{ .name = "redirects beyond the limit", .kind = U_HTTP,
	    .path = "/redirect/8/feed.rss", .status = 302,
	    .error = "too many redirects (more than 5)", .len = -1 },
	{ .name = "a lower redirect limit", .kind = U_HTTP,
	    .path = "/redirect/3/feed.rss", .max_redirects = 2, .status = 302,
	    .error = "too many redirects (more than 2)", .len = -1 },
	{ .name = "a redirect loop", .kind = U_HTTP, .path = "/loop",
	    .status = 302, .error = "too many redirects (more than 5)",
	    .error2 = "redirects back to itself", .len = -1 },
	{ .name = "a body over the limit stops early", .kind = U_HTTP,
	    .path = "/big/52428800", .status = 200,
	    .error = "the feed is larger than the limit of 1048576 bytes",
	    .len = -1, .max_seconds = 5 },
	{ .name = "a body just within the limit", .kind = U_HTTP,
	    .path = "/big/1048576", .status = 200,
	    .content_type = "application/octet-stream", .len = MIB },
	{ .name = "gzip is decoded", .kind = U_HTTP, .path = "/gzip/feed.rss",
	    .status = 200, .content_type = "application/rss+xml",
	    .body = "Riverside Art Club", .len = sizeof feed_text - 1 },
	{ .name = "a slow drip times out", .kind = U_HTTP,
	    .path = "/slow/300/feed.rss", .timeout = 1, .status = 200,
	    .error = "timed out after 1 second", .len = -1,
	    .max_seconds = 4 },
	{ .name = "a slow drip within the timeout", .kind = U_HTTP,
	    .path = "/slow/10/feed.rss", .status = 200,
	    .body = "Riverside Art Club", .len = sizeof feed_text - 1 },
	{ .name = "a connection closed mid-body", .kind = U_HTTP,
	    .path = "/close/feed.rss", .status = 200,
	    .error = "closed before the whole feed arrived", .len = -1 },
	{ .name = "headers over the limit", .kind = U_HTTP,
	    .path = "/headers/300000", .status = 200,
	    .error = "sent more than 262144 bytes of headers", .len = -1 },
	{ .name = "headers within the limit", .kind = U_HTTP,
	    .path = "/headers/100000", .status = 200, .body = "padded",
	    .len = 7 },
	{ .name = "a redirect to an over-long address", .kind = U_HTTP,
	    .path = "/long-location/5000", .status = 302,
	    .error = "redirected to an address longer than 4096 bytes",
	    .len = -1 },
	{ .name = "connection refused", .kind = U_DEAD, .path = "/feed.rss",
	    .error = "could not connect to 127.0.0.1:",
	    .error2 = ": Connection refused", .len = -1 },
};

#define NCASES	(sizeof cases / sizeof cases[0])

/* Rows are passed by index: a worker process reads its own table. */
ParameterizedTestParameters(fetch, table)
{
	static size_t	rows[NCASES];
	size_t		i;

	for (i = 0; i < NCASES; i++)
		rows[i] = i;
	return cr_make_param_array(size_t, rows, NCASES);
}

/* Fetches one URL of the table and checks every part of the result. */
ParameterizedTest(size_t *row, fetch, table)
{
	const struct fetch_case	*c = &cases[*row];
	struct fetch_options	 opts = options();
	struct fetcher		*f;
	struct outcome		 o;
	char			*url = NULL, *want = NULL;
	size_t			 n;

	memset(&o, 0, sizeof o);
	opts.allow_file = c->allow_file;
	if (c->timeout != 0)
		opts.timeout = c->timeout;
	if (c->max_redirects != 0)
		opts.max_redirects = c->max_redirects;
	switch (c->kind) {
	case U_HTTP:
		cr_assert(asprintf(&url, "http://127.0.0.1:%d%s", port,
		    c->path) != -1);
		break;
	case U_FILE:
		cr_assert(asprintf(&url, "file://%s%s", dir, c->path) != -1);
		break;
	case U_DEAD:
		cr_assert(asprintf(&url, "http://127.0.0.1:%d%s", dead_port(),
		    c->path) != -1);
		break;
	case U_RAW:
		cr_assert((url = strdup(c->path)) != NULL);
		break;
	case U_LONG:
		cr_assert((url = malloc(5000)) != NULL);
		n = (size_t)snprintf(url, 5000, "http://127.0.0.1:%d/", port);
		memset(url + n, 'a', 5000 - n - 1);
		url[4999] = '\0';
		break;
	}

	f = fetch_new(base, &opts);
	start(f, url, &o);
	cr_assert_eq(fetch_inflight(f), 1);
	run_until(1, RUN_LIMIT_MS);
	cr_assert_eq(o.calls, 1, "%s: callback ran %d times", c->name,
	    o.calls);
	cr_assert_eq(fetch_inflight(f), 0);

	if (c->error == NULL)
		cr_expect_null(o.error, "%s: unexpected error: %s", c->name,
		    o.error);
	else {
		cr_assert_not_null(o.error, "%s: no error", c->name);
		cr_expect(strstr(o.error, c->error) != NULL,
		    "%s: error \"%s\" lacks \"%s\"", c->name, o.error,
		    c->error);
		if (c->error2 != NULL)
			cr_expect(strstr(o.error, c->error2) != NULL,
			    "%s: error \"%s\" lacks \"%s\"", c->name, o.error,
			    c->error2);
	}
	cr_expect_eq(o.status, c->status, "%s: status %ld, not %ld", c->name,
	    o.status, c->status);
	if (c->content_type != NULL)
		cr_expect(o.content_type != NULL &&
		    strcmp(o.content_type, c->content_type) == 0,
		    "%s: content type %s", c->name,
		    o.content_type ? o.content_type : "(none)");
	else if (c->kind == U_FILE)
		cr_expect_null(o.content_type, "%s: content type %s", c->name,
		    o.content_type);
	if (c->error == NULL)
		cr_expect_not_null(o.body, "%s: no body", c->name);
	if (c->body != NULL)
		cr_expect(o.body != NULL && strstr((char *)o.body,
		    c->body) != NULL, "%s: body lacks \"%s\"", c->name,
		    c->body);
	if (c->len >= 0)
		cr_expect_eq(o.len, (size_t)c->len, "%s: length %zu, not %lld",
		    c->name, o.len, c->len);
	if (c->url_path != NULL) {
		cr_assert(asprintf(&want, "http://127.0.0.1:%d%s", port,
		    c->url_path) != -1);
		cr_expect(o.effective_url != NULL &&
		    strcmp(o.effective_url, want) == 0,
		    "%s: effective URL %s, not %s", c->name, o.effective_url,
		    want);
		free(want);
	}
	cr_expect_not_null(o.effective_url);
	if (c->max_seconds > 0)
		cr_expect(o.seconds < c->max_seconds, "%s: took %.2f seconds",
		    c->name, o.seconds);
	if (c->len < 0 && c->error != NULL)
		cr_expect(o.len <= MIB, "%s: kept %zu bytes", c->name, o.len);

	/* Nothing more arrives later. */
	run_until(-1, 100);
	cr_expect_eq(o.calls, 1);

	outcome_clear(&o);
	fetch_free(f);
	free(url);
	server_stops_cleanly();
}

/* Fifty transfers at once, mixed, each completes exactly once. */
Test(fetch, many_at_once)
{
	struct fetch_options	 opts = options();
	struct fetcher		*f;
	struct outcome		 o[50];
	char			 url[128];
	int			 i;

	memset(o, 0, sizeof o);
	f = fetch_new(base, &opts);
	for (i = 0; i < 50; i++) {
		snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port,
		    i % 5 == 4 ? "/status/404" : i % 5 == 3 ?
		    "/gzip/feed.rss" : i % 5 == 2 ? "/redirect/2/feed.rss" :
		    i % 5 == 1 ? "/slow/5/feed.rss" : "/feed.rss");
		start(f, url, &o[i]);
	}
	cr_assert_eq(fetch_inflight(f), 50);
	run_until(50, RUN_LIMIT_MS);
	run_until(-1, 200);
	cr_assert_eq(total_calls, 50);
	cr_assert_eq(fetch_inflight(f), 0);
	for (i = 0; i < 50; i++) {
		cr_expect_eq(o[i].calls, 1, "transfer %d ran %d times", i,
		    o[i].calls);
		if (i % 5 == 4)
			cr_expect(o[i].error != NULL && o[i].status == 404);
		else
			cr_expect(o[i].error == NULL &&
			    o[i].len == sizeof feed_text - 1,
			    "transfer %d: %s", i, o[i].error);
		outcome_clear(&o[i]);
	}
	fetch_free(f);
	server_stops_cleanly();
}

/* A callback may start the next transfer, good or bad. */
Test(fetch, callbacks_start_more)
{
	struct fetch_options	 opts = options();
	struct fetcher		*f;
	struct outcome		 ok[6], bad[4];
	char			 url[128];
	int			 i;

	memset(ok, 0, sizeof ok);
	memset(bad, 0, sizeof bad);
	f = fetch_new(base, &opts);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/feed.rss", port);
	ok[0].restart = f;
	ok[0].chain = 5;
	ok[0].next_url = url;
	start(f, url, &ok[0]);
	bad[0].restart = f;
	bad[0].chain = 3;
	bad[0].next_url = "gopher://127.0.0.1/x";
	start(f, "gopher://127.0.0.1/x", &bad[0]);

	run_until(10, RUN_LIMIT_MS);
	run_until(-1, 100);
	cr_assert_eq(total_calls, 10);
	cr_assert_eq(fetch_inflight(f), 0);
	for (i = 0; i < 6; i++) {
		cr_expect_eq(ok[i].calls, 1);
		cr_expect_null(ok[i].error, "%d: %s", i, ok[i].error);
		outcome_clear(&ok[i]);
	}
	for (i = 0; i < 4; i++) {
		cr_expect_eq(bad[i].calls, 1);
		cr_expect(bad[i].error != NULL && strstr(bad[i].error,
		    "not allowed: gopher") != NULL);
		outcome_clear(&bad[i]);
	}
	fetch_free(f);
	server_stops_cleanly();
}

/* A body the callback leaves is NUL-terminated, and freed for it. */
static void
leave_body_cb(struct fetch_result *r, void *arg)
{
	int	*calls = arg;

	(*calls)++;
	total_calls++;
	cr_expect(r->body != NULL && r->len == sizeof feed_text - 1);
	cr_expect(r->body[r->len] == '\0');
}

Test(fetch, body_left_is_freed)
{
	struct fetch_options	 opts = options();
	struct fetcher		*f;
	char			 url[128];
	int			 calls = 0;

	f = fetch_new(base, &opts);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/feed.rss", port);
	cr_assert(fetch_start(f, url, leave_body_cb, &calls) == 0);
	run_until(1, RUN_LIMIT_MS);
	cr_assert_eq(calls, 1);
	fetch_free(f);
	server_stops_cleanly();
}

/*
 * fetch_free() with transfers in every state calls no callback and
 * leaves nothing behind (AddressSanitizer's leak check sees to that).
 */
Test(fetch, free_in_flight)
{
	struct fetch_options	 opts = options();
	struct fetcher		*f;
	struct outcome		 o[12];
	char			 url[128];
	int			 i;

	memset(o, 0, sizeof o);
	f = fetch_new(base, &opts);
	for (i = 0; i < 10; i++) {
		snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port,
		    i % 2 ? "/slow/1000/feed.rss" : "/slow/50/feed.rss");
		start(f, url, &o[i]);
	}
	/* Let the transfers connect and start to arrive. */
	run_until(-1, 150);
	cr_assert_eq(total_calls, 0);
	start(f, "ftp://127.0.0.1/x", &o[10]);	/* failed early */
	start(f, url, &o[11]);			/* not even connected */
	cr_assert_eq(fetch_inflight(f), 12);
	cr_assert_eq(total_calls, 0);
	fetch_free(f);
	run_until(-1, 200);
	cr_assert_eq(total_calls, 0, "fetch_free called a callback");
	server_stops_cleanly();
}

/* A fetcher freed before its loop ever ran. */
Test(fetch, free_before_loop)
{
	struct fetch_options	 opts = options();
	struct fetcher		*f;
	struct outcome		 o[2];
	char			 url[128];

	memset(o, 0, sizeof o);
	f = fetch_new(base, &opts);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/feed.rss", port);
	start(f, url, &o[0]);
	start(f, "ftp://127.0.0.1/x", &o[1]);
	fetch_free(f);
	run_until(-1, 100);
	cr_assert_eq(total_calls, 0);
	server_stops_cleanly();
}

/* Zero options take the defaults, and so does a negative redirect limit. */
Test(fetch, default_options)
{
	struct fetch_options	 opts;
	struct fetcher		*f;
	struct outcome		 o;
	char			 url[128];

	memset(&opts, 0, sizeof opts);
	memset(&o, 0, sizeof o);
	opts.max_redirects = -1;
	f = fetch_new(base, &opts);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/redirect/6/feed.rss",
	    port);
	start(f, url, &o);
	run_until(1, RUN_LIMIT_MS);
	cr_assert_eq(o.calls, 1);
	cr_expect(o.error != NULL &&
	    strstr(o.error, "too many redirects (more than 5)") != NULL,
	    "%s", o.error);
	outcome_clear(&o);
	fetch_free(f);
	server_stops_cleanly();
}

static pid_t	doomed_server = -1;

static void
kill_server(void)
{
	if (doomed_server > 0)
		tu_stop(doomed_server, 5000);
	tu_rm_rf(dir);
}

static void
free_from_callback_cb(struct fetch_result *r, void *arg)
{
	fetch_free(arg);
}

/* Freeing the fetcher from its own callback is a bug, and says so. */
Test(fetch, free_from_callback_is_fatal, .exit_code = 1)
{
	struct fetch_options	 opts = options();
	struct fetcher		*f;

	doomed_server = server;		/* teardown will not run */
	atexit(kill_server);
	cr_redirect_stderr();		/* the fatal message */
	f = fetch_new(base, &opts);
	cr_assert(fetch_start(f, "ftp://127.0.0.1/x", free_from_callback_cb,
	    f) == 0);
	run_until(-1, 2000);
	cr_assert_fail("fetch_free from a callback returned");
}

/* --- the helpers the process tests stand on --- */

/*
 * One timeout for every test in this program: criterion 2.4 leaks in its
 * runner when a later test has a shorter one, and the leak check fails.
 */
TestSuite(testutil, .timeout = 60);

/* A request line goes out whole and exactly one reply line comes back. */
Test(fetch, testutil_request_to_server)
{
	char	*reply;
	int	 fd;

	fd = tu_connect("127.0.0.1", port, 2000);
	cr_assert(fd != -1, "tu_connect: %s", strerror(errno));
	reply = tu_request(fd, "GET /status/410 HTTP/1.1\r\nHost: x\r\n\r",
	    5000);
	cr_assert_not_null(reply);
	cr_expect_str_eq(reply, "HTTP/1.1 410 Gone");
	free(reply);
	reply = tu_request(fd, "", 5000);	/* the next header line */
	cr_expect(reply != NULL && strncmp(reply, "Content-Type", 12) == 0,
	    "%s", reply);
	free(reply);
	close(fd);
	cr_expect_eq(tu_connect("127.0.0.1", dead_port(), 2000), -1);
	server_stops_cleanly();
}

Test(testutil, request_lines)
{
	char	*reply, got[64];
	ssize_t	 n;
	int	 sv[2];

	cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	cr_assert(write(sv[1], "one\r\ntwo\nthr", 12) == 12);
	reply = tu_request(sv[0], "hello", 2000);
	cr_expect(reply != NULL && strcmp(reply, "one") == 0, "%s", reply);
	free(reply);
	n = read(sv[1], got, sizeof got - 1);
	cr_assert(n == 6 && memcmp(got, "hello\n", 6) == 0);
	reply = tu_request(sv[0], "again", 2000);
	cr_expect(reply != NULL && strcmp(reply, "two") == 0, "%s", reply);
	free(reply);
	/* "thr" never ends: a timeout, bounded; the part read is gone. */
	reply = tu_request(sv[0], "more", 300);
	cr_expect_null(reply);
	cr_assert(write(sv[1], "ee\n", 3) == 3);
	reply = tu_request(sv[0], "last", 2000);
	cr_expect(reply != NULL && strcmp(reply, "ee") == 0, "%s", reply);
	free(reply);
	close(sv[1]);
	reply = tu_request(sv[0], "gone", 2000);
	cr_expect_null(reply);
	close(sv[0]);
}

Test(testutil, files_and_processes)
{
	char	*d, *path, *text;
	char	 sh[] = "/bin/sh", c[] = "-c";
	char	 script[] = "trap 'exit 7' TERM; echo started; "
		    "while :; do sleep 0.05; done";
	char	*argv[] = { sh, c, script, NULL };
	pid_t	 pid;

	d = tu_tmpdir("testutil");
	cr_assert(asprintf(&path, "%s/x.txt", d) != -1);
	cr_expect_null(tu_read_file(path));
	cr_expect_null(tu_wait_file(path, 100));
	cr_assert(tu_write_file(path, "some text\n") == 0);
	text = tu_wait_file(path, 100);
	cr_expect(text != NULL && strcmp(text, "some text\n") == 0);
	free(text);
	free(path);

	cr_assert(asprintf(&path, "%s/child.log", d) != -1);
	pid = tu_spawn(argv, path);
	text = tu_wait_file(path, 5000);
	cr_expect(text != NULL && strcmp(text, "started\n") == 0, "%s", text);
	free(text);
	cr_expect_eq(tu_stop(pid, 5000), 7);
	free(path);

	tu_rm_rf(d);
	cr_expect(access(d, F_OK) == -1);
	free(d);
}
