// SPDX-License-Identifier: GPL-2.0
/*
 * USER_HEAD rings (docs/ring-abi.md, "Publishing by a store"): the
 * producer publishes by storing its head at slots.prod_head and enters the
 * kernel only when ctrl.flags has EDGEAI_CTRL_F_NEED_WAKEUP.
 *
 * The raw ABI: the flag needs USER_PRODUCER and no OVERWRITE (EINVAL), and
 * the feature bit is set; only USER_HEAD rings report prod_head, inside
 * SLOTS, writable by the producer alone; a stored head reaches ctrl.head
 * and the counters only when the kernel is entered (stats, poll, publish),
 * which proves the store itself made no syscall; a consumer about to sleep
 * sets NEED_WAKEUP and a publish that wakes it clears it; heads that go
 * back or past the room the kernel knows are refused and counted in
 * bad_index, a consumer never sees them through libedgeai, and a good
 * head later is taken in again; drops reported by RING_PUBLISH count.
 *
 * libedgeai, across processes: a consumer sleeping in edgeai_ring_wait()
 * (poll) and then in an io_uring wait is woken by the producer's
 * edgeai_ring_publish() every time (a lost wake-up would hang it: each
 * wait has a 5 s limit and fails the test), and reads every sample once,
 * in order, with the library-stamped seq (drops as gaps) and ts_ns. The
 * stats invariant holds after every step.
 */
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include <edgeai/edgeai.h>
#include <edgeai/uring.h>

#include "edgeai_vm_test.h"

#define RING	"t_uhead"
#define RING_X	"t_uhead_x"
#define NSLOTS	64u
#define SSIZE	16u
#define TOTAL	20000u

static void cleanup(void)
{
	t_destroy_rings(RING, RING_X, NULL);
}

static uint32_t ctrl_flags(const struct t_map *m)
{
	return __atomic_load_n((uint32_t *)((char *)m->ctrl +
					    m->off.ctrl_flags),
			       __ATOMIC_ACQUIRE);
}

static uint64_t *prod_head(const struct t_map *m)
{
	return (uint64_t *)((char *)m->slots + m->off.prod_head);
}

static void stats(int fd, uint32_t id, struct edgeai_ring_stats *s,
		  const char *where)
{
	T_ASSERT(t_stats(fd, id, s) == 0);
	t_check_invariant(s, NSLOTS, where);
}

