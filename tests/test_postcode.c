/*
 * test_postcode.c - UK postcodes, postcode files and distances.
 *
 * Shapes are tables of good and bad forms.  The file reader runs over the
 * two fixtures in tests/fixtures (found under $DAYHUB_SRCDIR), whose
 * counts are exact, and over small files made here, one per kind of bad
 * line.  The plain fixture must hold every postcode the demo feeds use,
 * close to where their georss:point puts it, so a demo search near a
 * postcode finds what is there.
 */
#include "config.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dayhub.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])
#define PI		3.14159265358979323846
#define EARTH_KM	6371.0088

struct shape_case {
	const char	*in;
	const char	*want;		/* NULL: refused */
};

static const struct shape_case normalise_cases[] = {
	{ "DT1 1HF", "DT1 1HF" },
	{ "dt11hf", "DT1 1HF" },
	{ "dt1 1hf", "DT1 1HF" },
	{ "  DT1 1HF  ", "DT1 1HF" },
	{ "DT1   1HF", "DT1 1HF" },
	{ "\tDT1\t1HF", "DT1 1HF" },
	{ "D T 1 1 H F", "DT1 1HF" },
	{ "DT11 7AR", "DT11 7AR" },		/* AA99 */
	{ "dt117ar", "DT11 7AR" },
	{ "DT10 1DS", "DT10 1DS" },
	{ "SP8 4QA", "SP8 4QA" },		/* AA9 */
	{ "M1 1AE", "M1 1AE" },			/* A9 */
	{ "B33 8TH", "B33 8TH" },		/* A99 */
	{ "W1A 0AX", "W1A 0AX" },		/* A9A */
	{ "EC1A 1BB", "EC1A 1BB" },		/* AA9A */
	{ "SW1A 2AA", "SW1A 2AA" },
	{ "E1W 1AA", "E1W 1AA" },
	{ "GIR 0AA", "GIR 0AA" },		/* the one exception */
	{ "gir0aa", "GIR 0AA" },
	{ "", NULL },
	{ "   ", NULL },
	{ "DT1", NULL },			/* an outward code alone */
	{ "DT11", NULL },
	{ "DT1 1H", NULL },			/* inward code cut short */
	{ "DT1 1HFF", NULL },
	{ "DT1 1", NULL },
	{ "DT1 HF1", NULL },
	{ "DT1 11F", NULL },
	{ "DT1 1HO", NULL },			/* no C I K M O V inward */
	{ "DT1 1CA", NULL },
	{ "DT1 1IA", NULL },
	{ "DT1 1KA", NULL },
	{ "DT1 1MA", NULL },
	{ "DT1 1VA", NULL },
	{ "QT1 1HF", NULL },			/* no Q, V, X first */
	{ "V1 1AA", NULL },
	{ "XT1 1HF", NULL },
	{ "DJ1 1HF", NULL },			/* no I, J, Z second */
	{ "AI1 1AA", NULL },
	{ "AZ1 1AA", NULL },
	{ "W1I 1AA", NULL },			/* A9A: I not allowed */
	{ "W1Z 1AA", NULL },
	{ "EC1Z 1BB", NULL },			/* AA9A: Z not allowed */
	{ "EC1C 1BB", NULL },
	{ "1DT 1HF", NULL },			/* starts with a digit */
	{ "DTT1 1HF", NULL },
	{ "DT123 4AB", NULL },
	{ "D 1HF", NULL },
	{ "DT1-1HF", NULL },			/* other characters */
	{ "DT1 1HF!", NULL },
	{ "DT1_1HF", NULL },
	{ "DT1 1H\xc3\x89", NULL },		/* an E with an accent */
	{ "DT1 1HF DT1 1HF", NULL },
	{ "GIR 1AA", NULL },
	{ "GIRA 0AA", NULL },
};

Test(postcode, normalise_table)
{
	char	out[POSTCODE_LEN];
	size_t	i;
	int	ret;

	for (i = 0; i < nitems(normalise_cases); i++) {
		const struct shape_case *c = &normalise_cases[i];

		memset(out, 'x', sizeof out);
		ret = postcode_normalise(c->in, out, sizeof out);
		if (c->want == NULL) {
			cr_expect_eq(ret, -1, "\"%s\" was taken as \"%s\"",
			    c->in, out);
			cr_expect_str_empty(out, "\"%s\" left \"%s\"", c->in,
			    out);
		} else {
			cr_expect_eq(ret, 0, "\"%s\" was refused", c->in);
			cr_expect_str_eq(out, c->want, "\"%s\"", c->in);
		}
	}
}

