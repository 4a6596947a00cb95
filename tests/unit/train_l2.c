// SPDX-License-Identifier: GPL-2.0
/*
 * L2 shrinks the weights: for linear, logistic, softmax and mlp models the
 * sum of squared weights falls as l2 grows (0, 0.01, 0.1, 1); biases are
 * not penalized, so a linear model under a huge l2 predicts the target's
 * mean (weights near 0, the bias near the mean). And the penalty is
 * l2 / 2 * w^2: on standardized inputs with zero-mean features, plain
 * gradient descent converges to ridge's w = cov(x, y) / (var(x) + l2).
 */
#include "train_test.h"

static double norm_after(uint32_t kind, const struct tt_set *s, double l2)
{
	struct edgeai_train_opts o = tt_opts(kind, s->dim, s->classes);
	struct edgeai_model *m;
	struct edgeai_train *t;
	double n;

	o.l2 = l2;
	o.epochs = 60;
	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	T_ASSERT(edgeai_train_fit(t, &s->d, NULL, NULL) == 0);
	m = tt_model(t);
	n = tt_weight_norm2(m);
	edgeai_model_free(m);
	edgeai_train_free(t);
	return n;
}

static void shrinks(uint32_t kind, const struct tt_set *s)
{
	static const double l2[] = { 0, 0.01, 0.1, 1 };
	double prev = INFINITY, n;
	size_t i;

	for (i = 0; i < sizeof(l2) / sizeof(l2[0]); i++) {
		n = norm_after(kind, s, l2[i]);
		if (!(n < prev))
			T_FAILF("kind %u: l2 %g: |w|^2 %g, not below %g (l2 %g)",
				kind, l2[i], n, prev, i ? l2[i - 1] : 0);
		t_checks++;
		prev = n;
	}
}

/* Under a huge penalty only the bias is left: it predicts the mean. */
static void bias_free(const struct tt_set *s)
{
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_LINEAR, s->dim, 0);
	struct edgeai_model *m;
	struct edgeai_train *t;
	const float *b;
	double mean = 0;
	uint64_t n;
	uint32_t r;

	for (r = 0; r < s->rows; r++)
		mean += s->y[r];
	mean /= s->rows;
	o.l2 = 1000;
	o.lr = 0.0005;	/* lr * l2 < 1: stable */
	o.epochs = 50;
	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	T_ASSERT(edgeai_train_fit(t, &s->d, NULL, NULL) == 0);
	m = tt_model(t);
	T_CHECK(tt_weight_norm2(m) < 1e-3);
	b = tt_param(m, 1, 1, &n);
	if (fabs(b[0] - mean) > 0.05 * fabs(mean))
		T_FAILF("bias %g, the target's mean %g", (double)b[0], mean);
	t_checks++;
	edgeai_model_free(m);
	edgeai_train_free(t);
}

/* One feature, full batch GD to convergence: w = cov / (var + l2). */
static void ridge(void)
{
	static struct tt_set s;
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_LINEAR, 1, 0);
	double mx = 0, my = 0, sxx = 0, sxy = 0, want;
	struct edgeai_model *m;
	struct edgeai_train *t;
	const float *w, *sd;
	uint64_t n;
	uint32_t r;

	tt_linear(&s, 100, 1, 0, 4, 9);
	for (r = 0; r < s.rows; r++) {
		mx += s.x[r];
		my += s.y[r];
	}
	mx /= s.rows;
	my /= s.rows;
	for (r = 0; r < s.rows; r++) {
		sxx += (s.x[r] - mx) * (s.x[r] - mx);
		sxy += (s.x[r] - mx) * (s.y[r] - my);
	}
	o.batch = s.rows;
	o.epochs = 2000;
	o.lr = 0.1;
	o.l2 = 0.5;
	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	T_ASSERT(edgeai_train_fit(t, &s.d, NULL, NULL) == 0);
	m = tt_model(t);
	sd = tt_param(m, 0, 1, &n);
	w = tt_param(m, 1, 0, &n);
	/* In standardized units: cov(z, y) = sxy / n / sd, var(z) = 1; the
	 * mean loss is (yhat - y)^2, whose gradient carries a factor 2. */
	want = (sxy / s.rows / sd[0]) / (1 + o.l2 / 2);
	if (fabs(w[0] - want) > 1e-4 * fabs(want))
		T_FAILF("weight %.8g, ridge says %.8g", (double)w[0], want);
	t_checks++;
	edgeai_model_free(m);
	edgeai_train_free(t);
}

int main(void)
{
	static struct tt_set reg, bin, multi;

	tt_linear(&reg, 200, 4, -5, 2, 1);
	tt_blobs(&bin, 200, 2, 3.5, 2);
	tt_blobs(&multi, 240, 4, 3.5, 3);
	shrinks(EDGEAI_TRAIN_LINEAR, &reg);
	shrinks(EDGEAI_TRAIN_LOGISTIC, &bin);
	shrinks(EDGEAI_TRAIN_SOFTMAX, &multi);
	shrinks(EDGEAI_TRAIN_MLP, &multi);
	bias_free(&reg);
	ridge();
	return t_done();
}
