// SPDX-License-Identifier: GPL-2.0
/*
 * EDGEAI_IOC_RING_ATTACH (docs/ring-abi.md "Life of a ring", "Errors"):
 * attach by id and by name with each role; ENOENT for unknown rings;
 * EINVAL for bad roles, flags, padding, watermarks and names and for the
 * producer role on a kernel-fed ring; EBUSY for a second attach on an fd
 * and a second consumer or producer on a ring (a consumer's slot frees up
 * when its fd closes); any number of observers. A failed attach leaves the
 * fd unattached (ENXIO from RING_INFO/RING_STATS with ring_id 0). The
 * offsets describe a sane layout, RING_INFO repeats the create arguments
 * and counts one reference per attached fd, and every output byte is
 * written by the kernel (structs pre-filled with 0xff come back with
 * zeroed padding and reserved space).
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"

#define RK	"t_rat_kfed"		/* kernel-fed ring */
#define RU	"t_rat_user"		/* USER_PRODUCER ring */
#define NOBS	12

static int g_fd = -1;

static void cleanup(void)
{
	t_destroy_rings(RK, RU, NULL);
}

/* The fd is not attached: both "this fd's ring" ioctls say ENXIO. */
#define UNATTACHED(fd)							\
	do {								\
		struct edgeai_ring_info _in;				\
		struct edgeai_ring_stats _st;				\
		T_ERRNO(t_ring_info(fd, 0, &_in), ENXIO);		\
		T_ERRNO(t_stats(fd, 0, &_st), ENXIO);			\
	} while (0)

static int is_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	while (len--)
		if (*b++)
			return 0;
	return 1;
}

/* Name fully written: NUL-terminated, zero after the NUL. */
#define NAME_IS(field, expected)					\
	do {								\
		size_t _l = strnlen((field), EDGEAI_NAME_LEN);		\
		T_CHECK(_l < EDGEAI_NAME_LEN);				\
		if (_l < EDGEAI_NAME_LEN) {				\
			T_STREQ((field), (expected));			\
			T_CHECK(is_zero((field) + _l,			\
					EDGEAI_NAME_LEN - _l));		\
		}							\
	} while (0)

static void check_offsets(const struct edgeai_ring_offsets *o,
			  uint32_t slot_count, uint32_t slot_size)
{
	long page = sysconf(_SC_PAGESIZE);

	T_CHECK(o->ctrl_size >= (uint64_t)page);
	T_EQ(o->ctrl_size % page, 0);
	T_CHECK(o->cons_size >= (uint64_t)page);
	T_EQ(o->cons_size % page, 0);
	T_EQ(o->slots_size % page, 0);
	T_CHECK(o->slot_stride >= sizeof(struct edgeai_slot_hdr) + slot_size);
	T_EQ(o->slot_stride % 64, 0);
	T_EQ(o->slots % 64, 0);
	T_CHECK((uint64_t)o->slots + (uint64_t)slot_count * o->slot_stride <=
		o->slots_size);
	/* No more than one page of slack beyond the slots. */
	T_CHECK(o->slots_size < (uint64_t)o->slots +
		(uint64_t)slot_count * o->slot_stride + page);
	T_EQ(o->ctrl_head % 8, 0);
	T_EQ(o->ctrl_tail_floor % 8, 0);
	T_EQ(o->ctrl_flags % 4, 0);
	T_EQ(o->cons_tail % 8, 0);
	T_CHECK(o->ctrl_head + 8 <= o->ctrl_size);
	T_CHECK(o->ctrl_tail_floor + 8 <= o->ctrl_size);
	T_CHECK(o->ctrl_flags + 4 <= o->ctrl_size);
	T_CHECK(o->cons_tail + 8 <= o->cons_size);
	/* The three CTRL fields do not overlap. */
	T_CHECK(o->ctrl_head + 8 <= o->ctrl_tail_floor ||
		o->ctrl_tail_floor + 8 <= o->ctrl_head);
	T_CHECK(o->ctrl_head + 8 <= o->ctrl_flags ||
		o->ctrl_flags + 4 <= o->ctrl_head);
	T_CHECK(o->ctrl_tail_floor + 8 <= o->ctrl_flags ||
		o->ctrl_flags + 4 <= o->ctrl_tail_floor);
	T_CHECK(is_zero(&o->reserved, sizeof(o->reserved)));
	/* Only USER_HEAD rings (tests/vm/kernel/ring_user_head.c) have one. */
	T_EQ(o->prod_head, 0);
}

