// SPDX-License-Identifier: GPL-2.0
/*
 * edgeaictl stats and top: one view of every part of edgeai.
 *
 *   edgeaictl [-j|-p] stats [--prometheus] [--runtime-stats PATH]
 *   edgeaictl [-j|-p] top [-n N] [-d SECONDS] [--runtime-stats PATH]
 *
 * Three parts, each read on its own; one that is absent is shown as such
 * and is never an error:
 *   kernel   edgeai.ko's rings: generic netlink family "edgeai",
 *            RING_GET dump and STATS_GET (linux/edgeai_netlink.h)
 *   filter   the sensor filter's pinned maps (filter_stats.h, bpf.c)
 *   runtime  edgeaid's stats file (EDGEAID_STATS, default
 *            /run/edgeaid/stats.json), valid while its pid is alive
 *
 * Fields go through cells: one call writes a table column in text and a
 * member under -j (cell width 0: JSON only; key NULL: text only).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <edgeai/edgeai.h>
#include <linux/edgeai_netlink.h>

#include "filter_stats.h"
#include "main.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define RUNTIME_STATS_DEFAULT "/run/edgeaid/stats.json"

#define NDROPS EDGEAI_A_DROPS_PRODUCER	/* netlink drop reasons 1..NDROPS */
static const char *const ring_drop_names[NDROPS] = {
	"full", "overwritten", "busy", "too_big", "dead", "producer",
};

/* The filter's global counters that are drops, and the sensor ones. */
static const char *const filter_drop_keys[] = {
	"bad_header", "length", "unknown_sensor", "rate_limited", "fragment",
};
static const char *const sensor_drop_keys[] = { "rate_limited", "invalid" };

/* ---- snapshots ---- */

struct ring_snap {
	uint32_t id, state, slots, slot_size, consumers, producers;
	uint64_t mem_bytes;
	char name[EDGEAI_NAME_LEN];
	uint64_t produced, consumed, bytes, in_ring, high_water, bad_index,
		 wakeups;
	uint64_t drops[NDROPS];
};

struct kernel_snap {
	bool loaded;
	char error[128];
	char version[32];
	uint32_t abi_version, nrings_kernel, max_rings;
	uint64_t mem_bytes, produced, consumed, bytes;
	uint64_t drops[NDROPS];
	struct ring_snap *rings;
	int nrings, cap;
};

#define MAX_REASONS 32
struct pipe_snap {
	char name[64], source[128], model[128], model_version[32], state[16];
	char error[256];
	uint64_t in, out, batches, model_gen;
	int ndrops;
	char drop_key[MAX_REASONS][32];
	uint64_t drop_val[MAX_REASONS];
	/* p50 p90 p99 p999 max count, ns: from the source, end to end */
	uint64_t lat[6];
	uint64_t e2e[6];
};

static const char *const lat_keys[6] = {
	"p50", "p90", "p99", "p999", "max", "count",
};

struct runtime_snap {
	bool running;
	char reason[160];
	const char *path;
	int64_t pid;
	char started[64];
	bool started_num;
	uint64_t started_u;
	struct pipe_snap *pipes;
	int npipes;
};

struct snap {
	struct timespec ts;
	struct kernel_snap k;
	struct filter_snap f;
	int f_err;
	struct runtime_snap r;
};

static const char *runtime_path;	/* --runtime-stats */

static void snap_free(struct snap *s)
{
	free(s->k.rings);
	free(s->f.sensors);
	free(s->r.pipes);
	memset(s, 0, sizeof(*s));
}

/* -- kernel, by netlink -- */

static uint64_t nla_u64_or0(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static uint32_t nla_u32_or0(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static void parse_drops(struct nlattr *nest, uint64_t *drops)
{
	struct nlattr *tb[EDGEAI_A_DROPS_MAX + 1];
	int i;

	if (!nest || nla_parse_nested(tb, EDGEAI_A_DROPS_MAX, nest, NULL) < 0)
		return;
	for (i = 0; i < NDROPS; i++)
		drops[i] = nla_u64_or0(tb[EDGEAI_A_DROPS_FULL + i]);
}

static int on_ring(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[EDGEAI_A_RING_MAX + 1];
	struct nlattr *st[EDGEAI_A_RING_STATS_MAX + 1];
	struct kernel_snap *k = arg;
	struct ring_snap *r, *nr;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, EDGEAI_A_RING_MAX, NULL) < 0 ||
	    !tb[EDGEAI_A_RING_ID])
		return NL_SKIP;
	if (k->nrings == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 16;
		nr = realloc(k->rings, k->cap * sizeof(*nr));
		if (!nr)
			return NL_STOP;
		k->rings = nr;
	}
	r = &k->rings[k->nrings++];
	memset(r, 0, sizeof(*r));
	r->id = nla_get_u32(tb[EDGEAI_A_RING_ID]);
	if (tb[EDGEAI_A_RING_NAME])
		snprintf(r->name, sizeof(r->name), "%s",
			 nla_get_string(tb[EDGEAI_A_RING_NAME]));
	r->state = nla_u32_or0(tb[EDGEAI_A_RING_STATE]);
	r->slots = nla_u32_or0(tb[EDGEAI_A_RING_SLOT_COUNT]);
	r->slot_size = nla_u32_or0(tb[EDGEAI_A_RING_SLOT_SIZE]);
	r->mem_bytes = nla_u64_or0(tb[EDGEAI_A_RING_MEM_BYTES]);
	r->consumers = nla_u32_or0(tb[EDGEAI_A_RING_CONSUMERS]);
	r->producers = nla_u32_or0(tb[EDGEAI_A_RING_PRODUCERS]);
	if (tb[EDGEAI_A_RING_STATS] &&
	    nla_parse_nested(st, EDGEAI_A_RING_STATS_MAX,
			     tb[EDGEAI_A_RING_STATS], NULL) >= 0) {
		r->produced = nla_u64_or0(st[EDGEAI_A_RING_STATS_PRODUCED]);
		r->consumed = nla_u64_or0(st[EDGEAI_A_RING_STATS_CONSUMED]);
		r->bytes = nla_u64_or0(st[EDGEAI_A_RING_STATS_BYTES]);
		r->in_ring = nla_u64_or0(st[EDGEAI_A_RING_STATS_IN_RING]);
		r->high_water = nla_u64_or0(st[EDGEAI_A_RING_STATS_HIGH_WATER]);
		r->bad_index = nla_u64_or0(st[EDGEAI_A_RING_STATS_BAD_INDEX]);
		r->wakeups = nla_u64_or0(st[EDGEAI_A_RING_STATS_WAKEUPS]);
		parse_drops(st[EDGEAI_A_RING_STATS_DROPS], r->drops);
	}
	return NL_OK;
}

