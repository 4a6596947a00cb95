// SPDX-License-Identifier: GPL-2.0
/*
 * UDP source API contract: bad address specs and options fail with
 * -EINVAL and say why, timeouts return 0 on time, the pollable fd,
 * -ENOBUFS when the caller holds every buffer, releasing what is not
 * held, SO_REUSEPORT, ":PORT" taking IPv4 and IPv6, partial stats,
 * forced modes, and the one-thread rule of DEFER_TASKRUN.
 */
#include <poll.h>
#include <pthread.h>

#include "udp_test.h"

static void bad_specs(void)
{
	static const char *const specs[] = {
		"", "4747", ":", ":-1", ":65536", ":47x", "127.0.0.1",
		"127.0.0.1:", "localhost:4747", "::1:4747", "[::1]", "[::1]4747",
		"[]:4747", "[127.0.0.1]:4747", "1.2.3.4.5:1", "[::1:4747",
		"[fe80::1%nosuchif0]:4747",
	};
	struct edgeai_udp_opts o = { .sz = sizeof(o) };
	struct edgeai_udp *u = (void *)1;
	char err[256];
	size_t i;

	o.errbuf = err;
	o.errbuf_len = sizeof(err);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		err[0] = '\0';
		T_ERRNO(edgeai_udp_open(specs[i], &o, &u), EINVAL);
		if (!strstr(err, "bad address") || !strstr(err, specs[i]))
			T_FAILF("spec \"%s\": message \"%s\"", specs[i], err);
	}
	T_CHECK(u == (void *)1);	/* untouched on failure */
	T_ERRNO(edgeai_udp_open(NULL, &o, &u), EINVAL);
	T_ERRNO(edgeai_udp_open(":0", &o, NULL), EINVAL);
	/* A tiny errbuf is cut, never overrun; none at all is fine. */
	o.errbuf_len = 4;
	T_ERRNO(edgeai_udp_open("nope", &o, &u), EINVAL);
	T_EQ(strlen(err), 3);
	T_ERRNO(edgeai_udp_open("nope", NULL, &u), EINVAL);
}

static void bad_opts(void)
{
	struct {
		const char *what, *msg;
		struct edgeai_udp_opts o;
	} cases[] = {
		{ "nbufs 3", "nbufs", { .nbufs = 3 } },
		{ "nbufs 1", "nbufs", { .nbufs = 1 } },
		{ "nbufs 65536", "nbufs", { .nbufs = 65536 } },
		{ "buf_size 1024", "buf_size", { .buf_size = 1024 } },
		{ "buf_size 2050", "buf_size", { .buf_size = 2050 } },
		{ "buf_size 128k", "buf_size", { .buf_size = 131072 } },
		{ "mode 3", "mode", { .mode = 3 } },
		{ "reserved", "reserved", { .reserved = { 0, 0, 1 } } },
	};
	struct {
		struct edgeai_udp_opts o;
		uint64_t more;
	} big;
	struct edgeai_udp *u;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cases[i].o.sz = sizeof(cases[i].o);
		cases[i].o.errbuf = err;
		cases[i].o.errbuf_len = sizeof(err);
		err[0] = '\0';
		T_ERRNO(edgeai_udp_open(":0", &cases[i].o, &u), EINVAL);
		if (!strstr(err, cases[i].msg))
			T_FAILF("%s: message \"%s\"", cases[i].what, err);
	}
	/* A newer caller's larger struct: fine if the tail is zero. */
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	T_EQ(edgeai_udp_open("127.0.0.1:0", &big.o, &u), 0);
	edgeai_udp_close(u);
	big.more = 1;
	T_ERRNO(edgeai_udp_open("127.0.0.1:0", &big.o, &u), E2BIG);
	big.o.sz = 0;
	T_ERRNO(edgeai_udp_open("127.0.0.1:0", &big.o, &u), EINVAL);
}

