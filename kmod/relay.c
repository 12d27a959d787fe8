// SPDX-License-Identifier: GPL-2.0
/*
 * The relay channel that carries whole IPFIX messages to userspace:
 * debugfs ctipfix/data0, one global buffer so that messages leave in the
 * order they were written (sequence numbers depend on it), mode 0400,
 * read() + poll() only: debugfs refuses files with .mmap under lockdown.
 *
 * read() takes what it returns out of the channel, so a reader killed
 * between its read() and its send would lose what it held. A reader that
 * says so (an acknowledgment of 0 bytes before its first read) has it
 * kept in the channel until it acknowledges it as passed on: the writer
 * never reuses a sub-buffer from the acknowledged position on, and the next
 * reader to open the file starts there, so what the last one read but
 * never acknowledged is read again. Delivery is then at least once.
 *
 * The file has one reader at a time: a second open() gets -EBUSY. Only
 * a process that holds that open file may acknowledge (-EPERM for any
 * other): the reader, or a child it forked (a daemon that detaches after
 * opening), so that no one else can free what the reader has not passed
 * on yet, nor switch it to acknowledged reading behind its back.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/relay.h>
#include <linux/fdtable.h>
#include <linux/kmemleak.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "params.h"
#include "relay.h"
#include "stats.h"

static struct rchan *ctipfix_chan;
static struct dentry *ctipfix_dir;
static const struct file_operations *ctipfix_relay_fops;
/*
 * relay does not serialize writers to a global buffer: we do, and the
 * reader against them, whose position acknowledgments are counted
 * against: relay's read() would otherwise see a sub-buffer switch half
 * done. Writers are the export passes and the namespaces' exits, all in
 * process context.
 */
static DEFINE_MUTEX(ctipfix_relay_lock);
/*
 * Under ctipfix_relay_lock: the file is served from the moment relay_open()
 * has returned until unload begins. relay creates the file before it has
 * reset its buffer and before it returns the channel: a reader that opens
 * it in between (ctipfixd retrying while the module loads) must be told
 * to come back, not given a half-made buffer.
 */
static bool ctipfix_relay_serving;
/* bumped on every open: a new reader needs the templates again */
static atomic_t ctipfix_reader_epoch = ATOMIC_INIT(0);

/* a place in the channel: a sub-buffer, counted as relay counts them */
struct ctipfix_relay_pos {
	size_t subbuf;
	size_t offset;
};

/* The reader that opened the file last; under ctipfix_relay_lock. */
static struct {
	struct ctipfix_relay_pos acked;	/* what it has passed on, up to */
	u64 read;			/* bytes read() since it opened */
	u64 acked_bytes;		/* ... of which it has passed on */
	bool acking;			/* it acknowledges what it passes on */
} ctipfix_reader;

unsigned int ctipfix_relay_reader_epoch(void)
{
	return atomic_read(&ctipfix_reader_epoch);
}

/*
 * The channel's one buffer. Writers, acknowledgments and the unload's
 * drain come only between ctipfix_relay_init() and ctipfix_relay_exit()
 * (main.c's order); a reader's file only while it is served.
 */
static struct rchan_buf *ctipfix_relay_buf(void)
{
	return *per_cpu_ptr(ctipfix_chan->buf, 0);
}

/* Bytes written into the current sub-buffer: none if it was refused. */
static size_t ctipfix_relay_written(struct rchan_buf *buf)
{
	return buf->offset > ctipfix_chan->subbuf_size ? 0 : buf->offset;
}

/*
 * Where the reader is, as far as the writer is concerned: what it has
 * acknowledged if it acknowledges, else what it has read.
 */
static struct ctipfix_relay_pos ctipfix_relay_reader_pos(struct rchan_buf *buf)
{
	struct ctipfix_relay_pos consumed = {
		.subbuf = buf->subbufs_consumed,
		.offset = buf->bytes_consumed,
	};

	return ctipfix_reader.acking ? ctipfix_reader.acked : consumed;
}

/* The oldest sub-buffer the writer must keep. */
static size_t ctipfix_relay_tail(struct rchan_buf *buf)
{
	return ctipfix_relay_reader_pos(buf).subbuf;
}

/*
 * Where the bytes read() returns end in sub-buffer @subbuf: at its
 * padding if it is finished, where the writer is if it is the current one.
 */
static size_t ctipfix_relay_subbuf_end(struct rchan_buf *buf, size_t subbuf)
{
	if (subbuf == buf->subbufs_produced)
		return ctipfix_relay_written(buf);
	return ctipfix_chan->subbuf_size -
	       buf->padding[subbuf % ctipfix_chan->n_subbufs];
}

