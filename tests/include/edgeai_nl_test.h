/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the kernel tests of the edgeai family: build any
 * request byte by byte (malformed ones too), send it, and read replies,
 * dump parts, errors and their extended ack messages, and events. Only
 * the UAPI headers, no libnl, so that the tests see exactly what the
 * kernel sends.
 */
#ifndef EDGEAI_NL_TEST_H
#define EDGEAI_NL_TEST_H

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/edgeai_netlink.h>

#include "edgeai_test.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define T_NL_BUF	(64 * 1024)
#define T_NL_MAXATTR	64

struct t_nl {
	int fd;
	uint16_t family;	/* edgeai's id */
	uint32_t monitor;	/* the "monitor" group's id */
	uint32_t seq;
	unsigned int recvs;	/* recv() calls that returned data */
	char errmsg[256];	/* extended ack message of the last error */
};

/* A message being built: nlmsghdr + genlmsghdr + attributes. */
struct t_msg {
	union {
		struct nlmsghdr nlh;
		char buf[8192];
	};
};

static inline struct nlattr *t_nla_next(const struct nlattr *a)
{
	return (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
}

static inline void *t_nla_data(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static inline uint32_t t_nla_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, t_nla_data(a), sizeof(v));
	return v;
}

static inline uint64_t t_nla_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, t_nla_data(a), sizeof(v));
	return v;
}

static inline void t_msg_init(struct t_msg *m, uint16_t type, uint16_t flags,
			      uint8_t cmd)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	g = NLMSG_DATA(&m->nlh);
	g->cmd = cmd;
	g->version = EDGEAI_FAMILY_VERSION;
}

static inline struct genlmsghdr *t_msg_genl(struct t_msg *m)
{
	return NLMSG_DATA(&m->nlh);
}

/* Append an attribute with @len bytes of payload; returns it. */
static inline struct nlattr *t_msg_put(struct t_msg *m, uint16_t type,
				       const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));

	T_ASSERT(NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len) <=
		 sizeof(m->buf));
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(t_nla_data(a), data, len);
	memset((char *)t_nla_data(a) + len, 0, NLA_ALIGN(len) - len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static inline void t_msg_u32(struct t_msg *m, uint16_t type, uint32_t v)
{
	t_msg_put(m, type, &v, sizeof(v));
}

static inline void t_msg_str(struct t_msg *m, uint16_t type, const char *s)
{
	t_msg_put(m, type, s, strlen(s) + 1);
}

/*
 * Parse the attributes in [@data, @data + @len) into @tb (last one wins
 * for repeated types); types above @max are ignored. Returns -1 if an
 * attribute's length is malformed.
 */
static inline int t_nla_parse(const struct nlattr **tb, int max,
			      const void *data, size_t len)
{
	const struct nlattr *a = data;
	size_t rem = len;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (rem >= NLA_HDRLEN) {
		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			return -1;
		if ((a->nla_type & NLA_TYPE_MASK) <= max)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
		if ((size_t)NLA_ALIGN(a->nla_len) >= rem)
			break;
		rem -= NLA_ALIGN(a->nla_len);
		a = t_nla_next(a);
	}
	return 0;
}

static inline int t_nla_parse_nested(const struct nlattr **tb, int max,
				     const struct nlattr *nest)
{
	return t_nla_parse(tb, max, t_nla_data(nest),
			   nest->nla_len - NLA_HDRLEN);
}

/* The attributes of a generic netlink message. */
static inline int t_genl_parse(const struct nlmsghdr *nlh,
			       const struct nlattr **tb, int max)
{
	return t_nla_parse(tb, max,
			   (char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
			   nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
}

static inline uint8_t t_genl_cmd(const struct nlmsghdr *nlh)
{
	return ((const struct genlmsghdr *)NLMSG_DATA(nlh))->cmd;
}

static inline int t_nl_send(struct t_nl *nl, struct t_msg *m)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	m->nlh.nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, m->buf, m->nlh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/* Keep the extended ack message of an error or a dump's NLMSG_DONE. */
static inline void t_nl_extack(struct t_nl *nl, const struct nlmsghdr *nlh,
			       size_t off)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	nl->errmsg[0] = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || nlh->nlmsg_len < off)
		return;
	if (t_nla_parse(tb, NLMSGERR_ATTR_MAX, (const char *)nlh + off,
			nlh->nlmsg_len - off))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%.*s",
			 (int)(tb[NLMSGERR_ATTR_MSG]->nla_len - NLA_HDRLEN),
			 (const char *)t_nla_data(tb[NLMSGERR_ATTR_MSG]));
}

