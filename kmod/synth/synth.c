// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai_synth: a synthetic sensor that feeds an edgeai tensor ring.
 *
 * This is the example producer driver: copy it to write a real one. It uses
 * only the in-kernel producer API of kmod/edgeai_producer.h, the same way a
 * driver for an IMU, a microphone or an ADC would:
 *
 *  1. At probe (process context), find the ring by name with
 *     edgeai_ring_get(), or create it with edgeai_ring_create(), and check
 *     that its tensor descriptor is what the device produces. Rings belong
 *     to edgeai's registry, not to the driver: they outlive it, and the
 *     admin destroys them (EDGEAI_IOC_RING_DESTROY, edgeaictl).
 *  2. Whenever samples are ready (here an hrtimer, in a real driver the
 *     data-ready interrupt, a DMA-complete callback or a threaded IRQ
 *     handler), for each sample: edgeai_slot_reserve(), write the payload
 *     straight into slot.data (which is in the consumer's mapping: no copy
 *     anywhere after this), set ts_ns, sensor_id, tag and flags, then
 *     edgeai_slot_commit(). Both are safe in hardirq context and never
 *     sleep. A failed reserve has already been counted by the ring as a
 *     drop, with its reason, and took a sequence number, so the consumer
 *     sees the gap: the driver only counts it for its own statistics.
 *  3. At remove (process context): stop the source of samples first (here
 *     hrtimer_cancel(), in a driver free_irq() or stopping DMA), then drop
 *     the ring with edgeai_ring_put().
 *
 * Timestamps: a real sensor stamps a sample when it is taken (FIFO
 * watermark interrupt time minus the FIFO depth, or a hardware timestamp),
 * not when the driver gets to it. The synth does the same with ideal
 * times: sample n of a run is stamped start + n / rate_hz, and every timer
 * tick produces all samples whose time has passed, so a late tick (slow
 * or emulated machine) catches up instead of losing rate.
 *
 * There is no floating point in the kernel: waveforms are computed in
 * fixed point (sine from the fixp-arith table with linear interpolation)
 * and converted to IEEE-754 binary32 bits with integer code.
 *
 * All state is in one static struct synth, because the module is one
 * sensor; a driver for several devices keeps the same fields per device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/fixp-arith.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>

#include "edgeai_producer.h"

#define SYNTH_MAX_CHANNELS	64
#define SYNTH_MAX_RATE_HZ	1000000
/* Auto batch: the timer fires at most this often. */
#define SYNTH_TICK_HZ		1000
/* Most batches one timer tick produces when it is late. */
#define SYNTH_CATCHUP_BATCHES	8
/* Anomalies are a spike of this many times the amplitude. */
#define SYNTH_SPIKE_SHIFT	3
/* Waveform values are s64 fixed point with this many fraction bits. */
#define SYNTH_FRAC_BITS		16

/* ---- module parameters: configuration (read-only once loaded) ------- */

static char *ring_name = "synth0";
module_param_named(ring, ring_name, charp, 0444);
MODULE_PARM_DESC(ring, "Ring to feed (default synth0)");

static bool create = true;
module_param(create, bool, 0444);
MODULE_PARM_DESC(create, "Create the ring if it does not exist (default Y)");

static unsigned int slots = 4096;
module_param(slots, uint, 0444);
MODULE_PARM_DESC(slots, "Slots of a created ring, a power of two (default 4096)");

static bool overwrite;
module_param(overwrite, bool, 0444);
MODULE_PARM_DESC(overwrite, "Create the ring with EDGEAI_RING_F_OVERWRITE (default N)");

static unsigned int rate_hz = 1000;
module_param(rate_hz, uint, 0444);
MODULE_PARM_DESC(rate_hz, "Samples per second, 1..1000000 (default 1000)");

static unsigned int channels = 6;
module_param(channels, uint, 0444);
MODULE_PARM_DESC(channels, "Values per sample, 1..64 (default 6)");

