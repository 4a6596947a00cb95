// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Preprocessing stages (include/edgeai/stage.h, docs/stages.md): the
 * object, its per-key state and key table, run, counters and chains. Every
 * allocation happens in edgeai_stage_new(); run only indexes into it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stage_int.h"

uint32_t edgeai__stage_key_index(struct stage_keys *k, uint32_t key)
{
	uint32_t h, v;

	if (k->last_idx && k->last_key == key)
		return k->last_idx - 1;
	/* Fibonacci hashing: the top bits of key * 2^32 / phi. */
	h = (uint32_t)(key * 0x9e3779b1u) >> k->shift;
	for (;;) {
		v = k->slots[h];
		if (!v)
			break;
		if (k->ids[v - 1] == key)
			goto found;
		h = (h + 1) & k->mask;
	}
	if (k->used == k->cap)
		return STAGE_KEY_FULL;
	k->ids[k->used] = key;
	v = ++k->used;
	k->slots[h] = v;
found:
	k->last_key = key;
	k->last_idx = v;
	return v - 1;
}

/* Bytes of state for @max_keys keys, or 0 for a stage without keys. */
static uint64_t state_bytes(const struct edgeai_stage *st, uint32_t max_keys,
			    uint32_t *nslots)
{
	uint64_t keys = max_keys, dim = st->in_dim, bytes;

	*nslots = 2;
	while (*nslots < 2 * max_keys)
		*nslots *= 2;
	if (!st->keyed)
		return 0;
	bytes = (uint64_t)*nslots * 4 + keys * 4;
	if (st->kind == STAGE_WINDOW)
		return bytes + keys * 8 + keys * dim * st->win_n * 4;
	if (st->policy == CLEAN_IMPUTE_MEAN)
		return bytes + keys * dim * (8 + 8);
	return bytes + keys * dim * 4;	/* impute-last */
}

static int alloc_keys(struct stage_keys *k, uint32_t max_keys,
		      uint32_t nslots)
{
	k->cap = max_keys;
	k->mask = nslots - 1;
	k->shift = 32;
	while (nslots > 1) {
		nslots /= 2;
		k->shift--;
	}
	k->slots = calloc((size_t)k->mask + 1, sizeof(*k->slots));
	k->ids = calloc(max_keys, sizeof(*k->ids));
	return k->slots && k->ids ? 0 : -ENOMEM;
}

static int alloc_state(struct edgeai_stage *st, uint32_t max_keys,
		       struct stage_err *err)
{
	size_t per_key = (size_t)max_keys * st->in_dim;
	uint32_t nslots;
	uint64_t bytes = state_bytes(st, max_keys, &nslots);

	if (bytes > EDGEAI_STAGE_MAX_STATE) {
		edgeai__stage_errf(err, "stage '%s': state for %u keys is %llu bytes, over the limit of %llu",
				   edgeai__stage_kind_name(st->kind), max_keys,
				   (unsigned long long)bytes,
				   (unsigned long long)EDGEAI_STAGE_MAX_STATE);
		return -E2BIG;
	}
	if (!st->keyed)
		return 0;
	if (alloc_keys(&st->keys, max_keys, nslots))
		goto nomem;
	if (st->kind == STAGE_WINDOW) {
		st->count = calloc(max_keys, sizeof(*st->count));
		st->ring = calloc(per_key * st->win_n, sizeof(*st->ring));
		if (!st->count || !st->ring)
			goto nomem;
	} else if (st->policy == CLEAN_IMPUTE_MEAN) {
		st->count = calloc(per_key, sizeof(*st->count));
		st->mean = calloc(per_key, sizeof(*st->mean));
		if (!st->count || !st->mean)
			goto nomem;
	} else {
		st->last = calloc(per_key, sizeof(*st->last));
		if (!st->last)
			goto nomem;
	}
	return 0;
nomem:
	edgeai__stage_errf(err, "stage '%s': out of memory for %llu bytes of state",
			   edgeai__stage_kind_name(st->kind), (unsigned long long)bytes);
	return -ENOMEM;
}

