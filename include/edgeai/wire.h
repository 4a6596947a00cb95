/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * edgeai sensor wire format, version 1: the UDP payload a network sensor
 * sends. Shared by the BPF filter (bpf/), the runtime and the traffic
 * generator; docs/protocol.md is the normative description.
 *
 *   0       4    5     6       8          12     16             24     26   28   32
 *   +-------+----+-----+-------+----------+------+--------------+------+----+----+--...
 *   | magic |ver |dtype| flags | sensor_id| seq  | timestamp_ns |count |rsvd| tag| payload
 *   +-------+----+-----+-------+----------+------+--------------+------+----+----+--...
 *
 * Every multi-byte field is little-endian. The payload is exactly
 * count * edgeai_wire_dtype_size(dtype) bytes and fills the rest of the UDP
 * datagram: nothing may follow it.
 *
 * This header needs only <linux/types.h> so that BPF programs can use it.
 */
#ifndef EDGEAI_WIRE_H
#define EDGEAI_WIRE_H

#include <linux/types.h>
#include <linux/edgeai.h>	/* EDGEAI_DTYPE_* */

#define EDGEAI_WIRE_MAGIC	0x53494145u	/* "EAIS" as bytes on the wire */
#define EDGEAI_WIRE_VERSION	1
#define EDGEAI_WIRE_HDR_LEN	32
/* Largest payload: fits one 1500-byte IPv6 packet (1500 - 40 - 8 - 32). */
#define EDGEAI_WIRE_MAX_PAYLOAD	1420
#define EDGEAI_WIRE_DEFAULT_PORT 4747

struct edgeai_wire_hdr {
	__le32 magic;		/* EDGEAI_WIRE_MAGIC */
	__u8 version;		/* EDGEAI_WIRE_VERSION */
	__u8 dtype;		/* EDGEAI_DTYPE_U8 .. EDGEAI_DTYPE_F64 */
	__le16 flags;		/* none defined in version 1: must be 0 */
	__le32 sensor_id;	/* 1 .. 0xffffffff; 0 is invalid */
	__le32 seq;		/* per-sensor sequence number, wraps */
	__le64 timestamp_ns;	/* sender's clock, opaque to the filter */
	__le16 count;		/* elements in the payload, >= 1 */
	__le16 reserved;	/* must be 0 */
	__le32 tag;		/* senders write 0; the filter writes it */
};

/*
 * The tag the filter writes into a packet it accepts (a little-endian
 * __u32 in the header): EDGEAI_TAG_FILTERED says the filter saw and
 * accepted the packet; class, priority and pipeline come from the sensor's
 * entry in the filter's sensor map. A tag without EDGEAI_TAG_FILTERED was
 * not written by the filter.
 */
#define EDGEAI_TAG_FILTERED	0x80000000u
#define EDGEAI_TAG_CLASS(t)	((__u8)((t) & 0xff))
#define EDGEAI_TAG_PRIORITY(t)	((__u8)(((t) >> 8) & 0xff))
#define EDGEAI_TAG_PIPELINE(t)	((__u8)(((t) >> 16) & 0xff))
#define EDGEAI_TAG_MAKE(class, prio, pipe) \
	(EDGEAI_TAG_FILTERED | ((__u32)(__u8)(pipe) << 16) | \
	 ((__u32)(__u8)(prio) << 8) | (__u32)(__u8)(class))

/* Element size of a wire dtype, 0 if the dtype is not valid on the wire. */
static inline __u32 edgeai_wire_dtype_size(__u32 dtype)
{
	switch (dtype) {
	case EDGEAI_DTYPE_U8:
	case EDGEAI_DTYPE_I8:
		return 1;
	case EDGEAI_DTYPE_U16:
	case EDGEAI_DTYPE_I16:
	case EDGEAI_DTYPE_F16:
		return 2;
	case EDGEAI_DTYPE_U32:
	case EDGEAI_DTYPE_I32:
	case EDGEAI_DTYPE_F32:
		return 4;
	case EDGEAI_DTYPE_F64:
		return 8;
	default:
		return 0;
	}
}

#endif /* EDGEAI_WIRE_H */
