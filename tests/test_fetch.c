/*
 * test_fetch.c - feed transfers against a real feed server on loopback,
 * through a real event loop: errors in words, limits, conditional
 * requests, caching headers, redirect chains, politeness (the server
 * counts what reaches it), the refusal of private addresses, and the
 * address classifier behind it.
 *
 * The feed server listens on NPORTS ports; to the fetcher each is
 * another server, and /stats on any of them counts all.
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
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>

#include "dayhub.h"
#include "testutil.h"

#define MIB		(1024 * 1024)
#define RUN_LIMIT_MS	15000
#define NPORTS		4
#define WEEK		(7LL * 24 * 3600)

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
	int		 not_modified;
	char		*etag;
	char		*last_modified;
	long long	 max_age;
	time_t		 expires;
	long long	 retry_after;
	char		*moved_to;
	long		 redirects;
	int		 order;		/* how many callbacks ran before */
	struct fetcher	*restart;	/* the callback starts `chain` more */
	int		 chain;
	const char	*next_url;
};

static char		*dir;
static pid_t		 server = -1;
static int		 port;		/* ports[0] */
static int		 ports[NPORTS];
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
	server = tu_start_feedservers(dir, ports, NPORTS, log);
	port = ports[0];
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
	free(o->etag);
	free(o->last_modified);
	free(o->moved_to);
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
	if (o->calls++ > 0) {
		total_calls++;
		return;
	}
	o->order = total_calls++;
	o->status = r->status;
	o->content_type = dup_or_null(r->content_type);
	o->effective_url = dup_or_null(r->effective_url);
	o->error = dup_or_null(r->error);
	o->len = r->len;
	o->seconds = r->seconds;
	o->body = r->body;
	r->body = NULL;
	o->not_modified = r->not_modified;
	o->etag = dup_or_null(r->etag);
	o->last_modified = dup_or_null(r->last_modified);
	o->max_age = r->max_age;
	o->expires = r->expires;
	o->retry_after = r->retry_after;
	o->moved_to = dup_or_null(r->moved_to);
	o->redirects = r->redirects;
	if (o->chain > 0) {
		struct fetch_request	next = { .url = o->next_url };

		(o + 1)->chain = o->chain - 1;
		(o + 1)->next_url = o->next_url;
		(o + 1)->restart = o->restart;
		cr_assert(fetch_start(o->restart, &next, record_cb,
		    o + 1) == 0);
	}
}

/* Starts a request, making sure the callback cannot run inside. */
static void
start_req(struct fetcher *f, const struct fetch_request *req,
    struct outcome *o)
{
	in_start = 1;
	cr_assert(fetch_start(f, req, record_cb, o) == 0, "fetch_start %s",
	    req->url);
	in_start = 0;
}

/* Starts an unconditional fetch of `url`. */
static void
start(struct fetcher *f, const char *url, struct outcome *o)
{
	struct fetch_request	req = { .url = url };

	start_req(f, &req, o);
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
	o.allow_private = 1;		/* the feed server is on loopback */
	return o;
}

/* --- the table --- */

enum url_kind {
	U_HTTP,		/* http://127.0.0.1:PORT + path */
	U_FILE,		/* file:// + the served directory + path */
	U_DEAD,		/* http:// to a port nobody listens on */
	U_RAW,		/* path is the whole URL */
	U_LONG,		/* an http URL longer than the limit */
	U_HOST		/* http://HOST:PORT + path */
};

struct fetch_case {
	const char	*name;
	enum url_kind	 kind;
	const char	*path;
	const char	*host;		/* for U_HOST */
	int		 allow_file;
	int		 deny_private;	/* allow_private off */
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
	long		 redirects;	/* hops followed */
	const char	*moved_to;	/* the server's plus this, or NULL
					   for none */
};

