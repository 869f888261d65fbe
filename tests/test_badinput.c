/*
 * test_badinput.c - hostile input through every format module: entity
 * bombs, external entities, 200,000-deep nesting, a 20 MiB text node,
 * 300,000 items, NUL and invalid bytes, a file cut short.  Each must end
 * within seconds and bounded memory with records and warnings or a clear
 * error; never a crash, a hang, or a leak of a local file's contents.
 *
 * One table, one row per module and case where the case fits the
 * module's syntax: XML (rss, atom, and xCal through ical) takes every
 * case (three RSS and Atom rows wait on a fix: see the table); iCalendar
 * text and JSON (openactive, and jsonld's bare JSON-LD
 * document, which is what its scripts hold) have no entities, so they
 * take the rest; a JSON row puts a local file's URL where JSON-LD names
 * remote things (@context, url) instead.  An HTML page (jsonld) has no
 * entity declarations (libxml2's HTML parser reads no internal subset),
 * so its rows are the rest too.  Every input is made here, in code, at
 * the sizes named above; each row states its outcome: an error holding
 * the given words, or at least N records with a warning holding them.
 *
 * The host is the real one: modules are loaded from
 * $DAYHUB_BUILDDIR/plugins/.libs with plugin_load_dir() and run by name
 * through record_parse(), as `dayhubctl parse` and the daemon's ingest
 * run them, so the host's caps are in play (FEED_MAX_ITEMS records, the
 * host's text and warning caps, FEED_MAX_DEPTH as the input's max_depth).
 * One cap is stepped past on purpose: the 20 MiB rows and the 300,000
 * item rows (27 to 62 MB) are over FEED_MAX_BYTES, the default
 * max-feed-size, which the fetcher and dayhubctl apply before
 * record_parse; but a spoke may be allowed up to FEED_CEILING_BYTES, and
 * then such bytes reach the module.
 *
 * Each row's input is made, then parsed in a child process, so a crash
 * or a sanitizer abort is a failed row that names itself, not a dead
 * test.  The parent reads the child's summary from a pipe, kills it past
 * BAD_MAX_SECONDS (a hang guard, not a speed target: speed is for the
 * benchmarks) or when its resident memory passes the row's bound (see
 * BAD_MEM_PER_BYTE), and takes its peak memory from wait4()'s rusage.
 * Under LeakSanitizer the child checks for leaks before it exits.  Each
 * row prints one line to stderr: module, syntax, case, outcome, records,
 * warnings, input size, peak MB and seconds; DAYHUB_BADINPUT_SHOW=1 adds
 * the error and the warnings kept.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>

#include "dayhub.h"

#if defined(__SANITIZE_ADDRESS__)
#define BAD_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BAD_LSAN 1
#endif
#endif
#ifdef BAD_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/* The sizes the bad-input rule names, and the entity bombs'. */
#define BAD_DEEP	200000			/* levels of nesting */
#define BAD_TEXT	(20 * 1024 * 1024)	/* bytes of one text node */
#define BAD_ITEMS	300000			/* items in one feed */
#define BAD_LAUGHS	10			/* billion laughs: 10^9 lols */
#define BAD_QUAD_TEXT	(100 * 1024)		/* quadratic: one entity ... */
#define BAD_QUAD_REFS	100000			/* ... referred to this often */
#define BAD_NORMAL	3			/* items around a bad one */

/*
 * Bounds on one row.  The hang guard is generous: the slowest row takes
 * about ten seconds under ASan, twenty when rows run side by side.
 * Memory is bounded as linear in the input (the readers build the whole
 * document, as libxml2 and jansson trees, before the first record): a
 * row may peak at BAD_MEM_BASE_MB, which holds the test process the
 * child starts as, plus BAD_MEM_PER_BYTE bytes for each byte of its
 * input.  That is generous too: the worst rows (300,000 items) peak near
 * 30 times their input under ASan, whose redzones and 256 MB quarantine
 * of freed memory add much, and near 14 times in a plain build; an
 * entity bomb's few kilobytes of input leave it only the base.
 */
#define BAD_MAX_SECONDS	60.0
#define BAD_MEM_BASE_MB	128
#define BAD_MEM_PER_BYTE 40
#define BAD_POLL_MS	100
#define BAD_SUMMARY_MAX	(1024 * 1024)	/* bytes a child may report */

#define BAD_BASE_URL	"https://spoke.example.org/feed"
#define BAD_TITLE_CUT	"Session three, whose title the download cuts short"

/* The ways of writing a feed the rows use. */
enum bad_syn {
	SYN_RSS,
	SYN_ATOM,
	SYN_XCAL,
	SYN_ICS,
	SYN_RPDE,
	SYN_JSONLD,
	SYN_HTML
};

enum bad_case {
	CASE_BILLION,	/* exponential entity expansion */
	CASE_QUADRATIC,	/* one big entity, referred to very often */
	CASE_EXTERNAL,	/* a local file named as an entity, DTD or URL */
	CASE_DEEP,	/* BAD_DEEP levels of nesting inside an item */
	CASE_TEXT,	/* BAD_TEXT bytes of text in one value */
	CASE_ITEMS,	/* BAD_ITEMS items */
	CASE_BYTES,	/* NULs and invalid UTF-8 in values */
	CASE_TRUNCATED	/* the file ends in the middle of an item */
};

