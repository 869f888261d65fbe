/*
 * dayhub.h - the daemon's private interfaces, one section per file.
 *
 * A function's prefix names the file that defines it: store_* lives in
 * store.c, proto_* in proto.c, and so on.  Everything a file does not list
 * here is static to it.
 */
#ifndef DAYHUB_H
#define DAYHUB_H

#include <sys/types.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "dayhub/plugin.h"

#define DAYHUB_PROTOCOL_VERSION	1

/*
 * Limits on everything that comes from outside, in one place.
 */
#define PROTO_MAX_LINE		8192	/* request line, bytes, incl. CRLF */
#define PROTO_MAX_ARGS		32	/* key=value pairs per request */
#define PROTO_MAX_KEY		32	/* bytes in an argument's key */
#define PROTO_MAX_COMMAND	16	/* bytes in a command word */
#define PROTO_MAX_OUTPUT	(4 * 1024 * 1024) /* queued reply bytes */
#define SEARCH_DEFAULT_LIMIT	20
#define SEARCH_MAX_LIMIT	100
#define SEARCH_MAX_QUERY	512	/* bytes of q= */
#define FEED_MAX_BYTES		(16 * 1024 * 1024) /* default max-feed-size */
#define FEED_CEILING_BYTES	(256 * 1024 * 1024) /* no setting goes past */
#define FEED_MAX_ITEMS		10000
#define FEED_MAX_DEPTH		256
#define FEED_SNIFF_BYTES	(64 * 1024)
#define RECORD_MAX_TEXT		(64 * 1024) /* summary and description */
#define RECORD_MAX_FIELD	2048	/* any other text field */
#define RECORD_MAX_LIST		64	/* values in one list field */
#define RECORD_MAX_WARNINGS	50	/* kept per feed; the rest counted */
#define CONFIG_MAX_LINE		4096
#define CONFIG_MAX_HUBS		256
#define CONFIG_MAX_SPOKES	4096
#define CONFIG_MAX_ID		64	/* hub and spoke ids */

/* zone.c: IANA time zones from libical, from any thread */
#define ZONE_MAX_NAME		64
#define RECORD_DEFAULT_ZONE_NAME "Europe/London"
struct _icaltimezone;
int	 zone_name_ok(const char *);
struct _icaltimezone *zone_find(const char *);
void	 zone_init(void);

/* xmalloc.c */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* log.c */
#define LOG_LEVEL_WARN	0
#define LOG_LEVEL_INFO	1
#define LOG_LEVEL_DEBUG	2
void	 log_init(int to_stderr, int level, const char *ident);
void	 log_setlevel(int);
int	 log_getlevel(void);
int	 log_level_parse(const char *);
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* util.c */
int	 parse_uint(const char *, unsigned long long max,
	    unsigned long long *);
int	 parse_duration(const char *, unsigned long long *seconds);
int	 parse_bool(const char *, int *);
int	 id_valid(const char *);
int	 utf8_valid(const char *, size_t);
char	*format_rfc3339(time_t, char *, size_t);
time_t	 now_utc(void);

/* config.c */
struct config_spoke {
	char	*id;
	char	*name;
	char	*url;		/* as written; file: URLs made absolute */
	char	*format;	/* plugin name or "auto" */
	unsigned long long interval;	/* seconds; 0 = the global one */
	unsigned long	 line;	/* where it was declared */
};

struct config_hub {
	char	*id;
	char	*name;
	char	*area;		/* free text: "North Dorset" */
	char	*timezone;	/* IANA zone; default Europe/London */
	struct config_spoke *spokes;
	size_t	 nspokes;
	unsigned long	 line;
};

struct config_listen {
	char	*host;		/* numeric address or name */
	char	*port;		/* "0" picks one */
};

