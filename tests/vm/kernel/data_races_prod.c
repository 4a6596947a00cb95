// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded races (4 s, and a count bound per thread) around rings that are
 * being written at full rate, on both vCPUs (data_races.c races the ring
 * life cycle itself; this one adds production, netlink, fork and a
 * hostile consumer to it):
 *  - a userspace producer publishing as fast as it can into a
 *    USER_PRODUCER ring, re-attaching (and re-creating) whenever the ring
 *    is destroyed under it;
 *  - edgeai_synth.ko writing 50 kHz into a second ring;
 *  - a consumer attaching to either ring, reading in place and releasing,
 *    and every few rounds scribbling garbage into the CONS tail instead;
 *  - a destroyer removing and re-creating both rings by name;
 *  - netlink RING_GET dumps and STATS_GET requests, every reply parsed and
 *    every ring's counters checked (produced == consumed + drops +
 *    in_ring);
 *  - fork while mapped: the child reads the mapping and exits, the parent
 *    unmaps and closes before or after it;
 *  - rmmod edgeai attempts (refused: this test holds the module).
 * Only the errnos the spec allows may occur; every child exits cleanly; at
 * the end both rings are gone, edgeai_synth unloads, and the module's
 * reference count is back where it was. The harness fails the run on any
 * kernel report (KASAN, lockdep, WARN) the races provoke.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"
#include "edgeai_nl_test.h"
#include "race.h"

#define URING		"t_rp_u"	/* USER_PRODUCER, this test writes */
#define SRING		"t_rp_s"	/* edgeai_synth.ko writes */
#define USLOTS		64u
#define USIZE		32u
#define SSLOTS		256u		/* the synth's slots= below */
#define RACE_NS		4000000000ull
#define MAX_ITERS	2000000u

static const char *const names[2] = { URING, SRING };

static void cleanup(void)
{
	if (t_synth_loaded())
		t_system("rmmod edgeai_synth");
	t_destroy_rings(URING, SRING, NULL);
}

/* ---- outcome tallies ----------------------------------------------- */

enum op {
	OP_UCREATE, OP_PATTACH, OP_PMMAP, OP_PUBLISH, OP_CATTACH, OP_CMMAP,
	OP_DESTROY, OP_DUMP, OP_STATS_GET, OP_OATTACH, OP_FORK, OP_RMMOD,
	OP_MAX
};

static const struct race_op ops[OP_MAX] = {
	[OP_UCREATE] = { "create " URING, RACE_E(EEXIST) },
	/* destroyed between create and attach; or the previous producer's
	 * file lives on in a child the forker thread forked meanwhile */
	[OP_PATTACH] = { "attach producer", RACE_E(ENOENT) | RACE_E(EBUSY) },
	[OP_PMMAP] = { "mmap (producer)", 0 },
	/* the ring was destroyed under the producer */
	[OP_PUBLISH] = { "RING_PUBLISH", RACE_E(ENODEV) },
	/* no such ring; another consumer still mapped (its file lives on) */
	[OP_CATTACH] = { "attach consumer", RACE_E(ENOENT) | RACE_E(EBUSY) },
	[OP_CMMAP] = { "mmap (consumer)", 0 },
	[OP_DESTROY] = { "destroy by name", RACE_E(ENOENT) },
	[OP_DUMP] = { "netlink RING_GET dump", 0 },
	[OP_STATS_GET] = { "netlink STATS_GET", 0 },
	[OP_OATTACH] = { "attach observer (fork)", RACE_E(ENOENT) },
	[OP_FORK] = { "fork while mapped", 0 },
	[OP_RMMOD] = { "rmmod edgeai", RACE_E(EWOULDBLOCK) | RACE_E(EBUSY) },
};

_Static_assert(OP_MAX <= RACE_MAX_OPS, "race.h: too many ops");

static uint64_t published, consumed_slots, scribbles, bad_children;
static uint64_t nl_rings, nl_bad, dump_intr;
static char nl_bad_msg[256];
static volatile int rmmod_worked;

/* ---- the racers ---------------------------------------------------- */

