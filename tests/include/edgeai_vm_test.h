/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kernel tests in tests/vm/kernel: time, features,
 * cleanup of named rings, edgeai_synth.ko loading, stats checks, module
 * state and forked children. Built on the raw-ABI helpers of
 * edgeai_ring_test.h; include this header once per test program.
 */
#ifndef EDGEAI_VM_TEST_H
#define EDGEAI_VM_TEST_H

#include <stdarg.h>
#include <time.h>

#include "edgeai_ring_test.h"

static inline uint64_t t_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* GET_INFO's feature bits, or 0 if the ioctl fails. */
static inline uint64_t t_features(int fd)
{
	struct edgeai_info info;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	if (t_ioctl(fd, EDGEAI_IOC_GET_INFO, &info))
		return 0;
	return info.features;
}

/* Fail the test and stop unless GET_INFO reports every bit of @need. */
static inline void t_need_features(int fd, uint64_t need, const char *what)
{
	struct edgeai_info info;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	T_ASSERT(t_ioctl(fd, EDGEAI_IOC_GET_INFO, &info) == 0);
	t_checks++;
	if ((info.features & need) != need) {
		T_FAILF("module lacks %s (features 0x%llx)", what,
			(unsigned long long)info.features);
		exit(T_FAIL);
	}
}

static inline void t_need_rings(int fd)
{
	t_need_features(fd, EDGEAI_FEAT_RINGS, "EDGEAI_FEAT_RINGS");
}

static inline int t_ring_info(int fd, uint32_t id,
			      struct edgeai_ring_info *in)
{
	memset(in, 0, sizeof(*in));
	in->size = sizeof(*in);
	in->ring_id = id;
	return t_ioctl(fd, EDGEAI_IOC_RING_INFO, in);
}

/*
 * Destroy the rings of these names through a fresh fd, best effort (for
 * atexit handlers); the list ends with NULL.
 */
__attribute__((sentinel))
static inline void t_destroy_rings(const char *name, ...)
{
	va_list ap;
	int fd = open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	va_start(ap, name);
	for (; name; name = va_arg(ap, const char *))
		t_ring_destroy_name(fd, name);
	va_end(ap);
	close(fd);
}

/*
 * produced == consumed + sum(drops) + in_ring, and in_ring / high_water
 * within @slots, for one stats snapshot taken at @where.
 */
static inline void t_check_invariant(const struct edgeai_ring_stats *s,
				     uint32_t slots, const char *where)
{
	uint64_t d = t_drops(s);

	t_checks++;
	if (s->produced != s->consumed + d + s->in_ring)
		T_FAILF("%s: produced %llu != consumed %llu + drops %llu + in_ring %llu",
			where, (unsigned long long)s->produced,
			(unsigned long long)s->consumed,
			(unsigned long long)d,
			(unsigned long long)s->in_ring);
	t_checks++;
	if (s->in_ring > slots || s->high_water > slots)
		T_FAILF("%s: in_ring %llu / high_water %llu above slot_count %u",
			where, (unsigned long long)s->in_ring,
			(unsigned long long)s->high_water, slots);
}

/* ---- the module ---------------------------------------------------- */

/* The source tree (tests/run exports EDGEAI_SRC), else ".". */
static inline const char *t_src_dir(void)
{
	const char *s = getenv("EDGEAI_SRC");

	return s && *s ? s : ".";
}

