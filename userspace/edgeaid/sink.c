// SPDX-License-Identifier: GPL-2.0
/*
 * Result sinks. A pipeline formats a batch of results as JSON lines into
 * its own preallocated buffer and hands the whole buffer to each sink:
 *
 *   jsonl:-          standard output, one write() per batch (serialised
 *                    between pipelines so lines never interleave)
 *   jsonl:PATH       PATH opened O_APPEND|O_CREAT, one write() per batch
 *   udp:ADDR:PORT    one datagram per result: the JSON object of the line,
 *                    without its newline (ADDR: IPv4, or [IPv6])
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "edgeaid.h"

enum sink_kind { SINK_STDOUT, SINK_FILE, SINK_UDP };

struct ead_sink {
	enum sink_kind kind;
	int fd;
};

static pthread_mutex_t stdout_lock = PTHREAD_MUTEX_INITIALIZER;

static int split_host_port(const char *s, char *host, size_t hlen,
			   char *port, size_t plen)
{
	const char *colon;
	size_t n;

	if (*s == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		n = (size_t)(end - s - 1);
		s++;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		n = (size_t)(colon - s);
	}
	if (!n || n >= hlen || !colon[1] || strlen(colon + 1) >= plen)
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	snprintf(port, plen, "%s", colon + 1);
	return 0;
}

static int open_udp(const char *spec, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	char host[256], port[16];
	int fd, ret;

	if (split_host_port(spec, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, errlen, "sink udp:%s: expected ADDR:PORT or [ADDR]:PORT",
			 spec);
		return -EINVAL;
	}
	ret = getaddrinfo(host, port, &hints, &ai);
	if (ret) {
		snprintf(err, errlen, "sink udp:%s: %s", spec, gai_strerror(ret));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		ret = -errno;
		snprintf(err, errlen, "sink udp:%s: %s", spec, strerror(-ret));
		if (fd >= 0)
			close(fd);
		fd = ret;
	}
	freeaddrinfo(ai);
	return fd;
}

int ead_sink_open(const char *spec, struct ead_sink **sp, char *err,
		  size_t errlen)
{
	struct ead_sink *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	if (!strcmp(spec, "jsonl:-")) {
		s->kind = SINK_STDOUT;
		s->fd = STDOUT_FILENO;
	} else if (!strncmp(spec, "jsonl:", 6)) {
		s->kind = SINK_FILE;
		s->fd = open(spec + 6, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			     0644);
		if (s->fd < 0) {
			ret = -errno;
			snprintf(err, errlen, "sink %s: %s", spec, strerror(-ret));
			goto err;
		}
	} else if (!strncmp(spec, "udp:", 4)) {
		s->kind = SINK_UDP;
		s->fd = open_udp(spec + 4, err, errlen);
		if (s->fd < 0) {
			ret = s->fd;
			goto err;
		}
	} else {
		snprintf(err, errlen, "sink %s: unknown kind", spec);
		ret = -EINVAL;
		goto err;
	}
	*sp = s;
	return 0;
err:
	free(s);
	return ret;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One datagram per line; returns the number of lines not sent. */
static int send_lines(int fd, const char *buf, size_t len)
{
	int failed = 0;

	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		if (send(fd, buf, n, MSG_DONTWAIT) < 0)
			failed++;
		n += nl ? 1 : 0;
		buf += n;
		len -= n;
	}
	return failed;
}

/* Returns 0, the number of results lost (UDP), or -errno. */
int ead_sink_write(struct ead_sink *s, const char *buf, size_t len)
{
	int ret;

	switch (s->kind) {
	case SINK_STDOUT:
		pthread_mutex_lock(&stdout_lock);
		ret = write_all(s->fd, buf, len);
		pthread_mutex_unlock(&stdout_lock);
		return ret;
	case SINK_FILE:
		return write_all(s->fd, buf, len);
	case SINK_UDP:
		return send_lines(s->fd, buf, len);
	}
	return -EINVAL;
}

int ead_sink_flush(struct ead_sink *s)
{
	/* Every write goes straight to the kernel: nothing is buffered. */
	(void)s;
	return 0;
}

void ead_sink_close(struct ead_sink *s)
{
	if (!s)
		return;
	if (s->kind != SINK_STDOUT && s->fd >= 0)
		close(s->fd);
	free(s);
}
