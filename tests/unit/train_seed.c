// SPDX-License-Identifier: GPL-2.0
/*
 * Training is reproducible: the same seed gives a bit-identical model file
 * for every kind and both optimizers (shuffled mini-batches, a validation
 * split, random initial weights), across trainers and interleaved; another
 * seed gives other weights. Without shuffling, a split or random weights
 * (one-layer models start at zero), the seed changes no weight (only
 * edgeai.training, which records it).
 */
#include "train_test.h"

static struct tt_set reg, bin, multi;

static void *train_bytes(struct edgeai_train_opts *o, const struct tt_set *s,
			 size_t *len)
{
	struct edgeai_train *t;
	void *buf;

	T_ASSERT(edgeai_train_new(o, &t) == 0);
	T_ASSERT(edgeai_train_fit(t, &s->d, NULL, NULL) == 0);
	buf = tt_bytes(t, len);
	edgeai_train_free(t);
	return buf;
}

static struct edgeai_model *load(void *buf, size_t len)
{
	struct edgeai_model *m;

	T_ASSERT(edgeai_model_load_mem(buf, len, NULL, &m) == 0);
	free(buf);
	return m;
}

/* Same file (@bytes) or same weights for two seeds. */
static bool same(struct edgeai_train_opts *o, const struct tt_set *s,
		 uint64_t seed_a, uint64_t seed_b, bool bytes)
{
	struct edgeai_model *ma, *mb;
	size_t la, lb;
	void *a, *b;
	bool eq;

	o->seed = seed_a;
	a = train_bytes(o, s, &la);
	o->seed = seed_b;
	b = train_bytes(o, s, &lb);
	if (bytes) {
		eq = la == lb && !memcmp(a, b, la);
		free(a);
		free(b);
		return eq;
	}
	ma = load(a, la);
	mb = load(b, lb);
	eq = tt_same_params(ma, mb);
	edgeai_model_free(ma);
	edgeai_model_free(mb);
	return eq;
}

static void kinds(uint32_t optimizer)
{
	struct edgeai_train_opts o;
	const struct {
		uint32_t kind;
		const struct tt_set *s;
	} c[] = {
		{ EDGEAI_TRAIN_LINEAR, &reg }, { EDGEAI_TRAIN_LOGISTIC, &bin },
		{ EDGEAI_TRAIN_SOFTMAX, &multi }, { EDGEAI_TRAIN_MLP, &reg },
		{ EDGEAI_TRAIN_MLP, &bin }, { EDGEAI_TRAIN_MLP, &multi },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		o = tt_opts(c[i].kind, c[i].s->dim, c[i].s->classes);
		o.optimizer = optimizer;
		o.lr = optimizer == EDGEAI_TRAIN_ADAM ? 0.01 : 0.02;
		o.momentum = optimizer == EDGEAI_TRAIN_SGD ? 0.5 : 0;
		o.val_fraction = 0.25;
		o.l2 = 0.001;
		if (!same(&o, c[i].s, 42, 42, true))
			T_FAILF("kind %u, optimizer %u: seed 42 twice, different files",
				c[i].kind, optimizer);
		if (same(&o, c[i].s, 42, 43, false))
			T_FAILF("kind %u, optimizer %u: seeds 42 and 43, the same weights",
				c[i].kind, optimizer);
		t_checks += 2;
	}
}

/* Two trainers stepping in turn do not disturb each other. */
static void interleaved(void)
{
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_MLP, 2, 3);
	struct edgeai_model *ma, *mb, *mr;
	struct edgeai_train *a, *b;
	size_t la, lb, lr;
	void *ba, *bb, *ref;
	uint32_t e;

	o.seed = 7;
	o.epochs = 10;
	ref = train_bytes(&o, &multi, &lr);
	o.epochs = 1;
	T_ASSERT(edgeai_train_new(&o, &a) == 0);
	T_ASSERT(edgeai_train_new(&o, &b) == 0);
	for (e = 0; e < 10; e++) {
		T_EQ(edgeai_train_fit(a, &multi.d, NULL, NULL), 0);
		T_EQ(edgeai_train_fit(b, &multi.d, NULL, NULL), 0);
	}
	ba = tt_bytes(a, &la);
	bb = tt_bytes(b, &lb);
	T_CHECK(la == lb && !memcmp(ba, bb, la));
	/* Ten fits of one epoch differ from one of ten only in
	 * edgeai.training: the weights are the same. */
	ma = load(ba, la);
	mb = load(bb, lb);
	mr = load(ref, lr);
	T_CHECK(tt_same_params(ma, mr));
	edgeai_model_free(ma);
	edgeai_model_free(mb);
	edgeai_model_free(mr);
	edgeai_train_free(a);
	edgeai_train_free(b);
}

static void seed_unused(void)
{
	struct edgeai_train_opts o = tt_opts(EDGEAI_TRAIN_SOFTMAX, 2, 3);

	o.no_shuffle = true;
	T_CHECK(same(&o, &multi, 1, 2, false));
	T_CHECK(!same(&o, &multi, 1, 2, true));
	o.no_shuffle = false;
	T_CHECK(!same(&o, &multi, 1, 2, false));
}

int main(void)
{
	tt_linear(&reg, 200, 3, -5, 1, 1);
	tt_blobs(&bin, 200, 2, 2.5, 2);
	tt_blobs(&multi, 240, 3, 2.5, 3);
	kinds(EDGEAI_TRAIN_SGD);
	kinds(EDGEAI_TRAIN_ADAM);
	interleaved();
	seed_unused();
	return t_done();
}
