// SPDX-License-Identifier: GPL-2.0
/*
 * edgeaid's configuration file, parsed with libinih (docs/edgeaid.md):
 *
 *	[global]
 *	log_level = info
 *	stats = /run/edgeaid/stats.json
 *
 *	[pipeline vib]
 *	source = udp::4747
 *	stage = clean:policy=drop
 *	stage = window:n=8,features=mean|var
 *	elems = 3
 *	model = /etc/edgeai/vib.safetensors
 *	sink = jsonl:-
 *	batch = 64
 *
 * inih does not report line numbers or empty sections to the handler, so
 * the line reader below counts lines and sees section headers itself.
 * Every error is logged as "FILE:LINE: ..." and counted in cfg->errors;
 * a pipeline section with an error is marked bad (it will be disabled).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "edgeaid.h"

struct parse_state {
	struct ead_config *cfg;
	FILE *f;
	int line;
	int in_global;			/* current section is [global] */
	struct ead_pipeline_conf *cur;	/* current [pipeline NAME], or NULL */
	int skip_section;		/* unknown section: its keys are ignored */
};

static void cfg_error(struct parse_state *st, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cfg_error(struct parse_state *st, int line, const char *fmt, ...)
{
	char msg[EAD_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ead_log(EAD_LOG_ERROR, "%s:%d: %s", st->cfg->path, line, msg);
	st->cfg->errors++;
	if (st->cur)
		st->cur->bad = 1;
	else
		st->cfg->global_errors++;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= EAD_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return 0;
	return 1;
}

static struct ead_pipeline_conf *find_pipe(struct ead_config *cfg,
					   const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->n_pipes; i++)
		if (!strcmp(cfg->pipes[i].name, name))
			return &cfg->pipes[i];
	return NULL;
}

static void new_pipe(struct parse_state *st, const char *name)
{
	struct ead_config *cfg = st->cfg;
	struct ead_pipeline_conf *pc;

	st->skip_section = 1;
	if (!valid_name(name)) {
		cfg_error(st, st->line,
			  "[pipeline %s]: bad name (1-63 of A-Z a-z 0-9 - _ .)",
			  name);
		return;
	}
	if (find_pipe(cfg, name)) {
		cfg_error(st, st->line, "[pipeline %s]: defined twice", name);
		return;
	}
	if (cfg->n_pipes == EAD_MAX_PIPELINES) {
		cfg_error(st, st->line, "more than %d pipelines",
			  EAD_MAX_PIPELINES);
		return;
	}
	pc = &cfg->pipes[cfg->n_pipes++];
	memset(pc, 0, sizeof(*pc));
	snprintf(pc->name, sizeof(pc->name), "%s", name);
	pc->line = st->line;
	pc->batch = EAD_DEFAULT_BATCH;
	pc->rcvbuf = EAD_DEFAULT_RCVBUF;
	pc->learn_rate = 0.01;
	pc->learn_batch = 16;
	pc->learn_publish = 5;
	st->cur = pc;
	st->skip_section = 0;
}

/* A "[...]" line: which section we are in now. */
static void section_line(struct parse_state *st, char *s)
{
	char *end = strchr(s, ']'), *name;

	st->cur = NULL;
	st->in_global = 0;
	st->skip_section = 1;
	if (!end)
		return;		/* inih reports the syntax error */
	*end = '\0';
	name = s + 1;
	if (!strcmp(name, "global")) {
		st->in_global = 1;
		st->skip_section = 0;
	} else if (!strncmp(name, "pipeline ", 9)) {
		name += 9;
		while (*name == ' ')
			name++;
		new_pipe(st, name);
	} else {
		cfg_error(st, st->line,
			  "unknown section [%s] (expected [global] or [pipeline NAME])",
			  name);
	}
}

/* inih's line reader: count lines, catch section headers and long lines. */
static char *read_line(char *str, int num, void *user)
{
	struct parse_state *st = user;
	char *s;
	size_t n;
	int c;

	if (!fgets(str, num, st->f))
		return NULL;
	st->line++;
	n = strlen(str);
	if (n == (size_t)num - 1 && str[n - 1] != '\n') {
		cfg_error(st, st->line, "line longer than %d bytes", num - 2);
		while ((c = fgetc(st->f)) != EOF && c != '\n')
			;
		str[0] = '\0';
		return str;
	}
	for (s = str; isspace((unsigned char)*s); s++)
		;
	if (*s == '[') {
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s", s);
		tmp[strcspn(tmp, "\r\n")] = '\0';
		section_line(st, tmp);
	}
	return str;
}

static int parse_uint(const char *v, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	unsigned long x;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	x = strtoul(v, &end, 10);
	if (errno || *end || x < min || x > max)
		return -EINVAL;
	*out = (unsigned int)x;
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") ||
	    !strcmp(v, "on"))
		*out = 1;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") ||
		 !strcmp(v, "off"))
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

