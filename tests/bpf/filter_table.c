// SPDX-License-Identifier: GPL-2.0
/*
 * The sensor filter (bpf/edgeai_filter.bpf.c) through its skeleton and
 * BPF_PROG_TEST_RUN, table-driven. Every case is one frame (built by
 * pkt.h) with the verdict docs/protocol.md gives it; each runs through
 * both edgeai_xdp and edgeai_tc and checks
 *   - the return value (XDP_PASS/XDP_DROP, TC_ACT_UNSPEC/TC_ACT_SHOT);
 *   - the frame that comes out: unchanged, or for a pass only the tag and
 *     the UDP checksum changed, the tag the sensor's, the checksum valid
 *     (a zero IPv4 checksum still zero);
 *   - the exact change of every field of edgeai_stats (summed over CPUs)
 *     and of every known sensor's edgeai_sensor_stats.
 * Truncations are generated: each base frame is cut at every length from
 * 0 to its full size. BPF_PROG_TEST_RUN refuses some short frames with
 * EINVAL before the program runs (see struct trunc); those are asserted
 * to be refused and to move no counter.
 *
 * Three skeletons: the default knobs, dry-run, and two custom ports.
 * Exit 77 when not root or BPF is not permitted.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "edgeai_filter.h"
#include "edgeai_filter.skel.h"
#include "edgeai_test.h"
#include "pkt.h"

/* ---- sensors in the allow-list ------------------------------------- */

#define S_A		0x0a0b0c01u	/* no rate limit */
#define S_B		0xfeedf00du	/* high rate, high tag bytes */
#define S_RL		77u		/* 1 packet/s, burst 5 */
#define S_UNKNOWN	999u		/* never in the allow-list */

/* Tags written out by hand, not with EDGEAI_TAG_MAKE: that is tested too. */
#define TAG_A		0x80070503u	/* class 3, priority 5, pipeline 7 */
#define TAG_B		0x800180ffu	/* class 0xff, priority 0x80, pipe 1 */
#define TAG_RL		0x80332211u

static const struct sensor_cfg {
	__u32 id, rate, burst;
	__u8 class, prio, pipe;
} sensors[] = {
	{ S_A, 0, 1, 3, 5, 7 },
	{ S_B, 1000000, 1000000, 0xff, 0x80, 0x01 },
	{ S_RL, 1, 5, 0x11, 0x22, 0x33 },
};
#define NSENSORS	(sizeof(sensors) / sizeof(sensors[0]))

/* ---- counters ------------------------------------------------------- */

#define NF	(sizeof(struct edgeai_filter_stats) / sizeof(__u64))
#define NSF	(sizeof(struct edgeai_sensor_stats) / sizeof(__u64))
#define OFF(f)	offsetof(struct edgeai_filter_stats, f)
#define IDX(f)	(OFF(f) / sizeof(__u64))

static const char *const stat_names[NF] = {
	"seen", "seen_bytes", "pass", "pass_bytes", "not_sensor", "unparsed",
	"bad_header", "length", "unknown_sensor", "rate_limited", "fragment",
	"reserved[0]", "reserved[1]", "reserved[2]", "reserved[3]",
	"reserved[4]",
};
_Static_assert(NF == 16, "edgeai_filter_stats changed: update stat_names");
_Static_assert(OFF(fragment) == 10 * 8 && OFF(reserved) == 11 * 8,
	       "edgeai_filter_stats changed: update stat_names");

/* Per-sensor counter a case moves. */
enum { SS_NONE, SS_PACKETS, SS_INVALID, SS_RATE };

static const char *const sstat_names[NSF] = {
	"packets", "bytes", "rate_limited", "invalid",
	"reserved[0]", "reserved[1]", "reserved[2]", "reserved[3]",
};
_Static_assert(NSF == 8 &&
	       offsetof(struct edgeai_sensor_stats, invalid) == 3 * 8,
	       "edgeai_sensor_stats changed: update sstat_names");

struct snap {
	__u64 g[NF];
	__u64 s[NSENSORS][NSF];
};

/* ---- programs and configurations ------------------------------------ */

enum { CFG_DEFAULT, CFG_DRY_RUN, CFG_PORTS, CFG_MAX };
enum { P_XDP, P_TC, P_XDP_META, P_MAX };

#define META_LEN	16	/* xdp+meta: bytes of metadata before the frame */

struct env {
	const char *name;
	struct edgeai_filter *skel;
	int prog[2];
	int stats, sensors, sstats;
	__u64 runs, bytes;	/* what edgeai_stats must add up to */
};

static struct env envs[CFG_MAX] = {
	[CFG_DEFAULT] = { .name = "default" },
	[CFG_DRY_RUN] = { .name = "dry-run" },
	[CFG_PORTS] = { .name = "ports 5000,6000" },
};

static const char *const prog_names[P_MAX] = { "xdp", "tc", "xdp+meta" };
static int ncpu;

/* ---- expectations --------------------------------------------------- */

enum { A_PASS, A_DROP, A_EINVAL };

struct expect {
	int act;		/* A_*: what the program returns */
	size_t ctr;		/* OFF() of the counter that moves */
	__u32 sensor;		/* whose per-sensor counter moves (sctr) */
	int sctr;		/* SS_* */
	__u32 tag;		/* nonzero: tag written, only tag+csum change */
};

struct tcase {
	const char *name;
	int ipv;		/* pkt_sensor(ipv, id), then build() */
	__u32 id;
	void (*build)(struct pkt_spec *s);
	int cfg;
	int act;
	size_t ctr;
	int sctr;		/* of sensor id */
	__u32 tag;
	int n;			/* sends (rate limit); 0: 1 */
	int n_pass;		/* the first n_pass as above, the rest limited */
	size_t frame_len;	/* nonzero: the frame must be this long */
};

static int nfail_ctx;

/* A check that names the case and the program. */
static void eq(const char *ctx, const char *what, long long got,
	       long long exp)
{
	t_checks++;
	if (got == exp)
		return;
	t_failures++;
	if (nfail_ctx++ < 200)
		fprintf(stderr, "FAIL %s: %s: expected %lld (%#llx), got %lld (%#llx)\n",
			ctx, what, exp, (unsigned long long)exp, got,
			(unsigned long long)got);
}

static void snap_read(struct env *e, struct snap *sn)
{
	__u64 g[ncpu][NF], s[ncpu][NSF];
	__u32 key = 0, id;
	size_t i, j;
	int c;

	memset(sn, 0, sizeof(*sn));
	T_ASSERT(bpf_map_lookup_elem(e->stats, &key, g) == 0);
	for (c = 0; c < ncpu; c++)
		for (i = 0; i < NF; i++)
			sn->g[i] += g[c][i];
	for (j = 0; j < NSENSORS; j++) {
		id = sensors[j].id;
		if (bpf_map_lookup_elem(e->sstats, &id, s)) {
			T_ASSERT(errno == ENOENT);
			continue;	/* not created yet: all zero */
		}
		for (c = 0; c < ncpu; c++)
			for (i = 0; i < NSF; i++)
				sn->s[j][i] += s[c][i];
	}
}

