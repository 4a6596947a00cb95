/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny test helper for edgeai's test programs: one feature per program,
 * exit 0 pass, 1 fail, 77 skip (see tests/README.md).
 *
 * Checks keep going after a failure so that one run shows every broken
 * expectation, each with what was expected and what came.
 */
#ifndef EDGEAI_TEST_H
#define EDGEAI_TEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_PASS 0
#define T_FAIL 1
#define T_SKIP 77

static int t_failures;
static int t_checks;

#define T_FAILF(fmt, ...)						\
	do {								\
		t_failures++;						\
		fprintf(stderr, "%s:%d: " fmt "\n", __FILE__, __LINE__,	\
			##__VA_ARGS__);					\
	} while (0)

#define T_CHECK(cond)							\
	do {								\
		t_checks++;						\
		if (!(cond))						\
			T_FAILF("check failed: %s", #cond);		\
	} while (0)

#define T_EQ(actual, expected)						\
	do {								\
		long long _a = (long long)(actual);			\
		long long _e = (long long)(expected);			\
		t_checks++;						\
		if (_a != _e)						\
			T_FAILF("%s: expected %lld (%s), got %lld",	\
				#actual, _e, #expected, _a);		\
	} while (0)

/* A call returning 0 or -errno (or -1 with errno) compared by errno. */
#define T_ERRNO(actual, expected_errno)					\
	do {								\
		long long _a = (long long)(actual);			\
		int _e = (expected_errno);				\
		t_checks++;						\
		if (_a != -_e)						\
			T_FAILF("%s: expected -%s, got %lld (%s)",	\
				#actual, strerrorname_np(_e) ?		\
				strerrorname_np(_e) : "?", _a,		\
				_a < 0 && strerrorname_np((int)-_a) ?	\
				strerrorname_np((int)-_a) : "not an errno"); \
	} while (0)

#define T_STREQ(actual, expected)					\
	do {								\
		const char *_a = (actual), *_e = (expected);		\
		t_checks++;						\
		if (!_a || !_e || strcmp(_a, _e))			\
			T_FAILF("%s: expected \"%s\", got \"%s\"",	\
				#actual, _e ? _e : "(null)",		\
				_a ? _a : "(null)");			\
	} while (0)

/* Stop now: the rest of the test cannot run meaningfully. */
#define T_ASSERT(cond)							\
	do {								\
		t_checks++;						\
		if (!(cond)) {						\
			T_FAILF("fatal: %s", #cond);			\
			exit(T_FAIL);					\
		}							\
	} while (0)

/* A float's bits and back (no aliasing through pointers). */
static inline uint32_t t_f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static inline float t_f32_from_bits(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static inline void t_skip(const char *reason)
{
	printf("skip: %s\n", reason);
	exit(T_SKIP);
}

static inline int t_done(void)
{
	if (!t_checks) {
		fprintf(stderr, "no checks ran: a test must assert something\n");
		return T_FAIL;
	}
	if (t_failures) {
		fprintf(stderr, "%d of %d checks failed\n", t_failures,
			t_checks);
		return T_FAIL;
	}
	return T_PASS;
}

#endif /* EDGEAI_TEST_H */