static const char *const bad_case_names[] = {
	[CASE_BILLION] = "billion-laughs",
	[CASE_QUADRATIC] = "quadratic-blowup",
	[CASE_EXTERNAL] = "external-entity",
	[CASE_DEEP] = "nesting-200k",
	[CASE_TEXT] = "text-20MiB",
	[CASE_ITEMS] = "items-300k",
	[CASE_BYTES] = "nul-invalid-utf8",
	[CASE_TRUNCATED] = "truncated",
};

/*
 * One syntax, as pieces: an item is item_id, its number, item_title, its
 * title, item_body, the case's body, item_end; items are joined by sep.
 * An XML syntax names its root, for a DOCTYPE, and gets an XML
 * declaration before its head.
 */
struct bad_syntax {
	const char	*module;
	const char	*name;
	const char	*root;		/* XML root element, or NULL */
	const char	*head;
	const char	*item_id;
	const char	*item_title;
	const char	*item_body;
	const char	*item_end;
	const char	*sep;
	const char	*tail;
	const char	*nest_pre;	/* around BAD_DEEP levels */
	const char	*nest_open;
	const char	*nest_close;
	const char	*text_pre;	/* around a long or bad text */
	const char	*text_post;
	const char	*nul_ref;	/* a NUL written the syntax's own way */
	int		 fold;		/* iCalendar: lines folded at 75 */
};

static const struct bad_syntax bad_syntaxes[] = {
	[SYN_RSS] = {
		.module = "rss", .name = "rss", .root = "rss",
		.head = "<rss version=\"2.0\"><channel><title>Bad input"
		    "</title><link>https://spoke.example.org/</link>"
		    "<description>Hostile input</description>\n",
		.item_id = "<item><guid isPermaLink=\"false\">bad-",
		.item_title = "</guid><title>",
		.item_body = "</title>",
		.item_end = "</item>\n",
		.sep = "",
		.tail = "</channel></rss>\n",
		.nest_pre = "", .nest_open = "<x>", .nest_close = "</x>",
		.text_pre = "<description>", .text_post = "</description>",
		.nul_ref = "&#0;",
	},
	[SYN_ATOM] = {
		.module = "atom", .name = "atom", .root = "feed",
		.head = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>"
		    "Bad input</title><id>urn:bad:feed</id><updated>"
		    "2026-06-01T10:00:00Z</updated>\n",
		.item_id = "<entry><id>urn:bad:",
		.item_title = "</id><title>",
		.item_body = "</title><updated>2026-06-01T10:00:00Z</updated>",
		.item_end = "</entry>\n",
		.sep = "",
		.tail = "</feed>\n",
		.nest_pre = "", .nest_open = "<x>", .nest_close = "</x>",
		.text_pre = "<summary>", .text_post = "</summary>",
		.nul_ref = "&#0;",
	},
	[SYN_XCAL] = {
		.module = "ical", .name = "xcal", .root = "icalendar",
		.head = "<icalendar xmlns=\"urn:ietf:params:xml:ns:"
		    "icalendar-2.0\"><vcalendar><properties><prodid><text>"
		    "-//bad//EN</text></prodid><version><text>2.0</text>"
		    "</version></properties><components>\n",
		.item_id = "<vevent><properties><uid><text>bad-",
		.item_title = "</text></uid><summary><text>",
		.item_body = "</text></summary><dtstart><date-time>"
		    "2026-06-01T10:00:00Z</date-time></dtstart>",
		.item_end = "</properties></vevent>\n",
		.sep = "",
		.tail = "</components></vcalendar></icalendar>\n",
		.nest_pre = "", .nest_open = "<x>", .nest_close = "</x>",
		.text_pre = "<description><text>",
		.text_post = "</text></description>",
		/* &#0; is not well-formed, and xCal refuses what is not. */
		.nul_ref = "",
	},
	[SYN_ICS] = {
		.module = "ical", .name = "ics",
		.head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bad//EN"
		    "\r\n",
		.item_id = "BEGIN:VEVENT\r\nUID:bad-",
		.item_title = "\r\nSUMMARY:",
		.item_body = "\r\nDTSTART:20260601T100000Z\r\n",
		.item_end = "END:VEVENT\r\n",
		.sep = "",
		.tail = "END:VCALENDAR\r\n",
		.nest_pre = "", .nest_open = "BEGIN:X-DEEP\r\n",
		.nest_close = "END:X-DEEP\r\n",
		.text_pre = "DESCRIPTION:", .text_post = "\r\n",
		.nul_ref = "",
		.fold = 1,
	},
	[SYN_RPDE] = {
		.module = "openactive", .name = "rpde",
		.head = "{\"next\":\"https://spoke.example.org/feed?afterId="
		    "z\",\"license\":\"https://creativecommons.org/licenses/"
		    "by/4.0/\",\"items\":[\n",
		.item_id = "{\"state\":\"updated\",\"kind\":\"SessionSeries\","
		    "\"id\":\"bad-",
		.item_title = "\",\"modified\":1,\"data\":{\"@context\":"
		    "\"https://openactive.io/\",\"@type\":\"SessionSeries\","
		    "\"name\":\"",
		.item_body = "\",\"startDate\":\"2026-06-01T10:00:00Z\"",
		.item_end = "}}",
		.sep = ",\n",
		.tail = "]}\n",
		.nest_pre = ",\"x\":", .nest_open = "[", .nest_close = "]",
		.text_pre = ",\"description\":\"", .text_post = "\"",
		.nul_ref = "\\u0000",
	},
	[SYN_JSONLD] = {
		.module = "jsonld", .name = "json-ld",
		.head = "{\"@context\":\"https://schema.org\",\"@graph\":[\n",
		.item_id = "{\"@type\":\"Event\",\"@id\":"
		    "\"https://spoke.example.org/e/",
		.item_title = "\",\"name\":\"",
		.item_body = "\",\"startDate\":\"2026-06-01T10:00:00Z\"",
		.item_end = "}",
		.sep = ",\n",
		.tail = "]}\n",
		.nest_pre = ",\"x\":", .nest_open = "[", .nest_close = "]",
		.text_pre = ",\"description\":\"", .text_post = "\"",
		.nul_ref = "\\u0000",
	},
	[SYN_HTML] = {
		.module = "jsonld", .name = "html",
		.head = "<!DOCTYPE html>\n<html><head><title>Bad input</title>"
		    "</head><body>\n",
		.item_id = "<script type=\"application/ld+json\">{\"@context\":"
		    "\"https://schema.org\",\"@type\":\"Event\",\"@id\":"
		    "\"https://spoke.example.org/e/",
		.item_title = "\",\"name\":\"",
		.item_body = "\",\"startDate\":\"2026-06-01T10:00:00Z\"}"
		    "</script>\n<div>",
		.item_end = "</div>\n",
		.sep = "",
		.tail = "</body></html>\n",
		.nest_pre = "", .nest_open = "<div>", .nest_close = "</div>",
		.text_pre = "<p>", .text_post = "</p>",
		.nul_ref = "&#0;",
	},
};

