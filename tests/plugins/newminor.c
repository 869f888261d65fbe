/*
 * newminor.c - a test module that claims a minor ABI version newer than
 * the daemon's, and works.  The daemon must load it and run it.
 *
 * Its format: the first line is "NEWMINOR <title>"; it gives one record
 * with that title.  Its sniff also answers for a few fixed prefixes so the
 * tests can drive the daemon's choosing: "SCORE500" and "SCORENEG" give
 * out-of-range scores, "TIE" gives the same score as the editable test
 * module.
 */
#include <stddef.h>
#include <string.h>

#include "dayhub/plugin.h"

#define NEWMINOR_MAGIC	"NEWMINOR"

static int	newminor_sniff(const unsigned char *, size_t, const char *);
static int	newminor_parse(const struct dayhub_input *,
		    const struct dayhub_host *, void *);

/* Returns 1 when `data` of `len` bytes starts with `prefix`. */
static int
newminor_starts(const unsigned char *data, size_t len, const char *prefix)
{
	size_t	n = strlen(prefix);

	return len >= n && memcmp(data, prefix, n) == 0;
}

static int
newminor_sniff(const unsigned char *data, size_t len, const char *ctype)
{
	if (newminor_starts(data, len, NEWMINOR_MAGIC))
		return DAYHUB_SNIFF_CERTAIN;
	if (newminor_starts(data, len, "SCORE500"))
		return 500;
	if (newminor_starts(data, len, "SCORENEG"))
		return -3;
	if (newminor_starts(data, len, "TIE"))
		return DAYHUB_SNIFF_LIKELY;
	if (ctype != NULL && strcmp(ctype, "application/x-newminor") == 0)
		return DAYHUB_SNIFF_LIKELY;
	return DAYHUB_SNIFF_NO;
}

static int
newminor_parse(const struct dayhub_input *in, const struct dayhub_host *host,
    void *sink)
{
	const unsigned char	*title, *eol;
	size_t			 n = sizeof NEWMINOR_MAGIC - 1, tlen;

	/*
	 * Built for a newer minor than the host may speak: anything added to
	 * struct dayhub_host after 1.0 would be used only when
	 * host->abi_minor (and host->size) say the host has it.  Everything
	 * this module calls is 1.0, so it needs only the 1.0 size.
	 */
	if (host->size < offsetof(struct dayhub_host, error) +
	    sizeof host->error)
		return DAYHUB_ERROR;

	if (!newminor_starts(in->data, in->len, NEWMINOR_MAGIC) ||
	    (in->len > n && in->data[n] != ' ' && in->data[n] != '\n')) {
		host->error(sink, "not a newminor file");
		return DAYHUB_ERROR;
	}
	title = in->data + n;
	tlen = in->len > n ? in->len - n : 0;
	if ((eol = memchr(title, '\n', tlen)) != NULL)
		tlen = (size_t)(eol - title);
	while (tlen > 0 && *title == ' ') {
		title++;
		tlen--;
	}

	host->feed(sink, "title", "newminor test feed", 18);
	if (host->begin(sink) == DAYHUB_STOP)
		return DAYHUB_OK;
	if (tlen == 0)
		host->warn(sink, 1, "no title after %s", NEWMINOR_MAGIC);
	else if (host->set(sink, "title", (const char *)title, tlen) ==
	    DAYHUB_STOP)
		return DAYHUB_OK;
	host->end(sink);
	return DAYHUB_OK;
}

__attribute__((visibility("default")))
const struct dayhub_plugin dayhub_plugin = {
	.magic = DAYHUB_PLUGIN_MAGIC,
	.abi_major = DAYHUB_PLUGIN_ABI_MAJOR,
	.abi_minor = DAYHUB_PLUGIN_ABI_MINOR + 5,
	.name = "newminor",
	.version = "1.5-test",
	.description = "test module from a newer minor ABI",
	.sniff = newminor_sniff,
	.parse = newminor_parse,
};
