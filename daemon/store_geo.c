/*
 * store_geo.c - the postcode table: importing postcode files into it, and
 * turning what someone typed as a place into a point.
 *
 * The tables are schema/004-postcodes.sql's.  Parsing the files and the
 * shape of postcodes belong to postcode.c; this file only moves rows in
 * and out of SQLite, always with bound parameters.  An import is one
 * transaction: a file that fails half way changes nothing.  Its rows go in
 * as multi-row upserts of STORE_GEO_BATCH rows, one prepared statement
 * reused for every full batch: a statement per row took a quarter to a
 * half longer over a million rows, all of it in statement overhead.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "dayhub.h"
#include "store_int.h"

#define STORE_GEO_BATCH		128	/* rows per upsert statement */
#define STORE_GEO_OUTCODE	5	/* "AA9A" and its NUL */

/* The upsert of one row; a batch repeats its VALUES group. */
#define STORE_GEO_UPSERT_HEAD						\
	"INSERT INTO postcodes (postcode, outcode, lat, lon) VALUES "
#define STORE_GEO_UPSERT_ROW	"(?, ?, ?, ?)"
/* An unchanged row is not rewritten, so a re-import costs only reads. */
#define STORE_GEO_UPSERT_TAIL						\
	" ON CONFLICT (postcode) DO UPDATE SET outcode = excluded.outcode, " \
	"lat = excluded.lat, lon = excluded.lon "			\
	"WHERE lat IS NOT excluded.lat OR lon IS NOT excluded.lon"

/* The rows read but not yet written, and what writes them. */
struct store_geo_import {
	struct store	*store;
	sqlite3_stmt	*batch;		/* STORE_GEO_BATCH rows */
	sqlite3_stmt	*one;		/* one row, for the last few */
	size_t		 n;
	int		 failed;	/* a write failed: logged */
	struct {
		char	 postcode[POSTCODE_LEN];
		char	 outcode[STORE_GEO_OUTCODE];
		double	 lat;
		double	 lon;
	} rows[STORE_GEO_BATCH];
};

static void	 store_geo_log(struct store *, const char *);
static int	 store_geo_exec(struct store *, const char *, const char *);
static sqlite3_stmt *store_geo_prepare(struct store *, const char *,
		    const char *);
static char	*store_geo_upsert_sql(size_t);
static int	 store_geo_flush(struct store_geo_import *);
static int	 store_geo_row_cb(const struct postcode_row *, void *);
static int	 store_geo_point(struct store *, const char *, const char *,
		    const char *, double *, double *);

/* Logs an SQLite failure of `step`, the way store.c does. */
static void
store_geo_log(struct store *s, const char *step)
{
	log_warnx("store: %s: %s", step, sqlite3_errmsg(store_handle(s)));
}

/* Runs one statement with no parameters and no rows; 0 or -1 (logged). */
static int
store_geo_exec(struct store *s, const char *step, const char *sql)
{
	if (sqlite3_exec(store_handle(s), sql, NULL, NULL, NULL) !=
	    SQLITE_OK) {
		store_geo_log(s, step);
		return -1;
	}
	return 0;
}