/* The words of a refusal, after the address. */
#define REFUSED(kind)	": it is " kind " address, and " \
			"allow-private-addresses is off"

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
	    .url_path = "/feed.rss", .redirects = 3 },
	{ .name = "a 308 redirect is a move", .kind = U_HTTP,
	    .path = "/redirect-code/308/feed.rss", .status = 200,
	    .len = sizeof feed_text - 1, .url_path = "/feed.rss",
	    .redirects = 1, .moved_to = "/feed.rss" },
	{ .name = "a 301 redirect is a move", .kind = U_HTTP,
	    .path = "/redirect-code/301/feed.rss", .status = 200,
	    .len = sizeof feed_text - 1, .url_path = "/feed.rss",
	    .redirects = 1, .moved_to = "/feed.rss" },
	{ .name = "a 302 redirect is no move", .kind = U_HTTP,
	    .path = "/redirect-code/302/feed.rss", .status = 200,
	    .len = sizeof feed_text - 1, .url_path = "/feed.rss",
	    .redirects = 1 },
	{ .name = "a 303 redirect is no move", .kind = U_HTTP,
	    .path = "/chain/303/feed.rss", .status = 200,
	    .len = sizeof feed_text - 1, .url_path = "/feed.rss",
	    .redirects = 1 },
	{ .name = "a 307 redirect is no move", .kind = U_HTTP,
	    .path = "/chain/307/feed.rss", .status = 200,
	    .len = sizeof feed_text - 1, .url_path = "/feed.rss",
	    .redirects = 1 },
	{ .name = "301 then 308 is a move", .kind = U_HTTP,
	    .path = "/chain/301,308/feed.rss", .status = 200,
	    .len = sizeof feed_text - 1, .url_path = "/feed.rss",
	    .redirects = 2, .moved_to = "/feed.rss" },
	{ .name = "308, 301, 308 is a move", .kind = U_HTTP,
	    .path = "/chain/308,301,308/gzip/feed.rss", .status = 200,
	    .len = sizeof feed_text - 1, .url_path = "/gzip/feed.rss",
	    .redirects = 3, .moved_to = "/gzip/feed.rss" },
	{ .name = "301 then 302 is no move", .kind = U_HTTP,
	    .path = "/chain/301,302/feed.rss", .status = 200,
	    .len = sizeof feed_text - 1, .url_path = "/feed.rss",
	    .redirects = 2 },
	{ .name = "302 then 301 is no move", .kind = U_HTTP,
	    .path = "/chain/302,301/feed.rss", .status = 200,
	    .len = sizeof feed_text - 1, .url_path = "/feed.rss",
	    .redirects = 2 },
	{ .name = "301, 308, 307 is no move", .kind = U_HTTP,
	    .path = "/chain/301,308,307/feed.rss", .status = 200,
	    .len = sizeof feed_text - 1, .url_path = "/feed.rss",
	    .redirects = 3 },
	{ .name = "a move to a failure is no move", .kind = U_HTTP,
	    .path = "/chain/301/status/404", .status = 404,
	    .error = "the server answered 404 Not Found", .len = -1,
	    .url_path = "/status/404", .redirects = 1 },
	{ .name = "a permanent chain over the limit", .kind = U_HTTP,
	    .path = "/chain/301,301,301,301,301,301/feed.rss", .status = 301,
	    .error = "too many redirects (more than 5)", .len = -1,
	    .redirects = 5 },
	{ .name = "a redirect to a 404", .kind = U_HTTP,
	    .path = "/redirect/1/status/404", .status = 404,
	    .error = "the server answered 404 Not Found", .len = -1,
	    .url_path = "/status/404", .redirects = 1 },
	{ .name = "redirects beyond the limit", .kind = U_HTTP,
	    .path = "/redirect/8/feed.rss", .status = 302,
	    .error = "too many redirects (more than 5)", .len = -1,
	    .redirects = 5 },
	{ .name = "a lower redirect limit", .kind = U_HTTP,
	    .path = "/redirect/3/feed.rss", .max_redirects = 2, .status = 302,
	    .error = "too many redirects (more than 2)", .len = -1,
	    .redirects = 2 },
	{ .name = "a redirect loop", .kind = U_HTTP, .path = "/loop",
	    .status = 302, .error = "too many redirects (more than 5)",
	    .error2 = "redirects back to itself", .len = -1, .redirects = 5 },
	{ .name = "a wrong content type is passed on", .kind = U_HTTP,
	    .path = "/type/text%2Fhtml%3B%20charset%3Dutf-8/feed.rss",
	    .status = 200, .content_type = "text/html; charset=utf-8",
	    .body = "Riverside Art Club", .len = sizeof feed_text - 1 },
	{ .name = "brotli is asked for and decoded", .kind = U_HTTP,
	    .path = "/br/feed.rss", .status = 200,
	    .content_type = "application/rss+xml",
	    .body = "Riverside Art Club", .len = sizeof feed_text - 1 },
	{ .name = "brotli over the limit stops", .kind = U_HTTP,
	    .path = "/br/big.txt", .status = 200,
	    .error = "the feed is larger than the limit of 1048576 bytes",
	    .len = -1 },
	{ .name = "loopback refused", .kind = U_HTTP, .path = "/feed.rss",
	    .deny_private = 1,
	    .error = "refused to connect to 127.0.0.1" REFUSED("a loopback"),
	    .len = -1 },
	{ .name = "loopback refused before a dead port", .kind = U_DEAD,
	    .path = "/feed.rss", .deny_private = 1,
	    .error = "refused to connect to 127.0.0.1" REFUSED("a loopback"),
	    .len = -1 },
	{ .name = "localhost refused, whichever address", .kind = U_HOST,
	    .host = "localhost", .path = "/feed.rss", .deny_private = 1,
	    .error = REFUSED("a loopback"), .len = -1 },
	{ .name = "mapped loopback refused", .kind = U_HOST,
	    .host = "[::ffff:127.0.0.1]", .path = "/feed.rss",
	    .deny_private = 1, .error = "refused to connect to "
	    "::ffff:127.0.0.1" REFUSED("a loopback"), .len = -1 },
	{ .name = "unspecified refused", .kind = U_HOST, .host = "0.0.0.0",
	    .path = "/feed.rss", .deny_private = 1,
	    .error = "refused to connect to 0.0.0.0" REFUSED("an unspecified"),
	    .len = -1 },
	{ .name = "private refused", .kind = U_RAW,
	    .path = "http://10.1.2.3/feed.rss", .deny_private = 1,
	    .error = "refused to connect to 10.1.2.3" REFUSED("a private"),
	    .len = -1 },
	{ .name = "cloud metadata refused", .kind = U_RAW,
	    .path = "http://169.254.169.254/latest/meta-data/",
	    .deny_private = 1, .error = "refused to connect to "
	    "169.254.169.254" REFUSED("a link-local"), .len = -1 },
	{ .name = "shared address space refused", .kind = U_RAW,
	    .path = "https://100.64.0.1/feed", .deny_private = 1,
	    .error = "refused to connect to 100.64.0.1"
	    REFUSED("a carrier-grade NAT"), .len = -1 },
	{ .name = "IPv6 unique local refused", .kind = U_RAW,
	    .path = "http://[fd00::1]/feed", .deny_private = 1,
	    .error = "refused to connect to fd00::1" REFUSED("a private"),
	    .len = -1 },
	{ .name = "file URLs have no address", .kind = U_FILE,
	    .path = "/feed.rss", .allow_file = 1, .deny_private = 1,
	    .status = 0, .body = "Riverside Art Club",
	    .len = sizeof feed_text - 1 },
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
	opts.allow_private = !c->deny_private;
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
	case U_HOST:
		cr_assert(asprintf(&url, "http://%s:%d%s", c->host, port,
		    c->path) != -1);
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
	cr_expect_eq(o.redirects, c->redirects, "%s: %ld redirects, not %ld",
	    c->name, o.redirects, c->redirects);
	if (c->moved_to != NULL) {
		cr_assert(asprintf(&want, "http://127.0.0.1:%d%s", port,
		    c->moved_to) != -1);
		cr_expect(o.moved_to != NULL && strcmp(o.moved_to, want) == 0,
		    "%s: moved to %s, not %s", c->name, o.moved_to, want);
		free(want);
	} else
		cr_expect_null(o.moved_to, "%s: moved to %s", c->name,
		    o.moved_to);
	/* Nothing here sends validators or caching headers. */
	cr_expect_null(o.etag, "%s: ETag %s", c->name, o.etag);
	cr_expect_null(o.last_modified, "%s: Last-Modified %s", c->name,
	    o.last_modified);
	cr_expect(o.max_age == -1 && o.expires == 0 && o.retry_after == -1,
	    "%s: max-age %lld expires %lld retry-after %lld", c->name,
	    o.max_age, (long long)o.expires, o.retry_after);
	cr_expect(!o.not_modified, "%s: not modified", c->name);
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

