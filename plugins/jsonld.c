/*
 * jsonld.c - the JSON-LD module: schema.org events embedded in a web page
 * as <script type="application/ld+json">, or a bare JSON-LD document.
 *
 * A page is read with libxml2's HTML parser (no network, no error output,
 * recovering from broken markup), and every ld+json script in it is
 * parsed with jansson on its own: a script that is not JSON is left out
 * with a warning at its line, and the others are still read.  A script
 * may hold one node, a list of nodes, or an @graph; nodes refer to each
 * other by {"@id": ...} across all the scripts of the page.
 *
 * What becomes a record: every node whose @type is Event, any type whose
 * name ends in "Event" (SportsEvent, SocialEvent, EducationEvent ...)
 * except OnDemandEvent, SessionSeries, ScheduledSession and
 * CourseInstance, found at the top of a script, in its @graph, or inside
 * the usual containers (mainEntity, ItemList elements, an organisation's
 * events); its subEvents too.  The mapping of fields is the shared
 * schema.org one (schemaorg.c), as in the OpenActive module.
 *
 * The source id is the node's @id (relative ones resolved against the
 * page), else its url, else its identifier; when several events share a
 * url (a page listing the dates of one activity) the later ones add
 * "#<startDate>".
 *
 * Bounds: the page is at most INT_MAX bytes (libxml2's own limit);
 * libxml2 caps element nesting and the size of one text, and stops
 * reading a page that passes either (warned, with the line); each
 * script's JSON is refused past in->max_depth; at most JL_MAX_SCRIPTS
 * scripts and JL_MAX_WALK levels of containers are read.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/globals.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "dayhub/plugin.h"
#include "feedutil.h"
#include "schemaorg.h"

#define JL_MODULE_VERSION	"1.0"
#define JL_MAX_SCRIPTS		256	/* ld+json scripts read on a page */
#define JL_MAX_WALK		8	/* containers followed down to events */
#define JL_WHY			256	/* bytes of a reason for an error */

/*
 * What libxml2 reported while reading a page that changes what the page
 * yields: the parser stopping before the end (nesting past its limit, a
 * text past its size limit, no memory), or bytes not valid in the page's
 * encoding (libxml2 then reads on as ISO-8859-1).
 */
struct jl_html_trouble {
	int		 stopped;
	unsigned long	 stop_line;
	char		 stop_why[JL_WHY];
	int		 garbled;
	unsigned long	 garbled_line;
};

/* The JSON documents of one page, with the line each starts on. */
struct jl_docs {
	json_t		*roots[JL_MAX_SCRIPTS];
	unsigned long	 lines[JL_MAX_SCRIPTS];
	size_t		 n;
	size_t		 nscripts;	/* ld+json scripts met, read or not */
};

/* Properties of a node that is no event but may hold some. */
static const char *const jl_containers[] = {
	"@graph", "mainEntity", "itemListElement", "item", "event", "events",
	"hasPart", "subjectOf",
};

static void	 jl_init(void) __attribute__((constructor));
static int	 jl_sniff(const unsigned char *, size_t, const char *);
static int	 jl_find(const unsigned char *, size_t, const char *);
static int	 jl_parse(const struct dayhub_input *,
		    const struct dayhub_host *, void *);
static void	 jl_html_error_cb(void *, xmlErrorPtr);
static int	 jl_html(struct schemaorg *, struct jl_docs *);
static int	 jl_is_ldjson(xmlNodePtr);
static void	 jl_script(struct schemaorg *, struct jl_docs *, xmlNodePtr);
static int	 jl_walk(struct schemaorg *, json_t *, int, int);
static int	 jl_node(struct schemaorg *, json_t *, int);

DAYHUB_PLUGIN_DEFINE("jsonld", JL_MODULE_VERSION,
    "schema.org events as JSON-LD in a web page, or alone",
    jl_sniff, jl_parse);

/*
 * libxml2 2.9 must set up its global tables once, in one thread, before
 * it is used from several; the daemon loads modules before it starts its
 * workers, so loading is that moment.
 */
static void
jl_init(void)
{
	xmlInitParser();
}

/*
 * Sniffs the first bytes: for HTML, LIKELY when "application/ld+json"
 * appears in them, MAYBE otherwise; for JSON, LIKELY when its @context
 * names schema.org and an @type is an event (or the server calls it
 * application/ld+json); NO for anything else (XML feeds included).
 * Never fails.
 */