struct config {
	char	*path;			/* the file it was read from */
	struct config_listen *line_listen;
	size_t	 nline_listen;
	struct config_listen *http_listen;
	size_t	 nhttp_listen;
	char	*database;
	char	*plugin_dir;
	char	*user_agent;
	int	 log_level;
	int	 allow_file_urls;
	unsigned long long refresh_interval;	/* seconds */
	unsigned long long fetch_timeout;	/* seconds */
	unsigned long long max_feed_bytes;
	unsigned long long max_items;
	unsigned long long max_connections;
	unsigned long long search_threads;	/* 0: searches on the loop */
	unsigned long long idle_timeout;	/* seconds */
	char	*contact;			/* URL in the User-Agent, or "" */
	int	 allow_private_addresses;
	unsigned long long max_transfers;	/* fetches in flight */
	unsigned long long refresh_spread;	/* first fetches spread, s */
	unsigned long long backoff_max;		/* seconds */
	unsigned long long gone_after;		/* 404/410 this long: gone */
	unsigned long long keep_deleted;	/* tombstones kept, s */
	unsigned long long horizon;		/* occurrences ahead, s */
	unsigned long long max_pages;		/* of a paged feed per refresh */
	struct config_hub *hubs;
	size_t	 nhubs;
};

#define CONFIG_DEFAULT_PAGES	50	/* max-pages when not given */
#define CONFIG_MAX_PAGES	10000

struct config	*config_load(const char *path, char *err, size_t errlen);
void		 config_free(struct config *);
const struct config_spoke *config_find_spoke(const struct config *,
		    const char *id, const struct config_hub **hub);

/* record.c: building v1 records from a module's calls */
struct feed_result {
	json_t		*records;	/* array of v1 record objects */
	json_t		*warnings;	/* array of {"line":N,"message":S} */
	size_t		 nwarnings;	/* all of them, kept or not */
	json_t		*feed;		/* feed-level facts: title, ttl ... */
	char		*error;		/* set when the parse failed */
	const char	*format;	/* the module that read it */
	size_t		 bytes;		/* the feed's size, for its health */
	const char	*identity;	/* "guid", "link" or "hash": how its
					   records were told apart */
};

struct parse_request {
	const unsigned char	*data;
	size_t			 len;
	const char		*spoke;		/* spoke id, for record ids */
	const char		*base_url;
	const char		*content_type;
	const char		*timezone;
	const char		*format;	/* plugin name, or NULL/"auto" */
	size_t			 max_items;
	const char		*identity;	/* the spoke's stored identity
						   mode, or NULL */
};

/*
 * The host services handed to every module, and the per-parse state behind
 * them.  record_parse() is the whole path: choose a module (by name, or by
 * sniffing when format is NULL or "auto"), run it over a fresh sink, and
 * fill `out`.  Returns 0 when the feed was read, -1 with out->error set.
 */
extern const struct dayhub_host record_host;
struct record_sink;

struct record_sink *record_sink_new(const char *spoke, const char *timezone,
		    size_t max_items);
int	 record_sink_identity(struct record_sink *, const char *mode);
void	 record_sink_finish(struct record_sink *, struct feed_result *out);
void	 record_sink_free(struct record_sink *);
int	 record_parse(const struct parse_request *, struct feed_result *);
void	 feed_result_free(struct feed_result *);
int	 record_time_normalize(const char *in, const char *tz,
	    char *out, size_t outlen);
int	 record_time_epoch(const char *rfc3339, time_t *);

/* plugin.c: loading and choosing format modules */
struct plugin {
	char				*path;
	void				*handle;
	const struct dayhub_plugin	*desc;
};

int	 plugin_load(const char *path, struct plugin *, char *err,
	    size_t errlen);
void	 plugin_unload(struct plugin *);
int	 plugin_load_dir(const char *dir, char *err, size_t errlen);
void	 plugin_unload_all(void);
size_t	 plugin_count(void);
const struct plugin *plugin_at(size_t);
const struct plugin *plugin_find(const char *name);
const struct plugin *plugin_sniff(const unsigned char *, size_t,
	    const char *content_type, int *score);

/* store.c: the only file that speaks SQL */
struct store;

enum store_status {
	STORE_OK = 0,
	STORE_NOTFOUND,		/* no such hub, spoke or activity */
	STORE_BADQUERY,		/* the search expression is malformed */
	STORE_TIMEOUT,		/* ran past its time budget */
	STORE_ERROR		/* anything else: logged */
};

