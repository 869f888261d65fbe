/*
 * feedutil.h - helpers shared by the feed format modules.
 *
 * Compiled into every format module (RSS, Atom, iCalendar, JSON), never
 * into the daemon, so every name starts with feedutil_ and nothing here
 * may clash with a daemon symbol.  Everything is reentrant: no static
 * buffers, no environment, no locale, no global state that changes, so a
 * module may run the same helper from several threads at once.
 *
 * Memory: a function that returns a `char *` returns a NUL-terminated
 * string from malloc() that the caller frees, or NULL when an allocation
 * failed (or, where said, when there is no result).  Nothing here aborts.
 *
 * The last part, struct feedutil_xml, is the whole of reading an XML feed
 * safely into records, shared by the RSS and Atom modules (and open to
 * any module that reads XML): the parse and its defences, text and
 * attributes within an entity budget, links against xml:base, and one
 * table that maps the extension namespaces (content:, dc:, ev:, georss:,
 * gml:, geo:, dh:) to record fields for every format alike.
 */
#ifndef FEEDUTIL_H
#define FEEDUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "dayhub/plugin.h"

/*
 * Caps on what a module hands the host; they match the host's own limits
 * on record text (the host refuses longer values, so modules cut first).
 */
#define FEEDUTIL_MAX_TEXT	(64 * 1024)	/* summary and description */
#define FEEDUTIL_MAX_FIELD	2048		/* any other text field */
#define FEEDUTIL_DATE_MAX	32		/* room for any date written */
#define FEEDUTIL_NAMES_MAX	128		/* names kept in a repair note */
#define FEEDUTIL_MAX_DEPTH	256		/* libxml2's own cap without HUGE */
#define FEEDUTIL_QUOTE		60		/* bytes of a bad value quoted */

/* A growable byte string that remembers an allocation failure. */
struct feedutil_buf {
	char	*data;		/* NUL-terminated once anything was added */
	size_t	 len;
	size_t	 cap;
	int	 failed;	/* an allocation failed; contents incomplete */
};

void	 feedutil_buf_init(struct feedutil_buf *);
void	 feedutil_buf_add(struct feedutil_buf *, const void *, size_t);
void	 feedutil_buf_addc(struct feedutil_buf *, int);
void	 feedutil_buf_adds(struct feedutil_buf *, const char *);
void	 feedutil_buf_add_utf8(struct feedutil_buf *, uint32_t);
char	*feedutil_buf_finish(struct feedutil_buf *, size_t *len);
void	 feedutil_buf_free(struct feedutil_buf *);

/*
 * One kind of repair made to a document before it was parsed: how many,
 * the line of the first (1-based), and for entities the distinct names
 * ("&nbsp; &pound;") as far as they fit, `more` set when some did not.
 */
struct feedutil_fix {
	size_t		 count;
	unsigned long	 line;
	char		 names[FEEDUTIL_NAMES_MAX];
	int		 more;
};

struct feedutil_repairs {
	int			 skipped;	/* UTF-16 or UCS-4: left alone */
	int			 cp1252;	/* not UTF-8: read as Windows-1252 */
	struct feedutil_fix	 controls;	/* control bytes and NULs dropped */
	struct feedutil_fix	 utf8;		/* bad UTF-8 made U+FFFD */
	struct feedutil_fix	 html_entities;	/* &nbsp; made &#160; */
	struct feedutil_fix	 unknown_entities; /* &foo; made &amp;foo; */
	struct feedutil_fix	 bare_amps;	/* a lone '&' made &amp; */
	struct feedutil_fix	 charrefs;	/* &#150; read as Windows-1252 */
};

/*
 * Repairs raw XML bytes so that an XML 1.0 parser can read them, before
 * any parsing.  Accepts any bytes.  Drops NULs and the C0 control bytes
 * XML 1.0 forbids (all but tab, CR and LF).  When the document is UTF-8
 * (a UTF-8 byte order mark, an encoding declaration of UTF-8 or US-ASCII,
 * or none), it replaces each invalid sequence and U+FFFE/U+FFFF with
 * U+FFFD, except that a document with no valid multi-byte sequence at all
 * and some stray high bytes is taken to be Windows-1252 mislabelled, and
 * converted whole.  A document in UTF-16 or UCS-4 is copied untouched and
 * `skipped` is set.  Line breaks are kept, so lines stay where they were.
 * Returns a new buffer (NUL-terminated, its length in *outlen) and fills
 * `rep` (which it zeroes first), or NULL when an allocation failed.
 */
char	*feedutil_xml_sanitize(const unsigned char *data, size_t len,
	    size_t *outlen, struct feedutil_repairs *rep);

