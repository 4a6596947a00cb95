/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Structs shared by edgeai_filter.bpf.c and its loaders (fixed width). */
#ifndef EDGEAI_FILTER_H
#define EDGEAI_FILTER_H

#include <linux/types.h>

/* Index into the per-CPU "edgeai_pkt_stats" array. */
#define EDGEAI_PKT_ALL		0	/* every packet seen */
#define EDGEAI_PKT_IPV4		1
#define EDGEAI_PKT_IPV6		2
#define EDGEAI_PKT_OTHER	3	/* not IP, or truncated Ethernet */
#define EDGEAI_PKT_MAX		4

struct edgeai_pkt_counter {
	__u64 packets;
	__u64 bytes;
};

#endif /* EDGEAI_FILTER_H */
