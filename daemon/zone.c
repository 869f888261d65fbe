/*
 * zone.c - IANA time zones from libical, safely from any thread.
 *
 * libical 3.0's table of builtin zones is filled lazily and not guarded:
 * the first lookup publishes the table before it is complete, and loading
 * a zone rewrites the name other lookups compare against.  Every lookup
 * in the daemon therefore goes through zone_find(), which holds one lock
 * and loads the zone whole before handing it out; zone_init() fills the
 * table before any thread starts.
 *
 * A zone name also reaches the file system (libical opens the zone file
 * of that name), and names come from feeds, so only names shaped like
 * IANA names are ever looked up.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include <libical/ical.h>

#include "dayhub.h"

static pthread_mutex_t	zone_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Whether `s` looks like an IANA zone name ("Europe/London", "Etc/GMT+5",
 * "America/Port-au-Prince"): parts of letters, digits, '_', '+' and '-',
 * each starting with a letter, joined by '/', at most ZONE_MAX_NAME bytes.
 */
int
zone_name_ok(const char *s)
{
	size_t	i;

	if (s == NULL || strnlen(s, ZONE_MAX_NAME + 1) > ZONE_MAX_NAME)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if ((i == 0 || s[i - 1] == '/') &&
		    !isalpha((unsigned char)s[i]))
			return 0;
		if (!isalnum((unsigned char)s[i]) && s[i] != '/' &&
		    s[i] != '_' && s[i] != '+' && s[i] != '-')
			return 0;
	}
	return i > 0 && s[i - 1] != '/';
}

/*
 * The zone called `tzid`, or NULL when the name is not shaped like one or
 * libical does not know it.  "UTC", "GMT" and "Z" are libical's UTC.
 */
icaltimezone *
zone_find(const char *tzid)
{
	icaltimezone	*zone;

	if (!zone_name_ok(tzid))
		return NULL;
	if (strcmp(tzid, "UTC") == 0 || strcmp(tzid, "GMT") == 0 ||
	    strcmp(tzid, "Z") == 0)
		return icaltimezone_get_utc_timezone();
	if (pthread_mutex_lock(&zone_lock) != 0)
		fatalx("%s: cannot take the zone lock", __func__);
	if ((zone = icaltimezone_get_builtin_timezone(tzid)) != NULL)
		(void)icaltimezone_get_component(zone);
	pthread_mutex_unlock(&zone_lock);
	return zone;
}

/* Fills libical's zone table while the program has one thread. */
void
zone_init(void)
{
	(void)zone_find(RECORD_DEFAULT_ZONE_NAME);
}
