/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctipfix: the relay channel the messages are written to (relay.c), and
 * how long unload waits for its reader.
 */
#ifndef _CTIPFIX_RELAY_H
#define _CTIPFIX_RELAY_H

#include <linux/jiffies.h>
#include <linux/types.h>

/*
 * How long unload waits for a reader: while it takes something every
 * stall_ms, until deadline (jiffies) at the most. NULL: no wait at all.
 */
struct ctipfix_exit_wait {
	unsigned long deadline;
	unsigned int stall_ms;
};

static inline bool ctipfix_exit_wait_over(const struct ctipfix_exit_wait *w,
					  unsigned int stalled_ms)
{
	return !w || stalled_ms >= w->stall_ms ||
	       time_after_eq(jiffies, w->deadline);
}

/* How long exit waits for a reader that takes nothing more. */
#define CTIPFIX_EXIT_STALL_MS	2000
/* ... and for it to close the relay file once told to */
#define CTIPFIX_EXIT_CLOSE_MS	1000

int ctipfix_relay_init(void);
void ctipfix_relay_exit(void);
bool ctipfix_relay_write(const void *data, size_t len);
unsigned int ctipfix_relay_reader_epoch(void);
u64 ctipfix_relay_drain_wait(const struct ctipfix_exit_wait *w);
int ctipfix_relay_ack(u64 bytes);

#endif /* _CTIPFIX_RELAY_H */
