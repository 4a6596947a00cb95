// SPDX-License-Identifier: GPL-2.0
/*
 * edgeaictl bpf: attach the edgeai sensor filter (bpf/edgeai_filter.bpf.c)
 * to network devices, keep its sensor allow-list, read its counters.
 *
 *   edgeaictl bpf attach DEV [xdp|tc] [--mode native|generic]
 *                            [--port PORT[,PORT...]] [--dry-run]
 *   edgeaictl bpf detach { DEV | --all } [--keep-maps]
 *   edgeaictl bpf show
 *   edgeaictl bpf sensor add ID [--class N] [--priority N] [--pipeline N]
 *                               [--rate PPS] [--burst N]
 *   edgeaictl bpf sensor delete ID
 *   edgeaictl bpf sensor list
 *   edgeaictl bpf stats
 *
 * Everything lives in the bpffs pin directory (EDGEAI_BPF_PIN_DIR, or the
 * environment variable of that name), so no daemon is needed:
 *   edgeai_stats edgeai_sensors edgeai_sensor_stats   the maps, shared by
 *                   every attachment (libbpf reuses them at load)
 *   xdp_DEV         the XDP link on DEV
 *   tc_DEV          the program of our filter on DEV's clsact ingress hook
 *   qdisc_DEV       an empty directory: edgeaictl created DEV's clsact
 *                   qdisc, so detach removes it
 * Changes take an exclusive flock on the pin directory's parent.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <edgeai/wire.h>

#include "edgeai_filter.h"
#include "edgeai_filter.skel.h"
#include "filter_stats.h"
#include "main.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Our tc filter's place on the clsact ingress hook. */
#define TC_HANDLE	0xea1
#define TC_PRIORITY	1

#define PERM_MSG	"needs CAP_BPF and CAP_NET_ADMIN (run as root)"
#define BPFFS_HINT	"mount one there (mount -t bpf bpf %s) or set EDGEAI_BPF_PIN_DIR to a directory in one"
#define QDISC_PREFIX	"qdisc_"
#define NEW_PREFIX	"new_"

#define ATTACH_USAGE "usage: bpf attach DEV [xdp|tc] [--mode native|generic] [--port PORT[,PORT...]] [--dry-run]"
#define DETACH_USAGE "usage: bpf detach { DEV | --all } [--keep-maps]"
#define ADD_USAGE "usage: bpf sensor add ID [--class N] [--priority N] [--pipeline N] [--rate PPS] [--burst N]"

enum att_type { ATT_XDP, ATT_TC, ATT_NONE };
enum xdp_mode { MODE_AUTO, MODE_NATIVE, MODE_GENERIC };

static const char *const att_names[] = { "xdp", "tc" };
static const char *const att_prefixes[] = { "xdp_", "tc_" };
static const char *const mode_names[] = { "auto", "native", "generic" };
static const __u32 mode_flags[] = { 0, XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE };
static const char *const map_names[] = {
	"edgeai_stats", "edgeai_sensors", "edgeai_sensor_stats",
};

/* The filter's load-time knobs (its .rodata). */
struct filter_cfg {
	__u16 ports[EDGEAI_FILTER_MAX_PORTS];	/* 0-terminated */
	__u32 flags;				/* EDGEAI_FILTER_F_* */
};

/* One of our attachments, as its pin describes it. */
struct att {
	enum att_type type;
	char dev[IF_NAMESIZE];
	int fd;			/* the XDP link or the tc program; -1 */
	__u32 prog_id;
	int ifindex;		/* of the name now; 0: no such device */
	bool live;		/* attached where the pin says */
	bool qdisc_ours;	/* tc: edgeaictl created the clsact qdisc */
};

struct attach_req {
	const char *dev;
	int ifindex;
	enum att_type type;
	enum xdp_mode mode;
	struct filter_cfg cfg;
};

/* A counter of a stats struct: struct filter_counter (filter_stats.h). */
#define GLOBAL(f, l) { #f, l, offsetof(struct edgeai_filter_stats, f) / 8 }
static const struct filter_counter global_counters[] = {
	GLOBAL(seen, "seen"),
	GLOBAL(seen_bytes, "seen bytes"),
	GLOBAL(pass, "pass"),
	GLOBAL(pass_bytes, "pass bytes"),
	GLOBAL(not_sensor, "not sensor"),
	GLOBAL(unparsed, "unparsed"),
	GLOBAL(bad_header, "bad header"),
	GLOBAL(length, "length"),
	GLOBAL(unknown_sensor, "unknown sensor"),
	GLOBAL(rate_limited, "rate limited"),
	GLOBAL(fragment, "fragment"),
};

#define SENSOR(f, l) { #f, l, offsetof(struct edgeai_sensor_stats, f) / 8 }
static const struct filter_counter sensor_counters[] = {
	SENSOR(packets, "packets"),
	SENSOR(bytes, "bytes"),
	SENSOR(rate_limited, "rate limited"),
	SENSOR(invalid, "invalid"),
};

/* A new counter in edgeai_filter.h must be added to the tables above. */
_Static_assert(offsetof(struct edgeai_filter_stats, reserved) ==
	       ARRAY_SIZE(global_counters) * 8, "global_counters is stale");
_Static_assert(offsetof(struct edgeai_sensor_stats, reserved) ==
	       ARRAY_SIZE(sensor_counters) * 8, "sensor_counters is stale");

#define GLOBAL_WORDS	(sizeof(struct edgeai_filter_stats) / 8)
#define SENSOR_WORDS	(sizeof(struct edgeai_sensor_stats) / 8)
_Static_assert(GLOBAL_WORDS == FILTER_GLOBAL_WORDS, "filter_stats.h is stale");
_Static_assert(SENSOR_WORDS == FILTER_SENSOR_WORDS, "filter_stats.h is stale");

/*
 * libbpf's messages: printed as they come with EDGEAI_DEBUG set, else the
 * tail of its warnings is kept and shown only when a load fails.
 */
#define LOG_MAX 16384
static char lb_log[LOG_MAX];
static size_t lb_len;
static bool lb_debug;

static int lb_print(enum libbpf_print_level level, const char *fmt,
		    va_list ap)
{
	char *msg;
	size_t n, drop;
	int ret;

	if (lb_debug)
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_DEBUG)
		return 0;
	ret = vasprintf(&msg, fmt, ap);
	if (ret < 0)
		return ret;
	n = (size_t)ret;
	if (n > LOG_MAX) {	/* a long verifier log: its end says why */
		memmove(msg, msg + n - LOG_MAX, LOG_MAX);
		n = LOG_MAX;
	}
	drop = lb_len + n > LOG_MAX ? lb_len + n - LOG_MAX : 0;
	memmove(lb_log, lb_log + drop, lb_len - drop);
	lb_len -= drop;
	memcpy(lb_log + lb_len, msg, n);
	lb_len += n;
	free(msg);
	return ret;
}

static void lb_reset(void)
{
	lb_len = 0;
}

static void lb_flush(void)
{
	fwrite(lb_log, 1, lb_len, stderr);
	lb_len = 0;
}

/* Report a failed operation, described by @fmt, that failed with @err. */
static int fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(int err, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (err == -EPERM || err == -EACCES)
		return error_out(EXIT_FAIL, "%s: %s", what, PERM_MSG);
	return error_out(EXIT_FAIL, "%s: %s", what, strerror(-err));
}

