// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai: tensor rings.
 *
 * A ring is slot_count fixed-size slots in vmalloc_user() memory that the
 * consumer maps. Producers (in-kernel drivers, or one userspace producer)
 * reserve a slot, fill it in place and commit it; the kernel publishes
 * committed slots in reservation order by moving ctrl->head, and learns
 * what the consumer released by reading cons->tail.
 *
 * Trust: ctrl, cons and slots are shared with userspace. The kernel's
 * indices (res_pos, head, tail) and the per-slot commit bitmap live in
 * struct edgeai_ring, never in shared memory. cons->tail is read once per
 * use and accepted only within [tail, head]; a slot address is always
 * computed from a kernel index masked by slot_count - 1.
 *
 * Events for the netlink monitor group (netlink.c) are sent from here in
 * process context: ring created and destroyed under edgeai_rings_lock, so
 * that they come in the order the registry changed; producer attached and
 * detached from the producer API. Overflows happen where producers run,
 * in any context, so those only flag the ring and kick a work item
 * ("Overflow events" below).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/ctype.h>
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <linux/edgeai_netlink.h>

#include "edgeai_internal.h"

/*
 * Protects the registry: edgeai_rings, edgeai_ring_ids, edgeai_nr_rings,
 * edgeai_rings_gen.
 */
DEFINE_MUTEX(edgeai_rings_lock);
static LIST_HEAD(edgeai_rings);		/* registered rings */
static DEFINE_IDR(edgeai_ring_ids);
static unsigned int edgeai_nr_rings;
static u32 edgeai_rings_gen = 1;	/* changes with the registry, never 0 */
static atomic_long_t edgeai_total_bytes = ATOMIC_LONG_INIT(0);

/* At most one OVERFLOW_STARTED per ring per interval (docs/netlink.md). */
#define EDGEAI_OVF_INTERVAL	NSEC_PER_SEC	/* ktime ns */

static void edgeai_ring_ovf_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(edgeai_ovf_work, edgeai_ring_ovf_work);

static const u8 edgeai_dtype_sizes[EDGEAI_DTYPE_MAX + 1] = {
	[EDGEAI_DTYPE_U8] = 1, [EDGEAI_DTYPE_I8] = 1,
	[EDGEAI_DTYPE_U16] = 2, [EDGEAI_DTYPE_I16] = 2,
	[EDGEAI_DTYPE_U32] = 4, [EDGEAI_DTYPE_I32] = 4,
	[EDGEAI_DTYPE_F16] = 2, [EDGEAI_DTYPE_F32] = 4,
	[EDGEAI_DTYPE_F64] = 8,
};

int edgeai_check_name(const char *name)
{
	size_t len = strnlen(name, EDGEAI_NAME_LEN);
	size_t i;

	if (!len || len == EDGEAI_NAME_LEN)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isalnum(name[i]) && !strchr("_.-", name[i]))
			return -EINVAL;
	}
	/* Bytes after the terminator must be zero: no hidden data. */
	if (!edgeai_zero(name + len, EDGEAI_NAME_LEN - len))
		return -EINVAL;
	return 0;
}

static int edgeai_check_desc(const struct edgeai_tensor_desc *d,
			     u32 slot_size)
{
	u64 bytes;
	u32 i;

	if (!d->dtype || d->dtype > EDGEAI_DTYPE_MAX)
		return -EINVAL;
	if (d->rank > EDGEAI_MAX_RANK)
		return -EINVAL;
	if (d->flags & ~EDGEAI_TENSOR_FLAGS_ALL)
		return -EINVAL;
	if (!(d->flags & EDGEAI_TENSOR_F_QUANT) &&
	    (d->scale_f32 || d->zero_point))
		return -EINVAL;
	if (!edgeai_zero(d->reserved, sizeof(d->reserved)))
		return -EINVAL;
	/* Rank 0 is an opaque byte payload. */
	if (!d->rank && d->dtype != EDGEAI_DTYPE_U8)
		return -EINVAL;

	bytes = edgeai_dtype_sizes[d->dtype];
	for (i = 0; i < EDGEAI_MAX_RANK; i++) {
		if (i >= d->rank) {
			if (d->shape[i])
				return -EINVAL;
			continue;
		}
		if (!d->shape[i] || d->shape[i] > EDGEAI_MAX_SLOT_SIZE)
			return -EINVAL;
		bytes *= d->shape[i];
		if (bytes > slot_size)
			return -EINVAL;
	}
	return 0;
}

static u32 edgeai_stride(u32 slot_size)
{
	return ALIGN(sizeof(struct edgeai_slot_hdr) + slot_size,
		     EDGEAI_SLOT_ALIGN);
}

/**
 * edgeai_ring_check_args() - validate a create request completely
 * @args: the request, already copied into kernel memory
 *
 * Return: 0, -EINVAL for anything malformed, -E2BIG if the ring would be
 * larger than max_ring_bytes.
 */
int edgeai_ring_check_args(const struct edgeai_ring_create *args)
{
	u64 bytes;
	int ret;

	if (args->flags & ~EDGEAI_RING_FLAGS_ALL)
		return -EINVAL;
	/* A producer-written head needs a userspace producer and no overwrite. */
	if ((args->flags & EDGEAI_RING_F_USER_HEAD) &&
	    (!(args->flags & EDGEAI_RING_F_USER_PRODUCER) ||
	     (args->flags & EDGEAI_RING_F_OVERWRITE)))
		return -EINVAL;
	if (args->__pad ||
	    !edgeai_zero(args->reserved, sizeof(args->reserved)))
		return -EINVAL;
	ret = edgeai_check_name(args->name);
	if (ret)
		return ret;
	if (args->slot_count < 2 || args->slot_count > EDGEAI_MAX_SLOTS ||
	    !is_power_of_2(args->slot_count))
		return -EINVAL;
	if (!args->slot_size || args->slot_size > EDGEAI_MAX_SLOT_SIZE)
		return -EINVAL;
	ret = edgeai_check_desc(&args->desc, args->slot_size);
	if (ret)
		return ret;

	bytes = (u64)edgeai_stride(args->slot_size) * args->slot_count;
	bytes = PAGE_ALIGN(bytes) + 2 * PAGE_SIZE;
	if (args->flags & EDGEAI_RING_F_USER_HEAD)
		bytes += PAGE_SIZE;
	if (bytes > edgeai_max_ring_bytes)
		return -E2BIG;
	return 0;
}

static struct edgeai_slot_hdr *edgeai_slot_hdr(const struct edgeai_ring *ring,
					       u64 pos)
{
	return ring->slots + (pos & (ring->slot_count - 1)) * ring->stride;
}

