// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Stage specs: "NAME[:KEY=VALUE[,KEY=VALUE...]]", list values separated
 * by '|' (docs/stages.md). The parser reads the caller's string in place,
 * never past its NUL, and names the key and value of every error; the
 * printer writes the canonical spec the parser reads back unchanged.
 * Parameters from a model file (file=) are read by stage_file.c once the
 * whole spec is parsed.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <edgeai/model.h>

#include "stage_int.h"

/* Longest value quoted in a message, and longest number parsed. */
#define QUOTE_MAX	40
#define NUM_MAX		63

enum spec_key {
	KEY_POLICY, KEY_N, KEY_FEATURES, KEY_EMIT, KEY_MEAN, KEY_STD,
	KEY_MUL, KEY_ADD, KEY_FILE, KEY_OP, KEY_COUNT,
};

static const char *const key_names[KEY_COUNT] = {
	[KEY_POLICY] = "policy", [KEY_N] = "n", [KEY_FEATURES] = "features",
	[KEY_EMIT] = "emit", [KEY_MEAN] = "mean", [KEY_STD] = "std",
	[KEY_MUL] = "mul", [KEY_ADD] = "add", [KEY_FILE] = "file",
	[KEY_OP] = "op",
};

static const struct {
	const char *name;
	enum stage_kind kind;
	uint32_t keys;		/* bit mask of enum spec_key */
	const char *key_list;	/* for messages */
} kinds[] = {
	{ "clean", STAGE_CLEAN, 1u << KEY_POLICY, "policy" },
	{ "window", STAGE_WINDOW,
	  1u << KEY_N | 1u << KEY_FEATURES | 1u << KEY_EMIT,
	  "n, features, emit" },
	{ "zscore", STAGE_ZSCORE,
	  1u << KEY_MEAN | 1u << KEY_STD | 1u << KEY_FILE | 1u << KEY_OP,
	  "mean, std, file, op" },
	{ "scale", STAGE_SCALE, 1u << KEY_MUL | 1u << KEY_ADD, "mul, add" },
	{ "pca", STAGE_PCA, 1u << KEY_FILE | 1u << KEY_OP, "file, op" },
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static const char *const policy_names[] = {
	[CLEAN_DROP] = "drop", [CLEAN_IMPUTE_MEAN] = "impute-mean",
	[CLEAN_IMPUTE_LAST] = "impute-last", [CLEAN_IMPUTE_ZERO] = "impute-zero",
};

static const char *const feat_names[FEAT_COUNT] = {
	[FEAT_MEAN] = "mean", [FEAT_VAR] = "var", [FEAT_MIN] = "min",
	[FEAT_MAX] = "max", [FEAT_RMS] = "rms", [FEAT_SLOPE] = "slope",
};

/* A piece of the spec: not NUL-terminated. */
struct tok {
	const char *s;
	size_t len;
};

/* Arguments of printf for a token, cut to QUOTE_MAX characters. */
#define TOK(t)	(int)((t).len > QUOTE_MAX ? QUOTE_MAX : (t).len), (t).s, \
		(t).len > QUOTE_MAX ? "..." : ""

void edgeai__stage_errf(struct stage_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err || !err->buf || !err->len)
		return;
	va_start(ap, fmt);
	vsnprintf(err->buf, err->len, fmt, ap);
	va_end(ap);
}

const char *edgeai__stage_kind_name(enum stage_kind kind)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "?";
}

static int tok_is(struct tok t, const char *word)
{
	return strlen(word) == t.len && !memcmp(t.s, word, t.len);
}

/* Index of @t in @names (n of them, NULL holes allowed), or -1. */
static int tok_find(struct tok t, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && tok_is(t, names[i]))
			return i;
	return -1;
}

/*
 * Take the piece of @t before the first @sep into @head and leave the rest
 * after it in @t. Returns whether a separator followed (another piece,
 * maybe empty, comes next).
 */
