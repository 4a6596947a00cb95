// SPDX-License-Identifier: GPL-2.0
/*
 * USER_PRODUCER rings (docs/ring-abi.md, "Userspace producers"): a producer
 * fd fills slots in its read-write SLOTS mapping and publishes them in
 * batches with EDGEAI_IOC_RING_PUBLISH; the consumer fd reads exactly what
 * was written, with kernel-stamped sequence numbers (contiguous, whatever
 * the producer left in seq), ts_ns stamped only when the producer left 0,
 * and the producer's own drops as exact seq gaps counted in
 * drops[EDGEAI_DROP_PRODUCER]. Out-of-range heads and oversized lens get
 * EINVAL, bump bad_index and publish nothing; publishing without the
 * producer role gets EPERM. The stats invariant
 *	produced == consumed + sum(drops) + in_ring
 * is checked after every step, and the exact counters after every publish.
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

#define RING	"t_uprod"
#define RING_K	"t_uprod_kfed"
#define NSLOTS	16u
#define SSIZE	64u
#define MAXREC	512u

static void cleanup(void)
{
	t_destroy_rings(RING, RING_K, NULL);
}

/* What sample number @i looks like; seq is whatever junk, on purpose. */
static uint32_t s_len(uint64_t i)
{
	return 1 + (uint32_t)((i * 13) % SSIZE);
}

static uint8_t s_byte(uint64_t i, uint32_t b)
{
	return (uint8_t)(i * 31 + b * 7 + 0x5a);
}

static uint64_t s_ts(uint64_t i)
{
	return (i & 1) ? 1000000ull * (i + 1) + 17 : 0;	/* 0: kernel stamps */
}

static void write_sample(const struct t_map *pm, uint64_t pos, uint64_t i,
			 uint32_t len)
{
	struct edgeai_slot_hdr *h = t_slot(pm, pos);
	uint8_t *p = (uint8_t *)(h + 1);
	uint32_t b;

	h->seq = 0xdeadbeef00000000ull | i;
	h->ts_ns = s_ts(i);
	h->sensor_id = 1000 + (uint32_t)i;
	h->tag = 0xa5000000u | (uint32_t)i;
	h->len = len;
	h->flags = (uint32_t)((i & 0x7f) + 1) << 24;	/* EDGEAI_SLOT_F_USER */
	for (b = 0; b < SSIZE; b++)
		p[b] = b < len ? s_byte(i, b) : 0xee;
}

/* What the consumer must find at a position, recorded at publish. */
struct rec {
	uint64_t i;		/* sample number (payload generator) */
	uint64_t seq;		/* expected kernel-stamped seq */
	uint32_t len;
	uint64_t t0, t1;	/* CLOCK_MONOTONIC around the publish */
};

static struct {
	int cfd, pfd, ofd;
	uint32_t id;
	struct t_map cm, pm;
	struct rec rec[MAXREC];
	uint64_t phead;		/* producer: published head */
	uint64_t ctail;		/* consumer: released tail */
	uint64_t next_i;	/* next sample number */
	uint64_t next_seq;	/* next seq the kernel must stamp */
	/* what the stats must say */
	uint64_t produced, bytes, pdrops, bad, high;
	uint32_t maxlen;
} g;

static int publish(int fd, uint64_t head, uint32_t dropped,
		   struct edgeai_ring_publish *p)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	p->head = head;
	p->dropped = dropped;
	return t_ioctl(fd, EDGEAI_IOC_RING_PUBLISH, p);
}

static void get_stats(struct edgeai_ring_stats *s)
{
	T_ASSERT(t_stats(g.ofd, g.id, s) == 0);
}

