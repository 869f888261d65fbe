/*
 * dayhubctl.c - the command-line client.
 *
 * Most commands send one protocol line to a running dayhubd and print the
 * reply: readable text by default, the reply's JSON with --json.  `parse`
 * needs no daemon: it runs the format modules over a file, exactly as the
 * daemon's ingest would, and prints one v1 record per line as JSON.
 * `lint` reads a file or fetches a URL the same way and tells the feed's
 * publisher what is missing, repaired or ambiguous in it.
 *
 * Commands are rows in a table; each says whether it needs the daemon.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "dayhub.h"

#define CTL_DEFAULT_SERVER	"127.0.0.1:7411"
#define CTL_TIMEOUT_MS		30000
#define CTL_MAX_REPLY		(PROTO_MAX_OUTPUT + 1)
#define CTL_FETCH_TIMEOUT	30L	/* seconds for a whole lint fetch */
#define CTL_FETCH_REDIRECTS	5L
#define CTL_FETCH_MAX		FEED_MAX_BYTES

struct ctl {
	const char	*server;
	int		 json;
	int		 fd;
};

struct ctl_command {
	const char	*name;
	const char	*usage;
	const char	*help;
	int		(*run)(struct ctl *, int, char **);
};

static int	ctl_hello(struct ctl *, int, char **);
static int	ctl_hubs(struct ctl *, int, char **);
static int	ctl_search(struct ctl *, int, char **);
static int	ctl_get(struct ctl *, int, char **);
static int	ctl_parse(struct ctl *, int, char **);
static int	ctl_spokes(struct ctl *, int, char **);
static int	ctl_refresh(struct ctl *, int, char **);
static int	ctl_lint(struct ctl *, int, char **);
static int	ctl_import_postcodes(struct ctl *, int, char **);

static const struct ctl_command ctl_commands[] = {
	{ "hello", "hello", "show the daemon's version and limits",
	    ctl_hello },
	{ "hubs", "hubs", "list the hubs and how many activities each has",
	    ctl_hubs },
	{ "search", "search --hub HUB [--limit N] [--cursor C] [WORDS...]",
	    "search one hub's directory", ctl_search },
	{ "get", "get ID", "show one activity in full", ctl_get },
	{ "spokes", "spokes --hub HUB",
	    "show the health of a hub's feeds, those needing attention first",
	    ctl_spokes },
	{ "refresh", "refresh [--hub HUB] [--wait] [SPOKE]",
	    "fetch feeds now; --wait shows progress until they are stored",
	    ctl_refresh },
	{ "parse", "parse [--format NAME] [--plugin-dir DIR] "
	    "[--timezone ZONE] [--spoke ID] FILE",
	    "read a feed file offline and print its records as JSON lines",
	    ctl_parse },
	{ "lint", "lint [--format NAME] [--plugin-dir DIR] "
	    "[--timezone ZONE] [--json] FILE|URL",
	    "check a spoke's feed and say what is missing, repaired or "
	    "ambiguous", ctl_lint },
	{ "import-postcodes", "import-postcodes [-c CONFIG | --database PATH] "
	    "FILE", "load postcodes (ONS Postcode Directory CSV, or "
	    "postcode,lat,lon) into the database for searches near a place",
	    ctl_import_postcodes },
};

#define CTL_NCOMMANDS	(sizeof ctl_commands / sizeof ctl_commands[0])