static bool tok_next(struct tok *t, char sep, struct tok *head)
{
	const char *p = memchr(t->s, sep, t->len);

	*head = *t;
	if (!p) {
		t->s += t->len;
		t->len = 0;
		return false;
	}
	head->len = (size_t)(p - t->s);
	t->len -= head->len + 1;
	t->s = p + 1;
	return true;
}

static int parse_uint(struct tok v, uint32_t lo, uint32_t hi, uint32_t *out,
		      const char *key, struct stage_err *err)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < v.len; i++) {
		if (v.s[i] < '0' || v.s[i] > '9') {
			edgeai__stage_errf(err, "key '%s': '%.*s%s' is not an unsigned integer",
					   key, TOK(v));
			return -EINVAL;
		}
		n = n * 10 + (uint64_t)(v.s[i] - '0');
		if (n > hi)
			break;
	}
	if (n < lo || n > hi) {
		edgeai__stage_errf(err, "key '%s': %.*s%s is out of range %u..%u",
				   key, TOK(v), lo, hi);
		return -EINVAL;
	}
	*out = (uint32_t)n;
	return 0;
}

/* One finite float32 value; strtod() needs a NUL, so copy it first. */
static int parse_float(struct tok v, float *out, const char *key,
		       struct stage_err *err)
{
	char buf[NUM_MAX + 1];
	char *end;
	double d;

	if (v.len > NUM_MAX) {
		edgeai__stage_errf(err, "key '%s': '%.*s%s' is too long for a number (%d characters at most)",
				   key, TOK(v), NUM_MAX);
		return -EINVAL;
	}
	/* strtod() would skip leading white space: refuse it. */
	if (!v.len || v.s[0] == ' ' ||
	    (v.s[0] >= '\t' && v.s[0] <= '\r')) {
		edgeai__stage_errf(err, "key '%s': '%.*s%s' is not a number", key,
				   TOK(v));
		return -EINVAL;
	}
	memcpy(buf, v.s, v.len);
	buf[v.len] = '\0';
	d = strtod(buf, &end);
	if (end == buf || *end) {
		edgeai__stage_errf(err, "key '%s': '%.*s%s' is not a number", key,
				   TOK(v));
		return -EINVAL;
	}
	/* Finite once rounded to float32 (so FLT_MAX printed reads back). */
	*out = (float)d;
	if (!isfinite(*out)) {
		edgeai__stage_errf(err, "key '%s': '%.*s%s' is not a finite float32",
				   key, TOK(v));
		return -EINVAL;
	}
	return 0;
}

/*
 * A list of 1 or in_dim floats into @dst (in_dim of them: one value is
 * broadcast). @positive: each must be > 0 (std).
 */
static int parse_floats(struct edgeai_stage *st, struct tok v, float *dst,
			const char *key, int positive, struct stage_err *err)
{
	uint32_t count = 0, c;
	struct tok item;
	bool more;
	float f;
	int rc;

	do {
		more = tok_next(&v, '|', &item);
		rc = parse_float(item, &f, key, err);
		if (rc)
			return rc;
		if (positive && !(f > 0)) {
			edgeai__stage_errf(err, "key '%s': value %u ('%.*s%s') must be > 0",
					   key, count + 1, TOK(item));
			return -EINVAL;
		}
		if (count < st->in_dim)
			dst[count] = f;
		count++;
	} while (more);
	if (count != 1 && count != st->in_dim) {
		edgeai__stage_errf(err, "key '%s': %u values, expected 1 or %u (in_dim)",
				   key, count, st->in_dim);
		return -EINVAL;
	}
	for (c = 1; count == 1 && c < st->in_dim; c++)
		dst[c] = dst[0];
	return 0;
}

