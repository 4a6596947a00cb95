// SPDX-License-Identifier: GPL-2.0
/*
 * libedgeai models against NumPy/scikit-learn: tests/model/gen_ref.py
 * writes model files (by hand, in Python), inputs and float64-then-cast
 * expected outputs; every case runs here with both kernels (portable and,
 * where the CPU has it, AVX2+FMA) at batch sizes 1, 7, 64 and the whole
 * input (>= 1000 rows), and through a context smaller than the batch.
 *
 * Tolerance: |got - want| <= 1e-5 * max(1, |want|), i.e. 1e-5 absolute
 * for outputs up to 1 and 1e-5 relative above (linear regression on
 * diabetes predicts values around 150, where one float32 ulp is 1.5e-5).
 *
 * Also: a row's result is bit-identical whatever its batch, and the
 * builder round trip (edgeai_model_builder_from + write + load) gives the
 * same parameters and bit-identical outputs, and writes the same bytes
 * twice.
 */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <json-c/json.h>
#include <edgeai/model.h>

#include "edgeai_test.h"

#define TOL 1e-5

static char dir[256];

static void *slurp(const char *name, size_t *len)
{
	char path[512];
	struct stat st;
	void *buf;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	T_ASSERT(f && !fstat(fileno(f), &st));
	buf = malloc(st.st_size ? st.st_size : 1);
	T_ASSERT(buf && fread(buf, 1, st.st_size, f) == (size_t)st.st_size);
	fclose(f);
	*len = st.st_size;
	return buf;
}

