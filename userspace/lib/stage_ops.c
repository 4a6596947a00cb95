// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The stage kernels: clean, window, zscore, scale and pca over a batch of rows
 * (formulas in docs/stages.md). No allocation: per-key state was sized by
 * edgeai_stage_new(). Rows are written in order and output row j is
 * written only after input row i >= j was read, so @out may be @x when
 * rows do not grow.
 */
#include <math.h>
#include <string.h>

#include "stage_int.h"

/* Output row @j takes input row @i's key and id. */
static inline void keep_row(uint32_t *keys, uint32_t *ids, uint32_t i,
			    uint32_t j)
{
	if (keys)
		keys[j] = keys[i];
	if (ids)
		ids[j] = ids[i];
}

/* Key index of row @i, or STAGE_KEY_FULL (counted as a drop). */
static uint32_t row_key(struct edgeai_stage *st, const uint32_t *keys,
			uint32_t i)
{
	uint32_t idx = edgeai__stage_key_index(&st->keys, keys ? keys[i] : 0);

	if (idx == STAGE_KEY_FULL)
		st->stats.drop_keys++;
	return idx;
}

/* Count a non-finite value by kind. */
static inline void count_missing(struct edgeai_stage *st, float v)
{
	if (isnan(v))
		st->stats.nan_values++;
	else
		st->stats.inf_values++;
}

/* policy=drop: 1 if the row has a NaN or Inf (each one counted). */
static int row_missing(struct edgeai_stage *st, const float *r, uint32_t d)
{
	uint32_t c;
	int miss = 0;

	for (c = 0; c < d; c++) {
		if (!isfinite(r[c])) {
			count_missing(st, r[c]);
			miss = 1;
		}
	}
	return miss;
}

static void impute_zero(struct edgeai_stage *st, const float *r, float *o,
			uint32_t d)
{
	uint32_t c;

	for (c = 0; c < d; c++) {
		float v = r[c];

		if (!isfinite(v)) {
			count_missing(st, v);
			st->stats.imputed++;
			v = 0.0f;
		}
		o[c] = v;
	}
}

/* Running mean (Welford, in double) of the finite values of each channel. */
static void impute_mean(struct edgeai_stage *st, uint32_t idx, const float *r,
			float *o, uint32_t d)
{
	double *mu = st->mean + (size_t)idx * d;
	uint64_t *cnt = st->count + (size_t)idx * d;
	uint32_t c;

	for (c = 0; c < d; c++) {
		float v = r[c];

		if (isfinite(v)) {
			cnt[c]++;
			mu[c] += ((double)v - mu[c]) / (double)cnt[c];
		} else {
			count_missing(st, v);
			st->stats.imputed++;
			v = (float)mu[c];
		}
		o[c] = v;
	}
}

static void impute_last(struct edgeai_stage *st, uint32_t idx, const float *r,
			float *o, uint32_t d)
{
	float *last = st->last + (size_t)idx * d;
	uint32_t c;

	for (c = 0; c < d; c++) {
		float v = r[c];

		if (isfinite(v)) {
			last[c] = v;
		} else {
			count_missing(st, v);
			st->stats.imputed++;
			v = last[c];
		}
		o[c] = v;
	}
}

/* One row through the clean stage; 0 if it was dropped. */
static int clean_row(struct edgeai_stage *st, uint32_t idx, const float *r,
		     float *o)
{
	uint32_t d = st->in_dim;

	switch (st->policy) {
	case CLEAN_DROP:
		if (row_missing(st, r, d)) {
			st->stats.drop_missing++;
			return 0;
		}
		if (o != r)
			memmove(o, r, d * sizeof(*o));
		break;
	case CLEAN_IMPUTE_ZERO:
		impute_zero(st, r, o, d);
		break;
	case CLEAN_IMPUTE_MEAN:
		impute_mean(st, idx, r, o, d);
		break;
	case CLEAN_IMPUTE_LAST:
		impute_last(st, idx, r, o, d);
		break;
	}
	return 1;
}

