/*
 * test_store.c - the SQLite store against real database files in a
 * temporary directory: migrations, configuration sync, atomic feed
 * refreshes (checked row by row with a second, plain connection), feed
 * health through each transition, tombstones, identities that hold
 * across refreshes, full-text search with hostile input, paging and
 * lookups.  Records are built by the real record sink, as a refresh
 * builds them.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "dayhub.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

/* From the generated schema.c. */
struct store_migration {
	int		 version;
	const char	*name;
	const char	*sql;
};
extern const struct store_migration store_migrations[];
extern const size_t store_nmigrations;
#define NEWEST	(store_migrations[store_nmigrations - 1].version)

static char	 tmpdir[256];
static char	 dbpath[300];

/* A fresh directory per test, removed with whatever is in it. */
static void
setup(void)
{
	const char	*base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/dayhub-store-XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp");
	snprintf(dbpath, sizeof dbpath, "%s/dayhub.db", tmpdir);
	log_init(1, LOG_LEVEL_WARN, "test_store");
}

static void
teardown(void)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[600];

	if ((d = opendir(tmpdir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(tmpdir);
}

TestSuite(store, .init = setup, .fini = teardown);

/* --- the configuration the tests use, built by hand --- */

/* A writable string, as config.c would have allocated. */
#define S(lit)	((char []){ lit })

static struct config_spoke north_spokes[] = {
	{ .id = S("art"), .name = S("Art Club"),
	  .url = S("https://art.example/feed"), .format = S("rss"),
	  .interval = 3600 },
	{ .id = S("garden"), .name = S("Garden Project"),
	  .url = S("https://garden.example/feed"), .format = S("auto") },
};
static struct config_spoke south_spokes[] = {
	{ .id = S("garden"), .name = S("Garden Project"),
	  .url = S("https://garden.example/feed"), .format = S("auto") },
	{ .id = S("swim"), .name = S("Swim Club"),
	  .url = S("file:///feeds/swim.xml"), .format = S("ical") },
};
static struct config_hub hubs[] = {
	{ .id = S("north"), .name = S("North Hub"), .area = S("North Dorset"),
	  .timezone = S("Europe/London"), .spokes = north_spokes,
	  .nspokes = nitems(north_spokes) },
	{ .id = S("south"), .name = S("South Hub"), .area = NULL,
	  .timezone = S("Europe/London"), .spokes = south_spokes,
	  .nspokes = nitems(south_spokes) },
};
static struct config conf = { .hubs = hubs, .nhubs = nitems(hubs) };

static struct store *
open_store(void)
{
	struct store	*s = NULL;
	char		 err[512] = "";

	cr_assert_eq(store_open(&s, dbpath, err, sizeof err), STORE_OK,
	    "store_open: %s", err);
	return s;
}

static struct store *
open_synced(void)
{
	struct store	*s = open_store();

	cr_assert_eq(store_sync_config(s, &conf), STORE_OK);
	return s;
}

/* --- records through the real sink --- */

struct rec {
	const char	*source_id;
	const char	*title;
	const char	*start;
	const char	*summary;
	const char	*venue;
	const char	*category;
};

/* An item as identity tests need it: any part may be missing. */
struct item {
	const char	*guid;
	const char	*title;
	const char	*start;
	const char	*venue;
	const char	*url;
	const char	*state;
};

static void
set_opt(struct record_sink *sink, const char *field, const char *value)
{
	if (value != NULL)
		record_host.set(sink, field, value, strlen(value));
}

/* A sink for `spoke`'s feed, its identities judged with `identity` (the
   spoke's stored mode) as the floor. */
static struct record_sink *
feed_begin(const char *spoke, const char *identity)
{
	struct record_sink	*sink;

	sink = record_sink_new(spoke, "Europe/London", 0);
	cr_assert_eq(record_sink_identity(sink, identity), 0);
	return sink;
}

/* The feed result as record.c would hand it to the store. */
static void
feed_end(struct record_sink *sink, struct feed_result *res)
{
	memset(res, 0, sizeof *res);
	record_host.warn(sink, 7, "a warning the health keeps");
	record_sink_finish(sink, res);
	record_sink_free(sink);
	res->bytes = 1234;
}

static void
make_feed_as(const char *spoke, const struct rec *recs, size_t n,
    const char *identity, struct feed_result *res)
{
	struct record_sink	*sink = feed_begin(spoke, identity);
	size_t			 i;

	for (i = 0; i < n; i++) {
		record_host.begin(sink);
		set_opt(sink, "source_id", recs[i].source_id);
		set_opt(sink, "title", recs[i].title);
		set_opt(sink, "start", recs[i].start);
		set_opt(sink, "summary", recs[i].summary);
		set_opt(sink, "location.name", recs[i].venue);
		set_opt(sink, "categories", recs[i].category);
		record_host.end(sink);
	}
	feed_end(sink, res);
}

static void
make_feed(const char *spoke, const struct rec *recs, size_t n,
    struct feed_result *res)
{
	make_feed_as(spoke, recs, n, NULL, res);
}

static void
make_items(const char *spoke, const struct item *items, size_t n,
    const char *identity, struct feed_result *res)
{
	struct record_sink	*sink = feed_begin(spoke, identity);
	size_t			 i;

	for (i = 0; i < n; i++) {
		record_host.begin(sink);
		set_opt(sink, "source_id", items[i].guid);
		set_opt(sink, "title", items[i].title);
		set_opt(sink, "start", items[i].start);
		set_opt(sink, "location.name", items[i].venue);
		set_opt(sink, "url", items[i].url);
		set_opt(sink, "state", items[i].state);
		record_host.end(sink);
	}
	feed_end(sink, res);
}

/* A plain good fetch at `when`. */
static struct feed_attempt
attempt(time_t when)
{
	return (struct feed_attempt){ .when = when, .status = 200,
	    .seconds = 0.25, .next_due = when + 3600 };
}

/*
 * Stores a feed as a refresh does, after reading it with the spoke's
 * stored identity mode as the floor (so `recs` or `items` is read here).
 */
static int
apply_either(struct store *s, const char *spoke, const struct rec *recs,
    const struct item *items, size_t n, time_t when)
{
	struct feed_result	 res;
	struct feed_attempt	 at = attempt(when);
	struct spoke_state	 ss;
	int			 rc;

	rc = store_spoke_state(s, spoke, &ss);
	cr_assert(rc == STORE_OK || rc == STORE_NOTFOUND);
	if (items != NULL)
		make_items(spoke, items, n, ss.identity, &res);
	else
		make_feed_as(spoke, recs, n, ss.identity, &res);
	spoke_state_clear(&ss);
	rc = store_apply_feed(s, spoke, &res, &at);
	feed_result_free(&res);
	return rc;
}

static int
apply(struct store *s, const char *spoke, const struct rec *recs, size_t n,
    time_t when)
{
	return apply_either(s, spoke, recs, NULL, n, when);
}

static int
apply_items(struct store *s, const char *spoke, const struct item *items,
    size_t n, time_t when)
{
	return apply_either(s, spoke, NULL, items, n, when);
}

/*
 * Runs a query on a second, plain connection and gives every row as
 * "a|b|c" lines, so a test can assert exactly what is stored.
 */
static char *
rows(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		*out = strdup(""), *tmp;
	const char	*v;
	int		 i, rc;

	cr_assert_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++) {
			v = (const char *)sqlite3_column_text(st, i);
			if (asprintf(&tmp, "%s%s%s", out, i ? "|" : "",
			    v != NULL ? v : "NULL") == -1)
				cr_assert_fail("asprintf");
			free(out);
			out = tmp;
		}
		if (asprintf(&tmp, "%s\n", out) == -1)
			cr_assert_fail("asprintf");
		free(out);
		out = tmp;
	}
	cr_assert_eq(rc, SQLITE_DONE, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static void
expect_rows(const char *sql, const char *want)
{
	char	*got = rows(sql);

	cr_expect_str_eq(got, want, "%s:\n got:\n%s want:\n%s", sql, got,
	    want);
	free(got);
}

/*
 * The full-text index holds exactly the live activities, word for word:
 * every term instance it has is the same as an index built afresh from
 * the live rows would have, and the other way round.  (FTS5's own
 * integrity-check does not look at an external content table.)
 */
static void
fts_in_step(void)
{
	sqlite3		*db;
	sqlite3_stmt	*st;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_expect_eq(sqlite3_exec(db, "INSERT INTO activities_fts"
	    "(activities_fts) VALUES ('integrity-check')", NULL, NULL, NULL),
	    SQLITE_OK, "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_exec(db,
	    "CREATE VIRTUAL TABLE temp.fresh USING fts5(title, summary, "
	    "description, organiser, venue, categories, hubs, "
	    "tokenize = 'porter unicode61 remove_diacritics 2');"
	    "INSERT INTO temp.fresh(rowid, title, summary, description, "
	    "organiser, venue, categories, hubs) SELECT seq, title, summary, "
	    "description, organiser, venue, categories, hubs FROM activities "
	    "WHERE deleted_at IS NULL;"
	    "CREATE VIRTUAL TABLE temp.v_main USING "
	    "fts5vocab(main, activities_fts, instance);"
	    "CREATE VIRTUAL TABLE temp.v_fresh USING "
	    "fts5vocab(temp, fresh, instance);", NULL, NULL, NULL), SQLITE_OK,
	    "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_prepare_v2(db,
	    "SELECT (SELECT count(*) FROM (SELECT * FROM temp.v_main EXCEPT "
	    "SELECT * FROM temp.v_fresh)), (SELECT count(*) FROM (SELECT * "
	    "FROM temp.v_fresh EXCEPT SELECT * FROM temp.v_main)), "
	    "(SELECT count(*) FROM temp.v_main)", -1, &st, NULL), SQLITE_OK,
	    "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_expect_eq(sqlite3_column_int(st, 0), 0,
	    "the index has %d term instances live rows do not",
	    sqlite3_column_int(st, 0));
	cr_expect_eq(sqlite3_column_int(st, 1), 0,
	    "the index lacks %d term instances of live rows",
	    sqlite3_column_int(st, 1));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The day the search tests look from: 2026-11-28, before their dates. */
#define SEARCH_NOW	((time_t)1795824000)

/* A query as query_parse() leaves it with no filters, over 60 days. */
static void
plain_query(struct query *sq, const char *hub, const char *q, size_t limit,
    const char *cursor)
{
	memset(sq, 0, sizeof *sq);
	sq->hub = (char *)(uintptr_t)hub;
	sq->q = q != NULL && q[strspn(q, " \t")] != '\0' ?
	    (char *)(uintptr_t)q : NULL;
	sq->from = SEARCH_NOW;
	sq->to = SEARCH_NOW + 60 * 86400;
	sq->after = sq->before = sq->age = -1;
	sq->online = sq->cost_free = -1;
	sq->max_cost = -1;
	sq->within = QUERY_DEFAULT_WITHIN;
	sq->sort = sq->q != NULL ? QUERY_SORT_RELEVANCE : QUERY_SORT_SOONEST;
	sq->limit = limit;
	sq->cursor = (char *)(uintptr_t)cursor;
}

/*
 * Runs a search; gives the ids found, space-separated, and the reply.
 * The occurrences are first moved to SEARCH_NOW, as the daemon's daily
 * pass would, since the tests apply feeds at made-up times.
 */
static int
search(struct store *s, const char *hub, const char *q, size_t limit,
    const char *cursor, char **ids, json_t **reply)
{
	struct query	 sq;
	json_t		*out = NULL, *r;
	char		 err[256] = "", *buf, *tmp;
	size_t		 i;
	int		 rc;

	cr_assert_eq(store_refresh_occurrences(s, SEARCH_NOW), STORE_OK);
	plain_query(&sq, hub, q, limit, cursor);
	rc = store_search(s, &sq, &out, err, sizeof err);
	buf = strdup("");
	if (rc == STORE_OK) {
		json_array_foreach(json_object_get(out, "results"), i, r) {
			if (asprintf(&tmp, "%s%s%s", buf, i ? " " : "",
			    json_string_value(json_object_get(r, "id"))) == -1)
				cr_assert_fail("asprintf");
			free(buf);
			buf = tmp;
		}
	}
	if (ids != NULL)
		*ids = buf;
	else
		free(buf);
	if (reply != NULL)
		*reply = out;
	else
		json_decref(out);
	return rc;
}

/* --- opening and migrations --- */

Test(store, migrates_an_empty_database)
{
	struct store	*s = open_store(), *s2;

	cr_expect_eq(store_schema_version(s), (int)store_nmigrations);
	cr_expect_geq(store_nmigrations, 3);
	store_close(s);
	expect_rows("SELECT name FROM sqlite_schema WHERE type = 'table' "
	    "AND name IN ('hubs', 'spokes', 'hub_spokes', 'activities', "
	    "'activities_fts') ORDER BY name",
	    "activities\nactivities_fts\nhub_spokes\nhubs\nspokes\n");
	expect_rows("SELECT count(*) FROM pragma_table_info('spokes') WHERE "
	    "name IN ('http_status', 'last_seconds', 'current_url', "
	    "'moved_from', 'moved_at', 'etag', 'last_modified', "
	    "'gone_since', 'identity')", "9\n");
	expect_rows("SELECT count(*) FROM pragma_table_info('activities') "
	    "WHERE name = 'deleted_at'", "1\n");
	expect_rows("SELECT count(*) FROM sqlite_schema WHERE name IN "
	    "('occurrences', 'activities_geo')", "2\n");
	cr_expect_eq(store_schema_version(s2 = open_store()), NEWEST);
	store_close(s2);
}

/*
 * A database made by the first release, with its data, is brought to the
 * current schema: what it held is kept, the index still finds it, and
 * the new columns read as never seen.
 */
Test(store, migrates_a_version_1_database)
{
	struct store	*s;
	sqlite3		*db;
	char		*ids;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, store_migrations[0].sql, NULL, NULL,
	    NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_exec(db,
	    "PRAGMA user_version = 1;"
	    "INSERT INTO hubs (id, name) VALUES ('north', 'North Hub');"
	    "INSERT INTO spokes (id, name, url, last_status, "
	    "consecutive_failures) VALUES ('art', 'Art Club', "
	    "'https://art.example/feed', 'failed', 3);"
	    "INSERT INTO hub_spokes VALUES ('north', 'art');"
	    "INSERT INTO activities (id, spoke, source_id, title, record, "
	    "content_hash) VALUES ('art:a', 'art', 'a', 'Old painting', "
	    "'{\"id\":\"art:a\",\"title\":\"Old painting\"}', 'x');",
	    NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);

	s = open_store();
	cr_expect_eq(store_schema_version(s), NEWEST);
	expect_rows("SELECT id, last_status, consecutive_failures, "
	    "current_url, etag, gone_since, identity FROM spokes",
	    "art|failed|3|NULL|NULL|NULL|NULL\n");
	expect_rows("SELECT id, deleted_at FROM activities", "art:a|NULL\n");
	fts_in_step();
	cr_expect_eq(search(s, "north", "painting", 20, NULL, &ids, NULL),
	    STORE_OK);
	cr_expect_str_eq(ids, "art:a");
	free(ids);

	/* and the next refresh replaces the old row in place */
	cr_assert_eq(store_sync_config(s, &conf), STORE_OK);
	cr_assert_eq(apply(s, "art", (struct rec[]){ { "a", "New painting",
	    NULL, NULL, NULL, NULL } }, 1, 1000), STORE_OK);
	expect_rows("SELECT seq, id, title, deleted_at FROM activities",
	    "1|art:a|New painting|NULL\n");
	fts_in_step();
	store_close(s);
}

Test(store, reopen_is_a_no_op)
{
	struct store	*s = open_synced();

	cr_assert_eq(apply(s, "art", (struct rec[]){ { "a", "Painting",
	    NULL, NULL, NULL, NULL } }, 1, 1000), STORE_OK);
	store_close(s);
	s = open_store();
	cr_expect_eq(store_schema_version(s), NEWEST);
	store_close(s);
	expect_rows("SELECT id, title FROM activities", "art:a|Painting\n");
}

Test(store, refuses_a_newer_database)
{
	struct store	*s = (struct store *)1;
	sqlite3		*db;
	char		 err[512] = "", want[512];

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_expect_eq(store_open(&s, dbpath, err, sizeof err), STORE_ERROR);
	cr_expect_null(s);
	snprintf(want, sizeof want, "database schema version 999 is newer "
	    "than this dayhubd knows (%d): refusing to open it; use a newer "
	    "dayhubd", NEWEST);
	cr_expect_str_eq(err, want);
	expect_rows("PRAGMA user_version", "999\n");
}

/* A migration that fails is rolled back whole and named. */
Test(store, failed_migration_rolls_back)
{
	struct store	*s = NULL;
	sqlite3		*db;
	char		 err[512] = "";

	/* a table in the way of the first migration */
	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE activities (x)", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_expect_eq(store_open(&s, dbpath, err, sizeof err), STORE_ERROR);
	cr_expect_null(s);
	cr_expect_str_eq(err, "schema migration 1 (001-initial) failed: "
	    "table activities already exists");
	expect_rows("PRAGMA user_version", "0\n");
	expect_rows("SELECT name FROM sqlite_schema WHERE type = 'table' "
	    "ORDER BY name", "activities\n");
}

Test(store, refuses_a_file_that_is_not_a_database)
{
	struct store	*s = NULL;
	FILE		*f;
	char		 err[512] = "";

	cr_assert_not_null(f = fopen(dbpath, "w"));
	fputs("this is not an SQLite database, not even close, no.....\n"
	    "................................................................",
	    f);
	fclose(f);
	cr_expect_eq(store_open(&s, dbpath, err, sizeof err), STORE_ERROR);
	cr_expect_null(s);
	cr_expect_not_null(strstr(err, "not a database"), "%s", err);
}

Test(store, refuses_a_missing_directory)
{
	struct store	*s = NULL;
	char		 err[512] = "", path[400];

	snprintf(path, sizeof path, "%s/no/such/dir/db", tmpdir);
	cr_expect_eq(store_open(&s, path, err, sizeof err), STORE_ERROR);
	cr_expect_null(s);
	cr_expect_neq(err[0], '\0');
}

Test(store, wal_mode)
{
	struct store	*s = open_store();

	store_close(s);
	expect_rows("PRAGMA journal_mode", "wal\n");
}

/* --- configuration --- */

Test(store, sync_config)
{
	struct store		*s = open_synced();
	struct config_hub	 one[1];
	struct config		 smaller;

	expect_rows("SELECT id, name, area, timezone, active FROM hubs "
	    "ORDER BY id",
	    "north|North Hub|North Dorset|Europe/London|1\n"
	    "south|South Hub|NULL|Europe/London|1\n");
	expect_rows("SELECT id, name, url, format, interval FROM spokes "
	    "ORDER BY id",
	    "art|Art Club|https://art.example/feed|rss|3600\n"
	    "garden|Garden Project|https://garden.example/feed|auto|0\n"
	    "swim|Swim Club|file:///feeds/swim.xml|ical|0\n");
	expect_rows("SELECT hub, spoke FROM hub_spokes ORDER BY hub, spoke",
	    "north|art\nnorth|garden\nsouth|garden\nsouth|swim\n");

	/* the art club's activities survive its removal from the config */
	cr_assert_eq(apply(s, "art", (struct rec[]){ { "a", "Painting",
	    NULL, NULL, NULL, NULL } }, 1, 1000), STORE_OK);
	one[0] = hubs[0];
	one[0].name = S("North Hub (renamed)");
	one[0].spokes = &north_spokes[1];
	one[0].nspokes = 1;
	memset(&smaller, 0, sizeof smaller);
	smaller.hubs = one;
	smaller.nhubs = 1;
	cr_assert_eq(store_sync_config(s, &smaller), STORE_OK);
	expect_rows("SELECT id, name, active FROM hubs ORDER BY id",
	    "north|North Hub (renamed)|1\nsouth|South Hub|0\n");
	expect_rows("SELECT hub, spoke FROM hub_spokes ORDER BY hub, spoke",
	    "north|garden\n");
	expect_rows("SELECT id FROM spokes ORDER BY id", "art\ngarden\nswim\n");
	expect_rows("SELECT id FROM activities", "art:a\n");

	/* and a sync back restores the links */
	cr_assert_eq(store_sync_config(s, &conf), STORE_OK);
	expect_rows("SELECT hub, spoke FROM hub_spokes ORDER BY hub, spoke",
	    "north|art\nnorth|garden\nsouth|garden\nsouth|swim\n");
	store_close(s);
}

/* --- refreshes --- */

#define ACT_ROWS	"SELECT id, spoke, source_id, title, start_utc, " \
			"start_text, summary FROM activities " \
			"WHERE deleted_at IS NULL ORDER BY id"

Test(store, apply_feed_insert_update_delete)
{
	struct store	*s = open_synced();
	char		*seq_a, *seq_a2;

	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", "2026-12-01T10:00", "Watercolours", NULL, NULL },
	    { "b", "Pottery", "2026-07-01T10:00", NULL, NULL, NULL },
	    { "c", "Drawing", NULL, NULL, NULL, NULL },
	}, 3, 1000), STORE_OK);
	expect_rows(ACT_ROWS,
	    "art:a|art|a|Painting|1796119200|2026-12-01T10:00:00+00:00|"
	    "Watercolours\n"
	    "art:b|art|b|Pottery|1782896400|2026-07-01T10:00:00+01:00|NULL\n"
	    "art:c|art|c|Drawing|NULL|NULL|NULL\n");
	seq_a = rows("SELECT seq FROM activities WHERE id = 'art:a'");

	/* a unchanged, b changed, c gone, d new */
	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", "2026-12-01T10:00", "Watercolours", NULL, NULL },
	    { "b", "Pottery for beginners", "2026-07-01T10:00", NULL, NULL,
	      NULL },
	    { "d", "Printmaking", "2026-12-01T10:00:00Z", NULL, NULL, NULL },
	}, 3, 2000), STORE_OK);
	expect_rows(ACT_ROWS,
	    "art:a|art|a|Painting|1796119200|2026-12-01T10:00:00+00:00|"
	    "Watercolours\n"
	    "art:b|art|b|Pottery for beginners|1782896400|"
	    "2026-07-01T10:00:00+01:00|NULL\n"
	    "art:d|art|d|Printmaking|1796119200|2026-12-01T10:00:00Z|NULL\n");
	expect_rows("SELECT id, deleted_at FROM activities "
	    "WHERE deleted_at IS NOT NULL", "art:c|2000\n");
	seq_a2 = rows("SELECT seq FROM activities WHERE id = 'art:a'");
	cr_expect_str_eq(seq_a, seq_a2, "an unchanged record is not rewritten");
	free(seq_a);
	free(seq_a2);

	/* the index followed: the old title is gone, the new one found */
	expect_rows("SELECT a.id FROM activities_fts f JOIN activities a "
	    "ON a.seq = f.rowid WHERE activities_fts MATCH 'drawing'", "");
	expect_rows("SELECT a.id FROM activities_fts f JOIN activities a "
	    "ON a.seq = f.rowid WHERE activities_fts MATCH 'beginners'",
	    "art:b\n");
	fts_in_step();

	/* another spoke's refresh leaves these alone */
	cr_assert_eq(apply(s, "garden", (struct rec[]){
	    { "g1", "Gardening", NULL, NULL, NULL, NULL },
	}, 1, 2500), STORE_OK);

	/* an empty feed empties the spoke's listing */
	cr_assert_eq(apply(s, "art", NULL, 0, 3000), STORE_OK);
	expect_rows("SELECT id FROM activities WHERE deleted_at IS NULL "
	    "ORDER BY id", "garden:g1\n");
	expect_rows("SELECT id, deleted_at FROM activities "
	    "WHERE deleted_at IS NOT NULL ORDER BY id",
	    "art:a|3000\nart:b|3000\nart:c|2000\nart:d|3000\n");
	expect_rows("SELECT count(*) FROM activities_fts WHERE activities_fts "
	    "MATCH 'painting OR pottery OR printmaking'", "0\n");
	fts_in_step();
	store_close(s);
}

