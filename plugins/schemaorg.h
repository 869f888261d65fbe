/*
 * schemaorg.h - schema.org events as JSON, made into dayhub records: the
 * part the OpenActive (RPDE) and the JSON-LD modules share.
 *
 * Both modules read the same vocabulary (Event and its subtypes,
 * SessionSeries, ScheduledSession, CourseInstance, Place, Offer,
 * PartialSchedule, Concept) and differ only in the envelope around it: an
 * RPDE page of items, or <script type="application/ld+json"> blocks in a
 * web page.  Compiled into both modules, never into the daemon, so every
 * name starts with schemaorg_.
 *
 * One struct schemaorg is one parse.  It holds everything (the index of
 * nodes by @id, the source ids already emitted, what was skipped), so
 * parses run side by side in threads.  Records and warnings go straight to
 * the host through in->host; nothing here calls error(): the module
 * decides what is fatal.
 */
#ifndef SCHEMAORG_H
#define SCHEMAORG_H

#include <stddef.h>

#include <jansson.h>

#include "dayhub/plugin.h"

#define SCHEMAORG_MAX_DEPTH	256	/* JSON nesting, when the input sets none */
#define SCHEMAORG_SKIP_KINDS	8	/* kinds of node counted when skipped */
#define SCHEMAORG_KIND_NAME	40	/* bytes of a kind's name kept */

/* What a cheap scan of the first bytes of a JSON document found. */
struct schemaorg_sniff {
	int	json;		/* starts like a JSON object or array */
	int	items;		/* a top-level "items" array */
	int	next;		/* a top-level "next" string */
	int	item;		/* one of those items has RPDE's keys */
	int	openactive;	/* an @context naming openactive.io */
	int	schemaorg;	/* an @context naming schema.org */
	int	event;		/* an @type of a kind dayhub lists */
};

/* How dayhub treats a node, by its @type. */
enum schemaorg_kind {
	SCHEMAORG_OTHER,	/* no type, or one that holds no activity */
	SCHEMAORG_LISTED,	/* an event dayhub lists */
	SCHEMAORG_SKIPPED	/* an opportunity dayhub does not list */
};

/* One parse of one document (or of the scripts of one page). */
struct schemaorg {
	const struct dayhub_input	*in;
	const struct dayhub_host	*host;
	void				*sink;
	const char			*base;	/* links resolve against it */
	unsigned long			 line;	/* warnings point here */
	size_t				 max_depth;
	json_t				*index;	/* "@id" -> node (borrowed) */
	json_t				*children; /* "@id"s some subEvent names */
	json_t				*parents; /* "@id"s some superEvent names */
	json_t				*seen;	/* source ids emitted */
	json_t				*done;	/* nodes read, by address */
	size_t				 nindexed;
	size_t				 nrecords;
	size_t				 nlisted;	/* listed nodes met */
	size_t				 unresolved;	/* superEvents not here */
	int				 quiet;		/* > 0: no warnings */
	int				 oom;
	int				 stopped;	/* the host said STOP */
	struct {
		char	 name[SCHEMAORG_KIND_NAME];
		size_t	 count;
	}				 skipped[SCHEMAORG_SKIP_KINDS];
	size_t				 nskipped;	/* all, named or not */
};

/*
 * Scans at most `len` bytes from outside, cheaply and without allocating,
 * for what sniffing needs: whether they start like JSON, hold top-level
 * RPDE members, an @context naming OpenActive or schema.org, an @type
 * dayhub lists.  Strings are skipped whole, so a key inside a value does
 * not count; a document cut off by `len` reports what came before.
 */
void	 schemaorg_sniff_json(const unsigned char *, size_t,
	    struct schemaorg_sniff *);

/*
 * Sets up one parse for the module's input, host and sink; links resolve
 * against in->base_url until the module changes s->base.  Returns 0, or
 * -1 when out of memory (nothing to free then).  schemaorg_end() frees
 * what it holds, and may be called on any struct begin() returned 0 for.
 */
int	 schemaorg_begin(struct schemaorg *, const struct dayhub_input *,
	    const struct dayhub_host *, void *);
void	 schemaorg_end(struct schemaorg *);

/*
 * Gives the end-of-document warnings: the kinds of item left out with
 * their counts, and events whose superEvent was not in the document.
 */
void	 schemaorg_report(struct schemaorg *);

