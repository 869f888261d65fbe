/*
 * config.c - reading dayhub.conf.
 *
 * The file is read whole, split into lines and each line into words; the
 * first word of a statement is looked up in conf_keywords[], a table of
 * (keyword, where it is allowed, how many values, handler).  The first
 * problem stops the load with "FILE:LINE: reason", so that a daemon asked
 * to reload keeps the configuration it is running with.
 *
 * Relative paths and file: URLs are resolved against the directory of the
 * configuration file, never against the daemon's working directory, so the
 * same file means the same thing wherever the daemon was started from.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dayhub.h"

/* Set by the build; these stand in when a file is compiled by hand. */
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR		"/usr/local/var"
#endif
#ifndef PKGLIBDIR
#define PKGLIBDIR		"/usr/local/lib/dayhub"
#endif

#define CONF_MAX_FILE		(1024 * 1024)	/* bytes in the whole file */
#define CONF_MAX_WORDS		16		/* words in one statement */
#define CONF_MAX_TIMEZONE	64
#define CONF_MAX_FORMAT		32
#define CONF_MAX_SUGGEST	2	/* edit distance for "did you mean" */
#define CONF_MAX_KEYWORD	32	/* longest word given a suggestion */

#define CONF_DEFAULT_HOST	"127.0.0.1"
#define CONF_DEFAULT_PORT	"7411"
#define CONF_DEFAULT_TIMEZONE	"Europe/London"
#define CONF_DEFAULT_FORMAT	"auto"

#define nitems(a)		(sizeof (a) / sizeof (a)[0])

/* Where a statement may appear: one bit per kind of block. */
#define CONF_TOP		0x1
#define CONF_HUB		0x2
#define CONF_SPOKE		0x4

/* Row flags. */
#define CONF_BLOCK		0x1	/* the line ends with "{" */
#define CONF_REPEAT		0x2	/* may be given more than once */

struct conf_parse;
struct conf_keyword;

/* One word of a statement, escapes already undone. */
struct conf_word {
	const char	*s;
	int		 quoted;
};

typedef int (*conf_handler)(struct conf_parse *, const struct conf_keyword *,
    const struct conf_word *);

struct conf_keyword {
	const char		*name;
	int			 where;
	int			 flags;
	size_t			 nargs;
	const char		*usage;		/* shown when values are wrong */
	conf_handler		 fn;
	size_t			 off;		/* member of the block's struct */
	unsigned long long	 min, max;	/* bounds of a number */
};

static int	conf_listen(struct conf_parse *, const struct conf_keyword *,
		    const struct conf_word *);
static int	conf_path(struct conf_parse *, const struct conf_keyword *,
		    const struct conf_word *);
static int	conf_string(struct conf_parse *, const struct conf_keyword *,
		    const struct conf_word *);
static int	conf_log_level(struct conf_parse *,
		    const struct conf_keyword *, const struct conf_word *);
static int	conf_duration(struct conf_parse *, const struct conf_keyword *,
		    const struct conf_word *);
static int	conf_size(struct conf_parse *, const struct conf_keyword *,
		    const struct conf_word *);
static int	conf_count(struct conf_parse *, const struct conf_keyword *,
		    const struct conf_word *);
static int	conf_flag(struct conf_parse *, const struct conf_keyword *,
		    const struct conf_word *);
static int	conf_hub(struct conf_parse *, const struct conf_keyword *,
		    const struct conf_word *);
static int	conf_timezone(struct conf_parse *,
		    const struct conf_keyword *, const struct conf_word *);
static int	conf_spoke(struct conf_parse *, const struct conf_keyword *,
		    const struct conf_word *);
static int	conf_url(struct conf_parse *, const struct conf_keyword *,
		    const struct conf_word *);
static int	conf_format(struct conf_parse *, const struct conf_keyword *,
		    const struct conf_word *);

#define DAY	(24ULL * 3600)
#define YEAR	(366 * DAY)

