// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai_synth.ko read in place by a raw-ABI consumer.
 *
 * vmdebug-skip: part (b) needs the consumer to keep up with 10 kHz for 3 s with no drop; under KASAN + lockdep + TCG it falls 250 ms behind and drops (770 of 63818 measured)
 *
 * (a) exact: waveform=counter, i32 x 4 at 20 kHz, max_samples=20000 into a
 *     ring big enough for all: every payload is n * 4 + c, seq == n, ts_ns
 *     is exactly start + n / rate (ideal timestamps, strictly increasing,
 *     never in the future), sensor_id/tag as set, the run takes at least
 *     n / rate of wall time, the driver stops at exactly max_samples, and
 *     the books balance (produced == consumed == 20000, no drops).
 * (b) rate: 10 kHz, no limit, ~3 s with a consumer that keeps up: the
 *     driver's generated counter advances at 10 kHz within 3 % of wall
 *     time, seq gaps == drops == 0, produced == consumed after unload.
 * (c) anomalies on counter: anomaly_ppm=1000000 flags every slot, leaves
 *     the values exact (i16 wraps past 32767), the anomalies counter
 *     agrees.
 * (d) sine is sin() within 1e-4 of the amplitude; imu with noise and
 *     anomalies is reproducible from its seed, differs with another seed,
 *     and flags exactly the samples that carry an 8x amplitude spike.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"

#define RUN_LIMIT_NS	10000000000ull	/* per part, emulated VM included */
#define PI		3.14159265358979323846

static const char *const rings[] = { "t_sc_exact", "t_sc_rate",
				     "t_sc_anom", "t_sc_wave" };

/* ---- edgeai_synth.ko ---------------------------------------------- */

/* t_synth_load(), but a failure ends the test. */
__attribute__((format(printf, 1, 2)))
static void synth_load(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = t_synth_vload(fmt, ap);
	va_end(ap);
	if (rc)
		exit(T_FAIL);
}

