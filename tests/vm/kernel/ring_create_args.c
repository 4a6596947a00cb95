// SPDX-License-Identifier: GPL-2.0
/*
 * EDGEAI_IOC_RING_CREATE argument checking (docs/ring-abi.md "Errors",
 * docs/abi.md "Rules"): every malformed request gets its exact errno
 * (EINVAL, E2BIG, ENOSPC, EEXIST, EFAULT) and creates nothing: after each
 * failure the number of registered rings is unchanged and the name is
 * unknown (ENOENT). The limits (max_rings, max_ring_bytes, max_total_bytes)
 * are lowered through /sys/module/edgeai/parameters and restored. The
 * boundaries are accepted: slot_size 2^20, slot_count 2^20, a 31-byte
 * name, a tensor that exactly fills the slot, a larger struct with a zero
 * tail. Returned ring ids are non-zero and unique.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/edgeai.h>

#include "edgeai_vm_test.h"

#define P		"t_rca_"
#define BAD		P "bad"		/* the name every failing case uses */
#define PARAMS		"/sys/module/edgeai/parameters/"
#define NSPC		130		/* ENOSPC rings, at most */

static int g_fd = -1;
static int g_baseline;			/* rings that existed before us */

/* Parameters we change, with the value to restore at exit. */
static struct {
	const char *name;
	long long orig;
	int changed;
} g_params[] = {
	{ "max_rings", -1, 0 },
	{ "max_ring_bytes", -1, 0 },
	{ "max_total_bytes", -1, 0 },
};

static long long param_read(const char *name)
{
	char path[128], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 0);
}

static int param_write_raw(const char *name, long long v)
{
	char path[128], buf[64];
	int fd, n, ok;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%lld\n", v);
	ok = write(fd, buf, n) == n;
	close(fd);
	return ok ? 0 : -EIO;
}

/* Set a parameter, remembering the original; 0 or -errno. */
static int param_set(const char *name, long long v)
{
	size_t i;

	for (i = 0; i < sizeof(g_params) / sizeof(g_params[0]); i++) {
		if (strcmp(g_params[i].name, name))
			continue;
		if (!g_params[i].changed) {
			g_params[i].orig = param_read(name);
			if (g_params[i].orig < 0)
				return -ENOENT;
		}
		if (param_write_raw(name, v))
			return -EIO;
		g_params[i].changed = 1;
		return param_read(name) == v ? 0 : -EIO;
	}
	return -EINVAL;
}

static void param_restore(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(g_params) / sizeof(g_params[0]); i++) {
		if (strcmp(g_params[i].name, name) || !g_params[i].changed)
			continue;
		if (param_write_raw(name, g_params[i].orig) ||
		    param_read(name) != g_params[i].orig)
			T_FAILF("could not restore %s to %lld", name,
				g_params[i].orig);
		g_params[i].changed = 0;
	}
}

static void cleanup(void)
{
	static const char *const names[] = {
		P "ok", P "big", P "dup", P "id0", P "id1", P "id2", P "q",
		P "r0", P "spx", P "maxsz", P "maxcnt", P "ro", P "lim", BAD,
		P "abcdefghijklmnopqrstuvwxy", P "AZaz09_.-",
	};
	char name[EDGEAI_NAME_LEN];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(g_params) / sizeof(g_params[0]); i++)
		param_restore(g_params[i].name);
	fd = open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		t_ring_destroy_name(fd, names[i]);
	for (i = 0; i < NSPC; i++) {
		snprintf(name, sizeof(name), P "sp%zu", i);
		t_ring_destroy_name(fd, name);
	}
	close(fd);
}

