/*
 * test_store.c - the SQLite store against real database files in a
 * temporary directory: migrations, configuration sync, atomic feed
 * refreshes (checked row by row with a second, plain connection), feed
 * health, full-text search with hostile input, paging and lookups.
 * Records are built by the real record sink, as a refresh builds them.
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
extern const size_t store_nmigrations;

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

/* A feed result as record.c would hand it to the store. */
static void
make_feed(const char *spoke, const struct rec *recs, size_t n,
    struct feed_result *res)
{
	const struct dayhub_host	*h = &record_host;
	struct record_sink		*sink;
	size_t				 i;

	memset(res, 0, sizeof *res);
	sink = record_sink_new(spoke, "Europe/London", 0);
	for (i = 0; i < n; i++) {
		h->begin(sink);
		h->set(sink, "source_id", recs[i].source_id,
		    strlen(recs[i].source_id));
		h->set(sink, "title", recs[i].title, strlen(recs[i].title));
		if (recs[i].start != NULL)
			h->set(sink, "start", recs[i].start,
			    strlen(recs[i].start));
		if (recs[i].summary != NULL)
			h->set(sink, "summary", recs[i].summary,
			    strlen(recs[i].summary));
		if (recs[i].venue != NULL)
			h->set(sink, "location.name", recs[i].venue,
			    strlen(recs[i].venue));
		if (recs[i].category != NULL)
			h->set(sink, "categories", recs[i].category,
			    strlen(recs[i].category));
		h->end(sink);
	}
	h->warn(sink, 7, "a warning the health keeps");
	record_sink_finish(sink, res);
	record_sink_free(sink);
	res->bytes = 1234;
}

