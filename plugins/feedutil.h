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
 */
#ifndef FEEDUTIL_H
#define FEEDUTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Caps on what a module hands the host; they match the host's own limits
 * on record text (the host refuses longer values, so modules cut first).
 */
#define FEEDUTIL_MAX_TEXT	(64 * 1024)	/* summary and description */
#define FEEDUTIL_MAX_FIELD	2048		/* any other text field */
#define FEEDUTIL_DATE_MAX	32		/* room for any date written */
#define FEEDUTIL_NAMES_MAX	128		/* names kept in a repair note */

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

#endif /* FEEDUTIL_H */