/* Registered rings, by listing them (RING_INFO with F_NEXT). */
static int ring_count(int fd)
{
#ifdef EDGEAI_RING_INFO_F_NEXT
	struct edgeai_ring_info in;
	uint32_t id = 0;
	int n = 0, r;

	for (;;) {
		memset(&in, 0, sizeof(in));
		in.size = sizeof(in);
		in.flags = EDGEAI_RING_INFO_F_NEXT;
		in.ring_id = id;
		r = t_ioctl(fd, EDGEAI_IOC_RING_INFO, &in);
		if (r == -ENOENT)
			return n;
		T_ASSERT(r == 0);
		T_ASSERT(in.ring_id > id);
		id = in.ring_id;
		T_ASSERT(++n < 100000);
	}
#else
	return -1;
#endif
}

/* Whether a ring with this name is registered: attach on a fresh fd. */
static int name_lookup(const char *name)
{
	struct edgeai_ring_attach a;
	int fd = t_open(), r;

	r = t_attach_name(fd, name, EDGEAI_ROLE_OBSERVER, 0, &a);
	close(fd);
	return r;
}

/* After a failed create: nothing was registered. */
#define NOTHING_CREATED()						\
	do {								\
		int _n = ring_count(g_fd);				\
		if (_n >= 0)						\
			T_EQ(_n, g_baseline);				\
		T_ERRNO(name_lookup(BAD), ENOENT);			\
	} while (0)

/* A create request that is valid except for what the case changes. */
static struct edgeai_ring_create good(const char *name)
{
	/* 16 x f32 = 64 bytes, exactly the slot. */
	return t_ring_args(name, 8, EDGEAI_DTYPE_F32, 16);
}

#define CREATE_FAILS(c, err)						\
	do {								\
		struct edgeai_ring_create _c = (c);			\
		T_ERRNO(t_ring_create(g_fd, &_c), err);			\
		NOTHING_CREATED();					\
	} while (0)

/* Create, check the id and that the ring is there, destroy it. */
#define CREATE_OK(c)							\
	do {								\
		struct edgeai_ring_create _c = (c);			\
		char _nm[EDGEAI_NAME_LEN];				\
		int _id = t_ring_create(g_fd, &_c);			\
		memcpy(_nm, _c.name, sizeof(_nm));			\
		t_checks++;						\
		if (_id <= 0) {						\
			T_FAILF("create \"%.32s\": expected an id, got %d (%s)", \
				_nm, _id, _id < 0 ?			\
				strerrorname_np(-_id) : "id 0");	\
		} else {						\
			T_EQ(name_lookup(_nm), 0);			\
			T_EQ(t_ring_destroy_id(g_fd, _id), 0);		\
			T_ERRNO(name_lookup(_nm), ENOENT);		\
		}							\
	} while (0)

static void check_header_fields(void)
{
	struct edgeai_ring_create c;

	c = good(BAD);
	c.flags = 1u << 2;		/* first unknown flag */
	CREATE_FAILS(c, EINVAL);
	c.flags = 0x80000000u;
	CREATE_FAILS(c, EINVAL);
	c.flags = ~0u;
	CREATE_FAILS(c, EINVAL);

	c = good(BAD);
	c.__pad = 1;
	CREATE_FAILS(c, EINVAL);
	c = good(BAD);
	c.reserved[0] = 1;
	CREATE_FAILS(c, EINVAL);
	c = good(BAD);
	c.reserved[3] = 1ull << 63;
	CREATE_FAILS(c, EINVAL);

	c = good(BAD);
	c.desc.reserved[0] = 1;
	CREATE_FAILS(c, EINVAL);
	c = good(BAD);
	c.desc.reserved[2] = 0x100;
	CREATE_FAILS(c, EINVAL);
	c = good(BAD);
	c.desc.flags = 1u << 1;		/* unknown tensor flag */
	CREATE_FAILS(c, EINVAL);

	/* A non-zero ring_id on input is ignored (it is out only). */
	c = good(BAD);
	c.ring_id = 0x12345;
	CREATE_OK(c);
}

