/*
 * lint.c - a feed read the way its publisher would want it checked.
 *
 * A spoke's feed is usually kept by a volunteer who looks after the
 * website, not by someone who reads RSS.  After a parse, this says to
 * them in plain words what the directory could not find in their items
 * (no place, no time, no price...), what the parse had to repair (the
 * host's and module's warnings, with the line each points at), and what
 * it could only guess at (shared ids, local times, a publication date
 * where an event date should be, a repeat that never ends), then gives a
 * one-line verdict.
 *
 * Each check of a record is a row in lint_checks[]; each kind of warning
 * that is a guess rather than a repair is a row in lint_guesses[].  The
 * report is JSON, so scripts can read it; lint_print() writes it for a
 * person.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dayhub.h"

#define LINT_EXAMPLES		3	/* titles shown per finding */
#define LINT_TITLE_MAX		60	/* bytes of a title shown */

enum lint_section {
	LINT_MISSING,
	LINT_AMBIGUOUS
};

/* One check of a live record. */
struct lint_check {
	const char		*name;
	enum lint_section	 section;
	int			 core;	/* a Good verdict needs it everywhere */
	int			(*lacks)(const json_t *);
	const char		*what;	/* after "has" or "have" */
	const char		*hint;	/* why it matters, or NULL */
	const char		*brief;	/* `what` in the verdict */
};

static int	 lint_no_place(const json_t *);
static int	 lint_no_postcode(const json_t *);
static int	 lint_no_time(const json_t *);
static int	 lint_no_cost(const json_t *);
static int	 lint_no_access(const json_t *);
static int	 lint_no_booking(const json_t *);
static int	 lint_no_activity(const json_t *);
static int	 lint_no_description(const json_t *);
static int	 lint_pubdate_only(const json_t *);
static int	 lint_endless_rule(const json_t *);

static const struct lint_check lint_checks[] = {
	{ .name = "place", .section = LINT_MISSING, .core = 1,
	  .lacks = lint_no_place, .brief = "no place",
	  .what = "no place (a venue, address or postcode, or online)" },
	{ .name = "postcode", .section = LINT_MISSING,
	  .lacks = lint_no_postcode, .what = "no postcode",
	  .hint = "so a \"near me\" search cannot find them" },
	{ .name = "time", .section = LINT_MISSING, .core = 1,
	  .lacks = lint_no_time, .what = "no start time", .brief = "no time",
	  .hint = "so they cannot be listed by day" },
	{ .name = "cost", .section = LINT_MISSING, .core = 1,
	  .lacks = lint_no_cost, .brief = "no cost",
	  .what = "no cost (a price, or that it is free)" },
	{ .name = "access", .section = LINT_MISSING,
	  .lacks = lint_no_access, .what = "no accessibility information",
	  .hint = "such as step-free access, a hearing loop or a quiet "
	  "space" },
	{ .name = "booking", .section = LINT_MISSING,
	  .lacks = lint_no_booking,
	  .what = "no booking contact (a phone number, email or booking "
	  "link)" },
	{ .name = "activity", .section = LINT_MISSING,
	  .lacks = lint_no_activity,
	  .what = "no category that maps to the activity vocabulary",
	  .hint = "feeds/TAXONOMY.md lists the words dayhub knows" },
	{ .name = "description", .section = LINT_MISSING,
	  .lacks = lint_no_description, .what = "no description" },
	{ .name = "pubdate", .section = LINT_AMBIGUOUS,
	  .lacks = lint_pubdate_only,
	  .what = "a publication date but no event date",
	  .hint = "a publication date is never taken for the day of a "
	  "session" },
	{ .name = "endless-repeat", .section = LINT_AMBIGUOUS,
	  .lacks = lint_endless_rule,
	  .what = "a repeat rule with no end (no UNTIL or COUNT in the "
	  "RRULE)",
	  .hint = "if the sessions stop on a date, say so in the rule" },
};
#define LINT_NCHECKS	(sizeof lint_checks / sizeof lint_checks[0])

/*
 * Warnings that report a guess rather than a repair, by a phrase in
 * their message; every other warning is something repaired or left out.
 */
static const char *const lint_guesses[] = {
	"share the guid",
	"have no guid",
	"share the link",
	"have no link",
	"as identities for this feed",
	"a copy of item",
	"the same title, start and location",
	"times without a zone",
};

static json_t	*lint_finding(const char *, json_t *, size_t, size_t,
		    const struct lint_check *);
