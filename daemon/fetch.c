/*
 * fetch.c - feed transfers with libcurl's multi socket interface, driven by
 * the daemon's libevent loop.
 *
 * libcurl tells us which sockets to watch (fetch_socket_cb) and when to wake
 * it (fetch_timer_cb); libevent tells libcurl when a socket is ready or the
 * timer fired (fetch_event_cb, fetch_timeout_cb), and after each of those we
 * collect finished transfers (fetch_check_done).  Nothing here blocks.
 *
 * Contract of a transfer.  fetch_start() never calls the callback itself:
 * the callback runs exactly once for every fetch_start() that returned 0,
 * later, from the event loop, unless fetch_free() cancels the transfer
 * first.  Every failure, including a URL that is malformed, too long or of
 * a refused scheme, arrives that way as a result with `error` set, in words
 * a hub coordinator can act on.  Everything a peer sends is bounded: the
 * body by max_bytes (checked as it arrives, so a lying or missing
 * Content-Length changes nothing, and after decompression, so a small
 * gzip or brotli bomb cannot grow past it), the response headers by
 * FETCH_MAX_HEADER_BYTES, a redirect target by FETCH_MAX_URL and the whole
 * transfer by its timeout.  Texts in a result that come from a peer (the
 * error, the content type, the validators) are short, and printable ASCII.
 *
 * Politeness.  At most max_transfers transfers are with libcurl at once,
 * and at most one per server (scheme, host and port of the URL asked
 * for), so a platform that hosts many spokes sees one request at a time
 * from us.  The rest wait in a queue per server; servers take turns in
 * the order they became free, and each server's transfers go in the
 * order they were asked for.  A waiting transfer starts when another
 * ends, from the loop; its timeout counts from then.
 *
 * What the answer says about next time.  A request with validators is
 * conditional (If-None-Match, If-Modified-Since), and a 304 to it is a
 * success with no body.  The ETag and Last-Modified of the final answer
 * come back verbatim, to be sent as they are next time; Cache-Control
 * max-age, Expires and Retry-After come back parsed, on any status, and
 * whatever does not parse is ignored (fetch_header_line() has the
 * rules).  Each redirect hop's status is read from its status line: only
 * a chain of 301 and 308 hops is a permanent move (`moved_to`).
 *
 * Safety.  Only http and https are fetched (and file: when allowed), on
 * redirects too.  Unless allow_private, every address libcurl is about to
 * connect to, after DNS and on every redirect, is checked against
 * fetch_ranges[] (loopback, private, link-local, shared, multicast...):
 * a feed URL cannot be used to reach the hub's own network.  A proxy from
 * the environment is connected to like any server, and is checked the
 * same way; where it connects onwards is beyond this check.
 *
 * Re-entrancy.  A callback may call fetch_start() again; results are taken
 * one at a time, and no list iterator is held across a callback.  A
 * callback must not call fetch_free(): that is a fatal bug, checked.
 *
 * libcurl's global state.  fetch_new() takes a reference on it with
 * curl_global_init() and fetch_free() drops it with curl_global_cleanup();
 * both are counted by libcurl, so a program that also calls them is not
 * upset.  Create the first fetcher before starting threads that use libcurl.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "dayhub.h"

#define FETCH_MAX_URL		4096	/* bytes, asked for or redirected to */
#define FETCH_MAX_HEADER_BYTES	(256 * 1024) /* all response headers */
#define FETCH_MAX_HEADER_VALUE	4096	/* longer values we parse: ignored */
#define FETCH_MAX_CONTENT_TYPE	256	/* longer is treated as absent */
#define FETCH_MAX_VALIDATOR	256	/* bytes of an ETag or Last-Modified */
#define FETCH_MAX_DATE		64	/* bytes of an HTTP-date */
#define FETCH_MAX_DIRECTIVE	32	/* bytes of a Cache-Control name */
#define FETCH_MAX_AGE		2147483648LL /* larger means this (RFC 9111) */
#define FETCH_MAX_RETRY_AFTER	(7LL * 24 * 3600) /* seconds */
#define FETCH_MAX_BODY_CAP	(1024ULL * 1024 * 1024) /* max_bytes ceiling */
#define FETCH_MAX_ERROR		512	/* bytes of an error text */
#define FETCH_MAX_TIMEOUT	3600	/* seconds */
#define FETCH_MAX_REDIRECTS	20
#define FETCH_MAX_TRANSFERS	1024	/* max_transfers ceiling */
#define FETCH_DEFAULT_TIMEOUT	60
#define FETCH_DEFAULT_CONNECT	15
#define FETCH_DEFAULT_REDIRECTS	5
#define FETCH_DEFAULT_TRANSFERS	16
#define FETCH_MAX_CONNECTS	32	/* idle connections kept for reuse */
#define FETCH_BODY_START	(16 * 1024)
#define FETCH_HOST_BUCKETS	256

struct fetcher;

/* One socket libcurl asked us to watch. */
struct fetch_sock {
	LIST_ENTRY(fetch_sock)	 entry;
	struct fetcher		*f;
	curl_socket_t		 fd;
	struct event		*ev;
};

/*
 * Where a transfer is.  NEW -> WAITING -> RUNNING -> DONE is the common
 * path; EARLY holds those that fail before libcurl runs them, to be
 * delivered from the loop.
 */
enum fetch_state {
	FETCH_NEW,
	FETCH_WAITING,		/* in its host's queue */
	FETCH_RUNNING,		/* with libcurl */
	FETCH_EARLY,		/* failed; its callback is due */
	FETCH_DONE		/* on no list */
};

static const char *const fetch_state_names[] = {
	"new", "waiting", "running", "early", "done"
};

/* Which moves are allowed: [from][to]. */
static const int fetch_moves[5][5] = {
	[FETCH_NEW] = { [FETCH_WAITING] = 1, [FETCH_EARLY] = 1 },
	[FETCH_WAITING] = { [FETCH_RUNNING] = 1, [FETCH_EARLY] = 1 },
	[FETCH_RUNNING] = { [FETCH_DONE] = 1 },
	[FETCH_EARLY] = { [FETCH_DONE] = 1 },
};

struct fetch_host;

/* One transfer, from fetch_start() until its callback has returned. */
struct fetch_xfer {
	TAILQ_ENTRY(fetch_xfer)	 entry;		/* the list of its state */
	struct fetcher		*f;
	struct fetch_host	*host;		/* while WAITING or RUNNING */
	enum fetch_state	 state;
	CURL			*easy;		/* NULL unless it ever ran */
	struct curl_slist	*headers;	/* conditional request headers */
	char			*url;
	char			*etag_sent;	/* validators asked with */
	char			*last_modified_sent;
	fetch_done_cb		 cb;
	void			*arg;

	unsigned char		*body;
	size_t			 len;
	size_t			 size;
	size_t			 header_bytes;

	int			 too_big;	/* body passed max_bytes */
	int			 headers_too_big;
	int			 location_too_long;
	int			 bad_status;	/* aborted on a non-2xx */