/*
 * Move @pos @bytes further, over the bytes read() returns. Returns false
 * if that is past what was written.
 */
static bool ctipfix_relay_advance(struct rchan_buf *buf,
				  struct ctipfix_relay_pos *pos, u64 bytes)
{
	size_t end;

	for (;;) {
		end = ctipfix_relay_subbuf_end(buf, pos->subbuf);
		if (bytes < end - pos->offset ||
		    (bytes == end - pos->offset &&
		     pos->subbuf == buf->subbufs_produced)) {
			pos->offset += bytes;
			return true;
		}
		if (pos->subbuf == buf->subbufs_produced)
			return false;
		bytes -= end - pos->offset;
		pos->subbuf++;
		pos->offset = 0;
	}
}

/*
 * A new reader starts where the last acknowledging one's acknowledgments
 * ended, and is taken to acknowledge nothing until it says it will.
 */
static void ctipfix_relay_rewind(struct rchan_buf *buf)
{
	if (ctipfix_reader.acking) {
		buf->subbufs_consumed = ctipfix_reader.acked.subbuf;
		buf->bytes_consumed = ctipfix_reader.acked.offset;
		ctipfix_stat_add(CTIPFIX_STAT_RELAY_REREAD_BYTES,
				 ctipfix_reader.read -
				 ctipfix_reader.acked_bytes);
	}
	ctipfix_reader.acked.subbuf = buf->subbufs_consumed;
	ctipfix_reader.acked.offset = buf->bytes_consumed;
	ctipfix_reader.read = 0;
	ctipfix_reader.acked_bytes = 0;
	ctipfix_reader.acking = false;
}

/* Is the file open? The channel holds one reference, each open file one. */
static bool ctipfix_relay_is_open(struct rchan_buf *buf)
{
	return kref_read(&buf->kref) > 1;
}

/* iterate_fd() callback, under the file table's lock: is it our file? */
static int ctipfix_relay_fd_is_ours(const void *buf, struct file *file,
				    unsigned int fd)
{
	/* relay's open points the file at its buffer */
	return file->private_data == buf;
}

/* Does the calling process hold the open relay file? */
static bool ctipfix_relay_held_by_current(struct rchan_buf *buf)
{
	return ctipfix_relay_is_open(buf) && current->files &&
	       iterate_fd(current->files, 0, ctipfix_relay_fd_is_ours, buf);
}

/*
 * One reader at a time: a second one would take part of the messages, and
 * its acknowledgments and the first one's would count against each other.
 */
static int ctipfix_relay_open(struct inode *inode, struct file *filp)
{
	int err = -EBUSY;

	mutex_lock(&ctipfix_relay_lock);
	if (!ctipfix_relay_serving)
		err = -ENODEV;
	else if (!ctipfix_relay_is_open(ctipfix_relay_buf()))
		err = relay_file_operations.open(inode, filp);
	if (!err)
		ctipfix_relay_rewind(ctipfix_relay_buf());
	mutex_unlock(&ctipfix_relay_lock);
	if (err)
		return err;
	atomic_inc(&ctipfix_reader_epoch);
	return 0;
}

/* The bytes written from @at on, to where the writer is. */
static u64 ctipfix_relay_bytes_from(struct rchan_buf *buf,
				    struct ctipfix_relay_pos at)
{
	u64 n = 0;

	for (; at.subbuf <= buf->subbufs_produced; at.subbuf++, at.offset = 0)
		n += ctipfix_relay_subbuf_end(buf, at.subbuf) - at.offset;
	return n;
}

/*
 * What relay's read() copies first: the rest of the first sub-buffer,
 * from where the reader is, that has any bytes. 0 if none has.
 */
static size_t ctipfix_relay_unread_first(struct rchan_buf *buf)
{
	struct ctipfix_relay_pos at = {
		.subbuf = buf->subbufs_consumed,
		.offset = buf->bytes_consumed,
	};
	size_t n;

	for (; at.subbuf <= buf->subbufs_produced; at.subbuf++, at.offset = 0) {
		n = ctipfix_relay_subbuf_end(buf, at.subbuf) - at.offset;
		if (n)
			return n;
	}
	return 0;
}

/*
 * relay's read(), under our lock and with page faults off: it copies to
 * the reader while it holds the lock the writers take, and a page fault
 * in the reader's buffer (swapped out, FUSE, or left missing on purpose
 * through userfaultfd) would hold every export pass and namespace exit
 * behind it for as long as the fault takes. A copy that meets a missing
 * page stops there, with nothing taken out of the channel for it. Sets
 * @missing to the bytes of the reader's buffer that its first copy needs
 * when it could return nothing although something was there to read.
 */
