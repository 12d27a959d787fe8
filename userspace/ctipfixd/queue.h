/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIXD_QUEUE_H
#define CTIPFIXD_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The messages read from the relay, kept until each collector has had its
 * turn with them: one copy, and a place in it per collector (a reader of
 * the queue). A collector that is slow (a low rate, a path that backs up)
 * or down falls behind the others and holds none of them back. One that
 * falls a whole queue behind loses its oldest message, counted as lagged,
 * but only a message another collector took: what no collector took stays
 * (delivery at least once), the queue fills, and the daemon stops reading
 * the relay, whose writer and the module's backlog then hold what follows.
 *
 * The relay is acknowledged up to the end of the settled messages: those
 * some collector took, or every collector passed (nothing in its format,
 * or too big for its path).
 * Everything after the first that is not settled stays unacknowledged, to
 * be read again by the next daemon if this one dies.
 */
#define QUEUE_MAX_READERS	16
#define QUEUE_SLOTS		65536	/* messages at most; a power of two */
#define QUEUE_DEFAULT_KB	4096
#define QUEUE_MIN_KB		64	/* the largest message fits */
#define QUEUE_MAX_KB		65536

struct queue_msg {
	uint8_t *data;
	size_t len;
	uint64_t end;		/* relay offset just after it, since attach */
	bool taken;		/* a reader took it */
	bool nothing;		/* a reader had nothing to send of it */
};

/* What a reader did with its next message. */
enum queue_outcome {
	QUEUE_TOOK,
	QUEUE_NOTHING,		/* nothing in its format: no loss */
	QUEUE_TOO_BIG,		/* for its path: given up */
};

struct queue {
	struct queue_msg slot[QUEUE_SLOTS];
	uint64_t head;		/* messages pushed: the next one's number */
	uint64_t tail;		/* the oldest held */
	uint64_t settled;	/* the first not settled */
	uint64_t acked_end;	/* relay offset where the settled ones end */
	uint64_t next[QUEUE_MAX_READERS];	/* each reader's next one */
	uint64_t passed[QUEUE_MAX_READERS];	/* ... those it had */
	uint64_t lagged[QUEUE_MAX_READERS];	/* ... and those it lost */
	uint64_t taken_by_none;	/* too big for every reader that tried */
	unsigned int n_readers;
	size_t bytes;		/* held, in all */
	size_t max_bytes;
};

void queue_init(struct queue *q, unsigned int n_readers, size_t max_bytes);
/* Does a message of @len bytes fit now? */
bool queue_fits(const struct queue *q, size_t len);
/*
 * A copy of @msg, which ends at relay offset @end, for every reader.
 * Returns 0, -ENOSPC if it does not fit, -ENOMEM.
 */
int queue_push(struct queue *q, const uint8_t *msg, size_t len, uint64_t end);
/* Reader @r's next message, NULL if it has had them all. */
const struct queue_msg *queue_peek(const struct queue *q, unsigned int r);
/* Reader @r is done with its next message. */
void queue_pass(struct queue *q, unsigned int r, enum queue_outcome how);
/*
 * Room at the cost of the readers furthest behind: the oldest message, if
 * a reader took it, is dropped for those that have not had it (@lost is
 * told of each, before it goes). Returns false if the oldest message is
 * not one a reader took (or there is none).
 */
bool queue_shed(struct queue *q,
		void (*lost)(void *ctx, unsigned int r,
			     const struct queue_msg *m), void *ctx);
/* Everything goes (the relay it was read from went away), counted lagged. */
void queue_clear(struct queue *q);
/* Messages reader @r has not had yet. */
uint64_t queue_behind(const struct queue *q, unsigned int r);
/* Is a message read that no reader has taken or given up yet? */
bool queue_unsettled(const struct queue *q);
/* Reader @r's next message is the first one not settled. */
bool queue_at_unsettled(const struct queue *q, unsigned int r);

#endif