/* A record the feed says was deleted becomes a tombstone. */
Test(store, apply_feed_deleted_records_become_tombstones)
{
	struct store		*s = open_synced();
	struct feed_result	 res;
	struct feed_attempt	 at = attempt(2000);

	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery", NULL, NULL, NULL, NULL },
	}, 2, 1000), STORE_OK);
	make_items("art", (struct item[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", NULL, NULL, NULL, NULL, "deleted" },
	    { "z", NULL, NULL, NULL, NULL, "deleted" },
	}, 3, NULL, &res);
	cr_expect_eq(store_apply_feed(s, "art", &res, &at), STORE_OK);
	feed_result_free(&res);
	/* b keeps what it last said; z, never seen, leaves no trace */
	expect_rows("SELECT id, title, deleted_at FROM activities ORDER BY id",
	    "art:a|Painting|NULL\nart:b|Pottery|2000\n");
	expect_rows("SELECT last_records FROM spokes WHERE id = 'art'", "1\n");
	fts_in_step();
	store_close(s);
}

/* A refresh that fails part-way changes nothing at all. */
Test(store, failed_apply_leaves_the_previous_state)
{
	static const char *const breakers[] = {
		"no id", "other spoke", "no title", "not an object",
	};
	struct store		*s = open_synced();
	struct feed_result	 res;
	struct feed_attempt	 at = attempt(2000);
	char			*before, *health, *after;
	json_t			*rec;
	size_t			 i;

	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery", NULL, NULL, NULL, NULL },
	}, 2, 1000), STORE_OK);
	before = rows("SELECT * FROM activities ORDER BY id");
	health = rows("SELECT * FROM spokes ORDER BY id");

	for (i = 0; i < nitems(breakers); i++) {
		make_feed("art", (struct rec[]){
		    { "a", "Painting, changed", NULL, NULL, NULL, NULL },
		    { "c", "Collage", NULL, NULL, NULL, NULL },
		    { "d", "Drawing", NULL, NULL, NULL, NULL },
		}, 3, &res);
		/* the last record breaks the rules after the others wrote */
		rec = json_array_get(res.records, 2);
		switch (i) {
		case 0:
			json_object_del(rec, "id");
			break;
		case 1:
			json_object_set_new(rec, "id",
			    json_string("garden:d"));
			break;
		case 2:
			json_object_del(rec, "title");
			break;
		case 3:
			json_array_set_new(res.records, 2, json_integer(3));
			break;
		}
		cr_expect_eq(store_apply_feed(s, "art", &res, &at),
		    STORE_ERROR, "%s", breakers[i]);
		feed_result_free(&res);
		after = rows("SELECT * FROM activities ORDER BY id");
		cr_expect_str_eq(after, before, "%s", breakers[i]);
		free(after);
		after = rows("SELECT * FROM spokes ORDER BY id");
		cr_expect_str_eq(after, health, "%s", breakers[i]);
		free(after);
	}
	fts_in_step();

	/* and the store still works afterwards */
	cr_expect_eq(apply(s, "art", (struct rec[]){
	    { "c", "Collage", NULL, NULL, NULL, NULL },
	}, 1, 3000), STORE_OK);
	expect_rows("SELECT id FROM activities WHERE deleted_at IS NULL "
	    "ORDER BY id", "art:c\n");
	free(before);
	free(health);
	store_close(s);
}