static int on_stats(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[EDGEAI_A_STATS_MAX + 1];
	struct kernel_snap *k = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, EDGEAI_A_STATS_MAX, NULL) < 0)
		return NL_SKIP;
	if (tb[EDGEAI_A_STATS_VERSION])
		snprintf(k->version, sizeof(k->version), "%s",
			 nla_get_string(tb[EDGEAI_A_STATS_VERSION]));
	k->abi_version = nla_u32_or0(tb[EDGEAI_A_STATS_ABI_VERSION]);
	k->nrings_kernel = nla_u32_or0(tb[EDGEAI_A_STATS_RINGS]);
	k->max_rings = nla_u32_or0(tb[EDGEAI_A_STATS_MAX_RINGS]);
	k->mem_bytes = nla_u64_or0(tb[EDGEAI_A_STATS_MEM_BYTES]);
	k->produced = nla_u64_or0(tb[EDGEAI_A_STATS_PRODUCED]);
	k->consumed = nla_u64_or0(tb[EDGEAI_A_STATS_CONSUMED]);
	k->bytes = nla_u64_or0(tb[EDGEAI_A_STATS_BYTES]);
	parse_drops(tb[EDGEAI_A_STATS_DROPS], k->drops);
	return NL_OK;
}

/* Send @cmd (a dump if @dump) and run @cb on every reply. */
static int nl_request(struct nl_sock *sk, int family, uint8_t cmd, bool dump,
		      nl_recvmsg_msg_cb_t cb, void *arg)
{
	struct nl_msg *msg = nlmsg_alloc();
	int ret;

	if (!msg)
		return -NLE_NOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 dump ? NLM_F_DUMP : 0, cmd, EDGEAI_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, cb, arg);
	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		return ret;
	ret = nl_recvmsgs_default(sk);
	/* A do request is acked after its reply. */
	if (ret >= 0 && !dump)
		ret = nl_wait_for_ack(sk);
	return ret;
}

static void kernel_read(struct kernel_snap *k)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ret, family;

	if (!sk) {
		snprintf(k->error, sizeof(k->error), "out of memory");
		return;
	}
	ret = genl_connect(sk);
	if (ret < 0)
		goto err;
	family = genl_ctrl_resolve(sk, EDGEAI_FAMILY_NAME);
	if (family == -NLE_OBJ_NOTFOUND)
		goto out;	/* not loaded: not an error */
	ret = family;
	if (ret < 0)
		goto err;
	ret = nl_request(sk, family, EDGEAI_CMD_STATS_GET, false, on_stats, k);
	if (ret >= 0)
		ret = nl_request(sk, family, EDGEAI_CMD_RING_GET, true,
				 on_ring, k);
	if (ret < 0)
		goto err;
	k->loaded = true;
	goto out;
err:
	snprintf(k->error, sizeof(k->error), "%s", nl_geterror(ret));
out:
	nl_socket_free(sk);
}

/* -- runtime, from edgeaid's stats file -- */

static const char *runtime_stats_path(void)
{
	const char *env = getenv("EDGEAID_STATS");

	if (runtime_path)
		return runtime_path;
	return env && *env ? env : RUNTIME_STATS_DEFAULT;
}

static void jstr(struct json_object *o, const char *key, char *buf,
		 size_t sz)
{
	struct json_object *v;

	buf[0] = '\0';
	if (json_object_object_get_ex(o, key, &v) && v &&
	    !json_object_is_type(v, json_type_null))
		snprintf(buf, sz, "%s", json_object_get_string(v));
}

static uint64_t ju64(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	return json_object_get_uint64(v);
}

static void pipe_parse(struct json_object *o, struct pipe_snap *p)
{
	struct json_object *d, *lat;
	int i;

	memset(p, 0, sizeof(*p));
	jstr(o, "name", p->name, sizeof(p->name));
	jstr(o, "source", p->source, sizeof(p->source));
	jstr(o, "model", p->model, sizeof(p->model));
	jstr(o, "model_version", p->model_version, sizeof(p->model_version));
	jstr(o, "state", p->state, sizeof(p->state));
	jstr(o, "error", p->error, sizeof(p->error));
	p->in = ju64(o, "samples_in");
	p->out = ju64(o, "samples_out");
	p->batches = ju64(o, "batches");
	p->model_gen = ju64(o, "model_gen");
	if (json_object_object_get_ex(o, "drops", &d) &&
	    json_object_is_type(d, json_type_object)) {
		json_object_object_foreach(d, key, val) {
			if (p->ndrops == MAX_REASONS)
				break;
			snprintf(p->drop_key[p->ndrops], sizeof(p->drop_key[0]),
				 "%s", key);
			p->drop_val[p->ndrops++] = json_object_get_uint64(val);
		}
	}
	lat = NULL;
	json_object_object_get_ex(o, "latency_ns", &lat);
	for (i = 0; i < 6; i++)
		p->lat[i] = ju64(lat, lat_keys[i]);
	lat = NULL;
	json_object_object_get_ex(o, "e2e_latency_ns", &lat);
	for (i = 0; i < 6; i++)
		p->e2e[i] = ju64(lat, lat_keys[i]);
}

static void runtime_read(struct runtime_snap *r)
{
	struct json_object *root, *v, *arr;
	size_t i, n;

	r->path = runtime_stats_path();
	if (access(r->path, F_OK)) {
		snprintf(r->reason, sizeof(r->reason), "no %s", r->path);
		return;
	}
	root = json_object_from_file(r->path);
	if (!root || !json_object_is_type(root, json_type_object)) {
		snprintf(r->reason, sizeof(r->reason), "%s is not valid JSON",
			 r->path);
		json_object_put(root);
		return;
	}
	r->pid = json_object_object_get_ex(root, "pid", &v) ?
		json_object_get_int64(v) : 0;
	if (r->pid <= 0 || (kill((pid_t)r->pid, 0) && errno != EPERM)) {
		snprintf(r->reason, sizeof(r->reason),
			 "pid %lld of %s is not alive", (long long)r->pid,
			 r->path);
		json_object_put(root);
		return;
	}
	if (json_object_object_get_ex(root, "started", &v) && v) {
		r->started_num = json_object_is_type(v, json_type_int);
		r->started_u = json_object_get_uint64(v);
		snprintf(r->started, sizeof(r->started), "%s",
			 json_object_get_string(v));
	}
	if (json_object_object_get_ex(root, "pipelines", &arr) &&
	    json_object_is_type(arr, json_type_array)) {
		n = json_object_array_length(arr);
		r->pipes = n ? calloc(n, sizeof(*r->pipes)) : NULL;
		for (i = 0; r->pipes && i < n; i++)
			pipe_parse(json_object_array_get_idx(arr, i),
				   &r->pipes[r->npipes++]);
	}
	r->running = true;
	json_object_put(root);
}

static void snap_read(struct snap *s)
{
	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_MONOTONIC, &s->ts);
	kernel_read(&s->k);
	s->f_err = filter_snap_read(&s->f);
	runtime_read(&s->r);
}

