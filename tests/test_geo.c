/*
 * test_geo.c - the postcode table against real database files in a
 * temporary directory: imports of both fixture layouts with their exact
 * counts, re-imports that change nothing, the outward codes' centroids,
 * places turned into points (postcodes in many spellings, outward codes,
 * "lat,lon", unknown and malformed places), and imports that fail half
 * way (a read error, a database that refuses a row, a file that is no
 * postcode file), which must leave the table exactly as it was: checked
 * with a second, plain connection.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "dayhub.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

#define PLAIN		"tests/fixtures/postcodes.csv"
#define ONSPD		"tests/fixtures/onspd-sample.csv"

static char		 tmpdir[256];
static char		 dbpath[300];
static struct store	*st;

/* A fresh directory and store per test, removed with whatever is in it. */
static void
setup(void)
{
	const char	*base = getenv("TMPDIR");
	char		 err[256];

	snprintf(tmpdir, sizeof tmpdir, "%s/dayhub-geo-XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp");
	snprintf(dbpath, sizeof dbpath, "%s/dayhub.db", tmpdir);
	log_init(1, LOG_LEVEL_WARN, "test_geo");
	cr_assert_eq(store_open(&st, dbpath, err, sizeof err), STORE_OK, "%s",
	    err);
}

static void
teardown(void)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[600];

	store_close(st);
	st = NULL;
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

TestSuite(geo, .init = setup, .fini = teardown);

/* Imports the fixture `rel` under $DAYHUB_SRCDIR; the store's answer. */
static int
import_fixture(const char *rel, struct postcode_counts *c, char *err,
    size_t errlen)
{
	const char	*src = getenv("DAYHUB_SRCDIR");
	char		 path[1024];
	FILE		*f;
	int		 rc;

	snprintf(path, sizeof path, "%s/%s", src != NULL && *src != '\0' ?
	    src : ".", rel);
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s (is DAYHUB_SRCDIR set?)", path);
	rc = store_postcodes_import(st, f, c, err, errlen);
	fclose(f);
	return rc;
}

/* Imports `text` as a file; the store's answer. */
static int
import_text(const char *text, struct postcode_counts *c, char *err,
    size_t errlen)
{
	FILE	*f;
	int	 rc;

	/* fmemopen refuses a size of 0; an empty file is /dev/null. */
	if (*text == '\0')
		f = fopen("/dev/null", "r");
	else
		f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	cr_assert_not_null(f, "fmemopen");
	rc = store_postcodes_import(st, f, c, err, errlen);
	fclose(f);
	return rc;
}

/*
 * Every row of both tables in key order as one string, read through a
 * second connection, so a test sees what is committed and nothing else.
 */
static char *
dump_tables(void)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*q = NULL;
	const char	*text;
	char		*out;

	cr_assert_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT "
	    "(SELECT group_concat(x, ';') FROM (SELECT postcode || '|' || "
	    "outcode || '|' || lat || '|' || lon AS x FROM postcodes "
	    "ORDER BY postcode)) || ' / ' || "
	    "(SELECT group_concat(x, ';') FROM (SELECT outcode || '|' || "
	    "lat || '|' || lon || '|' || postcodes AS x FROM outcodes "
	    "ORDER BY outcode))", -1, &q, NULL), SQLITE_OK, "%s",
	    sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
	text = (const char *)sqlite3_column_text(q, 0);
	out = strdup(text != NULL ? text : "(empty)");
	cr_assert_not_null(out);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return out;
}

