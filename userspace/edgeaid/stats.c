// SPDX-License-Identifier: GPL-2.0
/*
 * Pipeline statistics: drop reasons, log2 histograms (latency, batch
 * sizes) and their quantiles, and the stats file (docs/edgeaid.md, "Stats file"), written
 * to PATH.tmp and renamed over PATH so that readers never see half of it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edgeaid.h"

static const char *const drop_names[EAD_DROP_COUNT] = {
	[EAD_DROP_SHORT_HDR] = "short_hdr",
	[EAD_DROP_BAD_MAGIC] = "bad_magic",
	[EAD_DROP_BAD_FIELD] = "bad_field",
	[EAD_DROP_BAD_LENGTH] = "bad_length",
	[EAD_DROP_TRUNCATED] = "truncated",
	[EAD_DROP_UNTAGGED] = "untagged",
	[EAD_DROP_SOCKET] = "socket",
	[EAD_DROP_DTYPE] = "dtype",
	[EAD_DROP_DIM] = "dim",
	[EAD_DROP_STAGE_MISSING] = "stage_missing",
	[EAD_DROP_STAGE_KEYS] = "stage_keys",
	[EAD_DROP_STAGE_WARMUP] = "stage_warmup",
	[EAD_DROP_SINK] = "sink",
	[EAD_DROP_RING_FULL] = "ring_full",
	[EAD_DROP_RING_OVERWRITTEN] = "ring_overwritten",
	[EAD_DROP_RING_BUSY] = "ring_busy",
	[EAD_DROP_RING_TOO_BIG] = "ring_too_big",
	[EAD_DROP_RING_PRODUCER] = "ring_producer",
};

const char *ead_drop_name(enum ead_drop d)
{
	return d < EAD_DROP_COUNT ? drop_names[d] : "?";
}

static unsigned int bucket_of(uint64_t ns)
{
	unsigned int b = ns ? 64 - (unsigned int)__builtin_clzll(ns) : 0;

	return b < EAD_HIST_BUCKETS ? b : EAD_HIST_BUCKETS - 1;
}

void ead_hist_add(struct ead_hist *h, uint64_t v, uint64_t n)
{
	if (!n)
		return;
	h->b[bucket_of(v)] += n;
	h->count += n;
	h->sum += v * n;
	if (v > h->max)
		h->max = v;
}

uint64_t ead_hist_quantile(const struct ead_hist *h, double q)
{
	uint64_t want, seen = 0, upper;
	unsigned int i;

	if (!h->count)
		return 0;
	want = (uint64_t)(q * (double)h->count);
	if (want < 1)
		want = 1;
	for (i = 0; i < EAD_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want)
			break;
	}
	if (i >= EAD_HIST_BUCKETS)
		return h->max;
	/* bucket i holds [2^(i-1), 2^i): report its upper bound 2^i - 1 */
	upper = i ? (1ULL << i) - 1 : 0;
	return upper < h->max ? upper : h->max;
}

void ead_hist_json(FILE *f, const struct ead_hist *h)
{
	fprintf(f, "{\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,\"p999\":%llu,"
		"\"max\":%llu,\"mean\":%llu,\"count\":%llu}",
		(unsigned long long)ead_hist_quantile(h, 0.50),
		(unsigned long long)ead_hist_quantile(h, 0.90),
		(unsigned long long)ead_hist_quantile(h, 0.99),
		(unsigned long long)ead_hist_quantile(h, 0.999),
		(unsigned long long)h->max,
		(unsigned long long)(h->count ? h->sum / h->count : 0),
		(unsigned long long)h->count);
}

void ead_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static int mkdir_parent(const char *path)
{
	char dir[EAD_PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int ead_stats_write(const char *path, long long started,
		    unsigned int workers, struct ead_pipeline *const *pipes,
		    unsigned int n)
{
	char tmp[EAD_PATH_MAX + 8];
	unsigned int i;
	FILE *f;
	int ret;

	ret = mkdir_parent(path);
	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "{\"pid\":%d,\"started\":%lld,\"workers\":%u,\"pipelines\":[",
		(int)getpid(), started, workers);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		ead_pipeline_stats_json(pipes[i], f);
	}
	fputs("]}\n", f);
	if (ferror(f) | fclose(f)) {
		ret = -EIO;
		goto err;
	}
	if (rename(tmp, path) < 0) {
		ret = -errno;
		goto err;
	}
	return 0;
err:
	unlink(tmp);
	return ret;
}
