// SPDX-License-Identifier: GPL-2.0
/*
 * libedgeai model loading: a small valid file and every way it can be
 * wrong, each refused with the exact errno and a message naming the
 * tensor or op (leaks are caught by LeakSanitizer). Then what a loaded
 * model reports, and contexts.
 *
 * The base model: standardize(mean m, std s) then dense(weight w [1,2],
 * bias b), with m = {1, 2}, s = {0.5, 4}, w = {1, -1}, b = {0.25}; so
 * x = {2, 6} gives (2-1)/0.5 - (6-2)/4 + 0.25 = 1.25.
 */
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/stat.h>

#include <edgeai/model.h>

#include "edgeai_test.h"

#define TENSORS \
	"\"m\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," \
	"\"s\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}," \
	"\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[16,24]}," \
	"\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]}"
#define GRAPH \
	"[{\"op\":\"standardize\",\"mean\":\"m\",\"std\":\"s\"}," \
	"{\"op\":\"dense\",\"weight\":\"w\",\"bias\":\"b\"}]"
#define META "\"edgeai.format\":\"1\""

static const float base_data[7] = { 1, 2, 0.5f, 4, 1, -1, 0.25f };

struct file {
	unsigned char *buf;
	size_t len;
};

/* The container: length, header (padded to 8 with spaces), data. */
static struct file container(const char *hdr, const void *data, size_t dlen)
{
	size_t h = strlen(hdr), padded = (h + 7) / 8 * 8;
	uint64_t n = padded;
	struct file f;

	f.len = 8 + padded + dlen;
	f.buf = malloc(f.len);
	T_ASSERT(f.buf);
	memcpy(f.buf, &n, 8);
	memset(f.buf + 8, ' ', padded);
	memcpy(f.buf + 8, hdr, h);
	if (dlen)
		memcpy(f.buf + 8 + padded, data, dlen);
	return f;
}

/* A header from tensor entries, metadata entries and a graph (raw JSON). */
static struct file model(const char *tensors, const char *meta,
			 const char *graph, const void *data, size_t dlen)
{
	size_t i, o = 0, n = graph ? strlen(graph) : 0;
	char *hdr, *esc = malloc(2 * n + 1);
	struct file f;

	T_ASSERT(esc);
	for (i = 0; i < n; i++) {
		if (graph[i] == '"')
			esc[o++] = '\\';
		esc[o++] = graph[i];
	}
	esc[o] = '\0';
	T_ASSERT(asprintf(&hdr, "{\"__metadata__\":{%s%s%s%s%s}%s%s}", meta,
			  graph && *meta ? "," : "",
			  graph ? "\"edgeai.graph\":\"" : "", esc,
			  graph ? "\"" : "", *tensors ? "," : "", tensors) > 0);
	f = container(hdr, data, dlen);
	free(hdr);
	free(esc);
	return f;
}

static struct file base(void)
{
	return model(TENSORS, META, GRAPH, base_data, sizeof(base_data));
}

static char err[EDGEAI_MODEL_ERR_LEN];

static int load(struct file f, struct edgeai_model **m)
{
	struct edgeai_model_load_opts o = { .sz = sizeof(o), .err = err,
					    .errlen = sizeof(err) };

	return edgeai_model_load_mem(f.buf, f.len, &o, m);
}

/* @f must be refused with -@want and a message containing @msg. */
static void bad_(int line, struct file f, int want, const char *msg)
{
	struct edgeai_model *m = (struct edgeai_model *)&f;	/* sentinel */
	int ret = load(f, &m);

	t_checks++;
	if (ret != -want || !strstr(err, msg) ||
	    m != (struct edgeai_model *)&f) {
		t_failures++;
		fprintf(stderr, "%s:%d: expected -%s and \"%s\", got %d (%s) \"%s\"%s\n",
			__FILE__, line, strerrorname_np(want), msg, ret,
			ret < 0 ? strerrorname_np(-ret) : "success", err,
			m != (struct edgeai_model *)&f ? " and *modelp changed" : "");
		if (!ret && m != (struct edgeai_model *)&f)
			edgeai_model_free(m);
	} else {
		printf("ok -%-15s %s\n", strerrorname_np(want), err);
	}
	free(f.buf);
}
#define bad(f, want, msg) bad_(__LINE__, f, want, msg)

