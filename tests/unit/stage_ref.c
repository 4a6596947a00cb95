// SPDX-License-Identifier: GPL-2.0
/*
 * Preprocessing stages against NumPy: tests/stages/gen_ref.py writes
 * inputs and expected outputs (every clean policy on NaN/Inf patterns,
 * windows of n = 1..1024 with emit always/full, large offsets, zscore and
 * scale, chains, the iris and diabetes datasets, keys beyond capacity,
 * zscore and pca from model files holding scikit-learn's StandardScaler
 * and PCA); this runs the C stages on them and compares:
 *
 *   |got - want| <= 1e-5 * max(1, |want|)	(absolute below 1, relative above)
 *   |got - want| <= atol			(cases with an "atol" line: pca)
 *   NaN exactly where NaN is wanted, infinities equal,
 *   the same rows (input ids and keys) and the same counters.
 *
 * Each case runs three ways: the whole stream in one call, in batches of
 * 1, 2, 3, 5, 8, 13, 64 rows (state must carry over), and, for one-stage
 * cases whose rows do not grow, in place (out == x).
 */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <edgeai/stage.h>

#include "edgeai_test.h"

#define TOL		1e-5
#define MAX_STAGES	8
#define NSTATS		9

struct ref_case {
	char name[64];
	uint32_t in_dim, max_keys, n_in, n_out, out_dim;
	uint32_t nstages;
	char spec[MAX_STAGES][4096];
	uint64_t stats[MAX_STAGES][NSTATS];
	double atol;		/* 0: the relative limit TOL */
	float *x, *y;
	uint32_t *keys, *ids;
};

enum run_mode { MODE_ONE_CALL, MODE_BATCHES, MODE_IN_PLACE, MODE_COUNT };

static const char *const mode_names[MODE_COUNT] = {
	"one call", "batches", "in place",
};

static char refdir[] = "/tmp/edgeai-stage-ref-XXXXXX";

static void *load(const char *name, const char *ext, size_t want)
{
	char path[512];
	void *buf = malloc(want ? want : 1);
	FILE *f;
	size_t got;

	snprintf(path, sizeof(path), "%s/%s.%s", refdir, name, ext);
	f = fopen(path, "rb");
	T_ASSERT(f && buf);
	got = fread(buf, 1, want, f);
	if (got != want || fgetc(f) != EOF)
		T_FAILF("%s: expected %zu bytes", path, want);
	fclose(f);
	return buf;
}

static void load_data(struct ref_case *c)
{
	c->x = load(c->name, "x", (size_t)c->n_in * c->in_dim * 4);
	c->keys = load(c->name, "keys", (size_t)c->n_in * 4);
	c->y = load(c->name, "y", (size_t)c->n_out * c->out_dim * 4);
	c->ids = load(c->name, "ids", (size_t)c->n_out * 4);
}

static void free_data(struct ref_case *c)
{
	free(c->x);
	free(c->y);
	free(c->keys);
	free(c->ids);
}

/* One manifest block; 0 at the end of the file. */
static int read_case(FILE *f, struct ref_case *c)
{
	char line[8192];
	uint64_t *s;
	unsigned int i;

	memset(c, 0, sizeof(*c));
	if (!fgets(line, sizeof(line), f))
		return 0;
	T_ASSERT(sscanf(line, "case %63s %u %u %u %u %u", c->name, &c->in_dim,
			&c->max_keys, &c->n_in, &c->n_out, &c->out_dim) == 6);
	while (fgets(line, sizeof(line), f) && strcmp(line, "end\n")) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "stage ", 6)) {
			T_ASSERT(c->nstages < MAX_STAGES &&
				 strlen(line + 6) < sizeof(c->spec[0]));
			strcpy(c->spec[c->nstages++], line + 6);
			continue;
		}
		if (!strncmp(line, "atol ", 5)) {
			T_ASSERT(sscanf(line, "atol %lf", &c->atol) == 1 &&
				 c->atol > 0);
			continue;
		}
		T_ASSERT(sscanf(line, "stats %u", &i) == 1 && i < MAX_STAGES);
		s = c->stats[i];
		T_ASSERT(sscanf(line, "stats %*u %lu %lu %lu %lu %lu %lu %lu %lu %lu",
				&s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6],
				&s[7], &s[8]) == NSTATS);
	}
	return 1;
}

/*
 * Compare one value; returns its error in the units of TOL, or the
 * absolute error when @abs.
 */
