// SPDX-License-Identifier: GPL-2.0
/*
 * Stage specs: every valid form gives the right stage, dimensions and
 * canonical spec; every error gives its errno and a message naming the
 * key and value, and leaves *stagep alone. Also the argument checks of
 * run, stats and the chain helpers.
 */
#include <stdint.h>
#include <string.h>

#include <edgeai/stage.h>

#include "edgeai_test.h"

static char msg[512];

static int make(const char *spec, uint32_t in_dim, uint32_t max_keys,
		struct edgeai_stage **st)
{
	struct edgeai_stage_opts o = {
		.sz = sizeof(o), .max_keys = max_keys,
		.errbuf = msg, .errbuf_len = sizeof(msg),
	};

	strcpy(msg, "stale");
	return edgeai_stage_new(spec, in_dim, &o, st);
}

static void check_valid(void)
{
	static const struct {
		const char *spec;
		uint32_t in_dim, out_dim;
		const char *name, *canonical;
	} ok[] = {
		{ "clean", 3, 3, "clean", "clean:policy=drop" },
		{ "clean:policy=drop", 3, 3, "clean", "clean:policy=drop" },
		{ "clean:policy=impute-mean", 2, 2, "clean",
		  "clean:policy=impute-mean" },
		{ "clean:policy=impute-last", 1, 1, "clean",
		  "clean:policy=impute-last" },
		{ "clean:policy=impute-zero", 7, 7, "clean",
		  "clean:policy=impute-zero" },
		{ "window:n=32", 3, 18, "window",
		  "window:n=32,features=mean|var|min|max|rms|slope,emit=always" },
		{ "window:n=1,emit=full,features=slope|mean", 4, 8, "window",
		  "window:n=1,features=slope|mean,emit=full" },
		{ "window:features=rms,n=4096", 2, 2, "window",
		  "window:n=4096,features=rms,emit=always" },
		{ "window:n=007", 1, 6, "window",
		  "window:n=7,features=mean|var|min|max|rms|slope,emit=always" },
		{ "zscore:mean=0.5|1.25,std=2|4", 2, 2, "zscore",
		  "zscore:mean=0.5|1.25,std=2|4" },
		{ "zscore:std=3,mean=-1", 3, 3, "zscore",
		  "zscore:mean=-1|-1|-1,std=3|3|3" },
		{ "zscore:mean=1e-3,std=0x1p-2", 1, 1, "zscore",
		  "zscore:mean=0.00100000005,std=0.25" },
		{ "scale:mul=0.001", 2, 2, "scale", "scale:mul=0.00100000005|0.00100000005,add=0|0" },
		{ "scale:add=-1|+2", 2, 2, "scale", "scale:mul=1|1,add=-1|2" },
		{ "scale:mul=2,add=1", 1, 1, "scale", "scale:mul=2,add=1" },
		/* Rounds to FLT_MAX, which prints above FLT_MAX: reads back. */
		{ "scale:mul=3.4028234e38,add=-1.17549435e-38", 1, 1, "scale",
		  "scale:mul=3.40282347e+38,add=-1.17549435e-38" },
	};
	struct edgeai_stage *st, *again;
	char spec[256], spec2[256];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		st = NULL;
		T_EQ(make(ok[i].spec, ok[i].in_dim, 0, &st), 0);
		if (!st) {
			T_FAILF("'%s': %s", ok[i].spec, msg);
			continue;
		}
		T_STREQ(msg, "");
		T_STREQ(edgeai_stage_name(st), ok[i].name);
		T_EQ(edgeai_stage_in_dim(st), ok[i].in_dim);
		T_EQ(edgeai_stage_out_dim(st), ok[i].out_dim);
		T_EQ(edgeai_stage_spec(st, spec, sizeof(spec)),
		     strlen(ok[i].canonical));
		T_STREQ(spec, ok[i].canonical);
		/* The canonical spec reads back as the same stage. */
		T_EQ(make(spec, ok[i].in_dim, 0, &again), 0);
		edgeai_stage_spec(again, spec2, sizeof(spec2));
		T_STREQ(spec2, spec);
		edgeai_stage_free(again);
		/* snprintf() semantics: cut, NUL-terminated, full length. */
		T_EQ(edgeai_stage_spec(st, spec, 6), strlen(ok[i].canonical));
		T_EQ(strlen(spec), 5);
		T_EQ(edgeai_stage_spec(st, NULL, 0), strlen(ok[i].canonical));
		edgeai_stage_free(st);
	}
}

