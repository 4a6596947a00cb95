/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counting allocations in a unit test: the unit lane is built with
 * AddressSanitizer, whose allocator calls a hook on every malloc and free
 * of the process. Install it with
 *
 *	if (!__sanitizer_install_malloc_and_free_hooks)
 *		skip: not a sanitizer build;
 *	__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
 *
 * then count between "counting = 1" and "counting = 0" (mallocs, frees).
 * Tests should show the counter works with a malloc() made on purpose.
 */
#ifndef EDGEAI_MALLOC_COUNT_H
#define EDGEAI_MALLOC_COUNT_H

#include <stddef.h>

int __sanitizer_install_malloc_and_free_hooks(
	void (*malloc_hook)(const volatile void *, size_t),
	void (*free_hook)(const volatile void *)) __attribute__((weak));

static volatile int counting;
static volatile unsigned long mallocs, frees;

static void on_malloc(const volatile void *p, size_t size)
{
	(void)p;
	(void)size;
	if (counting)
		mallocs++;
}

static void on_free(const volatile void *p)
{
	(void)p;
	if (counting)
		frees++;
}

#endif /* EDGEAI_MALLOC_COUNT_H */
