// SPDX-License-Identifier: GPL-2.0
/*
 * In-band statistics (RFC 7011 §4.3, exporting process reliability): every
 * stats_interval seconds, and when a flow domain goes (after the messages
 * it left waiting, which that last report counts), one options record per
 * flow domain that has exported or lost anything tells the collector what
 * was exported and what was lost:
 *
 *   scope observationDomainId (149)	the flow domain reported on
 *   exportedMessageTotalCount (41)	messages written to the relay
 *   exportedFlowRecordTotalCount (42)	flow records in them
 *   notSentFlowTotalCount (166)	flow records dropped
 *   notSentPacketTotalCount (167)	packets they counted
 *   notSentOctetTotalCount (168)	octets they counted
 *   flowStartMilliseconds (152)	first drop (0: none yet)
 *   flowEndMilliseconds (153)		last drop (0: none yet)
 *
 * The records travel in their own observation domain, stats_domain, with
 * their own sequence numbers, so that a collector checking the sequence of
 * a flow domain (nfdump counts flow records only) sees no gap. Each message
 * carries the options template in front: it is small, and a collector that
 * starts late decodes the next report.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "ctipfix_ipfix.h"
#include "msg.h"
#include "params.h"
#include "relay.h"
#include "reliability.h"
#include "stats.h"

#define RELIABILITY_FIELDS	8
#define RELIABILITY_TMPL_LEN	CTIPFIX_OPTIONS_TEMPLATE_LEN(RELIABILITY_FIELDS)
#define RELIABILITY_REC_LEN	(4 + 7 * 8)
#define RELIABILITY_MSG_LEN	(CTIPFIX_IPFIX_HDR_LEN + RELIABILITY_TMPL_LEN + \
				 CTIPFIX_IPFIX_SET_HDR_LEN + RELIABILITY_REC_LEN)

/* the scope first, then the counters: (IE, length on the wire) */
static const struct ctipfix_option_field
ctipfix_reliability_fields[RELIABILITY_FIELDS] = {
	{ CTIPFIX_IE_OBSERVATION_DOMAIN_ID, 4 },
	{ CTIPFIX_IE_EXPORTED_MESSAGE_TOTAL_COUNT, 8 },
	{ CTIPFIX_IE_EXPORTED_FLOW_RECORD_TOTAL_COUNT, 8 },
	{ CTIPFIX_IE_NOT_SENT_FLOW_TOTAL_COUNT, 8 },
	{ CTIPFIX_IE_NOT_SENT_PACKET_TOTAL_COUNT, 8 },
	{ CTIPFIX_IE_NOT_SENT_OCTET_TOTAL_COUNT, 8 },
	{ CTIPFIX_IE_FLOW_START_MILLISECONDS, 8 },
	{ CTIPFIX_IE_FLOW_END_MILLISECONDS, 8 },
};

/* one stats domain for all flow domains: its sequence needs a lock */
static DEFINE_MUTEX(ctipfix_reliability_lock);
static u32 ctipfix_reliability_sequence;

/*
 * An options template set of one template, @id: @n fields (IE, length on
 * the wire), the first @scope of them its scope. Returns where it ends.
 */
u8 *ctipfix_options_template_put(u8 *p, u16 id,
				 const struct ctipfix_option_field *fields,
				 unsigned int n, unsigned int scope)
{
	unsigned int i;

	put_unaligned_be16(CTIPFIX_IPFIX_OPTIONS_TEMPLATE_SET, p);
	put_unaligned_be16(CTIPFIX_OPTIONS_TEMPLATE_LEN(n), p + 2);
	put_unaligned_be16(id, p + 4);
	put_unaligned_be16(n, p + 6);
	put_unaligned_be16(scope, p + 8);
	p += 10;
	for (i = 0; i < n; i++, p += 4) {
		put_unaligned_be16(fields[i].ie, p);
		put_unaligned_be16(fields[i].len, p + 2);
	}
	return p;
}

/* A stats domain message's header; the sequence is set when it is sent. */
void ctipfix_stats_msg_header(u8 *buf, unsigned int len)
{
	put_unaligned_be16(CTIPFIX_IPFIX_VERSION, buf);
	put_unaligned_be16(len, buf + 2);
	put_unaligned_be32((u32)ktime_get_real_seconds(), buf + 4);
	put_unaligned_be32(READ_ONCE(ctipfix_stats_domain), buf + 12);
}