static int
jl_sniff(const unsigned char *data, size_t len, const char *content_type)
{
	struct schemaorg_sniff	 sn;
	const char		*local;
	char			 name[64];
	int			 html, r;

	if (data == NULL)
		return DAYHUB_SNIFF_NO;
	schemaorg_sniff_json(data, len, &sn);
	if (sn.json)
		return (sn.schemaorg && sn.event) ||
		    feedutil_content_type_is(content_type,
		    "application/ld+json") ? DAYHUB_SNIFF_LIKELY :
		    DAYHUB_SNIFF_NO;
	html = feedutil_content_type_is(content_type, "text/html") ||
	    feedutil_content_type_is(content_type, "application/xhtml+xml");
	if ((r = feedutil_xml_root(data, len, name, sizeof name)) == 1) {
		local = strrchr(name, ':') != NULL ? strrchr(name, ':') + 1 :
		    name;
		if (strcasecmp(local, "html") == 0)
			html = 1;
		else if (!html)
			return DAYHUB_SNIFF_NO;
	} else if (!html && !jl_find(data, len, "<html") &&
	    !jl_find(data, len, "<head") && !jl_find(data, len, "<body"))
		return DAYHUB_SNIFF_NO;
	return jl_find(data, len, "application/ld+json") ?
	    DAYHUB_SNIFF_LIKELY : DAYHUB_SNIFF_MAYBE;
}

/* 1 when `needle` (ASCII) appears in the bytes, without regard to case. */
static int
jl_find(const unsigned char *d, size_t len, const char *needle)
{
	size_t	n = strlen(needle), i, k;

	for (i = 0; n <= len && i <= len - n; i++) {
		for (k = 0; k < n; k++)
			if ((d[i + k] | 0x20) != (unsigned char)(needle[k] |
			    0x20) && d[i + k] != (unsigned char)needle[k])
				break;
		if (k == n)
			return 1;
	}
	return 0;
}

/*
 * Reads a web page (or a bare JSON-LD document) and emits a record per
 * schema.org event in it.
 *
 * Contract: `in->data` is any `in->len` bytes; nothing in them can make
 * this abort, hang, or read a file or the network (libxml2 runs with
 * HTML_PARSE_NONET and loads nothing; scripts are parsed as data only).
 * Records go to `host` with v1 field names, values cleaned UTF-8 within
 * the FEEDUTIL_MAX_* caps, times as published.  Returns DAYHUB_OK when
 * the page was read, even when a script is broken (warned, with its
 * line) or no event was found (warned "no schema.org events found on the
 * page"); DAYHUB_ERROR after host->error() when the input is empty, is
 * neither HTML nor JSON, or is a bare JSON-LD document that is not JSON
 * or is nested too deep.  Stops at once when begin() or end() answers
 * DAYHUB_STOP or after in->max_items records.  Keeps nothing after it
 * returns.
 */
static int
jl_parse(const struct dayhub_input *in, const struct dayhub_host *host,
    void *sink)
{
	struct schemaorg	 s;
	struct jl_docs		*docs = NULL;
	const unsigned char	*p, *end;
	char			 why[JL_WHY];
	size_t			 i;
	int			 deep, pass, rc = DAYHUB_ERROR;

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
		host->error(sink, "not HTML or JSON-LD: the page is empty");
		return DAYHUB_ERROR;
	}
	if (schemaorg_begin(&s, in, host, sink) == -1) {
		host->error(sink, "out of memory while reading the page");
		return DAYHUB_ERROR;
	}
	if ((docs = calloc(1, sizeof *docs)) == NULL) {
		s.oom = 1;
		goto done;
	}

	p = in->data;
	end = p + in->len;
	if (in->len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	if (p < end && (*p == '{' || *p == '[')) {
		if ((docs->roots[0] = schemaorg_load(&s, (const char *)in->data,
		    in->len, 1, why, sizeof why, &deep)) == NULL) {
			if (!s.oom && deep)
				host->error(sink, "refused: the document is "
				    "%s", why);
			else if (!s.oom)
				host->error(sink, "not JSON: %s", why);
			goto done;
		}
		docs->lines[0] = 1;
		docs->n = docs->nscripts = 1;
	} else if (p < end && *p == '<') {
		if (jl_html(&s, docs) == -1)
			goto done;
	} else {
		host->error(sink, "not HTML or JSON-LD: the page starts with "
		    "neither '<' nor '{'");
		goto done;
	}

	for (i = 0; i < docs->n && !s.oom; i++)
		schemaorg_index(&s, docs->roots[i]);
	/*
	 * Events inside a series are read with it first; a second pass
	 * reads those whose series never was (a cycle of subEvents).
	 */
	rc = DAYHUB_OK;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < docs->n && rc == DAYHUB_OK && !s.oom; i++) {
			s.line = docs->lines[i];
			rc = jl_walk(&s, docs->roots[i], 0, pass);
		}
	if (rc == DAYHUB_STOP)
		rc = DAYHUB_OK;
	if (rc == DAYHUB_OK && !s.oom) {
		s.line = 0;
		if (s.nlisted == 0)
			host->warn(sink, 0, "no schema.org events found on the "
			    "page (%zu JSON-LD %s)", docs->nscripts,
			    docs->nscripts == 1 ? "script" : "scripts");
		schemaorg_report(&s);
	}

