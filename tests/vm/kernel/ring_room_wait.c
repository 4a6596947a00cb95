// SPDX-License-Identifier: GPL-2.0
/*
 * A producer waiting for room is woken by the consumer's release
 * (docs/ring-abi.md "Waiting", EDGEAI_FEAT_ROOM_WAIT): a producer's poll()
 * that finds less room than its watermark sets EDGEAI_CTRL_F_ROOM_WAIT in
 * ctrl.flags; a consumer that stores its tail and sees the flag calls
 * EDGEAI_IOC_RING_SYNC, which takes the tail in and wakes the producer
 * once its room is there, clearing the flag.
 *
 * The raw ABI: the flag is clear until a producer waits; RING_SYNC with
 * too little room freed leaves the producer asleep and the flag set; with
 * enough it wakes it and clears the flag; a store of the tail without
 * RING_SYNC wakes nobody (the pairing the library relies on); RING_SYNC
 * is refused unattached (ENXIO) and for an observer (EPERM); the books
 * balance.
 *
 * libedgeai, on a RING_PUBLISH and on a USER_HEAD ring: the producer
 * publishes many ring-fulls and sleeps for room only in edgeai_ring_wait();
 * the consumer never enters the kernel except through
 * edgeai_ring_release() (it polls by peeking, and naps with usleep()).
 * Only the release's RING_SYNC can wake the producer, so without it each
 * wait would last LONG_MS: every wait must end well before, and every
 * sample arrive once, in order.
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

#define RING	"t_roomw"
#define RING2	"t_roomw_lib"
#define NSLOTS	16u
#define WANT	4u		/* the producer's watermark: free slots */
#define SSIZE	8u
#define LONG_MS	10000		/* a waiter that is never woken times out */

static void cleanup(void)
{
	t_destroy_rings(RING, RING2, NULL);
}

static uint32_t ctrl_flags(const struct t_map *m)
{
	return __atomic_load_n((uint32_t *)((char *)m->ctrl +
					    m->off.ctrl_flags),
			       __ATOMIC_ACQUIRE);
}

static void publish(int pfd, struct t_map *pm, uint64_t from, uint64_t to)
{
	uint64_t pos;

	for (pos = from; pos < to; pos++) {
		struct edgeai_slot_hdr *h = t_slot(pm, pos);

		h->len = SSIZE;
		h->ts_ns = 1;
	}
	T_EQ(t_publish(pfd, to, 0), 0);
}

static void raw_part(int adm)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	struct edgeai_ring_stats s;
	struct t_map pm, cm;
	struct t_waiter w;
	int pfd, cfd, ofd, ret;
	uint32_t id;

	c = t_ring_args(RING, NSLOTS, EDGEAI_DTYPE_U8, SSIZE);
	c.flags = EDGEAI_RING_F_USER_PRODUCER;
	ret = t_ring_create(adm, &c);
	T_ASSERT(ret > 0);
	id = (uint32_t)ret;
	pfd = t_open();
	cfd = t_open();
	ofd = t_open();
	T_ERRNO(t_ioctl(cfd, EDGEAI_IOC_RING_SYNC, NULL), ENXIO);
	T_ASSERT(t_attach_name(pfd, RING, EDGEAI_ROLE_PRODUCER, WANT, &a) == 0);
	T_ASSERT(t_map_ring(pfd, &a, NSLOTS, &pm) == 0);
	T_ASSERT(t_attach_name(cfd, RING, EDGEAI_ROLE_CONSUMER, 1, &a) == 0);
	T_ASSERT(t_map_ring(cfd, &a, NSLOTS, &cm) == 0);
	T_ASSERT(t_attach_name(ofd, RING, EDGEAI_ROLE_OBSERVER, 0, &a) == 0);
	T_ERRNO(t_ioctl(ofd, EDGEAI_IOC_RING_SYNC, NULL), EPERM);

	/* Room: a producer's poll() sets nothing. */
	T_EQ(poll(&(struct pollfd){ .fd = pfd, .events = POLLOUT }, 1, 0), 1);
	T_EQ(ctrl_flags(&cm) & EDGEAI_CTRL_F_ROOM_WAIT, 0);
	publish(pfd, &pm, 0, NSLOTS);
	T_EQ(ctrl_flags(&cm) & EDGEAI_CTRL_F_ROOM_WAIT, 0);

	/* Full: the producer goes to sleep and says so. */
	t_waiter_start(&w, pfd, LONG_MS);
	T_CHECK(!t_waiter_done(&w));
	T_CHECK(ctrl_flags(&cm) & EDGEAI_CTRL_F_ROOM_WAIT);

	/* Too little freed: it sleeps on, the flag stays. */
	t_store_release(t_tail(&cm), WANT - 1);
	T_EQ(t_ioctl(cfd, EDGEAI_IOC_RING_SYNC, NULL), 0);
	usleep(200000);
	T_CHECK(!t_waiter_done(&w));
	T_CHECK(ctrl_flags(&cm) & EDGEAI_CTRL_F_ROOM_WAIT);

	/* A store alone wakes nobody: the kernel does not know of it. */
	t_store_release(t_tail(&cm), WANT);
	usleep(200000);
	T_CHECK(!t_waiter_done(&w));

	/* RING_SYNC does: the room is there. */
	T_EQ(t_ioctl(cfd, EDGEAI_IOC_RING_SYNC, NULL), 0);
	t_waiter_join(&w);
	T_EQ(w.ret, 1);
	T_EQ(w.revents, POLLOUT);
	T_CHECK(w.ns < LONG_MS * 1000000ull / 2);
	T_EQ(ctrl_flags(&cm) & EDGEAI_CTRL_F_ROOM_WAIT, 0);
	printf("raw: woken by RING_SYNC after %.0f ms\n", w.ns / 1e6);

	/* The producer's RING_SYNC is allowed and harmless. */
	T_EQ(t_ioctl(pfd, EDGEAI_IOC_RING_SYNC, NULL), 0);
	T_EQ(t_stats(cfd, id, &s), 0);
	T_EQ(s.produced, NSLOTS);
	T_EQ(s.consumed, WANT);
	T_EQ(s.in_ring, NSLOTS - WANT);
	T_EQ(s.bad_index, 0);
	T_EQ(t_drops(&s), 0);

	/* Destroyed under a waiting producer: no flag left behind. */
	publish(pfd, &pm, NSLOTS, NSLOTS + WANT);
	T_EQ(poll(&(struct pollfd){ .fd = pfd, .events = POLLOUT }, 1, 0), 0);
	T_CHECK(ctrl_flags(&cm) & EDGEAI_CTRL_F_ROOM_WAIT);
	T_EQ(t_ring_destroy_name(adm, RING), 0);
	T_EQ(ctrl_flags(&cm) & EDGEAI_CTRL_F_ROOM_WAIT, 0);
	T_CHECK(ctrl_flags(&cm) & EDGEAI_CTRL_F_DEAD);

	t_unmap_ring(&pm);
	t_unmap_ring(&cm);
	close(pfd);
	close(cfd);
	close(ofd);
}