/* An attach request with every out-only byte set to 0xff. */
static void attach_prefill(struct edgeai_ring_attach *a, uint32_t flags,
			   uint32_t id, const char *name, uint32_t role,
			   uint32_t watermark)
{
	memset(a, 0xff, sizeof(*a));
	a->size = sizeof(*a);
	a->flags = flags;
	a->role = role;
	a->watermark = watermark;
	a->__pad = 0;
	memset(a->reserved, 0, sizeof(a->reserved));
	if (flags & EDGEAI_ATTACH_F_BY_NAME) {
		memset(a->name, 0, sizeof(a->name));
		snprintf(a->name, sizeof(a->name), "%s", name);
	} else {
		a->ring_id = id;
	}
}

static void check_attach_out(const struct edgeai_ring_attach *a,
			     uint32_t id, const char *name,
			     const struct edgeai_ring_create *c)
{
	T_EQ(a->size, EDGEAI_RING_ATTACH_SIZE_VER0);
	T_EQ(a->ring_id, id);
	NAME_IS(a->name, name);
	T_EQ(a->__pad, 0);
	T_CHECK(is_zero(a->reserved, sizeof(a->reserved)));
	check_offsets(&a->off, c->slot_count, c->slot_size);
}

static void check_info(int fd, uint32_t q, const struct edgeai_ring_create *c,
		       uint32_t id, const struct edgeai_ring_offsets *off,
		       uint32_t refs)
{
	struct edgeai_ring_info in;

	memset(&in, 0xff, sizeof(in));
	in.size = sizeof(in);
	in.flags = 0;
	in.ring_id = q;
	memset(in.reserved, 0, sizeof(in.reserved));
	T_EQ(t_ioctl(fd, EDGEAI_IOC_RING_INFO, &in), 0);
	T_EQ(in.size, EDGEAI_RING_INFO_SIZE_VER0);
	T_EQ(in.flags, 0);
	T_EQ(in.ring_id, id);
	T_EQ(in.ring_flags, c->flags);
	T_EQ(in.slot_count, c->slot_count);
	T_EQ(in.slot_size, c->slot_size);
	NAME_IS(in.name, c->name);
	T_CHECK(!memcmp(&in.desc, &c->desc, sizeof(in.desc)));
	T_EQ(in.refs, refs);
	T_EQ(in.state, EDGEAI_RING_STATE_LIVE);
	T_CHECK(is_zero(in.reserved, sizeof(in.reserved)));
	check_offsets(&in.off, c->slot_count, c->slot_size);
	if (off)
		T_CHECK(!memcmp(&in.off, off, sizeof(in.off)));
}

static void check_fresh_stats(int fd, uint32_t q, uint32_t id)
{
	struct edgeai_ring_stats st;

	memset(&st, 0xff, sizeof(st));
	st.size = sizeof(st);
	st.flags = 0;
	st.ring_id = q;
	st.__pad = 0;
	memset(st.reserved, 0, sizeof(st.reserved));
	T_EQ(t_ioctl(fd, EDGEAI_IOC_RING_STATS, &st), 0);
	T_EQ(st.size, EDGEAI_RING_STATS_SIZE_VER0);
	T_EQ(st.ring_id, id);
	T_EQ(st.__pad, 0);
	T_EQ(st.produced, 0);
	T_EQ(st.consumed, 0);
	T_EQ(st.bytes, 0);
	T_CHECK(is_zero(st.drops, sizeof(st.drops)));
	T_EQ(st.in_ring, 0);
	T_EQ(st.high_water, 0);
	T_EQ(st.bad_index, 0);
	T_EQ(st.wakeups, 0);
	T_CHECK(is_zero(st.reserved, sizeof(st.reserved)));
}

