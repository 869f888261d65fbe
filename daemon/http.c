/*
 * http.c - the protocol's commands as JSON over HTTP, on libevent's evhttp.
 *
 *	GET /v1/hello			HELLO
 *	GET /v1/hubs			HUBS
 *	GET /v1/hubs/{hub}/search?...	SEARCH hub={hub} ...
 *	GET /v1/hubs/{hub}/facets?...	FACETS hub={hub} ...
 *	GET /v1/hubs/{hub}/categories	CATEGORIES hub={hub}
 *	GET /v1/activities/{id}		GET id={id}
 *
 * A request is turned into the same protocol line a TCP client would send
 * and goes through the same parser and command table, so both front ends
 * give the same answers, the same JSON and the same error codes.  The
 * error code decides the HTTP status (cmd_error_status()).  Public reads
 * carry `Access-Control-Allow-Origin: *` so a kiosk page on another origin
 * can use them.  Headers, body and time are bounded by evhttp's limits.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "dayhub.h"

#define HTTP_MAX_HEADERS	8192
#define HTTP_MAX_BODY		4096	/* GET only: nothing to read */
#define HTTP_MAX_PATH		2048
#define HTTP_MAX_LISTENERS	16

struct http {
	struct event_base	*base;
	struct evhttp		*evh;
	struct cmd_context	*ctx;
	size_t			 nbound;
};

/* What /v1/hubs/{hub}/... may be followed by, and the command it is. */
static const struct {
	const char	*path;
	const char	*command;
} http_hub_routes[] = {
	{ "/search", "SEARCH" },
	{ "/facets", "FACETS" },
	{ "/categories", "CATEGORIES" },
};

static void	http_request_cb(struct evhttp_request *, void *);
static void	http_reply(struct evhttp_request *, json_t *);
static void	http_job_done(json_t *, int, void *);

struct http *
http_new(struct event_base *base, struct cmd_context *ctx,
    unsigned long long idle_timeout)
{
	struct http	*h;

	h = xcalloc(1, sizeof *h);
	h->base = base;
	h->ctx = ctx;
	if ((h->evh = evhttp_new(base)) == NULL)
		fatalx("evhttp_new failed");
	evhttp_set_max_headers_size(h->evh, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(h->evh, HTTP_MAX_BODY);
	evhttp_set_timeout(h->evh, (int)idle_timeout);
	evhttp_set_allowed_methods(h->evh, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_OPTIONS);
	evhttp_set_gencb(h->evh, http_request_cb, h);
	return h;
}

/* Listens on host:port; writes the bound "host:port" to `bound`. */
int
http_listen(struct http *h, const char *host, const char *port,
    char *bound, size_t boundlen, char *err, size_t errlen)
{
	struct evhttp_bound_socket	*bs;
	unsigned long long		 p;
	struct sockaddr_storage		 ss;
	socklen_t			 sslen = sizeof ss;
	char				 addr[INET6_ADDRSTRLEN] = "?";

	if (h->nbound == HTTP_MAX_LISTENERS) {
		snprintf(err, errlen, "too many http listen addresses");
		return -1;
	}
	if (parse_uint(port, 65535, &p) == -1) {
		snprintf(err, errlen, "%s: not a port number", port);
		return -1;
	}
	if ((bs = evhttp_bind_socket_with_handle(h->evh, host,
	    (ev_uint16_t)p)) == NULL) {
		snprintf(err, errlen, "%s:%s: cannot listen for HTTP", host,
		    port);
		return -1;
	}
	h->nbound++;
	if (getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&ss, &sslen) == 0) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (void *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof addr);
			snprintf(bound, boundlen, "[%s]:%u", addr,
			    ntohs(s6->sin6_port));
		} else {
			struct sockaddr_in *s4 = (void *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof addr);
			snprintf(bound, boundlen, "%s:%u", addr,
			    ntohs(s4->sin_port));
		}
	} else
		snprintf(bound, boundlen, "%s:%s", host, port);
	return 0;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	evhttp_free(h->evh);
	free(h);
}

/* Appends ` key="value"` to the line, escaping as the protocol wants. */
static int
http_line_arg(struct evbuffer *line, const char *key, const char *value)
{
	const char	*p;

	if (evbuffer_add_printf(line, " %s=\"", key) < 0)
		return -1;
	for (p = value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			evbuffer_add(line, "\\", 1);
		evbuffer_add(line, p, 1);
	}
	return evbuffer_add(line, "\"", 1);
}

/*
 * Turns a request path and query into a protocol line in `line`.  Returns
 * NULL on success or an error reply.
 */
static json_t *
http_route(const char *path, const struct evkeyvalq *query,
    struct evbuffer *line)
{
	const struct evkeyval	*kv;
	char			*seg = NULL, *dec = NULL;
	const char		*rest, *command = NULL;
	size_t			 n, i;
	json_t			*err = NULL;