/* Stats must match what this test did, exactly; ctrl must too. */
static void check_all(const char *where)
{
	struct edgeai_ring_stats s;
	uint64_t head = t_load_acquire(t_head(&g.cm));
	uint64_t floor = t_load_acquire(t_tail_floor(&g.cm));
	int k;

	get_stats(&s);
	t_check_invariant(&s, NSLOTS, where);
	t_checks++;
	if (head != g.phead)
		T_FAILF("%s: ctrl.head %llu, expected %llu", where,
			(unsigned long long)head, (unsigned long long)g.phead);
	t_checks++;
	if (floor > g.ctail || head - floor > NSLOTS)
		T_FAILF("%s: ctrl.tail_floor %llu: expected <= released tail %llu and head %llu - floor <= %u",
			where, (unsigned long long)floor,
			(unsigned long long)g.ctail, (unsigned long long)head,
			NSLOTS);
	t_checks++;
	if (s.produced != g.produced || s.bytes != g.bytes ||
	    s.drops[EDGEAI_DROP_PRODUCER] != g.pdrops ||
	    s.bad_index != g.bad)
		T_FAILF("%s: produced %llu bytes %llu drops[PRODUCER] %llu bad_index %llu; expected %llu %llu %llu %llu",
			where, (unsigned long long)s.produced,
			(unsigned long long)s.bytes,
			(unsigned long long)s.drops[EDGEAI_DROP_PRODUCER],
			(unsigned long long)s.bad_index,
			(unsigned long long)g.produced,
			(unsigned long long)g.bytes,
			(unsigned long long)g.pdrops,
			(unsigned long long)g.bad);
	for (k = 0; k < EDGEAI_DROP_MAX; k++) {
		if (k == EDGEAI_DROP_PRODUCER)
			continue;
		t_checks++;
		if (s.drops[k])
			T_FAILF("%s: drops[%d] = %llu, expected 0", where, k,
				(unsigned long long)s.drops[k]);
	}
	/* consumed may lag the released tail until the kernel reads it, but
	 * never pass it; together with the invariant that bounds in_ring. */
	t_checks++;
	if (s.consumed > g.ctail || s.consumed < floor)
		T_FAILF("%s: consumed %llu outside [tail_floor %llu, released %llu]",
			where, (unsigned long long)s.consumed,
			(unsigned long long)floor,
			(unsigned long long)g.ctail);
	t_checks++;
	if (s.high_water < g.high)
		T_FAILF("%s: high_water %llu, but %llu slots were occupied",
			where, (unsigned long long)s.high_water,
			(unsigned long long)g.high);
}

/* Fill [phead, phead + n) with the next samples; returns the new head. */
static uint64_t fill(uint32_t n)
{
	uint64_t pos = g.phead;
	uint32_t k;

	for (k = 0; k < n; k++, pos++) {
		uint64_t i = g.next_i + k;

		write_sample(&g.pm, pos, i, s_len(i));
	}
	return pos;
}

/* Publish the filled slots [phead, new_head) with @dropped; expect OK. */
static void publish_ok(uint64_t new_head, uint32_t dropped, const char *where)
{
	struct edgeai_ring_publish p;
	uint64_t t0, t1, pos;
	int ret;

	t0 = t_now_ns();
	ret = publish(g.pfd, new_head, dropped, &p);
	t1 = t_now_ns();
	t_checks++;
	if (ret) {
		T_FAILF("%s: publish head %llu (ctrl.head %llu, released tail %llu, dropped %u): %s",
			where, (unsigned long long)new_head,
			(unsigned long long)g.phead,
			(unsigned long long)g.ctail, dropped, strerror(-ret));
		check_all(where);
		exit(T_FAIL);
	}
	t_checks++;
	if (p.tail_floor != g.ctail)
		T_FAILF("%s: publish returned tail_floor %llu, the consumer released %llu",
			where, (unsigned long long)p.tail_floor,
			(unsigned long long)g.ctail);
	g.next_seq += dropped;
	g.produced += dropped;
	g.pdrops += dropped;
	for (pos = g.phead; pos < new_head; pos++) {
		struct rec *r = &g.rec[pos % MAXREC];

		r->i = g.next_i++;
		r->seq = g.next_seq++;
		r->len = s_len(r->i);
		if (r->len > g.maxlen)
			g.maxlen = r->len;
		r->t0 = t0;
		r->t1 = t1;
		g.produced++;
		g.bytes += r->len;
	}
	g.phead = new_head;
	if (g.phead - g.ctail > g.high)
		g.high = g.phead - g.ctail;
	check_all(where);
}

