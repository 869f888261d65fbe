/*
 * ingest.c - parsing and storing feeds off the event loop.
 *
 * One worker thread owns its own SQLite connection (the database is in WAL
 * mode, so the loop's connection keeps reading while the worker writes).
 * The loop hands it jobs, a fetched body or the reason there is none; the
 * worker runs the format module, applies the result in one transaction or
 * records the failure, and hands an outcome back.  A page of a paged feed
 * (OpenActive RPDE) is applied as a change set, and its outcome says
 * where the next page is; following it is refresh.c's business, so a
 * chain of pages is a chain of jobs, one transaction each.  Outcomes
 * reach the loop through an event made active from the worker, so every
 * callback runs on the loop's thread.  The loop never waits for the
 * worker except at exit.
 */
#include "config.h"

#include <sys/queue.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dayhub.h"

struct ingest_item {
	struct ingest_job		*job;
	char				*error;
	size_t				 records;
	size_t				 warnings;
	char				*format;
	unsigned			 failures;
	time_t				 next_due;
	int				 paged;	/* a page of a paged feed */
	int				 last_page;
	char				*resume_url;	/* paged: next page */
	int				 resume_dropped;
	TAILQ_ENTRY(ingest_item)	 entry;
};
TAILQ_HEAD(ingest_queue, ingest_item);

struct ingest {
	struct event_base	*base;
	struct store		*store;		/* the worker's connection */
	ingest_done_cb		 done_cb;
	void			*done_arg;
	struct event		*done_ev;

	pthread_t		 thread;
	pthread_mutex_t		 lock;		/* guards what follows */
	pthread_cond_t		 wake;
	struct ingest_queue	 todo;
	struct ingest_queue	 done;
	size_t			 pending;	/* queued or running */
	int			 stopping;
};

static void	*ingest_main(void *);
static void	 ingest_run(struct ingest *, struct ingest_item *);
static void	 ingest_done_ev_cb(evutil_socket_t, short, void *);
static void	 ingest_item_free(struct ingest_item *);

/*
 * Opens the worker's own connection to `database` and starts the thread.
 * `done_cb` is called on the loop for every submitted job.  Returns NULL
 * with the reason in `err` when the database cannot be opened.
 */
struct ingest *
ingest_new(struct event_base *base, const char *database,
    ingest_done_cb done_cb, void *arg, char *err, size_t errlen)
{
	struct ingest	*in;
	int		 rc;

	in = xcalloc(1, sizeof *in);
	in->base = base;
	in->done_cb = done_cb;
	in->done_arg = arg;
	TAILQ_INIT(&in->todo);
	TAILQ_INIT(&in->done);
	if (store_open(&in->store, database, err, errlen) != STORE_OK) {
		free(in);
		return NULL;
	}
	in->done_ev = event_new(base, -1, 0, ingest_done_ev_cb, in);
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->wake, NULL);
	if ((rc = pthread_create(&in->thread, NULL, ingest_main, in)) != 0)
		fatalx("cannot start the ingest thread: %s", strerror(rc));
	return in;
}

/* Queues a job; the ingest owns it from here on. */
void
ingest_submit(struct ingest *in, struct ingest_job *job)
{
	struct ingest_item	*it;

	it = xcalloc(1, sizeof *it);
	it->job = job;
	pthread_mutex_lock(&in->lock);
	TAILQ_INSERT_TAIL(&in->todo, it, entry);
	in->pending++;
	pthread_cond_signal(&in->wake);
	pthread_mutex_unlock(&in->lock);
}

size_t
ingest_pending(struct ingest *in)
{
	size_t	n;

	pthread_mutex_lock(&in->lock);
	n = in->pending;
	pthread_mutex_unlock(&in->lock);
	return n;
}

/*
 * Lets the job in hand finish (its transaction commits or rolls back
 * whole), drops those still queued, and joins the thread.  Outcomes not
 * yet delivered are dropped: this is for shutdown.
 */
void
ingest_free(struct ingest *in)
{
	struct ingest_item	*it;

	if (in == NULL)
		return;
	pthread_mutex_lock(&in->lock);
	in->stopping = 1;
	pthread_cond_signal(&in->wake);
	pthread_mutex_unlock(&in->lock);
	pthread_join(in->thread, NULL);

	while ((it = TAILQ_FIRST(&in->todo)) != NULL) {
		TAILQ_REMOVE(&in->todo, it, entry);
		ingest_item_free(it);
	}
	while ((it = TAILQ_FIRST(&in->done)) != NULL) {
		TAILQ_REMOVE(&in->done, it, entry);
		ingest_item_free(it);
	}
	event_free(in->done_ev);
	pthread_cond_destroy(&in->wake);
	pthread_mutex_destroy(&in->lock);
	store_close(in->store);
	free(in);
}