static int parse_level(const char *v, int *out)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

static int global_key(struct parse_state *st, const char *k, const char *v)
{
	struct ead_config *cfg = st->cfg;

	if (!strcmp(k, "workers")) {
		if (parse_uint(v, 0, 1024, &cfg->workers))
			cfg_error(st, st->line,
				  "[global] workers = %s: not a number 0..1024", v);
	} else if (!strcmp(k, "pin")) {
		if (parse_bool(v, &cfg->pin))
			cfg_error(st, st->line, "[global] pin = %s: not yes or no", v);
	} else if (!strcmp(k, "log_level")) {
		if (parse_level(v, &cfg->log_level))
			cfg_error(st, st->line,
				  "[global] log_level = %s: not error, warn, info or debug",
				  v);
	} else if (!strcmp(k, "stats")) {
		if (!*v || strlen(v) >= sizeof(cfg->stats_path) - 16)
			cfg_error(st, st->line, "[global] stats = %s: bad path", v);
		else
			snprintf(cfg->stats_path, sizeof(cfg->stats_path), "%s", v);
	} else if (!strcmp(k, "control")) {
		if (!*v || strlen(v) >= 108)
			cfg_error(st, st->line,
				  "[global] control = %s: empty or longer than 107 bytes (a Unix socket path, or none)",
				  v);
		else
			snprintf(cfg->control_path, sizeof(cfg->control_path), "%s", v);
	} else if (!strcmp(k, "prometheus")) {
		if (!*v || strlen(v) >= sizeof(cfg->prometheus) || !strrchr(v, ':'))
			cfg_error(st, st->line,
				  "[global] prometheus = %s: expected ADDR:PORT or [ADDR6]:PORT",
				  v);
		else
			snprintf(cfg->prometheus, sizeof(cfg->prometheus), "%s", v);
	} else {
		cfg_error(st, st->line,
			  "[global] unknown key '%s' (workers, pin, log_level, stats, control, prometheus)",
			  k);
	}
	return 1;
}

static int copy_value(struct parse_state *st, const char *k, const char *v,
		      char *dst, size_t len)
{
	if (!*v || strlen(v) >= len) {
		cfg_error(st, st->line, "[pipeline %s] %s: empty or too long",
			  st->cur->name, k);
		return -EINVAL;
	}
	snprintf(dst, len, "%s", v);
	return 0;
}

static void check_source(struct parse_state *st, const char *v)
{
	if ((strncmp(v, "udp:", 4) || !v[4]) && (strncmp(v, "ring:", 5) || !v[5]))
		cfg_error(st, st->line,
			  "[pipeline %s] source = %s: expected udp:[ADDR]:PORT or ring:NAME",
			  st->cur->name, v);
}

static void check_sink(struct parse_state *st, const char *v)
{
	static const char *const kinds[] = {
		"jsonl:", "udp:", "unix:", "udp-batch:", "unix-batch:", "ring:",
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strncmp(v, kinds[i], strlen(kinds[i])))
			n = strlen(kinds[i]);
	if (!n)
		cfg_error(st, st->line,
			  "[pipeline %s] sink = %s: expected jsonl:-, jsonl:PATH, udp:ADDR:PORT, unix:PATH, udp-batch:ADDR:PORT, unix-batch:PATH or ring:NAME[:SLOTS]",
			  st->cur->name, v);
	else if (!v[n])
		cfg_error(st, st->line, "[pipeline %s] sink = %s: nothing after ':'",
			  st->cur->name, v);
}

static void pipe_list_key(struct parse_state *st, const char *k, const char *v)
{
	struct ead_pipeline_conf *pc = st->cur;

	if (!strcmp(k, "stage")) {
		if (pc->n_stages == EAD_MAX_STAGES) {
			cfg_error(st, st->line, "[pipeline %s] more than %d stages",
				  pc->name, EAD_MAX_STAGES);
			return;
		}
		if (!copy_value(st, k, v, pc->stages[pc->n_stages],
				sizeof(pc->stages[0])))
			pc->stage_line[pc->n_stages++] = st->line;
		return;
	}
	if (pc->n_sinks == EAD_MAX_SINKS) {
		cfg_error(st, st->line, "[pipeline %s] more than %d sinks",
			  pc->name, EAD_MAX_SINKS);
		return;
	}
	check_sink(st, v);
	if (!copy_value(st, k, v, pc->sinks[pc->n_sinks], sizeof(pc->sinks[0])))
		pc->sink_line[pc->n_sinks++] = st->line;
}

