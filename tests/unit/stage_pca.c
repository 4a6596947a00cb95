// SPDX-License-Identifier: GPL-2.0
/*
 * Stages with parameters from a model file: "pca:file=PATH[,op=N]" and
 * "zscore:file=PATH[,op=N]". Model files written with the builder into a
 * temporary directory; checks the op each spec picks, dimensions and
 * canonical specs (re-parseable, with the resolved op), the projection
 * against a double-precision computation, in place and in a chain, that
 * the stage keeps its own copy of the parameters, and every error with
 * its errno and message: missing, corrupt or non-regular file, no op of
 * the type, op=N of another type or out of range, in_dim not the op's,
 * file= with mean= or std=, op= without file=. The NumPy/scikit-learn
 * references are in tests/unit/stage_ref.c (tests/stages/gen_ref.py).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <edgeai/model.h>
#include <edgeai/stage.h>

#include "edgeai_test.h"

#define D	4	/* input dim of the pca file */
#define K	2	/* its components */

static char dir[] = "/tmp/edgeai-stage-pca-XXXXXX";
static char p_pca[256], p_multi[256], p_nopca[256], p_bad[256];
static char p_short[256], p_missing[256];
static char msg[1024];

/* pca.st: one pca op, d = 4, k = 2. */
static const float pca_mean[D] = { 1.0f, -2.0f, 0.5f, 3.0f };
static const float pca_comp[K * D] = {
	0.5f, 0.5f, 0.5f, 0.5f,
	0.7f, -0.1f, 0.0f, -0.7f,
};

/* multi.st: standardize(4), pca(k 3), dense(2 x 3), pca(k 1, d 2). */
static const float m_mean[D] = { 10.0f, 20.0f, 30.0f, 40.0f };
static const float m_std[D] = { 2.0f, 4.0f, 0.5f, 8.0f };
static const float m_pmean[D] = { 0.1f, 0.2f, 0.3f, 0.4f };
static const float m_comp[3 * D] = {
	1, 0, 0, 0,
	0, 0.6f, 0.8f, 0,
	0.25f, -0.25f, 0.25f, -0.25f,
};
static const float m_w[2 * 3] = { 1, 2, 3, -1, -2, -3 };
static const float m_b[2] = { 0.5f, -0.5f };
static const float m_p2mean[2] = { 1, 1 };
static const float m_p2comp[2] = { 0.6f, 0.8f };

static int make(const char *spec, uint32_t in_dim, struct edgeai_stage **st)
{
	struct edgeai_stage_opts o = {
		.sz = sizeof(o), .errbuf = msg, .errbuf_len = sizeof(msg),
	};

	strcpy(msg, "stale");
	return edgeai_stage_new(spec, in_dim, &o, st);
}

static void write_model(struct edgeai_model_builder *b, const char *path)
{
	if (edgeai_model_builder_write(b, path))
		T_FAILF("%s: %s", path, edgeai_model_builder_error(b));
	edgeai_model_builder_free(b);
}

static void write_bytes(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	T_ASSERT(f && fwrite(buf, 1, len, f) == len && !fclose(f));
}

