/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIX_IPFIX_STREAM_H
#define CTIPFIX_IPFIX_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include <ctipfix_ipfix.h>

/*
 * The relay file is a byte stream of whole IPFIX messages; one read() may end
 * inside a message. The stream keeps the unfinished tail for the next read.
 */
struct ipfix_stream {
	uint8_t buf[2 * 65536];
	size_t start;		/* the first byte not handed out yet */
	size_t len;		/* the end of what was read */
	size_t pending;		/* length of the message last handed out */
	uint64_t messages;	/* complete messages handed out */
	uint64_t bad_bytes;	/* bytes skipped as not IPFIX */
};

/* Room to read into, and how much of it. */
uint8_t *ipfix_stream_space(struct ipfix_stream *s, size_t *room);
/* Account for n bytes read into the space. */
void ipfix_stream_filled(struct ipfix_stream *s, size_t n);
/*
 * Next whole message: returns its length and points *msg at it, or 0 if none
 * is complete yet. The pointer is valid until the next call of any function.
 */
size_t ipfix_stream_next(struct ipfix_stream *s, const uint8_t **msg);
/* Bytes read after the message handed out last. */
size_t ipfix_stream_behind(const struct ipfix_stream *s);
/* The message handed out last was not used: the next call returns it again. */
void ipfix_stream_keep(struct ipfix_stream *s);
/* The source went away: an unfinished message is counted as bad bytes. */
void ipfix_stream_reset(struct ipfix_stream *s);

#endif