static char *dtype_name = "f32";
module_param_named(dtype, dtype_name, charp, 0444);
MODULE_PARM_DESC(dtype, "Element type: f32 (default), i16, i32");

static char *waveform_name = "imu";
module_param_named(waveform, waveform_name, charp, 0444);
MODULE_PARM_DESC(waveform, "imu (default), sine, square, saw, noise, counter");

static unsigned int amplitude = 1000;
module_param(amplitude, uint, 0444);
MODULE_PARM_DESC(amplitude, "Peak value, in dtype units (default 1000)");

static unsigned int freq_mhz = 1000;
module_param(freq_mhz, uint, 0444);
MODULE_PARM_DESC(freq_mhz, "Signal frequency in mHz (default 1000 = 1 Hz)");

static unsigned int noise = 20;
module_param(noise, uint, 0444);
MODULE_PARM_DESC(noise, "Uniform noise in permille of amplitude, 0..1000 (default 20)");

static unsigned int anomaly_ppm;
module_param(anomaly_ppm, uint, 0444);
MODULE_PARM_DESC(anomaly_ppm, "Anomaly probability per sample in ppm, 0..1000000 (default 0)");

static unsigned int seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "Pseudo-random seed: same seed, same data (default 1)");

static unsigned int sensor_id = 1;
module_param(sensor_id, uint, 0444);
MODULE_PARM_DESC(sensor_id, "sensor_id of every slot (default 1)");

static unsigned int tag;
module_param(tag, uint, 0444);
MODULE_PARM_DESC(tag, "tag of every slot (default 0)");

static unsigned long max_samples;
module_param(max_samples, ulong, 0444);
MODULE_PARM_DESC(max_samples, "Stop after offering this many samples (default 0: never)");

static unsigned int batch;
module_param(batch, uint, 0444);
MODULE_PARM_DESC(batch, "Samples per timer tick, 1..rate_hz (default 0: auto, ticks <= 1 kHz)");

/* ---- the device ------------------------------------------------------ */

enum synth_wave {
	SYNTH_IMU,
	SYNTH_SINE,
	SYNTH_SQUARE,
	SYNTH_SAW,
	SYNTH_NOISE,
	SYNTH_COUNTER,
};

static const char * const synth_wave_names[] = {
	[SYNTH_IMU]	= "imu",
	[SYNTH_SINE]	= "sine",
	[SYNTH_SQUARE]	= "square",
	[SYNTH_SAW]	= "saw",
	[SYNTH_NOISE]	= "noise",
	[SYNTH_COUNTER]	= "counter",
};

static const struct synth_dtype {
	const char *name;
	u32 dtype;
	u32 size;
} synth_dtypes[] = {
	{ "f32", EDGEAI_DTYPE_F32, 4 },
	{ "i16", EDGEAI_DTYPE_I16, 2 },
	{ "i32", EDGEAI_DTYPE_I32, 4 },
};

/*
 * The imu waveform: a board slowly tilting back and forth at the signal
 * frequency. Accelerometer x/y see a fraction of gravity, z sees gravity
 * (one amplitude) plus vibration; the gyroscope sees the tilt rate.
 * Gains and offsets are in permille of the amplitude, phases in quarter
 * turns; channels past the sixth repeat the pattern, each group of six an
 * eighth of a turn later.
 */
static const struct synth_imu_axis {
	u16 gain_pm;
	u16 offset_pm;
	u8 harmonic;
	u8 quarter;
} synth_imu_axes[] = {
	{ .gain_pm = 200, .harmonic = 1, .quarter = 0 },	/* accel x */
	{ .gain_pm = 200, .harmonic = 1, .quarter = 1 },	/* accel y */
	{ .gain_pm = 50, .offset_pm = 1000, .harmonic = 7 },	/* accel z */
	{ .gain_pm = 500, .harmonic = 1, .quarter = 1 },	/* gyro x */
	{ .gain_pm = 500, .harmonic = 1, .quarter = 2 },	/* gyro y */
	{ .gain_pm = 100, .harmonic = 3, .quarter = 0 },	/* gyro z */
};

