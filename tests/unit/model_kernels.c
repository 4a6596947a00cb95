// SPDX-License-Identifier: GPL-2.0
/*
 * Model kernels at the edges, with both kernels (portable and AVX2+FMA
 * where the CPU has it): dense blocks and row tails of every size against
 * a double-precision loop, relu keeping NaN and -0, sigmoid and softmax
 * stable at +-1000, tanh saturating, NaN inputs propagating; one model
 * shared by threads.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>

#include <edgeai/model.h>

#include "model_test.h"

/* Dense in x out with relu on 1..9 rows against double arithmetic. */
static void dense_sizes(const char *kernel)
{
	static const uint32_t dims[][2] = {
		{ 1, 1 }, { 3, 20 }, { 16, 16 }, { 17, 33 }, { 5, 8 }, { 40, 1 },
	};
	static float w[40 * 33], bias[33], x[9 * 40], y[9 * 33];
	struct edgeai_model_builder *b;
	struct edgeai_model *m;
	uint32_t k, i, o, r, n, in, out;
	double want, worst = 0;

	for (k = 0; k < sizeof(dims) / sizeof(dims[0]); k++) {
		in = dims[k][0];
		out = dims[k][1];
		for (i = 0; i < in * out; i++)
			w[i] = (float)((int)(i * 7919 % 23) - 11) / 8;
		for (o = 0; o < out; o++)
			bias[o] = (float)o / 4 - 2;
		T_ASSERT(edgeai_model_builder_new(&b) == 0);
		T_ASSERT(edgeai_model_builder_add_dense(b, w, bias, out, in,
							EDGEAI_MODEL_ACT_RELU) == 0);
		m = t_model_build(b);
		for (n = 1; n <= 9; n++) {
			for (i = 0; i < n * in; i++)
				x[i] = (float)((int)(i * 104729 % 37) - 18) / 5;
			t_model_run(m, x, n, y);
			for (r = 0; r < n; r++) {
				for (o = 0; o < out; o++) {
					want = bias[o];
					for (i = 0; i < in; i++)
						want += (double)w[o * in + i] * x[r * in + i];
					want = want < 0 ? 0 : want;
					worst = fmax(worst, fabs(y[r * out + o] - want));
				}
			}
		}
		edgeai_model_free(m);
	}
	printf("%s: dense, all sizes: max error %g\n", kernel, worst);
	T_CHECK(worst < 1e-5);
}

static void relu_nan_negzero(void)
{
	const float w[2] = { 1, 1 }, one = 1, negzero = -0.0f;
	struct edgeai_model_builder *b;
	struct edgeai_model *m;
	float x[10] = { NAN, 1, -0.0f, -0.0f, -3, 1, 2, 2, 0, 0 }, y[5];

	/* Dense with relu: NaN in, NaN out (the sums start at +0). */
	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_dense(b, w, NULL, 1, 2,
						EDGEAI_MODEL_ACT_RELU) == 0);
	m = t_model_build(b);
	t_model_run(m, x, 5, y);
	T_CHECK(isnan(y[0]));
	T_CHECK(y[1] == 0 && !signbit(y[1]));
	T_CHECK(y[2] == 0 && !signbit(y[2]));
	T_CHECK(y[3] == 4);
	T_CHECK(y[4] == 0);
	edgeai_model_free(m);

	/* Stand-alone relu after x * 1 + -0, which keeps -0: relu keeps it. */
	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_scale(b, &one, &negzero, 1) == 0);
	T_ASSERT(edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_RELU) == 0);
	m = t_model_build(b);
	t_model_run(m, x, 5, y);	/* x[0..4]: NaN, 1, -0, -0, -3 */
	T_CHECK(isnan(y[0]) && y[1] == 1 && y[2] == 0 && signbit(y[2]) &&
		y[4] == 0 && !signbit(y[4]));
	edgeai_model_free(m);
}

