// SPDX-License-Identifier: GPL-2.0
/*
 * UDP source: every kind of malformed datagram is counted under its
 * reason and never returned (its buffer recycled at once), require_tag
 * drops and counts what the filter did not tag, and the counts agree
 * with edgeai-sensorgen's own mix of malformed kinds. Both modes. And a
 * run of invalid datagrams that fills every buffer at once does not stall
 * the valid one behind it (their buffers go back before the next wait).
 */
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include "udp_test.h"

#define NBUFS 16	/* fewer than the datagrams: recycling must work */

extern char **environ;

struct bad {
	const char *what;
	int reason;	/* EDGEAI_UDP_* or -1 for truncated */
	void (*mangle)(uint8_t *p, size_t *len);
};

static void m_empty(uint8_t *p, size_t *len) { *len = 0; }
static void m_dtype0(uint8_t *p, size_t *len) { p[5] = 0; }
/* 356 u32 = 1424 bytes > 1420, with the payload to match. */
static void m_countbig(uint8_t *p, size_t *len)
{
	p[24] = 356 & 0xff;
	p[25] = 356 >> 8;
	*len = 32 + 1424;
}
static void m_lenshort(uint8_t *p, size_t *len) { *len -= 4; }
static void m_lenlong(uint8_t *p, size_t *len) { *len += 4; }
static void m_lenodd(uint8_t *p, size_t *len) { *len += 1; }
/* More than a 2048-byte buffer holds after its 48 bytes of headroom. */
static void m_trunc(uint8_t *p, size_t *len) { *len = 2001; }

static const struct bad bads[] = {
	{ "empty", EDGEAI_UDP_SHORT, m_empty },
	{ "31 bytes", EDGEAI_UDP_SHORT, m_short },
	{ "magic", EDGEAI_UDP_BAD_MAGIC, m_magic },
	{ "version", EDGEAI_UDP_BAD_MAGIC, m_version },
	{ "flags", EDGEAI_UDP_BAD_FIELD, m_flags },
	{ "reserved", EDGEAI_UDP_BAD_FIELD, m_reserved },
	{ "sensor 0", EDGEAI_UDP_BAD_FIELD, m_sensor0 },
	{ "dtype 0", EDGEAI_UDP_BAD_FIELD, m_dtype0 },
	{ "dtype 10", EDGEAI_UDP_BAD_FIELD, m_dtype10 },
	{ "count 0", EDGEAI_UDP_BAD_FIELD, m_count0 },
	{ "count too big", EDGEAI_UDP_BAD_FIELD, m_countbig },
	{ "one element short", EDGEAI_UDP_BAD_LENGTH, m_lenshort },
	{ "one element long", EDGEAI_UDP_BAD_LENGTH, m_lenlong },
	{ "one byte long", EDGEAI_UDP_BAD_LENGTH, m_lenodd },
	{ "truncated", -1, m_trunc },
};
#define NBAD (sizeof(bads) / sizeof(bads[0]))
#define ROUNDS 5

/* Receive exactly @want valid packets; check they are the ones sent. */
static void expect_valid(struct edgeai_udp *u, uint32_t want, uint32_t seq0,
			 uint32_t step)
{
	struct edgeai_udp_pkt pkts[8];
	uint32_t got = 0, i;
	int n;

	while (got < want) {
		n = edgeai_udp_recv(u, pkts, 8, 1000);
		if (n <= 0) {
			T_FAILF("recv %d after %u of %u valid", n, got, want);
			return;
		}
		for (i = 0; i < (uint32_t)n; i++, got++) {
			T_EQ(pkts[i].hdr->seq, seq0 + got * step);
			T_CHECK(ut_payload_ok(&pkts[i]));
		}
		T_EQ(edgeai_udp_release(u, pkts, (uint32_t)n), 0);
	}
	T_EQ(edgeai_udp_recv(u, pkts, 8, 50), 0);	/* nothing more */
}

static void kinds(uint32_t mode)
{
	static uint8_t buf[4096];
	uint64_t want[5] = { 0 }, trunc = 0;
	struct edgeai_udp_stats st;
	struct edgeai_udp *u;
	struct ut_dst d;
	uint32_t seq = 0, r, k;
	size_t len;

	u = ut_open(AF_INET, mode, NBUFS, 0);
	ut_dst_open(&d, u, AF_INET);
	/* valid, bad, valid, bad, ...: the valid ones must all come. */
	for (r = 0; r < ROUNDS; r++) {
		for (k = 0; k < NBAD; k++) {
			len = ut_build(buf, 9, seq++, 6, 0);
			ut_send(&d, buf, len);
			memset(buf, 0xab, sizeof(buf));
			len = ut_build(buf, 9, 1000000, 6, 0);
			bads[k].mangle(buf, &len);
			ut_send(&d, buf, len);
			if (bads[k].reason < 0)
				trunc++;
			else
				want[bads[k].reason]++;
		}
		expect_valid(u, NBAD, r * NBAD, 1);
	}
	ut_stats(u, &st);
	T_EQ(st.packets, ROUNDS * NBAD);
	T_EQ(st.short_hdr, want[EDGEAI_UDP_SHORT]);
	T_EQ(st.bad_magic, want[EDGEAI_UDP_BAD_MAGIC]);
	T_EQ(st.bad_field, want[EDGEAI_UDP_BAD_FIELD]);
	T_EQ(st.bad_length, want[EDGEAI_UDP_BAD_LENGTH]);
	T_EQ(st.truncated, trunc);
	T_EQ(st.untagged, 0);
	T_EQ(st.held, 0);
	T_EQ(st.socket_drops, 0);
	close(d.fd);
	edgeai_udp_close(u);
}

