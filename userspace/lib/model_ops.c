// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Running models: the op kernels, per-thread contexts and
 * edgeai_model_run(), which allocates nothing.
 *
 * Dense (and pca) weights are packed at load in blocks of 16 outputs,
 * [block][in][16], so that the kernels broadcast one input and multiply it
 * into 16 contiguous weights: a few rows of a batch at a time, with every
 * accumulator in a register, results stored straight into the output
 * rows. The AVX2 kernel goes block by block, 4 rows x 16 outputs at a
 * time, or 8 rows x 8 outputs for a block of 8 outputs or fewer (so a
 * layer of 8 outputs computes no padding). Each output is bias + sum
 * over i in order, whatever the batch and whichever tile computes it, so
 * a row's result does not depend on its batch. The
 * portable kernel uses GCC vector extensions (SSE2 on any x86-64, NEON on
 * arm64); on x86-64 CPUs with AVX2 and FMA a second kernel, compiled for
 * them with the target attribute, is chosen at run time (it rounds once
 * per multiply-add, the portable one twice).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_AVX2_KERNEL 1
#include <immintrin.h>
#endif

/* y = W x + b on @n rows; then max(y, 0) if @relu (NaN stays NaN). */
typedef void (*dense_fn)(const struct model_op *op, const float *x, float *y,
			 uint32_t n, bool relu);

struct edgeai_model_ctx {
	struct edgeai_model *m;
	uint32_t max_batch;
	dense_fn dense;
	const char *kernel;
	float *buf[3];		/* ping, pong, pca's centred input */
	float *mem;
};

#define B MODEL_BLOCK

static uint32_t block_count(uint32_t out)
{
	return (out + B - 1) / B;
}

static uint32_t block_width(uint32_t out, uint32_t b)
{
	return out - b * B < B ? out - b * B : B;
}

/* Portable kernel: 2 rows x 16 outputs, 8 vector accumulators. */
typedef float v4sf __attribute__((vector_size(16)));
typedef int32_t v4si __attribute__((vector_size(16)));

