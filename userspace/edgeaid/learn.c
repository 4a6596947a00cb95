// SPDX-License-Identifier: GPL-2.0
/*
 * Online learning: a pipeline with "learn = yes" takes the labelled
 * samples it serves (label = last: the last element of each sample is its
 * label, NaN for none), keeps the model's input rows (what the stages
 * made of them) and labels in a bounded buffer, and a learner thread of
 * its own trains a copy of the running model on them with SGD or Adam
 * (libedgeai's edgeai_train_step(), warm-started from the model), and
 * every learn_publish seconds publishes the result as the pipeline's next
 * model generation through the hot-swap path - between two batches, no
 * sample lost or processed twice. A model swapped in from outside
 * (edgeaictl pipeline reload, a new file) becomes the learner's new
 * starting point.
 *
 * The worker only copies rows into the buffer (no allocation); a full
 * buffer drops its oldest rows, counted. Everything else - training,
 * building, loading - happens on the learner thread.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <edgeai/model.h>
#include <edgeai/train.h>

#include "edgeaid.h"

#define LEARN_CAP	8192		/* rows buffered between steps */
#define LEARN_TICK_NS	50000000L	/* the learner looks every 50 ms */

struct ead_learn {
	struct ead_pipeline *p;
	const struct ead_pipeline_conf *conf;
	uint32_t dim;

	/* shared with the worker, under lock */
	pthread_mutex_t lock;
	float *bx, *by;
	uint32_t head, count;
	uint64_t labelled, dropped;

	/* the learner thread's */
	pthread_t thread;
	int started;
	atomic_int stop;
	float *x, *y;
	uint32_t *lab;
	struct edgeai_train *t;
	uint32_t kind, n_classes;
	uint32_t base_gen;		/* the generation the trainer follows */
	uint64_t since_publish;
	struct timespec last_publish;

	/* stats, under lock */
	uint64_t trained, steps, published, bad_labels;
	double loss;
	char error[EAD_ERR_LEN];
};

static void set_error(struct ead_learn *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct ead_learn *l, const char *fmt, ...)
{
	char msg[EAD_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&l->lock);
	if (strcmp(l->error, msg))
		ead_log(EAD_LOG_WARN, "[pipeline %s] learning: %s", l->conf->name,
			msg);
	snprintf(l->error, sizeof(l->error), "%s", msg);
	pthread_mutex_unlock(&l->lock);
}

/*
 * What the trainer must be to warm-start from @m: the kind and classes
 * follow from its dense layers and output activation.
 */