/* Runs `sql` on a second connection, as an administrator would. */
static void
admin_exec(const char *sql)
{
	sqlite3	*db = NULL;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* --- imports --- */

struct import_case {
	const char	*file;
	const char	*layout;
	size_t		 rows;
	size_t		 imported;
	size_t		 terminated;
	size_t		 no_location;
	size_t		 bad;
	long long	 postcodes;	/* in the table afterwards */
	long long	 outcodes;
};

static const struct import_case import_cases[] = {
	{ PLAIN, "plain", 64, 64, 0, 0, 0, 64, 12 },
	/* DT4 7ZZ is terminated, DT2 9ZX has no location. */
	{ ONSPD, "onspd", 10, 8, 1, 1, 0, 8, 7 },
};

Test(geo, empty_store_counts)
{
	long long	pcs = -1, outs = -1;

	cr_assert_eq(store_postcodes_count(st, &pcs, &outs), STORE_OK);
	cr_expect_eq(pcs, 0);
	cr_expect_eq(outs, 0);
	cr_expect_eq(store_postcodes_count(st, NULL, NULL), STORE_OK);
}

Test(geo, import_fixtures)
{
	const struct import_case	*k;
	struct postcode_counts		 c;
	char				 err[256];
	long long			 pcs, outs;
	size_t				 i;

	for (i = 0; i < nitems(import_cases); i++) {
		k = &import_cases[i];
		admin_exec("DELETE FROM postcodes; DELETE FROM outcodes");
		cr_assert_eq(import_fixture(k->file, &c, err, sizeof err),
		    STORE_OK, "%s: %s", k->file, err);
		cr_expect_str_eq(err, "", "%s", k->file);
		cr_expect_str_eq(c.layout, k->layout, "%s", k->file);
		cr_expect_eq(c.rows, k->rows, "%s: %zu rows", k->file, c.rows);
		cr_expect_eq(c.imported, k->imported, "%s: %zu imported",
		    k->file, c.imported);
		cr_expect_eq(c.skipped_terminated, k->terminated, "%s",
		    k->file);
		cr_expect_eq(c.skipped_no_location, k->no_location, "%s",
		    k->file);
		cr_expect_eq(c.bad, k->bad, "%s: line %lu: %s", k->file,
		    c.first_bad_line, c.first_bad);
		cr_assert_eq(store_postcodes_count(st, &pcs, &outs), STORE_OK);
		cr_expect_eq(pcs, k->postcodes, "%s: %lld postcodes", k->file,
		    pcs);
		cr_expect_eq(outs, k->outcodes, "%s: %lld outcodes", k->file,
		    outs);
	}
}

/* Importing a file again, or a file that agrees with it, changes nothing. */
Test(geo, reimport_is_idempotent)
{
	struct postcode_counts	 c;
	char			 err[256], *before, *after;
	long long		 pcs, outs;

	cr_assert_eq(import_fixture(PLAIN, &c, err, sizeof err), STORE_OK,
	    "%s", err);
	before = dump_tables();
	cr_assert_eq(import_fixture(PLAIN, &c, err, sizeof err), STORE_OK,
	    "%s", err);
	cr_expect_eq(c.imported, 64);
	after = dump_tables();
	cr_expect_str_eq(after, before, "a second import changed the table");
	free(after);
	/* The ONSPD sample's postcodes are all in the plain file, same place. */
	cr_assert_eq(import_fixture(ONSPD, &c, err, sizeof err), STORE_OK,
	    "%s", err);
	after = dump_tables();
	cr_expect_str_eq(after, before, "the ONSPD sample changed the table");
	cr_assert_eq(store_postcodes_count(st, &pcs, &outs), STORE_OK);
	cr_expect_eq(pcs, 64);
	cr_expect_eq(outs, 12);
	free(after);
	free(before);
}

/* An import merges: new postcodes join, moved ones move, the rest stay. */
Test(geo, import_merges)
{
	struct postcode_counts	 c;
	char			 err[256], hint[16];
	double			 lat, lon;
	long long		 pcs, outs;

	cr_assert_eq(import_fixture(ONSPD, &c, err, sizeof err), STORE_OK,
	    "%s", err);
	cr_assert_eq(import_text("postcode,lat,lon\n"
	    "dt1 1hf,50.8,-2.5\n"
	    "BA1 1AA,51.38,-2.36\n"
	    "BA1 1AB,51.40,-2.34\n"
	    "nonsense,1,2\n", &c, err, sizeof err), STORE_OK, "%s", err);
	cr_expect_eq(c.imported, 3);
	cr_expect_eq(c.bad, 1);
	cr_expect_eq(c.first_bad_line, 5);
	cr_assert_eq(store_postcodes_count(st, &pcs, &outs), STORE_OK);
	cr_expect_eq(pcs, 10);
	cr_expect_eq(outs, 8);
	cr_assert_eq(store_geocode(st, "DT1 1HF", &lat, &lon, hint,
	    sizeof hint), STORE_OK);
	cr_expect_float_eq(lat, 50.8, 1e-9);
	cr_expect_float_eq(lon, -2.5, 1e-9);
	/* DT1's centroid follows: DT1 1EN stayed at 50.71394,-2.43292. */
	cr_assert_eq(store_geocode(st, "DT1", &lat, &lon, hint, sizeof hint),
	    STORE_OK);
	cr_expect_float_eq(lat, (50.8 + 50.71394) / 2, 1e-9);
	cr_expect_float_eq(lon, (-2.5 + -2.43292) / 2, 1e-9);
	cr_assert_eq(store_geocode(st, "BA1", &lat, &lon, hint, sizeof hint),
	    STORE_OK);
	cr_expect_float_eq(lat, 51.39, 1e-9);
	cr_expect_float_eq(lon, -2.35, 1e-9);
}

struct centroid_case {
	const char	*outcode;
	long long	 postcodes;
	double		 lat;		/* the mean of the fixture's rows */
	double		 lon;
};

static const struct centroid_case plain_centroids[] = {
	{ "DT1", 10, 50.714618, -2.441164 },
	{ "DT2", 5, 50.727440, -2.419360 },
	{ "DT3", 5, 50.648220, -2.477560 },
	{ "DT4", 10, 50.613414, -2.4623970 },
	{ "DT5", 5, 50.5601980, -2.439578 },
	{ "DT6", 5, 50.727050, -2.7625560 },
	{ "DT8", 1, 50.809340, -2.741260 },
	{ "DT9", 5, 50.946650, -2.5154820 },
	{ "DT10", 5, 50.932796, -2.319282 },
	{ "DT11", 4, 50.850650, -2.194125 },
	{ "SP7", 4, 51.0100825, -2.20298 },
	{ "SP8", 5, 51.036964, -2.276638 },
};

Test(geo, outcode_centroids)
{
	const struct centroid_case	*k;
	struct postcode_counts		 c;
	sqlite3				*db = NULL;
	sqlite3_stmt			*q = NULL;
	char				 err[256];
	size_t				 i, n = 0;

	cr_assert_eq(import_fixture(PLAIN, &c, err, sizeof err), STORE_OK,
	    "%s", err);
	cr_assert_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT lat, lon, postcodes "
	    "FROM outcodes WHERE outcode = ?1", -1, &q, NULL), SQLITE_OK);
	for (i = 0; i < nitems(plain_centroids); i++) {
		k = &plain_centroids[i];
		sqlite3_bind_text(q, 1, k->outcode, -1, SQLITE_STATIC);
		cr_assert_eq(sqlite3_step(q), SQLITE_ROW, "%s", k->outcode);
		cr_expect_float_eq(sqlite3_column_double(q, 0), k->lat, 1e-6,
		    "%s: lat %f", k->outcode, sqlite3_column_double(q, 0));
		cr_expect_float_eq(sqlite3_column_double(q, 1), k->lon, 1e-6,
		    "%s: lon %f", k->outcode, sqlite3_column_double(q, 1));
		cr_expect_eq(sqlite3_column_int64(q, 2), k->postcodes, "%s",
		    k->outcode);
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	q = NULL;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*), "
	    "sum(postcodes) FROM outcodes", -1, &q, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
	n = (size_t)sqlite3_column_int64(q, 0);
	cr_expect_eq(n, nitems(plain_centroids), "%zu outcodes", n);
	cr_expect_eq(sqlite3_column_int64(q, 1), 64);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

