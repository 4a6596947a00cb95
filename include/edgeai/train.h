/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libedgeai training: fit a model on the device from float32 rows and get
 * a normal model file out (a builder, <edgeai/model.h>). See
 * docs/training.md.
 *
 *   kinds       linear (MSE), logistic (sigmoid + binary cross-entropy),
 *               softmax (cross-entropy), mlp (dense hidden layers, then
 *               the output of the task: identity, sigmoid or softmax)
 *   optimizers  mini-batch SGD with momentum, Adam
 *   options     L2, shuffling with a seed (same seed, same bytes), early
 *               stopping on validation rows (the best epoch is kept),
 *               z-score standardization stored in the model, warm start
 *               from a model ("parameters provided centrally")
 *
 * A struct edgeai_train owns every buffer it needs from edgeai_train_new()
 * on: fitting and stepping allocate nothing per batch (edgeai_train_fit()
 * allocates two index arrays once per call). It is not thread-safe: one
 * thread at a time. Parameters are float64 while training and float32 in
 * the model built.
 *
 * Functions return 0 or a negative errno: -EINVAL (bad options or data;
 * edgeai_train_error() or opts->err says which), -ENOMEM, -ERANGE (the
 * loss stopped being finite: the learning rate is too high).
 */
#ifndef EDGEAI_TRAIN_H
#define EDGEAI_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <edgeai/model.h>

