// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai: the generic netlink family "edgeai", as specified by
 * kmod/edgeai.yaml (UAPI: linux/edgeai_netlink.h; docs/netlink.md).
 *
 * Requests, read-only, open to anyone in the initial network namespace:
 *  - EDGEAI_CMD_RING_GET: do, by id or by name, or dump every ring in id
 *    order; the reply is the ring's descriptor and every counter of
 *    struct edgeai_ring_stats;
 *  - EDGEAI_CMD_STATS_GET: the module's version, ABI, features, limits
 *    and totals.
 * Each op has its own policy and is validated strictly: an attribute it
 * does not take is refused with -EINVAL and an extended ack message.
 *
 * Events go to the "monitor" multicast group. ring.c, file.c and ioctl.c
 * call edgeai_nl_*_event() in process context only (overflows, which
 * producers notice in any context, are reported by a work item), so the
 * messages are allocated with GFP_KERNEL and nothing here runs in atomic
 * context. With no listener no message is built.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <linux/edgeai_netlink.h>

#include "edgeai_internal.h"

enum edgeai_nl_mcgrp {
	EDGEAI_NL_MCGRP_MONITOR,
};

static const struct genl_multicast_group edgeai_nl_mcgrps[] = {
	[EDGEAI_NL_MCGRP_MONITOR] = { .name = EDGEAI_MCGRP_MONITOR, },
};

/* EDGEAI_CMD_RING_GET: do takes one of these, dump none. */
static const struct nla_policy edgeai_ring_get_nl_policy[EDGEAI_A_RING_NAME + 1] = {
	[EDGEAI_A_RING_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[EDGEAI_A_RING_NAME] = { .type = NLA_NUL_STRING,
				 .len = EDGEAI_NAME_LEN - 1 },
};

static struct genl_family edgeai_nl_family __ro_after_init;

/* EDGEAI_DROP_* index to EDGEAI_A_DROPS_* attribute. */
static const u8 edgeai_nl_drop_attrs[] = {
	[EDGEAI_DROP_FULL]		= EDGEAI_A_DROPS_FULL,
	[EDGEAI_DROP_OVERWRITTEN]	= EDGEAI_A_DROPS_OVERWRITTEN,
	[EDGEAI_DROP_BUSY]		= EDGEAI_A_DROPS_BUSY,
	[EDGEAI_DROP_TOO_BIG]		= EDGEAI_A_DROPS_TOO_BIG,
	[EDGEAI_DROP_DEAD]		= EDGEAI_A_DROPS_DEAD,
	[EDGEAI_DROP_PRODUCER]		= EDGEAI_A_DROPS_PRODUCER,
};

static int edgeai_nl_put_drops(struct sk_buff *skb, int attrtype,
			       const u64 *drops)
{
	struct nlattr *nest;
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(edgeai_nl_drop_attrs) > EDGEAI_DROP_MAX);
	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(edgeai_nl_drop_attrs); i++) {
		if (nla_put_u64_64bit(skb, edgeai_nl_drop_attrs[i], drops[i],
				      EDGEAI_A_DROPS_PAD))
			goto err_cancel;
	}
	nla_nest_end(skb, nest);
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int edgeai_nl_put_ring_stats(struct sk_buff *skb,
				    const struct edgeai_ring_stats *st)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, EDGEAI_A_RING_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, EDGEAI_A_RING_STATS_PRODUCED, st->produced,
			      EDGEAI_A_RING_STATS_PAD) ||
	    nla_put_u64_64bit(skb, EDGEAI_A_RING_STATS_CONSUMED, st->consumed,
			      EDGEAI_A_RING_STATS_PAD) ||
	    nla_put_u64_64bit(skb, EDGEAI_A_RING_STATS_BYTES, st->bytes,
			      EDGEAI_A_RING_STATS_PAD) ||
	    nla_put_u64_64bit(skb, EDGEAI_A_RING_STATS_IN_RING, st->in_ring,
			      EDGEAI_A_RING_STATS_PAD) ||
	    nla_put_u64_64bit(skb, EDGEAI_A_RING_STATS_HIGH_WATER,
			      st->high_water, EDGEAI_A_RING_STATS_PAD) ||
	    nla_put_u64_64bit(skb, EDGEAI_A_RING_STATS_BAD_INDEX,
			      st->bad_index, EDGEAI_A_RING_STATS_PAD) ||
	    nla_put_u64_64bit(skb, EDGEAI_A_RING_STATS_WAKEUPS, st->wakeups,
			      EDGEAI_A_RING_STATS_PAD) ||
	    edgeai_nl_put_drops(skb, EDGEAI_A_RING_STATS_DROPS, st->drops))
		goto err_cancel;
	nla_nest_end(skb, nest);
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int edgeai_nl_put_desc(struct sk_buff *skb,
			      const struct edgeai_tensor_desc *d)
{
	u32 i;

	if (nla_put_u32(skb, EDGEAI_A_RING_DTYPE, d->dtype) ||
	    nla_put_u32(skb, EDGEAI_A_RING_RANK, d->rank))
		return -EMSGSIZE;
	for (i = 0; i < d->rank && i < EDGEAI_MAX_RANK; i++) {
		if (nla_put_u32(skb, EDGEAI_A_RING_SHAPE, d->shape[i]))
			return -EMSGSIZE;
	}
	if (nla_put_u32(skb, EDGEAI_A_RING_TENSOR_FLAGS, d->flags) ||
	    nla_put_u32(skb, EDGEAI_A_RING_QUANT_SCALE, d->scale_f32) ||
	    nla_put_s32(skb, EDGEAI_A_RING_QUANT_ZERO_POINT, d->zero_point))
		return -EMSGSIZE;
	return 0;
}