/* ---- cells: one call per field, a column in text, a member in JSON ---- */

static void cell_str(const char *key, int width, const char *val)
{
	if (json_output) {
		if (key)
			out_str(key, NULL, val);
	} else if (width) {
		printf("%s%-*s", "  ", width, val);
	}
}

static void cell_u64(const char *key, int width, uint64_t val)
{
	if (json_output) {
		if (key)
			out_u64(key, NULL, val);
	} else if (width) {
		printf("%s%*llu", "  ", width, (unsigned long long)val);
	}
}

/* A duration in ns: a column like "12.3us" in text, ns in JSON. */
static void cell_ns(const char *key, int width, uint64_t ns)
{
	char buf[32];

	if (json_output || !width) {
		cell_u64(key, width, ns);
		return;
	}
	if (ns < 1000)
		snprintf(buf, sizeof(buf), "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, sizeof(buf), "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, sizeof(buf), "%.1fms", ns / 1e6);
	else
		snprintf(buf, sizeof(buf), "%.2fs", ns / 1e9);
	printf("  %*s", width, buf);
}

static void row_begin(void)
{
	out_obj_begin(NULL, NULL);
}

static void row_end(void)
{
	out_obj_end();
	if (!json_output)
		putchar('\n');
}

/* A JSON-only group of members; nothing in text. */
static void grp_begin(const char *key)
{
	if (json_output)
		out_obj_begin(key, NULL);
}

static void grp_end(void)
{
	if (json_output)
		out_obj_end();
}

/* Text only: "reason=N ..." of the nonzero ones, or "-". */
static void reasons_text(int width, const char *const *keys,
			 const uint64_t *vals, int n)
{
	char buf[256] = "";
	size_t off = 0;
	int i;

	if (json_output)
		return;
	for (i = 0; i < n && off < sizeof(buf); i++)
		if (vals[i])
			off += snprintf(buf + off, sizeof(buf) - off, "%s%s=%llu",
					off ? " " : "", keys[i],
					(unsigned long long)vals[i]);
	cell_str(NULL, width, off ? buf : "-");
}

static uint64_t sum(const uint64_t *v, int n)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s;
}

/* ---- the stats view ---- */

static const char *ring_state(uint32_t state)
{
	return state == EDGEAI_RING_STATE_LIVE ? "live" :
		state == EDGEAI_RING_STATE_DESTROYED ? "destroyed" : "?";
}

static void print_kernel(const struct kernel_snap *k)
{
	int i, j;

	out_obj_begin("kernel", NULL);
	out_bool("loaded", NULL, k->loaded);
	if (!k->loaded) {
		out_text("kernel: %s%s%s\n", k->error[0] ? "error: " :
			 "not loaded", k->error, k->error[0] ? "" :
			 " (no generic netlink family 'edgeai')");
		if (k->error[0])
			out_str("error", NULL, k->error);
		out_obj_end();
		return;
	}
	out_text("kernel: edgeai %s, %u of %u rings, %llu bytes\n",
		 k->version, k->nrings_kernel, k->max_rings,
		 (unsigned long long)k->mem_bytes);
	out_str("version", NULL, k->version);
	out_u64("abi_version", NULL, k->abi_version);
	out_u64("rings_registered", NULL, k->nrings_kernel);
	out_u64("max_rings", NULL, k->max_rings);
	out_u64("mem_bytes", NULL, k->mem_bytes);
	out_u64("produced", NULL, k->produced);
	out_u64("consumed", NULL, k->consumed);
	out_u64("bytes", NULL, k->bytes);
	grp_begin("drops");
	for (j = 0; j < NDROPS; j++)
		cell_u64(ring_drop_names[j], 0, k->drops[j]);
	grp_end();
	out_text(k->nrings ? "  %4s  %-16s  %-9s  %7s  %12s  %12s  %7s  %10s  %s\n" :
		 "  no rings\n", "ID", "RING", "STATE", "SLOTS", "PRODUCED",
		 "CONSUMED", "IN_RING", "DROPS", "DROP REASONS");
	out_array_begin("rings");
	for (i = 0; i < k->nrings; i++) {
		const struct ring_snap *r = &k->rings[i];

		row_begin();
		cell_u64("id", 4, r->id);
		cell_str("name", 16, r->name);
		cell_str("state", 9, ring_state(r->state));
		cell_u64("slots", 7, r->slots);
		cell_u64("slot_size", 0, r->slot_size);
		cell_u64("mem_bytes", 0, r->mem_bytes);
		cell_u64("consumers", 0, r->consumers);
		cell_u64("producers", 0, r->producers);
		grp_begin("stats");
		cell_u64("produced", 12, r->produced);
		cell_u64("consumed", 12, r->consumed);
		cell_u64("in_ring", 7, r->in_ring);
		cell_u64(NULL, 10, sum(r->drops, NDROPS));
		reasons_text(1, ring_drop_names, r->drops, NDROPS);
		cell_u64("bytes", 0, r->bytes);
		cell_u64("high_water", 0, r->high_water);
		cell_u64("bad_index", 0, r->bad_index);
		cell_u64("wakeups", 0, r->wakeups);
		grp_begin("drops");
		for (j = 0; j < NDROPS; j++)
			cell_u64(ring_drop_names[j], 0, r->drops[j]);
		grp_end();
		grp_end();
		row_end();
	}
	out_array_end();
	out_obj_end();
}

static int filter_not_loaded(const struct snap *s)
{
	out_bool("loaded", NULL, false);
	out_str("pin_dir", NULL, filter_pin_dir());
	if (s->f_err) {
		out_text("filter: unknown: cannot read %s: %s\n",
			 filter_pin_dir(), strerror(-s->f_err));
		out_str("error", NULL, strerror(-s->f_err));
	} else {
		out_text("filter: not loaded (no maps in %s)\n",
			 filter_pin_dir());
	}
	out_obj_end();
	return 0;
}

static uint64_t counter_of(const __u64 *words, const struct filter_counter *c,
			   size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].key, key))
			return words[c[i].word];
	return 0;
}

