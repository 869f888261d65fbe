/*
 * atom.c - the Atom format module: Atom 1.0 (RFC 4287), and the obsolete
 * Atom 0.3 with a warning, with the content:, dc:, ev: (RSS event
 * module), georss: (simple and GML points), geo: and dayhub (dh:)
 * namespaces.
 *
 * The bytes are read into a tree by feedutil_xml_open(), which decides
 * the security of the XML parse for every module (no external entity or
 * DTD is ever read, entity expansion has a budget, nesting is capped,
 * repairs are made before parsing and reported once each, a document
 * that breaks off before its root closes is refused); the extension
 * elements are read by the table feedutil shares with the RSS module, so
 * an ev:startdate means the same in both.  What is left here is Atom
 * itself: text constructs and their types, links and their relations,
 * persons, categories, and which dates count.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "dayhub/plugin.h"
#include "feedutil.h"

#define ATOM_MODULE_VERSION	"1.0"
#define ATOM_NS_10	"http://www.w3.org/2005/Atom"
#define ATOM_NS_03	"http://purl.org/atom/ns#"
#define ATOM_REL_ALTERNATE "http://www.iana.org/assignments/relation/alternate"

/* The namespaces of Atom's own elements; none at all counts too. */
static const char *const atom_core[] = {
	ATOM_NS_10,
	ATOM_NS_03,
	NULL
};

/*
 * The Atom elements of an entry that the shared conversions read as they
 * are.  Of the dates, the last change wins over the first publication;
 * none of them is ever the start of an activity.  issued, modified and
 * created are Atom 0.3's names.
 */
static const struct feedutil_map atom_entry_map[] = {
	{ FEEDUTIL_NS_CORE, "id", "source_id", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_CORE, "updated", "updated", FEEDUTIL_DATE, 2 },
	{ FEEDUTIL_NS_CORE, "modified", "updated", FEEDUTIL_DATE, 2 },
	{ FEEDUTIL_NS_CORE, "published", "updated", FEEDUTIL_DATE, 1 },
	{ FEEDUTIL_NS_CORE, "issued", "updated", FEEDUTIL_DATE, 1 },
	{ FEEDUTIL_NS_CORE, "created", "updated", FEEDUTIL_DATE, 0 },
};

/* A person with no child elements: "Name <email>" and the like. */
static const struct feedutil_map atom_bare_person =
	{ FEEDUTIL_NS_CORE, "author", "organiser.name", FEEDUTIL_AUTHOR, 1 };

/* The Atom elements of an entry that need Atom's own reading. */
enum atom_kind {
	ATOM_TITLE,	/* a text construct, one line */
	ATOM_BODY,	/* a text construct, with its line breaks */
	ATOM_LINK,	/* rel="alternate" (or none): the page */
	ATOM_CATEGORY,	/* label, else term */
	ATOM_PERSON	/* name, uri, email */
};

static const struct {
	const char	*name;
	const char	*field;
	enum atom_kind	 kind;
} atom_entry_elements[] = {
	{ "title", "title", ATOM_TITLE },
	{ "summary", "summary", ATOM_BODY },
	{ "content", "description", ATOM_BODY },
	{ "link", "url", ATOM_LINK },
	{ "category", "categories", ATOM_CATEGORY },
	{ "author", NULL, ATOM_PERSON },
};

/* The parts of a person, with Atom 0.3's url and homepage for uri. */
static const struct {
	const char		*name;
	const char		*field;
	enum feedutil_kind	 kind;
} atom_person_parts[] = {
	{ "name", "organiser.name", FEEDUTIL_TEXT },
	{ "uri", "organiser.url", FEEDUTIL_URL },
	{ "url", "organiser.url", FEEDUTIL_URL },
	{ "homepage", "organiser.url", FEEDUTIL_URL },
	{ "email", "organiser.email", FEEDUTIL_EMAIL },
};

/* How a text construct is to be read. */
enum atom_form {
	ATOM_FORM_NONE,		/* not text: left out */
	ATOM_FORM_TEXT,		/* plain text, entities decoded */
	ATOM_FORM_HTML,		/* escaped (or, wrongly, naked) HTML */
	ATOM_FORM_XHTML		/* inline XHTML, usually in a <div> */
};

