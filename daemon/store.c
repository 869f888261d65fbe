/*
 * store.c - the directory's SQLite database: the only file that speaks SQL.
 *
 * One `struct store` is one connection, used by one thread: the event loop
 * has one, each search thread (readers.c) one for reading, and the ingest
 * worker its own for writes.  WAL lets them read while a refresh writes.  The schema comes from the
 * numbered migrations compiled in from schema/ (see embed.sh); every
 * statement is a row in `store_sql`, prepared once with bound parameters,
 * so no outside text ever becomes SQL.
 *
 * A feed's refresh is one transaction: its activities become exactly the
 * records just read, or, if anything fails, stay exactly as they were.
 * A page of a paged feed is a change set instead: its own transaction
 * upserts what it holds and buries what it deletes, and leaves the
 * spoke's other activities alone.
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
#include <libical/ical.h>
#include <sqlite3.h>

#include "dayhub.h"
#include "store_int.h"

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
#define STORE_DAY		86400
#define STORE_DEFAULT_HORIZON	(90 * STORE_DAY)
#define STORE_OCC_BEHIND	STORE_DAY	/* occurrences kept past */
#define STORE_MAX_ACT_TERMS	64	/* taxonomy terms of one activity */
#define STORE_NEXT_OCCURRENCES	5	/* in GET's reply */
#define STORE_MORNING_END	(12 * 60)	/* FACETS' times of day */
#define STORE_AFTERNOON_END	(17 * 60)
#define STORE_MAX_SQL		4096	/* bytes of a built search */
#define STORE_WALK_USEC		2000	/* the most a walk may take */
#define STORE_WALK_LEAD		(14 * 3600)	/* UTC-12 to UTC+14 */

enum store_stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_HUB_RETIRE,
	STMT_HUB_UPSERT,
	STMT_LINK_CLEAR,
	STMT_SPOKE_UPSERT,
	STMT_LINK_ADD,
	STMT_LINK_UNLINK,
	STMT_LINK_MERGE,
	STMT_CATS_CLEAR,
	STMT_CATS_SET,
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
	STMT_ACT_HASH,
	STMT_SPOKE_RESUME,
	STMT_SPOKE_RESUME_SET,
	STMT_SPOKES,
	STMT_HUBS,
	STMT_HUB_ACTIVE,
	STMT_GET,
	STMT_GET_HUBS,
	STMT_GET_NEXT,
	STMT_OCC_STAGE_CLEAR,
	STMT_OCC_STAGE_ADD,
	STMT_OCC_UNSTAGE,
	STMT_OCC_MERGE,
	STMT_OCC_LIVE,
	STMT_OCC_DROP,
	STMT_OCC_ADD,
	STMT_OCC_EXPIRE,
	STMT_CATEGORIES,
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
/*
 * The full-text index's tokens for the hubs of a staged activity's spoke
 * (schema/006-search.sql): "hub" and the hub's id in hex, one token
 * whatever the id holds.
 */
#define STORE_HUB_TOKENS						\
	"(SELECT group_concat('hub' || lower(hex(hs.hub)), ' ') "	\
	"FROM hub_spokes hs WHERE hs.spoke = st.spoke)"
/* What a refresh writes of an activity, in the order it binds them. */
#define STORE_ACT_COLUMNS						\
	"id, spoke, source_id, title, summary, description, organiser, "	\
	"venue, categories, url, start_utc, end_utc, start_text, "	\
	"end_text, timezone, postcode, lat, lon, cost_min, cost_max, "	\
	"free, pathway, updated, record, content_hash, terms, online, "	\
	"funding_bits, pathway_bits, access_bits, group_bits, age_min, "	\
	"age_max, geo_lat, geo_lon"
/* What a refresh stages of each occurrence of the activities it writes. */
#define STORE_OCC_COLUMNS						\
	"id, start_utc, end_utc, wday, minute, end_minute"
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
	/*
	 * The links are staged and then changed by difference: a link that
	 * stays must not be rewritten, as every change re-indexes the
	 * spoke's activities (their hub tokens, schema/006-search.sql).
	 */
	[STMT_LINK_CLEAR] = { "clear staged hub spokes",
	    "DELETE FROM temp.store_links" },
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
	    "INSERT OR IGNORE INTO temp.store_links (hub, spoke) "
	    "VALUES (?1, ?2)" },
	[STMT_LINK_UNLINK] = { "unlink spokes",
	    "DELETE FROM hub_spokes WHERE NOT EXISTS (SELECT 1 FROM "
	    "temp.store_links l WHERE l.hub = hub_spokes.hub AND "
	    "l.spoke = hub_spokes.spoke)" },
	/* A search's categories, padded as the terms column holds them. */
	[STMT_CATS_CLEAR] = { "clear search categories",
	    "DELETE FROM temp.store_cats" },
	[STMT_CATS_SET] = { "set search categories",
	    "INSERT INTO temp.store_cats (t) SELECT ' ' || value || ' ' "
	    "FROM json_each(?1)" },
	[STMT_LINK_MERGE] = { "link new spokes",
	    "INSERT OR IGNORE INTO hub_spokes (hub, spoke) "
	    "SELECT hub, spoke FROM temp.store_links" },
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
	    "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, "
	    "?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35)" },
	[STMT_GONE_CLEAR] = { "clear staged tombstones",
	    "DELETE FROM temp.store_gone" },
	[STMT_GONE_ADD] = { "stage tombstone",
	    "INSERT INTO temp.store_gone (id) VALUES (?1)" },
	/* New rows take seqs in feed order; "WHERE true" parses the upsert. */
	[STMT_ACT_MERGE] = { "merge activities",
	    "INSERT INTO activities (" STORE_ACT_COLUMNS ", hubs) "
	    "SELECT " STORE_ACT_COLUMNS ", " STORE_HUB_TOKENS
	    " FROM temp.store_stage st WHERE true "
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
	    "content_hash = excluded.content_hash, terms = excluded.terms, "
	    "online = excluded.online, funding_bits = excluded.funding_bits, "
	    "pathway_bits = excluded.pathway_bits, "
	    "access_bits = excluded.access_bits, "
	    "group_bits = excluded.group_bits, age_min = excluded.age_min, "
	    "age_max = excluded.age_max, geo_lat = excluded.geo_lat, "
	    "geo_lon = excluded.geo_lon, hubs = excluded.hubs, "
	    "deleted_at = NULL" },
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
	    "ELSE gone_since END, "
	    "resume_url = CASE WHEN ?7 THEN NULL ELSE resume_url END "
	    "WHERE id = ?1" },
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
	/* A page of a paged feed looks up only the ids it holds. */
	[STMT_ACT_HASH] = { "find activity",
	    "SELECT content_hash, deleted_at IS NOT NULL FROM activities "
	    "WHERE id = ?1 AND spoke = ?2" },
	[STMT_SPOKE_RESUME] = { "spoke resume point",
	    "SELECT resume_url FROM spokes WHERE id = ?1" },
	[STMT_SPOKE_RESUME_SET] = { "record resume point",
	    "UPDATE spokes SET resume_url = ?2 WHERE id = ?1" },
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
	[STMT_GET] = { "get activity",
	    "SELECT record, spoke, deleted_at FROM activities WHERE id = ?1" },
	[STMT_GET_HUBS] = { "get activity hubs",
	    "SELECT hs.hub FROM hub_spokes hs JOIN hubs h ON h.id = hs.hub "
	    "WHERE hs.spoke = ?1 AND h.active ORDER BY hs.hub" },
	[STMT_GET_NEXT] = { "next occurrences",
	    "SELECT o.start_utc, o.end_utc, a.timezone FROM activities a "
	    "JOIN occurrences o ON o.activity = a.seq WHERE a.id = ?1 "
	    "AND a.deleted_at IS NULL AND o.start_utc >= ?2 "
	    "ORDER BY o.start_utc LIMIT ?3" },
	/*
	 * A refresh works out the occurrences of each record it writes into
	 * temp.store_occ, by id, and swaps them in once the rows have seqs.
	 */
	[STMT_OCC_STAGE_CLEAR] = { "clear staged occurrences",
	    "DELETE FROM temp.store_occ" },
	[STMT_OCC_STAGE_ADD] = { "stage occurrence",
	    "INSERT INTO temp.store_occ (" STORE_OCC_COLUMNS ") VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6)" },
	[STMT_OCC_UNSTAGE] = { "drop rewritten occurrences",
	    "DELETE FROM occurrences WHERE activity IN (SELECT a.seq FROM "
	    "activities a JOIN temp.store_stage st ON st.id = a.id)" },
	[STMT_OCC_MERGE] = { "merge occurrences",
	    "INSERT OR IGNORE INTO occurrences (activity, start_utc, end_utc, "
	    "wday, minute, end_minute) SELECT a.seq, o.start_utc, o.end_utc, "
	    "o.wday, o.minute, o.end_minute FROM temp.store_occ o "
	    "JOIN activities a ON a.id = o.id WHERE a.deleted_at IS NULL" },
	[STMT_OCC_LIVE] = { "list live activities",
	    "SELECT seq, record FROM activities WHERE deleted_at IS NULL "
	    "ORDER BY seq" },
	[STMT_OCC_DROP] = { "drop occurrences",
	    "DELETE FROM occurrences WHERE activity = ?1" },
	[STMT_OCC_ADD] = { "add occurrence",
	    "INSERT OR IGNORE INTO occurrences (activity, start_utc, end_utc, "
	    "wday, minute, end_minute) VALUES (?1, ?2, ?3, ?4, ?5, ?6)" },
	[STMT_OCC_EXPIRE] = { "expire occurrences",
	    "DELETE FROM occurrences WHERE coalesce(end_utc, start_utc) < ?1" },
	[STMT_CATEGORIES] = { "count categories",
	    "SELECT a.terms FROM activities a WHERE " STORE_IN_HUB
	    " AND a.terms IS NOT NULL" },
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
	unsigned long long horizon;	/* occurrences ahead, s */
	struct occurrence *occ;		/* OCCUR_MAX, for expansions */
};

