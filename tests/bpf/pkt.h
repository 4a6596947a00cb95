/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pkt.h - a small frame builder for the BPF tests.
 *
 * Builds Ethernet frames with 0-3 VLAN tags, IPv4 (options, fragment
 * fields) or IPv6 (hop-by-hop, routing, destination options, fragment and
 * AH extension headers), UDP with a correct checksum, the edgeai sensor
 * header of include/edgeai/wire.h and its payload, and Ethernet padding;
 * every length field can be made to lie. It records where each layer
 * starts, so a test can truncate a frame at any layer boundary and check
 * which bytes a program changed. pkt_udp_csum_ok() verifies a UDP checksum.
 *
 * Everything is written byte by byte in wire order, independent of the
 * kernel's structs: the builder must not share a bug with the parser.
 *
 *	struct pkt_spec s;
 *	struct pkt p;
 *
 *	pkt_sensor(&s, 6, 42);		// a valid IPv6 packet of sensor 42
 *	s.nvlan = 1;			// ... behind one 802.1Q tag
 *	pkt_build(&p, &s);		// p.b[0 .. p.len), p.l3, p.l4, ...
 */
#ifndef EDGEAI_TEST_PKT_H
#define EDGEAI_TEST_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "edgeai/wire.h"

#define PKT_MAX			4096
#define PKT_MAX_VLAN		3
#define PKT_MAX_EXT		8

#define PKT_TPID_8021Q		0x8100
#define PKT_TPID_8021AD		0x88a8
#define PKT_ETH_IP		0x0800
#define PKT_ETH_ARP		0x0806
#define PKT_ETH_IPV6		0x86dd

#define PKT_IP_DF		0x4000
#define PKT_IP_MF		0x2000

/* IP protocol numbers and IPv6 extension header types. */
#define PKT_EXT_HOP		0
#define PKT_PROTO_ICMP		1
#define PKT_PROTO_TCP		6
#define PKT_PROTO_UDP		17
#define PKT_EXT_ROUTING		43
#define PKT_EXT_FRAG		44
#define PKT_EXT_AH		51
#define PKT_PROTO_ICMPV6	58
#define PKT_PROTO_NONE		59
#define PKT_EXT_DST		60

/* IPv6 fragment header's frag_off field: offset in 8-byte units, M bit. */
#define PKT_FRAG6(off8, more)	((uint16_t)((off8) << 3 | ((more) ? 1 : 0)))

struct pkt_spec {
	/* Ethernet */
	int nvlan;			/* 0 .. PKT_MAX_VLAN tags */
	uint16_t tpid[PKT_MAX_VLAN];	/* outermost first; 0: 0x8100 */
	uint16_t ethertype;		/* after the tags; 0: from ipv */
	int ipv;			/* 4, 6; 0: raw_len bytes after L2 */
	size_t raw_len;
	/* IPv4 */
	int ip_version;			/* version nibble; 0: ipv */
	int ip4_optlen;			/* bytes of NOP options, 4k <= 40 */
	int ip4_ihl;			/* IHL field; 0: from the options */
	uint16_t ip4_frag;		/* flags + offset field, host order */
	/* IPv6 extension headers, in order */
	int next;
	uint8_t ext[PKT_MAX_EXT];	/* PKT_EXT_* */
	uint8_t ext_units[PKT_MAX_EXT];	/* hop/routing/dst: hdrlen field */
	uint16_t frag6;			/* fragment header: PKT_FRAG6() */
	/* IP, both versions */
	uint8_t proto;			/* transport protocol; 0: UDP */
	int ip_len_delta;		/* added to total / payload length */
	/* UDP. The bytes after the IP headers are built the same way
	 * whatever proto says: a TCP segment that "looks like" UDP to the
	 * sensor port is a stronger test than random bytes. */
	uint16_t sport;			/* 0: 40000 */
	uint16_t dport;			/* 0: EDGEAI_WIRE_DEFAULT_PORT */
	int udp_len_delta;		/* added to the UDP length field */
	int csum_zero;			/* leave the UDP checksum 0 */
	/* the datagram's payload */
	int no_wire;			/* no sensor header: payload_len bytes */
	struct edgeai_wire_hdr wire;	/* fields in host order */
	size_t payload_len;		/* bytes after the sensor header */
	/* after the IP packet */
	size_t pad;			/* Ethernet padding / trailer bytes */
	uint8_t pad_byte;
};

struct pkt {
	uint8_t b[PKT_MAX];
	size_t len;		/* frame length: lower it to truncate */
	size_t full;		/* length as built */
	int ipv;
	size_t l3;		/* IP header */
	size_t l3_end;		/* end of the fixed IP header (20 / 40) */
	size_t l4;		/* UDP header: after IPv4 options / IPv6 exts */
	size_t wire;		/* sensor header (== payload with no_wire) */
	size_t payload;		/* sensor payload */
	size_t ip_end;		/* end of the IP packet, start of padding */
};

static inline void pkt_put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pkt_put32(uint8_t *p, uint32_t v)
{
	pkt_put16(p, v >> 16);
	pkt_put16(p + 2, v);
}

