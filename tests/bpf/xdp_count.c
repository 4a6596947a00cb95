// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai_filter XDP program through its libbpf skeleton and
 * BPF_PROG_TEST_RUN: crafted frames are passed untouched and counted per
 * protocol, exactly.
 */
#include <errno.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "edgeai_filter.h"
#include "edgeai_filter.skel.h"
#include "edgeai_test.h"

static int run(int prog_fd, const void *pkt, size_t len, int repeat)
{
	unsigned char out[256];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = pkt,
		.data_size_in = len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = repeat,
	);
	int ret = bpf_prog_test_run_opts(prog_fd, &opts);

	if (ret)
		return ret;
	T_EQ(opts.retval, XDP_PASS);
	T_EQ(opts.data_size_out, len);
	T_CHECK(!memcmp(out, pkt, len));
	return 0;
}

static void sum(int map_fd, __u32 idx, __u64 *pkts, __u64 *bytes)
{
	int n = libbpf_num_possible_cpus(), i;
	struct edgeai_pkt_counter vals[n];

	*pkts = *bytes = 0;
	T_ASSERT(bpf_map_lookup_elem(map_fd, &idx, vals) == 0);
	for (i = 0; i < n; i++) {
		*pkts += vals[i].packets;
		*bytes += vals[i].bytes;
	}
}

static void frame(unsigned char *buf, size_t len, __u16 proto)
{
	struct ethhdr *eth = (struct ethhdr *)buf;

	memset(buf, 0xa5, len);
	eth->h_proto = htons(proto);
}

int main(void)
{
	unsigned char v4[60], v6[80], arp[42], runt[10];
	struct edgeai_filter *skel;
	__u64 p, b;
	int fd, map, ret;

	skel = edgeai_filter__open_and_load();
	if (!skel) {
		if (errno == EPERM)
			t_skip("loading BPF needs CAP_BPF (run as root)");
		T_ASSERT(skel);
	}
	fd = bpf_program__fd(skel->progs.edgeai_xdp);
	map = bpf_map__fd(skel->maps.edgeai_pkt_stats);

	frame(v4, sizeof(v4), ETH_P_IP);
	frame(v6, sizeof(v6), ETH_P_IPV6);
	frame(arp, sizeof(arp), ETH_P_ARP);
	memset(runt, 0, sizeof(runt));

	ret = run(fd, v4, sizeof(v4), 7);
	T_EQ(ret, 0);
	T_EQ(run(fd, v6, sizeof(v6), 3), 0);
	T_EQ(run(fd, arp, sizeof(arp), 2), 0);
	/* Too short for Ethernet: the kernel refuses it before the program. */
	T_CHECK(run(fd, runt, sizeof(runt), 1) != 0);

	sum(map, EDGEAI_PKT_IPV4, &p, &b);
	T_EQ(p, 7);
	T_EQ(b, 7 * sizeof(v4));
	sum(map, EDGEAI_PKT_IPV6, &p, &b);
	T_EQ(p, 3);
	T_EQ(b, 3 * sizeof(v6));
	sum(map, EDGEAI_PKT_OTHER, &p, &b);
	T_EQ(p, 2);
	sum(map, EDGEAI_PKT_ALL, &p, &b);
	T_EQ(p, 12);
	T_EQ(b, 7 * sizeof(v4) + 3 * sizeof(v6) + 2 * sizeof(arp));

	edgeai_filter__destroy(skel);
	return t_done();
}