typedef void (*t_nl_cb)(const struct nlmsghdr *nlh, void *ctx);

/*
 * Send @m (with NLM_F_ACK added) and read until its ack, error or the end
 * of its dump; every other message of this sequence goes to @cb. Returns 0
 * or the negative errno the kernel answered, with its extended ack
 * message in nl->errmsg.
 */
static inline int t_nl_request(struct t_nl *nl, struct t_msg *m, t_nl_cb cb,
			       void *ctx)
{
	static char buf[T_NL_BUF];
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret;

	nl->errmsg[0] = 0;
	m->nlh.nlmsg_flags |= NLM_F_ACK;
	ret = t_nl_send(nl, m);
	if (ret)
		return ret;
	for (;;) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		nl->recvs++;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, (size_t)n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != m->nlh.nlmsg_seq)
				continue;	/* an event, or stale */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);
				size_t off = NLMSG_HDRLEN + sizeof(*e);

				/* With CAP_ACK only the request's header. */
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - NLMSG_HDRLEN;
				t_nl_extack(nl, nlh, NLMSG_ALIGN(off));
				return e->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int err;

				memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
				t_nl_extack(nl, nlh, NLMSG_HDRLEN + sizeof(int));
				return err;
			}
			if (cb)
				cb(nlh, ctx);
		}
	}
}

/* Family and group ids from the controller. */
struct t_nl_family {
	uint16_t id;
	uint32_t monitor;
	uint32_t version;
};

static inline void t_nl_family_cb(const struct nlmsghdr *nlh, void *ctx)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g, *gt[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct t_nl_family *f = ctx;
	size_t rem;

	if (t_genl_parse(nlh, tb, CTRL_ATTR_MAX) || !tb[CTRL_ATTR_FAMILY_ID])
		return;
	memcpy(&f->id, t_nla_data(tb[CTRL_ATTR_FAMILY_ID]), sizeof(f->id));
	if (tb[CTRL_ATTR_VERSION])
		f->version = t_nla_u32(tb[CTRL_ATTR_VERSION]);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return;
	g = t_nla_data(tb[CTRL_ATTR_MCAST_GROUPS]);
	rem = tb[CTRL_ATTR_MCAST_GROUPS]->nla_len - NLA_HDRLEN;
	while (rem >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN &&
	       g->nla_len <= rem) {
		if (!t_nla_parse_nested(gt, CTRL_ATTR_MCAST_GRP_MAX, g) &&
		    gt[CTRL_ATTR_MCAST_GRP_NAME] && gt[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(t_nla_data(gt[CTRL_ATTR_MCAST_GRP_NAME]),
			    EDGEAI_MCGRP_MONITOR))
			f->monitor = t_nla_u32(gt[CTRL_ATTR_MCAST_GRP_ID]);
		if ((size_t)NLA_ALIGN(g->nla_len) >= rem)
			break;
		rem -= NLA_ALIGN(g->nla_len);
		g = t_nla_next(g);
	}
}

/*
 * Open a generic netlink socket with extended acks and resolve the edgeai
 * family. Returns 0, -ENOENT when the family is not registered, or another
 * negative errno.
 */
static inline int t_nl_open(struct t_nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct t_nl_family f = { 0 };
	struct t_msg m;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(nl->fd);
		return ret;
	}
	t_msg_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY);
	t_msg_genl(&m)->version = 1;
	t_msg_str(&m, CTRL_ATTR_FAMILY_NAME, EDGEAI_FAMILY_NAME);
	ret = t_nl_request(nl, &m, t_nl_family_cb, &f);
	if (ret) {
		close(nl->fd);
		return ret;
	}
	nl->family = f.id;
	nl->monitor = f.monitor;
	return f.id ? 0 : -ENOENT;
}

static inline void t_nl_close(struct t_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

static inline int t_nl_join(struct t_nl *nl, uint32_t group)
{
	return setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
			  sizeof(group)) ? -errno : 0;
}

/* A request to the edgeai family. */
static inline void t_msg_edgeai(struct t_msg *m, const struct t_nl *nl,
				uint16_t flags, uint8_t cmd)
{
	t_msg_init(m, nl->family, flags, cmd);
}

