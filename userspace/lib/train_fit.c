// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Training loops: epochs of shuffled mini-batches, the validation split,
 * early stopping with the best epoch's weights kept, online steps, and
 * the metrics (MSE and R^2; accuracy and F1). Rows are gathered batch by
 * batch into the trainer's buffers and standardized on the way, so the
 * caller's rows are never copied whole nor modified, and nothing is
 * allocated per batch.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train_int.h"

/* A set of rows: @data's rows @idx[0..n), or its first @n if !@idx. */
struct rowset {
	const struct edgeai_train_data *data;
	const uint32_t *idx;
	uint32_t n;
};

static uint32_t row_at(const struct rowset *s, uint32_t i)
{
	return s->idx ? s->idx[i] : i;
}

/* Rows [@from, @from + @n) of @s into the batch buffers. */
static void load_rows(struct edgeai_train *t, const struct rowset *s,
		      uint32_t from, uint32_t n)
{
	double *a = t->act[0];
	uint32_t j, i;

	for (j = 0; j < n; j++, a += t->n_in) {
		uint32_t r = row_at(s, from + j);
		const float *x = s->data->x + (size_t)r * t->n_in;

		for (i = 0; i < t->n_in; i++)
			a[i] = t->standardize ? (x[i] - t->mean[i]) * t->istd[i] :
						x[i];
		if (t->task == TASK_REGRESSION)
			t->yb[j] = s->data->y[r];
		else
			t->lb[j] = s->data->label[r];
	}
}

static int check_data(struct edgeai_train *t, const struct edgeai_train_data *d,
		      const char *what)
{
	uint64_t j, n;

	if (!d || d->sz < offsetof(struct edgeai_train_data, label) + sizeof(d->label))
		return train_fail(t, EINVAL, "%s rows: no data or bad sz", what);
	if (!d->rows)
		return train_fail(t, EINVAL, "%s rows: none", what);
	if (!d->x || (t->task == TASK_REGRESSION ? !d->y : !d->label))
		return train_fail(t, EINVAL, "%s rows: no %s", what, !d->x ? "inputs" :
				  t->task == TASK_REGRESSION ? "targets (y)" : "labels");
	n = (uint64_t)d->rows * t->n_in;
	for (j = 0; j < n; j++)
		if (!isfinite(d->x[j]))
			return train_fail(t, EINVAL, "%s rows: row %llu, feature %llu is %g",
					  what, (unsigned long long)(j / t->n_in),
					  (unsigned long long)(j % t->n_in), (double)d->x[j]);
	for (j = 0; j < d->rows; j++) {
		if (t->task == TASK_REGRESSION && !isfinite(d->y[j]))
			return train_fail(t, EINVAL, "%s rows: row %llu, target is %g",
					  what, (unsigned long long)j, (double)d->y[j]);
		if (t->task != TASK_REGRESSION && d->label[j] >= t->o.n_classes)
			return train_fail(t, EINVAL, "%s rows: row %llu, class %u of %u",
					  what, (unsigned long long)j, d->label[j],
					  t->o.n_classes);
	}
	return 0;
}

/* z-score statistics of @s (population standard deviation). */
static void compute_stats(struct edgeai_train *t, const struct rowset *s)
{
	double *mean = t->mean, *var = t->istd;
	uint32_t j, i;

	memset(mean, 0, t->n_in * sizeof(*mean));
	memset(var, 0, t->n_in * sizeof(*var));
	for (j = 0; j < s->n; j++)
		for (i = 0; i < t->n_in; i++)
			mean[i] += s->data->x[(size_t)row_at(s, j) * t->n_in + i];
	for (i = 0; i < t->n_in; i++)
		mean[i] /= s->n;
	for (j = 0; j < s->n; j++) {
		for (i = 0; i < t->n_in; i++) {
			double e = s->data->x[(size_t)row_at(s, j) * t->n_in + i] - mean[i];

			var[i] += e * e;
		}
	}
	for (i = 0; i < t->n_in; i++)
		var[i] = sqrt(var[i] / s->n);
	train_set_stats(t, mean, var);
}

