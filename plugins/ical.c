/*
 * ical.c - the iCalendar module: RFC 5545 text and its XML form, xCal
 * (RFC 6321), one record per event series.
 *
 * The work is split with libical like this.  This file reads the content
 * lines itself (unfolding, CRLF or LF, a byte order mark, the name, the
 * parameters and the raw value of each line), because libical's parser
 * says nothing of line numbers, which every warning here gives, and splits
 * some escaped lists wrongly (CATEGORIES:a\,b,c).  libical does the rest:
 * each VTIMEZONE becomes an icaltimezone, TZIDs it does not define are
 * found among libical's builtin zones, offsets come from those zones at
 * each instant, RRULEs are checked by its recurrence parser and durations
 * read and written by its duration code.  xCal is walked with libxml2 and
 * turned into the same content lines, each carrying the line of its XML
 * element, so both syntaxes share everything after that.
 *
 * What a calendar becomes:
 *   - one record per VEVENT series, keyed by UID.  A VEVENT with a
 *     RECURRENCE-ID overrides one instance of its series: a cancelled
 *     instance becomes an exdate, a moved one an exdate of the original
 *     time and an rdate of the new one; what else it changes (a title, a
 *     place) a series record cannot hold per instance and is left, with
 *     one warning for the calendar.
 *   - times are RFC 3339 with the offset of the event's zone at that
 *     instant; a floating time (no TZID, no Z) stays local without an
 *     offset for the host to resolve, in X-WR-TIMEZONE when the calendar
 *     names one; a DATE stays a date, and an all-day event's exclusive end
 *     becomes its last day.
 *   - the schedule is schedule.rrule (as published), schedule.exdates,
 *     schedule.duration and schedule.rdates, a list of times this module
 *     adds to the v1 record for RDATEs and moved instances.
 *   - X-DAYHUB-* properties carry the same fields as the dh: elements of
 *     the RSS module (dh:cost-min is X-DAYHUB-COST-MIN).
 *   - a directory is public: events marked CLASS:PRIVATE or CONFIDENTIAL
 *     are left out, and attendees are never read.
 *
 * Bounds: the input is capped by the host; one unfolded line at
 * ICAL_MAX_LINE, nesting at ICAL_MAX_NEST (or the input's max_depth),
 * properties per event, values per record, events per input, calendars,
 * zones, VTIMEZONE size and the recurrence rules inside it (only yearly
 * rules, so that libical's expansion of a zone stays small).  Zone names
 * from the feed are checked for IANA syntax before libical looks for
 * them on disk.  A text cut short (a VCALENDAR without its END) is
 * refused whole, as its missing events would otherwise read as deleted.
 *
 * libical is not thread-safe in every path: this module sets its errors
 * to non-fatal once, at load, uses only calls that keep no global state
 * or lock it (icalerrno is per thread in libical 3), and never frees the
 * builtin zones.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libical/ical.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "dayhub/plugin.h"
#include "feedutil.h"

#define ICAL_MODULE_VERSION	"1.0"
#define ICAL_XCAL_NS		"urn:ietf:params:xml:ns:icalendar-2.0"
#define ICAL_DEFAULT_ZONE	"Europe/London"
#define ICAL_MAX_LINE		(256 * 1024) /* bytes of one unfolded line */
#define ICAL_MAX_NEST		16	/* components inside components */
#define ICAL_NAME_MAX		64	/* bytes of a component name kept */
#define ICAL_MAX_PARAMS		16	/* parameters kept for one property */
#define ICAL_MAX_PROPS		512	/* properties kept for one event */
#define ICAL_MAX_VALUES		256	/* values of one record */
#define ICAL_MAX_LIST		64	/* values in one list field */
#define ICAL_MAX_EVENTS		100000	/* events kept for one input */
#define ICAL_MAX_CALENDARS	256	/* VCALENDARs in one input */
#define ICAL_MAX_ZONES		64	/* TZIDs known to one calendar */
#define ICAL_MAX_ZONE_TEXT	(256 * 1024) /* bytes of one VTIMEZONE */
#define ICAL_MAX_ZONE_PARTS	1000	/* STANDARD/DAYLIGHT in one */
#define ICAL_MAX_ZONE_RDATES	1000	/* RDATE values in one VTIMEZONE */
#define ICAL_MAX_ZONE_NAME	64	/* bytes of an IANA zone name */
#define ICAL_MAX_RRULE		1024	/* bytes of one RRULE */
#define ICAL_MAX_BADLINES	10	/* unreadable lines warned one by one */
#define ICAL_MAX_WARNED		32	/* names warned about once each */
#define ICAL_WARNED_NAME	48	/* bytes of such a name compared */
#define ICAL_MIN_YEAR		1900	/* the host's range of years */
#define ICAL_MAX_YEAR		2999
#define ICAL_QUOTE		60	/* bytes of a bad value in a warning */
#define ICAL_ERROR_MAX		200	/* bytes of libxml2's error kept */

/* A value quoted in a warning, "%.*s", cut short on a character. */
#define ICAL_Q(s)		ical_quote_len((s), strlen(s)), (s)

/* How a property's value becomes a field's value. */
enum ical_conv {
	ICAL_TEXT,	/* one line of plain text; markup made text */
	ICAL_LONG,	/* long text or HTML, made plain text with its lines */
	ICAL_URL,	/* a link, resolved against the feed's URL */
	ICAL_EMAIL,	/* an address, without "mailto:" */
	ICAL_RAW,	/* a number, flag or code: clean text as found */
	ICAL_LIST,	/* a TEXT list: a value per unescaped comma */
	ICAL_TERMS,	/* terms (which hold no comma): a value per comma */
	ICAL_LOCATION,	/* "Name, address": location name and address */
	ICAL_GEO,	/* "lat;lon" */
	ICAL_ORGANIZER,	/* CN= name and mailto: address */
	ICAL_STAMP	/* a time, to RFC 3339 */
};

struct ical_map {
	const char	*name;		/* property name, upper case */
	const char	*field;		/* v1 record field */
	enum ical_conv	 conv;
	int		 list;		/* a list field: values accumulate */
	int		 prio;		/* single fields: a higher one wins */
};

/*
 * What each property of a VEVENT becomes, besides the times and the
 * schedule, which ical_series() reads.  The X-DAYHUB- rows are the dh:
 * elements of the RSS module under their iCalendar names; where one
 * names a field a standard property also gives (a venue, an address, an
 * organiser's address), the X-DAYHUB- value wins.
 */
