/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edgeaid internals shared by its files:
 *
 *   config.c    the INI file (libinih) -> struct ead_config
 *   pipeline.c  a pipeline: source (UDP or kernel ring), stages, model,
 *               sinks; one batch at a time
 *   worker.c    worker threads, one io_uring each, serving pipelines
 *   sink.c      result sinks (JSON lines, UDP/Unix datagrams, result ring)
 *   stats.c     counters, latency histograms, the stats JSON file
 *   control.c   the control socket (edgeaictl pipeline reload)
 *   metrics.c   the optional Prometheus HTTP endpoint
 *   learn.c     online learning (a learner thread per learning pipeline)
 *   edgeaid.c   options, logging, the signal/timer loop, reload
 */
#ifndef EDGEAID_H
#define EDGEAID_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include <liburing.h>

#include <edgeai/model.h>

#define EAD_DEFAULT_CONFIG	"/etc/edgeai/edgeaid.conf"
#define EAD_DEFAULT_STATS	"/run/edgeaid/stats.json"
#define EAD_NAME_MAX		64
#define EAD_PATH_MAX		4096
#define EAD_MAX_STAGES		16
#define EAD_MAX_SINKS		4
#define EAD_MAX_PIPELINES	64
#define EAD_MAX_BATCH		4096
#define EAD_DEFAULT_BATCH	64
#define EAD_DEFAULT_RCVBUF	(4U << 20)	/* rides out a stalled worker */
#define EAD_ERR_LEN		512

/* Log levels (global log_level). */
enum { EAD_LOG_ERROR, EAD_LOG_WARN, EAD_LOG_INFO, EAD_LOG_DEBUG };

void ead_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
extern int ead_log_level;


struct ead_pipeline_conf {
	char name[EAD_NAME_MAX];
	int line;			/* of the section header */
	char source[EAD_PATH_MAX];	/* "udp:..." or "ring:..." */
	int source_line;
	char stages[EAD_MAX_STAGES][512];
	int stage_line[EAD_MAX_STAGES];
	unsigned int n_stages;
	char model[EAD_PATH_MAX];
	int model_line;
	char sinks[EAD_MAX_SINKS][EAD_PATH_MAX];
	int sink_line[EAD_MAX_SINKS];
	unsigned int n_sinks;
	unsigned int batch;
	unsigned int rcvbuf;		/* UDP socket receive buffer, bytes */
	unsigned int elems;		/* 0: the model's input dim */
	int elems_line;
	int require_tag;
	int gro;			/* UDP_GRO: coalesced datagrams */
	int label_last;			/* label = last */
	int learn;			/* learn = yes */
	int learn_adam;			/* learn_optimizer = adam */
	double learn_rate;
	unsigned int learn_batch;
	double learn_publish;		/* seconds */
	char learn_save[EAD_PATH_MAX];
	int learn_line;
	int bad;			/* a config error in this section */
};

struct ead_config {
	char path[EAD_PATH_MAX];
	unsigned int workers;		/* 0: one per online CPU, at most one
					 * per running pipeline */
	int pin;
	int log_level;
	char stats_path[EAD_PATH_MAX];
	char control_path[EAD_PATH_MAX];	/* "" or "none": no socket */
	char prometheus[256];		/* "": no HTTP endpoint */
	struct ead_pipeline_conf *pipes;
	unsigned int n_pipes;
	unsigned int errors;		/* config errors found (logged) */
	unsigned int global_errors;	/* of those, not in a pipeline section */
};

/* Parse @path. Returns 0 (cfg->errors may be > 0), or -errno if unreadable. */
int ead_config_load(const char *path, struct ead_config *cfg);
void ead_config_free(struct ead_config *cfg);
/* Whether two pipeline sections describe the same pipeline. */
int ead_pipeline_conf_equal(const struct ead_pipeline_conf *a,
			    const struct ead_pipeline_conf *b);