	/* What the responses said; reset by each final status line. */
	int			 in_headers;	/* between status and blank */
	long			 prev_status;	/* of the response before */
	int			 temporary_hop;	/* a 302/303/307 was followed */
	char			 etag[FETCH_MAX_VALIDATOR + 1];
	char			 last_modified[FETCH_MAX_VALIDATOR + 1];
	long long		 max_age;	/* -1 none */
	int			 no_cache;	/* no-store or no-cache */
	time_t			 expires;	/* 0 none */
	long long		 retry_after;	/* -1 none */

	char			 refused[FETCH_MAX_ERROR]; /* an address */
	char			 curlerr[CURL_ERROR_SIZE];
	char			 error[FETCH_MAX_ERROR];	/* "": none */
};

TAILQ_HEAD(fetch_xfers, fetch_xfer);

/* A server (scheme://host:port) with transfers running or waiting. */
struct fetch_host {
	LIST_ENTRY(fetch_host)	 entry;		/* in its hash bucket */
	TAILQ_ENTRY(fetch_host)	 ready_entry;	/* on f->ready */
	char			*key;
	struct fetch_xfers	 waiting;
	int			 busy;		/* one of its transfers runs */
	int			 ready;		/* on f->ready */
};

TAILQ_HEAD(fetch_hosts, fetch_host);
LIST_HEAD(fetch_bucket, fetch_host);

struct fetcher {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;		/* libcurl's one timeout */
	struct event		*early_ev;	/* delivers early failures */
	struct fetch_xfers	 running;	/* handed to libcurl */
	struct fetch_xfers	 early;		/* failed before libcurl */
	struct fetch_hosts	 ready;		/* free hosts with waiters */
	struct fetch_bucket	 hosts[FETCH_HOST_BUCKETS];
	LIST_HEAD(, fetch_sock)	 socks;
	size_t			 nrunning;
	size_t			 nwaiting;
	size_t			 nearly;
	int			 delivering;	/* inside a callback */

	char			*user_agent;
	long			 connect_timeout;
	long			 timeout;
	long			 max_redirects;
	size_t			 max_bytes;
	size_t			 max_transfers;
	int			 allow_file;
	int			 allow_private;
};

/* Reason phrases by status: HTTP/2 sends none, and a server's own may lie. */
static const struct {
	long		 status;
	const char	*phrase;
} fetch_phrases[] = {
	{ 300, "Multiple Choices" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 408, "Request Timeout" },
	{ 410, "Gone" },
	{ 429, "Too Many Requests" },
	{ 451, "Unavailable For Legal Reasons" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

/*
 * What a libcurl failure means to someone who runs a hub: the text around
 * the server's name (host, or host:port).  Failures that need more than
 * the name are explained in fetch_explain() before this table is read.
 */
static const struct {
	CURLcode	 code;
	const char	*before;
	const char	*after;
} fetch_errors[] = {
	{ CURLE_URL_MALFORMAT, "the URL of ", " is not valid" },
	{ CURLE_COULDNT_RESOLVE_HOST, "could not find the server ",
	    " (its name does not resolve)" },
	{ CURLE_COULDNT_RESOLVE_PROXY, "could not find the proxy for ", "" },
	{ CURLE_GOT_NOTHING, "", " closed the connection without answering" },
	{ CURLE_PARTIAL_FILE, "the connection to ",
	    " closed before the whole feed arrived" },
	{ CURLE_RECV_ERROR, "the connection to ",
	    " broke while the feed was arriving" },
	{ CURLE_SEND_ERROR, "the connection to ",
	    " broke while sending the request" },
	{ CURLE_WEIRD_SERVER_REPLY, "", " did not answer in HTTP" },
	{ CURLE_BAD_CONTENT_ENCODING, "",
	    " sent compressed data that could not be decoded" },
	{ CURLE_SSL_CONNECT_ERROR, "could not make a secure connection to ",
	    "" },
	{ CURLE_PEER_FAILED_VERIFICATION, "the certificate of ",
	    " could not be verified" },
	{ CURLE_HTTP2, "the HTTP/2 connection to ", " failed" },
	{ CURLE_HTTP2_STREAM, "the HTTP/2 connection to ", " failed" },
	{ CURLE_RANGE_ERROR, "", " did not send what was asked for" },
};

/*
 * Addresses a feed fetch must not reach unless allow_private: the hub's
 * own machine and networks, and what is no single host at all.  The
 * first row that matches names the kind; IPv4 embedded in IPv6 (mapped,
 * NAT64, the old compatible form) is looked up as IPv4.
 */
static const struct {
	int		 family;
	unsigned char	 prefix[16];
	unsigned	 bits;
	const char	*kind;
} fetch_ranges[] = {
	{ AF_INET, { 0 }, 8, "unspecified" },
	{ AF_INET, { 10 }, 8, "private" },
	{ AF_INET, { 100, 64 }, 10, "carrier-grade NAT" },
	{ AF_INET, { 127 }, 8, "loopback" },
	{ AF_INET, { 169, 254 }, 16, "link-local" },
	{ AF_INET, { 172, 16 }, 12, "private" },
	{ AF_INET, { 192, 168 }, 16, "private" },
	{ AF_INET, { 224 }, 4, "multicast" },
	{ AF_INET, { 255, 255, 255, 255 }, 32, "broadcast" },
	{ AF_INET, { 240 }, 4, "reserved" },
	{ AF_INET6, { 0 }, 128, "unspecified" },
	{ AF_INET6, { [15] = 1 }, 128, "loopback" },
	{ AF_INET6, { 0xfc }, 7, "private" },
	{ AF_INET6, { 0xfe, 0x80 }, 10, "link-local" },
	{ AF_INET6, { 0xfe, 0xc0 }, 10, "private" },	/* site-local */
	{ AF_INET6, { 0xff }, 8, "multicast" },
};

/* IPv6 prefixes whose last 32 bits are an IPv4 address. */
static const unsigned char fetch_embedded[][12] = {
	{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff },	/* ::ffff:0:0/96 */
	{ 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 },	/* 64:ff9b::/96 */
	{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },		/* ::/96 */
};

struct fetch_header;

static int	 fetch_socket_cb(CURL *, curl_socket_t, int, void *, void *);
static int	 fetch_timer_cb(CURLM *, long, void *);
static void	 fetch_event_cb(evutil_socket_t, short, void *);
static void	 fetch_timeout_cb(evutil_socket_t, short, void *);
static void	 fetch_early_cb(evutil_socket_t, short, void *);
static size_t	 fetch_write_cb(char *, size_t, size_t, void *);
static size_t	 fetch_header_cb(char *, size_t, size_t, void *);
static curl_socket_t fetch_opensocket_cb(void *, curlsocktype,
		    struct curl_sockaddr *);
static void	 fetch_header_line(struct fetch_xfer *, const char *, size_t);
static void	 fetch_status_line(struct fetch_xfer *, const char *, size_t);
static void	 fetch_hdr_etag(struct fetch_xfer *, const char *);
static void	 fetch_hdr_last_modified(struct fetch_xfer *, const char *);
static void	 fetch_hdr_cache_control(struct fetch_xfer *, const char *);
static void	 fetch_hdr_expires(struct fetch_xfer *, const char *);
static void	 fetch_hdr_retry_after(struct fetch_xfer *, const char *);
static int	 fetch_validator_ok(const char *);
static void	 fetch_sock_free(struct fetch_sock *);
static void	 fetch_check_done(struct fetcher *);
static int	 fetch_precheck(struct fetcher *, const char *, char **,
		    char *, size_t);
static CURL	*fetch_easy(struct fetcher *, struct fetch_xfer *);
static int	 fetch_run(struct fetcher *, struct fetch_xfer *);
static void	 fetch_dispatch(struct fetcher *);
static void	 fetch_set_state(struct fetch_xfer *, enum fetch_state);
static struct fetch_host *fetch_host_get(struct fetcher *, const char *);
static void	 fetch_host_ready(struct fetcher *, struct fetch_host *);
static void	 fetch_host_done(struct fetcher *, struct fetch_host *);
static void	 fetch_explain(struct fetch_xfer *, CURLcode, long);
static void	 fetch_server_name(const char *, char *, size_t);
static char	*fetch_file_path(const char *);
static const char *fetch_phrase(long);
static void	 fetch_deliver(struct fetcher *, struct fetch_xfer *,
		    CURLcode);
static void	 fetch_xfer_free(struct fetch_xfer *);
static void	 fetch_sanitize(char *);

/* The response headers we read, and what reads each. */
static const struct fetch_header {
	const char	*name;
	void		(*parse)(struct fetch_xfer *, const char *);
} fetch_headers[] = {
	{ "etag", fetch_hdr_etag },
	{ "last-modified", fetch_hdr_last_modified },
	{ "cache-control", fetch_hdr_cache_control },
	{ "expires", fetch_hdr_expires },
	{ "retry-after", fetch_hdr_retry_after },
};

/* Clamps an option to [1, max], with `def` standing in for zero. */
static unsigned long long
fetch_clamp(unsigned long long v, unsigned long long def,
    unsigned long long max)
{
	if (v == 0)
		v = def;
	return v > max ? max : v;
}

/* Makes a fetcher that runs its transfers on `base`. */
struct fetcher *
fetch_new(struct event_base *base, const struct fetch_options *opts)
{
	struct fetcher	*f;
	CURLcode	 rc;
	size_t		 i;

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK)
		fatalx("curl_global_init: %s", curl_easy_strerror(rc));

	f = xcalloc(1, sizeof *f);
	f->base = base;
	TAILQ_INIT(&f->running);
	TAILQ_INIT(&f->early);
	TAILQ_INIT(&f->ready);
	for (i = 0; i < FETCH_HOST_BUCKETS; i++)
		LIST_INIT(&f->hosts[i]);
	LIST_INIT(&f->socks);

	f->user_agent = xstrdup(opts->user_agent != NULL &&
	    *opts->user_agent != '\0' ? opts->user_agent :
	    PACKAGE_NAME "/" PACKAGE_VERSION);
	f->timeout = (long)fetch_clamp(opts->timeout, FETCH_DEFAULT_TIMEOUT,
	    FETCH_MAX_TIMEOUT);
	f->connect_timeout = (long)fetch_clamp(opts->connect_timeout,
	    FETCH_DEFAULT_CONNECT, FETCH_MAX_TIMEOUT);
	f->max_bytes = (size_t)fetch_clamp(opts->max_bytes, FEED_MAX_BYTES,
	    FETCH_MAX_BODY_CAP);
	f->max_redirects = opts->max_redirects <= 0 ?
	    FETCH_DEFAULT_REDIRECTS : opts->max_redirects;
	if (f->max_redirects > FETCH_MAX_REDIRECTS)
		f->max_redirects = FETCH_MAX_REDIRECTS;
	f->max_transfers = (size_t)fetch_clamp(opts->max_transfers,
	    FETCH_DEFAULT_TRANSFERS, FETCH_MAX_TRANSFERS);
	f->allow_file = opts->allow_file;
	f->allow_private = opts->allow_private;

	if ((f->multi = curl_multi_init()) == NULL)
		fatalx("curl_multi_init failed");
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, fetch_socket_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, fetch_timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS,
	    (long)(f->max_transfers > FETCH_MAX_CONNECTS ? f->max_transfers :
	    FETCH_MAX_CONNECTS));

	if ((f->timer = evtimer_new(base, fetch_timeout_cb, f)) == NULL ||
	    (f->early_ev = event_new(base, -1, 0, fetch_early_cb, f)) == NULL)
		fatalx("fetch_new: cannot make events");
	return f;
}

