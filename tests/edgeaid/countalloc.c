// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim for tests/unit/edgeaid_noalloc.sh: counts malloc,
 * calloc, realloc and the aligned allocators called from threads other
 * than the main one (edgeaid's pipeline workers) and writes the count to
 * $EAD_ALLOC_OUT at exit. Built by the test itself.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);

static atomic_ulong worker_allocs;

static void count(void)
{
	if (syscall(SYS_gettid) != getpid())
		atomic_fetch_add(&worker_allocs, 1);
}

void *malloc(size_t size)
{
	count();
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	count();
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	count();
	return __libc_realloc(p, size);
}

void *memalign(size_t align, size_t size)
{
	count();
	return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	count();
	return __libc_memalign(align, size);
}

int posix_memalign(void **p, size_t align, size_t size)
{
	count();
	*p = __libc_memalign(align, size);
	return *p ? 0 : 12;
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("EAD_ALLOC_OUT");
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "%lu\n", (unsigned long)atomic_load(&worker_allocs));
	fclose(f);
}
