/*
 * test_plugin.c - the format module loader: what it refuses and why, the
 * registry it builds from a directory, and how it chooses a module.
 *
 * The modules under test are real shared objects built from
 * the sources in tests/plugins, found in DAYHUB_TEST_PLUGIN_DIR, or in
 * "$DAYHUB_BUILDDIR/tests/plugins/.libs" where libtool puts them.  A
 * missing test module fails the tests that need it; nothing is skipped
 * under `make check`.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "dayhub.h"

static char	tmpdir[PATH_MAX];

/* Returns a malloc'd string, failing the test if formatting fails. */
static char *
tp_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
tp_printf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0, "vasprintf failed");
	return s;
}

/* Where the test modules were built. */
static char *
tp_mod_dir(void)
{
	const char	*d, *b;

	if ((d = getenv("DAYHUB_TEST_PLUGIN_DIR")) != NULL && *d != '\0')
		return tp_printf("%s", d);
	if ((b = getenv("DAYHUB_BUILDDIR")) == NULL || *b == '\0')
		b = ".";
	return tp_printf("%s/tests/plugins/.libs", b);
}

/* The absolute path of test module `name` ("newminor.so"). */
static char *
tp_mod(const char *name)
{
	char	*dir, *p, real[PATH_MAX];

	dir = tp_mod_dir();
	p = tp_printf("%s/%s", dir, name);
	free(dir);
	if (realpath(p, real) != NULL) {
		free(p);
		p = tp_printf("%s", real);
	}
	return p;
}

/* Creates `tmpdir/name` as a symlink to test module `mod`. */
static void
tp_link(const char *mod, const char *name)
{
	char	*target, *path;

	target = tp_mod(mod);
	path = tp_printf("%s/%s", tmpdir, name);
	cr_assert(symlink(target, path) == 0, "symlink %s: %s", path,
	    strerror(errno));
	free(target);
	free(path);
}

/* Writes `text` to `tmpdir/name`. */
static void
tp_write(const char *name, const char *text)
{
	char	*path;
	FILE	*f;

	path = tp_printf("%s/%s", tmpdir, name);
	cr_assert_not_null(f = fopen(path, "w"), "%s: %s", path,
	    strerror(errno));
	fputs(text, f);
	fclose(f);
	free(path);
}

/* Makes `tmpdir/name` a directory. */
static void
tp_mkdir(const char *name)
{
	char	*path;

	path = tp_printf("%s/%s", tmpdir, name);
	cr_assert(mkdir(path, 0700) == 0, "mkdir %s: %s", path,
	    strerror(errno));
	free(path);
}