/* Histogram: bucket i counts values v with 2^(i-1) <= v < 2^i. */
#define EAD_HIST_BUCKETS	64

struct ead_hist {
	uint64_t b[EAD_HIST_BUCKETS];
	uint64_t count;
	uint64_t max;
	uint64_t sum;
};

/* Add @n values equal to @v. */
void ead_hist_add(struct ead_hist *h, uint64_t v, uint64_t n);
/* Upper bound of the bucket holding quantile @q (0..1), capped at max. */
uint64_t ead_hist_quantile(const struct ead_hist *h, double q);
/* {"p50":..,"p90":..,"p99":..,"p999":..,"max":..,"mean":..,"count":..} */
void ead_hist_json(FILE *f, const struct ead_hist *h);

enum ead_drop {
	EAD_DROP_SHORT_HDR,
	EAD_DROP_BAD_MAGIC,
	EAD_DROP_BAD_FIELD,
	EAD_DROP_BAD_LENGTH,
	EAD_DROP_TRUNCATED,
	EAD_DROP_UNTAGGED,
	EAD_DROP_SOCKET,
	EAD_DROP_DTYPE,
	EAD_DROP_DIM,
	EAD_DROP_STAGE_MISSING,
	EAD_DROP_STAGE_KEYS,
	EAD_DROP_STAGE_WARMUP,
	EAD_DROP_SINK,
	EAD_DROP_RING_FULL,
	EAD_DROP_RING_OVERWRITTEN,
	EAD_DROP_RING_BUSY,
	EAD_DROP_RING_TOO_BIG,
	EAD_DROP_RING_PRODUCER,
	EAD_DROP_COUNT,
};

const char *ead_drop_name(enum ead_drop d);

struct ead_stats {
	uint64_t samples_in;
	uint64_t samples_out;
	uint64_t batches;
	uint64_t drops[EAD_DROP_COUNT];
	uint64_t e2e_skipped;		/* timestamp not on our clock */
	/* A UDP source's receive path (edgeai_udp_stats); udp_valid 0: none */
	int udp_valid;
	uint32_t udp_mode, udp_features;
	uint64_t udp_entries, udp_coalesced, udp_rearms, udp_no_buffers;
	struct ead_hist batch;		/* samples per batch */
	struct ead_hist latency;	/* taken from the source -> result */
	struct ead_hist e2e;		/* sample timestamp -> result */
	struct ead_hist stage[EAD_MAX_STAGES];
	uint64_t stage_in[EAD_MAX_STAGES];
	uint64_t stage_out[EAD_MAX_STAGES];
	struct ead_hist model;
	struct ead_hist sink;
};

/* The device for ring sources and result-ring sinks (-d); NULL: default. */
extern const char *ead_device;

/* Where one result row came from. */
struct ead_row {
	uint64_t seq;
	uint64_t ts_ns;
	uint64_t rx_ns;
	uint32_t sensor;
	uint32_t tag;
	uint32_t flags;		/* the input slot's flags (0 for UDP) */
	uint32_t pad;
};

/* A batch of results, as every sink gets it. */
struct ead_results {
	uint32_t rows;
	uint32_t out_dim;
	const struct ead_row *meta;	/* rows entries */
	const float *y;			/* rows x out_dim */
	const char *text;		/* JSON lines, or NULL if no sink wants them */
	size_t text_len;
	const char *model_version;
	uint32_t model_gen;
	uint32_t pipeline_id;
	uint64_t done_ns;
};

/* Sinks */
struct ead_sink;

/* Open @spec for results of @out_dim values. 0 or -errno (+ @err). */
int ead_sink_open(const char *spec, uint32_t out_dim, struct ead_sink **sp,
		  char *err, size_t errlen);
/* Whether the sink writes the JSON lines text. */
int ead_sink_wants_text(const struct ead_sink *s);
/* Returns 0, the number of results lost (> 0), or -errno (all lost). */
int ead_sink_write(struct ead_sink *s, const struct ead_results *r);
void ead_sink_close(struct ead_sink *s);
/* At exit: destroy the result rings this process created. */
void ead_sink_cleanup(void);

