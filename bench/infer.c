// SPDX-License-Identifier: GPL-2.0
/*
 * infer - what running a small model costs per sample: libedgeai's
 * edgeai_model_run() on batches against what a user would otherwise
 * write (plain scalar C, NumPy, PyTorch), in one run, on the same weights
 * and the same inputs; and how close the batched MLP comes to this core's
 * fp32 FMA peak, measured here.
 *
 *   infer SECONDS REPS [NOTES]   JSON rows on stdout, details on stderr
 *
 * Models, all on rows of 16 float32 inputs, built with the libedgeai
 * builder (edgeai_model_builder_add_*): every op is in the model graph,
 * standardize and pca included (the stage API has zscore but no PCA):
 *   linear     dense 16 -> 1
 *   logistic   dense 16 -> 1, sigmoid
 *   mlp        dense 16 -> 64 relu, dense 64 -> 8
 *   pipeline   standardize 16, pca 16 -> 8, dense 8 -> 64 relu, dense 64 -> 8
 *
 * The models are written with edgeai_model_builder_write() and the inputs
 * (N = 4096 rows) as raw float32 into a temporary directory; ours runs
 * the model loaded back from that file, and bench/infer.py (Debian's
 * /usr/bin/python3, a child of this process on the same CPU) reads the
 * same file and inputs. Contenders, each going round the same N rows:
 *   ours-B     edgeai_model_run() on B rows a call, B = 1, 64, 1024
 *   scalar-B   the same graph in plain C loops (scalar_run() below, built
 *              with the flags of libedgeai), B rows a call, B = 64, 1024
 *   numpy-1    the same math in NumPy float32, one row a call
 *   numpy-B    ... B rows a call (a matrix product per layer)
 *   torch-1, torch-B   the same in PyTorch: float32, torch.no_grad(),
 *              torch.set_num_threads(1)
 * Time is the CPU time of the process that computes (the process clock:
 * all its threads), per row; one window per contender per repetition,
 * contenders alternating within each repetition after a warm-up; this
 * process is pinned to one CPU (the last, or $INFER_CPU) and so is its
 * Python child. Rows report medians. Other work on the machine still
 * costs the timed code caches and pipeline state at each preemption: the
 * involuntary context switches during the timing and the machine's CPU
 * pressure go to stderr.
 *
 * Cross-check, before any timing: every contender computes all N rows,
 * and each output must be within 1e-4 (absolute) of ours at batch 64, and
 * finite; otherwise the run fails naming the contender. A PyTorch that
 * cannot be imported leaves its rows out with a note in NOTES.
 *
 * FMA peak: independent chains of fused multiply-adds (12 chains of
 * 8-lane vfmadd, all in registers) where the CPU has AVX2 and FMA,
 * else 12 chains of 4-lane multiply then add (SSE2 / NEON, what the
 * portable kernel uses). The MLP's FLOPs are counted as 2 * in * out per
 * dense layer per row (bias and relu not counted).
 *
 * $INFER_KEEP=1 keeps the temporary directory (its path goes to stderr).
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <edgeai/model.h>

#ifndef INFER_PY
#define INFER_PY	"bench/infer.py"
#endif
#define PYTHON		"/usr/bin/python3"

#define DIM		16			/* inputs per row */
#define N		4096			/* rows, a multiple of every batch */
#define MAX_OPS		4
#define MAX_OUT		64
#define MAX_REPS	64
#define TOL		1e-4

/* Contenders: ours and scalar here, the rest in bench/infer.py. */
enum who {
	W_OURS1, W_OURS64, W_OURS1024, W_SCALAR64, W_SCALAR1024,
	W_NUMPY1, W_NUMPY64, W_NUMPY1024, W_TORCH1, W_TORCH64, W_TORCH1024,
	W_N
};
#define W_PY	W_NUMPY1		/* the first of infer.py's, in its order */

