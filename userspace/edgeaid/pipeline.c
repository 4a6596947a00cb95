// SPDX-License-Identifier: GPL-2.0
/*
 * One pipeline: a source (a UDP socket or a kernel tensor ring), a chain
 * of stages, a model and its sinks. A worker (worker.c) calls
 * ead_pipeline_step() to take and process one batch:
 *
 *	take up to `batch` samples: UDP datagrams (one kernel entry), or
 *	  ring slots read in place (no syscall)
 *	  -> float matrix [n x elems] (any numeric dtype converted to f32,
 *	     ring tensors with a quantization scale dequantized; wrong
 *	     element counts dropped "dim")
 *	  -> each stage in turn (keys: sensor ids; ids: sample index)
 *	  -> model -> every sink (JSON lines formatted once, only if a sink
 *	     wants text; binary results for a result ring)
 *	hand the samples back: release the UDP buffers or the ring slots
 *
 * Every step is timed into its own histogram; results are also timed from
 * the moment the source gave them (latency) and from the sample's own
 * timestamp (e2e). Everything the step needs is allocated when the
 * pipeline is built, sized from the batch and the dimensions: the step
 * allocates nothing.
 *
 * A pipeline that cannot be built is kept, "disabled", with the reason:
 * it shows in the stats file, and the other pipelines run on. A ring
 * source whose ring does not exist (yet, or any more) leaves the pipeline
 * "waiting": it attaches when the ring appears.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>

#include <edgeai/edgeai.h>
#include <edgeai/model.h>
#include <edgeai/stage.h>
#include <edgeai/udp.h>
#include <edgeai/uring.h>

#include "edgeaid.h"
#include "fmt.h"

#define DRAIN_ROUNDS	64
#define LINE_FIXED	400	/* a result line without prefix and values */
#define VALUE_MAX	18	/* "-1.23456789e-38," */
#define LINE_SLACK	32	/* written past a line's end: see format_row() */
/* The most a line with @out_dim values takes, with the longest prefix. */
#define LINE_MAX(out_dim) \
	(LINE_FIXED + sizeof(((struct ead_pipeline *)0)->prefix) + \
	 (size_t)(out_dim) * VALUE_MAX + LINE_SLACK)
#define SRC_STATS_NS	100000000ull	/* source counters: every 100 ms */
#define REATTACH_NS	1000000000ull	/* a missing ring: look every 1 s */
#define WAIT_NS		1000000000ull	/* IORING_OP_URING_CMD wait timeout */
#define E2E_MAX_NS	(60ull * 1000000000ull)
#define GRO_MAX_NBUFS	256	/* gro = yes: at most 16 MiB of buffers */

enum src_kind { SRC_UDP, SRC_RING };

struct model_swap {
	struct edgeai_model *model;
	struct edgeai_model_ctx *mctx;
	uint32_t gen;
	uint64_t at;	/* takes over once samples_in reaches this */
	char prefix[512];
	char version[64];
};

struct ead_pipeline {
	struct ead_pipeline_conf conf;
	char cfg_path[EAD_PATH_MAX];
	char error[EAD_ERR_LEN];
	int disabled;
	unsigned int id;
	int worker, cpu;

	struct edgeai_model *model;
	struct edgeai_model_ctx *mctx;
	uint32_t model_gen;
	/*
	 * Hot swap: the main thread loads and checks the next model into a
	 * struct model_swap and publishes it in @next; the worker takes it
	 * between two batches and hands the old model back through
	 * @retired, which the main thread frees. Every result names the
	 * generation that computed it.
	 */
	_Atomic(struct model_swap *) next;
	_Atomic(struct model_swap *) retired;
	char model_path[EAD_PATH_MAX];	/* of the running (or next) model */
	struct stat model_st;		/* that file when last loaded */
	atomic_uint gen_counter;	/* generations handed out */
	struct ead_learn *learn;	/* learn = yes */
	char model_version[64];		/* for the stats file (under lock) */
	struct edgeai_stage *stages[EAD_MAX_STAGES];
	uint32_t elems, in_dim, out_dim, max_dim;
	uint32_t feat;		/* features per sample: elems, less the label */

	enum src_kind kind;
	struct edgeai_udp *udp;
	int alone;		/* opened for a worker of its own */
	/* ring source */
	char ring_name[EDGEAI_NAME_LEN];
	struct edgeai_ring *ring;
	uint32_t ring_dtype, ring_esize;
	int ring_quant;
	float ring_scale;
	int32_t ring_zp;
	int ring_overwrite;
	int ring_uring;		/* the module has EDGEAI_FEAT_URING_CMD */
	int ring_waiting;	/* an IORING_OP_URING_CMD wait is queued */
	uint64_t ring_retry_ns;
	uint64_t ring_base[EDGEAI_DROP_MAX];	/* drops before we attached */
	uint64_t ring_drops[EDGEAI_DROP_MAX];

	struct ead_sink *sinks[EAD_MAX_SINKS];
	unsigned int n_sinks;
	int want_text;

	/* the step's buffers */
	struct edgeai_udp_pkt *pkts;
	struct ead_row *in_rows, *out_rows;
	float *x, *buf_a, *buf_b, *y;
	float *labels, *row_tmp;	/* label = last */
	uint32_t *keys, *ids;
	char *out;
	size_t out_cap;
	char prefix[512];	/* "pipeline":..,"model":..,"model_version":.. */

	int logged_dtype, logged_dim, logged_sink, logged_src;
	uint64_t src_stats_ns;	/* last source counters (a syscall) */
	uint64_t stage_logged_ns;	/* last stage-drop warning */
	uint64_t stage_logged[3];	/* missing, keys: counts then */

