/*
 * plugin.c - loading format modules and choosing one for a feed.
 *
 * A format module is a shared object that exports one data symbol,
 * `dayhub_plugin` (see <dayhub/plugin.h>).  Loading one checks, in this
 * order, that the object opens, that it has the symbol, the magic number,
 * the ABI major version, and a descriptor the daemon can use (a valid name,
 * non-NULL strings and functions).  Nothing in the module is called until
 * all of that has passed; a module that fails is closed again and its
 * error says in words what to do about it.
 *
 * The registry is a fixed table filled by plugin_load_dir() at start-up,
 * before any thread runs, and only read afterwards, so readers need no
 * lock.  Modules are not reloaded at SIGHUP: a new or changed module needs
 * a restart, because a parse may be running inside the old one.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#ifdef RTLD_DL_SYMENT
#include <link.h>
#endif
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dayhub.h"

#define PLUGIN_MAX		64	/* modules in the registry */
#define PLUGIN_MAX_NAME		32	/* bytes in a module's name */
#define PLUGIN_MAX_FILES	4096	/* "*.so" entries read from a dir */

/* The size of a descriptor at ABI 1.0: every 1.x module has at least this. */
#define PLUGIN_DESC_MIN_SIZE	(offsetof(struct dayhub_plugin, parse) + \
	sizeof(((struct dayhub_plugin *)NULL)->parse))

/* A substring of dlerror()'s text, and what it usually means. */
struct plugin_hint {
	const char	*match;
	const char	*hint;
};

static const struct plugin_hint plugin_hints[] = {
	{ "undefined symbol", "the module needs a library that is not "
	    "loaded; was it linked with its dependencies?" },
	{ "invalid ELF header", "not a shared object" },
	{ "file too short", "not a shared object" },
	{ "wrong ELF class", "built for another word size (32 or 64 bit)" },
	{ "ELF file's phentsize", "not a shared object for this machine" },
	{ "cannot dynamically load", "an executable, not a module" },
	{ "Permission denied", "the daemon's user cannot read it" },
};

static struct plugin	plugin_table[PLUGIN_MAX];
static size_t		plugin_n;

/*
 * Whether a module's out-of-range sniff score has been logged yet.  Sniffing
 * runs on worker threads, so this is the one mutable thing a reader touches.
 */
static atomic_uchar	plugin_clamp_logged[PLUGIN_MAX];

static const char	*plugin_hint(const char *, const char *);
static int		 plugin_name_valid(const char *);
static int		 plugin_check_size(void *, const char *, char *,
			    size_t);
static int		 plugin_check(const struct dayhub_plugin *, const char *,
			    char *, size_t);
static int		 plugin_cmp(const void *, const void *);
static int		 plugin_has_suffix(const char *);

/* Chooses a hint for a dlopen() failure on `path`, or NULL. */
static const char *
plugin_hint(const char *path, const char *msg)
{
	size_t	i, n;

	/*
	 * "No such file" is the file itself when dlerror() names it, and a
	 * library it depends on otherwise.
	 */
	if (strstr(msg, "No such file") != NULL) {
		n = strlen(path);
		if (strncmp(msg, path, n) == 0 && msg[n] == ':')
			return "no such file";
		return "a library the module needs cannot be found; "
		    "check it with ldd";
	}
	for (i = 0; i < sizeof plugin_hints / sizeof plugin_hints[0]; i++)
		if (strstr(msg, plugin_hints[i].match) != NULL)
			return plugin_hints[i].hint;
	return NULL;
}

/*
 * A module's name appears in config files ("format rss") and replies, so
 * it is a short word: a lower-case letter, then lower-case letters, digits
 * and '-', at most PLUGIN_MAX_NAME bytes.  "auto" means "sniff" in the
 * configuration and cannot be a module.  Returns 1 when valid.  The scan
 * stops one byte past the limit, so an unterminated name cannot run on.
 */
static int
plugin_name_valid(const char *name)
{
	size_t	i;

	if (name[0] < 'a' || name[0] > 'z')
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= PLUGIN_MAX_NAME)
			return 0;
		if ((name[i] < 'a' || name[i] > 'z') &&
		    (name[i] < '0' || name[i] > '9') && name[i] != '-')
			return 0;
	}
	return strcmp(name, "auto") != 0;
}