#ifdef __cplusplus
extern "C" {
#endif

enum edgeai_train_kind {
	EDGEAI_TRAIN_LINEAR = 1,	/* dense(1): regression, MSE */
	EDGEAI_TRAIN_LOGISTIC,		/* dense(1, sigmoid): 2 classes */
	EDGEAI_TRAIN_SOFTMAX,		/* dense(k, softmax): k >= 2 classes */
	EDGEAI_TRAIN_MLP,		/* hidden dense layers, then as the task */
};

enum edgeai_train_optimizer {
	EDGEAI_TRAIN_SGD = 1,		/* with momentum (0: plain) */
	EDGEAI_TRAIN_ADAM,
};

#define EDGEAI_TRAIN_MAX_HIDDEN		16
#define EDGEAI_TRAIN_MAX_WIDTH		65536	/* features, units, classes */
/* Size for an error buffer that holds any message. */
#define EDGEAI_TRAIN_ERR_LEN		256

/* Names: "linear", "logistic", "softmax", "mlp"; "sgd", "adam". */
int edgeai_train_kind_from_name(const char *name, uint32_t *kind);
const char *edgeai_train_kind_name(uint32_t kind);
int edgeai_train_optimizer_from_name(const char *name, uint32_t *optimizer);
const char *edgeai_train_optimizer_name(uint32_t optimizer);

/* What the per-epoch callback gets. */
struct edgeai_train_epoch {
	size_t sz;		/* set by the library */
	uint32_t epoch;		/* 1-based */
	double loss;		/* on the training rows, after the epoch */
	double val_loss;	/* on the validation rows; NaN without any */
	bool best;		/* the lowest validation loss so far */
};

struct edgeai_train_opts {
	size_t sz;		/* sizeof(struct edgeai_train_opts) */
	uint32_t kind;		/* EDGEAI_TRAIN_* */
	uint32_t n_features;	/* inputs per row */
	/*
	 * 0 for regression (linear; mlp), 2 for logistic, >= 2 for softmax;
	 * an mlp with 2 classes has one sigmoid output, with more a softmax.
	 */
	uint32_t n_classes;
	/* mlp: hidden layer widths and their EDGEAI_MODEL_ACT_* (not softmax) */
	uint32_t n_hidden;
	const uint32_t *hidden;
	uint32_t activation;
	uint32_t optimizer;	/* EDGEAI_TRAIN_SGD or _ADAM */
	uint32_t epochs;	/* passes over the training rows; 0 is allowed */
	uint32_t batch;		/* rows per step, >= 1 */
	double lr;		/* > 0; 0: 0.01 (SGD), 0.001 (Adam) */
	double momentum;	/* SGD, 0 <= m < 1 */
	double beta1, beta2;	/* Adam, 0 <= b < 1; 0: 0.9, 0.999 */
	double eps;		/* Adam; 0: 1e-8 */
	double l2;		/* loss += l2 / 2 * sum of weights^2 (not biases) */
	uint64_t seed;		/* shuffling, validation split, initial weights */
	bool no_shuffle;	/* keep the row order (default: shuffle each epoch) */
	/* z-score inputs with statistics of the training rows, stored in
	 * the model as a leading standardize op (which then takes raw rows) */
	bool standardize;
	/* Without explicit validation rows, hold out this fraction of the
	 * rows (0 <= f < 1, a seeded random choice). */
	double val_fraction;
	/* Stop after this many epochs without a lower validation loss; 0:
	 * never. With validation rows the best epoch's weights are kept. */
	uint32_t patience;
	/*
	 * Warm start: start from this model's weights (and its standardize
	 * statistics, if it begins with one). Its layers must be those of
	 * @kind, @n_features and @n_classes; an mlp takes its hidden layers
	 * and activation from it (@hidden, if set, must match). The model
	 * is only read during edgeai_train_new().
	 */
	const struct edgeai_model *init;
	/* Called after each epoch; a non-zero return stops training. */
	int (*on_epoch)(const struct edgeai_train_epoch *e, void *arg);
	void *arg;
	/* Metadata of the model built (copied; each may be NULL). */
	const char *name;			/* edgeai.name */
	const char *version;			/* edgeai.version */
	const char *const *feature_names;	/* n_features: edgeai.features */
	const char *target;			/* edgeai.target */
	const char *const *class_labels;	/* n_classes: edgeai.classes */
	/* NULL, or receives edgeai_train_new()'s error message. */
	char *err;
	size_t errlen;
};

/* Rows to learn from or to evaluate on. */
struct edgeai_train_data {
	size_t sz;		/* sizeof(struct edgeai_train_data) */
	uint32_t rows;
	const float *x;		/* rows x n_features, row-major, raw */
	const float *y;		/* regression: rows targets */
	const uint32_t *label;	/* classification: rows classes < n_classes */
};

struct edgeai_train_metrics {
	size_t sz;		/* set by the caller (or the library in a result) */
	uint32_t rows;
	double loss;		/* MSE, binary or categorical cross-entropy */
	double mse, r2;		/* regression; NaN otherwise */
	/* classification; NaN otherwise. f1: of class 1 with 2 classes,
	 * the unweighted mean over classes (macro-F1) with more */
	double accuracy, f1;
};

struct edgeai_train_result {
	size_t sz;		/* set by the caller */
	uint32_t epochs;	/* run */
	uint32_t best_epoch;	/* whose weights were kept (0: the initial ones) */
	bool early_stopped;	/* by patience */
	bool stopped;		/* by the callback */
	uint32_t train_rows, val_rows;
	struct edgeai_train_metrics train, val;	/* val.rows 0 without */
};

/* A model being trained: its weights, optimizer state and buffers. */
struct edgeai_train;

/*
 * A trainer for @opts: checks every option, allocates every buffer,
 * initializes the weights (from @opts->init, else zeros for one-layer
 * models and seeded Glorot/He uniform for an mlp). Returns 0, -EINVAL,
 * -ENOMEM; on -EINVAL @opts->err says why.
 */
int edgeai_train_new(const struct edgeai_train_opts *opts,
		     struct edgeai_train **tp);
void edgeai_train_free(struct edgeai_train *t);
/*
 * Train @opts->epochs epochs on @train, from the current weights. @val
 * may be NULL (then opts->val_fraction of @train is held out) and must be
 * NULL when fitting with a fraction. Without standardize statistics yet,
 * they are computed on the training rows. @res may be NULL.
 */
int edgeai_train_fit(struct edgeai_train *t,
		     const struct edgeai_train_data *train,
		     const struct edgeai_train_data *val,
		     struct edgeai_train_result *res);
/*
 * One optimizer step per @opts->batch rows of @data, in order (online
 * learning). *@loss, if not NULL, receives the mean loss of the rows
 * before their steps. Without standardize statistics yet, these rows
 * give them. Allocates nothing.
 */
int edgeai_train_step(struct edgeai_train *t,
		      const struct edgeai_train_data *data, double *loss);
/* Metrics of the current weights on @data. Allocates nothing. */
int edgeai_train_evaluate(struct edgeai_train *t,
			  const struct edgeai_train_data *data,
			  struct edgeai_train_metrics *m);
/*
 * A builder holding the model as it is now: [standardize], the dense
 * layers (float32) and the metadata (edgeai.kind, .task, .features,
 * .outputs, .target, .classes, .name, .version, .training). Free it with
 * edgeai_model_builder_free(); write it with edgeai_model_builder_write().
 */
int edgeai_train_build(struct edgeai_train *t,
		       struct edgeai_model_builder **bp);
/* The message of the trainer's last failure, or "". */
const char *edgeai_train_error(const struct edgeai_train *t);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_TRAIN_H */