static int	 lint_is_guess(const char *);
static void	 lint_verdict(json_t *, const size_t *, size_t);
static const char *lint_str(const json_t *, const char *, const char *);
static int	 lint_has(const json_t *, const char *, const char *);

/*
 * Checks a feed that was parsed: `req` is what was asked (its zone and
 * size), `res` what record_parse() made of it, read or not.
 *
 * Contract: `res` is anything record_parse() may leave, its records and
 * warnings coming from outside; nothing in them is trusted to have any
 * member.  Returns a new object the caller frees:
 *   "read": whether the feed was read, and "error" when not;
 *   "format", "bytes", "activities" (live records), "deleted";
 *   "missing", "repaired", "ambiguous": arrays of findings, each with a
 *   "message" in words, and "line" (from a warning, 0 when it has none),
 *   or "check", "count", "of" and "examples" (up to three titles);
 *   "unshown": warnings counted but not kept;
 *   "good": whether the verdict is Good, and "verdict", one line.
 */
json_t *
lint_feed(const struct parse_request *req, const struct feed_result *res)
{
	json_t		*rep, *missing, *repaired, *ambiguous, *ex[LINT_NCHECKS];
	json_t		*rec, *w, *f;
	const char	*msg, *zone;
	size_t		 count[LINT_NCHECKS], i, k, live = 0, deleted = 0;
	json_int_t	 local;

	if ((rep = json_object()) == NULL || (missing = json_array()) == NULL ||
	    (repaired = json_array()) == NULL ||
	    (ambiguous = json_array()) == NULL)
		fatalx("%s: out of memory", __func__);
	json_object_set_new(rep, "read", json_boolean(res->error == NULL));
	if (res->error != NULL)
		json_object_set_new(rep, "error", json_string(res->error));
	if (res->format != NULL)
		json_object_set_new(rep, "format", json_string(res->format));
	json_object_set_new(rep, "bytes", json_integer((json_int_t)req->len));

	memset(count, 0, sizeof count);
	for (k = 0; k < LINT_NCHECKS; k++)
		if ((ex[k] = json_array()) == NULL)
			fatalx("%s: out of memory", __func__);
	json_array_foreach(res->records, i, rec) {
		if (strcmp(lint_str(rec, "state", "updated"), "deleted") == 0) {
			deleted++;
			continue;
		}
		live++;
		for (k = 0; k < LINT_NCHECKS; k++) {
			if (!lint_checks[k].lacks(rec))
				continue;
			if (count[k]++ < LINT_EXAMPLES)
				json_array_append_new(ex[k], json_string(
				    lint_str(rec, "title", "(no title)")));
		}
	}
	json_object_set_new(rep, "activities", json_integer((json_int_t)live));
	json_object_set_new(rep, "deleted", json_integer((json_int_t)deleted));
	for (k = 0; k < LINT_NCHECKS; k++) {
		if (count[k] == 0) {
			json_decref(ex[k]);
			continue;
		}
		f = lint_finding(lint_checks[k].name, ex[k], count[k], live,
		    &lint_checks[k]);
		json_array_append_new(lint_checks[k].section == LINT_MISSING ?
		    missing : ambiguous, f);
	}

	json_array_foreach(res->warnings, i, w) {
		if ((msg = json_string_value(json_object_get(w,
		    "message"))) == NULL)
			continue;
		f = json_pack("{s:I,s:s}", "line", json_is_integer(
		    json_object_get(w, "line")) ? json_integer_value(
		    json_object_get(w, "line")) : (json_int_t)0, "message",
		    msg);
		if (f == NULL)
			fatalx("%s: out of memory", __func__);
		json_array_append_new(lint_is_guess(msg) ? ambiguous :
		    repaired, f);
	}
	local = json_integer_value(json_object_get(res->feed, "local_times"));
	if (local > 0) {
		char *s;

		zone = req->timezone != NULL && *req->timezone != '\0' ?
		    req->timezone : RECORD_DEFAULT_ZONE_NAME;
		xasprintf(&s, "%lld time%s of day %s no UTC offset (such as "
		    "+01:00 or Z): read as local time%s in %s", (long long)local,
		    local == 1 ? "" : "s", local == 1 ? "has" : "have",
		    local == 1 ? "" : "s", zone);
		json_array_append_new(ambiguous, json_pack("{s:s,s:I,s:s}",
		    "check", "local-times", "count", local, "message", s));
		free(s);
	}
	json_object_set_new(rep, "missing", missing);
	json_object_set_new(rep, "repaired", repaired);
	json_object_set_new(rep, "ambiguous", ambiguous);
	json_object_set_new(rep, "unshown", json_integer((json_int_t)(
	    res->nwarnings > json_array_size(res->warnings) ?
	    res->nwarnings - json_array_size(res->warnings) : 0)));
	lint_verdict(rep, count, live);
	return rep;
}

