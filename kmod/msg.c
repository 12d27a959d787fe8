// SPDX-License-Identifier: GPL-2.0
/*
 * The IPFIX message builder (RFC 7011): packs many data records into one
 * message no larger than max_msg_size, puts each template in front of the
 * first record that uses it since the templates were last due (every
 * template_refresh, and for each new reader), and hands whole messages to
 * the relay channel. Only templates in use go out: a router of short IPv4
 * flows sends one, not the whole set.
 *
 * When the relay is full (the daemon is slow, stopped or restarting), whole
 * messages wait in the domain's backlog, oldest first, and go out as soon as
 * there is room, before anything newer: nothing is lost and sequence numbers
 * stay in order. Only past backlog_max_kb (all domains together) is a
 * message dropped, and then counted.
 *
 * One builder per observation domain. Only the export pass of that domain
 * touches it (its delayed work, or the namespace's teardown once that work
 * is cancelled), so it needs no locking of its own.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "ctipfix_ipfix.h"
#include "msg.h"
#include "netlink.h"
#include "params.h"
#include "relay.h"
#include "reliability.h"
#include "stats.h"
#include "templates.h"

#define IPFIX_HDR_LEN		CTIPFIX_IPFIX_HDR_LEN
#define IPFIX_SET_HDR_LEN	CTIPFIX_IPFIX_SET_HDR_LEN

/* A finished message waiting for relay room. */
struct ctipfix_pending {
	struct list_head list;
	unsigned int len;
	bool tenant;			/* not the initial namespace's */
	bool report;			/* in-band statistics, not flow records */
	u32 records;
	u64 packets;
	u64 octets;
	u8 data[];
};

/* bytes waiting in every domain's backlog: 64 bits, as the bound can be 4 GiB */
static atomic64_t ctipfix_backlog_bytes = ATOMIC64_INIT(0);
/*
 * ... of which other namespaces' than the initial one: together they may
 * hold half of backlog_max_kb, so that tenants flooding their own flows
 * cannot crowd the host's records out
 */
static atomic64_t ctipfix_tenant_backlog_bytes = ATOMIC64_INIT(0);

/*
 * The smallest max_msg_size that holds any message the builder opens: the
 * header, the longest template alone in its set, a set header and the
 * longest record.
 */
unsigned int ctipfix_msg_min_size(void)
{
	return IPFIX_HDR_LEN + ctipfix_template_max_alone_len() +
	       IPFIX_SET_HDR_LEN + ctipfix_template_max_record_len();
}

void ctipfix_msg_init(struct ctipfix_msg *m, u32 domain, bool domain_knob)
{
	memset(m, 0, sizeof(*m));
	INIT_LIST_HEAD(&m->backlog);
	m->domain = domain;
	m->domain_knob = domain_knob;
}

static void ctipfix_pending_free(struct ctipfix_pending *p)
{
	list_del(&p->list);
	atomic64_sub(p->len, &ctipfix_backlog_bytes);
	if (p->tenant)
		atomic64_sub(p->len, &ctipfix_tenant_backlog_bytes);
	ctipfix_stat_add(CTIPFIX_STAT_BACKLOG_BYTES, -(s64)p->len);
	kfree(p);
}

/*
 * @records flow records of @m's domain that no collector will see: counted
 * here and in the domain's in-band statistics (notSent*TotalCount).
 */
static void ctipfix_msg_lost(struct ctipfix_msg *m, u32 records, u64 packets,
			     u64 octets)
{
	struct ctipfix_domain_stats *st = &m->stats;
	u64 now_ms = div_u64(ktime_get_real_ns(), NSEC_PER_MSEC);

	ctipfix_stat_add(CTIPFIX_STAT_RECORDS_DROPPED, records);
	st->lost_records += records;
	st->lost_packets += packets;
	st->lost_octets += octets;
	if (!st->first_lost_ms)
		st->first_lost_ms = now_ms;
	st->last_lost_ms = now_ms;
}

/*
 * The module-wide counts of a message written into the relay (a domain's,
 * or a report), or dropped.
 */