static void edgeai_ring_free(struct kref *ref)
{
	struct edgeai_ring *ring = container_of(ref, struct edgeai_ring, ref);

	/* Only registered rings were added to the total. */
	if (ring->accounted)
		atomic_long_sub(ring->mem_bytes, &edgeai_total_bytes);
	vfree(ring->slots);
	vfree(ring->cons);
	vfree(ring->ctrl);
	bitmap_free(ring->committed);
	kfree(ring);
}

/**
 * edgeai_ring_unref() - drop a reference that is not a producer's
 * @ring: the ring; may be NULL or an error pointer
 *
 * Context: process context.
 */
void edgeai_ring_unref(struct edgeai_ring *ring)
{
	if (!IS_ERR_OR_NULL(ring))
		kref_put(&ring->ref, edgeai_ring_free);
}

/*
 * Planted bugs, compiled in only by "make EDGEAI_PLANT=uaf" or
 * "EDGEAI_PLANT=lockorder" (test builds, never a normal one): the vmdebug
 * lane loads such builds and must report KASAN and lockdep splats, which
 * proves it is not blind (tests/vmdebug/planted.sh).
 */
#ifdef EDGEAI_PLANT_UAF
MODULE_INFO(edgeai_plant, "uaf");
/* Destroy frees the ring even while files and mappings still hold it. */
static void edgeai_ring_destroy_unref(struct edgeai_ring *ring)
{
	edgeai_ring_free(&ring->ref);
}
#else
static void edgeai_ring_destroy_unref(struct edgeai_ring *ring)
{
	edgeai_ring_unref(ring);
}
#endif

#ifdef EDGEAI_PLANT_LOCKORDER
MODULE_INFO(edgeai_plant, "lockorder");
/*
 * Take @inner for a moment: publish nests edgeai_rings_lock in
 * publish_lock, destroy nests them the other way round.
 */
static void edgeai_plant_nest(struct mutex *inner)
{
	mutex_lock(inner);
	mutex_unlock(inner);
}
#else
static inline void edgeai_plant_nest(struct mutex *inner) { }
#endif

/* An in-kernel producer took a reference: count it and say so. */
static void edgeai_ring_producer_attach(struct edgeai_ring *ring)
{
	atomic_inc(&ring->kproducers);
	edgeai_nl_producer_event(EDGEAI_CMD_PRODUCER_ATTACHED, ring,
				 EDGEAI_PRODUCER_KERNEL);
}

/**
 * edgeai_ring_put() - drop the reference edgeai_ring_get() or
 * edgeai_ring_create() gave a producer
 * @ring: the ring; may be NULL or an error pointer
 *
 * Context: process context.
 */
void edgeai_ring_put(struct edgeai_ring *ring)
{
	if (IS_ERR_OR_NULL(ring))
		return;
	atomic_dec(&ring->kproducers);
	edgeai_nl_producer_event(EDGEAI_CMD_PRODUCER_DETACHED, ring,
				 EDGEAI_PRODUCER_KERNEL);
	edgeai_ring_unref(ring);
}
EXPORT_SYMBOL_GPL(edgeai_ring_put);

static struct edgeai_ring *edgeai_ring_alloc(const struct edgeai_ring_create *args)
{
	struct edgeai_ring *ring;

	ring = kzalloc(sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return ERR_PTR(-ENOMEM);
	kref_init(&ring->ref);
	INIT_LIST_HEAD(&ring->node);
	spin_lock_init(&ring->lock);
	mutex_init(&ring->publish_lock);
	init_waitqueue_head(&ring->wq);
	ring->flags = args->flags;
	ring->slot_count = args->slot_count;
	ring->slot_size = args->slot_size;
	ring->stride = edgeai_stride(args->slot_size);
	ring->desc = args->desc;
	ring->wake_at = U64_MAX;
	/* u64 arithmetic: due at once, however early after boot. */
	ring->ovf_started = ktime_get_ns() - EDGEAI_OVF_INTERVAL;
	atomic_set(&ring->kproducers, 0);
	memcpy(ring->name, args->name, EDGEAI_NAME_LEN);
	ring->slots_size = PAGE_ALIGN((size_t)ring->stride * ring->slot_count);
	/* USER_HEAD: the producer's head gets the page after the slots. */
	if (ring->flags & EDGEAI_RING_F_USER_HEAD)
		ring->slots_size += PAGE_SIZE;
	ring->mem_bytes = ring->slots_size + 2 * PAGE_SIZE;

	ring->committed = bitmap_zalloc(ring->slot_count, GFP_KERNEL);
	ring->ctrl = vmalloc_user(PAGE_SIZE);
	ring->cons = vmalloc_user(PAGE_SIZE);
	ring->slots = vmalloc_user(ring->slots_size);
	if (!ring->committed || !ring->ctrl || !ring->cons || !ring->slots) {
		vfree(ring->slots);
		vfree(ring->cons);
		vfree(ring->ctrl);
		bitmap_free(ring->committed);
		kfree(ring);
		return ERR_PTR(-ENOMEM);
	}
	if (ring->flags & EDGEAI_RING_F_USER_HEAD)
		ring->prod_head = ring->slots + ring->slots_size - PAGE_SIZE;
	return ring;
}

static struct edgeai_ring *edgeai_ring_lookup_name(const char *name)
{
	struct edgeai_ring *ring;

	lockdep_assert_held(&edgeai_rings_lock);
	list_for_each_entry(ring, &edgeai_rings, node) {
		if (!strncmp(ring->name, name, EDGEAI_NAME_LEN))
			return ring;
	}
	return NULL;
}

/* A registered ring by @name, or by @id when @name is NULL; no reference. */
static struct edgeai_ring *edgeai_ring_lookup(u32 id, const char *name)
{
	lockdep_assert_held(&edgeai_rings_lock);
	if (name)
		return edgeai_ring_lookup_name(name);
	return id <= INT_MAX ? idr_find(&edgeai_ring_ids, id) : NULL;
}

/* The registry changed: dumps in progress are told (NLM_F_DUMP_INTR). */
static void edgeai_rings_changed(void)
{
	u32 gen = edgeai_rings_gen + 1;

	lockdep_assert_held(&edgeai_rings_lock);
	WRITE_ONCE(edgeai_rings_gen, gen ?: 1);
}

/**
 * edgeai_ring_new() - create and register a ring
 * @args: name, geometry, tensor descriptor and flags, as for
 *	EDGEAI_IOC_RING_CREATE (@args->ring_id is ignored)
 *
 * The registry holds the ring until it is destroyed; the caller gets its
 * own reference, to drop with edgeai_ring_unref().
 *
 * Context: process context.
 * Return: the ring, or ERR_PTR(-EINVAL, -E2BIG, -EEXIST, -ENOSPC, -ENOMEM).
 */
struct edgeai_ring *edgeai_ring_new(const struct edgeai_ring_create *args)
{
	struct edgeai_ring *ring;
	int ret, id;

