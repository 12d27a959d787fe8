// SPDX-License-Identifier: GPL-2.0
/*
 * The IPFIX message builder (RFC 7011): packs many data records into one
 * message no larger than max_msg_size, puts the template set in front when
 * templates are due, and hands whole messages to the relay channel.
 *
 * When the relay is full (the daemon is slow, stopped or restarting), whole
 * messages wait in the domain's backlog, oldest first, and go out as soon as
 * there is room, before anything newer: nothing is lost and sequence numbers
 * stay in order. Only past backlog_max_kb (all domains together) is a
 * message dropped, and then counted.
 *
 * One builder per observation domain. Only the export pass of that domain
 * touches it, under its export_lock, so it needs no locking of its own.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "ctipfix.h"

#define IPFIX_HDR_LEN		CTIPFIX_IPFIX_HDR_LEN
#define IPFIX_SET_HDR_LEN	CTIPFIX_IPFIX_SET_HDR_LEN

/* A finished message waiting for relay room. */
struct ctipfix_pending {
	struct list_head list;
	unsigned int len;
	u32 records;
	u64 packets;
	u64 octets;
	u8 data[];
};

/* bytes waiting in every domain's backlog */
static atomic_long_t ctipfix_backlog_bytes = ATOMIC_LONG_INIT(0);

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
	atomic_long_sub(p->len, &ctipfix_backlog_bytes);
	ctipfix_stat_add(CTIPFIX_STAT_BACKLOG_BYTES, -(s64)p->len);
	kfree(p);
}

static void ctipfix_msg_dropped(struct ctipfix_msg *m, u32 records,
				u64 packets, u64 octets)
{
	struct ctipfix_domain_stats *st = &m->stats;
	u64 now_ms = div_u64(ktime_get_real_ns(), NSEC_PER_MSEC);

	ctipfix_stat_inc(CTIPFIX_STAT_MESSAGES_DROPPED);
	ctipfix_stat_add(CTIPFIX_STAT_RECORDS_DROPPED, records);
	st->lost_records += records;
	st->lost_packets += packets;
	st->lost_octets += octets;
	if (!st->first_lost_ms)
		st->first_lost_ms = now_ms;
	st->last_lost_ms = now_ms;
}

static void ctipfix_msg_written(struct ctipfix_msg *m, unsigned int len,
				u32 records)
{
	ctipfix_stat_inc(CTIPFIX_STAT_MESSAGES_WRITTEN);
	ctipfix_stat_add(CTIPFIX_STAT_BYTES_WRITTEN, len);
	m->stats.messages++;
	m->stats.records += records;
	m->wrote_any = true;
}

/* Oldest first: write what waits, as long as the relay has room. */
void ctipfix_msg_drain(struct ctipfix_msg *m)
{
	struct ctipfix_pending *p, *tmp;

	list_for_each_entry_safe(p, tmp, &m->backlog, list) {
		/* the export time is when the message leaves */
		put_unaligned_be32((u32)ktime_get_real_seconds(), p->data + 4);
		if (!ctipfix_relay_write(p->data, p->len))
			return;
		ctipfix_msg_written(m, p->len, p->records);
		ctipfix_pending_free(p);
	}
}

/* At exit: give a reader up to @ms to make room for the backlog. */
void ctipfix_msg_drain_wait(struct ctipfix_msg *m, unsigned int ms)
{
	unsigned int waited;

	for (waited = 0; !list_empty(&m->backlog) && waited < ms; waited += 20) {
		ctipfix_msg_drain(m);
		if (m->wrote_any) {
			m->wrote_any = false;
			ctipfix_genl_notify_data();
		}
		if (!list_empty(&m->backlog))
			msleep(20);
	}
}

/* Keep the open message for later, within backlog_max_kb. */
static bool ctipfix_msg_keep(struct ctipfix_msg *m)
{
	long limit = (long)READ_ONCE(ctipfix_backlog_max_kb) * 1024;
	struct ctipfix_pending *p;

	if (atomic_long_add_return(m->len, &ctipfix_backlog_bytes) > limit)
		goto refused;
	p = kmalloc(struct_size(p, data, m->len), GFP_ATOMIC | __GFP_NOWARN);
	if (!p)
		goto refused;
	p->len = m->len;
	p->records = m->records;
	p->packets = m->packets;
	p->octets = m->octets;
	memcpy(p->data, m->buf, m->len);
	list_add_tail(&p->list, &m->backlog);
	ctipfix_stat_inc(CTIPFIX_STAT_BACKLOG_QUEUED);
	ctipfix_stat_add(CTIPFIX_STAT_BACKLOG_BYTES, m->len);
	return true;
refused:
	atomic_long_sub(m->len, &ctipfix_backlog_bytes);
	return false;
}