static void good_(int line, struct file f)
{
	struct edgeai_model *m = NULL;
	int ret = load(f, &m);

	t_checks++;
	if (ret) {
		t_failures++;
		fprintf(stderr, "%s:%d: expected success, got %d: %s\n",
			__FILE__, line, ret, err);
	}
	edgeai_model_free(m);
	free(f.buf);
}
#define good(f) good_(__LINE__, f)

static struct file with_data(const float *d, size_t n)
{
	return model(TENSORS, META, GRAPH, d, n * sizeof(float));
}

static struct file with_tensor(const char *name, const char *entry)
{
	char t[2048], *p;
	const char *end;

	snprintf(t, sizeof(t), "%s", TENSORS);
	p = strstr(t, name);
	T_ASSERT(p);
	end = strchr(p, '}');
	memmove(p + strlen(entry), end + 1, strlen(end + 1) + 1);
	memcpy(p, entry, strlen(entry));
	return model(t, META, GRAPH, base_data, sizeof(base_data));
}

static void container_cases(void)
{
	struct file f = base();
	uint64_t n;
	size_t len;

	good(base());
	/* Truncated anywhere: never loads, never reads past the end. */
	for (len = 0; len < f.len; len++) {
		struct file t = { malloc(len ? len : 1), len };

		memcpy(t.buf, f.buf, len);
		bad(t, EBADMSG, len < 8 ? "too short" : "");
	}
	free(f.buf);
	f = base();
	n = f.len;
	memcpy(f.buf, &n, 8);
	bad(f, EBADMSG, "runs past the end of the file");
	f = base();
	n = 1ULL << 63;
	memcpy(f.buf, &n, 8);
	bad(f, EBADMSG, "header length 9223372036854775808 is not in 2..16777216");
	f = base();
	memset(f.buf, 0, 8);
	bad(f, EBADMSG, "header length 0");
	bad(container("{\"__metadata__\":{} ", NULL, 0), EBADMSG, "header: JSON ends too early");
	bad(container("{\"__metadata__\":{}} 1", NULL, 0), EBADMSG, "header: bad JSON at byte 20");
	bad(container("[1,2]", NULL, 0), EBADMSG, "header: not a JSON object");
	bad(container("{'a':1}", NULL, 0), EBADMSG, "header: bad JSON at byte 1: unexpected character");
	bad(container("{\"a\":NaN}", NULL, 0), EBADMSG, "header: bad JSON at byte 5");
	bad(container("{\"a\":[1,]}", NULL, 0), EBADMSG, "header: bad JSON");
	bad(container("{\"a\":\"\x01\"}", NULL, 0), EBADMSG, "header: bad JSON");
	bad(container("{\"a\":\"\xff\"}", NULL, 0), EBADMSG, "header: bad JSON");
	bad(container("{\"a\":[[[[[1]]]]]}", NULL, 0), EBADMSG, "header: bad JSON");
	f = base();
	f.buf[9] = 0;
	bad(f, EBADMSG, "NUL byte");
	/* The graph may end in whitespace (the header in spaces: base()). */
	good(model(TENSORS, META, GRAPH "\\n\\t", base_data, sizeof(base_data)));
}

