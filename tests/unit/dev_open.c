// SPDX-License-Identifier: GPL-2.0
/*
 * libedgeai: opening the device fails with a precise errno when the module
 * is absent or the path is not an edgeai device, and leaks nothing.
 */
#include <stdlib.h>

#include <edgeai/edgeai.h>

#include "edgeai_test.h"

int main(void)
{
	struct edgeai_dev *dev = (struct edgeai_dev *)0x1;
	struct edgeai_info info;

	T_ERRNO(edgeai_dev_open("/nonexistent/edgeai", &dev), ENOENT);
	T_CHECK(dev == (struct edgeai_dev *)0x1);
	T_ERRNO(edgeai_dev_open(NULL, NULL), EINVAL);

	/* $EDGEAI_DEV is honoured when no path is given. */
	setenv("EDGEAI_DEV", "/nonexistent/from-env", 1);
	T_ERRNO(edgeai_dev_open(NULL, &dev), ENOENT);

	/* A character device that is not ours answers GET_INFO with ENOTTY. */
	T_ASSERT(edgeai_dev_open("/dev/null", &dev) == 0);
	T_CHECK(edgeai_dev_fd(dev) >= 0);
	T_ERRNO(edgeai_dev_info(dev, &info), ENOTTY);
	T_ERRNO(edgeai_dev_info(dev, NULL), EINVAL);
	T_ERRNO(edgeai_dev_info(NULL, &info), EINVAL);
	T_ERRNO(edgeai_dev_fd(NULL), EINVAL);
	edgeai_dev_close(dev);
	edgeai_dev_close(NULL);

	T_STREQ(edgeai_version(), EDGEAI_LIB_VERSION);
	T_CHECK(!edgeai_feature_name(64));
	/* Every known feature bit has a name; unknown ones have none. */
	{
		unsigned int bit;

		for (bit = 0; bit < 64; bit++) {
			int known = !!(EDGEAI_FEATURES_KNOWN & (1ULL << bit));

			T_EQ(edgeai_feature_name(bit) != NULL, known);
		}
		T_STREQ(edgeai_feature_name(0), "rings");
	}
	return t_done();
}
