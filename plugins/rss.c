/*
 * rss.c - the RSS format module: RSS 2.0, and 0.91 and 0.92, with the
 * content:, dc:, ev: (RSS event module), georss:, geo: and dayhub (dh:)
 * namespaces.  RDF-based RSS 1.0 is not read here.
 *
 * Security of the XML parse, decided once for every feed:
 *   - External entities and external DTDs are never fetched or read:
 *     libxml2 is called without XML_PARSE_NOENT, XML_PARSE_DTDLOAD,
 *     XML_PARSE_DTDATTR and XML_PARSE_DTDVALID, and with
 *     XML_PARSE_NONET.  A reference to an external entity is left out of
 *     the text with a warning, so <!ENTITY x SYSTEM "file:///etc/passwd">
 *     leaks nothing.
 *   - Internal entities a document declares are expanded, because real
 *     feeds use them for harmless text, but only by this module's own text
 *     walker, with a per-document budget and a nesting cap.  libxml2's
 *     entity loop and amplification checks still run; when they fire
 *     (a "billion laughs" document) the feed is refused with an error.
 *   - XML_PARSE_HUGE is never used, so libxml2 keeps its own limits on
 *     names and text; element nesting is bounded by the input's
 *     max_depth (at most RSS_MAX_DEPTH) from a start-element hook that
 *     stops the parser at once.
 *   - Before parsing, control bytes are removed, bad UTF-8 is mended and
 *     HTML entities XML does not know are made numeric (feedutil), each
 *     with one warning saying what was repaired.
 *   - XML_PARSE_RECOVER reads what it can of a broken feed; when it had
 *     to, a warning says so.  A feed that ends before </rss> is refused:
 *     its missing items would otherwise read as deleted.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "dayhub/plugin.h"
#include "feedutil.h"

#define RSS_MODULE_VERSION	"1.0"
#define RSS_MAX_DEPTH		256	/* libxml2's own cap without HUGE */
#define RSS_MAX_VALUES		256	/* values kept for one item */
#define RSS_MAX_LIST		64	/* values in one list field */
#define RSS_MAX_WARNED		32	/* unknown dh: names warned about */
#define RSS_WARNED_NAME		48	/* bytes of such a name compared */
#define RSS_MAX_GATHER		(4 * FEEDUTIL_MAX_TEXT) /* raw bytes read */
#define RSS_MAX_ENTITY_DEPTH	8	/* entities inside entities */
#define RSS_MAX_EXPANSION	(1024 * 1024) /* entity text per document */
#define RSS_QUOTE		60	/* bytes of a bad value in a warning */
#define RSS_ERROR_MAX		200	/* bytes of libxml2's first error */

/* Which vocabulary an element belongs to. */
enum rss_ns {
	RSS_NS_CORE,
	RSS_NS_CONTENT,
	RSS_NS_DC,
	RSS_NS_EV,
	RSS_NS_GEORSS,
	RSS_NS_GEO,
	RSS_NS_DH,
	RSS_NS_OTHER
};

/* How an element's text becomes a field's value. */
enum rss_conv {
	RSS_TEXT,	/* one line of plain text; markup made text */
	RSS_HTML,	/* long HTML (or text) made plain text */
	RSS_URL,	/* a link, resolved against the base */
	RSS_EMAIL,	/* an address, without "mailto:" */
	RSS_DATE,	/* RFC 822 or W3C-DTF, to RFC 3339 */
	RSS_DATES,	/* comma-separated dates, a value each */
	RSS_RAW,	/* a number, flag or code: cleaned text as found */
	RSS_TERMS,	/* comma-separated terms, a value each */
	RSS_GUID,	/* source_id, and url when a permalink */
	RSS_AUTHOR,	/* "email (Name)": organiser name and email */
	RSS_LOCATION,	/* "Name, address": location name and address */
	RSS_POINT,	/* georss "lat lon" */
	RSS_LAT,	/* geo:lat */
	RSS_LON		/* geo:long */
};

struct rss_map {
	enum rss_ns	 ns;
	const char	*name;		/* local name */
	const char	*field;		/* v1 record field */
	enum rss_conv	 conv;
	int		 list;		/* a list field: values accumulate */
	int		 prio;		/* single fields: a higher one wins */
};

/* The namespaces this module reads, by URI. */
static const struct {
	const char	*uri;
	enum rss_ns	 ns;
} rss_namespaces[] = {
	{ "http://backend.userland.com/rss2", RSS_NS_CORE },
	{ "http://blogs.law.harvard.edu/tech/rss", RSS_NS_CORE },
	{ "http://purl.org/rss/1.0/modules/content/", RSS_NS_CONTENT },
	{ "http://purl.org/dc/elements/1.1/", RSS_NS_DC },
	{ "http://purl.org/rss/1.0/modules/event/", RSS_NS_EV },
	{ "http://www.georss.org/georss", RSS_NS_GEORSS },
	{ "http://www.w3.org/2003/01/geo/wgs84_pos#", RSS_NS_GEO },
	{ "urn:dayhub:activity:1.0", RSS_NS_DH },
};

/*
 * What each element of an <item> becomes.  Where several elements feed
 * one single-valued field, `prio` says which wins (the first of equals):
 * ev:organizer over dc:creator and author, dh:venue over ev:location,
 * <link> over a permalink <guid>, georss:point over geo:lat/geo:long.
 */