static void tensor_cases(void)
{
	float d[8];

	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[16,100]}"),
	    EBADMSG, "tensor 'w': data_offsets [16,100] are not inside the 28-byte data section");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[24,16]}"),
	    EBADMSG, "tensor 'w': data_offsets [24,16] end before they begin");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[-8,0]}"),
	    EBADMSG, "tensor 'w': data_offsets is not [begin, end] of integers >= 0");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[16.0,24]}"),
	    EBADMSG, "tensor 'w': data_offsets is not [begin, end]");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[16]}"),
	    EBADMSG, "tensor 'w': data_offsets is not [begin, end]");
	bad(with_tensor("\"s\"", "\"s\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}"),
	    EBADMSG, "tensor 's': data_offsets [4,12] overlap tensor 'm'");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[20,28]}"),
	    EBADMSG, "data section bytes 16..20 belong to no tensor");
	bad(with_tensor("\"b\"", "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[24,28]}"),
	    EBADMSG, "op 1 (dense): bias 'b' has shape []; it must be a vector");
	/* The data section has bytes no tensor covers. */
	memcpy(d, base_data, sizeof(base_data));
	d[7] = 0;
	bad(with_data(d, 8), EBADMSG, "data section bytes 28..32 belong to no tensor");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[4294967295,4294967295,4294967295],\"data_offsets\":[16,24]}"),
	    EBADMSG, "tensor 'w': the element count overflows");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[4294967295,4294967295],\"data_offsets\":[16,24]}"),
	    EBADMSG, "tensor 'w': F32 shape holds 18446744065119617025 elements but data_offsets span 8 bytes");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,1],\"data_offsets\":[16,24]}"),
	    EBADMSG, "tensor 'w': shape[0] is not an integer in 0..4294967295");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,2],\"data_offsets\":[16,24]}"),
	    EBADMSG, "tensor 'w': rank 9 is over 8");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[16,24]}"),
	    EBADMSG, "tensor 'w': F32 shape holds 3 elements but data_offsets span 8 bytes");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F16\",\"shape\":[1,4],\"data_offsets\":[16,24]}"),
	    EPROTONOSUPPORT, "op 1 (dense): weight 'w' has dtype F16; only F32 is supported");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F64\",\"shape\":[1,1],\"data_offsets\":[16,24]}"),
	    EPROTONOSUPPORT, "weight 'w' has dtype F64");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"Q4\",\"shape\":[1,2],\"data_offsets\":[16,24]}"),
	    EBADMSG, "tensor 'w': unknown dtype 'Q4'");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":7,\"shape\":[1,2],\"data_offsets\":[16,24]}"),
	    EBADMSG, "tensor 'w': dtype is not a string");
	bad(with_tensor("\"w\"", "\"w\":{\"shape\":[1,2],\"data_offsets\":[16,24]}"),
	    EBADMSG, "tensor 'w': needs dtype, shape and data_offsets");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[16,24],\"x\":1}"),
	    EBADMSG, "tensor 'w': unknown field 'x'");
	bad(with_tensor("\"w\"", "\"w\":[]"), EBADMSG, "tensor 'w': not a JSON object");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}"),
	    EBADMSG, "op 1 (dense): weight 'w' has shape [2]; it must be a matrix with no 0 dimension");
	bad(with_tensor("\"w\"", "\"w\":{\"dtype\":\"F32\",\"shape\":[0,2],\"data_offsets\":[16,16]},\"pad\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[16,24]}"),
	    EBADMSG, "weight 'w' has shape [0,2]; it must be a matrix with no 0 dimension");
	/* An unused tensor of another dtype is fine; a misaligned F32 is not. */
	good(with_tensor("\"b\"", "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]},\"step\":{\"dtype\":\"I32\",\"shape\":[0],\"data_offsets\":[28,28]}"));
	d[7] = 0;
	bad(model("\"pad\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
		  "\"m\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[2,10]},"
		  "\"s\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[10,18]},"
		  "\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[18,26]},"
		  "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[26,30]},"
		  "\"pad2\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[30,32]}",
		  META, GRAPH, d, sizeof(d)),
	    EBADMSG, "op 0 (standardize): mean 'm' begins at data offset 2, not a multiple of 4");
}

static void value_cases(void)
{
	float d[7];

	memcpy(d, base_data, sizeof(d));
	d[3] = 0;
	bad(with_data(d, 7), EBADMSG, "op 0 (standardize): std 's' element 1 is 0: must be > 0");
	d[3] = -1;
	bad(with_data(d, 7), EBADMSG, "std 's' element 1 is -1: must be > 0");
	d[3] = NAN;
	bad(with_data(d, 7), EBADMSG, "std 's' element 1 is nan: values must be finite");
	memcpy(d, base_data, sizeof(d));
	d[5] = NAN;
	bad(with_data(d, 7), EBADMSG, "op 1 (dense): weight 'w' element 1 is nan: values must be finite");
	memcpy(d, base_data, sizeof(d));
	d[6] = -INFINITY;
	bad(with_data(d, 7), EBADMSG, "op 1 (dense): bias 'b' element 0 is -inf");
	memcpy(d, base_data, sizeof(d));
	d[0] = INFINITY;
	bad(with_data(d, 7), EBADMSG, "op 0 (standardize): mean 'm' element 0 is inf");
}