static void check_errors(void)
{
	static const struct {
		const char *spec;
		uint32_t in_dim;
		int err;
		const char *msg;
	} bad[] = {
		{ "", 3, EINVAL, "unknown stage '' (stages: clean, window, zscore, scale, pca)" },
		{ "lda", 3, EINVAL, "unknown stage 'lda' (stages: clean, window, zscore, scale, pca)" },
		{ "pca", 3, EINVAL, "stage 'pca' needs key 'file'" },
		{ "Clean", 3, EINVAL, "unknown stage 'Clean'" },
		{ "clean ", 3, EINVAL, "unknown stage 'clean '" },
		{ "clean:", 3, EINVAL, "stage 'clean': empty parameter (a stray ',' or ':')" },
		{ "clean:policy=drop,", 3, EINVAL, "stage 'clean': empty parameter" },
		{ "clean:,policy=drop", 3, EINVAL, "stage 'clean': empty parameter" },
		{ "clean:policy", 3, EINVAL, "stage 'clean': parameter 'policy' has no '=VALUE'" },
		{ "clean:policy=", 3, EINVAL, "stage 'clean': key 'policy' has an empty value" },
		{ "clean:policy=mean", 3, EINVAL, "key 'policy': unknown value 'mean' (values: drop, impute-mean, impute-last, impute-zero)" },
		{ "clean:policy=drop:x", 3, EINVAL, "key 'policy': unknown value 'drop:x'" },
		{ "clean:n=3", 3, EINVAL, "stage 'clean' has no key 'n' (keys: policy)" },
		{ "clean:=drop", 3, EINVAL, "stage 'clean' has no key ''" },
		{ "clean:policy=drop,policy=drop", 3, EINVAL, "stage 'clean': key 'policy' given twice" },
		{ "window", 3, EINVAL, "stage 'window' needs key 'n'" },
		{ "window:n=0", 3, EINVAL, "key 'n': 0 is out of range 1..4096" },
		{ "window:n=4097", 3, EINVAL, "key 'n': 4097 is out of range 1..4096" },
		{ "window:n=99999999999999999999", 3, EINVAL, "key 'n': 99999999999999999999 is out of range 1..4096" },
		{ "window:n=-1", 3, EINVAL, "key 'n': '-1' is not an unsigned integer" },
		{ "window:n=3.5", 3, EINVAL, "key 'n': '3.5' is not an unsigned integer" },
		{ "window:n= 3", 3, EINVAL, "key 'n': ' 3' is not an unsigned integer" },
		{ "window:n=4,features=mean|median", 3, EINVAL, "key 'features': unknown feature 'median' (features: mean, var, min, max, rms, slope)" },
		{ "window:n=4,features=mean||var", 3, EINVAL, "key 'features': unknown feature ''" },
		{ "window:n=4,features=mean|", 3, EINVAL, "key 'features': unknown feature ''" },
		{ "window:n=4,features=var|mean|var", 3, EINVAL, "key 'features': 'var' listed twice" },
		{ "window:n=4,features=mean;var", 3, EINVAL, "key 'features': unknown feature 'mean;var'" },
		{ "window:n=4,emit=sometimes", 3, EINVAL, "key 'emit': unknown value 'sometimes' (values: always, full)" },
		{ "window:n=4,stride=2", 3, EINVAL, "stage 'window' has no key 'stride' (keys: n, features, emit)" },
		{ "zscore:mean=0", 3, EINVAL, "stage 'zscore' needs key 'std'" },
		{ "zscore:std=1", 3, EINVAL, "stage 'zscore' needs key 'mean'" },
		{ "zscore", 3, EINVAL, "stage 'zscore' needs key 'mean' (or 'file')" },
		{ "zscore:mean=1|2,std=1", 3, EINVAL, "key 'mean': 2 values, expected 1 or 3 (in_dim)" },
		{ "zscore:mean=1|2|3|4,std=1", 3, EINVAL, "key 'mean': 4 values, expected 1 or 3 (in_dim)" },
		{ "zscore:mean=0,std=1|0|1", 3, EINVAL, "key 'std': value 2 ('0') must be > 0" },
		{ "zscore:mean=0,std=-2", 3, EINVAL, "key 'std': value 1 ('-2') must be > 0" },
		{ "zscore:mean=0,std=1e-60", 3, EINVAL, "key 'std': value 1 ('1e-60') must be > 0" },
		{ "zscore:mean=abc,std=1", 3, EINVAL, "key 'mean': 'abc' is not a number" },
		{ "zscore:mean=1x,std=1", 3, EINVAL, "key 'mean': '1x' is not a number" },
		{ "zscore:mean= 1,std=1", 3, EINVAL, "key 'mean': ' 1' is not a number" },
		{ "zscore:mean=1|,std=1", 3, EINVAL, "key 'mean': '' is not a number" },
		{ "zscore:mean=nan,std=1", 3, EINVAL, "key 'mean': 'nan' is not a finite float32" },
		{ "zscore:mean=0,std=inf", 3, EINVAL, "key 'std': 'inf' is not a finite float32" },
		{ "zscore:mean=1e39,std=1", 3, EINVAL, "key 'mean': '1e39' is not a finite float32" },
		{ "scale:mul=-3.5e38", 3, EINVAL, "key 'mul': '-3.5e38' is not a finite float32" },
		{ "zscore:mean=0,std=1,mul=2", 3, EINVAL, "stage 'zscore' has no key 'mul' (keys: mean, std, file, op)" },
		{ "scale", 3, EINVAL, "stage 'scale' needs key 'mul' or 'add'" },
		{ "scale:mul=1|2", 3, EINVAL, "key 'mul': 2 values, expected 1 or 3 (in_dim)" },
		{ "scale:add=1|2|3", 2, EINVAL, "key 'add': 3 values, expected 1 or 2 (in_dim)" },
		{ "scale:mul=0.000000000000000000000000000000000000000000000000000000000000001", 1, EINVAL, "key 'mul': '0.00000000000000000000000000000000000000...' is too long for a number (63 characters at most)" },
		{ "clean", 0, EINVAL, "in_dim 0 is out of range 1..65536" },
		{ "clean", 65537, EINVAL, "in_dim 65537 is out of range 1..65536" },
	};
	struct edgeai_stage *st;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st = (struct edgeai_stage *)&st;	/* must stay as it is */
		T_ERRNO(make(bad[i].spec, bad[i].in_dim, 0, &st), bad[i].err);
		T_CHECK(st == (struct edgeai_stage *)&st);
		t_checks++;
		if (strncmp(msg, bad[i].msg, strlen(bad[i].msg)) &&
		    !strstr(msg, bad[i].msg))
			T_FAILF("'%s': message \"%s\", want \"%s\"",
				bad[i].spec, msg, bad[i].msg);
	}
}