/*
 * Fifty transfers asked for at once, mixed, over the servers: one runs
 * per server, the rest wait, and each completes exactly once.
 */
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
		snprintf(url, sizeof url, "http://127.0.0.1:%d%s",
		    ports[i % NPORTS],
		    i % 5 == 4 ? "/status/404" : i % 5 == 3 ?
		    "/gzip/feed.rss" : i % 5 == 2 ? "/redirect/2/feed.rss" :
		    i % 5 == 1 ? "/slow/5/feed.rss" : "/feed.rss");
		start(f, url, &o[i]);
	}
	cr_assert_eq(fetch_inflight(f), NPORTS);
	cr_assert_eq(fetch_queued(f), 50 - NPORTS);
	run_until(50, RUN_LIMIT_MS);
	run_until(-1, 200);
	cr_assert_eq(total_calls, 50);
	cr_assert_eq(fetch_inflight(f), 0);
	cr_assert_eq(fetch_queued(f), 0);
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
	struct fetch_request	 req = { .url = NULL };
	struct fetcher		*f;
	char			 url[128];
	int			 calls = 0;

	f = fetch_new(base, &opts);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/feed.rss", port);
	req.url = url;
	cr_assert(fetch_start(f, &req, leave_body_cb, &calls) == 0);
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
		snprintf(url, sizeof url, "http://127.0.0.1:%d%s",
		    ports[i % NPORTS],
		    i % 2 ? "/slow/1000/feed.rss" : "/slow/50/feed.rss");
		start(f, url, &o[i]);
	}
	/* Let the transfers connect and start to arrive. */
	run_until(-1, 150);
	cr_assert_eq(total_calls, 0);
	start(f, "ftp://127.0.0.1/x", &o[10]);	/* failed early */
	snprintf(url, sizeof url, "http://localhost:%d/feed.rss", port);
	start(f, url, &o[11]);			/* not even connected */
	cr_assert_eq(fetch_inflight(f), NPORTS + 2);
	cr_assert_eq(fetch_queued(f), 10 - NPORTS);
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

/* --- conditional requests --- */

/* Which validator a second request sends. */
enum validator {
	V_NONE,
	V_GOOD,		/* what the first answer gave */
	V_WRONG,	/* a well-formed other one */
	V_WEAK,		/* the first answer's ETag, as W/ */
	V_OLD,		/* a date long before the file */
	V_JUNK,		/* a line break in it: never sent */
	V_LONG		/* longer than any validator we keep */
};

struct cond_case {
	const char	*name;
	const char	*prefix;	/* before /etag/feed.rss, or NULL */
	int		 plain;		/* /feed.rss: no validators served */
	int		 weak;		/* the server's ETag is weak */
	enum validator	 etag;
	enum validator	 last_modified;
	int		 not_modified;
	const char	*moved_to;	/* the server's plus this */
};

static const struct cond_case cond_cases[] = {
	{ .name = "the ETag", .etag = V_GOOD, .not_modified = 1 },
	{ .name = "the Last-Modified", .last_modified = V_GOOD,
	    .not_modified = 1 },
	{ .name = "both", .etag = V_GOOD, .last_modified = V_GOOD,
	    .not_modified = 1 },
	{ .name = "the weak form of the ETag", .etag = V_WEAK,
	    .not_modified = 1 },
	{ .name = "a weak ETag, sent back verbatim", .weak = 1,
	    .etag = V_GOOD, .not_modified = 1 },
	{ .name = "a wrong ETag", .etag = V_WRONG },
	{ .name = "a wrong ETag wins over a good date", .etag = V_WRONG,
	    .last_modified = V_GOOD },
	{ .name = "an older date", .last_modified = V_OLD },
	{ .name = "an ETag with a line break is not sent", .etag = V_JUNK },
	{ .name = "a date with a line break is not sent",
	    .last_modified = V_JUNK },
	{ .name = "an over-long ETag is not sent", .etag = V_LONG },
	{ .name = "no validators", .etag = V_NONE },
	{ .name = "a 304 after a permanent move", .prefix = "/chain/301",
	    .etag = V_GOOD, .not_modified = 1, .moved_to = "/etag/feed.rss" },
	{ .name = "a 304 after a temporary move", .prefix = "/chain/302",
	    .etag = V_GOOD, .not_modified = 1 },
	{ .name = "validators to a server that ignores them", .plain = 1,
	    .etag = V_GOOD, .last_modified = V_GOOD },
};

#define NCOND	(sizeof cond_cases / sizeof cond_cases[0])

ParameterizedTestParameters(fetch, conditional)
{
	static size_t	rows[NCOND];
	size_t		i;

	for (i = 0; i < NCOND; i++)
		rows[i] = i;
	return cr_make_param_array(size_t, rows, NCOND);
}

