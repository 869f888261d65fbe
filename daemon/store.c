/*
 * store.c - the directory's SQLite database: the only file that speaks SQL.
 *
 * One `struct store` is one connection, used by one thread: the event loop
 * has one for queries and the ingest worker its own for writes.  WAL lets
 * the loop read while a refresh writes.  The schema comes from the
 * numbered migrations compiled in from schema/ (see embed.sh); every
 * statement is a row in `store_sql`, prepared once with bound parameters,
 * so no outside text ever becomes SQL.
 *
 * A feed's refresh is one transaction: its activities become exactly the
 * records just read, or, if anything fails, stay exactly as they were.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "dayhub.h"

/* Written by schema/embed.sh into schema.c. */
struct store_migration {
	int		 version;
	const char	*name;
	const char	*sql;
};
extern const struct store_migration store_migrations[];
extern const size_t store_nmigrations;

#define STORE_BUSY_TIMEOUT	5000	/* ms waiting for another writer */
#define STORE_SEARCH_BUDGET	250	/* ms one search may take */
#define STORE_PROGRESS_OPS	1000	/* VM steps between clock checks */
#define STORE_HEALTH_WARNINGS	10	/* warnings kept in feed health */
#define STORE_MAX_TERMS		32	/* words and phrases in a search */
#define STORE_MAX_CURSOR	8192	/* bytes of a cursor */
#define STORE_SUMMARY_CHARS	"200"	/* of a summary in search results */
#define STORE_MAX_ERROR		1024	/* bytes of a feed's last error */
#define STORE_NO_START		"9223372036854775807"	/* undated last */

enum store_stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_HUB_RETIRE,
	STMT_HUB_UPSERT,
	STMT_LINK_CLEAR,
	STMT_SPOKE_UPSERT,
	STMT_LINK_ADD,
	STMT_SPOKE_EXISTS,
	STMT_ACT_HASHES,
	STMT_ACT_UPSERT,
	STMT_ACT_DELETE,
	STMT_SPOKE_OK,
	STMT_SPOKE_FAILED,
	STMT_HUBS,
	STMT_HUB_ACTIVE,
	STMT_SEARCH_ALL,
	STMT_SEARCH_TEXT,
	STMT_GET,
	STMT_GET_HUBS,
	STMT_HEALTH,
	STMT_COUNT
};

/* The columns both searches return, in this order. */
#define STORE_RESULT_COLUMNS						\
	"a.id, a.title, "						\
	"substr(a.summary, 1, " STORE_SUMMARY_CHARS "), "		\
	"a.start_text, a.end_text, a.spoke, a.url, "			\
	"json_extract(a.record, '$.location.name'), "			\
	"json_extract(a.record, '$.location.postcode'), "		\
	"json_extract(a.record, '$.cost')"
#define STORE_SKEY	"coalesce(a.start_utc, " STORE_NO_START ")"
#define STORE_IN_HUB	\
	"a.spoke IN (SELECT spoke FROM hub_spokes WHERE hub = ?1)"

static const struct {
	const char	*name;		/* for the log */
	const char	*sql;
} store_sql[STMT_COUNT] = {
	[STMT_BEGIN] = { "begin", "BEGIN IMMEDIATE" },
	[STMT_COMMIT] = { "commit", "COMMIT" },
	[STMT_ROLLBACK] = { "rollback", "ROLLBACK" },
	[STMT_HUB_RETIRE] = { "retire hubs", "UPDATE hubs SET active = 0" },
	[STMT_HUB_UPSERT] = { "upsert hub",
	    "INSERT INTO hubs (id, name, area, timezone, active) "
	    "VALUES (?1, ?2, ?3, ?4, 1) ON CONFLICT (id) DO UPDATE SET "
	    "name = excluded.name, area = excluded.area, "
	    "timezone = excluded.timezone, active = 1" },
	[STMT_LINK_CLEAR] = { "clear hub spokes", "DELETE FROM hub_spokes" },
	[STMT_SPOKE_UPSERT] = { "upsert spoke",
	    "INSERT INTO spokes (id, name, url, format, interval) "
	    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO UPDATE SET "
	    "name = excluded.name, url = excluded.url, "
	    "format = excluded.format, interval = excluded.interval" },
	[STMT_LINK_ADD] = { "link spoke",
	    "INSERT OR IGNORE INTO hub_spokes (hub, spoke) VALUES (?1, ?2)" },
	[STMT_SPOKE_EXISTS] = { "find spoke",
	    "SELECT 1 FROM spokes WHERE id = ?1" },
	[STMT_ACT_HASHES] = { "list activities",
	    "SELECT id, content_hash FROM activities WHERE spoke = ?1" },
	[STMT_ACT_UPSERT] = { "upsert activity",
	    "INSERT INTO activities (id, spoke, source_id, title, summary, "
	    "description, organiser, venue, categories, url, start_utc, "
	    "end_utc, start_text, end_text, timezone, postcode, lat, lon, "
	    "cost_min, cost_max, free, pathway, updated, record, "
	    "content_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
	    "?23, ?24, ?25) ON CONFLICT (id) DO UPDATE SET "
	    "spoke = excluded.spoke, source_id = excluded.source_id, "
	    "title = excluded.title, summary = excluded.summary, "
	    "description = excluded.description, "
	    "organiser = excluded.organiser, venue = excluded.venue, "
	    "categories = excluded.categories, url = excluded.url, "
	    "start_utc = excluded.start_utc, end_utc = excluded.end_utc, "
	    "start_text = excluded.start_text, end_text = excluded.end_text, "
	    "timezone = excluded.timezone, postcode = excluded.postcode, "
	    "lat = excluded.lat, lon = excluded.lon, "
	    "cost_min = excluded.cost_min, cost_max = excluded.cost_max, "
	    "free = excluded.free, pathway = excluded.pathway, "
	    "updated = excluded.updated, record = excluded.record, "
	    "content_hash = excluded.content_hash" },
	[STMT_ACT_DELETE] = { "delete activity",
	    "DELETE FROM activities WHERE id = ?1" },
	[STMT_SPOKE_OK] = { "record feed success",
	    "UPDATE spokes SET last_attempt = ?2, last_success = ?2, "
	    "last_status = 'ok', last_error = NULL, last_bytes = ?3, "
	    "last_records = ?4, last_warnings = ?5, warnings_json = ?6, "
	    "consecutive_failures = 0 WHERE id = ?1" },
	[STMT_SPOKE_FAILED] = { "record feed failure",
	    "UPDATE spokes SET last_attempt = ?2, last_status = 'failed', "
	    "last_error = ?3, consecutive_failures = consecutive_failures + 1 "
	    "WHERE id = ?1" },
	[STMT_HUBS] = { "list hubs",
	    "SELECT h.id, h.name, h.area, h.timezone, "
	    "(SELECT count(*) FROM hub_spokes hs WHERE hs.hub = h.id), "
	    "(SELECT count(*) FROM hub_spokes hs JOIN activities a "
	    "ON a.spoke = hs.spoke WHERE hs.hub = h.id) "
	    "FROM hubs h WHERE h.active ORDER BY h.id" },
	[STMT_HUB_ACTIVE] = { "find hub",
	    "SELECT 1 FROM hubs WHERE id = ?1 AND active" },
	/*
	 * Keyset paging: ?3 is the last row's rank (NULL on the first page),
	 * ?4 its start and ?5 its id; ?6 is one more than the page.
	 */
	[STMT_SEARCH_ALL] = { "list a hub",
	    "SELECT " STORE_RESULT_COLUMNS ", 0.0, " STORE_SKEY
	    " FROM activities a WHERE " STORE_IN_HUB
	    " AND (?3 IS NULL OR " STORE_SKEY " > ?4 OR (" STORE_SKEY
	    " = ?4 AND a.id > ?5))"
	    " ORDER BY " STORE_SKEY ", a.id LIMIT ?6" },
	[STMT_SEARCH_TEXT] = { "search a hub",
	    "SELECT " STORE_RESULT_COLUMNS ", r.rank, " STORE_SKEY
	    " FROM (SELECT rowid AS seq, bm25(activities_fts, 10.0, 4.0, 1.0, "
	    "2.0, 2.0, 4.0) AS rank FROM activities_fts "
	    "WHERE activities_fts MATCH ?2) r "
	    "JOIN activities a ON a.seq = r.seq WHERE " STORE_IN_HUB
	    " AND (?3 IS NULL OR r.rank > ?3 OR (r.rank = ?3 AND ("
	    STORE_SKEY " > ?4 OR (" STORE_SKEY " = ?4 AND a.id > ?5))))"
	    " ORDER BY r.rank, " STORE_SKEY ", a.id LIMIT ?6" },
	[STMT_GET] = { "get activity",
	    "SELECT record, spoke FROM activities WHERE id = ?1" },
	[STMT_GET_HUBS] = { "get activity hubs",
	    "SELECT hs.hub FROM hub_spokes hs JOIN hubs h ON h.id = hs.hub "
	    "WHERE hs.spoke = ?1 AND h.active ORDER BY hs.hub" },
	[STMT_HEALTH] = { "spoke health",
	    "SELECT id, name, url, format, interval, last_attempt, "
	    "last_success, last_status, last_error, last_bytes, last_records, "
	    "last_warnings, warnings_json, consecutive_failures, next_due, "
	    "(SELECT count(*) FROM activities a WHERE a.spoke = s.id) "
	    "FROM spokes s WHERE id = ?1" },
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[STMT_COUNT];
	struct timespec	 deadline;	/* of the running search */
};

