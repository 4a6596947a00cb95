/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * edgeai generic netlink family: ring descriptors and counters, module
 * statistics, and the "monitor" multicast group of events.
 *
 * This header is kmod/edgeai.yaml written out in C, in the layout the
 * kernel's ynl-gen would give it; the spec is the source of truth and the
 * uapi test lane checks that the two agree. docs/netlink.md explains the
 * family with examples.
 *
 * Rules (see docs/netlink.md):
 *  - attribute and command values are ABI: new ones are only appended,
 *    before the __*_MAX entries; nothing is renumbered or reused;
 *  - attribute 0 is never used; every u64 attribute may be preceded by a
 *    pad attribute of its set (nla_put_u64_64bit());
 *  - requests are validated strictly: an attribute a command does not take
 *    is refused with -EINVAL and an extended ack message;
 *  - the header compiles alone with -std=c90 and as C++, and needs no
 *    other header.
 */
#ifndef _UAPI_LINUX_EDGEAI_NETLINK_H
#define _UAPI_LINUX_EDGEAI_NETLINK_H

#define EDGEAI_FAMILY_NAME	"edgeai"
#define EDGEAI_FAMILY_VERSION	1

/* Multicast group of the events (EDGEAI_CMD_RING_CREATED and later). */
#define EDGEAI_MCGRP_MONITOR	"monitor"

/**
 * enum edgeai_producer_kind - EDGEAI_A_RING_PRODUCER_KIND values
 * @EDGEAI_PRODUCER_KERNEL: an in-kernel driver took (edgeai_ring_get(),
 *	edgeai_ring_create()) or dropped (edgeai_ring_put()) a producer
 *	reference
 * @EDGEAI_PRODUCER_USER: an fd attached to a USER_PRODUCER ring as
 *	EDGEAI_ROLE_PRODUCER, or that fd was closed
 */
enum edgeai_producer_kind {
	EDGEAI_PRODUCER_KERNEL = 1,
	EDGEAI_PRODUCER_USER
};

/*
 * Attributes of a ring: EDGEAI_CMD_RING_GET's request (ID or NAME) and
 * reply (everything but PRODUCER_KIND and OVERFLOW_DROPS), and every event
 * (ID and NAME, plus PRODUCER_KIND or OVERFLOW_DROPS).
 *
 * @EDGEAI_A_RING_ID: u32, ring id (never 0)
 * @EDGEAI_A_RING_NAME: string, NUL-terminated, 1..31 bytes of [A-Za-z0-9_.-]
 * @EDGEAI_A_RING_STATE: u32, EDGEAI_RING_STATE_* (linux/edgeai.h)
 * @EDGEAI_A_RING_FLAGS: u32, EDGEAI_RING_F_*
 * @EDGEAI_A_RING_SLOT_COUNT: u32
 * @EDGEAI_A_RING_SLOT_SIZE: u32, payload bytes per slot
 * @EDGEAI_A_RING_SLOT_STRIDE: u32, bytes from one slot header to the next
 * @EDGEAI_A_RING_MEM_BYTES: u64, memory the ring uses
 * @EDGEAI_A_RING_DTYPE: u32, EDGEAI_DTYPE_*
 * @EDGEAI_A_RING_RANK: u32, 0..EDGEAI_MAX_RANK
 * @EDGEAI_A_RING_SHAPE: u32, one attribute per dimension, outermost first
 * @EDGEAI_A_RING_TENSOR_FLAGS: u32, EDGEAI_TENSOR_F_*
 * @EDGEAI_A_RING_QUANT_SCALE: u32, IEEE-754 binary32 bits
 * @EDGEAI_A_RING_QUANT_ZERO_POINT: s32
 * @EDGEAI_A_RING_REFS: u32, references held, not counting the request's
 * @EDGEAI_A_RING_CONSUMERS: u32, attached consumers (0 or 1)
 * @EDGEAI_A_RING_PRODUCERS: u32, in-kernel producer references plus the
 *	attached userspace producer
 * @EDGEAI_A_RING_STATS: nest, EDGEAI_A_RING_STATS_*
 * @EDGEAI_A_RING_PAD: padding for u64 attributes
 * @EDGEAI_A_RING_PRODUCER_KIND: u32, enum edgeai_producer_kind (producer
 *	events)
 * @EDGEAI_A_RING_OVERFLOW_DROPS: u64, drops for lack of room so far: full
 *	+ overwritten + busy + producer (overflow events)
 */