/* One occurrence as stored: instants and the local day and minutes. */
struct store_occ {
	time_t	 start;
	time_t	 end;		/* == start: none */
	int	 wday;
	int	 minute;
	int	 end_minute;	/* -1: none */
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
		    json_t *, size_t *, time_t);
static size_t	 store_expand(struct store *, const json_t *, time_t,
		    icaltimezone **);
static void	 store_occ_fill(icaltimezone *, const struct occurrence *,
		    struct store_occ *);
static void	 store_local(icaltimezone *, time_t, struct icaltimetype *);
static long long store_civil_days(int, int, int);
static char	*store_format_local(time_t, const char *, char *, size_t);
static char	*store_terms(json_t *);
static void	 store_add_term(const char **, size_t *, const char *);
static unsigned	 store_bits(json_t *, enum query_set);
static void	 store_distance_fn(sqlite3_context *, int, sqlite3_value **);
static int	 store_hub_check(struct store *, const char *, char *,
		    size_t);
static void	 store_deadline(struct store *);
static int	 store_stage_gone(struct store *, const char *);
static int	 store_feed_hashes(struct store *, const char *, json_t *);
static int	 store_resume_url(struct store *, const char *, char **);
static int	 store_page_hashes(struct store *, const char *, json_t *,
		    json_t *);
static int	 store_bind_text(sqlite3_stmt *, int, const char *);
static int	 store_bind_nonempty(sqlite3_stmt *, int, const char *);
static char	*store_column_strdup(sqlite3_stmt *, int);
static char	*store_join(json_t *, const char *, const char *,
		    const char *);
static char	*store_match(const char *);
static char	*store_hub_match(const char *, const char *);
struct store_run;
static void	 store_walk(struct store *, struct store_run *, size_t);
static void	 store_run_end(struct store_run *);
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
	    STORE_ACT_COLUMNS "); CREATE TEMP TABLE store_gone (id); "
	    "CREATE TEMP TABLE store_links (hub, spoke, PRIMARY KEY (hub, "
	    "spoke)) WITHOUT ROWID; CREATE TEMP TABLE store_cats (t TEXT); "
	    "CREATE TEMP TABLE store_occ (" STORE_OCC_COLUMNS ")", NULL,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "dh_distance_km", 4,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	    store_distance_fn, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	s->horizon = STORE_DEFAULT_HORIZON;
	s->occ = xreallocarray(NULL, OCCUR_MAX, sizeof *s->occ);
	*sp = s;
	return STORE_OK;

fail:
	store_close(s);
	return STORE_ERROR;
}

/*
 * The connection itself, for the store's other files (store_geo.c); no
 * file outside the store may use it.
 */
sqlite3 *
store_handle(struct store *s)
{
	return s->db;
}

/* Sets how far ahead occurrences are stored (0: the default, 90 days). */
void
store_set_horizon(struct store *s, unsigned long long seconds)
{
	if (seconds == 0)
		seconds = STORE_DEFAULT_HORIZON;
	if (seconds > (unsigned long long)QUERY_MAX_DAYS * 2 * STORE_DAY)
		seconds = (unsigned long long)QUERY_MAX_DAYS * 2 * STORE_DAY;
	s->horizon = seconds;
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
	free(s->occ);
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
	if (store_exec(s, STMT_LINK_UNLINK) == -1 ||
	    store_exec(s, STMT_LINK_MERGE) == -1 ||
	    store_exec(s, STMT_COMMIT) == -1)
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
 * res->identity kept as the feed's identity mode.
 *
 * With at->change_set the records are one page of a paged feed
 * (OpenActive RPDE), a change set rather than the whole feed: they are
 * applied as above, but the spoke's activities not on the page are left
 * alone, so only records the page gives as "deleted" become tombstones;
 * and at->resume_url (NULL clears it) is kept as the page the next
 * refresh starts at, in the same transaction.  Without it the resume
 * point is cleared: the feed is read whole.  Returns STORE_OK,
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
	 * a tombstone; null once the feed has accounted for it.  A change
	 * set needs only the rows of the ids it holds.
	 */
	if ((old = json_object()) == NULL)
		fatalx("%s: out of memory", __func__);
	if (at->change_set) {
		if (store_page_hashes(s, spoke, res->records, old) == -1)
			goto fail;
	} else if (store_feed_hashes(s, spoke, old) == -1)
		goto fail;

	if (store_exec(s, STMT_STAGE_CLEAR) == -1 ||
	    store_exec(s, STMT_GONE_CLEAR) == -1 ||
	    store_exec(s, STMT_OCC_STAGE_CLEAR) == -1)
		goto fail;
	if (res->records != NULL) {
		json_array_foreach(res->records, i, rec) {
			if (store_put_activity(s, spoke, rec, old, &kept,
			    at->when) == -1)
				goto fail;
		}
	}
	/* Those the feed left out have gone, unless it is a change set. */
	json_object_foreach(old, key, v) {
		if (!at->change_set && json_is_string(v) &&
		    store_stage_gone(s, key) == -1)
			goto fail;
	}
	if (store_exec(s, STMT_ACT_MERGE) == -1 ||
	    store_exec(s, STMT_OCC_UNSTAGE) == -1 ||
	    store_exec(s, STMT_OCC_MERGE) == -1)
		goto fail;
	/* A tombstone's occurrences go with it: see 003's triggers. */
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
	    store_exec(s, STMT_GONE_CLEAR) == -1 ||
	    store_exec(s, STMT_OCC_STAGE_CLEAR) == -1)
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
	if ((st = store_stmt(s, STMT_SPOKE_RESUME_SET)) == NULL)
		goto fail;
	rc = store_bind_text(st, 1, spoke);
	rc |= store_bind_nonempty(st, 2, at->change_set ? at->resume_url :
	    NULL);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
		store_log(s, store_sql[STMT_SPOKE_RESUME_SET].name);
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

/* Fills `old` with every activity of `spoke`: 0, or -1 (logged). */
static int
store_feed_hashes(struct store *s, const char *spoke, json_t *old)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, STMT_ACT_HASHES)) == NULL)
		return -1;
	if (store_bind_text(st, 1, spoke) != SQLITE_OK)
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
	return 0;

fail:
	store_done(st);
	return -1;
}

/*
 * Fills `old` with the stored activities of `spoke` that `records` (one
 * page) names, as store_feed_hashes() does for a whole feed.  Records
 * with no id are left for store_put_activity() to refuse.  0, or -1
 * (logged).
 */
static int
store_page_hashes(struct store *s, const char *spoke, json_t *records,
    json_t *old)
{
	sqlite3_stmt	*st;
	json_t		*rec;
	const char	*id;
	size_t		 i;
	int		 rc;

	json_array_foreach(records, i, rec) {
		id = json_string_value(json_object_get(rec, "id"));
		if (id == NULL || json_object_get(old, id) != NULL)
			continue;
		if ((st = store_stmt(s, STMT_ACT_HASH)) == NULL)
			return -1;
		rc = store_bind_text(st, 1, id);
		rc |= store_bind_text(st, 2, spoke);
		if (rc != SQLITE_OK) {
			store_done(st);
			return -1;
		}
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (json_object_set_new(old, id,
			    sqlite3_column_int(st, 1) ? json_false() :
			    json_string((const char *)sqlite3_column_text(st,
			    0))) == -1) {
				log_warnx("store: %s: an activity id is not "
				    "UTF-8", spoke);
				store_done(st);
				return -1;
			}
		} else if (rc != SQLITE_DONE) {
			store_log(s, store_sql[STMT_ACT_HASH].name);
			store_done(st);
			return -1;
		}
		store_done(st);
	}
	return 0;
}