Test(store, apply_feed_unknown_spoke)
{
	struct store	*s = open_synced();

	cr_expect_eq(apply(s, "nosuch", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	}, 1, 1000), STORE_NOTFOUND);
	expect_rows("SELECT count(*) FROM activities", "0\n");
	store_close(s);
}

/* --- feed health --- */

enum step_kind {
	STEP_OK,		/* a good read of a and b */
	STEP_FAILED,
	STEP_UNCHANGED,		/* a 304 */
	STEP_SYNC		/* the config again, art at `url` */
};

struct health_step {
	enum step_kind		 kind;
	struct feed_attempt	 at;
	const char		*url;
	const char		*want;
};

#define HEALTH_ROW	"SELECT last_attempt, last_success, last_status, " \
			"http_status, last_error, last_records, " \
			"consecutive_failures, next_due, etag, " \
			"last_modified, gone_since, current_url, " \
			"moved_from, moved_at, identity FROM spokes " \
			"WHERE id = 'art'"
#define ART_URL		"https://art.example/feed"
#define NEW_URL		"https://art.example/new"
#define NEWER_URL	"https://art.example/newer"

static const struct health_step health_steps[] = {
	{ STEP_OK, { .when = 1000, .status = 200, .seconds = 0.5,
	  .etag = "\"e1\"", .last_modified = "LM1", .next_due = 4600 }, NULL,
	  "1000|1000|ok|200|NULL|2|0|4600|\"e1\"|LM1|NULL|NULL|NULL|NULL|guid" },
	/* failures count up; the last good read is kept */
	{ STEP_FAILED, { .when = 2000, .status = 500,
	  .error = "HTTP 500: Internal Server Error", .next_due = 2600 },
	  NULL, "2000|1000|failed|500|HTTP 500: Internal Server Error|2|1|"
	  "2600|\"e1\"|LM1|NULL|NULL|NULL|NULL|guid" },
	/* the first 404 starts a run of them */
	{ STEP_FAILED, { .when = 3000, .status = 404, .gone = 1,
	  .error = "HTTP 404: Not Found", .next_due = 4000 }, NULL,
	  "3000|1000|failed|404|HTTP 404: Not Found|2|2|4000|\"e1\"|LM1|3000|"
	  "NULL|NULL|NULL|guid" },
	/* a timeout amid them does not end the run */
	{ STEP_FAILED, { .when = 4000, .error = "timed out after 30 s",
	  .next_due = 5000 }, NULL,
	  "4000|1000|failed|NULL|timed out after 30 s|2|3|5000|\"e1\"|LM1|"
	  "3000|NULL|NULL|NULL|guid" },
	{ STEP_FAILED, { .when = 5000, .status = 410, .gone = 1,
	  .next_due = 9000 }, NULL,
	  "5000|1000|failed|410|the refresh failed|2|4|9000|\"e1\"|LM1|3000|"
	  "NULL|NULL|NULL|guid" },
	/* a 304 is a success: failures and gone_since go, validators stay
	   unless it sends new ones */
	{ STEP_UNCHANGED, { .when = 6000, .status = 304,
	  .last_modified = "LM2", .next_due = 9600 }, NULL,
	  "6000|6000|unchanged|304|NULL|2|0|9600|\"e1\"|LM2|NULL|NULL|NULL|"
	  "NULL|guid" },
	/* a 200 without validators clears them; a permanent move is kept */
	{ STEP_OK, { .when = 7000, .status = 200, .moved_to = NEW_URL,
	  .next_due = 10600 }, NULL,
	  "7000|7000|ok|200|NULL|2|0|10600|NULL|NULL|NULL|" NEW_URL "|"
	  ART_URL "|7000|guid" },
	/* a failure does not move the feed */
	{ STEP_FAILED, { .when = 8000, .status = 404, .gone = 1,
	  .error = "HTTP 404", .moved_to = "https://elsewhere.example/",
	  .next_due = 8600 }, NULL,
	  "8000|7000|failed|404|HTTP 404|2|1|8600|NULL|NULL|8000|" NEW_URL "|"
	  ART_URL "|7000|guid" },
	/* a redirect to where it already is is no move */
	{ STEP_OK, { .when = 9000, .status = 200, .moved_to = NEW_URL,
	  .etag = "", .next_due = 12600 }, NULL,
	  "9000|9000|ok|200|NULL|2|0|12600|NULL|NULL|NULL|" NEW_URL "|"
	  ART_URL "|7000|guid" },
	{ STEP_UNCHANGED, { .when = 10000, .status = 304,
	  .moved_to = NEWER_URL, .etag = "\"e2\"", .next_due = 13600 }, NULL,
	  "10000|10000|unchanged|304|NULL|2|0|13600|\"e2\"|NULL|NULL|"
	  NEWER_URL "|" NEW_URL "|10000|guid" },
	/* moving back to the configured url is a move too */
	{ STEP_OK, { .when = 11000, .status = 200, .moved_to = ART_URL,
	  .etag = "\"e3\"", .next_due = 14600 }, NULL,
	  "11000|11000|ok|200|NULL|2|0|14600|\"e3\"|NULL|NULL|NULL|"
	  NEWER_URL "|11000|guid" },
	/* a config with the same url changes nothing */
	{ STEP_SYNC, { 0 }, ART_URL,
	  "11000|11000|ok|200|NULL|2|0|14600|\"e3\"|NULL|NULL|NULL|"
	  NEWER_URL "|11000|guid" },
	{ STEP_FAILED, { .when = 12000, .status = 404, .gone = 1,
	  .error = "HTTP 404", .next_due = 99000 }, NULL,
	  "12000|11000|failed|404|HTTP 404|2|1|99000|\"e3\"|NULL|12000|NULL|"
	  NEWER_URL "|11000|guid" },
	/* a new url in the config is a new feed, due at once */
	{ STEP_SYNC, { 0 }, "https://art.example/v2",
	  "12000|11000|failed|404|HTTP 404|2|0|NULL|NULL|NULL|NULL|NULL|NULL|"
	  "NULL|NULL" },
};