static const struct conf_keyword conf_keywords[] = {
	{ .name = "listen", .where = CONF_TOP, .flags = CONF_REPEAT,
	  .nargs = 2, .usage = "listen line|http HOST:PORT",
	  .fn = conf_listen },
	{ .name = "database", .where = CONF_TOP, .nargs = 1,
	  .usage = "database PATH", .fn = conf_path,
	  .off = offsetof(struct config, database) },
	{ .name = "plugin-dir", .where = CONF_TOP, .nargs = 1,
	  .usage = "plugin-dir PATH", .fn = conf_path,
	  .off = offsetof(struct config, plugin_dir) },
	{ .name = "user-agent", .where = CONF_TOP, .nargs = 1,
	  .usage = "user-agent \"TEXT\"", .fn = conf_string,
	  .off = offsetof(struct config, user_agent) },
	{ .name = "log-level", .where = CONF_TOP, .nargs = 1,
	  .usage = "log-level warn|info|debug", .fn = conf_log_level,
	  .off = offsetof(struct config, log_level) },
	{ .name = "refresh-interval", .where = CONF_TOP, .nargs = 1,
	  .usage = "refresh-interval DURATION", .fn = conf_duration,
	  .off = offsetof(struct config, refresh_interval),
	  .min = 60, .max = YEAR },
	{ .name = "fetch-timeout", .where = CONF_TOP, .nargs = 1,
	  .usage = "fetch-timeout DURATION", .fn = conf_duration,
	  .off = offsetof(struct config, fetch_timeout),
	  .min = 1, .max = 600 },
	{ .name = "max-feed-size", .where = CONF_TOP, .nargs = 1,
	  .usage = "max-feed-size SIZE", .fn = conf_size,
	  .off = offsetof(struct config, max_feed_bytes),
	  .min = 1024, .max = FEED_CEILING_BYTES },
	{ .name = "max-items", .where = CONF_TOP, .nargs = 1,
	  .usage = "max-items N", .fn = conf_count,
	  .off = offsetof(struct config, max_items),
	  .min = 1, .max = 1000000 },
	{ .name = "max-pages", .where = CONF_TOP, .nargs = 1,
	  .usage = "max-pages N", .fn = conf_count,
	  .off = offsetof(struct config, max_pages),
	  .min = 1, .max = CONFIG_MAX_PAGES },
	{ .name = "search-threads", .where = CONF_TOP, .nargs = 1,
	  .usage = "search-threads N", .fn = conf_count,
	  .off = offsetof(struct config, search_threads),
	  .min = 0, .max = READERS_MAX_THREADS },
	{ .name = "max-connections", .where = CONF_TOP, .nargs = 1,
	  .usage = "max-connections N", .fn = conf_count,
	  .off = offsetof(struct config, max_connections),
	  .min = 1, .max = 65536 },
	{ .name = "idle-timeout", .where = CONF_TOP, .nargs = 1,
	  .usage = "idle-timeout DURATION", .fn = conf_duration,
	  .off = offsetof(struct config, idle_timeout),
	  .min = 1, .max = DAY },
	{ .name = "allow-file-urls", .where = CONF_TOP, .nargs = 1,
	  .usage = "allow-file-urls yes|no", .fn = conf_flag,
	  .off = offsetof(struct config, allow_file_urls) },
	{ .name = "allow-private-addresses", .where = CONF_TOP, .nargs = 1,
	  .usage = "allow-private-addresses yes|no", .fn = conf_flag,
	  .off = offsetof(struct config, allow_private_addresses) },
	{ .name = "contact", .where = CONF_TOP, .nargs = 1,
	  .usage = "contact URL", .fn = conf_string,
	  .off = offsetof(struct config, contact) },
	{ .name = "max-transfers", .where = CONF_TOP, .nargs = 1,
	  .usage = "max-transfers N", .fn = conf_count,
	  .off = offsetof(struct config, max_transfers),
	  .min = 1, .max = 1024 },
	{ .name = "refresh-spread", .where = CONF_TOP, .nargs = 1,
	  .usage = "refresh-spread DURATION", .fn = conf_duration,
	  .off = offsetof(struct config, refresh_spread),
	  .min = 0, .max = DAY },
	{ .name = "backoff-max", .where = CONF_TOP, .nargs = 1,
	  .usage = "backoff-max DURATION", .fn = conf_duration,
	  .off = offsetof(struct config, backoff_max),
	  .min = 60, .max = 30 * DAY },
	{ .name = "gone-after", .where = CONF_TOP, .nargs = 1,
	  .usage = "gone-after DURATION", .fn = conf_duration,
	  .off = offsetof(struct config, gone_after),
	  .min = 0, .max = YEAR },
	{ .name = "keep-deleted", .where = CONF_TOP, .nargs = 1,
	  .usage = "keep-deleted DURATION", .fn = conf_duration,
	  .off = offsetof(struct config, keep_deleted),
	  .min = 0, .max = 10 * YEAR },
	{ .name = "horizon", .where = CONF_TOP, .nargs = 1,
	  .usage = "horizon DURATION", .fn = conf_duration,
	  .off = offsetof(struct config, horizon),
	  .min = DAY, .max = 2 * YEAR },
	{ .name = "hub", .where = CONF_TOP, .flags = CONF_BLOCK | CONF_REPEAT,
	  .nargs = 1, .usage = "hub ID {", .fn = conf_hub },

	{ .name = "name", .where = CONF_HUB, .nargs = 1,
	  .usage = "name \"TEXT\"", .fn = conf_string,
	  .off = offsetof(struct config_hub, name) },
	{ .name = "area", .where = CONF_HUB, .nargs = 1,
	  .usage = "area \"TEXT\"", .fn = conf_string,
	  .off = offsetof(struct config_hub, area) },
	{ .name = "timezone", .where = CONF_HUB, .nargs = 1,
	  .usage = "timezone ZONE", .fn = conf_timezone,
	  .off = offsetof(struct config_hub, timezone) },
	{ .name = "spoke", .where = CONF_HUB,
	  .flags = CONF_BLOCK | CONF_REPEAT, .nargs = 1,
	  .usage = "spoke ID {", .fn = conf_spoke },

	{ .name = "name", .where = CONF_SPOKE, .nargs = 1,
	  .usage = "name \"TEXT\"", .fn = conf_string,
	  .off = offsetof(struct config_spoke, name) },
	{ .name = "url", .where = CONF_SPOKE, .nargs = 1,
	  .usage = "url URL", .fn = conf_url,
	  .off = offsetof(struct config_spoke, url) },
	{ .name = "format", .where = CONF_SPOKE, .nargs = 1,
	  .usage = "format NAME", .fn = conf_format,
	  .off = offsetof(struct config_spoke, format) },
	{ .name = "interval", .where = CONF_SPOKE, .nargs = 1,
	  .usage = "interval DURATION", .fn = conf_duration,
	  .off = offsetof(struct config_spoke, interval),
	  .min = 60, .max = YEAR },
};

/* The state of one load. */
struct conf_parse {
	const char	*file;		/* as the caller named it */
	char		*dir;		/* absolute directory of the file */
	unsigned long	 line;
	struct config	*cfg;
	int		 ctx;		/* CONF_TOP, CONF_HUB or CONF_SPOKE */
	size_t		 nspokes;	/* in all hubs */
	unsigned long	 seen[nitems(conf_keywords)];
	char		*err;
	size_t		 errlen;
	/* Words are copied here with their escapes undone. */
	char		 scratch[2 * CONFIG_MAX_LINE + 2];
};