static double value_err(float got, float want, int abs)
{
	if (isnan(want))
		return isnan(got) ? 0 : INFINITY;
	if (isinf(want))
		return got == want ? 0 : INFINITY;
	if (!isfinite(got))
		return INFINITY;
	return fabs((double)got - want) /
	       (abs ? 1.0 : fmax(1.0, fabs((double)want)));
}

struct result {
	float *y;
	uint32_t *keys, *ids;
	uint32_t rows;
};

static int new_stages(const struct ref_case *c, struct edgeai_stage **st)
{
	char msg[256];
	struct edgeai_stage_opts o = {
		.sz = sizeof(o), .max_keys = c->max_keys,
		.errbuf = msg, .errbuf_len = sizeof(msg),
	};
	uint32_t i, dim = c->in_dim;

	for (i = 0; i < c->nstages; i++) {
		if (edgeai_stage_new(c->spec[i], dim, &o, &st[i])) {
			T_FAILF("%s: '%s': %s", c->name, c->spec[i], msg);
			return -1;
		}
		dim = edgeai_stage_out_dim(st[i]);
	}
	return 0;
}

/* Run rows [off, off + n) of the case; append the output to @r. */
static void run_batch(const struct ref_case *c, struct edgeai_stage **st,
		      enum run_mode mode, uint32_t off, uint32_t n,
		      float *buf_a, float *buf_b, struct result *r)
{
	uint32_t *keys = r->keys + r->rows, *ids = r->ids + r->rows, i;
	const float *x = c->x + (size_t)off * c->in_dim;
	float *out = buf_a;
	int got;

	for (i = 0; i < n; i++) {
		keys[i] = c->keys[off + i];
		ids[i] = off + i;
	}
	if (mode == MODE_IN_PLACE) {
		memcpy(buf_a, x, (size_t)n * c->in_dim * sizeof(float));
		got = edgeai_stage_run(st[0], buf_a, n, keys, ids, buf_a);
	} else if (c->nstages == 1) {
		got = edgeai_stage_run(st[0], x, n, keys, ids, buf_a);
	} else {
		got = edgeai_stage_chain_run(st, c->nstages, x, n, keys, ids,
					     buf_a, buf_b, &out);
	}
	T_ASSERT(got >= 0 && (uint32_t)got <= n);
	memcpy(r->y + (size_t)r->rows * c->out_dim, out,
	       (size_t)got * c->out_dim * sizeof(float));
	r->rows += (uint32_t)got;
}

static void check_stats(const struct ref_case *c, struct edgeai_stage **st,
			const char *mode)
{
	struct edgeai_stage_stats s = { .sz = sizeof(s) };
	uint32_t i;

	for (i = 0; i < c->nstages; i++) {
		uint64_t got[NSTATS];

		T_EQ(edgeai_stage_stats(st[i], &s), 0);
		got[0] = s.rows_in;
		got[1] = s.rows_out;
		got[2] = s.drop_missing;
		got[3] = s.drop_keys;
		got[4] = s.drop_warmup;
		got[5] = s.nan_values;
		got[6] = s.inf_values;
		got[7] = s.imputed;
		got[8] = s.keys;
		t_checks++;
		if (memcmp(got, c->stats[i], sizeof(got)))
			T_FAILF("%s (%s) stage %u: counters in/out/missing/keys/warmup/nan/inf/imputed/nkeys %lu %lu %lu %lu %lu %lu %lu %lu %lu, want %lu %lu %lu %lu %lu %lu %lu %lu %lu",
				c->name, mode, i, got[0], got[1], got[2], got[3],
				got[4], got[5], got[6], got[7], got[8],
				c->stats[i][0], c->stats[i][1], c->stats[i][2],
				c->stats[i][3], c->stats[i][4], c->stats[i][5],
				c->stats[i][6], c->stats[i][7], c->stats[i][8]);
		T_EQ(s.rows_in, s.rows_out + s.drop_missing + s.drop_keys +
		     s.drop_warmup);
	}
}

