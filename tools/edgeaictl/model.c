// SPDX-License-Identifier: GPL-2.0
/*
 * edgeaictl model: train a model on the device from a CSV file, run a
 * model on raw inputs, and describe a model file.
 *
 *   model train --csv FILE --features A,B,... --target Y --model KIND
 *               --optimizer sgd|adam [OPTIONS] -o OUT
 *   model predict FILE { X1 X2 ... | --csv DATA }
 *   model info FILE
 *
 * The reference article's worked example, exactly:
 *
 *   edgeaictl model train --csv data.csv --features x1,x2 --target y \
 *       --model linear --standardize --optimizer sgd --lr 0.01 \
 *       --epochs 100 --batch 10 -o model.st
 *   edgeaictl model predict model.st 1.0 2.0
 *
 * CSV rows with a missing, empty or non-numeric value in a column the
 * command uses are dropped and counted (the first few are named with
 * their line and column); a column missing from the header is an error.
 * Training is libedgeai's (edgeai/train.h, docs/training.md); the model
 * file is written atomically (temporary file, fsync, rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <edgeai/model.h>
#include <edgeai/train.h>

#include "main.h"

/* Dropped rows named one by one before "... and N more". */
#define MAX_NOTES	5
/* A command's help was asked for and printed: exit 0. */
#define HELP_DONE	(-1)

/* ---- small parsers ---- */

/* A whole finite number, surrounding blanks allowed. */
static int parse_num(const char *s, double *v)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end || end == s || !isfinite(*v))
		return -EINVAL;
	return 0;
}

/* A comma-separated list into its (non-empty) items, in place. */
static int split_list(char *s, char ***items, uint32_t *n)
{
	char **v = NULL, **nv, *tok, *save = NULL;
	uint32_t k = 0;

	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		nv = realloc(v, (k + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			return -ENOMEM;
		}
		v = nv;
		v[k++] = tok;
	}
	*items = v;
	*n = k;
	return k ? 0 : -EINVAL;
}

/* ---- CSV: a header row, then rows of comma-separated fields ---- */

struct csv {
	const char *path;
	FILE *f;
	char *line;
	size_t cap;
	uint64_t lineno;
	char **field;
	uint32_t n_fields, cap_fields;
	char **header;		/* copies of the header's fields */
	uint32_t n_cols;
	uint64_t header_line;
	bool bad_quote;		/* the current row has an unterminated quote */
};

static void trim(char **s)
{
	char *e;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	e = *s + strlen(*s);
	while (e > *s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
}

/* One field at *@p: unquoted up to a comma, or "quoted" with "" for ". */
static char *csv_field(struct csv *c, char **p)
{
	char *s = *p, *out, *f;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '"') {
		f = *p;
		s = strchr(f, ',');
		*p = s ? s + 1 : NULL;
		if (s)
			*s = '\0';
		trim(&f);
		return f;
	}
	f = out = ++s;
	for (;;) {
		if (!*s) {
			c->bad_quote = true;
			break;
		}
		if (*s == '"' && s[1] != '"') {
			s++;
			break;
		}
		if (*s == '"')
			s++;
		*out++ = *s++;
	}
	s = strchr(s, ',');
	*p = s ? s + 1 : NULL;
	*out = '\0';
	return f;
}

static int csv_split(struct csv *c)
{
	char *p = c->line, **nf;

	c->n_fields = 0;
	c->bad_quote = false;
	while (p) {
		if (c->n_fields == c->cap_fields) {
			nf = realloc(c->field, (c->cap_fields * 2 + 8) * sizeof(*nf));
			if (!nf)
				return -ENOMEM;
			c->field = nf;
			c->cap_fields = c->cap_fields * 2 + 8;
		}
		c->field[c->n_fields++] = csv_field(c, &p);
	}
	return 0;
}

/* The next non-blank line, split. Returns 1, 0 at the end, or -errno. */
static int csv_next(struct csv *c)
{
	ssize_t len;
	char *s;

	for (;;) {
		errno = 0;
		len = getline(&c->line, &c->cap, c->f);
		if (len < 0)
			return errno ? -errno : 0;
		c->lineno++;
		while (len && (c->line[len - 1] == '\n' || c->line[len - 1] == '\r'))
			c->line[--len] = '\0';
		s = c->line + strspn(c->line, " \t");
		if (*s)
			break;
	}
	/* A UTF-8 byte order mark before the header is not part of it. */
	if (c->lineno == 1 && !strncmp(c->line, "\xef\xbb\xbf", 3))
		memmove(c->line, c->line + 3, strlen(c->line + 3) + 1);
	return csv_split(c) ? -ENOMEM : 1;
}

static void csv_close(struct csv *c)
{
	uint32_t i;

	if (c->f)
		fclose(c->f);
	for (i = 0; i < c->n_cols; i++)
		free(c->header[i]);
	free(c->header);
	free(c->field);
	free(c->line);
}

/* Open @path and read its header. Returns 0 or an exit status. */
static int csv_open(struct csv *c, const char *path)
{
	uint32_t i;
	int ret;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->f = fopen(path, "re");
	if (!c->f)
		return error_out(EXIT_FAIL, "%s: %s", path, strerror(errno));
	ret = csv_next(c);
	if (ret <= 0)
		return error_out(EXIT_FAIL, "%s: %s", path,
				 ret ? strerror(-ret) : "empty: no header row");
	c->header_line = c->lineno;
	c->header = calloc(c->n_fields, sizeof(*c->header));
	if (!c->header)
		return error_out(EXIT_FAIL, "out of memory");
	for (i = 0; i < c->n_fields; i++) {
		c->header[i] = strdup(c->field[i]);
		if (!c->header[i])
			return error_out(EXIT_FAIL, "out of memory");
		c->n_cols++;
	}
	return 0;
}

/* Index of column @name; an error naming it if absent or ambiguous. */
static int csv_col(const struct csv *c, const char *name, uint32_t *col)
{
	char cols[160] = "";
	uint32_t i, n = 0;
	size_t off = 0;

	for (i = 0; i < c->n_cols; i++) {
		if (!strcmp(c->header[i], name)) {
			*col = i;
			n++;
		}
	}
	if (n == 1)
		return 0;
	for (i = 0; i < c->n_cols && off < sizeof(cols); i++)
		off += snprintf(cols + off, sizeof(cols) - off, "%s%s",
				i ? "," : "", c->header[i]);
	return error_out(EXIT_FAIL, "%s:%llu: %s column '%s' in the header (%s)",
			 c->path, (unsigned long long)c->header_line,
			 n ? "more than one" : "no", name, cols);
}

/* A dropped row, for the report. */
struct note {
	uint64_t line;
	char column[64];
	char reason[96];
};

/* The rows read from a CSV for training or prediction. */
struct table {
	uint32_t n_feat;
	uint32_t *col;		/* n_feat columns, then the target's */
	bool has_target, labels;	/* target read as text (classes) */
	float *x, *y;
	char **label;
	uint64_t *line;
	uint32_t rows, cap;
	uint64_t read, dropped;
	struct note note[MAX_NOTES];
};