static void check_sizes(void)
{
	struct edgeai_ring_create c;
	unsigned char big[512];
	struct edgeai_ring_create *bc = (struct edgeai_ring_create *)big;
	int id;

	c = good(BAD);
	c.size = 0;
	CREATE_FAILS(c, EINVAL);
	c.size = 8;
	CREATE_FAILS(c, EINVAL);
	c.size = EDGEAI_RING_CREATE_SIZE_VER0 - 1;
	CREATE_FAILS(c, EINVAL);
	c.size = EDGEAI_RING_CREATE_SIZE_VER0 - 8;
	CREATE_FAILS(c, EINVAL);

	/* Larger with a non-zero unknown tail: E2BIG, wherever it is. */
	memset(big, 0, sizeof(big));
	c = good(BAD);
	memcpy(big, &c, sizeof(c));
	bc->size = sizeof(big);
	big[sizeof(c)] = 1;
	T_ERRNO(t_ring_create(g_fd, bc), E2BIG);
	NOTHING_CREATED();
	big[sizeof(c)] = 0;
	big[sizeof(big) - 1] = 0x80;
	bc->size = sizeof(big);
	T_ERRNO(t_ring_create(g_fd, bc), E2BIG);
	NOTHING_CREATED();
	big[sizeof(big) - 1] = 0;

	/* Larger with a zero tail: accepted; size says what was written and
	 * nothing past the known struct is touched. */
	c = good(P "big");
	memcpy(big, &c, sizeof(c));
	bc->size = sizeof(big);
	id = t_ring_create(g_fd, bc);
	T_CHECK(id > 0);
	T_EQ(bc->size, EDGEAI_RING_CREATE_SIZE_VER0);
	{
		size_t i, nz = 0;

		for (i = sizeof(c); i < sizeof(big); i++)
			nz += big[i] != 0;
		T_EQ(nz, 0);
	}
	if (id > 0) {
		T_EQ(name_lookup(P "big"), 0);
		T_EQ(t_ring_destroy_id(g_fd, id), 0);
	}
}

static void check_names(void)
{
	static const char *const bad[] = {
		"", "a/b", "/", "a b", " ", "a\tb", "a\nb", "a:b", "a*",
		"..\\x", "na\xc3\xafve", "\x7f", "a,b", "a+b",
	};
	struct edgeai_ring_create c;
	size_t i;
	int r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = good(BAD);
		memset(c.name, 0, sizeof(c.name));
		memcpy(c.name, bad[i], strlen(bad[i]));
		r = t_ring_create(g_fd, &c);
		t_checks++;
		if (r != -EINVAL)
			T_FAILF("name \"%s\": expected -EINVAL, got %d",
				bad[i], r);
		NOTHING_CREATED();
	}

	/* 32 bytes without a NUL. */
	c = good(BAD);
	memset(c.name, 'a', sizeof(c.name));
	CREATE_FAILS(c, EINVAL);

	/* 31 bytes and every allowed character: fine. */
	c = good(P "abcdefghijklmnopqrstuvwxy");
	T_EQ(strlen(c.name), EDGEAI_NAME_LEN - 1);
	CREATE_OK(c);
	c = good(P "AZaz09_.-");
	CREATE_OK(c);
}

static void check_geometry(void)
{
	static const uint32_t bad_counts[] = {
		0, 1, 3, 6, 7, 12, 1000, EDGEAI_MAX_SLOTS + 1,
		EDGEAI_MAX_SLOTS * 2, 1u << 31, ~0u,
	};
	static const uint32_t bad_sizes[] = {
		0, (1u << 20) + 1, 1u << 21, ~0u,
	};
	struct edgeai_ring_create c;
	size_t i;
	int r;

	for (i = 0; i < sizeof(bad_counts) / sizeof(bad_counts[0]); i++) {
		c = good(BAD);
		c.slot_count = bad_counts[i];
		r = t_ring_create(g_fd, &c);
		t_checks++;
		if (r != -EINVAL)
			T_FAILF("slot_count %u: expected -EINVAL, got %d",
				bad_counts[i], r);
		NOTHING_CREATED();
	}
	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		c = good(BAD);
		c.slot_size = bad_sizes[i];
		c.desc.rank = 0;	/* opaque bytes: only slot_size matters */
		c.desc.shape[0] = 0;
		c.desc.dtype = EDGEAI_DTYPE_U8;
		T_ERRNO(t_ring_create(g_fd, &c), EINVAL);
		NOTHING_CREATED();
	}

	/* Boundaries: 2 slots; the largest slot. */
	c = good(P "ok");
	c.slot_count = 2;
	CREATE_OK(c);
	c = t_ring_args(P "maxsz", 2, EDGEAI_DTYPE_U8, 1u << 20);
	CREATE_OK(c);
	c = t_ring_args(P "ok", 2, EDGEAI_DTYPE_U8, 1);
	CREATE_OK(c);
}

