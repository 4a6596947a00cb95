// SPDX-License-Identifier: GPL-2.0
/*
 * rmmod edgeai and ring memory (docs/ring-abi.md "Regions and
 * protections"): the module cannot be removed while an fd is open, nor
 * while only a mapping of a ring remains (a mapping holds its file, even
 * after close and ring destruction); a refused rmmod changes nothing. Once
 * the last mapping goes, rmmod succeeds with a ring still registered (the
 * module frees it) and /dev/edgeai disappears; after insmod the node is
 * back and the rings from before are gone (ENOENT). The module is left
 * loaded, also when a check fails.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"

#define RA	"t_rrm_a"	/* destroyed while mapped */
#define RB	"t_rrm_b"	/* still registered at rmmod */

static int module_loaded(void)
{
	return access("/sys/module/edgeai/initstate", F_OK) == 0;
}

static const char *ko_path(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/kmod/edgeai.ko", t_src_dir());
	return path;
}

static int insmod(void)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "insmod '%s'", ko_path());
	return t_system(cmd);
}

/* Leave the module loaded whatever happened. */
static void reload(void)
{
	if (!module_loaded() && insmod() != 0)
		fprintf(stderr, "could not insmod %s again\n", ko_path());
	t_destroy_rings(RA, RB, NULL);
}

/* rmmod must fail and leave the module and the ring as they were. */
#define RMMOD_REFUSED()							\
	do {								\
		T_CHECK(t_system("rmmod edgeai 2>/dev/null") != 0);	\
		T_CHECK(module_loaded());				\
		T_CHECK(access(EDGEAI_DEV_PATH, F_OK) == 0);		\
	} while (0)

int main(void)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	struct edgeai_ring_info in;
	struct stat st;
	struct t_map m;
	int adm, fd, ida, idb;
	uint64_t *head;
	long page = sysconf(_SC_PAGESIZE);
	void *ctrl;

	T_ASSERT(module_loaded());
	atexit(reload);
	/* Nothing else may hold the module, or rmmod fails for that. */
	t_checks++;
	if (t_module_refcnt() != 0 ||
	    access("/sys/module/edgeai_synth", F_OK) == 0) {
		T_FAILF("edgeai is in use before the test (refcnt %ld): a test before this one left an fd, mapping or producer module",
			t_module_refcnt());
		return t_done();
	}

	adm = t_open();
	t_need_rings(adm);
	reload();
	c = t_ring_args(RA, 8, EDGEAI_DTYPE_U8, 100);
	ida = t_ring_create(adm, &c);
	T_ASSERT(ida > 0);
	c = t_ring_args(RB, 4, EDGEAI_DTYPE_F32, 3);
	idb = t_ring_create(adm, &c);
	T_ASSERT(idb > 0);

	/* 1. An open fd (not even attached) pins the module. */
	T_CHECK(t_module_refcnt() >= 1);
	RMMOD_REFUSED();

	/* 2. Only a mapping: fd closed, ring destroyed. */
	fd = t_open();
	T_ASSERT(t_attach_id(fd, ida, EDGEAI_ROLE_CONSUMER, 0, &a) == 0);
	T_ASSERT(t_map_ring(fd, &a, 8, &m) == 0);
	t_unmap_ring(&m);
	ctrl = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, EDGEAI_OFF_CTRL);
	T_ASSERT(ctrl != MAP_FAILED);
	head = (uint64_t *)((char *)ctrl + a.off.ctrl_head);
	close(fd);
	T_EQ(t_ring_destroy_id(adm, ida), 0);
	close(adm);
	T_CHECK(t_module_refcnt() >= 1);
	RMMOD_REFUSED();
	RMMOD_REFUSED();
	/* The refused rmmod changed nothing: the mapping is the ring's. */
	T_EQ(t_load_acquire(head), 0);
	T_CHECK(*(volatile uint32_t *)((char *)ctrl + a.off.ctrl_flags) &
		EDGEAI_CTRL_F_DEAD);
	adm = t_open();
	T_EQ(t_attach_id(adm, idb, EDGEAI_ROLE_OBSERVER, 0, &a), 0);
	close(adm);

	/* 3. Last mapping gone: rmmod works, the node goes with it. */
	T_EQ(munmap(ctrl, page), 0);
	T_EQ(t_module_refcnt(), 0);
	T_EQ(t_system("rmmod edgeai"), 0);
	T_CHECK(!module_loaded());
	T_CHECK(access(EDGEAI_DEV_PATH, F_OK) != 0);
	T_EQ(open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC), -1);

	/* 4. insmod: the node is back, the rings from before are not. */
	T_EQ(insmod(), 0);
	T_ASSERT(module_loaded());
	T_ASSERT(stat(EDGEAI_DEV_PATH, &st) == 0);
	T_CHECK(S_ISCHR(st.st_mode));
	T_EQ(major(st.st_rdev), 10);
	adm = t_open();
	t_need_rings(adm);
	T_ERRNO(t_attach_name(adm, RA, EDGEAI_ROLE_OBSERVER, 0, &a), ENOENT);
	T_ERRNO(t_attach_name(adm, RB, EDGEAI_ROLE_OBSERVER, 0, &a), ENOENT);
	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.ring_id = (uint32_t)idb;
	T_ERRNO(t_ioctl(adm, EDGEAI_IOC_RING_INFO, &in), ENOENT);
#ifdef EDGEAI_RING_INFO_F_NEXT
	/* No ring at all survived the reload. */
	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.flags = EDGEAI_RING_INFO_F_NEXT;
	T_ERRNO(t_ioctl(adm, EDGEAI_IOC_RING_INFO, &in), ENOENT);
#endif
	/* The fresh module works: a ring with an old name can be made. */
	c = t_ring_args(RB, 4, EDGEAI_DTYPE_F32, 3);
	T_CHECK(t_ring_create(adm, &c) > 0);
	T_EQ(t_ring_destroy_name(adm, RB), 0);
	close(adm);
	return t_done();
}
