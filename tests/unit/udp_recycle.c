// SPDX-License-Identifier: GPL-2.0
/*
 * UDP source under sustained load with a ring of 8 buffers: the receiver
 * holds up to 7 packets over several calls and releases them out of
 * order, so the kernel keeps running out of buffers. Nothing held may
 * change before it is released (the kernel refills only released
 * buffers), nothing arrives twice or corrupted, and every datagram sent
 * is either received or counted as a socket drop. Both modes.
 */
#include <pthread.h>

#include "udp_test.h"

#define NBUFS	8
#define HOLD	7
#define TOTAL	20000
#define ELEMS	16

struct sender {
	struct ut_dst d;
	volatile int done;
};

static void *send_all(void *arg)
{
	struct sender *s = arg;
	uint8_t buf[128];
	uint32_t seq;

	for (seq = 0; seq < TOTAL; seq++) {
		ut_send(&s->d, buf, ut_build(buf, 3, seq, ELEMS, 0));
		if (seq % 512 == 0)
			usleep(200);	/* bursts, with room to catch up */
	}
	s->done = 1;
	return NULL;
}

struct held {
	struct edgeai_udp_pkt pkt;
	uint8_t copy[32 + 4 * ELEMS];
};

static struct held hold[HOLD];
static uint32_t nhold;
static uint8_t seen[TOTAL];
static uint32_t got;

/* Release one held packet, picked pseudo-randomly, after checking it. */
static void release_one(struct edgeai_udp *u, uint32_t *rnd)
{
	uint32_t i;

	*rnd = *rnd * 1103515245u + 12345u;
	i = (*rnd >> 16) % nhold;
	if (memcmp(hold[i].pkt.hdr, hold[i].copy, sizeof(hold[i].copy)))
		T_FAILF("held buffer %u (seq %u) changed before release",
			hold[i].pkt.buf_id, hold[i].pkt.hdr->seq);
	T_EQ(edgeai_udp_release(u, &hold[i].pkt, 1), 0);
	hold[i] = hold[--nhold];
}

static void keep(const struct edgeai_udp_pkt *p)
{
	uint32_t seq = p->hdr->seq;

	T_ASSERT(p->len == sizeof(hold[0].copy));
	if (seq >= TOTAL || seen[seq]++)
		T_FAILF("seq %u twice or out of range", seq);
	if (!ut_payload_ok(p))
		T_FAILF("seq %u: payload not intact", seq);
	hold[nhold].pkt = *p;
	memcpy(hold[nhold].copy, p->hdr, sizeof(hold[0].copy));
	nhold++;
	got++;
}

static void run(uint32_t mode)
{
	struct edgeai_udp_pkt pkts[HOLD];
	struct edgeai_udp_stats st;
	struct edgeai_udp *u;
	pthread_t th;
	struct sender s;
	uint32_t rnd = 42, i, room;
	int n, idle = 0;

	memset(seen, 0, sizeof(seen));
	nhold = 0;
	got = 0;
	u = ut_open(AF_INET, mode, NBUFS, 0);
	ut_dst_open(&s.d, u, AF_INET);
	s.done = 0;
	T_ASSERT(pthread_create(&th, NULL, send_all, &s) == 0);
	while (idle < 3) {
		room = HOLD - nhold;
		n = edgeai_udp_recv(u, pkts, room ? room : 1, 100);
		if (n < 0) {
			T_FAILF("recv: %s", strerror(-n));
			break;
		}
		idle = n || !s.done ? 0 : idle + 1;
		for (i = 0; i < (uint32_t)n; i++)
			keep(&pkts[i]);
		/* Hand back a few, keep the rest over the next calls. */
		while (nhold && (nhold > HOLD - 2 || rnd % 3 == 0 || !n))
			release_one(u, &rnd);
		rnd = rnd * 1103515245u + 12345u;
	}
	pthread_join(th, NULL);
	while (nhold)
		release_one(u, &rnd);
	ut_stats(u, &st);
	printf("%s: %u of %u received, %llu socket drops, %llu no-buffer "
	       "stops, %llu re-arms, %llu kernel entries\n",
	       edgeai_udp_mode_name(mode), got, TOTAL,
	       (unsigned long long)st.socket_drops,
	       (unsigned long long)st.no_buffers,
	       (unsigned long long)st.rearms,
	       (unsigned long long)st.kernel_entries);
	T_EQ(st.packets, got);
	T_EQ(got + st.socket_drops, TOTAL);
	T_CHECK(got > TOTAL / 10);
	T_EQ(st.held, 0);
	T_EQ(st.cqe_errors, 0);
	T_EQ(st.short_hdr + st.bad_magic + st.bad_field + st.bad_length +
	     st.truncated, 0);
	if (mode == EDGEAI_UDP_MODE_MULTISHOT) {
		/* 8 buffers cannot keep up: the request ends and re-arms. */
		T_CHECK(st.no_buffers > 0);
		T_CHECK(st.rearms >= st.no_buffers);
	}
	close(s.d.fd);
	edgeai_udp_close(u);
}

int main(void)
{
	size_t m;

	for (m = 0; m < UT_NMODES; m++)
		run(ut_modes[m]);
	return t_done();
}
