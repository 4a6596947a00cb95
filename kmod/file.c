// SPDX-License-Identifier: GPL-2.0
/*
 * edgeai: what an open /dev/edgeai can do besides ioctl: mmap the ring it
 * is attached to, poll it with a watermark, and wait for slots through
 * io_uring (IORING_OP_URING_CMD).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io_uring.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/edgeai_netlink.h>

#include "edgeai_internal.h"

static enum hrtimer_restart edgeai_wait_timeout(struct hrtimer *timer);

static int edgeai_open(struct inode *inode, struct file *file)
{
	struct edgeai_file *ef;

	ef = kzalloc(sizeof(*ef), GFP_KERNEL);
	if (!ef)
		return -ENOMEM;
	mutex_init(&ef->lock);
	hrtimer_init(&ef->wait.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	ef->wait.timer.function = edgeai_wait_timeout;
	file->private_data = ef;
	return nonseekable_open(inode, file);
}

static int edgeai_release(struct inode *inode, struct file *file)
{
	struct edgeai_file *ef = file->private_data;
	struct edgeai_ring *ring = ef->ring;
	bool producer = false;

	/* No io_uring wait can be pending: it would hold this file. */
	hrtimer_cancel(&ef->wait.timer);
	if (ring) {
		spin_lock_irq(&ring->lock);
		if (ring->consumer == ef) {
			ring->consumer = NULL;
			ring->wake_at = U64_MAX;
		}
		if (ring->producer == ef) {
			ring->producer = NULL;
			producer = true;
		}
		spin_unlock_irq(&ring->lock);
		if (producer)
			edgeai_nl_producer_event(EDGEAI_CMD_PRODUCER_DETACHED,
						 ring, EDGEAI_PRODUCER_USER);
		edgeai_ring_unref(ring);
	}
	kfree(ef);
	return 0;
}

/* Every VMA holds a ring reference: fork, split and mremap call open. */
static void edgeai_vm_open(struct vm_area_struct *vma)
{
	struct edgeai_ring *ring = vma->vm_private_data;

	kref_get(&ring->ref);
}

static void edgeai_vm_close(struct vm_area_struct *vma)
{
	edgeai_ring_unref(vma->vm_private_data);
}

static const struct vm_operations_struct edgeai_vm_ops = {
	.open	= edgeai_vm_open,
	.close	= edgeai_vm_close,
};

static int edgeai_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct edgeai_file *ef = file->private_data;
	struct edgeai_ring *ring = edgeai_file_ring(ef);
	unsigned long len = vma->vm_end - vma->vm_start;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	bool writable;
	size_t size;
	void *mem;
	int ret;

	if (!ring || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	switch (off) {
	case EDGEAI_OFF_CTRL:
		mem = ring->ctrl;
		size = PAGE_SIZE;
		writable = false;
		break;
	case EDGEAI_OFF_CONS:
		mem = ring->cons;
		size = PAGE_SIZE;
		writable = ef->role == EDGEAI_ROLE_CONSUMER;
		break;
	case EDGEAI_OFF_SLOTS:
		mem = ring->slots;
		size = ring->slots_size;
		writable = ef->role == EDGEAI_ROLE_PRODUCER;
		break;
	default:
		return -EINVAL;
	}
	if (len > size)
		return -EINVAL;
	if (!writable) {
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;
		vma->vm_flags &= ~VM_MAYWRITE;
	}
	/* remap_vmalloc_range() also sets VM_DONTEXPAND: no growing mremap. */
	ret = remap_vmalloc_range(vma, mem, 0);
	if (ret)
		return ret;
	vma->vm_private_data = ring;
	vma->vm_ops = &edgeai_vm_ops;
	kref_get(&ring->ref);
	return 0;
}

static __poll_t edgeai_poll(struct file *file, struct poll_table_struct *pt)
{
	struct edgeai_file *ef = file->private_data;
	struct edgeai_ring *ring = edgeai_file_ring(ef);
	__poll_t mask = 0;
	u64 ready;

	if (!ring)
		return EPOLLERR;
	poll_wait(file, &ring->wq, pt);

	spin_lock_irq(&ring->lock);
	edgeai_ring_sync_tail(ring);
	edgeai_ring_sync_head(ring);
	ready = ring->head - ring->tail;
	switch (ef->role) {
	case EDGEAI_ROLE_CONSUMER:
		if (ready < ef->watermark && !ring->dead) {
			/* USER_HEAD: the producer must wake us; look again */
			edgeai_ring_need_wakeup(ring);
			ready = ring->head - ring->tail;
		}
		if (ready >= ef->watermark) {
			mask |= EPOLLIN | EPOLLRDNORM;
			if (ef->wait.state != EDGEAI_WAIT_PENDING)
				edgeai_ring_woken(ring);
		} else if (!ring->dead) {
			ring->wake_at = ring->tail + ef->watermark;
		}
		break;
	case EDGEAI_ROLE_PRODUCER:
		/*
		 * Room for a batch of @watermark slots, or a wake-up later:
		 * from the consumer's RING_SYNC (ROOM_WAIT) or any read of
		 * its tail. edgeai_ring_room_wait() looks at the tail again.
		 */
		if (edgeai_ring_room(ring, ring->tail) < ef->watermark &&
		    !ring->dead)
			edgeai_ring_room_wait(ring, ef->watermark);
		if (edgeai_ring_room(ring, ring->tail) >= ef->watermark)
			mask |= EPOLLOUT | EPOLLWRNORM;
		break;
	default:
		break;
	}
	/* Like a pipe whose writer is gone: HUP at once, IN while data is left. */
	if (ring->dead) {
		mask |= EPOLLHUP;
		if (ready && ef->role == EDGEAI_ROLE_CONSUMER)
			mask |= EPOLLIN | EPOLLRDNORM;
	}
	spin_unlock_irq(&ring->lock);
	return mask;
}