/*
 * Rewrites references XML would refuse, in a copy of an ASCII-compatible
 * XML document, before parsing.  Named HTML 4 entities (all 252 of the
 * Latin-1, symbol and special sets) become numeric character references;
 * an unknown name becomes the text "&amp;name;"; an '&' that starts no
 * reference becomes "&amp;"; a numeric reference in 128-159 (Windows-1252
 * punctuation by mistake) becomes the character Windows-1252 means there,
 * and one to a character XML forbids is dropped.  The five XML entities,
 * other numeric references, names the document's internal subset declares,
 * and whatever is in comments, CDATA sections, processing instructions
 * and the DOCTYPE are left alone.  Adds what it did to `rep` (it does not
 * zero it).  Returns a new NUL-terminated buffer (length in *outlen), or
 * NULL when an allocation failed.
 */
char	*feedutil_entities_fix(const char *data, size_t len, size_t *outlen,
	    struct feedutil_repairs *rep);

/* The code point of an HTML 4 named entity ("eacute", 6), or 0. */
uint32_t feedutil_entity_lookup(const char *name, size_t len);

/*
 * Reads a date in RFC 822 syntax (as RSS writes it, with the usual
 * liberties: no weekday, a two-digit year, no seconds, zone names, the
 * military letters, a numeric offset, no zone at all) or W3C-DTF/ISO 8601
 * syntax (YYYY, YYYY-MM, YYYY-MM-DD, then a time with or without seconds
 * and fractions, then Z, +hh:mm, +hhmm, +hh or nothing).  `s` is `len`
 * bytes of outside text, not necessarily NUL-terminated.  Writes to `out`
 * (at least FEEDUTIL_DATE_MAX bytes) "2026-12-01T10:00:00+00:00" when a
 * zone was given, "2026-12-01T10:00:00" (a local time, which the reader
 * resolves in its own zone) when none was, or "2026-12-01" for a date
 * alone (YYYY and YYYY-MM mean the first day).  Fractions are dropped.
 * Returns 0, or -1 when it is no such date or an impossible one (Feb 30,
 * hour 25, offset +25:00); out is then "".
 */
int	 feedutil_date_parse(const char *s, size_t len, char *out,
	    size_t outlen);

/*
 * Cleans a short text from outside: replaces invalid UTF-8 with U+FFFD,
 * drops control characters (C0, DEL, C1), byte order marks and
 * non-characters, turns every run of white space (with U+00A0 and the
 * Unicode line separators) into one space, trims both ends, and cuts the
 * result to at most `max` bytes on a character boundary.
 */
char	*feedutil_text_clean(const char *s, size_t len, size_t max);

/* As feedutil_text_clean(), but keeps line breaks (at most one blank line). */
char	*feedutil_text_clean_lines(const char *s, size_t len, size_t max);

/*
 * Turns an HTML fragment from outside into plain text with libxml2's
 * HTML parser (no network, no error output, recovering): drops script,
 * style and other non-text elements, turns block elements into line or
 * paragraph breaks, <br> into a line break and each <li> into a "- "
 * line, decodes entities, collapses white space, cleans the text as
 * feedutil_text_clean_lines() does, and cuts it to at most `max` bytes on
 * a character boundary.  Text with no markup or entity at all is plain
 * text, cleaned as feedutil_text_clean_lines() does, so its own line
 * breaks stay.  Returns "" for an empty fragment.  libxml2's
 * HTML parser stops at its nesting limit (256 elements) and this keeps
 * what it read up to there: text after that point is lost, by design,
 * rather than lifting the parser's limits.
 */
char	*feedutil_html_to_text(const char *s, size_t len, size_t max);

/* 1 when `s` holds something that looks like a tag or an entity. */
int	 feedutil_looks_like_html(const char *s, size_t len);

/*
 * Resolves a link from outside against `base` (which may be NULL) with
 * libxml2's URI code, after trimming it and escaping inner spaces.
 * Returns the absolute URL when it is http or https with a host, mailto
 * or tel, or NULL for anything else (javascript:, data:, a relative link
 * with no base, syntax libxml2 cannot read) or when allocation failed.
 */
char	*feedutil_url_resolve(const char *ref, const char *base);

/*
 * Reads a plain decimal number (optional sign, digits, optional fraction;
 * no exponent, no white space, no locale) of `len` bytes into *out.
 * Returns 0, or -1 when it is no such number.
 */
int	 feedutil_decimal_parse(const char *s, size_t len, double *out);

