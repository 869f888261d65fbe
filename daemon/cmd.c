/*
 * cmd.c - the protocol's commands.
 *
 * Each command is a row in `cmd_table`: its name, the arguments it takes
 * (anything else is an `unknown_argument` error, never silently ignored),
 * those it requires, and the function that answers it.  A handler gets a
 * parsed request whose arguments have already been checked against the
 * row (SEARCH and FACETS take so many that query_parse() checks them
 * instead), and returns the reply object; cmd_execute() adds "ok".  The line
 * server and the HTTP front end both come through here, so the two give
 * the same answers with the same error codes.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "dayhub.h"

#define CMD_MAX_ARGS	8

struct cmd_entry {
	const char	*name;
	int		 own_args;		/* the handler checks them */
	int		 pooled;		/* reads only: readers.c */
	const char	*args[CMD_MAX_ARGS];	/* accepted keys */
	const char	*required[CMD_MAX_ARGS];
	json_t		*(*run)(struct cmd_context *,
			    const struct proto_request *, int *);
};

static json_t	*cmd_hello(struct cmd_context *, const struct proto_request *,
		    int *);
static json_t	*cmd_hubs(struct cmd_context *, const struct proto_request *,
		    int *);
static json_t	*cmd_search(struct cmd_context *,
		    const struct proto_request *, int *);
static json_t	*cmd_facets(struct cmd_context *,
		    const struct proto_request *, int *);
static json_t	*cmd_categories(struct cmd_context *,
		    const struct proto_request *, int *);
static json_t	*cmd_query(struct cmd_context *,
		    const struct proto_request *, int);
static const struct config_hub *cmd_hub(struct cmd_context *, const char *);
static json_t	*cmd_get(struct cmd_context *, const struct proto_request *,
		    int *);
static json_t	*cmd_quit(struct cmd_context *, const struct proto_request *,
		    int *);
static json_t	*cmd_spokes(struct cmd_context *,
		    const struct proto_request *, int *);
static json_t	*cmd_refresh(struct cmd_context *,
		    const struct proto_request *, int *);
static json_t	*cmd_store_error(int, const char *, const char *);
static const struct cmd_entry *cmd_find(const char *);

static const struct cmd_entry cmd_table[] = {
	{
		.name = "HELLO",
		.run = cmd_hello,
	},
	{
		.name = "HUBS",
		.run = cmd_hubs,
	},
	{
		.name = "SEARCH",
		.pooled = 1,
		.own_args = 1,
		.run = cmd_search,
	},
	{
		.name = "FACETS",
		.pooled = 1,
		.own_args = 1,
		.run = cmd_facets,
	},
	{
		.name = "CATEGORIES",
		.pooled = 1,
		.args = { "hub" },
		.required = { "hub" },
		.run = cmd_categories,
	},
	{
		.name = "GET",
		.pooled = 1,
		.args = { "id" },
		.required = { "id" },
		.run = cmd_get,
	},
	{
		.name = "SPOKES",
		.args = { "hub" },
		.required = { "hub" },
		.run = cmd_spokes,
	},
	{
		.name = "REFRESH",
		.args = { "hub", "spoke" },
		.run = cmd_refresh,
	},
	{
		.name = "QUIT",
		.run = cmd_quit,
	},
};

#define CMD_COUNT	(sizeof cmd_table / sizeof cmd_table[0])

/* Error codes and the HTTP status each is answered with. */
static const struct {
	const char	*code;
	int		 status;
} cmd_error_codes[] = {
	{ "bad_request", 400 },
	{ "line_too_long", 414 },
	{ "unknown_command", 404 },
	{ "missing_argument", 400 },
	{ "unknown_argument", 400 },
	{ "bad_argument", 400 },
	{ "bad_query", 400 },
	{ "not_found", 404 },
	{ "unknown_hub", 404 },
	{ "timeout", 503 },
	{ "busy", 503 },
	{ "internal", 500 },
};

/*
 * Whether a command only reads the directory, so a front end may have it
 * answered on the pool of read threads (readers.c) rather than the loop.
 */
int
cmd_pooled(const char *command)
{
	const struct cmd_entry	*ce = cmd_find(command);

	return ce != NULL && ce->pooled;
}

/* Returns the HTTP status for an error code (500 for one not listed). */
int
cmd_error_status(const char *code)
{
	size_t	i;

	for (i = 0; i < sizeof cmd_error_codes / sizeof cmd_error_codes[0];
	    i++)
		if (strcmp(cmd_error_codes[i].code, code) == 0)
			return cmd_error_codes[i].status;
	return 500;
}

