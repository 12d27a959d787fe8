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
	u64 dp, db;

	take_after(3, 180, 10, 1500, &dp, &db);
	EXPECT_EQ(7, dp);
	EXPECT_EQ(1320, db);
}

TEST(idle_flow_adds_nothing)
{
	u64 dp, db;

	take_after(1000, 64000, 1000, 64000, &dp, &db);
	EXPECT_EQ(0, dp);
	EXPECT_EQ(0, db);
}

TEST(packets_cross_the_12_bits_kept_low)
{
	u64 dp, db;

	take_after(4090, 0, 4100, 0, &dp, &db);
	EXPECT_EQ(10, dp);
	EXPECT_EQ(0, db);
}

TEST(packed_packets_wrap_at_2_44)
{
	u64 dp, db;

	take_after((1ULL << 44) - 5, 1, (1ULL << 44) + 10, 2, &dp, &db);
	EXPECT_EQ(15, dp);
	EXPECT_EQ(1, db);
}

TEST(packed_bytes_wrap_at_2_52)
{
	u64 dp, db;

	take_after(1, (1ULL << 52) - 100, 2, (1ULL << 52) + 1400, &dp, &db);
	EXPECT_EQ(1, dp);
	EXPECT_EQ(1500, db);
}

TEST(large_conntrack_totals)
{
	u64 dp, db;

	take_after((1ULL << 60) + 2, (1ULL << 63) + 9, (1ULL << 60) + 7,
		   (1ULL << 63) + 9 + (1ULL << 40), &dp, &db);
	EXPECT_EQ(5, dp);
	EXPECT_EQ(1ULL << 40, db);
}

TEST(sixteen_hours_at_line_rate_fit)
{
	/* 100 Gbit/s of 64-byte frames on one flow for 16 hours */
	u64 packets = 148800000ULL * 16 * 3600, bytes = packets * 64;
	u64 dp, db;

	take_after(12345, 678910, 12345 + packets, 678910 + bytes, &dp, &db);
	EXPECT_EQ(packets, dp);
	EXPECT_EQ(bytes, db);
}

TEST(counters_zeroed_then_counting_again)
{
	u64 dp, db;

	/* conntrack -Z after 500 packets: 3 more since, 240 bytes */
	take_after(500, 700000, 3, 240, &dp, &db);
	EXPECT_EQ(3, dp);
	EXPECT_EQ(240, db);
}

TEST(counters_zeroed_then_more_bytes_than_before)
{
	u64 dp, db;

	/* 10 small packets, zeroed, then 2 large ones: fewer packets tell */
	take_after(10, 1000, 2, 3000, &dp, &db);
	EXPECT_EQ(2, dp);
	EXPECT_EQ(3000, db);
}

TEST(counters_zeroed_and_idle_since)
{
	u64 dp, db;

	take_after(500, 700000, 0, 0, &dp, &db);
	EXPECT_EQ(0, dp);
	EXPECT_EQ(0, db);
}

TEST(counters_zeroed_after_the_bytes_wrapped)
{
	u64 dp, db;

	/* totals past 2^52 bytes, then zeroed */
	take_after(9, (1ULL << 52) + 1000, 1, 60, &dp, &db);
	EXPECT_EQ(1, dp);
	EXPECT_EQ(60, db);
}

TEST(a_day_at_208_gbit_is_growth_not_zeroing)
{
	/* just under 2^51 bytes in one record's time */
	u64 bytes = (1ULL << 51) - 1, packets = bytes / 1500;
	u64 dp, db;

	take_after(7, 7 * 1500, 7 + packets, 7 * 1500 + bytes, &dp, &db);
	EXPECT_EQ(packets, dp);
	EXPECT_EQ(bytes, db);
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
