// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Writing model files: the builder collects ops and metadata, serializes
 * them as docs/model-format.md says (tensors "op<i>.<field>" in op order,
 * header padded with spaces to a multiple of 8 bytes), checks the result
 * with the loader, and writes it atomically (temporary file, fsync,
 * rename, fsync of the directory). The same builder contents always give
 * the same bytes.
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

struct bop {
	uint32_t type, act, in, out;
	uint32_t n_params;
	float *p[2];
	uint32_t rank[2];
	uint32_t shape[2][2];
};

struct edgeai_model_builder {
	struct bop *ops;
	uint32_t n_ops;
	uint32_t dim;		/* output of the last op; 0 before the first */
	struct model_meta *meta;
	uint32_t n_meta;
	char err[EDGEAI_MODEL_ERR_LEN];
};

__attribute__((format(printf, 3, 4)))
static int bfail(struct edgeai_model_builder *b, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, sizeof(b->err), fmt, ap);
	va_end(ap);
	return -err;
}

int edgeai_model_builder_new(struct edgeai_model_builder **bp)
{
	if (!bp)
		return -EINVAL;
	*bp = calloc(1, sizeof(**bp));
	return *bp ? 0 : -ENOMEM;
}

void edgeai_model_builder_free(struct edgeai_model_builder *b)
{
	uint32_t i;

	if (!b)
		return;
	for (i = 0; i < b->n_ops; i++) {
		free(b->ops[i].p[0]);
		free(b->ops[i].p[1]);
	}
	for (i = 0; i < b->n_meta; i++) {
		free(b->meta[i].key);
		free(b->meta[i].value);
	}
	free(b->ops);
	free(b->meta);
	free(b);
}

const char *edgeai_model_builder_error(const struct edgeai_model_builder *b)
{
	return b ? b->err : "";
}

/* A new op of @type taking @in values, checked against the chain. */
static struct bop *op_new(struct edgeai_model_builder *b, uint32_t type,
			  uint32_t in, uint32_t out, int *ret)
{
	const char *name = edgeai_model_op_name(type);
	struct bop *ops;

	if (b->n_ops == EDGEAI_MODEL_MAX_OPS) {
		*ret = bfail(b, E2BIG, "%s: already %d ops", name,
			     EDGEAI_MODEL_MAX_OPS);
		return NULL;
	}
	if (!in || !out) {
		*ret = bfail(b, EINVAL, "%s: a dimension is 0", name);
		return NULL;
	}
	if (b->n_ops && in != b->dim) {
		*ret = bfail(b, EINVAL, "%s: takes %u inputs but op %u gives %u",
			     name, in, b->n_ops - 1, b->dim);
		return NULL;
	}
	ops = realloc(b->ops, (b->n_ops + 1) * sizeof(*ops));
	if (!ops) {
		*ret = bfail(b, ENOMEM, "out of memory");
		return NULL;
	}
	b->ops = ops;
	memset(&ops[b->n_ops], 0, sizeof(*ops));
	ops[b->n_ops].type = type;
	ops[b->n_ops].in = in;
	ops[b->n_ops].out = out;
	return &ops[b->n_ops];
}

/* Copy parameter @k of @op: @rows x @cols values (rank 1 if !@rows). */
static int op_param(struct edgeai_model_builder *b, struct bop *op, uint32_t k,
		    const float *v, uint32_t rows, uint32_t cols)
{
	const struct model_op_desc *d = model_op_desc(op->type);
	uint64_t n = (uint64_t)(rows ? rows : 1) * cols, bad;

	if (!v)
		return bfail(b, EINVAL, "%s: no %s", d->name, d->field[k]);
	if (n > EDGEAI_MODEL_MAX_FILE / sizeof(float))
		return bfail(b, EINVAL, "%s: %s has too many values", d->name,
			     d->field[k]);
	bad = model_bad_value(v, n, op->type == EDGEAI_MODEL_OP_STANDARDIZE &&
				    k == 1);
	if (bad < n)
		return bfail(b, EINVAL, "%s: %s[%llu] is %g: %s", d->name,
			     d->field[k], (unsigned long long)bad, (double)v[bad],
			     isfinite(v[bad]) ? "must be > 0" : "must be finite");
	op->p[k] = malloc(n * sizeof(float));
	if (!op->p[k])
		return bfail(b, ENOMEM, "out of memory");
	memcpy(op->p[k], v, n * sizeof(float));
	op->rank[k] = rows ? 2 : 1;
	op->shape[k][0] = rows ? rows : cols;
	op->shape[k][1] = rows ? cols : 0;
	op->n_params = k + 1;
	return 0;
}