static int	conf_error(struct conf_parse *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	conf_error_at(struct conf_parse *, unsigned long,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
static int	conf_escape_error(struct conf_parse *, char);
static int	conf_read(struct conf_parse *, const char *, char **,
		    size_t *);
static int	conf_set_dir(struct conf_parse *, const char *);
static int	conf_parse_buffer(struct conf_parse *, char *, size_t);
static int	conf_statement(struct conf_parse *, const char *, size_t);
static int	conf_split(struct conf_parse *, const char *, size_t,
		    struct conf_word *, size_t *);
static int	conf_keyword_find(struct conf_parse *, const char *,
		    const struct conf_keyword **);
static int	conf_close_block(struct conf_parse *);
static int	conf_spoke_end(struct conf_parse *);
static void	*conf_target(struct conf_parse *, const struct conf_keyword *);
static void	conf_block_reset(struct conf_parse *, int);
static void	conf_set_string(char **, const char *);
static size_t	conf_distance(const char *, const char *);
static char	*conf_clean_path(const char *);
static char	*conf_resolve(const char *, const char *);
static char	*conf_url_escape(const char *);
static const char *conf_format_duration(unsigned long long, char *, size_t);
static const char *conf_format_size(unsigned long long, char *, size_t);
static void	conf_add_listen(struct config_listen **, size_t *,
		    const char *, size_t, const char *);

/*
 * Reads the configuration at `path`.
 *
 * Contract: the file is outside input.  It may be at most 1 MiB, each line
 * at most CONFIG_MAX_LINE bytes not counting its end ("\n" or "\r\n"), in
 * UTF-8 with no control characters but tab.  On any problem nothing is
 * kept: NULL is returned and `err` holds "PATH:LINE: reason" (or "PATH:
 * reason" when the file cannot be read at all), with PATH as given.  On
 * success the whole configuration is returned, every default filled in,
 * every string non-NULL, every relative path and file: URL made absolute
 * against the file's own directory; config->path is the file's absolute
 * name.  The caller frees it with config_free().
 */
struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct conf_parse	*ps;
	struct config		*cfg;
	char			*buf = NULL;
	size_t			 len = 0;
	long			 ncpu;

	ps = xcalloc(1, sizeof *ps);
	ps->file = path;
	ps->err = err;
	ps->errlen = errlen;
	ps->ctx = CONF_TOP;
	if (errlen > 0)
		err[0] = '\0';

	cfg = ps->cfg = xcalloc(1, sizeof *cfg);
	cfg->database = xstrdup(LOCALSTATEDIR "/lib/dayhub/dayhub.db");
	cfg->plugin_dir = xstrdup(PKGLIBDIR);
	cfg->user_agent = xstrdup("dayhub/" PACKAGE_VERSION);
	cfg->log_level = LOG_LEVEL_INFO;
	cfg->allow_file_urls = 0;
	cfg->refresh_interval = 3600;
	cfg->fetch_timeout = 60;
	cfg->max_feed_bytes = FEED_MAX_BYTES;
	cfg->max_items = FEED_MAX_ITEMS;
	cfg->max_pages = CONFIG_DEFAULT_PAGES;
	cfg->max_connections = 256;
	/* One search thread a processor, two at least, eight at most. */
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cfg->search_threads = ncpu < 2 ? 2 : ncpu > 8 ? 8 :
	    (unsigned long long)ncpu;
	cfg->idle_timeout = 300;
	cfg->contact = xstrdup("");
	cfg->max_transfers = 16;
	cfg->refresh_spread = 300;
	cfg->backoff_max = DAY;
	cfg->gone_after = 7 * DAY;
	cfg->keep_deleted = 90 * DAY;
	cfg->horizon = 90 * DAY;

	if (conf_set_dir(ps, path) == -1)
		goto fail;
	if (conf_read(ps, path, &buf, &len) == -1)
		goto fail;
	if (conf_parse_buffer(ps, buf, len) == -1)
		goto fail;
	if (cfg->nline_listen == 0)
		conf_add_listen(&cfg->line_listen, &cfg->nline_listen,
		    CONF_DEFAULT_HOST, strlen(CONF_DEFAULT_HOST),
		    CONF_DEFAULT_PORT);

	free(buf);
	free(ps->dir);
	free(ps);
	return cfg;

fail:
	free(buf);
	free(ps->dir);
	free(ps);
	config_free(cfg);
	return NULL;
}

/* Frees a configuration, whole or half-built. */
void
config_free(struct config *cfg)
{
	struct config_hub	*hub;
	size_t			 i, j;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nline_listen; i++) {
		free(cfg->line_listen[i].host);
		free(cfg->line_listen[i].port);
	}
	free(cfg->line_listen);
	for (i = 0; i < cfg->nhttp_listen; i++) {
		free(cfg->http_listen[i].host);
		free(cfg->http_listen[i].port);
	}
	free(cfg->http_listen);
	for (i = 0; i < cfg->nhubs; i++) {
		hub = &cfg->hubs[i];
		for (j = 0; j < hub->nspokes; j++) {
			free(hub->spokes[j].id);
			free(hub->spokes[j].name);
			free(hub->spokes[j].url);
			free(hub->spokes[j].format);
		}
		free(hub->spokes);
		free(hub->id);
		free(hub->name);
		free(hub->area);
		free(hub->timezone);
	}
	free(cfg->hubs);
	free(cfg->path);
	free(cfg->database);
	free(cfg->plugin_dir);
	free(cfg->user_agent);
	free(cfg->contact);
	free(cfg);
}

/*
 * Finds spoke `id` in the first hub that lists it; stores that hub in
 * `*hub` when hub is not NULL.  Returns NULL when no hub lists it.
 */
const struct config_spoke *
config_find_spoke(const struct config *cfg, const char *id,
    const struct config_hub **hub)
{
	size_t	i, j;

	for (i = 0; i < cfg->nhubs; i++) {
		for (j = 0; j < cfg->hubs[i].nspokes; j++) {
			if (strcmp(cfg->hubs[i].spokes[j].id, id) != 0)
				continue;
			if (hub != NULL)
				*hub = &cfg->hubs[i];
			return &cfg->hubs[i].spokes[j];
		}
	}
	if (hub != NULL)
		*hub = NULL;
	return NULL;
}

/* Fills err with "FILE:LINE: message" for the current line. */
static int
conf_error(struct conf_parse *ps, const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ps->errlen > 0)
		snprintf(ps->err, ps->errlen, "%s:%lu: %s", ps->file, ps->line,
		    msg);
	return -1;
}

