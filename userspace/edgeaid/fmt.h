/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Number formatting for edgeaid's JSON result lines, byte for byte what
 * printf writes, at a fraction of its cost: fmt_f32() and fmt_u64().
 *
 * fmt_f32(): the bytes of snprintf(out, 32, "%.9g", (double)v) for every
 * finite float v, without printf's cost (~300 ns a float in glibc).
 *
 * Method, all in integers, so the result is exact like glibc's:
 *
 *  - |v| = m * 2^e with m < 2^24 and -149 <= e <= 104.
 *  - With b = floor(log2 |v|), x = floor(b * log10(2)) (an integer
 *    multiply, exact for -149 <= b <= 127 and well beyond) is
 *    floor(log10 |v|) or one less.
 *  - With k = 8 - x, q = floor(|v| * 10^k) has 9 or 10 digits and is
 *    computed exactly, together with where the remainder lies against
 *    half a unit (zero, below, equal, above):
 *      k >= 0: |v| * 10^k = m * 5^k / 2^s with s = -e - k: a product of
 *              up to 150 bits (kept as hi:lo) shifted right; the bits
 *              shifted out are the remainder.
 *      k < 0:  |v| * 10^k = (m << e) / 10^-k, with e <= 104 and -k <= 30:
 *              a 128-bit division.
 *  - A 10-digit q means x was one short: the dropped digit and the old
 *    remainder decide the rounding of q / 10, still exactly.
 *  - q is rounded half to even to 9 digits (glibc honours the rounding
 *    mode, round-to-nearest-even by default); 10^9 becomes 10^8, x + 1.
 *  - %g with P = 9: fixed notation with 8 - x decimals if -4 <= x < 9,
 *    else d.dddddddde[+-]XX; trailing zeros and a bare '.' are removed.
 *
 * Every finite float takes this path, subnormals included; only NaN and
 * infinities go to snprintf(). tests/unit/fmt_f32.c compares the two.
 */
#ifndef EDGEAID_FMT_H
#define EDGEAID_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

__extension__ typedef unsigned __int128 fmt_f32_u128;

/* Where a remainder r lies against half the divisor. */
enum {
	FMT_F32_ZERO,		/* r == 0 */
	FMT_F32_BELOW,		/* 0 < r < half */
	FMT_F32_HALF,		/* r == half */
	FMT_F32_ABOVE,		/* r > half */
};

static inline unsigned int fmt_f32_rest(fmt_f32_u128 r, fmt_f32_u128 half)
{
	if (!r)
		return FMT_F32_ZERO;
	if (r < half)
		return FMT_F32_BELOW;
	return r == half ? FMT_F32_HALF : FMT_F32_ABOVE;
}

/* 5^k for 0 <= k <= 54 (5^54 < 2^126). */
static inline fmt_f32_u128 fmt_f32_pow5(int k)
{
	static const uint64_t p[28] = {
		0x0000000000000001ULL, 0x0000000000000005ULL,
		0x0000000000000019ULL, 0x000000000000007dULL,
		0x0000000000000271ULL, 0x0000000000000c35ULL,
		0x0000000000003d09ULL, 0x000000000001312dULL,
		0x000000000005f5e1ULL, 0x00000000001dcd65ULL,
		0x00000000009502f9ULL, 0x0000000002e90eddULL,
		0x000000000e8d4a51ULL, 0x0000000048c27395ULL,
		0x000000016bcc41e9ULL, 0x000000071afd498dULL,
		0x0000002386f26fc1ULL, 0x000000b1a2bc2ec5ULL,
		0x000003782dace9d9ULL, 0x00001158e460913dULL,
		0x000056bc75e2d631ULL, 0x0001b1ae4d6e2ef5ULL,
		0x000878678326eac9ULL, 0x002a5a058fc295edULL,
		0x00d3c21bcecceda1ULL, 0x0422ca8b0a00a425ULL,
		0x14adf4b7320334b9ULL, 0x6765c793fa10079dULL,
	};

	if (k <= 27)
		return p[k];
	return (fmt_f32_u128)p[27] * p[k - 27];
}

