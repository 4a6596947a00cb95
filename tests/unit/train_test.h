/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the training tests (tests/unit/train_*.c) share: small seeded
 * data sets with a known answer, default options, and the model a
 * trainer builds, loaded back as a file would be.
 */
#ifndef EDGEAI_TRAIN_TEST_H
#define EDGEAI_TRAIN_TEST_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <edgeai/model.h>
#include <edgeai/train.h>

#include "edgeai_test.h"

#define TT_MAX_ROWS	512
#define TT_MAX_DIM	8

struct tt_set {
	uint32_t rows, dim, classes;
	float x[TT_MAX_ROWS * TT_MAX_DIM];
	float y[TT_MAX_ROWS];
	uint32_t label[TT_MAX_ROWS];
	struct edgeai_train_data d;
};

static inline double tt_unit(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) * 0x1.0p-53;
}

static inline void tt_data(struct tt_set *t)
{
	t->d = (struct edgeai_train_data){
		.sz = sizeof(t->d), .rows = t->rows, .x = t->x,
		.y = t->classes ? NULL : t->y,
		.label = t->classes ? t->label : NULL,
	};
}

/*
 * Regression: y = 3 x0 - 2 x1 + 0.5 x2 ... + 5 + noise, x uniform in
 * [lo, lo + 10).
 */
static inline void tt_linear(struct tt_set *t, uint32_t rows, uint32_t dim,
			     double lo, double noise, uint64_t seed)
{
	static const double w[TT_MAX_DIM] = { 3, -2, 0.5, 1, -1, 2, 0.25, -0.5 };
	uint32_t r, i;
	double y;

	t->rows = rows;
	t->dim = dim;
	t->classes = 0;
	for (r = 0; r < rows; r++) {
		y = 5 + noise * (tt_unit(&seed) - 0.5) * 2;
		for (i = 0; i < dim; i++) {
			t->x[r * dim + i] = (float)(lo + 10 * tt_unit(&seed));
			y += w[i] * t->x[r * dim + i];
		}
		t->y[r] = (float)y;
	}
	tt_data(t);
}

/* Classes: @k blobs on a circle of radius 3 around (10, 0), 2-D. */
static inline void tt_blobs(struct tt_set *t, uint32_t rows, uint32_t k,
			    double spread, uint64_t seed)
{
	uint32_t r, c;
	double a;

	t->rows = rows;
	t->dim = 2;
	t->classes = k;
	for (r = 0; r < rows; r++) {
		c = r % k;
		a = 2 * M_PI * c / k;
		t->label[r] = c;
		t->x[2 * r] = (float)(10 + 3 * cos(a) +
				      spread * (tt_unit(&seed) - 0.5) * 2);
		t->x[2 * r + 1] = (float)(3 * sin(a) +
					  spread * (tt_unit(&seed) - 0.5) * 2);
	}
	tt_data(t);
}

static inline struct edgeai_train_opts tt_opts(uint32_t kind, uint32_t dim,
					       uint32_t classes)
{
	static const uint32_t hidden[1] = { 8 };
	struct edgeai_train_opts o = {
		.sz = sizeof(o), .kind = kind, .n_features = dim,
		.n_classes = classes, .optimizer = EDGEAI_TRAIN_SGD,
		.epochs = 20, .batch = 8, .lr = 0.05, .standardize = true,
	};

	if (kind == EDGEAI_TRAIN_MLP) {
		o.n_hidden = 1;
		o.hidden = hidden;
		o.activation = EDGEAI_MODEL_ACT_TANH;
	}
	return o;
}

/* The file bytes of what @t would write (free() them). */
static inline void *tt_bytes(struct edgeai_train *t, size_t *len)
{
	struct edgeai_model_builder *b;
	void *buf;

	T_ASSERT(edgeai_train_build(t, &b) == 0);
	T_ASSERT(edgeai_model_builder_write_mem(b, &buf, len) == 0);
	edgeai_model_builder_free(b);
	return buf;
}

/* The model @t builds, loaded back. */
static inline struct edgeai_model *tt_model(struct edgeai_train *t)
{
	struct edgeai_model *m;
	size_t len;
	void *buf = tt_bytes(t, &len);

	T_ASSERT(edgeai_model_load_mem(buf, len, NULL, &m) == 0);
	free(buf);
	return m;
}

/* Parameter @k of op @i of @m (and its element count). */
static inline const float *tt_param(const struct edgeai_model *m, uint32_t i,
				    uint32_t k, uint64_t *n)
{
	struct edgeai_model_op_info o = { .sz = sizeof(o) };

	T_ASSERT(edgeai_model_op_info(m, i, &o) == 0);
	T_ASSERT(k < o.n_params);
	*n = (uint64_t)o.param_shape[k][0] *
	     (o.param_rank[k] == 2 ? o.param_shape[k][1] : 1);
	return o.param[k];
}

/* Whether every parameter of @a and @b has the same bits. */
static inline bool tt_same_params(const struct edgeai_model *a,
				  const struct edgeai_model *b)
{
	struct edgeai_model_op_info x = { .sz = sizeof(x) }, y = { .sz = sizeof(y) };
	uint32_t i, k;
	uint64_t n;

	if (edgeai_model_op_count(a) != edgeai_model_op_count(b))
		return false;
	for (i = 0; i < edgeai_model_op_count(a); i++) {
		edgeai_model_op_info(a, i, &x);
		edgeai_model_op_info(b, i, &y);
		if (x.type != y.type || x.n_params != y.n_params ||
		    x.param_count != y.param_count || x.activation != y.activation)
			return false;
		for (k = 0; k < x.n_params; k++) {
			n = (uint64_t)x.param_shape[k][0] *
			    (x.param_rank[k] == 2 ? x.param_shape[k][1] : 1);
			if (memcmp(x.param[k], y.param[k], n * sizeof(float)))
				return false;
		}
	}
	return true;
}

/* Sum of squares of the weights (not biases) of every dense op. */
static inline double tt_weight_norm2(const struct edgeai_model *m)
{
	struct edgeai_model_op_info o = { .sz = sizeof(o) };
	double s = 0;
	uint64_t j, n;
	uint32_t i;

	for (i = 0; i < edgeai_model_op_count(m); i++) {
		T_ASSERT(edgeai_model_op_info(m, i, &o) == 0);
		if (o.type != EDGEAI_MODEL_OP_DENSE)
			continue;
		n = (uint64_t)o.param_shape[0][0] * o.param_shape[0][1];
		for (j = 0; j < n; j++)
			s += (double)o.param[0][j] * o.param[0][j];
	}
	return s;
}

#endif /* EDGEAI_TRAIN_TEST_H */