static inline v4sf ld4(const float *p)
{
	v4sf v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void st4(float *p, v4sf v)
{
	memcpy(p, &v, sizeof(v));
}

/* v < 0 ? 0 : v, lane by lane: -0 and NaN pass unchanged, as in relu1(). */
static inline v4sf relu4(v4sf v)
{
	v4sf zero = { 0, 0, 0, 0 };

	return (v4sf)((v4si)v & ~(v4si)(v < zero));
}

static inline float relu1(float v)
{
	return v < 0 ? 0 : v;
}

/* Store 16 accumulators, through relu if asked. */
static inline void st16(float *t, v4sf a0, v4sf a1, v4sf a2, v4sf a3,
			bool relu)
{
	if (relu) {
		a0 = relu4(a0); a1 = relu4(a1); a2 = relu4(a2); a3 = relu4(a3);
	}
	st4(t, a0); st4(t + 4, a1); st4(t + 8, a2); st4(t + 12, a3);
}

static void g_rows2(const float *w, const float *bias, const float *x0,
		    const float *x1, uint32_t in, float *t0, float *t1,
		    bool relu)
{
	v4sf a0 = ld4(bias), a1 = ld4(bias + 4), a2 = ld4(bias + 8),
	     a3 = ld4(bias + 12);
	v4sf c0 = a0, c1 = a1, c2 = a2, c3 = a3;
	uint32_t i;

	for (i = 0; i < in; i++, w += B) {
		v4sf w0 = ld4(w), w1 = ld4(w + 4), w2 = ld4(w + 8),
		     w3 = ld4(w + 12);
		float s = x0[i], u = x1[i];

		a0 += s * w0; a1 += s * w1; a2 += s * w2; a3 += s * w3;
		c0 += u * w0; c1 += u * w1; c2 += u * w2; c3 += u * w3;
	}
	st16(t0, a0, a1, a2, a3, relu);
	st16(t1, c0, c1, c2, c3, relu);
}

static void g_rows1(const float *w, const float *bias, const float *x0,
		    uint32_t in, float *t0, bool relu)
{
	v4sf a0 = ld4(bias), a1 = ld4(bias + 4), a2 = ld4(bias + 8),
	     a3 = ld4(bias + 12);
	uint32_t i;

	for (i = 0; i < in; i++, w += B) {
		float s = x0[i];

		a0 += s * ld4(w); a1 += s * ld4(w + 4);
		a2 += s * ld4(w + 8); a3 += s * ld4(w + 12);
	}
	st16(t0, a0, a1, a2, a3, relu);
}

static void dense_generic(const struct model_op *op, const float *x,
			  float *y, uint32_t n, bool relu)
{
	uint32_t in = op->in, out = op->out, nb = block_count(out), r, b, m;
	float t[2][B];

	/* Full blocks store straight into the rows, a partial one via @t. */
	for (r = 0; r + 2 <= n; r += 2) {
		const float *xr = x + (size_t)r * in;
		float *yr = y + (size_t)r * out;

		for (b = 0; b < nb; b++) {
			m = block_width(out, b);
			if (m == B) {
				g_rows2(op->packed + (size_t)b * in * B,
					op->pbias + b * B, xr, xr + in, in,
					yr + b * B, yr + out + b * B, relu);
				continue;
			}
			g_rows2(op->packed + (size_t)b * in * B, op->pbias + b * B,
				xr, xr + in, in, t[0], t[1], relu);
			memcpy(yr + b * B, t[0], m * sizeof(float));
			memcpy(yr + out + b * B, t[1], m * sizeof(float));
		}
	}
	for (; r < n; r++) {
		float *yr = y + (size_t)r * out;

		for (b = 0; b < nb; b++) {
			m = block_width(out, b);
			g_rows1(op->packed + (size_t)b * in * B, op->pbias + b * B,
				x + (size_t)r * in, in, m == B ? yr + b * B : t[0],
				relu);
			if (m != B)
				memcpy(yr + b * B, t[0], m * sizeof(float));
		}
	}
}

#ifdef HAVE_AVX2_KERNEL
#define AVX2 __attribute__((target("avx2,fma")))

/* max(0, v): maxps returns its second operand for NaN, and for -0. */
#define V3_RELU(v) (v) = _mm256_max_ps(_mm256_setzero_ps(), (v))

/*
 * Store 8 outputs: straight into the row when the block has them all,
 * else the first @m through a buffer (the last block of a layer whose
 * width is not a multiple of 8).
 */
AVX2 static inline void v3_st8(float *y, __m256 a, uint32_t m)
{
	float t[8];
	uint32_t k;

	if (m >= 8) {
		_mm256_storeu_ps(y, a);
		return;
	}
	_mm256_storeu_ps(t, a);
	for (k = 0; k < m; k++)
		y[k] = t[k];
}

AVX2 static inline void v3_st16(float *y, __m256 lo, __m256 hi, uint32_t m)
{
	v3_st8(y, lo, m);
	if (m > 8)
		v3_st8(y + 8, hi, m - 8);
}

/*
 * 4 rows x 16 outputs of a block of width @m (9..16): 8 ymm accumulators,
 * 2 FMA chains per weight load. Row k of @x at x + k * in, its @m
 * outputs to y + k * out.
 */
AVX2 static void v3_rows4x16(const float *w, const float *bias,
			     const float *x, uint32_t in, float *y,
			     uint32_t out, uint32_t m, bool relu)
{
	__m256 b0 = _mm256_loadu_ps(bias), b1 = _mm256_loadu_ps(bias + 8);
	__m256 a00 = b0, a01 = b1, a10 = b0, a11 = b1;
	__m256 a20 = b0, a21 = b1, a30 = b0, a31 = b1;
	const float *x1 = x + in, *x2 = x1 + in, *x3 = x2 + in;
	uint32_t i;

	for (i = 0; i < in; i++, w += B) {
		__m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8), s;

		s = _mm256_broadcast_ss(x + i);
		a00 = _mm256_fmadd_ps(s, w0, a00);
		a01 = _mm256_fmadd_ps(s, w1, a01);
		s = _mm256_broadcast_ss(x1 + i);
		a10 = _mm256_fmadd_ps(s, w0, a10);
		a11 = _mm256_fmadd_ps(s, w1, a11);
		s = _mm256_broadcast_ss(x2 + i);
		a20 = _mm256_fmadd_ps(s, w0, a20);
		a21 = _mm256_fmadd_ps(s, w1, a21);
		s = _mm256_broadcast_ss(x3 + i);
		a30 = _mm256_fmadd_ps(s, w0, a30);
		a31 = _mm256_fmadd_ps(s, w1, a31);
	}
	if (relu) {
		V3_RELU(a00); V3_RELU(a01); V3_RELU(a10); V3_RELU(a11);
		V3_RELU(a20); V3_RELU(a21); V3_RELU(a30); V3_RELU(a31);
	}
	v3_st16(y, a00, a01, m);
	v3_st16(y + out, a10, a11, m);
	v3_st16(y + 2 * out, a20, a21, m);
	v3_st16(y + 3 * out, a30, a31, m);
}