/*
 * floor(m * 2^e * 10^k) for k >= 0, the remainder's place in *rest.
 * The callers' q < 10^10 < 2^34 bounds every shift below: s <= 0 only
 * when the product is q itself, m * 5^k < 2^98 when s < 64, and
 * s - 64 <= 60 otherwise (the top part holds fewer than 87 bits).
 */
static inline uint64_t fmt_f32_mul(uint32_t m, int e, int k,
				   unsigned int *rest)
{
	fmt_f32_u128 hi, n, mask;
	uint64_t lo;
	int s = -e - k;

	if (k <= 27) {
		n = (fmt_f32_u128)m * (uint64_t)fmt_f32_pow5(k);
		hi = n >> 64;
		lo = (uint64_t)n;
	} else {
		fmt_f32_u128 p = fmt_f32_pow5(k);

		n = (fmt_f32_u128)m * (uint64_t)p;
		hi = (fmt_f32_u128)m * (uint64_t)(p >> 64) + (n >> 64);
		lo = (uint64_t)n;
	}
	if (s <= 0) {
		*rest = FMT_F32_ZERO;
		return (uint64_t)(((hi << 64) | lo) << -s);
	}
	if (s < 64) {
		n = (hi << 64) | lo;
		mask = ((fmt_f32_u128)1 << s) - 1;
		*rest = fmt_f32_rest(n & mask, (fmt_f32_u128)1 << (s - 1));
		return (uint64_t)(n >> s);
	}
	s -= 64;
	mask = ((fmt_f32_u128)1 << s) - 1;
	*rest = fmt_f32_rest(((hi & mask) << 64) | lo,
			     (fmt_f32_u128)1 << (s + 63));
	return (uint64_t)(hi >> s);
}

/* floor(m * 2^e / 10^j) for 1 <= j <= 30, 0 <= e <= 104. */
static inline uint64_t fmt_f32_div(uint32_t m, int e, int j,
				   unsigned int *rest)
{
	fmt_f32_u128 n = (fmt_f32_u128)m << e;
	fmt_f32_u128 d = fmt_f32_pow5(j) << j;
	fmt_f32_u128 q = n / d;

	*rest = fmt_f32_rest(n - q * d, d >> 1);
	return (uint64_t)q;
}

/* "00" "01" ... "99": two decimal digits at a time */
static const char fmt_digits2[201] =
	"00010203040506070809101112131415161718192021222324"
	"25262728293031323334353637383940414243444546474849"
	"50515253545556575859606162636465666768697071727374"
	"75767778798081828384858687888990919293949596979899";

/*
 * Write snprintf(out, 32, "%.9g", (double)v) to out (32 bytes of room;
 * a finite v takes at most 16, and up to 20 may be written) and return
 * its length.
 */