static int opts_from_model(struct ead_learn *l, const struct edgeai_model *m,
			   struct edgeai_train_opts *o, char *why, size_t len)
{
	uint32_t i, n = edgeai_model_op_count(m), dense = 0, out_dim = 0;
	uint32_t act[EDGEAI_TRAIN_MAX_HIDDEN + 1];
	struct edgeai_model_op_info d;

	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	for (i = 0; i < n; i++) {
		d.sz = sizeof(d);
		if (edgeai_model_op_info(m, i, &d))
			return -EINVAL;
		if (d.type == EDGEAI_MODEL_OP_STANDARDIZE && !i) {
			o->standardize = true;
		} else if (d.type == EDGEAI_MODEL_OP_DENSE &&
			   dense <= EDGEAI_TRAIN_MAX_HIDDEN) {
			act[dense++] = d.activation;
			out_dim = d.out_dim;
		} else if (dense && (d.type == EDGEAI_MODEL_OP_RELU ||
				     d.type == EDGEAI_MODEL_OP_SIGMOID ||
				     d.type == EDGEAI_MODEL_OP_TANH ||
				     d.type == EDGEAI_MODEL_OP_SOFTMAX)) {
			act[dense - 1] = d.type == EDGEAI_MODEL_OP_RELU ? EDGEAI_MODEL_ACT_RELU :
					 d.type == EDGEAI_MODEL_OP_SIGMOID ? EDGEAI_MODEL_ACT_SIGMOID :
					 d.type == EDGEAI_MODEL_OP_TANH ? EDGEAI_MODEL_ACT_TANH :
					 EDGEAI_MODEL_ACT_SOFTMAX;
		} else {
			snprintf(why, len, "op %u (%s) is not trainable here (a leading standardize, then dense layers)",
				 i, d.name);
			return -EINVAL;
		}
	}
	if (!dense) {
		snprintf(why, len, "the model has no dense layer");
		return -EINVAL;
	}
	if (act[dense - 1] == EDGEAI_MODEL_ACT_IDENTITY && out_dim == 1) {
		o->n_classes = 0;
	} else if (act[dense - 1] == EDGEAI_MODEL_ACT_SIGMOID && out_dim == 1) {
		o->n_classes = 2;
	} else if (act[dense - 1] == EDGEAI_MODEL_ACT_SOFTMAX && out_dim >= 2) {
		o->n_classes = out_dim;
	} else {
		snprintf(why, len,
			 "the model's output (%u x %s) is not one regression value, one sigmoid or a softmax",
			 out_dim, edgeai_model_act_name(act[dense - 1]));
		return -EINVAL;
	}
	if (dense > 1) {
		o->kind = EDGEAI_TRAIN_MLP;
		o->activation = act[0];
	} else {
		o->kind = !o->n_classes ? EDGEAI_TRAIN_LINEAR :
			  o->n_classes == 2 ? EDGEAI_TRAIN_LOGISTIC :
			  EDGEAI_TRAIN_SOFTMAX;
	}
	o->n_features = l->dim;
	o->optimizer = l->conf->learn_adam ? EDGEAI_TRAIN_ADAM : EDGEAI_TRAIN_SGD;
	o->lr = l->conf->learn_rate;
	o->batch = l->conf->learn_batch;
	o->no_shuffle = true;
	o->init = m;
	o->name = edgeai_model_name(m);
	o->err = why;
	o->errlen = len;
	return 0;
}

/* (Re)start the trainer from the pipeline's running model. */
static int follow_model(struct ead_learn *l)
{
	struct edgeai_train_opts o;
	struct edgeai_model *m;
	char why[EDGEAI_TRAIN_ERR_LEN] = "";
	uint32_t gen;
	int ret;

	m = ead_pipeline_model_ref(l->p, &gen);
	if (!m)
		return -ENOENT;
	edgeai_train_free(l->t);
	l->t = NULL;
	ret = opts_from_model(l, m, &o, why, sizeof(why));
	if (!ret)
		ret = edgeai_train_new(&o, &l->t);
	l->base_gen = gen;
	if (ret) {
		set_error(l, "cannot learn on generation %u: %s", gen,
			  why[0] ? why : strerror(-ret));
	} else {
		l->kind = o.kind;
		l->n_classes = o.n_classes;
		pthread_mutex_lock(&l->lock);
		l->error[0] = '\0';
		pthread_mutex_unlock(&l->lock);
		ead_log(EAD_LOG_INFO, "[pipeline %s] learning: training from generation %u (%s, %s, lr %g, batch %u)",
			l->conf->name, gen, edgeai_train_kind_name(o.kind),
			edgeai_train_optimizer_name(o.optimizer), o.lr, o.batch);
	}
	edgeai_model_free(m);
	return ret;
}

/* Move what the worker buffered into the learner's arrays. */
static uint32_t take_rows(struct ead_learn *l)
{
	uint32_t n, i, at;

	pthread_mutex_lock(&l->lock);
	n = l->count;
	for (i = 0; i < n; i++) {
		at = (l->head + LEARN_CAP - l->count + i) % LEARN_CAP;
		memcpy(l->x + (size_t)i * l->dim, l->bx + (size_t)at * l->dim,
		       l->dim * sizeof(float));
		l->y[i] = l->by[at];
	}
	l->count = 0;
	pthread_mutex_unlock(&l->lock);
	return n;
}

