/*
 * testutil.c - helpers for tests that run real processes; see testutil.h.
 *
 * Everything here copes with EINTR and short reads and writes, and every
 * wait is a poll() or a sleep bounded by a deadline on the monotonic clock,
 * so a stuck child makes a test fail, never hang.
 */
#include "config.h"

#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "testutil.h"

#define TU_MAX_LINE	(64 * 1024 * 1024)
#define TU_POLL_MS	10

static long long
tu_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until `deadline`, at least 0. */
static int
tu_left(long long deadline)
{
	long long	left = deadline - tu_now_ms();

	return left < 0 ? 0 : (int)left;
}

static void
tu_sleep_ms(int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Waits for `events` on `fd` until `deadline`; 1 ready, 0 timeout, -1. */
static int
tu_poll(int fd, short events, long long deadline)
{
	struct pollfd	pfd = { .fd = fd, .events = events };
	int		n;

	for (;;) {
		n = poll(&pfd, 1, tu_left(deadline));
		if (n == -1 && errno == EINTR)
			continue;
		return n;
	}
}

const char *
tu_srcdir(void)
{
	const char	*s = getenv("DAYHUB_SRCDIR");

	return s != NULL && *s != '\0' ? s : ".";
}

const char *
tu_builddir(void)
{
	const char	*s = getenv("DAYHUB_BUILDDIR");

	return s != NULL && *s != '\0' ? s : ".";
}

char *
tu_tmpdir(const char *tag)
{
	const char	*base = getenv("TMPDIR");
	char		*path;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	cr_assert(asprintf(&path, "%s/dayhub-%s-XXXXXX", base, tag) != -1);
	cr_assert(mkdtemp(path) != NULL, "mkdtemp %s: %s", path,
	    strerror(errno));
	return path;
}

static int
tu_rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

void
tu_rm_rf(const char *path)
{
	if (path != NULL)
		nftw(path, tu_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

pid_t
tu_spawn(char *const argv[], const char *log_path)
{
	sigset_t	 none;
	pid_t		 pid, parent = getpid();
	ssize_t		 n;
	int		 pfd[2], fd, child_errno = 0;

	/* A close-on-exec pipe tells us whether the exec itself worked. */
	cr_assert(pipe2(pfd, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	pid = fork();
	cr_assert(pid != -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(pfd[0]);
#ifdef __linux__
		/* A test that crashes or times out takes its children along. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 ||
		    getppid() != parent)
			_exit(127);
#endif
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if ((fd = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(fd, STDIN_FILENO) == -1)
			goto fail;
		close(fd);
		fd = log_path != NULL ? open(log_path,
		    O_WRONLY | O_CREAT | O_APPEND, 0644) :
		    open("/dev/null", O_WRONLY);
		if (fd == -1 || dup2(fd, STDOUT_FILENO) == -1 ||
		    dup2(fd, STDERR_FILENO) == -1)
			goto fail;
		close(fd);
		execv(argv[0], argv);
fail:
		child_errno = errno;
		(void)!write(pfd[1], &child_errno, sizeof child_errno);
		_exit(127);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &child_errno, sizeof child_errno);
	while (n == -1 && errno == EINTR);
	close(pfd[0]);
	if (n > 0) {
		waitpid(pid, NULL, 0);
		cr_assert_fail("cannot run %s: %s", argv[0],
		    strerror(child_errno));
	}
	return pid;
}

/* An exit status as a shell would report it. */
static int
tu_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

int
tu_stop(pid_t pid, int timeout_ms)
{
	long long	deadline = tu_now_ms() + timeout_ms;
	pid_t		r;
	int		status;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return tu_status(status);
		if (r == -1 && errno != EINTR)
			return -1;
		if (tu_left(deadline) == 0)
			break;
		tu_sleep_ms(TU_POLL_MS);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return -1;
}

char *
tu_read_file(const char *path)
{
	char	*buf = NULL, *nbuf;
	size_t	 len = 0, size = 0;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	for (;;) {
		if (size - len < 4096) {
			size = size == 0 ? 8192 : size * 2;
			if ((nbuf = realloc(buf, size)) == NULL)
				goto fail;
			buf = nbuf;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

/* Writes all of `len` bytes, whatever EINTR and short writes do. */
static int
tu_write_all(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
tu_write_file(const char *path, const char *text)
{
	char	*tmp;
	int	 fd, rv = -1;

	if (asprintf(&tmp, "%s.tmp%ld", path, (long)getpid()) == -1)
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		goto out;
	if (tu_write_all(fd, text, strlen(text)) == -1) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		unlink(tmp);
		goto out;
	}
	rv = 0;
out:
	free(tmp);
	return rv;
}

char *
tu_wait_file(const char *path, int timeout_ms)
{
	long long	 deadline = tu_now_ms() + timeout_ms;
	char		*text;

	for (;;) {
		if ((text = tu_read_file(path)) != NULL && *text != '\0')
			return text;
		free(text);
		if (tu_left(deadline) == 0)
			return NULL;
		tu_sleep_ms(TU_POLL_MS);
	}
}

int
tu_connect(const char *host, int port, int timeout_ms)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	long long	 deadline = tu_now_ms() + timeout_ms;
	socklen_t	 len;
	char		 serv[16];
	int		 fd = -1, err, flags;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(serv, sizeof serv, "%d", port);
	if (getaddrinfo(host, serv, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS &&
		    tu_poll(fd, POLLOUT, deadline) == 1) {
			len = sizeof err;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &len) == 0 && err == 0)
				break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd != -1) {
		/* Callers may use plain blocking I/O on it. */
		flags = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	}
	return fd;
}

char *
tu_request(int fd, const char *line, int timeout_ms)
{
	long long	 deadline = tu_now_ms() + timeout_ms;
	char		 chunk[16384], *buf = NULL, *nbuf, *nl, *out;
	size_t		 len = 0, size = 0, want;
	ssize_t		 n;
	int		 done = 0;

	/* The request, and its newline, in full; none for NULL. */
	if (line == NULL)
		goto read;
	if ((out = malloc(strlen(line) + 2)) == NULL)
		return NULL;
	memcpy(out, line, strlen(line));
	out[strlen(line)] = '\n';
	want = strlen(line) + 1;
	for (len = 0; len < want; ) {
		if (tu_poll(fd, POLLOUT, deadline) != 1)
			goto fail;
		n = send(fd, out + len, want - len, MSG_NOSIGNAL);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			goto fail;
		len += (size_t)n;
	}
	free(out);
	out = NULL;
read:
	/*
	 * One reply line: peek to find its end, and take no byte past it,
	 * so a following line stays for the next call.
	 */
	len = 0;
	while (!done) {
		if (tu_poll(fd, POLLIN, deadline) != 1)
			goto fail;
		n = recv(fd, chunk, sizeof chunk, MSG_PEEK);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			goto fail;
		if ((nl = memchr(chunk, '\n', (size_t)n)) != NULL) {
			n = nl - chunk + 1;
			done = 1;
		}
		if (len + (size_t)n + 1 > TU_MAX_LINE)
			goto fail;
		if (len + (size_t)n + 1 > size) {
			size = (len + (size_t)n + 1) * 2;
			if ((nbuf = realloc(buf, size)) == NULL)
				goto fail;
			buf = nbuf;
		}
		do
			n = recv(fd, buf + len, (size_t)n, 0);
		while (n == -1 && errno == EINTR);
		if (n <= 0)
			goto fail;
		len += (size_t)n;
	}
	len--;				/* the newline */
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	return buf;
fail:
	free(out);
	free(buf);
	return NULL;
}

pid_t
tu_start_feedserver(const char *dir, int *port, const char *log_path)
{
	return tu_start_feedservers(dir, port, 1, log_path);
}

pid_t
tu_start_feedservers(const char *dir, int *ports, int nports,
    const char *log_path)
{
	const char	*env = getenv("FEEDSERVER");
	const char	*base = getenv("TMPDIR");
	char		*bin, *portfile, *text = NULL, *p, *end;
	long long	 deadline = tu_now_ms() + 10000;
	long		 v;
	pid_t		 pid, r;
	int		 fd, status, i;

	cr_assert(nports >= 1 && nports <= 64, "bad number of ports %d",
	    nports);
	if (env != NULL && *env != '\0')
		cr_assert(asprintf(&bin, "%s", env) != -1);
	else
		cr_assert(asprintf(&bin, "%s/tests/feedserver",
		    tu_builddir()) != -1);
	cr_assert(access(bin, X_OK) == 0, "no feed server at %s (set "
	    "FEEDSERVER or DAYHUB_BUILDDIR): %s", bin, strerror(errno));
	if (base == NULL || *base == '\0')
		base = "/tmp";
	cr_assert(asprintf(&portfile, "%s/dayhub-port-XXXXXX", base) != -1);
	cr_assert((fd = mkstemp(portfile)) != -1, "mkstemp: %s",
	    strerror(errno));
	close(fd);

	{
		char	 opt_d[] = "-d", opt_p[] = "-p", zero[] = "0";
		char	 opt_w[] = "-w", opt_n[] = "-n", count[16];
		char	*dircopy, *argv[10];

		cr_assert((dircopy = strdup(dir)) != NULL);
		snprintf(count, sizeof count, "%d", nports);
		argv[0] = bin;
		argv[1] = opt_d;
		argv[2] = dircopy;
		argv[3] = opt_p;
		argv[4] = zero;
		argv[5] = opt_n;
		argv[6] = count;
		argv[7] = opt_w;
		argv[8] = portfile;
		argv[9] = NULL;
		pid = tu_spawn(argv, log_path);
		free(dircopy);
	}
	while (tu_left(deadline) > 0) {
		if ((text = tu_wait_file(portfile, TU_POLL_MS * 5)) != NULL)
			break;
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			unlink(portfile);
			cr_assert_fail("the feed server %s exited with %d; "
			    "see %s", bin, tu_status(status),
			    log_path != NULL ? log_path : "its output");
		}
	}
	unlink(portfile);
	if (text == NULL) {
		tu_stop(pid, 1000);
		cr_assert_fail("the feed server %s did not start in time", bin);
	}
	/* "PORT PORT ...\n" */
	for (i = 0, p = text; i < nports; i++, p = end) {
		errno = 0;
		v = strtol(p, &end, 10);
		cr_assert(errno == 0 && end != p && (*end == ' ' ||
		    *end == '\n' || *end == '\0') && v > 0 && v < 65536,
		    "bad port file: %s", text);
		ports[i] = (int)v;
	}
	cr_assert(*p == '\n' || *p == '\0', "bad port file: %s", text);
	free(text);
	free(portfile);
	free(bin);
	return pid;
}