	pthread_mutex_t lock;	/* guards stats and state */
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

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* ---- building --------------------------------------------------------- */

static int make_prefix(const struct ead_pipeline *p,
		       const struct edgeai_model *model, char *prefix,
		       size_t len_max, size_t *need);

/* What a model that does not fit a result line's prefix is told. */
#define PREFIX_TOO_LONG	"the pipeline's and the model's names and version take %zu bytes " \
	"of JSON in each result line, more than %zu"

static int load_model(struct ead_pipeline *p)
{
	char err[EDGEAI_MODEL_ERR_LEN] = "";
	struct edgeai_model_load_opts o = {
		.sz = sizeof(o), .err = err, .errlen = sizeof(err),
	};
	size_t need = 0;
	int ret;

	snprintf(p->model_path, sizeof(p->model_path), "%s", p->conf.model);
	if (stat(p->conf.model, &p->model_st) < 0)
		memset(&p->model_st, 0, sizeof(p->model_st));
	ret = edgeai_model_load(p->conf.model, &o, &p->model);
	if (ret) {
		disable(p, p->conf.model_line, "model = %s: %s%s%s",
			p->conf.model, strerror(-ret), err[0] ? ": " : "", err);
		return ret;
	}
	ret = make_prefix(p, p->model, p->prefix, sizeof(p->prefix), &need);
	if (ret == -ENAMETOOLONG)
		disable(p, p->conf.model_line, "model = %s: " PREFIX_TOO_LONG,
			p->conf.model, need - 1, sizeof(p->prefix) - 1);
	else if (ret)
		disable(p, p->conf.model_line, "model = %s: %s", p->conf.model,
			strerror(-ret));
	if (ret)
		return ret;
	p->model_gen = 1;
	atomic_store(&p->gen_counter, 1);
	snprintf(p->model_version, sizeof(p->model_version), "%s",
		 edgeai_model_version(p->model) ? edgeai_model_version(p->model) : "");
	return 0;
}

static int build_stages(struct ead_pipeline *p)
{
	const struct ead_pipeline_conf *pc = &p->conf;
	char err[256];
	struct edgeai_stage_opts o = {
		.sz = sizeof(o), .errbuf = err, .errbuf_len = sizeof(err),
	};
	uint32_t dim = p->feat;
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
	p->max_dim = p->feat;
	if (pc->n_stages)
		edgeai_stage_chain_dims(p->stages, pc->n_stages, &p->in_dim,
					&p->max_dim);
	return 0;
}

/*
 * Model, stages and the dimension check: all that --check validates.
 * @src_elems: elements per sample the source reported (0: unknown).
 */
static int build_compute(struct ead_pipeline *p, uint32_t src_elems)
{
	const struct ead_pipeline_conf *pc = &p->conf;
	uint32_t mdim;
	int ret;

	ret = load_model(p);
	if (ret)
		return ret;
	mdim = edgeai_model_input_dim(p->model);
	p->out_dim = edgeai_model_output_dim(p->model);
	if (src_elems && pc->elems && src_elems != pc->elems) {
		disable(p, pc->elems_line,
			"elems = %u, but ring %s carries %u elements per slot",
			pc->elems, p->ring_name, src_elems);
		return -EINVAL;
	}
	p->elems = pc->elems ? pc->elems : src_elems ? src_elems :
		   mdim + !!pc->label_last;
	if (pc->label_last && p->elems < 2) {
		disable(p, pc->line, "label = last needs at least 2 elements per sample");
		return -EINVAL;
	}
	p->feat = p->elems - !!pc->label_last;
	if (pc->n_stages && !pc->elems && !src_elems) {
		disable(p, pc->line, p->kind == SRC_RING ?
			"elems is required with stages while ring %s does not exist" :
			"elems is required with stages (elements per packet)%s",
			p->kind == SRC_RING ? p->ring_name : "");
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
			pc->label_last ? "the features per sample (elems less the label)" :
			src_elems ? "the ring's elements per slot" :
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

static int open_udp(struct ead_pipeline *p)
{
	const struct ead_pipeline_conf *pc = &p->conf;
	char err[256] = "";
	struct edgeai_udp_opts o = {
		.sz = sizeof(o), .errbuf = err, .errbuf_len = sizeof(err),
		.require_tag = (uint8_t)pc->require_tag, .any_thread = 1,
		.pollable = !p->alone, .rcvbuf = pc->rcvbuf,
	};
	int ret;

	o.nbufs = pow2_at_least(pc->batch * 4 > EDGEAI_UDP_DEFAULT_NBUFS ?
				pc->batch * 4 : EDGEAI_UDP_DEFAULT_NBUFS);
	if (pc->gro) {
		/*
		 * 64 KiB buffers, each for a whole coalesced datagram: twice
		 * a batch of them, so that a batch of datagrams that came one
		 * by one (nothing coalesced) still leaves the kernel room; at
		 * most GRO_MAX_NBUFS (16 MiB, populated at open): past that a
		 * batch of uncoalesced datagrams is just taken in parts.
		 */
		o.gro = 1;
		o.nbufs = pow2_at_least(pc->batch * 2 > EDGEAI_UDP_GRO_NBUFS ?
					pc->batch * 2 : EDGEAI_UDP_GRO_NBUFS);
		if (o.nbufs > GRO_MAX_NBUFS)
			o.nbufs = GRO_MAX_NBUFS;
	}
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

static uint32_t desc_elems(const struct edgeai_tensor_desc *d)
{
	uint32_t i, n = 1;

	if (!d->rank)
		return 0;
	for (i = 0; i < d->rank && i < EDGEAI_MAX_RANK; i++)
		n *= d->shape[i];
	return n;
}

/*
 * Attach to the ring as its consumer. Returns 0, -ENOENT (no such ring
 * or no module: the pipeline waits), or another -errno with @why set.
 */
static int ring_attach(struct ead_pipeline *p, uint32_t want_elems,
		       char *why, size_t whylen)
{
	struct edgeai_ring_opts o = {
		.sz = sizeof(o), .role = EDGEAI_ROLE_CONSUMER, .watermark = 1,
		.dev_path = ead_device,
	};
	const struct edgeai_ring_info *info;
	struct edgeai_ring_stats rs = { .size = sizeof(rs) };
	struct edgeai_info di = { .size = sizeof(di) };
	struct edgeai_dev *dev;
	struct edgeai_ring *r;
	uint32_t elems;
	int ret;

	ret = edgeai_ring_open(p->ring_name, &o, &r);
	if (ret) {
		fmt_msg(why, whylen, "%s%s", strerror(-ret),
			ret == -EBUSY ? " (the ring has a consumer already)" :
			ret == -ENOENT ? " (no such ring, or edgeai.ko not loaded)" : "");
		return ret == -ENODEV ? -ENOENT : ret;
	}
	info = edgeai_ring_get_info(r);
	elems = desc_elems(&info->desc);
	if (!elems || !edgeai_dtype_size(info->desc.dtype)) {
		fmt_msg(why, whylen,
			"the ring carries opaque bytes (rank 0): a pipeline needs a tensor");
		ret = -EINVAL;
	} else if (want_elems && elems != want_elems) {
		fmt_msg(why, whylen, "the ring carries %u elements per slot, the pipeline expects %u",
			elems, want_elems);
		ret = -EINVAL;
	} else if ((uint64_t)elems * edgeai_dtype_size(info->desc.dtype) >
		   info->slot_size) {
		fmt_msg(why, whylen, "the tensor does not fit the slots");
		ret = -EINVAL;
	}
	if (ret) {
		edgeai_ring_close(r);
		return ret;
	}
	p->ring_dtype = info->desc.dtype;
	p->ring_esize = (uint32_t)edgeai_dtype_size(info->desc.dtype);
	p->ring_quant = !!(info->desc.flags & EDGEAI_TENSOR_F_QUANT);
	memcpy(&p->ring_scale, &info->desc.scale_f32, sizeof(p->ring_scale));
	p->ring_zp = info->desc.zero_point;
	p->ring_overwrite = !!(info->ring_flags & EDGEAI_RING_F_OVERWRITE);
	p->ring_uring = 0;
	if (!edgeai_dev_open(ead_device, &dev)) {
		if (!edgeai_dev_info(dev, &di))
			p->ring_uring = !!(di.features & EDGEAI_FEAT_URING_CMD);
		edgeai_dev_close(dev);
	}
	/* drops from before we attached are not this pipeline's */
	if (!edgeai_ring_stats(r, &rs))
		memcpy(p->ring_base, rs.drops, sizeof(p->ring_base));
	p->ring = r;
	p->ring_waiting = 0;
	ead_log(EAD_LOG_INFO,
		"[pipeline %s] consuming ring %s (%u x %s per slot, %u slots, waits through %s)",
		p->conf.name, p->ring_name, elems,
		edgeai_dtype_name(p->ring_dtype), info->slot_count,
		p->ring_uring ? "IORING_OP_URING_CMD" : "IORING_OP_POLL_ADD");
	return 0;
}

/* Run mode: attach now, or leave the pipeline waiting for the ring. */
static int open_ring_source(struct ead_pipeline *p, uint32_t *elems)
{
	char why[256];
	int ret;

	ret = ring_attach(p, p->conf.elems, why, sizeof(why));
	if (!ret) {
		*elems = desc_elems(&edgeai_ring_get_info(p->ring)->desc);
		return 0;
	}
	if (ret != -ENOENT) {
		disable(p, p->conf.source_line, "source = %s: %s", p->conf.source,
			why);
		return ret;
	}
	ead_log(EAD_LOG_WARN, "[pipeline %s] source = %s: %s; waiting for it",
		p->conf.name, p->conf.source, why);
	p->logged_src = 1;
	p->ring_retry_ns = now_ns() + REATTACH_NS;
	*elems = 0;
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
		ret = ead_sink_open(pc->sinks[i], p->out_dim, &p->sinks[i], err,
				    sizeof(err));
		if (ret) {
			disable(p, pc->sink_line[i], "%s",
				err[0] ? err : strerror(-ret));
			return ret;
		}
		p->n_sinks++;
		p->want_text |= ead_sink_wants_text(p->sinks[i]);
	}
	return 0;
}

/*
 * The result lines' "pipeline":..,"model":..,"model_version":.. for
 * @model into @prefix (@len_max bytes with the NUL). Returns 0, or
 * -ENAMETOOLONG (@prefix unchanged; *@need: the bytes it would take) or
 * -ENOMEM.
 */
static int make_prefix(const struct ead_pipeline *p,
		       const struct edgeai_model *model, char *prefix,
		       size_t len_max, size_t *need)
{
	const char *name = edgeai_model_name(model);
	const char *ver = edgeai_model_version(model);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret = 0;

	if (!f)
		return -ENOMEM;
	fputs("\"pipeline\":", f);
	ead_json_str(f, p->conf.name);
	fputs(",\"model\":", f);
	ead_json_str(f, name ? name : "");
	fputs(",\"model_version\":", f);
	ead_json_str(f, ver ? ver : "");
	if (fclose(f) || !buf) {
		free(buf);
		return -ENOMEM;
	}
	if (need)
		*need = len + 1;
	if (len < len_max)
		memcpy(prefix, buf, len + 1);
	else
		ret = -ENAMETOOLONG;
	free(buf);
	return ret;
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
	/* p->prefix: load_model(); room for any model's prefix: a hot swap may bring a longer one */
	p->out_cap = b * LINE_MAX(p->out_dim);
	p->pkts = calloc(b, sizeof(*p->pkts));
	p->in_rows = calloc(b, sizeof(*p->in_rows));
	p->out_rows = calloc(b, sizeof(*p->out_rows));
	p->x = calloc(b * p->feat, sizeof(float));
	p->labels = calloc(b, sizeof(float));
	p->row_tmp = calloc(p->elems, sizeof(float));
	p->buf_a = calloc(b * p->max_dim, sizeof(float));
	p->buf_b = calloc(b * p->max_dim, sizeof(float));
	p->y = calloc(b * p->out_dim, sizeof(float));
	p->keys = calloc(b, sizeof(uint32_t));
	p->ids = calloc(b, sizeof(uint32_t));
	p->out = p->want_text ? malloc(p->out_cap) : NULL;
	if (!p->pkts || !p->in_rows || !p->out_rows || !p->x || !p->buf_a ||
	    !p->labels || !p->row_tmp ||
	    !p->buf_b || !p->y || !p->keys || !p->ids ||
	    (p->want_text && !p->out)) {
		disable(p, 0, "out of memory for batch %zu", b);
		return -ENOMEM;
	}
	return 0;
}

struct ead_pipeline *ead_pipeline_new(const struct ead_pipeline_conf *pc,
				      const char *cfg_path, unsigned int id,
				      unsigned int flags)
{
	int check_only = !!(flags & EAD_NEW_CHECK);
	struct ead_pipeline *p = calloc(1, sizeof(*p));
	uint32_t src_elems = 0;

	if (!p)
		return NULL;
	p->conf = *pc;
	p->id = id;
	p->alone = !!(flags & EAD_NEW_ALONE);
	p->worker = -1;
	p->cpu = -1;
	snprintf(p->cfg_path, sizeof(p->cfg_path), "%s", cfg_path);
	pthread_mutex_init(&p->lock, NULL);
	if (pc->bad) {
		disable(p, pc->line, "configuration errors (logged above)");
		return p;
	}
	if (!strncmp(pc->source, "ring:", 5)) {
		p->kind = SRC_RING;
		if (!pc->source[5] || strlen(pc->source + 5) >= EDGEAI_NAME_LEN) {
			disable(p, pc->source_line,
				"source = %s: a ring name is 1..%d characters",
				pc->source, EDGEAI_NAME_LEN - 1);
			return p;
		}
		snprintf(p->ring_name, sizeof(p->ring_name), "%s", pc->source + 5);
		if (!check_only && open_ring_source(p, &src_elems))
			return p;
	} else {
		p->kind = SRC_UDP;
	}
	if (build_compute(p, src_elems) || check_only)
		return p;
	if ((p->kind == SRC_RING || !open_udp(p)) && !open_sinks(p) &&
	    !alloc_buffers(p) && pc->learn) {
		p->learn = ead_learn_new(p, &p->conf, p->in_dim);
		if (!p->learn || ead_learn_start(p->learn))
			disable(p, pc->learn_line, "learn: cannot start the learner");
	}
	return p;
}

static void swap_free(struct model_swap *sw)
{
	if (!sw)
		return;
	edgeai_model_ctx_free(sw->mctx);
	edgeai_model_free(sw->model);
	free(sw);
}

void ead_pipeline_free(struct ead_pipeline *p)
{
	unsigned int i;

	if (!p)
		return;
	ead_learn_free(p->learn);	/* first: it uses the model */
	for (i = 0; i < p->n_sinks; i++)
		ead_sink_close(p->sinks[i]);
	edgeai_udp_close(p->udp);
	edgeai_ring_close(p->ring);
	for (i = 0; i < EAD_MAX_STAGES; i++)
		edgeai_stage_free(p->stages[i]);
	edgeai_model_ctx_free(p->mctx);
	edgeai_model_free(p->model);
	swap_free(atomic_exchange(&p->next, NULL));
	swap_free(atomic_exchange(&p->retired, NULL));
	free(p->pkts);
	free(p->in_rows);
	free(p->out_rows);
	free(p->x);
	free(p->labels);
	free(p->row_tmp);
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
	/* a changed model file is swapped in place (ead_pipeline_tick) */
	return !p->disabled && ead_pipeline_conf_equal(&p->conf, pc);
}

/* ---- hot model swap --------------------------------------------------- */

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int ead_pipeline_install_model(struct ead_pipeline *p, struct edgeai_model *m,
			       const char *what, uint64_t at, uint32_t *gen,
			       char *err, size_t errlen)
{
	struct model_swap *sw = calloc(1, sizeof(*sw));
	const char *ver;
	size_t need = 0;
	int ret;

	if (!sw) {
		edgeai_model_free(m);
		snprintf(err, errlen, "%s: out of memory", what);
		return -ENOMEM;
	}
	sw->model = m;
	sw->at = at;
	if (edgeai_model_input_dim(m) != p->in_dim ||
	    edgeai_model_output_dim(m) != p->out_dim) {
		snprintf(err, errlen,
			 "%s: the model maps %u inputs to %u outputs; pipeline %s needs %u to %u",
			 what, edgeai_model_input_dim(m),
			 edgeai_model_output_dim(m), p->conf.name,
			 p->in_dim, p->out_dim);
		ret = -EINVAL;
		goto fail;
	}
	ret = edgeai_model_ctx_new(m, p->conf.batch, &sw->mctx);
	if (ret) {
		snprintf(err, errlen, "%s: model context: %s", what,
			 strerror(-ret));
		goto fail;
	}
	ret = make_prefix(p, m, sw->prefix, sizeof(sw->prefix), &need);
	if (ret == -ENAMETOOLONG)
		snprintf(err, errlen, "%s: " PREFIX_TOO_LONG, what, need - 1,
			 sizeof(sw->prefix) - 1);
	else if (ret)
		snprintf(err, errlen, "%s: %s", what, strerror(-ret));
	if (ret)
		goto fail;
	ver = edgeai_model_version(m);
	snprintf(sw->version, sizeof(sw->version), "%s", ver ? ver : "");
	sw->gen = atomic_fetch_add(&p->gen_counter, 1) + 1;
	/* a swap the worker has not taken yet is superseded */
	swap_free(atomic_exchange(&p->next, sw));
	if (at)
		ead_log(EAD_LOG_INFO, "[pipeline %s] model %s (version %s) loaded as generation %u; it takes over after input sample %llu",
			p->conf.name, what, sw->version, sw->gen,
			(unsigned long long)at);
	else
		ead_log(EAD_LOG_INFO, "[pipeline %s] model %s (version %s) loaded as generation %u; it takes over between two batches",
			p->conf.name, what, sw->version, sw->gen);
	*gen = sw->gen;
	return 0;
fail:
	swap_free(sw);
	return ret;
}

int ead_pipeline_swap_model(struct ead_pipeline *p, const char *path,
			    uint64_t at, uint32_t *gen, char *err,
			    size_t errlen)
{
	char lerr[EDGEAI_MODEL_ERR_LEN] = "";
	struct edgeai_model_load_opts o = {
		.sz = sizeof(o), .err = lerr, .errlen = sizeof(lerr),
	};
	struct edgeai_model *m;
	struct stat st;
	int ret;

	if (p->disabled || !p->mctx) {
		snprintf(err, errlen, "pipeline %s is not running%s%s",
			 p->conf.name, p->disabled ? ": " : "",
			 p->disabled ? p->error : "");
		return -EINVAL;
	}
	if (at) {
		uint64_t in;

		pthread_mutex_lock(&p->lock);
		in = p->stats.samples_in;
		pthread_mutex_unlock(&p->lock);
		if (in > at) {
			snprintf(err, errlen,
				 "pipeline %s has taken in %llu samples already: at_sample %llu is past",
				 p->conf.name, (unsigned long long)in,
				 (unsigned long long)at);
			return -ERANGE;
		}
	}
	if (!path)
		path = p->model_path;
	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof(st));
	ret = edgeai_model_load(path, &o, &m);
	if (ret)
		snprintf(err, errlen, "%s: %s%s%s", path, strerror(-ret),
			 lerr[0] ? ": " : "", lerr);
	else
		ret = ead_pipeline_install_model(p, m, path, at, gen, err,
						 errlen);
	if (ret) {
		ead_log(EAD_LOG_ERROR, "[pipeline %s] model not swapped, generation %u keeps running: %s",
			p->conf.name, ead_pipeline_model_gen(p), err);
		return ret;
	}
	if (path != p->model_path)
		snprintf(p->model_path, sizeof(p->model_path), "%s", path);
	p->model_st = st;
	return 0;
}

struct edgeai_model *ead_pipeline_model_ref(struct ead_pipeline *p,
					    uint32_t *gen)
{
	struct edgeai_model *m;

	pthread_mutex_lock(&p->lock);
	m = p->model ? edgeai_model_ref(p->model) : NULL;
	*gen = p->model_gen;
	pthread_mutex_unlock(&p->lock);
	return m;
}

uint32_t ead_pipeline_model_gen(struct ead_pipeline *p)
{
	uint32_t gen;

	pthread_mutex_lock(&p->lock);
	gen = p->model_gen;
	pthread_mutex_unlock(&p->lock);
	return gen;
}

/*
 * The worker, between two batches: take a waiting model in, unless it is
 * scheduled for later (at_sample). Returns how many input samples the
 * next batch may take before a scheduled swap is due (UINT32_MAX: no
 * limit), so that the swap falls exactly on its sample.
 */
static uint32_t swap_in(struct ead_pipeline *p)
{
	struct model_swap *sw, *none;
	uint64_t left;

	for (;;) {
		sw = atomic_exchange(&p->next, NULL);
		if (!sw)
			return UINT32_MAX;
		if (sw->at <= p->stats.samples_in)	/* only we write it */
			break;
		left = sw->at - p->stats.samples_in;
		none = NULL;
		/* not yet: put it back, unless a newer one came meanwhile */
		if (atomic_compare_exchange_strong(&p->next, &none, sw))
			return left < UINT32_MAX ? (uint32_t)left : UINT32_MAX;
		swap_free(sw);	/* superseded: look at the newer one */
	}
	pthread_mutex_lock(&p->lock);
	{
		struct edgeai_model *m = p->model;
		struct edgeai_model_ctx *c = p->mctx;

		p->model = sw->model;
		p->mctx = sw->mctx;
		p->model_gen = sw->gen;
		memcpy(p->prefix, sw->prefix, sizeof(p->prefix));
		memcpy(p->model_version, sw->version, sizeof(p->model_version));
		/* the swap record carries the old model back */
		sw->model = m;
		sw->mctx = c;
	}
	pthread_mutex_unlock(&p->lock);
	swap_free(atomic_exchange(&p->retired, sw));
	return UINT32_MAX;
}

void ead_pipeline_tick(struct ead_pipeline *p)
{
	char err[EAD_ERR_LEN];
	struct stat st;
	uint32_t gen;

	swap_free(atomic_exchange(&p->retired, NULL));
	if (p->disabled || !p->mctx || stat(p->model_path, &st) < 0 ||
	    same_file(&st, &p->model_st))
		return;
	ead_log(EAD_LOG_INFO, "[pipeline %s] %s changed: swapping it in",
		p->conf.name, p->model_path);
	if (ead_pipeline_swap_model(p, NULL, 0, &gen, err, sizeof(err)))
		p->model_st = st;	/* not again until it changes again */
}

const struct ead_pipeline_conf *ead_pipeline_conf(const struct ead_pipeline *p)
{
	return &p->conf;
}

const char *ead_pipeline_name(const struct ead_pipeline *p)
{
	return p->conf.name;
}

void ead_pipeline_set_worker(struct ead_pipeline *p, int worker, int cpu)
{
	pthread_mutex_lock(&p->lock);
	p->worker = worker;
	p->cpu = cpu;
	pthread_mutex_unlock(&p->lock);
}

/* ---- one batch -------------------------------------------------------- */

static float half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
	float f;

	if (!exp) {
		/* zero or subnormal: man * 2^-24 */
		f = ldexpf((float)man, -24);
		return sign ? -f : f;
	}
	if (exp == 31)
		bits = sign | 0x7f800000 | (man << 13);
	else
		bits = sign | ((exp + 112) << 23) | (man << 13);
	memcpy(&f, &bits, sizeof(f));
	return f;
}

/*
 * @n elements of @dtype at @src (any alignment, host byte order) as
 * floats at @dst. Returns 0, or -1 for a dtype we do not convert.
 */
static int to_f32(float *dst, const void *src, uint32_t dtype, uint32_t n)
{
	const unsigned char *s = src;
	uint32_t i;

#define CONVERT(type) do {					\
		type v_;					\
		for (i = 0; i < n; i++) {			\
			memcpy(&v_, s + i * sizeof(type), sizeof(type)); \
			dst[i] = (float)v_;			\
		}						\
	} while (0)
	switch (dtype) {
	case EDGEAI_DTYPE_F32:
		memcpy(dst, src, (size_t)n * sizeof(float));
		return 0;
	case EDGEAI_DTYPE_U8:
		CONVERT(uint8_t);
		return 0;
	case EDGEAI_DTYPE_I8:
		CONVERT(int8_t);
		return 0;
	case EDGEAI_DTYPE_U16:
		CONVERT(uint16_t);
		return 0;
	case EDGEAI_DTYPE_I16:
		CONVERT(int16_t);
		return 0;
	case EDGEAI_DTYPE_U32:
		CONVERT(uint32_t);
		return 0;
	case EDGEAI_DTYPE_I32:
		CONVERT(int32_t);
		return 0;
	case EDGEAI_DTYPE_F64:
		CONVERT(double);
		return 0;
	case EDGEAI_DTYPE_F16: {
		uint16_t h;

		for (i = 0; i < n; i++) {
			memcpy(&h, s + 2 * i, 2);
			dst[i] = half_to_float(h);
		}
		return 0;
	}
	}
#undef CONVERT
	return -1;
}