/* Pipelines */
struct ead_pipeline;

/*
 * Build pipeline number @id from @pc: stages, model and the dimension
 * check, and (unless EAD_NEW_CHECK) the source, sinks and buffers. Never
 * fails: a pipeline that cannot run is "disabled" with the reason logged
 * and kept in its stats. NULL only when out of memory. EAD_NEW_ALONE:
 * it will have a worker of its own (ead_workers_alone), so a UDP source
 * need not be pollable by another io_uring and opens with
 * IORING_SETUP_COOP_TASKRUN: its completions do not interrupt the worker
 * with an IPI.
 */
#define EAD_NEW_CHECK	0x1
#define EAD_NEW_ALONE	0x2
struct ead_pipeline *ead_pipeline_new(const struct ead_pipeline_conf *pc,
				      const char *cfg_path, unsigned int id,
				      unsigned int flags);
void ead_pipeline_free(struct ead_pipeline *p);
int ead_pipeline_disabled(const struct ead_pipeline *p);
/* @pc is what @p runs, and its model file has not changed since. */
int ead_pipeline_unchanged(const struct ead_pipeline *p,
			   const struct ead_pipeline_conf *pc);
const struct ead_pipeline_conf *ead_pipeline_conf(const struct ead_pipeline *p);
const char *ead_pipeline_name(const struct ead_pipeline *p);
/* Which worker serves it (-1: none) and where that worker is pinned. */
void ead_pipeline_set_worker(struct ead_pipeline *p, int worker, int cpu);

/*
 * The worker's side. A pipeline whose source is a UDP socket alone on
 * its worker is served by blocking in the source (ead_pipeline_blocking);
 * otherwise the worker arms one wait per pipeline on its io_uring
 * (ead_pipeline_arm: a multishot poll of the UDP source, or the ring's
 * IORING_OP_URING_CMD wait, or a poll of the ring fd) and calls
 * ead_pipeline_step(p, 0) when it completes.
 */
int ead_pipeline_blocking(const struct ead_pipeline *p);
/*
 * A UDP source opened for a worker of its own that shares one after a
 * configuration reload: nothing to arm, the worker reads it each tick.
 */
int ead_pipeline_tick_polled(const struct ead_pipeline *p);
/* 1 if there is something to wait on (the ring may be gone). */
int ead_pipeline_can_arm(const struct ead_pipeline *p);
/* Queue the wait on @ring with @ud; 0 or -errno. */
int ead_pipeline_arm(struct ead_pipeline *p, struct io_uring *ring,
		     uint64_t ud);
/* A wait of ours completed with @res: whether the source is readable. */
int ead_pipeline_woken(struct ead_pipeline *p, int res, int more);
/* Cancel an outstanding IORING_OP_URING_CMD wait (it completes soon). */
void ead_pipeline_cancel_wait(struct ead_pipeline *p);
/*
 * Take and process at most one batch, waiting up to @timeout_ms for it
 * (0: not at all). Returns the samples taken (0: none), or -errno.
 */
int ead_pipeline_step(struct ead_pipeline *p, int timeout_ms);
/* The batch size: a step that took fewer found the source empty. */
uint32_t ead_pipeline_batch(const struct ead_pipeline *p);
/* Housekeeping when idle: source counters, re-attach a lost ring. */
void ead_pipeline_idle(struct ead_pipeline *p);
/* Process what the source holds now, then flush the sinks. */
void ead_pipeline_drain(struct ead_pipeline *p);

/*
 * Hot swap (main thread): load @path (NULL: the running model's file)
 * and check that it fits (same input and output dimensions); the worker
 * switches to it between two batches, so that no sample is lost or
 * processed twice and each result names the generation that computed
 * it. With @at (not 0) the switch waits until the pipeline has taken in
 * @at input samples (samples_in), its batches cut to fall exactly there;
 * -ERANGE if it is past @at already. Returns 0 and the new generation,
 * or -errno with @err: the running model stays.
 */
