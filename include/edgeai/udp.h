/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * UDP sources: a bound UDP socket whose sensor datagrams (edgeai/wire.h,
 * docs/protocol.md) are received through io_uring - one multishot
 * IORING_OP_RECVMSG on a ring of provided buffers - and handed to the
 * caller in place, already validated, in batches:
 *
 *	struct edgeai_udp_opts o = { .sz = sizeof(o), .nbufs = 1024 };
 *	struct edgeai_udp_pkt pkts[64];
 *	struct edgeai_udp *u;
 *	int i, n;
 *
 *	edgeai_udp_open(":4747", &o, &u);
 *	for (;;) {
 *		n = edgeai_udp_recv(u, pkts, 64, -1);	// one kernel entry
 *		for (i = 0; i < n; i++)
 *			use(pkts[i].hdr, pkts[i].payload, pkts[i].payload_len);
 *		edgeai_udp_release(u, pkts, n);		// no syscall
 *	}
 *
 * Where the kernel lacks multishot recvmsg or buffer rings, the same API
 * runs on recvmmsg() batches. No allocation after open. One thread at a
 * time uses a source; with DEFER_TASKRUN (the default where the kernel
 * has it) that is the thread that opened it. docs/udp-source.md has the
 * design, edgeai_udp(3) every call.
 */
#ifndef EDGEAI_UDP_H
#define EDGEAI_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <edgeai/wire.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A bound UDP socket and what receives from it. */
struct edgeai_udp;

/* edgeai_udp_opts.mode and edgeai_udp_stats.mode */
#define EDGEAI_UDP_MODE_AUTO		0	/* opts: multishot if possible */
#define EDGEAI_UDP_MODE_MULTISHOT	1	/* io_uring + buffer ring */
#define EDGEAI_UDP_MODE_RECVMMSG	2	/* recvmmsg() batches */

/* edgeai_udp_stats.features: what the kernel gave the io_uring. */
#define EDGEAI_UDP_FEAT_DEFER_TASKRUN	(1U << 0)  /* work runs at our entry */
#define EDGEAI_UDP_FEAT_COOP_TASKRUN	(1U << 1)  /* no IPI per completion */
#define EDGEAI_UDP_FEAT_RING_FD		(1U << 2)  /* registered ring fd */
#define EDGEAI_UDP_FEAT_REUSEPORT	(1U << 3)  /* SO_REUSEPORT is set */
#define EDGEAI_UDP_FEAT_GRO		(1U << 4)  /* UDP_GRO: coalesced */

#define EDGEAI_UDP_DEFAULT_NBUFS	1024
#define EDGEAI_UDP_MAX_NBUFS		32768
#define EDGEAI_UDP_DEFAULT_BUF_SIZE	2048
#define EDGEAI_UDP_MAX_BUF_SIZE		65536
/* Bytes of each buffer before the datagram (io_uring header, address). */
#define EDGEAI_UDP_BUF_HEADROOM		48
/* ... with gro: the UDP_GRO control message (the segment size) as well. */
#define EDGEAI_UDP_BUF_HEADROOM_GRO	72
/* With gro and no buf_size / nbufs given: one whole coalesced datagram. */
#define EDGEAI_UDP_GRO_BUF_SIZE		65536
#define EDGEAI_UDP_GRO_NBUFS		64