static void drop_dim(struct ead_pipeline *p, uint32_t sensor, uint32_t got,
		     uint64_t *dim_drops)
{
	if (!p->logged_dim++)
		ead_log(EAD_LOG_WARN,
			"[pipeline %s] sensor %u: %u elements, expected %u: dropped (logged once)",
			p->conf.name, sensor, got, p->elems);
	(*dim_drops)++;
}

/* Where a sample's elements are converted to: its row, or the scratch row. */
static float *row_dst(struct ead_pipeline *p, uint32_t row)
{
	return p->conf.label_last ? p->row_tmp : p->x + (size_t)row * p->feat;
}

/* label = last: the features to the row, the last element to labels[]. */
static void finish_row(struct ead_pipeline *p, uint32_t row, uint32_t sample)
{
	if (!p->conf.label_last) {
		p->labels[sample] = NAN;
		return;
	}
	memcpy(p->x + (size_t)row * p->feat, p->row_tmp,
	       (size_t)p->feat * sizeof(float));
	p->labels[sample] = p->row_tmp[p->feat];
}

/* Datagrams into rows of p->x; returns the row count. */
static uint32_t gather_udp(struct ead_pipeline *p, uint32_t n,
			   uint64_t *dtype_drops, uint64_t *dim_drops)
{
	uint32_t i, rows = 0;

	for (i = 0; i < n; i++) {
		const struct edgeai_udp_pkt *k = &p->pkts[i];
		struct ead_row *m = &p->in_rows[i];
		struct edgeai_wire_hdr h;

		memcpy(&h, k->hdr, sizeof(h));
		m->sensor = edgeai_le32(h.sensor_id);
		m->seq = edgeai_le32(h.seq);
		m->tag = edgeai_le32(h.tag);
		m->ts_ns = h.timestamp_ns;
		m->rx_ns = k->rx_ns;
		m->flags = 0;
		if (edgeai_le16(h.count) != p->elems) {
			drop_dim(p, m->sensor, edgeai_le16(h.count), dim_drops);
			continue;
		}
		if (to_f32(row_dst(p, rows), k->payload, h.dtype, p->elems)) {
			if (!p->logged_dtype++)
				ead_log(EAD_LOG_WARN,
					"[pipeline %s] sensor %u: dtype %u dropped (logged once)",
					p->conf.name, m->sensor, h.dtype);
			(*dtype_drops)++;
			continue;
		}
		finish_row(p, rows, i);
		p->keys[rows] = m->sensor;
		p->ids[rows] = i;
		rows++;
	}
	return rows;
}

