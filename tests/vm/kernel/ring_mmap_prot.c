// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of a ring's regions (docs/ring-abi.md "Regions and protections"):
 * an unattached fd cannot map; a mapping must start at a region offset,
 * be MAP_SHARED and not be longer than the region (EINVAL); regions are
 * read-only unless the role owns them (CONS for the consumer, SLOTS for a
 * USER_PRODUCER ring's producer): mmap(PROT_WRITE) of one fails with
 * EPERM, mprotect(PROT_WRITE) of a read-only mapping with EACCES, and a
 * store into one kills the process with SIGSEGV. Mappings cannot grow by
 * mremap, may shrink, and prefixes are fine. Failed mmaps take no ring
 * reference (RING_INFO refs unchanged).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"

#define RK	"t_rmp_kfed"
#define RU	"t_rmp_user"
#define NSLOTS	64u		/* x 128-byte stride: two pages of slots */

static long g_page;

static void cleanup(void)
{
	t_destroy_rings(RK, RU, NULL);
}

static uint32_t refs(int fd, uint32_t id)
{
	struct edgeai_ring_info in;

	T_ASSERT(t_ring_info(fd, id, &in) == 0);
	return in.refs;
}

/* mmap returning 0 (and unmapping) or -errno. */
static int try_map(int fd, size_t len, int prot, int flags, uint64_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, (off_t)off);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

static void *map(int fd, size_t len, int prot, uint64_t off)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)off);

	t_checks++;
	if (p == MAP_FAILED) {
		T_FAILF("mmap(len %zu, prot %d, off 0x%llx): %s", len, prot,
			(unsigned long long)off, strerror(errno));
		exit(T_FAIL);
	}
	return p;
}

/* A store into @p in a child: 0 if it worked, else the killing signal. */
static int child_store(volatile uint8_t *p)
{
	pid_t pid = fork();
	int st;

	T_ASSERT(pid >= 0);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		/* Die of the signal, without leaving a core file behind. */
		setrlimit(RLIMIT_CORE, &no_core);
		signal(SIGSEGV, SIG_DFL);
		*p = 0x5a;
		_exit(0);
	}
	T_ASSERT(waitpid(pid, &st, 0) == pid);
	if (WIFSIGNALED(st))
		return WTERMSIG(st);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

#define RO(fd, off, len)						\
	do {								\
		T_ERRNO(try_map(fd, len, PROT_WRITE, MAP_SHARED, off), EPERM); \
		T_ERRNO(try_map(fd, len, PROT_READ | PROT_WRITE,	\
				MAP_SHARED, off), EPERM);		\
	} while (0)

/* A read-only mapping: no mprotect to writable, no store. */
static void check_ro_mapping(int fd, uint64_t off, size_t len)
{
	uint8_t *p = map(fd, len, PROT_READ, off);
	volatile uint8_t before = p[len - 1];

	T_EQ(mprotect(p, len, PROT_READ | PROT_WRITE), -1);
	T_EQ(errno, EACCES);
	T_EQ(mprotect(p, g_page, PROT_WRITE), -1);
	T_EQ(errno, EACCES);
	T_EQ(child_store(p), SIGSEGV);
	T_EQ(child_store(p + len - 1), SIGSEGV);
	T_EQ(p[len - 1], before);
	/* Dropping to PROT_NONE and back to read is allowed. */
	T_EQ(mprotect(p, len, PROT_NONE), 0);
	T_EQ(mprotect(p, len, PROT_READ), 0);
	T_EQ(p[len - 1], before);
	T_EQ(munmap(p, len), 0);
}

