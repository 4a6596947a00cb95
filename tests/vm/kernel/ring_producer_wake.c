// SPDX-License-Identifier: GPL-2.0
/*
 * A userspace producer waiting for room (docs/ring-abi.md "Waiting",
 * EDGEAI_FEAT_PRODUCER_WAKE): poll() on the producer fd reports EPOLLOUT
 * when at least the producer's watermark of slots is free, and a producer
 * sleeping in poll() on a full ring is woken when the kernel reads a
 * consumer tail that frees that much (the consumer's poll(), io_uring wait
 * or RING_STATS), not before; destroying the ring wakes it with EPOLLHUP.
 * Then the same through libedgeai's edgeai_ring_wait() on a producer ring,
 * and a full hand-off of many ring-fulls where the producer only ever
 * sleeps in edgeai_ring_wait() (no polling): every sample arrives, in
 * order, and the producer slept.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/edgeai.h>
#include <edgeai/edgeai.h>

#include "edgeai_vm_test.h"

#define RING	"t_pwake"
#define RING2	"t_pwake_lib"
#define NSLOTS	16u
#define WANT	4u		/* the producer's watermark: free slots */
#define SSIZE	8u
#define LONG_MS	10000		/* a waiter that is never woken times out */

static struct {
	int pfd, cfd;
	uint32_t id;
	struct t_map pm, cm;
	uint64_t phead;
} g;

static void cleanup(void)
{
	t_destroy_rings(RING, RING2, NULL);
}

static void publish_to(uint64_t head)
{
	struct edgeai_ring_publish p;
	uint64_t pos;

	for (pos = g.phead; pos < head; pos++) {
		struct edgeai_slot_hdr *h = t_slot(&g.pm, pos);

		h->len = SSIZE;
		h->ts_ns = 1;
		memcpy(h + 1, &pos, sizeof(pos));
	}
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.head = head;
	T_EQ(t_ioctl(g.pfd, EDGEAI_IOC_RING_PUBLISH, &p), 0);
	g.phead = head;
}

static short poll_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

/* Raw ioctl/poll level. */
static void raw_part(int adm)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	struct edgeai_ring_stats s;
	struct t_waiter w;
	int ret;

	c = t_ring_args(RING, NSLOTS, EDGEAI_DTYPE_U8, SSIZE);
	c.flags = EDGEAI_RING_F_USER_PRODUCER;
	ret = t_ring_create(adm, &c);
	T_ASSERT(ret > 0);
	g.id = (uint32_t)ret;
	g.pfd = t_open();
	g.cfd = t_open();
	T_ASSERT(t_attach_name(g.pfd, RING, EDGEAI_ROLE_PRODUCER, WANT, &a) == 0);
	T_EQ(a.watermark, WANT);
	T_ASSERT(t_map_ring(g.pfd, &a, NSLOTS, &g.pm) == 0);
	T_ASSERT(t_attach_name(g.cfd, RING, EDGEAI_ROLE_CONSUMER, 1, &a) == 0);
	T_ASSERT(t_map_ring(g.cfd, &a, NSLOTS, &g.cm) == 0);

	/* Free slots against the watermark. */
	T_EQ(poll_now(g.pfd, POLLOUT), POLLOUT);
	publish_to(NSLOTS - WANT);
	T_EQ(poll_now(g.pfd, POLLOUT), POLLOUT);	/* exactly WANT free */
	publish_to(NSLOTS - WANT + 1);
	T_EQ(poll_now(g.pfd, POLLOUT), 0);		/* WANT - 1 free */
	publish_to(NSLOTS);
	T_EQ(poll_now(g.pfd, POLLOUT), 0);		/* full */

	/*
	 * A producer asleep on the full ring. The consumer frees WANT - 1
	 * slots and enters the kernel: not enough, it sleeps on. One more,
	 * and the kernel reading it (RING_STATS) wakes it.
	 */
	t_waiter_start(&w, g.pfd, LONG_MS);
	T_CHECK(!t_waiter_done(&w));
	t_store_release(t_tail(&g.cm), WANT - 1);
	T_EQ(poll_now(g.cfd, POLLIN), POLLIN);
	T_EQ(t_stats(g.cfd, g.id, &s), 0);
	T_EQ(s.consumed, WANT - 1);
	usleep(200000);
	T_CHECK(!t_waiter_done(&w));
	/* Released without entering the kernel: nothing can wake it yet. */
	t_store_release(t_tail(&g.cm), WANT);
	usleep(200000);
	T_CHECK(!t_waiter_done(&w));
	T_EQ(t_stats(g.cfd, g.id, &s), 0);
	t_waiter_join(&w);
	T_EQ(w.ret, 1);
	T_EQ(w.revents, POLLOUT);
	printf("woken by RING_STATS after %.0f ms (timeout %d ms)\n",
	       w.ns / 1e6, LONG_MS);
	T_CHECK(w.ns < LONG_MS * 1000000ull / 2);

	/* Full again; this time the consumer's own poll() wakes it. */
	publish_to(NSLOTS + WANT);
	T_EQ(poll_now(g.pfd, POLLOUT), 0);
	t_waiter_start(&w, g.pfd, LONG_MS);
	T_CHECK(!t_waiter_done(&w));
	t_store_release(t_tail(&g.cm), 2 * WANT);
	T_EQ(poll_now(g.cfd, POLLIN), POLLIN);
	t_waiter_join(&w);
	T_EQ(w.ret, 1);
	T_EQ(w.revents, POLLOUT);
	T_CHECK(w.ns < LONG_MS * 1000000ull / 2);

	/* No room and nobody frees any: the timeout, not a wake-up. */
	publish_to(NSLOTS + 2 * WANT);
	t_waiter_start(&w, g.pfd, 300);
	t_waiter_join(&w);
	T_EQ(w.ret, 0);
	T_EQ(w.revents, 0);

	/* Nothing was lost on the way: the books balance. */
	T_EQ(t_stats(g.cfd, g.id, &s), 0);
	T_EQ(s.produced, NSLOTS + 2 * WANT);
	T_EQ(s.consumed, 2 * WANT);
	T_EQ(s.in_ring, NSLOTS);
	T_EQ(s.bad_index, 0);
	T_EQ(t_drops(&s), 0);

	/* Destroyed under a sleeping producer: EPOLLHUP at once. */
	t_waiter_start(&w, g.pfd, LONG_MS);
	T_CHECK(!t_waiter_done(&w));
	T_EQ(t_ring_destroy_name(adm, RING), 0);
	t_waiter_join(&w);
	T_EQ(w.ret, 1);
	T_CHECK(w.revents & POLLHUP);
	T_CHECK(w.ns < LONG_MS * 1000000ull / 2);

	t_unmap_ring(&g.pm);
	t_unmap_ring(&g.cm);
	close(g.pfd);
	close(g.cfd);
}

