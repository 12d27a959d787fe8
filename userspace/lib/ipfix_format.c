// SPDX-License-Identifier: GPL-2.0
/*
 * The module's biflow stream re-encoded for one collector (ipfix_format.h):
 * each template becomes a plan of output fields, each saying where its
 * value comes from in the initiator's record and in the reverse one.
 */
#include <errno.h>
#include <string.h>

#include "ipfix_format.h"
#include "ipfix_wire.h"

#define BIFLOW_INITIATOR	1	/* biflowDirection (IANA) */
#define BIFLOW_REVERSE		2
#define FLOW_INGRESS		0	/* flowDirection: as it came in */
#define NONE			-1	/* no source: the value is 0 */

static const char *const format_names[] = {
	[IPFIX_FORMAT_BIFLOW] = "biflow",
	[IPFIX_FORMAT_STANDARD] = "standard",
	[IPFIX_FORMAT_UNIFLOW] = "uniflow",
};

int ipfix_format_parse(const char *name, enum ipfix_format *format)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (!strcmp(name, format_names[i])) {
			*format = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *ipfix_format_name(enum ipfix_format format)
{
	return format_names[format];
}

void ipfix_format_init(struct ipfix_formatter *f, enum ipfix_format format)
{
	memset(f, 0, sizeof(*f));
	f->format = format;
	f->pending_at = NONE;
}

static struct ipfix_format_template *template_at(struct ipfix_formatter *f,
						 unsigned int id)
{
	if (id < CTIPFIX_IPFIX_MIN_DATA_SET || id > CTIPFIX_TEMPLATE_ID_MAX)
		return NULL;
	return &f->templates[id - CTIPFIX_IPFIX_MIN_DATA_SET];
}

/* Keep the (options) template record @p of @len bytes as its id's. */
static void learn_one(struct ipfix_formatter *f, const uint8_t *p,
		      size_t len, int options)
{
	struct ipfix_format_template *t = template_at(f, ipfix_be16(p));
	size_t off = options ? 6 : 4, n = ipfix_be16(p + 2), i;
	struct ipfix_format_field *fi;

	if (!t)
		return;
	memset(t, 0, sizeof(*t));
	if (n > IPFIX_FORMAT_MAX_FIELDS)
		return;		/* not one of ours: its sets are skipped */
	t->options = options;
	t->scope = options ? ipfix_be16(p + 4) : 0;
	for (i = 0; i < n && off + 4 <= len; i++) {
		bool enterprise = ipfix_be16(p + off) & 0x8000;

		fi = &t->fields[i];
		fi->ie = ipfix_be16(p + off) & 0x7fff;
		fi->len = ipfix_be16(p + off + 2);
		fi->pen = enterprise ? ipfix_be32(p + off + 4) : 0;
		off += enterprise ? 8 : 4;
		t->record_len += fi->len;
		if (fi->len == 0xffff || fi->len > 16) {
			t->record_len = 0;	/* variable length: not ours */
			return;
		}
	}
	t->n_fields = n;
}

static void learn_set(struct ipfix_formatter *f, const uint8_t *set,
		      size_t len, int options)
{
	size_t off = CTIPFIX_IPFIX_SET_HDR_LEN, n;

	while ((n = ipfix_template_record_len(set + off, len - off, options))) {
		learn_one(f, set + off, n, options);
		off += n;
	}
}

void ipfix_format_learn(struct ipfix_formatter *f, const uint8_t *set,
			size_t len)
{
	if (len >= CTIPFIX_IPFIX_SET_HDR_LEN)
		learn_set(f, set, len, ipfix_be16(set) ==
			  CTIPFIX_IPFIX_OPTIONS_TEMPLATE_SET);
}

/* Where one output field's value comes from. */
struct plan_field {
	struct ipfix_format_field out;
	int fwd;		/* input field of the initiator's record */
	int rev;		/* ... of the reverse record (uniflow) */
	uint8_t fwd_const;	/* fwd/rev NONE and this set: the value */
	uint8_t rev_const;
	unsigned int end:1;	/* start + the duration in fwd/rev */
	unsigned int icmp_reply:1; /* the reply's type for the request's */
};

struct plan {
	size_t n;
	int start;		/* flowStartMilliseconds, NONE if not there */
	int rev_packets;	/* reverse packetDeltaCount, NONE: no reverse */
	struct plan_field f[IPFIX_FORMAT_MAX_FIELDS + 3];
};

static int find(const struct ipfix_format_template *t, unsigned int ie,
		uint32_t pen)
{
	int i;

	for (i = 0; i < t->n_fields; i++)
		if (t->fields[i].ie == ie && t->fields[i].pen == pen)
			return i;
	return NONE;
}

/* The first of @ie_a, @ie_b the template has. */
static int find_either(const struct ipfix_format_template *t,
		       unsigned int ie_a, unsigned int ie_b)
{
	int i = find(t, ie_a, 0);

	return i != NONE ? i : find(t, ie_b, 0);
}

static int is_address(unsigned int ie)
{
	switch (ie) {
	case CTIPFIX_IE_SOURCE_IPV4_ADDRESS:
	case CTIPFIX_IE_DESTINATION_IPV4_ADDRESS:
	case CTIPFIX_IE_SOURCE_IPV6_ADDRESS:
	case CTIPFIX_IE_DESTINATION_IPV6_ADDRESS:
	case CTIPFIX_IE_IP_NEXT_HOP_IPV4_ADDRESS:
	case CTIPFIX_IE_IP_NEXT_HOP_IPV6_ADDRESS:
	case CTIPFIX_IE_POST_NAT_SOURCE_IPV4_ADDRESS:
	case CTIPFIX_IE_POST_NAT_DESTINATION_IPV4_ADDRESS:
	case CTIPFIX_IE_POST_NAT_SOURCE_IPV6_ADDRESS:
	case CTIPFIX_IE_POST_NAT_DESTINATION_IPV6_ADDRESS:
		return 1;
	}
	return 0;
}

/* The IANA length of @ie where the module may send it reduced. */
static unsigned int standard_len(const struct ipfix_format_field *fi)
{
	unsigned int len;

	switch (fi->ie) {
	case CTIPFIX_IE_OCTET_DELTA_COUNT:
	case CTIPFIX_IE_PACKET_DELTA_COUNT:
		len = 8;
		break;
	case CTIPFIX_IE_INGRESS_INTERFACE:
	case CTIPFIX_IE_EGRESS_INTERFACE:
	case CTIPFIX_IE_INGRESS_VRFID:
	case CTIPFIX_IE_FLOW_DURATION_MILLISECONDS:
		len = 4;
		break;
	case CTIPFIX_IE_VLAN_ID:
		len = 2;
		break;
	default:
		/* tcpControlBits stays one byte: nfacctd 1.7 reads two as 0 */
		len = fi->len;
	}
	return len > fi->len ? len : fi->len;
}

/*
 * In the reply direction's own record, what the initiator's record holds
 * for @ie swaps with its counterpart: source and destination, ingress and
 * egress, and the pre- and post-NAT addresses (the reply comes in to the
 * translated addresses and leaves to the original ones). NONE for what
 * the module knows of the original direction only: its next hop, VLAN
 * (the reply may come in on another), TCP flags and class of service.
 */
static int reverse_source(const struct ipfix_format_template *t, int i)
{
	switch (t->fields[i].ie) {
	case CTIPFIX_IE_SOURCE_IPV4_ADDRESS:
		return find_either(t, CTIPFIX_IE_POST_NAT_DESTINATION_IPV4_ADDRESS,
				   CTIPFIX_IE_DESTINATION_IPV4_ADDRESS);
	case CTIPFIX_IE_DESTINATION_IPV4_ADDRESS:
		return find_either(t, CTIPFIX_IE_POST_NAT_SOURCE_IPV4_ADDRESS,
				   CTIPFIX_IE_SOURCE_IPV4_ADDRESS);
	case CTIPFIX_IE_SOURCE_IPV6_ADDRESS:
		return find_either(t, CTIPFIX_IE_POST_NAT_DESTINATION_IPV6_ADDRESS,
				   CTIPFIX_IE_DESTINATION_IPV6_ADDRESS);
	case CTIPFIX_IE_DESTINATION_IPV6_ADDRESS:
		return find_either(t, CTIPFIX_IE_POST_NAT_SOURCE_IPV6_ADDRESS,
				   CTIPFIX_IE_SOURCE_IPV6_ADDRESS);
	case CTIPFIX_IE_SOURCE_TRANSPORT_PORT:
		return find_either(t, CTIPFIX_IE_POST_NAPT_DESTINATION_TRANSPORT_PORT,
				   CTIPFIX_IE_DESTINATION_TRANSPORT_PORT);
	case CTIPFIX_IE_DESTINATION_TRANSPORT_PORT:
		return find_either(t, CTIPFIX_IE_POST_NAPT_SOURCE_TRANSPORT_PORT,
				   CTIPFIX_IE_SOURCE_TRANSPORT_PORT);
	case CTIPFIX_IE_POST_NAT_SOURCE_IPV4_ADDRESS:
		return find(t, CTIPFIX_IE_DESTINATION_IPV4_ADDRESS, 0);
	case CTIPFIX_IE_POST_NAT_DESTINATION_IPV4_ADDRESS:
		return find(t, CTIPFIX_IE_SOURCE_IPV4_ADDRESS, 0);
	case CTIPFIX_IE_POST_NAT_SOURCE_IPV6_ADDRESS:
		return find(t, CTIPFIX_IE_DESTINATION_IPV6_ADDRESS, 0);
	case CTIPFIX_IE_POST_NAT_DESTINATION_IPV6_ADDRESS:
		return find(t, CTIPFIX_IE_SOURCE_IPV6_ADDRESS, 0);
	case CTIPFIX_IE_POST_NAPT_SOURCE_TRANSPORT_PORT:
		return find(t, CTIPFIX_IE_DESTINATION_TRANSPORT_PORT, 0);
	case CTIPFIX_IE_POST_NAPT_DESTINATION_TRANSPORT_PORT:
		return find(t, CTIPFIX_IE_SOURCE_TRANSPORT_PORT, 0);
	case CTIPFIX_IE_INGRESS_INTERFACE:
		return find(t, CTIPFIX_IE_EGRESS_INTERFACE, 0);
	case CTIPFIX_IE_EGRESS_INTERFACE:
		return find(t, CTIPFIX_IE_INGRESS_INTERFACE, 0);
	case CTIPFIX_IE_IP_NEXT_HOP_IPV4_ADDRESS:
	case CTIPFIX_IE_IP_NEXT_HOP_IPV6_ADDRESS:
	case CTIPFIX_IE_VLAN_ID:
	case CTIPFIX_IE_TCP_CONTROL_BITS:
	case CTIPFIX_IE_IP_CLASS_OF_SERVICE:
		return NONE;
	}
	/* its reverse IE if it has one, else the flow's (times, protocol) */
	return find(t, t->fields[i].ie, CTIPFIX_IPFIX_REVERSE_PEN) != NONE ?
	       find(t, t->fields[i].ie, CTIPFIX_IPFIX_REVERSE_PEN) : i;
}

static struct plan_field *plan_add(struct plan *p, unsigned int ie,
				   unsigned int len, int fwd, int rev)
{
	struct plan_field *pf = &p->f[p->n++];

	memset(pf, 0, sizeof(*pf));
	pf->out.ie = ie;
	pf->out.len = len;
	pf->fwd = fwd;
	pf->rev = rev;
	return pf;
}

/* A field of the input, as the format sends it; false if it does not. */
static bool plan_field(struct plan *p, const struct ipfix_format_template *t,
		       enum ipfix_format format, int i)
{
	const struct ipfix_format_field *fi = &t->fields[i];
	struct plan_field *pf;
	bool reverse = fi->pen == CTIPFIX_IPFIX_REVERSE_PEN;

	if (format == IPFIX_FORMAT_UNIFLOW && reverse) {
		/* carried by its forward IE in the reverse record */
		if (find(t, fi->ie, 0) != NONE)
			return false;
		plan_add(p, fi->ie, standard_len(fi), NONE, i);
		return true;
	}
	pf = plan_add(p, fi->ie, standard_len(fi), i,
		      format == IPFIX_FORMAT_UNIFLOW ? reverse_source(t, i) : i);
	pf->out.pen = format == IPFIX_FORMAT_UNIFLOW ? 0 : fi->pen;
	pf->icmp_reply = fi->ie == CTIPFIX_IE_ICMP_TYPE_CODE_IPV4 ||
			 fi->ie == CTIPFIX_IE_ICMP_TYPE_CODE_IPV6;
	if (fi->ie == CTIPFIX_IE_FLOW_DURATION_MILLISECONDS && !reverse &&
	    p->start != NONE) {
		/* the end time: tshark 4.0 reads a duration as 4 bytes */
		pf->out.ie = CTIPFIX_IE_FLOW_END_MILLISECONDS;
		pf->out.len = 8;
		pf->end = 1;
	}
	return true;
}

static void plan_build(struct plan *p, const struct ipfix_format_template *t,
		       enum ipfix_format format)
{
	unsigned int version = 0;
	struct plan_field *pf;
	int i;

	p->n = 0;
	p->start = find(t, CTIPFIX_IE_FLOW_START_MILLISECONDS, 0);
	p->rev_packets = find(t, CTIPFIX_IE_PACKET_DELTA_COUNT,
			      CTIPFIX_IPFIX_REVERSE_PEN);
	for (i = 0; i < t->n_fields; i++)
		plan_field(p, t, format, i);
	if (find(t, CTIPFIX_IE_SOURCE_IPV4_ADDRESS, 0) != NONE)
		version = 4;
	else if (find(t, CTIPFIX_IE_SOURCE_IPV6_ADDRESS, 0) != NONE)
		version = 6;
	if (version) {
		pf = plan_add(p, CTIPFIX_IE_IP_VERSION, 1, NONE, NONE);
		pf->fwd_const = version;
		pf->rev_const = version;
		pf = plan_add(p, CTIPFIX_IE_FLOW_DIRECTION, 1, NONE, NONE);
		pf->fwd_const = FLOW_INGRESS;
		pf->rev_const = FLOW_INGRESS;
	}
	if (format == IPFIX_FORMAT_UNIFLOW) {
		pf = plan_add(p, CTIPFIX_IE_BIFLOW_DIRECTION, 1, NONE, NONE);
		pf->fwd_const = BIFLOW_INITIATOR;
		pf->rev_const = BIFLOW_REVERSE;
	}
}

/* The template record of @p as template @id; its length. */
static size_t plan_template(const struct plan *p, unsigned int id,
			    uint8_t *out)
{
	size_t i, len = 4;

	ipfix_put_be16(out, id);
	ipfix_put_be16(out + 2, p->n);
	for (i = 0; i < p->n; i++) {
		ipfix_put_be16(out + len, p->f[i].out.ie |
			       (p->f[i].out.pen ? 0x8000 : 0));
		ipfix_put_be16(out + len + 2, p->f[i].out.len);
		len += 4;
		if (p->f[i].out.pen) {
			ipfix_put_be32(out + len, p->f[i].out.pen);
			len += 4;
		}
	}
	return len;
}

/* Each field's offset in a record of @t. */
static void field_offsets(const struct ipfix_format_template *t,
			  size_t *offset)
{
	size_t off = 0;
	int i;

	for (i = 0; i < t->n_fields; i++) {
		offset[i] = off;
		off += t->fields[i].len;
	}
}

static uint64_t get_uint(const uint8_t *p, size_t len)
{
	uint64_t v = 0;

	while (len--)
		v = v << 8 | *p++;
	return v;
}

static void put_uint(uint8_t *p, size_t len, uint64_t v)
{
	while (len--) {
		p[len] = v & 0xff;
		v >>= 8;
	}
}

/* The reply to an ICMP request conntrack tracks, type and code. */
static uint64_t icmp_reply(unsigned int ie, uint64_t type_code)
{
	static const uint8_t v4[][2] = { { 8, 0 }, { 13, 14 }, { 15, 16 },
					 { 17, 18 } };
	static const uint8_t v6[][2] = { { 128, 129 }, { 139, 140 } };
	const uint8_t (*pairs)[2] = ie == CTIPFIX_IE_ICMP_TYPE_CODE_IPV4 ?
				    v4 : v6;
	size_t i, n = ie == CTIPFIX_IE_ICMP_TYPE_CODE_IPV4 ? 4 : 2;

	for (i = 0; i < n; i++)
		if (type_code >> 8 == pairs[i][0])
			return (uint64_t)pairs[i][1] << 8;
	return type_code;
}

/* One output record of @p from the input record @in; its length. */
static size_t plan_record(const struct plan *p,
			  const struct ipfix_format_template *t,
			  const size_t *offset, const uint8_t *in,
			  bool reverse, uint8_t *out)
{
	const struct plan_field *pf;
	size_t i, len = 0;
	uint64_t v;
	int src;

	for (i = 0; i < p->n; i++) {
		pf = &p->f[i];
		src = reverse ? pf->rev : pf->fwd;
		if (src == NONE) {
			v = reverse ? pf->rev_const : pf->fwd_const;
			memset(out + len, 0, pf->out.len);
			put_uint(out + len, pf->out.len, v);
		} else if (is_address(pf->out.ie)) {
			memset(out + len, 0, pf->out.len);
			memcpy(out + len, in + offset[src],
			       t->fields[src].len < pf->out.len ?
			       t->fields[src].len : pf->out.len);
		} else {
			v = get_uint(in + offset[src], t->fields[src].len);
			if (pf->end)
				v += get_uint(in + offset[p->start],
					      t->fields[p->start].len);
			if (pf->icmp_reply && reverse)
				v = icmp_reply(pf->out.ie, v);
			put_uint(out + len, pf->out.len, v);
		}
		len += pf->out.len;
	}
	return len;
}

/*
 * The messages going out, back to back: each opens with the module's
 * header (export time, domain) and this session's sequence number, and a
 * new one starts where the next set element would pass max_len.
 */
struct emitter {
	uint8_t *out;
	size_t room;
	size_t max_len;
	size_t total;		/* bytes of the messages closed */
	size_t len;		/* of the open one, 0: none open */
	size_t set;		/* its open set's offset in it, 0: none */
	unsigned int set_id;
	const uint8_t *hdr;
	uint32_t *seq;
	bool overflow;
	uint32_t lost;		/* records that did not fit */
	unsigned int messages;	/* closed */
	uint32_t *records;	/* data records of each, the open one's too */
};

static void em_close_set(struct emitter *e)
{
	if (e->set)
		ipfix_put_be16(e->out + e->total + e->set + 2, e->len - e->set);
	e->set = 0;
}

static void em_close(struct emitter *e)
{
	em_close_set(e);
	if (e->len > CTIPFIX_IPFIX_HDR_LEN) {
		ipfix_put_be16(e->out + e->total + 2, e->len);
		e->total += e->len;
		e->messages++;
	}
	e->len = 0;
}

/* Append one record (or template record) of set @set_id. */
static bool em_put(struct emitter *e, unsigned int set_id, const uint8_t *rec,
		   size_t rec_len, bool data)
{
	bool same_set = e->set && e->set_id == set_id;
	size_t need = rec_len + (same_set ? 0 : CTIPFIX_IPFIX_SET_HDR_LEN);
	uint8_t *m;

	if (e->overflow)
		return false;
	if (e->len && e->len + need > e->max_len) {
		em_close(e);
		same_set = false;
		need = rec_len + CTIPFIX_IPFIX_SET_HDR_LEN;
	}
	if (e->total + (e->len ? e->len : CTIPFIX_IPFIX_HDR_LEN) + need >
	    e->room || (!e->len && e->messages == IPFIX_FORMAT_MAX_MESSAGES)) {
		e->overflow = true;
		return false;
	}
	m = e->out + e->total;
	if (!e->len) {
		memcpy(m, e->hdr, CTIPFIX_IPFIX_HDR_LEN);
		ipfix_put_be32(m + 8, *e->seq);
		e->len = CTIPFIX_IPFIX_HDR_LEN;
		e->records[e->messages] = 0;
	}
	if (!same_set) {
		em_close_set(e);
		e->set = e->len;
		e->set_id = set_id;
		ipfix_put_be16(m + e->len, set_id);
		e->len += CTIPFIX_IPFIX_SET_HDR_LEN;
	}
	memcpy(m + e->len, rec, rec_len);
	e->len += rec_len;
	if (data) {
		(*e->seq)++;
		e->records[e->messages]++;
	}
	return true;
}

/* A template set: learnt, and passed on in this format. */
static void put_templates(struct ipfix_formatter *f, struct emitter *e,
			  const uint8_t *set, size_t len, int options)
{
	size_t off = CTIPFIX_IPFIX_SET_HDR_LEN, n, tlen;
	const struct ipfix_format_template *t;
	uint8_t def[8 * (IPFIX_FORMAT_MAX_FIELDS + 3) + 4];
	unsigned int id;
	struct plan p;

	while ((n = ipfix_template_record_len(set + off, len - off, options))) {
		id = ipfix_be16(set + off);
		learn_one(f, set + off, n, options);
		t = template_at(f, id);
		if (options || !t || !t->n_fields) {
			em_put(e, ipfix_be16(set), set + off, n, false);
		} else {
			plan_build(&p, t, f->format);
			tlen = plan_template(&p, id, def);
			em_put(e, CTIPFIX_IPFIX_TEMPLATE_SET, def, tlen, false);
		}
		off += n;
	}
}

/* A data set's records, re-encoded; how many there were, -1 if unknown. */
/* The index of @domain's entry, NONE if it has none. */
static long domain_index(const struct ipfix_formatter *f, uint32_t domain)
{
	size_t i;

	for (i = 0; i < f->n_domains; i++)
		if (f->domains[i].domain == domain)
			return i;
	return NONE;
}

/*
 * An exporting process's statistics record (RFC 7011 section 4.3) scoped
 * to a flows' domain counts the messages and flow records the module
 * wrote there. This collector was sent others, in its own format: what
 * it was sent in that domain this transport session goes in their place
 * (exportedMessageTotalCount, exportedFlowRecordTotalCount), as the RFC
 * counts them, per collecting process. The losses (notSent*) stay the
 * module's: what this collector missed besides is the gap in its sequence
 * numbers. Returns whether @out holds the record rewritten.
 */
static bool options_own_counts(const struct ipfix_formatter *f,
			       const struct ipfix_format_template *t,
			       const uint8_t *in, uint8_t *out)
{
	const struct ipfix_format_domain *d = NULL;
	const struct ipfix_format_field *fl;
	size_t offset[IPFIX_FORMAT_MAX_FIELDS];
	bool scoped = false, rewrote = false;
	uint64_t v;
	long at;
	int i;

	field_offsets(t, offset);
	for (i = 0; i < t->scope && i < t->n_fields; i++) {
		fl = &t->fields[i];
		if (fl->ie != CTIPFIX_IE_OBSERVATION_DOMAIN_ID || fl->pen ||
		    fl->len != 4)
			continue;
		scoped = true;
		at = domain_index(f, get_uint(in + offset[i], 4));
		d = at == NONE ? NULL : &f->domains[at];
	}
	if (!scoped)
		return false;
	memcpy(out, in, t->record_len);
	for (; i < t->n_fields; i++) {
		fl = &t->fields[i];
		if (fl->pen)
			continue;
		if (fl->ie == CTIPFIX_IE_EXPORTED_MESSAGE_TOTAL_COUNT)
			v = d ? d->messages : 0;
		else if (fl->ie == CTIPFIX_IE_EXPORTED_FLOW_RECORD_TOTAL_COUNT)
			v = d ? d->records : 0;
		else
			continue;
		/* a reduced-size field holds at most its largest value */
		if (fl->len < 8 && v >> (8 * fl->len))
			v = (1ULL << (8 * fl->len)) - 1;
		put_uint(out + offset[i], fl->len, v);
		rewrote = true;
	}
	return rewrote;
}

static long put_records(struct ipfix_formatter *f, struct emitter *e,
			const uint8_t *set, size_t len)
{
	unsigned int id = ipfix_be16(set);
	const struct ipfix_format_template *t = template_at(f, id);
	uint8_t rec[16 * (IPFIX_FORMAT_MAX_FIELDS + 3)];
	size_t offset[IPFIX_FORMAT_MAX_FIELDS], off, n;
	long records = 0;
	struct plan p;
	const uint8_t *in;

	if (!t || !t->n_fields || !t->record_len) {
		f->pending.unknown++;
		return -1;
	}
	if (!t->options) {
		plan_build(&p, t, f->format);
		field_offsets(t, offset);
	}
	for (off = CTIPFIX_IPFIX_SET_HDR_LEN; off + t->record_len <= len;
	     off += t->record_len) {
		in = set + off;
		records++;
		if (t->options) {
			if (t->record_len <= sizeof(rec) &&
			    options_own_counts(f, t, in, rec))
				in = rec;
			e->lost += !em_put(e, id, in, t->record_len, true);
			continue;
		}
		n = plan_record(&p, t, offset, in, false, rec);
		if (!em_put(e, id, rec, n, true)) {
			e->lost++;
			continue;
		}
		f->pending.out++;
		if (f->format != IPFIX_FORMAT_UNIFLOW || p.rev_packets == NONE ||
		    !get_uint(in + offset[p.rev_packets],
			      t->fields[p.rev_packets].len))
			continue;
		n = plan_record(&p, t, offset, in, true, rec);
		if (em_put(e, id, rec, n, true))
			f->pending.out++;
		else
			e->lost++;
	}
	return records;
}

/*
 * The domain's entry, a new one if need be. With the table full, one
 * chosen by the id gives its place (its numbers start again).
 */
static long domain_at(struct ipfix_formatter *f, uint32_t domain)
{
	long i = domain_index(f, domain);

	if (i != NONE)
		return i;
	if (f->n_domains < IPFIX_FORMAT_MAX_DOMAINS) {
		i = f->n_domains++;
	} else {
		i = domain % IPFIX_FORMAT_MAX_DOMAINS;
		f->evicted++;
	}
	memset(&f->domains[i], 0, sizeof(f->domains[i]));
	f->domains[i].domain = domain;
	return i;
}

void ipfix_format_restart(struct ipfix_formatter *f)
{
	size_t i;

	for (i = 0; i < f->n_domains; i++)
		f->domains[i].seen = false;
}

size_t ipfix_format_message(struct ipfix_formatter *f, const uint8_t *in,
			    size_t len, uint8_t *out, size_t room,
			    size_t max_len)
{
	struct emitter e = {
		.out = out, .room = room, .hdr = in,
		.records = f->pending.records,
	};
	struct ipfix_format_domain *d = &f->pending.domain;
	size_t off = CTIPFIX_IPFIX_HDR_LEN, set_len;
	bool lost_count = false;
	uint32_t seq, gap;
	long records = 0, n;
	unsigned int id;

	/* not records[]: each message's count starts at 0 as it opens */
	memset(&f->pending, 0, offsetof(struct ipfix_formatter,
					pending.records) -
			       offsetof(struct ipfix_formatter, pending));
	f->pending_at = NONE;
	if (len < CTIPFIX_IPFIX_HDR_LEN || ipfix_be16(in) != CTIPFIX_IPFIX_VERSION)
		return 0;
	if (ipfix_be16(in + 2) < len)
		len = ipfix_be16(in + 2);
	f->pending_at = domain_at(f, ipfix_be32(in + 12));
	*d = f->domains[f->pending_at];
	seq = ipfix_be32(in + 8);
	/* records the module lost: as many missing here */
	gap = seq - d->next_in;
	if (d->seen && gap && gap < 0x80000000u)
		d->next_out += gap;
	e.seq = &d->next_out;
	e.max_len = max_len > CTIPFIX_IPFIX_HDR_LEN ? max_len : 65535;
	while (off + CTIPFIX_IPFIX_SET_HDR_LEN <= len) {
		id = ipfix_be16(in + off);
		set_len = ipfix_be16(in + off + 2);
		if (set_len < CTIPFIX_IPFIX_SET_HDR_LEN || set_len > len - off)
			break;
		if (id == CTIPFIX_IPFIX_TEMPLATE_SET ||
		    id == CTIPFIX_IPFIX_OPTIONS_TEMPLATE_SET) {
			put_templates(f, &e, in + off, set_len,
				      id == CTIPFIX_IPFIX_OPTIONS_TEMPLATE_SET);
		} else if (id >= CTIPFIX_IPFIX_MIN_DATA_SET) {
			n = put_records(f, &e, in + off, set_len);
			if (n < 0)
				lost_count = true;
			else
				records += n;
		}
		off += set_len;
	}
	em_close(&e);
	/* what did not fit is lost to this collector: a gap it sees */
	d->next_out += e.lost;
	f->pending.messages = e.messages;
	f->pending.in = records;
	/* a set skipped: how many records it held is not known */
	d->seen = !lost_count;
	d->next_in = seq + records;
	f->pending.overflow = e.overflow;
	return e.total;
}

void ipfix_format_sent(struct ipfix_formatter *f, unsigned int i)
{
	if (i >= f->pending.messages)
		return;
	f->pending.domain.messages++;
	f->pending.domain.records += f->pending.records[i];
}

void ipfix_format_commit(struct ipfix_formatter *f)
{
	if (f->pending_at != NONE)
		f->domains[f->pending_at] = f->pending.domain;
	f->records_in += f->pending.in;
	f->records_out += f->pending.out;
	f->unknown += f->pending.unknown;
	f->overflows += f->pending.overflow;
	/* not records[]: each message's count starts at 0 as it opens */
	memset(&f->pending, 0, offsetof(struct ipfix_formatter,
					pending.records) -
			       offsetof(struct ipfix_formatter, pending));
	f->pending_at = NONE;
}
