// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring wait (include/uapi/linux/edgeai.h, EDGEAI_URING_CMD_WAIT):
 * IORING_OP_URING_CMD with struct edgeai_uring_wait in sqe->cmd on an
 * attached consumer fd
 *  - completes at once with res = slots ready when >= min_ready already are;
 *  - stays pending below min_ready and completes with res >= min_ready when
 *    a publish gets there;
 *  - res = -ETIME after timeout_ns with no data;
 *  - a second outstanding wait on the same fd: -EBUSY, the first unharmed;
 *  - EDGEAI_IOC_WAIT_CANCEL: -ECANCELED, and the fd can wait again;
 *  - timeout_ns 0 or > EDGEAI_WAIT_MAX_NS, non-zero flags: -EINVAL;
 *    EDGEAI_WAIT_MAX_NS itself is accepted;
 *  - unknown cmd_op: -EINVAL or -ENOTTY (the spec names neither; printed);
 *  - EDGEAI_FEAT_URING_CMD is set.
 * Data comes from a USER_PRODUCER ring this test publishes into, so every
 * ready count is known exactly.
 */
#include <fcntl.h>
#include <stdint.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <liburing.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"

#define RING	"t_uring"
#define NSLOTS	16u
#define SSIZE	16u
#define SEC	1000000000ull
#define MS	1000000ull

static struct io_uring uring;
static int cfd, pfd, ofd;
static struct t_map cm, pm;
static uint64_t phead, ctail;
static int pending;		/* waits submitted and not yet reaped */

static void cleanup(void)
{
	/* A wait left outstanding would pin the module for its timeout. */
	if (pending && cfd > 0)
		ioctl(cfd, EDGEAI_IOC_WAIT_CANCEL);
	t_destroy_rings(RING, NULL);
}

static void submit(int fd, uint32_t cmd_op, uint32_t min_ready,
		   uint64_t timeout_ns, uint32_t flags, uint64_t tag)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&uring);
	struct edgeai_uring_wait w;

	T_ASSERT(sqe);
	memset(&w, 0, sizeof(w));
	w.min_ready = min_ready;
	w.flags = flags;
	w.timeout_ns = timeout_ns;
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = cmd_op;
	memcpy(sqe->cmd, &w, sizeof(w));
	sqe->user_data = tag;
	T_ASSERT(io_uring_submit(&uring) == 1);
	pending++;
}

static void submit_wait(uint32_t min_ready, uint64_t timeout_ns,
			uint64_t tag)
{
	submit(cfd, EDGEAI_URING_CMD_WAIT, min_ready, timeout_ns, 0, tag);
}

/* The next completion within @ms, or 0 (res in *res, tag returned). */
static uint64_t reap(int ms, int *res)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000ll
	};
	struct io_uring_cqe *cqe;
	uint64_t tag;
	int ret;

	ret = io_uring_wait_cqe_timeout(&uring, &cqe, &ts);
	if (ret)
		return 0;
	tag = cqe->user_data;
	*res = cqe->res;
	io_uring_cqe_seen(&uring, cqe);
	pending--;
	return tag;
}

/* Expect completion @tag with @want (a count >= 0, or -errno) in @ms. */
static int expect(uint64_t tag, int want, int ms, const char *what)
{
	int res = 0;
	uint64_t got = reap(ms, &res);

	t_checks++;
	if (got != tag) {
		T_FAILF("%s: %s", what, got ?
			"another request completed first" :
			"no completion in time");
		return -1000;
	}
	t_checks++;
	if (res != want)
		T_FAILF("%s: res %d (%s), expected %d (%s)", what, res,
			res < 0 ? strerrorname_np(-res) : "count", want,
			want < 0 ? strerrorname_np(-want) : "count");
	return res;
}

/* Nothing may complete within @ms. */
static void expect_none(int ms, const char *what)
{
	int res = 0;
	uint64_t got = reap(ms, &res);

	t_checks++;
	if (got)
		T_FAILF("%s: request %llu completed early with res %d",
			what, (unsigned long long)got, res);
}

static void publish(uint32_t n)
{
	struct edgeai_ring_publish p;
	uint32_t k;

	for (k = 0; k < n; k++) {
		struct edgeai_slot_hdr *h = t_slot(&pm, phead + k);

		h->len = SSIZE;
		h->ts_ns = 0;
		memset(h + 1, (int)(phead + k), SSIZE);
	}
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.head = phead + n;
	T_ASSERT(t_ioctl(pfd, EDGEAI_IOC_RING_PUBLISH, &p) == 0);
	phead += n;
}