/*
 * Records a failed refresh (fetch or parse) of `spoke` in its health,
 * leaving its activities as they were: status 'failed', one more
 * consecutive failure, at->error (text in words, cut to STORE_MAX_ERROR
 * bytes), the HTTP status and at->next_due; with at->gone (404, 410)
 * gone_since is set unless a run of them already set it.  Only a success
 * clears gone_since, so a timeout amid 404s does not restart the run.
 * With at->drop_resume (the page a paged feed was to go on from is
 * gone) the resume point is forgotten, so the next refresh starts from
 * the feed's first page.
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
	rc |= sqlite3_bind_int(st, 7, at->drop_resume != 0);
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
 * fetch it if it moved, the page a paged feed goes on from, the
 * validators to send, its identity mode, and its timing and failures
 * (0 for what never happened).  The strings are the caller's, released
 * by spoke_state_clear().  Returns STORE_OK, STORE_NOTFOUND for an
 * unknown spoke (ss zeroed), or STORE_ERROR.
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
	if (store_resume_url(s, spoke, &ss->resume_url) == -1) {
		spoke_state_clear(ss);
		return STORE_ERROR;
	}
	return STORE_OK;
}

/* The page a paged feed goes on from, in *url (NULL: none); 0 or -1. */
static int
store_resume_url(struct store *s, const char *spoke, char **url)
{
	sqlite3_stmt	*st;
	int		 rc;

	*url = NULL;
	if ((st = store_stmt(s, STMT_SPOKE_RESUME)) == NULL)
		return -1;
	if (store_bind_text(st, 1, spoke) != SQLITE_OK) {
		store_done(st);
		return -1;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*url = store_column_strdup(st, 0);
	else if (rc != SQLITE_DONE) {
		store_log(s, store_sql[STMT_SPOKE_RESUME].name);
		store_done(st);
		return -1;
	}
	store_done(st);
	return 0;
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
	free(ss->resume_url);
	memset(ss, 0, sizeof *ss);
}

/*
 * The spokes of an active hub with their feed health, by id:
 * {"hub":id,"spokes":[{...}]}, each with the members of
 * store_spoke_columns: times as RFC 3339 UTC, and null for what never
 * happened; "records" counts the activities it now lists, "warnings" all
 * the last good read gave and "first_warnings" the first few of them;
 * "etag" and "last_modified" are the validators the next fetch sends;
 * a paged feed has "resume_url" too, the page its next refresh starts
 * at (a member only paged feeds have).  Returns STORE_OK, STORE_NOTFOUND
 * for an unknown or retired hub, or STORE_ERROR.
 */
int
store_spokes(struct store *s, const char *hub, json_t **out)
{
	sqlite3_stmt	*st = NULL;
	json_t		*list = NULL, *row, *v;
	const char	*text;
	char		*resume;
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
	json_array_foreach(list, i, row) {
		if (store_resume_url(s, json_string_value(json_object_get(row,
		    "id")), &resume) == -1)
			goto fail;
		if (resume != NULL)
			json_object_set_new(row, "resume_url",
			    json_string(resume));
		free(resume);
	}
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
 * Moves the occurrence window to `now`: every live activity's occurrences
 * are worked out again over [now - 1 day, now + horizon), and those of
 * any activity that ended before now - 1 day are dropped, in one
 * transaction.  A record that cannot be read keeps none.  Returns
 * STORE_OK or STORE_ERROR (nothing changed).
 */
int
store_refresh_occurrences(struct store *s, time_t now)
{
	struct store_occ occ;
	icaltimezone	*zone;
	sqlite3_stmt	*live = NULL, *st = NULL;
	json_t		*rec;
	sqlite3_int64	 seq;
	size_t		 i, n;
	int		 rc, began = 0, ret = STORE_ERROR;

	if (store_exec(s, STMT_BEGIN) == -1)
		return STORE_ERROR;
	began = 1;
	if ((st = store_stmt(s, STMT_OCC_EXPIRE)) == NULL)
		goto fail;
	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)(now -
	    STORE_OCC_BEHIND)) != SQLITE_OK || sqlite3_step(st) !=
	    SQLITE_DONE) {
		store_log(s, store_sql[STMT_OCC_EXPIRE].name);
		goto fail;
	}
	store_done(st);
	st = NULL;
	if ((live = store_stmt(s, STMT_OCC_LIVE)) == NULL)
		goto fail;
	while ((rc = sqlite3_step(live)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(live, 0);
		rec = json_loads((const char *)sqlite3_column_text(live, 1), 0,
		    NULL);
		n = rec != NULL ? store_expand(s, rec, now, &zone) : 0;
		json_decref(rec);
		if ((st = store_stmt(s, STMT_OCC_DROP)) == NULL)
			goto fail;
		if (sqlite3_bind_int64(st, 1, seq) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_DONE) {
			store_log(s, store_sql[STMT_OCC_DROP].name);
			goto fail;
		}
		store_done(st);
		st = NULL;
		for (i = 0; i < n; i++) {
			store_occ_fill(zone, &s->occ[i], &occ);
			if ((st = store_stmt(s, STMT_OCC_ADD)) == NULL)
				goto fail;
			rc = sqlite3_bind_int64(st, 1, seq);
			rc |= sqlite3_bind_int64(st, 2,
			    (sqlite3_int64)occ.start);
			if (occ.end != occ.start)
				rc |= sqlite3_bind_int64(st, 3,
				    (sqlite3_int64)occ.end);
			rc |= sqlite3_bind_int(st, 4, occ.wday);
			rc |= sqlite3_bind_int(st, 5, occ.minute);
			if (occ.end_minute != -1)
				rc |= sqlite3_bind_int(st, 6, occ.end_minute);
			if (rc != SQLITE_OK ||
			    sqlite3_step(st) != SQLITE_DONE) {
				store_log(s, store_sql[STMT_OCC_ADD].name);
				goto fail;
			}
			store_done(st);
			st = NULL;
		}
	}
	if (rc != SQLITE_DONE) {
		store_log(s, store_sql[STMT_OCC_LIVE].name);
		goto fail;
	}
	store_done(live);
	live = NULL;
	if (store_exec(s, STMT_COMMIT) == -1)
		goto fail;
	ret = STORE_OK;

fail:
	store_done(st);
	store_done(live);
	if (ret != STORE_OK && began)
		store_rollback(s);
	return ret;
}

/* Appends a fixed fragment of SQL; the fragments are ours, never input. */
static void
store_sql_add(char *buf, size_t *len, const char *frag)
{
	size_t	n = strlen(frag);

	if (*len + n + 1 > STORE_MAX_SQL)
		fatalx("%s: a search's SQL outgrew its buffer", __func__);
	memcpy(buf + *len, frag, n + 1);
	*len += n;
}

/* Binds a value to a named parameter, if the built SQL has it. */
static int
store_bind_named_int(sqlite3_stmt *st, const char *name, sqlite3_int64 v)
{
	int	i = sqlite3_bind_parameter_index(st, name);

	return i == 0 ? SQLITE_OK : sqlite3_bind_int64(st, i, v);
}

static int
store_bind_named_double(sqlite3_stmt *st, const char *name, double v)
{
	int	i = sqlite3_bind_parameter_index(st, name);

	return i == 0 ? SQLITE_OK : sqlite3_bind_double(st, i, v);
}

static int
store_bind_named_text(sqlite3_stmt *st, const char *name, const char *v)
{
	int	i = sqlite3_bind_parameter_index(st, name);

	return i == 0 ? SQLITE_OK : store_bind_text(st, i, v);
}

/* A search being run: the query, and what the store worked out for it. */
struct store_run {
	const struct query	*q;
	char			*match;		/* FTS5 expression, or NULL */
	char			*cats;		/* JSON array of terms, or NULL */
	int			 near;		/* lat, lon below are set */
	double			 lat;
	double			 lon;
	uint64_t		 hash;		/* for cursors */
	char			*page;		/* JSON array of seqs, or NULL */
	time_t			 walk_from;	/* where a walk may start */
};

/* What store_run_prepare() builds. */
enum store_run_mode {
	STORE_RUN_SEARCH,	/* a page of results */
	STORE_RUN_FACETS,	/* each matching activity's facts */
	STORE_RUN_WALK		/* matching occurrences, soonest first */
};

#define STORE_DIST	"dh_distance_km(a.geo_lat, a.geo_lon, :lat, :lon)"
#define STORE_K2	"coalesce(min(o.start_utc), " STORE_NO_START ")"