/*
 * Writes a report from lint_feed() for a person: a heading naming
 * `source`, then Missing, Repaired and Ambiguous, then the verdict.
 */
void
lint_print(FILE *fp, const json_t *rep, const char *source)
{
	static const char *const sections[][2] = {
		{ "missing", "Missing" },
		{ "repaired", "Repaired" },
		{ "ambiguous", "Ambiguous" },
	};
	json_t		*list, *f, *ex, *t;
	const char	*title;
	json_int_t	 line, n;
	size_t		 s, i, j, cut;

	if (!json_is_true(json_object_get(rep, "read"))) {
		fprintf(fp, "%s: could not be read: %s\n", source,
		    lint_str(rep, "error", "no reason given"));
	} else {
		n = json_integer_value(json_object_get(rep, "activities"));
		fprintf(fp, "%s: %s feed, %lld activit%s", source,
		    lint_str(rep, "format", "unknown"), (long long)n,
		    n == 1 ? "y" : "ies");
		if ((n = json_integer_value(json_object_get(rep,
		    "deleted"))) > 0)
			fprintf(fp, " and %lld deleted", (long long)n);
		fputc('\n', fp);
	}
	for (s = 0; s < sizeof sections / sizeof sections[0]; s++) {
		list = json_object_get(rep, sections[s][0]);
		fprintf(fp, "\n%s\n", sections[s][1]);
		if (json_array_size(list) == 0)
			fprintf(fp, "  nothing\n");
		json_array_foreach(list, i, f) {
			line = json_integer_value(json_object_get(f, "line"));
			if (line > 0)
				fprintf(fp, "  line %lld: ", (long long)line);
			else
				fprintf(fp, "  ");
			fprintf(fp, "%s\n", lint_str(f, "message", ""));
			if ((t = json_object_get(f, "hint")) != NULL)
				fprintf(fp, "    (%s)\n", json_string_value(t));
			ex = json_object_get(f, "examples");
			if (json_array_size(ex) == 0)
				continue;
			json_array_foreach(ex, j, t) {
				title = json_string_value(t);
				/* Cut long titles between characters. */
				cut = strlen(title);
				if (cut > LINT_TITLE_MAX) {
					cut = LINT_TITLE_MAX;
					while (cut > 0 && ((unsigned char)
					    title[cut] & 0xc0) == 0x80)
						cut--;
				}
				fprintf(fp, "    %s \"%.*s%s\"\n", j == 0 ?
				    "for example:" : "            ", (int)cut,
				    title, title[cut] != '\0' ? "..." : "");
			}
		}
		if (s == 1 && (n = json_integer_value(json_object_get(rep,
		    "unshown"))) > 0)
			fprintf(fp, "  and %lld more warnings not kept\n",
			    (long long)n);
	}
	fprintf(fp, "\n%s\n", lint_str(rep, "verdict", ""));
}

/* One record check's finding: "3 of 8 activities have no postcode". */
static json_t *
lint_finding(const char *name, json_t *examples, size_t count, size_t of,
    const struct lint_check *c)
{
	json_t	*f;
	char	*msg;

	xasprintf(&msg, "%zu of %zu activit%s %s %s", count, of,
	    of == 1 ? "y" : "ies", count == 1 ? "has" : "have", c->what);
	f = json_pack("{s:s,s:I,s:I,s:s,s:o}", "check", name, "count",
	    (json_int_t)count, "of", (json_int_t)of, "message", msg,
	    "examples", examples);
	if (f == NULL)
		fatalx("%s: out of memory", __func__);
	if (c->hint != NULL)
		json_object_set_new(f, "hint", json_string(c->hint));
	free(msg);
	return f;
}

/* Whether a warning reports a guess (see lint_guesses). */
static int
lint_is_guess(const char *msg)
{
	size_t	i;

	for (i = 0; i < sizeof lint_guesses / sizeof lint_guesses[0]; i++)
		if (strstr(msg, lint_guesses[i]) != NULL)
			return 1;
	return 0;
}

/*
 * Sets "good" and "verdict": Good when the feed was read and has
 * activities that all have a time, a place and a cost; else what the
 * core checks found wanting, the worst first.
 */