struct edgeai_udp_opts {
	size_t sz;		/* sizeof(struct edgeai_udp_opts) */
	uint32_t mode;		/* EDGEAI_UDP_MODE_*; 0: AUTO */
	uint32_t nbufs;		/* buffers, a power of two 2..32768; 0: 1024 */
	uint32_t buf_size;	/* bytes each, 2048..65536, a multiple of 64;
				 * 0: 2048 (datagrams up to 2000 bytes) */
	uint32_t rcvbuf;	/* SO_RCVBUF(FORCE) bytes; 0: the default */
	uint8_t reuseport;	/* SO_REUSEPORT: one socket per worker */
	uint8_t require_tag;	/* drop packets without EDGEAI_TAG_FILTERED */
	uint8_t any_thread;	/* no DEFER_TASKRUN: recv from any thread */
	uint8_t pollable;	/* the caller waits on edgeai_udp_fd() (poll,
				 * epoll, another io_uring): no COOP/DEFER
				 * task running, so completions wake it */
	uint8_t gro;		/* UDP_GRO (multishot mode only): take the
				 * datagrams the kernel coalesced (a
				 * UDP_SEGMENT sender, a NIC's GRO) in one
				 * buffer and split them here; several
				 * packets then share a buffer. Defaults
				 * buf_size 65536, nbufs 64. In recvmmsg
				 * mode ignored (the kernel splits them);
				 * stats.features says which. */
	uint8_t reserved[3];	/* 0 */
	char *errbuf;		/* optional: why open failed */
	size_t errbuf_len;
};

/*
 * One received sensor datagram; everything points into its buffer. The
 * header is 16-byte aligned, except for the second and later datagrams of
 * a coalesced buffer (gro): those start where the one before ended, so
 * they are aligned only as far as the datagram size allows (8-byte
 * aligned when it is a multiple of 8). Read fields with memcpy() or
 * edgeai_le*() of a copy when datagram sizes may be odd.
 */
struct edgeai_udp_pkt {
	const struct edgeai_wire_hdr *hdr;	/* validated sensor header */
	const void *payload;			/* the elements, after hdr */
	const struct sockaddr *src;		/* sender's address */
	uint64_t rx_ns;		/* CLOCK_MONOTONIC when the batch was reaped */
	uint32_t payload_len;	/* bytes at payload: count * size(dtype) */
	uint32_t src_len;	/* bytes at src */
	uint32_t buf_id;	/* buffer, for edgeai_udp_release() */
	uint32_t len;		/* datagram bytes: 32 + payload_len */
};

struct edgeai_udp_stats {
	size_t sz;		/* sizeof(struct edgeai_udp_stats) */
	uint32_t mode;		/* EDGEAI_UDP_MODE_MULTISHOT or _RECVMMSG */
	uint32_t features;	/* EDGEAI_UDP_FEAT_* */
	uint64_t packets;	/* valid datagrams returned */
	uint64_t bytes;		/* their bytes (sensor header + elements) */
	uint64_t batches;	/* edgeai_udp_recv() calls that returned some */
	uint64_t kernel_entries; /* syscalls made to receive */
	uint64_t short_hdr;	/* invalid: shorter than the 32-byte header */
	uint64_t bad_magic;	/* invalid: wrong magic or version */
	uint64_t bad_field;	/* invalid: flags, reserved, sensor, dtype, count */
	uint64_t bad_length;	/* invalid: payload is not count * size(dtype) */
	uint64_t truncated;	/* invalid: larger than a buffer (MSG_TRUNC);
				 * with gro each datagram cut off counts */
	uint64_t untagged;	/* dropped by require_tag */
	uint64_t no_buffers;	/* multishot ended: no free buffer (-ENOBUFS) */
	uint64_t rearms;	/* multishot armed again after it ended */
	uint64_t cqe_errors;	/* other failed completions (re-armed) */
	uint64_t socket_drops;	/* the kernel's drops at this socket, in
				 * skbs: with gro one may be a whole
				 * coalesced run of datagrams */
	uint64_t held;		/* packets returned, not yet released */
	uint64_t coalesced;	/* gro: buffers holding more than one */
};

/*
 * Bind a UDP socket to @spec and set up its receive path. @spec:
 * "ADDR:PORT" (IPv4), "[ADDR]:PORT" (IPv6, "[fe80::1%eth0]:PORT" too) or
 * ":PORT" (every IPv4 and IPv6 address); PORT 0 picks a free one
 * (edgeai_udp_port()). @opts may be NULL. Returns 0 and sets *@up, or a
 * negative errno: -EINVAL (bad spec or option; the reason in
 * opts->errbuf), -EOPNOTSUPP (MULTISHOT asked for, the kernel lacks it),
 * -EADDRINUSE, -ENOMEM, ...
 */