/*
 * Ring slots [first, first + n) into rows of p->x, read in place. A slot
 * the producer overwrote while we read it (OVERWRITE rings) is not used:
 * the module counts it as overwritten. *@taken: slots read intact.
 */
static uint32_t gather_ring(struct ead_pipeline *p, uint64_t first,
			    uint32_t n, uint64_t rx, uint32_t *taken,
			    uint64_t *dim_drops)
{
	uint32_t want = p->elems * p->ring_esize, slot_size, i, j, rows = 0;
	float *row;

	slot_size = edgeai_ring_get_info(p->ring)->slot_size;
	*taken = 0;
	for (i = 0; i < n; i++) {
		const struct edgeai_slot_hdr *h = edgeai_ring_slot(p->ring,
								   first + i);
		struct ead_row *m = &p->in_rows[i];
		uint32_t len = h->len < slot_size ? h->len : slot_size;

		m->sensor = h->sensor_id;
		m->seq = h->seq;
		m->tag = h->tag;
		m->ts_ns = h->ts_ns;
		m->rx_ns = rx;
		m->flags = h->flags;
		row = row_dst(p, rows);
		if (len == want)
			to_f32(row, edgeai_slot_payload(h), p->ring_dtype,
			       p->elems);
		if (p->ring_overwrite && !edgeai_ring_slot_valid(p->ring, first + i))
			continue;
		(*taken)++;
		if (len != want) {
			drop_dim(p, m->sensor, len / p->ring_esize, dim_drops);
			continue;
		}
		if (p->ring_quant)
			for (j = 0; j < p->elems; j++)
				row[j] = p->ring_scale * (row[j] - (float)p->ring_zp);
		finish_row(p, rows, i);
		p->keys[rows] = m->sensor;
		p->ids[rows] = i;
		rows++;
	}
	return rows;
}