static const struct rss_map rss_item_map[] = {
	{ RSS_NS_CORE, "title", "title", RSS_TEXT, 0, 2 },
	{ RSS_NS_CORE, "link", "url", RSS_URL, 0, 2 },
	{ RSS_NS_CORE, "description", "summary", RSS_HTML, 0, 2 },
	{ RSS_NS_CORE, "guid", "source_id", RSS_GUID, 0, 2 },
	{ RSS_NS_CORE, "pubDate", "updated", RSS_DATE, 0, 1 },
	{ RSS_NS_CORE, "category", "categories", RSS_TEXT, 1, 0 },
	{ RSS_NS_CORE, "author", "organiser.name", RSS_AUTHOR, 0, 1 },
	{ RSS_NS_CONTENT, "encoded", "description", RSS_HTML, 0, 2 },
	{ RSS_NS_DC, "title", "title", RSS_TEXT, 0, 1 },
	{ RSS_NS_DC, "description", "summary", RSS_HTML, 0, 1 },
	{ RSS_NS_DC, "date", "updated", RSS_DATE, 0, 1 },
	{ RSS_NS_DC, "creator", "organiser.name", RSS_TEXT, 0, 1 },
	{ RSS_NS_DC, "subject", "categories", RSS_TEXT, 1, 0 },
	{ RSS_NS_EV, "startdate", "start", RSS_DATE, 0, 1 },
	{ RSS_NS_EV, "enddate", "end", RSS_DATE, 0, 1 },
	{ RSS_NS_EV, "location", "location.name", RSS_LOCATION, 0, 1 },
	{ RSS_NS_EV, "organizer", "organiser.name", RSS_TEXT, 0, 3 },
	{ RSS_NS_EV, "type", "categories", RSS_TEXT, 1, 0 },
	{ RSS_NS_GEORSS, "point", "location.lat", RSS_POINT, 0, 2 },
	{ RSS_NS_GEO, "lat", "location.lat", RSS_LAT, 0, 1 },
	{ RSS_NS_GEO, "long", "location.lon", RSS_LON, 0, 1 },
	{ RSS_NS_DH, "activity", "activity", RSS_TERMS, 1, 0 },
	{ RSS_NS_DH, "venue", "location.name", RSS_TEXT, 0, 2 },
	{ RSS_NS_DH, "address", "location.address", RSS_TEXT, 0, 2 },
	{ RSS_NS_DH, "postcode", "location.postcode", RSS_TEXT, 0, 2 },
	{ RSS_NS_DH, "online", "location.online", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "cost-min", "cost.min", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "cost-max", "cost.max", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "cost-per", "cost.per", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "currency", "cost.currency", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "free", "cost.free", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "cost-notes", "cost.notes", RSS_TEXT, 0, 2 },
	{ RSS_NS_DH, "funding", "funding", RSS_TERMS, 1, 0 },
	{ RSS_NS_DH, "pathway", "pathway", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "support-ratio", "support.ratio", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "personal-care", "support.personal_care", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "access", "access", RSS_TERMS, 1, 0 },
	{ RSS_NS_DH, "group", "groups", RSS_TERMS, 1, 0 },
	{ RSS_NS_DH, "age-min", "age.min", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "age-max", "age.max", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "capacity", "capacity.max", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "places-left", "capacity.remaining", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "booking-url", "booking.url", RSS_URL, 0, 2 },
	{ RSS_NS_DH, "booking-phone", "booking.phone", RSS_TEXT, 0, 2 },
	{ RSS_NS_DH, "booking-email", "booking.email", RSS_EMAIL, 0, 2 },
	{ RSS_NS_DH, "booking-required", "booking.required", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "carers-free", "carers.free", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "carers-notes", "carers.notes", RSS_TEXT, 0, 2 },
	{ RSS_NS_DH, "rrule", "schedule.rrule", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "duration", "schedule.duration", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "exdate", "schedule.exdates", RSS_DATES, 1, 0 },
	{ RSS_NS_DH, "timezone", "timezone", RSS_RAW, 0, 2 },
	{ RSS_NS_DH, "organiser-phone", "organiser.phone", RSS_TEXT, 0, 2 },
	{ RSS_NS_DH, "organiser-email", "organiser.email", RSS_EMAIL, 0, 2 },
	{ RSS_NS_DH, "organiser-url", "organiser.url", RSS_URL, 0, 2 },
};

/* What <channel> says about the whole feed. */
static const struct {
	const char	*name;
	const char	*key;
	enum rss_conv	 conv;
} rss_channel_map[] = {
	{ "title", "title", RSS_TEXT },
	{ "link", "link", RSS_URL },
	{ "ttl", "ttl", RSS_RAW },
	{ "generator", "generator", RSS_TEXT },
};

/* RSS versions read as they are; any other gets a warning. */
static const char *const rss_versions[] = {
	"0.91", "0.92", "0.93", "0.94", "2.0", "2.00", "2.0.1",
};

/* Root elements of other formats: Content-Type never makes them RSS. */
static const char *const rss_other_roots[] = {
	"feed", "RDF", "icalendar", "opml", "rdf",
};

struct rss_value {
	const char	*field;
	char		*value;		/* owned */
	size_t		 len;
	int		 prio;
};

/* One parse: everything is here, nothing is global. */
struct rss_parse {
	const struct dayhub_input	*in;
	const struct dayhub_host	*host;
	void				*sink;
	xmlDocPtr			 doc;
	size_t				 max_depth;
	size_t				 nrecords;
	char				*chanbase;	/* channel link or URL */
	int				 oom;

	/* What the parser reported. */
	int				 too_deep;
	unsigned long			 too_deep_line;
	int				 entity_loop;
	int				 nerrors;
	unsigned long			 first_line;
	char				 first_msg[RSS_ERROR_MAX];

	/* Entity expansion by the text walker. */
	size_t				 expanded;
	int				 expand_warned;
	int				 external_warned;

	/* Unknown dh: elements already warned about. */
	char				 warned[RSS_MAX_WARNED][RSS_WARNED_NAME];
	size_t				 nwarned;

	/* The item being read. */
	struct rss_value		 values[RSS_MAX_VALUES];
	size_t				 nvalues;
	int				 values_warned;
};

static void	 rss_init(void) __attribute__((constructor));
static int	 rss_sniff(const unsigned char *, size_t, const char *);
static int	 rss_parse(const struct dayhub_input *,
		    const struct dayhub_host *, void *);
static void	 rss_error_cb(void *, xmlErrorPtr);
static void	 rss_start_element_cb(void *, const xmlChar *,
		    const xmlChar *, const xmlChar *, int, const xmlChar **,
		    int, int, const xmlChar **);
static void	 rss_end_element_cb(void *, const xmlChar *,
		    const xmlChar *, const xmlChar *);
static int	 rss_read(struct rss_parse *, const char *, size_t);
static void	 rss_repairs(struct rss_parse *,
		    const struct feedutil_repairs *);
static int	 rss_document(struct rss_parse *);
static void	 rss_channel(struct rss_parse *, xmlNodePtr);
static int	 rss_item(struct rss_parse *, xmlNodePtr);
static int	 rss_emit(struct rss_parse *);
static enum rss_ns rss_ns_of(xmlNodePtr);
static int	 rss_is(xmlNodePtr, const char *);
static const char *rss_qname(xmlNodePtr, char *, size_t);
static void	 rss_convert(struct rss_parse *, xmlNodePtr,
		    const struct rss_map *);
static void	 rss_convert_clean(struct rss_parse *, xmlNodePtr,
		    const struct rss_map *, char *);
static void	 rss_author(struct rss_parse *, const struct rss_map *,
		    const char *);