/*
 * Before the first step: the statistics, if wanted and not given, and a
 * fresh regression model's output bias at the target mean (zero weights
 * then predict the mean, where least squares starts anyway).
 */
static void first_rows(struct edgeai_train *t, const struct rowset *s)
{
	const struct train_layer *out = &t->layer[t->n_layers - 1];
	double sum = 0;
	uint32_t j;

	if (t->standardize && !t->have_stats)
		compute_stats(t, s);
	if (t->steps || t->warm || t->task != TASK_REGRESSION)
		return;
	for (j = 0; j < s->n; j++)
		sum += s->data->y[row_at(s, j)];
	t->p[out->b] = sum / s->n;
}

static void count_class(struct edgeai_train *t, uint32_t got, uint32_t want)
{
	if (got == want) {
		t->tp[want]++;
		return;
	}
	t->fp[got]++;
	t->fn[want]++;
}

static double f1_of(const struct edgeai_train *t, uint32_t c)
{
	uint64_t den = 2 * t->tp[c] + t->fp[c] + t->fn[c];

	return den ? 2.0 * t->tp[c] / den : 0;
}

static void class_metrics(const struct edgeai_train *t,
			  struct edgeai_train_metrics *m)
{
	uint64_t right = 0;
	uint32_t c, k = t->o.n_classes, seen = 0;
	double f1 = 0;

	/* Macro-F1 over the classes in the rows or the predictions, as
	 * scikit-learn's f1_score(average="macro"). */
	for (c = 0; c < k; c++) {
		right += t->tp[c];
		f1 += f1_of(t, c);
		seen += t->tp[c] + t->fp[c] + t->fn[c] > 0;
	}
	m->accuracy = (double)right / m->rows;
	m->f1 = k == 2 ? f1_of(t, 1) : seen ? f1 / seen : 0;
}

/* Loss and metrics of the current weights on @s. */
static void eval_set(struct edgeai_train *t, const struct rowset *s,
		     struct edgeai_train_metrics *m)
{
	double loss = 0, ymean = 0, sst = 0, e;
	uint32_t from, n, j;

	memset(m, 0, sizeof(*m));
	m->sz = sizeof(*m);
	m->rows = s->n;
	m->mse = m->r2 = m->accuracy = m->f1 = NAN;
	memset(t->tp, 0, (t->o.n_classes + 1) * sizeof(*t->tp));
	memset(t->fp, 0, (t->o.n_classes + 1) * sizeof(*t->fp));
	memset(t->fn, 0, (t->o.n_classes + 1) * sizeof(*t->fn));
	for (from = 0; from < s->n; from += n) {
		n = s->n - from < t->batch ? s->n - from : t->batch;
		load_rows(t, s, from, n);
		train_forward(t, n);
		loss += train_loss(t, n) * n;
		for (j = 0; j < n && t->task != TASK_REGRESSION; j++)
			count_class(t, train_predict_class(t, j), t->lb[j]);
	}
	m->loss = loss / s->n;
	if (t->task != TASK_REGRESSION) {
		class_metrics(t, m);
		return;
	}
	for (j = 0; j < s->n; j++)
		ymean += s->data->y[row_at(s, j)];
	ymean /= s->n;
	for (j = 0; j < s->n; j++) {
		e = s->data->y[row_at(s, j)] - ymean;
		sst += e * e;
	}
	m->mse = m->loss;
	/* R^2 as scikit-learn: 1 - SSE / SST; 0 for a constant target fit
	 * exactly would be 1, and not exactly -inf: reported as 0. */
	m->r2 = sst > 0 ? 1 - m->mse * s->n / sst : (m->mse == 0 ? 1 : 0);
}

/*
 * One epoch of steps over @s, in the order of @base shuffled (unless
 * no_shuffle) into @idx: each epoch's order depends on the random state
 * only, so fitting 10 epochs or 10 times 1 epoch is the same.
 */
