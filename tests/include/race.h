/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For race tests (tests/vm/kernel/data_races*.c): racing threads run
 * while race_running() (until race_stop or race_deadline), draw choices
 * from race_xorshift(), read mappings with race_touch(), and count, per
 * operation, how often it worked and each errno it returned;
 * race_report() prints one line per operation and fails the test on any
 * errno the operation's table entry does not allow.
 *
 *	static const struct race_op ops[OP_MAX] = {
 *		[OP_ATTACH] = { "attach", RACE_E(ENOENT) | RACE_E(EBUSY) },
 *	};
 *	race_tally(OP_ATTACH, ret < 0 ? -ret : 0);	(from any thread)
 *	race_report(ops, OP_MAX, 32);			(after joining them)
 *
 * Include after edgeai_test.h (and, for t_now_ns(), edgeai_vm_test.h).
 */
#ifndef EDGEAI_RACE_H
#define EDGEAI_RACE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define RACE_MAX_OPS	32
#define RACE_E(x)	(1ull << (x))	/* an allowed errno, as a bit */

struct race_op {
	const char *name;
	uint64_t allowed;	/* RACE_E() bits of errnos below 64 */
};

static volatile int race_stop;		/* set: every racer ends */
static uint64_t race_deadline;		/* t_now_ns() the races end at */

/* Iteration @i of at most @max: checks the clock every 16th. */
static inline int race_running(uint32_t i, uint32_t max)
{
	return !race_stop && i < max &&
	       (i & 15 || t_now_ns() < race_deadline);
}

static inline uint64_t race_xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Read a mapping, a word per 4 KiB: a fault here fails the test (it crashes). */
static inline uint64_t race_touch(const void *p, size_t len)
{
	const volatile uint64_t *w = p;
	uint64_t sum = 0;
	size_t k;

	for (k = 0; k < len / 8; k += 512)
		sum += w[k];
	return sum;
}

static uint64_t race_ok[RACE_MAX_OPS];
static uint64_t race_err[RACE_MAX_OPS][256];

/* @err: 0 or an errno. */
static inline void race_tally(unsigned int op, int err)
{
	if (!err)
		__atomic_fetch_add(&race_ok[op], 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&race_err[op][err & 255], 1,
				   __ATOMIC_RELAXED);
}

static inline void race_report(const struct race_op *ops, unsigned int n,
			       int width)
{
	unsigned int k;
	int e;

	for (k = 0; k < n && k < RACE_MAX_OPS; k++) {
		char line[512];
		int len = snprintf(line, sizeof(line), "%-*s ok %llu", width,
				   ops[k].name,
				   (unsigned long long)race_ok[k]);

		for (e = 1; e < 256; e++) {
			if (!race_err[k][e])
				continue;
			if (len < (int)sizeof(line))
				len += snprintf(line + len, sizeof(line) - len,
						", %s %llu", strerrorname_np(e),
						(unsigned long long)race_err[k][e]);
			t_checks++;
			if (e >= 64 || !(ops[k].allowed & RACE_E(e)))
				T_FAILF("%s: %llu times %s, which is not an allowed outcome",
					ops[k].name,
					(unsigned long long)race_err[k][e],
					strerrorname_np(e));
		}
		printf("%s\n", line);
	}
}

#endif
