// SPDX-License-Identifier: GPL-2.0
/* edgeaictl version: the tool, the library and the kernel module. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <edgeai/edgeai.h>

#include "main.h"

static void print_module(void)
{
	const char *names[64];
	struct edgeai_info info;
	struct edgeai_dev *dev;
	int ret, n = 0;
	unsigned int bit;

	out_obj_begin("module", "kernel module");
	ret = edgeai_dev_open(NULL, &dev);
	if (ret) {
		out_bool("loaded", "loaded", false);
		out_str("reason", "reason", strerror(-ret));
		goto out;
	}
	ret = edgeai_dev_info(dev, &info);
	edgeai_dev_close(dev);
	if (ret) {
		out_bool("loaded", "loaded", false);
		out_str("reason", "reason", strerror(-ret));
		goto out;
	}
	out_bool("loaded", "loaded", true);
	out_str("version", "version", (const char *)info.version);
	out_u64("abi_version", "ABI version", info.abi_version);
	out_bool("abi_compatible", "ABI compatible",
		 info.abi_version == EDGEAI_ABI_VERSION);
	for (bit = 0; bit < 64; bit++) {
		static char unknown[64][12];

		if (!(info.features & (1ULL << bit)))
			continue;
		names[n] = edgeai_feature_name(bit);
		if (!names[n]) {
			snprintf(unknown[bit], sizeof(unknown[bit]), "bit%u",
				 bit);
			names[n] = unknown[bit];
		}
		n++;
	}
	out_strlist("features", "features", names, n);
out:
	out_obj_end();
}

int do_version(int argc, char **argv)
{
	if (argc > 0 && strcmp(argv[0], "help")) {
		return error_out(EXIT_USAGE, "version takes no arguments");
	} else if (argc > 0) {
		printf("Usage: %s [-j|-p] version\n"
		       "Print the versions of edgeaictl, libedgeai and the\n"
		       "loaded kernel module with its ABI and features.\n",
		       bin_name);
		return EXIT_OK;
	}
	out_begin();
	out_str("edgeaictl", "edgeaictl", EDGEAI_LIB_VERSION);
	out_str("libedgeai", "libedgeai", edgeai_version());
	out_u64("abi_version", "ABI version", EDGEAI_ABI_VERSION);
	print_module();
	return out_end() ? EXIT_FAIL : EXIT_OK;
}
