/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIXD_PACE_H
#define CTIPFIXD_PACE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Pacing of the datagrams to one collector. A collector reads from a
 * socket buffer of fixed size (rmem_default, 208 KiB, unless it asks for
 * more): 100 000 flows ending at once, sent as fast as they are read,
 * overflow it and the datagrams are lost at the collector, uncounted here.
 * So each collector gets at most PACE_BURST datagrams back to back, then
 * one every 1/rate s: a collector that keeps up with the rate never loses
 * one. A datagram that is not due yet waits in the daemon's queue, and
 * the daemon goes on with the other collectors meanwhile.
 *
 * 208 KiB holds about 80 datagrams of 1400 bytes (each costs its truesize,
 * about 2.5 KiB). After a burst of 32, the default rate leaves a collector
 * 12 ms of not reading before it loses one, and still carries 45 Mbit/s,
 * some 180 000 compact records a second.
 */
#define PACE_BURST		32
#define PACE_DEFAULT_RATE	4000	/* datagrams a second */
#define PACE_MAX_RATE		1000000

struct pace {
	unsigned int rate;	/* datagrams a second; 0: not paced */
	uint64_t interval_ns;	/* 0: not paced */
	uint64_t due_ns;	/* when the bucket is empty again */
	uint64_t waiting_since;	/* ns: the datagram waiting, 0: none */
	uint64_t waits;		/* datagrams that waited for their turn */
	uint64_t waited_ns;	/* and for how long, in all */
};

/* @rate datagrams a second; 0 does not pace. */
void pace_init(struct pace *p, unsigned int rate);
/* A rate in datagrams a second, 0..PACE_MAX_RATE. Returns 0 or -EINVAL. */
int pace_parse_rate(const char *arg, unsigned int *rate);
/* The monotonic clock, in ns. */
uint64_t pace_now_ns(void);
/*
 * Is there room for @n datagrams (at most PACE_BURST) at @now_ns? If not,
 * *@at says when there is (monotonic ns). A datagram that waits is counted
 * once, however often it asks, and how long it waited once it goes.
 */
bool pace_room(struct pace *p, uint64_t now_ns, unsigned int n, uint64_t *at);
/* A datagram went at @now_ns: it used its turn. A send that failed did not. */
void pace_took(struct pace *p, uint64_t now_ns);

#endif
