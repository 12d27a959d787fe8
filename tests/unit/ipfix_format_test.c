// SPDX-License-Identifier: GPL-2.0
/* The module's biflow records re-encoded per collector: standard, uniflow. */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "ipfix_format.h"
#include "ipfix_wire.h"

#define REV	0x8000		/* the enterprise bit: RFC 5103's reverse PEN */

/* (IE, length) pairs of a template as the module makes them */
struct tdef {
	uint16_t ie;
	uint16_t len;
};

/* the module's compact IPv4 template, its NAT variant's addresses last */
static const struct tdef compact[] = {
	{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 },
	{ 1, 2 }, { 2, 1 }, { 1 | REV, 2 }, { 2 | REV, 1 },
	{ 152, 8 }, { 161, 2 }, { 136, 1 }, { 10, 1 }, { 14, 1 },
	{ 6, 1 }, { 32, 2 },
};
#define N_COMPACT	(sizeof(compact) / sizeof(compact[0]))

static const struct tdef nat[] = {
	{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 },
	{ 1, 8 }, { 2, 8 }, { 1 | REV, 8 }, { 2 | REV, 8 },
	{ 152, 8 }, { 153, 8 }, { 136, 1 }, { 10, 4 }, { 14, 4 },
	{ 225, 4 }, { 226, 4 }, { 227, 2 }, { 228, 2 },
};
#define N_NAT		(sizeof(nat) / sizeof(nat[0]))

struct msg {
	uint8_t p[4096];
	size_t len;
	size_t set;
};

static void put(uint8_t *p, size_t len, uint64_t v)
{
	while (len--) {
		p[len] = v & 0xff;
		v >>= 8;
	}
}

static uint64_t get(const uint8_t *p, size_t len)
{
	uint64_t v = 0;

	while (len--)
		v = v << 8 | *p++;
	return v;
}

static void msg_start(struct msg *m, uint32_t seq, uint32_t domain)
{
	memset(m, 0, sizeof(*m));
	put(m->p, 2, 10);
	put(m->p + 4, 4, 0x66000000);
	put(m->p + 8, 4, seq);
	put(m->p + 12, 4, domain);
	m->len = 16;
}

static void set_open(struct msg *m, uint16_t id)
{
	m->set = m->len;
	put(m->p + m->len, 2, id);
	m->len += 4;
}

static void set_close(struct msg *m)
{
	put(m->p + m->set + 2, 2, m->len - m->set);
	put(m->p + 2, 2, m->len);
}

static void msg_template(struct msg *m, uint16_t id, const struct tdef *t,
			 size_t n)
{
	size_t i;

	set_open(m, 2);
	put(m->p + m->len, 2, id);
	put(m->p + m->len + 2, 2, n);
	m->len += 4;
	for (i = 0; i < n; i++) {
		put(m->p + m->len, 2, t[i].ie);
		put(m->p + m->len + 2, 2, t[i].len);
		m->len += 4;
		if (t[i].ie & REV) {
			put(m->p + m->len, 4, CTIPFIX_IPFIX_REVERSE_PEN);
			m->len += 4;
		}
	}
	set_close(m);
}

/* one record of @t: each field's value from @v, in order */
static void msg_record(struct msg *m, const struct tdef *t, size_t n,
		       const uint64_t *v)
{
	size_t i;

	for (i = 0; i < n; i++) {
		put(m->p + m->len, t[i].len, v[i]);
		m->len += t[i].len;
	}
}

/* a message of one record, in template @id, after its template or not */
static void msg_one(struct msg *m, uint32_t seq, uint32_t domain, uint16_t id,
		    const struct tdef *t, size_t n, const uint64_t *v,
		    bool with_template)
{
	msg_start(m, seq, domain);
	if (with_template)
		msg_template(m, id, t, n);
	set_open(m, id);
	msg_record(m, t, n, v);
	set_close(m);
}

/*
 * A statistics message as the module writes it, in its own domain: the
 * options template set @body, then the data set of template 258 @rec.
 */