done:
	if (s.oom) {
		host->error(sink, "out of memory while reading the page");
		rc = DAYHUB_ERROR;
	}
	schemaorg_end(&s);
	if (docs != NULL)
		for (i = 0; i < docs->n; i++)
			json_decref(docs->roots[i]);
	free(docs);
	return rc;
}

/*
 * Keeps what libxml2 would print to itself: the page's faults are its
 * own, and most are mended silently.  Notes the first error that stops
 * the parser and the first byte not valid in the page's encoding.
 */
static void
jl_html_error_cb(void *ctx, xmlErrorPtr e)
{
	struct jl_html_trouble	*t = ctx;
	size_t			 n;

	if (t == NULL || e == NULL)
		return;
	if (e->code == XML_ERR_INVALID_ENCODING && !t->garbled) {
		t->garbled = 1;
		t->garbled_line = e->line > 0 ? (unsigned long)e->line : 0;
		return;
	}
	if (t->stopped || (e->code != XML_ERR_NO_MEMORY &&
	    !(e->code == XML_ERR_INTERNAL_ERROR &&
	    e->int1 == (int)xmlParserMaxDepth)))
		return;
	t->stopped = 1;
	t->stop_line = e->line > 0 ? (unsigned long)e->line : 0;
	if (e->code == XML_ERR_INTERNAL_ERROR)
		snprintf(t->stop_why, sizeof t->stop_why, "elements are nested "
		    "more than %u deep", xmlParserMaxDepth);
	else if (e->message != NULL &&
	    strstr(e->message, "huge text") != NULL)
		snprintf(t->stop_why, sizeof t->stop_why, "a text is longer "
		    "than %d bytes", XML_MAX_TEXT_LENGTH);
	else {
		snprintf(t->stop_why, sizeof t->stop_why, "%s",
		    e->message != NULL ? e->message : "no detail");
		n = strlen(t->stop_why);
		while (n > 0 && (t->stop_why[n - 1] == '\n' ||
		    t->stop_why[n - 1] == ' '))
			t->stop_why[--n] = '\0';
	}
}

/*
 * Parses the page as HTML and reads its ld+json scripts into `docs`.
 * Returns 0, or -1 after host->error() when it cannot be read at all.
 * A page libxml2 stops reading part way, or reads on in another encoding
 * after a bad byte, is warned about: what it yields is not all it holds.
 */