/* A path: taken as it is (it cannot hold ','), kept for the spec. */
static int parse_file(struct edgeai_stage *st, struct tok v,
		      struct stage_err *err)
{
	if (v.len >= PATH_MAX) {
		edgeai__stage_errf(err, "key 'file': '%.*s%s' is too long for a path (%d characters at most)",
				   TOK(v), PATH_MAX - 1);
		return -EINVAL;
	}
	st->file = strndup(v.s, v.len);
	if (!st->file) {
		edgeai__stage_errf(err, "out of memory for the path");
		return -ENOMEM;
	}
	return 0;
}

static int parse_features(struct edgeai_stage *st, struct tok v,
			  struct stage_err *err)
{
	uint32_t seen = 0;
	struct tok item;
	bool more;
	int f;

	st->nfeat = 0;
	do {
		more = tok_next(&v, '|', &item);
		f = tok_find(item, feat_names, FEAT_COUNT);
		if (f < 0) {
			edgeai__stage_errf(err, "key 'features': unknown feature '%.*s%s' (features: mean, var, min, max, rms, slope)",
					   TOK(item));
			return -EINVAL;
		}
		if (seen & 1u << f) {
			edgeai__stage_errf(err, "key 'features': '%s' listed twice",
					   feat_names[f]);
			return -EINVAL;
		}
		seen |= 1u << f;
		st->feat[st->nfeat++] = (uint8_t)f;
	} while (more);
	return 0;
}

static int parse_word(struct tok v, const char *const *names, int n,
		      const char *key, const char *choices, int *out,
		      struct stage_err *err)
{
	int i = tok_find(v, names, n);

	if (i < 0) {
		edgeai__stage_errf(err, "key '%s': unknown value '%.*s%s' (values: %s)",
				   key, TOK(v), choices);
		return -EINVAL;
	}
	*out = i;
	return 0;
}

static int parse_value(struct edgeai_stage *st, enum spec_key key,
		       struct tok v, struct stage_err *err)
{
	static const char *const emit_names[] = { "always", "full" };
	const char *name = key_names[key];
	int i = 0, rc;

	switch (key) {
	case KEY_POLICY:
		rc = parse_word(v, policy_names, 4, name,
				"drop, impute-mean, impute-last, impute-zero",
				&i, err);
		st->policy = (enum clean_policy)i;
		return rc;
	case KEY_N:
		return parse_uint(v, 1, EDGEAI_STAGE_MAX_WINDOW, &st->win_n,
				  name, err);
	case KEY_FEATURES:
		return parse_features(st, v, err);
	case KEY_EMIT:
		rc = parse_word(v, emit_names, 2, name, "always, full", &i, err);
		st->emit_full = i == 1;
		return rc;
	case KEY_MEAN:
	case KEY_MUL:
		return parse_floats(st, v, st->p0, name, 0, err);
	case KEY_STD:
		return parse_floats(st, v, st->p1, name, 1, err);
	case KEY_ADD:
		return parse_floats(st, v, st->p1, name, 0, err);
	case KEY_FILE:
		return parse_file(st, v, err);
	case KEY_OP:
		st->op_given = true;
		return parse_uint(v, 0, EDGEAI_MODEL_MAX_OPS - 1, &st->op,
				  name, err);
	default:
		return -EINVAL;
	}
}

/* One "KEY=VALUE" of a stage of kinds[@k]. */
static int parse_param(struct edgeai_stage *st, size_t k, struct tok param,
		       uint32_t *seen, struct stage_err *err)
{
	struct tok name;
	int key;

	if (!param.len) {
		edgeai__stage_errf(err, "stage '%s': empty parameter (a stray ',' or ':')",
				   kinds[k].name);
		return -EINVAL;
	}
	if (!memchr(param.s, '=', param.len)) {
		edgeai__stage_errf(err, "stage '%s': parameter '%.*s%s' has no '=VALUE'",
				   kinds[k].name, TOK(param));
		return -EINVAL;
	}
	tok_next(&param, '=', &name);
	key = tok_find(name, key_names, KEY_COUNT);
	if (key < 0 || !(kinds[k].keys & 1u << key)) {
		edgeai__stage_errf(err, "stage '%s' has no key '%.*s%s' (keys: %s)",
				   kinds[k].name, TOK(name), kinds[k].key_list);
		return -EINVAL;
	}
	if (*seen & 1u << key) {
		edgeai__stage_errf(err, "stage '%s': key '%s' given twice",
				   kinds[k].name, key_names[key]);
		return -EINVAL;
	}
	*seen |= 1u << key;
	if (!param.len) {
		edgeai__stage_errf(err, "stage '%s': key '%s' has an empty value",
				   kinds[k].name, key_names[key]);
		return -EINVAL;
	}
	return parse_value(st, (enum spec_key)key, param, err);
}