/*
 * Cancels every transfer still running or waiting without calling its
 * callback and frees the fetcher.  Must not be called from a callback.
 */
void
fetch_free(struct fetcher *f)
{
	struct fetch_xfer	*x;
	struct fetch_host	*h;
	struct fetch_sock	*s;
	size_t			 i;

	if (f == NULL)
		return;
	if (f->delivering)
		fatalx("fetch_free called from inside a fetch callback");

	while ((x = TAILQ_FIRST(&f->running)) != NULL) {
		TAILQ_REMOVE(&f->running, x, entry);
		curl_multi_remove_handle(f->multi, x->easy);
		fetch_xfer_free(x);
	}
	while ((x = TAILQ_FIRST(&f->early)) != NULL) {
		TAILQ_REMOVE(&f->early, x, entry);
		fetch_xfer_free(x);
	}
	for (i = 0; i < FETCH_HOST_BUCKETS; i++) {
		while ((h = LIST_FIRST(&f->hosts[i])) != NULL) {
			while ((x = TAILQ_FIRST(&h->waiting)) != NULL) {
				TAILQ_REMOVE(&h->waiting, x, entry);
				fetch_xfer_free(x);
			}
			LIST_REMOVE(h, entry);
			free(h->key);
			free(h);
		}
	}
	curl_multi_cleanup(f->multi);

	/* Whatever libcurl did not ask us to stop watching. */
	while ((s = LIST_FIRST(&f->socks)) != NULL)
		fetch_sock_free(s);
	event_free(f->timer);
	event_free(f->early_ev);
	free(f->user_agent);
	free(f);
	curl_global_cleanup();
}

/* Transfers started and not yet delivered, other than those waiting. */
size_t
fetch_inflight(const struct fetcher *f)
{
	return f->nrunning + f->nearly;
}

/* Transfers waiting for their server, or for a free slot. */
size_t
fetch_queued(const struct fetcher *f)
{
	return f->nwaiting;
}

/*
 * Starts fetching `req->url`, conditionally when `req` has validators;
 * `cb` gets the result later, from the loop.  The request's strings are
 * copied.  A validator that is too long or not printable ASCII is not
 * sent (it cannot have come from a good answer).  Returns 0, or -1 only
 * when there is no URL at all (then the callback is never called).
 */
