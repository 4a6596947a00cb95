// SPDX-License-Identifier: GPL-2.0
/*
 * handoff - hand fixed-size samples from a producer process to a consumer
 * process: an edgeai USER_PRODUCER tensor ring against what a user would
 * otherwise write.
 *
 *   handoff MODE BATCH SAMPLES [SLOTS]
 *
 * MODE is one of
 *   ring   libedgeai: edgeai_ring_reserve/slot_mut/publish in the
 *          producer (one EDGEAI_IOC_RING_PUBLISH per batch),
 *          edgeai_ring_peek/release and edgeai_ring_wait (poll with the
 *          batch as watermark, after looking at the ring up to
 *          EDGEAI_WAIT_SPINS times, the library's default) in the
 *          consumer; payloads written and read
 *          in place. Needs edgeai.ko (run it in the VM, bench/ring_vm.sh).
 *   uring  the same, the consumer waiting through io_uring
 *          (EDGEAI_URING_CMD_WAIT) instead of poll().
 *   uhead  the same as ring on a USER_HEAD ring: edgeai_ring_publish()
 *          stamps the slots' seq and stores the head in the mapping, and
 *          enters the kernel only when the consumer waits (its
 *          EDGEAI_CTRL_F_NEED_WAKEUP); the kernel checks no slot.
 *   pipe   write() of BATCH samples / read() of up to BATCH samples.
 *   unix   AF_UNIX SOCK_DGRAM socketpair, one datagram per sample:
 *          send()/recv() at batch 1, sendmmsg()/recvmmsg() of BATCH.
 *   shm    the fair "what a careful user writes" baseline: a single-producer
 *          single-consumer ring of SLOTS records in a memfd mapping, indexes
 *          published with store-release, and an eventfd each way to sleep
 *          on, written only when the other side said it is going to sleep
 *          (a Dekker-style flag), so a busy pair makes no syscall at all.
 *          The producer publishes its head once per BATCH samples.
 *
 * A sample is its sequence number (u64), a sensor id (u32), a checksum
 * (u32) and 6 x f32 whose values are a function of the sequence number.
 * The pipe, the datagrams and the shm ring carry it as a 40-byte record;
 * a tensor ring as a user of one would: the six values are the payload (a
 * [6] f32 tensor) and the rest is in the slot header (seq, stamped by the
 * library or the kernel; sensor_id; the checksum in the producer's tag),
 * one 64-byte slot a sample. The consumer checks every sample: its
 * sequence number, sensor id, values and checksum; any mismatch makes the
 * run fail (exit 1) - a hand-off that loses, reorders or corrupts samples
 * fast is not a result.
 *
 * The producer runs on CPU 0 and the consumer on CPU 1 (when there are two
 * CPUs). Prints one JSON line: wall time from the producer's start to the
 * consumer's last sample, each side's CPU time (getrusage), the syscalls
 * each side made in its loop (counted by the loop itself: every call is
 * counted where it is made), voluntary context switches (times a side
 * slept), and the payload bytes the kernel copied per sample.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <edgeai/edgeai.h>
#include <edgeai/uring.h>

#define NVAL		6
#define MAX_BATCH	1024

struct rec {
	uint64_t seq;
	uint32_t sensor;
	uint32_t csum;
	float v[NVAL];
};

_Static_assert(sizeof(struct rec) == 40, "a sample is 40 bytes");

/* What each side reports back through a shared page. */
struct side {
	uint64_t start_ns, end_ns, cpu_ns;
	uint64_t syscalls, nvcsw, nivcsw;
	uint64_t samples, bad, sum;
	uint64_t extra;		/* ring: kernel wake-ups; shm: eventfd writes */
	uint64_t full;		/* producer: waits for room (ring full) */
	char err[128];
};

struct shared {
	struct side prod, cons;
	volatile int ready;
};

/* The shm baseline's control block, followed by the records. */
struct shm_ctl {
	_Alignas(64) uint64_t head;	/* producer: next to write */
	_Alignas(64) uint64_t tail;	/* consumer: next to read */
	_Alignas(64) uint32_t cons_sleeping;
	_Alignas(64) uint32_t prod_sleeping;
	_Alignas(64) struct rec r[];
};