/* Where a page of search results ended. */
struct store_cursor {
	uint64_t	 hash;		/* of the hub and the query */
	double		 rank;
	long long	 skey;
	char		*id;
};

static sqlite3_stmt *store_stmt(struct store *, enum store_stmt);
static void	 store_done(sqlite3_stmt *);
static int	 store_exec(struct store *, enum store_stmt);
static void	 store_rollback(struct store *);
static void	 store_log(struct store *, const char *);
static int	 store_pragma(struct store *, const char *, char *, size_t);
static int	 store_migrate(struct store *, char *, size_t);
static int	 store_put_activity(struct store *, const char *, json_t *,
		    json_t *, size_t *);
static int	 store_bind_text(sqlite3_stmt *, int, const char *);
static char	*store_join(json_t *, const char *, const char *,
		    const char *);
static char	*store_match(const char *);
static int	 store_word_byte(unsigned char);
static int	 store_connective(const char *, size_t);
static void	 store_term(char **, const char *, size_t, int);
static char	*store_cursor_encode(const struct store_cursor *);
static int	 store_cursor_decode(const char *, struct store_cursor *);
static int	 store_progress_cb(void *);
static uint64_t	 store_fnv1a(uint64_t, const void *, size_t);
static json_t	*store_text_or_null(sqlite3_stmt *, int);
static json_t	*store_time_or_null(sqlite3_stmt *, int);
static json_t	*store_int_or_null(sqlite3_stmt *, int);

/*
 * Opens (creating if need be) the database at `path` and brings its
 * schema up to date.  A database from a newer dayhubd, one that is not a
 * database, or an SQLite without FTS5 is refused.  Returns STORE_OK with
 * *sp set, or STORE_ERROR with the reason in `err`.
 */
int
store_open(struct store **sp, const char *path, char *err, size_t errlen)
{
	struct store	*s;
	char		 mode[32];
	int		 rc;

	*sp = NULL;
	s = xcalloc(1, sizeof *s);
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db != NULL ?
		    sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT);
	if (store_pragma(s, "PRAGMA journal_mode = WAL", mode,
	    sizeof mode) == -1 ||
	    store_pragma(s, "PRAGMA synchronous = NORMAL", NULL, 0) == -1 ||
	    store_pragma(s, "PRAGMA foreign_keys = ON", NULL, 0) == -1) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	if (strcmp(mode, "wal") != 0)
		log_warnx("%s: journal mode is %s, not wal: searches will wait "
		    "for refreshes", path, mode);
	if (sqlite3_exec(s->db, "CREATE VIRTUAL TABLE temp.fts5_probe USING "
	    "fts5(x); DROP TABLE temp.fts5_probe", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "this SQLite lacks FTS5, which the "
		    "directory's search needs (%s)", sqlite3_errmsg(s->db));
		goto fail;
	}
	if (store_migrate(s, err, errlen) == -1)
		goto fail;
	*sp = s;
	return STORE_OK;

fail:
	store_close(s);
	return STORE_ERROR;
}

/* Finalizes every statement and closes the connection. */
void
store_close(struct store *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(s->db));
	free(s);
}