static inline uint16_t pkt_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void pkt_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void pkt_le32(uint8_t *p, uint32_t v)
{
	pkt_le16(p, (uint16_t)v);
	pkt_le16(p + 2, (uint16_t)(v >> 16));
}

static inline uint32_t pkt_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Ones'-complement sum of big-endian 16-bit words (odd tail padded). */
static inline uint32_t pkt_sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += pkt_get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static inline uint16_t pkt_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static const uint8_t pkt_ip4_src[4] = { 192, 0, 2, 1 };
static const uint8_t pkt_ip4_dst[4] = { 192, 0, 2, 2 };
static const uint8_t pkt_ip6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t pkt_ip6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* Sum of the UDP pseudo-header for a datagram of @ulen bytes. */
static inline uint32_t pkt_pseudo_sum(const uint8_t *f, const struct pkt *p,
				      uint32_t ulen)
{
	uint32_t sum = 0;

	if (p->ipv == 4) {
		sum = pkt_sum16(f + p->l3 + 12, 8, 0);	/* saddr, daddr */
	} else {
		sum = pkt_sum16(f + p->l3 + 8, 32, 0);
		sum += ulen >> 16;
	}
	return sum + (ulen & 0xffff) + PKT_PROTO_UDP;
}

/*
 * 1 if the UDP checksum of the datagram at p->l4 in frame @f (@len bytes,
 * same layout as @p) is correct, or is 0 ("none") over IPv4. The length is
 * the UDP header's; a datagram that does not fit the frame is not valid.
 */
static inline int pkt_udp_csum_ok(const struct pkt *p, const uint8_t *f,
				  size_t len)
{
	uint32_t ulen, sum;

	if (p->l4 + 8 > len)
		return 0;
	ulen = pkt_get16(f + p->l4 + 4);
	if (ulen < 8 || p->l4 + ulen > len)
		return 0;
	if (p->ipv == 4 && !pkt_get16(f + p->l4 + 6))
		return 1;
	sum = pkt_pseudo_sum(f, p, ulen);
	sum = pkt_sum16(f + p->l4, ulen, sum);
	return pkt_fold(sum) == 0xffff;
}

/* A valid sensor packet over IPv@ipv: 4 f32 elements, default port. */
static inline void pkt_sensor(struct pkt_spec *s, int ipv, uint32_t sensor_id)
{
	memset(s, 0, sizeof(*s));
	s->ipv = ipv;
	s->wire.magic = EDGEAI_WIRE_MAGIC;
	s->wire.version = EDGEAI_WIRE_VERSION;
	s->wire.dtype = EDGEAI_DTYPE_F32;
	s->wire.sensor_id = sensor_id;
	s->wire.seq = 7;
	s->wire.timestamp_ns = 0x0102030405060708ull;
	s->wire.count = 4;
	s->payload_len = 16;
}

static inline void pkt_ext6(uint8_t *h, uint8_t type, uint8_t units,
			    uint8_t nh, uint16_t frag6, size_t *len)
{
	size_t n;

	h[0] = nh;
	switch (type) {
	case PKT_EXT_FRAG:
		h[1] = 0;
		pkt_put16(h + 2, frag6);
		pkt_put32(h + 4, 0x12345678);
		*len = 8;
		break;
	case PKT_EXT_AH:
		/* 12 bytes + a 96-bit ICV; length in 4-byte units minus 2 */
		n = 24;
		memset(h + 1, 0, n - 1);
		h[1] = n / 4 - 2;
		pkt_put32(h + 4, 0x100);		/* SPI */
		pkt_put32(h + 8, 1);			/* sequence */
		memset(h + 12, 0xab, 12);		/* ICV */
		*len = n;
		break;
	case PKT_EXT_ROUTING:
		n = ((size_t)units + 1) * 8;
		memset(h + 1, 0, n - 1);
		h[1] = units;
		h[2] = 4;		/* segment routing */
		h[3] = 0;		/* segments left: dst is final */
		*len = n;
		break;
	default:			/* hop-by-hop, destination options */
		n = ((size_t)units + 1) * 8;
		memset(h + 1, 0, n - 1);
		h[1] = units;
		h[2] = 1;		/* PadN covering the rest */
		h[3] = (uint8_t)(n - 4);
		*len = n;
		break;
	}
}

