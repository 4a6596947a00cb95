// SPDX-License-Identifier: GPL-2.0
/*
 * edgeaictl model convert: import an ONNX model by running the converter
 * (tools/onnx/edgeai-onnx-convert, installed as
 * PREFIX/libexec/edgeai/edgeai-onnx-convert; docs/onnx.md). Its options,
 * messages and exit status (0, 1 conversion error, 2 usage) pass through;
 * under -j its one-line error becomes {"error": ...}.
 *
 * The converter is looked for at $EDGEAI_ONNX_CONVERT, then next to
 * edgeaictl (../libexec/edgeai/, and ../tools/onnx/ or ../../tools/onnx/
 * in a build tree), then in PATH.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "main.h"

#define CONVERTER	"edgeai-onnx-convert"

extern char **environ;

static const char *find_converter(char *buf, size_t len)
{
	static const char *const rel[] = {
		"../libexec/edgeai/" CONVERTER,
		"../tools/onnx/" CONVERTER,
		"../../tools/onnx/" CONVERTER,
	};
	const char *env = getenv("EDGEAI_ONNX_CONVERT");
	char exe[PATH_MAX], *slash;
	ssize_t n;
	size_t i;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
				snprintf(buf, len, "%.*s/%s", (int)(len - 64), exe,
					 rel[i]);
				if (!access(buf, X_OK))
					return buf;
			}
		}
	}
	return CONVERTER;	/* PATH */
}

static int convert_help(void)
{
	printf("Usage: %s [-j|-p] model convert MODEL.onnx [-o MODEL.st] [--name N]\n"
	       "           [--version V] [--features A,B,..] [--outputs A,B,..] [-v]\n"
	       "\n"
	       "Convert an ONNX model to an edgeai model file, for the subset edgeai\n"
	       "runs: Gemm, MatMul, Add, Sub, Div, Mul, Relu, Sigmoid, Tanh, Softmax,\n"
	       "Flatten, Identity, and ai.onnx.ml Scaler, LinearRegressor,\n"
	       "LinearClassifier. An unsupported op names itself and its node and\n"
	       "nothing is written. Runs edgeai-onnx-convert (Python, python3-onnx);\n"
	       "'edgeai-onnx-convert --help' and docs/onnx.md have the details.\n",
	       bin_name);
	return EXIT_OK;
}

int model_convert(int argc, char **argv)
{
	char path[PATH_MAX], err[1024];
	const char *conv = find_converter(path, sizeof(path));
	posix_spawn_file_actions_t fa;
	char **args;
	int pipefd[2] = { -1, -1 }, status, ret, i;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (argc == 1 && (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help")))
		return convert_help();
	if (argc < 1)
		return error_out(EXIT_USAGE, "usage: model convert MODEL.onnx [-o MODEL.st] (try 'model convert help')");
	args = calloc((size_t)argc + 2, sizeof(*args));
	if (!args)
		return error_out(EXIT_FAIL, "out of memory");
	args[0] = (char *)conv;
	for (i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	posix_spawn_file_actions_init(&fa);
	if (json_output) {
		/* its message becomes the JSON error; nothing else on stdout */
		if (pipe2(pipefd, O_CLOEXEC) < 0) {
			ret = errno;
			free(args);
			return error_out(EXIT_FAIL, "pipe: %s", strerror(ret));
		}
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
						 O_WRONLY, 0);
	}
	ret = strchr(conv, '/') ? posix_spawn(&pid, conv, &fa, NULL, args, environ) :
				  posix_spawnp(&pid, conv, &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(args);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (ret) {
		if (pipefd[0] >= 0)
			close(pipefd[0]);
		return error_out(EXIT_FAIL, "cannot run %s: %s%s", conv, strerror(ret),
				 ret == ENOENT ? " (install edgeai's tools, or set EDGEAI_ONNX_CONVERT)" : "");
	}
	while (pipefd[0] >= 0 &&
	       (n = read(pipefd[0], err + got, sizeof(err) - 1 - got)) > 0)
		got += (size_t)n;
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	err[got] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status))
		return error_out(EXIT_FAIL, "%s was killed by signal %d", conv,
				 WTERMSIG(status));
	ret = WEXITSTATUS(status);
	if (!json_output)
		return ret == 0 ? EXIT_OK : ret == 2 ? EXIT_USAGE : EXIT_FAIL;
	if (ret) {
		char *nl = strrchr(err, '\n');

		while (nl && nl[1] == '\0' && nl > err) {
			*nl = '\0';
			nl = strrchr(err, '\n');
		}
		return error_out(ret == 2 ? EXIT_USAGE : EXIT_FAIL, "%s",
				 nl ? nl + 1 : err[0] ? err : "conversion failed");
	}
	out_begin();
	out_str("onnx", "onnx", argv[0]);
	out_bool("converted", "converted", true);
	return out_end() ? EXIT_FAIL : EXIT_OK;
}
