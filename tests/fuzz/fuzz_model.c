// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the model loader (userspace/lib/model_file.c),
 * with the model code compiled in so that coverage guides the fuzzer
 * through it (json-c is linked as a library).
 *
 * Each input is a whole model file, copied into a heap buffer of exactly
 * its size so AddressSanitizer reports any read past its end. Invariants
 * (a violation aborts, which libFuzzer saves as a crash):
 *
 *  - edgeai_model_load_mem() returns 0, -EBADMSG, -EPROTONOSUPPORT or
 *    -ENOMEM; a failure leaves a non-empty message (also when the buffer
 *    is 5 bytes: truncated and terminated) and *modelp unchanged;
 *  - a loaded model is consistent: dimensions >= 1 and chained op to op,
 *    the checksum is the FNV-1a 64 of the input, the size its length;
 *  - it runs (both kernels) on rows made from the input bytes, a row's
 *    result bit-identical alone and in a batch;
 *  - what it loaded, the builder writes back (edgeai_model_builder_from)
 *    as a file that loads, computes the same bits, and writes the same
 *    bytes again.
 *
 *   build/fuzz/fuzz_model tests/fuzz/corpus/model     # fuzz (make fuzz)
 *   build/fuzz/fuzz_model FILE...                     # replay inputs
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_exact.h"

#include "../../userspace/lib/model_file.c"
#include "../../userspace/lib/model_info.c"
#include "../../userspace/lib/model_ops.c"
#include "../../userspace/lib/model_write.c"

#define ROWS 5

static void fuzz_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_model: invariant broken: %s%s%s\n", what,
		detail ? ": " : "", detail ? detail : "");
	abort();
}

#define CHECK(cond, detail) \
	do { if (!(cond)) fuzz_fail(#cond, detail); } while (0)

/* Run @m on ROWS rows, in one batch and row by row: the same bits. */
static float *run(struct edgeai_model *m, const uint8_t *data, size_t size,
		  const char *kernel)
{
	uint32_t din = edgeai_model_input_dim(m), dout = edgeai_model_output_dim(m);
	size_t nx = (size_t)ROWS * din, ny = (size_t)ROWS * dout, i;
	float *x = malloc(nx * sizeof(float)), *y = malloc(ny * sizeof(float));
	float *y1 = malloc(dout * sizeof(float));
	struct edgeai_model_ctx *ctx, *ctx1;

	CHECK(x && y && y1, "out of memory");
	for (i = 0; i < nx * sizeof(float); i++)	/* any bits, NaN too */
		((uint8_t *)x)[i] = size ? data[i % size] ^ (uint8_t)i : 0;
	if (strcmp(kernel, "default"))
		setenv("EDGEAI_MODEL_KERNEL", kernel, 1);
	CHECK(edgeai_model_ctx_new(m, ROWS, &ctx) == 0, kernel);
	CHECK(edgeai_model_ctx_new(m, 1, &ctx1) == 0, kernel);
	unsetenv("EDGEAI_MODEL_KERNEL");
	CHECK(edgeai_model_run(ctx, x, ROWS, y) == 0, kernel);
	for (i = 0; i < ROWS; i++) {
		CHECK(edgeai_model_run(ctx1, x + i * din, 1, y1) == 0, kernel);
		CHECK(!memcmp(y1, y + i * dout, dout * sizeof(float)),
		      "a row's result depends on its batch");
	}
	edgeai_model_ctx_free(ctx);
	edgeai_model_ctx_free(ctx1);
	free(x);
	free(y1);
	return y;
}

static void check_model(struct edgeai_model *m, const uint8_t *buf, size_t size)
{
	struct edgeai_model_op_info o = { .sz = sizeof(o) };
	uint32_t i, dim = edgeai_model_input_dim(m);

	CHECK(edgeai_model_checksum(m) == model_fnv1a64(buf, size), NULL);
	CHECK(edgeai_model_file_size(m) == size, NULL);
	CHECK(dim >= 1 && edgeai_model_output_dim(m) >= 1, NULL);
	CHECK(edgeai_model_op_count(m) >= 1 &&
	      edgeai_model_op_count(m) <= EDGEAI_MODEL_MAX_OPS, NULL);
	for (i = 0; i < edgeai_model_op_count(m); i++) {
		CHECK(edgeai_model_op_info(m, i, &o) == 0, NULL);
		CHECK(o.in_dim == dim && o.out_dim >= 1, o.name);
		CHECK(o.name && o.activation_name, NULL);
		dim = o.out_dim;
	}
	CHECK(dim == edgeai_model_output_dim(m), NULL);
	CHECK(edgeai_model_op_info(m, i, &o) == -ENOENT, NULL);
	CHECK(edgeai_model_name(m) && edgeai_model_kind(m) &&
	      edgeai_model_version(m), NULL);
}

/* Builder round trip: loads, same outputs, same bytes when written again. */
static void round_trip(struct edgeai_model *m, const float *y, const uint8_t *data,
		       size_t size)
{
	struct edgeai_model_builder *b, *b2;
	struct edgeai_model *m2;
	void *buf, *buf2;
	size_t len, len2;
	float *y2;

	CHECK(edgeai_model_builder_from(m, &b) == 0, NULL);
	CHECK(edgeai_model_builder_write_mem(b, &buf, &len) == 0,
	      edgeai_model_builder_error(b));
	CHECK(edgeai_model_load_mem(buf, len, NULL, &m2) == 0, NULL);
	y2 = run(m2, data, size, "generic");
	CHECK(!memcmp(y, y2, (size_t)ROWS * edgeai_model_output_dim(m) * sizeof(float)),
	      "the rewritten model computes other bits");
	CHECK(edgeai_model_builder_from(m2, &b2) == 0, NULL);
	CHECK(edgeai_model_builder_write_mem(b2, &buf2, &len2) == 0, NULL);
	CHECK(len == len2 && !memcmp(buf, buf2, len), "writing is not idempotent");
	free(y2);
	free(buf);
	free(buf2);
	edgeai_model_builder_free(b);
	edgeai_model_builder_free(b2);
	edgeai_model_free(m2);
}

static void check(const uint8_t *buf, size_t size)
{
	char err[EDGEAI_MODEL_ERR_LEN], tiny[5];
	struct edgeai_model_load_opts o = { .sz = sizeof(o), .err = err,
					    .errlen = sizeof(err) };
	struct edgeai_model *m = (struct edgeai_model *)&o, *m2;
	float *y;
	int ret;

	ret = edgeai_model_load_mem(buf, size, &o, &m);
	CHECK(ret == 0 || ret == -EBADMSG || ret == -EPROTONOSUPPORT ||
	      ret == -ENOMEM, err);
	CHECK(memchr(err, 0, sizeof(err)) != NULL, NULL);
	if (ret) {
		CHECK(err[0] != '\0', "no message");
		CHECK(m == (struct edgeai_model *)&o, "*modelp changed");
		o.err = tiny;
		o.errlen = sizeof(tiny);
		CHECK(edgeai_model_load_mem(buf, size, &o, &m2) == ret, err);
		CHECK(tiny[0] && memchr(tiny, 0, sizeof(tiny)), NULL);
		return;
	}
	CHECK(err[0] == '\0', err);
	check_model(m, buf, size);
	free(run(m, buf, size, "default"));	/* AVX2+FMA where there is */
	y = run(m, buf, size, "generic");
	round_trip(m, y, buf, size);
	free(y);
	edgeai_model_free(m);
}

EDGEAI_FUZZ_EXACT(check)