static int load_fail(int err)
{
	if (err == -EPERM || err == -EACCES)
		return fail(err, "cannot load the edgeai filter");
	lb_flush();
	return error_out(EXIT_FAIL, "cannot load the edgeai filter: %s (libbpf's messages above say why)",
			 strerror(-err));
}

/* ---- the pin directory ---- */

static const char *pin_dir(void)
{
	static char dir[PATH_MAX - 64];
	const char *env;
	size_t len;

	if (dir[0])
		return dir;
	env = getenv("EDGEAI_BPF_PIN_DIR");
	snprintf(dir, sizeof(dir), "%s", env && *env ? env : EDGEAI_BPF_PIN_DIR);
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	return dir;
}

/*
 * PINDIR/PREFIXNAME into @buf (PATH_MAX bytes); returns @buf. Prefixes and
 * names are short and pin_dir() leaves room for them: no truncation.
 */
static char *pin_path(char *buf, const char *prefix, const char *name)
{
	if (snprintf(buf, PATH_MAX, "%s/%s%s", pin_dir(), prefix, name) >=
	    PATH_MAX)
		buf[0] = '\0';
	return buf;
}

static void pin_parent(char *buf)
{
	char *slash;

	snprintf(buf, PATH_MAX, "%s", pin_dir());
	slash = strrchr(buf, '/');
	if (!slash)
		strcpy(buf, ".");
	else if (slash == buf)
		buf[1] = '\0';
	else
		*slash = '\0';
}

/* 1 if @path exists, 0 if not, else -errno (EACCES for most users). */
static int path_exists(const char *path)
{
	struct stat st;

	if (!stat(path, &st))
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

/*
 * Serialize edgeaictl processes that change the pinned state: an
 * exclusive flock on the pin directory's parent, which outlives it.
 * Returns 0 with *fd to close, or an exit status.
 */
static int pin_lock(int *fd)
{
	char parent[PATH_MAX];
	int err;

	pin_parent(parent);
	*fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0 && errno == ENOENT)
		return error_out(EXIT_FAIL, "%s does not exist; the pin directory must be in a BPF filesystem",
				 parent);
	if (*fd < 0)
		return fail(-errno, "cannot open %s", parent);
	if (flock(*fd, LOCK_EX)) {
		err = -errno;
		close(*fd);
		return fail(err, "cannot lock %s", parent);
	}
	return 0;
}

/* Make the pin directory, in a BPF filesystem. Returns an exit status. */
static int pin_dir_make(void)
{
	char parent[PATH_MAX];
	struct statfs st;

	pin_parent(parent);
	if (statfs(parent, &st) || st.f_type != BPF_FS_MAGIC)
		return error_out(EXIT_FAIL, "%s is not a BPF filesystem; " BPFFS_HINT,
				 parent, parent);
	if (mkdir(pin_dir(), 0700) && errno != EEXIST)
		return fail(-errno, "cannot create %s", pin_dir());
	return 0;
}

/* How many of the maps are pinned, or -errno. */
static int maps_count(void)
{
	char path[PATH_MAX];
	int ret, n = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map_names); i++) {
		ret = path_exists(pin_path(path, "", map_names[i]));
		if (ret < 0)
			return ret;
		n += ret;
	}
	return n;
}

/* 1 when all the maps are pinned, 0 when not, or -errno. */
static int maps_pinned(void)
{
	int n = maps_count();

	return n < 0 ? n : n == (int)ARRAY_SIZE(map_names);
}

static int map_open(const char *name)
{
	char path[PATH_MAX];

	return bpf_obj_get(pin_path(path, "", name));
}

/* The attachment type a pin directory entry is for; *dev: its device. */
static enum att_type att_type_of(const char *name, const char **dev)
{
	enum att_type t;
	size_t len;

	for (t = ATT_XDP; t < ATT_NONE; t++) {
		len = strlen(att_prefixes[t]);
		if (strncmp(name, att_prefixes[t], len))
			continue;
		*dev = name + len;
		if (**dev && strlen(*dev) < IF_NAMESIZE)
			return t;
	}
	return ATT_NONE;
}

/*
 * Count the attachment pins. With @tidy (under the lock), also remove
 * what serves no attachment: half-made pins of an interrupted attach and,
 * when no attachment is left, qdisc markers. Returns the count or -errno.
 */
static int pins_scan(bool tidy)
{
	char path[PATH_MAX];
	struct dirent *e;
	const char *dev;
	int n = 0;
	DIR *d;

	d = opendir(pin_dir());
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (att_type_of(e->d_name, &dev) != ATT_NONE)
			n++;
		else if (tidy && !strncmp(e->d_name, NEW_PREFIX,
					  strlen(NEW_PREFIX)))
			unlink(pin_path(path, "", e->d_name));
	}
	rewinddir(d);
	while (tidy && !n && (e = readdir(d)))
		if (!strncmp(e->d_name, QDISC_PREFIX, strlen(QDISC_PREFIX)))
			rmdir(pin_path(path, "", e->d_name));
	closedir(d);
	return n;
}

/*
 * When no attachment is pinned any more, unpin the maps and remove the
 * pin directory. Returns 1 if they are gone, 0 if still in use, or -errno.
 */
static int maps_release(void)
{
	char path[PATH_MAX];
	size_t i;
	int ret;

	ret = pins_scan(true);
	if (ret)
		return ret < 0 ? ret : 0;
	for (i = 0; i < ARRAY_SIZE(map_names); i++)
		if (unlink(pin_path(path, "", map_names[i])) && errno != ENOENT)
			return -errno;
	if (rmdir(pin_dir()) && errno != ENOENT)
		return -errno;
	return 1;
}

/* ---- loading ---- */

/*
 * Open and load the filter with its maps pinned in the pin directory:
 * libbpf reuses pinned maps and pins new ones. Only the program of @type
 * loads; ATT_NONE makes the maps alone. @cfg: the knobs (NULL: defaults).
 * Returns 0 or -errno.
 */
static int filter_load(enum att_type type, const struct filter_cfg *cfg,
		       struct edgeai_filter **out)
{
	char path[PATH_MAX];
	struct edgeai_filter *skel;
	struct bpf_map *maps[3];
	size_t i;
	int ret;

	lb_reset();
	skel = edgeai_filter__open();
	if (!skel)
		return -errno;
	bpf_program__set_autoload(skel->progs.edgeai_xdp, type == ATT_XDP);
	bpf_program__set_autoload(skel->progs.edgeai_tc, type == ATT_TC);
	if (cfg) {
		memcpy(skel->rodata->edgeai_ports, cfg->ports,
		       sizeof(cfg->ports));
		skel->rodata->edgeai_cfg_flags = cfg->flags;
	}
	maps[0] = skel->maps.edgeai_stats;
	maps[1] = skel->maps.edgeai_sensors;
	maps[2] = skel->maps.edgeai_sensor_stats;
	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		ret = bpf_map__set_pin_path(maps[i],
				pin_path(path, "", bpf_map__name(maps[i])));
		if (ret)
			goto err;
	}
	ret = edgeai_filter__load(skel);
	if (ret)
		goto err;
	*out = skel;
	return 0;
err:
	edgeai_filter__destroy(skel);
	return ret;
}

/* Make and pin the maps if they are not. Returns an exit status. */
static int maps_make(void)
{
	struct edgeai_filter *skel;
	int ret = maps_pinned();

	if (ret < 0)
		return fail(ret, "cannot read %s", pin_dir());
	if (ret)
		return 0;
	ret = pin_dir_make();
	if (ret)
		return ret;
	ret = filter_load(ATT_NONE, NULL, &skel);
	if (ret)
		return load_fail(ret);
	edgeai_filter__destroy(skel);
	return 0;
}

