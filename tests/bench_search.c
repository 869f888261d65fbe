/*
 * bench_search.c - the search benchmark, run by `make bench`.
 *
 * One run builds a synthetic directory straight into a fresh database
 * through the store (10 hubs, 200 spokes each, 50 activities a spoke,
 * about ten occurrences an activity over a 90-day horizon), starts the
 * real dayhubd on it, and measures, printed as a table for BENCHMARKS.md:
 *
 *   1. how long the directory took to build;
 *   2. a mix of kiosk searches over the line protocol from 1, 8 and 64
 *      connections at once: p50, p99 and queries per second;
 *   3. the same searches through store_search() in this process on a
 *      connection of its own: the store without the protocol;
 *   4. memcached GETs of a 1 KB value from the same client threads, as a
 *      yardstick for a loopback request server (skipped without it);
 *   5. dayhubd's resident memory, idle and after the 64-connection run.
 *
 * "Now" is the last Monday 00:00 UTC, so every run builds the same
 * directory relative to the week and the daemon's own clock still falls
 * inside its horizon.
 *
 * Environment: DAYHUB_SRCDIR, DAYHUB_BUILDDIR, BENCH_ACTIVITIES (default
 * 100000, spread over 2000 spokes), BENCH_SECONDS (default 10 a run),
 * MEMCACHED (default "memcached" on $PATH).  Searches that run past the
 * store's time budget are counted as errors; in-process ones also log a
 * warning on stderr.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "dayhub.h"
#include "testutil.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

#define NHUBS		10
#define NSPOKES		2000
#define DAY		86400
#define HORIZON		(90 * DAY)
#define MAX_THREADS	64
#define MAX_SAMPLES	2000000		/* per run, over all threads */
#define VALUE_SIZE	1024		/* bytes of the memcached value */

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

	fputs("bench_search: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* A fixed-seed generator, so every run builds the same directory. */
static uint64_t	rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	uint64_t	z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A whole number in [0, n). */
static unsigned
pick(unsigned n)
{
	return (unsigned)(rng() % n);
}

/* True with probability `pct` percent. */
static int
chance(unsigned pct)
{
	return pick(100) < pct;
}

static double
uniform(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

/* --- the synthetic directory --- */

static const struct town {
	const char	*name;
	double		 lat, lon;
} towns[] = {
	{ "Dorchester", 50.7154, -2.4367 },
	{ "Weymouth", 50.6144, -2.4578 },
	{ "Sherborne", 50.9470, -2.5170 },
	{ "Bridport", 50.7336, -2.7584 },
	{ "Shaftesbury", 51.0058, -2.1977 },
	{ "Blandford", 50.8560, -2.1640 },
};

static const char *adjectives[] = {
	"Friendly", "Gentle", "Weekly", "Community", "Relaxed", "Inclusive",
	"Beginners'", "Morning", "Afternoon", "Evening", "Drop-in", "Accessible",
	"Quiet", "Supported", "Seated", "Outdoor",
};

/* A taxonomy term and words a title might use for it. */
static const struct kind {
	const char	*term;
	const char	*noun;
} kinds[] = {
	{ "art", "art club" }, { "art", "painting group" },
	{ "pottery", "pottery" }, { "crafts", "crafts circle" },
	{ "gardening", "gardening group" }, { "gardening", "allotment club" },
	{ "swimming", "swimming" }, { "swimming", "aqua fit" },
	{ "walking", "walk" }, { "walking", "health walk" },
	{ "music", "music jam" }, { "singing", "choir" },
	{ "dance", "dance class" }, { "exercise", "chair exercise" },
	{ "cooking", "cookery club" }, { "dementia-cafe", "memory cafe" },
	{ "social", "lunch club" }, { "social", "coffee morning" },
	{ "games", "games afternoon" }, { "film", "film club" },
	{ "reading", "book club" }, { "digital-skills", "computer help" },
	{ "mens-shed", "men's shed" }, { "woodwork", "woodwork" },
	{ "drama", "drama group" }, { "sport", "boccia" },
	{ "cycling", "inclusive cycling" }, { "wellbeing", "mindfulness" },
	{ "volunteering", "volunteering" }, { "trips", "day trip" },
};

static const char *words[] = {
	"friendly", "welcoming", "session", "adults", "support", "tea",
	"chat", "staff", "carers", "welcome", "accessible", "venue", "parking",
	"lift", "toilet", "small", "group", "learn", "skills", "together",
	"enjoy", "relaxed", "pace", "materials", "provided", "bring", "friend",
	"volunteers", "help", "everyone", "newcomers", "room", "hall",
	"church", "library", "centre", "garden", "park", "bus", "route",
	"nearby", "booking", "needed", "just", "come", "along", "local",
	"confidence", "social", "wellbeing", "fun", "creative", "active",
};

static const char *access_words[] = {
	"wheelchair", "changing_places", "hearing_loop", "bsl", "makaton",
	"quiet_space", "sensory_friendly", "transport",
};
static const char *group_words[] = {
	"learning_disability", "physical_disability", "autism", "dementia",
	"mental_health", "older_adults", "sensory",
};
static const char *funding_words[] = {
	"direct_payment", "isf", "council", "self_funded",
};
static const char *pathway_words[] = {
	"specialist", "supported", "community",
};

/* Start hours, weighted: mornings, afternoons, some evenings. */
static const int start_hours[] = {
	9, 10, 10, 10, 11, 11, 13, 14, 14, 14, 15, 16, 18, 19, 19, 20,
};

static void
set(struct record_sink *sink, const char *field, const char *value)
{
	record_host.set(sink, field, value, strlen(value));
}

/* One activity with a repeating pattern, place, price and audience. */
static void
make_activity(struct record_sink *sink, long n, time_t now, char **postcodes,
    size_t npostcodes)
{
	const struct kind	*k = &kinds[pick(nitems(kinds))];
	const struct town	*t = &towns[pick(nitems(towns))];
	char			 buf[1024], when[64];
	struct tm		 tm;
	time_t			 day;
	size_t			 i, len;
	unsigned		 r, hour, dur, nw;
	double			 dist, ang;

	record_host.begin(sink);
	snprintf(buf, sizeof buf, "a%ld", n);
	set(sink, "source_id", buf);
	snprintf(buf, sizeof buf, "%s %s in %s",
	    adjectives[pick(nitems(adjectives))], k->noun, t->name);
	set(sink, "title", buf);
	len = 0;
	buf[0] = '\0';
	nw = 12 + pick(20);
	for (i = 0; i < nw && len + 32 < sizeof buf; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s",
		    i ? " " : "A ", words[pick(nitems(words))]);
	snprintf(buf + len, sizeof buf - len, " %s.", k->noun);
	set(sink, "description", buf);
	set(sink, "activity", k->term);

	/* Weekends a little less often than a weekday each. */
	day = now + (time_t)pick(7) * DAY;
	r = pick(100);
	if (r >= 90)		/* a one-off, any day in the horizon */
		day = now + (time_t)pick(88) * DAY;
	hour = (unsigned)start_hours[pick(nitems(start_hours))];
	dur = 1 + pick(3);
	gmtime_r(&day, &tm);
	snprintf(when, sizeof when, "%04d-%02d-%02dT%02u:%s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, hour,
	    chance(70) ? "00" : "30");
	set(sink, "start", when);
	snprintf(buf, sizeof buf, "PT%uH", dur);
	set(sink, "schedule.duration", buf);
	if (r < 75)
		set(sink, "schedule.rrule", "FREQ=WEEKLY");
	else if (r < 85)
		set(sink, "schedule.rrule", "FREQ=WEEKLY;INTERVAL=2");
	else if (r < 90)
		set(sink, "schedule.rrule", "FREQ=MONTHLY");

	/* Within ~30 km of a town, denser near its middle. */
	if (chance(3))
		set(sink, "location.online", "yes");
	else if (chance(20) && npostcodes > 0)
		set(sink, "location.postcode", postcodes[pick(
		    (unsigned)npostcodes)]);
	else {
		dist = 30.0 * uniform() * uniform();
		ang = 2 * M_PI * uniform();
		snprintf(buf, sizeof buf, "%.5f", t->lat + dist * cos(ang) /
		    111.0);
		set(sink, "location.lat", buf);
		snprintf(buf, sizeof buf, "%.5f", t->lon + dist * sin(ang) /
		    (111.0 * cos(t->lat * M_PI / 180.0)));
		set(sink, "location.lon", buf);
	}

	if (chance(35))
		set(sink, "cost.free", "yes");
	else {
		snprintf(buf, sizeof buf, "%u.%s", 1 + pick(15),
		    chance(50) ? "00" : "50");
		set(sink, "cost.min", buf);
	}
	for (i = 0; i < nitems(access_words); i++)
		if (chance(i == 0 ? 60 : 15))
			set(sink, "access", access_words[i]);
	for (i = 0; i < nitems(group_words); i++)
		if (chance(12))
			set(sink, "groups", group_words[i]);
	for (i = 0; i < nitems(funding_words); i++)
		if (chance(25))
			set(sink, "funding", funding_words[i]);
	if (chance(60))
		set(sink, "pathway", pathway_words[pick(
		    nitems(pathway_words))]);
	if (chance(10)) {
		set(sink, "age.min", "18");
		set(sink, "age.max", chance(50) ? "25" : "65");
	}
	record_host.end(sink);
}

/* The config: every hub and spoke, none of them fetched during a run. */
static char *
make_config(const char *dir, long nspokes)
{
	char	*conf, *next;
	long	 h, i, per = nspokes / NHUBS;

	if (asprintf(&conf, "listen line 127.0.0.1:0\ndatabase %s/search.db\n"
	    "refresh-spread 1d\nrefresh-interval 1d\nlog-level warn\n"
	    "max-connections 256\n", dir) < 0)
		die("oom");
	for (h = 0; h < NHUBS; h++) {
		if (asprintf(&next, "%shub h%ld {\n", conf, h) < 0)
			die("oom");
		free(conf);
		conf = next;
		for (i = 0; i < per; i++) {
			if (asprintf(&next, "%s spoke h%lds%ld {\n  url "
			    "\"http://127.0.0.1:9/feed.rss\"\n  format rss\n"
			    "  interval 1d\n }\n", conf, h, i) < 0)
				die("oom");
			free(conf);
			conf = next;
		}
		if (asprintf(&next, "%s}\n", conf) < 0)
			die("oom");
		free(conf);
		conf = next;
	}
	return conf;
}

/* The postcodes of the fixture file, for activities that give one. */
static size_t
read_postcodes(const char *path, char ***out)
{
	FILE	*f = fopen(path, "r");
	char	 line[256], *comma;
	size_t	 n = 0;

	*out = NULL;
	if (f == NULL)
		die("%s: cannot read", path);
	while (fgets(line, sizeof line, f) != NULL) {
		if ((comma = strchr(line, ',')) == NULL ||
		    strncmp(line, "postcode", 8) == 0)
			continue;
		*comma = '\0';
		*out = xreallocarray(*out, n + 1, sizeof **out);
		(*out)[n++] = xstrdup(line);
	}
	fclose(f);
	return n;
}

/* Writes the whole directory into `db`; returns the seconds it took. */
static double
generate(const char *db, const char *confpath, time_t now, long nact,
    long long *noccur)
{
	struct store		*s = NULL;
	struct config		*cf;
	struct record_sink	*sink;
	struct feed_result	 res;
	struct feed_attempt	 at;
	char			 err[512] = "", path[4096], **pcs;
	size_t			 npcs, i;
	long			 sp, a, per, n = 0;
	double			 t0 = now_s();
	FILE			*f;
	sqlite3			*sq;
	sqlite3_stmt		*st;

	if ((cf = config_load(confpath, err, sizeof err)) == NULL)
		die("config: %s", err);
	if (store_open(&s, db, err, sizeof err) != STORE_OK)
		die("store: %s", err);
	if (store_sync_config(s, cf) != STORE_OK)
		die("cannot store the hubs");
	snprintf(path, sizeof path, "%s/tests/fixtures/postcodes.csv",
	    tu_srcdir());
	if ((f = fopen(path, "r")) == NULL)
		die("%s: cannot read", path);
	if (store_postcodes_import(s, f, NULL, err, sizeof err) != STORE_OK)
		die("postcodes: %s", err);
	fclose(f);
	npcs = read_postcodes(path, &pcs);
	store_set_horizon(s, HORIZON);

	per = nact / NSPOKES;
	for (sp = 0; sp < NSPOKES; sp++) {
		char	 id[64];
		long	 want = per + (sp < nact % NSPOKES);

		snprintf(id, sizeof id, "h%lds%ld", sp / (NSPOKES / NHUBS),
		    sp % (NSPOKES / NHUBS));
		sink = record_sink_new(id, "Europe/London", 0);
		for (a = 0; a < want; a++)
			make_activity(sink, n++, now, pcs, npcs);
		memset(&res, 0, sizeof res);
		record_sink_finish(sink, &res);
		record_sink_free(sink);
		memset(&at, 0, sizeof at);
		at.when = now;
		at.next_due = now + 30 * DAY;
		if (store_apply_feed(s, id, &res, &at) != STORE_OK)
			die("%s: could not store", id);
		feed_result_free(&res);
	}
	store_close(s);
	config_free(cf);
	for (i = 0; i < npcs; i++)
		free(pcs[i]);
	free(pcs);

	*noccur = -1;
	if (sqlite3_open_v2(db, &sq, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(sq, "SELECT count(*) FROM occurrences", -1, &st,
	    NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			*noccur = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(sq);
	return now_s() - t0;
}

/* --- the kiosk's questions, after "SEARCH hub=..." --- */

static const char *questions[] = {
	"q=pottery limit=20",
	"q=gardening days=tue,wed after=13:00 limit=20",
	"free=yes access=wheelchair days=sat limit=20",
	"near=\"DT1 1HF\" within=5 category=art limit=20",
	"funding=isf pathway=supported limit=20",
	"group=dementia limit=20",
	"sort=soonest limit=20",
	"q=swim* limit=20",
	"q=\"memory cafe\" near=DT4 max_cost=5 limit=20",
	"category=walking,outdoors days=weekend limit=20",
};

#define NLINES	(nitems(questions) * NHUBS)
static char	*lines[NLINES];

static void
make_lines(void)
{
	size_t	 i;
	char	 hub[16];

	/* Question by question, the hub turning each time. */
	for (i = 0; i < NLINES; i++) {
		snprintf(hub, sizeof hub, "h%zu", i % NHUBS);
		if (asprintf(&lines[i], "SEARCH hub=%s %s", hub,
		    questions[i % nitems(questions)]) < 0)
			die("oom");
	}
}

/* --- the load: client threads, each a connection, for a fixed time --- */

enum target { T_DAYHUB, T_DIRECT, T_MEMCACHED };

struct load {
	enum target	 target;
	int		 port;
	const char	*dbpath;
	double		 seconds;
	volatile int	 go;
	volatile int	 stop;
};

struct worker {
	struct load	*l;
	size_t		 id;
	double		*samples;
	size_t		 n;
	size_t		 cap;
	size_t		 errors;
	size_t		 empty;		/* searches with no results */
};

/* One memcached GET on `fd`; 0 when the whole value came back. */
static int
mc_get(int fd, char *buf, size_t size)
{
	static const char	 req[] = "get bench\r\n";
	size_t			 len = 0;
	ssize_t			 n;

	if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) !=
	    (ssize_t)(sizeof req - 1))
		return -1;
	while (len < 5 || memcmp(buf + len - 5, "END\r\n", 5) != 0) {
		if (len == size)
			return -1;
		n = recv(fd, buf + len, size - len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		len += (size_t)n;
	}
	return len > VALUE_SIZE ? 0 : -1;
}

/* Asks the kiosk lines in-process, as dayhubd's SEARCH does. */
static int
direct_ask(struct store *s, const char *line, size_t *results)
{
	struct proto_request	 req;
	struct query		 q;
	const char		*code = NULL;
	char			 msg[256];
	json_t			*reply = NULL;
	int			 rc;

	if (proto_parse(line, strlen(line), &req, msg, sizeof msg) != 0)
		return -1;
	if (query_parse(&req, "Europe/London", now_utc(), &q, &code, msg,
	    sizeof msg) == -1) {
		proto_request_free(&req);
		return -1;
	}
	rc = store_search(s, &q, &reply, msg, sizeof msg);
	query_free(&q);
	proto_request_free(&req);
	if (rc != STORE_OK)
		return -1;
	*results = json_array_size(json_object_get(reply, "results"));
	json_decref(reply);
	return 0;
}

static void *
worker_main(void *arg)
{
	struct worker	*w = arg;
	struct load	*l = w->l;
	struct store	*s = NULL;
	char		 err[256], *reply, buf[4 * VALUE_SIZE];
	size_t		 i = w->id * 3, nres;
	int		 fd = -1, ok;
	double		 t0;

	if (l->target == T_DIRECT) {
		if (store_open(&s, l->dbpath, err, sizeof err) != STORE_OK)
			die("store: %s", err);
	} else if ((fd = tu_connect("127.0.0.1", l->port, 5000)) == -1)
		die("cannot connect to port %d", l->port);
	while (!l->go)
		usleep(1000);
	while (!l->stop && w->n < w->cap) {
		const char *line = lines[i++ % NLINES];

		t0 = now_s();
		switch (l->target) {
		case T_DAYHUB:
			reply = tu_request(fd, line, 30000);
			ok = reply != NULL && strncmp(reply, "{\"ok\":true", 10)
			    == 0;
			if (reply != NULL && strstr(reply, "\"results\":[]") !=
			    NULL)
				w->empty++;
			free(reply);
			if (reply == NULL)
				die("no reply to %s", line);
			break;
		case T_DIRECT:
			ok = direct_ask(s, line, &nres) == 0;
			if (ok && nres == 0)
				w->empty++;
			break;
		default:
			ok = mc_get(fd, buf, sizeof buf) == 0;
			break;
		}
		if (!ok)
			w->errors++;
		w->samples[w->n++] = (now_s() - t0) * 1000.0;
	}
	if (s != NULL)
		store_close(s);
	if (fd != -1)
		close(fd);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct result {
	double	p50, p99, qps;
	size_t	n, errors, empty;
};

/* Runs `nthreads` clients against `target` for the load's time. */
static struct result
run(struct load *l, enum target target, int nthreads)
{
	struct worker	 w[MAX_THREADS];
	pthread_t	 th[MAX_THREADS];
	struct result	 r;
	double		*all, t0, t;
	size_t		 i, n = 0;

	memset(&r, 0, sizeof r);
	l->target = target;
	l->go = l->stop = 0;
	for (i = 0; i < (size_t)nthreads; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].l = l;
		w[i].id = i;
		w[i].cap = MAX_SAMPLES / (size_t)nthreads;
		w[i].samples = xcalloc(w[i].cap, sizeof *w[i].samples);
		if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0)
			die("pthread_create");
	}
	usleep(200000);
	t0 = now_s();
	l->go = 1;
	usleep((useconds_t)(l->seconds * 1e6));
	l->stop = 1;
	for (i = 0; i < (size_t)nthreads; i++)
		pthread_join(th[i], NULL);
	t = now_s() - t0;
	all = xcalloc(MAX_SAMPLES, sizeof *all);
	for (i = 0; i < (size_t)nthreads; i++) {
		memcpy(all + n, w[i].samples, w[i].n * sizeof *all);
		n += w[i].n;
		r.errors += w[i].errors;
		r.empty += w[i].empty;
		free(w[i].samples);
	}
	if (n > 0) {
		qsort(all, n, sizeof *all, cmp_double);
		r.p50 = all[n / 2];
		r.p99 = all[(n * 99) / 100];
	}
	r.n = n;
	r.qps = n / t;
	free(all);
	return r;
}

static void
row(const char *what, int conns, const struct result *r)
{
	printf("| %s | %d | %.2f ms | %.2f ms | %.1f | %zu | %zu |\n", what,
	    conns, r->p50, r->p99, r->qps, r->n, r->errors);
}

/* dayhubd's VmRSS in MB, or -1. */
static double
rss_mb(pid_t pid)
{
	char	 path[64], *text, *p;
	double	 kb;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((text = tu_read_file(path)) == NULL)
		return -1;
	p = strstr(text, "VmRSS:");
	kb = p != NULL ? atof(p + 6) : -1;
	free(text);
	return kb < 0 ? -1 : kb / 1024.0;
}

/* A free loopback TCP port, found by binding to port 0. */
static int
free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, port;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		die("bind");
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/*
 * Waits for dayhubd's start-up work on the database (moving the
 * occurrence window to its own now, one write transaction) to end, so
 * the measurements do not share the machine with it.  Returns seconds.
 */
static double
wait_writer_idle(const char *db)
{
	sqlite3	*sq;
	double	 t0 = now_s(), t1;
	int	 quiet = 0;

	if (sqlite3_open(db, &sq) != SQLITE_OK)
		die("%s: cannot open", db);
	sqlite3_busy_timeout(sq, 600000);
	while (quiet < 3) {
		t1 = now_s();
		if (sqlite3_exec(sq, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK)
			die("the database stayed locked: %s", sqlite3_errmsg(sq));
		sqlite3_exec(sq, "ROLLBACK", NULL, NULL, NULL);
		quiet = now_s() - t1 < 0.05 ? quiet + 1 : 0;
		sleep(1);
	}
	sqlite3_close(sq);
	return now_s() - t0 - 3;
}

int
main(int argc, char *argv[])
{
	static const int	 conns[] = { 1, 8, 64 };
	struct load		 l;
	struct result		 dh[nitems(conns)], mc[nitems(conns)], direct;
	char			*dir, *conf, confpath[4096], db[4096];
	char			 log[4096], ready[4096], bin[4096], mcport[16];
	char			*r, *p;
	const char		*s, *mcbin;
	long			 nact = 100000;
	long long		 noccur;
	double			 tgen, twait, rss_idle, rss_busy;
	time_t			 now;
	pid_t			 daemon, mcd = 0;
	size_t			 i;
	int			 fd, have_mc = 0;

	memset(&l, 0, sizeof l);
	l.seconds = 10;
	if ((s = getenv("BENCH_ACTIVITIES")) != NULL)
		nact = atol(s);
	if ((s = getenv("BENCH_SECONDS")) != NULL)
		l.seconds = atof(s);
	if (nact < NSPOKES || l.seconds <= 0)
		die("BENCH_ACTIVITIES must be at least %d", NSPOKES);
	if ((mcbin = getenv("MEMCACHED")) == NULL)
		mcbin = "memcached";
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init(1, LOG_LEVEL_WARN, "bench");
	zone_init();
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");

	/* The last Monday, 00:00 UTC. */
	now = time(NULL) / DAY * DAY;
	now -= ((now / DAY + 3) % 7) * DAY;

	dir = tu_tmpdir("bench-search");
	snprintf(confpath, sizeof confpath, "%s/dayhub.conf", dir);
	snprintf(db, sizeof db, "%s/search.db", dir);
	conf = make_config(dir, NSPOKES);
	if (tu_write_file(confpath, conf) == -1)
		die("cannot write the config");
	free(conf);

	tgen = generate(db, confpath, now, nact, &noccur);
	printf("directory: %d hubs, %d spokes, %ld activities, %lld "
	    "occurrences over 90 days, built in %.1f s (%.0f activities/s)\n",
	    NHUBS, NSPOKES, nact, noccur, tgen, nact / tgen);

	/* The daemon on that database. */
	snprintf(log, sizeof log, "%s/dayhubd.log", dir);
	snprintf(ready, sizeof ready, "%s/ready", dir);
	snprintf(bin, sizeof bin, "%s/daemon/dayhubd", tu_builddir());
	{
		char	o_f[] = "-f", o_c[] = "-c", o_p[] = "--plugin-dir";
		char	o_r[] = "--ready-file", plug[4096];
		char	*av[] = { bin, o_f, o_c, confpath, o_p, plug, o_r,
			    ready, NULL };

		snprintf(plug, sizeof plug, "%s/plugins/.libs",
		    tu_builddir());
		daemon = tu_spawn(av, log);
	}
	if ((r = tu_wait_file(ready, 60000)) == NULL)
		die("dayhubd did not start; see %s", log);
	p = strrchr(r, ':');
	l.port = atoi(p + 1);
	free(r);
	twait = wait_writer_idle(db);
	printf("dayhubd's start-up occurrence refresh: %.1f s\n", twait);

	/*
	 * Each question on its own, three times: what it finds, or the error
	 * it gets (a search past the store's time budget answers "timeout"),
	 * and the slowest and fastest round trip.
	 */
	make_lines();
	if ((fd = tu_connect("127.0.0.1", l.port, 5000)) == -1)
		die("cannot connect");
	printf("\n| question | outcome | fastest of 3 | slowest of 3 |\n"
	    "|---|---|---|---|\n");
	for (i = 0; i < nitems(questions); i++) {
		json_t		*j;
		json_error_t	 jerr;
		double		 t0, lo = 1e9, hi = 0, t;
		char		 outcome[128];
		int		 k;

		for (k = 0; k < 3; k++) {
			t0 = now_s();
			r = tu_request(fd, lines[i], 30000);
			t = (now_s() - t0) * 1000.0;
			lo = t < lo ? t : lo;
			hi = t > hi ? t : hi;
			if (r == NULL || (j = json_loads(r, 0, &jerr)) == NULL)
				die("no reply to %s", lines[i]);
			if (json_is_true(json_object_get(j, "ok")))
				snprintf(outcome, sizeof outcome, "%zu results%s",
				    json_array_size(json_object_get(j,
				    "results")), json_is_string(json_object_get(
				    j, "next")) ? " and more" : "");
			else
				snprintf(outcome, sizeof outcome, "error %s",
				    json_string_value(json_object_get(
				    json_object_get(j, "error"), "code")));
			json_decref(j);
			free(r);
		}
		printf("| `%s` | %s | %.1f ms | %.1f ms |\n", lines[i], outcome,
		    lo, hi);
	}
	close(fd);
	rss_idle = rss_mb(daemon);

	printf("\n| target | connections | p50 | p99 | queries/s | queries "
	    "| errors (timeouts) |\n|---|---|---|---|---|---|---|\n");
	for (i = 0; i < nitems(conns); i++) {
		dh[i] = run(&l, T_DAYHUB, conns[i]);
		row("dayhubd SEARCH, line protocol", conns[i], &dh[i]);
	}
	rss_busy = rss_mb(daemon);

	l.dbpath = db;
	direct = run(&l, T_DIRECT, 1);
	row("store_search() in-process", 1, &direct);
	tu_stop(daemon, 30000);

	/* memcached on a free port, with one 1 KB value. */
	snprintf(mcport, sizeof mcport, "%d", free_port());
	{
		char	o_u[] = "-U", zero[] = "0", o_l[] = "-l";
		char	lo[] = "127.0.0.1", o_p[] = "-p", mcb[4096];
		char	o_user[] = "-u", nobody[] = "nobody";
		char	*av[] = { mcb, o_u, zero, o_l, lo, o_p, mcport, NULL,
			    NULL, NULL };

		/* memcached will not run as root without a user to become. */
		if (getuid() == 0) {
			av[7] = o_user;
			av[8] = nobody;
		}

		if (strchr(mcbin, '/') == NULL) {
			char	*path = getenv("PATH"), *copy, *dp, *d;

			mcb[0] = '\0';
			copy = dp = xstrdup(path != NULL ? path : "/usr/bin");
			while ((d = strsep(&dp, ":")) != NULL) {
				snprintf(mcb, sizeof mcb, "%s/%s", d, mcbin);
				if (access(mcb, X_OK) == 0)
					break;
				mcb[0] = '\0';
			}
			free(copy);
		} else
			snprintf(mcb, sizeof mcb, "%s", mcbin);
		if (mcb[0] != '\0' && access(mcb, X_OK) == 0) {
			snprintf(log, sizeof log, "%s/memcached.log", dir);
			mcd = tu_spawn(av, log);
			have_mc = 1;
		}
	}
	if (have_mc) {
		char	set_req[VALUE_SIZE + 64], buf[64];
		int	tries;
		size_t	len;

		fd = -1;
		for (tries = 0; tries < 50 && fd == -1; tries++) {
			fd = tu_connect("127.0.0.1", atoi(mcport), 1000);
			if (fd == -1)
				usleep(100000);
		}
		if (fd == -1)
			die("memcached did not start");
		len = (size_t)snprintf(set_req, sizeof set_req,
		    "set bench 0 0 %d\r\n", VALUE_SIZE);
		memset(set_req + len, 'x', VALUE_SIZE);
		memcpy(set_req + len + VALUE_SIZE, "\r\n", 2);
		if (send(fd, set_req, len + VALUE_SIZE + 2, MSG_NOSIGNAL) !=
		    (ssize_t)(len + VALUE_SIZE + 2) ||
		    recv(fd, buf, sizeof buf, 0) < 6 ||
		    strncmp(buf, "STORED", 6) != 0)
			die("memcached: the value was not stored");
		close(fd);
		l.port = atoi(mcport);
		for (i = 0; i < nitems(conns); i++) {
			mc[i] = run(&l, T_MEMCACHED, conns[i]);
			row("memcached GET 1 KB", conns[i], &mc[i]);
		}
		tu_stop(mcd, 5000);
	} else
		printf("| memcached GET 1 KB | - | not installed | | | | |\n");

	printf("\n| ratio | value |\n|---|---|\n");
	printf("| dayhubd (1 connection) p50 / store_search() p50 | %.2f |\n",
	    dh[0].p50 / direct.p50);
	printf("| dayhubd (1 connection) qps / store_search() qps | %.2f |\n",
	    dh[0].qps / direct.qps);
	for (i = 0; have_mc && i < nitems(conns); i++)
		printf("| dayhubd qps / memcached qps, %d connections | %.5f "
		    "(1 : %.0f) |\n", conns[i], dh[i].qps / mc[i].qps,
		    mc[i].qps / (dh[i].qps > 0 ? dh[i].qps : 1));
	printf("| dayhubd VmRSS idle | %.1f MB |\n", rss_idle);
	printf("| dayhubd VmRSS after 64 connections | %.1f MB |\n", rss_busy);
	for (i = 0; i < nitems(conns); i++)
		if (dh[i].empty)
			printf("(%zu of %zu searches at %d connections had no "
			    "results)\n", dh[i].empty, dh[i].n, conns[i]);

	tu_rm_rf(dir);
	free(dir);
	for (i = 0; i < NLINES; i++)
		free(lines[i]);
	return 0;
}