static void __attribute__((noreturn))
usage(int status)
{
	FILE	*f = status == 0 ? stdout : stderr;
	size_t	 i;

	fprintf(f, "usage: dayhubctl [-s HOST:PORT] [--json] COMMAND "
	    "[ARGS...]\n\n");
	for (i = 0; i < CTL_NCOMMANDS; i++)
		fprintf(f, "  %s\n      %s\n", ctl_commands[i].usage,
		    ctl_commands[i].help);
	fprintf(f,
"\nOptions:\n"
"  -s, --server HOST:PORT  the daemon's line protocol address\n"
"                          (default $DAYHUB_SERVER or " CTL_DEFAULT_SERVER
")\n"
"  -j, --json              print replies as JSON, one object per line\n"
"  -h, --help              show this help\n"
"  -V, --version           show the version\n"
"\nSee dayhubctl(1).\n");
	exit(status);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list	ap;

	fputs("dayhubctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Connects to HOST:PORT (IPv6 as [addr]:port). */
static int
ctl_connect(const char *server)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	const char	*orig = server;
	char		 host[256];
	const char	*port;
	size_t		 n;
	int		 fd = -1, rc;

	if (server[0] == '[') {
		const char *end = strchr(server, ']');

		if (end == NULL || end[1] != ':')
			die("%s: not HOST:PORT", server);
		n = (size_t)(end - server - 1);
		port = end + 2;
		server++;
	} else {
		const char *colon = strrchr(server, ':');

		if (colon == NULL)
			die("%s: not HOST:PORT", server);
		n = (size_t)(colon - server);
		port = colon + 1;
	}
	if (n == 0 || n >= sizeof host)
		die("%s: not HOST:PORT", server);
	memcpy(host, server, n);
	host[n] = '\0';

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		die("%s: %s", host, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		die("cannot reach dayhubd at %s: %s (is it running?)", orig,
		    strerror(errno));
	return fd;
}

/*
 * Sends one request line and returns the parsed reply.  Exits with a
 * message when the daemon cannot be reached or answers nonsense.
 */
static json_t *
ctl_request(struct ctl *c, const char *line)
{
	static char	 buf[CTL_MAX_REPLY];
	size_t		 have = 0, len = strlen(line);
	struct pollfd	 pfd;
	json_error_t	 jerr;
	json_t		*reply;
	ssize_t		 n;
	char		*nl = NULL;

	if (len + 1 > PROTO_MAX_LINE)
		die("the request is longer than %d bytes", PROTO_MAX_LINE);
	if (c->fd == -1)
		c->fd = ctl_connect(c->server);
	if (write(c->fd, line, len) != (ssize_t)len ||
	    write(c->fd, "\n", 1) != 1)
		die("cannot send to dayhubd: %s", strerror(errno));
	while (nl == NULL) {
		if (have == sizeof buf - 1)
			die("the reply is longer than %d bytes",
			    PROTO_MAX_OUTPUT);
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, CTL_TIMEOUT_MS) <= 0)
			die("no reply from dayhubd within %d seconds",
			    CTL_TIMEOUT_MS / 1000);
		if ((n = read(c->fd, buf + have, sizeof buf - 1 - have)) <= 0)
			die("dayhubd closed the connection");
		have += (size_t)n;
		buf[have] = '\0';
		nl = memchr(buf, '\n', have);
	}
	*nl = '\0';
	if ((reply = json_loads(buf, 0, &jerr)) == NULL ||
	    !json_is_object(reply))
		die("dayhubd sent something that is not a reply: %s",
		    jerr.text);
	return reply;
}

/* Prints a failed reply's error and returns the exit status. */
static int
ctl_check(struct ctl *c, json_t *reply)
{
	json_t	*err;

	if (json_is_true(json_object_get(reply, "ok")))
		return 0;
	if (c->json) {
		char *s = json_dumps(reply, JSON_COMPACT | JSON_REAL_PRECISION(15));

		puts(s);
		free(s);
	}
	err = json_object_get(reply, "error");
	fprintf(stderr, "dayhubctl: %s (%s)\n",
	    json_string_value(json_object_get(err, "message")),
	    json_string_value(json_object_get(err, "code")));
	return 1;
}

static int
ctl_print_json(json_t *reply)
{
	char	*s = json_dumps(reply, JSON_COMPACT | JSON_REAL_PRECISION(15));

	puts(s);
	free(s);
	return 0;
}

/* Appends ` key="value"` with the protocol's escapes. */
static void
ctl_arg(char **line, const char *key, const char *value)
{
	char		*q, *next;
	const char	*p;
	size_t		 i = 0;

	q = xmalloc(strlen(value) * 2 + 1);
	for (p = value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			q[i++] = '\\';
		q[i++] = *p;
	}
	q[i] = '\0';
	xasprintf(&next, "%s %s=\"%s\"", *line, key, q);
	free(q);
	free(*line);
	*line = next;
}

