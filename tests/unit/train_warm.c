// SPDX-License-Identifier: GPL-2.0
/*
 * Warm start ("parameters provided centrally"): a trainer started from a
 * model file continues from its weights and keeps its standardize
 * statistics. Zero epochs give back the same parameters bit for bit (the
 * statistics are not recomputed from the new rows); one more epoch starts
 * at the given model's loss, not at a fresh model's; an mlp takes its
 * layers from the model; a dense op followed by a stand-alone activation
 * reads as one layer; models that do not fit the options are refused with
 * a message naming why.
 */
#include "train_test.h"

static struct tt_set reg, shifted, multi;

static struct edgeai_model *trained(struct edgeai_train_opts *o,
				    const struct tt_set *s, double *loss)
{
	struct edgeai_train_result r = { .sz = sizeof(r) };
	struct edgeai_model *m;
	struct edgeai_train *t;

	T_ASSERT(edgeai_train_new(o, &t) == 0);
	T_ASSERT(edgeai_train_fit(t, &s->d, NULL, &r) == 0);
	if (loss)
		*loss = r.train.loss;
	m = tt_model(t);
	edgeai_train_free(t);
	return m;
}

static double first_epoch_loss;

static int on_epoch(const struct edgeai_train_epoch *e, void *arg)
{
	if (e->epoch == 1)
		first_epoch_loss = e->loss;
	return 0;
}

static void same_after_zero_epochs(void)
{
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_LINEAR, 3, 0);
	struct edgeai_model *a, *b;

	a = trained(&o, &reg, NULL);
	o.init = a;
	o.epochs = 0;
	o.standardize = false;	/* implied by the model's standardize op */
	b = trained(&o, &shifted, NULL);
	T_CHECK(tt_same_params(a, b));
	T_CHECK(strstr(edgeai_model_meta(b, "edgeai.training"), "\"warm_start\":true"));
	edgeai_model_free(b);
	o.standardize = true;	/* asking again changes nothing */
	b = trained(&o, &shifted, NULL);
	T_CHECK(tt_same_params(a, b));
	edgeai_model_free(b);
	edgeai_model_free(a);
}

static void continues(uint32_t optimizer)
{
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_LINEAR, 3, 0);
	struct edgeai_model *a, *b;
	double loss_a, scratch;

	o.optimizer = optimizer;
	o.lr = 0.05;
	o.epochs = 40;
	a = trained(&o, &reg, &loss_a);
	/* Small steps: from scratch, one epoch gets nowhere near. */
	o.lr = 0.002;
	o.on_epoch = on_epoch;
	o.epochs = 1;
	b = trained(&o, &reg, NULL);
	scratch = first_epoch_loss;
	edgeai_model_free(b);
	o.init = a;
	b = trained(&o, &reg, NULL);
	if (!(first_epoch_loss < 1.5 * loss_a + 0.1 && first_epoch_loss < scratch / 10))
		T_FAILF("optimizer %u: warm epoch 1 loss %g; the model's %g, from scratch %g",
			optimizer, first_epoch_loss, loss_a, scratch);
	t_checks++;
	edgeai_model_free(b);
	edgeai_model_free(a);
}

static void mlp_layers(void)
{
	static const uint32_t other[2] = { 8, 4 };
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_MLP, 2, 3);
	char err[EDGEAI_TRAIN_ERR_LEN];
	struct edgeai_model *a, *b;
	struct edgeai_train *t;

	a = trained(&o, &multi, NULL);
	o.init = a;
	o.epochs = 0;
	o.hidden = NULL;
	o.n_hidden = 0;
	o.activation = EDGEAI_MODEL_ACT_RELU;	/* the model's (tanh) wins */
	b = trained(&o, &multi, NULL);
	T_CHECK(tt_same_params(a, b));
	edgeai_model_free(b);
	o.hidden = other;
	o.n_hidden = 2;
	o.err = err;
	o.errlen = sizeof(err);
	T_ERRNO(edgeai_train_new(&o, &t), EINVAL);
	T_STREQ(err, "warm start: the model's hidden layers differ from the ones asked for");
	edgeai_model_free(a);
}