/* @queued: messages and flow records of @m's waiting ahead of the report */
static u8 *ctipfix_put_reliability(u8 *p, const struct ctipfix_msg *m,
				   const struct ctipfix_domain_stats *queued)
{
	const struct ctipfix_domain_stats *st = &m->stats;
	const u64 counts[] = {
		st->messages + queued->messages, st->records + queued->records,
		st->lost_records, st->lost_packets, st->lost_octets,
		st->first_lost_ms, st->last_lost_ms,
	};
	unsigned int i;

	put_unaligned_be16(CTIPFIX_TEMPLATE_ID_RELIABILITY, p);
	put_unaligned_be16(CTIPFIX_IPFIX_SET_HDR_LEN + RELIABILITY_REC_LEN,
			   p + 2);
	put_unaligned_be32(m->domain, p + 4);
	p += 8;
	for (i = 0; i < ARRAY_SIZE(counts); i++, p += 8)
		put_unaligned_be64(counts[i], p);
	return p;
}

/* The report on @m's domain into @buf. */
static void ctipfix_reliability_build(u8 *buf, const struct ctipfix_msg *m,
				      const struct ctipfix_domain_stats *queued)
{
	u8 *p = ctipfix_options_template_put(buf + CTIPFIX_IPFIX_HDR_LEN,
					     CTIPFIX_TEMPLATE_ID_RELIABILITY,
					     ctipfix_reliability_fields,
					     RELIABILITY_FIELDS, 1);

	ctipfix_stats_msg_header(buf, RELIABILITY_MSG_LEN);
	ctipfix_put_reliability(p, m, queued);
}

/*
 * A message of the stats domain, @records data records in it, into the
 * relay with the domain's next sequence number: its messages go out in
 * the order they are written, the queued reports too. Returns whether
 * the relay had room.
 */
bool ctipfix_stats_domain_write(u8 *buf, unsigned int len, u32 records)
{
	bool written;

	mutex_lock(&ctipfix_reliability_lock);
	put_unaligned_be32(ctipfix_reliability_sequence, buf + 8);
	written = ctipfix_relay_write(buf, len);
	if (written) {
		ctipfix_reliability_sequence += records;
		ctipfix_msg_count_written(len);
	}
	mutex_unlock(&ctipfix_reliability_lock);
	return written;
}

/* A report (one record) into the relay; whether the relay had room. */
bool ctipfix_reliability_write(u8 *buf, unsigned int len)
{
	bool written = ctipfix_stats_domain_write(buf, len, 1);

	if (written)
		ctipfix_stat_inc(CTIPFIX_STAT_RELIABILITY_SENT);
	return written;
}

/* Process context: report on @m's domain now. */
void ctipfix_reliability_report(struct ctipfix_msg *m)
{
	static const struct ctipfix_domain_stats none;
	u8 buf[RELIABILITY_MSG_LEN];

	ctipfix_reliability_build(buf, m, &none);
	/* a report that finds no room is simply late: the next one says all */
	if (ctipfix_reliability_write(buf, sizeof(buf)))
		m->wrote_any = true;
	m->stats_sent = jiffies;
}

/*
 * Process context: the last word on a domain that goes. With messages of
 * its own still waiting, no later report would count them, so this one
 * waits behind them, counts them as exported, and goes out after them (or
 * is lost with them, at unload).
 */
void ctipfix_reliability_final(struct ctipfix_msg *m)
{
	struct ctipfix_domain_stats queued = {};
	u8 buf[RELIABILITY_MSG_LEN];

	ctipfix_msg_backlog_counts(m, &queued.messages, &queued.records);
	/* a domain that never exported, queued nor lost anything: silence */
	if (!m->stats.messages && !m->stats.lost_records && !queued.messages)
		return;
	if (!queued.messages) {
		ctipfix_reliability_report(m);
		return;
	}
	ctipfix_reliability_build(buf, m, &queued);
	if (!ctipfix_msg_queue_report(m, buf, sizeof(buf))) {
		ctipfix_reliability_report(m);
		return;
	}
	/*
	 * Counted now: they go out before anything newer of the domain's, or
	 * are lost with this report, and a domain that comes back into the
	 * scope must not report less than it did.
	 */
	m->stats.messages += queued.messages;
	m->stats.records += queued.records;
}

/* Process context, after each pass: report when stats_interval is up. */
void ctipfix_reliability_tick(struct ctipfix_msg *m)
{
	unsigned long interval = READ_ONCE(ctipfix_stats_interval) * HZ;

	if (!m->stats_sent)
		m->stats_sent = jiffies;
	/* a domain that never exported nor lost anything has nothing to say */
	if (!m->stats.messages && !m->stats.lost_records)
		return;
	if (time_after_eq(jiffies, m->stats_sent + interval))
		ctipfix_reliability_report(m);
}
