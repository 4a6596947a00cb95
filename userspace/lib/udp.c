// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * UDP sources (include/edgeai/udp.h, docs/udp-source.md): one multishot
 * IORING_OP_RECVMSG on a ring of provided buffers, reaped in batches and
 * handed out in place; recvmmsg() batches where the kernel cannot do that.
 *
 * Every buffer is in exactly one place: the kernel's buffer ring, a CQE
 * not yet reaped, the caller's hands (held[]), or, in recvmmsg mode, the
 * free stack. A buffer goes back to the kernel only through
 * edgeai_udp_release() or when its datagram was invalid, so the kernel
 * never writes into a buffer the caller still reads.
 *
 * With gro (UDP_GRO, multishot only) one buffer may hold several
 * datagrams the kernel coalesced, all of the segment size its UDP_GRO
 * control message gives but the last. They are handed out through a
 * cursor (split), which may span calls; held[] then counts the buffer's
 * packets in the caller's hands, plus one while the cursor is on it, and
 * the buffer goes back when that count drops to 0.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/sock_diag.h>

#include <liburing.h>

#include <edgeai/udp.h>

#define NAME_OFF	16	/* after struct io_uring_recvmsg_out */
#define NAME_LEN	32	/* >= sizeof(struct sockaddr_in6), 8-aligned */
#define PAYLOAD_OFF	(NAME_OFF + NAME_LEN)
#define ARM_TAG		0x45414955ull	/* user_data of the multishot recv */
#define MMSG_MAX	1024		/* the kernel's cap on one recvmmsg */
#define SQ_ENTRIES	4
#define MSHOT_RUN	32		/* CQEs a kernel posts per multishot run */

_Static_assert(PAYLOAD_OFF == EDGEAI_UDP_BUF_HEADROOM, "buffer layout");
_Static_assert(sizeof(struct io_uring_recvmsg_out) == NAME_OFF,
	       "buffer layout");
_Static_assert(sizeof(struct sockaddr_in6) <= NAME_LEN, "buffer layout");
_Static_assert(PAYLOAD_OFF + CMSG_SPACE(sizeof(int)) ==
	       EDGEAI_UDP_BUF_HEADROOM_GRO, "buffer layout");

struct edgeai_udp {
	int fd;
	int port;
	uint32_t mode;
	uint32_t features;
	bool require_tag;
	bool one_thread;		/* recv only on @owner */
	pthread_t owner;
	uint32_t nbufs;
	uint32_t buf_size;
	unsigned char *bufs;		/* nbufs * buf_size, mmap'd */
	uint16_t *held;			/* per buffer: packets out (+1: split) */
	uint32_t nheld;			/* packets in the caller's hands */
	uint32_t bufs_held;		/* buffers with held[] > 0 */
	struct edgeai_udp_stats st;
	bool gro;			/* UDP_GRO is on: split buffers */
	struct {			/* the coalesced buffer being handed out */
		bool on;
		uint32_t bid;
		uint32_t off, end;	/* the next segment, the end of data */
		uint32_t seg;		/* segment size */
		uint32_t namelen;
	} split;

	/* multishot */
	struct io_uring ring;
	bool ring_up;
	struct io_uring_buf_ring *br;
	size_t br_len;
	uint32_t br_added;		/* added since the last advance */
	uint32_t in_ring;		/* buffers the kernel may fill */
	bool armed;
	bool busy;			/* the last entry filled a whole run */
	struct msghdr msgh;		/* layout template: name, no control */

	/* recvmmsg */
	struct mmsghdr *mmsg;
	struct iovec *iov;
	uint16_t *free_ids;
	uint32_t nfree;
};

static void seterr(const struct edgeai_udp_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void seterr(const struct edgeai_udp_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o || !o->errbuf || !o->errbuf_len)
		return;
	va_start(ap, fmt);
	vsnprintf(o->errbuf, o->errbuf_len, fmt, ap);
	va_end(ap);
}

static unsigned char *buf_of(const struct edgeai_udp *u, uint32_t bid)
{
	return u->bufs + (size_t)bid * u->buf_size;
}

/* ---- options and address ------------------------------------------------ */

static int opts_load(const struct edgeai_udp_opts *in,
		     struct edgeai_udp_opts *o)
{
	const unsigned char *tail;
	size_t i;