/* dense(identity) + sigmoid op: one logistic layer. */
static void split_activation(void)
{
	const float mean[2] = { 10, 0 }, sd[2] = { 2, 2 }, w[2] = { 1, -1 }, b = 0.5f;
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_LOGISTIC, 2, 2);
	struct edgeai_model_builder *mb;
	struct edgeai_model *a, *c;
	struct edgeai_model_op_info info = { .sz = sizeof(info) };
	static struct tt_set bin;
	void *buf;
	size_t len;

	tt_blobs(&bin, 100, 2, 2, 5);
	T_ASSERT(edgeai_model_builder_new(&mb) == 0);
	T_ASSERT(edgeai_model_builder_add_standardize(mb, mean, sd, 2) == 0);
	T_ASSERT(edgeai_model_builder_add_dense(mb, w, &b, 1, 2, EDGEAI_MODEL_ACT_IDENTITY) == 0);
	T_ASSERT(edgeai_model_builder_add_activation(mb, EDGEAI_MODEL_ACT_SIGMOID) == 0);
	T_ASSERT(edgeai_model_builder_write_mem(mb, &buf, &len) == 0);
	T_ASSERT(edgeai_model_load_mem(buf, len, NULL, &a) == 0);
	edgeai_model_builder_free(mb);
	free(buf);
	o.init = a;
	o.epochs = 0;
	c = trained(&o, &bin, NULL);
	T_EQ(edgeai_model_op_count(c), 2);
	T_ASSERT(edgeai_model_op_info(c, 1, &info) == 0);
	T_EQ(info.activation, EDGEAI_MODEL_ACT_SIGMOID);
	T_CHECK(info.param[0][0] == 1 && info.param[0][1] == -1 && info.param[1][0] == 0.5f);
	edgeai_model_free(c);
	edgeai_model_free(a);
}

static void refuse(struct edgeai_train_opts *o, const char *want)
{
	char err[EDGEAI_TRAIN_ERR_LEN] = "x";
	struct edgeai_train *t = NULL;

	o->err = err;
	o->errlen = sizeof(err);
	T_ERRNO(edgeai_train_new(o, &t), EINVAL);
	T_CHECK(t == NULL);
	T_STREQ(err, want);
}

static void refusals(void)
{
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_LINEAR, 3, 0);
	const float mean[3] = { 0 }, comp[6] = { 1, 0, 0, 0, 1, 0 };
	struct edgeai_model_builder *mb;
	struct edgeai_model *lin, *raw, *pca;
	void *buf;
	size_t len;

	lin = trained(&o, &reg, NULL);
	o.standardize = false;
	raw = trained(&o, &reg, NULL);
	T_ASSERT(edgeai_model_builder_new(&mb) == 0);
	T_ASSERT(edgeai_model_builder_add_pca(mb, mean, comp, 2, 3) == 0);
	T_ASSERT(edgeai_model_builder_add_dense(mb, comp, NULL, 1, 2, 0) == 0);
	T_ASSERT(edgeai_model_builder_write_mem(mb, &buf, &len) == 0);
	T_ASSERT(edgeai_model_load_mem(buf, len, NULL, &pca) == 0);
	edgeai_model_builder_free(mb);
	free(buf);

	o = tt_opts(EDGEAI_TRAIN_LINEAR, 4, 0);
	o.init = lin;
	refuse(&o, "warm start: the model takes 3 inputs, not 4");
	o = tt_opts(EDGEAI_TRAIN_LOGISTIC, 3, 2);
	o.init = lin;
	refuse(&o, "warm start: the model's output is 1 x identity; a binary logistic model has 1 x sigmoid");
	o = tt_opts(EDGEAI_TRAIN_MLP, 3, 0);
	o.init = lin;
	refuse(&o, "warm start: the model has 0 hidden layers, an mlp model needs some");
	o = tt_opts(EDGEAI_TRAIN_LINEAR, 3, 0);
	o.init = pca;
	refuse(&o, "warm start: op 0 is pca; training continues a [standardize,] dense... model");
	o.init = raw;
	refuse(&o, "warm start: the model has no standardize op (its weights take raw inputs): do not standardize");
	o.standardize = false;
	o.init = raw;
	o.err = NULL;
	{
		struct edgeai_train *t;

		T_EQ(edgeai_train_new(&o, &t), 0);
		edgeai_train_free(t);
	}
	edgeai_model_free(lin);
	edgeai_model_free(raw);
	edgeai_model_free(pca);
}

int main(void)
{
	tt_linear(&reg, 200, 3, -5, 1, 1);
	tt_linear(&shifted, 100, 3, 50, 1, 2);
	tt_blobs(&multi, 240, 3, 2.5, 3);
	same_after_zero_epochs();
	continues(EDGEAI_TRAIN_SGD);
	continues(EDGEAI_TRAIN_ADAM);
	mlp_layers();
	split_activation();
	refusals();
	return t_done();
}