static void set_sensors(struct env *e)
{
	struct edgeai_sensor v;
	size_t i;

	for (i = 0; i < NSENSORS; i++) {
		memset(&v, 0, sizeof(v));
		v.rate_pps = sensors[i].rate;
		v.burst = sensors[i].burst;
		v.class = sensors[i].class;
		v.priority = sensors[i].prio;
		v.pipeline = sensors[i].pipe;
		v.tokens = (__u64)sensors[i].burst * 1000000000ull;
		v.last_ns = 0;
		T_ASSERT(bpf_map_update_elem(e->sensors, &sensors[i].id, &v,
					     BPF_ANY) == 0);
	}
}

static int sensor_idx(__u32 id)
{
	size_t i;

	for (i = 0; i < NSENSORS; i++)
		if (sensors[i].id == id)
			return (int)i;
	return -1;
}

/*
 * Run @prog of @e once on p->b[0 .. len). Returns 0 or -errno; the
 * frame that came out is in @out (@out_len bytes, metadata stripped).
 * P_XDP_META is edgeai_xdp with META_LEN bytes of metadata in front.
 */
static int run_prog(struct env *e, int prog, const struct pkt *p, size_t len,
		    __u8 *out, size_t *out_len, __u32 *retval)
{
	static __u8 in[PKT_MAX + META_LEN], o[PKT_MAX + META_LEN + 64];
	struct xdp_md md = { 0 };
	size_t meta = prog == P_XDP_META ? META_LEN : 0;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in,
		.data_size_in = (__u32)(meta + len),
		.data_out = o,
		.data_size_out = sizeof(o),
		.repeat = 1,
	);
	int err;

	memset(in, 0x33, meta);
	memcpy(in + meta, p->b, len);
	if (meta) {
		md.data = (__u32)meta;
		md.data_end = (__u32)(meta + len);
		opts.ctx_in = &md;
		opts.ctx_size_in = sizeof(md);
	}
	err = bpf_prog_test_run_opts(e->prog[prog == P_TC], &opts);
	if (err)
		return err < 0 ? err : -EIO;
	*retval = opts.retval;
	*out_len = opts.data_size_out >= meta ? opts.data_size_out - meta : 0;
	memcpy(out, o + meta, *out_len < PKT_MAX ? *out_len : PKT_MAX);
	return 0;
}

/* What the program must have done to this one frame. */
static void check_frame(const char *ctx, int prog, const struct pkt *p,
			size_t len, const struct expect *x, int rc,
			const __u8 *out, size_t out_len, __u32 retval)
{
	static const int xdp_ret[] = { XDP_PASS, XDP_DROP };
	static const int tc_ret[] = { TC_ACT_UNSPEC, TC_ACT_SHOT };
	size_t i, tag_off = p->wire + 28, ck_off = p->l4 + 6, bad = len;

	if (x->act == A_EINVAL) {
		eq(ctx, "BPF_PROG_TEST_RUN (want -EINVAL)", rc, -EINVAL);
		return;
	}
	eq(ctx, "BPF_PROG_TEST_RUN", rc, 0);
	if (rc)
		return;
	eq(ctx, "return value", (int)retval,
	   prog == P_TC ? tc_ret[x->act] : xdp_ret[x->act]);
	eq(ctx, "length out", (long long)out_len, (long long)len);
	if (out_len != len)
		return;
	if (!x->tag) {
		for (i = 0; i < len && bad == len; i++)
			if (out[i] != p->b[i])
				bad = i;
		eq(ctx, "first changed byte (want none)", (long long)bad,
		   (long long)len);
		return;
	}
	for (i = 0; i < len && bad == len; i++) {
		if ((i >= tag_off && i < tag_off + 4) ||
		    (i >= ck_off && i < ck_off + 2))
			continue;
		if (out[i] != p->b[i])
			bad = i;
	}
	eq(ctx, "first changed byte outside tag and checksum", (long long)bad,
	   (long long)len);
	eq(ctx, "tag", pkt_get_le32(out + tag_off), x->tag);
	eq(ctx, "UDP checksum valid", pkt_udp_csum_ok(p, out, len), 1);
	if (p->ipv == 4 && !pkt_get16(p->b + ck_off))
		eq(ctx, "zero IPv4 UDP checksum left alone",
		   pkt_get16(out + ck_off), 0);
}

/* Add what one frame must do to the counters to @d. */
static void add_expect(struct snap *d, const struct expect *x, size_t len)
{
	int j;

	if (x->act == A_EINVAL)
		return;
	d->g[IDX(seen)]++;
	d->g[IDX(seen_bytes)] += len;
	d->g[x->ctr / sizeof(__u64)]++;
	if (x->ctr == OFF(pass))
		d->g[IDX(pass_bytes)] += len;
	j = sensor_idx(x->sensor);
	if (j < 0 || x->sctr == SS_NONE)
		return;
	switch (x->sctr) {
	case SS_PACKETS:
		d->s[j][0]++;
		d->s[j][1] += len;
		break;
	case SS_RATE:
		d->s[j][2]++;
		break;
	case SS_INVALID:
		d->s[j][3]++;
		break;
	}
}

static void check_deltas(const char *ctx, const struct snap *a,
			 const struct snap *b, const struct snap *d)
{
	char what[96];
	size_t i, j;

	for (i = 0; i < NF; i++) {
		snprintf(what, sizeof(what), "edgeai_stats.%s delta",
			 stat_names[i]);
		eq(ctx, what, (long long)(b->g[i] - a->g[i]),
		   (long long)d->g[i]);
	}
	for (j = 0; j < NSENSORS; j++)
		for (i = 0; i < NSF; i++) {
			snprintf(what, sizeof(what),
				 "sensor %u stats.%s delta", sensors[j].id,
				 sstat_names[i]);
			eq(ctx, what, (long long)(b->s[j][i] - a->s[j][i]),
			   (long long)d->s[j][i]);
		}
}

/*
 * Send @n copies of @p (@len bytes) through @prog: the first @n_first
 * expect @x1, the rest @x2. Sends go back to back (a token bucket
 * refills in the meantime); outputs and counters are checked afterwards.
 */
static void run_check(struct env *e, int prog, const char *name,
		      const struct pkt *p, size_t len, int n, int n_first,
		      const struct expect *x1, const struct expect *x2)
{
	static __u8 outs[8][PKT_MAX];
	size_t out_len[8];
	__u32 retval[8];
	int rc[8], i;
	struct snap a, b, d;
	char ctx[200];

	T_ASSERT(n >= 1 && n <= 8);
	memset(&d, 0, sizeof(d));
	snap_read(e, &a);
	for (i = 0; i < n; i++)
		rc[i] = run_prog(e, prog, p, len, outs[i], &out_len[i],
				 &retval[i]);
	snap_read(e, &b);
	for (i = 0; i < n; i++) {
		const struct expect *x = i < n_first ? x1 : x2;

		if (n > 1)
			snprintf(ctx, sizeof(ctx), "%s [%s, %s] #%d", name,
				 e->name, prog_names[prog], i + 1);
		else
			snprintf(ctx, sizeof(ctx), "%s [%s, %s]", name,
				 e->name, prog_names[prog]);
		check_frame(ctx, prog, p, len, x, rc[i], outs[i], out_len[i],
			    retval[i]);
		add_expect(&d, x, len);
		if (x->act != A_EINVAL) {
			e->runs++;
			e->bytes += len;
		}
	}
	snprintf(ctx, sizeof(ctx), "%s [%s, %s]", name, e->name,
		 prog_names[prog]);
	check_deltas(ctx, &a, &b, &d);
}