static void timeouts(uint32_t mode)
{
	struct edgeai_udp *u = ut_open(AF_INET, mode, 8, 0);
	struct edgeai_udp_pkt p;
	struct pollfd pfd;
	struct ut_dst d;
	uint8_t buf[64];
	uint64_t t0, ms;

	t0 = ut_now_ns();
	T_EQ(edgeai_udp_recv(u, &p, 1, 0), 0);
	T_EQ(edgeai_udp_recv(u, &p, 0, 1000), 0);	/* max 0: no wait */
	T_CHECK(ut_now_ns() - t0 < 50000000ull);
	t0 = ut_now_ns();
	T_EQ(edgeai_udp_recv(u, &p, 1, 150), 0);
	ms = (ut_now_ns() - t0) / 1000000;
	if (ms < 145 || ms > 1000)
		T_FAILF("%s: a 150 ms timeout took %llu ms",
			edgeai_udp_mode_name(mode), (unsigned long long)ms);

	/* The fd: quiet when idle, readable once a datagram waits. */
	pfd.fd = edgeai_udp_fd(u);
	pfd.events = POLLIN;
	T_CHECK(pfd.fd >= 0);
	T_EQ(poll(&pfd, 1, 0), 0);
	ut_dst_open(&d, u, AF_INET);
	ut_send(&d, buf, ut_build(buf, 1, 77, 2, 0));
	T_EQ(poll(&pfd, 1, 1000), 1);
	T_EQ(edgeai_udp_recv(u, &p, 1, 0), 1);
	T_EQ(p.hdr->seq, 77);
	T_EQ(edgeai_udp_release(u, &p, 1), 0);
	close(d.fd);
	edgeai_udp_close(u);
}

static void ownership(uint32_t mode)
{
	struct edgeai_udp *u = ut_open(AF_INET, mode, 4, 0);
	struct edgeai_udp_pkt p[4], extra, fake;
	struct edgeai_udp_stats st;
	struct ut_dst d;
	uint8_t buf[64];
	int i, n = 0;

	ut_dst_open(&d, u, AF_INET);
	for (i = 0; i < 6; i++)
		ut_send(&d, buf, ut_build(buf, 1, (uint32_t)i, 2, 0));
	while (n < 4) {
		i = edgeai_udp_recv(u, p + n, (uint32_t)(4 - n), 1000);
		T_ASSERT(i > 0);
		n += i;
	}
	/* All 4 buffers are the caller's: nothing to receive into. */
	T_ERRNO(edgeai_udp_recv(u, &extra, 1, 0), ENOBUFS);
	ut_stats(u, &st);
	T_EQ(st.held, 4);
	T_EQ(edgeai_udp_release(u, &p[2], 1), 0);
	T_ERRNO(edgeai_udp_release(u, &p[2], 1), EINVAL);	/* twice */
	fake = p[0];
	fake.buf_id = 4;
	T_ERRNO(edgeai_udp_release(u, &fake, 1), EINVAL);	/* no such */
	T_ERRNO(edgeai_udp_release(NULL, p, 1), EINVAL);
	T_EQ(edgeai_udp_release(u, NULL, 0), 0);
	/* The freed buffer takes the next datagram; the rest are intact. */
	T_EQ(edgeai_udp_recv(u, &extra, 1, 1000), 1);
	T_EQ(extra.hdr->seq, 4);
	T_EQ(extra.buf_id, p[2].buf_id);
	T_EQ(p[0].hdr->seq, 0);
	T_EQ(p[3].hdr->seq, 3);
	/* A bad entry in the middle: the others are still released. */
	p[2] = fake;
	T_ERRNO(edgeai_udp_release(u, p, 4), EINVAL);
	T_EQ(edgeai_udp_release(u, &extra, 1), 0);
	T_EQ(edgeai_udp_recv(u, &extra, 1, 1000), 1);
	T_EQ(extra.hdr->seq, 5);
	T_EQ(edgeai_udp_release(u, &extra, 1), 0);
	ut_stats(u, &st);
	T_EQ(st.held, 0);
	T_EQ(st.packets, 6);
	T_EQ(st.mode, mode);
	close(d.fd);
	edgeai_udp_close(u);
}

