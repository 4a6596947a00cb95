// SPDX-License-Identifier: GPL-2.0
/*
 * Result sinks. A pipeline hands each sink a batch of results: the rows
 * with where they came from, and (when a sink wants text) the batch
 * formatted as JSON lines in the pipeline's preallocated buffer:
 *
 *   jsonl:-          standard output, one write() per batch (serialised
 *                    between pipelines so lines never interleave)
 *   jsonl:PATH       PATH opened O_APPEND|O_CREAT, one write() per batch
 *   udp:ADDR:PORT    one datagram per result: the JSON object of the line,
 *                    without its newline (ADDR: IPv4, or [IPv6]); up to
 *                    64 datagrams a sendmmsg()
 *   unix:PATH        the same to a Unix datagram socket (@NAME: abstract);
 *                    a full reader queue is waited for, up to 20 ms a batch
 *   udp-batch:ADDR:PORT, unix-batch:PATH
 *                    the same, but a datagram carries as many whole JSON
 *                    lines (newlines included) as fit in 1400 bytes (UDP:
 *                    one Ethernet frame) or 64 KiB (Unix): one datagram
 *                    per batch of results instead of one per result
 *   ring:NAME[:SLOTS] a result ring (edgeai/result.h): one slot per result,
 *                    created as a USER_PRODUCER ring of SLOTS (default
 *                    1024) if it does not exist; one ioctl per batch
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <edgeai/edgeai.h>
#include <edgeai/result.h>

#include "edgeaid.h"

#define RING_DEFAULT_SLOTS	1024
#define UNIX_WAIT_MS		20	/* per batch, for a slow local reader */
#define SEND_VEC		64	/* datagrams per sendmmsg() */
#define UDP_PACK		1400	/* bytes of lines a udp-batch datagram */
#define UNIX_PACK		65536	/* ... a unix-batch datagram */
#define MAX_CREATED		EAD_MAX_PIPELINES

enum sink_kind { SINK_STDOUT, SINK_FILE, SINK_UDP, SINK_UNIX, SINK_RING };

struct ead_sink {
	enum sink_kind kind;
	int fd;
	size_t pack;		/* udp, unix: 0, or bytes of lines a datagram */
	const char *name;	/* "unix" or "unix-batch", for messages */
	/* unix */
	struct sockaddr_un sun;
	socklen_t sun_len;
	int connected;
	time_t last_try;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct edgeai_ring *ring;
	uint32_t slot_size;
	uint32_t pending_drops;	/* results not published yet, to report */
};

static pthread_mutex_t stdout_lock = PTHREAD_MUTEX_INITIALIZER;

/* Result rings this process created, destroyed by ead_sink_cleanup(). */
static pthread_mutex_t created_lock = PTHREAD_MUTEX_INITIALIZER;
static char created[MAX_CREATED][EDGEAI_NAME_LEN];
static unsigned int n_created;

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

/* @spec: "udp:ADDR:PORT" or "udp-batch:ADDR:PORT" */
static int open_udp(const char *spec, char *err, size_t errlen)
{
	const char *addr = strchr(spec, ':') + 1;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	char host[256], port[16];
	int fd, ret;

	if (split_host_port(addr, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, errlen, "sink %s: expected ADDR:PORT or [ADDR]:PORT",
			 spec);
		return -EINVAL;
	}
	ret = getaddrinfo(host, port, &hints, &ai);
	if (ret) {
		snprintf(err, errlen, "sink %s: %s", spec, gai_strerror(ret));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		ret = -errno;
		snprintf(err, errlen, "sink %s: %s", spec, strerror(-ret));
		if (fd >= 0)
			close(fd);
		fd = ret;
	}
	freeaddrinfo(ai);
	return fd;
}

/*
 * Room in a full datagram queue: a Unix datagram reader's queue holds
 * only net.unix.max_dgram_qlen (often 10) datagrams, so a batch waits for
 * it to read, up to *@budget_ms for the whole batch.
 */