void ctipfix_msg_count_written(unsigned int len)
{
	ctipfix_stat_inc(CTIPFIX_STAT_MESSAGES_WRITTEN);
	ctipfix_stat_add(CTIPFIX_STAT_BYTES_WRITTEN, len);
}

static void ctipfix_count_dropped(u32 records)
{
	ctipfix_stat_inc(CTIPFIX_STAT_MESSAGES_DROPPED);
	ctipfix_stat_add(CTIPFIX_STAT_RECORDS_DROPPED, records);
}

static void ctipfix_msg_dropped(struct ctipfix_msg *m, u32 records,
				u64 packets, u64 octets)
{
	ctipfix_stat_inc(CTIPFIX_STAT_MESSAGES_DROPPED);
	ctipfix_msg_lost(m, records, packets, octets);
}

static void ctipfix_msg_written(struct ctipfix_msg *m, unsigned int len,
				u32 records)
{
	ctipfix_msg_count_written(len);
	m->stats.messages++;
	m->stats.records += records;
	m->wrote_any = true;
}

/* A waiting message into the relay, if it has room. */
static bool ctipfix_pending_write(struct ctipfix_pending *p)
{
	/* the export time is when the message leaves */
	put_unaligned_be32((u32)ktime_get_real_seconds(), p->data + 4);
	if (p->report)
		return ctipfix_reliability_write(p->data, p->len);
	return ctipfix_relay_write(p->data, p->len);
}

/*
 * Orphans: what a domain left waiting when it stopped being served (its
 * namespace went, or left the scope). Nobody waits for the reader for
 * them: their own work writes them, oldest first, as it makes room, and
 * no domain writes anything before they are out, so a namespace that
 * comes back into the scope cannot overtake its own old messages.
 */
static LIST_HEAD(ctipfix_orphans);
static DEFINE_MUTEX(ctipfix_orphans_lock);
static bool ctipfix_orphans_waiting;	/* the list is not empty */
static void ctipfix_orphans_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(ctipfix_orphans_work, ctipfix_orphans_work_fn);

/* Write orphans while there is room; sets *@wrote. Returns whether all are out. */
static bool ctipfix_orphans_drain(bool *wrote)
{
	struct ctipfix_pending *p, *tmp;
	bool empty;

	if (!READ_ONCE(ctipfix_orphans_waiting))
		return true;
	mutex_lock(&ctipfix_orphans_lock);
	list_for_each_entry_safe(p, tmp, &ctipfix_orphans, list) {
		if (!ctipfix_pending_write(p))
			break;
		if (!p->report)
			ctipfix_msg_count_written(p->len);
		ctipfix_pending_free(p);
		*wrote = true;
	}
	empty = list_empty(&ctipfix_orphans);
	WRITE_ONCE(ctipfix_orphans_waiting, !empty);
	mutex_unlock(&ctipfix_orphans_lock);
	return empty;
}

static void ctipfix_orphans_work_fn(struct work_struct *work)
{
	bool wrote = false;

	if (!ctipfix_orphans_drain(&wrote))
		queue_delayed_work(system_unbound_wq, &ctipfix_orphans_work,
				   msecs_to_jiffies(READ_ONCE(ctipfix_flush_interval_ms)));
	if (wrote)
		ctipfix_genl_notify_data();
}

/* @m's domain is no longer served: its backlog becomes orphans. */
void ctipfix_msg_orphan(struct ctipfix_msg *m)
{
	if (list_empty(&m->backlog))
		return;
	mutex_lock(&ctipfix_orphans_lock);
	list_splice_tail_init(&m->backlog, &ctipfix_orphans);
	WRITE_ONCE(ctipfix_orphans_waiting, true);
	mutex_unlock(&ctipfix_orphans_lock);
	queue_delayed_work(system_unbound_wq, &ctipfix_orphans_work, 0);
}

/*
 * At unload, once no domain is served: write the orphans as a running
 * reader makes room, for as long as @w lets it. Returns the records of
 * those left, lost.
 */