static void cleanup(void)
{
	char path[512];
	struct dirent *e;
	DIR *d;

	if (!dir[0] || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void gen_ref(void)
{
	const char *src = getenv("EDGEAI_SRC");
	char cmd[1024];
	int st;

	snprintf(dir, sizeof(dir), "%s/edgeai-model-ref.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	T_ASSERT(mkdtemp(dir));
	atexit(cleanup);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s/tests/model/gen_ref.py' '%s'",
		 src ? src : ".", dir);
	st = system(cmd);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		T_FAILF("%s failed (status %d): run scripts/deps.sh", cmd, st);
		exit(T_FAIL);
	}
}

/* Largest error relative to max(1, |want|); where in *@at. */
static double max_err(const float *got, const float *want, size_t n, size_t *at)
{
	double worst = 0, e;
	size_t i;

	*at = 0;
	for (i = 0; i < n; i++) {
		e = fabs((double)got[i] - want[i]) / fmax(1.0, fabs(want[i]));
		if (!(e <= worst)) {	/* NaN counts as worst */
			worst = isnan(e) ? INFINITY : e;
			*at = i;
		}
	}
	return worst;
}

/* Run all @n rows in calls of @batch rows through a @max_batch context. */
static void run_batched(struct edgeai_model *m, const float *x, size_t n,
			uint32_t batch, uint32_t max_batch, float *y)
{
	uint32_t din = edgeai_model_input_dim(m), dout = edgeai_model_output_dim(m);
	struct edgeai_model_ctx *ctx;
	size_t off, c;

	T_ASSERT(edgeai_model_ctx_new(m, max_batch, &ctx) == 0);
	for (off = 0; off < n; off += c) {
		c = n - off < batch ? n - off : batch;
		T_EQ(edgeai_model_run(ctx, x + off * din, (uint32_t)c,
				      y + off * dout), 0);
	}
	edgeai_model_ctx_free(ctx);
}

static void check_meta(struct edgeai_model *m, json_object *c)
{
	json_object *v;
	const char *s;
	uint32_t i;

#define JINT(k) (json_object_object_get_ex(c, k, &v), json_object_get_int64(v))
#define JSTR(k) (json_object_object_get_ex(c, k, &v), json_object_get_string(v))
	T_EQ(edgeai_model_input_dim(m), JINT("input_dim"));
	T_EQ(edgeai_model_output_dim(m), JINT("output_dim"));
	T_EQ(edgeai_model_op_count(m), JINT("ops"));
	T_EQ(edgeai_model_param_count(m), JINT("params"));
	T_STREQ(edgeai_model_kind(m), JSTR("kind"));
	T_STREQ(edgeai_model_name(m), JSTR("model_name"));
	T_STREQ(edgeai_model_version(m), JSTR("version"));
	s = JSTR("features");
	if (*s) {
		T_STREQ(edgeai_model_meta(m, "edgeai.features"), s);
		T_CHECK(!strncmp(edgeai_model_input_name(m, 0), s,
				 strcspn(s, ",")));
		T_CHECK(edgeai_model_input_name(m, edgeai_model_input_dim(m) - 1));
		T_CHECK(!edgeai_model_input_name(m, edgeai_model_input_dim(m)));
	} else {
		T_CHECK(!edgeai_model_input_name(m, 0));
	}
	s = JSTR("outputs");
	for (i = 0; *s && i < edgeai_model_output_dim(m); i++)
		T_CHECK(edgeai_model_output_name(m, i) != NULL);
#undef JINT
#undef JSTR
}

/* builder_from + write + load: same parameters, same outputs, same bytes. */
static void round_trip(struct edgeai_model *m, const float *x, size_t n,
		       const float *y1)
{
	struct edgeai_model_builder *b, *b2;
	struct edgeai_model_op_info o1 = { .sz = sizeof(o1) }, o2 = { .sz = sizeof(o2) };
	struct edgeai_model *m2;
	void *buf1, *buf2;
	size_t len1, len2, cnt;
	const char *key, *value;
	char path[512];
	float *y2;
	uint32_t k, j;

	snprintf(path, sizeof(path), "%s/roundtrip.st", dir);
	T_ASSERT(edgeai_model_builder_from(m, &b) == 0);
	T_EQ(edgeai_model_builder_write(b, path), 0);
	T_ASSERT(edgeai_model_load(path, NULL, &m2) == 0);
	T_EQ(edgeai_model_op_count(m2), edgeai_model_op_count(m));
	for (k = 0; k < edgeai_model_op_count(m); k++) {
		T_EQ(edgeai_model_op_info(m, k, &o1), 0);
		T_EQ(edgeai_model_op_info(m2, k, &o2), 0);
		T_EQ(o1.type, o2.type);
		T_EQ(o1.activation, o2.activation);
		T_EQ(o1.n_params, o2.n_params);
		for (j = 0; j < o1.n_params; j++) {
			cnt = (size_t)o1.param_shape[j][0] *
			      (o1.param_rank[j] == 2 ? o1.param_shape[j][1] : 1);
			T_CHECK(!memcmp(o1.param[j], o2.param[j], cnt * 4));
		}
	}
	for (k = 0; !edgeai_model_meta_at(m, k, &key, &value); k++) {
		if (strcmp(key, "edgeai.graph"))
			T_STREQ(edgeai_model_meta(m2, key), value);
	}
	T_STREQ(edgeai_model_version(m2), edgeai_model_version(m));
	T_STREQ(edgeai_model_kind(m2), edgeai_model_kind(m));
	y2 = malloc(n * edgeai_model_output_dim(m) * sizeof(float));
	run_batched(m2, x, n, 64, 64, y2);
	T_CHECK(!memcmp(y1, y2, n * edgeai_model_output_dim(m) * sizeof(float)));
	/* Deterministic: the same builder, and a builder of the reloaded model. */
	T_ASSERT(edgeai_model_builder_from(m2, &b2) == 0);
	T_EQ(edgeai_model_builder_write_mem(b, &buf1, &len1), 0);
	T_EQ(edgeai_model_builder_write_mem(b2, &buf2, &len2), 0);
	T_CHECK(len1 == len2 && !memcmp(buf1, buf2, len1));
	T_EQ(len1, edgeai_model_file_size(m2));
	free(buf1);
	free(buf2);
	free(y2);
	edgeai_model_builder_free(b);
	edgeai_model_builder_free(b2);
	edgeai_model_free(m2);
	unlink(path);
}

static void run_case(json_object *c, const char *kernel)
{
	static const uint32_t batches[] = { 1, 7, 64, 0 /* all */ };
	char err[EDGEAI_MODEL_ERR_LEN];
	struct edgeai_model_load_opts lo = { .sz = sizeof(lo), .err = err,
					     .errlen = sizeof(err) };
	json_object *v;
	const char *name;
	struct edgeai_model *m;
	size_t xlen, ylen, n, at, k;
	float *x, *want, *got, *first;
	double e, worst = 0;
	char path[512];
	uint32_t b, dout;

	json_object_object_get_ex(c, "name", &v);
	name = json_object_get_string(v);
	json_object_object_get_ex(c, "model", &v);
	snprintf(path, sizeof(path), "%s/%s", dir, json_object_get_string(v));
	if (edgeai_model_load(path, &lo, &m)) {
		T_FAILF("%s: %s", name, err);
		return;
	}
	check_meta(m, c);
	json_object_object_get_ex(c, "x", &v);
	x = slurp(json_object_get_string(v), &xlen);
	json_object_object_get_ex(c, "y", &v);
	want = slurp(json_object_get_string(v), &ylen);
	n = xlen / 4 / edgeai_model_input_dim(m);
	dout = edgeai_model_output_dim(m);
	T_EQ(ylen, n * dout * 4);
	got = malloc(ylen);
	first = malloc(ylen);
	for (k = 0; k < sizeof(batches) / sizeof(batches[0]); k++) {
		b = batches[k] ? batches[k] : (uint32_t)n;
		memset(got, 0xff, ylen);
		run_batched(m, x, n, b, b, got);
		e = max_err(got, want, n * dout, &at);
		if (!(e <= TOL))
			T_FAILF("%s (%s, batch %u): row %zu output %zu: got %.9g, want %.9g (error %.3g > %g)",
				name, kernel, b, at / dout, at % dout, got[at],
				want[at], e, TOL);
		worst = fmax(worst, e);
		if (!k)
			memcpy(first, got, ylen);
		else if (memcmp(first, got, ylen))
			T_FAILF("%s (%s, batch %u): results differ from batch 1",
				name, kernel, b);
		t_checks += 2;
	}
	/* A context smaller than the call: the run goes 5 rows at a time. */
	run_batched(m, x, n, (uint32_t)n, 5, got);
	T_CHECK(!memcmp(first, got, ylen));
	printf("%-26s %-8s n=%-5zu in=%-3u out=%-3u max error %.3g\n", name,
	       kernel, n, edgeai_model_input_dim(m), dout, worst);
	if (!strcmp(kernel, "generic"))
		round_trip(m, x, n, first);
	free(x);
	free(want);
	free(got);
	free(first);
	edgeai_model_free(m);
}

static const char *kernel_name(void)
{
	struct edgeai_model_builder *b;
	struct edgeai_model_ctx *ctx;
	struct edgeai_model *m;
	static char name[32];
	const float w[1] = { 1 };
	void *buf;
	size_t len;

	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_dense(b, w, NULL, 1, 1, 0) == 0);
	T_ASSERT(edgeai_model_builder_write_mem(b, &buf, &len) == 0);
	T_ASSERT(edgeai_model_load_mem(buf, len, NULL, &m) == 0);
	T_ASSERT(edgeai_model_ctx_new(m, 1, &ctx) == 0);
	snprintf(name, sizeof(name), "%s", edgeai_model_ctx_kernel(ctx));
	edgeai_model_ctx_free(ctx);
	edgeai_model_free(m);
	edgeai_model_builder_free(b);
	free(buf);
	return name;
}

int main(void)
{
	static const char *const kernels[] = { "generic", "" };
	json_object *root, *cases;
	size_t i, k, len;
	char *text;

	gen_ref();
	text = slurp("cases.json", &len);
	text = realloc(text, len + 1);
	text[len] = '\0';
	root = json_tokener_parse(text);
	T_ASSERT(root && json_object_object_get_ex(root, "cases", &cases));
	T_ASSERT(json_object_array_length(cases) >= 8);
	for (k = 0; k < 2; k++) {
		if (*kernels[k])
			setenv("EDGEAI_MODEL_KERNEL", kernels[k], 1);
		else
			unsetenv("EDGEAI_MODEL_KERNEL");
		if (!*kernels[k] && !strcmp(kernel_name(), "generic")) {
			printf("no AVX2+FMA on this CPU: the generic kernel only\n");
			break;
		}
		for (i = 0; i < json_object_array_length(cases); i++)
			run_case(json_object_array_get_idx(cases, i),
				 *kernels[k] ? kernels[k] : kernel_name());
	}
	json_object_put(root);
	free(text);
	return t_done();
}