/*
 * Builds and prepares the SQL of a search (or, with `facets`, of the
 * facts FACETS counts) from fixed fragments chosen by which filters the
 * query has, and binds every value; `cur` is where the last page ended,
 * or NULL.  Returns the statement, or NULL (logged).
 *
 * The shape: one row per activity of the hub that passes the filters,
 * read from the narrow search_facts (schema/006-search.sql), joined to
 * its occurrences in the window that pass days, after and before, and
 * grouped; the page is cut from that, and only then are the page's full
 * rows read from activities.  With words, the full-text matches within
 * the hub drive the join instead (CROSS JOIN fixes that order), so a
 * narrow search costs what it finds, not what the hub holds.
 */
static sqlite3_stmt *
store_run_prepare(struct store *s, const struct store_run *run,
    enum store_run_mode mode, const struct store_cursor *cur)
{
	const struct query	*q = run->q;
	sqlite3_stmt		*st = NULL;
	char			 sql[STORE_MAX_SQL];
	const char		*k1;
	double			 minlat, maxlat, minlon, maxlon;
	size_t			 len = 0;
	int			 timed, rc, facets = mode == STORE_RUN_FACETS;

	timed = q->days != 0 || q->after != -1 || q->before != -1;
	k1 = "0.0";
	if (!facets && q->sort == QUERY_SORT_RELEVANCE && run->match != NULL)
		k1 = "r.rank";
	else if (!facets && q->sort == QUERY_SORT_NEAREST && run->near)
		k1 = STORE_DIST;
	sql[0] = '\0';
	/* bm25() needs the full-text scan of its own, hence MATERIALIZED. */
	if (run->match != NULL)
		store_sql_add(sql, &len, "WITH r AS MATERIALIZED (SELECT rowid "
		    "AS seq, bm25(activities_fts, 10.0, 4.0, 1.0, 2.0, 2.0, "
		    "4.0, 0.0) AS rank FROM activities_fts WHERE activities_fts "
		    "MATCH :match) ");
	if (mode == STORE_RUN_WALK)
		store_sql_add(sql, &len, "SELECT o.activity");
	else if (facets)
		store_sql_add(sql, &len, "SELECT a.seq, a.terms, "
		    "a.pathway_bits, a.funding_bits, a.access_bits, a.free, "
		    "a.cost_min, sum(DISTINCT 1 << o.wday), sum(DISTINCT CASE "
		    "WHEN o.minute IS NULL THEN NULL WHEN o.minute < 720 THEN 1 "
		    "WHEN o.minute < 1020 THEN 2 ELSE 4 END)");
	else {
		store_sql_add(sql, &len, "SELECT " STORE_RESULT_COLUMNS ", "
		    "t.k1, t.k2, t.n, t.next_start, (SELECT o2.end_utc FROM "
		    "occurrences o2 WHERE o2.activity = t.seq AND o2.start_utc "
		    "= t.next_start), a.timezone, t.dist FROM (SELECT a.seq AS "
		    "seq, a.id AS id, ");
		store_sql_add(sql, &len, k1);
		store_sql_add(sql, &len, " AS k1, " STORE_K2 " AS k2, "
		    "count(o.activity) AS n, min(o.start_utc) AS next_start, ");
		store_sql_add(sql, &len, run->near ? STORE_DIST : "NULL");
		store_sql_add(sql, &len, " AS dist");
	}
	if (mode == STORE_RUN_WALK)
		store_sql_add(sql, &len, " FROM occurrences o CROSS JOIN "
		    "search_facts a ON a.seq = o.activity WHERE o.start_utc >= "
		    ":from AND o.start_utc < :to");
	else {
		if (run->page != NULL)
			store_sql_add(sql, &len, " FROM json_each(:page) w "
			    "CROSS JOIN search_facts a ON a.seq = w.value");
		else if (run->match != NULL)
			store_sql_add(sql, &len, " FROM r CROSS JOIN "
			    "search_facts a ON a.seq = r.seq");
		else
			store_sql_add(sql, &len, " FROM search_facts a");
		store_sql_add(sql, &len, timed ? " JOIN" : " LEFT JOIN");
		store_sql_add(sql, &len, " occurrences o ON o.activity = a.seq "
		    "AND o.start_utc >= :from AND o.start_utc < :to");
	}
	if (q->days != 0)
		store_sql_add(sql, &len, " AND (:days >> o.wday) & 1");
	if (q->after != -1)
		store_sql_add(sql, &len, " AND o.minute >= :after");
	if (q->before != -1)
		store_sql_add(sql, &len, " AND CASE WHEN o.end_minute IS NULL "
		    "THEN o.minute < :before ELSE o.end_minute <= :before END");
	store_sql_add(sql, &len, mode == STORE_RUN_WALK ? " AND" : " WHERE");
	store_sql_add(sql, &len, " a.spoke IN (SELECT spoke FROM hub_spokes "
	    "WHERE hub = :hub)");
	if (mode == STORE_RUN_WALK && run->match != NULL)
		store_sql_add(sql, &len, " AND a.seq IN (SELECT seq FROM r)");
	if (q->online == 1)
		store_sql_add(sql, &len, " AND a.online = 1");
	else if (q->online == 0)
		store_sql_add(sql, &len, " AND a.online IS NOT 1");
	if (q->cost_free == 1)
		store_sql_add(sql, &len, " AND a.free = 1");
	else if (q->cost_free == 0)
		store_sql_add(sql, &len, " AND (a.free = 0 OR (a.free IS NULL "
		    "AND a.cost_min > 0))");
	if (q->max_cost >= 0)
		store_sql_add(sql, &len, " AND (a.free = 1 OR a.cost_min <= "
		    ":max_cost)");
	if (q->funding != 0)
		store_sql_add(sql, &len, " AND (a.funding_bits & :funding) "
		    "!= 0");
	if (q->pathway != 0)
		store_sql_add(sql, &len, " AND (a.pathway_bits & :pathway) "
		    "!= 0");
	if (q->access != 0)
		store_sql_add(sql, &len, " AND (a.access_bits & :access) = "
		    ":access");
	if (q->groups != 0)
		store_sql_add(sql, &len, " AND (a.group_bits & :groups) != 0");
	if (q->age != -1)
		store_sql_add(sql, &len, " AND (a.age_min IS NULL OR "
		    "a.age_min <= :age) AND (a.age_max IS NULL OR a.age_max >= "
		    ":age)");
	if (run->cats != NULL)
		store_sql_add(sql, &len, " AND EXISTS (SELECT 1 FROM "
		    "temp.store_cats c WHERE instr(a.terms, c.t) > 0)");
	if (run->near)
		store_sql_add(sql, &len, " AND a.seq IN (SELECT id FROM "
		    "activities_geo WHERE maxlat >= :minlat AND minlat <= "
		    ":maxlat AND maxlon >= :minlon AND minlon <= :maxlon) AND "
		    STORE_DIST " <= :within");
	if (mode == STORE_RUN_WALK)
		store_sql_add(sql, &len, " ORDER BY o.start_utc, a.id");
	else
		store_sql_add(sql, &len, " GROUP BY a.seq");
	/* Undated activities are listed unless a day or time is asked for. */
	if (!timed && mode != STORE_RUN_WALK)
		store_sql_add(sql, &len, " HAVING (count(o.activity) > 0 OR "
		    "a.start_utc IS NULL)");
	if (mode == STORE_RUN_SEARCH) {
		if (cur != NULL) {
			store_sql_add(sql, &len, timed ? " HAVING (" :
			    " AND (");
			store_sql_add(sql, &len, k1);
			store_sql_add(sql, &len, " > :k1 OR (");
			store_sql_add(sql, &len, k1);
			store_sql_add(sql, &len, " = :k1 AND (" STORE_K2
			    " > :k2 OR (" STORE_K2 " = :k2 AND a.id > :id))))");
		}
		store_sql_add(sql, &len, " ORDER BY ");
		store_sql_add(sql, &len, k1);
		store_sql_add(sql, &len, ", " STORE_K2 ", a.id LIMIT :limit) t "
		    "JOIN activities a ON a.seq = t.seq ORDER BY t.k1, t.k2, "
		    "t.id");
	}

