// SPDX-License-Identifier: GPL-2.0
/*
 * The tanh activation against double-precision tanh(): every 61st float
 * from 0 to 12 and its negation (about 36 M values; all rounding paths,
 * both sides of the polynomial/exponential switch at 0.625) within
 * 2 ulp of the double result rounded to float, odd (tanh(-x) is exactly
 * -tanh(x)), monotonic, and exact where float tanh is exact: x itself for
 * tiny and subnormal x (and -0), +-1 from about 9.02 on and for +-Inf;
 * NaN stays NaN. A row's values do not depend on where they sit in a
 * batch: the vector lanes and the tail give the same bits.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <edgeai/model.h>

#include "model_test.h"

#define W	64		/* values per row */
#define ROWS	256		/* rows per run */
#define MAX_ULP	2.0

static struct edgeai_model *tanh_model(uint32_t width)
{
	static float one[W], zero[W];
	struct edgeai_model_builder *b;
	uint32_t i;

	/* x * 1 + -0 keeps -0 (x * 1 + 0 would make it +0) */
	for (i = 0; i < W; i++) {
		one[i] = 1;
		zero[i] = -0.0f;
	}
	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_scale(b, one, zero, width) == 0);
	T_ASSERT(edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_TANH) == 0);
	return t_model_build(b);
}

/* |y - tanh(x)| in units of the last place of the float nearest tanh(x). */
static double ulps(float x, float y)
{
	double want = tanh((double)x);
	float w = fabsf((float)want);
	double ulp = (double)nextafterf(w, INFINITY) - (double)w;

	if (w == 0)
		ulp = ldexp(1, -149);
	return fabs((double)y - want) / ulp;
}

static void sweep(void)
{
	static float x[ROWS * W], y[ROWS * W], xn[ROWS * W], yn[ROWS * W];
	struct edgeai_model *m = tanh_model(W);
	const uint32_t stop = t_f32_bits(12.0f), step = 61;
	double worst = 0, e;
	float worst_x = 0, prev = 0;
	uint32_t u = 0, i, n, count = 0, bad_odd = 0, bad_mono = 0;

	while (u <= stop) {
		for (n = 0; n < ROWS * W && u <= stop; n++, u += step) {
			x[n] = t_f32_from_bits(u);
			xn[n] = -x[n];
		}
		while (n % W)		/* whole rows: repeat the last value */
			x[n] = x[n - 1], xn[n] = xn[n - 1], n++;
		t_model_run(m, x, n / W, y);
		t_model_run(m, xn, n / W, yn);
		for (i = 0; i < n; i++, count++) {
			e = ulps(x[i], y[i]);
			if (e > worst) {
				worst = e;
				worst_x = x[i];
			}
			if (t_f32_bits(yn[i]) != (t_f32_bits(y[i]) ^ 0x80000000u))
				bad_odd++;
			if (y[i] < prev)
				bad_mono++;
			prev = y[i];
		}
	}
	printf("    %u values in [-12, 12]: worst %.3f ulp at %.9g; %u not odd, %u not monotonic\n",
	       count, worst, (double)worst_x, bad_odd, bad_mono);
	T_CHECK(worst <= MAX_ULP);
	T_CHECK(bad_odd == 0);
	T_CHECK(bad_mono == 0);
	edgeai_model_free(m);
}

static void exact(void)
{
	static const float in[] = {
		0.0f, -0.0f, 1e-30f, -1e-30f, 1e-45f, -1e-45f, 1.17549435e-38f,
		1e-5f, 2.4e-4f, 9.02f, 9.5f, 20.0f, 44.0f, 44.5f, 88.8f, 1000.0f,
		3.4e38f, INFINITY, -9.02f, -1000.0f, -INFINITY, NAN, 0.625f,
		0.62499994f, 5.0f, 0.5f,
	};
	const size_t n = sizeof(in) / sizeof(in[0]);
	struct edgeai_model *m = tanh_model((uint32_t)n);
	float y[sizeof(in) / sizeof(in[0])];
	size_t i;

	t_model_run(m, in, 1, y);
	/* x itself while x^3 / 3 is below half an ulp of x */
	for (i = 0; i < 8; i++) {
		if (t_f32_bits(y[i]) != t_f32_bits(in[i]))
			T_FAILF("tanh(%.9g) = %.9g, want x itself", (double)in[i],
				(double)y[i]);
		T_CHECK(t_f32_bits(y[i]) == t_f32_bits(in[i]));
	}
	for (i = 13; i < 18; i++)
		T_CHECK(y[i] == 1.0f);
	T_CHECK(y[9] == 1.0f && y[10] == 1.0f && y[11] == 1.0f);
	T_CHECK(y[12] == 1.0f);
	T_CHECK(y[18] == -1.0f && y[19] == -1.0f && y[20] == -1.0f);
	T_CHECK(isnan(y[21]));
	for (i = 22; i < n; i++)
		T_CHECK(ulps(in[i], y[i]) <= MAX_ULP);
	edgeai_model_free(m);
}

/* Widths 1..9: the tail lanes give what the vector lanes give. */
static void tails(void)
{
	static float x[9 * 7], y[9 * 7], ref[9 * 7], xr[8 * 64], yr[8 * 64];
	struct edgeai_model *m, *wide = tanh_model(W);
	uint32_t w, i, r;

	for (i = 0; i < 9 * 7; i++)
		x[i] = (float)((int)(i * 7919 % 61) - 30) / 7.0f;
	/* the reference: each value in a full-vector position of a wide row */
	memset(xr, 0, sizeof(xr));
	for (i = 0; i < 9 * 7; i++)
		xr[i] = x[i];
	t_model_run(wide, xr, 1, yr);
	memcpy(ref, yr, sizeof(ref));
	for (w = 1; w <= 9; w++) {
		m = tanh_model(w);
		t_model_run(m, x, 7, y);
		for (r = 0; r < 7 * w; r++)
			T_CHECK(t_f32_bits(y[r]) == t_f32_bits(ref[r]));
		edgeai_model_free(m);
	}
	edgeai_model_free(wide);
}

int main(void)
{
	sweep();
	exact();
	tails();
	return t_done();
}
