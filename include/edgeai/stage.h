/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Preprocessing stages: per-sensor cleaning and window features, the
 * parameterised element-wise transforms "zscore" and "scale", and the
 * "pca" projection, behind one interface that a pipeline chains in the
 * configured order (docs/stages.md, edgeai_stage(3)).
 *
 * Data are float32 rows of in_dim channels, row-major, one row per sample;
 * each row has a key (the sensor id: per-key state is kept apart) and,
 * optionally, a caller id (an index into the caller's own per-row data:
 * sequence, timestamp, tag). A stage reads n rows and writes up to n rows
 * of out_dim channels into a caller buffer; when it drops rows it
 * compacts keys[] and ids[] the same way, so after a run keys[j] and ids[j]
 * describe output row j and the next stage can take them as they are.
 *
 * A stage is created from a spec string "NAME[:KEY=VALUE[,KEY=VALUE...]]"
 * whose list values are separated by '|':
 *
 *	clean:policy=drop		(or impute-mean, impute-last, impute-zero)
 *	window:n=32,features=mean|var|min|max|rms|slope,emit=always
 *	zscore:mean=0.5|1.2,std=2|3
 *	zscore:file=/etc/edgeai/model.st	(a standardize op's mean, std)
 *	scale:mul=0.001,add=-1
 *	pca:file=/etc/edgeai/model.st,op=1	(out = (x - mean) components^T)
 *
 * "file=PATH[,op=N]" takes the parameters from a model file
 * (edgeai/model.h): op N (0-based), or the first op of the stage's type
 * (standardize for zscore, pca for pca). edgeai_stage_new() reads the file
 * and copies what it needs; the stage does not depend on the file after.
 *
 * All memory is allocated by edgeai_stage_new(); edgeai_stage_run() never
 * allocates and makes no syscall. A stage is not thread-safe: run it and
 * read its stats from one thread (or serialise the calls).
 */
#ifndef EDGEAI_STAGE_H
#define EDGEAI_STAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits checked by edgeai_stage_new() (-EINVAL beyond them). */
#define EDGEAI_STAGE_MAX_DIM		65536u	/* in_dim */
#define EDGEAI_STAGE_MAX_WINDOW		4096u	/* window n */
#define EDGEAI_STAGE_MAX_KEYS		(1u << 20)	/* opts.max_keys */
#define EDGEAI_STAGE_DEFAULT_KEYS	64u
/* Preallocated state larger than this is refused with -E2BIG. */
#define EDGEAI_STAGE_MAX_STATE		(256ull << 20)

struct edgeai_stage;

struct edgeai_stage_opts {
	size_t sz;		/* sizeof(struct edgeai_stage_opts) */
	uint32_t max_keys;	/* sensors a keyed stage tracks; 0: 64 */
	uint32_t reserved;	/* 0 */
	char *errbuf;		/* NULL, or gets a message when new() fails */
	size_t errbuf_len;
};

/* Counters since edgeai_stage_new(); fixed width, sz first. */
struct edgeai_stage_stats {
	size_t sz;		/* in: sizeof(*stats); out: bytes filled */
	uint64_t runs;		/* edgeai_stage_run() calls that succeeded */
	uint64_t rows_in;
	uint64_t rows_out;
	/* rows_in == rows_out + drop_missing + drop_keys + drop_warmup */
	uint64_t drop_missing;	/* clean:policy=drop: a NaN or Inf in the row */
	uint64_t drop_keys;	/* a key beyond max_keys ("too many sensors") */
	uint64_t drop_warmup;	/* window:emit=full before the window was full */
	uint64_t nan_values;	/* clean: NaN values seen */
	uint64_t inf_values;	/* clean: +Inf or -Inf values seen */
	uint64_t imputed;	/* clean:policy=impute-*: values replaced */
	uint32_t keys;		/* keys tracked now (keyed stages) */
	uint32_t max_keys;	/* their capacity; 0 for stages without keys */
};

/*
 * Create a stage from @spec for rows of @in_dim channels. @opts may be
 * NULL. Returns 0 and sets *@stagep, or a negative errno with a message in
 * @opts->errbuf: -EINVAL (bad spec or argument: the message names the key
 * and value; for file=, also a file the model loader refuses, with its
 * message, no op of the type, op=N of another type or past the last op,
 * in_dim not the op's input dimension), -E2BIG (state over
 * EDGEAI_STAGE_MAX_STATE), -ENOMEM.
 */
int edgeai_stage_new(const char *spec, uint32_t in_dim,
		     const struct edgeai_stage_opts *opts,
		     struct edgeai_stage **stagep);
void edgeai_stage_free(struct edgeai_stage *stage);

/* "clean", "window", "zscore", "scale" or "pca". */
const char *edgeai_stage_name(const struct edgeai_stage *stage);
uint32_t edgeai_stage_in_dim(const struct edgeai_stage *stage);
uint32_t edgeai_stage_out_dim(const struct edgeai_stage *stage);
/*
 * The canonical spec (every key, lists at full length, floats to 9
 * significant digits; "NAME:file=PATH,op=N" with the op taken for a stage
 * from a file): parsing it with the same in_dim gives the same stage (from
 * a file: as long as the file is the same). snprintf() semantics: returns
 * the length it needs.
 */
int edgeai_stage_spec(const struct edgeai_stage *stage, char *buf,
		      size_t len);

/*
 * Run @n rows @x (n * in_dim floats) through the stage into @out (room for
 * n * out_dim floats). @keys: n sensor ids, or NULL (all key 0); @ids: n
 * caller ids, or NULL. Both are compacted with the rows: on return
 * keys[j] and ids[j] belong to output row j. @out may be @x when
 * out_dim <= in_dim; other overlaps are refused. Returns the number of
 * output rows (0..n) or -EINVAL (NULL stage, NULL buffers with n > 0,
 * n > INT32_MAX, overlapping buffers).
 */
int edgeai_stage_run(struct edgeai_stage *stage, const float *x, uint32_t n,
		     uint32_t *keys, uint32_t *ids, float *out);

/* Forget every key and its state (counters stay). */
void edgeai_stage_reset(struct edgeai_stage *stage);

/* Copy the counters: min(stats->sz, sizeof) bytes; -EINVAL if sz too small. */
int edgeai_stage_stats(const struct edgeai_stage *stage,
		       struct edgeai_stage_stats *stats);

/*
 * Chains. edgeai_stage_chain_dims() checks that each stage's in_dim is
 * the previous one's out_dim (-EINVAL if not) and reports the last
 * out_dim and @max_dim, the largest of the first in_dim and every
 * out_dim: size two buffers of n * max_dim floats from it.
 * edgeai_stage_chain_run() runs the stages in order, ping-ponging between
 * @buf_a and @buf_b (@x may be one of them: the chain starts in the
 * other), and sets *@outp to the buffer holding the result. Returns the
 * rows out or -EINVAL (as above, or from edgeai_stage_run()); it stops
 * early when a stage leaves no row.
 */
int edgeai_stage_chain_dims(struct edgeai_stage *const *stages,
			    uint32_t count, uint32_t *out_dim,
			    uint32_t *max_dim);
int edgeai_stage_chain_run(struct edgeai_stage *const *stages,
			   uint32_t count, const float *x, uint32_t n,
			   uint32_t *keys, uint32_t *ids, float *buf_a,
			   float *buf_b, float **outp);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_STAGE_H */
