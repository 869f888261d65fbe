/*
 * server.c - the line protocol over TCP.
 *
 * A connection is a small state machine:
 *
 *	READING  --QUIT, over-long line, shutdown-->  CLOSING  --drained-->  freed
 *	READING  --peer closed, error, idle-->  freed
 *
 * Requests are answered as soon as each line is complete, in order, so
 * pipelining needs no bookkeeping.  A connection is never freed from inside
 * one of its own callbacks while it still has output: it moves to CLOSING,
 * stops reading, and is freed by the write callback once its output has
 * drained (or by the timeout, if the peer never reads it).
 *
 * Reads are bounded before a line is complete: a buffer that holds
 * PROTO_MAX_LINE bytes with no end of line is answered with
 * `line_too_long` and the connection is closed.  Output is bounded too: a
 * peer that sends requests but does not read replies is paused until its
 * queue falls below the limit.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "dayhub.h"

#define SERVER_MAX_LISTENERS	16
#define SERVER_DRAIN_SECONDS	5	/* a closing peer gets this long */

enum conn_state {
	CONN_READING,
	CONN_CLOSING,
	CONN_FREED
};

static const char *const conn_state_names[] = {
	[CONN_READING] = "reading",
	[CONN_CLOSING] = "closing",
	[CONN_FREED] = "freed",
};

struct conn {
	struct server		*server;
	struct bufferevent	*bev;
	enum conn_state		 state;
	char			 peer[64];
	unsigned long long	 requests;
	struct reader_job	*job;	/* a request in the read pool */
	struct conn		*prev, *next;
};

struct server {
	struct event_base	*base;
	struct cmd_context	*ctx;
	struct evconnlistener	*listeners[SERVER_MAX_LISTENERS];
	size_t			 nlisteners;
	struct conn		*conns;
	size_t			 nconns;
	size_t			 max_conns;
	unsigned long long	 idle_timeout;
	int			 shutting_down;
};

static void	conn_set_state(struct conn *, enum conn_state);
static void	conn_free(struct conn *);
static void	conn_close(struct conn *);
static void	conn_reply(struct conn *, json_t *);
static void	conn_job_done(json_t *, int, void *);
static void	conn_read_cb(struct bufferevent *, void *);
static void	conn_write_cb(struct bufferevent *, void *);
static void	conn_event_cb(struct bufferevent *, short, void *);
static void	server_accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	server_accept_error_cb(struct evconnlistener *, void *);
static void	sockaddr_format(const struct sockaddr *, char *, size_t);

struct server *
server_new(struct event_base *base, struct cmd_context *ctx,
    size_t max_conns, unsigned long long idle_timeout)
{
	struct server	*s;

	s = xcalloc(1, sizeof *s);
	s->base = base;
	s->ctx = ctx;
	s->max_conns = max_conns;
	s->idle_timeout = idle_timeout;
	return s;
}

/*
 * Starts listening on host:port (port "0" lets the kernel choose).  On
 * success writes the bound address as "host:port" to `bound` and returns 0;
 * on failure returns -1 with the reason in `err`.
 */
int
server_listen(struct server *s, const char *host, const char *port,
    char *bound, size_t boundlen, char *err, size_t errlen)
{
	struct evutil_addrinfo	 hints, *res = NULL, *ai;
	struct evconnlistener	*l = NULL;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof ss;
	int			 rc;

	if (s->nlisteners == SERVER_MAX_LISTENERS) {
		snprintf(err, errlen, "too many listen addresses (at most %d)",
		    SERVER_MAX_LISTENERS);
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_ADDRCONFIG;
	if ((rc = evutil_getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s:%s: %s", host, port,
		    evutil_gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && l == NULL; ai = ai->ai_next)
		l = evconnlistener_new_bind(s->base, server_accept_cb, s,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
		    LEV_OPT_CLOSE_ON_EXEC, 128, ai->ai_addr,
		    (int)ai->ai_addrlen);
	evutil_freeaddrinfo(res);
	if (l == NULL) {
		snprintf(err, errlen, "%s:%s: cannot listen: %s", host, port,
		    strerror(errno));
		return -1;
	}
	evconnlistener_set_error_cb(l, server_accept_error_cb);
	if (getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&ss,
	    &sslen) == 0)
		sockaddr_format((struct sockaddr *)&ss, bound, boundlen);
	else
		snprintf(bound, boundlen, "%s:%s", host, port);
	s->listeners[s->nlisteners++] = l;
	return 0;
}

/*
 * Stops accepting and closes every connection once its pending replies
 * have been written.  The loop can end when server_connections() is 0.
 */
void
server_shutdown(struct server *s)
{
	struct conn	*c, *next;
	size_t		 i;

	s->shutting_down = 1;
	for (i = 0; i < s->nlisteners; i++)
		evconnlistener_free(s->listeners[i]);
	s->nlisteners = 0;
	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		conn_close(c);
	}
}

