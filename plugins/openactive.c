/*
 * openactive.c - the OpenActive module: one page of an RPDE feed
 * (Realtime Paged Data Exchange) of opportunity data, as OpenActive
 * publishers serve sessions, events and courses.
 *
 * A page is {"items": [...], "next": URL, "license": URL}; each item is
 * {"state": "updated"|"deleted", "kind", "id", "modified", "data"}.
 * This module reads one page.  The host follows "next" (given to it as
 * the feed fact "next") within one fetch cycle, and stops at the page
 * this module marks with the feed fact "rpde" = "last": one with no
 * items, or whose next URL is its own.
 *
 * What becomes a record:
 *   - an updated item whose data is a SessionSeries, ScheduledSession,
 *     CourseInstance, Event or other *Event type: its fields by the
 *     shared schema.org mapping (schemaorg.c), under the item's id;
 *   - the subEvents inside such data, each a record of its own, filled
 *     from the series it sits in;
 *   - a deleted item: a record with only source_id and state "deleted";
 *   - items of other kinds (FacilityUse, Slot, OnDemandEvent, Place ...)
 *     are counted and named in one warning at the end of the page.
 * A document that is not an RPDE page but a bare OpenActive node (or a
 * list or @graph of them) is read too, with a warning, as a whole feed:
 * it gives neither page fact, so the host does not take it for a page
 * of changes.
 *
 * Bounds: the JSON is refused before parsing when it is nested deeper
 * than in->max_depth (at most SCHEMAORG_MAX_DEPTH); every list and walk
 * has a cap in schemaorg.c; a truncated page is an error, because the
 * items it lost would otherwise go unseen.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/parser.h>

#include "dayhub/plugin.h"
#include "feedutil.h"
#include "schemaorg.h"

#define OA_MODULE_VERSION	"1.0"
#define OA_WHY			256	/* bytes of a reason for an error */
#define OA_QUOTE		60	/* bytes of a bad value quoted */

static void	 oa_init(void) __attribute__((constructor));
static int	 oa_sniff(const unsigned char *, size_t, const char *);
static int	 oa_parse(const struct dayhub_input *,
		    const struct dayhub_host *, void *);
static int	 oa_page(struct schemaorg *, json_t *);
static void	 oa_facts(struct schemaorg *, json_t *, size_t);
static int	 oa_item(struct schemaorg *, json_t *, size_t);
static enum schemaorg_kind oa_kind(json_t *, json_t *, const char **);
static int	 oa_document(struct schemaorg *, json_t *);
static int	 oa_qlen(const char *);

DAYHUB_PLUGIN_DEFINE("openactive", OA_MODULE_VERSION,
    "OpenActive RPDE pages of sessions, events and courses",
    oa_sniff, oa_parse);

/*
 * libxml2 (which turns HTML descriptions into text) must set up its
 * global tables once, in one thread, before it is used from several; the
 * daemon loads modules before it starts its workers.
 */
static void
oa_init(void)
{
	xmlInitParser();
}

/*
 * Sniffs the first bytes: CERTAIN for a JSON object with a top-level
 * "items" list and "next" string (an RPDE page), LIKELY for other JSON
 * whose @context names OpenActive or whose "items" have RPDE's "state",
 * "kind" or "modified", NO for anything else.  Never fails.
 */
static int
oa_sniff(const unsigned char *data, size_t len, const char *content_type)
{
	struct schemaorg_sniff	sn;

	schemaorg_sniff_json(data, len, &sn);
	if (!sn.json)
		return DAYHUB_SNIFF_NO;
	if (sn.items && sn.next)
		return DAYHUB_SNIFF_CERTAIN;
	/* A long page may put "next" after its items, out of sight. */
	if (sn.openactive || (sn.items && sn.item))
		return DAYHUB_SNIFF_LIKELY;
	return DAYHUB_SNIFF_NO;
}

/*
 * Reads one RPDE page and emits a record per listed item and subEvent.
 *
 * Contract: `in->data` is any `in->len` bytes; nothing in them can make
 * this abort, hang, or read a file or the network.  Records go to `host`
 * with v1 field names, values cleaned UTF-8 within the FEEDUTIL_MAX_*
 * caps; times as published (an offset only when the page gave one; a
 * schedule's first session as a local time with its "timezone").  Feed
 * facts: "next" (the next page's URL, resolved against in->base_url),
 * "rpde" = "last" on the last page, "license"; a document that is not an
 * RPDE page gives neither "next" nor "rpde".  Returns DAYHUB_OK when
 * the page was read (perhaps with warnings, perhaps with no records), or
 * DAYHUB_ERROR after host->error() when it is empty, not JSON, cut short,
 * nested too deep, or neither an RPDE page nor an OpenActive document.
 * Stops at once when begin() or end() answers DAYHUB_STOP or after
 * in->max_items records.  Keeps nothing after it returns.
 */
