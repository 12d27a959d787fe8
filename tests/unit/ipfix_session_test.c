// SPDX-License-Identifier: GPL-2.0
/* Templates first in a new transport session, once per domain. */
#include <string.h>

#include "kselftest_harness.h"
#include "ipfix_session.h"

static const uint8_t set[] = { 0, 2, 0, 12, 1, 0, 0, 1, 0, 8, 0, 4 };

/* a message of @len bytes in @domain, sequence 0x01020304, first set @id */
static void make_msg(uint8_t *p, size_t len, uint32_t domain, uint16_t id)
{
	memset(p, 0, len);
	p[1] = 10;
	p[2] = len >> 8;
	p[3] = len & 0xff;
	p[4] = 0x11;			/* export time */
	p[8] = 1, p[9] = 2, p[10] = 3, p[11] = 4;
	p[12] = domain >> 24, p[13] = domain >> 16;
	p[14] = domain >> 8, p[15] = domain;
	p[16] = id >> 8, p[17] = id & 0xff;
}

FIXTURE(session) {
	struct ipfix_session s;
	uint8_t msg[64];
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

TEST_F(session, data_first_gets_templates_in_front)
{
	size_t n;

	make_msg(self->msg, 40, 7, 256);
	n = ipfix_session_prime(&self->s, self->msg, 40, self->out,
				sizeof(self->out));
	ASSERT_EQ(16 + sizeof(set), n);
	EXPECT_EQ(10, self->out[1]);
	EXPECT_EQ(n, (size_t)(self->out[2] << 8 | self->out[3]));
	/* same export time, sequence number and domain as the data */
	EXPECT_EQ(0, memcmp(self->out + 4, self->msg + 4, 12));
	EXPECT_EQ(0, memcmp(self->out + 16, set, sizeof(set)));
	EXPECT_EQ(1, self->s.primed_messages);
}

TEST_F(session, once_per_domain)
{
	make_msg(self->msg, 40, 7, 256);
	ASSERT_NE(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
	EXPECT_EQ(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
	make_msg(self->msg, 40, 8, 256);
	EXPECT_NE(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
}

TEST_F(session, unsent_message_needs_templates_again)
{
	make_msg(self->msg, 40, 7, 256);
	ASSERT_NE(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
	make_msg(self->msg + 0, 40, 8, 256);
	ASSERT_NE(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
	/* domain 8's message went nowhere: its retry is primed again */
	ipfix_session_unprime(&self->s, self->msg, 40);
	EXPECT_NE(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
	/* domain 7 keeps its templates */
	make_msg(self->msg, 40, 7, 256);
	EXPECT_EQ(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
}

TEST_F(session, message_with_templates_primes_itself)
{
	make_msg(self->msg, 40, 7, 2);
	EXPECT_EQ(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
	make_msg(self->msg, 40, 7, 256);
	EXPECT_EQ(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
}

TEST_F(session, options_template_first_primes_itself)
{
	make_msg(self->msg, 40, 9, 3);
	EXPECT_EQ(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
}

TEST_F(session, new_session_primes_again)
{
	make_msg(self->msg, 40, 7, 256);
	ASSERT_NE(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
	ipfix_session_start(&self->s, set, sizeof(set));
	EXPECT_NE(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
}

TEST_F(session, no_templates_known_sends_nothing)
{
	ipfix_session_start(&self->s, set, 0);
	make_msg(self->msg, 40, 7, 256);
	EXPECT_EQ(0, ipfix_session_prime(&self->s, self->msg, 40, self->out,
					 sizeof(self->out)));
}

TEST_HARNESS_MAIN