static void ports_and_stats(void)
{
	struct edgeai_udp_opts o = { .sz = sizeof(o) };
	struct edgeai_udp *a, *b;
	struct edgeai_udp_stats st;
	char spec[32];
	size_t small;

	T_EQ(edgeai_udp_open("127.0.0.1:0", &o, &a), 0);
	T_CHECK(edgeai_udp_port(a) > 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", edgeai_udp_port(a));
	T_ERRNO(edgeai_udp_open(spec, &o, &b), EADDRINUSE);
	edgeai_udp_close(a);
	o.reuseport = 1;
	T_EQ(edgeai_udp_open("127.0.0.1:0", &o, &a), 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", edgeai_udp_port(a));
	T_EQ(edgeai_udp_open(spec, &o, &b), 0);
	ut_stats(b, &st);
	T_CHECK(st.features & EDGEAI_UDP_FEAT_REUSEPORT);
	edgeai_udp_close(b);
	/* An older, shorter stats struct gets only what it has room for. */
	small = offsetof(struct edgeai_udp_stats, packets);
	memset(&st, 0xee, sizeof(st));
	st.sz = small;
	T_EQ(edgeai_udp_stats(a, &st), 0);
	T_EQ(st.sz, small);
	T_CHECK(st.mode == EDGEAI_UDP_MODE_MULTISHOT ||
		st.mode == EDGEAI_UDP_MODE_RECVMMSG);
	T_EQ(st.packets, 0xeeeeeeeeeeeeeeeeull);
	st.sz = 0;
	T_ERRNO(edgeai_udp_stats(a, &st), EINVAL);
	T_ERRNO(edgeai_udp_stats(NULL, &st), EINVAL);
	edgeai_udp_close(a);
	edgeai_udp_close(NULL);
	T_ERRNO(edgeai_udp_port(NULL), EINVAL);
	T_ERRNO(edgeai_udp_fd(NULL), EINVAL);
	T_ERRNO(edgeai_udp_recv(NULL, &(struct edgeai_udp_pkt){ 0 }, 1, 0),
		EINVAL);
	T_STREQ(edgeai_udp_mode_name(EDGEAI_UDP_MODE_MULTISHOT), "multishot");
	T_STREQ(edgeai_udp_mode_name(EDGEAI_UDP_MODE_RECVMMSG), "recvmmsg");
	T_STREQ(edgeai_udp_mode_name(EDGEAI_UDP_MODE_AUTO), "auto");
	T_CHECK(edgeai_udp_mode_name(3) == NULL);
}

/* ":PORT" is every address: a datagram over IPv4 and one over IPv6. */
static void dual_stack(uint32_t mode)
{
	struct edgeai_udp_opts o = { .sz = sizeof(o), .mode = mode };
	struct edgeai_udp_pkt p[2];
	struct edgeai_udp *u;
	struct ut_dst d4, d6;
	uint8_t buf[64];
	int n = 0, i;

	T_ASSERT(edgeai_udp_open(":0", &o, &u) == 0);
	ut_dst_open(&d4, u, AF_INET);
	ut_dst_open(&d6, u, AF_INET6);
	ut_send(&d4, buf, ut_build(buf, 4, 0, 1, 0));
	ut_send(&d6, buf, ut_build(buf, 6, 0, 1, 0));
	while (n < 2 && (i = edgeai_udp_recv(u, p + n, 2 - n, 1000)) > 0)
		n += i;
	T_EQ(n, 2);
	for (i = 0; i < n; i++) {
		T_EQ(p[i].src->sa_family, AF_INET6);	/* v4 is mapped */
		T_EQ(p[i].hdr->sensor_id, i ? 6 : 4);
	}
	edgeai_udp_release(u, p, (uint32_t)n);
	close(d4.fd);
	close(d6.fd);
	edgeai_udp_close(u);
}

static void *recv_elsewhere(void *arg)
{
	struct edgeai_udp_pkt p;

	return (void *)(intptr_t)edgeai_udp_recv(arg, &p, 1, 0);
}

static int recv_on_thread(struct edgeai_udp *u)
{
	pthread_t th;
	void *ret;

	T_ASSERT(pthread_create(&th, NULL, recv_elsewhere, u) == 0);
	pthread_join(th, &ret);
	return (int)(intptr_t)ret;
}

/* DEFER_TASKRUN binds the source to its opener; any_thread lifts that. */
static void threads(void)
{
	struct edgeai_udp_opts o = { .sz = sizeof(o) };
	struct edgeai_udp_stats st;
	struct edgeai_udp *u;

	T_ASSERT(edgeai_udp_open("127.0.0.1:0", &o, &u) == 0);
	ut_stats(u, &st);
	if (st.mode == EDGEAI_UDP_MODE_MULTISHOT &&
	    (st.features & EDGEAI_UDP_FEAT_DEFER_TASKRUN))
		T_ERRNO(recv_on_thread(u), EEXIST);
	edgeai_udp_close(u);
	o.any_thread = 1;
	T_ASSERT(edgeai_udp_open("127.0.0.1:0", &o, &u) == 0);
	ut_stats(u, &st);
	T_CHECK(!(st.features & EDGEAI_UDP_FEAT_DEFER_TASKRUN));
	T_EQ(recv_on_thread(u), 0);
	edgeai_udp_close(u);
}

int main(void)
{
	size_t m;

	bad_specs();
	bad_opts();
	for (m = 0; m < UT_NMODES; m++) {
		timeouts(ut_modes[m]);
		ownership(ut_modes[m]);
		dual_stack(ut_modes[m]);
	}
	ports_and_stats();
	threads();
	return t_done();
}