static void	 rss_split(struct rss_parse *, xmlNodePtr,
		    const struct rss_map *, const char *);
static char	*rss_gather(struct rss_parse *, xmlNodePtr, int);
static void	 rss_gather_text(struct rss_parse *, xmlNodePtr,
		    struct feedutil_buf *, int);
static void	 rss_gather_markup(struct rss_parse *, xmlNodePtr,
		    struct feedutil_buf *);
static void	 rss_entity(struct rss_parse *, xmlNodePtr,
		    struct feedutil_buf *, int);
static char	*rss_text(struct rss_parse *, const char *, size_t);
static char	*rss_base(struct rss_parse *, xmlNodePtr, int *);
static char	*rss_link(struct rss_parse *, xmlNodePtr, const char *,
		    int);
static void	 rss_date(struct rss_parse *, xmlNodePtr,
		    const struct rss_map *, const char *, size_t);
static int	 rss_coord(const char *, size_t, double);
static void	 rss_put(struct rss_parse *, const char *, const char *,
		    size_t, int, int);
static void	 rss_put_owned(struct rss_parse *, const char *, char *,
		    int, int);
static void	 rss_clear(struct rss_parse *);
static void	 rss_warn_unknown(struct rss_parse *, xmlNodePtr);

DAYHUB_PLUGIN_DEFINE("rss", RSS_MODULE_VERSION,
    "RSS 2.0, 0.91 and 0.92 with the event, GeoRSS and dayhub extensions",
    rss_sniff, rss_parse);

/*
 * libxml2 2.9 must set up its global tables once, in one thread, before
 * it is used from several; the daemon loads modules before it starts its
 * workers, so loading is that moment.
 */
static void
rss_init(void)
{
	xmlInitParser();
}

/*
 * Sniffs the first bytes: CERTAIN when the root element is <rss>, MAYBE
 * for any other XML (LIKELY when the server calls it application/rss+xml,
 * unless the root is that of another known format), NO when it is not
 * XML, or is HTML.  Never fails.
 */
static int
rss_sniff(const unsigned char *data, size_t len, const char *content_type)
{
	const char	*local;
	char		 name[64];
	size_t		 i;
	int		 r, said;

	said = feedutil_content_type_is(content_type, "application/rss+xml") ||
	    feedutil_content_type_is(content_type, "application/x-rss+xml");
	if (data == NULL || (r = feedutil_xml_root(data, len, name,
	    sizeof name)) == -1)
		return DAYHUB_SNIFF_NO;
	if (r == 0)
		return said ? DAYHUB_SNIFF_LIKELY : DAYHUB_SNIFF_MAYBE;
	local = strrchr(name, ':') != NULL ? strrchr(name, ':') + 1 : name;
	if (strcmp(local, "rss") == 0)
		return DAYHUB_SNIFF_CERTAIN;
	if (strcasecmp(local, "html") == 0)
		return DAYHUB_SNIFF_NO;
	for (i = 0; i < sizeof rss_other_roots / sizeof rss_other_roots[0];
	    i++)
		if (strcmp(local, rss_other_roots[i]) == 0)
			return DAYHUB_SNIFF_MAYBE;
	return said ? DAYHUB_SNIFF_LIKELY : DAYHUB_SNIFF_MAYBE;
}

/*
 * Reads an RSS feed and emits one record per usable <item>.
 *
 * Contract: `in->data` is any `in->len` bytes; nothing in them can make
 * this abort, hang or read a file or the network (see the top of this
 * file).  Records go to `host` with v1 field names; values are cleaned
 * UTF-8 within the FEEDUTIL_MAX_* caps, dates are RFC 3339 with an offset
 * only when the feed gave one, and numbers and flags are passed as found
 * for the host to check.  A pubDate is only ever "updated", never
 * "start".  Returns DAYHUB_OK when the feed was read (perhaps with
 * warnings, perhaps with no records), DAYHUB_ERROR after host->error()
 * when it is not XML, not RSS, nested too deep, or an entity bomb.  Stops
 * at once when begin() or end() answers DAYHUB_STOP, or after
 * in->max_items records.  Keeps nothing after it returns.
 */
static int
rss_parse(const struct dayhub_input *in, const struct dayhub_host *host,
    void *sink)
{
	struct feedutil_repairs	 rep;
	struct rss_parse	*p = NULL;
	char			*clean = NULL, *fixed = NULL;
	size_t			 cleanlen, fixedlen;
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
		host->error(sink, "not XML: the feed is empty");
		return DAYHUB_ERROR;
	}

	if ((p = calloc(1, sizeof *p)) == NULL)
		goto oom;
	p->in = in;
	p->host = host;
	p->sink = sink;
	p->max_depth = in->max_depth == 0 || in->max_depth > RSS_MAX_DEPTH ?
	    RSS_MAX_DEPTH : in->max_depth;

	if ((clean = feedutil_xml_sanitize(in->data, in->len, &cleanlen,
	    &rep)) == NULL)
		goto oom;
	if (rep.skipped) {
		fixed = clean;
		fixedlen = cleanlen;
		clean = NULL;
	} else if ((fixed = feedutil_entities_fix(clean, cleanlen, &fixedlen,
	    &rep)) == NULL)
		goto oom;
	free(clean);
	clean = NULL;
	if (fixedlen > INT_MAX) {
		host->error(sink, "the feed is too large to read (%zu bytes)",
		    in->len);
		goto fail;
	}

	if ((rc = rss_read(p, fixed, fixedlen)) == DAYHUB_ERROR)
		goto fail;
	rss_repairs(p, &rep);
	rc = rss_document(p);
	if (p->oom)
		goto oom;
	goto fail;

oom:
	host->error(sink, "out of memory while reading the feed");
	rc = DAYHUB_ERROR;
fail:
	if (p != NULL) {
		rss_clear(p);
		if (p->doc != NULL)
			xmlFreeDoc(p->doc);
		free(p->chanbase);
		free(p);
	}
	free(clean);
	free(fixed);
	return rc;
}

/* Keeps the first error libxml2 reports, and notes entity loops. */
static void
rss_error_cb(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct rss_parse	*p;
	size_t			 n;

	if (ctxt == NULL || (p = ctxt->_private) == NULL || e == NULL ||
	    e->level < XML_ERR_ERROR)
		return;
	if (e->code == XML_ERR_ENTITY_LOOP)
		p->entity_loop = 1;
	if (p->nerrors++ > 0 || e->message == NULL)
		return;
	p->first_line = e->line > 0 ? (unsigned long)e->line : 0;
	snprintf(p->first_msg, sizeof p->first_msg, "%s", e->message);
	n = strlen(p->first_msg);
	while (n > 0 && (p->first_msg[n - 1] == '\n' ||
	    p->first_msg[n - 1] == ' '))
		p->first_msg[--n] = '\0';
}

