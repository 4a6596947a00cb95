/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw-ABI helpers for kernel ring tests: they use only the UAPI header (no
 * libedgeai), so that the tests prove the ABI itself.
 */
#ifndef EDGEAI_RING_TEST_H
#define EDGEAI_RING_TEST_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_test.h"

/* ioctl returning 0 or -errno. */
static inline int t_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int t_open(void)
{
	int fd = open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);

	T_ASSERT(fd >= 0);
	return fd;
}

/* A create request for a 1-D ring of @n elements of @dtype per slot. */
static inline struct edgeai_ring_create t_ring_args(const char *name,
						    uint32_t slots,
						    uint32_t dtype, uint32_t n)
{
	struct edgeai_ring_create c;
	static const uint32_t dsz[] = { 0, 1, 1, 2, 2, 4, 4, 2, 4, 8 };

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.slot_count = slots;
	c.slot_size = n * dsz[dtype <= EDGEAI_DTYPE_MAX ? dtype : 0];
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.desc.dtype = dtype;
	c.desc.rank = 1;
	c.desc.shape[0] = n;
	return c;
}

/* Create; returns the id (> 0) or -errno. */
static inline int t_ring_create(int fd, struct edgeai_ring_create *c)
{
	int ret = t_ioctl(fd, EDGEAI_IOC_RING_CREATE, c);

	return ret ? ret : (int)c->ring_id;
}

static inline int t_ring_destroy_id(int fd, uint32_t id)
{
	struct edgeai_ring_destroy d;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.ring_id = id;
	return t_ioctl(fd, EDGEAI_IOC_RING_DESTROY, &d);
}

static inline int t_ring_destroy_name(int fd, const char *name)
{
	struct edgeai_ring_destroy d;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.flags = EDGEAI_DESTROY_F_BY_NAME;
	snprintf(d.name, sizeof(d.name), "%s", name);
	return t_ioctl(fd, EDGEAI_IOC_RING_DESTROY, &d);
}

static inline int t_attach_id(int fd, uint32_t id, uint32_t role,
			      uint32_t watermark, struct edgeai_ring_attach *a)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->ring_id = id;
	a->role = role;
	a->watermark = watermark;
	return t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, a);
}

static inline int t_attach_name(int fd, const char *name, uint32_t role,
				uint32_t watermark,
				struct edgeai_ring_attach *a)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->flags = EDGEAI_ATTACH_F_BY_NAME;
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->role = role;
	a->watermark = watermark;
	return t_ioctl(fd, EDGEAI_IOC_RING_ATTACH, a);
}

static inline int t_stats(int fd, uint32_t id, struct edgeai_ring_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->ring_id = id;
	return t_ioctl(fd, EDGEAI_IOC_RING_STATS, s);
}

/* EDGEAI_IOC_RING_PUBLISH of @head and @dropped: 0 or -errno. */
static inline int t_publish(int fd, uint64_t head, uint32_t dropped)
{
	struct edgeai_ring_publish p;

	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.head = head;
	p.dropped = dropped;
	return t_ioctl(fd, EDGEAI_IOC_RING_PUBLISH, &p);
}

static inline uint64_t t_drops(const struct edgeai_ring_stats *s)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < EDGEAI_DROP_MAX; i++)
		sum += s->drops[i];
	return sum;
}

/* A ring's three regions, mapped for a role. */
struct t_map {
	void *ctrl, *cons, *slots;
	size_t ctrl_len, cons_len, slots_len;
	struct edgeai_ring_offsets off;
	uint32_t slot_count;
};

static inline int t_map_ring(int fd, const struct edgeai_ring_attach *a,
			     uint32_t slot_count, struct t_map *m)
{
	int cons_prot = a->role == EDGEAI_ROLE_CONSUMER ?
			PROT_READ | PROT_WRITE : PROT_READ;
	int slot_prot = a->role == EDGEAI_ROLE_PRODUCER ?
			PROT_READ | PROT_WRITE : PROT_READ;

	memset(m, 0, sizeof(*m));
	m->off = a->off;
	m->slot_count = slot_count;
	m->ctrl_len = a->off.ctrl_size;
	m->cons_len = a->off.cons_size;
	m->slots_len = a->off.slots_size;
	m->ctrl = mmap(NULL, m->ctrl_len, PROT_READ, MAP_SHARED, fd,
		       EDGEAI_OFF_CTRL);
	m->cons = mmap(NULL, m->cons_len, cons_prot, MAP_SHARED, fd,
		       EDGEAI_OFF_CONS);
	m->slots = mmap(NULL, m->slots_len, slot_prot, MAP_SHARED, fd,
			EDGEAI_OFF_SLOTS);
	if (m->ctrl == MAP_FAILED || m->cons == MAP_FAILED ||
	    m->slots == MAP_FAILED)
		return -errno;
	return 0;
}

static inline void t_unmap_ring(struct t_map *m)
{
	munmap(m->ctrl, m->ctrl_len);
	munmap(m->cons, m->cons_len);
	munmap(m->slots, m->slots_len);
}

static inline uint64_t *t_head(const struct t_map *m)
{
	return (uint64_t *)((char *)m->ctrl + m->off.ctrl_head);
}

static inline uint64_t *t_tail_floor(const struct t_map *m)
{
	return (uint64_t *)((char *)m->ctrl + m->off.ctrl_tail_floor);
}

static inline uint64_t *t_tail(const struct t_map *m)
{
	return (uint64_t *)((char *)m->cons + m->off.cons_tail);
}

static inline struct edgeai_slot_hdr *t_slot(const struct t_map *m,
					     uint64_t pos)
{
	return (struct edgeai_slot_hdr *)((char *)m->slots + m->off.slots +
		(pos & (m->slot_count - 1)) * (uint64_t)m->off.slot_stride);
}

static inline uint64_t t_load_acquire(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void t_store_release(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Module loading helpers for tests that need the synth driver. */
static inline int t_system(const char *cmd)
{
	int st = system(cmd);

	return st == -1 ? -1 : WEXITSTATUS(st);
}

#endif /* EDGEAI_RING_TEST_H */
