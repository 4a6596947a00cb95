// SPDX-License-Identifier: GPL-2.0
/*
 * read_path - the read() copy path the kernel ring is compared with.
 *
 *   read_path MODE SAMPLES RATE_HZ [WATERMARK]
 *
 * The edgeai module has no read() file operation, so the baseline is the
 * closest thing a user would otherwise get: a stream the samples are
 * copied out of with read(). A producer process stands in for the kernel
 * producer: like edgeai_synth.ko it wakes on a 1 kHz timer and emits every
 * sample that is due (RATE_HZ / 1000 a tick), each a 32-byte header laid
 * out like a ring slot's (seq, ts_ns, sensor_id, tag, len, flags) followed
 * by 6 x f32, with one write() a tick into an AF_UNIX SOCK_STREAM
 * socketpair (its syscalls are not counted: a kernel producer makes none).
 * The consumer, whose costs are counted, reads in MODE:
 *
 *   read1   read() of one sample (56 bytes) a call: a character device
 *           that returns one record per read();
 *   lowat   SO_RCVLOWAT = WATERMARK samples, then read() into a 64 KiB
 *           buffer: blocks until at least WATERMARK samples are there and
 *           takes all that are - the read() equivalent of the ring's poll
 *           watermark, and the best a read() path can do on syscalls.
 *
 * Every sample is checked (sequence number and values); prints one JSON
 * line like ring_consume's: samples, syscalls of the consumer loop,
 * syscalls per sample, bytes and payload bytes copied to userspace, and
 * the producer's batches (non-empty ticks: a late tick writes all that is
 * due at once, as the synth's timer does), and how many times the consumer slept (voluntary context switches: a
 * blocking read() that waits for SO_RCVLOWAT is woken at every write and
 * sleeps again inside the same syscall, so it sleeps more often than it
 * makes syscalls).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NVAL 6

struct rec {
	uint64_t seq;
	uint64_t ts_ns;
	uint32_t sensor_id, tag, len, flags;
	float v[NVAL];
};

_Static_assert(sizeof(struct rec) == 56, "slot header + 6 x f32");

static float val(uint64_t seq, unsigned int i)
{
	return (float)((uint32_t)(seq * 2654435761u + i * 40503u) & 0xffffffu);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The producer's non-empty writes (its batches), shared with the parent. */
static uint64_t *prod_batches;

