// SPDX-License-Identifier: GPL-2.0
/*
 * edgeaictl monitor: print the events of the edgeai generic netlink
 * family (linux/edgeai_netlink.h, group "monitor") as they happen, one
 * line each: text, or one JSON object per line under -j.
 *
 *   edgeaictl [-j|-p] monitor
 *
 * It also follows the generic netlink controller's "notify" group, so
 * that unloading and reloading edgeai.ko shows up as module-unloaded and
 * module-loaded events and the monitor carries on with the new family.
 * SIGINT and SIGTERM end it with status 0.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <linux/edgeai_netlink.h>
#include <linux/genetlink.h>

#include "main.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct monitor {
	struct nl_sock *sk;
	int family;		/* edgeai's id, or -1 while it is gone */
	int status;		/* set by a callback that fails */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static const char *const event_names[] = {
	[EDGEAI_CMD_RING_CREATED] = "ring-created",
	[EDGEAI_CMD_RING_DESTROYED] = "ring-destroyed",
	[EDGEAI_CMD_PRODUCER_ATTACHED] = "producer-attached",
	[EDGEAI_CMD_PRODUCER_DETACHED] = "producer-detached",
	[EDGEAI_CMD_OVERFLOW_STARTED] = "overflow-started",
	[EDGEAI_CMD_OVERFLOW_ENDED] = "overflow-ended",
};

/*
 * One event is one line: each field below is one call that writes the
 * text form ("LABEL VALUE", or just the value without a label) and the
 * JSON member.
 */
static bool ev_first;

static void ev_begin(void)
{
	out_begin();
	ev_first = true;
}

static void ev_text(const char *label, const char *val)
{
	printf("%s%s%s%s", ev_first ? "" : " ", label ? label : "",
	       label ? " " : "", val);
	ev_first = false;
}

static void ev_str(const char *key, const char *label, const char *val)
{
	if (json_output)
		out_str(key, NULL, val);
	else
		ev_text(label, val);
}

static void ev_u64(const char *key, const char *label, uint64_t val)
{
	char buf[24];

	if (json_output) {
		out_u64(key, NULL, val);
		return;
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)val);
	ev_text(label, buf);
}

static int ev_end(void)
{
	if (json_output)
		return out_end();
	putchar('\n');
	return fflush(stdout) ? -1 : 0;
}

/* Local time, ISO 8601 with microseconds and the UTC offset. */
static void ev_time(void)
{
	char buf[64], zone[8];
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);	/* +hhmm */
	snprintf(buf + n, sizeof(buf) - n, ".%06ld%.3s:%.2s",
		 ts.tv_nsec / 1000, zone, zone + 3);
	ev_str("time", NULL, buf);
}

static void print_plain_event(const char *name)
{
	ev_begin();
	ev_time();
	ev_str("event", NULL, name);
	if (ev_end())
		stop = 1;
}

static void print_ring_event(const struct genlmsghdr *gh, struct nlattr **tb)
{
	const char *kind = "?";

	ev_begin();
	ev_time();
	ev_str("event", NULL, event_names[gh->cmd]);
	if (tb[EDGEAI_A_RING_ID])
		ev_u64("id", "id", nla_get_u32(tb[EDGEAI_A_RING_ID]));
	if (tb[EDGEAI_A_RING_NAME])
		ev_str("name", "name", nla_get_string(tb[EDGEAI_A_RING_NAME]));
	if (tb[EDGEAI_A_RING_PRODUCER_KIND]) {
		switch (nla_get_u32(tb[EDGEAI_A_RING_PRODUCER_KIND])) {
		case EDGEAI_PRODUCER_KERNEL:
			kind = "kernel";
			break;
		case EDGEAI_PRODUCER_USER:
			kind = "user";
			break;
		}
		ev_str("producer", "producer", kind);
	}
	if (tb[EDGEAI_A_RING_OVERFLOW_DROPS])
		ev_u64("drops", "drops",
		       nla_get_u64(tb[EDGEAI_A_RING_OVERFLOW_DROPS]));
	if (ev_end())
		stop = 1;
}

static void on_edgeai(struct nlmsghdr *nlh)
{
	struct nlattr *tb[EDGEAI_A_RING_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlh);

	if (!genlmsg_valid_hdr(nlh, 0) || gh->cmd >= ARRAY_SIZE(event_names) ||
	    !event_names[gh->cmd])
		return;		/* not an event this tool knows */
	if (genlmsg_parse(nlh, 0, tb, EDGEAI_A_RING_MAX, NULL) < 0)
		return;
	print_ring_event(gh, tb);
}

