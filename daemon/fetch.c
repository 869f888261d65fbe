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
 * gzip bomb cannot grow past it), the response headers by
 * FETCH_MAX_HEADER_BYTES, a redirect target by FETCH_MAX_URL and the whole
 * transfer by its timeout.  Texts in a result that come from a peer (the
 * error, the content type) are short, and the error is plain ASCII.
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
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "dayhub.h"

#define FETCH_MAX_URL		4096	/* bytes, asked for or redirected to */
#define FETCH_MAX_HEADER_BYTES	(256 * 1024) /* all response headers */
#define FETCH_MAX_CONTENT_TYPE	256	/* longer is treated as absent */
#define FETCH_MAX_BODY_CAP	(1024ULL * 1024 * 1024) /* max_bytes ceiling */
#define FETCH_MAX_ERROR		512	/* bytes of an error text */
#define FETCH_MAX_TIMEOUT	3600	/* seconds */
#define FETCH_MAX_REDIRECTS	20
#define FETCH_DEFAULT_TIMEOUT	60
#define FETCH_DEFAULT_CONNECT	15
#define FETCH_DEFAULT_REDIRECTS	5
#define FETCH_MAX_CONNECTS	32	/* idle connections kept for reuse */
#define FETCH_BODY_START	(16 * 1024)

struct fetcher;

/* One socket libcurl asked us to watch. */
struct fetch_sock {
	LIST_ENTRY(fetch_sock)	 entry;
	struct fetcher		*f;
	curl_socket_t		 fd;
	struct event		*ev;
};

/* One transfer, from fetch_start() until its callback has returned. */
struct fetch_xfer {
	TAILQ_ENTRY(fetch_xfer)	 entry;
	struct fetcher		*f;
	CURL			*easy;		/* NULL when it failed early */
	char			*url;
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

	char			 curlerr[CURL_ERROR_SIZE];
	char			 error[FETCH_MAX_ERROR];	/* "": none */
};

TAILQ_HEAD(fetch_xfers, fetch_xfer);

struct fetcher {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;		/* libcurl's one timeout */
	struct event		*early_ev;	/* delivers early failures */
	struct fetch_xfers	 running;	/* handed to libcurl */
	struct fetch_xfers	 early;		/* failed before libcurl */
	LIST_HEAD(, fetch_sock)	 socks;
	size_t			 inflight;
	int			 delivering;	/* inside a callback */

	char			*user_agent;
	long			 connect_timeout;
	long			 timeout;
	long			 max_redirects;
	size_t			 max_bytes;
	int			 allow_file;
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

static int	 fetch_socket_cb(CURL *, curl_socket_t, int, void *, void *);
static int	 fetch_timer_cb(CURLM *, long, void *);
static void	 fetch_event_cb(evutil_socket_t, short, void *);
static void	 fetch_timeout_cb(evutil_socket_t, short, void *);
static void	 fetch_early_cb(evutil_socket_t, short, void *);
static size_t	 fetch_write_cb(char *, size_t, size_t, void *);
static size_t	 fetch_header_cb(char *, size_t, size_t, void *);
static void	 fetch_sock_free(struct fetch_sock *);
static void	 fetch_check_done(struct fetcher *);
static int	 fetch_precheck(struct fetcher *, const char *, char *,
		    size_t);
static CURL	*fetch_easy(struct fetcher *, struct fetch_xfer *);
static void	 fetch_explain(struct fetch_xfer *, CURLcode, long);
static void	 fetch_server_name(const char *, char *, size_t);
static char	*fetch_file_path(const char *);
static const char *fetch_phrase(long);
static void	 fetch_deliver(struct fetcher *, struct fetch_xfer *,
		    CURLcode);
static void	 fetch_xfer_free(struct fetch_xfer *);
static void	 fetch_sanitize(char *);

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

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK)
		fatalx("curl_global_init: %s", curl_easy_strerror(rc));

	f = xcalloc(1, sizeof *f);
	f->base = base;
	TAILQ_INIT(&f->running);
	TAILQ_INIT(&f->early);
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
	f->allow_file = opts->allow_file;

	if ((f->multi = curl_multi_init()) == NULL)
		fatalx("curl_multi_init failed");
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, fetch_socket_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, fetch_timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS,
	    (long)FETCH_MAX_CONNECTS);

	if ((f->timer = evtimer_new(base, fetch_timeout_cb, f)) == NULL ||
	    (f->early_ev = event_new(base, -1, 0, fetch_early_cb, f)) == NULL)
		fatalx("fetch_new: cannot make events");
	return f;
}

/*
 * Cancels every transfer still under way without calling its callback and
 * frees the fetcher.  Must not be called from a fetch callback.
 */