Test(postcode, normalise_small_buffer)
{
	char	out[POSTCODE_LEN];

	cr_expect_eq(postcode_normalise("DT1 1HF", out, POSTCODE_LEN - 1),
	    -1);
	cr_expect_eq(postcode_normalise("DT1 1HF", out, 0), -1);
	cr_expect_eq(postcode_normalise(NULL, out, sizeof out), -1);
}

static const struct shape_case outcode_cases[] = {
	{ "DT1 1HF", "DT1" },
	{ "dt11hf", "DT1" },
	{ "dt11 7ar", "DT11" },
	{ "EC1A 1BB", "EC1A" },
	{ "GIR 0AA", "GIR" },
	{ "dt1", "DT1" },			/* an outcode alone */
	{ " sp8 ", "SP8" },
	{ "DT 11", "DT11" },
	{ "W1A", "W1A" },
	{ "M1", "M1" },
	{ "", NULL },
	{ "D", NULL },
	{ "DT", NULL },
	{ "DT1 1H", NULL },
	{ "DTT", NULL },
	{ "Q1", NULL },
	{ "DT1Z", NULL },
	{ "12", NULL },
	{ "DT1,", NULL },
};

Test(postcode, outcode_table)
{
	char	out[8];
	size_t	i;
	int	ret;

	for (i = 0; i < nitems(outcode_cases); i++) {
		const struct shape_case *c = &outcode_cases[i];

		ret = postcode_outcode(c->in, out, sizeof out);
		if (c->want == NULL)
			cr_expect_eq(ret, -1, "\"%s\" gave \"%s\"", c->in, out);
		else {
			cr_expect_eq(ret, 0, "\"%s\" was refused", c->in);
			cr_expect_str_eq(out, c->want, "\"%s\"", c->in);
		}
	}
	cr_expect_eq(postcode_outcode("DT11 7AR", out, 4), -1);
}

struct is_outcode_case {
	const char	*in;
	int		 want;
};

static const struct is_outcode_case is_outcode_cases[] = {
	{ "DT1", 1 }, { "dt1", 1 }, { "DT11", 1 }, { " SP8 ", 1 },
	{ "W1A", 1 }, { "EC1A", 1 }, { "M1", 1 }, { "B33", 1 },
	{ "GIR", 1 },
	{ "DT1 1HF", 0 }, { "dt11hf", 0 }, { "DT", 0 }, { "D", 0 },
	{ "", 0 }, { "DTT", 0 }, { "Q1", 0 }, { "W1I", 0 }, { "1DT", 0 },
	{ "DT1!", 0 }, { "DT111", 0 },
};

Test(postcode, is_outcode_table)
{
	size_t	i;

	for (i = 0; i < nitems(is_outcode_cases); i++)
		cr_expect_eq(postcode_is_outcode(is_outcode_cases[i].in),
		    is_outcode_cases[i].want, "postcode_is_outcode(\"%s\")",
		    is_outcode_cases[i].in);
}

struct point_case {
	const char	*in;
	int		 ret;
	double		 lat;
	double		 lon;
};

static const struct point_case point_cases[] = {
	{ "50.71,-2.44", 0, 50.71, -2.44 },
	{ " 50.71 , -2.44 ", 0, 50.71, -2.44 },
	{ "+50.71,-2.44", 0, 50.71, -2.44 },
	{ "50,-2", 0, 50, -2 },
	{ "-90,-180", 0, -90, -180 },
	{ "90,180", 0, 90, 180 },
	{ "0.,.5", 0, 0, 0.5 },
	{ "90.000001,0", -2, 0, 0 },
	{ "91,0", -2, 0, 0 },
	{ "-91,0", -2, 0, 0 },
	{ "0,181", -2, 0, 0 },
	{ "0,-180.5", -2, 0, 0 },
	{ "50.71", -1, 0, 0 },
	{ "50.71,", -1, 0, 0 },
	{ ",-2.44", -1, 0, 0 },
	{ ",", -1, 0, 0 },
	{ "", -1, 0, 0 },
	{ "a,b", -1, 0, 0 },
	{ "1,2,3", -1, 0, 0 },
	{ "1e2,3", -1, 0, 0 },
	{ "1.2.3,4", -1, 0, 0 },
	{ "--1,2", -1, 0, 0 },
	{ ".,2", -1, 0, 0 },
	{ "50.71;-2.44", -1, 0, 0 },
	{ "1234567890123456789012345,0", -1, 0, 0 },
};

Test(postcode, point_parse_table)
{
	size_t	i;
	double	lat, lon;
	int	ret;

	for (i = 0; i < nitems(point_cases); i++) {
		const struct point_case *c = &point_cases[i];

		lat = lon = 12345;
		ret = postcode_point_parse(c->in, &lat, &lon);
		cr_expect_eq(ret, c->ret, "\"%s\" gave %d, want %d", c->in,
		    ret, c->ret);
		if (c->ret == 0 && ret == 0) {
			cr_expect_float_eq(lat, c->lat, 1e-9, "\"%s\"", c->in);
			cr_expect_float_eq(lon, c->lon, 1e-9, "\"%s\"", c->in);
		}
		if (c->ret != 0)
			cr_expect(lat == 12345 && lon == 12345,
			    "\"%s\" stored something", c->in);
	}
}