/* Every malformed attach: its errno, and the fd stays unattached. */
static void check_bad_requests(uint32_t kid, const struct edgeai_ring_create *kc)
{
	struct edgeai_ring_attach a;
	unsigned char big[512];
	struct edgeai_ring_attach *ba = (struct edgeai_ring_attach *)big;
	int fd = t_open();

	UNATTACHED(fd);

	/* Unknown rings. */
	T_ERRNO(t_attach_id(fd, 0x7ffffff0u, EDGEAI_ROLE_OBSERVER, 0, &a),
		ENOENT);
	T_ERRNO(t_attach_id(fd, 0, EDGEAI_ROLE_OBSERVER, 0, &a), ENOENT);
	T_ERRNO(t_attach_id(fd, ~0u, EDGEAI_ROLE_CONSUMER, 0, &a), ENOENT);
	T_ERRNO(t_attach_name(fd, "t_rat_nosuch", EDGEAI_ROLE_OBSERVER, 0,
			      &a), ENOENT);
	T_ERRNO(t_attach_name(fd, RK "x", EDGEAI_ROLE_CONSUMER, 0, &a),
		ENOENT);
	/* A prefix of an existing name is not that name. */
	T_ERRNO(t_attach_name(fd, "t_rat_kfe", EDGEAI_ROLE_CONSUMER, 0, &a),
		ENOENT);
	UNATTACHED(fd);

	/* Bad names with BY_NAME: EINVAL. */
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = EDGEAI_ATTACH_F_BY_NAME;
	a.role = EDGEAI_ROLE_OBSERVER;
	memset(a.name, 'a', sizeof(a.name));		/* no NUL */
	T_ERRNO(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, &a), EINVAL);
	T_ERRNO(t_attach_name(fd, "", EDGEAI_ROLE_OBSERVER, 0, &a), EINVAL);
	T_ERRNO(t_attach_name(fd, "t_rat/kfed", EDGEAI_ROLE_OBSERVER, 0, &a),
		EINVAL);
	T_ERRNO(t_attach_name(fd, "t_rat kfed", EDGEAI_ROLE_OBSERVER, 0, &a),
		EINVAL);
	UNATTACHED(fd);

	/* Roles. */
	T_ERRNO(t_attach_id(fd, kid, 0, 0, &a), EINVAL);
	T_ERRNO(t_attach_id(fd, kid, EDGEAI_ROLE_OBSERVER + 1, 0, &a), EINVAL);
	T_ERRNO(t_attach_id(fd, kid, ~0u, 0, &a), EINVAL);
	T_ERRNO(t_attach_name(fd, RK, 0x100 | EDGEAI_ROLE_CONSUMER, 0, &a),
		EINVAL);
	/* The producer role needs a USER_PRODUCER ring. */
	T_ERRNO(t_attach_id(fd, kid, EDGEAI_ROLE_PRODUCER, 0, &a), EINVAL);
	T_ERRNO(t_attach_name(fd, RK, EDGEAI_ROLE_PRODUCER, 0, &a), EINVAL);
	UNATTACHED(fd);

	/* Watermark above slot_count. */
	T_ERRNO(t_attach_id(fd, kid, EDGEAI_ROLE_CONSUMER, kc->slot_count + 1,
			    &a), EINVAL);
	T_ERRNO(t_attach_id(fd, kid, EDGEAI_ROLE_CONSUMER, ~0u, &a), EINVAL);
	T_ERRNO(t_attach_id(fd, kid, EDGEAI_ROLE_OBSERVER, 1u << 31, &a),
		EINVAL);
	UNATTACHED(fd);

	/* Flags, padding, reserved. */
	t_attach_id(fd, 0, 0, 0, &a);		/* only to zero-fill @a */
	a.ring_id = kid;
	a.role = EDGEAI_ROLE_OBSERVER;
	a.flags = 1u << 1;
	T_ERRNO(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, &a), EINVAL);
	a.flags = 0x80000000u;
	T_ERRNO(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, &a), EINVAL);
	a.flags = ~0u;
	T_ERRNO(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, &a), EINVAL);
	a.flags = 0;
	a.__pad = 1;
	T_ERRNO(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, &a), EINVAL);
	a.__pad = 0;
	a.reserved[0] = 1;
	T_ERRNO(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, &a), EINVAL);
	a.reserved[0] = 0;
	a.reserved[3] = 1ull << 40;
	T_ERRNO(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, &a), EINVAL);
	a.reserved[3] = 0;
	/* Sizes. */
	a.size = 0;
	T_ERRNO(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, &a), EINVAL);
	a.size = EDGEAI_RING_ATTACH_SIZE_VER0 - 8;
	T_ERRNO(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, &a), EINVAL);
	memset(big, 0, sizeof(big));
	memcpy(big, &a, sizeof(a));
	ba->size = sizeof(big);
	big[sizeof(a) + 3] = 1;
	T_ERRNO(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, ba), E2BIG);
	/* Pointers. */
	T_ERRNO(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, NULL), EFAULT);
	T_ERRNO(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, (void *)16), EFAULT);
	UNATTACHED(fd);

	/* After all that, the fd attaches normally. */
	T_EQ(t_attach_id(fd, kid, EDGEAI_ROLE_OBSERVER, 0, &a), 0);
	T_EQ(a.ring_id, kid);
	/* ... and a larger struct with a zero tail is accepted elsewhere. */
	close(fd);

	fd = t_open();
	memset(big, 0, sizeof(big));
	ba->size = sizeof(big);
	ba->ring_id = kid;
	ba->role = EDGEAI_ROLE_OBSERVER;
	T_EQ(t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, ba), 0);
	T_EQ(ba->size, EDGEAI_RING_ATTACH_SIZE_VER0);
	T_EQ(ba->ring_id, kid);
	T_CHECK(is_zero(big + sizeof(a), sizeof(big) - sizeof(a)));
	close(fd);
}

