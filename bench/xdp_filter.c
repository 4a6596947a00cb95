// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_filter - benchmarks of the edgeai XDP sensor filter.
 *
 *   xdp_filter testrun [REPS] [REPEAT]
 *	ns/packet through BPF_PROG_TEST_RUN with repeat, for a valid sensor
 *	packet (tagged), junk (bad magic: dropped) and other UDP (passed),
 *	against a 2-instruction XDP program that only returns XDP_PASS.
 *	Prints benchmark rows as JSON lines.
 *   xdp_filter send IFACE DST_MAC SECONDS
 *	send junk sensor frames (bad magic, 64 bytes of UDP payload,
 *	10.77.0.2 -> 10.77.0.1:4747, valid checksums) on a packet socket with
 *	sendmmsg() batches of 64 for SECONDS, bypassing the qdisc: the
 *	cheapest sender there is, so that the receiving side is what is
 *	measured. Prints what it sent.
 *   xdp_filter xdp-drop DEV SECONDS
 *	attach the filter to DEV (native XDP), and after a warm-up count
 *	the junk it drops in SECONDS. Prints {"pps": ...}.
 *   xdp_filter user-drop PORT SECONDS recvfrom|recvmmsg
 *	receive on UDP PORT and apply the same rules in userspace
 *	(user_filter.h), one recvfrom() per packet or recvmmsg() of 64.
 *
 * Every mode checks what it measured: the filter's verdicts and tags in
 * testrun, and that all junk was classified bad_header by both paths.
 */
#include <errno.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "edgeai/wire.h"
#include "edgeai_filter.h"
#include "edgeai_filter.skel.h"
#include "user_filter.h"

#define SENSOR_ID	7
#define ELEMS		8	/* f32: 32 + 32 = 64 bytes of UDP payload */
#define BATCH		64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "xdp_filter: %s: %s\n", what, strerror(err));
	exit(1);
}

/* The UDP payload of a sensor packet; @junk breaks the magic. */
static size_t wire(unsigned char *p, int junk, __u32 seq, __u32 sensor)
{
	struct edgeai_wire_hdr h = {
		.magic = junk ? 0xdeadbeef : EDGEAI_WIRE_MAGIC,
		.version = EDGEAI_WIRE_VERSION,
		.dtype = EDGEAI_DTYPE_F32,
		.sensor_id = sensor,
		.seq = seq,
		.count = ELEMS,
	};
	float v[ELEMS];
	int i;

	for (i = 0; i < ELEMS; i++)
		v[i] = (float)(seq + i);
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), v, sizeof(v));
	return sizeof(h) + sizeof(v);
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __u32 csum_add(__u32 sum, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] | (__u32)p[i + 1] << 8;
	if (len & 1)
		sum += p[len - 1];
	return sum;
}

/* Ethernet + IPv4 + UDP to @port around a payload from wire(). */
static size_t frame(unsigned char *f, __u16 port, int junk, __u32 sensor)
{
	struct ethhdr *eth = (void *)f;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	size_t plen = wire((unsigned char *)(udp + 1), junk, 1, sensor);
	__u32 sum;

	memset(eth, 0, sizeof(*eth));
	eth->h_proto = htons(ETH_P_IP);
	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*udp) + plen);
	ip->saddr = htonl(0x0a4d0002);
	ip->daddr = htonl(0x0a4d0001);
	ip->check = csum_fold(csum_add(0, ip, sizeof(*ip)));
	udp->source = htons(40000);
	udp->dest = htons(port);
	udp->len = htons(sizeof(*udp) + plen);
	udp->check = 0;
	sum = csum_add(0, &ip->saddr, 8);
	sum += htons(IPPROTO_UDP) + udp->len;
	sum = csum_add(sum, udp, sizeof(*udp) + plen);
	udp->check = csum_fold(sum) ? csum_fold(sum) : 0xffff;
	return sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + plen;
}

static int pass_only_prog(void)
{
	struct bpf_insn insns[] = {
		/* r0 = XDP_PASS; exit */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "xdp_pass_only", "GPL", insns,
			     2, NULL);
}

/* Average ns per run of @fd on @pkt; checks the verdict. */
static double run_ns(int fd, const unsigned char *pkt, size_t len, int repeat,
		     __u32 want, unsigned char *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = pkt, .data_size_in = len,
		.data_out = out, .data_size_out = 2048,
		.repeat = repeat);
	int err = bpf_prog_test_run_opts(fd, &o);

	if (err)
		die("BPF_PROG_TEST_RUN", -err);
	if (o.retval != want) {
		fprintf(stderr, "xdp_filter: verdict %u, expected %u\n",
			o.retval, want);
		exit(1);
	}
	return o.duration;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median into *med, relative spread (max - min) / median returned. */
