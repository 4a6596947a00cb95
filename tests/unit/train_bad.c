// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input is refused, with -EINVAL and a message saying what is wrong:
 * every option out of range or inconsistent (the message in opts->err),
 * an options struct of an unknown larger size with non-zero bytes, data
 * with no rows, NaN or infinite values, labels out of range, missing
 * targets; using statistics before there are any. A learning rate that
 * makes the loss overflow stops with -ERANGE. Nothing is half-built: a
 * refused trainer is not returned, and a refused fit leaves the trainer
 * usable.
 */
#include "train_test.h"

static char err[EDGEAI_TRAIN_ERR_LEN];

static void refuse(struct edgeai_train_opts o, const char *want)
{
	struct edgeai_train *t = NULL;

	o.err = err;
	o.errlen = sizeof(err);
	strcpy(err, "unset");
	T_ERRNO(edgeai_train_new(&o, &t), EINVAL);
	T_CHECK(t == NULL);
	if (strcmp(err, want))
		T_FAILF("expected \"%s\", got \"%s\"", want, err);
	t_checks++;
}

static void options(void)
{
	const struct edgeai_train_opts lin = tt_opts(EDGEAI_TRAIN_LINEAR, 2, 0);
	const struct edgeai_train_opts mlp = tt_opts(EDGEAI_TRAIN_MLP, 2, 3);
	static const uint32_t zero[1] = { 0 }, many[17] = { 1 };
	const char *names[2] = { "a", "b,c" };
	struct edgeai_train_opts o;
	struct edgeai_train *t;
	unsigned char big[sizeof(o) + 8];

	T_ERRNO(edgeai_train_new(NULL, &t), EINVAL);
	T_ERRNO(edgeai_train_new(&lin, NULL), EINVAL);
	o = lin; o.sz = 4;
	refuse(o, "opts->sz 4 is too small");
	o = lin; o.kind = 9;
	refuse(o, "unknown model kind 9");
	o = lin; o.optimizer = 3;
	refuse(o, "unknown optimizer 3");
	o = lin; o.n_features = 0;
	refuse(o, "0 features: need 1..65536");
	o = lin; o.batch = 0;
	refuse(o, "batch 0: need at least 1 row per step");
	o = lin; o.lr = -1;
	refuse(o, "learning rate -1: must be in [1e-12, 1e+06]");
	o = lin; o.lr = NAN;
	refuse(o, "learning rate nan: must be in [1e-12, 1e+06]");
	o = lin; o.momentum = 1;
	refuse(o, "momentum 1: must be in [0, 1)");
	o = lin; o.l2 = -0.1;
	refuse(o, "l2 -0.1: must be in [0, 1e+06]");
	o = lin; o.val_fraction = 1;
	refuse(o, "validation fraction 1: must be in [0, 1)");
	o = lin; o.beta1 = 0.5;
	refuse(o, "beta1, beta2 and eps are Adam's");
	o = lin; o.optimizer = EDGEAI_TRAIN_ADAM; o.momentum = 0.9;
	refuse(o, "momentum is SGD's (Adam has beta1)");
	o = lin; o.optimizer = EDGEAI_TRAIN_ADAM; o.beta2 = 1;
	refuse(o, "beta2 1: must be in [0, 1)");
	o = lin; o.n_classes = 2;
	refuse(o, "linear: regression only (0 classes, not 2)");
	o = lin; o.n_classes = 1;
	refuse(o, "1 classes: need 0 (regression) or 2..65536");
	o = lin; o.kind = EDGEAI_TRAIN_LOGISTIC; o.n_classes = 3;
	refuse(o, "logistic: exactly 2 classes, not 3");
	o = lin; o.kind = EDGEAI_TRAIN_SOFTMAX;
	refuse(o, "softmax: needs classes (2 or more)");
	o = lin; o.n_hidden = 1; o.hidden = zero;
	refuse(o, "linear: hidden layers are for mlp");
	o = mlp; o.n_hidden = 0;
	refuse(o, "mlp: no hidden layer");
	o = mlp; o.hidden = zero;
	refuse(o, "layer 0: 0 units: need 1..65536");
	o = mlp; o.n_hidden = 17; o.hidden = many;
	refuse(o, "mlp: 17 hidden layers, at most 16");
	o = mlp; o.activation = EDGEAI_MODEL_ACT_SOFTMAX;
	refuse(o, "mlp: hidden activation softmax is for outputs");
	o = mlp; o.activation = 42;
	refuse(o, "mlp: hidden activation unknown");
	o = lin; o.feature_names = names;
	refuse(o, "feature 1: 'b,c': empty or holds a comma");
	/* A larger struct from a newer caller: zeros are fine, the rest not. */
	memset(big, 0, sizeof(big));
	o = lin;
	o.sz = sizeof(big);
	memcpy(big, &o, sizeof(o));
	T_EQ(edgeai_train_new((struct edgeai_train_opts *)big, &t), 0);
	edgeai_train_free(t);
	big[sizeof(o) + 3] = 1;
	T_ERRNO(edgeai_train_new((struct edgeai_train_opts *)big, &t), EINVAL);
	edgeai_train_free(NULL);
	T_STREQ(edgeai_train_error(NULL), "");
	T_CHECK(edgeai_train_kind_name(0) == NULL);
	T_CHECK(edgeai_train_kind_name(5) == NULL);
	T_STREQ(edgeai_train_kind_name(EDGEAI_TRAIN_MLP), "mlp");
	T_CHECK(edgeai_train_optimizer_name(3) == NULL);
	T_STREQ(edgeai_train_optimizer_name(EDGEAI_TRAIN_ADAM), "adam");
	{
		uint32_t v = 77;

		T_ERRNO(edgeai_train_kind_from_name("Linear", &v), EINVAL);
		T_ERRNO(edgeai_train_kind_from_name(NULL, &v), EINVAL);
		T_EQ(v, 77);
		T_EQ(edgeai_train_kind_from_name("softmax", &v), 0);
		T_EQ(v, EDGEAI_TRAIN_SOFTMAX);
		T_ERRNO(edgeai_train_optimizer_from_name("rmsprop", &v), EINVAL);
		T_EQ(edgeai_train_optimizer_from_name("sgd", &v), 0);
		T_EQ(v, EDGEAI_TRAIN_SGD);
	}
}

