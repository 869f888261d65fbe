/*
 * test_gofeed.c - our RSS and Atom reading measured against gofeed's.
 *
 * gofeed (a Go feed parser) ships test feeds with what it parsed from
 * each: $DAYHUB_CORPUS/gofeed/testdata/parser/{rss,atom}/X.xml with X.json
 * beside it.  Each feed is read here the way the daemon reads it (the
 * modules from $DAYHUB_BUILDDIR/plugins/.libs, record_parse() with the
 * format sniffed), and every item is compared with gofeed's item at the
 * same position, field by field where both define the field:
 *
 *	title		title
 *	url		link (RSS), the alternate link (Atom)
 *	source_id	guid (RSS), id (Atom)
 *	updated		pubDate (RSS), updated or else published (Atom), as
 *			instants
 *	categories	category values (RSS), terms (Atom), as sets
 *	organiser.name	the author's name (RSS author or dc:creator, Atom
 *			authors[0])
 *
 * gofeed keeps an item without a title; we leave it out (a record
 * needs a title), so such items are listed as dropped and passed over,
 * and the items after them still line up.  The rate of
 * agreeing comparisons is printed and must be at least GOFEED_MIN_RATE.
 *
 * Every disagreement, one a line (file, item, field, ours, theirs,
 * reason, separated by tabs), is kept in tests/gofeed-disagreements.txt
 * and the test fails when today's list is not that file, so the list
 * cannot go stale.  DAYHUB_UPDATE_GOLDEN=1 rewrites it from the current
 * output; read the diff before committing it.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "dayhub.h"

#define GOFEED_DIR	"gofeed/testdata/parser"
#define GOFEED_LIST	"tests/gofeed-disagreements.txt"
#define GOFEED_MIN_RATE	90.0	/* per cent of field comparisons */
#define GOFEED_MIN_FEEDS 400
#define GOFEED_SHOW	100	/* bytes of a value kept in the list */
#define GOFEED_MAX_FILE	(16 * 1024 * 1024)

/* One of gofeed's parsers: its folder and where its items are. */
struct gofeed_kind {
	const char	*dir;
	const char	*items;
	int		 atom;
};

static const struct gofeed_kind gofeed_kinds[] = {
	{ .dir = "rss", .items = "items", .atom = 0 },
	{ .dir = "atom", .items = "entries", .atom = 1 },
};

/* The tally of a run, and the list of disagreements it is building. */
struct gofeed_tally {
	size_t	 feeds, refused, items, dropped, missing;
	size_t	 agree, disagree;
	size_t	 as_text;	/* titles that agree once gofeed's HTML is
				   read as text */
	char	*list;		/* the disagreement lines so far */
	size_t	 listlen;
};

static const char *const gofeed_modules[] = { "rss", "atom" };

static const char	*env_dir(const char *, const char *);
static char		*slurp(const char *, size_t *);
static void		 list_add(struct gofeed_tally *, const char *, size_t,
			    const char *, const char *, const char *,
			    const char *);
static void		 show(char *, size_t, const char *);
static char		*ws_collapse(const char *);
static char		*html_text(const char *);
static const char	*reason_text(const char *, const char *);
static void		 compare(struct gofeed_tally *, const char *, size_t,
			    const char *, const char *, const char *,
			    const char *);
static int		 title_refused(const struct feed_result *);
static const char	*their_link(json_t *, int);
static const char	*their_guid(json_t *, int);
static const char	*their_date(json_t *, int);
static char		*their_author(json_t *, int);
static char		*category_set(json_t *, const char *);
static char		*author_name(const char *);
static int		 same_instant(const char *, const char *);
static void		 gofeed_file(struct gofeed_tally *,
			    const struct gofeed_kind *, const char *,
			    const char *);
static void		 modules_load(void);

/* A tree from the environment, or `def` when unset. */
static const char *
env_dir(const char *name, const char *def)
{
	const char	*s = getenv(name);

	return s != NULL && *s != '\0' ? s : def;
}

/* Reads a whole file (at most GOFEED_MAX_FILE), NUL-terminated. */
static char *
slurp(const char *path, size_t *lenp)
{
	FILE		*f;
	struct stat	 st;
	char		*buf;
	size_t		 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fstat(fileno(f), &st) == -1 || st.st_size > GOFEED_MAX_FILE) {
		fclose(f);
		errno = EFBIG;
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[n] = '\0';
	if (lenp != NULL)
		*lenp = n;
	return buf;
}