/*
 * One row: the syntax and case, and the outcome it must have: an error
 * holding `words`, or (fails 0) at least min_records records and some
 * warning holding `words`, and another holding `also` when it is set;
 * or (fails 0, words NULL) at least min_records and no warning at all:
 * read whole, nothing to repair.
 */
struct bad_row {
	enum bad_syn	 syn;
	enum bad_case	 kase;
	int		 fails;
	const char	*words;
	size_t		 min_records;
	const char	*also;
};

#define BAD_ERROR(s, c, w)		{ (s), (c), 1, (w), 0, NULL }
#define BAD_READ(s, c, n, w)		{ (s), (c), 0, (w), (n), NULL }
#define BAD_READ2(s, c, n, w, a)	{ (s), (c), 0, (w), (n), (a) }
#define BAD_WHOLE(s, c, n)		{ (s), (c), 0, NULL, (n), NULL }

/* Warnings several rows assert. */
#define W_NUL		"control characters or NUL bytes"
#define W_UTF8		"replaced 11 invalid UTF-8 sequences with U+FFFD"
#define W_LIMIT		"stopped after 10000 items: the feed is over the limit"
#define W_LINE		"left out a DESCRIPTION line of more than 262144 bytes"
#define W_LINK		"not an absolute http, https, mailto or tel URL"
#define W_CUT		"description: longer than 65536 bytes: cut short"
#define W_CUT_ANY	"longer than 65536 bytes: cut short"
#define E_BOMB		"entity declarations expand without bound (an " \
			"entity bomb)"
#define E_DEEP		"elements are nested more than 256 deep"