/*
 * Checks that the exported symbol is an object at least as large as a 1.0
 * descriptor, where the dynamic linker can say (glibc's dladdr1()), so the
 * later reads stay inside it.  Returns 0, or -1 with `err` set.
 */
static int
plugin_check_size(void *sym, const char *path, char *err, size_t errlen)
{
#ifdef RTLD_DL_SYMENT
	Dl_info		 info;
	const ElfW(Sym)	*ent = NULL;

	if (dladdr1(sym, &info, (void **)&ent, RTLD_DL_SYMENT) == 0 ||
	    ent == NULL || ent->st_size == 0)
		return 0;	/* the linker cannot say: trust the magic */
	/* ST_TYPE is the low four bits in both ELF classes. */
	if (ELF64_ST_TYPE(ent->st_info) != STT_OBJECT) {
		snprintf(err, errlen, "%s: \"%s\" is not a data object: "
		    "declare it with DAYHUB_PLUGIN_DEFINE()", path,
		    DAYHUB_PLUGIN_SYMBOL);
		return -1;
	}
	if (ent->st_size < PLUGIN_DESC_MIN_SIZE) {
		snprintf(err, errlen, "%s: \"%s\" is %zu bytes, smaller than "
		    "an ABI 1.0 descriptor (%zu): built against a broken "
		    "header", path, DAYHUB_PLUGIN_SYMBOL,
		    (size_t)ent->st_size, (size_t)PLUGIN_DESC_MIN_SIZE);
		return -1;
	}
#endif
	return 0;
}

/*
 * Checks a descriptor that has the right magic and major version: every
 * member the daemon will read or call must be usable.  Returns 0, or -1
 * with `err` set.
 */
static int
plugin_check(const struct dayhub_plugin *desc, const char *path, char *err,
    size_t errlen)
{
	const char	*what = NULL;

	if (desc->name == NULL) {
		snprintf(err, errlen, "%s: the module has no name", path);
		return -1;
	}
	if (!plugin_name_valid(desc->name)) {
		snprintf(err, errlen, "%s: invalid module name \"%.*s\": a "
		    "lower-case letter, then lower-case letters, digits and "
		    "'-', at most %d bytes, and not \"auto\"", path,
		    PLUGIN_MAX_NAME + 1, desc->name, PLUGIN_MAX_NAME);
		return -1;
	}
	if (desc->version == NULL)
		what = "no version string";
	else if (desc->description == NULL)
		what = "no description";
	else if (desc->sniff == NULL)
		what = "no sniff function";
	else if (desc->parse == NULL)
		what = "no parse function";
	if (what != NULL) {
		snprintf(err, errlen, "%s: module \"%s\" has %s", path,
		    desc->name, what);
		return -1;
	}
	return 0;
}

/*
 * Opens the format module at `path` and checks its descriptor.
 *
 * Contract: `path` names a file; one without a '/' is taken relative to
 * the working directory, never searched for in the library path.  The
 * object is opened RTLD_NOW | RTLD_LOCAL, so a missing dependency fails
 * here rather than at the first parse, and its symbols stay out of the way
 * of other modules.  Nothing the module defines is called (its ELF
 * constructors, which dlopen() runs, are forbidden by PLUGINS.md).  A
 * module whose minor version is older or newer than the daemon's is
 * accepted; a different major version is refused.
 *
 * Returns 0 and fills `*p` (the caller then owns it, to be released with
 * plugin_unload()), or -1 with a one-line reason in `err` that starts with
 * the path; `*p` is then zeroed, so plugin_unload() on it is harmless.
 */
