/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The edgeai sensor filter's maps and knobs, shared by edgeai_filter.bpf.c
 * and its loaders (edgeaictl, tests, benchmarks). Fixed-width types only:
 * these structs are the values of maps pinned under EDGEAI_BPF_PIN_DIR and
 * read by bpftool through their BTF.
 */
#ifndef EDGEAI_FILTER_H
#define EDGEAI_FILTER_H

#include <linux/types.h>
#include <linux/bpf.h>	/* struct bpf_spin_lock */

#define EDGEAI_BPF_PIN_DIR	"/sys/fs/bpf/edgeai"
#define EDGEAI_FILTER_MAX_SENSORS 4096
#define EDGEAI_FILTER_MAX_PORTS	8
/* Token-bucket limits: rates in packets per second. */
#define EDGEAI_FILTER_MAX_RATE	10000000u
#define EDGEAI_FILTER_MAX_BURST	1000000u

/* edgeai_cfg_flags (a const volatile knob set before load). */
#define EDGEAI_FILTER_F_DRY_RUN	0x1u	/* count every verdict, drop nothing */
#define EDGEAI_FILTER_F_KNOWN	0x1u

/*
 * Global counters: the single entry (key 0) of the per-CPU array
 * "edgeai_stats"; loaders sum it over CPUs. Every packet the program sees
 * lands in exactly one of pass, not_sensor, unparsed or a drop reason, so
 *   seen == pass + not_sensor + unparsed + bad_header + length +
 *           unknown_sensor + rate_limited + fragment.
 * In dry-run mode the drop reasons count what would have been dropped.
 */
struct edgeai_filter_stats {
	__u64 seen;		/* every packet */
	__u64 seen_bytes;
	__u64 pass;		/* valid sensor packets, tagged and passed */
	__u64 pass_bytes;
	__u64 not_sensor;	/* not UDP to a sensor port: untouched */
	__u64 unparsed;		/* could not be parsed safely: untouched */
	__u64 bad_header;	/* dropped: magic, version, field values */
	__u64 length;		/* dropped: lengths disagree or truncated */
	__u64 unknown_sensor;	/* dropped: sensor not in edgeai_sensors */
	__u64 rate_limited;	/* dropped: sensor over its token bucket */
	__u64 fragment;		/* dropped: fragmented sensor datagram */
	__u64 reserved[5];	/* room for new reasons; always 0 */
};

/* Verdicts of the parser and the filter, in counter order. */
enum edgeai_verdict {
	EDGEAI_V_PASS = 0,
	EDGEAI_V_NOT_SENSOR,
	EDGEAI_V_UNPARSED,
	EDGEAI_V_BAD_HEADER,
	EDGEAI_V_LENGTH,
	EDGEAI_V_UNKNOWN_SENSOR,
	EDGEAI_V_RATE_LIMITED,
	EDGEAI_V_FRAGMENT,
	EDGEAI_V_MAX,
};

/*
 * The allow-list: hash "edgeai_sensors", key __u32 sensor id. Loaders
 * write the configuration fields; the program keeps the token bucket
 * (tokens, last_ns) under the lock. Writing an entry (BPF_F_LOCK or not)
 * sets the bucket: loaders fill it to burst.
 */
struct edgeai_sensor {
	struct bpf_spin_lock lock;
	__u32 rate_pps;		/* 0: no rate limit */
	__u32 burst;		/* bucket depth in packets, >= 1 */
	__u8 class;		/* written into the tag */
	__u8 priority;		/* written into the tag */
	__u8 pipeline;		/* written into the tag */
	__u8 flags;		/* none defined: 0 */
	__u32 pad;
	__u64 tokens;		/* in 1e-9 packets (packets * 1e9) */
	__u64 last_ns;		/* bpf_ktime_get_ns() of the last refill */
};

/* Per-sensor counters: per-CPU hash "edgeai_sensor_stats", same key. */
struct edgeai_sensor_stats {
	__u64 packets;		/* passed */
	__u64 bytes;		/* passed, whole frames */
	__u64 rate_limited;	/* dropped by the token bucket */
	__u64 invalid;		/* dropped: bad header or length */
	__u64 reserved[4];	/* always 0 */
};

#endif /* EDGEAI_FILTER_H */
