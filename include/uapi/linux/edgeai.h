/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * edgeai - tensor rings for sensor streams on edge Linux devices.
 *
 * This is the only definition of the ABI between edgeai.ko and userspace.
 * Rules (see docs/abi.md):
 *  - fixed-width types only, pointers and times are __u64, no enums, no
 *    bitfields, explicit padding, reserved space at the tail;
 *  - every struct passed by ioctl starts with __u32 size and __u32 flags;
 *    unknown flags and non-zero reserved or padding fields are rejected
 *    with -EINVAL, a larger struct with a non-zero unknown tail with -E2BIG;
 *  - the header compiles alone with -std=c90 and as C++.
 */
#ifndef _UAPI_LINUX_EDGEAI_H
#define _UAPI_LINUX_EDGEAI_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define EDGEAI_DEV_NAME		"edgeai"
#define EDGEAI_DEV_PATH		"/dev/edgeai"

/*
 * Bumped only for incompatible changes. Compatible growth is announced
 * through feature bits and struct sizes instead.
 */
#define EDGEAI_ABI_VERSION	1

/*
 * Feature bits reported in edgeai_info.features. A bit is set only when the
 * running module implements the whole feature.
 */
#define EDGEAI_FEAT_RINGS	(1ULL << 0)	/* ring ioctls + mmap */
#define EDGEAI_FEAT_POLL	(1ULL << 1)	/* poll() with a watermark */
#define EDGEAI_FEAT_URING_CMD	(1ULL << 2)	/* IORING_OP_URING_CMD wait */
#define EDGEAI_FEAT_OVERWRITE	(1ULL << 3)	/* EDGEAI_RING_F_OVERWRITE */
#define EDGEAI_FEAT_USER_PRODUCER (1ULL << 4)	/* EDGEAI_RING_F_USER_PRODUCER */
#define EDGEAI_FEAT_PRODUCER_WAKE (1ULL << 5)	/* POLLOUT wakes, free watermark */
#define EDGEAI_FEAT_USER_HEAD	(1ULL << 6)	/* EDGEAI_RING_F_USER_HEAD */
#define EDGEAI_FEAT_ROOM_WAIT	(1ULL << 7)	/* CTRL_F_ROOM_WAIT, RING_SYNC */
#define EDGEAI_FEATURES_KNOWN	((1ULL << 8) - 1)

/*
 * Element types of a tensor. Values are stable ABI; 0 is invalid so that a
 * zeroed descriptor is rejected instead of silently meaning "float".
 */
#define EDGEAI_DTYPE_INVALID	0
#define EDGEAI_DTYPE_U8		1
#define EDGEAI_DTYPE_I8		2
#define EDGEAI_DTYPE_U16	3
#define EDGEAI_DTYPE_I16	4
#define EDGEAI_DTYPE_U32	5
#define EDGEAI_DTYPE_I32	6
#define EDGEAI_DTYPE_F16	7
#define EDGEAI_DTYPE_F32	8
#define EDGEAI_DTYPE_F64	9
#define EDGEAI_DTYPE_MAX	EDGEAI_DTYPE_F64

/**
 * struct edgeai_info - what the running module is and can do
 * @size: in: sizeof(struct edgeai_info) as the caller knows it (at least
 *	EDGEAI_INFO_SIZE_VER0); out: the size the module filled in
 * @flags: in: must be 0
 * @abi_version: out: EDGEAI_ABI_VERSION of the module
 * @__pad: must be 0
 * @features: out: EDGEAI_FEAT_* bits
 * @version: out: module version, NUL-terminated
 * @reserved: must be 0
 */
struct edgeai_info {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 __pad;
	__u64 features;
	__u8 version[32];
	__u64 reserved[6];
};

#define EDGEAI_INFO_SIZE_VER0	104

/* Ring names: 1..31 bytes of [A-Za-z0-9_.-], NUL-terminated, unique. */
#define EDGEAI_NAME_LEN		32
#define EDGEAI_MAX_RANK		4
#define EDGEAI_MAX_SLOTS	(1U << 20)

