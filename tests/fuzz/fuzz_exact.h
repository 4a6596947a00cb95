/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The libFuzzer entry point of harnesses that check a parser against the
 * exact end of its input: each input is copied to a heap buffer of exactly
 * its size, so AddressSanitizer's red zone starts one byte past the end
 * and catches any read beyond it.
 *
 *   static void check(const uint8_t *buf, size_t size) { ... }
 *   EDGEAI_FUZZ_EXACT(check)
 */
#ifndef EDGEAI_FUZZ_EXACT_H
#define EDGEAI_FUZZ_EXACT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EDGEAI_FUZZ_EXACT(check)					\
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);		\
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)		\
{									\
	uint8_t *buf = malloc(size ? size : 1);				\
									\
	if (!buf)							\
		return 0;						\
	memcpy(buf, data, size);					\
	check(buf, size);						\
	free(buf);							\
	return 0;							\
}

#endif /* EDGEAI_FUZZ_EXACT_H */
