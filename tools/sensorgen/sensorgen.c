// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai-sensorgen - send and receive edgeai sensor packets
 * (include/edgeai/wire.h, docs/protocol.md): a traffic generator for the
 * demo, benchmarks and the end-to-end filter test, and a receiver that
 * checks every datagram against the wire format and reports per sensor.
 *
 *   edgeai-sensorgen send --dst ADDR[:PORT] [--mix SPEC] ...
 *   edgeai-sensorgen recv --bind [ADDR]:PORT [--json] ...
 *
 * Payloads are a pure function of (sensor, seq, element index, dtype), so
 * the receiver can tell whether a payload arrived intact. Malformed kinds
 * that need lying IP or UDP length fields are built by hand and sent on an
 * AF_PACKET socket (--iface); everything else goes through a UDP socket.
 */
#include <net/if.h>
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <edgeai/wire.h>

#define PROG		"edgeai-sensorgen"
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

#define MAX_KINDS	64
#define MAX_TAGS	16	/* distinct tags reported per sensor */
#define FRAME_MAX	2048
#define BAD_MAGIC	0x58494145u	/* "EAIX" */

/* ---- common helpers ---------------------------------------------------- */

static bool json_out;

static int fail(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 0);
	if (errno || *end || *v > max)
		return -1;
	return 0;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Print @s as a JSON string. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static const struct {
	const char *name;
	uint8_t dtype;
} dtypes[] = {
	{ "u8", EDGEAI_DTYPE_U8 }, { "i8", EDGEAI_DTYPE_I8 },
	{ "u16", EDGEAI_DTYPE_U16 }, { "i16", EDGEAI_DTYPE_I16 },
	{ "u32", EDGEAI_DTYPE_U32 }, { "i32", EDGEAI_DTYPE_I32 },
	{ "f16", EDGEAI_DTYPE_F16 }, { "f32", EDGEAI_DTYPE_F32 },
	{ "f64", EDGEAI_DTYPE_F64 },
};

static const char *dtype_name(uint8_t dtype)
{
	size_t i;

	for (i = 0; i < sizeof(dtypes) / sizeof(dtypes[0]); i++)
		if (dtypes[i].dtype == dtype)
			return dtypes[i].name;
	return "?";
}

/* ---- payload ------------------------------------------------------------ */

/* The half-precision encoding of an integer 0..2047 (exact). */
static uint16_t half_of(uint32_t n)
{
	int e = 0;

	if (!n)
		return 0;
	while ((n >> (e + 1)) != 0)
		e++;
	return (uint16_t)((uint32_t)(e + 15) << 10 | ((n << (10 - e)) & 0x3ff));
}

/*
 * Element @i of the payload of (@sensor, @seq), @esize bytes at @p: the
 * integer v = sensor * 1000003 + seq * 1009 + i (mod 2^32), truncated to
 * integer dtypes, v mod 2048 for f16, v mod 2^24 for f32 and v for f64 -
 * all exact, so every receiver computes the same bytes.
 */
static void payload_elem(uint8_t *p, uint8_t dtype, uint32_t sensor,
			 uint32_t seq, uint32_t i)
{
	uint32_t v = sensor * 1000003u + seq * 1009u + i;
	float f;
	double d;

	switch (dtype) {
	case EDGEAI_DTYPE_U8:
	case EDGEAI_DTYPE_I8:
		p[0] = (uint8_t)v;
		break;
	case EDGEAI_DTYPE_U16:
	case EDGEAI_DTYPE_I16:
		put_le16(p, (uint16_t)v);
		break;
	case EDGEAI_DTYPE_F16:
		put_le16(p, half_of(v & 0x7ff));
		break;
	case EDGEAI_DTYPE_U32:
	case EDGEAI_DTYPE_I32:
		put_le32(p, v);
		break;
	case EDGEAI_DTYPE_F32:
		f = (float)(v & 0xffffff);
		memcpy(&v, &f, 4);
		put_le32(p, v);
		break;
	case EDGEAI_DTYPE_F64: {
		uint64_t u;

		d = (double)v;
		memcpy(&u, &d, 8);
		put_le64(p, u);
		break;
	}
	}
}

/* Fill @n elements; bytes past the last whole element are 0xee. */
static void payload_fill(uint8_t *p, size_t len, uint8_t dtype,
			 uint32_t sensor, uint32_t seq)
{
	uint32_t esize = edgeai_wire_dtype_size(dtype), i;

	if (!esize)
		esize = 4;
	for (i = 0; (size_t)(i + 1) * esize <= len; i++)
		payload_elem(p + (size_t)i * esize, dtype, sensor, seq, i);
	memset(p + (size_t)i * esize, 0xee, len - (size_t)i * esize);
}

/* ---- addresses ---------------------------------------------------------- */

/*
 * "ADDR", "ADDR:PORT", "[V6ADDR]:PORT", ":PORT" (any address) or "PORT"
 * with @bind. An IPv6 address without brackets takes no port.
 */
static int parse_addr(const char *arg, uint16_t dflt_port, bool bind_any,
		      struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256] = "", *colon;
	const char *port = NULL;
	struct addrinfo hints = { 0 }, *ai;
	unsigned long p = dflt_port;
	int ret;

	if (strlen(arg) >= sizeof(host))
		return -1;
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');

		if (!close || (close[1] && close[1] != ':'))
			return -1;
		memcpy(host, arg + 1, (size_t)(close - arg - 1));
		host[close - arg - 1] = '\0';
		if (close[1] == ':')
			port = close + 2;
	} else if ((colon = strchr(arg, ':')) && !strchr(colon + 1, ':')) {
		memcpy(host, arg, (size_t)(colon - arg));
		host[colon - arg] = '\0';
		port = colon + 1;
	} else if (bind_any && !strchr(arg, ':') && !strchr(arg, '.')) {
		port = arg;		/* just a port */
	} else {
		strcpy(host, arg);
	}
	if (port && parse_ulong(port, 65535, &p))
		return -1;
	if (!p)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (!host[0]) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (!bind_any)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*s6);
		return 0;
	}
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV | (bind_any ? AI_PASSIVE : 0);
	ret = getaddrinfo(host, "1", &hints, &ai);
	if (ret)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)p);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)p);
	return 0;
}