#ifdef CONFIG_IO_URING
/**
 * edgeai_wait_complete_locked() - claim a pending io_uring wait
 * @ring: the ring, lock held
 * @ef: the consumer's file, whose wait is EDGEAI_WAIT_PENDING
 * @res: the completion result
 *
 * Call edgeai_wait_kick() after dropping the lock.
 */
void edgeai_wait_complete_locked(struct edgeai_ring *ring,
				 struct edgeai_file *ef, int res)
{
	lockdep_assert_held(&ring->lock);
	ef->wait.state = EDGEAI_WAIT_COMPLETING;
	ef->wait.res = res;
}

static void edgeai_wait_tw(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct edgeai_file *ef = cmd->file->private_data;
	struct edgeai_ring *ring = ef->ring;
	int res;

	/* After this no stale timer can fire into the next wait. */
	hrtimer_cancel(&ef->wait.timer);
	spin_lock_irq(&ring->lock);
	res = ef->wait.res;
	ef->wait.cmd = NULL;
	ef->wait.state = EDGEAI_WAIT_IDLE;
	spin_unlock_irq(&ring->lock);
	io_uring_cmd_done(cmd, res, 0, issue_flags);
}

void edgeai_wait_kick(struct edgeai_file *ef)
{
	hrtimer_try_to_cancel(&ef->wait.timer);
	io_uring_cmd_complete_in_task(ef->wait.cmd, edgeai_wait_tw);
}

static enum hrtimer_restart edgeai_wait_timeout(struct hrtimer *timer)
{
	struct edgeai_file *ef = container_of(timer, struct edgeai_file,
					      wait.timer);
	struct edgeai_ring *ring = ef->ring;
	unsigned long flags;
	bool kick = false;

	spin_lock_irqsave(&ring->lock, flags);
	if (ef->wait.state == EDGEAI_WAIT_PENDING) {
		edgeai_wait_complete_locked(ring, ef, -ETIME);
		kick = true;
	}
	spin_unlock_irqrestore(&ring->lock, flags);
	if (kick)
		io_uring_cmd_complete_in_task(ef->wait.cmd, edgeai_wait_tw);
	return HRTIMER_NORESTART;
}

static int edgeai_uring_wait(struct edgeai_file *ef, struct io_uring_cmd *cmd,
			     const struct edgeai_uring_wait *w)
{
	struct edgeai_ring *ring = ef->ring;
	u32 min_ready = w->min_ready ?: 1;
	int ret;

	if (ef->role != EDGEAI_ROLE_CONSUMER)
		return -EINVAL;
	if (w->flags || !w->timeout_ns || w->timeout_ns > EDGEAI_WAIT_MAX_NS ||
	    min_ready > ring->slot_count)
		return -EINVAL;

	spin_lock_irq(&ring->lock);
	edgeai_ring_sync_tail(ring);
	edgeai_ring_sync_head(ring);
	if (ring->head - ring->tail < min_ready && !ring->dead &&
	    ef->wait.state == EDGEAI_WAIT_IDLE)
		edgeai_ring_need_wakeup(ring);
	if (ring->head - ring->tail >= min_ready || ring->dead) {
		ret = ring->head - ring->tail;
	} else if (ef->wait.state != EDGEAI_WAIT_IDLE) {
		ret = -EBUSY;
	} else {
		ef->wait.state = EDGEAI_WAIT_PENDING;
		ef->wait.cmd = cmd;
		ef->wait.min_ready = min_ready;
		hrtimer_start(&ef->wait.timer, ns_to_ktime(w->timeout_ns),
			      HRTIMER_MODE_REL);
		ret = -EIOCBQUEUED;
	}
	spin_unlock_irq(&ring->lock);
	return ret;
}

static int edgeai_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct edgeai_file *ef = cmd->file->private_data;
	struct edgeai_uring_wait w;

	if (!edgeai_file_ring(ef))
		return -ENXIO;
	switch (cmd->cmd_op) {
	case EDGEAI_URING_CMD_WAIT:
		/* sqe->cmd is in the shared SQ ring: read it exactly once. */
		memcpy(&w, cmd->cmd, sizeof(w));
		return edgeai_uring_wait(ef, cmd, &w);
	default:
		return -ENOTTY;
	}
}
#else
void edgeai_wait_complete_locked(struct edgeai_ring *ring,
				 struct edgeai_file *ef, int res)
{
}

void edgeai_wait_kick(struct edgeai_file *ef)
{
}

static enum hrtimer_restart edgeai_wait_timeout(struct hrtimer *timer)
{
	return HRTIMER_NORESTART;
}
#endif

const struct file_operations edgeai_fops = {
	.owner		= THIS_MODULE,
	.open		= edgeai_open,
	.release	= edgeai_release,
	.unlocked_ioctl	= edgeai_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= edgeai_mmap,
	.poll		= edgeai_poll,
#ifdef CONFIG_IO_URING
	.uring_cmd	= edgeai_uring_cmd,
#endif
	.llseek		= no_llseek,
};
