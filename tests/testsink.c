/*
 * testsink.c - a struct dayhub_host for format-module tests: records,
 * feed facts, warnings and the error, kept as JSON for assertions.
 */
#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dayhub.h"
#include "testsink.h"

static int	 testsink_begin(void *);
static int	 testsink_set(void *, const char *, const char *, size_t);
static int	 testsink_end(void *);
static void	 testsink_feed(void *, const char *, const char *, size_t);
static void	 testsink_warn(void *, unsigned long, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 testsink_error(void *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 testsink_violation(struct testsink *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static json_t	*testsink_parent(json_t *, const char *, const char **);

/* The list fields of plugin.h: one value per set(), accumulating. */
static const char *const testsink_lists[] = {
	"categories", "access", "groups", "funding", "activity",
	"schedule.exdates", "schedule.rdates",
};

const struct dayhub_host testsink_host = {
	.size = sizeof(struct dayhub_host),
	.abi_minor = DAYHUB_PLUGIN_ABI_MINOR,
	.begin = testsink_begin,
	.set = testsink_set,
	.end = testsink_end,
	.feed = testsink_feed,
	.warn = testsink_warn,
	.error = testsink_error,
};

void
testsink_init(struct testsink *ts, size_t max_items)
{
	memset(ts, 0, sizeof *ts);
	ts->records = json_array();
	ts->feed = json_object();
	ts->warnings = json_array();
	ts->violations = json_array();
	ts->max_items = max_items;
	if (ts->records == NULL || ts->feed == NULL || ts->warnings == NULL ||
	    ts->violations == NULL)
		fatalx("testsink: out of memory");
}

void
testsink_free(struct testsink *ts)
{
	json_decref(ts->records);
	json_decref(ts->feed);
	json_decref(ts->warnings);
	json_decref(ts->violations);
	json_decref(ts->current);
	json_decref(ts->seen);
	free(ts->error);
	memset(ts, 0, sizeof *ts);
}

int
testsink_is_list(const char *field)
{
	size_t	i;

	for (i = 0; i < sizeof testsink_lists / sizeof testsink_lists[0]; i++)
		if (strcmp(field, testsink_lists[i]) == 0)
			return 1;
	return 0;
}

/* Notes a slip in the calling protocol. */
static void
testsink_violation(struct testsink *ts, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("testsink: out of memory");
	va_end(ap);
	json_array_append_new(ts->violations, json_string(msg));
	free(msg);
}

static int
testsink_begin(void *sink)
{
	struct testsink	*ts = sink;

	if (ts->stopped)
		testsink_violation(ts, "begin() after DAYHUB_STOP");
	if (ts->current != NULL) {
		testsink_violation(ts, "begin() inside a record");
		return DAYHUB_OK;
	}
	if (ts->max_items > 0 &&
	    json_array_size(ts->records) >= ts->max_items) {
		ts->stopped = 1;
		return DAYHUB_STOP;
	}
	ts->current = json_object();
	ts->seen = json_object();
	return DAYHUB_OK;
}

/*
 * The object that holds the last part of a dotted name, made as needed;
 * *last is set to that part.
 */
static json_t *
testsink_parent(json_t *obj, const char *dotted, const char **last)
{
	const char	*dot;
	json_t		*child;
	char		 part[64];
	size_t		 n;

	while ((dot = strchr(dotted, '.')) != NULL) {
		n = (size_t)(dot - dotted);
		if (n >= sizeof part)
			n = sizeof part - 1;
		memcpy(part, dotted, n);
		part[n] = '\0';
		if ((child = json_object_get(obj, part)) == NULL) {
			child = json_object();
			json_object_set_new(obj, part, child);
		}
		obj = child;
		dotted = dot + 1;
	}
	*last = dotted;
	return obj;
}

static int
testsink_set(void *sink, const char *field, const char *value, size_t len)
{
	struct testsink	*ts = sink;
	const char	*last;
	json_t		*parent, *list, *v;

	if (ts->current == NULL) {
		testsink_violation(ts, "set(%s) outside a record",
		    field != NULL ? field : "NULL");
		return DAYHUB_OK;
	}
	if (field == NULL || *field == '\0' || value == NULL) {
		testsink_violation(ts, "set() with no field or value");
		return DAYHUB_OK;
	}
	if (!utf8_valid(value, len)) {
		testsink_violation(ts, "set(%s) with a value that is not "
		    "UTF-8 or holds a NUL", field);
		return DAYHUB_OK;
	}
	v = json_stringn(value, len);
	parent = testsink_parent(ts->current, field, &last);
	if (testsink_is_list(field)) {
		if ((list = json_object_get(parent, last)) == NULL) {
			list = json_array();
			json_object_set_new(parent, last, list);
		}
		json_array_append_new(list, v);
		return DAYHUB_OK;
	}
	if (json_object_get(ts->seen, field) != NULL)
		testsink_violation(ts, "set(%s) twice in one record", field);
	json_object_set_new(ts->seen, field, json_true());
	json_object_set_new(parent, last, v);
	return DAYHUB_OK;
}

static int
testsink_end(void *sink)
{
	struct testsink	*ts = sink;

	if (ts->current == NULL) {
		testsink_violation(ts, "end() outside a record");
		return DAYHUB_OK;
	}
	json_array_append_new(ts->records, ts->current);
	ts->current = NULL;
	json_decref(ts->seen);
	ts->seen = NULL;
	if (ts->max_items > 0 && !ts->begin_only &&
	    json_array_size(ts->records) >= ts->max_items) {
		ts->stopped = 1;
		return DAYHUB_STOP;
	}
	return DAYHUB_OK;
}

static void
testsink_feed(void *sink, const char *key, const char *value, size_t len)
{
	struct testsink	*ts = sink;

	if (key == NULL || value == NULL || !utf8_valid(value, len)) {
		testsink_violation(ts, "feed() with no key or a bad value");
		return;
	}
	if (json_object_get(ts->feed, key) != NULL)
		testsink_violation(ts, "feed(%s) twice", key);
	json_object_set_new(ts->feed, key, json_stringn(value, len));
}

static void
testsink_warn(void *sink, unsigned long line, const char *fmt, ...)
{
	struct testsink	*ts = sink;
	va_list		 ap;
	char		*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("testsink: out of memory");
	va_end(ap);
	if (!utf8_valid(msg, strlen(msg)))
		testsink_violation(ts, "warn() text is not UTF-8");
	json_array_append_new(ts->warnings, json_pack("{s:I, s:s}",
	    "line", (json_int_t)line, "message", msg));
	free(msg);
}

static void
testsink_error(void *sink, const char *fmt, ...)
{
	struct testsink	*ts = sink;
	va_list		 ap;
	char		*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("testsink: out of memory");
	va_end(ap);
	if (ts->error != NULL) {
		testsink_violation(ts, "error() twice: %s", msg);
		free(msg);
		return;
	}
	ts->error = msg;
}

/* A field of record `record` by dotted name, or NULL (borrowed). */
json_t *
testsink_get(const struct testsink *ts, size_t record, const char *dotted)
{
	const char	*dot;
	json_t		*v;
	char		 part[64];
	size_t		 n;

	if ((v = json_array_get(ts->records, record)) == NULL)
		return NULL;
	while (v != NULL && (dot = strchr(dotted, '.')) != NULL) {
		n = (size_t)(dot - dotted);
		if (n >= sizeof part)
			return NULL;
		memcpy(part, dotted, n);
		part[n] = '\0';
		v = json_object_get(v, part);
		dotted = dot + 1;
	}
	return v != NULL ? json_object_get(v, dotted) : NULL;
}

/* A single text field of a record, or NULL. */
const char *
testsink_string(const struct testsink *ts, size_t record, const char *dotted)
{
	return json_string_value(testsink_get(ts, record, dotted));
}

/* 1 when some warning contains `text`. */
int
testsink_warned(const struct testsink *ts, const char *text)
{
	size_t	 i;
	json_t	*w;

	json_array_foreach(ts->warnings, i, w) {
		if (strstr(json_string_value(json_object_get(w, "message")),
		    text) != NULL)
			return 1;
	}
	return 0;
}

/* Everything the module said, as one JSON text (the caller frees it). */
char *
testsink_dump(const struct testsink *ts)
{
	json_t	*all;
	char	*s;

	all = json_pack("{s:O, s:O, s:O, s:O, s:s?}", "records", ts->records,
	    "feed", ts->feed, "warnings", ts->warnings,
	    "violations", ts->violations, "error", ts->error);
	s = json_dumps(all, JSON_SORT_KEYS | JSON_INDENT(1));
	json_decref(all);
	return s;
}

/*
 * Opens a format module as the daemon does, from the path in the
 * environment variable `env`, or else $DAYHUB_BUILDDIR/plugins/.libs/
 * NAME.so where `make check` builds it, and checks its descriptor.
 * Returns it (the module stays loaded), or NULL with the reason in `err`.
 */
const struct dayhub_plugin *
testsink_module(const char *name, const char *env, char *err, size_t errlen)
{
	const struct dayhub_plugin	*desc;
	const char			*path, *build;
	char				 buf[PATH_MAX];
	void				*handle;

	if ((path = getenv(env)) == NULL) {
		build = getenv("DAYHUB_BUILDDIR");
		snprintf(buf, sizeof buf, "%s/plugins/.libs/%s.so",
		    build != NULL ? build : ".", name);
		path = buf;
	}
	if ((handle = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(err, errlen, "cannot load the %s module %s: %s "
		    "(build it first, or point %s at it)", name, path,
		    dlerror(), env);
		return NULL;
	}
	if ((desc = dlsym(handle, DAYHUB_PLUGIN_SYMBOL)) == NULL ||
	    desc->magic != DAYHUB_PLUGIN_MAGIC ||
	    desc->abi_major != DAYHUB_PLUGIN_ABI_MAJOR ||
	    desc->sniff == NULL || desc->parse == NULL) {
		snprintf(err, errlen, "%s exports no usable %s", path,
		    DAYHUB_PLUGIN_SYMBOL);
		return NULL;
	}
	return desc;
}

/* A whole file, NUL-terminated, or NULL when it cannot be read. */
char *
testsink_slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf = NULL;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/*
 * Compares the records with a golden file, one JSON object a line (blank
 * lines skipped).  Returns 1 when they are equal, 0 when not (with *why
 * saying where, which the caller frees), -1 when the file cannot be read.
 */
int
testsink_golden(const struct testsink *ts, const char *path, char **why)
{
	json_error_t	 jerr;
	json_t		*want, *got;
	char		*text, *line, *next, *sg = NULL, *sw = NULL;
	size_t		 len, n = 0;
	int		 r = 1;

	*why = NULL;
	if ((text = testsink_slurp(path, &len)) == NULL)
		return -1;
	for (line = text; *line != '\0' && r == 1; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line == '\0')
			continue;
		if ((want = json_loads(line, 0, &jerr)) == NULL) {
			if (asprintf(why, "%s:%zu: %s", path, n + 1,
			    jerr.text) == -1)
				fatalx("testsink: out of memory");
			r = 0;
			break;
		}
		got = json_array_get(ts->records, n);
		if (!json_equal(want, got)) {
			sg = got != NULL ? json_dumps(got, JSON_SORT_KEYS |
			    JSON_COMPACT) : NULL;
			sw = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);
			if (asprintf(why, "record %zu:\n got %s\nwant %s", n,
			    sg != NULL ? sg : "(none)",
			    sw != NULL ? sw : "?") == -1)
				fatalx("testsink: out of memory");
			r = 0;
		}
		json_decref(want);
		n++;
	}
	if (r == 1 && json_array_size(ts->records) != n) {
		if (asprintf(why, "%zu records, the golden file has %zu",
		    json_array_size(ts->records), n) == -1)
			fatalx("testsink: out of memory");
		r = 0;
	}
	free(sg);
	free(sw);
	free(text);
	return r;
}
