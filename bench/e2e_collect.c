// SPDX-License-Identifier: GPL-2.0
/*
 * e2e_collect - the application end of the end-to-end benchmark: receives
 * the JSON results a runtime (edgeaid, or a baseline of bench/e2e_base.c
 * or bench/e2e_base.py) sends to a Unix datagram socket, and measures each
 * result's latency the same way for all of them: CLOCK_REALTIME when the
 * result is received minus the sample's own timestamp (the `ts_ns` the
 * sensor stamped in its wire header, CLOCK_REALTIME of edgeai-sensorgen).
 * A datagram is one result, or several newline-terminated JSON lines
 * (edgeaid's unix-batch: sink); each line is a result.
 *
 *   e2e_collect SOCKET_PATH OUT_JSON [LATENCY_MIN_SENSOR]
 *
 * Runs until SIGTERM or SIGINT, then writes OUT_JSON: per sensor id the
 * number of results, its smallest and largest seq, the latencies (ns) of
 * every result of sensors >= LATENCY_MIN_SENSOR (default 0: all), and the
 * outputs `y` of results with seq < 256 (to compare the runtimes'
 * outputs for the same packets).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_SENSORS	512
#define KEEP_SEQ	256
#define MAX_Y		8
#define VLEN		64
#define MSG_MAX		65536	/* a unix-batch: datagram */

struct sensor {
	uint32_t id;
	uint64_t count, seq_min, seq_max, bad;
	uint64_t *lat;
	size_t nlat, cap;
	float y[KEEP_SEQ][MAX_Y];
	uint8_t ny[KEEP_SEQ];
};

static struct sensor *sensors[MAX_SENSORS];
static unsigned int nsensors;
static uint32_t lat_min;
static volatile sig_atomic_t stop;
static uint64_t unparsed;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct sensor *get(uint32_t id)
{
	unsigned int i;

	for (i = 0; i < nsensors; i++)
		if (sensors[i]->id == id)
			return sensors[i];
	if (nsensors == MAX_SENSORS)
		return NULL;
	sensors[nsensors] = calloc(1, sizeof(struct sensor));
	if (!sensors[nsensors])
		return NULL;
	sensors[nsensors]->id = id;
	sensors[nsensors]->seq_min = UINT64_MAX;
	return sensors[nsensors++];
}

static const char *field(const char *s, const char *name)
{
	const char *p = strstr(s, name);

	return p ? p + strlen(name) : NULL;
}

static void take_one(char *msg, size_t len, uint64_t now)
{
	const char *ps, *pq, *pt, *py;
	unsigned long long sensor, seq, ts;
	struct sensor *s;
	char *end;
	int n;

	msg[len] = 0;
	ps = field(msg, "\"sensor\":");
	pq = field(msg, "\"seq\":");
	pt = field(msg, "\"ts_ns\":");
	py = field(msg, "\"y\":[");
	if (!ps || !pq || !pt || !py) {
		unparsed++;
		return;
	}
	sensor = strtoull(ps, NULL, 10);
	seq = strtoull(pq, NULL, 10);
	ts = strtoull(pt, NULL, 10);
	s = get((uint32_t)sensor);
	if (!s)
		return;
	s->count++;
	if (seq < s->seq_min)
		s->seq_min = seq;
	if (seq > s->seq_max)
		s->seq_max = seq;
	if (s->id >= lat_min) {
		if (s->nlat == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 65536;
			uint64_t *p = realloc(s->lat, cap * sizeof(*p));

			if (!p)
				return;
			s->lat = p;
			s->cap = cap;
		}
		s->lat[s->nlat++] = now > ts ? now - ts : 0;
	}
	if (seq < KEEP_SEQ) {
		for (n = 0; n < MAX_Y && *py && *py != ']'; n++) {
			s->y[seq][n] = strtof(py, &end);
			if (end == py) {
				s->bad++;
				break;
			}
			py = end;
			if (*py == ',')
				py++;
		}
		s->ny[seq] = (uint8_t)n;
	}
}

/* One datagram: one result, or newline-terminated lines of results. */
static void take(char *msg, size_t len, uint64_t now)
{
	char *nl;

	while (len) {
		nl = memchr(msg, '\n', len);
		if (!nl) {
			take_one(msg, len, now);
			return;
		}
		take_one(msg, (size_t)(nl - msg), now);
		len -= (size_t)(nl - msg) + 1;
		msg = nl + 1;
	}
}

static void dump(const char *path)
{
	FILE *f = fopen(path, "w");
	unsigned int i, q, k;
	size_t j;

	if (!f) {
		perror(path);
		exit(1);
	}
	fprintf(f, "{\"unparsed\":%llu,\"sensors\":{", (unsigned long long)unparsed);
	for (i = 0; i < nsensors; i++) {
		struct sensor *s = sensors[i];

		fprintf(f, "%s\"%u\":{\"count\":%llu,\"seq_min\":%llu,\"seq_max\":%llu,\"bad\":%llu,\"lat\":[",
			i ? "," : "", s->id, (unsigned long long)s->count,
			(unsigned long long)s->seq_min,
			(unsigned long long)s->seq_max, (unsigned long long)s->bad);
		for (j = 0; j < s->nlat; j++)
			fprintf(f, "%s%llu", j ? "," : "", (unsigned long long)s->lat[j]);
		fputs("],\"y\":{", f);
		for (q = 0, k = 0; q < KEEP_SEQ; q++) {
			unsigned int m;

			if (!s->ny[q])
				continue;
			fprintf(f, "%s\"%u\":[", k++ ? "," : "", q);
			for (m = 0; m < s->ny[q]; m++)
				fprintf(f, "%s%.9g", m ? "," : "", (double)s->y[q][m]);
			fputc(']', f);
		}
		fputs("}}", f);
	}
	fputs("}}\n", f);
	fclose(f);
}

int main(int argc, char **argv)
{
	static char buf[VLEN][MSG_MAX + 1];
	struct mmsghdr mm[VLEN];
	struct iovec iov[VLEN];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct sigaction sa;
	int fd, big = 8 << 20, i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SOCKET_PATH OUT_JSON [LATENCY_MIN_SENSOR]\n", argv[0]);
		return 2;
	}
	if (argc > 3)
		lat_min = (uint32_t)strtoul(argv[3], NULL, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: recvmmsg returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (strlen(argv[1]) >= sizeof(a.sun_path))
		return 2;
	strcpy(a.sun_path, argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("e2e_collect: bind");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	for (i = 0; i < VLEN; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = MSG_MAX;
		memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while (!stop) {
		int n = recvmmsg(fd, mm, VLEN, MSG_WAITFORONE, NULL);
		uint64_t now = realtime_ns();

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("e2e_collect: recvmmsg");
			break;
		}
		for (i = 0; i < n; i++) {
			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC)
				unparsed++;
			take(buf[i], mm[i].msg_len, now);
		}
	}
	dump(argv[2]);
	unlink(argv[1]);
	return 0;
}