/* ---- builders: each edits a valid packet (pkt_sensor) ------------- */

static void vlan1(struct pkt_spec *s)
{
	s->nvlan = 1;
}

static void vlan1ad(struct pkt_spec *s)
{
	s->nvlan = 1;
	s->tpid[0] = PKT_TPID_8021AD;
}

static void qinq(struct pkt_spec *s)
{
	s->nvlan = 2;
	s->tpid[0] = PKT_TPID_8021AD;
	s->tpid[1] = PKT_TPID_8021Q;
}

static void vlan2q(struct pkt_spec *s)
{
	s->nvlan = 2;
}

static void vlan3(struct pkt_spec *s)
{
	s->nvlan = 3;
	s->tpid[0] = PKT_TPID_8021AD;
}

static void opt4(struct pkt_spec *s)
{
	s->ip4_optlen = 4;
}

static void opt40(struct pkt_spec *s)
{
	s->ip4_optlen = 40;
}

static void qinq_opt8(struct pkt_spec *s)
{
	qinq(s);
	s->ip4_optlen = 8;
}

static void exts(struct pkt_spec *s, int n, const uint8_t *t)
{
	int i;

	s->next = n;
	for (i = 0; i < n; i++)
		s->ext[i] = t[i];
}

static void hop_dst(struct pkt_spec *s)
{
	exts(s, 2, (const uint8_t[]){ PKT_EXT_HOP, PKT_EXT_DST });
	s->ext_units[0] = 1;	/* 16 bytes */
}

static void ext4(struct pkt_spec *s)
{
	exts(s, 4, (const uint8_t[]){ PKT_EXT_HOP, PKT_EXT_ROUTING,
				      PKT_EXT_DST, PKT_EXT_DST });
	s->ext_units[0] = 1;
	s->ext_units[1] = 2;
}

static void ext5(struct pkt_spec *s)
{
	exts(s, 5, (const uint8_t[]){ PKT_EXT_HOP, PKT_EXT_ROUTING,
				      PKT_EXT_DST, PKT_EXT_DST,
				      PKT_EXT_DST });
}

static void ext4_tcp(struct pkt_spec *s)
{
	ext4(s);
	s->proto = PKT_PROTO_TCP;
}

static void ah(struct pkt_spec *s)
{
	exts(s, 1, (const uint8_t[]){ PKT_EXT_AH });
}

static void hop_ah(struct pkt_spec *s)
{
	exts(s, 2, (const uint8_t[]){ PKT_EXT_HOP, PKT_EXT_AH });
}

static void hop_tcp(struct pkt_spec *s)
{
	exts(s, 1, (const uint8_t[]){ PKT_EXT_HOP });
	s->proto = PKT_PROTO_TCP;
}

static void nonext(struct pkt_spec *s)
{
	s->proto = PKT_PROTO_NONE;
}

static void pad6(struct pkt_spec *s)
{
	s->pad = 6;
	s->pad_byte = 0xee;
}

static void pad20(struct pkt_spec *s)
{
	s->pad = 20;
}

/* A UDP datagram to the sensor port with no room for the header, in a
 * minimum-size frame: 42 bytes padded to 60. */
static void runt_padded(struct pkt_spec *s)
{
	s->no_wire = 1;
	s->payload_len = 0;
	s->pad = 60 - 42;
}

static void other_port_padded(struct pkt_spec *s)
{
	runt_padded(s);
	s->dport = 4748;
	s->payload_len = 4;
	s->pad = 60 - 46;
}

static void iplen_p1(struct pkt_spec *s)
{
	s->ip_len_delta = 1;
}

static void iplen_m1(struct pkt_spec *s)
{
	s->ip_len_delta = -1;
}

/* IP length longer than the datagram but inside the frame (padding). */
static void iplen_p4_pad(struct pkt_spec *s)
{
	s->ip_len_delta = 4;
	s->pad = 8;
}

/* IP and UDP lengths agree, both beyond the frame. */
static void iplen_udplen_p4(struct pkt_spec *s)
{
	s->ip_len_delta = 4;
	s->udp_len_delta = 4;
}

/* IP and UDP lengths agree and fit, one payload byte short: the last
 * byte looks like padding. */
static void iplen_udplen_m1(struct pkt_spec *s)
{
	s->ip_len_delta = -1;
	s->udp_len_delta = -1;
}

static void iplen_tiny(struct pkt_spec *s)
{
	/* IPv4 total length 10 < IHL; IPv6 payload length 4 < its exts */
	s->ip_len_delta = s->ipv == 4 ? -(int)(20 + 8 + 32 + 16) + 10 :
		-(int)(16 + 8 + 8 + 32 + 16) + 4;
	if (s->ipv == 6)
		hop_dst(s);
}

static void udplen_p1(struct pkt_spec *s)
{
	s->udp_len_delta = 1;
}

static void udplen_m1(struct pkt_spec *s)
{
	s->udp_len_delta = -1;
}

/* A datagram of 8 + 31 bytes, lengths consistent: no room for the header. */
static void short_hdr(struct pkt_spec *s)
{
	s->no_wire = 1;
	s->payload_len = 31;
}

static void count_p1(struct pkt_spec *s)
{
	s->wire.count = 5;
}

static void count_m1(struct pkt_spec *s)
{
	s->wire.count = 3;
}

static void bad_magic(struct pkt_spec *s)
{
	s->wire.magic = 0x53494146;
}

static void bad_magic_swapped(struct pkt_spec *s)
{
	s->wire.magic = 0x45414953;	/* "SIAE": big-endian writer */
}

static void udplen_p1_bad_magic(struct pkt_spec *s)
{
	bad_magic(s);
	s->udp_len_delta = 1;
}

static void bad_magic_flags1(struct pkt_spec *s)
{
	bad_magic(s);
	s->wire.flags = 1;
}

static void flags1_count_p1(struct pkt_spec *s)
{
	s->wire.flags = 1;
	s->wire.count = 5;
}

static void bad_magic_6000(struct pkt_spec *s)
{
	bad_magic(s);
	s->dport = 6000;
}

static void version0(struct pkt_spec *s)
{
	s->wire.version = 0;
}

static void version2(struct pkt_spec *s)
{
	s->wire.version = 2;
}

static void flags1(struct pkt_spec *s)
{
	s->wire.flags = 1;
}