static void train_rows(struct ead_learn *l, uint32_t n)
{
	struct edgeai_train_data d = { .sz = sizeof(d), .x = l->x };
	uint32_t i, k = 0, bad = 0;
	double loss;
	int ret;

	if (l->n_classes) {
		/* labels are class indices: keep the rows whose label is one */
		for (i = 0; i < n; i++) {
			float v = l->y[i];

			if (!(v >= 0) || v != floorf(v) || v >= (float)l->n_classes) {
				bad++;
				continue;
			}
			if (k != i)
				memcpy(l->x + (size_t)k * l->dim,
				       l->x + (size_t)i * l->dim,
				       l->dim * sizeof(float));
			l->lab[k++] = (uint32_t)v;
		}
		d.label = l->lab;
	} else {
		k = n;
		d.y = l->y;
	}
	d.rows = k;
	ret = k ? edgeai_train_step(l->t, &d, &loss) : 0;
	pthread_mutex_lock(&l->lock);
	l->bad_labels += bad;
	if (!ret && k) {
		l->trained += k;
		l->steps += (k + l->conf->learn_batch - 1) / l->conf->learn_batch;
		l->loss = loss;
	}
	pthread_mutex_unlock(&l->lock);
	if (ret) {
		set_error(l, "%s", edgeai_train_error(l->t));
		/* start again from the running model: the weights diverged */
		follow_model(l);
		return;
	}
	l->since_publish += k;
}

static double since(const struct timespec *a)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - a->tv_sec) +
	       (double)(now.tv_nsec - a->tv_nsec) / 1e9;
}

/* Build the trainer's model and hand it to the pipeline. */
static void publish(struct ead_learn *l)
{
	struct edgeai_model_builder *b = NULL;
	struct edgeai_model *m = NULL;
	char ver[64], err[EAD_ERR_LEN];
	size_t len = 0;
	void *buf = NULL;
	uint32_t gen;
	int ret;

	ret = edgeai_train_build(l->t, &b);
	if (!ret) {
		snprintf(ver, sizeof(ver), "online.%llu",
			 (unsigned long long)l->published + 1);
		ret = edgeai_model_builder_set_meta(b, "edgeai.version", ver);
	}
	if (!ret)
		ret = edgeai_model_builder_write_mem(b, &buf, &len);
	if (!ret)
		ret = edgeai_model_load_mem(buf, len, NULL, &m);
	if (ret) {
		set_error(l, "building the new model: %s", strerror(-ret));
		goto out;
	}
	ret = ead_pipeline_install_model(l->p, m, "online learning", 0, &gen,
					 err, sizeof(err));
	m = NULL;	/* the pipeline has it, or freed it */
	if (ret) {
		set_error(l, "%s", err);
		goto out;
	}
	l->base_gen = gen;
	l->since_publish = 0;
	pthread_mutex_lock(&l->lock);
	l->published++;
	pthread_mutex_unlock(&l->lock);
	if (l->conf->learn_save[0]) {
		ret = edgeai_model_builder_write(b, l->conf->learn_save);
		if (ret)
			set_error(l, "learn_save = %s: %s", l->conf->learn_save,
				  edgeai_model_builder_error(b));
	}
out:
	edgeai_model_free(m);
	free(buf);
	edgeai_model_builder_free(b);
	clock_gettime(CLOCK_MONOTONIC, &l->last_publish);
}

static void *learn_main(void *arg)
{
	struct ead_learn *l = arg;
	struct timespec tick = { 0, LEARN_TICK_NS };
	uint32_t n, gen;

	follow_model(l);
	clock_gettime(CLOCK_MONOTONIC, &l->last_publish);
	while (!atomic_load(&l->stop)) {
		nanosleep(&tick, NULL);
		gen = ead_pipeline_model_gen(l->p);
		if (gen > l->base_gen)
			follow_model(l);	/* swapped in from outside */
		n = take_rows(l);
		if (!l->t)
			continue;
		if (n)
			train_rows(l, n);
		if (l->since_publish &&
		    since(&l->last_publish) >= l->conf->learn_publish)
			publish(l);
	}
	return NULL;
}

