/*
 * badmagic.c - a test module whose descriptor has the wrong magic number,
 * as a module built against some other program's header would.  The loader
 * must refuse it before reading anything else.
 */
#include <stddef.h>

#include "dayhub/plugin.h"

__attribute__((visibility("default")))
const struct dayhub_plugin dayhub_plugin = {
	.magic = 0x12345678u,
	.abi_major = DAYHUB_PLUGIN_ABI_MAJOR,
	.abi_minor = DAYHUB_PLUGIN_ABI_MINOR,
	.name = "badmagic",
	.version = "0",
	.description = "refused: wrong magic",
	.sniff = NULL,
	.parse = NULL,
};