static int
oa_parse(const struct dayhub_input *in, const struct dayhub_host *host,
    void *sink)
{
	struct schemaorg	 s;
	json_t			*root = NULL;
	char			 why[OA_WHY];
	int			 deep, rc = DAYHUB_ERROR;

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
		host->error(sink, "not JSON: the page is empty");
		return DAYHUB_ERROR;
	}
	if (schemaorg_begin(&s, in, host, sink) == -1) {
		host->error(sink, "out of memory while reading the page");
		return DAYHUB_ERROR;
	}

	if ((root = schemaorg_load(&s, (const char *)in->data, in->len, 1,
	    why, sizeof why, &deep)) == NULL) {
		if (s.oom)
			host->error(sink, "out of memory while reading the "
			    "page");
		else if (deep)
			host->error(sink, "refused: the page is %s", why);
		else
			host->error(sink, "not JSON: %s", why);
		goto done;
	}
	s.line = 0;
	if (json_is_object(root) && json_object_get(root, "items") != NULL)
		rc = oa_page(&s, root);
	else
		rc = oa_document(&s, root);
	if (s.oom) {
		host->error(sink, "out of memory while reading the page");
		rc = DAYHUB_ERROR;
	} else if (rc != DAYHUB_ERROR) {
		schemaorg_report(&s);
		rc = DAYHUB_OK;
	}

done:
	schemaorg_end(&s);
	json_decref(root);
	return rc;
}

/* Reads the items of an RPDE page, after its feed facts. */
static int
oa_page(struct schemaorg *s, json_t *root)
{
	json_t	*items = json_object_get(root, "items"), *item;
	size_t	 i;
	int	 rc = DAYHUB_OK;

	if (!json_is_array(items)) {
		s->host->error(s->sink, "not an RPDE page: its \"items\" is "
		    "%s, not a list", json_is_object(items) ? "an object" :
		    json_is_string(items) ? "text" : "not a list");
		return DAYHUB_ERROR;
	}
	/* A session may name its series anywhere on the page. */
	schemaorg_index(s, items);
	oa_facts(s, root, json_array_size(items));
	json_array_foreach(items, i, item) {
		if ((rc = oa_item(s, item, i)) != DAYHUB_OK)
			break;
	}
	return rc == DAYHUB_STOP ? DAYHUB_OK : rc;
}

/*
 * The page's facts for the host: where the next page is, whether this is
 * the last, and the licence of the data.
 */
static void
oa_facts(struct schemaorg *s, json_t *root, size_t nitems)
{
	json_t	*v;
	char	*raw = NULL, *next = NULL, *self = NULL, *lic;
	int	 last = nitems == 0;

	v = json_object_get(root, "next");
	if (json_is_string(v)) {
		raw = feedutil_text_clean(json_string_value(v),
		    json_string_length(v), FEEDUTIL_MAX_FIELD);
		if (raw == NULL) {
			s->oom = 1;
			return;
		}
		next = feedutil_url_resolve(raw, s->in->base_url);
		if (next != NULL && strncmp(next, "http", 4) != 0) {
			free(next);
			next = NULL;
		}
		if (next == NULL)
			s->host->warn(s->sink, 0, "left out the next page "
			    "\"%.*s\": not an http or https URL", oa_qlen(raw),
			    raw);
	} else if (v != NULL && !json_is_null(v))
		s->host->warn(s->sink, 0, "left out the next page: \"next\" "
		    "is not text");
	else if (nitems > 0)
		s->host->warn(s->sink, 0, "the page has no \"next\" link, so "
		    "no page after it is read");
	if (next != NULL) {
		s->host->feed(s->sink, "next", next, strlen(next));
		/* RPDE: the last page links to itself. */
		if (s->in->base_url != NULL && (self = feedutil_url_resolve(
		    s->in->base_url, NULL)) != NULL && strcmp(self, next) == 0)
			last = 1;
	} else
		last = 1;
	if (last)
		s->host->feed(s->sink, "rpde", "last", 4);

	v = json_object_get(root, "license");
	if (json_is_string(v)) {
		if ((lic = feedutil_text_clean(json_string_value(v),
		    json_string_length(v), FEEDUTIL_MAX_FIELD)) == NULL)
			s->oom = 1;
		else if (*lic != '\0')
			s->host->feed(s->sink, "license", lic, strlen(lic));
		free(lic);
	}
	free(raw);
	free(next);
	free(self);
}

/*
 * Reads one item.  Returns DAYHUB_OK to go on, DAYHUB_STOP when the host
 * wants no more, DAYHUB_ERROR on no memory.
 */