/* Keep the op appended by op_new() if @ret is 0, else drop it. */
static int op_commit(struct edgeai_model_builder *b, int ret)
{
	struct bop *op = &b->ops[b->n_ops];

	if (ret) {
		free(op->p[0]);
		free(op->p[1]);
		return ret;
	}
	b->n_ops++;
	b->dim = op->out;
	b->err[0] = '\0';
	return 0;
}

static int add_pair(struct edgeai_model_builder *b, uint32_t type,
		    const float *p0, const float *p1, uint32_t dim)
{
	struct bop *op;
	int ret = 0;

	if (!b)
		return -EINVAL;
	op = op_new(b, type, dim, dim, &ret);
	if (!op)
		return ret;
	ret = op_param(b, op, 0, p0, 0, dim);
	if (!ret)
		ret = op_param(b, op, 1, p1, 0, dim);
	return op_commit(b, ret);
}

int edgeai_model_builder_add_standardize(struct edgeai_model_builder *b,
					 const float *mean, const float *std,
					 uint32_t dim)
{
	return add_pair(b, EDGEAI_MODEL_OP_STANDARDIZE, mean, std, dim);
}

int edgeai_model_builder_add_scale(struct edgeai_model_builder *b,
				   const float *mul, const float *add,
				   uint32_t dim)
{
	return add_pair(b, EDGEAI_MODEL_OP_SCALE, mul, add, dim);
}

int edgeai_model_builder_add_pca(struct edgeai_model_builder *b,
				 const float *mean, const float *components,
				 uint32_t k, uint32_t d)
{
	struct bop *op;
	int ret = 0;

	if (!b)
		return -EINVAL;
	op = op_new(b, EDGEAI_MODEL_OP_PCA, d, k, &ret);
	if (!op)
		return ret;
	ret = op_param(b, op, 0, mean, 0, d);
	if (!ret)
		ret = op_param(b, op, 1, components, k, d);
	return op_commit(b, ret);
}

int edgeai_model_builder_add_dense(struct edgeai_model_builder *b,
				   const float *weight, const float *bias,
				   uint32_t out, uint32_t in, uint32_t activation)
{
	struct bop *op;
	int ret = 0;

	if (!b)
		return -EINVAL;
	if (!edgeai_model_act_name(activation))
		return bfail(b, EINVAL, "dense: unknown activation %u", activation);
	op = op_new(b, EDGEAI_MODEL_OP_DENSE, in, out, &ret);
	if (!op)
		return ret;
	op->act = activation;
	ret = op_param(b, op, 0, weight, out, in);
	if (!ret && bias)
		ret = op_param(b, op, 1, bias, 0, out);
	return op_commit(b, ret);
}

int edgeai_model_builder_add_activation(struct edgeai_model_builder *b,
					uint32_t activation)
{
	uint32_t type = model_op_from_act(activation);
	int ret = 0;

	if (!b)
		return -EINVAL;
	if (!type)
		return bfail(b, EINVAL, "activation %u: not relu, sigmoid, tanh or softmax",
			     activation);
	if (!b->n_ops)
		return bfail(b, EINVAL, "%s: the first op must have parameters",
			     edgeai_model_op_name(type));
	if (!op_new(b, type, b->dim, b->dim, &ret))
		return ret;
	return op_commit(b, 0);
}

static int meta_find(const struct edgeai_model_builder *b, const char *key)
{
	uint32_t i;

	for (i = 0; i < b->n_meta; i++) {
		if (!strcmp(b->meta[i].key, key))
			return (int)i;
	}
	return -1;
}

static void meta_remove(struct edgeai_model_builder *b, int i)
{
	free(b->meta[i].key);
	free(b->meta[i].value);
	memmove(&b->meta[i], &b->meta[i + 1],
		(b->n_meta - (uint32_t)i - 1) * sizeof(*b->meta));
	b->n_meta--;
}

int edgeai_model_builder_set_meta(struct edgeai_model_builder *b,
				  const char *key, const char *value)
{
	struct model_meta *meta;
	char *k, *v;
	int i;

	if (!b || !key || !*key)
		return -EINVAL;
	if (!strcmp(key, "edgeai.format") || !strcmp(key, "edgeai.graph"))
		return bfail(b, EINVAL, "%s is written by the builder", key);
	i = meta_find(b, key);
	if (!value) {
		if (i >= 0)
			meta_remove(b, i);
		return 0;
	}
	v = strdup(value);
	if (!v)
		return bfail(b, ENOMEM, "out of memory");
	if (i >= 0) {
		free(b->meta[i].value);
		b->meta[i].value = v;
		return 0;
	}
	k = strdup(key);
	meta = k ? realloc(b->meta, (b->n_meta + 1) * sizeof(*meta)) : NULL;
	if (!meta) {
		free(k);
		free(v);
		return bfail(b, ENOMEM, "out of memory");
	}
	b->meta = meta;
	meta[b->n_meta].key = k;
	meta[b->n_meta++].value = v;
	return 0;
}