u64 ctipfix_msg_orphans_exit(const struct ctipfix_exit_wait *w)
{
	struct ctipfix_pending *p, *tmp;
	unsigned int stalled = 0;
	u64 lost = 0;
	bool wrote;

	for (;;) {
		wrote = false;
		if (ctipfix_orphans_drain(&wrote))
			break;
		if (wrote) {
			ctipfix_genl_notify_data();
			stalled = 0;
		}
		if (ctipfix_exit_wait_over(w, stalled))
			break;
		msleep(20);
		stalled += 20;
	}
	cancel_delayed_work_sync(&ctipfix_orphans_work);
	list_for_each_entry_safe(p, tmp, &ctipfix_orphans, list) {
		if (!p->report)
			ctipfix_count_dropped(p->records);
		lost += p->records;
		ctipfix_pending_free(p);
	}
	return lost;
}

/*
 * Oldest first: write what waits, the orphans first, as long as the relay
 * has room. Returns whether nothing is left waiting before a new message.
 */
bool ctipfix_msg_drain(struct ctipfix_msg *m)
{
	struct ctipfix_pending *p, *tmp;

	if (!ctipfix_orphans_drain(&m->wrote_any))
		return false;
	list_for_each_entry_safe(p, tmp, &m->backlog, list) {
		if (!ctipfix_pending_write(p))
			return false;
		if (!p->report)
			ctipfix_msg_written(m, p->len, p->records);
		ctipfix_pending_free(p);
	}
	return true;
}

/*
 * A waiting message of @len bytes, @data copied in, charged to the backlog
 * (and to the tenants' half of it for a @tenant) within backlog_max_kb; at
 * the tail of @m's backlog. NULL, and nothing charged, where there is no
 * room. The passes run in process context: up to 64 KiB may sleep.
 */
static struct ctipfix_pending *ctipfix_pending_queue(struct ctipfix_msg *m,
						     const u8 *data,
						     unsigned int len,
						     bool tenant)
{
	s64 limit = (s64)READ_ONCE(ctipfix_backlog_max_kb) * 1024;
	struct ctipfix_pending *p;

	if (tenant &&
	    atomic64_add_return(len, &ctipfix_tenant_backlog_bytes) > limit / 2)
		goto refused_tenant;
	if (atomic64_add_return(len, &ctipfix_backlog_bytes) > limit)
		goto refused;
	p = kmalloc(struct_size(p, data, len), GFP_KERNEL | __GFP_NOWARN);
	if (!p)
		goto refused;
	p->len = len;
	p->tenant = tenant;
	p->report = false;
	p->records = 0;
	p->packets = 0;
	p->octets = 0;
	memcpy(p->data, data, len);
	list_add_tail(&p->list, &m->backlog);
	ctipfix_stat_add(CTIPFIX_STAT_BACKLOG_BYTES, len);
	return p;
refused:
	atomic64_sub(len, &ctipfix_backlog_bytes);
refused_tenant:
	if (tenant)
		atomic64_sub(len, &ctipfix_tenant_backlog_bytes);
	return NULL;
}

/* Keep the open message for later, within backlog_max_kb. */
static bool ctipfix_msg_keep(struct ctipfix_msg *m)
{
	struct ctipfix_pending *p;

	p = ctipfix_pending_queue(m, m->buf, m->len, !m->domain_knob);
	if (!p)
		return false;
	p->records = m->records;
	p->packets = m->packets;
	p->octets = m->octets;
	ctipfix_stat_inc(CTIPFIX_STAT_BACKLOG_QUEUED);
	return true;
}

/* The messages and flow records waiting in @m's backlog. */
void ctipfix_msg_backlog_counts(const struct ctipfix_msg *m, u64 *messages,
				u64 *records)
{
	const struct ctipfix_pending *p;

	list_for_each_entry(p, &m->backlog, list) {
		*messages += !p->report;
		*records += p->records;
	}
}

/*
 * Process context: in-band statistics of @len bytes, to go out after what
 * waits in @m's backlog. They count in the backlog's bound like any
 * message. Returns false, and queues nothing, where there is no room.
 */
bool ctipfix_msg_queue_report(struct ctipfix_msg *m, const u8 *data,
			      unsigned int len)
{
	struct ctipfix_pending *p = ctipfix_pending_queue(m, data, len, false);

	if (p)
		p->report = true;
	return p;
}

