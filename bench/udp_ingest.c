// SPDX-License-Identifier: GPL-2.0
/*
 * udp_ingest - what receiving sensor datagrams costs the receiving core:
 * libedgeai's UDP source (io_uring multishot recvmsg on a buffer ring,
 * edgeai_udp_recv()) against what a user would otherwise write, in one
 * run, on the same traffic.
 *
 *   udp_ingest SECONDS REPS        JSON rows on stdout, details on stderr
 *   udp_ingest SECONDS 1 RECEIVER  one window of one receiver (profiling)
 *
 * Receivers (each validates every datagram with edgeai_udp_check(), the
 * rules of docs/protocol.md, and reads its sequence number):
 *   ours       edgeai_udp_recv(64) + edgeai_udp_release(), multishot mode
 *   fallback   the same API forced into its recvmmsg() mode
 *   recvfrom   epoll_wait(), then recvfrom() per datagram until EAGAIN
 *   recvmmsg   epoll_wait(), then recvmmsg(64) until a batch comes short
 *   ours-gro   ours with the gro option: the socket has UDP_GRO, so the
 *              kernel queues each super-packet whole, and libedgeai splits
 *              it by the segment size in its UDP_GRO control message
 *   recvmmsg-gro  the same by hand: epoll_wait(), recvmmsg(64) into 64 KiB
 *              buffers on a UDP_GRO socket, each split by its segment size
 *
 * A sender process pinned to the other CPU floods 127.0.0.1 with valid
 * 64-byte datagrams for SECONDS per window: sendmmsg() of UDP_SEGMENT
 * super-packets of 64 datagrams, the cheapest way to send; a socket
 * without UDP_GRO still gets one skb per datagram (the kernel segments
 * them as it queues them), one with UDP_GRO gets each super-packet as
 * one skb, as it would get what a NIC's GRO coalesced. The receiver is
 * kept busy (the socket drops
 * what overflows its 1 MiB buffer). The receiver (this process, pinned to CPU 0) drains
 * until the socket is quiet for 100 ms. Per window: CPU time of this
 * process (getrusage RUSAGE_SELF: the receiving thread and any io_uring
 * worker) per datagram received, and datagrams per kernel entry (syscalls
 * counted where they are made; ours from edgeai_udp_stats()).
 * Cross-check: received + the socket's drops (SO_MEMINFO) must equal what
 * the sender sent, with no invalid datagram, or the run fails. Both
 * processes run SCHED_FIFO where permitted (root). Windows
 * alternate receivers REPS times after a warm-up; rows report medians.
 *
 * Other regimes, for exploring (not in bench/run):
 *   UDP_INGEST_RATE=PPS    the sender paces one datagram per send() at PPS
 *   UDP_INGEST_DRAIN=N     the sender queues N datagrams (256 MiB socket
 *                          buffer) and exits; then the receiver drains them
 *   UDP_INGEST_SENDER_CPU=C  pin the sender to CPU C instead of 1
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sock_diag.h>

#include <edgeai/udp.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif

#define ELEMS		8			/* f32: 64-byte datagrams */
#define DGRAM		(EDGEAI_WIRE_HDR_LEN + 4 * ELEMS)
#define SEGS		64			/* datagrams per super-packet */
#define MSGS		8			/* super-packets per sendmmsg */
#define BATCH		64
#define RCVBUF		(1 << 20)
#define QUIET_MS	100
#define MAX_REPS	64

#ifndef UDP_GRO
#define UDP_GRO		104
#endif
#define GRO_BUF		65536			/* a whole coalesced skb */

enum kind { K_OURS, K_FALLBACK, K_RECVFROM, K_RECVMMSG, K_GRO, K_MMSG_GRO,
	    K_N };

static const char *const kind_name[K_N] = {
	"ours", "fallback", "recvfrom", "recvmmsg", "ours-gro", "recvmmsg-gro",
};

struct result {
	uint64_t valid, invalid, sent, drops, entries, rearms;
	double cpu_ns, wall_ns;
	uint64_t seqsum;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "udp_ingest: %s: %s\n", what, strerror(err));
	exit(1);
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
	       1000000000ull +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

/*
 * Pin to @cpu and, where permitted, run SCHED_FIFO: on a shared machine
 * other work on the CPU would otherwise preempt the receiver and pollute
 * its caches in the middle of a window (RT throttling still leaves them
 * 5%).
 */