/* Builds the tree as usual, but stops the parser past the depth cap. */
static void
rss_start_element_cb(void *ctx, const xmlChar *localname,
    const xmlChar *prefix, const xmlChar *uri, int nb_namespaces,
    const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
    const xmlChar **attributes)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct rss_parse	*p = ctxt->_private;

	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces,
	    namespaces, nb_attributes, nb_defaulted, attributes);
	if (p != NULL && ctxt->nameNr >= 0 &&
	    (size_t)ctxt->nameNr >= p->max_depth && !p->too_deep) {
		p->too_deep = 1;
		p->too_deep_line = (unsigned long)xmlSAX2GetLineNumber(ctx);
		xmlStopParser(ctxt);
	}
}

/*
 * Marks an element whose end tag the parser read, so that an item cut
 * short (a truncated download) can be told from a whole one.
 */
static void
rss_end_element_cb(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr	 ctxt = ctx;

	if (ctxt->node != NULL && ctxt->_private != NULL)
		ctxt->node->_private = ctxt->_private;
	xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

/*
 * Parses the repaired bytes into p->doc and decides whether they are an
 * RSS document at all.  Returns DAYHUB_OK, or DAYHUB_ERROR after
 * host->error().
 */
static int
rss_read(struct rss_parse *p, const char *data, size_t len)
{
	const struct dayhub_host	*host = p->host;
	xmlParserCtxtPtr		 ctxt;
	xmlStructuredErrorFunc		 old_fn;
	void				*old_ctx;
	xmlNodePtr			 root;
	char				 qname[64];
	int				 wellformed;

	if ((ctxt = xmlCreateMemoryParserCtxt(data, (int)len)) == NULL) {
		p->oom = 1;
		host->error(p->sink, "out of memory while reading the feed");
		return DAYHUB_ERROR;
	}
	/* No NOENT, no DTDLOAD/DTDATTR/DTDVALID, never HUGE: see the top. */
	xmlCtxtUseOptions(ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES |
	    XML_PARSE_COMPACT);
	ctxt->_private = p;
	ctxt->sax->serror = rss_error_cb;
	ctxt->sax->startElementNs = rss_start_element_cb;
	ctxt->sax->endElementNs = rss_end_element_cb;
	/*
	 * Encoding and I/O errors bypass the context's handler and would go
	 * to stderr; libxml2 keeps this handler per thread, so borrow it for
	 * the parse and give it back.
	 */
	old_fn = xmlStructuredError;
	old_ctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(ctxt, rss_error_cb);
	xmlParseDocument(ctxt);
	xmlSetStructuredErrorFunc(old_ctx, old_fn);
	p->doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	wellformed = ctxt->wellFormed;
	xmlFreeParserCtxt(ctxt);

	if (p->too_deep) {
		host->error(p->sink, "elements are nested more than %zu deep "
		    "(line %lu)", p->max_depth, p->too_deep_line);
		return DAYHUB_ERROR;
	}
	if (p->entity_loop) {
		/* libxml2 counts lines inside the entity here: no line. */
		host->error(p->sink, "refused: the feed's entity declarations "
		    "expand without bound (an entity bomb)");
		return DAYHUB_ERROR;
	}
	if (p->doc == NULL || (root = xmlDocGetRootElement(p->doc)) == NULL) {
		if (p->first_msg[0] != '\0' && p->first_line > 0)
			host->error(p->sink, "not XML: %s (line %lu)",
			    p->first_msg, p->first_line);
		else if (p->first_msg[0] != '\0')
			host->error(p->sink, "not XML: %s", p->first_msg);
		else
			host->error(p->sink, "not XML: no root element");
		return DAYHUB_ERROR;
	}
	if (!xmlStrEqual(root->name, (const xmlChar *)"rss")) {
		host->error(p->sink, "not an RSS feed: the root element is "
		    "<%s>", rss_qname(root, qname, sizeof qname));
		return DAYHUB_ERROR;
	}
	/*
	 * A feed that stops before </rss> was cut short (a partial upload,
	 * a full disk): what is missing would read as deleted, so it is
	 * refused whole and the spoke keeps its listings.
	 */
	if (root->_private != p) {
		host->error(p->sink, "the feed is not whole: its XML breaks "
		    "off before </rss> (%s, line %lu), so it was not used",
		    p->first_msg[0] != '\0' ? p->first_msg : "no detail",
		    p->first_line);
		return DAYHUB_ERROR;
	}
	if (!wellformed)
		host->warn(p->sink, p->first_line, "the feed is not "
		    "well-formed XML (%s); read what could be recovered",
		    p->first_msg[0] != '\0' ? p->first_msg : "no detail");
	return DAYHUB_OK;
}

/* Says, once per kind, what was repaired before parsing. */
static void
rss_repairs(struct rss_parse *p, const struct feedutil_repairs *r)
{
	const struct dayhub_host	*h = p->host;
	void				*s = p->sink;

	if (r->controls.count > 0)
		h->warn(s, r->controls.line, "removed %zu control characters "
		    "or NUL bytes that XML does not allow", r->controls.count);
	if (r->cp1252)
		h->warn(s, 0, "the feed is not UTF-8 although it says so or "
		    "says nothing; read it as Windows-1252");
	if (r->utf8.count > 0)
		h->warn(s, r->utf8.line, "replaced %zu invalid UTF-8 "
		    "sequences with U+FFFD", r->utf8.count);
	if (r->html_entities.count > 0)
		h->warn(s, r->html_entities.line, "decoded %zu HTML entities "
		    "that XML does not define: %s%s", r->html_entities.count,
		    r->html_entities.names, r->html_entities.more ? " ..." : "");
	if (r->unknown_entities.count > 0)
		h->warn(s, r->unknown_entities.line, "kept %zu unknown "
		    "entities as text: %s%s", r->unknown_entities.count,
		    r->unknown_entities.names,
		    r->unknown_entities.more ? " ..." : "");
	if (r->bare_amps.count > 0)
		h->warn(s, r->bare_amps.line, "escaped %zu '&' characters "
		    "that began no entity", r->bare_amps.count);
	if (r->charrefs.count > 0)
		h->warn(s, r->charrefs.line, "read %zu character references "
		    "in the range &#128;-&#159; as Windows-1252",
		    r->charrefs.count);
}

/* Walks <rss>: the channel first, then its items. */
static int
rss_document(struct rss_parse *p)
{
	xmlNodePtr	 root = xmlDocGetRootElement(p->doc), chan = NULL, n;
	xmlChar		*version;
	size_t		 i;
	int		 r;

	if ((version = xmlGetProp(root, (const xmlChar *)"version")) != NULL) {
		for (i = 0; i < sizeof rss_versions / sizeof rss_versions[0];
		    i++)
			if (strcmp((const char *)version, rss_versions[i]) == 0)
				break;
		if (i == sizeof rss_versions / sizeof rss_versions[0])
			p->host->warn(p->sink, (unsigned long)xmlGetLineNo(root),
			    "RSS version \"%.*s\" is not one this module "
			    "knows; read as RSS 2.0", RSS_QUOTE,
			    (const char *)version);
		xmlFree(version);
	}
	for (n = root->children; n != NULL; n = n->next)
		if (rss_is(n, "channel")) {
			chan = n;
			break;
		}
	if (chan == NULL) {
		p->host->error(p->sink, "not an RSS feed: <rss> has no "
		    "<channel>");
		return DAYHUB_ERROR;
	}
	rss_channel(p, chan);
	if (p->oom)
		return DAYHUB_ERROR;

	/* Items belong in the channel; some old feeds put them beside it. */
	for (n = chan->children; n != NULL; n = n->next)
		if (rss_is(n, "item") && (r = rss_item(p, n)) != DAYHUB_OK)
			return r == DAYHUB_STOP ? DAYHUB_OK : r;
	for (n = root->children; n != NULL; n = n->next)
		if (rss_is(n, "item") && (r = rss_item(p, n)) != DAYHUB_OK)
			return r == DAYHUB_STOP ? DAYHUB_OK : r;
	return DAYHUB_OK;
}

/* Reports the channel's own facts and works out the base for links. */
static void
rss_channel(struct rss_parse *p, xmlNodePtr chan)
{
	xmlNodePtr	 n;
	size_t		 i;
	char		*raw, *v;
	int		 done[sizeof rss_channel_map / sizeof rss_channel_map[0]];

	memset(done, 0, sizeof done);
	if (p->in->base_url != NULL &&
	    (p->chanbase = strdup(p->in->base_url)) == NULL) {
		p->oom = 1;
		return;
	}
	for (n = chan->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || rss_ns_of(n) != RSS_NS_CORE)
			continue;
		for (i = 0; i < sizeof rss_channel_map /
		    sizeof rss_channel_map[0]; i++)
			if (!done[i] && xmlStrEqual(n->name,
			    (const xmlChar *)rss_channel_map[i].name))
				break;
		if (i == sizeof rss_channel_map / sizeof rss_channel_map[0])
			continue;
		if ((raw = rss_gather(p, n, 0)) == NULL)
			return;
		v = rss_channel_map[i].conv == RSS_URL ? rss_link(p, n, raw, 0) :
		    rss_text(p, raw, FEEDUTIL_MAX_FIELD);
		free(raw);
		if (v == NULL || *v == '\0') {
			free(v);
			continue;
		}
		done[i] = 1;
		p->host->feed(p->sink, rss_channel_map[i].key, v, strlen(v));
		if (rss_channel_map[i].conv == RSS_URL) {
			/* The site's address is the base for relative links. */
			free(p->chanbase);
			p->chanbase = v;
		} else
			free(v);
	}
}

