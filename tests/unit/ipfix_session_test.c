// SPDX-License-Identifier: GPL-2.0
/* Each template before its first use in a transport session, per domain. */
#include <string.h>

#include "kselftest_harness.h"
#include "ipfix_session.h"

/* the module's set: template 256 (one IPv4 address), 257 (two) */
static const uint8_t set[] = {
	0, 2, 0, 24,
	1, 0, 0, 1, 0, 8, 0, 4,
	1, 1, 0, 2, 0, 8, 0, 4, 0, 12, 0, 4,
};
#define T256_LEN	8
#define T257_LEN	12

struct msg {
	uint8_t p[128];
	size_t len;
};

/* a message header in @domain, sequence 0x01020304 */
static void msg_start(struct msg *m, uint32_t domain)
{
	memset(m, 0, sizeof(*m));
	m->p[1] = 10;
	m->p[4] = 0x11;			/* export time */
	m->p[8] = 1, m->p[9] = 2, m->p[10] = 3, m->p[11] = 4;
	m->p[12] = domain >> 24, m->p[13] = domain >> 16;
	m->p[14] = domain >> 8, m->p[15] = domain;
	m->len = 16;
}

static void msg_set(struct msg *m, uint16_t id, const uint8_t *body,
		    size_t len)
{
	m->p[m->len] = id >> 8;
	m->p[m->len + 1] = id & 0xff;
	m->p[m->len + 2] = (len + 4) >> 8;
	m->p[m->len + 3] = (len + 4) & 0xff;
	memcpy(m->p + m->len + 4, body, len);
	m->len += len + 4;
	m->p[2] = m->len >> 8;
	m->p[3] = m->len & 0xff;
}

/* a data set of one record in template @id */
static void msg_data(struct msg *m, uint16_t id)
{
	static const uint8_t record[8] = { 10, 0, 0, 1, 10, 0, 0, 2 };

	msg_set(m, id, record, id == 256 ? 4 : 8);
}

/* a template set with template @id as the module defines it */
static void msg_template(struct msg *m, uint16_t id)
{
	msg_set(m, 2, id == 256 ? set + 4 : set + 4 + T256_LEN,
		id == 256 ? T256_LEN : T257_LEN);
}

FIXTURE(session) {
	struct ipfix_session s;
	struct msg m;
	uint8_t out[256];
};

FIXTURE_SETUP(session)
{
	memset(&self->s, 0, sizeof(self->s));
	ipfix_session_start(&self->s, set, sizeof(set));
}

FIXTURE_TEARDOWN(session)
{
}

static size_t prime(FIXTURE_DATA(session) *self)
{
	return ipfix_session_prime(&self->s, self->m.p, self->m.len,
				   self->out, sizeof(self->out));
}

TEST_F(session, data_first_gets_its_template_in_front)
{
	size_t n;

	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	n = prime(self);
	ASSERT_EQ(16 + 4 + T256_LEN, n);
	EXPECT_EQ(10, self->out[1]);
	EXPECT_EQ(n, (size_t)(self->out[2] << 8 | self->out[3]));
	/* same export time, sequence number and domain as the data */
	EXPECT_EQ(0, memcmp(self->out + 4, self->m.p + 4, 12));
	/* a template set of template 256 alone */
	EXPECT_EQ(2, self->out[17]);
	EXPECT_EQ(4 + T256_LEN, self->out[19]);
	EXPECT_EQ(0, memcmp(self->out + 20, set + 4, T256_LEN));
	/* counted once it went */
	EXPECT_EQ(0, self->s.primed_messages);
	ipfix_session_primer_sent(&self->s);
	EXPECT_EQ(1, self->s.primed_messages);
}

TEST_F(session, once_per_domain)
{
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	ASSERT_NE(0, prime(self));
	EXPECT_EQ(0, prime(self));
	msg_start(&self->m, 8);
	msg_data(&self->m, 256);
	EXPECT_NE(0, prime(self));
}

