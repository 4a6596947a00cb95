// SPDX-License-Identifier: GPL-2.0
/*
 * Early stopping keeps the best epoch: a linear model learns y = 2x while
 * validated on y = x, so its validation loss falls (w passes 1) and then
 * rises. With patience P training stops P epochs after the lowest
 * validation loss, and the model is that epoch's (its validation MSE, run
 * from the written file, is the lowest seen); without patience every
 * epoch runs but the best is still kept; without validation rows the
 * last epoch is kept; when no epoch beats the start, the start is kept
 * (epoch 0). A held-out fraction splits the rows as documented, and the
 * callback can stop training.
 */
#include "train_test.h"

#define N	64
#define EPOCHS	40

static float xtr[N], ytr[N], xva[N], yva[N], yzero[N];
static struct edgeai_train_data tr, va;

struct trace {
	double val[EPOCHS + 1];
	uint32_t n, stop_at;
};

static int on_epoch(const struct edgeai_train_epoch *e, void *arg)
{
	struct trace *tc = arg;

	T_EQ(e->epoch, tc->n + 1);
	tc->val[tc->n++] = e->val_loss;
	return tc->stop_at && e->epoch == tc->stop_at;
}

static struct edgeai_train_opts opts(struct trace *trace)
{
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_LINEAR, 1, 0);

	o.standardize = false;
	o.no_shuffle = true;
	o.lr = 0.02;
	o.epochs = EPOCHS;
	o.on_epoch = on_epoch;
	o.arg = trace;
	return o;
}

static uint32_t argmin(const struct trace *t)
{
	uint32_t i, best = 0;

	for (i = 1; i < t->n; i++)
		if (t->val[i] < t->val[best])
			best = i;
	return best + 1;
}

/* MSE of the model @t builds on @d's rows, run from the file's bytes. */
static double file_mse(struct edgeai_train *t, const struct edgeai_train_data *d)
{
	struct edgeai_model *m = tt_model(t);
	struct edgeai_model_ctx *ctx;
	float y[N];
	double s = 0;
	uint32_t r;

	T_ASSERT(edgeai_model_ctx_new(m, N, &ctx) == 0);
	T_ASSERT(edgeai_model_run(ctx, d->x, d->rows, y) == 0);
	for (r = 0; r < d->rows; r++)
		s += ((double)y[r] - d->y[r]) * ((double)y[r] - d->y[r]);
	edgeai_model_ctx_free(ctx);
	edgeai_model_free(m);
	return s / d->rows;
}

static void patience(uint32_t p)
{
	struct edgeai_train_result r = { .sz = sizeof(r) };
	struct trace trace = { 0 };
	struct edgeai_train_opts o = opts(&trace);
	struct edgeai_train *t;
	uint32_t best;
	double mse;

	o.patience = p;
	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	T_ASSERT(edgeai_train_fit(t, &tr, &va, &r) == 0);
	best = argmin(&trace);
	/* The curve must have an inside minimum, or the test proves little. */
	T_CHECK(best > 2 && best < EPOCHS / 2);
	T_EQ(r.best_epoch, best);
	T_EQ(r.epochs, p ? best + p : EPOCHS);
	T_EQ(r.early_stopped, p > 0);
	T_EQ(r.stopped, false);
	T_EQ(r.val_rows, N);
	T_EQ(r.train_rows, N);
	if (r.val.loss != trace.val[best - 1])
		T_FAILF("patience %u: kept validation loss %.10g, best seen %.10g (epoch %u)",
			p, r.val.loss, trace.val[best - 1], best);
	mse = file_mse(t, &va);
	if (fabs(mse - trace.val[best - 1]) > 1e-5 * trace.val[best - 1])
		T_FAILF("patience %u: the file's validation MSE %.8g, best %.8g",
			p, mse, trace.val[best - 1]);
	T_CHECK(trace.val[trace.n - 1] > trace.val[best - 1] * 1.01);
	t_checks += 3;
	edgeai_train_free(t);
}

/* Without validation rows the last epoch is what is kept. */
static void no_validation(void)
{
	struct edgeai_train_result r = { .sz = sizeof(r) };
	struct trace trace = { 0 };
	struct edgeai_train_opts o = opts(&trace);
	struct edgeai_train *t;

	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	T_ASSERT(edgeai_train_fit(t, &tr, NULL, &r) == 0);
	T_EQ(r.best_epoch, EPOCHS);
	T_EQ(r.val_rows, 0);
	T_EQ(r.val.rows, 0);
	T_CHECK(isnan(trace.val[0]));
	T_CHECK(fabs(file_mse(t, &tr) - r.train.mse) < 1e-5 * (r.train.mse + 1e-6));
	edgeai_train_free(t);
}

/* Every epoch is worse than the start: the start is kept. */
static void start_is_best(void)
{
	struct edgeai_train_result r = { .sz = sizeof(r) };
	struct edgeai_train_data zero = va;
	struct trace trace = { 0 };
	struct edgeai_train_opts o = opts(&trace);
	struct edgeai_model *m;
	struct edgeai_train *t;
	const float *w;
	uint64_t n;

	zero.y = yzero;
	o.patience = 5;
	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	T_ASSERT(edgeai_train_fit(t, &tr, &zero, &r) == 0);
	T_EQ(r.best_epoch, 0);
	T_EQ(r.epochs, 5);
	m = tt_model(t);
	w = tt_param(m, 0, 0, &n);
	T_CHECK(w[0] == 0);
	edgeai_model_free(m);
	edgeai_train_free(t);
}

static void split_and_stop(void)
{
	struct edgeai_train_result r = { .sz = sizeof(r) };
	struct trace trace = { .stop_at = 7 };
	struct edgeai_train_opts o = opts(&trace);
	struct edgeai_train *t;

	o.val_fraction = 0.3;
	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	T_ERRNO(edgeai_train_fit(t, &tr, &va, &r), EINVAL);
	T_STREQ(edgeai_train_error(t),
		"validation rows given and a fraction to hold out: one or the other");
	T_ASSERT(edgeai_train_fit(t, &tr, NULL, &r) == 0);
	T_EQ(r.val_rows, 20);		/* ceil(64 * 0.3) */
	T_EQ(r.train_rows, N - 20);
	T_EQ(r.train.rows, N - 20);
	T_EQ(r.val.rows, 20);
	T_EQ(r.epochs, 7);
	T_EQ(r.stopped, true);
	T_EQ(r.early_stopped, false);
	T_CHECK(!isnan(trace.val[0]));
	edgeai_train_free(t);
}

int main(void)
{
	uint32_t i;

	for (i = 0; i < N; i++) {
		xtr[i] = xva[i] = -1 + 2.0f * i / (N - 1);
		ytr[i] = 2 * xtr[i];
		yva[i] = xva[i];
	}
	tr = (struct edgeai_train_data){ .sz = sizeof(tr), .rows = N, .x = xtr, .y = ytr };
	va = (struct edgeai_train_data){ .sz = sizeof(va), .rows = N, .x = xva, .y = yva };
	patience(3);
	patience(1);
	patience(0);
	no_validation();
	start_is_best();
	split_and_stop();
	return t_done();
}
