// SPDX-License-Identifier: GPL-2.0
/*
 * IPFIX templates as tables of Information Elements, and the rules that
 * make the family of templates out of them. Each field says which IE it
 * is, how many bytes it takes on the wire and where its value lives in
 * struct ctipfix_record; adding an IE is one line here.
 *
 * A template is one of three sizes, for one address family, with some of
 * the optional groups of fields. Each record goes out in the smallest
 * template its values fit (RFC 7011 §6.2 reduced-size encoding): a short
 * flow such as a DNS exchange fits a tiny or compact template, with 1- and
 * 2-byte counters and its duration in place of the end time: 30 or 32
 * bytes for IPv4 where the full template takes 73. (flowStart/End-
 * DeltaMicroseconds would be smaller still, but nfdump 1.7 decodes them
 * wrong.) A group is in a compact template only for the records that need
 * it, so a DNS exchange pays for no class of service, TCP bits, NAT or
 * zone; the full templates carry all but NAT whatever the record, but
 * for a flow adopted alive, whose first packet (its interfaces, class of
 * service and VLAN) is unknown: its full template leaves those out.
 */
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "ctipfix_ipfix.h"
#include "templates.h"

enum ctipfix_field_kind {
	CTIPFIX_BYTES,		/* copied as stored (addresses) */
	CTIPFIX_U8,
	CTIPFIX_U16,
	CTIPFIX_U32,
	CTIPFIX_U64,
};

struct ctipfix_field {
	u16 ie;
	u16 len;		/* on the wire; may be less than the value's */
	u32 pen;		/* enterprise number, 0 for IANA */
	u16 offset;		/* in struct ctipfix_record */
	u8 kind;
};

#define F(_ie, _len, _member, _kind) {					\
	.ie = CTIPFIX_IE_##_ie, .len = _len,				\
	.offset = offsetof(struct ctipfix_record, _member),		\
	.kind = CTIPFIX_##_kind }
#define R(_ie, _len, _member, _kind) {					\
	.ie = CTIPFIX_IE_##_ie, .len = _len,				\
	.pen = CTIPFIX_IPFIX_REVERSE_PEN,				\
	.offset = offsetof(struct ctipfix_record, _member),		\
	.kind = CTIPFIX_##_kind }

/* the addresses; the full templates take the ICMP type too */
static const struct ctipfix_field ctipfix_ipv4_fields[] = {
	F(SOURCE_IPV4_ADDRESS, 4, saddr.ip, BYTES),
	F(DESTINATION_IPV4_ADDRESS, 4, daddr.ip, BYTES),
	F(ICMP_TYPE_CODE_IPV4, 2, icmp_type_code, U16),
};

static const struct ctipfix_field ctipfix_ipv6_fields[] = {
	F(SOURCE_IPV6_ADDRESS, 16, saddr.ip6, BYTES),
	F(DESTINATION_IPV6_ADDRESS, 16, daddr.ip6, BYTES),
	F(ICMP_TYPE_CODE_IPV6, 2, icmp_type_code, U16),
};

#define CTIPFIX_N_ADDRESSES	2
#define CTIPFIX_N_ADDRESSES_ICMP 3
static_assert(ARRAY_SIZE(ctipfix_ipv4_fields) == CTIPFIX_N_ADDRESSES_ICMP);
static_assert(ARRAY_SIZE(ctipfix_ipv6_fields) == CTIPFIX_N_ADDRESSES_ICMP);

static const struct ctipfix_field ctipfix_full_fields[] = {
	F(SOURCE_TRANSPORT_PORT, 2, sport, U16),
	F(DESTINATION_TRANSPORT_PORT, 2, dport, U16),
	F(PROTOCOL_IDENTIFIER, 1, protocol, U8),
	F(OCTET_DELTA_COUNT, 8, octets, U64),
	F(PACKET_DELTA_COUNT, 8, packets, U64),
	R(OCTET_DELTA_COUNT, 8, rev_octets, U64),
	R(PACKET_DELTA_COUNT, 8, rev_packets, U64),
	F(FLOW_START_MILLISECONDS, 8, start_ms, U64),
	F(FLOW_END_MILLISECONDS, 8, end_ms, U64),
	F(FLOW_END_REASON, 1, end_reason, U8),
};