int
fetch_start(struct fetcher *f, const struct fetch_request *req,
    fetch_done_cb cb, void *arg)
{
	struct fetch_xfer	*x;
	struct fetch_host	*h;
	char			*key = NULL;

	if (req == NULL || req->url == NULL)
		return -1;
	x = xcalloc(1, sizeof *x);
	x->f = f;
	x->state = FETCH_NEW;
	x->cb = cb;
	x->arg = arg;
	x->url = xstrndup(req->url, FETCH_MAX_URL + 1);
	if (req->etag != NULL && fetch_validator_ok(req->etag))
		x->etag_sent = xstrdup(req->etag);
	if (req->last_modified != NULL &&
	    fetch_validator_ok(req->last_modified))
		x->last_modified_sent = xstrdup(req->last_modified);

	if (fetch_precheck(f, req->url, &key, x->error,
	    sizeof x->error) == -1) {
		fetch_set_state(x, FETCH_EARLY);
		return 0;
	}
	h = fetch_host_get(f, key);
	free(key);
	x->host = h;
	fetch_set_state(x, FETCH_WAITING);
	fetch_host_ready(f, h);
	fetch_dispatch(f);
	return 0;
}

/* Moves a transfer to another state, and list, through allowed moves. */
static void
fetch_set_state(struct fetch_xfer *x, enum fetch_state to)
{
	struct fetcher	*f = x->f;

	if (!fetch_moves[x->state][to])
		fatalx("fetch: transfer of %s cannot go from %s to %s", x->url,
		    fetch_state_names[x->state], fetch_state_names[to]);
	switch (x->state) {
	case FETCH_WAITING:
		TAILQ_REMOVE(&x->host->waiting, x, entry);
		f->nwaiting--;
		break;
	case FETCH_RUNNING:
		TAILQ_REMOVE(&f->running, x, entry);
		f->nrunning--;
		break;
	case FETCH_EARLY:
		TAILQ_REMOVE(&f->early, x, entry);
		f->nearly--;
		break;
	case FETCH_NEW:
	case FETCH_DONE:
		break;
	}
	switch (to) {
	case FETCH_WAITING:
		TAILQ_INSERT_TAIL(&x->host->waiting, x, entry);
		f->nwaiting++;
		break;
	case FETCH_RUNNING:
		TAILQ_INSERT_TAIL(&f->running, x, entry);
		f->nrunning++;
		break;
	case FETCH_EARLY:
		x->host = NULL;
		TAILQ_INSERT_TAIL(&f->early, x, entry);
		f->nearly++;
		event_active(f->early_ev, EV_TIMEOUT, 0);
		break;
	case FETCH_NEW:
	case FETCH_DONE:
		break;
	}
	x->state = to;
}

/* A string hash for the host table (FNV-1a). */
static unsigned
fetch_hash(const char *s)
{
	unsigned	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The host entry for `key`, made when there is none. */
static struct fetch_host *
fetch_host_get(struct fetcher *f, const char *key)
{
	struct fetch_bucket	*b = &f->hosts[fetch_hash(key) %
				    FETCH_HOST_BUCKETS];
	struct fetch_host	*h;

	LIST_FOREACH(h, b, entry)
		if (strcmp(h->key, key) == 0)
			return h;
	h = xcalloc(1, sizeof *h);
	h->key = xstrdup(key);
	TAILQ_INIT(&h->waiting);
	LIST_INSERT_HEAD(b, h, entry);
	return h;
}

/* Puts a free host with waiting transfers at the back of the turn. */
static void
fetch_host_ready(struct fetcher *f, struct fetch_host *h)
{
	if (h->busy || h->ready || TAILQ_EMPTY(&h->waiting))
		return;
	TAILQ_INSERT_TAIL(&f->ready, h, ready_entry);
	h->ready = 1;
}

/* A host's transfer has ended: it takes its turn again, or goes. */
static void
fetch_host_done(struct fetcher *f, struct fetch_host *h)
{
	h->busy = 0;
	if (!TAILQ_EMPTY(&h->waiting)) {
		fetch_host_ready(f, h);
		return;
	}
	if (h->ready)
		TAILQ_REMOVE(&f->ready, h, ready_entry);
	LIST_REMOVE(h, entry);
	free(h->key);
	free(h);
}

/*
 * Starts waiting transfers while there is room, one per free host.  It
 * calls no callback (one that cannot start is delivered from the loop),
 * so it is safe from anywhere, and it ends: each turn takes a transfer
 * off a queue.
 */
static void
fetch_dispatch(struct fetcher *f)
{
	struct fetch_host	*h;
	struct fetch_xfer	*x;

	while (f->nrunning < f->max_transfers &&
	    (h = TAILQ_FIRST(&f->ready)) != NULL) {
		TAILQ_REMOVE(&f->ready, h, ready_entry);
		h->ready = 0;
		x = TAILQ_FIRST(&h->waiting);
		if (fetch_run(f, x) == 0) {
			h->busy = 1;
			continue;
		}
		fetch_set_state(x, FETCH_EARLY);
		fetch_host_done(f, h);
	}
}

/* Hands a waiting transfer to libcurl; -1 with x->error when it cannot. */
static int
fetch_run(struct fetcher *f, struct fetch_xfer *x)
{
	CURLMcode	mrc;

	if ((x->easy = fetch_easy(f, x)) == NULL) {
		log_warnx("fetch: cannot set up a transfer of %s", x->url);
		snprintf(x->error, sizeof x->error,
		    "the transfer could not be set up (out of resources)");
		return -1;
	}
	if ((mrc = curl_multi_add_handle(f->multi, x->easy)) != CURLM_OK) {
		log_warnx("fetch: curl_multi_add_handle: %s",
		    curl_multi_strerror(mrc));
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		snprintf(x->error, sizeof x->error,
		    "the transfer could not be started (%s)",
		    curl_multi_strerror(mrc));
		fetch_sanitize(x->error);
		return -1;
	}
	fetch_set_state(x, FETCH_RUNNING);
	return 0;
}

/*
 * Refuses what libcurl should never see: an over-long or malformed URL or
 * a scheme not allowed.  Returns 0 with the server's key in `*key`
 * (scheme://host:port, to free), or -1 with the reason in `err`.
 */
static int
fetch_precheck(struct fetcher *f, const char *url, char **key, char *err,
    size_t errlen)
{
	CURLU		*u = NULL;
	CURLUcode	 urc;
	char		*scheme = NULL, *host = NULL, *port = NULL, *p;
	int		 rv = -1;

	*key = NULL;
	if (strlen(url) > FETCH_MAX_URL) {
		snprintf(err, errlen, "the URL is longer than %d bytes",
		    FETCH_MAX_URL);
		goto fail;
	}
	if ((u = curl_url()) == NULL)
		fatalx("curl_url: out of memory");
	urc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
	if (urc != CURLUE_OK) {
#if LIBCURL_VERSION_NUM >= 0x075000
		snprintf(err, errlen, "the URL is not valid (%s)",
		    curl_url_strerror(urc));
#else
		snprintf(err, errlen, "the URL is not valid");
#endif
		goto fail;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		snprintf(err, errlen, "the URL has no scheme");
		goto fail;
	}
	if (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0 &&
	    (!f->allow_file || strcasecmp(scheme, "file") != 0)) {
		snprintf(err, errlen, "the URL scheme is not allowed: %.32s",
		    scheme);
		goto fail;
	}
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	xasprintf(key, "%s://%s:%s", scheme, host != NULL ? host : "",
	    port != NULL ? port : "");
	for (p = *key; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	rv = 0;
fail:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	if (rv == -1)
		fetch_sanitize(err);
	return rv;
}

/* Makes the easy handle for `x` with every limit set; NULL on failure. */
static CURL *
fetch_easy(struct fetcher *f, struct fetch_xfer *x)
{
	CURL			*e;
	struct curl_slist	*l;
	char			*line;
	int			 bad = 0;

	if ((e = curl_easy_init()) == NULL)
		return NULL;
	if (x->etag_sent != NULL) {
		xasprintf(&line, "If-None-Match: %s", x->etag_sent);
		if ((l = curl_slist_append(x->headers, line)) == NULL)
			bad = 1;
		else
			x->headers = l;
		free(line);
	}
	if (x->last_modified_sent != NULL) {
		xasprintf(&line, "If-Modified-Since: %s",
		    x->last_modified_sent);
		if ((l = curl_slist_append(x->headers, line)) == NULL)
			bad = 1;
		else
			x->headers = l;
		free(line);
	}
#define SET(opt, val)	bad |= curl_easy_setopt(e, opt, val) != CURLE_OK
	SET(CURLOPT_URL, x->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, f->allow_file ? "http,https,file" :
	    "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS |
	    (f->allow_file ? CURLPROTO_FILE : 0)));
	SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, f->max_redirects);
	SET(CURLOPT_CONNECTTIMEOUT, f->connect_timeout);
	SET(CURLOPT_TIMEOUT, f->timeout);
	SET(CURLOPT_USERAGENT, f->user_agent);
	/* Every encoding this libcurl decodes: gzip, deflate, br, zstd. */
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_bytes);
	SET(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	if (x->headers != NULL)
		SET(CURLOPT_HTTPHEADER, x->headers);
	if (!f->allow_private) {
		SET(CURLOPT_OPENSOCKETFUNCTION, fetch_opensocket_cb);
		SET(CURLOPT_OPENSOCKETDATA, x);
	}
	SET(CURLOPT_WRITEFUNCTION, fetch_write_cb);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HEADERFUNCTION, fetch_header_cb);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_ERRORBUFFER, x->curlerr);
	SET(CURLOPT_PRIVATE, x);