/* Root elements of other formats: Content-Type never makes them Atom. */
static const char *const atom_other_roots[] = {
	"rss", "RDF", "icalendar", "opml", "rdf",
};

static void	 atom_init(void) __attribute__((constructor));
static int	 atom_sniff(const unsigned char *, size_t, const char *);
static int	 atom_parse(const struct dayhub_input *,
		    const struct dayhub_host *, void *);
static int	 atom_root(struct feedutil_xml *, xmlNodePtr);
static int	 atom_document(struct feedutil_xml *, xmlNodePtr);
static int	 atom_entry(struct feedutil_xml *, xmlNodePtr, xmlNodePtr);
static int	 atom_element(struct feedutil_xml *, xmlNodePtr);
static xmlNodePtr atom_child(struct feedutil_xml *, xmlNodePtr,
		    const char *);
static int	 atom_is_alternate(struct feedutil_xml *, xmlNodePtr);
static void	 atom_category(struct feedutil_xml *, xmlNodePtr);
static void	 atom_person(struct feedutil_xml *, xmlNodePtr, int);
static enum atom_form atom_form(struct feedutil_xml *, xmlNodePtr);
static char	*atom_text(struct feedutil_xml *, xmlNodePtr, int);

DAYHUB_PLUGIN_DEFINE("atom", ATOM_MODULE_VERSION,
    "Atom 1.0 (and 0.3) with the event, GeoRSS and dayhub extensions",
    atom_sniff, atom_parse);

/*
 * libxml2 2.9 must set up its global tables once, in one thread, before
 * it is used from several; the daemon loads modules before it starts its
 * workers, so loading is that moment.
 */
static void
atom_init(void)
{
	xmlInitParser();
}

/*
 * Sniffs the first bytes: CERTAIN when the root element is a <feed> in
 * the Atom 1.0 namespace, LIKELY for a <feed> in another namespace or
 * none (Atom 0.3, or a careless publisher); MAYBE for any other XML
 * (LIKELY when the server calls it application/atom+xml, unless the root
 * is that of another known format); NO when it is not XML, or is HTML.
 * Never fails.
 */
static int
atom_sniff(const unsigned char *data, size_t len, const char *content_type)
{
	const char	*local;
	char		 name[64], prefix[64];
	size_t		 i, plen;
	int		 r, said;

	said = feedutil_content_type_is(content_type, "application/atom+xml");
	if (data == NULL || (r = feedutil_xml_root(data, len, name,
	    sizeof name)) == -1)
		return DAYHUB_SNIFF_NO;
	if (r == 0)
		return said ? DAYHUB_SNIFF_LIKELY : DAYHUB_SNIFF_MAYBE;
	local = strrchr(name, ':') != NULL ? strrchr(name, ':') + 1 : name;
	if (strcmp(local, "feed") == 0) {
		plen = local > name ? (size_t)(local - name - 1) : 0;
		snprintf(prefix, sizeof prefix, "%.*s", (int)plen, name);
		if (feedutil_xml_root_xmlns(data, len, prefix, ATOM_NS_10))
			return DAYHUB_SNIFF_CERTAIN;
		return DAYHUB_SNIFF_LIKELY;
	}
	if (strcasecmp(local, "html") == 0)
		return DAYHUB_SNIFF_NO;
	for (i = 0; i < sizeof atom_other_roots / sizeof atom_other_roots[0];
	    i++)
		if (strcmp(local, atom_other_roots[i]) == 0)
			return DAYHUB_SNIFF_MAYBE;
	return said ? DAYHUB_SNIFF_LIKELY : DAYHUB_SNIFF_MAYBE;
}

