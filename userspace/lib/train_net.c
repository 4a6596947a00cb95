// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The network being trained: dense layers in float64, the forward pass
 * over a batch, the loss, backpropagation and the SGD and Adam steps.
 * Everything works in the trainer's own buffers: nothing here allocates.
 *
 * The output layer's pre-activations are kept (t->z) so that the
 * cross-entropies are computed from logits (no log(0)), and their
 * gradients are the familiar p - y. Sums run in a fixed order, so the
 * same inputs always give the same bits.
 */
#include <math.h>
#include <string.h>

#include "train_int.h"

static double sigmoid(double x)
{
	double e;

	if (x >= 0)
		return 1 / (1 + exp(-x));
	e = exp(x);
	return e / (1 + e);
}

static double act1(uint32_t act, double x)
{
	switch (act) {
	case EDGEAI_MODEL_ACT_RELU: return x > 0 ? x : 0;
	case EDGEAI_MODEL_ACT_SIGMOID: return sigmoid(x);
	case EDGEAI_MODEL_ACT_TANH: return tanh(x);
	default: return x;
	}
}

/* d act / dx, from the activation's output @a. */
static double act_grad(uint32_t act, double a)
{
	switch (act) {
	case EDGEAI_MODEL_ACT_RELU: return a > 0 ? 1 : 0;
	case EDGEAI_MODEL_ACT_SIGMOID: return a * (1 - a);
	case EDGEAI_MODEL_ACT_TANH: return 1 - a * a;
	default: return 1;
	}
}

static void softmax_row(const double *z, double *y, uint32_t k)
{
	double m = z[0], s = 0;
	uint32_t i;

	for (i = 1; i < k; i++)
		m = z[i] > m ? z[i] : m;
	for (i = 0; i < k; i++) {
		y[i] = exp(z[i] - m);
		s += y[i];
	}
	for (i = 0; i < k; i++)
		y[i] /= s;
}

/* z = W x + b for @n rows. */
static void dense(const struct edgeai_train *t, const struct train_layer *l,
		  const double *x, double *z, uint32_t n)
{
	const double *w = t->p + l->w, *b = t->p + l->b;
	uint32_t r, o, i;

	for (r = 0; r < n; r++, x += l->in, z += l->out) {
		for (o = 0; o < l->out; o++) {
			const double *wo = w + (size_t)o * l->in;
			double s = b[o];

			for (i = 0; i < l->in; i++)
				s += wo[i] * x[i];
			z[o] = s;
		}
	}
}

void train_forward(struct edgeai_train *t, uint32_t n)
{
	uint32_t k, r, o, last = t->n_layers - 1;

	for (k = 0; k < last; k++) {
		const struct train_layer *l = &t->layer[k];
		double *a = t->act[k + 1];

		dense(t, l, t->act[k], a, n);
		if (l->act != EDGEAI_MODEL_ACT_IDENTITY)
			for (o = 0; o < n * l->out; o++)
				a[o] = act1(l->act, a[o]);
	}
	dense(t, &t->layer[last], t->act[last], t->z, n);
	for (r = 0; r < n; r++) {
		const double *z = t->z + (size_t)r * t->n_out;
		double *y = t->act[last + 1] + (size_t)r * t->n_out;

		if (t->task == TASK_MULTICLASS)
			softmax_row(z, y, t->n_out);
		else
			y[0] = t->task == TASK_BINARY ? sigmoid(z[0]) : z[0];
	}
}

/* log(sum exp z) - z[label], computed stably. */
static double xent_row(const double *z, uint32_t k, uint32_t label)
{
	double m = z[0], s = 0;
	uint32_t i;

	for (i = 1; i < k; i++)
		m = z[i] > m ? z[i] : m;
	for (i = 0; i < k; i++)
		s += exp(z[i] - m);
	/* s >= 1: the largest z contributes exp(0) */
	/* cppcheck-suppress invalidFunctionArg */
	return m + log(s) - z[label];
}

double train_loss(const struct edgeai_train *t, uint32_t n)
{
	const double *out = t->act[t->n_layers];
	double sum = 0, z, e;
	uint32_t r;

	for (r = 0; r < n; r++) {
		switch (t->task) {
		case TASK_REGRESSION:
			e = out[r] - t->yb[r];
			sum += e * e;
			break;
		case TASK_BINARY:
			/* softplus(z) - y z */
			z = t->z[r];
			sum += (z > 0 ? z : 0) - t->lb[r] * z + log1p(exp(-fabs(z)));
			break;
		default:
			sum += xent_row(t->z + (size_t)r * t->n_out, t->n_out,
					t->lb[r]);
		}
	}
	return n ? sum / n : 0;
}

