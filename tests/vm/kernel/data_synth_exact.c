// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai_synth.ko, waveform=counter, read in place by a raw-ABI consumer:
 * every payload is exact (channel c of sample n is n * channels + c in the
 * dtype), seq is contiguous from 0, ts_ns never goes back, and the ring's
 * produced / consumed / bytes counters are exact with no drops; max_samples
 * stops the driver after exactly that many samples. Three runs: f32 and i16
 * on a ring the driver creates (create=Y), then f32 on a ring this test
 * created beforehand (create=N attaches to it). Each run leaves no ring.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"

#define RING		"t_synth_exact"
#define CHANNELS	6u
#define NSAMPLES	5000u
#define RATE_HZ		4000u
#define SENSOR_ID	77u
#define TAG		0x5eedu
#define RUN_LIMIT_NS	8000000000ull	/* per run, emulated VM included */

/* ---- edgeai_synth.ko ---------------------------------------------- */

static void cleanup(void)
{
	if (t_synth_loaded())
		t_system("rmmod edgeai_synth");
	t_destroy_rings(RING, NULL);
}

/* ---- the test ------------------------------------------------------ */

/* Expected element c of sample n, compared as raw bytes of the dtype. */
static int value_ok(const void *payload, uint32_t dtype, uint64_t n,
		    uint32_t c, double *got)
{
	uint64_t want = n * CHANNELS + c;

	if (dtype == EDGEAI_DTYPE_F32) {
		float v;

		memcpy(&v, (const char *)payload + 4 * c, 4);
		*got = v;
		return v == (float)want;
	}
	{
		int16_t v;

		memcpy(&v, (const char *)payload + 2 * c, 2);
		*got = v;
		return v == (int16_t)want;
	}
}

/* One run's consumer, in a thread that is there before the first sample:
 * for a driver-created ring it attaches as soon as the ring exists. */
struct run {
	const char *label;
	uint32_t dtype, dsize, slots;
	int cfd, attached;
	volatile int stop;
	struct edgeai_ring_attach a;
	struct t_map m;
	uint64_t tail, prev_ts, first_ts, ts_equal;
	uint64_t bad_payload, bad_seq, bad_hdr, bad_ts;
};

static void *consume(void *arg)
{
	struct run *r = arg;
	const char *label = r->label;
	uint64_t deadline = t_now_ns() + RUN_LIMIT_NS;

	while (!r->attached && !r->stop && t_now_ns() < deadline) {
		if (!t_attach_name(r->cfd, RING, EDGEAI_ROLE_CONSUMER, 0,
				   &r->a))
			r->attached = 1;
		else
			usleep(1000);
	}
	if (!r->attached)
		return NULL;
	T_ASSERT(t_map_ring(r->cfd, &r->a, r->slots, &r->m) == 0);
	while (r->tail < NSAMPLES && !r->stop && t_now_ns() < deadline) {
		uint64_t head = t_load_acquire(t_head(&r->m)), tail;

		if (head == r->tail) {
			usleep(1000);
			continue;
		}
		T_ASSERT(head - r->tail <= r->slots);
		for (tail = r->tail; tail < head; tail++) {
			const struct edgeai_slot_hdr *h = t_slot(&r->m, tail);
			const void *pl = h + 1;
			uint32_t c;

			if (h->seq != tail && r->bad_seq++ < 5)
				T_FAILF("%s: position %llu has seq %llu: seq must be contiguous from 0",
					label, (unsigned long long)tail,
					(unsigned long long)h->seq);
			if ((h->len != CHANNELS * r->dsize ||
			     h->sensor_id != SENSOR_ID || h->tag != TAG ||
			     h->flags != 0) && r->bad_hdr++ < 5)
				T_FAILF("%s: seq %llu: len %u sensor_id %u tag 0x%x flags 0x%x; expected %u %u 0x%x 0",
					label, (unsigned long long)h->seq,
					h->len, h->sensor_id, h->tag, h->flags,
					CHANNELS * r->dsize, SENSOR_ID, TAG);
			for (c = 0; c < CHANNELS; c++) {
				double got;

				if (!value_ok(pl, r->dtype, h->seq, c, &got) &&
				    r->bad_payload++ < 5)
					T_FAILF("%s: seq %llu channel %u: %g, expected %llu",
						label,
						(unsigned long long)h->seq, c,
						got,
						(unsigned long long)(h->seq *
							CHANNELS + c));
			}
			if (!r->first_ts)
				r->first_ts = h->ts_ns;
			if ((!h->ts_ns || h->ts_ns < r->prev_ts ||
			     h->ts_ns > t_now_ns()) && r->bad_ts++ < 5)
				T_FAILF("%s: seq %llu: ts_ns %llu after %llu (now %llu)",
					label, (unsigned long long)h->seq,
					(unsigned long long)h->ts_ns,
					(unsigned long long)r->prev_ts,
					(unsigned long long)t_now_ns());
			r->ts_equal += h->ts_ns == r->prev_ts;
			r->prev_ts = h->ts_ns;
		}
		r->tail = head;
		t_store_release(t_tail(&r->m), head);
	}
	return NULL;
}