struct ead_learn *ead_learn_new(struct ead_pipeline *p,
				const struct ead_pipeline_conf *conf,
				uint32_t dim)
{
	struct ead_learn *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->p = p;
	l->conf = conf;
	l->dim = dim;
	pthread_mutex_init(&l->lock, NULL);
	atomic_init(&l->stop, 0);
	l->bx = calloc((size_t)LEARN_CAP * dim, sizeof(float));
	l->by = calloc(LEARN_CAP, sizeof(float));
	l->x = calloc((size_t)LEARN_CAP * dim, sizeof(float));
	l->y = calloc(LEARN_CAP, sizeof(float));
	l->lab = calloc(LEARN_CAP, sizeof(uint32_t));
	if (!l->bx || !l->by || !l->x || !l->y || !l->lab) {
		ead_learn_free(l);
		return NULL;
	}
	return l;
}

int ead_learn_start(struct ead_learn *l)
{
	int ret;

	if (!l || l->started)
		return 0;
	atomic_store(&l->stop, 0);
	ret = pthread_create(&l->thread, NULL, learn_main, l);
	if (ret)
		return -ret;
	l->started = 1;
	return 0;
}

void ead_learn_stop(struct ead_learn *l)
{
	if (!l || !l->started)
		return;
	atomic_store(&l->stop, 1);
	pthread_join(l->thread, NULL);
	l->started = 0;
}

void ead_learn_free(struct ead_learn *l)
{
	if (!l)
		return;
	ead_learn_stop(l);
	edgeai_train_free(l->t);
	pthread_mutex_destroy(&l->lock);
	free(l->bx);
	free(l->by);
	free(l->x);
	free(l->y);
	free(l->lab);
	free(l);
}

void ead_learn_push(struct ead_learn *l, const float *rows,
		    const float *labels, const uint32_t *ids, uint32_t n)
{
	uint32_t r;
	float v;

	pthread_mutex_lock(&l->lock);
	for (r = 0; r < n; r++) {
		v = labels[ids[r]];
		if (isnan(v))
			continue;
		memcpy(l->bx + (size_t)l->head * l->dim, rows + (size_t)r * l->dim,
		       l->dim * sizeof(float));
		l->by[l->head] = v;
		l->head = (l->head + 1) % LEARN_CAP;
		if (l->count == LEARN_CAP)
			l->dropped++;	/* the oldest row was overwritten */
		else
			l->count++;
		l->labelled++;
	}
	pthread_mutex_unlock(&l->lock);
}

void ead_learn_json(struct ead_learn *l, FILE *f)
{
	uint64_t labelled, dropped, trained, steps, published, bad;
	char err[EAD_ERR_LEN];
	double loss;

	pthread_mutex_lock(&l->lock);
	labelled = l->labelled;
	dropped = l->dropped;
	trained = l->trained;
	steps = l->steps;
	published = l->published;
	bad = l->bad_labels;
	loss = l->loss;
	memcpy(err, l->error, sizeof(err));
	pthread_mutex_unlock(&l->lock);
	fprintf(f, "{\"labelled\":%llu,\"trained\":%llu,\"steps\":%llu,"
		"\"dropped\":%llu,\"bad_labels\":%llu,\"published\":%llu,\"loss\":",
		(unsigned long long)labelled, (unsigned long long)trained,
		(unsigned long long)steps, (unsigned long long)dropped,
		(unsigned long long)bad, (unsigned long long)published);
	if (steps && isfinite(loss))
		fprintf(f, "%.9g", loss);
	else
		fputs("null", f);
	fputs(",\"error\":", f);
	if (err[0])
		ead_json_str(f, err);
	else
		fputs("null", f);
	fputc('}', f);
}
