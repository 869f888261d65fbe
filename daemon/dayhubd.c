/*
 * dayhubd.c - the daemon: options, start-up, signals and shutdown.
 *
 * Start-up checks everything it can before it detaches, so a mistake in
 * the config, a missing module or a database from a newer version is
 * reported on the terminal that started it, with the file and line.
 * After that, nothing from outside is fatal: a bad feed is a spoke's
 * error, a bad request gets an error reply, and a bad config at SIGHUP is
 * refused while the running one stays.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "dayhub.h"

#define SHUTDOWN_GRACE_SECONDS	5
#define PURGE_EVERY_SECONDS	(6 * 3600)

struct daemon {
	struct event_base	*base;
	struct config		*conf;
	const char		*config_path;
	const char		*plugin_dir;	/* from the command line */
	int			 verbose;
	struct store		*store;
	struct readers		*readers;
	struct cmd_context	 ctx;
	struct fetcher		*fetcher;
	struct ingest		*ingest;
	struct refresh		*refresh;
	struct server		*server;
	struct http		*http;
	struct event		*sig_term, *sig_int, *sig_hup;
	struct event		*drain;
	struct event		*purge;
	struct timeval		 stop_by;
	int			 stopping;
};

static const struct option dayhubd_longopts[] = {
	{ "config",	required_argument,	NULL, 'c' },
	{ "foreground",	no_argument,		NULL, 'f' },
	{ "check",	no_argument,		NULL, 'n' },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ "plugin-dir",	required_argument,	NULL, 'P' },
	{ "ready-file",	required_argument,	NULL, 'R' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
usage(int status)
{
	FILE	*f = status == 0 ? stdout : stderr;

	fprintf(f,
"usage: dayhubd [-fnv] [-c FILE] [--plugin-dir DIR] [--ready-file FILE]\n"
"\n"
"Gathers the activity feeds of a hub's spokes into a searchable directory\n"
"and answers the dayhub line protocol and HTTP JSON.\n"
"\n"
"  -c, --config FILE      configuration file (default %s/dayhub.conf)\n"
"  -f, --foreground       stay in the foreground and log to stderr\n"
"  -n, --check            check the configuration and modules, then exit\n"
"  -v, --verbose          log debug messages too\n"
"      --plugin-dir DIR   load format modules from DIR (overrides the "
"config)\n"
"      --ready-file FILE  once listening, write the bound addresses there\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"Signals: SIGTERM or SIGINT shut down cleanly; SIGHUP reloads the "
"configuration.\n"
"See dayhubd(8) and dayhub.conf(5).\n", SYSCONFDIR);
	exit(status);
}

/* Loads every module and checks that each spoke's format has one. */
static int
dayhubd_check_modules(const struct config *conf, const char *dir)
{
	char	err[512];
	size_t	h, i;
	int	n;

	if ((n = plugin_load_dir(dir, err, sizeof err)) == -1) {
		log_warnx("format modules: %s", err);
		return -1;
	}
	if (n == 0) {
		log_warnx("no format modules found in %s: dayhubd cannot read "
		    "any feed (is --plugin-dir right?)", dir);
		return -1;
	}
	for (h = 0; h < conf->nhubs; h++)
		for (i = 0; i < conf->hubs[h].nspokes; i++) {
			const struct config_spoke *cs = &conf->hubs[h].spokes[i];

			if (strcmp(cs->format, "auto") != 0 &&
			    plugin_find(cs->format) == NULL) {
				log_warnx("%s:%lu: spoke \"%s\": no format "
				    "module named \"%s\" in %s", conf->path,
				    cs->line, cs->id, cs->format, dir);
				return -1;
			}
		}
	return n;
}

static void
dayhubd_ingest_done_cb(const struct ingest_outcome *oc, void *arg)
{
	struct daemon	*d = arg;

	if (d->refresh != NULL)
		refresh_done(d->refresh, oc);
}

/* Writes the bound addresses to `path`, whole or not at all. */
static void
dayhubd_ready_file(const char *path, const char *text)
{
	char	*tmp;
	FILE	*f;

	xasprintf(&tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL ||
	    fputs(text, f) == EOF || fclose(f) == EOF ||
	    rename(tmp, path) == -1)
		fatal("ready file %s", path);
	free(tmp);
}

/* Binds every configured address; returns "kind host:port" lines. */
static char *
dayhubd_listen(struct daemon *d)
{
	char	 bound[128], err[512], *text = NULL, *next;
	size_t	 i;

	text = xstrdup("");
	for (i = 0; i < d->conf->nline_listen; i++) {
		const struct config_listen *l = &d->conf->line_listen[i];

		if (server_listen(d->server, l->host, l->port, bound,
		    sizeof bound, err, sizeof err) == -1)
			fatalx("line protocol: %s", err);
		log_info("line protocol on %s", bound);
		xasprintf(&next, "%sline %s\n", text, bound);
		free(text);
		text = next;
	}
	for (i = 0; i < d->conf->nhttp_listen; i++) {
		const struct config_listen *l = &d->conf->http_listen[i];

		if (http_listen(d->http, l->host, l->port, bound,
		    sizeof bound, err, sizeof err) == -1)
			fatalx("http: %s", err);
		log_info("HTTP on %s", bound);
		xasprintf(&next, "%shttp %s\n", text, bound);
		free(text);
		text = next;
	}
	return text;
}

static int
dayhubd_listen_same(const struct config_listen *a, size_t na,
    const struct config_listen *b, size_t nb)
{
	size_t	i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (strcmp(a[i].host, b[i].host) != 0 ||
		    strcmp(a[i].port, b[i].port) != 0)
			return 0;
	return 1;
}

/* SIGHUP: read the file again; keep the running config if it is bad. */
static void
dayhubd_reload(struct daemon *d)
{
	struct config	*nc;
	char		 err[1024];

	/* The absolute path: after daemon() the working directory is /. */
	log_info("reloading %s", d->conf->path);
	if ((nc = config_load(d->conf->path, err, sizeof err)) == NULL) {
		log_warnx("reload refused, the running configuration stays: "
		    "%s", err);
		return;
	}
	if (strcmp(nc->database, d->conf->database) != 0 ||
	    !dayhubd_listen_same(nc->line_listen, nc->nline_listen,
	    d->conf->line_listen, d->conf->nline_listen) ||
	    !dayhubd_listen_same(nc->http_listen, nc->nhttp_listen,
	    d->conf->http_listen, d->conf->nhttp_listen))
		log_warnx("reload: listen addresses and the database change "
		    "only at a restart; the old ones stay in use");
	if (store_sync_config(d->store, nc) != STORE_OK) {
		log_warnx("reload refused: the hubs and spokes could not be "
		    "stored");
		config_free(nc);
		return;
	}
	if (d->verbose == 0)
		log_setlevel(nc->log_level);
	refresh_configure(d->refresh, nc);
	if (nc->horizon != d->conf->horizon) {
		struct ingest_job *job = xcalloc(1, sizeof *job);

		job->kind = INGEST_HORIZON;
		job->spoke = xstrdup("");
		job->horizon = nc->horizon;
		job->when = now_utc();
		ingest_submit(d->ingest, job);
	}
	/* Searches in the pool hold the old configuration until they end. */
	if (d->readers != NULL)
		readers_wait_idle(d->readers);
	d->ctx.conf = nc;
	config_free(d->conf);
	d->conf = nc;
	log_info("reloaded: %zu hubs", nc->nhubs);
}

/*
 * Now and then: drop tombstones older than keep-deleted, and move the
 * horizon of repeating sessions' occurrences forward.
 */
static void
dayhubd_purge_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon		*d = arg;
	struct ingest_job	*job;
	struct timeval		 tv = { PURGE_EVERY_SECONDS, 0 };

	job = xcalloc(1, sizeof *job);
	job->kind = INGEST_PURGE;
	job->spoke = xstrdup("");
	job->when = now_utc() - (time_t)d->conf->keep_deleted;
	ingest_submit(d->ingest, job);

	/* Repeating sessions: occurrences as far ahead as the horizon. */
	job = xcalloc(1, sizeof *job);
	job->kind = INGEST_HORIZON;
	job->spoke = xstrdup("");
	job->horizon = d->conf->horizon;
	job->when = now_utc();
	ingest_submit(d->ingest, job);
	evtimer_add(d->purge, &tv);
}