/* The options with defaults, or -EINVAL with a message. */
static int read_opts(const struct edgeai_stage_opts *opts,
		     struct edgeai_stage_opts *o, struct stage_err *err)
{
	memset(o, 0, sizeof(*o));
	if (opts) {
		if (opts->sz < sizeof(size_t))
			return -EINVAL;
		memcpy(o, opts, opts->sz < sizeof(*o) ? opts->sz : sizeof(*o));
	}
	err->buf = o->errbuf;
	err->len = o->errbuf ? o->errbuf_len : 0;
	if (err->len)
		err->buf[0] = '\0';
	if (!o->max_keys)
		o->max_keys = EDGEAI_STAGE_DEFAULT_KEYS;
	if (o->max_keys > EDGEAI_STAGE_MAX_KEYS) {
		edgeai__stage_errf(err, "max_keys %u is out of range 1..%u",
				   o->max_keys, EDGEAI_STAGE_MAX_KEYS);
		return -EINVAL;
	}
	if (o->reserved) {
		edgeai__stage_errf(err, "opts.reserved must be 0");
		return -EINVAL;
	}
	return 0;
}

int edgeai_stage_new(const char *spec, uint32_t in_dim,
		     const struct edgeai_stage_opts *opts,
		     struct edgeai_stage **stagep)
{
	struct edgeai_stage_opts o;
	struct stage_err err = { NULL, 0 };
	struct edgeai_stage *st;
	int rc;

	rc = read_opts(opts, &o, &err);
	if (rc)
		return rc;
	if (!spec || !stagep) {
		edgeai__stage_errf(&err, "no %s", spec ? "place for the stage" : "spec");
		return -EINVAL;
	}
	if (!in_dim || in_dim > EDGEAI_STAGE_MAX_DIM) {
		edgeai__stage_errf(&err, "in_dim %u is out of range 1..%u", in_dim,
				   EDGEAI_STAGE_MAX_DIM);
		return -EINVAL;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		edgeai__stage_errf(&err, "out of memory");
		return -ENOMEM;
	}
	st->in_dim = in_dim;
	rc = edgeai__stage_parse(st, spec, &err);
	if (rc)
		goto fail;
	rc = alloc_state(st, o.max_keys, &err);
	if (rc)
		goto fail;
	st->stats.sz = sizeof(st->stats);
	*stagep = st;
	return 0;
fail:
	edgeai_stage_free(st);
	return rc;
}

void edgeai_stage_free(struct edgeai_stage *st)
{
	if (!st)
		return;
	free(st->keys.slots);
	free(st->keys.ids);
	free(st->mean);
	free(st->count);
	free(st->last);
	free(st->ring);
	free(st->p0);
	free(st->p1);
	free(st->comp);
	free(st->scratch);
	free(st->file);
	free(st);
}

const char *edgeai_stage_name(const struct edgeai_stage *st)
{
	return st ? edgeai__stage_kind_name(st->kind) : NULL;
}

uint32_t edgeai_stage_in_dim(const struct edgeai_stage *st)
{
	return st ? st->in_dim : 0;
}

uint32_t edgeai_stage_out_dim(const struct edgeai_stage *st)
{
	return st ? st->out_dim : 0;
}

void edgeai_stage_reset(struct edgeai_stage *st)
{
	size_t used;

	if (!st || !st->keyed)
		return;
	used = (size_t)st->keys.used * st->in_dim;
	memset(st->keys.slots, 0, ((size_t)st->keys.mask + 1) *
	       sizeof(*st->keys.slots));
	if (st->mean)
		memset(st->mean, 0, used * sizeof(*st->mean));
	if (st->last)
		memset(st->last, 0, used * sizeof(*st->last));
	if (st->kind == STAGE_WINDOW)
		memset(st->count, 0, st->keys.used * sizeof(*st->count));
	else if (st->count)
		memset(st->count, 0, used * sizeof(*st->count));
	/* The window ring needs no clearing: counts say what is valid. */
	st->keys.used = 0;
	st->keys.last_idx = 0;
}

