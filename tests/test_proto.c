/*
 * test_proto.c - the request line syntax and the reply encoding.
 *
 * Good lines must give exactly the command and arguments listed; bad lines
 * must be refused with a message that names the problem, and leave the
 * request empty.  The caller strips the line end, so no row has one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dayhub.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])
#define MAXKV		8

struct good_case {
	const char	*line;
	const char	*command;
	size_t		 nargs;
	const char	*kv[2 * MAXKV];		/* key, value, key, value ... */
};

static const struct good_case good_cases[] = {
	{ "HELLO", "HELLO", 0, { NULL } },
	{ "hello", "HELLO", 0, { NULL } },
	{ "HeLLo", "HELLO", 0, { NULL } },
	{ "  HELLO  ", "HELLO", 0, { NULL } },
	{ "\tHELLO\t", "HELLO", 0, { NULL } },
	{ "SEARCH hub=north q=art", "SEARCH", 2,
	  { "hub", "north", "q", "art" } },
	{ "search \t hub=north\t\t  q=art \t", "SEARCH", 2,
	  { "hub", "north", "q", "art" } },
	{ "GET id=north:arts-1", "GET", 1, { "id", "north:arts-1" } },
	{ "SEARCH q=\"art club\"", "SEARCH", 1, { "q", "art club" } },
	{ "SEARCH q=\"say \\\"hi\\\"\"", "SEARCH", 1,
	  { "q", "say \"hi\"" } },
	{ "SEARCH q=\"back\\\\slash\"", "SEARCH", 1, { "q", "back\\slash" } },
	{ "SEARCH q=\"\\\\\"", "SEARCH", 1, { "q", "\\" } },
	{ "SEARCH q=\"\"", "SEARCH", 1, { "q", "" } },
	{ "SEARCH q=\"\" hub=north", "SEARCH", 2,
	  { "q", "", "hub", "north" } },
	{ "SEARCH q=\"  padded  \"", "SEARCH", 1, { "q", "  padded  " } },
	{ "SEARCH q=\"tab\there\"", "SEARCH", 1, { "q", "tab\there" } },
	{ "SEARCH q=\"# not a comment\"", "SEARCH", 1,
	  { "q", "# not a comment" } },
	{ "SEARCH q=\"k=v\"", "SEARCH", 1, { "q", "k=v" } },
	{ "SEARCH q=a=b", "SEARCH", 1, { "q", "a=b" } },
	{ "SEARCH q=back\\slash", "SEARCH", 1, { "q", "back\\slash" } },
	{ "SEARCH q=caf\xc3\xa9", "SEARCH", 1, { "q", "caf\xc3\xa9" } },
	{ "SEARCH q=\"\xe2\x82\xac 5\"", "SEARCH", 1,
	  { "q", "\xe2\x82\xac 5" } },
	{ "BOOK a_1=2 z9=x", "BOOK", 2, { "a_1", "2", "z9", "x" } },
	{ "SEARCH 1=one", "SEARCH", 1, { "1", "one" } },
	{ "ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOP", 0, { NULL } },  /* 16 */
	{ "X abcdefghijklmnopqrstuvwxyz_01234=v", "X", 1,	   /* key 32 */
	  { "abcdefghijklmnopqrstuvwxyz_01234", "v" } },
};

Test(proto, good_lines)
{
	struct proto_request	req;
	char			err[256];
	size_t			i, j;

	for (i = 0; i < nitems(good_cases); i++) {
		const struct good_case *c = &good_cases[i];

		memset(&req, 0xa5, sizeof req);
		cr_assert_eq(proto_parse(c->line, strlen(c->line), &req, err,
		    sizeof err), 0, "\"%s\" was refused: %s", c->line, err);
		cr_expect_str_eq(req.command, c->command, "command of \"%s\"",
		    c->line);
		cr_expect_eq(req.nargs, c->nargs, "\"%s\" has %zu arguments, "
		    "want %zu", c->line, req.nargs, c->nargs);
		for (j = 0; j < c->nargs && j < req.nargs; j++) {
			cr_expect_str_eq(req.args[j].key, c->kv[2 * j],
			    "key %zu of \"%s\"", j + 1, c->line);
			cr_expect_str_eq(req.args[j].value, c->kv[2 * j + 1],
			    "value %zu of \"%s\"", j + 1, c->line);
			cr_expect_eq(proto_arg(&req, c->kv[2 * j]),
			    req.args[j].value);
		}
		proto_request_free(&req);
		cr_expect_null(req.buf);
		cr_expect_eq(req.nargs, 0);
	}
}