/* Fills err with "FILE:LINE: message" for an earlier line. */
static int
conf_error_at(struct conf_parse *ps, unsigned long line, const char *fmt,
    ...)
{
	char	msg[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ps->errlen > 0)
		snprintf(ps->err, ps->errlen, "%s:%lu: %s", ps->file, line,
		    msg);
	return -1;
}

/* Refuses a backslash that escapes neither a quote nor a backslash. */
static int
conf_escape_error(struct conf_parse *ps, char c)
{
	if (c > 0x20 && c < 0x7f)
		return conf_error(ps, "\"\\%c\" is not an escape: only \\\" "
		    "and \\\\ are", c);
	return conf_error(ps, "a backslash must be followed by \" or \\ "
	    "(only \\\" and \\\\ are escapes)");
}

/*
 * Works out the file's absolute name and directory without touching
 * symbolic links: a path in the file is relative to where the file was
 * named, as a reader of the file would expect.
 */
static int
conf_set_dir(struct conf_parse *ps, const char *path)
{
	char	*cwd = NULL, *abs = NULL, *slash;

	if (path[0] == '/')
		abs = conf_clean_path(path);
	else {
		if ((cwd = getcwd(NULL, 0)) == NULL) {
			if (ps->errlen > 0)
				snprintf(ps->err, ps->errlen,
				    "%s: cannot find the current directory: %s",
				    ps->file, strerror(errno));
			return -1;
		}
		abs = conf_resolve(cwd, path);
		free(cwd);
	}
	ps->cfg->path = abs;
	ps->dir = xstrdup(abs);
	slash = strrchr(ps->dir, '/');
	if (slash == ps->dir)
		slash[1] = '\0';	/* a file in "/" */
	else
		*slash = '\0';
	return 0;
}

/* Reads the whole file into a new buffer, refusing one over the limit. */
static int
conf_read(struct conf_parse *ps, const char *path, char **bufp, size_t *lenp)
{
	struct stat	 st;
	char		*buf;
	size_t		 len = 0, i;
	ssize_t		 n;
	int		 fd;

	/* O_NONBLOCK: a FIFO in its place must not hang the daemon. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		goto syserr;
	if (fstat(fd, &st) == -1)
		goto syserr;
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		if (ps->errlen > 0)
			snprintf(ps->err, ps->errlen, "%s: not a regular file",
			    ps->file);
		return -1;
	}

	/* One byte more than allowed tells a full file from a long one. */
	buf = *bufp = xmalloc(CONF_MAX_FILE + 1);
	while (len < CONF_MAX_FILE + 1) {
		n = read(fd, buf + len, CONF_MAX_FILE + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto syserr;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	fd = -1;

	if (len > CONF_MAX_FILE) {
		ps->line = 1;
		for (i = 0; i < CONF_MAX_FILE; i++)
			if (buf[i] == '\n')
				ps->line++;
		return conf_error(ps, "the file is larger than 1 MiB");
	}
	*lenp = len;
	return 0;

syserr:
	if (ps->errlen > 0)
		snprintf(ps->err, ps->errlen, "%s: %s", ps->file,
		    strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/* Runs every line of the file through conf_statement(). */
static int
conf_parse_buffer(struct conf_parse *ps, char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len, *eol, *next;
	size_t		 n;

	while (p < end) {
		ps->line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) != NULL)
			next = eol + 1;
		else
			next = eol = end;
		n = (size_t)(eol - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > CONFIG_MAX_LINE)
			return conf_error(ps, "the line is longer than %d bytes",
			    CONFIG_MAX_LINE);
		if (conf_statement(ps, p, n) == -1)
			return -1;
		p = next;
	}

	if (ps->ctx == CONF_SPOKE) {
		const struct config_hub *hub;

		hub = &ps->cfg->hubs[ps->cfg->nhubs - 1];
		return conf_error(ps, "the file ends inside spoke \"%s\" "
		    "(opened on line %lu): a \"}\" is missing",
		    hub->spokes[hub->nspokes - 1].id,
		    hub->spokes[hub->nspokes - 1].line);
	}
	if (ps->ctx == CONF_HUB) {
		const struct config_hub *hub;

		hub = &ps->cfg->hubs[ps->cfg->nhubs - 1];
		return conf_error(ps, "the file ends inside hub \"%s\" "
		    "(opened on line %lu): a \"}\" is missing", hub->id,
		    hub->line);
	}
	return 0;
}

/*
 * Checks one line's bytes, splits it into words and carries out the
 * statement: a keyword and its values, a block opener ending in "{", or a
 * lone "}".
 */
static int
conf_statement(struct conf_parse *ps, const char *s, size_t len)
{
	const struct conf_keyword	*kw = NULL;
	struct conf_word		 words[CONF_MAX_WORDS];
	size_t				 nwords, nargs, i;
	int				 block;
	unsigned char			 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\0')
			return conf_error(ps, "a NUL byte in the line");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return conf_error(ps, "a control character (0x%02x) "
			    "in the line", c);
	}
	if (!utf8_valid(s, len))
		return conf_error(ps, "the line is not valid UTF-8");

	if (conf_split(ps, s, len, words, &nwords) == -1)
		return -1;
	if (nwords == 0)
		return 0;

	if (!words[0].quoted && strcmp(words[0].s, "}") == 0) {
		if (nwords > 1)
			return conf_error(ps, "\"}\" must be on a line of its "
			    "own");
		return conf_close_block(ps);
	}
	if (!words[0].quoted && strcmp(words[0].s, "{") == 0)
		return conf_error(ps, "\"{\" must end the line that opens "
		    "the block, as in \"hub ID {\"");
	if (words[0].quoted)
		return conf_error(ps, "a statement must start with a keyword, "
		    "not a quoted string");

	block = !words[nwords - 1].quoted &&
	    strcmp(words[nwords - 1].s, "{") == 0;
	for (i = 1; i < nwords - (size_t)block; i++) {
		if (words[i].quoted)
			continue;
		if (strcmp(words[i].s, "{") == 0)
			return conf_error(ps, "\"{\" must be the last word on "
			    "the line");
		if (strcmp(words[i].s, "}") == 0)
			return conf_error(ps, "\"}\" must be on a line of its "
			    "own");
	}

	if (conf_keyword_find(ps, words[0].s, &kw) == -1)
		return -1;
	nargs = nwords - 1 - (size_t)block;
	if (nargs < kw->nargs)
		return conf_error(ps, "%s: missing value (%s)", kw->name,
		    kw->usage);
	if (nargs > kw->nargs)
		return conf_error(ps, "%s: extra words after the value: \"%s\" "
		    "(%s; quote a value that has blanks)", kw->name,
		    words[1 + kw->nargs].s, kw->usage);
	if ((kw->flags & CONF_BLOCK) && !block)
		return conf_error(ps, "%s: the line must end with \"{\" (%s)",
		    kw->name, kw->usage);
	if (!(kw->flags & CONF_BLOCK) && block)
		return conf_error(ps, "%s does not open a block", kw->name);
	for (i = 1; i <= nargs; i++) {
		if (words[i].s[0] == '\0')
			return conf_error(ps, "%s: the value is empty",
			    kw->name);
	}

	if (!(kw->flags & CONF_REPEAT)) {
		if (ps->seen[kw - conf_keywords] != 0)
			return conf_error(ps, "%s given twice (first on line "
			    "%lu)", kw->name, ps->seen[kw - conf_keywords]);
		ps->seen[kw - conf_keywords] = ps->line;
	}
	return kw->fn(ps, kw, &words[1]);
}

/*
 * Splits a line into words: bare words end at a blank, '#', '{' or '}';
 * "quoted strings" take \" and \\ as their only escapes; '#' outside
 * quotes starts a comment.  Braces are words of their own.
 */
static int
conf_split(struct conf_parse *ps, const char *s, size_t len,
    struct conf_word *words, size_t *nwords)
{
	const char	*p = s, *end = s + len;
	char		*out = ps->scratch;
	size_t		 n = 0;

	*nwords = 0;
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end || *p == '#')
			break;
		if (n == CONF_MAX_WORDS)
			return conf_error(ps, "too many words on one line "
			    "(at most %d)", CONF_MAX_WORDS);
		words[n].s = out;
		words[n].quoted = 0;

		if (*p == '{' || *p == '}') {
			*out++ = *p++;
		} else if (*p == '"') {
			words[n].quoted = 1;
			p++;
			for (;;) {
				if (p == end)
					return conf_error(ps, "a quoted string "
					    "has no closing quote");
				if (*p == '"')
					break;
				if (*p == '\\') {
					if (p + 1 == end)
						return conf_error(ps, "a quoted "
						    "string has no closing "
						    "quote");
					if (p[1] != '"' && p[1] != '\\')
						return conf_escape_error(ps,
						    p[1]);
					p++;
				}
				*out++ = *p++;
			}
			p++;
			if (p < end && *p != ' ' && *p != '\t' && *p != '#' &&
			    *p != '{' && *p != '}')
				return conf_error(ps, "a closing quote must be "
				    "followed by a blank");
		} else {
			while (p < end && *p != ' ' && *p != '\t' &&
			    *p != '#' && *p != '{' && *p != '}') {
				if (*p == '"')
					return conf_error(ps, "a quote in the "
					    "middle of a word (quote the whole "
					    "value)");
				*out++ = *p++;
			}
		}
		*out++ = '\0';
		n++;
	}
	*nwords = n;
	return 0;
}

