/*
 * record.c - the host services a format module calls, and the v1 records
 * they build.
 *
 * A module never builds JSON itself: it calls begin(), set() and end()
 * through `record_host`, and the sink behind those calls checks, converts
 * and bounds every value against one table of the v1 fields, so the same
 * rules hold whichever module read the feed.  What the sink refuses or
 * repairs it says in a warning; the warnings travel with the feed's result
 * into its health record, where a hub coordinator can read them.
 *
 * A record's identity is settled for the whole feed at once, when the
 * parse ends: the feed's own ids (guids) when every item has one of its
 * own, else every item's link, else a hash of title, start and location.
 * Deciding per feed rather than per item keeps two activities that share
 * a broken guid apart without giving one feed ids of three kinds; the
 * mode chosen is reported, stored per spoke, and handed back on the next
 * parse as a floor, so ids do not flip between refreshes.
 *
 * Times are kept as RFC 3339 with the offset they were published with, or,
 * for a local time, the offset of the record's own zone at that instant
 * (libical knows summer time), so "10:00" still reads as ten o'clock and
 * record_time_epoch() still gives the instant.
 *
 * A sink belongs to one parse on one thread; the tables here are constant,
 * so several parses may run at once.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <libical/ical.h>

#include "dayhub.h"

#define RECORD_DEFAULT_ZONE	"Europe/London"
#define RECORD_MAX_MESSAGE	512	/* bytes of one warning or error */
#define RECORD_MAX_SCALAR	64	/* bytes: number, flag, enum, time */
#define RECORD_MAX_ZONE		64	/* bytes of an IANA zone name */
#define RECORD_PREVIEW		40	/* bytes of a feed shown in an error */

enum field_kind {
	FIELD_TEXT,		/* one line of text */
	FIELD_LONGTEXT,		/* text that keeps its line breaks */
	FIELD_POSTCODE,		/* one line, tidied if it is a UK postcode */
	FIELD_ZONE,		/* an IANA zone libical knows */
	FIELD_ENUM,		/* one of `values` */
	FIELD_ENUMLIST,		/* any of `values`, each once */
	FIELD_LIST,		/* free one-line terms, each once */
	FIELD_REAL,		/* decimal number in [lo, hi] */
	FIELD_UINT,		/* whole number in [0, hi] */
	FIELD_BOOL,
	FIELD_TIME,		/* resolved to RFC 3339 at end() */
	FIELD_TIMELIST		/* a list of such times */
};

struct field {
	const char		*name;	/* "location.postcode" */
	enum field_kind		 kind;
	size_t			 max;	/* text: bytes kept */
	double			 lo;	/* numbers: the range */
	double			 hi;
	int			 money;	/* a leading pound sign is allowed */
	const char *const	*values; /* enums: NULL-terminated */
};

static const char *const record_states[] = {
	"updated", "deleted", NULL
};
static const char *const record_pathways[] = {
	"specialist", "supported", "community", NULL
};
static const char *const record_funding[] = {
	"direct_payment", "isf", "council", "self_funded", NULL
};
static const char *const record_access[] = {
	"wheelchair", "changing_places", "hearing_loop", "bsl", "makaton",
	"quiet_space", "sensory_friendly", "transport", NULL
};
static const char *const record_groups[] = {
	"learning_disability", "physical_disability", "autism", "dementia",
	"mental_health", "older_adults", "sensory", NULL
};

#define TEXT(n)		{ .name = (n), .kind = FIELD_TEXT, \
			  .max = RECORD_MAX_FIELD }
#define LONGTEXT(n)	{ .name = (n), .kind = FIELD_LONGTEXT, \
			  .max = RECORD_MAX_TEXT }
#define ENUM(n, v)	{ .name = (n), .kind = FIELD_ENUM, .values = (v) }
#define ENUMLIST(n, v)	{ .name = (n), .kind = FIELD_ENUMLIST, .values = (v) }
#define LIST(n)		{ .name = (n), .kind = FIELD_LIST, \
			  .max = RECORD_MAX_FIELD }
#define REAL(n, l, h)	{ .name = (n), .kind = FIELD_REAL, .lo = (l), \
			  .hi = (h) }
#define MONEY(n)	{ .name = (n), .kind = FIELD_REAL, .lo = 0, \
			  .hi = 100000, .money = 1 }
#define UINT(n)		{ .name = (n), .kind = FIELD_UINT, .hi = 100000 }
#define BOOL(n)		{ .name = (n), .kind = FIELD_BOOL }
#define TIME(n)		{ .name = (n), .kind = FIELD_TIME }

/*
 * Every field a module may set.  "id" and "spoke" are not here: the host
 * sets them at end().
 */
static const struct field record_fields[] = {
	TEXT("source_id"),
	ENUM("state", record_states),
	TEXT("url"),
	TEXT("title"),
	LONGTEXT("summary"),
	LONGTEXT("description"),
	TEXT("organiser.name"),
	TEXT("organiser.url"),
	TEXT("organiser.phone"),
	TEXT("organiser.email"),
	LIST("categories"),
	LIST("activity"),
	TIME("start"),
	TIME("end"),
	{ .name = "timezone", .kind = FIELD_ZONE, .max = RECORD_MAX_ZONE },
	TEXT("schedule.rrule"),
	{ .name = "schedule.exdates", .kind = FIELD_TIMELIST },
	{ .name = "schedule.rdates", .kind = FIELD_TIMELIST },
	TEXT("schedule.duration"),
	TEXT("location.name"),
	TEXT("location.address"),
	{ .name = "location.postcode", .kind = FIELD_POSTCODE,
	  .max = RECORD_MAX_FIELD },
	REAL("location.lat", -90, 90),
	REAL("location.lon", -180, 180),
	BOOL("location.online"),
	MONEY("cost.min"),
	MONEY("cost.max"),
	TEXT("cost.currency"),
	TEXT("cost.per"),
	BOOL("cost.free"),
	TEXT("cost.notes"),
	ENUMLIST("funding", record_funding),
	ENUM("pathway", record_pathways),
	TEXT("support.ratio"),
	BOOL("support.personal_care"),
	ENUMLIST("access", record_access),
	ENUMLIST("groups", record_groups),
	UINT("age.min"),
	UINT("age.max"),
	UINT("capacity.max"),
	UINT("capacity.remaining"),
	TEXT("booking.url"),
	TEXT("booking.phone"),
	TEXT("booking.email"),
	BOOL("booking.required"),
	BOOL("carers.free"),
	TEXT("carers.notes"),
	TIME("updated"),
};
#define RECORD_NFIELDS	(sizeof record_fields / sizeof record_fields[0])

/* A bit per field in `capped` says its list-full warning was given. */
_Static_assert(RECORD_NFIELDS <= 64, "record_fields outgrew the mask");

/*
 * Ways of telling a feed's records apart, weakest last; a stored mode is
 * a floor for the next parse.
 */
enum record_idmode {
	IDMODE_GUID,		/* the feed's own ids */
	IDMODE_LINK,		/* each item's link */
	IDMODE_HASH		/* title, start and location */
};
static const char *const record_idmodes[] = {
	[IDMODE_GUID] = "guid",
	[IDMODE_LINK] = "link",
	[IDMODE_HASH] = "hash",
};

/* Pairs that must not run backwards; the upper one is dropped if they do. */
static const struct {
	const char	*group;
	const char	*lo;
	const char	*hi;
} record_ranges[] = {
	{ "cost", "min", "max" },
	{ "age", "min", "max" },
};

/* The per-parse state behind record_host. */
struct record_sink {
	char		*spoke;
	char		*zone;		/* for local times without a zone */
	size_t		 max_items;
	size_t		 nbegun;	/* records begun, dropped ones too */
	int		 stopped;	/* the item limit was reached */
	enum record_idmode floor;	/* the weakest mode allowed */
	json_t		*cur;		/* the record being built, or NULL */
	uint64_t	 capped;	/* lists warned full in this record */
	json_t		*records;	/* ids are settled at finish */
	size_t		*itemno;	/* each record's item number */
	size_t		 itemcap;
	json_t		*warnings;
	size_t		 nwarnings;
	json_t		*feed;
	size_t		 nlocal;	/* starts and ends without an offset */
	char		*error;		/* the module's first error() */
};

