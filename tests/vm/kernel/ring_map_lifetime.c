// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetime of ring mappings (docs/ring-abi.md "Regions and protections",
 * "Life of a ring"): every mapping holds a ring reference, including the
 * copies fork makes and the pieces a partial munmap leaves, so the memory
 * outlives close(fd), the mapping process and ring destruction, until the
 * last munmap. A mapping also holds its open file, so a closed fd stays
 * attached (its role taken, its reference counted) until its last mapping
 * goes. RING_INFO.refs counts exactly the registry, attached open files
 * and mappings at every step. The matrix:
 *   mmap -> close fd -> read -> munmap
 *   mmap -> fork -> child exits first / parent unmaps and closes first
 *   partial munmap of SLOTS (middle page gone, the rest readable)
 *   destroy while attached and mapped: name and id gone at once (ENOENT,
 *   the name can be reused), mapping still readable with CTRL_F_DEAD set,
 *   RING_INFO through the attached fd says DESTROYED, refs drop to 0 as
 *   mappings go.
 * Leaks after the last munmap are for the vm lane's kernel log checks.
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

#define RING	"t_rml"
#define NSLOTS	16u
#define SSIZE	1000u		/* stride 1088: SLOTS spans 5 pages */
#define NPUB	11u		/* slots published before the matrix */

static int g_adm = -1;
static long g_page;
static pid_t g_main_pid;

static void cleanup(void)
{
	if (getpid() != g_main_pid)	/* a child's exit is not the end */
		return;
	t_destroy_rings(RING, NULL);
}

/* References as RING_INFO reports them, through @fd (id 0: attached). */
static long refs_via(int fd, uint32_t id)
{
	struct edgeai_ring_info in;
	int r = t_ring_info(fd, id, &in);

	return r ? r : (long)in.refs;
}

static uint8_t pattern(uint64_t i, uint32_t b)
{
	return (uint8_t)(i * 7 + b * 13 + 1);
}

/* A USER_PRODUCER ring with NPUB slots published; nothing holds it. */
static uint32_t make_ring(void)
{
	struct edgeai_ring_create c = t_ring_args(RING, NSLOTS,
						  EDGEAI_DTYPE_U8, SSIZE);
	struct edgeai_ring_publish pub;
	struct edgeai_ring_attach a;
	struct t_map m;
	uint32_t b;
	uint64_t i;
	int id, pfd;

	c.flags = EDGEAI_RING_F_USER_PRODUCER;
	id = t_ring_create(g_adm, &c);
	T_ASSERT(id > 0);
	pfd = t_open();
	T_ASSERT(t_attach_id(pfd, id, EDGEAI_ROLE_PRODUCER, 0, &a) == 0);
	T_ASSERT(t_map_ring(pfd, &a, NSLOTS, &m) == 0);
	for (i = 0; i < NPUB; i++) {
		struct edgeai_slot_hdr *h = t_slot(&m, i);
		uint8_t *p = (uint8_t *)(h + 1);

		h->ts_ns = 0;
		h->sensor_id = 100 + (uint32_t)i;
		h->tag = 0;
		h->flags = 0;
		h->len = SSIZE;
		for (b = 0; b < SSIZE; b++)
			p[b] = pattern(i, b);
	}
	memset(&pub, 0, sizeof(pub));
	pub.size = sizeof(pub);
	pub.head = NPUB;
	T_ASSERT(t_ioctl(pfd, EDGEAI_IOC_RING_PUBLISH, &pub) == 0);
	t_unmap_ring(&m);
	close(pfd);
	T_EQ(refs_via(g_adm, id), 1);
	return id;
}