int
plugin_load(const char *path, struct plugin *p, char *err, size_t errlen)
{
	const struct dayhub_plugin	*desc;
	const char			*msg, *hint;
	char				*open_path = NULL;
	void				*handle = NULL, *sym;
	struct stat			 sb;

	memset(p, 0, sizeof *p);

	if (strchr(path, '/') == NULL)
		xasprintf(&open_path, "./%s", path);
	else
		open_path = xstrdup(path);

	/* dlopen() would block on a FIFO and read a device: refuse both. */
	if (stat(open_path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: cannot load: not a regular file",
		    path);
		goto fail;
	}
	if ((handle = dlopen(open_path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		msg = dlerror();
		if (msg == NULL)
			msg = "unknown error";
		if ((hint = plugin_hint(open_path, msg)) != NULL)
			snprintf(err, errlen, "%s: cannot load: %s; %s", path,
			    msg, hint);
		else
			snprintf(err, errlen, "%s: cannot load: %s", path,
			    msg);
		goto fail;
	}

	(void)dlerror();
	sym = dlsym(handle, DAYHUB_PLUGIN_SYMBOL);
	if (sym == NULL) {
		snprintf(err, errlen, "%s: not a dayhub format module: no "
		    "\"%s\" symbol", path, DAYHUB_PLUGIN_SYMBOL);
		goto fail;
	}
	desc = sym;

	if (desc->magic != DAYHUB_PLUGIN_MAGIC) {
		snprintf(err, errlen, "%s: bad magic 0x%08x (expected 0x%08x): "
		    "not a dayhub module, or built against a very old header",
		    path, (unsigned)desc->magic, DAYHUB_PLUGIN_MAGIC);
		goto fail;
	}
	if (desc->abi_major != DAYHUB_PLUGIN_ABI_MAJOR) {
		snprintf(err, errlen, "%s: built for plugin ABI %u.x, this "
		    "dayhubd speaks %d.x: rebuild the module against this "
		    "dayhub's <dayhub/plugin.h>", path,
		    (unsigned)desc->abi_major, DAYHUB_PLUGIN_ABI_MAJOR);
		goto fail;
	}
	if (plugin_check_size(sym, path, err, errlen) == -1)
		goto fail;
	if (plugin_check(desc, path, err, errlen) == -1)
		goto fail;

	if (desc->abi_minor > DAYHUB_PLUGIN_ABI_MINOR)
		log_debug("%s: module \"%s\" is for ABI %u.%u, newer than "
		    "this dayhubd's %d.%d: it must check host->abi_minor",
		    path, desc->name, (unsigned)desc->abi_major,
		    (unsigned)desc->abi_minor, DAYHUB_PLUGIN_ABI_MAJOR,
		    DAYHUB_PLUGIN_ABI_MINOR);

	p->path = xstrdup(path);
	p->handle = handle;
	p->desc = desc;
	free(open_path);
	return 0;

fail:
	if (handle != NULL)
		dlclose(handle);
	free(open_path);
	return -1;
}

/* Closes a module opened by plugin_load() and zeroes `*p`. */
void
plugin_unload(struct plugin *p)
{
	if (p->handle != NULL)
		dlclose(p->handle);
	free(p->path);
	memset(p, 0, sizeof *p);
}

/* Orders directory entries by name, bytewise, for a repeatable registry. */
static int
plugin_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns 1 for "NAME.so" with a non-empty NAME that is not hidden. */
static int
plugin_has_suffix(const char *name)
{
	size_t	len = strlen(name);

	return name[0] != '.' && len > 3 && strcmp(name + len - 3, ".so") == 0;
}

/*
 * Loads every "*.so" in `dir` into the registry, in file-name order.
 *
 * Contract: a module that cannot be loaded, or whose name is already in
 * the registry, is logged with its reason and skipped; the others still
 * load.  Hidden files and names not ending in ".so" are ignored.  At most
 * PLUGIN_MAX modules are kept in all; at most PLUGIN_MAX_FILES entries of
 * one directory are considered.  Returns the number this call added (0 is
 * not an error here: the caller decides whether it can run without), or
 * -1 with `err` set when the directory cannot be read.  Call it before any
 * thread that reads the registry is started.
 */
int
plugin_load_dir(const char *dir, char *err, size_t errlen)
{
	DIR			*d = NULL;
	struct dirent		*de;
	char			**names = NULL, *path = NULL, lerr[1024];
	size_t			 nnames = 0, i, j;
	const struct plugin	*dup;
	struct plugin		 p;
	int			 loaded = 0, rv = -1;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: cannot read the module directory: "
		    "%s", dir, strerror(errno));
		goto fail;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (!plugin_has_suffix(de->d_name))
			continue;
		if (nnames == PLUGIN_MAX_FILES) {
			log_warnx("%s: more than %d modules; the rest are "
			    "ignored", dir, PLUGIN_MAX_FILES);
			break;
		}
		names = xreallocarray(names, nnames + 1, sizeof *names);
		names[nnames++] = xstrdup(de->d_name);
	}
	if (de == NULL && errno != 0) {
		snprintf(err, errlen, "%s: cannot read the module directory: "
		    "%s", dir, strerror(errno));
		goto fail;
	}
	if (nnames > 0)
		qsort(names, nnames, sizeof *names, plugin_cmp);

	for (i = 0; i < nnames; i++) {
		free(path);
		xasprintf(&path, "%s/%s", dir, names[i]);
		if (plugin_n == PLUGIN_MAX) {
			log_warnx("%s: skipped: at most %d format modules are "
			    "loaded", path, PLUGIN_MAX);
			continue;
		}
		if (plugin_load(path, &p, lerr, sizeof lerr) == -1) {
			log_warnx("%s", lerr);
			continue;
		}
		if ((dup = plugin_find(p.desc->name)) != NULL) {
			log_warnx("%s: skipped: a module named \"%s\" is "
			    "already loaded from %s", path, p.desc->name,
			    dup->path);
			plugin_unload(&p);
			continue;
		}
		log_info("format module %s %s loaded from %s", p.desc->name,
		    p.desc->version, path);
		plugin_table[plugin_n] = p;
		atomic_store(&plugin_clamp_logged[plugin_n], 0);
		plugin_n++;
		loaded++;
	}
	rv = loaded;

fail:
	for (j = 0; j < nnames; j++)
		free(names[j]);
	free(names);
	free(path);
	if (d != NULL)
		closedir(d);
	return rv;
}