/* edgeai_tensor_desc.flags */
#define EDGEAI_TENSOR_F_QUANT	(1U << 0)	/* scale/zero_point are valid */
#define EDGEAI_TENSOR_FLAGS_ALL	EDGEAI_TENSOR_F_QUANT

/**
 * struct edgeai_tensor_desc - the tensor each slot's payload holds
 * @dtype: EDGEAI_DTYPE_*
 * @rank: number of dimensions, 0 (opaque bytes, dtype U8) to
 *	EDGEAI_MAX_RANK
 * @shape: dimensions; entries at and past @rank must be 0, the others > 0.
 *	The product times the dtype size must fit in the slot payload.
 * @flags: EDGEAI_TENSOR_F_*
 * @scale_f32: quantization scale as IEEE-754 binary32 bits (the kernel
 *	never interprets it); 0 unless EDGEAI_TENSOR_F_QUANT
 * @zero_point: quantization zero point; 0 unless EDGEAI_TENSOR_F_QUANT
 * @reserved: must be 0
 */
struct edgeai_tensor_desc {
	__u32 dtype;
	__u32 rank;
	__u32 shape[EDGEAI_MAX_RANK];
	__u32 flags;
	__u32 scale_f32;
	__s32 zero_point;
	__u32 reserved[3];
};

/* edgeai_ring_create.flags */
#define EDGEAI_RING_F_OVERWRITE	(1U << 0)	/* full: overwrite oldest */
#define EDGEAI_RING_F_USER_PRODUCER (1U << 1)	/* fed from userspace */
#define EDGEAI_RING_F_USER_HEAD	(1U << 2)	/* publish by a store */
#define EDGEAI_RING_FLAGS_ALL	(EDGEAI_RING_F_OVERWRITE | \
				 EDGEAI_RING_F_USER_PRODUCER | \
				 EDGEAI_RING_F_USER_HEAD)

/**
 * struct edgeai_ring_create - EDGEAI_IOC_RING_CREATE
 * @size: sizeof(struct edgeai_ring_create)
 * @flags: EDGEAI_RING_F_*. Without OVERWRITE a full ring drops the newest
 *	sample (counted, EDGEAI_DROP_FULL); with it the oldest unconsumed
 *	slot is overwritten (counted, EDGEAI_DROP_OVERWRITTEN). Without
 *	USER_PRODUCER, producers are in-kernel drivers; with it, one
 *	userspace producer fills slots in its mapping and publishes them
 *	with EDGEAI_IOC_RING_PUBLISH. USER_HEAD (with USER_PRODUCER, not
 *	OVERWRITE) lets that producer publish by storing its head in the
 *	mapping instead, entering the kernel only to wake a consumer that
 *	waits (EDGEAI_CTRL_F_NEED_WAKEUP) or to report drops: the kernel
 *	then neither checks nor stamps the slots (see
 *	struct edgeai_ring_offsets).
 * @slot_count: number of slots, a power of two, 2..EDGEAI_MAX_SLOTS
 * @slot_size: payload bytes per slot, 1..(1 << 20)
 * @name: ring name (see EDGEAI_NAME_LEN)
 * @desc: tensor descriptor of each payload
 * @ring_id: out: the new ring's id (never 0)
 * @__pad: must be 0
 * @reserved: must be 0
 */
struct edgeai_ring_create {
	__u32 size;
	__u32 flags;
	__u32 slot_count;
	__u32 slot_size;
	char name[EDGEAI_NAME_LEN];
	struct edgeai_tensor_desc desc;
	__u32 ring_id;
	__u32 __pad;
	__u64 reserved[4];
};

#define EDGEAI_RING_CREATE_SIZE_VER0	136

/* Roles for EDGEAI_IOC_RING_ATTACH. */
#define EDGEAI_ROLE_CONSUMER	1	/* one per ring */
#define EDGEAI_ROLE_PRODUCER	2	/* USER_PRODUCER rings only, one */
#define EDGEAI_ROLE_OBSERVER	3	/* read-only: info, stats, mmap RO */

/* edgeai_ring_attach.flags */
#define EDGEAI_ATTACH_F_BY_NAME	(1U << 0)	/* use @name, not @ring_id */
#define EDGEAI_ATTACH_FLAGS_ALL	EDGEAI_ATTACH_F_BY_NAME

