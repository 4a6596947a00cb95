// SPDX-License-Identifier: GPL-2.0
/*
 * EDGEAI_CMD_RING_GET as a dump: 200 rings (max_rings raised for the
 * test) do not fit one message, so the dump spans several recv()s; every
 * ring comes exactly once, in id order, equal to what RING_INFO's F_NEXT
 * listing and RING_STATS say. A dump while another process creates and
 * destroys rings still sends each ring at most once and in order, and
 * flags NLM_F_DUMP_INTR when the registry changed under it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"
#include "edgeai_nl_test.h"

#define NRINGS		200
#define MAX_LISTED	1024

static long long saved_max_rings = -1;

static void set_max_rings(long long v)
{
	FILE *f = fopen("/sys/module/edgeai/parameters/max_rings", "w");

	T_ASSERT(f != NULL);
	fprintf(f, "%lld\n", v);
	T_ASSERT(fclose(f) == 0);
}

static long long get_max_rings(void)
{
	FILE *f = fopen("/sys/module/edgeai/parameters/max_rings", "r");
	long long v = -1;

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void ring_name(char *buf, size_t len, int i)
{
	snprintf(buf, len, "t_nld_%03d", i);
}

static void cleanup(void)
{
	char name[32];
	int fd, i;

	fd = open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		for (i = 0; i < NRINGS; i++) {
			ring_name(name, sizeof(name), i);
			t_ring_destroy_name(fd, name);
		}
		t_ring_destroy_name(fd, "t_nld_churn");
		close(fd);
	}
	if (saved_max_rings > 0)
		set_max_rings(saved_max_rings);
}

struct dump {
	struct t_nl_ring r[MAX_LISTED];
	int n;
	int intr;		/* messages flagged NLM_F_DUMP_INTR */
	int not_multi;		/* messages without NLM_F_MULTI */
	int bad;		/* messages that do not parse */
};

static void dump_cb(const struct nlmsghdr *nlh, void *ctx)
{
	struct dump *d = ctx;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr++;
	if (!(nlh->nlmsg_flags & NLM_F_MULTI))
		d->not_multi++;
	if (d->n >= MAX_LISTED || t_nl_ring_parse(nlh, &d->r[d->n])) {
		d->bad++;
		return;
	}
	d->n++;
}

static int do_dump(struct t_nl *nl, struct dump *d)
{
	struct t_msg m;

	memset(d, 0, sizeof(*d));
	t_msg_edgeai(&m, nl, NLM_F_DUMP, EDGEAI_CMD_RING_GET);
	return t_nl_request(nl, &m, dump_cb, d);
}

static struct dump d;

int main(void)
{
	static uint32_t ids[NRINGS], listed[MAX_LISTED];
	struct edgeai_ring_create c;
	struct edgeai_ring_stats s;
	struct edgeai_ring_info in;
	uint32_t after = 0, nlisted = 0;
	unsigned int recvs;
	struct t_nl nl;
	char name[32];
	int fd, i, j, seen;
	pid_t pid;

	saved_max_rings = get_max_rings();
	T_ASSERT(saved_max_rings > 0);
	atexit(cleanup);
	fd = t_open();
	set_max_rings(saved_max_rings + NRINGS + 8);
	T_ASSERT(t_nl_open(&nl) == 0);

	for (i = 0; i < NRINGS; i++) {
		ring_name(name, sizeof(name), i);
		t_ring_destroy_name(fd, name);
		c = t_ring_args(name, 2, EDGEAI_DTYPE_U8, 1);
		T_ASSERT(t_ring_create(fd, &c) > 0);
		ids[i] = c.ring_id;
	}

	/* What the ioctl lists, in id order. */
	for (;;) {
		memset(&in, 0, sizeof(in));
		in.size = sizeof(in);
		in.flags = EDGEAI_RING_INFO_F_NEXT;
		in.ring_id = after;
		if (t_ioctl(fd, EDGEAI_IOC_RING_INFO, &in))
			break;
		T_ASSERT(nlisted < MAX_LISTED);
		listed[nlisted++] = after = in.ring_id;
	}
	T_CHECK(nlisted >= NRINGS);

	recvs = nl.recvs;
	T_EQ(do_dump(&nl, &d), 0);
	recvs = nl.recvs - recvs;
	fprintf(stderr, "dump: %d rings in %u recv()s\n", d.n, recvs);
	T_CHECK(recvs >= 2);	/* 200 rings need several messages */
	T_EQ(d.bad, 0);
	T_EQ(d.not_multi, 0);
	T_EQ(d.intr, 0);
	T_EQ(d.n, nlisted);
	for (i = 0; i < d.n && i < (int)nlisted; i++) {
		T_EQ(d.r[i].id, listed[i]);
		T_EQ(d.r[i].missing, 0);
	}
	/* Each of ours exactly once, with its name and counters. */
	for (i = 0; i < NRINGS; i++) {
		ring_name(name, sizeof(name), i);
		seen = 0;
		for (j = 0; j < d.n; j++) {
			if (d.r[j].id != ids[i])
				continue;
			seen++;
			T_STREQ(d.r[j].name, name);
			T_ASSERT(t_stats(fd, ids[i], &s) == 0);
			T_EQ(d.r[j].produced, s.produced);
			T_EQ(d.r[j].slot_count, 2);
		}
		t_checks++;
		if (seen != 1)
			T_FAILF("ring %s (id %u) dumped %d times", name, ids[i],
				seen);
	}

	/* The same dump again, with rings coming and going meanwhile. */
	pid = t_fork();
	T_ASSERT(pid >= 0);
	if (!pid) {
		int cfd = t_open();

		for (;;) {
			c = t_ring_args("t_nld_churn", 2, EDGEAI_DTYPE_U8, 1);
			t_ring_create(cfd, &c);
			t_ring_destroy_name(cfd, "t_nld_churn");
			ring_name(name, sizeof(name), NRINGS - 1);
			t_ring_destroy_name(cfd, name);
			c = t_ring_args(name, 2, EDGEAI_DTYPE_U8, 1);
			t_ring_create(cfd, &c);
		}
	}
	for (i = 0; i < 20; i++) {
		T_EQ(do_dump(&nl, &d), 0);
		for (j = 1; j < d.n; j++) {
			t_checks++;
			if (d.r[j].id <= d.r[j - 1].id)
				T_FAILF("dump %d: id %u after %u", i, d.r[j].id,
					d.r[j - 1].id);
		}
		T_EQ(d.bad, 0);
		T_CHECK(d.n >= NRINGS - 2);
		if (d.intr)
			fprintf(stderr, "dump %d: NLM_F_DUMP_INTR in %d messages\n",
				i, d.intr);
	}
	kill(pid, SIGKILL);
	T_EQ(t_wait_child(pid), 128 + SIGKILL);

	t_nl_close(&nl);
	close(fd);
	return t_done();
}
