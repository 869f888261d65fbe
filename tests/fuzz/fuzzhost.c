/*
 * fuzzhost.c - a libFuzzer entry point and a strict host for one format
 * module, linked statically with that module's sources.
 *
 * The module under test is whichever one was linked in: its exported
 * descriptor `dayhub_plugin` is called directly, without dlopen, so the
 * sanitizers see the module's code and libFuzzer's coverage reaches it.
 * FUZZ_MODULE names the module expected, so a target built from the wrong
 * sources refuses to run.
 *
 * The host keeps nothing of what the module emits; it judges the calling
 * rules of include/dayhub/plugin.h and aborts on the first slip, so that
 * libFuzzer saves the input as a crash:
 *   - begin() inside a record, set() or end() outside one;
 *   - any begin(), set(), end() or feed() after DAYHUB_STOP was answered;
 *   - a field name that is NULL, empty, long or not [a-z0-9._-];
 *   - a value (of set() or feed()) that is NULL, not UTF-8, or holds a NUL;
 *   - parse() returning anything but DAYHUB_OK or DAYHUB_ERROR, returning
 *     DAYHUB_ERROR without error(), or DAYHUB_OK with error() called or a
 *     record left open (unless the host had said DAYHUB_STOP);
 *   - sniff() answering outside DAYHUB_SNIFF_NO..DAYHUB_SNIFF_CERTAIN.
 * Some answers vary with the input so the modules' handling of them is
 * reached too: a small item limit for some lengths, DAYHUB_REJECT for
 * some values and for records ended without a title.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dayhub/plugin.h"

#ifndef FUZZ_MODULE
#error "build with -DFUZZ_MODULE='\"name\"'"
#endif

#define FUZZ_MAX_ITEMS		10000	/* as the daemon's default */
#define FUZZ_MAX_DEPTH		256	/* as the daemon's default */
#define FUZZ_SNIFF_MAX		65536	/* the host sniffs at most this */
#define FUZZ_FIELD_MAX		64	/* longest field name accepted */

extern const struct dayhub_plugin dayhub_plugin;

struct fuzz_sink {
	size_t	max_items;
	size_t	nbegun;
	int	in_record;
	int	titled;
	int	stopped;
	int	errored;
};

