// SPDX-License-Identifier: GPL-2.0
/*
 * A token bucket kept as one time (the generic cell rate algorithm of
 * ITU-T I.371): due_ns is when the bucket would be empty if no datagram
 * went meanwhile. A datagram may go when that leaves room for one in
 * the bucket, PACE_BURST deep: due_ns at most PACE_BURST - 1 intervals
 * ahead of now.
 */
#include <errno.h>
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
	p->waiting_since = 0;
	p->waits = 0;
	p->waited_ns = 0;
}

int pace_parse_rate(const char *arg, unsigned int *rate)
{
	return uint_arg_parse(arg, PACE_MAX_RATE, rate);
}

bool pace_room(struct pace *p, uint64_t now_ns, unsigned int n, uint64_t *at)
{
	/* one token must be left: the bucket is emptied up to due_ns */
	uint64_t ahead = (PACE_BURST - 1) * p->interval_ns, last;

	if (!p->interval_ns)
		return true;
	if (n > PACE_BURST)
		n = PACE_BURST;
	if (p->due_ns < now_ns)
		p->due_ns = now_ns;
	/* where the bucket would be before the last of the @n */
	last = p->due_ns + (n ? n - 1 : 0) * p->interval_ns;
	if (last <= now_ns + ahead)
		return true;
	*at = last - ahead;
	if (!p->waiting_since) {
		p->waiting_since = now_ns;
		p->waits++;
	}
	return false;
}

void pace_took(struct pace *p, uint64_t now_ns)
{
	if (!p->interval_ns)
		return;
	if (p->waiting_since) {
		p->waited_ns += now_ns - p->waiting_since;
		p->waiting_since = 0;
	}
	if (p->due_ns < now_ns)
		p->due_ns = now_ns;
	p->due_ns += p->interval_ns;
}