/* The published slots, as every mapping must show them. */
static void check_data(const struct t_map *m, int dead)
{
	uint64_t head = t_load_acquire(t_head(m));
	uint32_t flags = *(volatile uint32_t *)((char *)m->ctrl +
						m->off.ctrl_flags);
	uint64_t i;

	T_EQ(head, NPUB);
	T_EQ(*t_tail_floor(m), 0);
	T_EQ(*t_tail(m), 0);
	T_EQ(!!(flags & EDGEAI_CTRL_F_DEAD), dead);
	for (i = 0; i < NPUB; i++) {
		const struct edgeai_slot_hdr *h = t_slot(m, i);
		const uint8_t *p = (const uint8_t *)(h + 1);
		uint32_t b, bad = 0;

		T_EQ(h->seq, i);
		T_EQ(h->len, SSIZE);
		T_EQ(h->sensor_id, 100 + i);
		T_CHECK(h->ts_ns != 0);
		for (b = 0; b < SSIZE; b++)
			bad += p[b] != pattern(i, b);
		T_EQ(bad, 0);
	}
}

/* Consumer fd attached and all three regions mapped. */
static int attach_map(uint32_t id, uint32_t role, struct t_map *m)
{
	struct edgeai_ring_attach a;
	int fd = t_open();

	T_ASSERT(t_attach_id(fd, id, role, 0, &a) == 0);
	T_ASSERT(t_map_ring(fd, &a, NSLOTS, m) == 0);
	return fd;
}

/*
 * mmap -> close fd -> use -> munmap, one region at a time. The mappings
 * hold the open file (and with it the attachment and its reference) until
 * the last one goes.
 */
static void case_close_first(uint32_t id)
{
	struct edgeai_ring_attach a;
	struct t_map m;
	int fd = attach_map(id, EDGEAI_ROLE_CONSUMER, &m);
	int fd2 = t_open();

	T_EQ(refs_via(g_adm, id), 1 + 1 + 3);
	close(fd);
	T_EQ(refs_via(g_adm, id), 1 + 1 + 3);
	check_data(&m, 0);
	/* The mapped file is still the ring's consumer. */
	T_ERRNO(t_attach_id(fd2, id, EDGEAI_ROLE_CONSUMER, 0, &a), EBUSY);
	T_EQ(munmap(m.slots, m.slots_len), 0);
	T_EQ(refs_via(g_adm, id), 1 + 1 + 2);
	T_EQ(t_load_acquire(t_head(&m)), NPUB);
	T_EQ(munmap(m.cons, m.cons_len), 0);
	T_EQ(refs_via(g_adm, id), 1 + 1 + 1);
	T_EQ(t_load_acquire(t_head(&m)), NPUB);
	T_EQ(munmap(m.ctrl, m.ctrl_len), 0);
	/* The last munmap released the file: back to the registry's. */
	T_EQ(refs_via(g_adm, id), 1);
	/* ... and the consumer role with it. */
	T_EQ(t_attach_id(fd2, id, EDGEAI_ROLE_CONSUMER, 0, &a), 0);
	T_EQ(refs_via(g_adm, id), 1 + 1);
	close(fd2);
	T_EQ(refs_via(g_adm, id), 1);
}

/* mmap -> fork -> the child reads and exits first. */
static void case_fork_child_first(uint32_t id)
{
	struct t_map m;
	int fd = attach_map(id, EDGEAI_ROLE_OBSERVER, &m);
	pid_t pid;

	T_EQ(refs_via(g_adm, id), 1 + 1 + 3);
	pid = t_fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		/* The child's copies of the three mappings are references. */
		T_EQ(refs_via(g_adm, id), 1 + 1 + 3 + 3);
		check_data(&m, 0);
		t_child_exit();
	}
	T_EQ(t_wait_child(pid), 0);
	T_EQ(refs_via(g_adm, id), 1 + 1 + 3);
	check_data(&m, 0);
	t_unmap_ring(&m);
	T_EQ(refs_via(g_adm, id), 1 + 1);
	close(fd);
	T_EQ(refs_via(g_adm, id), 1);
}