static int
jl_html(struct schemaorg *s, struct jl_docs *docs)
{
	struct jl_html_trouble	 trouble;
	xmlStructuredErrorFunc	 old_fn;
	void			*old_ctx;
	htmlDocPtr		 doc;
	htmlParserCtxtPtr	 ctxt;
	xmlNodePtr		 n;

	if (s->in->len > INT_MAX) {
		s->host->error(s->sink, "the page is too large to read (%zu "
		    "bytes)", s->in->len);
		return -1;
	}
	/*
	 * Encoding errors bypass the parser's own switches and would go to
	 * stderr; libxml2 keeps this handler per thread, so borrow it.
	 */
	memset(&trouble, 0, sizeof trouble);
	old_fn = xmlStructuredError;
	old_ctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(&trouble, jl_html_error_cb);
	/*
	 * libxml2 2.9's HTML options have no HUGE, but its SAX handlers
	 * read the flag from the context: without it a script of events
	 * over 10 MB would be cut.  The page itself is bounded by the
	 * host's max-feed-size, the nesting by libxml2's depth limit.
	 */
	doc = NULL;
	/* As htmlReadMemory() sets up its context, so the bytes read alike. */
	if ((ctxt = xmlCreateMemoryParserCtxt((const char *)s->in->data,
	    (int)s->in->len)) != NULL) {
		xmlSAX2InitHtmlDefaultSAXHandler(ctxt->sax);
		htmlCtxtUseOptions(ctxt, HTML_PARSE_NONET | HTML_PARSE_NOERROR |
		    HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
		ctxt->options |= XML_PARSE_HUGE;
		htmlParseDocument(ctxt);
		doc = ctxt->myDoc;
		ctxt->myDoc = NULL;
		/* The tree keeps the names' dictionary; the context lets go. */
		if (ctxt->dictNames && doc != NULL && doc->dict == ctxt->dict)
			ctxt->dict = NULL;
		htmlFreeParserCtxt(ctxt);
	}
	xmlSetStructuredErrorFunc(old_ctx, old_fn);
	if (doc == NULL) {
		s->host->error(s->sink, "not HTML: the page could not be "
		    "read as HTML");
		return -1;
	}
	s->line = 0;
	if (trouble.stopped)
		s->host->warn(s->sink, trouble.stop_line, "stopped reading the "
		    "page at line %lu: %s; what follows, and any JSON-LD in "
		    "it, was left out", trouble.stop_line, trouble.stop_why);
	if (trouble.garbled)
		s->host->warn(s->sink, trouble.garbled_line, "the page's bytes "
		    "are not valid in its encoding (UTF-8 unless it declares "
		    "another) from line %lu: its text from there may read "
		    "wrongly", trouble.garbled_line);

	/* Every element in document order, without recursion. */
	n = doc->children;
	while (n != NULL && !s->oom) {
		if (n->type == XML_ELEMENT_NODE && xmlStrcasecmp(n->name,
		    (const xmlChar *)"script") == 0) {
			if (jl_is_ldjson(n))
				jl_script(s, docs, n);
		} else if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL)
			n = n->parent == (xmlNodePtr)doc ? NULL : n->parent;
		if (n != NULL)
			n = n->next;
	}
	xmlFreeDoc(doc);
	return 0;
}

/* 1 for <script type="application/ld+json"> (parameters allowed). */
static int
jl_is_ldjson(xmlNodePtr n)
{
	xmlChar	*type;
	int	 yes;

	if ((type = xmlGetProp(n, (const xmlChar *)"type")) == NULL)
		return 0;
	yes = feedutil_content_type_is((const char *)type,
	    "application/ld+json");
	xmlFree(type);
	return yes;
}

/*
 * Parses one script's JSON into `docs`, or warns at its line and leaves
 * it out.  An HTML comment or CDATA wrapper around the JSON is dropped.
 */
static void
jl_script(struct schemaorg *s, struct jl_docs *docs, xmlNodePtr n)
{
	static const struct {
		const char	*open;
		const char	*close;
	} wrappers[] = {
		{ "<!--", "-->" },
		{ "//<![CDATA[", "//]]>" },
		{ "<![CDATA[", "]]>" },
	};
	xmlChar		*text;
	const char	*p;
	char		 why[JL_WHY];
	size_t		 len, i, o, c;
	unsigned long	 line, tagline;
	long		 ln;
	int		 deep;
	json_t		*root;

	if (docs->nscripts++ == JL_MAX_SCRIPTS) {
		s->line = 0;
		s->host->warn(s->sink, (unsigned long)xmlGetLineNo(n), "the "
		    "page has more than %d JSON-LD scripts; the rest were left "
		    "out", JL_MAX_SCRIPTS);
	}
	if (docs->n == JL_MAX_SCRIPTS)
		return;
	ln = xmlGetLineNo(n);
	line = tagline = ln > 0 ? (unsigned long)ln : 0;
	if ((text = xmlNodeGetContent(n)) == NULL)
		return;
	p = (const char *)text;
	len = strlen(p);
	for (;;) {
		while (len > 0 && (*p == ' ' || *p == '\t' || *p == '\r' ||
		    *p == '\n')) {
			if (*p == '\n' && line > 0)
				line++;
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
		    p[len - 1] == '\r' || p[len - 1] == '\n'))
			len--;
		for (i = 0; i < sizeof wrappers / sizeof wrappers[0]; i++) {
			o = strlen(wrappers[i].open);
			c = strlen(wrappers[i].close);
			if (len >= o + c && memcmp(p, wrappers[i].open, o) ==
			    0 && memcmp(p + len - c, wrappers[i].close, c) ==
			    0) {
				p += o;
				len -= o + c;
				break;
			}
		}
		if (i == sizeof wrappers / sizeof wrappers[0])
			break;
	}
	if (len == 0) {
		xmlFree(text);
		return;
	}
	root = schemaorg_load(s, p, len, line, why, sizeof why, &deep);
	xmlFree(text);
	if (root == NULL) {
		if (!s->oom)
			s->host->warn(s->sink, tagline, "left out the JSON-LD "
			    "script at line %lu: %s%s", tagline, deep ?
			    "it is " : "it is not JSON: ", why);
		return;
	}
	docs->roots[docs->n] = root;
	docs->lines[docs->n++] = tagline;
}