static int
apply(struct store *s, const char *spoke, const struct rec *recs, size_t n,
    time_t when)
{
	struct feed_result	res;
	int			rc;

	make_feed(spoke, recs, n, &res);
	rc = store_apply_feed(s, spoke, &res, when);
	feed_result_free(&res);
	return rc;
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

/* The full-text index agrees with the activities it was built from. */
static void
fts_in_step(void)
{
	sqlite3	*db;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_expect_eq(sqlite3_exec(db, "INSERT INTO activities_fts"
	    "(activities_fts) VALUES ('integrity-check')", NULL, NULL, NULL),
	    SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* Runs a search; gives the ids found, space-separated, and the reply. */
static int
search(struct store *s, const char *hub, const char *q, size_t limit,
    const char *cursor, char **ids, json_t **reply)
{
	struct search_query	 sq = { .hub = hub, .q = q, .limit = limit,
				    .cursor = cursor };
	json_t			*out = NULL, *r;
	char			 err[256] = "", *buf, *tmp;
	size_t			 i;
	int			 rc;

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
	struct store	*s = open_store();

	cr_expect_eq(store_schema_version(s), (int)store_nmigrations);
	cr_expect_eq(store_nmigrations, 1);
	store_close(s);
	expect_rows("SELECT name FROM sqlite_schema WHERE type = 'table' "
	    "AND name IN ('hubs', 'spokes', 'hub_spokes', 'activities', "
	    "'activities_fts') ORDER BY name",
	    "activities\nactivities_fts\nhub_spokes\nhubs\nspokes\n");
	expect_rows("PRAGMA user_version", "1\n");
}

Test(store, reopen_is_a_no_op)
{
	struct store	*s = open_synced();

	cr_assert_eq(apply(s, "art", (struct rec[]){ { "a", "Painting",
	    NULL, NULL, NULL, NULL } }, 1, 1000), STORE_OK);
	store_close(s);
	s = open_store();
	cr_expect_eq(store_schema_version(s), 1);
	store_close(s);
	expect_rows("SELECT id, title FROM activities", "art:a|Painting\n");
}

Test(store, refuses_a_newer_database)
{
	struct store	*s = (struct store *)1;
	sqlite3		*db;
	char		 err[512] = "";

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_expect_eq(store_open(&s, dbpath, err, sizeof err), STORE_ERROR);
	cr_expect_null(s);
	cr_expect_str_eq(err, "database schema version 999 is newer than "
	    "this dayhubd knows (1): refusing to open it; use a newer "
	    "dayhubd");
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
			"start_text, summary FROM activities ORDER BY id"

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

	/* an empty feed empties the spoke */
	cr_assert_eq(apply(s, "art", NULL, 0, 3000), STORE_OK);
	expect_rows("SELECT id FROM activities ORDER BY id", "garden:g1\n");
	expect_rows("SELECT count(*) FROM activities_fts WHERE activities_fts "
	    "MATCH 'painting OR pottery OR printmaking'", "0\n");
	store_close(s);
}

Test(store, apply_feed_deleted_records_vanish)
{
	struct store		*s = open_synced();
	struct feed_result	 res;

	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery", NULL, NULL, NULL, NULL },
	}, 2, 1000), STORE_OK);
	make_feed("art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery", NULL, NULL, NULL, NULL },
	}, 2, &res);
	json_object_set_new(json_array_get(res.records, 1), "state",
	    json_string("deleted"));
	cr_expect_eq(store_apply_feed(s, "art", &res, 2000), STORE_OK);
	feed_result_free(&res);
	expect_rows("SELECT id FROM activities ORDER BY id", "art:a\n");
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
		cr_expect_eq(store_apply_feed(s, "art", &res, 2000),
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
	expect_rows("SELECT id FROM activities ORDER BY id", "art:c\n");
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

Test(store, feed_health)
{
	struct store	*s = open_synced();
	json_t		*h = NULL;
	char		*txt;

	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	    { "b", "Pottery", NULL, NULL, NULL, NULL },
	}, 2, 1000), STORE_OK);
	expect_rows("SELECT last_attempt, last_success, last_status, "
	    "last_error, last_bytes, last_records, last_warnings, "
	    "warnings_json, consecutive_failures FROM spokes WHERE id = 'art'",
	    "1000|1000|ok|NULL|1234|2|1|"
	    "[{\"line\":7,\"message\":\"a warning the health keeps\"}]|0\n");

	cr_expect_eq(store_feed_failed(s, "art", 2000, "HTTP 500"), STORE_OK);
	cr_expect_eq(store_feed_failed(s, "art", 3000, "timed out"), STORE_OK);
	expect_rows("SELECT last_attempt, last_success, last_status, "
	    "last_error, consecutive_failures FROM spokes WHERE id = 'art'",
	    "3000|1000|failed|timed out|2\n");
	expect_rows("SELECT id FROM activities ORDER BY id",
	    "art:a\nart:b\n");
	cr_expect_eq(store_feed_failed(s, "nosuch", 3000, "x"),
	    STORE_NOTFOUND);

	cr_assert_eq(store_spoke_health(s, "art", &h), STORE_OK);
	txt = json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS);
	cr_expect_str_eq(txt, "{\"activities\":2,\"consecutive_failures\":2,"
	    "\"format\":\"rss\",\"id\":\"art\",\"interval\":3600,"
	    "\"last_attempt\":\"1970-01-01T00:50:00Z\",\"last_bytes\":1234,"
	    "\"last_error\":\"timed out\",\"last_records\":2,"
	    "\"last_status\":\"failed\","
	    "\"last_success\":\"1970-01-01T00:16:40Z\","
	    "\"last_warnings\":1,\"name\":\"Art Club\",\"next_due\":null,"
	    "\"url\":\"https://art.example/feed\",\"warnings\":[{\"line\":7,"
	    "\"message\":\"a warning the health keeps\"}]}");
	free(txt);
	json_decref(h);
	cr_expect_eq(store_spoke_health(s, "nosuch", &h), STORE_NOTFOUND);

	/* a good refresh clears the failures */
	cr_assert_eq(apply(s, "art", (struct rec[]){
	    { "a", "Painting", NULL, NULL, NULL, NULL },
	}, 1, 4000), STORE_OK);
	expect_rows("SELECT last_status, last_error, consecutive_failures, "
	    "last_records FROM spokes WHERE id = 'art'", "ok|NULL|0|1\n");
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
	    "\"location\":{\"name\":\"Café on the Green\",\"postcode\":null}}"
	    "],\"next\":null}");
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
	struct search_query	 sq;
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
		memset(&sq, 0, sizeof sq);
		sq.hub = "north";
		sq.limit = 2;
		sq.cursor = bad[i];
		out = NULL;
		err[0] = '\0';
		cr_expect_eq(store_search(s, &sq, &out, err, sizeof err),
		    STORE_BADQUERY, "cursor %s", bad[i]);
		cr_expect_str_eq(err, "the cursor is not valid for this "
		    "search");
		cr_expect_null(out);
	}
	/* a cursor from another query, or another hub */
	sq.cursor = next;
	sq.q = "painting";
	cr_expect_eq(store_search(s, &sq, &out, err, sizeof err),
	    STORE_BADQUERY);
	sq.q = NULL;
	sq.hub = "south";
	cr_expect_eq(store_search(s, &sq, &out, err, sizeof err),
	    STORE_BADQUERY);
	/* and the right one works */
	sq.hub = "north";
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
		snprintf(v, sizeof v, "2026-%02zu-%02zuT10:00", 1 + i % 12,
		    1 + i % 28);
		h->set(sink, "start", v, strlen(v));
		h->set(sink, "summary", "Bring gloves", 12);
		h->end(sink);
	}
	record_sink_finish(sink, &res);
	record_sink_free(sink);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(store_apply_feed(s, "garden", &res, 1000), STORE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_assert_eq(store_apply_feed(s, "garden", &res, 2000), STORE_OK);
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
