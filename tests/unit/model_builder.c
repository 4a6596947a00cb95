// SPDX-License-Identifier: GPL-2.0
/*
 * The model builder: what it refuses (and says why), the round trip
 * builder -> file -> loader keeping every parameter bit (-0, subnormals,
 * extremes) and every output bit, deterministic bytes, and the atomic
 * write (rename over the old file: an open reader keeps the old bytes, no
 * temporary file is left, the old file's mode is kept).
 */
#include <dirent.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/stat.h>

#include <edgeai/model.h>

#include "edgeai_test.h"

static struct edgeai_model_builder *b;

static void refusals(void)
{
	const float one[4] = { 1, 1, 1, 1 }, zero_std[2] = { 1, 0 };
	const float nan2[2] = { 1, NAN }, inf2[2] = { INFINITY, 1 };
	void *buf;
	size_t len;

	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_STREQ(edgeai_model_builder_error(b), "");
	T_ERRNO(edgeai_model_builder_new(NULL), EINVAL);
	T_ERRNO(edgeai_model_builder_write_mem(b, &buf, &len), EINVAL);
	T_STREQ(edgeai_model_builder_error(b), "no ops");
	T_ERRNO(edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_RELU), EINVAL);
	T_STREQ(edgeai_model_builder_error(b), "relu: the first op must have parameters");
	T_ERRNO(edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_IDENTITY), EINVAL);
	T_ERRNO(edgeai_model_builder_add_standardize(b, one, zero_std, 2), EINVAL);
	T_STREQ(edgeai_model_builder_error(b), "standardize: std[1] is 0: must be > 0");
	T_ERRNO(edgeai_model_builder_add_standardize(b, nan2, one, 2), EINVAL);
	T_STREQ(edgeai_model_builder_error(b), "standardize: mean[1] is nan: must be finite");
	T_ERRNO(edgeai_model_builder_add_scale(b, inf2, one, 2), EINVAL);
	T_STREQ(edgeai_model_builder_error(b), "scale: mul[0] is inf: must be finite");
	T_ERRNO(edgeai_model_builder_add_scale(b, one, NULL, 2), EINVAL);
	T_STREQ(edgeai_model_builder_error(b), "scale: no add");
	T_ERRNO(edgeai_model_builder_add_dense(b, one, NULL, 0, 4, 0), EINVAL);
	T_STREQ(edgeai_model_builder_error(b), "dense: a dimension is 0");
	T_ERRNO(edgeai_model_builder_add_dense(b, one, NULL, 1, 4, 7), EINVAL);
	T_STREQ(edgeai_model_builder_error(b), "dense: unknown activation 7");
	T_ERRNO(edgeai_model_builder_add_dense(b, one, nan2, 2, 2, 0), EINVAL);
	T_STREQ(edgeai_model_builder_error(b), "dense: bias[1] is nan: must be finite");
	/* Nothing was added by the failures: a 2 -> 2 standardize is op 0. */
	T_EQ(edgeai_model_builder_add_standardize(b, one, one, 2), 0);
	T_STREQ(edgeai_model_builder_error(b), "");
	T_ERRNO(edgeai_model_builder_add_dense(b, one, NULL, 1, 4, 0), EINVAL);
	T_STREQ(edgeai_model_builder_error(b), "dense: takes 4 inputs but op 0 gives 2");
	T_ERRNO(edgeai_model_builder_add_pca(b, one, one, 1, 3), EINVAL);
	T_STREQ(edgeai_model_builder_error(b), "pca: takes 3 inputs but op 0 gives 2");
	T_ERRNO(edgeai_model_builder_set_meta(b, "edgeai.graph", "[]"), EINVAL);
	T_STREQ(edgeai_model_builder_error(b), "edgeai.graph is written by the builder");
	T_ERRNO(edgeai_model_builder_set_meta(b, "edgeai.format", "2"), EINVAL);
	T_ERRNO(edgeai_model_builder_set_meta(b, "", "x"), EINVAL);
	T_ERRNO(edgeai_model_builder_set_meta(b, NULL, "x"), EINVAL);
	/* What only the whole model shows is the loader's to say. */
	T_EQ(edgeai_model_builder_set_meta(b, "edgeai.features", "a,b,c"), 0);
	T_ERRNO(edgeai_model_builder_write_mem(b, &buf, &len), EINVAL);
	T_STREQ(edgeai_model_builder_error(b),
		"edgeai.features names 3 values but the graph has 2");
	T_EQ(edgeai_model_builder_set_meta(b, "edgeai.features", NULL), 0);
	T_EQ(edgeai_model_builder_set_meta(b, "edgeai.features", NULL), 0);
	T_EQ(edgeai_model_builder_write_mem(b, &buf, &len), 0);
	free(buf);
	edgeai_model_builder_free(b);
	edgeai_model_builder_free(NULL);
	T_STREQ(edgeai_model_builder_error(NULL), "");
}

