/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libedgeai - the C API for edgeai tensor rings, preprocessing and models.
 *
 * Conventions: objects are opaque and named edgeai_<object>; functions are
 * edgeai_<object>_<verb>(); functions return 0 or a positive count on
 * success and a negative errno on failure; option structs start with
 * "size_t sz" (set it to sizeof the struct) so that they can grow.
 */
#ifndef EDGEAI_EDGEAI_H
#define EDGEAI_EDGEAI_H

#include <stddef.h>
#include <stdint.h>
#include <linux/edgeai.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the library, e.g. "0.1.0". */
const char *edgeai_version(void);

/* An open /dev/edgeai. */
struct edgeai_dev;

/*
 * Open the edgeai device. @path may be NULL: then $EDGEAI_DEV, else
 * EDGEAI_DEV_PATH. Returns 0 and sets *@devp, or a negative errno
 * (-ENOENT: the module is not loaded).
 */
int edgeai_dev_open(const char *path, struct edgeai_dev **devp);
void edgeai_dev_close(struct edgeai_dev *dev);
/* The device's file descriptor, for poll() and io_uring. */
int edgeai_dev_fd(const struct edgeai_dev *dev);
/*
 * Ask the module what it is (EDGEAI_IOC_GET_INFO). Returns 0, -ENOTTY if
 * the fd is not an edgeai device, or another negative errno.
 */
int edgeai_dev_info(struct edgeai_dev *dev, struct edgeai_info *info);

/* Size in bytes of one element of @dtype, or 0 if @dtype is invalid. */
size_t edgeai_dtype_size(uint32_t dtype);
/* Name of @dtype ("f32", "i16", ...), or NULL if @dtype is invalid. */
const char *edgeai_dtype_name(uint32_t dtype);
/* Parse a dtype name (case-insensitive); negative errno if unknown. */
int edgeai_dtype_from_name(const char *name, uint32_t *dtype);

/*
 * Name of feature bit @bit (0..63) of edgeai_info.features, or NULL if the
 * library does not know it.
 */
const char *edgeai_feature_name(unsigned int bit);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_EDGEAI_H */