/* edgeai.ko's reference count, or -1. */
static inline long t_module_refcnt(void)
{
	FILE *f = fopen("/sys/module/edgeai/refcnt", "r");
	long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* ---- edgeai_synth.ko ---------------------------------------------- */

static inline int t_synth_loaded(void)
{
	return access("/sys/module/edgeai_synth", F_OK) == 0;
}

/* insmod edgeai_synth.ko with these parameters: 0, or a failure and the
 * exit status of insmod. */
__attribute__((format(printf, 1, 0)))
static inline int t_synth_vload(const char *fmt, va_list ap)
{
	char args[512], cmd[2048];
	int rc;

	vsnprintf(args, sizeof(args), fmt, ap);
	snprintf(cmd, sizeof(cmd), "insmod %s/kmod/synth/edgeai_synth.ko %s",
		 t_src_dir(), args);
	rc = t_system(cmd);
	if (rc)
		T_FAILF("'%s' failed (exit %d): is kmod/synth/edgeai_synth.ko built and does it take these parameters?",
			cmd, rc);
	return rc;
}

__attribute__((format(printf, 1, 2)))
static inline int t_synth_load(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = t_synth_vload(fmt, ap);
	va_end(ap);
	return rc;
}

static inline void t_synth_unload(void)
{
	if (t_synth_loaded() && t_system("rmmod edgeai_synth"))
		T_FAILF("rmmod edgeai_synth failed");
}

/* Unload an edgeai_synth that someone before this test left loaded. */
static inline void t_synth_unload_stale(void)
{
	if (t_synth_loaded()) {
		fprintf(stderr, "edgeai_synth was left loaded by someone; unloading it\n");
		t_system("rmmod edgeai_synth");
	}
}

/* A parameter of the loaded edgeai_synth, or -1. */
static inline long long t_synth_param(const char *name)
{
	char path[256], buf[64];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/edgeai_synth/parameters/%s",
		 name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtoll(buf, NULL, 0);
	fclose(f);
	return v;
}

/* ---- forked children ----------------------------------------------- */

static int t_failures_at_fork;

/* fork() after flushing stdio, so that a child's exit() repeats nothing. */
static inline pid_t t_fork(void)
{
	t_failures_at_fork = t_failures;
	fflush(NULL);
	return fork();
}

/* A child reports its own failures only. */
static inline void t_child_exit(void)
{
	_exit(t_failures != t_failures_at_fork ? 1 : 0);
}

/* The child's exit status, or 128 + the signal that killed it. */
static inline int t_wait_child(pid_t pid)
{
	int st;

	T_ASSERT(waitpid(pid, &st, 0) == pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#if defined(PTHREAD_CREATE_JOINABLE) && defined(POLLOUT)
/* A thread that sleeps in poll() for POLLOUT, and what it saw. */
struct t_waiter {
	int fd;
	int timeout_ms;
	pthread_t th;
	int done;		/* atomic: poll() returned */
	int ret;
	short revents;
	uint64_t ns;		/* how long it slept */
};

static inline void *t_waiter_thread(void *arg)
{
	struct t_waiter *w = arg;
	struct pollfd p = { .fd = w->fd, .events = POLLOUT };
	uint64_t t0 = t_now_ns();

	w->ret = poll(&p, 1, w->timeout_ms);
	w->revents = p.revents;
	w->ns = t_now_ns() - t0;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static inline void t_waiter_start(struct t_waiter *w, int fd, int timeout_ms)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->timeout_ms = timeout_ms;
	if (pthread_create(&w->th, NULL, t_waiter_thread, w)) {
		T_FAILF("pthread_create failed");
		exit(T_FAIL);
	}
	/* Long enough for it to be asleep in poll() in an emulated guest. */
	usleep(200000);
}

static inline int t_waiter_done(struct t_waiter *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
}

static inline void t_waiter_join(struct t_waiter *w)
{
	pthread_join(w->th, NULL);
}
#endif

#ifdef EDGEAI_EDGEAI_H
/*
 * A libedgeai producer fills @n reserved slots from @first with the u64
 * payloads @seq, @seq + 1, ... (@len bytes a slot) and publishes them.
 */
static inline void t_lib_publish_seq(struct edgeai_ring *p, uint64_t first,
				     uint32_t n, uint64_t seq, uint32_t len)
{
	uint32_t k;

	for (k = 0; k < n; k++) {
		struct edgeai_slot_hdr *h = edgeai_ring_slot_mut(p, first + k);
		uint64_t v = seq + k;

		h->len = len;
		h->ts_ns = 1;
		h->sensor_id = 0;
		h->tag = 0;
		h->flags = 0;
		memcpy(h + 1, &v, sizeof(v));
	}
	T_EQ(edgeai_ring_publish(p, n, 0), 0);
}

/*
 * A libedgeai consumer reads @n slots from @first, expecting the seq and
 * u64 payload *@got, *@got + 1, ... (a mismatch counts in *@bad), and
 * releases them.
 */
static inline void t_lib_consume_seq(struct edgeai_ring *c, uint64_t first,
				     uint32_t n, uint64_t *got, uint64_t *bad)
{
	uint32_t k;

	for (k = 0; k < n; k++) {
		const struct edgeai_slot_hdr *h = edgeai_ring_slot(c, first + k);
		uint64_t v;

		memcpy(&v, edgeai_slot_payload(h), sizeof(v));
		if (h->seq != *got || v != *got)
			(*bad)++;
		(*got)++;
	}
	edgeai_ring_release(c, n);
}
#endif

#endif /* EDGEAI_VM_TEST_H */