static void print_filter(const struct snap *s)
{
	const struct filter_counter *gc, *sc;
	uint64_t drops[ARRAY_SIZE(filter_drop_keys)];
	size_t ng, ns, i;
	int j;

	out_obj_begin("filter", NULL);
	if (!s->f.loaded) {
		filter_not_loaded(s);
		return;
	}
	gc = filter_global_counters(&ng);
	sc = filter_sensor_counters(&ns);
	out_text("filter: loaded, %d attachment%s, pin dir %s\n",
		 s->f.attachments, s->f.attachments == 1 ? "" : "s",
		 filter_pin_dir());
	out_bool("loaded", NULL, true);
	out_str("pin_dir", NULL, filter_pin_dir());
	out_u64("attachments", NULL, s->f.attachments);
	for (i = 0; i < ARRAY_SIZE(filter_drop_keys); i++)
		drops[i] = counter_of(s->f.g, gc, ng, filter_drop_keys[i]);
	out_text("  %12s  %12s  %12s  %12s  %12s  %s\n", "SEEN", "PASS",
		 "NOT_SENSOR", "UNPARSED", "DROPS", "DROP REASONS");
	cell_u64(NULL, 12, counter_of(s->f.g, gc, ng, "seen"));
	cell_u64(NULL, 12, counter_of(s->f.g, gc, ng, "pass"));
	cell_u64(NULL, 12, counter_of(s->f.g, gc, ng, "not_sensor"));
	cell_u64(NULL, 12, counter_of(s->f.g, gc, ng, "unparsed"));
	cell_u64(NULL, 12, sum(drops, ARRAY_SIZE(drops)));
	reasons_text(1, filter_drop_keys, drops, ARRAY_SIZE(drops));
	out_text("\n");
	/* JSON: every global counter, as "bpf stats" names them. */
	for (i = 0; i < ng; i++)
		cell_u64(gc[i].key, 0, s->f.g[gc[i].word]);
	out_text(s->f.nsensors ? "  %10s  %12s  %14s  %12s  %12s\n" :
		 "  no sensors\n", "SENSOR", "PACKETS", "BYTES",
		 "RATE_LIMITED", "INVALID");
	out_array_begin("sensors");
	for (j = 0; j < s->f.nsensors; j++) {
		row_begin();
		cell_u64("id", 10, s->f.sensors[j].id);
		for (i = 0; i < ns; i++)
			cell_u64(sc[i].key, i == 1 ? 14 : 12,
				 s->f.sensors[j].c[sc[i].word]);
		row_end();
	}
	out_array_end();
	out_obj_end();
}

static void print_runtime(const struct runtime_snap *r)
{
	int i, j;

	out_obj_begin("runtime", NULL);
	out_bool("running", NULL, r->running);
	out_str("stats_file", NULL, r->path);
	if (!r->running) {
		out_text("runtime: not running (%s)\n", r->reason);
		out_str("reason", NULL, r->reason);
		out_obj_end();
		return;
	}
	out_text("runtime: running, pid %lld, %d pipeline%s\n",
		 (long long)r->pid, r->npipes, r->npipes == 1 ? "" : "s");
	out_u64("pid", NULL, r->pid);
	if (r->started_num)
		out_u64("started", NULL, r->started_u);
	else if (r->started[0])
		out_str("started", NULL, r->started);
	out_text(r->npipes ? "  %-16s  %-8s  %12s  %12s  %10s  %9s  %8s  %8s  %8s  %8s  %8s\n" :
		 "  no pipelines\n", "PIPELINE", "STATE", "IN", "OUT",
		 "DROPS", "BATCHES", "P50", "P90", "P99", "P99.9", "MAX");
	out_array_begin("pipelines");
	for (i = 0; i < r->npipes; i++) {
		const struct pipe_snap *p = &r->pipes[i];
		const char *keys[MAX_REASONS];

		row_begin();
		cell_str("name", 16, p->name);
		cell_str("state", 8, p->state);
		cell_str("source", 0, p->source);
		cell_str("model", 0, p->model);
		cell_str("model_version", 0, p->model_version);
		cell_u64("model_gen", 0, p->model_gen);
		if (p->error[0])
			cell_str("error", 0, p->error);
		cell_u64("samples_in", 12, p->in);
		cell_u64("samples_out", 12, p->out);
		cell_u64(NULL, 10, sum(p->drop_val, p->ndrops));
		cell_u64("batches", 9, p->batches);
		grp_begin("latency_ns");
		for (j = 0; j < 5; j++)
			cell_ns(lat_keys[j], 8, p->lat[j]);
		cell_u64("count", 0, p->lat[5]);
		grp_end();
		grp_begin("e2e_latency_ns");
		for (j = 0; j < 5; j++)
			cell_ns(lat_keys[j], 0, p->e2e[j]);
		cell_u64("count", 0, p->e2e[5]);
		grp_end();
		if (!json_output && p->e2e[5])
			printf("  end to end from the sample's timestamp: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n",
			       p->e2e[0] / 1e3, p->e2e[2] / 1e3, p->e2e[3] / 1e3,
			       p->e2e[4] / 1e3);
		grp_begin("drops");
		for (j = 0; j < p->ndrops; j++) {
			cell_u64(p->drop_key[j], 0, p->drop_val[j]);
			keys[j] = p->drop_key[j];
		}
		grp_end();
		if (!json_output && p->ndrops) {
			printf("  ");
			reasons_text(1, keys, p->drop_val, p->ndrops);
		}
		if (!json_output && p->error[0])
			printf("  error: %s", p->error);
		row_end();
	}
	out_array_end();
	out_obj_end();
}

static int print_view(const struct snap *s)
{
	out_begin();
	print_kernel(&s->k);
	print_filter(s);
	print_runtime(&s->r);
	return out_end();
}

/* ---- Prometheus text exposition format ---- */

static void prom_label(const char *name, const char *val, bool first)
{
	const char *c;

	printf("%s%s=\"", first ? "{" : ",", name);
	for (c = val; *c; c++) {
		if (*c == '\\' || *c == '"')
			printf("\\%c", *c);
		else if (*c == '\n')
			fputs("\\n", stdout);
		else
			putchar(*c);
	}
	putchar('"');
}