static void check_layout_errors(int fd, const struct edgeai_ring_offsets *o)
{
	/* Offsets that are no region start. */
	T_ERRNO(try_map(fd, g_page, PROT_READ, MAP_SHARED, 0x1000), EINVAL);
	T_ERRNO(try_map(fd, g_page, PROT_READ, MAP_SHARED,
			EDGEAI_OFF_CONS + g_page), EINVAL);
	T_ERRNO(try_map(fd, g_page, PROT_READ, MAP_SHARED,
			EDGEAI_OFF_SLOTS + g_page), EINVAL);
	T_ERRNO(try_map(fd, g_page, PROT_READ, MAP_SHARED,
			EDGEAI_OFF_CONS - g_page), EINVAL);
	T_ERRNO(try_map(fd, g_page, PROT_READ, MAP_SHARED, 0x30000000),
		EINVAL);
	T_ERRNO(try_map(fd, g_page, PROT_READ, MAP_SHARED, 0x40000000),
		EINVAL);
	T_ERRNO(try_map(fd, g_page, PROT_READ, MAP_SHARED,
			0x7ffffffff000ull), EINVAL);
	/* Longer than the region. */
	T_ERRNO(try_map(fd, o->ctrl_size + g_page, PROT_READ, MAP_SHARED,
			EDGEAI_OFF_CTRL), EINVAL);
	T_ERRNO(try_map(fd, o->cons_size + g_page, PROT_READ, MAP_SHARED,
			EDGEAI_OFF_CONS), EINVAL);
	T_ERRNO(try_map(fd, o->slots_size + g_page, PROT_READ, MAP_SHARED,
			EDGEAI_OFF_SLOTS), EINVAL);
	T_ERRNO(try_map(fd, 256ul << 20, PROT_READ, MAP_SHARED,
			EDGEAI_OFF_SLOTS), EINVAL);
	/* Not shared. */
	T_ERRNO(try_map(fd, o->ctrl_size, PROT_READ, MAP_PRIVATE,
			EDGEAI_OFF_CTRL), EINVAL);
	T_ERRNO(try_map(fd, o->slots_size, PROT_READ, MAP_PRIVATE,
			EDGEAI_OFF_SLOTS), EINVAL);
	T_ERRNO(try_map(fd, o->cons_size, PROT_READ, MAP_PRIVATE,
			EDGEAI_OFF_CONS), EINVAL);
	/* Exactly the region, and a prefix, are fine. */
	T_EQ(try_map(fd, o->ctrl_size, PROT_READ, MAP_SHARED, EDGEAI_OFF_CTRL),
	     0);
	T_EQ(try_map(fd, o->slots_size, PROT_READ, MAP_SHARED,
		     EDGEAI_OFF_SLOTS), 0);
	T_EQ(try_map(fd, g_page, PROT_READ, MAP_SHARED, EDGEAI_OFF_SLOTS), 0);
	T_EQ(try_map(fd, 1, PROT_READ, MAP_SHARED, EDGEAI_OFF_SLOTS), 0);
}

static void check_mremap(int fd, const struct edgeai_ring_offsets *o)
{
	uint8_t *p, *q, v;

	/* Growing fails, in place or moving, even inside the region. */
	p = map(fd, o->ctrl_size, PROT_READ, EDGEAI_OFF_CTRL);
	T_CHECK(mremap(p, o->ctrl_size, o->ctrl_size + g_page, 0) ==
		MAP_FAILED);
	T_CHECK(mremap(p, o->ctrl_size, o->ctrl_size + g_page,
		       MREMAP_MAYMOVE) == MAP_FAILED);
	T_EQ(munmap(p, o->ctrl_size), 0);

	T_ASSERT(o->slots_size >= 2 * (uint64_t)g_page);
	p = map(fd, g_page, PROT_READ, EDGEAI_OFF_SLOTS);
	T_CHECK(mremap(p, g_page, 2 * g_page, 0) == MAP_FAILED);
	T_CHECK(mremap(p, g_page, 2 * g_page, MREMAP_MAYMOVE) == MAP_FAILED);
	T_EQ(munmap(p, g_page), 0);

	/* Shrinking works and the rest stays readable. */
	p = map(fd, o->slots_size, PROT_READ, EDGEAI_OFF_SLOTS);
	v = p[0];
	q = mremap(p, o->slots_size, g_page, 0);
	T_CHECK(q == p);
	if (q != MAP_FAILED) {
		T_EQ(q[0], v);
		T_EQ(q[g_page - 1], p[g_page - 1]);
		T_EQ(munmap(q, g_page), 0);
	}
}

