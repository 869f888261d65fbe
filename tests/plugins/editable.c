/*
 * editable.c - a valid test module whose descriptor is writable.
 *
 * The loader's checks of a descriptor (name, strings, functions, versions)
 * are tested by opening this module in the test, changing one member of
 * `dayhub_plugin`, and loading the same file: dlopen() hands back the
 * already-open object, so the loader sees the changed descriptor.  A real
 * module declares its descriptor const.
 *
 * `editable_calls` counts calls into the module, so a test can show the
 * loader calls nothing.
 */
#include <stddef.h>
#include <string.h>

#include "dayhub/plugin.h"

__attribute__((visibility("default"))) int editable_calls;

static int	editable_sniff(const unsigned char *, size_t, const char *);
static int	editable_parse(const struct dayhub_input *,
		    const struct dayhub_host *, void *);

/* Returns 1 when `data` of `len` bytes starts with `prefix`. */
static int
editable_starts(const unsigned char *data, size_t len, const char *prefix)
{
	size_t	n = strlen(prefix);

	return len >= n && memcmp(data, prefix, n) == 0;
}

/*
 * "EDITABLE" is certain; "TIE" ties with the newminor module; "BIG" is
 * certain only when the host kept to its 64 KiB promise.
 */
static int
editable_sniff(const unsigned char *data, size_t len, const char *ctype)
{
	editable_calls++;
	if (editable_starts(data, len, "EDITABLE"))
		return DAYHUB_SNIFF_CERTAIN;
	if (editable_starts(data, len, "TIE"))
		return DAYHUB_SNIFF_LIKELY;
	if (editable_starts(data, len, "BIG"))
		return len <= 64 * 1024 ? DAYHUB_SNIFF_CERTAIN : DAYHUB_SNIFF_NO;
	return DAYHUB_SNIFF_NO;
}

static int
editable_parse(const struct dayhub_input *in, const struct dayhub_host *host,
    void *sink)
{
	editable_calls++;
	return DAYHUB_OK;
}

__attribute__((visibility("default")))
struct dayhub_plugin dayhub_plugin = {
	.magic = DAYHUB_PLUGIN_MAGIC,
	.abi_major = DAYHUB_PLUGIN_ABI_MAJOR,
	.abi_minor = DAYHUB_PLUGIN_ABI_MINOR,
	.name = "editable",
	.version = "1.0-test",
	.description = "test module with a writable descriptor",
	.sniff = editable_sniff,
	.parse = editable_parse,
};
