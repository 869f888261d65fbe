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
 * Activities that leave a feed are not deleted but become tombstones
 * (deleted_at set): out of the directory, its search and its counts, but
 * still found by id, and revived as the same row if they come back.  The
 * full-text index holds live activities only; schema/002-ingest.sql's
 * triggers see to that.
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
#define STORE_CACHE_KIB		"-16384" /* page cache: 16 MiB (negative: KiB) */
#define STORE_SEARCH_BUDGET	250	/* ms one search may take */
#define STORE_PROGRESS_OPS	1000	/* VM steps between clock checks */
#define STORE_HEALTH_WARNINGS	5	/* warnings kept in feed health */
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
	STMT_STAGE_CLEAR,
	STMT_STAGE_ADD,
	STMT_GONE_CLEAR,
	STMT_GONE_ADD,
	STMT_ACT_MERGE,
	STMT_ACT_BURY,
	STMT_ACT_PURGE,
	STMT_SPOKE_OK,
	STMT_SPOKE_FAILED,
	STMT_SPOKE_UNCHANGED,
	STMT_SPOKE_STATE,
	STMT_SPOKES,
	STMT_HUBS,
	STMT_HUB_ACTIVE,
	STMT_SEARCH_ALL,
	STMT_SEARCH_TEXT,
	STMT_GET,
	STMT_GET_HUBS,
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
/* What a refresh writes of an activity, in the order it binds them. */
#define STORE_ACT_COLUMNS						\
	"id, spoke, source_id, title, summary, description, organiser, "	\
	"venue, categories, url, start_utc, end_utc, start_text, "	\
	"end_text, timezone, postcode, lat, lon, cost_min, cost_max, "	\
	"free, pathway, updated, record, content_hash"
#define STORE_IN_HUB	\
	"a.spoke IN (SELECT spoke FROM hub_spokes WHERE hub = ?1) " \
	"AND a.deleted_at IS NULL"

/*
 * A permanent redirect to ?M (NULL: none) seen by a good fetch: it moves
 * the feed unless it points where the feed already is; a move back to the
 * configured url clears current_url.  Used in UPDATE spokes ... SET, where
 * every column still reads its old value.
 */
#define STORE_MOVED(m)							\
	"(" m " IS NOT NULL AND " m " IS NOT coalesce(current_url, url))"
#define STORE_SET_MOVE(m, when)						\
	"current_url = CASE WHEN " STORE_MOVED(m) " THEN nullif(" m	\
	", url) ELSE current_url END, "					\
	"moved_from = CASE WHEN " STORE_MOVED(m) " THEN "		\
	"coalesce(current_url, url) ELSE moved_from END, "		\
	"moved_at = CASE WHEN " STORE_MOVED(m) " THEN " when		\
	" ELSE moved_at END"

/*
 * Set by a sync for a spoke whose configured url changed: it is a new
 * feed, so what was learnt about the old one goes, and it is due at once.
 */