/*
 * The same facts for records whose values are small: reduced-size counters,
 * the duration instead of the end time. The tiny templates narrow the octet
 * counts further, for exchanges under 256 octets each way.
 */
static const struct ctipfix_field ctipfix_compact_fields[] = {
	F(SOURCE_TRANSPORT_PORT, 2, sport, U16),
	F(DESTINATION_TRANSPORT_PORT, 2, dport, U16),
	F(PROTOCOL_IDENTIFIER, 1, protocol, U8),
	F(OCTET_DELTA_COUNT, 2, octets, U64),
	F(PACKET_DELTA_COUNT, 1, packets, U64),
	R(OCTET_DELTA_COUNT, 2, rev_octets, U64),
	R(PACKET_DELTA_COUNT, 1, rev_packets, U64),
	F(FLOW_START_MILLISECONDS, 8, start_ms, U64),
	F(FLOW_DURATION_MILLISECONDS, 2, duration_ms, U64),
	F(FLOW_END_REASON, 1, end_reason, U8),
};

/*
 * The original direction's TCP control bits (tcp_flags.h), in one byte:
 * nfacctd 1.7 reads a 2-byte tcpControlBits as 0. Not the reply's: nfdump
 * 1.7 writes a reverse tcpControlBits over the forward one.
 */
static const struct ctipfix_field ctipfix_tcp_fields[] = {
	F(TCP_CONTROL_BITS, 1, tcp_flags, U8),
};

/*
 * The first packet's class of service (IPv4 TOS, IPv6 traffic class:
 * DSCP and ECN), original direction, as it left the router.
 */
static const struct ctipfix_field ctipfix_class_fields[] = {
	F(IP_CLASS_OF_SERVICE, 1, tos, U8),
};

/*
 * Where the original direction left the router (the IANA registry's
 * post-NAT IEs, as RFC 8158 uses them for NAT logging). An ICMP flow has
 * no ports: they go out as 0.
 */
static const struct ctipfix_field ctipfix_ipv4_nat_fields[] = {
	F(POST_NAT_SOURCE_IPV4_ADDRESS, 4, post_saddr.ip, BYTES),
	F(POST_NAT_DESTINATION_IPV4_ADDRESS, 4, post_daddr.ip, BYTES),
	F(POST_NAPT_SOURCE_TRANSPORT_PORT, 2, post_sport, U16),
	F(POST_NAPT_DESTINATION_TRANSPORT_PORT, 2, post_dport, U16),
};

static const struct ctipfix_field ctipfix_ipv6_nat_fields[] = {
	F(POST_NAT_SOURCE_IPV6_ADDRESS, 16, post_saddr.ip6, BYTES),
	F(POST_NAT_DESTINATION_IPV6_ADDRESS, 16, post_daddr.ip6, BYTES),
	F(POST_NAPT_SOURCE_TRANSPORT_PORT, 2, post_sport, U16),
	F(POST_NAPT_DESTINATION_TRANSPORT_PORT, 2, post_dport, U16),
};

/*
 * The conntrack zone, for entries outside the default one: two entries of
 * one 5-tuple in two zones are two flows. As ingressVRFID, which is what
 * a zone is for on a router (nft `ct zone set iif map ...`).
 */
static const struct ctipfix_field ctipfix_zone_fields[] = {
	F(INGRESS_VRFID, 4, zone, U32),
};

/*
 * The 802.1Q id of the VLAN device the first packet came in on (a router
 * on a stick, one VLAN per customer), for flows that came in on one.
 */
static const struct ctipfix_field ctipfix_vlan_fields[] = {
	F(VLAN_ID, 2, vlan, U16),
};

/*
 * The gateway the original direction is routed to, for flows that go
 * through one (route.c).
 */
static const struct ctipfix_field ctipfix_ipv4_nexthop_fields[] = {
	F(IP_NEXT_HOP_IPV4_ADDRESS, 4, nexthop.ip, BYTES),
};

static const struct ctipfix_field ctipfix_ipv6_nexthop_fields[] = {
	F(IP_NEXT_HOP_IPV6_ADDRESS, 16, nexthop.ip6, BYTES),
};

