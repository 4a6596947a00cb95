// SPDX-License-Identifier: GPL-2.0
/*
 * The stages' steady state allocates nothing: every stage kind (zscore
 * and pca from a model file included), alone and chained, runs 200000
 * rows of several sensors (NaN included, keys beyond capacity included)
 * with counters read and a reset in between, while a
 * counting malloc hook is installed. The hook is the sanitizer
 * allocator's (__sanitizer_install_malloc_and_free_hooks), which sees
 * every malloc, calloc, realloc and aligned allocation of the process; the
 * unit lane is always built with AddressSanitizer. A malloc() made on
 * purpose inside the counted region shows the counter works.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <edgeai/model.h>
#include <edgeai/stage.h>

#include "edgeai_test.h"

#include "malloc_count.h"

#define ROWS	512
#define DIM	4
#define BATCHES	400

/* Specs naming the model file, filled in by write_model(). */
static char zfile_spec[256], pca_spec[256], pca1_spec[256];
static char model_path[] = "/tmp/edgeai-stage-noalloc-XXXXXX";

static const char *const specs[] = {
	"clean:policy=drop", "clean:policy=impute-mean",
	"clean:policy=impute-last", "clean:policy=impute-zero",
	"window:n=32", "window:n=5,features=slope|rms,emit=full",
	"zscore:mean=1|2|3|4,std=2", "scale:mul=0.5,add=-1",
	zfile_spec, pca_spec,
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static float x[ROWS * DIM], out_a[ROWS * DIM * 6], out_b[ROWS * DIM * 6];
static uint32_t keys[ROWS], ids[ROWS], kbuf[ROWS];

/* A model file: standardize(4), pca(3 x 4). */
static void write_model(void)
{
	static const float mean[DIM] = { 1, 2, 3, 4 }, std[DIM] = { 2, 2, 3, 3 };
	static const float comp[3 * DIM] = {
		0.5f, 0.5f, 0.5f, 0.5f, 0.7f, -0.7f, 0, 0, 0, 0, 0.6f, 0.8f,
	};
	struct edgeai_model_builder *b;
	int fd = mkstemp(model_path);

	T_ASSERT(fd >= 0 && !close(fd));
	T_ASSERT(edgeai_model_builder_new(&b) == 0);
	T_ASSERT(edgeai_model_builder_add_standardize(b, mean, std, DIM) == 0);
	T_ASSERT(edgeai_model_builder_add_pca(b, mean, comp, 3, DIM) == 0);
	T_ASSERT(edgeai_model_builder_write(b, model_path) == 0);
	edgeai_model_builder_free(b);
	snprintf(zfile_spec, sizeof(zfile_spec), "zscore:file=%s", model_path);
	snprintf(pca_spec, sizeof(pca_spec), "pca:file=%s", model_path);
	snprintf(pca1_spec, sizeof(pca1_spec), "pca:file=%s,op=1", model_path);
}

static void fill(uint32_t batch)
{
	uint32_t i, c;

	for (i = 0; i < ROWS; i++) {
		keys[i] = (i * 31 + batch) % 12;	/* 12 sensors, 8 slots */
		ids[i] = i;
		for (c = 0; c < DIM; c++)
			x[i * DIM + c] = (float)((i + batch) % 97) * 0.25f +
					 (float)c;
	}
	x[(batch % ROWS) * DIM] = NAN;
	x[((batch * 7) % ROWS) * DIM + 1] = INFINITY;
}

int main(void)
{
	struct edgeai_stage_opts o = { .sz = sizeof(o), .max_keys = 8 };
	struct edgeai_stage *st[NSPECS], *chain[4], *fchain[3];
	struct edgeai_stage_stats s = { .sz = sizeof(s) };
	uint64_t rows = 0;
	uint32_t b, j;
	float *outp;
	void *p;
	int n;

	if (!__sanitizer_install_malloc_and_free_hooks)
		t_skip("no sanitizer allocator hooks: build the unit lane with SAN=1");
	write_model();
	for (j = 0; j < NSPECS; j++)
		T_ASSERT(edgeai_stage_new(specs[j], DIM, &o, &st[j]) == 0);
	T_ASSERT(edgeai_stage_new("clean:policy=impute-mean", DIM, &o,
				  &chain[0]) == 0);
	T_ASSERT(edgeai_stage_new("zscore:mean=0,std=3", DIM, &o,
				  &chain[1]) == 0);
	T_ASSERT(edgeai_stage_new("window:n=16", DIM, &o, &chain[2]) == 0);
	T_ASSERT(edgeai_stage_new("scale:mul=2", DIM * 6, &o, &chain[3]) == 0);
	/* From the file: standardize, project to 3, window of those. */
	T_ASSERT(edgeai_stage_new(zfile_spec, DIM, &o, &fchain[0]) == 0);
	T_ASSERT(edgeai_stage_new(pca1_spec, DIM, &o, &fchain[1]) == 0);
	T_ASSERT(edgeai_stage_new("window:n=4", 3, &o, &fchain[2]) == 0);
	unlink(model_path);	/* the stages hold their own copies */
	T_ASSERT(__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free));

	/* The hook sees a malloc made in the counted region. */
	counting = 1;
	p = malloc(16);
	counting = 0;
	free(p);
	T_EQ(mallocs, 1);
	mallocs = 0;

	fill(0);	/* outside: the first run is no different, though */
	counting = 1;
	for (b = 0; b < BATCHES; b++) {
		fill(b);
		for (j = 0; j < NSPECS; j++) {
			n = edgeai_stage_run(st[j], x, ROWS, NULL, NULL, out_a);
			T_CHECK(n >= 0);
			memcpy(kbuf, keys, sizeof(kbuf));
			n = edgeai_stage_run(st[j], x, ROWS, kbuf, ids, out_a);
			T_CHECK(n >= 0);
			edgeai_stage_stats(st[j], &s);
		}
		fill(b);	/* keys and ids back in input order */
		n = edgeai_stage_chain_run(chain, 4, x, ROWS, keys, ids, out_a,
					   out_b, &outp);
		T_CHECK(n > 0);
		fill(b);
		n = edgeai_stage_chain_run(fchain, 3, x, ROWS, keys, ids, out_a,
					   out_b, &outp);
		T_CHECK(n > 0);
		if (b == BATCHES / 2)
			for (j = 0; j < NSPECS; j++)
				edgeai_stage_reset(st[j]);
		rows += ROWS;
	}
	counting = 0;
	T_EQ(mallocs, 0);
	T_EQ(frees, 0);
	printf("%lu mallocs and %lu frees over %lu rows through %zu stages and chains of 4 and 3\n",
	       (unsigned long)mallocs, (unsigned long)frees,
	       (unsigned long)rows, NSPECS);
	edgeai_stage_stats(chain[0], &s);
	T_EQ(s.rows_in, (uint64_t)BATCHES * ROWS);
	T_CHECK(s.drop_keys > 0);	/* 12 sensors, 8 slots */
	for (j = 0; j < NSPECS; j++)
		edgeai_stage_free(st[j]);
	for (j = 0; j < 4; j++)
		edgeai_stage_free(chain[j]);
	for (j = 0; j < 3; j++)
		edgeai_stage_free(fchain[j]);
	return t_done();
}