/* What still waits when the domain goes is lost: counted. */
void ctipfix_msg_free(struct ctipfix_msg *m)
{
	struct ctipfix_pending *p, *tmp;

	list_for_each_entry_safe(p, tmp, &m->backlog, list) {
		if (!p->report)
			ctipfix_msg_dropped(m, p->records, p->packets,
					    p->octets);
		ctipfix_pending_free(p);
	}
	kvfree(m->buf);
	m->buf = NULL;
	m->size = 0;
}

/*
 * Process context, before a pass: make room for a message of today's size.
 * 0: @m has a buffer, of that size or holding the open message.
 */
int ctipfix_msg_prepare(struct ctipfix_msg *m)
{
	unsigned int want = READ_ONCE(ctipfix_max_msg_size);
	u8 *buf;

	if (m->size >= want || m->len)
		return 0;
	buf = kvmalloc(want, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	kvfree(m->buf);
	m->buf = buf;
	m->size = want;
	return 0;
}

bool ctipfix_refresh_due(const struct ctipfix_refresh *r)
{
	unsigned long refresh = READ_ONCE(ctipfix_template_refresh) * HZ;

	return !r->ever || time_after_eq(jiffies, r->at + refresh) ||
	       r->epoch != ctipfix_relay_reader_epoch();
}

void ctipfix_refresh_begin(struct ctipfix_refresh *r)
{
	r->ever = true;
	r->at = jiffies;
	r->epoch = ctipfix_relay_reader_epoch();
}

/* Every template goes again, before the next record that uses it. */
static void ctipfix_templates_refresh(struct ctipfix_msg *m)
{
	bitmap_zero(m->sent_templates, CTIPFIX_MAX_TEMPLATES);
	ctipfix_refresh_begin(&m->templates);
}

static bool ctipfix_msg_has_template(const struct ctipfix_msg *m,
				     unsigned int index)
{
	return test_bit(index, m->sent_templates) ||
	       test_bit(index, m->open_templates);
}

static void ctipfix_set_close(struct ctipfix_msg *m)
{
	if (m->set_start)
		put_unaligned_be16(m->len - m->set_start,
				   m->buf + m->set_start + 2);
	m->set_start = 0;
	m->set_id = 0;
}

static void ctipfix_set_open(struct ctipfix_msg *m, u16 set_id)
{
	ctipfix_set_close(m);
	m->set_start = m->len;
	m->set_id = set_id;
	put_unaligned_be16(set_id, m->buf + m->len);
	m->len += IPFIX_SET_HDR_LEN;
}

/* @tmpl, in a template set of its own, before the data that uses it. */
static void ctipfix_put_template(struct ctipfix_msg *m,
				 const struct ctipfix_template *tmpl)
{
	ctipfix_set_close(m);
	ctipfix_template_alone_put(tmpl, m->buf + m->len);
	m->len += ctipfix_template_alone_len(tmpl);
	__set_bit(ctipfix_template_index(tmpl), m->open_templates);
}

static void ctipfix_msg_open(struct ctipfix_msg *m)
{
	m->limit = min(READ_ONCE(ctipfix_max_msg_size), m->size);
	m->opened = jiffies;
	m->len = IPFIX_HDR_LEN;
	m->records = 0;
	m->packets = 0;
	m->octets = 0;
	bitmap_zero(m->open_templates, CTIPFIX_MAX_TEMPLATES);
	if (m->domain_knob)
		m->domain = READ_ONCE(ctipfix_observation_domain);
	if (ctipfix_refresh_due(&m->templates))
		ctipfix_templates_refresh(m);
}

/*
 * Write the open message out, or keep it until there is room. Its records
 * count against the sequence number even if it is dropped, so that a
 * collector sees the gap that the drop counters explain.
 */
void ctipfix_msg_flush(struct ctipfix_msg *m)
{
	bool kept;

	if (!m->len)
		return;
	ctipfix_set_close(m);
	put_unaligned_be16(CTIPFIX_IPFIX_VERSION, m->buf);
	put_unaligned_be16(m->len, m->buf + 2);
	put_unaligned_be32((u32)ktime_get_real_seconds(), m->buf + 4);
	put_unaligned_be32(m->sequence, m->buf + 8);
	put_unaligned_be32(m->domain, m->buf + 12);

	if (ctipfix_msg_drain(m) && ctipfix_relay_write(m->buf, m->len)) {
		ctipfix_msg_written(m, m->len, m->records);
		kept = true;
	} else {
		kept = ctipfix_msg_keep(m);
	}
	/* a dropped message's templates go again in the next */
	if (kept && !bitmap_empty(m->open_templates, CTIPFIX_MAX_TEMPLATES)) {
		ctipfix_stat_inc(CTIPFIX_STAT_TEMPLATES_SENT);
		bitmap_or(m->sent_templates, m->sent_templates,
			  m->open_templates, CTIPFIX_MAX_TEMPLATES);
	}
	if (!kept)
		ctipfix_msg_dropped(m, m->records, m->packets, m->octets);
	m->sequence += m->records;
	m->len = 0;
}

/*
 * Does a record of @tmpl, @need bytes, fit the open message: with the
 * template in front if the message is to carry it, and a set header if its
 * set is not open?
 */
static bool ctipfix_msg_fits(const struct ctipfix_msg *m,
			     const struct ctipfix_template *tmpl,
			     unsigned int need)
{
	if (!ctipfix_msg_has_template(m, ctipfix_template_index(tmpl)))
		need += ctipfix_template_alone_len(tmpl) + IPFIX_SET_HDR_LEN;
	else if (m->set_id != ctipfix_template_id(tmpl))
		need += IPFIX_SET_HDR_LEN;
	return m->len + need <= m->limit;
}

/*
 * @records flow records that will not be sent (no buffer, no room, a flow
 * that could not be followed): counted as lost, and in the sequence
 * numbers, so that a collector sees the gap the in-band statistics explain.
 */
void ctipfix_msg_skip(struct ctipfix_msg *m, u32 records, u64 packets,
		      u64 octets)
{
	ctipfix_msg_lost(m, records, packets, octets);
	m->sequence += records;
}

/*
 * Jiffies until the open message has waited flush_interval_ms, when it
 * must go out; 0 if it has, or if none is open.
 */
unsigned long ctipfix_msg_due_in(const struct ctipfix_msg *m)
{
	unsigned long due = m->opened +
		msecs_to_jiffies(READ_ONCE(ctipfix_flush_interval_ms));

	return m->len && time_before(jiffies, due) ? due - jiffies : 0;
}

/*
 * Once a pass is done: the reader is told, once, if anything of @m's went
 * into the relay since it was last told.
 */
void ctipfix_msg_notify(struct ctipfix_msg *m)
{
	if (!m->wrote_any)
		return;
	m->wrote_any = false;
	ctipfix_genl_notify_data();
}

/* Append one data record, starting a new message when this one is full. */
void ctipfix_msg_add(struct ctipfix_msg *m, const struct ctipfix_record *rec)
{
	const struct ctipfix_template *t = ctipfix_template_for(rec);
	u16 id = ctipfix_template_id(t);
	unsigned int need = ctipfix_template_record_len(t);

	if (m->len && !ctipfix_msg_fits(m, t, need))
		ctipfix_msg_flush(m);
	if (!m->len)
		ctipfix_msg_open(m);
	/*
	 * max_msg_size is at least ctipfix_msg_min_size() and the buffer at
	 * least that: a fresh message always has room. Checked all the
	 * same, since a write past the buffer is the one mistake here that
	 * corrupts the kernel's memory.
	 */
	if (!ctipfix_msg_fits(m, t, need)) {
		ctipfix_msg_skip(m, 1, rec->packets + rec->rev_packets,
				 rec->octets + rec->rev_octets);
		return;
	}
	if (!ctipfix_msg_has_template(m, ctipfix_template_index(t)))
		ctipfix_put_template(m, t);
	if (m->set_id != id)
		ctipfix_set_open(m, id);
	ctipfix_template_put_record(t, rec, m->buf + m->len);
	m->len += need;
	m->records++;
	m->packets += rec->packets + rec->rev_packets;
	m->octets += rec->octets + rec->rev_octets;
}
