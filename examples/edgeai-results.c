// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * edgeai-results - read a result ring that edgeaid produces
 * ("sink = ring:NAME"), using nothing but libedgeai: attach as the
 * consumer, wait in poll(), read each result in place, release.
 *
 *	edgeai-results [OPTIONS] RING
 *
 * Prints one line per result (or nothing with -q) and, with --summary, a
 * JSON summary at the end: results, results lost before the ring (gaps in
 * its sequence), inputs seen twice or skipped per sensor, model versions,
 * end-to-end latency from the input's timestamp, and - with --threshold -
 * how well y[0] > THRESHOLD finds the inputs the producer flagged as
 * anomalies (EDGEAI_RESULT_F_ANOMALY).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <edgeai/edgeai.h>
#include <edgeai/result.h>

#define MAX_SENSORS	64
#define MAX_VERSIONS	16
#define MAX_LAT		(1u << 21)

struct sensor {
	uint32_t id;
	uint64_t results, next_seq, dups, gaps;
};

struct summary {
	uint64_t results, lost, next_ring_seq, invalid;
	struct sensor sensors[MAX_SENSORS];
	unsigned int n_sensors;
	uint64_t other_sensors;
	char versions[MAX_VERSIONS][EDGEAI_RESULT_VERSION_LEN];
	uint32_t gens[MAX_VERSIONS];
	uint64_t version_results[MAX_VERSIONS];
	unsigned int n_versions;
	uint64_t tp, fp, fn, tn;
	uint64_t *lat;
	uint32_t n_lat;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: edgeai-results [OPTIONS] RING\n"
		"\n"
		"Read the result ring RING that edgeaid fills (sink = ring:RING) and\n"
		"print each result: its input's sensor and sequence number, the model\n"
		"version, the output row and the end-to-end latency.\n"
		"\n"
		"Options:\n"
		"  -n, --count N         stop after N results\n"
		"  -t, --time SECONDS    stop after SECONDS (default: until the ring\n"
		"                        is destroyed, or SIGINT/SIGTERM)\n"
		"  -q, --quiet           do not print each result\n"
		"  -s, --summary         print a JSON summary at the end\n"
		"      --threshold T     summary: score y[0] > T against the inputs'\n"
		"                        anomaly flags (precision, recall)\n"
		"  -d, --device PATH     edgeai device (default: $EDGEAI_DEV or %s)\n"
		"  -h, --help            print this help\n"
		"\n"
		"Exit status: 0, 1 on an error (no such ring: 1), 2 on a usage error.\n",
		EDGEAI_DEV_PATH);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct sensor *sensor_of(struct summary *s, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < s->n_sensors; i++)
		if (s->sensors[i].id == id)
			return &s->sensors[i];
	if (s->n_sensors == MAX_SENSORS)
		return NULL;
	s->sensors[s->n_sensors].id = id;
	return &s->sensors[s->n_sensors++];
}

static void count_version(struct summary *s, const struct edgeai_result *r)
{
	unsigned int i;

	for (i = 0; i < s->n_versions; i++)
		if (s->gens[i] == r->model_gen &&
		    !strncmp(s->versions[i], r->model_version,
			     EDGEAI_RESULT_VERSION_LEN))
			break;
	if (i == s->n_versions) {
		if (i == MAX_VERSIONS)
			return;
		memcpy(s->versions[i], r->model_version, EDGEAI_RESULT_VERSION_LEN);
		s->versions[i][EDGEAI_RESULT_VERSION_LEN - 1] = '\0';
		s->gens[i] = r->model_gen;
		s->n_versions++;
	}
	s->version_results[i]++;
}

static void account(struct summary *s, const struct edgeai_slot_hdr *h,
		    const struct edgeai_result *r, double threshold,
		    int scored)
{
	struct sensor *se = sensor_of(s, r->sensor_id);
	int flagged, anomaly;

	s->results++;
	if (s->results > 1 && h->seq > s->next_ring_seq)
		s->lost += h->seq - s->next_ring_seq;
	s->next_ring_seq = h->seq + 1;
	if (!se) {
		s->other_sensors++;
	} else {
		if (se->results && r->seq < se->next_seq)
			se->dups++;
		else if (se->results && r->seq > se->next_seq)
			se->gaps += r->seq - se->next_seq;
		if (!se->results || r->seq >= se->next_seq)
			se->next_seq = r->seq + 1;
		se->results++;
	}
	count_version(s, r);
	if (scored && r->count) {
		flagged = edgeai_result_y(r)[0] > threshold;
		anomaly = !!(r->flags & EDGEAI_RESULT_F_ANOMALY);
		s->tp += flagged && anomaly;
		s->fp += flagged && !anomaly;
		s->fn += !flagged && anomaly;
		s->tn += !flagged && !anomaly;
	}
	if (s->lat && s->n_lat < MAX_LAT && r->ts_ns && r->done_ns >= r->ts_ns)
		s->lat[s->n_lat++] = r->done_ns - r->ts_ns;
}