/* The schema version the database is at (PRAGMA user_version). */
int
store_schema_version(struct store *s)
{
	char		 buf[32];
	long long	 v;
	char		*end;

	if (store_pragma(s, "PRAGMA user_version", buf, sizeof buf) == -1)
		return -1;
	v = strtoll(buf, &end, 10);
	return *end == '\0' ? (int)v : -1;
}

/*
 * Makes hubs, spokes and their links match the configuration, in one
 * transaction.  Hubs no longer configured are marked inactive; spokes no
 * longer configured lose their links (their activities stay, in no hub's
 * directory).  Activities are never touched.
 */
int
store_sync_config(struct store *s, const struct config *conf)
{
	const struct config_hub		*h;
	const struct config_spoke	*sp;
	sqlite3_stmt			*st = NULL;
	size_t				 i, j;
	int				 began = 0, rc;

	if (store_exec(s, STMT_BEGIN) == -1)
		goto fail;
	began = 1;
	if (store_exec(s, STMT_HUB_RETIRE) == -1 ||
	    store_exec(s, STMT_LINK_CLEAR) == -1)
		goto fail;
	for (i = 0; i < conf->nhubs; i++) {
		h = &conf->hubs[i];
		if ((st = store_stmt(s, STMT_HUB_UPSERT)) == NULL)
			goto fail;
		rc = store_bind_text(st, 1, h->id);
		rc |= store_bind_text(st, 2, h->name != NULL ? h->name :
		    h->id);
		rc |= store_bind_text(st, 3, h->area);
		rc |= store_bind_text(st, 4, h->timezone != NULL ?
		    h->timezone : "Europe/London");
		if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
			store_log(s, store_sql[STMT_HUB_UPSERT].name);
			goto fail;
		}
		store_done(st);
		for (j = 0; j < h->nspokes; j++) {
			sp = &h->spokes[j];
			if ((st = store_stmt(s, STMT_SPOKE_UPSERT)) == NULL)
				goto fail;
			rc = store_bind_text(st, 1, sp->id);
			rc |= store_bind_text(st, 2, sp->name != NULL ?
			    sp->name : sp->id);
			rc |= store_bind_text(st, 3, sp->url != NULL ?
			    sp->url : "");
			rc |= store_bind_text(st, 4, sp->format != NULL ?
			    sp->format : "auto");
			rc |= sqlite3_bind_int64(st, 5,
			    (sqlite3_int64)sp->interval);
			if (rc != SQLITE_OK ||
			    sqlite3_step(st) != SQLITE_DONE) {
				store_log(s, store_sql[STMT_SPOKE_UPSERT].name);
				goto fail;
			}
			store_done(st);
			if ((st = store_stmt(s, STMT_LINK_ADD)) == NULL)
				goto fail;
			rc = store_bind_text(st, 1, h->id);
			rc |= store_bind_text(st, 2, sp->id);
			if (rc != SQLITE_OK ||
			    sqlite3_step(st) != SQLITE_DONE) {
				store_log(s, store_sql[STMT_LINK_ADD].name);
				goto fail;
			}
			store_done(st);
		}
	}
	st = NULL;
	if (store_exec(s, STMT_COMMIT) == -1)
		goto fail;
	return STORE_OK;

fail:
	store_done(st);
	if (began)
		store_rollback(s);
	return STORE_ERROR;
}

/*
 * Replaces a spoke's activities with the records of a feed it read
 * successfully, and records the feed's health, in one transaction:
 * records whose content is unchanged are left alone, changed ones are
 * updated, new ones inserted, ones no longer in the feed (or marked
 * "deleted") removed, and the full-text index follows.  Every record must
 * be an object with a title and an id "<spoke>:..." (record.c makes them
 * so); one that is not fails the whole refresh.  Returns STORE_OK,
 * STORE_NOTFOUND for an unknown spoke, or STORE_ERROR, in which case
 * nothing changed.
 */
int
store_apply_feed(struct store *s, const char *spoke,
    const struct feed_result *res, time_t when)
{
	sqlite3_stmt	*st = NULL;
	json_t		*old = NULL, *rec, *v, *first = NULL;
	const char	*key;
	char		*warnings = NULL;
	size_t		 i, kept = 0;
	int		 ret = STORE_ERROR, began = 0, rc;

	if (store_exec(s, STMT_BEGIN) == -1)
		goto fail;
	began = 1;

	if ((st = store_stmt(s, STMT_SPOKE_EXISTS)) == NULL ||
	    store_bind_text(st, 1, spoke) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			ret = STORE_NOTFOUND;
		else
			store_log(s, store_sql[STMT_SPOKE_EXISTS].name);
		goto fail;
	}
	store_done(st);

	/* What is stored now: id -> content hash; null once seen. */
	if ((old = json_object()) == NULL)
		fatalx("%s: out of memory", __func__);
	if ((st = store_stmt(s, STMT_ACT_HASHES)) == NULL ||
	    store_bind_text(st, 1, spoke) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (json_object_set_new(old,
		    (const char *)sqlite3_column_text(st, 0), json_string(
		    (const char *)sqlite3_column_text(st, 1))) == -1) {
			log_warnx("store: %s: an activity id is not UTF-8",
			    spoke);
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		store_log(s, store_sql[STMT_ACT_HASHES].name);
		goto fail;
	}
	store_done(st);
	st = NULL;

	if (res->records != NULL) {
		json_array_foreach(res->records, i, rec) {
			if (store_put_activity(s, spoke, rec, old, &kept) == -1)
				goto fail;
		}
	}
	json_object_foreach(old, key, v) {
		if (json_is_null(v))
			continue;
		if ((st = store_stmt(s, STMT_ACT_DELETE)) == NULL ||
		    store_bind_text(st, 1, key) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_DONE) {
			store_log(s, store_sql[STMT_ACT_DELETE].name);
			goto fail;
		}
		store_done(st);
	}
	st = NULL;

	if ((first = json_array()) == NULL)
		fatalx("%s: out of memory", __func__);
	if (res->warnings != NULL) {
		json_array_foreach(res->warnings, i, v) {
			if (i == STORE_HEALTH_WARNINGS)
				break;
			json_array_append(first, v);
		}
	}
	if ((warnings = json_dumps(first, JSON_COMPACT)) == NULL)
		fatalx("%s: out of memory", __func__);
	if ((st = store_stmt(s, STMT_SPOKE_OK)) == NULL)
		goto fail;
	rc = store_bind_text(st, 1, spoke);
	rc |= sqlite3_bind_int64(st, 2, (sqlite3_int64)when);
	rc |= sqlite3_bind_int64(st, 3, (sqlite3_int64)res->bytes);
	rc |= sqlite3_bind_int64(st, 4, (sqlite3_int64)kept);
	rc |= sqlite3_bind_int64(st, 5, (sqlite3_int64)res->nwarnings);
	rc |= store_bind_text(st, 6, warnings);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
		store_log(s, store_sql[STMT_SPOKE_OK].name);
		goto fail;
	}
	store_done(st);
	st = NULL;

	if (store_exec(s, STMT_COMMIT) == -1)
		goto fail;
	ret = STORE_OK;

fail:
	store_done(st);
	if (ret != STORE_OK && began)
		store_rollback(s);
	json_decref(old);
	json_decref(first);
	free(warnings);
	return ret;
}