/*
 * Reads one <item> into p->values and emits it.  Returns DAYHUB_OK to go
 * on, DAYHUB_STOP when the host wants no more, DAYHUB_ERROR on no memory.
 */
static int
rss_item(struct rss_parse *p, xmlNodePtr item)
{
	const struct rss_map	*m;
	const struct rss_value	*url = NULL;
	const char		*f;
	xmlNodePtr		 n;
	enum rss_ns		 ns;
	size_t			 i;
	int			 text = 0, id = 0;

	if (p->in->max_items > 0 && p->nrecords >= p->in->max_items)
		return DAYHUB_STOP;
	if (item->_private != p) {
		p->host->warn(p->sink, (unsigned long)xmlGetLineNo(item),
		    "left out an item the feed ends in the middle of");
		return DAYHUB_OK;
	}
	rss_clear(p);
	for (n = item->children; n != NULL && !p->oom; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if ((ns = rss_ns_of(n)) == RSS_NS_OTHER)
			continue;
		m = NULL;
		for (i = 0; i < sizeof rss_item_map / sizeof rss_item_map[0];
		    i++) {
			if (rss_item_map[i].ns == ns && xmlStrEqual(n->name,
			    (const xmlChar *)rss_item_map[i].name)) {
				m = &rss_item_map[i];
				break;
			}
		}
		if (m != NULL)
			rss_convert(p, n, m);
		else if (ns == RSS_NS_DH)
			rss_warn_unknown(p, n);
	}
	if (p->oom)
		return DAYHUB_ERROR;

	for (i = 0; i < p->nvalues; i++) {
		f = p->values[i].field;
		if (strcmp(f, "source_id") == 0)
			id = 1;
		else if (strcmp(f, "url") == 0)
			url = &p->values[i];
		else if (strcmp(f, "title") == 0 ||
		    strcmp(f, "summary") == 0 || strcmp(f, "description") == 0)
			text = 1;
	}
	if (!text) {
		p->host->warn(p->sink, (unsigned long)xmlGetLineNo(item),
		    "left out an item with neither title nor description");
		return DAYHUB_OK;
	}
	/* Without a guid, the item's link is the next best identity. */
	if (!id && url != NULL)
		rss_put(p, "source_id", url->value, url->len, 0, 0);
	if (p->oom)
		return DAYHUB_ERROR;
	return rss_emit(p);
}

/* Hands the item's values to the host as one record. */
static int
rss_emit(struct rss_parse *p)
{
	const struct dayhub_host	*h = p->host;
	size_t				 i;

	if (h->begin(p->sink) == DAYHUB_STOP)
		return DAYHUB_STOP;
	for (i = 0; i < p->nvalues; i++) {
		/* DAYHUB_REJECT: the host has warned; the rest still goes. */
		if (h->set(p->sink, p->values[i].field, p->values[i].value,
		    p->values[i].len) == DAYHUB_STOP)
			return DAYHUB_STOP;
	}
	p->nrecords++;
	if (h->end(p->sink) == DAYHUB_STOP)
		return DAYHUB_STOP;
	if (p->in->max_items > 0 && p->nrecords >= p->in->max_items)
		return DAYHUB_STOP;
	return DAYHUB_OK;
}

