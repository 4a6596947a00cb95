// SPDX-License-Identifier: GPL-2.0
/*
 * UDP source over loopback, IPv4 and IPv6, multishot and recvmmsg modes:
 * every datagram sent arrives exactly once, with its payload, tag and
 * sender address intact, held packets stay intact until released, and
 * the counters add up. Both modes must give the same results.
 */
#include "udp_test.h"

#define N	3000
#define CHUNK	100
#define NBUFS	256

struct run {
	uint8_t seen[N];
	uint64_t bytes;
	uint64_t last_rx;
	uint32_t got;
	uint16_t sender_port;
	int family;
	uint32_t sensor;
};

static uint32_t tag_of(uint32_t seq)
{
	return EDGEAI_TAG_MAKE(seq % 7, seq % 3, seq % 5);
}

static uint16_t elems_of(uint32_t seq)
{
	return (uint16_t)(1 + seq % 64);
}

static uint16_t src_port(const struct edgeai_udp_pkt *p)
{
	if (p->src->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)p->src)->sin6_port);
	return ntohs(((const struct sockaddr_in *)p->src)->sin_port);
}

static void check_pkt(struct run *r, const struct edgeai_udp_pkt *p,
		      uint64_t t0)
{
	uint32_t seq = p->hdr->seq;

	T_EQ(p->hdr->sensor_id, r->sensor);
	if (seq >= N) {
		T_FAILF("seq %u out of range", seq);
		return;
	}
	if (r->seen[seq]++)
		T_FAILF("seq %u arrived twice", seq);
	T_EQ(p->hdr->count, elems_of(seq));
	T_EQ(p->hdr->tag, tag_of(seq));
	T_EQ(p->len, EDGEAI_WIRE_HDR_LEN + p->payload_len);
	if (!ut_payload_ok(p))
		T_FAILF("seq %u: payload not intact", seq);
	T_EQ(p->src->sa_family, r->family);
	T_EQ(p->src_len, r->family == AF_INET6 ?
	     sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	T_EQ(src_port(p), r->sender_port);
	T_CHECK(p->rx_ns >= t0 && p->rx_ns >= r->last_rx &&
		p->rx_ns <= ut_now_ns());
	r->last_rx = p->rx_ns;
	r->bytes += p->len;
}

/* Receive one chunk, holding all of it, then check and release it. */
static void recv_chunk(struct edgeai_udp *u, struct run *r, uint32_t want,
		       uint64_t t0)
{
	static struct edgeai_udp_pkt pkts[CHUNK];
	uint32_t have = 0, i;
	int n;

	while (have < want) {
		n = edgeai_udp_recv(u, pkts + have, want - have, 2000);
		if (n <= 0) {
			T_FAILF("recv: %d after %u of %u", n, have, want);
			break;
		}
		have += (uint32_t)n;
	}
	/* Everything still held: nothing was overwritten meanwhile. */
	for (i = 0; i < have; i++)
		check_pkt(r, &pkts[i], t0);
	T_EQ(edgeai_udp_release(u, pkts, have), 0);
	r->got += have;
}

static void run_one(int family, uint32_t mode)
{
	static uint8_t buf[2048];
	struct edgeai_udp_stats st;
	struct sockaddr_storage me;
	socklen_t melen = sizeof(me);
	static struct run r;
	struct edgeai_udp *u;
	struct ut_dst d;
	uint64_t t0 = ut_now_ns();
	uint32_t seq, i;
	size_t len;

	memset(&r, 0, sizeof(r));
	r.family = family;
	r.sensor = family == AF_INET6 ? 66 : 44;
	u = ut_open(family, mode, NBUFS, 0);
	ut_dst_open(&d, u, family);
	for (seq = 0; seq < N; seq += CHUNK) {
		for (i = seq; i < seq + CHUNK; i++) {
			len = ut_build(buf, r.sensor, i, elems_of(i), tag_of(i));
			ut_send(&d, buf, len);
		}
		if (!seq) {
			T_ASSERT(!getsockname(d.fd, (struct sockaddr *)&me,
					      &melen));
			r.sender_port = ntohs(family == AF_INET6 ?
				((struct sockaddr_in6 *)&me)->sin6_port :
				((struct sockaddr_in *)&me)->sin_port);
		}
		recv_chunk(u, &r, CHUNK, t0);
	}
	for (i = 0; i < N; i++)
		if (r.seen[i] != 1)
			T_FAILF("%s %s: seq %u seen %u times",
				edgeai_udp_mode_name(mode),
				family == AF_INET6 ? "v6" : "v4", i, r.seen[i]);
	T_EQ(edgeai_udp_recv(u, (struct edgeai_udp_pkt *)buf, 1, 0), 0);
	ut_stats(u, &st);
	T_EQ(st.mode, mode);
	T_EQ(st.packets, N);
	T_EQ(st.bytes, r.bytes);
	T_EQ(st.short_hdr + st.bad_magic + st.bad_field + st.bad_length +
	     st.truncated + st.untagged, 0);
	T_EQ(st.socket_drops, 0);
	T_EQ(st.held, 0);
	T_EQ(st.cqe_errors, 0);
	/* Batching: far fewer kernel entries than packets. */
	T_CHECK(st.kernel_entries > 0 && st.kernel_entries <= N / 4);
	T_CHECK(st.batches > 0 && st.batches <= N / 4);
	printf("%s %s: %u packets, %llu batches, %llu kernel entries, "
	       "features %#x\n", edgeai_udp_mode_name(mode),
	       family == AF_INET6 ? "IPv6" : "IPv4", r.got,
	       (unsigned long long)st.batches,
	       (unsigned long long)st.kernel_entries, st.features);
	close(d.fd);
	edgeai_udp_close(u);
}

int main(void)
{
	size_t m;

	for (m = 0; m < UT_NMODES; m++) {
		run_one(AF_INET, ut_modes[m]);
		run_one(AF_INET6, ut_modes[m]);
	}
	return t_done();
}
