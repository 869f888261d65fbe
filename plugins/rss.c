/*
 * rss.c - the RSS format module: RSS 2.0, 0.91 and 0.92, and the RDF
 * based RSS 1.0 (and its forerunner 0.90), with the content:, dc:, ev:
 * (RSS event module), georss:, geo: and dayhub (dh:) namespaces.
 *
 * The bytes are read into a tree by feedutil_xml_open(), which decides
 * the security of the XML parse for every module (no external entity or
 * DTD is ever read, entity expansion has a budget, nesting is capped,
 * repairs are made before parsing and reported once each, a document
 * that breaks off before its root closes is refused); the extension
 * elements are read by the table feedutil shares with the Atom module.
 * What is left here is RSS itself: which roots are RSS, where the items
 * are, and what its own elements mean.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "dayhub/plugin.h"
#include "feedutil.h"

#define RSS_MODULE_VERSION	"1.1"
#define RSS_NS_RDF	"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define RSS_NS_10	"http://purl.org/rss/1.0/"
#define RSS_NS_090	"http://my.netscape.com/rdf/simple/0.9/"

/* The namespaces of RSS's own elements; none at all counts too. */
static const char *const rss_core[] = {
	"http://backend.userland.com/rss2",
	"http://blogs.law.harvard.edu/tech/rss",
	RSS_NS_10,
	RSS_NS_090,
	NULL
};

/*
 * What each RSS element of an <item> becomes; the extension namespaces
 * are in feedutil's shared table.  <link> beats a permalink <guid> for
 * the url; <title> and <description> beat dc:title and dc:description.
 */
static const struct feedutil_map rss_item_map[] = {
	{ FEEDUTIL_NS_CORE, "title", "title", FEEDUTIL_TEXT, 2 },
	{ FEEDUTIL_NS_CORE, "link", "url", FEEDUTIL_URL, 2 },
	{ FEEDUTIL_NS_CORE, "description", "summary", FEEDUTIL_HTML, 2 },
	{ FEEDUTIL_NS_CORE, "guid", "source_id", FEEDUTIL_GUID, 2 },
	{ FEEDUTIL_NS_CORE, "pubDate", "updated", FEEDUTIL_DATE, 1 },
	{ FEEDUTIL_NS_CORE, "category", "categories", FEEDUTIL_TEXT, 0 },
	{ FEEDUTIL_NS_CORE, "author", "organiser.name", FEEDUTIL_AUTHOR, 1 },
};

/* What <channel> says about the whole feed. */
static const struct {
	const char		*name;
	const char		*key;
	enum feedutil_kind	 kind;
} rss_channel_map[] = {
	{ "title", "title", FEEDUTIL_TEXT },
	{ "link", "link", FEEDUTIL_URL },
	{ "ttl", "ttl", FEEDUTIL_RAW },
	{ "generator", "generator", FEEDUTIL_TEXT },
};

/* RSS versions read as they are; any other gets a warning. */
static const char *const rss_versions[] = {
	"0.91", "0.92", "0.93", "0.94", "2.0", "2.00", "2.0.1",
};

/* Root elements of other formats: Content-Type never makes them RSS. */
static const char *const rss_other_roots[] = {
	"feed", "RDF", "icalendar", "opml", "rdf",
};

static void	 rss_init(void) __attribute__((constructor));
static int	 rss_sniff(const unsigned char *, size_t, const char *);
static int	 rss_parse(const struct dayhub_input *,
		    const struct dayhub_host *, void *);
static int	 rss_is_rdf(xmlNodePtr);
static int	 rss_document(struct feedutil_xml *, xmlNodePtr, int);
static void	 rss_channel(struct feedutil_xml *, xmlNodePtr);
static int	 rss_item(struct feedutil_xml *, xmlNodePtr, int);
static int	 rss_items(struct feedutil_xml *, xmlNodePtr, int);
static void	 rss_about(struct feedutil_xml *, xmlNodePtr);

