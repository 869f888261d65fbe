/*
 * bench_ingest.c - the feed ingestion benchmarks, run by `make bench`.
 *
 * Three measurements, each against the real dayhubd and the test feed
 * server on loopback, printed as a table for BENCHMARKS.md:
 *
 *   1. 2000 spokes, all unchanged: the time for one full refresh cycle of
 *      conditional GETs answered 304, and requests per second.
 *   2. One feed of 100,000 items: end-to-end ingest (fetch, parse,
 *      identity, store, index) in items per second, beside the parse
 *      alone in this process, so the cost of the store shows.
 *   3. SEARCH round trips on the line protocol while that feed is being
 *      ingested, beside the same with nothing running: p50 and p99.
 *
 * Environment: DAYHUB_BUILDDIR (the build tree), BENCH_ITEMS (default
 * 100000), BENCH_SPOKES (default 2000).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "dayhub.h"
#include "testutil.h"

#define MAX_SAMPLES	200000

struct bench {
	char	*dir;
	char	*feeds;
	pid_t	 server;
	int	 server_port;
	pid_t	 daemon;
	int	 port;
	int	 fd;
};

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list	ap;

	fputs("bench_ingest: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static json_t *
ask(struct bench *b, const char *line)
{
	char		*reply = tu_request(b->fd, line, 600000);
	json_error_t	 jerr;
	json_t		*j;

	if (reply == NULL || (j = json_loads(reply, 0, &jerr)) == NULL)
		die("no reply to %s", line);
	free(reply);
	return j;
}

/* An RSS feed of `n` items written to `path`. */
static size_t
write_big_feed(const char *path, long n)
{
	FILE	*f = fopen(path, "w");
	long	 i;
	long	 size;

	if (f == NULL)
		die("%s: cannot write", path);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\""
	    " xmlns:ev=\"http://purl.org/rss/1.0/modules/event/\""
	    " xmlns:dh=\"urn:dayhub:activity:1.0\"><channel>"
	    "<title>Bench</title><link>http://bench.example/</link>\n", f);
	for (i = 0; i < n; i++)
		fprintf(f, "<item><guid isPermaLink=\"false\">b%ld</guid>"
		    "<title>%s group %ld</title><link>http://bench.example/"
		    "a/%ld</link><description>&lt;p&gt;A friendly %s session "
		    "for adults, with tea and a chat afterwards.&lt;/p&gt;"
		    "</description><category>%s</category><ev:startdate>"
		    "2026-12-%02ldT%02ld:00:00+00:00</ev:startdate>"
		    "<dh:postcode>DT1 1HF</dh:postcode><dh:cost-min>3.50"
		    "</dh:cost-min><dh:access>wheelchair</dh:access></item>\n",
		    i, i % 3 ? "Gardening" : "Pottery", i, i,
		    i % 2 ? "gardening" : "art", i % 2 ? "Outdoors" : "Arts",
		    1 + i % 28, 9 + i % 10);
	fputs("</channel></rss>\n", f);
	size = ftell(f);
	fclose(f);
	return (size_t)size;
}

static void
start_daemon(struct bench *b, const char *conf_text)
{
	char	 conf[4096], log[4096], ready[4096], bin[4096], plug[4096];
	char	*r, *p;

	snprintf(conf, sizeof conf, "%s/dayhub.conf", b->dir);
	snprintf(log, sizeof log, "%s/dayhubd.log", b->dir);
	snprintf(ready, sizeof ready, "%s/ready", b->dir);
	unlink(ready);
	if (tu_write_file(conf, conf_text) == -1)
		die("cannot write the config");
	snprintf(bin, sizeof bin, "%s/daemon/dayhubd", tu_builddir());
	snprintf(plug, sizeof plug, "%s/plugins/.libs", tu_builddir());
	{
		char	o_f[] = "-f", o_c[] = "-c", o_p[] = "--plugin-dir";
		char	o_r[] = "--ready-file";
		char	*argv[] = { bin, o_f, o_c, conf, o_p, plug, o_r,
			    ready, NULL };

		b->daemon = tu_spawn(argv, log);
	}
	if ((r = tu_wait_file(ready, 20000)) == NULL)
		die("dayhubd did not start; see %s", log);
	p = strrchr(r, ':');
	b->port = atoi(p + 1);
	free(r);
	if ((b->fd = tu_connect("127.0.0.1", b->port, 5000)) == -1)
		die("cannot connect");
}

