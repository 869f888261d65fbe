/*
 * refresh.c - when each spoke's feed is fetched, and where the bytes go.
 *
 * Every configured spoke has a timer.  When it fires the feed is fetched
 * on the loop (fetch.c), and the body, or the reason there is none, goes
 * to the ingest worker, which stores it.  The next fetch is scheduled when
 * the worker reports back, so one spoke never has two refreshes running.
 * A spoke linked to several hubs is fetched once.
 *
 * A transfer in flight names its spoke by id, not by pointer, so a config
 * reload that removes the spoke meanwhile leaves nothing dangling: the
 * late result is dropped.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dayhub.h"

struct refresh_spoke {
	struct refresh		*refresh;
	char			*id;
	char			*url;
	char			*format;
	char			*timezone;
	unsigned long long	 interval;
	struct event		*timer;
	int			 busy;		/* fetching or ingesting */
	int			 again;		/* asked for while busy */
};

struct refresh {
	struct event_base	*base;
	struct fetcher		*fetcher;
	struct ingest		*ingest;
	struct refresh_spoke	**spokes;
	size_t			 nspokes;
	size_t			 max_items;
	size_t			 busy;
};

struct refresh_fetch {
	struct refresh	*refresh;
	char		*spoke;
	time_t		 when;
};

static struct refresh_spoke *refresh_find(struct refresh *, const char *);
static void	refresh_schedule(struct refresh_spoke *, unsigned long long);
static void	refresh_start(struct refresh_spoke *);
static void	refresh_timer_cb(evutil_socket_t, short, void *);
static void	refresh_fetch_cb(struct fetch_result *, void *);
static void	refresh_spoke_free(struct refresh_spoke *);

struct refresh *
refresh_new(struct event_base *base, struct fetcher *fetcher,
    struct ingest *ingest)
{
	struct refresh	*r;

	r = xcalloc(1, sizeof *r);
	r->base = base;
	r->fetcher = fetcher;
	r->ingest = ingest;
	r->max_items = FEED_MAX_ITEMS;
	return r;
}

/*
 * Makes the set of spokes match `conf`.  A spoke whose url, format,
 * zone and interval are unchanged keeps its timer; a new or changed one
 * is fetched now; one no longer configured is dropped.
 */
void
refresh_configure(struct refresh *r, const struct config *conf)
{
	struct refresh_spoke	**next = NULL, *rs;
	size_t			 nnext = 0, h, i, j;
	unsigned long long	 interval;

	r->max_items = (size_t)conf->max_items;
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
			} else {
				rs = xcalloc(1, sizeof *rs);
				rs->refresh = r;
				rs->id = xstrdup(cs->id);
				rs->url = xstrdup(cs->url);
				rs->format = xstrdup(cs->format);
				rs->timezone = xstrdup(hub->timezone);
				rs->interval = interval;
				rs->timer = evtimer_new(r->base,
				    refresh_timer_cb, rs);
				refresh_schedule(rs, 0);
			}
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
	r->busy = 0;
	for (i = 0; i < nnext; i++)
		r->busy += next[i]->busy ? 1 : 0;
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

/* How many spokes are being fetched or stored right now. */
size_t
refresh_busy(const struct refresh *r)
{
	return r->busy;
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
	if (rs->busy)
		rs->refresh->busy--;
	event_free(rs->timer);
	free(rs->id);
	free(rs->url);
	free(rs->format);
	free(rs->timezone);
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

static void
refresh_start(struct refresh_spoke *rs)
{
	struct refresh		*r = rs->refresh;
	struct refresh_fetch	*rf;

	if (rs->busy)
		return;
	rf = xcalloc(1, sizeof *rf);
	rf->refresh = r;
	rf->spoke = xstrdup(rs->id);
	rf->when = now_utc();
	rs->busy = 1;
	r->busy++;
	log_debug("%s: fetching %s", rs->id, rs->url);
	if (fetch_start(r->fetcher, rs->url, refresh_fetch_cb, rf) == -1) {
		log_warnx("%s: the transfer could not be started", rs->id);
		free(rf->spoke);
		free(rf);
		rs->busy = 0;
		r->busy--;
		refresh_schedule(rs, rs->interval);
	}
}

/* A transfer ended: hand the body, or the failure, to the worker. */
static void
refresh_fetch_cb(struct fetch_result *fr, void *arg)
{
	struct refresh_fetch	*rf = arg;
	struct refresh_spoke	*rs;
	struct ingest_job	*job;

	rs = refresh_find(rf->refresh, rf->spoke);
	if (rs == NULL) {
		log_debug("%s: no longer configured; result dropped",
		    rf->spoke);
		goto out;
	}
	job = xcalloc(1, sizeof *job);
	job->spoke = xstrdup(rs->id);
	job->url = xstrdup(fr->effective_url != NULL ? fr->effective_url :
	    rs->url);
	job->timezone = xstrdup(rs->timezone);
	job->format = xstrdup(rs->format);
	job->max_items = rf->refresh->max_items;
	job->when = rf->when;
	if (fr->content_type != NULL)
		job->content_type = xstrdup(fr->content_type);
	if (fr->error != NULL) {
		log_warnx("%s: %s", rs->id, fr->error);
		job->fetch_error = xstrdup(fr->error);
	} else {
		log_debug("%s: fetched %zu bytes in %.2fs", rs->id, fr->len,
		    fr->seconds);
		job->body = fr->body;
		job->len = fr->len;
		fr->body = NULL;
	}
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

	if (oc->error != NULL)
		log_warnx("%s: not updated: %s", oc->spoke, oc->error);
	else
		log_info("%s: %zu activities stored (%s, %zu warnings)",
		    oc->spoke, oc->records, oc->format != NULL ? oc->format :
		    "?", oc->warnings);
	if ((rs = refresh_find(r, oc->spoke)) == NULL || !rs->busy)
		return;
	rs->busy = 0;
	r->busy--;
	if (rs->again) {
		rs->again = 0;
		refresh_schedule(rs, 0);
	} else
		refresh_schedule(rs, rs->interval);
}