/*
 * Finds a UK postcode at the end of the `len` bytes of text at `s` ("...,
 * Portland, DT5 1BW", "Easton DT51BW."): the outward code, one space or
 * none, the inward code, after the start, a space or a comma, before
 * only spaces and full stops, in either case, in the shapes and with the
 * letters Royal Mail allows (GIR 0AA too).  Returns 1 with the postcode
 * as written at s[*start] for *pclen bytes, or 0 when the text does not
 * end with one.
 */
int	 feedutil_postcode_tail(const char *s, size_t len, size_t *start,
	    size_t *pclen);

/* The longest prefix of `s` no longer than `max` that ends on a character. */
size_t	 feedutil_utf8_cut(const char *s, size_t len, size_t max);

/*
 * Finds the root element of an XML document in its first `len` bytes, for
 * sniffing: skips a byte order mark, the XML declaration, comments,
 * processing instructions, the DOCTYPE (with its internal subset) and
 * white space; reads UTF-16 too.  Writes the qualified name ("rss",
 * "rdf:RDF") to `name`.  Returns 1 when a root start tag was found, 0
 * when the bytes look like XML but end before the root, -1 when they are
 * not XML.
 */
int	 feedutil_xml_root(const unsigned char *data, size_t len, char *name,
	    size_t namelen);

/*
 * 1 when the media type of a Content-Type value (parameters, case and
 * white space ignored) is `type`.
 */
int	 feedutil_content_type_is(const char *content_type, const char *type);

/*
 * 1 when the root start tag, found as feedutil_xml_root() finds it, binds
 * namespace `uri` to `prefix`: "" is the default namespace (xmlns=),
 * "atom" is xmlns:atom=, and NULL is any binding at all.  Only the root
 * tag's own attributes count, and only when all of them are within the
 * first `len` bytes; for sniffing, so it never fails and never allocates.
 */
int	 feedutil_xml_root_xmlns(const unsigned char *data, size_t len,
	    const char *prefix, const char *uri);

/*
 * --- Reading an XML feed: the parts the RSS and Atom modules share ---
 *
 * One struct feedutil_xml is one parse of one document, and holds all of
 * its state: the libxml2 tree, what the parser reported, the budget for
 * entity expansion, the record being built and the dh: names already
 * warned about.  Nothing is global, so parses run side by side in threads.
 * Everything that fails for want of memory sets a flag the module reads
 * back with feedutil_xml_failed(); feedutil_xml_close() turns it into the
 * error the host is given.  Warnings go straight to the host.
 */

/* Which vocabulary an element belongs to, by its namespace. */
enum feedutil_ns {
	FEEDUTIL_NS_CORE,	/* the module's own (or no namespace) */
	FEEDUTIL_NS_CONTENT,	/* http://purl.org/rss/1.0/modules/content/ */
	FEEDUTIL_NS_DC,		/* Dublin Core elements 1.1 */
	FEEDUTIL_NS_EV,		/* the RSS event module */
	FEEDUTIL_NS_GEORSS,	/* GeoRSS simple and GML */
	FEEDUTIL_NS_GEO,	/* W3C Basic Geo (WGS84) */
	FEEDUTIL_NS_GML,	/* http://www.opengis.net/gml */
	FEEDUTIL_NS_DH,		/* urn:dayhub:activity:1.0 */
	FEEDUTIL_NS_OTHER
};

/* How an element's text becomes a field's value. */
enum feedutil_kind {
	FEEDUTIL_TEXT,		/* one line of plain text; markup made text */
	FEEDUTIL_HTML,		/* long HTML (or text) made plain text */
	FEEDUTIL_URL,		/* a link, resolved against the base */
	FEEDUTIL_EMAIL,		/* an address, without "mailto:" */
	FEEDUTIL_DATE,		/* RFC 822 or W3C-DTF, to RFC 3339 */
	FEEDUTIL_DATES,		/* comma-separated dates, a value each */
	FEEDUTIL_RAW,		/* a number, flag or code: clean text */
	FEEDUTIL_TERMS,		/* comma-separated terms, a value each */
	FEEDUTIL_GUID,		/* RSS guid: source_id, url if a permalink */
	FEEDUTIL_AUTHOR,	/* "email (Name)": organiser name and email */
	FEEDUTIL_LOCATION,	/* "Name, address": location name and address */
	FEEDUTIL_POINT,		/* georss:point "lat lon" */
	FEEDUTIL_WHERE,		/* georss:where holding a gml:Point */
	FEEDUTIL_LAT,		/* geo:lat */
	FEEDUTIL_LON		/* geo:long */
};