/*
 * mmap offsets: each selects one region of the attached ring. A mapping
 * must start at a region's offset and may not be longer than the region.
 *
 *  CTRL   written by the kernel only, mapped read-only for every role
 *  CONS   the consumer's page: it writes its tail there (RW for the
 *         consumer, read-only for the others)
 *  SLOTS  slot headers and payloads: read-only for consumers and
 *         observers, read-write for the producer of a USER_PRODUCER ring;
 *         in a USER_HEAD ring followed by the producer's head
 */
#define EDGEAI_OFF_CTRL		0x00000000ULL
#define EDGEAI_OFF_CONS		0x10000000ULL
#define EDGEAI_OFF_SLOTS	0x20000000ULL

/**
 * struct edgeai_ring_offsets - where everything is in the mapping
 *
 * Offsets are relative to the start of the region named in the field.
 * Positions (head, tail) are free-running __u64 counts of slots; the slot
 * of position p is at slots + (p & (slot_count - 1)) * slot_stride.
 *
 * Ordering (the same rules as io_uring and AF_XDP):
 *  - the kernel writes a slot, then store-releases ctrl.head; a consumer
 *    load-acquires ctrl.head, then reads slots [tail, head);
 *  - a consumer finishes with slots, then store-releases cons.tail; the
 *    kernel load-acquires cons.tail before it reuses those slots;
 *  - ctrl.tail_floor is the oldest slot the kernel still considers
 *    occupied (>= the consumer's tail once validated). In OVERWRITE rings
 *    it moves past slots that were overwritten: a consumer whose tail is
 *    below it lost (tail_floor - tail) slots, and after reading a slot it
 *    must re-check (load-acquire) that tail_floor has not passed it.
 *
 * The kernel never trusts cons.tail: it reads it once per use, rejects
 * and counts (EDGEAI_RING_STATS.bad_index) a value outside
 * [previous tail, head], and keeps its own copy.
 *
 * USER_HEAD rings (need-wakeup publishing, as AF_XDP does it):
 *  - the producer writes slots, stamps their seq (and ts_ns) itself,
 *    then store-releases its head at slots.prod_head; a consumer
 *    load-acquires that head instead of ctrl.head and reads [tail, head).
 *    The head is user memory: consumers clamp it to [tail, tail +
 *    slot_count] and clamp each slot's len to slot_size, and the kernel
 *    takes it in (into ctrl.head, its counters and the consumer's
 *    wake-ups) only after the same checks, counting a bad one in
 *    bad_index;
 *  - a consumer about to sleep (poll, io_uring wait) sets
 *    EDGEAI_CTRL_F_NEED_WAKEUP in ctrl.flags, then reads the head again;
 *    a producer stores its head, then (after a full barrier) reads
 *    ctrl.flags, and calls EDGEAI_IOC_RING_PUBLISH with that head when the
 *    flag is set (or to report drops). Neither side can miss the other.
 *
 * A userspace producer waiting for room (EDGEAI_FEAT_ROOM_WAIT), the same
 * way round:
 *  - when the producer's poll() finds fewer free slots than its watermark,
 *    the kernel sets EDGEAI_CTRL_F_ROOM_WAIT in ctrl.flags, then reads
 *    cons.tail again;
 *  - a consumer store-releases cons.tail, then (after a full barrier)
 *    reads ctrl.flags, and calls EDGEAI_IOC_RING_SYNC when the flag is
 *    set: the kernel takes the tail in and wakes the producer once the
 *    room it waits for is there, clearing the flag. Without that call the
 *    producer sleeps until the kernel next reads the tail (the consumer's
 *    poll(), io_uring wait or RING_STATS).
 *
 * @ctrl_head: __u64, published producer position (CTRL)
 * @ctrl_tail_floor: __u64 (CTRL)
 * @ctrl_flags: __u32, EDGEAI_CTRL_F_* (CTRL)
 * @cons_tail: __u64, the consumer's position (CONS)
 * @slots: offset of slot 0 (SLOTS)
 * @ctrl_size: length to map at EDGEAI_OFF_CTRL
 * @cons_size: length to map at EDGEAI_OFF_CONS
 * @slots_size: length to map at EDGEAI_OFF_SLOTS
 * @slot_stride: bytes from one slot header to the next (64-byte multiple)
 * @prod_head: __u64, the producer's head of a USER_HEAD ring (SLOTS); 0
 *	for other rings
 * @reserved: 0
 */