#define STORE_SAME_URL	"url IS excluded.url"
#define STORE_RESET(col)						\
	col " = CASE WHEN " STORE_SAME_URL " THEN " col " END"

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
	    "format = excluded.format, interval = excluded.interval, "
	    STORE_RESET("current_url") ", " STORE_RESET("moved_from") ", "
	    STORE_RESET("moved_at") ", " STORE_RESET("etag") ", "
	    STORE_RESET("last_modified") ", " STORE_RESET("identity") ", "
	    STORE_RESET("gone_since") ", " STORE_RESET("next_due") ", "
	    "consecutive_failures = CASE WHEN " STORE_SAME_URL
	    " THEN consecutive_failures ELSE 0 END" },
	[STMT_LINK_ADD] = { "link spoke",
	    "INSERT OR IGNORE INTO hub_spokes (hub, spoke) VALUES (?1, ?2)" },
	[STMT_SPOKE_EXISTS] = { "find spoke",
	    "SELECT 1 FROM spokes WHERE id = ?1" },
	[STMT_ACT_HASHES] = { "list activities",
	    "SELECT id, content_hash, deleted_at IS NOT NULL FROM activities "
	    "WHERE spoke = ?1" },
	/*
	 * A refresh stages the rows it writes and the ids it tombstones in
	 * two temporary tables, then applies each set with one statement:
	 * FTS5 writes its pending index at every statement's end, so one
	 * statement per row would leave a small index segment per row.
	 */
	[STMT_STAGE_CLEAR] = { "clear staged activities",
	    "DELETE FROM temp.store_stage" },
	[STMT_STAGE_ADD] = { "stage activity",
	    "INSERT INTO temp.store_stage (" STORE_ACT_COLUMNS ") VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)" },
	[STMT_GONE_CLEAR] = { "clear staged tombstones",
	    "DELETE FROM temp.store_gone" },
	[STMT_GONE_ADD] = { "stage tombstone",
	    "INSERT INTO temp.store_gone (id) VALUES (?1)" },
	/* New rows take seqs in feed order; "WHERE true" parses the upsert. */
	[STMT_ACT_MERGE] = { "merge activities",
	    "INSERT INTO activities (" STORE_ACT_COLUMNS ") "
	    "SELECT " STORE_ACT_COLUMNS " FROM temp.store_stage WHERE true "
	    "ORDER BY rowid ON CONFLICT (id) DO UPDATE SET "
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
	    "content_hash = excluded.content_hash, deleted_at = NULL" },
	[STMT_ACT_BURY] = { "tombstone activities",
	    "UPDATE activities SET deleted_at = ?1 WHERE deleted_at IS NULL "
	    "AND id IN (SELECT id FROM temp.store_gone)" },
	[STMT_ACT_PURGE] = { "purge tombstones",
	    "DELETE FROM activities "
	    "WHERE deleted_at IS NOT NULL AND deleted_at < ?1" },
	[STMT_SPOKE_OK] = { "record feed success",
	    "UPDATE spokes SET last_attempt = ?2, last_success = ?2, "
	    "last_status = 'ok', http_status = ?3, last_error = NULL, "
	    "last_bytes = ?4, last_seconds = ?5, last_records = ?6, "
	    "last_warnings = ?7, warnings_json = ?8, "
	    "consecutive_failures = 0, next_due = ?9, etag = ?10, "
	    "last_modified = ?11, gone_since = NULL, "
	    "identity = coalesce(?12, identity), "
	    STORE_SET_MOVE("?13", "?2") " WHERE id = ?1" },
	[STMT_SPOKE_FAILED] = { "record feed failure",
	    "UPDATE spokes SET last_attempt = ?2, last_status = 'failed', "
	    "http_status = ?3, last_error = ?4, "
	    "consecutive_failures = consecutive_failures + 1, next_due = ?5, "
	    "gone_since = CASE WHEN ?6 THEN coalesce(gone_since, ?2) "
	    "ELSE gone_since END WHERE id = ?1" },
	[STMT_SPOKE_UNCHANGED] = { "record feed unchanged",
	    "UPDATE spokes SET last_attempt = ?2, last_success = ?2, "
	    "last_status = 'unchanged', http_status = ?3, last_error = NULL, "
	    "consecutive_failures = 0, next_due = ?4, "
	    "etag = coalesce(?5, etag), "
	    "last_modified = coalesce(?6, last_modified), gone_since = NULL, "
	    STORE_SET_MOVE("?7", "?2") " WHERE id = ?1" },
	[STMT_SPOKE_STATE] = { "spoke state",
	    "SELECT current_url, etag, last_modified, identity, next_due, "
	    "last_success, gone_since, consecutive_failures "
	    "FROM spokes WHERE id = ?1" },
	/* The columns in the order of store_spoke_columns. */
	[STMT_SPOKES] = { "list spokes",
	    "SELECT s.id, s.name, s.url, s.current_url, s.format, "
	    "s.last_attempt, s.last_success, s.last_status, s.http_status, "
	    "s.last_error, s.last_bytes, s.last_seconds, "
	    "(SELECT count(*) FROM activities a WHERE a.spoke = s.id "
	    "AND a.deleted_at IS NULL), s.last_warnings, s.warnings_json, "
	    "s.consecutive_failures, s.next_due, s.moved_from, s.moved_at, "
	    "s.gone_since, s.identity, s.etag, s.last_modified "
	    "FROM hub_spokes hs JOIN spokes s ON s.id = hs.spoke "
	    "WHERE hs.hub = ?1 ORDER BY s.id" },
	[STMT_HUBS] = { "list hubs",
	    "SELECT h.id, h.name, h.area, h.timezone, "
	    "(SELECT count(*) FROM hub_spokes hs WHERE hs.hub = h.id), "
	    "(SELECT count(*) FROM hub_spokes hs JOIN activities a "
	    "ON a.spoke = hs.spoke WHERE hs.hub = h.id "
	    "AND a.deleted_at IS NULL) "
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
	    "SELECT record, spoke, deleted_at FROM activities WHERE id = ?1" },
	[STMT_GET_HUBS] = { "get activity hubs",
	    "SELECT hs.hub FROM hub_spokes hs JOIN hubs h ON h.id = hs.hub "
	    "WHERE hs.spoke = ?1 AND h.active ORDER BY hs.hub" },
};