	ret = edgeai_ring_check_args(args);
	if (ret)
		return ERR_PTR(ret);
	ring = edgeai_ring_alloc(args);
	if (IS_ERR(ring))
		return ring;

	mutex_lock(&edgeai_rings_lock);
	if (edgeai_ring_lookup_name(args->name)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	if (edgeai_nr_rings >= edgeai_max_rings ||
	    (unsigned long)atomic_long_read(&edgeai_total_bytes) +
	    ring->mem_bytes > edgeai_max_total_bytes) {
		ret = -ENOSPC;
		goto err_unlock;
	}
	id = idr_alloc_cyclic(&edgeai_ring_ids, ring, 1, INT_MAX, GFP_KERNEL);
	if (id < 0) {
		ret = id;
		goto err_unlock;
	}
	ring->id = id;
	ring->accounted = true;
	atomic_long_add(ring->mem_bytes, &edgeai_total_bytes);
	list_add_tail(&ring->node, &edgeai_rings);
	edgeai_nr_rings++;
	edgeai_rings_changed();
	kref_get(&ring->ref);		/* the caller's */
	edgeai_nl_ring_event(EDGEAI_CMD_RING_CREATED, ring);
	mutex_unlock(&edgeai_rings_lock);
	return ring;

err_unlock:
	mutex_unlock(&edgeai_rings_lock);
	kref_put(&ring->ref, edgeai_ring_free);
	return ERR_PTR(ret);
}

/**
 * edgeai_ring_create() - create and register a ring, as its producer
 * @args: name, geometry, tensor descriptor and flags, as for
 *	EDGEAI_IOC_RING_CREATE (@args->ring_id is ignored)
 *
 * The registry holds the ring until it is destroyed; the caller gets its
 * own reference, to drop with edgeai_ring_put().
 *
 * Context: process context.
 * Return: the ring, or ERR_PTR(-EINVAL, -E2BIG, -EEXIST, -ENOSPC, -ENOMEM).
 */
struct edgeai_ring *edgeai_ring_create(const struct edgeai_ring_create *args)
{
	struct edgeai_ring *ring = edgeai_ring_new(args);

	if (!IS_ERR(ring))
		edgeai_ring_producer_attach(ring);
	return ring;
}
EXPORT_SYMBOL_GPL(edgeai_ring_create);

/**
 * edgeai_ring_find() - take a reference to a registered ring
 * @id: ring id, used when @name is NULL
 * @name: ring name, or NULL
 *
 * Context: process context.
 * Return: the ring or ERR_PTR(-ENOENT).
 */
struct edgeai_ring *edgeai_ring_find(u32 id, const char *name)
{
	struct edgeai_ring *ring;

	mutex_lock(&edgeai_rings_lock);
	ring = edgeai_ring_lookup(id, name);
	if (ring)
		kref_get(&ring->ref);
	mutex_unlock(&edgeai_rings_lock);
	return ring ?: ERR_PTR(-ENOENT);
}

/**
 * edgeai_ring_find_next() - take a reference to the ring after an id
 * @id: find the registered ring with the lowest id above this one
 *
 * Context: process context.
 * Return: the ring or ERR_PTR(-ENOENT).
 */
struct edgeai_ring *edgeai_ring_find_next(u32 id)
{
	struct edgeai_ring *ring = NULL;
	int next = id + 1;

	if (id >= INT_MAX)
		return ERR_PTR(-ENOENT);
	mutex_lock(&edgeai_rings_lock);
	ring = idr_get_next(&edgeai_ring_ids, &next);
	if (ring)
		kref_get(&ring->ref);
	mutex_unlock(&edgeai_rings_lock);
	return ring ?: ERR_PTR(-ENOENT);
}

/**
 * edgeai_ring_get() - take a producer's reference to a ring by name
 * @name: the ring's name
 *
 * Context: process context.
 * Return: the ring, ERR_PTR(-EINVAL) for a malformed name or
 * ERR_PTR(-ENOENT).
 */
struct edgeai_ring *edgeai_ring_get(const char *name)
{
	char buf[EDGEAI_NAME_LEN] = {};
	struct edgeai_ring *ring;

