// SPDX-License-Identifier: GPL-2.0
/*
 * The "monitor" multicast group of the edgeai netlink family.
 *
 * (a) A USER_PRODUCER ring: created, producer (user) attached, the
 *     producer reports drops (overflow started, with them) then publishes
 *     a slot without drops (overflow ended), producer detached by close,
 *     destroyed: exactly these events, in this order, with id and name.
 * (b) edgeai_synth.ko creating and feeding a 16-slot ring nobody reads:
 *     created, producer (kernel) attached, overflow started; nothing more
 *     while it keeps overflowing; rmmod: producer detached; destroy:
 *     overflow ended (its drops equal the ring's final count), destroyed.
 * (c) The rate limit: a consumer drains a 16-slot ring fed at 4 kHz every
 *     25 ms, so it overflows and recovers ~40 times a second; the group
 *     sees strictly alternating started/ended events, consecutive starts
 *     at least 0.8 s apart (the kernel enforces 1 s; receive times jitter),
 *     and more than one start (the limit re-arms). The first start comes
 *     while edgeai_synth.ko loads, before the test listens: its receive
 *     time says nothing of when it was sent (in one debug-kernel run it
 *     was read 0.69 s before the next), so the gaps are timed from the
 *     first start read after the test had listened for FLAP_QUEUED_NS.
 * (d) rmmod edgeai while this test's monitor socket is open works; the
 *     socket gets the destroyed event of the ring that goes with the
 *     module; after insmod the family and its group work again.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"
#include "edgeai_nl_test.h"

#define RING_U		"t_nlm_user"
#define RING_S		"t_nlm_synth"
#define RING_F		"t_nlm_flap"
#define RING_X		"t_nlm_unload"
#define FLAP_SLOTS	16u
#define FLAP_RUN_NS	3500000000ull
#define FLAP_PERIOD_MS	25
#define FLAP_QUEUED_NS	100000000ull
#define MAX_EVENTS	256

static void cleanup(void)
{
	if (t_synth_loaded())
		t_system("rmmod edgeai_synth");
	if (access("/sys/module/edgeai", F_OK)) {
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "insmod %s/kmod/edgeai.ko",
			 t_src_dir());
		t_system(cmd);
	}
	t_destroy_rings(RING_U, RING_S, RING_F, RING_X, NULL);
}

struct exp {
	uint8_t cmd;
	uint32_t kind;
};

/* Up to @n events about ring @name within @timeout_ms; others ignored. */
static int collect(struct t_nl *nl, const char *name, struct t_event *evs,
		   int n, int timeout_ms)
{
	uint64_t end = t_nl_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	int64_t left;
	int got = 0;

	while (got < n) {
		left = (int64_t)(end - t_nl_now_ns()) / 1000000;
		if (left <= 0 || t_nl_event(nl, &evs[got], (int)left) <= 0)
			break;
		if (!strcmp(evs[got].name, name))
			got++;
	}
	return got;
}

/* Exactly these events about @name, then none for a while. */
static void expect_seq(struct t_nl *nl, const char *name, uint32_t id,
		       const struct exp *exp, int n, struct t_event *evs)
{
	struct t_event extra;
	int got, i;
	int is_ovf, is_prod;

	got = collect(nl, name, evs, n, 5000);
	t_checks++;
	if (got != n)
		T_FAILF("%s: %d events, expected %d", name, got, n);
	for (i = 0; i < got; i++) {
		fprintf(stderr, "%s: %s id %u kind %u drops %llu\n", name,
			t_event_name(evs[i].cmd), evs[i].id, evs[i].kind,
			(unsigned long long)evs[i].drops);
		t_checks++;
		if (evs[i].cmd != exp[i].cmd)
			T_FAILF("%s event %d: expected %s, got %s", name, i,
				t_event_name(exp[i].cmd),
				t_event_name(evs[i].cmd));
		T_EQ(evs[i].id, id);
		is_ovf = evs[i].cmd == EDGEAI_CMD_OVERFLOW_STARTED ||
			 evs[i].cmd == EDGEAI_CMD_OVERFLOW_ENDED;
		is_prod = evs[i].cmd == EDGEAI_CMD_PRODUCER_ATTACHED ||
			  evs[i].cmd == EDGEAI_CMD_PRODUCER_DETACHED;
		T_EQ(evs[i].has_drops, is_ovf);
		T_EQ(evs[i].kind, is_prod ? exp[i].kind : 0);
	}
	got = collect(nl, name, &extra, 1, 300);
	t_checks++;
	if (got)
		T_FAILF("%s: unexpected %s after the sequence", name,
			t_event_name(extra.cmd));
}

