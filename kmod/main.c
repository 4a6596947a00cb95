// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai: tensor rings for sensor streams, behind /dev/edgeai.
 *
 * A misc device so that udev (or devtmpfs) creates the node and no major
 * number has to be reserved. ring.c holds the rings and the in-kernel
 * producer API, file.c what an fd can do (mmap, poll, io_uring), ioctl.c
 * the commands, netlink.c the generic netlink family "edgeai" (statistics
 * and events). Rings outlive the fds that create them; the module cannot
 * be removed while any fd, mapping (which holds its file) or producer
 * module (which uses its symbols) remains.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/stddef.h>

#include "edgeai_internal.h"

unsigned int edgeai_max_rings = 64;
module_param_named(max_rings, edgeai_max_rings, uint, 0644);
MODULE_PARM_DESC(max_rings, "Most rings that may exist at once (default 64)");

unsigned long edgeai_max_ring_bytes = 64UL << 20;
module_param_named(max_ring_bytes, edgeai_max_ring_bytes, ulong, 0644);
MODULE_PARM_DESC(max_ring_bytes, "Largest ring in bytes, headers included (default 64 MiB)");

unsigned long edgeai_max_total_bytes = 256UL << 20;
module_param_named(max_total_bytes, edgeai_max_total_bytes, ulong, 0644);
MODULE_PARM_DESC(max_total_bytes, "Memory all rings together may use (default 256 MiB)");

static struct miscdevice edgeai_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= EDGEAI_DEV_NAME,
	.fops	= &edgeai_fops,
	.mode	= 0660,
};

static void __init edgeai_check_abi(void)
{
	BUILD_BUG_ON(sizeof(struct edgeai_info) != EDGEAI_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct edgeai_ring_create) !=
		     EDGEAI_RING_CREATE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct edgeai_ring_attach) !=
		     EDGEAI_RING_ATTACH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct edgeai_ring_info) !=
		     EDGEAI_RING_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct edgeai_ring_stats) !=
		     EDGEAI_RING_STATS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct edgeai_ring_destroy) !=
		     EDGEAI_RING_DESTROY_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct edgeai_ring_publish) !=
		     EDGEAI_RING_PUBLISH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct edgeai_slot_hdr) != 32);
	BUILD_BUG_ON(sizeof(struct edgeai_tensor_desc) != 48);
	BUILD_BUG_ON(sizeof(struct edgeai_ring_offsets) != 64);
	BUILD_BUG_ON(sizeof(struct edgeai_uring_wait) != 16);
	BUILD_BUG_ON(sizeof(struct edgeai_ctrl_page) > PAGE_SIZE);
	BUILD_BUG_ON(EDGEAI_FEATURES & ~EDGEAI_FEATURES_KNOWN);
	BUILD_BUG_ON(EDGEAI_SLOT_ALIGN % sizeof(u64));
}

static int __init edgeai_init(void)
{
	int ret;

	edgeai_check_abi();
	/* Before the device: no ring, hence no event, can exist yet. */
	ret = edgeai_nl_init();
	if (ret) {
		pr_err("cannot register the generic netlink family: %d\n", ret);
		return ret;
	}
	ret = misc_register(&edgeai_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", EDGEAI_DEV_NAME, ret);
		goto err_nl;
	}
	pr_info("version %s, ABI %u, features 0x%llx\n", EDGEAI_VERSION,
		EDGEAI_ABI_VERSION, (unsigned long long)EDGEAI_FEATURES);
	return 0;

err_nl:
	edgeai_nl_exit();
	return ret;
}

static void __exit edgeai_exit(void)
{
	misc_deregister(&edgeai_misc);
	/* Monitors see every ring go (RING_DESTROYED) before the family. */
	edgeai_ring_destroy_all();
	edgeai_nl_exit();
}

module_init(edgeai_init);
module_exit(edgeai_exit);

MODULE_DESCRIPTION("edgeai tensor rings for sensor streams");
MODULE_AUTHOR("The edgeai authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(EDGEAI_VERSION);
