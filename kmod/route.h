/* SPDX-License-Identifier: GPL-2.0 */
/* ctipfix: the next hop a flow's original direction is routed to (route.c). */
#ifndef _CTIPFIX_ROUTE_H
#define _CTIPFIX_ROUTE_H

#include <linux/netfilter.h>
#include <linux/types.h>

struct net;
struct ctipfix_record;

/*
 * A pass's last lookup, for the records after it with the same family,
 * destination and input interface (which picks the VRF): deaths come in
 * runs to one destination (a flood, a resolver's clients), and one pass
 * lasts milliseconds, within which a route that changes is named as it
 * was at the pass's first record to it. Zeroed: nothing kept.
 */
struct ctipfix_route_memo {
	union nf_inet_addr daddr;
	union nf_inet_addr nexthop;
	u32 ifindex_in;
	u8 family;
	bool routed;
};

void ctipfix_route_nexthop(struct net *net, struct ctipfix_record *rec,
			   struct ctipfix_route_memo *memo);

#endif /* _CTIPFIX_ROUTE_H */
