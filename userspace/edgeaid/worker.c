// SPDX-License-Identifier: GPL-2.0
/*
 * Worker threads: by default one per online CPU (never more than there
 * are running pipelines), each with one io_uring, optionally pinned.
 * Pipelines are spread over the workers round-robin.
 *
 * A worker that serves a single UDP pipeline blocks in the source itself
 * (edgeai_udp_recv(): one io_uring_enter per batch on the source's ring,
 * which is then the worker's only ring). Such a source is opened not
 * pollable (the daemon knows from the configuration that the pipeline
 * will be alone: ead_workers_alone), so its ring runs with
 * IORING_SETUP_COOP_TASKRUN: a datagram arriving while the worker runs
 * the model does not interrupt it with an IPI. Any other worker arms one wait
 * per pipeline on its own io_uring - a multishot poll of the UDP source,
 * the ring's IORING_OP_URING_CMD wait (IORING_OP_POLL_ADD on the ring fd
 * where the module lacks it) - sleeps in one io_uring_enter, and on a
 * completion takes batches from that pipeline until its source is empty
 * (at most STEP_BURST batches at a time, so that one busy source cannot
 * starve the others). Every 100 ms it refreshes the pipelines' source
 * counters and looks for rings that went away.
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "edgeaid.h"
#include "loop.h"

#define QUEUE_DEPTH	(2 * EAD_MAX_PIPELINES)
#define TICK_MS		100
#define STEP_BURST	16

struct ead_worker {
	unsigned int id;
	int cpu;
	struct ead_pipeline *pipes[EAD_MAX_PIPELINES];
	unsigned int n;
	uint8_t armed[EAD_MAX_PIPELINES];
	uint8_t ready[EAD_MAX_PIPELINES];
	struct io_uring ring;
	int ring_up;
	pthread_t thread;
	int started;
	atomic_int stop;
	int drain;
};

struct ead_workers {
	unsigned int n;
	struct ead_worker w[];
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The single-UDP-pipeline worker: block in the source. */
static void run_direct(struct ead_worker *w)
{
	struct ead_pipeline *p = w->pipes[0];
	int n, errs = 0;

	while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
		n = ead_pipeline_step(p, TICK_MS);
		if (n < 0 && n != -EINTR && !errs++)
			ead_log(EAD_LOG_ERROR, "[pipeline %s] receive: %s",
				ead_pipeline_name(p), strerror(-n));
		if (n <= 0)
			ead_pipeline_idle(p);
	}
}

static void arm_all(struct ead_worker *w)
{
	unsigned int i;

	for (i = 0; i < w->n; i++) {
		if (w->armed[i] || w->ready[i] ||
		    !ead_pipeline_can_arm(w->pipes[i]))
			continue;
		if (!ead_pipeline_arm(w->pipes[i], &w->ring,
				      edgeaid_ud(EDGEAID_OP_SOURCE, i)))
			w->armed[i] = 1;
	}
}

static unsigned int reap(struct ead_worker *w)
{
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0, i;

	io_uring_for_each_cqe(&w->ring, head, cqe) {
		seen++;
		i = (unsigned int)edgeaid_ud_id(cqe->user_data);
		if (edgeaid_ud_op(cqe->user_data) != EDGEAID_OP_SOURCE ||
		    i >= w->n)
			continue;
		if (!(cqe->flags & IORING_CQE_F_MORE))
			w->armed[i] = 0;
		if (ead_pipeline_woken(w->pipes[i], cqe->res,
				       !!(cqe->flags & IORING_CQE_F_MORE)))
			w->ready[i] = 1;
	}
	io_uring_cq_advance(&w->ring, seen);
	return seen;
}

static void serve_ready(struct ead_worker *w)
{
	unsigned int i, k;
	int n;

	for (i = 0; i < w->n; i++) {
		if (!w->ready[i])
			continue;
		for (k = 0; k < STEP_BURST; k++) {
			n = ead_pipeline_step(w->pipes[i], 0);
			if (n <= 0 || (uint32_t)n < ead_pipeline_batch(w->pipes[i])) {
				w->ready[i] = 0;
				break;
			}
		}
	}
}

static int any_ready(const struct ead_worker *w)
{
	unsigned int i;

	for (i = 0; i < w->n; i++)
		if (w->ready[i])
			return 1;
	return 0;
}

/*
 * A UDP source opened for a worker of its own (not pollable from our
 * ring) that shares this one after a reload: read it each tick, up to
 * STEP_BURST batches.
 */
static void tick_poll(struct ead_worker *w)
{
	unsigned int i, k;
	int n;

	for (i = 0; i < w->n; i++) {
		if (!ead_pipeline_tick_polled(w->pipes[i]))
			continue;
		for (k = 0; k < STEP_BURST; k++) {
			n = ead_pipeline_step(w->pipes[i], 0);
			if (n <= 0 || (uint32_t)n < ead_pipeline_batch(w->pipes[i]))
				break;
		}
	}
}