/*
 * Records a failed refresh (fetch or parse) of `spoke` in its health,
 * leaving its activities as they were.  `error` is text in words, cut to
 * STORE_MAX_ERROR bytes.  Returns STORE_OK, STORE_NOTFOUND or STORE_ERROR.
 */
int
store_feed_failed(struct store *s, const char *spoke, time_t when,
    const char *error)
{
	sqlite3_stmt	*st;
	size_t		 len;
	int		 rc;

	if (error == NULL)
		error = "the refresh failed";
	len = strlen(error);
	if (len > STORE_MAX_ERROR) {
		len = STORE_MAX_ERROR;
		while (len > 0 && ((unsigned char)error[len] & 0xc0) == 0x80)
			len--;
	}
	if ((st = store_stmt(s, STMT_SPOKE_FAILED)) == NULL)
		return STORE_ERROR;
	rc = store_bind_text(st, 1, spoke);
	rc |= sqlite3_bind_int64(st, 2, (sqlite3_int64)when);
	rc |= sqlite3_bind_text(st, 3, error, (int)len, SQLITE_STATIC);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
		store_log(s, store_sql[STMT_SPOKE_FAILED].name);
		goto fail;
	}
	store_done(st);
	return sqlite3_changes(s->db) == 0 ? STORE_NOTFOUND : STORE_OK;

fail:
	store_done(st);
	return STORE_ERROR;
}

/*
 * The active hubs, by id, with how many spokes and activities each has:
 * {"hubs":[{"id","name","area","timezone","spokes","activities"}...]}.
 */
int
store_hubs(struct store *s, json_t **out)
{
	sqlite3_stmt	*st;
	json_t		*hubs = NULL, *h;
	int		 rc;

	*out = NULL;
	if ((st = store_stmt(s, STMT_HUBS)) == NULL)
		return STORE_ERROR;
	if ((hubs = json_array()) == NULL)
		fatalx("%s: out of memory", __func__);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		h = json_pack("{s:o,s:o,s:o,s:o,s:I,s:I}",
		    "id", store_text_or_null(st, 0),
		    "name", store_text_or_null(st, 1),
		    "area", store_text_or_null(st, 2),
		    "timezone", store_text_or_null(st, 3),
		    "spokes", (json_int_t)sqlite3_column_int64(st, 4),
		    "activities", (json_int_t)sqlite3_column_int64(st, 5));
		if (h == NULL)
			fatalx("%s: out of memory", __func__);
		json_array_append_new(hubs, h);
	}
	if (rc != SQLITE_DONE) {
		store_log(s, store_sql[STMT_HUBS].name);
		goto fail;
	}
	store_done(st);
	*out = json_pack("{s:o}", "hubs", hubs);
	return STORE_OK;

fail:
	store_done(st);
	json_decref(hubs);
	return STORE_ERROR;
}

/*
 * Searches one hub's directory.  sq->q is what a person typed (any bytes,
 * NULL or empty): store_match() makes it a safe FTS5 expression, so no
 * text can be a syntax error; with no words it lists the hub by start.
 * Results are ordered by relevance, then start, then id, at most
 * sq->limit of them, with "next" a cursor for the following page or null.
 * sq->cursor is such a cursor or NULL.  Returns STORE_OK with *out set;
 * STORE_NOTFOUND for an unknown hub; STORE_BADQUERY (reason in err) for a
 * cursor that is malformed or from another search; STORE_TIMEOUT past
 * STORE_SEARCH_BUDGET; STORE_ERROR otherwise.
 */