AVX2 static void v3_rows1x16(const float *w, const float *bias,
			     const float *x, uint32_t in, float *y, uint32_t m,
			     bool relu)
{
	__m256 a0 = _mm256_loadu_ps(bias), a1 = _mm256_loadu_ps(bias + 8);
	uint32_t i;

	for (i = 0; i < in; i++, w += B) {
		__m256 s = _mm256_broadcast_ss(x + i);

		a0 = _mm256_fmadd_ps(s, _mm256_loadu_ps(w), a0);
		a1 = _mm256_fmadd_ps(s, _mm256_loadu_ps(w + 8), a1);
	}
	if (relu) {
		V3_RELU(a0);
		V3_RELU(a1);
	}
	v3_st16(y, a0, a1, m);
}

/*
 * 8 rows x 8 outputs, for a block of width @m <= 8 (a layer of 8 outputs
 * or fewer, or the last block of one): the upper 8 of the block's 16
 * packed columns are padding, not computed. 8 ymm accumulators, one
 * weight load per 8 FMA chains.
 */
AVX2 static void v3_rows8x8(const float *w, const float *bias,
			    const float *x, uint32_t in, float *y,
			    uint32_t out, uint32_t m, bool relu)
{
	__m256 a0 = _mm256_loadu_ps(bias), a1 = a0, a2 = a0, a3 = a0;
	__m256 a4 = a0, a5 = a0, a6 = a0, a7 = a0;
	const float *x1 = x + in, *x2 = x1 + in, *x3 = x2 + in, *x4 = x3 + in,
		    *x5 = x4 + in, *x6 = x5 + in, *x7 = x6 + in;
	uint32_t i;

	for (i = 0; i < in; i++, w += B) {
		__m256 w0 = _mm256_loadu_ps(w);

		a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(x + i), w0, a0);
		a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(x1 + i), w0, a1);
		a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(x2 + i), w0, a2);
		a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(x3 + i), w0, a3);
		a4 = _mm256_fmadd_ps(_mm256_broadcast_ss(x4 + i), w0, a4);
		a5 = _mm256_fmadd_ps(_mm256_broadcast_ss(x5 + i), w0, a5);
		a6 = _mm256_fmadd_ps(_mm256_broadcast_ss(x6 + i), w0, a6);
		a7 = _mm256_fmadd_ps(_mm256_broadcast_ss(x7 + i), w0, a7);
	}
	if (relu) {
		V3_RELU(a0); V3_RELU(a1); V3_RELU(a2); V3_RELU(a3);
		V3_RELU(a4); V3_RELU(a5); V3_RELU(a6); V3_RELU(a7);
	}
	v3_st8(y, a0, m);
	v3_st8(y + out, a1, m);
	v3_st8(y + 2 * out, a2, m);
	v3_st8(y + 3 * out, a3, m);
	v3_st8(y + 4 * out, a4, m);
	v3_st8(y + 5 * out, a5, m);
	v3_st8(y + 6 * out, a6, m);
	v3_st8(y + 7 * out, a7, m);
}

AVX2 static void v3_rows1x8(const float *w, const float *bias,
			    const float *x, uint32_t in, float *y, uint32_t m,
			    bool relu)
{
	__m256 a0 = _mm256_loadu_ps(bias);
	uint32_t i;

	for (i = 0; i < in; i++, w += B)
		a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(x + i),
				     _mm256_loadu_ps(w), a0);
	if (relu)
		V3_RELU(a0);
	v3_st8(y, a0, m);
}

/*
 * Block by block (its packed weights stay in L1 while the rows stream
 * past), tiles of rows, then the rows left one at a time. Every output
 * is one FMA chain from the bias over i in order, whichever kernel
 * computes it: the same bits at any batch size.
 */