enum {
	EDGEAI_A_RING_ID = 1,
	EDGEAI_A_RING_NAME,
	EDGEAI_A_RING_STATE,
	EDGEAI_A_RING_FLAGS,
	EDGEAI_A_RING_SLOT_COUNT,
	EDGEAI_A_RING_SLOT_SIZE,
	EDGEAI_A_RING_SLOT_STRIDE,
	EDGEAI_A_RING_MEM_BYTES,
	EDGEAI_A_RING_DTYPE,
	EDGEAI_A_RING_RANK,
	EDGEAI_A_RING_SHAPE,
	EDGEAI_A_RING_TENSOR_FLAGS,
	EDGEAI_A_RING_QUANT_SCALE,
	EDGEAI_A_RING_QUANT_ZERO_POINT,
	EDGEAI_A_RING_REFS,
	EDGEAI_A_RING_CONSUMERS,
	EDGEAI_A_RING_PRODUCERS,
	EDGEAI_A_RING_STATS,
	EDGEAI_A_RING_PAD,
	EDGEAI_A_RING_PRODUCER_KIND,
	EDGEAI_A_RING_OVERFLOW_DROPS,

	__EDGEAI_A_RING_MAX,
	EDGEAI_A_RING_MAX = (__EDGEAI_A_RING_MAX - 1)
};

/*
 * Inside EDGEAI_A_RING_STATS: every counter of struct edgeai_ring_stats,
 * all u64, read in one snapshot.
 */
enum {
	EDGEAI_A_RING_STATS_PRODUCED = 1,
	EDGEAI_A_RING_STATS_CONSUMED,
	EDGEAI_A_RING_STATS_BYTES,
	EDGEAI_A_RING_STATS_IN_RING,
	EDGEAI_A_RING_STATS_HIGH_WATER,
	EDGEAI_A_RING_STATS_BAD_INDEX,
	EDGEAI_A_RING_STATS_WAKEUPS,
	EDGEAI_A_RING_STATS_DROPS,	/* nest, EDGEAI_A_DROPS_* */
	EDGEAI_A_RING_STATS_PAD,

	__EDGEAI_A_RING_STATS_MAX,
	EDGEAI_A_RING_STATS_MAX = (__EDGEAI_A_RING_STATS_MAX - 1)
};

/* Drops by reason, u64 each: EDGEAI_DROP_* of linux/edgeai.h. */
enum {
	EDGEAI_A_DROPS_FULL = 1,	/* EDGEAI_DROP_FULL */
	EDGEAI_A_DROPS_OVERWRITTEN,	/* EDGEAI_DROP_OVERWRITTEN */
	EDGEAI_A_DROPS_BUSY,		/* EDGEAI_DROP_BUSY */
	EDGEAI_A_DROPS_TOO_BIG,		/* EDGEAI_DROP_TOO_BIG */
	EDGEAI_A_DROPS_DEAD,		/* EDGEAI_DROP_DEAD */
	EDGEAI_A_DROPS_PRODUCER,	/* EDGEAI_DROP_PRODUCER */
	EDGEAI_A_DROPS_PAD,

	__EDGEAI_A_DROPS_MAX,
	EDGEAI_A_DROPS_MAX = (__EDGEAI_A_DROPS_MAX - 1)
};