/* Build the frame @s describes into @p; returns its length. */
static inline size_t pkt_build(struct pkt *p, const struct pkt_spec *s)
{
	static const uint8_t dmac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t smac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint8_t *b = p->b, proto = s->proto ? s->proto : PKT_PROTO_UDP;
	uint32_t udp_real, ulen, sum;
	size_t off, i, n, ihl = 20;
	uint16_t etype;
	uint16_t csum;

	memset(p, 0, sizeof(*p));
	p->ipv = s->ipv;
	memcpy(b, dmac, 6);
	memcpy(b + 6, smac, 6);
	off = 12;
	for (i = 0; i < (size_t)s->nvlan && i < PKT_MAX_VLAN; i++) {
		pkt_put16(b + off, s->tpid[i] ? s->tpid[i] : PKT_TPID_8021Q);
		pkt_put16(b + off + 2, 100 + (uint16_t)i);	/* VID */
		off += 4;
	}
	etype = s->ethertype;
	if (!etype)
		etype = s->ipv == 6 ? PKT_ETH_IPV6 :
			s->ipv == 4 ? PKT_ETH_IP : 0x88b5;
	pkt_put16(b + off, etype);
	off += 2;
	p->l3 = off;

	if (s->ipv != 4 && s->ipv != 6) {
		for (i = 0; i < s->raw_len; i++)
			b[off + i] = (uint8_t)(0x5a + i);
		p->l3_end = p->l4 = p->wire = p->payload = p->ip_end =
			off + s->raw_len;
		goto pad;
	}

	if (s->ipv == 4) {
		ihl = 20 + (size_t)s->ip4_optlen;
		memset(b + off + 20, 1, (size_t)s->ip4_optlen);	/* NOP */
		p->l3_end = off + 20;
		p->l4 = off + ihl;
	} else {
		off += 40;
		p->l3_end = off;
		for (i = 0; i < (size_t)s->next && i < PKT_MAX_EXT; i++) {
			uint8_t nh = i + 1 < (size_t)s->next ? s->ext[i + 1] :
								proto;

			pkt_ext6(b + off, s->ext[i], s->ext_units[i], nh,
				 s->frag6, &n);
			off += n;
		}
		p->l4 = off;
	}

	/* UDP header, sensor header, payload */
	off = p->l4;
	p->wire = off + 8;
	p->payload = s->no_wire ? p->wire : p->wire + EDGEAI_WIRE_HDR_LEN;
	udp_real = (uint32_t)(p->payload - off + s->payload_len);
	pkt_put16(b + off, s->sport ? s->sport : 40000);
	pkt_put16(b + off + 2, s->dport ? s->dport : EDGEAI_WIRE_DEFAULT_PORT);
	pkt_put16(b + off + 4, udp_real + (uint32_t)s->udp_len_delta);
	pkt_put16(b + off + 6, 0);
	if (!s->no_wire) {
		uint8_t *w = b + p->wire;

		pkt_le32(w + 0, s->wire.magic);
		w[4] = s->wire.version;
		w[5] = s->wire.dtype;
		pkt_le16(w + 6, s->wire.flags);
		pkt_le32(w + 8, s->wire.sensor_id);
		pkt_le32(w + 12, s->wire.seq);
		pkt_le32(w + 16, (uint32_t)s->wire.timestamp_ns);
		pkt_le32(w + 20, (uint32_t)(s->wire.timestamp_ns >> 32));
		pkt_le16(w + 24, s->wire.count);
		pkt_le16(w + 26, s->wire.reserved);
		pkt_le32(w + 28, s->wire.tag);
	}
	for (i = 0; i < s->payload_len; i++)
		b[p->payload + i] = (uint8_t)(i * 7 + 1);
	p->ip_end = off + udp_real;

	/* IP header last: it needs the lengths */
	off = p->l3;
	if (s->ipv == 4) {
		b[off] = (uint8_t)((s->ip_version ? s->ip_version : 4) << 4 |
				   (s->ip4_ihl ? s->ip4_ihl : (int)ihl / 4));
		b[off + 1] = 0;
		pkt_put16(b + off + 2, (uint32_t)(p->ip_end - off) +
			  (uint32_t)s->ip_len_delta);
		pkt_put16(b + off + 4, 0x1234);
		pkt_put16(b + off + 6, s->ip4_frag);
		b[off + 8] = 64;
		b[off + 9] = proto;
		pkt_put16(b + off + 10, 0);
		memcpy(b + off + 12, pkt_ip4_src, 4);
		memcpy(b + off + 16, pkt_ip4_dst, 4);
		csum = (uint16_t)~pkt_fold(pkt_sum16(b + off, ihl, 0));
		pkt_put16(b + off + 10, csum);
	} else {
		pkt_put32(b + off, (uint32_t)(s->ip_version ? s->ip_version : 6)
			  << 28 | 0x12345);	/* flow label */
		pkt_put16(b + off + 4, (uint32_t)(p->ip_end - p->l3_end) +
			  (uint32_t)s->ip_len_delta);
		b[off + 6] = s->next ? s->ext[0] : proto;
		b[off + 7] = 64;
		memcpy(b + off + 8, pkt_ip6_src, 16);
		memcpy(b + off + 24, pkt_ip6_dst, 16);
	}

	/* UDP checksum over the real datagram, last of all */
	if (!s->csum_zero) {
		ulen = udp_real;
		sum = pkt_pseudo_sum(b, p, ulen);
		sum = pkt_sum16(b + p->l4, ulen, sum);
		csum = (uint16_t)~pkt_fold(sum);
		pkt_put16(b + p->l4 + 6, csum ? csum : 0xffff);
	}
pad:
	memset(b + p->ip_end, s->pad_byte, s->pad);
	p->full = p->len = p->ip_end + s->pad;
	return p->len;
}

#endif /* EDGEAI_TEST_PKT_H */