int		 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	 fuzz_violation(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static int	 fuzz_utf8(const char *, size_t);
static void	 fuzz_field(const char *, const char *);
static int	 fuzz_begin(void *);
static int	 fuzz_set(void *, const char *, const char *, size_t);
static int	 fuzz_end(void *);
static void	 fuzz_feed(void *, const char *, const char *, size_t);
static void	 fuzz_warn(void *, unsigned long, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 fuzz_error(void *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static const struct dayhub_host fuzz_host = {
	.size = sizeof(struct dayhub_host),
	.abi_minor = DAYHUB_PLUGIN_ABI_MINOR,
	.begin = fuzz_begin,
	.set = fuzz_set,
	.end = fuzz_end,
	.feed = fuzz_feed,
	.warn = fuzz_warn,
	.error = fuzz_error,
};

/* Content types tried on sniff(): none, the right one, a wrong one. */
static const char *const fuzz_types[] = {
	NULL,
	"application/rss+xml",
	"application/atom+xml; charset=utf-8",
	"text/calendar",
	"application/json",
	"text/html; charset=iso-8859-1",
	"text/plain",
};

/* Says which rule the module broke, then aborts for libFuzzer. */
static void
fuzz_violation(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "fuzzhost: module %s broke the host rules: ",
	    FUZZ_MODULE);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Strict UTF-8 without NUL: no overlongs, surrogates or past U+10FFFF. */
static int
fuzz_utf8(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*end = p + len;
	unsigned int		 cp;
	size_t			 n, i;

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
		if ((size_t)(end - p) <= n)
			return 0;
		for (i = 1; i <= n; i++) {
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

/* A field or feed key must be a short lower-case dotted name. */
static void
fuzz_field(const char *call, const char *name)
{
	size_t	i;

	if (name == NULL || *name == '\0')
		fuzz_violation("%s() with no field name", call);
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= FUZZ_FIELD_MAX)
			fuzz_violation("%s() with a field name over %d bytes",
			    call, FUZZ_FIELD_MAX);
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '.' ||
		    name[i] == '_' || name[i] == '-'))
			fuzz_violation("%s() with field name \"%.*s\"", call,
			    FUZZ_FIELD_MAX, name);
	}
}

static int
fuzz_begin(void *arg)
{
	struct fuzz_sink	*s = arg;

	if (s->stopped)
		fuzz_violation("begin() after DAYHUB_STOP");
	if (s->in_record)
		fuzz_violation("begin() inside a record");
	if (s->nbegun >= s->max_items) {
		s->stopped = 1;
		return DAYHUB_STOP;
	}
	s->nbegun++;
	s->in_record = 1;
	s->titled = 0;
	return DAYHUB_OK;
}

static int
fuzz_set(void *arg, const char *field, const char *value, size_t len)
{
	struct fuzz_sink	*s = arg;

	if (s->stopped)
		fuzz_violation("set() after DAYHUB_STOP");
	fuzz_field("set", field);
	if (!s->in_record)
		fuzz_violation("set(%s) outside a record", field);
	if (value == NULL)
		fuzz_violation("set(%s) with a NULL value", field);
	if (!fuzz_utf8(value, len))
		fuzz_violation("set(%s) with %zu bytes that are not UTF-8 or "
		    "hold a NUL", field, len);
	if (strcmp(field, "title") == 0 && len > 0)
		s->titled = 1;
	/* Refuse a value now and then, as the real host does a bad one. */
	if (len > 0 && ((unsigned char)value[0] + len) % 17 == 0)
		return DAYHUB_REJECT;
	return DAYHUB_OK;
}

static int
fuzz_end(void *arg)
{
	struct fuzz_sink	*s = arg;

	if (s->stopped)
		fuzz_violation("end() after DAYHUB_STOP");
	if (!s->in_record)
		fuzz_violation("end() outside a record");
	s->in_record = 0;
	return s->titled ? DAYHUB_OK : DAYHUB_REJECT;
}

static void
fuzz_feed(void *arg, const char *key, const char *value, size_t len)
{
	struct fuzz_sink	*s = arg;

	if (s->stopped)
		fuzz_violation("feed() after DAYHUB_STOP");
	fuzz_field("feed", key);
	if (value == NULL)
		fuzz_violation("feed(%s) with a NULL value", key);
	if (!fuzz_utf8(value, len))
		fuzz_violation("feed(%s) with %zu bytes that are not UTF-8 or "
		    "hold a NUL", key, len);
}

/* Formats the warning, so a bad argument list is caught, and drops it. */
static void
fuzz_warn(void *arg, unsigned long line, const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;

	if (fmt == NULL)
		fuzz_violation("warn() with no format");
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
}

static void
fuzz_error(void *arg, const char *fmt, ...)
{
	struct fuzz_sink	*s = arg;
	char			 buf[1024];
	va_list			 ap;

	if (fmt == NULL)
		fuzz_violation("error() with no format");
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	s->errored = 1;
}

/*
 * libFuzzer's entry: sniffs the bytes under every content type of the
 * table, then parses them once.  The input is any bytes at all, passed
 * as the host would (not NUL-terminated).  Returns 0 always; a broken rule
 * or a sanitizer report ends the process instead.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const struct dayhub_plugin	*p = &dayhub_plugin;
	struct dayhub_input		 in;
	struct fuzz_sink		 s;
	unsigned char			*copy;
	size_t				 i;
	int				 score, rc;

	if (p->magic != DAYHUB_PLUGIN_MAGIC ||
	    p->abi_major != DAYHUB_PLUGIN_ABI_MAJOR ||
	    p->name == NULL || strcmp(p->name, FUZZ_MODULE) != 0 ||
	    p->sniff == NULL || p->parse == NULL) {
		fprintf(stderr, "fuzzhost: the linked descriptor is not a "
		    "usable %s module\n", FUZZ_MODULE);
		abort();
	}

	/* An exact-size copy, so a read past the end is caught by ASan. */
	copy = malloc(len > 0 ? len : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, len);

	for (i = 0; i < sizeof fuzz_types / sizeof fuzz_types[0]; i++) {
		score = p->sniff(copy, len < FUZZ_SNIFF_MAX ? len :
		    FUZZ_SNIFF_MAX, fuzz_types[i]);
		if (score < DAYHUB_SNIFF_NO || score > DAYHUB_SNIFF_CERTAIN)
			fuzz_violation("sniff() answered %d", score);
	}

	memset(&s, 0, sizeof s);
	/* A small limit for some inputs, to reach the STOP paths. */
	s.max_items = len % 5 == 0 ? 1 + len / 5 % 4 : FUZZ_MAX_ITEMS;

	memset(&in, 0, sizeof in);
	in.size = sizeof in;
	in.data = copy;
	in.len = len;
	in.base_url = len % 2 ? "https://spoke.example/feeds/a/" : NULL;
	in.content_type = fuzz_types[len % (sizeof fuzz_types /
	    sizeof fuzz_types[0])];
	in.timezone = "Europe/London";
	in.max_items = s.max_items;
	in.max_depth = FUZZ_MAX_DEPTH;

	rc = p->parse(&in, &fuzz_host, &s);
	if (rc == DAYHUB_ERROR) {
		if (!s.errored)
			fuzz_violation("parse() failed without error()");
	} else if (rc == DAYHUB_OK) {
		if (s.errored)
			fuzz_violation("parse() called error() and then "
			    "returned DAYHUB_OK");
		if (s.in_record && !s.stopped)
			fuzz_violation("parse() returned with a record open");
	} else
		fuzz_violation("parse() returned %d", rc);

	free(copy);
	return 0;
}
