// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's queue: what the relay is acknowledged up to, what each
 * collector lost, and what it never loses (a message no collector took).
 */
#include "kselftest_harness.h"
#include "queue.h"

static struct queue q;
static const uint8_t msg[64];

/* @n messages of @len bytes, the i-th ending at relay offset (i + 1) * 100 */
static void push(struct __test_metadata *_metadata, unsigned int n,
		 size_t len)
{
	uint64_t first = q.head;
	unsigned int i;

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, queue_push(&q, msg, len, (first + i + 1) * 100));
}

static unsigned int lost_calls, lost_reader;

static void note_lost(void *ctx, unsigned int r, const struct queue_msg *m)
{
	(void)ctx;
	(void)m;
	lost_calls++;
	lost_reader = r;
}

TEST(one_reader_acknowledges_what_it_took)
{
	queue_init(&q, 1, 1 << 20);
	push(_metadata, 3, 10);
	EXPECT_EQ(30, q.bytes);
	EXPECT_EQ(0, q.acked_end);
	queue_pass(&q, 0, QUEUE_TOOK);
	EXPECT_EQ(100, q.acked_end);
	queue_pass(&q, 0, QUEUE_TOOK);
	queue_pass(&q, 0, QUEUE_TOOK);
	EXPECT_EQ(300, q.acked_end);
	EXPECT_EQ(0, q.bytes);
	EXPECT_EQ(NULL, queue_peek(&q, 0));
	EXPECT_FALSE(queue_unsettled(&q));
}

TEST(the_fastest_reader_moves_the_acknowledgment)
{
	queue_init(&q, 2, 1 << 20);
	push(_metadata, 3, 10);
	queue_pass(&q, 0, QUEUE_TOOK);
	queue_pass(&q, 0, QUEUE_TOOK);
	queue_pass(&q, 0, QUEUE_TOOK);
	/* not pinned at the slow reader, which still has all three */
	EXPECT_EQ(300, q.acked_end);
	EXPECT_EQ(3, queue_behind(&q, 1));
	EXPECT_EQ(30, q.bytes);
	EXPECT_EQ(q.slot[0].data, queue_peek(&q, 1)->data);
	queue_pass(&q, 1, QUEUE_TOOK);
	EXPECT_EQ(20, q.bytes);
	EXPECT_EQ(0, q.lagged[1]);
}

TEST(given_up_by_one_is_not_acknowledged_while_another_may_take_it)
{
	queue_init(&q, 2, 1 << 20);
	push(_metadata, 2, 10);
	queue_pass(&q, 0, QUEUE_TOO_BIG);	/* too big for reader 0 */
	queue_pass(&q, 0, QUEUE_TOOK);	/* the next one went */
	/* the first is settled by nobody yet: no acknowledgment at all */
	EXPECT_EQ(0, q.acked_end);
	EXPECT_TRUE(queue_at_unsettled(&q, 1));
	EXPECT_FALSE(queue_at_unsettled(&q, 0));
	queue_pass(&q, 1, QUEUE_TOO_BIG);	/* too big for reader 1 too */
	EXPECT_EQ(1, q.taken_by_none);
	/* and the second was taken by reader 0 */
	EXPECT_EQ(200, q.acked_end);
}

TEST(taken_by_the_slow_one_settles_it)
{
	queue_init(&q, 2, 1 << 20);
	push(_metadata, 1, 10);
	queue_pass(&q, 0, QUEUE_TOO_BIG);
	EXPECT_EQ(0, q.acked_end);
	queue_pass(&q, 1, QUEUE_TOOK);
	EXPECT_EQ(100, q.acked_end);
	EXPECT_EQ(0, q.taken_by_none);
	EXPECT_EQ(0, q.bytes);
}

