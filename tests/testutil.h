/*
 * testutil.h - helpers for tests that run real processes: temporary
 * directories, child processes, files that appear, and loopback sockets.
 *
 * Every wait is bounded by a timeout in milliseconds.  Functions that
 * return a string return it malloc'd; the caller frees it.  Failures that
 * leave a test nothing to do (fork, exec, a missing feedserver) fail the
 * test with cr_assert; the rest return NULL or -1.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <sys/types.h>

/* $DAYHUB_SRCDIR or "." */
const char	*tu_srcdir(void);
/* $DAYHUB_BUILDDIR or "." */
const char	*tu_builddir(void);
/* A new directory under $TMPDIR or /tmp, named after `tag`. */
char		*tu_tmpdir(const char *tag);
/* Removes `path` and everything under it; symbolic links are not followed. */
void		 tu_rm_rf(const char *path);

/*
 * Runs argv[0] (a path) with stdin from /dev/null and stdout and stderr
 * appended to `log_path` (or /dev/null when NULL).
 */
pid_t		 tu_spawn(char *const argv[], const char *log_path);
/*
 * Sends SIGTERM and waits up to `timeout_ms`; then SIGKILL and -1.
 * Returns the exit status, or 128 + the signal that ended it.
 */
int		 tu_stop(pid_t pid, int timeout_ms);

/* Waits until `path` exists and is not empty; its contents, or NULL. */
char		*tu_wait_file(const char *path, int timeout_ms);
/* The whole of `path`, or NULL. */
char		*tu_read_file(const char *path);
/* Replaces `path` with `text`; 0 or -1. */
int		 tu_write_file(const char *path, const char *text);

/* A TCP connection to host:port (loopback), or -1. */
int		 tu_connect(const char *host, int port, int timeout_ms);
/*
 * Sends `line` and a newline on `fd` (nothing when `line` is NULL, to
 * read a reply already owed) and reads one reply line.  Returns it
 * without its newline (and without a CR before it), or NULL on EOF,
 * error, timeout, or a line longer than 64 MiB.  Bytes after the newline
 * stay in the socket for the next call; after a NULL, part of a line may
 * have been read and lost, so close the connection.
 */
char		*tu_request(int fd, const char *line, int timeout_ms);

/*
 * Starts the test feed server on a free loopback port serving `dir`:
 * $FEEDSERVER, or $DAYHUB_BUILDDIR/tests/feedserver.  Waits until it
 * listens and stores its port in `*port`.  Stop it with tu_stop().
 */
pid_t		 tu_start_feedserver(const char *dir, int *port,
		    const char *log_path);
/*
 * The same, listening on `nports` ports (1 to 64) at once, stored in
 * `ports`: to a client, that many servers, all counted in one /stats.
 */
pid_t		 tu_start_feedservers(const char *dir, int *ports, int nports,
		    const char *log_path);

#endif /* TESTUTIL_H */