static void check_desc(void)
{
	struct edgeai_ring_create c;

	c = good(BAD);
	c.desc.dtype = EDGEAI_DTYPE_INVALID;
	CREATE_FAILS(c, EINVAL);
	c.desc.dtype = EDGEAI_DTYPE_MAX + 1;
	CREATE_FAILS(c, EINVAL);
	c.desc.dtype = ~0u;
	CREATE_FAILS(c, EINVAL);

	c = good(BAD);
	c.desc.rank = EDGEAI_MAX_RANK + 1;
	CREATE_FAILS(c, EINVAL);
	c.desc.rank = ~0u;
	CREATE_FAILS(c, EINVAL);

	/* Entries at and past rank must be 0. */
	c = good(BAD);
	c.desc.shape[1] = 1;
	CREATE_FAILS(c, EINVAL);
	c = good(BAD);
	c.desc.shape[EDGEAI_MAX_RANK - 1] = 1;
	CREATE_FAILS(c, EINVAL);
	c = t_ring_args(BAD, 8, EDGEAI_DTYPE_U8, 1);
	c.desc.rank = 0;		/* opaque, but shape[0] still set */
	CREATE_FAILS(c, EINVAL);

	/* Dimensions below rank must be > 0. */
	c = good(BAD);
	c.desc.shape[0] = 0;
	CREATE_FAILS(c, EINVAL);
	c = good(BAD);
	c.desc.rank = 2;
	c.desc.shape[0] = 4;
	c.desc.shape[1] = 0;
	CREATE_FAILS(c, EINVAL);

	/* The tensor must fit the slot: 17 x f32 in 64 bytes. */
	c = good(BAD);
	c.desc.shape[0] = 17;
	CREATE_FAILS(c, EINVAL);
	c = good(BAD);
	c.desc.dtype = EDGEAI_DTYPE_F64;	/* 16 x 8 = 128 > 64 */
	CREATE_FAILS(c, EINVAL);
	/* ... also when the product overflows 32 or 64 bits. */
	c = good(BAD);
	c.desc.rank = 4;
	c.desc.shape[0] = c.desc.shape[1] = 1u << 16;
	c.desc.shape[2] = c.desc.shape[3] = 1u << 16;	/* 2^64 x 4 */
	CREATE_FAILS(c, EINVAL);
	c = good(BAD);
	c.desc.rank = 2;
	c.desc.shape[0] = 1u << 31;
	c.desc.shape[1] = 2;		/* 2^32 x 4: 0 in 32 bits */
	CREATE_FAILS(c, EINVAL);
	c = good(BAD);
	c.desc.rank = 3;
	c.desc.shape[0] = ~0u;
	c.desc.shape[1] = ~0u;
	c.desc.shape[2] = ~0u;
	CREATE_FAILS(c, EINVAL);

	/* Rank 0 means opaque bytes of dtype U8 only. */
	c = t_ring_args(BAD, 8, EDGEAI_DTYPE_F32, 1);
	c.desc.rank = 0;
	c.desc.shape[0] = 0;
	CREATE_FAILS(c, EINVAL);
	c = t_ring_args(P "r0", 8, EDGEAI_DTYPE_U8, 64);
	c.desc.rank = 0;
	c.desc.shape[0] = 0;
	CREATE_OK(c);

	/* A 4-D tensor that exactly fills its slot: 2x3x4x5 i16 = 240. */
	c = t_ring_args(P "ok", 4, EDGEAI_DTYPE_I16, 1);
	c.slot_size = 240;
	c.desc.rank = 4;
	c.desc.shape[0] = 2;
	c.desc.shape[1] = 3;
	c.desc.shape[2] = 4;
	c.desc.shape[3] = 5;
	CREATE_OK(c);
	/* A tensor smaller than the slot is fine too. */
	c = good(P "ok");
	c.desc.shape[0] = 3;
	CREATE_OK(c);

	/* Quantization fields only with EDGEAI_TENSOR_F_QUANT. */
	c = t_ring_args(BAD, 8, EDGEAI_DTYPE_I8, 64);
	c.desc.scale_f32 = 0x3c000000u;		/* 0.0078125f */
	CREATE_FAILS(c, EINVAL);
	c = t_ring_args(BAD, 8, EDGEAI_DTYPE_I8, 64);
	c.desc.zero_point = -128;
	CREATE_FAILS(c, EINVAL);
	c = t_ring_args(P "q", 8, EDGEAI_DTYPE_I8, 64);
	c.desc.flags = EDGEAI_TENSOR_F_QUANT;
	c.desc.scale_f32 = 0x3c000000u;
	c.desc.zero_point = -128;
	CREATE_OK(c);
}