struct query;

int	 store_open(struct store **, const char *path, char *err,
	    size_t errlen);
void	 store_close(struct store *);
int	 store_schema_version(struct store *);
int	 store_sync_config(struct store *, const struct config *);
/*
 * What one refresh attempt of a spoke learned, for its feed health and
 * for the next attempt.  Strings may be NULL.
 */
struct feed_attempt {
	time_t		 when;		/* when the attempt started */
	long		 status;	/* HTTP status; 0 for file: or none */
	const char	*error;		/* why it failed, in words */
	size_t		 bytes;
	double		 seconds;
	const char	*url;		/* what was fetched */
	const char	*etag;		/* validators to send next time */
	const char	*last_modified;
	const char	*moved_to;	/* a permanent redirect: the new URL */
	time_t		 next_due;	/* when to try again */
	int		 gone;		/* 404 or 410 */
	int		 drop_resume;	/* the page to resume from is gone */
	int		 change_set;	/* one page of a paged feed: records
					   not on it are left alone */
	const char	*resume_url;	/* with change_set: the page the next
					   refresh starts at; else ignored */
};

/* What the scheduler needs to resume a spoke where it left off. */
struct spoke_state {
	char		*current_url;	/* after a permanent move, or NULL */
	char		*etag;
	char		*last_modified;
	char		*identity;	/* the feed's identity mode, or NULL */
	time_t		 next_due;	/* 0: never attempted */
	time_t		 last_success;
	time_t		 gone_since;	/* 0: not gone */
	unsigned	 failures;	/* consecutive */
	char		*resume_url;	/* a paged feed's next page, or NULL */
};

int	 store_apply_feed(struct store *, const char *spoke,
	    const struct feed_result *, const struct feed_attempt *);
int	 store_feed_failed(struct store *, const char *spoke,
	    const struct feed_attempt *);
int	 store_feed_unchanged(struct store *, const char *spoke,
	    const struct feed_attempt *);
int	 store_spoke_state(struct store *, const char *spoke,
	    struct spoke_state *);
void	 spoke_state_clear(struct spoke_state *);
int	 store_spokes(struct store *, const char *hub, json_t **out);
int	 store_purge_tombstones(struct store *, time_t before);
int	 store_hubs(struct store *, json_t **out);
int	 store_search(struct store *, const struct query *,
	    json_t **out, char *err, size_t errlen);
int	 store_facets(struct store *, const struct query *, json_t **out,
	    char *err, size_t errlen);
int	 store_categories(struct store *, const char *hub, json_t **out);
int	 store_get(struct store *, const char *id, json_t **out);
void	 store_set_horizon(struct store *, unsigned long long seconds);
int	 store_refresh_occurrences(struct store *, time_t now);

/* proto.c: the line protocol's request syntax */
struct proto_arg {
	char	*key;
	char	*value;
};

struct proto_request {
	char		 command[PROTO_MAX_COMMAND + 1];  /* upper-cased */
	struct proto_arg args[PROTO_MAX_ARGS];
	size_t		 nargs;
	char		*buf;		/* owns the strings above */
};

int	 proto_parse(const char *line, size_t len, struct proto_request *,
	    char *err, size_t errlen);