static double stats(double *v, int n, double *med)
{
	qsort(v, n, sizeof(*v), cmp_d);
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return *med > 0 ? (v[n - 1] - v[0]) / *med : 0;
}

static void row(const char *group, const char *name, double ours,
		double base, const char *base_name, const char *unit,
		const char *better, int reps, double spread)
{
	double ratio = strcmp(better, "lower") ? ours / base : base / ours;

	printf("{\"group\": \"%s\", \"name\": \"%s\", \"ours\": %.3f, "
	       "\"baseline\": %.3f, \"baseline_name\": \"%s\", \"unit\": \"%s\", "
	       "\"ratio\": %.4f, \"better\": \"%s\", \"reps\": %d, "
	       "\"spread\": %.4f, \"floor\": true}\n", group, name, ours, base,
	       base_name, unit, ratio, better, reps, spread);
}

static int testrun(int reps, int repeat)
{
	static const struct {
		const char *name;
		__u16 port;
		int junk;
		__u32 sensor;
		__u32 verdict;
	} cases[] = {
		{ "valid sensor packet (tagged, passed)",
		  EDGEAI_WIRE_DEFAULT_PORT, 0, SENSOR_ID, XDP_PASS },
		{ "valid packet of a rate-limited sensor (token taken)",
		  EDGEAI_WIRE_DEFAULT_PORT, 0, SENSOR_ID + 1, XDP_PASS },
		{ "junk sensor packet (bad magic, dropped)",
		  EDGEAI_WIRE_DEFAULT_PORT, 1, SENSOR_ID, XDP_DROP },
		{ "other UDP (not sensor traffic, untouched)",
		  EDGEAI_WIRE_DEFAULT_PORT + 1, 0, SENSOR_ID, XDP_PASS },
	};
	/* Sensor 8's bucket is deep enough never to run dry here. */
	struct edgeai_sensor s = { .burst = 1, .class = 3, .pipeline = 1 };
	struct edgeai_sensor lim = {
		.rate_pps = EDGEAI_FILTER_MAX_RATE,
		.burst = EDGEAI_FILTER_MAX_BURST,
		.tokens = EDGEAI_FILTER_MAX_BURST * 1000000000ull,
		.class = 3, .pipeline = 1,
	};
	unsigned char pkt[256], out[2048];
	struct edgeai_filter *skel;
	double ours[64], base[64], mo, mb, so, sb;
	__u32 id = SENSOR_ID, id2 = SENSOR_ID + 1;
	size_t len;
	int pass_fd, fd, i, r;

	if (reps > 64)
		reps = 64;
	skel = edgeai_filter__open_and_load();
	if (!skel)
		die("loading the filter", errno);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.edgeai_sensors), &id,
				&s, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.edgeai_sensors), &id2,
				&lim, BPF_ANY))
		die("adding the sensors", errno);
	pass_fd = pass_only_prog();
	if (pass_fd < 0)
		die("loading the pass-only program", errno);
	fd = bpf_program__fd(skel->progs.edgeai_xdp);

	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		len = frame(pkt, cases[i].port, cases[i].junk, cases[i].sensor);
		for (r = 0; r < reps; r++) {
			ours[r] = run_ns(fd, pkt, len, repeat,
					 cases[i].verdict, out);
			base[r] = run_ns(pass_fd, pkt, len, repeat, XDP_PASS,
					 out);
		}
		/* The filter's output must carry the tag it was told to. */
		if (i == 0) {
			struct edgeai_wire_hdr h;

			run_ns(fd, pkt, len, 1, XDP_PASS, out);
			memcpy(&h, out + 42, sizeof(h));
			if (h.tag != EDGEAI_TAG_MAKE(3, 0, 1)) {
				fprintf(stderr, "xdp_filter: tag %#x\n", h.tag);
				return 1;
			}
		}
		so = stats(ours, reps, &mo);
		sb = stats(base, reps, &mb);
		row("xdp-filter", cases[i].name, mo, mb,
		    "XDP program that only returns XDP_PASS", "ns/packet",
		    "lower", reps, so > sb ? so : sb);
	}
	close(pass_fd);
	edgeai_filter__destroy(skel);
	return 0;
}

