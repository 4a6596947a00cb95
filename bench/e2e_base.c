// SPDX-License-Identifier: GPL-2.0
/*
 * e2e_base - the C baseline of the end-to-end benchmark: what a careful
 * user writes instead of edgeaid for "sensor datagrams in, model results
 * out": epoll + recvfrom(), the wire checks and allow-list of
 * bench/user_filter.h (the rules of the XDP filter, applied in userspace),
 * the pipeline's scale stage, the model as plain scalar C loops with the
 * weights read from the same model file (safetensors + graph,
 * docs/model-format.md, parsed with json-c), and one send() of the same
 * JSON result edgeaid writes to a Unix datagram socket.
 *
 *   e2e_base ADDR PORT SINK_PATH MODEL ELEMS MUL FIRST_SENSOR N_SENSORS
 *
 * Sensors FIRST_SENSOR .. FIRST_SENSOR + N_SENSORS - 1 are allow-listed.
 * Runs until SIGTERM; then prints its counters as JSON on stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "user_filter.h"

#define MAX_OPS		16
#define MAX_DIM		1024

enum { OP_SCALE, OP_STANDARDIZE, OP_DENSE, OP_ACT };
enum { ACT_ID, ACT_RELU, ACT_SIGMOID, ACT_TANH, ACT_SOFTMAX };

struct op {
	int kind, act;
	unsigned int in, out;
	const float *a, *b;	/* scale: mul, add; standardize: mean, std;
				 * dense: weight [out][in], bias (or NULL) */
};

static struct op ops[MAX_OPS];
static unsigned int n_ops, in_dim, out_dim;
static unsigned char *file;
static size_t data_off, file_len;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "e2e_base: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

/* The float32 tensor @name of the header, copied out, and its length. */
static const float *tensor(struct json_object *hdr, const char *name,
			   size_t *count)
{
	struct json_object *t, *shape, *offs;
	size_t n = 1, i, begin, end;
	float *v;

	if (!json_object_object_get_ex(hdr, name, &t) ||
	    !json_object_object_get_ex(t, "shape", &shape) ||
	    !json_object_object_get_ex(t, "data_offsets", &offs))
		die("model: no tensor %s", name);
	for (i = 0; i < json_object_array_length(shape); i++)
		n *= (size_t)json_object_get_int64(json_object_array_get_idx(shape, i));
	begin = (size_t)json_object_get_int64(json_object_array_get_idx(offs, 0));
	end = (size_t)json_object_get_int64(json_object_array_get_idx(offs, 1));
	if (end - begin != n * 4 || data_off + end > file_len || begin % 4)
		die("model: bad tensor %s", name);
	v = malloc(n * sizeof(*v) + 1);
	if (!v)
		die("model: no memory for %s", name);
	memcpy(v, file + data_off + begin, n * sizeof(*v));	/* little-endian host */
	*count = n;
	return v;
}

static int act_of(const char *s)
{
	if (!s || !strcmp(s, "identity"))
		return ACT_ID;
	if (!strcmp(s, "relu"))
		return ACT_RELU;
	if (!strcmp(s, "sigmoid"))
		return ACT_SIGMOID;
	if (!strcmp(s, "tanh"))
		return ACT_TANH;
	if (!strcmp(s, "softmax"))
		return ACT_SOFTMAX;
	die("model: unknown activation %s", s);
	return -1;
}