/* A model using every op, with awkward but valid values. */
static void build_all(void)
{
	static float w1[5 * 3], b1[5], mean[3] = { -0.0f, 1e30f, -1e-30f },
		     sd[3] = { FLT_MIN, 1, FLT_MAX }, comp[2 * 5], pm[5],
		     mul[2] = { -0.0f, 2 }, add[2] = { 1e-45f, -3 }, w2[4 * 2];
	int i;

	for (i = 0; i < 15; i++)
		w1[i] = (float)(i - 7) / 7;
	for (i = 0; i < 5; i++)
		b1[i] = i ? 1.0f / (float)i : -0.0f;
	for (i = 0; i < 10; i++)
		comp[i] = (float)((i * 37) % 11) / 11 - 0.5f;
	for (i = 0; i < 5; i++)
		pm[i] = 0.1f * (float)i;
	for (i = 0; i < 8; i++)
		w2[i] = i % 2 ? 0.5f : -0.25f;
	w2[3] = 1e-40f;			/* subnormal */
	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_EQ(edgeai_model_builder_add_standardize(b, mean, sd, 3), 0);
	T_EQ(edgeai_model_builder_add_dense(b, w1, b1, 5, 3, EDGEAI_MODEL_ACT_TANH), 0);
	T_EQ(edgeai_model_builder_add_pca(b, pm, comp, 2, 5), 0);
	T_EQ(edgeai_model_builder_add_scale(b, mul, add, 2), 0);
	T_EQ(edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_RELU), 0);
	T_EQ(edgeai_model_builder_add_dense(b, w2, NULL, 4, 2, EDGEAI_MODEL_ACT_IDENTITY), 0);
	T_EQ(edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_SOFTMAX), 0);
	T_EQ(edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_SIGMOID), 0);
	T_EQ(edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_TANH), 0);
	T_EQ(edgeai_model_builder_set_meta(b, "edgeai.kind", "custom"), 0);
	T_EQ(edgeai_model_builder_set_meta(b, "edgeai.name", "all \"ops\" / \\ é"), 0);
	T_EQ(edgeai_model_builder_set_meta(b, "edgeai.version", "1"), 0);
	T_EQ(edgeai_model_builder_set_meta(b, "edgeai.version", "7"), 0);
	T_EQ(edgeai_model_builder_set_meta(b, "edgeai.features", "x,y,z"), 0);
	T_EQ(edgeai_model_builder_set_meta(b, "edgeai.outputs", "p,q,r,s"), 0);
	T_EQ(edgeai_model_builder_set_meta(b, "train.epochs", "100"), 0);
}

