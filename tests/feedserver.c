/*
 * feedserver.c - a small HTTP server of feed files, and of the ways real
 * servers misbehave, for the tests and benchmarks.
 *
 *	feedserver -d DIR [-a ADDRESS] [-p PORT] [-n PORTS] [-w PORTFILE]
 *
 * It serves the files under DIR, and the routes in fs_routes[] below
 * (`feedserver -h` lists them): status codes, redirect chains and loops,
 * slow drips, huge bodies and headers, cut connections, gzip and brotli,
 * validators and conditional requests, caching and retry headers, wrong
 * content types, and request counts.  A new misbehaviour is a new row
 * there.  Routes that take a PATH hand it on to the routes again, so
 * they combine: /cache/60/etag/feed.rss.
 *
 * With -n it listens on that many ports (PORT, PORT+1, ... or each a free
 * one when PORT is 0), all serving the same; to a client each port is
 * another server, and /stats on any of them counts them all: requests,
 * and the peak of requests in flight at once, over all ports and on each.
 * A request is in flight from its arrival until its reply has been
 * handed to the connection, so only streamed replies (/slow/) overlap.
 *
 * PORTFILE receives the port numbers, on one line separated by spaces,
 * once the server listens, written under a temporary name and renamed so
 * a reader never sees half of it.  Each request is logged to stderr in
 * one line.  SIGTERM or SIGINT end it cleanly.  Nothing waits per
 * request and every lookup is constant time, so thousands of requests a
 * second are fine.
 *
 * Contract: a request path comes from a peer.  It is routed as sent
 * (percent-encoded), and only a file path is decoded; a decoded path with
 * a NUL, an absolute path, or a "." or ".." component is refused, so
 * nothing outside DIR is ever served.  Every number in a route is parsed
 * strictly and bounded, and a header value taken from a request is
 * checked for length and characters before it is sent back.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <zlib.h>

#define FS_MAX_FILE		(256 * 1024 * 1024)
#define FS_MAX_PATH		1024	/* bytes of a decoded file path */
#define FS_MAX_RAW_PATH		(FS_MAX_PATH * 3) /* as sent, encoded */
#define FS_MAX_REQUEST_HEADERS	(64 * 1024)
#define FS_MAX_BIG		(4ULL * 1024 * 1024 * 1024)
#define FS_MAX_DELAY_MS		60000
#define FS_MAX_REDIRECTS	1000
#define FS_SLOW_CHUNK		64	/* bytes per drip */
#define FS_BIG_CHUNK		(256 * 1024)
#define FS_MAX_HEADERS		(16 * 1024 * 1024) /* /headers/ bytes */
#define FS_HEADER_PAD		1000	/* bytes in one padding header */
#define FS_MAX_LOCATION		(1024 * 1024)
#define FS_MAX_PORTS		64	/* -n */
#define FS_MAX_COUNTED		4096	/* distinct /count/ paths */
#define FS_COUNT_SLOTS		8192	/* hash slots, twice the above */
#define FS_MAX_SECONDS		(10ULL * 366 * 24 * 3600) /* in a route */
#define FS_MAX_EXTRA_HEADERS	16	/* /header/ */
#define FS_MAX_HEADER_NAME	64
#define FS_MAX_HEADER_VALUE	1024
#define FS_MAX_MIME		128
#define FS_MAX_QUERY_VALUE	1024
#define FS_BR_BLOCK		16384	/* bytes per brotli meta-block */
#define FS_DATE_LEN		64
#define FS_RPDE_MAX_PAGE	1000	/* items on one /rpde/ page */
#define FS_RPDE_MAX_AFTER	1000000000ULL
#define FS_RPDE_FAIL		"#fail"	/* a page reaching it fails */

struct server;

/* One listening port, and what it has seen. */
struct listener {
	struct server		*srv;
	struct evhttp		*http;
	int			 port;
	unsigned long long	 requests;
	unsigned		 inflight;
	unsigned		 peak;
};

/* How often one /count/ path was asked for. */
struct counted {
	char			*path;
	unsigned long long	 n;
};

enum stream_kind {
	STREAM_SLOW,		/* a file in drips, with a pause between */
	STREAM_BIG,		/* 'x' * n, one chunk when the last has gone */
	STREAM_CLOSE		/* half a file, then the connection is cut */
};

/*
 * A reply that outlives its request callback.  The connection may go away
 * under it (the client hung up); stream_closed_cb() then cleans up.
 */
struct stream {
	LIST_ENTRY(stream)	 entry;
	struct server		*srv;
	enum stream_kind	 kind;
	struct listener		*lst;		/* it is in flight there */
	struct evhttp_request	*req;
	struct evhttp_connection *evcon;	/* NULL once it has gone */
	struct event		*timer;
	struct timeval		 delay;
	unsigned char		*data;
	size_t			 len;
	size_t			 off;
	unsigned long long	 remaining;
};

struct server {
	struct event_base	*base;
	const char		*dir;
	LIST_HEAD(, stream)	 streams;
	struct listener		 listeners[FS_MAX_PORTS];
	size_t			 nlisteners;
	struct listener		*current;	/* of the request being routed */
	int			 streamed;	/* it became a stream */
	unsigned long long	 requests;
	unsigned		 inflight;
	unsigned		 peak;
	struct counted		 counts[FS_COUNT_SLOTS];
	size_t			 ncounted;
	unsigned long long	 uncounted;	/* past FS_MAX_COUNTED paths */
};

/* A route: prefix of the raw path, and what answers it. */
struct route {
	const char	*prefix;
	int		 exact;		/* the whole path, not a prefix */
	const char	*usage;		/* for fs_usage() */
	int		(*serve)(struct server *, struct evhttp_request *,
			    const char *rest);
};