static void prom_head(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample; labels are NULL-terminated name, value pairs. */
static void prom_sample(const char *name, double v, const char *l1,
			const char *v1, const char *l2, const char *v2)
{
	fputs(name, stdout);
	if (l1)
		prom_label(l1, v1, true);
	if (l2)
		prom_label(l2, v2, false);
	if (l1)
		putchar('}');
	if (v >= 0 && v < 9e15 && v == (double)(uint64_t)v)
		printf(" %llu\n", (unsigned long long)v);
	else
		printf(" %.9g\n", v);
}

struct ring_metric {
	const char *name, *type, *help;
	size_t off;
};

#define RM(n, t, f, h) { "edgeai_ring_" n, t, h, offsetof(struct ring_snap, f) }
static const struct ring_metric ring_metrics[] = {
	RM("produced_total", "counter", produced, "Samples written into the ring."),
	RM("consumed_total", "counter", consumed, "Samples released by the consumer."),
	RM("bytes_total", "counter", bytes, "Payload bytes written into the ring."),
	RM("in_ring", "gauge", in_ring, "Samples in the ring, not yet consumed."),
	RM("high_water", "gauge", high_water, "Most samples ever in the ring at once."),
	RM("bad_index_total", "counter", bad_index, "Consumer index updates the kernel refused."),
	RM("wakeups_total", "counter", wakeups, "Consumer wakeups."),
};

static void prom_kernel(const struct kernel_snap *k)
{
	char id[16];
	size_t m;
	int i, j;

	prom_head("edgeai_kernel_loaded", "gauge",
		  "1 if edgeai.ko answers on generic netlink, else 0.");
	prom_sample("edgeai_kernel_loaded", k->loaded, NULL, NULL, NULL, NULL);
	prom_head("edgeai_kernel_mem_bytes", "gauge", "Memory of all rings.");
	if (k->loaded)
		prom_sample("edgeai_kernel_mem_bytes", k->mem_bytes, NULL, NULL,
			    NULL, NULL);
	prom_head("edgeai_ring_info", "gauge",
		  "Ring descriptor: id and state as labels; always 1.");
	for (i = 0; i < k->nrings; i++) {
		snprintf(id, sizeof(id), "%u", k->rings[i].id);
		printf("edgeai_ring_info");
		prom_label("ring", k->rings[i].name, true);
		prom_label("id", id, false);
		prom_label("state", ring_state(k->rings[i].state), false);
		printf("} 1\n");
	}
	prom_head("edgeai_ring_slots", "gauge", "Slots of the ring.");
	for (i = 0; i < k->nrings; i++)
		prom_sample("edgeai_ring_slots", k->rings[i].slots, "ring",
			    k->rings[i].name, NULL, NULL);
	for (m = 0; m < ARRAY_SIZE(ring_metrics); m++) {
		prom_head(ring_metrics[m].name, ring_metrics[m].type,
			  ring_metrics[m].help);
		for (i = 0; i < k->nrings; i++)
			prom_sample(ring_metrics[m].name,
				    *(const uint64_t *)((const char *)&k->rings[i] +
							ring_metrics[m].off),
				    "ring", k->rings[i].name, NULL, NULL);
	}
	prom_head("edgeai_ring_drops_total", "counter",
		  "Samples dropped, by reason.");
	for (i = 0; i < k->nrings; i++)
		for (j = 0; j < NDROPS; j++)
			prom_sample("edgeai_ring_drops_total",
				    k->rings[i].drops[j], "ring",
				    k->rings[i].name, "reason",
				    ring_drop_names[j]);
}

static void prom_filter(const struct snap *s)
{
	const struct filter_counter *gc, *sc;
	static const struct { const char *key, *name, *help; } g[] = {
		{ "seen", "edgeai_filter_seen_packets_total", "Packets the filter saw." },
		{ "seen_bytes", "edgeai_filter_seen_bytes_total", "Bytes of the packets the filter saw." },
		{ "pass", "edgeai_filter_pass_packets_total", "Valid sensor packets tagged and passed." },
		{ "pass_bytes", "edgeai_filter_pass_bytes_total", "Bytes of the passed sensor packets." },
		{ "not_sensor", "edgeai_filter_not_sensor_packets_total", "Packets not for a sensor port, left alone." },
		{ "unparsed", "edgeai_filter_unparsed_packets_total", "Packets that could not be parsed safely, left alone." },
	};
	char id[16];
	size_t ng, ns, i;
	int j;

	gc = filter_global_counters(&ng);
	sc = filter_sensor_counters(&ns);
	prom_head("edgeai_filter_loaded", "gauge",
		  "1 if the filter's maps are pinned, else 0.");
	prom_sample("edgeai_filter_loaded", s->f.loaded, NULL, NULL, NULL, NULL);
	prom_head("edgeai_filter_attachments", "gauge",
		  "Devices the filter is attached to.");
	if (s->f.loaded)
		prom_sample("edgeai_filter_attachments", s->f.attachments,
			    NULL, NULL, NULL, NULL);
	for (i = 0; i < ARRAY_SIZE(g); i++) {
		prom_head(g[i].name, "counter", g[i].help);
		if (s->f.loaded)
			prom_sample(g[i].name, counter_of(s->f.g, gc, ng, g[i].key),
				    NULL, NULL, NULL, NULL);
	}
	prom_head("edgeai_filter_drops_total", "counter",
		  "Sensor packets dropped, by reason.");
	for (i = 0; s->f.loaded && i < ARRAY_SIZE(filter_drop_keys); i++)
		prom_sample("edgeai_filter_drops_total",
			    counter_of(s->f.g, gc, ng, filter_drop_keys[i]),
			    "reason", filter_drop_keys[i], NULL, NULL);
	prom_head("edgeai_sensor_packets_total", "counter",
		  "Packets of the sensor passed.");
	for (j = 0; j < s->f.nsensors; j++) {
		snprintf(id, sizeof(id), "%u", s->f.sensors[j].id);
		prom_sample("edgeai_sensor_packets_total",
			    counter_of(s->f.sensors[j].c, sc, ns, "packets"),
			    "sensor", id, NULL, NULL);
	}
	prom_head("edgeai_sensor_bytes_total", "counter",
		  "Bytes of the sensor's passed packets.");
	for (j = 0; j < s->f.nsensors; j++) {
		snprintf(id, sizeof(id), "%u", s->f.sensors[j].id);
		prom_sample("edgeai_sensor_bytes_total",
			    counter_of(s->f.sensors[j].c, sc, ns, "bytes"),
			    "sensor", id, NULL, NULL);
	}
	prom_head("edgeai_sensor_drops_total", "counter",
		  "Packets of the sensor dropped, by reason.");
	for (j = 0; j < s->f.nsensors; j++) {
		snprintf(id, sizeof(id), "%u", s->f.sensors[j].id);
		for (i = 0; i < ARRAY_SIZE(sensor_drop_keys); i++)
			prom_sample("edgeai_sensor_drops_total",
				    counter_of(s->f.sensors[j].c, sc, ns,
					       sensor_drop_keys[i]),
				    "sensor", id, "reason", sensor_drop_keys[i]);
	}
}

static void prom_runtime(const struct runtime_snap *r)
{
	static const char *const q[5] = { "0.5", "0.9", "0.99", "0.999", "1" };
	int i, j, k;
	bool dup;

	prom_head("edgeaid_running", "gauge",
		  "1 if edgeaid's stats file belongs to a live process, else 0.");
	prom_sample("edgeaid_running", r->running, NULL, NULL, NULL, NULL);
	prom_head("edgeai_pipeline_up", "gauge",
		  "1 if the pipeline is running, 0 if disabled.");
	for (i = 0; i < r->npipes; i++)
		prom_sample("edgeai_pipeline_up",
			    !strcmp(r->pipes[i].state, "running"), "pipeline",
			    r->pipes[i].name, NULL, NULL);
	prom_head("edgeai_pipeline_samples_in_total", "counter",
		  "Samples the pipeline read.");
	for (i = 0; i < r->npipes; i++)
		prom_sample("edgeai_pipeline_samples_in_total", r->pipes[i].in,
			    "pipeline", r->pipes[i].name, NULL, NULL);
	prom_head("edgeai_pipeline_samples_out_total", "counter",
		  "Results the pipeline handed out.");
	for (i = 0; i < r->npipes; i++)
		prom_sample("edgeai_pipeline_samples_out_total", r->pipes[i].out,
			    "pipeline", r->pipes[i].name, NULL, NULL);
	prom_head("edgeai_pipeline_batches_total", "counter",
		  "Inference batches the pipeline ran.");
	for (i = 0; i < r->npipes; i++)
		prom_sample("edgeai_pipeline_batches_total",
			    r->pipes[i].batches, "pipeline", r->pipes[i].name,
			    NULL, NULL);
	prom_head("edgeai_pipeline_drops_total", "counter",
		  "Samples the pipeline dropped, by reason.");
	for (i = 0; i < r->npipes; i++)
		for (j = 0; j < r->pipes[i].ndrops; j++) {
			for (dup = false, k = 0; k < j; k++)
				dup |= !strcmp(r->pipes[i].drop_key[k],
					       r->pipes[i].drop_key[j]);
			if (!dup)
				prom_sample("edgeai_pipeline_drops_total",
					    r->pipes[i].drop_val[j], "pipeline",
					    r->pipes[i].name, "reason",
					    r->pipes[i].drop_key[j]);
		}
	prom_head("edgeai_pipeline_latency_seconds", "gauge",
		  "Sample latency quantiles (quantile 1: the maximum).");
	for (i = 0; i < r->npipes; i++)
		for (j = 0; j < 5; j++)
			prom_sample("edgeai_pipeline_latency_seconds",
				    r->pipes[i].lat[j] / 1e9, "pipeline",
				    r->pipes[i].name, "quantile", q[j]);
	prom_head("edgeai_pipeline_latency_count", "counter",
		  "Samples the latency quantiles were computed over.");
	for (i = 0; i < r->npipes; i++)
		prom_sample("edgeai_pipeline_latency_count", r->pipes[i].lat[5],
			    "pipeline", r->pipes[i].name, NULL, NULL);
	prom_head("edgeai_pipeline_e2e_latency_seconds", "gauge",
		  "End-to-end latency quantiles from the sample's timestamp (quantile 1: the maximum).");
	for (i = 0; i < r->npipes; i++)
		for (j = 0; j < 5; j++)
			prom_sample("edgeai_pipeline_e2e_latency_seconds",
				    r->pipes[i].e2e[j] / 1e9, "pipeline",
				    r->pipes[i].name, "quantile", q[j]);
}

static int print_prometheus(const struct snap *s)
{
	prom_kernel(&s->k);
	prom_filter(s);
	prom_runtime(&s->r);
	return fflush(stdout) ? -1 : 0;
}

/* ---- options ---- */

enum { OPT_PROMETHEUS = 0x100, OPT_RUNTIME_STATS };

static const struct option stats_opts[] = {
	{ "prometheus", no_argument, NULL, OPT_PROMETHEUS },
	{ "runtime-stats", required_argument, NULL, OPT_RUNTIME_STATS },
	{ NULL, 0, NULL, 0 },
};

static const struct option top_opts[] = {
	{ "iterations", required_argument, NULL, 'n' },
	{ "delay", required_argument, NULL, 'd' },
	{ "runtime-stats", required_argument, NULL, OPT_RUNTIME_STATS },
	{ NULL, 0, NULL, 0 },
};

#define STATS_USAGE "usage: stats [--prometheus] [--runtime-stats PATH]"
#define TOP_USAGE "usage: top [-n N] [-d SECONDS] [--runtime-stats PATH]"

/*
 * getopt_long over a command's arguments (argv[-1] is the object's name,
 * standing in for the program name). Returns the option, -1 at the end,
 * or '?' after printing a usage error.
 */
static int next_opt(int argc, char **argv, const char *shorts,
		    const struct option *longs)
{
	int c;

	opterr = 0;
	c = getopt_long(argc + 1, argv - 1, shorts, longs, NULL);
	if (c == '?' || c == ':')
		return '?';
	return c;
}

static int bad_opt(const char *usage, int argc, char **argv)
{
	const char *arg = optind >= 2 && optind - 1 <= argc ?
		argv[optind - 2] : "?";

	return error_out(EXIT_USAGE, "bad option '%s'; %s", arg, usage);
}

static int stats_help(void)
{
	printf("Usage: %s [-j|-p] stats [--prometheus] [--runtime-stats PATH]\n\n"
	       "One view of every part of edgeai: the kernel rings (edgeai.ko,\n"
	       "by generic netlink), the sensor filter (its pinned BPF maps) and\n"
	       "the runtime's pipelines (edgeaid's stats file). A part that is\n"
	       "not running is shown as such; that is not an error.\n\n"
	       "  --prometheus          Prometheus text exposition format\n"
	       "  --runtime-stats PATH  edgeaid's stats file (default: $EDGEAID_STATS,\n"
	       "                        else %s)\n\n"
	       "See edgeaictl-stats(8).\n", bin_name, RUNTIME_STATS_DEFAULT);
	return EXIT_OK;
}

int do_stats_obj(int argc, char **argv)
{
	bool prom = false;
	struct snap s;
	int c, ret;

	if (argc == 1 && !strcmp(argv[0], "help"))
		return stats_help();
	optind = 0;
	while ((c = next_opt(argc, argv, "+", stats_opts)) != -1) {
		switch (c) {
		case OPT_PROMETHEUS:
			prom = true;
			break;
		case OPT_RUNTIME_STATS:
			runtime_path = optarg;
			break;
		default:
			return bad_opt(STATS_USAGE, argc, argv);
		}
	}
	if (optind - 1 < argc)
		return error_out(EXIT_USAGE, "unexpected argument '%s'; %s",
				 argv[optind - 1], STATS_USAGE);
	snap_read(&s);
	if (prom) {
		json_output = false;	/* the format is the format */
		ret = print_prometheus(&s);
	} else {
		ret = print_view(&s);
	}
	snap_free(&s);
	return ret ? EXIT_FAIL : EXIT_OK;
}

/* ---- top ---- */

static volatile sig_atomic_t top_stop;
static struct termios tty_saved;
static bool tty_raw;

static void on_top_signal(int sig)
{
	top_stop = 1;
}

static void tty_restore(void)
{
	if (tty_raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
		tty_raw = false;
	}
}

/* Keys without Enter and without echo; Ctrl-C still signals. */
static void tty_make_raw(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &tty_saved))
		return;
	t = tty_saved;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSAFLUSH, &t)) {
		tty_raw = true;
		atexit(tty_restore);
	}
}