/* mmap -> fork -> the parent unmaps and closes first; the child reads. */
static void case_fork_parent_first(uint32_t id)
{
	struct t_map m;
	int fd = attach_map(id, EDGEAI_ROLE_CONSUMER, &m);
	int go[2], done[2];
	char c = 0;
	pid_t pid;

	T_ASSERT(pipe(go) == 0 && pipe(done) == 0);
	pid = t_fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		int afd;

		close(go[1]);
		close(done[0]);
		close(fd);
		T_ASSERT(write(done[1], &c, 1) == 1);
		T_ASSERT(read(go[0], &c, 1) == 1);
		/* The parent has no mapping and no fd left: our mappings
		 * hold the ring and the (shared) open file. */
		afd = t_open();
		T_EQ(refs_via(afd, id), 1 + 1 + 3);
		check_data(&m, 0);
		t_unmap_ring(&m);
		T_EQ(refs_via(afd, id), 1);
		close(afd);
		t_child_exit();
	}
	close(go[0]);
	close(done[1]);
	T_ASSERT(read(done[0], &c, 1) == 1);	/* the child closed its fd */
	close(done[0]);
	/* Child's copies are taken: parent 3 + child 3, plus the fd. */
	T_EQ(refs_via(g_adm, id), 1 + 1 + 6);
	t_unmap_ring(&m);
	close(fd);
	T_EQ(refs_via(g_adm, id), 1 + 1 + 3);
	T_ASSERT(write(go[1], &c, 1) == 1);
	close(go[1]);
	T_EQ(t_wait_child(pid), 0);
	T_EQ(refs_via(g_adm, id), 1);
}

/* Partial munmap: the middle page of SLOTS goes, the rest stays. */
static void case_partial_munmap(uint32_t id)
{
	struct t_map m;
	int fd = attach_map(id, EDGEAI_ROLE_CONSUMER, &m);
	uint8_t *s = m.slots;
	size_t mid = (m.slots_len / g_page / 2) * g_page;
	uint8_t first = s[0], last = s[m.slots_len - 1];
	uint8_t head_byte = s[mid - 1], tail_byte = s[mid + g_page];
	pid_t pid;

	T_ASSERT(m.slots_len >= 3 * (size_t)g_page);
	close(fd);
	T_EQ(refs_via(g_adm, id), 1 + 1 + 3);
	T_EQ(munmap(s + mid, g_page), 0);
	/* Two pieces of SLOTS now: each holds a reference. */
	T_EQ(refs_via(g_adm, id), 1 + 1 + 4);
	T_EQ(s[0], first);
	T_EQ(s[mid - 1], head_byte);
	T_EQ(s[mid + g_page], tail_byte);
	T_EQ(s[m.slots_len - 1], last);
	/* The hole is a hole. */
	pid = t_fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);
		signal(SIGSEGV, SIG_DFL);
		_exit(*(volatile uint8_t *)(s + mid) == 0xee ? 2 : 3);
	}
	T_EQ(t_wait_child(pid), 128 + SIGSEGV);
	/* Slot data on both sides is intact. */
	{
		const struct edgeai_slot_hdr *h = t_slot(&m, 0);

		T_EQ(h->seq, 0);
		T_EQ(h->sensor_id, 100);
	}
	/* Unmap the head piece, then the tail piece. */
	T_EQ(munmap(s, mid), 0);
	T_EQ(refs_via(g_adm, id), 1 + 1 + 3);
	T_EQ(s[m.slots_len - 1], last);
	T_EQ(munmap(s + mid + g_page, m.slots_len - mid - g_page), 0);
	T_EQ(refs_via(g_adm, id), 1 + 1 + 2);
	T_EQ(munmap(m.ctrl, m.ctrl_len), 0);
	T_EQ(munmap(m.cons, m.cons_len), 0);
	T_EQ(refs_via(g_adm, id), 1);
}