/* The validator `v` stands for, given the first answer's. */
static char *
validator(enum validator v, const char *first, int is_etag)
{
	char	*s;

	switch (v) {
	case V_NONE:
		return NULL;
	case V_GOOD:
		return strdup(first);
	case V_WRONG:
		return strdup(is_etag ? "\"0123456789abcdef\"" :
		    "Tue, 15 Nov 1994 12:45:26 GMT");
	case V_WEAK:
		cr_assert(asprintf(&s, "W/%s", first) != -1);
		return s;
	case V_OLD:
		return strdup("Thu, 01 Jan 1998 00:00:00 GMT");
	case V_JUNK:
		cr_assert(asprintf(&s, "%s\r\nX-Injected: 1", first) != -1);
		return s;
	case V_LONG:
		cr_assert((s = malloc(301)) != NULL);
		memset(s, 'e', 300);
		s[0] = s[299] = '"';
		s[300] = '\0';
		return s;
	}
	return NULL;
}

/*
 * A first fetch takes the validators; a second sends what the row says
 * and gets a 304 (no body, no error) or the whole feed again.
 */
ParameterizedTest(size_t *row, fetch, conditional)
{
	const struct cond_case	*c = &cond_cases[*row];
	struct fetch_options	 opts = options();
	struct fetch_request	 req;
	struct fetcher		*f;
	struct outcome		 first, second;
	char			*url, *url2, *etag, *lm, *want;
	const char		*path;

	memset(&first, 0, sizeof first);
	memset(&second, 0, sizeof second);
	f = fetch_new(base, &opts);
	path = c->plain ? "/feed.rss" : c->weak ? "/etag/feed.rss?weak=1" :
	    "/etag/feed.rss";
	cr_assert(asprintf(&url, "http://127.0.0.1:%d%s", port, path) != -1);
	cr_assert(asprintf(&url2, "http://127.0.0.1:%d%s%s", port,
	    c->prefix != NULL ? c->prefix : "", path) != -1);

	start(f, url, &first);
	run_until(1, RUN_LIMIT_MS);
	cr_assert_eq(first.calls, 1);
	cr_assert_null(first.error, "%s: %s", c->name, first.error);
	cr_assert_eq(first.status, 200);
	cr_assert(!first.not_modified);
	if (c->plain) {
		cr_assert_null(first.etag);
		cr_assert_null(first.last_modified);
		first.etag = strdup("\"abc\"");
		first.last_modified = strdup("Sun, 06 Nov 1994 08:49:37 GMT");
	} else {
		cr_assert_not_null(first.etag, "%s: no ETag", c->name);
		cr_assert_not_null(first.last_modified);
		cr_expect(strncmp(first.etag, c->weak ? "W/\"" : "\"",
		    c->weak ? 3 : 1) == 0, "%s: ETag %s", c->name, first.etag);
		cr_expect(first.etag[strlen(first.etag) - 1] == '"');
		cr_expect(curl_getdate(first.last_modified, NULL) > 0,
		    "%s: Last-Modified %s", c->name, first.last_modified);
	}

	etag = validator(c->etag, first.etag, 1);
	lm = validator(c->last_modified, first.last_modified, 0);
	memset(&req, 0, sizeof req);
	req.url = url2;
	req.etag = etag;
	req.last_modified = lm;
	start_req(f, &req, &second);
	run_until(2, RUN_LIMIT_MS);
	cr_assert_eq(second.calls, 1);
	cr_assert_null(second.error, "%s: %s", c->name, second.error);
	if (c->not_modified) {
		cr_expect(second.not_modified, "%s: not a 304", c->name);
		cr_expect_eq(second.status, 304);
		cr_expect_null(second.body, "%s: a body with a 304", c->name);
		cr_expect_eq(second.len, 0);
	} else {
		cr_expect(!second.not_modified, "%s: a 304", c->name);
		cr_expect_eq(second.status, 200);
		cr_expect(second.body != NULL &&
		    second.len == sizeof feed_text - 1 &&
		    strstr((char *)second.body, "Riverside") != NULL,
		    "%s: no whole body", c->name);
	}
	if (c->plain) {
		cr_expect_null(second.etag);
		cr_expect_null(second.last_modified);
	} else {
		/* The same file, so the same validators, verbatim. */
		cr_expect(second.etag != NULL &&
		    strcmp(second.etag, first.etag) == 0, "%s: ETag %s",
		    c->name, second.etag);
		cr_expect(second.last_modified != NULL &&
		    strcmp(second.last_modified, first.last_modified) == 0);
	}
	if (c->moved_to != NULL) {
		cr_assert(asprintf(&want, "http://127.0.0.1:%d%s", port,
		    c->moved_to) != -1);
		cr_expect(second.moved_to != NULL &&
		    strcmp(second.moved_to, want) == 0, "%s: moved to %s",
		    c->name, second.moved_to);
		free(want);
	} else
		cr_expect_null(second.moved_to, "%s: moved to %s", c->name,
		    second.moved_to);

	free(etag);
	free(lm);
	free(url);
	free(url2);
	outcome_clear(&first);
	outcome_clear(&second);
	fetch_free(f);
	server_stops_cleanly();
}

/* --- caching and retry headers --- */

enum expect_time {
	T_NONE,		/* expires 0 */
	T_EXACT,	/* expires == .when */
	T_FROM_NOW	/* expires == now + .when, give or take */
};

struct cache_case {
	const char	*name;
	const char	*path;		/* a route; NULL: /header/feed.rss */
	const char	*header;	/* added by /header/ */
	const char	*value;		/* NULL: the date .offset s from now */
	long long	 offset;
	long		 status;	/* 0: 200 */
	long long	 max_age;
	enum expect_time expires;
	long long	 when;
	long long	 retry_min;	/* -1 and -1: none */
	long long	 retry_max;
};

#define NO_AGE		.max_age = -1
#define NO_RETRY	.retry_min = -1, .retry_max = -1
#define CC(v, age)	.header = "Cache-Control", .value = v, \
			.max_age = age, NO_RETRY
#define EXPIRES(v)	.header = "Expires", .value = v, NO_AGE, NO_RETRY
#define RETRY(v, lo, hi) .header = "Retry-After", .value = v, NO_AGE, \
			.retry_min = lo, .retry_max = hi