/*
 * The interfaces the first packet came in on and left by, for flows whose
 * first packet the hooks saw: a flow adopted alive (at load, or as its
 * namespace entered the scope) has no record of them, and its records
 * leave the fields out rather than say 0. One byte each in the tiny and
 * compact templates, where the index fits.
 */
static const struct ctipfix_field ctipfix_ifaces_fields[] = {
	F(INGRESS_INTERFACE, 4, ifindex_in, U32),
	F(EGRESS_INTERFACE, 4, ifindex_out, U32),
};

static const struct ctipfix_field ctipfix_ifaces_small_fields[] = {
	F(INGRESS_INTERFACE, 1, ifindex_in, U32),
	F(EGRESS_INTERFACE, 1, ifindex_out, U32),
};

static_assert(ARRAY_SIZE(ctipfix_ipv4_nat_fields) ==
	      ARRAY_SIZE(ctipfix_ipv6_nat_fields));

/* The sizes of template, smallest first. */
enum ctipfix_template_size {
	CTIPFIX_TINY,		/* compact, octets in one byte; no ICMP type */
	CTIPFIX_COMPACT,	/* no ICMP type */
	CTIPFIX_FULL,		/* carries any record of its family */
	CTIPFIX_N_SIZES,
};

static bool ctipfix_record_tcp(const struct ctipfix_record *rec)
{
	return rec->protocol == IPPROTO_TCP;
}

static bool ctipfix_record_nat(const struct ctipfix_record *rec)
{
	return rec->nat;
}

static bool ctipfix_record_zone(const struct ctipfix_record *rec)
{
	return rec->zone;
}

static bool ctipfix_record_routed(const struct ctipfix_record *rec)
{
	return rec->routed;
}

static bool ctipfix_record_ifaces(const struct ctipfix_record *rec)
{
	return rec->ifaces;
}

/* The first packet's class of service and VLAN: with its interfaces. */
static bool ctipfix_record_class(const struct ctipfix_record *rec)
{
	return rec->ifaces && rec->tos;
}

static bool ctipfix_record_vlan(const struct ctipfix_record *rec)
{
	return rec->ifaces && rec->vlan;
}

/*
 * An optional group of fields: in a template for the records that need it,
 * and in every full one if @in_full (cheap, zero where not needed); never
 * in a tiny one unless @in_tiny. With @in_small, in every tiny and compact
 * template: the few records without it take a full one. @small: its
 * fields in those, if narrower. A @first_packet group is a fact of the
 * flow's first packet, known with its interfaces only: a full template
 * without the interfaces (an adopted flow's) leaves it out.
 */
struct ctipfix_group {
	const struct ctipfix_field *fields[2];	/* IPv4, IPv6 */
	const struct ctipfix_field *small;
	u8 n;
	bool in_full;
	bool in_tiny;
	bool in_small;
	bool first_packet;
	bool (*needed)(const struct ctipfix_record *rec);
};

enum ctipfix_group_bit {
	CTIPFIX_GROUP_IFACES,		/* first: where the body had them */
	CTIPFIX_GROUP_CLASS,
	CTIPFIX_GROUP_TCP,
	CTIPFIX_GROUP_NAT,
	CTIPFIX_GROUP_ZONE,
	CTIPFIX_GROUP_VLAN,
	CTIPFIX_GROUP_NEXTHOP,
};