void
ingest_job_free(struct ingest_job *job)
{
	if (job == NULL)
		return;
	free(job->spoke);
	free(job->url);
	free(job->content_type);
	free(job->timezone);
	free(job->format);
	free(job->body);
	free(job->fetch_error);
	free(job->etag);
	free(job->last_modified);
	free(job->moved_to);
	free(job);
}

static void
ingest_item_free(struct ingest_item *it)
{
	ingest_job_free(it->job);
	free(it->error);
	free(it->format);
	free(it->resume_url);
	free(it);
}

static void *
ingest_main(void *arg)
{
	struct ingest		*in = arg;
	struct ingest_item	*it;

	for (;;) {
		pthread_mutex_lock(&in->lock);
		while (!in->stopping && TAILQ_EMPTY(&in->todo))
			pthread_cond_wait(&in->wake, &in->lock);
		if (in->stopping) {
			pthread_mutex_unlock(&in->lock);
			return NULL;
		}
		it = TAILQ_FIRST(&in->todo);
		TAILQ_REMOVE(&in->todo, it, entry);
		pthread_mutex_unlock(&in->lock);

		ingest_run(in, it);

		pthread_mutex_lock(&in->lock);
		TAILQ_INSERT_TAIL(&in->done, it, entry);
		pthread_mutex_unlock(&in->lock);
		event_active(in->done_ev, EV_READ, 0);
	}
}

/* The next due time after this attempt, from the schedule policy. */
static time_t
ingest_next_due(const struct ingest_job *job, unsigned failures,
    long long ttl)
{
	struct schedule_input	si;

	memset(&si, 0, sizeof si);
	si.now = now_utc();
	si.interval = job->interval;
	si.failures = failures;
	si.status = job->status;
	si.max_age = job->max_age;
	si.expires = job->expires;
	si.retry_after = job->retry_after;
	si.ttl = ttl;
	si.backoff_max = job->backoff_max;
	si.jitter = (uint32_t)random();
	return schedule_next(&si);
}

/* Records a failed attempt: nothing stored changes but its health. */
static void
ingest_failed(struct ingest *in, struct ingest_item *it,
    struct feed_attempt *fa, const char *why)
{
	struct ingest_job	*job = it->job;

	it->error = xstrdup(why);
	it->failures = job->failures + 1;
	fa->error = it->error;
	fa->next_due = it->next_due = ingest_next_due(job, it->failures, -1);
	if (store_feed_failed(in->store, job->spoke, fa) != STORE_OK)
		log_warnx("%s: could not record the failure", job->spoke);
}

/* The feed's <ttl> (minutes) if it gave one, else -1. */
static long long
ingest_ttl(const struct feed_result *res)
{
	json_t	*ttl = json_object_get(res->feed, "ttl");

	/* The sink has checked it: a whole number of minutes. */
	if (!json_is_integer(ttl) || json_integer_value(ttl) <= 0)
		return -1;
	return (long long)json_integer_value(ttl);
}

/*
 * Whether `res` is a page of a paged feed, as its module says through
 * the feed facts "next" (the next page) and "rpde" ("last" on the last
 * page); if it is, `fa` becomes a change set whose resume point is the
 * next page, or for a last page without a link the page itself.  The
 * validators describe the page just fetched, so they are kept only when
 * the resume point is that page: sent with another URL they could earn
 * a 304 that page never gave.
 */
static void
ingest_page(struct ingest_item *it, const struct feed_result *res,
    struct feed_attempt *fa)
{
	struct ingest_job	*job = it->job;
	const char		*next, *rpde;

	next = json_string_value(json_object_get(res->feed, "next"));
	rpde = json_string_value(json_object_get(res->feed, "rpde"));
	if (next == NULL && rpde == NULL)
		return;
	it->paged = 1;
	it->resume_url = xstrdup(next != NULL ? next : job->url);
	/* A page that links to itself leads nowhere new, whatever it says. */
	it->last_page = (rpde != NULL && strcmp(rpde, "last") == 0) ||
	    strcmp(it->resume_url, job->url) == 0;
	if (strcmp(it->resume_url, job->url) != 0) {
		free(job->etag);
		free(job->last_modified);
		job->etag = job->last_modified = NULL;
		fa->etag = fa->last_modified = NULL;
	}
	fa->change_set = 1;
	fa->resume_url = it->resume_url;
}

