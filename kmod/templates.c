// SPDX-License-Identifier: GPL-2.0
/*
 * IPFIX templates as tables of Information Elements. Each field says which
 * IE it is, how many bytes it takes on the wire and where its value lives in
 * struct ctipfix_record; adding an IE to a template is one line here.
 *
 * Each record goes out in the smallest template its values fit (RFC 7011
 * §6.2 reduced-size encoding): a short flow such as a DNS exchange fits a
 * compact template, with 1- and 2-byte counters and its duration in place
 * of the end time: 30 or 32 bytes for IPv4 where the full template takes 73.
 * (flowStart/EndDeltaMicroseconds would be smaller still, but nfdump 1.7
 * decodes them wrong.) TCP flows have compact templates of their own, with
 * tcpControlBits, so that the others do not carry it.
 */
#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <linux/stddef.h>
#include <linux/string.h>

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

/*
 * A template is its address fields followed by a body of other fields, then
 * the TCP fields if it has them, and for translated flows the post-NAT
 * fields last.
 */
struct ctipfix_template {
	u16 id;
	u8 family;			/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	u8 n_addr;
	u8 n_body;
	u8 n_tcp;			/* 0: not for TCP flows */
	u8 n_nat;			/* 0: only for flows not translated */
	bool tcp_only;			/* only for TCP flows */
	bool no_icmp;			/* only for records with no ICMP type */
	u8 octets_len;			/* if set, the octet counts' length */
	const struct ctipfix_field *addr;
	const struct ctipfix_field *body;
	const struct ctipfix_field *tcp;
	const struct ctipfix_field *nat;
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
 * The original direction's TCP control bits (tcp_flags.h), in one byte:
 * nfacctd 1.7 reads a 2-byte tcpControlBits as 0. Not the reply's: nfdump
 * 1.7 writes a reverse tcpControlBits over the forward one.
 */
static const struct ctipfix_field ctipfix_tcp_fields[] = {
	F(TCP_CONTROL_BITS, 1, tcp_flags, U8),
};

#define CTIPFIX_N_NAT	4
static_assert(ARRAY_SIZE(ctipfix_ipv4_nat_fields) == CTIPFIX_N_NAT);
static_assert(ARRAY_SIZE(ctipfix_ipv6_nat_fields) == CTIPFIX_N_NAT);

/* compact templates take the addresses only; full ones the ICMP type too */
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
	F(INGRESS_INTERFACE, 4, ifindex_in, U32),
	F(EGRESS_INTERFACE, 4, ifindex_out, U32),
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
	F(INGRESS_INTERFACE, 1, ifindex_in, U32),
	F(EGRESS_INTERFACE, 1, ifindex_out, U32),
};

/* a compact template: every address, the compact body, no ICMP */
#define CTIPFIX_COMPACT(tid, fam, addr_fields, ...)			\
	{								\
		.id = (tid),						\
		.family = (fam),					\
		.n_addr = CTIPFIX_N_ADDRESSES,				\
		.addr = (addr_fields),					\
		.n_body = ARRAY_SIZE(ctipfix_compact_fields),		\
		.body = ctipfix_compact_fields,				\
		.no_icmp = true,					\
		__VA_ARGS__						\
	}

/* a full template: carries any record of its family, TCP or not */
#define CTIPFIX_FULL(tid, fam, addr_fields, ...)			\
	{								\
		.id = (tid),						\
		.family = (fam),					\
		.n_addr = CTIPFIX_N_ADDRESSES_ICMP,			\
		.addr = (addr_fields),					\
		.n_body = ARRAY_SIZE(ctipfix_full_fields),		\
		.body = ctipfix_full_fields,				\
		.n_tcp = ARRAY_SIZE(ctipfix_tcp_fields),		\
		.tcp = ctipfix_tcp_fields,				\
		__VA_ARGS__						\
	}

/* with the TCP fields, for TCP flows only */
#define CTIPFIX_TCP							\
	.n_tcp = ARRAY_SIZE(ctipfix_tcp_fields),			\
	.tcp = ctipfix_tcp_fields, .tcp_only = true

/* with the post-NAT fields of @nat_fields, for translated flows */
#define CTIPFIX_NAT(nat_fields)						\
	.n_nat = CTIPFIX_N_NAT, .nat = (nat_fields)

