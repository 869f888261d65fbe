/*
 * schemaorg.c - schema.org and OpenActive events, as jansson values, made
 * into dayhub records; shared by the OpenActive and JSON-LD modules.
 *
 * The vocabulary read (one table, so_props[], says which property becomes
 * which field):
 *   name, description, url, startDate, endDate, dateModified, category,
 *   activity (Concept prefLabels), organizer (name, url, telephone, email),
 *   location (Place: name, PostalAddress, GeoCoordinates, amenityFeature;
 *   VirtualLocation), offers (Offer and AggregateOffer prices),
 *   isAccessibleForFree, ageRange, typicalAgeRange, accessibilitySupport,
 *   isWheelchairAccessible, maximumAttendeeCapacity,
 *   remainingAttendeeCapacity, eventAttendanceMode, eventStatus,
 *   eventSchedule (PartialSchedule), subEvent and superEvent.
 *
 * What is decided here, once, for both modules:
 *   - A value of the wrong JSON type is left out with a warning naming
 *     the property; null is simply no value.  A single value is read where
 *     a list belongs, and the first of a list where one value belongs,
 *     because JSON-LD allows both.
 *   - A reference ({"@id": X} alone, or a bare string where a node
 *     belongs) is looked up among the nodes of the same document.  The
 *     chain of superEvents is followed at most SO_MAX_PARENTS steps and
 *     never through a node twice, so a cycle of references ends.
 *   - A session takes what it lacks from its series (and the series from
 *     its own superEvent) a whole group at a time: a session with its own
 *     location.name does not get its series' postcode.  Times, schedules,
 *     capacity and identity are never taken from a parent.
 *   - A PartialSchedule becomes an RFC 5545 rule and the first session's
 *     start, written as a local time in the schedule's zone ("timezone"):
 *     no offset is ever invented here; the host resolves it.
 *   - Every text is cleaned and cut to the FEEDUTIL_MAX_* caps (a cut
 *     is warned about); every list and every walk has a cap.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "dayhub/plugin.h"
#include "feedutil.h"
#include "schemaorg.h"

#define SO_MAX_VALUES	512	/* values kept for one record */
#define SO_MAX_LIST	64	/* values in one list field */
#define SO_MAX_ELEMENTS	64	/* elements of one list property read */
#define SO_MAX_PLACES	16	/* locations of one event looked at */
#define SO_MAX_SCHEDULES 16	/* eventSchedule entries read per node */
#define SO_MAX_BYDAY	14	/* byDay values of one schedule */
#define SO_MAX_PARENTS	4	/* superEvents followed up the chain */
#define SO_MAX_NESTING	4	/* subEvents inside subEvents */
#define SO_MAX_SUBEVENTS 100000	/* subEvents of one event read */
#define SO_MAX_INDEX	100000	/* nodes indexed by @id */
#define SO_MAX_RAW	(4 * FEEDUTIL_MAX_FIELD) /* raw bytes of a short text */
#define SO_MAX_RAW_LONG	(4 * FEEDUTIL_MAX_TEXT)	/* raw bytes of a long text */
#define SO_SEARCH_DAYS	(4 * 366 + 7)	/* days searched for a first session */
#define SO_MAX_INTERVAL	1000	/* largest repeat interval read */
#define SO_QUOTE	60	/* bytes of a bad value quoted */
#define SO_NUM		48	/* room for a number written as text */
#define SO_MESSAGE	512	/* bytes of one warning */
#define SO_SNIFF_DEPTH	64	/* nesting the sniffer follows */
#define SO_SNIFF_KEY	16	/* bytes of a key the sniffer compares */

/* One value of a record being built. */
struct so_value {
	const char	*field;		/* a static v1 field name */
	char		*value;		/* owned */
	size_t		 len;
	int		 prio;
};

/* A record being built: its values, in the order they were found. */
struct so_rec {
	struct so_value	*v;
	size_t		 n;
	size_t		 cap;
};

/* How a property's value becomes fields. */
enum so_conv {
	SO_TEXT,	/* one line of plain text */
	SO_LONG,	/* long text or HTML, made plain text */
	SO_URL,		/* a link, resolved against the base */
	SO_DATE,	/* ISO 8601 date or date-time */
	SO_COUNT,	/* a whole number */
	SO_CONCEPTS,	/* Concepts (prefLabel) or plain terms */
	SO_ORGANISER,	/* an Organization or Person */
	SO_PLACE,	/* a Place or VirtualLocation */
	SO_OFFERS,	/* Offers: cost min, max, currency, free */
	SO_FREE,	/* a flag: free of charge */
	SO_AGE,		/* a QuantitativeValue: age min, max */
	SO_AGE_TEXT,	/* "18-65", "18+" */
	SO_ACCESS,	/* Concepts that say what support there is */
	SO_WHEELCHAIR,	/* a flag: wheelchair accessible */
	SO_ATTENDANCE	/* offline, online or mixed */
};

struct so_map {
	const char	*prop;
	const char	*field;		/* for the conversions of one field */
	enum so_conv	 conv;
	int		 inherit;	/* a session takes it from its series */
};

/* What each property of an event becomes. */
static const struct so_map so_props[] = {
	{ "name", "title", SO_TEXT, 1 },
	{ "description", "summary", SO_LONG, 1 },
	{ "url", "url", SO_URL, 1 },
	{ "startDate", "start", SO_DATE, 0 },
	{ "endDate", "end", SO_DATE, 0 },
	{ "dateModified", "updated", SO_DATE, 0 },
	{ "activity", "categories", SO_CONCEPTS, 1 },
	{ "category", "categories", SO_CONCEPTS, 1 },
	{ "organizer", NULL, SO_ORGANISER, 1 },
	{ "location", NULL, SO_PLACE, 1 },
	{ "offers", NULL, SO_OFFERS, 1 },
	{ "isAccessibleForFree", "cost.free", SO_FREE, 1 },
	{ "ageRange", NULL, SO_AGE, 1 },
	{ "typicalAgeRange", NULL, SO_AGE_TEXT, 1 },
	{ "accessibilitySupport", NULL, SO_ACCESS, 1 },
	{ "isWheelchairAccessible", NULL, SO_WHEELCHAIR, 1 },
	{ "beta:isWheelchairAccessible", NULL, SO_WHEELCHAIR, 1 },
	{ "maximumAttendeeCapacity", "capacity.max", SO_COUNT, 0 },
	{ "remainingAttendeeCapacity", "capacity.remaining", SO_COUNT, 0 },
	{ "eventAttendanceMode", NULL, SO_ATTENDANCE, 1 },
};

/* The list fields of plugin.h: one value per set(), accumulating. */
static const char *const so_lists[] = {
	"categories", "access", "groups", "funding", "activity",
	"schedule.exdates",
};

/*
 * Labels of accessibility Concepts and amenity features that say clearly
 * what support a session or venue has, compared without case.  A label
 * not here is left out quietly: mapping the rest is taxonomy work.
 */
static const struct {
	const char	*label;
	const char	*field;
	const char	*term;
} so_access_terms[] = {
	{ "wheelchair accessible", "access", "wheelchair" },
	{ "wheelchair access", "access", "wheelchair" },
	{ "wheelchair user", "access", "wheelchair" },
	{ "wheelchair users", "access", "wheelchair" },
	{ "accessible for wheelchair users", "access", "wheelchair" },
	{ "step-free access", "access", "wheelchair" },
	{ "changing places", "access", "changing_places" },
	{ "changing places toilet", "access", "changing_places" },
	{ "hearing loop", "access", "hearing_loop" },
	{ "induction loop", "access", "hearing_loop" },
	{ "bsl", "access", "bsl" },
	{ "british sign language", "access", "bsl" },
	{ "bsl interpreter", "access", "bsl" },
	{ "makaton", "access", "makaton" },
	{ "quiet space", "access", "quiet_space" },
	{ "quiet room", "access", "quiet_space" },
	{ "sensory friendly", "access", "sensory_friendly" },
	{ "sensory-friendly", "access", "sensory_friendly" },
	{ "transport", "access", "transport" },
	{ "transport provided", "access", "transport" },
	{ "learning disability", "groups", "learning_disability" },
	{ "learning disabilities", "groups", "learning_disability" },
	{ "autism", "groups", "autism" },
	{ "dementia", "groups", "dementia" },
	{ "dementia friendly", "groups", "dementia" },
	{ "visual impairment", "groups", "sensory" },
	{ "hearing impairment", "groups", "sensory" },
	{ "physical impairment", "groups", "physical_disability" },
	{ "physical disability", "groups", "physical_disability" },
	{ "mental health", "groups", "mental_health" },
	{ "mental health condition", "groups", "mental_health" },
};

/* Type names: listed, or opportunities dayhub does not list. */
static const char *const so_listed_types[] = {
	"SessionSeries", "ScheduledSession", "CourseInstance",
};
static const char *const so_skipped_types[] = {
	"OnDemandEvent", "FacilityUse", "IndividualFacilityUse", "Slot",
	"Course", "EventSeries",
};

/* Days of the week: iCalendar codes, and the names schema.org uses. */
static const char *const so_wd_codes[] = {
	"MO", "TU", "WE", "TH", "FR", "SA", "SU",
};
static const char *const so_wd_names[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday",
};

/* Prefixes that come before a schema.org term in an IRI. */
static const char *const so_prefixes[] = {
	"https://schema.org/", "http://schema.org/", "schema:",
};

/* What eventStatus says. */
enum so_status {
	SO_SCHEDULED,
	SO_CANCELLED,
	SO_POSTPONED,
	SO_ONLINE
};

/* One day of the week in a schedule: 2TU is { 2, 1 }. */
struct so_byday {
	int	ord;		/* 0, or the nth (negative: from the end) */
	int	wd;		/* 0 is Monday */
};

/* A PartialSchedule as read. */
struct so_sched {
	char		 unit;		/* 'D', 'W', 'M' or 'Y' */
	unsigned	 interval;
	struct so_byday	 byday[SO_MAX_BYDAY];
	size_t		 nbyday;
	int		 bymonthday[31];
	size_t		 nbymonthday;
	int		 bymonth[12];
	size_t		 nbymonth;
	int		 y, m, d;		/* startDate */
	int		 has_until;
	int		 uy, um, ud;		/* endDate */
	long		 start_secs;		/* -1: no startTime */
	long		 end_secs;		/* -1: no endTime */
	long		 duration;		/* seconds, or -1 */
	unsigned long	 count;			/* repeatCount, or 0 */
};