/* An opaque-bytes ring of @count slots of @slot_size, well-formed. */
static struct edgeai_ring_create sized(const char *name, uint32_t count,
				       uint32_t slot_size)
{
	struct edgeai_ring_create c = t_ring_args(name, count,
						  EDGEAI_DTYPE_U8, 1);

	c.slot_size = slot_size;
	c.desc.rank = 0;
	c.desc.shape[0] = 0;
	return c;
}

static void check_memory_limits(void)
{
	long long max_ring = param_read("max_ring_bytes");

	T_ASSERT(max_ring > 0);
	T_ASSERT(param_read("max_total_bytes") > 0);

	/* count x size beyond max_ring_bytes, including products that wrap
	 * 32 bits (4096 x (2^20 + 64) = 2^32 + 2^18) and 64-bit-ish ones. */
	if ((4096ll << 20) > max_ring)
		CREATE_FAILS(sized(BAD, 4096, 1u << 20), E2BIG);
	if ((long long)EDGEAI_MAX_SLOTS << 20 > max_ring)
		CREATE_FAILS(sized(BAD, EDGEAI_MAX_SLOTS, 1u << 20), E2BIG);
	if ((1ll << 16) * 1088 > max_ring)	/* stride 1088 */
		CREATE_FAILS(sized(BAD, 1u << 16, 1024), E2BIG);

	/* A lowered max_ring_bytes: 16 x 4 KiB payloads no longer fit. */
	if (param_set("max_ring_bytes", 65536) == 0) {
		CREATE_FAILS(sized(BAD, 16, 4096), E2BIG);
		CREATE_OK(sized(P "lim", 4, 64));
		/* The largest slot count is accepted when memory allows. */
		T_EQ(param_set("max_ring_bytes", 256ll << 20), 0);
		if (param_set("max_total_bytes", 512ll << 20) == 0)
			CREATE_OK(sized(P "maxcnt", EDGEAI_MAX_SLOTS, 1));
		param_restore("max_total_bytes");
		param_restore("max_ring_bytes");
	} else {
		printf("note: max_ring_bytes not writable, lowered-limit cases not run\n");
	}

	/* max_total_bytes: no ring fits in one page. */
	if (param_set("max_total_bytes", 4096) == 0) {
		CREATE_FAILS(good(BAD), ENOSPC);
		param_restore("max_total_bytes");
		CREATE_OK(good(P "lim"));
	} else {
		printf("note: max_total_bytes not writable, its ENOSPC case not run\n");
	}
}