/* --- places --- */

struct geocode_case {
	const char	*place;
	int		 ret;
	double		 lat;
	double		 lon;
	const char	*hint;
	size_t		 hintlen;	/* 0: 16 */
};

static const struct geocode_case geocode_cases[] = {
	/* Full postcodes, however written. */
	{ "DT1 1HF", STORE_OK, 50.7152, -2.4391, "", 0 },
	{ "dt11hf", STORE_OK, 50.7152, -2.4391, "", 0 },
	{ "  dt1  1HF ", STORE_OK, 50.7152, -2.4391, "", 0 },
	{ "D T 1 1 H F", STORE_OK, 50.7152, -2.4391, "", 0 },
	{ "DT11 7AR", STORE_OK, 50.85895, -2.16247, "", 0 },
	{ "dt117ar", STORE_OK, 50.85895, -2.16247, "", 0 },
	{ "sp8 4qa", STORE_OK, 51.03591, -2.27602, "", 0 },
	/* Outward codes: their centroids. */
	{ "DT1", STORE_OK, 50.714618, -2.441164, "", 0 },
	{ "dt1", STORE_OK, 50.714618, -2.441164, "", 0 },
	{ "dt 10", STORE_OK, 50.932796, -2.319282, "", 0 },
	{ " SP7 ", STORE_OK, 51.0100825, -2.20298, "", 0 },
	{ "DT8", STORE_OK, 50.80934, -2.74126, "", 0 },
	/* Points, taken as they are. */
	{ "50.7145,-2.4370", STORE_OK, 50.7145, -2.437, "", 0 },
	{ " 51 , -2.2 ", STORE_OK, 51, -2.2, "", 0 },
	{ "-33.9,151.2", STORE_OK, -33.9, 151.2, "", 0 },
	{ "90,180", STORE_OK, 90, 180, "", 0 },
	/* Unknown postcodes: the outward code when it is known. */
	{ "DT1 9ZZ", STORE_NOTFOUND, 0, 0, "DT1", 0 },
	{ "dt109zz", STORE_NOTFOUND, 0, 0, "DT10", 0 },
	{ "SP8 9ZZ", STORE_NOTFOUND, 0, 0, "SP8", 4 },
	{ "DT10 9ZZ", STORE_NOTFOUND, 0, 0, "", 4 },	/* no room */
	{ "BA1 1AA", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "DT7 1AA", STORE_NOTFOUND, 0, 0, "", 0 },
	/* Unknown outward codes. */
	{ "DT7", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "BA1", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "GIR", STORE_NOTFOUND, 0, 0, "", 0 },
	/* Malformed. */
	{ "", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "   ", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "DT1 1H", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "DT1 1HFF", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "DTI 1HF", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "QT1 1HF", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "DT1 1CF", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "D", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "Dorchester", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "DT1 1HF; DROP TABLE postcodes", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "DT1' OR '1'='1", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "DT1 1HF\n", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "D\xc3\x9c" "1 1HF", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "91,0", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "0,180.5", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "50.7,-2.4,1", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "50.7,", STORE_NOTFOUND, 0, 0, "", 0 },
	{ ",", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "5e1,-2", STORE_NOTFOUND, 0, 0, "", 0 },
	{ "nan,nan", STORE_NOTFOUND, 0, 0, "", 0 },
};