int ead_pipeline_swap_model(struct ead_pipeline *p, const char *path,
			    uint64_t at, uint32_t *gen, char *err,
			    size_t errlen);
/* Main thread, once a second: free retired models; swap in a changed file. */
void ead_pipeline_tick(struct ead_pipeline *p);
/*
 * Install the loaded model @m (owned from now on, freed on failure) as
 * the next generation, taking over as @at says (see above; 0: at the
 * next batch); @what names where it comes from in the log.
 * Any thread. 0 and *@gen, or -errno with @err.
 */
int ead_pipeline_install_model(struct ead_pipeline *p, struct edgeai_model *m,
			       const char *what, uint64_t at, uint32_t *gen,
			       char *err, size_t errlen);
/* A reference to the running model (edgeai_model_free() it), and its gen. */
struct edgeai_model *ead_pipeline_model_ref(struct ead_pipeline *p,
					    uint32_t *gen);
uint32_t ead_pipeline_model_gen(struct ead_pipeline *p);

/* Online learning (learn.c), one learner thread per learning pipeline. */
struct ead_learn;
struct ead_learn *ead_learn_new(struct ead_pipeline *p,
				const struct ead_pipeline_conf *conf,
				uint32_t dim);
int ead_learn_start(struct ead_learn *l);
void ead_learn_stop(struct ead_learn *l);
void ead_learn_free(struct ead_learn *l);
/* The worker: @n model-input rows, their labels at labels[ids[r]]. */
void ead_learn_push(struct ead_learn *l, const float *rows,
		    const float *labels, const uint32_t *ids, uint32_t n);
void ead_learn_json(struct ead_learn *l, FILE *f);

/* Append the pipeline's JSON object to @f. */
void ead_pipeline_stats_json(struct ead_pipeline *p, FILE *f);

/*
 * The control socket (docs/edgeaid.md, "Control socket"): a Unix
 * SOCK_SEQPACKET socket; one JSON request and one JSON reply per
 * connection. ead_control_open() returns the listening fd or -errno.
 */
#define EAD_DEFAULT_CONTROL	"/run/edgeaid/control.sock"
int ead_control_open(const char *path);
/* Serve one accepted connection @fd (closes it). */
void ead_control_serve(int fd, struct ead_pipeline *const *pipes,
		       unsigned int n);

/* The optional Prometheus endpoint (metrics.c); NULL if it cannot start. */
struct ead_metrics;
struct ead_metrics *ead_metrics_start(const char *spec,
				      const char *stats_path);
void ead_metrics_stop(struct ead_metrics *m);

/* Workers */
struct ead_workers;

/*
 * Start @workers threads (0: one per online CPU, never more than there
 * are running pipelines) and spread the running pipelines of @pipes over
 * them; @pin: worker i on CPU i mod online CPUs. 0 or -errno.
 */
int ead_workers_start(struct ead_pipeline *const *pipes, unsigned int n,
		      unsigned int workers, int pin, struct ead_workers **wp);
/*
 * Whether running pipeline @idx of @running will be alone on its worker
 * with @workers configured; pipelines that fail to start only make that
 * more so.
 */
int ead_workers_alone(unsigned int idx, unsigned int running,
		      unsigned int workers);
/* Stop and join every worker; @drain: first process what is queued. */
void ead_workers_stop(struct ead_workers *w, int drain);
unsigned int ead_workers_count(const struct ead_workers *w);

/* Write the stats file atomically (tmp + rename). 0 or -errno. */
int ead_stats_write(const char *path, long long started,
		    unsigned int workers, struct ead_pipeline *const *pipes,
		    unsigned int n);
/* JSON string escape to @f. */
void ead_json_str(FILE *f, const char *s);

#endif /* EDGEAID_H */