static void pin(int cpu)
{
	struct sched_param sp = { .sched_priority = 1 };
	cpu_set_t set;

	sched_setscheduler(0, SCHED_FIFO, &sp);
	if (cpu >= sysconf(_SC_NPROCESSORS_ONLN))
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ---- sender -------------------------------------------------------------- */

static void build(uint8_t *p, uint32_t seq)
{
	struct edgeai_wire_hdr h;
	float f;
	int i;

	memset(&h, 0, sizeof(h));
	h.magic = EDGEAI_WIRE_MAGIC;
	h.version = EDGEAI_WIRE_VERSION;
	h.dtype = EDGEAI_DTYPE_F32;
	h.sensor_id = 7;
	h.seq = seq;
	h.count = ELEMS;
	memcpy(p, &h, sizeof(h));
	for (i = 0; i < ELEMS; i++) {
		f = (float)(seq + (uint32_t)i);
		memcpy(p + sizeof(h) + 4 * i, &f, 4);
	}
}

/* One sendmmsg() of MSGS super-packets of SEGS datagrams: datagrams sent. */
static uint64_t send_round(int fd, uint8_t *bufs, struct mmsghdr *mm,
			   uint32_t *seq, bool gso)
{
	uint64_t sent = 0;
	int i, n;

	for (i = 0; i < MSGS * SEGS; i++)
		build(bufs + (size_t)i * DGRAM, *seq + (uint32_t)i);
	n = sendmmsg(fd, mm, gso ? MSGS : MSGS * SEGS, 0);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++)
		sent += mm[i].msg_len / DGRAM;
	*seq += (uint32_t)sent;
	return sent;
}

static int sender_socket(uint16_t port, bool *gso)
{
	struct sockaddr_in dst = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), seg = DGRAM;
	int big = 4 << 20;

	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof(dst)))
		die("sender socket", errno);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	*gso = !setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &seg, sizeof(seg));
	return fd;
}

static double rate_pps;	/* 0: flood */
static uint64_t drain_n;	/* > 0: send this many first, then receive */
static int rcvbuf = RCVBUF;

/* Paced: one datagram per sendto() at @rate_pps, spinning in between. */
static uint64_t send_paced(int fd, uint64_t end)
{
	uint8_t buf[DGRAM];
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), sent = 0, due;

	for (;;) {
		due = t0 + (uint64_t)((double)sent * 1e9 / rate_pps);
		if (due >= end)
			return sent;
		while (now_ns(CLOCK_MONOTONIC) < due)
			;
		build(buf, (uint32_t)sent);
		if (send(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf))
			sent++;
	}
}

/* The sender process: flood for @secs, then write the count to @out. */
static void sender(uint16_t port, double secs, int out)
{
	static uint8_t bufs[MSGS * SEGS * DGRAM];
	static struct iovec iov[MSGS * SEGS];
	static struct mmsghdr mm[MSGS * SEGS];
	uint64_t sent = 0, end;
	uint32_t seq = 0;
	int fd, i, seg;
	bool gso;

	pin(getenv("UDP_INGEST_SENDER_CPU") ?
	    atoi(getenv("UDP_INGEST_SENDER_CPU")) : 1);
	fd = sender_socket(port, &gso);
	for (i = 0; i < (gso ? MSGS : MSGS * SEGS); i++) {
		/* GSO: one iovec of SEGS datagrams per message. */
		iov[i].iov_base = bufs + (size_t)i * (gso ? SEGS : 1) * DGRAM;
		iov[i].iov_len = (size_t)(gso ? SEGS : 1) * DGRAM;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	end = now_ns(CLOCK_MONOTONIC) + (uint64_t)(secs * 1e9);
	if (rate_pps > 0) {
		seg = 0;
		setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &seg, sizeof(seg));
		sent = send_paced(fd, end);
	}
	while (drain_n && sent < drain_n)
		sent += send_round(fd, bufs, mm, &seq, gso);
	while (!drain_n && rate_pps <= 0 && now_ns(CLOCK_MONOTONIC) < end)
		sent += send_round(fd, bufs, mm, &seq, gso);
	if (write(out, &sent, sizeof(sent)) != sizeof(sent))
		_exit(1);
	_exit(0);
}

/* ---- receivers ----------------------------------------------------------- */

struct rx {
	enum kind kind;
	int fd, ep;
	struct edgeai_udp *u;
	struct result *r;
};