/* ---- reading programs ---- */

static int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

static void prog_name(__u32 id, char *name, size_t sz)
{
	struct bpf_prog_info info;
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(name, sz, "?");
	if (fd < 0)
		return;
	if (!prog_info(fd, &info) && info.name[0])
		snprintf(name, sz, "%s", info.name);
	close(fd);
}

/* The knobs in the .rodata map @map_id; -ENOENT if it is not ours. */
static int rodata_read(__u32 map_id, struct filter_cfg *cfg)
{
	struct edgeai_filter__rodata ro;
	struct bpf_map_info info;
	__u32 len = sizeof(info), key = 0;
	int fd, ret;

	fd = bpf_map_get_fd_by_id(map_id);
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (!ret && (!strstr(info.name, ".rodata") ||
		     info.value_size != sizeof(ro)))
		ret = -ENOENT;
	if (!ret)
		ret = bpf_map_lookup_elem(fd, &key, &ro);
	close(fd);
	if (ret)
		return ret;
	memcpy(cfg->ports, ro.edgeai_ports, sizeof(cfg->ports));
	cfg->flags = ro.edgeai_cfg_flags;
	return 0;
}

/* The knobs the program @prog_id was loaded with. */
static int prog_cfg(__u32 prog_id, struct filter_cfg *cfg)
{
	struct bpf_prog_info info;
	__u32 ids[8], len = sizeof(info), i;
	int fd, ret;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = ARRAY_SIZE(ids);
	info.map_ids = (__u64)(unsigned long)ids;
	ret = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (ret)
		return ret;
	for (i = 0; i < info.nr_map_ids && i < ARRAY_SIZE(ids); i++)
		if (!rodata_read(ids[i], cfg))
			return 0;
	return -ENOENT;
}

/* The XDP mode @prog_id runs in on @ifindex, or NULL. */
static const char *xdp_mode_of(int ifindex, __u32 prog_id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (!ifindex || bpf_xdp_query(ifindex, 0, &q))
		return NULL;
	if (q.drv_prog_id == prog_id)
		return "native";
	if (q.skb_prog_id == prog_id)
		return "generic";
	if (q.hw_prog_id == prog_id)
		return "offload";
	return NULL;
}

/* The id of the program at our tc handle and priority; 0 if none. */
static int tc_prog_at(int ifindex, __u32 *id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE,
		    .priority = TC_PRIORITY);
	int ret = bpf_tc_query(&hook, &opts);

	*id = 0;
	/* No clsact qdisc (EINVAL) or no such filter (ENOENT). */
	if (ret == -ENOENT || ret == -EINVAL)
		return 0;
	if (!ret)
		*id = opts.prog_id;
	return ret;
}

/* ---- attachments ---- */

static int xdp_state(struct att *a)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int ret;

	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(a->fd, &info, &len);
	if (ret)
		return ret;
	if (info.type != BPF_LINK_TYPE_XDP)
		return -EINVAL;
	a->prog_id = info.prog_id;
	/* The link of a device that went away stays, detached. */
	a->live = info.xdp.ifindex && (int)info.xdp.ifindex == a->ifindex;
	return 0;
}

static int tc_state(struct att *a)
{
	struct bpf_prog_info info;
	char path[PATH_MAX];
	__u32 id;
	int ret;

	ret = prog_info(a->fd, &info);
	if (ret)
		return ret;
	a->prog_id = info.id;
	if (a->ifindex) {
		ret = tc_prog_at(a->ifindex, &id);
		if (ret)
			return ret;
		a->live = id == a->prog_id;
	}
	ret = path_exists(pin_path(path, QDISC_PREFIX, a->dev));
	if (ret < 0)
		return ret;
	a->qdisc_ours = ret;
	return 0;
}

/* Read the pin of our @type attachment on @dev; -ENOENT if none. */
static int att_open(enum att_type type, const char *dev, struct att *a)
{
	char path[PATH_MAX];
	int ret;

	memset(a, 0, sizeof(*a));
	a->type = type;
	snprintf(a->dev, sizeof(a->dev), "%s", dev);
	a->fd = bpf_obj_get(pin_path(path, att_prefixes[type], dev));
	if (a->fd < 0)
		return a->fd;
	a->ifindex = if_nametoindex(dev);
	ret = type == ATT_XDP ? xdp_state(a) : tc_state(a);
	if (ret) {
		close(a->fd);
		a->fd = -1;
	}
	return ret;
}

static void att_close(struct att *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

static const char *att_state(const struct att *a)
{
	if (a->live)
		return "attached";
	return a->ifindex ? "detached" : "device-gone";
}

static int tc_remove(struct att *a)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE,
		    .priority = TC_PRIORITY);
	char path[PATH_MAX];
	int ret;

	/* Not live: the device went away with the filter, or it is not ours. */
	if (a->live) {
		ret = bpf_tc_detach(&hook, &opts);
		if (ret && ret != -ENOENT)
			return ret;
	}
	if (a->live && a->qdisc_ours) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		ret = bpf_tc_hook_destroy(&hook);
		if (ret && ret != -ENOENT && ret != -EINVAL)
			return ret;
	}
	if (a->qdisc_ours && rmdir(pin_path(path, QDISC_PREFIX, a->dev)) &&
	    errno != ENOENT)
		return -errno;
	return 0;
}

/* Detach @a if it is attached and remove its pins. Returns 0 or -errno. */
static int att_remove(struct att *a)
{
	char path[PATH_MAX];
	int ret;

	if (a->type == ATT_XDP) {
		/* A link whose device went away is detached already. */
		ret = bpf_link_detach(a->fd);
		if (!a->live)
			ret = 0;
	} else {
		ret = tc_remove(a);
	}
	if (ret)
		return ret;
	if (unlink(pin_path(path, att_prefixes[a->type], a->dev)) &&
	    errno != ENOENT)
		return -errno;
	return 0;
}

static int att_cmp(const void *x, const void *y)
{
	const struct att *a = x, *b = y;
	int c = strcmp(a->dev, b->dev);

	return c ? c : (int)a->type - (int)b->type;
}

static void att_free(struct att *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		att_close(&v[i]);
	free(v);
}

/* Every attachment in the pin directory, sorted; none if it is missing. */
static int att_list(struct att **out, int *n)
{
	struct att *v = NULL, *nv;
	enum att_type type;
	struct dirent *e;
	const char *dev;
	int cnt = 0, cap = 0, ret = 0;
	DIR *d;

	*out = NULL;
	*n = 0;
	d = opendir(pin_dir());
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		type = att_type_of(e->d_name, &dev);
		if (type == ATT_NONE)
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			v = nv;
		}
		ret = att_open(type, dev, &v[cnt]);
		if (ret == -ENOENT) {	/* removed meanwhile */
			ret = 0;
			continue;
		}
		if (ret)
			break;
		cnt++;
	}
	closedir(d);
	if (ret) {
		att_free(v, cnt);
		return ret;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), att_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

/* ---- printing ---- */

static void print_cfg(const struct filter_cfg *cfg)
{
	char text[EDGEAI_FILTER_MAX_PORTS * 6 + 1] = "";
	size_t off = 0;
	int i;

	out_array_begin("ports");
	for (i = 0; i < EDGEAI_FILTER_MAX_PORTS && cfg->ports[i]; i++) {
		if (json_output)
			out_u64(NULL, NULL, cfg->ports[i]);
		else
			off += snprintf(text + off, sizeof(text) - off, "%s%u",
					i ? " " : "", cfg->ports[i]);
	}
	out_array_end();
	if (!json_output)
		out_str("ports", "ports", text);
	out_bool("dry_run", "dry run", cfg->flags & EDGEAI_FILTER_F_DRY_RUN);
}