/* A time as read, before any zone is applied. */
struct rtime {
	int	year, month, day, hour, minute, second;
	int	has_offset;
	int	zulu;		/* written with Z */
	int	offset;		/* seconds east of UTC */
};

typedef int (*field_set_fn)(struct record_sink *, const struct field *,
    const char *, size_t);

static int	 record_begin_cb(void *);
static int	 record_set_cb(void *, const char *, const char *, size_t);
static int	 record_end_cb(void *);
static void	 record_feed_cb(void *, const char *, const char *, size_t);
static void	 record_warn_cb(void *, unsigned long, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 record_error_cb(void *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void	 record_vwarn(struct record_sink *, unsigned long,
		    const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static void	 record_warn(struct record_sink *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 record_item_warn(struct record_sink *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 record_message_clean(char *);

static int	 record_set_text(struct record_sink *, const struct field *,
		    const char *, size_t);
static int	 record_set_enum(struct record_sink *, const struct field *,
		    const char *, size_t);
static int	 record_set_list(struct record_sink *, const struct field *,
		    const char *, size_t);
static int	 record_set_number(struct record_sink *,
		    const struct field *, const char *, size_t);
static int	 record_set_bool(struct record_sink *, const struct field *,
		    const char *, size_t);
static int	 record_set_time(struct record_sink *, const struct field *,
		    const char *, size_t);

static const struct field *record_field_find(const char *);
static json_t	*record_slot(json_t *, const char *, const char **);
static int	 record_list_add(struct record_sink *, const struct field *,
		    json_t *);
static char	*record_text_clean(const char *, size_t, int, size_t, int *);
static int	 record_scalar(const char *, size_t, char *, size_t);
static int	 record_postcode(const char *, char *, size_t);
static int	 record_zone_known(const char *);
static int	 record_time_parse(const char *, struct rtime *,
		    const char **);
static json_t	*record_time_json(struct record_sink *, const char *,
		    const char *, const char *);
static void	 record_time_resolve(struct record_sink *, json_t *,
		    const char *, const char *);
static void	 record_check_order(struct record_sink *, json_t *);
static void	 record_taxonomy(struct record_sink *, json_t *);
static void	 record_terms_add(json_t *, const char *const *, size_t);
static int	 record_identifiable(struct record_sink *, json_t *);
static const char *record_identify(struct record_sink *);
static size_t	 record_id_pass(struct record_sink *, enum record_idmode,
		    char *, char *, size_t);
static char	*record_id_key(json_t *, enum record_idmode);
static int	 record_is_deleted(json_t *);
static uint64_t	 record_fnv1a(uint64_t, const void *, size_t);

static const field_set_fn record_setters[] = {
	[FIELD_TEXT] = record_set_text,
	[FIELD_LONGTEXT] = record_set_text,
	[FIELD_POSTCODE] = record_set_text,
	[FIELD_ZONE] = record_set_text,
	[FIELD_ENUM] = record_set_enum,
	[FIELD_ENUMLIST] = record_set_enum,
	[FIELD_LIST] = record_set_list,
	[FIELD_REAL] = record_set_number,
	[FIELD_UINT] = record_set_number,
	[FIELD_BOOL] = record_set_bool,
	[FIELD_TIME] = record_set_time,
	[FIELD_TIMELIST] = record_set_time,
};

const struct dayhub_host record_host = {
	.size = sizeof(struct dayhub_host),
	.abi_minor = DAYHUB_PLUGIN_ABI_MINOR,
	.begin = record_begin_cb,
	.set = record_set_cb,
	.end = record_end_cb,
	.feed = record_feed_cb,
	.warn = record_warn_cb,
	.error = record_error_cb,
};

/*
 * Makes a sink for one parse of `spoke`'s feed.  Local times are read in
 * `zone` (NULL: Europe/London; an unknown zone is warned about and
 * replaced by it).  begin() stops the module after `max_items` records
 * (0: FEED_MAX_ITEMS).
 */
struct record_sink *
record_sink_new(const char *spoke, const char *zone, size_t max_items)
{
	struct record_sink	*sink;

	if (spoke == NULL)
		fatalx("%s: no spoke", __func__);
	sink = xcalloc(1, sizeof *sink);
	sink->spoke = xstrdup(spoke);
	sink->max_items = max_items == 0 ? FEED_MAX_ITEMS : max_items;
	sink->records = json_array();
	sink->warnings = json_array();
	sink->feed = json_object();
	if (sink->records == NULL || sink->warnings == NULL ||
	    sink->feed == NULL)
		fatalx("%s: out of memory", __func__);
	if (zone == NULL || *zone == '\0')
		sink->zone = xstrdup(RECORD_DEFAULT_ZONE);
	else if (!record_zone_known(zone)) {
		record_warn(sink, "the time zone \"%.64s\" is unknown: local "
		    "times are read as %s", zone, RECORD_DEFAULT_ZONE);
		sink->zone = xstrdup(RECORD_DEFAULT_ZONE);
	} else
		sink->zone = xstrdup(zone);
	return sink;
}

/*
 * Sets the weakest identity mode this parse may use: the mode the spoke's
 * feed was given before ("guid", "link" or "hash"; NULL or "" for none),
 * so that a feed whose ids once proved unreliable keeps the fallback even
 * when today's ids look clean.  Returns 0, or -1 for an unknown mode,
 * which leaves the sink as it was.
 */
int
record_sink_identity(struct record_sink *sink, const char *mode)
{
	size_t	i;

	if (mode == NULL || *mode == '\0') {
		sink->floor = IDMODE_GUID;
		return 0;
	}
	for (i = 0; i < sizeof record_idmodes / sizeof record_idmodes[0]; i++) {
		if (strcmp(mode, record_idmodes[i]) == 0) {
			sink->floor = (enum record_idmode)i;
			return 0;
		}
	}
	return -1;
}

/*
 * Settles the records' identities for the feed as a whole (see
 * record_identify), then hands the sink's records, warnings and feed
 * facts to `out` (which then owns them) and sets out->identity.  The
 * host adds one feed fact of its own, "local_times": how many starts and
 * ends had a time of day but no offset, and so were read in the zone
 * (absent when none); leaves
 * out->error and out->format alone.  A record begun and never ended is
 * dropped with a warning.
 */
void
record_sink_finish(struct record_sink *sink, struct feed_result *out)
{
	if (sink->cur != NULL) {
		record_item_warn(sink, "the module did not finish this item: "
		    "dropped");
		json_decref(sink->cur);
		sink->cur = NULL;
	}
	out->identity = record_identify(sink);
	if (sink->nlocal > 0)
		json_object_set_new(sink->feed, "local_times",
		    json_integer((json_int_t)sink->nlocal));
	sink->nlocal = 0;
	json_decref(out->records);
	json_decref(out->warnings);
	json_decref(out->feed);
	out->records = sink->records;
	out->warnings = sink->warnings;
	out->nwarnings = sink->nwarnings;
	out->feed = sink->feed;
	sink->records = json_array();
	sink->warnings = json_array();
	sink->feed = json_object();
	sink->nwarnings = 0;
	if (sink->records == NULL || sink->warnings == NULL ||
	    sink->feed == NULL)
		fatalx("%s: out of memory", __func__);
}

void
record_sink_free(struct record_sink *sink)
{
	if (sink == NULL)
		return;
	json_decref(sink->cur);
	json_decref(sink->records);
	free(sink->itemno);
	json_decref(sink->warnings);
	json_decref(sink->feed);
	free(sink->error);
	free(sink->spoke);
	free(sink->zone);
	free(sink);
}

/* Releases what a feed_result holds, not the struct itself. */
void
feed_result_free(struct feed_result *res)
{
	if (res == NULL)
		return;
	json_decref(res->records);
	json_decref(res->warnings);
	json_decref(res->feed);
	free(res->error);
	res->records = res->warnings = res->feed = NULL;
	res->error = NULL;
	res->identity = NULL;
	res->nwarnings = 0;
}

/*
 * Reads one feed: chooses its module by name (req->format) or by sniffing
 * the first FEED_SNIFF_BYTES when format is NULL or "auto", runs it over a
 * fresh sink and fills `out`, which the caller zeroes first and releases
 * with feed_result_free().  The bytes are anything at all, up to
 * FEED_CEILING_BYTES.  req->identity is the mode the spoke's records were
 * told apart by last time (NULL for none; see record_sink_identity).
 * Returns 0 when the module read the feed (records, warnings and feed
 * facts set, identity the mode used; error NULL), or -1 with out->error
 * saying in words why not; records built before a module's error are
 * discarded, its warnings kept, and identity is NULL.  records, warnings
 * and feed are never NULL after it.
 */
int
record_parse(const struct parse_request *req, struct feed_result *out)
{
	const struct plugin	*p = NULL;
	struct record_sink	*sink = NULL;
	struct dayhub_input	 in;
	char			 preview[RECORD_PREVIEW + 1];
	size_t			 i, n;
	int			 score = DAYHUB_SNIFF_NO, rc, ret = -1;

	memset(out, 0, sizeof *out);
	out->bytes = req->len;
	sink = record_sink_new(req->spoke, req->timezone, req->max_items);
	if (record_sink_identity(sink, req->identity) == -1)
		record_warn(sink, "the identity mode \"%.16s\" kept for this "
		    "feed is unknown: its ids are judged afresh", req->identity);
	if (req->len > FEED_CEILING_BYTES) {
		xasprintf(&out->error, "the feed is %zu bytes, over the limit "
		    "of %d", req->len, FEED_CEILING_BYTES);
		goto fail;
	}
	if (req->format != NULL && strcmp(req->format, "auto") != 0) {
		if ((p = plugin_find(req->format)) == NULL) {
			xasprintf(&out->error, "no format module is called "
			    "\"%.64s\"", req->format);
			goto fail;
		}
	} else {
		if (req->len == 0) {
			out->error = xstrdup("the feed is empty");
			goto fail;
		}
		n = req->len < FEED_SNIFF_BYTES ? req->len : FEED_SNIFF_BYTES;
		p = plugin_sniff(req->data, n, req->content_type, &score);
		if (p == NULL || score <= DAYHUB_SNIFF_NO) {
			n = req->len < RECORD_PREVIEW ? req->len :
			    RECORD_PREVIEW;
			for (i = 0; i < n; i++)
				preview[i] = req->data[i] >= 0x20 &&
				    req->data[i] < 0x7f && req->data[i] != '"' ?
				    (char)req->data[i] : '.';
			preview[n] = '\0';
			xasprintf(&out->error, "no format module recognises "
			    "this feed (it starts with \"%s\"%s)", preview,
			    req->len > n ? "..." : "");
			goto fail;
		}
	}
	out->format = p->desc->name;

	memset(&in, 0, sizeof in);
	in.size = sizeof in;
	in.data = req->data;
	in.len = req->len;
	in.base_url = req->base_url;
	in.content_type = req->content_type;
	in.timezone = sink->zone;
	in.max_items = sink->max_items;
	in.max_depth = FEED_MAX_DEPTH;
	rc = p->desc->parse(&in, &record_host, sink);
	if (rc != DAYHUB_OK && rc != DAYHUB_STOP) {
		if (sink->error != NULL) {
			out->error = sink->error;
			sink->error = NULL;
		} else if (rc == DAYHUB_ERROR)
			xasprintf(&out->error, "the %s module could not read "
			    "it", p->desc->name);
		else
			xasprintf(&out->error, "the %s module gave an unknown "
			    "answer (%d)", p->desc->name, rc);
		goto fail;
	}
	if (sink->error != NULL)
		record_warn(sink, "the module reported \"%s\" but read the "
		    "feed", sink->error);
	ret = 0;

fail:
	/* Nothing of a failed parse is identified or kept but its warnings. */
	if (ret == -1) {
		json_array_clear(sink->records);
		json_decref(sink->cur);
		sink->cur = NULL;
	}
	record_sink_finish(sink, out);
	if (ret == -1)
		out->identity = NULL;
	record_sink_free(sink);
	return ret;
}

/*
 * Resolves a time a feed gave into RFC 3339 with an offset.  `in` is an
 * RFC 3339 time with Z or an offset (kept as given, fractions dropped), a
 * local date-time without one ("2026-12-01T10:00", seconds optional, 'T'
 * or a space between), or a date ("2026-12-01", read as local midnight);
 * local ones take the offset `tz` (an IANA zone; NULL: Europe/London) has
 * at that moment.  Years run 1900-2999.  Writes "2026-07-01T10:00:00+01:00"
 * into `out` and returns 0, or returns -1 when `in` is not such a time,
 * the zone is unknown, or `out` is too small.
 */
int
record_time_normalize(const char *in, const char *tz, char *out,
    size_t outlen)
{
	struct rtime		 t;
	struct icaltimetype	 tt;
	icaltimezone		*zone;
	const char		*why;
	int			 n, off, dst = 0;

	if (in == NULL || record_time_parse(in, &t, &why) == -1)
		return -1;
	if (!t.has_offset) {
		if (tz == NULL)
			tz = RECORD_DEFAULT_ZONE;
		if (!record_zone_known(tz))
			return -1;
		zone = zone_find(tz);
		tt = icaltime_null_time();
		tt.year = t.year;
		tt.month = t.month;
		tt.day = t.day;
		tt.hour = t.hour;
		tt.minute = t.minute;
		tt.second = t.second;
		tt.is_date = 0;
		t.offset = icaltimezone_get_utc_offset(zone, &tt, &dst);
	}
	if (t.zulu)
		n = snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    t.year, t.month, t.day, t.hour, t.minute, t.second);
	else {
		off = t.offset < 0 ? -t.offset : t.offset;
		n = snprintf(out, outlen,
		    "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", t.year,
		    t.month, t.day, t.hour, t.minute, t.second,
		    t.offset < 0 ? '-' : '+', off / 3600, off / 60 % 60);
	}
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return 0;
}

/*
 * Gives the instant of an RFC 3339 time with Z or an offset (what
 * record_time_normalize() writes) as seconds since the epoch.  Returns 0,
 * or -1 for anything else, a local time included.
 */
int
record_time_epoch(const char *s, time_t *out)
{
	struct rtime	 t;
	struct tm	 tm;
	const char	*why;
	time_t		 v;

	if (s == NULL || record_time_parse(s, &t, &why) == -1 ||
	    !t.has_offset)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = t.year - 1900;
	tm.tm_mon = t.month - 1;
	tm.tm_mday = t.day;
	tm.tm_hour = t.hour;
	tm.tm_min = t.minute;
	tm.tm_sec = t.second;
	if ((v = timegm(&tm)) == (time_t)-1)
		return -1;
	*out = v - t.offset;
	return 0;
}

/*
 * begin(): starts a record.  Answers DAYHUB_STOP once max_items records
 * were begun (warning once), after which the module returns.
 */
static int
record_begin_cb(void *arg)
{
	struct record_sink	*sink = arg;

	if (sink->stopped)
		return DAYHUB_STOP;
	if (sink->nbegun >= sink->max_items) {
		sink->stopped = 1;
		record_warn(sink, "stopped after %zu items: the feed is over "
		    "the limit", sink->max_items);
		return DAYHUB_STOP;
	}
	if (sink->cur != NULL) {
		record_item_warn(sink, "the module began another item before "
		    "ending this one: dropped");
		json_decref(sink->cur);
	}
	if ((sink->cur = json_object()) == NULL)
		fatalx("%s: out of memory", __func__);
	sink->capped = 0;
	sink->nbegun++;
	return DAYHUB_OK;
}

/*
 * set(): one value of one v1 field for the record being built.  `value`
 * is `len` bytes from the feed, not NUL-terminated, anything at all.
 * Returns DAYHUB_OK when it was kept (perhaps repaired, with a warning;
 * an empty value is simply not set), DAYHUB_REJECT with a warning when it
 * was refused: an unknown field, a value that does not fit the field, or
 * a call outside begin()..end().
 */
static int
record_set_cb(void *arg, const char *name, const char *value, size_t len)
{
	struct record_sink	*sink = arg;
	const struct field	*f;

	if (name == NULL)
		name = "(null)";
	if (sink->cur == NULL) {
		record_warn(sink, "the module set \"%.64s\" outside an item "
		    "(a bug in the module): ignored", name);
		return DAYHUB_REJECT;
	}
	if ((f = record_field_find(name)) == NULL) {
		record_item_warn(sink, "there is no field \"%.64s\": ignored",
		    name);
		return DAYHUB_REJECT;
	}
	if (value == NULL) {
		record_item_warn(sink, "%s: no value: ignored", f->name);
		return DAYHUB_REJECT;
	}
	return record_setters[f->kind](sink, f, value, len);
}

/*
 * end(): completes the record.  A record without a title (unless it says
 * it was deleted) or without any identity is dropped with a warning and
 * DAYHUB_REJECT; otherwise its times are resolved, its id made and it is
 * kept, and the answer is DAYHUB_OK.
 */
static int
record_end_cb(void *arg)
{
	struct record_sink	*sink = arg;
	json_t			*rec, *out, *v, *list, *copy, *t;
	const char		*zone, *key, *state, *why;
	struct rtime		 rt;
	size_t			 i, k;

	if ((rec = sink->cur) == NULL) {
		record_warn(sink, "the module ended an item it had not begun "
		    "(a bug in the module)");
		return DAYHUB_REJECT;
	}
	sink->cur = NULL;

	if ((state = json_string_value(json_object_get(rec, "state"))) ==
	    NULL) {
		state = "updated";
		json_object_set_new(rec, "state", json_string(state));
	}
	if (strcmp(state, "deleted") != 0 &&
	    json_object_get(rec, "title") == NULL) {
		record_item_warn(sink, "no title: the item was dropped");
		goto drop;
	}

	if ((zone = json_string_value(json_object_get(rec, "timezone"))) ==
	    NULL) {
		zone = sink->zone;
		json_object_set_new(rec, "timezone", json_string(zone));
	}
	/* Counted for the feed, as whoever publishes it may not know. */
	for (k = 0; k < 2; k++) {
		const char *raw = json_string_value(json_object_get(rec,
		    k == 0 ? "start" : "end"));

		if (raw != NULL && record_time_parse(raw, &rt, &why) == 0 &&
		    !rt.has_offset && strlen(raw) > 10)
			sink->nlocal++;
	}
	record_time_resolve(sink, rec, "start", zone);
	record_time_resolve(sink, rec, "end", zone);
	record_time_resolve(sink, rec, "updated", zone);
	/* Dates left out of a rule and dates added to it, both resolved. */
	for (k = 0; k < 2; k++) {
		const char *member = k == 0 ? "exdates" : "rdates";

		list = json_object_get(json_object_get(rec, "schedule"),
		    member);
		if (list == NULL)
			continue;
		if ((copy = json_array()) == NULL)
			fatalx("%s: out of memory", __func__);
		json_array_foreach(list, i, v) {
			if ((t = record_time_json(sink, k == 0 ?
			    "schedule.exdates" : "schedule.rdates",
			    json_string_value(v), zone)) != NULL)
				json_array_append_new(copy, t);
		}
		json_object_set_new(json_object_get(rec, "schedule"), member,
		    copy);
	}
	record_check_order(sink, rec);
	record_taxonomy(sink, rec);

	if (!record_identifiable(sink, rec))
		goto drop;

	/*
	 * The identity first, for whoever reads the JSON; id is a null
	 * until the feed is finished, source_id the feed's own id or null.
	 */
	if ((out = json_object()) == NULL)
		fatalx("%s: out of memory", __func__);
	json_object_set_new(out, "id", json_null());
	json_object_set_new(out, "spoke", json_string(sink->spoke));
	if ((v = json_object_get(rec, "source_id")) != NULL)
		json_object_set(out, "source_id", v);
	else
		json_object_set_new(out, "source_id", json_null());
	json_object_set(out, "state", json_object_get(rec, "state"));
	json_object_foreach(rec, key, v) {
		if (json_object_get(out, key) == NULL)
			json_object_set(out, key, v);
	}
	if (json_array_size(sink->records) == sink->itemcap) {
		sink->itemcap = sink->itemcap == 0 ? 64 : sink->itemcap * 2;
		sink->itemno = xreallocarray(sink->itemno, sink->itemcap,
		    sizeof *sink->itemno);
	}
	sink->itemno[json_array_size(sink->records)] = sink->nbegun;
	json_array_append_new(sink->records, out);
	json_decref(rec);
	return DAYHUB_OK;

drop:
	json_decref(rec);
	return DAYHUB_REJECT;
}

/*
 * feed(): a fact about the whole feed: "title", "link", "generator",
 * "license", and for a paged feed "next" (the next page's URL) and "rpde"
 * ("last" on its last page), one line of text each; or "ttl" (whole
 * minutes, at most a year).  Anything else, or a value that does not
 * fit, is warned about and ignored.
 */
static void
record_feed_cb(void *arg, const char *key, const char *value, size_t len)
{
	static const char *const texts[] = {
		"title", "link", "generator", "license", "next", "rpde",
	};
	struct record_sink	*sink = arg;
	unsigned long long	 ttl;
	char			 buf[RECORD_MAX_SCALAR], *s;
	size_t			 i;
	int			 cut;

	if (key == NULL || value == NULL)
		return;
	if (strcmp(key, "ttl") == 0) {
		if (record_scalar(value, len, buf, sizeof buf) == -1 ||
		    parse_uint(buf, 525600, &ttl) == -1) {
			record_warn(sink, "the feed's ttl is not a number of "
			    "minutes: ignored");
			return;
		}
		json_object_set_new(sink->feed, "ttl", json_integer(
		    (json_int_t)ttl));
		return;
	}
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (strcmp(key, texts[i]) == 0)
			break;
	if (i == sizeof texts / sizeof texts[0]) {
		record_warn(sink, "the module gave an unknown feed fact "
		    "\"%.64s\": ignored", key);
		return;
	}
	if (!utf8_valid(value, len)) {
		record_warn(sink, "the feed's %s is not valid UTF-8: ignored",
		    texts[i]);
		return;
	}
	s = record_text_clean(value, len, 0, RECORD_MAX_FIELD, &cut);
	if (*s != '\0')
		json_object_set_new(sink->feed, texts[i], json_string(s));
	free(s);
}

/* warn(): something the module repaired, guessed or dropped. */
static void
record_warn_cb(void *arg, unsigned long line, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	record_vwarn(arg, line, fmt, ap);
	va_end(ap);
}

/* error(): why the parse is failing; the first one is kept. */
static void
record_error_cb(void *arg, const char *fmt, ...)
{
	struct record_sink	*sink = arg;
	char			 msg[RECORD_MAX_MESSAGE];
	va_list			 ap;

	if (sink->error != NULL || fmt == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	record_message_clean(msg);
	sink->error = xstrdup(msg);
}

/* Counts a warning and keeps the first RECORD_MAX_WARNINGS of them. */
static void
record_vwarn(struct record_sink *sink, unsigned long line, const char *fmt,
    va_list ap)
{
	char	 msg[RECORD_MAX_MESSAGE];
	json_t	*w;

	sink->nwarnings++;
	if (fmt == NULL ||
	    json_array_size(sink->warnings) >= RECORD_MAX_WARNINGS)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	record_message_clean(msg);
	w = json_pack("{s:I,s:s}", "line", (json_int_t)line, "message", msg);
	if (w == NULL)
		fatalx("%s: out of memory", __func__);
	json_array_append_new(sink->warnings, w);
}

/* A warning about the feed as a whole. */
static void
record_warn(struct record_sink *sink, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	record_vwarn(sink, 0, fmt, ap);
	va_end(ap);
}

/* A warning about the record being built, prefixed with its number. */
static void
record_item_warn(struct record_sink *sink, const char *fmt, ...)
{
	char	msg[RECORD_MAX_MESSAGE];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	record_warn(sink, "item %zu: %s", sink->nbegun, msg);
}

/*
 * Makes a message safe to keep: control characters become spaces, bytes
 * that are not UTF-8 become '?', and a character cut at the end by the
 * size limit goes.
 */
static void
record_message_clean(char *s)
{
	unsigned char	*p = (unsigned char *)s;
	size_t		 left = strlen(s), n;

	while (left > 0) {
		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				*p = ' ';
			p++;
			left--;
			continue;
		}
		n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		    (*p & 0xf8) == 0xf0 ? 4 : 1;
		if (n > 1 && n <= left && utf8_valid((char *)p, n)) {
			p += n;
			left -= n;
		} else if (n > left) {
			*p = '\0';	/* cut short by vsnprintf */
			return;
		} else {
			*p++ = '?';
			left--;
		}
	}
}

/*
 * Text fields: valid UTF-8 only; tidied (one-line fields get their runs
 * of white space and control characters made one space); cut to the
 * field's size on a character boundary; postcodes and zones checked.
 */
static int
record_set_text(struct record_sink *sink, const struct field *f,
    const char *value, size_t len)
{
	const char	*member;
	json_t		*slot;
	char		*s, pc[16];
	int		 cut;

	if (!utf8_valid(value, len)) {
		record_item_warn(sink, "%s: not valid UTF-8: ignored",
		    f->name);
		return DAYHUB_REJECT;
	}
	s = record_text_clean(value, len, f->kind == FIELD_LONGTEXT, f->max,
	    &cut);
	if (*s == '\0') {
		free(s);
		return DAYHUB_OK;
	}
	if (f->kind == FIELD_ZONE && (cut || !record_zone_known(s))) {
		record_item_warn(sink, "%s: \"%.64s\" is not a time zone this "
		    "host knows: ignored", f->name, s);
		free(s);
		return DAYHUB_REJECT;
	}
	if (cut)
		record_item_warn(sink, "%s: longer than %zu bytes: cut short",
		    f->name, f->max);
	slot = record_slot(sink->cur, f->name, &member);
	if (f->kind == FIELD_POSTCODE &&
	    record_postcode(s, pc, sizeof pc) == 0)
		json_object_set_new(slot, member, json_string(pc));
	else
		json_object_set_new(slot, member, json_string(s));
	free(s);
	return DAYHUB_OK;
}

/*
 * Enumerations: matched without regard to case, with '-' or ' ' taken
 * for '_' ("Changing Places" is changing_places).
 */
static int
record_set_enum(struct record_sink *sink, const struct field *f,
    const char *value, size_t len)
{
	char		 buf[RECORD_MAX_SCALAR], allowed[256];
	const char	*member;
	json_t		*slot;
	size_t		 i, n = 0;

	if (record_scalar(value, len, buf, sizeof buf) == 0) {
		if (buf[0] == '\0')
			return DAYHUB_OK;
		for (i = 0; buf[i] != '\0'; i++) {
			if (buf[i] == '-' || buf[i] == ' ')
				buf[i] = '_';
			else
				buf[i] = (char)tolower((unsigned char)buf[i]);
		}
		for (i = 0; f->values[i] != NULL; i++)
			if (strcmp(buf, f->values[i]) == 0)
				break;
		if (f->values[i] != NULL) {
			slot = record_slot(sink->cur, f->name, &member);
			if (f->kind == FIELD_ENUM) {
				json_object_set_new(slot, member,
				    json_string(f->values[i]));
				return DAYHUB_OK;
			}
			return record_list_add(sink, f,
			    json_string(f->values[i]));
		}
	}
	allowed[0] = '\0';
	for (i = 0; f->values[i] != NULL && n < sizeof allowed; i++)
		n += (size_t)snprintf(allowed + n, sizeof allowed - n, "%s%s",
		    i == 0 ? "" : ", ", f->values[i]);
	record_item_warn(sink, "%s: \"%.*s\" is not one of %s: ignored",
	    f->name, (int)(len < 64 ? len : 64), value, allowed);
	return DAYHUB_REJECT;
}

/* Free lists (categories, activity): one-line terms, each once. */
static int
record_set_list(struct record_sink *sink, const struct field *f,
    const char *value, size_t len)
{
	json_t	*v;
	char	*s;
	int	 cut;

	if (!utf8_valid(value, len)) {
		record_item_warn(sink, "%s: not valid UTF-8: ignored",
		    f->name);
		return DAYHUB_REJECT;
	}
	s = record_text_clean(value, len, 0, f->max, &cut);
	if (*s == '\0') {
		free(s);
		return DAYHUB_OK;
	}
	if (cut)
		record_item_warn(sink, "%s: a value longer than %zu bytes was "
		    "cut short", f->name, f->max);
	v = json_string(s);
	free(s);
	return record_list_add(sink, f, v);
}

/*
 * Numbers: digits with an optional decimal part (whole numbers only for
 * FIELD_UINT), a '-' only where the range allows it, a leading pound sign
 * for money; no exponents, hex, NaN or infinities; within [lo, hi].
 */
static int
record_set_number(struct record_sink *sink, const struct field *f,
    const char *value, size_t len)
{
	static const char	 pound[] = "\xc2\xa3";
	unsigned long long	 u;
	const char		*member, *p, *q;
	json_t			*slot;
	char			 buf[RECORD_MAX_SCALAR], *end;
	double			 d;

	if (record_scalar(value, len, buf, sizeof buf) == -1)
		goto fail;
	p = buf;
	if (f->money && strncmp(p, pound, 2) == 0) {
		p += 2;
		while (*p == ' ')
			p++;
	}
	if (*p == '\0')
		return DAYHUB_OK;
	slot = record_slot(sink->cur, f->name, &member);
	if (f->kind == FIELD_UINT) {
		if (parse_uint(p, (unsigned long long)f->hi, &u) == -1)
			goto fail;
		json_object_set_new(slot, member, json_integer((json_int_t)u));
		return DAYHUB_OK;
	}
	/* strtod takes hex, exponents and "nan": check the shape first. */
	q = p;
	if (*q == '-' && f->lo < 0)
		q++;
	if (!isdigit((unsigned char)*q))
		goto fail;
	while (isdigit((unsigned char)*q))
		q++;
	if (*q == '.') {
		q++;
		if (!isdigit((unsigned char)*q))
			goto fail;
		while (isdigit((unsigned char)*q))
			q++;
	}
	if (*q != '\0')
		goto fail;
	d = strtod(p, &end);
	if (*end != '\0' || !isfinite(d) || d < f->lo || d > f->hi)
		goto fail;
	json_object_set_new(slot, member, json_real(d));
	return DAYHUB_OK;

fail:
	if (f->kind == FIELD_UINT)
		record_item_warn(sink, "%s: \"%.*s\" is not a whole number "
		    "from 0 to %.0f: ignored", f->name,
		    (int)(len < 64 ? len : 64), value, f->hi);
	else
		record_item_warn(sink, "%s: \"%.*s\" is not a number from "
		    "%.0f to %.0f: ignored", f->name,
		    (int)(len < 64 ? len : 64), value, f->lo, f->hi);
	return DAYHUB_REJECT;
}

/* Flags: yes/no, true/false, on/off, 1/0. */
static int
record_set_bool(struct record_sink *sink, const struct field *f,
    const char *value, size_t len)
{
	const char	*member;
	json_t		*slot;
	char		 buf[RECORD_MAX_SCALAR];
	int		 b;

	if (record_scalar(value, len, buf, sizeof buf) == -1 ||
	    parse_bool(buf, &b) == -1) {
		record_item_warn(sink, "%s: \"%.*s\" is not yes or no: "
		    "ignored", f->name, (int)(len < 64 ? len : 64), value);
		return DAYHUB_REJECT;
	}
	slot = record_slot(sink->cur, f->name, &member);
	json_object_set_new(slot, member, json_boolean(b));
	return DAYHUB_OK;
}

/*
 * Times: checked now, kept as given and resolved at end(), because the
 * record's own "timezone" may be set after its times.
 */
static int
record_set_time(struct record_sink *sink, const struct field *f,
    const char *value, size_t len)
{
	struct rtime	 t;
	const char	*member, *why = "not a date";
	json_t		*slot;
	char		 buf[RECORD_MAX_SCALAR];

	if (record_scalar(value, len, buf, sizeof buf) == -1 ||
	    record_time_parse(buf, &t, &why) == -1) {
		record_item_warn(sink, "%s: \"%.*s\" is not a date or time "
		    "(%s): ignored", f->name, (int)(len < 64 ? len : 64),
		    value, why);
		return DAYHUB_REJECT;
	}
	if (f->kind == FIELD_TIMELIST)
		return record_list_add(sink, f, json_string(buf));
	slot = record_slot(sink->cur, f->name, &member);
	json_object_set_new(slot, member, json_string(buf));
	return DAYHUB_OK;
}

static const struct field *
record_field_find(const char *name)
{
	size_t	i;

	for (i = 0; i < RECORD_NFIELDS; i++)
		if (strcmp(record_fields[i].name, name) == 0)
			return &record_fields[i];
	return NULL;
}

/*
 * Finds the object a field's value goes in: the record itself, or its
 * group ("location" for "location.postcode"), made on first use.
 */
static json_t *
record_slot(json_t *rec, const char *name, const char **member)
{
	const char	*dot;
	char		 group[32];
	json_t		*g;

	if ((dot = strchr(name, '.')) == NULL) {
		*member = name;
		return rec;
	}
	*member = dot + 1;
	if ((size_t)(dot - name) >= sizeof group)
		fatalx("%s: group of %s too long", __func__, name);
	memcpy(group, name, (size_t)(dot - name));
	group[dot - name] = '\0';
	if ((g = json_object_get(rec, group)) == NULL) {
		g = json_object();
		json_object_set_new(rec, group, g);
	}
	return g;
}

/*
 * Adds `v` (a string, taken over) to a list field unless it is there
 * already; a full list refuses it, warning once per record.
 */
static int
record_list_add(struct record_sink *sink, const struct field *f, json_t *v)
{
	const char	*member, *s = json_string_value(v);
	json_t		*slot, *list, *e;
	size_t		 i;
	uint64_t	 bit = 1ULL << (f - record_fields);

	slot = record_slot(sink->cur, f->name, &member);
	if ((list = json_object_get(slot, member)) == NULL) {
		list = json_array();
		json_object_set_new(slot, member, list);
	}
	json_array_foreach(list, i, e) {
		if (strcasecmp(json_string_value(e), s) == 0) {
			json_decref(v);
			return DAYHUB_OK;
		}
	}
	if (json_array_size(list) >= RECORD_MAX_LIST) {
		if ((sink->capped & bit) == 0)
			record_item_warn(sink, "%s: more than %d values: the "
			    "rest ignored", f->name, RECORD_MAX_LIST);
		sink->capped |= bit;
		json_decref(v);
		return DAYHUB_REJECT;
	}
	json_array_append_new(list, v);
	return DAYHUB_OK;
}

/*
 * Tidies valid UTF-8 text into a new string: control characters dropped
 * or made spaces, ends trimmed; a one-line text has each run of white
 * space made one space, a multi-line one keeps its line breaks (CRLF made
 * LF).  Cuts it to `max` bytes on a character boundary and says so in
 * `*cut`.
 */
static char *
record_text_clean(const char *in, size_t len, int multiline, size_t max,
    int *cut)
{
	char		*s = xmalloc(len + 1);
	size_t		 i, n = 0;
	unsigned char	 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (multiline) {
			if (c == '\r')
				c = i + 1 < len && in[i + 1] == '\n' ? 0 : '\n';
			else if ((c < 0x20 && c != '\n' && c != '\t') ||
			    c == 0x7f)
				c = 0;
			if (c == 0 || (n == 0 && isspace(c)))
				continue;
			s[n++] = (char)c;
			continue;
		}
		if (c < 0x20 || c == 0x7f || c == ' ') {
			if (n > 0 && s[n - 1] != ' ')
				s[n++] = ' ';
			continue;
		}
		s[n++] = (char)c;
	}
	*cut = 0;
	if (n > max) {
		*cut = 1;
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	s[n] = '\0';
	return s;
}

/*
 * Copies a short value (a number, flag, enum or time) into `buf` with
 * surrounding white space trimmed.  Returns -1 if it does not fit or
 * holds a NUL.
 */
static int
record_scalar(const char *value, size_t len, char *buf, size_t size)
{
	while (len > 0 && isspace((unsigned char)*value)) {
		value++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)value[len - 1]))
		len--;
	if (len >= size || memchr(value, '\0', len) != NULL)
		return -1;
	memcpy(buf, value, len);
	buf[len] = '\0';
	return 0;
}

/*
 * Writes a UK postcode the Royal Mail way ("dt11hf" is "DT1 1HF") into
 * `out`: an outward code of a letter or two and a district (A9, A99, AA9,
 * AA99, A9A, AA9A), a space, and an inward code of a digit and two
 * letters.  Returns -1 for anything else (a foreign code), to be kept as
 * it was.
 */
static int
record_postcode(const char *s, char *out, size_t outlen)
{
	char	 c[8];
	size_t	 i, n = 0, o;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == ' ')
			continue;
		if (!isalnum((unsigned char)s[i]) || n == sizeof c - 1)
			return -1;
		c[n++] = (char)toupper((unsigned char)s[i]);
	}
	c[n] = '\0';
	if (n < 5 || n > 7 || outlen < n + 2)
		return -1;
	o = n - 3;
	if (!isdigit((unsigned char)c[o]) ||
	    !isalpha((unsigned char)c[o + 1]) ||
	    !isalpha((unsigned char)c[o + 2]))
		return -1;
	/* A letter, then the district's first digit at 1 or 2. */
	if (!isalpha((unsigned char)c[0]))
		return -1;
	if (!isdigit((unsigned char)c[1]) && !(isalpha((unsigned char)c[1]) &&
	    o > 2 && isdigit((unsigned char)c[2])))
		return -1;
	snprintf(out, outlen, "%.*s %s", (int)o, c, c + o);
	return 0;
}