/* in the order their fields follow the body */
static const struct ctipfix_group ctipfix_groups[] = {
	[CTIPFIX_GROUP_IFACES] = {
		.fields = { ctipfix_ifaces_fields, ctipfix_ifaces_fields },
		.small = ctipfix_ifaces_small_fields,
		.n = ARRAY_SIZE(ctipfix_ifaces_fields),
		.in_tiny = true,
		.in_small = true,
		.needed = ctipfix_record_ifaces,
	},
	[CTIPFIX_GROUP_CLASS] = {
		.fields = { ctipfix_class_fields, ctipfix_class_fields },
		.n = ARRAY_SIZE(ctipfix_class_fields),
		.in_full = true,
		.in_tiny = true,
		.first_packet = true,
		.needed = ctipfix_record_class,
	},
	[CTIPFIX_GROUP_TCP] = {
		.fields = { ctipfix_tcp_fields, ctipfix_tcp_fields },
		.n = ARRAY_SIZE(ctipfix_tcp_fields),
		.in_full = true,
		.needed = ctipfix_record_tcp,
	},
	[CTIPFIX_GROUP_NAT] = {
		.fields = { ctipfix_ipv4_nat_fields, ctipfix_ipv6_nat_fields },
		.n = ARRAY_SIZE(ctipfix_ipv4_nat_fields),
		.needed = ctipfix_record_nat,
	},
	[CTIPFIX_GROUP_ZONE] = {
		.fields = { ctipfix_zone_fields, ctipfix_zone_fields },
		.n = ARRAY_SIZE(ctipfix_zone_fields),
		.in_full = true,
		.in_tiny = true,
		.needed = ctipfix_record_zone,
	},
	[CTIPFIX_GROUP_VLAN] = {
		.fields = { ctipfix_vlan_fields, ctipfix_vlan_fields },
		.n = ARRAY_SIZE(ctipfix_vlan_fields),
		.in_full = true,
		.in_tiny = true,
		.first_packet = true,
		.needed = ctipfix_record_vlan,
	},
	[CTIPFIX_GROUP_NEXTHOP] = {
		.fields = { ctipfix_ipv4_nexthop_fields,
			    ctipfix_ipv6_nexthop_fields },
		.n = ARRAY_SIZE(ctipfix_ipv4_nexthop_fields),
		.in_full = true,
		.in_tiny = true,
		.needed = ctipfix_record_routed,
	},
};

#define CTIPFIX_N_GROUPS	ARRAY_SIZE(ctipfix_groups)
#define CTIPFIX_MAX_FIELDS	24
/* the most a template can have: addresses, the longer body, every group */
static_assert(CTIPFIX_N_ADDRESSES_ICMP + ARRAY_SIZE(ctipfix_full_fields) +
	      ARRAY_SIZE(ctipfix_tcp_fields) + ARRAY_SIZE(ctipfix_class_fields) +
	      ARRAY_SIZE(ctipfix_ipv4_nat_fields) +
	      ARRAY_SIZE(ctipfix_zone_fields) +
	      ARRAY_SIZE(ctipfix_vlan_fields) +
	      ARRAY_SIZE(ctipfix_ipv4_nexthop_fields) +
	      ARRAY_SIZE(ctipfix_ifaces_fields) <= CTIPFIX_MAX_FIELDS);
static_assert(ARRAY_SIZE(ctipfix_full_fields) >=
	      ARRAY_SIZE(ctipfix_compact_fields));
static_assert(ARRAY_SIZE(ctipfix_groups) == 7);	/* all seven summed above */
static_assert(ARRAY_SIZE(ctipfix_ifaces_small_fields) ==
	      ARRAY_SIZE(ctipfix_ifaces_fields));

struct ctipfix_template {
	u16 id;
	u8 family;			/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	u8 size;			/* enum ctipfix_template_size */
	u8 groups;			/* a bit per ctipfix_groups[] entry */
	u8 n_fields;
	u16 record_len;
	const struct ctipfix_field *fields[CTIPFIX_MAX_FIELDS];
	u8 lens[CTIPFIX_MAX_FIELDS];	/* each field's, in this template */
};

/* made by ctipfix_templates_init(), in order of preference */
static struct ctipfix_template ctipfix_templates[CTIPFIX_MAX_TEMPLATES];
static unsigned int ctipfix_n_templates;
/*
 * Where each shape is in ctipfix_templates[], plus one (0: the rules
 * make none): a record's template is found in a look per size.
 */
static u16 ctipfix_template_at[CTIPFIX_N_SIZES][BIT(CTIPFIX_N_GROUPS)][2];
/*
 * The groups every full template has, whatever the record: without the
 * interfaces [0], and with them [1].
 */
static u8 ctipfix_full_groups[2];

static void ctipfix_template_add_fields(struct ctipfix_template *t,
					const struct ctipfix_field *f,
					unsigned int n)
{
	while (n--) {
		t->fields[t->n_fields] = f;
		t->lens[t->n_fields] = t->size == CTIPFIX_TINY &&
				       f->ie == CTIPFIX_IE_OCTET_DELTA_COUNT ?
				       1 : f->len;
		t->record_len += t->lens[t->n_fields++];
		f++;
	}
}

