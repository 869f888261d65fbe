/*
 * postcode.c - UK postcodes: their shape, the files the postcode table is
 * loaded from, and distances on the Earth.
 *
 * Everything here is pure: no SQL and no globals.  The postcode table
 * itself and the command that fills it live elsewhere; they hand this file
 * a FILE and take rows back through a callback.
 *
 * A postcode is written the Royal Mail way, "DT1 1HF": the outward code
 * (an area of one or two letters and a district: A9, A99, AA9, AA99, A9A
 * or AA9A), one space, and the inward code (a digit and two letters).  The
 * letters each position may hold follow the published rules (no Q, V or X
 * first; no I, J or Z second; only some letters after a district's digit;
 * never C, I, K, M, O or V in the inward code), so a mistyped O for a 0 is
 * caught here rather than silently finding nothing.  GIR 0AA, the one
 * historic exception, is accepted.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dayhub.h"

#define nitems(a)		(sizeof (a) / sizeof (a)[0])

#define POSTCODE_EARTH_KM	6371.0088	/* mean radius (IUGG) */
#define POSTCODE_MAX_FIELDS	128		/* columns of a line */
#define POSTCODE_MAX_NUMBER	24		/* bytes of a coordinate */
#define POSTCODE_NO_LOCATION	99.999999	/* ONSPD: no location */
#define POSTCODE_PI		3.14159265358979323846

enum postcode_layout {
	LAYOUT_ONSPD,		/* the ONS Postcode Directory */
	LAYOUT_PLAIN		/* postcode,lat,lon */
};

/* Where the columns a reader needs are, once the header is read. */
struct postcode_columns {
	enum postcode_layout	 layout;
	int			 postcode;
	int			 lat;
	int			 lon;
	int			 doterm;	/* -1: the file has none */
	int			 need;		/* fields a row needs */
};

static int	postcode_squeeze(const char *, char *, size_t);
static int	postcode_outward_valid(const char *, size_t);
static int	postcode_inward_valid(const char *);
static int	postcode_decimal(const char *, double *);
static int	postcode_split(char *, char **, int);
static int	postcode_header(char **, int, struct postcode_columns *);
static int	postcode_column(char **, int, const char *const *);
static int	postcode_row(char **, int, const struct postcode_columns *,
		    unsigned long, postcode_row_cb, void *,
		    struct postcode_counts *);
static void	postcode_bad(struct postcode_counts *, unsigned long,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
static int	postcode_readline(FILE *, char *, size_t, size_t *, int *);
static double	postcode_rad(double);
static double	postcode_deg(double);

/*
 * Copies the letters and digits of `s` upper-cased into `out`, dropping
 * blanks wherever they are.  Returns how many were copied, or -1 for any
 * other character or more than outlen - 1 of them.
 */
static int
postcode_squeeze(const char *s, char *out, size_t outlen)
{
	size_t	n = 0;

	if (s == NULL)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t')
			continue;
		if ((unsigned char)*s >= 0x80 || !isalnum((unsigned char)*s) ||
		    n + 1 >= outlen)
			return -1;
		out[n++] = (char)toupper((unsigned char)*s);
	}
	out[n] = '\0';
	return (int)n;
}

