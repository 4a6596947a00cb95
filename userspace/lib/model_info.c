// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * What a loaded model says about itself: the names of ops and activations,
 * dimensions, metadata, per-op parameters; its reference count and its
 * end. A model is immutable once loaded, so none of this locks.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

static const struct model_op_desc op_descs[] = {
	[EDGEAI_MODEL_OP_STANDARDIZE] = { "standardize", { "mean", "std" }, 2, false },
	[EDGEAI_MODEL_OP_PCA]	      = { "pca", { "mean", "components" }, 2, false },
	[EDGEAI_MODEL_OP_SCALE]	      = { "scale", { "mul", "add" }, 2, false },
	[EDGEAI_MODEL_OP_DENSE]	      = { "dense", { "weight", "bias" }, 2, true },
	[EDGEAI_MODEL_OP_SIGMOID]     = { "sigmoid", { NULL, NULL }, 0, false },
	[EDGEAI_MODEL_OP_SOFTMAX]     = { "softmax", { NULL, NULL }, 0, false },
	[EDGEAI_MODEL_OP_RELU]	      = { "relu", { NULL, NULL }, 0, false },
	[EDGEAI_MODEL_OP_TANH]	      = { "tanh", { NULL, NULL }, 0, false },
};
#define N_OP_TYPES (sizeof(op_descs) / sizeof(op_descs[0]))

static const char *const act_names[] = {
	[EDGEAI_MODEL_ACT_IDENTITY] = "identity",
	[EDGEAI_MODEL_ACT_RELU] = "relu",
	[EDGEAI_MODEL_ACT_SIGMOID] = "sigmoid",
	[EDGEAI_MODEL_ACT_TANH] = "tanh",
	[EDGEAI_MODEL_ACT_SOFTMAX] = "softmax",
};
#define N_ACTS (sizeof(act_names) / sizeof(act_names[0]))

const struct model_op_desc *model_op_desc(uint32_t type)
{
	return type && type < N_OP_TYPES ? &op_descs[type] : NULL;
}

const char *edgeai_model_op_name(uint32_t type)
{
	return type && type < N_OP_TYPES ? op_descs[type].name : NULL;
}

const char *edgeai_model_act_name(uint32_t act)
{
	return act < N_ACTS ? act_names[act] : NULL;
}

int edgeai_model_act_from_name(const char *name, uint32_t *act)
{
	uint32_t i;

	if (!name || !act)
		return -EINVAL;
	for (i = 0; i < N_ACTS; i++) {
		if (!strcmp(name, act_names[i])) {
			*act = i;
			return 0;
		}
	}
	return -EINVAL;
}

uint32_t model_op_from_act(uint32_t act)
{
	switch (act) {
	case EDGEAI_MODEL_ACT_RELU: return EDGEAI_MODEL_OP_RELU;
	case EDGEAI_MODEL_ACT_SIGMOID: return EDGEAI_MODEL_OP_SIGMOID;
	case EDGEAI_MODEL_ACT_TANH: return EDGEAI_MODEL_OP_TANH;
	case EDGEAI_MODEL_ACT_SOFTMAX: return EDGEAI_MODEL_OP_SOFTMAX;
	default: return 0;
	}
}

uint32_t model_act_of_op(uint32_t type)
{
	switch (type) {
	case EDGEAI_MODEL_OP_RELU: return EDGEAI_MODEL_ACT_RELU;
	case EDGEAI_MODEL_OP_SIGMOID: return EDGEAI_MODEL_ACT_SIGMOID;
	case EDGEAI_MODEL_OP_TANH: return EDGEAI_MODEL_ACT_TANH;
	case EDGEAI_MODEL_OP_SOFTMAX: return EDGEAI_MODEL_ACT_SOFTMAX;
	default: return EDGEAI_MODEL_ACT_IDENTITY;
	}
}

uint64_t model_fnv1a64(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t model_bad_value(const float *v, uint64_t n, bool positive)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		if (!isfinite(v[i]) || (positive && !(v[i] > 0)))
			return i;
	}
	return n;
}