struct lib_cons {
	struct edgeai_ring *r;
	uint64_t total, got, bad;
	int err;
};

static void *lib_consumer(void *arg)
{
	struct lib_cons *c = arg;

	while (c->got < c->total) {
		uint64_t first;
		uint32_t n = edgeai_ring_peek(c->r, UINT32_MAX, &first);

		if (!n) {
			int ret = edgeai_ring_wait(c->r, LONG_MS);

			if (ret < 0) {
				c->err = ret;
				break;
			}
			continue;
		}
		t_lib_consume_seq(c->r, first, n, &c->got, &c->bad);
	}
	return NULL;
}

/* libedgeai: edgeai_ring_wait() on a producer ring. */
static void lib_part(int adm)
{
	struct edgeai_ring_opts po = { .sz = sizeof(po),
				       .role = EDGEAI_ROLE_PRODUCER,
				       .watermark = WANT };
	struct edgeai_ring_opts co = { .sz = sizeof(co),
				       .role = EDGEAI_ROLE_CONSUMER,
				       .watermark = WANT };
	struct edgeai_ring_create c;
	struct edgeai_ring *p, *cr;
	struct lib_cons lc = { 0 };
	uint64_t seq = 0, first, waits = 0, total = 64 * NSLOTS;
	pthread_t th;
	int ret;

	c = t_ring_args(RING2, NSLOTS, EDGEAI_DTYPE_U8, SSIZE);
	c.flags = EDGEAI_RING_F_USER_PRODUCER;
	T_ASSERT(t_ring_create(adm, &c) > 0);
	T_EQ(edgeai_ring_open(RING2, &po, &p), 0);
	T_EQ(edgeai_ring_open(RING2, &co, &cr), 0);

	T_EQ(edgeai_ring_wait(p, 0), (int)NSLOTS);	/* empty: all free */

	/*
	 * Many ring-fulls, the producer publishing WANT at a time and, when
	 * there is no room, sleeping only in edgeai_ring_wait(): without the
	 * wake-up each of those waits would last LONG_MS and the run would
	 * take minutes; the timeout fails it.
	 */
	lc.r = cr;
	lc.total = total;
	T_ASSERT(!pthread_create(&th, NULL, lib_consumer, &lc));
	while (seq < total) {
		while (edgeai_ring_reserve(p, WANT, &first) < WANT) {
			waits++;
			ret = edgeai_ring_wait(p, LONG_MS);
			if (ret < 0) {
				T_FAILF("producer edgeai_ring_wait: %s after %llu samples",
					strerror(-ret), (unsigned long long)seq);
				exit(T_FAIL);
			}
		}
		t_lib_publish_seq(p, first, WANT, seq, SSIZE);
		seq += WANT;
	}
	pthread_join(th, NULL);
	printf("lib: %llu samples, %llu received, %llu bad, producer waited %llu times\n",
	       (unsigned long long)total, (unsigned long long)lc.got,
	       (unsigned long long)lc.bad, (unsigned long long)waits);
	T_EQ(lc.err, 0);
	T_EQ(lc.got, total);
	T_EQ(lc.bad, 0);

	/*
	 * The consumer released the last slots with a plain store: the
	 * producer's wait (a poll()) makes the kernel read that tail.
	 */
	T_EQ(edgeai_ring_wait(p, 1000), (int)NSLOTS);
	/* Full, nobody consuming: -ETIMEDOUT; destroyed: -ENODEV. */
	T_EQ(edgeai_ring_reserve(p, NSLOTS, &first), NSLOTS);
	for (uint32_t k = 0; k < NSLOTS; k++) {
		struct edgeai_slot_hdr *h = edgeai_ring_slot_mut(p, first + k);

		h->len = SSIZE;
		h->ts_ns = 1;
	}
	T_EQ(edgeai_ring_publish(p, NSLOTS, 0), 0);
	T_EQ(edgeai_ring_wait(p, 100), -ETIMEDOUT);
	T_EQ(t_ring_destroy_name(adm, RING2), 0);
	T_EQ(edgeai_ring_wait(p, LONG_MS), -ENODEV);
	edgeai_ring_close(p);
	edgeai_ring_close(cr);
}

int main(void)
{
	int adm = t_open();

	t_need_features(adm, EDGEAI_FEAT_RINGS | EDGEAI_FEAT_USER_PRODUCER |
			EDGEAI_FEAT_PRODUCER_WAKE,
			"userspace producers woken for room");
	cleanup();
	atexit(cleanup);
	raw_part(adm);
	lib_part(adm);
	close(adm);
	return t_done();
}