/*
 * One row of an element-to-field table.  A list field ("categories",
 * "access", ...) accumulates a value per element; a single field keeps
 * the value of the highest `prio`, the first of equals.
 */
struct feedutil_map {
	enum feedutil_ns	 ns;
	const char		*name;	/* local name */
	const char		*field;	/* v1 record field */
	enum feedutil_kind	 kind;
	int			 prio;
};

struct feedutil_xml;

/*
 * Reads a feed's bytes into a tree, safely, for a module's parse().
 *
 * Contract: `in` and `host` are what the host passed to parse(), checked
 * here (a NULL or too small host or input gets DAYHUB_ERROR, with an
 * error when the host can take one).  `core` is a NULL-terminated list of
 * the namespace URIs that are the module's own vocabulary; an element in
 * no namespace counts as core too.  Any bytes at all are accepted: they
 * are repaired first (feedutil_xml_sanitize(), feedutil_entities_fix()),
 * then parsed by libxml2 with no network, no external entity or DTD ever
 * read, no entity expansion by the parser, no XML_PARSE_HUGE, and element
 * nesting cut at the input's max_depth (at most FEEDUTIL_MAX_DEPTH) by a
 * start-element hook that stops the parser at once.  Returns DAYHUB_OK
 * with *xp set to a document that has a root element, or DAYHUB_ERROR
 * after host->error() (empty, not XML, too large, nested too deep, an
 * entity bomb, out of memory) with *xp NULL.  The caller checks the root
 * is its own, then calls feedutil_xml_whole(), then feedutil_xml_close().
 */
int	 feedutil_xml_open(struct feedutil_xml **xp,
	    const struct dayhub_input *in, const struct dayhub_host *host,
	    void *sink, const char *const *core);

/*
 * Refuses a document whose root element was never closed (a download cut
 * short: what is missing would read as deleted), warns once that the
 * document was not well-formed if the parser had to recover, and warns
 * once per kind of repair made before parsing.  Returns DAYHUB_OK, or
 * DAYHUB_ERROR after host->error().
 */
int	 feedutil_xml_whole(struct feedutil_xml *);

/*
 * Ends a parse: frees everything, and returns `rc`, unless memory ran
 * out, when it gives the host the error (if none was given) and returns
 * DAYHUB_ERROR.  NULL is accepted.
 */
int	 feedutil_xml_close(struct feedutil_xml *, int rc);

