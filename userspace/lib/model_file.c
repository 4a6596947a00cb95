// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Loading model files (docs/model-format.md): a safetensors container
 * whose __metadata__ holds the edgeai graph. Every length, offset, shape
 * and value is checked before use, against the copy the model keeps, so
 * nothing a file says (or a later change to it) can make the runtime read
 * out of bounds. Errors are -EBADMSG (invalid file), -EPROTONOSUPPORT (a
 * valid file needing what this library lacks), -EFBIG, -ENOMEM, with a
 * message naming the tensor or op.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "model_int.h"

/* safetensors dtypes: the container accepts them all, the graph F32. */
static const struct {
	const char *name;
	uint32_t size;
} st_dtypes[] = {
	{ "F32", 4 }, { "F64", 8 }, { "F16", 2 }, { "BF16", 2 },
	{ "I64", 8 }, { "I32", 4 }, { "I16", 2 }, { "I8", 1 },
	{ "U64", 8 }, { "U32", 4 }, { "U16", 2 }, { "U8", 1 },
	{ "BOOL", 1 }, { "F8_E4M3", 1 }, { "F8_E5M2", 1 },
};

/* What one load needs along the way. */
struct ld {
	const unsigned char *buf;
	size_t len;
	char *err;
	size_t errlen;
	json_object *hdr;	/* the parsed header */
	json_object *graph;	/* the parsed edgeai.graph */
	size_t data_off, data_len;
	struct edgeai_model *m;
};

/* A tensor entry of the header, checked against the data section. */
struct tensor {
	const char *name;
	const char *dtype;
	uint32_t esize;
	uint32_t rank;
	uint64_t shape[EDGEAI_MODEL_MAX_RANK];
	uint64_t count;
	uint64_t begin, end;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct ld *ld, int err, const char *fmt, ...)
{
	va_list ap;

	if (ld->err && ld->errlen) {
		va_start(ap, fmt);
		vsnprintf(ld->err, ld->errlen, fmt, ap);
		va_end(ap);
	}
	return -err;
}

static void fmt_shape(char *buf, size_t len, const uint64_t *shape,
		      uint32_t rank)
{
	size_t off = 0;
	uint32_t i;

	off += snprintf(buf, len, "[");
	for (i = 0; i < rank && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%llu", i ? "," : "",
				(unsigned long long)shape[i]);
	if (off < len)
		snprintf(buf + off, len - off, "]");
}

/* A JSON integer in [0, max]. */
static bool json_uint(json_object *o, uint64_t max, uint64_t *v)
{
	int64_t x;

	if (!json_object_is_type(o, json_type_int))
		return false;
	x = json_object_get_int64(o);
	if (x < 0 || (uint64_t)x > max)
		return false;
	*v = (uint64_t)x;
	return true;
}

/* A JSON string without NUL bytes, or NULL. */
static const char *json_str(json_object *o)
{
	const char *s;

	if (!json_object_is_type(o, json_type_string))
		return NULL;
	s = json_object_get_string(o);
	if (strlen(s) != (size_t)json_object_get_string_len(o))
		return NULL;
	return s;
}

/*
 * Offset of a byte that RFC 8259 JSON cannot have where it is but
 * json-c's strict mode takes ('single-quoted' keys, NaN, Infinity, raw
 * control characters in strings), or @len.
 */
static size_t json_nonstandard(const char *s, size_t len)
{
	bool in_str = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (in_str) {
			if ((unsigned char)s[i] < 0x20)
				return i;
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = false;
		} else if (s[i] == '"') {
			in_str = true;
		} else if (!s[i] ||
			   !strchr("{}[],: \t\r\n0123456789+-.eEtruefalsn", s[i])) {
			return i;
		}
	}
	return len;
}