static const struct cmd_entry *
cmd_find(const char *name)
{
	size_t	i;

	for (i = 0; i < CMD_COUNT; i++)
		if (strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
	return NULL;
}

static int
cmd_accepts(const struct cmd_entry *ce, const char *key)
{
	size_t	i;

	for (i = 0; i < CMD_MAX_ARGS && ce->args[i] != NULL; i++)
		if (strcmp(ce->args[i], key) == 0)
			return 1;
	return 0;
}

/*
 * Answers one parsed request.  Returns a new reference to the reply
 * object, which always has "ok"; sets *close_after when the connection
 * should be closed once the reply is written.
 */
json_t *
cmd_execute(struct cmd_context *ctx, const struct proto_request *req,
    int *close_after)
{
	const struct cmd_entry	*ce;
	json_t			*reply;
	size_t			 i;

	*close_after = 0;
	if ((ce = cmd_find(req->command)) == NULL)
		return proto_error("unknown_command",
		    "unknown command \"%s\" (try HELLO for the list)",
		    req->command);
	for (i = 0; i < req->nargs && !ce->own_args; i++)
		if (!cmd_accepts(ce, req->args[i].key))
			return proto_error("unknown_argument",
			    "%s takes no argument \"%s\"", ce->name,
			    req->args[i].key);
	for (i = 0; i < CMD_MAX_ARGS && ce->required[i] != NULL; i++)
		if (proto_arg(req, ce->required[i]) == NULL)
			return proto_error("missing_argument",
			    "%s needs %s=", ce->name, ce->required[i]);

	reply = ce->run(ctx, req, close_after);
	if (json_object_get(reply, "ok") == NULL) {
		/* "ok" first, so a reader sees the outcome at once. */
		json_t	*r = json_pack("{s:b}", "ok", 1);

		json_object_update(r, reply);
		json_decref(reply);
		reply = r;
	}
	return reply;
}

static json_t *
cmd_hello(struct cmd_context *ctx, const struct proto_request *req,
    int *close_after)
{
	json_t	*commands;
	size_t	 i;

	commands = json_array();
	for (i = 0; i < CMD_COUNT; i++)
		json_array_append_new(commands,
		    json_string(cmd_table[i].name));
	return json_pack("{s:b, s:s, s:s, s:i, s:o, s:{s:i, s:i, s:i, s:i}}",
	    "ok", 1,
	    "server", "dayhubd",
	    "version", PACKAGE_VERSION,
	    "protocol", DAYHUB_PROTOCOL_VERSION,
	    "commands", commands,
	    "limits",
	    "line", PROTO_MAX_LINE,
	    "args", PROTO_MAX_ARGS,
	    "query", SEARCH_MAX_QUERY,
	    "results", SEARCH_MAX_LIMIT);
}

static json_t *
cmd_hubs(struct cmd_context *ctx, const struct proto_request *req,
    int *close_after)
{
	json_t	*out = NULL;
	int	 rc;

	if ((rc = store_hubs(ctx->store, &out)) != STORE_OK)
		return cmd_store_error(rc, NULL, NULL);
	return out;
}

static json_t *
cmd_search(struct cmd_context *ctx, const struct proto_request *req,
    int *close_after)
{
	return cmd_query(ctx, req, 0);
}

static json_t *
cmd_facets(struct cmd_context *ctx, const struct proto_request *req,
    int *close_after)
{
	return cmd_query(ctx, req, 1);
}

/* The configured hub called `id`, or NULL. */
static const struct config_hub *
cmd_hub(struct cmd_context *ctx, const char *id)
{
	size_t	i;

	if (id == NULL || ctx->conf == NULL)
		return NULL;
	for (i = 0; i < ctx->conf->nhubs; i++)
		if (strcmp(ctx->conf->hubs[i].id, id) == 0)
			return &ctx->conf->hubs[i];
	return NULL;
}

/*
 * SEARCH and FACETS: the arguments are read by query_parse() in the hub's
 * zone (so "tue" and "after=18:00" are the hub's), then the store runs
 * the query.  A near= postcode the postcode table lacks is a bad
 * argument, with the outcode to try when there is one.
 */
static json_t *
cmd_query(struct cmd_context *ctx, const struct proto_request *req,
    int facets)
{
	const struct config_hub	*h;
	struct query		 q;
	const char		*code, *hub;
	json_t			*out = NULL;
	char			 msg[512] = "", err[256] = "";
	int			 rc;

	hub = proto_arg(req, "hub");
	h = id_valid(hub) ? cmd_hub(ctx, hub) : NULL;
	if (query_parse(req, h != NULL ? h->timezone : NULL, now_utc(), &q,
	    &code, msg, sizeof msg) == -1)
		return proto_error(code, "%s", msg);
	if (h == NULL) {
		out = proto_error("unknown_hub",
		    "no hub \"%s\" (HUBS lists them)", q.hub);
		query_free(&q);
		return out;
	}
	if (facets)
		rc = store_facets(ctx->store, &q, &out, err, sizeof err);
	else
		rc = store_search(ctx->store, &q, &out, err, sizeof err);
	if (rc == STORE_NOTFOUND && strncmp(err, "near:", 5) == 0)
		out = proto_error("bad_argument", "%s", err);
	else if (rc != STORE_OK)
		out = cmd_store_error(rc, q.hub, err);
	query_free(&q);
	return out;
}

/* The taxonomy with how many of the hub's activities are about each. */
static json_t *
cmd_categories(struct cmd_context *ctx, const struct proto_request *req,
    int *close_after)
{
	const char	*hub = proto_arg(req, "hub");
	json_t		*out = NULL;
	int		 rc;

	if (!id_valid(hub))
		return proto_error("bad_argument",
		    "hub: \"%s\" is not a hub id", hub);
	if ((rc = store_categories(ctx->store, hub, &out)) != STORE_OK)
		return cmd_store_error(rc, hub, NULL);
	return out;
}

static json_t *
cmd_get(struct cmd_context *ctx, const struct proto_request *req,
    int *close_after)
{
	const char	*id = proto_arg(req, "id");
	json_t		*out = NULL;
	int		 rc;

	if (strlen(id) > 2 * CONFIG_MAX_ID + RECORD_MAX_FIELD)
		return proto_error("bad_argument", "id: too long");
	if ((rc = store_get(ctx->store, id, &out)) != STORE_OK) {
		if (rc == STORE_NOTFOUND)
			return proto_error("not_found",
			    "no activity with id \"%s\"", id);
		return cmd_store_error(rc, NULL, NULL);
	}
	return out;
}

static json_t *
cmd_quit(struct cmd_context *ctx, const struct proto_request *req,
    int *close_after)
{
	*close_after = 1;
	return json_pack("{s:b, s:b}", "ok", 1, "bye", 1);
}

/* Turns a store status into the protocol's error reply. */
static json_t *
cmd_store_error(int rc, const char *hub, const char *detail)
{
	switch (rc) {
	case STORE_NOTFOUND:
		if (hub != NULL)
			return proto_error("unknown_hub",
			    "no hub \"%s\" (HUBS lists them)", hub);
		return proto_error("not_found", "not found");
	case STORE_BADQUERY:
		return proto_error("bad_query", "%s",
		    detail != NULL && *detail != '\0' ? detail :
		    "the search could not be understood");
	case STORE_TIMEOUT:
		return proto_error("timeout",
		    "the search took too long and was stopped; "
		    "try fewer or more specific words");
	default:
		return proto_error("internal",
		    "the directory could not be read; the error is logged");
	}
}

/* The hub's spokes with their feed health, those needing attention first. */
static json_t *
cmd_spokes(struct cmd_context *ctx, const struct proto_request *req,
    int *close_after)
{
	const char	*hub = proto_arg(req, "hub");
	json_t		*out = NULL;
	int		 rc;

	if (!id_valid(hub))
		return proto_error("bad_argument",
		    "hub: \"%s\" is not a hub id", hub);
	if ((rc = store_spokes(ctx->store, hub, &out)) != STORE_OK)
		return cmd_store_error(rc, hub, NULL);
	health_describe(json_object_get(out, "spokes"), now_utc(),
	    ctx->conf->gone_after);
	return out;
}

/*
 * Fetches spokes now: one spoke, a hub's spokes, or every spoke.  The
 * reply lists what was queued and when, so a client can wait for their
 * health to show an attempt at or after that time.
 */
static json_t *
cmd_refresh(struct cmd_context *ctx, const struct proto_request *req,
    int *close_after)
{
	const struct config_hub		*in_hub = NULL;
	const char			*hub = proto_arg(req, "hub");
	const char			*spoke = proto_arg(req, "spoke");
	json_t				*queued;
	char				 at[32];

	if (ctx->refresh == NULL)
		return proto_error("internal", "refreshing is not available");
	if (hub != NULL && !id_valid(hub))
		return proto_error("bad_argument",
		    "hub: \"%s\" is not a hub id", hub);
	queued = json_array();
	if (spoke != NULL) {
		if (!id_valid(spoke) || config_find_spoke(ctx->conf, spoke,
		    &in_hub) == NULL) {
			json_decref(queued);
			return proto_error("not_found", "no spoke \"%s\" "
			    "(SPOKES hub=... lists them)", spoke);
		}
		if (hub != NULL) {
			size_t	h, i;
			int	linked = 0;

			for (h = 0; h < ctx->conf->nhubs; h++)
				for (i = 0; i < ctx->conf->hubs[h].nspokes;
				    i++)
					linked |= strcmp(ctx->conf->hubs[h].id,
					    hub) == 0 && strcmp(ctx->conf->
					    hubs[h].spokes[i].id, spoke) == 0;
			if (!linked) {
				json_decref(queued);
				return proto_error("not_found", "spoke "
				    "\"%s\" is not in hub \"%s\"", spoke,
				    hub);
			}
		}
		if (refresh_spoke_now(ctx->refresh, spoke) == 0)
			json_array_append_new(queued, json_string(spoke));
	} else if (refresh_hub_now(ctx->refresh, ctx->conf, hub,
	    queued) == -1) {
		json_decref(queued);
		return proto_error("unknown_hub",
		    "no hub \"%s\" (HUBS lists them)", hub);
	}
	return json_pack("{s:b, s:o, s:s}", "ok", 1, "queued", queued, "at",
	    format_rfc3339(now_utc(), at, sizeof at));
}