static void print_att(const struct att *a)
{
	const char *mode = "ingress";
	struct filter_cfg cfg;

	if (a->type == ATT_XDP)
		mode = xdp_mode_of(a->ifindex, a->prog_id);
	out_obj_begin(NULL, NULL);
	out_text("%s: %s\n", a->dev, att_names[a->type]);
	out_str("dev", NULL, a->dev);
	out_str("type", NULL, att_names[a->type]);
	out_str("state", "state", att_state(a));
	out_str("mode", "mode", mode ? mode : "-");
	out_u64("prog_id", "prog id", a->prog_id);
	if (!prog_cfg(a->prog_id, &cfg))
		print_cfg(&cfg);
	if (a->type == ATT_TC)
		out_bool("qdisc_created", "qdisc created", a->qdisc_ours);
	out_obj_end();
}

/* The result of attach. Returns an exit status. */
static int print_attached(const char *action, const struct attach_req *r,
			  __u32 prog_id, __u32 old_id, bool qdisc_ours)
{
	const char *mode = "ingress";

	if (r->type == ATT_XDP)
		mode = xdp_mode_of(r->ifindex, prog_id);
	out_begin();
	out_text("%s %s on %s\n", action, att_names[r->type], r->dev);
	out_str("action", NULL, action);
	out_str("dev", NULL, r->dev);
	out_str("type", NULL, att_names[r->type]);
	out_str("mode", "mode", mode ? mode : "-");
	out_u64("prog_id", "prog id", prog_id);
	if (old_id)
		out_u64("old_prog_id", "old prog id", old_id);
	print_cfg(&r->cfg);
	if (r->type == ATT_TC)
		out_bool("qdisc_created", "qdisc created", qdisc_ours);
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

/* ---- attach ---- */

/*
 * If argv[*i] is option @name, point *val at its value ("--name V" or
 * "--name=V"), moving *i past it. Returns 1 if it is, 0 if it is not,
 * -1 when the value is missing.
 */
static int opt_value(int argc, char **argv, int *i, const char *name,
		     const char **val)
{
	size_t len = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, len))
		return 0;
	if (a[len] == '=') {
		*val = a + len + 1;
		return 1;
	}
	if (a[len])
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

static int parse_range(const char *s, uint32_t min, uint32_t max,
		       uint32_t *v)
{
	return parse_u32(s, v) || *v < min || *v > max ? -EINVAL : 0;
}

static int parse_ports(const char *s, struct filter_cfg *cfg)
{
	char buf[128], *tok, *save = NULL;
	uint32_t port;
	int n = 0;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	memset(cfg->ports, 0, sizeof(cfg->ports));
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n >= EDGEAI_FILTER_MAX_PORTS ||
		    parse_range(tok, 1, 65535, &port))
			return -EINVAL;
		cfg->ports[n++] = port;
	}
	return n ? 0 : -EINVAL;
}

static int parse_mode(const char *s, enum xdp_mode *mode)
{
	if (!strcmp(s, "native"))
		*mode = MODE_NATIVE;
	else if (!strcmp(s, "generic"))
		*mode = MODE_GENERIC;
	else
		return -EINVAL;
	return 0;
}

static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n < IF_NAMESIZE && !strchr(s, '/') && s[0] != '-' &&
		strcmp(s, ".") && strcmp(s, "..");
}

/* Returns 0 or an exit status. */
static int parse_attach(int argc, char **argv, struct attach_req *r)
{
	bool have_type = false, have_mode = false;
	const char *val;
	int i, m;

	memset(r, 0, sizeof(*r));
	r->type = ATT_XDP;
	r->cfg.ports[0] = EDGEAI_WIRE_DEFAULT_PORT;
	if (argc < 1 || argv[0][0] == '-')
		return error_out(EXIT_USAGE, ATTACH_USAGE);
	r->dev = argv[0];
	for (i = 1; i < argc; i++) {
		if ((m = opt_value(argc, argv, &i, "--mode", &val))) {
			if (m < 0 || parse_mode(val, &r->mode))
				return error_out(EXIT_USAGE, "--mode takes native or generic");
			have_mode = true;
		} else if ((m = opt_value(argc, argv, &i, "--port", &val))) {
			if (m < 0 || parse_ports(val, &r->cfg))
				return error_out(EXIT_USAGE, "--port takes PORT[,PORT...]: up to %d ports, each 1..65535",
						 EDGEAI_FILTER_MAX_PORTS);
		} else if (!strcmp(argv[i], "--dry-run")) {
			r->cfg.flags |= EDGEAI_FILTER_F_DRY_RUN;
		} else if (!have_type && (!strcmp(argv[i], "xdp") ||
					  !strcmp(argv[i], "tc"))) {
			r->type = strcmp(argv[i], "xdp") ? ATT_TC : ATT_XDP;
			have_type = true;
		} else {
			return error_out(EXIT_USAGE, "unknown argument '%s'; %s",
					 argv[i], ATTACH_USAGE);
		}
	}
	if (have_mode && r->type == ATT_TC)
		return error_out(EXIT_USAGE, "--mode applies to xdp only");
	return 0;
}

/* An error if an XDP program edgeaictl did not attach is on the device. */
static int xdp_check_foreign(const struct attach_req *r)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	const char *mode, *kw;
	char name[BPF_OBJ_NAME_LEN];
	__u32 id;
	int ret;

	ret = bpf_xdp_query(r->ifindex, 0, &q);
	if (ret)
		return fail(ret, "cannot query XDP on %s", r->dev);
	if (q.drv_prog_id) {
		id = q.drv_prog_id, mode = "native", kw = "xdpdrv";
	} else if (q.skb_prog_id) {
		id = q.skb_prog_id, mode = "generic", kw = "xdpgeneric";
	} else if (q.hw_prog_id) {
		id = q.hw_prog_id, mode = "offload", kw = "xdpoffload";
	} else {
		return 0;
	}
	prog_name(id, name, sizeof(name));
	return error_out(EXIT_FAIL, "%s already has an XDP program that edgeaictl did not attach: id %u name %s (%s mode); remove it first (e.g. ip link set dev %s %s off)",
			 r->dev, id, name, mode, r->dev, kw);
}

/* An error if a tc filter that is not ours sits at our handle/priority. */
static int tc_check_foreign(const struct attach_req *r)
{
	char name[BPF_OBJ_NAME_LEN];
	__u32 id;
	int ret;

	ret = tc_prog_at(r->ifindex, &id);
	if (ret)
		return fail(ret, "cannot query tc filters on %s", r->dev);
	if (!id)
		return 0;
	prog_name(id, name, sizeof(name));
	return error_out(EXIT_FAIL, "%s already has a tc ingress filter that edgeaictl did not attach at handle 0x%x priority %u: prog id %u name %s; remove it first (e.g. tc filter del dev %s ingress pref %u)",
			 r->dev, TC_HANDLE, TC_PRIORITY, id, name, r->dev,
			 TC_PRIORITY);
}

