// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Opening /dev/edgeai and asking the module what it is. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <edgeai/edgeai.h>

struct edgeai_dev {
	int fd;
};

int edgeai_dev_open(const char *path, struct edgeai_dev **devp)
{
	struct edgeai_dev *dev;

	if (!devp)
		return -EINVAL;
	if (!path)
		path = getenv("EDGEAI_DEV");
	if (!path || !*path)
		path = EDGEAI_DEV_PATH;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		int err = -errno;

		free(dev);
		return err;
	}
	*devp = dev;
	return 0;
}

void edgeai_dev_close(struct edgeai_dev *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

int edgeai_dev_fd(const struct edgeai_dev *dev)
{
	return dev ? dev->fd : -EINVAL;
}

int edgeai_dev_info(struct edgeai_dev *dev, struct edgeai_info *info)
{
	if (!dev || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	if (ioctl(dev->fd, EDGEAI_IOC_GET_INFO, info) < 0)
		return -errno;
	info->version[sizeof(info->version) - 1] = '\0';
	return 0;
}