DAYHUB_PLUGIN_DEFINE("rss", RSS_MODULE_VERSION,
    "RSS 2.0, 0.91, 0.92 and 1.0 with the event, GeoRSS and dayhub "
    "extensions", rss_sniff, rss_parse);

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
 * Sniffs the first bytes: CERTAIN when the root element is <rss>, or an
 * <rdf:RDF> that declares the RSS 1.0 (or 0.90) namespace; MAYBE for any
 * other XML (LIKELY when the server calls it application/rss+xml, unless
 * the root is that of another known format); NO when it is not XML, or
 * is HTML.  Never fails.
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
	if (strcmp(local, "RDF") == 0 && (feedutil_xml_root_xmlns(data, len,
	    NULL, RSS_NS_10) || feedutil_xml_root_xmlns(data, len, NULL,
	    RSS_NS_090)))
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
 * this abort, hang or read a file or the network (see
 * feedutil_xml_open()).  Records go to `host` with v1 field names; values
 * are cleaned UTF-8 within the FEEDUTIL_MAX_* caps, dates are RFC 3339
 * with an offset only when the feed gave one, and numbers and flags are
 * passed as found for the host to check.  A pubDate or dc:date is only
 * ever "updated", never "start".  Returns DAYHUB_OK when the feed was
 * read (perhaps with warnings, perhaps with no records), DAYHUB_ERROR
 * after host->error() when it is not XML, not RSS, not whole, nested too
 * deep, or an entity bomb.  Stops at once when begin() or end() answers
 * DAYHUB_STOP, or after in->max_items records.  Keeps nothing after it
 * returns.
 */
static int
rss_parse(const struct dayhub_input *in, const struct dayhub_host *host,
    void *sink)
{
	struct feedutil_xml	*x;
	xmlNodePtr		 root;
	char			 qname[64];
	int			 rc, rdf = 0;

	if ((rc = feedutil_xml_open(&x, in, host, sink, rss_core)) !=
	    DAYHUB_OK)
		return rc;
	root = feedutil_xml_root_element(x);
	if (!xmlStrEqual(root->name, (const xmlChar *)"rss") &&
	    !(rdf = rss_is_rdf(root)))
		rc = feedutil_xml_fail(x, "not an RSS feed: the root element "
		    "is <%s>%s", feedutil_xml_qname(root, qname, sizeof qname),
		    xmlStrEqual(root->name, (const xmlChar *)"RDF") ?
		    " without the RSS 1.0 namespace" : "");
	else if ((rc = feedutil_xml_whole(x)) == DAYHUB_OK)
		rc = rss_document(x, root, rdf);
	return feedutil_xml_close(x, rc);
}

/*
 * 1 when the root is an RSS 1.0 (or 0.90) <rdf:RDF>: it, or one of its
 * children, uses the RSS 1.0 namespace.  Any other RDF is not a feed.
 */
static int
rss_is_rdf(xmlNodePtr root)
{
	xmlNodePtr	n;

	if (!xmlStrEqual(root->name, (const xmlChar *)"RDF") ||
	    (root->ns != NULL && !xmlStrEqual(root->ns->href,
	    (const xmlChar *)RSS_NS_RDF)))
		return 0;
	if (xmlSearchNsByHref(root->doc, root, (const xmlChar *)RSS_NS_10) !=
	    NULL || xmlSearchNsByHref(root->doc, root,
	    (const xmlChar *)RSS_NS_090) != NULL)
		return 1;
	for (n = root->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
		    (xmlStrEqual(n->ns->href, (const xmlChar *)RSS_NS_10) ||
		    xmlStrEqual(n->ns->href, (const xmlChar *)RSS_NS_090)))
			return 1;
	return 0;
}

/*
 * Walks the root: the channel first, then its items, then the items
 * beside it (where RSS 1.0 puts them, and some old feeds too).
 */
static int
rss_document(struct feedutil_xml *x, xmlNodePtr root, int rdf)
{
	xmlNodePtr	 chan = NULL, n;
	char		*version, qname[64];
	size_t		 i;
	int		 r;

	if (!rdf && (version = feedutil_xml_attr(x, root, "version",
	    NULL)) != NULL) {
		for (i = 0; i < sizeof rss_versions / sizeof rss_versions[0];
		    i++)
			if (strcmp(version, rss_versions[i]) == 0)
				break;
		if (i == sizeof rss_versions / sizeof rss_versions[0])
			feedutil_xml_warn(x, root, "RSS version \"%.*s\" is "
			    "not one this module knows; read as RSS 2.0",
			    FEEDUTIL_QUOTE, version);
		free(version);
	}
	for (n = root->children; n != NULL; n = n->next)
		if (feedutil_xml_is(x, n, "channel")) {
			chan = n;
			break;
		}
	if (chan == NULL)
		return feedutil_xml_fail(x, "not an RSS feed: <%s> has no "
		    "<channel>", feedutil_xml_qname(root, qname, sizeof qname));
	rss_channel(x, chan);
	if (feedutil_xml_failed(x))
		return DAYHUB_ERROR;

	/* RSS 2.0 items are in the channel, RSS 1.0 ones beside it. */
	if ((r = rss_items(x, chan, rdf)) != DAYHUB_OK)
		return r == DAYHUB_STOP ? DAYHUB_OK : r;
	r = rss_items(x, root, rdf);
	return r == DAYHUB_STOP ? DAYHUB_OK : r;
}