#define G(s) s, base_data, sizeof(base_data)

static void graph_cases(void)
{
	bad(model(TENSORS, "", G(NULL)), EBADMSG, "not an edgeai model: no edgeai.format");
	bad(container("{" TENSORS "}", base_data, sizeof(base_data)), EBADMSG,
	    "not an edgeai model: no __metadata__");
	bad(container("{\"__metadata__\":[]," TENSORS "}", base_data, sizeof(base_data)),
	    EBADMSG, "__metadata__ is not a JSON object");
	bad(model(TENSORS, "\"edgeai.format\":1", G(GRAPH)), EBADMSG,
	    "__metadata__ 'edgeai.format' is not a string");
	bad(model(TENSORS, "\"edgeai.format\":\"2\"", G(GRAPH)), EPROTONOSUPPORT,
	    "edgeai.format '2' is not supported (this library reads 1)");
	bad(model(TENSORS, META, G(NULL)), EBADMSG, "no edgeai.graph");
	bad(model(TENSORS, META, G("not json")), EBADMSG, "edgeai.graph: bad JSON");
	bad(model(TENSORS, META, G("[{\"op\":\"relu\"}")), EBADMSG, "edgeai.graph: JSON ends too early");
	bad(model(TENSORS, META, G("{\"op\":\"relu\"}")), EBADMSG, "edgeai.graph is not a JSON array");
	bad(model(TENSORS, META, G("[]")), EBADMSG, "edgeai.graph has 0 ops (1..1024)");
	bad(model(TENSORS, META, G("[1]")), EBADMSG, "op 0: not a JSON object");
	bad(model(TENSORS, META, G("[{\"weight\":\"w\"}]")), EBADMSG, "op 0: no \"op\" string");
	bad(model(TENSORS, META, G("[{\"op\":\"relu\"}]")), EBADMSG,
	    "op 0 (relu): the first op must have parameters");
	bad(model(TENSORS, META, G("[{\"op\":\"dense\",\"weight\":\"w\"},{\"op\":\"gelu\"}]")),
	    EPROTONOSUPPORT, "op 1: unknown op 'gelu'");
	bad(model(TENSORS, META, G("[{\"op\":\"dense\",\"weight\":\"w\",\"bais\":\"b\"}]")),
	    EBADMSG, "op 0 (dense): unknown field 'bais'");
	bad(model(TENSORS, META, G("[{\"op\":\"dense\",\"weight\":\"w\",\"activation\":\"swish\"}]")),
	    EPROTONOSUPPORT, "op 0 (dense): unknown activation 'swish'");
	bad(model(TENSORS, META, G("[{\"op\":\"dense\",\"weight\":\"w\",\"activation\":1}]")),
	    EBADMSG, "op 0 (dense): activation is not a string");
	bad(model(TENSORS, META, G("[{\"op\":\"dense\",\"weight\":\"nope\"}]")),
	    EBADMSG, "op 0 (dense): weight tensor 'nope' not found");
	bad(model(TENSORS, META, G("[{\"op\":\"dense\",\"weight\":\"__metadata__\"}]")),
	    EBADMSG, "op 0 (dense): weight tensor '__metadata__' not found");
	bad(model(TENSORS, META, G("[{\"op\":\"dense\",\"weight\":1}]")),
	    EBADMSG, "op 0 (dense): weight must be a tensor name (a string)");
	bad(model(TENSORS, META, G("[{\"op\":\"dense\",\"weight\":[\"w\"]}]")),
	    EBADMSG, "edgeai.graph: bad JSON at byte 25: nesting too deep");
	bad(model(TENSORS, META, G("[{\"op\":\"dense\"}]")), EBADMSG, "op 0 (dense): no weight");
	bad(model(TENSORS, META, G("[{\"op\":\"standardize\",\"mean\":\"m\"}]")),
	    EBADMSG, "op 0 (standardize): no std");
	/* A tensor serves one op field only. */
	bad(model(TENSORS, META, G("[{\"op\":\"standardize\",\"mean\":\"m\",\"std\":\"s\"},{\"op\":\"scale\",\"mul\":\"s\",\"add\":\"m\"}]")),
	    EBADMSG, "op 1 (scale): tensor 's' is already op 0's std");
	bad(model(TENSORS, META, G("[{\"op\":\"standardize\",\"mean\":\"s\",\"std\":\"s\"}]")),
	    EBADMSG, "op 0 (standardize): tensor 's' is already op 0's mean");
	/* Dimensions chain: op 1 takes what op 0 gives. */
	bad(model(TENSORS, META, G("[{\"op\":\"dense\",\"weight\":\"w\"},{\"op\":\"standardize\",\"mean\":\"m\",\"std\":\"s\"}]")),
	    EBADMSG, "op 1 (standardize): mean 'm' takes 2 inputs but op 0 (dense) gives 1");
	bad(model(TENSORS, META, G("[{\"op\":\"standardize\",\"mean\":\"m\",\"std\":\"b\"}]")),
	    EBADMSG, "op 0 (standardize): std 'b' shape [1] does not match mean 'm': it must be [2]");
	bad(model(TENSORS, META, G("[{\"op\":\"dense\",\"weight\":\"w\",\"bias\":\"m\"}]")),
	    EBADMSG, "op 0 (dense): bias 'm' shape [2] does not match weight 'w': it must be [1]");
	bad(model(TENSORS, META, G("[{\"op\":\"pca\",\"mean\":\"b\",\"components\":\"w\"}]")),
	    EBADMSG, "op 0 (pca): components 'w' shape [1,2] does not match mean 'b' shape [1]");
	bad(model(TENSORS, META, G("[{\"op\":\"standardize\",\"mean\":\"m\",\"std\":\"s\"},{\"op\":\"pca\",\"mean\":\"b\",\"components\":\"w\"}]")),
	    EBADMSG, "op 1 (pca): components 'w' shape [1,2] does not match mean 'b' shape [1]");
	/* Names of inputs and outputs must match the dimensions. */
	bad(model(TENSORS, META ",\"edgeai.features\":\"a,b,c\"", G(GRAPH)), EBADMSG,
	    "edgeai.features names 3 values but the graph has 2");
	bad(model(TENSORS, META ",\"edgeai.features\":\"a,\"", G(GRAPH)), EBADMSG,
	    "edgeai.features: name 1 is empty");
	bad(model(TENSORS, META ",\"edgeai.outputs\":\"y,z\"", G(GRAPH)), EBADMSG,
	    "edgeai.outputs names 2 values but the graph has 1");
	good(model(TENSORS, META ",\"edgeai.features\":\"a,b\",\"edgeai.outputs\":\"y\"", G(GRAPH)));
}