static void
stop_daemon(struct bench *b)
{
	close(b->fd);
	tu_stop(b->daemon, 30000);
	b->daemon = 0;
}

/* Waits until every spoke of `hub` was attempted at or after `at`. */
static void
wait_all(struct bench *b, const char *at, size_t expect)
{
	for (;;) {
		json_t	*r = ask(b, "SPOKES hub=bench"), *sp;
		size_t	 i, done = 0;

		json_array_foreach(json_object_get(r, "spokes"), i, sp) {
			const char *la = json_string_value(json_object_get(sp,
			    "last_attempt"));

			if (la != NULL && (at == NULL || strcmp(la, at) >= 0))
				done++;
		}
		json_decref(r);
		if (done >= expect)
			return;
		usleep(20000);
	}
}

static char *
refresh_all(struct bench *b)
{
	json_t	*r = ask(b, "REFRESH hub=bench");
	char	*at = strdup(json_string_value(json_object_get(r, "at")));

	json_decref(r);
	return at;
}

/* Measurement 1: a cycle of 304s over many spokes. */
static void
bench_cycle(struct bench *b, long nspokes)
{
	char	*conf, *next, *at, path[4096];
	long	 i;
	double	 t0, t;

	for (i = 0; i < nspokes; i++) {
		snprintf(path, sizeof path, "%s/s%ld.rss", b->feeds, i);
		tu_write_file(path, "<rss version=\"2.0\"><channel><title>s"
		    "</title><item><guid>1</guid><title>Art club</title>"
		    "</item></channel></rss>");
	}
	if (asprintf(&conf, "listen line 127.0.0.1:0\ndatabase %s/cycle.db\n"
	    "allow-private-addresses yes\nrefresh-spread 0s\n"
	    "refresh-interval 1d\nmax-transfers 16\nlog-level warn\n"
	    "hub bench {\n", b->dir) < 0)
		die("oom");
	for (i = 0; i < nspokes; i++) {
		if (asprintf(&next, "%sspoke s%ld {\nurl \"http://127.0.0.1:%d/"
		    "etag/s%ld.rss\"\nformat rss\n}\n", conf, i,
		    b->server_port, i) < 0)
			die("oom");
		free(conf);
		conf = next;
	}
	if (asprintf(&next, "%s}\n", conf) < 0)
		die("oom");
	free(conf);
	start_daemon(b, next);
	free(next);

	t0 = now_s();
	wait_all(b, NULL, (size_t)nspokes);
	t = now_s() - t0;
	printf("| %ld spokes, first cycle (200, parse, store) | %.2f s | "
	    "%.0f feeds/s |\n", nspokes, t, nspokes / t);

	sleep(1);
	/* The first cycle ended over a second ago: stamps cannot collide. */
	at = refresh_all(b);
	t0 = now_s();
	wait_all(b, at, (size_t)nspokes);
	t = now_s() - t0;
	printf("| %ld spokes, unchanged cycle (304) | %.2f s | %.0f "
	    "requests/s |\n", nspokes, t, nspokes / t);
	free(at);
	stop_daemon(b);
}

struct prober {
	struct bench	*b;
	const char	*line;		/* the SEARCH sent */
	int		 fd;
	volatile int	 stop;
	double		*samples;
	size_t		 n;
};