/* What the reader handed over, kept for the assertions. */
struct collected {
	char	postcode[128][POSTCODE_LEN];
	double	lat[128];
	double	lon[128];
	size_t	n;
	size_t	stop_after;	/* 0: never stop */
};

static int
collect_cb(const struct postcode_row *row, void *arg)
{
	struct collected	*c = arg;

	if (c->stop_after != 0 && c->n == c->stop_after)
		return -1;
	cr_assert_lt(c->n, nitems(c->postcode), "too many rows");
	snprintf(c->postcode[c->n], sizeof c->postcode[c->n], "%s",
	    row->postcode);
	c->lat[c->n] = row->lat;
	c->lon[c->n] = row->lon;
	c->n++;
	return 0;
}

/* The index of `pc` in what was collected, or -1. */
static int
collected_find(const struct collected *c, const char *pc)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->postcode[i], pc) == 0)
			return (int)i;
	return -1;
}

static char *
src_path(const char *rel)
{
	const char	*src = getenv("DAYHUB_SRCDIR");
	char		*path;

	if (asprintf(&path, "%s/%s", src != NULL ? src : ".", rel) == -1)
		cr_assert_fail("out of memory");
	return path;
}

/* Reads the fixture `rel` into `got`. */
static int
read_fixture(const char *rel, struct collected *got,
    struct postcode_counts *counts, char *err, size_t errlen)
{
	char	*path = src_path(rel);
	FILE	*f;
	int	 ret;

	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s (is DAYHUB_SRCDIR set?)", path);
	ret = postcode_read_csv(f, collect_cb, got, counts, err, errlen);
	fclose(f);
	free(path);
	return ret;
}