static const struct cache_case cache_cases[] = {
	{ .name = "max-age", CC("max-age=300", 300) },
	{ .name = "max-age among others", CC("public, max-age=60", 60) },
	{ .name = "max-age quoted", CC("max-age=\"120\"", 120) },
	{ .name = "MAX-AGE in capitals", CC("MAX-AGE=5, must-revalidate",
	    5) },
	{ .name = "max-age zero", CC("max-age=0", 0) },
	{ .name = "the smaller of two", CC("max-age=20, max-age=10", 10) },
	{ .name = "no-cache overrides", CC("max-age=60, no-cache", -1) },
	{ .name = "no-store", CC("no-store", -1) },
	{ .name = "no-cache of a field does not", CC("no-cache=\"Set-Cookie\", "
	    "max-age=30", 30) },
	{ .name = "s-maxage is not max-age", CC("s-maxage=60", -1) },
	{ .name = "max-age of words", CC("max-age=abc", -1) },
	{ .name = "max-age negative", CC("max-age=-5", -1) },
	{ .name = "max-age empty", CC("max-age=", -1) },
	{ .name = "max-age with junk", CC("max-age=60junk", -1) },
	{ .name = "max-age then junk", CC("max-age=60 junk", -1) },
	{ .name = "max-age unclosed quote", CC("max-age=\"60", -1) },
	{ .name = "max-age huge is capped",
	    CC("max-age=99999999999999999999999", 2147483648LL) },
	{ .name = "max-age of 40 digits is capped",
	    CC("max-age=1234567890123456789012345678901234567890",
	    2147483648LL) },
	{ .name = "an empty Cache-Control", CC("", -1) },
	{ .name = "Expires", EXPIRES("Wed, 21 Oct 2037 07:28:00 GMT"),
	    .expires = T_EXACT, .when = 2139722880LL },
	{ .name = "Expires in the past", EXPIRES("Sun, 06 Nov 1994 08:49:37 "
	    "GMT"), .expires = T_EXACT, .when = 784111777LL },
	{ .name = "Expires in RFC 850 form", EXPIRES("Sunday, 06-Nov-94 "
	    "08:49:37 GMT"), .expires = T_EXACT, .when = 784111777LL },
	{ .name = "Expires in asctime form", EXPIRES("Sun Nov  6 08:49:37 "
	    "1994"), .expires = T_EXACT, .when = 784111777LL },
	{ .name = "Expires 0", EXPIRES("0") },
	{ .name = "Expires -1", EXPIRES("-1") },
	{ .name = "Expires of words", EXPIRES("never") },
	{ .name = "Expires at the epoch", EXPIRES("Thu, 01 Jan 1970 00:00:00 "
	    "GMT") },
	{ .name = "Retry-After seconds", RETRY("120", 120, 120) },
	{ .name = "Retry-After zero", RETRY("0", 0, 0) },
	{ .name = "Retry-After capped at a week", RETRY("999999999", WEEK,
	    WEEK) },
	{ .name = "Retry-After of 23 digits", RETRY("99999999999999999999999",
	    WEEK, WEEK) },
	{ .name = "Retry-After negative", RETRY("-3", -1, -1) },
	{ .name = "Retry-After a fraction", RETRY("1.5", -1, -1) },
	{ .name = "Retry-After of words", RETRY("soon", -1, -1) },
	{ .name = "Retry-After an hour on", RETRY(NULL, 3595, 3600),
	    .offset = 3600 },
	{ .name = "Retry-After a date gone", RETRY(NULL, 0, 0),
	    .offset = -3600 },
	{ .name = "Retry-After a month on", RETRY(NULL, WEEK, WEEK),
	    .offset = 30 * 24 * 3600 },
	{ .name = "429 with Retry-After", .path = "/status/429?retry=30",
	    .status = 429, NO_AGE, .retry_min = 30, .retry_max = 30 },
	{ .name = "503 with Retry-After", .path = "/status/503?retry=7",
	    .status = 503, NO_AGE, .retry_min = 7, .retry_max = 7 },
	{ .name = "503 with a Retry-After date",
	    .path = "/status/503?retry-date=3600", .status = 503, NO_AGE,
	    .retry_min = 3595, .retry_max = 3600 },
	{ .name = "429 with junk", .path = "/header/status/429",
	    .header = "Retry-After", .value = "tomorrow", .status = 429,
	    NO_AGE, NO_RETRY },
	{ .name = "/cache/ route", .path = "/cache/600/feed.rss",
	    .max_age = 600, NO_RETRY },
	{ .name = "/expires/ route", .path = "/expires/3600/feed.rss", NO_AGE,
	    .expires = T_FROM_NOW, .when = 3600, NO_RETRY },
	{ .name = "only the final answer counts",
	    .path = "/cache/600/expires/60/redirect-code/302/feed.rss", NO_AGE,
	    NO_RETRY },
	{ .name = "after a redirect", .path = "/redirect/1/cache/60/feed.rss",
	    .max_age = 60, NO_RETRY },
};

#define NCACHE	(sizeof cache_cases / sizeof cache_cases[0])

ParameterizedTestParameters(fetch, caching)
{
	static size_t	rows[NCACHE];
	size_t		i;

	for (i = 0; i < NCACHE; i++)
		rows[i] = i;
	return cr_make_param_array(size_t, rows, NCACHE);
}

/* `s` percent-encoded for a query, into a new string. */
static char *
query_encode(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out, *p;

	cr_assert((out = malloc(strlen(s) * 3 + 1)) != NULL);
	for (p = out; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' ||
		    *s == '_' || *s == '~')
			*p++ = *s;
		else {
			*p++ = '%';
			*p++ = hex[(unsigned char)*s >> 4];
			*p++ = hex[(unsigned char)*s & 15];
		}
	}
	*p = '\0';
	return out;
}