	memset(o, 0, sizeof(*o));
	if (in) {
		if (in->sz < offsetof(struct edgeai_udp_opts, mode))
			return -EINVAL;
		memcpy(o, in, in->sz < sizeof(*o) ? in->sz : sizeof(*o));
		tail = (const unsigned char *)in;
		for (i = sizeof(*o); i < in->sz; i++)
			if (tail[i])
				return -E2BIG;
	}
	if (!o->nbufs)
		o->nbufs = o->gro ? EDGEAI_UDP_GRO_NBUFS :
			   EDGEAI_UDP_DEFAULT_NBUFS;
	if (!o->buf_size)
		o->buf_size = o->gro ? EDGEAI_UDP_GRO_BUF_SIZE :
			      EDGEAI_UDP_DEFAULT_BUF_SIZE;
	return 0;
}

static int opts_check(const struct edgeai_udp_opts *o)
{
	size_t i;

	if (o->mode > EDGEAI_UDP_MODE_RECVMMSG) {
		seterr(o, "unknown mode %u", o->mode);
		return -EINVAL;
	}
	if (o->nbufs < 2 || o->nbufs > EDGEAI_UDP_MAX_NBUFS ||
	    (o->nbufs & (o->nbufs - 1))) {
		seterr(o, "nbufs %u: a power of two from 2 to %u", o->nbufs,
		       EDGEAI_UDP_MAX_NBUFS);
		return -EINVAL;
	}
	if (o->buf_size < 2048 || o->buf_size > EDGEAI_UDP_MAX_BUF_SIZE ||
	    o->buf_size % 64) {
		seterr(o, "buf_size %u: a multiple of 64 from 2048 to %u",
		       o->buf_size, EDGEAI_UDP_MAX_BUF_SIZE);
		return -EINVAL;
	}
	if (o->gro > 1) {
		seterr(o, "gro %u: 0 or 1", o->gro);
		return -EINVAL;
	}
	for (i = 0; i < sizeof(o->reserved); i++) {
		if (o->reserved[i]) {
			seterr(o, "reserved option bytes must be 0");
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v;
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* Numeric address @host (NULL: any) and @port into @ss. */
static int resolve(const char *host, uint16_t port, int family,
		   struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(host, "0", &hints, &res) || !res)
		return -EINVAL;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	return 0;
}

/*
 * "ADDR:PORT", "[ADDR]:PORT" or ":PORT" into @ss; @any set for ":PORT"
 * (which binds [::] dual-stack, or 0.0.0.0 without IPv6).
 */
static int parse_spec(const char *spec, struct sockaddr_storage *ss,
		      socklen_t *len, bool *any)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	const char *colon, *end;
	int family = AF_INET;
	uint16_t port;
	size_t hl;

	*any = false;
	if (spec[0] == '[') {
		end = strchr(spec, ']');
		if (!end || end[1] != ':' || end == spec + 1)
			return -EINVAL;
		hl = (size_t)(end - spec - 1);
		colon = end + 1;
		family = AF_INET6;
		spec++;
	} else {
		colon = strchr(spec, ':');
		if (!colon || strchr(colon + 1, ':'))
			return -EINVAL;	/* IPv6 needs brackets */
		hl = (size_t)(colon - spec);
	}
	if (parse_port(colon + 1, &port))
		return -EINVAL;
	if (!hl) {
		*any = true;
		return resolve("::", port, AF_INET6, ss, len);
	}
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	return resolve(host, port, family, ss, len);
}

/* ---- socket ------------------------------------------------------------- */

static int sock_rcvbuf(int fd, uint32_t bytes)
{
	int v = bytes > INT_MAX / 2 ? INT_MAX / 2 : (int)bytes;

	/* FORCE passes net.core.rmem_max where we may (CAP_NET_ADMIN). */
	if (!setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
		return 0;
	return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) ? -errno : 0;
}

static int sock_options(struct edgeai_udp *u, const struct edgeai_udp_opts *o,
			bool any)
{
	int one = 1, zero = 0;

	if (any && setsockopt(u->fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
			      sizeof(zero)))
		return -errno;
	if (o->reuseport) {
		if (setsockopt(u->fd, SOL_SOCKET, SO_REUSEPORT, &one,
			       sizeof(one)))
			return -errno;
		u->features |= EDGEAI_UDP_FEAT_REUSEPORT;
	}
	return o->rcvbuf ? sock_rcvbuf(u->fd, o->rcvbuf) : 0;
}

static int sock_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -errno;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int sock_open(struct edgeai_udp *u, const char *spec,
		     const struct edgeai_udp_opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len;
	bool any;
	int ret;

	if (parse_spec(spec, &ss, &len, &any)) {
		seterr(o, "bad address \"%s\": want ADDR:PORT, [ADDR]:PORT "
		       "or :PORT with a numeric address and a port 0..65535",
		       spec);
		return -EINVAL;
	}
	u->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       0);
	if (u->fd < 0 && any && errno == EAFNOSUPPORT) {
		/* No IPv6 on this machine: every IPv4 address then. */
		any = false;
		resolve("0.0.0.0", ntohs(((struct sockaddr_in6 *)&ss)->sin6_port),
			AF_INET, &ss, &len);
		u->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC |
			       SOCK_NONBLOCK, 0);
	}
	if (u->fd < 0) {
		ret = -errno;
		seterr(o, "socket: %s", strerror(-ret));
		return ret;
	}
	ret = sock_options(u, o, any);
	if (ret) {
		seterr(o, "socket options of \"%s\": %s", spec,
		       strerror(-ret));
		return ret;
	}
	if (bind(u->fd, (struct sockaddr *)&ss, len)) {
		ret = -errno;
		seterr(o, "bind \"%s\": %s", spec, strerror(-ret));
		return ret;
	}
	u->port = sock_port(u->fd);
	return u->port < 0 ? u->port : 0;
}

