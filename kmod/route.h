/* SPDX-License-Identifier: GPL-2.0 */
/* ctipfix: the next hop a flow's original direction is routed to (route.c). */
#ifndef _CTIPFIX_ROUTE_H
#define _CTIPFIX_ROUTE_H

struct net;
struct ctipfix_record;

void ctipfix_route_nexthop(struct net *net, struct ctipfix_record *rec);

#endif /* _CTIPFIX_ROUTE_H */