static inline size_t fmt_f32(char *out, float v)
{
	const char *two = fmt_digits2;
	uint32_t bits, m, ex, q9, lo8, hi4, lo4;
	unsigned int rest, up, d;
	/* 9 digits, then padding: the copies below move fixed sizes */
	char dig[24] = { 0 }, *p = out;
	int e, b, x, nd;
	uint64_t q;

	memcpy(&bits, &v, sizeof(bits));
	ex = bits >> 23 & 0xff;
	m = bits & 0x7fffff;
	if (ex == 0xff)
		return (size_t)snprintf(out, 32, "%.9g", (double)v);
	if (bits >> 31)
		*p++ = '-';
	if (!ex && !m) {
		*p++ = '0';
		*p = '\0';
		return (size_t)(p - out);
	}
	if (ex) {
		m |= 1U << 23;
		e = (int)ex - 150;
	} else {
		e = -149;
	}

	/* x = floor(b * log10(2)); + (200 << 18) keeps the shift unsigned */
	b = e + 31 - __builtin_clz(m);
	x = (int)((uint32_t)(b * 78913 + (200 << 18)) >> 18) - 200;

	if (x <= 8)
		q = fmt_f32_mul(m, e, 8 - x, &rest);
	else
		q = fmt_f32_div(m, e, x - 8, &rest);
	if (q >= 1000000000) {
		/* x was floor(log10 |v|) - 1: round away the tenth digit */
		d = (unsigned int)(q % 10);
		q /= 10;
		x++;
		up = d > 5 || (d == 5 && (rest != FMT_F32_ZERO || (q & 1)));
	} else {
		up = rest == FMT_F32_ABOVE || (rest == FMT_F32_HALF && (q & 1));
	}
	q += up;
	if (q == 1000000000) {
		q = 100000000;
		x++;
	}

	q9 = (uint32_t)q;
	dig[0] = (char)('0' + q9 / 100000000);
	lo8 = q9 % 100000000;
	hi4 = lo8 / 10000;
	lo4 = lo8 % 10000;
	memcpy(dig + 1, two + 2 * (hi4 / 100), 2);
	memcpy(dig + 3, two + 2 * (hi4 % 100), 2);
	memcpy(dig + 5, two + 2 * (lo4 / 100), 2);
	memcpy(dig + 7, two + 2 * (lo4 % 100), 2);
	for (nd = 9; nd > 1 && dig[nd - 1] == '0'; nd--)
		;

	/*
	 * Fixed-size copies (single moves, where a variable size is a call)
	 * that may write a few bytes past the end: out has 32 bytes, at most
	 * 20 are written, and the NUL goes at the true end.
	 */
	if (x < -4 || x >= 9) {
		*p++ = dig[0];
		if (nd > 1) {
			*p++ = '.';
			memcpy(p, dig + 1, 8);
			p += nd - 1;
		}
		*p++ = 'e';
		*p++ = x < 0 ? '-' : '+';
		if (x < 0)
			x = -x;
		memcpy(p, two + 2 * x, 2);	/* |x| <= 45 */
		p += 2;
	} else if (x >= 0) {
		memcpy(p, dig, 9);
		p += x + 1;
		if (nd > x + 1) {
			*p++ = '.';
			memcpy(p, dig + x + 1, 8);
			p += nd - x - 1;
		}
	} else {
		*p++ = '0';
		*p++ = '.';
		memcpy(p, "000", 3);	/* -x - 1 <= 3 zeros */
		p += -x - 1;
		memcpy(p, dig, 9);
		p += nd;
	}
	*p = '\0';
	return (size_t)(p - out);
}

/*
 * fmt_u64(): the decimal digits of @v, as "%llu" writes them, without a
 * NUL; @out needs room for 20 bytes, and nothing past the digits is
 * written. The digit count comes first (the bit length times log10(2),
 * then one compare), so the digits go straight to @out, two a step from
 * a table: half the divisions (by 100, a multiply) of a digit-at-a-time
 * loop; the nanosecond timestamps of a result line have 19 digits each.
 */
static inline size_t fmt_u64(char *out, uint64_t v)
{
	static const uint64_t p10[20] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
		1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
		10000000000ULL, 100000000000ULL, 1000000000000ULL,
		10000000000000ULL, 100000000000000ULL,
		1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL, 1000000000000000000ULL,
		10000000000000000000ULL,
	};
	const char *d2 = fmt_digits2;
	/* floor(log10(2^bits)) by 1233 / 4096; v | 1: "0" has one digit */
	unsigned int t = (unsigned int)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;
	size_t n = t + 1 - ((v | 1) < p10[t]), i = n;

	while (v >= 100) {
		unsigned int r = (unsigned int)(v % 100);

		v /= 100;
		i -= 2;
		memcpy(out + i, d2 + 2 * r, 2);
	}
	if (v >= 10)
		memcpy(out + i - 2, d2 + 2 * v, 2);
	else
		out[i - 1] = (char)('0' + v);
	return n;
}

#endif /* EDGEAID_FMT_H */