int
store_search(struct store *s, const struct search_query *sq, json_t **out,
    char *err, size_t errlen)
{
	struct store_cursor	 cur, last;
	sqlite3_stmt		*st = NULL;
	enum store_stmt		 which;
	json_t			*results = NULL, *row, *loc;
	char			*match = NULL, *next = NULL;
	const char		*cost;
	size_t			 limit, n = 0;
	uint64_t		 hash;
	int			 rc, ret = STORE_ERROR, have_cursor = 0;

	*out = NULL;
	memset(&cur, 0, sizeof cur);
	memset(&last, 0, sizeof last);
	if (errlen > 0)
		*err = '\0';
	limit = sq->limit;
	if (limit == 0)
		limit = SEARCH_DEFAULT_LIMIT;
	if (limit > SEARCH_MAX_LIMIT)
		limit = SEARCH_MAX_LIMIT;

	if (sq->hub == NULL) {
		snprintf(err, errlen, "no hub was named");
		return STORE_NOTFOUND;
	}
	if ((st = store_stmt(s, STMT_HUB_ACTIVE)) == NULL ||
	    store_bind_text(st, 1, sq->hub) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE) {
			snprintf(err, errlen, "no hub \"%s\"", sq->hub);
			ret = STORE_NOTFOUND;
		} else
			store_log(s, store_sql[STMT_HUB_ACTIVE].name);
		goto fail;
	}
	store_done(st);
	st = NULL;

	match = store_match(sq->q);
	hash = store_fnv1a(0xcbf29ce484222325ULL, sq->hub, strlen(sq->hub) + 1);
	if (match != NULL)
		hash = store_fnv1a(hash, match, strlen(match));
	if (sq->cursor != NULL && *sq->cursor != '\0') {
		if (store_cursor_decode(sq->cursor, &cur) == -1 ||
		    cur.hash != hash) {
			snprintf(err, errlen, "the cursor is not valid for "
			    "this search");
			ret = STORE_BADQUERY;
			goto fail;
		}
		have_cursor = 1;
	}

	which = match != NULL ? STMT_SEARCH_TEXT : STMT_SEARCH_ALL;
	if ((st = store_stmt(s, which)) == NULL)
		goto fail;
	rc = store_bind_text(st, 1, sq->hub);
	if (match != NULL)
		rc |= store_bind_text(st, 2, match);
	if (have_cursor) {
		rc |= sqlite3_bind_double(st, 3, cur.rank);
		rc |= sqlite3_bind_int64(st, 4, cur.skey);
		rc |= store_bind_text(st, 5, cur.id);
	}
	rc |= sqlite3_bind_int64(st, 6, (sqlite3_int64)limit + 1);
	if (rc != SQLITE_OK) {
		store_log(s, store_sql[which].name);
		goto fail;
	}

	if ((results = json_array()) == NULL)
		fatalx("%s: out of memory", __func__);
	clock_gettime(CLOCK_MONOTONIC, &s->deadline);
	s->deadline.tv_sec += STORE_SEARCH_BUDGET / 1000;
	s->deadline.tv_nsec += (STORE_SEARCH_BUDGET % 1000) * 1000000L;
	if (s->deadline.tv_nsec >= 1000000000L) {
		s->deadline.tv_sec++;
		s->deadline.tv_nsec -= 1000000000L;
	}
	sqlite3_progress_handler(s->db, STORE_PROGRESS_OPS, store_progress_cb,
	    s);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit) {
			if ((next = store_cursor_encode(&last)) == NULL)
				fatalx("%s: out of memory", __func__);
			break;
		}
		row = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
		    "id", store_text_or_null(st, 0),
		    "title", store_text_or_null(st, 1),
		    "summary", store_text_or_null(st, 2),
		    "start", store_text_or_null(st, 3),
		    "end", store_text_or_null(st, 4),
		    "spoke", store_text_or_null(st, 5),
		    "url", store_text_or_null(st, 6));
		if (row == NULL)
			fatalx("%s: out of memory", __func__);
		if (sqlite3_column_type(st, 7) != SQLITE_NULL ||
		    sqlite3_column_type(st, 8) != SQLITE_NULL) {
			loc = json_pack("{s:o,s:o}",
			    "name", store_text_or_null(st, 7),
			    "postcode", store_text_or_null(st, 8));
			json_object_set_new(row, "location", loc);
		}
		if ((cost = (const char *)sqlite3_column_text(st, 9)) != NULL)
			json_object_set_new(row, "cost",
			    json_loads(cost, 0, NULL));
		json_array_append_new(results, row);
		n++;
		free(last.id);
		last.hash = hash;
		last.rank = sqlite3_column_double(st, 10);
		last.skey = sqlite3_column_int64(st, 11);
		last.id = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_progress_handler(s->db, 0, NULL, NULL);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		if (rc == SQLITE_INTERRUPT) {
			log_warnx("store: search of %s for \"%s\" ran past "
			    "%d ms", sq->hub, match != NULL ? match : "",
			    STORE_SEARCH_BUDGET);
			ret = STORE_TIMEOUT;
		} else
			store_log(s, store_sql[which].name);
		goto fail;
	}
	store_done(st);
	st = NULL;
	*out = json_pack("{s:s,s:I,s:o,s:o}", "hub", sq->hub,
	    "count", (json_int_t)n, "results", results,
	    "next", next != NULL ? json_string(next) : json_null());
	results = NULL;
	if (*out == NULL)
		fatalx("%s: out of memory", __func__);
	ret = STORE_OK;

fail:
	store_done(st);
	json_decref(results);
	free(match);
	free(next);
	free(cur.id);
	free(last.id);
	return ret;
}

/*
 * One activity by id: {"activity": its v1 record, plus "hubs", the active
 * hubs whose directories list it}.  STORE_NOTFOUND when there is none.
 */
int
store_get(struct store *s, const char *id, json_t **out)
{
	sqlite3_stmt	*st;
	json_t		*rec = NULL, *hubs = NULL;
	json_error_t	 jerr;
	char		*spoke = NULL;
	int		 rc, ret = STORE_ERROR;

	*out = NULL;
	if ((st = store_stmt(s, STMT_GET)) == NULL ||
	    store_bind_text(st, 1, id) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			ret = STORE_NOTFOUND;
		else
			store_log(s, store_sql[STMT_GET].name);
		goto fail;
	}
	rec = json_loads((const char *)sqlite3_column_text(st, 0), 0, &jerr);
	if (!json_is_object(rec)) {
		log_warnx("store: activity %s: its record is not JSON: %s", id,
		    jerr.text);
		goto fail;
	}
	spoke = xstrdup((const char *)sqlite3_column_text(st, 1));
	store_done(st);

	if ((st = store_stmt(s, STMT_GET_HUBS)) == NULL ||
	    store_bind_text(st, 1, spoke) != SQLITE_OK)
		goto fail;
	if ((hubs = json_array()) == NULL)
		fatalx("%s: out of memory", __func__);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(hubs, store_text_or_null(st, 0));
	if (rc != SQLITE_DONE) {
		store_log(s, store_sql[STMT_GET_HUBS].name);
		goto fail;
	}
	json_object_set_new(rec, "hubs", hubs);
	hubs = NULL;
	*out = json_pack("{s:o}", "activity", rec);
	rec = NULL;
	ret = STORE_OK;

fail:
	store_done(st);
	json_decref(rec);
	json_decref(hubs);
	free(spoke);
	return ret;
}

/*
 * A spoke's configuration and feed health as JSON (times as RFC 3339,
 * null when never), or STORE_NOTFOUND.
 */