/**
 * struct synth_chan - how one channel's value is made
 * @base: constant offset, fixed point (SYNTH_FRAC_BITS)
 * @amp: amplitude of the periodic part, fixed point
 * @harmonic: multiple of the signal frequency
 * @phase_off: phase offset, in 1/2^32 turns
 */
struct synth_chan {
	s64 base;
	u64 amp;
	u32 harmonic;
	u32 phase_off;
};

/**
 * struct synth - the synthetic sensor
 * @ring: the ring it feeds, referenced from load to unload
 * @timer: fires every @period_ns (ideally) and produces a batch
 * @rnd: pseudo-random state for noise and anomalies, seeded from @seed
 * @wave: the waveform
 * @dtype: EDGEAI_DTYPE_* of the payload elements
 * @len: payload bytes per sample
 * @batch: samples per timer tick
 * @period_ns: timer period (@batch samples)
 * @start_ns: CLOCK_MONOTONIC time of sample 0
 * @next: samples offered so far, the number of the next sample
 * @phase: signal phase of sample @next, in 1/2^64 turns
 * @phase_inc: phase advance per sample, in 1/2^64 turns
 * @noise_amp: noise amplitude, fixed point
 * @spike: anomaly spike height, fixed point
 * @chan: per-channel generator settings
 * @generated: samples offered to the ring (reserve attempts)
 * @dropped: reserve failures (the ring counts them by reason too)
 * @anomalies: samples committed with EDGEAI_SLOT_F_ANOMALY
 * @ticks: timer callbacks
 * @late_ticks: callbacks that had to produce more than one batch
 *
 * The timer callback is the only writer of everything after @start_ns once
 * the timer runs; the counters are atomic so that sysfs may read them at
 * any time.
 */
struct synth {
	struct edgeai_ring *ring;
	struct hrtimer timer;
	struct rnd_state rnd;
	enum synth_wave wave;
	u32 dtype;
	u32 len;
	u32 batch;
	u64 period_ns;
	u64 start_ns;
	u64 next;
	u64 phase;
	u64 phase_inc;
	u64 noise_amp;
	u64 spike;
	struct synth_chan chan[SYNTH_MAX_CHANNELS];
	atomic64_t generated;
	atomic64_t dropped;
	atomic64_t anomalies;
	atomic64_t ticks;
	atomic64_t late_ticks;
};

static struct synth synth;

/* ---- module parameters: statistics (read-only) ----------------------- */

static int synth_counter_set(const char *val, const struct kernel_param *kp)
{
	pr_err("%s is a read-only counter\n", kp->name);
	return -EINVAL;
}

static int synth_counter_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%llu\n", (u64)atomic64_read(kp->arg));
}

static const struct kernel_param_ops synth_counter_ops = {
	.set = synth_counter_set,
	.get = synth_counter_get,
};

module_param_cb(generated, &synth_counter_ops, &synth.generated, 0444);
MODULE_PARM_DESC(generated, "Samples offered to the ring (read-only)");
module_param_cb(dropped, &synth_counter_ops, &synth.dropped, 0444);
MODULE_PARM_DESC(dropped, "Samples the ring refused (read-only)");
module_param_cb(anomalies, &synth_counter_ops, &synth.anomalies, 0444);
MODULE_PARM_DESC(anomalies, "Samples committed with an injected anomaly (read-only)");
module_param_cb(ticks, &synth_counter_ops, &synth.ticks, 0444);
MODULE_PARM_DESC(ticks, "Timer callbacks (read-only)");
module_param_cb(late_ticks, &synth_counter_ops, &synth.late_ticks, 0444);
MODULE_PARM_DESC(late_ticks, "Timer callbacks that caught up more than a batch (read-only)");