static inline void consume(struct result *r, const void *d, size_t len)
{
	struct edgeai_wire_hdr h;

	if (edgeai_udp_check(d, len) != EDGEAI_UDP_OK) {
		r->invalid++;
		return;
	}
	memcpy(&h, d, sizeof(h));
	r->seqsum += h.seq;
	r->valid++;
}

/*
 * epoll_wait() until ready or quiet. EINTR is retried: with no handler
 * installed it still comes, when the previous window's io_uring, torn
 * down, queues task work to this task (TIF_NOTIFY_SIGNAL), and
 * epoll_wait() is not restarted like poll().
 */
static int wait_ready(struct rx *x)
{
	struct epoll_event ev;
	int n;

	do {
		x->r->entries++;
		n = epoll_wait(x->ep, &ev, 1, QUIET_MS);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/* epoll + recvfrom() per datagram: returns 0 once quiet for QUIET_MS. */
static int rx_recvfrom(struct rx *x)
{
	static uint8_t buf[2048] __attribute__((aligned(8)));
	struct sockaddr_storage src;
	socklen_t slen;
	ssize_t len;
	int n = wait_ready(x);

	if (n <= 0)
		return n;
	for (;;) {
		slen = sizeof(src);
		x->r->entries++;
		len = recvfrom(x->fd, buf, sizeof(buf), MSG_DONTWAIT,
			       (struct sockaddr *)&src, &slen);
		if (len < 0)
			return errno == EAGAIN ? 1 : -errno;
		consume(x->r, buf, (size_t)len);
	}
}

/* Point message @i of @mm at buffer @buf of @size bytes and @src. */
static void mm_init(struct mmsghdr *mm, struct iovec *iov, int i, void *buf,
		    size_t size, struct sockaddr_storage *src)
{
	iov[i].iov_base = buf;
	iov[i].iov_len = size;
	mm[i].msg_hdr.msg_iov = &iov[i];
	mm[i].msg_hdr.msg_iovlen = 1;
	mm[i].msg_hdr.msg_name = src;
}

/* epoll + recvmmsg(64) until a batch comes short. */
static int rx_recvmmsg(struct rx *x)
{
	static uint8_t bufs[BATCH][2048] __attribute__((aligned(8)));
	static struct sockaddr_storage src[BATCH];
	static struct mmsghdr mm[BATCH];
	static struct iovec iov[BATCH];
	int n = wait_ready(x), i;

	if (n <= 0)
		return n;
	for (i = 0; i < BATCH; i++)
		mm_init(mm, iov, i, bufs[i], sizeof(bufs[i]), &src[i]);
	do {
		for (i = 0; i < BATCH; i++)
			mm[i].msg_hdr.msg_namelen = sizeof(src[i]);
		x->r->entries++;
		n = recvmmsg(x->fd, mm, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0)
			return errno == EAGAIN ? 1 : -errno;
		for (i = 0; i < n; i++)
			consume(x->r, bufs[i], mm[i].msg_len);
	} while (n == BATCH);
	return 1;
}

/*
 * epoll + recvmmsg(64) on a UDP_GRO socket: each message may be several
 * datagrams of the size its UDP_GRO control message gives (the last may
 * be shorter), split and checked one by one.
 */
static int rx_recvmmsg_gro(struct rx *x)
{
	static uint8_t bufs[BATCH][GRO_BUF] __attribute__((aligned(8)));
	static uint8_t ctl[BATCH][CMSG_SPACE(sizeof(int))]
		__attribute__((aligned(8)));
	static struct sockaddr_storage src[BATCH];
	static struct mmsghdr mm[BATCH];
	static struct iovec iov[BATCH];
	int n = wait_ready(x), i, seg;
	struct cmsghdr *c;
	size_t off, len;

	if (n <= 0)
		return n;
	for (i = 0; i < BATCH; i++) {
		mm_init(mm, iov, i, bufs[i], sizeof(bufs[i]), &src[i]);
		mm[i].msg_hdr.msg_control = ctl[i];
	}
	do {
		for (i = 0; i < BATCH; i++) {
			mm[i].msg_hdr.msg_namelen = sizeof(src[i]);
			mm[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
		}
		x->r->entries++;
		n = recvmmsg(x->fd, mm, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0)
			return errno == EAGAIN ? 1 : -errno;
		for (i = 0; i < n; i++) {
			len = mm[i].msg_len;
			seg = (int)len;
			for (c = CMSG_FIRSTHDR(&mm[i].msg_hdr); c;
			     c = CMSG_NXTHDR(&mm[i].msg_hdr, c))
				if (c->cmsg_level == SOL_UDP &&
				    c->cmsg_type == UDP_GRO)
					memcpy(&seg, CMSG_DATA(c), sizeof(seg));
			if (seg <= 0)
				seg = (int)len;
			for (off = 0; off < len; off += (size_t)seg)
				consume(x->r, bufs[i] + off,
					len - off < (size_t)seg ? len - off :
					(size_t)seg);
		}
	} while (n == BATCH);
	return 1;
}

/* libedgeai: one edgeai_udp_recv() per batch, validated already. */
static int rx_ours(struct rx *x)
{
	static struct edgeai_udp_pkt pkts[BATCH];
	int n = edgeai_udp_recv(x->u, pkts, BATCH, QUIET_MS), i;

	if (n == -EINTR)	/* as in wait_ready(): not quiet, again */
		return 1;

	for (i = 0; i < n; i++) {
		uint32_t seq;

		/* (with gro a header need not be aligned) */
		memcpy(&seq, &pkts[i].hdr->seq, sizeof(seq));
		x->r->seqsum += seq;
		x->r->valid++;
	}
	if (n > 0)
		edgeai_udp_release(x->u, pkts, (uint32_t)n);
	return n;
}

static uint64_t sock_drops(int fd)
{
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len))
		die("SO_MEMINFO", errno);
	return mem[SK_MEMINFO_DROPS];
}

static void rx_open(struct rx *x)
{
	struct edgeai_udp_opts o = { .sz = sizeof(o), .nbufs = 4096,
				     .rcvbuf = (uint32_t)rcvbuf };
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct epoll_event ev = { .events = EPOLLIN };
	int v = rcvbuf, ret;

	if (x->kind == K_OURS || x->kind == K_FALLBACK || x->kind == K_GRO) {
		o.mode = x->kind == K_FALLBACK ? EDGEAI_UDP_MODE_RECVMMSG :
			 EDGEAI_UDP_MODE_MULTISHOT;
		if (x->kind == K_GRO) {
			/* defaults: 64 buffers of 64 KiB */
			o.gro = 1;
			o.nbufs = 0;
		}
		ret = edgeai_udp_open("127.0.0.1:0", &o, &x->u);
		if (ret)
			die("edgeai_udp_open", -ret);
		return;
	}
	x->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (x->fd < 0 ||
	    (setsockopt(x->fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) &&
	     setsockopt(x->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v))) ||
	    bind(x->fd, (struct sockaddr *)&a, sizeof(a)))
		die("receiver socket", errno);
	v = 1;
	if (x->kind == K_MMSG_GRO &&
	    setsockopt(x->fd, SOL_UDP, UDP_GRO, &v, sizeof(v)))
		die("UDP_GRO", errno);
	x->ep = epoll_create1(0);
	ev.data.fd = x->fd;
	if (x->ep < 0 || epoll_ctl(x->ep, EPOLL_CTL_ADD, x->fd, &ev))
		die("epoll", errno);
}

