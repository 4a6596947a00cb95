// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the sensor-packet parser, bpf/edgeai_parse.h: the
 * code the XDP and tc programs run, compiled for userspace.
 *
 * Each input is one Ethernet frame. It is copied into a heap buffer of
 * exactly its size, so AddressSanitizer reports any read the parser makes
 * past data_end (or before data) - the bounds the BPF verifier enforces in
 * the kernel. Then the result is checked against an independent reading of
 * docs/protocol.md written here with plain offsets (ref_parse): the same
 * verdict, the same UDP and sensor header pointers, and for PASS a packet
 * whose lengths and fields a receiver can trust. A violation aborts, which
 * libFuzzer saves as a crash; known_deviation() lists the disagreements
 * reported but not yet resolved.
 *
 *   build/fuzz/fuzz_parser tests/fuzz/corpus/parser     # fuzz (make fuzz)
 *   build/fuzz/fuzz_parser FILE...                      # replay inputs
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_exact.h"

#include "edgeai_parse.h"

#define SENSOR_PORT	EDGEAI_WIRE_DEFAULT_PORT

static const volatile __u16 ports[EDGEAI_FILTER_MAX_PORTS] = { SENSOR_PORT };

static const char *const verdict_names[EDGEAI_V_MAX] = {
	"pass", "not_sensor", "unparsed", "bad_header", "length",
	"unknown_sensor", "rate_limited", "fragment",
};

static void fail(const char *what, int v, size_t size)
{
	fprintf(stderr, "fuzz_parser: invariant broken: %s (verdict %d %s, %zu-byte frame)\n",
		what, v, v >= 0 && v < EDGEAI_V_MAX ? verdict_names[v] : "?",
		size);
	abort();
}