static const struct bad_row bad_rows[] = {
	/* RSS */
	BAD_ERROR(SYN_RSS, CASE_BILLION, "refused: the feed's " E_BOMB),
	BAD_READ2(SYN_RSS, CASE_EXTERNAL, 3,
	    "left out the external entity &xxe;, which is never read",
	    "kept 2 unknown entities as text: &leak;"),
	BAD_READ(SYN_RSS, CASE_QUADRATIC, 3, W_CUT_ANY),
	BAD_ERROR(SYN_RSS, CASE_DEEP, E_DEEP " (line 4)"),
	BAD_READ(SYN_RSS, CASE_TEXT, 3, W_CUT_ANY),
	BAD_READ(SYN_RSS, CASE_ITEMS, FEED_MAX_ITEMS, W_LIMIT),
	BAD_READ2(SYN_RSS, CASE_BYTES, 3, W_NUL, W_UTF8),
	BAD_ERROR(SYN_RSS, CASE_TRUNCATED, "the feed is not whole: its XML "
	    "breaks off before </rss>"),
	/* Atom */
	BAD_ERROR(SYN_ATOM, CASE_BILLION, "refused: the feed's " E_BOMB),
	BAD_READ2(SYN_ATOM, CASE_EXTERNAL, 3,
	    "left out the external entity &xxe;, which is never read",
	    "kept 2 unknown entities as text: &leak;"),
	BAD_READ(SYN_ATOM, CASE_QUADRATIC, 3, W_CUT_ANY),
	BAD_ERROR(SYN_ATOM, CASE_DEEP, E_DEEP " (line 4)"),
	BAD_READ(SYN_ATOM, CASE_TEXT, 3, W_CUT_ANY),
	BAD_READ(SYN_ATOM, CASE_ITEMS, FEED_MAX_ITEMS, W_LIMIT),
	BAD_READ2(SYN_ATOM, CASE_BYTES, 3, W_NUL, W_UTF8),
	BAD_ERROR(SYN_ATOM, CASE_TRUNCATED, "the feed is not whole: its XML "
	    "breaks off before </feed>"),
	/* xCal, through the ical module */
	BAD_ERROR(SYN_XCAL, CASE_BILLION, "refused: the calendar's " E_BOMB),
	BAD_READ(SYN_XCAL, CASE_QUADRATIC, 3,
	    "left out the entity reference &big;"),
	BAD_READ(SYN_XCAL, CASE_EXTERNAL, 3,
	    "left out the entity reference &xxe;"),
	BAD_ERROR(SYN_XCAL, CASE_DEEP, "refused: " E_DEEP " (line 4)"),
	BAD_READ(SYN_XCAL, CASE_TEXT, 3, W_LINE),
	BAD_READ(SYN_XCAL, CASE_ITEMS, FEED_MAX_ITEMS, W_LIMIT),
	BAD_READ2(SYN_XCAL, CASE_BYTES, 3, W_NUL, W_UTF8),
	BAD_ERROR(SYN_XCAL, CASE_TRUNCATED, "the calendar is not whole: its "
	    "XML breaks off before </icalendar>"),
	/* iCalendar text */
	BAD_ERROR(SYN_ICS, CASE_DEEP, "components are nested more than 16 "
	    "deep"),
	BAD_READ(SYN_ICS, CASE_TEXT, 3, W_LINE),
	BAD_READ(SYN_ICS, CASE_ITEMS, FEED_MAX_ITEMS, W_LIMIT),
	BAD_READ2(SYN_ICS, CASE_BYTES, 3, W_NUL, W_UTF8),
	BAD_ERROR(SYN_ICS, CASE_TRUNCATED, "the calendar is not whole: "
	    "END:VCALENDAR is missing"),
	/* OpenActive RPDE */
	BAD_READ(SYN_RPDE, CASE_EXTERNAL, 3, W_LINK),
	BAD_ERROR(SYN_RPDE, CASE_DEEP, "refused: the page is nested more "
	    "than 256 deep"),
	BAD_READ(SYN_RPDE, CASE_TEXT, 3, W_CUT),
	BAD_READ(SYN_RPDE, CASE_ITEMS, FEED_MAX_ITEMS, W_LIMIT),
	BAD_READ2(SYN_RPDE, CASE_BYTES, 3, W_NUL, W_UTF8),
	BAD_ERROR(SYN_RPDE, CASE_TRUNCATED, "not JSON: premature end of "
	    "input"),
	/* JSON-LD, a bare document as a script holds it */
	BAD_READ(SYN_JSONLD, CASE_EXTERNAL, 3, W_LINK),
	BAD_ERROR(SYN_JSONLD, CASE_DEEP, "refused: the document is nested "
	    "more than 256 deep"),
	BAD_READ(SYN_JSONLD, CASE_TEXT, 3, W_CUT),
	BAD_READ(SYN_JSONLD, CASE_ITEMS, FEED_MAX_ITEMS, W_LIMIT),
	BAD_READ2(SYN_JSONLD, CASE_BYTES, 3, W_NUL, W_UTF8),
	BAD_ERROR(SYN_JSONLD, CASE_TRUNCATED, "not JSON: premature end of "
	    "input"),
	/*
	 * JSON-LD in a web page: deep markup and a long text around the
	 * scripts do not stop the reading (libxml2's HUGE flag: the page is
	 * bounded by max-feed-size).
	 */
	BAD_WHOLE(SYN_HTML, CASE_DEEP, 3),
	BAD_WHOLE(SYN_HTML, CASE_TEXT, 3),
	BAD_READ(SYN_HTML, CASE_ITEMS, 256, "the page has more than 256 "
	    "JSON-LD scripts; the rest were left out"),
	BAD_READ(SYN_HTML, CASE_BYTES, 3, "the page's bytes are not valid in "
	    "its encoding"),
	BAD_READ(SYN_HTML, CASE_TRUNCATED, 2, "left out the JSON-LD script at "
	    "line 7: it is not JSON: premature end of input"),
};

#define BAD_NROWS	(sizeof bad_rows / sizeof bad_rows[0])

/* A growing byte string; input may hold NULs. */
struct bad_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

/* What a child reports of its parse, and what the parent measured. */
struct bad_result {
	int	 ran;		/* the child reported */
	int	 rc;		/* record_parse()'s answer */
	size_t	 records;
	size_t	 nwarnings;
	char	*error;		/* or NULL */
	json_t	*warnings;	/* the messages kept */
	int	 secret;	/* the secret marker appeared */
	int	 leaked;	/* LeakSanitizer found a leak */
	int	 status;	/* wait4()'s */
	int	 killed;	/* 1: over time, 2: over memory */
	double	 seconds;
	double	 peak_mb;
	double	 bound_mb;	/* the most it may use */
};

/* The local files an external entity names, made once per test. */
static char	bad_dir[PATH_MAX / 2];
static char	bad_secret_path[PATH_MAX];	/* text: the marker */
static char	bad_dtd_path[PATH_MAX];		/* declares &leak; */
static char	bad_marker[64];