/* Each header, well-formed or not, through the server, parsed or not. */
ParameterizedTest(size_t *row, fetch, caching)
{
	const struct cache_case	*c = &cache_cases[*row];
	struct fetch_options	 opts = options();
	struct fetcher		*f;
	struct outcome		 o;
	struct tm		 tm;
	char			*url, *enc, date[64];
	const char		*value = c->value;
	time_t			 t0, t1, at;

	memset(&o, 0, sizeof o);
	if (c->header != NULL && value == NULL) {
		at = time(NULL) + (time_t)c->offset;
		cr_assert(gmtime_r(&at, &tm) != NULL);
		strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		value = date;
	}
	if (c->header != NULL) {
		enc = query_encode(value);
		cr_assert(asprintf(&url, "http://127.0.0.1:%d%s%s%s=%s", port,
		    c->path != NULL ? c->path : "/header/feed.rss", "?",
		    c->header, enc) != -1);
		free(enc);
	} else
		cr_assert(asprintf(&url, "http://127.0.0.1:%d%s", port,
		    c->path) != -1);

	f = fetch_new(base, &opts);
	t0 = time(NULL);
	start(f, url, &o);
	run_until(1, RUN_LIMIT_MS);
	t1 = time(NULL);
	cr_assert_eq(o.calls, 1);
	cr_expect_eq(o.status, c->status != 0 ? c->status : 200,
	    "%s: status %ld", c->name, o.status);
	if (c->status == 0)
		cr_expect_null(o.error, "%s: %s", c->name, o.error);
	else
		cr_expect_not_null(o.error);
	cr_expect_eq(o.max_age, c->max_age, "%s: max-age %lld, not %lld",
	    c->name, o.max_age, c->max_age);
	switch (c->expires) {
	case T_NONE:
		cr_expect_eq(o.expires, 0, "%s: expires %lld", c->name,
		    (long long)o.expires);
		break;
	case T_EXACT:
		cr_expect_eq((long long)o.expires, c->when,
		    "%s: expires %lld, not %lld", c->name,
		    (long long)o.expires, c->when);
		break;
	case T_FROM_NOW:
		cr_expect((long long)o.expires >= t0 + c->when - 1 &&
		    (long long)o.expires <= t1 + c->when + 1,
		    "%s: expires %lld, not %lld on from %lld", c->name,
		    (long long)o.expires, c->when, (long long)t0);
		break;
	}
	cr_expect(o.retry_after >= c->retry_min &&
	    o.retry_after <= c->retry_max, "%s: retry-after %lld, not in "
	    "[%lld, %lld]", c->name, o.retry_after, c->retry_min,
	    c->retry_max);
	outcome_clear(&o);
	fetch_free(f);
	free(url);
	server_stops_cleanly();
}

/* --- politeness --- */

/* The feed server's /stats, parsed. */
static json_t *
server_stats(void)
{
	struct fetch_options	 opts = options();
	struct fetcher		*f;
	struct outcome		 o;
	json_error_t		 jerr;
	json_t			*j;
	char			 url[128];
	int			 before = total_calls;

	memset(&o, 0, sizeof o);
	f = fetch_new(base, &opts);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/stats", port);
	start(f, url, &o);
	run_until(before + 1, RUN_LIMIT_MS);
	cr_assert_eq(o.calls, 1);
	cr_assert_null(o.error, "/stats: %s", o.error);
	j = json_loadb((const char *)o.body, o.len, 0, &jerr);
	cr_assert_not_null(j, "/stats: %s: %s", jerr.text, o.body);
	outcome_clear(&o);
	fetch_free(f);
	total_calls = before;
	return j;
}

struct polite_case {
	const char	*name;
	int		 hosts;		/* servers asked, from ports[] */
	int		 n;		/* transfers */
	size_t		 max_transfers;	/* 0: the default */
	unsigned	 peak;		/* in flight at once, as served */
};

static const struct polite_case polite_cases[] = {
	{ "one server, one at a time", 1, 20, 0, 1 },
	{ "four servers, two at a time", 4, 20, 2, 2 },
	{ "four servers, one each at a time", 4, 20, 16, 4 },
	{ "four servers, one at a time", 4, 12, 1, 1 },
};

#define NPOLITE	(sizeof polite_cases / sizeof polite_cases[0])

ParameterizedTestParameters(fetch, politeness)
{
	static size_t	rows[NPOLITE];
	size_t		i;

	for (i = 0; i < NPOLITE; i++)
		rows[i] = i;
	return cr_make_param_array(size_t, rows, NPOLITE);
}

/*
 * Slow transfers asked for all at once: the server never sees more than
 * one at a time per port, nor more than max_transfers in all, yet as
 * many as allowed do overlap; every transfer completes, and each
 * server's in the order asked.
 */
ParameterizedTest(size_t *row, fetch, politeness)
{
	const struct polite_case *c = &polite_cases[*row];
	struct fetch_options	 opts = options();
	struct fetcher		*f;
	struct outcome		 o[20];
	json_t			*stats, *p, *count;
	char			 url[128];
	size_t			 i, running;
	int			 k, last[NPORTS];

	cr_assert((size_t)c->n <= sizeof o / sizeof o[0]);
	memset(o, 0, sizeof o);
	opts.max_transfers = c->max_transfers;
	f = fetch_new(base, &opts);
	for (k = 0; k < c->n; k++) {
		snprintf(url, sizeof url,
		    "http://127.0.0.1:%d/count/slow/15/feed.rss",
		    ports[k % c->hosts]);
		start(f, url, &o[k]);
	}
	running = (size_t)c->hosts;
	if (c->max_transfers != 0 && c->max_transfers < running)
		running = c->max_transfers;
	cr_expect_eq(fetch_inflight(f), running, "%s: %zu running", c->name,
	    fetch_inflight(f));
	cr_expect_eq(fetch_queued(f), (size_t)c->n - running);
	run_until(c->n, RUN_LIMIT_MS * 2);
	cr_assert_eq(total_calls, c->n, "%s: %d of %d done", c->name,
	    total_calls, c->n);
	cr_expect_eq(fetch_inflight(f) + fetch_queued(f), 0);

	for (k = 0; k < NPORTS; k++)
		last[k] = -1;
	for (k = 0; k < c->n; k++) {
		cr_expect_null(o[k].error, "%s: %d: %s", c->name, k,
		    o[k].error);
		cr_expect_eq(o[k].len, sizeof feed_text - 1);
		cr_expect_gt(o[k].order, last[k % c->hosts],
		    "%s: transfer %d out of order", c->name, k);
		last[k % c->hosts] = o[k].order;
		outcome_clear(&o[k]);
	}
	fetch_free(f);

	stats = server_stats();
	cr_expect_eq(json_integer_value(json_object_get(stats, "peak")),
	    c->peak, "%s: peak %lld", c->name,
	    json_integer_value(json_object_get(stats, "peak")));
	cr_expect_eq(json_integer_value(json_object_get(stats, "requests")),
	    c->n);
	json_array_foreach(json_object_get(stats, "ports"), i, p)
		cr_expect_leq(json_integer_value(json_object_get(p, "peak")), 1,
		    "%s: two at once on port %lld", c->name,
		    json_integer_value(json_object_get(p, "port")));
	count = json_object_get(json_object_get(stats, "counts"),
	    "/slow/15/feed.rss");
	cr_expect_eq(json_integer_value(count), c->n);
	json_decref(stats);
	server_stops_cleanly();
}