static void producer(int fd, uint64_t total, uint32_t rate)
{
	static struct rec buf[4096];
	uint64_t start = now_ns(), seq = 0, tick = 0;

	while (seq < total) {
		struct timespec ts;
		uint64_t due, t, n, i;
		size_t off = 0, len;

		tick++;
		t = start + tick * 1000000ull;
		ts.tv_sec = (time_t)(t / 1000000000ull);
		ts.tv_nsec = (long)(t % 1000000000ull);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		due = (now_ns() - start) * rate / 1000000000ull;
		if (due > total)
			due = total;
		n = due > seq ? due - seq : 0;
		if (n > 4096)
			n = 4096;
		for (i = 0; i < n; i++) {
			struct rec *r = &buf[i];
			unsigned int k;

			memset(r, 0, sizeof(*r));
			r->seq = seq + i;
			r->ts_ns = now_ns();
			r->sensor_id = 1;
			r->len = sizeof(r->v);
			for (k = 0; k < NVAL; k++)
				r->v[k] = val(seq + i, k);
		}
		len = n * sizeof(struct rec);
		if (n)
			__atomic_add_fetch(prod_batches, 1, __ATOMIC_RELAXED);
		while (off < len) {
			ssize_t w = write(fd, (char *)buf + off, len - off);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				_exit(1);
			}
			off += (size_t)w;
		}
		seq += n;
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	static struct rec buf[65536 / sizeof(struct rec) + 1];
	uint64_t total, seq = 0, nsys = 0, bytes = 0, bad = 0;
	uint32_t rate, wm = 1;
	struct rusage ru0, ru;
	int sv[2], lowat, st;
	size_t have = 0, want;
	const char *mode;
	double t0;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: %s read1|lowat SAMPLES RATE_HZ [WATERMARK]\n", argv[0]);
		return 2;
	}
	mode = argv[1];
	total = strtoull(argv[2], NULL, 0);
	rate = (uint32_t)strtoul(argv[3], NULL, 0);
	if (argc > 4)
		wm = (uint32_t)strtoul(argv[4], NULL, 0);
	if (strcmp(mode, "read1") && strcmp(mode, "lowat")) {
		fprintf(stderr, "read_path: unknown mode %s\n", mode);
		return 2;
	}
	if (!total || !rate || !wm || wm > 1000) {
		fprintf(stderr, "read_path: bad SAMPLES, RATE_HZ or WATERMARK\n");
		return 2;
	}
	prod_batches = mmap(NULL, sizeof(*prod_batches), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (prod_batches == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("socketpair");
		return 1;
	}
	lowat = (int)(wm * sizeof(struct rec));
	if (!strcmp(mode, "lowat") &&
	    setsockopt(sv[0], SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat))) {
		perror("SO_RCVLOWAT");
		return 1;
	}
	want = !strcmp(mode, "read1") ? sizeof(struct rec) : sizeof(buf) - sizeof(struct rec);
	pid = fork();
	if (!pid) {
		close(sv[0]);
		producer(sv[1], total, rate);
	}
	close(sv[1]);
	getrusage(RUSAGE_SELF, &ru0);
	t0 = (double)now_ns();
	while (seq < total) {
		ssize_t r = read(sv[0], (char *)buf + have, want);
		size_t n, i;

		nsys++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("read");
			break;
		}
		if (!r)
			break;
		bytes += (uint64_t)r;
		have += (size_t)r;
		n = have / sizeof(struct rec);
		for (i = 0; i < n; i++, seq++) {
			const struct rec *p = &buf[i];

			if (p->seq != seq || p->len != sizeof(p->v) ||
			    p->v[0] != val(seq, 0) || p->v[NVAL - 1] != val(seq, NVAL - 1))
				bad++;
		}
		have -= n * sizeof(struct rec);
		if (have)
			memmove(buf, &buf[n], have);
	}
	getrusage(RUSAGE_SELF, &ru);
	ru.ru_nvcsw -= ru0.ru_nvcsw;	/* the loop's own sleeps */
	waitpid(pid, &st, 0);
	printf("{\"mode\":\"%s\",\"watermark\":%u,\"samples\":%llu,\"bad\":%llu,"
	       "\"syscalls\":%llu,\"syscalls_per_sample\":%.5f,"
	       "\"sleeps\":%ld,\"sleeps_per_sample\":%.5f,"
	       "\"producer_batches\":%llu,"
	       "\"bytes_copied_per_sample\":%.1f,\"payload_bytes_copied\":%llu,"
	       "\"payload_bytes_copied_per_sample\":%.1f,\"seconds\":%.3f}\n",
	       mode, wm, (unsigned long long)seq, (unsigned long long)bad,
	       (unsigned long long)nsys, seq ? (double)nsys / (double)seq : 0.0,
	       ru.ru_nvcsw, seq ? (double)ru.ru_nvcsw / (double)seq : 0.0,
	       (unsigned long long)__atomic_load_n(prod_batches, __ATOMIC_RELAXED),
	       seq ? (double)bytes / (double)seq : 0.0,
	       (unsigned long long)(seq * sizeof(buf[0].v)),
	       seq ? (double)(seq * sizeof(buf[0].v)) / (double)seq : 0.0,
	       ((double)now_ns() - t0) / 1e9);
	if (bad || seq != total) {
		fprintf(stderr, "read_path %s: FAILED: %llu of %llu samples, %llu bad\n",
			mode, (unsigned long long)seq, (unsigned long long)total,
			(unsigned long long)bad);
		return 1;
	}
	return 0;
}
