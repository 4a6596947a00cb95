// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics are what their definitions say, checked on models with
 * known weights (warm start, nothing trained) and rows worked out by
 * hand: MSE and R^2 (1 - SSE/SST) for regression; mean binary
 * cross-entropy, accuracy and F1 of class 1 for logistic; categorical
 * cross-entropy, accuracy and macro-F1 (a class predicted but absent
 * counting 0, a class neither present nor predicted left out, as
 * scikit-learn does) for softmax. A fit of 0 epochs reports the same.
 */
#include "train_test.h"

static struct edgeai_model *dense_model(const float *w, const float *b,
					uint32_t out, uint32_t in, uint32_t act)
{
	struct edgeai_model_builder *mb;
	struct edgeai_model *m;
	void *buf;
	size_t len;

	T_ASSERT(edgeai_model_builder_new(&mb) == 0);
	T_ASSERT(edgeai_model_builder_add_dense(mb, w, b, out, in, act) == 0);
	T_ASSERT(edgeai_model_builder_write_mem(mb, &buf, &len) == 0);
	T_ASSERT(edgeai_model_load_mem(buf, len, NULL, &m) == 0);
	edgeai_model_builder_free(mb);
	free(buf);
	return m;
}

static struct edgeai_train *warm(uint32_t kind, uint32_t in, uint32_t k,
				 struct edgeai_model *m)
{
	struct edgeai_train_opts o = tt_opts(kind, in, k);
	struct edgeai_train *t;

	o.standardize = false;
	o.init = m;
	o.epochs = 0;
	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	edgeai_model_free(m);
	return t;
}

static void near(const char *what, double got, double want)
{
	if (!(fabs(got - want) <= 1e-12 * fmax(1, fabs(want))))
		T_FAILF("%s: %.15g, want %.15g", what, got, want);
	t_checks++;
}

static void regression(void)
{
	const float w = 2, b = 1, x[4] = { 0, 1, 2, 3 }, y[4] = { 1, 3.5, 5, 6 };
	struct edgeai_train_data d = { .sz = sizeof(d), .rows = 4, .x = x, .y = y };
	struct edgeai_train_result r = { .sz = sizeof(r) };
	struct edgeai_train_metrics m = { .sz = sizeof(m) };
	struct edgeai_train *t = warm(EDGEAI_TRAIN_LINEAR, 1, 0,
				      dense_model(&w, &b, 1, 1, 0));

	T_EQ(edgeai_train_evaluate(t, &d, &m), 0);
	T_EQ(m.sz, sizeof(m));
	T_EQ(m.rows, 4);
	near("mse", m.mse, 1.25 / 4);
	near("loss", m.loss, 1.25 / 4);
	near("r2", m.r2, 1 - 1.25 / 14.1875);
	T_CHECK(isnan(m.accuracy) && isnan(m.f1));
	T_EQ(edgeai_train_fit(t, &d, NULL, &r), 0);
	T_EQ(r.epochs, 0);
	T_EQ(r.best_epoch, 0);
	near("fit r2", r.train.r2, m.r2);
	edgeai_train_free(t);
}

static void binary(void)
{
	const float w = 1, b = 0, x[6] = { -2, -1, 1, 2, 3, -0.5 };
	const uint32_t lab[6] = { 0, 1, 1, 0, 1, 0 };
	struct edgeai_train_data d = { .sz = sizeof(d), .rows = 6, .x = x, .label = lab };
	struct edgeai_train_metrics m = { .sz = sizeof(m) };
	struct edgeai_train *t = warm(EDGEAI_TRAIN_LOGISTIC, 1, 2,
				      dense_model(&w, &b, 1, 1, EDGEAI_MODEL_ACT_SIGMOID));
	double bce = 0, p;
	int i;

	for (i = 0; i < 6; i++) {
		p = 1 / (1 + exp(-x[i]));
		bce -= lab[i] ? log(p) : log(1 - p);
	}
	T_EQ(edgeai_train_evaluate(t, &d, &m), 0);
	near("accuracy", m.accuracy, 4.0 / 6);
	near("f1", m.f1, 2.0 * 2 / (2 * 2 + 1 + 1));	/* tp 2, fp 1, fn 1 */
	if (fabs(m.loss - bce / 6) > 1e-12)
		T_FAILF("bce %.15g, want %.15g", m.loss, bce / 6);
	T_CHECK(isnan(m.mse) && isnan(m.r2));
	edgeai_train_free(t);
}

static void multiclass(void)
{
	const float w[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, b[3] = { 0 };
	const float x[15] = {
		5, 0, 0,  0, 5, 0,  0, 0, 5,  5, 1, 0,  4, 5, 0,
	};
	/* predicted: 0 1 2 0 1; labels: 0 1 1 2 1 */
	const uint32_t lab[5] = { 0, 1, 1, 2, 1 };
	struct edgeai_train_data d = { .sz = sizeof(d), .rows = 5, .x = x, .label = lab };
	struct edgeai_train_metrics m = { .sz = sizeof(m) };
	struct edgeai_train *t = warm(EDGEAI_TRAIN_SOFTMAX, 3, 3,
				      dense_model(w, b, 3, 3, EDGEAI_MODEL_ACT_SOFTMAX));
	double ce = 0, s;
	int r, c;

	for (r = 0; r < 5; r++) {
		for (s = 0, c = 0; c < 3; c++)
			s += exp(x[3 * r + c]);
		ce += log(s) - x[3 * r + lab[r]];
	}
	T_EQ(edgeai_train_evaluate(t, &d, &m), 0);
	near("accuracy", m.accuracy, 3.0 / 5);
	/* class 0: tp 1 fp 1 fn 0 -> 2/3; class 1: tp 2 fn 1 -> 4/5;
	 * class 2: tp 0 fp 1 fn 1 -> 0 */
	near("macro f1", m.f1, (2.0 / 3 + 4.0 / 5 + 0) / 3);
	if (fabs(m.loss - ce / 5) > 1e-12)
		T_FAILF("cross-entropy %.15g, want %.15g", m.loss, ce / 5);
	edgeai_train_free(t);
}

/* A class in neither the rows nor the predictions is left out. */
static void absent_class(void)
{
	const float w[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, b[3] = { 0 };
	const float x[9] = { 5, 0, 0,  0, 5, 0,  5, 1, 0 };
	const uint32_t lab[3] = { 0, 1, 1 };	/* predicted 0 1 0; no 2 */
	struct edgeai_train_data d = { .sz = sizeof(d), .rows = 3, .x = x, .label = lab };
	struct edgeai_train_metrics m = { .sz = sizeof(m) };
	struct edgeai_train *t = warm(EDGEAI_TRAIN_SOFTMAX, 3, 3,
				      dense_model(w, b, 3, 3, EDGEAI_MODEL_ACT_SOFTMAX));

	T_EQ(edgeai_train_evaluate(t, &d, &m), 0);
	/* class 0: tp 1 fp 1 -> 2/3; class 1: tp 1 fn 1 -> 2/3 */
	near("macro f1, 2 of 3 classes", m.f1, 2.0 / 3);
	edgeai_train_free(t);
}

int main(void)
{
	regression();
	absent_class();
	binary();
	multiclass();
	return t_done();
}