static void part_user(struct t_nl *nl, int fd)
{
	static const struct exp exp[] = {
		{ EDGEAI_CMD_RING_CREATED, 0 },
		{ EDGEAI_CMD_PRODUCER_ATTACHED, EDGEAI_PRODUCER_USER },
		{ EDGEAI_CMD_OVERFLOW_STARTED, 0 },
		{ EDGEAI_CMD_OVERFLOW_ENDED, 0 },
		{ EDGEAI_CMD_PRODUCER_DETACHED, EDGEAI_PRODUCER_USER },
		{ EDGEAI_CMD_RING_DESTROYED, 0 },
	};
	struct t_event evs[6];
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	int pfd, id;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = EDGEAI_RING_F_USER_PRODUCER;
	c.slot_count = 4;
	c.slot_size = 8;
	c.desc.dtype = EDGEAI_DTYPE_U8;
	snprintf(c.name, sizeof(c.name), "%s", RING_U);
	id = t_ring_create(fd, &c);
	T_ASSERT(id > 0);
	pfd = t_open();
	T_ASSERT(t_attach_id(pfd, id, EDGEAI_ROLE_PRODUCER, 0, &a) == 0);
	/* Slots are zeroed: a len of 0 is valid, nothing to write. */
	T_EQ(t_publish(pfd, 0, 3), 0);
	usleep(100000);
	T_EQ(t_publish(pfd, 1, 0), 0);
	usleep(100000);
	close(pfd);
	T_EQ(t_ring_destroy_id(fd, id), 0);

	expect_seq(nl, RING_U, id, exp, 6, evs);
	T_EQ(evs[2].drops, 3);
	T_EQ(evs[3].drops, 3);
}

static void part_synth(struct t_nl *nl, int fd)
{
	static const struct exp exp1[] = {
		{ EDGEAI_CMD_RING_CREATED, 0 },
		{ EDGEAI_CMD_PRODUCER_ATTACHED, EDGEAI_PRODUCER_KERNEL },
		{ EDGEAI_CMD_OVERFLOW_STARTED, 0 },
	};
	static const struct exp exp2[] = {
		{ EDGEAI_CMD_PRODUCER_DETACHED, EDGEAI_PRODUCER_KERNEL },
	};
	static const struct exp exp3[] = {
		{ EDGEAI_CMD_OVERFLOW_ENDED, 0 },
		{ EDGEAI_CMD_RING_DESTROYED, 0 },
	};
	struct edgeai_ring_attach a;
	struct edgeai_ring_stats s;
	struct t_event evs[3], none;
	uint32_t id;
	int ofd;

	if (t_synth_load("ring=%s create=Y slots=16 rate_hz=2000 channels=1 dtype=f32 waveform=counter",
			 RING_S))
		exit(T_FAIL);
	ofd = t_open();
	T_ASSERT(t_attach_name(ofd, RING_S, EDGEAI_ROLE_OBSERVER, 0, &a) == 0);
	id = a.ring_id;
	close(ofd);
	expect_seq(nl, RING_S, id, exp1, 3, evs);
	T_CHECK(evs[2].drops >= 1);
	/* Overflowing without a break: no more events. */
	T_EQ(collect(nl, RING_S, &none, 1, 1500), 0);

	t_checks++;
	t_synth_unload();
	expect_seq(nl, RING_S, id, exp2, 1, evs);
	T_ASSERT(t_stats(fd, id, &s) == 0);
	T_EQ(t_ring_destroy_id(fd, id), 0);
	expect_seq(nl, RING_S, id, exp3, 2, evs);
	T_EQ(evs[0].drops, s.drops[EDGEAI_DROP_FULL]);
	T_CHECK(s.drops[EDGEAI_DROP_FULL] > 0);
}

