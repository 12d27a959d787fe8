// SPDX-License-Identifier: GPL-2.0
/*
 * The next hop of a flow's original direction (ipNextHopIPv4Address,
 * ipNextHopIPv6Address): the gateway of the route to its destination, as
 * it left the router (after DNAT), looked up in the flow's namespace when
 * its record is written. A destination on a link of the router's (or the
 * router itself) has none. That is the route of the record's time, not of
 * the first packet's: a flow keeps no room for an address, and the
 * lookup costs the pass, not the packets: one per run of records to one
 * destination (struct ctipfix_route_memo). Policy routing is followed as
 * far as the lookup knows the flow: by the VRF it came in through (the
 * l3mdev rule takes the VRF's table), and by its input interface for
 * IPv4, not by its source address or marks; of a multipath route the
 * first path is named.
 */
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/ip_fib.h>
#include <net/l3mdev.h>
#include <net/route.h>

#include "route.h"
#include "templates.h"

/*
 * The VRF (l3mdev master) whose table routes the flow: the one it came in
 * through. A packet that came in on a VRF's port, or that the router sent
 * from a socket bound to a VRF, which the VRF device loops back, has the
 * VRF device as its input interface. 0 for none, as for an adopted flow,
 * whose interfaces are unknown.
 */
static int ctipfix_route_l3mdev(struct net *net,
				const struct ctipfix_record *rec)
{
	return l3mdev_master_ifindex_by_index(net, rec->ifindex_in);
}

/* the address the flow's original direction was routed to */
static const union nf_inet_addr *
ctipfix_route_daddr(const struct ctipfix_record *rec)
{
	return rec->nat ? &rec->post_daddr : &rec->daddr;
}

static void ctipfix_route_nexthop4(struct net *net,
				   struct ctipfix_record *rec)
{
	struct flowi4 fl4 = {
		.daddr = ctipfix_route_daddr(rec)->ip,
		.flowi4_iif = rec->ifindex_in ?: LOOPBACK_IFINDEX,
	};
	struct fib_nh_common *nhc;
	struct fib_result res;

	fl4.flowi4_l3mdev = ctipfix_route_l3mdev(net, rec);
	rcu_read_lock();
	if (!fib_lookup(net, &fl4, &res, 0) && res.type == RTN_UNICAST) {
		nhc = FIB_RES_NHC(res);
		if (nhc->nhc_gw_family == AF_INET) {
			rec->nexthop.ip = nhc->nhc_gw.ipv4;
			rec->routed = true;
		}
	}
	rcu_read_unlock();
}

static void ctipfix_route_nexthop6(struct net *net,
				   struct ctipfix_record *rec)
{
	struct flowi6 fl6 = {
		.daddr = ctipfix_route_daddr(rec)->in6,
	};
	struct dst_entry *dst;
	struct rt6_info *rt;

	fl6.flowi6_l3mdev = ctipfix_route_l3mdev(net, rec);
	dst = ip6_route_output(net, NULL, &fl6);
	rt = dst_rt6_info(dst);

	if (!dst->error && (rt->rt6i_flags & RTF_GATEWAY)) {
		rec->nexthop.in6 = rt->rt6i_gateway;
		rec->routed = true;
	}
	dst_release(dst);
}

static bool ctipfix_route_memo_holds(const struct ctipfix_route_memo *memo,
				     const struct ctipfix_record *rec)
{
	return memo->family == rec->family &&
	       memo->ifindex_in == rec->ifindex_in &&
	       nf_inet_addr_cmp(&memo->daddr, ctipfix_route_daddr(rec));
}

/*
 * Process context or not: no lock of ours held, RCU or none. With IPv6
 * disabled at boot (ipv6.disable=1) its routing tables were never set up,
 * yet an IPv6 entry can still be followed (one made over ctnetlink, and
 * adopted): it has no next hop.
 */
void ctipfix_route_nexthop(struct net *net, struct ctipfix_record *rec,
			   struct ctipfix_route_memo *memo)
{
	if (ctipfix_route_memo_holds(memo, rec)) {
		rec->routed = memo->routed;
		rec->nexthop = memo->nexthop;
		return;
	}
	rec->routed = false;
	if (rec->family == NFPROTO_IPV4)
		ctipfix_route_nexthop4(net, rec);
	else if (rec->family == NFPROTO_IPV6 && ipv6_mod_enabled())
		ctipfix_route_nexthop6(net, rec);
	memo->family = rec->family;
	memo->ifindex_in = rec->ifindex_in;
	memo->daddr = *ctipfix_route_daddr(rec);
	memo->routed = rec->routed;
	memo->nexthop = rec->nexthop;
}
