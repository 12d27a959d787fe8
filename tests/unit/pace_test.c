// SPDX-License-Identifier: GPL-2.0
/*
 * Pacing: a burst goes at once, what follows goes no faster than the rate,
 * and idle time refills the burst, no more. The clock is the test's own,
 * so nothing here depends on how fast the machine runs.
 */
#include "kselftest_harness.h"
#include "pace.h"
#include "uint_arg.c"

#define MS	1000000ULL
#define T0	(1000 * MS)	/* any time: the bucket starts empty */

/* how many datagrams may go at @now, each taking its turn */
static unsigned int take_all(struct pace *p, uint64_t now)
{
	unsigned int n = 0;

	while (n < 1000000 && pace_take(p, now))
		n++;
	return n;
}

TEST(unpaced_never_waits)
{
	struct pace p;

	pace_init(&p, 0);
	EXPECT_EQ(1000000, take_all(&p, T0));
	EXPECT_EQ(0, pace_due_in_ns(&p, T0));
}

TEST(burst_goes_at_once_then_one_a_turn)
{
	struct pace p;

	/* 20 a second: a turn every 50 ms */
	pace_init(&p, 20);
	EXPECT_EQ(PACE_BURST, take_all(&p, T0));
	/* the next turn is one interval on, and not before */
	EXPECT_EQ(50 * MS, pace_due_in_ns(&p, T0));
	EXPECT_EQ(0, take_all(&p, T0 + 49 * MS));
	EXPECT_EQ(1, take_all(&p, T0 + 50 * MS));
	EXPECT_EQ(0, take_all(&p, T0 + 99 * MS));
	EXPECT_EQ(1, take_all(&p, T0 + 100 * MS));
}

TEST(past_the_burst_the_rate_holds)
{
	const unsigned int rate = 2000;
	unsigned int went = 0;
	struct pace p;
	uint64_t t;

	pace_init(&p, rate);
	went = take_all(&p, T0);
	/* a second later, asked every ms: the rate's worth, give or take one */
	for (t = T0 + MS; t <= T0 + 1000 * MS; t += MS)
		went += take_all(&p, t);
	EXPECT_GE(went, PACE_BURST + rate - 1);
	EXPECT_LE(went, PACE_BURST + rate + 1);
}

TEST(idle_time_refills_the_bucket_no_further)
{
	struct pace p;

	pace_init(&p, 1000);
	EXPECT_EQ(PACE_BURST, take_all(&p, T0));
	/* 100 ms idle would be 100 turns, but the bucket holds a burst */
	EXPECT_EQ(PACE_BURST, take_all(&p, T0 + 100 * MS));
}

TEST_HARNESS_MAIN
