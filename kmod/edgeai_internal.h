/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EDGEAI_INTERNAL_H
#define _EDGEAI_INTERNAL_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/edgeai.h>

#include "edgeai_producer.h"

#define EDGEAI_VERSION "0.3.0"

#ifdef CONFIG_IO_URING
#define EDGEAI_FEAT_URING_IMPL EDGEAI_FEAT_URING_CMD
#else
#define EDGEAI_FEAT_URING_IMPL 0ULL
#endif

/* Feature bits this build implements; a subset of EDGEAI_FEATURES_KNOWN. */
#define EDGEAI_FEATURES (EDGEAI_FEAT_RINGS | EDGEAI_FEAT_POLL | \
			 EDGEAI_FEAT_OVERWRITE | EDGEAI_FEAT_USER_PRODUCER | \
			 EDGEAI_FEAT_PRODUCER_WAKE | EDGEAI_FEAT_USER_HEAD | \
			 EDGEAI_FEAT_ROOM_WAIT | EDGEAI_FEAT_URING_IMPL)

#define EDGEAI_MAX_SLOT_SIZE	SZ_1M
#define EDGEAI_SLOT_ALIGN	64

/*
 * Layout of the kernel-written CTRL page. Userspace learns these offsets
 * from struct edgeai_ring_offsets, never from this struct, so the kernel
 * may rearrange it. Head and tail floor sit on separate cache lines.
 */
struct edgeai_ctrl_page {
	u64 head;
	u8 __pad0[56];
	u64 tail_floor;
	u8 __pad1[56];
	u32 flags;
};

/* The consumer's page: the only field userspace writes. */
struct edgeai_cons_page {
	u64 tail;
};

/* State of a file's io_uring wait. */
enum edgeai_wait_state {
	EDGEAI_WAIT_IDLE,
	EDGEAI_WAIT_PENDING,
	EDGEAI_WAIT_COMPLETING,
};

struct edgeai_file;

/**
 * struct edgeai_ring - one tensor ring
 *
 * Everything below @lock is protected by it (irq-safe: producers may run
 * in hardirq context). @ctrl, @cons and @slots are shared with userspace;
 * the kernel's own copies of the indices are @res_pos, @head and @tail.
 */
struct edgeai_ring {
	struct kref ref;
	struct list_head node;		/* edgeai_rings, under edgeai_rings_lock */
	u32 id;
	u32 flags;
	u32 slot_count;
	u32 slot_size;
	u32 stride;
	char name[EDGEAI_NAME_LEN];
	struct edgeai_tensor_desc desc;
	size_t slots_size;
	size_t mem_bytes;
	bool accounted;			/* mem_bytes is in the global total */

	struct edgeai_ctrl_page *ctrl;
	struct edgeai_cons_page *cons;
	void *slots;
	u64 *prod_head;			/* USER_HEAD: in the slots' last page */
	unsigned long *committed;	/* one bit per slot, kernel-only */

	wait_queue_head_t wq;
	struct mutex publish_lock;	/* USER_PRODUCER publishes */

	spinlock_t lock;		/* protects everything below */
	bool dead;
	u64 res_pos;			/* next position to reserve */
	u64 head;			/* published: all below are committed */
	u64 tail;			/* validated consumer tail (tail floor) */
	u64 seq;			/* next sequence number */
	u64 wake_at;			/* wake the consumer when head >= this */
	u32 room_want;			/* wake the producer at this many free */
	struct edgeai_file *consumer;
	struct edgeai_file *producer;	/* the userspace one */
	u64 produced;
	u64 consumed;
	u64 bytes;
	u64 drops[EDGEAI_DROP_MAX];
	u64 high_water;
	u64 bad_index;
	u64 wakeups;
	/* Overflow events (ring.c, "Overflow events"). */
	bool ovf_now;			/* the last sample offered hit a full ring */
	bool ovf_shown;			/* OVERFLOW_STARTED sent, ENDED not yet */
	bool ovf_kicked;		/* the overflow work will look at it */
	u64 ovf_started;		/* ktime ns of the last OVERFLOW_STARTED */

	atomic_t kproducers;		/* in-kernel producer references */
};

