// SPDX-License-Identifier: GPL-2.0
/*
 * The ABI's layout, proved at compile time and re-checked at run time so
 * that a change shows up as a failing test with the numbers. Changing any
 * value here is an ABI break unless the struct only grew at its tail.
 */
#include <stddef.h>
#include <linux/edgeai.h>

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
	T_EQ(EDGEAI_OFF_CONS, 0x10000000);
	T_EQ(EDGEAI_OFF_SLOTS, 0x20000000);
	T_EQ(EDGEAI_ABI_VERSION, 1);
	T_EQ(EDGEAI_FEATURES_KNOWN, 0x1f);
	return t_done();
}
