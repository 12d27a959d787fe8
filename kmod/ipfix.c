// SPDX-License-Identifier: GPL-2.0
/*
 * The IPFIX message builder (RFC 7011): packs many data records into one
 * message no larger than max_msg_size, puts the template set in front when
 * templates are due, and hands whole messages to the relay channel.
 *
 * One builder per observation domain. Only the export pass of that domain
 * touches it, under its export_lock, so it needs no locking of its own.
 */
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "ctipfix.h"

#define IPFIX_HDR_LEN		16
#define IPFIX_SET_HDR_LEN	4

void ctipfix_msg_init(struct ctipfix_msg *m, u32 domain, bool domain_knob)
{
	memset(m, 0, sizeof(*m));
	m->domain = domain;
	m->domain_knob = domain_knob;
}

void ctipfix_msg_free(struct ctipfix_msg *m)
{
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
	const struct ctipfix_template *t;
	unsigned int i;

	ctipfix_set_open(m, CTIPFIX_IPFIX_TEMPLATE_SET);
	for (i = 0; (t = ctipfix_template_at(i)); i++) {
		ctipfix_template_put_def(t, m->buf + m->len);
		m->len += ctipfix_template_def_len(t);
	}
	ctipfix_set_close(m);
	m->has_templates = true;
}

static void ctipfix_msg_open(struct ctipfix_msg *m)
{
	m->limit = min(READ_ONCE(ctipfix_max_msg_size), m->size);
	m->len = IPFIX_HDR_LEN;
	m->records = 0;
	m->has_templates = false;
	if (m->domain_knob)
		m->domain = READ_ONCE(ctipfix_observation_domain);
	if (ctipfix_templates_due(m))
		ctipfix_put_templates(m);
}

/*
 * Write the open message out. Its records count against the sequence number
 * even if the relay had no room, so that a collector sees the gap that the
 * drop counters explain.
 */
bool ctipfix_msg_flush(struct ctipfix_msg *m)
{
	bool written;

	if (!m->len)
		return true;
	ctipfix_set_close(m);
	put_unaligned_be16(CTIPFIX_IPFIX_VERSION, m->buf);
	put_unaligned_be16(m->len, m->buf + 2);
	put_unaligned_be32((u32)ktime_get_real_seconds(), m->buf + 4);
	put_unaligned_be32(m->sequence, m->buf + 8);
	put_unaligned_be32(m->domain, m->buf + 12);

	written = ctipfix_relay_write(m->buf, m->len);
	if (written) {
		ctipfix_stat_inc(CTIPFIX_STAT_MESSAGES_WRITTEN);
		ctipfix_stat_add(CTIPFIX_STAT_BYTES_WRITTEN, m->len);
		if (m->has_templates) {
			ctipfix_stat_inc(CTIPFIX_STAT_TEMPLATES_SENT);
			m->templates_ever_sent = true;
			m->templates_sent = jiffies;
			m->template_epoch = ctipfix_relay_reader_epoch();
		}
	} else {
		ctipfix_stat_inc(CTIPFIX_STAT_MESSAGES_DROPPED);
		ctipfix_stat_add(CTIPFIX_STAT_RECORDS_DROPPED, m->records);
	}
	m->sequence += m->records;
	m->len = 0;
	m->wrote_any |= written;
	return written;
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
}