struct lib_cons {
	struct edgeai_ring *r;
	uint64_t total, got, bad;
};

/* Never enters the kernel but through edgeai_ring_release(). */
static void *lib_consumer(void *arg)
{
	struct lib_cons *c = arg;

	while (c->got < c->total) {
		uint64_t first;
		uint32_t n = edgeai_ring_peek(c->r, UINT32_MAX, &first);

		if (!n) {
			usleep(100);
			continue;
		}
		t_lib_consume_seq(c->r, first, n, &c->got, &c->bad);
	}
	return NULL;
}

static void lib_part(int adm, uint32_t flags, const char *what)
{
	struct edgeai_ring_opts po = { .sz = sizeof(po),
				       .role = EDGEAI_ROLE_PRODUCER,
				       .watermark = WANT };
	struct edgeai_ring_opts co = { .sz = sizeof(co),
				       .role = EDGEAI_ROLE_CONSUMER };
	struct edgeai_ring_create c;
	struct edgeai_ring *p, *cr;
	struct lib_cons lc = { 0 };
	uint64_t seq = 0, first, waits = 0, total = 64 * NSLOTS, worst = 0;
	pthread_t th;

	c = t_ring_args(RING2, NSLOTS, EDGEAI_DTYPE_U8, SSIZE);
	c.flags = EDGEAI_RING_F_USER_PRODUCER | flags;
	T_ASSERT(t_ring_create(adm, &c) > 0);
	T_EQ(edgeai_ring_open(RING2, &po, &p), 0);
	T_EQ(edgeai_ring_open(RING2, &co, &cr), 0);

	lc.r = cr;
	lc.total = total;
	T_ASSERT(!pthread_create(&th, NULL, lib_consumer, &lc));
	while (seq < total) {
		while (edgeai_ring_reserve(p, WANT, &first) < WANT) {
			uint64_t t0 = t_now_ns(), ns;
			int ret;

			waits++;
			ret = edgeai_ring_wait(p, LONG_MS);
			ns = t_now_ns() - t0;
			if (ns > worst)
				worst = ns;
			if (ret < 0 || ns > LONG_MS * 1000000ull / 2) {
				T_FAILF("%s: producer edgeai_ring_wait: %d after %.0f ms, %llu samples",
					what, ret, ns / 1e6,
					(unsigned long long)seq);
				exit(T_FAIL);
			}
		}
		t_lib_publish_seq(p, first, WANT, seq, SSIZE);
		seq += WANT;
	}
	pthread_join(th, NULL);
	printf("%s: %llu samples, %llu received, %llu bad; the producer waited %llu times (longest %.1f ms); the consumer's releases made %llu syscalls\n",
	       what, (unsigned long long)total, (unsigned long long)lc.got,
	       (unsigned long long)lc.bad, (unsigned long long)waits,
	       worst / 1e6, (unsigned long long)edgeai_ring_syscalls(cr));
	T_EQ(lc.got, total);
	T_EQ(lc.bad, 0);
	/* It did wait, and each wait ended by a release's RING_SYNC. */
	T_CHECK(waits > 0);
	T_CHECK(edgeai_ring_syscalls(cr) > 0);
	T_CHECK(edgeai_ring_syscalls(cr) <= total / WANT);
	edgeai_ring_close(p);
	edgeai_ring_close(cr);
	T_EQ(t_ring_destroy_name(adm, RING2), 0);
}

int main(void)
{
	int adm = t_open();

	t_need_features(adm, EDGEAI_FEAT_RINGS | EDGEAI_FEAT_USER_PRODUCER |
			EDGEAI_FEAT_USER_HEAD | EDGEAI_FEAT_ROOM_WAIT,
			"a producer woken by the consumer's release");
	cleanup();
	atexit(cleanup);
	raw_part(adm);
	lib_part(adm, 0, "RING_PUBLISH ring");
	lib_part(adm, EDGEAI_RING_F_USER_HEAD, "USER_HEAD ring");
	close(adm);
	return t_done();
}