Test(geo, geocode)
{
	const struct geocode_case	*k;
	struct postcode_counts		 c;
	char				 err[256], hint[16];
	double				 lat, lon;
	size_t				 i, hl;
	int				 rc;

	cr_assert_eq(import_fixture(PLAIN, &c, err, sizeof err), STORE_OK,
	    "%s", err);
	for (i = 0; i < nitems(geocode_cases); i++) {
		k = &geocode_cases[i];
		hl = k->hintlen != 0 ? k->hintlen : sizeof hint;
		memset(hint, 'x', sizeof hint);
		lat = lon = -999;
		rc = store_geocode(st, k->place, &lat, &lon, hint, hl);
		cr_expect_eq(rc, k->ret, "\"%s\": %d, expected %d", k->place,
		    rc, k->ret);
		cr_expect_str_eq(hint, k->hint, "\"%s\": hint \"%.*s\"",
		    k->place, (int)sizeof hint, hint);
		if (k->ret != STORE_OK || rc != STORE_OK)
			continue;
		cr_expect_float_eq(lat, k->lat, 1e-6, "\"%s\": lat %f",
		    k->place, lat);
		cr_expect_float_eq(lon, k->lon, 1e-6, "\"%s\": lon %f",
		    k->place, lon);
	}
}

/* NULL, no hint buffer, and an empty table. */
Test(geo, geocode_edges)
{
	char	hint[16];
	double	lat = 0, lon = 0;

	memset(hint, 'x', sizeof hint);
	cr_expect_eq(store_geocode(st, NULL, &lat, &lon, hint, sizeof hint),
	    STORE_NOTFOUND);
	cr_expect_str_eq(hint, "");
	cr_expect_eq(store_geocode(st, "DT1 1HF", &lat, &lon, hint,
	    sizeof hint), STORE_NOTFOUND, "an empty table knows nothing");
	cr_expect_str_eq(hint, "");
	cr_expect_eq(store_geocode(st, "DT1", &lat, &lon, NULL, 0),
	    STORE_NOTFOUND);
	cr_expect_eq(store_geocode(st, "50.5,-2.5", &lat, &lon, NULL, 0),
	    STORE_OK, "a point needs no table");
	cr_expect_float_eq(lat, 50.5, 1e-9);
	cr_expect_float_eq(lon, -2.5, 1e-9);
}