struct edgeai_ring_offsets {
	__u32 ctrl_head;
	__u32 ctrl_tail_floor;
	__u32 ctrl_flags;
	__u32 cons_tail;
	__u32 slots;
	__u32 slot_stride;
	__u64 ctrl_size;
	__u64 cons_size;
	__u64 slots_size;
	__u64 prod_head;
	__u64 reserved;
};

/* Bits in the __u32 at ctrl_flags. */
#define EDGEAI_CTRL_F_DEAD	(1U << 0)	/* ring destroyed: no more data */
#define EDGEAI_CTRL_F_NEED_WAKEUP (1U << 1)	/* USER_HEAD: a consumer waits */
#define EDGEAI_CTRL_F_ROOM_WAIT	(1U << 2)	/* a producer waits for room */

/**
 * struct edgeai_slot_hdr - at the start of every slot, payload follows
 * @seq: sequence number: every sample offered to the ring takes the next
 *	one, dropped or not, so gaps show exactly the dropped samples
 * @ts_ns: CLOCK_MONOTONIC time of the sample, ns
 * @sensor_id: producer-defined sensor id
 * @tag: producer-defined tag (class, priority, pipeline)
 * @len: payload bytes (never more than the ring's slot_size; consumers
 *	must still clamp it for USER_PRODUCER rings)
 * @flags: EDGEAI_SLOT_F_*
 */
struct edgeai_slot_hdr {
	__u64 seq;
	__u64 ts_ns;
	__u32 sensor_id;
	__u32 tag;
	__u32 len;
	__u32 flags;
};

#define EDGEAI_SLOT_F_ANOMALY	(1U << 0)	/* ground truth: injected */
#define EDGEAI_SLOT_F_USER	(0xffU << 24)	/* free for producers */

/**
 * struct edgeai_ring_attach - EDGEAI_IOC_RING_ATTACH: bind this fd to a ring
 * @size: sizeof(struct edgeai_ring_attach)
 * @flags: EDGEAI_ATTACH_F_*
 * @ring_id: in: the ring (unless BY_NAME); out: the ring's id
 * @role: EDGEAI_ROLE_*
 * @name: in with BY_NAME; out: the ring's name
 * @watermark: poll()/epoll report EPOLLIN when at least this many slots
 *	are ready (0 means 1); at most slot_count. For the producer
 *	(EDGEAI_FEAT_PRODUCER_WAKE): EPOLLOUT when at least this many slots
 *	are free, and a producer waiting for that room is woken when the
 *	kernel sees the consumer free it (keep the consumer's and the
 *	producer's watermarks together at most slot_count, or both may wait)
 * @__pad: must be 0
 * @off: out: the layout of the mapping
 * @reserved: must be 0
 *
 * An fd is attached to at most one ring (-EBUSY otherwise). A ring has at
 * most one consumer and, if USER_PRODUCER, one producer (-EBUSY).
 */
struct edgeai_ring_attach {
	__u32 size;
	__u32 flags;
	__u32 ring_id;
	__u32 role;
	char name[EDGEAI_NAME_LEN];
	__u32 watermark;
	__u32 __pad;
	struct edgeai_ring_offsets off;
	__u64 reserved[4];
};

#define EDGEAI_RING_ATTACH_SIZE_VER0	152

/* edgeai_ring_info.flags */
#define EDGEAI_RING_INFO_F_NEXT	(1U << 0)	/* the first ring after @ring_id */
#define EDGEAI_RING_INFO_FLAGS_ALL EDGEAI_RING_INFO_F_NEXT

