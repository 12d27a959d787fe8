// SPDX-License-Identifier: GPL-2.0
/*
 * The module's packed record of what a flow exported (kmod/flow_counts.h):
 * deltas must be exact across the wrap of the packed fields, and whatever
 * conntrack's 64-bit totals are.
 */
#include <stdint.h>

typedef uint64_t u64;
typedef uint32_t u32;

#include "kselftest_harness.h"
#include "flow_counts.h"

struct sent {
	u64 lo;
	u32 hi;
};

/* the delta of (packets, bytes) after a record at (p0, b0) */
static void take_after(u64 p0, u64 b0, u64 p1, u64 b1, u64 *dp, u64 *db)
{
	struct sent s = { 0, 0 };
	u64 ignored;

	ctipfix_sent_take(&s.lo, &s.hi, p0, b0, &ignored, &ignored);
	ctipfix_sent_take(&s.lo, &s.hi, p1, b1, dp, db);
}

/* a record at (p0, b0), then conntrack at (p1, b1): deltas (dp, db) */
#define EXPECT_DELTAS(p0, b0, p1, b1, dp, db) do {			\
	u64 got_p, got_b;						\
									\
	take_after(p0, b0, p1, b1, &got_p, &got_b);			\
	EXPECT_EQ(dp, got_p);						\
	EXPECT_EQ(db, got_b);						\
} while (0)

TEST(first_record_counts_everything)
{
	struct sent s = { 0, 0 };
	u64 dp, db;

	ctipfix_sent_take(&s.lo, &s.hi, 3, 180, &dp, &db);
	EXPECT_EQ(3, dp);
	EXPECT_EQ(180, db);
}

TEST(small_deltas)
{
	EXPECT_DELTAS(3, 180, 10, 1500,
		      7, 1320);
}

TEST(idle_flow_adds_nothing)
{
	EXPECT_DELTAS(1000, 64000, 1000, 64000,
		      0, 0);
}

TEST(packets_cross_the_12_bits_kept_low)
{
	EXPECT_DELTAS(4090, 0, 4100, 0,
		      10, 0);
}

TEST(packed_packets_wrap_at_2_44)
{
	EXPECT_DELTAS((1ULL << 44) - 5, 1, (1ULL << 44) + 10, 2,
		      15, 1);
}

TEST(packed_bytes_wrap_at_2_52)
{
	EXPECT_DELTAS(1, (1ULL << 52) - 100, 2, (1ULL << 52) + 1400,
		      1, 1500);
}

TEST(large_conntrack_totals)
{
	EXPECT_DELTAS((1ULL << 60) + 2, (1ULL << 63) + 9,
		      (1ULL << 60) + 7, (1ULL << 63) + 9 + (1ULL << 40),
		      5, 1ULL << 40);
}

TEST(sixteen_hours_at_line_rate_fit)
{
	/* 100 Gbit/s of 64-byte frames on one flow for 16 hours */
	u64 packets = 148800000ULL * 16 * 3600, bytes = packets * 64;

	EXPECT_DELTAS(12345, 678910, 12345 + packets, 678910 + bytes,
		      packets, bytes);
}

TEST(counters_zeroed_then_counting_again)
{
	/* conntrack -Z after 500 packets: 3 more since, 240 bytes */
	EXPECT_DELTAS(500, 700000, 3, 240,
		      3, 240);
}

TEST(counters_zeroed_then_more_bytes_than_before)
{
	/* 10 small packets, zeroed, then 2 large ones: fewer packets tell */
	EXPECT_DELTAS(10, 1000, 2, 3000,
		      2, 3000);
}

TEST(counters_zeroed_and_idle_since)
{
	EXPECT_DELTAS(500, 700000, 0, 0,
		      0, 0);
}

TEST(counters_zeroed_after_the_bytes_wrapped)
{
	/* totals past 2^52 bytes, then zeroed */
	EXPECT_DELTAS(9, (1ULL << 52) + 1000, 1, 60,
		      1, 60);
}

TEST(a_day_at_208_gbit_is_growth_not_zeroing)
{
	/* just under 2^51 bytes in one record's time */
	u64 bytes = (1ULL << 51) - 1, packets = bytes / 1500;

	EXPECT_DELTAS(7, 7 * 1500, 7 + packets, 7 * 1500 + bytes,
		      packets, bytes);
}

TEST(pack_round_trip)
{
	u64 lo;
	u32 hi;

	ctipfix_sent_pack(&lo, &hi, CTIPFIX_SENT_PACKET_MASK,
			  CTIPFIX_SENT_BYTE_MASK);
	EXPECT_EQ(CTIPFIX_SENT_PACKET_MASK, ctipfix_sent_packets(lo, hi));
	EXPECT_EQ(CTIPFIX_SENT_BYTE_MASK, ctipfix_sent_bytes(lo));
	ctipfix_sent_pack(&lo, &hi, 0xabcdef12345ULL, 0x9876543210abcULL);
	EXPECT_EQ(0xabcdef12345ULL, ctipfix_sent_packets(lo, hi));
	EXPECT_EQ(0x9876543210abcULL, ctipfix_sent_bytes(lo));
}

TEST_HARNESS_MAIN