/* Reads a and b into art as a refresh would, with attempt `at`. */
static int
apply_attempt(struct store *s, const struct feed_attempt *at)
{
	struct feed_result	res;
	int			rc;

	make_feed("art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery", NULL, NULL, NULL, NULL },
	}, 2, &res);
	rc = store_apply_feed(s, "art", &res, at);
	feed_result_free(&res);
	return rc;
}

/* Syncs the config of the tests with `spoke`'s url changed. */
static void
sync_url(struct store *s, const char *spoke, const char *url)
{
	struct config_spoke	ns[nitems(north_spokes)];
	struct config_spoke	ss[nitems(south_spokes)];
	struct config_hub	hs[nitems(hubs)];
	struct config		c = conf;
	size_t			i;

	memcpy(ns, north_spokes, sizeof ns);
	memcpy(ss, south_spokes, sizeof ss);
	memcpy(hs, hubs, sizeof hs);
	for (i = 0; i < nitems(ns); i++)
		if (strcmp(ns[i].id, spoke) == 0)
			ns[i].url = (char *)(uintptr_t)url;
	for (i = 0; i < nitems(ss); i++)
		if (strcmp(ss[i].id, spoke) == 0)
			ss[i].url = (char *)(uintptr_t)url;
	hs[0].spokes = ns;
	hs[1].spokes = ss;
	c.hubs = hs;
	cr_assert_eq(store_sync_config(s, &c), STORE_OK);
}

/* Each transition of a spoke's health leaves exactly the row it should. */
Test(store, health_transitions)
{
	struct store	*s = open_synced();
	size_t		 i;
	int		 rc = STORE_OK;

	for (i = 0; i < nitems(health_steps); i++) {
		const struct health_step *h = &health_steps[i];

		switch (h->kind) {
		case STEP_OK:
			rc = apply_attempt(s, &h->at);
			break;
		case STEP_FAILED:
			rc = store_feed_failed(s, "art", &h->at);
			break;
		case STEP_UNCHANGED:
			rc = store_feed_unchanged(s, "art", &h->at);
			break;
		case STEP_SYNC:
			sync_url(s, "art", h->url);
			break;
		}
		cr_expect_eq(rc, STORE_OK, "step %zu", i);
		{
			char	*got = rows(HEALTH_ROW);
			size_t	 len = strlen(got);

			cr_expect(len > 0 && got[len - 1] == '\n');
			got[len - 1] = '\0';
			cr_expect_str_eq(got, h->want, "step %zu:\n got: %s\n"
			    " want: %s", i, got, h->want);
			free(got);
		}
		/* the activities are a refresh's alone to change */
		expect_rows("SELECT id FROM activities ORDER BY id",
		    "art:a\nart:b\n");
	}
	store_close(s);
}

/* Warnings kept: the first five; errors cut to size on a character. */
Test(store, health_limits)
{
	struct store		*s = open_synced();
	struct feed_result	 res;
	struct feed_attempt	 at = attempt(1000);
	char			 err[1100], *got;
	size_t			 i;

	make_feed("art", NULL, 0, &res);
	for (i = 0; i < 7; i++)
		json_array_append_new(res.warnings, json_pack("{s:I,s:s}",
		    "line", (json_int_t)i, "message", "w"));
	res.nwarnings += 7;
	cr_assert_eq(store_apply_feed(s, "art", &res, &at), STORE_OK);
	feed_result_free(&res);
	expect_rows("SELECT last_warnings, json_array_length(warnings_json), "
	    "json_extract(warnings_json, '$[4].line') FROM spokes "
	    "WHERE id = 'art'", "8|5|3\n");

	/* 1023 bytes of 'x', then a two-byte character across the limit */
	memset(err, 'x', 1023);
	memcpy(err + 1023, "\xc3\xa9 and more", 12);
	at.error = err;
	cr_assert_eq(store_feed_failed(s, "art", &at), STORE_OK);
	got = rows("SELECT length(CAST(last_error AS BLOB)) FROM spokes "
	    "WHERE id = 'art'");
	cr_expect_str_eq(got, "1023\n");
	free(got);
	store_close(s);
}

/* An unknown spoke is refused by every health call, and nothing changes. */
Test(store, health_unknown_spoke)
{
	struct store		*s = open_synced();
	struct feed_attempt	 at = attempt(1000);
	struct spoke_state	 ss;
	char			*before;

	before = rows("SELECT * FROM spokes ORDER BY id");
	cr_expect_eq(store_feed_failed(s, "nosuch", &at), STORE_NOTFOUND);
	cr_expect_eq(store_feed_unchanged(s, "nosuch", &at), STORE_NOTFOUND);
	cr_expect_eq(store_spoke_state(s, "nosuch", &ss), STORE_NOTFOUND);
	cr_expect_null(ss.identity);
	cr_expect_eq(ss.failures, 0);
	spoke_state_clear(&ss);
	expect_rows("SELECT * FROM spokes ORDER BY id", before);
	free(before);
	store_close(s);
}

/* store_spoke_state gives the scheduler what it resumes from. */
Test(store, spoke_state)
{
	struct store		*s = open_synced();
	struct spoke_state	 ss;
	struct feed_attempt	 at = { .when = 1000, .status = 200,
				    .etag = "\"v1\"",
				    .last_modified = "Tue, 01 Dec 2026",
				    .moved_to = NEW_URL, .next_due = 4600 };

	cr_assert_eq(store_spoke_state(s, "art", &ss), STORE_OK);
	cr_expect_null(ss.current_url);
	cr_expect_null(ss.etag);
	cr_expect_null(ss.last_modified);
	cr_expect_null(ss.identity);
	cr_expect_eq(ss.next_due, 0);
	cr_expect_eq(ss.last_success, 0);
	cr_expect_eq(ss.gone_since, 0);
	cr_expect_eq(ss.failures, 0);
	spoke_state_clear(&ss);

	cr_assert_eq(apply_attempt(s, &at), STORE_OK);
	at = (struct feed_attempt){ .when = 2000, .status = 410, .gone = 1,
	    .next_due = 9000 };
	cr_assert_eq(store_feed_failed(s, "art", &at), STORE_OK);
	cr_assert_eq(store_spoke_state(s, "art", &ss), STORE_OK);
	cr_expect_str_eq(ss.current_url, NEW_URL);
	cr_expect_str_eq(ss.etag, "\"v1\"");
	cr_expect_str_eq(ss.last_modified, "Tue, 01 Dec 2026");
	cr_expect_str_eq(ss.identity, "guid");
	cr_expect_eq(ss.next_due, 9000);
	cr_expect_eq(ss.last_success, 1000);
	cr_expect_eq(ss.gone_since, 2000);
	cr_expect_eq(ss.failures, 1);
	spoke_state_clear(&ss);
	cr_expect_null(ss.etag);
	spoke_state_clear(&ss);		/* twice is harmless */
	store_close(s);
}

