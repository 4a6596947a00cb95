// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#include <edgeai/edgeai.h>

#ifndef EDGEAI_LIB_VERSION
#error "EDGEAI_LIB_VERSION must be defined by the build"
#endif

/* Bits the library can name; none are defined by the ABI yet. */
static const char *const feature_names[64];

const char *edgeai_version(void)
{
	return EDGEAI_LIB_VERSION;
}

const char *edgeai_feature_name(unsigned int bit)
{
	return bit < 64 ? feature_names[bit] : NULL;
}