/* While shutting down: end the loop once every reply has gone out. */
static void
dayhubd_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	struct timeval	 now;

	evutil_gettimeofday(&now, NULL);
	if (server_connections(d->server) == 0 ||
	    evutil_timercmp(&now, &d->stop_by, >)) {
		event_base_loopexit(d->base, NULL);
		return;
	}
	{
		struct timeval	tick = { 0, 50000 };

		evtimer_add(d->drain, &tick);
	}
}

static void
dayhubd_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;
	struct timeval	 grace = { SHUTDOWN_GRACE_SECONDS, 0 }, now;

	if (sig == SIGHUP) {
		dayhubd_reload(d);
		return;
	}
	if (d->stopping) {
		log_info("second signal: stopping now");
		event_base_loopbreak(d->base);
		return;
	}
	d->stopping = 1;
	log_info("shutting down (signal %d)", (int)sig);
	server_shutdown(d->server);
	evutil_gettimeofday(&now, NULL);
	evutil_timeradd(&now, &grace, &d->stop_by);
	dayhubd_drain_cb(-1, 0, d);
}

int
main(int argc, char *argv[])
{
	struct daemon		 d;
	struct fetch_options	 fo;
	const char		*ready_file = NULL;
	char			 err[1024], *bound, *user_agent = NULL;
	int			 ch, foreground = 0, check = 0;

	memset(&d, 0, sizeof d);
	d.config_path = SYSCONFDIR "/dayhub.conf";
	while ((ch = getopt_long(argc, argv, "c:fnvhV", dayhubd_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			d.verbose++;
			break;
		case 'P':
			d.plugin_dir = optarg;
			break;
		case 'R':
			ready_file = optarg;
			break;
		case 'h':
			usage(0);
		case 'V':
			printf("dayhubd %s (plugin ABI %d.%d, protocol %d)\n",
			    PACKAGE_VERSION, DAYHUB_PLUGIN_ABI_MAJOR,
			    DAYHUB_PLUGIN_ABI_MINOR, DAYHUB_PROTOCOL_VERSION);
			return 0;
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);

	log_init(1, LOG_LEVEL_INFO, "dayhubd");
	if ((d.conf = config_load(d.config_path, err, sizeof err)) == NULL)
		fatalx("%s", err);
	log_setlevel(d.verbose > 0 ? LOG_LEVEL_DEBUG : d.conf->log_level);
	if (dayhubd_check_modules(d.conf, d.plugin_dir != NULL ?
	    d.plugin_dir : d.conf->plugin_dir) == -1)
		exit(1);
	if (check) {
		printf("%s: configuration OK (%zu hubs, %zu format modules)\n",
		    d.config_path, d.conf->nhubs, plugin_count());
		plugin_unload_all();
		config_free(d.conf);
		return 0;
	}

	if (!foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, log_getlevel(), "dayhubd");
	}
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		fatalx("libcurl could not be initialised");
	zone_init();
	if (evthread_use_pthreads() == -1)
		fatalx("libevent has no thread support");
	if ((d.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");

	if (store_open(&d.store, d.conf->database, err, sizeof err) !=
	    STORE_OK)
		fatalx("%s", err);
	if (store_sync_config(d.store, d.conf) != STORE_OK)
		fatalx("%s: the hubs and spokes could not be stored",
		    d.conf->database);
	if ((d.ingest = ingest_new(d.base, d.conf->database,
	    dayhubd_ingest_done_cb, &d, err, sizeof err)) == NULL)
		fatalx("%s", err);

	memset(&fo, 0, sizeof fo);
	/* Publishers see who fetches them, and where to write. */
	if (*d.conf->contact != '\0')
		xasprintf(&user_agent, "%s (+%s)", d.conf->user_agent,
		    d.conf->contact);
	else
		user_agent = xstrdup(d.conf->user_agent);
	fo.user_agent = user_agent;
	fo.allow_private = d.conf->allow_private_addresses;
	fo.max_transfers = (size_t)d.conf->max_transfers;
	fo.connect_timeout = d.conf->fetch_timeout < 30 ?
	    d.conf->fetch_timeout : 30;
	fo.timeout = d.conf->fetch_timeout;
	fo.max_bytes = d.conf->max_feed_bytes;
	fo.allow_file = d.conf->allow_file_urls;
	fo.max_redirects = 5;
	if ((d.fetcher = fetch_new(d.base, &fo)) == NULL)
		fatalx("the fetcher could not be set up");
	d.refresh = refresh_new(d.base, d.fetcher, d.ingest, d.store);

	if (d.conf->search_threads > 0 && (d.readers = readers_new(d.base,
	    d.conf->database, (size_t)d.conf->search_threads, err,
	    sizeof err)) == NULL)
		fatalx("%s", err);
	d.ctx.readers = d.readers;
	d.ctx.store = d.store;
	d.ctx.conf = d.conf;
	d.ctx.refresh = d.refresh;
	d.ctx.started = now_utc();
	d.server = server_new(d.base, &d.ctx,
	    (size_t)d.conf->max_connections, d.conf->idle_timeout);
	d.http = http_new(d.base, &d.ctx, d.conf->idle_timeout);
	bound = dayhubd_listen(&d);
	if (ready_file != NULL)
		dayhubd_ready_file(ready_file, bound);
	free(bound);

	d.sig_term = evsignal_new(d.base, SIGTERM, dayhubd_signal_cb, &d);
	d.sig_int = evsignal_new(d.base, SIGINT, dayhubd_signal_cb, &d);
	d.sig_hup = evsignal_new(d.base, SIGHUP, dayhubd_signal_cb, &d);
	d.drain = evtimer_new(d.base, dayhubd_drain_cb, &d);
	d.purge = evtimer_new(d.base, dayhubd_purge_cb, &d);
	/* The worker sets the horizon before it stores the first feed. */
	dayhubd_purge_cb(-1, 0, &d);
	evsignal_add(d.sig_term, NULL);
	evsignal_add(d.sig_int, NULL);
	evsignal_add(d.sig_hup, NULL);

	refresh_configure(d.refresh, d.conf);
	log_info("dayhubd %s started: %zu hubs, %zu format modules",
	    PACKAGE_VERSION, d.conf->nhubs, plugin_count());

	event_base_dispatch(d.base);

	/* Transfers are cancelled, the worker finishes the feed in hand. */
	http_free(d.http);
	server_free(d.server);
	readers_free(d.readers);
	refresh_free(d.refresh);
	fetch_free(d.fetcher);
	ingest_free(d.ingest);
	store_close(d.store);
	event_free(d.sig_term);
	event_free(d.sig_int);
	event_free(d.sig_hup);
	event_free(d.drain);
	event_free(d.purge);
	free(user_agent);
	event_base_free(d.base);
	curl_global_cleanup();
	plugin_unload_all();
	config_free(d.conf);
	libevent_global_shutdown();
	log_info("stopped");
	return 0;
}