static void *producer(void *arg)
{
	uint32_t i;

	(void)arg;
	for (i = 0; race_running(i, MAX_ITERS); i++) {
		struct edgeai_ring_create c = t_ring_args(URING, USLOTS,
							  EDGEAI_DTYPE_U8,
							  USIZE);
		struct edgeai_ring_attach a;
		struct t_map m;
		uint64_t head;
		uint32_t k;
		int fd, ret;

		c.flags = EDGEAI_RING_F_USER_PRODUCER;
		fd = t_open();
		ret = t_ring_create(fd, &c);
		race_tally(OP_UCREATE, ret < 0 ? -ret : 0);
		ret = t_attach_name(fd, URING, EDGEAI_ROLE_PRODUCER, 0, &a);
		race_tally(OP_PATTACH, -ret);
		if (ret) {
			close(fd);
			continue;
		}
		ret = t_map_ring(fd, &a, USLOTS, &m);
		race_tally(OP_PMMAP, -ret);
		if (ret) {
			close(fd);
			continue;
		}
		head = t_load_acquire(t_head(&m));
		/* Publish at full rate until the ring goes away. */
		for (k = 0; k < 20000 && !race_stop; k++) {
			struct edgeai_ring_publish pub;
			uint64_t floor = t_load_acquire(t_tail_floor(&m));
			uint64_t room = USLOTS - (head - floor), n, p;

			memset(&pub, 0, sizeof(pub));
			pub.size = sizeof(pub);
			n = room < 8 ? room : 8;
			for (p = head; p < head + n; p++) {
				struct edgeai_slot_hdr *h = t_slot(&m, p);

				h->ts_ns = 0;
				h->len = USIZE;
				memset(h + 1, (int)(p & 0xff), USIZE);
			}
			pub.head = head + n;
			pub.dropped = n ? 0 : 1;
			ret = t_ioctl(fd, EDGEAI_IOC_RING_PUBLISH, &pub);
			race_tally(OP_PUBLISH, -ret);
			if (ret)
				break;
			head += n;
			__atomic_fetch_add(&published, n, __ATOMIC_RELAXED);
			if (!(k & 255) && t_now_ns() > race_deadline)
				break;
		}
		t_unmap_ring(&m);
		close(fd);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	uint64_t rng = 0xc0ffee123ull;
	uint32_t i;

	(void)arg;
	for (i = 0; race_running(i, MAX_ITERS); i++) {
		struct edgeai_ring_attach a;
		struct t_map m;
		uint32_t slots, k;
		uint64_t tail;
		int fd = t_open(), ret;

		k = race_xorshift(&rng) & 1;
		ret = t_attach_name(fd, names[k], EDGEAI_ROLE_CONSUMER, 0, &a);
		race_tally(OP_CATTACH, -ret);
		if (ret) {
			close(fd);
			usleep(1000);
			continue;
		}
		slots = k ? SSLOTS : USLOTS;
		ret = t_map_ring(fd, &a, slots, &m);
		race_tally(OP_CMMAP, -ret);
		if (ret) {
			close(fd);
			continue;
		}
		tail = t_load_acquire(t_tail_floor(&m));
		for (k = 0; k < 2000 && !race_stop; k++) {
			uint64_t head = t_load_acquire(t_head(&m));
			uint64_t floor = t_load_acquire(t_tail_floor(&m));
			uint64_t p;

			if (floor > tail)	/* overwritten, or scribbled */
				tail = floor;

			if (i % 4 == 3) {	/* the hostile rounds */
				t_store_release(t_tail(&m), race_xorshift(&rng));
				__atomic_fetch_add(&scribbles, 1,
						   __ATOMIC_RELAXED);
				continue;
			}
			if (head <= tail) {
				sched_yield();
				continue;
			}
			for (p = tail; p < head && p < tail + slots; p++)
				race_touch(t_slot(&m, p), 8);
			t_store_release(t_tail(&m), head);
			__atomic_fetch_add(&consumed_slots, head - tail,
					   __ATOMIC_RELAXED);
			tail = head;
		}
		t_unmap_ring(&m);
		close(fd);
	}
	return NULL;
}

static void *destroyer(void *arg)
{
	uint64_t rng = 0xdeadbeef77ull;
	uint32_t i;
	int fd = t_open();

	(void)arg;
	for (i = 0; race_running(i, MAX_ITERS); i++) {
		usleep(20000 + race_xorshift(&rng) % 200000);
		race_tally(OP_DESTROY,
		      -t_ring_destroy_name(fd, names[race_xorshift(&rng) & 1]));
	}
	close(fd);
	return NULL;
}

static void dump_cb(const struct nlmsghdr *nlh, void *ctx)
{
	struct t_nl_ring r;
	uint64_t d = 0;
	unsigned int k;

	(void)ctx;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		__atomic_fetch_add(&dump_intr, 1, __ATOMIC_RELAXED);
	memset(&r, 0, sizeof(r));
	if (t_nl_ring_parse(nlh, &r) || r.missing || r.extra) {
		if (!__atomic_fetch_add(&nl_bad, 1, __ATOMIC_RELAXED))
			snprintf(nl_bad_msg, sizeof(nl_bad_msg),
				 "malformed ring reply (missing %d, extra %d)",
				 r.missing, r.extra);
		return;
	}
	__atomic_fetch_add(&nl_rings, 1, __ATOMIC_RELAXED);
	for (k = 0; k < sizeof(r.drops) / sizeof(r.drops[0]); k++)
		d += r.drops[k];
	if (r.produced != r.consumed + d + r.in_ring &&
	    !__atomic_fetch_add(&nl_bad, 1, __ATOMIC_RELAXED))
		snprintf(nl_bad_msg, sizeof(nl_bad_msg),
			 "ring %s: produced %llu != consumed %llu + drops %llu + in_ring %llu",
			 r.name, (unsigned long long)r.produced,
			 (unsigned long long)r.consumed,
			 (unsigned long long)d,
			 (unsigned long long)r.in_ring);
}

/* The only thread that uses netlink: t_nl_request has a static buffer. */
static void *dumper(void *arg)
{
	struct t_nl nl;
	uint32_t i;

	(void)arg;
	if (t_nl_open(&nl)) {
		T_FAILF("cannot open the edgeai generic netlink family");
		race_stop = 1;
		return NULL;
	}
	for (i = 0; race_running(i, MAX_ITERS); i++) {
		struct t_msg msg;

		t_msg_edgeai(&msg, &nl, NLM_F_DUMP, EDGEAI_CMD_RING_GET);
		race_tally(OP_DUMP, -t_nl_request(&nl, &msg, dump_cb, NULL));
		t_msg_edgeai(&msg, &nl, 0, EDGEAI_CMD_STATS_GET);
		race_tally(OP_STATS_GET, -t_nl_request(&nl, &msg, NULL, NULL));
	}
	t_nl_close(&nl);
	return NULL;
}

static void *forker(void *arg)
{
	uint64_t rng = 0xf0f0f0f0123ull;
	uint32_t i;

	(void)arg;
	for (i = 0; race_running(i, MAX_ITERS); i++) {
		struct edgeai_ring_attach a;
		uint64_t r = race_xorshift(&rng);
		void *ctrl, *slots;
		int fd = t_open(), ret, st;
		pid_t pid;

		ret = t_attach_name(fd, names[r & 1], EDGEAI_ROLE_OBSERVER, 0,
				    &a);
		race_tally(OP_OATTACH, -ret);
		if (ret) {
			close(fd);
			usleep(1000);
			continue;
		}
		ctrl = mmap(NULL, a.off.ctrl_size, PROT_READ, MAP_SHARED, fd,
			    EDGEAI_OFF_CTRL);
		slots = mmap(NULL, a.off.slots_size, PROT_READ, MAP_SHARED,
			     fd, EDGEAI_OFF_SLOTS);
		if (ctrl == MAP_FAILED || slots == MAP_FAILED) {
			T_FAILF("observer mmap: %s", strerror(errno));
			race_stop = 1;
			close(fd);
			break;
		}
		if ((r >> 1) & 1) {	/* the mappings outlive the fd */
			close(fd);
			fd = -1;
		}
		pid = fork();
		if (pid == 0) {
			usleep((r >> 8) % 2000);
			race_touch(ctrl, a.off.ctrl_size);
			race_touch(slots, a.off.slots_size);
			if ((r >> 2) & 1)
				munmap(slots, a.off.slots_size);
			_exit(0);
		}
		race_tally(OP_FORK, pid < 0 ? errno : 0);
		if ((r >> 3) & 1) {	/* the parent lets go first */
			munmap(ctrl, a.off.ctrl_size);
			munmap(slots, a.off.slots_size);
			if (fd >= 0)
				close(fd);
			fd = -1;
		}
		if (pid > 0 && (waitpid(pid, &st, 0) != pid ||
				!WIFEXITED(st) || WEXITSTATUS(st)))
			__atomic_fetch_add(&bad_children, 1, __ATOMIC_RELAXED);
		if (!((r >> 3) & 1)) {
			race_touch(ctrl, a.off.ctrl_size);
			munmap(ctrl, a.off.ctrl_size);
			munmap(slots, a.off.slots_size);
		}
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static void *rmmoder(void *arg)
{
	uint32_t i;

	(void)arg;
	for (i = 0; race_running(i, MAX_ITERS); i++) {
		long ret = syscall(SYS_delete_module, "edgeai", O_NONBLOCK);

		race_tally(OP_RMMOD, ret ? errno : 0);
		if (!ret) {
			rmmod_worked = 1;
			race_stop = 1;
		}
		usleep(100000);
	}
	return NULL;
}

int main(void)
{
	void *(*const fn[])(void *) = { producer, consumer, destroyer,
		dumper, forker, rmmoder };
	const int nfn = sizeof(fn) / sizeof(fn[0]);
	pthread_t th[sizeof(fn) / sizeof(fn[0])];
	uint64_t start;
	long ref0, ref1;
	int fd = t_open(), k, synth_rc, synth_un = -1;

	t_need_features(fd, EDGEAI_FEAT_RINGS | EDGEAI_FEAT_USER_PRODUCER,
			"rings with a userspace producer");
	t_synth_unload_stale();
	cleanup();
	atexit(cleanup);
	ref0 = t_module_refcnt();

	synth_rc = t_synth_load("ring=%s create=Y slots=%u rate_hz=50000 channels=4 dtype=f32 waveform=counter max_samples=100000000",
				SRING, SSLOTS);
	T_ASSERT(synth_rc == 0);
	start = t_now_ns();
	race_deadline = start + RACE_NS;
	for (k = 0; k < nfn; k++)
		T_ASSERT(pthread_create(&th[k], NULL, fn[k], NULL) == 0);
	while (t_now_ns() < race_deadline && !race_stop)
		usleep(100000);
	race_stop = 1;
	for (k = 0; k < nfn; k++)
		pthread_join(th[k], NULL);
	synth_un = t_system("rmmod edgeai_synth");
	printf("raced for %.2f s: %llu slots published, %llu consumed, %llu tail scribbles, %llu rings in netlink replies (%llu dumps interrupted)\n",
	       (t_now_ns() - start) / 1e9, (unsigned long long)published,
	       (unsigned long long)consumed_slots,
	       (unsigned long long)scribbles, (unsigned long long)nl_rings,
	       (unsigned long long)dump_intr);
	T_EQ(synth_un, 0);

	race_report(ops, OP_MAX, 28);
	/* The races did happen. */
	T_CHECK(published > 0);
	T_CHECK(race_ok[OP_PUBLISH] > 0 && race_ok[OP_CATTACH] > 0);
	T_CHECK(race_ok[OP_DESTROY] > 0 && race_ok[OP_DUMP] > 0);
	T_CHECK(race_ok[OP_FORK] > 0 && nl_rings > 0);
	T_EQ(race_ok[OP_RMMOD], 0);
	T_EQ(rmmod_worked, 0);
	T_EQ(bad_children, 0);
	t_checks++;
	if (nl_bad)
		T_FAILF("%llu bad netlink ring replies, first: %s",
			(unsigned long long)nl_bad, nl_bad_msg);

	for (k = 0; k < 2; k++) {
		int ret = t_ring_destroy_name(fd, names[k]);

		t_checks++;
		if (ret && ret != -ENOENT)
			T_FAILF("final destroy of %s: %s", names[k],
				strerror(-ret));
	}
	for (k = 0; k < 2; k++) {
		struct edgeai_ring_attach a;
		int xfd = t_open();

		T_ERRNO(t_attach_name(xfd, names[k], EDGEAI_ROLE_OBSERVER, 0,
				      &a), ENOENT);
		close(xfd);
	}
	ref1 = t_module_refcnt();
	printf("module refcnt %ld before, %ld after\n", ref0, ref1);
	T_EQ(ref1, ref0);
	T_CHECK(!t_synth_loaded());
	close(fd);
	return t_done();
}
