// SPDX-License-Identifier: GPL-2.0
/*
 * The ABI's layout, proved at compile time and re-checked at run time so
 * that a change shows up as a failing test with the numbers. Changing any
 * value here is an ABI break unless the struct only grew at its tail.
 */
#include <stddef.h>
#include <linux/edgeai.h>
#include <linux/edgeai_netlink.h>

#include "edgeai_test.h"

#define OFF(t, m) offsetof(struct t, m)
#define SZ(t) sizeof(struct t)

_Static_assert(SZ(edgeai_info) == EDGEAI_INFO_SIZE_VER0, "info size");
_Static_assert(SZ(edgeai_ring_create) == EDGEAI_RING_CREATE_SIZE_VER0, "create");
_Static_assert(SZ(edgeai_ring_attach) == EDGEAI_RING_ATTACH_SIZE_VER0, "attach");
_Static_assert(SZ(edgeai_ring_info) == EDGEAI_RING_INFO_SIZE_VER0, "ring info");
_Static_assert(SZ(edgeai_ring_stats) == EDGEAI_RING_STATS_SIZE_VER0, "stats");
_Static_assert(SZ(edgeai_ring_destroy) == EDGEAI_RING_DESTROY_SIZE_VER0, "destroy");
_Static_assert(SZ(edgeai_ring_publish) == EDGEAI_RING_PUBLISH_SIZE_VER0, "publish");
_Static_assert(SZ(edgeai_slot_hdr) == 32, "slot header");
_Static_assert(SZ(edgeai_tensor_desc) == 48, "tensor desc");
_Static_assert(SZ(edgeai_ring_offsets) == 64, "offsets");
_Static_assert(SZ(edgeai_uring_wait) == 16, "fits a 64-byte SQE's cmd area");
/* Every ioctl struct starts with size and flags, and has no tail padding. */
_Static_assert(OFF(edgeai_ring_create, flags) == 4, "flags second");
_Static_assert(SZ(edgeai_ring_stats) % 8 == 0, "no tail padding");

/*
 * The netlink family's ids are ABI too (linux/edgeai_netlink.h; the spec,
 * kmod/edgeai.yaml, is checked against the header by netlink_spec.sh).
 */
