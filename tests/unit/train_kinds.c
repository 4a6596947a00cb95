// SPDX-License-Identifier: GPL-2.0
/*
 * Every kind learns, and the file it writes is the model it trained: for
 * linear, logistic, softmax and mlp (each hidden activation, one and two
 * hidden layers, regression and classification), with SGD and Adam, the
 * model reaches R^2 >= 0.99 or accuracy >= 0.95 on a problem with a
 * known answer, and the written file, run on the raw rows by
 * edgeai_model_run(), gives the trainer's own metrics (MSE within 1e-4,
 * the same accuracy but for at most one row at a decision boundary). The
 * file's ops are [standardize,] dense..., with the output activation of
 * the task, and its metadata names the kind, task, features, outputs,
 * target and classes. Online steps (edgeai_train_step) lower the loss.
 */
#include "train_test.h"

static struct tt_set reg, bin, multi;
static const char *const feat3[3] = { "a", "b", "c" };
static const char *const feat2[2] = { "u", "v" };
static const char *const cls[4] = { "n", "e", "s", "w" };

/* The file's MSE or accuracy on @s's raw rows. */
static double file_score(struct edgeai_model *m, const struct tt_set *s)
{
	uint32_t r, c, best, out = edgeai_model_output_dim(m), right = 0;
	static float y[TT_MAX_ROWS * 4];
	struct edgeai_model_ctx *ctx;
	double sse = 0;

	T_ASSERT(edgeai_model_ctx_new(m, 64, &ctx) == 0);
	T_ASSERT(edgeai_model_run(ctx, s->x, s->rows, y) == 0);
	edgeai_model_ctx_free(ctx);
	for (r = 0; r < s->rows; r++) {
		const float *p = y + (size_t)r * out;

		if (!s->classes) {
			sse += ((double)p[0] - s->y[r]) * ((double)p[0] - s->y[r]);
			continue;
		}
		for (best = 0, c = 1; c < out; c++)
			best = p[c] > p[best] ? c : best;
		right += (out == 1 ? p[0] >= 0.5f : best) == s->label[r];
	}
	return s->classes ? (double)right / s->rows : sse / s->rows;
}

static void check_meta(struct edgeai_model *m, uint32_t kind,
		       const struct tt_set *s)
{
	static const char *const kinds[] = { "", "linear", "logistic", "softmax", "mlp" };
	const char *task = !s->classes ? "regression" : s->classes == 2 &&
			   kind != EDGEAI_TRAIN_SOFTMAX ? "binary" : "multiclass";

	T_STREQ(edgeai_model_kind(m), kinds[kind]);
	T_STREQ(edgeai_model_meta(m, "edgeai.task"), task);
	T_STREQ(edgeai_model_meta(m, "edgeai.features"), s->dim == 3 ? "a,b,c" : "u,v");
	T_STREQ(edgeai_model_meta(m, "edgeai.target"), "t");
	T_STREQ(edgeai_model_name(m), "kinds");
	T_STREQ(edgeai_model_version(m), "7");
	if (!s->classes)
		T_CHECK(edgeai_model_meta(m, "edgeai.classes") == NULL);
	else
		T_STREQ(edgeai_model_meta(m, "edgeai.classes"),
			s->classes == 2 ? "n,e" : "n,e,s,w");
	T_STREQ(edgeai_model_output_name(m, 0), !s->classes || !strcmp(task, "binary") ?
		"t" : "n");
}

static void check_ops(struct edgeai_model *m, uint32_t layers, uint32_t out_act)
{
	struct edgeai_model_op_info o = { .sz = sizeof(o) };
	uint32_t i;

	T_EQ(edgeai_model_op_count(m), layers + 1);
	T_ASSERT(edgeai_model_op_info(m, 0, &o) == 0);
	T_EQ(o.type, EDGEAI_MODEL_OP_STANDARDIZE);
	for (i = 1; i <= layers; i++) {
		T_ASSERT(edgeai_model_op_info(m, i, &o) == 0);
		T_EQ(o.type, EDGEAI_MODEL_OP_DENSE);
	}
	T_EQ(o.activation, out_act);
}

