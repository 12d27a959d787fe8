// SPDX-License-Identifier: GPL-2.0
/*
 * One queue of messages, a place in it per collector (queue.h). Messages
 * are numbered from 0 since the queue was cleared; slot n % QUEUE_SLOTS
 * holds message n while tail <= n < head. Every reader's next message is
 * in tail..head, and tail is the lowest of them: a message leaves once
 * every reader has passed it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

static struct queue_msg *queue_slot(struct queue *q, uint64_t n)
{
	return &q->slot[n % QUEUE_SLOTS];
}

void queue_init(struct queue *q, unsigned int n_readers, size_t max_bytes)
{
	memset(q, 0, sizeof(*q));
	q->n_readers = n_readers;
	q->max_bytes = max_bytes;
}

bool queue_fits(const struct queue *q, size_t len)
{
	return q->head - q->tail < QUEUE_SLOTS &&
	       q->bytes + len <= q->max_bytes;
}

int queue_push(struct queue *q, const uint8_t *msg, size_t len, uint64_t end)
{
	struct queue_msg *m;

	if (!queue_fits(q, len))
		return -ENOSPC;
	m = queue_slot(q, q->head);
	m->data = malloc(len);
	if (!m->data)
		return -ENOMEM;
	memcpy(m->data, msg, len);
	m->len = len;
	m->end = end;
	m->taken = false;
	m->nothing = false;
	q->bytes += len;
	q->head++;
	return 0;
}

const struct queue_msg *queue_peek(const struct queue *q, unsigned int r)
{
	if (q->next[r] == q->head)
		return NULL;
	return &q->slot[q->next[r] % QUEUE_SLOTS];
}

static void queue_free_oldest(struct queue *q)
{
	struct queue_msg *m = queue_slot(q, q->tail++);

	q->bytes -= m->len;
	free(m->data);
	m->data = NULL;
}

/* The lowest next message of any reader. */
static uint64_t queue_lowest(const struct queue *q)
{
	uint64_t low = q->head;
	unsigned int r;

	for (r = 0; r < q->n_readers; r++)
		if (q->next[r] < low)
			low = q->next[r];
	return low;
}

/*
 * Settled: taken by a reader, or passed by every reader (nothing in any
 * format, or too big for every path: taken by none). The acknowledgment
 * moves with the settled ones, and what every reader has passed is freed.
 */
static void queue_settle(struct queue *q)
{
	uint64_t low = queue_lowest(q);
	struct queue_msg *m;

	while (q->settled < q->head) {
		m = queue_slot(q, q->settled);
		if (!m->taken && q->settled >= low)
			break;
		if (!m->taken && !m->nothing)
			q->taken_by_none++;
		q->acked_end = m->end;
		q->settled++;
	}
	/* below low everything is settled: settled >= low */
	while (q->tail < low)
		queue_free_oldest(q);
}

void queue_pass(struct queue *q, unsigned int r, enum queue_outcome how)
{
	struct queue_msg *m;

	if (q->next[r] == q->head)
		return;
	m = queue_slot(q, q->next[r]);
	m->taken |= how == QUEUE_TOOK;
	m->nothing |= how == QUEUE_NOTHING;
	q->next[r]++;
	q->passed[r]++;
	queue_settle(q);
}

bool queue_shed(struct queue *q,
		void (*lost)(void *ctx, unsigned int r,
			     const struct queue_msg *m), void *ctx)
{
	struct queue_msg *m;
	unsigned int r;

	if (q->tail == q->head || q->tail >= q->settled)
		return false;
	/* settled and still held: a reader took it, and some have not */
	m = queue_slot(q, q->tail);
	for (r = 0; r < q->n_readers; r++) {
		if (q->next[r] != q->tail)
			continue;
		if (lost)
			lost(ctx, r, m);
		q->lagged[r]++;
		q->next[r]++;
	}
	queue_settle(q);
	return true;
}

void queue_clear(struct queue *q)
{
	unsigned int r;

	for (r = 0; r < q->n_readers; r++) {
		q->lagged[r] += q->head - q->next[r];
		q->next[r] = q->head;
	}
	/* settles nothing more: every reader passed, taken or not */
	while (q->tail < q->head)
		queue_free_oldest(q);
	q->head = q->tail = q->settled = 0;
	q->acked_end = 0;
	memset(q->next, 0, sizeof(q->next));
}

uint64_t queue_behind(const struct queue *q, unsigned int r)
{
	return q->head - q->next[r];
}

bool queue_unsettled(const struct queue *q)
{
	return q->settled < q->head;
}

bool queue_at_unsettled(const struct queue *q, unsigned int r)
{
	return q->next[r] == q->settled && q->settled < q->head;
}