static int find_kind(struct tok name, size_t *k, struct stage_err *err)
{
	for (*k = 0; *k < NKINDS; (*k)++)
		if (tok_is(name, kinds[*k].name))
			return 0;
	edgeai__stage_errf(err, "unknown stage '%.*s%s' (stages: clean, window, zscore, scale, pca)",
			   TOK(name));
	return -EINVAL;
}

/* Defaults, and the parameter arrays of zscore, scale and pca (mean). */
static int init_kind(struct edgeai_stage *st, struct stage_err *err)
{
	uint32_t c;

	st->policy = CLEAN_DROP;
	st->emit_full = false;
	for (c = 0; c < FEAT_COUNT; c++)
		st->feat[c] = (uint8_t)c;
	st->nfeat = FEAT_COUNT;
	if (st->kind != STAGE_ZSCORE && st->kind != STAGE_SCALE &&
	    st->kind != STAGE_PCA)
		return 0;
	st->p0 = calloc(st->in_dim, sizeof(float));
	if (st->kind != STAGE_PCA)
		st->p1 = calloc(st->in_dim, sizeof(float));
	if (!st->p0 || (st->kind != STAGE_PCA && !st->p1)) {
		edgeai__stage_errf(err, "out of memory for %u parameters", st->in_dim);
		return -ENOMEM;
	}
	for (c = 0; c < st->in_dim; c++)
		st->p0[c] = 1.0f;	/* scale: mul = 1, add = 0 */
	return 0;
}

/* file= excludes the keys it replaces; op= needs file=. */
static int check_file_keys(const struct edgeai_stage *st, uint32_t seen,
			   struct stage_err *err)
{
	const char *name = edgeai__stage_kind_name(st->kind);
	int key;

	if (!(seen & 1u << KEY_FILE)) {
		if (!(seen & 1u << KEY_OP))
			return 0;
		edgeai__stage_errf(err, "stage '%s': key 'op' needs key 'file'",
				   name);
		return -EINVAL;
	}
	for (key = KEY_MEAN; key <= KEY_STD; key++) {
		if (!(seen & 1u << key))
			continue;
		edgeai__stage_errf(err, "stage '%s': key 'file' and key '%s' exclude each other (statistics come from the file or from the spec)",
				   name, key_names[key]);
		return -EINVAL;
	}
	return 0;
}

static int check_required(const struct edgeai_stage *st, uint32_t seen,
			  struct stage_err *err)
{
	const char *missing = NULL;
	int rc = check_file_keys(st, seen, err);

	if (rc)
		return rc;
	if (st->kind == STAGE_WINDOW && !(seen & 1u << KEY_N))
		missing = "key 'n'";
	else if (st->kind == STAGE_ZSCORE && !st->file &&
		 !(seen & 1u << KEY_MEAN))
		missing = "key 'mean' (or 'file')";
	else if (st->kind == STAGE_ZSCORE && !st->file &&
		 !(seen & 1u << KEY_STD))
		missing = "key 'std'";
	else if (st->kind == STAGE_SCALE && !seen)
		missing = "key 'mul' or 'add'";
	else if (st->kind == STAGE_PCA && !st->file)
		missing = "key 'file'";
	if (!missing)
		return 0;
	edgeai__stage_errf(err, "stage '%s' needs %s", edgeai__stage_kind_name(st->kind),
			   missing);
	return -EINVAL;
}