static const char *const who_name[W_N] = {
	"ours-1", "ours-64", "ours-1024", "scalar-64", "scalar-1024",
	"numpy-1", "numpy-64", "numpy-1024", "torch-1", "torch-64", "torch-1024",
};
static const char *const who_desc[W_N] = {
	"libedgeai, 1 row a call", "libedgeai, batch 64", "libedgeai, batch 1024",
	"scalar C, 64 rows a call", "scalar C, 1024 rows a call",
	"NumPy per sample", "NumPy batched, 64 rows a call",
	"NumPy batched, 1024 rows a call", "PyTorch per sample",
	"PyTorch batched, 64 rows a call", "PyTorch batched, 1024 rows a call",
};
static const uint32_t who_batch[W_N] = { 1, 64, 1024, 64, 1024,
					 1, 64, 1024, 1, 64, 1024 };

struct op {
	uint32_t type;		/* EDGEAI_MODEL_OP_* */
	uint32_t act;		/* dense: EDGEAI_MODEL_ACT_* */
	uint32_t in, out;
	/* standardize mean, std; pca mean, components [out][in]; dense
	 * weight [out][in], bias */
	float *p[2];
};

struct model {
	const char *name, *title;
	uint32_t n_ops, out;
	struct op ops[MAX_OPS];
	double flops;		/* per row, dense and pca: 2 * in * out */
	struct edgeai_model *m;
	struct edgeai_model_ctx *ctx[3];	/* batch 1, 64, 1024 */
	float *y;		/* ours at batch 64: the reference */
	double ns[W_N][MAX_REPS];
};

static char dir[256];
static bool have_torch;
static FILE *py_to, *py_from;
static pid_t py_pid;
static float *x_in;		/* N x DIM inputs */

static void cleanup(void)
{
	char cmd[300];

	if (!dir[0])
		return;
	if (getenv("INFER_KEEP")) {
		fprintf(stderr, "infer: kept %s\n", dir);
		return;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "infer: could not remove %s\n", dir);
}

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "infer: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xalloc(size_t bytes)
{
	void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);

	if (!p)
		die("out of memory");
	memset(p, 0, bytes);
	return p;
}

/* CPU time of this process (every thread), in ns. */
static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- models -------------------------------------------------------------- */

/* Deterministic uniform values in [-1, 1). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static float uni(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (float)((double)(rng_state >> 40) / (double)(1ull << 23) - 1.0);
}

static float *fill(uint32_t n, float scale, float offset)
{
	float *p = xalloc((size_t)n * sizeof(float));
	uint32_t i;

	for (i = 0; i < n; i++)
		p[i] = offset + scale * uni();
	return p;
}

static void add_dense(struct model *m, uint32_t in, uint32_t out,
		      uint32_t act)
{
	struct op *op = &m->ops[m->n_ops++];

	op->type = EDGEAI_MODEL_OP_DENSE;
	op->act = act;
	op->in = in;
	op->out = out;
	/* Uniform weights of variance 1 / in: outputs of order 1. */
	op->p[0] = fill(in * out, sqrtf(3.0f / (float)in), 0);
	op->p[1] = fill(out, 0.1f, 0);
	m->flops += 2.0 * in * out;
	m->out = out;
}

static void make_models(struct model *ms)
{
	struct op *op;

	ms[0].name = "linear";
	ms[0].title = "linear 16-1";
	add_dense(&ms[0], DIM, 1, EDGEAI_MODEL_ACT_IDENTITY);

	ms[1].name = "logistic";
	ms[1].title = "logistic 16-1";
	add_dense(&ms[1], DIM, 1, EDGEAI_MODEL_ACT_SIGMOID);

	ms[2].name = "mlp";
	ms[2].title = "MLP 16-64-8";
	add_dense(&ms[2], DIM, 64, EDGEAI_MODEL_ACT_RELU);
	add_dense(&ms[2], 64, 8, EDGEAI_MODEL_ACT_IDENTITY);

	ms[3].name = "pipeline";
	ms[3].title = "standardize+PCA 16-8+MLP 8-64-8";
	op = &ms[3].ops[ms[3].n_ops++];
	op->type = EDGEAI_MODEL_OP_STANDARDIZE;
	op->in = op->out = DIM;
	op->p[0] = fill(DIM, 0.5f, 0.5f);	/* mean around the inputs' */
	op->p[1] = fill(DIM, 0.75f, 1.25f);	/* std 0.5 .. 2 */
	op = &ms[3].ops[ms[3].n_ops++];
	op->type = EDGEAI_MODEL_OP_PCA;
	op->in = DIM;
	op->out = 8;
	op->p[0] = fill(DIM, 0.1f, 0);
	op->p[1] = fill(8 * DIM, sqrtf(3.0f / DIM), 0);
	ms[3].flops += 2.0 * DIM * 8;
	add_dense(&ms[3], 8, 64, EDGEAI_MODEL_ACT_RELU);
	add_dense(&ms[3], 64, 8, EDGEAI_MODEL_ACT_IDENTITY);
}