#undef SET
	if (bad) {
		curl_easy_cleanup(e);
		return NULL;
	}
	return e;
}

/*
 * The kind of address `addr` is (IPv4 in 4 bytes or IPv6 in 16, network
 * order, as `family` says) when a feed fetch must not connect to it:
 * "loopback", "private", "link-local", "carrier-grade NAT", "multicast",
 * "broadcast", "reserved", "unspecified", or "unknown" for a family other
 * than AF_INET and AF_INET6.  NULL for an address anyone may reach.
 * Pure: no I/O, no state.
 */
const char *
fetch_address_kind(int family, const void *addr)
{
	const unsigned char	*a = addr;
	unsigned		 full, rest;
	size_t			 i;

	if (family != AF_INET && family != AF_INET6)
		return "unknown";
	for (i = 0; i < sizeof fetch_ranges / sizeof fetch_ranges[0]; i++) {
		if (fetch_ranges[i].family != family)
			continue;
		full = fetch_ranges[i].bits / 8;
		rest = fetch_ranges[i].bits % 8;
		if (memcmp(a, fetch_ranges[i].prefix, full) != 0)
			continue;
		if (rest != 0 && ((a[full] ^ fetch_ranges[i].prefix[full]) &
		    (0xff << (8 - rest)) & 0xff) != 0)
			continue;
		return fetch_ranges[i].kind;
	}
	if (family == AF_INET6)
		for (i = 0; i < sizeof fetch_embedded /
		    sizeof fetch_embedded[0]; i++)
			if (memcmp(a, fetch_embedded[i], 12) == 0)
				return fetch_address_kind(AF_INET, a + 12);
	return NULL;
}

/*
 * libcurl is about to connect to `a`: refuses, by giving it no socket,
 * an address fetch_address_kind() names, and keeps the first refusal's
 * words for the error.  libcurl then tries the host's other addresses,
 * if any, and fails with CURLE_COULDNT_CONNECT when none is left.
 */
static curl_socket_t
fetch_opensocket_cb(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch_xfer	*x = arg;
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	const void		*ip = NULL;
	const char		*kind;
	char			 text[INET6_ADDRSTRLEN];
	int			 family = a->family;

	if (family == AF_INET && a->addrlen >= sizeof sin) {
		memcpy(&sin, &a->addr, sizeof sin);
		ip = &sin.sin_addr;
	} else if (family == AF_INET6 && a->addrlen >= sizeof sin6) {
		memcpy(&sin6, &a->addr, sizeof sin6);
		ip = &sin6.sin6_addr;
	} else
		family = AF_UNSPEC;
	if ((kind = fetch_address_kind(family, ip)) != NULL) {
		if (ip == NULL || inet_ntop(family, ip, text,
		    sizeof text) == NULL)
			snprintf(text, sizeof text, "the server");
		if (x->refused[0] == '\0')
			snprintf(x->refused, sizeof x->refused,
			    "refused to connect to %s: it is %s %s address, "
			    "and allow-private-addresses is off", text,
			    strchr("aeiou", kind[0]) != NULL ? "an" : "a",
			    kind);
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/*
 * Takes body bytes as they arrive (after decoding).  Returning less than
 * was given makes libcurl stop the transfer with CURLE_WRITE_ERROR; the
 * flag set beforehand says why.
 */
static size_t
fetch_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_xfer	*x = arg;
	size_t			 n = size * nmemb, want;
	long			 status = 0;

	if (x->len == 0 && x->size == 0) {
		/* The first bytes: is this a body we want at all? */
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status != 0 && (status < 200 || status > 299)) {
			x->bad_status = 1;
			return 0;
		}
	}
	if (n > x->f->max_bytes - x->len) {
		x->too_big = 1;
		return 0;
	}
	if (x->len + n + 1 > x->size) {
		want = x->size == 0 ? FETCH_BODY_START : x->size;
		while (want < x->len + n + 1)
			want *= 2;
		if (want > x->f->max_bytes + 1)
			want = x->f->max_bytes + 1;
		x->body = xreallocarray(x->body, 1, want);
		x->size = want;
	}
	memcpy(x->body + x->len, data, n);
	x->len += n;
	x->body[x->len] = '\0';
	return n;
}

/*
 * Takes one response header line (libcurl gives whole lines, of every
 * response a redirect chain brings, status lines included): counts the
 * bytes, refuses a redirect to an over-long address before libcurl
 * follows it, and reads what fetch_header_line() wants.
 */
