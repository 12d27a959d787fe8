// SPDX-License-Identifier: GPL-2.0
/*
 * Pacing: a burst goes at once, what follows goes no faster than the rate,
 * and a datagram that is not due is told when it is, never made to wait
 * here. The clock is the test's own, so the figures are exact.
 */
#include "kselftest_harness.h"
#include "pace.h"
#include "uint_arg.c"

#define MS	1000000ULL
#define T0	(1000 * MS)	/* any start: the monotonic clock is not 0 */

/* Datagrams that go at @now, up to @max, before one is refused. */
static unsigned int go(struct pace *p, uint64_t now, unsigned int max,
		       uint64_t *at)
{
	unsigned int n = 0;

	while (n < max && pace_room(p, now, 1, at)) {
		pace_took(p, now);
		n++;
	}
	return n;
}

TEST(unpaced_always_goes)
{
	struct pace p;
	uint64_t at = 0;

	pace_init(&p, 0);
	EXPECT_EQ(100000, go(&p, T0, 100000, &at));
	EXPECT_EQ(0, p.waits);
	EXPECT_EQ(0, at);
}

TEST(burst_then_one_per_interval)
{
	struct pace p;
	uint64_t at = 0;

	/* 20 a second: one every 50 ms after the burst */
	pace_init(&p, 20);
	EXPECT_EQ(PACE_BURST, go(&p, T0, 1000, &at));
	EXPECT_EQ(T0 + 50 * MS, at);
	EXPECT_EQ(1, p.waits);
	/* asked again, still early: the same datagram, counted once */
	EXPECT_FALSE(pace_room(&p, T0 + 49 * MS, 1, &at));
	EXPECT_EQ(1, p.waits);
	EXPECT_EQ(1, go(&p, T0 + 50 * MS, 1000, &at));
	EXPECT_EQ(50 * MS, p.waited_ns);
	EXPECT_EQ(T0 + 100 * MS, at);
}

TEST(the_rate_holds_over_time)
{
	struct pace p;
	uint64_t at = 0, now = T0;
	unsigned int sent = 0;

	pace_init(&p, 1000);
	/* asked every 0.1 ms for 1 s: the burst, then 1000 more at most */
	for (; now < T0 + 1000 * MS; now += MS / 10)
		sent += go(&p, now, 1000000, &at);
	EXPECT_LE(sent, PACE_BURST + 1000);
	EXPECT_GE(sent, 1000);
}

TEST(idle_time_refills_the_bucket_no_further)
{
	struct pace p;
	uint64_t at = 0;

	pace_init(&p, 1000);
	EXPECT_EQ(PACE_BURST, go(&p, T0, 1000, &at));
	/* 100 ms idle would be 100 turns, but the bucket holds a burst */
	EXPECT_EQ(PACE_BURST, go(&p, T0 + 100 * MS, 1000, &at));
}

TEST(room_for_several_at_once)
{
	struct pace p;
	uint64_t at = 0;

	pace_init(&p, 1000);
	EXPECT_EQ(PACE_BURST - 3, go(&p, T0, PACE_BURST - 3, &at));
	/* three turns left: room for three, not four */
	EXPECT_TRUE(pace_room(&p, T0, 3, &at));
	EXPECT_FALSE(pace_room(&p, T0, 4, &at));
	EXPECT_EQ(T0 + 1 * MS, at);
	/* asking took no turn */
	EXPECT_EQ(3, go(&p, T0, 1000, &at));
	/* more than a burst is asked as a burst, or it never had room */
	EXPECT_TRUE(pace_room(&p, T0 + 1000 * MS, PACE_BURST + 10, &at));
}

TEST(a_send_that_failed_took_no_turn)
{
	struct pace p;
	uint64_t at = 0;
	int i;

	pace_init(&p, 1000);
	/* asked a hundred times, never sent: the burst is still whole */
	for (i = 0; i < 100; i++)
		EXPECT_TRUE(pace_room(&p, T0, 1, &at));
	EXPECT_EQ(PACE_BURST, go(&p, T0, 1000, &at));
}

TEST(rates_parse_in_range)
{
	unsigned int rate;

	EXPECT_EQ(0, pace_parse_rate("0", &rate));
	EXPECT_EQ(0, rate);
	EXPECT_EQ(0, pace_parse_rate("1000000", &rate));
	EXPECT_NE(0, pace_parse_rate("1000001", &rate));
	EXPECT_NE(0, pace_parse_rate("-1", &rate));
}

TEST_HARNESS_MAIN