static uint64_t per_s(uint64_t now, uint64_t before, double secs)
{
	if (now < before || secs <= 0)
		return 0;	/* reset (ring recreated, module reloaded) */
	return (uint64_t)((now - before) / secs + 0.5);
}

/* Per-second rate of counter @key between two snapshots of the same table. */
static uint64_t counter_rate(const __u64 *now, const __u64 *before,
			     const struct filter_counter *c, size_t n,
			     const char *key, double secs)
{
	return per_s(counter_of(now, c, n, key), counter_of(before, c, n, key),
		     secs);
}

static const struct ring_snap *find_ring(const struct kernel_snap *k,
					 uint32_t id)
{
	int i;

	for (i = 0; i < k->nrings; i++)
		if (k->rings[i].id == id)
			return &k->rings[i];
	return NULL;
}

static const struct filter_sensor_snap *find_sensor(const struct filter_snap *f,
						    uint32_t id)
{
	int i;

	for (i = 0; i < f->nsensors; i++)
		if (f->sensors[i].id == id)
			return &f->sensors[i];
	return NULL;
}

static const struct pipe_snap *find_pipe(const struct runtime_snap *r,
					 const char *name)
{
	int i;

	for (i = 0; i < r->npipes; i++)
		if (!strcmp(r->pipes[i].name, name))
			return &r->pipes[i];
	return NULL;
}