/*
 * Reads an Atom feed and emits one record per usable <entry>.
 *
 * Contract: `in->data` is any `in->len` bytes; nothing in them can make
 * this abort, hang or read a file or the network (see
 * feedutil_xml_open()).  Records go to `host` with v1 field names; text
 * constructs of every type (text, html, xhtml) become plain text; links
 * are resolved against the xml:base in force (the feed's, the entry's,
 * the element's own, nested) and then in->base_url; values are cleaned
 * UTF-8 within the FEEDUTIL_MAX_* caps; dates are RFC 3339 with an
 * offset only when the feed gave one; numbers and flags are passed as
 * found for the host to check.  published and updated are only ever
 * "updated", never "start".  Returns DAYHUB_OK when the feed was read
 * (perhaps with warnings, perhaps with no records), DAYHUB_ERROR after
 * host->error() when it is not XML, not Atom, not whole, nested too deep,
 * or an entity bomb.  Stops at once when begin() or end() answers
 * DAYHUB_STOP, or after in->max_items records.  Keeps nothing after it
 * returns.
 */
static int
atom_parse(const struct dayhub_input *in, const struct dayhub_host *host,
    void *sink)
{
	struct feedutil_xml	*x;
	xmlNodePtr		 root;
	int			 rc;

	if ((rc = feedutil_xml_open(&x, in, host, sink, atom_core)) !=
	    DAYHUB_OK)
		return rc;
	root = feedutil_xml_root_element(x);
	if ((rc = atom_root(x, root)) == DAYHUB_OK &&
	    (rc = feedutil_xml_whole(x)) == DAYHUB_OK)
		rc = atom_document(x, root);
	return feedutil_xml_close(x, rc);
}

/*
 * Accepts a <feed> root, saying so when it is not in the Atom 1.0
 * namespace: Atom 0.3 is read with its own names, and a <feed> in a
 * stranger namespace (or none) as if it were Atom 1.0.
 */
static int
atom_root(struct feedutil_xml *x, xmlNodePtr root)
{
	char	qname[64];

	if (!xmlStrEqual(root->name, (const xmlChar *)"feed"))
		return feedutil_xml_fail(x, "not an Atom feed: the root "
		    "element is <%s>", feedutil_xml_qname(root, qname,
		    sizeof qname));
	if (root->ns == NULL || root->ns->href == NULL)
		feedutil_xml_warn(x, root, "the root <feed> is in no "
		    "namespace; read as Atom 1.0");
	else if (xmlStrEqual(root->ns->href, (const xmlChar *)ATOM_NS_03))
		feedutil_xml_warn(x, root, "Atom 0.3 is obsolete (Atom 1.0 "
		    "replaced it in 2005); read with its issued, modified and "
		    "escaped content");
	else if (!xmlStrEqual(root->ns->href, (const xmlChar *)ATOM_NS_10)) {
		feedutil_xml_warn(x, root, "the root <feed> is in the "
		    "namespace \"%.*s\", not Atom's; read as Atom 1.0",
		    FEEDUTIL_QUOTE, (const char *)root->ns->href);
		feedutil_xml_core(x, root->ns->href);
	}
	return DAYHUB_OK;
}

/* Reports the feed's own facts, then reads its entries. */
static int
atom_document(struct feedutil_xml *x, xmlNodePtr feed)
{
	xmlNodePtr	 n, next, author = NULL, link = NULL, title = NULL;
	xmlNodePtr	 generator = NULL;
	char		*v, *raw;
	int		 r;

	for (n = feed->children; n != NULL; n = n->next) {
		if (author == NULL && feedutil_xml_is(x, n, "author"))
			author = n;
		else if (title == NULL && feedutil_xml_is(x, n, "title"))
			title = n;
		else if (generator == NULL &&
		    feedutil_xml_is(x, n, "generator"))
			generator = n;
		else if (link == NULL && feedutil_xml_is(x, n, "link") &&
		    atom_is_alternate(x, n))
			link = n;
	}
	if (title != NULL && (v = atom_text(x, title, 0)) != NULL) {
		if (*v != '\0')
			feedutil_xml_feed(x, "title", v);
		free(v);
	}
	if (link != NULL && (raw = feedutil_xml_attr(x, link, "href",
	    NULL)) != NULL) {
		if ((v = feedutil_xml_link(x, link, raw, 0)) != NULL)
			feedutil_xml_feed(x, "link", v);
		free(v);
		free(raw);
	}
	if (generator != NULL && (raw = feedutil_xml_gather(x, generator,
	    FEEDUTIL_GATHER_TEXT)) != NULL) {
		if ((v = feedutil_text_clean(raw, strlen(raw),
		    FEEDUTIL_MAX_FIELD)) == NULL)
			feedutil_xml_nomem(x);
		else if (*v != '\0')
			feedutil_xml_feed(x, "generator", v);
		free(v);
		free(raw);
	}
	if (feedutil_xml_failed(x))
		return DAYHUB_ERROR;

	for (n = feed->children; n != NULL; n = next) {
		next = n->next;
		if (!feedutil_xml_is(x, n, "entry"))
			continue;
		r = atom_entry(x, n, author);
		/* Done with: its memory serves the entries after it. */
		feedutil_xml_release(x, n);
		if (r != DAYHUB_OK)
			return r == DAYHUB_STOP ? DAYHUB_OK : r;
	}
	return DAYHUB_OK;
}

