// SPDX-License-Identifier: GPL-2.0
/*
 * edgeaid's fmt_f32() writes what snprintf("%.9g", (double)f) writes, byte
 * for byte: special values, powers of ten and their neighbours, the edges
 * of fixed and exponent notation, exact halfway cases, whole binades and
 * random bit patterns; fmt_u64() what "%llu" writes, at every digit count
 * and for random values. The first difference ends the test.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "edgeai_test.h"
#include "../../userspace/edgeaid/fmt.h"

static unsigned long long n_checked;

static void check(float f)
{
	char want[32], got[32];
	size_t n;
	int w;

	if (!isfinite(f))
		return;
	w = snprintf(want, sizeof(want), "%.9g", (double)f);
	memset(got, 'x', sizeof(got));
	n = fmt_f32(got, f);
	n_checked++;
	if (w < 0 || n != (size_t)w || memcmp(got, want, n + 1)) {
		fprintf(stderr, "fmt_f32(0x%08x): expected \"%s\", got \"%.*s\"\n",
			t_f32_bits(f), want, (int)(n < 32 ? n : 32), got);
		exit(T_FAIL);
	}
}

/* f and -f */
static void check2(float f)
{
	check(f);
	check(-f);
}

/* The finite floats within ulps of f (same sign), both signs. */
static void check_around(float f, uint32_t ulps)
{
	uint32_t b = t_f32_bits(fabsf(f)), lo, hi, i;

	lo = b > ulps ? b - ulps : 0;
	hi = b + ulps < 0x7f800000 ? b + ulps : 0x7f7fffff;
	for (i = lo; i <= hi; i++)
		check2(t_f32_from_bits(i));
}

/* Every float in [from, to), positive only (the sign is one byte). */
static void check_range(float from, float to)
{
	uint32_t i;

	for (i = t_f32_bits(from); i < t_f32_bits(to); i++)
		check(t_f32_from_bits(i));
}

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/*
 * m * 2^-n with m odd and m * 5^n in [10^9, 10^10) has exactly 10
 * significant digits, the last a 5: a tie for 9 digits. Those need
 * 3 <= n <= 13 in a float (m < 2^24); every stride-th one of each n.
 */
static void check_ties(uint32_t stride)
{
	uint64_t p5 = 1, lo, hi, m;
	int n;

	for (n = 1; n <= 13; n++) {
		p5 *= 5;
		lo = (1000000000ULL + p5 - 1) / p5;
		hi = 10000000000ULL / p5;
		if (hi > 1U << 24)
			hi = 1U << 24;
		for (m = lo | 1; m < hi; m += 2 * stride)
			check2(ldexpf((float)m, -n));
	}
}

static unsigned long long n_u64;

static void check_u64(uint64_t v)
{
	char want[24], got[24];
	size_t n;
	int w;

	w = snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
	memset(got, 'x', sizeof(got));
	n = fmt_u64(got, v);
	n_u64++;
	/* exactly the digits, and nothing written past them */
	if (w < 0 || n != (size_t)w || memcmp(got, want, n) || got[n] != 'x') {
		fprintf(stderr, "fmt_u64(%s): got \"%.*s\" (%zu bytes)\n", want,
			(int)(n < 24 ? n : 24), got, n);
		exit(T_FAIL);
	}
}

static void check_u64_all(uint64_t *seed)
{
	uint64_t p = 1;
	int k, d;

	check_u64(0);
	check_u64(UINT64_MAX);
	check_u64(UINT64_MAX - 1);
	/* every power of ten and its neighbours: each digit count's edges */
	for (k = 0; k < 20; k++, p *= 10)
		for (d = -2; d <= 2; d++)
			if ((d >= 0 || p >= (uint64_t)-d) &&
			    (d <= 0 || p <= UINT64_MAX - (uint64_t)d))
				check_u64(p + (uint64_t)(int64_t)d);
	for (k = 0; k < 100000; k++)
		check_u64(k);
	/* random values of every length: a random shift of random bits */
	for (k = 0; k < 1000000; k++) {
		uint64_t r = xorshift64(seed);

		check_u64(r >> (r & 63));
	}
}