_Static_assert(EDGEAI_PRODUCER_KERNEL == 1, "EDGEAI_PRODUCER_KERNEL");
_Static_assert(EDGEAI_PRODUCER_USER == 2, "EDGEAI_PRODUCER_USER");
_Static_assert(EDGEAI_A_RING_ID == 1, "EDGEAI_A_RING_ID");
_Static_assert(EDGEAI_A_RING_NAME == 2, "EDGEAI_A_RING_NAME");
_Static_assert(EDGEAI_A_RING_STATE == 3, "EDGEAI_A_RING_STATE");
_Static_assert(EDGEAI_A_RING_FLAGS == 4, "EDGEAI_A_RING_FLAGS");
_Static_assert(EDGEAI_A_RING_SLOT_COUNT == 5, "EDGEAI_A_RING_SLOT_COUNT");
_Static_assert(EDGEAI_A_RING_SLOT_SIZE == 6, "EDGEAI_A_RING_SLOT_SIZE");
_Static_assert(EDGEAI_A_RING_SLOT_STRIDE == 7, "EDGEAI_A_RING_SLOT_STRIDE");
_Static_assert(EDGEAI_A_RING_MEM_BYTES == 8, "EDGEAI_A_RING_MEM_BYTES");
_Static_assert(EDGEAI_A_RING_DTYPE == 9, "EDGEAI_A_RING_DTYPE");
_Static_assert(EDGEAI_A_RING_RANK == 10, "EDGEAI_A_RING_RANK");
_Static_assert(EDGEAI_A_RING_SHAPE == 11, "EDGEAI_A_RING_SHAPE");
_Static_assert(EDGEAI_A_RING_TENSOR_FLAGS == 12, "EDGEAI_A_RING_TENSOR_FLAGS");
_Static_assert(EDGEAI_A_RING_QUANT_SCALE == 13, "EDGEAI_A_RING_QUANT_SCALE");
_Static_assert(EDGEAI_A_RING_QUANT_ZERO_POINT == 14, "EDGEAI_A_RING_QUANT_ZERO_POINT");
_Static_assert(EDGEAI_A_RING_REFS == 15, "EDGEAI_A_RING_REFS");
_Static_assert(EDGEAI_A_RING_CONSUMERS == 16, "EDGEAI_A_RING_CONSUMERS");
_Static_assert(EDGEAI_A_RING_PRODUCERS == 17, "EDGEAI_A_RING_PRODUCERS");
_Static_assert(EDGEAI_A_RING_STATS == 18, "EDGEAI_A_RING_STATS");
_Static_assert(EDGEAI_A_RING_PAD == 19, "EDGEAI_A_RING_PAD");
_Static_assert(EDGEAI_A_RING_PRODUCER_KIND == 20, "EDGEAI_A_RING_PRODUCER_KIND");
_Static_assert(EDGEAI_A_RING_OVERFLOW_DROPS == 21, "EDGEAI_A_RING_OVERFLOW_DROPS");
_Static_assert(EDGEAI_A_RING_STATS_PRODUCED == 1, "EDGEAI_A_RING_STATS_PRODUCED");
_Static_assert(EDGEAI_A_RING_STATS_CONSUMED == 2, "EDGEAI_A_RING_STATS_CONSUMED");
_Static_assert(EDGEAI_A_RING_STATS_BYTES == 3, "EDGEAI_A_RING_STATS_BYTES");
_Static_assert(EDGEAI_A_RING_STATS_IN_RING == 4, "EDGEAI_A_RING_STATS_IN_RING");
_Static_assert(EDGEAI_A_RING_STATS_HIGH_WATER == 5, "EDGEAI_A_RING_STATS_HIGH_WATER");
_Static_assert(EDGEAI_A_RING_STATS_BAD_INDEX == 6, "EDGEAI_A_RING_STATS_BAD_INDEX");
_Static_assert(EDGEAI_A_RING_STATS_WAKEUPS == 7, "EDGEAI_A_RING_STATS_WAKEUPS");
_Static_assert(EDGEAI_A_RING_STATS_DROPS == 8, "EDGEAI_A_RING_STATS_DROPS");
_Static_assert(EDGEAI_A_RING_STATS_PAD == 9, "EDGEAI_A_RING_STATS_PAD");
_Static_assert(EDGEAI_A_DROPS_FULL == 1, "EDGEAI_A_DROPS_FULL");
_Static_assert(EDGEAI_A_DROPS_OVERWRITTEN == 2, "EDGEAI_A_DROPS_OVERWRITTEN");
_Static_assert(EDGEAI_A_DROPS_BUSY == 3, "EDGEAI_A_DROPS_BUSY");
_Static_assert(EDGEAI_A_DROPS_TOO_BIG == 4, "EDGEAI_A_DROPS_TOO_BIG");
_Static_assert(EDGEAI_A_DROPS_DEAD == 5, "EDGEAI_A_DROPS_DEAD");
_Static_assert(EDGEAI_A_DROPS_PRODUCER == 6, "EDGEAI_A_DROPS_PRODUCER");
_Static_assert(EDGEAI_A_DROPS_PAD == 7, "EDGEAI_A_DROPS_PAD");
_Static_assert(EDGEAI_A_STATS_VERSION == 1, "EDGEAI_A_STATS_VERSION");
_Static_assert(EDGEAI_A_STATS_ABI_VERSION == 2, "EDGEAI_A_STATS_ABI_VERSION");
_Static_assert(EDGEAI_A_STATS_FEATURES == 3, "EDGEAI_A_STATS_FEATURES");
_Static_assert(EDGEAI_A_STATS_RINGS == 4, "EDGEAI_A_STATS_RINGS");
_Static_assert(EDGEAI_A_STATS_MAX_RINGS == 5, "EDGEAI_A_STATS_MAX_RINGS");
_Static_assert(EDGEAI_A_STATS_MEM_BYTES == 6, "EDGEAI_A_STATS_MEM_BYTES");
_Static_assert(EDGEAI_A_STATS_MAX_RING_BYTES == 7, "EDGEAI_A_STATS_MAX_RING_BYTES");
_Static_assert(EDGEAI_A_STATS_MAX_TOTAL_BYTES == 8, "EDGEAI_A_STATS_MAX_TOTAL_BYTES");
_Static_assert(EDGEAI_A_STATS_PRODUCED == 9, "EDGEAI_A_STATS_PRODUCED");
_Static_assert(EDGEAI_A_STATS_CONSUMED == 10, "EDGEAI_A_STATS_CONSUMED");
_Static_assert(EDGEAI_A_STATS_BYTES == 11, "EDGEAI_A_STATS_BYTES");
_Static_assert(EDGEAI_A_STATS_DROPS == 12, "EDGEAI_A_STATS_DROPS");
_Static_assert(EDGEAI_A_STATS_PAD == 13, "EDGEAI_A_STATS_PAD");
_Static_assert(EDGEAI_CMD_RING_GET == 1, "EDGEAI_CMD_RING_GET");
_Static_assert(EDGEAI_CMD_STATS_GET == 2, "EDGEAI_CMD_STATS_GET");
_Static_assert(EDGEAI_CMD_RING_CREATED == 3, "EDGEAI_CMD_RING_CREATED");
_Static_assert(EDGEAI_CMD_RING_DESTROYED == 4, "EDGEAI_CMD_RING_DESTROYED");
_Static_assert(EDGEAI_CMD_PRODUCER_ATTACHED == 5, "EDGEAI_CMD_PRODUCER_ATTACHED");
_Static_assert(EDGEAI_CMD_PRODUCER_DETACHED == 6, "EDGEAI_CMD_PRODUCER_DETACHED");
_Static_assert(EDGEAI_CMD_OVERFLOW_STARTED == 7, "EDGEAI_CMD_OVERFLOW_STARTED");
_Static_assert(EDGEAI_CMD_OVERFLOW_ENDED == 8, "EDGEAI_CMD_OVERFLOW_ENDED");

