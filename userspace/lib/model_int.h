/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Inside libedgeai's models: what model_file.c (loading), model_ops.c
 * (kernels, contexts) and model_write.c (the builder) share. Not
 * installed.
 */
#ifndef EDGEAI_MODEL_INT_H
#define EDGEAI_MODEL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <edgeai/model.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "model files hold little-endian float32: a big-endian host would need byte swapping at load"
#endif

/* Dense weights are packed in blocks of this many outputs. */
#define MODEL_BLOCK	16
#define MODEL_ALIGN	64

struct model_op {
	uint32_t type;		/* EDGEAI_MODEL_OP_* */
	uint32_t act;		/* dense: EDGEAI_MODEL_ACT_* */
	uint32_t in, out;
	uint32_t n_params;
	const float *p[2];	/* into the model's copy of the data section */
	char *tensor[2];	/* tensor names */
	uint32_t rank[2];
	uint32_t shape[2][2];
	uint64_t param_count;
	/*
	 * Dense and pca: weights packed for the kernels, ceil(out / 16)
	 * blocks of [in][16] (output o of block b at [b][i][o % 16], zero
	 * past out), and the bias padded to a multiple of 16 (zeros for pca).
	 */
	const float *packed;
	const float *pbias;
};

struct model_meta {
	char *key;
	char *value;
};

struct edgeai_model {
	uint32_t refs;			/* __atomic */
	uint32_t input_dim, output_dim;
	uint32_t max_dim;		/* of the input and every op's output */
	uint32_t n_ops;
	uint32_t n_meta;
	uint64_t params, checksum, size;
	struct model_op *ops;
	float *data;			/* aligned copy of the data section */
	float *pack;			/* every op's packed weights */
	struct model_meta *meta;
	const char *name, *kind, *version;
	char **in_names, **out_names;	/* NULL when the file has none */
	uint32_t n_in_names, n_out_names;
};

/* Names of EDGEAI_MODEL_OP_* (graph "op") and their parameter fields. */
struct model_op_desc {
	const char *name;
	const char *field[2];
	uint32_t n_fields;
	bool opt1;		/* field[1] may be absent (dense bias) */
};
const struct model_op_desc *model_op_desc(uint32_t type);
/* The stand-alone op of an activation and back; 0 (identity) if none. */
uint32_t model_op_from_act(uint32_t act);
uint32_t model_act_of_op(uint32_t type);

/* FNV-1a 64. */
uint64_t model_fnv1a64(const void *buf, size_t len);
/*
 * Index of the first element of @v that is not finite, or (when @positive)
 * not > 0; @n if there is none.
 */
uint64_t model_bad_value(const float *v, uint64_t n, bool positive);
/* Allocate and fill the packed weights of dense and pca ops. */
int model_pack(struct edgeai_model *m);
/* Free everything the model owns, and the model. */
void model_destroy(struct edgeai_model *m);

#endif /* EDGEAI_MODEL_INT_H */