int edgeai_udp_open(const char *spec, const struct edgeai_udp_opts *opts,
		    struct edgeai_udp **up);
/* Close the socket and ring; every packet still held becomes invalid. */
void edgeai_udp_close(struct edgeai_udp *u);

/*
 * Up to @max valid packets, waiting up to @timeout_ms (-1: forever, 0:
 * not at all) for the first. Returns how many (0: timeout), or -EINTR,
 * -ENOBUFS (the caller holds every buffer), -EINVAL, -EEXIST (not the
 * thread that opened it, with DEFER_TASKRUN), another -errno. Invalid
 * datagrams are counted by reason and never returned. The packets stay
 * valid until released. At most one kernel entry per call.
 */
int edgeai_udp_recv(struct edgeai_udp *u, struct edgeai_udp_pkt *pkts,
		    uint32_t max, int timeout_ms);
/*
 * Give @n packets' buffers back to the kernel, in any order, no syscall.
 * A buffer several packets share (gro) goes back with the last of them.
 * Returns 0, or -EINVAL if some were not held (those are skipped).
 */
int edgeai_udp_release(struct edgeai_udp *u, const struct edgeai_udp_pkt *pkts,
		       uint32_t n);

/* Counters; fills min(stats->sz, sizeof) bytes. 0 or -EINVAL. */
int edgeai_udp_stats(struct edgeai_udp *u, struct edgeai_udp_stats *stats);
/* Readable (POLLIN) when edgeai_udp_recv(u, .., 0) may find packets. */
int edgeai_udp_fd(const struct edgeai_udp *u);
/* The bound port (host order), or -EINVAL. */
int edgeai_udp_port(const struct edgeai_udp *u);
/* "multishot", "recvmmsg", "auto", or NULL. */
const char *edgeai_udp_mode_name(uint32_t mode);

/* edgeai_udp_check() verdicts; the stats count each invalid one. */
#define EDGEAI_UDP_OK		0
#define EDGEAI_UDP_SHORT	1	/* < 32 bytes */
#define EDGEAI_UDP_BAD_MAGIC	2	/* magic or version */
#define EDGEAI_UDP_BAD_FIELD	3	/* flags, reserved, sensor, dtype, count */
#define EDGEAI_UDP_BAD_LENGTH	4	/* payload != count * size(dtype) */

/* Wire (little-endian) to host order. */
static inline uint16_t edgeai_le16(uint16_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap16(v);
#else
	return v;
#endif
}

static inline uint32_t edgeai_le32(uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

/*
 * The wire-format rules of docs/protocol.md (checks 3-6, the same as the
 * BPF filter's edgeai_parse_wire()) applied to the UDP payload @dgram of
 * @len bytes: EDGEAI_UDP_OK or the first failing verdict. Inline so that
 * other receivers (bench/) do exactly the same work; @dgram need not be
 * aligned.
 */
static inline int edgeai_udp_check(const void *dgram, size_t len)
{
	struct edgeai_wire_hdr h;
	uint32_t esize, count;

	if (len < sizeof(h))
		return EDGEAI_UDP_SHORT;
	memcpy(&h, dgram, sizeof(h));
	if (edgeai_le32(h.magic) != EDGEAI_WIRE_MAGIC ||
	    h.version != EDGEAI_WIRE_VERSION)
		return EDGEAI_UDP_BAD_MAGIC;
	esize = edgeai_wire_dtype_size(h.dtype);
	count = edgeai_le16(h.count);
	if (!esize || h.flags || h.reserved || !h.sensor_id || !count ||
	    count * esize > EDGEAI_WIRE_MAX_PAYLOAD)
		return EDGEAI_UDP_BAD_FIELD;
	if (len - sizeof(h) != count * esize)
		return EDGEAI_UDP_BAD_LENGTH;
	return EDGEAI_UDP_OK;
}

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_UDP_H */