/* Write @m with the libedgeai builder, load it back, make its contexts. */
static void write_model(struct model *m)
{
	static const uint32_t batch[3] = { 1, 64, 1024 };
	struct edgeai_model_load_opts lo = { .sz = sizeof(lo) };
	struct edgeai_model_builder *b;
	char path[320], err[EDGEAI_MODEL_ERR_LEN];
	uint32_t i;
	int ret = edgeai_model_builder_new(&b);

	for (i = 0; !ret && i < m->n_ops; i++) {
		const struct op *op = &m->ops[i];

		switch (op->type) {
		case EDGEAI_MODEL_OP_STANDARDIZE:
			ret = edgeai_model_builder_add_standardize(
				b, op->p[0], op->p[1], op->in);
			break;
		case EDGEAI_MODEL_OP_PCA:
			ret = edgeai_model_builder_add_pca(b, op->p[0], op->p[1],
							   op->out, op->in);
			break;
		default:
			ret = edgeai_model_builder_add_dense(b, op->p[0], op->p[1],
							     op->out, op->in,
							     op->act);
			break;
		}
	}
	if (!ret)
		ret = edgeai_model_builder_set_meta(b, "edgeai.name", m->name);
	snprintf(path, sizeof(path), "%s/%s.safetensors", dir, m->name);
	if (!ret)
		ret = edgeai_model_builder_write(b, path);
	if (ret)
		die("%s: builder: %s (%s)", m->name,
		    b ? edgeai_model_builder_error(b) : "", strerror(-ret));
	edgeai_model_builder_free(b);
	lo.err = err;
	lo.errlen = sizeof(err);
	ret = edgeai_model_load(path, &lo, &m->m);
	if (ret)
		die("%s: load: %s (%s)", m->name, err, strerror(-ret));
	for (i = 0; i < 3; i++) {
		ret = edgeai_model_ctx_new(m->m, batch[i], &m->ctx[i]);
		if (ret)
			die("%s: context: %s", m->name, strerror(-ret));
	}
}

static void write_file(const char *name, const void *buf, size_t len)
{
	char path[320];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		die("write %s: %s", path, strerror(errno));
}

/* ---- the naive baseline: the graph in plain scalar loops ----------------- */

static float act1(uint32_t act, float v)
{
	switch (act) {
	case EDGEAI_MODEL_ACT_RELU:
		return v < 0 ? 0 : v;
	case EDGEAI_MODEL_ACT_SIGMOID:
		return 1.0f / (1.0f + expf(-v));
	default:
		return v;
	}
}