static void check_max_rings(void)
{
	long long orig = param_read("max_rings");
	struct edgeai_ring_create c;
	char name[EDGEAI_NAME_LEN];
	int ids[NSPC], made = 0, room, r, i;

	T_ASSERT(orig > 0);
	if (g_baseline >= 0 && param_set("max_rings", g_baseline + 3) == 0)
		room = 3;
	else
		room = (int)orig - (g_baseline > 0 ? g_baseline : 0);
	T_ASSERT(room >= 1 && room < NSPC);

	for (i = 0; i <= room && i < NSPC; i++) {
		snprintf(name, sizeof(name), P "sp%d", i);
		c = good(name);
		r = t_ring_create(g_fd, &c);
		if (r < 0)
			break;
		ids[made++] = r;
	}
	T_EQ(made, room);
	T_ERRNO(r, ENOSPC);
	T_ERRNO(name_lookup(name), ENOENT);
	if (g_baseline >= 0)
		T_EQ(ring_count(g_fd), g_baseline + made);

	/* Destroying one makes room for exactly one. */
	if (made > 0) {
		T_EQ(t_ring_destroy_id(g_fd, ids[0]), 0);
		c = good(name);
		r = t_ring_create(g_fd, &c);
		T_CHECK(r > 0);
		if (r > 0)
			ids[0] = r;
		c = good(P "spx");
		T_ERRNO(t_ring_create(g_fd, &c), ENOSPC);
	}
	for (i = 0; i < made; i++)
		T_EQ(t_ring_destroy_id(g_fd, ids[i]), 0);
	param_restore("max_rings");
	if (g_baseline >= 0)
		T_EQ(ring_count(g_fd), g_baseline);
}

static void check_duplicates_and_ids(void)
{
	struct edgeai_ring_create c;
	struct edgeai_ring_attach a;
	int id[3], dup, i, j, fd;

	/* Ids are non-zero and unique. */
	for (i = 0; i < 3; i++) {
		char name[EDGEAI_NAME_LEN];

		snprintf(name, sizeof(name), P "id%d", i);
		c = good(name);
		c.ring_id = 0;
		id[i] = t_ring_create(g_fd, &c);
		T_CHECK(id[i] > 0);
		T_EQ(c.ring_id, id[i]);
		for (j = 0; j < i; j++)
			T_CHECK(id[i] != id[j]);
		/* ... and name the ring: attach by id, get its name. */
		fd = t_open();
		T_EQ(t_attach_id(fd, id[i], EDGEAI_ROLE_OBSERVER, 0, &a), 0);
		T_STREQ(a.name, name);
		close(fd);
	}

	/* Same name again: EEXIST, whatever else differs; the first stays. */
	c = good(P "dup");
	dup = t_ring_create(g_fd, &c);
	T_CHECK(dup > 0);
	c = good(P "dup");
	T_ERRNO(t_ring_create(g_fd, &c), EEXIST);
	c = t_ring_args(P "dup", 64, EDGEAI_DTYPE_U8, 7);
	c.flags = EDGEAI_RING_F_OVERWRITE;
	T_ERRNO(t_ring_create(g_fd, &c), EEXIST);
	c = good(P "id1");
	T_ERRNO(t_ring_create(g_fd, &c), EEXIST);
	if (g_baseline >= 0)
		T_EQ(ring_count(g_fd), g_baseline + 4);
	fd = t_open();
	T_EQ(t_attach_name(fd, P "dup", EDGEAI_ROLE_OBSERVER, 0, &a), 0);
	T_EQ(a.ring_id, dup);
	close(fd);

	T_EQ(t_ring_destroy_id(g_fd, dup), 0);
	for (i = 0; i < 3; i++)
		T_EQ(t_ring_destroy_id(g_fd, id[i]), 0);
}

/*
 * Failed creates must not change the memory accounting: after many
 * EEXIST and ENOSPC failures a ring that fits still fits, with the
 * default max_total_bytes or one lowered to room for a couple of rings.
 */