/* ---- validation, shared by both modes ----------------------------------- */

static void count_invalid(struct edgeai_udp *u, int why)
{
	switch (why) {
	case EDGEAI_UDP_SHORT:
		u->st.short_hdr++;
		break;
	case EDGEAI_UDP_BAD_MAGIC:
		u->st.bad_magic++;
		break;
	case EDGEAI_UDP_BAD_FIELD:
		u->st.bad_field++;
		break;
	case EDGEAI_UDP_BAD_LENGTH:
		u->st.bad_length++;
		break;
	}
}

/* Hand buffer @bid back to whoever fills it (no syscall). */
static void give_back(struct edgeai_udp *u, uint32_t bid)
{
	if (u->mode == EDGEAI_UDP_MODE_MULTISHOT) {
		io_uring_buf_ring_add(u->br, buf_of(u, bid), u->buf_size,
				      (unsigned short)bid,
				      io_uring_buf_ring_mask(u->nbufs),
				      (int)u->br_added++);
		return;
	}
	u->free_ids[u->nfree++] = (uint16_t)bid;
}

/* Publish what give_back() added to the buffer ring: one store. */
static void br_flush(struct edgeai_udp *u)
{
	if (!u->br_added)
		return;
	io_uring_buf_ring_advance(u->br, (int)u->br_added);
	u->in_ring += u->br_added;
	u->br_added = 0;
}

/* Take one reference to buffer @bid: a packet out, or the split on it. */
static void hold(struct edgeai_udp *u, uint32_t bid)
{
	if (!u->held[bid]++)
		u->bufs_held++;
}

/*
 * The datagram of @len bytes at @d in buffer @bid, sent from an address
 * of @namelen bytes: into @pkt if valid (1), else counted (0).
 */
static int fill(struct edgeai_udp *u, uint32_t bid, const unsigned char *d,
		uint32_t len, uint32_t namelen, struct edgeai_udp_pkt *pkt)
{
	const struct edgeai_wire_hdr *h;
	uint32_t tag;
	int why;

	why = edgeai_udp_check(d, len);
	if (why) {
		count_invalid(u, why);
		return 0;
	}
	h = (const struct edgeai_wire_hdr *)d;
	/* (a gro segment need not be aligned: no loads through @h here) */
	memcpy(&tag, d + offsetof(struct edgeai_wire_hdr, tag), sizeof(tag));
	if (u->require_tag && !(edgeai_le32(tag) & EDGEAI_TAG_FILTERED)) {
		u->st.untagged++;
		return 0;
	}
	pkt->hdr = h;
	pkt->payload = h + 1;
	pkt->payload_len = len - EDGEAI_WIRE_HDR_LEN;
	pkt->len = len;
	pkt->src = (const struct sockaddr *)(buf_of(u, bid) + NAME_OFF);
	pkt->src_len = namelen < NAME_LEN ? namelen : NAME_LEN;
	pkt->buf_id = bid;
	hold(u, bid);
	u->nheld++;
	u->st.packets++;
	u->st.bytes += len;
	return 1;
}

/*
 * The datagram of @len bytes in buffer @bid (one per buffer): into @pkt
 * if valid (1), else counted and recycled (0).
 */
static int take(struct edgeai_udp *u, uint32_t bid, uint32_t len,
		uint32_t namelen, bool trunc, struct edgeai_udp_pkt *pkt)
{
	if (trunc) {
		u->st.truncated++;
		goto recycle;
	}
	if (fill(u, bid, buf_of(u, bid) + PAYLOAD_OFF, len, namelen, pkt))
		return 1;
recycle:
	give_back(u, bid);
	return 0;
}

