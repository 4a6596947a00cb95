// SPDX-License-Identifier: GPL-2.0
/*
 * libedgeai's ring API end to end against the module: create, list, open
 * as producer and consumer, fill in place, publish, read in place, release,
 * wait through poll() and io_uring, stats, destroy.
 */
#include <liburing.h>

#include <edgeai/edgeai.h>
#include <edgeai/uring.h>

#include "edgeai_test.h"

#define N 48

static void produce(struct edgeai_ring *p, uint32_t n, uint32_t base)
{
	uint64_t first;
	uint32_t i, got = edgeai_ring_reserve(p, n, &first);

	T_EQ(got, n);
	for (i = 0; i < got; i++) {
		struct edgeai_slot_hdr *h = edgeai_ring_slot_mut(p, first + i);
		float *v = (float *)(h + 1);

		h->len = 3 * sizeof(float);
		h->sensor_id = 9;
		h->tag = base + i;
		h->ts_ns = 0;
		v[0] = (float)(base + i);
		v[1] = -v[0];
		v[2] = 0.5f;
	}
	T_EQ(edgeai_ring_publish(p, got, 0), 0);
}

static void uring_wait(struct edgeai_ring *c)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;

	T_ASSERT(io_uring_queue_init(4, &ring, 0) == 0);
	/* Nothing is ready: the wait times out. */
	edgeai_prep_ring_wait(io_uring_get_sqe(&ring), c, 1, 50 * 1000000ULL);
	T_EQ(io_uring_submit(&ring), 1);
	T_EQ(io_uring_wait_cqe(&ring, &cqe), 0);
	T_EQ(cqe->res, -ETIME);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	struct edgeai_ring_opts po = { .sz = sizeof(po),
				       .role = EDGEAI_ROLE_PRODUCER };
	struct edgeai_ring_opts co = { .sz = sizeof(co), .watermark = 16 };
	struct edgeai_ring_create args;
	struct edgeai_ring_stats st;
	struct edgeai_ring_info info;
	struct edgeai_ring *p, *c;
	struct edgeai_dev *dev;
	uint32_t shape = 3, i, n, seen = 0;
	uint64_t first, sc;

	T_ASSERT(edgeai_dev_open(NULL, &dev) == 0);
	T_EQ(edgeai_ring_args(&args, "lib-ring", 64, EDGEAI_DTYPE_F32, 1,
			      &shape), 0);
	T_EQ(args.slot_size, 12);
	args.flags = EDGEAI_RING_F_USER_PRODUCER;
	T_ASSERT(edgeai_dev_ring_create(dev, &args) == 0);
	T_ERRNO(edgeai_dev_ring_create(dev, &args), EEXIST);

	/* Listing finds it. */
	T_EQ(edgeai_dev_ring_next(dev, 0, &info), 0);
	while (info.ring_id != args.ring_id &&
	       !edgeai_dev_ring_next(dev, info.ring_id, &info))
		;
	T_STREQ(info.name, "lib-ring");

	T_ERRNO(edgeai_ring_open("no-such-ring", NULL, &c), ENOENT);
	T_ASSERT(edgeai_ring_open("lib-ring", &po, &p) == 0);
	T_ASSERT(edgeai_ring_open_id(args.ring_id, &co, &c) == 0);
	T_EQ(edgeai_ring_get_info(c)->slot_count, 64);
	T_EQ(edgeai_ring_get_info(c)->desc.dtype, EDGEAI_DTYPE_F32);
	T_CHECK(edgeai_ring_slot_mut(c, 0) == NULL);	/* consumers read */

	uring_wait(c);
	sc = edgeai_ring_syscalls(c);
	T_ERRNO(edgeai_ring_wait(c, 0), ETIMEDOUT);
	T_EQ(edgeai_ring_syscalls(c), sc + 1);	/* timeout 0: poll() at once */
	produce(p, 10, 0);
	T_ERRNO(edgeai_ring_wait(c, 0), ETIMEDOUT);	/* below watermark */
	sc = edgeai_ring_syscalls(c);
	T_ERRNO(edgeai_ring_wait(c, 50), ETIMEDOUT);	/* looked, then slept */
	T_EQ(edgeai_ring_syscalls(c), sc + 1);
	produce(p, N - 10, 10);
	/* The watermark is there: found by looking, no poll() (wait_spins). */
	sc = edgeai_ring_syscalls(c);
	T_EQ(edgeai_ring_wait(c, 1000), N);
	T_EQ(edgeai_ring_syscalls(c), sc);

	while ((n = edgeai_ring_peek(c, 7, &first)) > 0) {
		for (i = 0; i < n; i++) {
			const struct edgeai_slot_hdr *h =
				edgeai_ring_slot(c, first + i);
			const float *v = edgeai_slot_payload(h);

			T_EQ(h->seq, seen);
			T_EQ(h->tag, seen);
			T_EQ(h->len, 12);
			T_CHECK(h->ts_ns > 0);
			T_CHECK(v[0] == (float)seen && v[1] == -(float)seen);
			seen++;
		}
		edgeai_ring_release(c, n);
	}
	T_EQ(seen, N);
	T_EQ(edgeai_ring_stats(c, &st), 0);
	T_EQ(st.produced, N);
	T_EQ(st.consumed, N);
	T_EQ(st.in_ring, 0);
	T_EQ(st.bytes, N * 12);

	/* Producer-side drops show up as a gap and a counted reason. */
	produce(p, 1, 100);
	T_EQ(edgeai_ring_publish(p, 0, 5), 0);
	T_EQ(edgeai_ring_stats(c, &st), 0);
	T_EQ(st.drops[EDGEAI_DROP_PRODUCER], 5);
	T_EQ(edgeai_ring_peek(c, 64, &first), 1);
	T_EQ(edgeai_ring_slot(c, first)->seq, N);
	edgeai_ring_release(c, 1);

	T_CHECK(!edgeai_ring_dead(c));
	T_EQ(edgeai_dev_ring_destroy(dev, 0, "lib-ring"), 0);
	T_CHECK(edgeai_ring_dead(c));
	T_ERRNO(edgeai_dev_ring_destroy(dev, 0, "lib-ring"), ENOENT);
	edgeai_ring_close(p);
	edgeai_ring_close(c);
	edgeai_dev_close(dev);
	return t_done();
}