Test(postcode, plain_fixture)
{
	static struct collected	got;
	struct postcode_counts	c;
	char			err[256];
	int			i;

	memset(&got, 0, sizeof got);
	cr_assert_eq(read_fixture("tests/fixtures/postcodes.csv", &got, &c,
	    err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(c.layout, "plain");
	cr_expect_eq(c.rows, 64);
	cr_expect_eq(c.imported, 64);
	cr_expect_eq(c.skipped_terminated, 0);
	cr_expect_eq(c.skipped_no_location, 0);
	cr_expect_eq(c.bad, 0, "line %lu: %s", c.first_bad_line,
	    c.first_bad);
	cr_expect_eq(c.first_bad_line, 0);
	cr_expect_eq(got.n, 64);

	cr_assert_geq(i = collected_find(&got, "DT1 1HF"), 0);
	cr_expect_float_eq(got.lat[i], 50.7152, 1e-9);
	cr_expect_float_eq(got.lon[i], -2.4391, 1e-9);
	cr_assert_geq(i = collected_find(&got, "DT11 7AR"), 0);
	cr_expect_float_eq(got.lat[i], 50.85895, 1e-9);
	cr_expect_float_eq(got.lon[i], -2.16247, 1e-9);
	cr_expect_geq(collected_find(&got, "SP8 4QA"), 0);
	cr_expect_geq(collected_find(&got, "DT2 8TE"), 0);
	cr_expect_geq(collected_find(&got, "DT3 6BJ"), 0);
}

Test(postcode, onspd_fixture)
{
	static struct collected	got;
	struct postcode_counts	c;
	char			err[256];
	int			i;

	memset(&got, 0, sizeof got);
	cr_assert_eq(read_fixture("tests/fixtures/onspd-sample.csv", &got, &c,
	    err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(c.layout, "onspd");
	cr_expect_eq(c.rows, 10);
	cr_expect_eq(c.imported, 8);
	cr_expect_eq(c.skipped_terminated, 1);
	cr_expect_eq(c.skipped_no_location, 1);
	cr_expect_eq(c.bad, 0, "line %lu: %s", c.first_bad_line,
	    c.first_bad);
	cr_expect_eq(got.n, 8);

	/* pcds is the column used: the tidy form, not pcd's "DT101DS". */
	cr_assert_geq(i = collected_find(&got, "DT10 1DS"), 0);
	cr_expect_float_eq(got.lat[i], 50.92818, 1e-9);
	cr_expect_float_eq(got.lon[i], -2.30395, 1e-9);
	cr_expect_geq(collected_find(&got, "DT1 1EN"), 0);
	cr_expect_geq(collected_find(&got, "DT11 7AR"), 0);
	cr_expect_eq(collected_find(&got, "DT4 7ZZ"), -1, "terminated");
	cr_expect_eq(collected_find(&got, "DT2 9ZX"), -1, "no location");
}

/*
 * Every <dh:postcode> in the demo feeds is in the plain fixture, within
 * half a kilometre of the <georss:point> of the same item.
 */
Test(postcode, fixture_covers_demo_feeds)
{
	static struct collected	 got;
	struct postcode_counts	 c;
	struct dirent		*de;
	DIR			*d;
	char			 err[256], pc[POSTCODE_LEN], *dir, *path;
	char			*text, *item, *end, *p, *q, *pt;
	size_t			 checked = 0, len;
	double			 lat, lon;
	FILE			*f;
	int			 i;

	memset(&got, 0, sizeof got);
	cr_assert_eq(read_fixture("tests/fixtures/postcodes.csv", &got, &c,
	    err, sizeof err), 0, "%s", err);
	dir = src_path("feeds/demo");
	cr_assert_not_null(d = opendir(dir), "cannot open %s", dir);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 4, ".rss") != 0)
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) == -1)
			cr_assert_fail("out of memory");
		cr_assert_not_null(f = fopen(path, "r"), "%s", path);
		text = calloc(1, 1024 * 1024);
		cr_assert_not_null(text);
		cr_assert_geq(fread(text, 1, 1024 * 1024 - 1, f), 1);
		fclose(f);
		for (item = text; (item = strstr(item, "<item>")) != NULL;
		    item = end) {
			cr_assert_not_null(end = strstr(item, "</item>"));
			*end++ = '\0';
			pt = strstr(item, "<georss:point>");
			if ((p = strstr(item, "<dh:postcode>")) == NULL)
				continue;
			p += strlen("<dh:postcode>");
			cr_assert_not_null(q = strchr(p, '<'));
			*q = '\0';
			cr_assert_eq(postcode_normalise(p, pc, sizeof pc), 0,
			    "%s: \"%s\"", de->d_name, p);
			cr_assert_geq(i = collected_find(&got, pc), 0,
			    "%s: %s is not in tests/fixtures/postcodes.csv",
			    de->d_name, pc);
			if (pt == NULL)
				continue;
			cr_assert_eq(sscanf(pt + strlen("<georss:point>"),
			    "%lf %lf", &lat, &lon), 2);
			cr_expect_leq(postcode_distance_km(lat, lon,
			    got.lat[i], got.lon[i]), 0.5, "%s: %s is %.2f km "
			    "from its georss:point", de->d_name, pc,
			    postcode_distance_km(lat, lon, got.lat[i],
			    got.lon[i]));
			checked++;
		}
		free(text);
		free(path);
	}
	closedir(d);
	free(dir);
	cr_expect_geq(checked, 70, "only %zu demo items with a postcode "
	    "and a point were found", checked);
}

struct csv_case {
	const char	*name;
	const char	*text;
	int		 ret;
	const char	*layout;
	size_t		 rows;
	size_t		 imported;
	size_t		 terminated;
	size_t		 no_location;
	size_t		 bad;
	unsigned long	 first_bad_line;
	const char	*why;		/* in first_bad; in err if ret -1 */
};