	if (!name || strscpy(buf, name, sizeof(buf)) < 0 ||
	    edgeai_check_name(buf))
		return ERR_PTR(-EINVAL);
	ring = edgeai_ring_find(0, buf);
	if (!IS_ERR(ring))
		edgeai_ring_producer_attach(ring);
	return ring;
}
EXPORT_SYMBOL_GPL(edgeai_ring_get);

/**
 * edgeai_ring_id() - a ring's id
 * @ring: the ring
 *
 * Return: the id, as shown by EDGEAI_IOC_RING_INFO and edgeaictl.
 */
u32 edgeai_ring_id(const struct edgeai_ring *ring)
{
	return ring->id;
}
EXPORT_SYMBOL_GPL(edgeai_ring_id);

/**
 * edgeai_ring_desc() - the tensor descriptor of a ring's payloads
 * @ring: the ring
 *
 * Return: the descriptor; it does not change during the ring's life.
 */
const struct edgeai_tensor_desc *edgeai_ring_desc(const struct edgeai_ring *ring)
{
	return &ring->desc;
}
EXPORT_SYMBOL_GPL(edgeai_ring_desc);

/**
 * edgeai_ring_flags() - the EDGEAI_RING_F_* flags a ring was created with
 * @ring: the ring
 *
 * Return: the flags; they do not change during the ring's life. A driver
 * cannot feed an EDGEAI_RING_F_USER_PRODUCER ring.
 */
u32 edgeai_ring_flags(const struct edgeai_ring *ring)
{
	return ring->flags;
}
EXPORT_SYMBOL_GPL(edgeai_ring_flags);

/**
 * edgeai_ring_slot_size() - payload bytes per slot
 * @ring: the ring
 *
 * Return: the largest payload edgeai_slot_reserve() accepts.
 */
u32 edgeai_ring_slot_size(const struct edgeai_ring *ring)
{
	return ring->slot_size;
}
EXPORT_SYMBOL_GPL(edgeai_ring_slot_size);

/* No producer waits for room (any more): no RING_SYNC needed. */
static void edgeai_ring_room_woken(struct edgeai_ring *ring)
{
	if (ring->ctrl->flags & EDGEAI_CTRL_F_ROOM_WAIT)
		WRITE_ONCE(ring->ctrl->flags,
			   ring->ctrl->flags & ~EDGEAI_CTRL_F_ROOM_WAIT);
}

static void edgeai_ring_kill(struct edgeai_ring *ring)
{
	struct edgeai_file *ef;
	unsigned long flags;
	bool kick = false;

	spin_lock_irqsave(&ring->lock, flags);
	/* A USER_HEAD producer's last store still counts; later ones not. */
	edgeai_ring_sync_head(ring);
	ring->dead = true;
	ring->room_want = 0;
	edgeai_ring_room_woken(ring);
	WRITE_ONCE(ring->ctrl->flags, ring->ctrl->flags | EDGEAI_CTRL_F_DEAD);
	ef = ring->consumer;
	if (ef && ef->wait.state == EDGEAI_WAIT_PENDING) {
		/* No more data will come: report what there is now. */
		edgeai_ring_sync_tail(ring);
		edgeai_wait_complete_locked(ring, ef, ring->head - ring->tail);
		kick = true;
	}
	spin_unlock_irqrestore(&ring->lock, flags);
	wake_up_interruptible_poll(&ring->wq, EPOLLIN | EPOLLHUP);
	if (kick)
		edgeai_wait_kick(ef);
}

/* Drops for lack of room: what overflow events report. */
static u64 edgeai_ring_ovf_drops(const struct edgeai_ring *ring)
{
	return ring->drops[EDGEAI_DROP_FULL] +
	       ring->drops[EDGEAI_DROP_OVERWRITTEN] +
	       ring->drops[EDGEAI_DROP_BUSY] +
	       ring->drops[EDGEAI_DROP_PRODUCER];
}

/* An overflow still shown ends before the ring goes: events pair up. */
static void edgeai_ring_unregister(struct edgeai_ring *ring)
{
	bool shown;
	u64 drops;

	lockdep_assert_held(&edgeai_rings_lock);
	idr_remove(&edgeai_ring_ids, ring->id);
	list_del_init(&ring->node);
	edgeai_nr_rings--;
	edgeai_rings_changed();

	spin_lock_irq(&ring->lock);
	shown = ring->ovf_shown;
	ring->ovf_shown = false;
	ring->ovf_kicked = true;	/* the work no longer sees it */
	drops = edgeai_ring_ovf_drops(ring);
	spin_unlock_irq(&ring->lock);
	if (shown)
		edgeai_nl_overflow_event(EDGEAI_CMD_OVERFLOW_ENDED, ring, drops);
	edgeai_nl_ring_event(EDGEAI_CMD_RING_DESTROYED, ring);
}

/**
 * edgeai_ring_destroy() - remove a ring's name and id, drop the registry's
 * reference
 * @id: ring id, used when @name is NULL
 * @name: ring name, or NULL
 *
 * Attached files, mappings and in-kernel producers keep the memory until
 * they let go; producers get -ENODEV from then on.
 *
 * Return: 0 or -ENOENT.
 */
int edgeai_ring_destroy(u32 id, const char *name)
{
	struct edgeai_ring *ring;

	mutex_lock(&edgeai_rings_lock);
	ring = edgeai_ring_lookup(id, name);
	if (!ring) {
		mutex_unlock(&edgeai_rings_lock);
		return -ENOENT;
	}
	edgeai_plant_nest(&ring->publish_lock);
	edgeai_ring_unregister(ring);
	mutex_unlock(&edgeai_rings_lock);

	edgeai_ring_kill(ring);
	edgeai_ring_destroy_unref(ring);
	return 0;
}

/*
 * Module exit: nothing can hold a ring any more but the registry, and no
 * producer can kick the overflow work again.
 */
void edgeai_ring_destroy_all(void)
{
	struct edgeai_ring *ring, *tmp;

	cancel_delayed_work_sync(&edgeai_ovf_work);
	mutex_lock(&edgeai_rings_lock);
	list_for_each_entry_safe(ring, tmp, &edgeai_rings, node) {
		edgeai_ring_unregister(ring);
		WARN_ON(kref_read(&ring->ref) != 1);
		edgeai_ring_unref(ring);
	}
	mutex_unlock(&edgeai_rings_lock);
	idr_destroy(&edgeai_ring_ids);
}

/*
 * Publish [head, @h) of a USER_HEAD ring; @h is checked against the
 * consumer's tail @t, which may be ahead of ring->tail. Lock held.
 */
static void edgeai_ring_advance(struct edgeai_ring *ring, u64 h, u64 t)
{
	u64 n = h - ring->head;

	ring->seq += n;
	ring->produced += n;
	ring->head = h;
	ring->res_pos = h;
	if (h - t > ring->high_water)
		ring->high_water = h - t;
	/* For readers of ctrl.head (observers, the slots' producer wrote). */
	smp_store_release(&ring->ctrl->head, h);
}

/*
 * Take in @h as a USER_HEAD ring's head: it must not go back, nor pass the
 * room left by the consumer's tail @t (the kernel's tail if @t is not a
 * valid one: the consumer reads the producer's head, so its tail may be
 * ahead of the kernel's head). A refusal is counted. Lock held.
 */
static bool edgeai_ring_take_head(struct edgeai_ring *ring, u64 h, u64 t)
{
	if (h == ring->head)
		return true;
	if (t < ring->tail || t > h)
		t = ring->tail;
	if (h < ring->head || h - t > ring->slot_count) {
		ring->bad_index++;
		return false;
	}
	edgeai_ring_advance(ring, h, t);
	return true;
}

/**
 * edgeai_ring_sync_tail() - take in the consumer's tail, if it is valid
 * @ring: the ring, with @ring->lock held
 *
 * cons->tail is user memory: read it once, accept it only if it lies in
 * [tail, head] (in OVERWRITE rings a value below tail is merely stale),
 * and count every rejection. The kernel's tail is the only one it uses.
 * Wakes a producer waiting in poll() once its room is there.
 */
void edgeai_ring_sync_tail(struct edgeai_ring *ring)
{
	/* Pairs with the consumer's store-release: its reads are done. */
	u64 t = smp_load_acquire(&ring->cons->tail), h;

	lockdep_assert_held(&ring->lock);
	if (likely(t == ring->tail))
		return;
	/* USER_HEAD: the consumer reads the producer's head, not ours. */
	if (t > ring->head && ring->prod_head && !ring->dead) {
		/* Pairs with the producer's store-release of its head. */
		h = smp_load_acquire(ring->prod_head);
		edgeai_ring_take_head(ring, h, t);
	}
	if (t > ring->head ||
	    (t < ring->tail && !(ring->flags & EDGEAI_RING_F_OVERWRITE))) {
		ring->bad_index++;
		return;
	}
	if (t < ring->tail)
		return;
	ring->consumed += t - ring->tail;
	/* Also read without the lock, by edgeai_ring_publish(). */
	WRITE_ONCE(ring->tail, t);
	/* Readers of tail_floor load-acquire it (docs/ring-abi.md). */
	smp_store_release(&ring->ctrl->tail_floor, t);
	/*
	 * A producer sleeping in poll() for room: wake it now that the
	 * kernel has seen the room. Its poll entry only takes the wait
	 * queue's lock, never ring->lock, so the nesting is one way.
	 */
	if (ring->room_want && edgeai_ring_room(ring, t) >= ring->room_want) {
		ring->room_want = 0;
		edgeai_ring_room_woken(ring);
		wake_up_interruptible_poll(&ring->wq, EPOLLOUT | EPOLLWRNORM);
	}
}

/**
 * edgeai_ring_sync_head() - take in a USER_HEAD producer's head, if valid
 * @ring: the ring, with @ring->lock held
 *
 * slots.prod_head is user memory, like cons->tail: read it once, accept it
 * only if it moves forward within the room the consumer's tail leaves,
 * count every rejection, and take in the consumer's tail after it. The slots it
 * publishes are neither checked nor stamped: the producer stamped them
 * and consumers clamp len. Nothing after the ring died is taken in.
 */
void edgeai_ring_sync_head(struct edgeai_ring *ring)
{
	u64 h, t;

	lockdep_assert_held(&ring->lock);
	if (!ring->prod_head || ring->dead)
		return;
	/* Pairs with the producer's store-release: its slots are written. */
	h = smp_load_acquire(ring->prod_head);
	if (likely(h == ring->head))
		return;
	/* The room it may use: the consumer's tail (its store-release). */
	t = smp_load_acquire(&ring->cons->tail);
	if (edgeai_ring_take_head(ring, h, t))
		edgeai_ring_sync_tail(ring);
}

/**
 * edgeai_ring_need_wakeup() - a USER_HEAD ring's consumer is going to wait
 * @ring: the ring, with @ring->lock held
 *
 * Sets EDGEAI_CTRL_F_NEED_WAKEUP, so that the producer's next store of
 * its head is followed by a RING_PUBLISH, then looks at the head again:
 * the full barrier pairs with the producer's between its store and its
 * read of the flag, so either the producer sees the flag or this sees its
 * head. Nothing for other rings.
 */
void edgeai_ring_need_wakeup(struct edgeai_ring *ring)
{
	lockdep_assert_held(&ring->lock);
	if (!ring->prod_head)
		return;
	WRITE_ONCE(ring->ctrl->flags,
		   ring->ctrl->flags | EDGEAI_CTRL_F_NEED_WAKEUP);
	/* Flag store, then head load; the producer: head store, flag load. */
	smp_mb();
	edgeai_ring_sync_head(ring);
}

/**
 * edgeai_ring_room_wait() - the producer is going to wait for room
 * @ring: the ring, with @ring->lock held
 * @want: free slots it waits for
 *
 * Notes @want for edgeai_ring_sync_tail() and sets
 * EDGEAI_CTRL_F_ROOM_WAIT, so that the consumer's next release of slots
 * is followed by a RING_SYNC, then reads the consumer's tail again: the
 * full barrier pairs with the consumer's between its store of the tail
 * and its read of the flag, so either the consumer sees the flag or this
 * sees its tail (and, with the room there, wakes and clears at once).
 */
void edgeai_ring_room_wait(struct edgeai_ring *ring, u32 want)
{
	lockdep_assert_held(&ring->lock);
	ring->room_want = want;
	WRITE_ONCE(ring->ctrl->flags,
		   ring->ctrl->flags | EDGEAI_CTRL_F_ROOM_WAIT);
	/* Flag store, then tail load; the consumer: tail store, flag load. */
	smp_mb();
	edgeai_ring_sync_tail(ring);
}

/* The consumer is not waiting (any more): no RING_PUBLISH needed. */
void edgeai_ring_woken(struct edgeai_ring *ring)
{
	lockdep_assert_held(&ring->lock);
	if (ring->prod_head && (ring->ctrl->flags & EDGEAI_CTRL_F_NEED_WAKEUP))
		WRITE_ONCE(ring->ctrl->flags,
			   ring->ctrl->flags & ~EDGEAI_CTRL_F_NEED_WAKEUP);
}

/*
 * Called with ring->lock held and irqs saved in @flags; releases the lock.
 * Wakes poll()ers once the watermark is reached and completes an io_uring
 * wait whose count is reached.
 */
static void edgeai_ring_notify_unlock(struct edgeai_ring *ring,
				      unsigned long flags)
	__releases(&ring->lock)
{
	struct edgeai_file *ef = ring->consumer;
	bool wake = false, kick = false;

	if (ring->head >= ring->wake_at) {
		ring->wake_at = U64_MAX;
		ring->wakeups++;
		wake = true;
		edgeai_ring_woken(ring);
	}
	if (ef && ef->wait.state == EDGEAI_WAIT_PENDING &&
	    ring->head - ring->tail >= ef->wait.min_ready) {
		edgeai_ring_sync_tail(ring);
		if (ring->head - ring->tail >= ef->wait.min_ready) {
			ring->wakeups++;
			edgeai_wait_complete_locked(ring, ef,
						    ring->head - ring->tail);
			kick = true;
			edgeai_ring_woken(ring);
		}
	}
	spin_unlock_irqrestore(&ring->lock, flags);
	if (wake)
		wake_up_interruptible_poll(&ring->wq, EPOLLIN | EPOLLRDNORM);
	if (kick)
		edgeai_wait_kick(ef);
}

/**
 * edgeai_ring_sync() - EDGEAI_IOC_RING_SYNC: take in the tail and the head
 * @ring: the ring
 *
 * Takes in the consumer's tail, waking a producer that waits for the room
 * it frees, and a USER_HEAD producer's head, waking a consumer whose
 * watermark or io_uring wait it reaches.
 */
void edgeai_ring_sync(struct edgeai_ring *ring)
{
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	edgeai_ring_sync_head(ring);
	edgeai_ring_sync_tail(ring);
	edgeai_ring_notify_unlock(ring, flags);
}

/*
 * Overflow events
 *
 * A ring overflows while the samples offered to it are dropped for lack of
 * room (full, overwritten, busy; for a userspace producer, the drops it
 * reports) and stops when one is accepted without a drop. Producers note
 * that in ovf_now under the ring's lock, in whatever context they run;
 * when it differs from what the monitor group was last told (ovf_shown),
 * the first of them kicks edgeai_ovf_work (mod_delayed_work() may be
 * called from any context) and sets ovf_kicked so that the others do not.
 *
 * The work, in process context, walks the registry and sends
 * OVERFLOW_STARTED or OVERFLOW_ENDED for each ring whose state changed,
 * except that a ring's OVERFLOW_STARTED comes at least
 * EDGEAI_OVF_INTERVAL after its previous one: at most one started/ended
 * pair per ring and interval, whatever the producers do. A start that has
 * to wait keeps ovf_kicked set (no producer kicks again) and the work
 * comes back when it is due. Destroying a ring ends an overflow still
 * shown (edgeai_ring_unregister()). The interval is measured on the
 * monotonic clock, as the listeners measure it: jiffies can lag it by as
 * long as the CPU that advances them is held up (a vCPU the host does not
 * run, for one), and two starts would then come less than a second apart.
 */
static bool edgeai_ring_ovf_kick(struct edgeai_ring *ring)
{
	lockdep_assert_held(&ring->lock);
	if (likely(ring->ovf_now == ring->ovf_shown) || ring->ovf_kicked)
		return false;
	ring->ovf_kicked = true;
	return true;
}

static void edgeai_ring_ovf_schedule(void)
{
	mod_delayed_work(system_wq, &edgeai_ovf_work, 0);
}

static void edgeai_ring_ovf_work(struct work_struct *work)
{
	u64 now = ktime_get_ns(), wait = 0, since;
	struct edgeai_ring *ring;
	bool again = false;
	u64 drops;
	u8 cmd;

	mutex_lock(&edgeai_rings_lock);
	list_for_each_entry(ring, &edgeai_rings, node) {
		cmd = 0;
		spin_lock_irq(&ring->lock);
		since = now - ring->ovf_started;
		if (ring->ovf_now == ring->ovf_shown) {
			ring->ovf_kicked = false;
		} else if (ring->ovf_shown) {
			ring->ovf_shown = false;
			ring->ovf_kicked = false;
			cmd = EDGEAI_CMD_OVERFLOW_ENDED;
		} else if (since >= EDGEAI_OVF_INTERVAL) {
			ring->ovf_shown = true;
			ring->ovf_kicked = false;
			ring->ovf_started = now;
			cmd = EDGEAI_CMD_OVERFLOW_STARTED;
		} else if (!again || EDGEAI_OVF_INTERVAL - since < wait) {
			wait = EDGEAI_OVF_INTERVAL - since;
			again = true;
		}
		drops = edgeai_ring_ovf_drops(ring);
		spin_unlock_irq(&ring->lock);
		if (cmd)
			edgeai_nl_overflow_event(cmd, ring, drops);
	}
	mutex_unlock(&edgeai_rings_lock);
	/*
	 * A kick meanwhile already queued it: that run sees this ring too.
	 * One jiffy more, so that it does not come back just before it is due.
	 */
	if (again)
		schedule_delayed_work(&edgeai_ovf_work, nsecs_to_jiffies(wait) + 1);
}

/*
 * With the lock held: make room for one slot, or count the drop. Either
 * way, a full ring means an overflow.
 */
static int edgeai_ring_make_room(struct edgeai_ring *ring)
{
	edgeai_ring_sync_tail(ring);
	if (ring->res_pos - ring->tail < ring->slot_count)
		return 0;
	ring->ovf_now = true;
	if (!(ring->flags & EDGEAI_RING_F_OVERWRITE)) {
		ring->drops[EDGEAI_DROP_FULL]++;
		return -ENOSPC;
	}
	if (ring->tail == ring->head) {
		/* The oldest slot is still being written by a producer. */
		ring->drops[EDGEAI_DROP_BUSY]++;
		return -ENOSPC;
	}
	WRITE_ONCE(ring->tail, ring->tail + 1);
	ring->drops[EDGEAI_DROP_OVERWRITTEN]++;
	/* Tell the consumer before the slot is rewritten. */
	smp_store_release(&ring->ctrl->tail_floor, ring->tail);
	return 0;
}

/**
 * edgeai_slot_reserve() - reserve the next slot of a ring
 * @ring: a kernel-fed ring (not EDGEAI_RING_F_USER_PRODUCER)
 * @len: payload bytes the sample needs
 * @slot: filled in: where to write, the sample's sequence number and time
 *
 * Every call takes a sequence number. On failure the sample is dropped and
 * counted with its reason, so the consumer sees the gap.
 *
 * Context: any context, including hardirq; does not sleep.
 * Return: 0; -ENOSPC if the ring is full (or, in an OVERWRITE ring, its
 * oldest slot is still being written); -EMSGSIZE if @len is larger than the
 * slot; -ENODEV if the ring was destroyed; -EINVAL for a USER_PRODUCER ring.
 */
int edgeai_slot_reserve(struct edgeai_ring *ring, u32 len,
			struct edgeai_slot *slot)
{
	unsigned long flags;
	bool kick = false;
	u64 pos, used;
	int ret;