/* Group @g's fields in a template of @size for IPv6 if @v6. */
static const struct ctipfix_field *ctipfix_group_fields(unsigned int g,
							u8 size, bool v6)
{
	const struct ctipfix_group *group = &ctipfix_groups[g];

	return size != CTIPFIX_FULL && group->small ? group->small :
						      group->fields[v6];
}

/* The fields of a template of @family, @size and @groups, in order. */
static void ctipfix_template_make(struct ctipfix_template *t, u8 family,
				  u8 size, u8 groups)
{
	bool v6 = family == NFPROTO_IPV6;
	unsigned int g;

	memset(t, 0, sizeof(*t));
	t->family = family;
	t->size = size;
	t->groups = groups;
	ctipfix_template_add_fields(t, v6 ? ctipfix_ipv6_fields :
				    ctipfix_ipv4_fields, size == CTIPFIX_FULL ?
				    CTIPFIX_N_ADDRESSES_ICMP : CTIPFIX_N_ADDRESSES);
	if (size == CTIPFIX_FULL)
		ctipfix_template_add_fields(t, ctipfix_full_fields,
					    ARRAY_SIZE(ctipfix_full_fields));
	else
		ctipfix_template_add_fields(t, ctipfix_compact_fields,
					    ARRAY_SIZE(ctipfix_compact_fields));
	for (g = 0; g < CTIPFIX_N_GROUPS; g++)
		if (groups & BIT(g))
			ctipfix_template_add_fields(t, ctipfix_group_fields(g, size, v6),
						    ctipfix_groups[g].n);
}

/* Does a template of @groups carry the interfaces (a hooked flow's)? */
static bool ctipfix_groups_known(u8 groups)
{
	return groups & BIT(CTIPFIX_GROUP_IFACES);
}

/*
 * Does every full template with the interfaces of @known have group @g?
 * Without them, a full template has no first-packet group at all.
 */
static bool ctipfix_group_in_full(unsigned int g, bool known)
{
	return ctipfix_groups[g].in_full &&
	       (known || !ctipfix_groups[g].first_packet);
}

/* The rules: which groups a template of @size has. */
static bool ctipfix_template_exists(u8 size, u8 groups)
{
	bool known = ctipfix_groups_known(groups);
	unsigned int g;
	bool has;

	for (g = 0; g < CTIPFIX_N_GROUPS; g++) {
		has = groups & BIT(g);
		if (size == CTIPFIX_FULL && !has &&
		    ctipfix_group_in_full(g, known))
			return false;
		if (size == CTIPFIX_FULL && has && !known &&
		    ctipfix_groups[g].first_packet)
			return false;
		if (size == CTIPFIX_TINY && !ctipfix_groups[g].in_tiny && has)
			return false;
		if (size != CTIPFIX_FULL && ctipfix_groups[g].in_small && !has)
			return false;
	}
	return true;
}

/*
 * Calls @fn for every template the rules make, in order of preference:
 * by size, then by groups, IPv4 before IPv6; the full ones of adopted
 * flows (without the interfaces) after all the others, so that those
 * keep the ids they had before these came.
 */