size_t
server_connections(const struct server *s)
{
	return s->nconns;
}

void
server_free(struct server *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nlisteners; i++)
		evconnlistener_free(s->listeners[i]);
	while (s->conns != NULL)
		conn_free(s->conns);
	free(s);
}

static void
sockaddr_format(const struct sockaddr *sa, char *buf, size_t len)
{
	char	host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		snprintf(buf, len, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
	} else
		snprintf(buf, len, "unknown");
}

static void
server_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct server	*s = arg;
	struct conn	*c;
	struct timeval	 tv;

	c = xcalloc(1, sizeof *c);
	c->server = s;
	c->state = CONN_READING;
	sockaddr_format(sa, c->peer, sizeof c->peer);
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		log_warnx("%s: cannot set up the connection", c->peer);
		evutil_closesocket(fd);
		free(c);
		return;
	}
	c->next = s->conns;
	if (s->conns != NULL)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;

	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    c);
	tv.tv_sec = (time_t)s->idle_timeout;
	tv.tv_usec = 0;
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	/* Read at most a line's worth ahead of what has been answered. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, PROTO_MAX_LINE * 4);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);

	if (s->nconns > s->max_conns) {
		log_warnx("%s: refused: %zu connections is the limit", c->peer,
		    s->max_conns);
		conn_reply(c, proto_error("busy",
		    "the server has too many connections; try again soon"));
		conn_close(c);
		return;
	}
	log_debug("%s: connected", c->peer);
}

static void
server_accept_error_cb(struct evconnlistener *l, void *arg)
{
	/* EMFILE and friends: the listener retries on the next event. */
	log_warn("accept");
}

/* Every state change goes through here, so it can be checked and traced. */
static void
conn_set_state(struct conn *c, enum conn_state to)
{
	if (c->state > CONN_FREED || to > CONN_FREED || to < c->state)
		fatalx("connection %s: bad transition %d -> %d", c->peer,
		    (int)c->state, (int)to);
	log_debug("%s: %s -> %s", c->peer, conn_state_names[c->state],
	    conn_state_names[to]);
	c->state = to;
}

static void
conn_free(struct conn *c)
{
	struct server	*s = c->server;

	conn_set_state(c, CONN_FREED);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->nconns--;
	if (c->job != NULL)
		readers_cancel(s->ctx->readers, c->job);
	bufferevent_free(c->bev);
	log_debug("%s: closed after %llu requests", c->peer, c->requests);
	free(c);
}

/* Stops reading; the connection is freed when its output has drained. */
static void
conn_close(struct conn *c)
{
	struct timeval	tv = { SERVER_DRAIN_SECONDS, 0 };

	if (c->state != CONN_READING)
		return;
	conn_set_state(c, CONN_CLOSING);
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_set_timeouts(c->bev, NULL, &tv);
	/* A request in the pool is answered first; see conn_job_done(). */
	if (c->job == NULL &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		/*
		 * Nothing to drain: free from the loop, not from here, since
		 * a read callback may still be on the stack.
		 */
		bufferevent_trigger(c->bev, EV_WRITE, BEV_TRIG_DEFER_CALLBACKS);
	}
}