	log_debug("store: %s", sql);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_log(s, facets ? "prepare facets" : "prepare search");
		sqlite3_finalize(st);
		return NULL;
	}
	rc = store_bind_named_text(st, ":hub", q->hub);
	rc |= store_bind_named_text(st, ":match", run->match);
	rc |= store_bind_named_int(st, ":from", (sqlite3_int64)(mode ==
	    STORE_RUN_WALK ? run->walk_from : q->from));
	rc |= store_bind_named_int(st, ":to", (sqlite3_int64)q->to);
	rc |= store_bind_named_int(st, ":days", q->days);
	rc |= store_bind_named_int(st, ":after", q->after);
	rc |= store_bind_named_int(st, ":before", q->before);
	rc |= store_bind_named_double(st, ":max_cost", q->max_cost);
	rc |= store_bind_named_int(st, ":funding", q->funding);
	rc |= store_bind_named_int(st, ":pathway", q->pathway);
	rc |= store_bind_named_int(st, ":access", q->access);
	rc |= store_bind_named_int(st, ":groups", q->groups);
	rc |= store_bind_named_int(st, ":age", q->age);
	rc |= store_bind_named_text(st, ":page", run->page);
	if (run->near) {
		postcode_bbox(run->lat, run->lon, q->within, &minlat, &maxlat,
		    &minlon, &maxlon);
		rc |= store_bind_named_double(st, ":lat", run->lat);
		rc |= store_bind_named_double(st, ":lon", run->lon);
		rc |= store_bind_named_double(st, ":within", q->within);
		rc |= store_bind_named_double(st, ":minlat", minlat);
		rc |= store_bind_named_double(st, ":maxlat", maxlat);
		rc |= store_bind_named_double(st, ":minlon", minlon);
		rc |= store_bind_named_double(st, ":maxlon", maxlon);
	}
	if (cur != NULL) {
		rc |= store_bind_named_double(st, ":k1", cur->rank);
		rc |= store_bind_named_int(st, ":k2", cur->skey);
		rc |= store_bind_named_text(st, ":id", cur->id);
	}
	rc |= store_bind_named_int(st, ":limit", (sqlite3_int64)(q->limit >
	    SEARCH_MAX_LIMIT ? SEARCH_MAX_LIMIT : q->limit == 0 ?
	    SEARCH_DEFAULT_LIMIT : q->limit) + 1);
	if (rc != SQLITE_OK) {
		store_log(s, "bind search");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/*
 * Checks the hub, places near=, and readies the text and categories of a
 * query.  Returns STORE_OK, or STORE_NOTFOUND with `err` saying whether
 * the hub or the place is unknown (the latter starts "near:"), or
 * STORE_ERROR.
 */
static int
store_run_begin(struct store *s, const struct query *q, struct store_run *run,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	json_t	*cats;
	char	*words, key[512], hint[16];
	size_t	 i;
	int	 rc;

	memset(run, 0, sizeof *run);
	run->q = q;
	if (errlen > 0)
		*err = '\0';
	if (q->hub == NULL) {
		snprintf(err, errlen, "no hub was named");
		return STORE_NOTFOUND;
	}
	if ((rc = store_hub_check(s, q->hub, err, errlen)) != STORE_OK)
		return rc;
	if (q->near == QUERY_NEAR_POINT) {
		run->near = 1;
		run->lat = q->lat;
		run->lon = q->lon;
	} else if (q->near != QUERY_NEAR_NONE) {
		rc = store_geocode(s, q->near_text, &run->lat, &run->lon, hint,
		    sizeof hint);
		if (rc == STORE_NOTFOUND) {
			if (*hint != '\0')
				snprintf(err, errlen, "near: unknown postcode "
				    "\"%s\" (try the outcode %s)", q->near_text,
				    hint);
			else
				snprintf(err, errlen, "near: unknown %s \"%s\"",
				    q->near == QUERY_NEAR_OUTCODE ? "outcode" :
				    "postcode", q->near_text);
			return STORE_NOTFOUND;
		}
		if (rc != STORE_OK)
			return STORE_ERROR;
		run->near = 1;
	}
	/* The words, within the hub's token (schema/006-search.sql). */
	if ((words = store_match(q->q)) != NULL) {
		run->match = store_hub_match(words, q->hub);
		free(words);
	}
	if (q->ncategories > 0) {
		if ((cats = json_array()) == NULL)
			fatalx("%s: out of memory", __func__);
		for (i = 0; i < q->ncategories; i++)
			json_array_append_new(cats,
			    json_string(q->categories[i]));
		if ((run->cats = json_dumps(cats, JSON_COMPACT)) == NULL)
			fatalx("%s: out of memory", __func__);
		json_decref(cats);
		/*
		 * The terms go in a table of this connection's, as the
		 * search's rows can match them without parsing JSON each.
		 */
		if (store_exec(s, STMT_CATS_CLEAR) == -1) {
			store_run_end(run);
			return STORE_ERROR;
		}
		if ((st = store_stmt(s, STMT_CATS_SET)) == NULL ||
		    store_bind_text(st, 1, run->cats) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_DONE) {
			store_log(s, store_sql[STMT_CATS_SET].name);
			store_done(st);
			store_run_end(run);
			return STORE_ERROR;
		}
		store_done(st);
	}
	/* A cursor belongs to the filters and order, not to the window. */
	snprintf(key, sizeof key, "%s|%d|%u|%d|%d|%d|%.6f|%.6f|%.3f|%d|%d|"
	    "%.2f|%u|%u|%u|%u|%d|", q->hub, (int)q->sort, q->days, q->after,
	    q->before, (int)q->near, run->lat, run->lon, q->within, q->online,
	    q->cost_free, q->max_cost, q->funding, q->pathway, q->access,
	    q->groups, q->age);
	run->hash = store_fnv1a(0xcbf29ce484222325ULL, key, strlen(key));
	if (run->cats != NULL)
		run->hash = store_fnv1a(run->hash, run->cats,
		    strlen(run->cats));
	if (run->match != NULL)
		run->hash = store_fnv1a(run->hash, run->match,
		    strlen(run->match));
	return STORE_OK;
}

/*
 * The full-text expression for `words` (store_match()'s, safe) within one
 * hub: the hub's token is "hub" and the id's bytes in hex, as
 * STORE_HUB_TOKENS writes it.
 */
static char *
store_hub_match(const char *words, const char *hub)
{
	static const char	 hex[] = "0123456789abcdef";
	char			*out, *p;
	size_t			 n = strlen(hub);

	p = out = xmalloc(strlen(words) + 2 * n + 32);
	p += sprintf(p, "(%s) AND hubs : hub", words);
	for (; *hub != '\0'; hub++) {
		*p++ = hex[(unsigned char)*hub >> 4];
		*p++ = hex[(unsigned char)*hub & 0xf];
	}
	*p = '\0';
	return out;
}

/*
 * Tries to find the first page of a search in time order by walking the
 * window's occurrences soonest first and keeping the first `limit` + 1
 * activities seen: their first matching occurrences are then the
 * soonest, in the order the search wants (ties by id, as the index walk
 * gives them).  A broad search ends after a few rows, where grouping
 * every activity of the hub would read them all.  A narrow one may need
 * longer than STORE_WALK_USEC, and a window with too few matches
 * leaves undated activities to consider; both leave run->page NULL, and
 * the search groups as usual.  Otherwise run->page is the activities
 * found, which the search then reads in full, counted as usual.
 */
static void
store_walk(struct store *s, struct store_run *run, size_t limit)
{
	sqlite3_stmt	*st;
	sqlite3_int64	 seen[SEARCH_MAX_LIMIT + 1], seq;
	json_t		*page;
	size_t		 n = 0, i;

	/*
	 * With days asked for, the walk starts on the first of them: the
	 * occurrences before it cannot match.  Days are local, so it starts
	 * half a day early, which no zone is further from UTC than.
	 */
	run->walk_from = run->q->from;
	for (i = 0; run->q->days != 0 && i < 7; i++) {
		time_t		day = run->q->from + (time_t)i * 86400;
		struct tm	tm;

		gmtime_r(&day, &tm);
		if ((run->q->days >> tm.tm_wday) & 1) {
			day -= day % 86400 + STORE_WALK_LEAD;
			if (day > run->walk_from)
				run->walk_from = day;
			break;
		}
	}
	if ((st = store_run_prepare(s, run, STORE_RUN_WALK, NULL)) == NULL)
		return;
	/* Rows the filters drop cost time too: the budget is time. */
	clock_gettime(CLOCK_MONOTONIC, &s->deadline);
	s->deadline.tv_nsec += STORE_WALK_USEC * 1000L;
	if (s->deadline.tv_nsec >= 1000000000L) {
		s->deadline.tv_sec++;
		s->deadline.tv_nsec -= 1000000000L;
	}
	sqlite3_progress_handler(s->db, 200, store_progress_cb, s);
	while (n <= limit && sqlite3_step(st) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		for (i = 0; i < n && seen[i] != seq; i++)
			;
		if (i == n)
			seen[n++] = seq;
	}
	sqlite3_progress_handler(s->db, 0, NULL, NULL);
	sqlite3_finalize(st);
	if (n <= limit)
		return;
	if ((page = json_array()) == NULL)
		fatalx("%s: out of memory", __func__);
	for (i = 0; i < n; i++)
		json_array_append_new(page, json_integer(seen[i]));
	if ((run->page = json_dumps(page, JSON_COMPACT)) == NULL)
		fatalx("%s: out of memory", __func__);
	json_decref(page);
}

static void
store_run_end(struct store_run *run)
{
	free(run->match);
	free(run->cats);
	free(run->page);
	run->match = run->cats = run->page = NULL;
}

/*
 * Searches one hub's directory for the activities a query describes (see
 * struct query and PROTOCOL.md, SEARCH).  q->q is what a person typed:
 * store_match() makes it a safe FTS5 expression.  An activity matches
 * when its facts pass every filter and at least one of its occurrences
 * starts in [from, to) and passes days, after and before; one with no
 * start at all is listed last when none of those three is asked for.
 * Results come in q->sort order (ties by the next occurrence, then id),
 * at most q->limit, each with "next" (its first matching occurrence, in
 * its own zone), "occurrences" (how many match) and, with near=,
 * "distance_km"; the reply's "next" is a cursor for the following page,
 * or null.  Returns STORE_OK with *out set; STORE_NOTFOUND for an
 * unknown hub or a near= place the postcode table lacks (`err` says
 * which; the latter starts "near:"); STORE_BADQUERY for a cursor that is
 * malformed or from another search; STORE_TIMEOUT past
 * STORE_SEARCH_BUDGET; STORE_ERROR otherwise.
 */
int
store_search(struct store *s, const struct query *q, json_t **out,
    char *err, size_t errlen)
{
	struct store_run	 run;
	struct store_cursor	 cur, last;
	sqlite3_stmt		*st = NULL;
	json_t			*results = NULL, *row, *loc, *next_occ;
	char			*next = NULL, a[40], b[40];
	const char		*cost, *tz;
	size_t			 limit, n = 0;
	int			 rc, ret = STORE_ERROR, have_cursor = 0;

	*out = NULL;
	memset(&cur, 0, sizeof cur);
	memset(&last, 0, sizeof last);
	limit = q->limit;
	if (limit == 0)
		limit = SEARCH_DEFAULT_LIMIT;
	if (limit > SEARCH_MAX_LIMIT)
		limit = SEARCH_MAX_LIMIT;
	if ((rc = store_run_begin(s, q, &run, err, errlen)) != STORE_OK)
		return rc;
	if (q->cursor != NULL && *q->cursor != '\0') {
		if (store_cursor_decode(q->cursor, &cur) == -1 ||
		    cur.hash != run.hash) {
			snprintf(err, errlen, "the cursor is not valid for "
			    "this search");
			ret = STORE_BADQUERY;
			goto fail;
		}
		have_cursor = 1;
	}
	/* The first page in time order can often be had by a short walk. */
	if (!have_cursor && ((q->sort != QUERY_SORT_RELEVANCE ||
	    run.match == NULL) && (q->sort != QUERY_SORT_NEAREST ||
	    !run.near)))
		store_walk(s, &run, limit);
	if ((st = store_run_prepare(s, &run, STORE_RUN_SEARCH, have_cursor ?
	    &cur : NULL)) == NULL)
		goto fail;

	if ((results = json_array()) == NULL)
		fatalx("%s: out of memory", __func__);
	store_deadline(s);
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
		tz = (const char *)sqlite3_column_text(st, 15);
		next_occ = json_null();
		if (sqlite3_column_type(st, 13) != SQLITE_NULL) {
			next_occ = json_pack("{s:s,s:o}", "start",
			    store_format_local((time_t)sqlite3_column_int64(st,
			    13), tz, a, sizeof a), "end",
			    sqlite3_column_type(st, 14) == SQLITE_NULL ?
			    json_null() : json_string(store_format_local(
			    (time_t)sqlite3_column_int64(st, 14), tz, b,
			    sizeof b)));
		}
		json_object_set_new(row, "next", next_occ);
		json_object_set_new(row, "occurrences", json_integer(
		    (json_int_t)sqlite3_column_int64(st, 12)));
		if (run.near)
			json_object_set_new(row, "distance_km", json_real(
			    round(sqlite3_column_double(st, 16) * 100) / 100));
		json_array_append_new(results, row);
		n++;
		free(last.id);
		last.hash = run.hash;
		last.rank = sqlite3_column_double(st, 10);
		last.skey = sqlite3_column_int64(st, 11);
		last.id = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_progress_handler(s->db, 0, NULL, NULL);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		if (rc == SQLITE_INTERRUPT) {
			log_warnx("store: search of %s for \"%s\" ran past "
			    "%d ms", q->hub, run.match != NULL ? run.match : "",
			    STORE_SEARCH_BUDGET);
			ret = STORE_TIMEOUT;
		} else
			store_log(s, "search");
		goto fail;
	}
	*out = json_pack("{s:s,s:I,s:o,s:o}", "hub", q->hub,
	    "count", (json_int_t)n, "results", results,
	    "next", next != NULL ? json_string(next) : json_null());
	results = NULL;
	if (*out == NULL)
		fatalx("%s: out of memory", __func__);
	ret = STORE_OK;

fail:
	sqlite3_finalize(st);
	store_run_end(&run);
	json_decref(results);
	free(next);
	free(cur.id);
	free(last.id);
	return ret;
}

