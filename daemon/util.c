/*
 * util.c - strict parsing of numbers, durations and flags from outside,
 * and small helpers for identifiers, UTF-8 and times.
 *
 * Every number that comes from a config file, a request or a feed passes
 * through parse_uint(): empty input, a sign, trailing junk and overflow are
 * all refused, so no caller has to remember strtoull's corner cases.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dayhub.h"

/*
 * Parses a decimal number of digits only, at most `max`.  Returns 0 and
 * stores it in `*out`, or -1 for anything else (out is then untouched).
 */
int
parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long	 v = 0;
	const char		*p;

	if (s == NULL || *s == '\0')
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v > (max - (unsigned)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	*out = v;
	return 0;
}

/*
 * Parses a duration: a whole number with an optional unit, s, m, h or d
 * ("90", "90s", "30m", "6h", "1d").  No unit means seconds.  The result is
 * at most a year.  Returns 0, or -1 when it is not a duration.
 */
int
parse_duration(const char *s, unsigned long long *seconds)
{
	static const struct {
		char			unit;
		unsigned long long	scale;
	} units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	const unsigned long long year = 366ULL * 86400;
	unsigned long long	 v, scale = 1;
	char			 num[32];
	size_t			 len, i;

	if (s == NULL || (len = strlen(s)) == 0 || len >= sizeof num)
		return -1;
	memcpy(num, s, len + 1);
	if (!isdigit((unsigned char)num[len - 1])) {
		for (i = 0; i < sizeof units / sizeof units[0]; i++)
			if (num[len - 1] == units[i].unit)
				break;
		if (i == sizeof units / sizeof units[0])
			return -1;
		scale = units[i].scale;
		num[len - 1] = '\0';
	}
	if (parse_uint(num, year, &v) == -1 || v > year / scale)
		return -1;
	*seconds = v * scale;
	return 0;
}

/* Parses yes/no, true/false, on/off, 1/0.  Returns 0, or -1. */
int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t	i;

	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/*
 * Hub and spoke ids appear in record ids, URLs and protocol arguments, so
 * they are kept to lower-case letters, digits, '-' and '_', starting with
 * a letter or digit, at most CONFIG_MAX_ID bytes.  Returns 1 if valid.
 */
int
id_valid(const char *s)
{
	size_t	i;

	if (s == NULL || *s == '\0' || strlen(s) > CONFIG_MAX_ID)
		return 0;
	if (!islower((unsigned char)s[0]) && !isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	}
	return 1;
}

/*
 * Returns 1 when `s` is well-formed UTF-8 of `len` bytes with no NUL and
 * no overlong forms or surrogates, 0 otherwise.
 */
int
utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*end = p + len;
	unsigned int		 cp;
	int			 n;

	while (p < end) {
		if (*p == 0)
			return 0;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		if (end - p <= n)
			return 0;
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/* Writes `t` as an RFC 3339 UTC time, "2026-11-23T09:30:00Z". */
char *
format_rfc3339(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

time_t
now_utc(void)
{
	return time(NULL);
}
