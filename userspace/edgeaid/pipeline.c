// SPDX-License-Identifier: GPL-2.0
/*
 * One pipeline: a UDP source, a chain of stages, a model and its sinks,
 * served by one worker thread. Everything the worker needs is allocated
 * here, sized from the batch and the dimensions; the worker's loop
 * allocates nothing:
 *
 *	recv up to `batch` packets (one kernel entry)
 *	  -> float matrix [n x elems] (f32 payloads; others dropped "dtype",
 *	     wrong element counts dropped "dim")
 *	  -> stage chain (keys: sensor ids; ids: packet index)
 *	  -> model -> one JSON line per output row -> every sink
 *	release the packets' buffers
 *
 * A pipeline that cannot be built is kept, "disabled", with the reason:
 * it shows in the stats file, and the other pipelines run on.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <edgeai/model.h>
#include <edgeai/stage.h>
#include <edgeai/udp.h>

#include "edgeaid.h"

#define RECV_TIMEOUT_MS	100
#define DRAIN_ROUNDS	64
#define LINE_FIXED	320	/* a result line without prefix and values */
#define VALUE_MAX	18	/* "-1.23456789e-38," */

struct ead_pipeline {
	struct ead_pipeline_conf conf;
	char cfg_path[EAD_PATH_MAX];
	char error[EAD_ERR_LEN];
	int disabled;

	struct edgeai_model *model;
	struct stat model_st;	/* the file when loaded */
	struct edgeai_model_ctx *mctx;
	struct edgeai_stage *stages[EAD_MAX_STAGES];
	uint32_t elems, in_dim, out_dim, max_dim;
	struct edgeai_udp *udp;
	struct ead_sink *sinks[EAD_MAX_SINKS];
	unsigned int n_sinks;

	/* the worker's buffers */
	struct edgeai_udp_pkt *pkts;
	float *x, *buf_a, *buf_b, *y;
	uint32_t *keys, *ids;
	char *out;
	size_t out_cap;
	char prefix[512];	/* "pipeline":..,"model":..,"model_version":.. */

	pthread_t thread;
	int started;
	atomic_int stop;
	int logged_dtype, logged_dim, logged_sink;
	uint64_t src_stats_ns;	/* last edgeai_udp_stats() (a syscall) */

	pthread_mutex_t lock;	/* guards stats */
	struct ead_stats stats;
};