static uint16_t rx_port(struct rx *x)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (x->u)
		return (uint16_t)edgeai_udp_port(x->u);
	getsockname(x->fd, (struct sockaddr *)&a, &len);
	return ntohs(a.sin_port);
}

static void rx_close(struct rx *x)
{
	struct edgeai_udp_stats st = { .sz = sizeof(st) };

	if (x->u) {
		edgeai_udp_stats(x->u, &st);
		if (x->kind == K_GRO && !(st.features & EDGEAI_UDP_FEAT_GRO))
			die("ours-gro: UDP_GRO is not on", EOPNOTSUPP);
		x->r->drops = st.socket_drops;
		x->r->entries = st.kernel_entries;
		x->r->invalid = st.short_hdr + st.bad_magic + st.bad_field +
				st.bad_length + st.truncated;
		x->r->rearms = st.rearms;
		edgeai_udp_close(x->u);
		return;
	}
	x->r->drops = sock_drops(x->fd);
	close(x->ep);
	close(x->fd);
}

/*
 * The socket counts the skbs it dropped. On a UDP_GRO socket each is a
 * whole super-packet, and the flood's super-packets are all full: SEGS
 * datagrams each (the paced sender sends them one by one).
 */
static void drops_to_datagrams(struct rx *x)
{
	if ((x->kind == K_GRO || x->kind == K_MMSG_GRO) && rate_pps <= 0)
		x->r->drops *= SEGS;
}