static const struct csv_case csv_cases[] = {
	{ "plain", "postcode,lat,lon\nDT1 1HF,50.7152,-2.4391\n",
	  0, "plain", 1, 1, 0, 0, 0, 0, NULL },
	{ "no header",
	  "DT1 1HF,50.7152,-2.4391\ndt47bx,50.61537,-2.45612\n",
	  0, "plain", 2, 2, 0, 0, 0, 0, NULL },
	{ "CRLF and a byte order mark",
	  "\xef\xbb\xbfpostcode,lat,lon\r\nDT1 1HF,50.7,-2.4\r\n",
	  0, "plain", 1, 1, 0, 0, 0, 0, NULL },
	{ "no header, byte order mark",
	  "\xef\xbb\xbf" "DT1 1HF,50.7,-2.4\n",
	  0, "plain", 1, 1, 0, 0, 0, 0, NULL },
	{ "columns in another order, other names",
	  "Latitude,Longitude,Name,Postcode\n50.7,-2.4,Shire Hall,dt11hf\n",
	  0, "plain", 1, 1, 0, 0, 0, 0, NULL },
	{ "quoted fields",
	  "\"postcode\",\"lat\",\"lon\"\n\"DT1 1HF\",\"50.7\",\"-2.4\"\n"
	  "\"DT1 1EN\" , 50.7 , -2.4 \n",
	  0, "plain", 2, 2, 0, 0, 0, 0, NULL },
	{ "a comma inside quotes",
	  "postcode,name,lat,lon\nDT1 1HF,\"Hall, the\",50.7,-2.4\n",
	  0, "plain", 1, 1, 0, 0, 0, 0, NULL },
	{ "a doubled quote inside quotes",
	  "postcode,name,lat,lon\nDT1 1HF,\"The \"\"Shed\"\"\",50.7,-2.4\n",
	  0, "plain", 1, 1, 0, 0, 0, 0, NULL },
	{ "no end of line at the end",
	  "postcode,lat,lon\nDT1 1HF,50.7,-2.4",
	  0, "plain", 1, 1, 0, 0, 0, 0, NULL },
	{ "blank lines are not rows",
	  "postcode,lat,lon\n\n   \n\r\nDT1 1HF,50.7,-2.4\n\n",
	  0, "plain", 1, 1, 0, 0, 0, 0, NULL },
	{ "extra columns",
	  "postcode,lat,lon,note\nDT1 1HF,50.7,-2.4,x,y,z\n",
	  0, "plain", 1, 1, 0, 0, 0, 0, NULL },
	{ "unclosed quote",
	  "postcode,lat,lon\n\"DT1 1HF,50.7,-2.4\nDT1 1EN,50.7,-2.4\n",
	  0, "plain", 2, 1, 0, 0, 1, 2, "quoting" },
	{ "text after a closing quote",
	  "postcode,lat,lon\n\"DT1 1HF\"x,50.7,-2.4\n",
	  0, "plain", 1, 0, 0, 0, 1, 2, "quoting" },
	{ "latitude not a number",
	  "postcode,lat,lon\nDT1 1HF,north,-2.4\n",
	  0, "plain", 1, 0, 0, 0, 1, 2, "decimal" },
	{ "longitude with an exponent",
	  "postcode,lat,lon\nDT1 1HF,50.7,-2e1\n",
	  0, "plain", 1, 0, 0, 0, 1, 2, "decimal" },
	{ "empty coordinates",
	  "postcode,lat,lon\nDT1 1HF,,\n",
	  0, "plain", 1, 0, 0, 0, 1, 2, "decimal" },
	{ "latitude out of range",
	  "postcode,lat,lon\nDT1 1HF,95,-2.4\n",
	  0, "plain", 1, 0, 0, 0, 1, 2, "-90 to 90" },
	{ "longitude out of range",
	  "postcode,lat,lon\nDT1 1HF,50.7,-180.5\n",
	  0, "plain", 1, 0, 0, 0, 1, 2, "-180 to 180" },
	{ "too few fields",
	  "postcode,lat,lon\nDT1 1HF,50.7\nDT1 1EN,50.7,-2.4\n",
	  0, "plain", 2, 1, 0, 0, 1, 2, "expected at least 3" },
	{ "a postcode cut short",
	  "postcode,lat,lon\nDT1 1EN,50.7,-2.4\nDT1 1H,50.7,-2.4\n",
	  0, "plain", 2, 1, 0, 0, 1, 3, "\"DT1 1H\" is not a UK postcode" },
	{ "a postcode with bytes that are not ASCII",
	  "postcode,lat,lon\nDT1 1H\xc3\x89,50.7,-2.4\n",
	  0, "plain", 1, 0, 0, 0, 1, 2, "\"DT1 1H??\" is not a UK postcode" },
	{ "the first bad line is the one kept",
	  "postcode,lat,lon\nDT1 1HF,x,0\nDT1,50,0\nDT1 1EN,50,0\n",
	  0, "plain", 3, 1, 0, 0, 2, 2, "decimal" },
	{ "no location in a plain file",
	  "postcode,lat,lon\nDT1 1HF,99.999999,0.000000\n",
	  0, "plain", 1, 0, 0, 1, 0, 0, NULL },
	{ "ONSPD columns without the rest",
	  "pcds,doterm,lat,long\n"
	  "DT1 1HF,,50.7152,-2.4391\n"
	  "DT1 1EN,202001,50.7,-2.4\n"
	  "DT2 9ZX,,99.999999,0.000000\n"
	  "DT2 9ZY,,,\n"
	  "DT2 9ZZ,,200,0\n",
	  0, "onspd", 5, 1, 1, 2, 1, 6, "-90 to 90" },
	{ "ONSPD with pcd only",
	  "\"pcd\",\"doterm\",\"lat\",\"long\"\n\"DT101DS\",\"\",50.9,-2.3\n",
	  0, "onspd", 1, 1, 0, 0, 0, 0, NULL },
	{ "a NUL in a line",
	  "postcode,lat,lon\nDT1 1HF,50.7,-2.4\0junk\nDT1 1EN,50.7,-2.4\n",
	  0, "plain", 2, 1, 0, 0, 1, 2, "NUL" },
	{ "empty file", "", -1, NULL, 0, 0, 0, 0, 0, 0, "empty" },
	{ "blank file", "\n\n  \n", -1, NULL, 0, 0, 0, 0, 0, 0, "empty" },
	{ "not a postcode file",
	  "hello,world\nDT1 1HF,50.7,-2.4\n",
	  -1, NULL, 0, 0, 0, 0, 0, 0, "neither" },
	{ "a header without lat",
	  "postcode,latitude_x,lon\nDT1 1HF,50.7,-2.4\n",
	  -1, NULL, 0, 0, 0, 0, 0, 0, "neither" },
};