/* Gives the host the error for this parse; returns DAYHUB_ERROR. */
int	 feedutil_xml_fail(struct feedutil_xml *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Gives the host a warning, with the line of `n` (which may be NULL). */
void	 feedutil_xml_warn(struct feedutil_xml *, xmlNodePtr, const char *,
	    ...) __attribute__((format(printf, 3, 4)));
/* Tells the host a fact about the whole feed ("title", "link", ...). */
void	 feedutil_xml_feed(struct feedutil_xml *, const char *key,
	    const char *value);

/*
 * Frees element `n` and all in it once the module is done with it (an
 * item read and emitted), so that its memory serves what comes next
 * rather than all of it being freed at the end.  `n` and every node in
 * it must not be used afterwards.
 */
void	 feedutil_xml_release(struct feedutil_xml *, xmlNodePtr n);

xmlNodePtr feedutil_xml_root_element(const struct feedutil_xml *);
/* 1 when the parser read the end tag of `n`: it is whole. */
int	 feedutil_xml_complete(const struct feedutil_xml *, xmlNodePtr);
/* Adds one more namespace URI that counts as core (kept, not copied). */
void	 feedutil_xml_core(struct feedutil_xml *, const xmlChar *uri);
/* Which vocabulary `n` is in; remembered per namespace for speed. */
enum feedutil_ns feedutil_xml_ns(struct feedutil_xml *, xmlNodePtr);
/* 1 when `n` is an element of the core vocabulary named `name`. */
int	 feedutil_xml_is(struct feedutil_xml *, xmlNodePtr,
	    const char *name);
/* An element's name as written ("ev:startdate"), for messages. */
const char *feedutil_xml_qname(xmlNodePtr, char *buf, size_t len);
unsigned long feedutil_xml_line(xmlNodePtr);
/* Notes that an allocation failed; 1 when one has. */
void	 feedutil_xml_nomem(struct feedutil_xml *);
int	 feedutil_xml_failed(const struct feedutil_xml *);

/* What feedutil_xml_gather() makes of child elements. */
enum feedutil_gather {
	FEEDUTIL_GATHER_TEXT,	/* their text only */
	FEEDUTIL_GATHER_AUTO,	/* markup if there are any, else text */
	FEEDUTIL_GATHER_MARKUP	/* markup, with the text escaped */
};

/*
 * The raw text of an element, with internal entities expanded within the
 * document's budget (external ones never: left out, with one warning).
 * Child elements are kept as markup for the HTML reader when `how` says
 * so (an RSS description holding XHTML, Atom xhtml content).  Returns a
 * string the caller frees, or NULL when out of memory.
 */
char	*feedutil_xml_gather(struct feedutil_xml *, xmlNodePtr,
	    enum feedutil_gather how);

/*
 * The value of attribute `name` of element `n`, in namespace `ns` (NULL:
 * in none), with entities expanded within the same budget (libxml2's own
 * attribute getters expand them without one).  Returns a string the
 * caller frees, or NULL when there is no such attribute or out of memory.
 */
char	*feedutil_xml_attr(struct feedutil_xml *, xmlNodePtr,
	    const char *name, const char *ns);

/*
 * One line of plain text from raw text that may hold markup, or NULL.
 * Markup escaped twice (the text "<b>Art</b>" once the HTML is read,
 * from a CDATA section of "&lt;b&gt;Art&lt;/b&gt;") is read as HTML once
 * more, with one warning a feed: an element opened and closed in a
 * plain-text value is markup, not words.
 */
char	*feedutil_xml_text(struct feedutil_xml *, const char *raw, size_t max);

/*
 * Resolves the link `raw` found at element `n` against the xml:base in
 * force there (the element's own, then its ancestors', from the input's
 * base_url); when there is no xml:base at all, against the base set with
 * feedutil_xml_set_base() if there is one.  Returns the absolute http,
 * https, mailto or tel URL (the caller frees it), or NULL, with a warning
 * when `warn` is set and there was something to warn about.
 */
char	*feedutil_xml_link(struct feedutil_xml *, xmlNodePtr, const char *raw,
	    int warn);

/*
 * Sets the base for links where no xml:base is in force, in place of the
 * input's base_url (RSS: the channel's link).  Copies it; NULL unsets.
 */
void	 feedutil_xml_set_base(struct feedutil_xml *, const char *);

/* --- The record being built from one item or entry --- */

/* Forgets the values of the last record. */
void	 feedutil_item_clear(struct feedutil_xml *);

/*
 * Reads element `n` of an item into the record: by the module's own
 * `table` (of `ntable` rows, may be empty) first, then by the table all
 * modules share (content:, dc:, ev:, georss:, gml:, geo: and dh:).  An
 * element of the dh: namespace that no row names is warned about, once
 * per name in a feed.  Returns 1 when a row read it, else 0.
 */
int	 feedutil_item_element(struct feedutil_xml *, xmlNodePtr,
	    const struct feedutil_map *table, size_t ntable);

/* Reads element `n` into the record as table row `m` says. */
void	 feedutil_item_convert(struct feedutil_xml *, xmlNodePtr,
	    const struct feedutil_map *m);

/*
 * Adds a value to the record: a copy of `len` bytes of `s`, or `v` itself
 * (which the record then owns, NULL allowed).  Empty values are dropped;
 * in a list, so are repeats and those past a cap; in a single field the
 * value replaces the one there only when its `prio` is higher.
 */
void	 feedutil_item_put(struct feedutil_xml *, const char *field,
	    const char *s, size_t len, int prio);
void	 feedutil_item_put_owned(struct feedutil_xml *, const char *field,
	    char *v, int prio);

/*
 * The record's (first) value of `field`, or NULL.  The pointer is good
 * until the next value is put or the record is cleared; handing it
 * straight back to feedutil_item_put() is safe.
 */
const char *feedutil_item_get(const struct feedutil_xml *, const char *field);

/*
 * 1 while the input's max_items allows another record; 0 for `item`, a
 * further one, past it, warning once that the feed holds more.
 */
int	 feedutil_item_room(struct feedutil_xml *, xmlNodePtr item);

/*
 * Warns that `field`, read from element `n`, was cut to `max` bytes:
 * `len` raw bytes came out as `tlen` (a text cut ends within a
 * character of the cap; raw text is read up to four times `max`).
 */
void	 feedutil_xml_cut_warn(struct feedutil_xml *, xmlNodePtr n,
	    const char *field, size_t len, size_t tlen, size_t max);

/*
 * Hands the record to the host: begin(), a set() per value, end().
 * Returns DAYHUB_OK, or DAYHUB_STOP when the host or max_items says so,
 * after which the module must return from parse() at once.
 */
int	 feedutil_item_emit(struct feedutil_xml *);

#endif /* FEEDUTIL_H */
