/*
 * test_util.c - the strict parsers and checks in util.c, as tables of
 * inputs with the answer each must give, refusals included.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dayhub.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

struct uint_case {
	const char		*in;
	unsigned long long	 max;
	int			 ret;
	unsigned long long	 want;
};

static const struct uint_case uint_cases[] = {
	{ "0", 10, 0, 0 },
	{ "7", 10, 0, 7 },
	{ "10", 10, 0, 10 },			/* the maximum itself */
	{ "11", 10, -1, 0 },			/* one past it */
	{ "007", 10, 0, 7 },			/* leading zeros are digits */
	{ "65535", 65535, 0, 65535 },
	{ "65536", 65535, -1, 0 },
	{ "18446744073709551615", ULLONG_MAX, 0, ULLONG_MAX },
	{ "18446744073709551616", ULLONG_MAX, -1, 0 },	/* overflow */
	{ "99999999999999999999999", ULLONG_MAX, -1, 0 },
	{ "", 10, -1, 0 },			/* empty */
	{ "+1", 10, -1, 0 },			/* sign */
	{ "-1", 10, -1, 0 },
	{ "-0", 10, -1, 0 },
	{ " 1", 10, -1, 0 },			/* blanks */
	{ "1 ", 10, -1, 0 },
	{ "1x", 10, -1, 0 },			/* trailing junk */
	{ "x1", 10, -1, 0 },
	{ "0x10", 100, -1, 0 },			/* no other bases */
	{ "1.5", 10, -1, 0 },
	{ "1e3", 10000, -1, 0 },
};

Test(util, parse_uint_table)
{
	unsigned long long	v;
	size_t			i;
	int			ret;

	for (i = 0; i < nitems(uint_cases); i++) {
		const struct uint_case *c = &uint_cases[i];

		v = 12345;
		ret = parse_uint(c->in, c->max, &v);
		cr_expect_eq(ret, c->ret, "parse_uint(\"%s\", %llu) = %d, "
		    "want %d", c->in, c->max, ret, c->ret);
		if (c->ret == 0)
			cr_expect_eq(v, c->want, "parse_uint(\"%s\") gave %llu, "
			    "want %llu", c->in, v, c->want);
		else
			cr_expect_eq(v, 12345, "parse_uint(\"%s\") touched its "
			    "output on failure", c->in);
	}
	cr_expect_eq(parse_uint(NULL, 10, &v), -1, "NULL is refused");
}

struct duration_case {
	const char		*in;
	int			 ret;
	unsigned long long	 want;
};

static const struct duration_case duration_cases[] = {
	{ "0", 0, 0 },
	{ "90", 0, 90 },			/* no unit: seconds */
	{ "90s", 0, 90 },
	{ "30m", 0, 1800 },
	{ "6h", 0, 21600 },
	{ "1d", 0, 86400 },
	{ "366d", 0, 366ULL * 86400 },		/* a year is the most */
	{ "367d", -1, 0 },
	{ "8784h", 0, 366ULL * 86400 },
	{ "8785h", -1, 0 },
	{ "31622400", 0, 31622400 },
	{ "31622401", -1, 0 },
	{ "", -1, 0 },
	{ "s", -1, 0 },				/* a unit without a number */
	{ "30x", -1, 0 },			/* unknown unit */
	{ "30S", -1, 0 },			/* units are lower case */
	{ "30 m", -1, 0 },
	{ "-5m", -1, 0 },
	{ "+5m", -1, 0 },
	{ "1.5h", -1, 0 },
	{ "5mm", -1, 0 },
	{ "1h30m", -1, 0 },			/* one unit only */
	{ "99999999999999999999999999999999d", -1, 0 },	/* too long */
};

Test(util, parse_duration_table)
{
	unsigned long long	v;
	size_t			i;
	int			ret;

	for (i = 0; i < nitems(duration_cases); i++) {
		const struct duration_case *c = &duration_cases[i];

		v = 0;
		ret = parse_duration(c->in, &v);
		cr_expect_eq(ret, c->ret, "parse_duration(\"%s\") = %d, want %d",
		    c->in, ret, c->ret);
		if (c->ret == 0)
			cr_expect_eq(v, c->want, "parse_duration(\"%s\") gave "
			    "%llu, want %llu", c->in, v, c->want);
	}
	cr_expect_eq(parse_duration(NULL, &v), -1, "NULL is refused");
}

struct bool_case {
	const char	*in;
	int		 ret;
	int		 want;
};

static const struct bool_case bool_cases[] = {
	{ "yes", 0, 1 }, { "no", 0, 0 },
	{ "true", 0, 1 }, { "false", 0, 0 },
	{ "on", 0, 1 }, { "off", 0, 0 },
	{ "1", 0, 1 }, { "0", 0, 0 },
	{ "YES", 0, 1 }, { "No", 0, 0 },	/* any case */
	{ "", -1, 0 },
	{ "y", -1, 0 },
	{ "2", -1, 0 },
	{ "yes ", -1, 0 },
	{ "maybe", -1, 0 },
};

