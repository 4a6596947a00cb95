// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Tensor rings from userspace: management ioctls, and the zero-copy data
 * path over the mapping (docs/ring-abi.md). The data path makes no
 * syscall: it load-acquires the kernel's head and store-releases the
 * consumer's tail, as the kernel expects.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <edgeai/edgeai.h>

struct edgeai_ring {
	int fd;
	uint32_t role;
	uint32_t mask;
	uint32_t stride;
	uint64_t tail;			/* consumer: next slot to read */
	uint64_t head;			/* producer: next slot to fill */
	uint64_t lost;
	const uint64_t *k_head;		/* CTRL, kernel-written */
	const uint64_t *k_tail_floor;
	const uint32_t *k_flags;
	uint64_t *c_tail;		/* CONS */
	uint64_t *p_head;		/* SLOTS: a USER_HEAD ring's head */
	uint64_t seq_off;		/* USER_HEAD producer: seq - position */
	uint64_t syscalls;		/* made by publish, wait, release */
	uint32_t watermark;		/* consumer: slots a wait waits for */
	uint32_t wait_spins;		/* consumer: looks before poll() */
	bool room_wait;			/* consumer: a userspace producer may
					 * wait for room (EDGEAI_CTRL_F_ROOM_WAIT) */
	unsigned char *slots;
	void *ctrl, *cons, *slots_map;
	size_t ctrl_len, cons_len, slots_len;
	struct edgeai_ring_info info;
};


static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int edgeai_dev_ring_create(struct edgeai_dev *dev,
			   struct edgeai_ring_create *args)
{
	if (!dev || !args)
		return -EINVAL;
	if (!args->size)
		args->size = sizeof(*args);
	return xioctl(edgeai_dev_fd(dev), EDGEAI_IOC_RING_CREATE, args);
}

int edgeai_dev_ring_destroy(struct edgeai_dev *dev, uint32_t id,
			    const char *name)
{
	struct edgeai_ring_destroy d;

	if (!dev)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.ring_id = id;
	if (name) {
		if (strlen(name) >= sizeof(d.name))
			return -EINVAL;
		strcpy(d.name, name);
		d.flags = EDGEAI_DESTROY_F_BY_NAME;
	}
	return xioctl(edgeai_dev_fd(dev), EDGEAI_IOC_RING_DESTROY, &d);
}

static int ring_info(int fd, uint32_t id, uint32_t flags,
		     struct edgeai_ring_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->ring_id = id;
	info->flags = flags;
	return xioctl(fd, EDGEAI_IOC_RING_INFO, info);
}

int edgeai_dev_ring_info(struct edgeai_dev *dev, uint32_t id,
			 struct edgeai_ring_info *info)
{
	if (!dev || !info)
		return -EINVAL;
	return ring_info(edgeai_dev_fd(dev), id, 0, info);
}

int edgeai_dev_ring_next(struct edgeai_dev *dev, uint32_t after,
			 struct edgeai_ring_info *info)
{
	if (!dev || !info)
		return -EINVAL;
	return ring_info(edgeai_dev_fd(dev), after, EDGEAI_RING_INFO_F_NEXT,
			 info);
}

static int ring_stats(int fd, uint32_t id, struct edgeai_ring_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->ring_id = id;
	return xioctl(fd, EDGEAI_IOC_RING_STATS, st);
}

int edgeai_dev_ring_stats(struct edgeai_dev *dev, uint32_t id,
			  struct edgeai_ring_stats *stats)
{
	if (!dev || !stats)
		return -EINVAL;
	return ring_stats(edgeai_dev_fd(dev), id, stats);
}

int edgeai_ring_args(struct edgeai_ring_create *args, const char *name,
		     uint32_t slot_count, uint32_t dtype, uint32_t rank,
		     const uint32_t *shape)
{
	uint64_t bytes = edgeai_dtype_size(dtype);
	uint32_t i;

	if (!args || !name || !bytes || rank > EDGEAI_MAX_RANK ||
	    (rank && !shape) || strlen(name) >= sizeof(args->name))
		return -EINVAL;
	memset(args, 0, sizeof(*args));
	args->size = sizeof(*args);
	args->slot_count = slot_count;
	strcpy(args->name, name);
	args->desc.dtype = dtype;
	args->desc.rank = rank;
	for (i = 0; i < rank; i++) {
		args->desc.shape[i] = shape[i];
		bytes *= shape[i];
		if (!shape[i] || bytes > UINT32_MAX)
			return -EINVAL;
	}
	args->slot_size = (uint32_t)bytes;
	return 0;
}

static void *map_region(int fd, uint64_t off, size_t len, bool rw)
{
	return mmap(NULL, len, PROT_READ | (rw ? PROT_WRITE : 0), MAP_SHARED,
		    fd, (off_t)off);
}

