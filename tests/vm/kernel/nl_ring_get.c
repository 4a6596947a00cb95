// SPDX-License-Identifier: GPL-2.0
/*
 * The edgeai generic netlink family: EDGEAI_CMD_RING_GET by id and by name
 * and EDGEAI_CMD_STATS_GET, against the ioctls and the test's own traffic;
 * every malformed request refused with the exact errno (and an extended
 * ack message where the kernel gives one), changing nothing.
 *
 * Traffic: edgeai_synth.ko writes exactly 300 counter samples into a
 * 64-slot ring nobody reads, then a consumer releases 10 of them. The
 * ring's counters are then known: produced 300, drops full 236, consumed
 * 10, in ring 54, high water 64, bytes 64 * 16. Two more rings, made by
 * ioctl, cover the rest of the descriptor (a quantized i8 tensor of rank
 * 3 in an OVERWRITE ring, and a USER_PRODUCER ring of opaque bytes).
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"
#include "edgeai_nl_test.h"

#define RING_S		"t_nlg_synth"
#define RING_Q		"t_nlg_quant"
#define RING_U		"t_nlg_user"
#define SLOTS		64u
#define SAMPLES		300u
#define RELEASE		10u
#define CHANNELS	4u

static void cleanup(void)
{
	if (t_synth_loaded())
		t_system("rmmod edgeai_synth");
	t_destroy_rings(RING_S, RING_Q, RING_U, NULL);
}

static void get_cb(const struct nlmsghdr *nlh, void *ctx)
{
	struct t_nl_ring *r = ctx;

	T_EQ(t_nl_ring_parse(nlh, r), 0);
	r[1].id++;	/* count replies in the spare slot */
}

/* RING_GET do by id (name NULL) or by name: 0 or -errno. */
static int nl_get(struct t_nl *nl, uint32_t id, const char *name,
		  struct t_nl_ring *r)
{
	struct t_nl_ring out[2];
	struct t_msg m;
	int ret;

	memset(out, 0, sizeof(out));
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	if (name)
		t_msg_str(&m, EDGEAI_A_RING_NAME, name);
	else
		t_msg_u32(&m, EDGEAI_A_RING_ID, id);
	ret = t_nl_request(nl, &m, get_cb, out);
	if (!ret)
		T_EQ(out[1].id, 1);	/* exactly one reply */
	*r = out[0];
	return ret;
}

/* Every field of RING_INFO and RING_STATS, as netlink reports them. */
static void compare(const char *what, const struct t_nl_ring *r,
		    const struct edgeai_ring_info *in,
		    const struct edgeai_ring_stats *s)
{
	uint32_t i;

	fprintf(stderr, "comparing %s\n", what);
	T_EQ(r->missing, 0);
	T_EQ(r->extra, 0);
	T_EQ(r->id, in->ring_id);
	T_STREQ(r->name, in->name);
	T_EQ(r->state, in->state);
	T_EQ(r->flags, in->ring_flags);
	T_EQ(r->slot_count, in->slot_count);
	T_EQ(r->slot_size, in->slot_size);
	T_EQ(r->slot_stride, in->off.slot_stride);
	T_EQ(r->mem_bytes, in->off.ctrl_size + in->off.cons_size +
	     in->off.slots_size);
	T_EQ(r->dtype, in->desc.dtype);
	T_EQ(r->rank, in->desc.rank);
	T_EQ(r->nshape, in->desc.rank);
	for (i = 0; i < in->desc.rank && i < 4; i++)
		T_EQ(r->shape[i], in->desc.shape[i]);
	T_EQ(r->tensor_flags, in->desc.flags);
	T_EQ(r->quant_scale, in->desc.scale_f32);
	T_EQ(r->quant_zero_point, in->desc.zero_point);
	T_EQ(r->refs, in->refs);
	T_EQ(r->produced, s->produced);
	T_EQ(r->consumed, s->consumed);
	T_EQ(r->bytes, s->bytes);
	T_EQ(r->in_ring, s->in_ring);
	T_EQ(r->high_water, s->high_water);
	T_EQ(r->bad_index, s->bad_index);
	T_EQ(r->wakeups, s->wakeups);
	for (i = 0; i < EDGEAI_A_DROPS_PRODUCER; i++)
		T_EQ(r->drops[i], s->drops[i]);
	/* Reasons 6 and 7 are room to grow: no attribute, always 0. */
	T_EQ(s->drops[6] + s->drops[7], 0);
}

