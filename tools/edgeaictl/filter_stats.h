/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read-only access to the edgeai filter's pinned counters, for objects
 * other than "bpf" (stats, top). Implemented in bpf.c next to the code
 * that pins the maps.
 */
#ifndef EDGEAICTL_FILTER_STATS_H
#define EDGEAICTL_FILTER_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#define FILTER_GLOBAL_WORDS	16	/* struct edgeai_filter_stats / 8 */
#define FILTER_SENSOR_WORDS	8	/* struct edgeai_sensor_stats / 8 */

/* A counter: its JSON key, text label and u64 index in its struct. */
struct filter_counter {
	const char *key;
	const char *label;
	size_t word;
};

struct filter_sensor_snap {
	uint32_t id;
	__u64 c[FILTER_SENSOR_WORDS];
};

struct filter_snap {
	bool loaded;
	int attachments;
	__u64 g[FILTER_GLOBAL_WORDS];
	struct filter_sensor_snap *sensors;	/* by id; free() it */
	int nsensors;
};

/* The counter tables of "bpf stats", in their order. */
const struct filter_counter *filter_global_counters(size_t *n);
const struct filter_counter *filter_sensor_counters(size_t *n);
/* The pin directory (EDGEAI_BPF_PIN_DIR or its environment variable). */
const char *filter_pin_dir(void);
/*
 * Snapshot the counters. 0 with s->loaded false when the maps are not
 * pinned; -errno when they cannot be read (EACCES without CAP_BPF).
 */
int filter_snap_read(struct filter_snap *s);

#endif /* EDGEAICTL_FILTER_STATS_H */