static void part_rate_limit(struct t_nl *nl, int fd)
{
	static struct t_event evs[MAX_EVENTS];
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	struct edgeai_ring_stats s;
	uint64_t start, next, last_drops = 0, gap, last_start = 0;
	bool timed = false;	/* last_start is a send time, give or take */
	int cfd, n = 0, episodes = 0, starts = 0, gaps = 0, i, ret;
	uint8_t expect = EDGEAI_CMD_OVERFLOW_STARTED;
	struct t_map map;
	uint32_t id;

	c = t_ring_args(RING_F, FLAP_SLOTS, EDGEAI_DTYPE_F32, 1);
	T_ASSERT(t_ring_create(fd, &c) > 0);
	id = c.ring_id;
	cfd = t_open();
	T_ASSERT(t_attach_id(cfd, id, EDGEAI_ROLE_CONSUMER, 1, &a) == 0);
	T_ASSERT(t_map_ring(cfd, &a, FLAP_SLOTS, &map) == 0);
	if (t_synth_load("ring=%s create=N rate_hz=4000 channels=1 dtype=f32 waveform=counter",
			 RING_F))
		exit(T_FAIL);

	start = t_nl_now_ns();
	next = start;
	while (t_nl_now_ns() - start < FLAP_RUN_NS) {
		/* Drain everything, then let it overflow again. */
		if (t_nl_now_ns() >= next) {
			t_store_release(t_tail(&map), t_load_acquire(t_head(&map)));
			T_ASSERT(t_stats(fd, id, &s) == 0);
			if (s.drops[EDGEAI_DROP_FULL] > last_drops)
				episodes++;
			last_drops = s.drops[EDGEAI_DROP_FULL];
			next += FLAP_PERIOD_MS * 1000000ull;
		}
		ret = t_nl_event(nl, &evs[n], FLAP_PERIOD_MS / 5);
		T_ASSERT(ret >= 0);
		if (ret && !strcmp(evs[n].name, RING_F) && n < MAX_EVENTS - 1)
			n++;
	}
	t_checks++;
	t_synth_unload();
	close(cfd);
	t_unmap_ring(&map);
	/* A start or end that was due still comes. */
	n += collect(nl, RING_F, &evs[n], MAX_EVENTS - n, 1500);

	fprintf(stderr, "rate limit: %d overflow episodes, %d events\n",
		episodes, n);
	T_CHECK(episodes >= 20);
	for (i = 0; i < n; i++) {
		if (evs[i].cmd != EDGEAI_CMD_OVERFLOW_STARTED &&
		    evs[i].cmd != EDGEAI_CMD_OVERFLOW_ENDED)
			continue;	/* the synth attaching, detaching */
		fprintf(stderr, "  +%.3f s %s drops %llu\n",
			(double)(evs[i].t_ns - start) / 1e9,
			t_event_name(evs[i].cmd),
			(unsigned long long)evs[i].drops);
		t_checks++;
		if (evs[i].cmd != expect)
			T_FAILF("event %d: %s breaks the started/ended alternation",
				i, t_event_name(evs[i].cmd));
		expect = evs[i].cmd == EDGEAI_CMD_OVERFLOW_STARTED ?
			 EDGEAI_CMD_OVERFLOW_ENDED : EDGEAI_CMD_OVERFLOW_STARTED;
		if (evs[i].cmd != EDGEAI_CMD_OVERFLOW_STARTED)
			continue;
		if (timed) {
			gap = evs[i].t_ns - last_start;
			t_checks++;
			gaps++;
			if (gap < 800000000ull)
				T_FAILF("overflow-started %.3f s after the previous one",
					(double)gap / 1e9);
		}
		last_start = evs[i].t_ns;
		timed = last_start - start >= FLAP_QUEUED_NS;
		starts++;
	}
	T_CHECK(starts >= 2);
	T_CHECK(gaps >= 1);
	T_CHECK(starts <= 5);
	T_CHECK(starts < episodes);
	t_destroy_rings(RING_F, NULL);
}

static void part_unload(struct t_nl *nl)
{
	static const struct exp exp[] = {
		{ EDGEAI_CMD_RING_CREATED, 0 },
		{ EDGEAI_CMD_RING_DESTROYED, 0 },
	};
	struct edgeai_ring_create c;
	struct t_event evs[2];
	struct t_nl nl2;
	char cmd[512];
	int fd, id;

	fd = t_open();
	c = t_ring_args(RING_X, 2, EDGEAI_DTYPE_U8, 1);
	id = t_ring_create(fd, &c);
	T_ASSERT(id > 0);
	close(fd);

	/* The monitor socket holds no reference: the module goes. */
	T_EQ(t_system("rmmod edgeai"), 0);
	T_CHECK(access("/sys/module/edgeai", F_OK) != 0);
	expect_seq(nl, RING_X, id, exp, 2, evs);
	T_ERRNO(t_nl_open(&nl2), ENOENT);

	snprintf(cmd, sizeof(cmd), "insmod %s/kmod/edgeai.ko", t_src_dir());
	T_ASSERT(t_system(cmd) == 0);
	T_ASSERT(t_nl_open(&nl2) == 0);
	T_ASSERT(t_nl_join(&nl2, nl2.monitor) == 0);
	fd = t_open();
	c = t_ring_args(RING_X, 2, EDGEAI_DTYPE_U8, 1);
	id = t_ring_create(fd, &c);
	T_ASSERT(id > 0);
	T_EQ(t_ring_destroy_id(fd, id), 0);
	close(fd);
	expect_seq(&nl2, RING_X, id, exp, 2, evs);
	t_nl_close(&nl2);
}

int main(void)
{
	struct t_nl nl;
	int fd;

	atexit(cleanup);
	t_synth_unload_stale();
	t_destroy_rings(RING_U, RING_S, RING_F, RING_X, NULL);
	T_ASSERT(t_nl_open(&nl) == 0);
	T_ASSERT(nl.monitor != 0);
	T_ASSERT(t_nl_join(&nl, nl.monitor) == 0);
	fd = t_open();

	part_user(&nl, fd);
	part_synth(&nl, fd);
	part_rate_limit(&nl, fd);
	close(fd);
	part_unload(&nl);
	t_nl_close(&nl);
	return t_done();
}