/* Whether libical knows the IANA zone `tz`. */
static int
record_zone_known(const char *tz)
{
	if (strlen(tz) > RECORD_MAX_ZONE)
		return 0;
	return zone_find(tz) != NULL;
}

/*
 * Reads "YYYY-MM-DD", optionally followed by 'T', 't' or ' ', "HH:MM",
 * optional ":SS" and fraction, and an optional 'Z' or +HH:MM, +HHMM or
 * +HH offset.  Checks every part's range (a leap second is read as :59).
 * Returns 0, or -1 with `*why` saying what is wrong.
 */
static int
record_time_parse(const char *s, struct rtime *t, const char **why)
{
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	const char	*p = s;
	int		 v[3], i, j, sign, oh = 0, om = 0, leap, max;

	memset(t, 0, sizeof *t);
	*why = "expected YYYY-MM-DD";
	for (i = 0; i < 3; i++) {
		int	width = i == 0 ? 4 : 2;

		for (v[i] = 0, j = 0; j < width; j++, p++) {
			if (!isdigit((unsigned char)*p))
				return -1;
			v[i] = v[i] * 10 + (*p - '0');
		}
		if (i < 2 && *p++ != '-')
			return -1;
	}
	t->year = v[0];
	t->month = v[1];
	t->day = v[2];
	*why = "no such date";
	if (t->year < 1900 || t->year > 2999 || t->month < 1 ||
	    t->month > 12)
		return -1;
	leap = (t->year % 4 == 0 && t->year % 100 != 0) || t->year % 400 == 0;
	max = mdays[t->month - 1] + (t->month == 2 && leap);
	if (t->day < 1 || t->day > max)
		return -1;
	if (*p == '\0')
		return 0;

	*why = "expected a time after the date, as THH:MM";
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	for (i = 0; i < 3; i++) {
		if (i == 2 && *p != ':')
			break;
		if (i > 0 && *p++ != ':')
			return -1;
		if (!isdigit((unsigned char)p[0]) ||
		    !isdigit((unsigned char)p[1]))
			return -1;
		v[i] = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
	}
	if (i < 3)
		v[2] = 0;
	*why = "no such time of day";
	if (v[0] > 23 || v[1] > 59 || v[2] > 60)
		return -1;
	t->hour = v[0];
	t->minute = v[1];
	t->second = v[2] == 60 ? 59 : v[2];
	if (*p == '.' || *p == ',') {
		p++;
		*why = "expected digits after the decimal point";
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == '\0')
		return 0;

	*why = "expected Z or an offset such as +01:00 after the time";
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		t->has_offset = t->zulu = 1;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
		return -1;
	oh = (p[0] - '0') * 10 + (p[1] - '0');
	p += 2;
	if (*p == ':')
		p++;
	if (*p != '\0') {
		if (!isdigit((unsigned char)p[0]) ||
		    !isdigit((unsigned char)p[1]) || p[2] != '\0')
			return -1;
		om = (p[0] - '0') * 10 + (p[1] - '0');
	}
	*why = "no such offset";
	if (oh > 23 || om > 59)
		return -1;
	t->has_offset = 1;
	t->offset = sign * (oh * 3600 + om * 60);
	return 0;
}