static void	 bad_add(struct bad_buf *, const void *, size_t);
static void	 bad_adds(struct bad_buf *, const char *);
static void	 bad_addf(struct bad_buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 bad_fill(struct bad_buf *, size_t, int);
static void	 bad_doctype(struct bad_buf *, const struct bad_syntax *,
		    enum bad_case);
static void	 bad_body(struct bad_buf *, const struct bad_syntax *,
		    enum bad_case);
static void	 bad_item(struct bad_buf *, const struct bad_syntax *,
		    enum bad_case, size_t, size_t *);
static void	 bad_build(const struct bad_row *, struct bad_buf *);
static void	 bad_child(const struct bad_row *, struct bad_buf *, int)
		    __attribute__((noreturn));
static void	 bad_run(const struct bad_row *, struct bad_buf *,
		    struct bad_result *);
#ifdef BAD_LSAN
static int	 bad_leak_check(void);
#endif
static long	 bad_rss_kb(pid_t);
static double	 bad_now(void);
static int	 bad_warned(const struct bad_result *, const char *);
static void	 bad_setup(void);
static void	 bad_teardown(void);

/* Appends `n` bytes, NULs and all. */
static void
bad_add(struct bad_buf *b, const void *p, size_t n)
{
	if (n > b->cap - b->len) {
		while (n > b->cap - b->len)
			b->cap = b->cap == 0 ? 4096 : b->cap * 2;
		b->data = xreallocarray(b->data, b->cap, 1);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* Appends a C string. */
static void
bad_adds(struct bad_buf *b, const char *s)
{
	bad_add(b, s, strlen(s));
}

/* Appends formatted text. */
static void
bad_addf(struct bad_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatalx("%s: out of memory", __func__);
	va_end(ap);
	bad_adds(b, s);
	free(s);
}

/*
 * Appends `n` bytes of plain text (words and spaces); folded as
 * iCalendar folds long lines when `fold` is set, the folds not counted.
 */
static void
bad_fill(struct bad_buf *b, size_t n, int fold)
{
	static const char	 words[] = "Lorem ipsum dolor sit amet, a "
	    "gentle walk and a cup of tea for everyone. ";
	size_t			 done = 0, k, col = 12;

	while (done < n) {
		k = sizeof words - 1;
		if (k > n - done)
			k = n - done;
		if (fold && col + k > 74)
			k = 74 - col;
		bad_add(b, words, k);
		done += k;
		col += k;
		if (fold && col >= 74) {
			bad_adds(b, "\r\n ");
			col = 1;
		}
	}
}

/* An XML declaration, and the DOCTYPE the entity cases need. */
static void
bad_doctype(struct bad_buf *b, const struct bad_syntax *sx, enum bad_case c)
{
	int	i, k;

	bad_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	switch (c) {
	case CASE_BILLION:
		bad_addf(b, "<!DOCTYPE %s [\n <!ENTITY lol0 \"lol\">\n",
		    sx->root);
		for (i = 1; i < BAD_LAUGHS; i++) {
			bad_addf(b, " <!ENTITY lol%d \"", i);
			for (k = 0; k < 10; k++)
				bad_addf(b, "&lol%d;", i - 1);
			bad_adds(b, "\">\n");
		}
		bad_adds(b, "]>\n");
		break;
	case CASE_QUADRATIC:
		bad_addf(b, "<!DOCTYPE %s [\n <!ENTITY big \"", sx->root);
		bad_fill(b, BAD_QUAD_TEXT, 0);
		bad_adds(b, "\">\n]>\n");
		break;
	case CASE_EXTERNAL:
		/*
		 * A general entity naming a file, an external DTD subset
		 * and a parameter entity naming a DTD that declares
		 * &leak; as the marker: reading any of them would show.
		 */
		bad_addf(b, "<!DOCTYPE %s SYSTEM \"file://%s\" [\n"
		    " <!ENTITY xxe SYSTEM \"file://%s\">\n"
		    " <!ENTITY %% ext SYSTEM \"file://%s\">\n"
		    " %%ext;\n]>\n", sx->root, bad_dtd_path, bad_secret_path,
		    bad_dtd_path);
		break;
	default:
		break;
	}
}

/* What the case puts into the middle item, after its title. */
static void
bad_body(struct bad_buf *b, const struct bad_syntax *sx, enum bad_case c)
{
	static const char	bytes[] = "NUL\0here, bad \xff\xfe, overlong "
	    "\xc0\xaf, surrogate \xed\xa0\x80, cut \xe2\x82 end";
	size_t			i;

	switch (c) {
	case CASE_BILLION:
		bad_adds(b, sx->text_pre);
		bad_addf(b, "&lol%d;", BAD_LAUGHS - 1);
		bad_adds(b, sx->text_post);
		break;
	case CASE_QUADRATIC:
		bad_adds(b, sx->text_pre);
		for (i = 0; i < BAD_QUAD_REFS; i++)
			bad_adds(b, "&big;");
		bad_adds(b, sx->text_post);
		break;
	case CASE_EXTERNAL:
		if (sx->root != NULL) {
			bad_adds(b, sx->text_pre);
			bad_adds(b, "&xxe; &leak;");
			bad_adds(b, sx->text_post);
			break;
		}
		/* JSON-LD: a local file as the context and as links. */
		bad_addf(b, ",\"@context\":[\"https://schema.org\","
		    "\"file://%s\"],\"url\":\"file://%s\",\"sameAs\":"
		    "\"file://%s\",\"image\":\"file://%s\"", bad_dtd_path,
		    bad_secret_path, bad_secret_path, bad_secret_path);
		break;
	case CASE_DEEP:
		bad_adds(b, sx->nest_pre);
		for (i = 0; i < BAD_DEEP; i++)
			bad_adds(b, sx->nest_open);
		for (i = 0; i < BAD_DEEP; i++)
			bad_adds(b, sx->nest_close);
		break;
	case CASE_TEXT:
		bad_adds(b, sx->text_pre);
		bad_fill(b, BAD_TEXT, sx->fold);
		bad_adds(b, sx->text_post);
		break;
	case CASE_BYTES:
		bad_adds(b, sx->text_pre);
		bad_add(b, bytes, sizeof bytes - 1);
		bad_adds(b, sx->nul_ref);
		bad_adds(b, sx->text_post);
		break;
	default:
		break;
	}
}

/*
 * Appends item `n` (1-based); the middle one of BAD_NORMAL carries the
 * case.  *title is set to the offset of its title.
 */
static void
bad_item(struct bad_buf *b, const struct bad_syntax *sx, enum bad_case c,
    size_t n, size_t *title)
{
	static const char	bytes[] = "Art\0club \xff\xfe caf\xc3\xa9 "
	    "\xc0\xaf\xed\xa0\x80 end";
	int			middle = n == 2 && c != CASE_ITEMS;

	bad_adds(b, sx->item_id);
	bad_addf(b, "%zu", n);
	bad_adds(b, sx->item_title);
	*title = b->len;
	if (middle && c == CASE_BYTES)
		bad_add(b, bytes, sizeof bytes - 1);
	else if (middle && c == CASE_BILLION)
		bad_addf(b, "Laughs &lol%d;", BAD_LAUGHS - 1);
	else if (middle && c == CASE_EXTERNAL && sx->root != NULL)
		bad_adds(b, "Secret &xxe; &leak;");
	else if (n == 3 && c == CASE_TRUNCATED)
		bad_adds(b, BAD_TITLE_CUT);
	else
		bad_addf(b, "Art club session %zu", n);
	bad_adds(b, sx->item_body);
	if (middle)
		bad_body(b, sx, c);
	bad_adds(b, sx->item_end);
}

/* The whole input of a row. */
static void
bad_build(const struct bad_row *row, struct bad_buf *b)
{
	const struct bad_syntax	*sx = &bad_syntaxes[row->syn];
	size_t			 i, n, title = 0;

	memset(b, 0, sizeof *b);
	if (sx->root != NULL)
		bad_doctype(b, sx, row->kase);
	bad_adds(b, sx->head);
	n = row->kase == CASE_ITEMS ? BAD_ITEMS : BAD_NORMAL;
	for (i = 1; i <= n; i++) {
		if (i > 1)
			bad_adds(b, sx->sep);
		bad_item(b, sx, row->kase, i, &title);
	}
	bad_adds(b, sx->tail);
	/* The download ends half way through the last title. */
	if (row->kase == CASE_TRUNCATED)
		b->len = title + strlen(BAD_TITLE_CUT) / 2;
}

/*
 * The child: reads the row's input through the real host, writes a JSON
 * summary to `fd`, frees all, checks for leaks, and exits without running
 * the test framework's exit handlers.
 */
static void
bad_child(const struct bad_row *row, struct bad_buf *b, int fd)
{
	struct parse_request	 req;
	struct feed_result	 res;
	json_t			*sum, *all;
	char			*s, *text;
	size_t			 len, off;
	ssize_t			 w;
	int			 rc, secret, code = 0;

	memset(&req, 0, sizeof req);
	req.data = (const unsigned char *)b->data;
	req.len = b->len;
	req.spoke = "bad";
	req.base_url = BAD_BASE_URL;
	req.timezone = "Europe/London";
	req.format = bad_syntaxes[row->syn].module;
	req.max_items = FEED_MAX_ITEMS;
	rc = record_parse(&req, &res);
	free(b->data);

	/* Whatever the host keeps, searched for the local file's marker. */
	all = json_pack("{s:O, s:O, s:O, s:s?}", "records", res.records,
	    "warnings", res.warnings, "feed", res.feed, "error", res.error);
	text = all != NULL ? json_dumps(all, JSON_COMPACT) : NULL;
	secret = text == NULL || strstr(text, bad_marker) != NULL;
	free(text);
	json_decref(all);

	sum = json_pack("{s:i, s:I, s:I, s:s?, s:O, s:b}", "rc", rc,
	    "records", (json_int_t)json_array_size(res.records),
	    "nwarnings", (json_int_t)res.nwarnings, "error", res.error,
	    "warnings", res.warnings, "secret", secret);
	feed_result_free(&res);
	s = sum != NULL ? json_dumps(sum, JSON_COMPACT) : NULL;
	json_decref(sum);
	if (s == NULL)
		_exit(2);
	for (len = strlen(s), off = 0; off < len; off += (size_t)w)
		if ((w = write(fd, s + off, len - off)) <= 0)
			break;
	free(s);
	close(fd);
#ifdef BAD_LSAN
	code = bad_leak_check();
#endif
	_exit(code);
}

#ifdef BAD_LSAN
/*
 * Checks the child for leaks: 3 when there are some (the report on
 * stderr), else 0.  The framework runs a second thread in the test
 * process, which a forked child has not, and LeakSanitizer says of it
 * that false leaks are possible; that note is dropped, the rest shown.
 */
static int
bad_leak_check(void)
{
	FILE	*f;
	char	 line[1024];
	int	 saved, leaks;

	if ((f = tmpfile()) == NULL || (saved = dup(STDERR_FILENO)) == -1)
		return __lsan_do_recoverable_leak_check() != 0 ? 3 : 0;
	dup2(fileno(f), STDERR_FILENO);
	leaks = __lsan_do_recoverable_leak_check();
	dup2(saved, STDERR_FILENO);
	rewind(f);
	while (leaks && fgets(line, sizeof line, f) != NULL)
		if (strstr(line, "was not suspended") == NULL)
			fputs(line, stderr);
	fclose(f);
	return leaks ? 3 : 0;
}
#endif

/* Resident memory of a process now, in KiB, or -1 when unknown. */
static long
bad_rss_kb(pid_t pid)
{
	char	 path[64];
	FILE	*f;
	long	 size, pages;

	snprintf(path, sizeof path, "/proc/%ld/statm", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &pages) != 2)
		pages = -1;
	fclose(f);
	return pages < 0 ? -1 : pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Seconds on a clock that only goes forward. */
static double
bad_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Runs a row over its input `in` in a child and fills `r`: what the child
 * said, how it ended, its wall time and its peak resident memory.
 */
static void
bad_run(const struct bad_row *row, struct bad_buf *in, struct bad_result *r)
{
	struct pollfd	 pfd;
	struct rusage	 ru;
	struct bad_buf	 out;
	json_error_t	 jerr;
	json_t		*sum;
	char		 chunk[65536];
	double		 t0;
	ssize_t		 n;
	pid_t		 pid;
	long		 kb;
	int		 fds[2];

	memset(r, 0, sizeof *r);
	r->bound_mb = BAD_MEM_BASE_MB + (double)BAD_MEM_PER_BYTE *
	    (double)in->len / (1024.0 * 1024.0);

	memset(&out, 0, sizeof out);
	cr_assert(pipe(fds) == 0, "pipe: %s", strerror(errno));
	fflush(NULL);
	t0 = bad_now();
	if ((pid = fork()) == -1)
		cr_assert_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		bad_child(row, in, fds[1]);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, BAD_POLL_MS) > 0) {
			if ((n = read(fds[0], chunk, sizeof chunk)) <= 0)
				break;
			if (out.len + (size_t)n <= BAD_SUMMARY_MAX)
				bad_add(&out, chunk, (size_t)n);
		}
		if (bad_now() - t0 > BAD_MAX_SECONDS) {
			r->killed = 1;
			kill(pid, SIGKILL);
			break;
		}
		if ((kb = bad_rss_kb(pid)) > 0 &&
		    (double)kb / 1024.0 > r->bound_mb) {
			r->killed = 2;
			kill(pid, SIGKILL);
			break;
		}
	}
	close(fds[0]);
	while (wait4(pid, &r->status, 0, &ru) == -1)
		if (errno != EINTR)
			cr_assert_fail("wait4: %s", strerror(errno));
	r->seconds = bad_now() - t0;
	r->peak_mb = (double)ru.ru_maxrss / 1024.0;	/* KiB on Linux */

	bad_add(&out, "", 1);
	if (!r->killed && WIFEXITED(r->status) &&
	    (sum = json_loads(out.data, 0, &jerr)) != NULL) {
		r->ran = 1;
		r->rc = (int)json_integer_value(json_object_get(sum, "rc"));
		r->records = (size_t)json_integer_value(json_object_get(sum,
		    "records"));
		r->nwarnings = (size_t)json_integer_value(json_object_get(sum,
		    "nwarnings"));
		if (json_is_string(json_object_get(sum, "error")))
			r->error = xstrdup(json_string_value(
			    json_object_get(sum, "error")));
		r->warnings = json_incref(json_object_get(sum, "warnings"));
		r->secret = json_is_true(json_object_get(sum, "secret"));
		json_decref(sum);
	}
	r->leaked = WIFEXITED(r->status) && WEXITSTATUS(r->status) == 3;
	free(out.data);
}