/* netlink by id and by name == ioctl, read with nothing moving. */
static void check_ring(struct t_nl *nl, int fd, uint32_t id, const char *name,
		       struct t_nl_ring *r)
{
	struct edgeai_ring_info in, in2;
	struct edgeai_ring_stats s;
	struct t_nl_ring byname;

	T_ASSERT(t_ring_info(fd, id, &in) == 0);
	T_ASSERT(t_stats(fd, id, &s) == 0);
	T_EQ(nl_get(nl, id, NULL, r), 0);
	compare(name, r, &in, &s);
	T_EQ(nl_get(nl, 0, name, &byname), 0);
	compare(name, &byname, &in, &s);
	T_CHECK(!memcmp(r, &byname, sizeof(*r)));
	T_ASSERT(t_ring_info(fd, id, &in2) == 0);
	T_EQ(in2.refs, in.refs);
}

static void stats_cb(const struct nlmsghdr *nlh, void *ctx)
{
	const struct nlattr **tb = ctx;
	static char copy[4096];

	/* Keep the message: tb points into it. */
	T_ASSERT(nlh->nlmsg_len <= sizeof(copy));
	memcpy(copy, nlh, nlh->nlmsg_len);
	T_EQ(t_genl_cmd(nlh), EDGEAI_CMD_STATS_GET);
	T_EQ(t_genl_parse((struct nlmsghdr *)copy, tb, EDGEAI_A_STATS_MAX), 0);
}

static long long read_param(const char *name)
{
	char path[128], buf[64];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/edgeai/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtoll(buf, NULL, 0);
	fclose(f);
	return v;
}

/* STATS_GET == GET_INFO, the module parameters and sums over the rings. */
static void check_stats(struct t_nl *nl, int fd)
{
	const struct nlattr *tb[EDGEAI_A_STATS_MAX + 1] = { 0 };
	const struct nlattr *dr[EDGEAI_A_DROPS_MAX + 1];
	uint64_t produced = 0, consumed = 0, bytes = 0, mem = 0;
	uint64_t drops[EDGEAI_DROP_MAX] = { 0 };
	struct edgeai_ring_stats s;
	struct edgeai_ring_info in;
	struct edgeai_info info;
	uint32_t after = 0, n = 0;
	struct t_msg m;
	int i;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	T_ASSERT(t_ioctl(fd, EDGEAI_IOC_GET_INFO, &info) == 0);
	for (;;) {
		memset(&in, 0, sizeof(in));
		in.size = sizeof(in);
		in.flags = EDGEAI_RING_INFO_F_NEXT;
		in.ring_id = after;
		if (t_ioctl(fd, EDGEAI_IOC_RING_INFO, &in))
			break;
		after = in.ring_id;
		T_ASSERT(t_stats(fd, in.ring_id, &s) == 0);
		n++;
		produced += s.produced;
		consumed += s.consumed;
		bytes += s.bytes;
		mem += in.off.ctrl_size + in.off.cons_size + in.off.slots_size;
		for (i = 0; i < EDGEAI_DROP_MAX; i++)
			drops[i] += s.drops[i];
	}

	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_STATS_GET);
	T_ASSERT(t_nl_request(nl, &m, stats_cb, tb) == 0);
	T_ASSERT(tb[EDGEAI_A_STATS_VERSION] != NULL);
	T_STREQ((char *)t_nla_data(tb[EDGEAI_A_STATS_VERSION]),
		(char *)info.version);
	T_ASSERT(tb[EDGEAI_A_STATS_ABI_VERSION] && tb[EDGEAI_A_STATS_FEATURES] &&
		 tb[EDGEAI_A_STATS_RINGS] && tb[EDGEAI_A_STATS_MAX_RINGS] &&
		 tb[EDGEAI_A_STATS_MEM_BYTES] &&
		 tb[EDGEAI_A_STATS_MAX_RING_BYTES] &&
		 tb[EDGEAI_A_STATS_MAX_TOTAL_BYTES] &&
		 tb[EDGEAI_A_STATS_PRODUCED] && tb[EDGEAI_A_STATS_CONSUMED] &&
		 tb[EDGEAI_A_STATS_BYTES] && tb[EDGEAI_A_STATS_DROPS]);
	T_EQ(t_nla_u32(tb[EDGEAI_A_STATS_ABI_VERSION]), info.abi_version);
	T_EQ(t_nla_u64(tb[EDGEAI_A_STATS_FEATURES]), info.features);
	T_EQ(t_nla_u32(tb[EDGEAI_A_STATS_RINGS]), n);
	T_EQ(t_nla_u32(tb[EDGEAI_A_STATS_MAX_RINGS]), read_param("max_rings"));
	T_EQ(t_nla_u64(tb[EDGEAI_A_STATS_MAX_RING_BYTES]),
	     read_param("max_ring_bytes"));
	T_EQ(t_nla_u64(tb[EDGEAI_A_STATS_MAX_TOTAL_BYTES]),
	     read_param("max_total_bytes"));
	/* Destroyed rings that someone still holds count too. */
	T_CHECK(t_nla_u64(tb[EDGEAI_A_STATS_MEM_BYTES]) >= mem);
	T_EQ(t_nla_u64(tb[EDGEAI_A_STATS_PRODUCED]), produced);
	T_EQ(t_nla_u64(tb[EDGEAI_A_STATS_CONSUMED]), consumed);
	T_EQ(t_nla_u64(tb[EDGEAI_A_STATS_BYTES]), bytes);
	T_ASSERT(t_nla_parse_nested(dr, EDGEAI_A_DROPS_MAX,
				    tb[EDGEAI_A_STATS_DROPS]) == 0);
	for (i = EDGEAI_A_DROPS_FULL; i <= EDGEAI_A_DROPS_PRODUCER; i++) {
		T_ASSERT(dr[i] != NULL);
		T_EQ(t_nla_u64(dr[i]), drops[i - 1]);
	}
	T_CHECK(produced >= SAMPLES);
}