static void run_loop(struct ead_worker *w)
{
	struct __kernel_timespec tick = { 0, TICK_MS * 1000000LL };
	struct __kernel_timespec zero = { 0, 0 };
	struct io_uring_cqe *cqe;
	uint64_t last_idle = mono_ms(), now;
	unsigned int i;
	int busy;

	for (i = 0; i < w->n; i++)
		if (ead_pipeline_tick_polled(w->pipes[i]))
			ead_log(EAD_LOG_WARN, "[pipeline %s] shares worker %u since the reload: its UDP source is read every %d ms (restart edgeaid to give it a worker of its own)",
				ead_pipeline_name(w->pipes[i]), w->id, TICK_MS);
	while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
		arm_all(w);
		busy = any_ready(w);
		io_uring_submit_and_wait_timeout(&w->ring, &cqe, busy ? 0 : 1,
						 busy ? &zero : &tick, NULL);
		reap(w);
		serve_ready(w);
		now = mono_ms();
		if (now - last_idle >= TICK_MS) {
			last_idle = now;
			tick_poll(w);
			for (i = 0; i < w->n; i++)
				ead_pipeline_idle(w->pipes[i]);
		}
	}
	/* let the module complete our URING_CMD waits before the ring goes */
	for (i = 0; i < w->n; i++)
		if (w->armed[i])
			ead_pipeline_cancel_wait(w->pipes[i]);
	io_uring_submit_and_wait_timeout(&w->ring, &cqe, 1, &tick, NULL);
	reap(w);
}

static void *worker_main(void *arg)
{
	struct ead_worker *w = arg;
	unsigned int i;

	ead_log(EAD_LOG_DEBUG, "worker %u running %u pipeline(s)", w->id, w->n);
	if (w->n == 1 && ead_pipeline_blocking(w->pipes[0]))
		run_direct(w);
	else
		run_loop(w);
	for (i = 0; w->drain && i < w->n; i++)
		ead_pipeline_drain(w->pipes[i]);
	ead_log(EAD_LOG_DEBUG, "worker %u stopped", w->id);
	return NULL;
}

static void pin(struct ead_worker *w)
{
	cpu_set_t set;
	int ret;

	if (w->cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	ret = pthread_setaffinity_np(w->thread, sizeof(set), &set);
	if (ret)
		ead_log(EAD_LOG_WARN, "worker %u: pin to CPU %d: %s", w->id,
			w->cpu, strerror(ret));
}

static int worker_start(struct ead_worker *w)
{
	int ret;

	atomic_init(&w->stop, 0);
	ret = io_uring_queue_init(QUEUE_DEPTH, &w->ring, 0);
	if (ret)
		return ret;
	w->ring_up = 1;
	ret = pthread_create(&w->thread, NULL, worker_main, w);
	if (ret)
		return -ret;
	w->started = 1;
	pin(w);
	return 0;
}

static unsigned int worker_count(unsigned int workers, unsigned int running)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (!workers)
		workers = ncpu < 1 ? 1 : (unsigned int)ncpu;
	return workers > running ? running : workers;
}

/*
 * Pipeline k goes to worker k mod W: it is alone there if no other index
 * maps to it. With fewer running pipelines, W shrinks only when each gets
 * a worker of its own, and the indices shift down: alone stays alone.
 */
int ead_workers_alone(unsigned int idx, unsigned int running,
		      unsigned int workers)
{
	unsigned int w = worker_count(workers, running);

	return idx < w && idx + w >= running;
}

int ead_workers_start(struct ead_pipeline *const *pipes, unsigned int n,
		      unsigned int workers, int pin_cpus,
		      struct ead_workers **wp)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int running = 0, i, k = 0;
	struct ead_workers *ws;
	int ret = 0;

	if (ncpu < 1)
		ncpu = 1;
	for (i = 0; i < n; i++)
		running += !ead_pipeline_disabled(pipes[i]);
	workers = worker_count(workers, running);
	ws = calloc(1, sizeof(*ws) + workers * sizeof(ws->w[0]));
	if (!ws)
		return -ENOMEM;
	ws->n = workers;
	for (i = 0; i < workers; i++) {
		ws->w[i].id = i;
		ws->w[i].cpu = pin_cpus ? (int)(i % (unsigned long)ncpu) : -1;
	}
	for (i = 0; i < n; i++) {
		struct ead_worker *w;

		if (ead_pipeline_disabled(pipes[i])) {
			ead_pipeline_set_worker(pipes[i], -1, -1);
			continue;
		}
		w = &ws->w[k++ % workers];
		w->pipes[w->n++] = pipes[i];
		ead_pipeline_set_worker(pipes[i], (int)w->id, w->cpu);
	}
	for (i = 0; i < workers && !ret; i++) {
		ret = worker_start(&ws->w[i]);
		if (ret)
			ead_log(EAD_LOG_ERROR, "worker %u: %s", i, strerror(-ret));
	}
	*wp = ws;
	if (running)
		ead_log(EAD_LOG_INFO, "%u worker(s) for %u running pipeline(s)%s",
			workers, running, pin_cpus ? ", pinned" : "");
	return ret;
}

void ead_workers_stop(struct ead_workers *ws, int drain)
{
	unsigned int i, j;

	if (!ws)
		return;
	for (i = 0; i < ws->n; i++) {
		ws->w[i].drain = drain;
		atomic_store(&ws->w[i].stop, 1);
	}
	for (i = 0; i < ws->n; i++) {
		struct ead_worker *w = &ws->w[i];

		if (w->started)
			pthread_join(w->thread, NULL);
		if (w->ring_up)
			io_uring_queue_exit(&w->ring);
		for (j = 0; j < w->n; j++)
			ead_pipeline_set_worker(w->pipes[j], -1, -1);
	}
	free(ws);
}

unsigned int ead_workers_count(const struct ead_workers *ws)
{
	return ws ? ws->n : 0;
}
