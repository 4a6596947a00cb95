// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile consumer (docs/ring-abi.md, "Positions, ordering and trust"):
 * while edgeai_synth.ko writes 20 kHz into a 256-slot ring, a thread
 * scribbles random and adversarial values into the mapped CONS tail (0,
 * ~0, head + 1, head + 2 * slot_count, 1 << 63, random, values below the
 * tail floor, decreasing runs, the valid head and floor in between) and
 * random bytes over the rest of the CONS page, for about 3 s. Meanwhile
 * and afterwards:
 *  - nothing crashes (the harness checks the guest log for KASAN, WARN,
 *    BUG);
 *  - bad_index rises;
 *  - every stats snapshot is self-consistent: produced == consumed +
 *    sum(drops) + in_ring, in_ring <= slot_count, high_water <= slot_count;
 *  - ctrl.head - ctrl.tail_floor <= slot_count at every look;
 *  - read-only regions stay read-only (mprotect(PROT_WRITE) -> EACCES);
 *  - once a well-behaved consumer resumes from tail_floor, the ring drains
 *    normally: valid counter payloads, seq increasing, no further
 *    bad_index, and after the driver stops in_ring == 0 and
 *    consumed + drops == produced.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"

#define RING		"t_hostile"
#define SLOTS		256u
#define CHANNELS	6u
#define RATE_HZ		20000u
#define SCRIBBLE_NS	3000000000ull
#define SCRIBBLE_MAX	20000000ull	/* writes: a count bound as well */
#define RESUME_NS	1000000000ull

/* ---- edgeai_synth.ko ---------------------------------------------- */

static void cleanup(void)
{
	if (t_synth_loaded())
		t_system("rmmod edgeai_synth");
	t_destroy_rings(RING, NULL);
}

/* ---- the test ------------------------------------------------------ */

static struct t_map m;
static volatile int stop;
static uint64_t scribbles;

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *scribbler(void *arg)
{
	uint64_t *tailp = t_tail(&m), rng = 0x9e3779b97f4a7c15ull, prev = 0;
	uint64_t i, end = t_now_ns() + SCRIBBLE_NS;

	(void)arg;
	for (i = 0; i < SCRIBBLE_MAX && !stop; i++) {
		uint64_t head = t_load_acquire(t_head(&m));
		uint64_t floor = t_load_acquire(t_tail_floor(&m));
		uint64_t v;

		switch (i % 14) {
		case 0: v = 0; break;
		case 1: v = ~0ull; break;
		case 2: v = head + 1; break;
		case 3: v = head + 2 * (uint64_t)SLOTS; break;
		case 4: v = 1ull << 63; break;
		case 5: v = xorshift(&rng); break;
		case 6: v = floor - 1; break;		/* below the floor */
		case 7: v = prev - 1; break;		/* decreasing run */
		case 8: v = head + 1 + xorshift(&rng) % 4096; break;
		case 9: v = floor - 1 - xorshift(&rng) % 4096; break;
		case 10: v = head; break;		/* valid */
		case 11: v = floor + (head - floor) / 2; break; /* valid */
		case 12: v = head - SLOTS - 1; break;
		default: {
			/* random bytes over the whole page, tail included */
			uint64_t *w = m.cons;
			size_t k;

			for (k = 0; k < m.cons_len / 8; k++)
				__atomic_store_n(&w[k], xorshift(&rng),
						 __ATOMIC_RELAXED);
			v = xorshift(&rng);
		}
		}
		t_store_release(tailp, v);
		prev = v;
		if (!(i & 63)) {
			if (t_now_ns() > end)
				break;
			sched_yield();
		}
	}
	scribbles = i;
	return NULL;
}

/* head, floor, head again: floor <= head and head - floor <= SLOTS. */
static uint64_t check_ctrl(const char *where, uint64_t *floor_out)
{
	uint64_t h1 = t_load_acquire(t_head(&m));
	uint64_t f = t_load_acquire(t_tail_floor(&m));
	uint64_t h2 = t_load_acquire(t_head(&m));

	t_checks++;
	if (f > h2 || (h1 > f && h1 - f > SLOTS))
		T_FAILF("%s: ctrl.head %llu (then %llu), tail_floor %llu: head - floor must be in [0, %u]",
			where, (unsigned long long)h1, (unsigned long long)h2,
			(unsigned long long)f, SLOTS);
	*floor_out = f;
	return h1;
}

