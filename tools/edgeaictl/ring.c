// SPDX-License-Identifier: GPL-2.0
/*
 * edgeaictl ring: list, show, create and delete kernel tensor rings.
 *
 *   edgeaictl ring list
 *   edgeaictl ring show { NAME | id ID | name NAME }
 *   edgeaictl ring create NAME [slots N] [dtype T] [shape D[,D...]]
 *                              [size BYTES] [overwrite] [user-producer | user-head]
 *   edgeaictl ring delete { NAME | id ID | name NAME }
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <edgeai/edgeai.h>

#include "main.h"

static const char *const drop_names[EDGEAI_DROP_MAX] = {
	[EDGEAI_DROP_FULL] = "full",
	[EDGEAI_DROP_OVERWRITTEN] = "overwritten",
	[EDGEAI_DROP_BUSY] = "busy",
	[EDGEAI_DROP_TOO_BIG] = "too_big",
	[EDGEAI_DROP_DEAD] = "dead",
	[EDGEAI_DROP_PRODUCER] = "producer",
};

int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int open_dev(struct edgeai_dev **dev)
{
	int ret = edgeai_dev_open(NULL, dev);

	if (ret)
		return error_out(EXIT_FAIL,
				 "cannot open the edgeai device: %s%s",
				 strerror(-ret), ret == -ENOENT ?
				 " (is edgeai.ko loaded?)" : "");
	return 0;
}

static void print_desc(const struct edgeai_tensor_desc *d)
{
	const char *dt = edgeai_dtype_name(d->dtype);
	char shape[64] = "";
	size_t off = 0;
	uint32_t i;

	out_obj_begin("tensor", "tensor");
	out_str("dtype", "dtype", dt ? dt : "?");
	if (json_output) {
		out_array_begin("shape");
		for (i = 0; i < d->rank && i < EDGEAI_MAX_RANK; i++)
			out_u64(NULL, NULL, d->shape[i]);
		out_array_end();
	} else {
		for (i = 0; i < d->rank && i < EDGEAI_MAX_RANK; i++)
			off += snprintf(shape + off, sizeof(shape) - off,
					"%s%u", i ? "x" : "", d->shape[i]);
		out_str("shape", "shape", d->rank ? shape : "bytes");
	}
	out_obj_end();
}

static void print_ring(const struct edgeai_ring_info *info,
		       const struct edgeai_ring_stats *st)
{
	const char *flags[3];
	int nflags = 0, i;

	if (info->ring_flags & EDGEAI_RING_F_OVERWRITE)
		flags[nflags++] = "overwrite";
	if (info->ring_flags & EDGEAI_RING_F_USER_PRODUCER)
		flags[nflags++] = "user-producer";
	if (info->ring_flags & EDGEAI_RING_F_USER_HEAD)
		flags[nflags++] = "user-head";

	out_obj_begin(NULL, NULL);
	out_text("ring %u: %s\n", info->ring_id, info->name);
	out_u64("id", NULL, info->ring_id);
	out_str("name", NULL, info->name);
	out_str("state", "state", info->state == EDGEAI_RING_STATE_LIVE ?
		"live" : "destroyed");
	out_u64("slots", "slots", info->slot_count);
	out_u64("slot_size", "slot size", info->slot_size);
	out_u64("slot_stride", "slot stride", info->off.slot_stride);
	out_u64("bytes_mapped", "bytes mapped", info->off.ctrl_size +
		info->off.cons_size + info->off.slots_size);
	out_strlist("flags", "flags", flags, nflags);
	print_desc(&info->desc);
	out_u64("refs", "references", info->refs);
	out_obj_begin("stats", "stats");
	out_u64("produced", "produced", st->produced);
	out_u64("consumed", "consumed", st->consumed);
	out_u64("in_ring", "in ring", st->in_ring);
	out_u64("bytes", "bytes", st->bytes);
	out_u64("high_water", "high water", st->high_water);
	out_u64("bad_index", "bad index", st->bad_index);
	out_u64("wakeups", "wakeups", st->wakeups);
	out_obj_begin("drops", "drops");
	for (i = 0; i < EDGEAI_DROP_MAX; i++)
		if (drop_names[i])
			out_u64(drop_names[i], drop_names[i], st->drops[i]);
	out_obj_end();
	out_obj_end();
	out_obj_end();
}

/* "NAME", "name NAME" or "id ID"; returns args consumed or -1. */
static int parse_ring_ref(int argc, char **argv, uint32_t *id,
			  const char **name)
{
	*id = 0;
	*name = NULL;
	if (argc >= 2 && !strcmp(argv[0], "id"))
		return parse_u32(argv[1], id) || !*id ? -1 : 2;
	if (argc >= 2 && !strcmp(argv[0], "name")) {
		*name = argv[1];
		return 2;
	}
	if (argc >= 1) {
		*name = argv[0];
		return 1;
	}
	return -1;
}