/* The raw ABI, one process with three fds. */
static void raw_abi(int fd)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach pa, ca, oa;
	struct edgeai_ring_stats s;
	struct t_map pm, cm;
	struct pollfd pfd;
	int pf, cf, of, ret;
	uint32_t id;
	void *m;

	/* Flag combinations. */
	c = t_ring_args(RING_X, NSLOTS, EDGEAI_DTYPE_U8, SSIZE);
	c.flags = EDGEAI_RING_F_USER_HEAD;
	T_ERRNO(t_ring_create(fd, &c), EINVAL);
	c.flags = EDGEAI_RING_F_USER_HEAD | EDGEAI_RING_F_USER_PRODUCER |
		  EDGEAI_RING_F_OVERWRITE;
	T_ERRNO(t_ring_create(fd, &c), EINVAL);

	c = t_ring_args(RING, NSLOTS, EDGEAI_DTYPE_U8, SSIZE);
	c.flags = EDGEAI_RING_F_USER_HEAD | EDGEAI_RING_F_USER_PRODUCER;
	ret = t_ring_create(fd, &c);
	T_ASSERT(ret > 0);
	id = (uint32_t)ret;
	pf = t_open();
	cf = t_open();
	of = t_open();
	T_EQ(t_attach_name(pf, RING, EDGEAI_ROLE_PRODUCER, 8, &pa), 0);
	T_EQ(t_attach_name(cf, RING, EDGEAI_ROLE_CONSUMER, 8, &ca), 0);
	T_EQ(t_attach_name(of, RING, EDGEAI_ROLE_OBSERVER, 0, &oa), 0);

	/* prod_head: in SLOTS, after the slots, aligned. */
	T_CHECK(pa.off.prod_head >= (uint64_t)NSLOTS * pa.off.slot_stride);
	T_EQ(pa.off.prod_head % 8, 0);
	T_CHECK(pa.off.prod_head + 8 <= pa.off.slots_size);
	T_EQ(ca.off.prod_head, pa.off.prod_head);
	T_EQ(t_map_ring(pf, &pa, NSLOTS, &pm), 0);
	T_EQ(t_map_ring(cf, &ca, NSLOTS, &cm), 0);
	/* Only the producer may write it: the consumer cannot map SLOTS RW. */
	m = mmap(NULL, ca.off.slots_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 cf, EDGEAI_OFF_SLOTS);
	T_CHECK(m == MAP_FAILED && errno == EPERM);

	/* A stored head is the kernel's only once the kernel is entered. */
	T_EQ(t_load_acquire(prod_head(&pm)), 0);
	t_slot(&pm, 0)->len = 4;
	t_store_release(prod_head(&pm), 5);
	T_EQ(t_load_acquire(t_head(&cm)), 0);
	stats(of, id, &s, "after a store");
	T_EQ(s.produced, 5);
	T_EQ(s.in_ring, 5);
	T_EQ(s.bytes, 0);	/* the kernel does not read the slots */
	T_EQ(t_load_acquire(t_head(&cm)), 5);

	/* The consumer takes them; then it would sleep: NEED_WAKEUP. */
	t_store_release(t_tail(&cm), 5);
	T_EQ(ctrl_flags(&cm) & EDGEAI_CTRL_F_NEED_WAKEUP, 0);
	pfd.fd = cf;
	pfd.events = POLLIN;
	T_EQ(poll(&pfd, 1, 0), 0);
	T_CHECK(ctrl_flags(&cm) & EDGEAI_CTRL_F_NEED_WAKEUP);
	/* ...until a publish reaches its watermark (8) and wakes it */
	t_store_release(prod_head(&pm), 9);
	T_EQ(t_publish(pf, 9, 0), 0);
	T_CHECK(ctrl_flags(&cm) & EDGEAI_CTRL_F_NEED_WAKEUP);	/* 4 < 8 */
	t_store_release(prod_head(&pm), 13);
	T_EQ(t_publish(pf, 13, 0), 0);
	T_EQ(ctrl_flags(&cm) & EDGEAI_CTRL_F_NEED_WAKEUP, 0);
	T_EQ(poll(&pfd, 1, 0), 1);
	stats(of, id, &s, "after the wake-up");
	T_EQ(s.produced, 13);
	T_EQ(s.wakeups, 1);

	/* Bad heads: counted, not taken in; a good one later is. */
	t_store_release(prod_head(&pm), 4);		/* back */
	stats(of, id, &s, "head gone back");
	T_EQ(s.bad_index, 1);
	T_EQ(s.produced, 13);
	t_store_release(prod_head(&pm), 5 + NSLOTS + 1);	/* past room */
	stats(of, id, &s, "head past the room");
	T_EQ(s.bad_index, 2);
	T_EQ(t_load_acquire(t_head(&cm)), 13);
	T_ERRNO(t_publish(pf, 5 + NSLOTS + 1, 0), EINVAL);
	T_ERRNO(t_publish(pf, 12, 0), EINVAL);
	stats(of, id, &s, "bad publishes");
	T_EQ(s.bad_index, 5);	/* the poll-free stats read counts too */
	t_store_release(prod_head(&pm), 5 + NSLOTS);	/* exactly full */
	stats(of, id, &s, "full");
	T_EQ(s.produced, 5 + NSLOTS);
	T_EQ(s.in_ring, NSLOTS);

	/* Drops go through RING_PUBLISH, the head may stay. */
	T_EQ(t_publish(pf, 5 + NSLOTS, 3), 0);
	stats(of, id, &s, "drops");
	T_EQ(s.drops[EDGEAI_DROP_PRODUCER], 3);
	T_EQ(s.produced, 5 + NSLOTS + 3);
	/* RING_PUBLISH needs the producer role. */
	T_ERRNO(t_publish(cf, 5 + NSLOTS, 0), EPERM);

	t_unmap_ring(&pm);
	t_unmap_ring(&cm);
	close(pf);
	close(cf);
	close(of);
	T_EQ(t_ring_destroy_name(fd, RING), 0);

	/* Other rings have no producer head. */
	c = t_ring_args(RING_X, NSLOTS, EDGEAI_DTYPE_U8, SSIZE);
	c.flags = EDGEAI_RING_F_USER_PRODUCER;
	T_ASSERT(t_ring_create(fd, &c) > 0);
	pf = t_open();
	T_EQ(t_attach_name(pf, RING_X, EDGEAI_ROLE_PRODUCER, 0, &pa), 0);
	T_EQ(pa.off.prod_head, 0);
	close(pf);
	T_EQ(t_ring_destroy_name(fd, RING_X), 0);
}

static void fill(struct edgeai_slot_hdr *h, uint64_t i)
{
	uint64_t *v = (uint64_t *)(h + 1);

	h->len = SSIZE;
	h->sensor_id = 3;
	h->tag = (uint32_t)i;
	h->flags = 0;
	h->ts_ns = (i % 3) ? 1000 + i : 0;	/* 0: the library stamps */
	v[0] = i;
	v[1] = ~i;
}

/*
 * libedgeai, producer in a child: TOTAL samples in batches of 1..37, with
 * a drop report every 1000 samples, pausing now and then so that the
 * consumer catches up and sleeps. Returns the drops reported.
 */