/* --- imports that fail: nothing changes --- */

/* A file that reads `text` up to byte `cut`, then fails with EIO. */
struct broken_file {
	const char	*text;
	size_t		 len;
	size_t		 pos;
	size_t		 cut;
};

static ssize_t
broken_read(void *cookie, char *buf, size_t size)
{
	struct broken_file	*b = cookie;
	size_t			 n;

	if (b->pos >= b->cut) {
		errno = EIO;
		return -1;
	}
	n = b->cut - b->pos;
	if (n > size)
		n = size;
	memcpy(buf, b->text + b->pos, n);
	b->pos += n;
	return (ssize_t)n;
}

/*
 * A plain file of `n` (at most 2000) new postcodes, 400 to an outward
 * code: "BA1 0AA" ... "BA1 0ZZ", "BA2 0AA" ..., after a line that moves
 * DT1 1HF, so a failure after any of them has something to undo; the
 * caller frees it.
 */
static char *
many_rows(size_t n)
{
	static const char	 letters[] = "ABDEFGHJLNPQRSTUWXYZ";
	char			*text, *p;
	size_t			 i, size;

	size = 64 + n * 32;
	cr_assert_not_null(text = malloc(size));
	p = text;
	p += sprintf(p, "postcode,lat,lon\nDT1 1HF,50,-2\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "BA%zu 0%c%c,51.%zu,-2.3\n", 1 + i / 400,
		    letters[i / 20 % 20], letters[i % 20], i);
	return text;
}

Test(geo, read_error_changes_nothing)
{
	struct postcode_counts	 c;
	struct broken_file	 b;
	cookie_io_functions_t	 io = { .read = broken_read };
	char			 err[256], *before, *after, *text;
	FILE			*f;
	long long		 pcs, outs;

	cr_assert_eq(import_fixture(PLAIN, &c, err, sizeof err), STORE_OK,
	    "%s", err);
	before = dump_tables();
	text = many_rows(1000);
	b.text = text;
	b.len = strlen(text);
	b.pos = 0;
	b.cut = b.len * 3 / 4;		/* well past several batches */
	cr_assert_not_null(f = fopencookie(&b, "r", io));
	cr_expect_eq(store_postcodes_import(st, f, &c, err, sizeof err),
	    STORE_ERROR);
	fclose(f);
	cr_expect_gt(c.imported, 500, "only %zu rows were read", c.imported);
	cr_expect_not_null(strstr(err, "read error"), "%s", err);
	cr_expect_not_null(strstr(err, "nothing was imported"), "%s", err);
	after = dump_tables();
	cr_expect_str_eq(after, before, "a failed import changed the table");
	cr_assert_eq(store_postcodes_count(st, &pcs, &outs), STORE_OK);
	cr_expect_eq(pcs, 64);
	cr_expect_eq(outs, 12);

	/* The store is still usable, and the whole file does go in. */
	cr_assert_eq(import_text(text, &c, err, sizeof err), STORE_OK, "%s",
	    err);
	cr_expect_eq(c.imported, 1001);
	cr_expect_eq(c.bad, 0, "line %lu: %s", c.first_bad_line, c.first_bad);
	cr_assert_eq(store_postcodes_count(st, &pcs, &outs), STORE_OK);
	cr_expect_eq(pcs, 64 + 1000);
	free(after);
	free(before);
	free(text);
}

