// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai: ioctl dispatch. One edgeai_ioctl_<cmd>() per command; every
 * argument struct is read with copy_struct_from_user() so that older and
 * newer userspace keep working, and every unknown bit is refused.
 */
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "edgeai_internal.h"

static bool edgeai_mem_is_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static int edgeai_ioctl_get_info(struct edgeai_info __user *uinfo)
{
	struct edgeai_info info;
	u32 usize;
	int ret;

	if (get_user(usize, &uinfo->size))
		return -EFAULT;
	if (usize < EDGEAI_INFO_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;

	ret = copy_struct_from_user(&info, sizeof(info), uinfo, usize);
	if (ret)
		return ret;
	if (info.flags || info.__pad ||
	    !edgeai_mem_is_zero(info.reserved, sizeof(info.reserved)))
		return -EINVAL;

	memset(&info, 0, sizeof(info));
	info.size = min_t(u32, usize, sizeof(info));
	info.abi_version = EDGEAI_ABI_VERSION;
	info.features = EDGEAI_FEATURES;
	strscpy(info.version, EDGEAI_VERSION, sizeof(info.version));

	if (copy_to_user(uinfo, &info, info.size))
		return -EFAULT;
	return 0;
}

long edgeai_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case EDGEAI_IOC_GET_INFO:
		return edgeai_ioctl_get_info(uarg);
	default:
		return -ENOTTY;
	}
}