/* Parses and stores one job, on the worker thread. */
static void
ingest_run(struct ingest *in, struct ingest_item *it)
{
	struct ingest_job	*job = it->job;
	struct parse_request	 pr;
	struct feed_result	 res;
	struct feed_attempt	 fa;
	struct spoke_state	 st;

	if (job->kind == INGEST_PURGE) {
		if (store_purge_tombstones(in->store, job->when) != STORE_OK)
			it->error = xstrdup("tombstones could not be purged");
		return;
	}
	if (job->kind == INGEST_HORIZON) {
		store_set_horizon(in->store, job->horizon);
		if (store_refresh_occurrences(in->store, job->when) !=
		    STORE_OK)
			it->error = xstrdup("the occurrences of repeating "
			    "sessions could not be extended");
		return;
	}

	memset(&fa, 0, sizeof fa);
	fa.when = job->when;
	fa.status = job->status;
	fa.bytes = job->len;
	fa.seconds = job->seconds;
	fa.url = job->url;
	fa.etag = job->etag;
	fa.last_modified = job->last_modified;
	fa.moved_to = job->moved_to;
	/*
	 * A 404 or 410 for a later page says the page is gone, not the
	 * feed: the next refresh starts again from the feed's address.
	 */
	if (job->status == 404 || job->status == 410) {
		if (job->elsewhere)
			fa.drop_resume = it->resume_dropped = 1;
		else
			fa.gone = 1;
	}

	if (job->not_modified) {
		it->failures = 0;
		fa.next_due = it->next_due = ingest_next_due(job, 0, -1);
		if (store_feed_unchanged(in->store, job->spoke, &fa) !=
		    STORE_OK)
			log_warnx("%s: could not record the check", job->spoke);
		return;
	}
	if (job->body == NULL) {
		ingest_failed(in, it, &fa, job->fetch_error != NULL ?
		    job->fetch_error : "the feed could not be fetched");
		return;
	}

	/* The identity mode a feed fell back to before sticks. */
	memset(&st, 0, sizeof st);
	(void)store_spoke_state(in->store, job->spoke, &st);
	memset(&pr, 0, sizeof pr);
	pr.data = job->body;
	pr.len = job->len;
	pr.spoke = job->spoke;
	pr.base_url = job->url;
	pr.content_type = job->content_type;
	pr.timezone = job->timezone;
	pr.format = job->format;
	pr.max_items = job->max_items;
	pr.identity = st.identity;
	memset(&res, 0, sizeof res);
	if (record_parse(&pr, &res) == -1)
		ingest_failed(in, it, &fa, res.error != NULL ? res.error :
		    "the feed could not be read");
	else {
		it->failures = 0;
		fa.next_due = it->next_due = ingest_next_due(job, 0,
		    ingest_ttl(&res));
		ingest_page(it, &res, &fa);
		if (store_apply_feed(in->store, job->spoke, &res, &fa) !=
		    STORE_OK)
			ingest_failed(in, it, &fa, "the feed was read but "
			    "could not be stored; the previous listings are "
			    "kept");
	}
	it->records = res.records != NULL ? json_array_size(res.records) : 0;
	it->warnings = res.nwarnings;
	if (res.format != NULL)
		it->format = xstrdup(res.format);
	feed_result_free(&res);
	spoke_state_clear(&st);
	/* The body is no longer needed; free it before the loop sees it. */
	free(job->body);
	job->body = NULL;
}

static void
ingest_done_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ingest		*in = arg;
	struct ingest_queue	 ready;
	struct ingest_item	*it;
	struct ingest_outcome	 oc;

	TAILQ_INIT(&ready);
	pthread_mutex_lock(&in->lock);
	while ((it = TAILQ_FIRST(&in->done)) != NULL) {
		TAILQ_REMOVE(&in->done, it, entry);
		TAILQ_INSERT_TAIL(&ready, it, entry);
		in->pending--;
	}
	pthread_mutex_unlock(&in->lock);

	while ((it = TAILQ_FIRST(&ready)) != NULL) {
		TAILQ_REMOVE(&ready, it, entry);
		memset(&oc, 0, sizeof oc);
		oc.kind = it->job->kind;
		oc.spoke = it->job->spoke;
		oc.error = it->error;
		oc.not_modified = it->job->not_modified;
		oc.records = it->records;
		oc.warnings = it->warnings;
		oc.format = it->format;
		oc.failures = it->failures;
		oc.next_due = it->next_due;
		oc.etag = it->job->etag;
		oc.last_modified = it->job->last_modified;
		oc.moved_to = it->job->moved_to;
		oc.generation = it->job->generation;
		oc.paged = it->paged;
		oc.last_page = it->last_page;
		oc.resume_url = it->resume_url;
		oc.resume_dropped = it->resume_dropped;
		in->done_cb(&oc, in->done_arg);
		ingest_item_free(it);
	}
}
