// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#include <edgeai/edgeai.h>

#ifndef EDGEAI_LIB_VERSION
#error "EDGEAI_LIB_VERSION must be defined by the build"
#endif

/* Names of the EDGEAI_FEAT_* bits, as edgeaictl prints them. */
static const char *const feature_names[64] = {
	[0] = "rings",		/* EDGEAI_FEAT_RINGS */
	[1] = "poll",		/* EDGEAI_FEAT_POLL */
	[2] = "uring_cmd",	/* EDGEAI_FEAT_URING_CMD */
	[3] = "overwrite",	/* EDGEAI_FEAT_OVERWRITE */
	[4] = "user_producer",	/* EDGEAI_FEAT_USER_PRODUCER */
	[5] = "producer_wake",	/* EDGEAI_FEAT_PRODUCER_WAKE */
	[6] = "user_head",	/* EDGEAI_FEAT_USER_HEAD */
	[7] = "room_wait",	/* EDGEAI_FEAT_ROOM_WAIT */
};

_Static_assert(EDGEAI_FEATURES_KNOWN == (1ULL << 8) - 1,
	       "name every EDGEAI_FEAT_* bit above");

const char *edgeai_version(void)
{
	return EDGEAI_LIB_VERSION;
}

const char *edgeai_feature_name(unsigned int bit)
{
	return bit < 64 ? feature_names[bit] : NULL;
}