static void fit_refuses(struct edgeai_train *t, const struct edgeai_train_data *d,
			const char *want)
{
	T_ERRNO(edgeai_train_fit(t, d, NULL, NULL), EINVAL);
	T_STREQ(edgeai_train_error(t), want);
}

static void data(void)
{
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_LINEAR, 2, 0);
	struct edgeai_train_metrics m = { .sz = sizeof(m) };
	struct edgeai_model_builder *b;
	static struct tt_set s, c;
	struct edgeai_train_data d;
	struct edgeai_train *t, *tc;
	double loss;

	tt_linear(&s, 40, 2, 0, 1, 1);
	tt_blobs(&c, 40, 3, 1, 2);
	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	T_ERRNO(edgeai_train_evaluate(t, &s.d, &m), EINVAL);
	T_STREQ(edgeai_train_error(t), "no standardize statistics yet: fit first");
	T_ERRNO(edgeai_train_build(t, &b), EINVAL);
	T_ERRNO(edgeai_train_fit(NULL, &s.d, NULL, NULL), EINVAL);
	fit_refuses(t, NULL, "training rows: no data or bad sz");
	d = s.d; d.rows = 0;
	fit_refuses(t, &d, "training rows: none");
	d = s.d; d.y = NULL;
	fit_refuses(t, &d, "training rows: no targets (y)");
	d = s.d; d.x = NULL;
	fit_refuses(t, &d, "training rows: no inputs");
	s.x[7] = NAN;
	fit_refuses(t, &s.d, "training rows: row 3, feature 1 is nan");
	s.x[7] = 1;
	s.y[5] = INFINITY;
	fit_refuses(t, &s.d, "training rows: row 5, target is inf");
	T_ERRNO(edgeai_train_step(t, &s.d, &loss), EINVAL);
	T_STREQ(edgeai_train_error(t), "step rows: row 5, target is inf");
	s.y[5] = 1;
	/* Still usable after the refusals. */
	T_EQ(edgeai_train_fit(t, &s.d, NULL, NULL), 0);
	T_STREQ(edgeai_train_error(t), "");
	T_EQ(edgeai_train_evaluate(t, &s.d, &m), 0);
	m.sz = 2;
	T_ERRNO(edgeai_train_evaluate(t, &s.d, &m), EINVAL);

	o = tt_opts(EDGEAI_TRAIN_SOFTMAX, 2, 3);
	o.val_fraction = 0.99;
	T_ASSERT(edgeai_train_new(&o, &tc) == 0);
	d = c.d; d.rows = 1;
	fit_refuses(tc, &d, "1 rows: none left to train on after holding out 0.99");
	d = c.d; d.label = NULL;
	fit_refuses(tc, &d, "training rows: no labels");
	c.label[9] = 3;
	fit_refuses(tc, &c.d, "training rows: row 9, class 3 of 3");
	edgeai_train_free(tc);
	edgeai_train_free(t);
}

static void diverges(void)
{
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_LINEAR, 2, 0);
	static struct tt_set s;
	struct edgeai_train *t;

	tt_linear(&s, 40, 2, 0, 1, 1);
	o.lr = 1000;
	o.epochs = 50;
	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	T_ERRNO(edgeai_train_fit(t, &s.d, NULL, NULL), ERANGE);
	T_CHECK(strstr(edgeai_train_error(t), ": lower the learning rate") != NULL);
	edgeai_train_free(t);
}

int main(void)
{
	options();
	data();
	diverges();
	return t_done();
}