/**
 * struct edgeai_ring_info - EDGEAI_IOC_RING_INFO: describe a ring
 * @size: sizeof(struct edgeai_ring_info)
 * @flags: EDGEAI_RING_INFO_F_*. With NEXT, describe the registered ring
 *	with the lowest id above @ring_id (-ENOENT after the last): listing
 *	all rings is a loop starting from 0.
 * @ring_id: in: the ring, or 0 for the ring this fd is attached to
 * @ring_flags: out: EDGEAI_RING_F_* it was created with
 * @slot_count: out
 * @slot_size: out: payload bytes per slot
 * @name: out
 * @desc: out
 * @refs: out: references held (fds, mappings, in-kernel producers, the
 *	registry itself while the ring is not destroyed)
 * @state: out: EDGEAI_RING_STATE_*
 * @off: out: mapping layout
 * @reserved: must be 0
 */
struct edgeai_ring_info {
	__u32 size;
	__u32 flags;
	__u32 ring_id;
	__u32 ring_flags;
	__u32 slot_count;
	__u32 slot_size;
	char name[EDGEAI_NAME_LEN];
	struct edgeai_tensor_desc desc;
	__u32 refs;
	__u32 state;
	struct edgeai_ring_offsets off;
	__u64 reserved[4];
};

#define EDGEAI_RING_INFO_SIZE_VER0	208

#define EDGEAI_RING_STATE_LIVE		1
#define EDGEAI_RING_STATE_DESTROYED	2	/* still mapped or held */

/* Why samples were dropped: indices into edgeai_ring_stats.drops[]. */
#define EDGEAI_DROP_FULL	0	/* ring full, newest dropped */
#define EDGEAI_DROP_OVERWRITTEN	1	/* OVERWRITE: oldest overwritten */
#define EDGEAI_DROP_BUSY	2	/* OVERWRITE: oldest still being written */
#define EDGEAI_DROP_TOO_BIG	3	/* payload larger than slot_size */
#define EDGEAI_DROP_DEAD	4	/* ring destroyed */
#define EDGEAI_DROP_PRODUCER	5	/* a userspace producer's own drops */
#define EDGEAI_DROP_MAX		8	/* room to grow */

/**
 * struct edgeai_ring_stats - EDGEAI_IOC_RING_STATS
 * @size: sizeof(struct edgeai_ring_stats)
 * @flags: must be 0
 * @ring_id: in: the ring, or 0 for the attached one
 * @__pad: must be 0
 * @produced: samples offered (each took a sequence number)
 * @consumed: samples the consumer released
 * @bytes: payload bytes of committed samples
 * @drops: by EDGEAI_DROP_* reason. Invariant: produced == consumed +
 *	sum(drops) + in_ring, and in_ring is 0 once drained.
 * @in_ring: reserved or committed, not yet consumed
 * @high_water: most slots ever occupied at once
 * @bad_index: user-written indices rejected (never used)
 * @wakeups: wake-ups sent to the consumer (poll and io_uring)
 * @reserved: must be 0
 */
struct edgeai_ring_stats {
	__u32 size;
	__u32 flags;
	__u32 ring_id;
	__u32 __pad;
	__u64 produced;
	__u64 consumed;
	__u64 bytes;
	__u64 drops[EDGEAI_DROP_MAX];
	__u64 in_ring;
	__u64 high_water;
	__u64 bad_index;
	__u64 wakeups;
	__u64 reserved[6];
};

#define EDGEAI_RING_STATS_SIZE_VER0	184

/* edgeai_ring_destroy.flags */
#define EDGEAI_DESTROY_F_BY_NAME	(1U << 0)
#define EDGEAI_DESTROY_FLAGS_ALL	EDGEAI_DESTROY_F_BY_NAME

/**
 * struct edgeai_ring_destroy - EDGEAI_IOC_RING_DESTROY
 * @size: sizeof(struct edgeai_ring_destroy)
 * @flags: EDGEAI_DESTROY_F_*
 * @ring_id: the ring, unless BY_NAME
 * @__pad: must be 0
 * @name: with BY_NAME
 * @reserved: must be 0
 *
 * The name and id go away at once; attached fds, mappings and in-kernel
 * producers keep the memory valid until they let go. Producers then get
 * -ENODEV (counted as EDGEAI_DROP_DEAD), consumers EPOLLHUP once drained.
 */