/* rmmod edgeai_synth in a child, so that the caller can keep consuming. */
static pid_t synth_unload_start(void)
{
	pid_t pid = fork();

	T_ASSERT(pid >= 0);
	if (!pid) {
		execlp("rmmod", "rmmod", "edgeai_synth", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* t_synth_unload(), counted as a check. */
static void synth_unload(void)
{
	t_checks++;
	t_synth_unload();
}

static void cleanup(void)
{
	unsigned int i;
	int fd;

	if (t_synth_loaded())
		t_system("rmmod edgeai_synth");
	fd = open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < sizeof(rings) / sizeof(rings[0]); i++)
		t_ring_destroy_name(fd, rings[i]);
	close(fd);
}

/* ---- a consumer --------------------------------------------------- */

struct consumer {
	const char *ring;
	int fd;
	struct edgeai_ring_attach a;
	struct edgeai_ring_info info;
	struct t_map m;
	uint64_t tail;
};

static void consumer_open(struct consumer *c, const char *ring)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->ring = ring;
	c->fd = t_open();
	ret = t_attach_name(c->fd, ring, EDGEAI_ROLE_CONSUMER, 0, &c->a);
	if (ret)
		T_FAILF("attach to %s: %s", ring, strerror(-ret));
	T_ASSERT(ret == 0);
	c->info.size = sizeof(c->info);
	T_ASSERT(t_ioctl(c->fd, EDGEAI_IOC_RING_INFO, &c->info) == 0);
	T_ASSERT(t_map_ring(c->fd, &c->a, c->info.slot_count, &c->m) == 0);
}

/* Read every ready slot in place with @fn, then release them. */
static uint64_t consumer_poll(struct consumer *c,
			      void (*fn)(const struct edgeai_slot_hdr *h,
					 const void *payload, void *arg),
			      void *arg)
{
	uint64_t head = t_load_acquire(t_head(&c->m)), n = head - c->tail;

	T_ASSERT(head - c->tail <= c->info.slot_count);
	for (; c->tail < head; c->tail++) {
		const struct edgeai_slot_hdr *h = t_slot(&c->m, c->tail);

		fn(h, h + 1, arg);
	}
	t_store_release(t_tail(&c->m), c->tail);
	return n;
}

static void consumer_close(struct consumer *c)
{
	t_unmap_ring(&c->m);
	close(c->fd);
}

static void stats(int fd, struct edgeai_ring_stats *s, const char *label)
{
	T_ASSERT(t_stats(fd, 0, s) == 0);
	printf("%s: produced %llu consumed %llu drops %llu in_ring %llu high_water %llu bytes %llu\n",
	       label, (unsigned long long)s->produced,
	       (unsigned long long)s->consumed,
	       (unsigned long long)t_drops(s), (unsigned long long)s->in_ring,
	       (unsigned long long)s->high_water,
	       (unsigned long long)s->bytes);
}

/* Unload the driver, check the ring stays, destroy it. */
static void finish(struct consumer *c)
{
	struct edgeai_ring_attach a;
	int fd = t_open();

	synth_unload();
	T_CHECK(!t_synth_loaded());
	consumer_close(c);
	T_EQ(t_ring_destroy_name(fd, c->ring), 0);
	T_ERRNO(t_attach_name(fd, c->ring, EDGEAI_ROLE_OBSERVER, 0, &a),
		ENOENT);
	close(fd);
}

/* ---- counter checks ------------------------------------------------ */

struct counter_check {
	const char *label;
	uint32_t channels, dsize, rate, sensor_id, tag, flags;
	uint64_t next_seq;	/* the seq expected next */
	uint64_t gaps;		/* seqs skipped: dropped samples */
	uint64_t ts0;		/* ts_ns of seq 0 (from the first slot) */
	uint64_t prev_ts;
	uint64_t read;
	uint64_t bad_seq, bad_hdr, bad_val, bad_ts;
};

/* ts of seq n if seq 0 was at ts0: ts0 + n / rate, as the driver has it. */
static uint64_t ideal_ts(const struct counter_check *k, uint64_t n)
{
	return k->ts0 + n / k->rate * 1000000000ull +
	       n % k->rate * 1000000000ull / k->rate;
}

static void check_counter_slot(const struct edgeai_slot_hdr *h,
			       const void *payload, void *arg)
{
	struct counter_check *k = arg;
	uint64_t seq = h->seq, now = t_now_ns();
	uint32_t c;

	if (seq < k->next_seq) {
		if (k->bad_seq++ < 5)
			T_FAILF("%s: seq %llu after %llu: must increase",
				k->label, (unsigned long long)seq,
				(unsigned long long)k->next_seq - 1);
		return;
	}
	k->gaps += seq - k->next_seq;
	k->next_seq = seq + 1;
	k->read++;

	if ((h->len != k->channels * k->dsize ||
	     h->sensor_id != k->sensor_id || h->tag != k->tag ||
	     h->flags != k->flags) && k->bad_hdr++ < 5)
		T_FAILF("%s: seq %llu: len %u sensor_id %u tag %u flags 0x%x; expected %u %u %u 0x%x",
			k->label, (unsigned long long)seq, h->len,
			h->sensor_id, h->tag, h->flags,
			k->channels * k->dsize, k->sensor_id, k->tag, k->flags);
	for (c = 0; c < k->channels; c++) {
		uint64_t want = seq * k->channels + c;
		int64_t got;
		int ok;

		if (k->dsize == 2) {
			int16_t v;

			memcpy(&v, (const char *)payload + 2 * c, 2);
			got = v;
			ok = v == (int16_t)(uint16_t)want;
		} else {
			int32_t v;

			memcpy(&v, (const char *)payload + 4 * c, 4);
			got = v;
			ok = v == (int32_t)(uint32_t)want;
		}
		if (!ok && k->bad_val++ < 5)
			T_FAILF("%s: seq %llu channel %u: %lld, expected %llu",
				k->label, (unsigned long long)seq, c,
				(long long)got, (unsigned long long)want);
	}

	if (seq == 0 && !k->ts0)
		k->ts0 = h->ts_ns;
	if (k->ts0 && (h->ts_ns != ideal_ts(k, seq) || h->ts_ns <= k->prev_ts ||
		       h->ts_ns > now) && k->bad_ts++ < 5)
		T_FAILF("%s: seq %llu: ts_ns %llu, expected %llu (= seq 0 + seq / rate), previous %llu, now %llu",
			k->label, (unsigned long long)seq,
			(unsigned long long)h->ts_ns,
			(unsigned long long)ideal_ts(k, seq),
			(unsigned long long)k->prev_ts,
			(unsigned long long)now);
	k->prev_ts = h->ts_ns;
}

static void counter_verdict(const struct counter_check *k)
{
	t_checks++;
	if (k->bad_seq || k->bad_hdr || k->bad_val || k->bad_ts)
		T_FAILF("%s: %llu bad seqs, %llu bad headers, %llu bad values, %llu bad timestamps (first 5 of each shown)",
			k->label, (unsigned long long)k->bad_seq,
			(unsigned long long)k->bad_hdr,
			(unsigned long long)k->bad_val,
			(unsigned long long)k->bad_ts);
	t_checks++;
	if (!k->ts0)
		T_FAILF("%s: never saw seq 0", k->label);
}

/* ---- (a) exact ----------------------------------------------------- */

static void part_exact(void)
{
	const uint32_t n = 20000, rate = 20000;
	struct counter_check k = {
		.label = "(a) exact", .channels = 4, .dsize = 4, .rate = rate,
		.sensor_id = 42, .tag = 0xbeef,
	};
	struct edgeai_ring_stats s;
	struct consumer c;
	uint64_t start, deadline, done = 0;

	start = t_now_ns();
	synth_load("ring=%s waveform=counter dtype=i32 channels=4 rate_hz=%u max_samples=%u slots=32768 sensor_id=42 tag=%u",
		   rings[0], rate, n, 0xbeef);
	consumer_open(&c, rings[0]);
	T_EQ(c.info.slot_count, 32768);
	T_EQ(c.info.slot_size, 16);
	T_EQ(c.info.ring_flags, 0);
	T_EQ(c.info.desc.dtype, EDGEAI_DTYPE_I32);
	T_EQ(c.info.desc.rank, 1);
	T_EQ(c.info.desc.shape[0], 4);

	deadline = start + RUN_LIMIT_NS;
	while (c.tail < n && t_now_ns() < deadline) {
		if (!consumer_poll(&c, check_counter_slot, &k))
			usleep(1000);
	}
	done = t_now_ns();
	counter_verdict(&k);
	t_checks++;
	if (c.tail != n)
		T_FAILF("(a): read %llu samples in %.1f s, expected %u",
			(unsigned long long)c.tail, RUN_LIMIT_NS / 1e9, n);
	/* sample n - 1 is due (n - 1) / rate after sample 0, not before */
	t_checks++;
	if (done - start < (uint64_t)(n - 1) * 1000000000ull / rate)
		T_FAILF("(a): %u samples at %u Hz came in %.3f s: faster than the rate",
			n, rate, (done - start) / 1e9);
	printf("(a): %llu samples read in %.3f s (insmod included), ts span %.6f s\n",
	       (unsigned long long)c.tail, (done - start) / 1e9,
	       (k.prev_ts - k.ts0) / 1e9);

	/* max_samples: nothing more comes (rate / 10 would in 100 ms) */
	usleep(100000);
	T_EQ(t_load_acquire(t_head(&c.m)), n);
	T_EQ(t_synth_param("generated"), n);
	T_EQ(t_synth_param("dropped"), 0);
	T_EQ(t_synth_param("anomalies"), 0);
	printf("(a): driver: %lld ticks, %lld late\n", t_synth_param("ticks"),
	       t_synth_param("late_ticks"));
	stats(c.fd, &s, "(a)");
	T_EQ(s.produced, n);
	T_EQ(s.consumed, n);
	T_EQ(t_drops(&s), 0);
	T_EQ(s.in_ring, 0);
	T_EQ(s.bytes, (uint64_t)n * 16);
	T_EQ(k.gaps, 0);
	finish(&c);
}

/* ---- (b) rate ------------------------------------------------------- */

static void read_generated(uint64_t *t, long long *g)
{
	uint64_t t0 = t_now_ns();

	*g = t_synth_param("generated");
	*t = t0 + (t_now_ns() - t0) / 2;
}

static void part_rate(void)
{
	const uint32_t rate = 10000;
	const uint64_t run_ns = 3000000000ull;
	struct counter_check k = {
		.label = "(b) rate", .channels = 4, .dsize = 4, .rate = rate,
		.sensor_id = 1,
	};
	struct edgeai_ring_stats s;
	struct consumer c;
	uint64_t t1, t2, t, lag, max_lag = 0;
	long long g1, g2, ticks, late;
	double measured;
	int status = 0;
	pid_t pid;

	synth_load("ring=%s waveform=counter dtype=i32 channels=4 rate_hz=%u slots=8192",
		   rings[1], rate);
	consumer_open(&c, rings[1]);
	read_generated(&t1, &g1);
	do {
		uint64_t head;

		if (!consumer_poll(&c, check_counter_slot, &k))
			usleep(1000);
		/* how far behind real time the newest sample is */
		head = t_load_acquire(t_head(&c.m));
		t = t_now_ns();
		if (head && k.ts0) {
			lag = t - t_slot(&c.m, head - 1)->ts_ns;
			if (lag > max_lag && lag < 1000000000000ull)
				max_lag = lag;
		}
	} while (t - t1 < run_ns);
	read_generated(&t2, &g2);
	ticks = t_synth_param("ticks");
	late = t_synth_param("late_ticks");
	/* keep consuming while rmmod runs: it can take a while here */
	pid = synth_unload_start();
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (!consumer_poll(&c, check_counter_slot, &k))
			usleep(1000);
	}
	T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	consumer_poll(&c, check_counter_slot, &k);	/* drain */

	measured = (g2 - g1) * 1e9 / (double)(t2 - t1);
	printf("(b): generated %lld in %.3f s: %.1f Hz (%.2f %% off); %lld ticks, %lld late; newest sample at most %.1f ms behind\n",
	       g2 - g1, (t2 - t1) / 1e9, measured,
	       (measured - rate) * 100.0 / rate, ticks, late, max_lag / 1e6);
	t_checks++;
	if (measured < rate * 0.97 || measured > rate * 1.03)
		T_FAILF("(b): the driver offered %.1f samples/s, asked for %u (more than 3 %% off)",
			measured, rate);
	counter_verdict(&k);

	stats(c.fd, &s, "(b)");
	t_checks++;
	if (s.produced < (uint64_t)g2)
		T_FAILF("(b): ring produced %llu < driver's generated %lld",
			(unsigned long long)s.produced, g2);
	T_EQ(s.in_ring, 0);
	T_EQ(s.produced, s.consumed + t_drops(&s));
	T_EQ(k.read, s.consumed);
	/* every seq the consumer did not see was counted as dropped */
	T_EQ(k.gaps + (s.produced - k.next_seq), t_drops(&s));
	T_EQ(t_drops(&s), 0);		/* the consumer kept up */
	finish(&c);
}