static void too_many_ops(void)
{
	static char g[1100 * 16];
	size_t o;
	int i;

	o = (size_t)sprintf(g, "[{\"op\":\"dense\",\"weight\":\"w\"}");
	for (i = 0; i < 1023; i++)
		o += (size_t)sprintf(g + o, ",{\"op\":\"relu\"}");
	sprintf(g + o, "]");
	good(model(TENSORS, META, G(g)));
	sprintf(g + o, ",{\"op\":\"relu\"}]");
	bad(model(TENSORS, META, G(g)), EBADMSG, "edgeai.graph has 1025 ops (1..1024)");
}

static uint64_t fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void info_cases(void)
{
	struct file f = model(TENSORS, META ",\"edgeai.name\":\"n\",\"x.other\":\"\\u00e9\"",
			      G(GRAPH));
	struct edgeai_model_op_info oi = { .sz = sizeof(oi) }, small;
	struct edgeai_model *m;
	const char *k, *v;

	T_ASSERT(load(f, &m) == 0);
	T_STREQ(err, "");
	T_EQ(edgeai_model_input_dim(m), 2);
	T_EQ(edgeai_model_output_dim(m), 1);
	T_EQ(edgeai_model_op_count(m), 2);
	T_EQ(edgeai_model_param_count(m), 7);
	T_EQ(edgeai_model_file_size(m), f.len);
	T_CHECK(edgeai_model_checksum(m) == fnv(f.buf, f.len));
	T_STREQ(edgeai_model_name(m), "n");
	T_STREQ(edgeai_model_kind(m), "custom");
	T_STREQ(edgeai_model_version(m), "");
	T_CHECK(!edgeai_model_input_name(m, 0));
	T_CHECK(!edgeai_model_output_name(m, 0));
	T_STREQ(edgeai_model_meta(m, "x.other"), "\xc3\xa9");
	T_CHECK(!edgeai_model_meta(m, "nope"));
	T_EQ(edgeai_model_meta_at(m, 0, &k, &v), 0);
	T_STREQ(k, "edgeai.format");
	T_STREQ(v, "1");
	T_EQ(edgeai_model_meta_at(m, 3, &k, &v), 0);
	T_STREQ(k, "edgeai.graph");
	T_ERRNO(edgeai_model_meta_at(m, 4, &k, &v), ENOENT);
	T_EQ(edgeai_model_op_info(m, 1, &oi), 0);
	T_EQ(oi.type, EDGEAI_MODEL_OP_DENSE);
	T_STREQ(oi.name, "dense");
	T_STREQ(oi.activation_name, "identity");
	T_EQ(oi.in_dim, 2);
	T_EQ(oi.out_dim, 1);
	T_EQ(oi.param_count, 3);
	T_EQ(oi.n_params, 2);
	T_STREQ(oi.param_field[0], "weight");
	T_STREQ(oi.param_tensor[1], "b");
	T_EQ(oi.param_rank[0], 2);
	T_EQ(oi.param_shape[0][0], 1);
	T_EQ(oi.param_shape[0][1], 2);
	T_CHECK(oi.param[0][1] == -1.0f && oi.param[1][0] == 0.25f);
	T_EQ(edgeai_model_op_info(m, 0, &oi), 0);
	T_STREQ(oi.param_field[1], "std");
	T_CHECK(oi.param[1][1] == 4.0f);
	T_ERRNO(edgeai_model_op_info(m, 2, &oi), ENOENT);
	/* An older, smaller struct gets only its part. */
	memset(&small, 0x5a, sizeof(small));
	small.sz = offsetof(struct edgeai_model_op_info, name);
	T_EQ(edgeai_model_op_info(m, 1, &small), 0);
	T_EQ(small.type, EDGEAI_MODEL_OP_DENSE);
	T_CHECK(*(const unsigned char *)&small.name == 0x5a);
	small.sz = 0;
	T_ERRNO(edgeai_model_op_info(m, 1, &small), EINVAL);
	edgeai_model_free(m);
	free(f.buf);
}

