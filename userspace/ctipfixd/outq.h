/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIXD_OUTQ_H
#define CTIPFIXD_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The datagrams of one collector that wait for their turn (its pacing),
 * in order, so that the daemon goes on reading the relay for the others
 * meanwhile. At most OUTQ_MAX bytes: past that, what comes waits in the
 * relay and the module's backlog, as before there was a queue.
 */
#define OUTQ_MAX	(4 << 20)

struct outq {
	uint8_t *buf;		/* entries: length, time, tag, datagram */
	size_t head, tail;	/* the entries are buf[head..tail) */
	size_t size;		/* allocated */
	size_t count;		/* datagrams */
	size_t bytes;		/* ... and their bytes */
};

/*
 * @d of @len bytes at the tail, queued at @now_ns, with @tag (the daemon's:
 * where its message began in the relay): false if no room.
 */
bool outq_push(struct outq *q, const void *d, size_t len, uint64_t now_ns,
	       uint64_t tag);
/* The first datagram, its length and when it was queued; NULL if none. */
const uint8_t *outq_peek(const struct outq *q, size_t *len,
			 uint64_t *since_ns);
/* The first datagram's tag; @none if the queue is empty. */
uint64_t outq_first_tag(const struct outq *q, uint64_t none);
void outq_pop(struct outq *q);
/* Forget what waits (a new transport session); how many that were. */
size_t outq_clear(struct outq *q);
void outq_free(struct outq *q);

static inline bool outq_empty(const struct outq *q)
{
	return !q->count;
}

#endif