/* @out may be @x itself when rows do not grow; no other overlap. */
static int bad_overlap(const struct edgeai_stage *st, const float *x,
		       uint32_t n, const float *out)
{
	uintptr_t xa = (uintptr_t)x, oa = (uintptr_t)out;
	uintptr_t xb = xa + (uintptr_t)n * st->in_dim * sizeof(float);
	uintptr_t ob = oa + (uintptr_t)n * st->out_dim * sizeof(float);

	if (ob <= xa || xb <= oa)
		return 0;
	return !(x == out && st->out_dim <= st->in_dim);
}

int edgeai_stage_run(struct edgeai_stage *st, const float *x, uint32_t n,
		     uint32_t *keys, uint32_t *ids, float *out)
{
	uint32_t m = 0;

	if (!st || n > INT32_MAX)
		return -EINVAL;
	if (n && (!x || !out || bad_overlap(st, x, n, out)))
		return -EINVAL;
	switch (st->kind) {
	case STAGE_CLEAN:
		m = edgeai__stage_run_clean(st, x, n, keys, ids, out);
		break;
	case STAGE_WINDOW:
		m = edgeai__stage_run_window(st, x, n, keys, ids, out);
		break;
	case STAGE_ZSCORE:
	case STAGE_SCALE:
		m = edgeai__stage_run_affine(st, x, n, out);
		break;
	case STAGE_PCA:
		m = edgeai__stage_run_pca(st, x, n, out);
		break;
	}
	st->stats.runs++;
	st->stats.rows_in += n;
	st->stats.rows_out += m;
	return (int)m;
}

int edgeai_stage_stats(const struct edgeai_stage *st,
		       struct edgeai_stage_stats *stats)
{
	struct edgeai_stage_stats s;
	size_t len;

	if (!st || !stats || stats->sz < sizeof(size_t))
		return -EINVAL;
	s = st->stats;
	s.keys = st->keys.used;
	s.max_keys = st->keys.cap;
	len = stats->sz < sizeof(s) ? stats->sz : sizeof(s);
	s.sz = len;
	memcpy(stats, &s, len);
	return 0;
}

int edgeai_stage_chain_dims(struct edgeai_stage *const *stages,
			    uint32_t count, uint32_t *out_dim,
			    uint32_t *max_dim)
{
	uint32_t i, mx;

	if (!stages || !count || !stages[0])
		return -EINVAL;
	mx = stages[0]->in_dim;
	for (i = 0; i < count; i++) {
		if (!stages[i] ||
		    (i && stages[i]->in_dim != stages[i - 1]->out_dim))
			return -EINVAL;
		if (stages[i]->out_dim > mx)
			mx = stages[i]->out_dim;
	}
	if (out_dim)
		*out_dim = stages[count - 1]->out_dim;
	if (max_dim)
		*max_dim = mx;
	return 0;
}

int edgeai_stage_chain_run(struct edgeai_stage *const *stages,
			   uint32_t count, const float *x, uint32_t n,
			   uint32_t *keys, uint32_t *ids, float *buf_a,
			   float *buf_b, float **outp)
{
	const float *cur = x;
	float *dst;
	uint32_t i;
	int rc;

	rc = edgeai_stage_chain_dims(stages, count, NULL, NULL);
	if (rc)
		return rc;
	if (!outp || !buf_a || !buf_b || buf_a == buf_b || (n && !x) ||
	    n > INT32_MAX)
		return -EINVAL;
	dst = x == buf_a ? buf_b : buf_a;
	*outp = dst;
	rc = (int)n;
	for (i = 0; i < count && rc > 0; i++) {
		rc = edgeai_stage_run(stages[i], cur, (uint32_t)rc, keys, ids,
				      dst);
		if (rc < 0)
			return rc;
		*outp = dst;
		cur = dst;
		dst = dst == buf_a ? buf_b : buf_a;
	}
	return rc;
}