static int ring_map(struct edgeai_ring *r, const struct edgeai_ring_offsets *o)
{
	r->ctrl_len = o->ctrl_size;
	r->cons_len = o->cons_size;
	r->slots_len = o->slots_size;
	r->ctrl = map_region(r->fd, EDGEAI_OFF_CTRL, r->ctrl_len, false);
	r->cons = map_region(r->fd, EDGEAI_OFF_CONS, r->cons_len,
			     r->role == EDGEAI_ROLE_CONSUMER);
	r->slots_map = map_region(r->fd, EDGEAI_OFF_SLOTS, r->slots_len,
				  r->role == EDGEAI_ROLE_PRODUCER);
	if (r->ctrl == MAP_FAILED || r->cons == MAP_FAILED ||
	    r->slots_map == MAP_FAILED)
		return -errno;
	r->k_head = (const uint64_t *)((char *)r->ctrl + o->ctrl_head);
	r->k_tail_floor = (const uint64_t *)((char *)r->ctrl +
					     o->ctrl_tail_floor);
	r->k_flags = (const uint32_t *)((char *)r->ctrl + o->ctrl_flags);
	r->c_tail = (uint64_t *)((char *)r->cons + o->cons_tail);
	r->slots = (unsigned char *)r->slots_map + o->slots;
	r->stride = o->slot_stride;
	if (o->prod_head) {
		if (o->prod_head % 8 || o->prod_head + 8 > r->slots_len)
			return -EPROTO;
		r->p_head = (uint64_t *)((char *)r->slots_map + o->prod_head);
	}
	return 0;
}

static void ring_unmap(struct edgeai_ring *r)
{
	if (r->ctrl && r->ctrl != MAP_FAILED)
		munmap(r->ctrl, r->ctrl_len);
	if (r->cons && r->cons != MAP_FAILED)
		munmap(r->cons, r->cons_len);
	if (r->slots_map && r->slots_map != MAP_FAILED)
		munmap(r->slots_map, r->slots_len);
}

static int ring_open(const char *name, uint32_t id,
		     const struct edgeai_ring_opts *opts,
		     struct edgeai_ring **ringp)
{
	struct edgeai_ring_opts o = { .sz = sizeof(o) };
	struct edgeai_ring_attach a;
	struct edgeai_ring *r;
	const char *path;
	int ret;

	if (!ringp || (opts && opts->sz < sizeof(size_t)))
		return -EINVAL;
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (name && strlen(name) >= sizeof(a.name))
		return -EINVAL;
	path = o.dev_path ? o.dev_path : getenv("EDGEAI_DEV");
	if (!path || !*path)
		path = EDGEAI_DEV_PATH;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = open(path, O_RDWR | O_CLOEXEC);
	if (r->fd < 0) {
		ret = -errno;
		goto err_free;
	}
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.role = o.role ? o.role : EDGEAI_ROLE_CONSUMER;
	a.watermark = o.watermark;
	a.ring_id = id;
	if (name) {
		a.flags = EDGEAI_ATTACH_F_BY_NAME;
		strcpy(a.name, name);
	}
	ret = xioctl(r->fd, EDGEAI_IOC_RING_ATTACH, &a);
	if (ret)
		goto err_close;
	r->role = a.role;
	r->watermark = a.watermark ? a.watermark : 1;
	r->wait_spins = o.wait_spins < 0 ? 0 :
			o.wait_spins ? (uint32_t)o.wait_spins : EDGEAI_WAIT_SPINS;
	ret = ring_info(r->fd, 0, 0, &r->info);
	if (ret)
		goto err_close;
	r->mask = r->info.slot_count - 1;
	ret = ring_map(r, &a.off);
	if (ret)
		goto err_unmap;
	r->tail = __atomic_load_n(r->c_tail, __ATOMIC_ACQUIRE);
	r->room_wait = r->role == EDGEAI_ROLE_CONSUMER &&
		       (r->info.ring_flags & EDGEAI_RING_F_USER_PRODUCER);
	if (r->p_head && r->role == EDGEAI_ROLE_PRODUCER) {
		struct edgeai_ring_stats st;

		/*
		 * The stats take in what an earlier producer stored; go on
		 * from the kernel's head, with its sequence numbers.
		 */
		ret = ring_stats(r->fd, 0, &st);
		if (ret)
			goto err_unmap;
		r->head = __atomic_load_n(r->k_head, __ATOMIC_ACQUIRE);
		r->seq_off = st.produced - r->head;
		__atomic_store_n(r->p_head, r->head, __ATOMIC_RELEASE);
	} else {
		r->head = __atomic_load_n(r->k_head, __ATOMIC_ACQUIRE);
	}
	*ringp = r;
	return 0;

err_unmap:
	ring_unmap(r);
err_close:
	close(r->fd);
err_free:
	free(r);
	return ret;
}

