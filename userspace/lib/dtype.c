// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Tensor element types: sizes and names, shared by every part. */
#include <errno.h>
#include <strings.h>

#include <edgeai/edgeai.h>

static const struct {
	const char *name;
	size_t size;
} dtypes[EDGEAI_DTYPE_MAX + 1] = {
	[EDGEAI_DTYPE_U8]  = { "u8",  1 },
	[EDGEAI_DTYPE_I8]  = { "i8",  1 },
	[EDGEAI_DTYPE_U16] = { "u16", 2 },
	[EDGEAI_DTYPE_I16] = { "i16", 2 },
	[EDGEAI_DTYPE_U32] = { "u32", 4 },
	[EDGEAI_DTYPE_I32] = { "i32", 4 },
	[EDGEAI_DTYPE_F16] = { "f16", 2 },
	[EDGEAI_DTYPE_F32] = { "f32", 4 },
	[EDGEAI_DTYPE_F64] = { "f64", 8 },
};

size_t edgeai_dtype_size(uint32_t dtype)
{
	return dtype <= EDGEAI_DTYPE_MAX ? dtypes[dtype].size : 0;
}

const char *edgeai_dtype_name(uint32_t dtype)
{
	return dtype <= EDGEAI_DTYPE_MAX ? dtypes[dtype].name : NULL;
}

int edgeai_dtype_from_name(const char *name, uint32_t *dtype)
{
	uint32_t i;

	if (!name || !dtype)
		return -EINVAL;
	for (i = 1; i <= EDGEAI_DTYPE_MAX; i++) {
		if (!strcasecmp(name, dtypes[i].name)) {
			*dtype = i;
			return 0;
		}
	}
	return -EINVAL;
}
