/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packing of io_uring user_data for edgeaid: the top 8 bits say what kind
 * of operation completed, the low 56 bits which object it belongs to.
 * All encoding and decoding lives here.
 */
#ifndef EDGEAID_LOOP_H
#define EDGEAID_LOOP_H

#include <stdint.h>

enum edgeaid_op {
	EDGEAID_OP_SIGNAL = 1,
	EDGEAID_OP_TIMER,	/* the once-a-second stats tick */
	EDGEAID_OP_SOURCE,	/* a worker: pipeline (id) may have input */
	EDGEAID_OP_CONTROL,	/* a connection on the control socket */
};

#define EDGEAID_UD_OP_SHIFT	56
#define EDGEAID_UD_ID_MASK	((1ULL << EDGEAID_UD_OP_SHIFT) - 1)

static inline uint64_t edgeaid_ud(enum edgeaid_op op, uint64_t id)
{
	return ((uint64_t)op << EDGEAID_UD_OP_SHIFT) | (id & EDGEAID_UD_ID_MASK);
}

static inline enum edgeaid_op edgeaid_ud_op(uint64_t ud)
{
	return (enum edgeaid_op)(ud >> EDGEAID_UD_OP_SHIFT);
}

static inline uint64_t edgeaid_ud_id(uint64_t ud)
{
	return ud & EDGEAID_UD_ID_MASK;
}

#endif /* EDGEAID_LOOP_H */