static void table_free(struct table *t)
{
	uint32_t i;

	for (i = 0; t->label && i < t->rows; i++)
		free(t->label[i]);
	free(t->label);
	free(t->x);
	free(t->y);
	free(t->line);
	free(t->col);
}

static void drop(struct table *t, const struct csv *c, uint32_t col,
		 const char *reason)
{
	struct note *n = &t->note[t->dropped < MAX_NOTES ? t->dropped : 0];

	if (t->dropped++ >= MAX_NOTES)
		return;
	n->line = c->lineno;
	snprintf(n->column, sizeof(n->column), "%s", c->header[col]);
	snprintf(n->reason, sizeof(n->reason), "%s", reason);
}

static int table_grow(struct table *t)
{
	uint32_t cap = t->cap ? t->cap * 2 : 256;
	float *x, *y;
	uint64_t *line;
	char **label;

	if (t->cap >= UINT32_MAX / 2 / (t->n_feat + 1))
		return -EFBIG;
	x = realloc(t->x, (size_t)cap * t->n_feat * sizeof(*x));
	if (x)
		t->x = x;
	y = realloc(t->y, (size_t)cap * sizeof(*y));
	if (y)
		t->y = y;
	line = realloc(t->line, (size_t)cap * sizeof(*line));
	if (line)
		t->line = line;
	label = t->labels ? realloc(t->label, (size_t)cap * sizeof(*label)) : NULL;
	if (label)
		t->label = label;
	if (!x || !y || !line || (t->labels && !label))
		return -ENOMEM;
	t->cap = cap;
	return 0;
}

/*
 * The current row into the table, or dropped (and noted). Returns 0 or
 * -ENOMEM.
 */
static int table_row(struct table *t, const struct csv *c)
{
	uint32_t i, n = t->n_feat + t->has_target, col;
	char why[96];
	float *x;
	double v;

	if (c->bad_quote || c->n_fields > c->n_cols) {
		drop(t, c, c->n_cols - 1, c->bad_quote ? "a quote is not closed" :
		     "more fields than the header has");
		return 0;
	}
	if (t->rows == t->cap && table_grow(t))
		return -ENOMEM;
	x = t->x + (size_t)t->rows * t->n_feat;
	for (i = 0; i < n; i++) {
		col = t->col[i];
		if (col >= c->n_fields || !*c->field[col]) {
			drop(t, c, col, "empty");
			return 0;
		}
		if (i == t->n_feat && t->labels)
			continue;
		if (parse_num(c->field[col], &v) || fabs(v) > 3.4e38) {
			snprintf(why, sizeof(why), "'%.60s' is not a number",
				 c->field[col]);
			drop(t, c, col, why);
			return 0;
		}
		if (i < t->n_feat)
			x[i] = (float)v;
		else
			t->y[t->rows] = (float)v;
	}
	if (t->labels) {
		t->label[t->rows] = strdup(c->field[t->col[t->n_feat]]);
		if (!t->label[t->rows])
			return -ENOMEM;
	}
	t->line[t->rows++] = c->lineno;
	return 0;
}

/*
 * Read @path: columns @feat, or the first @n_feat if NULL (and @target,
 * if not NULL; as text labels if @labels). Returns 0 or an exit status
 * (message printed).
 */
static int table_read(struct table *t, const char *path, char **feat,
		      uint32_t n_feat, const char *target, bool labels)
{
	struct csv c;
	uint32_t i;
	int ret;

	memset(t, 0, sizeof(*t));
	t->n_feat = n_feat;
	t->has_target = target;
	t->labels = target && labels;
	t->col = calloc(n_feat + 1, sizeof(*t->col));
	if (!t->col)
		return error_out(EXIT_FAIL, "out of memory");
	ret = csv_open(&c, path);
	if (!ret && !feat && c.n_cols < n_feat)
		ret = error_out(EXIT_FAIL, "%s:1: %u columns, the model takes %u inputs",
				path, c.n_cols, n_feat);
	for (i = 0; !ret && i < n_feat; i++) {
		t->col[i] = i;
		if (feat)
			ret = csv_col(&c, feat[i], &t->col[i]);
	}
	if (!ret && target)
		ret = csv_col(&c, target, &t->col[n_feat]);
	while (!ret && (ret = csv_next(&c)) == 1) {
		t->read++;
		ret = table_row(t, &c);
	}
	if (ret < 0)
		ret = error_out(EXIT_FAIL, "%s:%llu: %s", path,
				(unsigned long long)c.lineno, strerror(-ret));
	csv_close(&c);
	if (!ret && !t->rows)
		ret = error_out(EXIT_FAIL, "%s: no usable row (%llu read, all dropped)",
				path, (unsigned long long)t->read);
	return ret;
}

/*
 * What was read and dropped: notes on stderr in text, members in JSON.
 * With @quiet, the text summary goes to stderr too (stdout is data).
 */
static void table_report(const struct table *t, const char *path, bool quiet)
{
	uint64_t i, shown = t->dropped < MAX_NOTES ? t->dropped : MAX_NOTES;

	for (i = 0; !json_output && i < shown; i++)
		fprintf(stderr, "%s: %s:%llu: column %s: %s (row dropped)\n",
			bin_name, path, (unsigned long long)t->note[i].line,
			t->note[i].column, t->note[i].reason);
	if (!json_output && t->dropped > shown)
		fprintf(stderr, "%s: %s: ... and %llu more rows dropped\n", bin_name,
			path, (unsigned long long)(t->dropped - shown));
	if (quiet) {
		fprintf(stderr, "%s: %s: %llu rows read, %llu dropped\n", bin_name,
			path, (unsigned long long)t->read,
			(unsigned long long)t->dropped);
		return;
	}
	out_str("csv", "csv", path);
	out_u64("rows_read", "rows read", t->read);
	out_u64("dropped", "dropped", t->dropped);
	out_u64("rows", "rows used", t->rows);
	out_array_begin("dropped_rows");
	for (i = 0; json_output && i < shown; i++) {
		out_obj_begin(NULL, NULL);
		out_u64("line", NULL, t->note[i].line);
		out_str("column", NULL, t->note[i].column);
		out_str("reason", NULL, t->note[i].reason);
		out_obj_end();
	}
	out_array_end();
}

/* ---- classes: the target's distinct values, sorted ---- */

static bool all_numeric;

static int label_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	double u, v;

	if (all_numeric && !parse_num(x, &u) && !parse_num(y, &v) && u != v)
		return u < v ? -1 : 1;
	return strcmp(x, y);
}