static const char *mode;
static uint32_t batch, slots;
static uint64_t total;
static struct shared *sh;
static int go_pipe[2];
static uint64_t nsys;	/* syscalls made by this side's loop */
static uint64_t psum;	/* producer: sum of the checksums it wrote */
static uint64_t full_waits;	/* producer: times it slept on a full ring */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The bits of value @i of sample @seq: a float in [1, 2) whose mantissa is
 * a function of the sequence number. Made and compared as integers: under
 * qemu's software emulation (TCG) every SSE conversion or compare is a
 * helper call of tens of ns, which would be most of a sample's cost in
 * every mode and hide the hand-off being measured (natively each is a
 * cycle or two).
 */
static uint32_t val(uint64_t seq, unsigned int i)
{
	return 0x3f800000u | ((uint32_t)(seq * 2654435761u + i * 40503u) & 0x7fffffu);
}

static uint32_t val_at(const float *v, unsigned int i)
{
	uint32_t w;

	memcpy(&w, &v[i], sizeof(w));
	return w;
}

/* FNV-1a over 32-bit words: the sequence number and the six values. */
static uint32_t csum_of(uint64_t seq, const float *v)
{
	uint32_t h = 2166136261u, w;
	unsigned int i;

	h = (h ^ (uint32_t)seq) * 16777619u;
	h = (h ^ (uint32_t)(seq >> 32)) * 16777619u;
	for (i = 0; i < NVAL; i++) {
		memcpy(&w, &v[i], sizeof(w));
		h = (h ^ w) * 16777619u;
	}
	return h;
}

static uint32_t csum(const struct rec *r)
{
	return csum_of(r->seq, r->v);
}

/* The six values of sample @seq into @v. */
static void fill_vals(float *v, uint64_t seq)
{
	unsigned int i;

	for (i = 0; i < NVAL; i++) {
		uint32_t w = val(seq, i);

		memcpy(&v[i], &w, sizeof(w));
	}
}

static void fill(struct rec *r, uint64_t seq)
{
	r->seq = seq;
	r->sensor = 7;
	fill_vals(r->v, seq);
	r->csum = csum(r);
	psum += r->csum;
}

/* Check one received sample; @want is the sequence number expected. */
static void check(struct side *s, const struct rec *r, uint64_t want)
{
	if (r->seq != want || r->sensor != 7 || r->csum != csum(r) ||
	    val_at(r->v, 0) != val(want, 0) ||
	    val_at(r->v, NVAL - 1) != val(want, NVAL - 1)) {
		if (!s->bad)
			snprintf(s->err, sizeof(s->err),
				 "sample %llu: got seq %llu, checksum %s",
				 (unsigned long long)want,
				 (unsigned long long)r->seq,
				 r->csum == csum(r) ? "ok" : "wrong");
		s->bad++;
	}
	s->sum += r->csum;
	s->samples++;
}

/*
 * Check one ring slot: a ring carries a sample's metadata in the slot
 * header (seq, stamped by the library; sensor_id; the checksum in the
 * producer's tag) and only its six values as the payload.
 */
static void check_slot(struct side *s, const struct edgeai_slot_hdr *h,
		       uint64_t want)
{
	const float *v = edgeai_slot_payload(h);

	if (h->seq != want || h->sensor_id != 7 ||
	    h->len != NVAL * sizeof(float) || h->tag != csum_of(want, v) ||
	    val_at(v, 0) != val(want, 0) ||
	    val_at(v, NVAL - 1) != val(want, NVAL - 1)) {
		if (!s->bad)
			snprintf(s->err, sizeof(s->err),
				 "sample %llu: got seq %llu, checksum %s",
				 (unsigned long long)want,
				 (unsigned long long)h->seq,
				 h->tag == csum_of(want, v) ? "ok" : "wrong");
		s->bad++;
	}
	s->sum += h->tag;
	s->samples++;
}

static void pin(int cpu)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu % n, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static struct rusage ru0;	/* at the start of the loop */