/* ---- fixed point ----------------------------------------------------- */

/* sin(2 pi phase / 2^32) in Q31: the fixp-arith degree table, interpolated. */
static s32 synth_sin(u32 phase)
{
	u64 deg = (u64)phase * 360;	/* degrees, 32 fraction bits */
	int d = deg >> 32;
	s32 a = fixp_sin32(d);
	s32 b = fixp_sin32(d + 1);

	return a + (s32)(((s64)(b - a) * (u32)deg) >> 32);
}

/* @amp (fixed point, < 2^53) times @unit (Q31, -1..1): fixed point. */
static s64 synth_scale(u64 amp, s32 unit)
{
	u32 mag = unit < 0 ? 0U - (u32)unit : (u32)unit;
	s64 v = mul_u64_u32_shr(amp, mag, 31);

	return unit < 0 ? -v : v;
}

/*
 * IEEE-754 binary32 bits of mag * 2^exp2, negated if @neg, rounded to
 * nearest even, with integer code only. For the callers' ranges (mag <
 * 2^64, exp2 >= -SYNTH_FRAC_BITS) the result is always a normal number.
 */
static u32 synth_f32_bits(u64 mag, bool neg, int exp2)
{
	u32 sign = neg ? 1U << 31 : 0;
	int msb;

	if (!mag)
		return 0;
	msb = fls64(mag) - 1;
	if (msb > 23) {
		unsigned int shift = msb - 23;
		u64 rem = mag & GENMASK_ULL(shift - 1, 0);
		u64 half = 1ULL << (shift - 1);

		mag >>= shift;
		if (rem > half || (rem == half && (mag & 1)))
			mag++;
		if (mag >> 24) {	/* rounded up to the next power of 2 */
			mag >>= 1;
			msb++;
		}
	} else {
		mag <<= 23 - msb;
	}
	return sign | (u32)(msb + exp2 + 127) << 23 | ((u32)mag & GENMASK(22, 0));
}

/* A fixed-point value as the payload's dtype: f32, or ints rounded and
 * saturated like an ADC's output.
 */
static void synth_store(const struct synth *s, void *dst, u32 c, s64 v)
{
	s64 r = (v + (1 << (SYNTH_FRAC_BITS - 1))) >> SYNTH_FRAC_BITS;

	switch (s->dtype) {
	case EDGEAI_DTYPE_F32:
		((u32 *)dst)[c] = synth_f32_bits(v < 0 ? -(u64)v : v, v < 0,
						 -SYNTH_FRAC_BITS);
		break;
	case EDGEAI_DTYPE_I16:
		((s16 *)dst)[c] = clamp_t(s64, r, S16_MIN, S16_MAX);
		break;
	default:
		((s32 *)dst)[c] = clamp_t(s64, r, S32_MIN, S32_MAX);
		break;
	}
}

/* An exact integer as the payload's dtype: ints wrap (two's complement). */
static void synth_store_count(const struct synth *s, void *dst, u32 c, u64 v)
{
	switch (s->dtype) {
	case EDGEAI_DTYPE_F32:
		((u32 *)dst)[c] = synth_f32_bits(v, false, 0);
		break;
	case EDGEAI_DTYPE_I16:
		((u16 *)dst)[c] = (u16)v;
		break;
	default:
		((u32 *)dst)[c] = (u32)v;
		break;
	}
}

/* ---- the generator ---------------------------------------------------- */