void	 proto_request_free(struct proto_request *);
const char *proto_arg(const struct proto_request *, const char *key);
json_t	*proto_error(const char *code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
char	*proto_encode(json_t *reply);

/* fetch.c: feed transfers with libcurl's multi interface on the loop */
struct event_base;
struct fetcher;

struct fetch_options {
	const char		*user_agent;
	unsigned long long	 connect_timeout;	/* seconds */
	unsigned long long	 timeout;		/* seconds, whole transfer */
	unsigned long long	 max_bytes;		/* body cap */
	int			 allow_file;		/* file:// URLs */
	int			 allow_private;		/* loopback, private, link-local */
	long			 max_redirects;
	size_t			 max_transfers;		/* in flight at once (0: 16);
							   one per server */
};

/*
 * One transfer to make.  `etag` and `last_modified` are the validators a
 * previous answer gave (NULL for none), sent back verbatim; with either,
 * the request is conditional and a 304 answer ends as `not_modified`.
 * One that is not short printable ASCII is not sent.  fetch_start()
 * copies what it needs.
 */
struct fetch_request {
	const char	*url;
	const char	*etag;
	const char	*last_modified;
};

/*
 * What one transfer produced, handed to its callback.  `error` is NULL
 * when a complete body within the limits arrived with a 2xx status (or
 * from a file:// URL), or when the server answered 304 to a conditional
 * request (`not_modified` set, no body); otherwise it says in words what
 * went wrong and `body` may be partial or NULL.  Everything is freed after
 * the callback returns, except `body`, which the callback may take by
 * setting it to NULL (it is then the callback's to free()).
 *
 * Validators and `moved_to` are set only when `error` is NULL (a 304
 * without validators gives back those sent); the caching fields come
 * from the final answer whatever its status, so a 429 or 503 brings its
 * Retry-After.  `moved_to` is the final URL when at least one redirect
 * was followed and every hop was a 301 or 308.
 */
struct fetch_result {
	const char	*url;		/* as asked for */
	const char	*effective_url;	/* after redirects */
	long		 status;	/* HTTP status; 0 for file: or none */
	const char	*content_type;	/* NULL when none was sent */
	unsigned char	*body;
	size_t		 len;
	const char	*error;
	double		 seconds;	/* how long it took */
	int		 not_modified;	/* 304 to a conditional request */
	const char	*etag;		/* validators for next time, or NULL */
	const char	*last_modified;
	long long	 max_age;	/* Cache-Control max-age; -1 none */
	time_t		 expires;	/* Expires as an instant; 0 none */
	long long	 retry_after;	/* seconds from Retry-After; -1 none */
	const char	*moved_to;	/* set when every redirect hop was
					   permanent (301/308): the new URL */
	long		 redirects;	/* hops followed */
};

typedef void (*fetch_done_cb)(struct fetch_result *, void *arg);

struct fetcher	*fetch_new(struct event_base *, const struct fetch_options *);
void		 fetch_free(struct fetcher *);
int		 fetch_start(struct fetcher *, const struct fetch_request *,
		    fetch_done_cb, void *arg);
/* started and not yet delivered, other than those waiting for a slot */
size_t		 fetch_inflight(const struct fetcher *);
/* waiting for their server to be free, or for max_transfers */
size_t		 fetch_queued(const struct fetcher *);
/* NULL, or why a fetch must not connect there ("loopback", "private"...) */
const char	*fetch_address_kind(int family, const void *addr);

/* schedule.c: when a spoke is next due, and how failures back off */
struct schedule_input {
	time_t			 now;
	unsigned long long	 interval;	/* the spoke's, seconds */
	unsigned		 failures;	/* consecutive, this one included */
	long			 status;	/* HTTP status of this attempt */
	long long		 max_age;	/* -1 none */
	time_t			 expires;	/* 0 none */
	long long		 retry_after;	/* -1 none */
	long long		 ttl;		/* RSS <ttl> in minutes; -1 none */
	unsigned long long	 backoff_max;	/* cap on the back-off, s */
	uint32_t		 jitter;	/* a random number */
};

time_t	 schedule_next(const struct schedule_input *);
unsigned long long schedule_spread(const char *spoke,
	    unsigned long long window);

/* health.c: feed health in words a coordinator understands */
void	 health_describe(json_t *spokes, time_t now,
	    unsigned long long gone_after);

/* cmd.c: the protocol's commands, shared by the line server and HTTP */
struct readers;

struct cmd_context {
	struct store		*store;		/* the loop's connection */
	const struct config	*conf;
	struct refresh		*refresh;	/* NULL: no REFRESH */
	struct readers		*readers;	/* NULL: reads on the loop */
	time_t			 started;
};

json_t	*cmd_execute(struct cmd_context *, const struct proto_request *,
	    int *close_after);
int	 cmd_pooled(const char *command);
int	 cmd_error_status(const char *code);

/* readers.c: the read commands, answered on a pool of threads */
#define READERS_MAX_THREADS	32
#define READERS_MAX_QUEUE	1024	/* waiting jobs; more are "busy" */

struct reader_job;
typedef void (*readers_done_cb)(json_t *reply, int close_after, void *arg);

struct readers	*readers_new(struct event_base *, const char *database,
		    size_t nthreads, char *err, size_t errlen);
struct reader_job *readers_submit(struct readers *, const struct config *,
		    time_t started, struct proto_request *, readers_done_cb,
		    void *arg);
void		 readers_cancel(struct readers *, struct reader_job *);
void		 readers_wait_idle(struct readers *);
void		 readers_free(struct readers *);

/* server.c: the line protocol over TCP */
struct server;

struct server	*server_new(struct event_base *, struct cmd_context *,
		    size_t max_connections, unsigned long long idle_timeout);
int		 server_listen(struct server *, const char *host,
		    const char *port, char *bound, size_t boundlen,
		    char *err, size_t errlen);
void		 server_shutdown(struct server *);
size_t		 server_connections(const struct server *);
void		 server_free(struct server *);

/* http.c: the same commands as JSON over HTTP */
struct http;

struct http	*http_new(struct event_base *, struct cmd_context *,
		    unsigned long long idle_timeout);
int		 http_listen(struct http *, const char *host,
		    const char *port, char *bound, size_t boundlen,
		    char *err, size_t errlen);
void		 http_free(struct http *);

/* ingest.c: parsing and storing feeds on a worker thread */
struct ingest;

enum ingest_kind {
	INGEST_FEED,		/* store a fetch's outcome */
	INGEST_PURGE,		/* drop tombstones older than `when` */
	INGEST_HORIZON		/* move the occurrence horizon to `when` */
};

/*
 * One unit of work for the worker.  For INGEST_FEED the strings describe
 * the spoke and the fetch; `body` is NULL when there is nothing to parse
 * (the fetch failed, or the server answered 304).
 */
struct ingest_job {
	enum ingest_kind	 kind;
	char			*spoke;
	char			*url;		/* what was fetched */
	char			*content_type;
	char			*timezone;
	char			*format;
	unsigned char		*body;
	size_t			 len;
	char			*fetch_error;	/* why there is no body */
	int			 not_modified;
	long			 status;
	double			 seconds;
	char			*etag;
	char			*last_modified;
	char			*moved_to;
	long long		 max_age;
	time_t			 expires;
	long long		 retry_after;
	size_t			 max_items;
	unsigned long long	 interval;
	unsigned long long	 backoff_max;
	unsigned		 failures;	/* before this attempt */
	unsigned long long	 horizon;	/* INGEST_HORIZON: seconds */
	time_t			 when;
	int			 elsewhere;	/* a page, not the feed's own
						   address */
	unsigned long		 generation;	/* of the refresh_spoke: handed
						   back in the outcome */
};

/* What became of a job, handed back on the loop. */
struct ingest_outcome {
	enum ingest_kind	 kind;
	const char		*spoke;
	const char		*error;		/* NULL when it was stored */
	int			 not_modified;
	size_t			 records;
	size_t			 warnings;
	const char		*format;
	unsigned		 failures;	/* consecutive, now */
	time_t			 next_due;
	const char		*etag;
	const char		*last_modified;
	const char		*moved_to;
	unsigned long		 generation;	/* the job's */
	int			 paged;		/* stored as a change set */
	int			 last_page;	/* paged: the feed's last page */
	const char		*resume_url;	/* paged: where to go on */
	int			 resume_dropped; /* that page is gone: start
						   again from the first */
};

typedef void (*ingest_done_cb)(const struct ingest_outcome *, void *arg);

struct ingest	*ingest_new(struct event_base *, const char *database,
		    ingest_done_cb, void *arg, char *err, size_t errlen);
void		 ingest_submit(struct ingest *, struct ingest_job *);
size_t		 ingest_pending(struct ingest *);
void		 ingest_free(struct ingest *);
void		 ingest_job_free(struct ingest_job *);

/* refresh.c: when each spoke is fetched, and what happens to the bytes */
struct refresh;

struct refresh	*refresh_new(struct event_base *, struct fetcher *,
		    struct ingest *, struct store *);
void		 refresh_configure(struct refresh *, const struct config *);
int		 refresh_hub_now(struct refresh *, const struct config *,
		    const char *hub, json_t *queued);
int		 refresh_spoke_now(struct refresh *, const char *spoke);
void		 refresh_done(struct refresh *, const struct ingest_outcome *);
size_t		 refresh_busy(const struct refresh *);
void		 refresh_free(struct refresh *);

/* query.c: a SEARCH or FACETS request's arguments, checked */
#define QUERY_DEFAULT_DAYS	14	/* the window when to= is not given */
#define QUERY_MAX_DAYS		366	/* the longest window */
#define QUERY_DEFAULT_WITHIN	10.0	/* km around near= */
#define QUERY_MAX_WITHIN	200.0	/* km */
#define QUERY_MAX_COST		10000.0	/* pounds */
#define QUERY_MAX_AGE		130
#define QUERY_MAX_CURSOR	512	/* bytes of cursor= */
#define QUERY_MAX_CATEGORIES	RECORD_MAX_LIST

enum query_near {
	QUERY_NEAR_NONE = 0,
	QUERY_NEAR_POSTCODE,	/* near_text "DT1 1HF" */
	QUERY_NEAR_OUTCODE,	/* near_text "DT1" */
	QUERY_NEAR_POINT	/* near_text "50.714500,-2.437000" */
};

enum query_sort {
	QUERY_SORT_RELEVANCE = 0,
	QUERY_SORT_SOONEST,
	QUERY_SORT_NEAREST
};

/* The word lists the bit sets below are drawn from: bit i is word i. */
enum query_set {
	QUERY_SET_DAYS,		/* sun..sat: bit i is struct tm's tm_wday */
	QUERY_SET_FUNDING,	/* the v1 record's words, as in DESIGN.md */
	QUERY_SET_PATHWAY,
	QUERY_SET_ACCESS,
	QUERY_SET_GROUPS
};

/*
 * A search, as understood.  Times of day and days of the week are local
 * to the hub's zone; `from` and `to` are instants, the window [from, to).
 * A session matches `after` when it starts at or after it, and `before`
 * when it ends at or before it (one without an end: starts before it).
 * Unset filters: days, funding, pathway, access, groups 0; after, before,
 * age -1; online, cost_free -1 (either); max_cost < 0; q, cursor NULL.
 */
struct query {
	int		 facets;	/* FACETS: no sort, limit, cursor */
	char		*hub;
	char		*q;		/* NULL: no text (or only blanks) */
	time_t		 from;
	time_t		 to;
	unsigned	 days;		/* any of these days */
	int		 after;		/* minutes after local midnight */
	int		 before;
	enum query_near	 near;
	char		*near_text;	/* normalised; NULL with NEAR_NONE */
	double		 lat;		/* NEAR_POINT: given; else the caller's */
	double		 lon;		/* to fill from the postcode table */
	double		 within;	/* km */
	int		 online;	/* 1 online only, 0 in person only */
	int		 cost_free;	/* 1 free only, 0 paid only */
	double		 max_cost;	/* pounds: the cheapest price fits */
	unsigned	 funding;	/* accepts any of these */
	unsigned	 pathway;	/* any of these */
	unsigned	 access;	/* every one of these */
	unsigned	 groups;	/* for any of these */
	int		 age;		/* falls in the activity's age range */
	char		**categories;	/* any of these taxonomy terms */
	size_t		 ncategories;
	enum query_sort	 sort;
	size_t		 limit;
	char		*cursor;	/* NULL: the first page */
};

int	 query_parse(const struct proto_request *, const char *tz,
	    time_t now, struct query *, const char **code, char *msg,
	    size_t msglen);
void	 query_free(struct query *);
const char *query_word(enum query_set, unsigned bit);

/* postcode.c: UK postcodes, postcode files, distances */
#define POSTCODE_LEN		9	/* "AA9A 9AA" and its NUL */
#define POSTCODE_MAX_LINE	4096	/* bytes of one line of a file */

struct postcode_row {
	const char	*postcode;	/* normalised: "DT1 1HF" */
	double		 lat;
	double		 lon;
	unsigned long	 line;
};

struct postcode_counts {
	const char	*layout;	/* "onspd" or "plain"; NULL if unknown */
	size_t		 rows;		/* lines after the header, blank aside */
	size_t		 imported;	/* taken by the callback */
	size_t		 skipped_terminated;
	size_t		 skipped_no_location;
	size_t		 bad;
	unsigned long	 first_bad_line;	/* 0: none */
	char		 first_bad[160];	/* why, in words */
};

typedef int (*postcode_row_cb)(const struct postcode_row *, void *arg);

int	 postcode_normalise(const char *, char *out, size_t outlen);
int	 postcode_outcode(const char *, char *out, size_t outlen);
int	 postcode_is_outcode(const char *);
int	 postcode_point_parse(const char *, double *lat, double *lon);
int	 postcode_read_csv(FILE *, postcode_row_cb, void *arg,
	    struct postcode_counts *, char *err, size_t errlen);
double	 postcode_distance_km(double lat1, double lon1, double lat2,
	    double lon2);
void	 postcode_bbox(double lat, double lon, double km, double *minlat,
	    double *maxlat, double *minlon, double *maxlon);

/* occur.c: an activity's start and repeat rule as occurrences */
#define OCCUR_MAX		1000	/* occurrences kept per activity */
#define OCCUR_MAX_STEPS		100000	/* repeat-rule steps per expansion */
#define OCCUR_MAX_RULE		1024	/* bytes of a repeat rule */
#define OCCUR_MAX_DATES		366	/* exdates, and rdates, per record */

struct occurrence {
	time_t	start;			/* UTC instants */
	time_t	end;
};

int	 occur_expand(const json_t *record, time_t from, time_t to,
	    struct occurrence *out, size_t max, char *err, size_t errlen);
int	 occur_expand_rule(const char *dtstart, const char *tzid,
	    const char *rrule, const char *const *exdates, size_t nexdates,
	    const char *const *rdates, size_t nrdates, long duration_s,
	    time_t from, time_t to, struct occurrence *out, size_t max,
	    char *err, size_t errlen);

/* taxonomy.c: the activity vocabulary, and published phrases mapped to it */
#define TAXONOMY_MAX_PHRASE	256	/* bytes; a longer phrase maps to nothing */

enum taxonomy_kind {
	TAXONOMY_ACTIVITY,	/* the activity terms: "dementia-cafe" */
	TAXONOMY_ACCESS,	/* the v1 access values */
	TAXONOMY_GROUP,		/* the v1 groups values */
	TAXONOMY_CONTEXT	/* words that name no activity; no values */
};

size_t	 taxonomy_activities(const char *category, const char **terms,
	    size_t max);
size_t	 taxonomy_access(const char *phrase, const char **values, size_t max);
size_t	 taxonomy_groups(const char *phrase, const char **values, size_t max);
int	 taxonomy_context(const char *category);
size_t	 taxonomy_normalize(const char *phrase, char *out, size_t outlen);
int	 taxonomy_term_valid(const char *term);
const char *taxonomy_term_label(const char *term);
size_t	 taxonomy_count(void);
const char *taxonomy_term_at(size_t);
const char *taxonomy_value_at(enum taxonomy_kind, size_t);
const char *taxonomy_value_label(enum taxonomy_kind, const char *value);
const char *taxonomy_phrase_at(enum taxonomy_kind, size_t, int *whole);

/* store_geo.c: the postcode table, its import, and places as points */
int	 store_postcodes_import(struct store *, FILE *,
	    struct postcode_counts *, char *err, size_t errlen);
int	 store_geocode(struct store *, const char *place, double *lat,
	    double *lon, char *hint, size_t hintlen);
int	 store_postcodes_count(struct store *, long long *postcodes,
	    long long *outcodes);

/* lint.c: a parsed feed checked for its publisher, in plain words */
json_t	*lint_feed(const struct parse_request *, const struct feed_result *);
void	 lint_print(FILE *, const json_t *report, const char *source);

#endif /* DAYHUB_H */