/*
 * Gives a time as the feed gave it in its RFC 3339 form in `zone`, or
 * NULL with a warning if that cannot be done.
 */
static json_t *
record_time_json(struct record_sink *sink, const char *name, const char *in,
    const char *zone)
{
	char	out[64];

	if (in == NULL)
		return NULL;
	if (record_time_normalize(in, zone, out, sizeof out) == -1) {
		record_item_warn(sink, "%s: \"%s\" could not be read in %s: "
		    "dropped", name, in, zone);
		return NULL;
	}
	return json_string(out);
}

/* Resolves rec[key] in place, or drops it. */
static void
record_time_resolve(struct record_sink *sink, json_t *rec, const char *key,
    const char *zone)
{
	json_t	*t;

	if (json_object_get(rec, key) == NULL)
		return;
	t = record_time_json(sink, key, json_string_value(json_object_get(rec,
	    key)), zone);
	if (t == NULL)
		json_object_del(rec, key);
	else
		json_object_set_new(rec, key, t);
}

/* Drops an end before the start, and a maximum below its minimum. */
static void
record_check_order(struct record_sink *sink, json_t *rec)
{
	json_t	*g, *lo, *hi;
	time_t	 start, end;
	size_t	 i;

	if (record_time_epoch(json_string_value(json_object_get(rec,
	    "start")), &start) == 0 &&
	    record_time_epoch(json_string_value(json_object_get(rec, "end")),
	    &end) == 0 && end < start) {
		record_item_warn(sink, "end: %s is before the start %s: "
		    "dropped", json_string_value(json_object_get(rec, "end")),
		    json_string_value(json_object_get(rec, "start")));
		json_object_del(rec, "end");
	}
	for (i = 0; i < sizeof record_ranges / sizeof record_ranges[0]; i++) {
		if ((g = json_object_get(rec, record_ranges[i].group)) == NULL)
			continue;
		lo = json_object_get(g, record_ranges[i].lo);
		hi = json_object_get(g, record_ranges[i].hi);
		if (lo != NULL && hi != NULL &&
		    json_number_value(hi) < json_number_value(lo)) {
			record_item_warn(sink, "%s.%s is below %s.%s: dropped",
			    record_ranges[i].group, record_ranges[i].hi,
			    record_ranges[i].group, record_ranges[i].lo);
			json_object_del(g, record_ranges[i].hi);
		}
	}
}