/* 1 when some warning kept holds `words`. */
static int
bad_warned(const struct bad_result *r, const char *words)
{
	json_t	*w;
	size_t	 i;

	json_array_foreach(r->warnings, i, w) {
		if (strstr(json_string_value(json_object_get(w, "message")),
		    words) != NULL)
			return 1;
	}
	return 0;
}

/*
 * Loads the modules as the daemon does, and writes the local files the
 * external entity rows name: a text holding a marker unique to this
 * run, and a DTD declaring &leak; as that marker.
 */
static void
bad_setup(void)
{
	const char	*b = getenv("DAYHUB_BUILDDIR"), *tmp;
	char		 dir[PATH_MAX], err[1024];
	FILE		*f;
	size_t		 i;

	log_init(1, LOG_LEVEL_WARN, "test_badinput");
	snprintf(dir, sizeof dir, "%s/plugins/.libs",
	    b != NULL && *b != '\0' ? b : ".");
	if (plugin_load_dir(dir, err, sizeof err) == -1)
		cr_assert_fail("no format modules: %s (set DAYHUB_BUILDDIR "
		    "to the build tree)", err);
	for (i = 0; i < sizeof bad_syntaxes / sizeof bad_syntaxes[0]; i++)
		if (plugin_find(bad_syntaxes[i].module) == NULL)
			cr_assert_fail("the %s module was not loaded from %s "
			    "(build it first)", bad_syntaxes[i].module, dir);

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	cr_assert((size_t)snprintf(bad_dir, sizeof bad_dir,
	    "%s/dayhub-badinput-XXXXXX", tmp) < sizeof bad_dir,
	    "TMPDIR is too long: %s", tmp);
	cr_assert(mkdtemp(bad_dir) != NULL, "mkdtemp %s: %s", bad_dir,
	    strerror(errno));
	snprintf(bad_marker, sizeof bad_marker, "SECRET-%ld-%ld-MARKER",
	    (long)getpid(), (long)time(NULL));
	snprintf(bad_secret_path, sizeof bad_secret_path, "%s/secret.txt",
	    bad_dir);
	snprintf(bad_dtd_path, sizeof bad_dtd_path, "%s/secret.dtd", bad_dir);
	cr_assert((f = fopen(bad_secret_path, "w")) != NULL, "%s: %s",
	    bad_secret_path, strerror(errno));
	fprintf(f, "%s\n", bad_marker);
	fclose(f);
	cr_assert((f = fopen(bad_dtd_path, "w")) != NULL, "%s: %s",
	    bad_dtd_path, strerror(errno));
	fprintf(f, "<!ENTITY leak \"%s\">\n", bad_marker);
	fclose(f);
}