int main(void)
{
	struct edgeai_ring_create kc, uc;
	struct edgeai_ring_attach a, a2;
	int kid, uid, cfd, cfd2, pfd, pfd2, ofd, fd, i;
	int obs[NOBS];

	g_fd = t_open();
	t_need_rings(g_fd);
	cleanup();
	atexit(cleanup);

	/* A kernel-fed ring, OVERWRITE, quantized 2-D i8 in a larger slot. */
	kc = t_ring_args(RK, 8, EDGEAI_DTYPE_I8, 1);
	kc.flags = EDGEAI_RING_F_OVERWRITE;
	kc.slot_size = 100;
	kc.desc.rank = 2;
	kc.desc.shape[0] = 3;
	kc.desc.shape[1] = 32;
	kc.desc.flags = EDGEAI_TENSOR_F_QUANT;
	kc.desc.scale_f32 = 0x3d800000u;	/* 0.0625f */
	kc.desc.zero_point = -3;
	kid = t_ring_create(g_fd, &kc);
	T_ASSERT(kid > 0);
	/* A userspace-fed ring of 16 f32 samples of 4. */
	uc = t_ring_args(RU, 16, EDGEAI_DTYPE_F32, 4);
	uc.flags = EDGEAI_RING_F_USER_PRODUCER;
	uid = t_ring_create(g_fd, &uc);
	T_ASSERT(uid > 0);
	T_CHECK(uid != kid);

	/* The creating fd is not attached: rings do not belong to fds. */
	UNATTACHED(g_fd);
	/* Any fd describes a ring by id; unattached, nobody holds it. */
	check_info(g_fd, kid, &kc, kid, NULL, 1);
	check_info(g_fd, uid, &uc, uid, NULL, 1);
	check_fresh_stats(g_fd, kid, kid);

	check_bad_requests(kid, &kc);
	check_info(g_fd, kid, &kc, kid, NULL, 1);	/* nothing held */

	/* Consumer by id, out fields all written. */
	cfd = t_open();
	attach_prefill(&a, 0, kid, NULL, EDGEAI_ROLE_CONSUMER, 0);
	T_EQ(t_ioctl(cfd, EDGEAI_IOC_RING_ATTACH, &a), 0);
	check_attach_out(&a, kid, RK, &kc);
	check_info(cfd, 0, &kc, kid, &a.off, 2);
	check_info(g_fd, kid, &kc, kid, &a.off, 2);
	check_fresh_stats(cfd, 0, kid);

	/* A second attach on the same fd: EBUSY, whatever it asks. */
	T_ERRNO(t_attach_id(cfd, kid, EDGEAI_ROLE_OBSERVER, 0, &a2), EBUSY);
	T_ERRNO(t_attach_id(cfd, kid, EDGEAI_ROLE_CONSUMER, 0, &a2), EBUSY);
	T_ERRNO(t_attach_name(cfd, RU, EDGEAI_ROLE_OBSERVER, 0, &a2), EBUSY);
	T_ERRNO(t_attach_name(cfd, RU, EDGEAI_ROLE_PRODUCER, 0, &a2), EBUSY);
	check_info(cfd, 0, &kc, kid, &a.off, 2);	/* still on RK */

	/* A second consumer: EBUSY; that fd stays free for another role. */
	cfd2 = t_open();
	T_ERRNO(t_attach_id(cfd2, kid, EDGEAI_ROLE_CONSUMER, 0, &a2), EBUSY);
	T_ERRNO(t_attach_name(cfd2, RK, EDGEAI_ROLE_CONSUMER, 0, &a2), EBUSY);
	UNATTACHED(cfd2);
	check_info(g_fd, kid, &kc, kid, NULL, 2);

	/* Observers, any number, by name; offsets identical. */
	for (i = 0; i < NOBS; i++) {
		obs[i] = t_open();
		attach_prefill(&a2, EDGEAI_ATTACH_F_BY_NAME, 0, RK,
			       EDGEAI_ROLE_OBSERVER, i % 3);
		T_EQ(t_ioctl(obs[i], EDGEAI_IOC_RING_ATTACH, &a2), 0);
		check_attach_out(&a2, kid, RK, &kc);
		T_CHECK(!memcmp(&a2.off, &a.off, sizeof(a.off)));
	}
	check_info(g_fd, kid, &kc, kid, NULL, 2 + NOBS);
	check_info(obs[0], 0, &kc, kid, &a.off, 2 + NOBS);
	for (i = 0; i < NOBS; i++)
		close(obs[i]);
	check_info(g_fd, kid, &kc, kid, NULL, 2);

	/* Closing the consumer frees the role: a new consumer by name, with
	 * the largest watermark. */
	close(cfd);
	check_info(g_fd, kid, &kc, kid, NULL, 1);
	attach_prefill(&a2, EDGEAI_ATTACH_F_BY_NAME, 0, RK,
		       EDGEAI_ROLE_CONSUMER, kc.slot_count);
	T_EQ(t_ioctl(cfd2, EDGEAI_IOC_RING_ATTACH, &a2), 0);
	check_attach_out(&a2, kid, RK, &kc);
	check_info(cfd2, 0, &kc, kid, &a.off, 2);
	fd = t_open();
	T_ERRNO(t_attach_id(fd, kid, EDGEAI_ROLE_CONSUMER, 0, &a2), EBUSY);
	close(fd);
	close(cfd2);

	/* USER_PRODUCER ring: one producer, one consumer, observers. */
	pfd = t_open();
	attach_prefill(&a, 0, uid, NULL, EDGEAI_ROLE_PRODUCER, 0);
	T_EQ(t_ioctl(pfd, EDGEAI_IOC_RING_ATTACH, &a), 0);
	check_attach_out(&a, uid, RU, &uc);
	pfd2 = t_open();
	T_ERRNO(t_attach_id(pfd2, uid, EDGEAI_ROLE_PRODUCER, 0, &a2), EBUSY);
	T_ERRNO(t_attach_name(pfd2, RU, EDGEAI_ROLE_PRODUCER, 0, &a2), EBUSY);
	UNATTACHED(pfd2);
	/* The consumer role is separate from the producer's. */
	T_EQ(t_attach_name(pfd2, RU, EDGEAI_ROLE_CONSUMER, uc.slot_count,
			   &a2), 0);
	check_attach_out(&a2, uid, RU, &uc);
	ofd = t_open();
	T_EQ(t_attach_id(ofd, uid, EDGEAI_ROLE_OBSERVER, 0, &a2), 0);
	check_info(ofd, 0, &uc, uid, &a.off, 4);
	/* Watermarks apply to every role's check. */
	fd = t_open();
	T_ERRNO(t_attach_id(fd, uid, EDGEAI_ROLE_OBSERVER, uc.slot_count + 1,
			    &a2), EINVAL);
	UNATTACHED(fd);
	close(fd);
	/* The producer's fd going away frees the producer role. */
	close(pfd);
	fd = t_open();
	T_EQ(t_attach_id(fd, uid, EDGEAI_ROLE_PRODUCER, 0, &a2), 0);
	check_info(g_fd, uid, &uc, uid, NULL, 4);
	close(fd);
	close(pfd2);
	close(ofd);
	check_info(g_fd, uid, &uc, uid, NULL, 1);

	/* RING_INFO/RING_STATS bad requests on an attached-nowhere fd. */
	{
		struct edgeai_ring_info in;
		struct edgeai_ring_stats st;

		T_ERRNO(t_ring_info(g_fd, 0x7ffffff0u, &in), ENOENT);
		T_ERRNO(t_stats(g_fd, 0x7ffffff0u, &st), ENOENT);
		t_ring_info(g_fd, kid, &in);
		in.flags = 0x80000000u;
		T_ERRNO(t_ioctl(g_fd, EDGEAI_IOC_RING_INFO, &in), EINVAL);
		t_ring_info(g_fd, kid, &in);
		in.ring_id = kid;
		in.reserved[1] = 1;
		T_ERRNO(t_ioctl(g_fd, EDGEAI_IOC_RING_INFO, &in), EINVAL);
		t_stats(g_fd, kid, &st);
		st.ring_id = kid;
		st.flags = 1;
		T_ERRNO(t_ioctl(g_fd, EDGEAI_IOC_RING_STATS, &st), EINVAL);
		t_stats(g_fd, kid, &st);
		st.ring_id = kid;
		st.__pad = 1;
		T_ERRNO(t_ioctl(g_fd, EDGEAI_IOC_RING_STATS, &st), EINVAL);
		T_ERRNO(t_ioctl(g_fd, EDGEAI_IOC_RING_INFO, NULL), EFAULT);
		T_ERRNO(t_ioctl(g_fd, EDGEAI_IOC_RING_STATS, NULL), EFAULT);
	}

	T_EQ(t_ring_destroy_id(g_fd, kid), 0);
	T_EQ(t_ring_destroy_name(g_fd, RU), 0);
	T_ERRNO(t_attach_id(g_fd, kid, EDGEAI_ROLE_OBSERVER, 0, &a), ENOENT);
	T_ERRNO(t_attach_name(g_fd, RU, EDGEAI_ROLE_OBSERVER, 0, &a), ENOENT);
	UNATTACHED(g_fd);
	close(g_fd);
	return t_done();
}
