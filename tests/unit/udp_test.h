/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the UDP source tests (tests/unit/udp_*.c): a sender socket,
 * sensor datagrams with the deterministic payload of edgeai-sensorgen
 * (element i of (sensor, seq) is v = sensor * 1000003 + seq * 1009 + i,
 * stored as u32), and a source opened in a given mode.
 */
#ifndef EDGEAI_UDP_TEST_H
#define EDGEAI_UDP_TEST_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <edgeai/udp.h>
#include "edgeai_test.h"

static const uint32_t ut_modes[] = {
	EDGEAI_UDP_MODE_MULTISHOT, EDGEAI_UDP_MODE_RECVMMSG,
};
#define UT_NMODES (sizeof(ut_modes) / sizeof(ut_modes[0]))

struct ut_dst {
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;
};

static inline uint64_t ut_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A source on loopback (@family), port chosen by the kernel. */
static inline struct edgeai_udp *ut_open(int family, uint32_t mode,
					 uint32_t nbufs, uint8_t require_tag)
{
	struct edgeai_udp_opts o = { .sz = sizeof(o) };
	struct edgeai_udp *u = NULL;
	char err[256] = "";
	int ret;

	o.mode = mode;
	o.nbufs = nbufs;
	o.require_tag = require_tag;
	o.errbuf = err;
	o.errbuf_len = sizeof(err);
	ret = edgeai_udp_open(family == AF_INET6 ? "[::1]:0" : "127.0.0.1:0",
			      &o, &u);
	if (ret == -EOPNOTSUPP && mode == EDGEAI_UDP_MODE_MULTISHOT)
		t_skip("no io_uring multishot recvmsg with buffer rings");
	if (ret)
		fprintf(stderr, "edgeai_udp_open: %s (%s)\n", strerror(-ret),
			err);
	T_ASSERT(ret == 0);
	return u;
}

/* A sender socket aimed at @u over loopback. */
static inline void ut_dst_open(struct ut_dst *d, const struct edgeai_udp *u,
			       int family)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&d->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&d->ss;
	int big = 4 << 20;

	memset(d, 0, sizeof(*d));
	if (family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		s6->sin6_port = htons((uint16_t)edgeai_udp_port(u));
		d->len = sizeof(*s6);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s4->sin_port = htons((uint16_t)edgeai_udp_port(u));
		d->len = sizeof(*s4);
	}
	d->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	T_ASSERT(d->fd >= 0);
	setsockopt(d->fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
}

static inline void ut_send(const struct ut_dst *d, const void *buf, size_t len)
{
	T_ASSERT(sendto(d->fd, buf, len, 0, (const struct sockaddr *)&d->ss,
			d->len) == (ssize_t)len);
}

static inline uint32_t ut_elem(uint32_t sensor, uint32_t seq, uint32_t i)
{
	return sensor * 1000003u + seq * 1009u + i;
}

/* A valid u32 datagram of @elems elements into @p; returns its length. */
static inline size_t ut_build(uint8_t *p, uint32_t sensor, uint32_t seq,
			      uint16_t elems, uint32_t tag)
{
	struct edgeai_wire_hdr h;
	uint32_t i, v;

	memset(&h, 0, sizeof(h));
	h.magic = EDGEAI_WIRE_MAGIC;
	h.version = EDGEAI_WIRE_VERSION;
	h.dtype = EDGEAI_DTYPE_U32;
	h.sensor_id = sensor;
	h.seq = seq;
	h.timestamp_ns = ut_now_ns();
	h.count = elems;
	h.tag = tag;
	memcpy(p, &h, sizeof(h));
	for (i = 0; i < elems; i++) {
		v = ut_elem(sensor, seq, i);
		memcpy(p + sizeof(h) + 4 * i, &v, 4);
	}
	return sizeof(h) + 4u * elems;
}

/* Whether @pkt's payload is the deterministic one of its header. */
static inline int ut_payload_ok(const struct edgeai_udp_pkt *pkt)
{
	const uint8_t *p = pkt->payload;
	uint32_t i, v;

	if (pkt->hdr->dtype != EDGEAI_DTYPE_U32 ||
	    pkt->payload_len != 4u * pkt->hdr->count ||
	    (const uint8_t *)pkt->payload != (const uint8_t *)(pkt->hdr + 1))
		return 0;
	for (i = 0; i < pkt->hdr->count; i++) {
		memcpy(&v, p + 4 * i, 4);
		if (v != ut_elem(pkt->hdr->sensor_id, pkt->hdr->seq, i))
			return 0;
	}
	return 1;
}

static inline void ut_stats(struct edgeai_udp *u, struct edgeai_udp_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->sz = sizeof(*st);
	T_ASSERT(edgeai_udp_stats(u, st) == 0);
}

/*
 * Mangles of a valid sensor datagram @p (its length in *@len), one field
 * each, shared by the invalid-datagram tests (include/edgeai/wire.h:
 * magic at 0..3, version 4, dtype 5, flags 6, sensor 8..11, count 24..25,
 * reserved 26..27).
 */
static inline void m_short(uint8_t *p, size_t *len) { *len = 31; }
static inline void m_magic(uint8_t *p, size_t *len) { p[3] = 'X'; }
static inline void m_version(uint8_t *p, size_t *len) { p[4] = 2; }
static inline void m_flags(uint8_t *p, size_t *len) { p[6] = 1; }
static inline void m_reserved(uint8_t *p, size_t *len) { p[27] = 1; }
static inline void m_sensor0(uint8_t *p, size_t *len) { memset(p + 8, 0, 4); }
static inline void m_dtype10(uint8_t *p, size_t *len) { p[5] = 10; }
static inline void m_count0(uint8_t *p, size_t *len) { memset(p + 24, 0, 2); }

#endif /* EDGEAI_UDP_TEST_H */
