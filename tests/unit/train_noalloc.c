// SPDX-License-Identifier: GPL-2.0
/*
 * Training allocates nothing per batch: between the callback of epoch 2
 * and that of the last epoch (shuffles, every batch's forward, backward
 * and optimizer step, the per-epoch evaluation, early-stopping copies) no
 * malloc happens, for each kind with both optimizers, a validation split
 * and L2; nor in edgeai_train_step() (online learning) or
 * edgeai_train_evaluate(). The counter is the sanitizer allocator's hook,
 * which sees every allocation of the process (the unit lane is built with
 * AddressSanitizer); a malloc() made on purpose shows it counts.
 */
#include "train_test.h"

#include "malloc_count.h"

#define EPOCHS	6

static int on_epoch(const struct edgeai_train_epoch *e, void *arg)
{
	if (e->epoch == 2)
		counting = 1;
	if (e->epoch == EPOCHS)
		counting = 0;
	return 0;
}

static void fit(uint32_t kind, uint32_t optimizer, const struct tt_set *s)
{
	struct edgeai_train_opts o = tt_opts(kind, s->dim, s->classes);
	struct edgeai_train_metrics m = { .sz = sizeof(m) };
	struct edgeai_train *t;
	double loss;

	o.optimizer = optimizer;
	o.lr = 0.01;
	o.momentum = optimizer == EDGEAI_TRAIN_SGD ? 0.9 : 0;
	o.l2 = 0.01;
	o.val_fraction = 0.2;
	o.epochs = EPOCHS;
	o.on_epoch = on_epoch;
	T_ASSERT(edgeai_train_new(&o, &t) == 0);
	mallocs = 0;
	T_ASSERT(edgeai_train_fit(t, &s->d, NULL, NULL) == 0);
	if (mallocs)
		T_FAILF("kind %u, optimizer %u: %lu allocations during epochs 3..%d",
			kind, optimizer, mallocs, EPOCHS);
	counting = 1;
	T_EQ(edgeai_train_step(t, &s->d, &loss), 0);
	T_EQ(edgeai_train_evaluate(t, &s->d, &m), 0);
	counting = 0;
	if (mallocs)
		T_FAILF("kind %u, optimizer %u: %lu allocations in step or evaluate",
			kind, optimizer, mallocs);
	t_checks += 2;
	edgeai_train_free(t);
}

int main(void)
{
	static struct tt_set reg, bin, multi;
	void *volatile p;

	if (!__sanitizer_install_malloc_and_free_hooks)
		t_skip("not built with a sanitizer allocator (make tests builds one)");
	T_ASSERT(__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free));
	tt_linear(&reg, 300, 4, -5, 1, 1);
	tt_blobs(&bin, 300, 2, 2, 2);
	tt_blobs(&multi, 300, 5, 2, 3);
	counting = 1;
	p = malloc(16);
	counting = 0;
	free(p);
	T_EQ(mallocs, 1);
	fit(EDGEAI_TRAIN_LINEAR, EDGEAI_TRAIN_SGD, &reg);
	fit(EDGEAI_TRAIN_LOGISTIC, EDGEAI_TRAIN_ADAM, &bin);
	fit(EDGEAI_TRAIN_SOFTMAX, EDGEAI_TRAIN_SGD, &multi);
	fit(EDGEAI_TRAIN_MLP, EDGEAI_TRAIN_ADAM, &multi);
	fit(EDGEAI_TRAIN_MLP, EDGEAI_TRAIN_SGD, &reg);
	return t_done();
}