/* Sizes of the strings in csv_cases with a NUL inside. */
static size_t
csv_len(const struct csv_case *c)
{
	if (strcmp(c->name, "a NUL in a line") == 0)
		return sizeof "postcode,lat,lon\nDT1 1HF,50.7,-2.4\0junk\n"
		    "DT1 1EN,50.7,-2.4\n" - 1;
	return strlen(c->text);
}

/* Runs the reader over `len` bytes of `text`. */
static int
read_text(const char *text, size_t len, struct collected *got,
    struct postcode_counts *counts, char *err, size_t errlen)
{
	FILE	*f;
	int	 ret;

	cr_assert_not_null(f = tmpfile());
	cr_assert_eq(fwrite(text, 1, len, f), len);
	rewind(f);
	ret = postcode_read_csv(f, collect_cb, got, counts, err, errlen);
	fclose(f);
	return ret;
}

Test(postcode, csv_table)
{
	static struct collected	got;
	struct postcode_counts	c;
	char			err[256];
	size_t			i;
	int			ret;

	for (i = 0; i < nitems(csv_cases); i++) {
		const struct csv_case *k = &csv_cases[i];

		memset(&got, 0, sizeof got);
		ret = read_text(k->text, csv_len(k), &got, &c, err,
		    sizeof err);
		cr_expect_eq(ret, k->ret, "%s: returned %d (%s)", k->name,
		    ret, err);
		if (k->ret == -1) {
			cr_expect(strstr(err, k->why) != NULL, "%s: \"%s\" "
			    "does not say \"%s\"", k->name, err, k->why);
			continue;
		}
		cr_expect_str_eq(c.layout, k->layout, "%s", k->name);
		cr_expect_eq(c.rows, k->rows, "%s: %zu rows", k->name, c.rows);
		cr_expect_eq(c.imported, k->imported, "%s: %zu imported",
		    k->name, c.imported);
		cr_expect_eq(got.n, k->imported, "%s", k->name);
		cr_expect_eq(c.skipped_terminated, k->terminated, "%s",
		    k->name);
		cr_expect_eq(c.skipped_no_location, k->no_location, "%s",
		    k->name);
		cr_expect_eq(c.bad, k->bad, "%s: %zu bad (line %lu: %s)",
		    k->name, c.bad, c.first_bad_line, c.first_bad);
		cr_expect_eq(c.rows, c.imported + c.skipped_terminated +
		    c.skipped_no_location + c.bad, "%s: the counts do not add "
		    "up", k->name);
		cr_expect_eq(c.first_bad_line, k->first_bad_line,
		    "%s: first bad line %lu", k->name, c.first_bad_line);
		if (k->why != NULL)
			cr_expect(strstr(c.first_bad, k->why) != NULL,
			    "%s: \"%s\" does not say \"%s\"", k->name,
			    c.first_bad, k->why);
	}
}

Test(postcode, csv_normalises_what_it_hands_over)
{
	static struct collected	got;
	struct postcode_counts	c;
	char			err[256];
	const char		*text =
	    "postcode,lat,lon\n dt1  1hf ,50.7,-2.4\n";

	memset(&got, 0, sizeof got);
	cr_assert_eq(read_text(text, strlen(text), &got, &c, err,
	    sizeof err), 0);
	cr_assert_eq(got.n, 1);
	cr_expect_str_eq(got.postcode[0], "DT1 1HF");
}

/* Builds "DT1 1HF,50.7,-2.4," padded with x to `len` bytes, then `eol`. */
static char *
long_line(size_t len, const char *eol)
{
	const char	*head = "DT1 1HF,50.7,-2.4,";
	char		*s;

	cr_assert_geq(len, strlen(head));
	cr_assert_not_null(s = malloc(len + strlen(eol) + 1));
	memcpy(s, head, strlen(head));
	memset(s + strlen(head), 'x', len - strlen(head));
	strcpy(s + len, eol);
	return s;
}

struct long_case {
	size_t		 len;		/* bytes before the line end */
	const char	*eol;
	size_t		 imported;	/* of that line: 1 or 0 */
};