/* What still waits when the domain goes is lost: counted. */
void ctipfix_msg_free(struct ctipfix_msg *m)
{
	struct ctipfix_pending *p, *tmp;

	list_for_each_entry_safe(p, tmp, &m->backlog, list) {
		ctipfix_msg_dropped(m, p->records, p->packets, p->octets);
		ctipfix_pending_free(p);
	}
	kvfree(m->buf);
	m->buf = NULL;
	m->size = 0;
}

/* Process context, before a pass: make room for a message of today's size. */
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

static bool ctipfix_templates_due(const struct ctipfix_msg *m)
{
	unsigned long refresh = READ_ONCE(ctipfix_template_refresh) * HZ;

	return !m->templates_ever_sent ||
	       time_after_eq(jiffies, m->templates_sent + refresh) ||
	       m->template_epoch != ctipfix_relay_reader_epoch();
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

static void ctipfix_put_templates(struct ctipfix_msg *m)
{
	ctipfix_set_close(m);
	ctipfix_template_set_put(m->buf + m->len);
	m->len += ctipfix_template_set_len();
	m->has_templates = true;
}

static void ctipfix_msg_open(struct ctipfix_msg *m)
{
	m->limit = min(READ_ONCE(ctipfix_max_msg_size), m->size);
	m->len = IPFIX_HDR_LEN;
	m->records = 0;
	m->packets = 0;
	m->octets = 0;
	m->has_templates = false;
	if (m->domain_knob)
		m->domain = READ_ONCE(ctipfix_observation_domain);
	if (ctipfix_templates_due(m))
		ctipfix_put_templates(m);
}

/*
 * Write the open message out, or keep it until there is room. Its records
 * count against the sequence number even if it is dropped, so that a
 * collector sees the gap that the drop counters explain.
 */
bool ctipfix_msg_flush(struct ctipfix_msg *m)
{
	bool kept;

	if (!m->len)
		return true;
	ctipfix_set_close(m);
	put_unaligned_be16(CTIPFIX_IPFIX_VERSION, m->buf);
	put_unaligned_be16(m->len, m->buf + 2);
	put_unaligned_be32((u32)ktime_get_real_seconds(), m->buf + 4);
	put_unaligned_be32(m->sequence, m->buf + 8);
	put_unaligned_be32(m->domain, m->buf + 12);

	ctipfix_msg_drain(m);
	if (list_empty(&m->backlog) && ctipfix_relay_write(m->buf, m->len)) {
		ctipfix_msg_written(m, m->len, m->records);
		kept = true;
	} else {
		kept = ctipfix_msg_keep(m);
	}
	if (kept && m->has_templates) {
		ctipfix_stat_inc(CTIPFIX_STAT_TEMPLATES_SENT);
		m->templates_ever_sent = true;
		m->templates_sent = jiffies;
		m->template_epoch = ctipfix_relay_reader_epoch();
	}
	if (!kept)
		ctipfix_msg_dropped(m, m->records, m->packets, m->octets);
	m->sequence += m->records;
	m->len = 0;
	return kept;
}

/* Append one data record, starting a new message when this one is full. */
void ctipfix_msg_add(struct ctipfix_msg *m, const struct ctipfix_record *rec)
{
	const struct ctipfix_template *t = ctipfix_template_for(rec);
	u16 id = ctipfix_template_id(t);
	unsigned int need = ctipfix_template_record_len(t);

	if (m->len && m->len + need +
	    (m->set_id == id ? 0 : IPFIX_SET_HDR_LEN) > m->limit)
		ctipfix_msg_flush(m);
	if (!m->len)
		ctipfix_msg_open(m);
	if (m->set_id != id)
		ctipfix_set_open(m, id);
	ctipfix_template_put_record(t, rec, m->buf + m->len);
	m->len += need;
	m->records++;
	m->packets += rec->packets + rec->rev_packets;
	m->octets += rec->octets + rec->rev_octets;
}
