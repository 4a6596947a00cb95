/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EDGEAICTL_MAIN_H
#define EDGEAICTL_MAIN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* Exit statuses scripts can trust. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *help;	/* one line for the help listing */
};

extern bool json_output;
extern bool pretty_output;
extern const char *bin_name;

/*
 * Run the command of @cmds that argv[0] names or unambiguously abbreviates.
 * With no argument, @deflt runs (if not NULL). Returns an exit status.
 */
int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*deflt)(int argc, char **argv), const char *object);
void cmd_help_list(const struct cmd *cmds, const char *object);

/*
 * Output: one call per field serves both text and JSON. Text goes to
 * stdout as "label: value" lines; JSON builds one document printed by
 * out_end(). Errors go to stderr in text mode and as {"error": ...} on
 * stdout under -j.
 */
void out_begin(void);
int out_end(void);
void out_obj_begin(const char *key, const char *label);
void out_obj_end(void);
/* JSON arrays: members added inside have no key. No-ops in text mode. */
void out_array_begin(const char *key);
void out_array_end(void);
/* Text-only decoration (blank lines, headings); nothing under -j. */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_str(const char *key, const char *label, const char *val);
void out_u64(const char *key, const char *label, uint64_t val);
void out_bool(const char *key, const char *label, bool val);
/* Text "%g"; JSON a number with 10 significant digits, null if not finite. */
void out_double(const char *key, const char *label, double val);
void out_strlist(const char *key, const char *label, const char **vals,
		 int n);
int error_out(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int do_version(int argc, char **argv);
int do_ring(int argc, char **argv);
int do_bpf(int argc, char **argv);
int do_monitor(int argc, char **argv);
int do_stats_obj(int argc, char **argv);
int do_top(int argc, char **argv);
int do_model(int argc, char **argv);
int do_pipeline(int argc, char **argv);
/* convert.c: edgeaictl model convert (runs edgeai-onnx-convert). */
int model_convert(int argc, char **argv);
/* stats.c: the runtime part of the stats view, one pipeline or all. */
int pipelines_print(const char *only);

/*
 * Send SIGINT and SIGTERM to @handler, but only while waiting in ppoll()
 * with *@wait_mask: elsewhere they stay blocked, so none is lost between
 * a check of the stop flag and the wait.
 */
void stop_signals_block(void (*handler)(int), sigset_t *wait_mask);

/* Parse a whole decimal number into *v; -EINVAL if it is not one. */
int parse_u32(const char *s, uint32_t *v);

#endif /* EDGEAICTL_MAIN_H */
