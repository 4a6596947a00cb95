// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Trainers: the options and what they imply (task, layers, defaults), the
 * buffers (all allocated here, none while training), the initial weights
 * (seeded, or a warm-start model's), and the model built at the end: a
 * normal edgeai model file through the builder, with the standardize
 * statistics as its first op so that it takes raw rows.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train_int.h"

static const char *const kind_names[] = {
	[EDGEAI_TRAIN_LINEAR] = "linear",
	[EDGEAI_TRAIN_LOGISTIC] = "logistic",
	[EDGEAI_TRAIN_SOFTMAX] = "softmax",
	[EDGEAI_TRAIN_MLP] = "mlp",
};

static const char *const opt_names[] = {
	[EDGEAI_TRAIN_SGD] = "sgd",
	[EDGEAI_TRAIN_ADAM] = "adam",
};

static const char *const task_names[] = {
	[TASK_REGRESSION] = "regression",
	[TASK_BINARY] = "binary",
	[TASK_MULTICLASS] = "multiclass",
};

static int name_index(const char *const *names, uint32_t n, const char *name,
		      uint32_t *v)
{
	uint32_t i;

	if (!name || !v)
		return -EINVAL;
	for (i = 1; i < n; i++) {
		if (!strcmp(name, names[i])) {
			*v = i;
			return 0;
		}
	}
	return -EINVAL;
}

int edgeai_train_kind_from_name(const char *name, uint32_t *kind)
{
	return name_index(kind_names, 5, name, kind);
}

const char *edgeai_train_kind_name(uint32_t kind)
{
	return kind && kind < 5 ? kind_names[kind] : NULL;
}

int edgeai_train_optimizer_from_name(const char *name, uint32_t *optimizer)
{
	return name_index(opt_names, 3, name, optimizer);
}

const char *edgeai_train_optimizer_name(uint32_t optimizer)
{
	return optimizer && optimizer < 3 ? opt_names[optimizer] : NULL;
}

int train_fail(struct edgeai_train *t, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
	return -err;
}

const char *edgeai_train_error(const struct edgeai_train *t)
{
	return t ? t->err : "";
}

/* splitmix64, to seed xoshiro256** (Blackman & Vigna). */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void train_rng_seed(uint64_t *s, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

double train_rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

/* The modulo bias is below n / 2^64: irrelevant at 2^32 rows. */
uint32_t train_rng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rng_next(s) % n);
}

void train_shuffle(uint64_t *s, uint32_t *idx, uint32_t n)
{
	uint32_t i, j, tmp;

	for (i = n; i > 1; i--) {
		j = train_rng_below(s, i);
		tmp = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = tmp;
	}
}

/*
 * The caller's options into t->o: a smaller (older) struct reads as if
 * the new fields were 0; a larger one must be 0 past what we know.
 */
static int opts_copy(struct edgeai_train *t, const struct edgeai_train_opts *o)
{
	const unsigned char *p = (const unsigned char *)o;
	size_t i;

	if (o->sz < offsetof(struct edgeai_train_opts, kind) + sizeof(o->kind))
		return train_fail(t, EINVAL, "opts->sz %zu is too small", o->sz);
	for (i = sizeof(*o); i < o->sz; i++) {
		if (p[i])
			return train_fail(t, EINVAL, "opts: unknown non-zero field at byte %zu",
					  i);
	}
	memcpy(&t->o, o, o->sz < sizeof(*o) ? o->sz : sizeof(*o));
	t->o.sz = sizeof(t->o);
	return 0;
}