/* An EDGEAI_CMD_RING_GET message, decoded. */
struct t_nl_ring {
	uint32_t id, state, flags, slot_count, slot_size, slot_stride;
	uint32_t dtype, rank, shape[4], nshape, tensor_flags, quant_scale;
	int32_t quant_zero_point;
	uint32_t refs, consumers, producers;
	uint64_t mem_bytes;
	char name[32];
	uint64_t produced, consumed, bytes, in_ring, high_water, bad_index;
	uint64_t wakeups, drops[EDGEAI_A_DROPS_PRODUCER];
	int missing;		/* attributes that should be there, are not */
	int extra;		/* attributes a reply must not carry */
};

#define T_NL_GET32(tb, a, dst)						\
	do {								\
		if (tb[a])						\
			(dst) = t_nla_u32(tb[a]);			\
		else							\
			r->missing++;					\
	} while (0)
#define T_NL_GET64(tb, a, dst)						\
	do {								\
		if (tb[a])						\
			(dst) = t_nla_u64(tb[a]);			\
		else							\
			r->missing++;					\
	} while (0)

/* Returns 0, or -1 if the message is not a well-formed ring reply. */
static inline int t_nl_ring_parse(const struct nlmsghdr *nlh,
				  struct t_nl_ring *r)
{
	const struct nlattr *tb[EDGEAI_A_RING_MAX + 1];
	const struct nlattr *st[EDGEAI_A_RING_STATS_MAX + 1];
	const struct nlattr *dr[EDGEAI_A_DROPS_MAX + 1];
	const struct nlattr *a;
	size_t rem;
	int i;

	memset(r, 0, sizeof(*r));
	if (t_genl_cmd(nlh) != EDGEAI_CMD_RING_GET ||
	    t_genl_parse(nlh, tb, EDGEAI_A_RING_MAX))
		return -1;
	T_NL_GET32(tb, EDGEAI_A_RING_ID, r->id);
	if (tb[EDGEAI_A_RING_NAME])
		snprintf(r->name, sizeof(r->name), "%s",
			 (char *)t_nla_data(tb[EDGEAI_A_RING_NAME]));
	else
		r->missing++;
	T_NL_GET32(tb, EDGEAI_A_RING_STATE, r->state);
	T_NL_GET32(tb, EDGEAI_A_RING_FLAGS, r->flags);
	T_NL_GET32(tb, EDGEAI_A_RING_SLOT_COUNT, r->slot_count);
	T_NL_GET32(tb, EDGEAI_A_RING_SLOT_SIZE, r->slot_size);
	T_NL_GET32(tb, EDGEAI_A_RING_SLOT_STRIDE, r->slot_stride);
	T_NL_GET64(tb, EDGEAI_A_RING_MEM_BYTES, r->mem_bytes);
	T_NL_GET32(tb, EDGEAI_A_RING_DTYPE, r->dtype);
	T_NL_GET32(tb, EDGEAI_A_RING_RANK, r->rank);
	T_NL_GET32(tb, EDGEAI_A_RING_TENSOR_FLAGS, r->tensor_flags);
	T_NL_GET32(tb, EDGEAI_A_RING_QUANT_SCALE, r->quant_scale);
	T_NL_GET32(tb, EDGEAI_A_RING_QUANT_ZERO_POINT, r->quant_zero_point);
	T_NL_GET32(tb, EDGEAI_A_RING_REFS, r->refs);
	T_NL_GET32(tb, EDGEAI_A_RING_CONSUMERS, r->consumers);
	T_NL_GET32(tb, EDGEAI_A_RING_PRODUCERS, r->producers);
	if (tb[EDGEAI_A_RING_PRODUCER_KIND] || tb[EDGEAI_A_RING_OVERFLOW_DROPS])
		r->extra++;