/* Empties the registry and closes every module, at shutdown or in tests. */
void
plugin_unload_all(void)
{
	size_t	i;

	for (i = 0; i < plugin_n; i++) {
		plugin_unload(&plugin_table[i]);
		atomic_store(&plugin_clamp_logged[i], 0);
	}
	plugin_n = 0;
}

size_t
plugin_count(void)
{
	return plugin_n;
}

/* Returns the i-th module in registry order, or NULL past the end. */
const struct plugin *
plugin_at(size_t i)
{
	if (i >= plugin_n)
		return NULL;
	return &plugin_table[i];
}

/* Returns the module with exactly this name, or NULL. */
const struct plugin *
plugin_find(const char *name)
{
	size_t	i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < plugin_n; i++)
		if (strcmp(plugin_table[i].desc->name, name) == 0)
			return &plugin_table[i];
	return NULL;
}

/*
 * Asks every module how sure it is that `data` is in its format and returns
 * the most sure, or NULL when none claims it.
 *
 * Contract: `data` is a feed's first bytes, any bytes at all; only the
 * first FEED_SNIFF_BYTES are shown to modules.  `content_type` is the
 * server's word, or NULL.  A score outside DAYHUB_SNIFF_NO ..
 * DAYHUB_SNIFF_CERTAIN is clamped into that range (and logged once per
 * module, at debug).  Equal scores go to the module first in registry
 * order.  `*score`, when `score` is not NULL, gets the winning score, or
 * DAYHUB_SNIFF_NO with NULL.  Safe to call from several threads at once.
 */
const struct plugin *
plugin_sniff(const unsigned char *data, size_t len, const char *content_type,
    int *score)
{
	const struct plugin	*best = NULL;
	int			 s, best_score = DAYHUB_SNIFF_NO;
	size_t			 i;

	if (len > FEED_SNIFF_BYTES)
		len = FEED_SNIFF_BYTES;
	for (i = 0; i < plugin_n; i++) {
		s = plugin_table[i].desc->sniff(data, len, content_type);
		if (s < DAYHUB_SNIFF_NO || s > DAYHUB_SNIFF_CERTAIN) {
			if (atomic_exchange(&plugin_clamp_logged[i], 1) == 0)
				log_debug("format module %s: sniff score %d "
				    "is outside %d..%d; clamped",
				    plugin_table[i].desc->name, s,
				    DAYHUB_SNIFF_NO, DAYHUB_SNIFF_CERTAIN);
			s = s < DAYHUB_SNIFF_NO ? DAYHUB_SNIFF_NO :
			    DAYHUB_SNIFF_CERTAIN;
		}
		if (s > best_score) {
			best = &plugin_table[i];
			best_score = s;
		}
	}
	if (score != NULL)
		*score = best_score;
	return best;
}