/* Drop one reference to buffer @bid; the last one gives it back. */
static void unhold(struct edgeai_udp *u, uint32_t bid)
{
	if (--u->held[bid])
		return;
	u->bufs_held--;
	give_back(u, bid);
}

/* Hand out up to @max more packets of the coalesced buffer being split. */
static uint32_t split_run(struct edgeai_udp *u, struct edgeai_udp_pkt *pkts,
			  uint32_t max)
{
	const unsigned char *buf = buf_of(u, u->split.bid);
	uint32_t n = 0, len;

	while (n < max && u->split.off < u->split.end) {
		len = u->split.end - u->split.off;
		if (len > u->split.seg)
			len = u->split.seg;
		n += (uint32_t)fill(u, u->split.bid, buf + u->split.off, len,
				    u->split.namelen, &pkts[n]);
		u->split.off += len;
	}
	if (u->split.off >= u->split.end) {
		u->split.on = false;
		unhold(u, u->split.bid);	/* the split's own reference */
	}
	return n;
}

/*
 * A completion of a gro source: find the segment size (no UDP_GRO
 * message: one datagram) and start splitting buffer @bid. Datagrams a
 * truncation cut off are counted, each of them.
 */
static void split_start(struct edgeai_udp *u, uint32_t bid,
			struct io_uring_recvmsg_out *out, uint32_t len)
{
	struct cmsghdr *c;
	uint32_t seg = 0, whole;
	int v;

	for (c = io_uring_recvmsg_cmsg_firsthdr(out, &u->msgh); c;
	     c = io_uring_recvmsg_cmsg_nexthdr(out, &u->msgh, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(v))) {
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			if (v > 0)
				seg = (uint32_t)v;
		}
	}
	if (!out->payloadlen)
		u->st.short_hdr++;	/* empty: no segment to check */
	if (!seg || seg > out->payloadlen)
		seg = out->payloadlen ? out->payloadlen : 1;
	if (out->flags & MSG_TRUNC) {
		/* Whole segments that fit are kept; count the rest. */
		whole = len / seg * seg;
		u->st.truncated += (out->payloadlen - whole + seg - 1) / seg;
		len = whole;
	}
	if (len > seg)
		u->st.coalesced++;
	u->split.on = true;
	u->split.bid = bid;
	u->split.off = (uint32_t)((unsigned char *)
				  io_uring_recvmsg_payload(out, &u->msgh) -
				  buf_of(u, bid));
	u->split.end = u->split.off + len;
	u->split.seg = seg;
	u->split.namelen = out->namelen;
	hold(u, bid);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void stamp(struct edgeai_udp_pkt *pkts, uint32_t n)
{
	uint64_t now;
	uint32_t i;

	if (!n)
		return;
	now = mono_ns();
	for (i = 0; i < n; i++)
		pkts[i].rx_ns = now;
}

/* ---- multishot recvmsg on a buffer ring --------------------------------- */

static void ms_arm(struct edgeai_udp *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (!sqe)	/* cannot happen: one request, SQ_ENTRIES slots */
		return;
	/* MSG_TRUNC: payloadlen is the datagram's length, not what fit */
	io_uring_prep_recvmsg_multishot(sqe, u->fd, &u->msgh, MSG_TRUNC);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = 0;
	io_uring_sqe_set_data64(sqe, ARM_TAG);
	u->armed = true;
}

/*
 * Arm again once the last request ended and there is a buffer to fill.
 * Inside edgeai_udp_recv() the next enter submits it; elsewhere (@submit)
 * it is submitted now, so that a caller polling edgeai_udp_fd() is woken:
 * a rare syscall, only after the kernel ended the request.
 */
static void ms_rearm(struct edgeai_udp *u, bool submit)
{
	if (u->armed || !u->in_ring)
		return;
	ms_arm(u);
	u->st.rearms++;
	if (submit) {
		u->st.kernel_entries++;
		io_uring_submit(&u->ring);
	}
}

/* One completion: the packets it filled into @pkts (at most @max). */
static uint32_t ms_cqe(struct edgeai_udp *u, const struct io_uring_cqe *cqe,
		       struct edgeai_udp_pkt *pkts, uint32_t max)
{
	struct io_uring_recvmsg_out *out;
	uint32_t bid, len;