Test(util, parse_bool_table)
{
	size_t	i;
	int	v, ret;

	for (i = 0; i < nitems(bool_cases); i++) {
		const struct bool_case *c = &bool_cases[i];

		v = -7;
		ret = parse_bool(c->in, &v);
		cr_expect_eq(ret, c->ret, "parse_bool(\"%s\") = %d, want %d",
		    c->in, ret, c->ret);
		if (c->ret == 0)
			cr_expect_eq(v, c->want, "parse_bool(\"%s\") gave %d",
			    c->in, v);
		else
			cr_expect_eq(v, -7, "parse_bool(\"%s\") touched its "
			    "output on failure", c->in);
	}
	cr_expect_eq(parse_bool(NULL, &v), -1, "NULL is refused");
}

struct id_case {
	const char	*in;
	int		 valid;
};

static const struct id_case id_cases[] = {
	{ "north", 1 },
	{ "north-dorset", 1 },
	{ "arts_club", 1 },
	{ "4cats", 1 },				/* may start with a digit */
	{ "a", 1 },
	{ "", 0 },
	{ "North", 0 },				/* upper case */
	{ "-north", 0 },			/* starts with '-' */
	{ "_north", 0 },
	{ "north dorset", 0 },
	{ "north.dorset", 0 },
	{ "north/dorset", 0 },
	{ "nörth", 0 },				/* ASCII only */
	{ "a:b", 0 },				/* ':' joins record ids */
};

Test(util, id_valid_table)
{
	char	max[CONFIG_MAX_ID + 2];
	size_t	i;

	for (i = 0; i < nitems(id_cases); i++)
		cr_expect_eq(id_valid(id_cases[i].in), id_cases[i].valid,
		    "id_valid(\"%s\") should be %d", id_cases[i].in,
		    id_cases[i].valid);
	cr_expect_eq(id_valid(NULL), 0, "NULL is not an id");

	/* The length limit, at and one past it. */
	memset(max, 'a', CONFIG_MAX_ID);
	max[CONFIG_MAX_ID] = '\0';
	cr_expect_eq(id_valid(max), 1, "an id of %d bytes is valid",
	    CONFIG_MAX_ID);
	max[CONFIG_MAX_ID] = 'a';
	max[CONFIG_MAX_ID + 1] = '\0';
	cr_expect_eq(id_valid(max), 0, "an id of %d bytes is too long",
	    CONFIG_MAX_ID + 1);
}

struct utf8_case {
	const char	*name;
	const char	*bytes;
	size_t		 len;
	int		 valid;
};

#define U8(name, s, valid)	{ name, s, sizeof(s) - 1, valid }

static const struct utf8_case utf8_cases[] = {
	U8("empty", "", 1),
	U8("ASCII", "hello, world", 1),
	U8("two-byte", "caf\xc3\xa9", 1),
	U8("three-byte", "\xe2\x82\xac", 1),		/* U+20AC */
	U8("four-byte", "\xf0\x9f\x98\x80", 1),		/* U+1F600 */
	U8("lowest two-byte", "\xc2\x80", 1),		/* U+0080 */
	U8("highest BMP", "\xef\xbf\xbf", 1),		/* U+FFFF */
	U8("U+10FFFF", "\xf4\x8f\xbf\xbf", 1),
	U8("before surrogates", "\xed\x9f\xbf", 1),	/* U+D7FF */
	U8("after surrogates", "\xee\x80\x80", 1),	/* U+E000 */
	U8("overlong slash", "\xc0\xaf", 0),
	U8("overlong NUL", "\xc0\x80", 0),
	U8("overlong two-byte", "\xc1\xbf", 0),
	U8("overlong three-byte", "\xe0\x9f\xbf", 0),
	U8("overlong four-byte", "\xf0\x8f\xbf\xbf", 0),
	U8("high surrogate", "\xed\xa0\x80", 0),	/* U+D800 */
	U8("low surrogate", "\xed\xbf\xbf", 0),		/* U+DFFF */
	U8("above U+10FFFF", "\xf4\x90\x80\x80", 0),	/* U+110000 */
	U8("five-byte lead", "\xf8\x88\x80\x80\x80", 0),
	U8("lead 0xff", "\xff", 0),
	U8("lone continuation", "\x80", 0),
	U8("truncated two-byte", "\xc3", 0),
	U8("truncated three-byte", "\xe2\x82", 0),
	U8("truncated four-byte", "\xf0\x9f\x98", 0),
	U8("truncated then ASCII", "\xe2\x82x", 0),
	U8("bad continuation", "\xc3\x28", 0),
	U8("NUL", "a\0b", 0),
};

Test(util, utf8_valid_table)
{
	size_t	i;

	for (i = 0; i < nitems(utf8_cases); i++)
		cr_expect_eq(utf8_valid(utf8_cases[i].bytes, utf8_cases[i].len),
		    utf8_cases[i].valid, "utf8_valid: %s should be %s",
		    utf8_cases[i].name,
		    utf8_cases[i].valid ? "valid" : "refused");
}

Test(util, utf8_valid_counts_only_len)
{
	/* The bytes past `len` are not looked at: a cut sequence is not. */
	cr_expect_eq(utf8_valid("caf\xc3\xa9", 3), 1);
	cr_expect_eq(utf8_valid("caf\xc3\xa9", 4), 0);
}

Test(util, format_rfc3339)
{
	char	buf[32];

	cr_expect_str_eq(format_rfc3339(0, buf, sizeof buf),
	    "1970-01-01T00:00:00Z");
	cr_expect_str_eq(format_rfc3339(1795426200, buf, sizeof buf),
	    "2026-11-23T09:30:00Z");
}