static double compare(const struct ref_case *c, const struct result *r,
		      const char *mode)
{
	size_t i, n = (size_t)c->n_out * c->out_dim;
	double e, worst = 0, tol = c->atol > 0 ? c->atol : TOL;
	int shown = 0;
	uint32_t j;

	T_EQ(r->rows, c->n_out);
	if (r->rows != c->n_out)
		return INFINITY;
	t_checks++;
	for (j = 0; j < c->n_out; j++) {
		if (r->ids[j] != c->ids[j] || r->keys[j] != c->keys[c->ids[j]]) {
			T_FAILF("%s (%s): output row %u is input %u key %u, want input %u key %u",
				c->name, mode, j, r->ids[j], r->keys[j],
				c->ids[j], c->keys[c->ids[j]]);
			return INFINITY;
		}
	}
	for (i = 0; i < n; i++) {
		e = value_err(r->y[i], c->y[i], c->atol > 0);
		if (e > tol && shown++ < 5)
			T_FAILF("%s (%s): row %zu col %zu: got %.9g, want %.9g",
				c->name, mode, i / c->out_dim, i % c->out_dim,
				(double)r->y[i], (double)c->y[i]);
		worst = fmax(worst, e);
	}
	t_checks++;
	if (shown)
		T_FAILF("%s (%s): %d values off, worst error %g", c->name, mode,
			shown, worst);
	return worst;
}

static double run_case(const struct ref_case *c, enum run_mode mode)
{
	static const uint32_t batches[] = { 1, 2, 3, 5, 8, 13, 64 };
	struct edgeai_stage *st[MAX_STAGES] = { NULL };
	struct result r = { NULL, NULL, NULL, 0 };
	uint32_t max_dim = 0, out_dim = 0, off, n, b = 0, i;
	float *buf_a = NULL, *buf_b = NULL;
	double worst = INFINITY;

	if (new_stages(c, st))
		goto out;
	T_EQ(edgeai_stage_chain_dims(st, c->nstages, &out_dim, &max_dim), 0);
	T_EQ(out_dim, c->out_dim);
	buf_a = calloc((size_t)c->n_in * max_dim + 1, sizeof(float));
	buf_b = calloc((size_t)c->n_in * max_dim + 1, sizeof(float));
	r.y = calloc((size_t)c->n_in * c->out_dim + 1, sizeof(float));
	r.keys = calloc(c->n_in + 1, sizeof(uint32_t));
	r.ids = calloc(c->n_in + 1, sizeof(uint32_t));
	T_ASSERT(buf_a && buf_b && r.y && r.keys && r.ids);
	for (off = 0; off < c->n_in; off += n) {
		n = c->n_in - off;
		if (mode != MODE_ONE_CALL && n > batches[b % 7])
			n = batches[b++ % 7];
		run_batch(c, st, mode, off, n, buf_a, buf_b, &r);
	}
	worst = compare(c, &r, mode_names[mode]);
	check_stats(c, st, mode_names[mode]);
out:
	for (i = 0; i < c->nstages; i++)
		edgeai_stage_free(st[i]);
	free(buf_a);
	free(buf_b);
	free(r.y);
	free(r.keys);
	free(r.ids);
	return worst;
}

static void remove_refdir(void)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(refdir);

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", refdir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(refdir);
}

static void generate(void)
{
	const char *src = getenv("EDGEAI_SRC");
	char cmd[1024];
	int rc;

	T_ASSERT(mkdtemp(refdir));
	atexit(remove_refdir);
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 '%s/tests/stages/gen_ref.py' '%s'",
		 src ? src : ".", refdir);
	rc = system(cmd);
	if (WIFEXITED(rc) && WEXITSTATUS(rc) == T_SKIP)
		t_skip("tests/stages/gen_ref.py needs numpy and scikit-learn (scripts/deps.sh)");
	if (rc) {
		T_FAILF("'%s' failed (status %d)", cmd, rc);
		exit(t_done());
	}
}

int main(void)
{
	struct ref_case c;
	char path[512];
	int ncases = 0, npca = 0, m, nmodes;
	double worst;
	FILE *f;

	generate();
	snprintf(path, sizeof(path), "%s/manifest.txt", refdir);
	f = fopen(path, "r");
	T_ASSERT(f);
	while (read_case(f, &c)) {
		load_data(&c);
		nmodes = c.nstages == 1 && c.out_dim <= c.in_dim ? 3 : 2;
		printf("%-26s", c.name);
		for (m = 0; m < nmodes; m++) {
			worst = run_case(&c, (enum run_mode)m);
			printf(" %s: %.2g", mode_names[m], worst);
		}
		printf("%s\n", c.atol > 0 ? " (absolute)" : "");
		npca += c.atol > 0;
		free_data(&c);
		ncases++;
	}
	fclose(f);
	T_CHECK(ncases >= 50);
	T_CHECK(npca >= 6);
	printf("%d cases; error = |got - want| / max(1, |want|), limit %g; %d of them absolute, limit given by the case\n",
	       ncases, TOL, npca);
	return t_done();
}