static void setup(void)
{
	struct edgeai_model_builder *b;
	static const float nmean[D] = { 0 }, nstd[D] = { 1, 1, 1, 1 };
	static const float w[D] = { 1, 1, 1, 1 };
	void *buf;
	size_t len;

	T_ASSERT(mkdtemp(dir));
	snprintf(p_pca, sizeof(p_pca), "%s/pca.st", dir);
	snprintf(p_multi, sizeof(p_multi), "%s/multi.st", dir);
	snprintf(p_nopca, sizeof(p_nopca), "%s/nopca.st", dir);
	snprintf(p_bad, sizeof(p_bad), "%s/corrupt.st", dir);
	snprintf(p_short, sizeof(p_short), "%s/truncated.st", dir);
	snprintf(p_missing, sizeof(p_missing), "%s/missing.st", dir);

	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_pca(b, pca_mean, pca_comp, K, D) == 0);
	write_model(b, p_pca);

	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_standardize(b, m_mean, m_std, D) == 0);
	T_ASSERT(edgeai_model_builder_add_pca(b, m_pmean, m_comp, 3, D) == 0);
	T_ASSERT(edgeai_model_builder_add_dense(b, m_w, m_b, 2, 3,
						EDGEAI_MODEL_ACT_RELU) == 0);
	T_ASSERT(edgeai_model_builder_add_pca(b, m_p2mean, m_p2comp, 1, 2) == 0);
	write_model(b, p_multi);

	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_standardize(b, nmean, nstd, D) == 0);
	T_ASSERT(edgeai_model_builder_add_dense(b, w, NULL, 1, D,
						EDGEAI_MODEL_ACT_IDENTITY) == 0);
	write_model(b, p_nopca);

	write_bytes(p_bad, "this is not a safetensors file\n", 31);
	/* A valid file cut short. */
	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_pca(b, pca_mean, pca_comp, K, D) == 0);
	T_ASSERT(edgeai_model_builder_write_mem(b, &buf, &len) == 0);
	edgeai_model_builder_free(b);
	write_bytes(p_short, buf, len - 5);
	free(buf);
}

static void cleanup(void)
{
	unlink(p_pca);
	unlink(p_multi);
	unlink(p_nopca);
	unlink(p_bad);
	unlink(p_short);
	rmdir(dir);
}

/* What the loader says about @path, for the messages that carry it. */
static void loader_msg(const char *path, char *buf, size_t len)
{
	struct edgeai_model_load_opts o = {
		.sz = sizeof(o), .err = buf, .errlen = len,
	};
	struct edgeai_model *m = NULL;

	T_CHECK(edgeai_model_load(path, &o, &m) < 0);
	edgeai_model_free(m);
}

/* Spec, stage name, in/out dims, canonical spec; re-parse gives the same. */
static struct edgeai_stage *check_valid(const char *spec, uint32_t in_dim,
					const char *name, uint32_t out_dim,
					const char *canon)
{
	struct edgeai_stage *st = NULL, *again = NULL;
	char buf[512], buf2[512];

	if (make(spec, in_dim, &st)) {
		T_FAILF("'%s': %s", spec, msg);
		return NULL;
	}
	T_STREQ(msg, "");
	T_STREQ(edgeai_stage_name(st), name);
	T_EQ(edgeai_stage_in_dim(st), in_dim);
	T_EQ(edgeai_stage_out_dim(st), out_dim);
	T_EQ(edgeai_stage_spec(st, buf, sizeof(buf)), strlen(canon));
	T_STREQ(buf, canon);
	T_EQ(make(buf, in_dim, &again), 0);
	edgeai_stage_spec(again, buf2, sizeof(buf2));
	T_STREQ(buf2, canon);
	T_EQ(edgeai_stage_out_dim(again), out_dim);
	edgeai_stage_free(again);
	return st;
}

/* y = comp (x - mean) in double; max |got - want| over the rows. */
static double pca_err(const float *x, const float *y, uint32_t n,
		      const float *mean, const float *comp, uint32_t d,
		      uint32_t k)
{
	double worst = 0, want;
	uint32_t r, i, j;

	for (r = 0; r < n; r++) {
		for (j = 0; j < k; j++) {
			want = 0;
			for (i = 0; i < d; i++)
				want += (double)comp[j * d + i] *
					((double)x[r * d + i] - mean[i]);
			worst = fmax(worst, fabs(y[r * k + j] - want));
		}
	}
	return worst;
}