/* Queues one reply line; drops the reference to `reply`. */
static void
conn_reply(struct conn *c, json_t *reply)
{
	char	*line;

	if ((line = proto_encode(reply)) == NULL) {
		json_decref(reply);
		reply = proto_error("internal", "the reply could not be encoded");
		line = proto_encode(reply);
	}
	json_decref(reply);
	if (line != NULL) {
		bufferevent_write(c->bev, line, strlen(line));
		free(line);
	}
}

static void
conn_handle_line(struct conn *c, const char *line, size_t len)
{
	struct cmd_context	*ctx = c->server->ctx;
	struct proto_request	 req;
	char			 err[256];
	json_t			*reply;
	int			 close_after = 0;

	c->requests++;
	memset(&req, 0, sizeof req);
	if (proto_parse(line, len, &req, err, sizeof err) == -1)
		reply = proto_error("bad_request", "%s", err);
	else if (ctx->readers != NULL && cmd_pooled(req.command)) {
		/* Reading stops until the reply is back: replies keep order. */
		c->job = readers_submit(ctx->readers, ctx->conf, ctx->started,
		    &req, conn_job_done, c);
		if (c->job != NULL) {
			bufferevent_disable(c->bev, EV_READ);
			return;
		}
		reply = proto_error("busy", "too many searches are waiting; "
		    "try again");
	} else
		reply = cmd_execute(ctx, &req, &close_after);
	proto_request_free(&req);
	conn_reply(c, reply);
	if (close_after)
		conn_close(c);
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	struct evbuffer	*out = bufferevent_get_output(bev);
	char		*line;
	size_t		 len;

	while (c->state == CONN_READING && c->job == NULL) {
		/* Stop taking requests while the peer is not reading. */
		if (evbuffer_get_length(out) > PROTO_MAX_OUTPUT) {
			bufferevent_disable(bev, EV_READ);
			return;
		}
		line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
		if (line == NULL) {
			if (evbuffer_get_length(in) >= PROTO_MAX_LINE) {
				conn_reply(c, proto_error("line_too_long",
				    "a request line may be at most %d bytes",
				    PROTO_MAX_LINE));
				conn_close(c);
			}
			return;
		}
		/* The limit counts the line end too. */
		if (len + 1 > PROTO_MAX_LINE) {
			free(line);
			conn_reply(c, proto_error("line_too_long",
			    "a request line may be at most %d bytes",
			    PROTO_MAX_LINE));
			conn_close(c);
			return;
		}
		conn_handle_line(c, line, len);
		free(line);
	}
}

/* The read pool's reply to this connection's request, on the loop. */
static void
conn_job_done(json_t *reply, int close_after, void *arg)
{
	struct conn	*c = arg;

	c->job = NULL;
	conn_reply(c, reply);
	if (c->state == CONN_CLOSING) {
		/* conn_write_cb() frees it once drained. */
		bufferevent_trigger(c->bev, EV_WRITE, BEV_TRIG_DEFER_CALLBACKS);
		return;
	}
	if (close_after) {
		conn_close(c);
		return;
	}
	/* Take the next request, whether buffered already or still to come. */
	bufferevent_enable(c->bev, EV_READ);
	conn_read_cb(c->bev, c);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;

	if (c->state == CONN_CLOSING) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			conn_free(c);
		return;
	}
	/* Output has drained below the limit: take requests again. */
	if (c->job == NULL && !(bufferevent_get_enabled(bev) & EV_READ) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) <=
	    PROTO_MAX_OUTPUT) {
		bufferevent_enable(bev, EV_READ);
		conn_read_cb(bev, c);
	}
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;

	if (what & BEV_EVENT_TIMEOUT) {
		if (c->state == CONN_READING &&
		    evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
			log_debug("%s: idle, closing", c->peer);
			conn_reply(c, proto_error("timeout",
			    "idle for too long; closing"));
			conn_close(c);
			return;
		}
		log_debug("%s: not reading its replies, dropped", c->peer);
	} else if (what & BEV_EVENT_ERROR)
		log_debug("%s: %s", c->peer,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	else if (what & BEV_EVENT_EOF) {
		/* The peer is done sending; finish what it asked for. */
		if (c->state == CONN_READING &&
		    evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
			conn_close(c);
			return;
		}
	}
	conn_free(c);
}
