// SPDX-License-Identifier: GPL-2.0
/*
 * A collector's queue: one buffer, the entries one after the other from
 * head to tail, moved to its start when the tail needs the room that the
 * head has left behind. An entry: its length (4 bytes), the time it was
 * queued (8 bytes), its tag (8 bytes), the datagram.
 */
#include <stdlib.h>
#include <string.h>

#include "outq.h"

#define ENTRY_HDR	(sizeof(uint32_t) + 2 * sizeof(uint64_t))

static bool outq_room(struct outq *q, size_t need)
{
	size_t size;
	uint8_t *buf;

	if (q->tail + need <= q->size)
		return true;
	if (q->head) {
		memmove(q->buf, q->buf + q->head, q->tail - q->head);
		q->tail -= q->head;
		q->head = 0;
	}
	if (q->tail + need <= q->size)
		return true;
	if (q->tail + need > OUTQ_MAX)
		return false;
	size = q->size ? q->size : 65536;
	while (size < q->tail + need)
		size *= 2;
	if (size > OUTQ_MAX)
		size = OUTQ_MAX;
	buf = realloc(q->buf, size);
	if (!buf)
		return false;
	q->buf = buf;
	q->size = size;
	return true;
}

bool outq_push(struct outq *q, const void *d, size_t len, uint64_t now_ns,
	       uint64_t tag)
{
	uint32_t n = len;

	if (len > OUTQ_MAX - ENTRY_HDR || !outq_room(q, ENTRY_HDR + len))
		return false;
	memcpy(q->buf + q->tail, &n, sizeof(n));
	memcpy(q->buf + q->tail + sizeof(n), &now_ns, sizeof(now_ns));
	memcpy(q->buf + q->tail + sizeof(n) + sizeof(now_ns), &tag, sizeof(tag));
	memcpy(q->buf + q->tail + ENTRY_HDR, d, len);
	q->tail += ENTRY_HDR + len;
	q->count++;
	q->bytes += len;
	return true;
}

const uint8_t *outq_peek(const struct outq *q, size_t *len,
			 uint64_t *since_ns)
{
	uint32_t n;

	if (!q->count)
		return NULL;
	memcpy(&n, q->buf + q->head, sizeof(n));
	memcpy(since_ns, q->buf + q->head + sizeof(n), sizeof(*since_ns));
	*len = n;
	return q->buf + q->head + ENTRY_HDR;
}

uint64_t outq_first_tag(const struct outq *q, uint64_t none)
{
	uint64_t tag;

	if (!q->count)
		return none;
	memcpy(&tag, q->buf + q->head + sizeof(uint32_t) + sizeof(uint64_t),
	       sizeof(tag));
	return tag;
}

void outq_pop(struct outq *q)
{
	uint32_t n;

	if (!q->count)
		return;
	memcpy(&n, q->buf + q->head, sizeof(n));
	q->head += ENTRY_HDR + n;
	q->count--;
	q->bytes -= n;
	if (!q->count)
		q->head = q->tail = 0;
}

size_t outq_clear(struct outq *q)
{
	size_t n = q->count;

	q->head = q->tail = 0;
	q->count = 0;
	q->bytes = 0;
	return n;
}

void outq_free(struct outq *q)
{
	free(q->buf);
	memset(q, 0, sizeof(*q));
}