/* The cost bands FACETS counts, by the cheapest price. */
static const char *const store_cost_bands[] = {
	"free", "up_to_5", "5_to_15", "over_15"
};
static const char *const store_times[] = {
	"morning", "afternoon", "evening"
};

/* Counts, in `counts`, the taxonomy terms of a " a b " terms column. */
static void
store_count_terms(const char *terms, size_t *counts, size_t nterms)
{
	const char	*p, *e, *t;
	size_t		 i, len;

	if (terms == NULL)
		return;
	for (p = terms; *p != '\0'; p = e) {
		while (*p == ' ')
			p++;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		if ((len = (size_t)(e - p)) == 0)
			continue;
		for (i = 0; i < nterms; i++) {
			t = taxonomy_term_at(i);
			if (strlen(t) == len && strncmp(t, p, len) == 0) {
				counts[i]++;
				break;
			}
		}
	}
}

/* An object of word -> count for the words of a query_set. */
static json_t *
store_word_counts(enum query_set set, const size_t *counts)
{
	json_t		*o;
	const char	*w;
	unsigned	 i;

	if ((o = json_object()) == NULL)
		fatalx("%s: out of memory", __func__);
	for (i = 0; (w = query_word(set, i)) != NULL && i < 32; i++)
		json_object_set_new(o, w, json_integer((json_int_t)counts[i]));
	return o;
}

/*
 * Counts what a query matches (the filters of store_search(); sort,
 * limit and cursor play no part) by facet: {"hub","total","facets":
 * {"category":{term:n} (terms with a count, in taxonomy order), "day":
 * {"sun".."sat"}, "time":{"morning","afternoon","evening"} (by local
 * start: before 12:00, before 17:00, later), "pathway", "funding",
 * "access" (word: n), "cost":{"free","up_to_5","5_to_15","over_15"} (by
 * the cheapest price; unknown prices in none)}}.  An activity counts once
 * under each value it has; day and time count the days and times of its
 * matching occurrences.  Returns as store_search() does.
 */
int
store_facets(struct store *s, const struct query *q, json_t **out,
    char *err, size_t errlen)
{
	struct store_run	 run;
	sqlite3_stmt		*st = NULL;
	json_t			*facets = NULL, *o;
	size_t			*cat = NULL, nterms, total = 0, i;
	size_t			 day[7], tod[3], path[32], fund[32], acc[32];
	size_t			 cost[4];
	sqlite3_int64		 bits;
	double			 min;
	int			 rc, ret = STORE_ERROR;

	*out = NULL;
	memset(day, 0, sizeof day);
	memset(tod, 0, sizeof tod);
	memset(path, 0, sizeof path);
	memset(fund, 0, sizeof fund);
	memset(acc, 0, sizeof acc);
	memset(cost, 0, sizeof cost);
	if ((rc = store_run_begin(s, q, &run, err, errlen)) != STORE_OK)
		return rc;
	nterms = taxonomy_count();
	cat = xcalloc(nterms + 1, sizeof *cat);
	if ((st = store_run_prepare(s, &run, STORE_RUN_FACETS, NULL)) == NULL)
		goto fail;
	store_deadline(s);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		total++;
		store_count_terms((const char *)sqlite3_column_text(st, 1),
		    cat, nterms);
		for (i = 0; i < 32; i++) {
			if (sqlite3_column_int64(st, 2) & (1LL << i))
				path[i]++;
			if (sqlite3_column_int64(st, 3) & (1LL << i))
				fund[i]++;
			if (sqlite3_column_int64(st, 4) & (1LL << i))
				acc[i]++;
		}
		if (sqlite3_column_int(st, 5) == 1 &&
		    sqlite3_column_type(st, 5) != SQLITE_NULL)
			cost[0]++;
		else if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
			min = sqlite3_column_double(st, 6);
			cost[min <= 5 ? 1 : min <= 15 ? 2 : 3]++;
		}
		bits = sqlite3_column_int64(st, 7);
		for (i = 0; i < 7; i++)
			if (bits & (1LL << i))
				day[i]++;
		bits = sqlite3_column_int64(st, 8);
		for (i = 0; i < 3; i++)
			if (bits & (1LL << i))
				tod[i]++;
	}
	sqlite3_progress_handler(s->db, 0, NULL, NULL);
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_INTERRUPT) {
			log_warnx("store: facets of %s ran past %d ms", q->hub,
			    STORE_SEARCH_BUDGET);
			ret = STORE_TIMEOUT;
		} else
			store_log(s, "facets");
		goto fail;
	}

	if ((facets = json_object()) == NULL || (o = json_object()) == NULL)
		fatalx("%s: out of memory", __func__);
	for (i = 0; i < nterms; i++)
		if (cat[i] > 0)
			json_object_set_new(o, taxonomy_term_at(i),
			    json_integer((json_int_t)cat[i]));
	json_object_set_new(facets, "category", o);
	json_object_set_new(facets, "day", store_word_counts(QUERY_SET_DAYS,
	    day));
	o = json_object();
	for (i = 0; i < 3; i++)
		json_object_set_new(o, store_times[i],
		    json_integer((json_int_t)tod[i]));
	json_object_set_new(facets, "time", o);
	json_object_set_new(facets, "pathway",
	    store_word_counts(QUERY_SET_PATHWAY, path));
	json_object_set_new(facets, "funding",
	    store_word_counts(QUERY_SET_FUNDING, fund));
	json_object_set_new(facets, "access",
	    store_word_counts(QUERY_SET_ACCESS, acc));
	o = json_object();
	for (i = 0; i < 4; i++)
		json_object_set_new(o, store_cost_bands[i],
		    json_integer((json_int_t)cost[i]));
	json_object_set_new(facets, "cost", o);
	if ((*out = json_pack("{s:s,s:I,s:o}", "hub", q->hub, "total",
	    (json_int_t)total, "facets", facets)) == NULL)
		fatalx("%s: out of memory", __func__);
	facets = NULL;
	ret = STORE_OK;