static void top_kernel(const struct kernel_snap *k, const struct kernel_snap *o,
		       double secs)
{
	uint64_t d[NDROPS];
	int i, j;

	out_obj_begin("kernel", NULL);
	out_bool("loaded", NULL, k->loaded);
	if (!k->loaded) {
		out_text("kernel: %s%s\n", k->error[0] ? "error: " :
			 "not loaded", k->error);
		out_obj_end();
		return;
	}
	out_text("kernel: edgeai %s, %u rings, %llu bytes\n", k->version,
		 k->nrings_kernel, (unsigned long long)k->mem_bytes);
	out_text(k->nrings ? "  %-16s  %12s  %12s  %7s  %10s  %s\n" :
		 "  no rings\n", "RING", "PRODUCED/S", "CONSUMED/S",
		 "IN_RING", "DROPS/S", "DROPS/S BY REASON");
	out_array_begin("rings");
	for (i = 0; i < k->nrings; i++) {
		const struct ring_snap *r = &k->rings[i];
		const struct ring_snap *p = find_ring(o, r->id);
		struct ring_snap zero = { 0 };

		if (!p)
			p = &zero;
		for (j = 0; j < NDROPS; j++)
			d[j] = per_s(r->drops[j], p->drops[j], secs);
		row_begin();
		cell_u64("id", 0, r->id);
		cell_str("name", 16, r->name);
		cell_u64("produced_per_s", 12, per_s(r->produced, p->produced, secs));
		cell_u64("consumed_per_s", 12, per_s(r->consumed, p->consumed, secs));
		cell_u64("in_ring", 7, r->in_ring);
		cell_u64(NULL, 10, sum(d, NDROPS));
		reasons_text(1, ring_drop_names, d, NDROPS);
		grp_begin("drops_per_s");
		for (j = 0; j < NDROPS; j++)
			cell_u64(ring_drop_names[j], 0, d[j]);
		grp_end();
		row_end();
	}
	out_array_end();
	out_obj_end();
}

static void top_filter(const struct snap *s, const struct snap *o,
		       double secs)
{
	const struct filter_counter *gc, *sc;
	uint64_t d[ARRAY_SIZE(filter_drop_keys)];
	size_t ng, ns, i;
	int j;

	out_obj_begin("filter", NULL);
	if (!s->f.loaded) {
		filter_not_loaded(s);
		return;
	}
	gc = filter_global_counters(&ng);
	sc = filter_sensor_counters(&ns);
	out_bool("loaded", NULL, true);
	out_text("filter: loaded, %d attachment%s\n", s->f.attachments,
		 s->f.attachments == 1 ? "" : "s");
	for (i = 0; i < ARRAY_SIZE(filter_drop_keys); i++)
		d[i] = counter_rate(s->f.g, o->f.g, gc, ng,
				    filter_drop_keys[i], secs);
	out_text("  %12s  %12s  %10s  %s\n", "SEEN/S", "PASS/S", "DROPS/S",
		 "DROPS/S BY REASON");
	cell_u64("seen_per_s", 12,
		 counter_rate(s->f.g, o->f.g, gc, ng, "seen", secs));
	cell_u64("pass_per_s", 12,
		 counter_rate(s->f.g, o->f.g, gc, ng, "pass", secs));
	cell_u64(NULL, 10, sum(d, ARRAY_SIZE(d)));
	reasons_text(1, filter_drop_keys, d, ARRAY_SIZE(d));
	out_text("\n");
	grp_begin("drops_per_s");
	for (i = 0; i < ARRAY_SIZE(filter_drop_keys); i++)
		cell_u64(filter_drop_keys[i], 0, d[i]);
	grp_end();
	out_text(s->f.nsensors ? "  %10s  %12s  %12s  %s\n" : "",
		 "SENSOR", "PASS/S", "DROPS/S", "DROPS/S BY REASON");
	out_array_begin("sensors");
	for (j = 0; j < s->f.nsensors; j++) {
		const struct filter_sensor_snap *n = &s->f.sensors[j];
		const struct filter_sensor_snap *p = find_sensor(&o->f, n->id);
		struct filter_sensor_snap zero = { 0 };
		uint64_t sd[ARRAY_SIZE(sensor_drop_keys)];

		if (!p)
			p = &zero;
		for (i = 0; i < ARRAY_SIZE(sensor_drop_keys); i++)
			sd[i] = counter_rate(n->c, p->c, sc, ns,
					     sensor_drop_keys[i], secs);
		row_begin();
		cell_u64("id", 10, n->id);
		cell_u64("pass_per_s", 12,
			 counter_rate(n->c, p->c, sc, ns, "packets", secs));
		cell_u64(NULL, 12, sum(sd, ARRAY_SIZE(sd)));
		reasons_text(1, sensor_drop_keys, sd, ARRAY_SIZE(sd));
		grp_begin("drops_per_s");
		for (i = 0; i < ARRAY_SIZE(sensor_drop_keys); i++)
			cell_u64(sensor_drop_keys[i], 0, sd[i]);
		grp_end();
		row_end();
	}
	out_array_end();
	out_obj_end();
}