/* The "monitor" group's id in a controller message, or -1. */
static int monitor_group(struct nlattr *groups)
{
	struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1], *grp;
	int rem;

	nla_for_each_nested(grp, groups, rem) {
		if (nla_parse_nested(tb, CTRL_ATTR_MCAST_GRP_MAX, grp, NULL) < 0)
			continue;
		if (tb[CTRL_ATTR_MCAST_GRP_NAME] && tb[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(nla_get_string(tb[CTRL_ATTR_MCAST_GRP_NAME]),
			    EDGEAI_MCGRP_MONITOR))
			return nla_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return -1;
}

/* The controller announces families coming and going. */
static void on_ctrl(struct monitor *m, struct nlmsghdr *nlh)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlh);
	int grp;

	if (!genlmsg_valid_hdr(nlh, 0) ||
	    genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, NULL) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_NAME] ||
	    strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]),
		   EDGEAI_FAMILY_NAME))
		return;
	if (gh->cmd == CTRL_CMD_DELFAMILY && m->family >= 0) {
		m->family = -1;
		print_plain_event("module-unloaded");
	} else if (gh->cmd == CTRL_CMD_NEWFAMILY && m->family < 0 &&
		   tb[CTRL_ATTR_FAMILY_ID] && tb[CTRL_ATTR_MCAST_GROUPS]) {
		grp = monitor_group(tb[CTRL_ATTR_MCAST_GROUPS]);
		if (grp < 0 || nl_socket_add_membership(m->sk, grp) < 0) {
			m->status = error_out(EXIT_FAIL,
					      "cannot join the edgeai monitor group again");
			stop = 1;
			return;
		}
		m->family = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
		print_plain_event("module-loaded");
	}
}

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct monitor *m = arg;

	if (nlh->nlmsg_type == GENL_ID_CTRL)
		on_ctrl(m, nlh);
	else if (m->family >= 0 && nlh->nlmsg_type == m->family)
		on_edgeai(nlh);
	return NL_OK;
}

/* Join edgeai's monitor group and the controller's notify group. */
static int monitor_open(struct monitor *m)
{
	int ret, grp, ctrl_grp;

	m->family = -1;
	m->sk = nl_socket_alloc();
	if (!m->sk)
		return error_out(EXIT_FAIL, "out of memory");
	ret = genl_connect(m->sk);
	if (ret < 0)
		return error_out(EXIT_FAIL, "generic netlink: %s",
				 nl_geterror(ret));
	m->family = genl_ctrl_resolve(m->sk, EDGEAI_FAMILY_NAME);
	if (m->family == -NLE_OBJ_NOTFOUND)
		return error_out(EXIT_FAIL,
				 "edgeai module not loaded: no generic netlink family '%s'",
				 EDGEAI_FAMILY_NAME);
	if (m->family < 0)
		return error_out(EXIT_FAIL, "resolving family '%s': %s",
				 EDGEAI_FAMILY_NAME, nl_geterror(m->family));
	grp = genl_ctrl_resolve_grp(m->sk, EDGEAI_FAMILY_NAME,
				    EDGEAI_MCGRP_MONITOR);
	ctrl_grp = genl_ctrl_resolve_grp(m->sk, "nlctrl", "notify");
	if (grp < 0 || ctrl_grp < 0)
		return error_out(EXIT_FAIL, "resolving multicast groups: %s",
				 nl_geterror(grp < 0 ? grp : ctrl_grp));
	/* From here on only events come: no sequence numbers, no acks. */
	nl_socket_disable_seq_check(m->sk);
	nl_socket_modify_cb(m->sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, m);
	ret = nl_socket_add_memberships(m->sk, grp, ctrl_grp, 0);
	if (!ret)
		ret = nl_socket_set_nonblocking(m->sk);
	if (ret < 0)
		return error_out(EXIT_FAIL, "joining the monitor group: %s",
				 nl_geterror(ret));
	return 0;
}

static int monitor_loop(struct monitor *m)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(m->sk), .events = POLLIN };
	sigset_t orig;
	int ret;

	/* Signals are only taken inside ppoll(): none is missed. */
	stop_signals_block(on_signal, &orig);

	while (!stop) {
		ret = ppoll(&pfd, 1, NULL, &orig);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return error_out(EXIT_FAIL, "poll: %s", strerror(errno));
		ret = nl_recvmsgs_default(m->sk);
		if (ret == -NLE_NOMEM) {
			/* ENOBUFS: the socket overflowed, events were lost. */
			print_plain_event("events-lost");
		} else if (ret < 0 && ret != -NLE_AGAIN) {
			return error_out(EXIT_FAIL, "receiving events: %s",
					 nl_geterror(ret));
		}
	}
	return m->status;
}

static int do_help(void)
{
	printf("Usage: %s [-j|-p] monitor\n\n"
	       "Print the edgeai kernel module's netlink events as they happen,\n"
	       "one line each (one JSON object per line with -j): rings created\n"
	       "and destroyed, producers attached and detached, overflows\n"
	       "started and ended (at most one start per ring per second), and\n"
	       "the module being unloaded and loaded again. Ctrl-C or SIGTERM\n"
	       "ends it. See edgeaictl(8).\n", bin_name);
	return EXIT_OK;
}

int do_monitor(int argc, char **argv)
{
	struct monitor m = { 0 };
	int ret;

	if (argc > 0 && !strcmp(argv[0], "help") && argc == 1)
		return do_help();
	if (argc > 0)
		return error_out(EXIT_USAGE, "usage: monitor (takes no arguments)");
	ret = monitor_open(&m);
	if (!ret)
		ret = monitor_loop(&m);
	nl_socket_free(m.sk);
	return ret;
}