/* "2026-12-01T10:00:00+00:00" -> "Tue 1 Dec 2026, 10:00" as published. */
static const char *
ctl_when(const char *rfc3339, char *buf, size_t len)
{
	struct tm	tm;
	int		y, mo, d, h = 0, mi = 0;

	if (rfc3339 == NULL)
		return "";
	if (sscanf(rfc3339, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) < 3)
		return rfc3339;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	(void)timegm(&tm);	/* fills in the weekday */
	strftime(buf, len, strchr(rfc3339, 'T') != NULL ?
	    "%a %e %b %Y, %H:%M" : "%a %e %b %Y", &tm);
	return buf;
}

static int
ctl_hello(struct ctl *c, int argc, char **argv)
{
	json_t	*r;
	int	 rc;

	if (argc != 1)
		usage(2);
	r = ctl_request(c, "HELLO");
	if ((rc = ctl_check(c, r)) == 0) {
		if (c->json)
			ctl_print_json(r);
		else
			printf("%s %s, protocol %lld\n",
			    json_string_value(json_object_get(r, "server")),
			    json_string_value(json_object_get(r, "version")),
			    json_integer_value(json_object_get(r,
			    "protocol")));
	}
	json_decref(r);
	return rc;
}

static int
ctl_hubs(struct ctl *c, int argc, char **argv)
{
	json_t	*r, *hub;
	size_t	 i;
	int	 rc;

	if (argc != 1)
		usage(2);
	r = ctl_request(c, "HUBS");
	if ((rc = ctl_check(c, r)) == 0) {
		if (c->json)
			ctl_print_json(r);
		else
			json_array_foreach(json_object_get(r, "hubs"), i, hub)
				printf("%-24s %-40s %4lld spokes %5lld "
				    "activities\n",
				    json_string_value(json_object_get(hub,
				    "id")),
				    json_string_value(json_object_get(hub,
				    "name")),
				    json_integer_value(json_object_get(hub,
				    "spokes")),
				    json_integer_value(json_object_get(hub,
				    "activities")));
	}
	json_decref(r);
	return rc;
}

/* One search result as two or three readable lines. */
static void
ctl_print_result(json_t *a)
{
	json_t		*loc = json_object_get(a, "location");
	json_t		*cost = json_object_get(a, "cost");
	const char	*venue, *postcode;
	char		 when[64];

	printf("  %s\n", json_string_value(json_object_get(a, "title")));
	printf("    %s", ctl_when(json_string_value(json_object_get(a,
	    "start")), when, sizeof when));
	venue = json_string_value(json_object_get(loc, "name"));
	postcode = json_string_value(json_object_get(loc, "postcode"));
	if (venue != NULL)
		printf(" | %s", venue);
	if (postcode != NULL)
		printf(", %s", postcode);
	if (json_is_true(json_object_get(cost, "free")))
		printf(" | free");
	else if (json_is_number(json_object_get(cost, "min")))
		printf(" | £%.2f", json_number_value(json_object_get(cost,
		    "min")));
	printf("\n    id: %s\n", json_string_value(json_object_get(a, "id")));
}