/* Unloads the modules and removes the local files. */
static void
bad_teardown(void)
{
	plugin_unload_all();
	if (bad_dir[0] != '\0') {
		unlink(bad_secret_path);
		unlink(bad_dtd_path);
		rmdir(bad_dir);
	}
}

TestSuite(badinput, .init = bad_setup, .fini = bad_teardown,
    .timeout = 2 * BAD_MAX_SECONDS + 30);

/* Every row names a known syntax and case, and says what it expects. */
Test(badinput, table)
{
	size_t	i;

	for (i = 0; i < BAD_NROWS; i++) {
		cr_expect(bad_rows[i].syn <= SYN_HTML, "row %zu", i);
		cr_expect(bad_rows[i].kase <= CASE_TRUNCATED, "row %zu", i);
		cr_expect(bad_rows[i].words == NULL ? !bad_rows[i].fails :
		    *bad_rows[i].words != '\0', "row %zu states no words", i);
		cr_expect(bad_syntaxes[bad_rows[i].syn].root != NULL ||
		    bad_rows[i].kase > CASE_QUADRATIC, "row %zu: entities "
		    "in a syntax that has none", i);
	}
}

/* The rows, as indices into bad_rows (parameters cross processes). */
ParameterizedTestParameters(badinput, row)
{
	static size_t	idx[BAD_NROWS];
	size_t		i;

	for (i = 0; i < BAD_NROWS; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, BAD_NROWS);
}

