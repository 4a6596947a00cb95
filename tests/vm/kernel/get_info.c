// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai.ko: EDGEAI_IOC_GET_INFO reports the ABI; bad arguments get exact
 * errnos; unknown ioctls get ENOTTY; no kernel bytes leak.
 * Needs the module loaded (the vm lane does that): fails without it.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_test.h"

static int info_ioctl(int fd, struct edgeai_info *info)
{
	return ioctl(fd, EDGEAI_IOC_GET_INFO, info) ? -errno : 0;
}

static void fresh(struct edgeai_info *info, uint8_t fill)
{
	memset(info, fill, sizeof(*info));
	info->size = sizeof(*info);
	info->flags = 0;
	info->__pad = 0;
	memset(info->reserved, 0, sizeof(info->reserved));
}

int main(void)
{
	struct edgeai_info info;
	unsigned char big[256];
	struct stat st;
	void *page;
	int fd;

	fd = open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);
	T_ASSERT(fd >= 0);
	T_ASSERT(fstat(fd, &st) == 0);
	T_CHECK(S_ISCHR(st.st_mode));
	T_EQ(major(st.st_rdev), 10);	/* a misc device */

	/* Happy path; the version and padding are fully written by the kernel. */
	fresh(&info, 0);
	memset(info.version, 0xff, sizeof(info.version));
	T_EQ(info_ioctl(fd, &info), 0);
	T_EQ(info.size, sizeof(info));
	T_EQ(info.abi_version, EDGEAI_ABI_VERSION);
	T_EQ(info.features & ~EDGEAI_FEATURES_KNOWN, 0);
	T_CHECK(memchr(info.version, '\0', sizeof(info.version)) != NULL);
	T_CHECK(strlen((char *)info.version) > 0);
	T_EQ(info.__pad, 0);
	T_CHECK(!memchr(info.reserved, 1, sizeof(info.reserved)));

	/* Unknown flags, non-zero padding or reserved: EINVAL. */
	fresh(&info, 0);
	info.flags = 1;
	T_ERRNO(info_ioctl(fd, &info), EINVAL);
	fresh(&info, 0);
	info.flags = 0x80000000u;
	T_ERRNO(info_ioctl(fd, &info), EINVAL);
	fresh(&info, 0);
	info.__pad = 1;
	T_ERRNO(info_ioctl(fd, &info), EINVAL);
	fresh(&info, 0);
	info.reserved[5] = 1;
	T_ERRNO(info_ioctl(fd, &info), EINVAL);

	/* Sizes: too small EINVAL; larger with a zero tail is accepted and
	 * only the known part written; non-zero unknown tail E2BIG. */
	fresh(&info, 0);
	info.size = EDGEAI_INFO_SIZE_VER0 - 8;
	T_ERRNO(info_ioctl(fd, &info), EINVAL);
	fresh(&info, 0);
	info.size = 0;
	T_ERRNO(info_ioctl(fd, &info), EINVAL);

	memset(big, 0, sizeof(big));
	((struct edgeai_info *)big)->size = sizeof(big);
	T_EQ(info_ioctl(fd, (struct edgeai_info *)big), 0);
	T_EQ(((struct edgeai_info *)big)->size, sizeof(struct edgeai_info));
	T_CHECK(!memchr(big + sizeof(info), 1, sizeof(big) - sizeof(info)));
	big[200] = 1;
	((struct edgeai_info *)big)->size = sizeof(big);
	T_ERRNO(info_ioctl(fd, (struct edgeai_info *)big), E2BIG);
	((struct edgeai_info *)big)->size = 1 << 20;
	T_ERRNO(info_ioctl(fd, (struct edgeai_info *)big), E2BIG);

	/* Bad pointers: EFAULT, also when only the tail is unmapped. */
	T_ERRNO(info_ioctl(fd, NULL), EFAULT);
	T_ERRNO(info_ioctl(fd, (struct edgeai_info *)8), EFAULT);
	page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(page != MAP_FAILED);
	T_ASSERT(munmap((char *)page + 4096, 4096) == 0);
	{
		struct edgeai_info *edge = (struct edgeai_info *)
			((char *)page + 4096 - 16);

		memset(edge, 0, 16);
		edge->size = sizeof(info);
		T_ERRNO(info_ioctl(fd, edge), EFAULT);
	}
	munmap(page, 4096);

	/* Unknown commands: ENOTTY, including our magic with other numbers,
	 * and GET_INFO's number with the wrong size or direction. */
	T_EQ(ioctl(fd, _IO('E', 0x7f)), -1);
	T_EQ(errno, ENOTTY);
	T_EQ(ioctl(fd, _IOWR('E', 0x00, uint64_t), &info), -1);
	T_EQ(errno, ENOTTY);
	T_EQ(ioctl(fd, _IOR('E', 0x00, struct edgeai_info), &info), -1);
	T_EQ(errno, ENOTTY);
	T_EQ(ioctl(fd, _IOWR('X', 0x00, struct edgeai_info), &info), -1);
	T_EQ(errno, ENOTTY);
	T_EQ(ioctl(fd, 0), -1);
	T_EQ(errno, ENOTTY);

	/* The device is not seekable and has no read/write interface. */
	T_EQ(lseek(fd, 0, SEEK_SET), -1);
	T_EQ(errno, ESPIPE);
	close(fd);
	return t_done();
}