static int counter_ok(const struct edgeai_slot_hdr *h)
{
	const float *v = (const float *)(h + 1);
	uint32_t c;

	if (h->len != CHANNELS * 4)
		return 0;
	for (c = 0; c < CHANNELS; c++)
		if (v[c] != (float)(h->seq * CHANNELS + c))
			return 0;
	return 1;
}

int main(void)
{
	struct edgeai_ring_attach a;
	struct edgeai_ring_stats s, s0;
	pthread_t th;
	uint64_t feat, start, snaps = 0, head, floor, tail, end, bad0;
	uint64_t read_n = 0, bad_slots = 0, last_seq = 0, released0;
	int fd = t_open(), cfd;

	feat = t_features(fd);
	if (!(feat & EDGEAI_FEAT_RINGS)) {
		T_FAILF("features 0x%llx lack EDGEAI_FEAT_RINGS",
			(unsigned long long)feat);
		return T_FAIL;
	}
	t_synth_unload_stale();
	cleanup();
	atexit(cleanup);

	if (t_synth_load("ring=%s create=Y slots=%u rate_hz=%u channels=%u dtype=f32 waveform=counter max_samples=100000000 anomaly_ppm=0",
			 RING, SLOTS, RATE_HZ, CHANNELS))
		return T_FAIL;
	cfd = t_open();
	T_ASSERT(t_attach_name(cfd, RING, EDGEAI_ROLE_CONSUMER, 0, &a) == 0);
	T_ASSERT(t_map_ring(cfd, &a, SLOTS, &m) == 0);

	/* The regions the consumer must not write stay read-only. */
	T_EQ(mprotect(m.ctrl, m.ctrl_len, PROT_READ | PROT_WRITE), -1);
	T_EQ(errno, EACCES);
	T_EQ(mprotect(m.slots, m.slots_len, PROT_READ | PROT_WRITE), -1);
	T_EQ(errno, EACCES);

	T_ASSERT(t_stats(cfd, 0, &s0) == 0);
	t_check_invariant(&s0, SLOTS, "before");
	T_ASSERT(pthread_create(&th, NULL, scribbler, NULL) == 0);
	start = t_now_ns();
	while (t_now_ns() - start < SCRIBBLE_NS + 500000000ull) {
		T_ASSERT(t_stats(cfd, 0, &s) == 0);
		t_check_invariant(&s, SLOTS, "while scribbling");
		check_ctrl("while scribbling", &floor);
		snaps++;
		if (t_failures > 20)
			break;
		usleep(5000);
		if (t_now_ns() - start > SCRIBBLE_NS)
			break;
	}
	stop = 1;
	pthread_join(th, NULL);
	T_ASSERT(t_stats(cfd, 0, &s) == 0);
	t_check_invariant(&s, SLOTS, "after scribbling");
	printf("scribbled %llu values in %.2f s; %llu snapshots; produced %llu consumed %llu drops FULL %llu sum %llu in_ring %llu high_water %llu bad_index %llu\n",
	       (unsigned long long)scribbles, (t_now_ns() - start) / 1e9,
	       (unsigned long long)snaps, (unsigned long long)s.produced,
	       (unsigned long long)s.consumed,
	       (unsigned long long)s.drops[EDGEAI_DROP_FULL],
	       (unsigned long long)t_drops(&s), (unsigned long long)s.in_ring,
	       (unsigned long long)s.high_water,
	       (unsigned long long)s.bad_index);
	t_checks++;
	if (s.bad_index <= s0.bad_index)
		T_FAILF("bad_index did not rise: %llu before, %llu after %llu hostile writes",
			(unsigned long long)s0.bad_index,
			(unsigned long long)s.bad_index,
			(unsigned long long)scribbles);
	t_checks++;
	if (s.produced <= s0.produced)
		T_FAILF("the driver produced nothing while scribbling (%llu)",
			(unsigned long long)s.produced);

	/* A well-behaved consumer takes over from the kernel's tail. */
	printf("driver: generated %lld dropped %lld ticks %lld late_ticks %lld\n",
	       t_synth_param("generated"), t_synth_param("dropped"),
	       t_synth_param("ticks"), t_synth_param("late_ticks"));
	/* The kernel may have taken one last valid scribble between our
	 * look at the floor and our store: store again until stable. */
	head = check_ctrl("resume", &floor);
	for (tail = ~0ull, snaps = 0; tail != floor && snaps < 10; snaps++) {
		tail = floor;
		t_store_release(t_tail(&m), tail);
		usleep(2000);
		check_ctrl("resume", &floor);
	}
	T_ASSERT(t_stats(cfd, 0, &s0) == 0);
	bad0 = s0.bad_index;
	released0 = tail;
	end = t_now_ns() + RESUME_NS;
	while (t_now_ns() < end) {
		head = check_ctrl("resumed", &floor);
		t_checks++;
		if (floor > tail) {
			T_FAILF("tail_floor %llu passed the consumer's tail %llu in a drop-newest ring",
				(unsigned long long)floor,
				(unsigned long long)tail);
			break;
		}
		for (; tail < head; tail++) {
			const struct edgeai_slot_hdr *h = t_slot(&m, tail);

			if ((!counter_ok(h) || (read_n && h->seq <= last_seq)) &&
			    bad_slots++ < 5)
				T_FAILF("position %llu: seq %llu (previous %llu) len %u: not the counter sample of its seq",
					(unsigned long long)tail,
					(unsigned long long)h->seq,
					(unsigned long long)last_seq, h->len);
			last_seq = h->seq;
			read_n++;
		}
		t_store_release(t_tail(&m), tail);
		usleep(500);
	}
	t_synth_unload();		/* production stops; drain the rest */
	head = check_ctrl("driver gone", &floor);
	for (; tail < head; tail++) {
		const struct edgeai_slot_hdr *h = t_slot(&m, tail);

		if ((!counter_ok(h) || (read_n && h->seq <= last_seq)) &&
		    bad_slots++ < 5)
			T_FAILF("position %llu: seq %llu (previous %llu) len %u: not the counter sample of its seq",
				(unsigned long long)tail,
				(unsigned long long)h->seq,
				(unsigned long long)last_seq, h->len);
		last_seq = h->seq;
		read_n++;
	}
	t_store_release(t_tail(&m), tail);
	T_ASSERT(t_stats(cfd, 0, &s) == 0);
	t_check_invariant(&s, SLOTS, "drained");
	printf("resumed: read %llu slots (%llu bad); produced %llu consumed %llu drops %llu in_ring %llu bad_index %llu (at resume %llu)\n",
	       (unsigned long long)read_n, (unsigned long long)bad_slots,
	       (unsigned long long)s.produced, (unsigned long long)s.consumed,
	       (unsigned long long)t_drops(&s), (unsigned long long)s.in_ring,
	       (unsigned long long)s.bad_index, (unsigned long long)bad0);
	t_checks++;
	if (read_n < RATE_HZ / 10)
		T_FAILF("the resumed consumer read only %llu slots in %.1f s at %u Hz",
			(unsigned long long)read_n, RESUME_NS / 1e9, RATE_HZ);
	T_EQ(bad_slots, 0);
	T_EQ(s.bad_index, bad0);
	T_EQ(s.in_ring, 0);
	T_EQ(s.consumed, head);
	T_EQ(s.consumed - s0.consumed, tail - released0);
	T_EQ(s.consumed + t_drops(&s), s.produced);
	T_EQ(t_load_acquire(t_tail_floor(&m)), head);
	T_CHECK(s.high_water <= SLOTS);

	t_unmap_ring(&m);
	close(cfd);
	T_EQ(t_ring_destroy_name(fd, RING), 0);
	close(fd);
	return t_done();
}
