// SPDX-License-Identifier: GPL-2.0
/*
 * A collector's queue (userspace/ctipfixd/outq.c): datagrams come out as
 * they went in, whole and in order, with the time each was queued; the
 * room left behind by the head is used again; past OUTQ_MAX, no room.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "outq.h"

/* Is @q's first datagram @want, queued at @since with @tag? */
static bool first_is(const struct outq *q, const char *want, uint64_t since,
		     uint64_t tag)
{
	uint64_t at;
	size_t len;
	const uint8_t *d = outq_peek(q, &len, &at);

	return d && len == strlen(want) && !memcmp(d, want, len) &&
	       at == since && outq_first_tag(q, 0) == tag;
}

TEST(first_in_first_out)
{
	struct outq q = { 0 };
	uint64_t since;
	size_t len;

	ASSERT_TRUE(outq_push(&q, "one", 3, 10, 100));
	ASSERT_TRUE(outq_push(&q, "second", 6, 20, 200));
	EXPECT_EQ(2, q.count);
	EXPECT_EQ(9, q.bytes);
	EXPECT_TRUE(first_is(&q, "one", 10, 100));
	outq_pop(&q);
	EXPECT_TRUE(first_is(&q, "second", 20, 200));
	outq_pop(&q);
	EXPECT_TRUE(outq_empty(&q));
	EXPECT_EQ(NULL, outq_peek(&q, &len, &since));
	EXPECT_EQ(7, outq_first_tag(&q, 7));
	outq_free(&q);
}

TEST(full_at_its_most_then_room_again)
{
	static uint8_t dgram[1400];
	struct outq q = { 0 };
	size_t n = 0, len;
	uint64_t since;
	unsigned int i;

	while (outq_push(&q, dgram, sizeof(dgram), n, 0)) {
		dgram[0] = ++n;
		ASSERT_LE(q.size, OUTQ_MAX);
	}
	/* as many as OUTQ_MAX holds, with each entry's 20 bytes */
	EXPECT_EQ(OUTQ_MAX / (sizeof(dgram) + 20), n);
	EXPECT_EQ(n, q.count);
	/* half out: their room is the tail's again, and order kept */
	for (i = 0; i < n / 2; i++)
		outq_pop(&q);
	for (i = 0; i < n / 2; i++)
		ASSERT_TRUE(outq_push(&q, dgram, sizeof(dgram), 0, 0));
	EXPECT_EQ(n, q.count);
	/* the first now: the one pushed n / 2-th, its time and bytes */
	ASSERT_NE(NULL, outq_peek(&q, &len, &since));
	EXPECT_EQ(n / 2, since);
	EXPECT_EQ((uint8_t)(n / 2), outq_peek(&q, &len, &since)[0]);
	outq_free(&q);
}

TEST(clear_forgets_and_counts)
{
	struct outq q = { 0 };

	ASSERT_TRUE(outq_push(&q, "a", 1, 0, 0));
	ASSERT_TRUE(outq_push(&q, "b", 1, 0, 0));
	EXPECT_EQ(2, outq_clear(&q));
	EXPECT_TRUE(outq_empty(&q));
	EXPECT_EQ(0, q.bytes);
	ASSERT_TRUE(outq_push(&q, "c", 1, 0, 0));
	EXPECT_EQ(1, q.count);
	outq_free(&q);
}

TEST_HARNESS_MAIN