/*
 * One EDGEAI_CMD_RING_GET message: the descriptor, then the counters. The
 * caller holds a reference to @ring, which refs does not count.
 */
static int edgeai_nl_fill_ring(struct sk_buff *skb, struct edgeai_ring *ring,
			       u32 portid, u32 seq, int flags,
			       struct netlink_callback *cb)
{
	struct edgeai_ring_stats st = {};
	struct edgeai_ring_info info = {};
	u32 consumers, producers;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &edgeai_nl_family, flags,
			  EDGEAI_CMD_RING_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	edgeai_ring_fill_info(ring, &info);
	edgeai_ring_fill_stats(ring, &st);
	edgeai_ring_users(ring, &consumers, &producers);

	if (nla_put_u32(skb, EDGEAI_A_RING_ID, info.ring_id) ||
	    nla_put_string(skb, EDGEAI_A_RING_NAME, info.name) ||
	    nla_put_u32(skb, EDGEAI_A_RING_STATE, info.state) ||
	    nla_put_u32(skb, EDGEAI_A_RING_FLAGS, info.ring_flags) ||
	    nla_put_u32(skb, EDGEAI_A_RING_SLOT_COUNT, info.slot_count) ||
	    nla_put_u32(skb, EDGEAI_A_RING_SLOT_SIZE, info.slot_size) ||
	    nla_put_u32(skb, EDGEAI_A_RING_SLOT_STRIDE, info.off.slot_stride) ||
	    nla_put_u64_64bit(skb, EDGEAI_A_RING_MEM_BYTES, ring->mem_bytes,
			      EDGEAI_A_RING_PAD) ||
	    edgeai_nl_put_desc(skb, &info.desc) ||
	    nla_put_u32(skb, EDGEAI_A_RING_REFS, info.refs - 1) ||
	    nla_put_u32(skb, EDGEAI_A_RING_CONSUMERS, consumers) ||
	    nla_put_u32(skb, EDGEAI_A_RING_PRODUCERS, producers) ||
	    edgeai_nl_put_ring_stats(skb, &st))
		goto err_cancel;
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int edgeai_nl_ring_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id_attr = info->attrs[EDGEAI_A_RING_ID];
	struct nlattr *name_attr = info->attrs[EDGEAI_A_RING_NAME];
	char name[EDGEAI_NAME_LEN] = {};
	struct edgeai_ring *ring;
	struct sk_buff *msg;
	int ret;

