/*
 * test_corpus.c - every file of the public test corpora through every
 * format module that claims it: nothing crashes, nothing hangs.
 *
 * The corpora (other projects' test suites: RSS, Atom, iCalendar, xCal,
 * OpenActive) are read in place from $DAYHUB_CORPUS; they are never
 * copied into this tree.  The modules are loaded from
 * $DAYHUB_BUILDDIR/plugins/.libs as the daemon loads them.  Each file
 * (LICENSE and README files aside, and none over CORPUS_MAX_FILE) is
 * offered to every module's sniff(); each module that answers above
 * DAYHUB_SNIFF_NO then reads it by name through record_parse(), the real
 * host.  Most of these files are built to break parsers, so a refusal is
 * an answer; a crash, a sanitizer report or a leak is not (the debug
 * build runs this under ASan).  Per module the test prints how many files
 * it claimed, read and refused, and the records and warnings it made.
 *
 * The source tree's own feeds ($DAYHUB_SRCDIR/feeds: the demo, the
 * examples and the module fixtures, hostile ones included) are swept
 * too, after the corpora: the corpora hold no JSON-LD web page, so
 * without them the jsonld module would go unexercised.
 *
 * A crash names no file; run with DAYHUB_CORPUS_TRACE=1 to print each
 * file before it is read.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "dayhub.h"

#define CORPUS_MAX_FILE		(16 * 1024 * 1024)
#define CORPUS_MAX_SECONDS	5.0	/* one parse of one file */
#define CORPUS_MAX_DEPTH	16	/* folders below the corpus root */
#define CORPUS_MIN_FILES	1000

/* What one module made of the corpus. */
struct corpus_stats {
	const char	*name;
	size_t		 claimed, ok, refused, records, warnings;
	double		 slowest;
	char		*slowest_file;
};

/* What the walk saw as a whole. */
struct corpus_walk {
	struct corpus_stats	*stats;		/* one per loaded module */
	size_t			 nstats;
	size_t			 files, skipped, unclaimed;
	int			 trace;
};

static const char *const corpus_modules[] = {
	"rss", "atom", "ical", "openactive", "jsonld"
};

static const char	*corpus_root(void);
static int		 corpus_skip(const char *, off_t);
static unsigned char	*corpus_read(const char *, size_t *);
static double		 corpus_now(void);
static void		 corpus_file(struct corpus_walk *, const char *);
static void		 corpus_walk_dir(struct corpus_walk *, const char *,
			    int);
static void		 modules_load(void);

/* Where the corpora are: $DAYHUB_CORPUS, or ../shared/corpus. */
static const char *
corpus_root(void)
{
	const char	*s = getenv("DAYHUB_CORPUS");

	return s != NULL && *s != '\0' ? s : "../shared/corpus";
}

/* Whether a file is left out of the sweep: licences, notes, giants. */
static int
corpus_skip(const char *name, off_t size)
{
	static const char *const prefixes[] = { "LICENSE", "LICENCE",
	    "README", "COPYING" };
	size_t	i;

	if (name[0] == '.' || size > CORPUS_MAX_FILE)
		return 1;
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* Reads a whole file; NULL when it cannot be read. */
static unsigned char *
corpus_read(const char *path, size_t *lenp)
{
	FILE		*f;
	unsigned char	*buf;
	struct stat	 st;
	size_t		 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fstat(fileno(f), &st) == -1 || st.st_size > CORPUS_MAX_FILE) {
		fclose(f);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	*lenp = n;
	return buf;
}

static double
corpus_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Offers one file to every module and lets each claimant read it. */
static void
corpus_file(struct corpus_walk *w, const char *path)
{
	const struct plugin	*p;
	struct corpus_stats	*st;
	struct parse_request	 req;
	struct feed_result	 res;
	unsigned char		*data;
	size_t			 len, i, n;
	double			 t0, dt;
	int			 claimed = 0;

	if ((data = corpus_read(path, &len)) == NULL) {
		cr_expect_fail("%s: cannot read: %s", path, strerror(errno));
		return;
	}
	w->files++;
	n = len < FEED_SNIFF_BYTES ? len : FEED_SNIFF_BYTES;
	for (i = 0; i < w->nstats; i++) {
		p = plugin_at(i);
		st = &w->stats[i];
		if (p->desc->sniff(data, n, NULL) <= DAYHUB_SNIFF_NO)
			continue;
		claimed = 1;
		st->claimed++;
		if (w->trace)
			fprintf(stderr, "corpus: %s < %s\n", st->name, path);
		memset(&req, 0, sizeof req);
		req.data = data;
		req.len = len;
		req.spoke = "corpus";
		req.base_url = "https://corpus.example.org/feed";
		req.timezone = "Europe/London";
		req.format = st->name;
		t0 = corpus_now();
		if (record_parse(&req, &res) == 0)
			st->ok++;
		else
			st->refused++;
		dt = corpus_now() - t0;
		st->records += json_array_size(res.records);
		st->warnings += res.nwarnings;
		cr_expect(res.records != NULL && res.warnings != NULL &&
		    res.feed != NULL, "%s: %s: a result part is NULL", path,
		    st->name);
		if (dt > st->slowest) {
			st->slowest = dt;
			free(st->slowest_file);
			st->slowest_file = xstrdup(path);
		}
		feed_result_free(&res);
	}
	if (!claimed)
		w->unclaimed++;
	free(data);
}

/* Walks a folder depth first, in name order so runs compare. */
static void
corpus_walk_dir(struct corpus_walk *w, const char *dir, int depth)
{
	struct dirent	**ents = NULL;
	struct stat	  st;
	char		 *path;
	int		  n, i;

	if (depth > CORPUS_MAX_DEPTH)
		return;
	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		cr_expect_fail("%s: cannot read: %s", dir, strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] == '.') {
			free(ents[i]);
			continue;
		}
		xasprintf(&path, "%s/%s", dir, ents[i]->d_name);
		if (lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				corpus_walk_dir(w, path, depth + 1);
			else if (!S_ISREG(st.st_mode) ||
			    corpus_skip(ents[i]->d_name, st.st_size))
				w->skipped++;
			else
				corpus_file(w, path);
		}
		free(path);
		free(ents[i]);
	}
	free(ents);
}