/*
 * Copies a value for the list: at most GOFEED_SHOW bytes, cut on a
 * character boundary, with tabs, newlines and backslashes escaped so
 * that a disagreement stays one line; "-" for nothing.
 */
static void
show(char *out, size_t outlen, const char *s)
{
	size_t	o = 0, i, n;

	if (s == NULL) {
		snprintf(out, outlen, "-");
		return;
	}
	n = strlen(s);
	for (i = 0; i < n && i < GOFEED_SHOW && o + 3 < outlen; i++) {
		if (i + 4 >= GOFEED_SHOW && ((unsigned char)s[i] & 0xc0) ==
		    0xc0)
			break;
		if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
		    s[i] == '\\') {
			out[o++] = '\\';
			out[o++] = s[i] == '\t' ? 't' : s[i] == '\n' ? 'n' :
			    s[i] == '\r' ? 'r' : '\\';
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
}

/* Adds one line to the disagreement list. */
static void
list_add(struct gofeed_tally *t, const char *file, size_t item,
    const char *field, const char *ours, const char *theirs,
    const char *reason)
{
	char	 a[GOFEED_SHOW * 2 + 1], b[GOFEED_SHOW * 2 + 1], *line;
	size_t	 n;

	show(a, sizeof a, ours);
	show(b, sizeof b, theirs);
	n = (size_t)xasprintf(&line, "%s\t%zu\t%s\t%s\t%s\t%s\n", file, item,
	    field, a, b, reason);
	t->list = xreallocarray(t->list, t->listlen + n + 1, 1);
	memcpy(t->list + t->listlen, line, n + 1);
	t->listlen += n;
	free(line);
}

/* A copy of a string with runs of white space made one space, trimmed. */
static char *
ws_collapse(const char *s)
{
	char	*out = xmalloc(strlen(s) + 1), *o = out;
	int	 space = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			space = o != out;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = 0;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/*
 * gofeed keeps an item's title as HTML; ours is text.  This reads
 * gofeed's the way a browser shows it: tags out, then the entities
 * &lt; &gt; &amp; &quot; &apos; and &#39; decoded, white space collapsed.
 */
static char *
html_text(const char *s)
{
	static const struct {
		const char	*ent;
		char		 c;
	} ents[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
		{ "&quot;", '"' }, { "&apos;", '\'' }, { "&#39;", '\'' },
	};
	char	*notags = xmalloc(strlen(s) + 1), *o = notags, *out, *all;
	size_t	 i;

	for (; *s != '\0'; s++) {
		if (*s == '<' && strchr(s, '>') != NULL) {
			s = strchr(s, '>');
			continue;
		}
		*o++ = *s;
	}
	*o = '\0';
	out = xmalloc(strlen(notags) + 1);
	for (s = notags, o = out; *s != '\0';) {
		for (i = 0; i < sizeof ents / sizeof ents[0]; i++)
			if (strncmp(s, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		if (i < sizeof ents / sizeof ents[0]) {
			*o++ = ents[i].c;
			s += strlen(ents[i].ent);
		} else
			*o++ = *s++;
	}
	*o = '\0';
	all = ws_collapse(out);
	free(out);
	free(notags);
	return all;
}

/*
 * Names why two texts differ, as best a machine can tell: white space,
 * markup or an entity gofeed kept that we tidied, a link we resolved,
 * or simply different.
 */
static const char *
reason_text(const char *ours, const char *theirs)
{
	char		*a, *b;
	const char	*r = "differs";
	size_t		 la, lb;

	a = ws_collapse(ours);
	b = ws_collapse(theirs);
	la = strlen(a);
	lb = strlen(b);
	if (strcmp(a, b) == 0)
		r = "white space";
	else if (strchr(theirs, '<') != NULL || strchr(theirs, '&') != NULL)
		r = "markup or entity: we keep text";
	else if (strstr(ours, "://") != NULL && strstr(theirs, "://") == NULL
	    && la > lb && strcmp(a + la - lb, b) == 0)
		r = "relative link: we resolve it";
	else if (lb > la && strncmp(a, b, la) == 0)
		r = "ours cut short";
	free(a);
	free(b);
	return r;
}

/* Compares one field both sides define, counting and listing a mismatch. */
static void
compare(struct gofeed_tally *t, const char *file, size_t item,
    const char *field, const char *ours, const char *theirs,
    const char *reason)
{
	if (ours == NULL || theirs == NULL || *theirs == '\0')
		return;
	if (reason == NULL && strcmp(ours, theirs) == 0) {
		t->agree++;
		return;
	}
	if (reason != NULL && strcmp(reason, "") == 0) {
		t->agree++;
		return;
	}
	t->disagree++;
	list_add(t, file, item, field, ours, theirs, reason != NULL ? reason :
	    reason_text(ours, theirs));
}

/* Whether the module warned that it left a title out. */
static int
title_refused(const struct feed_result *res)
{
	json_t		*w;
	const char	*msg;
	size_t		 i;

	json_array_foreach(res->warnings, i, w) {
		msg = json_string_value(json_object_get(w, "message"));
		if (msg != NULL && strstr(msg, "left out <title>") != NULL)
			return 1;
	}
	return 0;
}

/* gofeed's link of an item: RSS <link>, or Atom's alternate link. */
static const char *
their_link(json_t *it, int atom)
{
	json_t		*l;
	const char	*rel, *first = NULL;
	size_t		 i;

	if (!atom)
		return json_string_value(json_object_get(it, "link"));
	json_array_foreach(json_object_get(it, "links"), i, l) {
		rel = json_string_value(json_object_get(l, "rel"));
		if (rel == NULL || strcmp(rel, "alternate") == 0)
			return json_string_value(json_object_get(l, "href"));
		if (first == NULL)
			first = json_string_value(json_object_get(l, "href"));
	}
	return first;
}

/* gofeed's id of an item: the RSS guid's value or the Atom id. */
static const char *
their_guid(json_t *it, int atom)
{
	if (atom)
		return json_string_value(json_object_get(it, "id"));
	return json_string_value(json_object_get(json_object_get(it, "guid"),
	    "value"));
}

/* gofeed's date of an item, parsed by gofeed where it could. */
static const char *
their_date(json_t *it, int atom)
{
	static const char *const rss[] = { "pubDateParsed", "pubDate" };
	static const char *const at[] = { "updatedParsed", "updated",
	    "publishedParsed", "published" };
	const char *const	*keys = atom ? at : rss;
	size_t			 i, n = atom ? 4 : 2;
	const char		*s;

	for (i = 0; i < n; i++)
		if ((s = json_string_value(json_object_get(it, keys[i]))) !=
		    NULL && *s != '\0')
			return s;
	return NULL;
}

/*
 * The name in an RSS author value, as a reader would take it: "mail@x
 * (Name)" and "Name <mail@x>" give Name, anything else is the name.
 */
static char *
author_name(const char *s)
{
	const char	*open, *close;
	char		*name, *all;

	if ((open = strchr(s, '(')) != NULL &&
	    (close = strrchr(s, ')')) != NULL && close > open + 1)
		name = xstrndup(open + 1, (size_t)(close - open - 1));
	else if ((open = strchr(s, '<')) != NULL && open > s)
		name = xstrndup(s, (size_t)(open - s));
	else
		name = xstrdup(s);
	all = ws_collapse(name);
	free(name);
	return all;
}

/* gofeed's first author of an item, by name. */
static char *
their_author(json_t *it, int atom)
{
	const char	*s;
	json_t		*c;

	if (atom) {
		s = json_string_value(json_object_get(json_array_get(
		    json_object_get(it, "authors"), 0), "name"));
		return s != NULL ? xstrdup(s) : NULL;
	}
	if ((s = json_string_value(json_object_get(it, "author"))) != NULL)
		return author_name(s);
	c = json_object_get(json_object_get(it, "dcExt"), "creator");
	if ((s = json_string_value(json_array_get(c, 0))) != NULL)
		return xstrdup(s);
	return NULL;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A list of categories as one sorted "a|b|c" string, so that sets
 * compare as text; `member` picks the string out of an object (gofeed)
 * and is NULL for a list of strings (ours).  NULL for no categories.
 */
static char *
category_set(json_t *list, const char *member)
{
	const char	**v;
	json_t		 *c;
	char		 *out, *next;
	size_t		  i, n = 0;

	if (json_array_size(list) == 0)
		return NULL;
	v = xcalloc(json_array_size(list), sizeof *v);
	json_array_foreach(list, i, c) {
		if (member != NULL)
			c = json_object_get(c, member);
		if (json_string_value(c) != NULL)
			v[n++] = json_string_value(c);
	}
	if (n == 0) {
		free(v);
		return NULL;
	}
	qsort(v, n, sizeof *v, str_cmp);
	out = xstrdup(v[0]);
	for (i = 1; i < n; i++) {
		xasprintf(&next, "%s|%s", out, v[i]);
		free(out);
		out = next;
	}
	free(v);
	return out;
}

/* Whether two times name the same instant; -1 when theirs is unreadable. */
static int
same_instant(const char *ours, const char *theirs)
{
	char	a[64], b[64];
	time_t	ta, tb;

	if (record_time_normalize(ours, "UTC", a, sizeof a) == -1 ||
	    record_time_epoch(a, &ta) == -1)
		return -1;
	if (record_time_normalize(theirs, "UTC", b, sizeof b) == -1 ||
	    record_time_epoch(b, &tb) == -1)
		return -1;
	return ta == tb;
}

/* Reads one gofeed test feed and compares it item by item. */
static void
gofeed_file(struct gofeed_tally *t, const struct gofeed_kind *k,
    const char *dir, const char *name)
{
	struct parse_request	 req;
	struct feed_result	 res;
	json_error_t		 jerr;
	json_t			*want = NULL, *items, *it, *rec;
	char			*xml = NULL, *path = NULL, *jpath = NULL, *file;
	char			*a, *b, *stem;
	const char		*ours, *theirs;
	size_t			 len, i, r, n;
	int			 same;

	memset(&res, 0, sizeof res);
	xasprintf(&path, "%s/%s", dir, name);
	stem = xstrndup(name, strlen(name) - 4);
	xasprintf(&jpath, "%s/%s.json", dir, stem);
	xasprintf(&file, "%s/%s", k->dir, name);
	free(stem);
	if ((xml = slurp(path, &len)) == NULL) {
		cr_expect_fail("%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if ((want = json_load_file(jpath, 0, &jerr)) == NULL) {
		cr_expect_fail("%s: %s", jpath, jerr.text);
		goto out;
	}
	t->feeds++;
	items = json_object_get(want, k->items);
	n = json_array_size(items);
	memset(&req, 0, sizeof req);
	req.data = (const unsigned char *)xml;
	req.len = len;
	req.spoke = "gofeed";
	req.timezone = "UTC";
	req.format = "auto";
	if (record_parse(&req, &res) == -1) {
		t->refused++;
		if (n > 0)
			list_add(t, file, 0, "feed", res.error, "read",
			    "refused");
		goto out;
	}
	/*
	 * An item without a title is one we leave out (the module skips
	 * it, or the host drops it with a warning), so the others line up
	 * once those are passed over.
	 */
	for (i = 0, r = 0; i < n; i++) {
		it = json_array_get(items, i);
		t->items++;
		theirs = json_string_value(json_object_get(it, "title"));
		if (theirs == NULL || *theirs == '\0') {
			t->dropped++;
			list_add(t, file, i + 1, "item", NULL, NULL,
			    "dropped: no title");
			continue;
		}
		if ((rec = json_array_get(res.records, r++)) == NULL) {
			t->missing++;
			list_add(t, file, i + 1, "item", NULL, theirs,
			    title_refused(&res) ?
			    "missing: the module left out a title that is "
			    "not text" : "missing: no record for a titled "
			    "item");
			continue;
		}
		ours = json_string_value(json_object_get(rec, "title"));
		b = html_text(theirs);
		if (ours != NULL && strcmp(ours, theirs) != 0 &&
		    strcmp(ours, b) == 0)
			t->as_text++;
		compare(t, file, i + 1, "title", ours, theirs,
		    ours != NULL && strcmp(ours, b) == 0 ? "" : NULL);
		free(b);
		compare(t, file, i + 1, "link",
		    json_string_value(json_object_get(rec, "url")),
		    their_link(it, k->atom), NULL);
		compare(t, file, i + 1, "guid",
		    json_string_value(json_object_get(rec, "source_id")),
		    their_guid(it, k->atom), NULL);
		ours = json_string_value(json_object_get(rec, "updated"));
		theirs = their_date(it, k->atom);
		if (ours != NULL && theirs != NULL) {
			same = same_instant(ours, theirs);
			compare(t, file, i + 1, "date", ours, theirs,
			    same == 1 ? "" : same == 0 ? "another instant" :
			    "theirs unreadable");
		}
		a = category_set(json_object_get(rec, "categories"), NULL);
		b = category_set(json_object_get(it, "categories"),
		    k->atom ? "term" : "value");
		compare(t, file, i + 1, "categories", a, b, NULL);
		free(a);
		free(b);
		b = their_author(it, k->atom);
		compare(t, file, i + 1, "author",
		    json_string_value(json_object_get(json_object_get(rec,
		    "organiser"), "name")), b, NULL);
		free(b);
	}
	if (r < json_array_size(res.records))
		list_add(t, file, n + 1, "item", "records", "no items",
		    "extra: we made more records than gofeed items");

out:
	feed_result_free(&res);
	json_decref(want);
	free(xml);
	free(path);
	free(jpath);
	free(file);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads the built modules the way the daemon does, and insists on them. */
static void
modules_load(void)
{
	char		 dir[4096], err[1024];
	size_t		 i;

	log_init(1, LOG_LEVEL_WARN, "test_gofeed");
	snprintf(dir, sizeof dir, "%s/plugins/.libs",
	    env_dir("DAYHUB_BUILDDIR", "."));
	if (plugin_load_dir(dir, err, sizeof err) == -1)
		cr_assert_fail("no format modules: %s (set DAYHUB_BUILDDIR "
		    "to the build tree)", err);
	for (i = 0; i < sizeof gofeed_modules / sizeof gofeed_modules[0];
	    i++)
		if (plugin_find(gofeed_modules[i]) == NULL)
			cr_assert_fail("the %s module was not loaded from %s "
			    "(build it first)", gofeed_modules[i], dir);
}

static void
modules_unload(void)
{
	plugin_unload_all();
}

TestSuite(gofeed, .init = modules_load, .fini = modules_unload,
    .timeout = 120);

/* The helpers that decide agreement, with their refusals. */
Test(gofeed, helper_table)
{
	static const struct {
		const char	*in, *want;
	} names[] = {
		{ "rob@example.org (Rob Roy)", "Rob Roy" },
		{ "Rob Roy <rob@example.org>", "Rob Roy" },
		{ "Rob  Roy", "Rob Roy" },
		{ "rob@example.org", "rob@example.org" },
		{ "()", "()" },
	};
	static const struct {
		const char	*ours, *theirs;
		int		 same;
	} times[] = {
		{ "2026-01-02T10:00:00+00:00", "2026-01-02T10:00:00Z", 1 },
		{ "2026-07-02T11:00:00+01:00", "2026-07-02T10:00:00Z", 1 },
		{ "2026-07-02T10:00:00+01:00", "2026-07-02T10:00:00Z", 0 },
		{ "2026-07-02T10:00:00Z", "Mon, 02 Jul 2026 10:00:00 GMT",
		    -1 },
	};
	static const struct {
		const char	*ours, *theirs, *reason;
	} reasons[] = {
		{ "A  title", "A title", "white space" },
		{ "A & B", "A &amp; B", "markup or entity: we keep text" },
		{ "https://x.example/a", "/a",
		    "relative link: we resolve it" },
		{ "Tit", "Title", "ours cut short" },
		{ "One", "Two", "differs" },
	};
	static const struct {
		const char	*in, *want;
	} texts[] = {
		{ "<p>Item Title</p>", "Item Title" },
		{ "&lt;p&gt;Item Title&lt;/p&gt;", "<p>Item Title</p>" },
		{ "Example <a href=\"x\">test</a>", "Example test" },
		{ "A &amp;amp; B", "A &amp; B" },
		{ "1 < 2", "1 < 2" },
		{ "&bogus; ", "&bogus;" },
	};
	size_t	 i;
	char	*s, buf[GOFEED_SHOW * 2 + 1];

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		s = author_name(names[i].in);
		cr_expect_str_eq(s, names[i].want, "%s", names[i].in);
		free(s);
	}
	for (i = 0; i < sizeof times / sizeof times[0]; i++)
		cr_expect_eq(same_instant(times[i].ours, times[i].theirs),
		    times[i].same, "%s vs %s", times[i].ours,
		    times[i].theirs);
	for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		cr_expect_str_eq(reason_text(reasons[i].ours,
		    reasons[i].theirs), reasons[i].reason, "%s vs %s",
		    reasons[i].ours, reasons[i].theirs);
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		s = html_text(texts[i].in);
		cr_expect_str_eq(s, texts[i].want, "%s", texts[i].in);
		free(s);
	}
	show(buf, sizeof buf, "a\tb\nc\\");
	cr_expect_str_eq(buf, "a\\tb\\nc\\\\");
	show(buf, sizeof buf, NULL);
	cr_expect_str_eq(buf, "-");
}

/* Every gofeed test feed compared; the rate asserted, the list pinned. */
Test(gofeed, agreement)
{
	struct gofeed_tally	 t;
	struct dirent		 *de;
	struct stat		  st;
	DIR			 *d;
	const char		 *corpus, *src, *upd;
	char			 *dir, **names, *lpath, *want, *got, *hdr;
	size_t			  kk, i, n, len, total, line;
	double			  rate;
	const char		 *g, *w;

	corpus = env_dir("DAYHUB_CORPUS", "../shared/corpus");
	src = env_dir("DAYHUB_SRCDIR", ".");
	memset(&t, 0, sizeof t);
	t.list = xstrdup("");
	for (kk = 0; kk < sizeof gofeed_kinds / sizeof gofeed_kinds[0];
	    kk++) {
		xasprintf(&dir, "%s/%s/%s", corpus, GOFEED_DIR,
		    gofeed_kinds[kk].dir);
		if ((d = opendir(dir)) == NULL) {
			cr_expect_fail("no gofeed test feeds at %s: %s (set "
			    "DAYHUB_CORPUS to the public corpora)", dir,
			    strerror(errno));
			free(dir);
			continue;
		}
		names = NULL;
		n = 0;
		while ((de = readdir(d)) != NULL) {
			len = strlen(de->d_name);
			if (len < 5 || strcmp(de->d_name + len - 4, ".xml")
			    != 0)
				continue;
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
		closedir(d);
		if (n > 0)
			qsort(names, n, sizeof *names, name_cmp);
		for (i = 0; i < n; i++) {
			gofeed_file(&t, &gofeed_kinds[kk], dir, names[i]);
			free(names[i]);
		}
		free(names);
		free(dir);
	}

	total = t.agree + t.disagree;
	rate = total > 0 ? 100.0 * (double)t.agree / (double)total : 0.0;
	printf("gofeed agreement: %zu of %zu field comparisons (%.1f%%) over "
	    "%zu feeds\n", t.agree, total, rate, t.feeds);
	printf("gofeed: %zu of the agreeing titles are gofeed's HTML read as "
	    "text\n", t.as_text);
	printf("gofeed: %zu items: %zu without a title (left out by "
	    "design), %zu titled ones we did not keep; %zu feeds refused\n",
	    t.items, t.dropped, t.missing, t.refused);
	fflush(stdout);
	cr_expect_geq(t.feeds, GOFEED_MIN_FEEDS, "only %zu gofeed feeds",
	    t.feeds);
	cr_expect_geq(rate, GOFEED_MIN_RATE, "agreement %.1f%% is under "
	    "%.0f%%", rate, GOFEED_MIN_RATE);

	xasprintf(&hdr, "# Where dayhub's RSS and Atom modules read gofeed's "
	    "test feeds differently.\n# Written by tests/test_gofeed.c "
	    "(DAYHUB_UPDATE_GOLDEN=1); the test fails when it goes stale.\n"
	    "# file\titem\tfield\tours\ttheirs\treason\n");
	xasprintf(&got, "%s%s", hdr, t.list);
	free(hdr);
	xasprintf(&lpath, "%s/%s", src, GOFEED_LIST);
	upd = getenv("DAYHUB_UPDATE_GOLDEN");
	if (upd != NULL && strcmp(upd, "1") == 0) {
		FILE *f = fopen(lpath, "w");

		cr_assert_not_null(f, "%s: %s", lpath, strerror(errno));
		cr_expect_eq(fwrite(got, 1, strlen(got), f), strlen(got));
		cr_expect_eq(fclose(f), 0, "%s: %s", lpath, strerror(errno));
	} else if (stat(lpath, &st) == -1 ||
	    (want = slurp(lpath, NULL)) == NULL) {
		cr_expect_fail("%s: %s (DAYHUB_UPDATE_GOLDEN=1 writes it)",
		    lpath, strerror(errno));
	} else {
		for (g = got, w = want, line = 1; *g == *w && *g != '\0';
		    g++, w++)
			if (*g == '\n')
				line++;
		/* Both agree up to here, so one step back fits both. */
		while (g > got && g[-1] != '\n') {
			g--;
			w--;
		}
		cr_expect(strcmp(g, w) == 0, "%s is stale from line %zu:\n"
		    "  now %.*s\n  was %.*s\n(DAYHUB_UPDATE_GOLDEN=1 rewrites "
		    "it)", lpath, line, (int)strcspn(g, "\n"), g,
		    (int)strcspn(w, "\n"), w);
		free(want);
	}
	free(lpath);
	free(got);
	free(t.list);
}