/*
 * Finds the row for `word` allowed where the parser is.  A keyword of
 * another block and an unknown word are told apart, and an unknown word
 * close to a keyword gets a suggestion.
 */
static int
conf_keyword_find(struct conf_parse *ps, const char *word,
    const struct conf_keyword **kwp)
{
	static const struct {
		int		 where;
		const char	*text;
	} places[] = {
		{ CONF_TOP, "at the top level" },
		{ CONF_HUB, "in a hub block" },
		{ CONF_SPOKE, "in a spoke block" },
		{ CONF_HUB | CONF_SPOKE, "in a hub or spoke block" },
	};
	const char	*best = NULL, *here = "", *allowed = "elsewhere";
	size_t		 i, d, bestd = SIZE_MAX, wlen = strlen(word);
	int		 where = 0;

	for (i = 0; i < nitems(conf_keywords); i++) {
		if (strcmp(conf_keywords[i].name, word) != 0)
			continue;
		if (conf_keywords[i].where & ps->ctx) {
			*kwp = &conf_keywords[i];
			return 0;
		}
		where |= conf_keywords[i].where;
	}
	if (where != 0) {
		for (i = 0; i < nitems(places); i++) {
			if (places[i].where == ps->ctx)
				here = places[i].text;
			if (places[i].where == where)
				allowed = places[i].text;
		}
		return conf_error(ps, "\"%s\" belongs %s, not %s", word,
		    allowed, here);
	}

	/* Prefer a keyword allowed here when two are as close. */
	if (wlen <= CONF_MAX_KEYWORD) {
		for (i = 0; i < nitems(conf_keywords); i++) {
			d = conf_distance(word, conf_keywords[i].name) * 2;
			if (!(conf_keywords[i].where & ps->ctx))
				d++;
			if (d < bestd) {
				bestd = d;
				best = conf_keywords[i].name;
			}
		}
		bestd /= 2;
		if (bestd > CONF_MAX_SUGGEST || (wlen <= 3 && bestd > 1))
			best = NULL;
	}
	if (best != NULL)
		return conf_error(ps, "unknown keyword \"%s\" (did you mean "
		    "\"%s\"?)", word, best);
	return conf_error(ps, "unknown keyword \"%s\"", word);
}

/*
 * The edit distance between two short words, counting a swap of two
 * neighbouring letters as one edit ("listne" is one from "listen").
 */