static void flags8000(struct pkt_spec *s)
{
	s->wire.flags = 0x8000;
}

static void reserved1(struct pkt_spec *s)
{
	s->wire.reserved = 1;
}

static void sensor0(struct pkt_spec *s)
{
	s->wire.sensor_id = 0;
}

static void dtype0(struct pkt_spec *s)
{
	s->wire.dtype = EDGEAI_DTYPE_INVALID;
}

static void dtype10(struct pkt_spec *s)
{
	s->wire.dtype = EDGEAI_DTYPE_MAX + 1;
}

static void dtype255(struct pkt_spec *s)
{
	s->wire.dtype = 255;
}

static void count0(struct pkt_spec *s)
{
	s->wire.count = 0;
	s->payload_len = 0;
}

static void elems(struct pkt_spec *s, __u8 dtype, __u16 count, size_t size)
{
	s->wire.dtype = dtype;
	s->wire.count = count;
	s->payload_len = (size_t)count * size;
}

static void u8x1420(struct pkt_spec *s);

static void u8x1420_vlan(struct pkt_spec *s)
{
	u8x1420(s);
	vlan1(s);
}

static void u8x1421(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_U8, 1421, 1);
}

static void u16x711(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_U16, 711, 2);
}

static void f64x178(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_F64, 178, 8);
}

static void u8x1420(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_U8, 1420, 1);
}

static void f32x355(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_F32, 355, 4);
}

static void f64x177(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_F64, 177, 8);
}

static void u8x3(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_U8, 3, 1);
}

static void i8x1(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_I8, 1, 1);
}

static void u16x2(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_U16, 2, 2);
}

static void i16x3(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_I16, 3, 2);
}

static void f16x5(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_F16, 5, 2);
}

static void u32x1(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_U32, 1, 4);
}

static void i32x6(struct pkt_spec *s)
{
	elems(s, EDGEAI_DTYPE_I32, 6, 4);
}

static void tcp(struct pkt_spec *s)
{
	s->proto = PKT_PROTO_TCP;
}

static void icmp(struct pkt_spec *s)
{
	s->proto = PKT_PROTO_ICMP;
}

static void icmp6(struct pkt_spec *s)
{
	s->proto = PKT_PROTO_ICMPV6;
}

static void arp(struct pkt_spec *s)
{
	s->ipv = 0;
	s->ethertype = PKT_ETH_ARP;
	s->raw_len = 28;
}

static void arp_vlan(struct pkt_spec *s)
{
	arp(s);
	s->nvlan = 1;
}

static void lldp(struct pkt_spec *s)
{
	s->ipv = 0;
	s->ethertype = 0x88cc;
	s->raw_len = 46;
}

static void port4748(struct pkt_spec *s)
{
	s->dport = 4748;
}

static void port53_from4747(struct pkt_spec *s)
{
	s->sport = EDGEAI_WIRE_DEFAULT_PORT;
	s->dport = 53;
}

static void port5000(struct pkt_spec *s)
{
	s->dport = 5000;
}

static void port6000(struct pkt_spec *s)
{
	s->dport = 6000;
}

static void port5001(struct pkt_spec *s)
{
	s->dport = 5001;
}

static void frag_mf(struct pkt_spec *s)
{
	s->ip4_frag = PKT_IP_MF;
}

static void frag_mf_bad_magic(struct pkt_spec *s)
{
	frag_mf(s);
	bad_magic(s);
}

static void frag_mf_4748(struct pkt_spec *s)
{
	frag_mf(s);
	port4748(s);
}

static void frag_mid(struct pkt_spec *s)
{
	s->ip4_frag = PKT_IP_MF | 185;
}

static void frag_last(struct pkt_spec *s)
{
	s->ip4_frag = 185;
}

static void frag_last_tcp(struct pkt_spec *s)
{
	frag_last(s);
	tcp(s);
}

static void df(struct pkt_spec *s)
{
	s->ip4_frag = PKT_IP_DF;
}

static void frag6_first(struct pkt_spec *s)
{
	exts(s, 1, (const uint8_t[]){ PKT_EXT_FRAG });
	s->frag6 = PKT_FRAG6(0, 1);
}

static void frag6_atomic(struct pkt_spec *s)
{
	exts(s, 1, (const uint8_t[]){ PKT_EXT_FRAG });
	s->frag6 = PKT_FRAG6(0, 0);
}

static void frag6_mid(struct pkt_spec *s)
{
	exts(s, 1, (const uint8_t[]){ PKT_EXT_FRAG });
	s->frag6 = PKT_FRAG6(100, 1);
}

static void frag6_last(struct pkt_spec *s)
{
	exts(s, 1, (const uint8_t[]){ PKT_EXT_FRAG });
	s->frag6 = PKT_FRAG6(100, 0);
}

static void hop_frag6(struct pkt_spec *s)
{
	exts(s, 2, (const uint8_t[]){ PKT_EXT_HOP, PKT_EXT_FRAG });
	s->frag6 = PKT_FRAG6(0, 1);
}

static void frag6_4748(struct pkt_spec *s)
{
	frag6_first(s);
	port4748(s);
}

static void forged_tag(struct pkt_spec *s)
{
	s->wire.tag = 0xffffffff;
}

static void forged_filtered(struct pkt_spec *s)
{
	s->wire.tag = EDGEAI_TAG_FILTERED;
}

static void same_tag(struct pkt_spec *s)
{
	s->wire.tag = TAG_A;
}

static void csum0(struct pkt_spec *s)
{
	s->csum_zero = 1;
}

static void csum0_odd(struct pkt_spec *s)
{
	csum0(s);
	u8x3(s);
}

static void ipver5(struct pkt_spec *s)
{
	s->ip_version = s->ipv == 4 ? 5 : 4;
}

static void ihl4(struct pkt_spec *s)
{
	s->ip4_ihl = 4;
}

/* IHL 15 (60 bytes) in a frame that ends 28 bytes after the IP header. */
static void ihl15_past_end(struct pkt_spec *s)
{
	s->ip4_ihl = 15;
	s->no_wire = 1;
	s->payload_len = 0;
}

/* ---- the table ------------------------------------------------------ */

/* name, ipv, sensor, builder, config, action, counter, sensor counter,
 * tag[, .n = sends, .n_pass = how many pass][, .frame_len = length] */
#define C(nm, v, sid, bld, cf, a, c, ss, tg, ...)			\
	{ .name = nm, .ipv = v, .id = sid, .build = bld, .cfg = cf,	\
	  .act = a, .ctr = OFF(c), .sctr = ss, .tag = tg, __VA_ARGS__ }
#define D	CFG_DEFAULT
#define DRY	CFG_DRY_RUN
#define PORTS	CFG_PORTS