static void check_pca(void)
{
	float x[8 * D], y[8 * D], z[8 * D], zx[8 * D], proj[8 * 3];
	struct edgeai_stage *st, *zs, *inl = NULL, *chain[2];
	char canon[512], spec[512], tmp[300];
	float *outp;
	uint32_t i, od, md;
	double c0;

	for (i = 0; i < 8 * D; i++)
		x[i] = (float)((int)(i * 7 % 13) - 6) * 0.75f + (float)(i % D);

	/* The only op, named or found: the canonical spec names it. */
	snprintf(canon, sizeof(canon), "pca:file=%s,op=0", p_pca);
	st = check_valid(canon, D, "pca", K, canon);
	edgeai_stage_free(st);
	snprintf(spec, sizeof(spec), "pca:file=%s", p_pca);
	st = check_valid(spec, D, "pca", K, canon);
	T_ASSERT(st);
	T_EQ(edgeai_stage_run(st, x, 8, NULL, NULL, y), 8);
	T_CHECK(pca_err(x, y, 8, pca_mean, pca_comp, D, K) <= 1e-5);
	/* Output 0 of row 0 by hand: 0.5 times the sum of x - mean. */
	c0 = 0.5 * (((double)x[0] - 1.0) + ((double)x[1] + 2.0) +
		    ((double)x[2] - 0.5) + ((double)x[3] - 3.0));
	T_CHECK(fabs(y[0] - c0) <= 1e-5);
	/* In place (k <= d): the same values. */
	memcpy(z, x, sizeof(x));
	T_EQ(edgeai_stage_run(st, z, 8, NULL, NULL, z), 8);
	T_CHECK(!memcmp(z, y, 8 * K * sizeof(float)));
	/* The stage keeps its own copy: the file may go away. */
	snprintf(tmp, sizeof(tmp), "%s.gone", p_pca);
	T_ASSERT(rename(p_pca, tmp) == 0);
	memset(z, 0, sizeof(z));
	T_EQ(edgeai_stage_run(st, x, 8, NULL, NULL, z), 8);
	T_CHECK(!memcmp(z, y, 8 * K * sizeof(float)));
	T_ASSERT(rename(tmp, p_pca) == 0);
	edgeai_stage_free(st);

	/* multi.st: the first pca is op 1; op=3 is the other (d 2, k 1). */
	snprintf(canon, sizeof(canon), "pca:file=%s,op=1", p_multi);
	snprintf(spec, sizeof(spec), "pca:file=%s", p_multi);
	st = check_valid(spec, D, "pca", 3, canon);
	edgeai_stage_free(st);
	snprintf(spec, sizeof(spec), "pca:op=3,file=%s", p_multi);
	snprintf(canon, sizeof(canon), "pca:file=%s,op=3", p_multi);
	st = check_valid(spec, 2, "pca", 1, canon);
	T_ASSERT(st);
	T_EQ(edgeai_stage_run(st, x, 4, NULL, NULL, y), 4);
	T_CHECK(pca_err(x, y, 4, m_p2mean, m_p2comp, 2, 1) <= 1e-5);
	edgeai_stage_free(st);

	/* zscore from op 0, then pca from op 1: a chain. */
	snprintf(spec, sizeof(spec), "zscore:file=%s", p_multi);
	snprintf(canon, sizeof(canon), "zscore:file=%s,op=0", p_multi);
	zs = check_valid(spec, D, "zscore", D, canon);
	snprintf(spec, sizeof(spec), "pca:file=%s,op=1", p_multi);
	st = check_valid(spec, D, "pca", 3, spec);
	T_ASSERT(zs && st);
	chain[0] = zs;
	chain[1] = st;
	T_EQ(edgeai_stage_chain_dims(chain, 2, &od, &md), 0);
	T_EQ(od, 3);
	T_EQ(md, D);
	T_EQ(edgeai_stage_chain_run(chain, 2, x, 8, NULL, NULL, y, z, &outp), 8);
	memcpy(proj, outp, sizeof(proj));
	/* zscore from the file = zscore with the same numbers inline. */
	T_EQ(make("zscore:mean=10|20|30|40,std=2|4|0.5|8", D, &inl), 0);
	T_EQ(edgeai_stage_run(inl, x, 8, NULL, NULL, zx), 8);
	T_EQ(edgeai_stage_run(zs, x, 8, NULL, NULL, y), 8);
	T_CHECK(!memcmp(zx, y, sizeof(zx)));
	T_CHECK(pca_err(zx, proj, 8, m_pmean, m_comp, D, 3) <= 1e-5);
	edgeai_stage_free(inl);
	edgeai_stage_free(zs);
	edgeai_stage_free(st);

	/* zscore with op 0 named. */
	snprintf(spec, sizeof(spec), "zscore:op=0,file=%s", p_multi);
	snprintf(canon, sizeof(canon), "zscore:file=%s,op=0", p_multi);
	zs = check_valid(spec, D, "zscore", D, canon);
	edgeai_stage_free(zs);
}