/* Removes the temporary directory and what the tests put in it. */
static void
tp_rmtmp(void)
{
	DIR		*d;
	struct dirent	*de;
	char		*p;

	if (tmpdir[0] == '\0' || (d = opendir(tmpdir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		p = tp_printf("%s/%s", tmpdir, de->d_name);
		if (unlink(p) == -1)
			(void)rmdir(p);
		free(p);
	}
	closedir(d);
	(void)rmdir(tmpdir);
	tmpdir[0] = '\0';
}

static void
tp_setup(void)
{
	const char	*t;

	if ((t = getenv("TMPDIR")) == NULL || *t == '\0')
		t = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/dayhub-plugin-XXXXXX", t);
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
	log_setlevel(LOG_LEVEL_INFO);
}

static void
tp_teardown(void)
{
	plugin_unload_all();
	tp_rmtmp();
}

TestSuite(plugin, .init = tp_setup, .fini = tp_teardown);

/*
 * Sends what the log writes to stderr into a file while `fn` runs, and
 * returns it.  log.c writes with write(2), so moving fd 2 catches it all.
 */
static char *
tp_capture_log(int (*fn)(void *), void *arg, int *rv)
{
	char	*path, *buf;
	int	 fd, saved;
	ssize_t	 n;
	off_t	 size;

	path = tp_printf("%s/log.out", tmpdir);
	cr_assert((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) != -1,
	    "%s: %s", path, strerror(errno));
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	*rv = fn(arg);
	dup2(saved, STDERR_FILENO);
	close(saved);
	size = lseek(fd, 0, SEEK_END);
	buf = calloc(1, (size_t)size + 1);
	cr_assert_not_null(buf);
	n = pread(fd, buf, (size_t)size, 0);
	cr_assert_eq(n, size);
	close(fd);
	unlink(path);
	free(path);
	return buf;
}

static int
tp_load_tmpdir_cb(void *arg)
{
	char	*err = arg;

	return plugin_load_dir(tmpdir, err, 256);
}

/* Counts the non-overlapping occurrences of `needle` in `hay`. */
static int
tp_count(const char *hay, const char *needle)
{
	int	n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/*
 * Each kind of file the loader is given, and the words its error must
 * contain.  Rows in `mods` are test modules; the others are made in the
 * temporary directory.
 */
Test(plugin, load_refuses_with_reason)
{
	static const struct {
		const char	*file;
		int		 in_mods;
		int		 ok;
		const char	*words[3];
	} cases[] = {
		{ "newminor.so", 1, 1, { NULL } },
		{ "badmagic.so", 1, 0, { "bad magic 0x12345678",
		    "(expected 0x44484250)", "not a dayhub module" } },
		{ "badmajor.so", 1, 0, { "built for plugin ABI 2.x",
		    "this dayhubd speaks 1.x", "rebuild the module" } },
		{ "nosymbol.so", 1, 0, { "not a dayhub format module",
		    "no \"dayhub_plugin\" symbol" } },
		{ "missing.so", 0, 0, { "cannot load", "no such file" } },
		{ "text.so", 0, 0, { "cannot load", "not a shared object" } },
		{ "empty.so", 0, 0, { "cannot load", "not a shared object" } },
		{ "dir.so", 0, 0, { "cannot load", "not a regular file" } },
	};
	struct plugin	 p;
	char		 err[512], *path;
	size_t		 i, w;
	int		 rv;

	tp_write("text.so", "this is not a shared object\n");
	tp_write("empty.so", "");
	tp_mkdir("dir.so");

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (cases[i].in_mods)
			path = tp_mod(cases[i].file);
		else
			path = tp_printf("%s/%s", tmpdir, cases[i].file);
		memset(&p, 0xa5, sizeof p);
		err[0] = '\0';
		rv = plugin_load(path, &p, err, sizeof err);
		if (cases[i].ok) {
			cr_expect_eq(rv, 0, "%s: refused: %s", cases[i].file,
			    err);
			if (rv == 0) {
				cr_expect_str_eq(p.path, path);
				cr_expect_not_null(p.handle);
				cr_expect_str_eq(p.desc->name, "newminor");
				cr_expect_eq(p.desc->abi_minor,
				    DAYHUB_PLUGIN_ABI_MINOR + 5);
			}
			plugin_unload(&p);
			cr_expect_null(p.handle);
			cr_expect_null(p.path);
		} else {
			cr_expect_eq(rv, -1, "%s: loaded", cases[i].file);
			cr_expect_eq(strncmp(err, path, strlen(path)), 0,
			    "%s: error does not start with the path: %s",
			    cases[i].file, err);
			for (w = 0; w < 3 && cases[i].words[w] != NULL; w++)
				cr_expect_not_null(strstr(err,
				    cases[i].words[w]), "%s: \"%s\" not in: %s",
				    cases[i].file, cases[i].words[w], err);
			cr_expect(p.path == NULL && p.handle == NULL &&
			    p.desc == NULL, "%s: plugin not zeroed",
			    cases[i].file);
			plugin_unload(&p);	/* harmless on a zeroed one */
		}
		free(path);
	}
}

/* A path without a slash is the working directory's, not the library path's. */
Test(plugin, load_relative_path)
{
	struct plugin	 p;
	char		 err[512], cwd[PATH_MAX];

	tp_link("newminor.so", "rel.so");
	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	cr_assert_eq(chdir(tmpdir), 0);
	cr_expect_eq(plugin_load("rel.so", &p, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(p.path, "rel.so");
	plugin_unload(&p);
	cr_expect_eq(plugin_load("libdayhub-nothere.so", &p, err,
	    sizeof err), -1);
	cr_expect_not_null(strstr(err, "no such file"), "%s", err);
	cr_assert_eq(chdir(cwd), 0);
}

/* What in a descriptor the loader checks, edited one member at a time. */
enum {
	E_NAME = 1 << 0,
	E_MAGIC = 1 << 1,
	E_MAJOR = 1 << 2,
	E_MINOR = 1 << 3,
	E_NO_VERSION = 1 << 4,
	E_NO_DESC = 1 << 5,
	E_NO_SNIFF = 1 << 6,
	E_NO_PARSE = 1 << 7,
};

Test(plugin, descriptor_checks)
{
	static const struct {
		int		 edits;
		const char	*name;
		uint32_t	 magic;
		uint16_t	 major;
		uint16_t	 minor;
		const char	*word;		/* NULL: it loads */
	} cases[] = {
		{ 0, NULL, 0, 0, 0, NULL },
		{ E_NAME, "ical-2", 0, 0, 0, NULL },
		{ E_NAME, "abcdefghijklmnopqrstuvwxyz012345", 0, 0, 0, NULL },
		{ E_NAME, "abcdefghijklmnopqrstuvwxyz0123456", 0, 0, 0,
		    "invalid module name" },
		{ E_NAME, NULL, 0, 0, 0, "the module has no name" },
		{ E_NAME, "", 0, 0, 0, "invalid module name \"\"" },
		{ E_NAME, "RSS", 0, 0, 0, "invalid module name \"RSS\"" },
		{ E_NAME, "my format", 0, 0, 0, "invalid module name" },
		{ E_NAME, "rss_2", 0, 0, 0, "invalid module name" },
		{ E_NAME, "9lives", 0, 0, 0, "invalid module name" },
		{ E_NAME, "-rss", 0, 0, 0, "invalid module name" },
		{ E_NAME, "r\xc3\xa9ss", 0, 0, 0, "invalid module name" },
		{ E_NAME, "auto", 0, 0, 0, "not \"auto\"" },
		{ E_NO_VERSION, NULL, 0, 0, 0, "has no version string" },
		{ E_NO_DESC, NULL, 0, 0, 0, "has no description" },
		{ E_NO_SNIFF, NULL, 0, 0, 0, "has no sniff function" },
		{ E_NO_PARSE, NULL, 0, 0, 0, "has no parse function" },
		{ E_MAGIC, NULL, 0, 0, 0, "bad magic 0x00000000" },
		{ E_MAGIC, NULL, 0x50424844u, 0, 0, "bad magic 0x50424844" },
		{ E_MAJOR, NULL, 0, 0, 0, "built for plugin ABI 0.x" },
		{ E_MAJOR, NULL, 0, 65535, 0, "built for plugin ABI 65535.x" },
		{ E_MINOR, NULL, 0, 0, 0, NULL },
		{ E_MINOR, NULL, 0, 0, 65535, NULL },
		/* The magic is checked before anything else is read. */
		{ E_MAGIC | E_MAJOR | E_NAME | E_NO_PARSE, NULL, 0, 2, 0,
		    "bad magic" },
		/* And the major version before the rest of the descriptor. */
		{ E_MAJOR | E_NAME | E_NO_SNIFF, "BAD", 0, 2, 0,
		    "built for plugin ABI 2.x" },
	};
	struct dayhub_plugin	*d, saved;
	struct plugin		 p;
	char			 err[512], *path;
	void			*h;
	int			*calls, rv;
	size_t			 i;

	path = tp_mod("editable.so");
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	cr_assert_not_null(h, "%s", dlerror());
	cr_assert_not_null(d = dlsym(h, DAYHUB_PLUGIN_SYMBOL));
	cr_assert_not_null(calls = dlsym(h, "editable_calls"));
	saved = *d;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		*d = saved;
		if (cases[i].edits & E_NAME)
			d->name = cases[i].name;
		if (cases[i].edits & E_MAGIC)
			d->magic = cases[i].magic;
		if (cases[i].edits & E_MAJOR)
			d->abi_major = cases[i].major;
		if (cases[i].edits & E_MINOR)
			d->abi_minor = cases[i].minor;
		if (cases[i].edits & E_NO_VERSION)
			d->version = NULL;
		if (cases[i].edits & E_NO_DESC)
			d->description = NULL;
		if (cases[i].edits & E_NO_SNIFF)
			d->sniff = NULL;
		if (cases[i].edits & E_NO_PARSE)
			d->parse = NULL;

		err[0] = '\0';
		rv = plugin_load(path, &p, err, sizeof err);
		if (cases[i].word == NULL) {
			cr_expect_eq(rv, 0, "row %zu: refused: %s", i, err);
			cr_expect_eq(p.desc, d, "row %zu: another descriptor",
			    i);
		} else {
			cr_expect_eq(rv, -1, "row %zu: loaded", i);
			cr_expect_not_null(strstr(err, cases[i].word),
			    "row %zu: \"%s\" not in: %s", i, cases[i].word,
			    err);
		}
		plugin_unload(&p);
	}
	*d = saved;
	cr_expect_eq(*calls, 0, "the loader called into the module");
	dlclose(h);
	free(path);
}

/* The little host the newminor module's parse() is run against. */
struct tp_sink {
	size_t	 max;		/* begin() says STOP at this many */
	size_t	 records;
	int	 open;
	int	 misuse;	/* calls out of order */
	char	 title[64];
	char	 feed_title[64];
	char	 error[128];
	int	 warnings;
};

static int
tp_begin(void *arg)
{
	struct tp_sink	*s = arg;

	if (s->open)
		s->misuse++;
	if (s->records >= s->max)
		return DAYHUB_STOP;
	s->open = 1;
	return DAYHUB_OK;
}

static int
tp_set(void *arg, const char *field, const char *value, size_t len)
{
	struct tp_sink	*s = arg;

	if (!s->open)
		s->misuse++;
	if (strcmp(field, "title") != 0 || len >= sizeof s->title)
		return DAYHUB_REJECT;
	memcpy(s->title, value, len);
	s->title[len] = '\0';
	return DAYHUB_OK;
}

static int
tp_end(void *arg)
{
	struct tp_sink	*s = arg;

	if (!s->open)
		s->misuse++;
	s->open = 0;
	s->records++;
	return DAYHUB_OK;
}

static void
tp_feed(void *arg, const char *key, const char *value, size_t len)
{
	struct tp_sink	*s = arg;

	if (strcmp(key, "title") == 0 && len < sizeof s->feed_title) {
		memcpy(s->feed_title, value, len);
		s->feed_title[len] = '\0';
	}
}

static void tp_warn(void *, unsigned long, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void tp_error(void *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
tp_warn(void *arg, unsigned long line, const char *fmt, ...)
{
	struct tp_sink	*s = arg;

	s->warnings++;
}

static void
tp_error(void *arg, const char *fmt, ...)
{
	struct tp_sink	*s = arg;
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof s->error, fmt, ap);
	va_end(ap);
}

static const struct dayhub_host tp_host = {
	.size = sizeof(struct dayhub_host),
	.abi_minor = DAYHUB_PLUGIN_ABI_MINOR,
	.begin = tp_begin,
	.set = tp_set,
	.end = tp_end,
	.feed = tp_feed,
	.warn = tp_warn,
	.error = tp_error,
};

/* A module from a newer minor version loads, sniffs and parses. */
Test(plugin, newer_minor_runs)
{
	static const struct {
		const char	*data;
		const char	*ctype;
		int		 score;
	} sniffs[] = {
		{ "NEWMINOR Art club\n", NULL, DAYHUB_SNIFF_CERTAIN },
		{ "NEWMINOR", "text/plain", DAYHUB_SNIFF_CERTAIN },
		{ "<?xml version=\"1.0\"?><rss/>", NULL, DAYHUB_SNIFF_NO },
		{ "BEGIN:VCALENDAR\r\n", "text/calendar", DAYHUB_SNIFF_NO },
		{ "", NULL, DAYHUB_SNIFF_NO },
		{ "NEWMINO", NULL, DAYHUB_SNIFF_NO },
		{ "{}", "application/x-newminor", DAYHUB_SNIFF_LIKELY },
	};
	static const struct {
		const char	*data;
		size_t		 max;
		int		 rv;
		size_t		 records;
		const char	*title;
		int		 warnings;
		const char	*error;
	} parses[] = {
		{ "NEWMINOR Art club\nmore\n", 10, DAYHUB_OK, 1, "Art club",
		    0, "" },
		{ "NEWMINOR   Gardening", 10, DAYHUB_OK, 1, "Gardening", 0,
		    "" },
		{ "NEWMINOR\n", 10, DAYHUB_OK, 1, "", 1, "" },
		{ "NEWMINOR Art club\n", 0, DAYHUB_OK, 0, "", 0, "" },
		{ "NEWMINORS", 10, DAYHUB_ERROR, 0, "", 0,
		    "not a newminor file" },
		{ "<rss/>", 10, DAYHUB_ERROR, 0, "", 0,
		    "not a newminor file" },
		{ "", 10, DAYHUB_ERROR, 0, "", 0, "not a newminor file" },
	};
	struct dayhub_input	 in;
	struct tp_sink		 s;
	struct plugin		 p;
	char			 err[512], *path;
	size_t			 i;
	int			 rv;

	path = tp_mod("newminor.so");
	cr_assert_eq(plugin_load(path, &p, err, sizeof err), 0, "%s", err);
	cr_expect_gt(p.desc->abi_minor, DAYHUB_PLUGIN_ABI_MINOR);

	for (i = 0; i < sizeof sniffs / sizeof sniffs[0]; i++)
		cr_expect_eq(p.desc->sniff((const unsigned char *)
		    sniffs[i].data, strlen(sniffs[i].data), sniffs[i].ctype),
		    sniffs[i].score, "sniff row %zu", i);

	for (i = 0; i < sizeof parses / sizeof parses[0]; i++) {
		memset(&s, 0, sizeof s);
		s.max = parses[i].max;
		memset(&in, 0, sizeof in);
		in.size = sizeof in;
		in.data = (const unsigned char *)parses[i].data;
		in.len = strlen(parses[i].data);
		in.timezone = "Europe/London";
		in.max_items = parses[i].max;
		in.max_depth = FEED_MAX_DEPTH;
		rv = p.desc->parse(&in, &tp_host, &s);
		cr_expect_eq(rv, parses[i].rv, "parse row %zu: %d", i, rv);
		cr_expect_eq(s.records, parses[i].records, "parse row %zu", i);
		cr_expect_str_eq(s.title, parses[i].title, "parse row %zu",
		    i);
		cr_expect_eq(s.warnings, parses[i].warnings, "parse row %zu",
		    i);
		cr_expect_str_eq(s.error, parses[i].error, "parse row %zu",
		    i);
		cr_expect_eq(s.misuse, 0, "parse row %zu: calls out of order",
		    i);
		if (rv == DAYHUB_OK)
			cr_expect_str_eq(s.feed_title, "newminor test feed");
	}
	plugin_unload(&p);
	free(path);
}

/*
 * A directory of good, bad and duplicate modules: only the good one is
 * kept, every refusal is logged in full, and loading goes on past them.
 */
Test(plugin, load_dir_keeps_going)
{
	const struct plugin	*np;
	char			 err[256] = "", *log;
	int			 rv;

	tp_link("badmagic.so", "badmagic.so");
	tp_link("badmajor.so", "badmajor.so");
	tp_link("nosymbol.so", "nosymbol.so");
	tp_link("newminor.so", "newminor.so");
	tp_link("newminor.so", "zz-again.so");
	tp_link("editable.so", ".hidden.so");
	tp_link("editable.so", "editable.so.1");
	tp_write("text.so", "not a module\n");
	tp_write("README", "modules go here\n");
	tp_mkdir("sub.so");

	log = tp_capture_log(tp_load_tmpdir_cb, err, &rv);
	cr_expect_eq(rv, 1, "loaded %d: %s", rv, log);
	cr_expect_eq(plugin_count(), 1);
	cr_assert_not_null(np = plugin_at(0));
	cr_expect_str_eq(np->desc->name, "newminor");
	cr_expect_null(plugin_at(1));
	cr_expect_eq(plugin_find("newminor"), np);
	cr_expect_null(plugin_find("badmagic"));
	cr_expect_null(plugin_find("editable"));
	cr_expect_null(plugin_find("NEWMINOR"));
	cr_expect_null(plugin_find("newmino"));
	cr_expect_null(plugin_find(""));
	cr_expect_null(plugin_find(NULL));

	cr_expect_eq(tp_count(log, "badmagic.so: bad magic 0x12345678"), 1,
	    "%s", log);
	cr_expect_eq(tp_count(log, "badmajor.so: built for plugin ABI 2.x"),
	    1, "%s", log);
	cr_expect_eq(tp_count(log, "nosymbol.so: not a dayhub format module"),
	    1, "%s", log);
	cr_expect_eq(tp_count(log, "text.so: cannot load"), 1, "%s", log);
	cr_expect_eq(tp_count(log, "sub.so: cannot load: not a regular"), 1,
	    "%s", log);
	cr_expect_eq(tp_count(log, "zz-again.so: skipped: a module named "
	    "\"newminor\" is already loaded from"), 1, "%s", log);
	cr_expect_eq(tp_count(log, "hidden"), 0, "%s", log);
	cr_expect_eq(tp_count(log, "README"), 0, "%s", log);
	cr_expect_eq(tp_count(log, "format module newminor 1.5-test loaded"),
	    1, "%s", log);
	free(log);

	plugin_unload_all();
	cr_expect_eq(plugin_count(), 0);
	cr_expect_null(plugin_at(0));
	cr_expect_null(plugin_find("newminor"));
}

/*
 * The registry is in file-name order, whatever order readdir() gives: of
 * sixteen links, the first by name of each module is the one kept.
 */
Test(plugin, load_dir_order)
{
	static const struct {
		int		 editable_at;	/* which link is editable.so */
		const char	*first, *second;	/* registry order */
		const char	*first_file, *second_file;
	} orders[] = {
		{ 0, "editable", "newminor", "/m00.so", "/m01.so" },
		{ 9, "newminor", "editable", "/m00.so", "/m09.so" },
		{ 15, "newminor", "editable", "/m00.so", "/m15.so" },
	};
	char	 err[256], name[16];
	size_t	 i;
	int	 j, rv;

	for (i = 0; i < sizeof orders / sizeof orders[0]; i++) {
		tp_rmtmp();
		tp_setup();
		for (j = 15; j >= 0; j--) {
			snprintf(name, sizeof name, "m%02d.so", j);
			tp_link(j == orders[i].editable_at ? "editable.so" :
			    "newminor.so", name);
		}
		free(tp_capture_log(tp_load_tmpdir_cb, err, &rv));
		cr_expect_eq(rv, 2, "order %zu: %s", i, err);
		cr_assert_eq(plugin_count(), 2);
		cr_expect_str_eq(plugin_at(0)->desc->name, orders[i].first);
		cr_expect_str_eq(plugin_at(1)->desc->name, orders[i].second);
		cr_expect_not_null(strstr(plugin_at(0)->path,
		    orders[i].first_file), "order %zu: %s", i,
		    plugin_at(0)->path);
		cr_expect_not_null(strstr(plugin_at(1)->path,
		    orders[i].second_file), "order %zu: %s", i,
		    plugin_at(1)->path);
		plugin_unload_all();
	}
}

/* Copies test module `mod` to `tmpdir/name`, a file of its own. */
static char *
tp_copy(const char *mod, const char *name)
{
	char	*src, *dst, buf[8192];
	FILE	*in, *out;
	size_t	 n;

	src = tp_mod(mod);
	dst = tp_printf("%s/%s", tmpdir, name);
	cr_assert_not_null(in = fopen(src, "rb"), "%s: %s", src,
	    strerror(errno));
	cr_assert_not_null(out = fopen(dst, "wb"), "%s: %s", dst,
	    strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		cr_assert_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	cr_assert_eq(fclose(out), 0);
	free(src);
	return dst;
}

/*
 * The registry holds at most 64 modules; the rest are logged and skipped.
 * Each copy of the editable module is its own object, renamed in place.
 */
Test(plugin, registry_bounded)
{
	enum { NCOPIES = 66 };
	static char	 names[NCOPIES][32];
	void		*h[NCOPIES];
	struct dayhub_plugin *d;
	char		 err[256] = "", file[16], *path, *log;
	int		 i, rv;

	for (i = 0; i < NCOPIES; i++) {
		snprintf(file, sizeof file, "e%02d.so", i);
		path = tp_copy("editable.so", file);
		cr_assert_not_null(h[i] = dlopen(path, RTLD_NOW | RTLD_LOCAL),
		    "%s", dlerror());
		cr_assert_not_null(d = dlsym(h[i], DAYHUB_PLUGIN_SYMBOL));
		snprintf(names[i], sizeof names[i], "copy-%02d", i);
		d->name = names[i];
		free(path);
	}
	log = tp_capture_log(tp_load_tmpdir_cb, err, &rv);
	cr_expect_eq(rv, 64, "%d: %s", rv, err);
	cr_expect_eq(plugin_count(), 64);
	cr_expect_str_eq(plugin_at(63)->desc->name, "copy-63");
	cr_expect_null(plugin_find("copy-64"));
	cr_expect_eq(tp_count(log, "skipped: at most 64 format modules"), 2,
	    "%s", log);
	cr_expect_not_null(strstr(log, "e65.so: skipped"), "%s", log);
	free(log);
	plugin_unload_all();
	for (i = 0; i < NCOPIES; i++)
		dlclose(h[i]);
}

/* A directory that cannot be read is an error; an empty one is not. */
Test(plugin, load_dir_errors)
{
	static const struct {
		const char	*sub;		/* under tmpdir */
		int		 rv;
		const char	*word;
	} cases[] = {
		{ "missing", -1, "No such file or directory" },
		{ "afile", -1, "Not a directory" },
		{ "empty", 0, NULL },
	};
	char	 err[256], *dir;
	size_t	 i;
	int	 rv;

	tp_write("afile", "x");
	tp_mkdir("empty");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		dir = tp_printf("%s/%s", tmpdir, cases[i].sub);
		err[0] = '\0';
		rv = plugin_load_dir(dir, err, sizeof err);
		cr_expect_eq(rv, cases[i].rv, "%s: %d", cases[i].sub, rv);
		if (cases[i].word != NULL) {
			cr_expect_eq(strncmp(err, dir, strlen(dir)), 0,
			    "%s: %s", cases[i].sub, err);
			cr_expect_not_null(strstr(err, "cannot read"), "%s",
			    err);
			cr_expect_not_null(strstr(err, cases[i].word), "%s",
			    err);
		}
		cr_expect_eq(plugin_count(), 0);
		free(dir);
	}
}

/*
 * Choosing a module: the highest score wins, scores are clamped into
 * 0..100, ties go to the first in registry order, and no module sees more
 * than the first 64 KiB.
 */
Test(plugin, sniff_chooses)
{
	static const struct {
		int		 order;		/* 0: both, 1: editable first,
						   2: newminor first */
		const char	*data;
		size_t		 pad;		/* bytes added after data */
		const char	*ctype;
		const char	*want;		/* NULL: none */
		int		 score;
	} cases[] = {
		{ 0, "NEWMINOR x", 0, NULL, "newminor", 100 },
		{ 0, "EDITABLE", 0, NULL, "editable", 100 },
		{ 0, "SCORE500", 0, NULL, "newminor", 100 },
		{ 0, "SCORENEG", 0, NULL, NULL, 0 },
		{ 0, "nothing here", 0, NULL, NULL, 0 },
		{ 0, "", 0, NULL, NULL, 0 },
		{ 0, "{}", 0, "application/x-newminor", "newminor", 75 },
		{ 0, "BIG", 100 * 1024, NULL, "editable", 100 },
		{ 1, "TIE", 0, NULL, "editable", 75 },
		{ 2, "TIE", 0, NULL, "newminor", 75 },
	};
	const struct plugin	*got;
	unsigned char		*buf;
	char			 err[256];
	size_t			 i, len;
	int			 order, score;

	for (order = 1; order <= 2; order++) {
		tp_rmtmp();
		tp_setup();
		tp_link("editable.so", order == 1 ? "a.so" : "b.so");
		tp_link("newminor.so", order == 1 ? "b.so" : "a.so");
		cr_assert_eq(plugin_load_dir(tmpdir, err, sizeof err), 2);

		for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			if (cases[i].order != 0 && cases[i].order != order)
				continue;
			len = strlen(cases[i].data) + cases[i].pad;
			cr_assert_not_null(buf = calloc(1, len + 1));
			memcpy(buf, cases[i].data, strlen(cases[i].data));
			score = -1;
			got = plugin_sniff(buf, len, cases[i].ctype, &score);
			if (cases[i].want == NULL)
				cr_expect_null(got, "row %zu order %d: %s", i,
				    order, got ? got->desc->name : "");
			else {
				cr_expect_not_null(got, "row %zu order %d", i,
				    order);
				if (got != NULL)
					cr_expect_str_eq(got->desc->name,
					    cases[i].want, "row %zu order %d",
					    i, order);
			}
			cr_expect_eq(score, cases[i].score,
			    "row %zu order %d: score %d", i, order, score);
			/* The score is optional. */
			cr_expect_eq(plugin_sniff(buf, len, cases[i].ctype,
			    NULL), got);
			free(buf);
		}
		plugin_unload_all();
	}

	cr_expect_null(plugin_sniff((const unsigned char *)"NEWMINOR", 8,
	    NULL, &score), "an empty registry chose something");
	cr_expect_eq(score, 0);
}

static int
tp_sniff_twice_cb(void *arg)
{
	int	score;

	(void)plugin_sniff((const unsigned char *)"SCORE500", 8, NULL, &score);
	(void)plugin_sniff((const unsigned char *)"SCORENEG", 8, NULL, &score);
	return score;
}

/* An out-of-range score is logged at debug once per module, not per call. */
Test(plugin, sniff_clamp_logged_once)
{
	char	 err[256], *log;
	int	 rv;

	tp_link("newminor.so", "newminor.so");
	cr_assert_eq(plugin_load_dir(tmpdir, err, sizeof err), 1);
	log_setlevel(LOG_LEVEL_DEBUG);
	log = tp_capture_log(tp_sniff_twice_cb, NULL, &rv);
	cr_expect_eq(tp_count(log, "sniff score"), 1, "%s", log);
	cr_expect_not_null(strstr(log, "format module newminor: sniff score "
	    "500 is outside 0..100; clamped"), "%s", log);
	free(log);
	log = tp_capture_log(tp_sniff_twice_cb, NULL, &rv);
	cr_expect_eq(tp_count(log, "sniff score"), 0, "%s", log);
	free(log);
}

/*
 * The real RSS module, when the build has made it.  Under `make check`
 * (DAYHUB_BUILDDIR set) it must be there; alone, its absence is a skip.
 */
Test(plugin, rss_module_loads)
{
	static const char	 rss[] = "<?xml version=\"1.0\"?>\n"
	    "<rss version=\"2.0\"><channel><title>t</title></channel></rss>\n";
	const char		*b = getenv("DAYHUB_BUILDDIR");
	struct plugin		 p;
	struct stat		 sb;
	char			 err[512], path[PATH_MAX];

	snprintf(path, sizeof path, "%s/plugins/.libs/rss.so",
	    b != NULL && *b != '\0' ? b : ".");
	if (stat(path, &sb) == -1) {
		if (b != NULL && *b != '\0')
			cr_assert_fail("%s: %s: the RSS module was not built",
			    path, strerror(errno));
		tp_rmtmp();	/* a skipped test's .fini does not run */
		cr_skip_test("no RSS module here and DAYHUB_BUILDDIR unset");
	}
	cr_assert_eq(plugin_load(path, &p, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(p.desc->name, "rss");
	cr_expect_gt(p.desc->sniff((const unsigned char *)rss,
	    sizeof rss - 1, "application/rss+xml"), DAYHUB_SNIFF_NO);
	plugin_unload(&p);
}