struct bad_case {
	const char	*line;
	size_t		 len;		/* 0: strlen(line) */
	const char	*want;		/* the message contains this */
};

static const struct bad_case bad_cases[] = {
	{ "", 0, "empty request" },
	{ "   ", 0, "empty request" },
	{ " \t \t", 0, "empty request" },
	{ "SEARCH q=\"art", 0, "bad quoting: the value of \"q\" has no "
	  "closing quote" },
	{ "SEARCH q=\"", 0, "no closing quote" },
	{ "SEARCH q=\"art\\", 0, "ends in a backslash" },
	{ "SEARCH q=\"a\\nb\"", 0, "may escape only" },
	{ "SEARCH q=\"a\\tb\"", 0, "may escape only" },
	{ "SEARCH q=\"a\"b", 0, "closing quote" },
	{ "SEARCH q=\"a\"\"b\"", 0, "closing quote" },
	{ "SEARCH q=a\"b", 0, "quote inside the unquoted value of \"q\"" },
	{ "SEARCH q=ab\"", 0, "quote inside" },
	{ "SEARCH Q=x", 0, "the key \"Q\" may have only lower-case" },
	{ "SEARCH hUb=x", 0, "lower-case" },
	{ "SEARCH q-x=1", 0, "lower-case" },
	{ "SEARCH tuesday", 0, "argument 1 is not key=value: \"tuesday\"" },
	{ "SEARCH hub=x q=y tuesday", 0,
	  "argument 3 is not key=value: \"tuesday\"" },
	{ "SEARCH \"q=x\"", 0, "not key=value" },
	{ "SEARCH q", 0, "not key=value" },
	{ "SEARCH =x", 0, "argument 1 has an empty key" },
	{ "SEARCH =", 0, "empty key" },
	{ "SEARCH q=", 0, "argument \"q\" has no value" },
	{ "SEARCH q= hub=x", 0, "has no value" },
	{ "X abcdefghijklmnopqrstuvwxyz_012345=v", 0,		/* key 33 */
	  "longer than 32 bytes" },
	{ "SEARCH q=a q=b", 0, "argument \"q\" given twice" },
	{ "SEARCH q=a hub=x q=\"a\"", 0, "argument \"q\" given twice" },
	{ "SEARCH q=\xff", 0, "not valid UTF-8" },
	{ "SEARCH q=\"\xc0\xaf\"", 0, "not valid UTF-8" },	/* overlong */
	{ "SEARCH q=\xed\xa0\x80", 0, "not valid UTF-8" },	/* surrogate */
	{ "SEARCH q=caf\xc3", 0, "not valid UTF-8" },		/* truncated */
	{ "SEARCH q=a\0b", 12, "NUL" },
	{ "\0", 1, "NUL" },
	{ "SEARCH q=\x01", 0, "control character (0x01)" },
	{ "SEARCH q=\"a\rb\"", 0, "control character (0x0d)" },
	{ "SEARCH q=\"a\nb\"", 0, "control character (0x0a)" },
	{ "SEARCH q=\x7f", 0, "control character (0x7f)" },
	{ "GET2 id=x", 0, "the command \"GET2\" must be letters only" },
	{ "GET-ONE", 0, "letters only" },
	{ "q=x", 0, "letters only" },
	{ "\"SEARCH\"", 0, "letters only" },
	{ "S\xc3\xa9" "ARCH", 0, "letters only" },
	{ "ABCDEFGHIJKLMNOPQ", 0, "longer than 16 letters" },	/* 17 */
};

