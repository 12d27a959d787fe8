/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIX_IPFIX_FORMAT_H
#define CTIPFIX_IPFIX_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctipfix_ipfix.h>

/*
 * What a collector is sent. The module writes one stream, biflow; the
 * daemon re-encodes it for each collector that needs another format.
 *
 * biflow    as the module writes it: RFC 5103 records, reduced-size
 *           counters for small flows (the smallest on the wire);
 * standard  the same records with every field at its IANA length (8-byte
 *           counters, flowEndMilliseconds for a duration), plus ipVersion
 *           and flowDirection: for collectors that read reduced-size
 *           fields wrong (nfacctd 1.7) or need those two (ElastiFlow);
 * uniflow   two records per biflow one, initiator first, standard IEs and
 *           lengths only, paired by biflowDirection: for collectors that
 *           ignore RFC 5103's reverse IEs (FastNetMon, goflow2).
 */
enum ipfix_format {
	IPFIX_FORMAT_BIFLOW,
	IPFIX_FORMAT_STANDARD,
	IPFIX_FORMAT_UNIFLOW,
};

/* @name as an operator writes it. Returns 0, or -EINVAL. */
int ipfix_format_parse(const char *name, enum ipfix_format *format);
const char *ipfix_format_name(enum ipfix_format format);

#define IPFIX_FORMAT_MAX_FIELDS		48
#define IPFIX_FORMAT_MAX_DOMAINS	1024
/* messages one module message may become (of 512 bytes or more: 512 KiB) */
#define IPFIX_FORMAT_MAX_MESSAGES	1024

struct ipfix_format_field {
	uint16_t ie;
	uint16_t len;
	uint32_t pen;
};

/* a template as the module defined it */
struct ipfix_format_template {
	uint16_t n_fields;		/* 0: not defined */
	bool options;			/* passed on as it is */
	uint16_t scope;			/* options: scope field count */
	size_t record_len;		/* 0: variable-length, not followed */
	struct ipfix_format_field fields[IPFIX_FORMAT_MAX_FIELDS];
};

/* a domain's sequence numbers: the module's, and this collector's */
struct ipfix_format_domain {
	uint32_t domain;
	bool seen;
	uint32_t next_in;	/* the module's next message, if none is lost */
	uint32_t next_out;	/* the number the next message out carries */
	uint64_t messages;	/* this collector was sent, this session */
	uint64_t records;	/* ... and the flow records in them */
};

/*
 * One collector's transport session in a format other than biflow: its
 * own templates and sequence numbers. A gap in the module's sequence (its
 * lost records, counted) stays a gap of as many records here.
 */
struct ipfix_formatter {
	enum ipfix_format format;
	struct ipfix_format_template templates[CTIPFIX_TEMPLATE_ID_MAX -
					       CTIPFIX_IPFIX_MIN_DATA_SET + 1];
	struct ipfix_format_domain domains[IPFIX_FORMAT_MAX_DOMAINS];
	size_t n_domains;
	/* the message re-encoded last, counted once committed */
	struct {
		struct ipfix_format_domain domain;
		uint64_t in;
		uint64_t out;
		uint64_t unknown;
		bool overflow;
		unsigned int messages;
		/* the data records in each of the messages it became */
		uint32_t records[IPFIX_FORMAT_MAX_MESSAGES];
	} pending;
	long pending_at;		/* its domain's index, -1: none */
	/* what committed messages held (a retry counts once) */
	uint64_t records_in;		/* data records re-encoded */
	uint64_t records_out;		/* ... and the records they became */
	uint64_t unknown;		/* sets skipped: template not known */
	uint64_t overflows;		/* messages that did not fit out */
	uint64_t evicted;		/* domains that lost their numbers */
};

void ipfix_format_init(struct ipfix_formatter *f, enum ipfix_format format);
/* Learn the templates of a template set (the one fetched at attach). */
void ipfix_format_learn(struct ipfix_formatter *f, const uint8_t *set,
			size_t len);
/*
 * Re-encode the module's message @in into messages of at most @max_len
 * bytes each, back to back at @out. Returns their total length (0: none,
 * nothing in @in for this collector). Sequence numbers move on only once
 * ipfix_format_commit() says the result went out (or was given up).
 */
size_t ipfix_format_message(struct ipfix_formatter *f, const uint8_t *in,
			    size_t len, uint8_t *out, size_t room,
			    size_t max_len);
/*
 * The message re-encoded last: its @i-th message out went (or went on an
 * earlier try of the same one, cut the same way). Counted once committed.
 */
void ipfix_format_sent(struct ipfix_formatter *f, unsigned int i);
void ipfix_format_commit(struct ipfix_formatter *f);
/*
 * A new relay reader (the module reloaded, or another daemon wrote): the
 * module's numbers start again, so no gap is read from them.
 */
void ipfix_format_restart(struct ipfix_formatter *f);

#endif
