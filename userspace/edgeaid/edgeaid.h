/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edgeaid internals shared by its files:
 *
 *   config.c    the INI file (libinih) -> struct ead_config
 *   pipeline.c  a pipeline: source, stages, model, sinks, worker thread
 *   sink.c      result sinks (JSON lines to stdout/file, UDP datagrams)
 *   stats.c     counters, the latency histogram, the stats JSON file
 *   edgeaid.c   options, logging, the signal/timer loop, reload
 */
#ifndef EDGEAID_H
#define EDGEAID_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define EAD_DEFAULT_CONFIG	"/etc/edgeai/edgeaid.conf"
#define EAD_DEFAULT_STATS	"/run/edgeaid/stats.json"
#define EAD_NAME_MAX		64
#define EAD_PATH_MAX		4096
#define EAD_MAX_STAGES		16
#define EAD_MAX_SINKS		4
#define EAD_MAX_PIPELINES	64
#define EAD_MAX_BATCH		4096
#define EAD_DEFAULT_BATCH	64
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
	unsigned int elems;		/* 0: the model's input dim */
	int elems_line;
	int require_tag;
	int bad;			/* a config error in this section */
};

struct ead_config {
	char path[EAD_PATH_MAX];
	unsigned int workers;		/* accepted; one thread per pipeline */
	int pin;
	int log_level;
	char stats_path[EAD_PATH_MAX];
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

/* Latency histogram: bucket i counts values v with 2^(i-1) <= v < 2^i. */
#define EAD_HIST_BUCKETS	64

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
	EAD_DROP_COUNT,
};

const char *ead_drop_name(enum ead_drop d);

struct ead_stats {
	uint64_t samples_in;
	uint64_t samples_out;
	uint64_t batches;
	uint64_t drops[EAD_DROP_COUNT];
	uint64_t hist[EAD_HIST_BUCKETS];
	uint64_t lat_count;
	uint64_t lat_max;
};

void ead_hist_add(struct ead_stats *s, uint64_t ns);
/* Upper bound of the bucket holding quantile @q (0..1), capped at max. */
uint64_t ead_hist_quantile(const struct ead_stats *s, double q);

/* Sinks */
struct ead_sink;

int ead_sink_open(const char *spec, struct ead_sink **sp, char *err,
		  size_t errlen);
/* Write @len bytes of JSON lines (one per result, each ending in '\n'). */
int ead_sink_write(struct ead_sink *s, const char *buf, size_t len);
int ead_sink_flush(struct ead_sink *s);
void ead_sink_close(struct ead_sink *s);

/* Pipelines */
struct ead_pipeline;

/*
 * Build a pipeline from @pc: stages, model and the dimension check, and
 * (unless @check_only) the source, sinks and buffers. Never fails: a
 * pipeline that cannot run is "disabled" with the reason logged and kept
 * in ead_pipeline_error(). NULL only when out of memory.
 */
struct ead_pipeline *ead_pipeline_new(const struct ead_pipeline_conf *pc,
				      const char *cfg_path, int check_only);
/* Start the worker thread (no-op for a disabled pipeline). 0 or -errno. */
int ead_pipeline_start(struct ead_pipeline *p, int cpu);
/* Ask the worker to stop: it finishes its batch, flushes sinks. */
void ead_pipeline_stop(struct ead_pipeline *p);
/* Stop and wait for the worker (drained, sinks flushed). */
void ead_pipeline_join(struct ead_pipeline *p);
/* Stop, join and free. */
void ead_pipeline_free(struct ead_pipeline *p);
int ead_pipeline_disabled(const struct ead_pipeline *p);
/* @pc is what @p runs, and its model file has not changed since. */
int ead_pipeline_unchanged(const struct ead_pipeline *p,
			   const struct ead_pipeline_conf *pc);
const struct ead_pipeline_conf *ead_pipeline_conf(const struct ead_pipeline *p);
/* Append the pipeline's JSON object to @f. */
void ead_pipeline_stats_json(struct ead_pipeline *p, FILE *f);

/* Write the stats file atomically (tmp + rename). 0 or -errno. */
int ead_stats_write(const char *path, long long started,
		    struct ead_pipeline *const *pipes, unsigned int n);
/* JSON string escape to @f. */
void ead_json_str(FILE *f, const char *s);

#endif /* EDGEAID_H */
