// SPDX-License-Identifier: GPL-2.0
/*
 * poll()/epoll on an attached consumer fd with a watermark W = 32
 * (docs/ring-abi.md, "Waiting"):
 *  - no EPOLLIN while fewer than W slots are ready (checked against ctrl.head
 *    read before each non-blocking poll), EPOLLIN as soon as W are (head
 *    read after it), blocking poll() and epoll_wait() wake with >= W ready;
 *  - a watermark above slot_count is EINVAL;
 *  - stats.wakeups grows once per batch, not per sample: at most
 *    samples / W + slack while the consumer keeps up, and while it sits on
 *    a full ring without reading;
 *  - after destroy (like a pipe whose writer closed): EPOLLHUP at once,
 *    with EPOLLIN as well while slots remain, from poll() and from an
 *    epoll set that watched all along; EPOLLHUP alone once drained; a
 *    poller asleep on an empty ring is woken by the destroy with EPOLLHUP.
 * Data comes from edgeai_synth.ko attached (create=N) to this test's ring.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"

#define RING		"t_poll"
#define RING2		"t_poll_sleeper"
#define SLOTS		256u
#define CHANNELS	6u
#define W		32u
#define SLACK		8u

/* ---- edgeai_synth.ko ---------------------------------------------- */

static void cleanup(void)
{
	if (t_synth_loaded())
		t_system("rmmod edgeai_synth");
	t_destroy_rings(RING, RING2, NULL);
}

/* ---- the test ------------------------------------------------------ */

static int cfd, ep;
static struct t_map m;
static uint64_t tail;

static short poll_now(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);

	T_ASSERT(n >= 0);
	return n ? p.revents : 0;
}

static uint32_t epoll_now(int timeout_ms)
{
	struct epoll_event ev;
	int n = epoll_wait(ep, &ev, 1, timeout_ms);

	T_ASSERT(n >= 0);
	return n ? ev.events : 0;
}

static uint64_t head_now(void)
{
	return t_load_acquire(t_head(&m));
}

static void drain(void)
{
	tail = head_now();
	t_store_release(t_tail(&m), tail);
}

static struct edgeai_ring_stats stats(void)
{
	struct edgeai_ring_stats s;

	T_ASSERT(t_stats(cfd, 0, &s) == 0);
	t_checks++;
	if (s.produced != s.consumed + t_drops(&s) + s.in_ring)
		T_FAILF("invariant: produced %llu != consumed %llu + drops %llu + in_ring %llu",
			(unsigned long long)s.produced,
			(unsigned long long)s.consumed,
			(unsigned long long)t_drops(&s),
			(unsigned long long)s.in_ring);
	return s;
}

/* Wait (bounded) until the ring has offered @n samples in total. */
static void wait_produced(uint64_t n, uint64_t limit_ns)
{
	uint64_t end = t_now_ns() + limit_ns;
	struct edgeai_ring_stats s = stats();

	while (s.produced < n && t_now_ns() < end) {
		usleep(5000);
		s = stats();
	}
	t_checks++;
	if (s.produced < n)
		T_FAILF("the ring was offered %llu samples, expected %llu within %.1f s (driver generated %lld)",
			(unsigned long long)s.produced, (unsigned long long)n,
			limit_ns / 1e9, t_synth_param("generated"));
}

/* The consumer that keeps up: poll, drain, until 3000 more were offered
 * (or 8 s). */
static uint64_t keep_base, keep_polls, keep_ready_max;
static volatile int keep_stop;

static void *keeper(void *arg)
{
	uint64_t end = t_now_ns() + 8000000000ull;

	(void)arg;
	while (!keep_stop && t_now_ns() < end) {
		struct edgeai_ring_stats s;
		uint64_t h;

		poll_now(cfd, 100);
		keep_polls++;
		h = head_now();
		if (h - tail > keep_ready_max)
			keep_ready_max = h - tail;
		drain();
		s = stats();
		if (s.produced - keep_base >= 3000)
			break;
	}
	return NULL;
}

struct sleeper {
	int fd, ep;		/* ep >= 0: sleep in epoll_wait, else poll */
	uint32_t revents;
	uint64_t woke_ns;
};