/*
 * A result line is written straight into the batch's buffer rather than
 * by snprintf(): at a result per datagram, parsing the format and glibc's
 * integer conversion were a tenth of edgeaid's CPU in the end-to-end
 * benchmark. Numbers are fmt.h's: fmt_f32() writes the bytes of
 * snprintf("%.9g") at a tenth of glibc's cost, fmt_u64() two digits a
 * step. What is the same for many lines is built once: the head (prefix
 * and model generation) once a batch, the tag's object once per tag
 * value. Literals and these parts are copied in fixed-size pieces, which
 * may write up to LINE_SLACK bytes past the line: format_row() goes on
 * only with room for the longest line and that slack.
 */
#define LINE_TAG_MAX	128	/* ,"tag":{...},"flags": */

struct line_head {
	size_t len;
	char s[1 + sizeof(((struct ead_pipeline *)0)->prefix) + 64 + LINE_SLACK];
};

struct line_tag {
	uint32_t tag;
	size_t len;		/* 0: not built yet */
	char s[LINE_TAG_MAX + LINE_SLACK];
};

/* A literal (a string constant) at @o; evaluates to its end. */
#define PUT_LIT(o, lit)	(memcpy((o), (lit), sizeof(lit) - 1), (o) + sizeof(lit) - 1)

/* @len bytes of @s (padded to LINE_SLACK) at @o, in LINE_SLACK pieces. */
static inline char *put_padded(char *o, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += LINE_SLACK)
		memcpy(o + i, s + i, LINE_SLACK);
	return o + len;
}

/* {<prefix>,"model_gen":<gen>,"sensor": */
static void line_head_build(const struct ead_pipeline *p, struct line_head *h)
{
	size_t n = strnlen(p->prefix, sizeof(p->prefix) - 1);
	char *o = h->s;

	*o++ = '{';
	memcpy(o, p->prefix, n);
	o += n;
	o = PUT_LIT(o, ",\"model_gen\":");
	o += fmt_u64(o, p->model_gen);
	o = PUT_LIT(o, ",\"sensor\":");
	h->len = (size_t)(o - h->s);
}

