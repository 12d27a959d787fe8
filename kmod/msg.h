/* SPDX-License-Identifier: GPL-2.0 */
/* ctipfix: the IPFIX message builder, one per observation domain (msg.c). */
#ifndef _CTIPFIX_MSG_H
#define _CTIPFIX_MSG_H

#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/types.h>

#include "templates.h"

struct ctipfix_exit_wait;

/* What a domain exported and lost, for the in-band statistics. */
struct ctipfix_domain_stats {
	u64 messages;			/* written to the relay */
	u64 records;			/* flow records in them */
	u64 lost_records;		/* dropped: no room anywhere */
	u64 lost_packets;		/* counted by the records dropped */
	u64 lost_octets;
	u64 first_lost_ms;		/* wall clock, 0 if none */
	u64 last_lost_ms;
};

/*
 * What each reader must have whole, sent again every template_refresh
 * seconds and to each new reader: the templates, the interface names.
 */
struct ctipfix_refresh {
	bool ever;			/* a refresh began */
	unsigned int epoch;		/* reader opens seen at the refresh */
	unsigned long at;		/* jiffies, of the refresh */
};

bool ctipfix_refresh_due(const struct ctipfix_refresh *r);
void ctipfix_refresh_begin(struct ctipfix_refresh *r);

struct ctipfix_msg {
	struct list_head backlog;	/* finished, waiting for relay room */
	u8 *buf;
	unsigned int size;		/* allocated */
	unsigned int limit;		/* max_msg_size when the message began */
	unsigned int len;		/* 0: no message open */
	unsigned int set_start;		/* offset of the open set, or 0 */
	u16 set_id;
	bool domain_knob;		/* domain follows observation_domain */
	struct ctipfix_refresh templates;
	/*
	 * Templates by ctipfix_template_index(): those the open message
	 * carries, and those messages kept since the refresh (written, or
	 * waiting in the backlog) carried, which need not go again
	 */
	DECLARE_BITMAP(open_templates, CTIPFIX_MAX_TEMPLATES);
	DECLARE_BITMAP(sent_templates, CTIPFIX_MAX_TEMPLATES);
	bool wrote_any;			/* since ctipfix_msg_notify() */
	u32 records;			/* data records in the open message */
	u64 packets;			/* ... and the packets they count */
	u64 octets;
	u32 sequence;			/* data records before this message */
	u32 domain;
	unsigned long opened;		/* jiffies, of the open message */
	struct ctipfix_domain_stats stats;
	unsigned long stats_sent;	/* jiffies, 0 before the first pass */
};

unsigned int ctipfix_msg_min_size(void);
void ctipfix_msg_count_written(unsigned int len);
void ctipfix_msg_init(struct ctipfix_msg *m, u32 domain, bool domain_knob);
void ctipfix_msg_free(struct ctipfix_msg *m);
void ctipfix_msg_backlog_counts(const struct ctipfix_msg *m, u64 *messages,
				u64 *records);
bool ctipfix_msg_queue_report(struct ctipfix_msg *m, const u8 *data,
			      unsigned int len);
int ctipfix_msg_prepare(struct ctipfix_msg *m);
void ctipfix_msg_add(struct ctipfix_msg *m, const struct ctipfix_record *rec);
void ctipfix_msg_skip(struct ctipfix_msg *m, u32 records, u64 packets,
		      u64 octets);
void ctipfix_msg_flush(struct ctipfix_msg *m);
unsigned long ctipfix_msg_due_in(const struct ctipfix_msg *m);
void ctipfix_msg_notify(struct ctipfix_msg *m);
bool ctipfix_msg_drain(struct ctipfix_msg *m);
void ctipfix_msg_orphan(struct ctipfix_msg *m);
u64 ctipfix_msg_orphans_exit(const struct ctipfix_exit_wait *w);

/* Is a message open, waiting for more records? */
static inline bool ctipfix_msg_is_open(const struct ctipfix_msg *m)
{
	return m->len != 0;
}

#endif /* _CTIPFIX_MSG_H */