static uint16_t addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static void addr_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static const char *addr_str(const struct sockaddr_storage *ss, char *buf,
			    size_t len)
{
	const void *a = ss->ss_family == AF_INET ?
		(const void *)&((const struct sockaddr_in *)ss)->sin_addr :
		(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (!inet_ntop(ss->ss_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

/* ---- the wire header ---------------------------------------------------- */

struct wire_fields {
	uint32_t magic;
	uint8_t version;
	uint8_t dtype;
	uint16_t flags;
	uint32_t sensor;
	uint32_t seq;
	uint16_t count;
	uint16_t reserved;
};

/* Header + @payload_len bytes of payload at @p; returns the length. */
static size_t wire_build(uint8_t *p, const struct wire_fields *w,
			 size_t payload_len)
{
	put_le32(p, w->magic);
	p[4] = w->version;
	p[5] = w->dtype;
	put_le16(p + 6, w->flags);
	put_le32(p + 8, w->sensor);
	put_le32(p + 12, w->seq);
	put_le64(p + 16, now_ns(CLOCK_REALTIME));
	put_le16(p + 24, w->count);
	put_le16(p + 26, w->reserved);
	put_le32(p + 28, 0);		/* tag: the filter writes it */
	payload_fill(p + EDGEAI_WIRE_HDR_LEN, payload_len, w->dtype, w->sensor,
		     w->seq);
	return EDGEAI_WIRE_HDR_LEN + payload_len;
}

/* ---- send: the mix ------------------------------------------------------ */

enum verdict { V_PASS, V_NOT_SENSOR, V_BAD_HEADER, V_LENGTH, V_FRAGMENT,
	       V_NR };
static const char *const verdict_names[V_NR] = {
	"pass", "not_sensor", "bad_header", "length", "fragment",
};

enum kind_id {
	K_VALID, K_UNKNOWN, K_BURST, K_BADMAGIC, K_BADVERSION, K_BADFLAGS,
	K_BADDTYPE, K_COUNTBIG, K_SHORTLEN, K_LONGLEN, K_TRUNCATED, K_OTHER,
	K_IPLONG, K_UDPLONG, K_UDPSHORT, K_FRAGMENT, K_BADCSUM,
};

struct kind_def {
	const char *name;
	enum verdict verdict;	/* the parser's; allow-list and rate follow */
	bool raw;		/* built by hand, sent on AF_PACKET */
	bool valid;		/* a well-formed packet: takes the next seq */
	bool paced;		/* follows --rate */
};

static const struct kind_def kinds[] = {
	[K_VALID] = { "valid", V_PASS, false, true, true },
	[K_UNKNOWN] = { "unknown", V_PASS, false, true, true },
	[K_BURST] = { "burst", V_PASS, false, true, false },
	[K_BADMAGIC] = { "badmagic", V_BAD_HEADER, false, false, false },
	[K_BADVERSION] = { "badversion", V_BAD_HEADER, false, false, false },
	[K_BADFLAGS] = { "badflags", V_BAD_HEADER, false, false, false },
	[K_BADDTYPE] = { "baddtype", V_BAD_HEADER, false, false, false },
	[K_COUNTBIG] = { "countbig", V_BAD_HEADER, false, false, false },
	[K_SHORTLEN] = { "shortlen", V_LENGTH, false, false, false },
	[K_LONGLEN] = { "longlen", V_LENGTH, false, false, false },
	[K_TRUNCATED] = { "truncated", V_LENGTH, false, false, false },
	[K_OTHER] = { "other", V_NOT_SENSOR, false, false, false },
	[K_IPLONG] = { "iplong", V_LENGTH, true, false, false },
	[K_UDPLONG] = { "udplong", V_LENGTH, true, false, false },
	[K_UDPSHORT] = { "udpshort", V_LENGTH, true, false, false },
	[K_FRAGMENT] = { "fragment", V_FRAGMENT, true, false, false },
	[K_BADCSUM] = { "badcsum", V_PASS, true, false, false },
};
#define NR_KINDS (sizeof(kinds) / sizeof(kinds[0]))

struct mix_item {
	enum kind_id kind;
	uint32_t sensor;
	uint32_t count;
	/* results */
	uint32_t sent;
	uint64_t bytes;		/* UDP payload bytes (raw: as built) */
	uint32_t seq_first, seq_last;
};

struct send_opts {
	struct sockaddr_storage dst;
	socklen_t dst_len;
	const char *dst_arg;
	const char *iface;
	uint8_t dst_mac[6];
	bool have_dst_mac;
	uint32_t sensor;
	uint32_t count;
	uint32_t rate;
	uint8_t dtype;
	uint32_t elems;
	uint32_t seq;
	struct mix_item mix[MAX_KINDS];
	int nmix;
};

static int parse_mix(struct send_opts *o, char *spec)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(spec, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *colon;
		struct mix_item *m;
		unsigned long v;
		size_t k;

		if (!eq)
			return fail(EXIT_USAGE, "--mix: '%s' is not KIND=N or KIND=ID:N", tok);
		*eq = '\0';
		for (k = 0; k < NR_KINDS; k++)
			if (!strcmp(kinds[k].name, tok))
				break;
		if (k == NR_KINDS)
			return fail(EXIT_USAGE, "--mix: unknown kind '%s' (see --help)", tok);
		if (o->nmix == MAX_KINDS)
			return fail(EXIT_USAGE, "--mix: more than %d kinds", MAX_KINDS);
		m = &o->mix[o->nmix++];
		memset(m, 0, sizeof(*m));
		m->kind = (enum kind_id)k;
		m->sensor = o->sensor;
		colon = strchr(eq + 1, ':');
		if (colon) {
			*colon = '\0';
			if (parse_ulong(eq + 1, UINT32_MAX, &v) || !v)
				return fail(EXIT_USAGE, "--mix: bad sensor id '%s' for %s",
					    eq + 1, tok);
			m->sensor = (uint32_t)v;
		}
		if (parse_ulong(colon ? colon + 1 : eq + 1, UINT32_MAX, &v))
			return fail(EXIT_USAGE, "--mix: bad count for %s", tok);
		m->count = (uint32_t)v;
	}
	if (!o->nmix)
		return fail(EXIT_USAGE, "--mix: empty");
	return 0;
}

/* Per-sensor next seq of the valid kinds. */
struct seq_slot {
	uint32_t sensor;
	uint32_t next;
};

static uint32_t *seq_of(struct seq_slot *slots, int *n, uint32_t sensor,
			uint32_t start)
{
	int i;

	for (i = 0; i < *n; i++)
		if (slots[i].sensor == sensor)
			return &slots[i].next;
	slots[*n].sensor = sensor;
	slots[*n].next = start;
	return &slots[(*n)++].next;
}

/* ---- send: raw frames --------------------------------------------------- */

struct raw_ctx {
	int fd;
	int ifindex;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	struct sockaddr_storage src;	/* address and port of the UDP socket */
	uint16_t ip_id;
};

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Look up the neighbour entry of @dst on @ifindex (rtnetlink dump). */
static int neigh_lookup(const struct sockaddr_storage *dst, int ifindex,
			uint8_t mac[6])
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req = { 0 };
	const void *want = dst->ss_family == AF_INET ?
		(const void *)&((const struct sockaddr_in *)dst)->sin_addr :
		(const void *)&((const struct sockaddr_in6 *)dst)->sin6_addr;
	size_t alen = dst->ss_family == AF_INET ? 4 : 16;
	static char buf[32768];
	int fd, found = -1, done = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.nd.ndm_family = (uint8_t)dst->ss_family;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		close(fd);
		return -1;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (n <= 0)
			break;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			struct ndmsg *nd = NLMSG_DATA(nh);
			struct rtattr *rta;
			int rlen;
			const void *a = NULL, *ll = NULL;
			size_t a_len = 0, ll_len = 0;

			if (nh->nlmsg_type == NLMSG_DONE ||
			    nh->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (nh->nlmsg_type != RTM_NEWNEIGH ||
			    nd->ndm_ifindex != ifindex ||
			    !(nd->ndm_state & (NUD_REACHABLE | NUD_STALE |
					       NUD_DELAY | NUD_PROBE |
					       NUD_PERMANENT | NUD_NOARP)))
				continue;
			rlen = (int)RTM_PAYLOAD(nh);
			for (rta = RTM_RTA(nd); RTA_OK(rta, rlen);
			     rta = RTA_NEXT(rta, rlen)) {
				if (rta->rta_type == NDA_DST) {
					a = RTA_DATA(rta);
					a_len = RTA_PAYLOAD(rta);
				} else if (rta->rta_type == NDA_LLADDR) {
					ll = RTA_DATA(rta);
					ll_len = RTA_PAYLOAD(rta);
				}
			}
			if (a && a_len == alen && !memcmp(a, want, alen) &&
			    ll && ll_len == 6) {
				memcpy(mac, ll, 6);
				found = 0;
			}
		}
	}
	close(fd);
	return found;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i;
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static int raw_open(struct raw_ctx *r, const struct send_opts *o, int udp_fd)
{
	struct ifreq ifr = { 0 };
	socklen_t len = sizeof(r->src);
	struct sockaddr_storage src;
	int fd, ret;

	if (!o->iface)
		return fail(EXIT_USAGE, "kinds iplong, udplong, udpshort, fragment and badcsum need --iface");
	r->ifindex = (int)if_nametoindex(o->iface);
	if (!r->ifindex)
		return fail(EXIT_FAIL, "--iface %s: %s", o->iface, strerror(errno));
	r->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		return fail(EXIT_FAIL, "AF_PACKET socket: %s (needs CAP_NET_RAW)",
			    strerror(errno));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->iface);
	if (ioctl(r->fd, SIOCGIFHWADDR, &ifr) < 0)
		return fail(EXIT_FAIL, "%s: no hardware address: %s", o->iface,
			    strerror(errno));
	memcpy(r->src_mac, ifr.ifr_hwaddr.sa_data, 6);

	/* The source address the kernel would pick; the UDP socket's port. */
	fd = socket(o->dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->iface,
		       (socklen_t)strlen(o->iface)) < 0 ||
	    connect(fd, (const struct sockaddr *)&o->dst, o->dst_len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&r->src, &len) < 0) {
		ret = fail(EXIT_FAIL, "no route to %s via %s: %s", o->dst_arg,
			   o->iface, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	close(fd);
	len = sizeof(src);
	if (getsockname(udp_fd, (struct sockaddr *)&src, &len) < 0)
		return fail(EXIT_FAIL, "getsockname: %s", strerror(errno));
	addr_set_port(&r->src, addr_port(&src));

	if (o->have_dst_mac) {
		memcpy(r->dst_mac, o->dst_mac, 6);
	} else if (neigh_lookup(&o->dst, r->ifindex, r->dst_mac)) {
		fprintf(stderr, PROG ": no neighbour entry for %s on %s: raw frames go to ff:ff:ff:ff:ff:ff (use --dst-mac)\n",
			o->dst_arg, o->iface);
		memset(r->dst_mac, 0xff, 6);
	}
	return 0;
}

/*
 * Build Ethernet + IP + UDP around @dgram_len bytes of UDP payload at
 * @dgram. The UDP and IP headers are right unless @kind makes one lie.
 */
static size_t raw_frame(struct raw_ctx *r, const struct send_opts *o,
			enum kind_id kind, uint8_t *f, const uint8_t *dgram,
			size_t dgram_len)
{
	bool v6 = o->dst.ss_family == AF_INET6;
	size_t l3 = 14, l3_hdr = v6 ? 40 : 20, ext = 0, l4, udp_len, ip_len;
	uint16_t udp_field, csum;
	uint32_t sum;

	memcpy(f, r->dst_mac, 6);
	memcpy(f + 6, r->src_mac, 6);
	put_be16(f + 12, v6 ? 0x86dd : 0x0800);
	if (v6 && kind == K_FRAGMENT)
		ext = 8;
	l4 = l3 + l3_hdr + ext;
	udp_len = 8 + dgram_len;
	ip_len = (v6 ? 0 : l3_hdr) + ext + udp_len;	/* v6: payload length */
	if (kind == K_IPLONG)
		ip_len += 16;
	udp_field = (uint16_t)udp_len;
	if (kind == K_UDPLONG)
		udp_field = (uint16_t)(udp_len + 8);
	else if (kind == K_UDPSHORT)
		udp_field = (uint16_t)(udp_len - 4);

	/* UDP */
	put_be16(f + l4, addr_port(&r->src));
	put_be16(f + l4 + 2, addr_port(&o->dst));
	put_be16(f + l4 + 4, udp_field);
	put_be16(f + l4 + 6, 0);
	memcpy(f + l4 + 8, dgram, dgram_len);
	if (v6) {
		const struct sockaddr_in6 *s = (const void *)&r->src;
		const struct sockaddr_in6 *d = (const void *)&o->dst;
		uint8_t *ip = f + l3;

		ip[0] = 0x60;
		ip[1] = ip[2] = ip[3] = 0;
		put_be16(ip + 4, (uint16_t)ip_len);
		ip[6] = ext ? 44 : 17;
		ip[7] = 64;
		memcpy(ip + 8, &s->sin6_addr, 16);
		memcpy(ip + 24, &d->sin6_addr, 16);
		if (ext) {
			ip[40] = 17;
			ip[41] = 0;
			put_be16(ip + 42, 1);		/* offset 0, M */
			put_le32(ip + 44, ++r->ip_id);
		}
		sum = sum16(ip + 8, 32, 0) + (uint32_t)udp_len + 17;
	} else {
		const struct sockaddr_in *s = (const void *)&r->src;
		const struct sockaddr_in *d = (const void *)&o->dst;
		uint8_t *ip = f + l3;

		ip[0] = 0x45;
		ip[1] = 0;
		put_be16(ip + 2, (uint16_t)ip_len);
		put_be16(ip + 4, ++r->ip_id);
		put_be16(ip + 6, kind == K_FRAGMENT ? 0x2000 : 0x4000);
		ip[8] = 64;
		ip[9] = 17;
		put_be16(ip + 10, 0);
		memcpy(ip + 12, &s->sin_addr, 4);
		memcpy(ip + 16, &d->sin_addr, 4);
		put_be16(ip + 10, fold(sum16(ip, 20, 0)));
		sum = sum16(ip + 12, 8, 0) + (uint32_t)udp_len + 17;
	}
	/* The checksum of the datagram as it really is. */
	csum = fold(sum16(f + l4, udp_len, sum));
	if (!csum)
		csum = 0xffff;
	if (kind == K_BADCSUM)		/* wrong, and not "no checksum" */
		csum = csum == 0x1111 ? 0x2222 : 0x1111;
	put_be16(f + l4 + 6, csum);
	return l4 + udp_len;
}

/* ---- send --------------------------------------------------------------- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static void pace(uint64_t start, uint64_t k, uint32_t rate)
{
	uint64_t t = start + k * 1000000000ull / rate;
	struct timespec ts = {
		.tv_sec = (time_t)(t / 1000000000ull),
		.tv_nsec = (long)(t % 1000000000ull),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
	       !stop)
		;
}

/* The UDP payload of one packet of @m's kind; returns its length. */
static size_t make_dgram(const struct send_opts *o, const struct mix_item *m,
			 uint32_t seq, uint8_t *buf)
{
	uint32_t esize = edgeai_wire_dtype_size(o->dtype);
	uint32_t max_elems = EDGEAI_WIRE_MAX_PAYLOAD / esize;
	struct wire_fields w = {
		.magic = EDGEAI_WIRE_MAGIC,
		.version = EDGEAI_WIRE_VERSION,
		.dtype = o->dtype,
		.sensor = m->sensor,
		.seq = seq,
		.count = (uint16_t)o->elems,
	};
	size_t payload = (size_t)o->elems * esize;

	switch (m->kind) {
	case K_BADMAGIC:
		w.magic = BAD_MAGIC;
		break;
	case K_BADVERSION:
		w.version = EDGEAI_WIRE_VERSION + 1;
		break;
	case K_BADFLAGS:
		w.flags = 1;
		break;
	case K_BADDTYPE:
		w.dtype = EDGEAI_DTYPE_INVALID;
		break;
	case K_COUNTBIG:		/* count * size > the maximum payload */
		w.count = (uint16_t)(max_elems + 1);
		break;
	case K_SHORTLEN:		/* one element missing */
		payload -= esize;
		break;
	case K_LONGLEN:			/* one element too many */
		if (o->elems == max_elems)
			w.count--;
		else
			payload += esize;
		break;
	case K_TRUNCATED:		/* not even a whole header */
		return wire_build(buf, &w, 0) - 12;
	default:
		break;
	}
	return wire_build(buf, &w, payload);
}

static int send_one(int fd, const struct send_opts *o, int port_delta,
		    const uint8_t *buf, size_t len)
{
	struct sockaddr_storage dst = o->dst;

	addr_set_port(&dst, (uint16_t)(addr_port(&o->dst) + port_delta));
	for (;;) {
		if (sendto(fd, buf, len, 0, (const struct sockaddr *)&dst,
			   o->dst_len) == (ssize_t)len)
			return 0;
		if (errno == EINTR && !stop)
			continue;
		if (errno == ENOBUFS || errno == EAGAIN) {
			usleep(1000);
			continue;
		}
		return fail(EXIT_FAIL, "sendto %s: %s", o->dst_arg,
			    strerror(errno));
	}
}

static void send_report(const struct send_opts *o, uint64_t elapsed_ns)
{
	uint64_t by[V_NR] = { 0 }, total = 0, bytes = 0;
	char a[INET6_ADDRSTRLEN];
	int i, v;

	for (i = 0; i < o->nmix; i++) {
		by[kinds[o->mix[i].kind].verdict] += o->mix[i].sent;
		total += o->mix[i].sent;
		bytes += o->mix[i].bytes;
	}
	addr_str(&o->dst, a, sizeof(a));
	if (!json_out) {
		printf("sent %llu packets (%llu bytes of UDP payload) to %s port %u in %.3f s\n",
		       (unsigned long long)total, (unsigned long long)bytes, a,
		       addr_port(&o->dst), elapsed_ns / 1e9);
		printf("  %-10s %10s %10s %8s  %s\n", "kind", "sensor", "packets",
		       "via", "parser verdict");
		for (i = 0; i < o->nmix; i++) {
			const struct mix_item *m = &o->mix[i];

			printf("  %-10s %10u %10u %8s  %s\n", kinds[m->kind].name,
			       m->sensor, m->sent, kinds[m->kind].raw ? "raw" : "udp",
			       verdict_names[kinds[m->kind].verdict]);
		}
		return;
	}
	printf("{\"dst\":");
	json_str(a);
	printf(",\"port\":%u,\"family\":\"%s\",\"dtype\":\"%s\",\"elems\":%u,"
	       "\"packets\":%llu,\"bytes\":%llu,\"elapsed_ns\":%llu,\"kinds\":[",
	       addr_port(&o->dst), o->dst.ss_family == AF_INET ? "ipv4" : "ipv6",
	       dtype_name(o->dtype), o->elems, (unsigned long long)total,
	       (unsigned long long)bytes, (unsigned long long)elapsed_ns);
	for (i = 0; i < o->nmix; i++) {
		const struct mix_item *m = &o->mix[i];

		printf("%s{\"kind\":\"%s\",\"sensor\":%u,\"packets\":%u,"
		       "\"bytes\":%llu,\"via\":\"%s\",\"verdict\":\"%s\"",
		       i ? "," : "", kinds[m->kind].name, m->sensor, m->sent,
		       (unsigned long long)m->bytes,
		       kinds[m->kind].raw ? "raw" : "udp",
		       verdict_names[kinds[m->kind].verdict]);
		if (kinds[m->kind].valid && m->sent)
			printf(",\"seq_first\":%u,\"seq_last\":%u", m->seq_first,
			       m->seq_last);
		printf("}");
	}
	printf("],\"by_verdict\":{");
	for (v = 0; v < V_NR; v++)
		printf("%s\"%s\":%llu", v ? "," : "", verdict_names[v],
		       (unsigned long long)by[v]);
	printf("}}\n");
}

static int do_send_mix(struct send_opts *o)
{
	static uint8_t dgram[FRAME_MAX], frame[FRAME_MAX];
	static struct seq_slot seqs[MAX_KINDS];
	struct raw_ctx raw = { .fd = -1 };
	struct sockaddr_storage any = { 0 };
	uint64_t start, paced = 0;
	int fd, nseqs = 0, i, ret = EXIT_OK;
	bool need_raw = false;

	fd = socket(o->dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(EXIT_FAIL, "socket: %s", strerror(errno));
	if (o->iface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->iface,
				   (socklen_t)strlen(o->iface)) < 0) {
		close(fd);
		return fail(EXIT_FAIL, "--iface %s: %s", o->iface, strerror(errno));
	}
	/* Bound, not connected: ICMP errors from "other" must not fail it. */
	any.ss_family = o->dst.ss_family;
	if (bind(fd, (struct sockaddr *)&any, o->dst.ss_family == AF_INET ?
		 sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) < 0) {
		close(fd);
		return fail(EXIT_FAIL, "bind: %s", strerror(errno));
	}
	for (i = 0; i < o->nmix; i++)
		need_raw |= kinds[o->mix[i].kind].raw && o->mix[i].count;

	start = now_ns(CLOCK_MONOTONIC);
	for (i = 0; i < o->nmix && !stop && !ret; i++) {
		struct mix_item *m = &o->mix[i];
		const struct kind_def *k = &kinds[m->kind];
		uint32_t *next = seq_of(seqs, &nseqs, m->sensor, o->seq), j;

		if (k->raw && raw.fd < 0 && need_raw) {
			ret = raw_open(&raw, o, fd);
			if (ret)
				break;
		}
		for (j = 0; j < m->count && !stop; j++) {
			uint32_t seq = *next;
			size_t len;

			if (k->paced && o->rate)
				pace(start, paced++, o->rate);
			len = make_dgram(o, m, seq, dgram);
			if (k->raw) {
				size_t flen = raw_frame(&raw, o, m->kind, frame,
							dgram, len);
				struct sockaddr_ll ll = {
					.sll_family = AF_PACKET,
					.sll_ifindex = raw.ifindex,
					.sll_halen = 6,
				};

				memcpy(ll.sll_addr, raw.dst_mac, 6);
				if (sendto(raw.fd, frame, flen, 0,
					   (struct sockaddr *)&ll,
					   sizeof(ll)) != (ssize_t)flen) {
					ret = fail(EXIT_FAIL, "AF_PACKET sendto %s: %s",
						   o->iface, strerror(errno));
					break;
				}
			} else {
				ret = send_one(fd, o, m->kind == K_OTHER ? 1 : 0,
					       dgram, len);
				if (ret)
					break;
			}
			if (k->valid) {
				if (!m->sent)
					m->seq_first = seq;
				m->seq_last = seq;
				(*next)++;
			}
			m->sent++;
			m->bytes += len;
		}
	}
	send_report(o, now_ns(CLOCK_MONOTONIC) - start);
	if (raw.fd >= 0)
		close(raw.fd);
	close(fd);
	if (stop && !ret)
		ret = EXIT_FAIL;
	return ret;
}

/* ---- recv --------------------------------------------------------------- */

struct tag_count {
	uint32_t tag;
	uint64_t packets;
};

struct sensor_stat {
	uint32_t id;
	uint64_t packets;
	uint64_t bytes;
	uint32_t seq_first, seq_last, seq_next;
	uint64_t seq_gaps;		/* sequence numbers never seen */
	uint64_t out_of_order;		/* behind the highest seen: late or dup */
	uint64_t payload_errors;	/* payload not what the sender makes */
	uint64_t unfiltered;		/* tag without EDGEAI_TAG_FILTERED */
	struct tag_count tags[MAX_TAGS];
	int ntags;
	uint64_t tags_overflow;		/* packets with a tag past MAX_TAGS */
	uint8_t dtype;
	uint16_t count;
};

enum bad_reason { B_SHORT, B_MAGIC, B_VERSION, B_HEADER, B_LENGTH, B_NR };
static const char *const bad_names[B_NR] = {
	"short", "magic", "version", "header", "length",
};

struct recv_stats {
	uint64_t datagrams, bytes, valid, from_ipv4, from_ipv6;
	uint64_t bad[B_NR];
	uint32_t socket_drops;
	struct sensor_stat *sensors;
	size_t nsensors, cap;
};

/* The sensor's entry, sorted by id; NULL when out of memory. */
static struct sensor_stat *sensor_get(struct recv_stats *st, uint32_t id)
{
	size_t lo = 0, hi = st->nsensors;
	struct sensor_stat *s;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (st->sensors[mid].id == id)
			return &st->sensors[mid];
		if (st->sensors[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (st->nsensors == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		void *p = realloc(st->sensors, cap * sizeof(*s));

		if (!p)
			return NULL;
		st->sensors = p;
		st->cap = cap;
	}
	s = &st->sensors[lo];
	memmove(s + 1, s, (st->nsensors - lo) * sizeof(*s));
	st->nsensors++;
	memset(s, 0, sizeof(*s));
	s->id = id;
	return s;
}

/* Check one datagram; returns the reason it is not a sensor packet. */
static int wire_check(const uint8_t *p, size_t len)
{
	uint32_t esize;
	uint16_t count;

	if (len < EDGEAI_WIRE_HDR_LEN)
		return B_SHORT;
	if (get_le32(p) != EDGEAI_WIRE_MAGIC)
		return B_MAGIC;
	if (p[4] != EDGEAI_WIRE_VERSION)
		return B_VERSION;
	esize = edgeai_wire_dtype_size(p[5]);
	count = get_le16(p + 24);
	if (!esize || get_le16(p + 6) || !get_le32(p + 8) || !count ||
	    get_le16(p + 26) || count * esize > EDGEAI_WIRE_MAX_PAYLOAD)
		return B_HEADER;
	if (len - EDGEAI_WIRE_HDR_LEN != count * esize)
		return B_LENGTH;
	return -1;
}

static int account(struct recv_stats *st, const uint8_t *p, size_t len)
{
	static uint8_t want[EDGEAI_WIRE_MAX_PAYLOAD];
	struct sensor_stat *s;
	uint32_t seq, tag, d;
	int bad = wire_check(p, len), i;

	if (bad >= 0) {
		st->bad[bad]++;
		return 0;
	}
	st->valid++;
	s = sensor_get(st, get_le32(p + 8));
	if (!s)
		return fail(EXIT_FAIL, "out of memory");
	seq = get_le32(p + 12);
	tag = get_le32(p + 28);
	if (!s->packets) {
		s->seq_first = seq;
		s->seq_last = seq;
		s->seq_next = seq + 1;
	} else if (seq == s->seq_next) {
		s->seq_last = seq;
		s->seq_next = seq + 1;
	} else if ((d = seq - s->seq_next) < 0x80000000u) {
		s->seq_gaps += d;
		s->seq_last = seq;
		s->seq_next = seq + 1;
	} else {
		s->out_of_order++;
	}
	s->packets++;
	s->bytes += len;
	s->dtype = p[5];
	s->count = get_le16(p + 24);
	payload_fill(want, len - EDGEAI_WIRE_HDR_LEN, p[5], s->id, seq);
	if (memcmp(want, p + EDGEAI_WIRE_HDR_LEN, len - EDGEAI_WIRE_HDR_LEN))
		s->payload_errors++;
	if (!(tag & EDGEAI_TAG_FILTERED))
		s->unfiltered++;
	for (i = 0; i < s->ntags; i++)
		if (s->tags[i].tag == tag)
			break;
	if (i < s->ntags) {
		s->tags[i].packets++;
	} else if (s->ntags < MAX_TAGS) {
		s->tags[s->ntags].tag = tag;
		s->tags[s->ntags++].packets = 1;
	} else {
		s->tags_overflow++;
	}
	return 0;
}

static void recv_report(const struct recv_stats *st, const char *bind_str,
			const char *why)
{
	uint64_t bad = 0;
	size_t i;
	int b, t;

	for (b = 0; b < B_NR; b++)
		bad += st->bad[b];
	if (!json_out) {
		printf("received %llu datagrams (%llu bytes) on %s: %llu sensor packets, %llu not (",
		       (unsigned long long)st->datagrams,
		       (unsigned long long)st->bytes, bind_str,
		       (unsigned long long)st->valid, (unsigned long long)bad);
		for (b = 0; b < B_NR; b++)
			printf("%s%s %llu", b ? ", " : "", bad_names[b],
			       (unsigned long long)st->bad[b]);
		printf("); socket drops %u; stopped by %s\n", st->socket_drops, why);
		if (st->nsensors)
			printf("  %10s %8s %10s %10s %6s %6s %7s  %s\n", "sensor",
			       "packets", "seq first", "seq last", "gaps",
			       "late", "payload", "tags (class/priority/pipeline: packets)");
		for (i = 0; i < st->nsensors; i++) {
			const struct sensor_stat *s = &st->sensors[i];

			printf("  %10u %8llu %10u %10u %6llu %6llu %7s ", s->id,
			       (unsigned long long)s->packets, s->seq_first,
			       s->seq_last, (unsigned long long)s->seq_gaps,
			       (unsigned long long)s->out_of_order,
			       s->payload_errors ? "BAD" : "ok");
			for (t = 0; t < s->ntags; t++) {
				uint32_t g = s->tags[t].tag;

				if (g & EDGEAI_TAG_FILTERED)
					printf(" %u/%u/%u: %llu", EDGEAI_TAG_CLASS(g),
					       EDGEAI_TAG_PRIORITY(g),
					       EDGEAI_TAG_PIPELINE(g),
					       (unsigned long long)s->tags[t].packets);
				else
					printf(" unfiltered(0x%08x): %llu", g,
					       (unsigned long long)s->tags[t].packets);
			}
			printf("\n");
		}
		return;
	}
	printf("{\"bind\":");
	json_str(bind_str);
	printf(",\"stopped_by\":\"%s\",\"datagrams\":%llu,\"bytes\":%llu,"
	       "\"valid\":%llu,\"from_ipv4\":%llu,\"from_ipv6\":%llu,"
	       "\"socket_drops\":%u,\"invalid\":{\"total\":%llu", why,
	       (unsigned long long)st->datagrams, (unsigned long long)st->bytes,
	       (unsigned long long)st->valid, (unsigned long long)st->from_ipv4,
	       (unsigned long long)st->from_ipv6, st->socket_drops,
	       (unsigned long long)bad);
	for (b = 0; b < B_NR; b++)
		printf(",\"%s\":%llu", bad_names[b], (unsigned long long)st->bad[b]);
	printf("},\"sensors\":[");
	for (i = 0; i < st->nsensors; i++) {
		const struct sensor_stat *s = &st->sensors[i];

		printf("%s{\"sensor\":%u,\"packets\":%llu,\"bytes\":%llu,"
		       "\"dtype\":\"%s\",\"count\":%u,\"seq_first\":%u,"
		       "\"seq_last\":%u,\"seq_gaps\":%llu,\"out_of_order\":%llu,"
		       "\"payload_errors\":%llu,\"unfiltered\":%llu,"
		       "\"tags_overflow\":%llu,\"tags\":[",
		       i ? "," : "", s->id, (unsigned long long)s->packets,
		       (unsigned long long)s->bytes, dtype_name(s->dtype), s->count,
		       s->seq_first, s->seq_last,
		       (unsigned long long)s->seq_gaps,
		       (unsigned long long)s->out_of_order,
		       (unsigned long long)s->payload_errors,
		       (unsigned long long)s->unfiltered,
		       (unsigned long long)s->tags_overflow);
		for (t = 0; t < s->ntags; t++) {
			uint32_t g = s->tags[t].tag;

			printf("%s{\"tag\":%u,\"filtered\":%s,\"class\":%u,"
			       "\"priority\":%u,\"pipeline\":%u,\"packets\":%llu}",
			       t ? "," : "", g,
			       g & EDGEAI_TAG_FILTERED ? "true" : "false",
			       EDGEAI_TAG_CLASS(g), EDGEAI_TAG_PRIORITY(g),
			       EDGEAI_TAG_PIPELINE(g),
			       (unsigned long long)s->tags[t].packets);
		}
		printf("]}");
	}
	printf("]}\n");
}

struct recv_opts {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	const char *bind_arg;
	uint64_t count;		/* 0: no limit */
	int timeout_ms;		/* idle; -1: none */
};

static int do_recv(const struct recv_opts *o)
{
	static uint8_t buf[65536];
	union {
		char buf[CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} ctl;
	struct recv_stats st = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *why = "signal";
	char a[INET6_ADDRSTRLEN], bind_str[INET6_ADDRSTRLEN + 8];
	int fd, one = 1, zero = 0, rcvbuf = 8 << 20, ret = EXIT_OK;

	fd = socket(o->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(EXIT_FAIL, "socket: %s", strerror(errno));
	if (o->addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (const struct sockaddr *)&o->addr, o->addr_len) < 0) {
		close(fd);
		return fail(EXIT_FAIL, "bind %s: %s", o->bind_arg, strerror(errno));
	}
	addr_str(&o->addr, a, sizeof(a));
	snprintf(bind_str, sizeof(bind_str), o->addr.ss_family == AF_INET6 ?
		 "[%s]:%u" : "%s:%u", a, addr_port(&o->addr));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, PROG ": receiving on %s\n", bind_str);

	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_storage from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
		};
		struct cmsghdr *cm;
		ssize_t n;
		int r;

		if (o->count && st.datagrams >= o->count) {
			why = "count";
			break;
		}
		r = poll(&pfd, 1, o->timeout_ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = fail(EXIT_FAIL, "poll: %s", strerror(errno));
			break;
		}
		if (!r) {
			why = "timeout";
			break;
		}
		n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			ret = fail(EXIT_FAIL, "recvmsg: %s", strerror(errno));
			break;
		}
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SO_RXQ_OVFL)
				memcpy(&st.socket_drops, CMSG_DATA(cm),
				       sizeof(st.socket_drops));
		st.datagrams++;
		st.bytes += (uint64_t)n;
		if (from.ss_family == AF_INET ||
		    IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&from)->sin6_addr))
			st.from_ipv4++;
		else
			st.from_ipv6++;
		if ((size_t)n > sizeof(buf))
			n = sizeof(buf);	/* too long: fails the length check */
		ret = account(&st, buf, (size_t)n);
		if (ret)
			break;
	}
	recv_report(&st, bind_str, why);
	free(st.sensors);
	close(fd);
	return ret;
}

