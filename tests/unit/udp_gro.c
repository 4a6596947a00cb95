// SPDX-License-Identifier: GPL-2.0
/*
 * UDP source with gro (UDP_GRO) over loopback: a UDP_SEGMENT sender's
 * super-packets (k datagrams of one segment size, the last maybe shorter)
 * arrive as one coalesced datagram each, and the source splits them:
 *
 * - every datagram arrives exactly once, in order, intact, from its
 *   sender, IPv4 and IPv6, k = 1..40 and segments of 48..1452 bytes; the
 *   datagrams of one super-packet share one buffer and lie in it at their
 *   segment offsets; stats count them (packets, bytes, coalesced, held)
 *   and say GRO; the defaults (64 buffers of 64 KiB) hold the largest;
 * - packets held over many calls and released one by one in a scrambled
 *   order never change before release (a buffer several packets share goes
 *   back with the last of them), and no buffer is refilled while held;
 * - recv with max 1 and 3 walks through a coalesced buffer, the rest of it
 *   coming at once (timeout 0) from the next calls;
 * - an invalid datagram inside a super-packet is counted by its reason
 *   and dropped alone: its valid neighbours still come;
 * - with 2048-byte buffers, the datagrams that fit whole come and each one
 *   cut off counts as truncated: received + truncated == sent;
 * - in recvmmsg mode gro is ignored: no GRO feature, one buffer per
 *   datagram, nothing coalesced, UDP_GRO not set on the socket;
 * - -ENOBUFS exactly when the caller holds every buffer (not when it
 *   holds more packets than there are buffers, still while one packet of
 *   a shared buffer is held), and afterwards nothing is lost.
 *
 * Headers are read with memcpy(): a segment of a coalesced datagram lies
 * at a multiple of its segment size, which need not keep it 8-byte aligned.
 */
#include <netinet/udp.h>
#include <stdint.h>
#include <sys/uio.h>

#include "udp_test.h"

#define MAXSEQ		8192	/* valid datagrams one run sends */
#define MAXSP		512	/* super-packets one run sends */
#define POOL		160	/* packets the receiver can hold */
#define HOLD		40	/* ... when holding at random: < 64 buffers */
#define DGRAM_MAX	(EDGEAI_WIRE_HDR_LEN + EDGEAI_WIRE_MAX_PAYLOAD)
#define RCVBUF		(4u << 20)
#define BAD_SEQ		1000000u	/* seq of the invalid ones */
#define MAXPKTS		64
#define LOUD		20	/* per-packet complaints printed per run */