static int check_task(struct edgeai_train *t)
{
	const struct edgeai_train_opts *o = &t->o;
	uint32_t k = o->n_classes;

	if (!edgeai_train_kind_name(o->kind))
		return train_fail(t, EINVAL, "unknown model kind %u", o->kind);
	if (k > EDGEAI_TRAIN_MAX_WIDTH || k == 1)
		return train_fail(t, EINVAL, "%u classes: need 0 (regression) or 2..%u",
				  k, EDGEAI_TRAIN_MAX_WIDTH);
	if (o->kind == EDGEAI_TRAIN_LINEAR && k)
		return train_fail(t, EINVAL, "linear: regression only (0 classes, not %u)", k);
	if (o->kind == EDGEAI_TRAIN_LOGISTIC && k != 2)
		return train_fail(t, EINVAL, "logistic: exactly 2 classes, not %u", k);
	if (o->kind == EDGEAI_TRAIN_SOFTMAX && !k)
		return train_fail(t, EINVAL, "softmax: needs classes (2 or more)");
	if (!k)
		t->task = TASK_REGRESSION;
	else if (k == 2 && o->kind != EDGEAI_TRAIN_SOFTMAX)
		t->task = TASK_BINARY;
	else
		t->task = TASK_MULTICLASS;
	t->n_out = t->task == TASK_MULTICLASS ? k : 1;
	return 0;
}

/* True (with the message) if @v is not in [lo, hi] or [lo, hi). */
static bool bad_range(struct edgeai_train *t, const char *what, double v,
		      double lo, double hi, bool hi_open)
{
	if (isfinite(v) && v >= lo && (hi_open ? v < hi : v <= hi))
		return false;
	train_fail(t, EINVAL, "%s %g: must be in [%g, %g%c", what, v, lo, hi,
		   hi_open ? ')' : ']');
	return true;
}

/* The numbers; 0 selects the defaults the header names. */
static int check_numbers(struct edgeai_train *t)
{
	struct edgeai_train_opts *o = &t->o;
	bool adam = o->optimizer == EDGEAI_TRAIN_ADAM;

	if (!edgeai_train_optimizer_name(o->optimizer))
		return train_fail(t, EINVAL, "unknown optimizer %u", o->optimizer);
	if (!o->n_features || o->n_features > EDGEAI_TRAIN_MAX_WIDTH)
		return train_fail(t, EINVAL, "%u features: need 1..%u",
				  o->n_features, EDGEAI_TRAIN_MAX_WIDTH);
	if (!o->batch)
		return train_fail(t, EINVAL, "batch 0: need at least 1 row per step");
	if (o->lr == 0)
		o->lr = adam ? 0.001 : 0.01;
	if (o->beta1 == 0)
		o->beta1 = 0.9;
	if (o->beta2 == 0)
		o->beta2 = 0.999;
	if (o->eps == 0)
		o->eps = 1e-8;
	if (!adam && (o->beta1 != 0.9 || o->beta2 != 0.999 || o->eps != 1e-8))
		return train_fail(t, EINVAL, "beta1, beta2 and eps are Adam's");
	if (adam && o->momentum != 0)
		return train_fail(t, EINVAL, "momentum is SGD's (Adam has beta1)");
	if (bad_range(t, "learning rate", o->lr, 1e-12, 1e6, false) ||
	    bad_range(t, "momentum", o->momentum, 0, 1, true) ||
	    bad_range(t, "beta1", o->beta1, 0, 1, true) ||
	    bad_range(t, "beta2", o->beta2, 0, 1, true) ||
	    bad_range(t, "eps", o->eps, 1e-300, 1, false) ||
	    bad_range(t, "l2", o->l2, 0, 1e6, false) ||
	    bad_range(t, "validation fraction", o->val_fraction, 0, 1, true))
		return -EINVAL;
	return 0;
}

static int add_layer(struct edgeai_train *t, uint32_t in, uint32_t out,
		     uint32_t act)
{
	struct train_layer *l = &t->layer[t->n_layers];

	if (t->n_layers == TRAIN_MAX_LAYERS)
		return train_fail(t, EINVAL, "more than %d hidden layers",
				  EDGEAI_TRAIN_MAX_HIDDEN);
	if (!out || out > EDGEAI_TRAIN_MAX_WIDTH)
		return train_fail(t, EINVAL, "layer %u: %u units: need 1..%u",
				  t->n_layers, out, EDGEAI_TRAIN_MAX_WIDTH);
	l->in = in;
	l->out = out;
	l->act = act;
	l->w = t->n_params;
	l->b = l->w + (size_t)out * in;
	t->n_params = l->b + out;
	t->max_width = out > t->max_width ? out : t->max_width;
	t->n_layers++;
	return 0;
}