static void top_runtime(const struct runtime_snap *r,
			const struct runtime_snap *o, double secs)
{
	int i, j, k;

	out_obj_begin("runtime", NULL);
	out_bool("running", NULL, r->running);
	if (!r->running) {
		out_text("runtime: not running (%s)\n", r->reason);
		out_obj_end();
		return;
	}
	out_text("runtime: running, pid %lld\n", (long long)r->pid);
	out_u64("pid", NULL, r->pid);
	out_text(r->npipes ? "  %-16s  %-8s  %10s  %10s  %10s  %8s  %8s  %8s  %8s  %8s\n" :
		 "  no pipelines\n", "PIPELINE", "STATE", "IN/S", "OUT/S",
		 "DROPS/S", "P50", "P90", "P99", "P99.9", "MAX");
	out_array_begin("pipelines");
	for (i = 0; i < r->npipes; i++) {
		const struct pipe_snap *p = &r->pipes[i];
		const struct pipe_snap *q = find_pipe(o, p->name);
		uint64_t d[MAX_REASONS], before;
		const char *keys[MAX_REASONS];

		for (j = 0; j < p->ndrops; j++) {
			before = 0;
			for (k = 0; q && k < q->ndrops; k++)
				if (!strcmp(q->drop_key[k], p->drop_key[j]))
					before = q->drop_val[k];
			d[j] = per_s(p->drop_val[j], before, secs);
			keys[j] = p->drop_key[j];
		}
		row_begin();
		cell_str("name", 16, p->name);
		cell_str("state", 8, p->state);
		cell_u64("samples_in_per_s", 10, per_s(p->in, q ? q->in : 0, secs));
		cell_u64("samples_out_per_s", 10,
			 per_s(p->out, q ? q->out : 0, secs));
		cell_u64(NULL, 10, sum(d, p->ndrops));
		grp_begin("latency_ns");
		for (j = 0; j < 5; j++)
			cell_ns(lat_keys[j], 8, p->lat[j]);
		grp_end();
		grp_begin("drops_per_s");
		for (j = 0; j < p->ndrops; j++)
			cell_u64(keys[j], 0, d[j]);
		grp_end();
		if (!json_output && sum(d, p->ndrops)) {
			printf("  ");
			reasons_text(1, keys, d, p->ndrops);
		}
		row_end();
	}
	out_array_end();
	out_obj_end();
}

static int top_frame(const struct snap *s, const struct snap *o,
		     double secs, bool tty)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (tty && !json_output)
		fputs("\033[H\033[2J", stdout);
	out_begin();
	out_text("edgeaictl top  %s  every %.1f s%s\n", when, secs,
		 tty_raw ? "  (q quits)" : "");
	out_str("time", NULL, when);
	out_u64("interval_ms", NULL, (uint64_t)(secs * 1000 + 0.5));
	top_kernel(&s->k, &o->k, secs);
	top_filter(s, o, secs);
	top_runtime(&s->r, &o->r, secs);
	if (!tty)
		out_text("\n");
	return out_end() || fflush(stdout) ? -1 : 0;
}

/* Wait @secs or until 'q', a signal or EOF on a terminal. */
static void top_wait(double secs, const sigset_t *mask)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	struct timespec end, now, left;
	char ch;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)secs;
	end.tv_nsec += (long)((secs - (time_t)secs) * 1e9);
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	while (!top_stop) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000;
		}
		if (left.tv_sec < 0)
			return;
		ret = ppoll(&pfd, tty_raw ? 1 : 0, &left, mask);
		if (ret <= 0)
			continue;	/* EINTR or timeout: check again */
		if (read(STDIN_FILENO, &ch, 1) != 1 || ch == 'q' || ch == 'Q')
			top_stop = 1;
	}
}

static int top_help(void)
{
	printf("Usage: %s [-j|-p] top [-n N] [-d SECONDS] [--runtime-stats PATH]\n\n"
	       "The stats view refreshed every SECONDS (default 1), with rates per\n"
	       "second: produced/s, consumed/s and drops/s by reason of every ring,\n"
	       "pass/s and drops/s by reason of the filter and each sensor,\n"
	       "samples/s and latency percentiles of every pipeline. On a terminal\n"
	       "it redraws in place; q, Ctrl-C or SIGTERM end it (status 0).\n"
	       "Otherwise frames follow each other (one JSON document per line\n"
	       "with -j).\n\n"
	       "  -n, --iterations N  stop after N frames\n"
	       "  -d, --delay SECONDS refresh interval, 0.1..3600 (default 1)\n\n"
	       "See edgeaictl-stats(8).\n", bin_name);
	return EXIT_OK;
}

int do_top(int argc, char **argv)
{
	struct snap a, b, *cur = &a, *old = &b, *t;
	uint32_t iterations = 0, n;
	double secs = 1, real;
	sigset_t orig;
	bool tty;
	char *end;
	int c, ret = EXIT_OK;

	if (argc == 1 && !strcmp(argv[0], "help"))
		return top_help();
	optind = 0;
	while ((c = next_opt(argc, argv, "+n:d:", top_opts)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u32(optarg, &iterations) || !iterations)
				return error_out(EXIT_USAGE, "bad iteration count '%s'; %s",
						 optarg, TOP_USAGE);
			break;
		case 'd':
			errno = 0;
			secs = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(secs >= 0.1) ||
			    secs > 3600)
				return error_out(EXIT_USAGE, "bad interval '%s' (0.1..3600 seconds); %s",
						 optarg, TOP_USAGE);
			break;
		case OPT_RUNTIME_STATS:
			runtime_path = optarg;
			break;
		default:
			return bad_opt(TOP_USAGE, argc, argv);
		}
	}
	if (optind - 1 < argc)
		return error_out(EXIT_USAGE, "unexpected argument '%s'; %s",
				 argv[optind - 1], TOP_USAGE);

	tty = isatty(STDOUT_FILENO);
	if (tty && !json_output)
		tty_make_raw();
	/* Signals are only taken inside ppoll(): none is missed. */
	stop_signals_block(on_top_signal, &orig);

	snap_read(old);
	for (n = 0; !top_stop && (!iterations || n < iterations); n++) {
		top_wait(secs, &orig);
		if (top_stop)
			break;
		snap_read(cur);
		real = (cur->ts.tv_sec - old->ts.tv_sec) +
			(cur->ts.tv_nsec - old->ts.tv_nsec) / 1e9;
		if (top_frame(cur, old, real, tty && !json_output)) {
			ret = EXIT_FAIL;
			snap_free(cur);
			break;
		}
		snap_free(old);
		t = old;
		old = cur;
		cur = t;
	}
	snap_free(old);
	tty_restore();
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return ret;
}

/* edgeaictl pipeline list|show: the runtime part of the stats view. */
int pipelines_print(const char *only)
{
	struct runtime_snap r;
	int i, ret;

	memset(&r, 0, sizeof(r));
	runtime_read(&r);
	if (only && !r.running)
		return error_out(EXIT_FAIL, "no pipeline '%s': edgeaid is not running (%s)",
				 only, r.reason);
	if (only) {
		for (i = 0; i < r.npipes; i++)
			if (!strcmp(r.pipes[i].name, only))
				break;
		if (i == r.npipes) {
			free(r.pipes);
			return error_out(EXIT_FAIL, "no pipeline '%s' in %s", only,
					 r.path);
		}
		r.pipes[0] = r.pipes[i];
		r.npipes = 1;
	}
	out_begin();
	print_runtime(&r);
	ret = out_end();
	free(r.pipes);
	return ret ? EXIT_FAIL : EXIT_OK;
}