static void check_model(struct edgeai_model *m, const struct edgeai_model *ref)
{
	struct edgeai_model_op_info a = { .sz = sizeof(a) }, c = { .sz = sizeof(c) };
	static const uint32_t types[9] = {
		EDGEAI_MODEL_OP_STANDARDIZE, EDGEAI_MODEL_OP_DENSE,
		EDGEAI_MODEL_OP_PCA, EDGEAI_MODEL_OP_SCALE, EDGEAI_MODEL_OP_RELU,
		EDGEAI_MODEL_OP_DENSE, EDGEAI_MODEL_OP_SOFTMAX,
		EDGEAI_MODEL_OP_SIGMOID, EDGEAI_MODEL_OP_TANH,
	};
	uint32_t i, k;
	size_t n;

	T_EQ(edgeai_model_op_count(m), 9);
	T_EQ(edgeai_model_input_dim(m), 3);
	T_EQ(edgeai_model_output_dim(m), 4);
	T_EQ(edgeai_model_param_count(m), 3 + 3 + 15 + 5 + 5 + 10 + 2 + 2 + 8);
	T_STREQ(edgeai_model_name(m), "all \"ops\" / \\ é");
	T_STREQ(edgeai_model_version(m), "7");
	T_STREQ(edgeai_model_input_name(m, 2), "z");
	T_STREQ(edgeai_model_output_name(m, 3), "s");
	T_STREQ(edgeai_model_meta(m, "train.epochs"), "100");
	for (i = 0; i < 9; i++) {
		T_EQ(edgeai_model_op_info(m, i, &a), 0);
		T_EQ(edgeai_model_op_info(ref, i, &c), 0);
		T_EQ(a.type, types[i]);
		T_EQ(a.activation, c.activation);
		T_EQ(a.n_params, c.n_params);
		for (k = 0; k < a.n_params; k++) {
			n = (size_t)a.param_shape[k][0] *
			    (a.param_rank[k] == 2 ? a.param_shape[k][1] : 1);
			T_EQ(a.param_rank[k], c.param_rank[k]);
			T_CHECK(!memcmp(a.param_shape[k], c.param_shape[k],
					sizeof(a.param_shape[k])));
			/* Bits, not values: -0 and subnormals survive. */
			T_CHECK(!memcmp(a.param[k], c.param[k], n * sizeof(float)));
		}
	}
	T_EQ(edgeai_model_op_info(m, 1, &a), 0);
	T_EQ(a.activation, EDGEAI_MODEL_ACT_TANH);
	T_CHECK(signbit(a.param[1][0]) && a.param[1][0] == 0);
	T_STREQ(a.param_tensor[0], "op1.weight");
	T_EQ(edgeai_model_op_info(m, 5, &a), 0);
	T_EQ(a.n_params, 1);
	T_CHECK(a.param[1] == NULL);
	T_CHECK(a.param[0][3] == 1e-40f);
}

static void run_both(struct edgeai_model *m1, struct edgeai_model *m2)
{
	struct edgeai_model_ctx *c1, *c2;
	float x[3 * 9], y1[4 * 9], y2[4 * 9];
	int i;

	for (i = 0; i < 27; i++)
		x[i] = (float)(i * 13 % 17) - 8;
	T_ASSERT(edgeai_model_ctx_new(m1, 4, &c1) == 0);
	T_ASSERT(edgeai_model_ctx_new(m2, 9, &c2) == 0);
	T_EQ(edgeai_model_run(c1, x, 9, y1), 0);
	T_EQ(edgeai_model_run(c2, x, 9, y2), 0);
	T_CHECK(!memcmp(y1, y2, sizeof(y1)));
	for (i = 0; i < 36; i++)
		T_CHECK(y1[i] > 0 && y1[i] < 1);	/* tanh of sigmoid */
	edgeai_model_ctx_free(c1);
	edgeai_model_ctx_free(c2);
}

static int count_entries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	T_ASSERT(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") &&
					     strcmp(e->d_name, ".."));
	closedir(d);
	return n;
}

