/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * edgeai - tensor rings for sensor streams on edge Linux devices.
 *
 * This is the only definition of the ABI between edgeai.ko and userspace.
 * Rules (see docs/abi.md):
 *  - fixed-width types only, pointers and times are __u64, no enums, no
 *    bitfields, explicit padding, reserved space at the tail;
 *  - every struct passed by ioctl starts with __u32 size and __u32 flags;
 *    unknown flags and non-zero reserved or padding fields are rejected
 *    with -EINVAL, a larger struct with a non-zero unknown tail with -E2BIG;
 *  - the header compiles alone with -std=c90 and as C++.
 */
#ifndef _UAPI_LINUX_EDGEAI_H
#define _UAPI_LINUX_EDGEAI_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define EDGEAI_DEV_NAME		"edgeai"
#define EDGEAI_DEV_PATH		"/dev/edgeai"

/*
 * Bumped only for incompatible changes. Compatible growth is announced
 * through feature bits and struct sizes instead.
 */
#define EDGEAI_ABI_VERSION	1

/*
 * Feature bits reported in edgeai_info.features. A bit is set only when the
 * running module implements the whole feature. None are defined yet: the
 * tensor-ring, poll, io_uring and netlink features add theirs as they land.
 */
#define EDGEAI_FEATURES_KNOWN	0ULL

/*
 * Element types of a tensor. Values are stable ABI; 0 is invalid so that a
 * zeroed descriptor is rejected instead of silently meaning "float".
 */
#define EDGEAI_DTYPE_INVALID	0
#define EDGEAI_DTYPE_U8		1
#define EDGEAI_DTYPE_I8		2
#define EDGEAI_DTYPE_U16	3
#define EDGEAI_DTYPE_I16	4
#define EDGEAI_DTYPE_U32	5
#define EDGEAI_DTYPE_I32	6
#define EDGEAI_DTYPE_F16	7
#define EDGEAI_DTYPE_F32	8
#define EDGEAI_DTYPE_F64	9
#define EDGEAI_DTYPE_MAX	EDGEAI_DTYPE_F64

/**
 * struct edgeai_info - what the running module is and can do
 * @size: in: sizeof(struct edgeai_info) as the caller knows it (at least
 *	EDGEAI_INFO_SIZE_VER0); out: the size the module filled in
 * @flags: in: must be 0
 * @abi_version: out: EDGEAI_ABI_VERSION of the module
 * @__pad: must be 0
 * @features: out: EDGEAI_FEAT_* bits
 * @version: out: module version, NUL-terminated
 * @reserved: must be 0
 */
struct edgeai_info {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 __pad;
	__u64 features;
	__u8 version[32];
	__u64 reserved[6];
};

#define EDGEAI_INFO_SIZE_VER0	104

#define EDGEAI_IOC_MAGIC	'E'
#define EDGEAI_IOC_GET_INFO	_IOWR(EDGEAI_IOC_MAGIC, 0x00, struct edgeai_info)

#endif /* _UAPI_LINUX_EDGEAI_H */