/*
 * 4 buffers, 8 invalid datagrams, then a valid one: the kernel fills all
 * 4 with invalid ones and the multishot request ends for lack of buffers.
 * The receive must hand them back and re-arm before it waits, so the
 * valid datagram comes at once, not after the timeout.
 */
static void bad_run(uint32_t mode)
{
	static uint8_t buf[256];
	struct edgeai_udp_pkt pkt;
	struct edgeai_udp *u;
	struct ut_dst d;
	uint64_t t0, ms;
	uint32_t seq;
	size_t len;
	int i, n;

	u = ut_open(AF_INET, mode, 4, 0);
	ut_dst_open(&d, u, AF_INET);
	for (i = 0; i < 8; i++) {
		len = ut_build(buf, 9, 1000000, 6, 0);
		buf[3] = 'X';		/* bad magic */
		ut_send(&d, buf, len);
	}
	ut_send(&d, buf, ut_build(buf, 9, 77, 6, 0));
	usleep(20000);			/* all queued before we look */
	t0 = ut_now_ns();
	n = edgeai_udp_recv(u, &pkt, 1, 3000);
	ms = (ut_now_ns() - t0) / 1000000;
	printf("%s: the valid datagram after 8 invalid ones in 4 buffers: %d after %llu ms\n",
	       edgeai_udp_mode_name(mode), n, (unsigned long long)ms);
	T_EQ(n, 1);
	if (n == 1) {
		memcpy(&seq, &pkt.hdr->seq, sizeof(seq));
		T_EQ(seq, 77);
		T_EQ(edgeai_udp_release(u, &pkt, 1), 0);
	}
	T_CHECK(ms < 1000);
	close(d.fd);
	edgeai_udp_close(u);
}

static void tags(uint32_t mode)
{
	static const uint32_t tag[] = {
		0, EDGEAI_TAG_MAKE(1, 2, 3), 0x00030201, 0x7fffffff,
		EDGEAI_TAG_FILTERED,
	};
	struct edgeai_udp_pkt pkts[8];
	struct edgeai_udp_stats st;
	struct edgeai_udp *u;
	struct ut_dst d;
	uint8_t buf[64];
	uint32_t i, got = 0;
	int n;

	u = ut_open(AF_INET6, mode, NBUFS, 1);
	ut_dst_open(&d, u, AF_INET6);
	for (i = 0; i < 5; i++)
		ut_send(&d, buf, ut_build(buf, 5, i, 4, tag[i]));
	while ((n = edgeai_udp_recv(u, pkts, 8, 200)) > 0) {
		for (i = 0; i < (uint32_t)n; i++, got++)
			T_CHECK(pkts[i].hdr->tag & EDGEAI_TAG_FILTERED);
		edgeai_udp_release(u, pkts, (uint32_t)n);
	}
	T_EQ(n, 0);
	T_EQ(got, 2);
	ut_stats(u, &st);
	T_EQ(st.untagged, 3);
	T_EQ(st.packets, 2);
	close(d.fd);
	edgeai_udp_close(u);
}

static const char *sensorgen(void)
{
	static char path[4096];
	const char *b = getenv("EDGEAI_BUILD");

	snprintf(path, sizeof(path), "%s/edgeai-sensorgen", b ? b : "build");
	return path;
}

/* edgeai-sensorgen's mix, as tests/unit/sensorgen.sh sends it. */
static void sensorgen_mix(uint32_t mode)
{
	posix_spawn_file_actions_t fa;
	char dst[64], *argv[8];
	struct edgeai_udp_pkt pkts[8];
	struct edgeai_udp_stats st;
	struct edgeai_udp *u;
	int n, status, valid = 0;
	pid_t pid;

	if (access(sensorgen(), X_OK)) {
		T_FAILF("no %s: run make", sensorgen());
		return;
	}
	u = ut_open(AF_INET, mode, 128, 0);
	snprintf(dst, sizeof(dst), "127.0.0.1:%d", edgeai_udp_port(u));
	argv[0] = (char *)sensorgen();
	argv[1] = "send";
	argv[2] = "--dst";
	argv[3] = dst;
	argv[4] = "--mix";
	argv[5] = "valid=11:20,unknown=12:5,burst=13:7,badmagic=3,"
		  "badversion=2,badflags=11:3,baddtype=4,countbig=2,"
		  "shortlen=11:2,longlen=2,truncated=6,other=3";
	argv[6] = NULL;
	T_ASSERT(posix_spawn_file_actions_init(&fa) == 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	T_ASSERT(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) == 0);
	posix_spawn_file_actions_destroy(&fa);
	T_ASSERT(waitpid(pid, &status, 0) == pid);
	T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	while ((n = edgeai_udp_recv(u, pkts, 8, 200)) > 0) {
		valid += n;
		edgeai_udp_release(u, pkts, (uint32_t)n);
	}
	ut_stats(u, &st);
	T_EQ(valid, 20 + 5 + 7);	/* "other" went to PORT+1 */
	T_EQ(st.short_hdr, 6);
	T_EQ(st.bad_magic, 3 + 2);
	T_EQ(st.bad_field, 3 + 4 + 2);
	T_EQ(st.bad_length, 2 + 2);
	edgeai_udp_close(u);
}

int main(void)
{
	size_t m;

	for (m = 0; m < UT_NMODES; m++) {
		kinds(ut_modes[m]);
		bad_run(ut_modes[m]);
		tags(ut_modes[m]);
		sensorgen_mix(ut_modes[m]);
	}
	return t_done();
}