static void
lint_verdict(json_t *rep, const size_t *count, size_t live)
{
	char	*v, *next;
	size_t	 k, done[LINT_NCHECKS], best, shown = 0;
	int	 good;

	if (!json_is_true(json_object_get(rep, "read"))) {
		xasprintf(&v, "Could not be read: %s", lint_str(rep, "error",
		    "no reason given"));
		good = 0;
	} else if (live == 0) {
		v = xstrdup("Needs work: the feed has no activities in it");
		good = 0;
	} else {
		good = 1;
		for (k = 0; k < LINT_NCHECKS; k++)
			if (lint_checks[k].core && count[k] > 0)
				good = 0;
		if (good)
			xasprintf(&v, "Good: %zu activit%s, %s", live,
			    live == 1 ? "y" : "ies", live == 1 ?
			    "with a time, a place and a cost" :
			    "all with times, places and costs");
		else {
			/* The core checks, the most common lack first. */
			v = xstrdup("Needs work:");
			memset(done, 0, sizeof done);
			for (;;) {
				best = LINT_NCHECKS;
				for (k = 0; k < LINT_NCHECKS; k++)
					if (lint_checks[k].core && !done[k] &&
					    count[k] > 0 && (best ==
					    LINT_NCHECKS || count[k] >
					    count[best]))
						best = k;
				if (best == LINT_NCHECKS)
					break;
				done[best] = 1;
				xasprintf(&next, "%s%s %zu of %zu%s %s %s", v,
				    shown > 0 ? "," : "", count[best], live,
				    shown > 0 ? "" : live == 1 ? " activity" :
				    " activities", count[best] == 1 ? "has" :
				    "have", lint_checks[best].brief);
				shown++;
				free(v);
				v = next;
			}
		}
	}
	json_object_set_new(rep, "good", json_boolean(good));
	json_object_set_new(rep, "verdict", json_string(v));
	free(v);
}

/* A string member, or `def` when it is absent or not a string. */
static const char *
lint_str(const json_t *o, const char *key, const char *def)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : def;
}

/* Whether o[group][member] (or o[group] when member is NULL) is set. */
static int
lint_has(const json_t *o, const char *group, const char *member)
{
	json_t	*v = json_object_get(o, group);

	if (member != NULL)
		v = json_object_get(v, member);
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v))
		return *json_string_value(v) != '\0';
	if (json_is_array(v))
		return json_array_size(v) > 0;
	return 1;
}

static int
lint_no_place(const json_t *r)
{
	return !json_is_true(json_object_get(json_object_get(r, "location"),
	    "online")) && !lint_has(r, "location", "name") &&
	    !lint_has(r, "location", "address") &&
	    !lint_has(r, "location", "postcode") &&
	    !lint_has(r, "location", "lat");
}

static int
lint_no_postcode(const json_t *r)
{
	return !json_is_true(json_object_get(json_object_get(r, "location"),
	    "online")) && !lint_has(r, "location", "postcode");
}

/* No start, or only a date: a time written as midnight is a date. */
static int
lint_no_time(const json_t *r)
{
	const char	*s = json_string_value(json_object_get(r, "start"));

	return s == NULL || (strlen(s) >= 19 &&
	    strncmp(s + 10, "T00:00:00", 9) == 0);
}

static int
lint_no_cost(const json_t *r)
{
	return !lint_has(r, "cost", "min") && !lint_has(r, "cost", "max") &&
	    !json_is_boolean(json_object_get(json_object_get(r, "cost"),
	    "free"));
}

static int
lint_no_access(const json_t *r)
{
	return !lint_has(r, "access", NULL);
}

static int
lint_no_booking(const json_t *r)
{
	return !lint_has(r, "booking", "url") &&
	    !lint_has(r, "booking", "phone") &&
	    !lint_has(r, "booking", "email") &&
	    !lint_has(r, "organiser", "phone") &&
	    !lint_has(r, "organiser", "email");
}

static int
lint_no_activity(const json_t *r)
{
	return !lint_has(r, "activity", NULL);
}

static int
lint_no_description(const json_t *r)
{
	return !lint_has(r, "summary", NULL) &&
	    !lint_has(r, "description", NULL);
}

static int
lint_pubdate_only(const json_t *r)
{
	return !lint_has(r, "start", NULL) && lint_has(r, "updated", NULL);
}

/* A rule that goes on for ever: neither UNTIL nor COUNT. */
static int
lint_endless_rule(const json_t *r)
{
	const char	*rule;

	rule = json_string_value(json_object_get(json_object_get(r,
	    "schedule"), "rrule"));
	if (rule == NULL)
		return 0;
	return strcasestr(rule, "UNTIL=") == NULL &&
	    strcasestr(rule, "COUNT=") == NULL;
}