/* The sorted distinct labels of @t into *@classes (pointers into @t). */
static int find_classes(const struct table *t, const char ***classes,
			uint32_t *n)
{
	const char **v = malloc((size_t)t->rows * sizeof(*v));
	uint32_t i, k = 0;
	double d;

	if (!v)
		return -ENOMEM;
	all_numeric = true;
	for (i = 0; i < t->rows; i++) {
		v[i] = t->label[i];
		all_numeric = all_numeric && !parse_num(v[i], &d);
	}
	qsort(v, t->rows, sizeof(*v), label_cmp);
	for (i = 0; i < t->rows; i++)
		if (!k || strcmp(v[k - 1], v[i]))
			v[k++] = v[i];
	*classes = v;
	*n = k;
	return 0;
}

/* Class index of each row's label; -ENOENT names the first unknown one. */
static int map_labels(const struct table *t, const char *const *classes,
		      uint32_t n, uint32_t *out, uint32_t *bad_row)
{
	uint32_t i, c;

	for (i = 0; i < t->rows; i++) {
		for (c = 0; c < n && strcmp(classes[c], t->label[i]); c++)
			;
		if (c == n) {
			*bad_row = i;
			return -ENOENT;
		}
		out[i] = c;
	}
	return 0;
}

/* ---- model train ---- */

enum {
	OPT_CSV = 0x100, OPT_FEATURES, OPT_TARGET, OPT_MODEL, OPT_HIDDEN,
	OPT_ACTIVATION, OPT_STANDARDIZE, OPT_OPTIMIZER, OPT_LR, OPT_MOMENTUM,
	OPT_BETA1, OPT_BETA2, OPT_EPOCHS, OPT_BATCH, OPT_L2, OPT_SEED,
	OPT_VAL, OPT_PATIENCE, OPT_NO_SHUFFLE, OPT_WARM, OPT_NAME,
	OPT_VERSION, OPT_QUIET, OPT_TASK,
};

static const struct option train_opts[] = {
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "features", required_argument, NULL, OPT_FEATURES },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "hidden", required_argument, NULL, OPT_HIDDEN },
	{ "activation", required_argument, NULL, OPT_ACTIVATION },
	{ "standardize", no_argument, NULL, OPT_STANDARDIZE },
	{ "optimizer", required_argument, NULL, OPT_OPTIMIZER },
	{ "lr", required_argument, NULL, OPT_LR },
	{ "momentum", required_argument, NULL, OPT_MOMENTUM },
	{ "beta1", required_argument, NULL, OPT_BETA1 },
	{ "beta2", required_argument, NULL, OPT_BETA2 },
	{ "epochs", required_argument, NULL, OPT_EPOCHS },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "l2", required_argument, NULL, OPT_L2 },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "val", required_argument, NULL, OPT_VAL },
	{ "patience", required_argument, NULL, OPT_PATIENCE },
	{ "no-shuffle", no_argument, NULL, OPT_NO_SHUFFLE },
	{ "warm-start", required_argument, NULL, OPT_WARM },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "version", required_argument, NULL, OPT_VERSION },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "task", required_argument, NULL, OPT_TASK },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define TRAIN_USAGE "usage: model train --csv FILE --features A,B,... --target Y --model linear|logistic|softmax|mlp --optimizer sgd|adam [OPTIONS] -o OUT (try 'model train help')"

struct train_args {
	const char *csv, *target, *warm, *out;
	const char *task;
	char *features;
	char **feat;
	uint32_t n_feat;
	uint32_t hid[EDGEAI_TRAIN_MAX_HIDDEN];
	bool quiet, have_kind, have_opt, regression;
	struct edgeai_train_opts o;
};

static int train_help(void)
{
	printf("Usage: %s [-j|-p] model train --csv FILE --features A,B,... --target Y\n"
	       "           --model linear|logistic|softmax|mlp --optimizer sgd|adam\n"
	       "           [OPTIONS] -o OUT\n\n"
	       "Train a model on the rows of a CSV file (a header row, then values)\n"
	       "and write it to OUT atomically. Rows with a missing, empty or\n"
	       "non-numeric value in a used column are dropped and counted. For\n"
	       "logistic, softmax and classifying mlp models the target's distinct\n"
	       "values are the classes (sorted; stored in the model).\n\n"
	       "  --csv FILE          training rows\n"
	       "  --features A,B,...  input columns, in the model's input order\n"
	       "  --target Y          the column to predict\n"
	       "  --model KIND        linear (regression, MSE), logistic (2 classes),\n"
	       "                      softmax (classes), mlp (regression or classes)\n"
	       "  --hidden N,N,...    mlp hidden layer widths (default 32)\n"
	       "  --activation ACT    mlp hidden activation: relu (default), tanh,\n"
	       "                      sigmoid, identity\n"
	       "  --task TASK         mlp: regression, or classification (default:\n"
	       "                      classification)\n"
	       "  --standardize       z-score the inputs; the statistics go into the\n"
	       "                      model, which then takes raw inputs\n"
	       "  --optimizer OPT     sgd (with --momentum) or adam\n"
	       "  --lr F              learning rate (default 0.01 sgd, 0.001 adam)\n"
	       "  --momentum F        sgd momentum, 0 <= F < 1 (default 0)\n"
	       "  --beta1 F, --beta2 F  adam moment decays (default 0.9, 0.999)\n"
	       "  --epochs N          passes over the rows (default 100)\n"
	       "  --batch N           rows per step (default 32)\n"
	       "  --l2 F              L2 penalty F/2 * sum(w^2) on weights (default 0)\n"
	       "  --seed N            shuffling, split, initial weights (default 0):\n"
	       "                      the same seed gives the same file\n"
	       "  --no-shuffle        keep the rows' order\n"
	       "  --val F             hold out a fraction F of the rows to validate\n"
	       "                      on; the best epoch's weights are kept\n"
	       "  --patience N        stop after N epochs without a better\n"
	       "                      validation loss (needs --val)\n"
	       "  --warm-start FILE   start from this model's weights and statistics\n"
	       "  --name S, --version S  edgeai.name and edgeai.version\n"
	       "  -o, --output OUT    the model file to write\n"
	       "  -q, --quiet         no line per epoch\n\n"
	       "Example (the reference article's):\n"
	       "  %s model train --csv data.csv --features x1,x2 --target y \\\n"
	       "      --model linear --standardize --optimizer sgd --lr 0.01 \\\n"
	       "      --epochs 100 --batch 10 -o model.st\n"
	       "See edgeaictl-model(8) and docs/training.md.\n", bin_name, bin_name);
	return EXIT_OK;
}

static int opt_num(const char *name, const char *s, double *v)
{
	if (parse_num(s, v))
		return error_out(EXIT_USAGE, "--%s '%s': not a number", name, s);
	return 0;
}

static int opt_u32(const char *name, const char *s, uint32_t *v, uint32_t min)
{
	if (parse_u32(s, v) || *v < min)
		return error_out(EXIT_USAGE, "--%s '%s': not a whole number >= %u",
				 name, s, min);
	return 0;
}