static size_t
conf_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, v;
	size_t	d[CONF_MAX_KEYWORD + 1][CONF_MAX_KEYWORD + 1];

	if (la > CONF_MAX_KEYWORD || lb > CONF_MAX_KEYWORD)
		return SIZE_MAX / 4;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* Ends the innermost block at a "}". */
static int
conf_close_block(struct conf_parse *ps)
{
	switch (ps->ctx) {
	case CONF_SPOKE:
		if (conf_spoke_end(ps) == -1)
			return -1;
		ps->ctx = CONF_HUB;
		return 0;
	case CONF_HUB:
		ps->ctx = CONF_TOP;
		return 0;
	default:
		return conf_error(ps, "\"}\" without an open block");
	}
}

/*
 * Checks a finished spoke: it needs a url, and a spoke listed by two hubs
 * is one feed, so it must have one url.
 */
static int
conf_spoke_end(struct conf_parse *ps)
{
	const struct config		*cfg = ps->cfg;
	const struct config_hub		*hub = &cfg->hubs[cfg->nhubs - 1];
	const struct config_spoke	*sp = &hub->spokes[hub->nspokes - 1];
	const struct config_spoke	*other;
	size_t				 i, j;

	if (sp->url == NULL)
		return conf_error_at(ps, sp->line, "spoke \"%s\" has no url",
		    sp->id);
	for (i = 0; i + 1 < cfg->nhubs; i++) {
		for (j = 0; j < cfg->hubs[i].nspokes; j++) {
			other = &cfg->hubs[i].spokes[j];
			if (strcmp(other->id, sp->id) != 0 ||
			    strcmp(other->url, sp->url) == 0)
				continue;
			return conf_error_at(ps, sp->line, "spoke \"%s\" has "
			    "another url in hub \"%s\" (line %lu); a spoke "
			    "shared by hubs must have the same url", sp->id,
			    cfg->hubs[i].id, other->line);
		}
	}
	return 0;
}

/* The struct a row's `off` is relative to: the open block's, or config. */
static void *
conf_target(struct conf_parse *ps, const struct conf_keyword *kw)
{
	struct config		*cfg = ps->cfg;
	struct config_hub	*hub;

	switch (kw->where) {
	case CONF_HUB:
		return &cfg->hubs[cfg->nhubs - 1];
	case CONF_SPOKE:
		hub = &cfg->hubs[cfg->nhubs - 1];
		return &hub->spokes[hub->nspokes - 1];
	default:
		return cfg;
	}
}

/* Replaces a string member, freeing the default it held. */
static void
conf_set_string(char **member, const char *value)
{
	free(*member);
	*member = xstrdup(value);
}

/* Appends a listen address. */
static void
conf_add_listen(struct config_listen **list, size_t *n, const char *host,
    size_t hostlen, const char *port)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[*n].host = xstrndup(host, hostlen);
	(*list)[*n].port = xstrdup(port);
	(*n)++;
}

/* listen line|http HOST:PORT, with an IPv6 address in brackets. */
static int
conf_listen(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	struct config		*cfg = ps->cfg;
	const char		*s = args[1].s, *host, *colon, *port;
	size_t			 hostlen, i;
	unsigned long long	 v;

	if (strcmp(args[0].s, "line") != 0 && strcmp(args[0].s, "http") != 0)
		return conf_error(ps, "listen: \"%s\" is neither line nor http "
		    "(%s)", args[0].s, kw->usage);

	if (s[0] == '[') {
		host = s + 1;
		if ((colon = strchr(host, ']')) == NULL || colon[1] != ':')
			goto bad;
		hostlen = (size_t)(colon - host);
		colon++;
		if (hostlen == 0 || memchr(host, ':', hostlen) == NULL)
			goto bad;
	} else {
		host = s;
		if ((colon = strrchr(s, ':')) == NULL)
			goto bad;
		hostlen = (size_t)(colon - host);
		if (memchr(host, ':', hostlen) != NULL)
			return conf_error(ps, "listen: \"%s\": an IPv6 address "
			    "goes in brackets, as in [::1]:7411", s);
		if (hostlen == 0)
			goto bad;
	}
	for (i = 0; i < hostlen; i++) {
		if (!isalnum((unsigned char)host[i]) && host[i] != '.' &&
		    host[i] != '-' && host[i] != ':' && host[i] != '%' &&
		    host[i] != '_')
			goto bad;
	}
	port = colon + 1;
	if (parse_uint(port, 65535, &v) == -1)
		return conf_error(ps, "listen: \"%s\": the port is not a number "
		    "from 0 to 65535", s);

	if (strcmp(args[0].s, "line") == 0)
		conf_add_listen(&cfg->line_listen, &cfg->nline_listen, host,
		    hostlen, port);
	else
		conf_add_listen(&cfg->http_listen, &cfg->nhttp_listen, host,
		    hostlen, port);
	return 0;

bad:
	return conf_error(ps, "listen: \"%s\" is not HOST:PORT (like "
	    "127.0.0.1:7411 or [::1]:7411)", s);
}

/* A path, made absolute against the file's directory. */
static int
conf_path(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	char	**member = (char **)((char *)conf_target(ps, kw) + kw->off);

	free(*member);
	if (args[0].s[0] == '/')
		*member = xstrdup(args[0].s);
	else
		*member = conf_resolve(ps->dir, args[0].s);
	return 0;
}

/* Free text, kept as written. */
static int
conf_string(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	conf_set_string((char **)((char *)conf_target(ps, kw) + kw->off),
	    args[0].s);
	return 0;
}

static int
conf_log_level(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	int	level;

	if ((level = log_level_parse(args[0].s)) == -1)
		return conf_error(ps, "log-level: \"%s\" is not warn, info or "
		    "debug", args[0].s);
	*(int *)((char *)conf_target(ps, kw) + kw->off) = level;
	return 0;
}