/* in order of preference: the first that fits a record carries it */
static const struct ctipfix_template ctipfix_templates[] = {
	CTIPFIX_COMPACT(CTIPFIX_TEMPLATE_ID_IPV4_TINY, NFPROTO_IPV4,
			ctipfix_ipv4_fields, .octets_len = 1),
	CTIPFIX_COMPACT(CTIPFIX_TEMPLATE_ID_IPV6_TINY, NFPROTO_IPV6,
			ctipfix_ipv6_fields, .octets_len = 1),
	CTIPFIX_COMPACT(CTIPFIX_TEMPLATE_ID_IPV4_COMPACT, NFPROTO_IPV4,
			ctipfix_ipv4_fields),
	CTIPFIX_COMPACT(CTIPFIX_TEMPLATE_ID_IPV6_COMPACT, NFPROTO_IPV6,
			ctipfix_ipv6_fields),
	CTIPFIX_COMPACT(CTIPFIX_TEMPLATE_ID_IPV4_TCP_COMPACT, NFPROTO_IPV4,
			ctipfix_ipv4_fields, CTIPFIX_TCP),
	CTIPFIX_COMPACT(CTIPFIX_TEMPLATE_ID_IPV6_TCP_COMPACT, NFPROTO_IPV6,
			ctipfix_ipv6_fields, CTIPFIX_TCP),
	CTIPFIX_COMPACT(CTIPFIX_TEMPLATE_ID_IPV4_NAT_COMPACT, NFPROTO_IPV4,
			ctipfix_ipv4_fields, CTIPFIX_NAT(ctipfix_ipv4_nat_fields)),
	CTIPFIX_COMPACT(CTIPFIX_TEMPLATE_ID_IPV6_NAT_COMPACT, NFPROTO_IPV6,
			ctipfix_ipv6_fields, CTIPFIX_NAT(ctipfix_ipv6_nat_fields)),
	CTIPFIX_COMPACT(CTIPFIX_TEMPLATE_ID_IPV4_NAT_TCP_COMPACT, NFPROTO_IPV4,
			ctipfix_ipv4_fields, CTIPFIX_TCP,
			CTIPFIX_NAT(ctipfix_ipv4_nat_fields)),
	CTIPFIX_COMPACT(CTIPFIX_TEMPLATE_ID_IPV6_NAT_TCP_COMPACT, NFPROTO_IPV6,
			ctipfix_ipv6_fields, CTIPFIX_TCP,
			CTIPFIX_NAT(ctipfix_ipv6_nat_fields)),
	/* the full templates, last, carry anything */
	CTIPFIX_FULL(CTIPFIX_TEMPLATE_ID_IPV4, NFPROTO_IPV4, ctipfix_ipv4_fields),
	CTIPFIX_FULL(CTIPFIX_TEMPLATE_ID_IPV6, NFPROTO_IPV6, ctipfix_ipv6_fields),
	CTIPFIX_FULL(CTIPFIX_TEMPLATE_ID_IPV4_NAT, NFPROTO_IPV4,
		     ctipfix_ipv4_fields, CTIPFIX_NAT(ctipfix_ipv4_nat_fields)),
	CTIPFIX_FULL(CTIPFIX_TEMPLATE_ID_IPV6_NAT, NFPROTO_IPV6,
		     ctipfix_ipv6_fields, CTIPFIX_NAT(ctipfix_ipv6_nat_fields)),
};

/* a message notes the templates it carried in a bit each */
static_assert(ARRAY_SIZE(ctipfix_templates) <= BITS_PER_LONG);

static unsigned int ctipfix_n_fields(const struct ctipfix_template *tmpl)
{
	return tmpl->n_addr + tmpl->n_body + tmpl->n_tcp + tmpl->n_nat;
}

static const struct ctipfix_field *
ctipfix_field(const struct ctipfix_template *tmpl, unsigned int i)
{
	if (i < tmpl->n_addr)
		return &tmpl->addr[i];
	i -= tmpl->n_addr;
	if (i < tmpl->n_body)
		return &tmpl->body[i];
	i -= tmpl->n_body;
	if (i < tmpl->n_tcp)
		return &tmpl->tcp[i];
	return &tmpl->nat[i - tmpl->n_tcp];
}