/* store_spokes: a hub's spokes and their health, exactly. */
Test(store, spokes_of_a_hub)
{
	struct store		*s = open_synced();
	struct feed_attempt	 at = { .when = 1000, .status = 200,
				    .seconds = 0.5, .bytes = 2048,
				    .moved_to = NEW_URL, .next_due = 4600 };
	struct feed_result	 res;
	struct config		 none;
	json_t			*out = NULL;
	char			*txt;

	cr_assert_eq(apply_attempt(s, &at), STORE_OK);
	/* b is a tombstone now */
	make_feed("art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	}, 1, &res);
	at = attempt(2000);
	at.etag = "\"v7\"";
	cr_assert_eq(store_apply_feed(s, "art", &res, &at), STORE_OK);
	feed_result_free(&res);
	at = (struct feed_attempt){ .when = 3000, .status = 404, .gone = 1,
	    .error = "HTTP 404: Not Found", .next_due = 3600 };
	cr_assert_eq(store_feed_failed(s, "art", &at), STORE_OK);

	cr_assert_eq(store_spokes(s, "north", &out), STORE_OK);
	txt = json_dumps(out, JSON_COMPACT);
	cr_expect_str_eq(txt, "{\"hub\":\"north\",\"spokes\":["
	    "{\"id\":\"art\",\"name\":\"Art Club\","
	    "\"url\":\"https://art.example/feed\","
	    "\"current_url\":\"https://art.example/new\",\"format\":\"rss\","
	    "\"last_attempt\":\"1970-01-01T00:50:00Z\","
	    "\"last_success\":\"1970-01-01T00:33:20Z\","
	    "\"status\":\"failed\",\"http_status\":404,"
	    "\"error\":\"HTTP 404: Not Found\",\"bytes\":1234,"
	    "\"seconds\":0.25,\"records\":1,\"warnings\":1,"
	    "\"first_warnings\":[{\"line\":7,"
	    "\"message\":\"a warning the health keeps\"}],"
	    "\"failures\":1,\"next_due\":\"1970-01-01T01:00:00Z\","
	    "\"moved_from\":\"https://art.example/feed\","
	    "\"moved_at\":\"1970-01-01T00:16:40Z\","
	    "\"gone_since\":\"1970-01-01T00:50:00Z\",\"identity\":\"guid\","
	    "\"etag\":\"\\\"v7\\\"\",\"last_modified\":null},"
	    "{\"id\":\"garden\",\"name\":\"Garden Project\","
	    "\"url\":\"https://garden.example/feed\",\"current_url\":null,"
	    "\"format\":\"auto\",\"last_attempt\":null,\"last_success\":null,"
	    "\"status\":null,\"http_status\":null,\"error\":null,"
	    "\"bytes\":null,\"seconds\":null,\"records\":0,\"warnings\":null,"
	    "\"first_warnings\":[],\"failures\":0,\"next_due\":null,"
	    "\"moved_from\":null,\"moved_at\":null,\"gone_since\":null,"
	    "\"identity\":null,\"etag\":null,\"last_modified\":null}]}");
	free(txt);
	json_decref(out);

	out = NULL;
	cr_expect_eq(store_spokes(s, "nowhere", &out), STORE_NOTFOUND);
	cr_expect_null(out);
	memset(&none, 0, sizeof none);
	cr_assert_eq(store_sync_config(s, &none), STORE_OK);
	cr_expect_eq(store_spokes(s, "north", &out), STORE_NOTFOUND);
	cr_expect_null(out);
	store_close(s);
}

/* --- tombstones --- */

/* A record that leaves its feed leaves the directory, but not the store. */
Test(store, tombstones)
{
	struct store	*s = open_synced();
	json_t		*out = NULL, *a;
	char		*ids, *seq_b, *seq_b2, *txt;

	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery", "2026-12-01T10:00", NULL, NULL, NULL },
	    { "c", "Collage", NULL, NULL, NULL, NULL },
	}, 3, 1000), STORE_OK);
	seq_b = rows("SELECT seq FROM activities WHERE id = 'art:b'");

	/* b vanishes: out of search, listings and counts */
	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "c", "Collage", NULL, NULL, NULL, NULL },
	}, 2, 2000), STORE_OK);
	expect_rows("SELECT id, deleted_at FROM activities ORDER BY id",
	    "art:a|NULL\nart:b|2000\nart:c|NULL\n");
	cr_expect_eq(search(s, "north", "pottery", 20, NULL, &ids, NULL),
	    STORE_OK);
	cr_expect_str_eq(ids, "");
	free(ids);
	cr_expect_eq(search(s, "north", "", 20, NULL, &ids, NULL), STORE_OK);
	cr_expect_str_eq(ids, "art:a art:c");
	free(ids);
	cr_assert_eq(store_hubs(s, &out), STORE_OK);
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(
	    json_object_get(out, "hubs"), 0), "activities")), 2);
	json_decref(out);
	expect_rows("SELECT last_records FROM spokes WHERE id = 'art'", "2\n");
	fts_in_step();

	/* but a lookup by id still finds it, marked deleted */
	cr_assert_eq(store_get(s, "art:b", &out), STORE_OK);
	a = json_object_get(out, "activity");
	txt = json_dumps(a, JSON_COMPACT);
	cr_expect_str_eq(txt, "{\"id\":\"art:b\",\"spoke\":\"art\","
	    "\"source_id\":\"b\",\"state\":\"deleted\",\"title\":\"Pottery\","
	    "\"start\":\"2026-12-01T10:00:00+00:00\","
	    "\"timezone\":\"Europe/London\","
	    "\"deleted_at\":\"1970-01-01T00:33:20Z\",\"hubs\":[\"north\"]}");
	free(txt);
	json_decref(out);

	/* a later refresh without it leaves its time of leaving alone */
	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "c", "Collage", NULL, NULL, NULL, NULL },
	}, 2, 3000), STORE_OK);
	expect_rows("SELECT deleted_at FROM activities WHERE id = 'art:b'",
	    "2000\n");

	/* it comes back, edited: the same row, live again */
	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery again", "2026-12-01T10:00", NULL, NULL, NULL },
	    { "c", "Collage", NULL, NULL, NULL, NULL },
	}, 3, 4000), STORE_OK);
	seq_b2 = rows("SELECT seq FROM activities WHERE id = 'art:b'");
	cr_expect_str_eq(seq_b2, seq_b);
	free(seq_b2);
	expect_rows("SELECT id, title, deleted_at FROM activities "
	    "WHERE id = 'art:b'", "art:b|Pottery again|NULL\n");
	cr_expect_eq(search(s, "north", "pottery", 20, NULL, &ids, NULL),
	    STORE_OK);
	cr_expect_str_eq(ids, "art:b");
	free(ids);
	cr_assert_eq(store_get(s, "art:b", &out), STORE_OK);
	a = json_object_get(out, "activity");
	cr_expect_str_eq(json_string_value(json_object_get(a, "state")),
	    "updated");
	cr_expect_null(json_object_get(a, "deleted_at"));
	json_decref(out);
	fts_in_step();

	/* and unchanged, it comes back just the same */
	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	}, 1, 5000), STORE_OK);
	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery again", "2026-12-01T10:00", NULL, NULL, NULL },
	}, 2, 6000), STORE_OK);
	seq_b2 = rows("SELECT seq FROM activities WHERE id = 'art:b'");
	cr_expect_str_eq(seq_b2, seq_b);
	free(seq_b2);
	expect_rows("SELECT id, deleted_at FROM activities ORDER BY id",
	    "art:a|NULL\nart:b|NULL\nart:c|5000\n");
	fts_in_step();
	free(seq_b);
	store_close(s);
}

/* Purging removes tombstones older than the instant given, nothing else. */
Test(store, purge_tombstones)
{
	struct store	*s = open_synced();
	json_t		*out = NULL;

	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery", NULL, NULL, NULL, NULL },
	    { "c", "Collage", NULL, NULL, NULL, NULL },
	}, 3, 1000), STORE_OK);
	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "c", "Collage", NULL, NULL, NULL, NULL },
	}, 2, 2000), STORE_OK);
	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	}, 1, 3000), STORE_OK);

	cr_expect_eq(store_purge_tombstones(s, 2000), STORE_OK);
	expect_rows("SELECT id, deleted_at FROM activities ORDER BY id",
	    "art:a|NULL\nart:b|2000\nart:c|3000\n");
	cr_expect_eq(store_purge_tombstones(s, 2001), STORE_OK);
	expect_rows("SELECT id, deleted_at FROM activities ORDER BY id",
	    "art:a|NULL\nart:c|3000\n");
	cr_expect_eq(store_get(s, "art:b", &out), STORE_NOTFOUND);
	fts_in_step();
	cr_expect_eq(store_purge_tombstones(s, 999999), STORE_OK);
	expect_rows("SELECT id FROM activities ORDER BY id", "art:a\n");
	fts_in_step();

	/* a purged record that comes back is simply new */
	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery", NULL, NULL, NULL, NULL },
	}, 2, 4000), STORE_OK);
	expect_rows("SELECT id, deleted_at FROM activities ORDER BY id",
	    "art:a|NULL\nart:b|NULL\n");
	fts_in_step();
	store_close(s);
}

/* --- identities across refreshes --- */

#define LIVE_IDS	"SELECT id FROM activities WHERE spoke = 'garden' " \
			"AND deleted_at IS NULL ORDER BY id"

/* An edit of a record with a stable identity is an edit, not a new one. */
Test(store, edits_keep_the_id)
{
	static const struct item first[] = {
		{ "g1", "Digging", "2026-12-01T10:00", NULL,
		  "https://garden.example/1", NULL },
		{ "g2", "Weeding", "2026-12-02T10:00", NULL,
		  "https://garden.example/2", NULL },
	};
	struct store	*s = open_synced();
	char		*seqs, *hashes, *got, *line;

	cr_assert_eq(apply_items(s, "garden", first, 2, 1000), STORE_OK);
	seqs = rows("SELECT id, seq FROM activities ORDER BY id");
	hashes = rows("SELECT id, content_hash FROM activities ORDER BY id");

	/* the same content: the same hash, nothing rewritten */
	cr_assert_eq(apply_items(s, "garden", first, 2, 2000), STORE_OK);
	expect_rows("SELECT id, content_hash FROM activities ORDER BY id",
	    hashes);

	/* a new title; a new time and link: the same rows, new hashes */
	cr_assert_eq(apply_items(s, "garden", (struct item[]){
	    { "g1", "Digging deeper", "2026-12-01T10:00", NULL,
	      "https://garden.example/1", NULL },
	    { "g2", "Weeding", "2026-12-09T11:00", NULL,
	      "https://garden.example/weeding", NULL },
	}, 2, 3000), STORE_OK);
	expect_rows("SELECT id, seq FROM activities ORDER BY id", seqs);
	expect_rows("SELECT id, title, start_text FROM activities "
	    "WHERE deleted_at IS NULL ORDER BY id",
	    "garden:g1|Digging deeper|2026-12-01T10:00:00+00:00\n"
	    "garden:g2|Weeding|2026-12-09T11:00:00+00:00\n");
	/* each row's hash changed, line by line */
	got = rows("SELECT id, content_hash FROM activities ORDER BY id");
	for (line = strtok(hashes, "\n"); line != NULL;
	    line = strtok(NULL, "\n"))
		cr_expect_null(strstr(got, line), "%s unchanged", line);
	free(got);
	fts_in_step();
	free(seqs);
	free(hashes);
	store_close(s);
}

