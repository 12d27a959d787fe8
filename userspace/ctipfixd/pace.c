// SPDX-License-Identifier: GPL-2.0
/*
 * A token bucket kept as one time (the generic cell rate algorithm of
 * ITU-T I.371): due_ns is when the bucket would be empty if no datagram
 * went meanwhile. A datagram may go when that leaves room for one in
 * the bucket, PACE_BURST deep: due_ns at most PACE_BURST - 1 intervals
 * ahead of now.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "pace.h"
#include "uint_arg.h"

#define NSEC_PER_SEC	1000000000ULL

uint64_t pace_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void pace_init(struct pace *p, unsigned int rate)
{
	p->rate = rate;
	p->interval_ns = rate ? NSEC_PER_SEC / rate : 0;
	p->due_ns = 0;
	p->waits = 0;
	p->waited_ns = 0;
}

int pace_parse_rate(const char *arg, unsigned int *rate)
{
	return uint_arg_parse(arg, PACE_MAX_RATE, rate);
}

/* How far ahead of @now the bucket may be with room for one more. */
static uint64_t pace_ahead_ns(const struct pace *p)
{
	return (PACE_BURST - 1) * p->interval_ns;
}

bool pace_take(struct pace *p, uint64_t now)
{
	if (!p->interval_ns)
		return true;
	if (p->due_ns < now)
		p->due_ns = now;
	if (p->due_ns > now + pace_ahead_ns(p))
		return false;
	p->due_ns += p->interval_ns;
	return true;
}

uint64_t pace_due_in_ns(const struct pace *p, uint64_t now)
{
	if (!p->interval_ns || p->due_ns <= now + pace_ahead_ns(p))
		return 0;
	return p->due_ns - pace_ahead_ns(p) - now;
}