/* Channel @c of the current sample, fixed point, before noise and spikes. */
static s64 synth_wave_value(struct synth *s, u32 c)
{
	const struct synth_chan *ch = &s->chan[c];
	u32 phase = (u32)(s->phase >> 32) * ch->harmonic + ch->phase_off;
	s32 unit;

	switch (s->wave) {
	case SYNTH_SQUARE:
		unit = phase < (1U << 31) ? S32_MAX : -S32_MAX;
		break;
	case SYNTH_SAW:
		/* offset binary to two's complement: -1 at 0, ~1 at a turn */
		unit = (s32)(phase ^ (1U << 31));
		break;
	case SYNTH_NOISE:
		unit = (s32)prandom_u32_state(&s->rnd);
		break;
	default:		/* SYNTH_IMU, SYNTH_SINE */
		unit = synth_sin(phase);
		break;
	}
	return ch->base + synth_scale(ch->amp, unit);
}

/**
 * synth_sample() - generate sample number @n
 * @s: the synth
 * @n: the sample's number in this run
 * @dst: the payload to fill, or NULL if the ring dropped the sample
 *
 * The pseudo-random state advances the same way whether or not the sample
 * is stored, so that a seed always gives the same data for sample @n.
 *
 * Return: true if an anomaly was injected.
 */
static bool synth_sample(struct synth *s, u64 n, void *dst)
{
	bool anomaly = false;
	s64 spike = 0;
	u32 c;

	if (anomaly_ppm &&
	    mul_u32_u32(prandom_u32_state(&s->rnd), 1000000) >> 32 < anomaly_ppm) {
		anomaly = true;
		spike = prandom_u32_state(&s->rnd) & 1 ? s->spike : -s->spike;
	}

	for (c = 0; c < channels; c++) {
		s64 v;

		if (s->wave == SYNTH_COUNTER) {
			/* exact for tests: anomalies are flagged only */
			if (dst)
				synth_store_count(s, dst, c, n * channels + c);
			continue;
		}
		v = synth_wave_value(s, c) + spike;
		if (s->noise_amp)
			v += synth_scale(s->noise_amp,
					 (s32)prandom_u32_state(&s->rnd));
		if (dst)
			synth_store(s, dst, c, v);
	}
	s->phase += s->phase_inc;
	return anomaly;
}

/* CLOCK_MONOTONIC time of sample @n: start + n / rate, exactly. */
static u64 synth_sample_ns(const struct synth *s, u64 n)
{
	u32 rem;
	u64 sec = div_u64_rem(n, rate_hz, &rem);

	return s->start_ns + sec * NSEC_PER_SEC +
	       div_u64((u64)rem * NSEC_PER_SEC, rate_hz);
}

/* How many samples are due at @now: those whose time is not after it. */
static u64 synth_due(const struct synth *s, u64 now)
{
	u32 rem;
	u64 sec;

	if (now < s->start_ns)
		return 0;
	sec = div_u64_rem(now - s->start_ns, NSEC_PER_SEC, &rem);
	return sec * rate_hz + div_u64((u64)rem * rate_hz, NSEC_PER_SEC) + 1;
}

/**
 * synth_produce() - offer the next @count samples to the ring
 * @s: the synth
 * @count: samples to offer
 *
 * Reserve, fill in place, commit: the whole producer API. Runs in the
 * timer's hardirq context: no sleeping, no allocation, no copies.
 *
 * Return: 0, or -EINVAL if the ring is fed from userspace (the synth then
 * stops).
 */
static int synth_produce(struct synth *s, u64 count)
{
	u64 i, dropped = 0, anomalies = 0;
	int ret = 0;

	for (i = 0; i < count; i++) {
		struct edgeai_slot slot;
		bool anomaly;

		ret = edgeai_slot_reserve(s->ring, s->len, &slot);
		if (unlikely(ret == -EINVAL)) {
			pr_err("ring %s is fed from userspace (EDGEAI_RING_F_USER_PRODUCER): stopping\n",
			       ring_name);
			break;
		}
		/*
		 * On -ENOSPC, -EMSGSIZE or -ENODEV the ring has counted the
		 * drop with its reason; the sample is generated anyway, so
		 * that what follows does not depend on what was dropped.
		 */
		anomaly = synth_sample(s, s->next, ret ? NULL : slot.data);
		if (ret) {
			dropped++;
		} else {
			slot.ts_ns = synth_sample_ns(s, s->next);
			slot.sensor_id = sensor_id;
			slot.tag = tag;
			slot.flags = anomaly ? EDGEAI_SLOT_F_ANOMALY : 0;
			edgeai_slot_commit(s->ring, &slot);
			anomalies += anomaly;
		}
		s->next++;
	}
	atomic64_add(i, &s->generated);
	atomic64_add(dropped, &s->dropped);
	atomic64_add(anomalies, &s->anomalies);
	return ret == -EINVAL ? ret : 0;
}