static void check_opts(void)
{
	struct edgeai_stage_opts o = { .sz = sizeof(o) };
	struct edgeai_stage_stats s;
	struct edgeai_stage *st = NULL;
	char small[8];

	/* NULL opts: defaults (64 keys); no spec or no out pointer. */
	T_EQ(edgeai_stage_new("window:n=2", 1, NULL, &st), 0);
	s.sz = sizeof(s);
	T_EQ(edgeai_stage_stats(st, &s), 0);
	T_EQ(s.sz, sizeof(s));
	T_EQ(s.max_keys, EDGEAI_STAGE_DEFAULT_KEYS);
	T_EQ(s.keys, 0);
	/* A shorter stats struct (an older caller) gets its part only. */
	memset(&s, 0xab, sizeof(s));
	s.sz = offsetof(struct edgeai_stage_stats, rows_in);
	T_EQ(edgeai_stage_stats(st, &s), 0);
	T_EQ(s.sz, offsetof(struct edgeai_stage_stats, rows_in));
	T_EQ(s.runs, 0);
	T_EQ(s.rows_in, 0xababababababababull);
	s.sz = 4;
	T_ERRNO(edgeai_stage_stats(st, &s), EINVAL);
	T_ERRNO(edgeai_stage_stats(NULL, &s), EINVAL);
	T_ERRNO(edgeai_stage_stats(st, NULL), EINVAL);
	edgeai_stage_free(st);

	T_ERRNO(edgeai_stage_new(NULL, 1, NULL, &st), EINVAL);
	T_ERRNO(edgeai_stage_new("clean", 1, NULL, NULL), EINVAL);
	o.errbuf = msg;
	o.errbuf_len = sizeof(msg);
	T_ERRNO(edgeai_stage_new(NULL, 1, &o, &st), EINVAL);
	T_STREQ(msg, "no spec");
	T_ERRNO(edgeai_stage_new("clean", 1, &o, NULL), EINVAL);
	T_STREQ(msg, "no place for the stage");
	/* sz smaller than its own field; reserved must be 0. */
	o.sz = 2;
	T_ERRNO(edgeai_stage_new("clean", 1, &o, &st), EINVAL);
	o.sz = sizeof(o);
	o.reserved = 1;
	T_ERRNO(edgeai_stage_new("clean", 1, &o, &st), EINVAL);
	T_STREQ(msg, "opts.reserved must be 0");
	o.reserved = 0;
	/* An old caller's opts without the error buffer: no message. */
	o.sz = offsetof(struct edgeai_stage_opts, errbuf);
	strcpy(msg, "untouched");
	T_ERRNO(edgeai_stage_new("nope", 1, &o, &st), EINVAL);
	T_STREQ(msg, "untouched");
	o.sz = sizeof(o);
	/* A small buffer gets the start of the message. */
	o.errbuf = small;
	o.errbuf_len = sizeof(small);
	T_ERRNO(edgeai_stage_new("nope", 1, &o, &st), EINVAL);
	T_STREQ(small, "unknown");
	o.errbuf = msg;
	o.errbuf_len = sizeof(msg);

	/* max_keys range, and the state limit. */
	o.max_keys = EDGEAI_STAGE_MAX_KEYS + 1;
	T_ERRNO(edgeai_stage_new("clean", 1, &o, &st), EINVAL);
	T_STREQ(msg, "max_keys 1048577 is out of range 1..1048576");
	o.max_keys = EDGEAI_STAGE_MAX_KEYS;
	T_ERRNO(edgeai_stage_new("window:n=4096", 64, &o, &st), E2BIG);
	T_CHECK(strstr(msg, "stage 'window': state for 1048576 keys is ") == msg);
	T_CHECK(strstr(msg, "over the limit of 268435456"));
	/* Stateless stages need no key state whatever max_keys is. */
	T_EQ(edgeai_stage_new("clean:policy=drop", 65536, &o, &st), 0);
	s.sz = sizeof(s);
	T_EQ(edgeai_stage_stats(st, &s), 0);
	T_EQ(s.max_keys, 0);
	edgeai_stage_free(st);
	edgeai_stage_free(NULL);
}