/*
 * Parses `len` bytes of JSON from outside (not NUL-terminated; any bytes
 * at all) that start at line `line0` of the input.  A UTF-8 byte order
 * mark is skipped; NULs and control bytes are removed and bad UTF-8 is
 * mended first (feedutil_xml_sanitize(), which reads any text); raw tabs
 * and line breaks inside strings are made spaces; each repair gives one
 * warning.  Nesting deeper than s->max_depth is refused before jansson
 * sees it.  Duplicate keys are allowed (the last wins), integers stay
 * integers, "\u0000" is allowed.  Returns the document (the caller owns
 * it), or NULL with the reason in `why` ("... (line N)"): *deep is set
 * when it was nested too deep, s->oom when memory ran out.
 */
json_t	*schemaorg_load(struct schemaorg *, const char *, size_t,
	    unsigned long, char *, size_t, int *);

/*
 * Indexes every node under `root` that has an @id and says something
 * more than it, so that references resolve; notes the @ids that a
 * subEvent or a superEvent names.  May be called once per document of the parse; the
 * documents must outlive the parse (the index borrows their nodes).
 */
void	 schemaorg_index(struct schemaorg *, json_t *);

/*
 * What a node is, by its @type (a string or a list, full IRI or term):
 * LISTED for Event and every type whose name ends in "Event", and for
 * SessionSeries, ScheduledSession and CourseInstance; SKIPPED for
 * OnDemandEvent, FacilityUse, IndividualFacilityUse, Slot, Course and
 * EventSeries; OTHER for the rest.  *name (may be NULL) is set to the
 * first type named, borrowed, or NULL.  schemaorg_kind_name() judges one
 * type name of `len` bytes.
 */
enum schemaorg_kind schemaorg_kind(json_t *, const char **);
enum schemaorg_kind schemaorg_kind_name(const char *, size_t);

/* Counts one item left out for its kind `name` (NULL: no type). */
void	 schemaorg_skip(struct schemaorg *, const char *);

/*
 * An id from outside (a string or a number) as clean text, malloc'd; NULL
 * for any other type, an empty one, or on no memory.
 */
char	*schemaorg_id(json_t *);

/*
 * The source id of a top-level node of a page: its @id (a blank node
 * "_:x" is no id; a relative one is resolved against s->base), else its
 * url, else its identifier.  malloc'd, or NULL when it has none.
 */
char	*schemaorg_node_id(struct schemaorg *, json_t *);

/* 1 for an object that only names a node: {"@id": X}, perhaps typed. */
int	 schemaorg_is_reference(json_t *);

/*
 * 1 when some node's subEvent (is_child) or superEvent (is_parent) names
 * this node's @id.
 */
int	 schemaorg_is_child(struct schemaorg *, json_t *);
int	 schemaorg_is_parent(struct schemaorg *, json_t *);

/* 1 when a record with this source id was emitted in this parse. */
int	 schemaorg_seen(struct schemaorg *, const char *);

/* 1 when this node was read as an event in this parse. */
int	 schemaorg_done(struct schemaorg *, json_t *);

/*
 * Emits the records of one event node from outside (any JSON value is
 * safe to pass): one record under `sid` (NULL: the host derives an id),
 * with the fields of the node, what it lacks filled from `parent` (the
 * series it was found in; NULL: its superEvent, looked up), and a record
 * more for each further usable eventSchedule ("<sid>#schedule2"); then
 * the records of its subEvents, each filled from it, under its @id, else
 * "<sid>#<identifier>", else "<sid>#<startDate>".  A cancelled event is
 * emitted as deletions (with its subEvents); a source id already emitted
 * is warned about and skipped.  Returns DAYHUB_OK, DAYHUB_STOP once the
 * host or in->max_items wants no more, or DAYHUB_ERROR on no memory.
 */
int	 schemaorg_event(struct schemaorg *, json_t *, json_t *,
	    const char *);

/*
 * Emits the subEvents of a node that is not itself listed (an
 * EventSeries holding sessions), each filled from it, as
 * schemaorg_event() does for a listed one.  Same returns.
 */
int	 schemaorg_subevents(struct schemaorg *, json_t *, const char *);

/* Emits a deletion: source_id and state "deleted" only.  Same returns. */
int	 schemaorg_deleted(struct schemaorg *, const char *);

#endif /* SCHEMAORG_H */