	if (cqe->user_data != ARM_TAG)
		return 0;
	if (!(cqe->flags & IORING_CQE_F_MORE))
		u->armed = false;
	if (cqe->res < 0 || !(cqe->flags & IORING_CQE_F_BUFFER)) {
		if (cqe->res == -ENOBUFS)
			u->st.no_buffers++;
		else
			u->st.cqe_errors++;
		return 0;
	}
	bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	u->in_ring--;
	out = io_uring_recvmsg_validate(buf_of(u, bid), cqe->res, &u->msgh);
	if (!out) {
		u->st.cqe_errors++;
		give_back(u, bid);
		return 0;
	}
	len = io_uring_recvmsg_payload_length(out, cqe->res, &u->msgh);
	if (!u->gro)
		return (uint32_t)take(u, bid, len, out->namelen,
				      out->flags & MSG_TRUNC, pkts);
	split_start(u, bid, out, len);
	return split_run(u, pkts, max);
}

/* Reap up to @max packets from the CQ, without a syscall. */
static uint32_t ms_reap(struct edgeai_udp *u, struct edgeai_udp_pkt *pkts,
			uint32_t max)
{
	struct io_uring_cqe *cqe;
	uint32_t n = 0, seen = 0;
	unsigned int head;

	if (u->split.on)
		n = split_run(u, pkts, max);
	io_uring_for_each_cqe(&u->ring, head, cqe) {
		if (n == max || u->split.on)
			break;
		seen++;
		n += ms_cqe(u, cqe, &pkts[n], max - n);
	}
	if (seen)
		io_uring_cq_advance(&u->ring, seen);
	return n;
}

/*
 * Submit a re-arm if one is due and wait: one io_uring_enter. A kernel
 * that caps a multishot run at MSHOT_RUN completions (6.18 does; 6.1
 * drains the socket) returns after one run when asked for one CQE. When
 * the last entry filled a whole run, the socket is likely still busy:
 * then ask for enough runs to fill @max, without sleeping (a timeout of
 * 0), so that one entry still takes a full batch.
 */
static int ms_enter(struct edgeai_udp *u, int timeout_ms, uint32_t max)
{
	struct __kernel_timespec ts = { 0, 0 };
	struct io_uring_cqe *cqe;
	unsigned int wait = 1;
	int ret;

	ms_rearm(u, false);
	u->st.kernel_entries++;
	if (u->busy) {
		wait = max / MSHOT_RUN + 1;
	} else if (!timeout_ms) {
		ret = io_uring_submit_and_get_events(&u->ring);
		goto out;
	} else {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long long)(timeout_ms % 1000) * 1000000;
	}
	ret = io_uring_submit_and_wait_timeout(&u->ring, &cqe, wait,
					       timeout_ms < 0 && !u->busy ?
					       NULL : &ts, NULL);
	if (ret == -ETIME)
		ret = 0;
out:
	u->busy = io_uring_cq_ready(&u->ring) >= MSHOT_RUN;
	return ret;
}

static int ms_recv(struct edgeai_udp *u, struct edgeai_udp_pkt *pkts,
		   uint32_t max, int timeout_ms)
{
	uint64_t deadline = 0, now;
	uint32_t n;
	int ret, left = timeout_ms;

	n = ms_reap(u, pkts, max);
	if (!n && timeout_ms > 0)
		deadline = mono_ns() + (uint64_t)timeout_ms * 1000000;
	while (!n) {
		/*
		 * Buffers of invalid datagrams back to the kernel first: if
		 * they were all it had, the request cannot be armed again
		 * without them, and the wait would last its whole timeout.
		 */
		br_flush(u);
		ret = ms_enter(u, left, max);
		if (ret < 0 && ret != -EAGAIN && ret != -EBUSY)
			goto out;
		n = ms_reap(u, pkts, max);
		if (n || !timeout_ms)
			break;
		if (timeout_ms > 0) {
			/* Only invalid datagrams came: wait out the rest. */
			now = mono_ns();
			if (now >= deadline)
				break;
			left = (int)((deadline - now + 999999) / 1000000);
		}
	}
	ret = (int)n;
out:
	br_flush(u);
	ms_rearm(u, true);
	return ret;
}