static void run(const char *label, const char *dtype_name, uint32_t dtype,
		uint32_t dsize, int own_ring)
{
	struct edgeai_ring_attach a;
	struct edgeai_ring_info info;
	struct edgeai_ring_stats s;
	struct run r;
	pthread_t th;
	uint32_t slots = own_ring ? 1024 : 4096, id;
	int fd = t_open(), cfd = t_open(), rc;

	printf("-- %s: dtype %s, %s ring of %u slots\n", label, dtype_name,
	       own_ring ? "test-created" : "synth-created", slots);
	memset(&r, 0, sizeof(r));
	r.label = label;
	r.dtype = dtype;
	r.dsize = dsize;
	r.slots = slots;
	r.cfd = cfd;
	if (own_ring) {
		struct edgeai_ring_create c = t_ring_args(RING, slots, dtype,
							  CHANNELS);

		T_ASSERT(t_ring_create(fd, &c) > 0);
		T_ASSERT(t_attach_name(cfd, RING, EDGEAI_ROLE_CONSUMER, 0,
				       &r.a) == 0);
		r.attached = 1;
	}
	T_ASSERT(pthread_create(&th, NULL, consume, &r) == 0);
	if (own_ring)
		rc = t_synth_load("ring=%s create=N rate_hz=%u channels=%u dtype=%s waveform=counter max_samples=%u sensor_id=%u tag=%u anomaly_ppm=0",
				  RING, RATE_HZ, CHANNELS, dtype_name, NSAMPLES,
				  SENSOR_ID, TAG);
	else
		rc = t_synth_load("ring=%s create=Y slots=%u rate_hz=%u channels=%u dtype=%s waveform=counter max_samples=%u sensor_id=%u tag=%u anomaly_ppm=0",
				  RING, slots, RATE_HZ, CHANNELS, dtype_name,
				  NSAMPLES, SENSOR_ID, TAG);
	if (rc)
		r.stop = 1;
	pthread_join(th, NULL);
	if (rc)
		exit(T_FAIL);
	if (!r.attached) {
		T_FAILF("%s: could not attach to %s as its consumer", label,
			RING);
		exit(T_FAIL);
	}
	a = r.a;
	id = a.ring_id;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	T_EQ(t_ioctl(cfd, EDGEAI_IOC_RING_INFO, &info), 0);
	T_EQ(info.slot_count, slots);
	T_EQ(info.desc.dtype, dtype);
	T_CHECK(info.slot_size >= CHANNELS * dsize);
	T_EQ(info.ring_flags, 0);

	t_checks += 4;
	if (r.bad_seq || r.bad_hdr || r.bad_payload || r.bad_ts)
		T_FAILF("%s: %llu bad seqs, %llu bad headers, %llu bad values, %llu bad ts (first 5 of each shown)",
			label, (unsigned long long)r.bad_seq,
			(unsigned long long)r.bad_hdr,
			(unsigned long long)r.bad_payload,
			(unsigned long long)r.bad_ts);
	if (r.tail != NSAMPLES)
		T_FAILF("%s: read %llu samples in %.1f s, expected %u",
			label, (unsigned long long)r.tail, RUN_LIMIT_NS / 1e9,
			NSAMPLES);
	if (r.prev_ts <= r.first_ts)
		T_FAILF("%s: ts_ns did not advance (%llu .. %llu)", label,
			(unsigned long long)r.first_ts,
			(unsigned long long)r.prev_ts);
	printf("%s: %llu samples, ts span %.3f s (%.0f Hz), %llu equal consecutive ts\n",
	       label, (unsigned long long)r.tail, (r.prev_ts - r.first_ts) / 1e9,
	       r.prev_ts > r.first_ts ?
	       (r.tail - 1) * 1e9 / (double)(r.prev_ts - r.first_ts) : 0.0,
	       (unsigned long long)r.ts_equal);

	/* max_samples: exactly NSAMPLES, then nothing (RATE_HZ / 10 more
	 * would have come within 100 ms). */
	usleep(100000);
	T_EQ(t_load_acquire(t_head(&r.m)), NSAMPLES);
	T_EQ(t_synth_param("generated"), NSAMPLES);
	T_EQ(t_synth_param("dropped"), 0);
	T_EQ(t_synth_param("anomalies"), 0);

	T_EQ(t_stats(cfd, 0, &s), 0);
	printf("%s: produced %llu consumed %llu bytes %llu drops %llu in_ring %llu high_water %llu\n",
	       label, (unsigned long long)s.produced,
	       (unsigned long long)s.consumed, (unsigned long long)s.bytes,
	       (unsigned long long)t_drops(&s), (unsigned long long)s.in_ring,
	       (unsigned long long)s.high_water);
	T_EQ(s.produced, NSAMPLES);
	T_EQ(s.consumed, NSAMPLES);
	T_EQ(s.in_ring, 0);
	T_EQ(t_drops(&s), 0);
	T_EQ(s.bytes, (uint64_t)NSAMPLES * CHANNELS * dsize);
	T_EQ(s.bad_index, 0);
	T_CHECK(s.high_water >= 1 && s.high_water <= slots);
	T_EQ(s.produced, s.consumed + t_drops(&s) + s.in_ring);

	/* Unloading the driver leaves the ring (ours or its own) in place. */
	t_synth_unload();
	T_CHECK(!t_synth_loaded());
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.ring_id = id;
	T_EQ(t_ioctl(fd, EDGEAI_IOC_RING_INFO, &info), 0);
	T_EQ(info.state, EDGEAI_RING_STATE_LIVE);
	t_unmap_ring(&r.m);
	close(cfd);
	T_EQ(t_ring_destroy_name(fd, RING), 0);
	cfd = t_open();
	T_ERRNO(t_attach_name(cfd, RING, EDGEAI_ROLE_OBSERVER, 0, &a), ENOENT);
	close(cfd);
	close(fd);
}

int main(void)
{
	uint64_t feat;
	int fd = t_open();

	feat = t_features(fd);
	close(fd);
	if (!(feat & EDGEAI_FEAT_RINGS)) {
		T_FAILF("features 0x%llx lack EDGEAI_FEAT_RINGS: rings are not implemented",
			(unsigned long long)feat);
		return T_FAIL;
	}
	t_synth_unload_stale();
	cleanup();
	atexit(cleanup);

	run("f32, create=Y", "f32", EDGEAI_DTYPE_F32, 4, 0);
	run("i16, create=Y", "i16", EDGEAI_DTYPE_I16, 2, 0);
	run("f32, create=N on the test's ring", "f32", EDGEAI_DTYPE_F32, 4, 1);
	return t_done();
}