int edgeai_ring_open(const char *name, const struct edgeai_ring_opts *opts,
		     struct edgeai_ring **ringp)
{
	if (!name)
		return -EINVAL;
	return ring_open(name, 0, opts, ringp);
}

int edgeai_ring_open_id(uint32_t id, const struct edgeai_ring_opts *opts,
			struct edgeai_ring **ringp)
{
	if (!id)
		return -EINVAL;
	return ring_open(NULL, id, opts, ringp);
}

void edgeai_ring_close(struct edgeai_ring *ring)
{
	if (!ring)
		return;
	ring_unmap(ring);
	close(ring->fd);
	free(ring);
}

int edgeai_ring_fd(const struct edgeai_ring *ring)
{
	return ring ? ring->fd : -EINVAL;
}

const struct edgeai_ring_info *edgeai_ring_get_info(const struct edgeai_ring *ring)
{
	return ring ? &ring->info : NULL;
}

int edgeai_ring_stats(struct edgeai_ring *ring, struct edgeai_ring_stats *st)
{
	if (!ring || !st)
		return -EINVAL;
	return ring_stats(ring->fd, 0, st);
}

int edgeai_ring_dead(const struct edgeai_ring *ring)
{
	return !!(__atomic_load_n(ring->k_flags, __ATOMIC_ACQUIRE) &
		  EDGEAI_CTRL_F_DEAD);
}

/*
 * A USER_HEAD ring's head, from its producer: user memory, so never
 * behind our tail or more than the ring holds ahead of it (else the
 * kernel's, which it checked). Once the ring is dead, the kernel's: it
 * took in the last head stored before.
 */
static uint64_t user_head(const struct edgeai_ring *ring)
{
	uint64_t h;

	if (__atomic_load_n(ring->k_flags, __ATOMIC_ACQUIRE) &
	    EDGEAI_CTRL_F_DEAD)
		return __atomic_load_n(ring->k_head, __ATOMIC_ACQUIRE);
	h = __atomic_load_n(ring->p_head, __ATOMIC_ACQUIRE);
	if (h < ring->tail || h - ring->tail > ring->info.slot_count)
		return __atomic_load_n(ring->k_head, __ATOMIC_ACQUIRE);
	return h;
}

uint32_t edgeai_ring_peek(struct edgeai_ring *ring, uint32_t max,
			  uint64_t *first)
{
	uint64_t head = ring->p_head ? user_head(ring) :
			__atomic_load_n(ring->k_head, __ATOMIC_ACQUIRE);
	uint64_t floor = __atomic_load_n(ring->k_tail_floor, __ATOMIC_ACQUIRE);
	uint64_t n;

	/* Behind the floor: those slots were overwritten (and counted). */
	if (ring->tail < floor) {
		ring->lost += floor - ring->tail;
		ring->tail = floor;
	}
	n = head - ring->tail;
	if (n > max)
		n = max;
	if (first)
		*first = ring->tail;
	return (uint32_t)n;
}

/* The header of the slot of position @pos. */
static struct edgeai_slot_hdr *slot_at(const struct edgeai_ring *ring,
				       uint64_t pos)
{
	return (struct edgeai_slot_hdr *)
		(ring->slots + (pos & ring->mask) * (uint64_t)ring->stride);
}

const struct edgeai_slot_hdr *edgeai_ring_slot(const struct edgeai_ring *ring,
					       uint64_t pos)
{
	return slot_at(ring, pos);
}

int edgeai_ring_slot_valid(const struct edgeai_ring *ring, uint64_t pos)
{
	return pos >= __atomic_load_n(ring->k_tail_floor, __ATOMIC_ACQUIRE);
}

/*
 * Hand slots back. A producer of the ring that sleeps for room (its poll
 * set EDGEAI_CTRL_F_ROOM_WAIT) is woken through RING_SYNC at once, not
 * when we next wait (docs/ring-abi.md: the tail and the flag pair up).
 */
void edgeai_ring_release(struct edgeai_ring *ring, uint32_t n)
{
	ring->tail += n;
	__atomic_store_n(ring->c_tail, ring->tail, __ATOMIC_RELEASE);
	if (!ring->room_wait)
		return;
	/* Tail store, then flag load; the kernel: flag store, tail load. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(ring->k_flags, __ATOMIC_RELAXED) &
	    EDGEAI_CTRL_F_ROOM_WAIT) {
		ring->syscalls++;
		/* Nothing to report: the tail is stored either way. */
		(void)ioctl(ring->fd, EDGEAI_IOC_RING_SYNC);
	}
}

uint64_t edgeai_ring_lost(const struct edgeai_ring *ring)
{
	return ring->lost;
}