static void saturation(void)
{
	const float one[3] = { 1, 1, 1 }, zero[3] = { 0, 0, 0 };
	float x[12] = { 1000, -1000, 0, 88.8f, -88.8f, 1e-30f,
			1000, 1001, 999, -1000, NAN, 1 }, y[12];
	struct edgeai_model_builder *b;
	struct edgeai_model *m;
	uint32_t i;

	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_scale(b, one, zero, 3) == 0);
	T_ASSERT(edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_SIGMOID) == 0);
	m = t_model_build(b);
	t_model_run(m, x, 2, y);
	T_CHECK(y[0] == 1 && y[1] == 0 && y[2] == 0.5f);
	T_CHECK(y[3] == 1 && y[4] > 0 && y[4] < 1e-38f && y[5] == 0.5f);
	edgeai_model_free(m);

	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_scale(b, one, zero, 3) == 0);
	T_ASSERT(edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_TANH) == 0);
	m = t_model_build(b);
	t_model_run(m, x, 2, y);
	T_CHECK(y[0] == 1 && y[1] == -1 && y[2] == 0 && y[5] == 1e-30f);
	edgeai_model_free(m);

	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_scale(b, one, zero, 3) == 0);
	T_ASSERT(edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_SOFTMAX) == 0);
	m = t_model_build(b);
	t_model_run(m, x, 4, y);
	/* Row 0: exp(1000) would overflow without the max shift. */
	T_CHECK(fabsf(y[0] - 1) < 1e-6f && y[1] == 0 && y[2] < 1e-30f);
	/* Row 2: softmax(1000, 1001, 999) = softmax(1, 2, 0). */
	T_CHECK(fabs(y[6] - 0.2447284710547976) < 1e-6 &&
		fabs(y[7] - 0.6652409557748219) < 1e-6 &&
		fabs(y[8] - 0.09003057317038046) < 1e-6);
	/* Row 3: a NaN poisons its row only. */
	for (i = 9; i < 12; i++)
		T_CHECK(isnan(y[i]));
	for (i = 0; i < 9; i++)
		T_CHECK(!isnan(y[i]));
	edgeai_model_free(m);
}

/*
 * One model, four threads with a context each, the last reference
 * dropped by whichever ends last: every thread gets the same bits.
 */
struct job {
	struct edgeai_model_ctx *ctx;
	float y[64 * 3];
};

static float tx[64 * 8];

static void *job_run(void *arg)
{
	struct job *j = arg;
	int k;

	for (k = 0; k < 200; k++)
		edgeai_model_run(j->ctx, tx, 64, j->y);
	edgeai_model_ctx_free(j->ctx);
	return NULL;
}

static void threads(void)
{
	static float w[3 * 8], bias[3];
	static struct job jobs[4];
	struct edgeai_model_builder *b;
	struct edgeai_model *m;
	pthread_t th[4];
	int i;

	for (i = 0; i < 24; i++)
		w[i] = (float)(i % 5) - 2;
	for (i = 0; i < 64 * 8; i++)
		tx[i] = (float)(i % 11) / 3;
	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_dense(b, w, bias, 3, 8,
						EDGEAI_MODEL_ACT_SOFTMAX) == 0);
	m = t_model_build(b);
	for (i = 0; i < 4; i++)
		T_ASSERT(edgeai_model_ctx_new(m, 16, &jobs[i].ctx) == 0);
	edgeai_model_free(m);		/* the contexts hold it now */
	for (i = 0; i < 4; i++)
		T_ASSERT(pthread_create(&th[i], NULL, job_run, &jobs[i]) == 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 1; i < 4; i++)
		T_CHECK(!memcmp(jobs[0].y, jobs[i].y, sizeof(jobs[0].y)));
}

int main(void)
{
	static const char *const kernels[] = { "generic", NULL };
	int k;

	for (k = 0; k < 2; k++) {
		if (kernels[k])
			setenv("EDGEAI_MODEL_KERNEL", kernels[k], 1);
		else
			unsetenv("EDGEAI_MODEL_KERNEL");
		dense_sizes(kernels[k] ? kernels[k] : "default");
		relu_nan_negzero();
		saturation();
		threads();
	}
	return t_done();
}