fail:
	sqlite3_finalize(st);
	store_run_end(&run);
	json_decref(facets);
	free(cat);
	return ret;
}

/*
 * The activity taxonomy with how many live activities of an active hub
 * are about each term: {"hub","categories":[{"term","label","count"}]},
 * every term in the taxonomy's order.  Returns STORE_OK, STORE_NOTFOUND
 * for an unknown hub, or STORE_ERROR.
 */
int
store_categories(struct store *s, const char *hub, json_t **out)
{
	sqlite3_stmt	*st = NULL;
	json_t		*list;
	size_t		*counts, nterms, i;
	char		 err[128];
	int		 rc, ret = STORE_ERROR;

	*out = NULL;
	if ((rc = store_hub_check(s, hub, err, sizeof err)) != STORE_OK)
		return rc;
	nterms = taxonomy_count();
	counts = xcalloc(nterms + 1, sizeof *counts);
	if ((st = store_stmt(s, STMT_CATEGORIES)) == NULL ||
	    store_bind_text(st, 1, hub) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		store_count_terms((const char *)sqlite3_column_text(st, 0),
		    counts, nterms);
	if (rc != SQLITE_DONE) {
		store_log(s, store_sql[STMT_CATEGORIES].name);
		goto fail;
	}
	if ((list = json_array()) == NULL)
		fatalx("%s: out of memory", __func__);
	for (i = 0; i < nterms; i++)
		json_array_append_new(list, json_pack("{s:s,s:s?,s:I}", "term",
		    taxonomy_term_at(i), "label", taxonomy_term_label(
		    taxonomy_term_at(i)), "count", (json_int_t)counts[i]));
	if ((*out = json_pack("{s:s,s:o}", "hub", hub, "categories", list)) ==
	    NULL)
		fatalx("%s: out of memory", __func__);
	ret = STORE_OK;

fail:
	store_done(st);
	free(counts);
	return ret;
}

/*
 * One activity by id: {"activity": its v1 record, plus "hubs", the active
 * hubs its spoke serves}.  A tombstone is found too, as its spoke last
 * described it but with "state":"deleted" and "deleted_at" (RFC 3339),
 * so that what points at it (a booking) keeps its meaning; it is in no
 * hub's directory.  "next_occurrences" lists the next few occurrences
 * starting from now, [{"start","end"}] in the activity's zone (none for
 * a tombstone).  STORE_NOTFOUND when there is no such id at all.
 */
int
store_get(struct store *s, const char *id, json_t **out)
{
	sqlite3_stmt	*st;
	json_t		*rec = NULL, *hubs = NULL, *next = NULL;
	json_error_t	 jerr;
	const char	*tz;
	char		*spoke = NULL, a[40], b[40];
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
	store_done(st);

	if ((st = store_stmt(s, STMT_GET_NEXT)) == NULL)
		goto fail;
	rc = store_bind_text(st, 1, id);
	rc |= sqlite3_bind_int64(st, 2, (sqlite3_int64)now_utc());
	rc |= sqlite3_bind_int(st, 3, STORE_NEXT_OCCURRENCES);
	if (rc != SQLITE_OK)
		goto fail;
	if ((next = json_array()) == NULL)
		fatalx("%s: out of memory", __func__);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tz = (const char *)sqlite3_column_text(st, 2);
		json_array_append_new(next, json_pack("{s:s,s:o}", "start",
		    store_format_local((time_t)sqlite3_column_int64(st, 0), tz,
		    a, sizeof a), "end", sqlite3_column_type(st, 1) ==
		    SQLITE_NULL ? json_null() : json_string(store_format_local(
		    (time_t)sqlite3_column_int64(st, 1), tz, b, sizeof b))));
	}
	if (rc != SQLITE_DONE) {
		store_log(s, store_sql[STMT_GET_NEXT].name);
		goto fail;
	}
	*out = json_pack("{s:o,s:o}", "activity", rec, "next_occurrences",
	    next);
	rec = next = NULL;
	ret = STORE_OK;

fail:
	store_done(st);
	json_decref(rec);
	json_decref(hubs);
	json_decref(next);
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
 * or a failed write.  A record written also has its search facts
 * worked out (store_terms(), store_bits(), its place, geocoded from its
 * postcode when it gives no point) and its occurrences around `now`
 * staged in temp.store_occ.
 */
static int
store_put_activity(struct store *s, const char *spoke, json_t *rec,
    json_t *old, size_t *kept, time_t now)
{
	struct store_occ occ[1];
	icaltimezone	*zone;
	sqlite3_stmt	*st = NULL;
	json_t		*loc, *cost, *prev, *v, *age;
	const char	*id, *title, *sid, *state, *start, *end, *pc;
	char		*text = NULL, *venue = NULL, *cats = NULL, hash[17];
	char		*terms = NULL, hint[16];
	size_t		 len = strlen(spoke), i, n;
	double		 lat, lon;
	time_t		 t;
	int		 rc, ret = -1, unchanged, geo = 0;

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
	terms = store_terms(rec);
	rc |= store_bind_text(st, 26, terms);
	if (json_is_boolean(v = json_object_get(loc, "online")))
		rc |= sqlite3_bind_int(st, 27, json_is_true(v));
	rc |= sqlite3_bind_int64(st, 28, store_bits(json_object_get(rec,
	    "funding"), QUERY_SET_FUNDING));
	rc |= sqlite3_bind_int64(st, 29, store_bits(json_object_get(rec,
	    "pathway"), QUERY_SET_PATHWAY));
	rc |= sqlite3_bind_int64(st, 30, store_bits(json_object_get(rec,
	    "access"), QUERY_SET_ACCESS));
	rc |= sqlite3_bind_int64(st, 31, store_bits(json_object_get(rec,
	    "groups"), QUERY_SET_GROUPS));
	age = json_object_get(rec, "age");
	if (json_is_number(v = json_object_get(age, "min")))
		rc |= sqlite3_bind_int64(st, 32,
		    (sqlite3_int64)json_number_value(v));
	if (json_is_number(v = json_object_get(age, "max")))
		rc |= sqlite3_bind_int64(st, 33,
		    (sqlite3_int64)json_number_value(v));
	if (json_is_number(json_object_get(loc, "lat")) &&
	    json_is_number(json_object_get(loc, "lon"))) {
		lat = json_number_value(json_object_get(loc, "lat"));
		lon = json_number_value(json_object_get(loc, "lon"));
		geo = lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
	} else if ((pc = json_string_value(json_object_get(loc,
	    "postcode"))) != NULL)
		geo = store_geocode(s, pc, &lat, &lon, hint, sizeof hint) ==
		    STORE_OK;
	if (geo) {
		rc |= sqlite3_bind_double(st, 34, lat);
		rc |= sqlite3_bind_double(st, 35, lon);
	}
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
		store_log(s, store_sql[STMT_STAGE_ADD].name);
		goto fail;
	}
	store_done(st);
	st = NULL;

	n = store_expand(s, rec, now, &zone);
	for (i = 0; i < n; i++) {
		store_occ_fill(zone, &s->occ[i], occ);
		if ((st = store_stmt(s, STMT_OCC_STAGE_ADD)) == NULL)
			goto fail;
		rc = store_bind_text(st, 1, id);
		rc |= sqlite3_bind_int64(st, 2, (sqlite3_int64)occ->start);
		if (occ->end != occ->start)
			rc |= sqlite3_bind_int64(st, 3,
			    (sqlite3_int64)occ->end);
		rc |= sqlite3_bind_int(st, 4, occ->wday);
		rc |= sqlite3_bind_int(st, 5, occ->minute);
		if (occ->end_minute != -1)
			rc |= sqlite3_bind_int(st, 6, occ->end_minute);
		if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
			store_log(s, store_sql[STMT_OCC_STAGE_ADD].name);
			goto fail;
		}
		store_done(st);
		st = NULL;
	}
	ret = 0;