/*
 * Reads one <entry> into the record and emits it.  Its first author is
 * the organiser (a second one's details would be mixed into the first's).
 * Without an author of its own, the entry takes its <source>'s, else the
 * feed's (`author`), as RFC 4287 says, unless it names its organiser
 * another way (ev:organizer, dc:creator): the feed's contact details are
 * not that organiser's.  Returns DAYHUB_OK to go on, DAYHUB_STOP when
 * the host wants no more, DAYHUB_ERROR on no memory.
 */
static int
atom_entry(struct feedutil_xml *x, xmlNodePtr entry, xmlNodePtr author)
{
	const char	*url;
	xmlNodePtr	 n, source;
	int		 authored = 0;

	if (!feedutil_item_room(x, entry))
		return DAYHUB_STOP;
	if (!feedutil_xml_complete(x, entry)) {
		feedutil_xml_warn(x, entry, "left out an entry the feed ends "
		    "in the middle of");
		return DAYHUB_OK;
	}
	feedutil_item_clear(x);
	for (n = entry->children; n != NULL && !feedutil_xml_failed(x);
	    n = n->next) {
		if (feedutil_xml_is(x, n, "author") && authored++ > 0)
			continue;
		if (!atom_element(x, n))
			feedutil_item_element(x, n, atom_entry_map,
			    sizeof atom_entry_map / sizeof atom_entry_map[0]);
	}
	if (!authored && (source = atom_child(x, entry, "source")) != NULL &&
	    (n = atom_child(x, source, "author")) != NULL)
		author = n;
	if (!authored && author != NULL &&
	    feedutil_item_get(x, "organiser.name") == NULL)
		atom_person(x, author, 0);
	if (feedutil_xml_failed(x))
		return DAYHUB_ERROR;

	if (feedutil_item_get(x, "title") == NULL &&
	    feedutil_item_get(x, "summary") == NULL &&
	    feedutil_item_get(x, "description") == NULL) {
		feedutil_xml_warn(x, entry, "left out an entry with neither "
		    "title, summary nor content");
		return DAYHUB_OK;
	}
	/* Without an id, the entry's link is the next best identity. */
	if (feedutil_item_get(x, "source_id") == NULL &&
	    (url = feedutil_item_get(x, "url")) != NULL)
		feedutil_item_put(x, "source_id", url, strlen(url), 0);
	if (feedutil_xml_failed(x))
		return DAYHUB_ERROR;
	return feedutil_item_emit(x);
}

/*
 * Reads an element of an entry that Atom defines its own way.  Returns 1
 * when it was one (read, or left out on purpose), else 0.
 */
static int
atom_element(struct feedutil_xml *x, xmlNodePtr n)
{
	size_t	 i;
	char	*raw, *v;

	if (n->type != XML_ELEMENT_NODE ||
	    feedutil_xml_ns(x, n) != FEEDUTIL_NS_CORE)
		return 0;
	for (i = 0; i < sizeof atom_entry_elements /
	    sizeof atom_entry_elements[0]; i++)
		if (xmlStrEqual(n->name,
		    (const xmlChar *)atom_entry_elements[i].name))
			break;
	if (i == sizeof atom_entry_elements / sizeof atom_entry_elements[0])
		return 0;

	switch (atom_entry_elements[i].kind) {
	case ATOM_TITLE:
	case ATOM_BODY:
		feedutil_item_put_owned(x, atom_entry_elements[i].field,
		    atom_text(x, n, atom_entry_elements[i].kind == ATOM_BODY),
		    2);
		break;
	case ATOM_LINK:
		if (!atom_is_alternate(x, n) ||
		    (raw = feedutil_xml_attr(x, n, "href", NULL)) == NULL)
			break;
		v = feedutil_xml_link(x, n, raw, 1);
		feedutil_item_put_owned(x, "url", v, 2);
		free(raw);
		break;
	case ATOM_CATEGORY:
		atom_category(x, n);
		break;
	case ATOM_PERSON:
		atom_person(x, n, 1);
		break;
	}
	return 1;
}