	if (unlikely(ring->flags & EDGEAI_RING_F_USER_PRODUCER))
		return -EINVAL;

	spin_lock_irqsave(&ring->lock, flags);
	slot->seq = ring->seq++;
	ring->produced++;
	if (unlikely(ring->dead)) {
		ring->drops[EDGEAI_DROP_DEAD]++;
		ret = -ENODEV;
		goto out_unlock;
	}
	if (unlikely(len > ring->slot_size)) {
		ring->drops[EDGEAI_DROP_TOO_BIG]++;
		ret = -EMSGSIZE;
		goto out_unlock;
	}
	ring->ovf_now = false;
	if (ring->res_pos - ring->tail >= ring->slot_count) {
		ret = edgeai_ring_make_room(ring);
		if (ret)
			goto out_kick;
	}
	pos = ring->res_pos++;
	__clear_bit(pos & (ring->slot_count - 1), ring->committed);
	used = ring->res_pos - ring->tail;
	if (used > ring->high_water)
		ring->high_water = used;
	kick = edgeai_ring_ovf_kick(ring);
	spin_unlock_irqrestore(&ring->lock, flags);
	if (unlikely(kick))
		edgeai_ring_ovf_schedule();

	slot->pos = pos;
	slot->len = len;
	slot->data = edgeai_slot_hdr(ring, pos) + 1;
	slot->ts_ns = ktime_get_ns();
	slot->sensor_id = 0;
	slot->tag = 0;
	slot->flags = 0;
	return 0;

out_kick:
	kick = edgeai_ring_ovf_kick(ring);
out_unlock:
	spin_unlock_irqrestore(&ring->lock, flags);
	if (unlikely(kick))
		edgeai_ring_ovf_schedule();
	return ret;
}
EXPORT_SYMBOL_GPL(edgeai_slot_reserve);

/**
 * edgeai_slot_commit() - hand a filled slot to the consumer
 * @ring: the ring the slot was reserved from
 * @slot: the slot from edgeai_slot_reserve(), payload written
 *
 * Writes the slot header, then publishes every slot up to the first one
 * still being written by another producer, and wakes the consumer when its
 * watermark is reached.
 *
 * Context: any context, including hardirq; does not sleep.
 */
void edgeai_slot_commit(struct edgeai_ring *ring, struct edgeai_slot *slot)
{
	struct edgeai_slot_hdr *hdr = edgeai_slot_hdr(ring, slot->pos);
	u32 mask = ring->slot_count - 1;
	u32 len = min(slot->len, ring->slot_size);
	unsigned long flags;

	hdr->seq = slot->seq;
	hdr->ts_ns = slot->ts_ns;
	hdr->sensor_id = slot->sensor_id;
	hdr->tag = slot->tag;
	hdr->len = len;
	hdr->flags = slot->flags;

	spin_lock_irqsave(&ring->lock, flags);
	__set_bit(slot->pos & mask, ring->committed);
	ring->bytes += len;
	while (ring->head < ring->res_pos &&
	       test_bit(ring->head & mask, ring->committed))
		ring->head++;
	/* Orders the slot writes (ours, and other producers' via the lock). */
	smp_store_release(&ring->ctrl->head, ring->head);
	edgeai_ring_notify_unlock(ring, flags);
}
EXPORT_SYMBOL_GPL(edgeai_slot_commit);

/*
 * One pass over the slots [from, to) a producer publishes: every len must
 * fit (else -EINVAL: nothing is published, and the seq stamped so far is
 * stamped again by the next publish), seq is stamped and the payload bytes
 * are added to *@bytes. *@ts_from is the first slot whose ts_ns the
 * producer left 0 (@to if none): edgeai_publish_ts() fills those in once
 * the batch is known to be good.
 */
static int edgeai_publish_slots(struct edgeai_ring *ring, u64 from, u64 to,
				u64 seq, u64 *bytes, u64 *ts_from)
{
	struct edgeai_slot_hdr *hdr;
	u64 pos, sum = 0;
	u32 len;

	*ts_from = to;
	for (pos = from; pos < to; pos++) {
		hdr = edgeai_slot_hdr(ring, pos);
		len = READ_ONCE(hdr->len);
		if (len > ring->slot_size)
			return -EINVAL;
		hdr->seq = seq++;
		sum += len;
		if (*ts_from == to && !READ_ONCE(hdr->ts_ns))
			*ts_from = pos;
		if (!(pos & 1023))
			cond_resched();
	}
	*bytes = sum;
	return 0;
}

/* ts_ns where the producer left it 0, in [from, to): one clock read. */
static void edgeai_publish_ts(struct edgeai_ring *ring, u64 from, u64 to)
{
	struct edgeai_slot_hdr *hdr;
	u64 pos, ts = ktime_get_ns();

	for (pos = from; pos < to; pos++) {
		hdr = edgeai_slot_hdr(ring, pos);
		if (!READ_ONCE(hdr->ts_ns))
			hdr->ts_ns = ts;
	}
}

static void edgeai_publish_bad(struct edgeai_ring *ring)
{
	spin_lock_irq(&ring->lock);
	ring->bad_index++;
	spin_unlock_irq(&ring->lock);
}

/*
 * The end of a publish, ring->lock held with irqs saved in @flags: the
 * tail floor for the producer, its drops as overflow, the wake-ups.
 * Releases the lock.
 */
static void edgeai_publish_done(struct edgeai_ring *ring,
				struct edgeai_ring_publish *pub,
				unsigned long flags)
	__releases(&ring->lock)
{
	bool kick;

	pub->tail_floor = ring->tail;
	/* The producer's own drops are its overflow. */
	ring->ovf_now = pub->dropped != 0;
	kick = edgeai_ring_ovf_kick(ring);
	edgeai_ring_notify_unlock(ring, flags);
	if (kick)
		edgeai_ring_ovf_schedule();
}

/*
 * RING_PUBLISH on a USER_HEAD ring: take in @pub->head (the one the
 * producer stored; checked like a stored one) and @pub->dropped, and wake
 * the consumer if it waits. The slots are not looked at.
 */
static int edgeai_ring_publish_head(struct edgeai_ring *ring,
				    struct edgeai_ring_publish *pub)
{
	unsigned long flags;
	u64 n, t;

