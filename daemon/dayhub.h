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
#define FEED_MAX_BYTES		(16 * 1024 * 1024)
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
	unsigned long long idle_timeout;	/* seconds */
	struct config_hub *hubs;
	size_t	 nhubs;
};

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

struct search_query {
	const char	*hub;
	const char	*q;		/* full text; may be NULL or "" */
	size_t		 limit;
	const char	*cursor;	/* from a previous reply, or NULL */
};

int	 store_open(struct store **, const char *path, char *err,
	    size_t errlen);
void	 store_close(struct store *);
int	 store_schema_version(struct store *);
int	 store_sync_config(struct store *, const struct config *);
int	 store_apply_feed(struct store *, const char *spoke,
	    const struct feed_result *, time_t when);
int	 store_feed_failed(struct store *, const char *spoke, time_t when,
	    const char *error);
int	 store_hubs(struct store *, json_t **out);
int	 store_search(struct store *, const struct search_query *,
	    json_t **out, char *err, size_t errlen);
int	 store_get(struct store *, const char *id, json_t **out);
int	 store_spoke_health(struct store *, const char *spoke, json_t **out);

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
	long			 max_redirects;
};

/*
 * What one transfer produced, handed to its callback.  `error` is NULL
 * when a complete body within the limits arrived with a 2xx status (or
 * from a file:// URL); otherwise it says in words what went wrong and
 * `body` may be partial or NULL.  Everything is freed after the callback
 * returns, except `body`, which the callback may take by setting it to
 * NULL (it is then the callback's to free()).
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
};

typedef void (*fetch_done_cb)(struct fetch_result *, void *arg);

struct fetcher	*fetch_new(struct event_base *, const struct fetch_options *);
void		 fetch_free(struct fetcher *);
int		 fetch_start(struct fetcher *, const char *url, fetch_done_cb,
		    void *arg);
size_t		 fetch_inflight(const struct fetcher *);

/* cmd.c: the protocol's commands, shared by the line server and HTTP */
struct cmd_context {
	struct store		*store;		/* the loop's connection */
	const struct config	*conf;
	time_t			 started;
};

json_t	*cmd_execute(struct cmd_context *, const struct proto_request *,
	    int *close_after);
int	 cmd_error_status(const char *code);

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

struct ingest_job {
	char		*spoke;
	char		*url;
	char		*content_type;
	char		*timezone;
	char		*format;
	unsigned char	*body;		/* NULL when the fetch failed */
	size_t		 len;
	char		*fetch_error;	/* why there is no body */
	size_t		 max_items;
	time_t		 when;
};

struct ingest_outcome {
	const char	*spoke;
	const char	*error;		/* NULL when the feed was stored */
	size_t		 records;
	size_t		 warnings;
	const char	*format;
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
		    struct ingest *);
void		 refresh_configure(struct refresh *, const struct config *);
int		 refresh_spoke_now(struct refresh *, const char *spoke);
void		 refresh_done(struct refresh *, const struct ingest_outcome *);
size_t		 refresh_busy(const struct refresh *);
void		 refresh_free(struct refresh *);

#endif /* DAYHUB_H */