/* What store_spokes() gives of each spoke: STMT_SPOKES's columns. */
enum store_col_kind {
	COL_TEXT,		/* string or null */
	COL_TIME,		/* seconds since the epoch, as RFC 3339 */
	COL_INT,
	COL_REAL,
	COL_JSON		/* JSON text, given as what it holds */
};

static const struct {
	const char		*name;
	enum store_col_kind	 kind;
} store_spoke_columns[] = {
	{ "id", COL_TEXT },
	{ "name", COL_TEXT },
	{ "url", COL_TEXT },
	{ "current_url", COL_TEXT },
	{ "format", COL_TEXT },
	{ "last_attempt", COL_TIME },
	{ "last_success", COL_TIME },
	{ "status", COL_TEXT },
	{ "http_status", COL_INT },
	{ "error", COL_TEXT },
	{ "bytes", COL_INT },
	{ "seconds", COL_REAL },
	{ "records", COL_INT },
	{ "warnings", COL_INT },
	{ "first_warnings", COL_JSON },
	{ "failures", COL_INT },
	{ "next_due", COL_TIME },
	{ "moved_from", COL_TEXT },
	{ "moved_at", COL_TIME },
	{ "gone_since", COL_TIME },
	{ "identity", COL_TEXT },
	{ "etag", COL_TEXT },
	{ "last_modified", COL_TEXT },
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
static int	 store_stage_gone(struct store *, const char *);
static int	 store_bind_text(sqlite3_stmt *, int, const char *);
static int	 store_bind_nonempty(sqlite3_stmt *, int, const char *);
static char	*store_column_strdup(sqlite3_stmt *, int);
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
static uint64_t	 store_fnv1a_u64(uint64_t, uint64_t);
static uint64_t	 store_mix(uint64_t);
static uint64_t	 store_json_hash(json_t *);
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
	    store_pragma(s, "PRAGMA cache_size = " STORE_CACHE_KIB, NULL,
	    0) == -1 ||
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
	/* This connection's own staging for refreshes; see STMT_ACT_MERGE. */
	if (sqlite3_exec(s->db, "CREATE TEMP TABLE store_stage ("
	    STORE_ACT_COLUMNS "); CREATE TEMP TABLE store_gone (id)", NULL,
	    NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
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
 * Makes a spoke's activities the records of a feed it read successfully,
 * and records the feed's health, in one transaction.  Records whose
 * content is unchanged are left alone, changed ones are updated (same id,
 * same seq), new ones inserted, tombstones that are back revived; records
 * no longer in the feed, or in it as "deleted", become tombstones with
 * deleted_at = at->when; the full-text index follows.  Every record must
 * be an object with an id "<spoke>:..." and, unless deleted, a title
 * (record.c makes them so); one that is not fails the whole refresh.
 * The health becomes 'ok' (see STMT_SPOKE_OK): failures reset, gone_since
 * cleared, the validators of `at` kept (NULL ones cleared: a 200 without
 * them has none), a permanent move to at->moved_to noted, and
 * res->identity kept as the feed's identity mode.  Returns STORE_OK,
 * STORE_NOTFOUND for an unknown spoke, or STORE_ERROR, in which case
 * nothing changed.
 */
int
store_apply_feed(struct store *s, const char *spoke,
    const struct feed_result *res, const struct feed_attempt *at)
{
	sqlite3_stmt	*st = NULL;
	json_t		*old = NULL, *rec, *v, *first = NULL;
	const char	*key;
	char		*warnings = NULL;
	size_t		 i, kept = 0, bytes;
	int		 ret = STORE_ERROR, began = 0, rc;

	if (at == NULL)
		fatalx("%s: no attempt", __func__);
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

	/*
	 * What is stored now: id -> its content hash when live, false when
	 * a tombstone; null once the feed has accounted for it.
	 */
	if ((old = json_object()) == NULL)
		fatalx("%s: out of memory", __func__);
	if ((st = store_stmt(s, STMT_ACT_HASHES)) == NULL ||
	    store_bind_text(st, 1, spoke) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (json_object_set_new(old,
		    (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int(st, 2) ? json_false() : json_string(
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

	if (store_exec(s, STMT_STAGE_CLEAR) == -1 ||
	    store_exec(s, STMT_GONE_CLEAR) == -1)
		goto fail;
	if (res->records != NULL) {
		json_array_foreach(res->records, i, rec) {
			if (store_put_activity(s, spoke, rec, old, &kept) == -1)
				goto fail;
		}
	}
	json_object_foreach(old, key, v) {
		if (json_is_string(v) && store_stage_gone(s, key) == -1)
			goto fail;
	}
	if (store_exec(s, STMT_ACT_MERGE) == -1)
		goto fail;
	if ((st = store_stmt(s, STMT_ACT_BURY)) == NULL)
		goto fail;
	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)at->when) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		store_log(s, store_sql[STMT_ACT_BURY].name);
		goto fail;
	}
	store_done(st);
	st = NULL;
	/* Staged text is not kept past the refresh that needed it. */
	if (store_exec(s, STMT_STAGE_CLEAR) == -1 ||
	    store_exec(s, STMT_GONE_CLEAR) == -1)
		goto fail;

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
	bytes = at->bytes != 0 ? at->bytes : res->bytes;
	if ((st = store_stmt(s, STMT_SPOKE_OK)) == NULL)
		goto fail;
	rc = store_bind_text(st, 1, spoke);
	rc |= sqlite3_bind_int64(st, 2, (sqlite3_int64)at->when);
	if (at->status != 0)
		rc |= sqlite3_bind_int64(st, 3, (sqlite3_int64)at->status);
	rc |= sqlite3_bind_int64(st, 4, (sqlite3_int64)bytes);
	rc |= sqlite3_bind_double(st, 5, at->seconds);
	rc |= sqlite3_bind_int64(st, 6, (sqlite3_int64)kept);
	rc |= sqlite3_bind_int64(st, 7, (sqlite3_int64)res->nwarnings);
	rc |= store_bind_text(st, 8, warnings);
	if (at->next_due != 0)
		rc |= sqlite3_bind_int64(st, 9, (sqlite3_int64)at->next_due);
	rc |= store_bind_nonempty(st, 10, at->etag);
	rc |= store_bind_nonempty(st, 11, at->last_modified);
	rc |= store_bind_nonempty(st, 12, res->identity);
	rc |= store_bind_nonempty(st, 13, at->moved_to);
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
 * leaving its activities as they were: status 'failed', one more
 * consecutive failure, at->error (text in words, cut to STORE_MAX_ERROR
 * bytes), the HTTP status and at->next_due; with at->gone (404, 410)
 * gone_since is set unless a run of them already set it.  Only a success
 * clears gone_since, so a timeout amid 404s does not restart the run.
 * Validators and moves are a good answer's to change.  Returns STORE_OK,
 * STORE_NOTFOUND or STORE_ERROR.
 */
int
store_feed_failed(struct store *s, const char *spoke,
    const struct feed_attempt *at)
{
	sqlite3_stmt	*st;
	const char	*error;
	size_t		 len;
	int		 rc;

	if (at == NULL)
		fatalx("%s: no attempt", __func__);
	if ((error = at->error) == NULL || *error == '\0')
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
	rc |= sqlite3_bind_int64(st, 2, (sqlite3_int64)at->when);
	if (at->status != 0)
		rc |= sqlite3_bind_int64(st, 3, (sqlite3_int64)at->status);
	rc |= sqlite3_bind_text(st, 4, error, (int)len, SQLITE_STATIC);
	if (at->next_due != 0)
		rc |= sqlite3_bind_int64(st, 5, (sqlite3_int64)at->next_due);
	rc |= sqlite3_bind_int(st, 6, at->gone != 0);
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
 * Records that `spoke`'s feed answered 304 Not Modified: a success that
 * read nothing.  Its activities, counts and warnings stay as the last
 * read left them; status 'unchanged', failures reset, gone_since cleared,
 * at->next_due kept, and the validators of `at` kept where it has them
 * (a 304 need not repeat them), as is a permanent move to at->moved_to.
 * Returns STORE_OK, STORE_NOTFOUND or STORE_ERROR.
 */
int
store_feed_unchanged(struct store *s, const char *spoke,
    const struct feed_attempt *at)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (at == NULL)
		fatalx("%s: no attempt", __func__);
	if ((st = store_stmt(s, STMT_SPOKE_UNCHANGED)) == NULL)
		return STORE_ERROR;
	rc = store_bind_text(st, 1, spoke);
	rc |= sqlite3_bind_int64(st, 2, (sqlite3_int64)at->when);
	if (at->status != 0)
		rc |= sqlite3_bind_int64(st, 3, (sqlite3_int64)at->status);
	if (at->next_due != 0)
		rc |= sqlite3_bind_int64(st, 4, (sqlite3_int64)at->next_due);
	rc |= store_bind_nonempty(st, 5, at->etag);
	rc |= store_bind_nonempty(st, 6, at->last_modified);
	rc |= store_bind_nonempty(st, 7, at->moved_to);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
		store_log(s, store_sql[STMT_SPOKE_UNCHANGED].name);
		goto fail;
	}
	store_done(st);
	return sqlite3_changes(s->db) == 0 ? STORE_NOTFOUND : STORE_OK;

fail:
	store_done(st);
	return STORE_ERROR;
}

/*
 * Fills `ss` with what the scheduler needs to resume `spoke`: where to
 * fetch it if it moved, the validators to send, its identity mode, and
 * its timing and failures (0 for what never happened).  The strings are
 * the caller's, released by spoke_state_clear().  Returns STORE_OK,
 * STORE_NOTFOUND for an unknown spoke (ss zeroed), or STORE_ERROR.
 */
int
store_spoke_state(struct store *s, const char *spoke, struct spoke_state *ss)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(ss, 0, sizeof *ss);
	if ((st = store_stmt(s, STMT_SPOKE_STATE)) == NULL)
		return STORE_ERROR;
	if (store_bind_text(st, 1, spoke) != SQLITE_OK) {
		store_done(st);
		return STORE_ERROR;
	}
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		store_done(st);
		if (rc == SQLITE_DONE)
			return STORE_NOTFOUND;
		store_log(s, store_sql[STMT_SPOKE_STATE].name);
		return STORE_ERROR;
	}
	ss->current_url = store_column_strdup(st, 0);
	ss->etag = store_column_strdup(st, 1);
	ss->last_modified = store_column_strdup(st, 2);
	ss->identity = store_column_strdup(st, 3);
	ss->next_due = (time_t)sqlite3_column_int64(st, 4);
	ss->last_success = (time_t)sqlite3_column_int64(st, 5);
	ss->gone_since = (time_t)sqlite3_column_int64(st, 6);
	ss->failures = (unsigned)sqlite3_column_int64(st, 7);
	store_done(st);
	return STORE_OK;
}

/* Releases the strings of a spoke_state and zeroes it. */
void
spoke_state_clear(struct spoke_state *ss)
{
	if (ss == NULL)
		return;
	free(ss->current_url);
	free(ss->etag);
	free(ss->last_modified);
	free(ss->identity);
	memset(ss, 0, sizeof *ss);
}

/*
 * The spokes of an active hub with their feed health, by id:
 * {"hub":id,"spokes":[{...}]}, each with the members of
 * store_spoke_columns: times as RFC 3339 UTC, and null for what never
 * happened; "records" counts the activities it now lists, "warnings" all
 * the last good read gave and "first_warnings" the first few of them;
 * "etag" and "last_modified" are the validators the next fetch sends.
 * Returns STORE_OK, STORE_NOTFOUND for an unknown or retired hub, or
 * STORE_ERROR.
 */
int
store_spokes(struct store *s, const char *hub, json_t **out)
{
	sqlite3_stmt	*st = NULL;
	json_t		*list = NULL, *row, *v;
	const char	*text;
	size_t		 i;
	int		 rc, ret = STORE_ERROR;

	*out = NULL;
	if ((st = store_stmt(s, STMT_HUB_ACTIVE)) == NULL ||
	    store_bind_text(st, 1, hub) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			ret = STORE_NOTFOUND;
		else
			store_log(s, store_sql[STMT_HUB_ACTIVE].name);
		goto fail;
	}
	store_done(st);

	if ((st = store_stmt(s, STMT_SPOKES)) == NULL ||
	    store_bind_text(st, 1, hub) != SQLITE_OK)
		goto fail;
	if ((list = json_array()) == NULL)
		fatalx("%s: out of memory", __func__);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((row = json_object()) == NULL)
			fatalx("%s: out of memory", __func__);
		for (i = 0; i < sizeof store_spoke_columns /
		    sizeof store_spoke_columns[0]; i++) {
			switch (store_spoke_columns[i].kind) {
			case COL_TEXT:
				v = store_text_or_null(st, (int)i);
				break;
			case COL_TIME:
				v = store_time_or_null(st, (int)i);
				break;
			case COL_INT:
				v = store_int_or_null(st, (int)i);
				break;
			case COL_REAL:
				v = sqlite3_column_type(st, (int)i) ==
				    SQLITE_NULL ? json_null() : json_real(
				    sqlite3_column_double(st, (int)i));
				break;
			case COL_JSON:
			default:
				text = (const char *)sqlite3_column_text(st,
				    (int)i);
				v = text != NULL ? json_loads(text, 0, NULL) :
				    NULL;
				if (v == NULL)
					v = json_array();
				break;
			}
			if (v == NULL ||
			    json_object_set_new(row, store_spoke_columns[i].name,
			    v) == -1)
				fatalx("%s: out of memory", __func__);
		}
		json_array_append_new(list, row);
	}
	if (rc != SQLITE_DONE) {
		store_log(s, store_sql[STMT_SPOKES].name);
		goto fail;
	}
	store_done(st);
	st = NULL;
	if ((*out = json_pack("{s:s,s:o}", "hub", hub, "spokes", list)) ==
	    NULL)
		fatalx("%s: out of memory", __func__);
	list = NULL;
	ret = STORE_OK;

fail:
	store_done(st);
	json_decref(list);
	return ret;
}

/*
 * Deletes for good the tombstones of activities that left their feeds
 * before `before`.  They are already out of the full-text index.
 * Returns STORE_OK or STORE_ERROR.
 */
int
store_purge_tombstones(struct store *s, time_t before)
{
	sqlite3_stmt	*st;
	int		 n;

	if ((st = store_stmt(s, STMT_ACT_PURGE)) == NULL)
		return STORE_ERROR;
	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)before) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		store_log(s, store_sql[STMT_ACT_PURGE].name);
		store_done(st);
		return STORE_ERROR;
	}
	store_done(st);
	if ((n = sqlite3_changes(s->db)) > 0)
		log_info("store: purged %d deleted activities", n);
	return STORE_OK;
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
 * hubs its spoke serves}.  A tombstone is found too, as its spoke last
 * described it but with "state":"deleted" and "deleted_at" (RFC 3339),
 * so that what points at it (a booking) keeps its meaning; it is in no
 * hub's directory.  STORE_NOTFOUND when there is no such id at all.
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
	if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
		json_object_set_new(rec, "state", json_string("deleted"));
		json_object_set_new(rec, "deleted_at",
		    store_time_or_null(st, 2));
	}
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
 * Stages one record of `spoke`'s feed to be written unless it is live
 * and unchanged (its content hash in `old` matches), and marks it seen in
 * `old`.  A record that says it was deleted stages its live activity to
 * become a tombstone and is otherwise ignored: there is nothing to list.
 * A live record counts in `kept`.  The content hash is
 * store_json_hash(), so the order a module set its fields in does not
 * matter.  Returns 0, or -1 (logged) for a record that breaks the rules
 * or a failed write.
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
	if (state != NULL && strcmp(state, "deleted") == 0) {
		prev = json_object_get(old, id);
		if (json_is_string(prev) && store_stage_gone(s, id) == -1)
			return -1;
		if (prev != NULL)
			json_object_set_new(old, id, json_null());
		return 0;
	}
	if ((title = json_string_value(json_object_get(rec, "title"))) ==
	    NULL) {
		log_warnx("store: %s: record %s has no title", spoke, id);
		return -1;
	}
	if ((sid = json_string_value(json_object_get(rec, "source_id"))) ==
	    NULL)
		sid = id + len + 1;

	snprintf(hash, sizeof hash, "%016llx",
	    (unsigned long long)store_json_hash(rec));
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
	/*
	 * Kept as the module gave it, identity first; 15 digits: "50.7" is
	 * stored as 50.7, not 50.700000000000003.
	 */
	if ((text = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(15))) ==
	    NULL)
		fatalx("%s: out of memory", __func__);

	loc = json_object_get(rec, "location");
	cost = json_object_get(rec, "cost");
	venue = store_join(loc, "name", "address", ", ");
	cats = store_join(rec, "categories", "activity", " ");
	start = json_string_value(json_object_get(rec, "start"));
	end = json_string_value(json_object_get(rec, "end"));

	if ((st = store_stmt(s, STMT_STAGE_ADD)) == NULL)
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
		store_log(s, store_sql[STMT_STAGE_ADD].name);
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

