// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai: ioctl dispatch. One edgeai_ioctl_<cmd>() per command. Every
 * argument struct starts with a size and is read with
 * copy_struct_from_user(), so older and newer userspace keep working;
 * unknown flags and non-zero reserved fields are refused; what is copied
 * out was zeroed first, so no kernel bytes leak through padding.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/edgeai_netlink.h>

#include "edgeai_internal.h"

/*
 * Read a size-prefixed struct of @ksize bytes (at least @min_size from
 * userspace). Returns the user's size, or a negative errno.
 */
static int edgeai_copy_in(void *karg, size_t ksize, size_t min_size,
			  void __user *uarg)
{
	u32 usize;
	int ret;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < min_size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(karg, ksize, uarg, usize);
	return ret ?: usize;
}

/* Write back min(user size, kernel size) bytes; size says how many. */
static int edgeai_copy_out(void __user *uarg, void *karg, size_t ksize,
			   u32 usize)
{
	u32 n = min_t(u32, usize, ksize);

	*(u32 *)karg = n;
	return copy_to_user(uarg, karg, n) ? -EFAULT : 0;
}

/* Creating and destroying rings: CAP_SYS_ADMIN or the node's group. */
static bool edgeai_may_admin(struct file *file)
{
	return capable(CAP_SYS_ADMIN) || in_group_p(file_inode(file)->i_gid);
}

static int edgeai_ioctl_get_info(void __user *uarg)
{
	struct edgeai_info info;
	int usize;

	usize = edgeai_copy_in(&info, sizeof(info), EDGEAI_INFO_SIZE_VER0,
			       uarg);
	if (usize < 0)
		return usize;
	if (info.flags || info.__pad ||
	    !edgeai_zero(info.reserved, sizeof(info.reserved)))
		return -EINVAL;

	memset(&info, 0, sizeof(info));
	info.abi_version = EDGEAI_ABI_VERSION;
	info.features = EDGEAI_FEATURES;
	strscpy(info.version, EDGEAI_VERSION, sizeof(info.version));
	return edgeai_copy_out(uarg, &info, sizeof(info), usize);
}

