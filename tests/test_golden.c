/*
 * test_golden.c - every demo and example feed read the way the daemon
 * reads it, compared with the records checked in beside it.
 *
 * The format modules are loaded from $DAYHUB_BUILDDIR/plugins/.libs with
 * plugin_load_dir() and each feed goes through record_parse() with the
 * format sniffed ("auto"), so what is compared is what the store would
 * be handed: the modules' calls validated and normalised by the real
 * host.  Feeds live in $DAYHUB_SRCDIR/feeds/demo and feeds/examples; the
 * records expected from FEED are in FEED.jsonl beside it (example.rss:
 * example.rss.jsonl, as several examples share a stem), one record a
 * line, written with
 * JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15).  Local times
 * are read in Europe/London and nothing depends on the clock, so the
 * files are stable.
 *
 * The module fixtures in feeds/fixtures/FORMAT/ that have a .jsonl hold
 * what the module itself emits (strings, as tests/testsink.c keeps
 * them), not what the host makes of it; those are read here too, to
 * prove they survive the real host, and compared value by value after
 * the host's conversions (numbers, flags, times as instants).
 *
 * To rewrite the expected files of demo and examples from the current
 * output, run the test with DAYHUB_UPDATE_GOLDEN=1, then read the diff
 * line by line against the feeds before committing it.  The fixtures'
 * files belong to the module tests and are never rewritten here.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "dayhub.h"

#define GOLDEN_FLAGS	(JSON_COMPACT | JSON_SORT_KEYS | \
			    JSON_REAL_PRECISION(15))
#define GOLDEN_ZONE	"Europe/London"
#define GOLDEN_MAX_FEED	(16 * 1024 * 1024)

/* A folder of feeds and how many of them there must at least be. */
struct golden_dir {
	const char	*dir;		/* under the source tree */
	size_t		 min_feeds;
};

static const struct golden_dir golden_dirs[] = {
	{ .dir = "feeds/demo", .min_feeds = 12 },
	{ .dir = "feeds/examples", .min_feeds = 6 },
};

static const char *const golden_modules[] = {
	"rss", "atom", "ical", "openactive", "jsonld"
};

static const char	*env_dir(const char *);
static char		*slurp(const char *, size_t *);
static int		 is_feed(const char *);
static char		*golden_path(const char *, const char *, int);
static char		*spoke_of(const char *);
static int		 parse_file(const char *, const char *,
			    struct feed_result *, char **);
static char		*records_text(const struct feed_result *);
static int		 golden_compare(const char *, const char *, char **);
static int		 write_file(const char *, const char *);
static char		**list_dir(const char *, size_t *);
static void		 free_list(char **, size_t);
static int		 value_same(json_t *, json_t *, int);
static void		 fixture_diff(json_t *, json_t *, const char *,
			    char **);
static void		 modules_load(void);
static void		 modules_unload(void);

/* The source or build tree from the environment, or "." as a fallback. */
static const char *
env_dir(const char *name)
{
	const char	*s = getenv(name);

	return s != NULL && *s != '\0' ? s : ".";
}

/* Reads a whole file (at most GOLDEN_MAX_FEED bytes), NUL-terminated. */
static char *
slurp(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*buf = NULL;
	long	 size;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (size = ftell(f)) < 0 ||
	    size > GOLDEN_MAX_FEED || fseek(f, 0, SEEK_SET) == -1)
		goto fail;
	buf = xmalloc((size_t)size + 1);
	n = fread(buf, 1, (size_t)size, f);
	if (n != (size_t)size) {
		free(buf);
		buf = NULL;
		goto fail;
	}
	buf[n] = '\0';
	if (lenp != NULL)
		*lenp = n;
fail:
	fclose(f);
	return buf;
}

/* Whether a file in a feeds folder is a feed rather than its companions. */
static int
is_feed(const char *name)
{
	static const char *const not_feeds[] = {
		".jsonl", ".md", ".conf", ".db", ".db-wal", ".db-shm"
	};
	size_t	 i, n = strlen(name), m;

	if (name[0] == '.')
		return 0;
	for (i = 0; i < sizeof not_feeds / sizeof not_feeds[0]; i++) {
		m = strlen(not_feeds[i]);
		if (n >= m && strcmp(name + n - m, not_feeds[i]) == 0)
			return 0;
	}
	return 1;
}

/*
 * The expected file of a feed: FEED.jsonl, or with `stem` set (the
 * module fixtures' convention) the name's extension replaced by .jsonl.
 */