static void check_run_args(void)
{
	struct edgeai_stage *st, *win, *chain[3];
	float x[12] = { 1, 2, 3, 4, 5, 6 }, a[64], b[64];
	float *outp = NULL;
	uint32_t od, md;

	T_EQ(make("scale:mul=2", 2, 0, &st), 0);
	T_EQ(make("window:n=2,features=mean|max", 2, 0, &win), 0);
	T_ERRNO(edgeai_stage_run(NULL, x, 1, NULL, NULL, a), EINVAL);
	T_ERRNO(edgeai_stage_run(st, NULL, 1, NULL, NULL, a), EINVAL);
	T_ERRNO(edgeai_stage_run(st, x, 1, NULL, NULL, NULL), EINVAL);
	T_ERRNO(edgeai_stage_run(st, x, 0x80000000u, NULL, NULL, a), EINVAL);
	T_EQ(edgeai_stage_run(st, NULL, 0, NULL, NULL, NULL), 0);
	/* In place is fine when rows do not grow; partial overlap is not. */
	T_EQ(edgeai_stage_run(st, x, 3, NULL, NULL, x), 3);
	T_CHECK(x[0] == 2 && x[5] == 12);
	T_ERRNO(edgeai_stage_run(st, x, 3, NULL, NULL, x + 1), EINVAL);
	T_ERRNO(edgeai_stage_run(st, x + 2, 3, NULL, NULL, x), EINVAL);
	T_ERRNO(edgeai_stage_run(win, x, 2, NULL, NULL, x), EINVAL);
	T_EQ(edgeai_stage_run(win, x, 2, NULL, NULL, x + 4), 2);
	/* x: 2 4 | 6 8 -> second row: mean 4 6, max 6 8 */
	T_CHECK(x[8] == 4 && x[9] == 6 && x[10] == 6 && x[11] == 8);

	/* Chains: dimensions must follow. */
	chain[0] = st;
	chain[1] = win;
	chain[2] = st;
	T_ERRNO(edgeai_stage_chain_dims(chain, 3, &od, &md), EINVAL);
	T_ERRNO(edgeai_stage_chain_dims(chain, 0, &od, &md), EINVAL);
	T_ERRNO(edgeai_stage_chain_dims(NULL, 1, &od, &md), EINVAL);
	T_EQ(edgeai_stage_chain_dims(chain, 2, &od, &md), 0);
	T_EQ(od, 4);
	T_EQ(md, 4);
	chain[2] = NULL;
	T_ERRNO(edgeai_stage_chain_dims(chain, 3, &od, &md), EINVAL);
	T_ERRNO(edgeai_stage_chain_run(chain, 2, x, 1, NULL, NULL, a, a, &outp),
		EINVAL);
	T_ERRNO(edgeai_stage_chain_run(chain, 2, x, 1, NULL, NULL, a, NULL,
				       &outp), EINVAL);
	T_ERRNO(edgeai_stage_chain_run(chain, 2, x, 1, NULL, NULL, a, b, NULL),
		EINVAL);
	/* x may be one of the two buffers: the chain starts in the other. */
	a[0] = 1;
	a[1] = 2;
	T_EQ(edgeai_stage_chain_run(chain, 2, a, 1, NULL, NULL, a, b, &outp), 1);
	T_CHECK(outp == a);
	T_EQ(edgeai_stage_chain_run(chain, 1, a, 1, NULL, NULL, a, b, &outp), 1);
	T_CHECK(outp == b);
	edgeai_stage_free(st);
	edgeai_stage_free(win);
}

int main(void)
{
	check_valid();
	check_errors();
	check_opts();
	check_run_args();
	return t_done();
}
