/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Results in a result ring. edgeaid's "sink = ring:NAME" produces one
 * slot per result into a USER_PRODUCER tensor ring; an application
 * consumes them in place with the ring API of edgeai/edgeai.h:
 *
 *	edgeai_ring_open("imu-results", NULL, &ring);
 *	for (;;) {
 *		edgeai_ring_wait(ring, -1);
 *		n = edgeai_ring_peek(ring, 64, &pos);
 *		for (i = 0; i < n; i++) {
 *			const struct edgeai_slot_hdr *h = edgeai_ring_slot(ring, pos + i);
 *			const struct edgeai_result *r = edgeai_slot_payload(h);
 *
 *			if (edgeai_result_valid(r, h->len))
 *				use(r->sensor_id, r->seq, edgeai_result_y(r)[0]);
 *		}
 *		edgeai_ring_release(ring, n);
 *	}
 *
 * The slot header carries the input's sensor id, tag, timestamp and its
 * EDGEAI_SLOT_F_ANOMALY flag; its seq is the result ring's own (gaps are
 * results edgeaid had to drop because the ring was full). The payload is
 * struct edgeai_result followed by count floats. All fields are in host
 * byte order (the ring never leaves the machine). docs/edgeaid.md.
 */
#ifndef EDGEAI_RESULT_H
#define EDGEAI_RESULT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EDGEAI_RESULT_MAGIC	0x52494145u	/* "EAIR" */
#define EDGEAI_RESULT_VERSION	1
#define EDGEAI_RESULT_VERSION_LEN 24

/* edgeai_result.flags */
#define EDGEAI_RESULT_F_ANOMALY	(1U << 0)	/* the input slot's ground truth */

/**
 * struct edgeai_result - one model output, at the start of a slot payload
 * @magic: EDGEAI_RESULT_MAGIC
 * @version: EDGEAI_RESULT_VERSION
 * @flags: EDGEAI_RESULT_F_*
 * @count: floats in y[] (the model's output dimension)
 * @sensor_id: the input's sensor id
 * @tag: the input's tag word (edgeai/wire.h EDGEAI_TAG_*)
 * @seq: the input's sequence number (the input slot's seq, or the
 *	datagram header's seq)
 * @ts_ns: the input's timestamp (slot ts_ns: CLOCK_MONOTONIC; datagram
 *	timestamp_ns: the sender's clock)
 * @rx_ns: CLOCK_MONOTONIC when edgeaid took the input
 * @done_ns: CLOCK_MONOTONIC when the result was computed
 * @model_gen: counts the models this pipeline has run, from 1: it changes
 *	exactly when the model does
 * @pipeline_id: edgeaid's number for the pipeline (its index in the file)
 * @model_version: the model's edgeai.version, NUL-terminated, truncated
 */
struct edgeai_result {
	uint32_t magic;
	uint16_t version;
	uint16_t flags;
	uint32_t count;
	uint32_t sensor_id;
	uint32_t tag;
	uint32_t model_gen;
	uint64_t seq;
	uint64_t ts_ns;
	uint64_t rx_ns;
	uint64_t done_ns;
	uint32_t pipeline_id;
	uint32_t reserved;
	char model_version[EDGEAI_RESULT_VERSION_LEN];
	/* float y[count] follows */
};

/* The output row that follows the fixed part. */
static inline const float *edgeai_result_y(const struct edgeai_result *r)
{
	return (const float *)(const void *)(r + 1);
}

/* Bytes of a result with @count outputs. */
static inline size_t edgeai_result_size(uint32_t count)
{
	return sizeof(struct edgeai_result) + (size_t)count * sizeof(float);
}

/* Whether @len payload bytes hold a complete, known result. */
static inline int edgeai_result_valid(const struct edgeai_result *r,
				      size_t len)
{
	return len >= sizeof(*r) && r->magic == EDGEAI_RESULT_MAGIC &&
	       r->version == EDGEAI_RESULT_VERSION &&
	       r->count <= (len - sizeof(*r)) / sizeof(float);
}

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_RESULT_H */