int edgeai_model_builder_from(const struct edgeai_model *m,
			      struct edgeai_model_builder **bp)
{
	struct edgeai_model_builder *b;
	struct edgeai_model_op_info o = { .sz = sizeof(o) };
	const char *key, *value;
	uint32_t i;
	int ret;

	if (!m || !bp)
		return -EINVAL;
	ret = edgeai_model_builder_new(&b);
	for (i = 0; !ret && i < edgeai_model_op_count(m); i++) {
		edgeai_model_op_info(m, i, &o);
		if (o.type == EDGEAI_MODEL_OP_STANDARDIZE ||
		    o.type == EDGEAI_MODEL_OP_SCALE)
			ret = add_pair(b, o.type, o.param[0], o.param[1], o.in_dim);
		else if (o.type == EDGEAI_MODEL_OP_PCA)
			ret = edgeai_model_builder_add_pca(b, o.param[0], o.param[1],
							   o.out_dim, o.in_dim);
		else if (o.type == EDGEAI_MODEL_OP_DENSE)
			ret = edgeai_model_builder_add_dense(b, o.param[0], o.param[1],
							     o.out_dim, o.in_dim,
							     o.activation);
		else
			ret = edgeai_model_builder_add_activation(b,
							model_act_of_op(o.type));
	}
	for (i = 0; !ret && !edgeai_model_meta_at(m, i, &key, &value); i++) {
		if (strcmp(key, "edgeai.format") && strcmp(key, "edgeai.graph"))
			ret = edgeai_model_builder_set_meta(b, key, value);
	}
	if (ret) {
		edgeai_model_builder_free(b);
		return ret;
	}
	*bp = b;
	return 0;
}

/* The header's JSON: __metadata__ first, then each op's tensors. */
struct ser {
	json_object *root, *meta, *graph;
	uint64_t data_len;
};

static int ser_tensor(struct ser *s, json_object *gop, uint32_t i,
		      const struct bop *op, uint32_t k)
{
	const char *field = model_op_desc(op->type)->field[k];
	json_object *t = json_object_new_object(), *shape, *offs;
	uint64_t bytes = (uint64_t)op->shape[k][0] *
			 (op->rank[k] == 2 ? op->shape[k][1] : 1) * sizeof(float);
	char name[64];
	uint32_t r;

	snprintf(name, sizeof(name), "op%u.%s", i, field);
	shape = json_object_new_array();
	offs = json_object_new_array();
	if (!t || !shape || !offs) {
		json_object_put(t);
		json_object_put(shape);
		json_object_put(offs);
		return -ENOMEM;
	}
	for (r = 0; r < op->rank[k]; r++)
		json_object_array_add(shape, json_object_new_int64(op->shape[k][r]));
	json_object_array_add(offs, json_object_new_int64((int64_t)s->data_len));
	json_object_array_add(offs, json_object_new_int64((int64_t)(s->data_len + bytes)));
	json_object_object_add(t, "dtype", json_object_new_string("F32"));
	json_object_object_add(t, "shape", shape);
	json_object_object_add(t, "data_offsets", offs);
	json_object_object_add(s->root, name, t);
	json_object_object_add(gop, field, json_object_new_string(name));
	s->data_len += bytes;
	return 0;
}

static int ser_op(struct ser *s, uint32_t i, const struct bop *op)
{
	json_object *gop = json_object_new_object();
	uint32_t k;
	int ret = 0;

	if (!gop)
		return -ENOMEM;
	json_object_object_add(gop, "op",
			       json_object_new_string(edgeai_model_op_name(op->type)));
	for (k = 0; !ret && k < op->n_params; k++)
		ret = ser_tensor(s, gop, i, op, k);
	if (op->type == EDGEAI_MODEL_OP_DENSE)
		json_object_object_add(gop, "activation",
				       json_object_new_string(edgeai_model_act_name(op->act)));
	json_object_array_add(s->graph, gop);
	return ret;
}