static int sender(const char *iface, const char *mac, double secs)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_IP),
				   .sll_halen = ETH_ALEN };
	struct mmsghdr msg[BATCH];
	struct ethhdr *eth;
	struct iovec iov;
	unsigned char buf[256];
	unsigned long long sent = 0;
	int fd, i, n, one = 1;
	double end;

	sll.sll_ifindex = if_nametoindex(iface);
	if (!sll.sll_ifindex)
		die(iface, errno);
	iov.iov_base = buf;
	iov.iov_len = frame(buf, EDGEAI_WIRE_DEFAULT_PORT, 1, SENSOR_ID);
	eth = (void *)buf;
	if (sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &eth->h_dest[0],
		   &eth->h_dest[1], &eth->h_dest[2], &eth->h_dest[3],
		   &eth->h_dest[4], &eth->h_dest[5]) != 6)
		die("destination MAC", EINVAL);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || bind(fd, (void *)&sll, sizeof(sll)))
		die("packet socket", errno);
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	memset(msg, 0, sizeof(msg));
	for (i = 0; i < BATCH; i++) {
		msg[i].msg_hdr.msg_iov = &iov;
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	end = now_s() + secs;
	while (now_s() < end) {
		n = sendmmsg(fd, msg, BATCH, 0);
		if (n > 0)
			sent += n;
	}
	printf("{\"sent\": %llu, \"seconds\": %.3f}\n", sent, secs);
	close(fd);
	return 0;
}

static __u64 junk_dropped(int map_fd, __u64 *seen)
{
	int n = libbpf_num_possible_cpus(), i;
	struct edgeai_filter_stats st[n];
	__u32 key = 0;
	__u64 bad = 0;

	*seen = 0;
	if (bpf_map_lookup_elem(map_fd, &key, st))
		die("reading edgeai_stats", errno);
	for (i = 0; i < n; i++) {
		bad += st[i].bad_header;
		*seen += st[i].seen;
	}
	return bad;
}

static int xdp_drop(const char *dev, double secs)
{
	struct edgeai_filter *skel;
	__u64 b0, b1, s0, s1;
	double t0, t1;
	int ifindex = if_nametoindex(dev), err, map;

	if (!ifindex)
		die(dev, errno);
	skel = edgeai_filter__open_and_load();
	if (!skel)
		die("loading the filter", errno);
	err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.edgeai_xdp),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		die("attaching XDP (native)", -err);
	map = bpf_map__fd(skel->maps.edgeai_stats);
	usleep(300000);
	b0 = junk_dropped(map, &s0);
	t0 = now_s();
	usleep((useconds_t)(secs * 1e6));
	b1 = junk_dropped(map, &s1);
	t1 = now_s();
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	edgeai_filter__destroy(skel);
	/* Junk only on this link, apart from a little ARP/IPv6 noise. */
	printf("{\"pps\": %.1f, \"dropped\": %llu, \"seen\": %llu}\n",
	       (b1 - b0) / (t1 - t0), (unsigned long long)(b1 - b0),
	       (unsigned long long)(s1 - s0));
	return b1 > b0 ? 0 : 1;
}

static int user_drop(int port, double secs, int mmsg)
{
	static struct user_filter f;
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct timeval tv = { .tv_usec = 100000 };
	static unsigned char bufs[BATCH][2048];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	unsigned long long n = 0, bad0 = 0;
	double t0 = 0, end, start;
	int fd, i, got;

	uf_add(&f, SENSOR_ID, 0, 1, EDGEAI_TAG_MAKE(3, 0, 1));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (void *)&sa, sizeof(sa)))
		die("bind", errno);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(msg, 0, sizeof(msg));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	start = now_s();
	end = start + 0.3 + secs;
	for (;;) {
		double t = now_s();

		if (!t0 && t >= start + 0.3) {
			t0 = t;
			n = 0;
			bad0 = f.count[EDGEAI_V_BAD_HEADER];
		}
		if (t >= end)
			break;
		if (mmsg) {
			got = recvmmsg(fd, msg, BATCH, 0, NULL);
			for (i = 0; i < got; i++)
				uf_check(&f, bufs[i], msg[i].msg_len);
		} else {
			ssize_t r = recvfrom(fd, bufs[0], sizeof(bufs[0]), 0,
					     NULL, NULL);

			got = r >= 0;
			if (got)
				uf_check(&f, bufs[0], r);
		}
		if (got > 0)
			n += got;
	}
	close(fd);
	printf("{\"pps\": %.1f, \"received\": %llu, \"bad_header\": %llu}\n",
	       n / (end - t0), n, f.count[EDGEAI_V_BAD_HEADER] - bad0);
	/* Every junk packet must have been classified as the filter does. */
	return n && f.count[EDGEAI_V_BAD_HEADER] - bad0 == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	libbpf_set_print(NULL);
	if (argc >= 2 && !strcmp(argv[1], "testrun"))
		return testrun(argc > 2 ? atoi(argv[2]) : 5,
			       argc > 3 ? atoi(argv[3]) : 1000000);
	if (argc == 5 && !strcmp(argv[1], "send"))
		return sender(argv[2], argv[3], atof(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "xdp-drop"))
		return xdp_drop(argv[2], atof(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "user-drop"))
		return user_drop(atoi(argv[2]), atof(argv[3]),
				 !strcmp(argv[4], "recvmmsg"));
	fprintf(stderr, "usage: see the comment at the top of bench/xdp_filter.c\n");
	return 2;
}