static void epoch(struct edgeai_train *t, struct rowset *s,
		  const uint32_t *base, uint32_t *idx)
{
	uint32_t from, n;

	memcpy(idx, base, s->n * sizeof(*idx));
	if (!t->o.no_shuffle)
		train_shuffle(t->rng, idx, s->n);
	for (from = 0; from < s->n; from += n) {
		n = s->n - from < t->batch ? s->n - from : t->batch;
		load_rows(t, s, from, n);
		train_forward(t, n);
		train_backward(t, n);
		train_update(t);
	}
}

/* The training and validation row sets of a fit. */
struct split {
	uint32_t *idx;		/* training rows, then held-out rows */
	uint32_t *base;		/* the training rows before shuffling */
	struct rowset tr, va;
};

static int make_split(struct edgeai_train *t, const struct edgeai_train_data *train,
		      const struct edgeai_train_data *val, struct split *sp)
{
	uint32_t n = train->rows, nv = 0, i;
	uint64_t s[4];

	sp->idx = malloc((size_t)n * sizeof(*sp->idx));
	sp->base = malloc((size_t)n * sizeof(*sp->base));
	if (!sp->idx || !sp->base)
		return train_fail(t, ENOMEM, "out of memory for %u rows", n);
	for (i = 0; i < n; i++)
		sp->idx[i] = i;
	if (!val && t->o.val_fraction > 0) {
		nv = (uint32_t)ceil(n * t->o.val_fraction);
		if (nv >= n)
			return train_fail(t, EINVAL, "%u rows: none left to train on after holding out %g",
					  n, t->o.val_fraction);
		train_rng_seed(s, t->o.seed ^ 0x7a11da7e5eedULL);
		train_shuffle(s, sp->idx, n);
	}
	memcpy(sp->base, sp->idx, (size_t)(n - nv) * sizeof(*sp->base));
	sp->tr = (struct rowset){ .data = train, .idx = sp->idx, .n = n - nv };
	if (nv)
		sp->va = (struct rowset){ .data = train, .idx = sp->idx + n - nv, .n = nv };
	else if (val)
		sp->va = (struct rowset){ .data = val, .n = val->rows };
	return 0;
}

/* Keep the weights of the epoch with the lowest validation loss. */
struct best {
	double loss;
	uint32_t epoch, since;
};

static bool track_best(struct edgeai_train *t, struct best *b, uint32_t e,
		       double val_loss)
{
	if (val_loss < b->loss) {
		b->loss = val_loss;
		b->epoch = e;
		b->since = 0;
		memcpy(t->best, t->p, t->n_params * sizeof(*t->p));
		return true;
	}
	b->since++;
	return false;
}

/* Whether every parameter is finite as a float32 (the model's type). */
static bool params_fit(const struct edgeai_train *t)
{
	size_t j;

	for (j = 0; j < t->n_params; j++)
		if (!(fabs(t->p[j]) <= FLT_MAX))
			return false;
	return true;
}

static int run_epochs(struct edgeai_train *t, struct split *sp,
		      struct edgeai_train_result *r)
{
	struct edgeai_train_epoch ep = { .sz = sizeof(ep) };
	struct edgeai_train_metrics m;
	struct best b = { .loss = INFINITY };
	bool has_val = sp->va.n;

	if (has_val) {
		eval_set(t, &sp->va, &m);
		track_best(t, &b, 0, m.loss);
	}
	for (ep.epoch = 1; ep.epoch <= t->o.epochs; ep.epoch++) {
		epoch(t, &sp->tr, sp->base, sp->idx);
		eval_set(t, &sp->tr, &m);
		ep.loss = m.loss;
		if (!isfinite(ep.loss) || !params_fit(t))
			return train_fail(t, ERANGE, "epoch %u: the training loss is %g%s: lower the learning rate",
					  ep.epoch, ep.loss, isfinite(ep.loss) ?
					  " and the weights outgrow float32" : "");
		ep.val_loss = NAN;
		ep.best = false;
		if (has_val) {
			eval_set(t, &sp->va, &m);
			ep.val_loss = m.loss;
			ep.best = track_best(t, &b, ep.epoch, m.loss);
		}
		r->epochs = ep.epoch;
		if (t->o.on_epoch && t->o.on_epoch(&ep, t->o.arg)) {
			r->stopped = true;
			break;
		}
		if (has_val && t->o.patience && b.since >= t->o.patience) {
			r->early_stopped = true;
			break;
		}
	}
	r->best_epoch = has_val ? b.epoch : r->epochs;
	if (has_val && b.epoch != r->epochs)
		memcpy(t->p, t->best, t->n_params * sizeof(*t->p));
	return 0;
}

