/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Waiting for ring slots through io_uring (liburing), header-only so that
 * libedgeai itself does not depend on liburing:
 *
 *	struct io_uring_sqe *sqe = io_uring_get_sqe(&uring);
 *	edgeai_prep_ring_wait(sqe, ring, 64, 10 * 1000000ULL);
 *	io_uring_submit(&uring);
 *	...  cqe->res: slots ready, -ETIME, -ECANCELED
 *
 * Needs EDGEAI_FEAT_URING_CMD (edgeai_dev_info()).
 */
#ifndef EDGEAI_URING_H
#define EDGEAI_URING_H

#include <string.h>
#include <liburing.h>

#include <edgeai/edgeai.h>

static inline void edgeai_prep_ring_wait(struct io_uring_sqe *sqe,
					 const struct edgeai_ring *ring,
					 uint32_t min_ready,
					 uint64_t timeout_ns)
{
	struct edgeai_uring_wait w;

	memset(&w, 0, sizeof(w));
	w.min_ready = min_ready;
	w.timeout_ns = timeout_ns;
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, edgeai_ring_fd(ring), NULL,
			 0, 0);
	sqe->cmd_op = EDGEAI_URING_CMD_WAIT;
	memcpy(sqe->cmd, &w, sizeof(w));
}

#endif /* EDGEAI_URING_H */
