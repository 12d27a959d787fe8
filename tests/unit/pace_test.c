// SPDX-License-Identifier: GPL-2.0
/*
 * Pacing: a burst goes at once, what follows goes no faster than the rate.
 * Only lower bounds on time are asserted (a sleep is never shorter than
 * asked), so a slow machine cannot fail them.
 */
#include <time.h>

#include "kselftest_harness.h"
#include "pace.h"
#include "uint_arg.c"

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST(unpaced_never_waits)
{
	struct pace p;
	int i;

	pace_init(&p, 0);
	for (i = 0; i < 100000; i++)
		pace_wait(&p);
	EXPECT_EQ(0, p.waits);
	EXPECT_EQ(0, p.waited_ns);
}

TEST(burst_goes_at_once)
{
	struct pace p;
	int i;

	/* 20 a second: the burst goes well within one interval */
	pace_init(&p, 20);
	for (i = 0; i < PACE_BURST; i++)
		pace_wait(&p);
	EXPECT_EQ(0, p.waits);
	/* and the next one waits its turn */
	pace_wait(&p);
	EXPECT_EQ(1, p.waits);
}

TEST(past_the_burst_the_rate_holds)
{
	const unsigned int rate = 2000, n = PACE_BURST + 200;
	struct pace p;
	double start, took;
	unsigned int i;

	pace_init(&p, rate);
	start = seconds();
	for (i = 0; i < n; i++)
		pace_wait(&p);
	took = seconds() - start;
	/* 200 past the burst at 2000/s: 100 ms at least */
	EXPECT_GE(took, (n - PACE_BURST) / (double)rate);
	EXPECT_GE(p.waits, 1);
	EXPECT_GE(p.waited_ns, 1);
}

TEST(idle_time_refills_the_bucket_no_further)
{
	const unsigned int rate = 1000;
	struct pace p;
	struct timespec pause = { .tv_nsec = 100 * 1000000 };
	unsigned int i;
	double start;

	pace_init(&p, rate);
	for (i = 0; i < PACE_BURST; i++)
		pace_wait(&p);
	/* 100 ms idle would be 100 turns, but the bucket holds a burst */
	nanosleep(&pause, NULL);
	start = seconds();
	for (i = 0; i < PACE_BURST + 20; i++)
		pace_wait(&p);
	EXPECT_GE(seconds() - start, 20 / (double)rate);
}

TEST_HARNESS_MAIN
