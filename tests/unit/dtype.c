// SPDX-License-Identifier: GPL-2.0
/* libedgeai: dtype sizes, names and parsing agree with the UAPI. */
#include <edgeai/edgeai.h>

#include "edgeai_test.h"

int main(void)
{
	static const struct {
		uint32_t dtype;
		const char *name;
		size_t size;
	} want[] = {
		{ EDGEAI_DTYPE_U8, "u8", 1 },	{ EDGEAI_DTYPE_I8, "i8", 1 },
		{ EDGEAI_DTYPE_U16, "u16", 2 },	{ EDGEAI_DTYPE_I16, "i16", 2 },
		{ EDGEAI_DTYPE_U32, "u32", 4 },	{ EDGEAI_DTYPE_I32, "i32", 4 },
		{ EDGEAI_DTYPE_F16, "f16", 2 },	{ EDGEAI_DTYPE_F32, "f32", 4 },
		{ EDGEAI_DTYPE_F64, "f64", 8 },
	};
	uint32_t d = 12345;
	size_t i;

	T_EQ(sizeof(want) / sizeof(want[0]), EDGEAI_DTYPE_MAX);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		T_EQ(edgeai_dtype_size(want[i].dtype), want[i].size);
		T_STREQ(edgeai_dtype_name(want[i].dtype), want[i].name);
		T_EQ(edgeai_dtype_from_name(want[i].name, &d), 0);
		T_EQ(d, want[i].dtype);
	}

	/* Invalid values are refused, not mapped to a default. */
	T_EQ(edgeai_dtype_size(EDGEAI_DTYPE_INVALID), 0);
	T_EQ(edgeai_dtype_size(EDGEAI_DTYPE_MAX + 1), 0);
	T_EQ(edgeai_dtype_size(UINT32_MAX), 0);
	T_CHECK(!edgeai_dtype_name(EDGEAI_DTYPE_INVALID));
	T_CHECK(!edgeai_dtype_name(UINT32_MAX));

	/* Parsing is case-insensitive and exact; failures leave *d alone. */
	T_EQ(edgeai_dtype_from_name("F32", &d), 0);
	T_EQ(d, EDGEAI_DTYPE_F32);
	d = 777;
	T_ERRNO(edgeai_dtype_from_name("f3", &d), EINVAL);
	T_ERRNO(edgeai_dtype_from_name("f322", &d), EINVAL);
	T_ERRNO(edgeai_dtype_from_name("", &d), EINVAL);
	T_ERRNO(edgeai_dtype_from_name(NULL, &d), EINVAL);
	T_ERRNO(edgeai_dtype_from_name("f32", NULL), EINVAL);
	T_EQ(d, 777);
	return t_done();
}
