/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The sensor-packet parser: Ethernet, up to two VLAN tags, IPv4 or IPv6
 * (with a bounded walk over extension headers), UDP to a sensor port, and
 * the edgeai wire header, validated against the real packet length.
 *
 * One copy of this code serves the XDP program, the tc program and the
 * userspace fuzz harness (tests/fuzz/): it reads the packet only through
 * pointers checked against @data_end, the way the verifier demands, so a
 * fuzzer under AddressSanitizer checks the same bounds the verifier does.
 * docs/protocol.md lists the rules in the order they are applied here.
 */
#ifndef EDGEAI_PARSE_H
#define EDGEAI_PARSE_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

#include "edgeai/wire.h"
#include "edgeai_filter.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the wire format is little-endian; big-endian hosts need byte swaps"
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define EDGEAI_MAX_VLAN		2
#define EDGEAI_MAX_IPV6_EXT	4
#define EDGEAI_IP_MF		0x2000
#define EDGEAI_IP_OFFSET	0x1fff

#ifndef ETH_P_8021AD
#define ETH_P_8021AD		0x88A8
#endif

struct edgeai_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct edgeai_ipv6_ext {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct edgeai_ipv6_frag {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;	/* offset << 3 | M */
	__be32 id;
};

/* What the parser found. Pointers are into the packet. */
struct edgeai_parsed {
	struct udphdr *udp;
	struct edgeai_wire_hdr *hdr;	/* set when the header was readable */
	__u32 sensor_id;		/* valid with hdr */
};

/* Ports are compared in host order; a port of 0 ends the list. */
static __always_inline int edgeai_is_sensor_port(__u16 port,
						 const volatile __u16 *ports)
{
	int i;

#pragma unroll
	for (i = 0; i < EDGEAI_FILTER_MAX_PORTS; i++) {
		if (!ports[i])
			return 0;
		if (ports[i] == port)
			return 1;
	}
	return 0;
}

/*
 * Validate the UDP datagram at @udp whose length the IP layer says is
 * @l4_len bytes. Returns EDGEAI_V_PASS when the datagram is a well-formed
 * sensor packet (the allow-list and rate limit come later), else the drop
 * reason.
 */
static __always_inline int edgeai_parse_wire(struct udphdr *udp, __u32 l4_len,
					     void *data_end,
					     struct edgeai_parsed *out)
{
	struct edgeai_wire_hdr *h = (void *)(udp + 1);
	__u32 udp_len = bpf_ntohs(udp->len);
	__u32 real = (__u32)((char *)data_end - (char *)udp);
	__u32 esize, count, payload;

	/* Three lengths that must agree: IP's, UDP's and the frame's. */
	if (udp_len != l4_len || udp_len > real)
		return EDGEAI_V_LENGTH;
	if (udp_len < sizeof(*udp) + sizeof(*h) || (void *)(h + 1) > data_end)
		return EDGEAI_V_LENGTH;
	if (h->magic != EDGEAI_WIRE_MAGIC || h->version != EDGEAI_WIRE_VERSION)
		return EDGEAI_V_BAD_HEADER;
	out->hdr = h;
	out->sensor_id = h->sensor_id;
	esize = edgeai_wire_dtype_size(h->dtype);
	count = h->count;
	if (!esize || h->flags || h->reserved || !h->sensor_id || !count ||
	    count * esize > EDGEAI_WIRE_MAX_PAYLOAD)
		return EDGEAI_V_BAD_HEADER;
	payload = udp_len - sizeof(*udp) - sizeof(*h);
	if (payload != count * esize)
		return EDGEAI_V_LENGTH;
	return EDGEAI_V_PASS;
}

static __always_inline int edgeai_parse_udp(void *l4, __u32 l4_len,
					    void *data_end,
					    const volatile __u16 *ports,
					    int first_fragment,
					    struct edgeai_parsed *out)
{
	struct udphdr *udp = l4;

	if ((void *)(udp + 1) > data_end)
		return EDGEAI_V_UNPARSED;
	if (!edgeai_is_sensor_port(bpf_ntohs(udp->dest), ports))
		return EDGEAI_V_NOT_SENSOR;
	out->udp = udp;
	if (first_fragment)
		return EDGEAI_V_FRAGMENT;
	return edgeai_parse_wire(udp, l4_len, data_end, out);
}

static __always_inline int edgeai_parse_ipv4(void *l3, void *data_end,
					     const volatile __u16 *ports,
					     struct edgeai_parsed *out)
{
	struct iphdr *ip = l3;
	__u32 ihl, tot_len, l4_len, frag;