/* @n rows of @x through @m into @y, ping-ponging between @t0 and @t1. */
static void scalar_run(const struct model *m, const float *x, uint32_t n,
		       float *y, float *t0, float *t1)
{
	const float *src = x;
	uint32_t k, r, o, i;

	for (k = 0; k < m->n_ops; k++) {
		const struct op *op = &m->ops[k];
		const float *a = op->p[0], *b = op->p[1];
		float *dst = k + 1 == m->n_ops ? y : k % 2 ? t1 : t0;
		uint32_t in = op->in, out = op->out;

		for (r = 0; r < n; r++) {
			const float *s = src + (size_t)r * in;
			float *d = dst + (size_t)r * out;

			for (o = 0; o < out; o++) {
				float acc;

				switch (op->type) {
				case EDGEAI_MODEL_OP_STANDARDIZE:
					d[o] = (s[o] - a[o]) / b[o];
					break;
				case EDGEAI_MODEL_OP_PCA:
					acc = 0;
					for (i = 0; i < in; i++)
						acc += b[o * in + i] * (s[i] - a[i]);
					d[o] = acc;
					break;
				default:
					acc = b[o];
					for (i = 0; i < in; i++)
						acc += a[o * in + i] * s[i];
					d[o] = act1(op->act, acc);
					break;
				}
			}
		}
		src = dst;
	}
}

/* ---- timing windows ------------------------------------------------------ */

static float *t_buf[2], *y_buf;

/* Run contender @w (ours or scalar) over the N rows, @y receiving. */
static void pass(const struct model *m, enum who w, float *y)
{
	uint32_t bsz = who_batch[w], off;
	struct edgeai_model_ctx *ctx = w <= W_OURS1024 ? m->ctx[w] : NULL;

	for (off = 0; off < N; off += bsz) {
		const float *x = x_in + (size_t)off * DIM;
		float *yo = y + (size_t)off * m->out;

		if (ctx)
			edgeai_model_run(ctx, x, bsz, yo);
		else
			scalar_run(m, x, bsz, yo, t_buf[0], t_buf[1]);
	}
}

/* One window of @w: whole passes for at least @secs of CPU; ns per row. */
static double window_c(const struct model *m, enum who w, double secs)
{
	double t0 = cpu_ns(), el;
	uint64_t rows = 0;

	do {
		pass(m, w, y_buf);
		rows += N;
		el = cpu_ns() - t0;
	} while (el < secs * 1e9);
	return el / (double)rows;
}

/* One window of each Python contender of @m: ns per row, NAN if absent. */
static void window_py(const struct model *m, double secs, double *ns)
{
	char line[512], *p, *end;
	int k;

	fprintf(py_to, "time %s %.6f\n", m->name, secs);
	fflush(py_to);
	if (!fgets(line, sizeof(line), py_from) || strncmp(line, "t ", 2))
		die("bench/infer.py stopped answering (%s)", m->name);
	p = line + 2;
	for (k = W_PY; k < W_N; k++) {
		ns[k - W_PY] = strtod(p, &end);
		if (end == p)
			die("bench/infer.py: bad answer: %s", line);
		p = end;
	}
}

/* ---- FMA peak ------------------------------------------------------------ */

#define CHAINS		12
#define PEAK_ITERS	(1u << 16)

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX2 1
#define AVX2 __attribute__((target("avx2,fma")))

/* 12 independent vfmadd chains (acc = acc * m + c), 16 FLOPs each. */
AVX2 static double fma_avx2(uint32_t iters, float *sink)
{
	const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
	__m256 a0 = _mm256_set1_ps(0.10f), a1 = _mm256_set1_ps(0.11f),
	       a2 = _mm256_set1_ps(0.12f), a3 = _mm256_set1_ps(0.13f),
	       a4 = _mm256_set1_ps(0.14f), a5 = _mm256_set1_ps(0.15f),
	       a6 = _mm256_set1_ps(0.16f), a7 = _mm256_set1_ps(0.17f),
	       a8 = _mm256_set1_ps(0.18f), a9 = _mm256_set1_ps(0.19f),
	       a10 = _mm256_set1_ps(0.20f), a11 = _mm256_set1_ps(0.21f);
	float out[8];
	uint32_t i;

	for (i = 0; i < iters; i++) {
		a0 = _mm256_fmadd_ps(a0, m, c);
		a1 = _mm256_fmadd_ps(a1, m, c);
		a2 = _mm256_fmadd_ps(a2, m, c);
		a3 = _mm256_fmadd_ps(a3, m, c);
		a4 = _mm256_fmadd_ps(a4, m, c);
		a5 = _mm256_fmadd_ps(a5, m, c);
		a6 = _mm256_fmadd_ps(a6, m, c);
		a7 = _mm256_fmadd_ps(a7, m, c);
		a8 = _mm256_fmadd_ps(a8, m, c);
		a9 = _mm256_fmadd_ps(a9, m, c);
		a10 = _mm256_fmadd_ps(a10, m, c);
		a11 = _mm256_fmadd_ps(a11, m, c);
	}
	a0 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1),
					 _mm256_add_ps(a2, a3)),
			   _mm256_add_ps(_mm256_add_ps(a4, a5),
					 _mm256_add_ps(a6, a7)));
	a0 = _mm256_add_ps(a0, _mm256_add_ps(_mm256_add_ps(a8, a9),
					     _mm256_add_ps(a10, a11)));
	_mm256_storeu_ps(out, a0);
	*sink += out[0];
	return (double)iters * CHAINS * 16;
}
#endif