static void lib_producer(void)
{
	struct edgeai_ring_opts o = { .sz = sizeof(o),
				      .role = EDGEAI_ROLE_PRODUCER,
				      .watermark = 1 };
	struct edgeai_ring *r;
	uint64_t i = 0, first;
	uint32_t n, k;

	T_ASSERT(edgeai_ring_open(RING, &o, &r) == 0);
	while (i < TOTAL) {
		n = 1 + (uint32_t)(i % 37);
		if (n > TOTAL - i)
			n = (uint32_t)(TOTAL - i);
		while (edgeai_ring_reserve(r, n, &first) < n)
			T_ASSERT(edgeai_ring_wait(r, 5000) >= 0);
		for (k = 0; k < n; k++)
			fill(edgeai_ring_slot_mut(r, first + k), i + k);
		T_EQ(edgeai_ring_publish(r, n, (i / 37) % 27 == 1 ? 2 : 0), 0);
		i += n;
		if (i % 512 < n)
			usleep(2000);	/* let the consumer sleep */
	}
	edgeai_ring_close(r);
}

static void lib_consumer(void)
{
	struct edgeai_ring_opts o = { .sz = sizeof(o),
				      .role = EDGEAI_ROLE_CONSUMER,
				      .watermark = 1 };
	struct edgeai_ring *r;
	struct edgeai_ring_stats s;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	uint64_t i = 0, seq = 0, drops = 0, first, sleeps = 0;
	uint32_t n, k;
	int ret;

	T_ASSERT(io_uring_queue_init(4, &ring, 0) == 0);
	T_ASSERT(edgeai_ring_open(RING, &o, &r) == 0);
	while (i < TOTAL) {
		n = edgeai_ring_peek(r, UINT32_MAX, &first);
		if (!n) {
			sleeps++;
			if (sleeps & 1) {
				ret = edgeai_ring_wait(r, 5000);
				if (ret <= 0) {
					T_FAILF("poll wait at sample %llu: %d (a lost wake-up?)",
						(unsigned long long)i, ret);
					break;
				}
			} else {
				edgeai_prep_ring_wait(io_uring_get_sqe(&ring),
						      r, 1, 5000000000ULL);
				io_uring_submit_and_wait(&ring, 1);
				T_ASSERT(io_uring_peek_cqe(&ring, &cqe) == 0);
				if (cqe->res <= 0) {
					T_FAILF("io_uring wait at sample %llu: %d (a lost wake-up?)",
						(unsigned long long)i, cqe->res);
					break;
				}
				io_uring_cqe_seen(&ring, cqe);
			}
			continue;
		}
		for (k = 0; k < n; k++, i++) {
			const struct edgeai_slot_hdr *h =
				edgeai_ring_slot(r, first + k);
			const uint64_t *v = edgeai_slot_payload(h);

			if (h->seq != seq && h->seq == seq + 2) {
				drops += 2;	/* a reported drop: a gap */
				seq += 2;
			}
			t_checks++;
			if (h->seq != seq || h->tag != (uint32_t)i ||
			    v[0] != i || v[1] != ~i || h->len != SSIZE ||
			    !h->ts_ns || ((i % 3) && h->ts_ns != 1000 + i)) {
				T_FAILF("sample %llu: seq %llu (want %llu), tag %u, v %llu, len %u, ts %llu",
					(unsigned long long)i,
					(unsigned long long)h->seq,
					(unsigned long long)seq, h->tag,
					(unsigned long long)v[0], h->len,
					(unsigned long long)h->ts_ns);
				i = TOTAL;
				break;
			}
			seq++;
		}
		edgeai_ring_release(r, n);
	}
	T_CHECK(sleeps > 10);	/* the wake-up paths were taken */
	T_EQ(edgeai_ring_stats(r, &s), 0);
	t_check_invariant(&s, NSLOTS, "lib: the end");
	T_EQ(s.consumed, TOTAL);
	T_EQ(s.drops[EDGEAI_DROP_PRODUCER], drops);
	T_CHECK(drops > 0);
	edgeai_ring_close(r);
	io_uring_queue_exit(&ring);
}

static void lib_pair(int fd)
{
	struct edgeai_ring_create c;
	pid_t pc, pp;

	c = t_ring_args(RING, NSLOTS, EDGEAI_DTYPE_U8, SSIZE);
	c.flags = EDGEAI_RING_F_USER_HEAD | EDGEAI_RING_F_USER_PRODUCER;
	T_ASSERT(t_ring_create(fd, &c) > 0);
	pc = t_fork();
	if (!pc) {
		lib_consumer();
		t_child_exit();
	}
	pp = t_fork();
	if (!pp) {
		lib_producer();
		t_child_exit();
	}
	T_EQ(t_wait_child(pp), 0);
	T_EQ(t_wait_child(pc), 0);
	T_EQ(t_ring_destroy_name(fd, RING), 0);
}

int main(void)
{
	int fd = t_open();

	t_need_features(fd, EDGEAI_FEAT_RINGS | EDGEAI_FEAT_USER_PRODUCER |
			EDGEAI_FEAT_USER_HEAD, "USER_HEAD rings");
	cleanup();
	atexit(cleanup);
	raw_abi(fd);
	lib_pair(fd);
	close(fd);
	return t_done();
}