/* The graph as a string in __metadata__ "edgeai.graph". */
static int ser_graph(struct ser *s)
{
	const char *g = json_object_to_json_string_ext(s->graph,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	json_object *str = g ? json_object_new_string(g) : NULL;

	if (!str || json_object_object_add(s->meta, "edgeai.graph", str)) {
		json_object_put(str);
		return -ENOMEM;
	}
	return 0;
}

/* Serialize the header JSON into *@hdr (json-c owns it via s->root). */
static int ser_header(struct edgeai_model_builder *b, struct ser *s,
		      const char **hdr)
{
	uint32_t i;
	int ret = 0;

	s->root = json_object_new_object();
	s->meta = json_object_new_object();
	s->graph = json_object_new_array();
	if (!s->root || !s->meta || !s->graph) {
		json_object_put(s->meta);
		json_object_put(s->graph);
		return -ENOMEM;
	}
	json_object_object_add(s->root, "__metadata__", s->meta);
	json_object_object_add(s->meta, "edgeai.format", json_object_new_string("1"));
	for (i = 0; i < b->n_meta; i++)
		json_object_object_add(s->meta, b->meta[i].key,
				       json_object_new_string(b->meta[i].value));
	for (i = 0; !ret && i < b->n_ops; i++)
		ret = ser_op(s, i, &b->ops[i]);
	if (!ret)
		ret = ser_graph(s);
	json_object_put(s->graph);
	s->graph = NULL;
	if (ret)
		return ret;
	*hdr = json_object_to_json_string_ext(s->root, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	return *hdr ? 0 : -ENOMEM;
}

static void ser_data(const struct edgeai_model_builder *b, unsigned char *dst)
{
	uint32_t i, k;

	for (i = 0; i < b->n_ops; i++) {
		const struct bop *op = &b->ops[i];

		for (k = 0; k < op->n_params; k++) {
			size_t bytes = (size_t)op->shape[k][0] *
				       (op->rank[k] == 2 ? op->shape[k][1] : 1) *
				       sizeof(float);

			memcpy(dst, op->p[k], bytes);
			dst += bytes;
		}
	}
}

/* The loader must take what the builder writes. */
static int check_loads(struct edgeai_model_builder *b, const void *buf,
		       size_t len)
{
	struct edgeai_model_load_opts o = {
		.sz = sizeof(o), .err = b->err, .errlen = sizeof(b->err),
	};
	struct edgeai_model *m;
	int ret;

	ret = edgeai_model_load_mem(buf, len, &o, &m);
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return -EINVAL;
	edgeai_model_free(m);
	return 0;
}

int edgeai_model_builder_write_mem(struct edgeai_model_builder *b,
				   void **bufp, size_t *lenp)
{
	struct ser s = { 0 };
	const char *hdr = NULL;
	unsigned char *buf = NULL;
	uint64_t hlen, len;
	int ret;

	if (!b || !bufp || !lenp)
		return -EINVAL;
	if (!b->n_ops)
		return bfail(b, EINVAL, "no ops");
	ret = ser_header(b, &s, &hdr);
	if (ret) {
		ret = bfail(b, -ret, "out of memory");
		goto out;
	}
	hlen = (strlen(hdr) + 7) / 8 * 8;	/* data starts 8-aligned */
	len = 8 + hlen + s.data_len;
	if (hlen > EDGEAI_MODEL_MAX_HEADER || len > EDGEAI_MODEL_MAX_FILE) {
		ret = bfail(b, EFBIG, "the model would be %llu bytes, over the limits",
			    (unsigned long long)len);
		goto out;
	}
	buf = malloc(len);
	if (!buf) {
		ret = bfail(b, ENOMEM, "out of memory");
		goto out;
	}
	memcpy(buf, &hlen, 8);
	memset(buf + 8, ' ', hlen);
	memcpy(buf + 8, hdr, strlen(hdr));
	ser_data(b, buf + 8 + hlen);
	ret = check_loads(b, buf, len);
	if (ret)
		goto out;
	b->err[0] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
out:
	free(buf);
	json_object_put(s.root);
	return ret;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

/* Write @buf to a new file in @dir and rename it over @path. */
static int replace_file(const char *path, const char *dir, const char *base,
			const void *buf, size_t len)
{
	struct stat st;
	mode_t mode = stat(path, &st) ? 0644 : st.st_mode & 07777;
	char *tmp;
	int fd, ret;

	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(tmp);
		return ret;
	}
	ret = write_all(fd, buf, len);
	if (!ret && fchmod(fd, mode))
		ret = -errno;
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	else
		ret = fsync_dir(dir);
	free(tmp);
	return ret;
}

int edgeai_model_builder_write(struct edgeai_model_builder *b,
			       const char *path)
{
	const char *slash, *base;
	char *dir = NULL;
	void *buf = NULL;
	size_t len;
	int ret;

	if (!b || !path || !*path)
		return -EINVAL;
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (!*base)
		return bfail(b, EINVAL, "%s: not a file name", path);
	dir = slash == path ? strdup("/") :
	      slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return bfail(b, ENOMEM, "out of memory");
	ret = edgeai_model_builder_write_mem(b, &buf, &len);
	if (!ret) {
		ret = replace_file(path, dir, base, buf, len);
		if (ret)
			bfail(b, -ret, "%s: %s", path, strerror(-ret));
	}
	free(buf);
	free(dir);
	return ret;
}