static size_t
fetch_header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_xfer	*x = arg;
	size_t			 n = size * nmemb;
	static const char	 loc[] = "location:";

	if (n > FETCH_MAX_HEADER_BYTES - x->header_bytes) {
		x->headers_too_big = 1;
		return 0;
	}
	x->header_bytes += n;
	if (n > FETCH_MAX_URL + sizeof loc + 2 &&
	    strncasecmp(data, loc, sizeof loc - 1) == 0) {
		x->location_too_long = 1;
		return 0;
	}
	fetch_header_line(x, data, n);
	return n;
}

/*
 * Reads one header line of `len` bytes (not NUL-terminated, from a peer).
 * A status line starts a response (fetch_status_line()); a blank line
 * ends its headers, so trailers after a body are not read.  Of the other
 * lines, those named in fetch_headers[] are handed on with the value
 * trimmed of blanks and NUL-terminated, when it is at most
 * FETCH_MAX_HEADER_VALUE bytes and holds no NUL; anything else is
 * skipped.  Nothing here can fail the transfer.
 */
static void
fetch_header_line(struct fetch_xfer *x, const char *data, size_t len)
{
	char		 value[FETCH_MAX_HEADER_VALUE + 1];
	const char	*colon, *v, *end;
	size_t		 i, namelen;

	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len == 0) {
		x->in_headers = 0;
		return;
	}
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		fetch_status_line(x, data, len);
		return;
	}
	if (!x->in_headers || (colon = memchr(data, ':', len)) == NULL)
		return;
	namelen = (size_t)(colon - data);
	for (i = 0; i < sizeof fetch_headers / sizeof fetch_headers[0]; i++) {
		if (strlen(fetch_headers[i].name) != namelen ||
		    strncasecmp(data, fetch_headers[i].name, namelen) != 0)
			continue;
		v = colon + 1;
		end = data + len;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((size_t)(end - v) > FETCH_MAX_HEADER_VALUE ||
		    memchr(v, '\0', (size_t)(end - v)) != NULL)
			return;
		memcpy(value, v, (size_t)(end - v));
		value[end - v] = '\0';
		fetch_headers[i].parse(x, value);
		return;
	}
}

/*
 * Reads a status line ("HTTP/1.1 301 Moved", "HTTP/2 200").  An interim
 * (1xx) response's headers are skipped.  A final response after another
 * means libcurl followed the one before, a redirect hop; a hop other than
 * 301 or 308 makes the move temporary.  What the last response said is
 * forgotten, so the result describes the final one only.
 */
static void
fetch_status_line(struct fetch_xfer *x, const char *data, size_t len)
{
	const char	*sp, *end = data + len;
	long		 status;

	if ((sp = memchr(data, ' ', len)) == NULL || end - sp < 4 ||
	    sp[1] < '1' || sp[1] > '5' || sp[2] < '0' || sp[2] > '9' ||
	    sp[3] < '0' || sp[3] > '9' || (end - sp > 4 && sp[4] != ' '))
		return;
	status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
	if (status < 200) {
		x->in_headers = 0;
		return;
	}
	if (x->prev_status != 0 && x->prev_status != 301 &&
	    x->prev_status != 308)
		x->temporary_hop = 1;
	x->prev_status = status;
	x->in_headers = 1;
	x->etag[0] = '\0';
	x->last_modified[0] = '\0';
	x->max_age = -1;
	x->no_cache = 0;
	x->expires = 0;
	x->retry_after = -1;
}

/* A validator we may send back: short, printable ASCII, not empty. */
static int
fetch_validator_ok(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= FETCH_MAX_VALIDATOR ||
		    (unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return i > 0;
}

/* ETag: kept verbatim (W/ and quotes too), to be sent back as it came. */
static void
fetch_hdr_etag(struct fetch_xfer *x, const char *v)
{
	if (fetch_validator_ok(v))
		snprintf(x->etag, sizeof x->etag, "%s", v);
}

/* Last-Modified: kept verbatim when it is a date. */
static void
fetch_hdr_last_modified(struct fetch_xfer *x, const char *v)
{
	if (strlen(v) <= FETCH_MAX_DATE && fetch_validator_ok(v) &&
	    curl_getdate(v, NULL) > 0)
		snprintf(x->last_modified, sizeof x->last_modified, "%s", v);
}

/* Digits only ("120"), as delta-seconds are; not empty. */
static int
fetch_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/*
 * Cache-Control: a list of directives, name[=token|"quoted"], split at
 * commas.  max-age=N (digits, quotes allowed) gives N seconds, with a
 * value past FETCH_MAX_AGE taken as that, and the smallest wins when
 * there are several; no-store, or no-cache without a field list, means
 * none at all whatever else is said.  Other directives and anything
 * malformed are skipped; an unclosed quote ends the list.
 */
static void
fetch_hdr_cache_control(struct fetch_xfer *x, const char *v)
{
	char			 name[FETCH_MAX_DIRECTIVE + 1], num[24];
	const char		*p = v, *s, *arg;
	size_t			 n, an, i;
	int			 has_arg, digits;
	unsigned long long	 age;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return;
		for (s = p; *p != '\0' && *p != '=' && *p != ',' &&
		    *p != ' ' && *p != '\t'; p++)
			;
		n = (size_t)(p - s);
		if (n > FETCH_MAX_DIRECTIVE)
			n = 0;			/* no name of ours is that long */
		memcpy(name, s, n);
		name[n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		has_arg = 0;
		arg = p;
		an = 0;
		if (*p == '=') {
			has_arg = 1;
			if (*++p == '"') {
				arg = ++p;
				if ((p = strchr(p, '"')) == NULL)
					return;
				an = (size_t)(p - arg);
				p++;
			} else {
				for (arg = p; *p != '\0' && *p != ',' &&
				    *p != ' ' && *p != '\t'; p++)
					;
				an = (size_t)(p - arg);
			}
		}
		/* What follows a directive must be a comma, or the end. */
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ',' && *p != '\0') {
			while (*p != ',' && *p != '\0')
				p++;
			continue;
		}
		if (strcasecmp(name, "no-store") == 0 ||
		    (strcasecmp(name, "no-cache") == 0 && !has_arg)) {
			x->no_cache = 1;
			continue;
		}
		if (strcasecmp(name, "max-age") != 0 || an == 0)
			continue;
		for (i = 0, digits = 1; i < an; i++)
			if (arg[i] < '0' || arg[i] > '9')
				digits = 0;
		if (!digits)
			continue;
		age = FETCH_MAX_AGE;	/* digits, but too many */
		if (an < sizeof num) {
			memcpy(num, arg, an);
			num[an] = '\0';
			if (parse_uint(num, FETCH_MAX_AGE, &age) == -1)
				age = FETCH_MAX_AGE;
		}
		if (x->max_age < 0 || (long long)age < x->max_age)
			x->max_age = (long long)age;
	}
}

/*
 * Expires: an HTTP-date (any of the three forms) after 1970; anything
 * else, "0" and "-1" included, is no date.
 */
