// SPDX-License-Identifier: GPL-2.0
/*
 * The optional Prometheus endpoint ([global] prometheus = ADDR:PORT):
 * a thread of its own answers "GET /metrics" over HTTP/1.0 with what
 * `edgeaictl stats --prometheus` prints for this daemon - kernel rings,
 * the sensor filter and these pipelines (its stats file) - so that a
 * fleet scraper and an operator see exactly the same series. edgeaictl is
 * looked for next to edgeaid (same directory, then ../bin), then in PATH.
 * One request at a time; the workers are never involved.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "edgeaid.h"

#define BODY_MAX	(4u << 20)
#define REQ_MAX		4096
#define SCRAPE_MS	5000

extern char **environ;

struct ead_metrics {
	int fd;
	pthread_t thread;
	atomic_int stop;
	char ctl[PATH_MAX];
	char stats_path[EAD_PATH_MAX];
	char *body;
};

static void find_ctl(struct ead_metrics *m)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *tries[] = { "edgeaictl", "../bin/edgeaictl" };
	size_t i;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			for (i = 0; i < 2; i++) {
				snprintf(m->ctl, sizeof(m->ctl), "%.*s/%s",
					 (int)(sizeof(m->ctl) - 32), exe, tries[i]);
				if (!access(m->ctl, X_OK))
					return;
			}
		}
	}
	snprintf(m->ctl, sizeof(m->ctl), "edgeaictl");	/* from PATH */
}

/* Run edgeaictl stats --prometheus; returns the body length or -errno. */
static int scrape(struct ead_metrics *m)
{
	char *argv[] = { m->ctl, "stats", "--prometheus", "--runtime-stats",
			 m->stats_path, NULL };
	posix_spawn_file_actions_t fa;
	struct pollfd pfd;
	size_t len = 0;
	int pipefd[2], ret, status;
	pid_t pid;
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					 O_RDONLY, 0);
	ret = strchr(m->ctl, '/') ?
		posix_spawn(&pid, m->ctl, &fa, NULL, argv, environ) :
		posix_spawnp(&pid, m->ctl, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (ret) {
		close(pipefd[0]);
		return -ret;
	}
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, SCRAPE_MS) <= 0) {
			kill(pid, SIGKILL);
			ret = -ETIMEDOUT;
			break;
		}
		n = read(pipefd[0], m->body + len, BODY_MAX - len);
		if (n <= 0) {
			ret = n < 0 ? -errno : 0;
			break;
		}
		len += (size_t)n;
		if (len == BODY_MAX) {
			kill(pid, SIGKILL);
			ret = -EFBIG;
			break;
		}
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!ret && (!WIFEXITED(status) || WEXITSTATUS(status)))
		ret = -EIO;
	return ret ? ret : (int)len;
}

static void send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void respond(int fd, const char *status, const char *type,
		    const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, type, len);

	send_all(fd, head, (size_t)n);
	send_all(fd, body, len);
}

static void serve(struct ead_metrics *m, int fd)
{
	struct timeval tv = { .tv_sec = 2 };
	char req[REQ_MAX + 1], msg[160];
	size_t got = 0;
	ssize_t n;
	int len;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (got < REQ_MAX && !memmem(req, got, "\r\n\r\n", 4) &&
	       !memmem(req, got, "\n\n", 2)) {
		n = recv(fd, req + got, REQ_MAX - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	req[got] = '\0';
	if (strncmp(req, "GET ", 4) && strncmp(req, "HEAD ", 5)) {
		respond(fd, "405 Method Not Allowed", "text/plain",
			"only GET /metrics\n", 18);
		return;
	}
	if (strncmp(strchr(req, ' ') + 1, "/metrics ", 9) &&
	    strncmp(strchr(req, ' ') + 1, "/metrics\r", 9)) {
		respond(fd, "404 Not Found", "text/plain", "try /metrics\n", 13);
		return;
	}
	len = scrape(m);
	if (len < 0) {
		n = snprintf(msg, sizeof(msg), "%s stats --prometheus: %s\n",
			     m->ctl, strerror(-len));
		respond(fd, "500 Internal Server Error", "text/plain", msg,
			(size_t)n);
		return;
	}
	respond(fd, "200 OK", "text/plain; version=0.0.4; charset=utf-8",
		m->body, !strncmp(req, "HEAD ", 5) ? 0 : (size_t)len);
}

static void *metrics_main(void *arg)
{
	struct ead_metrics *m = arg;
	struct pollfd pfd = { .fd = m->fd, .events = POLLIN };
	int c;

	while (!atomic_load(&m->stop)) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		c = accept4(m->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		serve(m, c);
		close(c);
	}
	return NULL;
}

/* "ADDR:PORT" or "[ADDR6]:PORT" -> a listening socket; port in *@port. */
static int listen_on(const char *spec, int *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[128];
	const char *colon = strrchr(spec, ':');
	struct addrinfo *ai;
	size_t n;
	int fd, one = 1, ret;

	if (!colon || colon == spec)
		return -EINVAL;
	n = (size_t)(colon - spec);
	if (spec[0] == '[' && spec[n - 1] == ']') {
		spec++;
		n -= 2;
	}
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, n);
	host[n] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai))
		return -EINVAL;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		ret = -errno;
		close(fd);
		goto out;
	}
	*port = ntohs(ss.ss_family == AF_INET6 ?
		      ((struct sockaddr_in6 *)&ss)->sin6_port :
		      ((struct sockaddr_in *)&ss)->sin_port);
	ret = fd;
out:
	freeaddrinfo(ai);
	return ret;
}

struct ead_metrics *ead_metrics_start(const char *spec, const char *stats_path)
{
	struct ead_metrics *m = calloc(1, sizeof(*m));
	int port = 0, ret;

	if (!m)
		return NULL;
	m->body = malloc(BODY_MAX);
	m->fd = listen_on(spec, &port);
	if (!m->body || m->fd < 0) {
		ead_log(EAD_LOG_ERROR, "prometheus = %s: %s", spec,
			m->fd == -EINVAL ? "expected ADDR:PORT or [ADDR6]:PORT" :
			strerror(m->fd < 0 ? -m->fd : ENOMEM));
		goto err;
	}
	find_ctl(m);
	snprintf(m->stats_path, sizeof(m->stats_path), "%s", stats_path);
	atomic_init(&m->stop, 0);
	ret = pthread_create(&m->thread, NULL, metrics_main, m);
	if (ret) {
		ead_log(EAD_LOG_ERROR, "prometheus: thread: %s", strerror(ret));
		goto err;
	}
	ead_log(EAD_LOG_INFO, "Prometheus metrics on http://%s/metrics (port %d, from %s)",
		spec, port, m->ctl);
	return m;
err:
	if (m->fd >= 0)
		close(m->fd);
	free(m->body);
	free(m);
	return NULL;
}

void ead_metrics_stop(struct ead_metrics *m)
{
	if (!m)
		return;
	atomic_store(&m->stop, 1);
	pthread_join(m->thread, NULL);
	close(m->fd);
	free(m->body);
	free(m);
}