static int wait_room(int fd, int *budget_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	struct timespec t0, t1;
	int ret, spent;

	if (*budget_ms <= 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = poll(&pfd, 1, *budget_ms);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	spent = (int)((t1.tv_sec - t0.tv_sec) * 1000 +
		      (t1.tv_nsec - t0.tv_nsec) / 1000000);
	*budget_ms -= spent > 0 ? spent : 1;
	return ret > 0 && (pfd.revents & POLLOUT);
}

/*
 * Datagrams of a batch's JSON lines, up to SEND_VEC a sendmmsg(). With
 * @pack == 0 each line is one datagram, without its newline; otherwise a
 * datagram carries as many whole lines (newlines included) as fit in
 * @pack bytes, and a longer line goes alone. Returns the number of lines
 * (results) not sent: a datagram that cannot be sent (the error is for
 * the first message of a call) is counted with all its lines and skipped.
 */
static int send_lines(int fd, const char *buf, size_t len, size_t pack,
		      int budget_ms)
{
	struct mmsghdr msg[SEND_VEC];
	struct iovec iov[SEND_VEC];
	size_t end[SEND_VEC] = { 0 };	/* where datagram k + 1 starts */
	int lines[SEND_VEC] = { 0 };
	int failed = 0, ret;
	unsigned int k;
	size_t off;

	while (len) {
		off = 0;
		for (k = 0; k < SEND_VEC && off < len; k++) {
			size_t start = off;

			lines[k] = 0;
			do {
				const char *nl = memchr(buf + off, '\n', len - off);
				size_t n = nl ? (size_t)(nl - (buf + off)) + 1 : len - off;

				if (lines[k] && off + n - start > pack)
					break;
				off += n;
				lines[k]++;
			} while (pack && off < len);
			iov[k].iov_base = (void *)(buf + start);
			iov[k].iov_len = off - start;
			/* one line a datagram: without its newline */
			if (!pack && buf[off - 1] == '\n')
				iov[k].iov_len--;
			memset(&msg[k], 0, sizeof(msg[k]));
			msg[k].msg_hdr.msg_iov = &iov[k];
			msg[k].msg_hdr.msg_iovlen = 1;
			end[k] = off;
		}
		do {
			ret = sendmmsg(fd, msg, k, MSG_DONTWAIT);
		} while (ret < 0 && errno == EAGAIN && wait_room(fd, &budget_ms));
		if (ret <= 0) {
			failed += lines[0];
			ret = 1;
		}
		/* advance past the datagrams sent (or the one that failed) */
		off = end[ret - 1];
		buf += off;
		len -= off;
	}
	return failed;
}

static int unix_connect(struct ead_sink *s)
{
	if (!connect(s->fd, (struct sockaddr *)&s->sun, s->sun_len)) {
		s->connected = 1;
		ead_log(EAD_LOG_INFO, "sink %s:%s: connected", s->name, s->path);
		return 0;
	}
	return -errno;
}

/*
 * A reader that is not there yet (or went away) is waited for: the sink
 * connects again at most once a second, and results meanwhile are lost
 * and counted ("sink" drops).
 */
static int open_unix(struct ead_sink *s, const char *path, char *err,
		     size_t errlen)
{
	size_t n = strlen(path);
	int ret;

	if (!n || n >= sizeof(s->sun.sun_path)) {
		snprintf(err, errlen, "sink %s:%s: path empty or longer than %zu bytes",
			 s->name, path, sizeof(s->sun.sun_path) - 1);
		return -EINVAL;
	}
	s->sun.sun_family = AF_UNIX;
	memcpy(s->sun.sun_path, path, n);
	if (path[0] == '@')
		s->sun.sun_path[0] = '\0';	/* abstract name */
	s->sun_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
				 (path[0] == '@' ? 0 : 1));
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "sink %s:%s: %s", s->name, path,
			 strerror(-ret));
		return ret;
	}
	ret = unix_connect(s);
	if (ret == -ENOENT || ret == -ECONNREFUSED) {
		ead_log(EAD_LOG_WARN, "sink %s:%s: %s: waiting for the reader to bind it (results are counted as lost until then)",
			s->name, path, strerror(-ret));
		ret = 0;
	} else if (ret) {
		snprintf(err, errlen, "sink %s:%s: %s", s->name, path,
			 strerror(-ret));
	}
	return ret;
}

static int unix_write(struct ead_sink *s, const struct ead_results *r)
{
	struct timespec ts;
	int lost;

	if (!s->connected) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_sec == s->last_try || unix_connect(s)) {
			s->last_try = ts.tv_sec;
			return (int)r->rows;
		}
	}
	lost = send_lines(s->fd, r->text, r->text_len, s->pack, UNIX_WAIT_MS);
	if (lost && (errno == ECONNREFUSED || errno == ENOTCONN)) {
		/* the reader closed its socket: bind again to find a new one */
		ead_log(EAD_LOG_WARN, "sink %s:%s: the reader went away",
			s->name, s->path);
		close(s->fd);
		s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		s->connected = 0;
	}
	return lost;
}

