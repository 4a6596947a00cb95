// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for edgeaid's configuration parser
 * (userspace/edgeaid/config.c, libinih underneath), compiled in.
 *
 * Input: the bytes of a configuration file (given to the parser through
 * a memfd, as a file). Invariants (a violation aborts, which libFuzzer
 * saves as a crash):
 *
 *  - ead_config_load() returns 0 (errors, if any, are counted and
 *    logged) or a negative errno, and never leaks or overruns;
 *  - every string it stores is NUL-terminated inside its field;
 *  - at most EAD_MAX_PIPELINES pipelines, each with a valid, unique name,
 *    at most EAD_MAX_STAGES stages and EAD_MAX_SINKS sinks, batch in
 *    1..EAD_MAX_BATCH; global errors are a subset of all errors;
 *  - a file without errors gives pipelines that each have a source, a
 *    model and a sink, none marked bad, each equal to itself;
 *  - every error was logged (as FILE:LINE: ...).
 *
 *   build/fuzz/fuzz_config tests/fuzz/corpus/config     # make fuzz
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../userspace/edgeaid/config.c"

int ead_log_level = EAD_LOG_ERROR;
static unsigned long logged_errors;

void ead_log(int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level == EAD_LOG_ERROR)
		logged_errors++;
}

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_config: invariant broken: %s\n", what);
	abort();
}

static void check_str(const char *s, size_t size, const char *what)
{
	if (!memchr(s, '\0', size))
		fail(what);
}

static void check(const struct ead_config *cfg, unsigned long logged)
{
	unsigned int i, j;

	check_str(cfg->stats_path, sizeof(cfg->stats_path), "stats path");
	check_str(cfg->control_path, sizeof(cfg->control_path), "control path");
	check_str(cfg->prometheus, sizeof(cfg->prometheus), "prometheus");
	if (cfg->n_pipes > EAD_MAX_PIPELINES)
		fail("too many pipelines");
	if (cfg->global_errors > cfg->errors)
		fail("more global errors than errors");
	if (logged < cfg->errors)
		fail("an error was counted but not logged");
	for (i = 0; i < cfg->n_pipes; i++) {
		const struct ead_pipeline_conf *pc = &cfg->pipes[i];

		check_str(pc->name, sizeof(pc->name), "name");
		check_str(pc->source, sizeof(pc->source), "source");
		check_str(pc->model, sizeof(pc->model), "model");
		check_str(pc->learn_save, sizeof(pc->learn_save), "learn_save");
		if (!valid_name(pc->name))
			fail("a pipeline with an invalid name");
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->pipes[j].name, pc->name))
				fail("two pipelines with one name");
		if (pc->n_stages > EAD_MAX_STAGES || pc->n_sinks > EAD_MAX_SINKS)
			fail("too many stages or sinks");
		for (j = 0; j < pc->n_stages; j++)
			check_str(pc->stages[j], sizeof(pc->stages[j]), "stage");
		for (j = 0; j < pc->n_sinks; j++)
			check_str(pc->sinks[j], sizeof(pc->sinks[j]), "sink");
		if (pc->batch < 1 || pc->batch > EAD_MAX_BATCH)
			fail("batch out of range");
		if (!cfg->errors &&
		    (pc->bad || !pc->source[0] || !pc->model[0] || !pc->n_sinks))
			fail("an incomplete pipeline in a file without errors");
		if (!pc->bad && !ead_pipeline_conf_equal(pc, pc))
			fail("a pipeline differs from itself");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ead_config cfg;
	char path[64];
	int fd, ret;

	fd = memfd_create("fuzz_config", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	logged_errors = 0;
	ret = ead_config_load(path, &cfg);
	if (ret > 0 || (ret < 0 && cfg.pipes))
		fail("return value");
	if (!ret) {
		check(&cfg, logged_errors);
		ead_config_free(&cfg);
	}
	close(fd);
	return 0;
}