struct field {
	const char *name;
	size_t got, want;
};

#define F(t, m, w) { #t "." #m, OFF(t, m), w }

int main(void)
{
	static const struct field fields[] = {
		F(edgeai_info, abi_version, 8), F(edgeai_info, features, 16),
		F(edgeai_info, version, 24), F(edgeai_info, reserved, 56),
		F(edgeai_tensor_desc, shape, 8), F(edgeai_tensor_desc, flags, 24),
		F(edgeai_tensor_desc, scale_f32, 28),
		F(edgeai_tensor_desc, zero_point, 32),
		F(edgeai_ring_create, slot_count, 8),
		F(edgeai_ring_create, slot_size, 12),
		F(edgeai_ring_create, name, 16), F(edgeai_ring_create, desc, 48),
		F(edgeai_ring_create, ring_id, 96),
		F(edgeai_ring_create, reserved, 104),
		F(edgeai_ring_offsets, ctrl_head, 0),
		F(edgeai_ring_offsets, cons_tail, 12),
		F(edgeai_ring_offsets, slot_stride, 20),
		F(edgeai_ring_offsets, ctrl_size, 24),
		F(edgeai_ring_offsets, slots_size, 40),
		F(edgeai_ring_offsets, prod_head, 48),
		F(edgeai_ring_attach, ring_id, 8), F(edgeai_ring_attach, role, 12),
		F(edgeai_ring_attach, name, 16),
		F(edgeai_ring_attach, watermark, 48),
		F(edgeai_ring_attach, off, 56),
		F(edgeai_ring_attach, reserved, 120),
		F(edgeai_ring_info, name, 24), F(edgeai_ring_info, desc, 56),
		F(edgeai_ring_info, refs, 104), F(edgeai_ring_info, off, 112),
		F(edgeai_ring_stats, produced, 16),
		F(edgeai_ring_stats, drops, 40),
		F(edgeai_ring_stats, in_ring, 104),
		F(edgeai_ring_stats, bad_index, 120),
		F(edgeai_ring_destroy, name, 16),
		F(edgeai_ring_publish, head, 8),
		F(edgeai_ring_publish, dropped, 16),
		F(edgeai_ring_publish, tail_floor, 24),
		F(edgeai_slot_hdr, ts_ns, 8), F(edgeai_slot_hdr, sensor_id, 16),
		F(edgeai_slot_hdr, len, 24), F(edgeai_slot_hdr, flags, 28),
		F(edgeai_uring_wait, timeout_ns, 8),
	};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		t_checks++;
		if (fields[i].got != fields[i].want)
			T_FAILF("offsetof(%s): expected %zu, got %zu",
				fields[i].name, fields[i].want, fields[i].got);
	}
	/* ioctl numbers are ABI too: direction, type, number and size. */
	T_EQ(EDGEAI_IOC_GET_INFO, 0xc0684500);
	T_EQ(EDGEAI_IOC_RING_CREATE, 0xc0884501);
	T_EQ(EDGEAI_IOC_RING_ATTACH, 0xc0984502);
	T_EQ(EDGEAI_IOC_RING_INFO, 0xc0d04503);
	T_EQ(EDGEAI_IOC_RING_STATS, 0xc0b84504);
	T_EQ(EDGEAI_IOC_RING_DESTROY, 0x40404505);
	T_EQ(EDGEAI_IOC_RING_PUBLISH, 0xc0304506);
	T_EQ(EDGEAI_IOC_WAIT_CANCEL, 0x4507);
	T_EQ(EDGEAI_IOC_RING_SYNC, 0x4508);
	T_EQ(EDGEAI_CTRL_F_ROOM_WAIT, 1U << 2);
	T_EQ(EDGEAI_FEAT_ROOM_WAIT, 1ULL << 7);
	T_EQ(EDGEAI_OFF_CONS, 0x10000000);
	T_EQ(EDGEAI_OFF_SLOTS, 0x20000000);
	T_EQ(EDGEAI_ABI_VERSION, 1);
	T_EQ(EDGEAI_FEATURES_KNOWN, 0xff);
	T_STREQ(EDGEAI_FAMILY_NAME, "edgeai");
	T_EQ(EDGEAI_FAMILY_VERSION, 1);
	T_STREQ(EDGEAI_MCGRP_MONITOR, "monitor");
	return t_done();
}