/* Portable: 12 chains of 4-lane multiply, then add (8 FLOPs a pair). */
typedef float v4sf __attribute__((vector_size(16)));

static double fma_generic(uint32_t iters, float *sink)
{
	const v4sf m = { 0.999999f, 0.999999f, 0.999999f, 0.999999f };
	const v4sf c = { 1e-7f, 1e-7f, 1e-7f, 1e-7f };
	v4sf a0 = m * 0.10f, a1 = m * 0.11f, a2 = m * 0.12f, a3 = m * 0.13f,
	     a4 = m * 0.14f, a5 = m * 0.15f, a6 = m * 0.16f, a7 = m * 0.17f,
	     a8 = m * 0.18f, a9 = m * 0.19f, a10 = m * 0.20f, a11 = m * 0.21f;
	uint32_t i;

	for (i = 0; i < iters; i++) {
		a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c;
		a3 = a3 * m + c; a4 = a4 * m + c; a5 = a5 * m + c;
		a6 = a6 * m + c; a7 = a7 * m + c; a8 = a8 * m + c;
		a9 = a9 * m + c; a10 = a10 * m + c; a11 = a11 * m + c;
	}
	a0 = (a0 + a1) + (a2 + a3) + (a4 + a5) + (a6 + a7) + (a8 + a9) +
	     (a10 + a11);
	*sink += a0[0];
	return (double)iters * CHAINS * 8;
}

static bool use_avx2(void)
{
#ifdef HAVE_AVX2
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
	return false;
#endif
}

/* One window of the peak loop: GFLOP/s (FLOPs per ns). */
static double fma_peak(double secs)
{
	static float sink;
	double t0 = cpu_ns(), flops = 0, el;

	do {
#ifdef HAVE_AVX2
		if (use_avx2())
			flops += fma_avx2(PEAK_ITERS, &sink);
		else
#endif
			flops += fma_generic(PEAK_ITERS, &sink);
		el = cpu_ns() - t0;
	} while (el < secs * 1e9);
	return flops / el;
}

/* ---- the Python baselines ------------------------------------------------ */

static void py_start(const char *script, const struct model *ms, int nm,
		     const char *notes)
{
	int to[2], from[2], i;
	char line[512], nbuf[16], *argv[4 + 8];
	FILE *f;

	if (pipe(to) || pipe(from))
		die("pipe: %s", strerror(errno));
	snprintf(nbuf, sizeof(nbuf), "%d", N);
	argv[0] = PYTHON;
	argv[1] = (char *)script;
	argv[2] = dir;
	argv[3] = nbuf;
	for (i = 0; i < nm; i++)
		argv[4 + i] = (char *)ms[i].name;
	argv[4 + nm] = NULL;
	py_pid = fork();
	if (py_pid < 0)
		die("fork: %s", strerror(errno));
	if (!py_pid) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[0]); close(to[1]); close(from[0]); close(from[1]);
		execv(PYTHON, argv);
		fprintf(stderr, "infer: %s: %s\n", PYTHON, strerror(errno));
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	py_to = fdopen(to[1], "w");
	py_from = fdopen(from[0], "r");
	if (!py_to || !py_from)
		die("fdopen: %s", strerror(errno));
	/* "ready torch" or "ready notorch REASON" once outputs are written. */
	if (!fgets(line, sizeof(line), py_from) || strncmp(line, "ready ", 6))
		die("bench/infer.py failed to start (NumPy missing? see above)");
	line[strcspn(line, "\n")] = 0;
	have_torch = !strcmp(line + 6, "torch");
	if (!have_torch) {
		fprintf(stderr, "infer: PyTorch rows left out: %s\n",
			line + 14);
		if (notes && (f = fopen(notes, "a"))) {
			fprintf(f, "inference: PyTorch rows left out (%s)\n",
				line + 14);
			fclose(f);
		}
	}
}