static int parse_json(struct ld *ld, const char *s, size_t len, int depth,
		      const char *what, json_object **out)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *o;
	size_t end = json_nonstandard(s, len);

	if (end < len)
		return fail(ld, EBADMSG, "%s: bad JSON at byte %zu: unexpected character",
			    what, end);
	tok = json_tokener_new_ex(depth);
	if (!tok)
		return fail(ld, ENOMEM, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
			       JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!o || jerr != json_tokener_success) {
		json_object_put(o);
		if (jerr == json_tokener_continue)
			return fail(ld, EBADMSG, "%s: JSON ends too early", what);
		return fail(ld, EBADMSG, "%s: bad JSON at byte %zu: %s", what,
			    end, json_tokener_error_desc(jerr));
	}
	for (; end < len; end++) {
		if (!strchr(" \t\r\n", s[end])) {
			json_object_put(o);
			return fail(ld, EBADMSG, "%s: bytes after the JSON at byte %zu",
				    what, end);
		}
	}
	*out = o;
	return 0;
}

static int tensor_dtype(struct ld *ld, struct tensor *t, json_object *o)
{
	const char *s = json_str(o);
	size_t i;

	if (!s)
		return fail(ld, EBADMSG, "tensor '%s': dtype is not a string",
			    t->name);
	for (i = 0; i < sizeof(st_dtypes) / sizeof(st_dtypes[0]); i++) {
		if (!strcmp(s, st_dtypes[i].name)) {
			t->dtype = st_dtypes[i].name;
			t->esize = st_dtypes[i].size;
			return 0;
		}
	}
	return fail(ld, EBADMSG, "tensor '%s': unknown dtype '%.32s'", t->name, s);
}

static int tensor_shape(struct ld *ld, struct tensor *t, json_object *o)
{
	size_t i, n;

	if (!json_object_is_type(o, json_type_array))
		return fail(ld, EBADMSG, "tensor '%s': shape is not an array",
			    t->name);
	n = json_object_array_length(o);
	if (n > EDGEAI_MODEL_MAX_RANK)
		return fail(ld, EBADMSG, "tensor '%s': rank %zu is over %d",
			    t->name, n, EDGEAI_MODEL_MAX_RANK);
	t->rank = (uint32_t)n;
	t->count = 1;
	for (i = 0; i < n; i++) {
		if (!json_uint(json_object_array_get_idx(o, i), UINT32_MAX,
			       &t->shape[i]))
			return fail(ld, EBADMSG, "tensor '%s': shape[%zu] is not an integer in 0..%u",
				    t->name, i, UINT32_MAX);
		if (__builtin_mul_overflow(t->count, t->shape[i], &t->count))
			return fail(ld, EBADMSG, "tensor '%s': the element count overflows",
				    t->name);
	}
	return 0;
}

static int tensor_offsets(struct ld *ld, struct tensor *t, json_object *o)
{
	uint64_t bytes;

	if (!json_object_is_type(o, json_type_array) ||
	    json_object_array_length(o) != 2 ||
	    !json_uint(json_object_array_get_idx(o, 0), UINT64_MAX, &t->begin) ||
	    !json_uint(json_object_array_get_idx(o, 1), UINT64_MAX, &t->end))
		return fail(ld, EBADMSG, "tensor '%s': data_offsets is not [begin, end] of integers >= 0",
			    t->name);
	if (t->begin > t->end)
		return fail(ld, EBADMSG, "tensor '%s': data_offsets [%llu,%llu] end before they begin",
			    t->name, (unsigned long long)t->begin,
			    (unsigned long long)t->end);
	if (t->end > ld->data_len)
		return fail(ld, EBADMSG, "tensor '%s': data_offsets [%llu,%llu] are not inside the %zu-byte data section",
			    t->name, (unsigned long long)t->begin,
			    (unsigned long long)t->end, ld->data_len);
	if (__builtin_mul_overflow(t->count, t->esize, &bytes) ||
	    bytes != t->end - t->begin)
		return fail(ld, EBADMSG, "tensor '%s': %s shape holds %llu elements but data_offsets span %llu bytes",
			    t->name, t->dtype, (unsigned long long)t->count,
			    (unsigned long long)(t->end - t->begin));
	return 0;
}

/* Parse and check one header entry (not __metadata__). */
static int tensor_parse(struct ld *ld, const char *name, json_object *o,
			struct tensor *t)
{
	json_object *dtype = NULL, *shape = NULL, *offs = NULL;
	int ret;