/* ---- main --------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"NAME\n"
"    edgeai-sensorgen - send and receive edgeai sensor packets\n"
"\n"
"SYNOPSIS\n"
"    edgeai-sensorgen send --dst ADDR[:PORT] [--sensor ID] [--count N]\n"
"                          [--rate PPS] [--dtype TYPE] [--elems N] [--seq START]\n"
"                          [--mix SPEC] [--iface DEV] [--dst-mac MAC] [--json]\n"
"    edgeai-sensorgen recv --bind [ADDR]:PORT [--count N] [--timeout MS] [--json]\n"
"    edgeai-sensorgen --help\n"
"\n"
"DESCRIPTION\n"
"    Sends UDP datagrams in the edgeai sensor wire format (docs/protocol.md,\n"
"    include/edgeai/wire.h) - well-formed ones and, with --mix, a known mix of\n"
"    malformed ones - and receives them, checking each against the format.\n"
"    Used by the end-to-end filter test (tests/bpf/e2e_veth.sh), the demo\n"
"    and benchmarks. The default port is %u.\n"
"\n"
"    Payloads are deterministic: element i of the packet with sequence\n"
"    number seq from sensor ID is v = ID*1000003 + seq*1009 + i (mod 2^32),\n"
"    stored as the dtype holds it: truncated for integers, v mod 2048 for\n"
"    f16, v mod 2^24 for f32, v for f64 (all exact). The receiver recomputes\n"
"    every payload. Timestamps are CLOCK_REALTIME; tags are sent as 0.\n"
"\n"
"SEND\n"
"    --dst ADDR[:PORT]  destination: 10.0.0.1, 10.0.0.1:4747, fd00::1,\n"
"                       [fd00::1]:4747, [fe80::1%%eth0]:4747\n"
"    --sensor ID        sensor id, 1..4294967295 (default 1)\n"
"    --count N          without --mix: send N valid packets (default 10)\n"
"    --rate PPS         pace valid and unknown packets at PPS per second;\n"
"                       0 (default): as fast as the socket takes them\n"
"    --dtype TYPE       u8 i8 u16 i16 u32 i32 f16 f32 f64 (default f32)\n"
"    --elems N          elements per packet, 1 .. 1420/size (default 8)\n"
"    --seq START        first sequence number of each sensor (default 0)\n"
"    --mix SPEC         send a mix instead, SPEC = KIND=N or KIND=ID:N, comma-\n"
"                       separated, sent in that order, one kind after the\n"
"                       other; ID defaults to --sensor\n"
"    --iface DEV        send through DEV (SO_BINDTODEVICE); needed by the\n"
"                       raw kinds, which are sent on an AF_PACKET socket\n"
"    --dst-mac MAC      Ethernet destination of raw frames (default: the\n"
"                       neighbour entry of ADDR on DEV, else broadcast)\n"
"    -j, --json         print the summary as JSON\n"
"\n"
"MIX KINDS\n"
"    Each kind names what the filter's parser should conclude about it\n"
"    (edgeaictl bpf stats counters). Well-formed packets take consecutive\n"
"    sequence numbers per sensor; malformed ones reuse the next number\n"
"    without taking it, so a receiver sees no gap for them.\n"
"      valid=ID:N      well-formed packets                       -> pass\n"
"      unknown=ID:N    the same, for a sensor not in the allow-list\n"
"                                                                -> unknown_sensor\n"
"      burst=ID:N      well-formed, back-to-back, never paced    -> pass, then\n"
"                      rate_limited past the sensor's bucket\n"
"      badmagic=N      magic \"EAIX\"                              -> bad_header\n"
"      badversion=N    version 2                                 -> bad_header\n"
"      badflags=N      flags 1                                   -> bad_header\n"
"      baddtype=N      dtype 0                                   -> bad_header\n"
"      countbig=N      count * size > 1420, short payload        -> bad_header\n"
"      shortlen=N      payload one element short of count        -> length\n"
"      longlen=N       payload one element longer than count     -> length\n"
"      truncated=N     20 bytes: less than the 32-byte header    -> length\n"
"      other=N         a valid packet to PORT+1                  -> not_sensor\n"
"    Raw kinds (need --iface and CAP_NET_RAW; IP and UDP headers by hand,\n"
"    correct IPv4 header checksum):\n"
"      iplong=N        IP length 16 bytes past the frame         -> length\n"
"      udplong=N       UDP length 8 more than the IP payload     -> length\n"
"      udpshort=N      UDP length 4 less than the IP payload     -> length\n"
"      fragment=N      first fragment (IPv4 MF, IPv6 frag hdr)   -> fragment\n"
"      badcsum=ID:N    well-formed, wrong UDP checksum           -> pass; the\n"
"                      receiving kernel drops it (UDP InCsumErrors)\n"
"    bad_header and length packets of an allow-listed sensor also count in\n"
"    its per-sensor 'invalid' counter, except badmagic, badversion,\n"
"    truncated, iplong, udplong and udpshort: the filter never reads\n"
"    their sensor id.\n"
"\n"
"RECV\n"
"    --bind [ADDR]:PORT listen there; no ADDR: every IPv4 and IPv6 address.\n"
"                       Forms: :4747, 4747, 0.0.0.0:4747, [::]:4747\n"
"    --count N          stop after N datagrams\n"
"    --timeout MS       stop after MS milliseconds without a datagram\n"
"    -j, --json         print the report as JSON\n"
"    Stops at --count, --timeout, SIGINT or SIGTERM, then reports. The line\n"
"    \"" PROG ": receiving on ADDR:PORT\" on stderr says it is ready.\n"
"    Each datagram is checked in the order of docs/protocol.md and either\n"
"    counted as not a sensor packet by reason (short, magic, version,\n"
"    header, length) or accounted to its sensor: packets, bytes, first and\n"
"    last seq, seq gaps (numbers skipped), out of order (late or repeated),\n"
"    payload errors (not the deterministic payload), unfiltered (tag without\n"
"    bit 31) and each distinct tag with class, priority, pipeline, packets.\n"
"    socket_drops counts what the kernel dropped at the socket (SO_RXQ_OVFL):\n"
"    a full receive queue, or a bad UDP checksum found on delivery.\n"
"\n"
"OUTPUT\n"
"    send --json: {dst, port, family, dtype, elems, packets, bytes,\n"
"      elapsed_ns, kinds: [{kind, sensor, packets, bytes, via, verdict,\n"
"      seq_first, seq_last}], by_verdict: {pass, not_sensor, bad_header,\n"
"      length, fragment}}  (bytes: UDP payloads; verdict: the parser's,\n"
"      so valid, unknown, burst and badcsum all say pass)\n"
"    recv --json: {bind, stopped_by, datagrams, bytes, valid, from_ipv4,\n"
"      from_ipv6, socket_drops, invalid: {total, short, magic, version,\n"
"      header, length}, sensors: [{sensor, packets, bytes, dtype, count,\n"
"      seq_first, seq_last, seq_gaps, out_of_order, payload_errors,\n"
"      unfiltered, tags_overflow, tags: [{tag, filtered, class, priority,\n"
"      pipeline, packets}]}]}\n"
"\n"
"EXIT STATUS\n"
"    0 done (recv: whatever it received), 1 failure, 2 usage error.\n"
"\n"
"EXAMPLES\n"
"    edgeai-sensorgen recv --bind :4747 --timeout 2000 --json &\n"
"    edgeai-sensorgen send --dst 10.47.0.1 --sensor 7 --count 1000 --rate 500\n"
"    edgeai-sensorgen send --dst [fd00:47::1]:4747 --iface veth1 --json \\\n"
"        --mix valid=101:50,unknown=999:5,burst=102:20,badmagic=3,iplong=2\n",
		(unsigned int)EDGEAI_WIRE_DEFAULT_PORT);
}

static int send_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "sensor", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "dtype", required_argument, NULL, 't' },
		{ "elems", required_argument, NULL, 'e' },
		{ "seq", required_argument, NULL, 'q' },
		{ "mix", required_argument, NULL, 'm' },
		{ "iface", required_argument, NULL, 'i' },
		{ "dst-mac", required_argument, NULL, 'M' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct send_opts sopts;
	struct send_opts *o = &sopts;
	char *mix = NULL;
	unsigned long v;
	size_t i;
	int c, ret;

	o->sensor = 1;
	o->count = 10;
	o->dtype = EDGEAI_DTYPE_F32;
	o->elems = 8;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dst_arg = optarg;
			break;
		case 's':
			if (parse_ulong(optarg, UINT32_MAX, &v) || !v)
				return fail(EXIT_USAGE, "--sensor: 1..4294967295");
			o->sensor = (uint32_t)v;
			break;
		case 'c':
			if (parse_ulong(optarg, UINT32_MAX, &v))
				return fail(EXIT_USAGE, "--count: a number");
			o->count = (uint32_t)v;
			break;
		case 'r':
			if (parse_ulong(optarg, 100000000, &v))
				return fail(EXIT_USAGE, "--rate: packets per second");
			o->rate = (uint32_t)v;
			break;
		case 't':
			for (i = 0; i < sizeof(dtypes) / sizeof(dtypes[0]); i++)
				if (!strcmp(dtypes[i].name, optarg))
					break;
			if (i == sizeof(dtypes) / sizeof(dtypes[0]))
				return fail(EXIT_USAGE, "--dtype: one of u8 i8 u16 i16 u32 i32 f16 f32 f64");
			o->dtype = dtypes[i].dtype;
			break;
		case 'e':
			if (parse_ulong(optarg, EDGEAI_WIRE_MAX_PAYLOAD, &v) || !v)
				return fail(EXIT_USAGE, "--elems: 1..1420/size");
			o->elems = (uint32_t)v;
			break;
		case 'q':
			if (parse_ulong(optarg, UINT32_MAX, &v))
				return fail(EXIT_USAGE, "--seq: 0..4294967295");
			o->seq = (uint32_t)v;
			break;
		case 'm':
			mix = optarg;
			break;
		case 'i':
			o->iface = optarg;
			break;
		case 'M':
			if (parse_mac(optarg, o->dst_mac))
				return fail(EXIT_USAGE, "--dst-mac: xx:xx:xx:xx:xx:xx");
			o->have_dst_mac = true;
			break;
		case 'j':
			json_out = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return fail(EXIT_USAGE, "send: unexpected argument '%s'", argv[optind]);
	if (!o->dst_arg)
		return fail(EXIT_USAGE, "send: --dst ADDR[:PORT] is required");
	if (parse_addr(o->dst_arg, EDGEAI_WIRE_DEFAULT_PORT, false, &o->dst,
		       &o->dst_len))
		return fail(EXIT_USAGE, "--dst: '%s' is not ADDR, ADDR:PORT or [ADDR]:PORT",
			    o->dst_arg);
	if (o->elems * edgeai_wire_dtype_size(o->dtype) > EDGEAI_WIRE_MAX_PAYLOAD)
		return fail(EXIT_USAGE, "--elems: %u %s elements exceed %u bytes",
			    o->elems, dtype_name(o->dtype), EDGEAI_WIRE_MAX_PAYLOAD);
	if (mix) {
		ret = parse_mix(o, mix);
		if (ret)
			return ret;
	} else {
		o->mix[0].kind = K_VALID;
		o->mix[0].sensor = o->sensor;
		o->mix[0].count = o->count;
		o->nmix = 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	return do_send_mix(o);
}

static int recv_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct recv_opts o = { .timeout_ms = -1 };
	unsigned long v;
	int c;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o.bind_arg = optarg;
			break;
		case 'c':
			if (parse_ulong(optarg, UINT64_MAX, &v))
				return fail(EXIT_USAGE, "--count: a number");
			o.count = v;
			break;
		case 't':
			if (parse_ulong(optarg, INT_MAX, &v))
				return fail(EXIT_USAGE, "--timeout: milliseconds");
			o.timeout_ms = (int)v;
			break;
		case 'j':
			json_out = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return fail(EXIT_USAGE, "recv: unexpected argument '%s'", argv[optind]);
	if (!o.bind_arg)
		return fail(EXIT_USAGE, "recv: --bind [ADDR]:PORT is required");
	if (parse_addr(o.bind_arg, EDGEAI_WIRE_DEFAULT_PORT, true, &o.addr,
		       &o.addr_len))
		return fail(EXIT_USAGE, "--bind: '%s' is not [ADDR]:PORT", o.bind_arg);
	return do_recv(&o);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: " PROG " send --dst ADDR[:PORT] [OPTIONS]\n"
			"       " PROG " recv --bind [ADDR]:PORT [OPTIONS]\n"
			"       " PROG " --help\n");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "send"))
		return send_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return recv_main(argc - 1, argv + 1);
	fprintf(stderr, PROG ": unknown mode '%s': send or recv (--help)\n",
		argv[1]);
	return EXIT_USAGE;
}