	if (strcmp(path, "/v1/hello") == 0)
		evbuffer_add_printf(line, "HELLO");
	else if (strcmp(path, "/v1/hubs") == 0)
		evbuffer_add_printf(line, "HUBS");
	else if (strncmp(path, "/v1/hubs/", 9) == 0 &&
	    (rest = strchr(path + 9, '/')) != NULL) {
		for (i = 0; i < sizeof http_hub_routes /
		    sizeof http_hub_routes[0]; i++)
			if (strcmp(rest, http_hub_routes[i].path) == 0)
				command = http_hub_routes[i].command;
		if (command == NULL)
			return proto_error("not_found", "no such resource: %s "
			    "(try /v1/hello)", path);
		n = (size_t)(rest - (path + 9));
		seg = xstrndup(path + 9, n);
		dec = evhttp_uridecode(seg, 0, NULL);
		evbuffer_add_printf(line, "%s", command);
		if (dec == NULL || http_line_arg(line, "hub", dec) == -1)
			err = proto_error("bad_argument", "hub: bad encoding");
	} else if (strncmp(path, "/v1/activities/", 15) == 0 &&
	    path[15] != '\0' && strchr(path + 15, '/') == NULL) {
		dec = evhttp_uridecode(path + 15, 0, NULL);
		evbuffer_add_printf(line, "GET");
		if (dec == NULL || http_line_arg(line, "id", dec) == -1)
			err = proto_error("bad_argument", "id: bad encoding");
	} else
		err = proto_error("not_found", "no such resource: %s "
		    "(try /v1/hello)", path);
	free(seg);
	free(dec);
	if (err != NULL)
		return err;
	TAILQ_FOREACH(kv, query, next) {
		if (strcmp(kv->key, "hub") == 0 || strcmp(kv->key, "id") == 0)
			return proto_error("unknown_argument",
			    "%s is part of the path, not the query", kv->key);
		if (http_line_arg(line, kv->key, kv->value) == -1)
			return proto_error("internal", "out of memory");
	}
	return NULL;
}

static void
http_request_cb(struct evhttp_request *req, void *arg)
{
	struct http		*h = arg;
	const struct evhttp_uri	*uri;
	struct evkeyvalq	 query;
	struct evbuffer		*line = NULL;
	struct proto_request	 preq;
	const char		*path, *qs;
	char			 err[256];
	json_t			*reply = NULL;
	int			 close_after;

	TAILQ_INIT(&query);
	memset(&preq, 0, sizeof preq);
	if (evhttp_request_get_command(req) == EVHTTP_REQ_OPTIONS) {
		struct evkeyvalq *oh = evhttp_request_get_output_headers(req);

		evhttp_add_header(oh, "Access-Control-Allow-Origin", "*");
		evhttp_add_header(oh, "Access-Control-Allow-Methods",
		    "GET, HEAD, OPTIONS");
		evhttp_send_reply(req, 204, "No Content", NULL);
		return;
	}
	uri = evhttp_request_get_evhttp_uri(req);
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || strlen(path) > HTTP_MAX_PATH) {
		reply = proto_error("bad_request", "the request path is "
		    "missing or longer than %d bytes", HTTP_MAX_PATH);
		goto done;
	}
	qs = evhttp_uri_get_query(uri);
	if (qs != NULL && evhttp_parse_query_str(qs, &query) == -1) {
		reply = proto_error("bad_request",
		    "the query string could not be decoded");
		goto done;
	}
	line = evbuffer_new();
	if ((reply = http_route(path, &query, line)) != NULL)
		goto done;
	if (evbuffer_get_length(line) + 1 > PROTO_MAX_LINE) {
		reply = proto_error("line_too_long", "the request is longer "
		    "than %d bytes", PROTO_MAX_LINE);
		goto done;
	}
	if (proto_parse((const char *)evbuffer_pullup(line, -1),
	    evbuffer_get_length(line), &preq, err, sizeof err) == -1) {
		reply = proto_error("bad_request", "%s", err);
		goto done;
	}
	if (h->ctx->readers != NULL && cmd_pooled(preq.command)) {
		/*
		 * Answered on the read pool.  Should the client go away
		 * first, evhttp keeps the request for the reply it awaits,
		 * and frees it when that is sent.
		 */
		if (readers_submit(h->ctx->readers, h->ctx->conf,
		    h->ctx->started, &preq, http_job_done, req) != NULL) {
			evbuffer_free(line);
			evhttp_clear_headers(&query);
			return;
		}
		reply = proto_error("busy", "too many searches are waiting; "
		    "try again");
		goto done;
	}
	reply = cmd_execute(h->ctx, &preq, &close_after);
done:
	proto_request_free(&preq);
	if (line != NULL)
		evbuffer_free(line);
	evhttp_clear_headers(&query);
	http_reply(req, reply);
}

/* The read pool's reply to a request, on the loop. */
static void
http_job_done(json_t *reply, int close_after, void *arg)
{
	http_reply(arg, reply);
}

/* Sends `reply` (consumed) with the status its error code calls for. */
static void
http_reply(struct evhttp_request *req, json_t *reply)
{
	struct evkeyvalq	*oh = evhttp_request_get_output_headers(req);
	struct evbuffer		*body;
	json_t			*code;
	char			*text;
	int			 status = 200;

	code = json_object_get(json_object_get(reply, "error"), "code");
	if (json_is_string(code))
		status = cmd_error_status(json_string_value(code));
	text = proto_encode(reply);
	json_decref(reply);
	body = evbuffer_new();
	if (text != NULL)
		evbuffer_add(body, text, strlen(text));
	free(text);
	evhttp_add_header(oh, "Content-Type",
	    "application/json; charset=utf-8");
	evhttp_add_header(oh, "Access-Control-Allow-Origin", "*");
	evhttp_add_header(oh, "Cache-Control", "no-cache");
	/* A NULL reason lets evhttp use the standard phrase. */
	evhttp_send_reply(req, status, NULL, body);
	evbuffer_free(body);
}
