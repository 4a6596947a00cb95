// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded races (4.5 s on both vCPUs) between everything a ring's life
 * is made of (docs/ring-abi.md, "Life of a ring", "Regions and
 * protections"):
 *  - create / destroy rings by name and by id;
 *  - attach (open, attach by name with any role, close);
 *  - mmap of every region, full and prefix, partial munmap, reading the
 *    mapping after the fd is closed and the ring destroyed;
 *  - RING_INFO / RING_STATS by id, of rings that come and go;
 *  - close (dup2 over the fd) while another thread mmaps it;
 *  - rmmod edgeai (always refused: this test holds an fd);
 *  - edgeai_synth.ko loaded once in the middle, producing into a ring that
 *    the other threads attach to and destroy, and unloaded.
 * Only the errnos the spec allows for each operation may occur; at the end
 * no ring of the test is left, every id is gone, and the module's
 * reference count is back where it was. The harness fails the run on any
 * kernel splat.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"
#include "race.h"

#define NNAMES		5
#define SYNTH_RING	"t_race_s"	/* names[NNAMES - 1] */
#define RACE_NS		4500000000ull
#define MAX_ITERS	1000000u
#define NIDS		64

static const char *const names[NNAMES] = {
	"t_race0", "t_race1", "t_race2", "t_race3", SYNTH_RING
};

/* ---- edgeai_synth.ko ---------------------------------------------- */

static void cleanup(void)
{
	int fd, i;

	if (t_synth_loaded())
		t_system("rmmod edgeai_synth");
	fd = open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < NNAMES; i++)
		t_ring_destroy_name(fd, names[i]);
	close(fd);
}

/* ---- the test ------------------------------------------------------ */

/* ---- outcome tallies ----------------------------------------------- */

enum op {
	OP_CREATE, OP_DESTROY_NAME, OP_DESTROY_ID, OP_ATTACH, OP_MMAP,
	OP_MMAP_PREFIX, OP_MUNMAP, OP_INFO_ID, OP_STATS_ID, OP_STATS_FD,
	OP_CLOSE_MMAP, OP_RMMOD, OP_MAX
};

static const struct race_op ops[OP_MAX] = {
	/* ENOSPC only if max_rings (64) or max_total_bytes (256 MiB) were
	 * reached: 4 names of at most 32 KiB each cannot get there */
	[OP_CREATE] = { "create", RACE_E(EEXIST) },
	[OP_DESTROY_NAME] = { "destroy by name", RACE_E(ENOENT) },
	[OP_DESTROY_ID] = { "destroy by id", RACE_E(ENOENT) },
	/* no such ring, role taken, producer role on a kernel-fed ring */
	[OP_ATTACH] = { "attach", RACE_E(ENOENT) | RACE_E(EBUSY) | RACE_E(EINVAL) },
	/* an attached fd keeps the ring: its regions can always be mapped */
	[OP_MMAP] = { "mmap (attached fd)", 0 },
	[OP_MMAP_PREFIX] = { "mmap prefix (attached fd)", 0 },
	[OP_MUNMAP] = { "munmap", 0 },
	[OP_INFO_ID] = { "RING_INFO by id", RACE_E(ENOENT) },
	[OP_STATS_ID] = { "RING_STATS by id", RACE_E(ENOENT) },
	[OP_STATS_FD] = { "RING_STATS of the attached ring", 0 },
	/* the fd is /dev/null by now, closed, or not (yet) attached */
	[OP_CLOSE_MMAP] = { "mmap racing close", RACE_E(ENODEV) | RACE_E(EBADF) |
			    RACE_E(ENXIO) | RACE_E(EINVAL) },
	/* delete_module with O_NONBLOCK while in use */
	[OP_RMMOD] = { "rmmod edgeai", RACE_E(EWOULDBLOCK) | RACE_E(EBUSY) },
};

_Static_assert(OP_MAX <= RACE_MAX_OPS, "race.h: too many ops");

/* ---- shared state -------------------------------------------------- */

static uint32_t ids[NIDS];		/* ids seen recently */
static uint32_t ids_pos;
static uint32_t all_ids[4096];		/* every id this test created */
static uint32_t all_n;
static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int shared_fd = -1;	/* the close-vs-mmap pair */
static uint64_t bad_stats;		/* invariant broken, seen by a thread */
static char bad_stats_msg[256];
static volatile int rmmod_worked;
static int nullfd;