/* ,"tag":{"raw":..,"filtered":..,"class":..,"priority":..,"pipeline":..},"flags": */
static void line_tag_build(struct line_tag *t, uint32_t tag)
{
	char *o = t->s;

	o = PUT_LIT(o, ",\"tag\":{\"raw\":");
	o += fmt_u64(o, tag);
	if (tag & EDGEAI_TAG_FILTERED)
		o = PUT_LIT(o, ",\"filtered\":true,\"class\":");
	else
		o = PUT_LIT(o, ",\"filtered\":false,\"class\":");
	o += fmt_u64(o, EDGEAI_TAG_CLASS(tag));
	o = PUT_LIT(o, ",\"priority\":");
	o += fmt_u64(o, EDGEAI_TAG_PRIORITY(tag));
	o = PUT_LIT(o, ",\"pipeline\":");
	o += fmt_u64(o, EDGEAI_TAG_PIPELINE(tag));
	o = PUT_LIT(o, "},\"flags\":");
	t->tag = tag;
	t->len = (size_t)(o - t->s);
}

/* One result line at @out; returns its length, 0 without the room. */
static size_t format_row(const struct ead_pipeline *p, char *out, size_t room,
			 const struct line_head *h, struct line_tag *t,
			 const struct ead_row *m, const float *y,
			 uint64_t done)
{
	char *o = out;
	uint32_t j;

	if (room < LINE_MAX(p->out_dim))
		return 0;
	o = put_padded(o, h->s, h->len);
	o += fmt_u64(o, m->sensor);
	o = PUT_LIT(o, ",\"seq\":");
	o += fmt_u64(o, m->seq);
	if (!t->len || t->tag != m->tag)
		line_tag_build(t, m->tag);
	o = put_padded(o, t->s, t->len);
	o += fmt_u64(o, m->flags);
	o = PUT_LIT(o, ",\"ts_ns\":");
	o += fmt_u64(o, m->ts_ns);
	o = PUT_LIT(o, ",\"rx_ns\":");
	o += fmt_u64(o, m->rx_ns);
	o = PUT_LIT(o, ",\"done_ns\":");
	o += fmt_u64(o, done);
	o = PUT_LIT(o, ",\"y\":[");
	for (j = 0; j < p->out_dim; j++) {
		if (j)
			*o++ = ',';
		if (isfinite(y[j]))
			o += fmt_f32(o, y[j]);
		else
			o = PUT_LIT(o, "null");
	}
	o = PUT_LIT(o, "]}\n");
	return (size_t)(o - out);
}

/* Results to every sink; returns the results lost (counted once). */
static uint64_t emit(struct ead_pipeline *p, uint32_t rows, uint64_t done)
{
	struct ead_results r = {
		.rows = rows, .out_dim = p->out_dim, .meta = p->out_rows,
		.y = p->y, .model_version = p->model_version,
		.model_gen = p->model_gen, .pipeline_id = p->id,
		.done_ns = done,
	};
	struct line_head head = { .len = 0 };
	struct line_tag tag = { .len = 0 };
	uint64_t lost = 0;
	size_t len = 0, n;
	unsigned int s;
	uint32_t i;
	int ret;

	if (p->want_text)
		line_head_build(p, &head);
	for (i = 0; p->want_text && i < rows; i++) {
		n = format_row(p, p->out + len, p->out_cap - len, &head, &tag,
			       &p->out_rows[i], p->y + (size_t)i * p->out_dim,
			       done);
		/* out_cap is sized for the longest line: never, but counted */
		if (!n)
			lost++;
		len += n;
	}
	r.text = p->out;
	r.text_len = len;
	for (s = 0; s < p->n_sinks; s++) {
		ret = ead_sink_write(p->sinks[s], &r);
		if (ret < 0 && !p->logged_sink++)
			ead_log(EAD_LOG_WARN, "[pipeline %s] sink = %s: %s (logged once)",
				p->conf.name, p->conf.sinks[s], strerror(-ret));
		if (ret > 0 && !p->logged_sink++)
			ead_log(EAD_LOG_WARN, "[pipeline %s] sink = %s: %d result(s) lost, full (logged once)",
				p->conf.name, p->conf.sinks[s], ret);
		n = ret < 0 ? rows : (size_t)ret;
		if (n > lost)
			lost = n;	/* a result lost anywhere counts once */
	}
	return lost;
}

#define STAGE_LOG_NS	(60ull * 1000000000ull)

