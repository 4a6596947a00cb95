// SPDX-License-Identifier: GPL-2.0
/*
 * edgeaictl - inspect and control edgeai: kernel rings, BPF filters,
 * runtime pipelines and models.
 *
 *   edgeaictl [OPTIONS] OBJECT COMMAND [ARGS]
 *
 * Objects and commands may be abbreviated to any unambiguous prefix, like
 * ip(8) and bpftool(8). Every object answers "help".
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <edgeai/edgeai.h>

#include "main.h"

bool json_output;
bool pretty_output;
const char *bin_name = "edgeaictl";

static int do_help(int argc, char **argv);

static const struct cmd objects[] = {
	{ "bpf", do_bpf,
	  "sensor-packet filter (XDP/tc): show attach detach sensor stats" },
	{ "help", do_help, "print this help" },
	{ "model", do_model,
	  "model files: train predict info convert" },
	{ "monitor", do_monitor,
	  "print kernel events as they happen (rings, producers, overflows)" },
	{ "pipeline", do_pipeline,
	  "edgeaid's pipelines: list show reload" },
	{ "ring", do_ring, "kernel tensor rings: list show create delete" },
	{ "stats", do_stats_obj,
	  "rings, filter and pipelines in one view [--prometheus]" },
	{ "top", do_top, "the stats view with rates, refreshed [-n N] [-d SEC]" },
	{ "version", do_version,
	  "versions of the tool, library and kernel module" },
	{ NULL, NULL, NULL },
};

void cmd_help_list(const struct cmd *cmds, const char *object)
{
	const struct cmd *c;

	for (c = cmds; c->name; c++)
		printf("  %-10s %s\n", c->name, c->help);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] OBJECT COMMAND [ARGS]\n"
		"       %s OBJECT help\n"
		"\n"
		"Objects:\n", bin_name, bin_name);
	if (f == stdout) {
		cmd_help_list(objects, NULL);
	} else {
		const struct cmd *c;

		fputs(" ", f);
		for (c = objects; c->name; c++)
			fprintf(f, " %s", c->name);
		fputs("\n", f);
	}
	fprintf(f,
		"\n"
		"Options:\n"
		"  -j, --json      JSON output (errors too)\n"
		"  -p, --pretty    pretty-printed JSON (implies -j)\n"
		"  -V, --version   same as the 'version' object\n"
		"  -h, --help      print this help\n"
		"\n"
		"Environment: EDGEAI_DEV overrides the device (default %s),\n"
		"EDGEAID_STATS edgeaid's stats file, EDGEAID_CONTROL its control socket.\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n"
		"See edgeaictl(8).\n", EDGEAI_DEV_PATH);
}

static int do_help(int argc, char **argv)
{
	usage(stdout);
	return EXIT_OK;
}

int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*deflt)(int argc, char **argv), const char *object)
{
	const struct cmd *c, *match = NULL;
	size_t len;

	if (argc < 1) {
		if (deflt)
			return deflt(argc, argv);
		return error_out(EXIT_USAGE, "%s: missing command, try '%s %s%shelp'",
				 object ? object : "", bin_name,
				 object ? object : "", object ? " " : "");
	}
	len = strlen(argv[0]);
	for (c = cmds; c->name; c++) {
		if (!strcmp(c->name, argv[0])) {
			match = c;
			break;
		}
		if (len && !strncmp(c->name, argv[0], len)) {
			if (match)
				return error_out(EXIT_USAGE,
						 "'%s' is ambiguous: %s or %s?",
						 argv[0], match->name, c->name);
			match = c;
		}
	}
	if (!match)
		return error_out(EXIT_USAGE, "unknown %s '%s', try '%s %s%shelp'",
				 object ? "command" : "object", argv[0],
				 bin_name, object ? object : "", object ? " " : "");
	return match->func(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* Options come before OBJECT; what follows belongs to the command. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jpVh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json_output = true;
			break;
		case 'p':
			json_output = true;
			pretty_output = true;
			break;
		case 'V':
			return do_version(0, NULL);
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			if (json_output)
				return error_out(EXIT_USAGE, "unknown option '%s', try '%s help'",
						 argv[optind - 1], bin_name);
			fprintf(stderr, "%s: unknown option '%s'\n", bin_name,
				argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		if (json_output)
			return error_out(EXIT_USAGE, "missing OBJECT, try '%s help'",
					 bin_name);
		usage(stderr);
		return EXIT_USAGE;
	}
	return cmd_select(objects, argc - optind, argv + optind, NULL, NULL);
}

void stop_signals_block(void (*handler)(int), sigset_t *wait_mask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
}