	spin_lock_irqsave(&ring->lock, flags);
	if (ring->dead) {
		/* Stored after the end: not taken in, counted as dead. */
		edgeai_ring_sync_tail(ring);
		n = pub->head >= ring->head &&
		    pub->head - ring->tail <= ring->slot_count ?
		    pub->head - ring->head : 0;
		ring->drops[EDGEAI_DROP_DEAD] += n;
		ring->drops[EDGEAI_DROP_PRODUCER] += pub->dropped;
		ring->seq += n + pub->dropped;
		ring->produced += n + pub->dropped;
		spin_unlock_irqrestore(&ring->lock, flags);
		return -ENODEV;
	}
	/* The room it may use: the consumer's tail (its store-release). */
	t = smp_load_acquire(&ring->cons->tail);
	if (!edgeai_ring_take_head(ring, pub->head, t)) {
		spin_unlock_irqrestore(&ring->lock, flags);
		return -EINVAL;
	}
	edgeai_ring_sync_tail(ring);
	ring->seq += pub->dropped;
	ring->produced += pub->dropped;
	ring->drops[EDGEAI_DROP_PRODUCER] += pub->dropped;
	edgeai_publish_done(ring, pub, flags);
	return 0;
}

/**
 * edgeai_ring_publish() - publish slots a userspace producer has written
 * @ring: a USER_PRODUCER ring
 * @pub: the producer's new head and drop count; tail_floor is returned
 *
 * Context: process context; callers hold the producer role.
 * Return: 0, -EINVAL (head out of range or a slot's len too large:
 * nothing is published, bad_index counts it) or -ENODEV (destroyed).
 */
int edgeai_ring_publish(struct edgeai_ring *ring,
			struct edgeai_ring_publish *pub)
{
	u64 head, seq, bytes, n, ts_from;
	unsigned long flags;
	int ret;