AVX2 static void dense_avx2(const struct model_op *op, const float *x,
			    float *y, uint32_t n, bool relu)
{
	uint32_t in = op->in, out = op->out, nb = block_count(out), r, b, m;

	for (b = 0; b < nb; b++) {
		const float *w = op->packed + (size_t)b * in * B;
		const float *bias = op->pbias + b * B;
		float *yb = y + b * B;

		m = block_width(out, b);
		r = 0;
		if (m > 8) {
			for (; r + 4 <= n; r += 4)
				v3_rows4x16(w, bias, x + (size_t)r * in, in,
					    yb + (size_t)r * out, out, m, relu);
			for (; r < n; r++)
				v3_rows1x16(w, bias, x + (size_t)r * in, in,
					    yb + (size_t)r * out, m, relu);
		} else {
			for (; r + 8 <= n; r += 8)
				v3_rows8x8(w, bias, x + (size_t)r * in, in,
					   yb + (size_t)r * out, out, m, relu);
			for (; r < n; r++)
				v3_rows1x8(w, bias, x + (size_t)r * in, in,
					   yb + (size_t)r * out, m, relu);
		}
	}
}
#endif /* HAVE_AVX2_KERNEL */

/* Lanes of @m (all ones or all zeros) from @a, the others from @b. */
static inline v4sf sel4(v4si m, v4sf a, v4sf b)
{
	return (v4sf)(((v4si)a & m) | ((v4si)b & ~m));
}

/*
 * tanh, four lanes, the method of Cephes' tanhf (S. L. Moshier): an odd
 * polynomial x + x^3 P(x^2) for |x| < 0.625; above it 1 - 2 / (e^2|x| + 1)
 * with the sign of x, e^t = 2^n e^r with |r| <= ln(2) / 2 (ln 2 in two
 * parts) and Cephes' expf polynomial for e^r. Every lane takes both paths
 * and the mask picks, so a row rounds alike wherever it sits in a batch.
 * 2|x| is capped at 88, where e^t is still finite and the result is
 * exactly +-1 (as it is from about |x| = 9.02); NaN stays NaN, x stays x
 * while x^3 is below the precision (tiny and subnormal x, -0).
 * tests/unit/model_tanh.c bounds the error against double tanh() (about
 * 2 ulp); glibc's tanhf() was 5 times slower and a tenth of the
 * end-to-end benchmark's CPU.
 */
static inline v4sf tanh4(v4sf x)
{
	const v4si sign = { INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN };
	const v4sf cap = { 88, 88, 88, 88 }, one = { 1, 1, 1, 1 };
	v4sf a = (v4sf)((v4si)x & ~sign), z = x * x, t, nf, r, e, big, small;
	v4si n;

	/* both paths on |x|, the sign of x after: odd, and -0 stays -0 */
	small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z -
		   5.37397155531e-2f) * z + 1.33314422036e-1f) * z -
		 3.33332819422e-1f) * z * a + a;
	/* NaN compares false: such a lane computes e^88, then is x again */
	t = sel4((v4si)(a + a < cap), a + a, cap);
	/* t >= 0: truncation rounds t / ln 2 to nearest */
	n = __builtin_convertvector(t * 1.44269504088896341f + 0.5f, v4si);
	nf = __builtin_convertvector(n, v4sf);
	r = t - nf * 0.693359375f;
	r = r - nf * -2.12194440e-4f;
	e = (((((1.9875691500e-4f * r + 1.3981999507e-3f) * r +
		8.3334519073e-3f) * r + 4.1665795894e-2f) * r +
	      1.6666665459e-1f) * r + 5.0000001201e-1f) * (r * r) + r + one;
	e = (v4sf)((v4si)e + (n << 23));	/* * 2^n, n <= 127 */
	big = one - 2.0f / (e + one);
	e = sel4((v4si)(a < 0.625f), small, big);
	e = (v4sf)((v4si)e | ((v4si)x & sign));
	return sel4((v4si)(x == x), e, x);
}

static float sigmoid1(float v)
{
	float e;

	if (v >= 0)
		return 1.0f / (1.0f + expf(-v));
	e = expf(v);		/* also NaN: stays NaN */
	return e / (1.0f + e);
}

static void softmax_row(float *v, uint32_t d)
{
	float mx = v[0], sum = 0;
	uint32_t i;

	for (i = 1; i < d; i++)
		mx = v[i] > mx ? v[i] : mx;
	for (i = 0; i < d; i++) {
		v[i] = expf(v[i] - mx);
		sum += v[i];
	}
	for (i = 0; i < d; i++)
		v[i] /= sum;
}