static int
ctl_search(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hub", required_argument, NULL, 'H' },
		{ "limit", required_argument, NULL, 'l' },
		{ "cursor", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*hub = NULL, *limit = NULL, *cursor = NULL;
	char		*line, *words, *next;
	json_t		*r, *a;
	size_t		 i;
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "H:l:C:", opts, NULL)) != -1) {
		switch (ch) {
		case 'H':
			hub = optarg;
			break;
		case 'l':
			limit = optarg;
			break;
		case 'C':
			cursor = optarg;
			break;
		default:
			usage(2);
		}
	}
	if (hub == NULL)
		die("search needs --hub HUB (dayhubctl hubs lists them)");
	words = xstrdup("");
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		xasprintf(&next, "%s%s%s", words, *words ? " " : "", argv[i]);
		free(words);
		words = next;
	}
	line = xstrdup("SEARCH");
	ctl_arg(&line, "hub", hub);
	if (*words != '\0')
		ctl_arg(&line, "q", words);
	if (limit != NULL)
		ctl_arg(&line, "limit", limit);
	if (cursor != NULL)
		ctl_arg(&line, "cursor", cursor);
	r = ctl_request(c, line);
	free(line);
	if ((rc = ctl_check(c, r)) == 0) {
		if (c->json)
			ctl_print_json(r);
		else {
			json_t *res = json_object_get(r, "results");

			if (json_array_size(res) == 0)
				printf("Nothing found%s%s%s in %s.\n",
				    *words ? " for \"" : "", words,
				    *words ? "\"" : "", hub);
			json_array_foreach(res, i, a)
				ctl_print_result(a);
			if (json_is_string(json_object_get(r, "next")))
				printf("\nMore: dayhubctl search --hub %s "
				    "--cursor %s%s%s\n", hub,
				    json_string_value(json_object_get(r,
				    "next")), *words ? " " : "", words);
		}
	}
	free(words);
	json_decref(r);
	return rc;
}

static int
ctl_get(struct ctl *c, int argc, char **argv)
{
	char	*line;
	json_t	*r;
	int	 rc;

	if (argc != 2)
		usage(2);
	line = xstrdup("GET");
	ctl_arg(&line, "id", argv[1]);
	r = ctl_request(c, line);
	free(line);
	if ((rc = ctl_check(c, r)) == 0) {
		if (c->json)
			ctl_print_json(r);
		else {
			char *s = json_dumps(json_object_get(r, "activity"),
			    JSON_INDENT(2) | JSON_REAL_PRECISION(15));

			puts(s);
			free(s);
		}
	}
	json_decref(r);
	return rc;
}

static int
ctl_spokes(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hub", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*hub = NULL;
	char		*line;
	json_t		*r, *sp;
	size_t		 i;
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "H:", opts, NULL)) != -1) {
		if (ch != 'H')
			usage(2);
		hub = optarg;
	}
	if (hub == NULL || optind != argc)
		die("spokes needs --hub HUB (dayhubctl hubs lists them)");
	line = xstrdup("SPOKES");
	ctl_arg(&line, "hub", hub);
	r = ctl_request(c, line);
	free(line);
	if ((rc = ctl_check(c, r)) == 0) {
		if (c->json)
			ctl_print_json(r);
		else {
			json_array_foreach(json_object_get(r, "spokes"), i,
			    sp) {
				const char *att = json_string_value(
				    json_object_get(sp, "attention"));

				printf("%-9s %s (%s)\n          %s\n",
				    att != NULL ? att : "?",
				    json_string_value(json_object_get(sp,
				    "id")), json_string_value(
				    json_object_get(sp, "name")),
				    json_string_value(json_object_get(sp,
				    "summary")));
			}
		}
	}
	json_decref(r);
	return rc;
}

/*
 * Counts how many of `queued` have been attempted at or after `at`, and
 * how many of those failed, by asking for the health of `hubs`.
 */
static void
ctl_refresh_progress(struct ctl *c, json_t *hubs, json_t *queued,
    const char *at, size_t *done, size_t *failed)
{
	json_t	*hub, *r, *sp, *q;
	char	*line;
	size_t	 i, j, k;

	*done = *failed = 0;
	json_array_foreach(hubs, i, hub) {
		line = xstrdup("SPOKES");
		ctl_arg(&line, "hub", json_string_value(hub));
		r = ctl_request(c, line);
		free(line);
		json_array_foreach(json_object_get(r, "spokes"), j, sp) {
			const char *id = json_string_value(json_object_get(sp,
			    "id"));
			const char *la = json_string_value(json_object_get(sp,
			    "last_attempt"));
			const char *st = json_string_value(json_object_get(sp,
			    "status"));

			json_array_foreach(queued, k, q) {
				if (strcmp(json_string_value(q), id) != 0)
					continue;
				if (la != NULL && strcmp(la, at) >= 0) {
					(*done)++;
					if (st != NULL &&
					    strcmp(st, "failed") == 0)
						(*failed)++;
				}
				/* A spoke in two hubs counts once. */
				json_array_remove(queued, k);
				break;
			}
		}
		json_decref(r);
	}
}

