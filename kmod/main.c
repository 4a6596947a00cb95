// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai: the /dev/edgeai character device.
 *
 * A misc device so that udev creates the node and no major number has to be
 * reserved. The file operations are deliberately thin: everything an fd can
 * do is an ioctl (ioctl.c) until tensor rings add mmap and poll.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "edgeai_internal.h"

static int edgeai_open(struct inode *inode, struct file *file)
{
	return nonseekable_open(inode, file);
}

static int edgeai_release(struct inode *inode, struct file *file)
{
	return 0;
}

static const struct file_operations edgeai_fops = {
	.owner		= THIS_MODULE,
	.open		= edgeai_open,
	.release	= edgeai_release,
	.unlocked_ioctl	= edgeai_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static struct miscdevice edgeai_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= EDGEAI_DEV_NAME,
	.fops	= &edgeai_fops,
	.mode	= 0660,
};

static int __init edgeai_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct edgeai_info) != EDGEAI_INFO_SIZE_VER0);
	BUILD_BUG_ON(EDGEAI_FEATURES & ~EDGEAI_FEATURES_KNOWN);

	ret = misc_register(&edgeai_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", EDGEAI_DEV_NAME, ret);
		return ret;
	}
	pr_info("version %s, ABI %u\n", EDGEAI_VERSION, EDGEAI_ABI_VERSION);
	return 0;
}

static void __exit edgeai_exit(void)
{
	misc_deregister(&edgeai_misc);
}

module_init(edgeai_init);
module_exit(edgeai_exit);

MODULE_DESCRIPTION("edgeai tensor rings for sensor streams");
MODULE_AUTHOR("The edgeai authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(EDGEAI_VERSION);
