/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the model tests: a builder's model loaded from memory, and
 * one run of it with a context of the run's size.
 */
#ifndef EDGEAI_MODEL_TEST_H
#define EDGEAI_MODEL_TEST_H

#include <edgeai/model.h>

#include "edgeai_test.h"

/* The model @b describes, loaded as a file would be; frees @b. */
static inline struct edgeai_model *t_model_build(struct edgeai_model_builder *b)
{
	struct edgeai_model *m;
	void *buf;
	size_t len;

	T_ASSERT(edgeai_model_builder_write_mem(b, &buf, &len) == 0);
	T_ASSERT(edgeai_model_load_mem(buf, len, NULL, &m) == 0);
	free(buf);
	edgeai_model_builder_free(b);
	return m;
}

/* @n rows of @x through @m into @y, with a context made for them. */
static inline void t_model_run(struct edgeai_model *m, const float *x,
			       uint32_t n, float *y)
{
	struct edgeai_model_ctx *ctx;

	T_ASSERT(edgeai_model_ctx_new(m, n, &ctx) == 0);
	T_EQ(edgeai_model_run(ctx, x, n, y), 0);
	edgeai_model_ctx_free(ctx);
}

#endif /* EDGEAI_MODEL_TEST_H */