static int
ctl_refresh(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hub", required_argument, NULL, 'H' },
		{ "wait", no_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*hub = NULL, *spoke = NULL;
	unsigned long long	 timeout = 600;
	char			*line, at[64];
	json_t			*r, *hubs, *queued, *h;
	size_t			 i, total, done = 0, failed = 0;
	int			 ch, rc, wait = 0, tty = isatty(STDOUT_FILENO);
	time_t			 start = time(NULL);

	optind = 1;
	while ((ch = getopt_long(argc, argv, "H:wt:", opts, NULL)) != -1) {
		switch (ch) {
		case 'H':
			hub = optarg;
			break;
		case 'w':
			wait = 1;
			break;
		case 't':
			if (parse_duration(optarg, &timeout) == -1)
				die("--timeout %s: not a duration", optarg);
			break;
		default:
			usage(2);
		}
	}
	if (optind < argc)
		spoke = argv[optind++];
	if (optind != argc)
		usage(2);
	line = xstrdup("REFRESH");
	if (hub != NULL)
		ctl_arg(&line, "hub", hub);
	if (spoke != NULL)
		ctl_arg(&line, "spoke", spoke);
	r = ctl_request(c, line);
	free(line);
	if ((rc = ctl_check(c, r)) != 0 || !wait) {
		if (rc == 0) {
			if (c->json)
				ctl_print_json(r);
			else
				printf("%zu feeds queued\n",
				    json_array_size(json_object_get(r,
				    "queued")));
		}
		json_decref(r);
		return rc;
	}
	snprintf(at, sizeof at, "%s",
	    json_string_value(json_object_get(r, "at")));
	total = json_array_size(json_object_get(r, "queued"));
	hubs = json_array();
	if (hub != NULL)
		json_array_append_new(hubs, json_string(hub));
	else {
		json_t *hr = ctl_request(c, "HUBS");

		json_array_foreach(json_object_get(hr, "hubs"), i, h)
			json_array_append(hubs, json_object_get(h, "id"));
		json_decref(hr);
	}
	for (;;) {
		queued = json_deep_copy(json_object_get(r, "queued"));
		ctl_refresh_progress(c, hubs, queued, at, &done, &failed);
		json_decref(queued);
		if (tty && !c->json) {
			printf("\r  %zu/%zu feeds done, %zu failed", done,
			    total, failed);
			fflush(stdout);
		}
		if (done >= total ||
		    (unsigned long long)(time(NULL) - start) > timeout)
			break;
		usleep(250000);
	}
	if (tty && !c->json)
		putchar('\n');
	if (c->json)
		printf("{\"ok\":true,\"queued\":%zu,\"done\":%zu,"
		    "\"failed\":%zu}\n", total, done, failed);
	else
		printf("%zu of %zu feeds refreshed, %zu failed%s\n", done,
		    total, failed, done < total ? " (gave up waiting)" : "");
	if (failed > 0 && !c->json)
		printf("dayhubctl spokes --hub HUB says why.\n");
	json_decref(hubs);
	json_decref(r);
	return done < total || failed > 0 ? 1 : 0;
}

/*
 * Loads a postcode file straight into the database: the daemon need not
 * run (and a full ONS directory holds the write lock for some seconds,
 * so a quiet moment is best).
 */
static int
ctl_import_postcodes(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "database", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*config_path = SYSCONFDIR "/dayhub.conf";
	const char		*database = NULL, *file;
	struct config		*conf = NULL;
	struct store		*st = NULL;
	struct postcode_counts	 counts;
	char			 err[512];
	long long		 npc = 0, nout = 0;
	FILE			*f;
	int			 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:D:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'D':
			database = optarg;
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc - 1)
		usage(2);
	file = argv[optind];
	if (database == NULL) {
		if ((conf = config_load(config_path, err, sizeof err)) == NULL)
			die("%s", err);
		database = conf->database;
	}
	if (strcmp(file, "-") == 0)
		f = stdin;
	else if ((f = fopen(file, "r")) == NULL)
		die("%s: %s", file, strerror(errno));
	if (store_open(&st, database, err, sizeof err) != STORE_OK)
		die("%s", err);
	memset(&counts, 0, sizeof counts);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "importing %s into %s ...\n", file, database);
	rc = store_postcodes_import(st, f, &counts, err, sizeof err);
	if (f != stdin)
		fclose(f);
	if (rc != STORE_OK) {
		store_close(st);
		config_free(conf);
		die("%s: %s", file, err);
	}
	(void)store_postcodes_count(st, &npc, &nout);
	store_close(st);
	config_free(conf);
	if (c->json)
		printf("{\"ok\":true,\"imported\":%zu,\"postcodes\":%lld,"
		    "\"outcodes\":%lld,\"terminated\":%zu,"
		    "\"no_location\":%zu,\"bad\":%zu}\n", counts.imported,
		    npc, nout, counts.skipped_terminated,
		    counts.skipped_no_location, counts.bad);
	else {
		printf("imported %zu postcodes (%lld in all, %lld outcodes); "
		    "skipped %zu terminated, %zu without a location, %zu bad "
		    "lines", counts.imported, npc, nout,
		    counts.skipped_terminated, counts.skipped_no_location,
		    counts.bad);
		if (counts.bad > 0)
			printf(" (first: line %lu: %s)", counts.first_bad_line,
			    counts.first_bad);
		putchar('\n');
	}
	return 0;
}

