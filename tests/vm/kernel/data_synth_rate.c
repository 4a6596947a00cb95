// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai_synth.ko at 10 kHz for about 3 s (max_samples=30000) into a
 * 4096-slot ring (made by the test, the driver attaches with create=N), and
 * a consumer, polling before the first sample, that waits with poll() at
 * watermark 64 and reads in place: the driver generates exactly 30000 samples, the consumer
 * keeps up with no loss at all (drops == 0, seq contiguous, counter
 * payloads exact), produced == consumed + sum(drops), and it needs well
 * under 0.02 syscalls per sample. Prints the achieved rate (from the
 * samples' own timestamps and from the wall clock) and syscalls / sample.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"

#define RING		"t_synth_rate"
#define SLOTS		4096u
#define CHANNELS	6u
#define RATE_HZ		10000u
#define NSAMPLES	30000u
#define WATERMARK	64u
#define POLL_MS		100	/* flushes the last < WATERMARK samples */
#define LIMIT_NS	12000000000ull

/* ---- edgeai_synth.ko ---------------------------------------------- */

static void cleanup(void)
{
	if (t_synth_loaded())
		t_system("rmmod edgeai_synth");
	t_destroy_rings(RING, NULL);
}

/* ---- the test ------------------------------------------------------ */

static struct t_map m;
static int cfd;
static uint64_t tail, first_ts, last_ts, polls, timeouts, gaps, bad;
static uint64_t max_batch, deadline;
static int64_t last_seq = -1;

/* The consumer: poll at the watermark, read in place, release. */
static void *consumer(void *arg)
{
	(void)arg;
	while (last_seq + 1 < (int64_t)NSAMPLES && t_now_ns() < deadline) {
		struct pollfd p = { .fd = cfd, .events = POLLIN };
		uint64_t head;
		int n = poll(&p, 1, POLL_MS);

		polls++;
		if (n < 0)
			break;
		if (!n)
			timeouts++;
		head = t_load_acquire(t_head(&m));
		if (head - tail > max_batch)
			max_batch = head - tail;
		for (; tail < head; tail++) {
			const struct edgeai_slot_hdr *h = t_slot(&m, tail);
			const float *v = (const float *)(h + 1);
			int64_t seq = (int64_t)h->seq;
			uint32_t c, ok = h->len == CHANNELS * 4 &&
					 seq > last_seq;

			for (c = 0; ok && c < CHANNELS; c++)
				ok = v[c] == (float)(h->seq * CHANNELS + c);
			if (!ok && bad++ < 5)
				fprintf(stderr, "position %llu: seq %lld after %lld, len %u, values %g %g: not the next counter sample\n",
					(unsigned long long)tail,
					(long long)seq, (long long)last_seq,
					h->len, v[0], v[1]);
			if (seq > last_seq) {
				gaps += (uint64_t)(seq - last_seq - 1);
				last_seq = seq;
			}
			if (!first_ts)
				first_ts = h->ts_ns;
			last_ts = h->ts_ns;
		}
		t_store_release(t_tail(&m), tail);
	}
	return NULL;
}

int main(void)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	struct edgeai_ring_stats s;
	pthread_t th;
	uint64_t feat, start, end;
	double rate_ts, rate_wall, per_sample;
	int fd = t_open();

	feat = t_features(fd);
	if ((feat & (EDGEAI_FEAT_RINGS | EDGEAI_FEAT_POLL)) !=
	    (EDGEAI_FEAT_RINGS | EDGEAI_FEAT_POLL)) {
		T_FAILF("features 0x%llx lack RINGS|POLL",
			(unsigned long long)feat);
		return T_FAIL;
	}
	t_synth_unload_stale();
	cleanup();
	atexit(cleanup);

	/* The ring and the consumer are ready before the first sample. */
	c = t_ring_args(RING, SLOTS, EDGEAI_DTYPE_F32, CHANNELS);
	T_ASSERT(t_ring_create(fd, &c) > 0);
	cfd = t_open();
	T_ASSERT(t_attach_name(cfd, RING, EDGEAI_ROLE_CONSUMER, WATERMARK,
			       &a) == 0);
	T_ASSERT(t_map_ring(cfd, &a, SLOTS, &m) == 0);
	start = t_now_ns();
	deadline = start + LIMIT_NS;
	T_ASSERT(pthread_create(&th, NULL, consumer, NULL) == 0);
	if (t_synth_load("ring=%s create=N rate_hz=%u channels=%u dtype=f32 waveform=counter max_samples=%u anomaly_ppm=0",
			 RING, RATE_HZ, CHANNELS, NSAMPLES))
		deadline = 0;
	pthread_join(th, NULL);
	end = t_now_ns();
	T_ASSERT(t_stats(cfd, 0, &s) == 0);
	rate_ts = last_ts > first_ts ?
		  (NSAMPLES - 1) * 1e9 / (double)(last_ts - first_ts) : 0;
	rate_wall = NSAMPLES * 1e9 / (double)(end - start);
	per_sample = (double)(polls + 1) / NSAMPLES;	/* + the stats call */
	printf("generated %lld, dropped %lld, ticks %lld, late_ticks %lld\n",
	       t_synth_param("generated"), t_synth_param("dropped"),
	       t_synth_param("ticks"), t_synth_param("late_ticks"));
	printf("read %llu samples, last seq %lld, gaps %llu, bad %llu; rate %.0f Hz by ts_ns (%.3f s), %.0f Hz by wall clock from insmod to the last sample read\n",
	       (unsigned long long)tail, (long long)last_seq,
	       (unsigned long long)gaps, (unsigned long long)bad, rate_ts,
	       (last_ts - first_ts) / 1e9, rate_wall);
	printf("%llu polls (%llu timed out), largest batch %llu: %.4f syscalls per sample\n",
	       (unsigned long long)polls, (unsigned long long)timeouts,
	       (unsigned long long)max_batch, per_sample);
	printf("stats: produced %llu consumed %llu drops %llu in_ring %llu high_water %llu wakeups %llu\n",
	       (unsigned long long)s.produced, (unsigned long long)s.consumed,
	       (unsigned long long)t_drops(&s), (unsigned long long)s.in_ring,
	       (unsigned long long)s.high_water,
	       (unsigned long long)s.wakeups);

	T_EQ(t_synth_param("generated"), NSAMPLES);
	T_EQ(last_seq + 1, NSAMPLES);
	T_EQ(tail, NSAMPLES);
	T_EQ(bad, 0);
	T_EQ(gaps, t_drops(&s));
	T_EQ(t_drops(&s), 0);
	T_EQ(s.produced, NSAMPLES);
	T_EQ(s.consumed + t_drops(&s), s.produced);
	T_EQ(s.in_ring, 0);
	/* 10 kHz for 3 s: not slower than half, not faster than nominal */
	t_checks++;
	if (rate_ts < RATE_HZ / 2 || rate_ts > RATE_HZ * 1.05)
		T_FAILF("achieved %.0f Hz by the samples' timestamps, expected about %u",
			rate_ts, RATE_HZ);
	t_checks++;
	if (per_sample >= 0.02)
		T_FAILF("%.4f syscalls per sample at watermark %u: expected < 0.02",
			per_sample, WATERMARK);

	t_synth_unload();
	t_unmap_ring(&m);
	close(cfd);
	T_EQ(t_ring_destroy_name(fd, RING), 0);
	close(fd);
	return t_done();
}
