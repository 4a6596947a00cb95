// SPDX-License-Identifier: GPL-2.0
/*
 * The accounting invariant under overload, for both full-ring policies
 * (docs/ring-abi.md, "Sequence numbers and drops"): edgeai_synth.ko writes
 * 20000 counter samples at 50 kHz into a 64-slot ring while a deliberately
 * slow consumer reads a few slots at a time.
 *
 * The test creates each ring (64 slots) and attaches before loading the
 * driver with create=N, so the consumer sees the run from its start.
 *
 * (a) drop-newest: drops[FULL] > 0; once the driver is done and the ring
 *     drained, produced == consumed + sum(drops) == 20000 and the gaps the
 *     consumer saw in seq add up to exactly the drops.
 * (b) OVERWRITE: the consumer follows the documented protocol (skip to
 *     tail_floor when behind, re-check tail_floor after reading a slot,
 *     discard what was passed): drops[OVERWRITTEN] (+ BUSY) > 0, the
 *     invariant holds, the seq gaps equal the drops, and every slot that
 *     was not discarded holds the counter values of its own seq. A slot
 *     can pass its re-check and still be overwritten before the kernel
 *     picks up the released tail; the ring then counts it OVERWRITTEN. The
 *     consumer learns which from the consumed count after each burst (see
 *     part()), so the books are exact; such slots are printed as "read
 *     intact but overwritten before release".
 *
 * The invariant produced == consumed + sum(drops) + in_ring and the bounds
 * on in_ring / high_water are checked on every stats snapshot.
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

#define RING_A		"t_ovl_full"
#define RING_B		"t_ovl_overwrite"
#define SLOTS		64u
#define CHANNELS	6u
#define NSAMPLES	20000u
#define RATE_HZ		50000u
#define READ_BURST	4u		/* slots per wake-up: the slow part */
#define SLEEP_US	2000u
#define RUN_LIMIT_NS	7000000000ull	/* per part */

/* ---- edgeai_synth.ko ---------------------------------------------- */

static void cleanup(void)
{
	if (t_synth_loaded())
		t_system("rmmod edgeai_synth");
	t_destroy_rings(RING_A, RING_B, NULL);
}

/* ---- the test ------------------------------------------------------ */

/* Does the copied payload hold the counter values of @seq? */
static int counter_ok(const float *v, uint64_t seq)
{
	uint32_t c;

	for (c = 0; c < CHANNELS; c++)
		if (v[c] != (float)(seq * CHANNELS + c))
			return 0;
	return 1;
}

struct tally {
	uint64_t accepted;	/* slots read and kept */
	uint64_t late;		/* read intact, overwritten before release */
	uint64_t torn;		/* read, then found passed: discarded */
	uint64_t skipped;	/* positions jumped over to reach tail_floor */
	uint64_t gaps;		/* sum of seq gaps, leading and trailing too */
	uint64_t bad;		/* kept slots with wrong contents */
	uint64_t snapshots;	/* stats snapshots taken */
	int64_t last_seq;	/* -1: none yet */
};

/* A slot read in a burst: its position and a copy taken before the
 * tail_floor re-check. */
struct copy {
	uint64_t pos;
	uint64_t space[8];
};

static const struct edgeai_slot_hdr *hdr_of(const struct copy *c)
{
	return (const struct edgeai_slot_hdr *)c->space;
}

/* Contents: len and the counter values of the slot's own seq. */
static void check_contents(struct tally *t, const struct copy *c,
			   const char *where)
{
	const struct edgeai_slot_hdr *h = hdr_of(c);
	const float *v = (const float *)(h + 1);

	if ((h->len != CHANNELS * 4 || !counter_ok(v, h->seq)) &&
	    t->bad++ < 5)
		T_FAILF("%s: position %llu seq %llu: len %u, values %g %g .. %g; expected len %u, values %llu ..",
			where, (unsigned long long)c->pos,
			(unsigned long long)h->seq, h->len, v[0], v[1], v[5],
			CHANNELS * 4,
			(unsigned long long)(h->seq * CHANNELS));
}