/* Reads a whole file (or stdin for "-"), at most `max` bytes. */
static unsigned char *
ctl_slurp(const char *path, size_t max, size_t *lenp)
{
	unsigned char	*buf = NULL;
	size_t		 len = 0, cap = 0;
	FILE		*f;
	size_t		 n;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL)
		die("%s: %s", path, strerror(errno));
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len > max)
			die("%s: larger than the limit of %zu bytes", path,
			    max);
		if (n == 0)
			break;
	}
	if (ferror(f))
		die("%s: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	*lenp = len;
	return buf;
}

/* "FILE:LINE: warning: ...", or "FILE: warning: ..." for the feed as a whole. */
static void
ctl_print_warning(const char *path, json_t *w)
{
	json_int_t	line = json_integer_value(json_object_get(w, "line"));

	if (line > 0)
		fprintf(stderr, "%s:%lld: warning: %s\n", path,
		    (long long)line, json_string_value(json_object_get(w,
		    "message")));
	else
		fprintf(stderr, "%s: warning: %s\n", path,
		    json_string_value(json_object_get(w, "message")));
}

static int
ctl_parse(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "plugin-dir", required_argument, NULL, 'P' },
		{ "timezone", required_argument, NULL, 'T' },
		{ "spoke", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	struct parse_request	 pr;
	struct feed_result	 res;
	const char		*dir, *path, *format = NULL;
	const char		*tz = "Europe/London", *spoke = "file";
	char			 err[512], *base = NULL, *abs = NULL;
	unsigned char		*data;
	json_t			*rec, *w;
	size_t			 len, i;
	int			 ch, rc;

	if ((dir = getenv("DAYHUB_PLUGIN_DIR")) == NULL)
		dir = PKGLIBDIR;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "F:P:T:S:", opts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			format = optarg;
			break;
		case 'P':
			dir = optarg;
			break;
		case 'T':
			tz = optarg;
			break;
		case 'S':
			spoke = optarg;
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc - 1)
		usage(2);
	path = argv[optind];
	if (!id_valid(spoke))
		die("--spoke %s: ids are lower-case letters, digits, - and _",
		    spoke);
	if (plugin_load_dir(dir, err, sizeof err) <= 0)
		die("no format modules could be loaded from %s%s%s", dir,
		    *err ? ": " : "", err);
	data = ctl_slurp(path, FEED_MAX_BYTES, &len);
	if (strcmp(path, "-") != 0 && (abs = realpath(path, NULL)) != NULL)
		xasprintf(&base, "file://%s", abs);

	memset(&pr, 0, sizeof pr);
	pr.data = data;
	pr.len = len;
	pr.spoke = spoke;
	pr.base_url = base;
	pr.timezone = tz;
	pr.format = format;
	pr.max_items = FEED_MAX_ITEMS;
	memset(&res, 0, sizeof res);
	rc = record_parse(&pr, &res);
	if (res.warnings != NULL)
		json_array_foreach(res.warnings, i, w)
			ctl_print_warning(path, w);
	if (res.nwarnings > json_array_size(res.warnings))
		fprintf(stderr, "%s: %zu more warnings not shown\n", path,
		    res.nwarnings - json_array_size(res.warnings));
	if (rc == -1) {
		fprintf(stderr, "dayhubctl: %s: %s\n", path, res.error != NULL ?
		    res.error : "could not be read");
	} else {
		json_array_foreach(res.records, i, rec) {
			char *s = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(15));

			puts(s);
			free(s);
		}
		fprintf(stderr, "%s: %zu records, %zu warnings (format %s)\n",
		    path, json_array_size(res.records), res.nwarnings,
		    res.format != NULL ? res.format : "?");
	}
	feed_result_free(&res);
	free(data);
	free(base);
	free(abs);
	plugin_unload_all();
	(void)c;
	return rc == -1 ? 1 : 0;
}

