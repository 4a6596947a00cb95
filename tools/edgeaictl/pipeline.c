// SPDX-License-Identifier: GPL-2.0
/*
 * edgeaictl pipeline: edgeaid's pipelines.
 *
 *   pipeline list                 every pipeline (from edgeaid's stats file)
 *   pipeline show NAME            one pipeline
 *   pipeline reload NAME [MODEL] [--at-sample N]
 *                                 hot-swap the model (control socket)
 *
 * reload talks to edgeaid's control socket ($EDGEAID_CONTROL, default
 * /run/edgeaid/control.sock, or --socket): one JSON request, one reply.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "main.h"

#define DEFAULT_CONTROL	"/run/edgeaid/control.sock"


static const char *control_path(const char *opt)
{
	const char *env = getenv("EDGEAID_CONTROL");

	if (opt)
		return opt;
	return env && *env ? env : DEFAULT_CONTROL;
}

static int pipe_list(int argc, char **argv)
{
	if (argc > 0)
		return error_out(EXIT_USAGE, "pipeline list takes no arguments");
	(void)argv;
	return pipelines_print(NULL);
}

static int pipe_show(int argc, char **argv)
{
	if (argc != 1)
		return error_out(EXIT_USAGE, "usage: pipeline show NAME");
	return pipelines_print(argv[0]);
}

/* One request, one reply; returns the parsed reply or NULL (message out). */
static struct json_object *control_call(const char *path,
					struct json_object *req, int *status)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	const char *s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	struct json_object *rep;
	char buf[8192];
	ssize_t n;
	int fd;

	*status = EXIT_FAIL;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		error_out(EXIT_USAGE, "control socket %s: path too long", path);
		*status = EXIT_USAGE;
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		error_out(EXIT_FAIL, "control socket %s: %s%s", path, strerror(errno),
			  errno == ENOENT || errno == ECONNREFUSED ?
			  " (is edgeaid running? its [global] control key names the socket)" : "");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, s, strlen(s), MSG_NOSIGNAL) < 0) {
		error_out(EXIT_FAIL, "control socket %s: send: %s", path,
			  strerror(errno));
		close(fd);
		return NULL;
	}
	do {
		n = recv(fd, buf, sizeof(buf) - 1, 0);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		error_out(EXIT_FAIL, "control socket %s: %s", path,
			  n ? strerror(errno) :
			  "edgeaid closed the connection without a reply (see its log)");
		close(fd);
		return NULL;
	}
	close(fd);
	buf[n] = '\0';
	rep = json_tokener_parse(buf);
	if (!rep || !json_object_is_type(rep, json_type_object)) {
		json_object_put(rep);
		error_out(EXIT_FAIL, "control socket %s: not a JSON reply", path);
		return NULL;
	}
	*status = EXIT_OK;
	return rep;
}

static int pipe_reload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "at-sample", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] =
		"usage: pipeline reload NAME [MODEL] [--at-sample N] [--socket PATH]";
	struct json_object *req, *rep, *v;
	const char *sock = NULL;
	char model[PATH_MAX], *end;
	unsigned long long at = 0;
	int c, status;

	/* argv[-1] is the command's name: getopt's argv[0] */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc + 1, argv - 1, "s:a:", opts, NULL)) != -1) {
		if (c == 's') {
			sock = optarg;
		} else if (c == 'a') {
			errno = 0;
			at = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' ||
			    !at || at > INT64_MAX)
				return error_out(EXIT_USAGE,
						 "--at-sample %s: want a sample count from 1 to %lld",
						 optarg, (long long)INT64_MAX);
		} else {
			return error_out(EXIT_USAGE, "%s", usage);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 1 || argc > 2)
		return error_out(EXIT_USAGE, "%s", usage);
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("reload"));
	json_object_object_add(req, "pipeline", json_object_new_string(argv[0]));
	if (at)
		json_object_object_add(req, "at_sample",
				       json_object_new_int64((int64_t)at));
	if (argc == 2) {
		if (!realpath(argv[1], model)) {
			json_object_put(req);
			return error_out(EXIT_FAIL, "%s: %s", argv[1], strerror(errno));
		}
		json_object_object_add(req, "model", json_object_new_string(model));
	}
	rep = control_call(control_path(sock), req, &status);
	json_object_put(req);
	if (!rep)
		return status;
	if (!json_object_object_get_ex(rep, "ok", &v) || !json_object_get_boolean(v)) {
		const char *msg = json_object_object_get_ex(rep, "error", &v) ?
				  json_object_get_string(v) : "refused";

		status = error_out(EXIT_FAIL, "pipeline %s: %s", argv[0], msg);
		json_object_put(rep);
		return status;
	}
	out_begin();
	out_str("pipeline", "pipeline", argv[0]);
	if (argc == 2)
		out_str("model", "model", model);
	json_object_object_get_ex(rep, "model_gen", &v);
	out_u64("model_gen", "model generation", (uint64_t)json_object_get_int64(v));
	if (at) {
		out_u64("at_sample", "at sample", at);
		out_text("the new model takes over once the pipeline has taken in that many samples\n");
	} else {
		out_text("the new model takes over between two batches\n");
	}
	json_object_put(rep);
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

static int pipe_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Usage: %s [-j|-p] pipeline list\n"
	       "       %s [-j|-p] pipeline show NAME\n"
	       "       %s [-j|-p] pipeline reload NAME [MODEL] [--at-sample N]\n"
	       "                 [--socket PATH]\n"
	       "\n"
	       "edgeaid's pipelines. list and show read edgeaid's stats file\n"
	       "($EDGEAID_STATS, default /run/edgeaid/stats.json): state, samples,\n"
	       "drops by reason, latency. reload asks the running edgeaid, through\n"
	       "its control socket ($EDGEAID_CONTROL, default %s), to\n"
	       "load MODEL (default: the pipeline's model file again) and switch to\n"
	       "it between two batches: no sample is lost or processed twice, and\n"
	       "every result names the model generation that computed it. A model\n"
	       "that does not load or does not fit (input and output dimensions) is\n"
	       "refused and the running one stays. With --at-sample N the new model\n"
	       "takes over exactly once the pipeline has taken in N input samples\n"
	       "(samples_in of pipeline show, counted from edgeaid's start): the\n"
	       "first N go through the running model, the rest through the new one.\n"
	       "A pipeline past N already refuses it; a later reload replaces a\n"
	       "swap still waiting for its sample.\n",
	       bin_name, bin_name, bin_name, DEFAULT_CONTROL);
	return EXIT_OK;
}

static const struct cmd pipe_cmds[] = {
	{ "help", pipe_help, "print this help" },
	{ "list", pipe_list, "every pipeline of the running edgeaid" },
	{ "reload", pipe_reload, "hot-swap a pipeline's model: NAME [MODEL] [--at-sample N]" },
	{ "show", pipe_show, "one pipeline: NAME" },
	{ NULL, NULL, NULL },
};

int do_pipeline(int argc, char **argv)
{
	return cmd_select(pipe_cmds, argc, argv, pipe_list, "pipeline");
}