/*
 * Reads the record's words through the activity vocabulary
 * (feeds/TAXONOMY.md), so a kiosk can offer its fixed buttons whatever a
 * spoke called its sessions.  Each "activity" value the module set is
 * kept as its term (a label or a known phrasing becomes the term; one
 * that names no term is dropped with a warning); then the terms the
 * "categories" mean follow, in the vocabulary's order.  The categories
 * also add to "access" and "groups", which are never taken from.
 */
static void
record_taxonomy(struct record_sink *sink, json_t *rec)
{
	const char	*terms[RECORD_MAX_LIST], *s;
	json_t		*cats, *acts, *out, *fromcats, *v, *list;
	size_t		 i, j, n;
	int		 k;

	cats = json_object_get(rec, "categories");
	acts = json_object_get(rec, "activity");
	if (cats == NULL && acts == NULL)
		return;
	if ((out = json_array()) == NULL || (fromcats = json_array()) == NULL)
		fatalx("%s: out of memory", __func__);
	json_array_foreach(acts, i, v) {
		s = json_string_value(v);
		if ((n = taxonomy_activities(s, terms, RECORD_MAX_LIST)) == 0) {
			record_item_warn(sink, "the activity \"%.64s\" is not "
			    "in the vocabulary (see feeds/TAXONOMY.md)", s);
			continue;
		}
		record_terms_add(out, terms, n);
	}
	json_array_foreach(cats, i, v) {
		s = json_string_value(v);
		n = taxonomy_activities(s, terms, RECORD_MAX_LIST);
		record_terms_add(fromcats, terms, n);
		/* The v1 access and groups values share their lists' names. */
		for (k = 0; k < 2; k++) {
			n = k == 0 ? taxonomy_access(s, terms, RECORD_MAX_LIST) :
			    taxonomy_groups(s, terms, RECORD_MAX_LIST);
			if (n == 0)
				continue;
			if ((list = json_object_get(rec, k == 0 ? "access" :
			    "groups")) == NULL) {
				if ((list = json_array()) == NULL)
					fatalx("%s: out of memory", __func__);
				json_object_set_new(rec, k == 0 ? "access" :
				    "groups", list);
			}
			record_terms_add(list, terms, n);
		}
	}
	for (j = 0; (s = taxonomy_term_at(j)) != NULL; j++) {
		json_array_foreach(fromcats, i, v) {
			if (strcmp(json_string_value(v), s) == 0) {
				record_terms_add(out, &s, 1);
				break;
			}
		}
	}
	if (json_array_size(out) > 0)
		json_object_set(rec, "activity", out);
	else
		json_object_del(rec, "activity");
	json_decref(out);
	json_decref(fromcats);
}