static int parse_double(const char *v, double min, double max, double *out)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || *end || !(x >= min && x <= max))
		return -EINVAL;
	*out = x;
	return 0;
}

/* label, learn, learn_* (online learning, docs/edgeaid.md) */
static void learn_key(struct parse_state *st, const char *k, const char *v)
{
	struct ead_pipeline_conf *pc = st->cur;

	if (!strcmp(k, "label")) {
		if (!strcmp(v, "last"))
			pc->label_last = 1;
		else if (!strcmp(v, "none"))
			pc->label_last = 0;
		else
			cfg_error(st, st->line,
				  "[pipeline %s] label = %s: expected last (the last element of each sample) or none",
				  pc->name, v);
	} else if (!strcmp(k, "learn")) {
		if (parse_bool(v, &pc->learn))
			cfg_error(st, st->line, "[pipeline %s] learn = %s: not yes or no",
				  pc->name, v);
		pc->learn_line = st->line;
	} else if (!strcmp(k, "learn_rate")) {
		if (parse_double(v, 1e-9, 10, &pc->learn_rate))
			cfg_error(st, st->line,
				  "[pipeline %s] learn_rate = %s: not a number in (0, 10]",
				  pc->name, v);
	} else if (!strcmp(k, "learn_optimizer")) {
		if (!strcmp(v, "sgd") || !strcmp(v, "adam"))
			pc->learn_adam = !strcmp(v, "adam");
		else
			cfg_error(st, st->line,
				  "[pipeline %s] learn_optimizer = %s: sgd or adam",
				  pc->name, v);
	} else if (!strcmp(k, "learn_batch")) {
		if (parse_uint(v, 1, 4096, &pc->learn_batch))
			cfg_error(st, st->line,
				  "[pipeline %s] learn_batch = %s: not a number 1..4096",
				  pc->name, v);
	} else if (!strcmp(k, "learn_publish")) {
		if (parse_double(v, 0.05, 86400, &pc->learn_publish))
			cfg_error(st, st->line,
				  "[pipeline %s] learn_publish = %s: seconds, 0.05..86400",
				  pc->name, v);
	} else if (!strcmp(k, "learn_save")) {
		copy_value(st, k, v, pc->learn_save, sizeof(pc->learn_save));
	} else {
		cfg_error(st, st->line,
			  "[pipeline %s] unknown key '%s' (learn, learn_rate, learn_optimizer, learn_batch, learn_publish, learn_save)",
			  pc->name, k);
	}
}

static int pipe_key(struct parse_state *st, const char *k, const char *v)
{
	struct ead_pipeline_conf *pc = st->cur;

	if (!strcmp(k, "source")) {
		check_source(st, v);
		copy_value(st, k, v, pc->source, sizeof(pc->source));
		pc->source_line = st->line;
	} else if (!strcmp(k, "stage") || !strcmp(k, "sink")) {
		pipe_list_key(st, k, v);
	} else if (!strcmp(k, "model")) {
		copy_value(st, k, v, pc->model, sizeof(pc->model));
		pc->model_line = st->line;
	} else if (!strcmp(k, "batch")) {
		if (parse_uint(v, 1, EAD_MAX_BATCH, &pc->batch))
			cfg_error(st, st->line,
				  "[pipeline %s] batch = %s: not a number 1..%d",
				  pc->name, v, EAD_MAX_BATCH);
	} else if (!strcmp(k, "rcvbuf")) {
		if (parse_uint(v, 0, 1U << 30, &pc->rcvbuf))
			cfg_error(st, st->line,
				  "[pipeline %s] rcvbuf = %s: bytes, 0 (the system's default) to 1073741824",
				  pc->name, v);
	} else if (!strcmp(k, "elems")) {
		if (parse_uint(v, 1, 65535, &pc->elems))
			cfg_error(st, st->line,
				  "[pipeline %s] elems = %s: not a number 1..65535",
				  pc->name, v);
		pc->elems_line = st->line;
	} else if (!strcmp(k, "require_tag")) {
		if (parse_bool(v, &pc->require_tag))
			cfg_error(st, st->line,
				  "[pipeline %s] require_tag = %s: not yes or no",
				  pc->name, v);
	} else if (!strcmp(k, "gro")) {
		if (parse_bool(v, &pc->gro))
			cfg_error(st, st->line,
				  "[pipeline %s] gro = %s: not yes or no",
				  pc->name, v);
	} else if (!strncmp(k, "learn", 5) || !strcmp(k, "label")) {
		learn_key(st, k, v);
	} else {
		cfg_error(st, st->line,
			  "[pipeline %s] unknown key '%s' (source, stage, elems, model, sink, batch, rcvbuf, require_tag, gro, label, learn, learn_rate, learn_optimizer, learn_batch, learn_publish, learn_save)",
			  pc->name, k);
	}
	return 1;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parse_state *st = user;

	(void)section;	/* tracked by read_line() */
	if (st->in_global)
		return global_key(st, name, value);
	if (st->cur)
		return pipe_key(st, name, value);
	if (!st->skip_section)
		cfg_error(st, st->line, "key '%s' outside of a section", name);
	return 1;
}