int main(void)
{
	struct edgeai_ring_create kc, uc;
	struct edgeai_ring_attach a;
	struct edgeai_ring_offsets o;
	int adm, fd, cfd, ofd, pfd, ucfd, kid, uid;
	uint32_t r0;
	uint64_t *tail;
	uint8_t *p;

	g_page = sysconf(_SC_PAGESIZE);
	adm = t_open();
	t_need_rings(adm);
	cleanup();
	atexit(cleanup);

	kc = t_ring_args(RK, NSLOTS, EDGEAI_DTYPE_U8, 64);
	kid = t_ring_create(adm, &kc);
	T_ASSERT(kid > 0);
	uc = t_ring_args(RU, 8, EDGEAI_DTYPE_U8, 64);
	uc.flags = EDGEAI_RING_F_USER_PRODUCER;
	uid = t_ring_create(adm, &uc);
	T_ASSERT(uid > 0);

	/* Not attached: nothing to map, at any region. */
	fd = t_open();
	T_ERRNO(try_map(fd, g_page, PROT_READ, MAP_SHARED, EDGEAI_OFF_CTRL),
		EINVAL);
	T_ERRNO(try_map(fd, g_page, PROT_READ, MAP_SHARED, EDGEAI_OFF_CONS),
		EINVAL);
	T_ERRNO(try_map(fd, g_page, PROT_READ, MAP_SHARED, EDGEAI_OFF_SLOTS),
		EINVAL);
	close(fd);

	/* The consumer. */
	cfd = t_open();
	T_ASSERT(t_attach_id(cfd, kid, EDGEAI_ROLE_CONSUMER, 0, &a) == 0);
	o = a.off;
	r0 = refs(adm, kid);
	T_EQ(r0, 2);
	check_layout_errors(cfd, &o);
	RO(cfd, EDGEAI_OFF_CTRL, o.ctrl_size);
	RO(cfd, EDGEAI_OFF_SLOTS, o.slots_size);
	RO(cfd, EDGEAI_OFF_SLOTS, g_page);
	T_EQ(refs(adm, kid), r0);		/* failures hold nothing */
	check_ro_mapping(cfd, EDGEAI_OFF_CTRL, o.ctrl_size);
	check_ro_mapping(cfd, EDGEAI_OFF_SLOTS, o.slots_size);
	check_mremap(cfd, &o);
	T_EQ(refs(adm, kid), r0);

	/* The consumer's CONS page is writable and keeps VM_MAYWRITE. */
	p = map(cfd, o.cons_size, PROT_READ | PROT_WRITE, EDGEAI_OFF_CONS);
	T_EQ(refs(adm, kid), r0 + 1);
	tail = (uint64_t *)(p + o.cons_tail);
	T_EQ(*tail, 0);
	t_store_release(tail, 0);	/* the value it has: nothing released */
	T_EQ(child_store(p + o.cons_size - 1), 0);
	T_EQ(p[o.cons_size - 1], 0x5a);	/* MAP_SHARED: the child's store */
	p[o.cons_size - 1] = 0;
	T_EQ(mprotect(p, o.cons_size, PROT_READ), 0);
	T_EQ(child_store(p + o.cons_size - 1), SIGSEGV);
	T_EQ(mprotect(p, o.cons_size, PROT_READ | PROT_WRITE), 0);
	T_EQ(munmap(p, o.cons_size), 0);
	T_EQ(refs(adm, kid), r0);
	{
		struct edgeai_ring_stats st;

		T_EQ(t_stats(adm, kid, &st), 0);
		T_EQ(st.bad_index, 0);
	}

	/* An observer: every region read-only. */
	ofd = t_open();
	T_ASSERT(t_attach_name(ofd, RK, EDGEAI_ROLE_OBSERVER, 0, &a) == 0);
	RO(ofd, EDGEAI_OFF_CTRL, o.ctrl_size);
	RO(ofd, EDGEAI_OFF_CONS, o.cons_size);
	RO(ofd, EDGEAI_OFF_SLOTS, o.slots_size);
	check_ro_mapping(ofd, EDGEAI_OFF_CONS, o.cons_size);
	check_ro_mapping(ofd, EDGEAI_OFF_CTRL, o.ctrl_size);
	check_layout_errors(ofd, &o);
	close(ofd);
	close(cfd);
	T_EQ(refs(adm, kid), 1);

	/* USER_PRODUCER ring: the producer writes SLOTS, not CONS or CTRL;
	 * its consumer may not write SLOTS. */
	pfd = t_open();
	T_ASSERT(t_attach_id(pfd, uid, EDGEAI_ROLE_PRODUCER, 0, &a) == 0);
	o = a.off;
	RO(pfd, EDGEAI_OFF_CTRL, o.ctrl_size);
	RO(pfd, EDGEAI_OFF_CONS, o.cons_size);
	check_ro_mapping(pfd, EDGEAI_OFF_CONS, o.cons_size);
	p = map(pfd, o.slots_size, PROT_READ | PROT_WRITE, EDGEAI_OFF_SLOTS);
	p[o.slots_size - 1] = 0xa5;
	T_EQ(p[o.slots_size - 1], 0xa5);
	T_EQ(mprotect(p, o.slots_size, PROT_READ), 0);
	T_EQ(mprotect(p, o.slots_size, PROT_READ | PROT_WRITE), 0);

	ucfd = t_open();
	T_ASSERT(t_attach_id(ucfd, uid, EDGEAI_ROLE_CONSUMER, 0, &a) == 0);
	RO(ucfd, EDGEAI_OFF_SLOTS, o.slots_size);
	RO(ucfd, EDGEAI_OFF_CTRL, o.ctrl_size);
	{
		/* ... but it reads what the producer wrote, in place. */
		uint8_t *q = map(ucfd, o.slots_size, PROT_READ,
				 EDGEAI_OFF_SLOTS);

		T_EQ(q[o.slots_size - 1], 0xa5);
		T_EQ(munmap(q, o.slots_size), 0);
		q = map(ucfd, o.cons_size, PROT_READ | PROT_WRITE,
			EDGEAI_OFF_CONS);
		T_EQ(munmap(q, o.cons_size), 0);
	}
	T_EQ(munmap(p, o.slots_size), 0);
	close(ucfd);
	close(pfd);
	T_EQ(refs(adm, uid), 1);

	T_EQ(t_ring_destroy_id(adm, kid), 0);
	T_EQ(t_ring_destroy_id(adm, uid), 0);
	close(adm);
	return t_done();
}