static char *
golden_path(const char *dir, const char *name, int stem_only)
{
	char	*stem, *dot, *path;

	stem = xstrdup(name);
	if (stem_only && (dot = strrchr(stem, '.')) != NULL)
		*dot = '\0';
	xasprintf(&path, "%s/%s.jsonl", dir, stem);
	free(stem);
	return path;
}

/* A spoke id for a feed file: its name without the extension, dots as -. */
static char *
spoke_of(const char *name)
{
	char	*s, *p;

	s = xstrdup(name);
	if ((p = strrchr(s, '.')) != NULL)
		*p = '\0';
	for (p = s; *p != '\0'; p++)
		if (*p == '.')
			*p = '-';
	return s;
}

/* Reads a feed file through record_parse(); 0, or -1 with *why set. */
static int
parse_file(const char *path, const char *name, struct feed_result *res,
    char **why)
{
	struct parse_request	 req;
	unsigned char		*data;
	size_t			 len;
	char			*spoke;
	int			 rc;

	*why = NULL;
	memset(res, 0, sizeof *res);
	if ((data = (unsigned char *)slurp(path, &len)) == NULL) {
		xasprintf(why, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	spoke = spoke_of(name);
	memset(&req, 0, sizeof req);
	req.data = data;
	req.len = len;
	req.spoke = spoke;
	req.timezone = GOLDEN_ZONE;
	req.format = "auto";
	rc = record_parse(&req, res);
	if (rc == -1)
		xasprintf(why, "%s: %s", path, res->error);
	free(spoke);
	free(data);
	return rc;
}

/* The records of a parse as JSON Lines, one record a line. */
static char *
records_text(const struct feed_result *res)
{
	json_t	*rec;
	char	*line, *all = xstrdup(""), *next;
	size_t	 i;

	json_array_foreach(res->records, i, rec) {
		if ((line = json_dumps(rec, GOLDEN_FLAGS)) == NULL)
			fatalx("%s: cannot encode a record", __func__);
		xasprintf(&next, "%s%s\n", all, line);
		free(line);
		free(all);
		all = next;
	}
	return all;
}

/*
 * Compares JSON Lines `got` with `want` line by line, as text: the writer
 * is deterministic, so a byte of difference is a difference.  Returns 1
 * when they agree, else 0 with *why naming the first line that does not.
 */
static int
golden_compare(const char *got, const char *want, char **why)
{
	const char	*g = got, *w = want, *ge, *we;
	size_t		 line = 1, gl, wl;

	*why = NULL;
	for (;; line++) {
		if (*g == '\0' && *w == '\0')
			return 1;
		ge = strchr(g, '\n');
		we = strchr(w, '\n');
		gl = ge != NULL ? (size_t)(ge - g) : strlen(g);
		wl = we != NULL ? (size_t)(we - w) : strlen(w);
		if (*g == '\0') {
			xasprintf(why, "line %zu: a record is missing:\n"
			    " want %.*s", line, (int)wl, w);
			return 0;
		}
		if (*w == '\0') {
			xasprintf(why, "line %zu: a record more than "
			    "expected:\n  got %.*s", line, (int)gl, g);
			return 0;
		}
		if (gl != wl || memcmp(g, w, gl) != 0) {
			xasprintf(why, "line %zu differs:\n  got %.*s\n"
			    " want %.*s", line, (int)gl, g, (int)wl, w);
			return 0;
		}
		g += gl + (ge != NULL);
		w += wl + (we != NULL);
	}
}

/* Replaces a file's contents; 0, or -1 with errno set. */
static int
write_file(const char *path, const char *text)
{
	FILE	*f;
	size_t	 n = strlen(text);

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	if (fwrite(text, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a folder, sorted, or NULL (errno set) when unreadable. */
static char **
list_dir(const char *dir, size_t *np)
{
	DIR		 *d;
	struct dirent	 *de;
	char		**names = NULL;
	size_t		  n = 0;

	*np = 0;
	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, name_cmp);
	*np = n;
	return names != NULL ? names : xcalloc(1, sizeof *names);
}

static void
free_list(char **names, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * Whether a value a module emitted (`mod`, as testsink keeps it: strings,
 * lists, nested objects) is the value the host kept (`host`): the same
 * number, the same flag, the same instant, or the same text.  With
 * `more` a host list may add values after the module's (the taxonomy
 * adds the terms a category or activity implies).
 */
static int
value_same(json_t *mod, json_t *host, int more)
{
	const char	*m;
	double		 d;
	char		*end, a[64], b[64];
	time_t		 ta, tb;
	size_t		 i, j;
	int		 flag;

	if (json_equal(mod, host))
		return 1;
	if (json_is_array(mod) && json_is_array(host)) {
		if (!more && json_array_size(mod) != json_array_size(host))
			return 0;
		for (i = 0; i < json_array_size(mod); i++) {
			for (j = 0; j < json_array_size(host); j++)
				if (value_same(json_array_get(mod, i),
				    json_array_get(host, j), 0))
					break;
			if (j == json_array_size(host) || (!more && j != i))
				return 0;
		}
		return 1;
	}
	if ((m = json_string_value(mod)) == NULL)
		return 0;
	if (json_is_number(host)) {
		errno = 0;
		d = strtod(m, &end);
		return *m != '\0' && *end == '\0' && errno == 0 &&
		    d == json_number_value(host);
	}
	if (json_is_boolean(host))
		return parse_bool(m, &flag) == 0 &&
		    flag == json_is_true(host);
	if (json_is_string(host) &&
	    record_time_normalize(m, GOLDEN_ZONE, a, sizeof a) == 0 &&
	    record_time_normalize(json_string_value(host), GOLDEN_ZONE, b,
	    sizeof b) == 0 && record_time_epoch(a, &ta) == 0 &&
	    record_time_epoch(b, &tb) == 0)
		return ta == tb;
	return 0;
}

/*
 * Appends to *out, one line each, the members of a module-level record
 * `mod` that the host's record `host` does not keep as the same value;
 * members the host adds (id, spoke, state, timezone) are not differences.
 */
static void
fixture_diff(json_t *mod, json_t *host, const char *prefix, char **out)
{
	const char	*key;
	json_t		*mv, *hv;
	char		*name, *ms, *hs, *next;

	json_object_foreach(mod, key, mv) {
		xasprintf(&name, "%s%s%s", prefix, *prefix ? "." : "", key);
		hv = json_object_get(host, key);
		if (json_is_object(mv) && json_is_object(hv))
			fixture_diff(mv, hv, name, out);
		else if (hv == NULL || !value_same(mv, hv, *prefix == '\0' &&
		    (strcmp(key, "activity") == 0 ||
		    strcmp(key, "access") == 0 || strcmp(key, "groups") == 0))) {
			ms = json_dumps(mv, JSON_ENCODE_ANY | GOLDEN_FLAGS);
			hs = hv != NULL ? json_dumps(hv, JSON_ENCODE_ANY |
			    GOLDEN_FLAGS) : xstrdup("(dropped)");
			xasprintf(&next, "%s    %s: module %.200s, host "
			    "%.200s\n", *out, name, ms, hs);
			free(ms);
			free(hs);
			free(*out);
			*out = next;
		}
		free(name);
	}
}

/* Loads the built modules the way the daemon does, and insists on all. */
static void
modules_load(void)
{
	char	 dir[4096], err[1024];
	size_t	 i;
	int	 n;

	log_init(1, LOG_LEVEL_WARN, "test_golden");
	snprintf(dir, sizeof dir, "%s/plugins/.libs",
	    env_dir("DAYHUB_BUILDDIR"));
	if ((n = plugin_load_dir(dir, err, sizeof err)) == -1)
		cr_assert_fail("no format modules: %s (set DAYHUB_BUILDDIR to the "
		    "build tree)", err);
	for (i = 0; i < sizeof golden_modules / sizeof golden_modules[0];
	    i++)
		if (plugin_find(golden_modules[i]) == NULL)
			cr_assert_fail("the %s module was not loaded from %s (build "
			    "it first)", golden_modules[i], dir);
}

static void
modules_unload(void)
{
	plugin_unload_all();
}

TestSuite(golden, .init = modules_load, .fini = modules_unload,
    .timeout = 120);

/* The comparer itself: agreement and each kind of difference. */
Test(golden, compare_table)
{
	static const struct {
		const char	*got, *want;
		int		 same;
		const char	*why;	/* in the reason, when not the same */
	} cases[] = {
		{ "", "", 1, NULL },
		{ "{\"a\":1}\n", "{\"a\":1}\n", 1, NULL },
		{ "{\"a\":1}\n{\"b\":2}\n", "{\"a\":1}\n{\"b\":2}\n", 1, NULL },
		{ "{\"a\":1}\n", "{\"a\":2}\n", 0, "line 1 differs" },
		{ "{\"a\":1}\n{\"b\":2}\n", "{\"a\":1}\n{\"b\":3}\n", 0,
		    "line 2 differs" },
		{ "{\"a\":1}\n", "{\"a\":1}\n{\"b\":2}\n", 0,
		    "line 2: a record is missing" },
		{ "{\"a\":1}\n{\"b\":2}\n", "{\"a\":1}\n", 0,
		    "line 2: a record more than expected" },
		{ "", "{\"a\":1}\n", 0, "line 1: a record is missing" },
	};
	size_t	 i;
	char	*why;
	int	 same;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		same = golden_compare(cases[i].got, cases[i].want, &why);
		cr_expect_eq(same, cases[i].same, "case %zu: %d, want %d (%s)",
		    i, same, cases[i].same, why != NULL ? why : "");
		if (cases[i].why != NULL)
			cr_expect(why != NULL &&
			    strstr(why, cases[i].why) != NULL,
			    "case %zu: \"%s\" does not say \"%s\"", i,
			    why != NULL ? why : "", cases[i].why);
		free(why);
	}
}

/* The value comparison behind the fixture check, with its refusals. */
Test(golden, value_table)
{
	static const struct {
		const char	*mod, *host;
		int		 same;
	} cases[] = {
		{ "\"x\"", "\"x\"", 1 },
		{ "\"3.50\"", "3.5", 1 },
		{ "\"12\"", "12", 1 },
		{ "\"12\"", "13", 0 },
		{ "\"12x\"", "12", 0 },
		{ "\"\"", "0", 0 },
		{ "\"true\"", "true", 1 },
		{ "\"yes\"", "true", 1 },
		{ "\"no\"", "true", 0 },
		{ "\"maybe\"", "false", 0 },
		{ "\"2026-12-08T10:00:00Z\"", "\"2026-12-08T10:00:00+00:00\"",
		    1 },
		{ "\"2026-07-08T10:00\"", "\"2026-07-08T10:00:00+01:00\"", 1 },
		{ "\"2026-07-08T10:00\"", "\"2026-07-08T10:00:00+00:00\"", 0 },
		{ "[\"a\",\"2\"]", "[\"a\",2]", 1 },
		{ "[\"a\"]", "[\"a\",\"b\"]", 0 },
		{ "[\"b\",\"a\"]", "[\"a\",\"b\"]", 0 },
		{ "\"a\"", "\"b\"", 0 },
	};
	json_t	*m, *h;
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		m = json_loads(cases[i].mod, JSON_DECODE_ANY, NULL);
		h = json_loads(cases[i].host, JSON_DECODE_ANY, NULL);
		cr_assert(m != NULL && h != NULL, "case %zu: bad JSON", i);
		cr_expect_eq(value_same(m, h, 0), cases[i].same,
		    "case %zu: %s vs %s", i, cases[i].mod, cases[i].host);
		json_decref(m);
		json_decref(h);
	}
}

/* A feed that no module reads has no golden file to hide behind. */
Test(golden, unreadable_feed_is_an_error)
{
	struct parse_request	req;
	struct feed_result	res;
	static const char	junk[] = "this is not a feed\n";

	memset(&req, 0, sizeof req);
	req.data = (const unsigned char *)junk;
	req.len = sizeof junk - 1;
	req.spoke = "junk";
	req.format = "auto";
	cr_expect_eq(record_parse(&req, &res), -1);
	cr_expect(res.error != NULL &&
	    strstr(res.error, "no format module") != NULL,
	    "error: %s", res.error != NULL ? res.error : "(none)");
	feed_result_free(&res);
}

/* Every demo and example feed gives exactly its checked-in records. */
Test(golden, demo_and_examples)
{
	struct feed_result	 res;
	const char		*src = env_dir("DAYHUB_SRCDIR");
	char			**names, *dir, *path, *gpath, *got, *want, *why;
	size_t			 d, i, n, feeds, total = 0, nrec = 0;
	int			 update;

	update = getenv("DAYHUB_UPDATE_GOLDEN") != NULL &&
	    strcmp(getenv("DAYHUB_UPDATE_GOLDEN"), "1") == 0;
	for (d = 0; d < sizeof golden_dirs / sizeof golden_dirs[0]; d++) {
		xasprintf(&dir, "%s/%s", src, golden_dirs[d].dir);
		if ((names = list_dir(dir, &n)) == NULL) {
			cr_expect_fail("%s: cannot read: %s (set "
			    "DAYHUB_SRCDIR to the source tree)", dir,
			    strerror(errno));
			free(dir);
			continue;
		}
		feeds = 0;
		for (i = 0; i < n; i++) {
			if (!is_feed(names[i]))
				continue;
			feeds++;
			xasprintf(&path, "%s/%s", dir, names[i]);
			gpath = golden_path(dir, names[i], 0);
			if (parse_file(path, names[i], &res, &why) == -1) {
				cr_expect_fail("%s", why);
				free(why);
				goto next;
			}
			nrec += json_array_size(res.records);
			cr_expect_gt(json_array_size(res.records), 0,
			    "%s: no records", path);
			got = records_text(&res);
			if (update) {
				cr_expect_eq(write_file(gpath, got), 0,
				    "%s: %s", gpath, strerror(errno));
			} else if ((want = slurp(gpath, NULL)) == NULL) {
				cr_expect_fail("%s: no expected records (%s); "
				    "DAYHUB_UPDATE_GOLDEN=1 writes them",
				    gpath, strerror(errno));
			} else {
				if (!golden_compare(got, want, &why)) {
					cr_expect_fail("%s: %s", path, why);
					free(why);
				}
				free(want);
			}
			free(got);
next:
			feed_result_free(&res);
			free(gpath);
			free(path);
		}
		cr_expect_geq(feeds, golden_dirs[d].min_feeds,
		    "%s: %zu feeds, expected at least %zu", dir, feeds,
		    golden_dirs[d].min_feeds);
		total += feeds;
		free_list(names, n);
		free(dir);
	}
	cr_log_info("golden: %zu feeds, %zu records", total, nrec);
}

/*
 * The module fixtures that carry expected records also read cleanly
 * through the real host: the same number of records, and every value a
 * module emitted kept as the same value.
 */
Test(golden, fixtures_through_the_host)
{
	struct feed_result	 res;
	json_error_t		 jerr;
	json_t			*mod;
	const char		*src = env_dir("DAYHUB_SRCDIR");
	char			**formats, **names, *dir, *path, *gpath, *want;
	char			*line, *nl, *why, *diff;
	size_t			 f, nf, i, n, k, checked = 0;

	xasprintf(&dir, "%s/feeds/fixtures", src);
	formats = list_dir(dir, &nf);
	cr_assert_not_null(formats, "%s: cannot read: %s", dir,
	    strerror(errno));
	free(dir);
	for (f = 0; f < nf; f++) {
		xasprintf(&dir, "%s/feeds/fixtures/%s", src, formats[f]);
		if ((names = list_dir(dir, &n)) == NULL) {
			free(dir);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (!is_feed(names[i]))
				continue;
			gpath = golden_path(dir, names[i], 1);
			if ((want = slurp(gpath, NULL)) == NULL) {
				free(gpath);
				continue;
			}
			checked++;
			xasprintf(&path, "%s/%s", dir, names[i]);
			if (parse_file(path, names[i], &res, &why) == -1) {
				cr_expect_fail("%s", why);
				free(why);
				goto next;
			}
			diff = xstrdup("");
			k = 0;
			for (line = want; *line != '\0'; line = nl) {
				if ((nl = strchr(line, '\n')) != NULL)
					*nl++ = '\0';
				else
					nl = line + strlen(line);
				if (*line == '\0')
					continue;
				if ((mod = json_loads(line, 0, &jerr)) ==
				    NULL) {
					cr_expect_fail("%s: record %zu: %s",
					    gpath, k, jerr.text);
					k++;
					continue;
				}
				fixture_diff(mod, json_array_get(res.records,
				    k), "", &diff);
				json_decref(mod);
				k++;
			}
			cr_expect_eq(json_array_size(res.records), k,
			    "%s: the host kept %zu records, the module's "
			    "golden file has %zu", path,
			    json_array_size(res.records), k);
			if (*diff != '\0')
				cr_expect_fail("%s: the host changed what the "
				    "module emitted:\n%s", path, diff);
			free(diff);
next:
			feed_result_free(&res);
			free(path);
			free(want);
			free(gpath);
		}
		free_list(names, n);
		free(dir);
	}
	free_list(formats, nf);
	cr_expect_gt(checked, 0, "no fixture has expected records");
}