/* Read and verify [ctail, upto) in place, then release. */
static void consume(uint64_t upto, const char *where)
{
	uint64_t head = t_load_acquire(t_head(&g.cm));
	uint64_t pos;

	T_ASSERT(upto <= head);
	for (pos = g.ctail; pos < upto; pos++) {
		const struct edgeai_slot_hdr *h = t_slot(&g.cm, pos);
		const uint8_t *p = (const uint8_t *)(h + 1);
		const struct rec *r = &g.rec[pos % MAXREC];
		uint32_t b, bad = 0;

		t_checks++;
		if (h->seq != r->seq)
			T_FAILF("%s: pos %llu: seq %llu, expected %llu",
				where, (unsigned long long)pos,
				(unsigned long long)h->seq,
				(unsigned long long)r->seq);
		t_checks++;
		if (h->len != r->len || h->sensor_id != 1000 + (uint32_t)r->i ||
		    h->tag != (0xa5000000u | (uint32_t)r->i) ||
		    h->flags != (uint32_t)((r->i & 0x7f) + 1) << 24)
			T_FAILF("%s: pos %llu: len %u sensor_id %u tag 0x%x flags 0x%x; expected %u %u 0x%x 0x%x",
				where, (unsigned long long)pos, h->len,
				h->sensor_id, h->tag, h->flags, r->len,
				1000 + (uint32_t)r->i,
				0xa5000000u | (uint32_t)r->i,
				(uint32_t)((r->i & 0x7f) + 1) << 24);
		t_checks++;
		if (s_ts(r->i) && h->ts_ns != s_ts(r->i))
			T_FAILF("%s: pos %llu: producer's ts_ns %llu replaced by %llu",
				where, (unsigned long long)pos,
				(unsigned long long)s_ts(r->i),
				(unsigned long long)h->ts_ns);
		else if (!s_ts(r->i) && (h->ts_ns < r->t0 || h->ts_ns > r->t1))
			T_FAILF("%s: pos %llu: ts_ns 0 should be stamped within the publish [%llu, %llu], got %llu",
				where, (unsigned long long)pos,
				(unsigned long long)r->t0,
				(unsigned long long)r->t1,
				(unsigned long long)h->ts_ns);
		for (b = 0; b < r->len && b < SSIZE; b++)
			bad += p[b] != s_byte(r->i, b);
		t_checks++;
		if (bad)
			T_FAILF("%s: pos %llu: %u of %u payload bytes differ",
				where, (unsigned long long)pos, bad, r->len);
	}
	g.ctail = upto;
	t_store_release(t_tail(&g.cm), upto);
}

/* A publish that must fail with @err and change nothing. bad_index must
 * rise by one where the spec says so (range, len), else it may or not. */
#define BAD_YES	1
#define BAD_ANY	2
static void publish_bad(int fd, struct edgeai_ring_publish *p, int err,
			int bad, const char *what)
{
	struct edgeai_ring_stats s;
	int ret = t_ioctl(fd, EDGEAI_IOC_RING_PUBLISH, p);

	t_checks++;
	if (ret != -err)
		T_FAILF("%s: expected -%s, got %d (%s)", what,
			strerrorname_np(err), ret,
			ret ? strerrorname_np(-ret) : "success");
	if (bad == BAD_YES && ret) {
		g.bad++;
	} else {	/* may or may not count; wrong results reported once */
		get_stats(&s);
		if (s.bad_index == g.bad + 1)
			g.bad++;
	}
	check_all(what);
	get_stats(&s);
	g.bad = s.bad_index;	/* a wrong count is reported once, above */
	if (!ret && (s.produced != g.produced ||
		     t_load_acquire(t_head(&g.cm)) != g.phead)) {
		T_FAILF("%s: it published: the rest cannot be checked", what);
		exit(T_FAIL);
	}
}