static void check_failures_keep_budget(void)
{
	struct edgeai_ring_create c;
	int keep, id, i, n;

	c = good(P "dup");
	keep = t_ring_create(g_fd, &c);
	T_CHECK(keep > 0);
	for (i = n = 0; i < 32; i++) {
		c = good(P "dup");
		n += t_ring_create(g_fd, &c) == -EEXIST;
	}
	T_EQ(n, 32);		/* EEXIST every time */
	c = good(P "ok");
	id = t_ring_create(g_fd, &c);
	t_checks++;
	if (id <= 0)
		T_FAILF("a valid create after 32 EEXIST failures: expected an id, got %d (%s)",
			id, id < 0 ? strerrorname_np(-id) : "0");
	if (id > 0)
		T_EQ(t_ring_destroy_id(g_fd, id), 0);

	if (param_set("max_total_bytes", 4096) == 0) {
		for (i = n = 0; i < 32; i++) {
			c = good(BAD);
			n += t_ring_create(g_fd, &c) == -ENOSPC;
		}
		T_EQ(n, 32);	/* ENOSPC every time */
		param_restore("max_total_bytes");
		c = good(P "ok");
		id = t_ring_create(g_fd, &c);
		t_checks++;
		if (id <= 0)
			T_FAILF("a valid create after 32 ENOSPC failures: expected an id, got %d (%s)",
				id, id < 0 ? strerrorname_np(-id) : "0");
		if (id > 0)
			T_EQ(t_ring_destroy_id(g_fd, id), 0);
	}
	if (keep > 0)
		T_EQ(t_ring_destroy_id(g_fd, keep), 0);
}

static void check_pointers(void)
{
	struct edgeai_ring_create c;
	long page = sysconf(_SC_PAGESIZE);
	char *mem;

	T_ERRNO(t_ring_create(g_fd, NULL), EFAULT);
	NOTHING_CREATED();
	T_ERRNO(t_ring_create(g_fd, (struct edgeai_ring_create *)8), EFAULT);
	NOTHING_CREATED();
	T_ERRNO(t_ring_create(g_fd, (struct edgeai_ring_create *)-4096L),
		EFAULT);
	NOTHING_CREATED();

	mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(mem != MAP_FAILED);

	/* The struct runs into an unmapped page after its name. */
	T_ASSERT(munmap(mem + page, page) == 0);
	{
		struct edgeai_ring_create *edge = (struct edgeai_ring_create *)
			(mem + page - 24);

		c = good(BAD);
		memcpy(edge, &c, 24);
		T_ERRNO(t_ring_create(g_fd, edge), EFAULT);
		NOTHING_CREATED();
	}

	/* Readable but not writable: ring_id cannot be returned, so the
	 * call fails with EFAULT and must not leave a ring behind. */
	c = good(P "ro");
	memcpy(mem, &c, sizeof(c));
	T_ASSERT(mprotect(mem, page, PROT_READ) == 0);
	T_ERRNO(t_ring_create(g_fd, (struct edgeai_ring_create *)mem), EFAULT);
	T_ERRNO(name_lookup(P "ro"), ENOENT);
	t_ring_destroy_name(g_fd, P "ro");
	munmap(mem, page);
}

int main(void)
{
	g_fd = t_open();
	t_need_rings(g_fd);
	cleanup();
	atexit(cleanup);
	T_ERRNO(name_lookup(BAD), ENOENT);
	g_baseline = ring_count(g_fd);
	if (g_baseline < 0)
		printf("note: no EDGEAI_RING_INFO_F_NEXT, ring count not checked\n");

	/* Checks that fail before any allocation first, then the ones that
	 * exercise the registry's failure paths (EEXIST, ENOSPC). */
	check_header_fields();
	check_sizes();
	check_names();
	check_geometry();
	check_desc();
	check_pointers();
	check_memory_limits();
	check_duplicates_and_ids();
	check_max_rings();
	check_failures_keep_budget();

	if (g_baseline >= 0)
		T_EQ(ring_count(g_fd), g_baseline);
	close(g_fd);
	cleanup();		/* restores the parameters, may still fail */
	return t_done();
}