	if (!id_attr && !name_attr) {
		GENL_SET_ERR_MSG(info, "ring id or name required");
		return -EINVAL;
	}
	if (id_attr && name_attr) {
		NL_SET_ERR_MSG_ATTR(info->extack, name_attr,
				    "give the ring id or the name, not both");
		return -EINVAL;
	}
	if (name_attr) {
		nla_strscpy(name, name_attr, sizeof(name));
		if (edgeai_check_name(name)) {
			NL_SET_ERR_MSG_ATTR(info->extack, name_attr,
					    "invalid ring name");
			return -EINVAL;
		}
		ring = edgeai_ring_find(0, name);
	} else {
		ring = edgeai_ring_find(nla_get_u32(id_attr), NULL);
	}
	if (IS_ERR(ring)) {
		NL_SET_ERR_MSG_ATTR(info->extack, id_attr ?: name_attr,
				    "no such ring");
		return PTR_ERR(ring);
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto err_unref;
	}
	ret = edgeai_nl_fill_ring(msg, ring, info->snd_portid, info->snd_seq,
				  0, NULL);
	if (ret)
		goto err_free;
	edgeai_ring_unref(ring);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
err_unref:
	edgeai_ring_unref(ring);
	return ret;
}

/* The dump lists every ring: a selector would be ignored, so refuse it. */
static int edgeai_nl_ring_get_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);

	if (info->attrs && (info->attrs[EDGEAI_A_RING_ID] ||
			    info->attrs[EDGEAI_A_RING_NAME]))
		return -EINVAL;
	return 0;
}

/*
 * cb->args[0] is the id of the last ring sent: each call goes on with the
 * ring after it, so a dump spans as many messages as it needs and sends
 * each ring once. Rings created or destroyed meanwhile set NLM_F_DUMP_INTR.
 */
static int edgeai_nl_ring_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	u32 last = cb->args[0], id;
	struct edgeai_ring *ring;
	int ret = 0;

	cb->seq = edgeai_ring_generation();
	for (;;) {
		ring = edgeai_ring_find_next(last);
		if (IS_ERR(ring))
			break;
		id = ring->id;
		ret = edgeai_nl_fill_ring(skb, ring,
					  NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		edgeai_ring_unref(ring);
		if (ret)
			break;
		last = id;
	}
	cb->args[0] = last;
	/* A ring that does not fit an empty message is an error. */
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

static int edgeai_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct edgeai_totals t;
	struct sk_buff *msg;
	void *hdr;

	edgeai_ring_totals(&t);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &edgeai_nl_family, 0,
				EDGEAI_CMD_STATS_GET);
	if (!hdr)
		goto err_free;
	if (nla_put_string(msg, EDGEAI_A_STATS_VERSION, EDGEAI_VERSION) ||
	    nla_put_u32(msg, EDGEAI_A_STATS_ABI_VERSION, EDGEAI_ABI_VERSION) ||
	    nla_put_u64_64bit(msg, EDGEAI_A_STATS_FEATURES, EDGEAI_FEATURES,
			      EDGEAI_A_STATS_PAD) ||
	    nla_put_u32(msg, EDGEAI_A_STATS_RINGS, t.rings) ||
	    nla_put_u32(msg, EDGEAI_A_STATS_MAX_RINGS,
			READ_ONCE(edgeai_max_rings)) ||
	    nla_put_u64_64bit(msg, EDGEAI_A_STATS_MEM_BYTES, t.mem_bytes,
			      EDGEAI_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, EDGEAI_A_STATS_MAX_RING_BYTES,
			      READ_ONCE(edgeai_max_ring_bytes),
			      EDGEAI_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, EDGEAI_A_STATS_MAX_TOTAL_BYTES,
			      READ_ONCE(edgeai_max_total_bytes),
			      EDGEAI_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, EDGEAI_A_STATS_PRODUCED, t.produced,
			      EDGEAI_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, EDGEAI_A_STATS_CONSUMED, t.consumed,
			      EDGEAI_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, EDGEAI_A_STATS_BYTES, t.bytes,
			      EDGEAI_A_STATS_PAD) ||
	    edgeai_nl_put_drops(msg, EDGEAI_A_STATS_DROPS, t.drops))
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * Per-op policies. STATS_GET takes no attribute: without a policy of its
 * own the core gives it one that rejects every attribute (resv_start_op
 * is 0, so this holds for every op of the family).
 */
static const struct genl_ops edgeai_nl_ops[] = {
	{
		.cmd		= EDGEAI_CMD_RING_GET,
		.doit		= edgeai_nl_ring_get_doit,
		.start		= edgeai_nl_ring_get_start,
		.dumpit		= edgeai_nl_ring_get_dumpit,
		.policy		= edgeai_ring_get_nl_policy,
		.maxattr	= ARRAY_SIZE(edgeai_ring_get_nl_policy) - 1,
	},
	{
		.cmd		= EDGEAI_CMD_STATS_GET,
		.doit		= edgeai_nl_stats_get_doit,
	},
};

