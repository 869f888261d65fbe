/*
 * refresh.c - when each spoke's feed is fetched, and where the bytes go.
 *
 * Every configured spoke has a timer.  When it fires the feed is fetched
 * on the loop (fetch.c, which also keeps to one transfer per host and a
 * cap in all), and the body, the 304 or the reason there is none goes to
 * the ingest worker, which stores it and works out, with schedule.c, when
 * the spoke is next due.  The timer is set again when the worker reports
 * back, so one spoke never has two refreshes running.  A spoke linked to
 * several hubs is fetched once.
 *
 * A paged feed (OpenActive RPDE) is a chain of pages, each a change set
 * linking to the next.  When the worker reports a page that is not the
 * last, the next is fetched at once, within the same refresh, up to
 * max-pages pages; each is stored in its own transaction with the page
 * to go on from, so the next refresh starts where this one stopped (on
 * the feed's last page, that page again: it links to itself), and a
 * failure part-way keeps every page before it.  Validators go only with
 * a refresh's first request: they were kept only when they describe the
 * page it asks for.
 *
 * Where a spoke stands (validators for a conditional GET, the address it
 * moved to, the page a paged feed goes on from, consecutive failures,
 * when it is due) is read from the store when the spoke is first
 * configured, so a restart resumes rather than refetching everything at
 * once; spokes never fetched are spread over the refresh-spread window.
 *
 * A transfer in flight names its spoke by id and by the generation of
 * its configuration, not by pointer, so a reload that removes or changes
 * the spoke meanwhile leaves nothing dangling: the late result belongs to
 * a configuration that no longer exists, and is dropped; so is the
 * worker's late report of it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dayhub.h"

struct refresh_spoke {
	struct refresh		*refresh;
	char			*id;
	char			*url;		/* as configured */
	char			*current_url;	/* after a permanent move */
	char			*format;
	char			*timezone;
	char			*etag;
	char			*last_modified;
	char			*resume_url;	/* a paged feed's next page */
	unsigned long long	 interval;
	unsigned		 failures;
	unsigned long		 generation;
	struct event		*timer;
	int			 busy;		/* fetching or ingesting */
	int			 again;		/* asked for while busy */
	unsigned long long	 pages;		/* fetched in this refresh */
};

struct refresh {
	struct event_base	*base;
	struct fetcher		*fetcher;
	struct ingest		*ingest;
	struct store		*store;		/* read at configure time */
	struct refresh_spoke	**spokes;
	size_t			 nspokes;
	size_t			 max_items;
	unsigned long long	 max_pages;	/* per refresh of a paged feed */
	unsigned long long	 backoff_max;
	unsigned long		 generation;
};

struct refresh_fetch {
	struct refresh	*refresh;
	char		*spoke;
	unsigned long	 generation;
	time_t		 when;
	int		 first;		/* a refresh's first request */
	int		 elsewhere;	/* not the feed's own address */
};

static struct refresh_spoke *refresh_find(struct refresh *, const char *);
static void	refresh_schedule(struct refresh_spoke *, unsigned long long);
static void	refresh_start(struct refresh_spoke *);
static void	refresh_page(struct refresh_spoke *, const char *, int);
static void	refresh_timer_cb(evutil_socket_t, short, void *);
static void	refresh_fetch_cb(struct fetch_result *, void *);
static void	refresh_spoke_free(struct refresh_spoke *);
static void	refresh_set(char **, const char *);

struct refresh *
refresh_new(struct event_base *base, struct fetcher *fetcher,
    struct ingest *ingest, struct store *store)
{
	struct refresh	*r;

	r = xcalloc(1, sizeof *r);
	r->base = base;
	r->fetcher = fetcher;
	r->ingest = ingest;
	r->store = store;
	r->max_items = FEED_MAX_ITEMS;
	r->max_pages = CONFIG_DEFAULT_PAGES;
	r->backoff_max = 24 * 3600;
	return r;
}

