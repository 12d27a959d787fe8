// SPDX-License-Identifier: GPL-2.0
/* Cutting the relay byte stream into whole IPFIX messages. */
#include <string.h>

#include "kselftest_harness.h"
#include "ipfix_stream.h"

static size_t make_msg(uint8_t *p, size_t len, uint8_t fill)
{
	memset(p, fill, len);
	p[0] = 0;
	p[1] = 10;
	p[2] = len >> 8;
	p[3] = len & 0xff;
	return len;
}

static void feed(struct ipfix_stream *s, const uint8_t *p, size_t n)
{
	size_t room;
	uint8_t *space = ipfix_stream_space(s, &room);

	memcpy(space, p, n);
	ipfix_stream_filled(s, n);
}

FIXTURE(stream) {
	struct ipfix_stream s;
	uint8_t data[4096];
};

FIXTURE_SETUP(stream)
{
	memset(&self->s, 0, sizeof(self->s));
}

FIXTURE_TEARDOWN(stream)
{
}

TEST_F(stream, back_to_back_messages)
{
	const uint8_t *m;
	size_t n = make_msg(self->data, 100, 0xaa);

	n += make_msg(self->data + n, 40, 0xbb);
	feed(&self->s, self->data, n);
	ASSERT_EQ(100, ipfix_stream_next(&self->s, &m));
	EXPECT_EQ(0xaa, m[50]);
	ASSERT_EQ(40, ipfix_stream_next(&self->s, &m));
	EXPECT_EQ(0xbb, m[20]);
	EXPECT_EQ(0, ipfix_stream_next(&self->s, &m));
	EXPECT_EQ(2, self->s.messages);
}

/*
 * Messages are handed out where they were read: nothing moves per message
 * (the rest of a full buffer would, 128 KiB at worst); the unfinished tail
 * moves to the front once, when room is asked for the next read.
 */
TEST_F(stream, messages_stay_where_they_were_read)
{
	const uint8_t *first, *m;
	size_t n = make_msg(self->data, 100, 0xaa), room;

	n += make_msg(self->data + n, 40, 0xbb);
	n += make_msg(self->data + n, 60, 0xdd);
	feed(&self->s, self->data, n - 30);
	ASSERT_EQ(100, ipfix_stream_next(&self->s, &first));
	ASSERT_EQ(40, ipfix_stream_next(&self->s, &m));
	EXPECT_EQ(first + 100, m);
	EXPECT_EQ(0, ipfix_stream_next(&self->s, &m));
	/* the 30 bytes of the third, to the front for the rest of it */
	EXPECT_EQ(self->s.buf + 30, ipfix_stream_space(&self->s, &room));
	EXPECT_EQ(sizeof(self->s.buf) - 30, room);
	ipfix_stream_filled(&self->s, 0);
	memcpy(self->s.buf + 30, self->data + n - 30, 30);
	ipfix_stream_filled(&self->s, 30);
	ASSERT_EQ(60, ipfix_stream_next(&self->s, &m));
	EXPECT_EQ(&self->s.buf[0], m);
	EXPECT_EQ(0xdd, m[59]);
	EXPECT_EQ(3, self->s.messages);
}

TEST_F(stream, message_split_across_reads)
{
	const uint8_t *m;

	make_msg(self->data, 300, 0xcc);
	feed(&self->s, self->data, 10);
	EXPECT_EQ(0, ipfix_stream_next(&self->s, &m));
	feed(&self->s, self->data + 10, 200);
	EXPECT_EQ(0, ipfix_stream_next(&self->s, &m));
	feed(&self->s, self->data + 210, 90);
	ASSERT_EQ(300, ipfix_stream_next(&self->s, &m));
	EXPECT_EQ(0xcc, m[299]);
}

TEST_F(stream, garbage_skipped_and_counted)
{
	const uint8_t *m;

	memset(self->data, 0xff, 7);
	make_msg(self->data + 7, 64, 0x11);
	feed(&self->s, self->data, 71);
	ASSERT_EQ(64, ipfix_stream_next(&self->s, &m));
	EXPECT_EQ(7, self->s.bad_bytes);
}

TEST_F(stream, length_below_header_is_not_a_message)
{
	const uint8_t *m;

	make_msg(self->data, 16, 0);
	self->data[3] = 8;	/* claims 8 bytes: impossible */
	make_msg(self->data + 16, 20, 0x22);
	feed(&self->s, self->data, 36);
	ASSERT_EQ(20, ipfix_stream_next(&self->s, &m));
	EXPECT_EQ(0x22, m[19]);
}

TEST_F(stream, reset_counts_the_unfinished_tail)
{
	const uint8_t *m;

	make_msg(self->data, 40, 0x33);
	make_msg(self->data + 40, 100, 0x44);
	feed(&self->s, self->data, 90);	/* the second is cut at 50 */
	ASSERT_EQ(40, ipfix_stream_next(&self->s, &m));
	ipfix_stream_reset(&self->s);
	EXPECT_EQ(50, self->s.bad_bytes);
	make_msg(self->data, 30, 0x55);
	feed(&self->s, self->data, 30);
	ASSERT_EQ(30, ipfix_stream_next(&self->s, &m));
	EXPECT_EQ(0x55, m[29]);
}

TEST_F(stream, kept_message_comes_again)
{
	const uint8_t *m;
	size_t n = make_msg(self->data, 60, 0x66);

	n += make_msg(self->data + n, 30, 0x77);
	feed(&self->s, self->data, n);
	ASSERT_EQ(60, ipfix_stream_next(&self->s, &m));
	ipfix_stream_keep(&self->s);
	/* still unsent: it counts in what the stream holds */
	EXPECT_EQ(90, self->s.len);
	EXPECT_EQ(0, self->s.messages);
	ASSERT_EQ(60, ipfix_stream_next(&self->s, &m));
	EXPECT_EQ(0x66, m[59]);
	ASSERT_EQ(30, ipfix_stream_next(&self->s, &m));
	EXPECT_EQ(0x77, m[29]);
	EXPECT_EQ(2, self->s.messages);
}

TEST_HARNESS_MAIN