/* Number of the last sample of the batch that starts at sample @n. */
static u64 synth_batch_last(const struct synth *s, u64 n)
{
	u64 end = n + s->batch;

	if (max_samples && end > max_samples)
		end = max_samples;
	return end - 1;
}

/**
 * synth_tick() - the timer callback: produce every sample that is due
 * @timer: &synth.timer
 *
 * Produces all samples whose ideal time has passed (at most
 * SYNTH_CATCHUP_BATCHES batches, to bound the time spent in hardirq
 * context), then sets the timer for when the next batch is complete.
 *
 * Context: hardirq (softirq on PREEMPT_RT); never sleeps.
 * Return: HRTIMER_RESTART, or HRTIMER_NORESTART once max_samples samples
 * were offered or the ring cannot be fed.
 */
static enum hrtimer_restart synth_tick(struct hrtimer *timer)
{
	struct synth *s = container_of(timer, struct synth, timer);
	u64 now = ktime_get_ns();
	u64 due = synth_due(s, now);
	u64 todo, expires;

	atomic64_inc(&s->ticks);
	if (max_samples && due > max_samples)
		due = max_samples;
	todo = due - s->next;
	if (todo > s->batch)
		atomic64_inc(&s->late_ticks);
	todo = min_t(u64, todo, (u64)s->batch * SYNTH_CATCHUP_BATCHES);
	if (synth_produce(s, todo))
		return HRTIMER_NORESTART;
	if (max_samples && s->next >= max_samples)
		return HRTIMER_NORESTART;

	expires = synth_sample_ns(s, synth_batch_last(s, s->next));
	if (expires <= now)	/* still behind: catch up next period */
		expires = now + s->period_ns;
	hrtimer_set_expires(timer, ns_to_ktime(expires));
	return HRTIMER_RESTART;
}

/* ---- load and unload ------------------------------------------------- */

static int synth_check_range(const char *name, unsigned long val,
			     unsigned long min, unsigned long max)
{
	if (val >= min && val <= max)
		return 0;
	pr_err("%s=%lu is out of range %lu..%lu\n", name, val, min, max);
	return -EINVAL;
}

/* Validate every parameter before anything is created. */
static int synth_parse_params(struct synth *s, const struct synth_dtype **dt)
{
	int i;

	if (synth_check_range("rate_hz", rate_hz, 1, SYNTH_MAX_RATE_HZ) ||
	    synth_check_range("channels", channels, 1, SYNTH_MAX_CHANNELS) ||
	    synth_check_range("noise", noise, 0, 1000) ||
	    synth_check_range("anomaly_ppm", anomaly_ppm, 0, 1000000) ||
	    (batch && synth_check_range("batch", batch, 1, rate_hz)))
		return -EINVAL;
	if (slots < 2 || slots > EDGEAI_MAX_SLOTS || !is_power_of_2(slots)) {
		pr_err("slots=%u must be a power of two in 2..%u\n", slots,
		       EDGEAI_MAX_SLOTS);
		return -EINVAL;
	}

	for (i = 0; i < ARRAY_SIZE(synth_dtypes); i++) {
		if (dtype_name && !strcmp(dtype_name, synth_dtypes[i].name))
			break;
	}
	if (i == ARRAY_SIZE(synth_dtypes)) {
		pr_err("dtype=%s is unknown (f32, i16, i32)\n", dtype_name);
		return -EINVAL;
	}
	*dt = &synth_dtypes[i];

	i = waveform_name ? match_string(synth_wave_names,
					 ARRAY_SIZE(synth_wave_names),
					 waveform_name) : -EINVAL;
	if (i < 0) {
		pr_err("waveform=%s is unknown (imu, sine, square, saw, noise, counter)\n",
		       waveform_name);
		return -EINVAL;
	}
	s->wave = i;
	return 0;
}