struct ident_step {
	struct item	 items[2];
	size_t		 n;
	const char	*identity;	/* the mode stored after it */
	const char	*live;		/* live ids after it; NULL: hashes */
	size_t		 rows;		/* rows, tombstones included */
};

#define G1	"https://g.example/1"
#define G2	"https://g.example/2"
#define D1	"2026-12-01T10:00"
#define D8	"2026-12-08T10:00"

/*
 * One spoke's feed over seven refreshes: its guids go bad, and the mode it
 * falls back to holds even once they look clean again; when links repeat
 * too, title, start and location take over, and hold.
 */
static const struct ident_step ident_steps[] = {
	/* clean guids */
	{ { { "x", "Digging", D1, NULL, G1, NULL },
	    { "y", "Weeding", D8, NULL, G2, NULL } }, 2, "guid",
	  "garden:x\ngarden:y\n", 2 },
	/* two different items share a guid: links, for the whole feed */
	{ { { "x", "Digging", D1, NULL, G1, NULL },
	    { "x", "Weeding", D8, NULL, G2, NULL } }, 2, "link",
	  "garden:" G1 "\ngarden:" G2 "\n", 4 },
	/* the guids are clean again, but the links hold */
	{ { { "x", "Digging", D1, NULL, G1, NULL },
	    { "y", "Weeding", D8, NULL, G2, NULL } }, 2, "link",
	  "garden:" G1 "\ngarden:" G2 "\n", 4 },
	/* an item leaves */
	{ { { "x", "Digging", D1, NULL, G1, NULL } }, 1, "link",
	  "garden:" G1 "\n", 4 },
	/* and comes back, as the same activity: no new row */
	{ { { "x", "Digging", D1, NULL, G1, NULL },
	    { "y", "Weeding", D8, NULL, G2, NULL } }, 2, "link",
	  "garden:" G1 "\ngarden:" G2 "\n", 4 },
	/* no guids, and one link for both: title, start and location */
	{ { { NULL, "Digging", D1, "Plot 1", "https://g.example/", NULL },
	    { NULL, "Digging", D8, "Plot 1", "https://g.example/", NULL } },
	  2, "hash", NULL, 6 },
	/* and the hash holds even with clean guids and links */
	{ { { "x", "Digging", D1, "Plot 1", G1, NULL },
	    { "y", "Digging", D8, "Plot 1", G2, NULL } }, 2, "hash", NULL,
	  6 },
};

Test(store, identity_modes_hold_across_refreshes)
{
	struct store	*s = open_synced();
	char		*hashed = NULL, *got, want[32];
	size_t		 i;

	for (i = 0; i < nitems(ident_steps); i++) {
		const struct ident_step *t = &ident_steps[i];

		cr_assert_eq(apply_items(s, "garden", t->items, t->n,
		    1000 * (time_t)(i + 1)), STORE_OK, "step %zu", i);
		snprintf(want, sizeof want, "%s\n", t->identity);
		expect_rows("SELECT identity FROM spokes WHERE id = 'garden'",
		    want);
		got = rows(LIVE_IDS);
		if (t->live != NULL)
			cr_expect_str_eq(got, t->live, "step %zu: %s", i, got);
		else if (hashed == NULL)
			hashed = strdup(got);
		else	/* the same items, the same hashed ids */
			cr_expect_str_eq(got, hashed, "step %zu: %s", i, got);
		free(got);
		snprintf(want, sizeof want, "%zu\n", t->rows);
		expect_rows("SELECT count(*) FROM activities "
		    "WHERE spoke = 'garden'", want);
	}
	/* two live hashed ids of 16 hex digits */
	cr_assert_not_null(hashed);
	cr_expect_eq(strlen(hashed), 2 * strlen("garden:0123456789abcdef\n"),
	    "%s", hashed);
	free(hashed);
	fts_in_step();

	/* the same url again keeps the mode */
	sync_url(s, "garden", "https://garden.example/feed");
	expect_rows("SELECT identity FROM spokes WHERE id = 'garden'",
	    "hash\n");
	/* a new url is a new feed: its ids are judged afresh */
	sync_url(s, "garden", "https://garden.example/v2");
	expect_rows("SELECT identity FROM spokes WHERE id = 'garden'",
	    "NULL\n");
	cr_assert_eq(apply_items(s, "garden", ident_steps[0].items, 2, 9000),
	    STORE_OK);
	expect_rows("SELECT identity FROM spokes WHERE id = 'garden'",
	    "guid\n");
	expect_rows(LIVE_IDS, "garden:x\ngarden:y\n");
	store_close(s);
}

/* --- hubs, get --- */

Test(store, hubs)
{
	struct store	*s = open_synced();
	json_t		*out = NULL;
	char		*txt;

	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery", NULL, NULL, NULL, NULL },
	}, 2, 1000), STORE_OK);
	cr_assert_eq(apply(s, "garden", (struct rec[]){
	    { "g", "Gardening", NULL, NULL, NULL, NULL },
	}, 1, 1000), STORE_OK);
	cr_assert_eq(store_hubs(s, &out), STORE_OK);
	txt = json_dumps(out, JSON_COMPACT);
	cr_expect_str_eq(txt, "{\"hubs\":["
	    "{\"id\":\"north\",\"name\":\"North Hub\","
	    "\"area\":\"North Dorset\",\"timezone\":\"Europe/London\","
	    "\"spokes\":2,\"activities\":3},"
	    "{\"id\":\"south\",\"name\":\"South Hub\",\"area\":null,"
	    "\"timezone\":\"Europe/London\",\"spokes\":2,\"activities\":1}]}");
	free(txt);
	json_decref(out);
	store_close(s);
}

Test(store, get)
{
	struct store	*s = open_synced();
	json_t		*out = NULL, *a;
	char		*txt;

	cr_assert_eq(apply(s, "garden", (struct rec[]){
	    { "g", "Gardening", "2026-07-01T10:00", NULL, "Walled Garden",
	      NULL },
	}, 1, 1000), STORE_OK);
	cr_assert_eq(store_get(s, "garden:g", &out), STORE_OK);
	a = json_object_get(out, "activity");
	cr_expect_str_eq(json_string_value(json_object_get(a, "title")),
	    "Gardening");
	cr_expect_str_eq(json_string_value(json_object_get(a, "start")),
	    "2026-07-01T10:00:00+01:00");
	txt = json_dumps(json_object_get(a, "hubs"), JSON_COMPACT);
	cr_expect_str_eq(txt, "[\"north\",\"south\"]");
	free(txt);
	json_decref(out);
	out = NULL;
	cr_expect_eq(store_get(s, "garden:nope", &out), STORE_NOTFOUND);
	cr_expect_null(out);
	cr_expect_eq(store_get(s, "", &out), STORE_NOTFOUND);
	store_close(s);
}

/* --- search --- */

static const struct rec search_recs[] = {
	{ "1", "Watercolour painting", "2026-12-01T10:00", "Paint with us",
	  "Town Hall", "Arts" },
	{ "2", "Café social", "2026-12-02T10:00",
	  "Tea and cake at the café", "Café on the Green", "Social" },
	{ "3", "Community gardening", "2026-12-03T10:00",
	  "Grow vegetables together", "Allotments", "Outdoors" },
	{ "4", "Men's shed", "2026-12-04T10:00",
	  "Woodwork and a cup of tea", "The Shed", "Making" },
	{ "5", "Singing for the brain", "2026-12-05T10:00",
	  "A dementia friendly choir", "Methodist Hall", "Music" },
	{ "6", "Painting and drawing", NULL, "Drop in and draw",
	  "Library", "Arts" },
};

static void
load_search(struct store *s)
{
	cr_assert_eq(apply(s, "art", search_recs, nitems(search_recs), 1000),
	    STORE_OK);
	/* only in the south hub's directory */
	cr_assert_eq(apply(s, "swim", (struct rec[]){
	    { "s1", "Painting the pool", "2026-12-01T09:00", NULL, NULL,
	      NULL },
	}, 1, 1000), STORE_OK);
}

struct search_case {
	const char	*q;
	const char	*want;		/* ids in order */
};

static const struct search_case search_cases[] = {
	{ "painting", "art:1 art:6" },
	{ "Painting", "art:1 art:6" },
	{ "paint", "art:1 art:6" },		/* stemming both ways */
	{ "gardens", "art:3" },			/* "gardens" finds gardening */
	{ "cafe", "art:2" },			/* diacritics folded */
	{ "CAFÉ", "art:2" },
	{ "wat*", "art:1" },			/* prefix */
	{ "tea", "art:4 art:2" },		/* by bm25, then start */
	{ "tea and cake", "art:2" },		/* "and" is not required */
	{ "painting or drawing", "art:6" },	/* nor "or": both words */
	{ "\"painting and drawing\"", "art:6" },	/* phrases keep it */
	{ "tea woodwork", "art:4" },		/* AND between words */
	{ "\"cup of tea\"", "art:4" },		/* phrase */
	{ "\"tea of cup\"", "" },
	{ "\"cup of tea", "art:4" },		/* unbalanced: to the end */
	{ "\"cup tea\"", "" },
	{ "dementia", "art:5" },
	{ "allotments", "art:3" },		/* the venue */
	{ "music", "art:5" },			/* the categories */
	{ "men's", "art:4" },
	{ "pool", "" },				/* not this hub's */
	{ "nothing matches this", "" },
	{ "", "art:1 art:2 art:3 art:4 art:5 art:6" },	/* by start */
	{ "   ", "art:1 art:2 art:3 art:4 art:5 art:6" },
	{ "***", "art:1 art:2 art:3 art:4 art:5 art:6" },
};