uint32_t edgeai__stage_run_clean(struct edgeai_stage *st, const float *x,
			 uint32_t n, uint32_t *keys, uint32_t *ids,
			 float *out)
{
	uint32_t d = st->in_dim, i, j = 0, idx = 0;

	for (i = 0; i < n; i++) {
		if (st->keyed) {
			idx = row_key(st, keys, i);
			if (idx == STAGE_KEY_FULL)
				continue;
		}
		if (!clean_row(st, idx, x + (size_t)i * d, out + (size_t)j * d))
			continue;
		keep_row(keys, ids, i, j);
		j++;
	}
	return j;
}

/* Append row @r to key @idx's ring: channel c's values are contiguous. */
static void window_push(struct edgeai_stage *st, uint32_t idx, const float *r)
{
	uint32_t n = st->win_n, d = st->in_dim, c;
	float *ring = st->ring + (size_t)idx * d * n;
	uint32_t pos = (uint32_t)(st->count[idx] % n);

	for (c = 0; c < d; c++)
		ring[(size_t)c * n + pos] = r[c];
	st->count[idx]++;
}

/*
 * Window features of one channel: one pass in double over the values
 * shifted by the oldest one, k. With d = x - k, exact in double:
 *
 *	mean  = k + S/m,			S = sum d
 *	var   = (Q - S^2/m) / m,		Q = sum d^2
 *	slope = C / (m (m^2 - 1) / 12),	C = sum (t - tbar) d
 *	rms   = sqrt(sum x^2 / m)
 *
 * k is a sample of the window, so m (mean - k)^2 is at most m^2 times the
 * variance and Q - S^2/m loses at most a factor ~m^2 of double precision
 * (~1e-9 relative at n = 4096): large offsets cost nothing. Windows with
 * NaN or Inf take win_nonfinite().
 */
struct win_acc {
	double s, q, c, sq;
	float min, max;
	int nonfinite;
};

static void win_pass(const float *v, uint32_t len, double t0, double tbar,
		     float k, struct win_acc *a)
{
	uint32_t t;

	for (t = 0; t < len; t++) {
		float f = v[t];
		double d = (double)f - k;

		a->s += d;
		a->q += d * d;
		a->c += (t0 + t - tbar) * d;
		a->sq += (double)f * f;
		a->min = f < a->min ? f : a->min;
		a->max = f > a->max ? f : a->max;
		a->nonfinite |= !isfinite(f);
	}
}

/*
 * A window with NaN or Inf, as NumPy computes it: plain sums (mean and rms
 * may be +-Inf or NaN), a NaN sticks in min and max; x - mean is NaN for
 * the non-finite sample, so var is NaN, and so is the slope when m > 1.
 */
static void win_nonfinite(const float *v, uint32_t len, struct win_acc *a)
{
	uint32_t t;

	for (t = 0; t < len; t++) {
		float f = v[t];

		a->s += f;
		a->sq += (double)f * f;
		if (isnan(f) || isnan(a->min))
			a->min = a->max = NAN;
		a->min = f < a->min ? f : a->min;
		a->max = f > a->max ? f : a->max;
	}
}

/*
 * Features of one channel over its last @m values, oldest first: ring
 * positions start..n-1 then 0.. (two contiguous pieces).
 */
static void win_channel(const struct edgeai_stage *st, const float *ring,
			uint32_t start, uint32_t m, double f[FEAT_COUNT])
{
	uint32_t len1 = st->win_n - start < m ? st->win_n - start : m;
	float k = ring[start];
	struct win_acc a = { 0, 0, 0, 0, k, k, 0 };
	double dm = m, tbar = (dm - 1) / 2;

	win_pass(ring + start, len1, 0, tbar, k, &a);
	win_pass(ring, m - len1, len1, tbar, k, &a);
	if (!a.nonfinite) {
		f[FEAT_MEAN] = k + a.s / dm;
		f[FEAT_VAR] = fmax(0.0, (a.q - a.s * a.s / dm) / dm);
		/* sum over t of (t - tbar)^2 is m (m^2 - 1) / 12 */
		f[FEAT_SLOPE] = m > 1 ? a.c / (dm * (dm * dm - 1) / 12) : 0.0;
	} else {
		a.s = a.sq = 0;
		a.min = a.max = k;
		win_nonfinite(ring + start, len1, &a);
		win_nonfinite(ring, m - len1, &a);
		f[FEAT_MEAN] = a.s / dm;
		f[FEAT_VAR] = NAN;
		f[FEAT_SLOPE] = m > 1 ? NAN : 0.0;
	}
	f[FEAT_MIN] = a.min;
	f[FEAT_MAX] = a.max;
	f[FEAT_RMS] = sqrt(a.sq / dm);
}