int main(void)
{
	static const uint32_t special[] = {
		0x00000000, 0x00000001, 0x00000002, 0x00000003, 0x007fffff,
		0x00800000, 0x00800001, 0x7f7fffff, 0x7f7ffffe, 0x3f800000,
		0x3f7fffff, 0x3f800001, 0x4b800000, 0x4c000000, 0x4e6e6b28,
	};
	static const float edge[] = {
		1e-5f, 1e-4f, 1e-3f, 1e8f, 1e9f, 1e10f, 999999999.5f,
		99999.9995f, 0.000999999995f, 0.0000999999995f, 8388608.0f,
		16777216.0f, 2147483648.0f, 1.17549435e-38f, 3.40282347e38f,
	};
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	char buf[32];
	size_t i;
	int e;

	/* -0 is "-0", and the result is NUL-terminated with its length. */
	T_EQ(fmt_f32(buf, -0.0f), 2);
	T_STREQ(buf, "-0");
	T_EQ(fmt_f32(buf, 0.0f), 1);
	T_STREQ(buf, "0");
	T_EQ(fmt_f32(buf, -FLT_MAX), 15);
	T_STREQ(buf, "-3.40282347e+38");
	T_EQ(fmt_f32(buf, 1e-45f), 14);
	T_STREQ(buf, "1.40129846e-45");
	T_EQ(fmt_f32(buf, 0.1f), 11);
	T_STREQ(buf, "0.100000001");
	T_EQ(fmt_f32(buf, 100000000.0f), 9);
	T_STREQ(buf, "100000000");
	T_EQ(fmt_f32(buf, 1e9f), 5);
	T_STREQ(buf, "1e+09");
	/* 2^-13 and 2^-14 end in a tie for 9 digits: 2 stays 2 (even). */
	T_EQ(fmt_f32(buf, 0x1p-13f), 14);
	T_STREQ(buf, "0.000122070312");
	T_EQ(fmt_f32(buf, 0x1p-14f), 14);
	T_STREQ(buf, "6.10351562e-05");
	/* NaN and infinities are not its job, but must not break. */
	fmt_f32(buf, INFINITY);
	T_STREQ(buf, "inf");
	fmt_f32(buf, -INFINITY);
	T_STREQ(buf, "-inf");
	fmt_f32(buf, NAN);
	T_CHECK(strstr(buf, "nan"));
	if (t_failures)
		return t_done();

	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		check2(t_f32_from_bits(special[i]));
	check2(FLT_MIN);
	check2(FLT_MAX);
	check2(FLT_TRUE_MIN);

	/* Powers of ten and their neighbours; the %g notation edges. */
	for (e = -45; e <= 38; e++) {
		char s[16];

		snprintf(s, sizeof(s), "1e%d", e);
		check_around(strtof(s, NULL), 3);
	}
	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		check_around(edge[i], 1000);

	check_ties(41);

	/*
	 * Every float of [1, 1.25), and of two stretches where the digits
	 * are an integer's: above 1e8 and across 1e9 (%e from there). (All
	 * 2^31 - 2^23 positive finite floats were compared once, offline, when
	 * fmt_f32() was written: 11 minutes, too long for make check.)
	 */
	check_range(1.0f, 1.25f);
	check_range(1e8f, 1.02e8f);
	check_range(9.9e8f, 1.01e9f);

	/* Random bit patterns (non-finite ones are skipped by check()). */
	for (i = 0; i < 2000000; i++)
		check(t_f32_from_bits((uint32_t)(xorshift64(&seed) >> 32)));

	T_CHECK(n_checked > 4000000);
	check_u64_all(&seed);
	T_CHECK(n_u64 > 1100000);
	printf("fmt_u64: %llu values, all equal to snprintf(\"%%llu\")\n",
	       n_u64);
	printf("fmt_f32: %llu values, all equal to snprintf(\"%%.9g\")\n",
	       n_checked);
	return t_done();
}
