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

/*
 * Ring management through a device handle. Creating and destroying need
 * CAP_SYS_ADMIN or the device node's group (-EPERM).
 */
/* Create a ring; args->size may be 0 (set for you). Sets args->ring_id. */
int edgeai_dev_ring_create(struct edgeai_dev *dev,
			   struct edgeai_ring_create *args);
/* Destroy by @name, or by @id when @name is NULL. */
int edgeai_dev_ring_destroy(struct edgeai_dev *dev, uint32_t id,
			    const char *name);
int edgeai_dev_ring_info(struct edgeai_dev *dev, uint32_t id,
			 struct edgeai_ring_info *info);
/* The ring with the lowest id above @after; -ENOENT after the last. */
int edgeai_dev_ring_next(struct edgeai_dev *dev, uint32_t after,
			 struct edgeai_ring_info *info);
int edgeai_dev_ring_stats(struct edgeai_dev *dev, uint32_t id,
			  struct edgeai_ring_stats *stats);
/* Fill a create request for a ring of @slot_count slots of one tensor. */
int edgeai_ring_args(struct edgeai_ring_create *args, const char *name,
		     uint32_t slot_count, uint32_t dtype, uint32_t rank,
		     const uint32_t *shape);

/* An attached, mapped ring: the zero-copy data path. */
struct edgeai_ring;

struct edgeai_ring_opts {
	size_t sz;		/* sizeof(struct edgeai_ring_opts) */
	uint32_t role;		/* EDGEAI_ROLE_*; 0 means CONSUMER */
	uint32_t watermark;	/* poll() watermark: slots ready (consumer)
				 * or free (producer); 0 means 1 */
	const char *dev_path;	/* NULL: $EDGEAI_DEV or EDGEAI_DEV_PATH */
	int32_t wait_spins;	/* consumer: times edgeai_ring_wait() looks
				 * at the ring before it sleeps; 0 means
				 * EDGEAI_WAIT_SPINS, -1 never */
};

/*
 * A consumer's edgeai_ring_wait() first looks at the ring this many times
 * (a few microseconds natively, no syscall): a batch published meanwhile
 * costs neither side a syscall nor a sleep and a wake-up.
 */
#define EDGEAI_WAIT_SPINS	512

/*
 * Attach to the ring named @name (or with id @id) in @opts->role and map
 * it. @opts may be NULL. Returns 0 or a negative errno (-ENOENT: no such
 * ring, -EBUSY: the role is taken).
 */
int edgeai_ring_open(const char *name, const struct edgeai_ring_opts *opts,
		     struct edgeai_ring **ringp);
int edgeai_ring_open_id(uint32_t id, const struct edgeai_ring_opts *opts,
			struct edgeai_ring **ringp);
void edgeai_ring_close(struct edgeai_ring *ring);
/* The attached fd: poll() it, or wait through io_uring (edgeai/uring.h). */
int edgeai_ring_fd(const struct edgeai_ring *ring);
/* Geometry, name and tensor descriptor, read at open. */
const struct edgeai_ring_info *edgeai_ring_get_info(const struct edgeai_ring *ring);
int edgeai_ring_stats(struct edgeai_ring *ring,
		      struct edgeai_ring_stats *stats);
/* True once the ring was destroyed: nothing more will arrive. */
int edgeai_ring_dead(const struct edgeai_ring *ring);

/*
 * Consumer. edgeai_ring_peek() returns how many slots are ready (at most
 * @max) starting at position *@first; read them in place with
 * edgeai_ring_slot(), then hand them back with edgeai_ring_release().
 * No syscall, except that edgeai_ring_release() wakes a userspace
 * producer sleeping for room (EDGEAI_FEAT_ROOM_WAIT: one RING_SYNC when
 * the kernel flagged it). In OVERWRITE rings a consumer that fell behind
 * skips what was overwritten (counted in edgeai_ring_lost()), and must
 * check edgeai_ring_slot_valid() after reading a slot.
 */
uint32_t edgeai_ring_peek(struct edgeai_ring *ring, uint32_t max,
			  uint64_t *first);
const struct edgeai_slot_hdr *edgeai_ring_slot(const struct edgeai_ring *ring,
					       uint64_t pos);
int edgeai_ring_slot_valid(const struct edgeai_ring *ring, uint64_t pos);
void edgeai_ring_release(struct edgeai_ring *ring, uint32_t n);
uint64_t edgeai_ring_lost(const struct edgeai_ring *ring);
/*
 * Block in poll() until at least the watermark is ready, the ring dies or
 * @timeout_ms passes (-1: forever). Returns slots ready, or -errno
 * (-ETIMEDOUT). A consumer first looks at the ring up to
 * edgeai_ring_opts.wait_spins times (unless @timeout_ms is 0) and returns
 * without a syscall if the watermark is reached meanwhile. On a
 * producer's ring: until at least the watermark is free; returns the free
 * slots, -ENODEV once the ring is destroyed. The module wakes the
 * producer when it learns of the room: at once through the consumer's
 * edgeai_ring_release() (EDGEAI_FEAT_ROOM_WAIT), else when the consumer
 * next enters it (poll, io_uring wait, stats); with an older module (no
 * EDGEAI_FEAT_PRODUCER_WAKE) only @timeout_ms ends the wait.
 */
int edgeai_ring_wait(struct edgeai_ring *ring, int timeout_ms);

/* Payload of a slot header (the tensor follows the header). */
static inline const void *edgeai_slot_payload(const struct edgeai_slot_hdr *h)
{
	return (const void *)(h + 1);
}

/*
 * Producer of a USER_PRODUCER ring. edgeai_ring_reserve() returns how many
 * free slots (at most @max) start at *@first; fill them through
 * edgeai_ring_slot_mut() (len, sensor_id, tag, flags, ts_ns or 0, payload)
 * and publish the first @n of them, with @dropped samples the producer
 * had to drop since its last publish. One syscall per publish; on a
 * USER_HEAD ring (EDGEAI_RING_F_USER_HEAD) the publish stamps the slots'
 * seq (and ts_ns where it is 0) itself and stores the head in the mapping,
 * and makes a syscall only when the consumer waits or drops are reported.
 */
uint32_t edgeai_ring_reserve(struct edgeai_ring *ring, uint32_t max,
			     uint64_t *first);
struct edgeai_slot_hdr *edgeai_ring_slot_mut(struct edgeai_ring *ring,
					     uint64_t pos);
int edgeai_ring_publish(struct edgeai_ring *ring, uint32_t n,
			uint32_t dropped);
/*
 * Syscalls this handle's data path made: edgeai_ring_publish() (one a
 * call, or, on a USER_HEAD ring, only when the consumer waits or drops
 * are reported), edgeai_ring_wait() and edgeai_ring_release() (only to
 * wake a producer that waits for room).
 */
uint64_t edgeai_ring_syscalls(const struct edgeai_ring *ring);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_EDGEAI_H */
