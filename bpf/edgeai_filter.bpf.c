// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * edgeai XDP program. This first version classifies and counts every frame
 * (per CPU, by network protocol) and passes it on; the sensor-packet
 * parser, allow-list, rate limit and tagging build on it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "edgeai_filter.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EDGEAI_PKT_MAX);
	__type(key, __u32);
	__type(value, struct edgeai_pkt_counter);
} edgeai_pkt_stats SEC(".maps");

static __always_inline void count(__u32 idx, __u64 len)
{
	struct edgeai_pkt_counter *c;

	c = bpf_map_lookup_elem(&edgeai_pkt_stats, &idx);
	if (!c)
		return;
	c->packets++;
	c->bytes += len;
}

static __always_inline __u32 classify(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return EDGEAI_PKT_OTHER;
	switch (eth->h_proto) {
	case bpf_htons(ETH_P_IP):
		return EDGEAI_PKT_IPV4;
	case bpf_htons(ETH_P_IPV6):
		return EDGEAI_PKT_IPV6;
	default:
		return EDGEAI_PKT_OTHER;
	}
}

SEC("xdp")
int edgeai_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 len = data_end - data;

	count(EDGEAI_PKT_ALL, len);
	count(classify(data, data_end), len);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