/* Sums over the registered rings (EDGEAI_CMD_STATS_GET). */
struct edgeai_totals {
	u32 rings;
	u64 mem_bytes;			/* destroyed rings still held too */
	u64 produced;
	u64 consumed;
	u64 bytes;
	u64 drops[EDGEAI_DROP_MAX];
};

/* An io_uring "wait for N slots" request; at most one per file. */
struct edgeai_wait {
	enum edgeai_wait_state state;	/* under ring->lock */
	struct io_uring_cmd *cmd;
	u32 min_ready;
	int res;
	struct hrtimer timer;
};

/* Per open file of /dev/edgeai. */
struct edgeai_file {
	struct mutex lock;		/* serializes attach */
	struct edgeai_ring *ring;	/* set once by attach */
	u32 role;
	u32 watermark;
	struct edgeai_wait wait;
};

/* True if @len bytes at @p are all zero (reserved fields, name tails). */
static inline bool edgeai_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/* The ring an fd is attached to, or NULL. */
static inline struct edgeai_ring *edgeai_file_ring(struct edgeai_file *ef)
{
	/* Pairs with attach's store-release: role and watermark come too. */
	return smp_load_acquire(&ef->ring);
}

extern struct mutex edgeai_rings_lock;
extern unsigned int edgeai_max_rings;
extern unsigned long edgeai_max_ring_bytes;
extern unsigned long edgeai_max_total_bytes;

/* ring.c */
int edgeai_ring_check_args(const struct edgeai_ring_create *args);
struct edgeai_ring *edgeai_ring_new(const struct edgeai_ring_create *args);
void edgeai_ring_unref(struct edgeai_ring *ring);
int edgeai_check_name(const char *name);
struct edgeai_ring *edgeai_ring_find(u32 id, const char *name);
struct edgeai_ring *edgeai_ring_find_next(u32 id);
int edgeai_ring_destroy(u32 id, const char *name);
void edgeai_ring_destroy_all(void);
void edgeai_ring_sync_tail(struct edgeai_ring *ring);

/* Slots a userspace producer may still reserve if the tail were @tail. */
static inline u64 edgeai_ring_room(const struct edgeai_ring *ring, u64 tail)
{
	return ring->slot_count - (ring->res_pos - tail);
}

void edgeai_ring_sync_head(struct edgeai_ring *ring);
void edgeai_ring_room_wait(struct edgeai_ring *ring, u32 want);
void edgeai_ring_sync(struct edgeai_ring *ring);
void edgeai_ring_need_wakeup(struct edgeai_ring *ring);
void edgeai_ring_woken(struct edgeai_ring *ring);
void edgeai_ring_fill_offsets(const struct edgeai_ring *ring,
			      struct edgeai_ring_offsets *off);
void edgeai_ring_fill_info(struct edgeai_ring *ring,
			   struct edgeai_ring_info *info);
void edgeai_ring_fill_stats(struct edgeai_ring *ring,
			    struct edgeai_ring_stats *stats);
int edgeai_ring_publish(struct edgeai_ring *ring,
			struct edgeai_ring_publish *pub);
bool edgeai_ring_wake_check(struct edgeai_ring *ring);
void edgeai_ring_users(struct edgeai_ring *ring, u32 *consumers,
		       u32 *producers);
void edgeai_ring_totals(struct edgeai_totals *t);
u32 edgeai_ring_generation(void);

/* file.c */
extern const struct file_operations edgeai_fops;
void edgeai_wait_complete_locked(struct edgeai_ring *ring,
				 struct edgeai_file *ef, int res);
void edgeai_wait_kick(struct edgeai_file *ef);

/* ioctl.c */
long edgeai_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* netlink.c: the generic netlink family and its events (process context) */
int __init edgeai_nl_init(void);
void edgeai_nl_exit(void);
void edgeai_nl_ring_event(u8 cmd, const struct edgeai_ring *ring);
void edgeai_nl_producer_event(u8 cmd, const struct edgeai_ring *ring,
			      u32 kind);
void edgeai_nl_overflow_event(u8 cmd, const struct edgeai_ring *ring,
			      u64 drops);

#endif /* _EDGEAI_INTERNAL_H */