static void print_result(const struct edgeai_slot_hdr *h,
			 const struct edgeai_result *r)
{
	uint32_t i;

	printf("ring_seq=%llu sensor=%u seq=%llu model=%.*s gen=%u anomaly=%d e2e_us=%.1f y=[",
	       (unsigned long long)h->seq, r->sensor_id,
	       (unsigned long long)r->seq, EDGEAI_RESULT_VERSION_LEN,
	       r->model_version, r->model_gen,
	       !!(r->flags & EDGEAI_RESULT_F_ANOMALY),
	       r->ts_ns && r->done_ns >= r->ts_ns ?
	       (double)(r->done_ns - r->ts_ns) / 1e3 : 0.0);
	for (i = 0; i < r->count; i++)
		printf("%s%.6g", i ? "," : "", (double)edgeai_result_y(r)[i]);
	printf("]\n");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(const struct summary *s, double q)
{
	uint32_t i;

	if (!s->n_lat)
		return 0;
	i = (uint32_t)(q * (double)(s->n_lat - 1) + 0.5);
	return s->lat[i];
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

static void print_summary(struct summary *s, const char *ring,
			  double threshold, int scored)
{
	uint64_t dups = 0, gaps = 0;
	unsigned int i;

	qsort(s->lat, s->n_lat, sizeof(*s->lat), cmp_u64);
	for (i = 0; i < s->n_sensors; i++) {
		dups += s->sensors[i].dups;
		gaps += s->sensors[i].gaps;
	}
	printf("{\"ring\":\"%s\",\"results\":%llu,\"lost\":%llu,\"invalid\":%llu,"
	       "\"duplicate_inputs\":%llu,\"input_gaps\":%llu,\"sensors\":{",
	       ring, (unsigned long long)s->results,
	       (unsigned long long)s->lost, (unsigned long long)s->invalid,
	       (unsigned long long)dups, (unsigned long long)gaps);
	for (i = 0; i < s->n_sensors; i++)
		printf("%s\"%u\":%llu", i ? "," : "", s->sensors[i].id,
		       (unsigned long long)s->sensors[i].results);
	printf("},\"models\":[");
	for (i = 0; i < s->n_versions; i++)
		printf("%s{\"version\":\"%s\",\"gen\":%u,\"results\":%llu}",
		       i ? "," : "", s->versions[i], s->gens[i],
		       (unsigned long long)s->version_results[i]);
	printf("],\"e2e_latency_ns\":{\"p50\":%llu,\"p99\":%llu,\"p999\":%llu,"
	       "\"max\":%llu,\"count\":%u}",
	       (unsigned long long)pct(s, 0.5), (unsigned long long)pct(s, 0.99),
	       (unsigned long long)pct(s, 0.999),
	       (unsigned long long)(s->n_lat ? s->lat[s->n_lat - 1] : 0),
	       s->n_lat);
	if (scored)
		printf(",\"anomaly\":{\"threshold\":%g,\"tp\":%llu,\"fp\":%llu,"
		       "\"fn\":%llu,\"tn\":%llu,\"precision\":%.4f,\"recall\":%.4f}",
		       threshold, (unsigned long long)s->tp,
		       (unsigned long long)s->fp, (unsigned long long)s->fn,
		       (unsigned long long)s->tn, ratio(s->tp, s->tp + s->fp),
		       ratio(s->tp, s->tp + s->fn));
	printf("}\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "time", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "summary", no_argument, NULL, 's' },
		{ "threshold", required_argument, NULL, 'T' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct edgeai_ring_opts ro = { .sz = sizeof(ro), .watermark = 1 };
	struct summary *s = calloc(1, sizeof(*s));
	unsigned long long count = 0;
	double seconds = 0, threshold = 0;
	int c, quiet = 0, summary = 0, scored = 0, ret;
	struct edgeai_ring *ring;
	uint64_t deadline = 0, pos;
	uint32_t n, i;
	char *end;

	if (!s)
		return 1;
	while ((c = getopt_long(argc, argv, "n:t:qsd:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			count = strtoull(optarg, &end, 10);
			if (*end || !count) {
				fprintf(stderr, "edgeai-results: --count %s: not a positive number\n", optarg);
				return 2;
			}
			break;
		case 't':
			seconds = strtod(optarg, &end);
			if (*end || seconds <= 0) {
				fprintf(stderr, "edgeai-results: --time %s: not a positive number\n", optarg);
				return 2;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case 's':
			summary = 1;
			break;
		case 'T':
			threshold = strtod(optarg, &end);
			if (*end) {
				fprintf(stderr, "edgeai-results: --threshold %s: not a number\n", optarg);
				return 2;
			}
			scored = 1;
			break;
		case 'd':
			ro.dev_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (summary)
		s->lat = malloc(MAX_LAT * sizeof(*s->lat));
	ret = edgeai_ring_open(argv[optind], &ro, &ring);
	if (ret) {
		fprintf(stderr, "edgeai-results: ring %s: %s\n", argv[optind],
			strerror(-ret));
		return 1;
	}
	if (seconds > 0)
		deadline = mono_ns() + (uint64_t)(seconds * 1e9);
	while (!stop && (!count || s->results < count) &&
	       (!deadline || mono_ns() < deadline)) {
		n = edgeai_ring_peek(ring, 256, &pos);
		if (!n) {
			if (edgeai_ring_dead(ring))
				break;
			ret = edgeai_ring_wait(ring, 100);
			if (ret < 0 && ret != -ETIMEDOUT && ret != -EINTR) {
				fprintf(stderr, "edgeai-results: wait: %s\n",
					strerror(-ret));
				break;
			}
			continue;
		}
		if (count && n > count - s->results)
			n = (uint32_t)(count - s->results);
		for (i = 0; i < n; i++) {
			const struct edgeai_slot_hdr *h = edgeai_ring_slot(ring, pos + i);
			const struct edgeai_result *r = edgeai_slot_payload(h);

			if (!edgeai_result_valid(r, h->len)) {
				s->invalid++;
				continue;
			}
			account(s, h, r, threshold, scored);
			if (!quiet)
				print_result(h, r);
		}
		edgeai_ring_release(ring, n);
		if (!quiet)
			fflush(stdout);
	}
	if (summary)
		print_summary(s, argv[optind], threshold, scored);
	edgeai_ring_close(ring);
	free(s->lat);
	free(s);
	return 0;
}