/* One row: ends in time and memory with the outcome it states. */
ParameterizedTest(size_t *ip, badinput, row)
{
	const struct bad_row	*row = &bad_rows[*ip];
	struct bad_result	 r;
	struct bad_buf		 in;
	const char		*mod = bad_syntaxes[row->syn].module;
	const char		*syn = bad_syntaxes[row->syn].name;
	const char		*cname = bad_case_names[row->kase];
	const char		*outcome;
	char			 name[64];
	json_t			*w;
	size_t			 i;

	snprintf(name, sizeof name, "%s/%s", syn, cname);
	bad_build(row, &in);
	bad_run(row, &in, &r);
	if (r.killed == 1)
		outcome = "HANG";
	else if (r.killed == 2)
		outcome = "MEMORY";
	else if (WIFSIGNALED(r.status))
		outcome = "CRASH";
	else if (!r.ran)
		outcome = "NOREPORT";
	else
		outcome = r.rc == 0 ? "records" : "error";
	fprintf(stderr, "badinput: %-10s %-7s %-16s %-7s records %5zu "
	    "warnings %3zu input %5.1f MB peak %6.1f MB %5.2f s\n", mod, syn,
	    cname, outcome, r.records, r.nwarnings,
	    (double)in.len / (1024.0 * 1024.0), r.peak_mb, r.seconds);
	free(in.data);
	if (getenv("DAYHUB_BADINPUT_SHOW") != NULL) {
		if (r.error != NULL)
			fprintf(stderr, "  error: %s\n", r.error);
		json_array_foreach(r.warnings, i, w)
			fprintf(stderr, "  warning: %s\n", json_string_value(
			    json_object_get(w, "message")));
	}

	cr_expect(r.killed != 1, "%s: still running after %.0f s (a hang)",
	    name, BAD_MAX_SECONDS);
	cr_expect(r.killed != 2, "%s: over its bound of %.0f MB resident "
	    "(a runaway)", name, r.bound_mb);
	cr_expect(r.killed || !WIFSIGNALED(r.status), "%s: the parse died "
	    "of signal %d", name, WIFSIGNALED(r.status) ?
	    WTERMSIG(r.status) : 0);
	cr_expect(!r.leaked, "%s: LeakSanitizer found a leak (see above)",
	    name);
	cr_expect(r.killed || WIFSIGNALED(r.status) || r.leaked || r.ran,
	    "%s: the child exited %d without a report", name,
	    WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1);
	cr_expect(r.killed || r.peak_mb <= r.bound_mb, "%s: peak %.0f MB, "
	    "over its bound of %.0f MB", name, r.peak_mb, r.bound_mb);
	cr_expect(r.killed || r.seconds <= BAD_MAX_SECONDS, "%s: %.1f s",
	    name, r.seconds);
	cr_expect(!r.secret, "%s: a local file's contents reached the "
	    "records, warnings or error", name);
	if (!r.ran)
		goto done;
	if (row->fails) {
		cr_expect(r.rc == -1, "%s: read (%zu records), but an error "
		    "holding \"%s\" was expected", name, r.records,
		    row->words);
		cr_expect(r.error != NULL && strstr(r.error, row->words) !=
		    NULL, "%s: the error \"%s\" does not hold \"%s\"", name,
		    r.error != NULL ? r.error : "(none)", row->words);
	} else {
		cr_expect(r.rc == 0, "%s: refused (%s)", name,
		    r.error != NULL ? r.error : "no error");
		cr_expect_geq(r.records, row->min_records, "%s: %zu records, "
		    "at least %zu expected", name, r.records,
		    row->min_records);
		if (row->words == NULL)
			cr_expect_eq(r.nwarnings, 0, "%s: %zu warnings, none "
			    "expected", name, r.nwarnings);
		else
			cr_expect(bad_warned(&r, row->words), "%s: no warning "
			    "holds \"%s\"", name, row->words);
		cr_expect(row->also == NULL || bad_warned(&r, row->also),
		    "%s: no warning holds \"%s\"", name, row->also);
	}
done:
	free(r.error);
	json_decref(r.warnings);
}