static int	 route_status(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_redirect(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_redirect_code(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_loop(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_slow(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_big(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_close(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_gzip(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_headers(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_long_location(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_file(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_etag(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_cache(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_expires(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_chain(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_type(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_count(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_stats(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_header(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_br(struct server *, struct evhttp_request *,
		    const char *);
static int	 route_rpde(struct server *, struct evhttp_request *,
		    const char *);

/* Tried in order; the last row takes everything else. */
static const struct route fs_routes[] = {
	{ .prefix = "/status/", .serve = route_status,
	    .usage = "/status/NNN[?retry=N|?retry-date=N]  that status, "
	    "with a short body\n"
	    "                      (and Retry-After: N, or the date N s on)" },
	{ .prefix = "/redirect/", .serve = route_redirect,
	    .usage = "/redirect/N/PATH    N redirects (302), then /PATH" },
	{ .prefix = "/redirect-code/", .serve = route_redirect_code,
	    .usage = "/redirect-code/CODE/PATH  one 301/302/303/307/308" },
	{ .prefix = "/chain/", .serve = route_chain,
	    .usage = "/chain/C1,C2,.../PATH  a hop per code, then /PATH" },
	{ .prefix = "/etag/", .serve = route_etag,
	    .usage = "/etag/PATH[?weak=1]  the file with ETag and "
	    "Last-Modified; 304 when they match" },
	{ .prefix = "/cache/", .serve = route_cache,
	    .usage = "/cache/SECONDS/PATH /PATH with Cache-Control: "
	    "max-age=SECONDS" },
	{ .prefix = "/expires/", .serve = route_expires,
	    .usage = "/expires/SECONDS/PATH  /PATH with Expires SECONDS "
	    "from now" },
	{ .prefix = "/type/", .serve = route_type,
	    .usage = "/type/MIME/PATH     /PATH as MIME (percent-encoded)" },
	{ .prefix = "/header/", .serve = route_header,
	    .usage = "/header/PATH?NAME=VALUE...  /PATH with those headers" },
	{ .prefix = "/count/", .serve = route_count,
	    .usage = "/count/PATH         /PATH, counted in /stats" },
	{ .prefix = "/stats", .exact = 1, .serve = route_stats,
	    .usage = "/stats              requests and peaks, as JSON" },
	{ .prefix = "/br/", .serve = route_br,
	    .usage = "/br/PATH            PATH with Content-Encoding: br" },
	{ .prefix = "/loop", .exact = 1, .serve = route_loop,
	    .usage = "/loop               redirects to itself" },
	{ .prefix = "/slow/", .serve = route_slow,
	    .usage = "/slow/MS/PATH       PATH in 64-byte drips, MS apart" },
	{ .prefix = "/big/", .serve = route_big,
	    .usage = "/big/BYTES          that many 'x', chunked" },
	{ .prefix = "/close/", .serve = route_close,
	    .usage = "/close/PATH         half of PATH, then the cut" },
	{ .prefix = "/gzip/", .serve = route_gzip,
	    .usage = "/gzip/PATH          PATH with Content-Encoding: gzip" },
	{ .prefix = "/headers/", .serve = route_headers,
	    .usage = "/headers/BYTES      about that many header bytes" },
	{ .prefix = "/long-location/", .serve = route_long_location,
	    .usage = "/long-location/N    a redirect to an N-byte path" },
	{ .prefix = "/rpde/", .serve = route_rpde,
	    .usage = "/rpde/SIZE/AFTER/PATH  an RPDE page: SIZE items of "
	    "PATH (one JSON item\n"
	    "                      a line) after the first AFTER, linking "
	    "to the next page;\n"
	    "                      a page reaching a line " FS_RPDE_FAIL
	    " answers 500" },
	{ .prefix = "/", .serve = route_file,
	    .usage = "/PATH               the file DIR/PATH" },
};

static const struct {
	const char	*ext;
	const char	*type;
} fs_types[] = {
	{ ".rss", "application/rss+xml" },
	{ ".xml", "application/rss+xml" },
	{ ".atom", "application/atom+xml" },
	{ ".ics", "text/calendar" },
	{ ".json", "application/json" },
	{ ".html", "text/html" },
	{ ".txt", "text/plain" },
};

static int	 fs_route(struct server *, struct evhttp_request *,
		    const char *);
static int	 fs_head(struct evhttp_request *);
static struct stream *stream_new(struct server *, struct evhttp_request *,
		    enum stream_kind);
static void	 stream_done(struct stream *);
static void	 stream_finish(struct stream *);
static void	 stream_closed_cb(struct evhttp_connection *, void *);
static void	 fs_die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static int	 fs_redirect(struct evhttp_request *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
fs_die(const char *fmt, ...)
{
	va_list	ap;

	fputs("feedserver: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
fs_alloc(size_t n)
{
	void	*p;

	if ((p = calloc(1, n == 0 ? 1 : n)) == NULL)
		fs_die("out of memory");
	return p;
}

/* Parses digits only, at most `max`; -1 for anything else. */
static int
fs_number(const char *s, size_t len, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long	v = 0;
	size_t			i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (max - (unsigned)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * Splits "NUMBER/REST" into the number and REST (what follows the slash).
 * Returns -1 when there is no such number.
 */
static int
fs_number_path(const char *s, unsigned long long max,
    unsigned long long *out, const char **rest)
{
	const char	*slash;

	if ((slash = strchr(s, '/')) == NULL)
		return -1;
	if (fs_number(s, (size_t)(slash - s), max, out) == -1)
		return -1;
	*rest = slash + 1;
	return 0;
}

/* Sets the Content-Type, unless a route before (/type/) set one. */
static void
fs_set_type(struct evhttp_request *req, const char *type)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);

	if (evhttp_find_header(h, "Content-Type") == NULL)
		evhttp_add_header(h, "Content-Type", type);
}

/* Sends a short text reply; returns the status for the log. */
static int
fs_text(struct evhttp_request *req, int code, const char *text)
{
	struct evbuffer	*buf;

	if ((buf = evbuffer_new()) == NULL)
		fs_die("out of memory");
	evbuffer_add_printf(buf, "%s\n", text);
	fs_set_type(req, "text/plain");
	evhttp_send_reply(req, code, NULL, buf);
	evbuffer_free(buf);
	return code;
}

/* Sends a redirect to `location`. */
static int
fs_redirect(struct evhttp_request *req, int code, const char *fmt, ...)
{
	char	location[FS_MAX_RAW_PATH + 64];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(location, sizeof location, fmt, ap);
	va_end(ap);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
	    location);
	return fs_text(req, code, "moved");
}

static const char *
fs_type(const char *path)
{
	const char	*dot;
	size_t		 i;

	if ((dot = strrchr(path, '.')) == NULL || strchr(dot, '/') != NULL)
		return "application/octet-stream";
	for (i = 0; i < sizeof fs_types / sizeof fs_types[0]; i++)
		if (strcasecmp(dot, fs_types[i].ext) == 0)
			return fs_types[i].type;
	return "application/octet-stream";
}

/*
 * Decodes the raw file path `raw` (relative to DIR) and reads that file.
 * Returns 0 with a malloc'd body (and the file's mtime, when asked for),
 * or the HTTP status to answer instead:
 * 400 for a path that could escape DIR, 404 when there is no such file.
 */
static int
fs_load(struct server *srv, const char *raw, unsigned char **data,
    size_t *len, const char **type, time_t *mtime)
{
	char		*path = NULL, full[FS_MAX_PATH * 4], *p, *slash;
	size_t		 plen, n, got = 0;
	struct stat	 st;
	ssize_t		 nr;
	int		 fd = -1, code = 400;

	*data = NULL;
	if ((path = evhttp_uridecode(raw, 0, &plen)) == NULL)
		goto fail;
	if (plen != strlen(path) || plen == 0 || plen > FS_MAX_PATH ||
	    path[0] == '/')
		goto fail;
	for (p = path;; p = slash + 1) {
		slash = strchr(p, '/');
		n = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			goto fail;
		if (slash == NULL)
			break;
	}
	code = 404;
	if ((size_t)snprintf(full, sizeof full, "%s/%s", srv->dir, path) >=
	    sizeof full || (fd = open(full, O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > FS_MAX_FILE)
		goto fail;
	*data = fs_alloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		nr = read(fd, *data + got, (size_t)st.st_size - got);
		if (nr == -1 && errno == EINTR)
			continue;
		if (nr <= 0)
			break;
		got += (size_t)nr;
	}
	*len = got;
	*type = fs_type(path);
	if (mtime != NULL)
		*mtime = st.st_mtime;
	code = 0;
fail:
	if (code != 0) {
		free(*data);
		*data = NULL;
	}
	if (fd != -1)
		close(fd);
	free(path);
	return code;
}

/* Loads a file or answers why not; returns 0 when loaded. */
static int
fs_load_or_reply(struct server *srv, struct evhttp_request *req,
    const char *raw, unsigned char **data, size_t *len, const char **type)
{
	int	code;

	if ((code = fs_load(srv, raw, data, len, type, NULL)) != 0)
		return fs_text(req, code, code == 404 ? "no such file" :
		    "bad path");
	return 0;
}

/* A plain file under DIR. */
static int
route_file(struct server *srv, struct evhttp_request *req, const char *rest)
{
	struct evbuffer	*buf;
	unsigned char	*data;
	const char	*type;
	size_t		 len;
	int		 code;

	if ((code = fs_load_or_reply(srv, req, rest, &data, &len, &type)) != 0)
		return code;
	if ((buf = evbuffer_new()) == NULL)
		fs_die("out of memory");
	evbuffer_add(buf, data, len);
	fs_set_type(req, type);
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
	free(data);
	return 200;
}

/*
 * The value of `key` in the request's query, decoded, in `buf`.  Returns
 * 1, or 0 when it is absent or does not fit.
 */
static int
fs_query_value(struct evhttp_request *req, const char *key, char *buf,
    size_t buflen)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*query, *v;
	struct evkeyvalq	 q;
	int			 found = 0;

	if (uri == NULL || (query = evhttp_uri_get_query(uri)) == NULL)
		return 0;
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(query, &q) == 0 &&
	    (v = evhttp_find_header(&q, key)) != NULL && strlen(v) < buflen) {
		memcpy(buf, v, strlen(v) + 1);
		found = 1;
	}
	evhttp_clear_headers(&q);
	return found;
}

/* Writes `t` as an HTTP-date (IMF-fixdate). */
static void
fs_http_date(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		snprintf(buf, len, "Thu, 01 Jan 1970 00:00:00 GMT");
}

/* Reads an IMF-fixdate; 0, or -1 when it is not one. */
static int
fs_parse_date(const char *s, time_t *t)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm)) == NULL ||
	    *end != '\0')
		return -1;
	*t = timegm(&tm);
	return 0;
}

/* Adds a header of seconds, or of the date that many seconds on. */
static void
fs_add_seconds(struct evhttp_request *req, const char *name,
    unsigned long long secs, int as_date)
{
	char	value[FS_DATE_LEN];

	if (as_date)
		fs_http_date(time(NULL) + (time_t)secs, value, sizeof value);
	else
		snprintf(value, sizeof value, "%llu", secs);
	evhttp_add_header(evhttp_request_get_output_headers(req), name, value);
}

/*
 * /status/NNN: that status, with a short body; ?retry=N adds
 * Retry-After: N, ?retry-date=N a Retry-After date N seconds on.
 */
static int
route_status(struct server *srv, struct evhttp_request *req,
    const char *rest)
{
	unsigned long long	code, secs;
	char			text[32], v[32];

	if (fs_number(rest, strlen(rest), 599, &code) == -1 || code < 200)
		return fs_text(req, 400, "bad status");
	if (fs_query_value(req, "retry", v, sizeof v)) {
		if (fs_number(v, strlen(v), FS_MAX_SECONDS, &secs) == -1)
			return fs_text(req, 400, "bad retry");
		fs_add_seconds(req, "Retry-After", secs, 0);
	}
	if (fs_query_value(req, "retry-date", v, sizeof v)) {
		if (fs_number(v, strlen(v), FS_MAX_SECONDS, &secs) == -1)
			return fs_text(req, 400, "bad retry-date");
		fs_add_seconds(req, "Retry-After", secs, 1);
	}
	snprintf(text, sizeof text, "status %llu", code);
	return fs_text(req, (int)code, text);
}

/* A strong validator of content: FNV-1a, 64 bits. */
static unsigned long long
fs_hash(const unsigned char *p, size_t len)
{
	unsigned long long	h = 14695981039346656037ULL;
	size_t			i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/*
 * Whether an If-None-Match list names `etag`: "*", or an entry equal to
 * it by weak comparison (W/ ignored on both sides), as for a GET.
 */
static int
fs_etag_match(const char *list, const char *etag)
{
	const char	*p = list, *s;
	size_t		 n, en;

	if (strncmp(etag, "W/", 2) == 0)
		etag += 2;
	en = strlen(etag);
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return 0;
		for (s = p; *p != '\0' && *p != ','; p++)
			;
		n = (size_t)(p - s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == 1 && *s == '*')
			return 1;
		if (n >= 2 && strncmp(s, "W/", 2) == 0) {
			s += 2;
			n -= 2;
		}
		if (n == en && memcmp(s, etag, n) == 0)
			return 1;
	}
}

/*
 * /etag/PATH: the file with a strong ETag (a hash of its bytes; weak with
 * ?weak=1) and its mtime as Last-Modified.  A matching If-None-Match, or
 * else an If-Modified-Since not before the mtime, gets a 304.
 */
static int
route_etag(struct server *srv, struct evhttp_request *req, const char *rest)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*buf;
	unsigned char		*data;
	const char		*type, *inm, *ims;
	char			 etag[48], date[FS_DATE_LEN], weak[8];
	size_t			 len;
	time_t			 mtime, since;
	int			 code, fresh = 0;

	if ((code = fs_load(srv, rest, &data, &len, &type, &mtime)) != 0)
		return fs_text(req, code, code == 404 ? "no such file" :
		    "bad path");
	snprintf(etag, sizeof etag, "%s\"%016llx\"",
	    fs_query_value(req, "weak", weak, sizeof weak) &&
	    strcmp(weak, "1") == 0 ? "W/" : "", fs_hash(data, len));
	fs_http_date(mtime, date, sizeof date);
	evhttp_add_header(out, "ETag", etag);
	evhttp_add_header(out, "Last-Modified", date);
	if ((inm = evhttp_find_header(in, "If-None-Match")) != NULL)
		fresh = fs_etag_match(inm, etag);
	else if ((ims = evhttp_find_header(in, "If-Modified-Since")) != NULL)
		fresh = fs_parse_date(ims, &since) == 0 && mtime <= since;
	if (fresh) {
		free(data);
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		return 304;
	}
	if ((buf = evbuffer_new()) == NULL)
		fs_die("out of memory");
	evbuffer_add(buf, data, len);
	fs_set_type(req, type);
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
	free(data);
	return 200;
}

/* /cache/SECONDS/PATH: /PATH with Cache-Control: max-age=SECONDS. */
static int
route_cache(struct server *srv, struct evhttp_request *req, const char *rest)
{
	unsigned long long	 secs;
	const char		*path;
	char			 value[48];

	if (fs_number_path(rest, FS_MAX_SECONDS, &secs, &path) == -1)
		return fs_text(req, 400, "bad seconds");
	snprintf(value, sizeof value, "max-age=%llu", secs);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", value);
	return fs_route(srv, req, path - 1);
}

/* /expires/SECONDS/PATH: /PATH with an Expires date SECONDS on. */
static int
route_expires(struct server *srv, struct evhttp_request *req,
    const char *rest)
{
	unsigned long long	 secs;
	const char		*path;

	if (fs_number_path(rest, FS_MAX_SECONDS, &secs, &path) == -1)
		return fs_text(req, 400, "bad seconds");
	fs_add_seconds(req, "Expires", secs, 1);
	return fs_route(srv, req, path - 1);
}

/*
 * /chain/C1,C2,.../PATH: a redirect with status C1 to /chain/C2,.../PATH,
 * and so on; the last code's redirect goes to /PATH.
 */
static int
route_chain(struct server *srv, struct evhttp_request *req, const char *rest)
{
	unsigned long long	 code;
	const char		*slash, *comma;

	if ((slash = strchr(rest, '/')) == NULL)
		return fs_text(req, 400, "bad chain");
	comma = memchr(rest, ',', (size_t)(slash - rest));
	if (fs_number(rest, (size_t)((comma != NULL ? comma : slash) - rest),
	    599, &code) == -1 || (code != 301 && code != 302 && code != 303 &&
	    code != 307 && code != 308))
		return fs_text(req, 400, "bad redirect code in chain");
	if (comma != NULL)
		return fs_redirect(req, (int)code, "/chain/%s", comma + 1);
	return fs_redirect(req, (int)code, "%s", slash);
}

/* /type/MIME/PATH: /PATH with MIME (percent-encoded) as its type. */
static int
route_type(struct server *srv, struct evhttp_request *req, const char *rest)
{
	const char	*slash;
	char		*raw, *mime;
	size_t		 n, i;
	int		 ok;

	if ((slash = strchr(rest, '/')) == NULL || slash == rest)
		return fs_text(req, 400, "bad type");
	raw = fs_alloc((size_t)(slash - rest) + 1);
	memcpy(raw, rest, (size_t)(slash - rest));
	mime = evhttp_uridecode(raw, 0, &n);
	free(raw);
	ok = mime != NULL && n == strlen(mime) && n > 0 && n <= FS_MAX_MIME;
	for (i = 0; ok && i < n; i++)
		if ((unsigned char)mime[i] < 0x20 ||
		    (unsigned char)mime[i] > 0x7e)
			ok = 0;
	if (ok)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", mime);
	free(mime);
	if (!ok)
		return fs_text(req, 400, "bad type");
	return fs_route(srv, req, slash);
}

/* Whether a header list (Accept-Encoding) names `token`. */
static int
fs_token_in(const char *list, const char *token)
{
	const char	*p = list, *s;
	size_t		 n;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return 0;
		for (s = p; *p != '\0' && *p != ',' && *p != ';' &&
		    *p != ' ' && *p != '\t'; p++)
			;
		n = (size_t)(p - s);
		if (n == strlen(token) && strncasecmp(s, token, n) == 0)
			return 1;
		while (*p != '\0' && *p != ',')
			p++;
	}
}

/*
 * /header/PATH?NAME=VALUE&...: /PATH with those response headers added
 * first.  A name is letters, digits and '-'; a value is printable.
 */
static int
route_header(struct server *srv, struct evhttp_request *req,
    const char *rest)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evkeyvalq	 q;
	struct evkeyval		*kv;
	const char		*query;
	size_t			 i, n = 0;
	int			 ok = 1;

	TAILQ_INIT(&q);
	if (uri != NULL && (query = evhttp_uri_get_query(uri)) != NULL &&
	    evhttp_parse_query_str(query, &q) == -1)
		ok = 0;
	TAILQ_FOREACH(kv, &q, next) {
		if (!ok || ++n > FS_MAX_EXTRA_HEADERS ||
		    strlen(kv->key) == 0 ||
		    strlen(kv->key) > FS_MAX_HEADER_NAME ||
		    strlen(kv->value) > FS_MAX_HEADER_VALUE) {
			ok = 0;
			break;
		}
		for (i = 0; kv->key[i] != '\0'; i++)
			if (!isalnum((unsigned char)kv->key[i]) &&
			    kv->key[i] != '-')
				ok = 0;
		for (i = 0; kv->value[i] != '\0'; i++)
			if ((unsigned char)kv->value[i] < 0x20 ||
			    (unsigned char)kv->value[i] > 0x7e)
				ok = 0;
		if (ok && evhttp_add_header(out, kv->key, kv->value) == -1)
			ok = 0;
	}
	evhttp_clear_headers(&q);
	if (!ok)
		return fs_text(req, 400, "bad header");
	return fs_route(srv, req, rest - 1);
}

/*
 * Counts one request for `path`; paths past FS_MAX_COUNTED are counted
 * together.  Open addressing in a table twice that size: a free slot is
 * always near.
 */
static void
fs_count(struct server *srv, const char *path)
{
	unsigned long long	 h = fs_hash((const unsigned char *)path,
				    strlen(path));
	struct counted		*c;
	size_t			 i;

	for (i = (size_t)(h % FS_COUNT_SLOTS);; i = (i + 1) % FS_COUNT_SLOTS) {
		c = &srv->counts[i];
		if (c->path == NULL) {
			if (srv->ncounted >= FS_MAX_COUNTED) {
				srv->uncounted++;
				return;
			}
			if ((c->path = strdup(path)) == NULL)
				fs_die("out of memory");
			srv->ncounted++;
		}
		if (strcmp(c->path, path) == 0) {
			c->n++;
			return;
		}
	}
}

/* /count/PATH: /PATH, and one more request for it in /stats. */
static int
route_count(struct server *srv, struct evhttp_request *req, const char *rest)
{
	fs_count(srv, rest - 1);
	return fs_route(srv, req, rest - 1);
}

/* Adds `s` to `buf` as a JSON string. */
static void
fs_json_string(struct evbuffer *buf, const char *s)
{
	evbuffer_add(buf, "\"", 1);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			evbuffer_add_printf(buf, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			evbuffer_add_printf(buf, "\\u%04x",
			    (unsigned)(unsigned char)*s);
		else
			evbuffer_add(buf, s, 1);
	}
	evbuffer_add(buf, "\"", 1);
}

/*
 * /stats: {"requests", "inflight", "peak", "ports": [{"port", "requests",
 * "peak"}], "counts": {PATH: N}, "uncounted"}.  Requests for /stats
 * itself are not counted anywhere.
 */
static int
route_stats(struct server *srv, struct evhttp_request *req, const char *rest)
{
	struct evbuffer	*buf;
	struct listener	*l;
	size_t		 i;
	int		 first = 1;

	if ((buf = evbuffer_new()) == NULL)
		fs_die("out of memory");
	evbuffer_add_printf(buf, "{\"requests\": %llu, \"inflight\": %u, "
	    "\"peak\": %u, \"ports\": [", srv->requests, srv->inflight,
	    srv->peak);
	for (i = 0; i < srv->nlisteners; i++) {
		l = &srv->listeners[i];
		evbuffer_add_printf(buf, "%s{\"port\": %d, \"requests\": %llu, "
		    "\"peak\": %u}", i > 0 ? ", " : "", l->port, l->requests,
		    l->peak);
	}
	evbuffer_add_printf(buf, "], \"counts\": {");
	for (i = 0; i < FS_COUNT_SLOTS; i++) {
		if (srv->counts[i].path == NULL)
			continue;
		if (!first)
			evbuffer_add(buf, ", ", 2);
		first = 0;
		fs_json_string(buf, srv->counts[i].path);
		evbuffer_add_printf(buf, ": %llu", srv->counts[i].n);
	}
	evbuffer_add_printf(buf, "}, \"uncounted\": %llu}\n",
	    srv->uncounted);
	fs_set_type(req, "application/json");
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
	return 200;
}

/*
 * /rpde/SIZE/AFTER/PATH: one page of an OpenActive RPDE feed whose change
 * log is DIR/PATH, one item (a JSON object, sent as it is) per line, in
 * the order the publisher changed them.  The page holds the items after
 * the first AFTER, at most SIZE of them, and its "next" is the page
 * after those: /rpde/SIZE/AFTER+N/PATH.  Past the end the page is empty
 * and links to itself, as the last page of an RPDE feed does; a line
 * appended later then appears on it.  Blank lines are not items.  A page
 * that would hold a line reading FS_RPDE_FAIL answers 500 instead, so a
 * test can break a chain part-way and mend it by removing the line.
 */
static int
route_rpde(struct server *srv, struct evhttp_request *req, const char *rest)
{
	unsigned long long	 size, after, k = 0, served = 0;
	struct evbuffer		*buf;
	unsigned char		*data;
	const char		*type, *p, *path, *line, *end, *nl;
	size_t			 len, n;
	char			 next[FS_MAX_RAW_PATH + 64];
	int			 code;

	if (fs_number_path(rest, FS_RPDE_MAX_PAGE, &size, &p) == -1 ||
	    size == 0 || fs_number_path(p, FS_RPDE_MAX_AFTER, &after,
	    &path) == -1)
		return fs_text(req, 400, "bad page size or position");
	if ((code = fs_load_or_reply(srv, req, path, &data, &len, &type)) != 0)
		return code;
	if ((buf = evbuffer_new()) == NULL)
		fs_die("out of memory");
	evbuffer_add_printf(buf, "{\"items\": [");
	end = (const char *)data + len;
	for (line = (const char *)data; line < end && served < size;
	    line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		n = (size_t)(nl - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0 || k++ < after)
			continue;
		if (n == strlen(FS_RPDE_FAIL) &&
		    memcmp(line, FS_RPDE_FAIL, n) == 0) {
			evbuffer_free(buf);
			free(data);
			return fs_text(req, 500, "this page is broken");
		}
		if (served++ > 0)
			evbuffer_add(buf, ",\n", 2);
		evbuffer_add(buf, line, n);
	}
	snprintf(next, sizeof next, "/rpde/%llu/%llu/%s", size,
	    after + served, path);
	evbuffer_add_printf(buf, "],\n\"next\": ");
	fs_json_string(buf, next);
	evbuffer_add_printf(buf, ",\n\"license\": "
	    "\"https://creativecommons.org/licenses/by/4.0/\"}\n");
	fs_set_type(req, "application/json");
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
	free(data);
	return 200;
}

/*
 * Brotli without compression (RFC 7932): a stream of uncompressed
 * meta-blocks, which every decoder must take, so no encoder is needed.
 * Bits go in from the least significant.  The first header carries the
 * window (a single 0 bit: 16); each block header is ISLAST 0, MNIBBLES 0
 * (four nibbles), MLEN-1, ISUNCOMPRESSED 1, padded to a byte boundary.
 * The stream ends with an empty last meta-block.
 */
static void
fs_brotli(struct evbuffer *out, const unsigned char *data, size_t len)
{
	unsigned char	hdr[3];
	unsigned long	bits;
	size_t		off = 0, n;

	while (off < len) {
		n = len - off < FS_BR_BLOCK ? len - off : FS_BR_BLOCK;
		bits = (unsigned long)(n - 1) << 3 | 1UL << 19;
		if (off == 0)
			bits <<= 1;		/* after the window bit */
		hdr[0] = (unsigned char)(bits & 0xff);
		hdr[1] = (unsigned char)((bits >> 8) & 0xff);
		hdr[2] = (unsigned char)((bits >> 16) & 0xff);
		evbuffer_add(out, hdr, sizeof hdr);
		evbuffer_add(out, data + off, n);
		off += n;
	}
	/* ISLAST 1, ISLASTEMPTY 1; after the window bit when alone. */
	hdr[0] = len == 0 ? 0x06 : 0x03;
	evbuffer_add(out, hdr, 1);
}

/* /br/PATH: the file brotli-encoded, to a client that accepts br. */
static int
route_br(struct server *srv, struct evhttp_request *req, const char *rest)
{
	const char	*ae, *type;
	struct evbuffer	*buf;
	unsigned char	*data;
	size_t		 len;
	int		 code;

	ae = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Accept-Encoding");
	if (ae == NULL || !fs_token_in(ae, "br"))
		return fs_text(req, 406, "br is not accepted");
	if ((code = fs_load_or_reply(srv, req, rest, &data, &len, &type)) != 0)
		return code;
	if ((buf = evbuffer_new()) == NULL)
		fs_die("out of memory");
	fs_brotli(buf, data, len);
	fs_set_type(req, type);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Encoding", "br");
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
	free(data);
	return 200;
}

/* /redirect/N/PATH: a chain of N redirects ending at /PATH (0: none). */
static int
route_redirect(struct server *srv, struct evhttp_request *req,
    const char *rest)
{
	unsigned long long	 n;
	const char		*path;

	if (fs_number_path(rest, FS_MAX_REDIRECTS, &n, &path) == -1)
		return fs_text(req, 400, "bad redirect count");
	if (n == 0)
		return fs_route(srv, req, path - 1);	/* "/PATH" */
	if (n == 1)
		return fs_redirect(req, 302, "/%s", path);
	return fs_redirect(req, 302, "/redirect/%llu/%s", n - 1, path);
}

/* /redirect-code/CODE/PATH: one redirect of that kind to /PATH. */
static int
route_redirect_code(struct server *srv, struct evhttp_request *req,
    const char *rest)
{
	unsigned long long	 code;
	const char		*path;

	if (fs_number_path(rest, 599, &code, &path) == -1 ||
	    (code != 301 && code != 302 && code != 303 && code != 307 &&
	    code != 308))
		return fs_text(req, 400, "bad redirect code");
	return fs_redirect(req, (int)code, "/%s", path);
}

/* /loop: redirects to itself, for ever. */
static int
route_loop(struct server *srv, struct evhttp_request *req, const char *rest)
{
	return fs_redirect(req, 302, "/loop");
}

/* /slow/MS/PATH: PATH in small drips, MS milliseconds apart. */
static int
route_slow(struct server *srv, struct evhttp_request *req, const char *rest)
{
	struct stream		*st;
	unsigned long long	 ms;
	const char		*path, *type;
	unsigned char		*data;
	size_t			 len;
	int			 code;

	if (fs_number_path(rest, FS_MAX_DELAY_MS, &ms, &path) == -1)
		return fs_text(req, 400, "bad delay");
	if (fs_head(req))
		return fs_text(req, 200, "streamed to GET only");
	if ((code = fs_load_or_reply(srv, req, path, &data, &len, &type)) != 0)
		return code;
	st = stream_new(srv, req, STREAM_SLOW);
	st->data = data;
	st->len = len;
	st->delay.tv_sec = (time_t)(ms / 1000);
	st->delay.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	fs_set_type(req, type);
	evhttp_send_reply_start(req, 200, "OK");
	evtimer_add(st->timer, &st->delay);
	return 200;
}

/* Sends the next chunk of a big body once the last one has gone. */
static void
stream_big_cb(struct evhttp_connection *evcon, void *arg)
{
	struct stream		*st = arg;
	struct evbuffer		*buf;
	static unsigned char	 xs[FS_BIG_CHUNK];
	size_t			 n;

	if (st->remaining == 0) {
		stream_finish(st);
		return;
	}
	if (xs[0] != 'x')
		memset(xs, 'x', sizeof xs);
	n = st->remaining < sizeof xs ? (size_t)st->remaining : sizeof xs;
	st->remaining -= n;
	if ((buf = evbuffer_new()) == NULL)
		fs_die("out of memory");
	evbuffer_add(buf, xs, n);
	evhttp_send_reply_chunk_with_cb(st->req, buf, stream_big_cb, st);
	evbuffer_free(buf);
}

/* /big/BYTES: that many bytes of 'x', chunked, never all in memory. */
static int
route_big(struct server *srv, struct evhttp_request *req, const char *rest)
{
	struct stream		*st;
	unsigned long long	 n;

	if (fs_number(rest, strlen(rest), FS_MAX_BIG, &n) == -1)
		return fs_text(req, 400, "bad size");
	if (fs_head(req))
		return fs_text(req, 200, "streamed to GET only");
	st = stream_new(srv, req, STREAM_BIG);
	st->remaining = n;
	fs_set_type(req, "application/octet-stream");
	evhttp_send_reply_start(req, 200, "OK");
	stream_big_cb(st->evcon, st);
	return 200;
}

/* Half of the body has gone out: cut the connection from the loop. */
static void
stream_half_cb(struct evhttp_connection *evcon, void *arg)
{
	struct stream	*st = arg;
	struct timeval	 now = { 0, 0 };

	evtimer_add(st->timer, &now);
}

/* /close/PATH: a Content-Length for all of PATH, half of it, then EOF. */
static int
route_close(struct server *srv, struct evhttp_request *req, const char *rest)
{
	struct stream	*st;
	struct evbuffer	*buf;
	const char	*type;
	unsigned char	*data;
	char		 clen[32];
	size_t		 len;
	int		 code;

	if ((code = fs_load_or_reply(srv, req, rest, &data, &len, &type)) != 0)
		return code;
	if (len < 2 || fs_head(req)) {
		free(data);
		return fs_text(req, len < 2 ? 400 : 200, "not cut");
	}
	st = stream_new(srv, req, STREAM_CLOSE);
	st->data = data;
	st->len = len;
	snprintf(clen, sizeof clen, "%zu", len);
	fs_set_type(req, type);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Length", clen);
	evhttp_send_reply_start(req, 200, "OK");
	if ((buf = evbuffer_new()) == NULL)
		fs_die("out of memory");
	evbuffer_add(buf, data, len / 2);
	evhttp_send_reply_chunk_with_cb(req, buf, stream_half_cb, st);
	evbuffer_free(buf);
	return 200;
}

/* /gzip/PATH: PATH compressed, with Content-Encoding: gzip. */
static int
route_gzip(struct server *srv, struct evhttp_request *req, const char *rest)
{
	struct evbuffer	*buf;
	z_stream	 zs;
	unsigned char	*data, *out;
	const char	*type;
	size_t		 len;
	uLong		 bound;
	int		 code;

	if ((code = fs_load_or_reply(srv, req, rest, &data, &len, &type)) != 0)
		return code;
	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		fs_die("deflateInit2 failed");
	bound = deflateBound(&zs, (uLong)len) + 64;
	out = fs_alloc(bound);
	zs.next_in = data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)bound;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		fs_die("deflate did not finish");
	if ((buf = evbuffer_new()) == NULL)
		fs_die("out of memory");
	evbuffer_add(buf, out, zs.total_out);
	deflateEnd(&zs);
	fs_set_type(req, type);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Encoding", "gzip");
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
	free(out);
	free(data);
	return 200;
}

/* /headers/BYTES: a small body behind about that many header bytes. */
static int
route_headers(struct server *srv, struct evhttp_request *req,
    const char *rest)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	unsigned long long	 n, i;
	char			 name[32], pad[FS_HEADER_PAD + 1];

	if (fs_number(rest, strlen(rest), FS_MAX_HEADERS, &n) == -1)
		return fs_text(req, 400, "bad size");
	memset(pad, 'h', FS_HEADER_PAD);
	pad[FS_HEADER_PAD] = '\0';
	for (i = 0; i * (FS_HEADER_PAD + 20) < n; i++) {
		snprintf(name, sizeof name, "X-Pad-%llu", i);
		evhttp_add_header(h, name, pad);
	}
	return fs_text(req, 200, "padded");
}

/* /long-location/BYTES: a redirect to a path of that many bytes. */
static int
route_long_location(struct server *srv, struct evhttp_request *req,
    const char *rest)
{
	unsigned long long	 n;
	char			*loc;
	int			 code;

	if (fs_number(rest, strlen(rest), FS_MAX_LOCATION, &n) == -1 ||
	    n == 0)
		return fs_text(req, 400, "bad size");
	loc = fs_alloc((size_t)n + 1);
	memset(loc, 'a', (size_t)n);
	loc[0] = '/';
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
	    loc);
	code = fs_text(req, 302, "moved far");
	free(loc);
	return code;
}

/* Timer of a stream: the next drip, or the cut. */
static void
stream_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stream			*st = arg;
	struct evhttp_request		*req = st->req;
	struct evhttp_connection	*evcon;
	struct evbuffer			*buf;
	size_t				 n;

	if (st->kind == STREAM_CLOSE) {
		evcon = evhttp_request_get_connection(req);
		if (evcon == NULL) {
			stream_finish(st);
			return;
		}
		stream_done(st);
		evhttp_connection_free(evcon);	/* and the request with it */
		return;
	}
	if (st->off == st->len) {
		stream_finish(st);
		return;
	}
	n = st->len - st->off < FS_SLOW_CHUNK ? st->len - st->off :
	    FS_SLOW_CHUNK;
	if ((buf = evbuffer_new()) == NULL)
		fs_die("out of memory");
	evbuffer_add(buf, st->data + st->off, n);
	st->off += n;
	evhttp_send_reply_chunk(req, buf);
	evbuffer_free(buf);
	evtimer_add(st->timer, &st->delay);
}

/* A request has arrived on `lst`. */
static void
fs_enter(struct listener *lst)
{
	struct server	*srv = lst->srv;

	srv->requests++;
	if (++srv->inflight > srv->peak)
		srv->peak = srv->inflight;
	lst->requests++;
	if (++lst->inflight > lst->peak)
		lst->peak = lst->inflight;
}

/* A request's reply has been handed over, or its client has gone. */
static void
fs_leave(struct listener *lst)
{
	lst->srv->inflight--;
	lst->inflight--;
}

/* Starts a reply that goes on after the request callback returns. */
static struct stream *
stream_new(struct server *srv, struct evhttp_request *req,
    enum stream_kind kind)
{
	struct stream	*st;

	st = fs_alloc(sizeof *st);
	st->srv = srv;
	st->kind = kind;
	st->req = req;
	st->evcon = evhttp_request_get_connection(req);
	st->lst = srv->current;
	srv->streamed = 1;
	if ((st->timer = evtimer_new(srv->base, stream_timer_cb, st)) == NULL)
		fs_die("cannot make a timer");
	evhttp_connection_set_closecb(st->evcon, stream_closed_cb, st);
	LIST_INSERT_HEAD(&srv->streams, st, entry);
	return st;
}

/* Forgets a stream; its request is someone else's business now. */
static void
stream_done(struct stream *st)
{
	if (st->lst != NULL)
		fs_leave(st->lst);
	if (st->evcon != NULL)
		evhttp_connection_set_closecb(st->evcon, NULL, NULL);
	LIST_REMOVE(st, entry);
	event_free(st->timer);
	free(st->data);
	free(st);
}

/*
 * Ends a stream's reply: completes it, or frees a request whose
 * connection has gone (evhttp_send_reply_end does either).
 */
static void
stream_finish(struct stream *st)
{
	struct evhttp_request	*req = st->req;

	stream_done(st);
	evhttp_send_reply_end(req);
}

/*
 * The connection under a stream is being freed.  When the client went
 * away, libevent has detached the unfinished request from it and left it
 * to us; otherwise the connection frees the request itself.
 */
static void
stream_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct stream		*st = arg;
	struct evhttp_request	*req = st->req;

	st->evcon = NULL;
	stream_done(st);
	if (evhttp_request_get_connection(req) == NULL)
		evhttp_send_reply_end(req);
}

/* A HEAD gets no body, so a streamed reply would never progress. */
static int
fs_head(struct evhttp_request *req)
{
	return evhttp_request_get_command(req) == EVHTTP_REQ_HEAD;
}

static const char *
fs_method(struct evhttp_request *req)
{
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	default:
		return "OTHER";
	}
}

/* Finds the route for a raw path and runs it; returns the status. */
static int
fs_route(struct server *srv, struct evhttp_request *req, const char *path)
{
	const struct route	*r;
	size_t			 i, n;

	for (i = 0; i < sizeof fs_routes / sizeof fs_routes[0]; i++) {
		r = &fs_routes[i];
		n = strlen(r->prefix);
		if (r->exact ? strcmp(path, r->prefix) == 0 :
		    strncmp(path, r->prefix, n) == 0)
			return r->serve(srv, req, path + n);
	}
	return fs_text(req, 404, "no route");
}

/* Routes one request and logs it. */
static void
fs_dispatch(struct listener *lst, struct evhttp_request *req,
    const char *path)
{
	struct server	*srv = lst->srv;
	int		 code, counted = strcmp(path, "/stats") != 0;

	if (counted)
		fs_enter(lst);
	srv->current = counted ? lst : NULL;
	srv->streamed = 0;
	code = fs_route(srv, req, path);
	if (counted && !srv->streamed)
		fs_leave(lst);
	srv->current = NULL;
	{
		const char *ua = evhttp_find_header(
		    evhttp_request_get_input_headers(req), "User-Agent");

		fprintf(stderr, "feedserver: %d %s %.200s %d \"%.200s\"\n",
		    lst->port, fs_method(req), path, code,
		    ua != NULL ? ua : "-");
	}
}

static void
fs_request_cb(struct evhttp_request *req, void *arg)
{
	struct listener		*lst = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path;

	if (uri == NULL || (path = evhttp_uri_get_path(uri)) == NULL ||
	    *path != '/') {
		fs_text(req, 400, "bad request");
		return;
	}
	if (strlen(path) > FS_MAX_RAW_PATH) {
		fs_text(req, 414, "path too long");
		return;
	}
	fs_dispatch(lst, req, path);
}

static void
fs_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct server	*srv = arg;

	event_base_loopexit(srv->base, NULL);
}

/* Writes the ports into `path` so that readers see all or nothing. */
static void
fs_write_port(const char *path, const struct server *srv)
{
	char	tmp[4096];
	FILE	*fp;
	size_t	i;

	snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
	if ((fp = fopen(tmp, "w")) == NULL)
		fs_die("%s: %s", tmp, strerror(errno));
	for (i = 0; i < srv->nlisteners; i++)
		fprintf(fp, "%s%d", i > 0 ? " " : "", srv->listeners[i].port);
	fputc('\n', fp);
	if (fclose(fp) != 0)
		fs_die("%s: %s", tmp, strerror(errno));
	if (rename(tmp, path) == -1)
		fs_die("rename %s: %s", path, strerror(errno));
}

static void
fs_usage(void)
{
	size_t	i;

	fprintf(stderr, "usage: feedserver -d dir [-a address] [-p port] "
	    "[-n ports] [-w portfile]\nroutes:\n");
	for (i = 0; i < sizeof fs_routes / sizeof fs_routes[0]; i++)
		fprintf(stderr, "  %s\n", fs_routes[i].usage);
	exit(2);
}

/* Listens on one more port: `port`, or a free one when 0. */
static void
fs_listen(struct server *srv, const char *addr, unsigned long long port)
{
	struct listener			*lst = &srv->listeners[srv->nlisteners];
	struct evhttp_bound_socket	*bound;
	struct sockaddr_storage		 ss;
	socklen_t			 sslen = sizeof ss;

	lst->srv = srv;
	if ((lst->http = evhttp_new(srv->base)) == NULL)
		fs_die("cannot set up libevent");
	evhttp_set_allowed_methods(lst->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(lst->http, FS_MAX_REQUEST_HEADERS);
	evhttp_set_gencb(lst->http, fs_request_cb, lst);
	if ((bound = evhttp_bind_socket_with_handle(lst->http, addr,
	    (ev_uint16_t)port)) == NULL)
		fs_die("cannot listen on %s port %llu", addr, port);
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &sslen) == -1)
		fs_die("getsockname: %s", strerror(errno));
	if (ss.ss_family == AF_INET6)
		lst->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		lst->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	srv->nlisteners++;
}

int
main(int argc, char **argv)
{
	static struct server		 srv;
	struct event			*sigterm, *sigint;
	unsigned long long		 port = 0, nports = 1, i;
	const char			*addr = "127.0.0.1", *portfile = NULL;
	struct stream			*st;
	struct evhttp_request		*req;
	int				 ch;

	LIST_INIT(&srv.streams);
	while ((ch = getopt(argc, argv, "a:d:hn:p:w:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'd':
			srv.dir = optarg;
			break;
		case 'n':
			if (fs_number(optarg, strlen(optarg), FS_MAX_PORTS,
			    &nports) == -1 || nports == 0)
				fs_die("bad number of ports (1 to %d): %s",
				    FS_MAX_PORTS, optarg);
			break;
		case 'p':
			if (fs_number(optarg, strlen(optarg), 65535,
			    &port) == -1)
				fs_die("bad port: %s", optarg);
			break;
		case 'w':
			portfile = optarg;
			break;
		default:
			fs_usage();
		}
	}
	if (srv.dir == NULL || optind != argc)
		fs_usage();
	if (port != 0 && port + nports - 1 > 65535)
		fs_die("ports past 65535");
	signal(SIGPIPE, SIG_IGN);

	if ((srv.base = event_base_new()) == NULL)
		fs_die("cannot set up libevent");
	for (i = 0; i < nports; i++)
		fs_listen(&srv, addr, port == 0 ? 0 : port + i);

	sigterm = evsignal_new(srv.base, SIGTERM, fs_signal_cb, &srv);
	sigint = evsignal_new(srv.base, SIGINT, fs_signal_cb, &srv);
	if (sigterm == NULL || sigint == NULL ||
	    evsignal_add(sigterm, NULL) == -1 ||
	    evsignal_add(sigint, NULL) == -1)
		fs_die("cannot catch signals");

	if (portfile != NULL)
		fs_write_port(portfile, &srv);
	for (i = 0; i < srv.nlisteners; i++)
		fprintf(stderr, "feedserver: serving %s on %s port %d\n",
		    srv.dir, addr, srv.listeners[i].port);

	event_base_dispatch(srv.base);

	/* Unfinished replies: drop ours, and free requests left to us. */
	while ((st = LIST_FIRST(&srv.streams)) != NULL) {
		req = st->req;
		stream_done(st);
		if (evhttp_request_get_connection(req) == NULL)
			evhttp_send_reply_end(req);
	}
	for (i = 0; i < srv.nlisteners; i++)
		evhttp_free(srv.listeners[i].http);
	for (i = 0; i < FS_COUNT_SLOTS; i++)
		free(srv.counts[i].path);
	event_free(sigterm);
	event_free(sigint);
	event_base_free(srv.base);
	fprintf(stderr, "feedserver: stopped\n");
	return 0;
}