static uint32_t output_act(const struct edgeai_train *t)
{
	if (t->task == TASK_BINARY)
		return EDGEAI_MODEL_ACT_SIGMOID;
	if (t->task == TASK_MULTICLASS)
		return EDGEAI_MODEL_ACT_SOFTMAX;
	return EDGEAI_MODEL_ACT_IDENTITY;
}

static bool hidden_act_ok(uint32_t act)
{
	return act == EDGEAI_MODEL_ACT_IDENTITY || act == EDGEAI_MODEL_ACT_RELU ||
	       act == EDGEAI_MODEL_ACT_SIGMOID || act == EDGEAI_MODEL_ACT_TANH;
}

/* The layers the options describe (no warm start). */
static int layout_opts(struct edgeai_train *t)
{
	const struct edgeai_train_opts *o = &t->o;
	uint32_t i, in = t->n_in;
	int ret;

	if (o->kind == EDGEAI_TRAIN_MLP) {
		if (!o->n_hidden || !o->hidden)
			return train_fail(t, EINVAL, "mlp: no hidden layer");
		if (o->n_hidden > EDGEAI_TRAIN_MAX_HIDDEN)
			return train_fail(t, EINVAL, "mlp: %u hidden layers, at most %d",
					  o->n_hidden, EDGEAI_TRAIN_MAX_HIDDEN);
		if (!hidden_act_ok(o->activation))
			return train_fail(t, EINVAL, "mlp: hidden activation %s",
					  edgeai_model_act_name(o->activation) ?
					  "softmax is for outputs" : "unknown");
		for (i = 0; i < o->n_hidden; i++) {
			ret = add_layer(t, in, o->hidden[i], o->activation);
			if (ret)
				return ret;
			in = o->hidden[i];
		}
	} else if (o->n_hidden) {
		return train_fail(t, EINVAL, "%s: hidden layers are for mlp",
				  edgeai_train_kind_name(o->kind));
	}
	return add_layer(t, in, t->n_out, output_act(t));
}

/* A dense layer of a warm-start model: weights, bias (or NULL). */
struct warm_layer {
	const float *w, *b;
};

static int warm_op(struct edgeai_train *t, const struct edgeai_model *m,
		   uint32_t i, struct edgeai_model_op_info *info)
{
	info->sz = sizeof(*info);
	edgeai_model_op_info(m, i, info);
	if (info->type == EDGEAI_MODEL_OP_DENSE)
		return 0;
	return train_fail(t, EINVAL, "warm start: op %u is %s; training continues a [standardize,] dense... model",
			  i, info->name);
}