TEST(nothing_for_one_is_not_taken_while_another_may_take_it)
{
	queue_init(&q, 2, 20);
	push(_metadata, 2, 10);
	/* nothing of it in reader 0's format; reader 1 has no socket yet */
	queue_pass(&q, 0, QUEUE_NOTHING);
	queue_pass(&q, 0, QUEUE_TOOK);
	EXPECT_EQ(0, q.acked_end);
	/* full: the oldest no reader took is not shed */
	EXPECT_FALSE(queue_shed(&q, NULL, NULL));
	queue_pass(&q, 1, QUEUE_NOTHING);
	/* nothing for anyone: settled, and no loss */
	EXPECT_EQ(200, q.acked_end);
	EXPECT_EQ(0, q.taken_by_none);
}

TEST(a_full_queue_sheds_what_a_reader_took)
{
	queue_init(&q, 2, 40);
	push(_metadata, 4, 10);
	EXPECT_FALSE(queue_fits(&q, 10));
	queue_pass(&q, 0, QUEUE_TOOK);
	/* reader 0 took the oldest, reader 1 loses it */
	lost_calls = 0;
	EXPECT_TRUE(queue_shed(&q, note_lost, NULL));
	EXPECT_EQ(1, lost_calls);
	EXPECT_EQ(1, lost_reader);
	EXPECT_EQ(1, q.lagged[1]);
	EXPECT_EQ(0, q.lagged[0]);
	EXPECT_TRUE(queue_fits(&q, 10));
	EXPECT_EQ(3, queue_behind(&q, 1));
	/* the next oldest no reader took: it stays */
	EXPECT_FALSE(queue_shed(&q, note_lost, NULL));
	EXPECT_EQ(1, lost_calls);
	EXPECT_EQ(100, q.acked_end);
}

TEST(nothing_taken_nothing_shed)
{
	queue_init(&q, 2, 30);
	push(_metadata, 3, 10);
	EXPECT_FALSE(queue_shed(&q, NULL, NULL));
	EXPECT_EQ(-ENOSPC, queue_push(&q, msg, 10, 400));
	EXPECT_EQ(0, q.lagged[0] + q.lagged[1]);
	EXPECT_EQ(0, q.acked_end);
	EXPECT_TRUE(queue_unsettled(&q));
}

TEST(slots_bound_it_too)
{
	unsigned int i;

	queue_init(&q, 1, 1 << 30);
	for (i = 0; i < QUEUE_SLOTS; i++)
		ASSERT_EQ(0, queue_push(&q, msg, 1, i + 1));
	EXPECT_FALSE(queue_fits(&q, 1));
	queue_pass(&q, 0, QUEUE_TOOK);
	EXPECT_TRUE(queue_fits(&q, 1));
	/* the slot freed is the one the next message takes */
	EXPECT_EQ(0, queue_push(&q, msg, 1, QUEUE_SLOTS + 1));
	for (i = 0; i < QUEUE_SLOTS; i++)
		queue_pass(&q, 0, QUEUE_TOOK);
	EXPECT_EQ(QUEUE_SLOTS + 1, q.acked_end);
	EXPECT_EQ(0, q.bytes);
}

TEST(cleared_every_reader_counts_what_it_lost)
{
	queue_init(&q, 2, 1 << 20);
	push(_metadata, 3, 10);
	queue_pass(&q, 0, QUEUE_TOOK);
	queue_clear(&q);
	EXPECT_EQ(2, q.lagged[0]);
	EXPECT_EQ(3, q.lagged[1]);
	EXPECT_EQ(0, q.bytes);
	EXPECT_EQ(0, q.acked_end);
	EXPECT_EQ(NULL, queue_peek(&q, 0));
	/* numbered from 0 again: acknowledgments of the next relay */
	push(_metadata, 1, 10);
	queue_pass(&q, 1, QUEUE_TOOK);
	EXPECT_EQ(100, q.acked_end);
}

TEST(past_the_last_one_a_pass_is_nothing)
{
	queue_init(&q, 1, 1 << 20);
	queue_pass(&q, 0, QUEUE_TOOK);
	EXPECT_EQ(0, q.settled);
	EXPECT_EQ(0, q.acked_end);
}

TEST_HARNESS_MAIN