/* Stages a live activity to become a tombstone; 0 or -1 (logged). */
static int
store_stage_gone(struct store *s, const char *id)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, STMT_GONE_ADD)) == NULL)
		return -1;
	if (store_bind_text(st, 1, id) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		store_log(s, store_sql[STMT_GONE_ADD].name);
		store_done(st);
		return -1;
	}
	store_done(st);
	return 0;
}

/* Binds a string, or NULL for a missing one; it must outlive the step. */
static int
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Binds a string, or NULL for a missing or empty one. */
static int
store_bind_nonempty(sqlite3_stmt *st, int i, const char *v)
{
	return store_bind_text(st, i, v != NULL && *v != '\0' ? v : NULL);
}

/* A copy of a text column, or NULL for a NULL. */
static char *
store_column_strdup(sqlite3_stmt *st, int i)
{
	const char	*v = (const char *)sqlite3_column_text(st, i);

	return v != NULL ? xstrdup(v) : NULL;
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

/* Feeds a 64-bit value to FNV-1a, low byte first on every machine. */
static uint64_t
store_fnv1a_u64(uint64_t h, uint64_t v)
{
	int	i;

	for (i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The splitmix64 finalizer: spreads every input bit over the output. */
static uint64_t
store_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/*
 * A digest of a JSON value that depends on its content alone: an
 * object's members are mixed one by one and summed, so their order does
 * not count; arrays keep theirs; every kind of value is tagged, so 1,
 * 1.0, "1" and true differ.  It tells whether a record changed between
 * refreshes without writing it out, and is not meant to resist anyone
 * (a publisher can only spoil its own listing with a collision).
 */
static uint64_t
store_json_hash(json_t *v)
{
	const uint64_t	 basis = 0xcbf29ce484222325ULL;
	const char	*key;
	json_t		*e;
	uint64_t	 h, sum = 0;
	size_t		 i;
	double		 d;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach(v, key, e) {
			h = store_fnv1a(basis, key, strlen(key) + 1);
			sum += store_mix(store_fnv1a_u64(h,
			    store_json_hash(e)));
		}
		return store_mix(store_fnv1a_u64(store_fnv1a(basis, "o", 1),
		    sum) + json_object_size(v));
	case JSON_ARRAY:
		h = store_fnv1a(basis, "a", 1);
		json_array_foreach(v, i, e)
			h = store_fnv1a_u64(h, store_json_hash(e));
		return store_mix(h + json_array_size(v));
	case JSON_STRING:
		h = store_fnv1a(basis, "s", 1);
		return store_fnv1a(h, json_string_value(v),
		    json_string_length(v));
	case JSON_INTEGER:
		return store_fnv1a_u64(store_fnv1a(basis, "i", 1),
		    (uint64_t)json_integer_value(v));
	case JSON_REAL:
		d = json_real_value(v);
		if (d == 0)
			d = 0;		/* -0.0 is 0 */
		memcpy(&h, &d, sizeof h);
		return store_fnv1a_u64(store_fnv1a(basis, "r", 1), h);
	case JSON_TRUE:
		return store_fnv1a(basis, "t", 1);
	case JSON_FALSE:
		return store_fnv1a(basis, "f", 1);
	case JSON_NULL:
	default:
		return store_fnv1a(basis, "n", 1);
	}
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