static int ms_ring_init(struct edgeai_udp *u, bool any_thread, bool pollable)
{
	static const unsigned int tries[] = {
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
		0,
	};
	struct io_uring_params p;
	size_t i;
	int ret = -EINVAL;

	for (i = pollable ? 2 : any_thread ? 1 : 0;
	     i < sizeof(tries) / sizeof(tries[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.flags = tries[i] | IORING_SETUP_CQSIZE;
		/* Each CQE holds a buffer: twice nbufs never overflows. */
		p.cq_entries = 2 * u->nbufs;
		ret = io_uring_queue_init_params(SQ_ENTRIES, &u->ring, &p);
		if (ret != -EINVAL)
			break;
	}
	if (ret)
		return ret;
	u->ring_up = true;
	if (p.flags & IORING_SETUP_DEFER_TASKRUN)
		u->features |= EDGEAI_UDP_FEAT_DEFER_TASKRUN;
	if (p.flags & IORING_SETUP_COOP_TASKRUN)
		u->features |= EDGEAI_UDP_FEAT_COOP_TASKRUN;
	/* A registered ring fd is the registering thread's only. */
	if (!any_thread && !pollable &&
	    io_uring_register_ring_fd(&u->ring) == 1)
		u->features |= EDGEAI_UDP_FEAT_RING_FD;
	u->one_thread = u->features & (EDGEAI_UDP_FEAT_DEFER_TASKRUN |
				       EDGEAI_UDP_FEAT_RING_FD);
	u->owner = pthread_self();
	return 0;
}

static int ms_buf_ring(struct edgeai_udp *u)
{
	struct io_uring_buf_reg reg;
	uint32_t i;
	int ret;

	u->br_len = (size_t)u->nbufs * sizeof(struct io_uring_buf);
	u->br = mmap(NULL, u->br_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (u->br == MAP_FAILED) {
		u->br = NULL;
		return -ENOMEM;
	}
	io_uring_buf_ring_init(u->br);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uint64_t)(uintptr_t)u->br;
	reg.ring_entries = u->nbufs;
	reg.bgid = 0;
	ret = io_uring_register_buf_ring(&u->ring, &reg, 0);
	if (ret)
		return ret;
	for (i = 0; i < u->nbufs; i++)
		give_back(u, i);
	br_flush(u);
	return 0;
}

/*
 * Arm the first request and see whether the kernel takes it: a kernel
 * without multishot recvmsg fails it at once with -EINVAL. Completions
 * that are data (a sender was quick) stay in the CQ for edgeai_udp_recv().
 */
static int ms_probe(struct edgeai_udp *u)
{
	struct io_uring_cqe *cqe;
	unsigned int head;
	int ret;

	u->msgh.msg_namelen = NAME_LEN;
	/* gro: room for the UDP_GRO message (the segment size) */
	u->msgh.msg_controllen = u->gro ? CMSG_SPACE(sizeof(int)) : 0;
	ms_arm(u);
	ret = io_uring_submit_and_get_events(&u->ring);
	if (ret < 0)
		return ret;
	io_uring_for_each_cqe(&u->ring, head, cqe) {
		if (cqe->res < 0 && cqe->res != -ENOBUFS &&
		    !(cqe->flags & IORING_CQE_F_MORE))
			return cqe->res;
	}
	return 0;
}

static void ms_teardown(struct edgeai_udp *u)
{
	if (u->ring_up)
		io_uring_queue_exit(&u->ring);	/* cancels the request */
	u->ring_up = false;
	if (u->br)
		munmap(u->br, u->br_len);
	u->br = NULL;
	u->armed = false;
	u->in_ring = 0;
	u->br_added = 0;
	u->features &= ~(EDGEAI_UDP_FEAT_DEFER_TASKRUN |
			 EDGEAI_UDP_FEAT_COOP_TASKRUN | EDGEAI_UDP_FEAT_RING_FD);
	u->one_thread = false;
}

static int ms_setup(struct edgeai_udp *u, bool any_thread, bool pollable)
{
	int ret;

	u->mode = EDGEAI_UDP_MODE_MULTISHOT;
	ret = ms_ring_init(u, any_thread, pollable);
	if (!ret)
		ret = ms_buf_ring(u);
	if (!ret)
		ret = ms_probe(u);
	if (ret)
		ms_teardown(u);
	return ret;
}

/* ---- recvmmsg() batches ------------------------------------------------- */

static int mm_setup(struct edgeai_udp *u)
{
	uint32_t vlen = u->nbufs < MMSG_MAX ? u->nbufs : MMSG_MAX, i;

	u->mode = EDGEAI_UDP_MODE_RECVMMSG;
	u->mmsg = calloc(vlen, sizeof(*u->mmsg));
	u->iov = calloc(vlen, sizeof(*u->iov));
	u->free_ids = calloc(u->nbufs, sizeof(*u->free_ids));
	if (!u->mmsg || !u->iov || !u->free_ids)
		return -ENOMEM;
	for (i = 0; i < vlen; i++) {
		u->mmsg[i].msg_hdr.msg_iov = &u->iov[i];
		u->mmsg[i].msg_hdr.msg_iovlen = 1;
	}
	for (i = u->nbufs; i > 0; i--)
		u->free_ids[u->nfree++] = (uint16_t)(i - 1);
	return 0;
}

/* Point slot @i of the vector at buffer @bid, laid out as in multishot. */
static void mm_slot(struct edgeai_udp *u, uint32_t i, uint32_t bid)
{
	struct msghdr *m = &u->mmsg[i].msg_hdr;
	unsigned char *buf = buf_of(u, bid);

	m->msg_name = buf + NAME_OFF;
	m->msg_namelen = NAME_LEN;
	m->msg_flags = 0;
	u->iov[i].iov_base = buf + PAYLOAD_OFF;
	u->iov[i].iov_len = u->buf_size - PAYLOAD_OFF;
}

/* One recvmmsg(MSG_DONTWAIT): packets, 0 if none waited, or -errno. */
static int mm_batch(struct edgeai_udp *u, struct edgeai_udp_pkt *pkts,
		    uint32_t max)
{
	uint32_t vlen = max, i, n = 0, bid;
	struct msghdr *m;
	int got;

	if (vlen > u->nfree)
		vlen = u->nfree;
	if (vlen > MMSG_MAX)
		vlen = MMSG_MAX;
	if (!vlen)
		return -ENOBUFS;
	for (i = 0; i < vlen; i++)
		mm_slot(u, i, u->free_ids[u->nfree - 1 - i]);
	u->st.kernel_entries++;
	got = recvmmsg(u->fd, u->mmsg, vlen, MSG_DONTWAIT, NULL);
	if (got < 0)
		return errno == EAGAIN ? 0 : -errno;
	/* The first @got slots took the top @got ids of the free stack. */
	u->nfree -= (uint32_t)got;
	for (i = 0; i < (uint32_t)got; i++) {
		m = &u->mmsg[i].msg_hdr;
		bid = (uint32_t)(((unsigned char *)m->msg_name - NAME_OFF -
				  u->bufs) / u->buf_size);
		n += (uint32_t)take(u, bid, u->mmsg[i].msg_len, m->msg_namelen,
				    m->msg_flags & MSG_TRUNC, &pkts[n]);
	}
	return (int)n;
}

static int mm_wait(struct edgeai_udp *u, int timeout_ms)
{
	struct pollfd pfd = { .fd = u->fd, .events = POLLIN };
	int ret;

	u->st.kernel_entries++;
	ret = poll(&pfd, 1, timeout_ms);
	return ret < 0 ? -errno : ret;
}

static int mm_recv(struct edgeai_udp *u, struct edgeai_udp_pkt *pkts,
		   uint32_t max, int timeout_ms)
{
	uint64_t deadline = 0, now;
	int n, left = timeout_ms;

	for (;;) {
		n = mm_batch(u, pkts, max);
		if (n || !timeout_ms)
			return n;
		if (timeout_ms > 0) {
			now = mono_ns();
			if (!deadline)
				deadline = now + (uint64_t)timeout_ms * 1000000;
			if (now >= deadline)
				return 0;
			left = (int)((deadline - now + 999999) / 1000000);
		}
		n = mm_wait(u, left);
		if (n <= 0)
			return n;
	}
}

/* ---- the object --------------------------------------------------------- */

static int bufs_alloc(struct edgeai_udp *u)
{
	size_t len = (size_t)u->nbufs * u->buf_size;

	/* mmap: a late kernel write after close faults, never hits heap. */
	u->bufs = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (u->bufs == MAP_FAILED) {
		u->bufs = NULL;
		return -ENOMEM;
	}
	u->held = calloc(u->nbufs, sizeof(*u->held));
	return u->held ? 0 : -ENOMEM;
}

/*
 * UDP_GRO only once multishot is set up: from then on the kernel queues
 * coalesced datagrams whole (before, each one separately, which split_start()
 * takes as one datagram too). A kernel without UDP_GRO (before 5.0) keeps
 * sending them one by one: the feature bit says which.
 */
static void gro_on(struct edgeai_udp *u)
{
	int one = 1;

	if (u->gro && !setsockopt(u->fd, SOL_UDP, UDP_GRO, &one, sizeof(one)))
		u->features |= EDGEAI_UDP_FEAT_GRO;
}

static int path_setup(struct edgeai_udp *u, const struct edgeai_udp_opts *o)
{
	int ret;

	if (o->mode != EDGEAI_UDP_MODE_RECVMMSG) {
		u->gro = o->gro;
		ret = ms_setup(u, o->any_thread, o->pollable);
		if (!ret) {
			gro_on(u);
			return 0;
		}
		u->gro = false;
		if (o->mode == EDGEAI_UDP_MODE_MULTISHOT) {
			seterr(o, "io_uring multishot recvmsg with a buffer "
			       "ring: %s", strerror(-ret));
			return ret == -ENOMEM ? ret : -EOPNOTSUPP;
		}
	}
	ret = mm_setup(u);
	if (ret)
		seterr(o, "out of memory");
	return ret;
}

int edgeai_udp_open(const char *spec, const struct edgeai_udp_opts *opts,
		    struct edgeai_udp **up)
{
	struct edgeai_udp_opts o;
	struct edgeai_udp *u;
	int ret;

	if (!up || !spec)
		return -EINVAL;
	ret = opts_load(opts, &o);
	if (!ret)
		ret = opts_check(&o);
	if (ret)
		return ret;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->fd = -1;
	u->nbufs = o.nbufs;
	u->buf_size = o.buf_size;
	u->require_tag = o.require_tag;
	ret = sock_open(u, spec, &o);
	if (ret)
		goto err_close;
	ret = bufs_alloc(u);
	if (ret) {
		seterr(&o, "out of memory for %u buffers", u->nbufs);
		goto err_close;
	}
	ret = path_setup(u, &o);
	if (ret)
		goto err_close;
	*up = u;
	return 0;
err_close:
	edgeai_udp_close(u);
	return ret;
}

void edgeai_udp_close(struct edgeai_udp *u)
{
	if (!u)
		return;
	ms_teardown(u);
	if (u->fd >= 0)
		close(u->fd);
	if (u->bufs)
		munmap(u->bufs, (size_t)u->nbufs * u->buf_size);
	free(u->held);
	free(u->mmsg);
	free(u->iov);
	free(u->free_ids);
	free(u);
}

int edgeai_udp_recv(struct edgeai_udp *u, struct edgeai_udp_pkt *pkts,
		    uint32_t max, int timeout_ms)
{
	int n;

	if (!u || (!pkts && max))
		return -EINVAL;
	if (!max)
		return 0;
	if (u->one_thread && !pthread_equal(u->owner, pthread_self()))
		return -EEXIST;
	if (u->bufs_held == u->nbufs && !u->split.on)
		return -ENOBUFS;
	if (u->mode == EDGEAI_UDP_MODE_MULTISHOT)
		n = ms_recv(u, pkts, max, timeout_ms);
	else
		n = mm_recv(u, pkts, max, timeout_ms);
	if (n > 0) {
		u->st.batches++;
		stamp(pkts, (uint32_t)n);
	}
	return n;
}

int edgeai_udp_release(struct edgeai_udp *u, const struct edgeai_udp_pkt *pkts,
		       uint32_t n)
{
	uint32_t i, bid;
	int ret = 0;

	if (!u || (!pkts && n))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		bid = pkts[i].buf_id;
		/* (a split's own reference is not the caller's to drop) */
		if (bid >= u->nbufs ||
		    u->held[bid] <= (u->split.on && u->split.bid == bid)) {
			ret = -EINVAL;
			continue;
		}
		u->nheld--;
		unhold(u, bid);
	}
	if (u->mode == EDGEAI_UDP_MODE_MULTISHOT) {
		br_flush(u);
		ms_rearm(u, true);
	}
	return ret;
}

static uint64_t sock_drops(int fd)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	memset(mem, 0, sizeof(mem));
	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) ||
	    len <= SK_MEMINFO_DROPS * sizeof(mem[0]))
		return 0;
	return mem[SK_MEMINFO_DROPS];
}