static void	 so_warn(struct schemaorg *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	 so_qlen(const char *);
static const char *so_type_name(json_t *);
static void	 so_wrong(struct schemaorg *, const char *, json_t *,
		    const char *);
static int	 so_is_list(const char *);
static void	 so_put(struct schemaorg *, struct so_rec *, const char *,
		    const char *, size_t, int);
static void	 so_put_owned(struct schemaorg *, struct so_rec *,
		    const char *, char *, int);
static void	 so_drop(struct so_rec *, const char *);
static int	 so_has_group(const struct so_rec *, const char *, size_t);
static void	 so_merge(struct schemaorg *, struct so_rec *,
		    const struct so_rec *);
static int	 so_copy(struct schemaorg *, struct so_rec *,
		    const struct so_rec *);
static void	 so_rec_free(struct so_rec *);
static int	 so_emit(struct schemaorg *, struct so_rec *, const char *);
static json_t	*so_get(json_t *, const char *);
static size_t	 so_items(json_t *, json_t **, size_t);
static size_t	 so_count(json_t *, size_t);
static json_t	*so_nth(json_t *, size_t);
static int	 so_is_reference(json_t *);
static json_t	*so_resolve(struct schemaorg *, json_t *);
static const char *so_term(const char *, size_t *);
static void	 so_real(double, char *, size_t);
static int	 so_scalar(json_t *, char *, size_t, const char **,
		    size_t *);
static char	*so_text(struct schemaorg *, const char *, size_t);
static char	*so_long_text(struct schemaorg *, const char *, const char *,
		    size_t);
static char	*so_value_text(struct schemaorg *, const char *, json_t *);
static char	*so_link(struct schemaorg *, const char *, const char *,
		    size_t, int);
static void	 so_put_text(struct schemaorg *, struct so_rec *,
		    const char *, json_t *, const char *, int);
static void	 so_put_date(struct schemaorg *, struct so_rec *,
		    const char *, json_t *, const char *, int);
static void	 so_put_count(struct schemaorg *, struct so_rec *,
		    const char *, json_t *, const char *, int);
static int	 so_flag(json_t *, int *);
static void	 so_map_node(struct schemaorg *, struct so_rec *, json_t *,
		    int);
static void	 so_concepts(struct schemaorg *, struct so_rec *,
		    const char *, json_t *, int);
static char	*so_label(struct schemaorg *, const char *, json_t *);
static void	 so_access(struct schemaorg *, struct so_rec *, const char *,
		    json_t *, int);
static void	 so_access_term(struct schemaorg *, struct so_rec *,
		    const char *, int);
static void	 so_organiser(struct schemaorg *, struct so_rec *,
		    const char *, json_t *, int);
static void	 so_place(struct schemaorg *, struct so_rec *, const char *,
		    json_t *, int);
static void	 so_address(struct schemaorg *, struct so_rec *, json_t *,
		    int);
static void	 so_postcode_tail(struct schemaorg *, struct so_rec *,
		    const char *, int);
static void	 so_coord(struct schemaorg *, struct so_rec *, const char *,
		    json_t *, const char *, double, int);
static void	 so_amenities(struct schemaorg *, struct so_rec *, json_t *,
		    int);
static void	 so_offers(struct schemaorg *, struct so_rec *, const char *,
		    json_t *, int);
static int	 so_price(struct schemaorg *, const char *, json_t *,
		    double *);
static void	 so_age(struct schemaorg *, struct so_rec *, const char *,
		    json_t *, int);
static void	 so_age_text(struct schemaorg *, struct so_rec *,
		    const char *, json_t *, int);
static void	 so_attendance(struct schemaorg *, struct so_rec *,
		    const char *, json_t *, int);
static enum so_status so_status(json_t *);
static void	 so_inherit(struct schemaorg *, struct so_rec *, json_t *,
		    json_t *);
static json_t	*so_super(struct schemaorg *, json_t *, int);
static int	 so_event(struct schemaorg *, json_t *, json_t *,
		    const char *, json_t **, int);
static int	 so_cancelled(struct schemaorg *, json_t *, const char *,
		    int);
static char	*so_own_id(struct schemaorg *, json_t *);
static char	*so_child_id(struct schemaorg *, json_t *, const char *);
static int	 so_seen(struct schemaorg *, const char *);
static int	 so_mark(struct schemaorg *, const char *);
static void	 so_index_walk(struct schemaorg *, json_t *, size_t);
static int	 so_schedule(struct schemaorg *, struct so_rec *, json_t *,
		    json_t *);
static int	 so_sched_read(struct schemaorg *, json_t *, json_t *,
		    struct so_sched *);
static int	 so_frequency(const char *, char *, unsigned *);
static int	 so_weekday(const char *, struct so_byday *);
static size_t	 so_ints(struct schemaorg *, const char *, json_t *, int,
		    int, int *, size_t);
static int	 so_date_of(struct schemaorg *, const char *, json_t *, int *,
		    int *, int *);
static long	 so_time_of(struct schemaorg *, const char *, json_t *);
static long	 so_duration_parse(const char *, size_t);
static void	 so_duration_text(long, char *, size_t);
static int	 so_days_in_month(int, int);
static int	 so_wday(int, int, int);
static void	 so_next_day(int *, int *, int *);
static int	 so_matches(const struct so_sched *, int, int, int);
static void	 so_exdates(struct schemaorg *, struct so_rec *, json_t *,
		    const struct so_sched *);
static size_t	 so_sniff_string(const unsigned char *, size_t, size_t);

/* --- warnings --- */

/* Gives the host one warning, at the line of what is being read. */
static void
so_warn(struct schemaorg *s, const char *fmt, ...)
{
	char	msg[SO_MESSAGE];
	va_list	ap;
	size_t	n;

	if (s->quiet > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* A cut message must still end on a whole character. */
	n = feedutil_utf8_cut(msg, strlen(msg), sizeof msg - 1);
	msg[n] = '\0';
	s->host->warn(s->sink, s->line, "%s", msg);
}

/* How many bytes of clean text `t` to quote, ending on a character. */
static int
so_qlen(const char *t)
{
	return (int)feedutil_utf8_cut(t, strlen(t), SO_QUOTE);
}

/* A JSON value's type, in words for a warning. */
static const char *
so_type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "text";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "true or false";
	default:
		return "null";
	}
}

/* Warns that property `prop` held a value of the wrong type. */
static void
so_wrong(struct schemaorg *s, const char *prop, json_t *v, const char *want)
{
	if (v == NULL || json_is_null(v))
		return;
	so_warn(s, "left out \"%s\": %s where %s belongs", prop,
	    so_type_name(v), want);
}

/* --- the record being built --- */

static int
so_is_list(const char *field)
{
	size_t	i;

	for (i = 0; i < sizeof so_lists / sizeof so_lists[0]; i++)
		if (strcmp(field, so_lists[i]) == 0)
			return 1;
	return 0;
}

/* Copies a value into the record (see so_put_owned()). */
static void
so_put(struct schemaorg *s, struct so_rec *r, const char *field,
    const char *p, size_t len, int prio)
{
	char	*v;

	if ((v = malloc(len + 1)) == NULL) {
		s->oom = 1;
		return;
	}
	memcpy(v, p, len);
	v[len] = '\0';
	so_put_owned(s, r, field, v, prio);
}

/*
 * Adds a value the record now owns.  An empty one is dropped; in a list,
 * so is a repeat (without regard to case) and anything past SO_MAX_LIST;
 * in a single field, the value stays only if its priority beats the one
 * there.
 */
static void
so_put_owned(struct schemaorg *s, struct so_rec *r, const char *field,
    char *v, int prio)
{
	struct so_value	*x;
	size_t		 i, count = 0, cap;
	int		 list;

	if (v == NULL || *v == '\0') {
		free(v);
		return;
	}
	list = so_is_list(field);
	for (i = 0; i < r->n; i++) {
		x = &r->v[i];
		if (strcmp(x->field, field) != 0)
			continue;
		if (list) {
			if (strcasecmp(x->value, v) == 0 ||
			    ++count >= SO_MAX_LIST) {
				free(v);
				return;
			}
			continue;
		}
		if (prio > x->prio) {
			free(x->value);
			x->value = v;
			x->len = strlen(v);
			x->prio = prio;
		} else
			free(v);
		return;
	}
	if (r->n == SO_MAX_VALUES) {
		free(v);
		return;
	}
	if (r->n == r->cap) {
		cap = r->cap == 0 ? 32 : r->cap * 2;
		if ((x = reallocarray(r->v, cap, sizeof *x)) == NULL) {
			s->oom = 1;
			free(v);
			return;
		}
		r->v = x;
		r->cap = cap;
	}
	x = &r->v[r->n++];
	x->field = field;
	x->value = v;
	x->len = strlen(v);
	x->prio = prio;
}

/* Removes every value of `field`. */
static void
so_drop(struct so_rec *r, const char *field)
{
	size_t	i, k;

	for (i = k = 0; i < r->n; i++) {
		if (strcmp(r->v[i].field, field) == 0)
			free(r->v[i].value);
		else
			r->v[k++] = r->v[i];
	}
	r->n = k;
}

/* 1 when the record has a value in group `g` ("location", or "title"). */
static int
so_has_group(const struct so_rec *r, const char *g, size_t glen)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		if (strncmp(r->v[i].field, g, glen) == 0 &&
		    (r->v[i].field[glen] == '\0' || r->v[i].field[glen] == '.'))
			return 1;
	return 0;
}

/*
 * Gives `dst` every group of `src` it has nothing of: a whole group at a
 * time, so that a place or a price never mixes two sources.
 */
static void
so_merge(struct schemaorg *s, struct so_rec *dst, const struct so_rec *src)
{
	unsigned char	*take;
	size_t		 i;

	if (src->n == 0)
		return;
	if ((take = calloc(src->n, 1)) == NULL) {
		s->oom = 1;
		return;
	}
	for (i = 0; i < src->n; i++)
		take[i] = !so_has_group(dst, src->v[i].field,
		    strcspn(src->v[i].field, "."));
	for (i = 0; i < src->n; i++)
		if (take[i])
			so_put(s, dst, src->v[i].field, src->v[i].value,
			    src->v[i].len, src->v[i].prio);
	free(take);
}

/* Makes `dst` (empty) a copy of `src`.  Returns 0, or -1 on no memory. */
static int
so_copy(struct schemaorg *s, struct so_rec *dst, const struct so_rec *src)
{
	size_t	i;

	for (i = 0; i < src->n && !s->oom; i++)
		so_put(s, dst, src->v[i].field, src->v[i].value, src->v[i].len,
		    src->v[i].prio);
	return s->oom ? -1 : 0;
}

static void
so_rec_free(struct so_rec *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].value);
	free(r->v);
	memset(r, 0, sizeof *r);
}

/*
 * Hands a record to the host under source id `sid` (NULL: the host makes
 * one).  Returns DAYHUB_OK, DAYHUB_STOP when no more are wanted, or
 * DAYHUB_ERROR on no memory.
 */
static int
so_emit(struct schemaorg *s, struct so_rec *r, const char *sid)
{
	const struct dayhub_host	*h = s->host;
	size_t				 i;

	if (s->in->max_items > 0 && s->nrecords >= s->in->max_items) {
		/*
		 * The host warns only when asked for a record past its limit,
		 * and it never is: say here that the feed holds more.
		 */
		if (!s->stopped)
			s->host->warn(s->sink, 0, "stopped after %zu items: "
			    "the feed is over the limit", s->nrecords);
		s->stopped = 1;
		return DAYHUB_STOP;
	}
	if (sid != NULL) {
		so_put(s, r, "source_id", sid, strlen(sid), 9);
		if (so_mark(s, sid) == -1)
			s->oom = 1;
	}
	if (s->oom)
		return DAYHUB_ERROR;
	if (h->begin(s->sink) == DAYHUB_STOP) {
		s->stopped = 1;
		return DAYHUB_STOP;
	}
	for (i = 0; i < r->n; i++) {
		/* DAYHUB_REJECT: the host has warned; the rest still goes. */
		if (h->set(s->sink, r->v[i].field, r->v[i].value,
		    r->v[i].len) == DAYHUB_STOP) {
			s->stopped = 1;
			return DAYHUB_STOP;
		}
	}
	s->nrecords++;
	if (h->end(s->sink) == DAYHUB_STOP) {
		s->stopped = 1;
		return DAYHUB_STOP;
	}
	return DAYHUB_OK;
}

/* --- JSON values --- */

/* A member of an object, or NULL when absent, null or not an object. */
static json_t *
so_get(json_t *node, const char *prop)
{
	json_t	*v;

	if (!json_is_object(node) || (v = json_object_get(node, prop)) ==
	    NULL || json_is_null(v))
		return NULL;
	return v;
}

/*
 * The values of a property that may be one value or a list of them:
 * writes at most `max` (borrowed) to `out` and returns how many.
 */
static size_t
so_items(json_t *v, json_t **out, size_t max)
{
	size_t	i, n = 0;
	json_t	*e;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v)) {
		out[0] = v;
		return 1;
	}
	json_array_foreach(v, i, e) {
		if (n == max)
			break;
		if (!json_is_null(e))
			out[n++] = e;
	}
	return n;
}

/*
 * How many values a property that may be one value or a list holds (at
 * most `max`), and the i-th of them: for the long lists (subEvents) that
 * so_items() would copy.
 */
static size_t
so_count(json_t *v, size_t max)
{
	size_t	n;

	if (v == NULL || json_is_null(v))
		return 0;
	n = json_is_array(v) ? json_array_size(v) : 1;
	return n < max ? n : max;
}

static json_t *
so_nth(json_t *v, size_t i)
{
	return json_is_array(v) ? json_array_get(v, i) : v;
}

/* 1 for an object that only names a node: {"@id": X} with perhaps a type. */
static int
so_is_reference(json_t *v)
{
	const char	*k;
	json_t		*x;

	if (!json_is_object(v) || !json_is_string(json_object_get(v, "@id")))
		return 0;
	json_object_foreach(v, k, x) {
		if (strcmp(k, "@id") != 0 && strcmp(k, "@type") != 0 &&
		    strcmp(k, "@context") != 0)
			return 0;
	}
	return 1;
}

/*
 * The node a value stands for: a full object is itself; a reference or
 * a bare string is looked up by @id among the document's nodes.  NULL
 * when a string names nothing here; a reference that names nothing here
 * is itself.
 */
static json_t *
so_resolve(struct schemaorg *s, json_t *v)
{
	json_t	*n;

	if (json_is_string(v))
		return json_object_get(s->index, json_string_value(v));
	if (!so_is_reference(v))
		return v;
	n = json_object_get(s->index,
	    json_string_value(json_object_get(v, "@id")));
	return n != NULL ? n : v;
}