/* Send @m, expect -@err and, if @msg, that text in the extended ack. */
static void expect_err(struct t_nl *nl, struct t_msg *m, int err,
		       const char *msg, const char *what)
{
	int ret = t_nl_request(nl, m, NULL, NULL);

	t_checks++;
	if (ret != -err)
		T_FAILF("%s: expected -%s, got %d (%s)", what,
			strerrorname_np(err), ret, nl->errmsg);
	t_checks++;
	if (msg && !strstr(nl->errmsg, msg))
		T_FAILF("%s: extack \"%s\", expected \"%s\"", what,
			nl->errmsg, msg);
	else if (!msg)
		fprintf(stderr, "%s: -%s \"%s\"\n", what, strerrorname_np(err),
			nl->errmsg);
}

static void check_errors(struct t_nl *nl, uint32_t id)
{
	char big[64];
	uint16_t u16 = 1;
	uint64_t u64 = id;
	struct nlattr *a;
	struct t_msg m;

	/* The selector: one of id or name, valid, of an existing ring. */
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	expect_err(nl, &m, EINVAL, "ring id or name required", "no selector");

	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_u32(&m, EDGEAI_A_RING_ID, id);
	t_msg_str(&m, EDGEAI_A_RING_NAME, RING_S);
	expect_err(nl, &m, EINVAL, "not both", "id and name");

	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_u32(&m, EDGEAI_A_RING_ID, 0x7ffffff0);
	expect_err(nl, &m, ENOENT, "no such ring", "unknown id");

	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_str(&m, EDGEAI_A_RING_NAME, "t_nlg_nosuch");
	expect_err(nl, &m, ENOENT, "no such ring", "unknown name");

	/* The policy's range check (min 1) answers ERANGE, as in the core. */
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_u32(&m, EDGEAI_A_RING_ID, 0);
	expect_err(nl, &m, ERANGE, "out of range", "id 0");

	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_str(&m, EDGEAI_A_RING_NAME, "bad/name");
	expect_err(nl, &m, EINVAL, "invalid ring name", "bad characters");

	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_str(&m, EDGEAI_A_RING_NAME, "");
	expect_err(nl, &m, EINVAL, "invalid ring name", "empty name");

	/* 32 bytes of name: one more than a ring name may have. */
	memset(big, 'a', sizeof(big));
	big[EDGEAI_NAME_LEN] = 0;
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_str(&m, EDGEAI_A_RING_NAME, big);
	expect_err(nl, &m, EINVAL, NULL, "name too long");

	/* A string attribute without its NUL. */
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_put(&m, EDGEAI_A_RING_NAME, RING_S, strlen(RING_S));
	expect_err(nl, &m, EINVAL, NULL, "name not NUL-terminated");

	/* Wrong sizes for the u32 (the netlink core logs these, ratelimited). */
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_put(&m, EDGEAI_A_RING_ID, &u16, sizeof(u16));
	expect_err(nl, &m, EINVAL, NULL, "u16 id");
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_put(&m, EDGEAI_A_RING_ID, &u64, sizeof(u64));
	expect_err(nl, &m, EINVAL, NULL, "u64 id");

	/* Attributes the op does not take: refused, not ignored. */
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_u32(&m, EDGEAI_A_RING_ID, id);
	t_msg_u32(&m, EDGEAI_A_RING_STATE, 1);
	expect_err(nl, &m, EINVAL, "Unknown attribute type",
		   "reply-only attribute in a request");
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_u32(&m, EDGEAI_A_RING_ID, id);
	t_msg_u32(&m, 200, 1);
	expect_err(nl, &m, EINVAL, "Unknown attribute type",
		   "unknown attribute 200");
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_u32(&m, 0, 1);
	t_msg_u32(&m, EDGEAI_A_RING_ID, id);
	expect_err(nl, &m, EINVAL, "Unknown attribute type", "attribute 0");
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_u32(&m, EDGEAI_A_RING_ID | NLA_F_NESTED, id);
	expect_err(nl, &m, EINVAL, "NLA_F_NESTED", "u32 marked nested");

	/* An attribute longer than the message. */
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	a = t_msg_put(&m, EDGEAI_A_RING_ID, &id, sizeof(id));
	a->nla_len = 64;
	expect_err(nl, &m, EINVAL, NULL, "attribute overruns the message");

	/* STATS_GET takes nothing; the dump takes no selector. */
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_STATS_GET);
	t_msg_u32(&m, EDGEAI_A_STATS_RINGS, 1);
	expect_err(nl, &m, EINVAL, NULL, "attribute to STATS_GET");
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_STATS_GET);
	t_msg_u32(&m, 100, 1);
	expect_err(nl, &m, EINVAL, "Unknown attribute type",
		   "unknown attribute to STATS_GET");
	t_msg_edgeai(&m, nl, NLM_F_DUMP, EDGEAI_CMD_RING_GET);
	t_msg_u32(&m, EDGEAI_A_RING_ID, id);
	expect_err(nl, &m, EINVAL, NULL, "selector in a dump");
	t_msg_edgeai(&m, nl, NLM_F_DUMP, EDGEAI_CMD_RING_GET);
	t_msg_u32(&m, 77, id);
	expect_err(nl, &m, EINVAL, "Unknown attribute type",
		   "unknown attribute in a dump");
	t_msg_edgeai(&m, nl, NLM_F_DUMP, EDGEAI_CMD_STATS_GET);
	expect_err(nl, &m, EOPNOTSUPP, NULL, "STATS_GET has no dump");

	/* Events are not requests; unknown commands neither. */
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_CREATED);
	t_msg_u32(&m, EDGEAI_A_RING_ID, id);
	expect_err(nl, &m, EOPNOTSUPP, NULL, "an event as a request");
	t_msg_edgeai(&m, nl, 0, 200);
	expect_err(nl, &m, EOPNOTSUPP, NULL, "unknown command");

	/* The generic netlink header's reserved field; stray flags. */
	t_msg_edgeai(&m, nl, 0, EDGEAI_CMD_RING_GET);
	t_msg_u32(&m, EDGEAI_A_RING_ID, id);
	t_msg_genl(&m)->reserved = 1;
	expect_err(nl, &m, EINVAL, "reserved", "genlmsghdr.reserved");
	t_msg_edgeai(&m, nl, NLM_F_REPLACE, EDGEAI_CMD_RING_GET);
	t_msg_u32(&m, EDGEAI_A_RING_ID, id);
	expect_err(nl, &m, EINVAL, NULL, "NLM_F_REPLACE");
}