/* A duration within the row's bounds. */
static int
conf_duration(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	unsigned long long	v;
	char			b[32];

	if (parse_duration(args[0].s, &v) == -1)
		return conf_error(ps, "%s: \"%s\" is not a duration (use 90s, "
		    "30m, 6h or 1d)", kw->name, args[0].s);
	if (v < kw->min)
		return conf_error(ps, "%s: %s is too short (at least %s)",
		    kw->name, args[0].s, conf_format_duration(kw->min, b,
		    sizeof b));
	if (v > kw->max)
		return conf_error(ps, "%s: %s is too long (at most %s)",
		    kw->name, args[0].s, conf_format_duration(kw->max, b,
		    sizeof b));
	*(unsigned long long *)((char *)conf_target(ps, kw) + kw->off) = v;
	return 0;
}

/* A byte count with an optional K or M (times 1024 or 1024 * 1024). */
static int
conf_size(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	const char		*s = args[0].s;
	unsigned long long	 v, scale = 1;
	char			 num[32], lo[32], hi[32];
	size_t			 len = strlen(s);

	if (len == 0 || len >= sizeof num)
		goto bad;
	memcpy(num, s, len + 1);
	if (num[len - 1] == 'K' || num[len - 1] == 'k')
		scale = 1024;
	else if (num[len - 1] == 'M' || num[len - 1] == 'm')
		scale = 1024 * 1024;
	if (scale != 1)
		num[len - 1] = '\0';
	if (parse_uint(num, ULLONG_MAX / scale, &v) == -1)
		goto bad;
	v *= scale;
	if (v < kw->min || v > kw->max)
		return conf_error(ps, "%s: %s is out of range (%s to %s)",
		    kw->name, s, conf_format_size(kw->min, lo, sizeof lo),
		    conf_format_size(kw->max, hi, sizeof hi));
	*(unsigned long long *)((char *)conf_target(ps, kw) + kw->off) = v;
	return 0;

bad:
	return conf_error(ps, "%s: \"%s\" is not a size (use bytes, or K or "
	    "M: 512K, 16M)", kw->name, s);
}

/* A whole number within the row's bounds. */
static int
conf_count(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	unsigned long long	v;

	if (parse_uint(args[0].s, ULLONG_MAX, &v) == -1)
		return conf_error(ps, "%s: \"%s\" is not a whole number",
		    kw->name, args[0].s);
	if (v < kw->min || v > kw->max)
		return conf_error(ps, "%s: %s is out of range (%llu to %llu)",
		    kw->name, args[0].s, kw->min, kw->max);
	*(unsigned long long *)((char *)conf_target(ps, kw) + kw->off) = v;
	return 0;
}

static int
conf_flag(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	int	v;

	if (parse_bool(args[0].s, &v) == -1)
		return conf_error(ps, "%s: \"%s\" is not yes or no", kw->name,
		    args[0].s);
	*(int *)((char *)conf_target(ps, kw) + kw->off) = v;
	return 0;
}

/* Forgets which rows of a block were given, as a new block starts. */
static void
conf_block_reset(struct conf_parse *ps, int where)
{
	size_t	i;

	for (i = 0; i < nitems(conf_keywords); i++)
		if (conf_keywords[i].where == where)
			ps->seen[i] = 0;
}

/* hub ID { */
static int
conf_hub(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	struct config		*cfg = ps->cfg;
	struct config_hub	*hub;
	const char		*id = args[0].s;
	size_t			 i;

	if (!id_valid(id))
		return conf_error(ps, "hub id \"%s\" is not valid: use "
		    "lower-case letters, digits, '-' and '_', at most %d",
		    id, CONFIG_MAX_ID);
	for (i = 0; i < cfg->nhubs; i++) {
		if (strcmp(cfg->hubs[i].id, id) == 0)
			return conf_error(ps, "duplicate hub id \"%s\" (first "
			    "on line %lu)", id, cfg->hubs[i].line);
	}
	if (cfg->nhubs == CONFIG_MAX_HUBS)
		return conf_error(ps, "too many hubs (at most %d)",
		    CONFIG_MAX_HUBS);

	cfg->hubs = xreallocarray(cfg->hubs, cfg->nhubs + 1,
	    sizeof *cfg->hubs);
	hub = &cfg->hubs[cfg->nhubs++];
	memset(hub, 0, sizeof *hub);
	hub->id = xstrdup(id);
	hub->name = xstrdup(id);
	hub->area = xstrdup("");
	hub->timezone = xstrdup(CONF_DEFAULT_TIMEZONE);
	hub->line = ps->line;

	ps->ctx = CONF_HUB;
	conf_block_reset(ps, CONF_HUB);
	return 0;
}

/*
 * An IANA zone name as the tz database spells them ("Europe/London",
 * "America/Argentina/Buenos_Aires", "Etc/GMT+1"), or "UTC".  Only the
 * shape is checked: the name goes to libical and the TZ machinery later.
 */
static int
conf_timezone(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	const char	*s = args[0].s, *p;
	size_t		 parts = 1;
	int		 start = 1;

	if (strcmp(s, "UTC") == 0)
		goto ok;
	if (strlen(s) > CONF_MAX_TIMEZONE)
		goto bad;
	for (p = s; *p != '\0'; p++) {
		if (*p == '/') {
			if (start)
				goto bad;
			start = 1;
			parts++;
			continue;
		}
		if (start && !isalpha((unsigned char)*p))
			goto bad;
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
		    *p != '+')
			goto bad;
		start = 0;
	}
	if (start || parts < 2)
		goto bad;
ok:
	conf_set_string((char **)((char *)conf_target(ps, kw) + kw->off), s);
	return 0;

bad:
	return conf_error(ps, "timezone: \"%s\" is not an IANA zone name "
	    "(like Europe/London, or UTC)", s);
}