static int attach_fail(int err, const struct attach_req *r)
{
	if (r->type == ATT_XDP && r->mode == MODE_NATIVE && err == -EOPNOTSUPP)
		return error_out(EXIT_FAIL, "cannot attach xdp to %s: its driver has no native XDP support; use --mode generic, or tc",
				 r->dev);
	if (r->type == ATT_XDP && r->mode == MODE_NATIVE && err == -EINVAL)
		return error_out(EXIT_FAIL, "cannot attach xdp to %s in native mode: the driver refuses it as configured (MTU, offloads?); use --mode generic, or tc",
				 r->dev);
	if (r->type == ATT_XDP && (err == -EBUSY || err == -EEXIST)) {
		int ret = xdp_check_foreign(r);

		if (ret)
			return ret;
	}
	if (r->type == ATT_TC)
		lb_flush();	/* the kernel's netlink message */
	return fail(err, "cannot attach %s to %s", att_names[r->type], r->dev);
}

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info;

	return prog_info(fd, &info) ? 0 : info.id;
}

static int xdp_attach_new(const struct attach_req *r, const char *action,
			  __u32 old_id)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = mode_flags[r->mode]);
	struct edgeai_filter *skel;
	char path[PATH_MAX];
	int ret, link, prog;

	ret = xdp_check_foreign(r);
	if (ret)
		return ret;
	ret = filter_load(ATT_XDP, &r->cfg, &skel);
	if (ret)
		return load_fail(ret);
	prog = bpf_program__fd(skel->progs.edgeai_xdp);
	lb_reset();
	link = bpf_link_create(prog, r->ifindex, BPF_XDP, &lo);
	if (link < 0) {
		ret = attach_fail(link, r);
		goto out;
	}
	/* Unpinned, the link goes with its fd: nothing is left behind. */
	ret = bpf_obj_pin(link, pin_path(path, "xdp_", r->dev));
	close(link);
	if (ret)
		ret = fail(ret, "cannot pin %s", path);
	else
		ret = print_attached(action, r, prog_id_of(prog), old_id, false);
out:
	edgeai_filter__destroy(skel);
	return ret;
}

/*
 * Replace our program in the live link @cur. The mode of a link cannot
 * change: for another mode, detach and attach anew.
 */
static int xdp_attach_replace(const struct attach_req *r, struct att *cur)
{
	const char *mode = xdp_mode_of(r->ifindex, cur->prog_id);
	struct edgeai_filter *skel;
	int ret, prog;

	if (r->mode != MODE_AUTO &&
	    (!mode || strcmp(mode, mode_names[r->mode]))) {
		ret = att_remove(cur);
		if (ret)
			return fail(ret, "cannot detach xdp from %s", r->dev);
		return xdp_attach_new(r, "replaced", cur->prog_id);
	}
	ret = filter_load(ATT_XDP, &r->cfg, &skel);
	if (ret)
		return load_fail(ret);
	prog = bpf_program__fd(skel->progs.edgeai_xdp);
	ret = bpf_link_update(cur->fd, prog, NULL);
	if (ret)
		ret = fail(ret, "cannot replace the xdp program on %s", r->dev);
	else
		ret = print_attached("replaced", r, prog_id_of(prog),
				     cur->prog_id, false);
	edgeai_filter__destroy(skel);
	return ret;
}

/* Pin a program as new_tc_DEV, to be renamed over tc_DEV once attached. */
static int tc_pin_new(int prog, const char *dev)
{
	char path[PATH_MAX];
	int ret;

	pin_path(path, NEW_PREFIX "tc_", dev);
	unlink(path);
	ret = bpf_obj_pin(prog, path);
	return ret ? fail(ret, "cannot pin %s", path) : 0;
}

/* Make the new pin the pin, and mark a qdisc we created. */
static int tc_pin_commit(const char *dev, bool qdisc_created)
{
	char tmp[PATH_MAX], path[PATH_MAX];

	if (rename(pin_path(tmp, NEW_PREFIX "tc_", dev),
		   pin_path(path, "tc_", dev)))
		return fail(-errno, "cannot rename %s to %s", tmp, path);
	if (qdisc_created && mkdir(pin_path(path, QDISC_PREFIX, dev), 0700) &&
	    errno != EEXIST)
		return fail(-errno, "cannot create %s", path);
	return 0;
}

static void tc_pin_abort(const char *dev)
{
	char path[PATH_MAX];

	unlink(pin_path(path, NEW_PREFIX "tc_", dev));
}

/*
 * Attach the tc program at our handle and priority on the clsact ingress
 * hook, creating the qdisc if needed; @cur: our live filter to replace.
 */
static int tc_attach(const struct attach_req *r, const struct att *cur)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = r->ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE,
		    .priority = TC_PRIORITY);
	struct edgeai_filter *skel;
	bool created = false;
	int ret;

	ret = cur ? 0 : tc_check_foreign(r);
	if (ret)
		return ret;
	ret = filter_load(ATT_TC, &r->cfg, &skel);
	if (ret)
		return load_fail(ret);
	opts.prog_fd = bpf_program__fd(skel->progs.edgeai_tc);
	ret = tc_pin_new(opts.prog_fd, r->dev);
	if (ret)
		goto out;
	lb_reset();
	ret = bpf_tc_hook_create(&hook);
	if (ret && ret != -EEXIST) {
		ret = fail(ret, "cannot create a clsact qdisc on %s", r->dev);
		goto unpin;
	}
	created = !ret;
	opts.flags = cur ? BPF_TC_F_REPLACE : 0;
	ret = bpf_tc_attach(&hook, &opts);
	if (ret) {
		ret = attach_fail(ret, r);
		goto undo_hook;
	}
	ret = tc_pin_commit(r->dev, created);
	if (ret && !cur)
		goto undo_filter;
	if (!ret)
		ret = print_attached(cur ? "replaced" : "attached", r,
				     opts.prog_id, cur ? cur->prog_id : 0,
				     cur ? cur->qdisc_ours : created);
	goto out;
undo_filter:
	opts.prog_fd = 0;
	opts.prog_id = 0;
	opts.flags = 0;
	bpf_tc_detach(&hook, &opts);
undo_hook:
	if (created) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
unpin:
	tc_pin_abort(r->dev);
out:
	edgeai_filter__destroy(skel);
	return ret;
}

/* Our attachment of the other type on the device: an error if live. */
static int check_other_type(const struct attach_req *r)
{
	enum att_type t = r->type == ATT_XDP ? ATT_TC : ATT_XDP;
	struct att o;
	int ret;

	ret = att_open(t, r->dev, &o);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return fail(ret, "cannot read the %s pin of %s", att_names[t],
			    r->dev);
	if (o.live)
		ret = error_out(EXIT_FAIL, "edgeai %s is attached to %s; detach it first: %s bpf detach %s --keep-maps",
				att_names[t], r->dev, bin_name, r->dev);
	else if ((ret = att_remove(&o)))	/* a stale pin: tidy it */
		ret = fail(ret, "cannot remove the stale %s pin of %s",
			   att_names[t], r->dev);
	att_close(&o);
	return ret;
}