/* Output row: feature-major, o[f * in_dim + c]. */
static void window_features(const struct edgeai_stage *st, uint32_t idx,
			    float *o)
{
	uint32_t n = st->win_n, d = st->in_dim, c, f;
	const float *ring = st->ring + (size_t)idx * d * n;
	uint64_t count = st->count[idx];
	uint32_t m = count < n ? (uint32_t)count : n;
	uint32_t start = (uint32_t)((count - m) % n);
	double v[FEAT_COUNT];

	for (c = 0; c < d; c++) {
		win_channel(st, ring + (size_t)c * n, start, m, v);
		for (f = 0; f < st->nfeat; f++)
			o[(size_t)f * d + c] = (float)v[st->feat[f]];
	}
}

uint32_t edgeai__stage_run_window(struct edgeai_stage *st, const float *x,
			  uint32_t n, uint32_t *keys, uint32_t *ids,
			  float *out)
{
	uint32_t i, j = 0, idx;

	for (i = 0; i < n; i++) {
		idx = row_key(st, keys, i);
		if (idx == STAGE_KEY_FULL)
			continue;
		window_push(st, idx, x + (size_t)i * st->in_dim);
		if (st->emit_full && st->count[idx] < st->win_n) {
			st->stats.drop_warmup++;
			continue;
		}
		window_features(st, idx, out + (size_t)j * st->out_dim);
		keep_row(keys, ids, i, j);
		j++;
	}
	return j;
}

/* zscore: (x - mean) / std; scale: x * mul + add; in float32. */
uint32_t edgeai__stage_run_affine(struct edgeai_stage *st, const float *x,
			  uint32_t n, float *out)
{
	const float *p0 = st->p0, *p1 = st->p1;
	uint32_t d = st->in_dim, i, c;

	for (i = 0; i < n; i++) {
		const float *r = x + (size_t)i * d;
		float *o = out + (size_t)i * d;

		if (st->kind == STAGE_ZSCORE)
			for (c = 0; c < d; c++)
				o[c] = (r[c] - p0[c]) / p1[c];
		else
			for (c = 0; c < d; c++)
				o[c] = r[c] * p0[c] + p1[c];
	}
	return n;
}

/* c = r - mean, one row. */
static void pca_center(const float *restrict r, const float *restrict mean,
		       float *restrict c, uint32_t d)
{
	uint32_t i;

	for (i = 0; i < d; i++)
		c[i] = r[i] - mean[i];
}

/*
 * o = components c, from the transposed components ct[d][k]: output j
 * accumulates c[i] * components[j][i] for i = 0..d-1 in order, in
 * float32; the inner loop runs along o and a row of ct, both contiguous,
 * so it vectorizes without reordering any sum.
 */
static void pca_project(const float *restrict c, const float *restrict ct,
			float *restrict o, uint32_t d, uint32_t k)
{
	uint32_t i, j;

	for (j = 0; j < k; j++)
		o[j] = 0.0f;
	for (i = 0; i < d; i++) {
		const float *row = ct + (size_t)i * k;
		float ci = c[i];

		for (j = 0; j < k; j++)
			o[j] += row[j] * ci;
	}
}

/*
 * pca: y = components (x - mean). The centred row goes to the stage's
 * scratch first, so output row i may overwrite input row i (in place,
 * k <= d).
 */
uint32_t edgeai__stage_run_pca(struct edgeai_stage *st, const float *x,
			       uint32_t n, float *out)
{
	uint32_t d = st->in_dim, k = st->out_dim, i;

	for (i = 0; i < n; i++) {
		pca_center(x + (size_t)i * d, st->p0, st->scratch, d);
		pca_project(st->scratch, st->comp, out + (size_t)i * k, d, k);
	}
	return n;
}