static void check_error(const char *spec, uint32_t in_dim, int err,
			const char *want)
{
	struct edgeai_stage *st = (struct edgeai_stage *)&st;

	T_ERRNO(make(spec, in_dim, &st), err);
	T_CHECK(st == (struct edgeai_stage *)&st);
	t_checks++;
	if (strcmp(msg, want))
		T_FAILF("'%s': message\n  \"%s\", want\n  \"%s\"", spec, msg,
			want);
}

static void check_errors(void)
{
	char spec[PATH_MAX + 64], want[1024], lmsg[EDGEAI_MODEL_ERR_LEN];
	char longp[200];
	size_t n;

	/* Missing file: the loader's message after the key and the path. */
	snprintf(spec, sizeof(spec), "pca:file=%s", p_missing);
	snprintf(want, sizeof(want), "key 'file': '%s': cannot open: %s",
		 p_missing, strerror(ENOENT));
	check_error(spec, D, EINVAL, want);
	snprintf(spec, sizeof(spec), "zscore:file=%s", p_missing);
	check_error(spec, D, EINVAL, want);
	/* Corrupt and truncated files. */
	loader_msg(p_bad, lmsg, sizeof(lmsg));
	T_CHECK(lmsg[0]);
	snprintf(spec, sizeof(spec), "pca:file=%s", p_bad);
	snprintf(want, sizeof(want), "key 'file': '%s': %s", p_bad, lmsg);
	check_error(spec, D, EINVAL, want);
	loader_msg(p_short, lmsg, sizeof(lmsg));
	T_CHECK(lmsg[0]);
	snprintf(spec, sizeof(spec), "pca:file=%s", p_short);
	snprintf(want, sizeof(want), "key 'file': '%s': %s", p_short, lmsg);
	check_error(spec, D, EINVAL, want);
	/* A directory. */
	snprintf(spec, sizeof(spec), "pca:file=%s", dir);
	snprintf(want, sizeof(want), "key 'file': '%s': not a regular file", dir);
	check_error(spec, D, EINVAL, want);
	/* No op of the type. */
	snprintf(spec, sizeof(spec), "pca:file=%s", p_nopca);
	snprintf(want, sizeof(want), "key 'file': '%s' has no pca op (ops: standardize, dense)",
		 p_nopca);
	check_error(spec, D, EINVAL, want);
	snprintf(spec, sizeof(spec), "zscore:file=%s", p_pca);
	snprintf(want, sizeof(want), "key 'file': '%s' has no standardize op (ops: pca)",
		 p_pca);
	check_error(spec, D, EINVAL, want);
	/* op=N of another type, or past the last op. */
	snprintf(spec, sizeof(spec), "pca:file=%s,op=2", p_multi);
	snprintf(want, sizeof(want), "key 'op': op 2 of '%s' is a dense op, not pca",
		 p_multi);
	check_error(spec, D, EINVAL, want);
	snprintf(spec, sizeof(spec), "pca:file=%s,op=0", p_multi);
	snprintf(want, sizeof(want), "key 'op': op 0 of '%s' is a standardize op, not pca",
		 p_multi);
	check_error(spec, D, EINVAL, want);
	snprintf(spec, sizeof(spec), "zscore:op=1,file=%s", p_multi);
	snprintf(want, sizeof(want), "key 'op': op 1 of '%s' is a pca op, not standardize",
		 p_multi);
	check_error(spec, D, EINVAL, want);
	snprintf(spec, sizeof(spec), "pca:file=%s,op=4", p_multi);
	snprintf(want, sizeof(want), "key 'op': 4 is out of range: '%s' has 4 ops (0..3)",
		 p_multi);
	check_error(spec, D, EINVAL, want);
	snprintf(spec, sizeof(spec), "pca:file=%s,op=1", p_pca);
	snprintf(want, sizeof(want), "key 'op': 1 is out of range: '%s' has 1 op (0..0)",
		 p_pca);
	check_error(spec, D, EINVAL, want);
	check_error("pca:file=x.st,op=-1", D, EINVAL,
		    "key 'op': '-1' is not an unsigned integer");
	check_error("pca:file=x.st,op=1024", D, EINVAL,
		    "key 'op': 1024 is out of range 0..1023");
	/* in_dim not the op's. */
	snprintf(spec, sizeof(spec), "pca:file=%s", p_pca);
	snprintf(want, sizeof(want), "key 'file': op 0 (pca) of '%s' takes rows of 4 values but in_dim is 3",
		 p_pca);
	check_error(spec, 3, EINVAL, want);
	snprintf(spec, sizeof(spec), "pca:file=%s,op=3", p_multi);
	snprintf(want, sizeof(want), "key 'file': op 3 (pca) of '%s' takes rows of 2 values but in_dim is 4",
		 p_multi);
	check_error(spec, D, EINVAL, want);
	snprintf(spec, sizeof(spec), "zscore:file=%s", p_multi);
	snprintf(want, sizeof(want), "key 'file': op 0 (standardize) of '%s' takes rows of 4 values but in_dim is 5",
		 p_multi);
	check_error(spec, 5, EINVAL, want);
	/* file= with the statistics it replaces; op= without file=. */
	snprintf(spec, sizeof(spec), "zscore:file=%s,mean=0", p_multi);
	check_error(spec, D, EINVAL,
		    "stage 'zscore': key 'file' and key 'mean' exclude each other (statistics come from the file or from the spec)");
	snprintf(spec, sizeof(spec), "zscore:std=1|2|3|4,file=%s", p_multi);
	check_error(spec, D, EINVAL,
		    "stage 'zscore': key 'file' and key 'std' exclude each other (statistics come from the file or from the spec)");
	check_error("zscore:mean=0,std=1,op=0", D, EINVAL,
		    "stage 'zscore': key 'op' needs key 'file'");
	check_error("pca:op=0", D, EINVAL, "stage 'pca': key 'op' needs key 'file'");
	/* Spec errors of pca. */
	check_error("pca", D, EINVAL, "stage 'pca' needs key 'file'");
	check_error("pca:file=", D, EINVAL, "stage 'pca': key 'file' has an empty value");
	check_error("pca:file=a,file=b", D, EINVAL, "stage 'pca': key 'file' given twice");
	check_error("pca:file=a,op=0,op=1", D, EINVAL, "stage 'pca': key 'op' given twice");
	check_error("pca:mean=1", D, EINVAL, "stage 'pca' has no key 'mean' (keys: file, op)");
	check_error("scale:file=x", D, EINVAL, "stage 'scale' has no key 'file' (keys: mul, add)");
	/* A path too long for the system, and a long one quoted by its end. */
	strcpy(spec, "pca:file=/");
	n = strlen(spec);
	memset(spec + n, 'a', PATH_MAX);
	spec[n + PATH_MAX] = '\0';
	check_error(spec, D, EINVAL,
		    "key 'file': '/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is too long for a path (4095 characters at most)");
	memset(longp, 'b', sizeof(longp));
	memcpy(longp, "/nonexistent/", 13);
	strcpy(longp + 150, "/end.st");
	snprintf(spec, sizeof(spec), "pca:file=%s", longp);
	snprintf(want, sizeof(want), "key 'file': '...%s': cannot open: %s",
		 longp + strlen(longp) - 60, strerror(ENOENT));
	check_error(spec, D, EINVAL, want);
}

int main(void)
{
	setup();
	check_pca();
	check_errors();
	cleanup();
	return t_done();
}