/* A new spoke: resume it from the store, or spread its first fetch. */
static struct refresh_spoke *
refresh_spoke_new(struct refresh *r, const struct config *conf,
    const struct config_hub *hub, const struct config_spoke *cs,
    unsigned long long interval)
{
	struct refresh_spoke	*rs;
	struct spoke_state	 st;
	time_t			 now = now_utc();
	unsigned long long	 delay;

	rs = xcalloc(1, sizeof *rs);
	rs->refresh = r;
	rs->id = xstrdup(cs->id);
	rs->url = xstrdup(cs->url);
	rs->format = xstrdup(cs->format);
	rs->timezone = xstrdup(hub->timezone);
	rs->interval = interval;
	rs->generation = r->generation;
	rs->timer = evtimer_new(r->base, refresh_timer_cb, rs);

	memset(&st, 0, sizeof st);
	if (r->store != NULL &&
	    store_spoke_state(r->store, cs->id, &st) == STORE_OK) {
		refresh_set(&rs->current_url, st.current_url);
		refresh_set(&rs->etag, st.etag);
		refresh_set(&rs->last_modified, st.last_modified);
		refresh_set(&rs->resume_url, st.resume_url);
		rs->failures = st.failures;
	}
	if (st.next_due != 0)
		delay = st.next_due > now ? (unsigned long long)(st.next_due -
		    now) : 0;
	else
		delay = schedule_spread(cs->id, conf->refresh_spread);
	spoke_state_clear(&st);
	refresh_schedule(rs, delay);
	return rs;
}

/*
 * Makes the set of spokes match `conf`.  A spoke whose url, format,
 * zone and interval are unchanged keeps its timer and state; a new or
 * changed one is set up afresh; one no longer configured is dropped.
 */
void
refresh_configure(struct refresh *r, const struct config *conf)
{
	struct refresh_spoke	**next = NULL, *rs;
	size_t			 nnext = 0, h, i, j;
	unsigned long long	 interval;

	r->generation++;
	r->max_items = (size_t)conf->max_items;
	r->max_pages = conf->max_pages != 0 ? conf->max_pages :
	    CONFIG_DEFAULT_PAGES;
	r->backoff_max = conf->backoff_max;
	for (h = 0; h < conf->nhubs; h++) {
		const struct config_hub *hub = &conf->hubs[h];

		for (i = 0; i < hub->nspokes; i++) {
			const struct config_spoke *cs = &hub->spokes[i];

			for (j = 0; j < nnext; j++)
				if (strcmp(next[j]->id, cs->id) == 0)
					break;
			if (j < nnext)
				continue;	/* already taken from a hub */
			interval = cs->interval != 0 ? cs->interval :
			    conf->refresh_interval;
			rs = refresh_find(r, cs->id);
			if (rs != NULL && (strcmp(rs->url, cs->url) != 0 ||
			    strcmp(rs->format, cs->format) != 0 ||
			    strcmp(rs->timezone, hub->timezone) != 0 ||
			    rs->interval != interval))
				rs = NULL;	/* changed: start afresh */
			if (rs != NULL) {
				/* Keep it: take it out of the old set. */
				for (j = 0; j < r->nspokes; j++)
					if (r->spokes[j] == rs)
						r->spokes[j] = NULL;
			} else
				rs = refresh_spoke_new(r, conf, hub, cs,
				    interval);
			next = xreallocarray(next, nnext + 1, sizeof *next);
			next[nnext++] = rs;
		}
	}
	for (i = 0; i < r->nspokes; i++)
		if (r->spokes[i] != NULL)
			refresh_spoke_free(r->spokes[i]);
	free(r->spokes);
	r->spokes = next;
	r->nspokes = nnext;
}

/* Fetches a spoke now, or as soon as its current refresh ends. */
int
refresh_spoke_now(struct refresh *r, const char *spoke)
{
	struct refresh_spoke	*rs;

	if ((rs = refresh_find(r, spoke)) == NULL)
		return -1;
	if (rs->busy)
		rs->again = 1;
	else
		refresh_schedule(rs, 0);
	return 0;
}

/*
 * Fetches every spoke of `hub` now (all hubs when NULL) and appends their
 * ids to the JSON array `queued`.  Returns -1 for an unknown hub.
 */
int
refresh_hub_now(struct refresh *r, const struct config *conf,
    const char *hub, json_t *queued)
{
	size_t	h, i;
	int	found = 0;

	for (h = 0; h < conf->nhubs; h++) {
		if (hub != NULL && strcmp(conf->hubs[h].id, hub) != 0)
			continue;
		found = 1;
		for (i = 0; i < conf->hubs[h].nspokes; i++) {
			const char *id = conf->hubs[h].spokes[i].id;

			if (refresh_spoke_now(r, id) == 0)
				json_array_append_new(queued,
				    json_string(id));
		}
	}
	return found ? 0 : -1;
}