static int parse_hidden(struct train_args *a, const char *s)
{
	char *copy = strdup(s), **items = NULL;
	uint32_t n = 0, i;
	int ret = 0;

	if (!copy || split_list(copy, &items, &n) || n > EDGEAI_TRAIN_MAX_HIDDEN)
		ret = error_out(EXIT_USAGE, "--hidden '%s': 1 to %d widths, e.g. 64,32",
				s, EDGEAI_TRAIN_MAX_HIDDEN);
	for (i = 0; !ret && i < n; i++)
		if (parse_u32(items[i], &a->hid[i]) || !a->hid[i] ||
		    a->hid[i] > EDGEAI_TRAIN_MAX_WIDTH)
			ret = error_out(EXIT_USAGE, "--hidden: '%s' is not a width (1..%d)",
					items[i], EDGEAI_TRAIN_MAX_WIDTH);
	a->o.n_hidden = n;
	a->o.hidden = a->hid;
	free(items);
	free(copy);
	return ret;
}

static int parse_name_opt(struct train_args *a, int c, const char *arg)
{
	switch (c) {
	case OPT_MODEL:
		a->have_kind = true;
		if (edgeai_train_kind_from_name(arg, &a->o.kind))
			return error_out(EXIT_USAGE, "--model '%s': linear, logistic, softmax or mlp", arg);
		return 0;
	case OPT_OPTIMIZER:
		a->have_opt = true;
		if (edgeai_train_optimizer_from_name(arg, &a->o.optimizer))
			return error_out(EXIT_USAGE, "--optimizer '%s': sgd or adam", arg);
		return 0;
	case OPT_TASK:
		if (strcmp(arg, "regression") && strcmp(arg, "classification"))
			return error_out(EXIT_USAGE, "--task '%s': regression or classification", arg);
		a->task = arg;
		return 0;
	case OPT_ACTIVATION:
		if (edgeai_model_act_from_name(arg, &a->o.activation) ||
		    a->o.activation == EDGEAI_MODEL_ACT_SOFTMAX)
			return error_out(EXIT_USAGE, "--activation '%s': relu, tanh, sigmoid or identity", arg);
		return 0;
	}
	return -1;
}

static int parse_num_opt(struct train_args *a, int c, const char *arg)
{
	struct edgeai_train_opts *o = &a->o;
	uint64_t seed;
	char *end;

	switch (c) {
	case OPT_LR:
		if (parse_num(arg, &o->lr) || o->lr <= 0)
			return error_out(EXIT_USAGE, "--lr '%s': not a number > 0", arg);
		return 0;
	case OPT_MOMENTUM: return opt_num("momentum", arg, &o->momentum);
	case OPT_BETA1: return opt_num("beta1", arg, &o->beta1);
	case OPT_BETA2: return opt_num("beta2", arg, &o->beta2);
	case OPT_L2: return opt_num("l2", arg, &o->l2);
	case OPT_VAL: return opt_num("val", arg, &o->val_fraction);
	case OPT_EPOCHS: return opt_u32("epochs", arg, &o->epochs, 0);
	case OPT_BATCH: return opt_u32("batch", arg, &o->batch, 1);
	case OPT_PATIENCE: return opt_u32("patience", arg, &o->patience, 0);
	case OPT_SEED:
		errno = 0;
		seed = strtoull(arg, &end, 0);
		if (errno || !*arg || *end || *arg == '-')
			return error_out(EXIT_USAGE, "--seed '%s': not a whole number", arg);
		o->seed = seed;
		return 0;
	}
	return -1;
}

static int parse_train_opt(struct train_args *a, int c, const char *arg)
{
	int ret = parse_name_opt(a, c, arg);

	if (ret < 0)
		ret = parse_num_opt(a, c, arg);
	if (ret >= 0)
		return ret;
	switch (c) {
	case OPT_CSV: a->csv = arg; break;
	case OPT_FEATURES:
		free(a->features);	/* the last one given counts */
		a->features = strdup(arg);
		break;
	case OPT_TARGET: a->target = arg; break;
	case OPT_HIDDEN: return parse_hidden(a, arg);
	case OPT_STANDARDIZE: a->o.standardize = true; break;
	case OPT_NO_SHUFFLE: a->o.no_shuffle = true; break;
	case OPT_WARM: a->warm = arg; break;
	case OPT_NAME: a->o.name = arg; break;
	case OPT_VERSION: a->o.version = arg; break;
	case 'o': a->out = arg; break;
	case OPT_QUIET: a->quiet = true; break;
	default: return error_out(EXIT_USAGE, "%s", TRAIN_USAGE);
	}
	return 0;
}

static int check_features(struct train_args *a)
{
	uint32_t i, j;

	if (!a->features || split_list(a->features, &a->feat, &a->n_feat))
		return error_out(EXIT_USAGE, "--features: a comma-separated list of columns");
	if (a->n_feat > EDGEAI_TRAIN_MAX_WIDTH)
		return error_out(EXIT_USAGE, "--features: more than %d", EDGEAI_TRAIN_MAX_WIDTH);
	for (i = 0; i < a->n_feat; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(a->feat[i], a->feat[j]))
				return error_out(EXIT_USAGE, "--features: '%s' twice", a->feat[i]);
		if (!strcmp(a->feat[i], a->target))
			return error_out(EXIT_USAGE, "'%s' is both a feature and the target", a->target);
	}
	return 0;
}

static int parse_train(struct train_args *a, int argc, char **argv)
{
	int c, ret;

	memset(a, 0, sizeof(*a));
	a->o.sz = sizeof(a->o);
	a->o.epochs = 100;
	a->o.batch = 32;
	a->o.activation = EDGEAI_MODEL_ACT_RELU;
	a->hid[0] = 32;
	opterr = 0;
	optind = 1;
	/* argv[-1] is the command's name: getopt's argv[0] */
	while ((c = getopt_long(argc + 1, argv - 1, "+o:qh", train_opts, NULL)) != -1) {
		if (c == 'h')
			return HELP_DONE;
		if (c == 'q')
			c = OPT_QUIET;
		if (c == '?' || c == ':')
			return error_out(EXIT_USAGE, "bad option '%s'; %s",
					 argv[optind - 2 >= 0 ? optind - 2 : 0], TRAIN_USAGE);
		ret = parse_train_opt(a, c, optarg);
		if (ret)
			return ret;
	}
	if (optind - 1 < argc)
		return error_out(EXIT_USAGE, "unexpected argument '%s'; %s",
				 argv[optind - 1], TRAIN_USAGE);
	if (!a->csv || !a->features || !a->target || !a->have_kind ||
	    !a->have_opt || !a->out)
		return error_out(EXIT_USAGE, "missing %s; %s", !a->csv ? "--csv" :
				 !a->features ? "--features" : !a->target ? "--target" :
				 !a->have_kind ? "--model" : !a->have_opt ?
				 "--optimizer" : "-o OUT", TRAIN_USAGE);
	/* A warm start's mlp brings its own hidden layers. */
	if (a->o.kind == EDGEAI_TRAIN_MLP && !a->o.hidden && !a->warm) {
		a->o.n_hidden = 1;
		a->o.hidden = a->hid;
	}
	if (a->o.kind != EDGEAI_TRAIN_MLP && a->o.hidden)
		return error_out(EXIT_USAGE, "--hidden is for --model mlp");
	if (a->task && a->o.kind != EDGEAI_TRAIN_MLP)
		return error_out(EXIT_USAGE, "--task is for --model mlp");
	a->regression = a->o.kind == EDGEAI_TRAIN_LINEAR ||
			(a->task && !strcmp(a->task, "regression"));
	if (a->o.patience && a->o.val_fraction <= 0)
		return error_out(EXIT_USAGE, "--patience needs --val F (validation rows)");
	return check_features(a);
}