static int edgeai_ioctl_ring_create(struct file *file, void __user *uarg)
{
	struct edgeai_ring_create args;
	struct edgeai_ring *ring;
	int usize, ret;

	if (!edgeai_may_admin(file))
		return -EPERM;
	usize = edgeai_copy_in(&args, sizeof(args),
			       EDGEAI_RING_CREATE_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	args.ring_id = 0;
	ring = edgeai_ring_new(&args);
	if (IS_ERR(ring))
		return PTR_ERR(ring);
	args.ring_id = edgeai_ring_id(ring);
	edgeai_ring_unref(ring);		/* the registry keeps it */
	ret = edgeai_copy_out(uarg, &args, sizeof(args), usize);
	/* The caller cannot learn the id: undo, as if it never happened. */
	if (ret)
		edgeai_ring_destroy(args.ring_id, NULL);
	return ret;
}

static int edgeai_attach_role(struct edgeai_ring *ring, struct edgeai_file *ef,
			      u32 role)
{
	int ret = 0;

	spin_lock_irq(&ring->lock);
	if (role == EDGEAI_ROLE_CONSUMER) {
		if (ring->consumer) {
			ret = -EBUSY;
		} else {
			ring->consumer = ef;
			/*
			 * A new consumer starts where the last one stopped;
			 * pairs with the acquire in edgeai_ring_sync_tail().
			 */
			smp_store_release(&ring->cons->tail, ring->tail);
		}
	} else if (role == EDGEAI_ROLE_PRODUCER) {
		if (ring->producer)
			ret = -EBUSY;
		else
			ring->producer = ef;
	}
	spin_unlock_irq(&ring->lock);
	return ret;
}

static int edgeai_ioctl_ring_attach(struct file *file, void __user *uarg)
{
	struct edgeai_file *ef = file->private_data;
	struct edgeai_ring_attach a;
	struct edgeai_ring *ring;
	bool by_name;
	int usize, ret;

	usize = edgeai_copy_in(&a, sizeof(a), EDGEAI_RING_ATTACH_SIZE_VER0,
			       uarg);
	if (usize < 0)
		return usize;
	if (a.flags & ~EDGEAI_ATTACH_FLAGS_ALL || a.__pad ||
	    !edgeai_zero(a.reserved, sizeof(a.reserved)))
		return -EINVAL;
	if (a.role < EDGEAI_ROLE_CONSUMER || a.role > EDGEAI_ROLE_OBSERVER)
		return -EINVAL;
	by_name = a.flags & EDGEAI_ATTACH_F_BY_NAME;
	if (by_name && edgeai_check_name(a.name))
		return -EINVAL;

	mutex_lock(&ef->lock);
	if (ef->ring) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ring = by_name ? edgeai_ring_find(0, a.name) :
			 edgeai_ring_find(a.ring_id, NULL);
	if (IS_ERR(ring)) {
		ret = PTR_ERR(ring);
		goto out_unlock;
	}
	ret = -EINVAL;
	if (a.role == EDGEAI_ROLE_PRODUCER &&
	    !(ring->flags & EDGEAI_RING_F_USER_PRODUCER))
		goto err_put;
	if (a.watermark > ring->slot_count)
		goto err_put;
	ret = edgeai_attach_role(ring, ef, a.role);
	if (ret)
		goto err_put;

	ef->role = a.role;
	ef->watermark = a.watermark ?: 1;
	/* Publish role and watermark with the ring: edgeai_file_ring(). */
	smp_store_release(&ef->ring, ring);
	mutex_unlock(&ef->lock);
	if (a.role == EDGEAI_ROLE_PRODUCER)
		edgeai_nl_producer_event(EDGEAI_CMD_PRODUCER_ATTACHED, ring,
					 EDGEAI_PRODUCER_USER);

	memset(&a, 0, sizeof(a));
	a.ring_id = edgeai_ring_id(ring);
	a.role = ef->role;
	a.watermark = ef->watermark;
	memcpy(a.name, ring->name, sizeof(a.name));
	edgeai_ring_fill_offsets(ring, &a.off);
	return edgeai_copy_out(uarg, &a, sizeof(a), usize);

err_put:
	edgeai_ring_unref(ring);
out_unlock:
	mutex_unlock(&ef->lock);
	return ret;
}

/* The ring @id names, or the attached one for 0; a reference to drop. */
static struct edgeai_ring *edgeai_ring_arg(struct edgeai_file *ef, u32 id)
{
	struct edgeai_ring *ring;

	if (id)
		return edgeai_ring_find(id, NULL);
	ring = edgeai_file_ring(ef);
	if (!ring)
		return ERR_PTR(-ENXIO);
	kref_get(&ring->ref);
	return ring;
}

static int edgeai_ioctl_ring_info(struct file *file, void __user *uarg)
{
	struct edgeai_ring_info info;
	struct edgeai_ring *ring;
	int usize;

	usize = edgeai_copy_in(&info, sizeof(info), EDGEAI_RING_INFO_SIZE_VER0,
			       uarg);
	if (usize < 0)
		return usize;
	if (info.flags & ~EDGEAI_RING_INFO_FLAGS_ALL ||
	    !edgeai_zero(info.reserved, sizeof(info.reserved)))
		return -EINVAL;
	if (info.flags & EDGEAI_RING_INFO_F_NEXT)
		ring = edgeai_ring_find_next(info.ring_id);
	else
		ring = edgeai_ring_arg(file->private_data, info.ring_id);
	if (IS_ERR(ring))
		return PTR_ERR(ring);
	memset(&info, 0, sizeof(info));
	edgeai_ring_fill_info(ring, &info);
	/* Do not count the reference this call took. */
	info.refs--;
	edgeai_ring_unref(ring);
	return edgeai_copy_out(uarg, &info, sizeof(info), usize);
}

static int edgeai_ioctl_ring_stats(struct file *file, void __user *uarg)
{
	struct edgeai_ring_stats st;
	struct edgeai_ring *ring;
	int usize;

	usize = edgeai_copy_in(&st, sizeof(st), EDGEAI_RING_STATS_SIZE_VER0,
			       uarg);
	if (usize < 0)
		return usize;
	if (st.flags || st.__pad ||
	    !edgeai_zero(st.reserved, sizeof(st.reserved)))
		return -EINVAL;
	ring = edgeai_ring_arg(file->private_data, st.ring_id);
	if (IS_ERR(ring))
		return PTR_ERR(ring);
	memset(&st, 0, sizeof(st));
	edgeai_ring_fill_stats(ring, &st);
	edgeai_ring_unref(ring);
	return edgeai_copy_out(uarg, &st, sizeof(st), usize);
}

static int edgeai_ioctl_ring_destroy(struct file *file, void __user *uarg)
{
	struct edgeai_ring_destroy d;
	int usize;

	if (!edgeai_may_admin(file))
		return -EPERM;
	usize = edgeai_copy_in(&d, sizeof(d), EDGEAI_RING_DESTROY_SIZE_VER0,
			       uarg);
	if (usize < 0)
		return usize;
	if (d.flags & ~EDGEAI_DESTROY_FLAGS_ALL || d.__pad ||
	    !edgeai_zero(d.reserved, sizeof(d.reserved)))
		return -EINVAL;
	if (d.flags & EDGEAI_DESTROY_F_BY_NAME) {
		if (edgeai_check_name(d.name))
			return -EINVAL;
		return edgeai_ring_destroy(0, d.name);
	}
	return edgeai_ring_destroy(d.ring_id, NULL);
}

static int edgeai_ioctl_ring_publish(struct file *file, void __user *uarg)
{
	struct edgeai_file *ef = file->private_data;
	struct edgeai_ring *ring = edgeai_file_ring(ef);
	struct edgeai_ring_publish pub;
	int usize, ret;

	if (!ring)
		return -ENXIO;
	if (ef->role != EDGEAI_ROLE_PRODUCER)
		return -EPERM;
	usize = edgeai_copy_in(&pub, sizeof(pub),
			       EDGEAI_RING_PUBLISH_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (pub.flags || pub.__pad ||
	    !edgeai_zero(pub.reserved, sizeof(pub.reserved)))
		return -EINVAL;
	ret = edgeai_ring_publish(ring, &pub);
	if (ret)
		return ret;
	return edgeai_copy_out(uarg, &pub, sizeof(pub), usize);
}

static int edgeai_ioctl_wait_cancel(struct file *file)
{
	struct edgeai_file *ef = file->private_data;
	struct edgeai_ring *ring = edgeai_file_ring(ef);
	bool kick = false;

	if (!ring)
		return -ENXIO;
	spin_lock_irq(&ring->lock);
	if (ef->wait.state == EDGEAI_WAIT_PENDING) {
		edgeai_wait_complete_locked(ring, ef, -ECANCELED);
		kick = true;
	}
	spin_unlock_irq(&ring->lock);
	if (kick)
		edgeai_wait_kick(ef);
	return 0;
}

static int edgeai_ioctl_ring_sync(struct file *file)
{
	struct edgeai_file *ef = file->private_data;
	struct edgeai_ring *ring = edgeai_file_ring(ef);

	if (!ring)
		return -ENXIO;
	if (ef->role != EDGEAI_ROLE_CONSUMER && ef->role != EDGEAI_ROLE_PRODUCER)
		return -EPERM;
	edgeai_ring_sync(ring);
	return 0;
}

long edgeai_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case EDGEAI_IOC_GET_INFO:
		return edgeai_ioctl_get_info(uarg);
	case EDGEAI_IOC_RING_CREATE:
		return edgeai_ioctl_ring_create(file, uarg);
	case EDGEAI_IOC_RING_ATTACH:
		return edgeai_ioctl_ring_attach(file, uarg);
	case EDGEAI_IOC_RING_INFO:
		return edgeai_ioctl_ring_info(file, uarg);
	case EDGEAI_IOC_RING_STATS:
		return edgeai_ioctl_ring_stats(file, uarg);
	case EDGEAI_IOC_RING_DESTROY:
		return edgeai_ioctl_ring_destroy(file, uarg);
	case EDGEAI_IOC_RING_PUBLISH:
		return edgeai_ioctl_ring_publish(file, uarg);
	case EDGEAI_IOC_WAIT_CANCEL:
		return edgeai_ioctl_wait_cancel(file);
	case EDGEAI_IOC_RING_SYNC:
		return edgeai_ioctl_ring_sync(file);
	default:
		return -ENOTTY;
	}
}
