// SPDX-License-Identifier: GPL-2.0
/*
 * ring_consume - consume a kernel tensor ring in place and count the cost.
 *
 *   ring_consume NAME SAMPLES WATERMARK [poll|uring] [TIMEOUT_S]
 *
 * Attaches to ring NAME as its consumer with the given poll watermark,
 * waits (poll() or io_uring EDGEAI_URING_CMD_WAIT) until SAMPLES samples
 * were seen (received or counted as dropped) or nothing came for
 * TIMEOUT_S, reads every payload in place
 * (a checksum over the mapping: no payload byte is copied), and prints one
 * JSON line: samples, syscalls made by this loop, syscalls per sample,
 * payload bytes copied (0 by construction), sequence gaps and the ring's
 * drop count, and how many times the consumer slept (voluntary context
 * switches). Used by bench/ring_vm.sh inside the VM. If
 * $RING_CONSUME_READY names a file, it is created once attached.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <edgeai/edgeai.h>
#include <edgeai/uring.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct edgeai_ring_opts o = { .sz = sizeof(o) };
	uint64_t want, got = 0, gaps = 0, next_seq = 0, sum = 0, syscalls = 0;
	struct edgeai_ring_stats st;
	struct io_uring uring;
	struct rusage ru0, ru;
	struct edgeai_ring *r;
	int use_uring, ret, i;
	double t0;
	long idle_ms = 0, timeout_ms;

	if (argc < 4) {
		fprintf(stderr, "usage: %s NAME SAMPLES WATERMARK [poll|uring] [TIMEOUT_S]\n",
			argv[0]);
		return 2;
	}
	want = strtoull(argv[2], NULL, 0);
	o.watermark = (uint32_t)strtoul(argv[3], NULL, 0);
	use_uring = argc > 4 && !strcmp(argv[4], "uring");
	timeout_ms = (long)((argc > 5 ? atof(argv[5]) : 30) * 1000);

	/* The producer may create the ring a moment after we start. */
	for (i = 0; (ret = edgeai_ring_open(argv[1], &o, &r)) == -ENOENT &&
		    i < 500; i++)
		usleep(10000);
	if (ret) {
		fprintf(stderr, "ring_consume: %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	/* Tell the driver script we are attached: it starts the producer. */
	if (getenv("RING_CONSUME_READY")) {
		FILE *f = fopen(getenv("RING_CONSUME_READY"), "w");

		if (f)
			fclose(f);
	}
	if (use_uring && io_uring_queue_init(4, &uring, 0)) {
		perror("io_uring_queue_init");
		return 1;
	}

	getrusage(RUSAGE_SELF, &ru0);
	t0 = now();
	while (got + gaps < want) {
		uint64_t first;
		uint32_t n = edgeai_ring_peek(r, UINT32_MAX, &first), k;

		if (!n) {
			/* Idle for the whole timeout: give up (no clock reads:
			 * in a VM clock_gettime may be a real syscall). */
			if (idle_ms > timeout_ms)
				break;
			if (use_uring) {
				struct io_uring_cqe *cqe;

				edgeai_prep_ring_wait(io_uring_get_sqe(&uring), r,
						      o.watermark, 100000000ULL);
				/* submit-and-wait: one io_uring_enter */
				io_uring_submit_and_wait(&uring, 1);
				syscalls++;
				if (!io_uring_peek_cqe(&uring, &cqe)) {
					idle_ms = cqe->res == -ETIME ?
						  idle_ms + 100 : 0;
					io_uring_cqe_seen(&uring, cqe);
				}
			} else {
				uint64_t s0 = edgeai_ring_syscalls(r);

				/* libedgeai counts: it may enter no poll() */
				ret = edgeai_ring_wait(r, 100);
				syscalls += edgeai_ring_syscalls(r) - s0;
				idle_ms = ret == -ETIMEDOUT ? idle_ms + 100 : 0;
			}
			continue;
		}
		for (k = 0; k < n; k++) {
			const struct edgeai_slot_hdr *h = edgeai_ring_slot(r, first + k);
			const unsigned char *p = edgeai_slot_payload(h);
			uint32_t len = h->len, b;

			if (h->seq != next_seq)
				gaps += h->seq - next_seq;
			next_seq = h->seq + 1;
			for (b = 0; b < len; b++)
				sum += p[b];
		}
		got += n;
		edgeai_ring_release(r, n);
	}
	getrusage(RUSAGE_SELF, &ru);
	ru.ru_nvcsw -= ru0.ru_nvcsw;	/* the loop's own sleeps */
	ret = edgeai_ring_stats(r, &st);
	syscalls++;
	printf("{\"watermark\":%u,\"mode\":\"%s\",\"samples\":%llu,\"gaps\":%llu,"
	       "\"drops\":%llu,\"syscalls\":%llu,\"syscalls_per_sample\":%.5f,"
	       "\"sleeps\":%ld,\"sleeps_per_sample\":%.5f,"
	       "\"payload_bytes_copied\":0,\"seconds\":%.3f,\"checksum\":%llu}\n",
	       o.watermark, use_uring ? "uring" : "poll",
	       (unsigned long long)got, (unsigned long long)gaps,
	       (unsigned long long)(ret ? 0 : st.drops[EDGEAI_DROP_FULL] +
				    st.drops[EDGEAI_DROP_OVERWRITTEN]),
	       (unsigned long long)syscalls,
	       got ? (double)syscalls / (double)got : 0.0,
	       ru.ru_nvcsw, got ? (double)ru.ru_nvcsw / (double)got : 0.0, now() - t0,
	       (unsigned long long)sum);
	edgeai_ring_close(r);
	return got + gaps >= want ? 0 : 1;
}
