// SPDX-License-Identifier: GPL-2.0
/*
 * Drives edgeai.ko down the paths where a planted test build
 * (make EDGEAI_PLANT=uaf|lockorder, kmod/Kbuild) has its bug, for
 * tests/vmdebug/planted.sh. On a normal build both modes are legal,
 * harmless ring lifetimes and exit 0.
 *
 *   plant_trigger lockorder   publish on a USER_PRODUCER ring (publish_lock,
 *                             then edgeai_rings_lock), then destroy it
 *                             (edgeai_rings_lock, then publish_lock)
 *   plant_trigger uaf         destroy a ring while a consumer has it
 *                             attached and mapped, then read the mapping,
 *                             ask for its stats and unmap and close
 */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"

#define RING	"t_plant"
#define NSLOTS	16u
#define SSIZE	64u

static int lockorder(int adm)
{
	struct edgeai_ring_create c = t_ring_args(RING, NSLOTS,
						  EDGEAI_DTYPE_U8, SSIZE);
	struct edgeai_ring_publish pub;
	struct edgeai_ring_attach a;
	struct edgeai_slot_hdr *h;
	struct t_map m;
	int id, pfd;

	c.flags = EDGEAI_RING_F_USER_PRODUCER;
	id = t_ring_create(adm, &c);
	T_ASSERT(id > 0);
	pfd = t_open();
	T_ASSERT(t_attach_id(pfd, (uint32_t)id, EDGEAI_ROLE_PRODUCER, 0, &a) == 0);
	T_ASSERT(t_map_ring(pfd, &a, NSLOTS, &m) == 0);
	h = t_slot(&m, 0);
	memset(h, 0, sizeof(*h));
	h->len = SSIZE;
	memset(&pub, 0, sizeof(pub));
	pub.size = sizeof(pub);
	pub.head = 1;
	T_EQ(t_ioctl(pfd, EDGEAI_IOC_RING_PUBLISH, &pub), 0);
	T_EQ(t_ring_destroy_id(adm, (uint32_t)id), 0);
	t_unmap_ring(&m);
	close(pfd);
	return t_done();
}

static int uaf(int adm)
{
	struct edgeai_ring_create c = t_ring_args(RING, NSLOTS,
						  EDGEAI_DTYPE_U8, SSIZE);
	struct edgeai_ring_stats s;
	struct edgeai_ring_attach a;
	struct t_map m;
	int id, cfd;

	id = t_ring_create(adm, &c);
	T_ASSERT(id > 0);
	cfd = t_open();
	T_ASSERT(t_attach_id(cfd, (uint32_t)id, EDGEAI_ROLE_CONSUMER, 0, &a) == 0);
	T_ASSERT(t_map_ring(cfd, &a, NSLOTS, &m) == 0);
	T_EQ(t_ring_destroy_id(adm, (uint32_t)id), 0);
	/* The ring is destroyed but still held by cfd and the mapping. */
	T_EQ(t_load_acquire(t_head(&m)), 0);
	T_EQ(t_stats(cfd, 0, &s), 0);
	t_unmap_ring(&m);
	close(cfd);
	return t_done();
}

int main(int argc, char **argv)
{
	int adm, ret;

	if (argc != 2 || (strcmp(argv[1], "uaf") && strcmp(argv[1], "lockorder"))) {
		fprintf(stderr, "usage: %s uaf|lockorder\n", argv[0]);
		return 2;
	}
	adm = t_open();
	t_ring_destroy_name(adm, RING);
	if (!strcmp(argv[1], "uaf"))
		ret = uaf(adm);
	else
		ret = lockorder(adm);
	close(adm);
	return ret;
}
