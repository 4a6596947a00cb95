// SPDX-License-Identifier: GPL-2.0
/*
 * Per-sensor state: keys are kept apart; rows of keys beyond max_keys are
 * dropped and counted as drop_keys, never lost silently, while the keys
 * already tracked go on; keys[] and ids[] are compacted with the rows;
 * edgeai_stage_reset() frees the table. Many keys stress the hash table.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <edgeai/stage.h>

#include "edgeai_test.h"

static struct edgeai_stage *make(const char *spec, uint32_t dim,
				 uint32_t max_keys)
{
	struct edgeai_stage_opts o = { .sz = sizeof(o), .max_keys = max_keys };
	struct edgeai_stage *st = NULL;

	T_ASSERT(edgeai_stage_new(spec, dim, &o, &st) == 0);
	return st;
}

static struct edgeai_stage_stats stats(const struct edgeai_stage *st)
{
	struct edgeai_stage_stats s = { .sz = sizeof(s) };

	T_EQ(edgeai_stage_stats(st, &s), 0);
	T_EQ(s.rows_in, s.rows_out + s.drop_missing + s.drop_keys +
	     s.drop_warmup);
	return s;
}

/* 4 slots, 6 sensors: the last two sensors' rows are counted drops. */
static void too_many_keys(const char *spec)
{
	struct edgeai_stage *st = make(spec, 1, 4);
	uint32_t keys[12], ids[12], i, want_ids[8], nw = 0;
	float x[12], out[12 * 6];
	struct edgeai_stage_stats s;
	int n;

	for (i = 0; i < 12; i++) {
		keys[i] = 100 + i % 6;	/* 100..105, twice */
		ids[i] = i;
		x[i] = (float)i;
		if (i % 6 < 4)
			want_ids[nw++] = i;
	}
	n = edgeai_stage_run(st, x, 12, keys, ids, out);
	T_EQ(n, 8);
	for (i = 0; i < 8 && n == 8; i++) {
		T_EQ(ids[i], want_ids[i]);
		T_EQ(keys[i], 100 + want_ids[i] % 6);
	}
	s = stats(st);
	T_EQ(s.drop_keys, 4);
	T_EQ(s.keys, 4);
	T_EQ(s.max_keys, 4);
	T_EQ(s.rows_out, 8);
	/* A known key still goes through; a new one still does not. */
	keys[0] = 102;
	keys[1] = 999;
	T_EQ(edgeai_stage_run(st, x, 2, keys, NULL, out), 1);
	T_EQ(keys[0], 102);
	T_EQ(stats(st).drop_keys, 5);
	/* After a reset there is room again; counters stay. */
	edgeai_stage_reset(st);
	T_EQ(stats(st).keys, 0);
	keys[0] = 104;
	keys[1] = 105;
	T_EQ(edgeai_stage_run(st, x, 2, keys, NULL, out), 2);
	s = stats(st);
	T_EQ(s.keys, 2);
	T_EQ(s.drop_keys, 5);
	T_EQ(s.runs, 3);
	edgeai_stage_free(st);
}

/* Sensors do not see each other's state. */
static void keys_apart(void)
{
	struct edgeai_stage *win = make("window:n=3,features=mean|slope", 1, 8);
	struct edgeai_stage *imp = make("clean:policy=impute-last", 1, 8);
	float x[6] = { 1, 100, 2, 200, 3, NAN }, out[12];
	uint32_t keys[6] = { 1, 2, 1, 2, 1, 2 };

	T_EQ(edgeai_stage_run(win, x, 5, keys, NULL, out), 5);
	/* key 1: 1, 2, 3 -> mean 2, slope 1; key 2: 100, 200 -> 150, 100 */
	T_CHECK(out[8] == 2 && out[9] == 1);
	T_CHECK(out[6] == 150 && out[7] == 100);
	T_EQ(edgeai_stage_run(imp, x, 6, keys, NULL, out), 6);
	T_CHECK(out[5] == 200);		/* key 2's last, not key 1's 3 */
	x[0] = NAN;
	keys[0] = 3;
	T_EQ(edgeai_stage_run(imp, x, 1, keys, NULL, out), 1);
	T_CHECK(out[0] == 0);		/* a new sensor has no last value */
	T_EQ(stats(imp).imputed, 2);
	T_EQ(stats(imp).nan_values, 2);
	edgeai_stage_free(win);
	edgeai_stage_free(imp);
}

/* Stateless stages take any key and track none. */
static void stateless(void)
{
	static const char *const specs[] = {
		"clean:policy=drop", "clean:policy=impute-zero",
		"zscore:mean=0,std=1", "scale:mul=2",
	};
	float x[100], out[100];
	uint32_t keys[100], i, j;

	for (i = 0; i < 100; i++) {
		keys[i] = i * 7919;
		x[i] = (float)i;
	}
	for (j = 0; j < 4; j++) {
		struct edgeai_stage *st = make(specs[j], 1, 1);

		T_EQ(edgeai_stage_run(st, x, 100, keys, NULL, out), 100);
		T_EQ(stats(st).keys, 0);
		T_EQ(stats(st).drop_keys, 0);
		edgeai_stage_free(st);
	}
}

/* A full table of 50000 sensors: every key found again, no mix-up. */
static void many_keys(void)
{
	enum { K = 50000 };
	struct edgeai_stage *st = make("clean:policy=impute-last", 1, K);
	static float x[2 * K], out[2 * K];
	static uint32_t keys[2 * K];
	uint32_t i, wrong = 0;

	for (i = 0; i < K; i++) {
		keys[i] = i * 2654435761u;	/* spread over 32 bits */
		x[i] = (float)i;
		keys[K + i] = keys[i];	/* the same keys, NaN rows */
		x[K + i] = NAN;
	}
	T_EQ(edgeai_stage_run(st, x, 2 * K, keys, NULL, out), 2 * K);
	for (i = 0; i < K; i++)
		wrong += out[K + i] != (float)i;
	T_EQ(wrong, 0);
	T_EQ(stats(st).keys, K);
	/* One more key: dropped and counted. */
	keys[0] = 12345;
	x[0] = 1;
	T_EQ(edgeai_stage_run(st, x, 1, keys, NULL, out), 0);
	T_EQ(stats(st).drop_keys, 1);
	edgeai_stage_free(st);
}

int main(void)
{
	too_many_keys("clean:policy=impute-mean");
	too_many_keys("clean:policy=impute-last");
	too_many_keys("window:n=3");
	too_many_keys("window:n=1,emit=full");
	keys_apart();
	stateless();
	many_keys();
	return t_done();
}