static void msg_options(struct msg *m, const uint8_t *body, size_t body_len,
			const uint8_t *rec, size_t rec_len)
{
	msg_start(m, 0, 0xffffffff);
	set_open(m, 3);
	memcpy(m->p + m->len, body, body_len);
	m->len += body_len;
	set_close(m);
	set_open(m, 258);
	memcpy(m->p + m->len, rec, rec_len);
	m->len += rec_len;
	set_close(m);
}

/* a DNS-like exchange: 10.0.0.1:5353 -> 10.0.0.2:53, 1 packet each way */
static const uint64_t dns[N_COMPACT] = {
	0x0a000001, 0x0a000002, 5353, 53, 17, 60, 1, 120, 1,
	1700000000000ULL, 250, 3, 2, 3, 0, 0,
};

struct out_field {
	uint16_t ie;
	uint16_t len;
	uint32_t pen;
	size_t off;		/* in a record */
};

/* the first template record of the message at @p, parsed */
struct out_template {
	uint16_t id;
	size_t n;
	size_t record_len;
	struct out_field f[64];
};

/* Find set @set_id in the message at @p; its offset, 0 if none. */
static size_t find_set(const uint8_t *p, unsigned int set_id)
{
	size_t off = 16, len = get(p + 2, 2);

	while (off + 4 <= len) {
		if (get(p + off, 2) == set_id)
			return off;
		off += get(p + off + 2, 2);
	}
	return 0;
}

static int parse_template(const uint8_t *p, struct out_template *t)
{
	size_t off = find_set(p, 2), i, rec = 0;

	if (!off)
		return -1;
	off += 4;
	t->id = get(p + off, 2);
	t->n = get(p + off + 2, 2);
	off += 4;
	for (i = 0; i < t->n; i++) {
		t->f[i].ie = get(p + off, 2) & 0x7fff;
		t->f[i].len = get(p + off + 2, 2);
		t->f[i].pen = get(p + off, 2) & 0x8000 ? get(p + off + 4, 4) : 0;
		t->f[i].off = rec;
		rec += t->f[i].len;
		off += t->f[i].pen ? 8 : 4;
	}
	t->record_len = rec;
	return 0;
}

static const struct out_field *field(const struct out_template *t,
				     uint16_t ie, uint32_t pen)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->f[i].ie == ie && t->f[i].pen == pen)
			return &t->f[i];
	return NULL;
}

/* the value of (@ie, @pen) in the @k-th record of data set @id, or ~0 */
static uint64_t value(const uint8_t *p, const struct out_template *t,
		      int k, uint16_t ie, uint32_t pen)
{
	const struct out_field *f = field(t, ie, pen);
	size_t off = find_set(p, t->id);

	if (!f || !off)
		return ~0ULL;
	return get(p + off + 4 + k * t->record_len + f->off, f->len);
}

static size_t records_in(const uint8_t *p, const struct out_template *t)
{
	size_t off = find_set(p, t->id);

	return off ? (get(p + off + 2, 2) - 4) / t->record_len : 0;
}

FIXTURE(fmt) {
	struct ipfix_formatter f;
	struct msg in;
	uint8_t out[65536];
	struct out_template t;
};

FIXTURE_SETUP(fmt)
{
	msg_one(&self->in, 7, 42, 260, compact, N_COMPACT, dns,
		true);
}

FIXTURE_TEARDOWN(fmt)
{
}

TEST(names)
{
	enum ipfix_format f = IPFIX_FORMAT_BIFLOW;

	ASSERT_EQ(0, ipfix_format_parse("uniflow", &f));
	ASSERT_EQ(IPFIX_FORMAT_UNIFLOW, f);
	ASSERT_EQ(0, ipfix_format_parse("standard", &f));
	ASSERT_EQ(IPFIX_FORMAT_STANDARD, f);
	ASSERT_EQ(0, ipfix_format_parse("biflow", &f));
	ASSERT_EQ(IPFIX_FORMAT_BIFLOW, f);
	ASSERT_EQ(-EINVAL, ipfix_format_parse("netflow9", &f));
	ASSERT_EQ(-EINVAL, ipfix_format_parse("", &f));
	ASSERT_STREQ("uniflow", ipfix_format_name(IPFIX_FORMAT_UNIFLOW));
}

