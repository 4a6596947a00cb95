/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Internals of the preprocessing stages (include/edgeai/stage.h), shared
 * by stage.c (object, key table, run, chains), stage_spec.c (the spec
 * parser and printer), stage_file.c (parameters from a model file) and
 * stage_ops.c (the per-stage kernels).
 */
#ifndef EDGEAI_STAGE_INT_H
#define EDGEAI_STAGE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <edgeai/stage.h>

enum stage_kind {
	STAGE_CLEAN, STAGE_WINDOW, STAGE_ZSCORE, STAGE_SCALE, STAGE_PCA,
};

enum clean_policy {
	CLEAN_DROP, CLEAN_IMPUTE_MEAN, CLEAN_IMPUTE_LAST, CLEAN_IMPUTE_ZERO,
};

enum win_feature {
	FEAT_MEAN, FEAT_VAR, FEAT_MIN, FEAT_MAX, FEAT_RMS, FEAT_SLOPE,
	FEAT_COUNT,
};

/*
 * Sensor id -> dense index 0..cap-1. Open addressing with linear probing
 * in a power-of-two table of at least 2 * cap slots, so a probe always
 * meets an empty slot; slot values are index + 1 (0: empty).
 */
struct stage_keys {
	uint32_t cap;
	uint32_t used;
	uint32_t mask;
	uint32_t shift;
	uint32_t last_key;	/* one-entry cache: runs of one sensor */
	uint32_t last_idx;	/* index + 1 of last_key, 0: none */
	uint32_t *slots;	/* mask + 1 */
	uint32_t *ids;		/* cap: the key of each index */
};

struct edgeai_stage {
	enum stage_kind kind;
	uint32_t in_dim;
	uint32_t out_dim;
	bool keyed;
	/* clean */
	enum clean_policy policy;
	/* window */
	uint32_t win_n;
	bool emit_full;
	uint32_t nfeat;
	uint8_t feat[FEAT_COUNT];
	/*
	 * zscore (mean, std) and scale (mul, add): in_dim each; pca: p0 is
	 * the mean (in_dim), comp the components transposed (in_dim rows of
	 * out_dim: comp[i * out_dim + j] = components[j][i]) and scratch one
	 * centred row (in_dim).
	 */
	float *p0;
	float *p1;
	float *comp;
	float *scratch;
	/* zscore and pca from a model file: its path and the op used */
	char *file;		/* NULL: parameters from the spec */
	uint32_t op;
	bool op_given;		/* op=N in the spec (else: the first of the type) */
	/* per-key state, allocated at new() for max_keys keys */
	struct stage_keys keys;
	double *mean;		/* impute-mean: cap * in_dim running means */
	uint64_t *count;	/* impute-mean: their counts; window: pushes */
	float *last;		/* impute-last: cap * in_dim */
	float *ring;		/* window: cap * in_dim * win_n, channel-major */
	struct edgeai_stage_stats stats;
};

/* stage_spec.c */
struct stage_err {
	char *buf;
	size_t len;
};

void edgeai__stage_errf(struct stage_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Fill the parameters of @st (in_dim and p0/p1 set) from @spec. */
int edgeai__stage_parse(struct edgeai_stage *st, const char *spec,
		struct stage_err *err);
const char *edgeai__stage_kind_name(enum stage_kind kind);

/*
 * stage_file.c: load st->file and take the parameters of op st->op (or,
 * without op_given, of the first op of the stage's type: standardize for
 * zscore, pca for pca); sets st->op, and for pca st->out_dim, comp and
 * scratch. -EINVAL (or -ENOMEM) with a message naming the key.
 */
int edgeai__stage_load_file(struct edgeai_stage *st, struct stage_err *err);

/* stage.c */
#define STAGE_KEY_FULL	UINT32_MAX
/* Dense index of @key, adding it when there is room; STAGE_KEY_FULL if not. */
uint32_t edgeai__stage_key_index(struct stage_keys *k, uint32_t key);

/* stage_ops.c: each returns the number of output rows. */
uint32_t edgeai__stage_run_clean(struct edgeai_stage *st, const float *x,
			 uint32_t n, uint32_t *keys, uint32_t *ids,
			 float *out);
uint32_t edgeai__stage_run_window(struct edgeai_stage *st, const float *x,
			  uint32_t n, uint32_t *keys, uint32_t *ids,
			  float *out);
uint32_t edgeai__stage_run_affine(struct edgeai_stage *st, const float *x,
			  uint32_t n, float *out);
uint32_t edgeai__stage_run_pca(struct edgeai_stage *st, const float *x,
			       uint32_t n, float *out);

#endif /* EDGEAI_STAGE_INT_H */