/*
 * Many conditional requests over the servers all end as 304s, quickly:
 * the queue and the server keep up with a refresh of a big hub.
 */
Test(fetch, many_not_modified)
{
	struct fetch_options	 opts = options();
	struct fetcher		*f;
	struct fetch_request	 req;
	struct outcome		*o, first;
	json_t			*stats;
	char			 url[NPORTS][128];
	int			 i, n = 400;
	struct timeval		 t0, t1;

	memset(&first, 0, sizeof first);
	cr_assert((o = calloc((size_t)n, sizeof *o)) != NULL);
	f = fetch_new(base, &opts);
	for (i = 0; i < NPORTS; i++)
		snprintf(url[i], sizeof url[i],
		    "http://127.0.0.1:%d/count/etag/feed.rss", ports[i]);
	start(f, url[0], &first);
	run_until(1, RUN_LIMIT_MS);
	cr_assert(first.error == NULL && first.etag != NULL);
	total_calls = 0;

	gettimeofday(&t0, NULL);
	memset(&req, 0, sizeof req);
	req.etag = first.etag;
	for (i = 0; i < n; i++) {
		req.url = url[i % NPORTS];
		start_req(f, &req, &o[i]);
	}
	run_until(n, RUN_LIMIT_MS * 2);
	gettimeofday(&t1, NULL);
	cr_assert_eq(total_calls, n);
	for (i = 0; i < n; i++) {
		cr_expect(o[i].not_modified && o[i].error == NULL,
		    "%d: %s", i, o[i].error);
		outcome_clear(&o[i]);
	}
	cr_expect((t1.tv_sec - t0.tv_sec) < 10, "%d 304s took %ld s", n,
	    (long)(t1.tv_sec - t0.tv_sec));
	free(o);
	outcome_clear(&first);
	fetch_free(f);
	stats = server_stats();
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(stats,
	    "counts"), "/etag/feed.rss")), n + 1);
	json_decref(stats);
	server_stops_cleanly();
}

/* A callback's fetch of a busy server waits behind those asked before. */
static void
then_start_cb(struct fetch_result *r, void *arg)
{
	struct outcome	*o = arg;

	record_cb(r, arg);
	if (o->restart != NULL)
		start(o->restart, o->next_url, o + 1);
}

Test(fetch, callback_waits_its_turn)
{
	struct fetch_options	 opts = options();
	struct fetch_request	 req;
	struct fetcher		*f;
	struct outcome		 o[5];
	char			 url[128];
	int			 i;

	memset(o, 0, sizeof o);
	f = fetch_new(base, &opts);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/slow/5/feed.rss",
	    port);
	memset(&req, 0, sizeof req);
	req.url = url;
	o[0].restart = f;
	o[0].next_url = url;
	cr_assert(fetch_start(f, &req, then_start_cb, &o[0]) == 0);
	for (i = 2; i < 5; i++)
		start(f, url, &o[i]);
	cr_assert_eq(fetch_queued(f), 3);
	run_until(5, RUN_LIMIT_MS);
	cr_assert_eq(total_calls, 5);
	/* 0 first; 2, 3, 4 were waiting when 0 ended and started 1. */
	cr_expect_eq(o[0].order, 0);
	cr_expect_eq(o[2].order, 1);
	cr_expect_eq(o[3].order, 2);
	cr_expect_eq(o[4].order, 3);
	cr_expect_eq(o[1].order, 4);
	for (i = 0; i < 5; i++) {
		cr_expect_null(o[i].error, "%d: %s", i, o[i].error);
		outcome_clear(&o[i]);
	}
	fetch_free(f);
	server_stops_cleanly();
}

/* The same URL with allow_private off is refused, on is fetched. */
Test(fetch, private_switch)
{
	struct fetch_options	 opts = options();
	struct fetcher		*f;
	struct outcome		 o[2];
	char			 url[128];
	int			 i;

	memset(o, 0, sizeof o);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/feed.rss", port);
	for (i = 0; i < 2; i++) {
		opts.allow_private = i;
		f = fetch_new(base, &opts);
		start(f, url, &o[i]);
		run_until(i + 1, RUN_LIMIT_MS);
		cr_assert_eq(o[i].calls, 1);
		fetch_free(f);
	}
	cr_expect_str_eq(o[0].error, "refused to connect to 127.0.0.1: it "
	    "is a loopback address, and allow-private-addresses is off");
	cr_expect_eq(o[0].status, 0);
	cr_expect_null(o[1].error, "%s", o[1].error);
	cr_expect_eq(o[1].len, sizeof feed_text - 1);
	outcome_clear(&o[0]);
	outcome_clear(&o[1]);
	/* The refused one never reached the server. */
	{
		json_t	*stats = server_stats();

		cr_expect_eq(json_integer_value(json_object_get(stats,
		    "requests")), 1);
		json_decref(stats);
	}
	server_stops_cleanly();
}