static int attach_locked(const struct attach_req *r)
{
	struct att cur;
	int had_maps, ret;
	bool have;

	ret = check_other_type(r);
	if (ret)
		return ret;
	had_maps = maps_count();
	if (had_maps < 0)
		return fail(had_maps, "cannot read %s", pin_dir());
	ret = pin_dir_make();
	if (ret)
		return ret;
	ret = att_open(r->type, r->dev, &cur);
	if (ret && ret != -ENOENT) {
		ret = fail(ret, "cannot read the %s pin of %s",
			   att_names[r->type], r->dev);
		goto out;
	}
	have = !ret;
	if (have && !cur.live) {	/* stale: its device went away */
		ret = att_remove(&cur);
		att_close(&cur);
		have = false;
		if (ret) {
			ret = fail(ret, "cannot remove the stale %s pin of %s",
				   att_names[r->type], r->dev);
			goto out;
		}
	}
	if (r->type == ATT_TC)
		ret = tc_attach(r, have ? &cur : NULL);
	else if (have)
		ret = xdp_attach_replace(r, &cur);
	else
		ret = xdp_attach_new(r, "attached", 0);
	if (have)
		att_close(&cur);
out:
	/* A failed first attach leaves nothing behind; others keep it all. */
	if (ret && !had_maps)
		maps_release();
	return ret;
}

static int do_attach(int argc, char **argv)
{
	struct attach_req r;
	int ret, lock;

	ret = parse_attach(argc, argv, &r);
	if (ret)
		return ret;
	r.ifindex = ifname_ok(r.dev) ? (int)if_nametoindex(r.dev) : 0;
	if (!r.ifindex)
		return error_out(EXIT_FAIL, "no such device: %s", r.dev);
	ret = pin_lock(&lock);
	if (ret)
		return ret;
	ret = attach_locked(&r);
	close(lock);
	return ret;
}

/* ---- detach ---- */

/* Our attachments on @dev into @v (room for two). */
static int att_of_dev(const char *dev, struct att *v, int *n)
{
	enum att_type t;
	int ret;

	*n = 0;
	for (t = ATT_XDP; t < ATT_NONE; t++) {
		ret = att_open(t, dev, &v[*n]);
		if (ret == -ENOENT)
			continue;
		if (ret) {
			while (*n > 0)
				att_close(&v[--*n]);
			return ret;
		}
		(*n)++;
	}
	return 0;
}

static int detach_atts(struct att *v, int n, bool keep_maps, bool all)
{
	int i, ret, removed = 0;

	out_begin();
	out_array_begin("detached");
	for (i = 0; i < n; i++) {
		ret = att_remove(&v[i]);
		if (ret)
			return fail(ret, "cannot detach %s from %s",
				    att_names[v[i].type], v[i].dev);
		out_obj_begin(NULL, NULL);
		if (v[i].live)
			out_text("detached %s from %s\n",
				 att_names[v[i].type], v[i].dev);
		else
			out_text("removed the stale %s pin of %s (%s)\n",
				 att_names[v[i].type], v[i].dev, v[i].ifindex ?
				 "not attached" : "device gone");
		out_str("dev", NULL, v[i].dev);
		out_str("type", NULL, att_names[v[i].type]);
		out_str("state", NULL, att_state(&v[i]));
		out_obj_end();
	}
	out_array_end();
	if (!keep_maps && (n || all)) {
		removed = maps_release();
		if (removed < 0)
			return fail(removed, "cannot remove the maps in %s",
				    pin_dir());
	}
	if (removed)
		out_text("removed the maps and %s\n", pin_dir());
	out_bool("maps_removed", NULL, removed > 0);
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

static int detach_locked(const char *dev, bool keep_maps)
{
	struct att two[2], *v = two;
	int n, ret;

	ret = dev ? att_of_dev(dev, two, &n) : att_list(&v, &n);
	if (ret)
		return fail(ret, "cannot read %s", pin_dir());
	if (!n && dev) {
		out_text("nothing attached to %s\n", dev);
	} else if (!n) {
		out_text("nothing attached\n");
	}
	ret = detach_atts(v, n, keep_maps, !dev);
	if (v == two) {
		while (n > 0)
			att_close(&two[--n]);
	} else {
		att_free(v, n);
	}
	return ret;
}

static int do_detach(int argc, char **argv)
{
	bool all = false, keep = false;
	const char *dev = NULL;
	int i, ret, lock;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--all"))
			all = true;
		else if (!strcmp(argv[i], "--keep-maps"))
			keep = true;
		else if (!dev && argv[i][0] != '-')
			dev = argv[i];
		else
			return error_out(EXIT_USAGE, "unknown argument '%s'; %s",
					 argv[i], DETACH_USAGE);
	}
	if (all == !!dev)
		return error_out(EXIT_USAGE, DETACH_USAGE);
	if (dev && !ifname_ok(dev))
		return error_out(EXIT_USAGE, "not an interface name: '%s'", dev);
	ret = pin_lock(&lock);
	if (ret)
		return ret;
	ret = detach_locked(dev, keep);
	close(lock);
	return ret;
}

/* ---- show ---- */

static int count_keys(int fd)
{
	__u32 key, next;
	int n = 0;

	if (bpf_map_get_next_key(fd, NULL, &next))
		return 0;
	do {
		key = next;
		n++;
	} while (!bpf_map_get_next_key(fd, &key, &next));
	return n;
}