/* A failure about one packet: every one counts, the first LOUD print. */
#define RX_FAILF(r, fmt, ...)						\
	do {								\
		if ((r)->complaints++ < LOUD)				\
			T_FAILF(fmt, ##__VA_ARGS__);			\
		else							\
			t_failures++;					\
	} while (0)

enum keep {
	KEEP_NONE,	/* release each call's packets, scrambled */
	KEEP_RANDOM,	/* hold some over many calls, release scrambled */
	KEEP_PREV,	/* hold a call's packets until the next call */
	KEEP_ALL,	/* hold everything */
};

struct bad {
	const char *what;
	int reason;		/* EDGEAI_UDP_* verdict */
	int last_only;		/* changes the length: only the last may */
	void (*mangle)(uint8_t *p, size_t *len);
};

struct held {
	struct edgeai_udp_pkt pkt;
	uint32_t seq;
	uint32_t until;		/* KEEP_RANDOM: release when got reaches it */
	uint8_t copy[DGRAM_MAX];
};

struct rx {
	struct edgeai_udp *u;
	struct ut_dst d;
	uint32_t sensor;
	uint16_t port;		/* the sender's */
	int coalesce;		/* a super-packet must share one buffer */
	int sockopt;		/* sender: UDP_SEGMENT by setsockopt */
	int broken;		/* a receive failed: stop waiting long */
	uint32_t room;		/* datagram bytes a buffer holds; 0: all */
	uint32_t seed;
	/* what was sent */
	uint32_t nseq;		/* valid datagrams */
	uint32_t nsp;		/* super-packets */
	uint32_t expected;	/* datagrams that must arrive */
	uint32_t ncoal;		/* super-packets of more than one datagram */
	uint64_t bad[5];	/* invalid datagrams by verdict */
	uint64_t cut;		/* datagrams a buffer cannot hold whole */
	uint8_t want[MAXSEQ];
	uint16_t count[MAXSEQ];
	uint16_t sp_of[MAXSEQ];
	uint16_t seg_of[MAXSEQ];
	uint32_t gso[MAXSP];
	uint16_t left[MAXSP];	/* its datagrams still to come */
	/* what came */
	uint8_t seen[MAXSEQ];
	uint8_t sp_seen[MAXSP];
	uint32_t sp_buf[MAXSP];
	const uint8_t *sp_base[MAXSP];
	uint32_t got;
	int64_t last;
	uint64_t bytes;
	uint32_t misaligned;	/* headers not 8-byte aligned */
	uint32_t complaints;	/* RX_FAILF()s */
	struct held pool[POOL];
	uint32_t nhold;
};

static struct rx rx_state;

static uint32_t rnd(struct rx *r)
{
	r->seed = r->seed * 1103515245u + 12345u;
	return r->seed >> 16;
}

static struct edgeai_wire_hdr hdr_of(const struct edgeai_udp_pkt *p)
{
	struct edgeai_wire_hdr h;

	memcpy(&h, p->hdr, sizeof(h));
	return h;
}

/* ut_payload_ok(), reading through memcpy(). */
static int payload_ok(const struct edgeai_udp_pkt *p,
		      const struct edgeai_wire_hdr *h)
{
	const uint8_t *q = p->payload;
	uint32_t i, v;

	if (h->dtype != EDGEAI_DTYPE_U32 || p->payload_len != 4u * h->count ||
	    q != (const uint8_t *)p->hdr + EDGEAI_WIRE_HDR_LEN)
		return 0;
	for (i = 0; i < h->count; i++) {
		memcpy(&v, q + 4 * i, 4);
		if (v != ut_elem(h->sensor_id, h->seq, i))
			return 0;
	}
	return 1;
}

static uint16_t sa_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

/* ---- the source and the sender ----------------------------------------- */

static void rx_open(struct rx *r, int family, uint32_t mode, uint32_t nbufs,
		    uint32_t buf_size, uint32_t sensor)
{
	struct edgeai_udp_opts o = { .sz = sizeof(o) };
	char err[256] = "";
	int ret;

	memset(r, 0, sizeof(*r));
	r->sensor = sensor;
	r->seed = sensor * 7919u;
	r->last = -1;
	r->coalesce = mode == EDGEAI_UDP_MODE_MULTISHOT;
	r->room = buf_size ? buf_size - EDGEAI_UDP_BUF_HEADROOM_GRO : 0;
	o.mode = mode;
	o.nbufs = nbufs;
	o.buf_size = buf_size;
	o.rcvbuf = RCVBUF;
	o.gro = 1;
	o.errbuf = err;
	o.errbuf_len = sizeof(err);
	ret = edgeai_udp_open(family == AF_INET6 ? "[::1]:0" : "127.0.0.1:0",
			      &o, &r->u);
	if (ret == -EOPNOTSUPP && mode == EDGEAI_UDP_MODE_MULTISHOT) {
		if (t_failures)
			exit(t_done());
		fprintf(stderr, "edgeai_udp_open: %s\n", err);
		t_skip("no io_uring multishot recvmsg with buffer rings, "
		       "or no UDP_GRO");
	}
	if (ret)
		fprintf(stderr, "edgeai_udp_open(gro, %s, nbufs %u, buf_size "
			"%u): %s (%s)\n", edgeai_udp_mode_name(mode), nbufs,
			buf_size, strerror(-ret), err);
	T_ASSERT(ret == 0);
	ut_dst_open(&r->d, r->u, family);
}

static void rx_close(struct rx *r)
{
	close(r->d.fd);
	edgeai_udp_close(r->u);
	r->u = NULL;
}

/* One sendmsg() of @len bytes cut into @gso-byte datagrams (0: one). */
static void send_raw(struct rx *r, const uint8_t *buf, size_t len,
		     uint32_t gso)
{
	union {
		char b[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_storage me;
	socklen_t melen = sizeof(me);
	uint16_t g = (uint16_t)gso;
	struct cmsghdr *c;
	struct iovec iov;
	struct msghdr m;
	int v = (int)gso;
	ssize_t ret;

	memset(&m, 0, sizeof(m));
	iov.iov_base = (void *)buf;
	iov.iov_len = len;
	m.msg_name = &r->d.ss;
	m.msg_namelen = r->d.len;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (r->sockopt) {
		T_ASSERT(!setsockopt(r->d.fd, SOL_UDP, UDP_SEGMENT, &v,
				     sizeof(v)));
	} else if (gso) {
		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.b;
		m.msg_controllen = sizeof(ctl.b);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(g));
		memcpy(CMSG_DATA(c), &g, sizeof(g));
	}
	ret = sendmsg(r->d.fd, &m, 0);
	if (ret != (ssize_t)len)
		fprintf(stderr, "sendmsg of %zu bytes, segment size %u: %s\n",
			len, gso, ret < 0 ? strerror(errno) : "short");
	T_ASSERT(ret == (ssize_t)len);
	if (!r->port) {
		T_ASSERT(!getsockname(r->d.fd, (struct sockaddr *)&me, &melen));
		r->port = sa_port((struct sockaddr *)&me);
	}
}

/*
 * One super-packet: @k datagrams of @elems u32 elements, the last of
 * @last, in one send with segment size 32 + 4 * @elems; the datagrams in
 * @bad_mask mangled by @bad. Records what must come: the valid datagrams
 * that fit whole in r->room.
 */
static void send_sp(struct rx *r, uint16_t k, uint16_t elems, uint16_t last,
		    uint64_t bad_mask, const struct bad *bad)
{
	static uint8_t buf[65536];
	uint32_t gso = EDGEAI_WIRE_HDR_LEN + 4u * elems, spi = r->nsp, j, seq;
	size_t off = 0, len;
	uint16_t e;

	T_ASSERT(spi < MAXSP && r->nseq + k <= MAXSEQ);
	T_ASSERT(k >= 1 && last >= 1 && last <= elems &&
		 (size_t)gso * k <= sizeof(buf));
	r->nsp++;
	r->gso[spi] = gso;
	for (j = 0; j < k; j++) {
		e = j == k - 1u ? last : elems;
		if (bad_mask >> j & 1) {
			len = ut_build(buf + off, r->sensor, BAD_SEQ + j, e, 0);
			bad->mangle(buf + off, &len);
			T_ASSERT(len == gso || (j == k - 1u && len < gso));
			r->bad[bad->reason]++;
			off += len;
			continue;
		}
		seq = r->nseq++;
		len = ut_build(buf + off, r->sensor, seq, e, 0);
		r->count[seq] = e;
		r->sp_of[seq] = (uint16_t)spi;
		r->seg_of[seq] = (uint16_t)j;
		if (!r->room || off + len <= r->room) {
			r->want[seq] = 1;
			r->expected++;
			r->left[spi]++;
		} else {
			r->cut++;
		}
		off += len;
	}
	if (k > 1)
		r->ncoal++;
	send_raw(r, buf, off, gso);
}

/* Super-packet @i of the common traffic. */
static void plan(uint32_t i, uint16_t *k, uint16_t *elems, uint16_t *last)
{
	static const uint16_t sizes[] = { 4, 16, 64, 355 };

	*k = (uint16_t)(1 + (i * 17) % 40);		/* 1..40 */
	*elems = sizes[(i / 3) % 4];
	/* Every third one ends with a shorter datagram. */
	*last = i % 3 == 1 ? (uint16_t)(1 + (i * 13) % (*elems - 1)) : *elems;
}

/* ---- receiving and checking -------------------------------------------- */

/* Whether @a (seq @sa) and @b (seq @sb) may share a buffer. */
static int may_share(const struct rx *r, uint32_t sa, uint32_t sb)
{
	return r->coalesce && sa < r->nseq && sb < r->nseq &&
	       r->sp_of[sa] == r->sp_of[sb];
}

static void check_pkt(struct rx *r, const struct edgeai_udp_pkt *p,
		      const struct edgeai_udp_pkt *call, uint32_t ncall)
{
	struct edgeai_wire_hdr h = hdr_of(p);
	const uint8_t *base;
	uint32_t seq = h.seq, spi, i, other;

	if ((uintptr_t)p->hdr % 8)
		r->misaligned++;
	t_checks++;
	if (h.sensor_id != r->sensor)
		RX_FAILF(r, "seq %u: sensor %u, not %u", seq, h.sensor_id,
			 r->sensor);
	if (seq >= r->nseq || !r->want[seq]) {
		RX_FAILF(r, "seq %u: never sent, invalid or cut off, yet "
			 "returned", seq);
		return;
	}
	if (r->seen[seq]++) {
		RX_FAILF(r, "seq %u arrived twice", seq);
		return;
	}
	if ((int64_t)seq <= r->last)
		RX_FAILF(r, "seq %u after seq %lld: out of order", seq,
			 (long long)r->last);
	r->last = seq;
	spi = r->sp_of[seq];
	r->left[spi]--;
	r->bytes += p->len;
	if (h.count != r->count[seq] ||
	    p->len != EDGEAI_WIRE_HDR_LEN + p->payload_len)
		RX_FAILF(r, "seq %u: count %u, len %u, payload_len %u; sent "
			 "count %u", seq, h.count, p->len, p->payload_len,
			 r->count[seq]);
	if (!payload_ok(p, &h))
		RX_FAILF(r, "seq %u: payload not intact", seq);
	if (sa_port(p->src) != r->port)
		RX_FAILF(r, "seq %u: from port %u, not %u", seq,
			 sa_port(p->src), r->port);
	/* A buffer the caller holds is never filled again. */
	for (i = 0; i < r->nhold; i++)
		if (r->pool[i].pkt.buf_id == p->buf_id &&
		    !may_share(r, r->pool[i].seq, seq))
			RX_FAILF(r, "seq %u came in buffer %u, which still "
				 "holds seq %u", seq, p->buf_id,
				 r->pool[i].seq);
	for (i = 0; i < ncall; i++) {
		other = hdr_of(&call[i]).seq;
		if (call[i].buf_id == p->buf_id && !may_share(r, other, seq))
			RX_FAILF(r, "seq %u and seq %u share buffer %u", other,
				 seq, p->buf_id);
	}
	if (!r->coalesce)
		return;
	/* One super-packet, one buffer: datagram j at j * segment size. */
	base = (const uint8_t *)p->hdr - (size_t)r->seg_of[seq] * r->gso[spi];
	if (!r->sp_seen[spi]) {
		r->sp_seen[spi] = 1;
		r->sp_buf[spi] = p->buf_id;
		r->sp_base[spi] = base;
	} else if (p->buf_id != r->sp_buf[spi] || base != r->sp_base[spi]) {
		RX_FAILF(r, "seq %u (datagram %u of a super-packet): buffer "
			 "%u, not with the others in buffer %u at their "
			 "offsets", seq, r->seg_of[seq], p->buf_id,
			 r->sp_buf[spi]);
	}
}

static void hold(struct rx *r, const struct edgeai_udp_pkt *p, uint32_t until)
{
	struct held *h;

	T_ASSERT(r->nhold < POOL && p->len <= DGRAM_MAX);
	h = &r->pool[r->nhold++];
	h->pkt = *p;
	h->seq = hdr_of(p).seq;
	h->until = until;
	memcpy(h->copy, p->hdr, p->len);
}

/* Check held packet @i is as it came, release it alone. */
static void unhold(struct rx *r, uint32_t i)
{
	struct held *h = &r->pool[i];

	t_checks++;
	if (memcmp(h->pkt.hdr, h->copy, h->pkt.len))
		RX_FAILF(r, "held seq %u (buffer %u) changed before release",
			 h->seq, h->pkt.buf_id);
	T_EQ(edgeai_udp_release(r->u, &h->pkt, 1), 0);
	if (i != --r->nhold)
		*h = r->pool[r->nhold];
}

static void unhold_seq(struct rx *r, uint32_t seq)
{
	uint32_t i;

	for (i = 0; i < r->nhold; i++) {
		if (r->pool[i].seq == seq) {
			unhold(r, i);
			return;
		}
	}
	T_FAILF("seq %u is not held", seq);
}

/* Release everything held, in a scrambled order. */
static void drain(struct rx *r)
{
	while (r->nhold)
		unhold(r, rnd(r) % r->nhold);
}

static void dispose(struct rx *r, const struct edgeai_udp_pkt *pkts,
		    uint32_t n, enum keep keep)
{
	struct edgeai_udp_pkt now[MAXPKTS], t;
	uint32_t nnow = 0, i, j, m;

	if (keep == KEEP_PREV)
		while (r->nhold)
			unhold(r, r->nhold - 1);	/* newest first */
	for (i = 0; i < n; i++) {
		if (keep == KEEP_ALL || keep == KEEP_PREV)
			hold(r, &pkts[i], 0);
		else if (keep == KEEP_RANDOM && r->nhold < HOLD &&
			 rnd(r) % 4 == 0)
			hold(r, &pkts[i], r->got + rnd(r) % 2000);
		else
			now[nnow++] = pkts[i];
	}
	for (i = nnow; i > 1; i--) {
		j = rnd(r) % i;
		t = now[i - 1];
		now[i - 1] = now[j];
		now[j] = t;
	}
	/* In groups of random sizes: one packet of a buffer at a time too. */
	for (i = 0; i < nnow; i += m) {
		m = 1 + rnd(r) % (nnow - i);
		if (m > 4)
			m = 1 + m % 4;
		T_EQ(edgeai_udp_release(r->u, now + i, m), 0);
	}
	if (keep != KEEP_RANDOM)
		return;
	for (i = 0; i < r->nhold;) {
		if (r->pool[i].until <= r->got)
			unhold(r, i);
		else
			i++;
	}
}

/*
 * Receive, @max at a time, until every datagram that must come came.
 * Once part of a coalesced buffer was returned, the rest of it is there
 * already: the next call must return some without waiting.
 */
static void recv_all(struct rx *r, uint32_t max, enum keep keep)
{
	struct edgeai_udp_pkt pkts[MAXPKTS];
	uint32_t i, seq;
	int n, t, pending = 0;

	T_ASSERT(max <= MAXPKTS);
	while (r->got < r->expected) {
		t = pending ? 0 : r->broken ? 100 : 2000;
		n = edgeai_udp_recv(r->u, pkts, max, t);
		if (n < 0) {
			T_FAILF("recv: %s after %u of %u", strerror(-n), r->got,
				r->expected);
			r->broken = 1;
			return;
		}
		if (!n) {
			if (pending)
				T_FAILF("recv(timeout 0): nothing, though seq "
					"%lld left %u of its coalesced buffer",
					(long long)r->last,
					r->left[r->sp_of[r->last]]);
			else if (!r->broken)
				T_FAILF("recv: timeout after %u of %u", r->got,
					r->expected);
			r->broken = 1;
			return;
		}
		if ((uint32_t)n > max) {
			T_FAILF("recv returned %d > max %u", n, max);
			return;
		}
		for (i = 0; i < (uint32_t)n; i++)
			check_pkt(r, &pkts[i], pkts, i);
		r->got += (uint32_t)n;
		seq = hdr_of(&pkts[n - 1]).seq;
		pending = r->coalesce && seq < r->nseq && r->want[seq] &&
			  r->left[r->sp_of[seq]] > 0;
		dispose(r, pkts, (uint32_t)n, keep);
	}
}

/* Until nothing comes for 300 ms; what the kernel dropped is missing. */
static void recv_lossy(struct rx *r)
{
	struct edgeai_udp_pkt pkts[MAXPKTS];
	uint32_t i;
	int n;

	while ((n = edgeai_udp_recv(r->u, pkts, MAXPKTS, 300)) > 0) {
		for (i = 0; i < (uint32_t)n; i++)
			check_pkt(r, &pkts[i], pkts, i);
		r->got += (uint32_t)n;
		dispose(r, pkts, (uint32_t)n, KEEP_NONE);
	}
	T_EQ(n, 0);
}

/* Release all, nothing more comes; @lossy: some may be missing. */
static uint32_t finish(struct rx *r, int lossy)
{
	struct edgeai_udp_pkt pkts[8];
	uint32_t seq, missing = 0;
	int n;

	drain(r);
	n = edgeai_udp_recv(r->u, pkts, 8, 50);
	if (n > 0) {
		T_FAILF("%d more packets after all that was sent, first seq "
			"%u", n, hdr_of(&pkts[0]).seq);
		edgeai_udp_release(r->u, pkts, (uint32_t)n);
	} else {
		T_EQ(n, 0);
	}
	for (seq = 0; seq < r->nseq; seq++) {
		if (!r->want[seq] || r->seen[seq])
			continue;
		if (!lossy && missing < 10)
			T_FAILF("seq %u (datagram %u of super-packet %u) never "
				"arrived", seq, r->seg_of[seq], r->sp_of[seq]);
		missing++;
	}
	if (!lossy && missing)
		T_FAILF("%u of %u datagrams never arrived", missing,
			r->expected);
	return missing;
}

static uint64_t invalid(const struct edgeai_udp_stats *st)
{
	return st->short_hdr + st->bad_magic + st->bad_field + st->bad_length +
	       st->truncated + st->untagged;
}

/* ---- 1: a stream of super-packets, held at random --------------------- */

#define NSP	200
#define CHUNK	10

static void stream(int family)
{
	struct rx *r = &rx_state;
	struct edgeai_udp_stats st;
	uint16_t k, elems, last;
	uint32_t i;

	/* nbufs, buf_size 0: 64 buffers of 64 KiB take 40 * 1452 bytes. */
	rx_open(r, family, EDGEAI_UDP_MODE_MULTISHOT, 0, 0,
		family == AF_INET6 ? 26 : 24);
	for (i = 0; i < NSP; i++) {
		plan(i, &k, &elems, &last);
		send_sp(r, k, elems, last, 0, NULL);
		if (i % CHUNK == CHUNK - 1) {
			recv_all(r, MAXPKTS, KEEP_RANDOM);
			ut_stats(r->u, &st);
			T_EQ(st.held, r->nhold);
		}
	}
	finish(r, 0);
	ut_stats(r->u, &st);
	T_EQ(st.mode, EDGEAI_UDP_MODE_MULTISHOT);
	T_CHECK(st.features & EDGEAI_UDP_FEAT_GRO);
	T_EQ(r->got, r->nseq);
	T_EQ(st.packets, r->nseq);
	T_EQ(st.bytes, r->bytes);
	T_EQ(invalid(&st), 0);
	T_EQ(st.socket_drops, 0);
	T_EQ(st.held, 0);
	T_EQ(st.cqe_errors, 0);
	T_CHECK(st.coalesced > 0);
	T_EQ(st.coalesced, r->ncoal);
	printf("gro %s: %u datagrams in %u super-packets (%u coalesced), "
	       "%llu batches, %llu kernel entries, %u headers not 8-byte "
	       "aligned, features %#x\n", family == AF_INET6 ? "IPv6" : "IPv4",
	       r->got, r->nsp, r->ncoal, (unsigned long long)st.batches,
	       (unsigned long long)st.kernel_entries, r->misaligned,
	       st.features);
	rx_close(r);
}

/* ---- 2: max 1 and 3 ----------------------------------------------------- */

#define NSP_SMALL	80

static void small_max(uint32_t max)
{
	struct rx *r = &rx_state;
	struct edgeai_udp_stats st;
	uint16_t k, elems, last;
	uint32_t i;

	/* 4 buffers: a buffer given back early is refilled at once. */
	rx_open(r, AF_INET, EDGEAI_UDP_MODE_MULTISHOT, 4, 0, 30 + max);
	for (i = 0; i < NSP_SMALL; i++) {
		plan(i, &k, &elems, &last);
		send_sp(r, k, elems, last, 0, NULL);
		if (i % CHUNK == CHUNK - 1)
			recv_all(r, max, max == 1 ? KEEP_NONE : KEEP_PREV);
	}
	finish(r, 0);
	ut_stats(r->u, &st);
	T_CHECK(st.features & EDGEAI_UDP_FEAT_GRO);
	T_EQ(r->got, r->nseq);
	T_EQ(st.packets, r->nseq);
	T_EQ(invalid(&st), 0);
	T_EQ(st.socket_drops, 0);
	T_EQ(st.held, 0);
	T_EQ(st.coalesced, r->ncoal);
	T_CHECK(st.batches >= r->nseq / max);
	printf("gro max %u: %u datagrams in %u super-packets, %llu batches, "
	       "%llu kernel entries\n", max, r->got, r->nsp,
	       (unsigned long long)st.batches,
	       (unsigned long long)st.kernel_entries);
	rx_close(r);
}

/* ---- 3: invalid datagrams inside super-packets ------------------------- */

static void m_count_less(uint8_t *p, size_t *len) { p[24]--; }
static void m_count_more(uint8_t *p, size_t *len) { p[24]++; }
static void m_elem_short(uint8_t *p, size_t *len) { *len -= 4; }
static void m_byte_short(uint8_t *p, size_t *len) { *len -= 1; }

static const struct bad bads[] = {
	{ "magic", EDGEAI_UDP_BAD_MAGIC, 0, m_magic },
	{ "version", EDGEAI_UDP_BAD_MAGIC, 0, m_version },
	{ "flags", EDGEAI_UDP_BAD_FIELD, 0, m_flags },
	{ "reserved", EDGEAI_UDP_BAD_FIELD, 0, m_reserved },
	{ "sensor 0", EDGEAI_UDP_BAD_FIELD, 0, m_sensor0 },
	{ "dtype 10", EDGEAI_UDP_BAD_FIELD, 0, m_dtype10 },
	{ "count 0", EDGEAI_UDP_BAD_FIELD, 0, m_count0 },
	{ "count one less", EDGEAI_UDP_BAD_LENGTH, 0, m_count_less },
	{ "count one more", EDGEAI_UDP_BAD_LENGTH, 0, m_count_more },
	{ "31 bytes", EDGEAI_UDP_SHORT, 1, m_short },
	{ "one element short", EDGEAI_UDP_BAD_LENGTH, 1, m_elem_short },
	{ "one byte short", EDGEAI_UDP_BAD_LENGTH, 1, m_byte_short },
};

#define NBAD	(sizeof(bads) / sizeof(bads[0]))

static void bad_segments(void)
{
	static const uint16_t sizes[] = { 16, 13, 64 };
	struct rx *r = &rx_state;
	struct edgeai_udp_stats st;
	uint32_t i, pos, allbad = 0;
	const struct bad *b;
	uint16_t e;

	/* 4 buffers, fewer than the super-packets: recycling must work. */
	rx_open(r, AF_INET, EDGEAI_UDP_MODE_MULTISHOT, 4, 8192, 41);
	/* Each kind at each of the 5 places (12, 5 coprime). */
	for (i = 0; i < NBAD * 5; i++) {
		b = &bads[i % NBAD];
		pos = b->last_only ? 4 : i % 5;
		e = sizes[i % 3];
		send_sp(r, 5, e, e, 1ull << pos, b);
		if (i % 8 == 7)
			recv_all(r, 8, KEEP_NONE);
	}
	/* Nothing valid in them: more than there are buffers. */
	for (i = 0; i < 6; i++, allbad++)
		send_sp(r, 5, 16, 16, 0x1f, &bads[0]);
	/* Two bad, two apart; then only the last valid. */
	for (i = 0; i < 3; i++)
		send_sp(r, 5, 16, 16, 0x0a, &bads[2]);
	send_sp(r, 5, 16, 16, 0x0f, &bads[4]);
	send_sp(r, 5, 16, 16, 0, NULL);
	recv_all(r, 8, KEEP_NONE);
	finish(r, 0);
	ut_stats(r->u, &st);
	T_EQ(r->got, r->expected);
	T_EQ(st.packets, r->expected);
	T_EQ(st.short_hdr, r->bad[EDGEAI_UDP_SHORT]);
	T_EQ(st.bad_magic, r->bad[EDGEAI_UDP_BAD_MAGIC]);
	T_EQ(st.bad_field, r->bad[EDGEAI_UDP_BAD_FIELD]);
	T_EQ(st.bad_length, r->bad[EDGEAI_UDP_BAD_LENGTH]);
	T_EQ(st.truncated, 0);
	T_EQ(st.untagged, 0);
	T_EQ(st.held, 0);
	T_EQ(st.socket_drops, 0);
	/* Every buffer held 5; one with none valid may or may not count. */
	T_CHECK(st.coalesced >= r->ncoal - allbad && st.coalesced <= r->ncoal);
	printf("gro invalid: %u valid of %u super-packets returned; short %llu,"
	       " magic %llu, field %llu, length %llu\n", r->got, r->nsp,
	       (unsigned long long)st.short_hdr,
	       (unsigned long long)st.bad_magic,
	       (unsigned long long)st.bad_field,
	       (unsigned long long)st.bad_length);
	rx_close(r);
}

/* ---- 4: coalesced datagrams larger than a buffer ---------------------- */

static void truncation(void)
{
	/* 2048-byte buffers hold 1976 bytes of datagrams. */
	static const struct {
		uint16_t k, elems, last;
	} cases[] = {
		{ 6, 64, 64 },		/* 6 * 288 = 1728: all */
		{ 7, 64, 54 },		/* 1728 + 248 = 1976: all, exactly */
		{ 7, 64, 55 },		/* 1980: the last cut by 4 bytes */
		{ 7, 64, 64 },		/* 2016: the last cut */
		{ 12, 64, 64 },		/* 6 whole, 6 cut */
		{ 5, 100, 100 },	/* 4 * 432 = 1728: the 5th cut inside */
		{ 2, 355, 355 },	/* 1452: 1 whole, 1 cut */
		{ 3, 355, 1 },		/* 1 whole, 2 cut */
		{ 40, 355, 355 },	/* 1 whole, 39 cut */
		{ 40, 4, 4 },		/* 40 * 48 = 1920: all */
		{ 1, 355, 355 },	/* one datagram, 1452 */
		{ 39, 13, 13 },		/* 39 * 84 = 3276: 23 whole */
	};
	struct rx *r = &rx_state;
	struct edgeai_udp_stats st;
	static uint8_t big[2001];
	uint32_t i, round, plain = 0;

	rx_open(r, AF_INET, EDGEAI_UDP_MODE_MULTISHOT, 4, 2048, 51);
	T_EQ(r->room, 1976);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			send_sp(r, cases[i].k, cases[i].elems, cases[i].last,
				0, NULL);
		/* One plain datagram too large for a buffer. */
		ut_build(big, r->sensor, BAD_SEQ, 355, 0);
		send_raw(r, big, sizeof(big), 0);
		plain++;
		r->cut++;
		recv_all(r, 8, KEEP_NONE);
	}
	finish(r, 0);
	ut_stats(r->u, &st);
	T_CHECK(st.features & EDGEAI_UDP_FEAT_GRO);
	T_EQ(r->got, r->expected);
	T_EQ(st.packets, r->expected);
	T_EQ(st.truncated, r->cut);
	T_EQ(st.packets + st.truncated, r->nseq + plain);
	T_EQ(st.short_hdr + st.bad_magic + st.bad_field + st.bad_length, 0);
	T_EQ(st.held, 0);
	T_EQ(st.socket_drops, 0);
	T_CHECK(st.coalesced > 0);
	printf("gro, 2048-byte buffers: %u of %u datagrams whole, %llu "
	       "truncated\n",
	       r->got, r->nseq + plain, (unsigned long long)st.truncated);
	rx_close(r);
}

/* ---- 5: recvmmsg mode ignores gro -------------------------------------- */

static void mmsg_ignores_gro(void)
{
	struct rx *r = &rx_state;
	struct edgeai_udp_stats st;
	uint16_t k, elems, last;
	socklen_t len;
	uint32_t i;
	int v;

	rx_open(r, AF_INET, EDGEAI_UDP_MODE_RECVMMSG, 0, 0, 61);
	r->sockopt = 1;		/* this sender: UDP_SEGMENT by setsockopt */
	v = -1;
	len = sizeof(v);
	if (!getsockopt(edgeai_udp_fd(r->u), SOL_UDP, UDP_GRO, &v, &len))
		T_EQ(v, 0);
	for (i = 0; i < 60; i++) {
		plan(i, &k, &elems, &last);
		send_sp(r, k, elems, last, 0, NULL);
		if (i % CHUNK == CHUNK - 1)
			recv_all(r, MAXPKTS, KEEP_NONE);
	}
	finish(r, 0);
	ut_stats(r->u, &st);
	T_EQ(st.mode, EDGEAI_UDP_MODE_RECVMMSG);
	T_CHECK(!(st.features & EDGEAI_UDP_FEAT_GRO));
	T_EQ(r->got, r->nseq);
	T_EQ(st.packets, r->nseq);
	T_EQ(invalid(&st), 0);
	T_EQ(st.coalesced, 0);
	T_EQ(st.socket_drops, 0);
	T_EQ(st.held, 0);
	printf("recvmmsg, gro ignored: %u datagrams of %u super-packets, "
	       "features %#x\n", r->got, r->nsp, st.features);
	rx_close(r);
}

/* ---- 6: every buffer held ----------------------------------------------- */

static void two_buffers(void)
{
	struct edgeai_udp_pkt pkts[MAXPKTS];
	struct rx *r = &rx_state;
	struct edgeai_udp_stats st;
	uint32_t i, burst0, drops;
	int n;

	rx_open(r, AF_INET, EDGEAI_UDP_MODE_MULTISHOT, 2, 0, 71);
	send_sp(r, 5, 16, 16, 0, NULL);			/* A: seq 0..4 */
	recv_all(r, MAXPKTS, KEEP_ALL);
	/* 5 packets held, more than 2 buffers, yet one buffer is free. */
	send_sp(r, 5, 16, 16, 0, NULL);			/* B: seq 5..9 */
	recv_all(r, MAXPKTS, KEEP_ALL);
	ut_stats(r->u, &st);
	T_EQ(st.held, 10);
	T_CHECK(r->sp_buf[0] != r->sp_buf[1]);
	send_sp(r, 5, 16, 16, 0, NULL);			/* C: waits */
	T_ERRNO(edgeai_udp_recv(r->u, pkts, MAXPKTS, 0), ENOBUFS);
	T_ERRNO(edgeai_udp_recv(r->u, pkts, MAXPKTS, 100), ENOBUFS);
	/* All but one of A: its buffer stays with the caller. */
	unhold_seq(r, 3);
	unhold_seq(r, 0);
	unhold_seq(r, 4);
	unhold_seq(r, 1);
	n = edgeai_udp_recv(r->u, pkts, MAXPKTS, 100);
	if (n > 0) {
		T_FAILF("recv returned %d packets (seq %u) while seq 2 still "
			"holds its buffer", n, hdr_of(&pkts[0]).seq);
		edgeai_udp_release(r->u, pkts, (uint32_t)n);
		r->broken = 1;
	} else {
		T_ERRNO(n, ENOBUFS);
	}
	unhold_seq(r, 2);
	recv_all(r, MAXPKTS, KEEP_ALL);			/* C, into A's */
	T_EQ(r->sp_buf[2], r->sp_buf[0]);
	drain(r);

	/* Both buffers held while a burst waits in the socket. */
	send_sp(r, 5, 16, 16, 0, NULL);
	send_sp(r, 5, 16, 16, 0, NULL);
	recv_all(r, MAXPKTS, KEEP_ALL);
	burst0 = r->expected;
	for (i = 0; i < 40; i++)
		send_sp(r, (uint16_t)(1 + i % 8), 16, 16, 0, NULL);
	T_ERRNO(edgeai_udp_recv(r->u, pkts, MAXPKTS, 0), ENOBUFS);
	drain(r);
	recv_lossy(r);
	drops = finish(r, 1);
	ut_stats(r->u, &st);
	T_EQ(r->got + st.socket_drops, r->expected);
	T_EQ(drops, st.socket_drops);
	T_EQ(st.packets, r->got);
	T_EQ(invalid(&st), 0);
	T_EQ(st.held, 0);
	printf("gro 2 buffers: %u of %u received after holding both "
	       "(burst of %u), %llu socket drops, %llu no-buffer stops\n",
	       r->got, r->expected, r->expected - burst0,
	       (unsigned long long)st.socket_drops,
	       (unsigned long long)st.no_buffers);
	rx_close(r);
}

/* The gro defaults: 64 buffers (each holds all of a 40 * 1452 one). */
static void default_buffers(void)
{
	struct edgeai_udp_pkt pkts[MAXPKTS];
	struct rx *r = &rx_state;
	struct edgeai_udp_stats st;
	uint32_t i;

	rx_open(r, AF_INET, EDGEAI_UDP_MODE_MULTISHOT, 0, 0, 81);
	for (i = 0; i < EDGEAI_UDP_GRO_NBUFS; i++)
		send_sp(r, 2, 4, 4, 0, NULL);
	recv_all(r, MAXPKTS, KEEP_ALL);
	ut_stats(r->u, &st);
	T_EQ(st.held, 2 * EDGEAI_UDP_GRO_NBUFS);
	send_sp(r, 2, 4, 4, 0, NULL);
	T_ERRNO(edgeai_udp_recv(r->u, pkts, MAXPKTS, 100), ENOBUFS);
	unhold_seq(r, 1);
	unhold_seq(r, 0);
	recv_all(r, MAXPKTS, KEEP_ALL);
	T_EQ(r->sp_buf[EDGEAI_UDP_GRO_NBUFS], r->sp_buf[0]);
	finish(r, 0);
	ut_stats(r->u, &st);
	T_EQ(st.packets, r->nseq);
	T_EQ(st.coalesced, r->ncoal);
	T_EQ(st.held, 0);
	rx_close(r);
}

int main(void)
{
	mmsg_ignores_gro();
	stream(AF_INET);
	stream(AF_INET6);
	small_max(1);
	small_max(3);
	bad_segments();
	truncation();
	two_buffers();
	default_buffers();
	return t_done();
}