struct edgeai_ring_destroy {
	__u32 size;
	__u32 flags;
	__u32 ring_id;
	__u32 __pad;
	char name[EDGEAI_NAME_LEN];
	__u64 reserved[2];
};

#define EDGEAI_RING_DESTROY_SIZE_VER0	64

/**
 * struct edgeai_ring_publish - EDGEAI_IOC_RING_PUBLISH (USER_PRODUCER)
 * @size: sizeof(struct edgeai_ring_publish)
 * @flags: must be 0
 * @head: in: the producer's new head: slots [ctrl.head, @head) are
 *	written and handed to the consumer. Must not pass tail_floor +
 *	slot_count; may equal ctrl.head only to report @dropped. The
 *	kernel validates each slot's len, stamps its seq, and stamps ts_ns
 *	if it is 0. In a USER_HEAD ring: the head the producer stored at
 *	slots.prod_head; it may equal ctrl.head (a wake-up, or drops to
 *	report), and the kernel does not look at the slots.
 * @dropped: in: samples the producer dropped since its last publish; they
 *	take sequence numbers before the published slots
 * @__pad: must be 0
 * @tail_floor: out: the current tail floor (free space = slot_count -
 *	(head - tail_floor))
 * @reserved: must be 0
 */
struct edgeai_ring_publish {
	__u32 size;
	__u32 flags;
	__u64 head;
	__u32 dropped;
	__u32 __pad;
	__u64 tail_floor;
	__u64 reserved[2];
};

#define EDGEAI_RING_PUBLISH_SIZE_VER0	48

/*
 * io_uring: IORING_OP_URING_CMD on an attached consumer fd with
 * cmd_op = EDGEAI_URING_CMD_WAIT and struct edgeai_uring_wait in sqe->cmd
 * completes when at least @min_ready slots are ready (res = slots ready),
 * when @timeout_ns passes (res = -ETIME), or when it is cancelled by
 * EDGEAI_IOC_WAIT_CANCEL or detached (res = -ECANCELED). One wait may be
 * outstanding per fd (-EBUSY). @timeout_ns is required, at most
 * EDGEAI_WAIT_MAX_NS, so that no request outlives a stuck producer.
 */
#define EDGEAI_URING_CMD_WAIT	1
#define EDGEAI_WAIT_MAX_NS	(60ULL * 1000000000ULL)

struct edgeai_uring_wait {
	__u32 min_ready;
	__u32 flags;		/* must be 0 */
	__u64 timeout_ns;
};

#define EDGEAI_IOC_MAGIC	'E'
#define EDGEAI_IOC_GET_INFO	_IOWR(EDGEAI_IOC_MAGIC, 0x00, struct edgeai_info)
#define EDGEAI_IOC_RING_CREATE	_IOWR(EDGEAI_IOC_MAGIC, 0x01, struct edgeai_ring_create)
#define EDGEAI_IOC_RING_ATTACH	_IOWR(EDGEAI_IOC_MAGIC, 0x02, struct edgeai_ring_attach)
#define EDGEAI_IOC_RING_INFO	_IOWR(EDGEAI_IOC_MAGIC, 0x03, struct edgeai_ring_info)
#define EDGEAI_IOC_RING_STATS	_IOWR(EDGEAI_IOC_MAGIC, 0x04, struct edgeai_ring_stats)
#define EDGEAI_IOC_RING_DESTROY	_IOW(EDGEAI_IOC_MAGIC, 0x05, struct edgeai_ring_destroy)
#define EDGEAI_IOC_RING_PUBLISH	_IOWR(EDGEAI_IOC_MAGIC, 0x06, struct edgeai_ring_publish)
#define EDGEAI_IOC_WAIT_CANCEL	_IO(EDGEAI_IOC_MAGIC, 0x07)
/*
 * On an attached consumer or producer fd (-ENXIO unattached, -EPERM for an
 * observer): take in the consumer's tail and a USER_HEAD producer's head,
 * waking a producer whose room or a consumer whose watermark they reach
 * (EDGEAI_FEAT_ROOM_WAIT). No argument.
 */
#define EDGEAI_IOC_RING_SYNC	_IO(EDGEAI_IOC_MAGIC, 0x08)

#endif /* _UAPI_LINUX_EDGEAI_H */