static const struct long_case long_cases[] = {
	{ 5000, "\n", 0 },
	{ 5000, "\r\n", 0 },
	{ 5000, "", 0 },			/* the last line, no LF */
	{ POSTCODE_MAX_LINE, "\n", 1 },
	{ POSTCODE_MAX_LINE, "\r\n", 1 },	/* the CR is not counted */
	{ POSTCODE_MAX_LINE, "", 1 },
	{ POSTCODE_MAX_LINE + 1, "\n", 0 },
	{ POSTCODE_MAX_LINE + 1, "\r\n", 0 },
	{ 100000, "\n", 0 },
};

Test(postcode, long_lines)
{
	static struct collected	got;
	struct postcode_counts	c;
	char			err[256], *line, *text;
	size_t			i;
	int			tail;

	for (i = 0; i < nitems(long_cases); i++) {
		const struct long_case *k = &long_cases[i];

		/* A good row follows, unless the long line is the last. */
		tail = k->eol[0] != '\0';
		line = long_line(k->len, k->eol);
		if (asprintf(&text, "postcode,lat,lon\n%s%s", line,
		    tail ? "DT1 1EN,50.7,-2.4\n" : "") == -1)
			cr_assert_fail("out of memory");
		memset(&got, 0, sizeof got);
		cr_expect_eq(read_text(text, strlen(text), &got, &c, err,
		    sizeof err), 0, "%zu bytes: %s", k->len, err);
		cr_expect_eq(c.rows, 1 + (size_t)tail, "%zu bytes%s: %zu rows",
		    k->len, k->eol, c.rows);
		cr_expect_eq(c.imported, k->imported + (size_t)tail,
		    "%zu bytes: %zu imported", k->len, c.imported);
		cr_expect_eq(c.bad, 1 - k->imported, "%zu bytes: %zu bad",
		    k->len, c.bad);
		if (k->imported == 0) {
			cr_expect_eq(c.first_bad_line, 2);
			cr_expect(strstr(c.first_bad, "longer than 4096") !=
			    NULL, "%s", c.first_bad);
		}
		if (tail)
			cr_expect_geq(collected_find(&got, "DT1 1EN"), 0,
			    "%zu bytes: the row after it was lost", k->len);
		free(text);
		free(line);
	}
}

Test(postcode, long_header_is_an_error)
{
	struct collected	got;
	struct postcode_counts	c;
	char			err[256], *text;

	text = long_line(5000, "\nDT1 1EN,50.7,-2.4\n");
	memset(&got, 0, sizeof got);
	cr_expect_eq(read_text(text, strlen(text), &got, &c, err,
	    sizeof err), -1);
	cr_expect(strstr(err, "line 1 is longer than 4096") != NULL, "%s",
	    err);
	free(text);
}

Test(postcode, callback_stops_the_read)
{
	static struct collected	got;
	struct postcode_counts	c;
	char			err[256];
	const char		*text =
	    "postcode,lat,lon\nDT1 1HF,50.7,-2.4\n"
	    "DT1 1EN,50.7,-2.4\nDT4 7BX,50.6,-2.4\n";

	memset(&got, 0, sizeof got);
	got.stop_after = 1;
	cr_expect_eq(read_text(text, strlen(text), &got, &c, err,
	    sizeof err), -1);
	cr_expect(strstr(err, "line 3: stopped") != NULL, "%s", err);
	cr_expect_eq(c.imported, 1);
	cr_expect_eq(got.n, 1);
}

struct distance_case {
	const char	*name;
	double		 lat1, lon1, lat2, lon2;
	double		 lo, hi;	/* km */
};

static const struct distance_case distance_cases[] = {
	{ "Dorchester to Weymouth", 50.7154, -2.4367, 50.6144, -2.4576,
	  11, 12 },
	{ "Shire Hall DT1 1EN to DT4 7BX", 50.71394, -2.43292, 50.61537,
	  -2.45612, 10.9, 11.2 },
	{ "the same point", 50.71394, -2.43292, 50.71394, -2.43292, 0, 0 },
	{ "London to Paris", 51.5074, -0.1278, 48.8566, 2.3522, 342, 345 },
	{ "antipodes on the equator", 0, 0, 0, 180, 20015, 20016 },
	{ "antipodes of Dorchester", 50.7154, -2.4367, -50.7154, 177.5633,
	  20015, 20016 },
	{ "pole to pole", 90, 0, -90, 0, 20015, 20016 },
	{ "across the 180th meridian", 0, 179.99, 0, -179.99, 2.2, 2.3 },
	{ "one degree of latitude", 10, 20, 11, 20, 111.1, 111.3 },
};