static void py_stop(void)
{
	int st;

	fprintf(py_to, "quit\n");
	fclose(py_to);
	fclose(py_from);
	if (waitpid(py_pid, &st, 0) != py_pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		die("bench/infer.py failed at exit");
}

/* ---- cross-checks -------------------------------------------------------- */

static bool present(enum who w)
{
	return have_torch || w < W_TORCH1;
}

/* Max absolute difference of @got from @m's reference, or INFINITY. */
static double max_err(const struct model *m, const float *got)
{
	size_t i, n = (size_t)N * m->out;
	double e, worst = 0;

	for (i = 0; i < n; i++) {
		if (!isfinite(got[i]) || !isfinite(m->y[i]))
			return INFINITY;
		e = fabs((double)got[i] - (double)m->y[i]);
		worst = e > worst ? e : worst;
	}
	return worst;
}

static float *read_out(const struct model *m, enum who w)
{
	size_t len = (size_t)N * m->out * sizeof(float);
	float *buf = xalloc(len);
	char path[400];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s.f32", dir, m->name, who_name[w]);
	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st) || (size_t)st.st_size != len ||
	    fread(buf, 1, len, f) != len)
		die("FAIL: %s, %s (%s): outputs missing or not %zu bytes",
		    m->title, who_desc[w], who_name[w], len);
	fclose(f);
	return buf;
}

/* Every contender's outputs against ours at batch 64: false on a miss. */
static bool cross_check(struct model *m)
{
	bool ok = true;
	float *got;
	double e;
	int w;

	m->y = xalloc((size_t)N * m->out * sizeof(float));
	pass(m, W_OURS64, m->y);
	for (w = 0; w < W_N; w++) {
		if (w == W_OURS64 || !present((enum who)w))
			continue;
		if (w < W_PY) {
			got = xalloc((size_t)N * m->out * sizeof(float));
			pass(m, (enum who)w, got);
		} else {
			got = read_out(m, (enum who)w);
		}
		e = max_err(m, got);
		fprintf(stderr, "infer: %-8s %-11s max |diff| vs ours-64 %.3g\n",
			m->name, who_name[w], e);
		if (!(e <= TOL)) {
			fprintf(stderr, "infer: FAIL: %s, %s (%s): outputs "
				"differ from libedgeai's at batch 64 by %g (> %g) "
				"on the same weights and inputs\n", m->title,
				who_desc[w], who_name[w], e, TOL);
			ok = false;
		}
		free(got);
	}
	return ok;
}

/* ---- report -------------------------------------------------------------- */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n, double *spread)
{
	double s[MAX_REPS], m;

	memcpy(s, v, sizeof(*v) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_d);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	*spread = m > 0 ? (s[n - 1] - s[0]) / m : 0;
	return m;
}

/* @extra: more JSON members (", \"target\": 50"), or "". */
static void row(const char *name, double ours, double base,
		const char *base_name, const char *unit, const char *better,
		int reps, double spread, const char *extra)
{
	double ratio = strcmp(better, "lower") ? ours / base : base / ours;

	printf("{\"group\": \"inference\", \"name\": \"%s\", \"ours\": %.3f, "
	       "\"baseline\": %.3f, \"baseline_name\": \"%s\", \"unit\": \"%s\", "
	       "\"ratio\": %.4f, \"better\": \"%s\", \"reps\": %d, "
	       "\"spread\": %.4f%s}\n", name, ours, base, base_name, unit, ratio,
	       better, reps, spread, extra);
}