/* standard: IANA lengths, the end time for the duration, version, direction */
TEST_F(fmt, standard_widens_every_reduced_field)
{
	size_t n;

	ipfix_format_init(&self->f, IPFIX_FORMAT_STANDARD);
	n = ipfix_format_message(&self->f, self->in.p, self->in.len,
				 self->out, sizeof(self->out), 1400);
	ASSERT_EQ(n, get(self->out + 2, 2));
	ASSERT_EQ(0, parse_template(self->out, &self->t));
	ASSERT_EQ(260, self->t.id);
	ASSERT_EQ(N_COMPACT + 2, self->t.n);
	ASSERT_EQ(8, field(&self->t, 1, 0)->len);
	ASSERT_EQ(8, field(&self->t, 2, 0)->len);
	ASSERT_EQ(8, field(&self->t, 1, CTIPFIX_IPFIX_REVERSE_PEN)->len);
	ASSERT_EQ(8, field(&self->t, 2, CTIPFIX_IPFIX_REVERSE_PEN)->len);
	ASSERT_EQ(4, field(&self->t, 10, 0)->len);
	ASSERT_EQ(1, field(&self->t, 6, 0)->len);	/* nfacctd: 1 byte */
	ASSERT_EQ(NULL, field(&self->t, 161, 0));
	ASSERT_EQ(8, field(&self->t, 153, 0)->len);
	ASSERT_EQ(1, records_in(self->out, &self->t));
	ASSERT_EQ(60, value(self->out, &self->t, 0, 1, 0));
	ASSERT_EQ(120, value(self->out, &self->t, 0, 1,
			     CTIPFIX_IPFIX_REVERSE_PEN));
	ASSERT_EQ(1700000000250ULL, value(self->out, &self->t, 0, 153, 0));
	ASSERT_EQ(1700000000000ULL, value(self->out, &self->t, 0, 152, 0));
	ASSERT_EQ(4, value(self->out, &self->t, 0, 60, 0));
	ASSERT_EQ(0, value(self->out, &self->t, 0, 61, 0));
	ASSERT_EQ(3, value(self->out, &self->t, 0, 14, 0));
	/* export time and domain as the module's, sequence this session's */
	ASSERT_EQ(0x66000000, get(self->out + 4, 4));
	ASSERT_EQ(0, get(self->out + 8, 4));
	ASSERT_EQ(42, get(self->out + 12, 4));
}

