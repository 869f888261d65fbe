/*
 * readers.c - the read commands, answered on a pool of threads.
 *
 * A search can take milliseconds of SQLite; on the loop it would hold up
 * every other client, and the loop can use one core only.  The commands
 * that only read the directory (cmd_pooled()) are instead queued here and
 * run by one of a few threads, each with its own read connection to the
 * database (WAL lets them read while the ingest worker writes).  The
 * reply comes back to the loop, where the front end that asked writes
 * it: a front end keeps at most one request of a client in the pool, so
 * replies keep the order of the requests.
 *
 * Everything here but readers_worker() runs on the loop thread.  A job's
 * callback is called on the loop, exactly once, unless the job was
 * cancelled first (its client went away); then the reply is dropped.
 */
#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "dayhub.h"

struct reader_job {
	struct proto_request	 req;
	const struct config	*conf;	/* the configuration it was asked in */
	time_t			 started;
	readers_done_cb		 cb;
	void			*arg;
	json_t			*reply;
	int			 close_after;
	int			 cancelled;	/* under the lock */
	TAILQ_ENTRY(reader_job)	 entry;
};
TAILQ_HEAD(reader_queue, reader_job);

struct reader {
	struct readers		*pool;
	struct store		*store;		/* this thread's connection */
	pthread_t		 thread;
	int			 started;
};

struct readers {
	struct event		*done_ev;
	struct reader		*threads;
	size_t			 nthreads;

	pthread_mutex_t		 lock;		/* guards what follows */
	pthread_cond_t		 wake;		/* work, or stop */
	pthread_cond_t		 idle;		/* nothing queued or running */
	struct reader_queue	 todo;
	struct reader_queue	 done;
	size_t			 queued;
	size_t			 running;
	int			 stopping;
};

static void	*readers_worker(void *);
static void	 readers_done_ev_cb(evutil_socket_t, short, void *);
static void	 readers_job_free(struct reader_job *);

/*
 * Opens `nthreads` read connections to `database` (already migrated by
 * the loop's own store) and starts a thread for each.  Returns NULL with
 * the reason in `err` when a connection cannot be opened.
 */
