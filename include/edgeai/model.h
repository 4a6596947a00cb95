/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libedgeai models: load a model file (safetensors with an edgeai graph in
 * its metadata, docs/model-format.md), run it on batches of float32 rows,
 * describe it, and write one (the builder). See edgeai_model(3).
 *
 * A struct edgeai_model is immutable once loaded and may be shared by any
 * number of threads; it is reference counted (edgeai_model_ref/free), and
 * every context holds a reference. A struct edgeai_model_ctx is one
 * thread's scratch memory: edgeai_model_run() allocates nothing.
 *
 * Functions return 0 or a negative errno, as everywhere in libedgeai.
 * Loading distinguishes -EBADMSG (the bytes are not a valid model: the
 * message says where), -EPROTONOSUPPORT (a valid file that needs something
 * this library lacks: a newer format, an unknown op, a dtype other than
 * F32), -EFBIG (over 1 GiB), -ENOMEM, -EINVAL (bad arguments) and the
 * errno of open() or read().
 */
#ifndef EDGEAI_MODEL_H
#define EDGEAI_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The "edgeai.format" this library reads and writes. */
#define EDGEAI_MODEL_FORMAT		1
/* Limits the loader enforces (docs/model-format.md). */
#define EDGEAI_MODEL_MAX_FILE		(1ULL << 30)	/* bytes */
#define EDGEAI_MODEL_MAX_HEADER		(16ULL << 20)	/* JSON header bytes */
#define EDGEAI_MODEL_MAX_OPS		1024
#define EDGEAI_MODEL_MAX_RANK		8
/* Size for an error buffer that holds any loader message. */
#define EDGEAI_MODEL_ERR_LEN		256

/* Graph ops, applied in order to each float32 row. */
enum edgeai_model_op_type {
	EDGEAI_MODEL_OP_STANDARDIZE = 1,	/* y = (x - mean) / std */
	EDGEAI_MODEL_OP_PCA,			/* y = C (x - mean) */
	EDGEAI_MODEL_OP_SCALE,			/* y = x * mul + add */
	EDGEAI_MODEL_OP_DENSE,			/* y = act(W x + b) */
	EDGEAI_MODEL_OP_SIGMOID,
	EDGEAI_MODEL_OP_SOFTMAX,
	EDGEAI_MODEL_OP_RELU,
	EDGEAI_MODEL_OP_TANH,
};

/* Activations of a dense op (and, but identity, stand-alone ops). */
enum edgeai_model_act {
	EDGEAI_MODEL_ACT_IDENTITY = 0,
	EDGEAI_MODEL_ACT_RELU,
	EDGEAI_MODEL_ACT_SIGMOID,
	EDGEAI_MODEL_ACT_TANH,
	EDGEAI_MODEL_ACT_SOFTMAX,
};

/* Parse an activation name ("relu", ...); -EINVAL if unknown. */
int edgeai_model_act_from_name(const char *name, uint32_t *act);
/* Name of @act, or NULL if invalid. */
const char *edgeai_model_act_name(uint32_t act);
/* Name of op @type as in the graph ("dense", ...), or NULL if invalid. */
const char *edgeai_model_op_name(uint32_t type);

/* A loaded model: immutable, shareable across threads. */
struct edgeai_model;

struct edgeai_model_load_opts {
	size_t sz;		/* sizeof(struct edgeai_model_load_opts) */
	char *err;		/* NULL, or receives a message on failure */
	size_t errlen;		/* size of @err; EDGEAI_MODEL_ERR_LEN is enough */
};

/*
 * Load the model file at @path: read it (the model keeps its own copy,
 * so the file may be replaced or removed afterwards), check every size,
 * offset, shape, value and the graph, and set *@modelp (reference count
 * 1). @opts may be NULL. On failure *@modelp is left alone and, when
 * @opts->err is set, it holds a message naming the tensor or op and what
 * is wrong (without the path; on success it is set to "").
 */
int edgeai_model_load(const char *path,
		      const struct edgeai_model_load_opts *opts,
		      struct edgeai_model **modelp);
/* The same from @len bytes at @buf (not kept after the call). */
int edgeai_model_load_mem(const void *buf, size_t len,
			  const struct edgeai_model_load_opts *opts,
			  struct edgeai_model **modelp);
/* Take one more reference; returns @model. */
struct edgeai_model *edgeai_model_ref(struct edgeai_model *model);
/* Drop one reference; the last one (model or context) frees it. */
void edgeai_model_free(struct edgeai_model *model);

/* Dimensions of an input row and an output row. */
uint32_t edgeai_model_input_dim(const struct edgeai_model *model);
uint32_t edgeai_model_output_dim(const struct edgeai_model *model);
/* Number of ops in the graph. */
uint32_t edgeai_model_op_count(const struct edgeai_model *model);
/* Number of parameters: the elements of each op's tensors, summed. */
uint64_t edgeai_model_param_count(const struct edgeai_model *model);
/* FNV-1a 64 of every byte of the file, and the file's size. */
uint64_t edgeai_model_checksum(const struct edgeai_model *model);
uint64_t edgeai_model_file_size(const struct edgeai_model *model);
/* "edgeai.name", "edgeai.kind" ("custom" if absent), "edgeai.version". */
const char *edgeai_model_name(const struct edgeai_model *model);
const char *edgeai_model_kind(const struct edgeai_model *model);
const char *edgeai_model_version(const struct edgeai_model *model);
/*
 * Name of input @i ("edgeai.features") or output @i ("edgeai.outputs"),
 * or NULL when the file does not name them or @i is out of range.
 */
const char *edgeai_model_input_name(const struct edgeai_model *model,
				    uint32_t i);