static void report(const struct model *ms, int nm, const double *peak,
		   int reps)
{
	static const struct {
		enum who ours, base;
		const char *what, *bname;
		double target;
	} cmp[] = {
		{ W_OURS64, W_SCALAR64, "batch 64: ours vs scalar C",
		  "plain scalar C loops, 64 rows a call", 0 },
		{ W_OURS1024, W_SCALAR1024, "batch 1024: ours vs scalar C",
		  "plain scalar C loops, 1024 rows a call", 0 },
		{ W_OURS64, W_NUMPY64, "batch 64: ours vs NumPy batched",
		  "NumPy float32, 64 rows a call", 0 },
		{ W_OURS1024, W_NUMPY1024, "batch 1024: ours vs NumPy batched",
		  "NumPy float32, 1024 rows a call", 0 },
		{ W_OURS64, W_TORCH64, "batch 64: ours vs PyTorch batched",
		  "PyTorch float32, 1 thread, 64 rows a call", 0 },
		{ W_OURS1024, W_TORCH1024, "batch 1024: ours vs PyTorch batched",
		  "PyTorch float32, 1 thread, 1024 rows a call", 0 },
		{ W_OURS64, W_NUMPY1, "ours batch 64 vs NumPy per sample",
		  "NumPy float32, one row a call", 50 },
		{ W_OURS1, W_NUMPY1, "ours 1 row a call vs NumPy per sample",
		  "NumPy float32, one row a call", 0 },
		{ W_OURS64, W_TORCH1, "ours batch 64 vs PyTorch per sample",
		  "PyTorch float32, 1 thread, one row a call", 0 },
		{ W_OURS1, W_TORCH1, "ours 1 row a call vs PyTorch per sample",
		  "PyTorch float32, 1 thread, one row a call", 0 },
	};
	double o, b, so, sb, gf[MAX_REPS];
	char name[200], extra[64];
	size_t c;
	int i, k;

	for (i = 0; i < nm; i++) {
		for (c = 0; c < sizeof(cmp) / sizeof(cmp[0]); c++) {
			if (!present(cmp[c].base))
				continue;
			o = median(ms[i].ns[cmp[c].ours], reps, &so);
			b = median(ms[i].ns[cmp[c].base], reps, &sb);
			snprintf(name, sizeof(name), "%s, %s", ms[i].title,
				 cmp[c].what);
			extra[0] = 0;
			if (cmp[c].target)
				snprintf(extra, sizeof(extra),
					 ", \"target\": %g", cmp[c].target);
			row(name, o, b, cmp[c].bname, "ns/sample", "lower", reps,
			    so > sb ? so : sb, extra);
		}
	}
	/* The MLP at both batch sizes against the peak. */
	for (k = W_OURS64; k <= W_OURS1024; k++) {
		for (i = 0; i < reps; i++)
			gf[i] = ms[2].flops / ms[2].ns[k][i];
		o = median(gf, reps, &so);
		b = median(peak, reps, &sb);
		snprintf(name, sizeof(name), "%s, batch %u: fraction of the "
			 "FMA peak (target >= 0.5)", ms[2].title, who_batch[k]);
		row(name, o, b, use_avx2() ?
		    "single-core fp32 peak measured here: 12 chains of 8-lane FMA" :
		    "single-core fp32 peak measured here: 12 chains of 4-lane mul+add",
		    "GFLOP/s", "higher", reps, so > sb ? so : sb,
		    ", \"target\": 0.5, \"peak\": true");
	}
}

/* Involuntary context switches of this process so far. */
static long preempted(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nivcsw;
}