	if ((void *)(ip + 1) > data_end)
		return EDGEAI_V_UNPARSED;
	ihl = ip->ihl * 4;
	if (ip->version != 4 || ihl < sizeof(*ip))
		return EDGEAI_V_UNPARSED;
	if ((char *)l3 + ihl > (char *)data_end)
		return EDGEAI_V_UNPARSED;
	if (ip->protocol != IPPROTO_UDP)
		return EDGEAI_V_NOT_SENSOR;
	frag = bpf_ntohs(ip->frag_off);
	if (frag & EDGEAI_IP_OFFSET)	/* no UDP header in this fragment */
		return EDGEAI_V_UNPARSED;
	/* A lying IP length becomes ~0, which no UDP length can match. */
	tot_len = bpf_ntohs(ip->tot_len);
	l4_len = ~0u;
	if (tot_len >= ihl &&
	    tot_len <= (__u32)((char *)data_end - (char *)l3))
		l4_len = tot_len - ihl;
	return edgeai_parse_udp((char *)l3 + ihl, l4_len, data_end, ports,
				!!(frag & EDGEAI_IP_MF), out);
}

static __always_inline int edgeai_parse_ipv6(void *l3, void *data_end,
					     const volatile __u16 *ports,
					     struct edgeai_parsed *out)
{
	struct ipv6hdr *ip6 = l3;
	struct edgeai_ipv6_frag *fh;
	struct edgeai_ipv6_ext *ext;
	char *p = (char *)(ip6 + 1);
	__u32 plen, ext_len = 0, len;
	int first_fragment = 0;
	__u8 next;
	int i;

	if ((void *)(ip6 + 1) > data_end)
		return EDGEAI_V_UNPARSED;
	if (ip6->version != 6)
		return EDGEAI_V_UNPARSED;
	next = ip6->nexthdr;
	plen = bpf_ntohs(ip6->payload_len);

#pragma unroll
	for (i = 0; i < EDGEAI_MAX_IPV6_EXT; i++) {
		switch (next) {
		case IPPROTO_UDP:
			goto udp;
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			ext = (void *)p;
			if ((void *)(ext + 1) > data_end)
				return EDGEAI_V_UNPARSED;
			len = ((__u32)ext->hdrlen + 1) * 8;
			next = ext->nexthdr;
			break;
		case IPPROTO_FRAGMENT:
			fh = (void *)p;
			if ((void *)(fh + 1) > data_end)
				return EDGEAI_V_UNPARSED;
			if (bpf_ntohs(fh->frag_off) & ~7)
				return EDGEAI_V_UNPARSED; /* not the first */
			first_fragment = 1;
			len = sizeof(*fh);
			next = fh->nexthdr;
			break;
		case IPPROTO_AH:	/* can carry UDP; not parsed */
			return EDGEAI_V_UNPARSED;
		default:
			return EDGEAI_V_NOT_SENSOR;
		}
		p += len;
		ext_len += len;
	}
	switch (next) {
	case IPPROTO_UDP:
		break;
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_FRAGMENT:
	case IPPROTO_AH:
		return EDGEAI_V_UNPARSED;	/* chain too long to follow */
	default:
		return EDGEAI_V_NOT_SENSOR;	/* the chain ends in another L4 */
	}
udp:
	/* A lying IP length becomes ~0, which no UDP length can match. */
	len = ~0u;
	if (plen >= ext_len &&
	    plen <= (__u32)((char *)data_end - (char *)(ip6 + 1)))
		len = plen - ext_len;
	return edgeai_parse_udp(p, len, data_end, ports, first_fragment, out);
}

/*
 * Parse the frame [@data, @data_end). Returns EDGEAI_V_PASS for a
 * well-formed sensor packet (out->hdr, out->sensor_id set), or the verdict
 * that explains why it is not one. out->hdr is also set for packets whose
 * header could be read but failed a later check.
 */
static __always_inline int edgeai_parse(void *data, void *data_end,
					const volatile __u16 *ports,
					struct edgeai_parsed *out)
{
	struct ethhdr *eth = data;
	struct edgeai_vlan_hdr *vh;
	char *p = (char *)(eth + 1);
	__u16 proto;
	int i;

	out->udp = 0;
	out->hdr = 0;
	out->sensor_id = 0;
	if ((void *)(eth + 1) > data_end)
		return EDGEAI_V_UNPARSED;
	proto = eth->h_proto;

#pragma unroll
	for (i = 0; i < EDGEAI_MAX_VLAN; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD))
			break;
		vh = (void *)p;
		if ((void *)(vh + 1) > data_end)
			return EDGEAI_V_UNPARSED;
		proto = vh->proto;
		p += sizeof(*vh);
	}
	switch (proto) {
	case bpf_htons(ETH_P_IP):
		return edgeai_parse_ipv4(p, data_end, ports, out);
	case bpf_htons(ETH_P_IPV6):
		return edgeai_parse_ipv6(p, data_end, ports, out);
	case bpf_htons(ETH_P_8021Q):
	case bpf_htons(ETH_P_8021AD):
		return EDGEAI_V_UNPARSED;	/* a third VLAN tag */
	default:
		return EDGEAI_V_NOT_SENSOR;
	}
}

#endif /* EDGEAI_PARSE_H */