	/* SHAPE is repeated, one per dimension, in order. */
	a = (const struct nlattr *)((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	rem = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= rem) {
		if ((a->nla_type & NLA_TYPE_MASK) == EDGEAI_A_RING_SHAPE) {
			if (r->nshape < 4)
				r->shape[r->nshape] = t_nla_u32(a);
			r->nshape++;
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= rem)
			break;
		rem -= NLA_ALIGN(a->nla_len);
		a = t_nla_next(a);
	}

	if (!tb[EDGEAI_A_RING_STATS] ||
	    !(tb[EDGEAI_A_RING_STATS]->nla_type & NLA_F_NESTED) ||
	    t_nla_parse_nested(st, EDGEAI_A_RING_STATS_MAX,
			       tb[EDGEAI_A_RING_STATS])) {
		r->missing++;
		return 0;
	}
	T_NL_GET64(st, EDGEAI_A_RING_STATS_PRODUCED, r->produced);
	T_NL_GET64(st, EDGEAI_A_RING_STATS_CONSUMED, r->consumed);
	T_NL_GET64(st, EDGEAI_A_RING_STATS_BYTES, r->bytes);
	T_NL_GET64(st, EDGEAI_A_RING_STATS_IN_RING, r->in_ring);
	T_NL_GET64(st, EDGEAI_A_RING_STATS_HIGH_WATER, r->high_water);
	T_NL_GET64(st, EDGEAI_A_RING_STATS_BAD_INDEX, r->bad_index);
	T_NL_GET64(st, EDGEAI_A_RING_STATS_WAKEUPS, r->wakeups);
	if (!st[EDGEAI_A_RING_STATS_DROPS] ||
	    t_nla_parse_nested(dr, EDGEAI_A_DROPS_MAX,
			       st[EDGEAI_A_RING_STATS_DROPS])) {
		r->missing++;
		return 0;
	}
	for (i = EDGEAI_A_DROPS_FULL; i <= EDGEAI_A_DROPS_PRODUCER; i++)
		T_NL_GET64(dr, i, r->drops[i - 1]);
	return 0;
}

/* One received event, copied out of the socket buffer. */
struct t_event {
	uint8_t cmd;
	uint32_t id;
	char name[32];
	uint32_t kind;		/* EDGEAI_A_RING_PRODUCER_KIND, or 0 */
	uint64_t drops;		/* EDGEAI_A_RING_OVERFLOW_DROPS */
	int has_drops;
	uint64_t t_ns;		/* CLOCK_MONOTONIC when received */
};

static inline uint64_t t_nl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Wait up to @timeout_ms for the next edgeai event on a socket that joined
 * the monitor group. Returns 1 with @ev filled, 0 on timeout, or -errno.
 * Events that arrive together are handed out one by one.
 */
static inline int t_nl_event(struct t_nl *nl, struct t_event *ev,
			     int timeout_ms)
{
	static char buf[T_NL_BUF];
	static ssize_t len, off;
	static int last_fd = -1;
	const struct nlattr *tb[EDGEAI_A_RING_MAX + 1];
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	struct nlmsghdr *nlh;
	int ret;

	if (nl->fd != last_fd) {	/* another socket: drop what was read */
		len = 0;
		off = 0;
		last_fd = nl->fd;
	}
	for (;;) {
		while (off < len) {
			nlh = (struct nlmsghdr *)(buf + off);
			if (!NLMSG_OK(nlh, (size_t)(len - off))) {
				off = len;
				break;
			}
			off += NLMSG_ALIGN(nlh->nlmsg_len);
			if (nlh->nlmsg_type != nl->family ||
			    t_genl_parse(nlh, tb, EDGEAI_A_RING_MAX))
				continue;
			memset(ev, 0, sizeof(*ev));
			ev->cmd = t_genl_cmd(nlh);
			ev->t_ns = t_nl_now_ns();
			if (tb[EDGEAI_A_RING_ID])
				ev->id = t_nla_u32(tb[EDGEAI_A_RING_ID]);
			if (tb[EDGEAI_A_RING_NAME])
				snprintf(ev->name, sizeof(ev->name), "%s",
					 (char *)t_nla_data(tb[EDGEAI_A_RING_NAME]));
			if (tb[EDGEAI_A_RING_PRODUCER_KIND])
				ev->kind = t_nla_u32(tb[EDGEAI_A_RING_PRODUCER_KIND]);
			if (tb[EDGEAI_A_RING_OVERFLOW_DROPS]) {
				ev->drops = t_nla_u64(tb[EDGEAI_A_RING_OVERFLOW_DROPS]);
				ev->has_drops = 1;
			}
			return 1;
		}
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (!ret)
			return 0;
		len = recv(nl->fd, buf, sizeof(buf), MSG_DONTWAIT);
		off = 0;
		if (len < 0) {
			ret = -errno;
			len = 0;
			if (ret == -EAGAIN)
				continue;
			return ret;
		}
	}
}

static inline const char *t_event_name(uint8_t cmd)
{
	switch (cmd) {
	case EDGEAI_CMD_RING_CREATED: return "ring-created";
	case EDGEAI_CMD_RING_DESTROYED: return "ring-destroyed";
	case EDGEAI_CMD_PRODUCER_ATTACHED: return "producer-attached";
	case EDGEAI_CMD_PRODUCER_DETACHED: return "producer-detached";
	case EDGEAI_CMD_OVERFLOW_STARTED: return "overflow-started";
	case EDGEAI_CMD_OVERFLOW_ENDED: return "overflow-ended";
	default: return "?";
	}
}

#endif /* EDGEAI_NL_TEST_H */
