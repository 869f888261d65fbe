/*
 * badmajor.c - a test module built for the next major ABI version.  Its
 * magic is right, so the loader must refuse it for the version alone.
 */
#include <stddef.h>

#include "dayhub/plugin.h"

__attribute__((visibility("default")))
const struct dayhub_plugin dayhub_plugin = {
	.magic = DAYHUB_PLUGIN_MAGIC,
	.abi_major = DAYHUB_PLUGIN_ABI_MAJOR + 1,
	.abi_minor = 0,
	.name = "badmajor",
	.version = "0",
	.description = "refused: a newer major ABI",
	.sniff = NULL,
	.parse = NULL,
};