Test(store, search_table)
{
	struct store	*s = open_synced();
	char		*ids;
	size_t		 i;
	int		 rc;

	load_search(s);
	for (i = 0; i < nitems(search_cases); i++) {
		rc = search(s, "north", search_cases[i].q, 20, NULL, &ids,
		    NULL);
		cr_expect_eq(rc, STORE_OK, "q=%s: %d", search_cases[i].q, rc);
		cr_expect_str_eq(ids, search_cases[i].want, "q=%s: got \"%s\"",
		    search_cases[i].q, ids);
		free(ids);
	}
	/* the pool painting is in the south hub only */
	cr_expect_eq(search(s, "south", "painting", 20, NULL, &ids, NULL),
	    STORE_OK);
	cr_expect_str_eq(ids, "swim:s1");
	free(ids);
	store_close(s);
}

Test(store, search_result_shape)
{
	struct store	*s = open_synced();
	json_t		*out = NULL;
	char		*txt;

	load_search(s);
	cr_assert_eq(search(s, "north", "cafe", 20, NULL, NULL, &out),
	    STORE_OK);
	txt = json_dumps(out, JSON_COMPACT);
	cr_expect_str_eq(txt, "{\"hub\":\"north\",\"count\":1,\"results\":["
	    "{\"id\":\"art:2\",\"title\":\"Café social\","
	    "\"summary\":\"Tea and cake at the café\","
	    "\"start\":\"2026-12-02T10:00:00+00:00\",\"end\":null,"
	    "\"spoke\":\"art\",\"url\":null,"
	    "\"location\":{\"name\":\"Café on the Green\",\"postcode\":null},"
	    "\"next\":{\"start\":\"2026-12-02T10:00:00+00:00\",\"end\":null},"
	    "\"occurrences\":1}],\"next\":null}");
	free(txt);
	json_decref(out);
	store_close(s);
}

/* Whatever a person types, the answer is results or none, never an error. */
Test(store, search_hostile_text)
{
	static const char *const hostile[] = {
		"\"", "\"\"", "\"\"\"", "\"unbalanced", "unbalanced\"",
		"NEAR(", "NEAR(a b", "NEAR(a b, 2)", "AND", "OR", "NOT",
		"AND OR NOT", "a AND", "OR b", "NOT painting", "*", "**",
		"*painting", ")", "(", "(painting", "painting)", "{", "}",
		"title:x", "title:painting", "-painting", "+painting",
		"^painting", "painting^", "col:", ":", "'", "''", "\\",
		"%", "_", "?", "\xe2\x80\x94", "\xe2\x80\x94 painting",
		"\xff\xfe", "caf\xe9", "\x01\x02",
		"'; DROP TABLE activities;--",
		"painting\" OR \"1", "a*b*c", "pa*int", "\"\xff\"",
		"\xe2\x82", "\xf0\x9f\x8e\xa8 painting",
	};
	struct store	*s = open_synced();
	char		 punct[501], *ids;
	size_t		 i;
	int		 rc;

	load_search(s);
	for (i = 0; i < nitems(hostile); i++) {
		rc = search(s, "north", hostile[i], 20, NULL, &ids, NULL);
		cr_expect_eq(rc, STORE_OK, "q=%s gave %d", hostile[i], rc);
		free(ids);
	}
	for (i = 0; i < 500; i++)
		punct[i] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"[i % 32];
	punct[500] = '\0';
	cr_expect_eq(search(s, "north", punct, 20, NULL, &ids, NULL),
	    STORE_OK);
	free(ids);
	/* a word or two inside the noise still works */
	cr_expect_eq(search(s, "north", "NEAR(painting, \"drop", 20, NULL,
	    &ids, NULL), STORE_OK);
	cr_expect_str_eq(ids, "art:6");
	free(ids);
	store_close(s);
	expect_rows("SELECT count(*) FROM activities", "7\n");
}

/* Paging with the cursor returns every row exactly once. */
Test(store, paging_covers_every_row_once)
{
	static const char *const queries[] = { "", "club" };
	struct store	*s = open_synced();
	struct rec	 recs[25];
	char		 sid[25][8], title[25][32], start[25][32];
	char		*cursor, *ids, seen[25];
	json_t		*out, *r;
	size_t		 i, q, pages, total;

	for (i = 0; i < 25; i++) {
		snprintf(sid[i], sizeof sid[i], "%02zu", i);
		/* varied relevance, and some ties in start */
		snprintf(title[i], sizeof title[i], "%s club %zu",
		    i % 3 == 0 ? "Club club" : "Walking", i);
		snprintf(start[i], sizeof start[i], "2026-12-%02zuT10:00",
		    1 + i % 7);
		recs[i] = (struct rec){ sid[i], title[i],
		    i % 5 == 4 ? NULL : start[i], NULL, NULL, NULL };
	}
	cr_assert_eq(apply(s, "garden", recs, 25, 1000), STORE_OK);

	for (q = 0; q < nitems(queries); q++) {
		memset(seen, 0, sizeof seen);
		cursor = NULL;
		pages = total = 0;
		do {
			out = NULL;
			cr_assert_eq(search(s, "north", queries[q], 7, cursor,
			    &ids, &out), STORE_OK, "q=%s page %zu", queries[q],
			    pages);
			free(ids);
			free(cursor);
			cursor = NULL;
			json_array_foreach(json_object_get(out, "results"), i,
			    r) {
				const char *id = json_string_value(
				    json_object_get(r, "id"));
				size_t k = (size_t)atoi(id + strlen("garden:"));

				cr_assert_lt(k, 25);
				cr_expect_eq(seen[k], 0, "%s twice", id);
				seen[k] = 1;
				total++;
			}
			cr_expect_eq((size_t)json_integer_value(json_object_get(
			    out, "count")), json_array_size(json_object_get(out,
			    "results")));
			if (json_is_string(json_object_get(out, "next")))
				cursor = strdup(json_string_value(
				    json_object_get(out, "next")));
			json_decref(out);
			pages++;
		} while (cursor != NULL && pages < 10);
		cr_expect_eq(total, 25, "q=%s: %zu rows", queries[q], total);
		cr_expect_eq(pages, 4, "q=%s: %zu pages", queries[q], pages);
	}
	store_close(s);
}

/* Cursors that are malformed or from another search are refused. */
Test(store, bad_cursor)
{
	struct store		*s = open_synced();
	struct query		 sq;
	json_t			*out = NULL;
	char			 err[256], *next;
	const char		*bad[] = {
		"garbage!!", "A", "AAAA", "MXxub3RoZXI", "////", "\xff",
	};
	size_t			 i;

	load_search(s);
	cr_assert_eq(search(s, "north", "", 2, NULL, NULL, &out), STORE_OK);
	next = strdup(json_string_value(json_object_get(out, "next")));
	json_decref(out);

	for (i = 0; i < nitems(bad); i++) {
		plain_query(&sq, "north", NULL, 2, bad[i]);
		out = NULL;
		err[0] = '\0';
		cr_expect_eq(store_search(s, &sq, &out, err, sizeof err),
		    STORE_BADQUERY, "cursor %s", bad[i]);
		cr_expect_str_eq(err, "the cursor is not valid for this "
		    "search");
		cr_expect_null(out);
	}
	/* a cursor from another query, or another hub */
	plain_query(&sq, "north", "painting", 2, next);
	sq.sort = QUERY_SORT_SOONEST;
	cr_expect_eq(store_search(s, &sq, &out, err, sizeof err),
	    STORE_BADQUERY);
	plain_query(&sq, "south", NULL, 2, next);
	cr_expect_eq(store_search(s, &sq, &out, err, sizeof err),
	    STORE_BADQUERY);
	/* and the right one works */
	plain_query(&sq, "north", NULL, 2, next);
	cr_expect_eq(store_search(s, &sq, &out, err, sizeof err), STORE_OK);
	json_decref(out);
	free(next);
	store_close(s);
}

/* The loop's connection reads while the worker's writes, as in WAL. */
Test(store, two_connections)
{
	struct store	*writer = open_synced(), *reader = open_store();
	char		*ids;

	cr_assert_eq(apply(writer, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	}, 1, 1000), STORE_OK);
	cr_expect_eq(search(reader, "north", "painting", 20, NULL, &ids,
	    NULL), STORE_OK);
	cr_expect_str_eq(ids, "art:a");
	free(ids);
	cr_assert_eq(apply(writer, "art", (struct rec[]){
	    { "b", "Pottery", NULL, NULL, NULL, NULL },
	}, 1, 2000), STORE_OK);
	cr_expect_eq(search(reader, "north", "", 20, NULL, &ids, NULL),
	    STORE_OK);
	cr_expect_str_eq(ids, "art:b");
	free(ids);
	store_close(reader);
	store_close(writer);
}

Test(store, unknown_hub)
{
	struct store	*s = open_synced();
	struct config	 none;

	cr_expect_eq(search(s, "nowhere", "x", 20, NULL, NULL, NULL),
	    STORE_NOTFOUND);
	/* a hub dropped from the config is no longer searchable */
	memset(&none, 0, sizeof none);
	cr_assert_eq(store_sync_config(s, &none), STORE_OK);
	cr_expect_eq(search(s, "north", "", 20, NULL, NULL, NULL),
	    STORE_NOTFOUND);
	store_close(s);
}

