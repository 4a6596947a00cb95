// SPDX-License-Identifier: GPL-2.0
/*
 * Who may do what (docs/ring-abi.md "Life of a ring", "Errors", access):
 * RING_CREATE and RING_DESTROY need CAP_SYS_ADMIN or membership of the
 * device node's group (EPERM otherwise, and nothing changes); attaching,
 * mapping, consuming and publishing need only an fd and the role. The
 * node is 0660 root:root, so an unprivileged process cannot open it, but
 * an fd root opened before the process dropped to nobody keeps working
 * for everything but create/destroy. After chgrp of /dev/edgeai to the
 * process's group (primary or supplementary), it can open the node and
 * create and destroy rings. The node's owner and mode are restored.
 */
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"

#define RK	"t_rpm_kfed"		/* root's kernel-fed ring */
#define RU	"t_rpm_user"		/* root's USER_PRODUCER ring */
#define RN	"t_rpm_nobody"		/* made by the unprivileged child */
#define NOBODY	65534
#define OTHER	65533

static pid_t g_main_pid;
static struct stat g_node;		/* /dev/edgeai as we found it */
static int g_node_saved;

static void restore_node(void)
{
	if (!g_node_saved)
		return;
	if (chown(EDGEAI_DEV_PATH, g_node.st_uid, g_node.st_gid) ||
	    chmod(EDGEAI_DEV_PATH, g_node.st_mode & 07777))
		fprintf(stderr, "could not restore %s owner/mode\n",
			EDGEAI_DEV_PATH);
	g_node_saved = 0;
}

static void cleanup(void)
{
	if (getpid() != g_main_pid)
		return;
	restore_node();
	t_destroy_rings(RK, RU, RN, NULL);
}

/* Become uid NOBODY, gid @gid, supplementary groups @groups: no caps. */
static void drop_to(gid_t gid, const gid_t *groups, size_t ngroups)
{
	T_ASSERT(setgroups(ngroups, groups) == 0);
	T_ASSERT(setresgid(gid, gid, gid) == 0);
	T_ASSERT(setresuid(NOBODY, NOBODY, NOBODY) == 0);
	T_ASSERT(geteuid() == NOBODY && getegid() == gid);
	/* Really unprivileged: root-only things fail. */
	T_ASSERT(setresuid(0, 0, 0) == -1);
}

/* 0 if a ring has this name, else -errno (attach on a fresh fd). */
static int ring_exists(const char *name)
{
	struct edgeai_ring_attach a;
	int probe, r;

	probe = open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (probe < 0)
		return -EACCES;
	r = t_attach_name(probe, name, EDGEAI_ROLE_OBSERVER, 0, &a);
	close(probe);
	return r;
}

/*
 * Unprivileged, with fds root opened: @cfd consumes RU, @pfd produces to
 * RU, @xfd tries to create and destroy.
 */
static void child_with_root_fds(int cfd, int pfd, int xfd, uint32_t kid,
				uint32_t uid)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	struct edgeai_ring_publish pub;
	struct edgeai_ring_stats st;
	struct edgeai_ring_info in;
	struct t_map cm, pm;
	struct edgeai_info info;

	drop_to(NOBODY, NULL, 0);
	T_EQ(open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC), -1);
	T_EQ(errno, EACCES);

	/* Create and destroy: EPERM, and nothing changes. */
	c = t_ring_args(RN, 8, EDGEAI_DTYPE_U8, 16);
	T_ERRNO(t_ring_create(xfd, &c), EPERM);
	T_ERRNO(t_ring_destroy_id(xfd, kid), EPERM);
	T_ERRNO(t_ring_destroy_name(xfd, RK), EPERM);
	T_ERRNO(t_ring_destroy_name(xfd, RU), EPERM);
	T_ERRNO(t_ring_destroy_name(xfd, RN), EPERM);
	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.ring_id = kid;
	T_EQ(t_ioctl(xfd, EDGEAI_IOC_RING_INFO, &in), 0);
	T_EQ(in.state, EDGEAI_RING_STATE_LIVE);
	T_ERRNO(t_attach_name(xfd, RN, EDGEAI_ROLE_OBSERVER, 0, &a), ENOENT);
	/* Reading is for everyone with an fd. */
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	T_EQ(t_ioctl(xfd, EDGEAI_IOC_GET_INFO, &info), 0);
	T_EQ(t_stats(xfd, kid, &st), 0);
	T_EQ(t_attach_id(xfd, kid, EDGEAI_ROLE_OBSERVER, 0, &a), 0);
	T_ERRNO(t_ring_destroy_id(xfd, kid), EPERM);	/* attached: same */

	/* Consume and produce through root's fds. */
	T_EQ(t_attach_name(pfd, RU, EDGEAI_ROLE_PRODUCER, 0, &a), 0);
	T_ASSERT(t_map_ring(pfd, &a, 4, &pm) == 0);
	T_EQ(t_attach_id(cfd, uid, EDGEAI_ROLE_CONSUMER, 0, &a), 0);
	T_ASSERT(t_map_ring(cfd, &a, 4, &cm) == 0);
	{
		struct edgeai_slot_hdr *h = t_slot(&pm, 0);

		memset(h, 0, sizeof(*h));
		h->len = 4;
		memcpy(h + 1, "nbdy", 4);
	}
	memset(&pub, 0, sizeof(pub));
	pub.size = sizeof(pub);
	pub.head = 1;
	T_EQ(t_ioctl(pfd, EDGEAI_IOC_RING_PUBLISH, &pub), 0);
	T_EQ(t_load_acquire(t_head(&cm)), 1);
	T_EQ(t_slot(&cm, 0)->len, 4);
	T_CHECK(!memcmp(t_slot(&cm, 0) + 1, "nbdy", 4));
	t_store_release(t_tail(&cm), 1);
	T_EQ(t_stats(cfd, 0, &st), 0);
	T_EQ(st.produced, 1);
	T_EQ(st.consumed, 1);
	T_EQ(st.bad_index, 0);
	t_unmap_ring(&cm);
	t_unmap_ring(&pm);
	t_child_exit();
}

