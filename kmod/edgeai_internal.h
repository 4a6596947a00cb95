/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EDGEAI_INTERNAL_H
#define _EDGEAI_INTERNAL_H

#include <linux/fs.h>
#include <linux/edgeai.h>

#define EDGEAI_VERSION "0.1.0"

/* Feature bits this build implements; a subset of EDGEAI_FEATURES_KNOWN. */
#define EDGEAI_FEATURES 0ULL

long edgeai_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _EDGEAI_INTERNAL_H */
