/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Inside libedgeai's training: what train.c (options, warm start, the
 * model built), train_fit.c (epochs, steps, metrics) and train_net.c (the
 * network's forward and backward passes, the optimizers) share. Not
 * installed.
 */
#ifndef EDGEAI_TRAIN_INT_H
#define EDGEAI_TRAIN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <edgeai/train.h>

enum train_task {
	TASK_REGRESSION = 1,	/* one identity output, MSE */
	TASK_BINARY,		/* one sigmoid output, binary cross-entropy */
	TASK_MULTICLASS,	/* k softmax outputs, cross-entropy */
};

#define TRAIN_MAX_LAYERS	(EDGEAI_TRAIN_MAX_HIDDEN + 1)

/* A dense layer: y = act(W x + b), W [out][in] at p + w, b at p + b. */
struct train_layer {
	uint32_t in, out, act;
	size_t w, b;
};

struct edgeai_train {
	struct edgeai_train_opts o;	/* pointers in it are not kept */
	uint32_t task;
	uint32_t n_in, n_out, batch, n_layers, max_width;
	struct train_layer layer[TRAIN_MAX_LAYERS];
	size_t n_params;
	/* Parameters, gradients, optimizer state (momentum / Adam m, v), best */
	double *p, *g, *m, *v, *best;
	uint64_t steps;
	/* Standardization: @mean and 1 / std, from the float32 values stored */
	bool standardize, have_stats;
	float *fmean, *fstd;
	double *mean, *istd;
	/*
	 * One batch: act[0] the (standardized) inputs, act[l + 1] the output
	 * of layer l; @z the output layer before its activation; @delta two
	 * [batch][max_width] buffers for the backward pass; the targets.
	 */
	double *act[TRAIN_MAX_LAYERS + 1];
	double *z, *delta[2], *yb;
	uint32_t *lb;
	uint64_t *tp, *fp, *fn;		/* per class, for metrics */
	uint64_t rng[4];		/* xoshiro256** */
	/* What the last fit did, for edgeai.training */
	uint32_t fit_rows, fit_epochs, fit_best;
	bool warm;
	char *name, *version, *target, *features, *classes;
	char err[EDGEAI_TRAIN_ERR_LEN];
};

/* Record a message in t->err; returns -@err. */
int train_fail(struct edgeai_train *t, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* xoshiro256** seeded through splitmix64; uniform in [0, 1) and [0, n). */
void train_rng_seed(uint64_t *s, uint64_t seed);
double train_rng_unit(uint64_t *s);
uint32_t train_rng_below(uint64_t *s, uint32_t n);
void train_shuffle(uint64_t *s, uint32_t *idx, uint32_t n);

/* Standardize with @mean and @std as the model stores them (float32). */
void train_set_stats(struct edgeai_train *t, const double *mean,
		     const double *std);

/* Network (train_net.c). @n rows of t->act[0] and the targets. */
void train_forward(struct edgeai_train *t, uint32_t n);
/* Mean loss of the last forward pass. */
double train_loss(const struct edgeai_train *t, uint32_t n);
/* Gradients of the mean loss (+ L2) into t->g. */
void train_backward(struct edgeai_train *t, uint32_t n);
/* One optimizer step from t->g. */
void train_update(struct edgeai_train *t);
/* The class row @row of the last forward pass is given. */
uint32_t train_predict_class(const struct edgeai_train *t, uint32_t row);

#endif /* EDGEAI_TRAIN_INT_H */