/* The machine's CPU pressure (PSI "some" over 60 s), or -1. */
static double cpu_pressure(void)
{
	FILE *f = fopen("/proc/pressure/cpu", "r");
	double v = -1;

	if (f) {
		if (fscanf(f, "some avg10=%*f avg60=%lf", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* ---- main ---------------------------------------------------------------- */

static void pin(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu = getenv("INFER_CPU") ? atoi(getenv("INFER_CPU")) :
		  (int)(ncpu > 0 ? ncpu - 1 : 0);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "infer: not pinned to CPU %d\n", cpu);
	else
		fprintf(stderr, "infer: pinned to CPU %d (and bench/infer.py)\n",
			cpu);
}

int main(int argc, char **argv)
{
	static struct model ms[4];
	static double peak[MAX_REPS], pyns[W_N - W_PY];
	const char *script = getenv("INFER_PY") ? getenv("INFER_PY") : INFER_PY;
	const int nm = (int)(sizeof(ms) / sizeof(ms[0]));
	double secs, med, sp;
	int reps, i, k, w;
	long csw;
	bool ok = true;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: infer SECONDS REPS [NOTES]\n");
		return 2;
	}
	secs = atof(argv[1]);
	reps = atoi(argv[2]);
	if (secs <= 0 || reps < 1 || reps > MAX_REPS) {
		fprintf(stderr, "infer: SECONDS > 0, REPS 1..%d\n", MAX_REPS);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	pin();
	snprintf(dir, sizeof(dir), "%s/edgeai-infer.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		die("mkdtemp: %s", strerror(errno));
	atexit(cleanup);

	x_in = fill(N * DIM, 2.0f, 0.5f);
	write_file("x.f32", x_in, (size_t)N * DIM * sizeof(float));
	t_buf[0] = xalloc((size_t)1024 * MAX_OUT * sizeof(float));
	t_buf[1] = xalloc((size_t)1024 * MAX_OUT * sizeof(float));
	y_buf = xalloc((size_t)N * MAX_OUT * sizeof(float));
	make_models(ms);
	for (i = 0; i < nm; i++)
		write_model(&ms[i]);
	fprintf(stderr, "infer: libedgeai kernel %s; %d rows of %d floats; "
		"peak loop %s\n", edgeai_model_ctx_kernel(ms[0].ctx[0]), N, DIM,
		use_avx2() ? "avx2-fma" : "portable");

	py_start(script, ms, nm, argc > 3 ? argv[3] : NULL);
	for (i = 0; i < nm; i++)
		ok &= cross_check(&ms[i]);
	if (!ok) {
		fprintf(stderr, "infer: a contender computed other outputs than "
			"libedgeai on the same inputs: no timing reported\n");
		return 1;
	}

	/* Warm-up, not reported. */
	fma_peak(secs / 4);
	for (i = 0; i < nm; i++) {
		for (w = 0; w < W_PY; w++)
			window_c(&ms[i], (enum who)w, secs / 4);
		window_py(&ms[i], secs / 4, pyns);
	}
	csw = preempted();
	for (k = 0; k < reps; k++) {
		peak[k] = fma_peak(secs);
		for (i = 0; i < nm; i++) {
			for (w = 0; w < W_PY; w++)
				ms[i].ns[w][k] = window_c(&ms[i], (enum who)w,
							  secs);
			window_py(&ms[i], secs, pyns);
			for (w = W_PY; w < W_N; w++)
				ms[i].ns[w][k] = pyns[w - W_PY];
		}
	}
	csw = preempted() - csw;
	py_stop();
	fprintf(stderr, "infer: other work on the machine: %ld involuntary "
		"context switches of this process while timing; CPU pressure "
		"(PSI some avg60) %.0f%% at the end\n", csw, cpu_pressure());

	med = median(peak, reps, &sp);
	fprintf(stderr, "infer: FMA peak %.1f GFLOP/s (spread %.0f%%)\n", med,
		100 * sp);
	for (i = 0; i < nm; i++) {
		fprintf(stderr, "infer: %-8s ns/sample:", ms[i].name);
		for (w = 0; w < W_N; w++) {
			if (present((enum who)w))
				fprintf(stderr, " %s %.4g", who_name[w],
					median(ms[i].ns[w], reps, &sp));
		}
		fprintf(stderr, "\n");
	}
	report(ms, nm, peak, reps);
	return 0;
}