static void remember(uint32_t id)
{
	pthread_mutex_lock(&ids_lock);
	ids[ids_pos++ % NIDS] = id;
	if (all_n < sizeof(all_ids) / sizeof(all_ids[0]))
		all_ids[all_n++] = id;
	pthread_mutex_unlock(&ids_lock);
}

static uint32_t some_id(uint64_t *rng);

static uint32_t some_id(uint64_t *rng)
{
	uint32_t id;

	pthread_mutex_lock(&ids_lock);
	id = ids[race_xorshift(rng) % NIDS];
	pthread_mutex_unlock(&ids_lock);
	return id ? id : 1;
}

/* ---- the racers ---------------------------------------------------- */

static void *creator(void *arg)
{
	uint64_t rng = 0x1234567ull;
	int fd = t_open();
	uint32_t i;

	(void)arg;
	for (i = 0; race_running(i, MAX_ITERS); i++) {
		const char *name = names[race_xorshift(&rng) % (NNAMES - 1)];
		struct edgeai_ring_create c;
		uint32_t r = (uint32_t)race_xorshift(&rng);
		int ret;

		c = t_ring_args(name, 2u << (r % 8), EDGEAI_DTYPE_U8, 64);
		c.flags = (r >> 8) % 3 == 1 ? EDGEAI_RING_F_OVERWRITE :
			  (r >> 8) % 3 == 2 ? EDGEAI_RING_F_USER_PRODUCER : 0;
		ret = t_ring_create(fd, &c);
		race_tally(OP_CREATE, ret < 0 ? -ret : 0);
		if (ret > 0)
			remember((uint32_t)ret);
		if ((r >> 12) & 1)
			usleep((r >> 13) % 500);
		/* destroy something: any name (the driver's too), or an id */
		if ((r >> 24) & 1) {
			ret = t_ring_destroy_name(fd,
				names[race_xorshift(&rng) % NNAMES]);
			race_tally(OP_DESTROY_NAME, -ret);
		} else {
			ret = t_ring_destroy_id(fd, some_id(&rng));
			race_tally(OP_DESTROY_ID, -ret);
		}
	}
	close(fd);
	return NULL;
}

static void *attacher(void *arg)
{
	uint64_t rng = 0xabcdef12345ull + (uintptr_t)arg, sink = 0;
	uint32_t i;
	static const uint32_t roles[] = { EDGEAI_ROLE_CONSUMER,
		EDGEAI_ROLE_OBSERVER, EDGEAI_ROLE_PRODUCER };

	for (i = 0; race_running(i, MAX_ITERS); i++) {
		struct edgeai_ring_attach a;
		struct edgeai_ring_stats s;
		uint32_t role = roles[race_xorshift(&rng) % 3];
		uint64_t r = race_xorshift(&rng);
		void *ctrl, *slots, *prefix, *cons;
		int fd = t_open(), ret;

		ret = t_attach_name(fd, names[r % NNAMES], role, 0, &a);
		race_tally(OP_ATTACH, -ret);
		if (ret) {
			close(fd);
			continue;
		}
		ctrl = mmap(NULL, a.off.ctrl_size, PROT_READ, MAP_SHARED, fd,
			    EDGEAI_OFF_CTRL);
		race_tally(OP_MMAP, ctrl == MAP_FAILED ? errno : 0);
		slots = mmap(NULL, a.off.slots_size,
			     role == EDGEAI_ROLE_PRODUCER ?
			     PROT_READ | PROT_WRITE : PROT_READ,
			     MAP_SHARED, fd, EDGEAI_OFF_SLOTS);
		race_tally(OP_MMAP, slots == MAP_FAILED ? errno : 0);
		cons = mmap(NULL, a.off.cons_size,
			    role == EDGEAI_ROLE_CONSUMER ?
			    PROT_READ | PROT_WRITE : PROT_READ,
			    MAP_SHARED, fd, EDGEAI_OFF_CONS);
		race_tally(OP_MMAP, cons == MAP_FAILED ? errno : 0);
		prefix = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
			      EDGEAI_OFF_SLOTS);
		race_tally(OP_MMAP_PREFIX, prefix == MAP_FAILED ? errno : 0);
		ret = t_stats(fd, 0, &s);
		race_tally(OP_STATS_FD, -ret);
		if ((r >> 8) & 1) {	/* the mapping outlives the fd */
			close(fd);
			fd = -1;
		}
		if ((r >> 9) & 1)
			usleep((r >> 10) % 300);
		if (ctrl != MAP_FAILED) {
			sink += race_touch(ctrl, a.off.ctrl_size);
			race_tally(OP_MUNMAP, munmap(ctrl, a.off.ctrl_size) ?
			      errno : 0);
		}
		if (slots != MAP_FAILED) {
			size_t len = a.off.slots_size;

			/* partial munmap first when there is more than a
			 * page, then use the rest */
			if (len > 4096 && ((r >> 20) & 1)) {
				race_tally(OP_MUNMAP, munmap(slots, 4096) ?
				      errno : 0);
				slots = (char *)slots + 4096;
				len -= 4096;
			}
			sink += race_touch(slots, len);
			race_tally(OP_MUNMAP, munmap(slots, len) ? errno : 0);
		}
		if (cons != MAP_FAILED) {
			sink += race_touch(cons, a.off.cons_size);
			race_tally(OP_MUNMAP, munmap(cons, a.off.cons_size) ?
			      errno : 0);
		}
		if (prefix != MAP_FAILED) {
			sink += race_touch(prefix, 4096);
			race_tally(OP_MUNMAP, munmap(prefix, 4096) ? errno : 0);
		}
		if (fd >= 0)
			close(fd);
	}
	return (void *)(uintptr_t)(sink & 1);
}