/* Unprivileged, in the node's group (primary or supplementary). */
static void child_in_group(gid_t gid, const gid_t *groups, size_t ngroups)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	int fd, id;

	drop_to(gid, groups, ngroups);
	fd = open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);
	T_ASSERT(fd >= 0);
	c = t_ring_args(RN, 8, EDGEAI_DTYPE_U8, 16);
	id = t_ring_create(fd, &c);
	T_CHECK(id > 0);
	T_EQ(ring_exists(RN), 0);
	T_EQ(t_attach_id(fd, id, EDGEAI_ROLE_CONSUMER, 0, &a), 0);
	T_EQ(t_ring_destroy_name(fd, RN), 0);
	T_ERRNO(ring_exists(RN), ENOENT);
	close(fd);
	t_child_exit();
}

int main(void)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	int adm, cfd, pfd, xfd, kid, uid, id;
	pid_t pid;

	g_main_pid = getpid();
	T_ASSERT(geteuid() == 0);
	adm = t_open();
	t_need_features(adm, EDGEAI_FEAT_RINGS | EDGEAI_FEAT_USER_PRODUCER,
			"EDGEAI_FEAT_RINGS/USER_PRODUCER");
	cleanup();
	atexit(cleanup);
	T_ASSERT(stat(EDGEAI_DEV_PATH, &g_node) == 0);
	g_node_saved = 1;
	T_EQ(g_node.st_mode & 0777, 0660);
	T_EQ(g_node.st_uid, 0);
	T_EQ(g_node.st_gid, 0);

	/* Root creates. */
	c = t_ring_args(RK, 8, EDGEAI_DTYPE_F32, 4);
	kid = t_ring_create(adm, &c);
	T_ASSERT(kid > 0);
	c = t_ring_args(RU, 4, EDGEAI_DTYPE_U8, 16);
	c.flags = EDGEAI_RING_F_USER_PRODUCER;
	uid = t_ring_create(adm, &c);
	T_ASSERT(uid > 0);

	/* 1. Nobody with fds root opened. */
	cfd = t_open();
	pfd = t_open();
	xfd = t_open();
	pid = t_fork();
	T_ASSERT(pid >= 0);
	if (pid == 0)
		child_with_root_fds(cfd, pfd, xfd, kid, uid);
	close(cfd);
	close(pfd);
	close(xfd);
	T_EQ(t_wait_child(pid), 0);
	/* Nothing the child tried to change changed. */
	T_EQ(ring_exists(RK), 0);
	T_EQ(ring_exists(RU), 0);
	T_ERRNO(ring_exists(RN), ENOENT);

	/* 2. Nobody in the node's group, primary then supplementary. */
	T_ASSERT(chown(EDGEAI_DEV_PATH, (uid_t)-1, NOBODY) == 0);
	pid = t_fork();
	T_ASSERT(pid >= 0);
	if (pid == 0)
		child_in_group(NOBODY, NULL, 0);
	T_EQ(t_wait_child(pid), 0);
	pid = t_fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		gid_t g = NOBODY;

		child_in_group(OTHER, &g, 1);
	}
	T_EQ(t_wait_child(pid), 0);
	T_ERRNO(ring_exists(RN), ENOENT);

	/* 3. Not in the group: even with the node group-owned, EPERM. */
	pfd = t_open();
	pid = t_fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		drop_to(OTHER, NULL, 0);
		T_EQ(open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC), -1);
		T_EQ(errno, EACCES);
		c = t_ring_args(RN, 8, EDGEAI_DTYPE_U8, 16);
		T_ERRNO(t_ring_create(pfd, &c), EPERM);
		T_ERRNO(t_ring_destroy_name(pfd, RK), EPERM);
		t_child_exit();
	}
	close(pfd);
	T_EQ(t_wait_child(pid), 0);
	T_ERRNO(ring_exists(RN), ENOENT);
	T_EQ(ring_exists(RK), 0);

	restore_node();
	{
		struct stat now;

		T_ASSERT(stat(EDGEAI_DEV_PATH, &now) == 0);
		T_EQ(now.st_gid, 0);
		T_EQ(now.st_mode & 07777, 0660);
	}

	/* Root, of course, still creates and destroys. */
	c = t_ring_args(RN, 8, EDGEAI_DTYPE_U8, 16);
	id = t_ring_create(adm, &c);
	T_CHECK(id > 0);
	T_EQ(t_attach_id(adm, kid, EDGEAI_ROLE_OBSERVER, 0, &a), 0);
	T_EQ(t_ring_destroy_name(adm, RN), 0);
	T_EQ(t_ring_destroy_id(adm, kid), 0);
	T_EQ(t_ring_destroy_id(adm, uid), 0);
	close(adm);
	return t_done();
}