#define CHECK(cond, v, size) \
	do { if (!(cond)) fail(#cond, v, size); } while (0)

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* What the reference concludes about a frame. */
struct ref {
	int verdict;
	size_t udp_off;		/* UDP header, when the port matched */
	bool udp;		/* the parser must return out->udp */
	bool hdr;		/* ... and out->hdr (magic and version good) */
	int ipv6_exts;		/* IPv6 extension headers walked */
};

/*
 * The reference: docs/protocol.md's rules, in its order, written with
 * offsets rather than struct pointers. Documented limits: at most 2 VLAN
 * tags, at most 4 IPv6 extension headers.
 */
static void ref_parse(const uint8_t *d, size_t n, struct ref *r)
{
	size_t off = 14, l4, l4_len = SIZE_MAX, udp_len;
	bool first_fragment = false;
	uint32_t esize, count;
	uint16_t proto;
	int i;

	memset(r, 0, sizeof(*r));
	r->verdict = EDGEAI_V_UNPARSED;
	if (n < 14)
		return;
	proto = be16(d + 12);
	for (i = 0; i < 2 && (proto == 0x8100 || proto == 0x88a8); i++) {
		if (n < off + 4)
			return;
		proto = be16(d + off + 2);
		off += 4;
	}
	if (proto == 0x8100 || proto == 0x88a8)
		return;				/* a third tag */
	if (proto == 0x0800) {
		size_t ihl, tot;
		uint16_t frag;

		if (n < off + 20 || d[off] >> 4 != 4)
			return;
		ihl = (size_t)(d[off] & 0xf) * 4;
		if (ihl < 20 || n < off + ihl)
			return;
		if (d[off + 9] != 17) {
			r->verdict = EDGEAI_V_NOT_SENSOR;
			return;
		}
		frag = be16(d + off + 6);
		if (frag & 0x1fff)		/* not the first fragment */
			return;
		first_fragment = frag & 0x2000;
		tot = be16(d + off + 2);
		if (tot >= ihl && off + tot <= n)
			l4_len = tot - ihl;
		l4 = off + ihl;
	} else if (proto == 0x86dd) {
		size_t plen, ext = 0, len;
		uint8_t next;

		if (n < off + 40 || d[off] >> 4 != 6)
			return;
		plen = be16(d + off + 4);
		next = d[off + 6];
		l4 = off + 40;
		while (next != 17) {
			switch (next) {
			case 0: case 43: case 60:	/* hop, routing, dst */
				if (r->ipv6_exts == 4 || n < l4 + 2)
					return;
				len = ((size_t)d[l4 + 1] + 1) * 8;
				break;
			case 44:			/* fragment */
				if (r->ipv6_exts == 4 || n < l4 + 8 ||
				    be16(d + l4 + 2) & ~7u)
					return;
				first_fragment = true;
				len = 8;
				break;
			case 51:			/* AH */
				return;
			default:
				r->verdict = EDGEAI_V_NOT_SENSOR;
				return;
			}
			next = d[l4];
			l4 += len;
			ext += len;
			r->ipv6_exts++;
		}
		if (plen >= ext && off + 40 + plen <= n)
			l4_len = plen - ext;
	} else {
		r->verdict = EDGEAI_V_NOT_SENSOR;
		return;
	}
	if (n < l4 + 8)
		return;
	if (be16(d + l4 + 2) != SENSOR_PORT) {
		r->verdict = EDGEAI_V_NOT_SENSOR;
		return;
	}
	r->udp = true;
	r->udp_off = l4;
	r->verdict = EDGEAI_V_FRAGMENT;
	if (first_fragment)
		return;
	r->verdict = EDGEAI_V_LENGTH;
	udp_len = be16(d + l4 + 4);
	if (udp_len != l4_len || l4 + udp_len > n || udp_len < 8 + 32)
		return;
	r->verdict = EDGEAI_V_BAD_HEADER;
	if (le32(d + l4 + 8) != EDGEAI_WIRE_MAGIC ||
	    d[l4 + 12] != EDGEAI_WIRE_VERSION)
		return;
	r->hdr = true;
	esize = edgeai_wire_dtype_size(d[l4 + 13]);
	count = le16(d + l4 + 32);
	if (!esize || le16(d + l4 + 14) || le16(d + l4 + 34) ||
	    !le32(d + l4 + 16) || !count ||
	    count * esize > EDGEAI_WIRE_MAX_PAYLOAD)
		return;
	r->verdict = EDGEAI_V_LENGTH;
	if (udp_len - 8 - 32 != count * esize)
		return;
	r->verdict = EDGEAI_V_PASS;
}

/*
 * Disagreements between the parser and docs/protocol.md that have been
 * reported but not yet resolved: return true for one to accept the
 * parser's answer, so that fuzzing goes on looking for others; delete the
 * case once it is fixed. None at the moment.
 */
static bool known_deviation(int v, const struct ref *r)
{
	return false;
}

static void check(const uint8_t *buf, size_t size)
{
	const char *data = (const char *)buf, *end = data + size;
	struct edgeai_parsed p;
	struct ref r;
	int v;

	v = edgeai_parse((void *)data, (void *)end, ports, &p);
	ref_parse(buf, size, &r);

	/* The parser never decides allow-list or rate verdicts. */
	CHECK(v >= 0 && v < EDGEAI_V_MAX, v, size);
	CHECK(v != EDGEAI_V_UNKNOWN_SENSOR && v != EDGEAI_V_RATE_LIMITED,
	      v, size);

	/* Pointers it returns lie inside the frame. */
	if (p.udp) {
		CHECK((const char *)p.udp >= data + 14, v, size);
		CHECK((const char *)(p.udp + 1) <= end, v, size);
		CHECK(bpf_ntohs(p.udp->dest) == SENSOR_PORT, v, size);
	}
	if (p.hdr) {
		CHECK(p.udp && (void *)p.hdr == (void *)(p.udp + 1), v, size);
		CHECK((const char *)p.hdr + EDGEAI_WIRE_HDR_LEN <= end, v, size);
		CHECK(p.hdr->magic == EDGEAI_WIRE_MAGIC &&
		      p.hdr->version == EDGEAI_WIRE_VERSION, v, size);
		CHECK(p.sensor_id == p.hdr->sensor_id, v, size);
	} else {
		CHECK(p.sensor_id == 0, v, size);
	}

	/* The verdict and what comes with it are the documented ones. */
	if (v != r.verdict && known_deviation(v, &r))
		return;
	if (v != r.verdict)
		fprintf(stderr, "fuzz_parser: the parser says %s, docs/protocol.md %s\n",
			verdict_names[v], r.verdict >= 0 && r.verdict < EDGEAI_V_MAX ?
			verdict_names[r.verdict] : "?");
	CHECK(v == r.verdict, v, size);
	CHECK(!!p.udp == r.udp, v, size);
	CHECK(!p.udp || (const char *)p.udp == data + r.udp_off, v, size);
	CHECK(!!p.hdr == r.hdr, v, size);

	/* And PASS means a packet any receiver can trust. */
	if (v == EDGEAI_V_PASS) {
		__u32 udp_len = bpf_ntohs(p.udp->len);
		__u32 esize = edgeai_wire_dtype_size(p.hdr->dtype);

		CHECK(p.hdr && p.sensor_id != 0, v, size);
		CHECK(esize && p.hdr->count >= 1 && !p.hdr->flags &&
		      !p.hdr->reserved, v, size);
		CHECK(p.hdr->count * esize <= EDGEAI_WIRE_MAX_PAYLOAD, v, size);
		CHECK(udp_len == sizeof(struct udphdr) + EDGEAI_WIRE_HDR_LEN +
				 p.hdr->count * esize, v, size);
		CHECK((const char *)p.udp + udp_len <= end, v, size);
	}
}

EDGEAI_FUZZ_EXACT(check)