/* The layers of the warm-start model, and where their parameters are. */
static int layout_warm(struct edgeai_train *t, struct warm_layer *wl)
{
	const struct edgeai_model *m = t->o.init;
	struct edgeai_model_op_info d, a;
	uint32_t i = 0, n = edgeai_model_op_count(m), act;
	int ret;

	if (edgeai_model_input_dim(m) != t->n_in)
		return train_fail(t, EINVAL, "warm start: the model takes %u inputs, not %u",
				  edgeai_model_input_dim(m), t->n_in);
	a.sz = sizeof(a);
	if (!edgeai_model_op_info(m, 0, &a) && a.type == EDGEAI_MODEL_OP_STANDARDIZE)
		i = 1;
	for (; i < n; i++) {
		ret = warm_op(t, m, i, &d);
		if (ret)
			return ret;
		act = d.activation;
		a.sz = sizeof(a);
		if (act == EDGEAI_MODEL_ACT_IDENTITY &&
		    !edgeai_model_op_info(m, i + 1, &a) && !a.n_params) {
			act = a.type == EDGEAI_MODEL_OP_RELU ? EDGEAI_MODEL_ACT_RELU :
			      a.type == EDGEAI_MODEL_OP_SIGMOID ? EDGEAI_MODEL_ACT_SIGMOID :
			      a.type == EDGEAI_MODEL_OP_TANH ? EDGEAI_MODEL_ACT_TANH :
			      EDGEAI_MODEL_ACT_SOFTMAX;
			i++;
		}
		if (t->n_layers == TRAIN_MAX_LAYERS)
			return train_fail(t, EINVAL, "warm start: more than %d hidden layers",
					  EDGEAI_TRAIN_MAX_HIDDEN);
		wl[t->n_layers].w = d.param[0];
		wl[t->n_layers].b = d.param[1];
		ret = add_layer(t, d.in_dim, d.out_dim, act);
		if (ret)
			return ret;
	}
	return 0;
}

/* The warm-start layers must be what the options ask for. */
static int check_warm(struct edgeai_train *t)
{
	const struct edgeai_train_opts *o = &t->o;
	const struct train_layer *out;
	uint32_t i, hidden;

	if (!t->n_layers)
		return train_fail(t, EINVAL, "warm start: the model has no dense layer");
	hidden = t->n_layers - 1;
	out = &t->layer[hidden];
	if ((o->kind == EDGEAI_TRAIN_MLP) != (hidden > 0))
		return train_fail(t, EINVAL, "warm start: the model has %u hidden layers, a%s %s model %s",
				  hidden, o->kind == EDGEAI_TRAIN_MLP ? "n" : "",
				  edgeai_train_kind_name(o->kind),
				  hidden ? "has none" : "needs some");
	if (out->out != t->n_out || out->act != output_act(t))
		return train_fail(t, EINVAL, "warm start: the model's output is %u x %s; a %s %s model has %u x %s",
				  out->out, edgeai_model_act_name(out->act),
				  task_names[t->task], edgeai_train_kind_name(o->kind),
				  t->n_out, edgeai_model_act_name(output_act(t)));
	for (i = 0; i < hidden; i++) {
		if (!hidden_act_ok(t->layer[i].act))
			return train_fail(t, EINVAL, "warm start: hidden layer %u is %s", i,
					  edgeai_model_act_name(t->layer[i].act));
		if (o->hidden && (o->n_hidden != hidden ||
				  o->hidden[i] != t->layer[i].out))
			return train_fail(t, EINVAL, "warm start: the model's hidden layers differ from the ones asked for");
	}
	return 0;
}

/* calloc of @n elements of @size, refusing what size_t cannot hold. */
static void *alloc(uint64_t n, size_t size)
{
	if (!n || n > SIZE_MAX / size)
		return n ? NULL : calloc(1, size);
	return calloc((size_t)n, size);
}