/* Appends each of `terms` to `list` unless there already or full. */
static void
record_terms_add(json_t *list, const char *const *terms, size_t n)
{
	json_t	*v;
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		json_array_foreach(list, j, v) {
			if (strcmp(json_string_value(v), terms[i]) == 0)
				break;
		}
		if (j < json_array_size(list) ||
		    json_array_size(list) >= RECORD_MAX_LIST)
			continue;
		if (json_array_append_new(list, json_string(terms[i])) == -1)
			fatalx("%s: out of memory", __func__);
	}
}

/*
 * Whether a record can be told apart from others at all: by its own id,
 * its link or its title.  Only a deleted item can lack all three (a live
 * one has a title); it is dropped with a warning.
 */
static int
record_identifiable(struct record_sink *sink, json_t *rec)
{
	if (json_object_get(rec, "source_id") != NULL ||
	    json_object_get(rec, "url") != NULL ||
	    json_object_get(rec, "title") != NULL)
		return 1;
	record_item_warn(sink, "a deleted item without an id or link: "
	    "ignored");
	return 0;
}

/*
 * Settles the identity of every record of the feed, for the feed as a
 * whole, never weaker than sink->floor: the feed's own ids when every
 * item has one and no two different items share one; else each item's
 * link, when every item has a link of its own; else a hash of title,
 * start and location.  Whatever the mode, an item that is an exact copy
 * of an earlier one is dropped, and where a live and a deleted item share
 * an identity the later one stands, as it says what became of the item.
 * Items that still share a hash are kept apart as "<hash>#2", "#3"...;
 * a deleted item without what the mode needs is left out, which comes to
 * the same: an item missing from its feed is taken as deleted.  Each
 * record gets "source_id" (what identifies it within the feed) and "id",
 * "<spoke>:<source_id>".  Falling back is warned about once.  Returns the
 * mode's name.
 */