int main(void)
{
	struct edgeai_ring_create q, u;
	struct edgeai_ring_attach a;
	struct edgeai_ring_stats s;
	struct t_nl_ring r, before;
	uint32_t sid = 0, qid, uid;
	int fd, cfd, i;
	struct t_map map;
	struct t_nl nl;

	atexit(cleanup);
	t_synth_unload_stale();
	t_destroy_rings(RING_S, RING_Q, RING_U, NULL);
	fd = t_open();
	T_ASSERT(t_nl_open(&nl) == 0);

	q = t_ring_args(RING_Q, 8, EDGEAI_DTYPE_I8, 0);
	q.flags = EDGEAI_RING_F_OVERWRITE;
	q.slot_size = 24;
	q.desc.rank = 3;
	q.desc.shape[0] = 2;
	q.desc.shape[1] = 3;
	q.desc.shape[2] = 4;
	q.desc.flags = EDGEAI_TENSOR_F_QUANT;
	q.desc.scale_f32 = 0x3c23d70a;	/* 0.01f */
	q.desc.zero_point = -5;
	T_ASSERT(t_ring_create(fd, &q) > 0);
	qid = q.ring_id;
	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.flags = EDGEAI_RING_F_USER_PRODUCER;
	u.slot_count = 4;
	u.slot_size = 100;
	snprintf(u.name, sizeof(u.name), "%s", RING_U);
	u.desc.dtype = EDGEAI_DTYPE_U8;
	T_ASSERT(t_ring_create(fd, &u) > 0);
	uid = u.ring_id;

	if (t_synth_load("ring=%s create=Y slots=%u rate_hz=20000 channels=%u dtype=i32 waveform=counter max_samples=%u",
			 RING_S, SLOTS, CHANNELS, SAMPLES))
		return T_FAIL;
	cfd = t_open();
	T_ASSERT(t_attach_name(cfd, RING_S, EDGEAI_ROLE_CONSUMER, 1, &a) == 0);
	sid = a.ring_id;
	for (i = 0; i < 1000; i++) {
		T_ASSERT(t_stats(fd, sid, &s) == 0);
		if (s.produced == SAMPLES)
			break;
		usleep(10000);
	}
	T_EQ(s.produced, SAMPLES);
	T_ASSERT(t_map_ring(cfd, &a, SLOTS, &map) == 0);
	t_store_release(t_tail(&map), RELEASE);

	/* The same through both interfaces, and what the traffic implies. */
	check_ring(&nl, fd, sid, RING_S, &r);
	T_EQ(r.produced, SAMPLES);
	T_EQ(r.drops[EDGEAI_DROP_FULL], SAMPLES - SLOTS);
	T_EQ(r.consumed, RELEASE);
	T_EQ(r.in_ring, SLOTS - RELEASE);
	T_EQ(r.high_water, SLOTS);
	T_EQ(r.bytes, SLOTS * CHANNELS * 4);
	T_EQ(r.consumers, 1);
	T_EQ(r.producers, 1);	/* the synth */
	T_EQ(r.state, EDGEAI_RING_STATE_LIVE);
	T_EQ(r.dtype, EDGEAI_DTYPE_I32);
	T_EQ(r.shape[0], CHANNELS);

	check_ring(&nl, fd, qid, RING_Q, &r);
	T_EQ(r.nshape, 3);
	T_EQ(r.shape[2], 4);
	T_EQ(r.quant_zero_point, -5);
	T_EQ(r.flags, EDGEAI_RING_F_OVERWRITE);
	T_EQ(r.consumers + r.producers, 0);

	check_ring(&nl, fd, uid, RING_U, &r);
	T_EQ(r.rank, 0);
	T_EQ(r.nshape, 0);
	T_EQ(r.flags, EDGEAI_RING_F_USER_PRODUCER);

	check_stats(&nl, fd);

	/* Bad requests change nothing. */
	T_EQ(nl_get(&nl, sid, NULL, &before), 0);
	check_errors(&nl, sid);
	T_EQ(nl_get(&nl, sid, NULL, &r), 0);
	T_CHECK(!memcmp(&r, &before, sizeof(r)));
	check_stats(&nl, fd);

	/* The driver's reference goes with it. */
	t_checks++;
	t_synth_unload();
	T_EQ(nl_get(&nl, sid, NULL, &r), 0);
	T_EQ(r.producers, 0);

	/* A destroyed ring is gone for netlink at once, mapped or not. */
	T_EQ(t_ring_destroy_id(fd, sid), 0);
	T_ERRNO(nl_get(&nl, sid, NULL, &r), ENOENT);
	T_ERRNO(nl_get(&nl, 0, RING_S, &r), ENOENT);
	t_unmap_ring(&map);
	close(cfd);
	t_nl_close(&nl);
	close(fd);
	return t_done();
}