int
store_spoke_health(struct store *s, const char *spoke, json_t **out)
{
	sqlite3_stmt	*st;
	json_t		*h, *w = NULL;
	const char	*text;
	int		 rc;

	*out = NULL;
	if ((st = store_stmt(s, STMT_HEALTH)) == NULL ||
	    store_bind_text(st, 1, spoke) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		store_done(st);
		if (rc == SQLITE_DONE)
			return STORE_NOTFOUND;
		store_log(s, store_sql[STMT_HEALTH].name);
		return STORE_ERROR;
	}
	if ((text = (const char *)sqlite3_column_text(st, 12)) != NULL)
		w = json_loads(text, 0, NULL);
	if (w == NULL)
		w = json_array();
	h = json_pack("{s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
	    "s:o,s:I,s:o,s:I}",
	    "id", store_text_or_null(st, 0),
	    "name", store_text_or_null(st, 1),
	    "url", store_text_or_null(st, 2),
	    "format", store_text_or_null(st, 3),
	    "interval", (json_int_t)sqlite3_column_int64(st, 4),
	    "last_attempt", store_time_or_null(st, 5),
	    "last_success", store_time_or_null(st, 6),
	    "last_status", store_text_or_null(st, 7),
	    "last_error", store_text_or_null(st, 8),
	    "last_bytes", store_int_or_null(st, 9),
	    "last_records", store_int_or_null(st, 10),
	    "last_warnings", store_int_or_null(st, 11),
	    "warnings", w,
	    "consecutive_failures", (json_int_t)sqlite3_column_int64(st, 13),
	    "next_due", store_time_or_null(st, 14),
	    "activities", (json_int_t)sqlite3_column_int64(st, 15));
	if (h == NULL)
		fatalx("%s: out of memory", __func__);
	store_done(st);
	*out = h;
	return STORE_OK;

fail:
	store_done(st);
	return STORE_ERROR;
}

/* The cached statement `id`, prepared on first use; NULL (logged) if not. */
static sqlite3_stmt *
store_stmt(struct store *s, enum store_stmt id)
{
	if (s->stmt[id] != NULL)
		return s->stmt[id];
	if (sqlite3_prepare_v3(s->db, store_sql[id].sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &s->stmt[id], NULL) != SQLITE_OK) {
		log_warnx("store: preparing %s: %s", store_sql[id].name,
		    sqlite3_errmsg(s->db));
		s->stmt[id] = NULL;
		return NULL;
	}
	return s->stmt[id];
}

/* Makes a cached statement ready for its next use. */
static void
store_done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Runs a statement that takes no parameters and returns no rows. */
static int
store_exec(struct store *s, enum store_stmt id)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, id)) == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		store_log(s, store_sql[id].name);
	store_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Undoes the open transaction, if SQLite has not already. */
static void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)store_exec(s, STMT_ROLLBACK);
}

static void
store_log(struct store *s, const char *step)
{
	log_warnx("store: %s: %s", step, sqlite3_errmsg(s->db));
}

/*
 * Runs a fixed PRAGMA (never outside text) and copies its first value, if
 * any, into `buf`.
 */
static int
store_pragma(struct store *s, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt	*st = NULL;
	const char	*v;
	int		 rc;

	if (buf != NULL && len > 0)
		*buf = '\0';
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (buf != NULL && *buf == '\0' &&
		    (v = (const char *)sqlite3_column_text(st, 0)) != NULL)
			snprintf(buf, len, "%s", v);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return 0;

fail:
	store_log(s, sql);
	sqlite3_finalize(st);
	return -1;
}

/*
 * Applies the compiled-in migrations the database has not seen, each in
 * its own transaction with its user_version, re-reading the version once
 * the write lock is held so two daemons starting at once do not both
 * apply one.  Refuses a database newer than this program.
 */
static int
store_migrate(struct store *s, char *err, size_t errlen)
{
	const struct store_migration	*m;
	char				 sql[64];
	size_t				 i;
	int				 version, newest;

	newest = store_nmigrations == 0 ? 0 :
	    store_migrations[store_nmigrations - 1].version;
	if ((version = store_schema_version(s)) < 0) {
		snprintf(err, errlen, "could not read the schema version: %s",
		    sqlite3_errmsg(s->db));
		return -1;
	}
	if (version > newest) {
		snprintf(err, errlen, "database schema version %d is newer "
		    "than this dayhubd knows (%d): refusing to open it; use a "
		    "newer dayhubd", version, newest);
		return -1;
	}
	for (i = 0; i < store_nmigrations && version < newest; i++) {
		m = &store_migrations[i];
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL,
		    NULL) != SQLITE_OK) {
			snprintf(err, errlen, "could not lock the database to "
			    "update its schema: %s", sqlite3_errmsg(s->db));
			return -1;
		}
		if ((version = store_schema_version(s)) < 0) {
			snprintf(err, errlen, "could not read the schema "
			    "version: %s", sqlite3_errmsg(s->db));
			goto fail;
		}
		if (version > newest) {
			snprintf(err, errlen, "database schema version %d is "
			    "newer than this dayhubd knows (%d): refusing to "
			    "open it; use a newer dayhubd", version, newest);
			goto fail;
		}
		if (version >= m->version) {
			sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
			continue;
		}
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
		    m->version);
		if (sqlite3_exec(s->db, m->sql, NULL, NULL, NULL) !=
		    SQLITE_OK ||
		    sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) !=
		    SQLITE_OK) {
			snprintf(err, errlen, "schema migration %d (%s) "
			    "failed: %s", m->version, m->name,
			    sqlite3_errmsg(s->db));
			goto fail;
		}
		log_info("database schema updated to version %d (%s)",
		    m->version, m->name);
	}
	return 0;

fail:
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * Stores one record of `spoke`'s feed unless it is unchanged (its content
 * hash in `old` matches) or deleted, and marks it seen in `old`.  Returns
 * 0, or -1 (logged) for a record that breaks the rules or a failed write.
 */