static uint64_t cpu_of(const struct rusage *ru)
{
	return (uint64_t)ru->ru_utime.tv_sec * 1000000000ull +
	       (uint64_t)ru->ru_utime.tv_usec * 1000ull +
	       (uint64_t)ru->ru_stime.tv_sec * 1000000000ull +
	       (uint64_t)ru->ru_stime.tv_usec * 1000ull;
}

static void side_begin(struct side *s, int cpu)
{
	char c;

	pin(cpu);
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	if (read(go_pipe[0], &c, 1) != 1)
		_exit(3);
	getrusage(RUSAGE_SELF, &ru0);
	s->start_ns = now_ns();
}

/* What the loop cost: CPU time and sleeps since side_begin(). */
static void side_end(struct side *s)
{
	struct rusage ru;

	s->end_ns = now_ns();
	getrusage(RUSAGE_SELF, &ru);
	s->cpu_ns = cpu_of(&ru) - cpu_of(&ru0);
	s->nvcsw = (uint64_t)(ru.ru_nvcsw - ru0.ru_nvcsw);
	s->nivcsw = (uint64_t)(ru.ru_nivcsw - ru0.ru_nivcsw);
	s->syscalls = nsys;
	s->sum += psum;
}

static void die(struct side *s, const char *what, int err)
{
	snprintf(s->err, sizeof(s->err), "%s: %s", what, strerror(err));
	s->bad++;
	side_end(s);
	_exit(1);
}

/* ---- pipe ------------------------------------------------------------- */

static int pfd[2];

static void pipe_prod(void)
{
	static struct rec buf[MAX_BATCH];
	struct side *s = &sh->prod;
	uint64_t seq = 0;

	side_begin(s, 0);
	while (seq < total) {
		uint32_t n = total - seq < batch ? (uint32_t)(total - seq) : batch, i;
		size_t len = n * sizeof(struct rec), off = 0;

		for (i = 0; i < n; i++)
			fill(&buf[i], seq + i);
		while (off < len) {
			ssize_t w = write(pfd[1], (char *)buf + off, len - off);

			nsys++;
			if (w < 0) {
				if (errno == EINTR)
					continue;
				die(s, "write", errno);
			}
			off += (size_t)w;
		}
		seq += n;
	}
	side_end(s);
}

static void pipe_cons(void)
{
	static struct rec buf[MAX_BATCH + 1];
	struct side *s = &sh->cons;
	size_t have = 0;	/* bytes of a partial record carried over */
	uint64_t seq = 0;

	side_begin(s, 1);
	while (seq < total) {
		ssize_t r = read(pfd[0], (char *)buf + have,
				 batch * sizeof(struct rec) - have);
		size_t n, i;

		nsys++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die(s, "read", errno);
		}
		if (!r)
			break;
		have += (size_t)r;
		n = have / sizeof(struct rec);
		for (i = 0; i < n; i++)
			check(s, &buf[i], seq++);
		have -= n * sizeof(struct rec);
		if (have)
			memmove(buf, &buf[n], have);
	}
	side_end(s);
}

/* ---- unix datagrams --------------------------------------------------- */

static int ufd[2];