/* uniflow: the initiator's record, then the reply's, paired */
TEST_F(fmt, uniflow_makes_two_records_initiator_first)
{
	const struct out_template *t = &self->t;

	ipfix_format_init(&self->f, IPFIX_FORMAT_UNIFLOW);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_EQ(0, parse_template(self->out, &self->t));
	/* no reverse IE left; three added */
	ASSERT_EQ(N_COMPACT - 2 + 3, t->n);
	ASSERT_EQ(NULL, field(t, 1, CTIPFIX_IPFIX_REVERSE_PEN));
	ASSERT_EQ(2, records_in(self->out, t));
	ASSERT_EQ(0x0a000001, value(self->out, t, 0, 8, 0));
	ASSERT_EQ(0x0a000002, value(self->out, t, 0, 12, 0));
	ASSERT_EQ(5353, value(self->out, t, 0, 7, 0));
	ASSERT_EQ(60, value(self->out, t, 0, 1, 0));
	ASSERT_EQ(2, value(self->out, t, 0, 10, 0));
	ASSERT_EQ(1, value(self->out, t, 0, 239, 0));
	/* the reply: swapped, its own counts, the same times */
	ASSERT_EQ(0x0a000002, value(self->out, t, 1, 8, 0));
	ASSERT_EQ(0x0a000001, value(self->out, t, 1, 12, 0));
	ASSERT_EQ(53, value(self->out, t, 1, 7, 0));
	ASSERT_EQ(5353, value(self->out, t, 1, 11, 0));
	ASSERT_EQ(120, value(self->out, t, 1, 1, 0));
	ASSERT_EQ(1, value(self->out, t, 1, 2, 0));
	ASSERT_EQ(3, value(self->out, t, 1, 10, 0));
	ASSERT_EQ(2, value(self->out, t, 1, 14, 0));
	ASSERT_EQ(1700000000250ULL, value(self->out, t, 1, 153, 0));
	ASSERT_EQ(17, value(self->out, t, 1, 4, 0));
	ASSERT_EQ(2, value(self->out, t, 1, 239, 0));
	ipfix_format_commit(&self->f);
	/* the next message counts both */
	msg_one(&self->in, 8, 42, 260, compact, N_COMPACT, dns,
		false);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_EQ(2, get(self->out + 8, 4));
}

TEST_F(fmt, uniflow_sends_no_reply_that_had_no_packet)
{
	uint64_t v[N_COMPACT];

	memcpy(v, dns, sizeof(v));
	v[7] = 0;
	v[8] = 0;
	msg_one(&self->in, 7, 42, 260, compact, N_COMPACT, v,
		true);
	ipfix_format_init(&self->f, IPFIX_FORMAT_UNIFLOW);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_EQ(0, parse_template(self->out, &self->t));
	ASSERT_EQ(1, records_in(self->out, &self->t));
	ASSERT_EQ(0, self->f.records_out);	/* until it went */
	ipfix_format_commit(&self->f);
	ASSERT_EQ(1, self->f.records_out);
}

/* the reply comes in to the translated addresses, leaves to the original */
TEST_F(fmt, uniflow_reply_of_a_translated_flow)
{
	static const uint64_t v[N_NAT] = {
		0xc0a80002, 0x08080808, 40000, 53, 17, 60, 1, 120, 1,
		1700000000000ULL, 1700000000250ULL, 3, 2, 3,
		0x0a000001, 0xc0a80064, 61000, 5353,
	};
	const struct out_template *t = &self->t;

	msg_one(&self->in, 0, 1, 270, nat, N_NAT, v,
		true);
	ipfix_format_init(&self->f, IPFIX_FORMAT_UNIFLOW);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_EQ(0, parse_template(self->out, &self->t));
	ASSERT_EQ(2, records_in(self->out, t));
	/* SNAT to 10.0.0.1:61000, DNAT to 192.168.0.100:5353 */
	ASSERT_EQ(0xc0a80064, value(self->out, t, 1, 8, 0));
	ASSERT_EQ(0x0a000001, value(self->out, t, 1, 12, 0));
	ASSERT_EQ(5353, value(self->out, t, 1, 7, 0));
	ASSERT_EQ(61000, value(self->out, t, 1, 11, 0));
	ASSERT_EQ(0x08080808, value(self->out, t, 1, 225, 0));
	ASSERT_EQ(0xc0a80002, value(self->out, t, 1, 226, 0));
	ASSERT_EQ(53, value(self->out, t, 1, 227, 0));
	ASSERT_EQ(40000, value(self->out, t, 1, 228, 0));
	/* the initiator's as the module wrote it */
	ASSERT_EQ(0x0a000001, value(self->out, t, 0, 225, 0));
	ASSERT_EQ(61000, value(self->out, t, 0, 227, 0));
}