/* A feed fetched over HTTP(S), growing as libcurl hands it over. */
struct ctl_body {
	unsigned char	*data;
	size_t		 len;
	int		 over;		/* past CTL_FETCH_MAX: stopped */
};

/* Keeps what arrives, up to CTL_FETCH_MAX; more ends the transfer. */
static size_t
ctl_fetch_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct ctl_body	*b = arg;
	size_t		 len = size * n;

	if (len > CTL_FETCH_MAX - b->len) {
		b->over = 1;
		return 0;
	}
	b->data = xreallocarray(b->data, b->len + len + 1, 1);
	memcpy(b->data + b->len, p, len);
	b->len += len;
	return len;
}

/*
 * Fetches `url` (http or https) for lint, following at most
 * CTL_FETCH_REDIRECTS redirects, within CTL_FETCH_TIMEOUT seconds and
 * CTL_FETCH_MAX bytes.  Returns the body (the caller frees it), with its
 * length, Content-Type and final URL (both new strings, or NULL), or
 * NULL with `err` saying in words why there is none.
 */
static unsigned char *
ctl_fetch(const char *url, size_t *lenp, char **ctype, char **final,
    char *err, size_t errlen)
{
	struct ctl_body	 b;
	CURL		*curl = NULL;
	CURLcode	 rc;
	char		 cerr[CURL_ERROR_SIZE], *ua = NULL, *s;
	long		 status = 0;

	memset(&b, 0, sizeof b);
	*ctype = *final = NULL;
	cerr[0] = '\0';
	if ((curl = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "libcurl could not start");
		goto fail;
	}
	xasprintf(&ua, "dayhub-lint/%s", PACKAGE_VERSION);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, CTL_FETCH_REDIRECTS);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, CTL_FETCH_TIMEOUT);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, ua);
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)CTL_FETCH_MAX);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_fetch_write_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(curl);
	if (b.over || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "the feed is larger than the limit of "
		    "%d bytes", CTL_FETCH_MAX);
		goto fail;
	}
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", cerr[0] != '\0' ? cerr :
		    curl_easy_strerror(rc));
		goto fail;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		snprintf(err, errlen, "the server answered HTTP %ld", status);
		goto fail;
	}
	if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK &&
	    s != NULL)
		*ctype = xstrdup(s);
	if (curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &s) == CURLE_OK &&
	    s != NULL)
		*final = xstrdup(s);
	if (b.data == NULL)
		b.data = xmalloc(1);
	curl_easy_cleanup(curl);
	free(ua);
	*lenp = b.len;
	return b.data;

fail:
	if (curl != NULL)
		curl_easy_cleanup(curl);
	free(ua);
	free(b.data);
	return NULL;
}

