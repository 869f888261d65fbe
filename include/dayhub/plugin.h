/*
 * dayhub/plugin.h - the ABI between dayhubd and its feed format modules.
 *
 * A format module is a shared object that exports exactly one data symbol,
 * `dayhub_plugin`, of type `const struct dayhub_plugin`.  The daemon opens
 * the module with dlopen(RTLD_NOW), reads that symbol, and checks `magic`
 * and `abi_major` before it calls anything.  A module compiled against an
 * older minor version of this header still loads: the daemon reads only
 * the members that existed in that minor version (see `abi_minor` and the
 * "since" notes below).
 *
 * A module is pure.  It is handed bytes and a table of host services, and
 * it turns the bytes into normalized activity records by calling those
 * services.  It does no I/O, keeps no global state, starts no threads, and
 * gives the same calls for the same input.  It links against nothing of the
 * daemon: everything it needs from the host comes through `struct
 * dayhub_host`.  The daemon may call one module from several threads at
 * once, each call with its own sink.
 *
 * Rules for changing this file:
 *   - structs only grow at their end; every new member says which minor
 *     version added it;
 *   - removing or reordering a member, or changing a meaning, is a new
 *     major version, and modules built for the old major are refused.
 *
 * The full guide for module authors is PLUGINS.md in the source tree.
 */
#ifndef DAYHUB_PLUGIN_H
#define DAYHUB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "DHBP" in ASCII: the first member of every module's descriptor. */
#define DAYHUB_PLUGIN_MAGIC	0x44484250u
#define DAYHUB_PLUGIN_ABI_MAJOR	1
#define DAYHUB_PLUGIN_ABI_MINOR	0

/* The name of the one symbol a module exports. */
#define DAYHUB_PLUGIN_SYMBOL	"dayhub_plugin"

/* Sniff scores: how sure a module is that bytes are in its format. */
#define DAYHUB_SNIFF_NO		0	/* certainly not mine */
#define DAYHUB_SNIFF_MAYBE	25	/* plausible, e.g. generic XML */
#define DAYHUB_SNIFF_LIKELY	75	/* the root element or marker fits */
#define DAYHUB_SNIFF_CERTAIN	100	/* unmistakably mine */

/* Return values of parse() and of the host services. */
#define DAYHUB_OK	0	/* done, go on */
#define DAYHUB_STOP	1	/* host: a limit was reached, stop parsing */
#define DAYHUB_ERROR	(-1)	/* parse: the feed could not be read */
#define DAYHUB_REJECT	(-2)	/* host: this value was refused (warned) */

/*
 * What the host hands a module to parse.  All pointers stay valid for the
 * duration of the parse() call only; the module copies what it keeps.
 * `data` is not NUL-terminated and may contain any bytes at all.
 */
struct dayhub_input {
	size_t			 size;		/* sizeof as the host knows it */
	const unsigned char	*data;		/* the feed's bytes */
	size_t			 len;		/* how many */
	const char		*base_url;	/* where they came from, or NULL */
	const char		*content_type;	/* as the server said, or NULL */
	const char		*timezone;	/* IANA zone for local times */
	size_t			 max_items;	/* stop after this many records */
	size_t			 max_depth;	/* element nesting limit */
	/* since 1.0 */
};

/*
 * The services the host offers a module.  `sink` is the host's opaque
 * handle for this one parse, passed back unchanged on every call.
 *
 * A record is built with begin(), any number of set() calls, and end().
 * Field names are the v1 record names of the design, with a dot for a
 * member of a group: "title", "start", "location.postcode", "cost.min".
 * A list field ("categories", "access", "groups", "funding", "activity",
 * "schedule.exdates", "schedule.rdates") takes one value per set() call
 * and accumulates.
 * Values are UTF-8 text of `len` bytes (no NUL needed); the host checks
 * and converts them (numbers, booleans, RFC 3339 times) and answers
 * DAYHUB_REJECT, having recorded a warning, when a value does not fit.
 * A local time without an offset is read in the record's "timezone", or
 * the input's.  begin() or end() answer DAYHUB_STOP once the item limit
 * is reached: the module then returns from parse() at once.
 *
 * feed() records something about the whole feed rather than one record:
 * "title", "link", "ttl" (minutes), "generator".
 *
 * warn() notes something the module repaired, guessed or dropped, with the
 * line in the input where it helps (0 when it does not).  error() gives
 * the reason when parse() is about to return DAYHUB_ERROR.
 */
struct dayhub_host {
	size_t	  size;		/* sizeof as the host knows it */
	int	  abi_minor;	/* the host's DAYHUB_PLUGIN_ABI_MINOR */
	/* since 1.0 */
	int	(*begin)(void *sink);
	int	(*set)(void *sink, const char *field, const char *value,
		    size_t len);
	int	(*end)(void *sink);
	void	(*feed)(void *sink, const char *key, const char *value,
		    size_t len);
	void	(*warn)(void *sink, unsigned long line, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
	void	(*error)(void *sink, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
};

/*
 * The one descriptor a module exports as `dayhub_plugin`.
 *
 * sniff() looks at up to the first `len` bytes (the host passes at most
 * the first 64 KiB) and the server's Content-Type, which may be NULL or
 * wrong, and returns a score from DAYHUB_SNIFF_NO to DAYHUB_SNIFF_CERTAIN.
 * It must be cheap and must not fail.
 *
 * parse() reads the whole input and emits records through `host`.  It
 * returns DAYHUB_OK when the input was read (even with warnings, even with
 * no records), or DAYHUB_ERROR, after calling host->error(), when it was
 * not a feed the module can read.  Records emitted before an error are
 * discarded by the host.  It never aborts the process, whatever the bytes.
 */
struct dayhub_plugin {
	uint32_t	 magic;		/* DAYHUB_PLUGIN_MAGIC */
	uint16_t	 abi_major;	/* DAYHUB_PLUGIN_ABI_MAJOR */
	uint16_t	 abi_minor;	/* DAYHUB_PLUGIN_ABI_MINOR */
	const char	*name;		/* short format name: "rss" */
	const char	*version;	/* the module's own version */
	const char	*description;	/* one line for humans */
	/* since 1.0 */
	int		(*sniff)(const unsigned char *data, size_t len,
			    const char *content_type);
	int		(*parse)(const struct dayhub_input *in,
			    const struct dayhub_host *host, void *sink);
};

/* Declares a module's descriptor with the current ABI numbers. */
#define DAYHUB_PLUGIN_DEFINE(name_, version_, desc_, sniff_, parse_)	\
	__attribute__((visibility("default")))				\
	const struct dayhub_plugin dayhub_plugin = {			\
		.magic = DAYHUB_PLUGIN_MAGIC,				\
		.abi_major = DAYHUB_PLUGIN_ABI_MAJOR,			\
		.abi_minor = DAYHUB_PLUGIN_ABI_MINOR,			\
		.name = (name_),					\
		.version = (version_),					\
		.description = (desc_),					\
		.sniff = (sniff_),					\
		.parse = (parse_),					\
	}

#ifdef __cplusplus
}
#endif

#endif /* DAYHUB_PLUGIN_H */