/* A row the database refuses part way stops the import and undoes it. */
Test(geo, database_error_changes_nothing)
{
	struct postcode_counts	 c;
	char			 err[256], *before, *after, *text;
	long long		 pcs, outs;

	cr_assert_eq(import_fixture(PLAIN, &c, err, sizeof err), STORE_OK,
	    "%s", err);
	before = dump_tables();
	admin_exec("CREATE TRIGGER refuse BEFORE INSERT ON postcodes "
	    "WHEN new.postcode = 'BA2 0AA' BEGIN "
	    "SELECT RAISE(ABORT, 'refused for the test'); END");
	text = many_rows(1000);
	cr_expect_eq(import_text(text, &c, err, sizeof err), STORE_ERROR);
	cr_expect_not_null(strstr(err, "refused for the test"), "%s", err);
	cr_expect_not_null(strstr(err, "nothing was imported"), "%s", err);
	after = dump_tables();
	cr_expect_str_eq(after, before, "a failed import changed the table");
	/* The store's own connection sees the same: nothing is left open. */
	cr_assert_eq(store_postcodes_count(st, &pcs, &outs), STORE_OK);
	cr_expect_eq(pcs, 64);
	cr_expect_eq(outs, 12);
	admin_exec("DROP TRIGGER refuse");
	cr_expect_eq(import_text(text, &c, err, sizeof err), STORE_OK, "%s",
	    err);
	cr_assert_eq(store_postcodes_count(st, &pcs, &outs), STORE_OK);
	cr_expect_eq(pcs, 64 + 1000);
	cr_expect_eq(outs, 12 + 3);
	free(after);
	free(before);
	free(text);
}

struct refused_case {
	const char	*name;
	const char	*text;
	const char	*why;		/* in err */
};

static const struct refused_case refused_cases[] = {
	{ "empty", "", "the file is empty" },
	{ "blank lines only", "\n  \n\r\n", "the file is empty" },
	{ "no postcode header", "name,lat,lon\nDT1 1HF,50,-2\n",
	  "line 1 is neither" },
	{ "an HTML page", "<!DOCTYPE html>\n<html>\n", "line 1 is neither" },
	{ "no row after a header-less first line", "DT1 1HF\n",
	  "line 1 is neither" },
};

Test(geo, refused_files_change_nothing)
{
	const struct refused_case	*k;
	struct postcode_counts		 c;
	char				 err[256], *before, *after;
	long long			 pcs;
	size_t				 i;

	cr_assert_eq(import_fixture(PLAIN, &c, err, sizeof err), STORE_OK,
	    "%s", err);
	before = dump_tables();
	for (i = 0; i < nitems(refused_cases); i++) {
		k = &refused_cases[i];
		cr_expect_eq(import_text(k->text, &c, err, sizeof err),
		    STORE_ERROR, "%s", k->name);
		cr_expect_not_null(strstr(err, k->why), "%s: \"%s\"", k->name,
		    err);
		after = dump_tables();
		cr_expect_str_eq(after, before, "%s changed the table",
		    k->name);
		free(after);
		cr_assert_eq(store_postcodes_count(st, &pcs, NULL),
		    STORE_OK);
		cr_expect_eq(pcs, 64, "%s", k->name);
	}
	free(before);
}

/* A file of nothing but bad rows is read to its end and changes nothing. */
Test(geo, bad_rows_alone)
{
	struct postcode_counts	 c;
	char			 err[256], *before, *after;

	cr_assert_eq(import_fixture(PLAIN, &c, err, sizeof err), STORE_OK,
	    "%s", err);
	before = dump_tables();
	cr_assert_eq(import_text("postcode,lat,lon\n"
	    "DT1 1HF,95,-2\n"
	    "DT1 1HF,50,west\n"
	    "DT1 1H,50,-2\n"
	    "DT1 1HF\n", &c, err, sizeof err), STORE_OK, "%s", err);
	cr_expect_eq(c.rows, 4);
	cr_expect_eq(c.imported, 0);
	cr_expect_eq(c.bad, 4);
	cr_expect_eq(c.first_bad_line, 2);
	cr_expect_not_null(strstr(c.first_bad, "-90 to 90"), "%s",
	    c.first_bad);
	after = dump_tables();
	cr_expect_str_eq(after, before);
	free(after);
	free(before);
}
