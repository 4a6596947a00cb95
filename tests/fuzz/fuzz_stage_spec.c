// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the stage spec parser (userspace/lib/stage_spec.c),
 * the input parser that config files feed, with the stage code compiled
 * in (this Makefile links no library).
 *
 * Input: byte 0 picks in_dim (1..8), byte 1 max_keys (1..8), the rest up
 * to the first NUL is the spec, copied into a heap buffer of exactly its
 * size so AddressSanitizer reports any read past its end. Invariants
 * (a violation aborts, which libFuzzer saves as a crash):
 *
 *  - edgeai_stage_new() returns 0, -EINVAL, -E2BIG or -ENOMEM; a failure
 *    leaves a non-empty, NUL-terminated message (also in a 7-byte buffer)
 *    and *stagep unchanged;
 *  - a stage has a known name and out_dim = in_dim (or in_dim times 1..6
 *    features for a window); its canonical spec reads back as a stage
 *    with the same canonical spec and dimensions;
 *  - both run a batch with NaN, Inf and more keys than slots to the same
 *    bits; no more rows out than in; counters add up; cleaned rows are
 *    finite.
 *
 *   build/fuzz/fuzz_stage_spec tests/fuzz/corpus/stage_spec   # make fuzz
 *   build/fuzz/fuzz_stage_spec FILE...                          # replay
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../userspace/lib/stage.c"
#include "../../userspace/lib/stage_file.c"
#include "../../userspace/lib/stage_ops.c"
#include "../../userspace/lib/stage_spec.c"

/*
 * file= specs (zscore, pca) load a model file: the loader is fuzz_model's,
 * so here it is a stub that finds no file, and such specs take the
 * "cannot open" path of stage_file.c.
 */
int edgeai_model_load(const char *path,
		      const struct edgeai_model_load_opts *opts,
		      struct edgeai_model **modelp)
{
	(void)path;
	(void)modelp;
	if (opts && opts->err && opts->errlen)
		snprintf(opts->err, opts->errlen, "cannot open: %s",
			 strerror(ENOENT));
	return -ENOENT;
}

void edgeai_model_free(struct edgeai_model *model)
{
	(void)model;
}

uint32_t edgeai_model_op_count(const struct edgeai_model *model)
{
	(void)model;
	return 0;
}

int edgeai_model_op_info(const struct edgeai_model *model, uint32_t i,
			 struct edgeai_model_op_info *info)
{
	(void)model;
	(void)i;
	(void)info;
	return -ENOENT;
}

#define ROWS	24
#define MAXDIM	8

static void fail(const char *what, const char *spec)
{
	fprintf(stderr, "fuzz_stage_spec: invariant broken: %s (spec \"%s\")\n",
		what, spec);
	abort();
}