static int
store_put_activity(struct store *s, const char *spoke, json_t *rec,
    json_t *old, size_t *kept)
{
	sqlite3_stmt	*st = NULL;
	json_t		*loc, *cost, *prev, *v;
	const char	*id, *title, *sid, *state, *start, *end;
	char		*text = NULL, *venue = NULL, *cats = NULL, hash[17];
	size_t		 len = strlen(spoke);
	time_t		 t;
	int		 rc, ret = -1, unchanged;

	id = json_string_value(json_object_get(rec, "id"));
	if (!json_is_object(rec) || id == NULL ||
	    strncmp(id, spoke, len) != 0 || id[len] != ':' ||
	    id[len + 1] == '\0') {
		log_warnx("store: %s: a record has no id of this spoke",
		    spoke);
		return -1;
	}
	state = json_string_value(json_object_get(rec, "state"));
	if (state != NULL && strcmp(state, "deleted") == 0)
		return 0;
	if ((title = json_string_value(json_object_get(rec, "title"))) ==
	    NULL) {
		log_warnx("store: %s: record %s has no title", spoke, id);
		return -1;
	}
	if ((sid = json_string_value(json_object_get(rec, "source_id"))) ==
	    NULL)
		sid = id + len + 1;

	/* 15 digits: "50.7" is stored as 50.7, not 50.700000000000003 */
	if ((text = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(15))) ==
	    NULL)
		fatalx("%s: out of memory", __func__);
	snprintf(hash, sizeof hash, "%016llx", (unsigned long long)
	    store_fnv1a(0xcbf29ce484222325ULL, text, strlen(text)));
	prev = json_object_get(old, id);
	unchanged = json_is_string(prev) &&
	    strcmp(json_string_value(prev), hash) == 0;
	if (json_object_set_new(old, id, json_null()) == -1) {
		log_warnx("store: %s: record id is not UTF-8", spoke);
		goto fail;
	}
	(*kept)++;
	if (unchanged) {
		ret = 0;
		goto fail;
	}

	loc = json_object_get(rec, "location");
	cost = json_object_get(rec, "cost");
	venue = store_join(loc, "name", "address", ", ");
	cats = store_join(rec, "categories", "activity", " ");
	start = json_string_value(json_object_get(rec, "start"));
	end = json_string_value(json_object_get(rec, "end"));

	if ((st = store_stmt(s, STMT_ACT_UPSERT)) == NULL)
		goto fail;
	rc = store_bind_text(st, 1, id);
	rc |= store_bind_text(st, 2, spoke);
	rc |= store_bind_text(st, 3, sid);
	rc |= store_bind_text(st, 4, title);
	rc |= store_bind_text(st, 5,
	    json_string_value(json_object_get(rec, "summary")));
	rc |= store_bind_text(st, 6,
	    json_string_value(json_object_get(rec, "description")));
	rc |= store_bind_text(st, 7, json_string_value(json_object_get(
	    json_object_get(rec, "organiser"), "name")));
	rc |= store_bind_text(st, 8, venue);
	rc |= store_bind_text(st, 9, cats);
	rc |= store_bind_text(st, 10,
	    json_string_value(json_object_get(rec, "url")));
	if (record_time_epoch(start, &t) == 0)
		rc |= sqlite3_bind_int64(st, 11, (sqlite3_int64)t);
	if (record_time_epoch(end, &t) == 0)
		rc |= sqlite3_bind_int64(st, 12, (sqlite3_int64)t);
	rc |= store_bind_text(st, 13, start);
	rc |= store_bind_text(st, 14, end);
	rc |= store_bind_text(st, 15,
	    json_string_value(json_object_get(rec, "timezone")));
	rc |= store_bind_text(st, 16,
	    json_string_value(json_object_get(loc, "postcode")));
	if (json_is_number(v = json_object_get(loc, "lat")))
		rc |= sqlite3_bind_double(st, 17, json_number_value(v));
	if (json_is_number(v = json_object_get(loc, "lon")))
		rc |= sqlite3_bind_double(st, 18, json_number_value(v));
	if (json_is_number(v = json_object_get(cost, "min")))
		rc |= sqlite3_bind_double(st, 19, json_number_value(v));
	if (json_is_number(v = json_object_get(cost, "max")))
		rc |= sqlite3_bind_double(st, 20, json_number_value(v));
	if (json_is_boolean(v = json_object_get(cost, "free")))
		rc |= sqlite3_bind_int(st, 21, json_is_true(v));
	rc |= store_bind_text(st, 22,
	    json_string_value(json_object_get(rec, "pathway")));
	rc |= store_bind_text(st, 23,
	    json_string_value(json_object_get(rec, "updated")));
	rc |= store_bind_text(st, 24, text);
	rc |= store_bind_text(st, 25, hash);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
		store_log(s, store_sql[STMT_ACT_UPSERT].name);
		goto fail;
	}
	ret = 0;

fail:
	store_done(st);
	free(text);
	free(venue);
	free(cats);
	return ret;
}

/* Binds a string, or NULL for a missing one; it must outlive the step. */
static int
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/*
 * Joins the strings of obj[a] and obj[b] (each a string or an array of
 * strings) with `sep`; NULL when there are none.
 */
static char *
store_join(json_t *obj, const char *a, const char *b, const char *sep)
{
	const char	*keys[2] = { a, b };
	json_t		*v, *e;
	char		*out = NULL, *tmp;
	size_t		 i, j;

	for (i = 0; i < 2; i++) {
		v = json_object_get(obj, keys[i]);
		for (j = 0; j < (json_is_array(v) ? json_array_size(v) : 1);
		    j++) {
			e = json_is_array(v) ? json_array_get(v, j) : v;
			if (!json_is_string(e))
				continue;
			if (out == NULL)
				out = xstrdup(json_string_value(e));
			else {
				xasprintf(&tmp, "%s%s%s", out, sep,
				    json_string_value(e));
				free(out);
				out = tmp;
			}
		}
	}
	return out;
}

/*
 * Turns search text as a person typed it into an FTS5 expression that
 * cannot fail to parse, or NULL when it holds no words.  A word is a run
 * of letters and digits (any non-ASCII byte counts as a letter, and the
 * tokenizer splits what it must); everything else separates words, so
 * FTS5 operators and column filters ("NEAR(", "title:x", "-") are just
 * words or nothing, and the bare words and, or, not and near are left
 * out.  Each word becomes a quoted string; a '*' right after a word makes
 * it a prefix; text in double quotes is one phrase (an unbalanced quote
 * runs to the end).  Terms are joined with AND, at most STORE_MAX_TERMS of
 * them.
 */
