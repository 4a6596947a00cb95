// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * edgeai-demo-gen - training data for the demo's models, generated, never
 * downloaded (`make demo` runs it at build time, then `edgeaictl model
 * train`).
 *
 *	edgeai-demo-gen imu --config FILE [--pipeline NAME] [OPTIONS] >imu.csv
 *	edgeai-demo-gen net [--config FILE --pipeline NAME | --elems N] >net.csv
 *
 * imu: the waveform of edgeai_synth.ko (waveform=imu: a board tilting at
 * freq_mhz, 3 accelerometer + 3 gyroscope channels, uniform noise of
 * noise permille of the amplitude, and with probability anomaly_ppm per
 * sample a spike of 8 x amplitude, random sign, on every channel - the
 * driver's EDGEAI_SLOT_F_ANOMALY ground truth), computed in double and
 * stored as float like the driver's f32 samples. The rows then go through
 * the very stage chain edgeaid runs: the "stage =" lines of the pipeline's
 * section of the edgeaid configuration, built by libedgeai's
 * edgeai_stage_new() from the same specs, keyed by the same sensor id.
 * So the model is trained on exactly the features it will see. One CSV row
 * per stage output row: the features (named after the stages, e.g.
 * mean_ax, slope_gz) and "anomaly" (0/1) of the sample the row belongs to.
 *
 * net: rows of N readings (--elems, or the pipeline's elems key in the
 * configuration) as edgeai-sensorgen's f32 packets hold them
 * (integers in 0..2^24-1; here drawn independently and uniformly) and a
 * target "load_pct" = 100 * sum(w_i * x_i) / 2^24 + N(0, 0.5^2), with
 * weights w = 0.4, 0.3, 0.2, 0.1 (for N != 4: 2(N-i)/(N(N+1))): four
 * strain gauges of a load cell, in percent of full scale.
 *
 * Same arguments, same bytes (xoshiro256** seeded by splitmix64).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <edgeai/stage.h>

#define MAX_STAGES	16
#define MAX_CHANNELS	64
#define BATCH		256
#define FULL_SCALE	16777216.0	/* 2^24: sensorgen's f32 payload range */

/* ---- pseudo-random numbers: xoshiro256**, seeded with splitmix64 ------ */

static uint64_t rng[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rng_seed(uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rng[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(void)
{
	uint64_t r = rotl(rng[1] * 5, 7) * 9, t = rng[1] << 17;

	rng[2] ^= rng[0];
	rng[3] ^= rng[1];
	rng[1] ^= rng[2];
	rng[0] ^= rng[3];
	rng[2] ^= t;
	rng[3] = rotl(rng[3], 45);
	return r;
}

/* Uniform in [0, 1). */
static double rng_unit(void)
{
	return (double)(rng_next() >> 11) * 0x1.0p-53;
}

/* Standard normal (Box-Muller). */
static double rng_normal(void)
{
	double u = 1.0 - rng_unit(), v = rng_unit();

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* ---- the edgeaid configuration: a pipeline's stage and elems keys ----- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* inih's rules: '#' or ';' starts a comment line; ';' after white space
 * starts an inline comment.
 */
static void strip_comment(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if (*p == ';' && p > s && (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
}

static int read_config(const char *path, const char *pipeline,
		       char **stages, int *nstages, unsigned int *elems)
{
	char line[512], want[128], *s, *eq;
	int in = 0, found = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "edgeai-demo-gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	snprintf(want, sizeof(want), "[pipeline %s]", pipeline);
	*nstages = 0;
	while (fgets(line, sizeof(line), f)) {
		s = trim(line);
		if (*s == '#' || *s == ';' || !*s)
			continue;
		if (*s == '[') {
			in = !strcmp(s, want);
			found |= in;
			continue;
		}
		if (!in)
			continue;
		strip_comment(s);
		eq = strchr(s, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (!strcmp(trim(s), "stage")) {
			if (*nstages == MAX_STAGES) {
				fprintf(stderr, "edgeai-demo-gen: more than %d stages\n",
					MAX_STAGES);
				fclose(f);
				return -1;
			}
			stages[(*nstages)++] = strdup(trim(eq + 1));
		} else if (!strcmp(trim(s), "elems")) {
			*elems = (unsigned int)strtoul(trim(eq + 1), NULL, 10);
		}
	}
	fclose(f);
	if (!found) {
		fprintf(stderr, "edgeai-demo-gen: %s has no section %s\n", path, want);
		return -1;
	}
	return 0;
}

/* ---- the IMU: edgeai_synth.ko's waveform=imu -------------------------- */

/* kmod/synth/synth.c's synth_imu_axes[]: permille gain and offset,
 * harmonic, phase in quarter turns.
 */
static const struct {
	const char *name;
	double gain, offset;
	unsigned int harmonic, quarter;
} imu_axes[6] = {
	{ "ax", 0.200, 0.0, 1, 0 },
	{ "ay", 0.200, 0.0, 1, 1 },
	{ "az", 0.050, 1.0, 7, 0 },
	{ "gx", 0.500, 0.0, 1, 1 },
	{ "gy", 0.500, 0.0, 1, 2 },
	{ "gz", 0.100, 0.0, 3, 0 },
};

struct imu_opts {
	unsigned long samples;
	unsigned int rate_hz, channels, amplitude, freq_mhz, noise, anomaly_ppm;
	uint32_t sensor_id;
};

/* One sample of every channel; returns 1 if an anomaly was injected. */
static int imu_sample(const struct imu_opts *o, unsigned long n, float *x)
{
	double amp = o->amplitude, phase, spike = 0, v;
	int anomaly = 0;
	unsigned int c;

	if (rng_unit() * 1e6 < o->anomaly_ppm) {
		anomaly = 1;
		spike = (rng_next() & 1 ? 8.0 : -8.0) * amp;
	}
	/* turns since sample 0: n * f / rate */
	phase = fmod((double)n * o->freq_mhz / 1000.0 / o->rate_hz, 1.0);
	for (c = 0; c < o->channels; c++) {
		unsigned int a = c % 6, group = c / 6;

		v = imu_axes[a].offset * amp + imu_axes[a].gain * amp *
		    sin(2 * M_PI * (phase * imu_axes[a].harmonic +
				    imu_axes[a].quarter / 4.0 + group / 8.0));
		v += spike + (2.0 * rng_unit() - 1.0) * amp * o->noise / 1000.0;
		x[c] = (float)v;
	}
	return anomaly;
}

/* Column names through the chain: window features are feature-major. */
static char **chain_names(struct edgeai_stage **st, int nst,
			  unsigned int channels)
{
	static const char *const all[] = { "mean", "var", "min", "max", "rms", "slope" };
	char **names = calloc(channels, sizeof(*names)), **next;
	unsigned int dim = channels, out, f, c;
	char spec[1024], *p, *fl;
	int i;

	for (c = 0; c < channels; c++) {
		names[c] = malloc(16);
		if (c < 6)
			snprintf(names[c], 16, "%s", imu_axes[c].name);
		else
			snprintf(names[c], 16, "%s%u", imu_axes[c % 6].name, c / 6);
	}
	for (i = 0; i < nst; i++) {
		out = edgeai_stage_out_dim(st[i]);
		if (!strcmp(edgeai_stage_name(st[i]), "window")) {
			edgeai_stage_spec(st[i], spec, sizeof(spec));
			fl = strstr(spec, "features=");
			next = calloc(out, sizeof(*next));
			for (f = 0, p = fl ? fl + 9 : NULL; f < out / dim; f++) {
				size_t len = p ? strcspn(p, "|,") : 0;

				for (c = 0; c < dim; c++) {
					next[f * dim + c] = malloc(strlen(names[c]) + 16);
					sprintf(next[f * dim + c], "%.*s_%s", (int)len,
						p ? p : all[f], names[c]);
				}
				if (p)
					p += len + (p[len] == '|');
			}
		} else if (out != dim ||
			   !strcmp(edgeai_stage_name(st[i]), "pca")) {
			next = calloc(out, sizeof(*next));
			for (c = 0; c < out; c++) {
				next[c] = malloc(16);
				snprintf(next[c], 16, "%s%u", edgeai_stage_name(st[i]), c);
			}
		} else {
			continue;
		}
		for (c = 0; c < dim; c++)
			free(names[c]);
		free(names);
		names = next;
		dim = out;
	}
	return names;
}

static int gen_imu(const struct imu_opts *o, const char *config,
		   const char *pipeline)
{
	struct edgeai_stage *st[MAX_STAGES];
	char *specs[MAX_STAGES], err[256];
	struct edgeai_stage_opts so = { .sz = sizeof(so), .errbuf = err,
					.errbuf_len = sizeof(err) };
	unsigned int elems = 0, dim, i;
	uint32_t out_dim, max_dim, keys[BATCH], ids[BATCH];
	uint8_t label[BATCH];
	float *x, *a, *b, *y;
	unsigned long n = 0, rows = 0, positives = 0;
	char **names;
	int nst, j, k, ret;

	if (read_config(config, pipeline, specs, &nst, &elems))
		return 1;
	if (elems && elems != o->channels) {
		fprintf(stderr, "edgeai-demo-gen: [pipeline %s] elems = %u, but --channels %u\n",
			pipeline, elems, o->channels);
		return 1;
	}
	dim = o->channels;
	for (j = 0; j < nst; j++) {
		err[0] = '\0';
		ret = edgeai_stage_new(specs[j], j ? edgeai_stage_out_dim(st[j - 1]) : dim,
				       &so, &st[j]);
		if (ret) {
			fprintf(stderr, "edgeai-demo-gen: stage = %s: %s\n", specs[j],
				err[0] ? err : strerror(-ret));
			return 1;
		}
	}
	if (nst) {
		if (edgeai_stage_chain_dims(st, nst, &out_dim, &max_dim))
			return 1;
	} else {
		out_dim = max_dim = dim;
	}
	names = chain_names(st, nst, dim);
	x = calloc((size_t)BATCH * dim, sizeof(float));
	a = calloc((size_t)BATCH * max_dim, sizeof(float));
	b = calloc((size_t)BATCH * max_dim, sizeof(float));
	if (!x || !a || !b)
		return 1;
	for (i = 0; i < out_dim; i++)
		printf("%s,", names[i]);
	printf("anomaly\n");
	while (n < o->samples) {
		uint32_t cnt = o->samples - n < BATCH ? (uint32_t)(o->samples - n) : BATCH;

		for (i = 0; i < cnt; i++) {
			label[i] = (uint8_t)imu_sample(o, n + i, x + (size_t)i * dim);
			keys[i] = o->sensor_id;
			ids[i] = i;
		}
		if (nst) {
			ret = edgeai_stage_chain_run(st, nst, x, cnt, keys, ids, a, b, &y);
			if (ret < 0) {
				fprintf(stderr, "edgeai-demo-gen: stages: %s\n", strerror(-ret));
				return 1;
			}
		} else {
			ret = (int)cnt;
			y = x;
		}
		for (k = 0; k < ret; k++) {
			for (i = 0; i < out_dim; i++)
				printf("%.9g,", (double)y[(size_t)k * out_dim + i]);
			printf("%d\n", label[ids[k]]);
			positives += label[ids[k]];
			rows++;
		}
		n += cnt;
	}
	fprintf(stderr, "edgeai-demo-gen: imu: %lu samples through %d stage(s) -> %lu rows of %u features, %lu anomalies\n",
		n, nst, rows, out_dim, positives);
	return fflush(stdout) ? 1 : 0;
}

/* ---- the network sensors: a load cell of N strain gauges --------------- */

static int gen_net(unsigned long rows, unsigned int elems)
{
	unsigned long r;
	unsigned int i;
	double y;

	for (i = 0; i < elems; i++)
		printf("x%u,", i);
	printf("load_pct\n");
	for (r = 0; r < rows; r++) {
		y = 0;
		for (i = 0; i < elems; i++) {
			double w = elems == 4 ? (4 - i) / 10.0 :
				   2.0 * (elems - i) / (elems * (elems + 1.0));
			uint32_t v = (uint32_t)(rng_next() >> 40);	/* 0..2^24-1 */

			printf("%u,", v);
			y += w * v;
		}
		printf("%.6f\n", 100.0 * y / FULL_SCALE + 0.5 * rng_normal());
	}
	fprintf(stderr, "edgeai-demo-gen: net: %lu rows of %u readings\n", rows, elems);
	return fflush(stdout) ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: edgeai-demo-gen imu --config FILE [--pipeline NAME] [OPTIONS]\n"
		"       edgeai-demo-gen net [--config FILE --pipeline NAME | --elems N] [OPTIONS]\n"
		"\n"
		"Write a training CSV to standard output.\n"
		"\n"
		"  imu: edgeai_synth.ko's waveform=imu, run through the stages of the\n"
		"       edgeaid pipeline NAME (default imu) of FILE; columns: the\n"
		"       features, then anomaly (0/1).\n"
		"  net: N readings (--elems, default 4, or the elems of pipeline NAME\n"
		"       of FILE) as edgeai-sensorgen sends them and\n"
		"       load_pct = 100 * sum(w_i x_i) / 2^24 + N(0, 0.25).\n"
		"\n"
		"  --seed S            random seed (default 1)\n"
		"  --samples N         imu: samples to generate (default 100000)\n"
		"  --rows N            net: rows (default 5000)\n"
		"  --rate HZ           imu: sample rate (default 1000)\n"
		"  --channels N        imu: channels (default 6)\n"
		"  --amplitude A       imu: peak value (default 1000)\n"
		"  --freq-mhz F        imu: signal frequency in mHz (default 1000)\n"
		"  --noise PM          imu: noise, permille of amplitude (default 20)\n"
		"  --anomaly-ppm P     imu: anomalies per million samples (default 10000)\n"
		"  --sensor ID         imu: the sensor id, the stages' key (default 1)\n"
		"  --elems N           net: readings per row (default 4)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pipeline", required_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, 's' },
		{ "samples", required_argument, NULL, 'n' },
		{ "rows", required_argument, NULL, 'r' },
		{ "rate", required_argument, NULL, 'R' },
		{ "channels", required_argument, NULL, 'C' },
		{ "amplitude", required_argument, NULL, 'A' },
		{ "freq-mhz", required_argument, NULL, 'F' },
		{ "noise", required_argument, NULL, 'N' },
		{ "anomaly-ppm", required_argument, NULL, 'P' },
		{ "sensor", required_argument, NULL, 'I' },
		{ "elems", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct imu_opts o = {
		.samples = 100000, .rate_hz = 1000, .channels = 6,
		.amplitude = 1000, .freq_mhz = 1000, .noise = 20,
		.anomaly_ppm = 10000, .sensor_id = 1,
	};
	const char *config = NULL, *pipeline = "imu";
	unsigned long rows = 5000, seed = 1;
	unsigned int elems = 4;
	int c;

	if (argc < 2 || (strcmp(argv[1], "imu") && strcmp(argv[1], "net"))) {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			usage(stdout);
			return 0;
		}
		usage(stderr);
		return 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		unsigned long v = optarg ? strtoul(optarg, NULL, 0) : 0;

		switch (c) {
		case 'c': config = optarg; break;
		case 'p': pipeline = optarg; break;
		case 's': seed = v; break;
		case 'n': o.samples = v; break;
		case 'r': rows = v; break;
		case 'R': o.rate_hz = (unsigned int)v; break;
		case 'C': o.channels = (unsigned int)v; break;
		case 'A': o.amplitude = (unsigned int)v; break;
		case 'F': o.freq_mhz = (unsigned int)v; break;
		case 'N': o.noise = (unsigned int)v; break;
		case 'P': o.anomaly_ppm = (unsigned int)v; break;
		case 'I': o.sensor_id = (uint32_t)v; break;
		case 'e': elems = (unsigned int)v; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !o.rate_hz || !o.channels ||
	    o.channels > MAX_CHANNELS || !elems || elems > 355) {
		usage(stderr);
		return 2;
	}
	rng_seed(seed);
	if (!strcmp(argv[1], "net")) {
		char *specs[MAX_STAGES];
		int nst;

		if (config && read_config(config, pipeline, specs, &nst, &elems))
			return 1;
		if (!elems || elems > 355) {
			fprintf(stderr, "edgeai-demo-gen: net: elems %u is not 1..355\n", elems);
			return 2;
		}
		return gen_net(rows, elems);
	}
	if (!config) {
		fprintf(stderr, "edgeai-demo-gen: imu needs --config FILE\n");
		return 2;
	}
	return gen_imu(&o, config, pipeline);
}