/* The vocabulary of an element, by its namespace URI. */
static enum rss_ns
rss_ns_of(xmlNodePtr n)
{
	size_t	i;

	if (n->ns == NULL || n->ns->href == NULL)
		return RSS_NS_CORE;
	for (i = 0; i < sizeof rss_namespaces / sizeof rss_namespaces[0]; i++)
		if (xmlStrEqual(n->ns->href,
		    (const xmlChar *)rss_namespaces[i].uri))
			return rss_namespaces[i].ns;
	return RSS_NS_OTHER;
}

/* 1 when `n` is the RSS element `name`. */
static int
rss_is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && rss_ns_of(n) == RSS_NS_CORE &&
	    xmlStrEqual(n->name, (const xmlChar *)name);
}

/* An element's name as written, "ev:startdate", for messages. */
static const char *
rss_qname(xmlNodePtr n, char *buf, size_t len)
{
	if (n->ns != NULL && n->ns->prefix != NULL)
		snprintf(buf, len, "%s:%s", (const char *)n->ns->prefix,
		    (const char *)n->name);
	else
		snprintf(buf, len, "%s", (const char *)n->name);
	return buf;
}

/* Turns one element into values of the item, as its table row says. */
static void
rss_convert(struct rss_parse *p, xmlNodePtr n, const struct rss_map *m)
{
	char	*raw, *v = NULL;
	size_t	 len;

	if ((raw = rss_gather(p, n, m->conv == RSS_TEXT ||
	    m->conv == RSS_HTML)) == NULL)
		return;
	len = strlen(raw);

	switch (m->conv) {
	case RSS_HTML:
		if ((v = feedutil_html_to_text(raw, len, FEEDUTIL_MAX_TEXT)) ==
		    NULL)
			p->oom = 1;
		rss_put_owned(p, m->field, v, m->prio, m->list);
		break;
	case RSS_TEXT:
		rss_put_owned(p, m->field, rss_text(p, raw, FEEDUTIL_MAX_FIELD),
		    m->prio, m->list);
		break;
	case RSS_URL:
		rss_put_owned(p, m->field, rss_link(p, n, raw, 1), m->prio,
		    m->list);
		break;
	case RSS_DATE:
		rss_date(p, n, m, raw, len);
		break;
	case RSS_DATES:
	case RSS_TERMS:
		rss_split(p, n, m, raw);
		break;
	default:
		/* The rest read one line of clean text first. */
		if ((v = feedutil_text_clean(raw, len, FEEDUTIL_MAX_FIELD)) ==
		    NULL) {
			p->oom = 1;
			break;
		}
		rss_convert_clean(p, n, m, v);
		free(v);
		break;
	}
	free(raw);
}

/* The conversions that start from one line of clean text `v`. */
static void
rss_convert_clean(struct rss_parse *p, xmlNodePtr n, const struct rss_map *m,
    char *v)
{
	const char	*s, *e, *sep;
	xmlChar		*perma;
	int		 permalink;

	if (*v == '\0')
		return;
	switch (m->conv) {
	case RSS_RAW:
		rss_put(p, m->field, v, strlen(v), m->prio, m->list);
		break;
	case RSS_EMAIL:
		s = strncasecmp(v, "mailto:", 7) == 0 ? v + 7 : v;
		rss_put(p, m->field, s, strlen(s), m->prio, m->list);
		break;
	case RSS_GUID:
		rss_put(p, m->field, v, strlen(v), m->prio, 0);
		perma = xmlGetProp(n, (const xmlChar *)"isPermaLink");
		permalink = perma == NULL || xmlStrcasecmp(perma,
		    (const xmlChar *)"true") == 0;
		if (perma != NULL)
			xmlFree(perma);
		/* A guid that is no link (a urn:uuid:) gives no url, quietly. */
		if (permalink)
			rss_put_owned(p, "url", rss_link(p, n, v, 0), 1, 0);
		break;
	case RSS_AUTHOR:
		rss_author(p, m, v);
		break;
	case RSS_LOCATION:
		/* "Name, the address": the name is what comes first. */
		if ((sep = strchr(v, ',')) == NULL) {
			rss_put(p, "location.name", v, strlen(v), m->prio, 0);
			break;
		}
		for (e = sep; e > v && e[-1] == ' '; e--)
			;
		rss_put(p, "location.name", v, (size_t)(e - v), m->prio, 0);
		for (s = sep + 1; *s == ' '; s++)
			;
		rss_put(p, "location.address", s, strlen(s), m->prio, 0);
		break;
	case RSS_POINT:
		/* "lat lon"; a comma between them is forgiven. */
		e = v + strcspn(v, " ,");
		for (s = e; *s == ' ' || *s == ','; s++)
			;
		if (*s == '\0' || strpbrk(s, " ,") != NULL ||
		    !rss_coord(v, (size_t)(e - v), 90) ||
		    !rss_coord(s, strlen(s), 180)) {
			p->host->warn(p->sink, (unsigned long)xmlGetLineNo(n),
			    "left out <georss:point> \"%.*s\": not a latitude "
			    "and longitude in range", RSS_QUOTE, v);
			break;
		}
		rss_put(p, "location.lat", v, (size_t)(e - v), m->prio, 0);
		rss_put(p, "location.lon", s, strlen(s), m->prio, 0);
		break;
	case RSS_LAT:
	case RSS_LON:
		if (!rss_coord(v, strlen(v), m->conv == RSS_LAT ? 90 : 180)) {
			p->host->warn(p->sink, (unsigned long)xmlGetLineNo(n),
			    "left out %s \"%.*s\": not a coordinate in range",
			    m->field, RSS_QUOTE, v);
			break;
		}
		rss_put(p, m->field, v, strlen(v), m->prio, 0);
		break;
	default:
		break;
	}
}

/*
 * Reads an author: RSS says "email (Name)", mail says "Name <email>",
 * and many write just a name or just an address.
 */