TEST_F(fmt, uniflow_reply_of_an_echo_is_an_echo_reply)
{
	uint64_t v[N_COMPACT];

	memcpy(v, dns, sizeof(v));
	v[2] = 0;
	v[3] = 0;
	v[4] = 1;
	v[15] = 8 << 8;
	msg_one(&self->in, 0, 1, 260, compact, N_COMPACT, v,
		true);
	ipfix_format_init(&self->f, IPFIX_FORMAT_UNIFLOW);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_EQ(0, parse_template(self->out, &self->t));
	ASSERT_EQ(8 << 8, value(self->out, &self->t, 0, 32, 0));
	ASSERT_EQ(0, value(self->out, &self->t, 1, 32, 0));
}

/* the module's lost records stay a gap; a message not sent moves nothing */
TEST_F(fmt, sequence_keeps_the_modules_gaps_and_waits_for_commit)
{
	ipfix_format_init(&self->f, IPFIX_FORMAT_STANDARD);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ipfix_format_commit(&self->f);
	/* 3 records lost in the module: 7 + 1 + 3 */
	msg_one(&self->in, 11, 42, 260, compact, N_COMPACT, dns,
		false);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_EQ(1 + 3, get(self->out + 8, 4));
	/* not committed (held for a retry): the same number again */
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_EQ(1 + 3, get(self->out + 8, 4));
	ipfix_format_commit(&self->f);
	msg_one(&self->in, 12, 42, 260, compact, N_COMPACT, dns,
		false);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_EQ(5, get(self->out + 8, 4));
	/* another domain has its own numbers */
	msg_one(&self->in, 500, 43, 260, compact, N_COMPACT, dns,
		false);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_EQ(0, get(self->out + 8, 4));
}

/* what grows past max_len goes in more messages, each numbered right */
TEST_F(fmt, grown_messages_split_at_max_len)
{
	size_t n, off = 0, msgs = 0, records = 0, len;
	const size_t max_len = 512;
	int i;

	msg_start(&self->in, 0, 42);
	msg_template(&self->in, 260, compact, N_COMPACT);
	set_open(&self->in, 260);
	for (i = 0; i < 40; i++)
		msg_record(&self->in, compact, N_COMPACT, dns);
	set_close(&self->in);
	ipfix_format_init(&self->f, IPFIX_FORMAT_UNIFLOW);
	n = ipfix_format_message(&self->f, self->in.p, self->in.len,
				 self->out, sizeof(self->out), max_len);
	ASSERT_LT(self->in.len, n);	/* grown: more than one message */
	ASSERT_EQ(0, parse_template(self->out, &self->t));
	while (off < n) {
		len = get(self->out + off + 2, 2);
		ASSERT_LE(len, max_len);
		ASSERT_EQ(10, get(self->out + off, 2));
		ASSERT_EQ(records, get(self->out + off + 8, 4));
		records += records_in(self->out + off, &self->t);
		off += len;
		msgs++;
	}
	ASSERT_EQ(n, off);
	ASSERT_EQ(80, records);
	ASSERT_LT(3, msgs);
	ASSERT_EQ(0, self->f.overflows);
}

/* what did not fit is counted, and the collector's sequence shows it */
TEST_F(fmt, too_little_room_is_counted_and_a_gap)
{
	ipfix_format_init(&self->f, IPFIX_FORMAT_UNIFLOW);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     100, 1400);
	ASSERT_EQ(0, self->f.overflows);	/* counted once committed */
	ipfix_format_commit(&self->f);
	ASSERT_EQ(1, self->f.overflows);
	msg_one(&self->in, 8, 42, 260, compact, N_COMPACT, dns,
		false);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_LE(1, get(self->out + 8, 4));
}

/* a reloaded module numbers from 0 again: no gap read from that */
TEST_F(fmt, restart_reads_no_gap)
{
	ipfix_format_init(&self->f, IPFIX_FORMAT_STANDARD);
	msg_one(&self->in, 0x80000010, 42, 260, compact, N_COMPACT, dns,
		true);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ipfix_format_commit(&self->f);
	ipfix_format_restart(&self->f);
	msg_one(&self->in, 0, 42, 260, compact, N_COMPACT, dns,
		false);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_EQ(1, get(self->out + 8, 4));
}

