/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edgeai in-kernel producer API: how a sensor driver writes samples
 * straight into a tensor ring that applications read in place.
 *
 *	struct edgeai_ring *ring = edgeai_ring_get("imu0");
 *	struct edgeai_slot slot;
 *
 *	if (IS_ERR(ring))
 *		return PTR_ERR(ring);
 *	...
 *	// in any context: process, softirq or hardirq
 *	if (!edgeai_slot_reserve(ring, sizeof(sample), &slot)) {
 *		memcpy(slot.data, &sample, sizeof(sample));  // or DMA/fill
 *		slot.sensor_id = 3;
 *		edgeai_slot_commit(ring, &slot);
 *	}	// on error the drop is already counted, with its reason
 *	...
 *	edgeai_ring_put(ring);
 *
 * See docs/ring-abi.md and kmod/synth/ for a complete driver.
 */
#ifndef _EDGEAI_PRODUCER_H
#define _EDGEAI_PRODUCER_H

#include <linux/types.h>
#include <linux/edgeai.h>

struct edgeai_ring;

/**
 * struct edgeai_slot - a reserved slot, owned by the producer until commit
 * @data: where to write the payload (@len bytes, in the consumer's mapping)
 * @len: payload length requested at reserve; may be lowered before commit
 * @seq: the sample's sequence number (read-only)
 * @ts_ns: CLOCK_MONOTONIC time taken at reserve; may be set before commit
 * @sensor_id: written to the slot header at commit
 * @tag: written to the slot header at commit
 * @flags: EDGEAI_SLOT_F_* written to the slot header at commit
 * @pos: private to edgeai
 */
struct edgeai_slot {
	void *data;
	u32 len;
	u64 seq;
	u64 ts_ns;
	u32 sensor_id;
	u32 tag;
	u32 flags;
	u64 pos;
};

struct edgeai_ring *edgeai_ring_get(const char *name);
struct edgeai_ring *edgeai_ring_create(const struct edgeai_ring_create *args);
void edgeai_ring_put(struct edgeai_ring *ring);
u32 edgeai_ring_id(const struct edgeai_ring *ring);
const struct edgeai_tensor_desc *edgeai_ring_desc(const struct edgeai_ring *ring);
u32 edgeai_ring_slot_size(const struct edgeai_ring *ring);
u32 edgeai_ring_flags(const struct edgeai_ring *ring);
int edgeai_slot_reserve(struct edgeai_ring *ring, u32 len,
			struct edgeai_slot *slot);
void edgeai_slot_commit(struct edgeai_ring *ring, struct edgeai_slot *slot);

#endif /* _EDGEAI_PRODUCER_H */