void model_destroy(struct edgeai_model *m)
{
	uint32_t i;

	if (!m)
		return;
	for (i = 0; m->ops && i < m->n_ops; i++) {
		free(m->ops[i].tensor[0]);
		free(m->ops[i].tensor[1]);
	}
	for (i = 0; m->meta && i < m->n_meta; i++) {
		free(m->meta[i].key);
		free(m->meta[i].value);
	}
	free(m->ops);
	free(m->meta);
	free(m->data);
	free(m->pack);
	free(m->in_names);
	free(m->out_names);
	free(m);
}

struct edgeai_model *edgeai_model_ref(struct edgeai_model *m)
{
	if (m)
		__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
	return m;
}

void edgeai_model_free(struct edgeai_model *m)
{
	if (m && !__atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL))
		model_destroy(m);
}

uint32_t edgeai_model_input_dim(const struct edgeai_model *m)
{
	return m ? m->input_dim : 0;
}

uint32_t edgeai_model_output_dim(const struct edgeai_model *m)
{
	return m ? m->output_dim : 0;
}

uint32_t edgeai_model_op_count(const struct edgeai_model *m)
{
	return m ? m->n_ops : 0;
}

uint64_t edgeai_model_param_count(const struct edgeai_model *m)
{
	return m ? m->params : 0;
}

uint64_t edgeai_model_checksum(const struct edgeai_model *m)
{
	return m ? m->checksum : 0;
}

uint64_t edgeai_model_file_size(const struct edgeai_model *m)
{
	return m ? m->size : 0;
}

const char *edgeai_model_name(const struct edgeai_model *m)
{
	return m ? m->name : NULL;
}

const char *edgeai_model_kind(const struct edgeai_model *m)
{
	return m ? m->kind : NULL;
}

const char *edgeai_model_version(const struct edgeai_model *m)
{
	return m ? m->version : NULL;
}

const char *edgeai_model_input_name(const struct edgeai_model *m, uint32_t i)
{
	return m && m->in_names && i < m->n_in_names ? m->in_names[i] : NULL;
}

const char *edgeai_model_output_name(const struct edgeai_model *m, uint32_t i)
{
	return m && m->out_names && i < m->n_out_names ? m->out_names[i] : NULL;
}

const char *edgeai_model_meta(const struct edgeai_model *m, const char *key)
{
	uint32_t i;

	for (i = 0; m && key && i < m->n_meta; i++) {
		if (!strcmp(m->meta[i].key, key))
			return m->meta[i].value;
	}
	return NULL;
}

int edgeai_model_meta_at(const struct edgeai_model *m, uint32_t i,
			 const char **key, const char **value)
{
	if (!m)
		return -EINVAL;
	if (i >= m->n_meta)
		return -ENOENT;
	if (key)
		*key = m->meta[i].key;
	if (value)
		*value = m->meta[i].value;
	return 0;
}

int edgeai_model_op_info(const struct edgeai_model *m, uint32_t i,
			 struct edgeai_model_op_info *info)
{
	const struct model_op *op;
	struct edgeai_model_op_info o;
	uint32_t k;

	if (!m || !info || info->sz < sizeof(size_t))
		return -EINVAL;
	if (i >= m->n_ops)
		return -ENOENT;
	op = &m->ops[i];
	memset(&o, 0, sizeof(o));
	o.sz = info->sz;
	o.type = op->type;
	o.activation = op->act;
	o.name = op_descs[op->type].name;
	o.activation_name = act_names[op->act];
	o.in_dim = op->in;
	o.out_dim = op->out;
	o.param_count = op->param_count;
	o.n_params = op->n_params;
	for (k = 0; k < op->n_params; k++) {
		o.param_field[k] = op_descs[op->type].field[k];
		o.param_tensor[k] = op->tensor[k];
		o.param[k] = op->p[k];
		o.param_rank[k] = op->rank[k];
		o.param_shape[k][0] = op->shape[k][0];
		o.param_shape[k][1] = op->shape[k][1];
	}
	memcpy(info, &o, info->sz < sizeof(o) ? info->sz : sizeof(o));
	return 0;
}