static int alloc_buffers(struct edgeai_train *t)
{
	uint64_t b = t->batch;
	uint32_t l;

	t->p = alloc(t->n_params, sizeof(double));
	t->g = alloc(t->n_params, sizeof(double));
	t->m = alloc(t->n_params, sizeof(double));
	t->v = alloc(t->n_params, sizeof(double));
	t->best = alloc(t->n_params, sizeof(double));
	t->fmean = alloc(t->n_in, sizeof(float));
	t->fstd = alloc(t->n_in, sizeof(float));
	t->mean = alloc(t->n_in, sizeof(double));
	t->istd = alloc(t->n_in, sizeof(double));
	t->act[0] = alloc(b * t->n_in, sizeof(double));
	for (l = 0; l < t->n_layers; l++)
		t->act[l + 1] = alloc(b * t->layer[l].out, sizeof(double));
	t->z = alloc(b * t->n_out, sizeof(double));
	t->delta[0] = alloc(b * t->max_width, sizeof(double));
	t->delta[1] = alloc(b * t->max_width, sizeof(double));
	t->yb = alloc(b, sizeof(double));
	t->lb = alloc(b, sizeof(uint32_t));
	t->tp = alloc(t->o.n_classes + 1, sizeof(uint64_t));
	t->fp = alloc(t->o.n_classes + 1, sizeof(uint64_t));
	t->fn = alloc(t->o.n_classes + 1, sizeof(uint64_t));
	for (l = 0; l <= t->n_layers; l++)
		if (!t->act[l])
			return -ENOMEM;
	if (!t->p || !t->g || !t->m || !t->v || !t->best ||
	    !t->fmean || !t->fstd || !t->mean || !t->istd || !t->z ||
	    !t->delta[0] || !t->delta[1] || !t->yb || !t->lb || !t->tp ||
	    !t->fp || !t->fn)
		return -ENOMEM;
	return 0;
}

/* Seeded uniform weights: He for relu layers, Glorot for the others. */
static void init_random(struct edgeai_train *t)
{
	uint64_t s[4];
	uint32_t k;
	size_t j;

	train_rng_seed(s, t->o.seed ^ 0x5eed1417a1c0ffeeULL);
	for (k = 0; k < t->n_layers; k++) {
		const struct train_layer *l = &t->layer[k];
		double lim = l->act == EDGEAI_MODEL_ACT_RELU ?
			     sqrt(6.0 / l->in) : sqrt(6.0 / (l->in + l->out));

		for (j = 0; j < (size_t)l->out * l->in; j++)
			t->p[l->w + j] = (2 * train_rng_unit(s) - 1) * lim;
	}
}

/* Statistics as the model will store them: float32, std > 0. */
void train_set_stats(struct edgeai_train *t, const double *mean,
		     const double *std)
{
	uint32_t i;

	for (i = 0; i < t->n_in; i++) {
		t->fmean[i] = (float)mean[i];
		t->fstd[i] = (float)std[i];
		if (!(t->fstd[i] > 0) || !isfinite(t->fstd[i]))
			t->fstd[i] = 1;	/* a constant feature */
		t->mean[i] = t->fmean[i];
		t->istd[i] = 1.0 / t->fstd[i];
	}
	t->have_stats = true;
}

static void init_warm(struct edgeai_train *t, const struct warm_layer *wl)
{
	struct edgeai_model_op_info s = { .sz = sizeof(s) };
	uint32_t k, i;
	size_t j;

	for (k = 0; k < t->n_layers; k++) {
		const struct train_layer *l = &t->layer[k];

		for (j = 0; j < (size_t)l->out * l->in; j++)
			t->p[l->w + j] = wl[k].w[j];
		for (j = 0; wl[k].b && j < l->out; j++)
			t->p[l->b + j] = wl[k].b[j];
	}
	if (edgeai_model_op_info(t->o.init, 0, &s) ||
	    s.type != EDGEAI_MODEL_OP_STANDARDIZE)
		return;
	for (i = 0; i < t->n_in; i++) {
		t->mean[i] = s.param[0][i];
		t->istd[i] = s.param[1][i];	/* std for now */
	}
	train_set_stats(t, t->mean, t->istd);
	t->standardize = true;
}

/* @n names joined with commas (none may hold one), or NULL for none. */
static int join_names(struct edgeai_train *t, const char *what,
		      const char *const *names, uint32_t n, char **out)
{
	size_t len = 1, off = 0;
	uint32_t i;

	*out = NULL;
	for (i = 0; names && i < n; i++) {
		if (!names[i] || !*names[i] || strchr(names[i], ','))
			return train_fail(t, EINVAL, "%s %u: '%s': empty or holds a comma",
					  what, i, names[i] ? names[i] : "");
		len += strlen(names[i]) + 1;
	}
	if (!names || !n)
		return 0;
	*out = malloc(len);
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		off += sprintf(*out + off, "%s%s", i ? "," : "", names[i]);
	return 0;
}