static void learns(uint32_t kind, uint32_t optimizer, const struct tt_set *s,
		   uint32_t act, uint32_t n_hidden)
{
	static const uint32_t hidden[2] = { 16, 8 };
	struct edgeai_train_opts o = tt_opts(kind, s->dim, s->classes);
	struct edgeai_train_result r = { .sz = sizeof(r) };
	struct edgeai_model *m;
	struct edgeai_train *t;
	double got, want;

	o.optimizer = optimizer;
	o.lr = optimizer == EDGEAI_TRAIN_ADAM ? 0.01 : 0.05;
	o.momentum = optimizer == EDGEAI_TRAIN_SGD ? 0.5 : 0;
	/* Raw targets (sd ~ 10): an mlp needs smaller SGD steps. */
	if (kind == EDGEAI_TRAIN_MLP && !s->classes && optimizer == EDGEAI_TRAIN_SGD)
		o.lr = 0.005;
	o.epochs = 60;
	o.activation = act;
	if (n_hidden) {
		o.hidden = hidden;
		o.n_hidden = n_hidden;
	}
	o.name = "kinds";
	o.version = "7";
	o.target = "t";
	o.feature_names = s->dim == 3 ? feat3 : feat2;
	o.class_labels = s->classes ? cls : NULL;
	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	T_ASSERT(edgeai_train_fit(t, &s->d, NULL, &r) == 0);
	m = tt_model(t);
	got = file_score(m, s);
	want = s->classes ? r.train.accuracy : r.train.mse;
	if (s->classes ? r.train.accuracy < 0.95 : r.train.r2 < 0.99)
		T_FAILF("kind %u opt %u act %u: accuracy %g, r2 %g", kind, optimizer,
			act, r.train.accuracy, r.train.r2);
	if (s->classes ? fabs(got - want) * s->rows > 1.5 :
			 fabs(got - want) > 1e-4 * want + 1e-6)
		T_FAILF("kind %u opt %u act %u: the file scores %.8g, the trainer %.8g",
			kind, optimizer, act, got, want);
	t_checks += 2;
	check_meta(m, kind, s);
	check_ops(m, n_hidden + 1, !s->classes ? EDGEAI_MODEL_ACT_IDENTITY :
		  edgeai_model_output_dim(m) == 1 ? EDGEAI_MODEL_ACT_SIGMOID :
		  EDGEAI_MODEL_ACT_SOFTMAX);
	edgeai_model_free(m);
	edgeai_train_free(t);
}

static void online(void)
{
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_LINEAR, 3, 0);
	struct edgeai_train_data d = reg.d;
	struct edgeai_train *t;
	double first = 0, loss = 0;
	uint32_t i;

	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	d.rows = 20;
	for (i = 0; i < 10; i++) {
		d.x = reg.x + (size_t)(i * 20) * 3;
		d.y = reg.y + i * 20;
		T_EQ(edgeai_train_step(t, &d, &loss), 0);
		if (!i)
			first = loss;
	}
	if (!(loss < first / 10))
		T_FAILF("online: loss %g after 10 steps, %g at the first", loss, first);
	t_checks++;
	edgeai_train_free(t);
}

int main(void)
{
	static const uint32_t acts[] = {
		EDGEAI_MODEL_ACT_RELU, EDGEAI_MODEL_ACT_TANH,
		EDGEAI_MODEL_ACT_SIGMOID, EDGEAI_MODEL_ACT_IDENTITY,
	};
	uint32_t opt, i;

	tt_linear(&reg, 300, 3, -5, 1, 1);
	tt_blobs(&bin, 300, 2, 1.5, 2);
	tt_blobs(&multi, 320, 4, 1.5, 3);
	for (opt = EDGEAI_TRAIN_SGD; opt <= EDGEAI_TRAIN_ADAM; opt++) {
		learns(EDGEAI_TRAIN_LINEAR, opt, &reg, 0, 0);
		learns(EDGEAI_TRAIN_LOGISTIC, opt, &bin, 0, 0);
		learns(EDGEAI_TRAIN_SOFTMAX, opt, &bin, 0, 0);
		learns(EDGEAI_TRAIN_SOFTMAX, opt, &multi, 0, 0);
		for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
			learns(EDGEAI_TRAIN_MLP, opt, &multi, acts[i], 1);
			learns(EDGEAI_TRAIN_MLP, opt, &bin, acts[i], 2);
			learns(EDGEAI_TRAIN_MLP, opt, &reg, acts[i], 2);
		}
	}
	online();
	return t_done();
}