/*
 * Finds the events in one value of a script: the value itself, the
 * members of a list, or what a container node holds.  Pass 0 reads all
 * but the events some subEvent names; pass 1 reads those of them not
 * read yet.  Returns DAYHUB_OK, DAYHUB_STOP or DAYHUB_ERROR.
 */
static int
jl_walk(struct schemaorg *s, json_t *v, int depth, int pass)
{
	json_t	*x;
	size_t	 i;
	int	 rc = DAYHUB_OK;

	if (depth > JL_MAX_WALK)
		return DAYHUB_OK;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if ((rc = jl_walk(s, x, depth + 1, pass)) !=
			    DAYHUB_OK)
				return rc;
		}
		return DAYHUB_OK;
	}
	if (!json_is_object(v))
		return DAYHUB_OK;
	if (json_object_get(v, "@type") != NULL &&
	    (rc = jl_node(s, v, pass)) != DAYHUB_OK)
		return rc;
	if (schemaorg_kind(v, NULL) == SCHEMAORG_LISTED)
		return DAYHUB_OK;
	for (i = 0; i < sizeof jl_containers / sizeof jl_containers[0]; i++)
		if ((x = json_object_get(v, jl_containers[i])) != NULL &&
		    (rc = jl_walk(s, x, depth + 1, pass)) != DAYHUB_OK)
			return rc;
	return DAYHUB_OK;
}

/*
 * Emits what one typed node holds: an event, or the sessions of a series
 * (see jl_walk() for `pass`).
 */
static int
jl_node(struct schemaorg *s, json_t *v, int pass)
{
	enum schemaorg_kind	 kind;
	const char		*name;
	char			*id, *start, *dated;
	int			 rc;

	kind = schemaorg_kind(v, &name);
	if (kind == SCHEMAORG_OTHER || schemaorg_is_reference(v) ||
	    (kind == SCHEMAORG_SKIPPED && pass == 1))
		return DAYHUB_OK;
	/* Pass 1: only the events a series named and never read. */
	if (pass == 1 && (!schemaorg_is_child(s, v) ||
	    schemaorg_done(s, v)))
		return DAYHUB_OK;
	id = schemaorg_node_id(s, v);
	if (kind == SCHEMAORG_SKIPPED) {
		/* A series is read through its events, not left out. */
		rc = DAYHUB_OK;
		if (json_object_get(v, "subEvent") != NULL)
			rc = schemaorg_subevents(s, v, id);
		else if (!schemaorg_is_parent(s, v))
			schemaorg_skip(s, name);
		free(id);
		return rc;
	}
	/* A session its series will emit. */
	if (pass == 0 && schemaorg_is_child(s, v)) {
		free(id);
		return DAYHUB_OK;
	}
	/* The dates of one activity often share its page's url. */
	if (id != NULL && json_object_get(v, "@id") == NULL &&
	    schemaorg_seen(s, id) && (start = schemaorg_id(json_object_get(v,
	    "startDate"))) != NULL) {
		if (asprintf(&dated, "%s#%s", id, start) == -1) {
			free(start);
			free(id);
			s->oom = 1;
			return DAYHUB_ERROR;
		}
		free(start);
		free(id);
		id = dated;
	}
	rc = schemaorg_event(s, v, NULL, id);
	free(id);
	return rc;
}
