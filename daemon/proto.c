/*
 * proto.c - the line protocol's request syntax and reply encoding.
 *
 * A request is one line of UTF-8, "COMMAND key=value ...", and a reply is
 * one line of compact JSON.  This file knows the syntax only; what the
 * commands mean is cmd.c's business.
 *
 * Error codes, the "code" of {"ok":false,"error":{"code":...}}, shared by
 * every command and by the HTTP interface:
 *
 *	bad_request		the line is not COMMAND key=value ... (syntax)
 *	line_too_long		the line is over PROTO_MAX_LINE bytes
 *	unknown_command		no such command
 *	missing_argument	a required argument is absent
 *	unknown_argument	the command takes no argument of that name
 *	bad_argument		a value is malformed or out of range
 *	not_found		no such activity, spoke or resource
 *	unknown_hub		hub= names no configured hub
 *	bad_query		the search expression is malformed
 *	timeout			the work ran past its time budget
 *	busy			too many connections or requests; try later
 *	internal		the daemon's own fault; it is logged
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dayhub.h"

#define PROTO_MAX_MESSAGE	1024	/* bytes of an error message */
#define PROTO_MAX_ECHO		40	/* bytes of a request quoted back */

static int	proto_fail(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static const char *proto_echo(const char *, size_t, char *, size_t);
static size_t	proto_utf8_trim(const char *, size_t);
static int	proto_is_blank(char);

/*
 * Parses one request line into `req`.
 *
 * Contract: `line` is a peer's input of `len` bytes with its end of line
 * already removed (it need not be NUL-terminated, and may be NULL when
 * len is 0).  Accepted: blanks (spaces and tabs), a command of 1 to
 * PROTO_MAX_COMMAND ASCII letters (any case), then up to PROTO_MAX_ARGS
 * arguments key=value separated by blanks.  A key is 1 to PROTO_MAX_KEY
 * bytes of [a-z0-9_] and appears once; a value is either a run of
 * non-blank bytes without '"' (at least one), or a double-quoted string,
 * possibly empty, in which \" and \\ are the only escapes.  The whole
 * line must be valid UTF-8 with no NUL and no control character but tab,
 * and at most PROTO_MAX_LINE - 1 bytes (the server checks the exact limit
 * with its line end).
 *
 * Returns 0 with req->command upper-cased and req->args filled, all
 * strings in req->buf; the caller frees them with proto_request_free().
 * Returns -1 with a message for the client in `err` and nothing held by
 * `req`.  Either way proto_request_free() is safe to call.
 */
int
proto_parse(const char *line, size_t len, struct proto_request *req,
    char *err, size_t errlen)
{
	const char	*p, *end, *key, *tok;
	char		*out, echo[PROTO_MAX_ECHO + 8];
	size_t		 i, n, keylen, argno;
	unsigned char	 c;

	memset(req, 0, sizeof *req);
	if (errlen > 0)
		err[0] = '\0';
	if (len > PROTO_MAX_LINE - 1)
		return proto_fail(err, errlen, "the request is longer than %d "
		    "bytes", PROTO_MAX_LINE - 1);
	for (i = 0; i < len; i++) {
		c = (unsigned char)line[i];
		if (c == '\0')
			return proto_fail(err, errlen, "the request has a NUL "
			    "byte at byte %zu", i + 1);
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return proto_fail(err, errlen, "the request has a "
			    "control character (0x%02x) at byte %zu", c, i + 1);
	}
	if (!utf8_valid(line, len))
		return proto_fail(err, errlen, "the request is not valid UTF-8");

	p = line;
	end = line + len;
	while (p < end && proto_is_blank(*p))
		p++;
	if (p == end)
		return proto_fail(err, errlen, "empty request");

	/* The command. */
	tok = p;
	while (p < end && !proto_is_blank(*p))
		p++;
	n = (size_t)(p - tok);
	for (i = 0; i < n; i++) {
		c = (unsigned char)tok[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return proto_fail(err, errlen, "the command \"%s\" "
			    "must be letters only",
			    proto_echo(tok, n, echo, sizeof echo));
	}
	if (n > PROTO_MAX_COMMAND)
		return proto_fail(err, errlen, "the command \"%s\" is longer "
		    "than %d letters", proto_echo(tok, n, echo, sizeof echo),
		    PROTO_MAX_COMMAND);
	for (i = 0; i < n; i++) {
		c = (unsigned char)tok[i];
		req->command[i] = (char)(c >= 'a' ? c - ('a' - 'A') : c);
	}
	req->command[n] = '\0';

	/*
	 * Every argument takes at most one byte more than it had on the line
	 * (a NUL after its value), and a blank came before it.
	 */
	out = req->buf = xmalloc(len + 2);

	for (argno = 1;; argno++) {
		while (p < end && proto_is_blank(*p))
			p++;
		if (p == end)
			break;
		if (req->nargs == PROTO_MAX_ARGS) {
			proto_fail(err, errlen, "too many arguments (at most "
			    "%d)", PROTO_MAX_ARGS);
			goto fail;
		}

		/* The key runs to '='; a token without one is no argument. */
		tok = key = p;
		while (p < end && *p != '=' && *p != '"' && !proto_is_blank(*p))
			p++;
		if (p == end || *p != '=') {
			while (p < end && !proto_is_blank(*p))
				p++;
			proto_fail(err, errlen, "argument %zu is not key=value: "
			    "\"%s\"", argno, proto_echo(tok, (size_t)(p - tok),
			    echo, sizeof echo));
			goto fail;
		}
		keylen = (size_t)(p - key);
		if (keylen == 0) {
			proto_fail(err, errlen, "argument %zu has an empty key",
			    argno);
			goto fail;
		}
		if (keylen > PROTO_MAX_KEY) {
			proto_fail(err, errlen, "argument %zu: the key \"%s\" is "
			    "longer than %d bytes", argno, proto_echo(key,
			    keylen, echo, sizeof echo), PROTO_MAX_KEY);
			goto fail;
		}
		for (i = 0; i < keylen; i++) {
			c = (unsigned char)key[i];
			if ((c < 'a' || c > 'z') && (c < '0' || c > '9') &&
			    c != '_') {
				proto_fail(err, errlen, "argument %zu: the key "
				    "\"%s\" may have only lower-case letters, "
				    "digits and '_'", argno, proto_echo(key,
				    keylen, echo, sizeof echo));
				goto fail;
			}
		}
		req->args[req->nargs].key = out;
		memcpy(out, key, keylen);
		out += keylen;
		*out++ = '\0';
		p++;			/* the '=' */

		req->args[req->nargs].value = out;
		if (p < end && *p == '"') {
			p++;
			for (;;) {
				if (p == end) {
					proto_fail(err, errlen, "bad quoting: "
					    "the value of \"%s\" has no closing "
					    "quote", req->args[req->nargs].key);
					goto fail;
				}
				if (*p == '"')
					break;
				if (*p == '\\') {
					if (p + 1 == end) {
						proto_fail(err, errlen, "bad "
						    "quoting: the value of \"%s\" "
						    "ends in a backslash and has "
						    "no closing quote",
						    req->args[req->nargs].key);
						goto fail;
					}
					if (p[1] != '"' && p[1] != '\\') {
						proto_fail(err, errlen, "bad "
						    "quoting: a backslash in the "
						    "value of \"%s\" may escape "
						    "only \\\" or \\\\",
						    req->args[req->nargs].key);
						goto fail;
					}
					p++;
				}
				*out++ = *p++;
			}
			p++;		/* the closing quote */
			if (p < end && !proto_is_blank(*p)) {
				proto_fail(err, errlen, "bad quoting: a blank "
				    "must follow the closing quote of the value "
				    "of \"%s\"", req->args[req->nargs].key);
				goto fail;
			}
		} else {
			tok = p;
			while (p < end && !proto_is_blank(*p)) {
				if (*p == '"') {
					proto_fail(err, errlen, "bad quoting: "
					    "a quote inside the unquoted value "
					    "of \"%s\" (quote the whole value: "
					    "%s=\"...\")",
					    req->args[req->nargs].key,
					    req->args[req->nargs].key);
					goto fail;
				}
				*out++ = *p++;
			}
			if (p == tok) {
				proto_fail(err, errlen, "argument \"%s\" has no "
				    "value (write %s=\"\" for an empty one)",
				    req->args[req->nargs].key,
				    req->args[req->nargs].key);
				goto fail;
			}
		}
		*out++ = '\0';

		for (i = 0; i < req->nargs; i++) {
			if (strcmp(req->args[i].key,
			    req->args[req->nargs].key) == 0) {
				proto_fail(err, errlen, "argument \"%s\" given "
				    "twice", req->args[i].key);
				goto fail;
			}
		}
		req->nargs++;
	}
	return 0;

fail:
	proto_request_free(req);
	return -1;
}

/* Releases what proto_parse() stored; the request is empty afterwards. */
void
proto_request_free(struct proto_request *req)
{
	free(req->buf);
	memset(req, 0, sizeof *req);
}

/* Returns the value of argument `key`, or NULL when it was not given. */
const char *
proto_arg(const struct proto_request *req, const char *key)
{
	size_t	i;

	for (i = 0; i < req->nargs; i++)
		if (strcmp(req->args[i].key, key) == 0)
			return req->args[i].value;
	return NULL;
}

/*
 * Builds the error reply {"ok":false,"error":{"code":..,"message":..}}.
 * The message may quote what a peer sent; it is cut to PROTO_MAX_MESSAGE
 * bytes and made valid UTF-8, so the reply can always be built.  Returns
 * a new reference.
 */
json_t *
proto_error(const char *code, const char *fmt, ...)
{
	char	 msg[PROTO_MAX_MESSAGE];
	json_t	*reply;
	va_list	 ap;
	size_t	 len, i;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		msg[0] = '\0';
	len = strlen(msg);
	if (!utf8_valid(msg, len)) {
		/* A cut in the middle of a character, or worse. */
		len = proto_utf8_trim(msg, len);
		msg[len] = '\0';
		if (!utf8_valid(msg, len)) {
			for (i = 0; i < len; i++)
				if ((unsigned char)msg[i] >= 0x80)
					msg[i] = '?';
		}
	}
	reply = json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error", "code",
	    code, "message", msg);
	if (reply == NULL)
		fatalx("proto_error: cannot build the reply for \"%s\"", code);
	return reply;
}

/*
 * Encodes a reply as one line of compact JSON ending in "\n".  Control
 * characters in strings are escaped by jansson, so the line holds no other
 * line end.  Does not take the caller's reference.  Returns a string to
 * free(), or NULL when the value cannot be encoded.
 */
char *
proto_encode(json_t *reply)
{
	char	*text, *line;
	size_t	 len;

	if (reply == NULL)
		return NULL;
	/* 15 significant digits: 50.7 stays 50.7, not 50.700000000000003. */
	text = json_dumps(reply, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	if (text == NULL)
		return NULL;
	len = strlen(text);
	line = xmalloc(len + 2);
	memcpy(line, text, len);
	line[len] = '\n';
	line[len + 1] = '\0';
	free(text);
	return line;
}

/* Formats a message for the client into err; returns -1. */
static int
proto_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	err[proto_utf8_trim(err, strlen(err))] = '\0';
	return -1;
}

/*
 * Copies at most PROTO_MAX_ECHO bytes of a peer's token for quoting in a
 * message, cut at a character boundary and marked "..." when cut.
 */
static const char *
proto_echo(const char *s, size_t len, char *buf, size_t buflen)
{
	size_t	n = len;

	if (n > PROTO_MAX_ECHO)
		n = proto_utf8_trim(s, PROTO_MAX_ECHO);
	if (n + 4 > buflen)
		n = 0;
	memcpy(buf, s, n);
	if (n < len)
		memcpy(buf + n, "...", 4);
	else
		buf[n] = '\0';
	return buf;
}

/*
 * Returns the length of `s` without a trailing sequence that is cut off,
 * so that a string truncated by snprintf() ends on a character boundary.
 */
static size_t
proto_utf8_trim(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 start, need;

	if (len == 0 || u[len - 1] < 0x80)
		return len;
	/* Back up to the lead byte of the last sequence (at most 3 steps). */
	start = len - 1;
	while (start > 0 && len - start < 4 && (u[start] & 0xc0) == 0x80)
		start--;
	if ((u[start] & 0xe0) == 0xc0)
		need = 2;
	else if ((u[start] & 0xf0) == 0xe0)
		need = 3;
	else if ((u[start] & 0xf8) == 0xf0)
		need = 4;
	else
		return len;
	return len - start < need ? start : len;
}

static int
proto_is_blank(char c)
{
	return c == ' ' || c == '\t';
}