static const struct tcase cases[] = {
	/* valid, with and without VLAN tags */
	C("v4 valid", 4, S_A, NULL, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 valid", 6, S_A, NULL, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 one 802.1Q tag", 4, S_A, vlan1, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 one 802.1ad tag", 6, S_A, vlan1ad, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 QinQ 88a8+8100", 4, S_A, qinq, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 QinQ 88a8+8100", 6, S_A, qinq, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 two 8100 tags", 4, S_A, vlan2q, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 three VLAN tags", 4, S_A, vlan3, D, A_PASS, unparsed, SS_NONE, 0),
	C("v6 three VLAN tags", 6, S_A, vlan3, D, A_PASS, unparsed, SS_NONE, 0),
	/* IPv4 options, IPv6 extension headers */
	C("v4 4 bytes of options", 4, S_A, opt4, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 40 bytes of options", 4, S_A, opt40, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 QinQ + 8 bytes of options", 4, S_A, qinq_opt8, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 hop-by-hop + dstopts", 6, S_A, hop_dst, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 4 extension headers", 6, S_A, ext4, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 5 extension headers", 6, S_A, ext5, D, A_PASS, unparsed, SS_NONE, 0),
	C("v6 4 extension headers then TCP", 6, S_A, ext4_tcp, D, A_PASS, not_sensor, SS_NONE, 0),
	C("v6 AH", 6, S_A, ah, D, A_PASS, unparsed, SS_NONE, 0),
	C("v6 hop-by-hop + AH", 6, S_A, hop_ah, D, A_PASS, unparsed, SS_NONE, 0),
	C("v6 hop-by-hop + TCP", 6, S_A, hop_tcp, D, A_PASS, not_sensor, SS_NONE, 0),
	C("v6 no next header", 6, S_A, nonext, D, A_PASS, not_sensor, SS_NONE, 0),
	/* Ethernet padding / trailers */
	C("v4 + 6-byte trailer", 4, S_A, pad6, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 + 20 bytes of padding", 6, S_A, pad20, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 UDP to 4747, no header, padded to 60", 4, S_A, runt_padded, D, A_DROP, length, SS_NONE, 0, .frame_len = 60),
	C("v4 UDP to 4748, padded to 60", 4, S_A, other_port_padded, D, A_PASS, not_sensor, SS_NONE, 0, .frame_len = 60),
	/* lying length fields */
	C("v4 total length +1", 4, S_A, iplen_p1, D, A_DROP, length, SS_NONE, 0),
	C("v4 total length -1", 4, S_A, iplen_m1, D, A_DROP, length, SS_NONE, 0),
	C("v4 total length +4 into padding", 4, S_A, iplen_p4_pad, D, A_DROP, length, SS_NONE, 0),
	C("v4 total and UDP length +4, past the frame", 4, S_A, iplen_udplen_p4, D, A_DROP, length, SS_NONE, 0),
	C("v4 total and UDP length -1", 4, S_A, iplen_udplen_m1, D, A_DROP, length, SS_INVALID, 0),
	C("v4 total length < IHL", 4, S_A, iplen_tiny, D, A_DROP, length, SS_NONE, 0),
	C("v4 UDP length +1", 4, S_A, udplen_p1, D, A_DROP, length, SS_NONE, 0),
	C("v4 UDP length -1", 4, S_A, udplen_m1, D, A_DROP, length, SS_NONE, 0),
	C("v4 datagram too short for the header", 4, S_A, short_hdr, D, A_DROP, length, SS_NONE, 0),
	C("v4 count too big", 4, S_A, count_p1, D, A_DROP, length, SS_INVALID, 0),
	C("v4 count too small", 4, S_A, count_m1, D, A_DROP, length, SS_INVALID, 0),
	C("v6 payload length +1", 6, S_A, iplen_p1, D, A_DROP, length, SS_NONE, 0),
	C("v6 payload length -1", 6, S_A, iplen_m1, D, A_DROP, length, SS_NONE, 0),
	C("v6 payload and UDP length +4, past the frame", 6, S_A, iplen_udplen_p4, D, A_DROP, length, SS_NONE, 0),
	C("v6 payload and UDP length -1", 6, S_A, iplen_udplen_m1, D, A_DROP, length, SS_INVALID, 0),
	C("v6 payload length < extension headers", 6, S_A, iplen_tiny, D, A_DROP, length, SS_NONE, 0),
	C("v6 UDP length +1", 6, S_A, udplen_p1, D, A_DROP, length, SS_NONE, 0),
	C("v6 UDP length -1", 6, S_A, udplen_m1, D, A_DROP, length, SS_NONE, 0),
	C("v6 datagram too short for the header", 6, S_A, short_hdr, D, A_DROP, length, SS_NONE, 0),
	C("v6 count too big", 6, S_A, count_p1, D, A_DROP, length, SS_INVALID, 0),
	C("v6 count too small", 6, S_A, count_m1, D, A_DROP, length, SS_INVALID, 0),
	/* header fields */
	C("v4 bad magic", 4, S_A, bad_magic, D, A_DROP, bad_header, SS_NONE, 0),
	C("v6 byte-swapped magic", 6, S_A, bad_magic_swapped, D, A_DROP, bad_header, SS_NONE, 0),
	C("v4 version 0", 4, S_A, version0, D, A_DROP, bad_header, SS_NONE, 0),
	C("v6 version 2", 6, S_A, version2, D, A_DROP, bad_header, SS_NONE, 0),
	C("v4 flags 1", 4, S_A, flags1, D, A_DROP, bad_header, SS_INVALID, 0),
	C("v6 flags 0x8000", 6, S_B, flags8000, D, A_DROP, bad_header, SS_INVALID, 0),
	C("v4 reserved 1", 4, S_A, reserved1, D, A_DROP, bad_header, SS_INVALID, 0),
	C("v4 sensor_id 0", 4, 0, sensor0, D, A_DROP, bad_header, SS_NONE, 0),
	C("v6 sensor_id 0", 6, 0, sensor0, D, A_DROP, bad_header, SS_NONE, 0),
	C("v4 dtype 0", 4, S_A, dtype0, D, A_DROP, bad_header, SS_INVALID, 0),
	C("v4 dtype 10", 4, S_A, dtype10, D, A_DROP, bad_header, SS_INVALID, 0),
	C("v6 dtype 255", 6, S_A, dtype255, D, A_DROP, bad_header, SS_INVALID, 0),
	C("v4 count 0", 4, S_A, count0, D, A_DROP, bad_header, SS_INVALID, 0),
	C("v4 u8 x 1421 (> 1420)", 4, S_A, u8x1421, D, A_DROP, bad_header, SS_INVALID, 0),
	C("v6 u8 x 1421 (> 1420)", 6, S_A, u8x1421, D, A_DROP, bad_header, SS_INVALID, 0, .frame_len = 1515),
	C("v4 u16 x 711 (1422)", 4, S_A, u16x711, D, A_DROP, bad_header, SS_INVALID, 0),
	C("v6 f64 x 178 (1424)", 6, S_A, f64x178, D, A_DROP, bad_header, SS_INVALID, 0),
	C("v4 unknown sensor with flags 1", 4, S_UNKNOWN, flags1, D, A_DROP, bad_header, SS_NONE, 0),
	/* the first failing check names the reason (docs/protocol.md) */
	C("v4 first fragment with a bad magic", 4, S_A, frag_mf_bad_magic, D, A_DROP, fragment, SS_NONE, 0),
	C("v4 UDP length +1 and bad magic", 4, S_A, udplen_p1_bad_magic, D, A_DROP, length, SS_NONE, 0),
	C("v4 bad magic and flags 1", 4, S_A, bad_magic_flags1, D, A_DROP, bad_header, SS_NONE, 0),
	C("v6 flags 1 and count too big", 6, S_A, flags1_count_p1, D, A_DROP, bad_header, SS_INVALID, 0),
	C("v4 unknown sensor, count too big", 4, S_UNKNOWN, count_p1, D, A_DROP, length, SS_NONE, 0),
	C("v6 unknown sensor, dtype 0", 6, S_UNKNOWN, dtype0, D, A_DROP, bad_header, SS_NONE, 0),
	/* payload sizes and dtypes that pass */
	C("v6 u8 x 1420: a 1500-byte IPv6 packet", 6, S_A, u8x1420, D, A_PASS, pass, SS_PACKETS, TAG_A, .frame_len = 1514),
	C("v6 1500-byte IPv6 packet, one VLAN tag", 6, S_B, u8x1420_vlan, D, A_PASS, pass, SS_PACKETS, TAG_B, .frame_len = 1518),
	C("v4 f32 x 355 (1420)", 4, S_A, f32x355, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 f64 x 177 (1416)", 6, S_A, f64x177, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 u8 x 3 (odd length)", 4, S_A, u8x3, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 i8 x 1", 6, S_A, i8x1, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 u16 x 2", 4, S_A, u16x2, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 i16 x 3", 6, S_A, i16x3, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 f16 x 5", 4, S_A, f16x5, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 u32 x 1", 6, S_A, u32x1, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 i32 x 6", 4, S_A, i32x6, D, A_PASS, pass, SS_PACKETS, TAG_A),
	/* allow-list and rate limit */
	C("v4 unknown sensor", 4, S_UNKNOWN, NULL, D, A_DROP, unknown_sensor, SS_NONE, 0),
	C("v6 unknown sensor", 6, S_UNKNOWN, NULL, D, A_DROP, unknown_sensor, SS_NONE, 0),
	C("v4 1 pps burst 5: 8 packets", 4, S_RL, NULL, D, A_PASS, pass, SS_PACKETS, TAG_RL, .n = 8, .n_pass = 5),
	C("v6 1 pps burst 5: 8 packets", 6, S_RL, vlan1, D, A_PASS, pass, SS_PACKETS, TAG_RL, .n = 8, .n_pass = 5),
	/* not sensor traffic */
	C("v4 TCP that looks like UDP to 4747", 4, S_A, tcp, D, A_PASS, not_sensor, SS_NONE, 0),
	C("v4 ICMP", 4, S_A, icmp, D, A_PASS, not_sensor, SS_NONE, 0),
	C("v6 TCP", 6, S_A, tcp, D, A_PASS, not_sensor, SS_NONE, 0),
	C("v6 ICMPv6", 6, S_A, icmp6, D, A_PASS, not_sensor, SS_NONE, 0),
	C("ARP", 0, S_A, arp, D, A_PASS, not_sensor, SS_NONE, 0),
	C("ARP in a VLAN", 0, S_A, arp_vlan, D, A_PASS, not_sensor, SS_NONE, 0),
	C("LLDP", 0, S_A, lldp, D, A_PASS, not_sensor, SS_NONE, 0),
	C("v4 UDP to 4748", 4, S_A, port4748, D, A_PASS, not_sensor, SS_NONE, 0),
	C("v6 UDP from 4747 to 53", 6, S_A, port53_from4747, D, A_PASS, not_sensor, SS_NONE, 0),
	/* fragments */
	C("v4 first fragment (MF)", 4, S_A, frag_mf, D, A_DROP, fragment, SS_NONE, 0),
	C("v4 first fragment to 4748", 4, S_A, frag_mf_4748, D, A_PASS, not_sensor, SS_NONE, 0),
	C("v4 middle fragment", 4, S_A, frag_mid, D, A_PASS, unparsed, SS_NONE, 0),
	C("v4 last fragment", 4, S_A, frag_last, D, A_PASS, unparsed, SS_NONE, 0),
	C("v4 last fragment of TCP", 4, S_A, frag_last_tcp, D, A_PASS, not_sensor, SS_NONE, 0),
	C("v4 DF set", 4, S_A, df, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 first fragment", 6, S_A, frag6_first, D, A_DROP, fragment, SS_NONE, 0),
	C("v6 atomic fragment", 6, S_A, frag6_atomic, D, A_DROP, fragment, SS_NONE, 0),
	C("v6 hop-by-hop + first fragment", 6, S_A, hop_frag6, D, A_DROP, fragment, SS_NONE, 0),
	C("v6 middle fragment", 6, S_A, frag6_mid, D, A_PASS, unparsed, SS_NONE, 0),
	C("v6 last fragment", 6, S_A, frag6_last, D, A_PASS, unparsed, SS_NONE, 0),
	C("v6 first fragment to 4748", 6, S_A, frag6_4748, D, A_PASS, not_sensor, SS_NONE, 0),
	/* the tag and the checksum */
	C("v4 forged tag 0xffffffff", 4, S_A, forged_tag, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v6 forged tag 0x80000000", 6, S_A, forged_filtered, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 sender wrote the right tag", 4, S_A, same_tag, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 zero checksum stays zero", 4, S_A, csum0, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 zero checksum, odd length", 4, S_A, csum0_odd, D, A_PASS, pass, SS_PACKETS, TAG_A),
	C("v4 class/priority/pipeline in the tag", 4, S_B, NULL, D, A_PASS, pass, SS_PACKETS, TAG_B),
	C("v6 class/priority/pipeline in the tag", 6, S_B, qinq, D, A_PASS, pass, SS_PACKETS, TAG_B),
	/* headers the parser will not trust */
	C("v4 version 5 in an IPv4 frame", 4, S_A, ipver5, D, A_PASS, unparsed, SS_NONE, 0),
	C("v6 version 4 in an IPv6 frame", 6, S_A, ipver5, D, A_PASS, unparsed, SS_NONE, 0),
	C("v4 IHL 4", 4, S_A, ihl4, D, A_PASS, unparsed, SS_NONE, 0),
	C("v4 IHL 15 past the frame", 4, S_A, ihl15_past_end, D, A_PASS, unparsed, SS_NONE, 0),
	/* dry run: nothing dropped, the reason still counted */
	C("dry-run v4 valid", 4, S_A, NULL, DRY, A_PASS, pass, SS_PACKETS, TAG_A),
	C("dry-run v4 bad magic", 4, S_A, bad_magic, DRY, A_PASS, bad_header, SS_NONE, 0),
	C("dry-run v6 flags 1", 6, S_A, flags1, DRY, A_PASS, bad_header, SS_INVALID, 0),
	C("dry-run v4 count too big", 4, S_A, count_p1, DRY, A_PASS, length, SS_INVALID, 0),
	C("dry-run v4 unknown sensor", 4, S_UNKNOWN, NULL, DRY, A_PASS, unknown_sensor, SS_NONE, 0),
	C("dry-run v4 first fragment", 4, S_A, frag_mf, DRY, A_PASS, fragment, SS_NONE, 0),
	C("dry-run v4 1 pps burst 5: 8 packets", 4, S_RL, NULL, DRY, A_PASS, pass, SS_PACKETS, TAG_RL, .n = 8, .n_pass = 5),
	C("dry-run v4 TCP", 4, S_A, tcp, DRY, A_PASS, not_sensor, SS_NONE, 0),
	/* two custom ports */
	C("ports v4 to 5000", 4, S_A, port5000, PORTS, A_PASS, pass, SS_PACKETS, TAG_A),
	C("ports v6 to 6000", 6, S_B, port6000, PORTS, A_PASS, pass, SS_PACKETS, TAG_B),
	C("ports v4 to 4747", 4, S_A, NULL, PORTS, A_PASS, not_sensor, SS_NONE, 0),
	C("ports v4 to 5001", 4, S_A, port5001, PORTS, A_PASS, not_sensor, SS_NONE, 0),
	C("ports v6 bad magic to 6000", 6, S_A, bad_magic_6000, PORTS, A_DROP, bad_header, SS_NONE, 0),
};

#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static void run_case(const struct tcase *c)
{
	struct env *e = &envs[c->cfg];
	struct expect x1 = { c->act, c->ctr, c->id, c->sctr, c->tag };
	struct expect x2 = { c->cfg == CFG_DRY_RUN ? A_PASS : A_DROP,
			     OFF(rate_limited), c->id, SS_RATE, 0 };
	struct pkt_spec s;
	static struct pkt p;
	int prog, n = c->n ? c->n : 1;

	pkt_sensor(&s, c->ipv, c->id);
	if (c->build)
		c->build(&s);
	pkt_build(&p, &s);
	if (c->frame_len)
		eq(c->name, "frame length as built", (long long)p.len,
		   (long long)c->frame_len);
	if (c->ipv && s.proto == 0 && !s.no_wire && !s.udp_len_delta &&
	    !s.ip_len_delta)
		eq(c->name, "the builder's UDP checksum is valid",
		   pkt_udp_csum_ok(&p, p.b, p.len), 1);
	for (prog = P_XDP; prog <= P_TC; prog++) {
		if (n > 1)	/* a fresh, full bucket for each program */
			set_sensors(e);
		run_check(e, prog, c->name, &p, p.len, n,
			  c->n_pass ? c->n_pass : n, &x1, &x2);
	}
}

/* ---- truncation ----------------------------------------------------- */

/*
 * A base frame cut at every length. Below the end of the UDP header (or
 * of the L2 header for non-IP, or of the IP header for other protocols)
 * the frame is unparsed; past it the verdict is @past.
 *
 * What BPF_PROG_TEST_RUN refuses with EINVAL before the program runs
 * (the same on 6.1 and 6.18):
 *   - any frame shorter than ETH_HLEN (14), XDP and tc alike; for XDP
 *     also with metadata in front (xdp_md.data > 0): the 14 bytes are
 *     counted from xdp_md.data. So the parser's "shorter than Ethernet"
 *     path cannot be reached from here (tests/fuzz covers it);
 *   - tc only: an untagged IPv4 frame shorter than 14 + 20 bytes, or
 *     IPv6 shorter than 14 + 40 (the skb path pulls the IP header).
 *     Behind a VLAN tag the same truncations do reach the tc program.
 */
static void qinq_hop_dst(struct pkt_spec *s)
{
	qinq(s);
	hop_dst(s);
}

static void tcp_opt(struct pkt_spec *s)
{
	tcp(s);
	opt4(s);
}

struct trunc {
	const char *name;
	int ipv;
	__u32 id;
	void (*build)(struct pkt_spec *s);
	int past_act;
	size_t past_ctr;
	int full_act;
	size_t full_ctr;
	__u32 full_tag;
};

/* name, ipv, sensor, builder, past UDP: action, counter; whole: action,
 * counter, tag */
#define T(nm, v, sid, bld, pa, pc, fa, fc, tg)				\
	{ .name = nm, .ipv = v, .id = sid, .build = bld, .past_act = pa,	\
	  .past_ctr = OFF(pc), .full_act = fa, .full_ctr = OFF(fc),	\
	  .full_tag = tg }

static const struct trunc truncs[] = {
	T("v4", 4, S_A, NULL, A_DROP, length, A_PASS, pass, TAG_A),
	T("v4 one tag", 4, S_A, vlan1, A_DROP, length, A_PASS, pass, TAG_A),
	T("v4 QinQ + options", 4, S_A, qinq_opt8, A_DROP, length, A_PASS, pass, TAG_A),
	T("v6 one tag", 6, S_A, vlan1ad, A_DROP, length, A_PASS, pass, TAG_A),
	T("v6 QinQ + hop-by-hop + dstopts", 6, S_B, qinq_hop_dst, A_DROP, length, A_PASS, pass, TAG_B),
	T("v6 hop-by-hop + dstopts", 6, S_A, hop_dst, A_DROP, length, A_PASS, pass, TAG_A),
	T("v6 4 extension headers", 6, S_A, ext4, A_DROP, length, A_PASS, pass, TAG_A),
	T("v4 first fragment", 4, S_A, frag_mf, A_DROP, fragment, A_DROP, fragment, 0),
	T("v6 first fragment", 6, S_A, hop_frag6, A_DROP, fragment, A_DROP, fragment, 0),
	T("v4 UDP to 4748", 4, S_A, port4748, A_PASS, not_sensor, A_PASS, not_sensor, 0),
	T("v4 TCP + options", 4, S_A, tcp_opt, A_PASS, not_sensor, A_PASS, not_sensor, 0),
	T("ARP in a VLAN", 0, S_A, arp_vlan, A_PASS, not_sensor, A_PASS, not_sensor, 0),
};

static const char *layer(const struct pkt *p, size_t len)
{
	if (len < 14)
		return "in Ethernet";
	if (len < p->l3)
		return len == 14 ? "after Ethernet" : "in VLAN tags";
	if (!p->ipv)
		return "in the L3 payload";
	if (len == p->l3)
		return "after L2";
	if (len < p->l3_end)
		return "in the IP header";
	if (len < p->l4)
		return len == p->l3_end ? "after the IP header" :
			"in IP options / IPv6 extension headers";
	if (len < p->l4 + 8)
		return len == p->l4 ? "before UDP" : "in the UDP header";
	if (len < p->wire + EDGEAI_WIRE_HDR_LEN)
		return len == p->wire ? "after UDP" : "in the sensor header";
	if (len < p->ip_end)
		return len == p->payload ? "after the sensor header" :
			"in the payload";
	return "whole frame";
}

static void run_trunc(const struct trunc *t)
{
	struct env *e = &envs[CFG_DEFAULT];
	struct expect unparsed = { A_PASS, OFF(unparsed), t->id, SS_NONE, 0 };
	struct expect einval = { A_EINVAL, 0, 0, SS_NONE, 0 };
	struct expect past = { t->past_act, t->past_ctr, t->id, SS_NONE, 0 };
	struct expect full = { t->full_act, t->full_ctr, t->id,
			       t->full_tag ? SS_PACKETS : SS_NONE,
			       t->full_tag };
	const struct expect *x;
	struct pkt_spec s;
	static struct pkt p;
	size_t len, need;
	char name[160];
	int prog;

	pkt_sensor(&s, t->ipv, t->id);
	if (t->build)
		t->build(&s);
	pkt_build(&p, &s);
	/* where the frame becomes parseable as far as the verdict needs */
	if (!p.ipv)
		need = p.l3;
	else if (s.proto && s.proto != PKT_PROTO_UDP)
		need = p.l4;
	else
		need = p.l4 + 8;

	for (len = 0; len <= p.full; len++) {
		snprintf(name, sizeof(name), "truncated %s at %zu of %zu (%s)",
			 t->name, len, p.full, layer(&p, len));
		x = len == p.full ? &full : len >= need ? &past : &unparsed;
		for (prog = P_XDP; prog < P_MAX; prog++) {
			if (prog == P_XDP_META && len > 14)
				continue;
			run_check(e, prog, name, &p, len, 1, 1,
				  len < 14 || (prog == P_TC && !s.nvlan &&
					       p.ipv && len < p.l3_end) ?
				  &einval : x, NULL);
		}
	}
}

/* ---- setup ---------------------------------------------------------- */

static void load(struct env *e, int cfg)
{
	struct edgeai_filter *sk;
	int err;

	sk = edgeai_filter__open();
	T_ASSERT(sk);
	if (cfg == CFG_DRY_RUN)
		sk->rodata->edgeai_cfg_flags = EDGEAI_FILTER_F_DRY_RUN;
	if (cfg == CFG_PORTS) {
		memset((void *)sk->rodata->edgeai_ports, 0,
		       sizeof(sk->rodata->edgeai_ports));
		sk->rodata->edgeai_ports[0] = 5000;
		sk->rodata->edgeai_ports[1] = 6000;
	}
	err = edgeai_filter__load(sk);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			t_skip("loading BPF programs is not permitted here (needs CAP_BPF + CAP_NET_ADMIN)");
		fprintf(stderr, "loading edgeai_filter (%s): %s\n", e->name,
			strerror(-err));
		T_ASSERT(err == 0);
	}
	e->skel = sk;
	e->prog[0] = bpf_program__fd(sk->progs.edgeai_xdp);
	e->prog[1] = bpf_program__fd(sk->progs.edgeai_tc);
	e->stats = bpf_map__fd(sk->maps.edgeai_stats);
	e->sensors = bpf_map__fd(sk->maps.edgeai_sensors);
	e->sstats = bpf_map__fd(sk->maps.edgeai_sensor_stats);
	set_sensors(e);
}

/* After everything: the counters add up, unknown ids got no entry. */
static void check_totals(struct env *e)
{
	__u64 v[ncpu][NSF];
	struct snap sn;
	char ctx[96];
	__u64 sum = 0;
	__u32 id;
	size_t i;

	snprintf(ctx, sizeof(ctx), "totals [%s]", e->name);
	snap_read(e, &sn);
	for (i = IDX(pass); i <= IDX(fragment); i++)
		if (i != IDX(pass_bytes))
			sum += sn.g[i];
	eq(ctx, "seen == pass + not_sensor + unparsed + drop reasons",
	   (long long)sn.g[IDX(seen)], (long long)sum);
	eq(ctx, "seen == frames run", (long long)sn.g[IDX(seen)],
	   (long long)e->runs);
	eq(ctx, "seen_bytes == bytes run", (long long)sn.g[IDX(seen_bytes)],
	   (long long)e->bytes);
	for (i = IDX(reserved); i < NF; i++)
		eq(ctx, stat_names[i], (long long)sn.g[i], 0);
	id = S_UNKNOWN;
	eq(ctx, "no per-sensor entry for an unknown sensor",
	   bpf_map_lookup_elem(e->sstats, &id, v) ? -errno : 0, -ENOENT);
	id = 0;
	eq(ctx, "no per-sensor entry for sensor 0",
	   bpf_map_lookup_elem(e->sstats, &id, v) ? -errno : 0, -ENOENT);
	printf("%-16s %llu frames, %llu bytes: pass %llu, not_sensor %llu, unparsed %llu, bad_header %llu, length %llu, unknown_sensor %llu, rate_limited %llu, fragment %llu\n",
	       e->name, (unsigned long long)sn.g[IDX(seen)],
	       (unsigned long long)sn.g[IDX(seen_bytes)],
	       (unsigned long long)sn.g[IDX(pass)],
	       (unsigned long long)sn.g[IDX(not_sensor)],
	       (unsigned long long)sn.g[IDX(unparsed)],
	       (unsigned long long)sn.g[IDX(bad_header)],
	       (unsigned long long)sn.g[IDX(length)],
	       (unsigned long long)sn.g[IDX(unknown_sensor)],
	       (unsigned long long)sn.g[IDX(rate_limited)],
	       (unsigned long long)sn.g[IDX(fragment)]);
}

int main(void)
{
	size_t i;
	int cfg;

	if (geteuid() != 0)
		t_skip("BPF_PROG_TEST_RUN of XDP/tc programs needs root");
	ncpu = libbpf_num_possible_cpus();
	T_ASSERT(ncpu > 0);

	/* the tag layout of include/edgeai/wire.h, by hand */
	T_EQ(EDGEAI_TAG_MAKE(3, 5, 7), TAG_A);
	T_EQ(EDGEAI_TAG_MAKE(0xff, 0x80, 0x01), TAG_B);
	T_EQ(EDGEAI_TAG_CLASS(TAG_B), 0xff);
	T_EQ(EDGEAI_TAG_PRIORITY(TAG_B), 0x80);
	T_EQ(EDGEAI_TAG_PIPELINE(TAG_B), 0x01);

	for (cfg = 0; cfg < CFG_MAX; cfg++)
		load(&envs[cfg], cfg);

	for (i = 0; i < NCASES; i++)
		run_case(&cases[i]);
	for (i = 0; i < sizeof(truncs) / sizeof(truncs[0]); i++)
		run_trunc(&truncs[i]);

	for (cfg = 0; cfg < CFG_MAX; cfg++) {
		check_totals(&envs[cfg]);
		edgeai_filter__destroy(envs[cfg].skel);
	}
	printf("%zu cases x 2 programs, %zu truncated bases; %d checks\n",
	       NCASES, sizeof(truncs) / sizeof(truncs[0]), t_checks);
	return t_done();
}