static void load_model(const char *path)
{
	struct json_object *hdr, *meta, *g, *graph;
	uint64_t n;
	FILE *f = fopen(path, "rb");
	unsigned int dim = 0;
	size_t i, cnt;
	char *js;

	if (!f)
		die("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	file_len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	file = malloc(file_len + 1);
	if (!file || fread(file, 1, file_len, f) != file_len)
		die("cannot read %s", path);
	fclose(f);
	memcpy(&n, file, 8);
	if (n + 8 > file_len)
		die("model %s: bad header length", path);
	data_off = 8 + n;
	js = strndup((char *)file + 8, n);
	hdr = json_tokener_parse(js);
	free(js);
	if (!hdr || !json_object_object_get_ex(hdr, "__metadata__", &meta) ||
	    !json_object_object_get_ex(meta, "edgeai.graph", &g))
		die("model %s: no graph", path);
	graph = json_tokener_parse(json_object_get_string(g));
	if (!graph)
		die("model %s: bad graph", path);
	for (i = 0; i < json_object_array_length(graph); i++) {
		struct json_object *o = json_object_array_get_idx(graph, i), *v;
		struct op *op = &ops[n_ops++];
		const char *kind;

		if (n_ops > MAX_OPS)
			die("model %s: too many ops", path);
		json_object_object_get_ex(o, "op", &v);
		kind = json_object_get_string(v);
		op->in = op->out = dim;
		if (!strcmp(kind, "scale") || !strcmp(kind, "standardize")) {
			int sc = !strcmp(kind, "scale");

			op->kind = sc ? OP_SCALE : OP_STANDARDIZE;
			json_object_object_get_ex(o, sc ? "mul" : "mean", &v);
			op->a = tensor(hdr, json_object_get_string(v), &cnt);
			json_object_object_get_ex(o, sc ? "add" : "std", &v);
			op->b = tensor(hdr, json_object_get_string(v), &cnt);
			op->in = op->out = (unsigned int)cnt;
		} else if (!strcmp(kind, "dense")) {
			size_t nb;

			op->kind = OP_DENSE;
			json_object_object_get_ex(o, "weight", &v);
			op->a = tensor(hdr, json_object_get_string(v), &cnt);
			op->b = NULL;
			if (json_object_object_get_ex(o, "bias", &v))
				op->b = tensor(hdr, json_object_get_string(v), &nb);
			json_object_object_get_ex(hdr, json_object_get_string(
				json_object_object_get(o, "weight")), &v);
			v = json_object_object_get(v, "shape");
			op->out = (unsigned int)json_object_get_int(json_object_array_get_idx(v, 0));
			op->in = (unsigned int)json_object_get_int(json_object_array_get_idx(v, 1));
			op->act = act_of(json_object_object_get_ex(o, "activation", &v) ?
					 json_object_get_string(v) : NULL);
		} else {
			op->kind = OP_ACT;
			op->act = act_of(kind);
		}
		if (!i)
			in_dim = op->in;
		else if (op->kind != OP_ACT && op->in != dim)
			die("model %s: dimensions do not chain", path);
		dim = op->out;
		if (op->kind == OP_ACT)
			op->in = op->out = dim;
		if (dim > MAX_DIM)
			die("model %s: too wide", path);
	}
	out_dim = dim;
}

static void activate(int act, float *x, unsigned int n)
{
	unsigned int i;
	float m, s;

	switch (act) {
	case ACT_RELU:
		for (i = 0; i < n; i++)
			x[i] = x[i] < 0 ? 0 : x[i];
		break;
	case ACT_SIGMOID:
		for (i = 0; i < n; i++) {
			if (x[i] >= 0) {
				x[i] = 1.0f / (1.0f + expf(-x[i]));
			} else {
				float e = expf(x[i]);

				x[i] = e / (1.0f + e);
			}
		}
		break;
	case ACT_TANH:
		for (i = 0; i < n; i++)
			x[i] = tanhf(x[i]);
		break;
	case ACT_SOFTMAX:
		m = x[0];
		for (i = 1; i < n; i++)
			m = x[i] > m ? x[i] : m;
		s = 0;
		for (i = 0; i < n; i++) {
			x[i] = expf(x[i] - m);
			s += x[i];
		}
		for (i = 0; i < n; i++)
			x[i] /= s;
		break;
	default:
		break;
	}
}

/* The graph on one row, in place in @x (room for MAX_DIM). */
static void run_model(float *x)
{
	float y[MAX_DIM];
	unsigned int k, i, o;

	for (k = 0; k < n_ops; k++) {
		const struct op *op = &ops[k];

		switch (op->kind) {
		case OP_SCALE:
			for (i = 0; i < op->in; i++)
				x[i] = x[i] * op->a[i] + op->b[i];
			break;
		case OP_STANDARDIZE:
			for (i = 0; i < op->in; i++)
				x[i] = (x[i] - op->a[i]) / op->b[i];
			break;
		case OP_DENSE:
			for (o = 0; o < op->out; o++) {
				const float *w = op->a + (size_t)o * op->in;
				float s = op->b ? op->b[o] : 0.0f;

				for (i = 0; i < op->in; i++)
					s += w[i] * x[i];
				y[o] = s;
			}
			memcpy(x, y, op->out * sizeof(float));
			activate(op->act, x, op->out);
			break;
		default:
			activate(op->act, x, op->out);
			break;
		}
	}
}

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static struct user_filter uf;
	static unsigned char pkt[2048];
	static char out[4096];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uint64_t received = 0, passed = 0, results = 0, send_fail = 0, dim = 0;
	uint64_t epolls = 0, recvs = 0;
	struct epoll_event ev = { .events = EPOLLIN };
	unsigned int elems, first, count, i;
	struct sigaction sa;
	float mul, x[MAX_DIM];
	int fd, sink, ep;

	if (argc < 9) {
		fprintf(stderr, "usage: %s ADDR PORT SINK_PATH MODEL ELEMS MUL FIRST_SENSOR N_SENSORS\n",
			argv[0]);
		return 2;
	}
	load_model(argv[4]);
	elems = (unsigned int)strtoul(argv[5], NULL, 0);
	mul = strtof(argv[6], NULL);
	first = (unsigned int)strtoul(argv[7], NULL, 0);
	count = (unsigned int)strtoul(argv[8], NULL, 0);
	if (elems != in_dim)
		die("ELEMS differs from the model's input dimension%s", "");
	for (i = 0; i < count; i++)
		uf_add(&uf, first + i, 0, 0, EDGEAI_TAG_MAKE(0, 0, 0));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sin.sin_port = htons((uint16_t)atoi(argv[2]));
	if (fd < 0 || inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("cannot bind %s", argv[1]);
	/* the receive buffer every runtime of bench/e2e.py gets (edgeaid:
	 * its rcvbuf key), so that all queue the same backlog */
	if (getenv("E2E_RCVBUF")) {
		int rb = atoi(getenv("E2E_RCVBUF"));

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rb, sizeof(rb)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb));
	}
	sink = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[3]);
	if (sink < 0 || connect(sink, (struct sockaddr *)&sun, sizeof(sun)))
		die("cannot connect to %s", argv[3]);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll: %s", strerror(errno));
	printf("{\"ready\":true}\n");
	fflush(stdout);

	while (!stop) {
		struct epoll_event got;

		epolls++;
		if (epoll_wait(ep, &got, 1, -1) < 0)
			continue;	/* EINTR: stop is checked */
		for (;;) {
			struct edgeai_wire_hdr h;
			ssize_t len = recvfrom(fd, pkt, sizeof(pkt), MSG_DONTWAIT,
					       NULL, NULL);
			uint64_t rx, done, ts;
			int n;

			recvs++;
			if (len < 0)
				break;
			rx = clock_ns(CLOCK_MONOTONIC);
			received++;
			if (uf_check(&uf, pkt, (size_t)len) != EDGEAI_V_PASS)
				continue;
			passed++;
			memcpy(&h, pkt, sizeof(h));
			if (h.dtype != EDGEAI_DTYPE_F32 || h.count != elems) {
				dim++;
				continue;
			}
			memcpy(x, pkt + sizeof(h), elems * sizeof(float));
			for (i = 0; i < elems; i++)
				x[i] *= mul;	/* the pipeline's scale stage */
			run_model(x);
			done = clock_ns(CLOCK_MONOTONIC);
			ts = h.timestamp_ns;
			n = snprintf(out, sizeof(out),
				     "{\"pipeline\":\"c\",\"model\":\"testnet\",\"model_version\":\"1.0\","
				     "\"model_gen\":1,\"sensor\":%u,\"seq\":%u,\"tag\":{\"raw\":%u,"
				     "\"filtered\":%s,\"class\":%u,\"priority\":%u,\"pipeline\":%u},"
				     "\"flags\":0,\"ts_ns\":%llu,\"rx_ns\":%llu,\"done_ns\":%llu,\"y\":[",
				     h.sensor_id, h.seq, h.tag,
				     (h.tag & EDGEAI_TAG_FILTERED) ? "true" : "false",
				     EDGEAI_TAG_CLASS(h.tag), EDGEAI_TAG_PRIORITY(h.tag),
				     EDGEAI_TAG_PIPELINE(h.tag), (unsigned long long)ts,
				     (unsigned long long)rx, (unsigned long long)done);
			for (i = 0; i < out_dim; i++)
				n += isfinite(x[i]) ?
					snprintf(out + n, sizeof(out) - (size_t)n, "%s%.9g",
						 i ? "," : "", (double)x[i]) :
					snprintf(out + n, sizeof(out) - (size_t)n, "%snull",
						 i ? "," : "");
			n += snprintf(out + n, sizeof(out) - (size_t)n, "]}");
			if (send(sink, out, (size_t)n, 0) < 0)
				send_fail++;
			else
				results++;
		}
	}
	printf("{\"received\":%llu,\"passed\":%llu,\"results\":%llu,\"send_fail\":%llu,"
	       "\"dim\":%llu,\"epoll_waits\":%llu,\"recvfroms\":%llu}\n",
	       (unsigned long long)received, (unsigned long long)passed,
	       (unsigned long long)results, (unsigned long long)send_fail,
	       (unsigned long long)dim, (unsigned long long)epolls,
	       (unsigned long long)recvs);
	return 0;
}