/* Precompute the generator: channel table, phase step, noise, batching. */
static void synth_setup(struct synth *s, const struct synth_dtype *dt)
{
	u64 amp = (u64)amplitude << SYNTH_FRAC_BITS;
	u32 turn_mhz = rate_hz * 1000;	/* one turn per sample, in mHz */
	u32 f = freq_mhz % turn_mhz, rem;
	u64 hi;
	u32 c;

	s->dtype = dt->dtype;
	s->len = channels * dt->size;
	s->batch = batch ?: DIV_ROUND_UP(rate_hz, SYNTH_TICK_HZ);
	s->period_ns = div_u64((u64)s->batch * NSEC_PER_SEC, rate_hz);

	/* phase_inc = f / turn_mhz turns, as a 0.64 fixed-point fraction */
	hi = div_u64_rem((u64)f << 32, turn_mhz, &rem);
	s->phase_inc = hi << 32 | div_u64((u64)rem << 32, turn_mhz);
	s->noise_amp = div_u64(amp * noise, 1000);
	s->spike = amp << SYNTH_SPIKE_SHIFT;
	prandom_seed_state(&s->rnd, seed);

	for (c = 0; c < channels; c++) {
		struct synth_chan *ch = &s->chan[c];

		if (s->wave == SYNTH_IMU) {
			const struct synth_imu_axis *ax =
				&synth_imu_axes[c % ARRAY_SIZE(synth_imu_axes)];
			u32 group = c / ARRAY_SIZE(synth_imu_axes);

			ch->base = div_u64(amp * ax->offset_pm, 1000);
			ch->amp = div_u64(amp * ax->gain_pm, 1000);
			ch->harmonic = ax->harmonic;
			ch->phase_off = ax->quarter * (1U << 30) +
					group * (1U << 29);
		} else {
			/* channels evenly spread over one turn */
			ch->base = 0;
			ch->amp = amp;
			ch->harmonic = 1;
			ch->phase_off = div_u64((u64)c << 32, channels);
		}
	}
}

static const char *synth_dtype_str(u32 dtype)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(synth_dtypes); i++) {
		if (synth_dtypes[i].dtype == dtype)
			return synth_dtypes[i].name;
	}
	return "another dtype";
}

/* Does an existing ring hold what we produce? */
static int synth_check_ring(struct synth *s, const struct synth_dtype *dt)
{
	const struct edgeai_tensor_desc *d = edgeai_ring_desc(s->ring);
	u32 slot_size = edgeai_ring_slot_size(s->ring);

	if (d->dtype != dt->dtype || d->rank != 1 || d->shape[0] != channels) {
		pr_err("ring %s holds %s (dtype %u) rank %u shape[0] %u; this synth makes %s x %u, rank 1\n",
		       ring_name, synth_dtype_str(d->dtype), d->dtype, d->rank,
		       d->shape[0], dt->name, channels);
		return -EINVAL;
	}
	if (slot_size < s->len) {
		pr_err("ring %s has %u-byte slots, a sample needs %u\n",
		       ring_name, slot_size, s->len);
		return -EINVAL;
	}
	/* A userspace-fed ring takes no driver samples. */
	if (edgeai_ring_flags(s->ring) & EDGEAI_RING_F_USER_PRODUCER) {
		pr_err("ring %s is fed from userspace (user-producer)\n",
		       ring_name);
		return -EINVAL;
	}
	return 0;
}