static const char *
record_identify(struct record_sink *sink)
{
	enum record_idmode	 mode = sink->floor;
	json_t			*kept = NULL, *seen = NULL, *rec, *v;
	char			*drop, *key, *alt, *id, hash[17];
	char			 why[2][RECORD_MAX_MESSAGE / 2];
	size_t			 n, i, k = 0, lost = 0;
	json_int_t		 times;
	uint64_t		 h;

	n = json_array_size(sink->records);
	drop = xcalloc(n + 1, 1);
	why[0][0] = why[1][0] = '\0';
	if (mode == IDMODE_GUID && record_id_pass(sink, IDMODE_GUID, drop,
	    why[0], sizeof why[0]) != 0)
		mode = IDMODE_LINK;
	if (mode == IDMODE_LINK && record_id_pass(sink, IDMODE_LINK, drop,
	    why[1], sizeof why[1]) != 0)
		mode = IDMODE_HASH;
	if (mode == IDMODE_HASH)
		(void)record_id_pass(sink, IDMODE_HASH, drop, NULL, 0);

	if (mode == IDMODE_LINK && why[0][0] != '\0')
		record_warn(sink, "%s; using links as identities for this feed",
		    why[0]);
	else if (mode == IDMODE_HASH && (why[0][0] != '\0' ||
	    why[1][0] != '\0'))
		record_warn(sink, "%s%s%s; using title, start and location as "
		    "identities for this feed, so an edited item will show as "
		    "a new one", why[0], why[0][0] != '\0' &&
		    why[1][0] != '\0' ? ", and " : "", why[1]);

	if ((kept = json_array()) == NULL || (seen = json_object()) == NULL)
		fatalx("%s: out of memory", __func__);
	for (i = 0; i < n; i++) {
		rec = json_array_get(sink->records, i);
		if (drop[i])
			continue;
		if ((key = record_id_key(rec, mode)) == NULL) {
			lost++;
			continue;
		}
		alt = NULL;
		if (mode == IDMODE_HASH) {
			h = record_fnv1a(0xcbf29ce484222325ULL, key,
			    strlen(key));
			snprintf(hash, sizeof hash, "%016llx",
			    (unsigned long long)h);
			free(key);
			key = xstrdup(hash);
			/* Different items alike in all three stay apart. */
			if ((v = json_object_get(seen, key)) != NULL) {
				times = json_integer_value(v);
				do {
					free(alt);
					xasprintf(&alt, "%s#%lld", key,
					    (long long)++times);
				} while (json_object_get(seen, alt) != NULL);
				json_integer_set(v, times);
				record_warn(sink, "item %zu: another item has "
				    "the same title, start and location: it "
				    "is kept as \"%s\"", sink->itemno[i], alt);
				free(key);
				key = alt;
			}
			json_object_set_new(seen, key, json_integer(1));
		}
		xasprintf(&id, "%s:%s", sink->spoke, key);
		json_object_set_new(rec, "source_id", json_string(key));
		json_object_set_new(rec, "id", json_string(id));
		free(id);
		free(key);
		json_array_append(kept, rec);
		sink->itemno[k++] = sink->itemno[i];
	}
	if (lost > 0)
		record_warn(sink, "%zu deleted item%s without %s, which this "
		    "feed's identities are made from: ignored", lost,
		    lost == 1 ? "" : "s", mode == IDMODE_LINK ? "a link" :
		    "a title");
	json_decref(sink->records);
	sink->records = kept;
	json_decref(seen);
	free(drop);
	return record_idmodes[mode];
}