/* How many spokes are being fetched or stored right now. */
size_t
refresh_busy(const struct refresh *r)
{
	size_t	i, n = 0;

	for (i = 0; i < r->nspokes; i++)
		n += r->spokes[i]->busy ? 1 : 0;
	return n;
}

void
refresh_free(struct refresh *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nspokes; i++)
		refresh_spoke_free(r->spokes[i]);
	free(r->spokes);
	free(r);
}

static void
refresh_set(char **member, const char *value)
{
	free(*member);
	*member = value != NULL ? xstrdup(value) : NULL;
}

static struct refresh_spoke *
refresh_find(struct refresh *r, const char *id)
{
	size_t	i;

	for (i = 0; i < r->nspokes; i++)
		if (r->spokes[i] != NULL && strcmp(r->spokes[i]->id, id) == 0)
			return r->spokes[i];
	return NULL;
}

static void
refresh_spoke_free(struct refresh_spoke *rs)
{
	event_free(rs->timer);
	free(rs->id);
	free(rs->url);
	free(rs->current_url);
	free(rs->format);
	free(rs->timezone);
	free(rs->etag);
	free(rs->last_modified);
	free(rs->resume_url);
	free(rs);
}

static void
refresh_schedule(struct refresh_spoke *rs, unsigned long long seconds)
{
	struct timeval	tv = { (time_t)seconds, 0 };

	evtimer_add(rs->timer, &tv);
}

static void
refresh_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	refresh_start(arg);
}

/* A refresh begins: where a paged feed stopped, or at the feed. */
static void
refresh_start(struct refresh_spoke *rs)
{
	if (rs->busy)
		return;
	rs->busy = 1;
	rs->pages = 0;
	refresh_page(rs, rs->resume_url != NULL ? rs->resume_url :
	    rs->current_url != NULL ? rs->current_url : rs->url, 1);
}

/*
 * Fetches one page of a refresh: its first (with the validators), or the
 * next of a paged feed.
 */
static void
refresh_page(struct refresh_spoke *rs, const char *url, int first)
{
	struct refresh		*r = rs->refresh;
	struct refresh_fetch	*rf;
	struct fetch_request	 req;

	rf = xcalloc(1, sizeof *rf);
	rf->refresh = r;
	rf->spoke = xstrdup(rs->id);
	rf->generation = rs->generation;
	rf->when = now_utc();
	rf->first = first;
	rf->elsewhere = strcmp(url, rs->current_url != NULL ?
	    rs->current_url : rs->url) != 0;
	rs->pages++;
	memset(&req, 0, sizeof req);
	req.url = url;
	if (first) {
		req.etag = rs->etag;
		req.last_modified = rs->last_modified;
	}
	log_debug("%s: fetching %s", rs->id, req.url);
	if (fetch_start(r->fetcher, &req, refresh_fetch_cb, rf) == -1) {
		log_warnx("%s: the transfer could not be started", rs->id);
		free(rf->spoke);
		free(rf);
		rs->busy = 0;
		refresh_schedule(rs, rs->interval);
	}
}

