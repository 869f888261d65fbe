/*
 * testsink.h - a host for format-module tests that keeps what a module
 * emits as JSON.
 *
 * It records, it does not judge: values are kept as the strings the
 * module sent (no number, flag or time checks; those are the real host's
 * in daemon/record.c).  What it does check is the calling protocol of
 * include/dayhub/plugin.h, because a module that breaks it is wrong
 * whatever the host: set() outside a record, begin() inside one, a
 * single field set twice, a value that is not UTF-8, a call after
 * DAYHUB_STOP.  Each such slip is kept in `violations`.
 */
#ifndef TESTSINK_H
#define TESTSINK_H

#include <stddef.h>

#include <jansson.h>

#include "dayhub/plugin.h"

struct testsink {
	json_t	*records;	/* array of records, dotted names nested */
	json_t	*feed;		/* object: what feed() said */
	json_t	*warnings;	/* array of {"line": N, "message": S} */
	json_t	*violations;	/* array of strings: protocol slips */
	char	*error;		/* what error() said, or NULL */
	size_t	 max_items;	/* begin() answers STOP past this; 0: never */
	int	 begin_only;	/* only begin() says STOP, never end() */
	int	 stopped;	/* STOP was answered */
	json_t	*current;	/* the record being built, or NULL */
	json_t	*seen;		/* single fields set in the current record */
};

extern const struct dayhub_host testsink_host;

void		 testsink_init(struct testsink *, size_t max_items);
void		 testsink_free(struct testsink *);
json_t		*testsink_get(const struct testsink *, size_t record,
		    const char *dotted);
const char	*testsink_string(const struct testsink *, size_t record,
		    const char *dotted);
int		 testsink_warned(const struct testsink *, const char *);
char		*testsink_dump(const struct testsink *);
int		 testsink_is_list(const char *field);

const struct dayhub_plugin *testsink_module(const char *name,
		    const char *env, char *err, size_t errlen);
char		*testsink_slurp(const char *path, size_t *len);
int		 testsink_golden(const struct testsink *, const char *path,
		    char **why);

#endif /* TESTSINK_H */