/* Reads the <item> children of `parent`; DAYHUB_OK when all were read. */
static int
rss_items(struct feedutil_xml *x, xmlNodePtr parent, int rdf)
{
	xmlNodePtr	n, next;
	int		r;

	for (n = parent->children; n != NULL; n = next) {
		next = n->next;
		if (!feedutil_xml_is(x, n, "item"))
			continue;
		r = rss_item(x, n, rdf);
		/* Done with: its memory serves the items after it. */
		feedutil_xml_release(x, n);
		if (r != DAYHUB_OK)
			return r;
	}
	return DAYHUB_OK;
}

/* Reports the channel's own facts and sets the base for links. */
static void
rss_channel(struct feedutil_xml *x, xmlNodePtr chan)
{
	xmlNodePtr	 n;
	size_t		 i;
	char		*raw, *v;
	int		 done[sizeof rss_channel_map / sizeof rss_channel_map[0]];

	memset(done, 0, sizeof done);
	for (n = chan->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    feedutil_xml_ns(x, n) != FEEDUTIL_NS_CORE)
			continue;
		for (i = 0; i < sizeof rss_channel_map /
		    sizeof rss_channel_map[0]; i++)
			if (!done[i] && xmlStrEqual(n->name,
			    (const xmlChar *)rss_channel_map[i].name))
				break;
		if (i == sizeof rss_channel_map / sizeof rss_channel_map[0])
			continue;
		if ((raw = feedutil_xml_gather(x, n, FEEDUTIL_GATHER_TEXT)) ==
		    NULL)
			return;
		v = rss_channel_map[i].kind == FEEDUTIL_URL ?
		    feedutil_xml_link(x, n, raw, 0) :
		    feedutil_xml_text(x, raw, FEEDUTIL_MAX_FIELD);
		free(raw);
		if (v == NULL || *v == '\0') {
			free(v);
			continue;
		}
		done[i] = 1;
		feedutil_xml_feed(x, rss_channel_map[i].key, v);
		/* The site's address is the base for relative links. */
		if (rss_channel_map[i].kind == FEEDUTIL_URL)
			feedutil_xml_set_base(x, v);
		free(v);
	}
}

/*
 * Reads one <item> into the record and emits it.  Returns DAYHUB_OK to
 * go on, DAYHUB_STOP when the host wants no more, DAYHUB_ERROR on no
 * memory.
 */
static int
rss_item(struct feedutil_xml *x, xmlNodePtr item, int rdf)
{
	const char	*url;
	xmlNodePtr	 n;

	if (!feedutil_item_room(x, item))
		return DAYHUB_STOP;
	if (!feedutil_xml_complete(x, item)) {
		feedutil_xml_warn(x, item, "left out an item the feed ends in "
		    "the middle of");
		return DAYHUB_OK;
	}
	feedutil_item_clear(x);
	if (rdf)
		rss_about(x, item);
	for (n = item->children; n != NULL && !feedutil_xml_failed(x);
	    n = n->next)
		feedutil_item_element(x, n, rss_item_map,
		    sizeof rss_item_map / sizeof rss_item_map[0]);
	if (feedutil_xml_failed(x))
		return DAYHUB_ERROR;

	if (feedutil_item_get(x, "title") == NULL &&
	    feedutil_item_get(x, "summary") == NULL &&
	    feedutil_item_get(x, "description") == NULL) {
		feedutil_xml_warn(x, item, "left out an item with neither "
		    "title nor description");
		return DAYHUB_OK;
	}
	/* Without a guid, the item's link is the next best identity. */
	if (feedutil_item_get(x, "source_id") == NULL &&
	    (url = feedutil_item_get(x, "url")) != NULL)
		feedutil_item_put(x, "source_id", url, strlen(url), 0);
	if (feedutil_xml_failed(x))
		return DAYHUB_ERROR;
	return feedutil_item_emit(x);
}

/*
 * RSS 1.0 names each item by its rdf:about, which is its identity and,
 * when it is a link, its page (a <link> still wins).
 */
static void
rss_about(struct feedutil_xml *x, xmlNodePtr item)
{
	char	*about, *v;

	if ((about = feedutil_xml_attr(x, item, "about", RSS_NS_RDF)) == NULL)
		return;
	if ((v = feedutil_text_clean(about, strlen(about),
	    FEEDUTIL_MAX_FIELD)) == NULL)
		feedutil_xml_nomem(x);
	else if (*v != '\0') {
		feedutil_item_put(x, "source_id", v, strlen(v), 2);
		feedutil_item_put_owned(x, "url", feedutil_xml_link(x, item,
		    v, 0), 1);
	}
	free(v);
	free(about);
}
