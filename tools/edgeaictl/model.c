// SPDX-License-Identifier: GPL-2.0
/* edgeaictl model: model files (placeholder until the model object lands). */
#include <stdio.h>
#include <string.h>

#include "main.h"

int do_model(int argc, char **argv)
{
	if (argc > 0 && !strcmp(argv[0], "help")) {
		printf("Usage: %s model help\n", bin_name);
		return EXIT_OK;
	}
	return error_out(EXIT_USAGE, "model: no commands yet");
}