static void ctipfix_templates_each(void (*fn)(const struct ctipfix_template *t,
					      void *arg), void *arg)
{
	static const u8 families[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	unsigned int size, groups, i, adopted, n = 0;
	struct ctipfix_template t;

	for (adopted = 0; adopted < 2; adopted++)
		for (size = 0; size < CTIPFIX_N_SIZES; size++)
			for (groups = 0; groups < BIT(CTIPFIX_N_GROUPS); groups++) {
				if (ctipfix_groups_known(groups) == adopted ||
				    !ctipfix_template_exists(size, groups))
					continue;
				for (i = 0; i < ARRAY_SIZE(families); i++) {
					ctipfix_template_make(&t, families[i],
							      size, groups);
					t.id = CTIPFIX_TEMPLATE_ID_FLOWS + n++;
					fn(&t, arg);
				}
			}
}

static void ctipfix_template_keep(const struct ctipfix_template *t,
				  void *arg)
{
	unsigned int *n = arg;

	if (*n < CTIPFIX_MAX_TEMPLATES) {
		ctipfix_templates[*n] = *t;
		ctipfix_template_at[t->size][t->groups]
				   [t->family == NFPROTO_IPV6] = *n + 1;
	}
	++*n;
}

int ctipfix_templates_init(void)
{
	unsigned int n = 0, g, known;

	memset(ctipfix_full_groups, 0, sizeof(ctipfix_full_groups));
	memset(ctipfix_template_at, 0, sizeof(ctipfix_template_at));
	for (g = 0; g < CTIPFIX_N_GROUPS; g++)
		for (known = 0; known < 2; known++)
			if (ctipfix_group_in_full(g, known))
				ctipfix_full_groups[known] |= BIT(g);
	ctipfix_templates_each(ctipfix_template_keep, &n);
	if (n > CTIPFIX_MAX_TEMPLATES)
		return -E2BIG;	/* a rule added: the bitmaps need widening */
	ctipfix_n_templates = n;
	return 0;
}

static u64 ctipfix_field_value(const struct ctipfix_field *f, const void *v)
{
	switch (f->kind) {
	case CTIPFIX_U8:
		return *(const u8 *)v;
	case CTIPFIX_U16:
		return *(const u16 *)v;
	case CTIPFIX_U32:
		return *(const u32 *)v;
	default:
		return *(const u64 *)v;
	}
}

/* The groups @rec needs, a bit each, as ctipfix_template.groups has them. */
static u8 ctipfix_record_groups(const struct ctipfix_record *rec)
{
	unsigned int g;
	u8 groups = 0;

	for (g = 0; g < CTIPFIX_N_GROUPS; g++)
		if (ctipfix_groups[g].needed(rec))
			groups |= BIT(g);
	return groups;
}

/*
 * Does every value of @rec fit @tmpl's field lengths? An ICMP type and
 * code only a full template carries.
 */
static bool ctipfix_template_fits(const struct ctipfix_template *tmpl,
				  const struct ctipfix_record *rec)
{
	const struct ctipfix_field *f;
	unsigned int i;

	if (tmpl->size != CTIPFIX_FULL && rec->icmp_type_code)
		return false;
	for (i = 0; i < tmpl->n_fields; i++) {
		f = tmpl->fields[i];
		if (f->kind != CTIPFIX_BYTES && tmpl->lens[i] < 8 &&
		    ctipfix_field_value(f, (const u8 *)rec + f->offset) >>
		    (8 * tmpl->lens[i]))
			return false;
	}
	return true;
}

/*
 * The smallest template that carries @rec: of each size, the one with the
 * groups it needs (and, if full, the full templates' own), if the rules
 * make it and the values fit. The full one always fits.
 */
const struct ctipfix_template *
ctipfix_template_for(const struct ctipfix_record *rec)
{
	u8 groups = ctipfix_record_groups(rec), shape;
	bool v6 = rec->family == NFPROTO_IPV6;
	const struct ctipfix_template *tmpl = NULL;
	unsigned int size, at;

	for (size = 0; size < CTIPFIX_N_SIZES; size++) {
		shape = size != CTIPFIX_FULL ? groups :
			groups | ctipfix_full_groups[ctipfix_groups_known(groups)];
		at = ctipfix_template_at[size][shape][v6];
		if (!at)
			continue;
		tmpl = &ctipfix_templates[at - 1];
		if (ctipfix_template_fits(tmpl, rec))
			break;
	}
	return tmpl;
}

u16 ctipfix_template_id(const struct ctipfix_template *tmpl)
{
	return tmpl->id;
}

unsigned int ctipfix_template_record_len(const struct ctipfix_template *tmpl)
{
	return tmpl->record_len;
}

/* Unsigned values go out big-endian in @len bytes (RFC 7011 reduced size). */
static void ctipfix_put_uint(u64 v, unsigned int len, u8 *p)
{
	while (len--) {
		p[len] = v & 0xff;
		v >>= 8;
	}
}

/* Template record: id, field count, then (IE, length[, PEN]) per field. */
static unsigned int ctipfix_template_def_len(const struct ctipfix_template *tmpl)
{
	unsigned int i, len = 4;

	for (i = 0; i < tmpl->n_fields; i++)
		len += tmpl->fields[i]->pen ? 8 : 4;
	return len;
}

static void ctipfix_template_put_def(const struct ctipfix_template *tmpl,
				     u8 *p)
{
	const struct ctipfix_field *f;
	unsigned int i;

	ctipfix_put_uint(tmpl->id, 2, p);
	ctipfix_put_uint(tmpl->n_fields, 2, p + 2);
	p += 4;
	for (i = 0; i < tmpl->n_fields; i++) {
		f = tmpl->fields[i];
		ctipfix_put_uint(f->ie | (f->pen ? 0x8000 : 0), 2, p);
		ctipfix_put_uint(tmpl->lens[i], 2, p + 2);
		p += 4;
		if (f->pen) {
			ctipfix_put_uint(f->pen, 4, p);
			p += 4;
		}
	}
}

unsigned int ctipfix_template_index(const struct ctipfix_template *tmpl)
{
	return tmpl - ctipfix_templates;
}

unsigned int ctipfix_template_alone_len(const struct ctipfix_template *tmpl)
{
	return CTIPFIX_IPFIX_SET_HDR_LEN + ctipfix_template_def_len(tmpl);
}

void ctipfix_template_alone_put(const struct ctipfix_template *tmpl, u8 *p)
{
	ctipfix_put_uint(CTIPFIX_IPFIX_TEMPLATE_SET, 2, p);
	ctipfix_put_uint(ctipfix_template_alone_len(tmpl), 2, p + 2);
	ctipfix_template_put_def(tmpl, p + CTIPFIX_IPFIX_SET_HDR_LEN);
}

/*
 * The longest template alone in its set, and the longest record, from the
 * rules rather than the table: the knobs ask before the module's init.
 */
struct ctipfix_template_max {
	unsigned int alone_len;
	unsigned int record_len;
};

static void ctipfix_template_measure(const struct ctipfix_template *t,
				     void *arg)
{
	struct ctipfix_template_max *m = arg;

	m->alone_len = max(m->alone_len, ctipfix_template_alone_len(t));
	m->record_len = max(m->record_len, ctipfix_template_record_len(t));
}

static struct ctipfix_template_max ctipfix_template_max(void)
{
	struct ctipfix_template_max m = { };

	ctipfix_templates_each(ctipfix_template_measure, &m);
	return m;
}

unsigned int ctipfix_template_max_alone_len(void)
{
	return ctipfix_template_max().alone_len;
}

unsigned int ctipfix_template_max_record_len(void)
{
	return ctipfix_template_max().record_len;
}

/* The template set: every template, behind a set header. */
unsigned int ctipfix_template_set_len(void)
{
	unsigned int i, len = CTIPFIX_IPFIX_SET_HDR_LEN;

	for (i = 0; i < ctipfix_n_templates; i++)
		len += ctipfix_template_def_len(&ctipfix_templates[i]);
	return len;
}

void ctipfix_template_set_put(u8 *p)
{
	unsigned int i;

	ctipfix_put_uint(CTIPFIX_IPFIX_TEMPLATE_SET, 2, p);
	ctipfix_put_uint(ctipfix_template_set_len(), 2, p + 2);
	p += CTIPFIX_IPFIX_SET_HDR_LEN;
	for (i = 0; i < ctipfix_n_templates; i++) {
		ctipfix_template_put_def(&ctipfix_templates[i], p);
		p += ctipfix_template_def_len(&ctipfix_templates[i]);
	}
}

void ctipfix_template_put_record(const struct ctipfix_template *tmpl,
				 const struct ctipfix_record *rec, u8 *p)
{
	const struct ctipfix_field *f;
	unsigned int i, len;
	const u8 *v;

	for (i = 0; i < tmpl->n_fields; i++) {
		f = tmpl->fields[i];
		len = tmpl->lens[i];
		v = (const u8 *)rec + f->offset;
		if (f->kind == CTIPFIX_BYTES)
			memcpy(p, v, len);
		else
			ctipfix_put_uint(ctipfix_field_value(f, v), len, p);
		p += len;
	}
}