/* Range checks that are about the command line (exit 2); libedgeai checks
 * the rest. */
static int check_train_numbers(const struct edgeai_train_opts *o)
{
	if (o->momentum < 0 || o->momentum >= 1)
		return error_out(EXIT_USAGE, "--momentum %g: must be in [0, 1)", o->momentum);
	if (o->beta1 < 0 || o->beta1 >= 1 || o->beta2 < 0 || o->beta2 >= 1)
		return error_out(EXIT_USAGE, "--beta1/--beta2: must be in [0, 1)");
	if (o->l2 < 0)
		return error_out(EXIT_USAGE, "--l2 %g: must be >= 0", o->l2);
	if (o->val_fraction < 0 || o->val_fraction >= 1)
		return error_out(EXIT_USAGE, "--val %g: a fraction in [0, 1)", o->val_fraction);
	if (o->optimizer == EDGEAI_TRAIN_ADAM && o->momentum)
		return error_out(EXIT_USAGE, "--momentum is for sgd (adam has --beta1)");
	if (o->optimizer == EDGEAI_TRAIN_SGD && (o->beta1 || o->beta2))
		return error_out(EXIT_USAGE, "--beta1/--beta2 are for adam");
	return 0;
}

/* The warm-start model; its inputs must be the --features. */
static int load_warm(struct train_args *a, struct edgeai_model **mp)
{
	char err[EDGEAI_MODEL_ERR_LEN];
	struct edgeai_model_load_opts lo = {
		.sz = sizeof(lo), .err = err, .errlen = sizeof(err),
	};
	const char *name;
	uint32_t i;
	int ret;

	ret = edgeai_model_load(a->warm, &lo, mp);
	if (ret)
		return error_out(EXIT_FAIL, "%s: %s", a->warm, *err ? err : strerror(-ret));
	for (i = 0; i < a->n_feat; i++) {
		name = edgeai_model_input_name(*mp, i);
		if (name && strcmp(name, a->feat[i]))
			return error_out(EXIT_FAIL, "%s: input %u is '%s', --features has '%s'",
					 a->warm, i, name, a->feat[i]);
	}
	if (!a->o.name && *edgeai_model_name(*mp))
		a->o.name = edgeai_model_name(*mp);
	return 0;
}

/* A model's "edgeai.classes", split (into @buf, freed by the caller). */
static uint32_t model_classes(const struct edgeai_model *m, char **buf,
			      char ***classes)
{
	const char *v = edgeai_model_meta(m, "edgeai.classes");
	uint32_t n = 0;

	*buf = NULL;
	*classes = NULL;
	if (!v || !(*buf = strdup(v)) || split_list(*buf, classes, &n))
		return 0;
	return n;
}

struct classes {
	const char **found;	/* sorted distinct labels of the CSV */
	char **given;		/* the warm-start model's */
	char *given_buf;
	const char *const *names;
	uint32_t n;
	uint32_t *label;	/* per row */
};

static void classes_free(struct classes *cl)
{
	free(cl->found);
	free(cl->given);
	free(cl->given_buf);
	free(cl->label);
}

static int classes_check(const struct train_args *a, const struct table *t,
			 const struct classes *cl)
{
	if (cl->n < 2)
		return error_out(EXIT_FAIL, "%s: column %s has one value ('%s'): nothing to classify",
				 a->csv, a->target, cl->names[0]);
	if (a->o.kind == EDGEAI_TRAIN_LOGISTIC && cl->n != 2)
		return error_out(EXIT_FAIL, "%s: column %s has %u distinct values: logistic needs 2 (try --model softmax)",
				 a->csv, a->target, cl->n);
	if (cl->n > 20 && cl->n * 2 > t->rows)
		return error_out(EXIT_FAIL, "%s: column %s has %u distinct values in %u rows: not classes? (a numeric target: --model linear, or --model mlp --task regression)",
				 a->csv, a->target, cl->n, t->rows);
	return 0;
}

/* Classes (the model's when warm-starting, else the CSV's) and labels. */
static int classes_setup(const struct train_args *a, const struct table *t,
			 const struct edgeai_model *warm, struct classes *cl)
{
	uint32_t bad;
	int ret;

	memset(cl, 0, sizeof(*cl));
	if (warm)
		cl->n = model_classes(warm, &cl->given_buf, &cl->given);
	if (cl->n) {
		cl->names = (const char *const *)cl->given;
	} else {
		if (find_classes(t, &cl->found, &cl->n))
			return error_out(EXIT_FAIL, "out of memory");
		cl->names = cl->found;
	}
	ret = classes_check(a, t, cl);
	if (ret)
		return ret;
	cl->label = malloc((size_t)t->rows * sizeof(*cl->label));
	if (!cl->label)
		return error_out(EXIT_FAIL, "out of memory");
	if (map_labels(t, cl->names, cl->n, cl->label, &bad))
		return error_out(EXIT_FAIL, "%s:%llu: class '%s' is not one of %s's",
				 a->csv, (unsigned long long)t->line[bad],
				 t->label[bad], a->warm);
	return 0;
}

struct train_run {
	bool quiet, has_val;
};

static int on_epoch(const struct edgeai_train_epoch *e, void *arg)
{
	const struct train_run *r = arg;

	if (json_output) {
		out_obj_begin(NULL, NULL);
		out_u64("epoch", NULL, e->epoch);
		out_double("loss", NULL, e->loss);
		if (r->has_val) {
			out_double("val_loss", NULL, e->val_loss);
			out_bool("best", NULL, e->best);
		}
		out_obj_end();
	} else if (!r->quiet) {
		printf("epoch %u: loss %g", e->epoch, e->loss);
		if (r->has_val)
			printf(", val_loss %g%s", e->val_loss, e->best ? " (best)" : "");
		putchar('\n');
	}
	return 0;
}

static void print_metrics(const char *key, const char *label,
			  const struct edgeai_train_metrics *m, bool regression,
			  uint32_t n_classes)
{
	out_obj_begin(key, label);
	out_u64("rows", "rows", m->rows);
	out_double("loss", "loss", m->loss);
	if (regression) {
		out_double("mse", "mse", m->mse);
		out_double("r2", "r2", m->r2);
	} else {
		out_double("accuracy", "accuracy", m->accuracy);
		out_double("f1", n_classes > 2 ? "macro f1" : "f1", m->f1);
	}
	out_obj_end();
}