/* Whether the `n` upper-case bytes at `s` are an outward code. */
static int
postcode_outward_valid(const char *s, size_t n)
{
	static const char first_no[] = "QVX";
	static const char second_no[] = "IJZ";
	static const char third_a9a[] = "ABCDEFGHJKPSTUW";
	static const char fourth_aa9a[] = "ABEHMNPRVWXY";
	char	c[5];
	size_t	i;

	if (n < 2 || n > 4)
		return 0;
	memcpy(c, s, n);
	c[n] = '\0';
	if (n == 3 && strcmp(c, "GIR") == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (!isupper((unsigned char)c[i]) &&
		    !isdigit((unsigned char)c[i]))
			return 0;
	if (!isupper((unsigned char)c[0]) || strchr(first_no, c[0]) != NULL)
		return 0;
	if (isdigit((unsigned char)c[1])) {
		/* A9, A99, A9A */
		if (n == 2)
			return 1;
		if (n == 3 && isdigit((unsigned char)c[2]))
			return 1;
		if (n == 3 && strchr(third_a9a, c[2]) != NULL)
			return 1;
		return 0;
	}
	/* AA9, AA99, AA9A */
	if (strchr(second_no, c[1]) != NULL || n < 3 ||
	    !isdigit((unsigned char)c[2]))
		return 0;
	if (n == 3)
		return 1;
	if (isdigit((unsigned char)c[3]))
		return 1;
	return strchr(fourth_aa9a, c[3]) != NULL;
}

/* Whether the three upper-case bytes at `s` are an inward code. */
static int
postcode_inward_valid(const char *s)
{
	static const char letters_no[] = "CIKMOV";

	return isdigit((unsigned char)s[0]) &&
	    isupper((unsigned char)s[1]) && strchr(letters_no, s[1]) == NULL &&
	    isupper((unsigned char)s[2]) && strchr(letters_no, s[2]) == NULL;
}

/*
 * Writes the UK postcode `in` in its standard form ("dt11hf", " DT1 1hf"
 * and "DT11HF" are all "DT1 1HF") into `out`.
 *
 * Contract: `in` is any NUL-terminated text from outside (a request, a
 * feed, a file).  Blanks anywhere and letter case are ignored; anything
 * else must be a complete postcode of the shape described at the top of
 * this file.  Returns 0 with `out` holding at most POSTCODE_LEN bytes with
 * its NUL, or -1 (out is then "" when outlen allows) for anything else,
 * an outward code alone included, or when outlen is below POSTCODE_LEN.
 */
int
postcode_normalise(const char *in, char *out, size_t outlen)
{
	char	c[POSTCODE_LEN];
	int	n;

	if (outlen > 0)
		out[0] = '\0';
	if (outlen < POSTCODE_LEN)
		return -1;
	if ((n = postcode_squeeze(in, c, sizeof c)) < 5 || n > 7)
		return -1;
	if (!postcode_outward_valid(c, (size_t)n - 3) ||
	    !postcode_inward_valid(c + n - 3))
		return -1;
	if (strcmp(c, "GIR0AA") != 0 && strncmp(c, "GIR", 3) == 0)
		return -1;
	snprintf(out, outlen, "%.*s %s", n - 3, c, c + n - 3);
	return 0;
}

/*
 * Writes the outward code of `in` ("DT1" for "dt1 1hf") into `out`.
 *
 * Contract: `in` is text from outside: a whole postcode in any form
 * postcode_normalise() takes, or an outward code alone ("dt1", "DT 11").
 * Returns 0 with at most 5 bytes with the NUL in `out`, or -1 when `in` is
 * neither or outlen is below 5.
 */
int
postcode_outcode(const char *in, char *out, size_t outlen)
{
	char	pc[POSTCODE_LEN];
	int	n;

	if (outlen > 0)
		out[0] = '\0';
	if (outlen < 5)
		return -1;
	if (postcode_normalise(in, pc, sizeof pc) == 0) {
		*strchr(pc, ' ') = '\0';
		snprintf(out, outlen, "%s", pc);
		return 0;
	}
	if ((n = postcode_squeeze(in, pc, sizeof pc)) < 2 || n > 4 ||
	    !postcode_outward_valid(pc, (size_t)n))
		return -1;
	snprintf(out, outlen, "%s", pc);
	return 0;
}

/*
 * Whether the text `s` (from outside; blanks and case free) is an outward
 * code alone, such as "DT1" or "sp8": 1 or 0.
 */
int
postcode_is_outcode(const char *s)
{
	char	c[POSTCODE_LEN];
	int	n;

	if ((n = postcode_squeeze(s, c, sizeof c)) < 2 || n > 4)
		return 0;
	return postcode_outward_valid(c, (size_t)n);
}

/*
 * Reads a decimal number: blanks around it, an optional sign, digits, an
 * optional point and more digits, at least one digit, no exponent, at most
 * POSTCODE_MAX_NUMBER bytes.  Done by hand so the locale cannot change
 * what a point means.  Returns 0, or -1.
 */
static int
postcode_decimal(const char *s, double *out)
{
	double	v = 0, scale = 1;
	int	sign = 1, digits = 0, point = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (strlen(s) > POSTCODE_MAX_NUMBER)
		return -1;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (; *s != '\0'; s++) {
		if (*s == '.' && !point) {
			point = 1;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			break;
		if (point) {
			scale /= 10;
			v += (*s - '0') * scale;
		} else
			v = v * 10 + (*s - '0');
		digits++;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0' || digits == 0)
		return -1;
	*out = sign * v;
	return 0;
}

/*
 * Reads a point written "lat,lon" in decimal degrees ("50.7145,-2.4370";
 * blanks around either number are allowed).
 *
 * Contract: `s` is text from outside.  Returns 0 with both stored, -1 when
 * it is not two decimal numbers separated by one comma, or -2 when they
 * are, but the latitude is outside -90..90 or the longitude outside
 * -180..180 (nothing is stored then).
 */
int
postcode_point_parse(const char *s, double *lat, double *lon)
{
	char		 buf[2 * POSTCODE_MAX_NUMBER + 8];
	const char	*comma;
	double		 a, b;
	size_t		 n;

	if (s == NULL || (comma = strchr(s, ',')) == NULL ||
	    strchr(comma + 1, ',') != NULL)
		return -1;
	if ((n = (size_t)(comma - s)) >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (postcode_decimal(buf, &a) == -1 ||
	    postcode_decimal(comma + 1, &b) == -1)
		return -1;
	if (a < -90 || a > 90 || b < -180 || b > 180)
		return -2;
	*lat = a;
	*lon = b;
	return 0;
}

/*
 * Splits one CSV line in place into at most `max` fields.  A field is
 * either unquoted (its blanks around are trimmed) or wholly in double
 * quotes, where "" stands for one quote and a comma is just a comma.
 * Returns the number of fields, or -1 for an unclosed quote, text after a
 * closing quote, or more than `max` fields.
 */
static int
postcode_split(char *line, char **fields, int max)
{
	char	*p = line, *w, *end, delim;
	int	 n = 0;

	for (;;) {
		if (n == max)
			return -1;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			w = fields[n++] = ++p;
			for (;;) {
				if (*p == '\0')
					return -1;
				if (*p == '"') {
					if (p[1] != '"')
						break;
					p++;
				}
				*w++ = *p++;
			}
			p++;		/* the closing quote */
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ',' && *p != '\0')
				return -1;
			delim = *p;
			*w = '\0';
		} else {
			fields[n++] = p;
			while (*p != ',' && *p != '\0')
				p++;
			delim = *p;
			end = p;
			while (end > fields[n - 1] &&
			    (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			*end = '\0';
		}
		if (delim == '\0')
			return n;
		p++;			/* past the comma */
	}
}

/* The index of the first field named any of `names`, or -1. */
static int
postcode_column(char **fields, int n, const char *const *names)
{
	int	i, j;

	for (j = 0; names[j] != NULL; j++)
		for (i = 0; i < n; i++)
			if (strcasecmp(fields[i], names[j]) == 0)
				return i;
	return -1;
}

/*
 * Recognises a header line and finds its columns.  The ONS Postcode
 * Directory names its columns pcds (or pcd2, pcd), lat, long and doterm;
 * a plain file names postcode, lat and lon (or latitude, lng, long,
 * longitude).  Returns 0, or -1 when `fields` is no header of either.
 */
static int
postcode_header(char **fields, int n, struct postcode_columns *col)
{
	static const char *const ons_pc[] = { "pcds", "pcd2", "pcd", NULL };
	static const char *const ons_lat[] = { "lat", NULL };
	static const char *const ons_lon[] = { "long", NULL };
	static const char *const ons_term[] = { "doterm", NULL };
	static const char *const plain_pc[] = { "postcode", "pcds", "pcd",
	    "post_code", NULL };
	static const char *const plain_lat[] = { "lat", "latitude", NULL };
	static const char *const plain_lon[] = { "lon", "lng", "long",
	    "longitude", NULL };

	memset(col, 0, sizeof *col);
	col->postcode = postcode_column(fields, n, ons_pc);
	col->lat = postcode_column(fields, n, ons_lat);
	col->lon = postcode_column(fields, n, ons_lon);
	col->doterm = postcode_column(fields, n, ons_term);
	if (col->postcode != -1 && col->lat != -1 && col->lon != -1 &&
	    col->doterm != -1)
		col->layout = LAYOUT_ONSPD;
	else {
		col->layout = LAYOUT_PLAIN;
		col->doterm = -1;
		col->postcode = postcode_column(fields, n, plain_pc);
		col->lat = postcode_column(fields, n, plain_lat);
		col->lon = postcode_column(fields, n, plain_lon);
		if (col->postcode == -1 || col->lat == -1 || col->lon == -1)
			return -1;
	}
	col->need = col->postcode;
	if (col->lat > col->need)
		col->need = col->lat;
	if (col->lon > col->need)
		col->need = col->lon;
	if (col->doterm > col->need)
		col->need = col->doterm;
	col->need++;
	return 0;
}

/* Counts a bad line, keeping the first one's number and reason. */
static void
postcode_bad(struct postcode_counts *c, unsigned long line, const char *fmt,
    ...)
{
	va_list	ap;

	c->bad++;
	if (c->first_bad_line != 0)
		return;
	c->first_bad_line = line;
	va_start(ap, fmt);
	vsnprintf(c->first_bad, sizeof c->first_bad, fmt, ap);
	va_end(ap);
}

/*
 * Handles one data line already split into fields.  Returns 0 to go on,
 * or -1 when the callback asked to stop.
 */
static int
postcode_row(char **f, int n, const struct postcode_columns *col,
    unsigned long line, postcode_row_cb cb, void *arg,
    struct postcode_counts *c)
{
	struct postcode_row	 row;
	char			 pc[POSTCODE_LEN], shown[21];
	const char		*lat, *lon;
	size_t			 i;
	unsigned char		 ch;

	c->rows++;
	if (n < col->need) {
		postcode_bad(c, line, "%d fields, expected at least %d", n,
		    col->need);
		return 0;
	}
	if (col->doterm != -1 && f[col->doterm][0] != '\0') {
		c->skipped_terminated++;
		return 0;
	}
	lat = f[col->lat];
	lon = f[col->lon];
	if (postcode_decimal(lat, &row.lat) == 0 &&
	    fabs(row.lat - POSTCODE_NO_LOCATION) < 1e-9) {
		c->skipped_no_location++;
		return 0;
	}
	if (col->layout == LAYOUT_ONSPD && lat[0] == '\0' && lon[0] == '\0') {
		c->skipped_no_location++;
		return 0;
	}
	if (postcode_normalise(f[col->postcode], pc, sizeof pc) == -1) {
		/* Quoted as plain ASCII, so the reason can go anywhere. */
		for (i = 0; i < sizeof shown - 1 && f[col->postcode][i] != '\0';
		    i++) {
			ch = (unsigned char)f[col->postcode][i];
			shown[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
		}
		shown[i] = '\0';
		postcode_bad(c, line, "\"%s\" is not a UK postcode", shown);
		return 0;
	}
	if (postcode_decimal(lat, &row.lat) == -1 ||
	    postcode_decimal(lon, &row.lon) == -1) {
		postcode_bad(c, line, "%s: the latitude and longitude must be "
		    "decimal numbers", pc);
		return 0;
	}
	if (row.lat < -90 || row.lat > 90 || row.lon < -180 ||
	    row.lon > 180) {
		postcode_bad(c, line, "%s: the latitude must be -90 to 90 and "
		    "the longitude -180 to 180", pc);
		return 0;
	}
	row.postcode = pc;
	row.line = line;
	if (cb(&row, arg) != 0)
		return -1;
	c->imported++;
	return 0;
}

/*
 * Reads one line into `buf` (of max + 2 bytes) without its "\n" or
 * "\r\n".  Returns 1 with the line, 0 at the end of the file, or -1 on a
 * read error.  `*bad` is set when the line had more than `max` bytes, or
 * a NUL; its bytes are then consumed up to the end of line all the same
 * and `buf` holds only its start.
 */
static int
postcode_readline(FILE *f, char *buf, size_t max, size_t *len, int *bad)
{
	size_t	n = 0, kept;
	int	ch, any = 0;

	*bad = 0;
	while ((ch = getc_unlocked(f)) != EOF) {
		any = 1;
		if (ch == '\n')
			break;
		if (ch == '\0')
			*bad = 1;
		if (n <= max)		/* and one more, for a CR */
			buf[n] = (char)ch;
		n++;
	}
	if (ch == EOF && ferror(f))
		return -1;
	if (!any)
		return 0;
	kept = n <= max + 1 ? n : max + 1;
	if (n == kept && n > 0 && buf[n - 1] == '\r')
		n = --kept;
	if (n > max) {
		*bad = 1;
		kept = max;
	}
	buf[kept] = '\0';
	*len = kept;
	return 1;
}

/*
 * Streams a postcode file, handing each usable row to `cb`.
 *
 * Contract: `f` is a file from outside, read to its end.  Two layouts are
 * told apart by the first line: the ONS Postcode Directory, whose header
 * names pcds (or pcd2, pcd), lat, long and doterm among its other columns,
 * and a plain file whose header names postcode, lat and lon in any order
 * (latitude/longitude/lng also do), or which has no header and starts
 * with a row "postcode,lat,lon".  A UTF-8 byte order mark is skipped.
 * Fields may be double-quoted ("" for a quote; no line breaks inside).
 * A line may be at most POSTCODE_MAX_LINE bytes before its end of line;
 * a longer one, or one with a NUL, is counted bad and skipped.  Blank
 * lines are ignored.  Every other line after the header is a row:
 * terminated (doterm set) and located nowhere (latitude 99.999999, or
 * both coordinates empty in the ONSPD) rows are counted and skipped; rows
 * with a malformed postcode, too few fields, or coordinates that are not
 * decimal or out of range are counted bad, the first one kept in
 * counts->first_bad_line and first_bad.  Each good row goes to `cb`
 * with its postcode normalised; the row's strings are valid only during
 * the call.  `cb` returns 0 to go on, anything else to stop.
 *
 * Returns 0 when the whole file was read, however many rows were bad, or
 * -1 with `err` saying why: a read error, a first line that is neither
 * kind of header nor a row, or the callback stopping.  `counts` is
 * filled in either case, and rows == imported + skipped_terminated +
 * skipped_no_location + bad.
 */
int
postcode_read_csv(FILE *f, postcode_row_cb cb, void *arg,
    struct postcode_counts *c, char *err, size_t errlen)
{
	struct postcode_columns	 col;
	char			 line[POSTCODE_MAX_LINE + 2];
	char			 pc[POSTCODE_LEN];
	char			*fields[POSTCODE_MAX_FIELDS], *p;
	unsigned long		 lineno = 0;
	size_t			 len;
	int			 rc, toolong, n, header = 1, ret = -1;

	memset(c, 0, sizeof *c);
	if (errlen > 0)
		err[0] = '\0';
	flockfile(f);
	for (;;) {
		rc = postcode_readline(f, line, POSTCODE_MAX_LINE, &len,
		    &toolong);
		if (rc == -1) {
			snprintf(err, errlen, "line %lu: read error",
			    lineno + 1);
			goto out;
		}
		if (rc == 0)
			break;
		lineno++;
		p = line;
		if (lineno == 1 && len >= 3 &&
		    memcmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3;
		if (toolong) {
			if (header) {
				snprintf(err, errlen, "line %lu is longer than "
				    "%d bytes or holds a NUL, so the file's "
				    "layout cannot be told", lineno,
				    POSTCODE_MAX_LINE);
				goto out;
			}
			c->rows++;
			postcode_bad(c, lineno, "longer than %d bytes, or "
			    "holds a NUL", POSTCODE_MAX_LINE);
			continue;
		}
		if (p[strspn(p, " \t")] == '\0')
			continue;
		n = postcode_split(p, fields, (int)nitems(fields));
		if (header) {
			header = 0;
			if (n > 0 && postcode_header(fields, n, &col) == 0) {
				c->layout = col.layout == LAYOUT_ONSPD ?
				    "onspd" : "plain";
				continue;
			}
			if (n >= 3 && postcode_normalise(fields[0], pc,
			    sizeof pc) == 0) {
				/* No header: this is the first row. */
				memset(&col, 0, sizeof col);
				col.layout = LAYOUT_PLAIN;
				col.postcode = 0;
				col.lat = 1;
				col.lon = 2;
				col.doterm = -1;
				col.need = 3;
				c->layout = "plain";
			} else {
				snprintf(err, errlen, "line %lu is neither a "
				    "header naming postcode, lat and lon (or "
				    "the ONS Postcode Directory's pcds, lat, "
				    "long and doterm) nor a row "
				    "\"postcode,lat,lon\"", lineno);
				goto out;
			}
		}
		if (n == -1) {
			c->rows++;
			postcode_bad(c, lineno, "bad quoting, or more than %d "
			    "fields", POSTCODE_MAX_FIELDS);
			continue;
		}
		if (postcode_row(fields, n, &col, lineno, cb, arg, c) == -1) {
			snprintf(err, errlen, "line %lu: stopped by the caller",
			    lineno);
			goto out;
		}
	}
	if (header) {
		snprintf(err, errlen, "the file is empty");
		goto out;
	}
	ret = 0;
out:
	funlockfile(f);
	return ret;
}

static double
postcode_rad(double deg)
{
	return deg * POSTCODE_PI / 180;
}

static double
postcode_deg(double rad)
{
	return rad * 180 / POSTCODE_PI;
}

/*
 * The great-circle distance in kilometres between two points given in
 * decimal degrees, by the haversine formula on a sphere of the Earth's
 * mean radius (within 0.5% of the ellipsoid anywhere).
 */
double
postcode_distance_km(double lat1, double lon1, double lat2, double lon2)
{
	double	dlat = postcode_rad(lat2 - lat1);
	double	dlon = postcode_rad(lon2 - lon1);
	double	a;

	a = sin(dlat / 2) * sin(dlat / 2) + cos(postcode_rad(lat1)) *
	    cos(postcode_rad(lat2)) * sin(dlon / 2) * sin(dlon / 2);
	if (a > 1)
		a = 1;
	return 2 * POSTCODE_EARTH_KM * asin(sqrt(a));
}

/*
 * The smallest latitude/longitude box holding every point within `km` of
 * (lat, lon), for an R*Tree prefilter before the exact distance.  When the
 * circle reaches a pole or crosses the 180th meridian the box takes every
 * longitude, which still holds the circle.  A negative km counts as 0.
 */
void
postcode_bbox(double lat, double lon, double km, double *minlat,
    double *maxlat, double *minlon, double *maxlon)
{
	double	d, dlon, s;

	if (km < 0)
		km = 0;
	d = km / POSTCODE_EARTH_KM;		/* angular radius */
	*minlat = lat - postcode_deg(d);
	*maxlat = lat + postcode_deg(d);
	*minlon = -180;
	*maxlon = 180;
	if (*minlat <= -90 || *maxlat >= 90 || d >= POSTCODE_PI / 2) {
		if (*minlat < -90)
			*minlat = -90;
		if (*maxlat > 90)
			*maxlat = 90;
		return;
	}
	/* Where the meridians touch the circle (Chamberlain's formula). */
	s = sin(d) / cos(postcode_rad(lat));
	if (s >= 1)
		return;
	dlon = postcode_deg(asin(s));
	if (lon - dlon < -180 || lon + dlon > 180)
		return;
	*minlon = lon - dlon;
	*maxlon = lon + dlon;
}