/* past the table's size a domain takes another's place, counted */
TEST_F(fmt, domains_past_the_table)
{
	uint32_t dom;

	ipfix_format_init(&self->f, IPFIX_FORMAT_STANDARD);
	for (dom = 1; dom <= IPFIX_FORMAT_MAX_DOMAINS + 1; dom++) {
		msg_one(&self->in, 0, dom, 260, compact, N_COMPACT, dns,
			true);
		ASSERT_LT(0, ipfix_format_message(&self->f, self->in.p,
						  self->in.len, self->out,
						  sizeof(self->out), 1400));
		ipfix_format_commit(&self->f);
	}
	ASSERT_EQ(1, self->f.evicted);
}

/* the reply's VLAN is not known: the module keeps the first packet's */
TEST_F(fmt, uniflow_reply_has_no_vlan)
{
	static const struct tdef vlan[] = {
		{ 8, 4 }, { 12, 4 }, { 1, 8 }, { 2, 8 }, { 1 | REV, 8 },
		{ 2 | REV, 8 }, { 152, 8 }, { 153, 8 }, { 136, 1 }, { 58, 2 },
	};
	static const uint64_t v[] = {
		0x0a000001, 0x0a000002, 60, 1, 120, 1, 1, 2, 3, 100,
	};

	msg_one(&self->in, 0, 1, 280, vlan, 10, v,
		true);
	ipfix_format_init(&self->f, IPFIX_FORMAT_UNIFLOW);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_EQ(0, parse_template(self->out, &self->t));
	ASSERT_EQ(100, value(self->out, &self->t, 0, 58, 0));
	ASSERT_EQ(0, value(self->out, &self->t, 1, 58, 0));
}

/* data before its template: skipped and counted, no false gap after */
TEST_F(fmt, unknown_template_is_skipped)
{
	size_t n;

	ipfix_format_init(&self->f, IPFIX_FORMAT_STANDARD);
	msg_one(&self->in, 3, 42, 260, compact, N_COMPACT, dns,
		false);
	n = ipfix_format_message(&self->f, self->in.p, self->in.len,
				 self->out, sizeof(self->out), 1400);
	ASSERT_EQ(0, n);
	ipfix_format_commit(&self->f);
	ASSERT_EQ(1, self->f.unknown);
	msg_one(&self->in, 9, 42, 260, compact, N_COMPACT, dns,
		true);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ASSERT_EQ(0, get(self->out + 8, 4));
}

/* the statistics domain's options records go on as they are */
TEST_F(fmt, options_records_pass_unchanged)
{
	static const uint8_t body[] = {
		1, 2, 0, 2, 0, 1,	/* 258: 2 fields, 1 scope */
		0, 149, 0, 4, 0, 166, 0, 8,
	};
	static const uint8_t rec[] = { 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0, 5 };
	size_t n, t, d;

	msg_options(&self->in, body, sizeof(body), (const uint8_t *)rec,
		    sizeof(rec));
	ipfix_format_init(&self->f, IPFIX_FORMAT_UNIFLOW);
	n = ipfix_format_message(&self->f, self->in.p, self->in.len,
				 self->out, sizeof(self->out), 1400);
	ASSERT_EQ(self->in.len, n);
	t = find_set(self->out, 3);
	d = find_set(self->out, 258);
	ASSERT_NE(0, t);
	ASSERT_NE(0, d);
	ASSERT_EQ(0, memcmp(self->out + t + 4, body, sizeof(body)));
	ASSERT_EQ(0, memcmp(self->out + d + 4, rec, sizeof(rec)));
}

/*
 * The statistics of a flows' domain count what this collector was sent
 * there: uniflow made two records of one, in one message; a message given
 * up (committed, none of it sent) counts nothing. The losses stay the
 * module's.
 */