static void
rss_author(struct rss_parse *p, const struct rss_map *m, const char *v)
{
	const char	*open, *close, *e;

	if ((open = strchr(v, '(')) != NULL &&
	    (close = strrchr(open, ')')) != NULL) {
		rss_put(p, "organiser.name", open + 1,
		    (size_t)(close - open - 1), m->prio, 0);
		for (e = open; e > v && e[-1] == ' '; e--)
			;
		if (memchr(v, '@', (size_t)(e - v)) != NULL)
			rss_put(p, "organiser.email", v, (size_t)(e - v), 1, 0);
	} else if ((open = strchr(v, '<')) != NULL &&
	    (close = strchr(open, '>')) != NULL) {
		for (e = open; e > v && e[-1] == ' '; e--)
			;
		rss_put(p, "organiser.name", v, (size_t)(e - v), m->prio, 0);
		if (memchr(open, '@', (size_t)(close - open)) != NULL)
			rss_put(p, "organiser.email", open + 1,
			    (size_t)(close - open - 1), 1, 0);
	} else if (strchr(v, '@') != NULL && strchr(v, ' ') == NULL)
		rss_put(p, "organiser.email", v, strlen(v), 1, 0);
	else
		rss_put(p, "organiser.name", v, strlen(v), m->prio, 0);
}

/*
 * Splits a comma-separated list into a value each.  A list of dates is
 * first tried whole, because an RFC 822 date has a comma of its own.
 */
static void
rss_split(struct rss_parse *p, xmlNodePtr n, const struct rss_map *m,
    const char *raw)
{
	const char	*s, *comma;
	char		 out[FEEDUTIL_DATE_MAX], *part;

	if (m->conv == RSS_DATES &&
	    feedutil_date_parse(raw, strlen(raw), out, sizeof out) == 0) {
		rss_put(p, m->field, out, strlen(out), m->prio, m->list);
		return;
	}
	for (s = raw; !p->oom; s = comma + 1) {
		if ((comma = strchr(s, ',')) == NULL)
			comma = s + strlen(s);
		if (m->conv == RSS_DATES)
			rss_date(p, n, m, s, (size_t)(comma - s));
		else if ((part = feedutil_text_clean(s, (size_t)(comma - s),
		    FEEDUTIL_MAX_FIELD)) == NULL)
			p->oom = 1;
		else
			rss_put_owned(p, m->field, part, m->prio, m->list);
		if (*comma == '\0')
			break;
	}
}

/*
 * The text of an element, raw: with `markup`, child elements are kept as
 * markup for the HTML reader (a <description> holding XHTML); otherwise
 * only their text.  NULL (and p->oom) when out of memory.
 */