/* The first child of `n` that is the Atom element `name`, or NULL. */
static xmlNodePtr
atom_child(struct feedutil_xml *x, xmlNodePtr n, const char *name)
{
	xmlNodePtr	c;

	for (c = n->children; c != NULL; c = c->next)
		if (feedutil_xml_is(x, c, name))
			return c;
	return NULL;
}

/* 1 for a <link> to the thing itself: rel="alternate", or no rel. */
static int
atom_is_alternate(struct feedutil_xml *x, xmlNodePtr link)
{
	char	*rel;
	int	 r;

	if ((rel = feedutil_xml_attr(x, link, "rel", NULL)) == NULL)
		return 1;
	r = strcasecmp(rel, "alternate") == 0 ||
	    strcmp(rel, ATOM_REL_ALTERNATE) == 0;
	free(rel);
	return r;
}

/*
 * A category is its label, meant for people, else its term; some feeds
 * write it as text instead, which is taken too.
 */
static void
atom_category(struct feedutil_xml *x, xmlNodePtr n)
{
	static const char *const attrs[] = { "label", "term" };
	size_t	 i;
	char	*raw, *v;

	for (i = 0; i <= sizeof attrs / sizeof attrs[0]; i++) {
		raw = i < sizeof attrs / sizeof attrs[0] ?
		    feedutil_xml_attr(x, n, attrs[i], NULL) :
		    feedutil_xml_gather(x, n, FEEDUTIL_GATHER_TEXT);
		if (raw == NULL)
			continue;
		if ((v = feedutil_text_clean(raw, strlen(raw),
		    FEEDUTIL_MAX_FIELD)) == NULL)
			feedutil_xml_nomem(x);
		free(raw);
		if (v != NULL && *v != '\0') {
			feedutil_item_put_owned(x, "categories", v, 0);
			return;
		}
		free(v);
	}
}

/*
 * Reads an author into the organiser at priority `prio`: its name, uri
 * and email; a bare <author>Name</author> as RSS reads its author.
 */
static void
atom_person(struct feedutil_xml *x, xmlNodePtr person, int prio)
{
	struct feedutil_map	 m;
	xmlNodePtr		 c;
	size_t			 i;
	int			 parts = 0;

	for (c = person->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		parts = 1;
		if (feedutil_xml_ns(x, c) != FEEDUTIL_NS_CORE)
			continue;
		for (i = 0; i < sizeof atom_person_parts /
		    sizeof atom_person_parts[0]; i++) {
			if (!xmlStrEqual(c->name,
			    (const xmlChar *)atom_person_parts[i].name))
				continue;
			m.ns = FEEDUTIL_NS_CORE;
			m.name = atom_person_parts[i].name;
			m.field = atom_person_parts[i].field;
			m.kind = atom_person_parts[i].kind;
			m.prio = prio;
			feedutil_item_convert(x, c, &m);
			break;
		}
	}
	if (!parts) {
		m = atom_bare_person;
		m.prio = prio;
		feedutil_item_convert(x, person, &m);
	}
}

/*
 * How to read a text construct: by its type in Atom 1.0 (text, html,
 * xhtml, or a media type for <content>), by its mode in Atom 0.3 (xml,
 * escaped, base64).  Out-of-line content (src=) and content that is not
 * text are left out; only the latter is worth a warning.
 */
