// SPDX-License-Identifier: GPL-2.0
/*
 * run_model MODEL: run an edgeai model file with libedgeai on the rows read
 * from stdin and print the results, for tests/onnx/check.py (which compares
 * them with PyTorch's and NumPy's).
 *
 * Input: one row per line, input_dim floats separated by white space;
 * empty lines are skipped. Output: one line per row, output_dim values
 * printed with "%.9g" (enough to give back the exact float32). All rows
 * run as one batch through a context of 16 rows, so edgeai_model_run()
 * takes them 16 at a time. $EDGEAI_MODEL_KERNEL=generic forces the
 * portable kernel, as for every libedgeai program.
 *
 * Exit 0, or 1 with a message on stderr (a model the loader refuses: its
 * message; a malformed row: its line number).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <edgeai/model.h>

__attribute__((format(printf, 1, 2)))
static int die(const char *fmt, ...)
{
	va_list ap;

	fputs("run_model: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int main(int argc, char **argv)
{
	char err[EDGEAI_MODEL_ERR_LEN] = "";
	struct edgeai_model_load_opts opts = {
		.sz = sizeof(opts), .err = err, .errlen = sizeof(err),
	};
	struct edgeai_model *model = NULL;
	struct edgeai_model_ctx *ctx = NULL;
	float *x = NULL, *y = NULL;
	size_t nrows = 0, cap = 0, len = 0;
	char *line = NULL;
	uint32_t in, out;
	long lineno = 0;
	int rc = 1, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: run_model MODEL < rows\n");
		return 2;
	}
	ret = edgeai_model_load(argv[1], &opts, &model);
	if (ret < 0) {
		fprintf(stderr, "run_model: %s: %s (%s)\n", argv[1], err,
			strerror(-ret));
		return 1;
	}
	in = edgeai_model_input_dim(model);
	out = edgeai_model_output_dim(model);

	while (getline(&line, &len, stdin) >= 0) {
		char *p = line, *end;
		uint32_t i;

		lineno++;
		p += strspn(p, " \t\r\n");
		if (!*p)
			continue;
		if (nrows == cap) {
			float *nx;

			cap = cap ? 2 * cap : 64;
			nx = realloc(x, cap * in * sizeof(*x));
			if (!nx) {
				rc = die("%zu rows: out of memory", cap);
				goto out;
			}
			x = nx;
		}
		for (i = 0; i < in; i++) {
			errno = 0;
			x[nrows * in + i] = strtof(p, &end);
			if (end == p || errno == EINVAL) {
				rc = die("stdin:%ld: fewer than %u numbers",
					 lineno, in);
				goto out;
			}
			p = end;
		}
		p += strspn(p, " \t\r\n");
		if (*p) {
			rc = die("stdin:%ld: more than %u numbers", lineno,
				 in);
			goto out;
		}
		nrows++;
	}

	ret = edgeai_model_ctx_new(model, 16, &ctx);
	if (ret < 0) {
		rc = die("edgeai_model_ctx_new: %s", strerror(-ret));
		goto out;
	}
	y = calloc(nrows ? nrows * out : 1, sizeof(*y));
	if (!y) {
		rc = die("%zu rows: out of memory", nrows);
		goto out;
	}
	if (nrows) {
		ret = edgeai_model_run(ctx, x, (uint32_t)nrows, y);
		if (ret < 0) {
			rc = die("edgeai_model_run: %s", strerror(-ret));
			goto out;
		}
	}
	for (size_t r = 0; r < nrows; r++) {
		for (uint32_t j = 0; j < out; j++)
			printf("%s%.9g", j ? " " : "", (double)y[r * out + j]);
		putchar('\n');
	}
	rc = fflush(stdout) ? 1 : 0;
out:
	free(line);
	free(x);
	free(y);
	edgeai_model_ctx_free(ctx);
	edgeai_model_free(model);
	return rc;
}
