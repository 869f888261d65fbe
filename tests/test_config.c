/*
 * test_config.c - loading dayhub.conf: a full file with every field
 * checked, the defaults, path and URL resolution, and a table of broken
 * files with the exact "FILE:LINE: reason" each must be refused with.
 *
 * Each test runs in a fresh temporary directory, which is its working
 * directory, so a file named "dayhub.conf" gives messages that start with
 * "dayhub.conf:".  The demo configuration is found under DAYHUB_SRCDIR
 * (default: the directory the tests were started in).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "dayhub.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

static char	tmpdir[PATH_MAX];
static char	startdir[PATH_MAX];	/* the working directory before */

static char	*tc_printf(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

/* Returns a malloc'd string, failing the test if formatting fails. */
static char *
tc_printf(const char *fmt, ...)
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

static void
tc_setup(void)
{
	const char	*base = getenv("TMPDIR");
	char		*tmpl, real[PATH_MAX];

	cr_assert_not_null(getcwd(startdir, sizeof startdir));
	if (base == NULL || *base == '\0')
		base = "/tmp";
	tmpl = tc_printf("%s/dayhub-config-XXXXXX", base);
	cr_assert_not_null(mkdtemp(tmpl), "mkdtemp: %s", strerror(errno));
	cr_assert_not_null(realpath(tmpl, real));
	snprintf(tmpdir, sizeof tmpdir, "%s", real);
	free(tmpl);
	cr_assert_eq(chdir(tmpdir), 0);
}

static int
tc_remove_cb(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	return remove(path);
}

static void
tc_teardown(void)
{
	if (chdir("/") == 0 && tmpdir[0] != '\0')
		nftw(tmpdir, tc_remove_cb, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(config, .init = tc_setup, .fini = tc_teardown);

/* Writes `len` bytes to `path`, relative to the test's directory. */
static void
tc_write(const char *path, const char *text, size_t len)
{
	FILE	*f;

	f = fopen(path, "w");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(text, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

/* Writes `text` as dayhub.conf and loads it. */
static struct config *
tc_load(const char *text, char *err, size_t errlen)
{
	tc_write("dayhub.conf", text, strlen(text));
	return config_load("dayhub.conf", err, errlen);
}

static const char full_conf[] =
    "# A configuration that sets everything.\n"
    "listen line 127.0.0.1:7411\n"
    "listen line [::1]:7412      # the IPv6 loopback\n"
    "listen http 0.0.0.0:8080\n"
    "listen http localhost:0\n"
    "database data/dayhub.db\n"
    "plugin-dir ./plugins/../mods\n"
    "user-agent \"dayhub-test/1.0 (+https://example.org/#about) "
    "\\\"q\\\" \\\\\"\n"
    "log-level debug\n"
    "refresh-interval 30m\n"
    "fetch-timeout 90s\n"
    "max-feed-size 512K\n"
    "max-items 2000\n"
    "max-connections 100\n"
    "idle-timeout 10m\n"
    "allow-file-urls yes\n"
    "\n"
    "hub north {\n"
    "\tname \"North Dorset Hub\"\n"
    "\tarea \"North Dorset\"\n"
    "\ttimezone Europe/London\n"
    "\n"
    "\tspoke arts {\n"
    "\t\tname \"Arts Club\"\n"
    "\t\turl https://arts.example.org/feed.xml\n"
    "\t\tformat rss\n"
    "\t\tinterval 2h\n"
    "\t}\n"
    "\tspoke garden {\n"
    "\t\turl file:feeds/garden.xml\n"
    "\t}\n"
    "}\n"
    "\n"
    "hub south {                  # another hub\n"
    "\ttimezone America/Argentina/Buenos_Aires\n"
    "\tspoke arts {\n"
    "\t\turl https://arts.example.org/feed.xml\n"
    "\t}\n"
    "\tspoke cafe {\n"
    "\t\turl file:./cafe.ics\n"
    "\t}\n"
    "\tspoke shed {\n"
    "\t\turl file:///srv/feeds/shed.xml\n"
    "\t}\n"
    "}  # end of south\n";

Test(config, full_example)
{
	struct config			*cfg;
	const struct config_hub		*h;
	const struct config_spoke	*s;
	char				 err[512], *want;

	cfg = tc_load(full_conf, err, sizeof err);
	cr_assert_not_null(cfg, "refused: %s", err);

	want = tc_printf("%s/dayhub.conf", tmpdir);
	cr_expect_str_eq(cfg->path, want);
	free(want);

	cr_assert_eq(cfg->nline_listen, 2);
	cr_expect_str_eq(cfg->line_listen[0].host, "127.0.0.1");
	cr_expect_str_eq(cfg->line_listen[0].port, "7411");
	cr_expect_str_eq(cfg->line_listen[1].host, "::1");
	cr_expect_str_eq(cfg->line_listen[1].port, "7412");
	cr_assert_eq(cfg->nhttp_listen, 2);
	cr_expect_str_eq(cfg->http_listen[0].host, "0.0.0.0");
	cr_expect_str_eq(cfg->http_listen[0].port, "8080");
	cr_expect_str_eq(cfg->http_listen[1].host, "localhost");
	cr_expect_str_eq(cfg->http_listen[1].port, "0");

	want = tc_printf("%s/data/dayhub.db", tmpdir);
	cr_expect_str_eq(cfg->database, want);
	free(want);
	want = tc_printf("%s/mods", tmpdir);
	cr_expect_str_eq(cfg->plugin_dir, want);
	free(want);
	cr_expect_str_eq(cfg->user_agent,
	    "dayhub-test/1.0 (+https://example.org/#about) \"q\" \\");
	cr_expect_eq(cfg->log_level, LOG_LEVEL_DEBUG);
	cr_expect_eq(cfg->refresh_interval, 1800);
	cr_expect_eq(cfg->fetch_timeout, 90);
	cr_expect_eq(cfg->max_feed_bytes, 512 * 1024);
	cr_expect_eq(cfg->max_items, 2000);
	cr_expect_eq(cfg->max_connections, 100);
	cr_expect_eq(cfg->idle_timeout, 600);
	cr_expect_eq(cfg->allow_file_urls, 1);

	cr_assert_eq(cfg->nhubs, 2);
	h = &cfg->hubs[0];
	cr_expect_str_eq(h->id, "north");
	cr_expect_str_eq(h->name, "North Dorset Hub");
	cr_expect_str_eq(h->area, "North Dorset");
	cr_expect_str_eq(h->timezone, "Europe/London");
	cr_expect_eq(h->line, 18);
	cr_assert_eq(h->nspokes, 2);
	s = &h->spokes[0];
	cr_expect_str_eq(s->id, "arts");
	cr_expect_str_eq(s->name, "Arts Club");
	cr_expect_str_eq(s->url, "https://arts.example.org/feed.xml");
	cr_expect_str_eq(s->format, "rss");
	cr_expect_eq(s->interval, 7200);
	cr_expect_eq(s->line, 23);
	s = &h->spokes[1];
	cr_expect_str_eq(s->id, "garden");
	cr_expect_str_eq(s->name, "garden", "a spoke's name defaults to its id");
	want = tc_printf("file://%s/feeds/garden.xml", tmpdir);
	cr_expect_str_eq(s->url, want);
	free(want);
	cr_expect_str_eq(s->format, "auto");
	cr_expect_eq(s->interval, 0);
	cr_expect_eq(s->line, 29);

	h = &cfg->hubs[1];
	cr_expect_str_eq(h->id, "south");
	cr_expect_str_eq(h->name, "south", "a hub's name defaults to its id");
	cr_expect_str_eq(h->area, "");
	cr_expect_str_eq(h->timezone, "America/Argentina/Buenos_Aires");
	cr_expect_eq(h->line, 34);
	cr_assert_eq(h->nspokes, 3);
	cr_expect_str_eq(h->spokes[0].id, "arts");
	cr_expect_str_eq(h->spokes[0].url, "https://arts.example.org/feed.xml");
	want = tc_printf("file://%s/cafe.ics", tmpdir);
	cr_expect_str_eq(h->spokes[1].url, want);
	free(want);
	cr_expect_str_eq(h->spokes[2].url, "file:///srv/feeds/shed.xml");

	/* A spoke in two hubs is found in the first. */
	s = config_find_spoke(cfg, "arts", &h);
	cr_assert_not_null(s);
	cr_expect_str_eq(h->id, "north");
	cr_expect_eq(s, &cfg->hubs[0].spokes[0]);
	s = config_find_spoke(cfg, "shed", &h);
	cr_assert_not_null(s);
	cr_expect_str_eq(h->id, "south");
	cr_expect_not_null(config_find_spoke(cfg, "cafe", NULL));
	cr_expect_null(config_find_spoke(cfg, "nowhere", &h));
	cr_expect_null(h);

	config_free(cfg);
}

Test(config, defaults)
{
	struct config	*cfg;
	char		 err[512];

	cfg = tc_load("# nothing but a comment\n", err, sizeof err);
	cr_assert_not_null(cfg, "refused: %s", err);
	cr_assert_eq(cfg->nline_listen, 1);
	cr_expect_str_eq(cfg->line_listen[0].host, "127.0.0.1");
	cr_expect_str_eq(cfg->line_listen[0].port, "7411");
	cr_expect_eq(cfg->nhttp_listen, 0);
	cr_expect_null(cfg->http_listen);
	cr_expect_str_eq(cfg->database, LOCALSTATEDIR "/lib/dayhub/dayhub.db");
	cr_expect_str_eq(cfg->plugin_dir, PKGLIBDIR);
	cr_expect_str_eq(cfg->user_agent, "dayhub/" PACKAGE_VERSION);
	cr_expect_eq(cfg->log_level, LOG_LEVEL_INFO);
	cr_expect_eq(cfg->allow_file_urls, 0);
	cr_expect_eq(cfg->refresh_interval, 3600);
	cr_expect_eq(cfg->fetch_timeout, 60);
	cr_expect_eq(cfg->max_feed_bytes, FEED_MAX_BYTES);
	cr_expect_eq(cfg->max_items, FEED_MAX_ITEMS);
	cr_expect_eq(cfg->max_pages, CONFIG_DEFAULT_PAGES);
	cr_expect_eq(cfg->max_connections, 256);
	cr_expect_eq(cfg->idle_timeout, 300);
	cr_expect_eq(cfg->nhubs, 0);
	config_free(cfg);

	/* An empty file is a valid configuration too. */
	cfg = tc_load("", err, sizeof err);
	cr_assert_not_null(cfg, "refused: %s", err);
	cr_expect_eq(cfg->nline_listen, 1);
	config_free(cfg);

	/* Giving a line address replaces the default one. */
	cfg = tc_load("listen line 10.0.0.1:99\n", err, sizeof err);
	cr_assert_not_null(cfg, "refused: %s", err);
	cr_assert_eq(cfg->nline_listen, 1);
	cr_expect_str_eq(cfg->line_listen[0].host, "10.0.0.1");
	config_free(cfg);
}

Test(config, syntax_variants)
{
	static const char text[] =
	    "\t  # indented comment\r\n"
	    "log-level\twarn\r\n"
	    "hub a{\r\n"				/* no blank before '{' */
	    "  name \"{ not a brace }\"\r\n"
	    "  area \"# not a comment\"\r\n"
	    "  timezone Etc/GMT+1\r\n"
	    "  spoke s1 {# a comment right after the brace\r\n"
	    "    url \"http://x.example/?a=1#frag\"\r\n"
	    "    name \"x\"\r\n"
	    "  }# and after the closing one\r\n"
	    "}\r\n"
	    "hub b {\n"
	    "  timezone UTC\n"
	    "  spoke s2 {\n"
	    "    url HTTPS://Y.example/feed\n"
	    "    url2\n";
	struct config	*cfg;
	char		 err[512];

	/* The last line is wrong on purpose: the file up to it was read. */
	cfg = tc_load(text, err, sizeof err);
	cr_expect_null(cfg);
	cr_expect_str_eq(err, "dayhub.conf:16: unknown keyword \"url2\" (did "
	    "you mean \"url\"?)");
	config_free(cfg);
}

Test(config, syntax_variants_load)
{
	static const char text[] =
	    "\t  # indented comment\r\n"
	    "log-level\twarn\r\n"
	    "hub a{\r\n"
	    "  name \"{ not a brace }\"\r\n"
	    "  area \"# not a comment\"\r\n"
	    "  timezone Etc/GMT+1\r\n"
	    "  spoke s1 {# a comment right after the brace\r\n"
	    "    url \"http://x.example/?a=1#frag\"\r\n"
	    "    name \"say \\\"hi\\\"\"\r\n"
	    "  }# and after the closing one\r\n"
	    "}\r\n"
	    "hub b {\n"
	    "  timezone UTC\n"
	    "  spoke s2 {\n"
	    "    url HTTPS://Y.example/feed\n"
	    "  }\n"
	    "}";					/* no final newline */
	struct config	*cfg;
	char		 err[512];

	cfg = tc_load(text, err, sizeof err);
	cr_assert_not_null(cfg, "refused: %s", err);
	cr_expect_eq(cfg->log_level, LOG_LEVEL_WARN);
	cr_assert_eq(cfg->nhubs, 2);
	cr_expect_str_eq(cfg->hubs[0].name, "{ not a brace }");
	cr_expect_str_eq(cfg->hubs[0].area, "# not a comment");
	cr_expect_str_eq(cfg->hubs[0].timezone, "Etc/GMT+1");
	cr_assert_eq(cfg->hubs[0].nspokes, 1);
	cr_expect_str_eq(cfg->hubs[0].spokes[0].url,
	    "http://x.example/?a=1#frag");
	cr_expect_str_eq(cfg->hubs[0].spokes[0].name, "say \"hi\"");
	cr_expect_eq(cfg->hubs[0].spokes[0].line, 7);
	cr_expect_str_eq(cfg->hubs[1].timezone, "UTC");
	cr_expect_str_eq(cfg->hubs[1].spokes[0].url, "HTTPS://Y.example/feed");
	cr_expect_eq(cfg->hubs[1].spokes[0].line, 14);
	config_free(cfg);
}

struct value_case {
	const char		*line;
	size_t			 off;	/* of an unsigned long long in config */
	unsigned long long	 want;
};

#define OFF(m)	offsetof(struct config, m)

/* Values at and around their limits that must be accepted. */
static const struct value_case value_cases[] = {
	{ "refresh-interval 60s", OFF(refresh_interval), 60 },
	{ "refresh-interval 60", OFF(refresh_interval), 60 },
	{ "refresh-interval 1d", OFF(refresh_interval), 86400 },
	{ "refresh-interval 366d", OFF(refresh_interval), 366 * 86400ULL },
	{ "fetch-timeout 1s", OFF(fetch_timeout), 1 },
	{ "fetch-timeout 10m", OFF(fetch_timeout), 600 },
	{ "idle-timeout 1d", OFF(idle_timeout), 86400 },
	{ "max-feed-size 1K", OFF(max_feed_bytes), 1024 },
	{ "max-feed-size 1024", OFF(max_feed_bytes), 1024 },
	{ "max-feed-size 16M", OFF(max_feed_bytes), 16 * 1024 * 1024 },
	{ "max-feed-size 16m", OFF(max_feed_bytes), 16 * 1024 * 1024 },
	{ "max-feed-size 256M", OFF(max_feed_bytes), 256 * 1024 * 1024ULL },
	{ "max-items 1", OFF(max_items), 1 },
	{ "max-items 1000000", OFF(max_items), 1000000 },
	{ "max-pages 1", OFF(max_pages), 1 },
	{ "max-pages 10000", OFF(max_pages), CONFIG_MAX_PAGES },
	{ "max-connections 65536", OFF(max_connections), 65536 },
	{ "search-threads 0", OFF(search_threads), 0 },
	{ "search-threads 32", OFF(search_threads), 32 },
};

Test(config, values_at_limits)
{
	struct config	*cfg;
	char		 err[512], *text;
	size_t		 i;

	for (i = 0; i < nitems(value_cases); i++) {
		const struct value_case *c = &value_cases[i];

		text = tc_printf("%s\n", c->line);
		cfg = tc_load(text, err, sizeof err);
		free(text);
		cr_assert_not_null(cfg, "\"%s\" refused: %s", c->line, err);
		cr_expect_eq(*(unsigned long long *)((char *)cfg + c->off),
		    c->want, "\"%s\"", c->line);
		config_free(cfg);
	}
}

Test(config, listen_forms)
{
	struct config	*cfg;
	char		 err[512];

	cfg = tc_load("listen line [::]:0\nlisten line host-1.example:65535\n"
	    "listen http [fe80::1%eth0]:80\n", err, sizeof err);
	cr_assert_not_null(cfg, "refused: %s", err);
	cr_assert_eq(cfg->nline_listen, 2);
	cr_expect_str_eq(cfg->line_listen[0].host, "::");
	cr_expect_str_eq(cfg->line_listen[0].port, "0");
	cr_expect_str_eq(cfg->line_listen[1].host, "host-1.example");
	cr_expect_str_eq(cfg->line_listen[1].port, "65535");
	cr_assert_eq(cfg->nhttp_listen, 1);
	cr_expect_str_eq(cfg->http_listen[0].host, "fe80::1%eth0");
	config_free(cfg);
}

struct error_case {
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
	const char	*want;		/* the whole message */
};

static const struct error_case error_cases[] = {
	/* Keywords. */
	{ "listne line 127.0.0.1:7411\n", 0,
	  "dayhub.conf:1: unknown keyword \"listne\" (did you mean "
	  "\"listen\"?)" },
	{ "\n\n# three\nfrobnicate yes\n", 0,
	  "dayhub.conf:4: unknown keyword \"frobnicate\"" },
	{ "Database x\n", 0,
	  "dayhub.conf:1: unknown keyword \"Database\" (did you mean "
	  "\"database\"?)" },
	{ "hub n {\n  tiemzone UTC\n}\n", 0,
	  "dayhub.conf:2: unknown keyword \"tiemzone\" (did you mean "
	  "\"timezone\"?)" },
	{ "xyz 1\n", 0, "dayhub.conf:1: unknown keyword \"xyz\"" },
	{ "url http://x.example/\n", 0,
	  "dayhub.conf:1: \"url\" belongs in a spoke block, not at the top "
	  "level" },
	{ "name x\n", 0,
	  "dayhub.conf:1: \"name\" belongs in a hub or spoke block, not at "
	  "the top level" },
	{ "spoke s {\n}\n", 0,
	  "dayhub.conf:1: \"spoke\" belongs in a hub block, not at the top "
	  "level" },
	{ "hub n {\n  database x\n}\n", 0,
	  "dayhub.conf:2: \"database\" belongs at the top level, not in a hub "
	  "block" },
	{ "hub n {\n  spoke s {\n    timezone UTC\n  }\n}\n", 0,
	  "dayhub.conf:3: \"timezone\" belongs in a hub block, not in a spoke "
	  "block" },
	{ "hub n {\n  spoke s {\n    hub m {\n", 0,
	  "dayhub.conf:3: \"hub\" belongs at the top level, not in a spoke "
	  "block" },

	/* Values missing, extra or given twice. */
	{ "database\n", 0,
	  "dayhub.conf:1: database: missing value (database PATH)" },
	{ "database a b\n", 0,
	  "dayhub.conf:1: database: extra words after the value: \"b\" "
	  "(database PATH; quote a value that has blanks)" },
	{ "user-agent dayhub test\n", 0,
	  "dayhub.conf:1: user-agent: extra words after the value: \"test\" "
	  "(user-agent \"TEXT\"; quote a value that has blanks)" },
	{ "listen line\n", 0,
	  "dayhub.conf:1: listen: missing value (listen line|http "
	  "HOST:PORT)" },
	{ "database \"\"\n", 0, "dayhub.conf:1: database: the value is empty" },
	{ "database a\n\ndatabase b\n", 0,
	  "dayhub.conf:3: database given twice (first on line 1)" },
	{ "hub n {\n  spoke s {\n    url http://a.example/\n"
	  "    url http://b.example/\n", 0,
	  "dayhub.conf:4: url given twice (first on line 3)" },
	{ "a b c d e f g h i j k l m n o p q\n", 0,
	  "dayhub.conf:1: too many words on one line (at most 16)" },

	/* Blocks. */
	{ "hub north\n", 0,
	  "dayhub.conf:1: hub: the line must end with \"{\" (hub ID {)" },
	{ "hub {\n}\n", 0, "dayhub.conf:1: hub: missing value (hub ID {)" },
	{ "database x {\n", 0, "dayhub.conf:1: database does not open a block" },
	{ "hub n {\n  name a\n", 0,
	  "dayhub.conf:2: the file ends inside hub \"n\" (opened on line 1): "
	  "a \"}\" is missing" },
	{ "hub n {\n  spoke s {\n    url http://a.example/\n\n# end\n", 0,
	  "dayhub.conf:5: the file ends inside spoke \"s\" (opened on line 2): "
	  "a \"}\" is missing" },
	{ "}\n", 0, "dayhub.conf:1: \"}\" without an open block" },
	{ "hub n {\n}\n  }  # again\n", 0,
	  "dayhub.conf:3: \"}\" without an open block" },
	{ "hub n {\n} name x\n", 0,
	  "dayhub.conf:2: \"}\" must be on a line of its own" },
	{ "hub n { }\n", 0,
	  "dayhub.conf:1: \"{\" must be the last word on the line" },
	{ "hub n\n{\n", 0,
	  "dayhub.conf:1: hub: the line must end with \"{\" (hub ID {)" },
	{ "{\n", 0, "dayhub.conf:1: \"{\" must end the line that opens the "
	  "block, as in \"hub ID {\"" },

	/* Ids. */
	{ "hub North {\n}\n", 0,
	  "dayhub.conf:1: hub id \"North\" is not valid: use lower-case "
	  "letters, digits, '-' and '_', at most 64" },
	{ "hub -n {\n}\n", 0,
	  "dayhub.conf:1: hub id \"-n\" is not valid: use lower-case "
	  "letters, digits, '-' and '_', at most 64" },
	{ "hub n {\n  spoke \"arts club\" {\n", 0,
	  "dayhub.conf:2: spoke id \"arts club\" is not valid: use lower-case "
	  "letters, digits, '-' and '_', at most 64" },
	{ "hub n {\n  spoke "
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
	  "{\n", 0,
	  "dayhub.conf:2: spoke id "
	  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" "
	  "is not valid: use lower-case letters, digits, '-' and '_', at most "
	  "64" },
	{ "hub north {\n}\n\nhub north {\n}\n", 0,
	  "dayhub.conf:4: duplicate hub id \"north\" (first on line 1)" },
	{ "hub n {\n  spoke s {\n    url http://a.example/\n  }\n"
	  "  spoke s {\n", 0,
	  "dayhub.conf:5: duplicate spoke id \"s\" in hub \"n\" (first on "
	  "line 2)" },
	{ "hub a {\n  spoke s {\n    url http://a.example/\n  }\n}\n"
	  "hub b {\n  spoke s {\n    url http://b.example/\n  }\n}\n", 0,
	  "dayhub.conf:7: spoke \"s\" has another url in hub \"a\" (line 2); "
	  "a spoke shared by hubs must have the same url" },
	{ "hub n {\n  spoke arts {\n    name \"Arts\"\n  }\n}\n", 0,
	  "dayhub.conf:2: spoke \"arts\" has no url" },

	/* Durations, sizes and numbers. */
	{ "refresh-interval 30x\n", 0,
	  "dayhub.conf:1: refresh-interval: \"30x\" is not a duration (use "
	  "90s, 30m, 6h or 1d)" },
	{ "refresh-interval 30s\n", 0,
	  "dayhub.conf:1: refresh-interval: 30s is too short (at least 1m)" },
	{ "refresh-interval -1h\n", 0,
	  "dayhub.conf:1: refresh-interval: \"-1h\" is not a duration (use "
	  "90s, 30m, 6h or 1d)" },
	{ "fetch-timeout 0\n", 0,
	  "dayhub.conf:1: fetch-timeout: 0 is too short (at least 1s)" },
	{ "fetch-timeout 11m\n", 0,
	  "dayhub.conf:1: fetch-timeout: 11m is too long (at most 10m)" },
	{ "idle-timeout 2d\n", 0,
	  "dayhub.conf:1: idle-timeout: 2d is too long (at most 1d)" },
	{ "hub n {\n  spoke s {\n    interval 59s\n", 0,
	  "dayhub.conf:3: interval: 59s is too short (at least 1m)" },
	{ "max-feed-size 16Q\n", 0,
	  "dayhub.conf:1: max-feed-size: \"16Q\" is not a size (use bytes, or "
	  "K or M: 512K, 16M)" },
	{ "max-feed-size M\n", 0,
	  "dayhub.conf:1: max-feed-size: \"M\" is not a size (use bytes, or "
	  "K or M: 512K, 16M)" },
	{ "max-feed-size 99999999999999999999K\n", 0,
	  "dayhub.conf:1: max-feed-size: \"99999999999999999999K\" is not a "
	  "size (use bytes, or K or M: 512K, 16M)" },
	{ "max-feed-size 1023\n", 0,
	  "dayhub.conf:1: max-feed-size: 1023 is out of range (1K to 256M)" },
	{ "max-feed-size 257M\n", 0,
	  "dayhub.conf:1: max-feed-size: 257M is out of range (1K to 256M)" },
	{ "max-items 0\n", 0,
	  "dayhub.conf:1: max-items: 0 is out of range (1 to 1000000)" },
	{ "max-items 1000001\n", 0,
	  "dayhub.conf:1: max-items: 1000001 is out of range (1 to 1000000)" },
	{ "max-items -1\n", 0,
	  "dayhub.conf:1: max-items: \"-1\" is not a whole number" },
	{ "max-pages 0\n", 0,
	  "dayhub.conf:1: max-pages: 0 is out of range (1 to 10000)" },
	{ "max-pages 10001\n", 0,
	  "dayhub.conf:1: max-pages: 10001 is out of range (1 to 10000)" },
	{ "max-pages many\n", 0,
	  "dayhub.conf:1: max-pages: \"many\" is not a whole number" },
	{ "hub n {\n  max-pages 5\n}\n", 0,
	  "dayhub.conf:2: \"max-pages\" belongs at the top level, not in a "
	  "hub block" },
	{ "search-threads 33\n", 0,
	  "dayhub.conf:1: search-threads: 33 is out of range (0 to 32)" },
	{ "search-threads -1\n", 0,
	  "dayhub.conf:1: search-threads: \"-1\" is not a whole number" },
	{ "max-connections 65537\n", 0,
	  "dayhub.conf:1: max-connections: 65537 is out of range (1 to "
	  "65536)" },
	{ "log-level loud\n", 0,
	  "dayhub.conf:1: log-level: \"loud\" is not warn, info or debug" },
	{ "allow-file-urls maybe\n", 0,
	  "dayhub.conf:1: allow-file-urls: \"maybe\" is not yes or no" },

	/* Listen addresses. */
	{ "listen line 127.0.0.1\n", 0,
	  "dayhub.conf:1: listen: \"127.0.0.1\" is not HOST:PORT (like "
	  "127.0.0.1:7411 or [::1]:7411)" },
	{ "listen line :7411\n", 0,
	  "dayhub.conf:1: listen: \":7411\" is not HOST:PORT (like "
	  "127.0.0.1:7411 or [::1]:7411)" },
	{ "listen line [::1]7411\n", 0,
	  "dayhub.conf:1: listen: \"[::1]7411\" is not HOST:PORT (like "
	  "127.0.0.1:7411 or [::1]:7411)" },
	{ "listen line ::1:7411\n", 0,
	  "dayhub.conf:1: listen: \"::1:7411\": an IPv6 address goes in "
	  "brackets, as in [::1]:7411" },
	{ "listen line 127.0.0.1:65536\n", 0,
	  "dayhub.conf:1: listen: \"127.0.0.1:65536\": the port is not a "
	  "number from 0 to 65535" },
	{ "listen http 127.0.0.1:\n", 0,
	  "dayhub.conf:1: listen: \"127.0.0.1:\": the port is not a number "
	  "from 0 to 65535" },
	{ "listen http 127.0.0.1:http\n", 0,
	  "dayhub.conf:1: listen: \"127.0.0.1:http\": the port is not a "
	  "number from 0 to 65535" },
	{ "listen ftp 127.0.0.1:21\n", 0,
	  "dayhub.conf:1: listen: \"ftp\" is neither line nor http (listen "
	  "line|http HOST:PORT)" },

	/* Time zones, URLs and formats. */
	{ "hub n {\n  timezone London\n", 0,
	  "dayhub.conf:2: timezone: \"London\" is not an IANA zone name (like "
	  "Europe/London, or UTC)" },
	{ "hub n {\n  timezone Europe/\n", 0,
	  "dayhub.conf:2: timezone: \"Europe/\" is not an IANA zone name (like "
	  "Europe/London, or UTC)" },
	{ "hub n {\n  timezone ../etc/passwd\n", 0,
	  "dayhub.conf:2: timezone: \"../etc/passwd\" is not an IANA zone "
	  "name (like Europe/London, or UTC)" },
	{ "hub n {\n  timezone utc\n", 0,
	  "dayhub.conf:2: timezone: \"utc\" is not an IANA zone name (like "
	  "Europe/London, or UTC)" },
	{ "hub n {\n  timezone \"Europe/New York\"\n", 0,
	  "dayhub.conf:2: timezone: \"Europe/New York\" is not an IANA zone "
	  "name (like Europe/London, or UTC)" },
	{ "hub n {\n  spoke s {\n    url ftp://x.example/feed\n", 0,
	  "dayhub.conf:3: url: \"ftp://x.example/feed\" must start with "
	  "http://, https:// or file:" },
	{ "hub n {\n  spoke s {\n    url feed.xml\n", 0,
	  "dayhub.conf:3: url: \"feed.xml\" must start with http://, https:// "
	  "or file:" },
	{ "hub n {\n  spoke s {\n    url http://\n", 0,
	  "dayhub.conf:3: url: \"http://\" has no host" },
	{ "hub n {\n  spoke s {\n    url \"http://x.example/a b\"\n", 0,
	  "dayhub.conf:3: url: \"http://x.example/a b\" has a blank in it "
	  "(write it as %20)" },
	{ "hub n {\n  spoke s {\n    url file://host/feed.xml\n", 0,
	  "dayhub.conf:3: url: \"file://host/feed.xml\": a file: URL names a "
	  "local file (file:///abs/path or file:relative/path)" },
	{ "hub n {\n  spoke s {\n    url file:\n", 0,
	  "dayhub.conf:3: url: \"file:\" names no file" },
	{ "hub n {\n  spoke s {\n    format RSS\n", 0,
	  "dayhub.conf:3: format: \"RSS\" is not a format name (a word such as "
	  "rss, or auto)" },

	/* Quoting and bytes. */
	{ "user-agent \"dayhub\n", 0,
	  "dayhub.conf:1: a quoted string has no closing quote" },
	{ "user-agent \"dayhub\\\n", 0,
	  "dayhub.conf:1: a quoted string has no closing quote" },
	{ "user-agent \"a\\nb\"\n", 0,
	  "dayhub.conf:1: \"\\n\" is not an escape: only \\\" and \\\\ are" },
	{ "user-agent a\"b\"\n", 0,
	  "dayhub.conf:1: a quote in the middle of a word (quote the whole "
	  "value)" },
	{ "user-agent \"a\"b\n", 0,
	  "dayhub.conf:1: a closing quote must be followed by a blank" },
	{ "\"listen\" line 127.0.0.1:1\n", 0,
	  "dayhub.conf:1: a statement must start with a keyword, not a quoted "
	  "string" },
	{ "# ok\ndatabase a\x01" "b\n", 0,
	  "dayhub.conf:2: a control character (0x01) in the line" },
	{ "database a\rb\n", 0,
	  "dayhub.conf:1: a control character (0x0d) in the line" },
	{ "# ok\n# ok\ndatabase a\0b\n", 23,
	  "dayhub.conf:3: a NUL byte in the line" },
	{ "user-agent \"\xff\"\n", 0,
	  "dayhub.conf:1: the line is not valid UTF-8" },
	{ "user-agent \"\xc0\xaf\"\n", 0,
	  "dayhub.conf:1: the line is not valid UTF-8" },
};

Test(config, error_table)
{
	struct config	*cfg;
	char		 err[512];
	size_t		 i, len;

	for (i = 0; i < nitems(error_cases); i++) {
		const struct error_case *c = &error_cases[i];

		len = c->len != 0 ? c->len : strlen(c->text);
		tc_write("dayhub.conf", c->text, len);
		memset(err, 0, sizeof err);
		cfg = config_load("dayhub.conf", err, sizeof err);
		cr_expect_null(cfg, "row %zu was accepted", i);
		cr_expect_str_eq(err, c->want, "row %zu: got \"%s\"", i, err);
		config_free(cfg);
	}
}

Test(config, line_length_limit)
{
	struct config	*cfg;
	char		*text, err[512];
	size_t		 len;

	/* A comment of exactly CONFIG_MAX_LINE bytes, then one over it. */
	len = 2 * CONFIG_MAX_LINE + 64;
	text = calloc(1, len);
	cr_assert_not_null(text);
	strcpy(text, "# ok\n");
	memset(text + 5, '#', CONFIG_MAX_LINE);
	strcat(text, "\r\n# ok\n");
	cfg = tc_load(text, err, sizeof err);
	cr_expect_not_null(cfg, "a line of %d bytes was refused: %s",
	    CONFIG_MAX_LINE, err);
	config_free(cfg);

	memset(text, 0, len);
	strcpy(text, "# ok\n# ok\n");
	memset(text + 10, '#', CONFIG_MAX_LINE + 1);
	strcat(text, "\n");
	cfg = tc_load(text, err, sizeof err);
	cr_expect_null(cfg);
	cr_expect_str_eq(err, "dayhub.conf:3: the line is longer than 4096 "
	    "bytes");
	config_free(cfg);
	free(text);
}

Test(config, file_size_limit)
{
	struct config	*cfg;
	char		*text, err[512];
	size_t		 size = 1024 * 1024, i;

	/* 64-byte comment lines: exactly 1 MiB is read... */
	text = malloc(2 * size);
	cr_assert_not_null(text);
	for (i = 0; i < 2 * size; i += 64) {
		memset(text + i, 'x', 63);
		text[i] = '#';
		text[i + 63] = '\n';
	}
	tc_write("dayhub.conf", text, size);
	cfg = config_load("dayhub.conf", err, sizeof err);
	cr_expect_not_null(cfg, "1 MiB was refused: %s", err);
	config_free(cfg);

	/* ...and 2 MiB is refused at the line where it passes 1 MiB. */
	tc_write("dayhub.conf", text, 2 * size);
	cfg = config_load("dayhub.conf", err, sizeof err);
	cr_expect_null(cfg);
	cr_expect_str_eq(err, "dayhub.conf:16385: the file is larger than "
	    "1 MiB");
	config_free(cfg);
	free(text);
}

Test(config, too_many_hubs)
{
	struct config	*cfg;
	char		*text, err[512];
	size_t		 i, len = 0, cap = 32 * (CONFIG_MAX_HUBS + 1);

	text = malloc(cap);
	cr_assert_not_null(text);
	for (i = 0; i < CONFIG_MAX_HUBS; i++)
		len += (size_t)snprintf(text + len, cap - len, "hub h%zu {\n}\n",
		    i);
	cfg = tc_load(text, err, sizeof err);
	cr_assert_not_null(cfg, "%d hubs were refused: %s", CONFIG_MAX_HUBS,
	    err);
	cr_expect_eq(cfg->nhubs, CONFIG_MAX_HUBS);
	config_free(cfg);

	snprintf(text + len, cap - len, "hub one-more {\n}\n");
	cfg = tc_load(text, err, sizeof err);
	cr_expect_null(cfg);
	cr_expect_str_eq(err, "dayhub.conf:513: too many hubs (at most 256)");
	config_free(cfg);
	free(text);
}

Test(config, too_many_spokes)
{
	struct config	*cfg;
	char		*text, err[512];
	size_t		 i, len = 0, cap = 64 * (CONFIG_MAX_SPOKES + 8);

	/* Spread over two hubs: the limit is for all hubs together. */
	text = malloc(cap);
	cr_assert_not_null(text);
	len += (size_t)snprintf(text + len, cap - len, "hub a {\n");
	for (i = 0; i < CONFIG_MAX_SPOKES; i++) {
		if (i == CONFIG_MAX_SPOKES / 2)
			len += (size_t)snprintf(text + len, cap - len,
			    "}\nhub b {\n");
		len += (size_t)snprintf(text + len, cap - len,
		    "spoke s%zu {\nurl http://x.example/%zu\n}\n", i, i);
	}
	cfg = tc_load(text, err, sizeof err);
	cr_expect_null(cfg, "a hub left open was accepted");
	cr_expect(strstr(err, "a \"}\" is missing") != NULL, "%s", err);
	config_free(cfg);

	snprintf(text + len, cap - len, "}\n");
	cfg = tc_load(text, err, sizeof err);
	cr_assert_not_null(cfg, "%d spokes were refused: %s",
	    CONFIG_MAX_SPOKES, err);
	cr_expect_eq(cfg->hubs[0].nspokes + cfg->hubs[1].nspokes,
	    CONFIG_MAX_SPOKES);
	config_free(cfg);

	/* 1 + 3 * 4096 + 2 lines before it. */
	snprintf(text + len, cap - len, "spoke one-more {\n}\n}\n");
	cfg = tc_load(text, err, sizeof err);
	cr_expect_null(cfg);
	cr_expect_str_eq(err, "dayhub.conf:12292: too many spokes (at most "
	    "4096 in all hubs)");
	config_free(cfg);
	free(text);
}

Test(config, paths_relative_to_the_file)
{
	static const char text[] =
	    "database ../state/dayhub.db\n"
	    "plugin-dir /opt/dayhub/plugins\n"
	    "hub n {\n"
	    "  spoke a {\n    url file:a.xml\n  }\n"
	    "  spoke b {\n    url file:./feeds/../b%20c.xml\n  }\n"
	    "  spoke c {\n    url file:/srv/c.xml\n  }\n"
	    "  spoke d {\n    url file://localhost/srv/d.xml\n  }\n"
	    "  spoke e {\n    url file:../../e.xml\n  }\n"
	    "}\n";
	struct config	*cfg;
	char		 err[512], *want;

	/* The file is named from another directory, by a relative path. */
	cr_assert_eq(mkdir("etc", 0700), 0);
	cr_assert_eq(mkdir("etc/my dir", 0700), 0);
	tc_write("etc/my dir/dayhub.conf", text, strlen(text));
	cr_assert_eq(chdir("etc"), 0);
	cfg = config_load("./my dir//dayhub.conf", err, sizeof err);
	cr_assert_not_null(cfg, "refused: %s", err);

	want = tc_printf("%s/etc/my dir/dayhub.conf", tmpdir);
	cr_expect_str_eq(cfg->path, want);
	free(want);
	want = tc_printf("%s/etc/state/dayhub.db", tmpdir);
	cr_expect_str_eq(cfg->database, want);
	free(want);
	cr_expect_str_eq(cfg->plugin_dir, "/opt/dayhub/plugins");

	cr_assert_eq(cfg->hubs[0].nspokes, 5);
	want = tc_printf("file://%s/etc/my%%20dir/a.xml", tmpdir);
	cr_expect_str_eq(cfg->hubs[0].spokes[0].url, want);
	free(want);
	want = tc_printf("file://%s/etc/my%%20dir/b%%20c.xml", tmpdir);
	cr_expect_str_eq(cfg->hubs[0].spokes[1].url, want);
	free(want);
	cr_expect_str_eq(cfg->hubs[0].spokes[2].url, "file:///srv/c.xml");
	cr_expect_str_eq(cfg->hubs[0].spokes[3].url,
	    "file://localhost/srv/d.xml");
	want = tc_printf("file://%s/e.xml", tmpdir);
	cr_expect_str_eq(cfg->hubs[0].spokes[4].url, want);
	free(want);
	config_free(cfg);
}

Test(config, messages_use_the_name_given)
{
	struct config	*cfg;
	char		 err[512], *path, *want;

	path = tc_printf("%s/dayhub.conf", tmpdir);
	tc_write(path, "\nlisten line nowhere\n",
	    strlen("\nlisten line nowhere\n"));
	cfg = config_load(path, err, sizeof err);
	cr_expect_null(cfg);
	want = tc_printf("%s:2: listen: \"nowhere\" is not HOST:PORT (like "
	    "127.0.0.1:7411 or [::1]:7411)", path);
	cr_expect_str_eq(err, want);
	free(want);
	free(path);
}

Test(config, unreadable_files)
{
	struct config	*cfg;
	char		 err[512];

	cfg = config_load("missing.conf", err, sizeof err);
	cr_expect_null(cfg);
	cr_expect_str_eq(err, "missing.conf: No such file or directory");

	cr_assert_eq(mkdir("conf.d", 0700), 0);
	cfg = config_load("conf.d", err, sizeof err);
	cr_expect_null(cfg);
	cr_expect_str_eq(err, "conf.d: not a regular file");

	/* A FIFO is refused, not waited on. */
	cr_assert_eq(mkfifo("pipe", 0600), 0);
	cfg = config_load("pipe", err, sizeof err);
	cr_expect_null(cfg);
	cr_expect_str_eq(err, "pipe: not a regular file");
}

Test(config, small_error_buffer)
{
	struct config	*cfg;
	char		 err[16];

	/* A message is cut to fit, never overrun. */
	cfg = tc_load("frobnicate\n", err, sizeof err);
	cr_expect_null(cfg);
	cr_expect_str_eq(err, "dayhub.conf:1: ");
	cfg = config_load("missing.conf", NULL, 0);
	cr_expect_null(cfg);
}

/* Undoes %XX escapes in place, for turning a file: URL into a path. */
static void
tc_unescape(char *s)
{
	char	*o = s, hex[3] = { 0, 0, 0 };

	for (; *s != '\0'; s++) {
		if (s[0] == '%' && s[1] != '\0' && s[2] != '\0') {
			hex[0] = s[1];
			hex[1] = s[2];
			*o++ = (char)strtoul(hex, NULL, 16);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

Test(config, demo_config_loads)
{
	struct config			*cfg;
	const struct config_spoke	*sp;
	const char			*src = getenv("DAYHUB_SRCDIR");
	char				*path, *file, err[1024];
	size_t				 i, j, nfile = 0;

	if (src == NULL || *src == '\0')
		src = ".";
	if (src[0] == '/')
		path = tc_printf("%s/feeds/demo/dayhub.conf", src);
	else
		path = tc_printf("%s/%s/feeds/demo/dayhub.conf", startdir, src);
	cfg = config_load(path, err, sizeof err);
	free(path);
	cr_assert_not_null(cfg, "the demo configuration was refused: %s", err);
	cr_expect_gt(cfg->nhubs, 0);

	/* Its feeds sit beside it, and the file: URLs find them. */
	for (i = 0; i < cfg->nhubs; i++) {
		cr_expect_gt(cfg->hubs[i].nspokes, 0, "hub %s has no spokes",
		    cfg->hubs[i].id);
		for (j = 0; j < cfg->hubs[i].nspokes; j++) {
			sp = &cfg->hubs[i].spokes[j];
			if (strncmp(sp->url, "file://", 7) != 0)
				continue;
			nfile++;
			cr_expect(strncmp(sp->url, "file:///", 8) == 0,
			    "spoke %s: %s", sp->id, sp->url);
			file = tc_printf("%s", sp->url + 7);
			tc_unescape(file);
			cr_expect_eq(access(file, R_OK), 0, "spoke %s: %s: %s",
			    sp->id, file, strerror(errno));
			free(file);
		}
	}
	if (nfile > 0)
		cr_expect_eq(cfg->allow_file_urls, 1, "the demo reads files "
		    "but does not allow file: URLs");
	config_free(cfg);
}