/* ---- (c) anomaly flags on counter ---------------------------------- */

static void part_anomaly(void)
{
	const uint32_t n = 12000;	/* i16 wraps from sample 10923 on */
	struct counter_check k = {
		.label = "(c) anomalies", .channels = 3, .dsize = 2,
		.rate = 50000, .sensor_id = 1, .flags = EDGEAI_SLOT_F_ANOMALY,
	};
	struct edgeai_ring_stats s;
	struct consumer c;
	uint64_t deadline = t_now_ns() + RUN_LIMIT_NS;

	synth_load("ring=%s waveform=counter dtype=i16 channels=3 rate_hz=50000 max_samples=%u slots=16384 anomaly_ppm=1000000",
		   rings[2], n);
	consumer_open(&c, rings[2]);
	while (c.tail < n && t_now_ns() < deadline) {
		if (!consumer_poll(&c, check_counter_slot, &k))
			usleep(1000);
	}
	counter_verdict(&k);
	T_EQ(c.tail, n);
	T_EQ(t_synth_param("generated"), n);
	T_EQ(t_synth_param("anomalies"), n);
	T_EQ(t_synth_param("dropped"), 0);
	stats(c.fd, &s, "(c)");
	T_EQ(s.produced, n);
	T_EQ(t_drops(&s), 0);
	finish(&c);
}