/* Rows the stages dropped for bad data: a warning at most once a minute. */
static void stage_warn(struct ead_pipeline *p, const uint64_t *drops,
		       uint64_t now)
{
	uint64_t missing = drops[EAD_DROP_STAGE_MISSING];
	uint64_t keys = drops[EAD_DROP_STAGE_KEYS];

	if ((missing == p->stage_logged[0] && keys == p->stage_logged[1]) ||
	    (p->stage_logged_ns && now - p->stage_logged_ns < STAGE_LOG_NS))
		return;
	ead_log(EAD_LOG_WARN,
		"[pipeline %s] stages dropped %llu row(s) with NaN/Inf values (stage_missing) and %llu from too many sensors (stage_keys) since the last report (at most one a minute)",
		p->conf.name,
		(unsigned long long)(missing - p->stage_logged[0]),
		(unsigned long long)(keys - p->stage_logged[1]));
	p->stage_logged[0] = missing;
	p->stage_logged[1] = keys;
	p->stage_logged_ns = now;
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

/* The UDP source's counters; with p->lock held, as stats_json() reads. */
static void udp_drops(struct ead_pipeline *p, uint64_t *drops)
{
	struct edgeai_udp_stats u = { .sz = sizeof(u) };

	if (edgeai_udp_stats(p->udp, &u))
		return;
	p->stats.udp_valid = 1;
	p->stats.udp_mode = u.mode;
	p->stats.udp_features = u.features;
	p->stats.udp_entries = u.kernel_entries;
	p->stats.udp_coalesced = u.coalesced;
	p->stats.udp_rearms = u.rearms;
	p->stats.udp_no_buffers = u.no_buffers;
	drops[EAD_DROP_SHORT_HDR] = u.short_hdr;
	drops[EAD_DROP_BAD_MAGIC] = u.bad_magic;
	drops[EAD_DROP_BAD_FIELD] = u.bad_field;
	drops[EAD_DROP_BAD_LENGTH] = u.bad_length;
	drops[EAD_DROP_TRUNCATED] = u.truncated;
	drops[EAD_DROP_UNTAGGED] = u.untagged;
	drops[EAD_DROP_SOCKET] = u.socket_drops;
}

/*
 * The ring's drops since we attached, added to those of rings we were
 * attached to before (a ring destroyed and created again).
 */
static void ring_drops(struct ead_pipeline *p, uint64_t *drops)
{
	static const int map[][2] = {
		{ EDGEAI_DROP_FULL, EAD_DROP_RING_FULL },
		{ EDGEAI_DROP_OVERWRITTEN, EAD_DROP_RING_OVERWRITTEN },
		{ EDGEAI_DROP_BUSY, EAD_DROP_RING_BUSY },
		{ EDGEAI_DROP_TOO_BIG, EAD_DROP_RING_TOO_BIG },
		{ EDGEAI_DROP_PRODUCER, EAD_DROP_RING_PRODUCER },
	};
	struct edgeai_ring_stats rs = { .size = sizeof(rs) };
	uint64_t now[EDGEAI_DROP_MAX];
	size_t i;

	if (!p->ring || edgeai_ring_stats(p->ring, &rs))
		return;
	for (i = 0; i < EDGEAI_DROP_MAX; i++)
		now[i] = p->ring_drops[i] + rs.drops[i] - p->ring_base[i];
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		drops[map[i][1]] = now[map[i][0]];
}

/* The source's counters; @now: only if 100 ms have passed (0: always). */
static void source_drops(struct ead_pipeline *p, uint64_t *drops,
			 uint64_t now)
{
	if (now && now - p->src_stats_ns < SRC_STATS_NS)
		return;
	p->src_stats_ns = now;
	if (p->kind == SRC_UDP)
		udp_drops(p, drops);
	else
		ring_drops(p, drops);
}

/* Stages then model, each timed; returns the rows out (y filled). */
static int compute(struct ead_pipeline *p, uint32_t rows, uint64_t *t,
		   uint64_t *stage_ns, uint32_t *stage_in, uint32_t *stage_out,
		   uint64_t *model_ns)
{
	const float *cur = p->x;
	float *next = p->buf_a;
	unsigned int i;
	int out = (int)rows;

	for (i = 0; i < p->conf.n_stages && out > 0; i++) {
		stage_in[i] = (uint32_t)out;
		out = edgeai_stage_run(p->stages[i], cur, (uint32_t)out, p->keys,
				       p->ids, next);
		if (out < 0)
			out = 0;
		stage_out[i] = (uint32_t)out;
		stage_ns[i] = now_ns() - *t;
		*t += stage_ns[i];
		cur = next;
		next = next == p->buf_a ? p->buf_b : p->buf_a;
	}
	if (out > 0 && p->learn)
		ead_learn_push(p->learn, cur, p->labels, p->ids, (uint32_t)out);
	if (out > 0 && edgeai_model_run(p->mctx, cur, (uint32_t)out, p->y))
		out = 0;
	*model_ns = now_ns() - *t;
	*t += *model_ns;
	return out;
}

/* One batch of @n taken samples with @rows rows gathered. */
static void process(struct ead_pipeline *p, uint32_t n, uint32_t rows,
		    uint64_t t, uint64_t dtype, uint64_t dim)
{
	uint64_t stage_ns[EAD_MAX_STAGES] = { 0 }, model_ns = 0, sink_ns = 0;
	uint32_t stage_in[EAD_MAX_STAGES] = { 0 };
	uint32_t stage_out[EAD_MAX_STAGES] = { 0 };
	uint64_t lost = 0, done = t, real, d;
	unsigned int i;
	uint32_t r;
	int out = 0;

	if (rows)
		out = compute(p, rows, &t, stage_ns, stage_in, stage_out,
			      &model_ns);
	done = t;
	for (r = 0; out > 0 && r < (uint32_t)out; r++)
		p->out_rows[r] = p->in_rows[p->ids[r]];
	if (out > 0) {
		lost = emit(p, (uint32_t)out, done);
		sink_ns = now_ns() - t;
		t += sink_ns;
	}
	real = p->kind == SRC_UDP ? clock_ns(CLOCK_REALTIME) : 0;

	pthread_mutex_lock(&p->lock);
	p->stats.samples_in += n;
	p->stats.samples_out += out > 0 ? (uint64_t)out - lost : 0;
	p->stats.batches++;
	ead_hist_add(&p->stats.batch, n, 1);
	p->stats.drops[EAD_DROP_DTYPE] += dtype;
	p->stats.drops[EAD_DROP_DIM] += dim;
	p->stats.drops[EAD_DROP_SINK] += lost;
	for (i = 0; rows && i < p->conf.n_stages; i++) {
		p->stats.stage_in[i] += stage_in[i];
		p->stats.stage_out[i] += stage_out[i];
		ead_hist_add(&p->stats.stage[i], stage_ns[i], stage_in[i]);
	}
	if (out > 0) {
		ead_hist_add(&p->stats.model, model_ns, (uint64_t)out);
		ead_hist_add(&p->stats.sink, sink_ns, (uint64_t)out);
	}
	for (r = 0; out > 0 && r < (uint32_t)out; r++) {
		const struct ead_row *m = &p->out_rows[r];
		/* ring slots: CLOCK_MONOTONIC; datagrams: the sender's
		 * wall clock, meaningful when it is synchronised with ours */
		uint64_t now = p->kind == SRC_UDP ? real : done;

		ead_hist_add(&p->stats.latency,
			     done > m->rx_ns ? done - m->rx_ns : 0, 1);
		d = now - m->ts_ns;
		if (m->ts_ns && m->ts_ns <= now && d < E2E_MAX_NS)
			ead_hist_add(&p->stats.e2e, d, 1);
		else
			p->stats.e2e_skipped++;
	}
	stage_drops(p, p->stats.drops);
	source_drops(p, p->stats.drops, t);
	pthread_mutex_unlock(&p->lock);
	stage_warn(p, p->stats.drops, t);
}

static int step_udp(struct ead_pipeline *p, uint32_t max, int timeout_ms)
{
	uint64_t dtype = 0, dim = 0;
	uint32_t rows;
	int n;

	n = edgeai_udp_recv(p->udp, p->pkts, max, timeout_ms);
	if (n <= 0)
		return n;
	rows = gather_udp(p, (uint32_t)n, &dtype, &dim);
	process(p, (uint32_t)n, rows, now_ns(), dtype, dim);
	edgeai_udp_release(p->udp, p->pkts, (uint32_t)n);
	return n;
}

/* The ring was destroyed and is drained: let go, wait for a new one. */
static void ring_lost(struct ead_pipeline *p)
{
	struct edgeai_ring_stats rs = { .size = sizeof(rs) };
	size_t i;

	pthread_mutex_lock(&p->lock);
	ring_drops(p, p->stats.drops);
	if (!edgeai_ring_stats(p->ring, &rs))
		for (i = 0; i < EDGEAI_DROP_MAX; i++)
			p->ring_drops[i] += rs.drops[i] - p->ring_base[i];
	edgeai_ring_close(p->ring);
	p->ring = NULL;
	p->ring_waiting = 0;
	pthread_mutex_unlock(&p->lock);
	p->ring_retry_ns = now_ns() + REATTACH_NS;
	ead_log(EAD_LOG_WARN, "[pipeline %s] ring %s was destroyed; waiting for it to come back",
		p->conf.name, p->ring_name);
	p->logged_src = 1;
}

static int step_ring(struct ead_pipeline *p, uint32_t max)
{
	uint64_t dim = 0, first, t;
	uint32_t n, rows, taken;

	if (!p->ring)
		return 0;
	n = edgeai_ring_peek(p->ring, max, &first);
	if (!n) {
		if (edgeai_ring_dead(p->ring))
			ring_lost(p);
		return 0;
	}
	t = now_ns();
	rows = gather_ring(p, first, n, t, &taken, &dim);
	process(p, taken, rows, t, 0, dim);
	edgeai_ring_release(p->ring, n);
	return (int)n;
}

int ead_pipeline_step(struct ead_pipeline *p, int timeout_ms)
{
	uint32_t max;

	if (p->disabled)
		return 0;
	max = swap_in(p);
	if (max > p->conf.batch)
		max = p->conf.batch;
	if (p->kind == SRC_UDP)
		return step_udp(p, max, timeout_ms);
	return step_ring(p, max);
}

uint32_t ead_pipeline_batch(const struct ead_pipeline *p)
{
	return p->conf.batch;
}

int ead_pipeline_blocking(const struct ead_pipeline *p)
{
	return !p->disabled && p->kind == SRC_UDP;
}

int ead_pipeline_tick_polled(const struct ead_pipeline *p)
{
	return !p->disabled && p->kind == SRC_UDP && p->alone;
}

int ead_pipeline_can_arm(const struct ead_pipeline *p)
{
	return !p->disabled && ((p->kind == SRC_UDP && !p->alone) || p->ring);
}

int ead_pipeline_arm(struct ead_pipeline *p, struct io_uring *ring,
		     uint64_t ud)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			return -EBUSY;
	}
	if (p->kind == SRC_UDP) {
		io_uring_prep_poll_multishot(sqe, edgeai_udp_fd(p->udp), POLLIN);
	} else if (p->ring_uring) {
		edgeai_prep_ring_wait(sqe, p->ring, 1, WAIT_NS);
		p->ring_waiting = 1;
	} else {
		io_uring_prep_poll_add(sqe, edgeai_ring_fd(p->ring), POLLIN);
	}
	io_uring_sqe_set_data64(sqe, ud);
	return 0;
}