static ssize_t ctipfix_relay_read_nofault(struct file *filp,
					  char __user *ubuf, size_t count,
					  loff_t *ppos, size_t *missing)
{
	struct rchan_buf *buf = filp->private_data;
	ssize_t n;

	*missing = 0;
	mutex_lock(&ctipfix_relay_lock);
	/* unload has taken what it waits for: the reader should close */
	if (!ctipfix_relay_serving) {
		n = -ENODEV;
	} else {
		pagefault_disable();
		n = relay_file_operations.read(filp, ubuf, count, ppos);
		pagefault_enable();
		if (!n)
			*missing = min(count, ctipfix_relay_unread_first(buf));
	}
	if (n > 0)
		ctipfix_reader.read += n;
	mutex_unlock(&ctipfix_relay_lock);
	return n;
}

/*
 * A read that found the reader's buffer missing brings in, without the
 * lock and without writing into it, the part the first copy needs, and
 * tries once more: a buffer that cannot take it gets -EFAULT, one that
 * went again meanwhile reads 0, as an empty channel does, and the
 * reader's next poll() brings it back here.
 */
static ssize_t ctipfix_relay_read(struct file *filp, char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	size_t missing;
	ssize_t n;

	n = ctipfix_relay_read_nofault(filp, ubuf, count, ppos, &missing);
	if (!missing)
		return n;
	if (fault_in_safe_writeable(ubuf, missing))
		return -EFAULT;
	return ctipfix_relay_read_nofault(filp, ubuf, count, ppos, &missing);
}

/*
 * The reader has passed on the first @bytes it read since it opened the
 * file: the writer may reuse what lies before them. 0 before the first
 * read() asks for acknowledged reading. Returns 0, -EPERM unless the
 * caller holds the open file, -EINVAL for more bytes
 * than were read or fewer than acknowledged already, or -EBUSY when the
 * reader asks for acknowledged reading only after it has read.
 */
int ctipfix_relay_ack(u64 bytes)
{
	struct ctipfix_relay_pos pos;
	struct rchan_buf *buf;
	int err = 0;

	mutex_lock(&ctipfix_relay_lock);
	/* no reader holds a file that is not served */
	buf = ctipfix_relay_serving ? ctipfix_relay_buf() : NULL;
	/* from the last acknowledged byte: the writer kept what follows it */
	pos = ctipfix_reader.acked;
	if (!buf || !ctipfix_relay_held_by_current(buf))
		err = -EPERM;
	else if (bytes > ctipfix_reader.read ||
		 bytes < ctipfix_reader.acked_bytes ||
		 !ctipfix_relay_advance(buf, &pos,
					bytes - ctipfix_reader.acked_bytes))
		err = -EINVAL;
	else if (!ctipfix_reader.acking && ctipfix_reader.read)
		err = -EBUSY;
	if (!err) {
		ctipfix_reader.acked = pos;
		ctipfix_reader.acked_bytes = bytes;
		ctipfix_reader.acking = true;
	}
	mutex_unlock(&ctipfix_relay_lock);
	return err;
}