static char *
refresh_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* A transfer ended: hand the body, the 304 or the failure to the worker. */
static void
refresh_fetch_cb(struct fetch_result *fr, void *arg)
{
	struct refresh_fetch	*rf = arg;
	struct refresh_spoke	*rs;
	struct ingest_job	*job;

	rs = refresh_find(rf->refresh, rf->spoke);
	if (rs == NULL || rs->generation != rf->generation) {
		log_debug("%s: configuration changed meanwhile; result "
		    "dropped", rf->spoke);
		goto out;
	}
	job = xcalloc(1, sizeof *job);
	job->kind = INGEST_FEED;
	job->spoke = xstrdup(rs->id);
	job->url = xstrdup(fr->effective_url != NULL ? fr->effective_url :
	    fr->url);
	job->timezone = xstrdup(rs->timezone);
	job->format = xstrdup(rs->format);
	job->content_type = refresh_dup(fr->content_type);
	job->status = fr->status;
	job->seconds = fr->seconds;
	job->not_modified = fr->not_modified;
	job->moved_to = refresh_dup(fr->moved_to);
	job->max_age = fr->max_age;
	job->expires = fr->expires;
	job->retry_after = fr->retry_after;
	job->max_items = rf->refresh->max_items;
	job->interval = rs->interval;
	job->backoff_max = rf->refresh->backoff_max;
	job->failures = rs->failures;
	job->when = rf->when;
	job->generation = rs->generation;
	job->elsewhere = rf->elsewhere;
	/*
	 * Validators: the new ones, or keep the old on a 304.  Only the
	 * first request sent any; a later page's are its own or none.
	 */
	job->etag = refresh_dup(fr->etag != NULL ? fr->etag : rf->first ?
	    rs->etag : NULL);
	job->last_modified = refresh_dup(fr->last_modified != NULL ?
	    fr->last_modified : rf->first ? rs->last_modified : NULL);
	/* A page of a paged feed moving says nothing of the feed's address. */
	if (rf->elsewhere) {
		free(job->moved_to);
		job->moved_to = NULL;
	}
	if (fr->error != NULL) {
		log_warnx("%s: %s", rs->id, fr->error);
		job->fetch_error = xstrdup(fr->error);
		job->len = fr->len;
	} else if (!fr->not_modified) {
		log_debug("%s: fetched %zu bytes in %.2fs", rs->id, fr->len,
		    fr->seconds);
		job->body = fr->body;
		job->len = fr->len;
		fr->body = NULL;
	}
	if (job->moved_to != NULL)
		log_info("%s: moved permanently to %s", rs->id, fr->moved_to);
	ingest_submit(rf->refresh->ingest, job);
out:
	free(rf->spoke);
	free(rf);
}

/* The worker has stored (or failed to store) a spoke's feed. */
void
refresh_done(struct refresh *r, const struct ingest_outcome *oc)
{
	struct refresh_spoke	*rs;
	time_t			 now = now_utc();

	if (oc->kind != INGEST_FEED) {
		if (oc->error != NULL)
			log_warnx("%s", oc->error);
		return;
	}
	if (oc->error != NULL)
		log_warnx("%s: not updated: %s", oc->spoke, oc->error);
	else if (oc->not_modified)
		log_debug("%s: unchanged", oc->spoke);
	else if (oc->paged)
		log_info("%s: %zu activities stored from a page (%s, %zu "
		    "warnings)%s", oc->spoke, oc->records, oc->format != NULL ?
		    oc->format : "?", oc->warnings, oc->last_page ?
		    "; that was the last page" : "");
	else
		log_info("%s: %zu activities stored (%s, %zu warnings)",
		    oc->spoke, oc->records, oc->format != NULL ? oc->format :
		    "?", oc->warnings);
	/* A spoke reconfigured meanwhile has nothing to do with this. */
	if ((rs = refresh_find(r, oc->spoke)) == NULL || !rs->busy ||
	    rs->generation != oc->generation)
		return;
	rs->failures = oc->failures;
	if (oc->error == NULL || oc->not_modified) {
		refresh_set(&rs->etag, oc->etag);
		refresh_set(&rs->last_modified, oc->last_modified);
	}
	/* As stored: a feed read whole has no page to go on from. */
	if (oc->error == NULL && !oc->not_modified)
		refresh_set(&rs->resume_url, oc->paged ? oc->resume_url :
		    NULL);
	if (oc->resume_dropped) {
		log_warnx("%s: the page to go on from is gone; the next "
		    "refresh starts again from the first", oc->spoke);
		refresh_set(&rs->resume_url, NULL);
	}
	if (oc->moved_to != NULL)
		refresh_set(&rs->current_url, oc->moved_to);
	if (oc->error == NULL && !oc->not_modified && oc->paged &&
	    !oc->last_page && rs->resume_url != NULL) {
		if (rs->pages < r->max_pages) {
			refresh_page(rs, rs->resume_url, 0);
			return;
		}
		log_info("%s: stopped after %llu pages (max-pages); the next "
		    "refresh goes on from %s", rs->id, rs->pages,
		    rs->resume_url);
	}
	rs->busy = 0;
	if (rs->again) {
		rs->again = 0;
		refresh_schedule(rs, 0);
	} else
		refresh_schedule(rs, oc->next_due > now ?
		    (unsigned long long)(oc->next_due - now) : 0);
}