void
fetch_free(struct fetcher *f)
{
	struct fetch_xfer	*x;
	struct fetch_sock	*s;

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

/* Transfers started and not yet delivered. */
size_t
fetch_inflight(const struct fetcher *f)
{
	return f->inflight;
}

/*
 * Starts fetching `url`; `cb` gets the result later, from the loop.
 * Returns 0, or -1 only when libcurl cannot make a handle at all (then the
 * callback is never called).
 */
int
fetch_start(struct fetcher *f, const char *url, fetch_done_cb cb, void *arg)
{
	struct fetch_xfer	*x;
	CURLMcode		 mrc;

	x = xcalloc(1, sizeof *x);
	x->f = f;
	x->cb = cb;
	x->arg = arg;
	x->url = xstrndup(url, FETCH_MAX_URL + 1);

	if (fetch_precheck(f, url, x->error, sizeof x->error) == -1) {
		TAILQ_INSERT_TAIL(&f->early, x, entry);
		event_active(f->early_ev, EV_TIMEOUT, 0);
		f->inflight++;
		return 0;
	}
	if ((x->easy = fetch_easy(f, x)) == NULL) {
		log_warnx("fetch: cannot set up a transfer of %s", x->url);
		fetch_xfer_free(x);
		return -1;
	}
	if ((mrc = curl_multi_add_handle(f->multi, x->easy)) != CURLM_OK) {
		log_warnx("fetch: curl_multi_add_handle: %s",
		    curl_multi_strerror(mrc));
		fetch_xfer_free(x);
		return -1;
	}
	TAILQ_INSERT_TAIL(&f->running, x, entry);
	f->inflight++;
	return 0;
}

/*
 * Refuses what libcurl should never see: an over-long or malformed URL or
 * a scheme not allowed.  Returns 0, or -1 with the reason in `err`.
 */
static int
fetch_precheck(struct fetcher *f, const char *url, char *err, size_t errlen)
{
	CURLU		*u = NULL;
	CURLUcode	 urc;
	char		*scheme = NULL;
	int		 rv = -1;

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
	rv = 0;
fail:
	curl_free(scheme);
	curl_url_cleanup(u);
	if (rv == -1)
		fetch_sanitize(err);
	return rv;
}

/* Makes the easy handle for `x` with every limit set; NULL on failure. */
static CURL *
fetch_easy(struct fetcher *f, struct fetch_xfer *x)
{
	CURL	*e;
	int	 bad = 0;

	if ((e = curl_easy_init()) == NULL)
		return NULL;
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
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_bytes);
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
 * Counts response header bytes, of every response a redirect chain
 * brings, and refuses a redirect to an over-long address before libcurl
 * follows it.
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
	return n;
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
 * Delivers the transfers that failed before libcurl saw them.  Only those
 * queued before this run are taken, so a callback that retries a bad URL
 * at once cannot keep the loop here.
 */
static void
fetch_early_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher		*f = arg;
	struct fetch_xfers	 batch;
	struct fetch_xfer	*x;

	TAILQ_INIT(&batch);
	TAILQ_CONCAT(&batch, &f->early, entry);
	while ((x = TAILQ_FIRST(&batch)) != NULL) {
		TAILQ_REMOVE(&batch, x, entry);
		fetch_deliver(f, x, CURLE_OK);
	}
}

/* Hands every finished transfer to its callback, one at a time. */
static void
fetch_check_done(struct fetcher *f)
{
	struct fetch_xfer	*x;
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
		TAILQ_REMOVE(&f->running, x, entry);
		fetch_deliver(f, x, rc);
	}
}

/* Builds the result of `x`, calls its callback and frees it. */
static void
fetch_deliver(struct fetcher *f, struct fetch_xfer *x, CURLcode rc)
{
	struct fetch_result	 r;
	char			*ctype = NULL, *eurl = NULL;
	long			 status = 0;
	double			 secs = 0;

	memset(&r, 0, sizeof r);
	r.url = x->url;
	r.effective_url = x->url;
	if (x->easy == NULL)
		r.error = x->error;	/* failed before libcurl saw it */
	else {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ctype);
		curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eurl);
		curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &secs);
		r.status = status;
		r.seconds = secs;
		if (eurl != NULL && strlen(eurl) <= FETCH_MAX_URL)
			r.effective_url = eurl;
		if (ctype != NULL && strlen(ctype) <= FETCH_MAX_CONTENT_TYPE)
			r.content_type = ctype;
		fetch_explain(x, rc, status);
		if (x->error[0] != '\0')
			r.error = x->error;
		else if (x->body == NULL) {
			/* An empty body is still a body. */
			x->body = xcalloc(1, 1);
		}
	}
	r.body = x->body;
	r.len = x->len;

	f->inflight--;
	f->delivering++;
	x->cb(&r, x->arg);
	f->delivering--;

	if (r.body == NULL)
		x->body = NULL;		/* the callback took it */
	fetch_xfer_free(x);
}

/*
 * Puts into x->error what went wrong, in words, or leaves it empty when
 * the transfer gave a whole body with a 2xx status (or from a file).
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
		if (oserr != 0)
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
	free(x->body);
	free(x->url);
	free(x);
}