/* Sends SEARCH after SEARCH and keeps each round trip in milliseconds. */
static void *
probe_main(void *arg)
{
	struct prober	*p = arg;
	char		*reply;
	double		 t0;

	while (!p->stop && p->n < MAX_SAMPLES) {
		t0 = now_s();
		reply = tu_request(p->fd, p->line, 30000);
		if (reply == NULL)
			break;
		free(reply);
		p->samples[p->n++] = (now_s() - t0) * 1000.0;
		usleep(2000);
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
percentiles(struct prober *p, const char *label)
{
	if (p->n == 0) {
		printf("| %s | no samples | |\n", label);
		return;
	}
	qsort(p->samples, p->n, sizeof *p->samples, cmp_double);
	printf("| %s | p50 %.2f ms | p99 %.2f ms (%zu queries) |\n", label,
	    p->samples[p->n / 2], p->samples[(p->n * 99) / 100], p->n);
}

/* Measurements 2 and 3: a big feed, and searches while it goes in. */
static void
bench_big(struct bench *b, long items)
{
	char			 path[4096], *conf, *at, err[256];
	size_t			 size;
	double			 t0, t, tparse;
	struct prober		 probe, narrow;
	pthread_t		 th, th2;
	struct parse_request	 pr;
	struct feed_result	 res;
	unsigned char		*data;
	FILE			*f;
	json_t			*h;

	snprintf(path, sizeof path, "%s/big.rss", b->feeds);
	size = write_big_feed(path, items);

	/* The parse alone, in this process, as ingest runs it. */
	snprintf(err, sizeof err, "%s/plugins/.libs", tu_builddir());
	if (plugin_load_dir(err, err, sizeof err) <= 0)
		die("no modules: %s", err);
	data = xmalloc(size);
	if ((f = fopen(path, "rb")) == NULL || fread(data, 1, size, f) != size)
		die("cannot read %s", path);
	fclose(f);
	memset(&pr, 0, sizeof pr);
	pr.data = data;
	pr.len = size;
	pr.spoke = "big";
	pr.timezone = "Europe/London";
	pr.format = "rss";
	pr.max_items = (size_t)items + 10;
	memset(&res, 0, sizeof res);
	t0 = now_s();
	if (record_parse(&pr, &res) == -1)
		die("parse: %s", res.error);
	tparse = now_s() - t0;
	printf("| parse alone, %ld items, %.1f MB | %.2f s | %.0f items/s, "
	    "%.1f MB/s |\n", items, size / 1e6, tparse,
	    json_array_size(res.records) / tparse, size / 1e6 / tparse);
	feed_result_free(&res);
	free(data);
	plugin_unload_all();

	if (asprintf(&conf, "listen line 127.0.0.1:0\ndatabase %s/big.db\n"
	    "allow-private-addresses yes\nrefresh-spread 0s\n"
	    "refresh-interval 1d\nmax-items %ld\nmax-feed-size 256M\n"
	    "fetch-timeout 10m\nlog-level warn\n"
	    "hub bench {\n spoke big {\n  url \"http://127.0.0.1:%d/"
	    "big.rss\"\n  format rss\n }\n spoke small {\n  url "
	    "\"http://127.0.0.1:%d/s0.rss\"\n format rss\n }\n}\n", b->dir,
	    items + 10, b->server_port, b->server_port) < 0)
		die("oom");
	start_daemon(b, conf);
	free(conf);

	/* Wait for the start-up fetch, which also ingests the big feed. */
	wait_all(b, NULL, 2);
	for (;;) {
		json_t		*sp;
		json_int_t	 n;

		h = ask(b, "SPOKES hub=bench");
		sp = json_array_get(json_object_get(h, "spokes"), 0);
		n = json_integer_value(json_object_get(sp, "records"));
		if (json_string_value(json_object_get(sp, "status")) != NULL &&
		    strcmp(json_string_value(json_object_get(sp, "status")),
		    "failed") == 0)
			die("the big feed failed: %s", json_string_value(
			    json_object_get(sp, "error")));
		json_decref(h);
		if (n >= items)
			break;
		usleep(50000);
	}

	/*
	 * Two kinds of search: a narrow one (a few matches, what a person
	 * looking for one thing types) and a broad one (a word in a third of
	 * the directory, so every match is ranked).  Both with nothing else
	 * running; then the narrow one while the whole feed is re-ingested
	 * (alone, so it never queues behind a broad one on the loop).
	 */
	memset(&narrow, 0, sizeof narrow);
	memset(&probe, 0, sizeof probe);
	narrow.b = b;
	narrow.line = "SEARCH hub=bench q=\"group 4242\" limit=20";
	narrow.samples = xcalloc(MAX_SAMPLES, sizeof *narrow.samples);
	narrow.fd = tu_connect("127.0.0.1", b->port, 5000);
	probe.b = b;
	probe.line = "SEARCH hub=bench q=pottery limit=20";
	probe.samples = xcalloc(MAX_SAMPLES, sizeof *probe.samples);
	probe.fd = tu_connect("127.0.0.1", b->port, 5000);
	pthread_create(&th, NULL, probe_main, &narrow);
	sleep(5);
	narrow.stop = 1;
	pthread_join(th, NULL);
	percentiles(&narrow, "SEARCH narrow, idle");
	pthread_create(&th, NULL, probe_main, &probe);
	sleep(5);
	probe.stop = 1;
	pthread_join(th, NULL);
	percentiles(&probe, "SEARCH broad, idle");

	/* A changed feed: every item is an edit, so all of it is written. */
	write_big_feed(path, items);
	{
		char	cmd[8192];

		snprintf(cmd, sizeof cmd, "sed -i 's/friendly/welcoming/' %s",
		    path);
		if (system(cmd) != 0)
			die("sed failed");
	}
	narrow.n = 0;
	narrow.stop = 0;
	pthread_create(&th2, NULL, probe_main, &narrow);
	sleep(1);
	h = ask(b, "REFRESH hub=bench spoke=big");
	at = strdup(json_string_value(json_object_get(h, "at")));
	json_decref(h);
	t0 = now_s();
	for (;;) {
		const char	*la, *st;
		json_t		*sp;

		h = ask(b, "SPOKES hub=bench");
		sp = json_array_get(json_object_get(h, "spokes"), 0);
		la = json_string_value(json_object_get(sp, "last_attempt"));
		st = json_string_value(json_object_get(sp, "status"));
		if (la != NULL && strcmp(la, at) >= 0 && st != NULL &&
		    strcmp(json_string_value(json_object_get(sp, "id")),
		    "big") == 0) {
			json_decref(h);
			break;
		}
		json_decref(h);
		usleep(20000);
	}
	t = now_s() - t0;
	narrow.stop = 1;
	pthread_join(th2, NULL);
	printf("| end-to-end ingest, %ld items (fetch, parse, identity, "
	    "store, index) | %.2f s | %.0f items/s (the parse alone is %.0f%% "
	    "of it) |\n", items, t, items / t, 100.0 * tparse / t);
	percentiles(&narrow, "SEARCH narrow, during that ingest");
	free(at);
	close(probe.fd);
	close(narrow.fd);
	free(probe.samples);
	free(narrow.samples);
	stop_daemon(b);
}

int
main(int argc, char *argv[])
{
	struct bench	 b;
	char		 log[4096];
	const char	*s;
	long		 items = 100000, nspokes = 2000;

	if ((s = getenv("BENCH_ITEMS")) != NULL)
		items = atol(s);
	if ((s = getenv("BENCH_SPOKES")) != NULL)
		nspokes = atol(s);
	log_init(1, LOG_LEVEL_WARN, "bench");
	memset(&b, 0, sizeof b);
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	b.dir = tu_tmpdir("bench");
	if (asprintf(&b.feeds, "%s/feeds", b.dir) < 0 ||
	    mkdir(b.feeds, 0755) == -1)
		die("cannot make %s/feeds", b.dir);
	snprintf(log, sizeof log, "%s/feedserver.log", b.dir);
	b.server = tu_start_feedserver(b.feeds, &b.server_port, NULL);

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("| measurement | time | rate |\n|---|---|---|\n");
	bench_cycle(&b, nspokes);
	bench_big(&b, items);

	tu_stop(b.server, 5000);
	tu_rm_rf(b.dir);
	free(b.dir);
	free(b.feeds);
	return 0;
}