/* A request with no URL is a caller's bug: refused, and no callback. */
Test(fetch, no_url)
{
	struct fetch_options	 opts = options();
	struct fetch_request	 req;
	struct fetcher		*f;
	struct outcome		 o;

	memset(&o, 0, sizeof o);
	memset(&req, 0, sizeof req);
	f = fetch_new(base, &opts);
	cr_expect_eq(fetch_start(f, &req, record_cb, &o), -1);
	cr_expect_eq(fetch_start(f, NULL, record_cb, &o), -1);
	run_until(-1, 100);
	cr_expect_eq(o.calls, 0);
	cr_expect_eq(fetch_inflight(f) + fetch_queued(f), 0);
	fetch_free(f);
	server_stops_cleanly();
}

/* --- the address classifier --- */

struct address_case {
	const char	*text;
	const char	*kind;		/* NULL: anyone may connect */
};

static const struct address_case address_cases[] = {
	{ "127.0.0.1", "loopback" },
	{ "127.255.255.255", "loopback" },
	{ "126.255.255.255", NULL },
	{ "128.0.0.0", NULL },
	{ "0.0.0.0", "unspecified" },
	{ "0.255.255.255", "unspecified" },
	{ "1.0.0.0", NULL },
	{ "10.0.0.0", "private" },
	{ "10.255.255.255", "private" },
	{ "9.255.255.255", NULL },
	{ "11.0.0.0", NULL },
	{ "172.15.255.255", NULL },
	{ "172.16.0.0", "private" },
	{ "172.31.255.255", "private" },
	{ "172.32.0.0", NULL },
	{ "192.168.0.0", "private" },
	{ "192.168.255.255", "private" },
	{ "192.167.255.255", NULL },
	{ "192.169.0.0", NULL },
	{ "169.254.0.0", "link-local" },
	{ "169.254.169.254", "link-local" },
	{ "169.253.255.255", NULL },
	{ "169.255.0.0", NULL },
	{ "100.63.255.255", NULL },
	{ "100.64.0.0", "carrier-grade NAT" },
	{ "100.127.255.255", "carrier-grade NAT" },
	{ "100.128.0.0", NULL },
	{ "223.255.255.255", NULL },
	{ "224.0.0.0", "multicast" },
	{ "239.255.255.255", "multicast" },
	{ "240.0.0.0", "reserved" },
	{ "255.255.255.254", "reserved" },
	{ "255.255.255.255", "broadcast" },
	{ "8.8.8.8", NULL },
	{ "93.184.216.34", NULL },
	{ "::", "unspecified" },
	{ "::1", "loopback" },
	{ "::2", "unspecified" },		/* ::0.0.0.2 */
	{ "fc00::", "private" },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "private" },
	{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "fe00::", NULL },
	{ "fe80::1", "link-local" },
	{ "febf:ffff::1", "link-local" },
	{ "fec0::1", "private" },
	{ "ff02::1", "multicast" },
	{ "ff00::", "multicast" },
	{ "2001:db8::1", NULL },
	{ "2a00:1450:4009:81f::200e", NULL },
	{ "::ffff:127.0.0.1", "loopback" },
	{ "::ffff:10.0.0.1", "private" },
	{ "::ffff:172.15.255.255", NULL },
	{ "::ffff:172.16.0.0", "private" },
	{ "::ffff:100.64.0.0", "carrier-grade NAT" },
	{ "::ffff:169.254.1.1", "link-local" },
	{ "::ffff:0.0.0.0", "unspecified" },
	{ "::ffff:255.255.255.255", "broadcast" },
	{ "::ffff:8.8.8.8", NULL },
	{ "64:ff9b::127.0.0.1", "loopback" },
	{ "64:ff9b::192.168.1.1", "private" },
	{ "64:ff9b::8.8.8.8", NULL },
	{ "::127.0.0.1", "loopback" },
	{ "::8.8.8.8", NULL },
};

#define NADDRESS	(sizeof address_cases / sizeof address_cases[0])

TestSuite(address, .timeout = 60);

ParameterizedTestParameters(address, kind)
{
	static size_t	rows[NADDRESS];
	size_t		i;

	for (i = 0; i < NADDRESS; i++)
		rows[i] = i;
	return cr_make_param_array(size_t, rows, NADDRESS);
}

/* Each address is named as the row says, or allowed. */
ParameterizedTest(size_t *row, address, kind)
{
	const struct address_case *c = &address_cases[*row];
	unsigned char		 buf[16];
	const char		*got;
	int			 family;

	family = strchr(c->text, ':') != NULL ? AF_INET6 : AF_INET;
	cr_assert(inet_pton(family, c->text, buf) == 1, "%s", c->text);
	got = fetch_address_kind(family, buf);
	if (c->kind == NULL)
		cr_expect_null(got, "%s: %s", c->text, got);
	else
		cr_expect(got != NULL && strcmp(got, c->kind) == 0,
		    "%s: %s, not %s", c->text, got ? got : "(allowed)",
		    c->kind);
}

/* A family that is neither IPv4 nor IPv6 is never connected to. */
Test(address, other_families)
{
	unsigned char	buf[16];

	memset(buf, 0x08, sizeof buf);
	cr_expect_str_eq(fetch_address_kind(AF_UNIX, buf), "unknown");
	cr_expect_str_eq(fetch_address_kind(AF_UNSPEC, buf), "unknown");
	cr_expect_null(fetch_address_kind(AF_INET, buf));
	cr_expect_null(fetch_address_kind(AF_INET6, buf));
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
	opts.allow_private = 1;
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
	struct fetch_request	 req = { .url = "ftp://127.0.0.1/x" };
	struct fetcher		*f;

	doomed_server = server;		/* teardown will not run */
	atexit(kill_server);
	cr_redirect_stderr();		/* the fatal message */
	f = fetch_new(base, &opts);
	cr_assert(fetch_start(f, &req, free_from_callback_cb, f) == 0);
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