static int copy_names(struct edgeai_train *t)
{
	const struct edgeai_train_opts *o = &t->o;
	int ret;

	ret = join_names(t, "feature", o->feature_names, o->n_features,
			 &t->features);
	if (!ret)
		ret = join_names(t, "class", o->class_labels, o->n_classes,
				 &t->classes);
	if (!ret)
		ret = join_names(t, "target", o->target ? &o->target : NULL, 1,
				 &t->target);
	if (ret)
		return ret;
	t->name = o->name ? strdup(o->name) : NULL;
	t->version = o->version ? strdup(o->version) : NULL;
	if ((o->name && !t->name) || (o->version && !t->version))
		return -ENOMEM;
	return 0;
}

static int train_setup(struct edgeai_train *t)
{
	struct warm_layer wl[TRAIN_MAX_LAYERS];
	int ret;

	ret = check_task(t);
	if (!ret)
		ret = check_numbers(t);
	if (ret)
		return ret;
	t->n_in = t->o.n_features;
	t->batch = t->o.batch;
	t->standardize = t->o.standardize;
	t->warm = t->o.init != NULL;
	ret = t->warm ? layout_warm(t, wl) : layout_opts(t);
	if (!ret && t->warm)
		ret = check_warm(t);
	if (ret)
		return ret;
	ret = copy_names(t);
	if (!ret && alloc_buffers(t))
		ret = train_fail(t, ENOMEM, "out of memory for %zu parameters, batch %u",
				 t->n_params, t->batch);
	if (ret)
		return ret;
	if (t->warm)
		init_warm(t, wl);
	else if (t->n_layers > 1)
		init_random(t);
	if (t->warm && t->o.standardize && !t->have_stats)
		return train_fail(t, EINVAL, "warm start: the model has no standardize op (its weights take raw inputs): do not standardize");
	train_rng_seed(t->rng, t->o.seed);
	return 0;
}

int edgeai_train_new(const struct edgeai_train_opts *opts,
		     struct edgeai_train **tp)
{
	struct edgeai_train *t;
	int ret;

	if (!opts || !tp)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	ret = opts_copy(t, opts);
	if (!ret)
		ret = train_setup(t);
	if (ret) {
		if (opts->err && opts->errlen)
			snprintf(opts->err, opts->errlen, "%s",
				 t->err[0] ? t->err : strerror(-ret));
		edgeai_train_free(t);
		return ret;
	}
	/* The caller's pointers are not kept past this call. */
	t->o.hidden = NULL;
	t->o.init = NULL;
	t->o.feature_names = t->o.class_labels = NULL;
	t->o.name = t->o.version = t->o.target = NULL;
	t->o.err = NULL;
	if (opts->err && opts->errlen)
		opts->err[0] = '\0';
	*tp = t;
	return 0;
}

void edgeai_train_free(struct edgeai_train *t)
{
	uint32_t l;

	if (!t)
		return;
	free(t->p);
	free(t->g);
	free(t->m);
	free(t->v);
	free(t->best);
	free(t->fmean);
	free(t->fstd);
	free(t->mean);
	free(t->istd);
	for (l = 0; l <= TRAIN_MAX_LAYERS; l++)
		free(t->act[l]);
	free(t->z);
	free(t->delta[0]);
	free(t->delta[1]);
	free(t->yb);
	free(t->lb);
	free(t->tp);
	free(t->fp);
	free(t->fn);
	free(t->name);
	free(t->version);
	free(t->target);
	free(t->features);
	free(t->classes);
	free(t);
}

