/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctipfix: an exported record, decoupled from conntrack, and the IPFIX
 * templates that carry it (templates.c). Types only from the uapi: the
 * unit tests build templates.c in userspace.
 */
#ifndef _CTIPFIX_TEMPLATES_H
#define _CTIPFIX_TEMPLATES_H

#include <linux/netfilter.h>
#include <linux/types.h>

#include "ctipfix_ipfix.h"

/*
 * As many templates as there are ids for them: the rules make fewer than
 * every combination, which ctipfix_templates_init() checks.
 */
#define CTIPFIX_MAX_TEMPLATES	(CTIPFIX_TEMPLATE_ID_MAX + 1 -		\
				 CTIPFIX_TEMPLATE_ID_FLOWS)

struct ctipfix_record {
	union nf_inet_addr saddr;
	union nf_inet_addr daddr;
	/* the original direction as it left the router: set if @nat */
	union nf_inet_addr post_saddr;
	union nf_inet_addr post_daddr;
	/* the gateway of its route, where @routed (route.c) */
	union nf_inet_addr nexthop;
	u64 octets;
	u64 packets;
	u64 rev_octets;
	u64 rev_packets;
	u64 start_ms;
	u64 end_ms;
	u64 duration_ms;		/* end_ms - start_ms */
	u32 ifindex_in;
	u32 ifindex_out;
	u32 zone;			/* conntrack zone id, 0 by default */
	u16 sport;
	u16 dport;
	u16 icmp_type_code;
	u16 post_sport;
	u16 post_dport;
	u16 vlan;			/* first packet's 802.1Q id, 0: none */
	u8 protocol;
	u8 tcp_flags;			/* original direction: tcp_flags.h */
	u8 tos;				/* first packet's, original direction */
	u8 end_reason;
	u8 family;			/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	bool nat;			/* conntrack translated the flow */
	bool routed;			/* through a gateway: @nexthop */
	bool ifaces;			/* @ifindex_in and _out are known */
};

struct ctipfix_template;
/*
 * Makes the templates, before any other call but the two max_*_len().
 * Returns 0, or -E2BIG if the rules make more than a message can note.
 */
int ctipfix_templates_init(void);
const struct ctipfix_template *ctipfix_template_for(const struct ctipfix_record *rec);
u16 ctipfix_template_id(const struct ctipfix_template *tmpl);
unsigned int ctipfix_template_record_len(const struct ctipfix_template *tmpl);
unsigned int ctipfix_template_max_record_len(void);
/* each template's place, below CTIPFIX_MAX_TEMPLATES: a bit in a bitmap */
unsigned int ctipfix_template_index(const struct ctipfix_template *tmpl);
/* one template alone in a template set: its length, and writing it */
unsigned int ctipfix_template_alone_len(const struct ctipfix_template *tmpl);
unsigned int ctipfix_template_max_alone_len(void);
void ctipfix_template_alone_put(const struct ctipfix_template *tmpl, u8 *p);
/* every template in one template set */
unsigned int ctipfix_template_set_len(void);
void ctipfix_template_set_put(u8 *p);
void ctipfix_template_put_record(const struct ctipfix_template *tmpl,
				 const struct ctipfix_record *rec, u8 *p);

#endif /* _CTIPFIX_TEMPLATES_H */