static int rx_step(struct rx *x)
{
	switch (x->kind) {
	case K_RECVFROM:
		return rx_recvfrom(x);
	case K_RECVMMSG:
		return rx_recvmmsg(x);
	case K_MMSG_GRO:
		return rx_recvmmsg_gro(x);
	default:
		return rx_ours(x);
	}
}

/* One window: a fresh socket, a sender, receive until quiet after it. */
static void window(enum kind k, double secs, struct result *r)
{
	struct rx x = { .kind = k, .fd = -1, .ep = -1, .r = r };
	uint64_t c0, w0;
	int pfd[2], st, n;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	rx_open(&x);
	if (pipe(pfd))
		die("pipe", errno);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (!pid)
		sender(rx_port(&x), secs, pfd[1]);
	close(pfd[1]);
	if (drain_n && waitpid(pid, &st, 0) != pid)
		die("waitpid", errno);
	c0 = cpu_ns();
	w0 = now_ns(CLOCK_MONOTONIC);
	for (;;) {
		n = rx_step(&x);
		if (n < 0)
			die(kind_name[k], -n);
		if (!n && (drain_n || waitpid(pid, &st, WNOHANG) == pid))
			break;
	}
	r->cpu_ns = (double)(cpu_ns() - c0);
	r->wall_ns = (double)(now_ns(CLOCK_MONOTONIC) - w0);
	if (read(pfd[0], &r->sent, sizeof(r->sent)) != sizeof(r->sent))
		die("sender result", EIO);
	close(pfd[0]);
	rx_close(&x);
	drops_to_datagrams(&x);
}

/* ---- report -------------------------------------------------------------- */

/* What one trivial system call costs here: what batching can save. */
static void syscall_cost(void)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	int i;

	for (i = 0; i < 200000; i++)
		syscall(SYS_getppid);
	fprintf(stderr, "udp_ingest: a system call (getppid) costs %.0f ns "
		"here\n", (double)(now_ns(CLOCK_MONOTONIC) - t0) / 200000);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n, double *spread)
{
	double s[MAX_REPS], m;

	memcpy(s, v, sizeof(*v) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_d);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	*spread = m > 0 ? (s[n - 1] - s[0]) / m : 0;
	return m;
}

/* One row; @target: the ratio the issue asks for, 0 for none. */
static void row(const char *name, double ours, double base,
		const char *base_name, const char *unit, const char *better,
		int reps, double spread, double target)
{
	double ratio = strcmp(better, "lower") ? ours / base : base / ours;

	printf("{\"group\": \"udp-ingest\", \"name\": \"%s\", \"ours\": %.3f, "
	       "\"baseline\": %.3f, \"baseline_name\": \"%s\", \"unit\": \"%s\", "
	       "\"ratio\": %.4f, \"better\": \"%s\", \"reps\": %d, "
	       "\"spread\": %.4f", name, ours, base, base_name, unit, ratio,
	       better, reps, spread);
	if (target > 0)
		printf(", \"target\": %g", target);
	printf("}\n");
}

/* Every datagram sent is received once or counted as a socket drop. */
static bool cross_check(enum kind k, const struct result *r)
{
	fprintf(stderr, "udp_ingest: %-8s sent %9llu valid %9llu drops %9llu "
		"invalid %llu entries %8llu rearms %llu  %6.1f ns/pkt cpu  "
		"%5.2f Mpps  %.1f pkts/entry  busy %.0f%%\n", kind_name[k],
		(unsigned long long)r->sent, (unsigned long long)r->valid,
		(unsigned long long)r->drops, (unsigned long long)r->invalid,
		(unsigned long long)r->entries, (unsigned long long)r->rearms,
		r->cpu_ns / (double)r->valid,
		(double)r->valid / r->wall_ns * 1e3,
		(double)r->valid / (double)r->entries,
		100 * r->cpu_ns / r->wall_ns);
	if (r->valid + r->drops == r->sent && !r->invalid && r->valid)
		return true;
	fprintf(stderr, "udp_ingest: %s: received %llu + dropped %llu != sent "
		"%llu (invalid %llu)\n", kind_name[k],
		(unsigned long long)r->valid, (unsigned long long)r->drops,
		(unsigned long long)r->sent, (unsigned long long)r->invalid);
	return false;
}