static void round_trip_and_write(void)
{
	char dir[] = "/tmp/edgeai-model-builder.XXXXXX", path[96], bad[128];
	struct edgeai_model *m1, *m2;
	struct edgeai_model_builder *b2;
	void *buf1, *buf2, *buf3;
	size_t len1, len2, len3;
	unsigned char old[8], cur[8];
	uint64_t hlen;
	struct stat st;
	int fd;

	build_all();
	T_EQ(edgeai_model_builder_write_mem(b, &buf1, &len1), 0);
	T_EQ(edgeai_model_builder_write_mem(b, &buf2, &len2), 0);
	T_CHECK(len1 == len2 && !memcmp(buf1, buf2, len1));
	memcpy(&hlen, buf1, 8);
	T_EQ((8 + hlen) % 8, 0);	/* the data section starts 8-aligned */
	T_CHECK(((char *)buf1)[8 + hlen - 1] == ' ' || ((char *)buf1)[8 + hlen - 1] == '}');
	T_ASSERT(edgeai_model_load_mem(buf1, len1, NULL, &m1) == 0);

	T_ASSERT(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/model.st", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	T_ASSERT(fd >= 0 && write(fd, "previous", 8) == 8);
	close(fd);
	fd = open(path, O_RDONLY);	/* a reader of the old file */
	T_ASSERT(fd >= 0);
	T_EQ(edgeai_model_builder_write(b, path), 0);
	T_EQ(pread(fd, old, 8, 0), 8);
	T_CHECK(!memcmp(old, "previous", 8));
	close(fd);
	T_ASSERT(stat(path, &st) == 0);
	T_EQ(st.st_mode & 07777, 0600);
	T_EQ(st.st_size, len1);
	T_EQ(count_entries(dir), 1);	/* no temporary file left */
	fd = open(path, O_RDONLY);
	T_ASSERT(fd >= 0 && pread(fd, cur, 8, 0) == 8);
	close(fd);
	T_CHECK(!memcmp(cur, buf1, 8));
	T_ASSERT(edgeai_model_load(path, NULL, &m2) == 0);
	T_CHECK(edgeai_model_checksum(m1) == edgeai_model_checksum(m2));
	check_model(m1, m2);
	check_model(m2, m1);
	run_both(m1, m2);

	/* builder_from gives back the same bytes. */
	T_ASSERT(edgeai_model_builder_from(m2, &b2) == 0);
	T_EQ(edgeai_model_builder_write_mem(b2, &buf3, &len3), 0);
	T_CHECK(len3 == len1 && !memcmp(buf3, buf1, len1));

	/* A new file gets mode 0644; a bad directory is an error. */
	snprintf(path, sizeof(path), "%s/new.st", dir);
	T_EQ(edgeai_model_builder_write(b2, path), 0);
	T_ASSERT(stat(path, &st) == 0);
	T_EQ(st.st_mode & 07777, 0644);
	unlink(path);
	snprintf(bad, sizeof(bad), "%s/no/such/dir/m.st", dir);
	T_ERRNO(edgeai_model_builder_write(b2, bad), ENOENT);
	T_CHECK(strstr(edgeai_model_builder_error(b2), "No such file or directory") != NULL);
	T_ERRNO(edgeai_model_builder_write(b2, "/tmp/"), EINVAL);
	T_EQ(count_entries(dir), 1);

	snprintf(path, sizeof(path), "%s/model.st", dir);
	unlink(path);
	rmdir(dir);
	free(buf1);
	free(buf2);
	free(buf3);
	edgeai_model_free(m1);
	edgeai_model_free(m2);
	edgeai_model_builder_free(b2);
	edgeai_model_builder_free(b);
}

static void too_many(void)
{
	const float w = 2;
	int i, ret = 0;

	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_EQ(edgeai_model_builder_add_dense(b, &w, NULL, 1, 1, 0), 0);
	for (i = 1; i < EDGEAI_MODEL_MAX_OPS && !ret; i++)
		ret = edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_RELU);
	T_EQ(ret, 0);
	T_ERRNO(edgeai_model_builder_add_activation(b, EDGEAI_MODEL_ACT_RELU), E2BIG);
	T_STREQ(edgeai_model_builder_error(b), "relu: already 1024 ops");
	edgeai_model_builder_free(b);
}

int main(void)
{
	refusals();
	round_trip_and_write();
	too_many();
	return t_done();
}