/* Activation @act on @n rows of @d values, in place. */
static void activate(uint32_t act, float *y, uint32_t n, uint32_t d)
{
	size_t i, len = (size_t)n * d;

	switch (act) {
	case EDGEAI_MODEL_ACT_RELU:
		for (i = 0; i + 4 <= len; i += 4)
			st4(y + i, relu4(ld4(y + i)));
		for (; i < len; i++)
			y[i] = relu1(y[i]);
		break;
	case EDGEAI_MODEL_ACT_SIGMOID:
		for (i = 0; i < len; i++)
			y[i] = sigmoid1(y[i]);
		break;
	case EDGEAI_MODEL_ACT_TANH:
		for (i = 0; i + 4 <= len; i += 4)
			st4(y + i, tanh4(ld4(y + i)));
		if (i < len) {
			/* the tail through the same lanes */
			float t[4] = { 0 };

			memcpy(t, y + i, (len - i) * sizeof(float));
			st4(t, tanh4(ld4(t)));
			memcpy(y + i, t, (len - i) * sizeof(float));
		}
		break;
	case EDGEAI_MODEL_ACT_SOFTMAX:
		for (i = 0; i < n; i++)
			softmax_row(y + i * d, d);
		break;
	}
}

/*
 * Element-wise ops, 4 lanes at a time then the tail: each lane computes
 * exactly the scalar expression (no contraction: -std=c11 keeps
 * -ffp-contract=off), so all rows round alike.
 */
static void standardize(const struct model_op *op, const float *x, float *y,
			uint32_t n)
{
	const float *mean = op->p[0], *sd = op->p[1];
	uint32_t d = op->in, r, i;

	for (r = 0; r < n; r++, x += d, y += d) {
		for (i = 0; i + 4 <= d; i += 4)
			st4(y + i, (ld4(x + i) - ld4(mean + i)) / ld4(sd + i));
		for (; i < d; i++)
			y[i] = (x[i] - mean[i]) / sd[i];
	}
}

static void scale(const struct model_op *op, const float *x, float *y,
		  uint32_t n)
{
	const float *mul = op->p[0], *add = op->p[1];
	uint32_t d = op->in, r, i;

	for (r = 0; r < n; r++, x += d, y += d) {
		for (i = 0; i + 4 <= d; i += 4)
			st4(y + i, ld4(x + i) * ld4(mul + i) + ld4(add + i));
		for (; i < d; i++)
			y[i] = x[i] * mul[i] + add[i];
	}
}

static void centre(const struct model_op *op, const float *x, float *y,
		   uint32_t n)
{
	const float *mean = op->p[0];
	uint32_t d = op->in, r, i;

	for (r = 0; r < n; r++, x += d, y += d) {
		for (i = 0; i + 4 <= d; i += 4)
			st4(y + i, ld4(x + i) - ld4(mean + i));
		for (; i < d; i++)
			y[i] = x[i] - mean[i];
	}
}

static void run_op(struct edgeai_model_ctx *ctx, const struct model_op *op,
		   const float *x, float *y, uint32_t n)
{
	switch (op->type) {
	case EDGEAI_MODEL_OP_STANDARDIZE:
		standardize(op, x, y, n);
		break;
	case EDGEAI_MODEL_OP_SCALE:
		scale(op, x, y, n);
		break;
	case EDGEAI_MODEL_OP_PCA:
		centre(op, x, ctx->buf[2], n);
		ctx->dense(op, ctx->buf[2], y, n, false);
		break;
	case EDGEAI_MODEL_OP_DENSE:
		ctx->dense(op, x, y, n, op->act == EDGEAI_MODEL_ACT_RELU);
		if (op->act != EDGEAI_MODEL_ACT_RELU)
			activate(op->act, y, n, op->out);
		break;
	default:		/* stand-alone activations */
		memcpy(y, x, (size_t)n * op->in * sizeof(float));
		activate(model_act_of_op(op->type), y, n, op->in);
		break;
	}
}

int edgeai_model_run(struct edgeai_model_ctx *ctx, const float *x,
		     uint32_t n, float *y)
{
	const struct edgeai_model *m;
	uint32_t off, c, i;

	if (!ctx || (n && (!x || !y)))
		return -EINVAL;
	m = ctx->m;
	for (off = 0; off < n; off += c) {
		const float *src = x + (size_t)off * m->input_dim;

		c = n - off < ctx->max_batch ? n - off : ctx->max_batch;
		for (i = 0; i < m->n_ops; i++) {
			float *dst = i + 1 == m->n_ops ?
				     y + (size_t)off * m->output_dim :
				     ctx->buf[i & 1];

			run_op(ctx, &m->ops[i], src, dst, c);
			src = dst;
		}
	}
	return 0;
}