static void *inspector(void *arg)
{
	uint64_t rng = 0x5555aaaa1ull;
	uint32_t i;

	(void)arg;
	for (i = 0; race_running(i, MAX_ITERS); i++) {
		struct edgeai_ring_info info;
		struct edgeai_ring_stats s;
		int ret;

		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.ring_id = some_id(&rng);
		{
			int fd = t_open();

			ret = t_ioctl(fd, EDGEAI_IOC_RING_INFO, &info);
			race_tally(OP_INFO_ID, -ret);
			ret = t_stats(fd, some_id(&rng), &s);
			race_tally(OP_STATS_ID, -ret);
			if (!ret && s.produced != s.consumed + t_drops(&s) +
						  s.in_ring &&
			    !__atomic_fetch_add(&bad_stats, 1,
						__ATOMIC_RELAXED))
				snprintf(bad_stats_msg, sizeof(bad_stats_msg),
					 "ring %u: produced %llu != consumed %llu + drops %llu + in_ring %llu",
					 s.ring_id,
					 (unsigned long long)s.produced,
					 (unsigned long long)s.consumed,
					 (unsigned long long)t_drops(&s),
					 (unsigned long long)s.in_ring);
			close(fd);
		}
	}
	return NULL;
}

/* close-vs-mmap: this thread replaces the fd under the mapper's feet */
static void *closer(void *arg)
{
	uint64_t rng = 0x77777ull;
	uint32_t i;

	(void)arg;
	for (i = 0; race_running(i, MAX_ITERS); i++) {
		struct edgeai_ring_attach a;
		int fd = t_open();

		t_attach_name(fd, names[race_xorshift(&rng) % NNAMES],
			      EDGEAI_ROLE_OBSERVER, 0, &a);
		shared_fd = fd;
		usleep(race_xorshift(&rng) % 400);
		/* atomically closes the edgeai file; the number stays taken */
		dup2(nullfd, fd);
		shared_fd = -1;
		close(fd);
	}
	return NULL;
}

static void *mapper(void *arg)
{
	uint32_t i;

	(void)arg;
	for (i = 0; race_running(i, MAX_ITERS); i++) {
		int fd = shared_fd;
		void *p;

		if (fd < 0) {
			sched_yield();
			continue;
		}
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
			 EDGEAI_OFF_CTRL);
		race_tally(OP_CLOSE_MMAP, p == MAP_FAILED ? errno : 0);
		if (p != MAP_FAILED) {
			race_touch(p, 4096);
			munmap(p, 4096);
		}
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
		if (!ret) {		/* everything after this is moot */
			rmmod_worked = 1;
			race_stop = 1;
		}
		usleep(100000);
	}
	return NULL;
}