static void run_cases(void)
{
	struct file f = base();
	struct edgeai_model *m;
	struct edgeai_model_ctx *ctx, *ctx2;
	float x[6] = { 2, 6, 1, 2, 1.5f, 10 }, y[3];

	T_ASSERT(load(f, &m) == 0);
	T_ERRNO(edgeai_model_ctx_new(m, 0, &ctx), EINVAL);
	T_ERRNO(edgeai_model_ctx_new(NULL, 1, &ctx), EINVAL);
	T_ERRNO(edgeai_model_ctx_new(m, 1, NULL), EINVAL);
	T_ASSERT(edgeai_model_ctx_new(m, 2, &ctx) == 0);
	T_ASSERT(edgeai_model_ctx_new(m, 1, &ctx2) == 0);
	T_CHECK(edgeai_model_ctx_model(ctx) == m);
	T_CHECK(edgeai_model_ctx_kernel(ctx) != NULL);
	/* The contexts hold references: the model outlives this free. */
	edgeai_model_free(m);
	T_EQ(edgeai_model_run(ctx, x, 3, y), 0);
	T_CHECK(y[0] == 1.25f);			/* 2 - 1 + 0.25 */
	T_CHECK(y[1] == 0.25f);			/* 0 - 0 + 0.25 */
	T_CHECK(y[2] == 1 - 2 + 0.25f);		/* 1 - 2 + 0.25 */
	T_EQ(edgeai_model_run(ctx, x, 0, NULL), 0);
	T_ERRNO(edgeai_model_run(NULL, x, 1, y), EINVAL);
	T_ERRNO(edgeai_model_run(ctx, NULL, 1, y), EINVAL);
	T_ERRNO(edgeai_model_run(ctx, x, 1, NULL), EINVAL);
	edgeai_model_ctx_free(ctx);
	T_EQ(edgeai_model_run(ctx2, x + 2, 1, y), 0);
	T_CHECK(y[0] == 0.25f);
	edgeai_model_ctx_free(ctx2);
	edgeai_model_ctx_free(NULL);
	edgeai_model_free(NULL);
	free(f.buf);
}