/*
 * EDGEAI_CMD_STATS_GET's reply: the module as a whole.
 *
 * @EDGEAI_A_STATS_VERSION: string, module version
 * @EDGEAI_A_STATS_ABI_VERSION: u32, EDGEAI_ABI_VERSION of the module
 * @EDGEAI_A_STATS_FEATURES: u64, EDGEAI_FEAT_*
 * @EDGEAI_A_STATS_RINGS: u32, registered rings
 * @EDGEAI_A_STATS_MAX_RINGS: u32, module parameter max_rings
 * @EDGEAI_A_STATS_MEM_BYTES: u64, memory of all rings, destroyed ones that
 *	are still held included
 * @EDGEAI_A_STATS_MAX_RING_BYTES: u64, module parameter max_ring_bytes
 * @EDGEAI_A_STATS_MAX_TOTAL_BYTES: u64, module parameter max_total_bytes
 * @EDGEAI_A_STATS_PRODUCED: u64, sum over the registered rings
 * @EDGEAI_A_STATS_CONSUMED: u64, sum over the registered rings
 * @EDGEAI_A_STATS_BYTES: u64, sum over the registered rings
 * @EDGEAI_A_STATS_DROPS: nest, EDGEAI_A_DROPS_*, sums over the registered
 *	rings
 * @EDGEAI_A_STATS_PAD: padding for u64 attributes
 */
enum {
	EDGEAI_A_STATS_VERSION = 1,
	EDGEAI_A_STATS_ABI_VERSION,
	EDGEAI_A_STATS_FEATURES,
	EDGEAI_A_STATS_RINGS,
	EDGEAI_A_STATS_MAX_RINGS,
	EDGEAI_A_STATS_MEM_BYTES,
	EDGEAI_A_STATS_MAX_RING_BYTES,
	EDGEAI_A_STATS_MAX_TOTAL_BYTES,
	EDGEAI_A_STATS_PRODUCED,
	EDGEAI_A_STATS_CONSUMED,
	EDGEAI_A_STATS_BYTES,
	EDGEAI_A_STATS_DROPS,
	EDGEAI_A_STATS_PAD,

	__EDGEAI_A_STATS_MAX,
	EDGEAI_A_STATS_MAX = (__EDGEAI_A_STATS_MAX - 1)
};

/*
 * Commands. RING_GET and STATS_GET are requests (anyone may send them);
 * the others are events multicast to EDGEAI_MCGRP_MONITOR, with the
 * ring's EDGEAI_A_RING_ID and EDGEAI_A_RING_NAME:
 *
 * @EDGEAI_CMD_RING_GET: do: exactly one of EDGEAI_A_RING_ID or
 *	EDGEAI_A_RING_NAME (-EINVAL otherwise, -ENOENT for no such ring);
 *	dump: every ring in id order, no attributes
 * @EDGEAI_CMD_STATS_GET: do, no attributes: EDGEAI_A_STATS_*
 * @EDGEAI_CMD_RING_CREATED: a ring was created
 * @EDGEAI_CMD_RING_DESTROYED: a ring's name and id were removed
 * @EDGEAI_CMD_PRODUCER_ATTACHED: + EDGEAI_A_RING_PRODUCER_KIND
 * @EDGEAI_CMD_PRODUCER_DETACHED: + EDGEAI_A_RING_PRODUCER_KIND
 * @EDGEAI_CMD_OVERFLOW_STARTED: + EDGEAI_A_RING_OVERFLOW_DROPS; at most
 *	one per ring per second
 * @EDGEAI_CMD_OVERFLOW_ENDED: + EDGEAI_A_RING_OVERFLOW_DROPS
 */
enum {
	EDGEAI_CMD_RING_GET = 1,
	EDGEAI_CMD_STATS_GET,
	EDGEAI_CMD_RING_CREATED,
	EDGEAI_CMD_RING_DESTROYED,
	EDGEAI_CMD_PRODUCER_ATTACHED,
	EDGEAI_CMD_PRODUCER_DETACHED,
	EDGEAI_CMD_OVERFLOW_STARTED,
	EDGEAI_CMD_OVERFLOW_ENDED,

	__EDGEAI_CMD_MAX,
	EDGEAI_CMD_MAX = (__EDGEAI_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_EDGEAI_NETLINK_H */
