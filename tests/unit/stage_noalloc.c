// SPDX-License-Identifier: GPL-2.0
/*
 * The stages' steady state allocates nothing: every stage kind, alone and
 * chained, runs 200000 rows of several sensors (NaN included, keys beyond
 * capacity included) with counters read and a reset in between, while a
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

#include <edgeai/stage.h>

#include "edgeai_test.h"

int __sanitizer_install_malloc_and_free_hooks(
	void (*malloc_hook)(const volatile void *, size_t),
	void (*free_hook)(const volatile void *)) __attribute__((weak));

static volatile int counting;
static volatile unsigned long mallocs, frees;

static void on_malloc(const volatile void *p, size_t size)
{
	if (counting)
		mallocs++;
}

static void on_free(const volatile void *p)
{
	if (counting)
		frees++;
}

#define ROWS	512
#define DIM	4
#define BATCHES	400

static const char *const specs[] = {
	"clean:policy=drop", "clean:policy=impute-mean",
	"clean:policy=impute-last", "clean:policy=impute-zero",
	"window:n=32", "window:n=5,features=slope|rms,emit=full",
	"zscore:mean=1|2|3|4,std=2", "scale:mul=0.5,add=-1",
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static float x[ROWS * DIM], out_a[ROWS * DIM * 6], out_b[ROWS * DIM * 6];
static uint32_t keys[ROWS], ids[ROWS], kbuf[ROWS];

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
	struct edgeai_stage *st[NSPECS], *chain[4];
	struct edgeai_stage_stats s = { .sz = sizeof(s) };
	uint64_t rows = 0;
	uint32_t b, j;
	float *outp;
	void *p;
	int n;

	if (!__sanitizer_install_malloc_and_free_hooks)
		t_skip("no sanitizer allocator hooks: build the unit lane with SAN=1");
	for (j = 0; j < NSPECS; j++)
		T_ASSERT(edgeai_stage_new(specs[j], DIM, &o, &st[j]) == 0);
	T_ASSERT(edgeai_stage_new("clean:policy=impute-mean", DIM, &o,
				  &chain[0]) == 0);
	T_ASSERT(edgeai_stage_new("zscore:mean=0,std=3", DIM, &o,
				  &chain[1]) == 0);
	T_ASSERT(edgeai_stage_new("window:n=16", DIM, &o, &chain[2]) == 0);
	T_ASSERT(edgeai_stage_new("scale:mul=2", DIM * 6, &o, &chain[3]) == 0);
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
		if (b == BATCHES / 2)
			for (j = 0; j < NSPECS; j++)
				edgeai_stage_reset(st[j]);
		rows += ROWS;
	}
	counting = 0;
	T_EQ(mallocs, 0);
	T_EQ(frees, 0);
	printf("%lu mallocs and %lu frees over %lu rows through %zu stages and a chain of 4\n",
	       (unsigned long)mallocs, (unsigned long)frees,
	       (unsigned long)rows, NSPECS);
	edgeai_stage_stats(chain[0], &s);
	T_EQ(s.rows_in, (uint64_t)BATCHES * ROWS);
	T_CHECK(s.drop_keys > 0);	/* 12 sensors, 8 slots */
	for (j = 0; j < NSPECS; j++)
		edgeai_stage_free(st[j]);
	for (j = 0; j < 4; j++)
		edgeai_stage_free(chain[j]);
	return t_done();
}