static struct genl_family edgeai_nl_family __ro_after_init = {
	.name		= EDGEAI_FAMILY_NAME,
	.version	= EDGEAI_FAMILY_VERSION,
	.netnsok	= false,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= edgeai_nl_ops,
	.n_ops		= ARRAY_SIZE(edgeai_nl_ops),
	.resv_start_op	= 0,
	.mcgrps		= edgeai_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(edgeai_nl_mcgrps),
};

/* ID, NAME and one u32 or u64 attribute. */
#define EDGEAI_NL_EVENT_SIZE	(nla_total_size(sizeof(u32)) +		\
				 nla_total_size(EDGEAI_NAME_LEN) +	\
				 nla_total_size_64bit(sizeof(u64)))

/* @attr is 0, EDGEAI_A_RING_PRODUCER_KIND or EDGEAI_A_RING_OVERFLOW_DROPS. */
static void edgeai_nl_event(u8 cmd, const struct edgeai_ring *ring, int attr,
			    u64 val)
{
	struct sk_buff *skb;
	void *hdr;

	might_sleep();
	if (!genl_has_listeners(&edgeai_nl_family, &init_net,
				EDGEAI_NL_MCGRP_MONITOR))
		return;
	skb = genlmsg_new(EDGEAI_NL_EVENT_SIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &edgeai_nl_family, 0, cmd);
	if (!hdr)
		goto err_free;
	if (nla_put_u32(skb, EDGEAI_A_RING_ID, ring->id) ||
	    nla_put_string(skb, EDGEAI_A_RING_NAME, ring->name))
		goto err_free;
	if (attr == EDGEAI_A_RING_PRODUCER_KIND &&
	    nla_put_u32(skb, attr, val))
		goto err_free;
	if (attr == EDGEAI_A_RING_OVERFLOW_DROPS &&
	    nla_put_u64_64bit(skb, attr, val, EDGEAI_A_RING_PAD))
		goto err_free;
	genlmsg_end(skb, hdr);
	/* -ESRCH when the last listener just left: nothing to do. */
	genlmsg_multicast(&edgeai_nl_family, skb, 0, EDGEAI_NL_MCGRP_MONITOR,
			  GFP_KERNEL);
	return;

err_free:
	nlmsg_free(skb);
}

/**
 * edgeai_nl_ring_event() - tell the monitor group a ring came or went
 * @cmd: EDGEAI_CMD_RING_CREATED or EDGEAI_CMD_RING_DESTROYED
 * @ring: the ring
 *
 * Context: process context.
 */
void edgeai_nl_ring_event(u8 cmd, const struct edgeai_ring *ring)
{
	edgeai_nl_event(cmd, ring, 0, 0);
}

/**
 * edgeai_nl_producer_event() - tell the monitor group about a producer
 * @cmd: EDGEAI_CMD_PRODUCER_ATTACHED or EDGEAI_CMD_PRODUCER_DETACHED
 * @ring: the ring
 * @kind: EDGEAI_PRODUCER_KERNEL or EDGEAI_PRODUCER_USER
 *
 * Context: process context.
 */
void edgeai_nl_producer_event(u8 cmd, const struct edgeai_ring *ring,
			      u32 kind)
{
	edgeai_nl_event(cmd, ring, EDGEAI_A_RING_PRODUCER_KIND, kind);
}

/**
 * edgeai_nl_overflow_event() - tell the monitor group about an overflow
 * @cmd: EDGEAI_CMD_OVERFLOW_STARTED or EDGEAI_CMD_OVERFLOW_ENDED
 * @ring: the ring
 * @drops: the ring's drops for lack of room so far
 *
 * Context: process context (ring.c's overflow work, ring destruction).
 */
void edgeai_nl_overflow_event(u8 cmd, const struct edgeai_ring *ring,
			      u64 drops)
{
	edgeai_nl_event(cmd, ring, EDGEAI_A_RING_OVERFLOW_DROPS, drops);
}

int __init edgeai_nl_init(void)
{
	return genl_register_family(&edgeai_nl_family);
}

/* After the last event: the rings are gone and the overflow work stopped. */
void edgeai_nl_exit(void)
{
	genl_unregister_family(&edgeai_nl_family);
}
