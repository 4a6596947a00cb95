// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Stage parameters from a model file (docs/stages.md): "zscore:file=PATH"
 * takes the mean and std of a standardize op, "pca:file=PATH" the mean and
 * components of a pca op, through the public model API (edgeai/model.h).
 * The values are copied (pca's components transposed for the kernel) and
 * the model is dropped before edgeai_stage_new() returns: a stage does not
 * keep the file open nor see later changes to it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <edgeai/model.h>

#include "stage_int.h"

/* Paths are quoted in messages by their last QUOTE_PATH characters. */
#define QUOTE_PATH	60
#define PATH_ARGS(p)	strlen(p) > QUOTE_PATH ? "..." : "", \
			(p) + (strlen(p) > QUOTE_PATH ? strlen(p) - QUOTE_PATH : 0)
/* Op types listed when a file has no op of the wanted type. */
#define LIST_OPS	8

struct want_op {
	uint32_t type;		/* EDGEAI_MODEL_OP_* */
	const char *name;	/* "standardize", "pca" */
};

static int op_info(const struct edgeai_model *m, uint32_t i,
		   struct edgeai_model_op_info *info)
{
	memset(info, 0, sizeof(*info));
	info->sz = sizeof(*info);
	return edgeai_model_op_info(m, i, info);
}

/* "standardize, dense, ..." : the first LIST_OPS op types of @m. */
static void list_ops(const struct edgeai_model *m, char *buf, size_t len)
{
	struct edgeai_model_op_info info;
	uint32_t i, n = edgeai_model_op_count(m);
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && i < LIST_OPS && off < len; i++) {
		if (op_info(m, i, &info))
			break;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", info.name);
	}
	if (i < n && off < len)
		snprintf(buf + off, len - off, ", ...");
}

/* The op the spec asks for: op=N, or the first of the wanted type. */
static int find_op(struct edgeai_stage *st, const struct edgeai_model *m,
		   const struct want_op *want,
		   struct edgeai_model_op_info *info, struct stage_err *err)
{
	uint32_t n = edgeai_model_op_count(m), i;
	char ops[128];

	if (st->op_given) {
		if (st->op >= n) {
			edgeai__stage_errf(err, "key 'op': %u is out of range: '%s%s' has %u op%s (0..%u)",
					   st->op, PATH_ARGS(st->file), n,
					   n == 1 ? "" : "s", n - 1);
			return -EINVAL;
		}
		if (op_info(m, st->op, info))
			return -EINVAL;
		if (info->type == want->type)
			return 0;
		edgeai__stage_errf(err, "key 'op': op %u of '%s%s' is a %s op, not %s",
				   st->op, PATH_ARGS(st->file), info->name,
				   want->name);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (op_info(m, i, info))
			return -EINVAL;
		if (info->type == want->type) {
			st->op = i;
			return 0;
		}
	}
	list_ops(m, ops, sizeof(ops));
	edgeai__stage_errf(err, "key 'file': '%s%s' has no %s op (ops: %s)",
			   PATH_ARGS(st->file), want->name, ops);
	return -EINVAL;
}

static int check_dims(const struct edgeai_stage *st,
		      const struct edgeai_model_op_info *info,
		      struct stage_err *err)
{
	if (info->in_dim != st->in_dim) {
		edgeai__stage_errf(err, "key 'file': op %u (%s) of '%s%s' takes rows of %u values but in_dim is %u",
				   st->op, info->name, PATH_ARGS(st->file),
				   info->in_dim, st->in_dim);
		return -EINVAL;
	}
	if (info->out_dim < 1 || info->out_dim > EDGEAI_STAGE_MAX_DIM) {
		edgeai__stage_errf(err, "key 'file': op %u (%s) of '%s%s' gives rows of %u values, out of range 1..%u",
				   st->op, info->name, PATH_ARGS(st->file),
				   info->out_dim, EDGEAI_STAGE_MAX_DIM);
		return -EINVAL;
	}
	return 0;
}

/* zscore: mean and std as they are; pca: mean, components transposed. */
static int take_params(struct edgeai_stage *st,
		       const struct edgeai_model_op_info *info,
		       struct stage_err *err)
{
	uint32_t d = st->in_dim, k = info->out_dim, i, j;
	const float *c = info->param[1];

	if (info->n_params != 2 || !info->param[0] || !c) {
		/* The loader makes sure of it: not reached. */
		edgeai__stage_errf(err, "key 'file': op %u (%s) of '%s%s' has no parameters",
				   st->op, info->name, PATH_ARGS(st->file));
		return -EINVAL;
	}
	memcpy(st->p0, info->param[0], (size_t)d * sizeof(float));
	if (st->kind == STAGE_ZSCORE) {
		memcpy(st->p1, c, (size_t)d * sizeof(float));
		return 0;
	}
	st->comp = malloc((size_t)d * k * sizeof(float));
	st->scratch = malloc((size_t)d * sizeof(float));
	if (!st->comp || !st->scratch) {
		edgeai__stage_errf(err, "stage 'pca': out of memory for %u x %u components",
				   k, d);
		return -ENOMEM;
	}
	for (j = 0; j < k; j++)
		for (i = 0; i < d; i++)
			st->comp[(size_t)i * k + j] = c[(size_t)j * d + i];
	st->out_dim = k;
	return 0;
}

int edgeai__stage_load_file(struct edgeai_stage *st, struct stage_err *err)
{
	static const struct want_op zscore = {
		EDGEAI_MODEL_OP_STANDARDIZE, "standardize"
	}, pca = { EDGEAI_MODEL_OP_PCA, "pca" };
	const struct want_op *want = st->kind == STAGE_PCA ? &pca : &zscore;
	char msg[EDGEAI_MODEL_ERR_LEN] = "";
	struct edgeai_model_load_opts lo = {
		.sz = sizeof(lo), .err = msg, .errlen = sizeof(msg),
	};
	struct edgeai_model_op_info info;
	struct edgeai_model *m = NULL;
	int rc;

	rc = edgeai_model_load(st->file, &lo, &m);
	if (rc) {
		edgeai__stage_errf(err, "key 'file': '%s%s': %s",
				   PATH_ARGS(st->file),
				   msg[0] ? msg : strerror(-rc));
		return rc == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	rc = find_op(st, m, want, &info, err);
	if (!rc)
		rc = check_dims(st, &info, err);
	if (!rc)
		rc = take_params(st, &info, err);
	edgeai_model_free(m);
	return rc;
}