static void remember_created(const char *name)
{
	pthread_mutex_lock(&created_lock);
	if (n_created < MAX_CREATED)
		snprintf(created[n_created++], EDGEAI_NAME_LEN, "%s", name);
	pthread_mutex_unlock(&created_lock);
}

/* "NAME" or "NAME:SLOTS" */
static int parse_ring_spec(const char *spec, char *name, uint32_t *slots)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
	unsigned long v;
	char *end;

	if (!n || n >= EDGEAI_NAME_LEN)
		return -EINVAL;
	memcpy(name, spec, n);
	name[n] = '\0';
	*slots = RING_DEFAULT_SLOTS;
	if (!colon)
		return 0;
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (errno || *end || v < 2 || v > EDGEAI_MAX_SLOTS || (v & (v - 1)))
		return -EINVAL;
	*slots = (uint32_t)v;
	return 0;
}

static int create_ring(const char *name, uint32_t slots, uint32_t size,
		       char *err, size_t errlen)
{
	struct edgeai_ring_create args;
	struct edgeai_dev *dev;
	int ret;

	ret = edgeai_dev_open(ead_device, &dev);
	if (ret) {
		snprintf(err, errlen, "sink ring:%s: %s: %s%s", name,
			 ead_device ? ead_device : EDGEAI_DEV_PATH, strerror(-ret),
			 ret == -ENOENT ? " (is edgeai.ko loaded?)" : "");
		return ret;
	}
	ret = edgeai_ring_args(&args, name, slots, EDGEAI_DTYPE_U8, 1, &size);
	if (!ret) {
		args.flags = EDGEAI_RING_F_USER_PRODUCER;
		ret = edgeai_dev_ring_create(dev, &args);
	}
	edgeai_dev_close(dev);
	if (!ret) {
		remember_created(name);
		ead_log(EAD_LOG_INFO, "result ring %s: created, %u slots of %u bytes",
			name, slots, size);
	} else if (ret != -EEXIST) {
		snprintf(err, errlen, "sink ring:%s: create: %s", name,
			 strerror(-ret));
	}
	return ret == -EEXIST ? 0 : ret;
}

static int open_ring(struct ead_sink *s, const char *spec, uint32_t out_dim,
		     char *err, size_t errlen)
{
	struct edgeai_ring_opts o = {
		.sz = sizeof(o), .role = EDGEAI_ROLE_PRODUCER,
		.dev_path = ead_device,
	};
	const struct edgeai_ring_info *info;
	char name[EDGEAI_NAME_LEN];
	uint32_t slots;
	int ret;

	if (parse_ring_spec(spec, name, &slots)) {
		snprintf(err, errlen,
			 "sink ring:%s: expected ring:NAME or ring:NAME:SLOTS (a power of two)",
			 spec);
		return -EINVAL;
	}
	s->slot_size = (uint32_t)edgeai_result_size(out_dim);
	ret = create_ring(name, slots, s->slot_size, err, errlen);
	if (ret)
		return ret;
	ret = edgeai_ring_open(name, &o, &s->ring);
	if (ret) {
		snprintf(err, errlen, "sink ring:%s: attach as producer: %s%s", name,
			 strerror(-ret),
			 ret == -EBUSY ? " (another producer is attached)" : "");
		return ret;
	}
	info = edgeai_ring_get_info(s->ring);
	if (!(info->ring_flags & EDGEAI_RING_F_USER_PRODUCER) ||
	    info->slot_size < s->slot_size) {
		snprintf(err, errlen,
			 "sink ring:%s: the existing ring is not a USER_PRODUCER ring of at least %u-byte slots",
			 name, s->slot_size);
		return -EINVAL;
	}
	return 0;
}

int ead_sink_open(const char *spec, uint32_t out_dim, struct ead_sink **sp,
		  char *err, size_t errlen)
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
	} else if (!strncmp(spec, "udp:", 4) || !strncmp(spec, "udp-batch:", 10)) {
		s->kind = SINK_UDP;
		s->pack = spec[3] == '-' ? UDP_PACK : 0;
		s->fd = open_udp(spec, err, errlen);
		if (s->fd < 0) {
			ret = s->fd;
			goto err;
		}
	} else if (!strncmp(spec, "unix:", 5) || !strncmp(spec, "unix-batch:", 11)) {
		s->kind = SINK_UNIX;
		s->pack = spec[4] == '-' ? UNIX_PACK : 0;
		s->name = s->pack ? "unix-batch" : "unix";
		ret = open_unix(s, strchr(spec, ':') + 1, err, errlen);
		if (ret)
			goto err;
	} else if (!strncmp(spec, "ring:", 5)) {
		s->kind = SINK_RING;
		s->fd = -1;
		ret = open_ring(s, spec + 5, out_dim, err, errlen);
		if (ret)
			goto err;
	} else {
		snprintf(err, errlen, "sink %s: unknown kind", spec);
		ret = -EINVAL;
		goto err;
	}
	*sp = s;
	return 0;