int main(void)
{
	pthread_t th[8];
	void *(*const fn[8])(void *) = { creator, attacher, attacher,
		inspector, closer, mapper, rmmoder, NULL };
	uint64_t feat, start;
	long ref0, ref1;
	int fd = t_open(), n, k, synth_rc = -1, synth_un = 0;

	feat = t_features(fd);
	if (!(feat & EDGEAI_FEAT_RINGS)) {
		T_FAILF("features 0x%llx lack EDGEAI_FEAT_RINGS",
			(unsigned long long)feat);
		return T_FAIL;
	}
	t_synth_unload_stale();
	cleanup();
	atexit(cleanup);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	T_ASSERT(nullfd >= 0);
	ref0 = t_module_refcnt();

	start = t_now_ns();
	race_deadline = start + RACE_NS;
	for (n = 0; fn[n]; n++)
		T_ASSERT(pthread_create(&th[n], NULL, fn[n],
					(void *)(uintptr_t)n) == 0);
	/* The driver, once, in the middle. */
	usleep(500000);
	synth_rc = t_synth_load("ring=%s create=Y slots=64 rate_hz=5000 channels=6 dtype=f32 waveform=counter max_samples=100000000",
				SYNTH_RING);
	usleep(1000000);
	if (t_synth_loaded())
		synth_un = t_system("rmmod edgeai_synth");
	while (t_now_ns() < race_deadline && !race_stop)
		usleep(100000);
	race_stop = 1;
	for (k = 0; k < n; k++)
		pthread_join(th[k], NULL);
	printf("raced for %.2f s; synth insmod exit %d, rmmod exit %d\n",
	       (t_now_ns() - start) / 1e9, synth_rc, synth_un);
	T_EQ(synth_rc, 0);
	T_EQ(synth_un, 0);

	race_report(ops, OP_MAX, 32);
	/* The races did happen. */
	T_CHECK(race_ok[OP_CREATE] > 0 && race_ok[OP_ATTACH] > 0 &&
		race_ok[OP_MMAP] > 0 && race_ok[OP_CLOSE_MMAP] +
		race_err[OP_CLOSE_MMAP][ENODEV] > 0);
	T_EQ(race_ok[OP_RMMOD], 0);
	if (rmmod_worked) {
		T_FAILF("rmmod edgeai succeeded while this test held an fd");
		return T_FAIL;
	}
	t_checks++;
	if (bad_stats)
		T_FAILF("%llu stats snapshots broke the invariant, first: %s",
			(unsigned long long)bad_stats, bad_stats_msg);

	/* Clean up what the races left, then nothing of the test remains. */
	for (k = 0; k < NNAMES; k++) {
		int ret = t_ring_destroy_name(fd, names[k]);

		t_checks++;
		if (ret && ret != -ENOENT)
			T_FAILF("final destroy of %s: %s", names[k],
				strerror(-ret));
	}
	for (k = 0; k < NNAMES; k++) {
		struct edgeai_ring_attach a;
		int xfd = t_open();

		T_ERRNO(t_attach_name(xfd, names[k], EDGEAI_ROLE_OBSERVER, 0,
				      &a), ENOENT);
		close(xfd);
	}
	for (k = 0; k < (int)all_n; k++) {
		struct edgeai_ring_info info;
		int ret;

		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.ring_id = all_ids[k];
		ret = t_ioctl(fd, EDGEAI_IOC_RING_INFO, &info);
		t_checks++;
		if (ret != -ENOENT)
			T_FAILF("ring id %u (%s) still answers RING_INFO: %d",
				all_ids[k], info.name, ret);
	}
	/* Clean means usable: a ring can be created again. */
	{
		struct edgeai_ring_create c = t_ring_args(names[0], 4096,
							  EDGEAI_DTYPE_F32, 6);
		int ret = t_ring_create(fd, &c);

		t_checks++;
		if (ret < 0)
			T_FAILF("after the races, creating a 4096-slot ring fails: %s",
				strerror(-ret));
		else
			T_EQ(t_ring_destroy_id(fd, (uint32_t)ret), 0);
	}
	ref1 = t_module_refcnt();
	printf("%u rings created; module refcnt %ld before, %ld after\n",
	       all_n, ref0, ref1);
	T_EQ(ref1, ref0);
	T_CHECK(!t_synth_loaded());
	close(nullfd);
	close(fd);
	return t_done();
}