/* A field's length on the wire in @tmpl. */
static unsigned int ctipfix_field_len(const struct ctipfix_template *tmpl,
				      const struct ctipfix_field *f)
{
	if (tmpl->octets_len && f->ie == CTIPFIX_IE_OCTET_DELTA_COUNT)
		return tmpl->octets_len;
	return f->len;
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

/* Does every value of @rec fit the field lengths of @tmpl? */
static bool ctipfix_template_fits(const struct ctipfix_template *tmpl,
				  const struct ctipfix_record *rec)
{
	bool tcp = rec->protocol == IPPROTO_TCP;
	const struct ctipfix_field *f;
	unsigned int i, len;

	if (tmpl->family != rec->family || !tmpl->n_nat != !rec->nat ||
	    (tmpl->no_icmp && rec->icmp_type_code) ||
	    (tcp && !tmpl->n_tcp) || (!tcp && tmpl->tcp_only))
		return false;
	for (i = 0; i < ctipfix_n_fields(tmpl); i++) {
		f = ctipfix_field(tmpl, i);
		len = ctipfix_field_len(tmpl, f);
		if (f->kind != CTIPFIX_BYTES && len < 8 &&
		    ctipfix_field_value(f, (const u8 *)rec + f->offset) >>
		    (8 * len))
			return false;
	}
	return true;
}

/* The smallest template that carries @rec. */
const struct ctipfix_template *
ctipfix_template_for(const struct ctipfix_record *rec)
{
	unsigned int i;

	/*
	 * ends at the latest on the full template of the family, with or
	 * without NAT: it fits all, TCP or not
	 */
	for (i = 0; i < ARRAY_SIZE(ctipfix_templates); i++)
		if (ctipfix_template_fits(&ctipfix_templates[i], rec))
			break;
	return &ctipfix_templates[i];
}

u16 ctipfix_template_id(const struct ctipfix_template *tmpl)
{
	return tmpl->id;
}

unsigned int ctipfix_template_record_len(const struct ctipfix_template *tmpl)
{
	unsigned int i, len = 0;

	for (i = 0; i < ctipfix_n_fields(tmpl); i++)
		len += ctipfix_field_len(tmpl, ctipfix_field(tmpl, i));
	return len;
}

/* The longest record any template carries. */
unsigned int ctipfix_template_max_record_len(void)
{
	unsigned int i, len = 0;

	for (i = 0; i < ARRAY_SIZE(ctipfix_templates); i++)
		len = max(len, ctipfix_template_record_len(&ctipfix_templates[i]));
	return len;
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

	for (i = 0; i < ctipfix_n_fields(tmpl); i++)
		len += ctipfix_field(tmpl, i)->pen ? 8 : 4;
	return len;
}

static void ctipfix_template_put_def(const struct ctipfix_template *tmpl,
				     u8 *p)
{
	const struct ctipfix_field *f;
	unsigned int i;

	ctipfix_put_uint(tmpl->id, 2, p);
	ctipfix_put_uint(ctipfix_n_fields(tmpl), 2, p + 2);
	p += 4;
	for (i = 0; i < ctipfix_n_fields(tmpl); i++) {
		f = ctipfix_field(tmpl, i);
		ctipfix_put_uint(f->ie | (f->pen ? 0x8000 : 0), 2, p);
		ctipfix_put_uint(ctipfix_field_len(tmpl, f), 2, p + 2);
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

unsigned int ctipfix_template_max_alone_len(void)
{
	unsigned int i, len = 0;

	for (i = 0; i < ARRAY_SIZE(ctipfix_templates); i++)
		len = max(len, ctipfix_template_alone_len(&ctipfix_templates[i]));
	return len;
}

void ctipfix_template_alone_put(const struct ctipfix_template *tmpl, u8 *p)
{
	ctipfix_put_uint(CTIPFIX_IPFIX_TEMPLATE_SET, 2, p);
	ctipfix_put_uint(ctipfix_template_alone_len(tmpl), 2, p + 2);
	ctipfix_template_put_def(tmpl, p + CTIPFIX_IPFIX_SET_HDR_LEN);
}

/* The template set: every template, behind a set header. */
unsigned int ctipfix_template_set_len(void)
{
	unsigned int i, len = CTIPFIX_IPFIX_SET_HDR_LEN;

	for (i = 0; i < ARRAY_SIZE(ctipfix_templates); i++)
		len += ctipfix_template_def_len(&ctipfix_templates[i]);
	return len;
}

void ctipfix_template_set_put(u8 *p)
{
	unsigned int i;

	ctipfix_put_uint(CTIPFIX_IPFIX_TEMPLATE_SET, 2, p);
	ctipfix_put_uint(ctipfix_template_set_len(), 2, p + 2);
	p += CTIPFIX_IPFIX_SET_HDR_LEN;
	for (i = 0; i < ARRAY_SIZE(ctipfix_templates); i++) {
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

	for (i = 0; i < ctipfix_n_fields(tmpl); i++) {
		f = ctipfix_field(tmpl, i);
		len = ctipfix_field_len(tmpl, f);
		v = (const u8 *)rec + f->offset;
		if (f->kind == CTIPFIX_BYTES)
			memcpy(p, v, len);
		else
			ctipfix_put_uint(ctipfix_field_value(f, v), len, p);
		p += len;
	}
}