int main(void)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	struct edgeai_ring_publish p;
	struct edgeai_ring_info info;
	struct edgeai_ring_stats s;
	uint64_t feat, h;
	int fd, ret, xfd;
	void *m;
	static const uint32_t batch[] = { 1, 3, 5, 7, 2, 16, 6, 4, 9, 11 };
	static const uint32_t drop[] = { 0, 0, 2, 0, 0, 0, 5, 1, 0, 3 };
	unsigned int k;

	fd = t_open();
	feat = t_features(fd);
	if ((feat & (EDGEAI_FEAT_RINGS | EDGEAI_FEAT_USER_PRODUCER)) !=
	    (EDGEAI_FEAT_RINGS | EDGEAI_FEAT_USER_PRODUCER)) {
		T_FAILF("features 0x%llx lack RINGS|USER_PRODUCER (0x%llx): the module does not implement userspace producers",
			(unsigned long long)feat,
			(unsigned long long)(EDGEAI_FEAT_RINGS |
					     EDGEAI_FEAT_USER_PRODUCER));
		return T_FAIL;
	}
	cleanup();
	atexit(cleanup);

	/* The producer role needs a USER_PRODUCER ring. */
	c = t_ring_args(RING_K, NSLOTS, EDGEAI_DTYPE_U8, SSIZE);
	T_ASSERT(t_ring_create(fd, &c) > 0);
	xfd = t_open();
	T_ERRNO(t_attach_name(xfd, RING_K, EDGEAI_ROLE_PRODUCER, 0, &a),
		EINVAL);
	close(xfd);
	T_EQ(t_ring_destroy_name(fd, RING_K), 0);

	c = t_ring_args(RING, NSLOTS, EDGEAI_DTYPE_U8, SSIZE);
	c.flags = EDGEAI_RING_F_USER_PRODUCER;
	ret = t_ring_create(fd, &c);
	T_ASSERT(ret > 0);
	g.id = (uint32_t)ret;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.ring_id = g.id;
	T_EQ(t_ioctl(fd, EDGEAI_IOC_RING_INFO, &info), 0);
	T_EQ(info.ring_flags, EDGEAI_RING_F_USER_PRODUCER);
	T_EQ(info.slot_count, NSLOTS);
	T_EQ(info.slot_size, SSIZE);

	g.pfd = t_open();
	g.cfd = t_open();
	g.ofd = t_open();
	T_ASSERT(t_attach_name(g.pfd, RING, EDGEAI_ROLE_PRODUCER, 0, &a) == 0);
	T_ASSERT(t_map_ring(g.pfd, &a, NSLOTS, &g.pm) == 0);
	xfd = t_open();		/* one producer per ring */
	T_ERRNO(t_attach_name(xfd, RING, EDGEAI_ROLE_PRODUCER, 0, &a), EBUSY);
	close(xfd);
	T_ASSERT(t_attach_name(g.cfd, RING, EDGEAI_ROLE_CONSUMER, 0, &a) == 0);
	T_ASSERT(t_map_ring(g.cfd, &a, NSLOTS, &g.cm) == 0);
	T_ASSERT(t_attach_id(g.ofd, g.id, EDGEAI_ROLE_OBSERVER, 0, &a) == 0);

	/* Only the producer maps SLOTS writable; the producer cannot write
	 * the consumer's tail. */
	m = mmap(NULL, g.cm.slots_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 g.cfd, EDGEAI_OFF_SLOTS);
	T_CHECK(m == MAP_FAILED && errno == EPERM);
	if (m != MAP_FAILED)
		munmap(m, g.cm.slots_len);
	m = mmap(NULL, g.pm.cons_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 g.pfd, EDGEAI_OFF_CONS);
	T_CHECK(m == MAP_FAILED && errno == EPERM);
	if (m != MAP_FAILED)
		munmap(m, g.pm.cons_len);

	get_stats(&s);
	T_EQ(s.produced, 0);
	T_EQ(t_load_acquire(t_head(&g.cm)), 0);
	check_all("fresh ring");

	/* Batches of several sizes, some with producer drops; the consumer
	 * sometimes lags so that in_ring > 0 across publishes. */
	for (k = 0; k < sizeof(batch) / sizeof(batch[0]); k++) {
		char where[64];
		uint32_t n = batch[k];

		snprintf(where, sizeof(where), "batch %u (%u slots, dropped %u)",
			 k, n, drop[k]);
		if (g.phead + n - g.ctail > NSLOTS)
			consume(g.phead, where);
		T_ASSERT(g.phead + n - g.ctail <= NSLOTS);
		publish_ok(fill(n), drop[k], where);
		if (k % 3 != 1)
			consume(g.phead - (k % 2), where);
		check_all(where);
	}
	consume(g.phead, "after batches");

	/* Beyond tail_floor + slot_count: EINVAL, bad_index, nothing
	 * published; exactly tail_floor + slot_count is fine. */
	h = g.phead;
	fill(NSLOTS);
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.head = h + NSLOTS + 1;
	publish_bad(g.pfd, &p, EINVAL, BAD_YES,
		    "head = tail_floor + slot_count + 1");
	p.head = h + 2 * NSLOTS;
	publish_bad(g.pfd, &p, EINVAL, BAD_YES,
		    "head = tail_floor + 2 * slot_count");
	p.head = ~0ull;
	publish_bad(g.pfd, &p, EINVAL, BAD_YES, "head = ~0");
	p.head = h;
	publish_bad(g.pfd, &p, EINVAL, BAD_YES, "head = ctrl.head (nothing new)");
	p.head = h - 1;
	publish_bad(g.pfd, &p, EINVAL, BAD_YES, "head = ctrl.head - 1");
	p.head = h + 1;
	p.dropped = 3;		/* a rejected publish must not count these */
	p.flags = 1;
	publish_bad(g.pfd, &p, EINVAL, BAD_ANY, "publish flags = 1");
	p.flags = 0;
	p.__pad = 1;
	publish_bad(g.pfd, &p, EINVAL, BAD_ANY, "publish __pad = 1");
	p.__pad = 0;
	p.reserved[1] = 1;
	publish_bad(g.pfd, &p, EINVAL, BAD_ANY, "publish reserved[1] = 1");
	p.reserved[1] = 0;
	p.size = 8;
	publish_bad(g.pfd, &p, EINVAL, BAD_ANY, "publish size = 8");
	p.size = sizeof(p);

	/* Only the producer fd publishes (EPERM: "publish without the role"). */
	publish_bad(g.cfd, &p, EPERM, BAD_ANY, "publish from the consumer fd");
	publish_bad(g.ofd, &p, EPERM, BAD_ANY, "publish from an observer fd");
	xfd = t_open();
	ret = t_ioctl(xfd, EDGEAI_IOC_RING_PUBLISH, &p);
	t_checks++;
	if (ret != -ENXIO && ret != -EPERM)
		T_FAILF("publish from an unattached fd: expected -ENXIO (or -EPERM), got %d",
			ret);
	printf("publish from an unattached fd: %s\n",
	       ret ? strerrorname_np(-ret) : "success (wrong)");
	close(xfd);
	check_all("publish without the producer role");

	/* Fill the ring exactly, with the producer's drops. */
	publish_ok(h + NSLOTS, 2, "head = tail_floor + slot_count");
	get_stats(&s);
	T_EQ(s.in_ring, NSLOTS);
	T_EQ(s.high_water, NSLOTS);
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.head = g.phead + 1;	/* full now: one more is out of range */
	publish_bad(g.pfd, &p, EINVAL, BAD_YES, "publish into a full ring");
	consume(g.phead, "full ring");

	/* One slot's len above slot_size: EINVAL, bad_index, nothing
	 * published, its drops not counted, no seq taken. */
	h = fill(4);
	for (k = 0; k < 4; k++) {
		static const uint32_t bad_len[] = { SSIZE + 1, 4096, 1u << 20,
						    0xffffffffu };
		char what[64];

		t_slot(&g.pm, g.phead + 2)->len = bad_len[k];
		memset(&p, 0, sizeof(p));
		p.size = sizeof(p);
		p.head = h;
		p.dropped = 9;
		snprintf(what, sizeof(what), "len %u > slot_size %u in one slot",
			 bad_len[k], SSIZE);
		publish_bad(g.pfd, &p, EINVAL, BAD_YES, what);
	}
	t_slot(&g.pm, g.phead + 2)->len = s_len(g.next_i + 2);
	publish_ok(h, 0, "after the rejected lens");
	consume(g.phead, "after the rejected lens");

	/* A long run wrapping the ring many times, batches of 5 with one
	 * producer drop each: the gaps are exactly the drops. */
	for (k = 0; k < 30; k++) {
		publish_ok(fill(5), 1, "wrap run");
		consume(g.phead, "wrap run");
	}
	t_checks++;
	if (g.maxlen != SSIZE)
		T_FAILF("test bug: no sample had len == slot_size (max %u)",
			g.maxlen);

	/* Drained (the consumer released everything): exact totals. */
	get_stats(&s);
	t_check_invariant(&s, NSLOTS, "drained");
	printf("produced %llu consumed %llu drops[PRODUCER] %llu bytes %llu bad_index %llu high_water %llu in_ring %llu\n",
	       (unsigned long long)s.produced, (unsigned long long)s.consumed,
	       (unsigned long long)s.drops[EDGEAI_DROP_PRODUCER],
	       (unsigned long long)s.bytes, (unsigned long long)s.bad_index,
	       (unsigned long long)s.high_water,
	       (unsigned long long)s.in_ring);
	T_EQ(s.produced, g.produced);
	T_EQ(s.produced, g.next_seq);
	T_EQ(s.drops[EDGEAI_DROP_PRODUCER], g.pdrops);
	T_EQ(s.bytes, g.bytes);
	T_EQ(s.bad_index, g.bad);
	T_EQ(s.in_ring, 0);
	T_EQ(s.consumed, g.phead);
	T_EQ(s.consumed + t_drops(&s), s.produced);

	t_unmap_ring(&g.pm);
	t_unmap_ring(&g.cm);
	close(g.pfd);
	close(g.cfd);
	close(g.ofd);
	T_EQ(t_ring_destroy_name(fd, RING), 0);
	xfd = t_open();
	T_ERRNO(t_attach_name(xfd, RING, EDGEAI_ROLE_OBSERVER, 0, &a), ENOENT);
	close(xfd);
	close(fd);
	return t_done();
}