/* spoke ID { */
static int
conf_spoke(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	struct config		*cfg = ps->cfg;
	struct config_hub	*hub = &cfg->hubs[cfg->nhubs - 1];
	struct config_spoke	*sp;
	const char		*id = args[0].s;
	size_t			 i;

	if (!id_valid(id))
		return conf_error(ps, "spoke id \"%s\" is not valid: use "
		    "lower-case letters, digits, '-' and '_', at most %d",
		    id, CONFIG_MAX_ID);
	for (i = 0; i < hub->nspokes; i++) {
		if (strcmp(hub->spokes[i].id, id) == 0)
			return conf_error(ps, "duplicate spoke id \"%s\" in hub "
			    "\"%s\" (first on line %lu)", id, hub->id,
			    hub->spokes[i].line);
	}
	if (ps->nspokes == CONFIG_MAX_SPOKES)
		return conf_error(ps, "too many spokes (at most %d in all "
		    "hubs)", CONFIG_MAX_SPOKES);

	hub->spokes = xreallocarray(hub->spokes, hub->nspokes + 1,
	    sizeof *hub->spokes);
	sp = &hub->spokes[hub->nspokes++];
	memset(sp, 0, sizeof *sp);
	sp->id = xstrdup(id);
	sp->name = xstrdup(id);
	sp->format = xstrdup(CONF_DEFAULT_FORMAT);
	sp->line = ps->line;
	ps->nspokes++;

	ps->ctx = CONF_SPOKE;
	conf_block_reset(ps, CONF_SPOKE);
	return 0;
}

/*
 * A feed URL.  http:// and https:// URLs are kept as written; file:
 * URLs are made absolute against the configuration's directory, which is
 * percent-encoded as a URL path must be.
 */
static int
conf_url(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	const char	*s = args[0].s, *rest;
	char		*url = NULL, *dir;
	char	       **member;

	if (strpbrk(s, " \t") != NULL)
		return conf_error(ps, "url: \"%s\" has a blank in it (write it "
		    "as %%20)", s);
	if (strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0) {
		rest = strchr(s, ':') + 3;
		if (*rest == '\0' || *rest == '/')
			return conf_error(ps, "url: \"%s\" has no host", s);
		url = xstrdup(s);
	} else if (strncasecmp(s, "file:", 5) == 0) {
		rest = s + 5;
		if (strncmp(rest, "//", 2) == 0) {
			if (rest[2] != '/' &&
			    strncasecmp(rest + 2, "localhost/", 10) != 0)
				return conf_error(ps, "url: \"%s\": a file: URL "
				    "names a local file (file:///abs/path or "
				    "file:relative/path)", s);
			url = xstrdup(s);
		} else if (rest[0] == '/')
			xasprintf(&url, "file://%s", rest);
		else if (rest[0] == '\0')
			return conf_error(ps, "url: \"%s\" names no file", s);
		else {
			dir = conf_url_escape(ps->dir);
			url = conf_resolve(dir, rest);
			free(dir);
			dir = url;
			xasprintf(&url, "file://%s", dir);
			free(dir);
		}
	} else
		return conf_error(ps, "url: \"%s\" must start with http://, "
		    "https:// or file:", s);

	member = (char **)((char *)conf_target(ps, kw) + kw->off);
	free(*member);
	*member = url;
	return 0;
}

/* The name of a format module, or "auto" to sniff. */
static int
conf_format(struct conf_parse *ps, const struct conf_keyword *kw,
    const struct conf_word *args)
{
	const char	*s = args[0].s, *p;

	if (strlen(s) > CONF_MAX_FORMAT)
		goto bad;
	for (p = s; *p != '\0'; p++) {
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '-' && *p != '_')
			goto bad;
	}
	conf_set_string((char **)((char *)conf_target(ps, kw) + kw->off), s);
	return 0;

bad:
	return conf_error(ps, "format: \"%s\" is not a format name (a word "
	    "such as rss, or auto)", s);
}

/*
 * Joins `rel` to the absolute directory `dir` and cleans the result:
 * "." and empty parts are dropped and ".." takes away the part before it.
 */
static char *
conf_resolve(const char *dir, const char *rel)
{
	char	*joined, *clean;

	xasprintf(&joined, "%s/%s", dir, rel);
	clean = conf_clean_path(joined);
	free(joined);
	return clean;
}

/* Cleans an absolute path lexically, without looking at the disk. */
static char *
conf_clean_path(const char *path)
{
	char		*out;
	const char	*p = path, *seg;
	size_t		 n = 0, seglen;

	out = xmalloc(strlen(path) + 2);
	while (*p != '\0') {
		while (*p == '/')
			p++;
		seg = p;
		while (*p != '\0' && *p != '/')
			p++;
		seglen = (size_t)(p - seg);
		if (seglen == 0 || (seglen == 1 && seg[0] == '.'))
			continue;
		if (seglen == 2 && seg[0] == '.' && seg[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			continue;
		}
		out[n++] = '/';
		memcpy(out + n, seg, seglen);
		n += seglen;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

/* Percent-encodes a file system path for use as a URL path. */
static char *
conf_url_escape(const char *path)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			*out, *o;

	o = out = xmalloc(3 * strlen(path) + 1);
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("/-._~!$&'()*+,;=:@", *p) != NULL)
			*o++ = (char)*p;
		else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 0xf];
		}
	}
	*o = '\0';
	return out;
}

/* Writes a number of seconds in the largest unit that divides it. */
static const char *
conf_format_duration(unsigned long long v, char *buf, size_t len)
{
	if (v != 0 && v % DAY == 0)
		snprintf(buf, len, "%llud", v / DAY);
	else if (v != 0 && v % 3600 == 0)
		snprintf(buf, len, "%lluh", v / 3600);
	else if (v != 0 && v % 60 == 0)
		snprintf(buf, len, "%llum", v / 60);
	else
		snprintf(buf, len, "%llus", v);
	return buf;
}

/* Writes a byte count in M or K when it divides evenly. */
static const char *
conf_format_size(unsigned long long v, char *buf, size_t len)
{
	if (v != 0 && v % (1024 * 1024) == 0)
		snprintf(buf, len, "%lluM", v / (1024 * 1024));
	else if (v != 0 && v % 1024 == 0)
		snprintf(buf, len, "%lluK", v / 1024);
	else
		snprintf(buf, len, "%llu", v);
	return buf;
}