/* pca: out_dim is the file's component count (stage_file.c). */
static void set_out_dim(struct edgeai_stage *st)
{
	if (st->kind == STAGE_PCA)
		return;
	st->out_dim = st->in_dim;
	st->keyed = false;
	if (st->kind == STAGE_CLEAN)
		st->keyed = st->policy == CLEAN_IMPUTE_MEAN ||
			    st->policy == CLEAN_IMPUTE_LAST;
	if (st->kind != STAGE_WINDOW)
		return;
	st->keyed = true;
	st->out_dim = st->in_dim * st->nfeat;
}

int edgeai__stage_parse(struct edgeai_stage *st, const char *spec,
		struct stage_err *err)
{
	struct tok rest = { spec, strlen(spec) };
	struct tok name, param;
	bool more;
	uint32_t seen = 0;
	size_t k;
	int rc;

	more = tok_next(&rest, ':', &name);
	rc = find_kind(name, &k, err);
	if (rc)
		return rc;
	st->kind = kinds[k].kind;
	rc = init_kind(st, err);
	if (rc)
		return rc;
	/* After "NAME:", at least one parameter; no empty one. */
	while (more) {
		more = tok_next(&rest, ',', &param);
		rc = parse_param(st, k, param, &seen, err);
		if (rc)
			return rc;
	}
	rc = check_required(st, seen, err);
	if (rc)
		return rc;
	if (st->file) {
		rc = edgeai__stage_load_file(st, err);
		if (rc)
			return rc;
	}
	set_out_dim(st);
	return 0;
}

/* snprintf() into a buffer that may run out: remembers the full length. */
struct spec_out {
	char *buf;
	size_t len;
	size_t pos;
};

static void __attribute__((format(printf, 2, 3)))
out_printf(struct spec_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->pos < o->len ? o->buf + o->pos : NULL,
		      o->pos < o->len ? o->len - o->pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

static void out_floats(struct spec_out *o, const char *key, const float *v,
		       uint32_t n)
{
	uint32_t c;

	out_printf(o, "%s=", key);
	for (c = 0; c < n; c++)
		out_printf(o, "%s%.9g", c ? "|" : "", (double)v[c]);
}

int edgeai_stage_spec(const struct edgeai_stage *st, char *buf, size_t len)
{
	struct spec_out o = { buf, buf ? len : 0, 0 };
	uint32_t f;

	if (!st)
		return -EINVAL;
	if (o.len)
		buf[0] = '\0';
	out_printf(&o, "%s:", edgeai__stage_kind_name(st->kind));
	switch (st->kind) {
	case STAGE_CLEAN:
		out_printf(&o, "policy=%s", policy_names[st->policy]);
		break;
	case STAGE_WINDOW:
		out_printf(&o, "n=%u,features=", st->win_n);
		for (f = 0; f < st->nfeat; f++)
			out_printf(&o, "%s%s", f ? "|" : "",
				   feat_names[st->feat[f]]);
		out_printf(&o, ",emit=%s", st->emit_full ? "full" : "always");
		break;
	case STAGE_ZSCORE:
	case STAGE_SCALE:
	case STAGE_PCA:
		if (st->file) {
			out_printf(&o, "file=%s,op=%u", st->file, st->op);
			break;
		}
		out_floats(&o, st->kind == STAGE_ZSCORE ? "mean" : "mul",
			   st->p0, st->in_dim);
		out_printf(&o, ",");
		out_floats(&o, st->kind == STAGE_ZSCORE ? "std" : "add",
			   st->p1, st->in_dim);
		break;
	}
	return o.pos > INT32_MAX ? -EOVERFLOW : (int)o.pos;
}