/* The term of a schema.org IRI: "https://schema.org/Tuesday" is "Tuesday". */
static const char *
so_term(const char *s, size_t *len)
{
	const char	*p;
	size_t		 i, n;

	for (i = 0; i < sizeof so_prefixes / sizeof so_prefixes[0]; i++) {
		n = strlen(so_prefixes[i]);
		if (*len >= n && strncasecmp(s, so_prefixes[i], n) == 0) {
			*len -= n;
			return s + n;
		}
	}
	for (p = s + *len; p > s && p[-1] != '/' && p[-1] != '#' &&
	    p[-1] != ':'; p--)
		;
	*len -= (size_t)(p - s);
	return p;
}

/*
 * Writes a number as the shortest plain decimal that reads back the
 * same (never an exponent: the host reads plain decimals only).
 */
static void
so_real(double d, char *buf, size_t len)
{
	int	prec;

	if (!isfinite(d)) {
		snprintf(buf, len, "0");
		return;
	}
	if (fabs(d) >= 1e15) {
		snprintf(buf, len, "%.0f", d);
		return;
	}
	for (prec = 0; prec <= 17; prec++) {
		snprintf(buf, len, "%.*f", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

/*
 * A string, or a number written as text (into `buf`).  Sets *p and *len.
 * Returns 0, or -1 for any other type.
 */
static int
so_scalar(json_t *v, char *buf, size_t buflen, const char **p, size_t *len)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		*p = json_string_value(v);
		*len = json_string_length(v);
		return 0;
	case JSON_INTEGER:
		snprintf(buf, buflen, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		break;
	case JSON_REAL:
		so_real(json_real_value(v), buf, buflen);
		break;
	default:
		return -1;
	}
	*p = buf;
	*len = strlen(buf);
	return 0;
}

/*
 * One line of clean text from outside; markup in it is made text.  A
 * text cut to fit is warned about, as the host would have warned had it
 * been handed the whole of it.
 */
static char *
so_text(struct schemaorg *s, const char *p, size_t len)
{
	char	*t, *v;
	size_t	 n;

	n = feedutil_utf8_cut(p, len, SO_MAX_RAW);
	if (!feedutil_looks_like_html(p, n)) {
		if ((v = feedutil_text_clean(p, n, FEEDUTIL_MAX_FIELD)) ==
		    NULL)
			s->oom = 1;
	} else if ((t = feedutil_html_to_text(p, n, FEEDUTIL_MAX_FIELD)) ==
	    NULL) {
		s->oom = 1;
		return NULL;
	} else {
		if ((v = feedutil_text_clean(t, strlen(t),
		    FEEDUTIL_MAX_FIELD)) == NULL)
			s->oom = 1;
		free(t);
	}
	/* Cut on a character: up to 3 bytes short of the cap. */
	if (v != NULL && (n < len || (len > FEEDUTIL_MAX_FIELD &&
	    strlen(v) + 3 >= FEEDUTIL_MAX_FIELD)))
		so_warn(s, "a text of %zu bytes is longer than %d bytes: cut "
		    "short", len, FEEDUTIL_MAX_FIELD);
	return v;
}

/*
 * Long text that may be HTML, as plain text with its paragraphs; cut to
 * fit, with a warning naming the property `prop`.
 */
static char *
so_long_text(struct schemaorg *s, const char *prop, const char *p,
    size_t len)
{
	char	*v;
	size_t	 n;

	n = feedutil_utf8_cut(p, len, SO_MAX_RAW_LONG);
	if ((v = feedutil_html_to_text(p, n, FEEDUTIL_MAX_TEXT)) == NULL) {
		s->oom = 1;
		return NULL;
	}
	if (n < len || (len > FEEDUTIL_MAX_TEXT &&
	    strlen(v) + 3 >= FEEDUTIL_MAX_TEXT))
		so_warn(s, "%s: longer than %d bytes: cut short", prop,
		    FEEDUTIL_MAX_TEXT);
	return v;
}

/* A text or number property as one line of clean text, or NULL (warned). */
static char *
so_value_text(struct schemaorg *s, const char *prop, json_t *v)
{
	char		 buf[SO_NUM];
	const char	*p;
	size_t		 len;

	if (v == NULL)
		return NULL;
	if (so_scalar(v, buf, sizeof buf, &p, &len) == -1) {
		so_wrong(s, prop, v, "text");
		return NULL;
	}
	return so_text(s, p, len);
}

/*
 * Resolves a link against the document's base.  With `warn`, one that
 * is no usable http, https, mailto or tel URL is reported.
 */
static char *
so_link(struct schemaorg *s, const char *prop, const char *p, size_t len,
    int warn)
{
	char	*t, *r;

	/* A link cut short is a wrong link: a long one is left out. */
	if (len > SO_MAX_RAW) {
		if (warn)
			so_warn(s, "left out the link in \"%s\": it is %zu "
			    "bytes long", prop, len);
		return NULL;
	}
	if ((t = feedutil_text_clean(p, len, SO_MAX_RAW)) == NULL) {
		s->oom = 1;
		return NULL;
	}
	if (*t == '\0') {
		free(t);
		return NULL;
	}
	r = feedutil_url_resolve(t, s->base);
	if (r != NULL && strlen(r) > FEEDUTIL_MAX_FIELD) {
		if (warn)
			so_warn(s, "left out the link in \"%s\": it is %zu "
			    "bytes long", prop, strlen(r));
		free(r);
		r = NULL;
	} else if (r == NULL && warn)
		so_warn(s, "left out the link \"%.*s\" in \"%s\": not an "
		    "absolute http, https, mailto or tel URL", so_qlen(t), t,
		    prop);
	free(t);
	return r;
}

/* Reads a text property into `field`. */
static void
so_put_text(struct schemaorg *s, struct so_rec *r, const char *prop,
    json_t *v, const char *field, int prio)
{
	so_put_owned(s, r, field, so_value_text(s, prop, v), prio);
}

/* Reads an ISO 8601 date or date-time into `field`, as given. */
static void
so_put_date(struct schemaorg *s, struct so_rec *r, const char *prop,
    json_t *v, const char *field, int prio)
{
	char	 out[FEEDUTIL_DATE_MAX], *t;

	if (!json_is_string(v)) {
		so_wrong(s, prop, v, "a date");
		return;
	}
	if ((t = so_text(s, json_string_value(v), json_string_length(v))) ==
	    NULL)
		return;
	if (*t != '\0' && feedutil_date_parse(t, strlen(t), out,
	    sizeof out) == -1)
		so_warn(s, "left out the date \"%.*s\" in \"%s\": not a date "
		    "this module can read", so_qlen(t), t, prop);
	else if (*t != '\0')
		so_put(s, r, field, out, strlen(out), prio);
	free(t);
}

/*
 * Reads a count into `field`: a whole number, or text the host will
 * check.  A fraction or a negative number is passed on for the host to
 * refuse with its own warning.
 */
static void
so_put_count(struct schemaorg *s, struct so_rec *r, const char *prop,
    json_t *v, const char *field, int prio)
{
	char	buf[SO_NUM];

	if (json_is_real(v) && fabs(json_real_value(v)) < 1e9 &&
	    json_real_value(v) == (double)(long)json_real_value(v)) {
		snprintf(buf, sizeof buf, "%.0f", json_real_value(v));
		so_put(s, r, field, buf, strlen(buf), prio);
		return;
	}
	if (!json_is_number(v) && !json_is_string(v)) {
		so_wrong(s, prop, v, "a number");
		return;
	}
	so_put_text(s, r, prop, v, field, prio);
}

/* A flag: true, false, or "true"/"false"/"yes"/"no".  -1 for anything else. */
static int
so_flag(json_t *v, int *out)
{
	const char	*t;

	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	t = json_string_value(v);
	if (strcasecmp(t, "true") == 0 || strcasecmp(t, "yes") == 0)
		*out = 1;
	else if (strcasecmp(t, "false") == 0 || strcasecmp(t, "no") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* --- properties --- */

/*
 * Reads the properties of one node into `r`, as so_props[] says; with
 * `inherit`, only those a session takes from its series.
 */
static void
so_map_node(struct schemaorg *s, struct so_rec *r, json_t *node, int inherit)
{
	const struct so_map	*m;
	json_t			*v;
	size_t			 i;
	int			 f;

	for (i = 0; i < sizeof so_props / sizeof so_props[0] && !s->oom;
	    i++) {
		m = &so_props[i];
		if ((inherit && !m->inherit) ||
		    (v = so_get(node, m->prop)) == NULL)
			continue;
		switch (m->conv) {
		case SO_TEXT:
			so_put_text(s, r, m->prop, v, m->field, 2);
			break;
		case SO_LONG:
			if (!json_is_string(v))
				so_wrong(s, m->prop, v, "text");
			else
				so_put_owned(s, r, m->field, so_long_text(s,
				    m->prop, json_string_value(v),
				    json_string_length(v)), 2);
			break;
		case SO_URL:
			if (!json_is_string(v))
				so_wrong(s, m->prop, v, "a link");
			else
				so_put_owned(s, r, m->field, so_link(s,
				    m->prop, json_string_value(v),
				    json_string_length(v), 1), 2);
			break;
		case SO_DATE:
			so_put_date(s, r, m->prop, v, m->field, 2);
			break;
		case SO_COUNT:
			so_put_count(s, r, m->prop, v, m->field, 2);
			break;
		case SO_CONCEPTS:
			so_concepts(s, r, m->prop, v, 2);
			break;
		case SO_ORGANISER:
			so_organiser(s, r, m->prop, v, 2);
			break;
		case SO_PLACE:
			so_place(s, r, m->prop, v, 2);
			break;
		case SO_OFFERS:
			so_offers(s, r, m->prop, v, 2);
			break;
		case SO_FREE:
			if (so_flag(v, &f) == -1)
				so_wrong(s, m->prop, v, "true or false");
			else
				so_put(s, r, m->field, f ? "true" : "false",
				    f ? 4 : 5, 1);
			break;
		case SO_AGE:
			so_age(s, r, m->prop, v, 2);
			break;
		case SO_AGE_TEXT:
			so_age_text(s, r, m->prop, v, 1);
			break;
		case SO_ACCESS:
			so_access(s, r, m->prop, v, 2);
			break;
		case SO_WHEELCHAIR:
			if (so_flag(v, &f) == -1)
				so_wrong(s, m->prop, v, "true or false");
			else if (f)
				so_put(s, r, "access", "wheelchair", 10, 2);
			break;
		case SO_ATTENDANCE:
			so_attendance(s, r, m->prop, v, 1);
			break;
		}
	}
}

/*
 * The label of a Concept (prefLabel, else name) or a plain term; NULL
 * for a Concept named only by its IRI, which says nothing to a reader.
 */
static char *
so_label(struct schemaorg *s, const char *prop, json_t *e)
{
	json_t	*l;

	if (json_is_object(e)) {
		if ((l = so_get(e, "prefLabel")) == NULL)
			l = so_get(e, "name");
		return l != NULL ? so_value_text(s, prop, l) : NULL;
	}
	if (!json_is_string(e)) {
		so_wrong(s, prop, e, "a Concept or text");
		return NULL;
	}
	if (strstr(json_string_value(e), "://") != NULL)
		return NULL;
	return so_text(s, json_string_value(e), json_string_length(e));
}

/* Concepts or terms into "categories", as published. */
static void
so_concepts(struct schemaorg *s, struct so_rec *r, const char *prop,
    json_t *v, int prio)
{
	json_t	*e[SO_MAX_ELEMENTS];
	size_t	 i, n;

	n = so_items(v, e, SO_MAX_ELEMENTS);
	for (i = 0; i < n; i++)
		so_put_owned(s, r, "categories", so_label(s, prop, e[i]), prio);
}

/* Accessibility Concepts into access terms and groups, where clear. */
static void
so_access(struct schemaorg *s, struct so_rec *r, const char *prop,
    json_t *v, int prio)
{
	json_t	*e[SO_MAX_ELEMENTS];
	size_t	 i, n;
	char	*l;

	n = so_items(v, e, SO_MAX_ELEMENTS);
	for (i = 0; i < n; i++) {
		if ((l = so_label(s, prop, e[i])) == NULL)
			continue;
		so_access_term(s, r, l, prio);
		free(l);
	}
}

/* Adds the access term or group a label means, if the table knows it. */
static void
so_access_term(struct schemaorg *s, struct so_rec *r, const char *label,
    int prio)
{
	size_t	i;

	for (i = 0; i < sizeof so_access_terms / sizeof so_access_terms[0];
	    i++)
		if (strcasecmp(label, so_access_terms[i].label) == 0) {
			so_put(s, r, so_access_terms[i].field,
			    so_access_terms[i].term,
			    strlen(so_access_terms[i].term), prio);
			return;
		}
}

/* An Organization or Person into organiser.* fields. */
static void
so_organiser(struct schemaorg *s, struct so_rec *r, const char *prop,
    json_t *v, int prio)
{
	json_t		*e[1], *n, *x;
	const char	*t;
	char		*name, *given, *family, *mail;

	if (so_items(v, e, 1) == 0)
		return;
	if ((n = so_resolve(s, e[0])) == NULL) {
		/* Text that names no node is the organiser's name. */
		t = json_string_value(e[0]);
		if (strstr(t, "://") == NULL)
			so_put_owned(s, r, "organiser.name", so_text(s, t,
			    json_string_length(e[0])), prio);
		return;
	}
	if (!json_is_object(n)) {
		so_wrong(s, prop, n, "an Organization or Person");
		return;
	}
	if ((x = so_get(n, "name")) != NULL)
		so_put_text(s, r, "organizer.name", x, "organiser.name", prio);
	else {
		given = so_value_text(s, "organizer.givenName",
		    so_get(n, "givenName"));
		family = so_value_text(s, "organizer.familyName",
		    so_get(n, "familyName"));
		if (given != NULL && family != NULL && (name = malloc(
		    strlen(given) + strlen(family) + 2)) != NULL) {
			sprintf(name, "%s%s%s", given, *given != '\0' &&
			    *family != '\0' ? " " : "", family);
			so_put_owned(s, r, "organiser.name", name, prio);
		} else if (given != NULL || family != NULL)
			so_put(s, r, "organiser.name", given != NULL ? given :
			    family, strlen(given != NULL ? given : family),
			    prio);
		free(given);
		free(family);
	}
	if ((x = so_get(n, "url")) != NULL) {
		if (!json_is_string(x))
			so_wrong(s, "organizer.url", x, "a link");
		else
			so_put_owned(s, r, "organiser.url", so_link(s,
			    "organizer.url", json_string_value(x),
			    json_string_length(x), 1), prio);
	}
	so_put_text(s, r, "organizer.telephone", so_get(n, "telephone"),
	    "organiser.phone", prio);
	if ((mail = so_value_text(s, "organizer.email",
	    so_get(n, "email"))) != NULL) {
		t = strncasecmp(mail, "mailto:", 7) == 0 ? mail + 7 : mail;
		so_put(s, r, "organiser.email", t, strlen(t), prio);
		free(mail);
	}
}

/*
 * A Place (or a list of places) into location.* fields: the first
 * physical place gives name, address and coordinates; any
 * VirtualLocation makes the session one that can be joined online.
 */
static void
so_place(struct schemaorg *s, struct so_rec *r, const char *prop, json_t *v,
    int prio)
{
	json_t		*e[SO_MAX_PLACES], *n, *x, *g;
	const char	*t, *type;
	size_t		 i, k, len;
	int		 physical = 0, f;

	k = so_items(v, e, SO_MAX_PLACES);
	for (i = 0; i < k; i++) {
		if ((n = so_resolve(s, e[i])) == NULL) {
			/* Text that names no node: the place's name. */
			t = json_string_value(e[i]);
			if (!physical && strstr(t, "://") == NULL &&
			    *t != '#' && strncmp(t, "_:", 2) != 0) {
				so_put_owned(s, r, "location.name", so_text(s,
				    t, json_string_length(e[i])), prio);
				physical = 1;
			}
			continue;
		}
		if (!json_is_object(n)) {
			so_wrong(s, prop, n, "a Place");
			continue;
		}
		if (json_is_string(x = so_get(n, "@type"))) {
			len = json_string_length(x);
			type = so_term(json_string_value(x), &len);
			if (len == 15 && strncmp(type, "VirtualLocation",
			    15) == 0) {
				so_put(s, r, "location.online", "true", 4, 3);
				continue;
			}
		}
		if (physical)
			continue;
		physical = 1;
		so_put_text(s, r, "location.name", so_get(n, "name"),
		    "location.name", prio);
		so_address(s, r, so_get(n, "address"), prio);
		x = so_get(n, "geo");
		if (x != NULL && json_is_object(g = so_resolve(s, x))) {
			so_coord(s, r, "geo.latitude", so_get(g, "latitude"),
			    "location.lat", 90, prio);
			so_coord(s, r, "geo.longitude", so_get(g,
			    "longitude"), "location.lon", 180, prio);
		} else {
			if (x != NULL)
				so_wrong(s, "location.geo", x,
				    "GeoCoordinates");
			so_coord(s, r, "location.latitude", so_get(n,
			    "latitude"), "location.lat", 90, prio);
			so_coord(s, r, "location.longitude", so_get(n,
			    "longitude"), "location.lon", 180, prio);
		}
		so_amenities(s, r, so_get(n, "amenityFeature"), prio);
		if ((x = so_get(n, "isWheelchairAccessible")) == NULL)
			x = so_get(n, "beta:isWheelchairAccessible");
		if (x != NULL && so_flag(x, &f) == 0 && f)
			so_put(s, r, "access", "wheelchair", 10, prio);
	}
}

/* A PostalAddress (or an address as text) into location fields. */
static void
so_address(struct schemaorg *s, struct so_rec *r, json_t *v, int prio)
{
	static const char *const parts[] = {
		"streetAddress", "addressLocality", "addressRegion",
	};
	struct feedutil_buf	 b;
	json_t			*a;
	char			*t, *joined;
	size_t			 i;

	if (v == NULL)
		return;
	if (json_is_string(v)) {
		if ((t = so_text(s, json_string_value(v),
		    json_string_length(v))) == NULL)
			return;
		so_postcode_tail(s, r, t, prio);
		so_put_owned(s, r, "location.address", t, prio);
		return;
	}
	if (!json_is_object(a = so_resolve(s, v))) {
		so_wrong(s, "address", v, "a PostalAddress");
		return;
	}
	feedutil_buf_init(&b);
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if ((t = so_value_text(s, parts[i], so_get(a, parts[i]))) ==
		    NULL)
			continue;
		if (*t != '\0') {
			if (b.len > 0)
				feedutil_buf_adds(&b, ", ");
			feedutil_buf_adds(&b, t);
		}
		free(t);
	}
	if ((joined = feedutil_buf_finish(&b, NULL)) == NULL)
		s->oom = 1;
	else if (strlen(joined) > FEEDUTIL_MAX_FIELD)
		joined[feedutil_utf8_cut(joined, strlen(joined),
		    FEEDUTIL_MAX_FIELD)] = '\0';
	so_put_owned(s, r, "location.address", joined, prio);
	so_put_text(s, r, "postalCode", so_get(a, "postalCode"),
	    "location.postcode", prio);
}

/*
 * The UK postcode an address written as one line ends with, if any
 * ("School Road, Gillingham SP8 4QR"), as location.postcode.
 */
static void
so_postcode_tail(struct schemaorg *s, struct so_rec *r, const char *t,
    int prio)
{
	const char	*end = t + strlen(t), *in, *out;
	size_t		 n;

	while (end > t && (end[-1] == ' ' || end[-1] == '.'))
		end--;
	if (end - t < 6)
		return;
	in = end - 3;
	if (!isdigit((unsigned char)in[0]) || !isalpha((unsigned char)in[1]) ||
	    !isalpha((unsigned char)in[2]) || in[-1] != ' ')
		return;
	for (out = in - 1; out > t && isalnum((unsigned char)out[-1]); out--)
		;
	n = (size_t)(in - 1 - out);
	if (n < 2 || n > 4 || (out > t && out[-1] != ' ' && out[-1] != ',') ||
	    !isalpha((unsigned char)out[0]) ||
	    (!isdigit((unsigned char)out[1]) && !(n > 2 &&
	    isalpha((unsigned char)out[1]) && isdigit((unsigned char)out[2]))))
		return;
	so_put(s, r, "location.postcode", out, (size_t)(end - out), prio);
}

/* A latitude or longitude within [-limit, limit], else a warning. */
static void
so_coord(struct schemaorg *s, struct so_rec *r, const char *prop, json_t *v,
    const char *field, double limit, int prio)
{
	char	*t;
	double	 d;

	if (v == NULL)
		return;
	if ((t = so_value_text(s, prop, v)) == NULL)
		return;
	if (feedutil_decimal_parse(t, strlen(t), &d) == -1 || d < -limit ||
	    d > limit)
		so_warn(s, "left out \"%s\" \"%.*s\": not a coordinate in "
		    "range", prop, so_qlen(t), t);
	else
		so_put(s, r, field, t, strlen(t), prio);
	free(t);
}

/* Amenity features that are there (value true or absent) into access. */
static void
so_amenities(struct schemaorg *s, struct so_rec *r, json_t *v, int prio)
{
	json_t	*e[SO_MAX_ELEMENTS], *x;
	size_t	 i, n;
	char	*l;
	int	 f;

	n = so_items(v, e, SO_MAX_ELEMENTS);
	for (i = 0; i < n; i++) {
		if (!json_is_object(e[i]))
			continue;
		if ((x = so_get(e[i], "value")) != NULL &&
		    (so_flag(x, &f) == -1 || !f))
			continue;
		if ((l = so_value_text(s, "amenityFeature.name",
		    so_get(e[i], "name"))) == NULL)
			continue;
		so_access_term(s, r, l, prio);
		free(l);
	}
}

/*
 * Offers into cost.min, cost.max, cost.currency and cost.free (every
 * price nothing).  Prices in a second currency are left out, warned:
 * a range across currencies means nothing.
 */
static void
so_offers(struct schemaorg *s, struct so_rec *r, const char *prop,
    json_t *v, int prio)
{
	static const char *const fields[] = { "price", "lowPrice",
	    "highPrice" };
	json_t		*e[SO_MAX_ELEMENTS], *o, *x;
	char		*cur = NULL, *c, buf[SO_NUM];
	double		 p, lo = 0, hi = 0;
	size_t		 i, k, n, count = 0;
	int		 warned = 0;

	n = so_items(v, e, SO_MAX_ELEMENTS);
	for (i = 0; i < n && !s->oom; i++) {
		if ((o = so_resolve(s, e[i])) == NULL || !json_is_object(o)) {
			so_wrong(s, prop, o != NULL ? o : e[i], "an Offer");
			continue;
		}
		c = so_value_text(s, "priceCurrency", so_get(o,
		    "priceCurrency"));
		if (c != NULL && *c == '\0') {
			free(c);
			c = NULL;
		}
		if (c != NULL && cur != NULL && strcasecmp(c, cur) != 0) {
			if (!warned++)
				so_warn(s, "left out prices in %.*s: the "
				    "offers are also in %s, and a cost is in "
				    "one currency", so_qlen(c), c, cur);
			free(c);
			continue;
		}
		for (k = 0; k < sizeof fields / sizeof fields[0]; k++) {
			if ((x = so_get(o, fields[k])) == NULL ||
			    so_price(s, fields[k], x, &p) == -1)
				continue;
			if (count == 0 || p < lo)
				lo = p;
			if (count == 0 || p > hi)
				hi = p;
			count++;
		}
		if (cur == NULL)
			cur = c;
		else
			free(c);
	}
	if (count > 0) {
		so_real(lo, buf, sizeof buf);
		so_put(s, r, "cost.min", buf, strlen(buf), prio);
		so_real(hi, buf, sizeof buf);
		so_put(s, r, "cost.max", buf, strlen(buf), prio);
		so_put(s, r, "cost.free", hi == 0 ? "true" : "false",
		    hi == 0 ? 4 : 5, prio);
		if (cur != NULL)
			so_put(s, r, "cost.currency", cur, strlen(cur), prio);
	}
	free(cur);
}

/*
 * A price: a number, or text such as "3.50", "£3.50" or "Free".  Returns
 * 0 with *out set, or -1 (warned) when it is none.
 */
static int
so_price(struct schemaorg *s, const char *prop, json_t *v, double *out)
{
	static const char *const signs[] = { "\xc2\xa3", "$", "\xe2\x82\xac",
	    "GBP", "EUR", "USD" };
	const char	*p;
	char		*t;
	size_t		 i, n;
	int		 rc = -1;

	if (json_is_number(v)) {
		*out = json_number_value(v);
		if (*out >= 0 && isfinite(*out))
			return 0;
		so_warn(s, "left out the %s %g: a price is not negative", prop,
		    *out);
		return -1;
	}
	if ((t = so_value_text(s, prop, v)) == NULL)
		return -1;
	p = t;
	for (i = 0; i < sizeof signs / sizeof signs[0]; i++) {
		n = strlen(signs[i]);
		if (strncasecmp(p, signs[i], n) == 0) {
			p += n;
			break;
		}
	}
	while (*p == ' ')
		p++;
	if (strcasecmp(p, "free") == 0) {
		*out = 0;
		rc = 0;
	} else if (feedutil_decimal_parse(p, strlen(p), out) == 0 &&
	    *out >= 0)
		rc = 0;
	else if (*t != '\0')
		so_warn(s, "left out the %s \"%.*s\": not an amount of money",
		    prop, so_qlen(t), t);
	free(t);
	return rc;
}

/* A QuantitativeValue of ages into age.min and age.max. */
static void
so_age(struct schemaorg *s, struct so_rec *r, const char *prop, json_t *v,
    int prio)
{
	json_t	*a;

	if (json_is_string(v)) {
		so_age_text(s, r, prop, v, prio);
		return;
	}
	if ((a = so_resolve(s, v)) == NULL || !json_is_object(a)) {
		so_wrong(s, prop, v, "a QuantitativeValue");
		return;
	}
	if (so_get(a, "minValue") != NULL)
		so_put_count(s, r, "ageRange.minValue", so_get(a, "minValue"),
		    "age.min", prio);
	if (so_get(a, "maxValue") != NULL)
		so_put_count(s, r, "ageRange.maxValue", so_get(a, "maxValue"),
		    "age.max", prio);
}

/* An age range as text: "18-65", "18+", "18-", "65 and under" is not read. */
static void
so_age_text(struct schemaorg *s, struct so_rec *r, const char *prop,
    json_t *v, int prio)
{
	char		*t;
	const char	*p, *lo, *hi = NULL;
	size_t		 nlo, nhi = 0;

	if (!json_is_string(v)) {
		so_wrong(s, prop, v, "text");
		return;
	}
	if ((t = so_text(s, json_string_value(v), json_string_length(v))) ==
	    NULL)
		return;
	for (p = lo = t; *p >= '0' && *p <= '9'; p++)
		;
	nlo = (size_t)(p - lo);
	while (*p == ' ')
		p++;
	if (*p == '-' || *p == '+') {
		for (p++; *p == ' '; p++)
			;
		for (hi = p; *p >= '0' && *p <= '9'; p++)
			;
		nhi = (size_t)(p - hi);
	}
	if (nlo == 0 || *p != '\0' || nlo > 3 || nhi > 3)
		so_warn(s, "left out \"%s\" \"%.*s\": not an age range such "
		    "as 18-65 or 18+", prop, so_qlen(t), t);
	else {
		so_put(s, r, "age.min", lo, nlo, prio);
		if (nhi > 0)
			so_put(s, r, "age.max", hi, nhi, prio);
	}
	free(t);
}

/* eventAttendanceMode: online or mixed means it can be joined online. */
static void
so_attendance(struct schemaorg *s, struct so_rec *r, const char *prop,
    json_t *v, int prio)
{
	const char	*t;
	size_t		 len;

	if (!json_is_string(v)) {
		so_wrong(s, prop, v, "text");
		return;
	}
	len = json_string_length(v);
	t = so_term(json_string_value(v), &len);
	if ((len == 25 && strncmp(t, "OnlineEventAttendanceMode", 25) == 0) ||
	    (len == 24 && strncmp(t, "MixedEventAttendanceMode", 24) == 0))
		so_put(s, r, "location.online", "true", 4, prio);
	else if (len == 26 && strncmp(t, "OfflineEventAttendanceMode",
	    26) == 0)
		so_put(s, r, "location.online", "false", 5, prio);
}

/* What eventStatus says of a node. */
static enum so_status
so_status(json_t *node)
{
	json_t		*v = so_get(node, "eventStatus");
	const char	*t;
	size_t		 len;

	if (!json_is_string(v))
		return SO_SCHEDULED;
	len = json_string_length(v);
	t = so_term(json_string_value(v), &len);
	if (len == 14 && strncmp(t, "EventCancelled", 14) == 0)
		return SO_CANCELLED;
	if (len == 14 && strncmp(t, "EventPostponed", 14) == 0)
		return SO_POSTPONED;
	if (len == 16 && strncmp(t, "EventMovedOnline", 16) == 0)
		return SO_ONLINE;
	return SO_SCHEDULED;
}

/* --- series and sessions --- */

/*
 * The superEvent of `node` as a node of this document, or NULL.  With
 * `count`, one that names a node not here is counted, for the report.
 */
static json_t *
so_super(struct schemaorg *s, json_t *node, int count)
{
	json_t	*e[1], *p;

	if (so_items(so_get(node, "superEvent"), e, 1) == 0)
		return NULL;
	if (!json_is_string(e[0]) && !json_is_object(e[0]))
		return NULL;
	p = so_resolve(s, e[0]);
	if (p == NULL || so_is_reference(p)) {
		if (count)
			s->unresolved++;
		return NULL;
	}
	return p;
}

/*
 * Fills what the record lacks from its series: `parent` when the node
 * was found inside it, else its superEvent, and so on up, at most
 * SO_MAX_PARENTS steps, never through a node twice.
 */
static void
so_inherit(struct schemaorg *s, struct so_rec *r, json_t *node,
    json_t *parent)
{
	struct so_rec	 tmp;
	json_t		*visited[SO_MAX_PARENTS + 1], *p;
	size_t		 nv = 0, i, depth;

	visited[nv++] = node;
	p = parent != NULL ? parent : so_super(s, node, 1);
	for (depth = 0; p != NULL && depth < SO_MAX_PARENTS && !s->oom;
	    depth++) {
		for (i = 0; i < nv; i++)
			if (visited[i] == p)
				return;
		visited[nv++] = p;
		memset(&tmp, 0, sizeof tmp);
		/* Its faults are the series' own, reported with it. */
		s->quiet++;
		so_map_node(s, &tmp, p, 1);
		s->quiet--;
		so_merge(s, r, &tmp);
		so_rec_free(&tmp);
		p = so_super(s, p, 0);
	}
}

/*
 * The source id of a subEvent of the event `psid`: its @id, else its
 * identifier or its start within the parent's id.  NULL when none.
 */
static char *
so_child_id(struct schemaorg *s, json_t *e, const char *psid)
{
	json_t	*v;
	char	*t, *id;

	if ((t = so_own_id(s, e)) != NULL)
		return t;
	if (psid == NULL)
		return NULL;
	if ((v = so_get(e, "identifier")) == NULL || (!json_is_string(v) &&
	    !json_is_number(v)))
		v = so_get(e, "startDate");
	if (v == NULL || (t = so_value_text(s, "identifier", v)) == NULL)
		return NULL;
	if (*t == '\0' || asprintf(&id, "%s#%s", psid, t) == -1)
		id = NULL;
	free(t);
	return id;
}

/* 1 when a record with source id `sid` was emitted in this parse. */
static int
so_seen(struct schemaorg *s, const char *sid)
{
	return json_object_get(s->seen, sid) != NULL;
}

static int
so_mark(struct schemaorg *s, const char *sid)
{
	return json_object_set_new(s->seen, sid, json_true());
}

/*
 * Emits deletions for a cancelled event and the sessions inside it, which
 * are cancelled with it.
 */
static int
so_cancelled(struct schemaorg *s, json_t *node, const char *sid, int depth)
{
	json_t	*subs, *c;
	char	*csid;
	size_t	 i, n;
	int	 rc = DAYHUB_OK;

	if (sid == NULL)
		so_warn(s, "left out a cancelled event with no id: there is "
		    "nothing to delete");
	else if ((rc = schemaorg_deleted(s, sid)) != DAYHUB_OK)
		return rc;
	if (depth >= SO_MAX_NESTING)
		return DAYHUB_OK;
	subs = so_get(node, "subEvent");
	n = so_count(subs, SO_MAX_SUBEVENTS);
	for (i = 0; i < n && rc == DAYHUB_OK; i++) {
		if ((c = so_resolve(s, so_nth(subs, i))) == NULL ||
		    !json_is_object(c) || c == node)
			continue;
		csid = so_child_id(s, c, sid);
		rc = so_cancelled(s, c, csid, depth + 1);
		free(csid);
	}
	return rc;
}

/*
 * One event: its record (one per usable schedule), filled from its
 * series, then the records of its subEvents.  `up` holds the `depth`
 * events it was found inside, so that a subEvent naming one of them is
 * not read again.
 */
static int
so_event(struct schemaorg *s, json_t *node, json_t *parent, const char *sid,
    json_t **up, int depth)
{
	struct so_rec	 base, one;
	json_t		*sch[SO_MAX_SCHEDULES], *subs, *c;
	enum so_status	 st;
	char		*csid, *id, key[32];
	size_t		 i, n, used = 0;
	int		 rc = DAYHUB_OK, k;

	s->nlisted++;
	snprintf(key, sizeof key, "%p", (void *)node);
	if (json_object_set_new(s->done, key, json_true()) == -1) {
		s->oom = 1;
		return DAYHUB_ERROR;
	}
	if (sid != NULL && so_seen(s, sid)) {
		so_warn(s, "the event \"%.*s\" appears more than once; it was "
		    "read once", so_qlen(sid), sid);
		return DAYHUB_OK;
	}
	if ((st = so_status(node)) == SO_CANCELLED)
		return so_cancelled(s, node, sid, depth);
	memset(&base, 0, sizeof base);
	so_map_node(s, &base, node, 0);
	if (st == SO_POSTPONED && sid != NULL)
		so_warn(s, "the event \"%.*s\" is postponed; it is listed as "
		    "published until it is given a new date", so_qlen(sid),
		    sid);
	else if (st == SO_POSTPONED)
		so_warn(s, "an event with no id is postponed; it is listed as "
		    "published until it is given a new date");
	else if (st == SO_ONLINE)
		so_put(s, &base, "location.online", "true", 4, 3);
	so_inherit(s, &base, node, parent);
	so_put(s, &base, "state", "updated", 7, 9);

	n = so_items(so_get(node, "eventSchedule"), sch, SO_MAX_SCHEDULES);
	for (i = 0; i < n && rc == DAYHUB_OK && !s->oom; i++) {
		memset(&one, 0, sizeof one);
		if (so_copy(s, &one, &base) == 0 &&
		    so_schedule(s, &one, sch[i], node) == 0) {
			/* A second schedule is a record of its own. */
			id = NULL;
			if (used > 0 && sid != NULL &&
			    asprintf(&id, "%s#schedule%zu", sid, used + 1) ==
			    -1)
				s->oom = 1;
			if (!s->oom)
				rc = so_emit(s, &one, used == 0 ? sid : id);
			free(id);
			used++;
		}
		so_rec_free(&one);
	}
	if (used == 0 && rc == DAYHUB_OK && !s->oom)
		rc = so_emit(s, &base, sid);
	so_rec_free(&base);
	if (s->oom)
		return DAYHUB_ERROR;

	if (depth >= SO_MAX_NESTING)
		return rc;
	up[depth] = node;
	subs = so_get(node, "subEvent");
	n = so_count(subs, SO_MAX_SUBEVENTS);
	for (i = 0; i < n && rc == DAYHUB_OK; i++) {
		if ((c = so_resolve(s, so_nth(subs, i))) == NULL ||
		    !json_is_object(c) || so_is_reference(c) ||
		    schemaorg_kind(c, NULL) == SCHEMAORG_SKIPPED)
			continue;
		for (k = 0; k <= depth && up[k] != c; k++)
			;
		if (k <= depth)
			continue;
		csid = so_child_id(s, c, sid);
		rc = so_event(s, c, node, csid, up, depth + 1);
		free(csid);
	}
	return s->oom ? DAYHUB_ERROR : rc;
}

/* --- schedules --- */

/*
 * Adds one PartialSchedule's values to `r`: schedule.rrule, .duration and
 * .exdates, the first session's start and end (local times) and the
 * schedule's timezone.  Returns 0, or -1 (warned) when it cannot be used.
 */
static int
so_schedule(struct schemaorg *s, struct so_rec *r, json_t *v, json_t *event)
{
	static const char *const freqs[] = { "DAILY", "WEEKLY", "MONTHLY",
	    "YEARLY" };
	struct so_sched		 sc;
	struct feedutil_buf	 b;
	json_t			*sch, *tz;
	char			 buf[64], *rule;
	long			 secs;
	int			 y, m, d, k, found = 0;
	size_t			 i;

	if ((sch = so_resolve(s, v)) == NULL || !json_is_object(sch)) {
		so_wrong(s, "eventSchedule", v, "a Schedule");
		return -1;
	}
	if (so_sched_read(s, sch, event, &sc) == -1)
		return -1;

	/* The first session: the first day from startDate the rule allows. */
	y = sc.y;
	m = sc.m;
	d = sc.d;
	for (k = 0; k < SO_SEARCH_DAYS; k++) {
		if (sc.has_until && (y > sc.uy || (y == sc.uy && (m > sc.um ||
		    (m == sc.um && d > sc.ud)))))
			break;
		if (so_matches(&sc, y, m, d)) {
			found = 1;
			break;
		}
		so_next_day(&y, &m, &d);
	}
	if (!found) {
		so_warn(s, "left out a schedule with no session between its "
		    "start and end dates");
		return -1;
	}

	feedutil_buf_init(&b);
	feedutil_buf_adds(&b, "FREQ=");
	feedutil_buf_adds(&b, freqs[sc.unit == 'D' ? 0 : sc.unit == 'W' ? 1 :
	    sc.unit == 'M' ? 2 : 3]);
	if (sc.interval > 1) {
		snprintf(buf, sizeof buf, ";INTERVAL=%u", sc.interval);
		feedutil_buf_adds(&b, buf);
	}
	for (i = 0; i < sc.nbyday; i++) {
		feedutil_buf_adds(&b, i == 0 ? ";BYDAY=" : ",");
		if (sc.byday[i].ord != 0) {
			snprintf(buf, sizeof buf, "%d", sc.byday[i].ord);
			feedutil_buf_adds(&b, buf);
		}
		feedutil_buf_adds(&b, so_wd_codes[sc.byday[i].wd]);
	}
	for (i = 0; i < sc.nbymonthday; i++) {
		snprintf(buf, sizeof buf, "%s%d", i == 0 ? ";BYMONTHDAY=" : ",",
		    sc.bymonthday[i]);
		feedutil_buf_adds(&b, buf);
	}
	for (i = 0; i < sc.nbymonth; i++) {
		snprintf(buf, sizeof buf, "%s%d", i == 0 ? ";BYMONTH=" : ",",
		    sc.bymonth[i]);
		feedutil_buf_adds(&b, buf);
	}
	/* endDate takes in the whole of its day, in the schedule's zone. */
	if (sc.has_until) {
		snprintf(buf, sizeof buf, ";UNTIL=%04d%02d%02d%s", sc.uy, sc.um,
		    sc.ud, sc.start_secs >= 0 ? "T235959" : "");
		feedutil_buf_adds(&b, buf);
	} else if (sc.count > 0) {
		snprintf(buf, sizeof buf, ";COUNT=%lu", sc.count);
		feedutil_buf_adds(&b, buf);
	}
	if ((rule = feedutil_buf_finish(&b, NULL)) == NULL) {
		s->oom = 1;
		return -1;
	}
	so_put_owned(s, r, "schedule.rrule", rule, 3);

	if (sc.start_secs >= 0)
		snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02ld:%02ld:%02ld", y,
		    m, d, sc.start_secs / 3600, sc.start_secs / 60 % 60,
		    sc.start_secs % 60);
	else
		snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
	so_put(s, r, "start", buf, strlen(buf), 3);
	/* The session's end, a day on when it ends past midnight. */
	so_drop(r, "end");
	if (sc.start_secs >= 0 && sc.duration > 0) {
		secs = sc.start_secs + sc.duration;
		for (; secs >= 86400; secs -= 86400)
			so_next_day(&y, &m, &d);
		snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02ld:%02ld:%02ld", y,
		    m, d, secs / 3600, secs / 60 % 60, secs % 60);
		so_put(s, r, "end", buf, strlen(buf), 3);
	}
	if (sc.duration > 0) {
		so_duration_text(sc.duration, buf, sizeof buf);
		so_put(s, r, "schedule.duration", buf, strlen(buf), 3);
	}
	so_exdates(s, r, so_get(sch, "exceptDate"), &sc);
	if ((tz = so_get(sch, "scheduleTimezone")) != NULL)
		so_put_text(s, r, "scheduleTimezone", tz, "timezone", 3);
	return s->oom ? -1 : 0;
}

/* Reads the parts of a schedule.  Returns 0, or -1 (warned). */
static int
so_sched_read(struct schemaorg *s, json_t *sch, json_t *event,
    struct so_sched *sc)
{
	json_t		*v, *e[SO_MAX_ELEMENTS];
	char		*t;
	size_t		 i, k, n;
	struct so_byday	 bd;

	memset(sc, 0, sizeof *sc);
	sc->interval = 1;
	sc->start_secs = sc->end_secs = sc->duration = -1;

	n = so_items(so_get(sch, "byDay"), e, SO_MAX_ELEMENTS);
	for (i = 0; i < n; i++) {
		if ((t = so_value_text(s, "byDay", e[i])) == NULL)
			continue;
		if (so_weekday(t, &bd) == -1)
			so_warn(s, "left out the byDay value \"%.*s\": not a "
			    "day of the week", so_qlen(t), t);
		else {
			for (k = 0; k < sc->nbyday && (sc->byday[k].wd !=
			    bd.wd || sc->byday[k].ord != bd.ord); k++)
				;
			if (k == sc->nbyday && sc->nbyday < SO_MAX_BYDAY)
				sc->byday[sc->nbyday++] = bd;
		}
		free(t);
	}
	sc->nbymonthday = so_ints(s, "byMonthDay", so_get(sch, "byMonthDay"),
	    -31, 31, sc->bymonthday, 31);
	sc->nbymonth = so_ints(s, "byMonth", so_get(sch, "byMonth"), 1, 12,
	    sc->bymonth, 12);

	if ((v = so_get(sch, "repeatFrequency")) != NULL) {
		if ((t = so_value_text(s, "repeatFrequency", v)) == NULL)
			return -1;
		if (so_frequency(t, &sc->unit, &sc->interval) == -1) {
			so_warn(s, "left out a schedule: the repeatFrequency "
			    "\"%.*s\" is not one this module reads (P1D, "
			    "P1W, P2W, P1M, P1Y ...)", so_qlen(t), t);
			free(t);
			return -1;
		}
		free(t);
	} else if (sc->nbymonthday > 0)
		sc->unit = 'M';
	else if (sc->nbyday > 0)
		sc->unit = 'W';
	else {
		so_warn(s, "left out a schedule with no repeatFrequency");
		return -1;
	}
	/* A numbered weekday ("2TU") means something only month by month. */
	for (i = 0; i < sc->nbyday; i++)
		if (sc->byday[i].ord != 0 && sc->unit != 'M' &&
		    sc->unit != 'Y') {
			so_warn(s, "read the byDay value %d%s as %s: a "
			    "numbered day belongs in a monthly schedule",
			    sc->byday[i].ord, so_wd_codes[sc->byday[i].wd],
			    so_wd_codes[sc->byday[i].wd]);
			sc->byday[i].ord = 0;
		}

	if ((v = so_get(sch, "startDate")) == NULL)
		v = so_get(event, "startDate");
	if (v == NULL) {
		so_warn(s, "left out a schedule with no startDate: its first "
		    "session is not known");
		return -1;
	}
	if (so_date_of(s, "startDate", v, &sc->y, &sc->m, &sc->d) == -1)
		return -1;
	if ((v = so_get(sch, "endDate")) != NULL &&
	    so_date_of(s, "endDate", v, &sc->uy, &sc->um, &sc->ud) == 0)
		sc->has_until = 1;
	sc->start_secs = so_time_of(s, "startTime", so_get(sch, "startTime"));
	sc->end_secs = so_time_of(s, "endTime", so_get(sch, "endTime"));
	if (sc->start_secs >= 0 && sc->end_secs >= 0)
		sc->duration = sc->end_secs > sc->start_secs ?
		    sc->end_secs - sc->start_secs :
		    sc->end_secs + 86400 - sc->start_secs;
	else {
		if ((v = so_get(sch, "duration")) == NULL)
			v = so_get(event, "duration");
		if (json_is_string(v))
			sc->duration = so_duration_parse(json_string_value(v),
			    json_string_length(v));
	}
	if ((v = so_get(sch, "repeatCount")) != NULL) {
		if (json_is_integer(v) && json_integer_value(v) > 0 &&
		    json_integer_value(v) <= 100000)
			sc->count = (unsigned long)json_integer_value(v);
		else
			so_wrong(s, "repeatCount", v, "a count");
	}
	return 0;
}

/* "P1W" is weekly, "P2W" fortnightly: a number and D, W, M or Y. */
static int
so_frequency(const char *t, char *unit, unsigned *interval)
{
	unsigned long	n = 0;
	const char	*p = t;

	if (*p != 'P' && *p != 'p')
		return -1;
	for (p++; *p >= '0' && *p <= '9' && n <= SO_MAX_INTERVAL; p++)
		n = n * 10 + (unsigned long)(*p - '0');
	if (p == t + 1 || n == 0 || n > SO_MAX_INTERVAL || p[0] == '\0' ||
	    p[1] != '\0' || strchr("DWMYdwmy", *p) == NULL)
		return -1;
	*unit = (char)(*p & ~0x20);
	*interval = (unsigned)n;
	return 0;
}

/*
 * A day of the week as schema.org writes it ("https://schema.org/Tuesday",
 * "schema:Tuesday", "Tuesday") or as iCalendar does ("TU", "2TU", "-1FR").
 */
static int
so_weekday(const char *t, struct so_byday *out)
{
	const char	*p;
	size_t		 i, len = strlen(t);
	int		 ord = 0, sign = 1;

	p = so_term(t, &len);
	for (i = 0; i < 7; i++)
		if (strlen(so_wd_names[i]) == len &&
		    strncasecmp(p, so_wd_names[i], len) == 0) {
			out->ord = 0;
			out->wd = (int)i;
			return 0;
		}
	p = t;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (*p >= '1' && *p <= '5' && !(p[1] >= '0' && p[1] <= '9'))
		ord = sign * (*p++ - '0');
	else if (sign == -1 || t[0] == '+')
		return -1;
	for (i = 0; i < 7; i++)
		if (strcasecmp(p, so_wd_codes[i]) == 0) {
			out->ord = ord;
			out->wd = (int)i;
			return 0;
		}
	return -1;
}

/* Whole numbers in [lo, hi] (not 0), one or a list, into `out`. */
static size_t
so_ints(struct schemaorg *s, const char *prop, json_t *v, int lo, int hi,
    int *out, size_t max)
{
	json_t		*e[SO_MAX_ELEMENTS];
	json_int_t	 x;
	size_t		 i, k, n, count = 0;
	double		 d;

	n = so_items(v, e, SO_MAX_ELEMENTS);
	for (i = 0; i < n && count < max; i++) {
		if (json_is_integer(e[i]))
			x = json_integer_value(e[i]);
		else if (json_is_string(e[i]) && feedutil_decimal_parse(
		    json_string_value(e[i]), json_string_length(e[i]), &d) ==
		    0 && fabs(d) < 1000 && d == (double)(long)d)
			x = (json_int_t)d;
		else {
			so_wrong(s, prop, e[i], "a whole number");
			continue;
		}
		if (x < lo || x > hi || x == 0) {
			so_warn(s, "left out the %s value %" JSON_INTEGER_FORMAT
			    ": not in %d to %d", prop, x, lo, hi);
			continue;
		}
		for (k = 0; k < count && out[k] != (int)x; k++)
			;
		if (k == count)
			out[count++] = (int)x;
	}
	return count;
}

/* The calendar date of a date or date-time.  Returns 0, or -1 (warned). */
static int
so_date_of(struct schemaorg *s, const char *prop, json_t *v, int *y, int *m,
    int *d)
{
	char	out[FEEDUTIL_DATE_MAX], *t;
	int	rc = -1;

	if (!json_is_string(v)) {
		so_wrong(s, prop, v, "a date");
		return -1;
	}
	if ((t = so_text(s, json_string_value(v), json_string_length(v))) ==
	    NULL)
		return -1;
	if (feedutil_date_parse(t, strlen(t), out, sizeof out) == -1)
		so_warn(s, "left out a schedule: its %s \"%.*s\" is not a "
		    "date", prop, so_qlen(t), t);
	else {
		*y = (out[0] - '0') * 1000 + (out[1] - '0') * 100 +
		    (out[2] - '0') * 10 + (out[3] - '0');
		*m = (out[5] - '0') * 10 + (out[6] - '0');
		*d = (out[8] - '0') * 10 + (out[9] - '0');
		rc = 0;
	}
	free(t);
	return rc;
}

/*
 * A time of day, "20:15" or "20:15:30" (a fraction or an offset after it
 * is dropped: the schedule's zone decides), as seconds; -1 when absent or
 * not a time (warned).
 */
static long
so_time_of(struct schemaorg *s, const char *prop, json_t *v)
{
	const char	*t, *p;
	long		 h = 0, m = 0, sec = 0;
	int		 n;

	if (v == NULL)
		return -1;
	if (!json_is_string(v)) {
		so_wrong(s, prop, v, "a time");
		return -1;
	}
	p = t = json_string_value(v);
	for (n = 0; *p >= '0' && *p <= '9' && n < 2; p++, n++)
		h = h * 10 + (*p - '0');
	if (n == 0 || *p++ != ':' || !(p[0] >= '0' && p[0] <= '5') ||
	    !(p[1] >= '0' && p[1] <= '9'))
		goto bad;
	m = (p[0] - '0') * 10 + (p[1] - '0');
	p += 2;
	if (*p == ':') {
		if (!(p[1] >= '0' && p[1] <= '5') || !(p[2] >= '0' &&
		    p[2] <= '9'))
			goto bad;
		sec = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (*p != '\0' && *p != 'Z' && *p != 'z' && *p != '+' && *p != '-')
		goto bad;
	if (h > 24 || (h == 24 && (m != 0 || sec != 0)))
		goto bad;
	return h * 3600 + m * 60 + sec;

bad:
	so_warn(s, "left out the %s \"%.*s\": not a time of day", prop,
	    (int)feedutil_utf8_cut(t, strlen(t), SO_QUOTE), t);
	return -1;
}

/* An ISO 8601 duration ("PT1H30M", "P1DT2H") as seconds, or -1. */
static long
so_duration_parse(const char *t, size_t len)
{
	const char	*p = t, *end = t + len;
	long		 total = 0, n;
	int		 intime = 0, digits;

	if (p == end || (*p != 'P' && *p != 'p'))
		return -1;
	for (p++; p < end;) {
		if (*p == 'T' || *p == 't') {
			intime = 1;
			p++;
			continue;
		}
		for (n = 0, digits = 0; p < end && *p >= '0' && *p <= '9' &&
		    digits < 6; p++, digits++)
			n = n * 10 + (*p - '0');
		/* A fraction of the last unit is dropped. */
		if (p < end && (*p == '.' || *p == ','))
			for (p++; p < end && *p >= '0' && *p <= '9'; p++)
				;
		if (digits == 0 || p == end)
			return -1;
		switch (*p++ & ~0x20) {
		case 'W':
			total += n * 7 * 86400;
			break;
		case 'D':
			total += n * 86400;
			break;
		case 'H':
			total += n * 3600;
			break;
		case 'M':
			if (!intime)
				return -1;	/* months: no fixed length */
			total += n * 60;
			break;
		case 'S':
			total += n;
			break;
		default:
			return -1;
		}
		if (total > 366L * 86400)
			return -1;
	}
	return total > 0 ? total : -1;
}

/* Writes seconds as an ISO 8601 duration: "PT1H30M". */
static void
so_duration_text(long secs, char *buf, size_t len)
{
	int	n;

	n = snprintf(buf, len, "PT");
	if (secs >= 3600)
		n += snprintf(buf + n, len - (size_t)n, "%ldH", secs / 3600);
	if (secs % 3600 >= 60)
		n += snprintf(buf + n, len - (size_t)n, "%ldM",
		    secs % 3600 / 60);
	if (secs % 60 != 0)
		snprintf(buf + n, len - (size_t)n, "%ldS", secs % 60);
}

static int
so_days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* The day of the week of a date, 0 for Monday (Sakamoto's method). */
static int
so_wday(int y, int m, int d)
{
	static const int t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };

	if (m < 3)
		y--;
	return ((y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7 + 6) % 7;
}

static void
so_next_day(int *y, int *m, int *d)
{
	if (++*d <= so_days_in_month(*y, *m))
		return;
	*d = 1;
	if (++*m <= 12)
		return;
	*m = 1;
	++*y;
}

/* 1 when the schedule has a session on the date. */
static int
so_matches(const struct so_sched *sc, int y, int m, int d)
{
	size_t	i;
	int	ok, wd, dim = so_days_in_month(y, m), md;

	if (sc->nbymonth > 0) {
		for (ok = 0, i = 0; i < sc->nbymonth; i++)
			ok |= sc->bymonth[i] == m;
		if (!ok)
			return 0;
	}
	if (sc->nbymonthday > 0) {
		for (ok = 0, i = 0; i < sc->nbymonthday; i++) {
			md = sc->bymonthday[i];
			ok |= md > 0 ? md == d : dim + md + 1 == d;
		}
		if (!ok)
			return 0;
	}
	if (sc->nbyday > 0) {
		wd = so_wday(y, m, d);
		for (ok = 0, i = 0; i < sc->nbyday; i++) {
			if (sc->byday[i].wd != wd)
				continue;
			if (sc->byday[i].ord > 0)
				ok |= (d - 1) / 7 + 1 == sc->byday[i].ord;
			else if (sc->byday[i].ord < 0)
				ok |= (dim - d) / 7 + 1 == -sc->byday[i].ord;
			else
				ok = 1;
		}
		return ok;
	}
	/* No day given: the rule repeats the start date's own day. */
	if (sc->nbymonthday == 0 && sc->unit == 'M')
		return d == sc->d || (sc->d > dim && d == dim);
	if (sc->nbymonthday == 0 && sc->nbymonth == 0 && sc->unit == 'Y')
		return m == sc->m && d == sc->d;
	return 1;
}

/* exceptDate values as exdates: a date alone gets the session's time. */
static void
so_exdates(struct schemaorg *s, struct so_rec *r, json_t *v,
    const struct so_sched *sc)
{
	json_t	*e[SO_MAX_ELEMENTS];
	char	 out[FEEDUTIL_DATE_MAX + 16], *t;
	size_t	 i, n;

	n = so_items(v, e, SO_MAX_ELEMENTS);
	for (i = 0; i < n; i++) {
		if (!json_is_string(e[i])) {
			so_wrong(s, "exceptDate", e[i], "a date");
			continue;
		}
		if ((t = so_text(s, json_string_value(e[i]),
		    json_string_length(e[i]))) == NULL)
			continue;
		if (feedutil_date_parse(t, strlen(t), out,
		    FEEDUTIL_DATE_MAX) == -1)
			so_warn(s, "left out the exceptDate \"%.*s\": not a "
			    "date", so_qlen(t), t);
		else {
			if (strlen(out) == 10 && sc->start_secs >= 0)
				snprintf(out + 10, sizeof out - 10,
				    "T%02ld:%02ld:%02ld", sc->start_secs / 3600,
				    sc->start_secs / 60 % 60,
				    sc->start_secs % 60);
			so_put(s, r, "schedule.exdates", out, strlen(out), 3);
		}
		free(t);
	}
}

/* --- the index of nodes --- */

/* Indexes the nodes under `v` by @id, and notes which ones are subEvents. */
static void
so_index_walk(struct schemaorg *s, json_t *v, size_t depth)
{
	json_t		*id, *old, *x, *subs, *e[1];
	const char	*k;
	size_t		 i, n;

	if (depth > s->max_depth || s->oom)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			so_index_walk(s, x, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	if (json_is_string(id = json_object_get(v, "@id")) &&
	    !so_is_reference(v)) {
		old = json_object_get(s->index, json_string_value(id));
		/* The same node twice: keep the fuller description. */
		if (old == NULL && s->nindexed < SO_MAX_INDEX) {
			if (json_object_set(s->index, json_string_value(id),
			    v) == -1)
				s->oom = 1;
			s->nindexed++;
		} else if (old != NULL && json_object_size(old) <
		    json_object_size(v) && json_object_set(s->index,
		    json_string_value(id), v) == -1)
			s->oom = 1;
	}
	subs = json_object_get(v, "subEvent");
	n = so_count(subs, SO_MAX_SUBEVENTS);
	for (i = 0; i < n; i++) {
		x = so_nth(subs, i);
		if (json_is_object(x))
			x = json_object_get(x, "@id");
		if (json_is_string(x) && json_object_set_new(s->children,
		    json_string_value(x), json_true()) == -1)
			s->oom = 1;
	}
	if (so_items(json_object_get(v, "superEvent"), e, 1) == 1) {
		x = json_is_object(e[0]) ? json_object_get(e[0], "@id") : e[0];
		if (json_is_string(x) && json_object_set_new(s->parents,
		    json_string_value(x), json_true()) == -1)
			s->oom = 1;
	}
	json_object_foreach(v, k, x)
		so_index_walk(s, x, depth + 1);
}

/* --- the public face --- */

/*
 * Sets up one parse.  Returns 0, or -1 (nothing to free) when out of
 * memory.
 */
int
schemaorg_begin(struct schemaorg *s, const struct dayhub_input *in,
    const struct dayhub_host *host, void *sink)
{
	memset(s, 0, sizeof *s);
	s->in = in;
	s->host = host;
	s->sink = sink;
	s->base = in->base_url;
	s->max_depth = in->max_depth == 0 || in->max_depth >
	    SCHEMAORG_MAX_DEPTH ? SCHEMAORG_MAX_DEPTH : in->max_depth;
	s->index = json_object();
	s->children = json_object();
	s->parents = json_object();
	s->seen = json_object();
	s->done = json_object();
	if (s->index == NULL || s->children == NULL || s->parents == NULL ||
	    s->seen == NULL || s->done == NULL) {
		schemaorg_end(s);
		return -1;
	}
	return 0;
}

void
schemaorg_report(struct schemaorg *s)
{
	struct feedutil_buf	 b;
	char			 num[32];
	size_t			 i, named = 0;

	s->line = 0;
	if (s->unresolved > 0)
		so_warn(s, "%zu %s a superEvent that is not in this "
		    "document, so what %s from %s series (name, place, "
		    "prices) is missing", s->unresolved, s->unresolved == 1 ?
		    "event names" : "events name", s->unresolved == 1 ?
		    "it takes" : "they take", s->unresolved == 1 ? "its" :
		    "their");
	if (s->nskipped == 0)
		return;
	feedutil_buf_init(&b);
	for (i = 0; i < SCHEMAORG_SKIP_KINDS && s->skipped[i].count > 0;
	    i++) {
		feedutil_buf_adds(&b, i == 0 ? ": " : ", ");
		feedutil_buf_adds(&b, s->skipped[i].name);
		snprintf(num, sizeof num, " (%zu)", s->skipped[i].count);
		feedutil_buf_adds(&b, num);
		named += s->skipped[i].count;
	}
	if (named < s->nskipped) {
		snprintf(num, sizeof num, ", other (%zu)", s->nskipped - named);
		feedutil_buf_adds(&b, num);
	}
	so_warn(s, "left out %zu %s of kinds dayhub does not list%s",
	    s->nskipped, s->nskipped == 1 ? "entry" : "entries",
	    b.data != NULL && !b.failed ? b.data : "");
	feedutil_buf_free(&b);
}

void
schemaorg_end(struct schemaorg *s)
{
	json_decref(s->index);
	json_decref(s->children);
	json_decref(s->parents);
	json_decref(s->seen);
	json_decref(s->done);
	s->index = s->children = s->parents = s->seen = s->done = NULL;
}

json_t *
schemaorg_load(struct schemaorg *s, const char *data, size_t len,
    unsigned long line0, char *why, size_t whylen, int *deep)
{
	struct feedutil_repairs	 rep;
	json_error_t		 err;
	json_t			*root = NULL;
	char			*clean = NULL;
	size_t			 clen, i, depth = 0, fixed = 0;
	unsigned long		 line = line0, fixline = 0;
	int			 instr = 0, esc = 0;
	char			 c;

	*deep = 0;
	snprintf(why, whylen, "out of memory");
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if ((clean = feedutil_xml_sanitize((const unsigned char *)data, len,
	    &clen, &rep)) == NULL) {
		s->oom = 1;
		return NULL;
	}
	if (rep.skipped) {
		snprintf(why, whylen, "it is in UTF-16 or UTF-32, and JSON "
		    "is read in UTF-8 only");
		goto fail;
	}

	/*
	 * One pass before the parser: refuse a document nested deeper than
	 * the limit (jansson's own limit is far higher), and mend raw tabs
	 * and line breaks inside strings, which JSON forbids and hand-made
	 * pages are full of.
	 */
	for (i = 0; i < clen; i++) {
		c = clean[i];
		if (!instr) {
			if (c == '"')
				instr = 1;
			else if (c == '{' || c == '[') {
				if (++depth > s->max_depth) {
					*deep = 1;
					snprintf(why, whylen, "nested more "
					    "than %zu deep (line %lu)",
					    s->max_depth, line);
					goto fail;
				}
			} else if ((c == '}' || c == ']') && depth > 0)
				depth--;
		} else if (esc)
			esc = 0;
		else if (c == '\\')
			esc = 1;
		else if (c == '"')
			instr = 0;
		else if ((unsigned char)c < 0x20) {
			if (fixed++ == 0)
				fixline = line;
			clean[i] = ' ';
		}
		if (c == '\n')
			line++;
	}

	if ((root = json_loadb(clean, clen, JSON_ALLOW_NUL, &err)) == NULL) {
		if (json_error_code(&err) == json_error_out_of_memory) {
			s->oom = 1;
			goto fail;
		}
		snprintf(why, whylen, "%s (line %lu)", err.text, err.line > 0 ?
		    line0 + (unsigned long)err.line - 1 : line0);
		goto fail;
	}
	/* Each repair is told once, at the line of the first. */
	if (rep.controls.count > 0) {
		s->line = line0 + rep.controls.line - 1;
		so_warn(s, "removed %zu control characters or NUL bytes",
		    rep.controls.count);
	}
	s->line = line0;
	if (rep.cp1252)
		so_warn(s, "the document is not UTF-8; read it as "
		    "Windows-1252");
	if (rep.utf8.count > 0) {
		s->line = line0 + rep.utf8.line - 1;
		so_warn(s, "replaced %zu invalid UTF-8 sequences with U+FFFD",
		    rep.utf8.count);
	}
	if (fixed > 0) {
		s->line = fixline;
		so_warn(s, "replaced %zu raw tabs or line breaks inside JSON "
		    "strings with spaces", fixed);
	}
	s->line = line0;

fail:
	free(clean);
	return root;
}

void
schemaorg_index(struct schemaorg *s, json_t *root)
{
	so_index_walk(s, root, 0);
}

enum schemaorg_kind
schemaorg_kind_name(const char *name, size_t len)
{
	const char	*t;
	size_t		 i, n;

	t = so_term(name, &len);
	for (i = 0; i < sizeof so_skipped_types / sizeof so_skipped_types[0];
	    i++)
		if (strlen(so_skipped_types[i]) == len &&
		    strncmp(t, so_skipped_types[i], len) == 0)
			return SCHEMAORG_SKIPPED;
	for (i = 0; i < sizeof so_listed_types / sizeof so_listed_types[0];
	    i++)
		if (strlen(so_listed_types[i]) == len &&
		    strncmp(t, so_listed_types[i], len) == 0)
			return SCHEMAORG_LISTED;
	n = strlen("Event");
	if (len >= n && strncmp(t + len - n, "Event", n) == 0)
		return SCHEMAORG_LISTED;
	return SCHEMAORG_OTHER;
}

enum schemaorg_kind
schemaorg_kind(json_t *node, const char **name)
{
	enum schemaorg_kind	 k, best = SCHEMAORG_OTHER;
	json_t			*t, *e[SO_MAX_ELEMENTS];
	size_t			 i, n;

	if (name != NULL)
		*name = NULL;
	n = so_items(so_get(node, "@type"), e, SO_MAX_ELEMENTS);
	for (i = 0; i < n; i++) {
		if (!json_is_string(t = e[i]))
			continue;
		if (name != NULL && *name == NULL)
			*name = json_string_value(t);
		k = schemaorg_kind_name(json_string_value(t),
		    json_string_length(t));
		if (k == SCHEMAORG_LISTED)
			return k;
		if (k == SCHEMAORG_SKIPPED)
			best = k;
	}
	return best;
}

void
schemaorg_skip(struct schemaorg *s, const char *name)
{
	size_t	i, len;

	s->nskipped++;
	if (name == NULL)
		name = "(no type)";
	len = strlen(name);
	name = so_term(name, &len);
	for (i = 0; i < SCHEMAORG_SKIP_KINDS; i++) {
		if (s->skipped[i].count == 0) {
			snprintf(s->skipped[i].name, sizeof s->skipped[i].name,
			    "%.*s", (int)feedutil_utf8_cut(name, len,
			    sizeof s->skipped[i].name - 1), name);
			s->skipped[i].count = 1;
			return;
		}
		if (strlen(s->skipped[i].name) == len &&
		    strncmp(s->skipped[i].name, name, len) == 0) {
			s->skipped[i].count++;
			return;
		}
	}
}

char *
schemaorg_id(json_t *v)
{
	char		 buf[SO_NUM];
	const char	*p;
	size_t		 len;
	char		*t;

	if (v == NULL || (!json_is_string(v) && !json_is_number(v)) ||
	    so_scalar(v, buf, sizeof buf, &p, &len) == -1)
		return NULL;
	if ((t = feedutil_text_clean(p, feedutil_utf8_cut(p, len, SO_MAX_RAW),
	    FEEDUTIL_MAX_FIELD)) != NULL && *t == '\0') {
		free(t);
		t = NULL;
	}
	return t;
}

/*
 * A node's own @id as a source id: not a blank node ("_:b0"), and a
 * relative one (a fragment or path of this page) resolved against the
 * base.  NULL when it has none.
 */
static char *
so_own_id(struct schemaorg *s, json_t *node)
{
	json_t	*v;
	char	*id, *t;

	if (!json_is_string(v = so_get(node, "@id")) ||
	    strncmp(json_string_value(v), "_:", 2) == 0 ||
	    (id = schemaorg_id(v)) == NULL)
		return NULL;
	if (strchr(id, ':') == NULL && s->base != NULL &&
	    (t = feedutil_url_resolve(id, s->base)) != NULL) {
		free(id);
		id = t;
	}
	return id;
}

char *
schemaorg_node_id(struct schemaorg *s, json_t *node)
{
	json_t		*v;
	char		*id;

	if ((id = so_own_id(s, node)) != NULL)
		return id;
	if (json_is_string(v = so_get(node, "url")) && (id = so_link(s, "url",
	    json_string_value(v), json_string_length(v), 0)) != NULL)
		return id;
	return schemaorg_id(so_get(node, "identifier"));
}

int
schemaorg_is_reference(json_t *v)
{
	return so_is_reference(v);
}

int
schemaorg_is_child(struct schemaorg *s, json_t *node)
{
	json_t	*id = so_get(node, "@id");

	return json_is_string(id) && json_object_get(s->children,
	    json_string_value(id)) != NULL;
}

int
schemaorg_is_parent(struct schemaorg *s, json_t *node)
{
	json_t	*id = so_get(node, "@id");

	return json_is_string(id) && json_object_get(s->parents,
	    json_string_value(id)) != NULL;
}

int
schemaorg_seen(struct schemaorg *s, const char *sid)
{
	return so_seen(s, sid);
}

int
schemaorg_done(struct schemaorg *s, json_t *node)
{
	char	key[32];

	snprintf(key, sizeof key, "%p", (void *)node);
	return json_object_get(s->done, key) != NULL;
}

int
schemaorg_event(struct schemaorg *s, json_t *node, json_t *parent,
    const char *sid)
{
	json_t	*up[SO_MAX_NESTING];

	if (s->stopped)
		return DAYHUB_STOP;
	return so_event(s, node, parent, sid, up, 0);
}

int
schemaorg_subevents(struct schemaorg *s, json_t *node, const char *sid)
{
	json_t	*subs, *c, *up[SO_MAX_NESTING];
	char	*csid;
	size_t	 i, n;
	int	 rc = DAYHUB_OK;

	if (s->stopped)
		return DAYHUB_STOP;
	up[0] = node;
	subs = so_get(node, "subEvent");
	n = so_count(subs, SO_MAX_SUBEVENTS);
	for (i = 0; i < n && rc == DAYHUB_OK; i++) {
		if ((c = so_resolve(s, so_nth(subs, i))) == NULL ||
		    !json_is_object(c) || c == node || so_is_reference(c) ||
		    schemaorg_kind(c, NULL) == SCHEMAORG_SKIPPED)
			continue;
		csid = so_child_id(s, c, sid);
		rc = so_event(s, c, node, csid, up, 1);
		free(csid);
	}
	return s->oom ? DAYHUB_ERROR : rc;
}

int
schemaorg_deleted(struct schemaorg *s, const char *sid)
{
	struct so_rec	r;
	int		rc;

	if (s->stopped)
		return DAYHUB_STOP;
	if (so_seen(s, sid)) {
		so_warn(s, "the event \"%.*s\" appears more than once; it was "
		    "read once", so_qlen(sid), sid);
		return DAYHUB_OK;
	}
	memset(&r, 0, sizeof r);
	so_put(s, &r, "state", "deleted", 7, 9);
	rc = so_emit(s, &r, sid);
	so_rec_free(&r);
	return rc;
}

/* --- sniffing --- */

/* Where the string whose opening quote is at `i` ends (its closing quote), or len. */
static size_t
so_sniff_string(const unsigned char *d, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (d[i] == '\\')
			i++;
		else if (d[i] == '"')
			return i;
	}
	return len;
}

void
schemaorg_sniff_json(const unsigned char *d, size_t len,
    struct schemaorg_sniff *out)
{
	enum { NONE, CONTEXT, TYPE }	 pending = NONE;
	unsigned char			 obj[SO_SNIFF_DEPTH];
	char				 key[SO_SNIFF_KEY];
	size_t				 i = 0, j, end, n, depth = 0;
	size_t				 kdepth = 0, wdepth = 0;
	int				 expect_key = 0, watch = 0;
	int				 in_items = 0;

	memset(out, 0, sizeof *out);
	if (d == NULL)
		return;
	if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' ||
	    d[i] == '\n'))
		i++;
	if (i >= len || (d[i] != '{' && d[i] != '['))
		return;
	out->json = 1;
	for (; i < len; i++) {
		switch (d[i]) {
		case '"':
			if ((end = so_sniff_string(d, len, i)) == len)
				return;
			if (depth > 0 && obj[depth - 1] && expect_key) {
				expect_key = 0;
				n = end - i - 1;
				key[0] = '\0';
				if (n < sizeof key) {
					memcpy(key, d + i + 1, n);
					key[n] = '\0';
				}
				for (j = end + 1; j < len && (d[j] == ' ' ||
				    d[j] == '\t' || d[j] == '\r' ||
				    d[j] == '\n' || d[j] == ':'); j++)
					;
				if (depth == 1)
					in_items = strcmp(key, "items") == 0;
				if (depth == 1 && j < len && in_items &&
				    d[j] == '[')
					out->items = 1;
				if (depth == 3 && in_items && !obj[1] &&
				    (strcmp(key, "state") == 0 ||
				    strcmp(key, "kind") == 0 ||
				    strcmp(key, "modified") == 0))
					out->item = 1;
				if (depth == 1 && j < len &&
				    strcmp(key, "next") == 0 && d[j] == '"')
					out->next = 1;
				if (!watch) {
					pending = strcmp(key, "@context") == 0 ?
					    CONTEXT : strcmp(key, "@type") ==
					    0 ? TYPE : NONE;
					kdepth = depth;
				}
			} else if (pending != NONE && (watch ||
			    depth == kdepth)) {
				n = end - i - 1;
				if (pending == CONTEXT && memmem(d + i + 1, n,
				    "openactive", 10) != NULL)
					out->openactive = 1;
				if (pending == CONTEXT && memmem(d + i + 1, n,
				    "schema.org", 10) != NULL)
					out->schemaorg = 1;
				if (pending == TYPE && schemaorg_kind_name(
				    (const char *)d + i + 1, n) ==
				    SCHEMAORG_LISTED)
					out->event = 1;
				if (!watch)
					pending = NONE;
			}
			i = end;
			break;
		case '{':
		case '[':
			if (depth == SO_SNIFF_DEPTH)
				return;
			obj[depth++] = d[i] == '{';
			expect_key = d[i] == '{';
			if (pending != NONE && !watch && depth - 1 == kdepth) {
				watch = 1;
				wdepth = depth;
			}
			break;
		case '}':
		case ']':
			if (depth == 0)
				return;
			depth--;
			expect_key = 0;
			if (watch && depth < wdepth) {
				watch = 0;
				pending = NONE;
			} else if (!watch && depth < kdepth)
				pending = NONE;
			break;
		case ',':
			expect_key = depth > 0 && obj[depth - 1];
			if (!watch && depth == kdepth)
				pending = NONE;
			break;
		default:
			break;
		}
	}
}
