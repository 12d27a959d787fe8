// SPDX-License-Identifier: GPL-2.0
/* Cutting the relay byte stream into IPFIX messages. */
#include <string.h>

#include "ipfix_stream.h"

static void consume(struct ipfix_stream *s, size_t n);

/* The message handed out last is done with once the caller comes back. */
static void release_pending(struct ipfix_stream *s)
{
	if (s->pending) {
		consume(s, s->pending);
		s->pending = 0;
	}
}

/*
 * What is left of the last read (an unfinished message, mostly a short
 * one) moves to the front once per read, not once per message handed out.
 */
uint8_t *ipfix_stream_space(struct ipfix_stream *s, size_t *room)
{
	release_pending(s);
	if (s->start) {
		memmove(s->buf, s->buf + s->start, s->len - s->start);
		s->len -= s->start;
		s->start = 0;
	}
	*room = sizeof(s->buf) - s->len;
	return s->buf + s->len;
}

void ipfix_stream_filled(struct ipfix_stream *s, size_t n)
{
	s->len += n;
}

static size_t msg_len_at(const uint8_t *p)
{
	return (size_t)p[2] << 8 | p[3];
}

static int header_ok(const uint8_t *p)
{
	return (p[0] << 8 | p[1]) == CTIPFIX_IPFIX_VERSION &&
	       msg_len_at(p) >= CTIPFIX_IPFIX_HDR_LEN;
}

/* Bytes read and not handed out yet. */
static size_t unread(const struct ipfix_stream *s)
{
	return s->len - s->start;
}

/* Drop the next n bytes: handed out already, or garbage. */
static void consume(struct ipfix_stream *s, size_t n)
{
	s->start += n;
	if (s->start == s->len)
		s->start = s->len = 0;
}

size_t ipfix_stream_next(struct ipfix_stream *s, const uint8_t **msg)
{
	size_t len, skip = 0;

	release_pending(s);
	/* resynchronise on the next plausible header if the stream is bad */
	while (unread(s) - skip >= 4 &&
	       !header_ok(s->buf + s->start + skip))
		skip++;
	if (skip) {
		s->bad_bytes += skip;
		consume(s, skip);
	}
	if (unread(s) < CTIPFIX_IPFIX_HDR_LEN)
		return 0;
	len = msg_len_at(s->buf + s->start);
	if (unread(s) < len)
		return 0;
	*msg = s->buf + s->start;
	s->messages++;
	s->pending = len;
	return len;
}

size_t ipfix_stream_behind(const struct ipfix_stream *s)
{
	return unread(s) - s->pending;
}

void ipfix_stream_reset(struct ipfix_stream *s)
{
	release_pending(s);
	s->bad_bytes += unread(s);
	s->start = s->len = 0;
}

void ipfix_stream_keep(struct ipfix_stream *s)
{
	if (s->pending) {
		s->pending = 0;
		s->messages--;
	}
}