TEST_F(session, only_what_is_missing)
{
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	ASSERT_NE(0, prime(self));
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	msg_data(&self->m, 257);
	ASSERT_EQ(16 + 4 + T257_LEN, prime(self));
	EXPECT_EQ(0, memcmp(self->out + 20, set + 4 + T256_LEN, T257_LEN));
}

TEST_F(session, message_carrying_its_template_needs_none)
{
	msg_start(&self->m, 7);
	msg_template(&self->m, 256);
	msg_data(&self->m, 256);
	EXPECT_EQ(0, prime(self));
	/* and the domain has it from then on */
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	EXPECT_EQ(0, prime(self));
}

/* written for an earlier reader: it carries one template, uses another */
TEST_F(session, a_template_carried_is_not_all)
{
	msg_start(&self->m, 7);
	msg_template(&self->m, 257);
	msg_data(&self->m, 256);
	msg_data(&self->m, 257);
	ASSERT_EQ(16 + 4 + T256_LEN, prime(self));
}

TEST_F(session, a_template_after_its_use_is_too_late)
{
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	msg_template(&self->m, 256);
	EXPECT_EQ(16 + 4 + T256_LEN, prime(self));
}

TEST_F(session, options_template_carried)
{
	/* template 258: one scope field (observationDomainId), one more */
	static const uint8_t options[] = {
		1, 2, 0, 2, 0, 1, 0, 149, 0, 4, 0, 41, 0, 8,
	};

	msg_start(&self->m, 9);
	msg_set(&self->m, 3, options, sizeof(options));
	msg_data(&self->m, 258);
	EXPECT_EQ(0, prime(self));
}

TEST_F(session, unsent_message_needs_templates_again)
{
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	ASSERT_NE(0, prime(self));
	msg_start(&self->m, 8);
	msg_data(&self->m, 256);
	ASSERT_NE(0, prime(self));
	/* domain 8's message went nowhere: its retry is primed again */
	ipfix_session_unprime(&self->s, self->m.p, self->m.len, false);
	EXPECT_NE(0, prime(self));
	/* domain 7 keeps its templates */
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	EXPECT_EQ(0, prime(self));
}

TEST_F(session, unprimed_it_forgets_only_what_that_message_brought)
{
	struct msg first;

	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	ASSERT_NE(0, prime(self));
	first = self->m;
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	msg_data(&self->m, 257);
	ASSERT_EQ(16 + 4 + T257_LEN, prime(self));
	/* it did not go: 257 is needed again, 256 went before it */
	ipfix_session_unprime(&self->s, self->m.p, self->m.len, false);
	EXPECT_EQ(16 + 4 + T257_LEN, prime(self));
	/* an earlier message's undo is gone: nothing changes */
	ipfix_session_unprime(&self->s, first.p, first.len, false);
	EXPECT_EQ(0, prime(self));
}

TEST_F(session, behind_it_keeps_the_primer_that_went)
{
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	msg_template(&self->m, 257);
	ASSERT_EQ(16 + 4 + T256_LEN, prime(self));
	ipfix_session_primer_sent(&self->s);
	/* lost for lag: 256 went in its primer, 257 was in the message */
	ipfix_session_unprime(&self->s, self->m.p, self->m.len, true);
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	msg_data(&self->m, 257);
	EXPECT_EQ(16 + 4 + T257_LEN, prime(self));
}

TEST_F(session, tried_again_it_keeps_the_undo_of_its_first_try)
{
	/* the first message of domain 7 carries 257 and uses 256 */
	msg_start(&self->m, 7);
	msg_template(&self->m, 257);
	msg_data(&self->m, 256);
	ASSERT_EQ(16 + 4 + T256_LEN, prime(self));
	ipfix_session_primer_sent(&self->s);
	/* its turn had not come: tried again, nothing more in front */
	ASSERT_EQ(0, prime(self));
	/* then lost: 256 went in the primer, 257 never went */
	ipfix_session_unprime(&self->s, self->m.p, self->m.len, true);
	msg_start(&self->m, 7);
	msg_data(&self->m, 257);
	EXPECT_EQ(16 + 4 + T257_LEN, prime(self));
}