static void check_pipes(struct parse_state *st)
{
	unsigned int i;

	for (i = 0; i < st->cfg->n_pipes; i++) {
		struct ead_pipeline_conf *pc = &st->cfg->pipes[i];

		st->cur = pc;
		if (!pc->source[0])
			cfg_error(st, pc->line, "[pipeline %s]: missing source",
				  pc->name);
		if (!pc->model[0])
			cfg_error(st, pc->line, "[pipeline %s]: missing model",
				  pc->name);
		if (!pc->n_sinks)
			cfg_error(st, pc->line,
				  "[pipeline %s]: missing sink (jsonl:-, jsonl:PATH, udp:ADDR:PORT, unix:PATH or ring:NAME)",
				  pc->name);
		if (pc->learn && !pc->label_last)
			cfg_error(st, pc->learn_line,
				  "[pipeline %s] learn = yes needs labels: label = last",
				  pc->name);
		if (pc->learn_save[0] && !strcmp(pc->learn_save, pc->model))
			cfg_error(st, pc->learn_line,
				  "[pipeline %s] learn_save must not be the model file (it would be swapped in twice)",
				  pc->name);
	}
	st->cur = NULL;
}

int ead_config_load(const char *path, struct ead_config *cfg)
{
	struct parse_state st = { .cfg = cfg };
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	snprintf(cfg->stats_path, sizeof(cfg->stats_path), "%s",
		 EAD_DEFAULT_STATS);
	snprintf(cfg->control_path, sizeof(cfg->control_path), "%s",
		 EAD_DEFAULT_CONTROL);
	cfg->log_level = EAD_LOG_INFO;
	cfg->pipes = calloc(EAD_MAX_PIPELINES, sizeof(*cfg->pipes));
	if (!cfg->pipes)
		return -ENOMEM;
	st.f = fopen(path, "re");
	if (!st.f) {
		ret = -errno;
		goto err;
	}
	ret = ini_parse_stream(read_line, &st, handler, &st);
	fclose(st.f);
	if (ret < 0) {
		ret = -ENOMEM;
		goto err;
	}
	if (ret > 0)
		ead_log(EAD_LOG_ERROR, "%s:%d: syntax error (expected [SECTION] or KEY = VALUE)",
			path, ret), cfg->errors++, cfg->global_errors++;
	check_pipes(&st);
	return 0;
err:
	free(cfg->pipes);
	cfg->pipes = NULL;
	return ret;
}

void ead_config_free(struct ead_config *cfg)
{
	free(cfg->pipes);
	cfg->pipes = NULL;
	cfg->n_pipes = 0;
}

int ead_pipeline_conf_equal(const struct ead_pipeline_conf *a,
			    const struct ead_pipeline_conf *b)
{
	unsigned int i;

	if (strcmp(a->source, b->source) || strcmp(a->model, b->model) ||
	    a->n_stages != b->n_stages || a->n_sinks != b->n_sinks ||
	    a->batch != b->batch || a->elems != b->elems ||
	    a->rcvbuf != b->rcvbuf ||
	    a->require_tag != b->require_tag || a->gro != b->gro ||
	    a->bad || b->bad ||
	    a->label_last != b->label_last || a->learn != b->learn ||
	    a->learn_adam != b->learn_adam || a->learn_rate != b->learn_rate ||
	    a->learn_batch != b->learn_batch ||
	    a->learn_publish != b->learn_publish ||
	    strcmp(a->learn_save, b->learn_save))
		return 0;
	for (i = 0; i < a->n_stages; i++)
		if (strcmp(a->stages[i], b->stages[i]))
			return 0;
	for (i = 0; i < a->n_sinks; i++)
		if (strcmp(a->sinks[i], b->sinks[i]))
			return 0;
	return 1;
}