static void
fetch_hdr_expires(struct fetch_xfer *x, const char *v)
{
	time_t	t;

	if (strlen(v) > FETCH_MAX_DATE || fetch_digits(v) || *v == '-')
		return;
	if ((t = curl_getdate(v, NULL)) > 0)
		x->expires = t;
}

/*
 * Retry-After: delta-seconds, or an HTTP-date turned into seconds from
 * now (0 when it has passed); either capped at FETCH_MAX_RETRY_AFTER.
 * Signs, fractions and other words are ignored.
 */
static void
fetch_hdr_retry_after(struct fetch_xfer *x, const char *v)
{
	unsigned long long	secs;
	time_t			t, now;

	if (strlen(v) > FETCH_MAX_DATE)
		return;
	if (fetch_digits(v)) {
		if (parse_uint(v, FETCH_MAX_RETRY_AFTER, &secs) == -1)
			secs = FETCH_MAX_RETRY_AFTER;
		x->retry_after = (long long)secs;
		return;
	}
	if (*v == '-' || (t = curl_getdate(v, NULL)) <= 0)
		return;
	now = time(NULL);
	if (t <= now)
		x->retry_after = 0;
	else if ((long long)(t - now) > FETCH_MAX_RETRY_AFTER)
		x->retry_after = FETCH_MAX_RETRY_AFTER;
	else
		x->retry_after = (long long)(t - now);
}

/* libcurl wants `s` watched for `what`, or no longer watched. */
static int
fetch_socket_cb(CURL *e, curl_socket_t s, int what, void *arg, void *sockp)
{
	struct fetcher		*f = arg;
	struct fetch_sock	*fs = sockp;
	short			 kind = EV_PERSIST;

	if (what == CURL_POLL_REMOVE) {
		if (fs != NULL) {
			curl_multi_assign(f->multi, s, NULL);
			fetch_sock_free(fs);
		}
		return 0;
	}
	if (fs == NULL) {
		fs = xcalloc(1, sizeof *fs);
		fs->f = f;
		fs->fd = s;
		LIST_INSERT_HEAD(&f->socks, fs, entry);
		curl_multi_assign(f->multi, s, fs);
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		kind |= EV_READ;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		kind |= EV_WRITE;

	if (fs->ev != NULL) {
		event_del(fs->ev);
		event_assign(fs->ev, f->base, s, kind, fetch_event_cb, fs);
	} else if ((fs->ev = event_new(f->base, s, kind, fetch_event_cb,
	    fs)) == NULL)
		fatalx("fetch: cannot make a socket event");
	if (event_add(fs->ev, NULL) == -1)
		log_warnx("fetch: cannot watch socket %d", (int)s);
	return 0;
}

/* Stops watching a socket and forgets it. */
static void
fetch_sock_free(struct fetch_sock *fs)
{
	LIST_REMOVE(fs, entry);
	if (fs->ev != NULL)
		event_free(fs->ev);
	free(fs);
}

/* libcurl wants to be woken in `ms` milliseconds, or not at all (-1). */
static int
fetch_timer_cb(CURLM *multi, long ms, void *arg)
{
	struct fetcher	*f = arg;
	struct timeval	 tv;

	if (ms < 0) {
		evtimer_del(f->timer);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(f->timer, &tv);
	return 0;
}

/* A watched socket is ready. */
static void
fetch_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch_sock	*fs = arg;
	struct fetcher		*f = fs->f;	/* fs may be gone below */
	int			 action = 0, running;
	CURLMcode		 mrc;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	mrc = curl_multi_socket_action(f->multi, fd, action, &running);
	if (mrc != CURLM_OK)
		log_warnx("fetch: curl_multi_socket_action: %s",
		    curl_multi_strerror(mrc));
	fetch_check_done(f);
}

/* libcurl's timer fired. */
static void
fetch_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher	*f = arg;
	int		 running;
	CURLMcode	 mrc;

	mrc = curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	if (mrc != CURLM_OK)
		log_warnx("fetch: curl_multi_socket_action: %s",
		    curl_multi_strerror(mrc));
	fetch_check_done(f);
}

/*
 * Delivers the transfers that failed before libcurl ran them.  Only as
 * many as were there when this run began are taken, so a callback that
 * retries a bad URL at once cannot keep the loop here: its retry waits
 * for the next turn of the loop.
 */
static void
fetch_early_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher		*f = arg;
	struct fetch_xfer	*x;
	size_t			 n = f->nearly;

	while (n-- > 0 && (x = TAILQ_FIRST(&f->early)) != NULL) {
		fetch_set_state(x, FETCH_DONE);
		fetch_deliver(f, x, CURLE_OK);
	}
}

/*
 * Hands every finished transfer to its callback, one at a time, after
 * starting what waited for the slot it leaves.
 */
static void
fetch_check_done(struct fetcher *f)
{
	struct fetch_xfer	*x;
	struct fetch_host	*h;
	CURLMsg			*msg;
	CURL			*e;
	CURLcode		 rc;
	char			*priv;
	int			 left;

	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg does not survive curl_multi_remove_handle. */
		e = msg->easy_handle;
		rc = msg->data.result;
		priv = NULL;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
		x = (struct fetch_xfer *)(void *)priv;
		curl_multi_remove_handle(f->multi, e);
		h = x->host;
		fetch_set_state(x, FETCH_DONE);
		x->host = NULL;
		fetch_host_done(f, h);
		fetch_dispatch(f);
		fetch_deliver(f, x, rc);
	}
}

/* Builds the result of `x`, calls its callback and frees it. */
static void
fetch_deliver(struct fetcher *f, struct fetch_xfer *x, CURLcode rc)
{
	struct fetch_result	 r;
	char			*ctype = NULL, *eurl = NULL;
	long			 status = 0, redirects = 0;
	double			 secs = 0;

	memset(&r, 0, sizeof r);
	r.url = x->url;
	r.effective_url = x->url;
	r.max_age = -1;
	r.retry_after = -1;
	if (x->easy == NULL)
		r.error = x->error;	/* failed before libcurl ran it */
	else {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ctype);
		curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eurl);
		curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &secs);
		curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_COUNT,
		    &redirects);
		r.status = status;
		r.seconds = secs;
		r.redirects = redirects;
		if (eurl != NULL && strlen(eurl) <= FETCH_MAX_URL)
			r.effective_url = eurl;
		if (ctype != NULL && strlen(ctype) <= FETCH_MAX_CONTENT_TYPE)
			r.content_type = ctype;
		if (x->prev_status != 0) {
			r.max_age = x->no_cache ? -1 : x->max_age;
			r.expires = x->expires;
			r.retry_after = x->retry_after;
		}
		fetch_explain(x, rc, status);
		if (x->error[0] != '\0')
			r.error = x->error;
		else if (status == 304)
			r.not_modified = 1;
		else if (x->body == NULL) {
			/* An empty body is still a body. */
			x->body = xcalloc(1, 1);
		}
	}
	if (r.error == NULL) {
		/* A 304 need not repeat them; those sent still hold. */
		r.etag = x->etag[0] != '\0' ? x->etag :
		    r.not_modified ? x->etag_sent : NULL;
		r.last_modified = x->last_modified[0] != '\0' ?
		    x->last_modified : r.not_modified ?
		    x->last_modified_sent : NULL;
		if (r.redirects > 0 && !x->temporary_hop)
			r.moved_to = r.effective_url;
	}
	if (r.not_modified) {
		free(x->body);
		x->body = NULL;
		x->len = 0;
	}
	r.body = x->body;
	r.len = x->len;

	f->delivering++;
	x->cb(&r, x->arg);
	f->delivering--;

	if (r.body == NULL)
		x->body = NULL;		/* the callback took it */
	fetch_xfer_free(x);
}