static void unix_prod(void)
{
	static struct rec buf[MAX_BATCH];
	static struct mmsghdr mm[MAX_BATCH];
	static struct iovec iov[MAX_BATCH];
	struct side *s = &sh->prod;
	uint64_t seq = 0;
	uint32_t i;

	for (i = 0; i < MAX_BATCH; i++) {
		iov[i].iov_base = &buf[i];
		iov[i].iov_len = sizeof(buf[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	side_begin(s, 0);
	while (seq < total) {
		uint32_t n = total - seq < batch ? (uint32_t)(total - seq) : batch, done = 0;

		for (i = 0; i < n; i++)
			fill(&buf[i], seq + i);
		while (done < n) {
			int r;

			if (batch == 1)
				r = send(ufd[1], &buf[0], sizeof(buf[0]), 0) < 0 ? -1 : 1;
			else
				r = sendmmsg(ufd[1], mm + done, n - done, 0);
			nsys++;
			if (r < 0) {
				if (errno == EINTR)
					continue;
				die(s, "send", errno);
			}
			done += (uint32_t)r;
		}
		seq += n;
	}
	side_end(s);
}

static void unix_cons(void)
{
	static struct rec buf[MAX_BATCH];
	static struct mmsghdr mm[MAX_BATCH];
	static struct iovec iov[MAX_BATCH];
	struct side *s = &sh->cons;
	uint64_t seq = 0;
	uint32_t i;

	for (i = 0; i < MAX_BATCH; i++) {
		iov[i].iov_base = &buf[i];
		iov[i].iov_len = sizeof(buf[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	side_begin(s, 1);
	while (seq < total) {
		int r;

		if (batch == 1) {
			ssize_t len = recv(ufd[0], &buf[0], sizeof(buf[0]), 0);

			r = len < 0 ? -1 : 1;
			mm[0].msg_len = len < 0 ? 0 : (unsigned int)len;
		} else {
			r = recvmmsg(ufd[0], mm, batch, MSG_WAITFORONE, NULL);
		}
		nsys++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die(s, "recv", errno);
		}
		for (i = 0; i < (uint32_t)r; i++) {
			if (mm[i].msg_len != sizeof(struct rec))
				s->bad++;
			check(s, &buf[i], seq++);
		}
	}
	side_end(s);
}

/* ---- eventfd + shared-memory SPSC ring -------------------------------- */

static struct shm_ctl *ctl;
static int efd_cons, efd_prod;	/* wake the consumer / the producer */
static uint64_t wakes;

static void efd_wake(struct side *s, int fd)
{
	uint64_t one = 1;

	nsys++;
	wakes++;
	if (write(fd, &one, sizeof(one)) != sizeof(one))
		die(s, "eventfd write", errno);
}

static void efd_sleep(struct side *s, int fd)
{
	uint64_t v;

	nsys++;
	if (read(fd, &v, sizeof(v)) != sizeof(v) && errno != EINTR)
		die(s, "eventfd read", errno);
}

static void shm_publish(struct side *s, uint64_t head)
{
	/* seq_cst store then load: pairs with the consumer's flag store and
	 * head load (neither side can miss the other). */
	__atomic_store_n(&ctl->head, head, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ctl->cons_sleeping, __ATOMIC_SEQ_CST) &&
	    __atomic_exchange_n(&ctl->cons_sleeping, 0, __ATOMIC_SEQ_CST))
		efd_wake(s, efd_cons);
}

static void shm_prod(void)
{
	struct side *s = &sh->prod;
	uint64_t seq = 0, tail = 0;

	side_begin(s, 0);
	while (seq < total) {
		uint32_t n = total - seq < batch ? (uint32_t)(total - seq) : batch, i;

		/* room for a whole batch, else sleep until the consumer frees */
		while (seq + n - tail > slots) {
			tail = __atomic_load_n(&ctl->tail, __ATOMIC_ACQUIRE);
			if (seq + n - tail <= slots)
				break;
			__atomic_store_n(&ctl->prod_sleeping, 1, __ATOMIC_SEQ_CST);
			tail = __atomic_load_n(&ctl->tail, __ATOMIC_SEQ_CST);
			if (seq + n - tail <= slots) {
				__atomic_store_n(&ctl->prod_sleeping, 0, __ATOMIC_RELAXED);
				break;
			}
			full_waits++;
			efd_sleep(s, efd_prod);
		}
		for (i = 0; i < n; i++)
			fill(&ctl->r[(seq + i) & (slots - 1)], seq + i);
		seq += n;
		shm_publish(s, seq);
	}
	s->extra = wakes;
	s->full = full_waits;
	side_end(s);
}

static void shm_cons(void)
{
	struct side *s = &sh->cons;
	uint64_t seq = 0;

	side_begin(s, 1);
	while (seq < total) {
		uint64_t head = __atomic_load_n(&ctl->head, __ATOMIC_ACQUIRE);

		if (head == seq) {
			__atomic_store_n(&ctl->cons_sleeping, 1, __ATOMIC_SEQ_CST);
			head = __atomic_load_n(&ctl->head, __ATOMIC_SEQ_CST);
			if (head == seq) {
				efd_sleep(s, efd_cons);
				continue;
			}
			__atomic_store_n(&ctl->cons_sleeping, 0, __ATOMIC_RELAXED);
		}
		for (; seq < head; seq++)
			check(s, &ctl->r[seq & (slots - 1)], seq);
		__atomic_store_n(&ctl->tail, seq, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&ctl->prod_sleeping, __ATOMIC_SEQ_CST) &&
		    __atomic_exchange_n(&ctl->prod_sleeping, 0, __ATOMIC_SEQ_CST))
			efd_wake(s, efd_prod);
	}
	s->extra = wakes;
	side_end(s);
}

/* ---- edgeai tensor ring ------------------------------------------------ */

static const char *ring_name;

static struct edgeai_ring *ring_attach(struct side *s, uint32_t role,
				       uint32_t watermark)
{
	struct edgeai_ring_opts o = { .sz = sizeof(o), .role = role,
				      .watermark = watermark };
	struct edgeai_ring *r;
	int ret = edgeai_ring_open(ring_name, &o, &r);

	if (ret)
		die(s, "edgeai_ring_open", -ret);
	return r;
}

static void ring_prod(void)
{
	struct side *s = &sh->prod;
	struct edgeai_ring *r = ring_attach(s, EDGEAI_ROLE_PRODUCER, batch);
	uint64_t seq = 0;

	side_begin(s, 0);
	while (seq < total) {
		uint32_t n = total - seq < batch ? (uint32_t)(total - seq) : batch, i;
		uint64_t first;
		int ret;

		/*
		 * Room for the batch, else sleep until there is: the producer
		 * attached with the batch as its watermark of free slots, and
		 * the module wakes it when the consumer's wait (or any read of
		 * its tail) shows that much room (EDGEAI_FEAT_PRODUCER_WAKE).
		 */
		while (edgeai_ring_reserve(r, n, &first) < n) {
			full_waits++;
			ret = edgeai_ring_wait(r, 1000);
			if (ret < 0 && ret != -ETIMEDOUT)
				die(s, "edgeai_ring_wait (producer)", -ret);
		}
		for (i = 0; i < n; i++) {
			struct edgeai_slot_hdr *h = edgeai_ring_slot_mut(r, first + i);

			float *v = (float *)(h + 1);

			h->len = NVAL * sizeof(float);
			h->sensor_id = 7;
			h->flags = 0;
			h->ts_ns = 1;	/* not 0: the kernel would read its clock */
			fill_vals(v, seq + i);
			h->tag = csum_of(seq + i, v);
			psum += h->tag;
		}
		ret = edgeai_ring_publish(r, n, 0);
		if (ret)
			die(s, "edgeai_ring_publish", -ret);
		seq += n;
	}
	s->full = full_waits;
	/* the library counts its own: a USER_HEAD publish may make none */
	nsys = edgeai_ring_syscalls(r);
	side_end(s);
	edgeai_ring_close(r);
}

static void ring_cons(bool use_uring)
{
	struct side *s = &sh->cons;
	struct edgeai_ring *r = ring_attach(s, EDGEAI_ROLE_CONSUMER, batch);
	struct edgeai_ring_stats st;
	struct io_uring uring;
	uint64_t seq = 0, w0 = 0;

	if (use_uring && io_uring_queue_init(4, &uring, 0))
		die(s, "io_uring_queue_init", errno);
	if (!edgeai_ring_stats(r, &st))
		w0 = st.wakeups;
	side_begin(s, 1);
	while (seq < total) {
		uint64_t first;
		uint32_t n = edgeai_ring_peek(r, UINT32_MAX, &first), k;

		if (!n) {
			if (use_uring) {
				struct io_uring_cqe *cqe;
				uint64_t left = total - seq;

				edgeai_prep_ring_wait(io_uring_get_sqe(&uring), r,
						      left < batch ? (uint32_t)left : batch,
						      1000000000ULL);
				nsys++;
				io_uring_submit_and_wait(&uring, 1);
				if (!io_uring_peek_cqe(&uring, &cqe))
					io_uring_cqe_seen(&uring, cqe);
			} else {
				/* counted by libedgeai: it may find the batch
				 * before it enters poll() */
				int ret = edgeai_ring_wait(r, 1000);

				if (ret < 0 && ret != -ETIMEDOUT)
					die(s, "edgeai_ring_wait", -ret);
			}
			continue;
		}
		for (k = 0; k < n; k++) {
			const struct edgeai_slot_hdr *h = edgeai_ring_slot(r, first + k);

			check_slot(s, h, seq);
			seq++;
		}
		edgeai_ring_release(r, n);
	}
	/* libedgeai's: poll() waits, and release's RING_SYNCs (ROOM_WAIT) */
	nsys += edgeai_ring_syscalls(r);
	side_end(s);
	if (!edgeai_ring_stats(r, &st))
		s->extra = st.wakeups - w0;
	edgeai_ring_close(r);
}

/* ---- driver ------------------------------------------------------------ */

static int ring_create(void)
{
	struct edgeai_ring_create a;
	struct edgeai_dev *dev;
	uint32_t shape = NVAL;
	static char name[32];
	int ret;

	snprintf(name, sizeof(name), "handoff%d", (int)getpid());
	ring_name = name;
	ret = edgeai_dev_open(NULL, &dev);
	if (ret)
		return ret;
	ret = edgeai_ring_args(&a, name, slots, EDGEAI_DTYPE_F32, 1, &shape);
	a.flags = EDGEAI_RING_F_USER_PRODUCER;
	if (!strcmp(mode, "uhead"))
		a.flags |= EDGEAI_RING_F_USER_HEAD;
	if (!ret)
		ret = edgeai_dev_ring_create(dev, &a);
	edgeai_dev_close(dev);
	return ret;
}

static void ring_destroy(void)
{
	struct edgeai_dev *dev;

	if (!edgeai_dev_open(NULL, &dev)) {
		edgeai_dev_ring_destroy(dev, 0, ring_name);
		edgeai_dev_close(dev);
	}
}

static int setup(void)
{
	int big = 4 << 20;

	if (!strcmp(mode, "pipe"))
		return pipe(pfd) ? -errno : 0;
	if (!strcmp(mode, "unix")) {
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, ufd))
			return -errno;
		/* room for the queue: the send buffer limits what is in flight */
		setsockopt(ufd[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		setsockopt(ufd[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
		return 0;
	}
	if (!strcmp(mode, "shm")) {
		size_t len = sizeof(struct shm_ctl) + slots * sizeof(struct rec);
		int fd = memfd_create("handoff", MFD_CLOEXEC);

		if (fd < 0 || ftruncate(fd, (off_t)len))
			return -errno;
		ctl = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		if (ctl == MAP_FAILED)
			return -errno;
		efd_cons = eventfd(0, EFD_CLOEXEC);
		efd_prod = eventfd(0, EFD_CLOEXEC);
		return efd_cons < 0 || efd_prod < 0 ? -errno : 0;
	}
	if (!strcmp(mode, "ring") || !strcmp(mode, "uring") ||
	    !strcmp(mode, "uhead"))
		return ring_create();
	return -EINVAL;
}

static pid_t spawn(void (*fn)(void))
{
	pid_t pid = fork();

	if (!pid) {
		fn();
		_exit(0);
	}
	return pid;
}

static void ring_cons_poll(void)
{
	ring_cons(false);
}

static void ring_cons_uring(void)
{
	ring_cons(true);
}

int main(int argc, char **argv)
{
	void (*prod)(void), (*cons)(void);
	struct side *p, *c;
	pid_t pp, pc;
	int st_p, st_c, ret, i;
	double secs;

	if (argc < 4) {
		fprintf(stderr, "usage: %s ring|uring|uhead|pipe|unix|shm BATCH SAMPLES [SLOTS]\n",
			argv[0]);
		return 2;
	}
	mode = argv[1];
	batch = (uint32_t)strtoul(argv[2], NULL, 0);
	total = strtoull(argv[3], NULL, 0);
	slots = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 0) : 1024;
	if (!batch || batch > MAX_BATCH || !total || slots < batch ||
	    (slots & (slots - 1))) {
		fprintf(stderr, "handoff: 1 <= BATCH <= %d, BATCH <= SLOTS (a power of two)\n",
			MAX_BATCH);
		return 2;
	}
	if (!strcmp(mode, "pipe")) {
		prod = pipe_prod;
		cons = pipe_cons;
	} else if (!strcmp(mode, "unix")) {
		prod = unix_prod;
		cons = unix_cons;
	} else if (!strcmp(mode, "shm")) {
		prod = shm_prod;
		cons = shm_cons;
	} else if (!strcmp(mode, "ring") || !strcmp(mode, "uhead")) {
		prod = ring_prod;
		cons = ring_cons_poll;
	} else if (!strcmp(mode, "uring")) {
		prod = ring_prod;
		cons = ring_cons_uring;
	} else {
		fprintf(stderr, "handoff: unknown mode %s\n", mode);
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || pipe(go_pipe)) {
		perror("handoff");
		return 1;
	}
	ret = setup();
	if (ret) {
		fprintf(stderr, "handoff: %s: set-up: %s\n", mode, strerror(-ret));
		return 1;
	}
	pc = spawn(cons);
	pp = spawn(prod);
	for (i = 0; i < 10000 && __atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) < 2; i++)
		usleep(1000);
	if (write(go_pipe[1], "gg", 2) != 2)
		return 1;
	waitpid(pp, &st_p, 0);
	waitpid(pc, &st_c, 0);
	if (ring_name)
		ring_destroy();
	p = &sh->prod;
	c = &sh->cons;
	secs = (double)(c->end_ns - p->start_ns) / 1e9;
	printf("{\"mode\":\"%s\",\"batch\":%u,\"slots\":%u,\"samples\":%llu,"
	       "\"received\":%llu,\"bad\":%llu,\"seconds\":%.6f,"
	       "\"samples_per_s\":%.1f,\"cpu_ns_per_sample\":%.2f,"
	       "\"prod_cpu_ns\":%llu,\"cons_cpu_ns\":%llu,"
	       "\"prod_syscalls\":%llu,\"cons_syscalls\":%llu,"
	       "\"syscalls_per_sample\":%.5f,"
	       "\"prod_sleeps\":%llu,\"cons_sleeps\":%llu,"
	       "\"cons_sleeps_per_sample\":%.5f,\"wakeups\":%llu,"
	       "\"copied_bytes_per_sample\":%u,\"producer_full_waits\":%llu,"
	       "\"checksum_ok\":%s}\n",
	       mode, batch, slots, (unsigned long long)total,
	       (unsigned long long)c->samples, (unsigned long long)c->bad,
	       secs, secs > 0 ? (double)c->samples / secs : 0.0,
	       (double)(p->cpu_ns + c->cpu_ns) / (double)total,
	       (unsigned long long)p->cpu_ns, (unsigned long long)c->cpu_ns,
	       (unsigned long long)p->syscalls, (unsigned long long)c->syscalls,
	       (double)(p->syscalls + c->syscalls) / (double)total,
	       (unsigned long long)p->nvcsw, (unsigned long long)c->nvcsw,
	       (double)c->nvcsw / (double)total,
	       (unsigned long long)(c->extra + p->extra),
	       /* the kernel copies the record in (write/send) and out
		* (read/recv); shared mappings copy nothing */
	       !strcmp(mode, "pipe") || !strcmp(mode, "unix") ?
			(unsigned int)(2 * sizeof(struct rec)) : 0u,
	       (unsigned long long)p->full,
	       p->sum == c->sum ? "true" : "false");
	if (p->err[0])
		fprintf(stderr, "handoff %s: producer: %s\n", mode, p->err);
	if (c->err[0])
		fprintf(stderr, "handoff %s: consumer: %s\n", mode, c->err);
	if (!WIFEXITED(st_p) || WEXITSTATUS(st_p) || !WIFEXITED(st_c) ||
	    WEXITSTATUS(st_c) || c->bad || c->samples != total || p->sum != c->sum) {
		fprintf(stderr, "handoff %s batch %u: FAILED: %llu of %llu samples, %llu bad\n",
			mode, batch, (unsigned long long)c->samples,
			(unsigned long long)total, (unsigned long long)c->bad);
		return 1;
	}
	return 0;
}