#define CHECK(cond, spec) \
	do { if (!(cond)) fail(#cond, spec); } while (0)

static void batch(float *x, uint32_t *keys, uint32_t *ids, uint32_t dim)
{
	uint32_t i, c;

	for (i = 0; i < ROWS; i++) {
		keys[i] = i % 11;
		ids[i] = i;
		for (c = 0; c < dim; c++)
			x[i * dim + c] = (float)(i * 3 + c) * 0.5f - 7.0f;
	}
	x[1 * dim] = NAN;
	x[4 * dim + dim - 1] = INFINITY;
	x[9 * dim] = -INFINITY;
}

struct run_out {
	float out[ROWS * MAXDIM * FEAT_COUNT];
	uint32_t keys[ROWS], ids[ROWS];
	int n;
};

static void run(struct edgeai_stage *st, struct run_out *r, const char *spec)
{
	struct edgeai_stage_stats s = { .sz = sizeof(s) };
	float x[ROWS * MAXDIM];
	uint32_t i, d = st->out_dim;

	memset(r, 0, sizeof(*r));
	batch(x, r->keys, r->ids, st->in_dim);
	r->n = edgeai_stage_run(st, x, ROWS, r->keys, r->ids, r->out);
	CHECK(r->n >= 0 && r->n <= ROWS, spec);
	CHECK(edgeai_stage_stats(st, &s) == 0, spec);
	CHECK(s.rows_in == ROWS && s.rows_out == (uint64_t)r->n, spec);
	CHECK(s.rows_in == s.rows_out + s.drop_missing + s.drop_keys +
	      s.drop_warmup, spec);
	CHECK(s.keys <= s.max_keys, spec);
	for (i = 1; i < (uint32_t)r->n; i++)
		CHECK(r->ids[i] > r->ids[i - 1], spec);
	for (i = 0; i < (uint32_t)r->n; i++)
		CHECK(r->keys[i] == r->ids[i] % 11, spec);
	for (i = 0; i < (uint32_t)r->n * d && st->kind == STAGE_CLEAN; i++)
		CHECK(isfinite(r->out[i]), spec);
}

static void check_stage(struct edgeai_stage *st, const char *spec,
			uint32_t in_dim, uint32_t max_keys)
{
	struct edgeai_stage_opts o = { .sz = sizeof(o), .max_keys = max_keys };
	static struct run_out r1, r2;
	struct edgeai_stage *again = NULL;
	const char *name = edgeai_stage_name(st);
	char canon[1024], canon2[1024];
	uint32_t od = edgeai_stage_out_dim(st);
	int len;

	CHECK(!strcmp(name, "clean") || !strcmp(name, "window") ||
	      !strcmp(name, "zscore") || !strcmp(name, "scale"), spec);
	CHECK(od % in_dim == 0 && od / in_dim >= 1 && od / in_dim <= 6, spec);
	CHECK(od == in_dim || !strcmp(name, "window"), spec);
	len = edgeai_stage_spec(st, canon, sizeof(canon));
	CHECK(len > 0 && (size_t)len < sizeof(canon) &&
	      strlen(canon) == (size_t)len, spec);
	CHECK(edgeai_stage_new(canon, in_dim, &o, &again) == 0, spec);
	CHECK(edgeai_stage_out_dim(again) == od, spec);
	edgeai_stage_spec(again, canon2, sizeof(canon2));
	CHECK(!strcmp(canon, canon2), spec);
	run(st, &r1, spec);
	run(again, &r2, spec);
	CHECK(r1.n == r2.n, spec);
	CHECK(!memcmp(r1.keys, r2.keys, sizeof(r1.keys)) &&
	      !memcmp(r1.ids, r2.ids, sizeof(r1.ids)), spec);
	CHECK(!memcmp(r1.out, r2.out, (size_t)r1.n * od * sizeof(float)), spec);
	edgeai_stage_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct edgeai_stage *sentinel = (struct edgeai_stage *)&sentinel;
	struct edgeai_stage *st = sentinel;
	struct edgeai_stage_opts o = { .sz = sizeof(o) };
	char msg[256], tiny[7];
	uint32_t in_dim, max_keys;
	size_t len;
	char *spec;
	int rc;

	if (size < 2)
		return 0;
	in_dim = 1 + (data[0] & 7);
	max_keys = 1 + (data[1] & 7);
	len = strnlen((const char *)data + 2, size - 2);
	spec = malloc(len + 1);
	if (!spec)
		return 0;
	memcpy(spec, data + 2, len);
	spec[len] = '\0';

	o.max_keys = max_keys;
	o.errbuf = msg;
	o.errbuf_len = sizeof(msg);
	memset(msg, 'x', sizeof(msg));
	rc = edgeai_stage_new(spec, in_dim, &o, &st);
	CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG || rc == -ENOMEM, spec);
	CHECK(memchr(msg, '\0', sizeof(msg)), spec);
	if (rc) {
		CHECK(st == sentinel && msg[0], spec);
		o.errbuf = tiny;
		o.errbuf_len = sizeof(tiny);
		memset(tiny, 'x', sizeof(tiny));
		CHECK(edgeai_stage_new(spec, in_dim, &o, &st) == rc, spec);
		CHECK(tiny[sizeof(tiny) - 1] == '\0' &&
		      !strncmp(tiny, msg, sizeof(tiny) - 1), spec);
	} else {
		CHECK(st != sentinel && !msg[0], spec);
		check_stage(st, spec, in_dim, max_keys);
		edgeai_stage_free(st);
	}
	free(spec);
	return 0;
}