const char *edgeai_model_output_name(const struct edgeai_model *model,
				     uint32_t i);
/* Value of metadata @key, or NULL. */
const char *edgeai_model_meta(const struct edgeai_model *model,
			      const char *key);
/* Metadata entry @i in file order; -ENOENT past the last. */
int edgeai_model_meta_at(const struct edgeai_model *model, uint32_t i,
			 const char **key, const char **value);

/* One op of the graph, as edgeai_model_op_info() describes it. */
struct edgeai_model_op_info {
	size_t sz;		/* set by the caller: sizeof(the struct) */
	uint32_t type;		/* EDGEAI_MODEL_OP_* */
	uint32_t activation;	/* dense: EDGEAI_MODEL_ACT_*; else IDENTITY */
	const char *name;	/* "dense", ... */
	const char *activation_name;
	uint32_t in_dim;
	uint32_t out_dim;
	uint64_t param_count;
	/*
	 * Parameter tensors, in graph field order: standardize mean, std;
	 * pca mean [d], components [k,d]; scale mul, add; dense weight
	 * [out,in], bias [out] (param[1] NULL when the op has no bias).
	 * Data is row-major float32, valid while the model lives.
	 */
	uint32_t n_params;
	const char *param_field[2];	/* "weight", ... */
	const char *param_tensor[2];	/* tensor name in the file */
	const float *param[2];
	uint32_t param_rank[2];
	uint32_t param_shape[2][2];
};

/*
 * Describe op @i (0-based). Fills at most @info->sz bytes of @info.
 * Returns 0, -ENOENT if @i >= the op count, -EINVAL on bad arguments.
 */
int edgeai_model_op_info(const struct edgeai_model *model, uint32_t i,
			 struct edgeai_model_op_info *info);

/* One thread's scratch for running a model on up to @max_batch rows. */
struct edgeai_model_ctx;

/*
 * A context for @model (it takes a reference). Kernel selection: AVX2+FMA
 * where the CPU has it, else portable C; $EDGEAI_MODEL_KERNEL=generic
 * forces the latter. Returns 0, -EINVAL, -ENOMEM.
 */
int edgeai_model_ctx_new(struct edgeai_model *model, uint32_t max_batch,
			 struct edgeai_model_ctx **ctxp);
void edgeai_model_ctx_free(struct edgeai_model_ctx *ctx);
/* The context's model, and its kernel: "avx2-fma" or "generic". */
const struct edgeai_model *edgeai_model_ctx_model(const struct edgeai_model_ctx *ctx);
const char *edgeai_model_ctx_kernel(const struct edgeai_model_ctx *ctx);
/*
 * Run the model on @n rows: @x holds n * input_dim floats, row-major; @y
 * receives n * output_dim floats. Any @n (batches of max_batch at a time);
 * no allocation, no syscall. @x and @y must not overlap. A row's result
 * does not depend on the batch it is in. Returns 0 or -EINVAL.
 */
int edgeai_model_run(struct edgeai_model_ctx *ctx, const float *x,
		     uint32_t n, float *y);

/* Builds a model file op by op (training, conversion, tests). */
struct edgeai_model_builder;

int edgeai_model_builder_new(struct edgeai_model_builder **bp);
/* A builder holding @model's ops, parameters and metadata. */
int edgeai_model_builder_from(const struct edgeai_model *model,
			      struct edgeai_model_builder **bp);
void edgeai_model_builder_free(struct edgeai_model_builder *b);
/*
 * Append an op. Parameters are copied. The first op fixes the input
 * dimension and must have parameters; each next op's input dimension
 * must be the previous one's output. Values must be finite, std > 0.
 * Returns 0, -EINVAL (the builder's error message says why), -ENOMEM,
 * -E2BIG (more than EDGEAI_MODEL_MAX_OPS ops).
 */
int edgeai_model_builder_add_standardize(struct edgeai_model_builder *b,
					 const float *mean, const float *std,
					 uint32_t dim);
int edgeai_model_builder_add_pca(struct edgeai_model_builder *b,
				 const float *mean, const float *components,
				 uint32_t k, uint32_t d);
int edgeai_model_builder_add_scale(struct edgeai_model_builder *b,
				   const float *mul, const float *add,
				   uint32_t dim);
/* @weight is [out][in] row-major; @bias [out] or NULL. */
int edgeai_model_builder_add_dense(struct edgeai_model_builder *b,
				   const float *weight, const float *bias,
				   uint32_t out, uint32_t in, uint32_t activation);
/* A stand-alone relu, sigmoid, tanh or softmax (EDGEAI_MODEL_ACT_*). */
int edgeai_model_builder_add_activation(struct edgeai_model_builder *b,
					uint32_t activation);
/*
 * Set metadata @key to @value (NULL removes it). "edgeai.format" and
 * "edgeai.graph" are the builder's own (-EINVAL).
 */
int edgeai_model_builder_set_meta(struct edgeai_model_builder *b,
				  const char *key, const char *value);
/*
 * Write the model to @path atomically: a temporary file in the same
 * directory, fsync, rename over @path, fsync of the directory. Readers
 * see the old file or the new one, never a mix. The bytes are checked by
 * the loader first (-EINVAL with the loader's message if it refuses
 * them). Returns 0 or a negative errno.
 */
int edgeai_model_builder_write(struct edgeai_model_builder *b,
			       const char *path);
/* The file's bytes in *@bufp (free() them), *@lenp long. */
int edgeai_model_builder_write_mem(struct edgeai_model_builder *b,
				   void **bufp, size_t *lenp);
/* The message of the builder's last failure, or "". */
const char *edgeai_model_builder_error(const struct edgeai_model_builder *b);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_MODEL_H */