TEST_F(fmt, options_count_what_this_collector_was_sent)
{
	static const uint8_t body[] = {
		1, 2, 0, 4, 0, 1,	/* 258: 4 fields, 1 scope */
		0, 149, 0, 4, 0, 41, 0, 8, 0, 42, 0, 8, 0, 166, 0, 8,
	};
	/* the module wrote 1 message, 1 record in domain 42; 43: none here */
	static const uint8_t rec[2][28] = {
		{ 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
		  0, 0, 0, 0, 0, 0, 0, 5 },
		{ 0, 0, 0, 43, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 9,
		  0, 0, 0, 0, 0, 0, 0, 6 },
	};
	struct msg stats;
	size_t d, n;

	msg_options(&stats, body, sizeof(body), (const uint8_t *)rec,
		    sizeof(rec));

	ipfix_format_init(&self->f, IPFIX_FORMAT_UNIFLOW);
	/* tried, given up: nothing counted */
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ipfix_format_commit(&self->f);
	n = ipfix_format_message(&self->f, stats.p, stats.len, self->out,
				 sizeof(self->out), 1400);
	ASSERT_EQ(stats.len, n);
	d = find_set(self->out, 258);
	ASSERT_NE(0, d);
	EXPECT_EQ(42, get(self->out + d + 4, 4));
	EXPECT_EQ(0, get(self->out + d + 8, 8));
	EXPECT_EQ(0, get(self->out + d + 16, 8));
	ipfix_format_commit(&self->f);
	/* sent: its one message with two records; no message 1 to count */
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ipfix_format_sent(&self->f, 0);
	ipfix_format_sent(&self->f, 1);
	ipfix_format_commit(&self->f);
	ipfix_format_message(&self->f, stats.p, stats.len, self->out,
			     sizeof(self->out), 1400);
	d = find_set(self->out, 258);
	EXPECT_EQ(42, get(self->out + d + 4, 4));
	EXPECT_EQ(1, get(self->out + d + 8, 8));
	EXPECT_EQ(2, get(self->out + d + 16, 8));
	EXPECT_EQ(5, get(self->out + d + 24, 8));
	/* a domain this collector was sent nothing in */
	EXPECT_EQ(43, get(self->out + d + 32, 4));
	EXPECT_EQ(0, get(self->out + d + 36, 8));
	EXPECT_EQ(0, get(self->out + d + 44, 8));
	EXPECT_EQ(6, get(self->out + d + 52, 8));
	/* given up after its first message went: that one counts */
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ipfix_format_sent(&self->f, 0);
	ipfix_format_commit(&self->f);
	ipfix_format_message(&self->f, stats.p, stats.len, self->out,
			     sizeof(self->out), 1400);
	d = find_set(self->out, 258);
	EXPECT_EQ(2, get(self->out + d + 8, 8));
	EXPECT_EQ(4, get(self->out + d + 16, 8));
}

/* a reduced-size count says its largest value, not the low bytes */
TEST_F(fmt, options_reduced_count_saturates)
{
	static const uint8_t body[] = {
		1, 2, 0, 2, 0, 1,	/* 258: 2 fields, 1 scope */
		0, 149, 0, 4, 0, 42, 0, 1,
	};
	static const uint8_t rec[] = { 0, 0, 0, 42, 1 };
	struct msg stats;
	size_t d;

	msg_options(&stats, body, sizeof(body), (const uint8_t *)rec,
		    sizeof(rec));
	ipfix_format_init(&self->f, IPFIX_FORMAT_UNIFLOW);
	ipfix_format_message(&self->f, self->in.p, self->in.len, self->out,
			     sizeof(self->out), 1400);
	ipfix_format_sent(&self->f, 0);
	ipfix_format_commit(&self->f);
	self->f.domains[0].records = 300;
	ipfix_format_message(&self->f, stats.p, stats.len, self->out,
			     sizeof(self->out), 1400);
	d = find_set(self->out, 258);
	ASSERT_NE(0, d);
	EXPECT_EQ(255, get(self->out + d + 8, 1));
}

TEST_HARNESS_MAIN