static struct edgeai_ring *synth_create_ring(const struct synth_dtype *dt)
{
	struct edgeai_ring_create args = {
		.size = sizeof(args),
		.flags = overwrite ? EDGEAI_RING_F_OVERWRITE : 0,
		.slot_count = slots,
		.slot_size = channels * dt->size,
		.desc = {
			.dtype = dt->dtype,
			.rank = 1,
			.shape = { channels },
		},
	};

	strscpy(args.name, ring_name, sizeof(args.name));
	return edgeai_ring_create(&args);
}

/* Find the ring, or create it; the name was not validated yet. */
static int synth_get_ring(struct synth *s, const struct synth_dtype *dt)
{
	struct edgeai_ring *ring = edgeai_ring_get(ring_name);

	if (ring == ERR_PTR(-ENOENT) && create) {
		ring = synth_create_ring(dt);
		if (ring == ERR_PTR(-EEXIST))	/* created meanwhile */
			ring = edgeai_ring_get(ring_name);
	}
	if (ring == ERR_PTR(-ENOENT) && !create) {
		pr_err("no ring named %s, and create=N\n", ring_name);
		return -ENODEV;
	}
	if (ring == ERR_PTR(-EINVAL)) {
		pr_err("ring=%s is not a valid ring name (1..%u of A-Z a-z 0-9 _ . -)\n",
		       ring_name ?: "", EDGEAI_NAME_LEN - 1);
		return -EINVAL;
	}
	if (IS_ERR(ring)) {
		pr_err("cannot create ring %s (%u slots of %u bytes): %pe\n",
		       ring_name, slots, channels * dt->size, ring);
		return PTR_ERR(ring);
	}
	s->ring = ring;
	return 0;
}

static int __init synth_init(void)
{
	const struct synth_dtype *dt;
	struct synth *s = &synth;
	u64 first;
	int ret;

	ret = synth_parse_params(s, &dt);
	if (ret)
		return ret;
	synth_setup(s, dt);

	ret = synth_get_ring(s, dt);
	if (ret)
		return ret;
	ret = synth_check_ring(s, dt);
	if (ret) {
		edgeai_ring_put(s->ring);
		return ret;
	}

	pr_info("ring %s (id %u): %s x %u, %s at %u Hz, %u per tick%s\n",
		ring_name, edgeai_ring_id(s->ring), dt->name, channels,
		synth_wave_names[s->wave], rate_hz, s->batch,
		max_samples ? ", limited" : "");

	/*
	 * On PREEMPT_RT this callback runs in softirq context; that is fine
	 * too, the producer API works in any context.
	 */
	hrtimer_init(&s->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	s->timer.function = synth_tick;
	s->start_ns = ktime_get_ns();
	first = synth_sample_ns(s, synth_batch_last(s, 0));
	hrtimer_start(&s->timer, ns_to_ktime(first), HRTIMER_MODE_ABS);
	return 0;
}

static void __exit synth_exit(void)
{
	struct synth *s = &synth;

	/* Stop the producer first: after this no callback runs or is due. */
	hrtimer_cancel(&s->timer);
	pr_info("ring %s: generated %llu, dropped %llu, anomalies %llu, ticks %llu (%llu late)\n",
		ring_name, (u64)atomic64_read(&s->generated),
		(u64)atomic64_read(&s->dropped),
		(u64)atomic64_read(&s->anomalies),
		(u64)atomic64_read(&s->ticks),
		(u64)atomic64_read(&s->late_ticks));
	/* The ring stays registered: only our reference goes. */
	edgeai_ring_put(s->ring);
}

module_init(synth_init);
module_exit(synth_exit);

MODULE_DESCRIPTION("edgeai synthetic sensor: the example producer driver");
MODULE_AUTHOR("The edgeai authors");
MODULE_LICENSE("GPL");