/* Ten thousand records: one refresh, then an unchanged one, quickly. */
Test(store, ten_thousand_records, .timeout = 120)
{
	struct store		*s = open_synced();
	struct record_sink	*sink;
	struct feed_result	 res;
	struct feed_attempt	 at;
	const struct dayhub_host *h = &record_host;
	struct timespec		 t0, t1, t2;
	char			 v[64];
	char			*ids;
	size_t			 i;

	memset(&res, 0, sizeof res);
	sink = record_sink_new("garden", NULL, 0);
	for (i = 0; i < FEED_MAX_ITEMS; i++) {
		h->begin(sink);
		snprintf(v, sizeof v, "item-%zu", i);
		h->set(sink, "source_id", v, strlen(v));
		snprintf(v, sizeof v, "Session %zu of gardening", i);
		h->set(sink, "title", v, strlen(v));
		snprintf(v, sizeof v, "2026-12-%02zuT%02zu:00", 1 + i % 28,
		    8 + i % 12);
		h->set(sink, "start", v, strlen(v));
		h->set(sink, "summary", "Bring gloves", 12);
		h->end(sink);
	}
	record_sink_finish(sink, &res);
	record_sink_free(sink);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	at = attempt(1000);
	cr_assert_eq(store_apply_feed(s, "garden", &res, &at), STORE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	at = attempt(2000);
	cr_assert_eq(store_apply_feed(s, "garden", &res, &at), STORE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	cr_log_info("10k records: first refresh %.2fs, unchanged %.2fs",
	    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	    (double)(t2.tv_sec - t1.tv_sec) + (t2.tv_nsec - t1.tv_nsec) / 1e9);
	feed_result_free(&res);
	expect_rows("SELECT count(*), min(start_utc) IS NOT NULL FROM "
	    "activities", "10000|1\n");
	cr_expect_eq(search(s, "north", "session 9999", 5, NULL, &ids, NULL),
	    STORE_OK);
	cr_expect_str_eq(ids, "garden:item-9999");
	free(ids);
	store_close(s);
}

/* --- change sets: the pages of a paged feed --- */

#define PAGE_URL(n)	"https://art.example/rpde?page=" #n

/* One page applied in turn to "art", and what is stored after it. */
struct page_step {
	const char	*name;
	struct item	 items[3];
	size_t		 nitems;
	int		 change_set;	/* 0: read as a whole feed */
	const char	*resume;	/* at->resume_url */
	int		 breaker;	/* the first record names another spoke */
	int		 rc;
	const char	*live;		/* "id|title" of live activities */
	const char	*gone;		/* "id|deleted_at" of tombstones */
	const char	*want_resume;	/* the stored resume_url, or "NULL" */
};

static const struct page_step page_steps[] = {
	{ "a first page", { { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery", NULL, NULL, NULL, NULL } }, 2, 1, PAGE_URL(2),
	  0, STORE_OK, "art:a|Painting\nart:b|Pottery\n", "",
	  PAGE_URL(2) "\n" },
	{ "a second page leaves the first's records alone",
	  { { "c", "Collage", NULL, NULL, NULL, NULL } }, 1, 1, PAGE_URL(3),
	  0, STORE_OK, "art:a|Painting\nart:b|Pottery\nart:c|Collage\n", "",
	  PAGE_URL(3) "\n" },
	{ "a deletion on a later page makes a tombstone",
	  { { "a", NULL, NULL, NULL, NULL, "deleted" },
	    { "d", "Drawing", NULL, NULL, NULL, NULL } }, 2, 1, PAGE_URL(4),
	  0, STORE_OK, "art:b|Pottery\nart:c|Collage\nart:d|Drawing\n",
	  "art:a|3000\n", PAGE_URL(4) "\n" },
	{ "a record edited on a later page is updated in place",
	  { { "b", "Pottery for all", NULL, NULL, NULL, NULL } }, 1, 1,
	  PAGE_URL(5), 0, STORE_OK,
	  "art:b|Pottery for all\nart:c|Collage\nart:d|Drawing\n",
	  "art:a|3000\n", PAGE_URL(5) "\n" },
	{ "a deletion of what was never listed leaves no trace",
	  { { "z", NULL, NULL, NULL, NULL, "deleted" } }, 1, 1, PAGE_URL(6),
	  0, STORE_OK,
	  "art:b|Pottery for all\nart:c|Collage\nart:d|Drawing\n",
	  "art:a|3000\n", PAGE_URL(6) "\n" },
	{ "a deleted record that comes back is revived",
	  { { "a", "Painting again", NULL, NULL, NULL, NULL } }, 1, 1,
	  PAGE_URL(7), 0, STORE_OK, "art:a|Painting again\n"
	  "art:b|Pottery for all\nart:c|Collage\nart:d|Drawing\n", "",
	  PAGE_URL(7) "\n" },
	{ "an empty last page changes nothing but the resume point",
	  { { NULL } }, 0, 1, PAGE_URL(7), 0, STORE_OK,
	  "art:a|Painting again\nart:b|Pottery for all\nart:c|Collage\n"
	  "art:d|Drawing\n", "", PAGE_URL(7) "\n" },
	{ "a page with a record of another spoke changes nothing",
	  { { "e", "Etching", NULL, NULL, NULL, NULL },
	    { "b", NULL, NULL, NULL, NULL, "deleted" } }, 2, 1, PAGE_URL(9),
	  1, STORE_ERROR, "art:a|Painting again\nart:b|Pottery for all\n"
	  "art:c|Collage\nart:d|Drawing\n", "", PAGE_URL(7) "\n" },
	{ "a page with no resume point clears it",
	  { { "e", "Etching", NULL, NULL, NULL, NULL } }, 1, 1, NULL, 0,
	  STORE_OK, "art:a|Painting again\nart:b|Pottery for all\n"
	  "art:c|Collage\nart:d|Drawing\nart:e|Etching\n", "", "NULL\n" },
	{ "a feed read whole again tombstones what it left out",
	  { { "c", "Collage", NULL, NULL, NULL, NULL } }, 1, 0, PAGE_URL(1),
	  0, STORE_OK, "art:c|Collage\n",
	  "art:a|10000\nart:b|10000\nart:d|10000\nart:e|10000\n", "NULL\n" },
};

Test(store, change_sets)
{
	struct store		*s = open_synced();
	struct feed_result	 res;
	struct feed_attempt	 at;
	struct spoke_state	 ss;
	char			*seq_a = NULL, *seq_b = NULL, *got;
	size_t			 i;

	for (i = 0; i < nitems(page_steps); i++) {
		const struct page_step *c = &page_steps[i];

		make_items("art", c->items, c->nitems, NULL, &res);
		if (c->breaker)
			json_object_set_new(json_array_get(res.records, 0),
			    "id", json_string("garden:e"));
		at = attempt((time_t)(i + 1) * 1000);
		at.change_set = c->change_set;
		at.resume_url = c->resume;
		cr_expect_eq(store_apply_feed(s, "art", &res, &at), c->rc,
		    "%s", c->name);
		feed_result_free(&res);
		got = rows("SELECT id, title FROM activities WHERE "
		    "deleted_at IS NULL ORDER BY id");
		cr_expect_str_eq(got, c->live, "%s: live\n%s", c->name, got);
		free(got);
		got = rows("SELECT id, deleted_at FROM activities WHERE "
		    "deleted_at IS NOT NULL ORDER BY id");
		cr_expect_str_eq(got, c->gone, "%s: gone\n%s", c->name, got);
		free(got);
		got = rows("SELECT resume_url FROM spokes WHERE id = 'art'");
		cr_expect_str_eq(got, c->want_resume, "%s: resume %s",
		    c->name, got);
		free(got);
		fts_in_step();
		/* The ids keep their rows, whatever the pages did to them. */
		got = rows("SELECT seq FROM activities WHERE id = 'art:a'");
		if (seq_a == NULL)
			seq_a = strdup(got);
		cr_expect_str_eq(got, seq_a, "%s: a's row", c->name);
		free(got);
		got = rows("SELECT seq FROM activities WHERE id = 'art:b'");
		if (seq_b == NULL)
			seq_b = strdup(got);
		cr_expect_str_eq(got, seq_b, "%s: b's row", c->name);
		free(got);
	}
	free(seq_a);
	free(seq_b);
	/* Other spokes were never touched. */
	expect_rows("SELECT count(*) FROM activities WHERE spoke <> 'art'",
	    "0\n");
	cr_assert_eq(store_spoke_state(s, "art", &ss), STORE_OK);
	cr_expect_null(ss.resume_url);
	spoke_state_clear(&ss);
	store_close(s);
}

/* A page's resume point, through store_spoke_state() and SPOKES. */
Test(store, resume_point)
{
	struct store		*s = open_synced();
	struct feed_result	 res;
	struct feed_attempt	 at = attempt(1000);
	struct spoke_state	 ss;
	json_t			*out = NULL, *sp;
	size_t			 i;

	make_items("art", (struct item[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	}, 1, NULL, &res);
	at.change_set = 1;
	at.resume_url = PAGE_URL(2);
	cr_assert_eq(store_apply_feed(s, "art", &res, &at), STORE_OK);
	feed_result_free(&res);
	cr_assert_eq(store_spoke_state(s, "art", &ss), STORE_OK);
	cr_expect_str_eq(ss.resume_url, PAGE_URL(2));
	spoke_state_clear(&ss);
	cr_expect_null(ss.resume_url);

	/* SPOKES names it for the paged feed only. */
	cr_assert_eq(store_spokes(s, "north", &out), STORE_OK);
	json_array_foreach(json_object_get(out, "spokes"), i, sp) {
		const char *id = json_string_value(json_object_get(sp, "id"));

		if (strcmp(id, "art") == 0)
			cr_expect_str_eq(json_string_value(json_object_get(sp,
			    "resume_url")), PAGE_URL(2));
		else
			cr_expect_null(json_object_get(sp, "resume_url"), "%s",
			    id);
	}
	json_decref(out);

	/* A failure or a 304 leaves it where the last page put it. */
	at = (struct feed_attempt){ .when = 2000, .status = 500,
	    .error = "HTTP 500", .next_due = 2600 };
	cr_assert_eq(store_feed_failed(s, "art", &at), STORE_OK);
	at = (struct feed_attempt){ .when = 3000, .status = 304,
	    .next_due = 6600 };
	cr_assert_eq(store_feed_unchanged(s, "art", &at), STORE_OK);
	expect_rows("SELECT resume_url FROM spokes WHERE id = 'art'",
	    PAGE_URL(2) "\n");

	/* A sync that keeps the address keeps it; a new address drops it. */
	cr_assert_eq(store_sync_config(s, &conf), STORE_OK);
	expect_rows("SELECT resume_url FROM spokes WHERE id = 'art'",
	    PAGE_URL(2) "\n");
	sync_url(s, "art", NEW_URL);
	expect_rows("SELECT resume_url FROM spokes WHERE id = 'art'",
	    "NULL\n");
	/* An unknown spoke is refused, and has no resume point to give. */
	make_items("nobody", (struct item[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	}, 1, NULL, &res);
	at = attempt(4000);
	at.change_set = 1;
	at.resume_url = PAGE_URL(2);
	cr_expect_eq(store_apply_feed(s, "nobody", &res, &at),
	    STORE_NOTFOUND);
	feed_result_free(&res);
	cr_expect_eq(store_spoke_state(s, "nobody", &ss), STORE_NOTFOUND);
	cr_expect_null(ss.resume_url);
	store_close(s);
}