static int do_show(int argc, char **argv)
{
	struct att *v;
	int i, n, ret, pinned, fd;

	if (argc)
		return error_out(EXIT_USAGE, "usage: bpf show");
	ret = att_list(&v, &n);
	if (ret)
		return fail(ret, "cannot read %s", pin_dir());
	pinned = maps_pinned();
	if (pinned < 0) {
		att_free(v, n);
		return fail(pinned, "cannot read %s", pin_dir());
	}
	out_begin();
	out_str("pin_dir", "pin dir", pin_dir());
	out_bool("maps_pinned", "maps pinned", pinned);
	fd = pinned ? map_open("edgeai_sensors") : -1;
	if (fd >= 0) {
		out_u64("sensors", "sensors", count_keys(fd));
		close(fd);
	}
	out_array_begin("attachments");
	for (i = 0; i < n; i++) {
		out_text("\n");
		print_att(&v[i]);
	}
	out_array_end();
	if (!n)
		out_text("nothing attached\n");
	att_free(v, n);
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

/* ---- sensors ---- */

static int cmp_u32(const void *x, const void *y)
{
	__u32 a = *(const __u32 *)x, b = *(const __u32 *)y;

	return a < b ? -1 : a > b;
}

/* The keys of hash map @fd, sorted, in a malloc'ed array. */
static int map_keys(int fd, __u32 **out, int *n)
{
	__u32 *keys, key, next;
	int cnt = 0, ret;

	keys = calloc(EDGEAI_FILTER_MAX_SENSORS, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	ret = bpf_map_get_next_key(fd, NULL, &next);
	while (!ret && cnt < EDGEAI_FILTER_MAX_SENSORS) {
		keys[cnt++] = next;
		key = next;
		ret = bpf_map_get_next_key(fd, &key, &next);
	}
	if (ret && ret != -ENOENT) {
		free(keys);
		return ret;
	}
	qsort(keys, cnt, sizeof(*keys), cmp_u32);
	*out = keys;
	*n = cnt;
	return 0;
}

/* Sum over CPUs the @words counters of per-CPU map @fd at @key. */
static int percpu_sum(int fd, const void *key, __u64 *sum, size_t words)
{
	int ncpu = libbpf_num_possible_cpus(), i, ret;
	__u64 *vals;
	size_t w;

	memset(sum, 0, words * sizeof(*sum));
	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, words * sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	ret = bpf_map_lookup_elem(fd, key, vals);
	for (i = 0; !ret && i < ncpu; i++)
		for (w = 0; w < words; w++)
			sum[w] += vals[i * words + w];
	free(vals);
	return ret;
}

static void print_counters(const struct filter_counter *c, size_t n,
			   const __u64 *vals)
{
	size_t i;

	for (i = 0; i < n; i++)
		out_u64(c[i].key, c[i].label, vals[c[i].word]);
}

static void print_sensor_cfg(const struct edgeai_sensor *s)
{
	out_u64("class", "class", s->class);
	out_u64("priority", "priority", s->priority);
	out_u64("pipeline", "pipeline", s->pipeline);
	out_u64("rate", "rate", s->rate_pps);
	out_u64("burst", "burst", s->burst);
}

struct num_opt {
	const char *name;
	uint32_t min, max;
	uint32_t *val;
	bool set;
};

/* "--name N" options in any order. Returns 0 or an exit status. */
static int parse_num_opts(int argc, char **argv, struct num_opt *o,
			  size_t n, const char *usage)
{
	const char *val;
	size_t k;
	int i, m;

	for (i = 0; i < argc; i++) {
		for (k = 0, m = 0; k < n && !m; k++)
			m = opt_value(argc, argv, &i, o[k].name, &val);
		if (!m)
			return error_out(EXIT_USAGE, "unknown argument '%s'; %s",
					 argv[i], usage);
		k--;
		if (m < 0 || parse_range(val, o[k].min, o[k].max, o[k].val))
			return error_out(EXIT_USAGE, "%s takes a number from %u to %u",
					 o[k].name, o[k].min, o[k].max);
		o[k].set = true;
	}
	return 0;
}

/* The default bucket depth: a quarter second of the rate, at least 4. */
static uint32_t default_burst(uint32_t rate)
{
	uint32_t b = rate / 4 > 4 ? rate / 4 : 4;

	return b < EDGEAI_FILTER_MAX_BURST ? b : EDGEAI_FILTER_MAX_BURST;
}

static int parse_sensor_id(const char *s, uint32_t *id)
{
	return parse_range(s, 1, UINT32_MAX, id);
}

/* Write sensor @id; *updated: it existed. Returns 0 or -errno. */
static int sensor_write(uint32_t id, const struct edgeai_sensor *s,
			bool *updated)
{
	struct edgeai_sensor old;
	int fd, sfd, ncpu, ret;
	void *zeros;

	fd = map_open("edgeai_sensors");
	if (fd < 0)
		return fd;
	sfd = map_open("edgeai_sensor_stats");
	if (sfd < 0) {
		close(fd);
		return sfd;
	}
	*updated = !bpf_map_lookup_elem(fd, &id, &old);
	/* Under the entry's lock: the program may be refilling it. */
	ret = bpf_map_update_elem(fd, &id, s, BPF_ANY | BPF_F_LOCK);
	ncpu = libbpf_num_possible_cpus();
	zeros = ncpu > 0 ? calloc(ncpu, sizeof(struct edgeai_sensor_stats)) :
			   NULL;
	if (!ret && !zeros)
		ret = -ENOMEM;
	/* Counters start at zero; an update keeps them. */
	if (!ret && bpf_map_update_elem(sfd, &id, zeros, BPF_NOEXIST) == -E2BIG)
		ret = -E2BIG;
	free(zeros);
	close(sfd);
	close(fd);
	return ret;
}

static int sensor_add_locked(uint32_t id, const struct edgeai_sensor *s)
{
	bool updated = false;
	int had_maps, ret;

	had_maps = maps_count();
	if (had_maps < 0)
		return fail(had_maps, "cannot read %s", pin_dir());
	ret = maps_make();
	if (ret)
		goto out;
	ret = sensor_write(id, s, &updated);
	if (ret == -E2BIG)
		ret = error_out(EXIT_FAIL, "cannot add sensor %u: the table is full (%u sensors)",
				id, EDGEAI_FILTER_MAX_SENSORS);
	else if (ret)
		ret = fail(ret, "cannot add sensor %u", id);
	if (ret)
		goto out;
	out_begin();
	out_text("%s sensor %u\n", updated ? "updated" : "added", id);
	out_str("action", NULL, updated ? "updated" : "added");
	out_u64("id", NULL, id);
	print_sensor_cfg(s);
	ret = out_end() ? EXIT_FAIL : EXIT_OK;
out:
	if (ret && !had_maps)
		maps_release();
	return ret;
}

static int sensor_add(int argc, char **argv)
{
	uint32_t id, cls = 0, prio = 0, pipe = 0, rate = 0, burst = 0;
	struct num_opt o[] = {
		{ "--class", 0, 255, &cls, false },
		{ "--priority", 0, 255, &prio, false },
		{ "--pipeline", 0, 255, &pipe, false },
		{ "--rate", 0, EDGEAI_FILTER_MAX_RATE, &rate, false },
		{ "--burst", 1, EDGEAI_FILTER_MAX_BURST, &burst, false },
	};
	struct edgeai_sensor s;
	int ret, lock;

	if (argc < 1 || parse_sensor_id(argv[0], &id))
		return error_out(EXIT_USAGE, "%s (ID: 1..4294967295)", ADD_USAGE);
	ret = parse_num_opts(argc - 1, argv + 1, o, ARRAY_SIZE(o), ADD_USAGE);
	if (ret)
		return ret;
	memset(&s, 0, sizeof(s));
	s.class = cls;
	s.priority = prio;
	s.pipeline = pipe;
	s.rate_pps = rate;
	s.burst = o[4].set ? burst : default_burst(rate);
	s.tokens = (__u64)s.burst * 1000000000ull;	/* a full bucket */
	s.last_ns = 0;
	ret = pin_lock(&lock);
	if (ret)
		return ret;
	ret = sensor_add_locked(id, &s);
	close(lock);
	return ret;
}

static int sensor_del(int argc, char **argv)
{
	uint32_t id;
	int ret, fd, sfd, lock;

	if (argc != 1 || parse_sensor_id(argv[0], &id))
		return error_out(EXIT_USAGE, "usage: bpf sensor delete ID (ID: 1..4294967295)");
	ret = pin_lock(&lock);
	if (ret)
		return ret;
	fd = map_open("edgeai_sensors");
	ret = fd < 0 ? fd : bpf_map_delete_elem(fd, &id);
	if (fd >= 0)
		close(fd);
	if (!ret) {
		sfd = map_open("edgeai_sensor_stats");
		if (sfd >= 0) {
			bpf_map_delete_elem(sfd, &id);
			close(sfd);
		}
	}
	close(lock);
	if (ret == -ENOENT)
		return error_out(EXIT_FAIL, "sensor %u not found", id);
	if (ret)
		return fail(ret, "cannot delete sensor %u", id);
	out_begin();
	out_text("deleted sensor %u\n", id);
	out_u64("id", NULL, id);
	out_bool("deleted", NULL, true);
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

static void print_sensor(int fd, int sfd, __u32 id)
{
	__u64 c[SENSOR_WORDS];
	struct edgeai_sensor s;

	if (bpf_map_lookup_elem(fd, &id, &s))
		return;		/* deleted meanwhile */
	if (sfd < 0 || percpu_sum(sfd, &id, c, SENSOR_WORDS))
		memset(c, 0, sizeof(c));
	out_obj_begin(NULL, NULL);
	out_text("sensor %u:\n", id);
	out_u64("id", NULL, id);
	print_sensor_cfg(&s);
	print_counters(sensor_counters, ARRAY_SIZE(sensor_counters), c);
	out_obj_end();
}

static int sensor_list(int argc, char **argv)
{
	__u32 *ids = NULL;
	int fd, sfd, n = 0, i, ret;

	if (argc)
		return error_out(EXIT_USAGE, "usage: bpf sensor list");
	fd = map_open("edgeai_sensors");
	if (fd < 0 && fd != -ENOENT)
		return fail(fd, "cannot open the sensor map in %s", pin_dir());
	ret = fd < 0 ? 0 : map_keys(fd, &ids, &n);
	if (ret) {
		close(fd);
		return fail(ret, "cannot list sensors");
	}
	sfd = fd < 0 ? -1 : map_open("edgeai_sensor_stats");
	out_begin();
	out_array_begin("sensors");
	for (i = 0; i < n; i++) {
		out_text(i ? "\n" : "");
		print_sensor(fd, sfd, ids[i]);
	}
	out_array_end();
	if (!n)
		out_text("no sensors\n");
	free(ids);
	if (sfd >= 0)
		close(sfd);
	if (fd >= 0)
		close(fd);
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

static int sensor_help(int argc, char **argv);

static const struct cmd sensor_cmds[] = {
	{ "list", sensor_list, "sensors: settings and counters" },
	{ "add", sensor_add, "ID [--class N] [--priority N] [--pipeline N] [--rate PPS] [--burst N]" },
	{ "delete", sensor_del, "ID (also: del)" },
	{ "help", sensor_help, "this help" },
	{ NULL, NULL, NULL },
};

static int sensor_help(int argc, char **argv)
{
	printf("Usage: %s [-j|-p] bpf sensor COMMAND [ARGS]\n\n"
	       "The filter's allow-list of sensor ids. Commands:\n", bin_name);
	cmd_help_list(sensor_cmds, "bpf sensor");
	printf("\nclass, priority and pipeline (0..255) go into the tag of the\n"
	       "sensor's packets. --rate limits it to PPS packets per second\n"
	       "(0: no limit) with a bucket of --burst packets (default:\n"
	       "RATE/4, at least 4). See edgeaictl-bpf(8).\n");
	return EXIT_OK;
}

static int do_sensor(int argc, char **argv)
{
	return cmd_select(sensor_cmds, argc, argv, sensor_list, "bpf sensor");
}

/* ---- stats ---- */

static void print_sensor_stats(int sfd)
{
	__u64 c[SENSOR_WORDS];
	__u32 *ids = NULL;
	int i, n = 0;

	out_array_begin("sensors");
	if (!map_keys(sfd, &ids, &n)) {
		for (i = 0; i < n; i++) {
			if (percpu_sum(sfd, &ids[i], c, SENSOR_WORDS))
				continue;
			out_obj_begin(NULL, NULL);
			out_text("\nsensor %u:\n", ids[i]);
			out_u64("id", NULL, ids[i]);
			print_counters(sensor_counters,
				       ARRAY_SIZE(sensor_counters), c);
			out_obj_end();
		}
	}
	out_array_end();
	free(ids);
}

static int do_stats(int argc, char **argv)
{
	__u64 g[GLOBAL_WORDS];
	int fd, sfd, ret, pins;
	__u32 key = 0;

	if (argc)
		return error_out(EXIT_USAGE, "usage: bpf stats");
	ret = maps_pinned();
	if (ret <= 0) {
		if (ret < 0)
			return fail(ret, "cannot read %s", pin_dir());
		out_begin();
		out_text("the edgeai filter is not loaded (no maps in %s)\n",
			 pin_dir());
		out_bool("loaded", NULL, false);
		return out_end() ? EXIT_FAIL : EXIT_OK;
	}
	fd = map_open("edgeai_stats");
	ret = fd < 0 ? fd : percpu_sum(fd, &key, g, GLOBAL_WORDS);
	if (fd >= 0)
		close(fd);
	if (ret)
		return fail(ret, "cannot read the counters in %s", pin_dir());
	sfd = map_open("edgeai_sensor_stats");
	if (sfd < 0)
		return fail(sfd, "cannot read the counters in %s", pin_dir());
	pins = pins_scan(false);
	out_begin();
	out_bool("loaded", NULL, true);
	out_u64("attachments", "attachments", pins > 0 ? pins : 0);
	print_counters(global_counters, ARRAY_SIZE(global_counters), g);
	print_sensor_stats(sfd);
	close(sfd);
	return out_end() ? EXIT_FAIL : EXIT_OK;
}

/* ---- read helpers for other objects (filter_stats.h) ---- */

const struct filter_counter *filter_global_counters(size_t *n)
{
	*n = ARRAY_SIZE(global_counters);
	return global_counters;
}

const struct filter_counter *filter_sensor_counters(size_t *n)
{
	*n = ARRAY_SIZE(sensor_counters);
	return sensor_counters;
}

const char *filter_pin_dir(void)
{
	return pin_dir();
}

int filter_snap_read(struct filter_snap *s)
{
	__u32 key = 0, *ids = NULL;
	int fd, ret, i, n = 0;

	memset(s, 0, sizeof(*s));
	libbpf_set_print(lb_print);
	ret = maps_pinned();
	if (ret <= 0)
		return ret;
	fd = map_open("edgeai_stats");
	ret = fd < 0 ? fd : percpu_sum(fd, &key, s->g, GLOBAL_WORDS);
	if (fd >= 0)
		close(fd);
	if (ret)
		return ret;
	fd = map_open("edgeai_sensor_stats");
	if (fd < 0)
		return fd;
	ret = map_keys(fd, &ids, &n);
	if (!ret && n) {
		s->sensors = calloc(n, sizeof(*s->sensors));
		if (!s->sensors)
			ret = -ENOMEM;
	}
	for (i = 0; !ret && i < n; i++) {
		if (percpu_sum(fd, &ids[i], s->sensors[s->nsensors].c,
			       SENSOR_WORDS))
			continue;	/* deleted meanwhile */
		s->sensors[s->nsensors++].id = ids[i];
	}
	free(ids);
	close(fd);
	if (ret) {
		free(s->sensors);
		s->sensors = NULL;
		s->nsensors = 0;
		return ret;
	}
	ret = pins_scan(false);
	s->attachments = ret > 0 ? ret : 0;
	s->loaded = true;
	return 0;
}

/* ---- the object ---- */

static int do_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "show", do_show, "attachments and their options, pinned maps" },
	{ "attach", do_attach, "DEV [xdp|tc] [--mode native|generic] [--port P[,P...]] [--dry-run]" },
	{ "detach", do_detach, "{ DEV | --all } [--keep-maps]" },
	{ "sensor", do_sensor, "{ list | add ID [OPTIONS] | delete ID }" },
	{ "stats", do_stats, "global and per-sensor counters" },
	{ "help", do_help, "this help" },
	{ NULL, NULL, NULL },
};

static int do_help(int argc, char **argv)
{
	printf("Usage: %s [-j|-p] bpf COMMAND [ARGS]\n\n"
	       "The edgeai sensor-packet filter (XDP or tc). Commands:\n",
	       bin_name);
	cmd_help_list(cmds, "bpf");
	printf("\nMaps and attachments are pinned in %s\n"
	       "(environment: EDGEAI_BPF_PIN_DIR); changing them needs CAP_BPF\n"
	       "and CAP_NET_ADMIN. EDGEAI_DEBUG=1 shows libbpf's messages.\n"
	       "See edgeaictl-bpf(8).\n", pin_dir());
	return EXIT_OK;
}

int do_bpf(int argc, char **argv)
{
	const char *dbg = getenv("EDGEAI_DEBUG");

	lb_debug = dbg && *dbg && strcmp(dbg, "0");
	libbpf_set_print(lb_print);
	return cmd_select(cmds, argc, argv, do_show, "bpf");
}