/* Whether `s` is an http or https URL rather than a file name. */
static int
ctl_is_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0;
}

static int
ctl_lint(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "plugin-dir", required_argument, NULL, 'P' },
		{ "timezone", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct parse_request	 pr;
	struct feed_result	 res;
	const char		*dir, *source, *format = NULL;
	const char		*tz = RECORD_DEFAULT_ZONE_NAME;
	char			 err[512], *base = NULL, *abs = NULL;
	char			*ctype = NULL, *s;
	unsigned char		*data;
	json_t			*rep;
	size_t			 len;
	int			 ch, rc, json = c->json;

	if ((dir = getenv("DAYHUB_PLUGIN_DIR")) == NULL)
		dir = PKGLIBDIR;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "F:P:T:j", opts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			format = optarg;
			break;
		case 'P':
			dir = optarg;
			break;
		case 'T':
			tz = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc - 1)
		usage(2);
	source = argv[optind];
	if (!zone_name_ok(tz) || zone_find(tz) == NULL)
		die("--timezone %s: not a time zone this host knows", tz);
	if (plugin_load_dir(dir, err, sizeof err) <= 0)
		die("no format modules could be loaded from %s%s%s", dir,
		    *err ? ": " : "", err);
	if (ctl_is_url(source)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		data = ctl_fetch(source, &len, &ctype, &base, err, sizeof err);
		curl_global_cleanup();
		if (data == NULL) {
			fprintf(stderr, "dayhubctl: %s: %s\n", source, err);
			plugin_unload_all();
			return 1;
		}
	} else {
		data = ctl_slurp(source, FEED_MAX_BYTES, &len);
		if (strcmp(source, "-") != 0 &&
		    (abs = realpath(source, NULL)) != NULL)
			xasprintf(&base, "file://%s", abs);
	}

	memset(&pr, 0, sizeof pr);
	pr.data = data;
	pr.len = len;
	pr.spoke = "lint";
	pr.base_url = base;
	pr.content_type = ctype;
	pr.timezone = tz;
	pr.format = format;
	pr.max_items = FEED_MAX_ITEMS;
	memset(&res, 0, sizeof res);
	rc = record_parse(&pr, &res);
	rep = lint_feed(&pr, &res);
	if (json) {
		s = json_dumps(rep, JSON_COMPACT | JSON_REAL_PRECISION(15));
		puts(s);
		free(s);
	} else
		lint_print(stdout, rep, source);
	if (rc == -1)
		fprintf(stderr, "dayhubctl: %s: %s\n", source, res.error !=
		    NULL ? res.error : "could not be read");
	json_decref(rep);
	feed_result_free(&res);
	free(data);
	free(base);
	free(abs);
	free(ctype);
	plugin_unload_all();
	return rc == -1 ? 1 : 0;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl	 c;
	size_t		 i;
	int		 ch, rc;

	memset(&c, 0, sizeof c);
	c.fd = -1;
	if ((c.server = getenv("DAYHUB_SERVER")) == NULL)
		c.server = CTL_DEFAULT_SERVER;
	log_init(1, LOG_LEVEL_WARN, "dayhubctl");
	/* Options end at the command word; the command parses the rest. */
	while ((ch = getopt_long(argc, argv, "+s:jhV", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			c.server = optarg;
			break;
		case 'j':
			c.json = 1;
			break;
		case 'h':
			usage(0);
		case 'V':
			printf("dayhubctl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(2);
		}
	}
	if (optind >= argc)
		usage(2);
	argc -= optind;
	argv += optind;
	for (i = 0; i < CTL_NCOMMANDS; i++)
		if (strcmp(argv[0], ctl_commands[i].name) == 0)
			break;
	if (i == CTL_NCOMMANDS) {
		fprintf(stderr, "dayhubctl: unknown command \"%s\"\n\n",
		    argv[0]);
		usage(2);
	}
	rc = ctl_commands[i].run(&c, argc, argv);
	if (c.fd != -1)
		close(c.fd);
	return rc;
}