static char *
store_match(const char *q)
{
	const unsigned char	*p, *w;
	char			*out, *o, *clean, *phrase, *pp;
	size_t			 len, nterms = 0, n, i;
	unsigned char		 c;

	if (q == NULL || *q == '\0')
		return NULL;
	len = strlen(q);
	/* Bytes that are not UTF-8 separate words like punctuation. */
	clean = xstrdup(q);
	for (i = 0; i < len; i += n) {
		c = (unsigned char)clean[i];
		n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 :
		    (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0 || i + n > len || !utf8_valid(clean + i, n)) {
			clean[i] = ' ';
			n = 1;
		}
	}
	p = (const unsigned char *)clean;
	/* Each byte grows to at most `"x" AND `. */
	out = o = xmalloc(len * 10 + 16);
	*o = '\0';
	while (*p != '\0' && nterms < STORE_MAX_TERMS) {
		if (*p == '"') {
			phrase = pp = xmalloc(len + 1);
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (store_word_byte(*p))
					*pp++ = (char)*p;
				else if (pp > phrase && pp[-1] != ' ')
					*pp++ = ' ';
			}
			if (*p == '"')
				p++;
			while (pp > phrase && pp[-1] == ' ')
				pp--;
			if (pp > phrase) {
				if (nterms++ > 0)
					o = stpcpy(o, " AND ");
				store_term(&o, phrase,
				    (size_t)(pp - phrase), 0);
			}
			free(phrase);
			continue;
		}
		if (!store_word_byte(*p)) {
			p++;
			continue;
		}
		for (w = p; store_word_byte(*p); p++)
			;
		n = (size_t)(p - w);
		if (*p != '*' && store_connective((const char *)w, n))
			continue;
		if (nterms++ > 0)
			o = stpcpy(o, " AND ");
		store_term(&o, (const char *)w, n, *p == '*');
	}
	free(clean);
	if (nterms == 0) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * Whether a bare word is one people type between words ("art and
 * crafts") or as an operator; such words are left out rather than
 * required.  Inside a phrase they count.
 */
static int
store_connective(const char *w, size_t n)
{
	static const char *const words[] = { "and", "or", "not", "near" };
	size_t	i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i]) == n && strncasecmp(w, words[i], n) == 0)
			return 1;
	return 0;
}

/* Whether a byte belongs to a word of search text. */
static int
store_word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* Writes one FTS5 string term, quotes doubled, '*' after it for a prefix. */
static void
store_term(char **o, const char *s, size_t n, int prefix)
{
	size_t	i;

	*(*o)++ = '"';
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			*(*o)++ = '"';
		*(*o)++ = s[i];
	}
	*(*o)++ = '"';
	if (prefix)
		*(*o)++ = '*';
	**o = '\0';
}

/*
 * A cursor is "1|hash|rank|start|id" in unpadded base64url: opaque to a
 * client, and tied by the hash to the hub and query it came from.
 */
static char *
store_cursor_encode(const struct store_cursor *c)
{
	static const char	 b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char	*p;
	char			*raw, *out, *o;
	size_t			 len, i;
	unsigned int		 v;

	len = (size_t)xasprintf(&raw, "1|%016llx|%.17g|%lld|%s",
	    (unsigned long long)c->hash, c->rank, c->skey, c->id);
	out = o = xmalloc(len / 3 * 4 + 5);
	p = (const unsigned char *)raw;
	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = b64[v & 63];
	}
	if (len - i == 1) {
		v = (unsigned)p[i] << 16;
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
	}
	*o = '\0';
	free(raw);
	return out;
}

/*
 * Reads a cursor a client sent back: any text at all.  Returns 0 with `c`
 * filled (c->id allocated), or -1 for anything malformed.
 */
static int
store_cursor_decode(const char *s, struct store_cursor *c)
{
	unsigned char	*raw = NULL;
	char		*f[4], *p, *end;
	size_t		 len, i, n = 0;
	unsigned int	 v = 0, bits = 0;
	int		 d;

	memset(c, 0, sizeof *c);
	if ((len = strlen(s)) == 0 || len > STORE_MAX_CURSOR || len % 4 == 1)
		return -1;
	raw = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			d = s[i] - 'A';
		else if (s[i] >= 'a' && s[i] <= 'z')
			d = s[i] - 'a' + 26;
		else if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0' + 52;
		else if (s[i] == '-')
			d = 62;
		else if (s[i] == '_')
			d = 63;
		else
			goto fail;
		v = (v << 6 | (unsigned)d) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			raw[n++] = (unsigned char)(v >> bits);
		}
	}
	raw[n] = '\0';
	if (memchr(raw, '\0', n) != NULL || strncmp((char *)raw, "1|", 2) != 0)
		goto fail;
	p = (char *)raw + 2;
	for (i = 0; i < 3; i++) {
		f[i] = p;
		if ((p = strchr(p, '|')) == NULL)
			goto fail;
		*p++ = '\0';
	}
	f[3] = p;
	if (strlen(f[0]) != 16 || *f[3] == '\0')
		goto fail;
	errno = 0;
	c->hash = strtoull(f[0], &end, 16);
	if (*end != '\0' || errno != 0 || !isxdigit((unsigned char)*f[0]))
		goto fail;
	c->rank = strtod(f[1], &end);
	if (*f[1] == '\0' || *end != '\0' || !isfinite(c->rank))
		goto fail;
	errno = 0;
	c->skey = strtoll(f[2], &end, 10);
	if (*f[2] == '\0' || *end != '\0' || errno != 0)
		goto fail;
	if (!utf8_valid(f[3], strlen(f[3])))
		goto fail;
	c->id = xstrdup(f[3]);
	free(raw);
	return 0;

fail:
	free(raw);
	return -1;
}

/* Stops a search that has run past its deadline. */
static int
store_progress_cb(void *arg)
{
	struct store	*s = arg;
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > s->deadline.tv_sec ||
	    (now.tv_sec == s->deadline.tv_sec &&
	    now.tv_nsec >= s->deadline.tv_nsec);
}

/* FNV-1a, 64 bits: a short stable name for bytes, not a secure hash. */
static uint64_t
store_fnv1a(uint64_t h, const void *p, size_t len)
{
	const unsigned char	*b = p;
	size_t			 i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static json_t *
store_text_or_null(sqlite3_stmt *st, int i)
{
	const char	*v = (const char *)sqlite3_column_text(st, i);
	json_t		*j;

	if (v == NULL)
		return json_null();
	/* Everything stored came through record.c as UTF-8; be safe. */
	if ((j = json_string(v)) == NULL)
		j = json_null();
	return j;
}

static json_t *
store_time_or_null(sqlite3_stmt *st, int i)
{
	char	buf[32];

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_string(format_rfc3339((time_t)sqlite3_column_int64(st, i),
	    buf, sizeof buf));
}

static json_t *
store_int_or_null(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_integer((json_int_t)sqlite3_column_int64(st, i));
}
