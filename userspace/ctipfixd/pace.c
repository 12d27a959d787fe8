// SPDX-License-Identifier: GPL-2.0
/*
 * A token bucket kept as one time (the generic cell rate algorithm of
 * ITU-T I.371): due_ns is when the bucket would be empty if no datagram
 * went meanwhile. A datagram may go when that leaves room for one in
 * the bucket, PACE_BURST deep: due_ns at most PACE_BURST - 1 intervals
 * ahead of now.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "pace.h"
#include "uint_arg.h"

#define NSEC_PER_SEC	1000000000ULL

static uint64_t now_ns(void)
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

static void sleep_until(uint64_t when_ns)
{
	struct timespec ts = {
		.tv_sec = when_ns / NSEC_PER_SEC,
		.tv_nsec = when_ns % NSEC_PER_SEC,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

void pace_wait(struct pace *p)
{
	uint64_t now, ahead, may_go;

	if (!p->interval_ns)
		return;
	now = now_ns();
	if (p->due_ns < now)
		p->due_ns = now;
	/* one token must be left: the bucket is emptied up to due_ns */
	ahead = (PACE_BURST - 1) * p->interval_ns;
	if (p->due_ns > now + ahead) {
		may_go = p->due_ns - ahead;
		sleep_until(may_go);
		p->waits++;
		p->waited_ns += now_ns() - now;
	}
	p->due_ns += p->interval_ns;
}