/* Prepares `sql`; the statement, or NULL (logged). */
static sqlite3_stmt *
store_geo_prepare(struct store *s, const char *step, const char *sql)
{
	sqlite3_stmt	*st = NULL;

	if (sqlite3_prepare_v2(store_handle(s), sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		log_warnx("store: preparing %s: %s", step,
		    sqlite3_errmsg(store_handle(s)));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* The upsert of `n` rows, numbered ?1 to ?(4n); the caller frees it. */
static char *
store_geo_upsert_sql(size_t n)
{
	size_t	 head = strlen(STORE_GEO_UPSERT_HEAD);
	size_t	 row = strlen(STORE_GEO_UPSERT_ROW);
	size_t	 len, i;
	char	*sql, *p;

	len = head + n * (row + 1) + strlen(STORE_GEO_UPSERT_TAIL) + 1;
	p = sql = xmalloc(len);
	memcpy(p, STORE_GEO_UPSERT_HEAD, head);
	p += head;
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		memcpy(p, STORE_GEO_UPSERT_ROW, row);
		p += row;
	}
	memcpy(p, STORE_GEO_UPSERT_TAIL, strlen(STORE_GEO_UPSERT_TAIL) + 1);
	return sql;
}

/*
 * Writes the rows held: a full batch with one step of the batch
 * statement, fewer one by one.  Returns 0, or -1 (logged).
 */
static int
store_geo_flush(struct store_geo_import *im)
{
	sqlite3_stmt	*st;
	size_t		 i, per;
	int		 rc = SQLITE_OK, p = 1;

	if (im->n == 0)
		return 0;
	st = im->n == STORE_GEO_BATCH ? im->batch : im->one;
	per = im->n == STORE_GEO_BATCH ? STORE_GEO_BATCH : 1;
	for (i = 0; i < im->n; i++) {
		rc |= sqlite3_bind_text(st, p++, im->rows[i].postcode, -1,
		    SQLITE_STATIC);
		rc |= sqlite3_bind_text(st, p++, im->rows[i].outcode, -1,
		    SQLITE_STATIC);
		rc |= sqlite3_bind_double(st, p++, im->rows[i].lat);
		rc |= sqlite3_bind_double(st, p++, im->rows[i].lon);
		if ((i + 1) % per != 0)
			continue;
		if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
			store_geo_log(im->store, "upsert postcodes");
			sqlite3_reset(st);
			return -1;
		}
		sqlite3_reset(st);
		p = 1;
	}
	im->n = 0;
	return 0;
}

/* Takes one good row of the file; stops the read when a write fails. */
static int
store_geo_row_cb(const struct postcode_row *row, void *arg)
{
	struct store_geo_import	*im = arg;
	size_t			 out;

	/* Normalised, so the outward code is all before the space. */
	out = strcspn(row->postcode, " ");
	if (out >= STORE_GEO_OUTCODE)
		fatalx("%s: postcode \"%s\" has no outward code", __func__,
		    row->postcode);
	snprintf(im->rows[im->n].postcode, POSTCODE_LEN, "%s", row->postcode);
	memcpy(im->rows[im->n].outcode, row->postcode, out);
	im->rows[im->n].outcode[out] = '\0';
	im->rows[im->n].lat = row->lat;
	im->rows[im->n].lon = row->lon;
	if (++im->n < STORE_GEO_BATCH)
		return 0;
	if (store_geo_flush(im) == -1) {
		im->failed = 1;
		return -1;
	}
	return 0;
}

/*
 * Imports the postcode file `f` into the postcode table and recomputes
 * every outward code's centroid.
 *
 * Contract: `f` is a file from outside, read to its end by
 * postcode_read_csv() (see there for what it accepts and counts).  Good
 * rows are upserted: a postcode already held takes the file's position,
 * and postcodes the file does not name (or names only as terminated or
 * unlocated) stay as they were, so a small local file can be laid over
 * the ONSPD.  Everything happens in one transaction: when the file cannot
 * be read to its end, or is not a postcode file at all, or the database
 * fails, nothing changes.  Bad rows alone do not fail an import; they are
 * counted in `*counts` (which may be NULL) for the caller to report.
 * Returns STORE_OK, or STORE_ERROR with the reason in `err` (database
 * failures are also logged).
 */
int
store_postcodes_import(struct store *s, FILE *f, struct postcode_counts *counts,
    char *err, size_t errlen)
{
	struct store_geo_import	*im;
	struct postcode_counts	 local;
	char			*sql = NULL;
	char			 why[256];
	int			 ret = STORE_ERROR;

	if (counts == NULL)
		counts = &local;
	memset(counts, 0, sizeof *counts);
	if (errlen > 0)
		err[0] = '\0';
	im = xcalloc(1, sizeof *im);
	im->store = s;

	sql = store_geo_upsert_sql(STORE_GEO_BATCH);
	im->batch = store_geo_prepare(s, "upsert postcodes", sql);
	free(sql);
	sql = store_geo_upsert_sql(1);
	im->one = store_geo_prepare(s, "upsert postcode", sql);
	free(sql);
	if (im->batch == NULL || im->one == NULL) {
		snprintf(err, errlen, "the database: %s",
		    sqlite3_errmsg(store_handle(s)));
		goto fail;
	}
	if (store_geo_exec(s, "begin", "BEGIN IMMEDIATE") == -1) {
		snprintf(err, errlen, "the database: %s",
		    sqlite3_errmsg(store_handle(s)));
		goto fail;
	}
	if (postcode_read_csv(f, store_geo_row_cb, im, counts, why,
	    sizeof why) == -1) {
		if (im->failed)
			snprintf(err, errlen, "the database: %s: nothing was "
			    "imported", sqlite3_errmsg(store_handle(s)));
		else
			snprintf(err, errlen, "%s: nothing was imported",
			    why);
		goto fail;
	}
	if (store_geo_flush(im) == -1 ||
	    store_geo_exec(s, "clear outcodes", "DELETE FROM outcodes") == -1 ||
	    store_geo_exec(s, "derive outcodes",
	    "INSERT INTO outcodes (outcode, lat, lon, postcodes) "
	    "SELECT outcode, avg(lat), avg(lon), count(*) FROM postcodes "
	    "GROUP BY outcode") == -1 ||
	    store_geo_exec(s, "commit", "COMMIT") == -1) {
		snprintf(err, errlen, "the database: %s: nothing was imported",
		    sqlite3_errmsg(store_handle(s)));
		goto fail;
	}
	ret = STORE_OK;

fail:
	if (ret != STORE_OK && !sqlite3_get_autocommit(store_handle(s)))
		(void)store_geo_exec(s, "rollback", "ROLLBACK");
	sqlite3_finalize(im->batch);
	sqlite3_finalize(im->one);
	free(im);
	return ret;
}

/*
 * Looks up the one row of `sql` for the key `key`: its point in *lat and
 * *lon.  Returns STORE_OK, STORE_NOTFOUND, or STORE_ERROR (logged).
 */
static int
store_geo_point(struct store *s, const char *step, const char *sql,
    const char *key, double *lat, double *lon)
{
	sqlite3_stmt	*st;
	int		 rc, ret = STORE_ERROR;

	if ((st = store_geo_prepare(s, step, sql)) == NULL)
		return STORE_ERROR;
	if (sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) != SQLITE_OK) {
		store_geo_log(s, step);
		goto fail;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*lat = sqlite3_column_double(st, 0);
		*lon = sqlite3_column_double(st, 1);
		ret = STORE_OK;
	} else if (rc == SQLITE_DONE)
		ret = STORE_NOTFOUND;
	else
		store_geo_log(s, step);

fail:
	sqlite3_finalize(st);
	return ret;
}

