// SPDX-License-Identifier: GPL-2.0
/*
 * The TCP control bits a record claims for the initiator (kmod/tcp_flags.h),
 * from what conntrack's TCP tracker recorded, for each way a connection
 * goes: refused, unanswered, open, closed by either side, reset.
 */
#include <linux/kernel.h>

#include "kselftest_harness.h"
#include "tcp_flags.h"

#define S	CTIPFIX_TCP_SYN
#define A	CTIPFIX_TCP_ACK
#define F	CTIPFIX_TCP_FIN
#define R	CTIPFIX_TCP_RST

/* a connection opened by a SYN, in @state */
static struct ctipfix_tcp_seen opened(u8 state)
{
	struct ctipfix_tcp_seen s = {
		.state = state,
		.last_index = 3,	/* an ACK, from the initiator */
		.last_dir = IP_CT_DIR_ORIGINAL,
		.syn_first = true,
	};

	return s;
}

TEST(unanswered_syn)
{
	struct ctipfix_tcp_seen s = opened(TCP_CONNTRACK_SYN_SENT);

	s.last_index = 0;
	EXPECT_EQ(S, ctipfix_tcp_flags(&s));
}

/* refused: the responder's RST; the initiator sent the SYN only */
TEST(refused)
{
	struct ctipfix_tcp_seen s = opened(TCP_CONNTRACK_CLOSE);

	s.last_index = CTIPFIX_TCP_LAST_RST;
	s.last_dir = IP_CT_DIR_REPLY;
	EXPECT_EQ(S, ctipfix_tcp_flags(&s));
}

TEST(established)
{
	struct ctipfix_tcp_seen s = opened(TCP_CONNTRACK_ESTABLISHED);

	s.assured = true;
	EXPECT_EQ(S | A, ctipfix_tcp_flags(&s));
	/* after its first record, the SYN is not claimed again */
	s.syn_first = false;
	EXPECT_EQ(A, ctipfix_tcp_flags(&s));
}

TEST(initiator_closes_first)
{
	struct ctipfix_tcp_seen s = opened(TCP_CONNTRACK_FIN_WAIT);

	s.assured = true;
	s.orig_closed_first = true;
	EXPECT_EQ(S | A | F, ctipfix_tcp_flags(&s));
	s.state = TCP_CONNTRACK_TIME_WAIT;
	EXPECT_EQ(S | A | F, ctipfix_tcp_flags(&s));
}

/* the responder's FIN alone is not the initiator's; with its answer it is */
TEST(responder_closes_first)
{
	struct ctipfix_tcp_seen s = opened(TCP_CONNTRACK_CLOSE_WAIT);

	s.assured = true;
	s.reply_closed_first = true;
	EXPECT_EQ(S | A, ctipfix_tcp_flags(&s));
	s.state = TCP_CONNTRACK_LAST_ACK;
	EXPECT_EQ(S | A | F, ctipfix_tcp_flags(&s));
	s.state = TCP_CONNTRACK_TIME_WAIT;
	EXPECT_EQ(S | A | F, ctipfix_tcp_flags(&s));
}

TEST(initiator_resets)
{
	struct ctipfix_tcp_seen s = opened(TCP_CONNTRACK_CLOSE);

	s.assured = true;
	s.last_index = CTIPFIX_TCP_LAST_RST;
	EXPECT_EQ(S | A | R, ctipfix_tcp_flags(&s));
	/* the responder's RST is not the initiator's */
	s.last_dir = IP_CT_DIR_REPLY;
	EXPECT_EQ(S | A, ctipfix_tcp_flags(&s));
}

/* a RST out of window: noted by the tracker, but the connection goes on */
TEST(rst_out_of_window)
{
	struct ctipfix_tcp_seen s = opened(TCP_CONNTRACK_ESTABLISHED);

	s.assured = true;
	s.last_index = CTIPFIX_TCP_LAST_RST;
	EXPECT_EQ(S | A, ctipfix_tcp_flags(&s));
}

/* picked up mid-stream: no SYN, and an ACK only once answered */
TEST(picked_up)
{
	struct ctipfix_tcp_seen s = opened(TCP_CONNTRACK_ESTABLISHED);

	s.syn_first = false;
	EXPECT_EQ(0, ctipfix_tcp_flags(&s));
	s.assured = true;
	EXPECT_EQ(A, ctipfix_tcp_flags(&s));
}

TEST_HARNESS_MAIN