TEST_F(session, new_session_primes_again)
{
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	ASSERT_NE(0, prime(self));
	ipfix_session_start(&self->s, set, sizeof(set));
	EXPECT_NE(0, prime(self));
}

TEST_F(session, no_templates_known_sends_nothing)
{
	ipfix_session_start(&self->s, set, 0);
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	EXPECT_EQ(0, prime(self));
}

/* sets that lie about their length end the walk, nothing read past */
TEST_F(session, malformed_sets)
{
	msg_start(&self->m, 7);
	msg_data(&self->m, 256);
	self->m.p[19] = 0;		/* set length 0 */
	EXPECT_EQ(0, prime(self));
	msg_start(&self->m, 8);
	msg_data(&self->m, 256);
	self->m.p[19] = 200;		/* past the message */
	EXPECT_EQ(0, prime(self));
	/* a template record whose fields run past its set */
	msg_start(&self->m, 9);
	msg_set(&self->m, 2, (const uint8_t[]){ 1, 0, 0, 9, 0, 8 }, 6);
	msg_data(&self->m, 256);
	EXPECT_EQ(16 + 4 + T256_LEN, prime(self));
}

/*
 * The module's ids reach CTIPFIX_TEMPLATE_ID_MAX, past a 64-bit word of
 * them: each is followed apart, the last one too.
 */
TEST(ids_past_the_first_word)
{
	static const uint8_t high[] = {
		0, 2, 0, 28,
		0x01, 0x00, 0, 1, 0, 8, 0, 4,
		0x01, 0x40, 0, 1, 0, 8, 0, 4,
		CTIPFIX_TEMPLATE_ID_MAX >> 8, CTIPFIX_TEMPLATE_ID_MAX & 0xff,
		0, 1, 0, 8, 0, 4,
	};
	static const uint8_t record[4] = { 10, 0, 0, 1 };
	struct ipfix_session s;
	uint8_t out[256];
	struct msg m;

	memset(&s, 0, sizeof(s));
	ipfix_session_start(&s, high, sizeof(high));
	msg_start(&m, 7);
	msg_set(&m, 320, record, sizeof(record));
	ASSERT_EQ(16 + 4 + 8, ipfix_session_prime(&s, m.p, m.len, out,
						     sizeof(out)));
	EXPECT_EQ(0x40, out[21]);
	EXPECT_EQ(0, ipfix_session_prime(&s, m.p, m.len, out, sizeof(out)));
	/* 256 shares 320's bit in another word: given 320, it is not known */
	msg_start(&m, 7);
	msg_set(&m, 256, record, sizeof(record));
	ASSERT_EQ(16 + 4 + 8, ipfix_session_prime(&s, m.p, m.len, out,
						     sizeof(out)));
	EXPECT_EQ(0x00, out[21]);
	msg_start(&m, 7);
	msg_set(&m, CTIPFIX_TEMPLATE_ID_MAX, record, sizeof(record));
	msg_set(&m, 320, record, sizeof(record));
	ASSERT_EQ(16 + 4 + 8, ipfix_session_prime(&s, m.p, m.len, out,
						     sizeof(out)));
	EXPECT_EQ(CTIPFIX_TEMPLATE_ID_MAX & 0xff, out[21]);
	EXPECT_EQ(0, ipfix_session_prime(&s, m.p, m.len, out, sizeof(out)));
	/* one past the module's ids is not followed: nothing to prime */
	msg_start(&m, 7);
	msg_set(&m, CTIPFIX_TEMPLATE_ID_MAX + 1, record, sizeof(record));
	EXPECT_EQ(0, ipfix_session_prime(&s, m.p, m.len, out, sizeof(out)));
}

TEST_HARNESS_MAIN
