// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * edgeai sensor-packet filter and tagger, as an XDP program (edgeai_xdp)
 * and a tc ingress program (edgeai_tc) that share one parser and one
 * verdict path. For every frame: parse (edgeai_parse.h), check the sensor
 * against the allow-list, take a token from its bucket, write the tag
 * into the wire header keeping the UDP checksum valid, and count the
 * verdict. Traffic that is not sensor traffic passes untouched.
 *
 * Maps are pinned by the loader (edgeaictl) under /sys/fs/bpf/edgeai/;
 * loaded without pin paths (tests, benchmarks) they are private.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "edgeai_parse.h"

#define NSEC_PER_SEC		1000000000ull
/* Past this idle time a bucket is full whatever its rate. */
#define EDGEAI_REFILL_MAX_NS	(100 * NSEC_PER_SEC)
/* tc: the most a sensor frame can need in the linear area. */
#define EDGEAI_TC_PULL_MAX	2048

/* Destination ports that carry sensor traffic, host order, 0-terminated. */
const volatile __u16 edgeai_ports[EDGEAI_FILTER_MAX_PORTS] = {
	EDGEAI_WIRE_DEFAULT_PORT,
};
/* EDGEAI_FILTER_F_*. */
const volatile __u32 edgeai_cfg_flags;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct edgeai_filter_stats);
} edgeai_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EDGEAI_FILTER_MAX_SENSORS);
	__type(key, __u32);
	__type(value, struct edgeai_sensor);
} edgeai_sensors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, EDGEAI_FILTER_MAX_SENSORS);
	__type(key, __u32);
	__type(value, struct edgeai_sensor_stats);
} edgeai_sensor_stats SEC(".maps");

/* Take one token; 0 if the sensor is over its rate. */
static __always_inline int take_token(struct edgeai_sensor *s)
{
	__u64 now, elapsed, cap;
	int ok = 1;

	if (!s->rate_pps)	/* no limit: no clock, no lock */
		return 1;
	now = bpf_ktime_get_ns();
	bpf_spin_lock(&s->lock);
	if (s->rate_pps) {
		cap = (__u64)s->burst * NSEC_PER_SEC;
		elapsed = now > s->last_ns ? now - s->last_ns : 0;
		if (elapsed > EDGEAI_REFILL_MAX_NS)
			s->tokens = cap;
		else
			s->tokens += elapsed * s->rate_pps;
		if (s->tokens > cap)
			s->tokens = cap;
		s->last_ns = now;
		if (s->tokens >= NSEC_PER_SEC)
			s->tokens -= NSEC_PER_SEC;
		else
			ok = 0;
	}
	bpf_spin_unlock(&s->lock);
	return ok;
}

/*
 * Replace the 32-bit tag and patch the UDP checksum incrementally
 * (RFC 1624): the ones'-complement sum of the datagram does not change, so
 * a checksum that was valid stays valid, and so does a CHECKSUM_COMPLETE
 * skb->csum in tc. A zero checksum (IPv4: none) is left alone. The tag sits
 * at an even offset in the datagram, so its 16-bit halves are checksum
 * words; loads and stores are in memory order on both sides.
 */
static __always_inline void write_tag(struct udphdr *udp,
				      struct edgeai_wire_hdr *h, __u32 tag)
{
	__u16 *old = (__u16 *)&h->tag;
	__u32 sum;

	if (udp->check) {
		sum = (__u16)~udp->check;
		sum += (__u16)~old[0] + (__u16)~old[1];
		sum += (tag & 0xffff) + (tag >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		udp->check = (__u16)~sum ? (__u16)~sum : 0xffff;
	}
	h->tag = tag;
}

static __always_inline void count(int v, __u64 len)
{
	struct edgeai_filter_stats *st;
	__u32 key = 0;

	st = bpf_map_lookup_elem(&edgeai_stats, &key);
	if (!st)
		return;
	st->seen++;
	st->seen_bytes += len;
	switch (v) {
	case EDGEAI_V_PASS:
		st->pass++;
		st->pass_bytes += len;
		break;
	case EDGEAI_V_NOT_SENSOR:
		st->not_sensor++;
		break;
	case EDGEAI_V_UNPARSED:
		st->unparsed++;
		break;
	case EDGEAI_V_BAD_HEADER:
		st->bad_header++;
		break;
	case EDGEAI_V_LENGTH:
		st->length++;
		break;
	case EDGEAI_V_UNKNOWN_SENSOR:
		st->unknown_sensor++;
		break;
	case EDGEAI_V_RATE_LIMITED:
		st->rate_limited++;
		break;
	case EDGEAI_V_FRAGMENT:
		st->fragment++;
		break;
	}
}

static __always_inline void count_sensor(__u32 id, int v, __u64 len)
{
	struct edgeai_sensor_stats *ss, zero = {};

	ss = bpf_map_lookup_elem(&edgeai_sensor_stats, &id);
	if (!ss) {
		/* The loader creates it; a racing delete is not an error. */
		bpf_map_update_elem(&edgeai_sensor_stats, &id, &zero,
				    BPF_NOEXIST);
		ss = bpf_map_lookup_elem(&edgeai_sensor_stats, &id);
		if (!ss)
			return;
	}
	if (v == EDGEAI_V_PASS) {
		ss->packets++;
		ss->bytes += len;
	} else if (v == EDGEAI_V_RATE_LIMITED) {
		ss->rate_limited++;
	} else {
		ss->invalid++;
	}
}

/* The verdict for one frame; tags it when it passes. */
static __always_inline int edgeai_filter(void *data, void *data_end,
					 __u64 len)
{
	struct edgeai_parsed p;
	struct edgeai_sensor *s = NULL;
	__u32 id;
	int v;

	v = edgeai_parse(data, data_end, edgeai_ports, &p);
	if (p.hdr) {
		id = p.sensor_id;
		s = bpf_map_lookup_elem(&edgeai_sensors, &id);
		if (v == EDGEAI_V_PASS && !s)
			v = EDGEAI_V_UNKNOWN_SENSOR;
		if (v == EDGEAI_V_PASS && !take_token(s))
			v = EDGEAI_V_RATE_LIMITED;
		if (s)
			count_sensor(id, v, len);
		if (v == EDGEAI_V_PASS && s && p.udp)
			write_tag(p.udp, p.hdr,
				  EDGEAI_TAG_MAKE(s->class, s->priority,
						  s->pipeline));
	}
	count(v, len);
	return v;
}

static __always_inline int is_drop(int v)
{
	if (edgeai_cfg_flags & EDGEAI_FILTER_F_DRY_RUN)
		return 0;
	return v >= EDGEAI_V_BAD_HEADER;
}

SEC("xdp")
int edgeai_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (is_drop(edgeai_filter(data, data_end, data_end - data)))
		return XDP_DROP;
	return XDP_PASS;
}

SEC("tc")
int edgeai_tc(struct __sk_buff *skb)
{
	__u32 len = skb->len;

	/* The parser reads the linear area only: make the headers linear. */
	if (skb->data_end - skb->data < len)
		bpf_skb_pull_data(skb, len < EDGEAI_TC_PULL_MAX ?
				       len : EDGEAI_TC_PULL_MAX);
	if (is_drop(edgeai_filter((void *)(long)skb->data,
				  (void *)(long)skb->data_end, len)))
		return TC_ACT_SHOT;
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