	memset(t, 0, sizeof(*t));
	t->name = name;
	if (!json_object_is_type(o, json_type_object))
		return fail(ld, EBADMSG, "tensor '%s': not a JSON object", name);
	json_object_object_foreach(o, key, val) {
		if (!strcmp(key, "dtype"))
			dtype = val;
		else if (!strcmp(key, "shape"))
			shape = val;
		else if (!strcmp(key, "data_offsets"))
			offs = val;
		else
			return fail(ld, EBADMSG, "tensor '%s': unknown field '%.32s'",
				    name, key);
	}
	if (!dtype || !shape || !offs)
		return fail(ld, EBADMSG, "tensor '%s': needs dtype, shape and data_offsets",
			    name);
	ret = tensor_dtype(ld, t, dtype);
	if (!ret)
		ret = tensor_shape(ld, t, shape);
	if (!ret)
		ret = tensor_offsets(ld, t, offs);
	return ret;
}

static int cmp_range(const void *a, const void *b)
{
	const struct tensor *x = a, *y = b;

	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

/* The tensors tile the data section: no overlap, no hole (polyglots). */
static int check_tiling(struct ld *ld, struct tensor *ts, size_t n)
{
	uint64_t at = 0;
	size_t i;

	qsort(ts, n, sizeof(*ts), cmp_range);
	for (i = 0; i < n; i++) {
		if (ts[i].begin < at)
			return fail(ld, EBADMSG, "tensor '%s': data_offsets [%llu,%llu] overlap tensor '%s'",
				    ts[i].name, (unsigned long long)ts[i].begin,
				    (unsigned long long)ts[i].end, ts[i - 1].name);
		if (ts[i].begin > at)
			break;
		at = ts[i].end;
	}
	if (at != ld->data_len)
		return fail(ld, EBADMSG, "data section bytes %llu..%llu belong to no tensor",
			    (unsigned long long)at,
			    (unsigned long long)(i < n ? ts[i].begin : ld->data_len));
	return 0;
}

static int parse_tensors(struct ld *ld)
{
	size_t n = 0, cap = (size_t)json_object_object_length(ld->hdr);
	struct tensor *ts = calloc(cap ? cap : 1, sizeof(*ts));
	int ret = 0;

	if (!ts)
		return fail(ld, ENOMEM, "out of memory");
	json_object_object_foreach(ld->hdr, key, val) {
		if (!strcmp(key, "__metadata__"))
			continue;
		ret = tensor_parse(ld, key, val, &ts[n++]);
		if (ret)
			goto out;
	}
	ret = check_tiling(ld, ts, n);
out:
	free(ts);
	return ret;
}

static int parse_meta(struct ld *ld)
{
	struct edgeai_model *m = ld->m;
	json_object *meta;
	size_t n;

	if (!json_object_object_get_ex(ld->hdr, "__metadata__", &meta))
		return fail(ld, EBADMSG, "not an edgeai model: no __metadata__");
	if (!json_object_is_type(meta, json_type_object))
		return fail(ld, EBADMSG, "__metadata__ is not a JSON object");
	n = (size_t)json_object_object_length(meta);
	m->meta = calloc(n ? n : 1, sizeof(*m->meta));
	if (!m->meta)
		return fail(ld, ENOMEM, "out of memory");
	json_object_object_foreach(meta, key, val) {
		const char *s = json_str(val);
		struct model_meta *e = &m->meta[m->n_meta];

		if (!s)
			return fail(ld, EBADMSG, "__metadata__ '%.64s' is not a string",
				    key);
		e->key = strdup(key);
		e->value = strdup(s);
		m->n_meta++;
		if (!e->key || !e->value)
			return fail(ld, ENOMEM, "out of memory");
	}
	return 0;
}

/* Split a comma-separated list of @want non-empty names. */
static int parse_names(struct ld *ld, const char *key, uint32_t want,
		       char ***namesp, uint32_t *np)
{
	const char *s = edgeai_model_meta(ld->m, key);
	uint32_t n = 1, i = 0;
	char **names, *p;
	const char *q;
	size_t len;

	if (!s)
		return 0;
	for (q = s; *q; q++)
		n += *q == ',';
	if (n != want)
		return fail(ld, EBADMSG, "%s names %u values but the graph has %u",
			    key, n, want);
	len = strlen(s);
	names = calloc(1, n * sizeof(char *) + len + 1);
	if (!names)
		return fail(ld, ENOMEM, "out of memory");
	p = memcpy(names + n, s, len + 1);
	for (i = 0; i < n; i++) {
		names[i] = p;
		p += strcspn(p, ",");
		*p++ = '\0';
		if (!*names[i]) {
			free(names);
			return fail(ld, EBADMSG, "%s: name %u is empty", key, i);
		}
	}
	*namesp = names;
	*np = n;
	return 0;
}

static int parse_header(struct ld *ld)
{
	uint64_t hlen;
	int ret;

	if (ld->len < 8)
		return fail(ld, EBADMSG, "%zu bytes: too short for the 8-byte header length",
			    ld->len);
	memcpy(&hlen, ld->buf, 8);
	if (hlen < 2 || hlen > EDGEAI_MODEL_MAX_HEADER)
		return fail(ld, EBADMSG, "header length %llu is not in 2..%llu",
			    (unsigned long long)hlen, EDGEAI_MODEL_MAX_HEADER);
	if (hlen > ld->len - 8)
		return fail(ld, EBADMSG, "header length %llu runs past the end of the file (%zu bytes)",
			    (unsigned long long)hlen, ld->len);
	if (memchr(ld->buf + 8, 0, hlen))
		return fail(ld, EBADMSG, "header: NUL byte in the JSON");
	ret = parse_json(ld, (const char *)ld->buf + 8, hlen, 4, "header",
			 &ld->hdr);
	if (ret)
		return ret;
	if (!json_object_is_type(ld->hdr, json_type_object))
		return fail(ld, EBADMSG, "header: not a JSON object");
	ld->data_off = 8 + hlen;
	ld->data_len = ld->len - ld->data_off;
	return 0;
}

static const char *meta_or(struct edgeai_model *m, const char *key,
			   const char *dflt)
{
	const char *v = edgeai_model_meta(m, key);

	return v ? v : dflt;
}

static int check_format(struct ld *ld)
{
	const char *fmt = edgeai_model_meta(ld->m, "edgeai.format");
	const char *graph = edgeai_model_meta(ld->m, "edgeai.graph");

	if (!fmt)
		return fail(ld, EBADMSG, "not an edgeai model: no edgeai.format in __metadata__");
	if (strcmp(fmt, "1"))
		return fail(ld, EPROTONOSUPPORT, "edgeai.format '%.16s' is not supported (this library reads 1)",
			    fmt);
	if (!graph)
		return fail(ld, EBADMSG, "no edgeai.graph in __metadata__");
	ld->m->name = meta_or(ld->m, "edgeai.name", "");
	ld->m->kind = meta_or(ld->m, "edgeai.kind", "custom");
	ld->m->version = meta_or(ld->m, "edgeai.version", "");
	return parse_json(ld, graph, strlen(graph), 3, "edgeai.graph",
			  &ld->graph);
}

/*
 * No tensor serves two op fields: then the checks and the packing work on
 * at most the data section once, whatever the graph (no amplification),
 * and every parameter has one meaning. Referenced tensors have elements,
 * so two of them are the same exactly when they begin at the same place.
 */
static int check_unused(struct ld *ld, uint32_t i, const struct model_op *op,
			uint32_t k, const float *p)
{
	const struct model_op *o;
	uint32_t j, f;

	for (j = 0; j <= i; j++) {
		o = &ld->m->ops[j];
		for (f = 0; f < (j == i ? k : o->n_params); f++) {
			if (o->p[f] == p)
				return fail(ld, EBADMSG, "op %u (%s): tensor '%.64s' is already op %u's %s",
					    i, model_op_desc(op->type)->name,
					    o->tensor[f], j,
					    model_op_desc(o->type)->field[f]);
		}
	}
	return 0;
}

/* Op @i's tensor for @field, checked for dtype, alignment, values. */
static int op_tensor(struct ld *ld, uint32_t i, struct model_op *op,
		     uint32_t k, const char *field, const char *tname)
{
	const char *opname = model_op_desc(op->type)->name;
	uint32_t want_rank = (op->type == EDGEAI_MODEL_OP_DENSE && k == 0) ||
			     (op->type == EDGEAI_MODEL_OP_PCA && k == 1) ? 2 : 1;
	uint64_t bad;
	json_object *o;
	struct tensor t;
	char shape[96];
	int ret;

	if (!strcmp(tname, "__metadata__") ||
	    !json_object_object_get_ex(ld->hdr, tname, &o))
		return fail(ld, EBADMSG, "op %u (%s): %s tensor '%.64s' not found",
			    i, opname, field, tname);
	ret = tensor_parse(ld, tname, o, &t);
	if (ret)
		return ret;
	fmt_shape(shape, sizeof(shape), t.shape, t.rank);
	if (strcmp(t.dtype, "F32"))
		return fail(ld, EPROTONOSUPPORT, "op %u (%s): %s '%.64s' has dtype %s; only F32 is supported",
			    i, opname, field, tname, t.dtype);
	if (t.begin % 4)
		return fail(ld, EBADMSG, "op %u (%s): %s '%.64s' begins at data offset %llu, not a multiple of 4",
			    i, opname, field, tname,
			    (unsigned long long)t.begin);
	if (t.rank != want_rank || !t.count)
		return fail(ld, EBADMSG, "op %u (%s): %s '%.64s' has shape %s; it must be %s with no 0 dimension",
			    i, opname, field, tname, shape,
			    want_rank == 2 ? "a matrix" : "a vector");
	ret = check_unused(ld, i, op, k, ld->m->data + t.begin / 4);
	if (ret)
		return ret;
	op->tensor[k] = strdup(tname);
	if (!op->tensor[k])
		return fail(ld, ENOMEM, "out of memory");
	op->p[k] = ld->m->data + t.begin / 4;
	op->rank[k] = t.rank;
	op->shape[k][0] = (uint32_t)t.shape[0];
	op->shape[k][1] = t.rank > 1 ? (uint32_t)t.shape[1] : 0;
	op->param_count += t.count;
	op->n_params = k + 1;
	bad = model_bad_value(op->p[k], t.count,
			      op->type == EDGEAI_MODEL_OP_STANDARDIZE && k == 1);
	if (bad < t.count)
		return fail(ld, EBADMSG, "op %u (%s): %s '%.64s' element %llu is %g: %s",
			    i, opname, field, tname, (unsigned long long)bad,
			    (double)op->p[k][bad],
			    isfinite(op->p[k][bad]) ? "must be > 0" :
			    "values must be finite");
	return 0;
}

static int op_activation(struct ld *ld, uint32_t i, struct model_op *op,
			 json_object *val)
{
	const char *s = json_str(val);

	if (!s)
		return fail(ld, EBADMSG, "op %u (dense): activation is not a string", i);
	if (edgeai_model_act_from_name(s, &op->act))
		return fail(ld, EPROTONOSUPPORT, "op %u (dense): unknown activation '%.32s'",
			    i, s);
	return 0;
}

/* The fields of op @i: its tensors (and a dense op's activation). */
static int op_fields(struct ld *ld, uint32_t i, struct model_op *op,
		     json_object *o)
{
	const struct model_op_desc *d = model_op_desc(op->type);
	const char *names[2] = { NULL, NULL };
	uint32_t k;
	int ret;

	json_object_object_foreach(o, key, val) {
		if (!strcmp(key, "op"))
			continue;
		if (op->type == EDGEAI_MODEL_OP_DENSE &&
		    !strcmp(key, "activation")) {
			ret = op_activation(ld, i, op, val);
			if (ret)
				return ret;
			continue;
		}
		for (k = 0; k < d->n_fields && strcmp(key, d->field[k]); k++)
			;
		if (k == d->n_fields)
			return fail(ld, EBADMSG, "op %u (%s): unknown field '%.32s'",
				    i, d->name, key);
		names[k] = json_str(val);
		if (!names[k])
			return fail(ld, EBADMSG, "op %u (%s): %s must be a tensor name (a string)",
				    i, d->name, key);
	}
	for (k = 0; k < d->n_fields; k++) {
		if (!names[k] && k == 1 && d->opt1)
			break;
		if (!names[k])
			return fail(ld, EBADMSG, "op %u (%s): no %s", i, d->name,
				    d->field[k]);
		ret = op_tensor(ld, i, op, k, d->field[k], names[k]);
		if (ret)
			return ret;
	}
	return 0;
}

static int op_type(struct ld *ld, uint32_t i, json_object *o, uint32_t *type)
{
	json_object *v;
	const char *s;
	uint32_t t;

	if (!json_object_is_type(o, json_type_object))
		return fail(ld, EBADMSG, "op %u: not a JSON object", i);
	if (!json_object_object_get_ex(o, "op", &v) || !(s = json_str(v)))
		return fail(ld, EBADMSG, "op %u: no \"op\" string", i);
	for (t = 1; model_op_desc(t); t++) {
		if (!strcmp(s, model_op_desc(t)->name)) {
			*type = t;
			return 0;
		}
	}
	return fail(ld, EPROTONOSUPPORT, "op %u: unknown op '%.32s'", i, s);
}

/* In and out dimensions of op @i from its tensors and the previous op. */
static int op_dims(struct ld *ld, uint32_t i, struct model_op *op,
		   uint32_t prev)
{
	const struct model_op_desc *d = model_op_desc(op->type);
	uint32_t in, out;

	if (!op->n_params) {
		if (!i)
			return fail(ld, EBADMSG, "op 0 (%s): the first op must have parameters (standardize, pca, scale or dense)",
				    d->name);
		op->in = op->out = prev;
		return 0;
	}
	if (op->rank[0] == 2) {		/* dense weight [out,in] */
		out = op->shape[0][0];
		in = op->shape[0][1];
	} else {
		in = out = op->shape[0][0];
		if (op->type == EDGEAI_MODEL_OP_PCA) {
			out = op->shape[1][0];
			if (op->shape[1][1] != in)
				return fail(ld, EBADMSG, "op %u (pca): components '%.64s' shape [%u,%u] does not match mean '%.64s' shape [%u]",
					    i, op->tensor[1], out, op->shape[1][1],
					    op->tensor[0], in);
		}
	}
	if (op->n_params == 2 && op->type != EDGEAI_MODEL_OP_PCA &&
	    op->shape[1][0] != out)
		return fail(ld, EBADMSG, "op %u (%s): %s '%.64s' shape [%u] does not match %s '%.64s': it must be [%u]",
			    i, d->name, d->field[1], op->tensor[1],
			    op->shape[1][0], d->field[0], op->tensor[0], out);
	if (i && in != prev)
		return fail(ld, EBADMSG, "op %u (%s): %s '%.64s' takes %u inputs but op %u (%s) gives %u",
			    i, d->name, d->field[op->type == EDGEAI_MODEL_OP_PCA],
			    op->tensor[op->type == EDGEAI_MODEL_OP_PCA], in,
			    i - 1, model_op_desc(ld->m->ops[i - 1].type)->name, prev);
	op->in = in;
	op->out = out;
	return 0;
}

static int parse_graph(struct ld *ld)
{
	struct edgeai_model *m = ld->m;
	size_t n;
	uint32_t i, dim = 0;
	int ret;

	if (!json_object_is_type(ld->graph, json_type_array))
		return fail(ld, EBADMSG, "edgeai.graph is not a JSON array");
	n = json_object_array_length(ld->graph);
	if (!n || n > EDGEAI_MODEL_MAX_OPS)
		return fail(ld, EBADMSG, "edgeai.graph has %zu ops (1..%d)", n,
			    EDGEAI_MODEL_MAX_OPS);
	m->ops = calloc(n, sizeof(*m->ops));
	if (!m->ops)
		return fail(ld, ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		struct model_op *op = &m->ops[i];
		json_object *o = json_object_array_get_idx(ld->graph, i);

		m->n_ops = i + 1;
		ret = op_type(ld, i, o, &op->type);
		if (!ret)
			ret = op_fields(ld, i, op, o);
		if (!ret)
			ret = op_dims(ld, i, op, dim);
		if (ret)
			return ret;
		if (!i)
			m->input_dim = m->max_dim = op->in;
		dim = op->out;
		if (dim > m->max_dim)
			m->max_dim = dim;
		m->params += op->param_count;
	}
	m->output_dim = dim;
	return 0;
}

static int load(struct ld *ld)
{
	struct edgeai_model *m = ld->m;
	size_t alloc;
	int ret;

	ret = parse_header(ld);
	if (ret)
		return ret;
	alloc = (ld->data_len + MODEL_ALIGN - 1) / MODEL_ALIGN * MODEL_ALIGN;
	m->data = aligned_alloc(MODEL_ALIGN, alloc ? alloc : MODEL_ALIGN);
	if (!m->data)
		return fail(ld, ENOMEM, "out of memory");
	memcpy(m->data, ld->buf + ld->data_off, ld->data_len);
	ret = parse_tensors(ld);
	if (!ret)
		ret = parse_meta(ld);
	if (!ret)
		ret = check_format(ld);
	if (!ret)
		ret = parse_graph(ld);
	if (!ret)
		ret = parse_names(ld, "edgeai.features", m->input_dim,
				  &m->in_names, &m->n_in_names);
	if (!ret)
		ret = parse_names(ld, "edgeai.outputs", m->output_dim,
				  &m->out_names, &m->n_out_names);
	if (!ret && model_pack(m))
		ret = fail(ld, ENOMEM, "out of memory");
	return ret;
}

static int load_opts(const struct edgeai_model_load_opts *opts,
		     struct edgeai_model_load_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	if (!opts)
		return 0;
	if (opts->sz < sizeof(size_t))
		return -EINVAL;
	memcpy(o, opts, opts->sz < sizeof(*o) ? opts->sz : sizeof(*o));
	if (o->err && o->errlen)
		o->err[0] = '\0';
	return 0;
}

int edgeai_model_load_mem(const void *buf, size_t len,
			  const struct edgeai_model_load_opts *opts,
			  struct edgeai_model **modelp)
{
	struct edgeai_model_load_opts o;
	struct ld ld = { .buf = buf, .len = len };
	int ret;

	ret = load_opts(opts, &o);
	if (ret || !modelp || (!buf && len))
		return -EINVAL;
	ld.err = o.err;
	ld.errlen = o.errlen;
	if (len > EDGEAI_MODEL_MAX_FILE)
		return fail(&ld, EFBIG, "%zu bytes: over the %llu-byte limit",
			    len, EDGEAI_MODEL_MAX_FILE);
	ld.m = calloc(1, sizeof(*ld.m));
	if (!ld.m)
		return fail(&ld, ENOMEM, "out of memory");
	ld.m->refs = 1;
	ld.m->size = len;
	ld.m->checksum = model_fnv1a64(buf, len);
	ret = load(&ld);
	json_object_put(ld.hdr);
	json_object_put(ld.graph);
	if (ret) {
		model_destroy(ld.m);
		return ret;
	}
	*modelp = ld.m;
	return 0;
}

static int read_all(int fd, unsigned char *buf, size_t len, size_t *got)
{
	ssize_t r;

	*got = 0;
	while (*got < len) {
		r = read(fd, buf + *got, len - *got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		*got += (size_t)r;
	}
	return 0;
}

int edgeai_model_load(const char *path,
		      const struct edgeai_model_load_opts *opts,
		      struct edgeai_model **modelp)
{
	struct edgeai_model_load_opts o;
	struct ld ld = { 0 };
	unsigned char *buf = NULL;
	struct stat st;
	size_t got;
	int fd, ret;

	ret = load_opts(opts, &o);
	if (ret || !path || !modelp)
		return -EINVAL;
	ld.err = o.err;
	ld.errlen = o.errlen;
	/* O_NONBLOCK: a FIFO must not block the open; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = errno;
		return fail(&ld, ret, "cannot open: %s", strerror(ret));
	}
	if (fstat(fd, &st)) {
		ret = errno;
		ret = fail(&ld, ret, "cannot stat: %s", strerror(ret));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = fail(&ld, EINVAL, "not a regular file");
		goto out;
	}
	if ((uint64_t)st.st_size > EDGEAI_MODEL_MAX_FILE) {
		ret = fail(&ld, EFBIG, "%lld bytes: over the %llu-byte limit",
			   (long long)st.st_size, EDGEAI_MODEL_MAX_FILE);
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		ret = fail(&ld, ENOMEM, "out of memory");
		goto out;
	}
	ret = read_all(fd, buf, (size_t)st.st_size, &got);
	if (ret)
		fail(&ld, -ret, "cannot read: %s", strerror(-ret));
	else
		ret = edgeai_model_load_mem(buf, got, &o, modelp);
out:
	free(buf);
	close(fd);
	return ret;
}