static enum atom_form
atom_form(struct feedutil_xml *x, xmlNodePtr n)
{
	enum atom_form	 f = ATOM_FORM_TEXT;
	char		*type, *mode, *src, qname[64];
	size_t		 tlen;

	if ((src = feedutil_xml_attr(x, n, "src", NULL)) != NULL) {
		free(src);
		return ATOM_FORM_NONE;
	}
	type = feedutil_xml_attr(x, n, "type", NULL);
	mode = feedutil_xml_attr(x, n, "mode", NULL);
	tlen = type != NULL ? strlen(type) : 0;
	if (mode != NULL && strcasecmp(mode, "base64") == 0) {
		feedutil_xml_warn(x, n, "left out <%s>: base64 content is "
		    "not read", feedutil_xml_qname(n, qname, sizeof qname));
		f = ATOM_FORM_NONE;
	} else if (tlen == 0 && mode != NULL &&
	    strcasecmp(mode, "escaped") == 0)
		/* Atom 0.3 says text/plain, but those who escape mean HTML. */
		f = ATOM_FORM_HTML;
	else if (tlen == 0 || strcasecmp(type, "text") == 0 ||
	    strncasecmp(type, "text/plain", 10) == 0)
		f = ATOM_FORM_TEXT;
	else if (strcasecmp(type, "html") == 0 ||
	    strncasecmp(type, "text/html", 9) == 0)
		f = ATOM_FORM_HTML;
	else if (strcasecmp(type, "xhtml") == 0 ||
	    strncasecmp(type, "application/xhtml+xml", 21) == 0)
		/* Atom 0.3 may escape even this. */
		f = mode != NULL && strcasecmp(mode, "escaped") == 0 ?
		    ATOM_FORM_HTML : ATOM_FORM_XHTML;
	else if (strncasecmp(type, "text/", 5) == 0 || (tlen >= 4 &&
	    (strcasecmp(type + tlen - 4, "+xml") == 0 ||
	    strcasecmp(type + tlen - 4, "/xml") == 0)))
		f = ATOM_FORM_TEXT;
	else {
		feedutil_xml_warn(x, n, "left out <%s> of type \"%.*s\": "
		    "not text", feedutil_xml_qname(n, qname, sizeof qname),
		    FEEDUTIL_QUOTE, type);
		f = ATOM_FORM_NONE;
	}
	free(type);
	free(mode);
	return f;
}

/*
 * The plain text of a text construct: one line, or with `lines` its line
 * and paragraph breaks (for summary and content).  NULL when there is
 * none, or when out of memory (then feedutil_xml_failed() says so).
 */
static char *
atom_text(struct feedutil_xml *x, xmlNodePtr n, int lines)
{
	enum atom_form	 f;
	xmlNodePtr	 c, div = NULL;
	char		*raw = NULL, *t = NULL, *v = NULL;
	size_t		 max = lines ? FEEDUTIL_MAX_TEXT : FEEDUTIL_MAX_FIELD;
	int		 elements = 0;

	if ((f = atom_form(x, n)) == ATOM_FORM_NONE)
		return NULL;
	if (f == ATOM_FORM_XHTML) {
		/* The <div> that wraps XHTML content is not part of it. */
		for (c = n->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE && elements++ == 0)
				div = c;
		if (elements != 1 || !xmlStrEqual(div->name,
		    (const xmlChar *)"div"))
			div = n;
		raw = feedutil_xml_gather(x, div, FEEDUTIL_GATHER_MARKUP);
	} else
		raw = feedutil_xml_gather(x, n, f == ATOM_FORM_HTML ?
		    FEEDUTIL_GATHER_AUTO : FEEDUTIL_GATHER_TEXT);
	if (raw == NULL)
		return NULL;

	if (f == ATOM_FORM_TEXT)
		v = lines ? feedutil_text_clean_lines(raw, strlen(raw), max) :
		    feedutil_text_clean(raw, strlen(raw), max);
	else if ((t = feedutil_html_to_text(raw, strlen(raw), max)) != NULL)
		v = lines ? t : feedutil_text_clean(t, strlen(t), max);
	if (v == NULL)
		feedutil_xml_nomem(x);
	else
		feedutil_xml_cut_warn(x, n, (const char *)n->name, strlen(raw),
		    strlen(v), max);
	if (t != v)
		free(t);
	free(raw);
	return v;
}