/* Loads the built modules the way the daemon does, and insists on all. */
static void
modules_load(void)
{
	char	 dir[4096], err[1024];
	const char	*b = getenv("DAYHUB_BUILDDIR");
	size_t	 i;

	log_init(1, LOG_LEVEL_WARN, "test_corpus");
	snprintf(dir, sizeof dir, "%s/plugins/.libs",
	    b != NULL && *b != '\0' ? b : ".");
	if (plugin_load_dir(dir, err, sizeof err) == -1)
		cr_assert_fail("no format modules: %s (set DAYHUB_BUILDDIR "
		    "to the build tree)", err);
	for (i = 0; i < sizeof corpus_modules / sizeof corpus_modules[0];
	    i++)
		if (plugin_find(corpus_modules[i]) == NULL)
			cr_assert_fail("the %s module was not loaded from %s "
			    "(build it first)", corpus_modules[i], dir);
}

static void
modules_unload(void)
{
	plugin_unload_all();
}

TestSuite(corpus, .init = modules_load, .fini = modules_unload,
    .timeout = 300);

/* What is left out of the sweep, and what is not. */
Test(corpus, skip_table)
{
	static const struct {
		const char	*name;
		off_t		 size;
		int		 skip;
	} cases[] = {
		{ "rss_feed.xml", 100, 0 },
		{ "event.ics", CORPUS_MAX_FILE, 0 },
		{ "huge.xml", (off_t)CORPUS_MAX_FILE + 1, 1 },
		{ "LICENSE", 1000, 1 },
		{ "LICENSE.txt", 1000, 1 },
		{ "README.md", 1000, 1 },
		{ ".hidden", 10, 1 },
		{ "licensed.xml", 10, 0 },
	};
	size_t	i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect_eq(corpus_skip(cases[i].name, cases[i].size),
		    cases[i].skip, "%s", cases[i].name);
}

/* The whole corpus through every claimant, with the counts printed. */
Test(corpus, sweep)
{
	struct corpus_walk	 w;
	struct stat		 st;
	const char		*root = corpus_root(), *t, *src;
	char			*feeds;
	struct corpus_stats	*s;
	double			 t0;
	size_t			 i;

	cr_assert(stat(root, &st) == 0 && S_ISDIR(st.st_mode),
	    "no corpus at %s (set DAYHUB_CORPUS to the public corpora)",
	    root);
	memset(&w, 0, sizeof w);
	t = getenv("DAYHUB_CORPUS_TRACE");
	w.trace = t != NULL && strcmp(t, "1") == 0;
	w.nstats = plugin_count();
	w.stats = xcalloc(w.nstats, sizeof *w.stats);
	for (i = 0; i < w.nstats; i++)
		w.stats[i].name = plugin_at(i)->desc->name;

	t0 = corpus_now();
	corpus_walk_dir(&w, root, 0);
	src = getenv("DAYHUB_SRCDIR");
	xasprintf(&feeds, "%s/feeds", src != NULL && *src != '\0' ? src :
	    ".");
	cr_expect(stat(feeds, &st) == 0 && S_ISDIR(st.st_mode),
	    "no feeds at %s (set DAYHUB_SRCDIR to the source tree)", feeds);
	corpus_walk_dir(&w, feeds, 0);
	free(feeds);
	printf("corpus: %zu files in %.1f s (%zu skipped, %zu claimed by "
	    "no module)\n", w.files, corpus_now() - t0, w.skipped,
	    w.unclaimed);
	printf("%-12s %8s %8s %8s %8s %9s %8s\n", "module", "claimed", "ok",
	    "refused", "records", "warnings", "slowest");
	for (i = 0; i < w.nstats; i++) {
		s = &w.stats[i];
		printf("%-12s %8zu %8zu %8zu %8zu %9zu %7.3fs\n", s->name,
		    s->claimed, s->ok, s->refused, s->records, s->warnings,
		    s->slowest);
	}
	fflush(stdout);

	cr_expect_geq(w.files, CORPUS_MIN_FILES, "%s: only %zu files", root,
	    w.files);
	for (i = 0; i < w.nstats; i++) {
		s = &w.stats[i];
		cr_expect_gt(s->claimed, 0, "%s claimed no file", s->name);
		cr_expect_gt(s->ok, 0, "%s read no file", s->name);
		cr_expect_gt(s->records, 0, "%s made no record", s->name);
		cr_expect_eq(s->ok + s->refused, s->claimed, "%s", s->name);
		cr_expect_leq(s->slowest, CORPUS_MAX_SECONDS,
		    "%s took %.1f s over %s", s->name, s->slowest,
		    s->slowest_file);
		free(s->slowest_file);
	}
	free(w.stats);
}