static void pick_kernel(struct edgeai_model_ctx *ctx)
{
	const char *force = getenv("EDGEAI_MODEL_KERNEL");

	ctx->dense = dense_generic;
	ctx->kernel = "generic";
	if (force && !strcmp(force, "generic"))
		return;
#ifdef HAVE_AVX2_KERNEL
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		ctx->dense = dense_avx2;
		ctx->kernel = "avx2-fma";
	}
#endif
}

int edgeai_model_ctx_new(struct edgeai_model *m, uint32_t max_batch,
			 struct edgeai_model_ctx **ctxp)
{
	struct edgeai_model_ctx *ctx;
	size_t per, bytes;
	int i;

	if (!m || !max_batch || !ctxp)
		return -EINVAL;
	/* Each buffer rounded up to a multiple of 64 bytes. */
	if (__builtin_mul_overflow((size_t)max_batch, (size_t)m->max_dim, &per) ||
	    __builtin_add_overflow(per, (size_t)B - 1, &per) ||
	    __builtin_mul_overflow(per / B * B, 3 * sizeof(float), &bytes))
		return -ENOMEM;
	per = per / B * B;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->mem = aligned_alloc(MODEL_ALIGN, bytes);
	if (!ctx->mem) {
		free(ctx);
		return -ENOMEM;
	}
	for (i = 0; i < 3; i++)
		ctx->buf[i] = ctx->mem + (size_t)i * per;
	ctx->m = edgeai_model_ref(m);
	ctx->max_batch = max_batch;
	pick_kernel(ctx);
	*ctxp = ctx;
	return 0;
}

void edgeai_model_ctx_free(struct edgeai_model_ctx *ctx)
{
	if (!ctx)
		return;
	edgeai_model_free(ctx->m);
	free(ctx->mem);
	free(ctx);
}

const struct edgeai_model *edgeai_model_ctx_model(const struct edgeai_model_ctx *ctx)
{
	return ctx ? ctx->m : NULL;
}

const char *edgeai_model_ctx_kernel(const struct edgeai_model_ctx *ctx)
{
	return ctx ? ctx->kernel : NULL;
}

/* Floats the packed weights and bias of @op take, 0 if it has none. */
static int packed_size(const struct model_op *op, size_t *n)
{
	size_t cols;

	*n = 0;
	if (op->type != EDGEAI_MODEL_OP_DENSE && op->type != EDGEAI_MODEL_OP_PCA)
		return 0;
	cols = (size_t)block_count(op->out) * B;
	if (__builtin_mul_overflow(cols, (size_t)op->in + 1, n))
		return -ENOMEM;
	return 0;
}

static void pack_op(struct model_op *op, float *w, float *bias)
{
	const float *src = op->type == EDGEAI_MODEL_OP_PCA ? op->p[1] : op->p[0];
	const float *b = op->type == EDGEAI_MODEL_OP_DENSE ? op->p[1] : NULL;
	uint32_t o, i;

	for (o = 0; o < op->out; o++) {
		float *dst = w + (size_t)(o / B) * op->in * B + o % B;

		for (i = 0; i < op->in; i++)
			dst[(size_t)i * B] = src[(size_t)o * op->in + i];
		bias[o] = b ? b[o] : 0;
	}
	op->packed = w;
	op->pbias = bias;
}

int model_pack(struct edgeai_model *m)
{
	size_t total = 0, n, at = 0;
	uint32_t i;

	for (i = 0; i < m->n_ops; i++) {
		if (packed_size(&m->ops[i], &n) ||
		    __builtin_add_overflow(total, n, &total))
			return -ENOMEM;
	}
	if (!total)
		return 0;
	if (total > SIZE_MAX / sizeof(float))
		return -ENOMEM;
	m->pack = aligned_alloc(MODEL_ALIGN, total * sizeof(float));
	if (!m->pack)
		return -ENOMEM;
	memset(m->pack, 0, total * sizeof(float));
	for (i = 0; i < m->n_ops; i++) {
		struct model_op *op = &m->ops[i];
		size_t cols = (size_t)block_count(op->out) * B;

		packed_size(op, &n);
		if (!n)
			continue;
		pack_op(op, m->pack + at, m->pack + at + cols * op->in);
		at += n;
	}
	return 0;
}