/* d loss / d z of the output layer, into t->delta[0]. */
static void output_delta(struct edgeai_train *t, uint32_t n)
{
	const double *out = t->act[t->n_layers];
	double *d = t->delta[0], inv = 1.0 / n;
	uint32_t r, o, k = t->n_out;

	for (r = 0; r < n; r++) {
		for (o = 0; o < k; o++) {
			double y = t->task == TASK_REGRESSION ? t->yb[r] :
				   t->task == TASK_BINARY ? t->lb[r] :
				   t->lb[r] == o;

			d[(size_t)r * k + o] = (out[(size_t)r * k + o] - y) *
				(t->task == TASK_REGRESSION ? 2 * inv : inv);
		}
	}
}

/* Gradients of layer @l from its deltas @d and inputs @x. */
static void layer_grad(struct edgeai_train *t, const struct train_layer *l,
		       const double *d, const double *x, uint32_t n)
{
	double *gw = t->g + l->w, *gb = t->g + l->b;
	const double *w = t->p + l->w;
	uint32_t r, o, i;
	size_t j;

	for (r = 0; r < n; r++) {
		const double *dr = d + (size_t)r * l->out;
		const double *xr = x + (size_t)r * l->in;

		for (o = 0; o < l->out; o++) {
			double *go = gw + (size_t)o * l->in;

			gb[o] += dr[o];
			for (i = 0; i < l->in; i++)
				go[i] += dr[o] * xr[i];
		}
	}
	if (t->o.l2 > 0)
		for (j = 0; j < (size_t)l->out * l->in; j++)
			gw[j] += t->o.l2 * w[j];
}

/* Deltas of the layer below @l (whose activation is @act, output @a). */
static void back_delta(const struct edgeai_train *t,
		       const struct train_layer *l, const double *d,
		       const double *a, uint32_t act, double *dp, uint32_t n)
{
	const double *w = t->p + l->w;
	uint32_t r, o, i;

	for (r = 0; r < n; r++) {
		const double *dr = d + (size_t)r * l->out;
		const double *ar = a + (size_t)r * l->in;
		double *pr = dp + (size_t)r * l->in;

		memset(pr, 0, l->in * sizeof(*pr));
		for (o = 0; o < l->out; o++) {
			const double *wo = w + (size_t)o * l->in;

			for (i = 0; i < l->in; i++)
				pr[i] += dr[o] * wo[i];
		}
		for (i = 0; i < l->in; i++)
			pr[i] *= act_grad(act, ar[i]);
	}
}

void train_backward(struct edgeai_train *t, uint32_t n)
{
	uint32_t k = t->n_layers, cur = 0;

	memset(t->g, 0, t->n_params * sizeof(*t->g));
	output_delta(t, n);
	while (k--) {
		const struct train_layer *l = &t->layer[k];

		layer_grad(t, l, t->delta[cur], t->act[k], n);
		if (!k)
			break;
		back_delta(t, l, t->delta[cur], t->act[k], t->layer[k - 1].act,
			   t->delta[!cur], n);
		cur = !cur;
	}
}

static void sgd(struct edgeai_train *t)
{
	double lr = t->o.lr, mu = t->o.momentum;
	size_t j;

	for (j = 0; j < t->n_params; j++) {
		t->m[j] = mu * t->m[j] - lr * t->g[j];
		t->p[j] += t->m[j];
	}
}

static void adam(struct edgeai_train *t)
{
	double b1 = t->o.beta1, b2 = t->o.beta2, eps = t->o.eps;
	double c1 = 1 - pow(b1, (double)t->steps);
	double c2 = 1 - pow(b2, (double)t->steps);
	double lr = t->o.lr * sqrt(c2) / c1;
	size_t j;

	/* Exactly lr * m^ / (sqrt(v^) + eps), m^ = m / c1, v^ = v / c2,
	 * with the corrections taken out of the loop. */
	for (j = 0; j < t->n_params; j++) {
		double g = t->g[j];

		t->m[j] = b1 * t->m[j] + (1 - b1) * g;
		t->v[j] = b2 * t->v[j] + (1 - b2) * g * g;
		t->p[j] -= lr * t->m[j] / (sqrt(t->v[j]) + eps * sqrt(c2));
	}
}

void train_update(struct edgeai_train *t)
{
	t->steps++;
	if (t->o.optimizer == EDGEAI_TRAIN_ADAM)
		adam(t);
	else
		sgd(t);
}

uint32_t train_predict_class(const struct edgeai_train *t, uint32_t row)
{
	const double *z = t->z + (size_t)row * t->n_out;
	uint32_t o, best = 0;

	if (t->task == TASK_BINARY)
		return z[0] >= 0;
	for (o = 1; o < t->n_out; o++)
		if (z[o] > z[best])
			best = o;
	return best;
}