/*
 * Turns a place as someone wrote it into a point.
 *
 * Contract: `place` is text from outside (may be NULL).  It is either a
 * full postcode in any spelling postcode_normalise() takes ("dt11hf"),
 * an outward code alone ("dt1": its centroid), or a point "lat,lon" in
 * decimal degrees (taken as it is, the table not consulted).  Returns
 * STORE_OK with *lat and *lon set; STORE_NOTFOUND for a postcode or
 * outward code the table does not hold, or for anything else (out of
 * range points included); STORE_ERROR when the database fails (logged).
 * `hint` (hintlen bytes, at least 5 to be of use) is always set: for an
 * unknown full postcode whose outward code is known, that outward code,
 * so the caller can offer "DT1" instead; otherwise "".
 */
int
store_geocode(struct store *s, const char *place, double *lat, double *lon,
    char *hint, size_t hintlen)
{
	char	pc[POSTCODE_LEN], out[STORE_GEO_OUTCODE];
	double	la, lo;
	int	rc;

	if (hintlen > 0)
		hint[0] = '\0';
	if (place == NULL)
		return STORE_NOTFOUND;
	if ((rc = postcode_point_parse(place, &la, &lo)) == 0) {
		*lat = la;
		*lon = lo;
		return STORE_OK;
	}
	if (rc == -2)
		return STORE_NOTFOUND;
	if (postcode_normalise(place, pc, sizeof pc) == 0) {
		rc = store_geo_point(s, "find postcode", "SELECT lat, lon "
		    "FROM postcodes WHERE postcode = ?1", pc, lat, lon);
		if (rc != STORE_NOTFOUND)
			return rc;
		if (postcode_outcode(pc, out, sizeof out) == -1)
			fatalx("%s: postcode \"%s\" has no outward code",
			    __func__, pc);
		rc = store_geo_point(s, "find outcode", "SELECT lat, lon "
		    "FROM outcodes WHERE outcode = ?1", out, &la, &lo);
		if (rc == STORE_ERROR)
			return STORE_ERROR;
		if (rc == STORE_OK && hintlen > strlen(out))
			snprintf(hint, hintlen, "%s", out);
		return STORE_NOTFOUND;
	}
	if (postcode_is_outcode(place) &&
	    postcode_outcode(place, out, sizeof out) == 0)
		return store_geo_point(s, "find outcode", "SELECT lat, lon "
		    "FROM outcodes WHERE outcode = ?1", out, lat, lon);
	return STORE_NOTFOUND;
}

/*
 * How many postcodes and outward codes the table holds; either pointer
 * may be NULL.  Returns STORE_OK, or STORE_ERROR (logged).
 */
int
store_postcodes_count(struct store *s, long long *postcodes,
    long long *outcodes)
{
	static const char	*step = "count postcodes";
	sqlite3_stmt		*st;
	int			 ret = STORE_ERROR;

	if ((st = store_geo_prepare(s, step, "SELECT "
	    "(SELECT count(*) FROM postcodes), "
	    "(SELECT count(*) FROM outcodes)")) == NULL)
		return STORE_ERROR;
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_geo_log(s, step);
		goto fail;
	}
	if (postcodes != NULL)
		*postcodes = sqlite3_column_int64(st, 0);
	if (outcodes != NULL)
		*outcodes = sqlite3_column_int64(st, 1);
	ret = STORE_OK;

fail:
	sqlite3_finalize(st);
	return ret;
}