int ead_pipeline_woken(struct ead_pipeline *p, int res, int more)
{
	if (p->kind == SRC_RING && !more)
		p->ring_waiting = 0;
	if (res >= 0)
		return 1;
	if (res == -ETIME || res == -ECANCELED)
		return 0;
	if (!p->logged_src++)
		ead_log(EAD_LOG_WARN, "[pipeline %s] waiting on the source: %s (logged once)",
			p->conf.name, strerror(-res));
	/* look anyway: a dead ring is noticed and let go of by the step */
	return 1;
}

void ead_pipeline_cancel_wait(struct ead_pipeline *p)
{
	if (p->kind == SRC_RING && p->ring && p->ring_waiting)
		ioctl(edgeai_ring_fd(p->ring), EDGEAI_IOC_WAIT_CANCEL);
}

void ead_pipeline_idle(struct ead_pipeline *p)
{
	char why[256];
	uint64_t now = now_ns();

	if (p->disabled)
		return;
	swap_in(p);
	if (p->kind == SRC_RING && !p->ring && now >= p->ring_retry_ns) {
		p->ring_retry_ns = now + REATTACH_NS;
		if (!ring_attach(p, p->elems, why, sizeof(why))) {
			ead_log(EAD_LOG_INFO, "[pipeline %s] ring %s is back",
				p->conf.name, p->ring_name);
		} else if (!p->logged_src++) {
			ead_log(EAD_LOG_WARN, "[pipeline %s] ring %s: %s (logged once)",
				p->conf.name, p->ring_name, why);
		}
	}
	pthread_mutex_lock(&p->lock);
	source_drops(p, p->stats.drops, now);
	pthread_mutex_unlock(&p->lock);
}

void ead_pipeline_drain(struct ead_pipeline *p)
{
	int i;

	if (p->disabled)
		return;
	for (i = 0; i < DRAIN_ROUNDS && ead_pipeline_step(p, 0) > 0; i++)
		;
	pthread_mutex_lock(&p->lock);
	source_drops(p, p->stats.drops, 0);
	pthread_mutex_unlock(&p->lock);
}

/* ---- stats ------------------------------------------------------------ */

static const char *state_of(const struct ead_pipeline *p)
{
	if (p->disabled)
		return "disabled";
	if (p->kind == SRC_RING && !p->ring)
		return "waiting";
	return p->worker >= 0 ? "running" : "stopped";
}

void ead_pipeline_stats_json(struct ead_pipeline *p, FILE *f)
{
	struct ead_stats *s = malloc(sizeof(*s));
	char spec[512], ver[64];
	const char *state;
	int worker, cpu, has_model;
	uint32_t gen;
	unsigned int i;

	if (!s)
		return;
	pthread_mutex_lock(&p->lock);
	*s = p->stats;
	state = state_of(p);
	worker = p->worker;
	cpu = p->cpu;
	gen = p->model_gen;
	has_model = p->model != NULL;
	memcpy(ver, p->model_version, sizeof(ver));
	pthread_mutex_unlock(&p->lock);
	fprintf(f, "{\"name\":");
	ead_json_str(f, p->conf.name);
	fputs(",\"source\":", f);
	ead_json_str(f, p->conf.source);
	fputs(",\"model\":", f);
	ead_json_str(f, has_model ? p->model_path : p->conf.model);
	fputs(",\"model_version\":", f);
	if (has_model)
		ead_json_str(f, ver);
	else
		fputs("null", f);
	fprintf(f, ",\"model_gen\":%u,\"state\":\"%s\",\"error\":", gen,
		state);
	if (p->disabled)
		ead_json_str(f, p->error);
	else
		fputs("null", f);
	fprintf(f, ",\"worker\":%d,\"cpu\":%d", worker, cpu);
	fprintf(f, ",\"samples_in\":%llu,\"samples_out\":%llu,\"drops\":{",
		(unsigned long long)s->samples_in,
		(unsigned long long)s->samples_out);
	for (i = 0; i < EAD_DROP_COUNT; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", ead_drop_name(i),
			(unsigned long long)s->drops[i]);
	fprintf(f, "},\"batches\":%llu,\"batch_size\":",
		(unsigned long long)s->batches);
	ead_hist_json(f, &s->batch);
	fputs(",\"latency_ns\":", f);
	ead_hist_json(f, &s->latency);
	fputs(",\"e2e_latency_ns\":", f);
	ead_hist_json(f, &s->e2e);
	fprintf(f, ",\"e2e_skipped\":%llu,\"udp\":",
		(unsigned long long)s->e2e_skipped);
	if (s->udp_valid)
		fprintf(f, "{\"mode\":\"%s\",\"gro\":%s,\"kernel_entries\":%llu,"
			"\"coalesced\":%llu,\"rearms\":%llu,\"no_buffers\":%llu}",
			edgeai_udp_mode_name(s->udp_mode),
			s->udp_features & EDGEAI_UDP_FEAT_GRO ? "true" : "false",
			(unsigned long long)s->udp_entries,
			(unsigned long long)s->udp_coalesced,
			(unsigned long long)s->udp_rearms,
			(unsigned long long)s->udp_no_buffers);
	else
		fputs("null", f);
	fputs(",\"stages\":[", f);
	for (i = 0; i < p->conf.n_stages; i++) {
		fputs(i ? ",{\"stage\":" : "{\"stage\":", f);
		if (p->stages[i] &&
		    edgeai_stage_spec(p->stages[i], spec, sizeof(spec)) <
		    (int)sizeof(spec))
			ead_json_str(f, spec);
		else
			ead_json_str(f, p->conf.stages[i]);
		fprintf(f, ",\"rows_in\":%llu,\"rows_out\":%llu,\"latency_ns\":",
			(unsigned long long)s->stage_in[i],
			(unsigned long long)s->stage_out[i]);
		ead_hist_json(f, &s->stage[i]);
		fputc('}', f);
	}
	fputs("],\"learning\":", f);
	if (p->learn)
		ead_learn_json(p->learn, f);
	else
		fputs("null", f);
	fputs(",\"model_latency_ns\":", f);
	ead_hist_json(f, &s->model);
	fputs(",\"sink_latency_ns\":", f);
	ead_hist_json(f, &s->sink);
	fputc('}', f);
	free(s);
}