static void print_result(const struct edgeai_train_result *r, bool regression,
			 uint32_t n_classes)
{
	out_u64("epochs_run", "epochs run", r->epochs);
	if (r->val_rows) {
		out_u64("best_epoch", "best epoch", r->best_epoch);
		out_bool("early_stopped", "early stopped", r->early_stopped);
	}
	print_metrics("train", "train", &r->train, regression, n_classes);
	if (r->val_rows)
		print_metrics("validation", "validation", &r->val, regression,
			      n_classes);
}

/* Train on @t, write a->out; returns an exit status. */
static int train_write(struct train_args *a, const struct table *t,
		       const struct classes *cl)
{
	struct edgeai_train_data d = {
		.sz = sizeof(d), .rows = t->rows, .x = t->x,
		.y = a->regression ? t->y : NULL, .label = cl->label,
	};
	struct edgeai_train_result res = { .sz = sizeof(res) };
	struct train_run run = { .quiet = a->quiet, .has_val = a->o.val_fraction > 0 };
	struct edgeai_model_builder *b = NULL;
	char err[EDGEAI_TRAIN_ERR_LEN];
	struct edgeai_train *tr;
	int ret;

	a->o.n_features = a->n_feat;
	a->o.n_classes = a->regression ? 0 : cl->n;
	a->o.feature_names = (const char *const *)a->feat;
	a->o.target = a->target;
	a->o.class_labels = a->regression ? NULL : cl->names;
	a->o.on_epoch = on_epoch;
	a->o.arg = &run;
	a->o.err = err;
	a->o.errlen = sizeof(err);
	ret = edgeai_train_new(&a->o, &tr);
	if (ret)
		return error_out(EXIT_FAIL, "%s", err);
	out_array_begin("epochs");
	ret = edgeai_train_fit(tr, &d, NULL, &res);
	out_array_end();
	if (!ret)
		ret = edgeai_train_build(tr, &b);
	if (ret) {
		ret = error_out(EXIT_FAIL, "training: %s", edgeai_train_error(tr));
		edgeai_train_free(tr);
		return ret;
	}
	edgeai_train_free(tr);
	print_result(&res, a->regression, cl->n);
	ret = edgeai_model_builder_write(b, a->out);
	if (ret)
		ret = error_out(EXIT_FAIL, "%s: %s", a->out, edgeai_model_builder_error(b));
	edgeai_model_builder_free(b);
	if (ret)
		return ret;
	out_str("model", "model", a->out);
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

static int do_train(int argc, char **argv)
{
	struct edgeai_model *warm = NULL;
	struct classes cl = { 0 };
	struct train_args a;
	struct table t = { 0 };
	int ret;

	if (argc == 1 && !strcmp(argv[0], "help"))
		return train_help();
	ret = parse_train(&a, argc, argv);
	if (ret == HELP_DONE) {
		free(a.features);
		return train_help();
	}
	if (!ret)
		ret = check_train_numbers(&a.o);
	if (!ret && a.warm)
		ret = load_warm(&a, &warm);
	if (!ret)
		ret = table_read(&t, a.csv, a.feat, a.n_feat, a.target, !a.regression);
	if (!ret && !a.regression)
		ret = classes_setup(&a, &t, warm, &cl);
	if (!ret) {
		out_begin();
		table_report(&t, a.csv, false);
		if (!a.regression)
			out_strlist("classes", "classes", (const char **)cl.names, (int)cl.n);
		a.o.init = warm;
		ret = train_write(&a, &t, &cl);
	}
	classes_free(&cl);
	table_free(&t);
	edgeai_model_free(warm);
	free(a.feat);
	free(a.features);
	return ret;
}

/* ---- reading a model file whole (for its checksum and to load it) ---- */

static int read_file(const char *path, unsigned char **bufp, size_t *lenp)
{
	unsigned char *buf;
	struct stat st;
	size_t off = 0;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		ret = -errno;
	else if (!S_ISREG(st.st_mode))
		ret = -EINVAL;
	else if ((uint64_t)st.st_size > EDGEAI_MODEL_MAX_FILE)
		ret = -EFBIG;
	if (ret) {
		close(fd);
		return ret;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	/* Read what is there now: the file may be replaced meanwhile. */
	while ((n = read(fd, buf + off, (size_t)st.st_size + 1 - off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || off + (size_t)n > (size_t)st.st_size) {
			ret = n < 0 ? -errno : -EAGAIN;
			break;
		}
		off += (size_t)n;
	}
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	*bufp = buf;
	*lenp = off;
	return 0;
}

/* Load @path; an exit status with the loader's message on failure. */
static int load_model(const char *path, struct edgeai_model **mp,
		      unsigned char **bufp, size_t *lenp)
{
	char err[EDGEAI_MODEL_ERR_LEN] = "";
	struct edgeai_model_load_opts lo = {
		.sz = sizeof(lo), .err = err, .errlen = sizeof(err),
	};
	unsigned char *buf = NULL;
	size_t len = 0;
	int ret;

	ret = read_file(path, &buf, &len);
	if (ret)
		return error_out(EXIT_FAIL, "%s: %s", path, ret == -EINVAL ?
				 "not a regular file" : strerror(-ret));
	ret = edgeai_model_load_mem(buf, len, &lo, mp);
	if (ret) {
		free(buf);
		return error_out(EXIT_FAIL, "%s: %s", path, *err ? err : strerror(-ret));
	}
	if (bufp) {
		*bufp = buf;
		*lenp = len;
	} else {
		free(buf);
	}
	return 0;
}

/* ---- model predict ---- */

static int predict_help(void)
{
	printf("Usage: %s [-j|-p] model predict FILE X1 X2 ...\n"
	       "       %s [-j|-p] model predict FILE --csv DATA\n\n"
	       "Run the model in FILE on one row of raw inputs, or on every row of\n"
	       "the CSV file DATA (its columns named as the model's inputs, else\n"
	       "the first ones; incomplete rows are dropped and counted). Prints\n"
	       "each output and, for a classifier, the class. With --csv the text\n"
	       "output is CSV: the row's line number, the outputs, the class.\n"
	       "See edgeaictl-model(8).\n", bin_name, bin_name);
	return EXIT_OK;
}

/* What a classifier's outputs mean: its classes, or none. */
struct decision {
	char *buf;
	char **classes;
	uint32_t n, out;
};

static void decision_init(struct decision *d, const struct edgeai_model *m)
{
	d->out = edgeai_model_output_dim(m);
	d->n = model_classes(m, &d->buf, &d->classes);
	/* One output: P(classes[1]); else one probability per class. */
	if (!(d->out == 1 && d->n == 2) && !(d->out > 1 && d->n == d->out))
		d->n = 0;
}

static void decision_free(struct decision *d)
{
	free(d->buf);
	free(d->classes);
}

/* The class of outputs @y, or NULL if the model is no classifier. */
static const char *decide(const struct decision *d, const float *y)
{
	uint32_t i, best = 0;

	if (!d->n)
		return NULL;
	if (d->out == 1)
		return d->classes[y[0] >= 0.5f];
	for (i = 1; i < d->n; i++)
		if (y[i] > y[best])
			best = i;
	return d->classes[best];
}

static void output_name(const struct edgeai_model *m, uint32_t i, char *buf,
			size_t len)
{
	const char *n = edgeai_model_output_name(m, i);

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "output%u", i);
}

static void print_row(const struct edgeai_model *m, const struct decision *d,
		      const float *y)
{
	uint32_t i, out = edgeai_model_output_dim(m);
	const char *cls = decide(d, y);
	char name[64];

	out_array_begin("outputs");
	for (i = 0; i < out; i++) {
		output_name(m, i, name, sizeof(name));
		out_double(NULL, name, y[i]);
	}
	out_array_end();
	if (cls)
		out_str("class", "class", cls);
}

static int predict_values(struct edgeai_model_ctx *ctx, const struct decision *d,
			  char **vals, uint32_t n)
{
	const struct edgeai_model *m = edgeai_model_ctx_model(ctx);
	uint32_t i, in = edgeai_model_input_dim(m);
	float *x, *y;
	double v;
	int ret;

	if (n != in)
		return error_out(EXIT_USAGE, "the model takes %u inputs, got %u", in, n);
	for (i = 0; i < n; i++)
		if (parse_num(vals[i], &v) || fabs(v) > 3.4e38)
			return error_out(EXIT_USAGE, "input %u: '%s' is not a number",
					 i + 1, vals[i]);
	x = calloc(in, sizeof(*x));
	y = calloc(edgeai_model_output_dim(m), sizeof(*y));
	if (!x || !y) {
		free(x);
		free(y);
		return error_out(EXIT_FAIL, "out of memory");
	}
	for (i = 0; i < n; i++) {
		parse_num(vals[i], &v);
		x[i] = (float)v;
	}
	edgeai_model_run(ctx, x, 1, y);
	out_begin();
	print_row(m, d, y);
	ret = out_end() ? EXIT_FAIL : EXIT_OK;
	free(x);
	free(y);
	return ret;
}

/* Names of the model's inputs, if it names them all. */
static char **input_names(const struct edgeai_model *m)
{
	uint32_t i, in = edgeai_model_input_dim(m);
	char **v;

	if (!edgeai_model_input_name(m, 0))
		return NULL;
	v = calloc(in, sizeof(*v));
	for (i = 0; v && i < in; i++)
		v[i] = (char *)edgeai_model_input_name(m, i);
	return v;
}

static void print_csv_rows(const struct edgeai_model *m,
			   const struct decision *d, const struct table *t,
			   const float *y)
{
	uint32_t r, i, out = edgeai_model_output_dim(m);
	char name[64];

	if (json_output) {
		out_array_begin("predictions");
		for (r = 0; r < t->rows; r++) {
			out_obj_begin(NULL, NULL);
			out_u64("line", NULL, t->line[r]);
			print_row(m, d, y + (size_t)r * out);
			out_obj_end();
		}
		out_array_end();
		return;
	}
	fputs("line", stdout);
	for (i = 0; i < out; i++) {
		output_name(m, i, name, sizeof(name));
		printf(",%s", name);
	}
	puts(d->n ? ",class" : "");
	for (r = 0; r < t->rows; r++) {
		printf("%llu", (unsigned long long)t->line[r]);
		for (i = 0; i < out; i++)
			printf(",%.7g", y[(size_t)r * out + i]);
		if (d->n)
			printf(",%s", decide(d, y + (size_t)r * out));
		putchar('\n');
	}
}

static int predict_csv(struct edgeai_model_ctx *ctx, const struct decision *d,
		       const char *path)
{
	const struct edgeai_model *m = edgeai_model_ctx_model(ctx);
	char **names = input_names(m);
	struct table t;
	float *y = NULL;
	int ret;

	ret = table_read(&t, path, names, edgeai_model_input_dim(m), NULL, false);
	if (!ret) {
		y = calloc((size_t)t.rows * edgeai_model_output_dim(m), sizeof(*y));
		if (!y)
			ret = error_out(EXIT_FAIL, "out of memory");
	}
	if (!ret) {
		edgeai_model_run(ctx, t.x, t.rows, y);
		out_begin();
		table_report(&t, path, !json_output);
		print_csv_rows(m, d, &t, y);
		ret = out_end() ? EXIT_FAIL : EXIT_OK;
	}
	free(y);
	free(names);
	table_free(&t);
	return ret;
}

static int do_predict(int argc, char **argv)
{
	const char *file = NULL, *csv = NULL;
	struct edgeai_model_ctx *ctx;
	struct edgeai_model *m = NULL;
	struct decision d;
	char **vals;
	int i, n = 0, ret;

	if (argc == 1 && (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help")))
		return predict_help();
	vals = calloc(argc + 1, sizeof(*vals));
	if (!vals)
		return error_out(EXIT_FAIL, "out of memory");
	/* Values may be negative: only "--csv" and "--" are options here. */
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--csv") && i + 1 < argc && !csv)
			csv = argv[++i];
		else if (!strcmp(argv[i], "--") && !n && file)
			continue;
		else if (!file)
			file = argv[i];
		else
			vals[n++] = argv[i];
	}
	if (!file || (csv && n) || (!csv && !n)) {
		free(vals);
		return error_out(EXIT_USAGE, "usage: model predict FILE { X1 X2 ... | --csv DATA }");
	}
	ret = load_model(file, &m, NULL, NULL);
	if (!ret && edgeai_model_ctx_new(m, 256, &ctx))
		ret = error_out(EXIT_FAIL, "out of memory");
	if (!ret) {
		decision_init(&d, m);
		ret = csv ? predict_csv(ctx, &d, csv) :
			    predict_values(ctx, &d, vals, (uint32_t)n);
		decision_free(&d);
		edgeai_model_ctx_free(ctx);
	}
	edgeai_model_free(m);
	free(vals);
	return ret;
}

/* ---- SHA-256 (FIPS 180-4), for model info: no crypto library here ---- */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], s[8], t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       w[i - 7] + (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10));
	memcpy(s, h, sizeof(s));
	for (i = 0; i < 64; i++) {
		t1 = s[7] + (ror(s[4], 6) ^ ror(s[4], 11) ^ ror(s[4], 25)) +
		     ((s[4] & s[5]) ^ (~s[4] & s[6])) + sha_k[i] + w[i];
		t2 = (ror(s[0], 2) ^ ror(s[0], 13) ^ ror(s[0], 22)) +
		     ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));
		memmove(s + 1, s, 7 * sizeof(*s));
		s[4] += t1;
		s[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += s[i];
}

