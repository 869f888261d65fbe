/*
 * log.c - levelled logging to stderr or syslog, and the two fatal verbs.
 *
 * fatal() and fatalx() are for start-up failures and broken invariants
 * only; trouble caused by a peer is logged with log_warn*() and answered.
 * The `x` forms add no errno text.  Logging is safe from any thread: each
 * message is formatted into one buffer and written with one call.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "dayhub.h"

static int	 log_to_stderr = 1;
static int	 log_level = LOG_LEVEL_INFO;
static const char *log_ident = "dayhub";

static const char *const log_level_names[] = {
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static void	log_vwrite(int, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

void
log_init(int to_stderr, int level, const char *ident)
{
	log_to_stderr = to_stderr;
	log_level = level;
	log_ident = ident;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return log_level;
}

/* Returns the level named by `s` ("warn", "info", "debug"), or -1. */
int
log_level_parse(const char *s)
{
	size_t	i;

	for (i = 0; i < sizeof log_level_names / sizeof log_level_names[0];
	    i++)
		if (strcasecmp(s, log_level_names[i]) == 0)
			return (int)i;
	return -1;
}

static void
log_vwrite(int level, int errnum, const char *fmt, va_list ap)
{
	char		 msg[2048], line[2200], stamp[32];
	struct tm	 tm;
	time_t		 now;
	int		 prio;

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (errnum != 0) {
		size_t	n = strlen(msg);

		snprintf(msg + n, sizeof msg - n, ": %s", strerror(errnum));
	}
	if (!log_to_stderr) {
		prio = level == LOG_LEVEL_WARN ? LOG_WARNING :
		    level == LOG_LEVEL_INFO ? LOG_INFO : LOG_DEBUG;
		syslog(prio, "%s", msg);
		return;
	}
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(line, sizeof line, "%s %s[%ld] %s: %s\n", stamp, log_ident,
	    (long)getpid(), log_level_names[level], msg);
	(void)write(STDERR_FILENO, line, strlen(line));
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