static void arg_and_file_cases(void)
{
	struct edgeai_model_load_opts o = { .sz = 0 };
	struct file f = base();
	struct edgeai_model *m = NULL;
	char small[8], dir[] = "/tmp/edgeai-model-load.XXXXXX", path[64];
	int fd;

	T_ERRNO(edgeai_model_load_mem(f.buf, f.len, NULL, NULL), EINVAL);
	T_ERRNO(edgeai_model_load_mem(NULL, 1, NULL, &m), EINVAL);
	T_ERRNO(edgeai_model_load_mem(f.buf, f.len, &o, &m), EINVAL);
	T_ERRNO(edgeai_model_load(NULL, NULL, &m), EINVAL);
	T_ERRNO(edgeai_model_load_mem(f.buf, EDGEAI_MODEL_MAX_FILE + 1, NULL, &m), EFBIG);
	/* A short buffer gets a truncated, terminated message. */
	o.sz = sizeof(o);
	o.err = small;
	o.errlen = sizeof(small);
	T_ERRNO(edgeai_model_load_mem(f.buf, 3, &o, &m), EBADMSG);
	T_STREQ(small, "3 bytes");
	/* Older callers' opts without the error buffer still work. */
	o.sz = sizeof(size_t);
	T_EQ(edgeai_model_load_mem(f.buf, f.len, &o, &m), 0);
	edgeai_model_free(m);

	T_ASSERT(mkdtemp(dir));
	o.sz = sizeof(o);
	o.err = err;
	o.errlen = sizeof(err);
	snprintf(path, sizeof(path), "%s/none.st", dir);
	T_ERRNO(edgeai_model_load(path, &o, &m), ENOENT);
	T_STREQ(err, "cannot open: No such file or directory");
	T_ERRNO(edgeai_model_load(dir, &o, &m), EINVAL);
	T_STREQ(err, "not a regular file");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	T_ASSERT(mkfifo(path, 0600) == 0);
	T_ERRNO(edgeai_model_load(path, &o, &m), EINVAL);	/* no hang */
	T_STREQ(err, "not a regular file");
	unlink(path);
	snprintf(path, sizeof(path), "%s/big.st", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	T_ASSERT(fd >= 0 && !ftruncate(fd, EDGEAI_MODEL_MAX_FILE + 1));
	close(fd);
	T_ERRNO(edgeai_model_load(path, &o, &m), EFBIG);
	T_STREQ(err, "1073741825 bytes: over the 1073741824-byte limit");
	fd = open(path, O_TRUNC | O_WRONLY);
	T_ASSERT(fd >= 0 && write(fd, f.buf, f.len) == (ssize_t)f.len);
	close(fd);
	T_EQ(edgeai_model_load(path, &o, &m), 0);
	T_EQ(edgeai_model_file_size(m), f.len);
	edgeai_model_free(m);
	unlink(path);
	rmdir(dir);
	free(f.buf);
}

static void names(void)
{
	uint32_t a = 99;

	T_STREQ(edgeai_model_op_name(EDGEAI_MODEL_OP_PCA), "pca");
	T_STREQ(edgeai_model_op_name(EDGEAI_MODEL_OP_TANH), "tanh");
	T_CHECK(!edgeai_model_op_name(0));
	T_CHECK(!edgeai_model_op_name(9));
	T_STREQ(edgeai_model_act_name(EDGEAI_MODEL_ACT_SOFTMAX), "softmax");
	T_CHECK(!edgeai_model_act_name(5));
	T_EQ(edgeai_model_act_from_name("tanh", &a), 0);
	T_EQ(a, EDGEAI_MODEL_ACT_TANH);
	T_ERRNO(edgeai_model_act_from_name("Tanh", &a), EINVAL);
	T_ERRNO(edgeai_model_act_from_name(NULL, &a), EINVAL);
	T_EQ(a, EDGEAI_MODEL_ACT_TANH);
}

int main(void)
{
	container_cases();
	tensor_cases();
	value_cases();
	graph_cases();
	too_many_ops();
	info_cases();
	run_cases();
	arg_and_file_cases();
	names();
	return t_done();
}