static void disable(struct ead_pipeline *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* snprintf() that may truncate on purpose (messages). */
static void fmt_msg(char *dst, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fmt_msg(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

static void disable(struct ead_pipeline *p, int line, const char *fmt, ...)
{
	char msg[EAD_ERR_LEN - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		fmt_msg(p->error, sizeof(p->error), "%s:%d: [pipeline %s] %s",
			 p->cfg_path, line, p->conf.name, msg);
	else
		fmt_msg(p->error, sizeof(p->error), "[pipeline %s] %s",
			 p->conf.name, msg);
	p->disabled = 1;
	ead_log(EAD_LOG_ERROR, "%s; pipeline disabled", p->error);
}

static int load_model(struct ead_pipeline *p)
{
	char err[EDGEAI_MODEL_ERR_LEN] = "";
	struct edgeai_model_load_opts o = {
		.sz = sizeof(o), .err = err, .errlen = sizeof(err),
	};
	int ret;

	if (stat(p->conf.model, &p->model_st) < 0)
		memset(&p->model_st, 0, sizeof(p->model_st));
	ret = edgeai_model_load(p->conf.model, &o, &p->model);
	if (ret) {
		disable(p, p->conf.model_line, "model = %s: %s%s%s",
			p->conf.model, strerror(-ret), err[0] ? ": " : "", err);
		return ret;
	}
	return 0;
}

static int build_stages(struct ead_pipeline *p)
{
	const struct ead_pipeline_conf *pc = &p->conf;
	char err[256];
	struct edgeai_stage_opts o = {
		.sz = sizeof(o), .errbuf = err, .errbuf_len = sizeof(err),
	};
	uint32_t dim = p->elems;
	unsigned int i;
	int ret;

	for (i = 0; i < pc->n_stages; i++) {
		err[0] = '\0';
		ret = edgeai_stage_new(pc->stages[i], dim, &o, &p->stages[i]);
		if (ret) {
			disable(p, pc->stage_line[i], "stage = %s: %s",
				pc->stages[i], err[0] ? err : strerror(-ret));
			return ret;
		}
		dim = edgeai_stage_out_dim(p->stages[i]);
	}
	p->in_dim = dim;
	p->max_dim = p->elems;
	if (pc->n_stages)
		edgeai_stage_chain_dims(p->stages, pc->n_stages, &p->in_dim,
					&p->max_dim);
	return 0;
}

/* Model, stages and the dimension check: all that --check validates. */
static int build_compute(struct ead_pipeline *p)
{
	const struct ead_pipeline_conf *pc = &p->conf;
	uint32_t mdim;
	int ret;

	ret = load_model(p);
	if (ret)
		return ret;
	mdim = edgeai_model_input_dim(p->model);
	p->out_dim = edgeai_model_output_dim(p->model);
	p->elems = pc->elems ? pc->elems : mdim;
	if (pc->n_stages && !pc->elems) {
		disable(p, pc->line,
			"elems is required with stages (elements per packet)");
		return -EINVAL;
	}
	ret = build_stages(p);
	if (ret)
		return ret;
	if (p->in_dim != mdim) {
		disable(p, pc->model_line,
			"model = %s: model input dim %u != %s %u",
			pc->model, mdim,
			pc->n_stages ? "the stage chain's output dim" :
				       "the packet element count (elems)",
			p->in_dim);
		return -EINVAL;
	}
	return 0;
}

static uint32_t pow2_at_least(uint32_t v)
{
	uint32_t r = 2;

	while (r < v && r < EDGEAI_UDP_MAX_NBUFS)
		r <<= 1;
	return r;
}

static int open_source(struct ead_pipeline *p)
{
	const struct ead_pipeline_conf *pc = &p->conf;
	char err[256] = "";
	struct edgeai_udp_opts o = {
		.sz = sizeof(o), .errbuf = err, .errbuf_len = sizeof(err),
		.require_tag = (uint8_t)pc->require_tag, .any_thread = 1,
	};
	int ret;

	o.nbufs = pow2_at_least(pc->batch * 4 > EDGEAI_UDP_DEFAULT_NBUFS ?
				pc->batch * 4 : EDGEAI_UDP_DEFAULT_NBUFS);
	ret = edgeai_udp_open(pc->source + 4, &o, &p->udp);
	if (ret) {
		disable(p, pc->source_line, "source = %s: %s%s%s", pc->source,
			strerror(-ret), err[0] ? ": " : "", err);
		return ret;
	}
	ead_log(EAD_LOG_INFO, "[pipeline %s] listening on UDP port %d",
		pc->name, edgeai_udp_port(p->udp));
	return 0;
}

static int open_sinks(struct ead_pipeline *p)
{
	const struct ead_pipeline_conf *pc = &p->conf;
	char err[256];
	unsigned int i;
	int ret;

	for (i = 0; i < pc->n_sinks; i++) {
		err[0] = '\0';
		ret = ead_sink_open(pc->sinks[i], &p->sinks[i], err, sizeof(err));
		if (ret) {
			disable(p, pc->sink_line[i], "%s",
				err[0] ? err : strerror(-ret));
			return ret;
		}
		p->n_sinks++;
	}
	return 0;
}

static void make_prefix(struct ead_pipeline *p)
{
	const char *name = edgeai_model_name(p->model);
	const char *ver = edgeai_model_version(p->model);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	fputs("\"pipeline\":", f);
	ead_json_str(f, p->conf.name);
	fputs(",\"model\":", f);
	ead_json_str(f, name ? name : "");
	fputs(",\"model_version\":", f);
	ead_json_str(f, ver ? ver : "");
	fclose(f);
	if (buf && len < sizeof(p->prefix))
		memcpy(p->prefix, buf, len + 1);
	free(buf);
}

static int alloc_buffers(struct ead_pipeline *p)
{
	size_t b = p->conf.batch;
	int ret;

	ret = edgeai_model_ctx_new(p->model, (uint32_t)b, &p->mctx);
	if (ret) {
		disable(p, 0, "model context: %s", strerror(-ret));
		return ret;
	}
	make_prefix(p);
	p->out_cap = b * (LINE_FIXED + strlen(p->prefix) +
			  (size_t)p->out_dim * VALUE_MAX);
	p->pkts = calloc(b, sizeof(*p->pkts));
	p->x = calloc(b * p->elems, sizeof(float));
	p->buf_a = calloc(b * p->max_dim, sizeof(float));
	p->buf_b = calloc(b * p->max_dim, sizeof(float));
	p->y = calloc(b * p->out_dim, sizeof(float));
	p->keys = calloc(b, sizeof(uint32_t));
	p->ids = calloc(b, sizeof(uint32_t));
	p->out = malloc(p->out_cap);
	if (!p->pkts || !p->x || !p->buf_a || !p->buf_b || !p->y ||
	    !p->keys || !p->ids || !p->out) {
		disable(p, 0, "out of memory for batch %zu", b);
		return -ENOMEM;
	}
	return 0;
}

struct ead_pipeline *ead_pipeline_new(const struct ead_pipeline_conf *pc,
				      const char *cfg_path, int check_only)
{
	struct ead_pipeline *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->conf = *pc;
	snprintf(p->cfg_path, sizeof(p->cfg_path), "%s", cfg_path);
	pthread_mutex_init(&p->lock, NULL);
	atomic_init(&p->stop, 0);
	if (pc->bad) {
		disable(p, pc->line, "configuration errors (logged above)");
		return p;
	}
	if (!strncmp(pc->source, "ring:", 5)) {
		disable(p, pc->source_line,
			"source = %s: kernel-ring sources are not supported by this edgeaid yet",
			pc->source);
		return p;
	}
	if (build_compute(p) || check_only)
		return p;
	if (!open_source(p) && !open_sinks(p))
		alloc_buffers(p);
	return p;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Packets into rows of p->x; returns the row count. */
static uint32_t gather(struct ead_pipeline *p, uint32_t n,
		       uint64_t *dtype_drops, uint64_t *dim_drops)
{
	uint32_t i, rows = 0;

	for (i = 0; i < n; i++) {
		const struct edgeai_udp_pkt *k = &p->pkts[i];
		struct edgeai_wire_hdr h;

		memcpy(&h, k->hdr, sizeof(h));
		if (h.dtype != EDGEAI_DTYPE_F32) {
			if (!p->logged_dtype++)
				ead_log(EAD_LOG_WARN,
					"[pipeline %s] sensor %u: dtype %u dropped (only f32 is supported; logged once)",
					p->conf.name, edgeai_le32(h.sensor_id), h.dtype);
			(*dtype_drops)++;
			continue;
		}
		if (edgeai_le16(h.count) != p->elems) {
			if (!p->logged_dim++)
				ead_log(EAD_LOG_WARN,
					"[pipeline %s] sensor %u: %u elements, expected %u: dropped (logged once)",
					p->conf.name, edgeai_le32(h.sensor_id),
					edgeai_le16(h.count), p->elems);
			(*dim_drops)++;
			continue;
		}
		memcpy(p->x + (size_t)rows * p->elems, k->payload,
		       (size_t)p->elems * sizeof(float));
		p->keys[rows] = edgeai_le32(h.sensor_id);
		p->ids[rows] = i;
		rows++;
	}
	return rows;
}

static size_t format_row(struct ead_pipeline *p, char *o, size_t room,
			 uint32_t row, const float *y)
{
	const struct edgeai_udp_pkt *k = &p->pkts[p->ids[row]];
	struct edgeai_wire_hdr h;
	uint32_t tag, j;
	size_t n;
	int w;

	memcpy(&h, k->hdr, sizeof(h));
	tag = edgeai_le32(h.tag);
	w = snprintf(o, room,
		     "{%s,\"sensor\":%u,\"seq\":%u,\"tag\":{\"raw\":%u,\"filtered\":%s,"
		     "\"class\":%u,\"priority\":%u,\"pipeline\":%u},"
		     "\"ts_ns\":%llu,\"rx_ns\":%llu,\"y\":[",
		     p->prefix, edgeai_le32(h.sensor_id), edgeai_le32(h.seq), tag,
		     (tag & EDGEAI_TAG_FILTERED) ? "true" : "false",
		     EDGEAI_TAG_CLASS(tag), EDGEAI_TAG_PRIORITY(tag),
		     EDGEAI_TAG_PIPELINE(tag),
		     (unsigned long long)h.timestamp_ns,
		     (unsigned long long)k->rx_ns);
	if (w < 0 || (size_t)w >= room)
		return 0;
	n = (size_t)w;
	for (j = 0; j < p->out_dim; j++) {
		w = isfinite(y[j]) ?
			snprintf(o + n, room - n, "%s%.9g", j ? "," : "",
				 (double)y[j]) :
			snprintf(o + n, room - n, "%snull", j ? "," : "");
		if (w < 0 || (size_t)w >= room - n)
			return 0;
		n += (size_t)w;
	}
	w = snprintf(o + n, room - n, "]}\n");
	if (w < 0 || (size_t)w >= room - n)
		return 0;
	return n + (size_t)w;
}

static void emit(struct ead_pipeline *p, uint32_t rows, uint64_t *sink_drops)
{
	size_t len = 0, n;
	unsigned int s;
	uint32_t r;
	int ret;

	for (r = 0; r < rows; r++) {
		n = format_row(p, p->out + len, p->out_cap - len, r,
			       p->y + (size_t)r * p->out_dim);
		if (!n) {
			(*sink_drops)++;
			continue;
		}
		len += n;
	}
	for (s = 0; s < p->n_sinks; s++) {
		ret = ead_sink_write(p->sinks[s], p->out, len);
		if (ret < 0 && !p->logged_sink++)
			ead_log(EAD_LOG_WARN, "[pipeline %s] %s: %s (logged once)",
				p->conf.name, p->conf.sinks[s], strerror(-ret));
		if (ret)
			*sink_drops += ret > 0 ? (uint64_t)ret : rows;
	}
}

static void stage_drops(struct ead_pipeline *p, uint64_t *drops)
{
	unsigned int i;

	drops[EAD_DROP_STAGE_MISSING] = 0;
	drops[EAD_DROP_STAGE_KEYS] = 0;
	drops[EAD_DROP_STAGE_WARMUP] = 0;
	for (i = 0; i < p->conf.n_stages; i++) {
		struct edgeai_stage_stats s = { .sz = sizeof(s) };

		if (edgeai_stage_stats(p->stages[i], &s))
			continue;
		drops[EAD_DROP_STAGE_MISSING] += s.drop_missing;
		drops[EAD_DROP_STAGE_KEYS] += s.drop_keys;
		drops[EAD_DROP_STAGE_WARMUP] += s.drop_warmup;
	}
}

/* The source's counters; @now: only if 100 ms have passed (0: always). */
static void source_drops(struct ead_pipeline *p, uint64_t *drops,
			 uint64_t now)
{
	struct edgeai_udp_stats u = { .sz = sizeof(u) };

	if (now && now - p->src_stats_ns < 100000000ull)
		return;
	p->src_stats_ns = now;
	if (edgeai_udp_stats(p->udp, &u))
		return;
	drops[EAD_DROP_SHORT_HDR] = u.short_hdr;
	drops[EAD_DROP_BAD_MAGIC] = u.bad_magic;
	drops[EAD_DROP_BAD_FIELD] = u.bad_field;
	drops[EAD_DROP_BAD_LENGTH] = u.bad_length;
	drops[EAD_DROP_TRUNCATED] = u.truncated;
	drops[EAD_DROP_UNTAGGED] = u.untagged;
	drops[EAD_DROP_SOCKET] = u.socket_drops;
}

/* One received batch: compute, emit, account, release. */
static void process(struct ead_pipeline *p, uint32_t n)
{
	uint64_t dtype = 0, dim = 0, sink = 0, t;
	float *xin;
	uint32_t rows, r;
	int out;

	rows = gather(p, n, &dtype, &dim);
	out = (int)rows;
	xin = p->x;
	if (rows && p->conf.n_stages)
		out = edgeai_stage_chain_run(p->stages, p->conf.n_stages, p->x,
					     rows, p->keys, p->ids, p->buf_a,
					     p->buf_b, &xin);
	if (out > 0 && edgeai_model_run(p->mctx, xin, (uint32_t)out, p->y))
		out = 0;
	if (out > 0)
		emit(p, (uint32_t)out, &sink);
	t = now_ns();

	pthread_mutex_lock(&p->lock);
	p->stats.samples_in += n;
	p->stats.samples_out += out > 0 ? (uint64_t)out : 0;
	p->stats.batches++;
	p->stats.drops[EAD_DROP_DTYPE] += dtype;
	p->stats.drops[EAD_DROP_DIM] += dim;
	p->stats.drops[EAD_DROP_SINK] += sink;
	for (r = 0; out > 0 && r < (uint32_t)out; r++) {
		uint64_t rx = p->pkts[p->ids[r]].rx_ns;

		ead_hist_add(&p->stats, t > rx ? t - rx : 0);
	}
	stage_drops(p, p->stats.drops);
	source_drops(p, p->stats.drops, t);
	pthread_mutex_unlock(&p->lock);

	edgeai_udp_release(p->udp, p->pkts, n);
}

static int recv_batch(struct ead_pipeline *p, int timeout_ms)
{
	int n = edgeai_udp_recv(p->udp, p->pkts, p->conf.batch, timeout_ms);

	if (n > 0)
		process(p, (uint32_t)n);
	return n;
}

static void *worker(void *arg)
{
	struct ead_pipeline *p = arg;
	int n, i, errs = 0;

	ead_log(EAD_LOG_DEBUG, "[pipeline %s] worker running", p->conf.name);
	while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
		n = recv_batch(p, RECV_TIMEOUT_MS);
		if (n < 0 && n != -EINTR && !errs++)
			ead_log(EAD_LOG_ERROR, "[pipeline %s] receive: %s",
				p->conf.name, strerror(-n));
		if (n == 0) {
			pthread_mutex_lock(&p->lock);
			source_drops(p, p->stats.drops, now_ns());
			pthread_mutex_unlock(&p->lock);
		}
	}
	/* drain: what the socket already holds */
	for (i = 0; i < DRAIN_ROUNDS && recv_batch(p, 0) > 0; i++)
		;
	pthread_mutex_lock(&p->lock);
	source_drops(p, p->stats.drops, 0);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < (int)p->n_sinks; i++)
		ead_sink_flush(p->sinks[i]);
	ead_log(EAD_LOG_DEBUG, "[pipeline %s] worker stopped", p->conf.name);
	return NULL;
}

int ead_pipeline_start(struct ead_pipeline *p, int cpu)
{
	int ret;

	if (p->disabled)
		return 0;
	ret = pthread_create(&p->thread, NULL, worker, p);
	if (ret) {
		disable(p, 0, "worker thread: %s", strerror(ret));
		return -ret;
	}
	p->started = 1;
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		ret = pthread_setaffinity_np(p->thread, sizeof(set), &set);
		if (ret)
			ead_log(EAD_LOG_WARN, "[pipeline %s] pin to CPU %d: %s",
				p->conf.name, cpu, strerror(ret));
	}
	ead_log(EAD_LOG_INFO, "[pipeline %s] running: %s -> %u stage(s) -> %s (%s %s) -> %u sink(s), batch %u",
		p->conf.name, p->conf.source, p->conf.n_stages, p->conf.model,
		edgeai_model_name(p->model) ? edgeai_model_name(p->model) : "",
		edgeai_model_version(p->model) ? edgeai_model_version(p->model) : "",
		p->n_sinks, p->conf.batch);
	return 0;
}

void ead_pipeline_stop(struct ead_pipeline *p)
{
	atomic_store(&p->stop, 1);
}

void ead_pipeline_join(struct ead_pipeline *p)
{
	if (!p->started)
		return;
	ead_pipeline_stop(p);
	pthread_join(p->thread, NULL);
	p->started = 0;
}

void ead_pipeline_free(struct ead_pipeline *p)
{
	unsigned int i;

	if (!p)
		return;
	ead_pipeline_join(p);
	for (i = 0; i < p->n_sinks; i++)
		ead_sink_close(p->sinks[i]);
	if (p->udp)
		edgeai_udp_close(p->udp);
	for (i = 0; i < EAD_MAX_STAGES; i++)
		edgeai_stage_free(p->stages[i]);
	edgeai_model_ctx_free(p->mctx);
	edgeai_model_free(p->model);
	free(p->pkts);
	free(p->x);
	free(p->buf_a);
	free(p->buf_b);
	free(p->y);
	free(p->keys);
	free(p->ids);
	free(p->out);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int ead_pipeline_disabled(const struct ead_pipeline *p)
{
	return p->disabled;
}

int ead_pipeline_unchanged(const struct ead_pipeline *p,
			   const struct ead_pipeline_conf *pc)
{
	struct stat st;

	if (p->disabled || !ead_pipeline_conf_equal(&p->conf, pc) ||
	    stat(pc->model, &st) < 0)
		return 0;
	return st.st_ino == p->model_st.st_ino &&
	       st.st_dev == p->model_st.st_dev &&
	       st.st_size == p->model_st.st_size &&
	       st.st_mtim.tv_sec == p->model_st.st_mtim.tv_sec &&
	       st.st_mtim.tv_nsec == p->model_st.st_mtim.tv_nsec;
}

const struct ead_pipeline_conf *ead_pipeline_conf(const struct ead_pipeline *p)
{
	return &p->conf;
}

void ead_pipeline_stats_json(struct ead_pipeline *p, FILE *f)
{
	const char *ver = p->model ? edgeai_model_version(p->model) : NULL;
	struct ead_stats s;
	int i;

	pthread_mutex_lock(&p->lock);
	s = p->stats;
	pthread_mutex_unlock(&p->lock);
	fputs("{\"name\":", f);
	ead_json_str(f, p->conf.name);
	fputs(",\"source\":", f);
	ead_json_str(f, p->conf.source);
	fputs(",\"model\":", f);
	ead_json_str(f, p->conf.model);
	fputs(",\"model_version\":", f);
	if (ver)
		ead_json_str(f, ver);
	else
		fputs("null", f);
	fprintf(f, ",\"state\":\"%s\",\"error\":",
		p->disabled ? "disabled" : "running");
	if (p->disabled)
		ead_json_str(f, p->error);
	else
		fputs("null", f);
	fprintf(f, ",\"samples_in\":%llu,\"samples_out\":%llu,\"drops\":{",
		(unsigned long long)s.samples_in,
		(unsigned long long)s.samples_out);
	for (i = 0; i < EAD_DROP_COUNT; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", ead_drop_name(i),
			(unsigned long long)s.drops[i]);
	fprintf(f, "},\"batches\":%llu,\"latency_ns\":{\"p50\":%llu,\"p90\":%llu,"
		"\"p99\":%llu,\"p999\":%llu,\"max\":%llu,\"count\":%llu}}",
		(unsigned long long)s.batches,
		(unsigned long long)ead_hist_quantile(&s, 0.50),
		(unsigned long long)ead_hist_quantile(&s, 0.90),
		(unsigned long long)ead_hist_quantile(&s, 0.99),
		(unsigned long long)ead_hist_quantile(&s, 0.999),
		(unsigned long long)s.lat_max,
		(unsigned long long)s.lat_count);
}