/* A slot the ring counted as consumed: it joins the seq sequence. */
static void keep(struct tally *t, const struct copy *c, const char *where)
{
	int64_t seq = (int64_t)hdr_of(c)->seq;

	if (seq <= t->last_seq) {
		if (t->bad++ < 5)
			T_FAILF("%s: position %llu: seq %lld after %lld: must increase",
				where, (unsigned long long)c->pos,
				(long long)seq, (long long)t->last_seq);
		return;
	}
	t->gaps += (uint64_t)(seq - t->last_seq - 1);
	t->last_seq = seq;
	t->accepted++;
}

static void snapshot(int fd, struct edgeai_ring_stats *s, struct tally *t,
		     const char *where)
{
	T_ASSERT(t_stats(fd, 0, s) == 0);
	t_check_invariant(s, SLOTS, where);
	t->snapshots++;
}

/*
 * One part: load the driver, consume slowly until it has offered all
 * NSAMPLES, drain, and check the books.
 */
static void part(const char *label, const char *ring, int overwrite)
{
	struct edgeai_ring_attach a;
	struct edgeai_ring_stats s;
	struct tally t = { .last_seq = -1 };
	struct t_map m;
	uint64_t tail = 0, deadline, start, done_at = 0, drops, ow, consumed;
	static struct copy burst[SLOTS];
	int cfd = t_open(), fd = t_open();
	long long gen, sdropped;

	printf("-- %s\n", label);
	/* The test makes the ring and attaches first, so that the slow
	 * consumer is there from the driver's first sample on. */
	{
		struct edgeai_ring_create c = t_ring_args(ring, SLOTS,
							  EDGEAI_DTYPE_F32,
							  CHANNELS);

		c.flags = overwrite ? EDGEAI_RING_F_OVERWRITE : 0;
		T_ASSERT(t_ring_create(fd, &c) > 0);
	}
	T_ASSERT(t_attach_name(cfd, ring, EDGEAI_ROLE_CONSUMER, 0, &a) == 0);
	start = t_now_ns();
	if (t_synth_load("ring=%s create=N rate_hz=%u channels=%u dtype=f32 waveform=counter max_samples=%u anomaly_ppm=0",
			 ring, RATE_HZ, CHANNELS, NSAMPLES))
		exit(T_FAIL);
	T_ASSERT(t_map_ring(cfd, &a, SLOTS, &m) == 0);
	T_ASSERT(a.off.slot_stride >= sizeof(struct edgeai_slot_hdr) +
				      CHANNELS * 4);
	{
		struct edgeai_ring_info info;

		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		T_EQ(t_ioctl(cfd, EDGEAI_IOC_RING_INFO, &info), 0);
		T_EQ(info.ring_flags,
		     overwrite ? EDGEAI_RING_F_OVERWRITE : 0);
		T_EQ(info.slot_count, SLOTS);
	}

	/*
	 * Each round: skip to tail_floor if behind (OVERWRITE), read a burst
	 * (a few slots while the driver runs, everything after), re-check
	 * tail_floor after each slot and discard the ones it passed, release
	 * the burst with one store, then take a stats snapshot.
	 *
	 * In an OVERWRITE ring a slot can pass its re-check and still be
	 * overwritten before the kernel picks up the released tail: it was
	 * read intact, yet the ring counts it OVERWRITTEN. No consumer can
	 * see that from the mapping, so the spec's "gaps == drops" only holds
	 * once such slots are known. The snapshot tells them exactly: the
	 * ring's consumed count grew by D, so the last D slots of the burst
	 * were consumed and any before them overwritten late (counted in
	 * t.late, checked for contents, not kept). In a drop-newest ring D
	 * must be the whole burst.
	 */
	snapshot(cfd, &s, &t, label);
	consumed = s.consumed;
	deadline = start + RUN_LIMIT_NS;
	for (;;) {
		uint64_t head, floor, h2, d;
		unsigned int n = 0, nb = 0, k;

		/* head, floor, head again: both only grow, so the first
		 * head and the floor bound each other */
		head = t_load_acquire(t_head(&m));
		floor = t_load_acquire(t_tail_floor(&m));
		h2 = t_load_acquire(t_head(&m));
		t_checks++;
		if (floor > h2 || (head > floor && head - floor > SLOTS)) {
			T_FAILF("%s: ctrl.head %llu (then %llu), tail_floor %llu: head - floor must be in [0, %u]",
				label, (unsigned long long)head,
				(unsigned long long)h2,
				(unsigned long long)floor, SLOTS);
			break;
		}
		if (overwrite && tail < floor) {
			t.skipped += floor - tail;	/* counted as dropped */
			tail = floor;
		}
		t_checks++;
		if (!overwrite && tail < floor) {
			T_FAILF("%s: tail_floor %llu passed the consumer's tail %llu in a drop-newest ring",
				label, (unsigned long long)floor,
				(unsigned long long)tail);
			break;
		}
		/* Slow while the driver runs; drain at full speed after. */
		while (tail < head && (done_at || n < READ_BURST)) {
			struct copy *c = &burst[nb];

			c->pos = tail;
			memcpy(c->space, t_slot(&m, tail),
			       sizeof(struct edgeai_slot_hdr) + CHANNELS * 4);
			n++;
			if (overwrite) {
				/* the copy must be done before the re-check */
				__atomic_thread_fence(__ATOMIC_ACQUIRE);
				floor = t_load_acquire(t_tail_floor(&m));
				if (floor > tail) {	/* passed while read */
					t.torn++;
					t.skipped += floor - tail - 1;
					tail = floor;
					continue;
				}
			}
			nb++;
			tail++;
		}
		if (n)
			t_store_release(t_tail(&m), tail);

		snapshot(cfd, &s, &t, label);
		d = s.consumed - consumed;
		consumed = s.consumed;
		t_checks++;
		if (d > nb || (!overwrite && d != nb)) {
			T_FAILF("%s: released a burst of %u kept slots up to %llu, the ring's consumed grew by %llu",
				label, nb, (unsigned long long)tail,
				(unsigned long long)d);
			break;
		}
		for (k = 0; k < nb; k++) {
			check_contents(&t, &burst[k], label);
			if (k < nb - d)
				t.late++;
			else
				keep(&t, &burst[k], label);
		}

		if (!done_at && s.produced >= NSAMPLES)
			done_at = t_now_ns();
		/* done: all offered, every commit in (a reserve is followed
		 * by its commit promptly: 50 ms is ages), all read */
		if (done_at && t_now_ns() - done_at > 50000000ull &&
		    tail == head && t_load_acquire(t_head(&m)) == head &&
		    !s.in_ring)
			break;
		if (t_now_ns() > deadline) {
			T_FAILF("%s: not done after %.1f s: driver offered %llu of %u, consumer at %llu of head %llu",
				label, RUN_LIMIT_NS / 1e9,
				(unsigned long long)s.produced, NSAMPLES,
				(unsigned long long)tail,
				(unsigned long long)head);
			break;
		}
		usleep(done_at ? 1000 : SLEEP_US);
	}

	/* The books. The trailing gap: offered after the last kept slot. */
	snapshot(cfd, &s, &t, label);
	if (t.last_seq + 1 < (int64_t)s.produced)
		t.gaps += s.produced - (uint64_t)(t.last_seq + 1);
	drops = t_drops(&s);
	ow = s.drops[EDGEAI_DROP_OVERWRITTEN] + s.drops[EDGEAI_DROP_BUSY];
	gen = t_synth_param("generated");
	sdropped = t_synth_param("dropped");
	printf("%s: driver done in %.2f s (generated %lld, dropped %lld, late_ticks %lld of %lld ticks)\n",
	       label, done_at ? (done_at - start) / 1e9 : -1.0, gen, sdropped,
	       t_synth_param("late_ticks"), t_synth_param("ticks"));
	printf("%s: produced %llu consumed %llu drops FULL %llu OVERWRITTEN %llu BUSY %llu (sum %llu) in_ring %llu high_water %llu bad_index %llu\n",
	       label, (unsigned long long)s.produced,
	       (unsigned long long)s.consumed,
	       (unsigned long long)s.drops[EDGEAI_DROP_FULL],
	       (unsigned long long)s.drops[EDGEAI_DROP_OVERWRITTEN],
	       (unsigned long long)s.drops[EDGEAI_DROP_BUSY],
	       (unsigned long long)drops, (unsigned long long)s.in_ring,
	       (unsigned long long)s.high_water,
	       (unsigned long long)s.bad_index);
	printf("%s: consumer kept %llu, read intact but overwritten before release %llu, discarded %llu torn, skipped %llu; seq gaps %llu; %llu stats snapshots\n",
	       label, (unsigned long long)t.accepted,
	       (unsigned long long)t.late, (unsigned long long)t.torn,
	       (unsigned long long)t.skipped, (unsigned long long)t.gaps,
	       (unsigned long long)t.snapshots);

	T_EQ(gen, NSAMPLES);
	T_EQ(s.produced, NSAMPLES);
	T_EQ(s.in_ring, 0);
	T_EQ(s.consumed + drops, NSAMPLES);
	T_EQ(s.high_water, SLOTS);
	t_checks++;
	if (t.bad)
		T_FAILF("%s: %llu kept slots had wrong contents or order",
			label, (unsigned long long)t.bad);
	t_checks++;
	if (t.gaps != drops)
		T_FAILF("%s: the seq gaps the consumer saw add up to %llu, the ring counted %llu drops (consumer kept %llu, ring says consumed %llu)",
			label, (unsigned long long)t.gaps,
			(unsigned long long)drops,
			(unsigned long long)t.accepted,
			(unsigned long long)s.consumed);
	T_EQ(t.accepted, s.consumed);
	if (!overwrite) {
		t_checks++;
		if (!s.drops[EDGEAI_DROP_FULL])
			T_FAILF("%s: no drops[FULL] although the consumer was slow",
				label);
		T_EQ(drops, s.drops[EDGEAI_DROP_FULL]);
		T_EQ(sdropped, s.drops[EDGEAI_DROP_FULL]);
		T_EQ(s.bad_index, 0);
		T_EQ(t.torn + t.skipped + t.late, 0);
	} else {
		t_checks++;
		if (!ow)
			T_FAILF("%s: no drops[OVERWRITTEN] or [BUSY] although the consumer was slow",
				label);
		T_EQ(drops, ow);
		T_EQ(s.drops[EDGEAI_DROP_FULL], 0);
		/* every position the consumer walked is kept, overwritten
		 * late, torn or skipped; the ring counted all but the first
		 * as dropped */
		T_EQ(t.accepted + t.late + t.torn + t.skipped,
		     s.produced - s.drops[EDGEAI_DROP_BUSY]);
	}

	t_synth_unload();
	t_unmap_ring(&m);
	close(cfd);
	T_EQ(t_ring_destroy_name(fd, ring), 0);
	close(fd);
}

int main(void)
{
	uint64_t feat;
	int fd = t_open();

	feat = t_features(fd);
	close(fd);
	if ((feat & (EDGEAI_FEAT_RINGS | EDGEAI_FEAT_OVERWRITE)) !=
	    (EDGEAI_FEAT_RINGS | EDGEAI_FEAT_OVERWRITE)) {
		T_FAILF("features 0x%llx lack RINGS|OVERWRITE (0x%llx)",
			(unsigned long long)feat,
			(unsigned long long)(EDGEAI_FEAT_RINGS |
					     EDGEAI_FEAT_OVERWRITE));
		return T_FAIL;
	}
	t_synth_unload_stale();
	cleanup();
	atexit(cleanup);

	part("(a) drop-newest", RING_A, 0);
	part("(b) overwrite", RING_B, 1);
	return t_done();
}