static char *
rss_gather(struct rss_parse *p, xmlNodePtr n, int markup)
{
	struct feedutil_buf	 b;
	xmlNodePtr		 c;
	char			*s;

	feedutil_buf_init(&b);
	for (c = n->children; markup && c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			break;
	if (markup && c != NULL)
		rss_gather_markup(p, n->children, &b);
	else
		rss_gather_text(p, n->children, &b, 0);
	if ((s = feedutil_buf_finish(&b, NULL)) == NULL)
		p->oom = 1;
	return s;
}

/* Appends the text of a list of nodes, entities expanded within budget. */
static void
rss_gather_text(struct rss_parse *p, xmlNodePtr n, struct feedutil_buf *b,
    int edepth)
{
	for (; n != NULL && b->len < RSS_MAX_GATHER; n = n->next) {
		switch (n->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (n->content != NULL)
				feedutil_buf_adds(b, (const char *)n->content);
			break;
		case XML_ELEMENT_NODE:
			rss_gather_text(p, n->children, b, edepth);
			break;
		case XML_ENTITY_REF_NODE:
			rss_entity(p, n, b, edepth);
			break;
		default:
			break;
		}
	}
}

/* Appends a list of nodes as markup: text escaped, elements serialized. */
static void
rss_gather_markup(struct rss_parse *p, xmlNodePtr n, struct feedutil_buf *b)
{
	struct feedutil_buf	 t;
	xmlBufferPtr		 xb;
	const char		*s;

	for (; n != NULL && b->len < RSS_MAX_GATHER; n = n->next) {
		switch (n->type) {
		case XML_CDATA_SECTION_NODE:
			if (n->content != NULL)
				feedutil_buf_adds(b, (const char *)n->content);
			break;
		case XML_TEXT_NODE:
		case XML_ENTITY_REF_NODE:
			feedutil_buf_init(&t);
			if (n->type == XML_ENTITY_REF_NODE)
				rss_entity(p, n, &t, 0);
			s = n->type == XML_TEXT_NODE ?
			    (const char *)n->content : t.data;
			for (; s != NULL && *s != '\0'; s++) {
				if (*s == '&')
					feedutil_buf_adds(b, "&amp;");
				else if (*s == '<')
					feedutil_buf_adds(b, "&lt;");
				else if (*s == '>')
					feedutil_buf_adds(b, "&gt;");
				else
					feedutil_buf_addc(b, *s);
			}
			if (t.failed)
				b->failed = 1;
			feedutil_buf_free(&t);
			break;
		case XML_ELEMENT_NODE:
			if ((xb = xmlBufferCreate()) == NULL) {
				b->failed = 1;
				return;
			}
			if (xmlNodeDump(xb, p->doc, n, 0, 0) > 0)
				feedutil_buf_add(b, xmlBufferContent(xb),
				    (size_t)xmlBufferLength(xb));
			xmlBufferFree(xb);
			break;
		default:
			break;
		}
	}
}

/*
 * Appends what an entity reference stands for: an internal entity's text
 * within the document's budget and nesting cap; an external one never.
 */
static void
rss_entity(struct rss_parse *p, xmlNodePtr n, struct feedutil_buf *b,
    int edepth)
{
	xmlEntityPtr	 ent;
	size_t		 before;

	if ((ent = xmlGetDocEntity(p->doc, n->name)) == NULL)
		return;
	if (ent->etype != XML_INTERNAL_GENERAL_ENTITY) {
		if (!p->external_warned++)
			p->host->warn(p->sink, (unsigned long)xmlGetLineNo(n),
			    "left out the external entity &%.*s;, which is "
			    "never read", RSS_QUOTE, (const char *)n->name);
		return;
	}
	if (edepth >= RSS_MAX_ENTITY_DEPTH ||
	    p->expanded >= RSS_MAX_EXPANSION) {
		if (!p->expand_warned++)
			p->host->warn(p->sink, (unsigned long)xmlGetLineNo(n),
			    "stopped expanding entities: nested too deep or "
			    "too much text");
		return;
	}
	before = b->len;
	rss_gather_text(p, ent->children, b, edepth + 1);
	p->expanded += b->len - before;
}

/* One line of plain text from raw element text that may hold markup. */
static char *
rss_text(struct rss_parse *p, const char *raw, size_t max)
{
	char	*t, *v;
	size_t	 len = strlen(raw);

	if (!feedutil_looks_like_html(raw, len)) {
		if ((v = feedutil_text_clean(raw, len, max)) == NULL)
			p->oom = 1;
		return v;
	}
	if ((t = feedutil_html_to_text(raw, len, max)) == NULL) {
		p->oom = 1;
		return NULL;
	}
	if ((v = feedutil_text_clean(t, strlen(t), max)) == NULL)
		p->oom = 1;
	free(t);
	return v;
}

/*
 * The base URL in force at `n`: its xml:base attributes and those of its
 * ancestors, resolved in turn from the feed's own URL.  *found is set
 * when there was any xml:base at all.
 */
static char *
rss_base(struct rss_parse *p, xmlNodePtr n, int *found)
{
	xmlChar	*xb;
	char	*outer, *r;

	if (n == NULL || n->type != XML_ELEMENT_NODE) {
		*found = 0;
		if (p->in->base_url == NULL)
			return NULL;
		if ((r = strdup(p->in->base_url)) == NULL)
			p->oom = 1;
		return r;
	}
	outer = rss_base(p, n->parent, found);
	if ((xb = xmlGetNsProp(n, (const xmlChar *)"base",
	    XML_XML_NAMESPACE)) == NULL)
		return outer;
	*found = 1;
	r = feedutil_url_resolve((const char *)xb, outer);
	xmlFree(xb);
	if (r == NULL)
		return outer;
	free(outer);
	return r;
}

/*
 * Resolves the link `raw` found in element `n` against the xml:base in
 * force there, else the channel's link, else the feed's URL.  With
 * `warn`, a link that resolves to nothing usable is reported.
 */
static char *
rss_link(struct rss_parse *p, xmlNodePtr n, const char *raw, int warn)
{
	char	*t, *base, *r;
	char	 qname[64];
	int	 found = 0;

	if ((t = feedutil_text_clean(raw, strlen(raw), FEEDUTIL_MAX_FIELD)) ==
	    NULL) {
		p->oom = 1;
		return NULL;
	}
	if (*t == '\0') {
		free(t);
		return NULL;
	}
	base = rss_base(p, n, &found);
	r = feedutil_url_resolve(t, found || p->chanbase == NULL ? base :
	    p->chanbase);
	if (r != NULL && strlen(r) > FEEDUTIL_MAX_FIELD) {
		free(r);
		r = NULL;
	}
	if (r == NULL && warn)
		p->host->warn(p->sink, (unsigned long)xmlGetLineNo(n),
		    "left out the link \"%.*s\" in <%s>: not an absolute "
		    "http, https, mailto or tel URL", RSS_QUOTE, t,
		    rss_qname(n, qname, sizeof qname));
	free(base);
	free(t);
	return r;
}

/* Converts one date for the item, or warns and leaves it out. */
static void
rss_date(struct rss_parse *p, xmlNodePtr n, const struct rss_map *m,
    const char *s, size_t len)
{
	char	 out[FEEDUTIL_DATE_MAX], qname[64], *t;

	if ((t = feedutil_text_clean(s, len, FEEDUTIL_MAX_FIELD)) == NULL) {
		p->oom = 1;
		return;
	}
	if (*t == '\0') {
		free(t);
		return;
	}
	if (feedutil_date_parse(t, strlen(t), out, sizeof out) == -1)
		p->host->warn(p->sink, (unsigned long)xmlGetLineNo(n),
		    "left out the date \"%.*s\" in <%s>: not a date this "
		    "module can read", RSS_QUOTE, t,
		    rss_qname(n, qname, sizeof qname));
	else
		rss_put(p, m->field, out, strlen(out), m->prio, m->list);
	free(t);
}

/* 1 when `s` is a decimal number within [-limit, limit]. */
static int
rss_coord(const char *s, size_t len, double limit)
{
	double	v;

	return feedutil_decimal_parse(s, len, &v) == 0 && v >= -limit &&
	    v <= limit;
}

/* Copies a value into the item (see rss_put_owned()). */
static void
rss_put(struct rss_parse *p, const char *field, const char *s, size_t len,
    int prio, int list)
{
	char	*v;

	if ((v = malloc(len + 1)) == NULL) {
		p->oom = 1;
		return;
	}
	memcpy(v, s, len);
	v[len] = '\0';
	rss_put_owned(p, field, v, prio, list);
}

/*
 * Adds a value the item now owns.  An empty one is dropped; in a list,
 * so is a repeat, and anything past RSS_MAX_LIST; in a single field, the
 * value stays only if its priority beats the one there.
 */
static void
rss_put_owned(struct rss_parse *p, const char *field, char *v, int prio,
    int list)
{
	struct rss_value	*x;
	size_t			 i, count = 0;

	if (v == NULL || *v == '\0') {
		free(v);
		return;
	}
	for (i = 0; i < p->nvalues; i++) {
		x = &p->values[i];
		if (strcmp(x->field, field) != 0)
			continue;
		if (list) {
			if (strcmp(x->value, v) == 0 || ++count >= RSS_MAX_LIST) {
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
	if (p->nvalues == RSS_MAX_VALUES) {
		if (!p->values_warned++)
			p->host->warn(p->sink, 0, "an item has more than %d "
			    "values; the rest were left out", RSS_MAX_VALUES);
		free(v);
		return;
	}
	x = &p->values[p->nvalues++];
	x->field = field;
	x->value = v;
	x->len = strlen(v);
	x->prio = prio;
}

/* Forgets the item's values. */
static void
rss_clear(struct rss_parse *p)
{
	size_t	i;

	for (i = 0; i < p->nvalues; i++)
		free(p->values[i].value);
	p->nvalues = 0;
	p->values_warned = 0;
}

/* Warns about an unknown dh: element, once per name in a feed. */
static void
rss_warn_unknown(struct rss_parse *p, xmlNodePtr n)
{
	size_t	i;

	for (i = 0; i < p->nwarned; i++)
		if (strncmp(p->warned[i], (const char *)n->name,
		    RSS_WARNED_NAME - 1) == 0)
			return;
	if (p->nwarned == RSS_MAX_WARNED)
		return;
	snprintf(p->warned[p->nwarned++], RSS_WARNED_NAME, "%s",
	    (const char *)n->name);
	p->host->warn(p->sink, (unsigned long)xmlGetLineNo(n),
	    "left out <%s:%.*s>, which the dayhub namespace does not define",
	    n->ns->prefix != NULL ? (const char *)n->ns->prefix : "dh",
	    RSS_QUOTE, (const char *)n->name);
}