/* The digest of @len bytes at @p as 64 hex digits into @hex. */
static void sha256_hex(const unsigned char *p, size_t len, char hex[65])
{
	uint32_t h[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	unsigned char tail[128] = { 0 };
	uint64_t bits = (uint64_t)len * 8;
	size_t i, rest = len % 64, n = rest < 56 ? 64 : 128;

	for (i = 0; i + 64 <= len; i += 64)
		sha256_block(h, p + i);
	memcpy(tail, p + i, rest);
	tail[rest] = 0x80;
	for (i = 0; i < 8; i++)
		tail[n - 1 - i] = (unsigned char)(bits >> (8 * i));
	for (i = 0; i < n; i += 64)
		sha256_block(h, tail + i);
	for (i = 0; i < 8; i++)
		sprintf(hex + 8 * i, "%08x", h[i]);
}

/* ---- model info ---- */

static int info_help(void)
{
	printf("Usage: %s [-j|-p] model info FILE\n\n"
	       "Describe a model file: its size, SHA-256 and FNV-1a checksums,\n"
	       "name, kind and version, inputs and outputs (dimensions, names),\n"
	       "layers (ops with their shapes and activations), parameter count\n"
	       "and metadata (edgeai.graph is shown as the layers).\n"
	       "See edgeaictl-model(8) and docs/model-format.md.\n", bin_name);
	return EXIT_OK;
}

static void print_io(const char *key, uint32_t dim,
		     const char *(*name)(const struct edgeai_model *, uint32_t),
		     const struct edgeai_model *m)
{
	const char **names = calloc(dim, sizeof(*names));
	uint32_t i, n = 0;

	for (i = 0; names && i < dim && name(m, i); i++)
		names[n++] = name(m, i);
	out_obj_begin(key, NULL);
	out_u64("dim", NULL, dim);
	out_strlist("names", NULL, names, (int)n);
	out_obj_end();
	out_text("%s: %u", key, dim);
	for (i = 0; i < n; i++)
		out_text("%s%s", i ? ", " : " (", names[i]);
	out_text("%s\n", n ? ")" : "");
	free(names);
}

static void print_tensor(const struct edgeai_model_op_info *o, uint32_t k)
{
	uint32_t r;

	out_obj_begin(NULL, NULL);
	out_str("field", NULL, o->param_field[k]);
	out_str("tensor", NULL, o->param_tensor[k]);
	out_array_begin("shape");
	for (r = 0; r < o->param_rank[k]; r++)
		out_u64(NULL, NULL, o->param_shape[k][r]);
	out_array_end();
	out_obj_end();
	out_text("%s %s [%u%s", k ? "," : "", o->param_field[k],
		 o->param_shape[k][0], o->param_rank[k] == 2 ? "," : "]");
	if (o->param_rank[k] == 2)
		out_text("%u]", o->param_shape[k][1]);
}

static void print_layer(const struct edgeai_model *m, uint32_t i)
{
	struct edgeai_model_op_info o = { .sz = sizeof(o) };
	uint32_t k;

	edgeai_model_op_info(m, i, &o);
	out_obj_begin(NULL, NULL);
	out_u64("index", NULL, i);
	out_str("op", NULL, o.name);
	if (o.type == EDGEAI_MODEL_OP_DENSE)
		out_str("activation", NULL, o.activation_name);
	out_u64("in", NULL, o.in_dim);
	out_u64("out", NULL, o.out_dim);
	out_u64("parameters", NULL, o.param_count);
	out_text("  %u: %s %u -> %u", i, o.name, o.in_dim, o.out_dim);
	if (o.type == EDGEAI_MODEL_OP_DENSE)
		out_text(", %s", o.activation_name);
	if (o.n_params)
		out_text(" (%llu parameters:", (unsigned long long)o.param_count);
	out_array_begin("tensors");
	for (k = 0; k < o.n_params; k++)
		print_tensor(&o, k);
	out_array_end();
	out_text("%s\n", o.n_params ? ")" : "");
	out_obj_end();
}

static void print_info(const char *path, const struct edgeai_model *m,
		       const char *sha)
{
	const char *key, *val;
	char fnv[17];
	uint32_t i;

	snprintf(fnv, sizeof(fnv), "%016llx",
		 (unsigned long long)edgeai_model_checksum(m));
	out_str("file", "file", path);
	out_u64("size", "size", edgeai_model_file_size(m));
	out_str("sha256", "sha256", sha);
	out_str("checksum", "checksum (fnv1a64)", fnv);
	/* Text leaves out what the file does not say. */
	out_str("name", *edgeai_model_name(m) ? "name" : NULL, edgeai_model_name(m));
	out_str("kind", "kind", edgeai_model_kind(m));
	out_str("version", *edgeai_model_version(m) ? "version" : NULL,
		edgeai_model_version(m));
	print_io("inputs", edgeai_model_input_dim(m), edgeai_model_input_name, m);
	print_io("outputs", edgeai_model_output_dim(m), edgeai_model_output_name, m);
	out_u64("parameters", "parameters", edgeai_model_param_count(m));
	out_text("layers:\n");
	out_array_begin("layers");
	for (i = 0; i < edgeai_model_op_count(m); i++)
		print_layer(m, i);
	out_array_end();
	out_obj_begin("metadata", "metadata");
	for (i = 0; !edgeai_model_meta_at(m, i, &key, &val); i++)
		if (strcmp(key, "edgeai.graph"))
			out_str(key, key, val);
	out_obj_end();
}

static int do_info(int argc, char **argv)
{
	struct edgeai_model *m;
	unsigned char *buf;
	char sha[65];
	size_t len;
	int ret;

	if (argc == 1 && (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help")))
		return info_help();
	if (argc != 1)
		return error_out(EXIT_USAGE, "usage: model info FILE");
	ret = load_model(argv[0], &m, &buf, &len);
	if (ret)
		return ret;
	sha256_hex(buf, len, sha);
	free(buf);
	out_begin();
	print_info(argv[0], m, sha);
	edgeai_model_free(m);
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

/* ---- the object ---- */

static int do_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "train", do_train, "--csv FILE --features A,B --target Y --model KIND --optimizer OPT [OPTIONS] -o OUT" },
	{ "predict", do_predict, "FILE { X1 X2 ... | --csv DATA }" },
	{ "info", do_info, "FILE: inputs, outputs, layers, parameters, checksums" },
	{ "convert", model_convert, "MODEL.onnx [-o MODEL.st]: import an ONNX model" },
	{ "help", do_help, "this help; 'model COMMAND help' for one command" },
	{ NULL, NULL, NULL },
};

static int do_help(int argc, char **argv)
{
	printf("Usage: %s [-j|-p] model COMMAND [ARGS]\n\n"
	       "Model files (safetensors with an edgeai graph, docs/model-format.md).\n"
	       "Commands:\n", bin_name);
	cmd_help_list(cmds, "model");
	printf("\nTraining runs here, on the device, with no Python: see\n"
	       "docs/training.md. Exit status: 0 success, 1 failure (a file, the\n"
	       "data, training), 2 usage error. See edgeaictl-model(8).\n");
	return EXIT_OK;
}

int do_model(int argc, char **argv)
{
	return cmd_select(cmds, argc, argv, NULL, "model");
}