static void report(double ns[K_N][MAX_REPS], double per[K_N][MAX_REPS],
		   int reps)
{
	static const struct {
		enum kind ours, base;
		const char *what, *bname;
		double target;		/* CPU per datagram */
	} cmp[] = {
		{ K_OURS, K_RECVFROM, "io_uring multishot vs epoll+recvfrom",
		  "epoll_wait + recvfrom() per datagram", 0 },
		{ K_OURS, K_RECVMMSG, "io_uring multishot vs recvmmsg(64)",
		  "epoll_wait + recvmmsg(64)", 0 },
		{ K_GRO, K_RECVFROM,
		  "io_uring multishot + UDP_GRO vs epoll+recvfrom",
		  "epoll_wait + recvfrom() per datagram", 3 },
		{ K_GRO, K_RECVMMSG,
		  "io_uring multishot + UDP_GRO vs recvmmsg(64)",
		  "epoll_wait + recvmmsg(64)", 0.77 },
		{ K_GRO, K_MMSG_GRO,
		  "io_uring multishot + UDP_GRO vs recvmmsg(64) + UDP_GRO",
		  "epoll_wait + recvmmsg(64) of 64 KiB on a UDP_GRO socket, split by hand",
		  0 },
	};
	double o, b, so, sb, fb, sf;
	char name[200];
	size_t i;

	for (i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++) {
		o = median(ns[cmp[i].ours], reps, &so);
		b = median(ns[cmp[i].base], reps, &sb);
		snprintf(name, sizeof(name), "CPU per datagram: %s",
			 cmp[i].what);
		row(name, o, b, cmp[i].bname, "ns/packet", "lower", reps,
		    so > sb ? so : sb, cmp[i].target);
		o = median(per[cmp[i].ours], reps, &so);
		b = median(per[cmp[i].base], reps, &sb);
		snprintf(name, sizeof(name), "datagrams per kernel entry: %s",
			 cmp[i].what);
		row(name, o, b, cmp[i].bname, "packets/entry", "higher", reps,
		    so > sb ? so : sb, 0);
	}
	fb = median(ns[K_FALLBACK], reps, &sf);
	b = median(ns[K_RECVMMSG], reps, &sb);
	row("CPU per datagram: libedgeai recvmmsg fallback vs recvmmsg(64)",
	    fb, b, "epoll_wait + recvmmsg(64)", "ns/packet", "lower", reps,
	    sf > sb ? sf : sb, 0);
}

int main(int argc, char **argv)
{
	static double ns[K_N][MAX_REPS], per[K_N][MAX_REPS];
	struct result r;
	double secs;
	int reps, i, k;
	bool ok = true;

	if (getenv("UDP_INGEST_RATE"))
		rate_pps = atof(getenv("UDP_INGEST_RATE"));
	if (getenv("UDP_INGEST_DRAIN")) {
		drain_n = strtoull(getenv("UDP_INGEST_DRAIN"), NULL, 0);
		rcvbuf = 256 << 20;
	}
	if (argc == 4) {	/* one receiver alone, for profiling */
		for (k = 0; k < K_N && strcmp(argv[3], kind_name[k]); k++)
			;
		if (k == K_N)
			return 2;
		pin(0);
		window((enum kind)k, atof(argv[1]), &r);
		return cross_check((enum kind)k, &r) ? 0 : 1;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: udp_ingest SECONDS REPS [RECEIVER]\n");
		return 2;
	}
	secs = atof(argv[1]);
	reps = atoi(argv[2]);
	if (secs <= 0 || reps < 1 || reps > MAX_REPS) {
		fprintf(stderr, "udp_ingest: SECONDS > 0, REPS 1..%d\n",
			MAX_REPS);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (getenv("UDP_INGEST_RATE"))
		rate_pps = atof(getenv("UDP_INGEST_RATE"));
	pin(0);
	syscall_cost();
	window(K_OURS, secs / 4, &r);	/* warm-up, not reported */
	for (i = 0; i < reps; i++) {
		for (k = 0; k < K_N; k++) {
			window((enum kind)k, secs, &r);
			ok &= cross_check((enum kind)k, &r);
			ns[k][i] = r.cpu_ns / (double)r.valid;
			per[k][i] = (double)r.valid / (double)r.entries;
		}
	}
	if (!ok)
		return 1;
	report(ns, per, reps);
	return 0;
}