	if (ring->prod_head)
		return edgeai_ring_publish_head(ring, pub);
	mutex_lock(&ring->publish_lock);
	edgeai_plant_nest(&edgeai_rings_lock);
	/*
	 * Only this producer moves head and seq (publish_lock; kernel
	 * producers cannot feed this ring). The tail may be older than the
	 * consumer's, never newer: it only grows. A head beyond the room the
	 * kernel has seen takes the consumer's tail in before it is refused.
	 */
	head = ring->head;
	seq = ring->seq;
	if (pub->head - READ_ONCE(ring->tail) > ring->slot_count) {
		spin_lock_irq(&ring->lock);
		edgeai_ring_sync_tail(ring);
		spin_unlock_irq(&ring->lock);
	}
	if (pub->head < head || (pub->head == head && !pub->dropped) ||
	    pub->head - READ_ONCE(ring->tail) > ring->slot_count) {
		edgeai_publish_bad(ring);
		ret = -EINVAL;
		goto out_unlock;
	}
	n = pub->head - head;
	ret = edgeai_publish_slots(ring, head, pub->head, seq + pub->dropped,
				   &bytes, &ts_from);
	if (ret) {
		edgeai_publish_bad(ring);
		goto out_unlock;
	}
	if (ts_from < pub->head)
		edgeai_publish_ts(ring, ts_from, pub->head);