fail:
	store_done(st);
	free(text);
	free(venue);
	free(cats);
	free(terms);
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

/*
 * Expands a record's occurrences over [now - STORE_OCC_BEHIND, now +
 * horizon) into s->occ and returns how many; a rule occur_expand()
 * refuses leaves the record's own start as its one occurrence.  *zonep is
 * the record's zone (UTC for one libical does not know).
 */
static size_t
store_expand(struct store *s, const json_t *rec, time_t now,
    icaltimezone **zonep)
{
	const char	*tz, *v;
	char		 err[256];
	time_t		 from, to, a, b;
	int		 n;

	from = now - STORE_OCC_BEHIND;
	to = now + (time_t)s->horizon;
	tz = json_string_value(json_object_get(rec, "timezone"));
	if ((*zonep = zone_find(tz != NULL ? tz :
	    RECORD_DEFAULT_ZONE_NAME)) == NULL)
		*zonep = icaltimezone_get_utc_timezone();
	if ((n = occur_expand(rec, from, to, s->occ, OCCUR_MAX, err,
	    sizeof err)) >= 0)
		return (size_t)n;
	v = json_string_value(json_object_get(rec, "start"));
	if (v == NULL || record_time_epoch(v, &a) == -1 || a < from ||
	    a >= to)
		return 0;
	v = json_string_value(json_object_get(rec, "end"));
	if (v == NULL || record_time_epoch(v, &b) == -1 || b < a)
		b = a;
	s->occ[0].start = a;
	s->occ[0].end = b;
	return 1;
}

/* An occurrence with its local weekday and minutes in `zone`. */
static void
store_occ_fill(icaltimezone *zone, const struct occurrence *o,
    struct store_occ *out)
{
	struct icaltimetype	 ls, le;
	long long		 days;

	store_local(zone, o->start, &ls);
	out->start = o->start;
	out->end = o->end > o->start ? o->end : o->start;
	out->wday = icaltime_day_of_week(ls) - 1;
	if (out->wday < 0 || out->wday > 6)
		out->wday = 0;
	out->minute = ls.hour * 60 + ls.minute;
	out->end_minute = -1;
	if (out->end > out->start) {
		store_local(zone, out->end, &le);
		days = store_civil_days(le.year, le.month, le.day) -
		    store_civil_days(ls.year, ls.month, ls.day);
		if (days > 366)
			days = 366;
		out->end_minute = (int)(days * 1440 + le.hour * 60 +
		    le.minute);
	}
}

/* The wall-clock time in `zone` at instant `t`. */
static void
store_local(icaltimezone *zone, time_t t, struct icaltimetype *out)
{
	*out = icaltime_from_timet_with_zone(t, 0, zone);
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar. */
static long long
store_civil_days(int y, int m, int d)
{
	long long	era, yoe, doy, doe, yy = y;

	yy -= m <= 2;
	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = yy - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* An instant as RFC 3339 with the offset of zone `tz` (NULL: default). */
static char *
store_format_local(time_t t, const char *tz, char *buf, size_t len)
{
	struct icaltimetype	 lt;
	icaltimezone		*zone;
	long long		 off;

	if ((zone = zone_find(tz != NULL ? tz : RECORD_DEFAULT_ZONE_NAME)) ==
	    NULL)
		zone = icaltimezone_get_utc_timezone();
	store_local(zone, t, &lt);
	off = store_civil_days(lt.year, lt.month, lt.day) * STORE_DAY +
	    lt.hour * 3600 + lt.minute * 60 + lt.second - (long long)t;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02lld:%02lld",
	    lt.year, lt.month, lt.day, lt.hour, lt.minute, lt.second,
	    off < 0 ? '-' : '+', (off < 0 ? -off : off) / 3600,
	    (off < 0 ? -off : off) % 3600 / 60);
	return buf;
}

/*
 * The taxonomy terms a record is about, each between single spaces:
 * its "activity" terms and those its "categories" map to, each once;
 * NULL when there are none.
 */
static char *
store_terms(json_t *rec)
{
	const char	*terms[STORE_MAX_ACT_TERMS], *mapped[16], *t;
	json_t		*v;
	char		*out, *o;
	size_t		 n = 0, i, j, k, m, len = 2;

	json_array_foreach(json_object_get(rec, "activity"), i, v) {
		if ((t = json_string_value(v)) != NULL &&
		    taxonomy_term_valid(t))
			store_add_term(terms, &n, t);
	}
	json_array_foreach(json_object_get(rec, "categories"), i, v) {
		m = taxonomy_activities(json_string_value(v), mapped,
		    sizeof mapped / sizeof mapped[0]);
		for (j = 0; j < m; j++)
			store_add_term(terms, &n, mapped[j]);
	}
	if (n == 0)
		return NULL;
	for (k = 0; k < n; k++)
		len += strlen(terms[k]) + 1;
	out = o = xmalloc(len + 1);
	*o++ = ' ';
	for (k = 0; k < n; k++) {
		o = stpcpy(o, terms[k]);
		*o++ = ' ';
	}
	*o = '\0';
	return out;
}

/* Adds a term to a list of at most STORE_MAX_ACT_TERMS, once. */
static void
store_add_term(const char **terms, size_t *n, const char *t)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (strcmp(terms[i], t) == 0)
			return;
	if (*n < STORE_MAX_ACT_TERMS)
		terms[(*n)++] = t;
}

/* The bit set over query_word(set, i) of a string or list of strings. */
static unsigned
store_bits(json_t *v, enum query_set set)
{
	const char	*w, *t;
	json_t		*e;
	size_t		 i, n;
	unsigned	 b, bits = 0;

	n = json_is_array(v) ? json_array_size(v) : 1;
	for (i = 0; i < n; i++) {
		e = json_is_array(v) ? json_array_get(v, i) : v;
		if ((t = json_string_value(e)) == NULL)
			continue;
		for (b = 0; b < 32 && (w = query_word(set, b)) != NULL; b++)
			if (strcmp(w, t) == 0)
				bits |= 1u << b;
	}
	return bits;
}

/* SQL dh_distance_km(lat1, lon1, lat2, lon2): NULL when any is NULL. */
static void
store_distance_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int	i;

	for (i = 0; i < 4; i++) {
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
			sqlite3_result_null(ctx);
			return;
		}
	}
	sqlite3_result_double(ctx, postcode_distance_km(
	    sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1]),
	    sqlite3_value_double(argv[2]), sqlite3_value_double(argv[3])));
}

/* STORE_OK for an active hub; STORE_NOTFOUND (err says so) or _ERROR. */
static int
store_hub_check(struct store *s, const char *hub, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, STMT_HUB_ACTIVE)) == NULL)
		return STORE_ERROR;
	if (store_bind_text(st, 1, hub) != SQLITE_OK) {
		store_done(st);
		return STORE_ERROR;
	}
	rc = sqlite3_step(st);
	store_done(st);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	if (rc == SQLITE_DONE) {
		snprintf(err, errlen, "no hub \"%s\"", hub);
		return STORE_NOTFOUND;
	}
	store_log(s, store_sql[STMT_HUB_ACTIVE].name);
	return STORE_ERROR;
}

/* Starts the clock on a search: past the budget, SQLite is interrupted. */
static void
store_deadline(struct store *s)
{
	clock_gettime(CLOCK_MONOTONIC, &s->deadline);
	s->deadline.tv_sec += STORE_SEARCH_BUDGET / 1000;
	s->deadline.tv_nsec += (STORE_SEARCH_BUDGET % 1000) * 1000000L;
	if (s->deadline.tv_nsec >= 1000000000L) {
		s->deadline.tv_sec++;
		s->deadline.tv_nsec -= 1000000000L;
	}
	sqlite3_progress_handler(s->db, STORE_PROGRESS_OPS, store_progress_cb,
	    s);
}