/* ---- (d) waveforms -------------------------------------------------- */

/* sin(x) without libm: range reduction and a Taylor series. */
static double t_sin(double x)
{
	double term, sum;
	int i;

	x -= (double)(long long)(x / (2 * PI)) * 2 * PI;
	if (x > PI)
		x -= 2 * PI;
	if (x < -PI)
		x += 2 * PI;
	term = sum = x;
	for (i = 1; i < 20; i++) {
		term *= -x * x / ((2 * i) * (2 * i + 1));
		sum += term;
	}
	return sum;
}

#define WAVE_MAX	400
#define WAVE_CH		6

struct capture {
	uint32_t n;
	float v[WAVE_MAX][WAVE_CH];
	uint32_t flags[WAVE_MAX];
};

static void capture_slot(const struct edgeai_slot_hdr *h, const void *payload,
			 void *arg)
{
	struct capture *cap = arg;

	if (cap->n < WAVE_MAX && h->seq == cap->n &&
	    h->len == sizeof(cap->v[0])) {
		memcpy(cap->v[cap->n], payload, sizeof(cap->v[0]));
		cap->flags[cap->n] = h->flags;
	}
	cap->n++;
}

static void capture(struct capture *cap, uint32_t n, const char *fmt, ...)
{
	uint64_t deadline = t_now_ns() + RUN_LIMIT_NS;
	struct consumer c;
	char args[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	memset(cap, 0, sizeof(*cap));
	synth_load("ring=%s dtype=f32 channels=%u rate_hz=10000 max_samples=%u %s",
		   rings[3], WAVE_CH, n, args);
	consumer_open(&c, rings[3]);
	while (c.tail < n && t_now_ns() < deadline) {
		if (!consumer_poll(&c, capture_slot, cap))
			usleep(1000);
	}
	if (cap->n != n)
		T_FAILF("(d) %s: read %u samples, expected %u", args, cap->n,
			n);
	finish(&c);
}

static void part_waves(void)
{
	static struct capture a, b, other;
	const double amp = 1000, f = 230, rate = 10000;
	double err, max_err = 0, lo = 0, hi = 0;
	uint32_t i, ch, flagged = 0, spiked = 0, bad = 0;

	/* sine: channel c is sin(2 pi (n f / rate + c / channels)); 230 Hz
	 * puts samples between the table's whole degrees */
	capture(&a, WAVE_MAX, "waveform=sine amplitude=1000 noise=0 freq_mhz=%u",
		(unsigned int)(f * 1000));
	for (i = 0; i < a.n && i < WAVE_MAX; i++) {
		for (ch = 0; ch < WAVE_CH; ch++) {
			double want = amp * t_sin(2 * PI * (i * f / rate +
							    (double)ch / WAVE_CH));

			err = a.v[i][ch] - want;
			err = err < 0 ? -err : err;
			if (err > max_err)
				max_err = err;
			lo = a.v[i][ch] < lo ? a.v[i][ch] : lo;
			hi = a.v[i][ch] > hi ? a.v[i][ch] : hi;
		}
	}
	printf("(d) sine: max error %.4f of amplitude %.0f, range %.3f .. %.3f\n",
	       max_err, amp, lo, hi);
	t_checks++;
	if (max_err > amp * 1e-4 || hi < amp * 0.99 || lo > -amp * 0.99)
		T_FAILF("(d) sine: max error %.4f (allowed %.4f), range %.3f .. %.3f",
			max_err, amp * 1e-4, lo, hi);

	/* imu + noise + anomalies: reproducible from the seed */
	capture(&a, 300, "waveform=imu noise=50 anomaly_ppm=20000 seed=7");
	for (i = 0; i < 300; i++) {
		int spike = a.v[i][0] > 5 * amp || a.v[i][0] < -5 * amp;

		flagged += !!(a.flags[i] & EDGEAI_SLOT_F_ANOMALY);
		spiked += spike;
		if (spike != !!(a.flags[i] & EDGEAI_SLOT_F_ANOMALY) &&
		    bad++ < 5)
			T_FAILF("(d) imu: sample %u: accel x %.1f, flags 0x%x: a spike must be flagged and only a spike",
				i, a.v[i][0], a.flags[i]);
		/* accel z: gravity (one amplitude) +- vibration and noise */
		if (!spike && (a.v[i][2] < amp * 0.85 || a.v[i][2] > amp * 1.15) &&
		    bad++ < 5)
			T_FAILF("(d) imu: sample %u: accel z %.1f, expected ~%.0f",
				i, a.v[i][2], amp);
	}
	printf("(d) imu: %u of 300 samples flagged, %u spiked\n", flagged,
	       spiked);
	capture(&b, 300, "waveform=imu noise=50 anomaly_ppm=20000 seed=7");
	capture(&other, 300, "waveform=imu noise=50 anomaly_ppm=20000 seed=8");
	t_checks++;
	if (memcmp(a.v, b.v, sizeof(a.v)) || memcmp(a.flags, b.flags,
						     sizeof(a.flags)))
		T_FAILF("(d) imu: two runs with seed=7 differ");
	t_checks++;
	if (!memcmp(a.v, other.v, sizeof(a.v)))
		T_FAILF("(d) imu: seed=7 and seed=8 gave the same data");
	t_checks++;
	if (!flagged || flagged > 30)
		T_FAILF("(d) imu: %u of 300 samples flagged at 20000 ppm (expected ~6)",
			flagged);
}

int main(void)
{
	t_synth_unload_stale();
	cleanup();
	atexit(cleanup);

	part_exact();
	part_rate();
	part_anomaly();
	part_waves();
	return t_done();
}