/* Refuse to start a sub-buffer the reader still needs: count it. */
int ctipfix_relay_subbuf_start(struct rchan_buf *buf)
{
	if (buf->subbufs_produced - ctipfix_relay_tail(buf) >=
	    buf->chan->n_subbufs) {
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

/*
 * The file goes with its directory, which ctipfix_relay_exit() removes
 * before relay_close() (and init, if relay_open() fails): debugfs waits
 * there for a reader still inside read(), which must not hold relay's
 * global mutex meanwhile.
 */
static int ctipfix_remove_buf_file(struct dentry *dentry)
{
	return 0;
}

static const struct rchan_callbacks ctipfix_relay_callbacks = {
	.subbuf_start		= ctipfix_subbuf_start_cb,
	.create_buf_file	= ctipfix_create_buf_file,
	.remove_buf_file	= ctipfix_remove_buf_file,
};

/* Would a write of @len bytes fit, in this sub-buffer or a free next one? */
static bool __ctipfix_relay_has_room(struct rchan_buf *buf, size_t len)
{
	size_t subbuf_size = ctipfix_chan->subbuf_size;

	if (buf->offset <= subbuf_size && buf->offset + len <= subbuf_size)
		return true;
	return buf->subbufs_produced + 1 - ctipfix_relay_tail(buf) <
	       ctipfix_chan->n_subbufs;
}

/*
 * Write one whole message, or nothing: returns whether it was written.
 * The room is reserved, then filled, not relay_write()n: that copies with
 * interrupts off, up to 64 KiB, which PREEMPT_RT cannot afford. Our lock
 * keeps the reader and other writers off the bytes until they are there.
 */
bool ctipfix_relay_write(const void *data, size_t len)
{
	void *slot = NULL;

	mutex_lock(&ctipfix_relay_lock);
	if (__ctipfix_relay_has_room(ctipfix_relay_buf(), len))
		slot = relay_reserve(ctipfix_chan, len);
	if (slot)
		memcpy(slot, data, len);
	else
		ctipfix_stat_inc(CTIPFIX_STAT_RELAY_FULL);
	mutex_unlock(&ctipfix_relay_lock);
	return !!slot;
}

/*
 * The bytes written that the reader has not taken (acknowledged, if it
 * acknowledges); where it is in @pos, and whether it has the file open.
 */
static u64 ctipfix_relay_left(struct ctipfix_relay_pos *pos, bool *reader)
{
	struct rchan_buf *buf = ctipfix_relay_buf();
	u64 left;

	mutex_lock(&ctipfix_relay_lock);
	*pos = ctipfix_relay_reader_pos(buf);
	*reader = ctipfix_relay_is_open(buf);
	left = ctipfix_relay_bytes_from(buf, *pos);
	mutex_unlock(&ctipfix_relay_lock);
	return left;
}

/*
 * At unload, once nothing writes any more: wait while a reader takes the
 * last records, for as long as @w lets it, and not at all when there is
 * none. Returns the bytes no reader took.
 */
u64 ctipfix_relay_drain_wait(const struct ctipfix_exit_wait *w)
{
	struct ctipfix_relay_pos pos, last = { SIZE_MAX, SIZE_MAX };
	unsigned int stalled = 0;
	bool reader;
	u64 left;

	while ((left = ctipfix_relay_left(&pos, &reader))) {
		if (!reader)
			break;
		if (pos.subbuf != last.subbuf || pos.offset != last.offset) {
			last = pos;
			stalled = 0;
		}
		if (ctipfix_exit_wait_over(w, stalled))
			break;
		msleep(20);
		stalled += 20;
	}
	return left;
}

/*
 * relay's own file operations, less .mmap and .splice_read (every read
 * goes through ours), plus our open and read
 */
static int ctipfix_relay_fops_init(void)
{
	struct file_operations *fops;

	fops = kmemdup(&relay_file_operations, sizeof(*fops), GFP_KERNEL);
	if (!fops)
		return -ENOMEM;
	fops->mmap = NULL;
	fops->splice_read = NULL;
	fops->open = ctipfix_relay_open;
	fops->read = ctipfix_relay_read;
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
	mutex_lock(&ctipfix_relay_lock);
	ctipfix_relay_serving = true;
	mutex_unlock(&ctipfix_relay_lock);
	return 0;
}

/*
 * At unload, once reads fail: give the reader up to @ms to close, so that
 * it detaches on our ENODEV rather than on a removed file's EIO.
 */
static void ctipfix_relay_wait_closed(unsigned int ms)
{
	unsigned int waited;
	bool open;

	for (waited = 0;; waited += 20) {
		mutex_lock(&ctipfix_relay_lock);
		open = ctipfix_relay_is_open(ctipfix_relay_buf());
		mutex_unlock(&ctipfix_relay_lock);
		if (!open || waited >= ms)
			return;
		msleep(20);
	}
}

void ctipfix_relay_exit(void)
{
	/* from here an open fails and a read tells the reader to close */
	mutex_lock(&ctipfix_relay_lock);
	ctipfix_relay_serving = false;
	mutex_unlock(&ctipfix_relay_lock);
	/* a running ctipfixd reads (and closes) within its 100 ms poll */
	ctipfix_relay_wait_closed(CTIPFIX_EXIT_CLOSE_MS);
	/*
	 * The file first: debugfs_remove() waits for a reader still inside
	 * read() (bringing in its buffer, say), and relay_close() would
	 * wait for it with relay_channels_mutex held, which CPU hotplug and
	 * every other relay user take. Nothing writes any more, and relay
	 * looks at the file's dentry only when it writes or removes it.
	 */
	debugfs_remove(ctipfix_dir);
	relay_close(ctipfix_chan);
	/*
	 * debugfs calls ->release of a file through these fops, even after
	 * removal, and reads them (fops_put()) after relay's release has
	 * dropped the file's reference: no test here can tell that a release
	 * is done with them. So once any file was opened they are left
	 * behind, a few hundred bytes of relay's own functions and no module
	 * code: a known leftover, not a leak.
	 */
	if (ctipfix_relay_reader_epoch())
		kmemleak_not_leak(ctipfix_relay_fops);
	else
		kfree(ctipfix_relay_fops);
}