/* edgeai.training: how the model was trained, as a JSON object. */
static void training_json(const struct edgeai_train *t, char *buf, size_t len)
{
	const struct edgeai_train_opts *o = &t->o;
	int n;

	n = snprintf(buf, len,
		     "{\"optimizer\":\"%s\",\"lr\":%.9g,", opt_names[o->optimizer], o->lr);
	if (o->optimizer == EDGEAI_TRAIN_ADAM)
		n += snprintf(buf + n, len - n, "\"beta1\":%.9g,\"beta2\":%.9g,\"eps\":%.9g,",
			      o->beta1, o->beta2, o->eps);
	else
		n += snprintf(buf + n, len - n, "\"momentum\":%.9g,", o->momentum);
	snprintf(buf + n, len - n,
		 "\"l2\":%.9g,\"batch\":%u,\"epochs\":%u,\"seed\":%llu,\"shuffle\":%s,"
		 "\"standardize\":%s,\"val_fraction\":%.9g,\"patience\":%u,"
		 "\"warm_start\":%s,\"rows\":%u,\"epochs_run\":%u,\"best_epoch\":%u}",
		 o->l2, o->batch, o->epochs, (unsigned long long)o->seed,
		 o->no_shuffle ? "false" : "true", t->standardize ? "true" : "false",
		 o->val_fraction, o->patience, t->warm ? "true" : "false",
		 t->fit_rows, t->fit_epochs, t->fit_best);
}

static int build_meta(const struct edgeai_train *t, struct edgeai_model_builder *b)
{
	const char *outputs = t->task == TASK_MULTICLASS ? t->classes : t->target;
	char training[512];
	const char *keys[] = {
		"edgeai.kind", "edgeai.name", "edgeai.version", "edgeai.task",
		"edgeai.features", "edgeai.outputs", "edgeai.target",
		"edgeai.classes", "edgeai.training",
	};
	const char *vals[] = {
		kind_names[t->o.kind], t->name, t->version, task_names[t->task],
		t->features, outputs, t->target, t->classes, training,
	};
	size_t i;
	int ret = 0;

	training_json(t, training, sizeof(training));
	for (i = 0; !ret && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (vals[i])
			ret = edgeai_model_builder_set_meta(b, keys[i], vals[i]);
	return ret;
}

static int build_layers(const struct edgeai_train *t,
			struct edgeai_model_builder *b, float *buf)
{
	uint32_t k;
	size_t j;
	int ret = 0;

	if (t->standardize && t->have_stats)
		ret = edgeai_model_builder_add_standardize(b, t->fmean, t->fstd,
							   t->n_in);
	for (k = 0; !ret && k < t->n_layers; k++) {
		const struct train_layer *l = &t->layer[k];
		size_t nw = (size_t)l->out * l->in;

		for (j = 0; j < nw + l->out; j++)
			buf[j] = (float)t->p[l->w + j];
		ret = edgeai_model_builder_add_dense(b, buf, buf + nw, l->out,
						     l->in, l->act);
	}
	return ret;
}

int edgeai_train_build(struct edgeai_train *t, struct edgeai_model_builder **bp)
{
	struct edgeai_model_builder *b;
	size_t most = 0;
	uint32_t k;
	float *buf;
	int ret;

	if (!t || !bp)
		return -EINVAL;
	if (t->standardize && !t->have_stats)
		return train_fail(t, EINVAL, "no standardize statistics yet: fit first");
	for (k = 0; k < t->n_layers; k++) {
		size_t n = (size_t)(t->layer[k].in + 1) * t->layer[k].out;

		most = n > most ? n : most;
	}
	buf = malloc(most * sizeof(float));
	ret = buf ? edgeai_model_builder_new(&b) : -ENOMEM;
	if (ret) {
		free(buf);
		return train_fail(t, ENOMEM, "out of memory");
	}
	ret = build_layers(t, b, buf);
	if (!ret)
		ret = build_meta(t, b);
	free(buf);
	if (ret) {
		train_fail(t, -ret, "%s", edgeai_model_builder_error(b));
		edgeai_model_builder_free(b);
		return ret;
	}
	t->err[0] = '\0';
	*bp = b;
	return 0;
}