int edgeai_train_fit(struct edgeai_train *t,
		     const struct edgeai_train_data *train,
		     const struct edgeai_train_data *val,
		     struct edgeai_train_result *res)
{
	struct edgeai_train_result r = { .sz = sizeof(r) };
	struct split sp = { 0 };
	int ret;

	if (!t)
		return -EINVAL;
	ret = check_data(t, train, "training");
	if (!ret && val)
		ret = check_data(t, val, "validation");
	if (!ret && val && t->o.val_fraction > 0)
		ret = train_fail(t, EINVAL, "validation rows given and a fraction to hold out: one or the other");
	if (!ret && res && res->sz < sizeof(size_t))
		ret = train_fail(t, EINVAL, "res->sz %zu is too small", res->sz);
	if (!ret)
		ret = make_split(t, train, val, &sp);
	if (!ret) {
		first_rows(t, &sp.tr);
		ret = run_epochs(t, &sp, &r);
	}
	if (!ret) {
		eval_set(t, &sp.tr, &r.train);
		if (sp.va.n)
			eval_set(t, &sp.va, &r.val);
		r.train_rows = sp.tr.n;
		r.val_rows = sp.va.n;
		t->fit_rows = sp.tr.n;
		t->fit_epochs = r.epochs;
		t->fit_best = r.best_epoch;
		t->err[0] = '\0';
		if (res) {
			r.sz = res->sz < sizeof(r) ? res->sz : sizeof(r);
			memcpy(res, &r, r.sz);
		}
	}
	free(sp.idx);
	free(sp.base);
	return ret;
}

int edgeai_train_step(struct edgeai_train *t,
		      const struct edgeai_train_data *data, double *loss)
{
	struct rowset s = { .data = data };
	double sum = 0;
	uint32_t from, n;
	int ret;

	if (!t)
		return -EINVAL;
	ret = check_data(t, data, "step");
	if (ret)
		return ret;
	s.n = data->rows;
	first_rows(t, &s);
	for (from = 0; from < s.n; from += n) {
		n = s.n - from < t->batch ? s.n - from : t->batch;
		load_rows(t, &s, from, n);
		train_forward(t, n);
		sum += train_loss(t, n) * n;
		train_backward(t, n);
		train_update(t);
	}
	if (!isfinite(sum))
		return train_fail(t, ERANGE, "the loss is %g: lower the learning rate", sum);
	if (loss)
		*loss = sum / s.n;
	t->err[0] = '\0';
	return 0;
}

int edgeai_train_evaluate(struct edgeai_train *t,
			  const struct edgeai_train_data *data,
			  struct edgeai_train_metrics *m)
{
	struct edgeai_train_metrics got;
	struct rowset s = { .data = data };
	size_t sz;
	int ret;

	if (!t || !m || m->sz < sizeof(size_t))
		return -EINVAL;
	ret = check_data(t, data, "evaluated");
	if (ret)
		return ret;
	if (t->standardize && !t->have_stats)
		return train_fail(t, EINVAL, "no standardize statistics yet: fit first");
	s.n = data->rows;
	eval_set(t, &s, &got);
	sz = m->sz < sizeof(got) ? m->sz : sizeof(got);
	memcpy(m, &got, sz);
	m->sz = sz;
	t->err[0] = '\0';
	return 0;
}