Test(proto, bad_lines)
{
	struct proto_request	req;
	char			err[256];
	size_t			i, len;

	for (i = 0; i < nitems(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		len = c->len != 0 ? c->len : strlen(c->line);
		memset(&req, 0xa5, sizeof req);
		err[0] = '\0';
		cr_assert_eq(proto_parse(c->line, len, &req, err, sizeof err),
		    -1, "row %zu was accepted", i);
		cr_expect_neq(err[0], '\0', "row %zu: no message", i);
		cr_expect(strstr(err, c->want) != NULL, "row %zu: \"%s\" does "
		    "not say \"%s\"", i, err, c->want);
		cr_expect(utf8_valid(err, strlen(err)), "row %zu: the message "
		    "is not UTF-8", i);
		cr_expect_null(req.buf, "row %zu: a refused request holds "
		    "memory", i);
		cr_expect_eq(req.nargs, 0, "row %zu", i);
		proto_request_free(&req);
	}
}

/* Builds "SEARCH a0=0 a1=1 ..." with n arguments. */
static char *
many_args(size_t n)
{
	char	*line;
	size_t	 i, len;

	line = calloc(1, 16 + n * 16);
	cr_assert_not_null(line);
	len = (size_t)sprintf(line, "SEARCH");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(line + len, " a%zu=%zu", i, i);
	return line;
}

Test(proto, argument_count_limit)
{
	struct proto_request	req;
	char			err[256], *line, key[16], val[16];
	size_t			i;

	line = many_args(PROTO_MAX_ARGS);
	cr_assert_eq(proto_parse(line, strlen(line), &req, err, sizeof err), 0,
	    "%d arguments were refused: %s", PROTO_MAX_ARGS, err);
	cr_expect_eq(req.nargs, PROTO_MAX_ARGS);
	for (i = 0; i < PROTO_MAX_ARGS; i++) {
		snprintf(key, sizeof key, "a%zu", i);
		snprintf(val, sizeof val, "%zu", i);
		cr_expect_str_eq(proto_arg(&req, key), val);
	}
	proto_request_free(&req);
	free(line);

	line = many_args(PROTO_MAX_ARGS + 1);
	cr_expect_eq(proto_parse(line, strlen(line), &req, err, sizeof err),
	    -1, "%d arguments were accepted", PROTO_MAX_ARGS + 1);
	cr_expect(strstr(err, "too many arguments") != NULL, "%s", err);
	cr_expect_null(req.buf);
	proto_request_free(&req);
	free(line);
}

Test(proto, line_length_limit)
{
	struct proto_request	req;
	char			err[256], *line;
	size_t			len = PROTO_MAX_LINE - 1;

	/* The longest line the server can pass with its "\n". */
	line = malloc(PROTO_MAX_LINE + 1);
	cr_assert_not_null(line);
	memcpy(line, "SEARCH q=", 9);
	memset(line + 9, 'x', len - 9);
	cr_expect_eq(proto_parse(line, len, &req, err, sizeof err), 0,
	    "a line of %zu bytes was refused: %s", len, err);
	cr_expect_eq(strlen(proto_arg(&req, "q")), len - 9);
	proto_request_free(&req);

	line[len] = 'x';
	cr_expect_eq(proto_parse(line, len + 1, &req, err, sizeof err), -1);
	cr_expect(strstr(err, "longer than") != NULL, "%s", err);
	free(line);
}

Test(proto, long_token_is_quoted_short)
{
	struct proto_request	req;
	char			err[256], line[600];

	/* An over-long bad token is cut in the message, on a boundary. */
	memcpy(line, "SEARCH ", 7);
	memset(line + 7, 'x', 38);
	memcpy(line + 45, "\xe2\x82\xac", 3);
	memset(line + 48, 'y', 500);
	cr_expect_eq(proto_parse(line, 548, &req, err, sizeof err), -1);
	cr_expect(strstr(err, "not key=value") != NULL, "%s", err);
	cr_expect(strstr(err, "...") != NULL, "%s", err);
	cr_expect(strlen(err) < 120, "%s", err);
	cr_expect(utf8_valid(err, strlen(err)));
}

Test(proto, null_line_of_length_zero)
{
	struct proto_request	req;
	char			err[64];

	cr_expect_eq(proto_parse(NULL, 0, &req, err, sizeof err), -1);
	cr_expect_str_eq(err, "empty request");
	proto_request_free(&req);
}

Test(proto, proto_arg_absent)
{
	struct proto_request	req;
	char			err[64];
	const char		*line = "GET id=x";

	cr_assert_eq(proto_parse(line, strlen(line), &req, err, sizeof err),
	    0);
	cr_expect_str_eq(proto_arg(&req, "id"), "x");
	cr_expect_null(proto_arg(&req, "i"));
	cr_expect_null(proto_arg(&req, "idx"));
	cr_expect_null(proto_arg(&req, "ID"));
	proto_request_free(&req);
}

struct encode_case {
	const char	*code;
	const char	*message;
	const char	*want;
};

static const struct encode_case encode_cases[] = {
	{ "bad_request", "empty request",
	  "{\"ok\":false,\"error\":{\"code\":\"bad_request\","
	  "\"message\":\"empty request\"}}\n" },
	{ "bad_argument", "say \"hi\" \\ back",
	  "{\"ok\":false,\"error\":{\"code\":\"bad_argument\","
	  "\"message\":\"say \\\"hi\\\" \\\\ back\"}}\n" },
	{ "not_found", "line\nbreak\ttab\r",
	  "{\"ok\":false,\"error\":{\"code\":\"not_found\","
	  "\"message\":\"line\\nbreak\\ttab\\r\"}}\n" },
	{ "unknown_hub", "caf\xc3\xa9 \xe2\x82\xac",		/* raw UTF-8 */
	  "{\"ok\":false,\"error\":{\"code\":\"unknown_hub\","
	  "\"message\":\"caf\xc3\xa9 \xe2\x82\xac\"}}\n" },
	{ "internal", "bad \xff byte",			/* never NULL */
	  "{\"ok\":false,\"error\":{\"code\":\"internal\","
	  "\"message\":\"bad ? byte\"}}\n" },
};

Test(proto, error_and_encode_exact)
{
	json_t	*reply;
	char	*line;
	size_t	 i;

	for (i = 0; i < nitems(encode_cases); i++) {
		const struct encode_case *c = &encode_cases[i];

		reply = proto_error(c->code, "%s", c->message);
		cr_assert_not_null(reply, "row %zu", i);
		line = proto_encode(reply);
		cr_assert_not_null(line, "row %zu", i);
		cr_expect_str_eq(line, c->want, "row %zu", i);
		cr_expect_eq(strchr(line, '\n'), line + strlen(line) - 1,
		    "row %zu: a newline before the end", i);
		free(line);
		json_decref(reply);
	}
}

Test(proto, error_formats_arguments)
{
	json_t	*reply;
	char	*line;

	reply = proto_error("bad_argument", "limit: %d is over %s", 500,
	    "100");
	line = proto_encode(reply);
	cr_expect_str_eq(line, "{\"ok\":false,\"error\":{\"code\":"
	    "\"bad_argument\",\"message\":\"limit: 500 is over 100\"}}\n");
	free(line);
	json_decref(reply);
}

Test(proto, error_message_cut_on_a_boundary)
{
	json_t		*reply;
	const char	*msg;
	char		 big[3000];
	size_t		 i;

	/* 3-byte characters: a cut at 1023 bytes lands mid-character. */
	for (i = 0; i + 3 < sizeof big; i += 3)
		memcpy(big + i, "\xe2\x82\xac", 3);
	big[i] = '\0';
	reply = proto_error("bad_query", "x%s", big);
	cr_assert_not_null(reply);
	msg = json_string_value(json_object_get(json_object_get(reply,
	    "error"), "message"));
	cr_assert_not_null(msg);
	cr_expect(strlen(msg) < 1024);
	cr_expect(strlen(msg) > 1000);
	cr_expect(utf8_valid(msg, strlen(msg)));
	json_decref(reply);
}

Test(proto, encode_does_not_steal)
{
	json_t	*reply;
	char	*line;

	reply = json_pack("{s:b, s:i, s:[s]}", "ok", 1, "count", 2, "hubs",
	    "north");
	cr_assert_not_null(reply);
	cr_expect_eq(reply->refcount, 1);
	line = proto_encode(reply);
	cr_expect_str_eq(line, "{\"ok\":true,\"count\":2,\"hubs\":"
	    "[\"north\"]}\n");
	cr_expect_eq(reply->refcount, 1, "proto_encode took a reference");
	free(line);
	json_decref(reply);

	cr_expect_null(proto_encode(NULL));
}
