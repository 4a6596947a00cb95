// SPDX-License-Identifier: GPL-2.0
/*
 * The UDP source allocates nothing after open: receiving, validating,
 * recycling invalid datagrams, running out of buffers and re-arming,
 * releasing, timeouts and stats, in both modes, while a counting malloc
 * hook is installed (the sanitizer allocator's, as in stage_noalloc.c:
 * the unit lane is built with AddressSanitizer). A malloc() made on
 * purpose inside the counted region shows the counter works.
 */
#include "udp_test.h"

#include "malloc_count.h"

#define ROUNDS	200
#define BURST	24	/* more than the 16 buffers: no-buffer stops */

static void run(uint32_t mode)
{
	struct edgeai_udp *u = ut_open(AF_INET6, mode, 16, 0);
	struct edgeai_udp_pkt pkts[16];
	struct edgeai_udp_stats st;
	struct ut_dst d;
	uint8_t buf[256];
	uint32_t r, i, got = 0;
	size_t len;
	int n;

	ut_dst_open(&d, u, AF_INET6);
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < BURST; i++) {
			len = ut_build(buf, 2, r * BURST + i, 8, 0);
			if (i % 5 == 4)
				buf[4] = 9;	/* bad version */
			ut_send(&d, buf, len);
		}
		counting = 1;
		while ((n = edgeai_udp_recv(u, pkts, 16, r % 2 ? 0 : 20)) > 0) {
			got += (uint32_t)n;
			edgeai_udp_release(u, pkts, (uint32_t)n);
		}
		ut_stats(u, &st);
		counting = 0;
	}
	T_EQ(mallocs, 0);
	T_EQ(got + st.bad_magic + st.socket_drops, ROUNDS * BURST);
	T_CHECK(got > 0 && st.bad_magic > 0);
	close(d.fd);
	edgeai_udp_close(u);
}

int main(void)
{
	void *p;
	size_t m;

	if (!__sanitizer_install_malloc_and_free_hooks)
		t_skip("not built with a sanitizer allocator");
	__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
	counting = 1;
	p = malloc(16);
	counting = 0;
	free(p);
	T_ASSERT(mallocs == 1);
	mallocs = 0;
	for (m = 0; m < UT_NMODES; m++)
		run(ut_modes[m]);
	return t_done();
}