int edgeai_ring_wait(struct edgeai_ring *ring, int timeout_ms)
{
	bool prod = ring->role == EDGEAI_ROLE_PRODUCER;
	struct pollfd p = { .fd = ring->fd, .events = prod ? POLLOUT : POLLIN };
	uint32_t n, i;
	int ret;

	/*
	 * Look before sleeping: a batch that lands now costs no poll() here,
	 * and on a USER_HEAD ring no RING_PUBLISH in the producer either.
	 * No pause in the loop: it is short, and under QEMU's TCG each pause
	 * leaves the translated code.
	 */
	for (i = 0; !prod && timeout_ms && i < ring->wait_spins; i++) {
		n = edgeai_ring_peek(ring, UINT32_MAX, NULL);
		if (n >= ring->watermark)
			return (int)n;
	}

	do {
		ring->syscalls++;
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	if (p.revents & POLLERR)
		return -EIO;
	if (prod)
		return p.revents & POLLHUP ? -ENODEV :
		       (int)edgeai_ring_reserve(ring, UINT32_MAX, NULL);
	return (int)edgeai_ring_peek(ring, UINT32_MAX, NULL);
}

uint32_t edgeai_ring_reserve(struct edgeai_ring *ring, uint32_t max,
			     uint64_t *first)
{
	uint64_t floor = __atomic_load_n(ring->k_tail_floor, __ATOMIC_ACQUIRE);
	uint64_t used, n, t;

	/* USER_HEAD: the consumer's own tail is fresher than the kernel's. */
	if (ring->p_head) {
		t = __atomic_load_n(ring->c_tail, __ATOMIC_ACQUIRE);
		if (t > floor && t <= ring->head)
			floor = t;
	}
	used = ring->head - floor;
	n = used >= ring->info.slot_count ? 0 : ring->info.slot_count - used;

	if (n > max)
		n = max;
	if (first)
		*first = ring->head;
	return (uint32_t)n;
}

struct edgeai_slot_hdr *edgeai_ring_slot_mut(struct edgeai_ring *ring,
					     uint64_t pos)
{
	if (ring->role != EDGEAI_ROLE_PRODUCER)
		return NULL;
	return slot_at(ring, pos);
}

/*
 * USER_HEAD: stamp seq (and ts_ns where it is 0), store the head, and
 * enter the kernel only if the consumer waits, drops are to be reported or
 * the ring died (docs/ring-abi.md: the flag and the head pair up).
 */
static int publish_head(struct edgeai_ring *ring, uint32_t n,
			uint32_t dropped)
{
	struct edgeai_ring_publish p;
	uint64_t pos, end = ring->head + n, ts = 0;
	struct edgeai_slot_hdr *h;
	struct timespec now;
	uint32_t fl;

	if ((!n && !dropped) || n > edgeai_ring_reserve(ring, n, NULL))
		return -EINVAL;
	for (pos = ring->head; pos < end; pos++) {
		h = slot_at(ring, pos);
		h->seq = pos + ring->seq_off + dropped;
		if (!h->ts_ns) {
			if (!ts) {
				clock_gettime(CLOCK_MONOTONIC, &now);
				ts = (uint64_t)now.tv_sec * 1000000000ull +
				     (uint64_t)now.tv_nsec;
			}
			h->ts_ns = ts;
		}
	}
	__atomic_store_n(ring->p_head, end, __ATOMIC_RELEASE);
	ring->seq_off += dropped;
	ring->head = end;
	/* Head store, then flag load; the kernel: flag store, head load. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	fl = __atomic_load_n(ring->k_flags, __ATOMIC_RELAXED);
	if (!dropped && !(fl & (EDGEAI_CTRL_F_NEED_WAKEUP | EDGEAI_CTRL_F_DEAD)))
		return 0;
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.head = end;
	p.dropped = dropped;
	ring->syscalls++;
	/* -ENODEV: the ring is gone, and the kernel counted the samples */
	return xioctl(ring->fd, EDGEAI_IOC_RING_PUBLISH, &p);
}

uint64_t edgeai_ring_syscalls(const struct edgeai_ring *ring)
{
	return ring ? ring->syscalls : 0;
}

int edgeai_ring_publish(struct edgeai_ring *ring, uint32_t n,
			uint32_t dropped)
{
	struct edgeai_ring_publish p;
	int ret;

	if (!ring)
		return -EINVAL;
	if (ring->p_head && ring->role == EDGEAI_ROLE_PRODUCER)
		return publish_head(ring, n, dropped);
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.head = ring->head + n;
	p.dropped = dropped;
	ring->syscalls++;
	ret = xioctl(ring->fd, EDGEAI_IOC_RING_PUBLISH, &p);
	if (!ret)
		ring->head = p.head;
	return ret;
}
