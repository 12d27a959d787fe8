// SPDX-License-Identifier: GPL-2.0
/*
 * The relay channel that carries whole IPFIX messages to userspace:
 * debugfs ctipfix/data0, one global buffer so that messages leave in the
 * order they were written (sequence numbers depend on it), mode 0400,
 * read() + poll() only: debugfs refuses files with .mmap under lockdown.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/relay.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "ctipfix.h"

static struct rchan *ctipfix_chan;
static struct dentry *ctipfix_dir;
static const struct file_operations *ctipfix_relay_fops;
/* relay does not serialize writers to a global buffer: we do */
static DEFINE_SPINLOCK(ctipfix_relay_lock);
/* bumped on every open: a new reader needs the templates again */
static atomic_t ctipfix_reader_epoch = ATOMIC_INIT(0);

unsigned int ctipfix_relay_reader_epoch(void)
{
	return atomic_read(&ctipfix_reader_epoch);
}

static int ctipfix_relay_open(struct inode *inode, struct file *filp)
{
	int err = relay_file_operations.open(inode, filp);

	if (!err)
		atomic_inc(&ctipfix_reader_epoch);
	return err;
}

/* Refuse to start a sub-buffer the reader has not consumed: count it. */
int ctipfix_subbuf_start(struct rchan_buf *buf)
{
	if (relay_buf_full(buf)) {
		ctipfix_stat_inc(CTIPFIX_STAT_RELAY_FULL);
		return 0;
	}
	return 1;
}

static struct dentry *ctipfix_create_buf_file(const char *filename,
					      struct dentry *parent,
					      umode_t mode,
					      struct rchan_buf *buf,
					      int *is_global)
{
	*is_global = 1;
	return debugfs_create_file(filename, 0400, parent, buf,
				   ctipfix_relay_fops);
}

static int ctipfix_remove_buf_file(struct dentry *dentry)
{
	debugfs_remove(dentry);
	return 0;
}

static const struct rchan_callbacks ctipfix_relay_callbacks = {
	.subbuf_start		= ctipfix_subbuf_start_cb,
	.create_buf_file	= ctipfix_create_buf_file,
	.remove_buf_file	= ctipfix_remove_buf_file,
};

static struct rchan_buf *ctipfix_relay_buf(void)
{
	return *per_cpu_ptr(ctipfix_chan->buf, 0);
}

/* Would a write of @len bytes fit, in this sub-buffer or a free next one? */
static bool __ctipfix_relay_has_room(struct rchan_buf *buf, size_t len)
{
	size_t subbuf_size = ctipfix_chan->subbuf_size;

	if (buf->offset <= subbuf_size && buf->offset + len <= subbuf_size)
		return true;
	return buf->subbufs_produced + 1 - buf->subbufs_consumed <
	       ctipfix_chan->n_subbufs;
}

/* Write one whole message, or nothing: returns whether it was written. */
bool ctipfix_relay_write(const void *data, size_t len)
{
	unsigned long flags;
	bool room;

	spin_lock_irqsave(&ctipfix_relay_lock, flags);
	room = __ctipfix_relay_has_room(ctipfix_relay_buf(), len);
	if (room)
		relay_write(ctipfix_chan, data, len);
	else
		ctipfix_stat_inc(CTIPFIX_STAT_RELAY_FULL);
	spin_unlock_irqrestore(&ctipfix_relay_lock, flags);
	return room;
}

/* Has a reader taken everything written so far? */
static bool ctipfix_relay_drained(void)
{
	struct rchan_buf *buf = ctipfix_relay_buf();
	bool drained;

	spin_lock_irq(&ctipfix_relay_lock);
	drained = buf->subbufs_consumed == buf->subbufs_produced &&
		  buf->bytes_consumed == buf->offset;
	spin_unlock_irq(&ctipfix_relay_lock);
	return drained;
}

/* At unload: give a running reader up to @ms to take the last records. */
void ctipfix_relay_drain_wait(unsigned int ms)
{
	unsigned int waited;

	for (waited = 0; waited < ms && !ctipfix_relay_drained(); waited += 20)
		msleep(20);
}

/* relay's own file operations, less .mmap, plus our open */
static int ctipfix_relay_fops_init(void)
{
	struct file_operations *fops;

	fops = kmemdup(&relay_file_operations, sizeof(*fops), GFP_KERNEL);
	if (!fops)
		return -ENOMEM;
	fops->mmap = NULL;
	fops->open = ctipfix_relay_open;
	ctipfix_relay_fops = fops;
	return 0;
}

int ctipfix_relay_init(void)
{
	int err = ctipfix_relay_fops_init();

	if (err)
		return err;
	ctipfix_dir = debugfs_create_dir(CTIPFIX_RELAY_DIR, NULL);
	if (IS_ERR(ctipfix_dir)) {
		kfree(ctipfix_relay_fops);
		return PTR_ERR(ctipfix_dir);
	}
	ctipfix_chan = relay_open(CTIPFIX_RELAY_BASE, ctipfix_dir,
				  ctipfix_subbuf_size, ctipfix_n_subbufs,
				  &ctipfix_relay_callbacks, NULL);
	if (!ctipfix_chan) {
		debugfs_remove(ctipfix_dir);
		kfree(ctipfix_relay_fops);
		return -ENOMEM;
	}
	return 0;
}

void ctipfix_relay_exit(void)
{
	/* the channel holds one reference; each open file one more */
	bool readers = kref_read(&ctipfix_relay_buf()->kref) > 1;

	relay_close(ctipfix_chan);
	debugfs_remove(ctipfix_dir);
	/*
	 * debugfs calls ->release of a file still open after removal through
	 * these fops, so they must outlive such a file: then they are left
	 * behind (a few hundred bytes, relay's own functions, no module code).
	 */
	if (!readers)
		kfree(ctipfix_relay_fops);
}