static int
oa_item(struct schemaorg *s, json_t *item, size_t i)
{
	enum schemaorg_kind	 kind;
	const char		*state, *name;
	json_t			*data, *v;
	char			*id = NULL;
	int			 rc = DAYHUB_OK;

	if (!json_is_object(item)) {
		s->host->warn(s->sink, 0, "left out item %zu: not an object",
		    i + 1);
		return DAYHUB_OK;
	}
	if ((v = json_object_get(item, "id")) == NULL || json_is_null(v))
		v = json_object_get(item, "@id");
	id = schemaorg_id(v);
	data = json_object_get(item, "data");
	if ((state = json_string_value(json_object_get(item, "state"))) ==
	    NULL) {
		s->host->warn(s->sink, 0, "left out item %zu: it has no "
		    "\"state\"", i + 1);
		goto done;
	}
	kind = oa_kind(item, data, &name);

	if (strcmp(state, "deleted") == 0) {
		if (id == NULL)
			s->host->warn(s->sink, 0, "left out item %zu: a "
			    "deletion with no id", i + 1);
		else if (kind == SCHEMAORG_SKIPPED)
			schemaorg_skip(s, name);
		else
			rc = schemaorg_deleted(s, id);
		goto done;
	}
	if (strcmp(state, "updated") != 0) {
		s->host->warn(s->sink, 0, "left out item %zu: its state "
		    "\"%.*s\" is neither updated nor deleted", i + 1,
		    oa_qlen(state), state);
		goto done;
	}
	if (!json_is_object(data)) {
		s->host->warn(s->sink, 0, "left out item %zu: it is updated "
		    "but has no data", i + 1);
		goto done;
	}
	if (kind != SCHEMAORG_LISTED) {
		schemaorg_skip(s, name);
		goto done;
	}
	if (id == NULL)
		id = schemaorg_node_id(s, data);
	rc = schemaorg_event(s, data, NULL, id);

done:
	free(id);
	return rc;
}

/*
 * What an item holds: its data's @type, or else the first part of its
 * kind ("SessionSeries.ScheduledSession" holds a SessionSeries).
 */
static enum schemaorg_kind
oa_kind(json_t *item, json_t *data, const char **name)
{
	enum schemaorg_kind	 k;
	const char		*kind;

	k = schemaorg_kind(data, name);
	if (*name != NULL)
		return k;
	if ((kind = json_string_value(json_object_get(item, "kind"))) == NULL)
		return SCHEMAORG_OTHER;
	*name = kind;
	return schemaorg_kind_name(kind, strcspn(kind, "."));
}

/*
 * Reads a document that is not an RPDE page: one OpenActive node, a list
 * of them, or an @graph.  Returns DAYHUB_OK, or DAYHUB_ERROR (after
 * host->error()) when it holds no node at all.
 */
static int
oa_document(struct schemaorg *s, json_t *root)
{
	json_t			*list, *node;
	const char		*name;
	enum schemaorg_kind	 k;
	char			*id;
	size_t			 i, n;
	int			 rc = DAYHUB_OK;

	if (json_is_object(root) && json_is_array(json_object_get(root,
	    "@graph")))
		list = json_object_get(root, "@graph");
	else if (json_is_object(root) && json_object_get(root, "@type") !=
	    NULL)
		list = NULL;
	else if (json_is_array(root))
		list = root;
	else {
		s->host->error(s->sink, "not an RPDE page: it has no "
		    "\"items\" list");
		return DAYHUB_ERROR;
	}
	/* It must hold an opportunity, or it is some other document. */
	n = list != NULL ? json_array_size(list) : 1;
	for (i = 0; i < n; i++)
		if (schemaorg_kind(list != NULL ? json_array_get(list, i) :
		    root, NULL) != SCHEMAORG_OTHER)
			break;
	if (i == n) {
		s->host->error(s->sink, "not an RPDE page: it has no \"items\" "
		    "list, nor any event, session or course");
		return DAYHUB_ERROR;
	}
	/*
	 * No "next" and no "rpde" fact: this is a whole feed, not a page,
	 * so what it no longer lists leaves the directory.
	 */
	s->host->warn(s->sink, 0, "not an RPDE page (it has no \"items\" "
	    "list): read as one OpenActive document, with no next page");
	schemaorg_index(s, root);
	for (i = 0; i < n && rc == DAYHUB_OK; i++) {
		node = list != NULL ? json_array_get(list, i) : root;
		if (!json_is_object(node))
			continue;
		if ((k = schemaorg_kind(node, &name)) == SCHEMAORG_SKIPPED) {
			schemaorg_skip(s, name);
			continue;
		}
		if (k != SCHEMAORG_LISTED || schemaorg_is_child(s, node))
			continue;
		id = schemaorg_node_id(s, node);
		rc = schemaorg_event(s, node, NULL, id);
		free(id);
	}
	return rc == DAYHUB_STOP ? DAYHUB_OK : rc;
}

/* How many bytes of clean text `t` to quote, ending on a character. */
static int
oa_qlen(const char *t)
{
	return (int)feedutil_utf8_cut(t, strlen(t), OA_QUOTE);
}