struct readers *
readers_new(struct event_base *base, const char *database, size_t nthreads,
    char *err, size_t errlen)
{
	struct readers	*r;
	struct reader	*t;
	size_t		 i;
	int		 rc;

	if (nthreads == 0 || nthreads > READERS_MAX_THREADS) {
		snprintf(err, errlen, "search threads must be 1 to %d",
		    READERS_MAX_THREADS);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	TAILQ_INIT(&r->todo);
	TAILQ_INIT(&r->done);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	pthread_cond_init(&r->idle, NULL);
	if ((r->done_ev = event_new(base, -1, 0, readers_done_ev_cb,
	    r)) == NULL)
		fatalx("%s: event_new failed", __func__);
	r->threads = xcalloc(nthreads, sizeof *r->threads);
	r->nthreads = nthreads;
	for (i = 0; i < nthreads; i++) {
		t = &r->threads[i];
		t->pool = r;
		if (store_open(&t->store, database, err, errlen) != STORE_OK) {
			readers_free(r);
			return NULL;
		}
	}
	for (i = 0; i < nthreads; i++) {
		t = &r->threads[i];
		if ((rc = pthread_create(&t->thread, NULL, readers_worker,
		    t)) != 0)
			fatalx("cannot start a search thread: %s",
			    strerror(rc));
		t->started = 1;
	}
	return r;
}

/*
 * Queues `req` (taken: *req is left empty) to be answered with `conf` on
 * a pool thread; `cb(reply, close_after, arg)` gets the reply on the
 * loop.  Returns the job, for readers_cancel(), or NULL when the queue
 * is full (READERS_MAX_QUEUE): the caller answers "busy" and keeps req.
 */
struct reader_job *
readers_submit(struct readers *r, const struct config *conf, time_t started,
    struct proto_request *req, readers_done_cb cb, void *arg)
{
	struct reader_job	*job;

	pthread_mutex_lock(&r->lock);
	if (r->queued >= READERS_MAX_QUEUE) {
		pthread_mutex_unlock(&r->lock);
		return NULL;
	}
	job = xcalloc(1, sizeof *job);
	job->req = *req;
	memset(req, 0, sizeof *req);
	job->conf = conf;
	job->started = started;
	job->cb = cb;
	job->arg = arg;
	TAILQ_INSERT_TAIL(&r->todo, job, entry);
	r->queued++;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	return job;
}

/* The client went away: the job's callback will not be called. */
void
readers_cancel(struct readers *r, struct reader_job *job)
{
	pthread_mutex_lock(&r->lock);
	job->cancelled = 1;
	pthread_mutex_unlock(&r->lock);
}

/*
 * Waits until nothing is queued or running, so that the configuration
 * the jobs were given can be freed (a reload).  Replies not yet
 * delivered stay queued for the loop.
 */
void
readers_wait_idle(struct readers *r)
{
	pthread_mutex_lock(&r->lock);
	while (r->queued > 0 || r->running > 0)
		pthread_cond_wait(&r->idle, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

/*
 * Lets the jobs in hand finish, drops those queued and the replies not
 * yet delivered (their callbacks are not called: for shutdown, after the
 * front ends are gone), and closes the connections.
 */
void
readers_free(struct readers *r)
{
	struct reader_job	*job;
	size_t			 i;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	pthread_cond_broadcast(&r->wake);
	pthread_mutex_unlock(&r->lock);
	for (i = 0; i < r->nthreads; i++) {
		if (r->threads[i].started)
			pthread_join(r->threads[i].thread, NULL);
		store_close(r->threads[i].store);
	}
	while ((job = TAILQ_FIRST(&r->todo)) != NULL) {
		TAILQ_REMOVE(&r->todo, job, entry);
		readers_job_free(job);
	}
	while ((job = TAILQ_FIRST(&r->done)) != NULL) {
		TAILQ_REMOVE(&r->done, job, entry);
		readers_job_free(job);
	}
	event_free(r->done_ev);
	pthread_cond_destroy(&r->idle);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r->threads);
	free(r);
}

static void
readers_job_free(struct reader_job *job)
{
	proto_request_free(&job->req);
	json_decref(job->reply);
	free(job);
}

/* A pool thread: takes jobs until told to stop. */
static void *
readers_worker(void *arg)
{
	struct reader		*t = arg;
	struct readers		*r = t->pool;
	struct reader_job	*job;
	struct cmd_context	 ctx;
	int			 skip;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		while (!r->stopping && TAILQ_EMPTY(&r->todo))
			pthread_cond_wait(&r->wake, &r->lock);
		if (r->stopping) {
			pthread_mutex_unlock(&r->lock);
			return NULL;
		}
		job = TAILQ_FIRST(&r->todo);
		TAILQ_REMOVE(&r->todo, job, entry);
		r->queued--;
		r->running++;
		skip = job->cancelled;
		pthread_mutex_unlock(&r->lock);

		if (!skip) {
			memset(&ctx, 0, sizeof ctx);
			ctx.store = t->store;
			ctx.conf = job->conf;
			ctx.started = job->started;
			job->reply = cmd_execute(&ctx, &job->req,
			    &job->close_after);
		}

		pthread_mutex_lock(&r->lock);
		TAILQ_INSERT_TAIL(&r->done, job, entry);
		r->running--;
		if (r->queued == 0 && r->running == 0)
			pthread_cond_broadcast(&r->idle);
		pthread_mutex_unlock(&r->lock);
		event_active(r->done_ev, EV_READ, 0);
	}
}

/* On the loop: hands each finished job's reply to whoever asked. */
static void
readers_done_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct readers		*r = arg;
	struct reader_queue	 done;
	struct reader_job	*job;

	TAILQ_INIT(&done);
	pthread_mutex_lock(&r->lock);
	TAILQ_CONCAT(&done, &r->done, entry);
	pthread_mutex_unlock(&r->lock);
	while ((job = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, job, entry);
		/* Only the loop cancels, so this read needs no lock. */
		if (!job->cancelled && job->reply != NULL) {
			job->cb(job->reply, job->close_after, job->arg);
			job->reply = NULL;
		}
		readers_job_free(job);
	}
}