err:
	if (s->kind == SINK_UNIX && s->fd >= 0)
		close(s->fd);
	edgeai_ring_close(s->ring);
	free(s);
	return ret;
}

int ead_sink_wants_text(const struct ead_sink *s)
{
	return s->kind != SINK_RING;
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

/* One slot per result; returns how many were lost (ring full). */
static int ring_write(struct ead_sink *s, const struct ead_results *r)
{
	uint32_t room, i, lost;
	uint64_t first;
	int ret;

	room = edgeai_ring_reserve(s->ring, r->rows, &first);
	for (i = 0; i < room; i++) {
		struct edgeai_slot_hdr *h = edgeai_ring_slot_mut(s->ring, first + i);
		struct edgeai_result *res = (struct edgeai_result *)(h + 1);
		const struct ead_row *m = &r->meta[i];

		memset(res, 0, sizeof(*res));
		res->magic = EDGEAI_RESULT_MAGIC;
		res->version = EDGEAI_RESULT_VERSION;
		res->flags = (m->flags & EDGEAI_SLOT_F_ANOMALY) ?
			     EDGEAI_RESULT_F_ANOMALY : 0;
		res->count = r->out_dim;
		res->sensor_id = m->sensor;
		res->tag = m->tag;
		res->model_gen = r->model_gen;
		res->seq = m->seq;
		res->ts_ns = m->ts_ns;
		res->rx_ns = m->rx_ns;
		res->done_ns = r->done_ns;
		res->pipeline_id = r->pipeline_id;
		snprintf(res->model_version, sizeof(res->model_version), "%s",
			 r->model_version ? r->model_version : "");
		memcpy(res + 1, r->y + (size_t)i * r->out_dim,
		       (size_t)r->out_dim * sizeof(float));
		h->len = s->slot_size;
		h->sensor_id = m->sensor;
		h->tag = m->tag;
		h->flags = m->flags & EDGEAI_SLOT_F_ANOMALY;
		h->ts_ns = m->ts_ns;
	}
	lost = r->rows - room;
	ret = edgeai_ring_publish(s->ring, room, lost + s->pending_drops);
	if (ret) {
		/* not published: nothing of this batch reached the ring */
		s->pending_drops = 0;
		return ret == -ENODEV ? (int)r->rows : ret;
	}
	s->pending_drops = 0;
	return (int)lost;
}

/* Returns 0, the number of results lost (UDP), or -errno. */
int ead_sink_write(struct ead_sink *s, const struct ead_results *r)
{
	int ret;

	if (!r->rows)
		return 0;
	switch (s->kind) {
	case SINK_STDOUT:
		pthread_mutex_lock(&stdout_lock);
		ret = write_all(s->fd, r->text, r->text_len);
		pthread_mutex_unlock(&stdout_lock);
		return ret;
	case SINK_FILE:
		return write_all(s->fd, r->text, r->text_len);
	case SINK_UDP:
		return send_lines(s->fd, r->text, r->text_len, s->pack, 0);
	case SINK_UNIX:
		return unix_write(s, r);
	case SINK_RING:
		return ring_write(s, r);
	}
	return -EINVAL;
}

void ead_sink_close(struct ead_sink *s)
{
	if (!s)
		return;
	if (s->kind != SINK_STDOUT && s->fd >= 0)
		close(s->fd);
	edgeai_ring_close(s->ring);
	free(s);
}

void ead_sink_cleanup(void)
{
	struct edgeai_dev *dev;
	unsigned int i;
	int ret;

	pthread_mutex_lock(&created_lock);
	if (n_created && !edgeai_dev_open(ead_device, &dev)) {
		for (i = 0; i < n_created; i++) {
			ret = edgeai_dev_ring_destroy(dev, 0, created[i]);
			if (ret && ret != -ENOENT)
				ead_log(EAD_LOG_WARN, "result ring %s: destroy: %s",
					created[i], strerror(-ret));
		}
		edgeai_dev_close(dev);
	}
	n_created = 0;
	pthread_mutex_unlock(&created_lock);
}