/*
 * Puts into x->error what went wrong, in words, or leaves it empty when
 * the transfer gave a whole body with a 2xx status (or from a file), or
 * a 304 to a conditional request.
 */
static void
fetch_explain(struct fetch_xfer *x, CURLcode rc, long status)
{
	struct fetcher	*f = x->f;
	char		 name[256], *eurl = NULL, *path = NULL;
	struct stat	 sb;
	curl_off_t	 connect_us = 0;
	long		 oserr = 0, secs;
	double		 total = 0;
	size_t		 i;

	curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eurl);
	fetch_server_name(eurl != NULL ? eurl : x->url, name, sizeof name);
	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &total);
	secs = (long)(total + 0.5);

	if (rc == CURLE_OK && status == 0 &&
	    (path = fetch_file_path(x->url)) != NULL) {
		/* libcurl reads a directory as an empty file. */
		if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			snprintf(x->error, sizeof x->error,
			    "this is a directory, not a file: %.400s", path);
		curl_free(path);
		goto done;
	}
	if (rc == CURLE_OK && status == 304 &&
	    (x->etag_sent != NULL || x->last_modified_sent != NULL))
		return;
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && x->bad_status)) {
		if (status == 0 || (status >= 200 && status <= 299))
			return;
		if (fetch_phrase(status) != NULL)
			snprintf(x->error, sizeof x->error,
			    "the server answered %ld %s", status,
			    fetch_phrase(status));
		else
			snprintf(x->error, sizeof x->error,
			    "the server answered %ld", status);
		goto done;
	}

	switch (rc) {
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED)
			snprintf(x->error, sizeof x->error,
			    "the feed is larger than the limit of %zu bytes",
			    f->max_bytes);
		else if (x->headers_too_big)
			snprintf(x->error, sizeof x->error,
			    "%s sent more than %d bytes of headers", name,
			    FETCH_MAX_HEADER_BYTES);
		else if (x->location_too_long)
			snprintf(x->error, sizeof x->error,
			    "%s redirected to an address longer than %d bytes",
			    name, FETCH_MAX_URL);
		else
			break;
		goto done;
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T,
		    &connect_us);
		if (connect_us == 0 && status == 0)
			snprintf(x->error, sizeof x->error,
			    "could not connect to %s within %ld second%s",
			    name, secs, secs == 1 ? "" : "s");
		else
			snprintf(x->error, sizeof x->error,
			    "timed out after %ld second%s", secs,
			    secs == 1 ? "" : "s");
		goto done;
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &oserr);
		if (x->refused[0] != '\0')
			snprintf(x->error, sizeof x->error, "%s", x->refused);
		else if (oserr != 0)
			snprintf(x->error, sizeof x->error,
			    "could not connect to %s: %s", name,
			    strerror((int)oserr));
		else
			snprintf(x->error, sizeof x->error,
			    "could not connect to %s", name);
		goto done;
	case CURLE_TOO_MANY_REDIRECTS:
		if (eurl != NULL && strcmp(eurl, x->url) == 0)
			snprintf(x->error, sizeof x->error,
			    "too many redirects (more than %ld): the address "
			    "redirects back to itself", f->max_redirects);
		else
			snprintf(x->error, sizeof x->error,
			    "too many redirects (more than %ld)",
			    f->max_redirects);
		goto done;
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* The first URL passed fetch_precheck: a redirect did it. */
		snprintf(x->error, sizeof x->error,
		    "%s redirected to a URL scheme that is not allowed", name);
		goto done;
	case CURLE_FILE_COULDNT_READ_FILE:
	case CURLE_READ_ERROR:
		path = fetch_file_path(x->url);
		if (path != NULL && access(path, F_OK) == -1 &&
		    errno == ENOENT)
			snprintf(x->error, sizeof x->error,
			    "file not found: %.400s", path);
		else
			snprintf(x->error, sizeof x->error,
			    "could not read the file %.400s",
			    path != NULL ? path : x->url);
		curl_free(path);
		goto done;
	default:
		break;
	}

	for (i = 0; i < sizeof fetch_errors / sizeof fetch_errors[0]; i++) {
		if (fetch_errors[i].code == rc) {
			snprintf(x->error, sizeof x->error, "%s%s%s",
			    fetch_errors[i].before, name,
			    fetch_errors[i].after);
			goto done;
		}
	}
	snprintf(x->error, sizeof x->error,
	    "the transfer from %s failed: %.150s", name,
	    x->curlerr[0] != '\0' ? x->curlerr : curl_easy_strerror(rc));
done:
	fetch_sanitize(x->error);
}

/* The decoded path of a file: URL, to curl_free(); NULL for others. */
static char *
fetch_file_path(const char *url)
{
	CURLU	*u;
	char	*scheme = NULL, *path = NULL;

	if ((u = curl_url()) == NULL)
		fatalx("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    strcmp(scheme, "file") == 0)
		curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE);
	curl_free(scheme);
	curl_url_cleanup(u);
	return path;
}

/* Writes the host (and port when one is given) of `url` into `out`. */
static void
fetch_server_name(const char *url, char *out, size_t outlen)
{
	CURLU	*u;
	char	*host = NULL, *port = NULL;

	if ((u = curl_url()) == NULL)
		fatalx("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK) {
		curl_url_get(u, CURLUPART_HOST, &host, 0);
		curl_url_get(u, CURLUPART_PORT, &port, 0);
	}
	if (host == NULL || *host == '\0')
		snprintf(out, outlen, "the server");
	else if (port != NULL)
		snprintf(out, outlen, "%.200s:%.10s", host, port);
	else
		snprintf(out, outlen, "%.200s", host);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

/* The standard reason phrase of `status`, or NULL. */
static const char *
fetch_phrase(long status)
{
	size_t	i;

	for (i = 0; i < sizeof fetch_phrases / sizeof fetch_phrases[0]; i++)
		if (fetch_phrases[i].status == status)
			return fetch_phrases[i].phrase;
	return NULL;
}

/* Keeps an error text to printable ASCII, whatever a peer put in it. */
static void
fetch_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

/* Frees a transfer that libcurl no longer holds. */
static void
fetch_xfer_free(struct fetch_xfer *x)
{
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	free(x->body);
	free(x->url);
	free(x->etag_sent);
	free(x->last_modified_sent);
	free(x);
}