Test(postcode, distance_table)
{
	size_t	i;
	double	d, back;

	for (i = 0; i < nitems(distance_cases); i++) {
		const struct distance_case *c = &distance_cases[i];

		d = postcode_distance_km(c->lat1, c->lon1, c->lat2, c->lon2);
		back = postcode_distance_km(c->lat2, c->lon2, c->lat1,
		    c->lon1);
		cr_expect(d >= c->lo && d <= c->hi, "%s: %.4f km, want %g to "
		    "%g", c->name, d, c->lo, c->hi);
		cr_expect_float_eq(d, back, 1e-9, "%s: not symmetric",
		    c->name);
	}
}

/* The point `km` from (lat, lon) on bearing `deg`, on the sphere. */
static void
destination(double lat, double lon, double km, double deg, double *olat,
    double *olon)
{
	double	p = lat * PI / 180, l = lon * PI / 180;
	double	b = deg * PI / 180;
	double	d = km / EARTH_KM, p2, l2;

	p2 = asin(sin(p) * cos(d) + cos(p) * sin(d) * cos(b));
	l2 = l + atan2(sin(b) * sin(d) * cos(p), cos(d) - sin(p) * sin(p2));
	*olat = p2 * 180 / PI;
	*olon = fmod(l2 * 180 / PI + 540, 360) - 180;
}

struct bbox_case {
	const char	*name;
	double		 lat, lon, km;
	int		 all_lon;	/* must take every longitude */
};

static const struct bbox_case bbox_cases[] = {
	{ "Dorchester, 10 km", 50.7154, -2.4367, 10, 0 },
	{ "Dorchester, 200 km", 50.7154, -2.4367, 200, 0 },
	{ "Dorchester, 0.1 km", 50.7154, -2.4367, 0.1, 0 },
	{ "the equator, 50 km", 0, 0, 50, 0 },
	{ "the southern hemisphere", -33.86, 151.21, 150, 0 },
	{ "near the north pole", 89.9, 10, 50, 1 },
	{ "near the south pole", -89.95, 10, 10, 1 },
	{ "by the 180th meridian", 10, 179.95, 20, 1 },
	{ "by the 180th meridian, west", 10, -179.95, 20, 1 },
	{ "half the Earth", 0, 0, 10500, 1 },
};

Test(postcode, bbox_holds_the_circle)
{
	double	minlat, maxlat, minlon, maxlon, lat, lon, deg;
	size_t	i;
	int	b;

	for (i = 0; i < nitems(bbox_cases); i++) {
		const struct bbox_case *c = &bbox_cases[i];

		postcode_bbox(c->lat, c->lon, c->km, &minlat, &maxlat,
		    &minlon, &maxlon);
		cr_expect(minlat <= c->lat && c->lat <= maxlat &&
		    minlon <= c->lon && c->lon <= maxlon,
		    "%s: the centre is outside", c->name);
		cr_expect(minlat >= -90 && maxlat <= 90 && minlon >= -180 &&
		    maxlon <= 180, "%s: the box leaves the globe", c->name);
		if (c->all_lon)
			cr_expect(minlon == -180 && maxlon == 180,
			    "%s: %f..%f", c->name, minlon, maxlon);
		for (b = 0; b < 3600; b++) {
			destination(c->lat, c->lon, c->km, b / 10.0, &lat,
			    &lon);
			if (!(lat >= minlat - 1e-9 && lat <= maxlat + 1e-9 &&
			    lon >= minlon - 1e-9 && lon <= maxlon + 1e-9)) {
				cr_expect_fail("%s: bearing %.1f gives %f,%f "
				    "outside %f..%f, %f..%f", c->name,
				    b / 10.0, lat, lon, minlat, maxlat,
				    minlon, maxlon);
				break;
			}
		}
	}

	/* Tight, too: 10 km is about 0.09 degrees of latitude. */
	postcode_bbox(50.7154, -2.4367, 10, &minlat, &maxlat, &minlon,
	    &maxlon);
	deg = 10 / EARTH_KM * 180 / PI;
	cr_expect_float_eq(maxlat - 50.7154, deg, 1e-9);
	cr_expect_float_eq(50.7154 - minlat, deg, 1e-9);
	cr_expect(maxlon + 2.4367 > deg && maxlon + 2.4367 < 2 * deg,
	    "the longitude span %f is not about %f", maxlon + 2.4367,
	    deg / cos(50.7154 * PI / 180));

	postcode_bbox(50, -2, 0, &minlat, &maxlat, &minlon, &maxlon);
	cr_expect(minlat == 50 && maxlat == 50 && minlon == -2 &&
	    maxlon == -2, "a radius of 0 is the point");
	postcode_bbox(50, -2, -5, &minlat, &maxlat, &minlon, &maxlon);
	cr_expect(minlat == 50 && maxlat == 50, "a negative radius is 0");
}