static void drain(void)
{
	ctail = t_load_acquire(t_head(&cm));
	t_store_release(t_tail(&cm), ctail);
}

int main(void)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	struct edgeai_ring_stats s0, s1;
	uint64_t feat, t0, el;
	int fd = t_open(), xfd, res, ret;
	static const uint32_t bad_ops[] = { 0, 2, 0x7f, 0xffffffffu };
	unsigned int k;

	feat = t_features(fd);
	T_CHECK(feat & EDGEAI_FEAT_URING_CMD);
	if ((feat & (EDGEAI_FEAT_RINGS | EDGEAI_FEAT_URING_CMD |
		     EDGEAI_FEAT_USER_PRODUCER)) !=
	    (EDGEAI_FEAT_RINGS | EDGEAI_FEAT_URING_CMD |
	     EDGEAI_FEAT_USER_PRODUCER)) {
		T_FAILF("features 0x%llx lack RINGS|URING_CMD|USER_PRODUCER (0x%llx)",
			(unsigned long long)feat,
			(unsigned long long)(EDGEAI_FEAT_RINGS |
					     EDGEAI_FEAT_URING_CMD |
					     EDGEAI_FEAT_USER_PRODUCER));
		return T_FAIL;
	}
	cleanup();
	atexit(cleanup);
	T_ASSERT(io_uring_queue_init(8, &uring, 0) == 0);

	c = t_ring_args(RING, NSLOTS, EDGEAI_DTYPE_U8, SSIZE);
	c.flags = EDGEAI_RING_F_USER_PRODUCER;
	T_ASSERT(t_ring_create(fd, &c) > 0);
	pfd = t_open();
	cfd = t_open();
	ofd = t_open();
	T_ASSERT(t_attach_name(pfd, RING, EDGEAI_ROLE_PRODUCER, 0, &a) == 0);
	T_ASSERT(t_map_ring(pfd, &a, NSLOTS, &pm) == 0);
	T_ASSERT(t_attach_name(cfd, RING, EDGEAI_ROLE_CONSUMER, 0, &a) == 0);
	T_ASSERT(t_map_ring(cfd, &a, NSLOTS, &cm) == 0);
	T_ASSERT(t_attach_name(ofd, RING, EDGEAI_ROLE_OBSERVER, 0, &a) == 0);

	/* Already ready: at once, res = ready count. */
	publish(5);
	t0 = t_now_ns();
	submit_wait(4, 5 * SEC, 1);
	expect(1, 5, 2000, "min_ready 4 with 5 ready");
	el = t_now_ns() - t0;
	printf("ready at submit: completed in %.1f ms\n", el / 1e6);
	T_CHECK(el < SEC);

	/* Nothing comes: -ETIME after timeout_ns, not before. */
	drain();
	t0 = t_now_ns();
	submit_wait(1, 300 * MS, 2);
	expect(2, -ETIME, 5000, "timeout 300 ms, ring empty");
	el = t_now_ns() - t0;
	printf("timeout 300 ms: -ETIME after %.1f ms\n", el / 1e6);
	T_CHECK(el >= 290 * MS && el < 3 * SEC);

	/* Pending below min_ready, completes when a publish gets there. The
	 * kernel must use the consumer's released tail: 5 stale slots
	 * released above do not count as ready. */
	T_ASSERT(t_stats(ofd, 0, &s0) == 0);
	submit_wait(3, 5 * SEC, 3);
	expect_none(150, "min_ready 3, 0 ready");
	publish(2);
	expect_none(150, "min_ready 3, 2 ready");
	publish(2);
	expect(3, 4, 2000, "min_ready 3, then 4 ready");
	T_ASSERT(t_stats(ofd, 0, &s1) == 0);
	printf("wakeups for that wait: %llu\n",
	       (unsigned long long)(s1.wakeups - s0.wakeups));
	T_CHECK(s1.wakeups > s0.wakeups);

	/* One outstanding wait per fd: the second gets -EBUSY, the first
	 * is unharmed and is cancelled by EDGEAI_IOC_WAIT_CANCEL. */
	drain();
	submit_wait(8, 5 * SEC, 4);
	expect_none(50, "first wait");
	submit_wait(1, 5 * SEC, 5);
	expect(5, -EBUSY, 2000, "second outstanding wait on the fd");
	expect_none(50, "first wait after the -EBUSY one");
	t0 = t_now_ns();
	T_EQ(t_ioctl(cfd, EDGEAI_IOC_WAIT_CANCEL, NULL), 0);
	expect(4, -ECANCELED, 2000, "EDGEAI_IOC_WAIT_CANCEL");
	T_CHECK(t_now_ns() - t0 < SEC);

	/* The fd can wait again after a cancel. */
	publish(1);
	submit_wait(1, 5 * SEC, 6);
	expect(6, 1, 2000, "wait after a cancel, 1 ready");
	drain();

	/* EDGEAI_WAIT_MAX_NS is accepted; one more is not. */
	submit_wait(8, EDGEAI_WAIT_MAX_NS, 7);
	expect_none(50, "timeout_ns = EDGEAI_WAIT_MAX_NS");
	T_EQ(t_ioctl(cfd, EDGEAI_IOC_WAIT_CANCEL, NULL), 0);
	expect(7, -ECANCELED, 2000, "cancel the EDGEAI_WAIT_MAX_NS wait");

	submit_wait(1, 0, 8);
	expect(8, -EINVAL, 2000, "timeout_ns 0");
	submit_wait(1, EDGEAI_WAIT_MAX_NS + 1, 9);
	expect(9, -EINVAL, 2000, "timeout_ns EDGEAI_WAIT_MAX_NS + 1");
	submit_wait(1, ~0ull, 10);
	expect(10, -EINVAL, 2000, "timeout_ns ~0");
	submit(cfd, EDGEAI_URING_CMD_WAIT, 1, SEC, 1, 11);
	expect(11, -EINVAL, 2000, "flags 1");
	submit(cfd, EDGEAI_URING_CMD_WAIT, 1, SEC, 0x80000000u, 12);
	expect(12, -EINVAL, 2000, "flags 0x80000000");

	/* Unknown cmd_op: -EINVAL or -ENOTTY. */
	for (k = 0; k < sizeof(bad_ops) / sizeof(bad_ops[0]); k++) {
		submit(cfd, bad_ops[k], 1, SEC, 0, 20 + k);
		res = 0;
		t_checks++;
		if (reap(2000, &res) != 20 + k) {
			T_FAILF("cmd_op 0x%x: no completion", bad_ops[k]);
			continue;
		}
		printf("unknown cmd_op 0x%x: %d (%s)\n", bad_ops[k], res,
		       res < 0 ? strerrorname_np(-res) : "not an error");
		t_checks++;
		if (res != -EINVAL && res != -ENOTTY)
			T_FAILF("cmd_op 0x%x: res %d, expected -EINVAL or -ENOTTY",
				bad_ops[k], res);
	}

	/* Not a consumer fd: refused (the spec says "an attached consumer
	 * fd"; the errnos are printed). */
	xfd = t_open();
	{
		const struct { int fd; const char *name; } who[] = {
			{ xfd, "unattached fd" }, { pfd, "producer fd" },
			{ ofd, "observer fd" },
		};

		for (k = 0; k < 3; k++) {
			submit(who[k].fd, EDGEAI_URING_CMD_WAIT, 1, 200 * MS, 0,
			       30 + k);
			res = 0;
			t_checks++;
			if (reap(2000, &res) != 30 + k) {
				T_FAILF("wait on an %s: no completion",
					who[k].name);
				continue;
			}
			printf("wait on the %s: %d (%s)\n", who[k].name, res,
			       res < 0 ? strerrorname_np(-res) : "count");
			t_checks++;
			if (res >= 0 || res == -ETIME)
				T_FAILF("wait on the %s: res %d, expected an error",
					who[k].name, res);
		}
	}
	close(xfd);
	ret = t_ioctl(cfd, EDGEAI_IOC_WAIT_CANCEL, NULL);
	printf("EDGEAI_IOC_WAIT_CANCEL with nothing outstanding: %d (%s)\n",
	       ret, ret ? strerrorname_np(-ret) : "ok");

	/* Nothing left behind in the uring. */
	T_EQ(pending, 0);
	io_uring_queue_exit(&uring);
	t_unmap_ring(&pm);
	t_unmap_ring(&cm);
	close(pfd);
	close(cfd);
	close(ofd);
	T_EQ(t_ring_destroy_name(fd, RING), 0);
	close(fd);
	return t_done();
}