/*
 * Checks whether `mode` tells the records apart, marking in `drop` the
 * items it finds to be exact copies of earlier ones (1, for good) or
 * replaced by a later deleted or live item of the same identity (2, kept
 * only if the mode is used: a guid that proves unreliable proves
 * nothing).  Returns 0 when every item has an identity of its own under
 * the mode (a hash always counts as one), or the number of items without
 * one or sharing one, with the reason in `why`.
 */
static size_t
record_id_pass(struct record_sink *sink, enum record_idmode mode, char *drop,
    char *why, size_t whylen)
{
	static const char *const what[] = {
		[IDMODE_GUID] = "guid", [IDMODE_LINK] = "link",
		[IDMODE_HASH] = "hash",
	};
	json_t		*first, *shared, *rec, *v;
	char		*key, *repkey = NULL;
	size_t		 n, i, j, nblank = 0, nrep = 0, considered = 0, len;

	n = json_array_size(sink->records);
	if ((first = json_object()) == NULL ||
	    (shared = json_object()) == NULL)
		fatalx("%s: out of memory", __func__);
	for (i = 0; i < n; i++) {
		if (drop[i])
			continue;
		rec = json_array_get(sink->records, i);
		if ((key = record_id_key(rec, mode)) == NULL) {
			/* A deletion matches nothing; see record_identify. */
			if (mode == IDMODE_GUID || !record_is_deleted(rec)) {
				nblank++;
				considered++;
			}
			continue;
		}
		considered++;
		if ((v = json_object_get(first, key)) == NULL) {
			json_object_set_new(first, key, json_integer(
			    (json_int_t)i));
			free(key);
			continue;
		}
		j = (size_t)json_integer_value(v);
		if (json_equal(rec, json_array_get(sink->records, j))) {
			drop[i] = 1;
			record_warn(sink, "item %zu: a copy of item %zu: "
			    "dropped", sink->itemno[i], sink->itemno[j]);
		} else if (record_is_deleted(rec) || record_is_deleted(
		    json_array_get(sink->records, j))) {
			drop[j] = 2;
			json_integer_set(v, (json_int_t)i);
		} else if (mode != IDMODE_HASH) {
			if ((v = json_object_get(shared, key)) == NULL)
				json_object_set_new(shared, key,
				    json_integer(2));
			else
				json_integer_set(v, json_integer_value(v) + 1);
			if (repkey == NULL)
				repkey = xstrdup(key);
			nrep++;
		}
		free(key);
	}

	if (why != NULL && whylen > 0) {
		*why = '\0';
		if (repkey != NULL)
			snprintf(why, whylen, "%lld items share the %s "
			    "\"%.80s\"%s", (long long)json_integer_value(
			    json_object_get(shared, repkey)), what[mode],
			    repkey, json_object_size(shared) > 1 ?
			    " (and others are shared too)" : "");
		if (nblank > 0) {
			len = strlen(why);
			snprintf(why + len, whylen - len, "%s%zu of %zu "
			    "items have no %s", len > 0 ? ", and " : "",
			    nblank, considered, what[mode]);
		}
	}
	if (nblank + nrep > 0) {
		for (i = 0; i < n; i++)
			if (drop[i] == 2)
				drop[i] = 0;
	}
	free(repkey);
	json_decref(first);
	json_decref(shared);
	return nblank + nrep;
}

/*
 * What identifies a record under `mode`, as a new string, or NULL when
 * it lacks it: its own id, its link, or its title, start and location
 * (the start empty when there is none; the location only when it has
 * one, so a record without one hashes as it did before places counted).
 */
static char *
record_id_key(json_t *rec, enum record_idmode mode)
{
	static const char *const parts[] = { "name", "address", "postcode" };
	const char	*title, *start, *p;
	json_t		*loc;
	char		*key, *tmp, *where = NULL;
	size_t		 i;

	switch (mode) {
	case IDMODE_GUID:
		p = json_string_value(json_object_get(rec, "source_id"));
		return p != NULL ? xstrdup(p) : NULL;
	case IDMODE_LINK:
		p = json_string_value(json_object_get(rec, "url"));
		return p != NULL ? xstrdup(p) : NULL;
	case IDMODE_HASH:
		break;
	}
	if ((title = json_string_value(json_object_get(rec, "title"))) == NULL)
		return NULL;
	if ((start = json_string_value(json_object_get(rec, "start"))) == NULL)
		start = "";
	loc = json_object_get(rec, "location");
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if ((p = json_string_value(json_object_get(loc, parts[i]))) ==
		    NULL)
			continue;
		xasprintf(&tmp, "%s\n%s=%s", where != NULL ? where : "",
		    parts[i], p);
		free(where);
		where = tmp;
	}
	xasprintf(&key, "%s\n%s%s", title, start, where != NULL ? where : "");
	free(where);
	return key;
}

/* Whether a record says its item was deleted. */
static int
record_is_deleted(json_t *rec)
{
	const char	*state;

	state = json_string_value(json_object_get(rec, "state"));
	return state != NULL && strcmp(state, "deleted") == 0;
}

/* FNV-1a, 64 bits: a short stable name for bytes, not a secure hash. */
static uint64_t
record_fnv1a(uint64_t h, const void *p, size_t len)
{
	const unsigned char	*b = p;
	size_t			 i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