	spin_lock_irqsave(&ring->lock, flags);
	/* The freshest tail for tail_floor, and the room the producer sees. */
	edgeai_ring_sync_tail(ring);
	ring->seq += n + pub->dropped;
	ring->produced += n + pub->dropped;
	if (ring->dead) {
		ring->drops[EDGEAI_DROP_DEAD] += n;
		ring->drops[EDGEAI_DROP_PRODUCER] += pub->dropped;
		spin_unlock_irqrestore(&ring->lock, flags);
		ret = -ENODEV;
		goto out_unlock;
	}
	ring->drops[EDGEAI_DROP_PRODUCER] += pub->dropped;
	ring->bytes += bytes;
	ring->head = pub->head;
	ring->res_pos = pub->head;
	if (ring->head - ring->tail > ring->high_water)
		ring->high_water = ring->head - ring->tail;
	/* Orders the seq/ts stamps above before the consumer sees them. */
	smp_store_release(&ring->ctrl->head, ring->head);
	edgeai_publish_done(ring, pub, flags);
	ret = 0;
out_unlock:
	mutex_unlock(&ring->publish_lock);
	return ret;
}

void edgeai_ring_fill_offsets(const struct edgeai_ring *ring,
			      struct edgeai_ring_offsets *off)
{
	memset(off, 0, sizeof(*off));
	off->ctrl_head = offsetof(struct edgeai_ctrl_page, head);
	off->ctrl_tail_floor = offsetof(struct edgeai_ctrl_page, tail_floor);
	off->ctrl_flags = offsetof(struct edgeai_ctrl_page, flags);
	off->cons_tail = offsetof(struct edgeai_cons_page, tail);
	off->slots = 0;
	off->slot_stride = ring->stride;
	off->ctrl_size = PAGE_SIZE;
	off->cons_size = PAGE_SIZE;
	off->slots_size = ring->slots_size;
	if (ring->prod_head)
		off->prod_head = ring->slots_size - PAGE_SIZE;
}

void edgeai_ring_fill_info(struct edgeai_ring *ring,
			   struct edgeai_ring_info *info)
{
	info->ring_id = ring->id;
	info->ring_flags = ring->flags;
	info->slot_count = ring->slot_count;
	info->slot_size = ring->slot_size;
	memcpy(info->name, ring->name, EDGEAI_NAME_LEN);
	info->desc = ring->desc;
	info->refs = kref_read(&ring->ref);
	info->state = READ_ONCE(ring->dead) ? EDGEAI_RING_STATE_DESTROYED :
					      EDGEAI_RING_STATE_LIVE;
	edgeai_ring_fill_offsets(ring, &info->off);
}

void edgeai_ring_fill_stats(struct edgeai_ring *ring,
			    struct edgeai_ring_stats *st)
{
	spin_lock_irq(&ring->lock);
	edgeai_ring_sync_tail(ring);
	edgeai_ring_sync_head(ring);
	st->ring_id = ring->id;
	st->produced = ring->produced;
	st->consumed = ring->consumed;
	st->bytes = ring->bytes;
	memcpy(st->drops, ring->drops, sizeof(st->drops));
	st->in_ring = ring->res_pos - ring->tail;
	st->high_water = ring->high_water;
	st->bad_index = ring->bad_index;
	st->wakeups = ring->wakeups;
	spin_unlock_irq(&ring->lock);
}

/* Attached consumers and producers (in-kernel and userspace). */
void edgeai_ring_users(struct edgeai_ring *ring, u32 *consumers,
		       u32 *producers)
{
	spin_lock_irq(&ring->lock);
	*consumers = ring->consumer ? 1 : 0;
	*producers = ring->producer ? 1 : 0;
	spin_unlock_irq(&ring->lock);
	*producers += atomic_read(&ring->kproducers);
}

/* Counters summed over the registered rings, and the registry's size. */
void edgeai_ring_totals(struct edgeai_totals *t)
{
	struct edgeai_ring_stats st;
	struct edgeai_ring *ring;
	int i;

	memset(t, 0, sizeof(*t));
	mutex_lock(&edgeai_rings_lock);
	t->rings = edgeai_nr_rings;
	list_for_each_entry(ring, &edgeai_rings, node) {
		edgeai_ring_fill_stats(ring, &st);
		t->produced += st.produced;
		t->consumed += st.consumed;
		t->bytes += st.bytes;
		for (i = 0; i < EDGEAI_DROP_MAX; i++)
			t->drops[i] += st.drops[i];
	}
	mutex_unlock(&edgeai_rings_lock);
	t->mem_bytes = atomic_long_read(&edgeai_total_bytes);
}

/* Changes whenever a ring is registered or unregistered; never 0. */
u32 edgeai_ring_generation(void)
{
	return READ_ONCE(edgeai_rings_gen);
}