int edgeai_udp_stats(struct edgeai_udp *u, struct edgeai_udp_stats *stats)
{
	size_t sz;

	if (!u || !stats || stats->sz < offsetof(struct edgeai_udp_stats, mode))
		return -EINVAL;
	sz = stats->sz < sizeof(*stats) ? stats->sz : sizeof(*stats);
	u->st.sz = sz;
	u->st.mode = u->mode;
	u->st.features = u->features;
	u->st.held = u->nheld;
	u->st.socket_drops = sock_drops(u->fd);
	memcpy(stats, &u->st, sz);
	return 0;
}

int edgeai_udp_fd(const struct edgeai_udp *u)
{
	if (!u)
		return -EINVAL;
	return u->mode == EDGEAI_UDP_MODE_MULTISHOT ? u->ring.ring_fd : u->fd;
}

int edgeai_udp_port(const struct edgeai_udp *u)
{
	return u ? u->port : -EINVAL;
}

const char *edgeai_udp_mode_name(uint32_t mode)
{
	switch (mode) {
	case EDGEAI_UDP_MODE_AUTO:
		return "auto";
	case EDGEAI_UDP_MODE_MULTISHOT:
		return "multishot";
	case EDGEAI_UDP_MODE_RECVMMSG:
		return "recvmmsg";
	default:
		return NULL;
	}
}