/* Destroy while an fd is attached and everything is mapped. */
static void case_destroy_mapped(uint32_t id)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	struct edgeai_ring_info in;
	struct edgeai_ring_stats st;
	struct t_map m, om;
	int fd = attach_map(id, EDGEAI_ROLE_CONSUMER, &m);
	int ofd = attach_map(id, EDGEAI_ROLE_OBSERVER, &om);
	int fd2, id2;

	T_EQ(refs_via(g_adm, id), 1 + 2 + 6);
	T_EQ(t_ring_destroy_name(g_adm, RING), 0);

	/* Name and id are gone at once. */
	fd2 = t_open();
	T_ERRNO(t_attach_name(fd2, RING, EDGEAI_ROLE_OBSERVER, 0, &a), ENOENT);
	T_ERRNO(t_attach_id(fd2, id, EDGEAI_ROLE_OBSERVER, 0, &a), ENOENT);
	T_ERRNO(t_ring_info(fd2, id, &in), ENOENT);
	T_ERRNO(t_stats(fd2, id, &st), ENOENT);
	T_ERRNO(t_ring_destroy_name(g_adm, RING), ENOENT);
	T_ERRNO(t_ring_destroy_id(g_adm, id), ENOENT);
	close(fd2);

	/* The old mapping is still the ring's memory, marked dead. */
	check_data(&m, 1);
	check_data(&om, 1);

	/* Through the attached fd: DESTROYED, no registry reference. */
	T_EQ(t_ring_info(fd, 0, &in), 0);
	T_EQ(in.ring_id, id);
	T_EQ(in.state, EDGEAI_RING_STATE_DESTROYED);
	T_EQ(in.refs, 2 + 6);
	T_STREQ(in.name, RING);
	T_EQ(t_stats(fd, 0, &st), 0);
	T_EQ(st.produced, NPUB);
	T_EQ(st.in_ring, NPUB);

	/* The name is free for a new, different ring. */
	c = t_ring_args(RING, 4, EDGEAI_DTYPE_F32, 2);
	id2 = t_ring_create(g_adm, &c);
	T_CHECK(id2 > 0);
	T_CHECK(id2 != (int)id);
	fd2 = t_open();
	T_EQ(t_attach_name(fd2, RING, EDGEAI_ROLE_CONSUMER, 0, &a), 0);
	T_EQ(a.ring_id, id2);
	T_EQ(t_ring_info(fd2, 0, &in), 0);
	T_EQ(in.state, EDGEAI_RING_STATE_LIVE);
	T_EQ(in.slot_count, 4);
	close(fd2);
	/* ... and the old one is unaffected by it. */
	check_data(&m, 1);
	T_EQ(refs_via(fd, 0), 2 + 6);

	/* References drop as mappings and fds go. */
	t_unmap_ring(&om);
	T_EQ(refs_via(fd, 0), 2 + 3);
	close(ofd);
	T_EQ(refs_via(fd, 0), 1 + 3);
	T_EQ(munmap(m.slots, m.slots_len), 0);
	T_EQ(refs_via(fd, 0), 1 + 2);
	/* Last fd goes first; the mappings alone keep the memory. */
	close(fd);
	T_EQ(t_load_acquire(t_head(&m)), NPUB);
	T_EQ(*t_tail(&m), 0);
	T_EQ(munmap(m.cons, m.cons_len), 0);
	T_EQ(t_load_acquire(t_head(&m)), NPUB);
	T_EQ(munmap(m.ctrl, m.ctrl_len), 0);

	if (id2 > 0)
		T_EQ(t_ring_destroy_id(g_adm, id2), 0);
}

int main(void)
{
	uint32_t id;

	g_page = sysconf(_SC_PAGESIZE);
	g_main_pid = getpid();
	g_adm = t_open();
	t_need_features(g_adm, EDGEAI_FEAT_RINGS | EDGEAI_FEAT_USER_PRODUCER,
			"EDGEAI_FEAT_RINGS/USER_PRODUCER");
	cleanup();
	atexit(cleanup);

	id = make_ring();
	case_close_first(id);
	case_fork_child_first(id);
	case_fork_parent_first(id);
	case_partial_munmap(id);
	case_destroy_mapped(id);

	T_ERRNO(t_ring_destroy_name(g_adm, RING), ENOENT);
	close(g_adm);
	return t_done();
}