static const struct ical_map ical_event_map[] = {
	{ "UID", "source_id", ICAL_TEXT, 0, 2 },
	{ "SUMMARY", "title", ICAL_TEXT, 0, 2 },
	{ "DESCRIPTION", "summary", ICAL_LONG, 0, 2 },
	{ "X-ALT-DESC", "summary", ICAL_LONG, 0, 1 },
	{ "URL", "url", ICAL_URL, 0, 2 },
	{ "LOCATION", "location.name", ICAL_LOCATION, 0, 1 },
	{ "GEO", "location.lat", ICAL_GEO, 0, 2 },
	{ "CATEGORIES", "categories", ICAL_LIST, 1, 0 },
	{ "ORGANIZER", "organiser.name", ICAL_ORGANIZER, 0, 1 },
	{ "LAST-MODIFIED", "updated", ICAL_STAMP, 0, 2 },
	{ "DTSTAMP", "updated", ICAL_STAMP, 0, 1 },
	{ "X-DAYHUB-ACTIVITY", "activity", ICAL_TERMS, 1, 0 },
	{ "X-DAYHUB-VENUE", "location.name", ICAL_TEXT, 0, 2 },
	{ "X-DAYHUB-ADDRESS", "location.address", ICAL_TEXT, 0, 2 },
	{ "X-DAYHUB-POSTCODE", "location.postcode", ICAL_TEXT, 0, 2 },
	{ "X-DAYHUB-ONLINE", "location.online", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-COST-MIN", "cost.min", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-COST-MAX", "cost.max", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-COST-PER", "cost.per", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-CURRENCY", "cost.currency", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-FREE", "cost.free", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-COST-NOTES", "cost.notes", ICAL_TEXT, 0, 2 },
	{ "X-DAYHUB-FUNDING", "funding", ICAL_TERMS, 1, 0 },
	{ "X-DAYHUB-PATHWAY", "pathway", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-SUPPORT-RATIO", "support.ratio", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-PERSONAL-CARE", "support.personal_care", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-ACCESS", "access", ICAL_TERMS, 1, 0 },
	{ "X-DAYHUB-GROUP", "groups", ICAL_TERMS, 1, 0 },
	{ "X-DAYHUB-AGE-MIN", "age.min", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-AGE-MAX", "age.max", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-CAPACITY", "capacity.max", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-PLACES-LEFT", "capacity.remaining", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-BOOKING-URL", "booking.url", ICAL_URL, 0, 2 },
	{ "X-DAYHUB-BOOKING-PHONE", "booking.phone", ICAL_TEXT, 0, 2 },
	{ "X-DAYHUB-BOOKING-EMAIL", "booking.email", ICAL_EMAIL, 0, 2 },
	{ "X-DAYHUB-BOOKING-REQUIRED", "booking.required", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-CARERS-FREE", "carers.free", ICAL_RAW, 0, 2 },
	{ "X-DAYHUB-CARERS-NOTES", "carers.notes", ICAL_TEXT, 0, 2 },
	{ "X-DAYHUB-ORGANISER-PHONE", "organiser.phone", ICAL_TEXT, 0, 2 },
	{ "X-DAYHUB-ORGANISER-EMAIL", "organiser.email", ICAL_EMAIL, 0, 2 },
	{ "X-DAYHUB-ORGANISER-URL", "organiser.url", ICAL_URL, 0, 2 },
};

/* dh: names whose iCalendar form is a standard property instead. */
static const struct {
	const char	*name;
	const char	*instead;
} ical_dh_native[] = {
	{ "X-DAYHUB-RRULE", "RRULE" },
	{ "X-DAYHUB-DURATION", "DURATION or DTEND" },
	{ "X-DAYHUB-EXDATE", "EXDATE" },
	{ "X-DAYHUB-TIMEZONE", "TZID" },
};

/*
 * Windows zone names (as Outlook and Exchange write TZIDs) and the IANA
 * zone each stands for, after the Unicode CLDR's table of the same.
 */
static const struct {
	const char	*windows;
	const char	*iana;
} ical_windows_zones[] = {
	{ "GMT Standard Time", "Europe/London" },
	{ "Greenwich Standard Time", "Atlantic/Reykjavik" },
	{ "W. Europe Standard Time", "Europe/Berlin" },
	{ "Romance Standard Time", "Europe/Paris" },
	{ "Central Europe Standard Time", "Europe/Budapest" },
	{ "Central European Standard Time", "Europe/Warsaw" },
	{ "E. Europe Standard Time", "Europe/Chisinau" },
	{ "FLE Standard Time", "Europe/Kiev" },
	{ "GTB Standard Time", "Europe/Bucharest" },
	{ "Russian Standard Time", "Europe/Moscow" },
	{ "UTC", "UTC" },
	{ "Coordinated Universal Time", "UTC" },
	{ "Eastern Standard Time", "America/New_York" },
	{ "Central Standard Time", "America/Chicago" },
	{ "Mountain Standard Time", "America/Denver" },
	{ "Pacific Standard Time", "America/Los_Angeles" },
	{ "Atlantic Standard Time", "America/Halifax" },
	{ "AUS Eastern Standard Time", "Australia/Sydney" },
	{ "New Zealand Standard Time", "Pacific/Auckland" },
	{ "India Standard Time", "Asia/Kolkata" },
	{ "China Standard Time", "Asia/Shanghai" },
	{ "Tokyo Standard Time", "Asia/Tokyo" },
	{ "Singapore Standard Time", "Asia/Singapore" },
	{ "Arabian Standard Time", "Asia/Dubai" },
	{ "South Africa Standard Time", "Africa/Johannesburg" },
};

/* Outlook's display names for the UK zone, as some exports write TZID. */
static const char *const ical_london_names[] = {
	"Dublin, Edinburgh, Lisbon, London",
	"Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London",
};

/* The media types that say a body is iCalendar or xCal. */
static const char *const ical_text_types[] = {
	"text/calendar", "text/x-vcalendar", "application/ics",
	"application/calendar",
};

/* How xCal text goes into a content line (ical_xcal_put()). */
enum ical_xput {
	ICAL_X_TEXT,
	ICAL_X_STAMP,
	ICAL_X_PARAM,
	ICAL_X_RAW
};

/* One parameter of a property: both point into the property's line. */
struct ical_param {
	const char	*name;		/* upper case */
	char		*value;		/* quotes removed, ^-escapes undone */
};

/* One content line, split in place. */
struct ical_prop {
	char			*buf;		/* the line, owned */
	const char		*name;		/* upper case, in buf */
	struct ical_param	 params[ICAL_MAX_PARAMS];
	size_t			 nparams;
	char			*value;		/* raw: escapes kept, in buf */
	unsigned long		 line;
};

/* A TZID as one calendar resolves it. */
struct ical_zone {
	char		*tzid;
	icaltimezone	*zone;		/* gives the offsets */
	int		 own;		/* from a VTIMEZONE: ours to free */
	char		*iana;		/* the record's "timezone", or NULL */
	char		*note;		/* warned at first use, then freed */
};

/* What one VCALENDAR says about itself. */
struct ical_cal {
	struct ical_zone	 zones[ICAL_MAX_ZONES];
	size_t			 nzones;
	char			*floatzone;	/* X-WR-TIMEZONE, when known */
	char			*floatraw;	/* X-WR-TIMEZONE as written */
	unsigned long		 floatline;
	int			 cancel;	/* METHOD:CANCEL */
	struct ical_zone	 spill;		/* for TZIDs past the cap */
};

/* A time read from the feed. */
enum ical_tkind {
	ICAL_T_DATE,		/* all day */
	ICAL_T_FLOAT,		/* local wherever it is read */
	ICAL_T_UTC,
	ICAL_T_ZONED
};

struct ical_time {
	int			 year, month, day, hour, minute, second;
	enum ical_tkind		 kind;
	const struct ical_zone	*zone;		/* ICAL_T_ZONED */
	time_t			 epoch;	/* to compare; floating as UTC */
};

struct ical_value {
	const char	*field;
	char		*value;		/* owned */
	size_t		 len;
	int		 prio;
};

/* One VEVENT, read and resolved. */
struct ical_event {
	char			*uid;		/* NULL: none */
	unsigned long		 line;		/* of BEGIN:VEVENT */
	size_t			 order;
	int			 cancelled;
	int			 recurring;	/* RRULE or RDATE */
	int			 role;		/* 0, ICAL_ROLE_SERIES or -1 */
	/* An override: which instance, and where it went. */
	int			 override;
	int			 future;	/* RANGE=THISANDFUTURE */
	time_t			 rid_epoch;
	char			*rid;		/* the instance, written out */
	time_t			 start_epoch;
	char			*start;		/* as written out, or NULL */
	char			*end;
	int			 has_start;
	struct ical_value	*values;
	size_t			 nvalues;
	size_t			 capvalues;
	int			 values_warned;
};

/* An event's role: 0 until grouped, -1 when it cannot be used. */
#define ICAL_ROLE_SERIES	1	/* emitted as a record */

/* Reads logical (unfolded) lines from the text. */
struct ical_reader {
	const char		*text;
	size_t			 len;
	size_t			 pos;
	unsigned long		 next;		/* number of the next line */
	struct feedutil_buf	 line;		/* the logical line */
	unsigned long		 lineno;	/* where it began */
	int			 cut;		/* longer than ICAL_MAX_LINE */
};

/* The walk over components, shared by both passes. */
struct ical_walk {
	char		 stack[ICAL_MAX_NEST][ICAL_NAME_MAX];
	unsigned long	 begun[ICAL_MAX_NEST];
	size_t		 depth;
	size_t		 ncal;		/* calendars begun */
	struct ical_cal	*cal;		/* the one open, or NULL */
};

/* One parse: everything is here, nothing is global. */
struct ical_parse {
	const struct dayhub_input	*in;
	const struct dayhub_host	*host;
	void				*sink;
	int				 oom;
	int				 xcal;
	size_t				 max_nest;

	char				*text;	/* what the reader reads */
	size_t				 len;
	unsigned long			*linemap; /* xCal: XML line per line */
	size_t				 nlinemap;
	uint32_t			*folds;	/* text: lines folded into */
	size_t				 nfolds;

	struct ical_cal			*cals;
	size_t				 ncals;
	const char			*fallback; /* zone for unknown TZIDs */

	/* Feed facts, from the first calendar that gives each. */
	char				*title;
	char				*generator;
	char				*link;
	long				 ttl;

	/* The VTIMEZONE being read (first pass). */
	struct feedutil_buf		 ztext;
	int				 zopen;
	unsigned long			 zline;
	size_t				 zparts;
	size_t				 zrdates;
	const char			*zbad;

	/* The VEVENT being read (second pass). */
	struct ical_prop		*props;
	size_t				 nprops;
	size_t				 capprops;
	int				 evopen;
	unsigned long			 evline;
	int				 props_warned;

	/* Events read, in the order of the file. */
	struct ical_event		**events;
	size_t				 nevents;
	size_t				 capevents;
	size_t				 nseries;
	int				 series_full;
	int				 events_full;
	size_t				 nrecords;

	/* Warnings given once, or counted and given at the end. */
	size_t				 badlines;
	int				 float_warned;
	size_t				 nprivate;
	unsigned long			 private_line;
	size_t				 ndetails;
	unsigned long			 details_line;
	size_t				 nnouid;
	unsigned long			 nouid_line;
	int				 junk_warned;
	int				 entity_warned;
	char			 warned[ICAL_MAX_WARNED][ICAL_WARNED_NAME];
	size_t				 nwarned;
};

/* Keeps the start of a name already warned about. */
static void
ical_warned_copy(char *dst, const char *name)
{
	size_t	n = strnlen(name, ICAL_WARNED_NAME - 1);

	memcpy(dst, name, n);
	dst[n] = '\0';
}

static void	 ical_init(void) __attribute__((constructor));
static int	 ical_sniff(const unsigned char *, size_t, const char *);
static int	 ical_parse(const struct dayhub_input *,
		    const struct dayhub_host *, void *);
static void	 ical_warn(struct ical_parse *, unsigned long, const char *,
		    ...) __attribute__((format(printf, 3, 4)));
static int	 ical_text(struct ical_parse *);
static char	*ical_unfold(struct ical_parse *, size_t *);
static unsigned long ical_line(const struct ical_parse *, unsigned long);
static void	 ical_repairs(struct ical_parse *,
		    const struct feedutil_repairs *);
static int	 ical_xcal(struct ical_parse *);
static void	 ical_xcal_error_cb(void *, xmlErrorPtr);
static void	 ical_xcal_comp(struct ical_parse *, struct feedutil_buf *,
		    xmlNodePtr);
static void	 ical_xcal_prop(struct ical_parse *, struct feedutil_buf *,
		    xmlNodePtr);
static void	 ical_xcal_value(struct ical_parse *, struct feedutil_buf *,
		    xmlNodePtr);
static void	 ical_xcal_recur(struct ical_parse *, struct feedutil_buf *,
		    xmlNodePtr);
static void	 ical_xcal_put(struct feedutil_buf *, const char *,
		    enum ical_xput);
static char	*ical_xcal_text(struct ical_parse *, xmlNodePtr);
static int	 ical_xcal_is(xmlNodePtr, const char *);
static void	 ical_xcal_line(struct ical_parse *, struct feedutil_buf *,
		    unsigned long);
static int	 ical_next_line(struct ical_parse *, struct ical_reader *);
static int	 ical_split(char *, struct ical_prop *);
static const char *ical_param(const struct ical_prop *, const char *);
static int	 ical_walk(struct ical_parse *, int);
static int	 ical_begin(struct ical_parse *, struct ical_walk *, int,
		    const char *, unsigned long);
static void	 ical_end(struct ical_parse *, struct ical_walk *, int,
		    int);
static void	 ical_property(struct ical_parse *, struct ical_walk *, int,
		    struct ical_prop *);
static void	 ical_cal_property(struct ical_parse *, struct ical_cal *,
		    const struct ical_prop *);
static void	 ical_zone_line(struct ical_parse *, const char *,
		    const struct ical_prop *);
static void	 ical_zone_define(struct ical_parse *, struct ical_cal *);
static struct ical_zone *ical_zone_get(struct ical_parse *,
		    struct ical_cal *, const char *, unsigned long);
static const char *ical_iana(const char *, int *);
static icaltimezone *ical_builtin(const char *);
static int	 ical_zone_name_ok(const char *);
static int	 ical_rule_ok(const char *, int);
static void	 ical_event_prop(struct ical_parse *,
		    const struct ical_prop *);
static void	 ical_event_finish(struct ical_parse *, struct ical_cal *);
static void	 ical_props_clear(struct ical_parse *);
static void	 ical_series(struct ical_parse *, struct ical_cal *,
		    struct ical_event *);
static int	 ical_schedule(struct ical_parse *, struct ical_cal *,
		    struct ical_event *, const struct ical_prop *,
		    const struct ical_time *);
static void	 ical_dates(struct ical_parse *, struct ical_cal *,
		    struct ical_event *, const struct ical_prop *,
		    const char *);
static void	 ical_convert(struct ical_parse *, struct ical_cal *,
		    struct ical_event *, const struct ical_prop *,
		    const struct ical_map *);
static void	 ical_dayhub_unknown(struct ical_parse *,
		    const struct ical_prop *);
static int	 ical_time(struct ical_parse *, struct ical_cal *,
		    const struct ical_prop *, const char *, size_t,
		    struct ical_time *);
static int	 ical_time_read(const char *, size_t, struct ical_time *);
static void	 ical_time_epoch(struct ical_time *);
static void	 ical_time_add(struct ical_time *, long);
static int	 ical_offset(const struct ical_time *);
static void	 ical_time_format(const struct ical_time *, char *, size_t);
static char	*ical_duration_text(long);
static int	 ical_duration(const char *, long *);
static void	 ical_floating(struct ical_parse *, struct ical_cal *,
		    struct ical_event *, unsigned long);
static char	*ical_unescape(struct ical_parse *, const char *, size_t);
static const char *ical_comma(const char *, size_t *);
static char	*ical_clean(struct ical_parse *, const char *, size_t);
static void	 ical_put(struct ical_parse *, struct ical_event *,
		    const char *, const char *, size_t, int, int);
static void	 ical_put_owned(struct ical_parse *, struct ical_event *,
		    const char *, char *, int, int);
static void	 ical_replace(struct ical_parse *, struct ical_event *,
		    const char *, const char *);
static void	 ical_event_free(struct ical_event *);
static int	 ical_group(struct ical_parse *);
static int	 ical_uid_cmp(const void *, const void *);
static void	 ical_apply(struct ical_parse *, struct ical_event *,
		    struct ical_event *);
static int	 ical_emit(struct ical_parse *, struct ical_event *);
static void	 ical_feed_facts(struct ical_parse *);
static void	 ical_cleanup(struct ical_parse *);
static int	 ical_sniff_xcal(const unsigned char *, size_t, int *);
static int	 ical_isalnum(int);
static int	 ical_upper(int);
static int	 ical_is_space(int);
static int	 ical_quote_len(const char *, size_t);

DAYHUB_PLUGIN_DEFINE("ical", ICAL_MODULE_VERSION,
    "iCalendar (RFC 5545) and xCal (RFC 6321) events, one record a series",
    ical_sniff, ical_parse);

/*
 * Runs once, when the module is loaded, before the daemon starts the
 * threads that parse: libical's error switch and its list of builtin
 * zones are global, and libxml2 2.9 must set up its tables in one thread.
 */
static void
ical_init(void)
{
	icalerror_set_errors_are_fatal(0);
	(void)icaltimezone_get_builtin_timezones();
	xmlInitParser();
}

/* --- sniffing --- */

/*
 * Sniffs the first bytes: CERTAIN when, after a byte order mark and white
 * space, the text starts with BEGIN:VCALENDAR, or the XML root is
 * <icalendar> in the xCal namespace; LIKELY for an <icalendar> root in no
 * namespace, or when the server calls it a calendar and BEGIN:VCALENDAR
 * is somewhere in the bytes; NO otherwise.  Never fails.
 */
static int
ical_sniff(const unsigned char *data, size_t len, const char *content_type)
{
	size_t	i, k;
	int	said = 0, ns;

	for (i = 0; i < sizeof ical_text_types / sizeof ical_text_types[0];
	    i++)
		if (feedutil_content_type_is(content_type, ical_text_types[i]))
			said = 1;
	if (feedutil_content_type_is(content_type, "application/calendar+xml"))
		said = 1;
	if (data == NULL || len == 0)
		return DAYHUB_SNIFF_NO;

	i = 0;
	if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf)
		i = 3;
	while (i < len && ical_is_space(data[i]))
		i++;
	if (len - i >= 15 && strncasecmp((const char *)data + i,
	    "BEGIN:VCALENDAR", 15) == 0)
		return DAYHUB_SNIFF_CERTAIN;
	if (ical_sniff_xcal(data, len, &ns) == 1)
		return ns ? DAYHUB_SNIFF_CERTAIN : DAYHUB_SNIFF_LIKELY;
	if (!said || (i < len && data[i] == '<'))
		return DAYHUB_SNIFF_NO;
	for (k = i; k + 15 <= len; k++)
		if ((data[k] == 'B' || data[k] == 'b') &&
		    strncasecmp((const char *)data + k, "BEGIN:VCALENDAR",
		    15) == 0)
			return DAYHUB_SNIFF_LIKELY;
	return DAYHUB_SNIFF_NO;
}

/*
 * 1 when the XML root element is "icalendar" (any prefix), setting *ns
 * when its start tag binds that prefix to the xCal namespace; 0 when it
 * is not.  Reads only the first `len` bytes; never fails.  (A general
 * form of this, feedutil_xml_root_xmlns(), belongs in feedutil.)
 */
static int
ical_sniff_xcal(const unsigned char *data, size_t len, int *ns)
{
	const char	*local, *tag, *end, *p;
	char		 name[64], want[80];
	size_t		 i;

	*ns = 0;
	if (feedutil_xml_root(data, len, name, sizeof name) != 1)
		return 0;
	local = strrchr(name, ':') != NULL ? strrchr(name, ':') + 1 : name;
	if (strcmp(local, "icalendar") != 0)
		return 0;
	/* Find the root tag in the bytes: the first "<name" after prologs. */
	if (local == name)
		snprintf(want, sizeof want, "xmlns");
	else
		snprintf(want, sizeof want, "xmlns:%.*s",
		    (int)(local - name - 1), name);
	tag = NULL;
	for (i = 0; i + strlen(name) + 1 < len; i++) {
		if (data[i] != '<' || memcmp(data + i + 1, name,
		    strlen(name)) != 0)
			continue;
		p = (const char *)data + i + 1 + strlen(name);
		if (*p == '>' || *p == '/' || ical_is_space(*p)) {
			tag = (const char *)data + i;
			break;
		}
	}
	if (tag == NULL)
		return 1;
	if ((end = memchr(tag, '>', len - (size_t)(tag -
	    (const char *)data))) == NULL)
		return 1;
	for (p = tag; p + strlen(want) < end; p++) {
		if (memcmp(p, want, strlen(want)) != 0 ||
		    !ical_is_space(p[-1]))
			continue;
		p += strlen(want);
		while (p < end && ical_is_space(*p))
			p++;
		if (p >= end || *p != '=')
			continue;
		for (p++; p < end && ical_is_space(*p); p++)
			;
		if (p < end && (*p == '"' || *p == '\'') &&
		    (size_t)(end - p) > strlen(ICAL_XCAL_NS) + 1 &&
		    memcmp(p + 1, ICAL_XCAL_NS, strlen(ICAL_XCAL_NS)) == 0 &&
		    p[1 + strlen(ICAL_XCAL_NS)] == *p)
			*ns = 1;
	}
	return 1;
}

/* --- the parse --- */

/*
 * Reads an iCalendar text or an xCal document and emits one record per
 * event series.
 *
 * Contract: `in->data` is any `in->len` bytes; nothing in them can make
 * this abort, hang, or read anything but libical's zone files (and only
 * for zone names of IANA syntax).  Records go to `host` with v1 field
 * names plus "schedule.rdates" (a list of times, like schedule.exdates);
 * text values are cleaned UTF-8 within the FEEDUTIL_MAX_* caps; times
 * are RFC 3339 with an offset, a local time without one (floating), or a
 * date (all day); numbers and flags of X-DAYHUB- properties are passed as
 * found for the host to check.  Returns DAYHUB_OK when the calendar was
 * read (perhaps with warnings, perhaps with no records), DAYHUB_ERROR
 * after host->error() when it is not iCalendar, is not whole (a VCALENDAR
 * without its END, XML that breaks off), nests too deep, or memory ran
 * out.  Stops at once when begin() or end() answers DAYHUB_STOP, or
 * after in->max_items records.  Keeps nothing after it returns.
 */
static int
ical_parse(const struct dayhub_input *in, const struct dayhub_host *host,
    void *sink)
{
	struct ical_parse	*p;
	size_t			 i;
	int			 rc = DAYHUB_ERROR;

	if (host == NULL || host->size < sizeof *host || host->begin == NULL ||
	    host->set == NULL || host->end == NULL || host->feed == NULL ||
	    host->warn == NULL || host->error == NULL)
		return DAYHUB_ERROR;
	if (in == NULL || in->size < sizeof *in) {
		host->error(sink, "the host passed an input this module "
		    "cannot read (ABI mismatch)");
		return DAYHUB_ERROR;
	}
	if (in->len == 0 || in->data == NULL) {
		host->error(sink, "not iCalendar: the feed is empty");
		return DAYHUB_ERROR;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		host->error(sink, "out of memory while reading the calendar");
		return DAYHUB_ERROR;
	}
	p->in = in;
	p->host = host;
	p->sink = sink;
	p->max_nest = in->max_depth > 0 && in->max_depth < ICAL_MAX_NEST ?
	    in->max_depth : ICAL_MAX_NEST;
	p->ttl = -1;
	p->fallback = in->timezone != NULL && ical_builtin(in->timezone) !=
	    NULL ? in->timezone : ICAL_DEFAULT_ZONE;
	feedutil_buf_init(&p->ztext);

	/* xCal is XML: its first byte after a BOM and space is '<'. */
	for (i = 0; i < in->len && (ical_is_space(in->data[i]) ||
	    in->data[i] == 0xef || in->data[i] == 0xbb || in->data[i] == 0xbf ||
	    in->data[i] == 0xff || in->data[i] == 0xfe || in->data[i] == 0);
	    i++)
		;
	if (i < in->len && in->data[i] == '<') {
		p->xcal = 1;
		rc = ical_xcal(p);
	} else
		rc = ical_text(p);
	if (rc != DAYHUB_OK)
		goto done;

	/* First the calendars and their zones, then the events. */
	if ((rc = ical_walk(p, 1)) != DAYHUB_OK)
		goto done;
	ical_feed_facts(p);
	if ((rc = ical_walk(p, 2)) != DAYHUB_OK)
		goto done;
	rc = ical_group(p);

done:
	if (p->oom) {
		host->error(sink, "out of memory while reading the calendar");
		rc = DAYHUB_ERROR;
	}
	ical_cleanup(p);
	return rc;
}

/* Passes a warning on, unless memory has run out (the parse is ending). */
static void
ical_warn(struct ical_parse *p, unsigned long line, const char *fmt, ...)
{
	va_list	ap;
	char	msg[512];

	if (p->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	msg[feedutil_utf8_cut(msg, strlen(msg), sizeof msg - 1)] = '\0';
	p->host->warn(p->sink, line, "%s", msg);
}

/*
 * Readies iCalendar text for the reader: lines unfolded first (a fold
 * may fall inside a UTF-8 sequence), then control bytes dropped and bad
 * UTF-8 mended as for XML.  A byte order mark is left for the reader.
 */
static int
ical_text(struct ical_parse *p)
{
	struct feedutil_repairs	 rep;
	char			*flat, *clean;
	size_t			 flatlen, len;

	if ((flat = ical_unfold(p, &flatlen)) == NULL) {
		p->oom = 1;
		return DAYHUB_ERROR;
	}
	clean = feedutil_xml_sanitize((const unsigned char *)flat, flatlen,
	    &len, &rep);
	free(flat);
	if (clean == NULL) {
		p->oom = 1;
		return DAYHUB_ERROR;
	}
	if (rep.skipped) {
		free(clean);
		p->host->error(p->sink, "not iCalendar: the text is UTF-16 or "
		    "UCS-4, and iCalendar is UTF-8");
		return DAYHUB_ERROR;
	}
	p->text = clean;
	p->len = len;
	rep.controls.line = ical_line(p, rep.controls.line);
	rep.utf8.line = ical_line(p, rep.utf8.line);
	ical_repairs(p, &rep);
	return DAYHUB_OK;
}

/*
 * Joins folded lines (a line break and one space or tab) and makes every
 * line break a LF, noting in p->folds the number of each line that took
 * in another, so that ical_line() can give the line as the file has it.
 * Returns the text (its length in *len), or NULL when out of memory.
 */
static char *
ical_unfold(struct ical_parse *p, size_t *len)
{
	struct feedutil_buf	 b;
	const unsigned char	*s = p->in->data;
	uint32_t		*f;
	size_t			 n = p->in->len, i = 0, start, cap = 0;
	uint32_t		 line = 1;

	feedutil_buf_init(&b);
	while (i < n) {
		for (start = i; i < n && s[i] != '\r' && s[i] != '\n'; i++)
			;
		feedutil_buf_add(&b, s + start, i - start);
		if (i == n)
			break;
		i += s[i] == '\r' && i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
		if (i < n && (s[i] == ' ' || s[i] == '\t')) {
			/* A fold: the next line goes on with this one. */
			i++;
			if (p->nfolds == cap) {
				cap = cap == 0 ? 256 : cap * 2;
				if ((f = realloc(p->folds, cap *
				    sizeof *f)) == NULL) {
					feedutil_buf_free(&b);
					return NULL;
				}
				p->folds = f;
			}
			p->folds[p->nfolds++] = line;
			continue;
		}
		feedutil_buf_addc(&b, '\n');
		line++;
	}
	return feedutil_buf_finish(&b, len);
}

/*
 * The line of the input where line `n` of the text the reader reads
 * begins: the same for unfolded text but for the folds before it, the
 * line of its XML element for xCal.
 */
static unsigned long
ical_line(const struct ical_parse *p, unsigned long n)
{
	size_t	lo = 0, hi = p->nfolds, mid;

	if (p->linemap != NULL)
		return n >= 1 && n <= p->nlinemap ? p->linemap[n - 1] : 0;
	if (n == 0)
		return 0;
	/* Folds on lines before n push it down by one each. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (p->folds[mid] < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n + lo;
}

/* Says, once per kind, what was repaired before reading. */
static void
ical_repairs(struct ical_parse *p, const struct feedutil_repairs *r)
{
	if (r->controls.count > 0)
		ical_warn(p, r->controls.line, "removed %zu control characters "
		    "or NUL bytes", r->controls.count);
	if (r->cp1252)
		ical_warn(p, 0, "the calendar is not UTF-8; read it as "
		    "Windows-1252");
	if (r->utf8.count > 0)
		ical_warn(p, r->utf8.line, "replaced %zu invalid UTF-8 "
		    "sequences with U+FFFD", r->utf8.count);
}

/* --- xCal: XML to content lines --- */

/* The first error libxml2 reports, kept for the message. */
struct ical_xml_error {
	int		 code;
	int		 line;
	int		 int1;		/* the error's number, if any */
	char		 msg[ICAL_ERROR_MAX];
};

/* Keeps the first error of a parse; `ctx` is its parser context. */
static void
ical_xcal_error_cb(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct ical_xml_error	*first;
	size_t			 n;

	if (ctxt == NULL || (first = ctxt->_private) == NULL || e == NULL ||
	    e->level < XML_ERR_ERROR || first->code != 0)
		return;
	first->code = e->code != 0 ? e->code : -1;
	first->line = e->line;
	first->int1 = e->int1;
	snprintf(first->msg, sizeof first->msg, "%s",
	    e->message != NULL ? e->message : "no detail");
	n = feedutil_utf8_cut(first->msg, strlen(first->msg),
	    sizeof first->msg - 1);
	first->msg[n] = '\0';
	while (n > 0 && (first->msg[n - 1] == '\n' || first->msg[n - 1] == ' '))
		first->msg[--n] = '\0';
}

/*
 * Parses an xCal document and writes it out as iCalendar content lines
 * into p->text, with the XML line of each in p->linemap.  The parse is
 * libxml2's with no network, no external entity or DTD ever read, no
 * entity substitution and no XML_PARSE_HUGE (so its own depth and size
 * limits hold); a document that is not well-formed, including one that
 * breaks off, is refused whole.
 */
static int
ical_xcal(struct ical_parse *p)
{
	struct feedutil_repairs	 rep;
	struct feedutil_buf	 b;
	struct ical_xml_error	 first;
	xmlParserCtxtPtr	 ctxt = NULL;
	xmlDocPtr		 doc = NULL;
	xmlNodePtr		 root, n;
	xmlStructuredErrorFunc	 old_fn;
	void			*old_ctx;
	char			*clean = NULL;
	size_t			 len, ncal = 0;
	int			 rc = DAYHUB_ERROR, wellformed;

	feedutil_buf_init(&b);
	if ((clean = feedutil_xml_sanitize(p->in->data, p->in->len, &len,
	    &rep)) == NULL)
		goto oom;
	if (len > INT_MAX) {
		p->host->error(p->sink, "the calendar is too large to read "
		    "(%zu bytes)", p->in->len);
		goto done;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL)
		goto oom;
	memset(&first, 0, sizeof first);
	ctxt->_private = &first;
	ctxt->sax->serror = ical_xcal_error_cb;
	/*
	 * No NOENT, no DTDLOAD/DTDATTR/DTDVALID, never HUGE.  Encoding and
	 * I/O errors bypass the context's handler and would go to stderr;
	 * libxml2 keeps this handler per thread, so borrow it for the parse.
	 */
	old_fn = xmlStructuredError;
	old_ctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(ctxt, ical_xcal_error_cb);
	doc = xmlCtxtReadMemory(ctxt, clean, (int)len, p->in->base_url, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_BIG_LINES | XML_PARSE_COMPACT | XML_PARSE_NOCDATA);
	xmlSetStructuredErrorFunc(old_ctx, old_fn);
	wellformed = ctxt->wellFormed;
	if (first.code == 0)
		snprintf(first.msg, sizeof first.msg, "no detail");

	if (doc == NULL || !wellformed) {
		/* libxml2's entity amplification check; its line is no use. */
		if (first.code == XML_ERR_ENTITY_LOOP)
			p->host->error(p->sink, "refused: the calendar's "
			    "entity declarations expand without bound (an "
			    "entity bomb)");
		else if (first.code == XML_ERR_INTERNAL_ERROR &&
		    first.int1 == (int)xmlParserMaxDepth)
			p->host->error(p->sink, "refused: elements are nested "
			    "more than %u deep (line %d)", xmlParserMaxDepth,
			    first.line);
		/* Cut short (a partial download): the rest is not gone. */
		else if (first.code == XML_ERR_TAG_NOT_FINISHED ||
		    first.code == XML_ERR_LTSLASH_REQUIRED ||
		    first.code == XML_ERR_GT_REQUIRED)
			p->host->error(p->sink, "the calendar is not whole: "
			    "its XML breaks off before </icalendar> (%s, line "
			    "%d), so it was not used", first.msg, first.line);
		else if (first.line > 0)
			p->host->error(p->sink, "not iCalendar: the XML is not "
			    "well-formed (%s, line %d)", first.msg, first.line);
		else
			p->host->error(p->sink, "not iCalendar: the XML is not "
			    "well-formed (%s)", first.msg);
		goto done;
	}
	if ((root = xmlDocGetRootElement(doc)) == NULL) {
		p->host->error(p->sink, "not iCalendar: the XML has no root "
		    "element");
		goto done;
	}
	if (!xmlStrEqual(root->name, (const xmlChar *)"icalendar")) {
		p->host->error(p->sink, "not iCalendar: the XML root element "
		    "is <%s>, not xCal's <icalendar>",
		    (const char *)root->name);
		goto done;
	}
	if (root->ns == NULL || !xmlStrEqual(root->ns->href,
	    (const xmlChar *)ICAL_XCAL_NS))
		ical_warn(p, (unsigned long)xmlGetLineNo(root), "<icalendar> "
		    "is not in the xCal namespace %s; read as xCal all the "
		    "same", ICAL_XCAL_NS);
	ical_repairs(p, &rep);

	for (n = root->children; n != NULL && !p->oom; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrEqual(n->name, (const xmlChar *)"vcalendar")) {
			ical_xcal_comp(p, &b, n);
			ncal++;
		}
	}
	if (ncal == 0) {
		p->host->error(p->sink, "not iCalendar: <icalendar> holds no "
		    "<vcalendar>");
		goto done;
	}
	if (b.failed || p->oom)
		goto oom;
	p->len = b.len;
	if ((p->text = feedutil_buf_finish(&b, NULL)) == NULL)
		goto oom;
	rc = DAYHUB_OK;
	goto done;

oom:
	p->oom = 1;
	rc = DAYHUB_ERROR;
done:
	feedutil_buf_free(&b);
	if (doc != NULL)
		xmlFreeDoc(doc);
	if (ctxt != NULL)
		xmlFreeParserCtxt(ctxt);
	free(clean);
	return rc;
}

/* 1 when `n` is an element of xCal (or of no namespace) named `name`. */
static int
ical_xcal_is(xmlNodePtr n, const char *name)
{
	if (n->type != XML_ELEMENT_NODE)
		return 0;
	if (n->ns != NULL && !xmlStrEqual(n->ns->href,
	    (const xmlChar *)ICAL_XCAL_NS))
		return 0;
	return name == NULL || xmlStrEqual(n->name, (const xmlChar *)name);
}

/* Ends the content line in `b` and notes the XML line it came from. */
static void
ical_xcal_line(struct ical_parse *p, struct feedutil_buf *b,
    unsigned long line)
{
	unsigned long	*m;
	size_t		 cap;

	feedutil_buf_addc(b, '\n');
	if ((p->nlinemap & (p->nlinemap - 1)) == 0) {
		cap = p->nlinemap == 0 ? 64 : p->nlinemap * 2;
		if (cap > SIZE_MAX / sizeof *m ||
		    (m = realloc(p->linemap, cap * sizeof *m)) == NULL) {
			p->oom = 1;
			return;
		}
		p->linemap = m;
	}
	p->linemap[p->nlinemap++] = line;
}

/* Writes one component, its properties and the components inside it. */
static void
ical_xcal_comp(struct ical_parse *p, struct feedutil_buf *b, xmlNodePtr comp)
{
	xmlNodePtr	 n, c;
	unsigned long	 line = (unsigned long)xmlGetLineNo(comp);
	const xmlChar	*s;

	feedutil_buf_adds(b, "BEGIN:");
	for (s = comp->name; *s != '\0'; s++)
		feedutil_buf_addc(b, ical_upper(*s));
	ical_xcal_line(p, b, line);
	for (n = comp->children; n != NULL && !p->oom; n = n->next) {
		if (ical_xcal_is(n, "properties")) {
			for (c = n->children; c != NULL && !p->oom; c = c->next)
				if (ical_xcal_is(c, NULL))
					ical_xcal_prop(p, b, c);
		} else if (ical_xcal_is(n, "components")) {
			for (c = n->children; c != NULL && !p->oom; c = c->next)
				if (ical_xcal_is(c, NULL))
					ical_xcal_comp(p, b, c);
		}
	}
	feedutil_buf_adds(b, "END:");
	for (s = comp->name; *s != '\0'; s++)
		feedutil_buf_addc(b, ical_upper(*s));
	ical_xcal_line(p, b, line);
}

/*
 * Writes one property element as a content line: its name, its
 * parameters, then its values (several joined by commas, GEO's two parts
 * by a semicolon), each in the iCalendar syntax of its xCal type.
 */
static void
ical_xcal_prop(struct ical_parse *p, struct feedutil_buf *b, xmlNodePtr prop)
{
	struct feedutil_buf	 vals;
	xmlNodePtr		 n, pn, v;
	const xmlChar		*s;
	const char		*type = NULL;
	char			*t;
	int			 nvals = 0, first, geo;

	feedutil_buf_init(&vals);
	geo = xmlStrEqual(prop->name, (const xmlChar *)"geo");
	for (s = prop->name; *s != '\0'; s++)
		feedutil_buf_addc(b, ical_upper(*s));
	for (n = prop->children; n != NULL; n = n->next) {
		if (!ical_xcal_is(n, "parameters"))
			continue;
		for (pn = n->children; pn != NULL; pn = pn->next) {
			if (!ical_xcal_is(pn, NULL))
				continue;
			feedutil_buf_addc(b, ';');
			for (s = pn->name; *s != '\0'; s++)
				feedutil_buf_addc(b, ical_upper(*s));
			feedutil_buf_addc(b, '=');
			first = 1;
			for (v = pn->children; v != NULL; v = v->next) {
				if (!ical_xcal_is(v, NULL) ||
				    (t = ical_xcal_text(p, v)) == NULL)
					continue;
				if (!first)
					feedutil_buf_addc(b, ',');
				first = 0;
				feedutil_buf_addc(b, '"');
				ical_xcal_put(b, t, ICAL_X_PARAM);
				feedutil_buf_addc(b, '"');
				free(t);
			}
		}
	}
	for (n = prop->children; n != NULL && !p->oom; n = n->next) {
		if (!ical_xcal_is(n, NULL) || ical_xcal_is(n, "parameters"))
			continue;
		if (nvals++ > 0)
			feedutil_buf_addc(&vals, geo ? ';' : ',');
		ical_xcal_value(p, &vals, n);
		if (xmlStrEqual(n->name, (const xmlChar *)"date"))
			type = "DATE";
		else if (xmlStrEqual(n->name, (const xmlChar *)"period"))
			type = "PERIOD";
	}
	/* <summary>Art</summary>, without its <text>, is read all the same. */
	if (nvals == 0 && (t = ical_xcal_text(p, prop)) != NULL) {
		ical_xcal_put(&vals, t, ICAL_X_TEXT);
		free(t);
	}
	if (type != NULL) {
		feedutil_buf_adds(b, ";VALUE=");
		feedutil_buf_adds(b, type);
	}
	feedutil_buf_addc(b, ':');
	if (vals.failed)
		p->oom = 1;
	else if (vals.len > 0)
		feedutil_buf_add(b, vals.data, vals.len);
	feedutil_buf_free(&vals);
	ical_xcal_line(p, b, (unsigned long)xmlGetLineNo(prop));
}

/*
 * Appends xCal text to a content line in one of three ways: TEXT escaped
 * (\\ \; \, and line breaks as \n), a STAMP without the '-' and ':' of
 * its extended form (2026-12-01T10:00:00Z is 20261201T100000Z, -05:00 is
 * -0500), or as it is (a PARAM value loses its quotes, having none in
 * iCalendar).  A line break never gets into the line.
 */
static void
ical_xcal_put(struct feedutil_buf *b, const char *t, enum ical_xput how)
{
	const char	*s;

	for (s = t; *s != '\0'; s++) {
		if (*s == '\r' || *s == '\n') {
			if (*s == '\r' && s[1] == '\n')
				s++;
			feedutil_buf_adds(b, how == ICAL_X_TEXT ? "\\n" : " ");
		} else if (how == ICAL_X_TEXT && (*s == '\\' || *s == ';' ||
		    *s == ',')) {
			feedutil_buf_addc(b, '\\');
			feedutil_buf_addc(b, *s);
		} else if (how == ICAL_X_STAMP && (*s == ':' ||
		    (*s == '-' && s != t)))
			continue;
		else if (how == ICAL_X_PARAM && *s == '"')
			feedutil_buf_addc(b, '\'');
		else
			feedutil_buf_addc(b, *s);
	}
}

/*
 * Writes one value element in the iCalendar syntax of its type: text
 * escaped, dates and times in their basic form, a period as start/end or
 * start/duration, a recur as RRULE text, anything else as it is.
 */
static void
ical_xcal_value(struct ical_parse *p, struct feedutil_buf *b, xmlNodePtr v)
{
	xmlNodePtr	 c;
	const char	*name = (const char *)v->name;
	char		*t;

	if (strcmp(name, "recur") == 0) {
		ical_xcal_recur(p, b, v);
		return;
	}
	if (strcmp(name, "period") == 0) {
		for (c = v->children; c != NULL; c = c->next) {
			if (!ical_xcal_is(c, NULL) ||
			    (t = ical_xcal_text(p, c)) == NULL)
				continue;
			if (!xmlStrEqual(c->name, (const xmlChar *)"start"))
				feedutil_buf_addc(b, '/');
			ical_xcal_put(b, t, xmlStrEqual(c->name,
			    (const xmlChar *)"duration") ? ICAL_X_RAW :
			    ICAL_X_STAMP);
			free(t);
		}
		return;
	}
	if ((t = ical_xcal_text(p, v)) == NULL)
		return;
	if (strcmp(name, "text") == 0 || strcmp(name, "unknown") == 0)
		ical_xcal_put(b, t, ICAL_X_TEXT);
	else if (strcmp(name, "date-time") == 0 || strcmp(name, "date") == 0 ||
	    strcmp(name, "time") == 0 || strcmp(name, "utc-offset") == 0)
		ical_xcal_put(b, t, ICAL_X_STAMP);
	else
		ical_xcal_put(b, t, ICAL_X_RAW);
	free(t);
}

/* Writes an xCal <recur> as RRULE text: FREQ=WEEKLY;BYDAY=TU,TH. */
static void
ical_xcal_recur(struct ical_parse *p, struct feedutil_buf *b, xmlNodePtr v)
{
	xmlNodePtr	 c;
	const xmlChar	*last = NULL, *s;
	char		*t, *q;

	for (c = v->children; c != NULL; c = c->next) {
		if (!ical_xcal_is(c, NULL))
			continue;
		if ((t = ical_xcal_text(p, c)) == NULL)
			return;
		if (last != NULL && xmlStrEqual(last, c->name))
			feedutil_buf_addc(b, ',');
		else {
			if (last != NULL)
				feedutil_buf_addc(b, ';');
			for (s = c->name; *s != '\0'; s++)
				feedutil_buf_addc(b, ical_upper(*s));
			feedutil_buf_addc(b, '=');
		}
		last = c->name;
		/* A part's value holds no separator of the rule's own. */
		for (q = t; *q != '\0'; q++)
			if (*q == ';' || *q == ',')
				*q = ' ';
		ical_xcal_put(b, t, xmlStrEqual(c->name,
		    (const xmlChar *)"until") ? ICAL_X_STAMP : ICAL_X_RAW);
		free(t);
	}
}

/*
 * The text of an element: its text and CDATA children, trimmed, cut at
 * ICAL_MAX_LINE.  An entity reference the document declared is left out
 * with one warning: xCal has no need of them, and leaving them out keeps
 * any expansion from happening here.  NULL when out of memory.
 */
static char *
ical_xcal_text(struct ical_parse *p, xmlNodePtr n)
{
	struct feedutil_buf	 b;
	xmlNodePtr		 c;
	char			*s;
	size_t			 i, len;

	feedutil_buf_init(&b);
	for (c = n->children; c != NULL && b.len < ICAL_MAX_LINE;
	    c = c->next) {
		if ((c->type == XML_TEXT_NODE ||
		    c->type == XML_CDATA_SECTION_NODE) && c->content != NULL)
			feedutil_buf_adds(&b, (const char *)c->content);
		else if (c->type == XML_ENTITY_REF_NODE && !p->entity_warned++)
			ical_warn(p, (unsigned long)xmlGetLineNo(n), "left out "
			    "the entity reference &%.*s;: xCal values are read "
			    "without the document's own entities",
			    ICAL_Q((const char *)c->name));
	}
	if ((s = feedutil_buf_finish(&b, &len)) == NULL) {
		p->oom = 1;
		return NULL;
	}
	for (i = 0; i < len && ical_is_space(s[i]); i++)
		;
	while (len > i && ical_is_space(s[len - 1]))
		len--;
	memmove(s, s + i, len - i);
	s[len - i] = '\0';
	return s;
}

/* --- reading content lines --- */

/*
 * Reads the next line (the text is unfolded already).  Blank lines, and
 * lines of white space only, are skipped.  A line longer than
 * ICAL_MAX_LINE keeps only its start and sets r->cut.  Returns 1 with the
 * line in r->line and its line in the input in r->lineno, or 0 at the
 * end (or when memory ran out).
 */
static int
ical_next_line(struct ical_parse *p, struct ical_reader *r)
{
	const char	*s, *e;
	size_t		 n;

	for (;;) {
		if (r->pos >= r->len)
			return 0;
		s = r->text + r->pos;
		if ((e = memchr(s, '\n', r->len - r->pos)) == NULL)
			e = r->text + r->len;
		n = (size_t)(e - s);
		r->pos += n + (e < r->text + r->len);
		r->lineno = ical_line(p, r->next++);
		while (n > 0 && ical_is_space(s[n - 1]))
			n--;
		if (n == 0 || strspn(s, " \t") >= n)
			continue;
		r->cut = n > ICAL_MAX_LINE;
		if (r->cut)
			n = feedutil_utf8_cut(s, n, ICAL_MAX_LINE);
		r->line.len = 0;
		feedutil_buf_add(&r->line, s, n);
		if (r->line.failed) {
			p->oom = 1;
			return 0;
		}
		return 1;
	}
}

/*
 * Splits a content line in place: NAME *(;PARAM=VALUE) : VALUE.  Names
 * are made upper case; a parameter value loses its quotes and its RFC
 * 6868 ^-escapes; parameters past ICAL_MAX_PARAMS are dropped.  Returns
 * 0, or -1 when the line is not a content line.
 */
static int
ical_split(char *s, struct ical_prop *pr)
{
	struct ical_param	*pa;
	char			*name = s, *pname, *pval, *w, *r;
	size_t			 i, n;

	pr->nparams = 0;
	pr->name = s;
	/* Check everything before writing anything: a bad line is quoted. */
	while (ical_isalnum(*s) || *s == '-' || *s == '_')
		s++;
	if (s == pr->name || (*s != ';' && *s != ':'))
		return -1;
	for (r = s; *r == ';'; ) {
		for (w = ++r; ical_isalnum(*r) || *r == '-' || *r == '_'; r++)
			;
		if (r == w || *r++ != '=')
			return -1;
		for (;;) {
			if (*r == '"') {
				if ((r = strchr(r + 1, '"')) == NULL)
					return -1;
				r++;
			} else
				while (*r != '\0' && *r != ';' && *r != ':' &&
				    *r != ',')
					r++;
			if (*r != ',')
				break;
			r++;
		}
		if (*r != ';' && *r != ':')
			return -1;
	}
	for (w = name; w < s; w++)
		*w = (char)ical_upper(*w);
	while (*s == ';') {
		*s++ = '\0';
		pname = s;
		while (ical_isalnum(*s) || *s == '-' || *s == '_') {
			*s = (char)ical_upper(*s);
			s++;
		}
		*s++ = '\0';
		pval = s;
		for (;;) {
			if (*s == '"') {
				if ((s = strchr(s + 1, '"')) == NULL)
					return -1;
				s++;
			} else
				while (*s != '\0' && *s != ';' && *s != ':' &&
				    *s != ',')
					s++;
			if (*s != ',')
				break;
			s++;
		}
		if (pr->nparams < ICAL_MAX_PARAMS) {
			pa = &pr->params[pr->nparams++];
			pa->name = pname;
			pa->value = pval;
		}
	}
	*s++ = '\0';
	pr->value = s;

	/* Now that each value ends in a NUL, unquote it and undo ^-escapes. */
	for (i = 0; i < pr->nparams; i++) {
		pa = &pr->params[i];
		n = strlen(pa->value);
		if (n >= 2 && pa->value[0] == '"' && pa->value[n - 1] == '"' &&
		    memchr(pa->value + 1, '"', n - 2) == NULL) {
			memmove(pa->value, pa->value + 1, n - 2);
			pa->value[n - 2] = '\0';
		}
		for (r = w = pa->value; *r != '\0'; r++) {
			if (*r == '^' && r[1] == 'n') {
				*w++ = '\n';
				r++;
			} else if (*r == '^' && r[1] == '\'') {
				*w++ = '"';
				r++;
			} else if (*r == '^' && r[1] == '^') {
				*w++ = '^';
				r++;
			} else
				*w++ = *r;
		}
		*w = '\0';
	}
	return 0;
}

/* The value of parameter `name` of a property, or NULL. */
static const char *
ical_param(const struct ical_prop *pr, const char *name)
{
	size_t	i;

	for (i = 0; i < pr->nparams; i++)
		if (strcmp(pr->params[i].name, name) == 0)
			return pr->params[i].value;
	return NULL;
}

/* --- the walk over components --- */

/*
 * Reads every line and follows BEGIN and END.  Pass 1 checks the
 * structure (refusing what is not iCalendar, not whole, or nested too
 * deep), reads what each VCALENDAR says of itself and builds its zones;
 * pass 2, over the same lines, reads the events.  Warnings about the
 * structure are given in pass 1 only.  Returns DAYHUB_OK or DAYHUB_ERROR
 * (after host->error()).
 */
static int
ical_walk(struct ical_parse *p, int pass)
{
	struct ical_reader	 r;
	struct ical_walk	 w;
	struct ical_prop	 pr;
	char			 name[ICAL_NAME_MAX];
	size_t			 i, k;
	int			 seen = 0, rc = DAYHUB_ERROR;

	memset(&r, 0, sizeof r);
	memset(&w, 0, sizeof w);
	feedutil_buf_init(&r.line);
	r.text = p->text;
	r.len = p->len;
	r.next = 1;
	if (r.len >= 3 && memcmp(r.text, "\xef\xbb\xbf", 3) == 0)
		r.pos = 3;

	while (ical_next_line(p, &r)) {
		if (r.cut) {
			/* The line's start is there: say what it was. */
			for (k = 0; k < 40 && (ical_isalnum(r.line.data[k]) ||
			    r.line.data[k] == '-'); k++)
				;
			if (pass == 1)
				ical_warn(p, r.lineno, "left out a %.*s line "
				    "of more than %d bytes", (int)k,
				    r.line.data, ICAL_MAX_LINE);
			if (!seen)
				goto notical;
			continue;
		}
		if (ical_split(r.line.data, &pr) == -1) {
			if (!seen)
				goto notical;
			if (pass == 1 && ++p->badlines <= ICAL_MAX_BADLINES)
				ical_warn(p, r.lineno, "left out \"%.*s\": not "
				    "an iCalendar line (NAME:value)",
				    ICAL_Q(r.line.data));
			continue;
		}
		pr.buf = NULL;
		pr.line = r.lineno;

		if (strcmp(pr.name, "BEGIN") == 0 ||
		    strcmp(pr.name, "END") == 0) {
			for (i = 0, k = 0; pr.value[i] != '\0' &&
			    k < sizeof name - 1; i++)
				if (!ical_is_space(pr.value[i]))
					name[k++] = (char)ical_upper(
					    pr.value[i]);
			name[k] = '\0';
		}
		if (!seen) {
			seen = 1;
			if (strcmp(pr.name, "BEGIN") != 0 ||
			    strcmp(name, "VCALENDAR") != 0)
				goto notical;
		}
		if (strcmp(pr.name, "BEGIN") == 0) {
			if (w.depth == p->max_nest) {
				if (pass == 1)
					p->host->error(p->sink, "components "
					    "are nested more than %zu deep "
					    "(line %lu)", p->max_nest,
					    r.lineno);
				goto done;
			}
			snprintf(w.stack[w.depth], ICAL_NAME_MAX, "%s", name);
			w.begun[w.depth++] = r.lineno;
			if (ical_begin(p, &w, pass, name, r.lineno) == -1)
				goto done;
			continue;
		}
		if (strcmp(pr.name, "END") == 0) {
			for (k = w.depth; k > 0; k--)
				if (strcmp(w.stack[k - 1], name) == 0)
					break;
			if (k == 0) {
				if (pass == 1)
					ical_warn(p, r.lineno, "left out "
					    "END:%s with no BEGIN:%s before "
					    "it", name, name);
				continue;
			}
			while (w.depth >= k) {
				if (pass == 1 && w.depth > k)
					ical_warn(p, r.lineno, "END:%s also "
					    "ends BEGIN:%s of line %lu, which "
					    "had no END", name,
					    w.stack[w.depth - 1],
					    w.begun[w.depth - 1]);
				ical_end(p, &w, pass, w.depth > k);
				w.depth--;
			}
			continue;
		}
		if (w.depth == 0) {
			if (pass == 1 && !p->junk_warned++)
				ical_warn(p, r.lineno, "left out lines after "
				    "END:VCALENDAR that begin no other "
				    "calendar");
			continue;
		}
		ical_property(p, &w, pass, &pr);
	}
	if (p->oom)
		goto done;
	if (!seen)
		goto notical;
	if (w.depth > 0) {
		/*
		 * A calendar cut short (a partial download, a full disk)
		 * would read its missing events as deleted: refuse it whole.
		 */
		if (pass == 1)
			p->host->error(p->sink, "the calendar is not whole: "
			    "END:VCALENDAR is missing (the %s begun on line "
			    "%lu is still open where the text ends, line %lu), "
			    "so it was not used", w.stack[w.depth - 1],
			    w.begun[w.depth - 1], ical_line(p, r.next - 1));
		goto done;
	}
	rc = DAYHUB_OK;
	goto done;
notical:
	p->host->error(p->sink, "not iCalendar: it does not start with "
	    "BEGIN:VCALENDAR");
done:
	feedutil_buf_free(&r.line);
	ical_props_clear(p);
	free(p->props);
	p->props = NULL;
	p->capprops = 0;
	p->evopen = 0;
	feedutil_buf_free(&p->ztext);
	p->zopen = 0;
	return rc;
}

/*
 * A component begins; it is w->stack[w->depth - 1].  Returns 0, or -1
 * when there are too many calendars (after host->error()).
 */
static int
ical_begin(struct ical_parse *p, struct ical_walk *w, int pass,
    const char *name, unsigned long line)
{
	struct ical_cal	*c;
	size_t		 i;

	if (w->depth == 1) {
		if (strcmp(name, "VCALENDAR") != 0) {
			if (pass == 1 && !p->junk_warned++)
				ical_warn(p, line, "left out BEGIN:%s outside "
				    "any VCALENDAR", name);
			return 0;
		}
		if (pass == 1) {
			if (p->ncals == ICAL_MAX_CALENDARS) {
				p->host->error(p->sink, "the file holds more "
				    "than %d calendars", ICAL_MAX_CALENDARS);
				return -1;
			}
			if ((c = realloc(p->cals, (p->ncals + 1) *
			    sizeof *c)) == NULL) {
				p->oom = 1;
				return -1;
			}
			p->cals = c;
			memset(&p->cals[p->ncals++], 0, sizeof *c);
		}
		/* Pass 2 meets the calendars pass 1 counted, in order. */
		w->cal = w->ncal < p->ncals ? &p->cals[w->ncal++] : NULL;
		return 0;
	}
	if (w->cal == NULL || strcmp(w->stack[0], "VCALENDAR") != 0)
		return 0;
	if (w->depth == 2) {
		if (strcmp(name, "VTIMEZONE") == 0 && pass == 1) {
			p->ztext.len = 0;
			p->zopen = 1;
			p->zline = line;
			p->zparts = 0;
			p->zrdates = 0;
			p->zbad = NULL;
			feedutil_buf_adds(&p->ztext, "BEGIN:VTIMEZONE\r\n");
		} else if (strcmp(name, "VEVENT") == 0 && pass == 2) {
			ical_props_clear(p);
			p->evopen = 1;
			p->evline = line;
		} else if (strcmp(name, "VEVENT") != 0 &&
		    strcmp(name, "VTIMEZONE") != 0 && pass == 1) {
			/* Once per kind: VTODO, VJOURNAL, VFREEBUSY, X-... */
			for (i = 0; i < p->nwarned; i++)
				if (strncmp(p->warned[i], name,
				    ICAL_WARNED_NAME - 1) == 0)
					return 0;
			if (p->nwarned < ICAL_MAX_WARNED) {
				ical_warned_copy(p->warned[p->nwarned++],
				    name);
				ical_warn(p, line, "left out %s components: "
				    "only events (VEVENT) are read", name);
			}
		}
		return 0;
	}
	if (pass == 1 && p->zopen) {
		if (w->depth == 3)
			p->zparts++;
		feedutil_buf_adds(&p->ztext, "BEGIN:");
		feedutil_buf_adds(&p->ztext, name);
		feedutil_buf_adds(&p->ztext, "\r\n");
	}
	return 0;
}

/*
 * The component w->stack[w->depth - 1] ends; `implied` when an END of
 * an outer one closed it.
 */
static void
ical_end(struct ical_parse *p, struct ical_walk *w, int pass, int implied)
{
	const char	*name = w->stack[w->depth - 1];

	(void)implied;
	if (w->depth == 1) {
		w->cal = NULL;
		return;
	}
	if (w->cal == NULL || strcmp(w->stack[0], "VCALENDAR") != 0)
		return;
	if (w->depth == 2) {
		if (pass == 1 && p->zopen && strcmp(name, "VTIMEZONE") == 0) {
			feedutil_buf_adds(&p->ztext, "END:VTIMEZONE\r\n");
			ical_zone_define(p, w->cal);
			p->zopen = 0;
		} else if (pass == 2 && p->evopen &&
		    strcmp(name, "VEVENT") == 0) {
			ical_event_finish(p, w->cal);
			p->evopen = 0;
		}
		return;
	}
	if (pass == 1 && p->zopen) {
		feedutil_buf_adds(&p->ztext, "END:");
		feedutil_buf_adds(&p->ztext, name);
		feedutil_buf_adds(&p->ztext, "\r\n");
	}
}

/* A property line inside the component on top of the stack. */
static void
ical_property(struct ical_parse *p, struct ical_walk *w, int pass,
    struct ical_prop *pr)
{
	if (w->cal == NULL || strcmp(w->stack[0], "VCALENDAR") != 0)
		return;
	if (w->depth == 1) {
		if (pass == 1)
			ical_cal_property(p, w->cal, pr);
		return;
	}
	if (pass == 1 && p->zopen) {
		ical_zone_line(p, w->stack[w->depth - 1], pr);
		return;
	}
	if (pass == 2 && p->evopen && w->depth == 2)
		ical_event_prop(p, pr);
}

/* --- the calendar's own properties --- */

/* Reads a property of a VCALENDAR: its name, zone, method and so on. */
static void
ical_cal_property(struct ical_parse *p, struct ical_cal *cal,
    const struct ical_prop *pr)
{
	icaltimezone	*z;
	const char	*iana;
	char		*v;
	long		 secs;
	int		 how;

	if (strcmp(pr->name, "X-WR-CALNAME") == 0 ||
	    strcmp(pr->name, "NAME") == 0) {
		if (p->title == NULL && (v = ical_unescape(p, pr->value,
		    strlen(pr->value))) != NULL) {
			p->title = ical_clean(p, v, strlen(v));
			free(v);
		}
	} else if (strcmp(pr->name, "PRODID") == 0) {
		if (p->generator == NULL && (v = ical_unescape(p, pr->value,
		    strlen(pr->value))) != NULL) {
			p->generator = ical_clean(p, v, strlen(v));
			free(v);
		}
	} else if (strcmp(pr->name, "URL") == 0 ||
	    strcmp(pr->name, "X-ORIGINAL-URL") == 0) {
		if (p->link == NULL && (v = ical_clean(p, pr->value,
		    strlen(pr->value))) != NULL) {
			p->link = feedutil_url_resolve(v, p->in->base_url);
			free(v);
		}
	} else if (strcmp(pr->name, "X-PUBLISHED-TTL") == 0 ||
	    strcmp(pr->name, "REFRESH-INTERVAL") == 0) {
		if (p->ttl >= 0)
			return;
		if (ical_duration(pr->value, &secs) == -1 || secs <= 0)
			ical_warn(p, pr->line, "left out the %s \"%.*s\": not "
			    "a duration such as PT1H", pr->name,
			    ICAL_Q(pr->value));
		else
			p->ttl = (secs + 59) / 60;
	} else if (strcmp(pr->name, "METHOD") == 0) {
		cal->cancel = strcasecmp(pr->value, "CANCEL") == 0;
	} else if (strcmp(pr->name, "X-WR-TIMEZONE") == 0 &&
	    cal->floatraw == NULL) {
		if ((v = ical_unescape(p, pr->value, strlen(pr->value))) ==
		    NULL)
			return;
		cal->floatraw = ical_clean(p, v, strlen(v));
		free(v);
		if (cal->floatraw == NULL)
			return;
		cal->floatline = pr->line;
		if ((iana = ical_iana(cal->floatraw, &how)) != NULL &&
		    (z = ical_builtin(iana)) != NULL) {
			if ((cal->floatzone = strdup(iana)) == NULL)
				p->oom = 1;
		} else
			ical_warn(p, pr->line, "left out X-WR-TIMEZONE "
			    "\"%.*s\": not a zone this module knows",
			    ICAL_Q(cal->floatraw));
	}
}

/* --- time zones --- */

/*
 * Adds a line of the VTIMEZONE being read to its text, checking what
 * would make libical's expansion of the zone large: only yearly rules
 * with one month and one day rule, and a bounded number of parts and
 * RDATEs.
 */
static void
ical_zone_line(struct ical_parse *p, const char *comp,
    const struct ical_prop *pr)
{
	const char	*s;
	size_t		 i;

	(void)comp;
	if (strcmp(pr->name, "RRULE") == 0 && !ical_rule_ok(pr->value, 1))
		p->zbad = "a recurrence rule that is not yearly";
	if (strcmp(pr->name, "RDATE") == 0)
		for (s = pr->value, p->zrdates++; *s != '\0'; s++)
			if (*s == ',')
				p->zrdates++;
	if (p->ztext.len > ICAL_MAX_ZONE_TEXT) {
		p->zbad = "too much text";
		return;
	}
	/* Written back as it came, but for the case of names. */
	feedutil_buf_adds(&p->ztext, pr->name);
	for (i = 0; i < pr->nparams; i++) {
		feedutil_buf_addc(&p->ztext, ';');
		feedutil_buf_adds(&p->ztext, pr->params[i].name);
		feedutil_buf_adds(&p->ztext, "=\"");
		for (s = pr->params[i].value; *s != '\0'; s++)
			if (*s != '"' && *s != '\n')
				feedutil_buf_addc(&p->ztext, *s);
		feedutil_buf_addc(&p->ztext, '"');
	}
	feedutil_buf_addc(&p->ztext, ':');
	feedutil_buf_adds(&p->ztext, pr->value);
	feedutil_buf_adds(&p->ztext, "\r\n");
}

/*
 * Checks an RRULE with libical: 1 when it reads, and (for a zone) is a
 * yearly rule that yields a handful of changes a year.
 */
static int
ical_rule_ok(const char *rule, int zone)
{
	struct icalrecurrencetype	r;
	int				i;

	if (strlen(rule) > ICAL_MAX_RRULE)
		return 0;
	r = icalrecurrencetype_from_string(rule);
	if (r.freq == ICAL_NO_RECURRENCE)
		return 0;
	if (!zone)
		return 1;
	if (r.freq != ICAL_YEARLY_RECURRENCE)
		return 0;
	if (r.by_month[0] != ICAL_RECURRENCE_ARRAY_MAX &&
	    r.by_month[1] != ICAL_RECURRENCE_ARRAY_MAX)
		return 0;
	if (r.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX &&
	    r.by_day[1] != ICAL_RECURRENCE_ARRAY_MAX)
		return 0;
	for (i = 0; i < ICAL_BY_MONTHDAY_SIZE &&
	    r.by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		;
	if (i > 7 || r.by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_second[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX)
		return 0;
	return 1;
}

/*
 * Turns the VTIMEZONE just read into a zone of the calendar, through
 * libical.  One it cannot use is left out with a warning; its TZID is
 * then looked for among the builtin zones at first use.
 */
static void
ical_zone_define(struct ical_parse *p, struct ical_cal *cal)
{
	struct ical_zone	*z;
	icalcomponent		*comp = NULL;
	icalproperty		*prop;
	icaltimezone		*zone = NULL;
	const char		*tzid, *iana, *loc;
	char			 tzbuf[FEEDUTIL_MAX_FIELD];
	size_t			 i;
	int			 how;

	if (p->ztext.failed) {
		p->oom = 1;
		return;
	}
	if (p->zparts > ICAL_MAX_ZONE_PARTS)
		p->zbad = "too many STANDARD and DAYLIGHT parts";
	if (p->zrdates > ICAL_MAX_ZONE_RDATES)
		p->zbad = "too many RDATEs";
	if (p->zbad != NULL) {
		ical_warn(p, p->zline, "left out a VTIMEZONE with %s", p->zbad);
		return;
	}
	if ((comp = icalparser_parse_string(p->ztext.data)) == NULL ||
	    icalcomponent_isa(comp) != ICAL_VTIMEZONE_COMPONENT ||
	    (prop = icalcomponent_get_first_property(comp,
	    ICAL_TZID_PROPERTY)) == NULL ||
	    (tzid = icalproperty_get_tzid(prop)) == NULL || *tzid == '\0') {
		ical_warn(p, p->zline, "left out a VTIMEZONE without a TZID");
		goto fail;
	}
	snprintf(tzbuf, sizeof tzbuf, "%s", tzid);
	for (i = 0; i < cal->nzones; i++)
		if (strcmp(cal->zones[i].tzid, tzbuf) == 0) {
			ical_warn(p, p->zline, "left out a second VTIMEZONE "
			    "for \"%.*s\"", ICAL_Q(tzbuf));
			goto fail;
		}
	if (cal->nzones == ICAL_MAX_ZONES) {
		ical_warn(p, p->zline, "left out a VTIMEZONE: the calendar "
		    "defines more than %d", ICAL_MAX_ZONES);
		goto fail;
	}
	if (icalcomponent_get_first_component(comp, ICAL_XSTANDARD_COMPONENT) ==
	    NULL && icalcomponent_get_first_component(comp,
	    ICAL_XDAYLIGHT_COMPONENT) == NULL) {
		ical_warn(p, p->zline, "left out the VTIMEZONE \"%.*s\": it "
		    "has neither STANDARD nor DAYLIGHT", ICAL_Q(tzbuf));
		goto fail;
	}
	/* libical's own mark of where a zone comes from. */
	loc = NULL;
	for (prop = icalcomponent_get_first_property(comp, ICAL_X_PROPERTY);
	    prop != NULL; prop = icalcomponent_get_next_property(comp,
	    ICAL_X_PROPERTY))
		if (strcmp(icalproperty_get_x_name(prop),
		    "X-LIC-LOCATION") == 0)
			loc = icalproperty_get_x(prop);

	if ((zone = icaltimezone_new()) == NULL ||
	    !icaltimezone_set_component(zone, comp)) {
		ical_warn(p, p->zline, "left out the VTIMEZONE \"%.*s\": "
		    "libical cannot read it", ICAL_Q(tzbuf));
		goto fail;
	}
	/* The zone owns the component now. */
	z = &cal->zones[cal->nzones];
	memset(z, 0, sizeof *z);
	z->zone = zone;
	z->own = 1;
	if ((z->tzid = strdup(tzbuf)) == NULL) {
		icaltimezone_free(zone, 1);
		p->oom = 1;
		return;
	}
	cal->nzones++;
	iana = ical_iana(tzbuf, &how);
	if (iana == NULL && loc != NULL && ical_builtin(loc) != NULL) {
		iana = loc;
		how = 0;
	}
	if (iana != NULL && (z->iana = strdup(iana)) == NULL)
		p->oom = 1;
	if (iana != NULL && how == 1 && asprintf(&z->note, "the TZID \"%.*s\" "
	    "is a Windows zone name: read as %s", ICAL_Q(tzbuf),
	    iana) == -1)
		z->note = NULL;
	if (iana == NULL && asprintf(&z->note, "the TZID \"%.*s\" is not an "
	    "IANA zone name: its times keep the offsets of its VTIMEZONE, and "
	    "the record the feed's own zone", ICAL_Q(tzbuf)) == -1)
		z->note = NULL;
	return;

fail:
	if (zone != NULL)
		icaltimezone_free(zone, 1);
	if (comp != NULL)
		icalcomponent_free(comp);
}

/*
 * The zone a TZID stands for in `cal`: its VTIMEZONE, else a builtin zone
 * of that name (or of the IANA name inside it, or the IANA zone of a
 * Windows name), else the input's zone, with a warning.  Never NULL,
 * unless memory ran out.
 */
static struct ical_zone *
ical_zone_get(struct ical_parse *p, struct ical_cal *cal, const char *tzid,
    unsigned long line)
{
	struct ical_zone	*z;
	const char		*iana;
	size_t			 i;
	int			 how;

	for (i = 0; i < cal->nzones; i++) {
		z = &cal->zones[i];
		if (strcmp(z->tzid, tzid) != 0)
			continue;
		if (z->note != NULL) {
			ical_warn(p, line, "%s", z->note);
			free(z->note);
			z->note = NULL;
		}
		return z;
	}
	if (cal->nzones == ICAL_MAX_ZONES) {
		/* Past the cap every other TZID reads in the input's zone. */
		z = &cal->spill;
		if (z->zone == NULL) {
			z->zone = ical_builtin(p->fallback);
			if (z->zone == NULL)
				z->zone = icaltimezone_get_utc_timezone();
			ical_warn(p, line, "the calendar uses more than %d "
			    "TZIDs: \"%.*s\" and those after it were read in "
			    "%s", ICAL_MAX_ZONES, ICAL_Q(tzid), p->fallback);
		}
		return z;
	}
	z = &cal->zones[cal->nzones];
	memset(z, 0, sizeof *z);
	if ((z->tzid = strdup(tzid)) == NULL) {
		p->oom = 1;
		return NULL;
	}
	cal->nzones++;
	if ((iana = ical_iana(tzid, &how)) != NULL) {
		z->zone = ical_builtin(iana);
		if (how == 1)
			ical_warn(p, line, "the TZID \"%.*s\" is a Windows "
			    "zone name: read as %s", ICAL_Q(tzid), iana);
	} else {
		iana = p->fallback;
		z->zone = ical_builtin(iana);
		ical_warn(p, line, "the TZID \"%.*s\" is not a zone this "
		    "module knows, and the calendar does not define it: its "
		    "times were read in %s", ICAL_Q(tzid), iana);
	}
	if (z->zone == NULL)
		z->zone = icaltimezone_get_utc_timezone();
	if ((z->iana = strdup(iana)) == NULL)
		p->oom = 1;
	return z;
}

/*
 * The IANA name a TZID stands for, or NULL: the TZID itself when libical
 * knows it, the IANA name at its end ("/mozilla.org/20050126_1/Europe/
 * London"), or the zone of a Windows name (*how is then 1).
 */
static const char *
ical_iana(const char *tzid, int *how)
{
	const char	*s;
	size_t		 i;

	*how = 0;
	if (ical_builtin(tzid) != NULL)
		return tzid;
	for (s = tzid; (s = strchr(s, '/')) != NULL; )
		if (ical_builtin(++s) != NULL && strchr(s, '/') != NULL)
			return s;
	*how = 1;
	for (i = 0; i < sizeof ical_windows_zones /
	    sizeof ical_windows_zones[0]; i++)
		if (strcasecmp(tzid, ical_windows_zones[i].windows) == 0)
			return ical_windows_zones[i].iana;
	for (i = 0; i < sizeof ical_london_names /
	    sizeof ical_london_names[0]; i++)
		if ((s = strstr(tzid, ical_london_names[i])) != NULL &&
		    s[strlen(ical_london_names[i])] == '\0')
			return "Europe/London";
	*how = 0;
	return NULL;
}

/*
 * A builtin zone of libical, for a name of IANA syntax only: libical
 * looks for zone files by name, and a name from a feed must not lead it
 * anywhere else on disk.
 */
static icaltimezone *
ical_builtin(const char *name)
{
	if (!ical_zone_name_ok(name))
		return NULL;
	return icaltimezone_get_builtin_timezone(name);
}

/*
 * 1 when `s` has the shape of an IANA zone name: letters, digits, '_',
 * '-' and '+' in segments joined by '/', starting with a letter, no
 * empty segment, no dots.  (The host's check of "timezone" wants the
 * same; it belongs in feedutil.)
 */
static int
ical_zone_name_ok(const char *s)
{
	size_t	n, seg = 0;

	if (s == NULL || (n = strlen(s)) == 0 || n > ICAL_MAX_ZONE_NAME)
		return 0;
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '/') {
			if (seg == 0)
				return 0;
			seg = 0;
		} else if (ical_isalnum(*s) || *s == '_' || *s == '-' ||
		    *s == '+')
			seg++;
		else
			return 0;
	}
	return seg > 0;
}

/* --- events --- */

/* Keeps one property line of the event being read. */
static void
ical_event_prop(struct ical_parse *p, const struct ical_prop *pr)
{
	struct ical_prop	*np;
	size_t			 i, len, cap;
	char			*buf;
	ptrdiff_t		 off;

	/*
	 * An alarm's or an unknown component's lines never get here; nor
	 * do attendees (people, not needed) and attachments (large), nor an
	 * empty value, which says nothing.
	 */
	if (strcmp(pr->name, "ATTENDEE") == 0 ||
	    strcmp(pr->name, "ATTACH") == 0 || pr->value[strspn(pr->value,
	    " \t")] == '\0')
		return;
	if (p->nprops == ICAL_MAX_PROPS) {
		if (!p->props_warned++)
			ical_warn(p, pr->line, "an event has more than %d "
			    "properties; the rest were left out",
			    ICAL_MAX_PROPS);
		return;
	}
	if (p->nprops == p->capprops) {
		cap = p->capprops == 0 ? 32 : p->capprops * 2;
		if ((np = realloc(p->props, cap * sizeof *np)) == NULL) {
			p->oom = 1;
			return;
		}
		p->props = np;
		p->capprops = cap;
	}
	/* Copy the split line whole: name, parameters and value. */
	len = (size_t)(pr->value - pr->name) + strlen(pr->value) + 1;
	if ((buf = malloc(len)) == NULL) {
		p->oom = 1;
		return;
	}
	memcpy(buf, pr->name, len);
	np = &p->props[p->nprops++];
	*np = *pr;
	np->buf = buf;
	off = buf - pr->name;
	np->name = buf;
	np->value = pr->value + off;
	for (i = 0; i < pr->nparams; i++) {
		np->params[i].name = pr->params[i].name + off;
		np->params[i].value = pr->params[i].value + off;
	}
}

/* Forgets the properties of the event being read. */
static void
ical_props_clear(struct ical_parse *p)
{
	size_t	i;

	for (i = 0; i < p->nprops; i++)
		free(p->props[i].buf);
	p->nprops = 0;
	p->props_warned = 0;
}

/*
 * Reads the event whose properties were just kept into an ical_event,
 * resolved against the calendar's zones, and keeps it for grouping.
 */
static void
ical_event_finish(struct ical_parse *p, struct ical_cal *cal)
{
	struct ical_event	*ev = NULL, **evs;
	const struct ical_prop	*pr, *uid = NULL, *rid = NULL, *status = NULL;
	const struct ical_prop	*cls = NULL;
	size_t			 i, cap;
	char			*v;

	for (i = 0; i < p->nprops; i++) {
		pr = &p->props[i];
		if (strcmp(pr->name, "UID") == 0 && uid == NULL)
			uid = pr;
		else if (strcmp(pr->name, "RECURRENCE-ID") == 0 && rid == NULL)
			rid = pr;
		else if (strcmp(pr->name, "STATUS") == 0 && status == NULL)
			status = pr;
		else if (strcmp(pr->name, "CLASS") == 0 && cls == NULL)
			cls = pr;
	}
	/* A directory is public: private events are not for it. */
	if (cls != NULL && (strcasecmp(cls->value, "PRIVATE") == 0 ||
	    strcasecmp(cls->value, "CONFIDENTIAL") == 0)) {
		if (p->nprivate++ == 0)
			p->private_line = p->evline;
		goto done;
	}
	if (p->nevents >= ICAL_MAX_EVENTS) {
		if (!p->events_full++)
			ical_warn(p, p->evline, "the calendar has more than %d "
			    "events; the rest were left out", ICAL_MAX_EVENTS);
		goto done;
	}
	/* A series past max_items would never be emitted: do not keep it. */
	if (rid == NULL && p->in->max_items > 0 &&
	    p->nseries >= p->in->max_items) {
		p->series_full = 1;
		goto done;
	}

	if ((ev = calloc(1, sizeof *ev)) == NULL) {
		p->oom = 1;
		goto done;
	}
	ev->line = p->evline;
	ev->order = p->nevents;
	ev->cancelled = cal->cancel || (status != NULL &&
	    strcasecmp(status->value, "CANCELLED") == 0);
	if (uid != NULL && (v = ical_unescape(p, uid->value,
	    strlen(uid->value))) != NULL) {
		ev->uid = ical_clean(p, v, strlen(v));
		free(v);
		if (ev->uid != NULL && *ev->uid == '\0') {
			free(ev->uid);
			ev->uid = NULL;
		}
	}
	if (ev->uid == NULL && p->nnouid++ == 0)
		p->nouid_line = p->evline;
	ev->override = rid != NULL;
	ical_series(p, cal, ev);
	if (p->oom || ev->role == -1)
		goto done;

	if (p->nevents == p->capevents) {
		cap = p->capevents == 0 ? 64 : p->capevents * 2;
		if ((evs = realloc(p->events, cap * sizeof *evs)) == NULL) {
			p->oom = 1;
			goto done;
		}
		p->events = evs;
		p->capevents = cap;
	}
	p->events[p->nevents++] = ev;
	if (!ev->override)
		p->nseries++;
	ev = NULL;
done:
	if (ev != NULL)
		ical_event_free(ev);
	ical_props_clear(p);
}

/*
 * Reads an event's fields, times and schedule into `ev`.  An event that
 * cannot be used (no DTSTART, a DTSTART that is no date, a RECURRENCE-ID
 * that is no date) gets a warning and ev->role -1.
 */
static void
ical_series(struct ical_parse *p, struct ical_cal *cal, struct ical_event *ev)
{
	const struct ical_prop	*pr, *dtstart = NULL, *rid = NULL;
	const struct ical_map	*m;
	struct ical_time	 t, r;
	char			 out[FEEDUTIL_DATE_MAX];
	size_t			 i, k;
	const char		*range;

	for (i = 0; i < p->nprops; i++) {
		pr = &p->props[i];
		if (strcmp(pr->name, "DTSTART") == 0 && dtstart == NULL)
			dtstart = pr;
		else if (strcmp(pr->name, "RECURRENCE-ID") == 0 && rid == NULL)
			rid = pr;
	}

	/* Which instance an override replaces. */
	if (rid != NULL) {
		if (ical_time(p, cal, rid, rid->value, strlen(rid->value),
		    &r) == -1) {
			ical_warn(p, rid->line, "the RECURRENCE-ID \"%.*s\" is "
			    "not a date: the changed instance was left out",
			    ICAL_Q(rid->value));
			ev->role = -1;
			return;
		}
		ical_time_format(&r, out, sizeof out);
		if ((ev->rid = strdup(out)) == NULL) {
			p->oom = 1;
			return;
		}
		ev->rid_epoch = r.epoch;
		range = ical_param(rid, "RANGE");
		if (range != NULL && strcasecmp(range, "THISANDFUTURE") == 0) {
			ev->future = 1;
			ical_warn(p, rid->line, "RANGE=THISANDFUTURE: read as "
			    "a change to this one instance only");
		}
	}

	if (dtstart == NULL && !(ev->cancelled && rid == NULL)) {
		if (rid != NULL) {
			/* An override keeps its instance's time. */
			ev->start_epoch = ev->rid_epoch;
			ev->has_start = 1;
		} else {
			ical_warn(p, ev->line, "left out an event without a "
			    "DTSTART");
			ev->role = -1;
			return;
		}
	}
	if (dtstart != NULL) {
		if (ical_time(p, cal, dtstart, dtstart->value,
		    strlen(dtstart->value), &t) == -1) {
			if (ev->cancelled && rid == NULL)
				goto fields;
			ical_warn(p, dtstart->line, "the DTSTART \"%.*s\" is "
			    "not a date: the event was left out",
			    ICAL_Q(dtstart->value));
			ev->role = -1;
			return;
		}
		if (ical_schedule(p, cal, ev, dtstart, &t) == -1)
			return;
	}

fields:
	for (i = 0; i < p->nprops && !p->oom; i++) {
		pr = &p->props[i];
		m = NULL;
		for (k = 0; k < sizeof ical_event_map /
		    sizeof ical_event_map[0]; k++)
			if (strcmp(pr->name, ical_event_map[k].name) == 0) {
				m = &ical_event_map[k];
				break;
			}
		if (m != NULL)
			ical_convert(p, cal, ev, pr, m);
		else if (strncmp(pr->name, "X-DAYHUB-", 9) == 0)
			ical_dayhub_unknown(p, pr);
	}
	if (ev->cancelled && !ev->override)
		ical_put(p, ev, "state", "deleted", 7, 2, 0);
}

/*
 * The times of an event whose DTSTART (property `dtstart`) reads as
 * `start`: start, end, timezone, and the schedule (RRULE, RDATE, EXDATE,
 * duration).  Returns 0, or -1 when memory ran out.
 */
static int
ical_schedule(struct ical_parse *p, struct ical_cal *cal,
    struct ical_event *ev, const struct ical_prop *dtstart,
    const struct ical_time *start)
{
	const struct ical_prop	*pr, *dtend = NULL, *dur = NULL;
	const struct ical_prop	*rrule = NULL;
	struct ical_time	 t = *start, e;
	char			 out[FEEDUTIL_DATE_MAX], *d;
	long			 secs = -1, days;
	size_t			 i;

	for (i = 0; i < p->nprops; i++) {
		pr = &p->props[i];
		if (strcmp(pr->name, "DTEND") == 0 && dtend == NULL)
			dtend = pr;
		else if (strcmp(pr->name, "DURATION") == 0 && dur == NULL)
			dur = pr;
		else if (strcmp(pr->name, "RRULE") == 0) {
			if (rrule != NULL) {
				ical_warn(p, pr->line, "left out a second "
				    "RRULE: a record holds one rule");
				continue;
			}
			rrule = pr;
		}
	}

	ical_time_format(&t, out, sizeof out);
	ical_put(p, ev, "start", out, strlen(out), 2, 0);
	if ((ev->start = strdup(out)) == NULL) {
		p->oom = 1;
		return -1;
	}
	ev->start_epoch = t.epoch;
	ev->has_start = 1;
	if (t.kind == ICAL_T_ZONED && t.zone->iana != NULL)
		ical_put(p, ev, "timezone", t.zone->iana, strlen(t.zone->iana),
		    2, 0);
	else if (t.kind == ICAL_T_FLOAT || t.kind == ICAL_T_DATE)
		ical_floating(p, cal, ev, t.kind == ICAL_T_FLOAT ?
		    dtstart->line : 0);

	/* How long: DTEND less DTSTART, else DURATION. */
	if (dtend != NULL) {
		if (ical_time(p, cal, dtend, dtend->value, strlen(dtend->value),
		    &e) == -1)
			ical_warn(p, dtend->line, "left out the DTEND "
			    "\"%.*s\": not a date", ICAL_Q(dtend->value));
		else if ((e.kind == ICAL_T_DATE) != (t.kind == ICAL_T_DATE))
			ical_warn(p, dtend->line, "left out the DTEND "
			    "\"%.*s\": a date and a time cannot be mixed",
			    ICAL_Q(dtend->value));
		else if (e.epoch < t.epoch)
			ical_warn(p, dtend->line, "left out the DTEND "
			    "\"%.*s\": it is before the DTSTART",
			    ICAL_Q(dtend->value));
		else
			secs = (long)(e.epoch - t.epoch);
	} else if (dur != NULL) {
		if (ical_duration(dur->value, &secs) == -1 || secs < 0) {
			ical_warn(p, dur->line, "left out the DURATION "
			    "\"%.*s\": not a duration such as PT2H",
			    ICAL_Q(dur->value));
			secs = -1;
		}
	}

	if (t.kind == ICAL_T_DATE) {
		/*
		 * All day: iCalendar's end is exclusive, the record's is the
		 * last day; no end at all, or an empty one, is one day.
		 */
		days = secs <= 0 ? 1 : (secs + 86399) / 86400;
		secs = days * 86400;
		e = t;
		ical_time_add(&e, (days - 1) * 86400);
		ical_time_format(&e, out, sizeof out);
	} else if (secs > 0) {
		e = t;
		ical_time_add(&e, secs);
		ical_time_format(&e, out, sizeof out);
	} else
		out[0] = '\0';
	if (out[0] != '\0') {
		ical_put(p, ev, "end", out, strlen(out), 2, 0);
		if ((ev->end = strdup(out)) == NULL) {
			p->oom = 1;
			return -1;
		}
	}

	/* The schedule. */
	if (rrule != NULL) {
		if (!ical_rule_ok(rrule->value, 0))
			ical_warn(p, rrule->line, "left out the RRULE "
			    "\"%.*s\": not a rule libical can read",
			    ICAL_Q(rrule->value));
		else {
			ical_put(p, ev, "schedule.rrule", rrule->value,
			    strlen(rrule->value), 2, 0);
			ev->recurring = 1;
		}
	}
	for (i = 0; i < p->nprops && !p->oom; i++) {
		pr = &p->props[i];
		if (strcmp(pr->name, "RDATE") == 0) {
			ical_dates(p, cal, ev, pr, "schedule.rdates");
			ev->recurring = 1;
		}
	}
	for (i = 0; i < p->nprops && !p->oom; i++) {
		pr = &p->props[i];
		if (strcmp(pr->name, "EXDATE") == 0)
			ical_dates(p, cal, ev, pr, "schedule.exdates");
	}
	if (ev->recurring && secs > 0) {
		if ((d = ical_duration_text(secs)) == NULL) {
			p->oom = 1;
			return -1;
		}
		ical_put_owned(p, ev, "schedule.duration", d, 2, 0);
	}
	if (ev->recurring && t.kind == ICAL_T_UTC)
		/* A rule from a UTC start recurs in UTC (RFC 5545, 3.3.10). */
		ical_put(p, ev, "timezone", "UTC", 3, 2, 0);
	return p->oom ? -1 : 0;
}

/*
 * Floating times and dates are read in the calendar's X-WR-TIMEZONE when
 * it names one; `line`, when not 0, is a floating time that used it.
 */
static void
ical_floating(struct ical_parse *p, struct ical_cal *cal,
    struct ical_event *ev, unsigned long line)
{
	if (cal->floatzone == NULL)
		return;
	ical_put(p, ev, "timezone", cal->floatzone, strlen(cal->floatzone), 1,
	    0);
	if (line != 0 && !p->float_warned++)
		ical_warn(p, line, "times without a zone (no TZID, no Z) were "
		    "read in the calendar's X-WR-TIMEZONE, %s", cal->floatzone);
}

/* Adds each date of an EXDATE or RDATE property to the list `field`. */
static void
ical_dates(struct ical_parse *p, struct ical_cal *cal, struct ical_event *ev,
    const struct ical_prop *pr, const char *field)
{
	struct ical_time	 t;
	const char		*s, *next, *slash;
	char			 out[FEEDUTIL_DATE_MAX];
	size_t			 n;

	for (s = pr->value; s != NULL && !p->oom; s = next) {
		next = ical_comma(s, &n);
		/* A PERIOD is read by its start. */
		if ((slash = memchr(s, '/', n)) != NULL)
			n = (size_t)(slash - s);
		if (ical_time(p, cal, pr, s, n, &t) == -1) {
			ical_warn(p, pr->line, "left out the %s \"%.*s\": not "
			    "a date", pr->name, ical_quote_len(s, n), s);
			continue;
		}
		ical_time_format(&t, out, sizeof out);
		ical_put(p, ev, field, out, strlen(out), 0, 1);
	}
}

/* Turns one property into values of the record, as its table row says. */
static void
ical_convert(struct ical_parse *p, struct ical_cal *cal, struct ical_event *ev,
    const struct ical_prop *pr, const struct ical_map *m)
{
	struct ical_time	 t;
	const char		*s, *e, *sep, *next, *fmt;
	char			 out[FEEDUTIL_DATE_MAX], *v = NULL, *w;
	size_t			 n;
	double			 lat, lon;

	switch (m->conv) {
	case ICAL_TEXT:
	case ICAL_RAW:
	case ICAL_EMAIL:
		if ((w = ical_unescape(p, pr->value, strlen(pr->value))) ==
		    NULL)
			return;
		if (m->conv == ICAL_TEXT && feedutil_looks_like_html(w,
		    strlen(w)) && (v = feedutil_html_to_text(w, strlen(w),
		    FEEDUTIL_MAX_FIELD)) != NULL) {
			free(w);
			w = v;
		}
		v = ical_clean(p, w, strlen(w));
		free(w);
		if (v == NULL)
			return;
		s = v;
		if (m->conv == ICAL_EMAIL && strncasecmp(s, "mailto:", 7) == 0)
			s += 7;
		ical_put(p, ev, m->field, s, strlen(s), m->prio, m->list);
		free(v);
		return;
	case ICAL_LONG:
		if ((w = ical_unescape(p, pr->value, strlen(pr->value))) ==
		    NULL)
			return;
		fmt = ical_param(pr, "FMTTYPE");
		if (fmt != NULL && strncasecmp(fmt, "text/html", 9) != 0 &&
		    strncasecmp(fmt, "text/plain", 10) != 0) {
			free(w);
			return;
		}
		if ((v = feedutil_html_to_text(w, strlen(w),
		    FEEDUTIL_MAX_TEXT)) == NULL)
			p->oom = 1;
		free(w);
		ical_put_owned(p, ev, m->field, v, m->prio, m->list);
		return;
	case ICAL_URL:
		if ((w = ical_clean(p, pr->value, strlen(pr->value))) == NULL)
			return;
		if (*w != '\0') {
			v = feedutil_url_resolve(w, p->in->base_url);
			if (v != NULL && strlen(v) > FEEDUTIL_MAX_FIELD) {
				free(v);
				v = NULL;
			}
			if (v == NULL)
				ical_warn(p, pr->line, "left out the %s "
				    "\"%.*s\": not an absolute http, https, "
				    "mailto or tel URL", pr->name, ICAL_Q(w));
			ical_put_owned(p, ev, m->field, v, m->prio, m->list);
		}
		free(w);
		return;
	case ICAL_LIST:
		for (s = pr->value; s != NULL && !p->oom; s = next) {
			next = ical_comma(s, &n);
			if ((w = ical_unescape(p, s, n)) == NULL)
				return;
			ical_put_owned(p, ev, m->field, ical_clean(p, w,
			    strlen(w)), m->prio, m->list);
			free(w);
		}
		return;
	case ICAL_TERMS:
		/* "wheelchair, bsl" or "wheelchair\,bsl": both are two. */
		if ((w = ical_unescape(p, pr->value, strlen(pr->value))) ==
		    NULL)
			return;
		for (s = w; s != NULL && !p->oom; s = next) {
			n = strcspn(s, ",");
			next = s[n] == ',' ? s + n + 1 : NULL;
			ical_put_owned(p, ev, m->field, ical_clean(p, s, n),
			    m->prio, m->list);
		}
		free(w);
		return;
	case ICAL_LOCATION:
		if ((w = ical_unescape(p, pr->value, strlen(pr->value))) ==
		    NULL)
			return;
		/* "Name, the address": the name is what comes first. */
		sep = w + strcspn(w, ",\n");
		for (e = sep; e > w && ical_is_space(e[-1]); e--)
			;
		ical_put_owned(p, ev, "location.name", ical_clean(p, w,
		    (size_t)(e - w)), m->prio, 0);
		if (*sep != '\0')
			ical_put_owned(p, ev, "location.address", ical_clean(p,
			    sep + 1, strlen(sep + 1)), m->prio, 0);
		free(w);
		return;
	case ICAL_GEO:
		/* "lat;lon"; a comma between them is forgiven. */
		s = pr->value;
		sep = s + strcspn(s, ";,");
		if (*sep == '\0' || feedutil_decimal_parse(s, (size_t)(sep - s),
		    &lat) == -1 || feedutil_decimal_parse(sep + 1,
		    strlen(sep + 1), &lon) == -1 || lat < -90 || lat > 90 ||
		    lon < -180 || lon > 180) {
			ical_warn(p, pr->line, "left out the GEO \"%.*s\": not "
			    "a latitude and longitude in range", ICAL_Q(s));
			return;
		}
		ical_put(p, ev, "location.lat", s, (size_t)(sep - s), m->prio,
		    0);
		ical_put(p, ev, "location.lon", sep + 1, strlen(sep + 1),
		    m->prio, 0);
		return;
	case ICAL_ORGANIZER:
		if ((s = ical_param(pr, "CN")) != NULL)
			ical_put_owned(p, ev, "organiser.name", ical_clean(p, s,
			    strlen(s)), m->prio, 0);
		if ((v = ical_clean(p, pr->value, strlen(pr->value))) == NULL)
			return;
		if (strncasecmp(v, "mailto:", 7) == 0 && strchr(v, '@') != NULL)
			ical_put(p, ev, "organiser.email", v + 7, strlen(v + 7),
			    m->prio, 0);
		free(v);
		return;
	case ICAL_STAMP:
		if (ical_time(p, cal, pr, pr->value, strlen(pr->value),
		    &t) == -1) {
			ical_warn(p, pr->line, "left out the %s \"%.*s\": not "
			    "a date", pr->name, ICAL_Q(pr->value));
			return;
		}
		ical_time_format(&t, out, sizeof out);
		ical_put(p, ev, m->field, out, strlen(out), m->prio, m->list);
		return;
	}
}

/* Warns about an X-DAYHUB- property dayhub does not define, once a name. */
static void
ical_dayhub_unknown(struct ical_parse *p, const struct ical_prop *pr)
{
	size_t	i;

	for (i = 0; i < p->nwarned; i++)
		if (strncmp(p->warned[i], pr->name, ICAL_WARNED_NAME - 1) == 0)
			return;
	if (p->nwarned == ICAL_MAX_WARNED)
		return;
	ical_warned_copy(p->warned[p->nwarned++], pr->name);
	for (i = 0; i < sizeof ical_dh_native / sizeof ical_dh_native[0]; i++)
		if (strcmp(pr->name, ical_dh_native[i].name) == 0) {
			ical_warn(p, pr->line, "left out %s: iCalendar says "
			    "this with %s", pr->name,
			    ical_dh_native[i].instead);
			return;
		}
	ical_warn(p, pr->line, "left out %.*s, which dayhub's extension does "
	    "not define", ICAL_Q(pr->name));
}

/* --- times --- */

/*
 * Reads `n` bytes of `s`, a DATE or DATE-TIME value of property `pr`,
 * resolving its TZID in `cal`.  Returns 0, or -1 when it is not a date
 * (no warning: the caller says what it leaves out).
 */
static int
ical_time(struct ical_parse *p, struct ical_cal *cal,
    const struct ical_prop *pr, const char *s, size_t n, struct ical_time *t)
{
	const char	*tzid;

	while (n > 0 && ical_is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && ical_is_space(s[n - 1]))
		n--;
	if (ical_time_read(s, n, t) == -1)
		return -1;
	if (t->kind == ICAL_T_FLOAT && (tzid = ical_param(pr, "TZID")) !=
	    NULL && *tzid != '\0') {
		if ((t->zone = ical_zone_get(p, cal, tzid, pr->line)) == NULL)
			return -1;
		t->kind = ICAL_T_ZONED;
	}
	ical_time_epoch(t);
	return 0;
}

/*
 * Reads YYYYMMDD, or YYYYMMDDTHHMMSS with an optional Z (and, forgiven,
 * the ISO 8601 extended forms 2026-12-01 and 10:00:00, and a time
 * without seconds).  Checks every part's range and the host's years.
 */
static int
ical_time_read(const char *s, size_t n, struct ical_time *t)
{
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	const char	*e = s + n;
	int		 v[6], i, j, width, leap;

	memset(t, 0, sizeof *t);
	for (i = 0; i < 3; i++) {
		width = i == 0 ? 4 : 2;
		if (i > 0 && s < e && *s == '-')
			s++;
		for (v[i] = 0, j = 0; j < width; j++, s++) {
			if (s >= e || *s < '0' || *s > '9')
				return -1;
			v[i] = v[i] * 10 + (*s - '0');
		}
	}
	t->year = v[0];
	t->month = v[1];
	t->day = v[2];
	if (t->year < ICAL_MIN_YEAR || t->year > ICAL_MAX_YEAR ||
	    t->month < 1 || t->month > 12)
		return -1;
	leap = (t->year % 4 == 0 && t->year % 100 != 0) || t->year % 400 == 0;
	if (t->day < 1 || t->day > mdays[t->month - 1] + (t->month == 2 &&
	    leap))
		return -1;
	/* A date with a Z, as some exports write it, is a date still. */
	if (s == e || (s + 1 == e && (*s == 'Z' || *s == 'z'))) {
		t->kind = ICAL_T_DATE;
		return 0;
	}
	if (*s != 'T' && *s != 't')
		return -1;
	s++;
	for (i = 3; i < 6; i++) {
		if (i > 3 && s < e && *s == ':')
			s++;
		if (i == 5 && (s == e || *s == 'Z' || *s == 'z')) {
			v[5] = 0;
			break;
		}
		for (v[i] = 0, j = 0; j < 2; j++, s++) {
			if (s >= e || *s < '0' || *s > '9')
				return -1;
			v[i] = v[i] * 10 + (*s - '0');
		}
	}
	if (v[3] > 23 || v[4] > 59 || v[5] > 60)
		return -1;
	t->hour = v[3];
	t->minute = v[4];
	t->second = v[5] == 60 ? 59 : v[5];
	t->kind = ICAL_T_FLOAT;
	if (s < e && (*s == 'Z' || *s == 'z')) {
		t->kind = ICAL_T_UTC;
		s++;
	}
	return s == e ? 0 : -1;
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar. */
static long
ical_days(int y, int m, int d)
{
	long	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Sets t->epoch: the instant, or for a floating time its fields as UTC. */
static void
ical_time_epoch(struct ical_time *t)
{
	t->epoch = (time_t)ical_days(t->year, t->month, t->day) * 86400 +
	    t->hour * 3600 + t->minute * 60 + t->second;
	if (t->kind == ICAL_T_ZONED)
		t->epoch -= ical_offset(t);
}

/*
 * The offset from UTC, in seconds, of a zoned local time in its zone;
 * libical knows the zone's summer time rules.
 */
static int
ical_offset(const struct ical_time *t)
{
	struct icaltimetype	tt = icaltime_null_time();
	int			dst = 0;

	if (t->kind != ICAL_T_ZONED || t->zone == NULL || t->zone->zone == NULL)
		return 0;
	tt.year = t->year;
	tt.month = t->month;
	tt.day = t->day;
	tt.hour = t->hour;
	tt.minute = t->minute;
	tt.second = t->second;
	return icaltimezone_get_utc_offset(t->zone->zone, &tt, &dst);
}

/* Moves a time by `secs`: an instant for zoned and UTC times, else fields. */
static void
ical_time_add(struct ical_time *t, long secs)
{
	struct icaltimetype	 tt = icaltime_null_time();
	time_t			 at;
	struct tm		 tm;
	int			 off = 0, dst = 0;

	if (t->kind == ICAL_T_ZONED) {
		/* The new instant, seen in the zone. */
		at = t->epoch + secs;
		if (gmtime_r(&at, &tm) == NULL)
			return;
		tt.year = tm.tm_year + 1900;
		tt.month = tm.tm_mon + 1;
		tt.day = tm.tm_mday;
		tt.hour = tm.tm_hour;
		tt.minute = tm.tm_min;
		tt.second = tm.tm_sec;
		tt.zone = icaltimezone_get_utc_timezone();
		if (t->zone != NULL && t->zone->zone != NULL)
			off = icaltimezone_get_utc_offset_of_utc_time(
			    t->zone->zone, &tt, &dst);
		at += off;
	} else
		at = t->epoch + secs;
	if (gmtime_r(&at, &tm) == NULL)
		return;
	t->year = tm.tm_year + 1900;
	t->month = tm.tm_mon + 1;
	t->day = tm.tm_mday;
	t->hour = tm.tm_hour;
	t->minute = tm.tm_min;
	t->second = tm.tm_sec;
	t->epoch += secs;
}

/* Writes a time as the record wants it (see the top of the file). */
static void
ical_time_format(const struct ical_time *t, char *out, size_t len)
{
	int	off, a;

	switch (t->kind) {
	case ICAL_T_DATE:
		snprintf(out, len, "%04d-%02d-%02d", t->year, t->month, t->day);
		break;
	case ICAL_T_FLOAT:
		snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d", t->year,
		    t->month, t->day, t->hour, t->minute, t->second);
		break;
	case ICAL_T_UTC:
	case ICAL_T_ZONED:
		off = ical_offset(t);
		a = off < 0 ? -off : off;
		snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
		    t->year, t->month, t->day, t->hour, t->minute, t->second,
		    off < 0 ? '-' : '+', a / 3600 % 100, a / 60 % 60);
		break;
	}
}

/* An ISO 8601 duration ("PT2H", "P1D") of `secs`, from libical. */
static char *
ical_duration_text(long secs)
{
	struct icaldurationtype	 d;
	char			*s, *r;

	if (secs > INT_MAX)
		secs = INT_MAX;
	d = icaldurationtype_from_int((int)secs);
	if ((s = icaldurationtype_as_ical_string_r(d)) == NULL)
		return NULL;
	r = strdup(s);
	icalmemory_free_buffer(s);
	return r;
}

/* Reads a DURATION with libical into seconds.  Returns 0 or -1. */
static int
ical_duration(const char *s, long *secs)
{
	struct icaldurationtype	 d;
	char			 buf[64];
	size_t			 n;

	while (ical_is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && ical_is_space(s[n - 1]))
		n--;
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	d = icaldurationtype_from_string(buf);
	if (icaldurationtype_is_bad_duration(d))
		return -1;
	*secs = (long)icaldurationtype_as_int(d);
	return 0;
}

/* --- text --- */

/*
 * Undoes iCalendar's TEXT escapes in `len` bytes of `s`: \n and \N are a
 * line break, \, \; and \\ the character; another backslash stays.
 */
static char *
ical_unescape(struct ical_parse *p, const char *s, size_t len)
{
	char	*out, *w;
	size_t	 i;

	if ((out = malloc(len + 1)) == NULL) {
		p->oom = 1;
		return NULL;
	}
	for (i = 0, w = out; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			i++;
			if (s[i] == 'n' || s[i] == 'N')
				*w++ = '\n';
			else if (s[i] == ',' || s[i] == ';' || s[i] == '\\')
				*w++ = s[i];
			else {
				*w++ = '\\';
				*w++ = s[i];
			}
		} else
			*w++ = s[i];
	}
	*w = '\0';
	return out;
}

/*
 * The length of the part of a comma list that starts at `s` (in *len),
 * and where the next part starts, or NULL after the last: an escaped
 * comma does not split.
 */
static const char *
ical_comma(const char *s, size_t *len)
{
	const char	*e;

	for (e = s; *e != '\0' && *e != ','; e++)
		if (*e == '\\' && e[1] != '\0')
			e++;
	*len = (size_t)(e - s);
	return *e == ',' ? e + 1 : NULL;
}

/* One line of clean text, or NULL (and p->oom) when memory ran out. */
static char *
ical_clean(struct ical_parse *p, const char *s, size_t len)
{
	char	*v;

	if ((v = feedutil_text_clean(s, len, FEEDUTIL_MAX_FIELD)) == NULL)
		p->oom = 1;
	return v;
}

/* --- the record's values --- */

/* Copies a value into the event (see ical_put_owned()). */
static void
ical_put(struct ical_parse *p, struct ical_event *ev, const char *field,
    const char *s, size_t len, int prio, int list)
{
	char	*v;

	if ((v = malloc(len + 1)) == NULL) {
		p->oom = 1;
		return;
	}
	memcpy(v, s, len);
	v[len] = '\0';
	ical_put_owned(p, ev, field, v, prio, list);
}

/*
 * Adds a value the event now owns.  An empty one is dropped; in a list,
 * so is a repeat, and anything past ICAL_MAX_LIST (with one warning); in
 * a single field, the value stays only if its priority beats the one
 * there.
 */
static void
ical_put_owned(struct ical_parse *p, struct ical_event *ev, const char *field,
    char *v, int prio, int list)
{
	struct ical_value	*x;
	size_t			 i, count = 0, cap;

	if (v == NULL || *v == '\0') {
		free(v);
		return;
	}
	for (i = 0; i < ev->nvalues; i++) {
		x = &ev->values[i];
		if (strcmp(x->field, field) != 0)
			continue;
		if (list) {
			if (strcmp(x->value, v) == 0) {
				free(v);
				return;
			}
			if (++count >= ICAL_MAX_LIST) {
				if (!ev->values_warned++)
					ical_warn(p, ev->line, "an event has "
					    "more than %d %s; the rest were "
					    "left out", ICAL_MAX_LIST, field);
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
	if (ev->nvalues == ICAL_MAX_VALUES) {
		if (!ev->values_warned++)
			ical_warn(p, ev->line, "an event has more than %d "
			    "values; the rest were left out", ICAL_MAX_VALUES);
		free(v);
		return;
	}
	if (ev->nvalues == ev->capvalues) {
		cap = ev->capvalues == 0 ? 16 : ev->capvalues * 2;
		if ((x = realloc(ev->values, cap * sizeof *x)) == NULL) {
			p->oom = 1;
			free(v);
			return;
		}
		ev->values = x;
		ev->capvalues = cap;
	}
	x = &ev->values[ev->nvalues++];
	x->field = field;
	x->value = v;
	x->len = strlen(v);
	x->prio = prio;
}

/* Sets a single field whatever was there, or removes it for NULL. */
static void
ical_replace(struct ical_parse *p, struct ical_event *ev, const char *field,
    const char *v)
{
	size_t	i;

	for (i = 0; i < ev->nvalues; i++) {
		if (strcmp(ev->values[i].field, field) != 0)
			continue;
		free(ev->values[i].value);
		ev->values[i] = ev->values[--ev->nvalues];
		break;
	}
	if (v != NULL)
		ical_put(p, ev, field, v, strlen(v), 3, 0);
}

static void
ical_event_free(struct ical_event *ev)
{
	size_t	i;

	for (i = 0; i < ev->nvalues; i++)
		free(ev->values[i].value);
	free(ev->values);
	free(ev->uid);
	free(ev->rid);
	free(ev->start);
	free(ev->end);
	free(ev);
}

/* --- series --- */

/*
 * Puts each override with its series (the event of the same UID without
 * a RECURRENCE-ID), applies it, and emits the series in the order of the
 * file.  Instances whose series is not in the calendar make one event of
 * their own.  Returns DAYHUB_OK (also when the host said stop).
 */
static int
ical_group(struct ical_parse *p)
{
	struct ical_event	**by = NULL, *ev, *series;
	size_t			  i, j, k, n = p->nevents;

	if (n == 0)
		goto warn;
	if ((by = malloc(n * sizeof *by)) == NULL) {
		p->oom = 1;
		return DAYHUB_ERROR;
	}
	memcpy(by, p->events, n * sizeof *by);
	qsort(by, n, sizeof *by, ical_uid_cmp);

	for (i = 0; i < n; i = j) {
		/* One UID: events i..j-1, in file order. */
		for (j = i + 1; j < n && by[i]->uid != NULL && by[j]->uid !=
		    NULL && strcmp(by[i]->uid, by[j]->uid) == 0; j++)
			;
		series = NULL;
		for (k = i; k < j; k++) {
			ev = by[k];
			if (ev->override)
				continue;
			if (series == NULL) {
				series = ev;
				ev->role = ICAL_ROLE_SERIES;
			} else
				ical_warn(p, ev->line, "left out a second "
				    "event with the UID \"%.*s\" (the first is "
				    "on line %lu)", ICAL_Q(ev->uid),
				    series->line);
		}
		if (series == NULL && !p->series_full) {
			/* Changed instances alone: the first is the event. */
			for (k = i; k < j; k++)
				if (!by[k]->cancelled)
					break;
			if (k == j)
				continue;
			series = by[k];
			series->role = ICAL_ROLE_SERIES;
			series->override = 0;
			ical_warn(p, series->line, "changed instances of the "
			    "series \"%.*s\" are in the calendar without the "
			    "series itself: read as one event",
			    ICAL_Q(series->uid != NULL ? series->uid : ""));
		}
		if (series == NULL || series->cancelled)
			continue;
		for (k = i; k < j && !p->oom; k++)
			if (by[k]->override && by[k] != series)
				ical_apply(p, series, by[k]);
	}
	free(by);
	if (p->oom)
		return DAYHUB_ERROR;

warn:
	if (p->nprivate > 0)
		ical_warn(p, p->private_line, "left out %zu private event%s "
		    "(CLASS:PRIVATE or CONFIDENTIAL)", p->nprivate,
		    p->nprivate == 1 ? "" : "s");
	if (p->nnouid > 0)
		ical_warn(p, p->nouid_line, "%zu event%s no UID: the host "
		    "tells %s apart by link, or by title and start", p->nnouid,
		    p->nnouid == 1 ? " has" : "s have",
		    p->nnouid == 1 ? "it" : "them");
	if (p->ndetails > 0)
		ical_warn(p, p->details_line, "%zu changed instance%s details "
		    "(such as the title or the place) that a series cannot "
		    "hold per instance: the series' own were kept",
		    p->ndetails, p->ndetails == 1 ? " alters" : "s alter");
	if (p->badlines > ICAL_MAX_BADLINES)
		ical_warn(p, 0, "left out %zu more lines that were not "
		    "iCalendar lines", p->badlines - ICAL_MAX_BADLINES);

	for (i = 0; i < n; i++)
		if (p->events[i]->role == ICAL_ROLE_SERIES &&
		    ical_emit(p, p->events[i]) == DAYHUB_STOP)
			break;
	/*
	 * The host warns only when asked for a record past its limit, and
	 * series past max_items were never kept to ask with: say it here.
	 */
	if (p->series_full)
		ical_warn(p, 0, "stopped after %zu items: the feed is over the "
		    "limit", p->nrecords);
	return DAYHUB_OK;
}

/* Orders events by UID (none last, each apart), then by file order. */
static int
ical_uid_cmp(const void *a, const void *b)
{
	const struct ical_event	*x = *(const struct ical_event *const *)a;
	const struct ical_event	*y = *(const struct ical_event *const *)b;
	int			 c;

	if (x->uid != NULL && y->uid != NULL &&
	    (c = strcmp(x->uid, y->uid)) != 0)
		return c;
	if ((x->uid == NULL) != (y->uid == NULL))
		return x->uid == NULL ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Applies override `o` to `series`: a cancelled instance becomes an
 * exdate; a moved one an exdate of where it was and an rdate of where it
 * went (for a series that does not recur, the start simply moves).
 */
static void
ical_apply(struct ical_parse *p, struct ical_event *series,
    struct ical_event *o)
{
	int	moved;

	moved = o->has_start && o->start_epoch != o->rid_epoch;
	if (!series->recurring && series->has_start &&
	    o->rid_epoch == series->start_epoch) {
		if (o->cancelled)
			ical_replace(p, series, "state", "deleted");
		else if (moved && o->start != NULL) {
			ical_replace(p, series, "start", o->start);
			ical_replace(p, series, "end", o->end);
		}
		return;
	}
	if (o->cancelled) {
		ical_put(p, series, "schedule.exdates", o->rid, strlen(o->rid),
		    0, 1);
		return;
	}
	if (moved && o->start != NULL) {
		ical_put(p, series, "schedule.exdates", o->rid, strlen(o->rid),
		    0, 1);
		ical_put(p, series, "schedule.rdates", o->start,
		    strlen(o->start), 0, 1);
		return;
	}
	if (p->ndetails++ == 0)
		p->details_line = o->line;
}

/* Hands one series to the host as a record. */
static int
ical_emit(struct ical_parse *p, struct ical_event *ev)
{
	const struct dayhub_host	*h = p->host;
	size_t				 i;

	if (p->in->max_items > 0 && p->nrecords >= p->in->max_items)
		return DAYHUB_STOP;
	if (h->begin(p->sink) == DAYHUB_STOP)
		return DAYHUB_STOP;
	for (i = 0; i < ev->nvalues; i++) {
		/* DAYHUB_REJECT: the host has warned; the rest still goes. */
		if (h->set(p->sink, ev->values[i].field, ev->values[i].value,
		    ev->values[i].len) == DAYHUB_STOP)
			return DAYHUB_STOP;
	}
	p->nrecords++;
	if (h->end(p->sink) == DAYHUB_STOP)
		return DAYHUB_STOP;
	if (p->in->max_items > 0 && p->nrecords >= p->in->max_items)
		return DAYHUB_STOP;
	return DAYHUB_OK;
}

/* Tells the host what the calendar says about itself. */
static void
ical_feed_facts(struct ical_parse *p)
{
	char	buf[32];

	if (p->title != NULL && *p->title != '\0')
		p->host->feed(p->sink, "title", p->title, strlen(p->title));
	if (p->link != NULL && *p->link != '\0')
		p->host->feed(p->sink, "link", p->link, strlen(p->link));
	if (p->generator != NULL && *p->generator != '\0')
		p->host->feed(p->sink, "generator", p->generator,
		    strlen(p->generator));
	if (p->ttl > 0) {
		snprintf(buf, sizeof buf, "%ld", p->ttl);
		p->host->feed(p->sink, "ttl", buf, strlen(buf));
	}
}

/* Frees everything the parse holds. */
static void
ical_cleanup(struct ical_parse *p)
{
	struct ical_zone	*z;
	size_t			 i, k;

	for (i = 0; i < p->nevents; i++)
		ical_event_free(p->events[i]);
	free(p->events);
	for (i = 0; i < p->ncals; i++) {
		for (k = 0; k < p->cals[i].nzones; k++) {
			z = &p->cals[i].zones[k];
			if (z->own)
				icaltimezone_free(z->zone, 1);
			free(z->tzid);
			free(z->iana);
			free(z->note);
		}
		free(p->cals[i].floatzone);
		free(p->cals[i].floatraw);
	}
	free(p->cals);
	ical_props_clear(p);
	free(p->props);
	feedutil_buf_free(&p->ztext);
	free(p->text);
	free(p->linemap);
	free(p->folds);
	free(p->title);
	free(p->generator);
	free(p->link);
	free(p);
}

/* --- characters, without the locale --- */

static int
ical_isalnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

static int
ical_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static int
ical_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* How much of `n` bytes of `s` to quote: ICAL_QUOTE, on a character. */
static int
ical_quote_len(const char *s, size_t n)
{
	return (int)feedutil_utf8_cut(s, n, ICAL_QUOTE);
}