/*
 * The "{ NAME | id ID | name NAME }" argument of show and delete, then the
 * device. Returns 0, or the exit status to return.
 */
static int ring_ref_open(int argc, char **argv, const char *verb,
			 uint32_t *id, const char **name,
			 struct edgeai_dev **dev)
{
	int n = parse_ring_ref(argc, argv, id, name);

	if (n < 0 || n != argc)
		return error_out(EXIT_USAGE,
				 "usage: ring %s { NAME | id ID | name NAME }",
				 verb);
	return open_dev(dev) ? EXIT_FAIL : 0;
}

static int ring_lookup(struct edgeai_dev *dev, uint32_t id, const char *name,
		       struct edgeai_ring_info *info)
{
	uint32_t after = 0;
	int ret;

	if (!name)
		return edgeai_dev_ring_info(dev, id, info);
	/* By name: walk the list (any fd may, attached or not). */
	while (!(ret = edgeai_dev_ring_next(dev, after, info))) {
		if (!strncmp(info->name, name, sizeof(info->name)))
			return 0;
		after = info->ring_id;
	}
	return ret;
}

static int do_show(int argc, char **argv)
{
	struct edgeai_ring_stats st;
	struct edgeai_ring_info info;
	struct edgeai_dev *dev;
	const char *name;
	uint32_t id;
	int ret;

	ret = ring_ref_open(argc, argv, "show", &id, &name, &dev);
	if (ret)
		return ret;
	ret = ring_lookup(dev, id, name, &info);
	if (!ret)
		ret = edgeai_dev_ring_stats(dev, info.ring_id, &st);
	edgeai_dev_close(dev);
	if (ret)
		return error_out(EXIT_FAIL, "ring %s: %s", name ? name : argv[1],
				 ret == -ENOENT ? "no such ring" :
				 strerror(-ret));
	out_begin();
	out_array_begin("rings");
	print_ring(&info, &st);
	out_array_end();
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

static int do_list(int argc, char **argv)
{
	struct edgeai_ring_stats st;
	struct edgeai_ring_info info;
	struct edgeai_dev *dev;
	uint32_t after = 0;
	int ret, n = 0;

	if (argc)
		return error_out(EXIT_USAGE, "usage: ring list");
	if (open_dev(&dev))
		return EXIT_FAIL;
	out_begin();
	out_array_begin("rings");
	while (!(ret = edgeai_dev_ring_next(dev, after, &info))) {
		after = info.ring_id;
		/* It may have been destroyed in between: skip it then. */
		if (edgeai_dev_ring_stats(dev, info.ring_id, &st))
			continue;
		out_text(n++ ? "\n" : "");
		print_ring(&info, &st);
	}
	out_array_end();
	edgeai_dev_close(dev);
	if (ret != -ENOENT)
		return error_out(EXIT_FAIL, "listing rings: %s", strerror(-ret));
	if (!n)
		out_text("no rings\n");
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

static int parse_shape(const char *s, struct edgeai_tensor_desc *d)
{
	char buf[128], *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	d->rank = 0;
	for (tok = strtok_r(buf, ",x", &save); tok;
	     tok = strtok_r(NULL, ",x", &save)) {
		if (d->rank >= EDGEAI_MAX_RANK ||
		    parse_u32(tok, &d->shape[d->rank]) || !d->shape[d->rank])
			return -EINVAL;
		d->rank++;
	}
	return d->rank ? 0 : -EINVAL;
}

static int do_create(int argc, char **argv)
{
	struct edgeai_ring_create c;
	struct edgeai_dev *dev;
	uint32_t size = 0, i;
	uint64_t bytes;
	int ret;

	if (argc < 1)
		return error_out(EXIT_USAGE, "usage: ring create NAME [slots N] [dtype T] [shape D[,D...]] [size BYTES] [overwrite] [user-producer | user-head]");
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.slot_count = 1024;
	c.desc.dtype = EDGEAI_DTYPE_U8;
	if (strlen(argv[0]) >= sizeof(c.name))
		return error_out(EXIT_USAGE, "ring name longer than %d bytes",
				 EDGEAI_NAME_LEN - 1);
	strcpy(c.name, argv[0]);
	for (argc--, argv++; argc > 0; argc--, argv++) {
		if (!strcmp(*argv, "overwrite")) {
			c.flags |= EDGEAI_RING_F_OVERWRITE;
		} else if (!strcmp(*argv, "user-producer")) {
			c.flags |= EDGEAI_RING_F_USER_PRODUCER;
		} else if (!strcmp(*argv, "user-head")) {
			c.flags |= EDGEAI_RING_F_USER_PRODUCER |
				   EDGEAI_RING_F_USER_HEAD;
		} else if (argc < 2) {
			return error_out(EXIT_USAGE, "'%s' needs a value", *argv);
		} else if (!strcmp(*argv, "slots")) {
			if (parse_u32(argv[1], &c.slot_count))
				return error_out(EXIT_USAGE, "bad slots '%s'", argv[1]);
			argc--, argv++;
		} else if (!strcmp(*argv, "size")) {
			if (parse_u32(argv[1], &size))
				return error_out(EXIT_USAGE, "bad size '%s'", argv[1]);
			argc--, argv++;
		} else if (!strcmp(*argv, "dtype")) {
			if (edgeai_dtype_from_name(argv[1], &c.desc.dtype))
				return error_out(EXIT_USAGE, "unknown dtype '%s' (u8 i8 u16 i16 u32 i32 f16 f32 f64)", argv[1]);
			argc--, argv++;
		} else if (!strcmp(*argv, "shape")) {
			if (parse_shape(argv[1], &c.desc))
				return error_out(EXIT_USAGE, "bad shape '%s' (e.g. 6 or 3,224,224)", argv[1]);
			argc--, argv++;
		} else {
			return error_out(EXIT_USAGE, "unknown argument '%s'", *argv);
		}
	}
	bytes = edgeai_dtype_size(c.desc.dtype);
	for (i = 0; i < c.desc.rank; i++)
		bytes *= c.desc.shape[i];
	if (!c.desc.rank && c.desc.dtype != EDGEAI_DTYPE_U8)
		return error_out(EXIT_USAGE, "a dtype needs a shape");
	if (!c.desc.rank && !size)
		return error_out(EXIT_USAGE, "give a shape, or a size for opaque byte slots");
	c.slot_size = size ? size : (uint32_t)(bytes > UINT32_MAX ? 0 : bytes);

	if (open_dev(&dev))
		return EXIT_FAIL;
	ret = edgeai_dev_ring_create(dev, &c);
	edgeai_dev_close(dev);
	if (ret)
		return error_out(EXIT_FAIL, "cannot create ring '%s': %s",
				 c.name, strerror(-ret));
	out_begin();
	out_u64("id", "created ring", c.ring_id);
	out_str("name", "name", c.name);
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

static int do_delete(int argc, char **argv)
{
	struct edgeai_dev *dev;
	const char *name;
	uint32_t id;
	int ret;

	ret = ring_ref_open(argc, argv, "delete", &id, &name, &dev);
	if (ret)
		return ret;
	ret = edgeai_dev_ring_destroy(dev, id, name);
	edgeai_dev_close(dev);
	if (ret)
		return error_out(EXIT_FAIL, "cannot delete ring %s: %s",
				 name ? name : argv[1], ret == -ENOENT ?
				 "no such ring" : strerror(-ret));
	out_begin();
	out_bool("deleted", "deleted", true);
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

static int do_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "list", do_list, "every ring with its counters" },
	{ "show", do_show, "one ring: { NAME | id ID | name NAME }" },
	{ "create", do_create, "NAME [slots N] [dtype T] [shape D,..] [size B] [overwrite] [user-producer | user-head]" },
	{ "delete", do_delete, "{ NAME | id ID | name NAME }" },
	{ "help", do_help, "this help" },
	{ NULL, NULL, NULL },
};

static int do_help(int argc, char **argv)
{
	printf("Usage: %s [-j|-p] ring COMMAND [ARGS]\n\n"
	       "Kernel tensor rings (edgeai.ko). Commands:\n", bin_name);
	cmd_help_list(cmds, "ring");
	printf("\nDeleting a ring removes its name at once; mappings stay valid\n"
	       "until unmapped. create and delete need CAP_SYS_ADMIN or the\n"
	       "device's group. See edgeaictl(8).\n");
	return EXIT_OK;
}

int do_ring(int argc, char **argv)
{
	return cmd_select(cmds, argc, argv, do_list, "ring");
}
