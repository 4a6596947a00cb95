/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The baseline the XDP filter is measured against: the same rules as
 * bpf/edgeai_parse.h and bpf/edgeai_filter.bpf.c (docs/protocol.md, checks
 * 3-8), applied in userspace to a datagram that recvfrom() delivered. The
 * kernel has already checked IP and UDP lengths by then, so what remains is
 * the wire header, the allow-list and the token bucket. Written the way a
 * careful user would: no allocation, a flat open-addressing allow-list.
 */
#ifndef EDGEAI_BENCH_USER_FILTER_H
#define EDGEAI_BENCH_USER_FILTER_H

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "edgeai/wire.h"
#include "edgeai_filter.h"

#define UF_SLOTS 8192	/* power of two, > 2 * EDGEAI_FILTER_MAX_SENSORS */

struct uf_sensor {
	uint32_t id;	/* 0: empty slot */
	uint32_t rate_pps;
	uint32_t burst;
	uint32_t tag;
	uint64_t tokens;
	uint64_t last_ns;
};

struct user_filter {
	struct uf_sensor slot[UF_SLOTS];
	uint64_t count[EDGEAI_V_MAX];
};

static inline uint32_t uf_hash(uint32_t id)
{
	return (id * 2654435761u) & (UF_SLOTS - 1);
}

static inline struct uf_sensor *uf_find(struct user_filter *f, uint32_t id,
					int insert)
{
	uint32_t i = uf_hash(id), n;

	for (n = 0; n < UF_SLOTS; n++, i = (i + 1) & (UF_SLOTS - 1)) {
		if (f->slot[i].id == id)
			return &f->slot[i];
		if (!f->slot[i].id) {
			if (!insert)
				return NULL;
			f->slot[i].id = id;
			return &f->slot[i];
		}
	}
	return NULL;
}

static inline void uf_add(struct user_filter *f, uint32_t id, uint32_t rate,
			  uint32_t burst, uint32_t tag)
{
	struct uf_sensor *s = uf_find(f, id, 1);

	s->rate_pps = rate;
	s->burst = burst;
	s->tag = tag;
	s->tokens = (uint64_t)burst * 1000000000ull;
	s->last_ns = 0;
}

static inline uint64_t uf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline int uf_take(struct uf_sensor *s)
{
	uint64_t now, cap, elapsed;

	if (!s->rate_pps)
		return 1;
	now = uf_now_ns();
	cap = (uint64_t)s->burst * 1000000000ull;
	elapsed = now > s->last_ns ? now - s->last_ns : 0;
	if (elapsed > 100 * 1000000000ull)
		s->tokens = cap;
	else
		s->tokens += elapsed * s->rate_pps;
	if (s->tokens > cap)
		s->tokens = cap;
	s->last_ns = now;
	if (s->tokens < 1000000000ull)
		return 0;
	s->tokens -= 1000000000ull;
	return 1;
}

/* Verdict for one UDP payload of @len bytes; tags @buf when it passes. */
static inline int uf_check(struct user_filter *f, void *buf, size_t len)
{
	struct edgeai_wire_hdr h;
	struct uf_sensor *s;
	uint32_t esize;
	int v;

	if (len < sizeof(h)) {
		v = EDGEAI_V_LENGTH;
		goto out;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != EDGEAI_WIRE_MAGIC || h.version != EDGEAI_WIRE_VERSION) {
		v = EDGEAI_V_BAD_HEADER;
		goto out;
	}
	esize = edgeai_wire_dtype_size(h.dtype);
	if (!esize || h.flags || h.reserved || !h.sensor_id || !h.count ||
	    (uint32_t)h.count * esize > EDGEAI_WIRE_MAX_PAYLOAD) {
		v = EDGEAI_V_BAD_HEADER;
		goto out;
	}
	if (len - sizeof(h) != (size_t)h.count * esize) {
		v = EDGEAI_V_LENGTH;
		goto out;
	}
	s = uf_find(f, h.sensor_id, 0);
	if (!s) {
		v = EDGEAI_V_UNKNOWN_SENSOR;
		goto out;
	}
	if (!uf_take(s)) {
		v = EDGEAI_V_RATE_LIMITED;
		goto out;
	}
	memcpy((char *)buf + offsetof(struct edgeai_wire_hdr, tag), &s->tag,
	       sizeof(s->tag));
	v = EDGEAI_V_PASS;
out:
	f->count[v]++;
	return v;
}

#endif /* EDGEAI_BENCH_USER_FILTER_H */