static void *sleeper_main(void *arg)
{
	struct sleeper *sl = arg;

	if (sl->ep >= 0) {
		struct epoll_event e;

		if (epoll_wait(sl->ep, &e, 1, 5000) == 1)
			sl->revents = e.events;
	} else {
		sl->revents = (uint16_t)poll_now(sl->fd, 5000);
	}
	sl->woke_ns = t_now_ns();
	return NULL;
}

int main(void)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	struct edgeai_ring_info info;
	struct edgeai_ring_stats s, s0;
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t feat, t0, h0, h1, end, base;
	uint64_t early = 0, missed = 0, looks = 0, below = 0, produced;
	short rv;
	uint32_t ev_bits;
	int fd = t_open(), xfd;

	feat = t_features(fd);
	if ((feat & (EDGEAI_FEAT_RINGS | EDGEAI_FEAT_POLL)) !=
	    (EDGEAI_FEAT_RINGS | EDGEAI_FEAT_POLL)) {
		T_FAILF("features 0x%llx lack RINGS|POLL (0x%llx)",
			(unsigned long long)feat,
			(unsigned long long)(EDGEAI_FEAT_RINGS |
					     EDGEAI_FEAT_POLL));
		return T_FAIL;
	}
	t_synth_unload_stale();
	cleanup();
	atexit(cleanup);

	c = t_ring_args(RING, SLOTS, EDGEAI_DTYPE_F32, CHANNELS);
	T_ASSERT(t_ring_create(fd, &c) > 0);
	cfd = t_open();
	/* watermark above slot_count: EINVAL, and the consumer role stays
	 * free */
	T_ERRNO(t_attach_name(cfd, RING, EDGEAI_ROLE_CONSUMER, SLOTS + 1, &a),
		EINVAL);
	T_ASSERT(t_attach_name(cfd, RING, EDGEAI_ROLE_CONSUMER, W, &a) == 0);
	T_ASSERT(t_map_ring(cfd, &a, SLOTS, &m) == 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	T_ASSERT(ep >= 0);
	ev.data.fd = cfd;
	T_ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev) == 0);

	/* Empty: nothing. */
	T_EQ(poll_now(cfd, 0), 0);
	T_EQ(epoll_now(0), 0);

	/* 20 < W samples, slowly: no EPOLLIN during or after. */
	if (t_synth_load("ring=%s create=N rate_hz=200 channels=%u dtype=f32 waveform=counter max_samples=20",
			 RING, CHANNELS))
		return T_FAIL;
	t0 = t_now_ns();
	rv = poll_now(cfd, 300);
	printf("below W: poll(300 ms) while 20 samples trickle in: revents 0x%x after %.0f ms, head %llu\n",
	       rv, (t_now_ns() - t0) / 1e6, (unsigned long long)head_now());
	T_EQ(rv, 0);
	wait_produced(20, 3000000000ull);
	usleep(20000);
	T_EQ(head_now(), 20);
	T_EQ(poll_now(cfd, 100), 0);
	T_EQ(epoll_now(100), 0);
	t_synth_unload();

	/* Crossing W slowly (100 Hz, from 0 ready): EPOLLIN exactly when
	 * head - tail >= W, looked at every ~2 ms. */
	drain();
	if (t_synth_load("ring=%s create=N rate_hz=100 channels=%u dtype=f32 waveform=counter max_samples=110",
			 RING, CHANNELS))
		return T_FAIL;
	end = t_now_ns() + 3000000000ull;
	do {
		h0 = head_now();
		rv = poll_now(cfd, 0);
		h1 = head_now();
		looks++;
		if ((rv & POLLIN) && h1 - tail < W && early++ < 3)
			T_FAILF("EPOLLIN with %llu ready (watermark %u)",
				(unsigned long long)(h1 - tail), W);
		if (!(rv & POLLIN) && h0 - tail >= W && missed++ < 3)
			T_FAILF("no EPOLLIN with %llu ready (watermark %u)",
				(unsigned long long)(h0 - tail), W);
		if (rv & POLLIN)
			break;
		if (h1 > tail)
			below++;	/* some ready, fewer than W */
		usleep(2000);
	} while (t_now_ns() < end);
	printf("crossing W: %llu looks (%llu with 1..%u ready), EPOLLIN at head %llu (tail %llu)\n",
	       (unsigned long long)looks, (unsigned long long)below, W - 1,
	       (unsigned long long)h1, (unsigned long long)tail);
	t_checks += 3;
	if (early || missed || !(rv & POLLIN))
		T_FAILF("crossing W: %llu early, %llu missed EPOLLIN; last revents 0x%x",
			(unsigned long long)early, (unsigned long long)missed,
			rv);
	if (!below)
		T_FAILF("crossing W: never looked while 1..%u slots were ready (test too slow?)",
			W - 1);
	T_EQ(rv & (POLLHUP | POLLERR), 0);

	/* Blocking poll() and epoll_wait() wake with >= W ready. */
	drain();
	t0 = t_now_ns();
	rv = poll_now(cfd, 5000);
	h1 = head_now();
	printf("blocking poll: revents 0x%x after %.0f ms with %llu ready\n",
	       rv, (t_now_ns() - t0) / 1e6, (unsigned long long)(h1 - tail));
	T_CHECK(rv & POLLIN);
	T_CHECK(h1 - tail >= W);
	drain();
	t0 = t_now_ns();
	ev_bits = epoll_now(5000);
	h1 = head_now();
	printf("blocking epoll_wait: events 0x%x after %.0f ms with %llu ready\n",
	       ev_bits, (t_now_ns() - t0) / 1e6,
	       (unsigned long long)(h1 - tail));
	T_CHECK(ev_bits & EPOLLIN);
	T_CHECK(h1 - tail >= W);
	wait_produced(130, 3000000000ull);
	t_synth_unload();
	drain();

	/* Pollers asleep on an empty ring, in poll() and in epoll_wait(),
	 * are woken by destroy with EPOLLHUP. */
	{
		struct sleeper sl[2];
		struct epoll_event e = { .events = EPOLLIN };
		pthread_t th[2];
		int sfd, k;

		c = t_ring_args(RING2, 8, EDGEAI_DTYPE_F32, CHANNELS);
		T_ASSERT(t_ring_create(fd, &c) > 0);
		sfd = t_open();
		T_ASSERT(t_attach_name(sfd, RING2, EDGEAI_ROLE_CONSUMER, 1,
				       &a) == 0);
		memset(sl, 0, sizeof(sl));
		sl[0].fd = sl[1].fd = sfd;
		sl[0].ep = -1;
		sl[1].ep = epoll_create1(EPOLL_CLOEXEC);
		T_ASSERT(sl[1].ep >= 0);
		T_ASSERT(epoll_ctl(sl[1].ep, EPOLL_CTL_ADD, sfd, &e) == 0);
		for (k = 0; k < 2; k++)
			T_ASSERT(pthread_create(&th[k], NULL, sleeper_main,
						&sl[k]) == 0);
		usleep(300000);
		t0 = t_now_ns();
		T_EQ(t_ring_destroy_name(fd, RING2), 0);
		for (k = 0; k < 2; k++) {
			pthread_join(th[k], NULL);
			printf("sleeping in %s: revents 0x%x, %.0f ms after destroy\n",
			       k ? "epoll_wait" : "poll", sl[k].revents,
			       (sl[k].woke_ns - t0) / 1e6);
			T_CHECK(sl[k].revents & POLLHUP);
			T_CHECK(sl[k].woke_ns - t0 < 2000000000ull);
		}
		close(sl[1].ep);
		close(sfd);
	}

	/* Wake-ups: once per batch, not per sample. One run of 5000
	 * samples at 4 kHz: for the first 3000 a consumer that keeps up (a
	 * thread polling before the driver starts), then for the rest a
	 * consumer that sits on its full ring without reading, so that the
	 * ready count stays at or above W: hardly any wake-up. */
	s0 = stats();
	base = s0.produced;
	{
		pthread_t th;

		keep_base = base;
		T_ASSERT(pthread_create(&th, NULL, keeper, NULL) == 0);
		if (t_synth_load("ring=%s create=N rate_hz=4000 channels=%u dtype=f32 waveform=counter max_samples=5000",
				 RING, CHANNELS))
			keep_stop = 1;
		pthread_join(th, NULL);
	}
	s = stats();
	produced = s.produced - base;
	printf("keeping up: %llu samples, %llu polls, %llu wakeups, drops %llu, max ready at wake %llu\n",
	       (unsigned long long)produced, (unsigned long long)keep_polls,
	       (unsigned long long)(s.wakeups - s0.wakeups),
	       (unsigned long long)(t_drops(&s) - t_drops(&s0)),
	       (unsigned long long)keep_ready_max);
	T_CHECK(produced >= 3000);
	T_CHECK(s.wakeups > s0.wakeups);
	t_checks++;
	if (s.wakeups - s0.wakeups > produced / W + SLACK)
		T_FAILF("%llu wakeups for %llu samples at watermark %u: more than once per batch (limit %llu)",
			(unsigned long long)(s.wakeups - s0.wakeups),
			(unsigned long long)produced, W,
			(unsigned long long)(produced / W + SLACK));

	s0 = s;
	wait_produced(base + 5000, 5000000000ull);
	s = stats();
	printf("idle consumer: %llu samples offered, %llu wakeups, drops %llu\n",
	       (unsigned long long)(s.produced - s0.produced),
	       (unsigned long long)(s.wakeups - s0.wakeups),
	       (unsigned long long)(t_drops(&s) - t_drops(&s0)));
	t_checks++;
	if (s.wakeups - s0.wakeups > (s.produced - s0.produced) / W + SLACK)
		T_FAILF("%llu wakeups for %llu samples into a consumer that did not read (watermark %u)",
			(unsigned long long)(s.wakeups - s0.wakeups),
			(unsigned long long)(s.produced - s0.produced), W);
	t_synth_unload();

	/* Destroy with slots left (10 of the idle consumer's full ring,
	 * fewer than W): EPOLLHUP | EPOLLIN at once, from poll() and from the
	 * epoll set that watched all along; after draining EPOLLHUP only. */
	T_CHECK(head_now() - tail >= W);
	tail = head_now() - 10;
	t_store_release(t_tail(&m), tail);
	(void)stats();		/* the kernel takes the tail in */
	T_EQ(t_ring_destroy_name(fd, RING), 0);
	T_CHECK(*(volatile uint32_t *)((char *)m.ctrl + m.off.ctrl_flags) &
		EDGEAI_CTRL_F_DEAD);
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	T_EQ(t_ioctl(cfd, EDGEAI_IOC_RING_INFO, &info), 0);
	T_EQ(info.state, EDGEAI_RING_STATE_DESTROYED);
	rv = poll_now(cfd, 0);
	printf("destroyed, %llu slots left: revents 0x%x\n",
	       (unsigned long long)(head_now() - tail), rv);
	T_CHECK(rv & POLLHUP);
	T_CHECK(rv & POLLIN);
	ev_bits = epoll_now(0);
	T_CHECK(ev_bits & EPOLLHUP);
	T_CHECK(ev_bits & EPOLLIN);
	drain();
	rv = poll_now(cfd, 0);
	printf("destroyed and drained: revents 0x%x\n", rv);
	T_CHECK(rv & POLLHUP);
	T_EQ(rv & POLLIN, 0);
	T_CHECK(poll_now(cfd, 1000) & POLLHUP);	/* and it does not block */
	ev_bits = epoll_now(0);
	printf("destroyed and drained: epoll_wait on the epoll set that saw it undrained: 0x%x\n",
	       ev_bits);
	T_CHECK(ev_bits & EPOLLHUP);
	{	/* a fresh epoll set polls at EPOLL_CTL_ADD */
		int ep2 = epoll_create1(EPOLL_CLOEXEC);
		struct epoll_event e2 = { .events = EPOLLIN }, out;

		T_ASSERT(ep2 >= 0);
		T_ASSERT(epoll_ctl(ep2, EPOLL_CTL_ADD, cfd, &e2) == 0);
		T_EQ(epoll_wait(ep2, &out, 1, 0), 1);
		printf("destroyed and drained: a fresh epoll set: 0x%x\n",
		       out.events);
		T_CHECK(out.events & EPOLLHUP);
		close(ep2);
	}

	close(ep);
	t_unmap_ring(&m);
	close(cfd);
	xfd = t_open();
	T_ERRNO(t_attach_name(xfd, RING, EDGEAI_ROLE_OBSERVER, 0, &a), ENOENT);
	close(xfd);
	close(fd);
	return t_done();
}
