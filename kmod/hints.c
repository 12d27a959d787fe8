// SPDX-License-Identifier: GPL-2.0
/*
 * Hints of deletion: conntrack's destroy events, heard on a kernel netlink
 * socket in each namespace served, as any ctnetlink listener hears them,
 * when the destroy_events knob asks for them (load time, off by default:
 * see params.c for what they cost).
 *
 * The export pass looks at a flow when its entry may have expired or an
 * interim record falls due, both known in advance. A deletion (conntrack -D,
 * a flush, early drop, a protocol tracker's kill) is not: the destroy event
 * names the entry's original tuple, which picks its bucket, and the bucket
 * is looked at on the next pass. The event's content is not trusted for
 * anything else; the pass reads the entry itself.
 *
 * Hints are only hints. Without ctnetlink loaded, with events switched off,
 * for entries created before events were on, or when an event is lost, the
 * pass's sweep finds the deletion instead (ctipfix_sweep_plan()).
 *
 * Only the socket's membership in the destroy group is used: conntrack
 * gives every new entry its event extension once any ctnetlink group has a
 * listener, in the room its extension area preallocates anyway, and
 * ctnetlink builds a message only for the groups listened to.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "flow.h"
#include "hints.h"
#include "netns.h"
#include "params.h"
#include "stats.h"

static const struct nla_policy ctipfix_hint_ct_policy[CTA_MAX + 1] = {
	[CTA_TUPLE_ORIG]	= { .type = NLA_NESTED },
};

static const struct nla_policy ctipfix_hint_tuple_policy[CTA_TUPLE_MAX + 1] = {
	[CTA_TUPLE_IP]		= { .type = NLA_NESTED },
	[CTA_TUPLE_PROTO]	= { .type = NLA_NESTED },
};

static const struct nla_policy ctipfix_hint_ip_policy[CTA_IP_MAX + 1] = {
	[CTA_IP_V4_SRC]		= { .type = NLA_U32 },
	[CTA_IP_V4_DST]		= { .type = NLA_U32 },
	[CTA_IP_V6_SRC]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[CTA_IP_V6_DST]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static const struct nla_policy ctipfix_hint_proto_policy[CTA_PROTO_MAX + 1] = {
	[CTA_PROTO_NUM]		= { .type = NLA_U8 },
	[CTA_PROTO_SRC_PORT]	= { .type = NLA_U16 },
	[CTA_PROTO_DST_PORT]	= { .type = NLA_U16 },
	[CTA_PROTO_ICMP_ID]	= { .type = NLA_U16 },
	[CTA_PROTO_ICMP_TYPE]	= { .type = NLA_U8 },
	[CTA_PROTO_ICMP_CODE]	= { .type = NLA_U8 },
	[CTA_PROTO_ICMPV6_ID]	= { .type = NLA_U16 },
	[CTA_PROTO_ICMPV6_TYPE]	= { .type = NLA_U8 },
	[CTA_PROTO_ICMPV6_CODE]	= { .type = NLA_U8 },
};

static int ctipfix_hint_ip(const struct nlattr *attr,
			   struct nf_conntrack_tuple *t)
{
	struct nlattr *tb[CTA_IP_MAX + 1];
	int err;

	err = nla_parse_nested_deprecated(tb, CTA_IP_MAX, attr,
					  ctipfix_hint_ip_policy, NULL);
	if (err)
		return err;
	if (tb[CTA_IP_V4_SRC] && tb[CTA_IP_V4_DST]) {
		t->src.u3.ip = nla_get_in_addr(tb[CTA_IP_V4_SRC]);
		t->dst.u3.ip = nla_get_in_addr(tb[CTA_IP_V4_DST]);
		return 0;
	}
	if (tb[CTA_IP_V6_SRC] && tb[CTA_IP_V6_DST]) {
		t->src.u3.in6 = nla_get_in6_addr(tb[CTA_IP_V6_SRC]);
		t->dst.u3.in6 = nla_get_in6_addr(tb[CTA_IP_V6_DST]);
		return 0;
	}
	return -EINVAL;
}

/*
 * Attribute @a, or @b where @a is absent (ICMP's and ICMPv6's ids), as
 * conntrack keeps it in the tuple; 0 when neither is there.
 */
static __be16 ctipfix_hint_be16(struct nlattr **tb, int a, int b)
{
	struct nlattr *attr = tb[a] ?: tb[b];

	return attr ? nla_get_be16(attr) : 0;
}

/* ... the same for a u8 */
static u8 ctipfix_hint_u8(struct nlattr **tb, int a, int b)
{
	struct nlattr *attr = tb[a] ?: tb[b];

	return attr ? nla_get_u8(attr) : 0;
}

static int ctipfix_hint_proto(const struct nlattr *attr,
			      struct nf_conntrack_tuple *t)
{
	struct nlattr *tb[CTA_PROTO_MAX + 1];
	int err;

	err = nla_parse_nested_deprecated(tb, CTA_PROTO_MAX, attr,
					  ctipfix_hint_proto_policy, NULL);
	if (err)
		return err;
	if (!tb[CTA_PROTO_NUM])
		return -EINVAL;
	t->dst.protonum = nla_get_u8(tb[CTA_PROTO_NUM]);
	switch (t->dst.protonum) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		t->src.u.icmp.id = ctipfix_hint_be16(tb, CTA_PROTO_ICMP_ID,
						     CTA_PROTO_ICMPV6_ID);
		t->dst.u.icmp.type = ctipfix_hint_u8(tb, CTA_PROTO_ICMP_TYPE,
						     CTA_PROTO_ICMPV6_TYPE);
		t->dst.u.icmp.code = ctipfix_hint_u8(tb, CTA_PROTO_ICMP_CODE,
						     CTA_PROTO_ICMPV6_CODE);
		break;
	default:
		/* ports, or what a protocol keeps in their place (GRE keys) */
		t->src.u.all = tb[CTA_PROTO_SRC_PORT] ?
			       nla_get_be16(tb[CTA_PROTO_SRC_PORT]) : 0;
		t->dst.u.all = tb[CTA_PROTO_DST_PORT] ?
			       nla_get_be16(tb[CTA_PROTO_DST_PORT]) : 0;
	}
	return 0;
}

/* The original tuple of a ctnetlink destroy message. */
static int ctipfix_hint_tuple(const struct nlmsghdr *nlh,
			      struct nf_conntrack_tuple *t)
{
	const struct nfgenmsg *nfmsg = nlmsg_data(nlh);
	struct nlattr *ct[CTA_MAX + 1];
	struct nlattr *tb[CTA_TUPLE_MAX + 1];
	int err;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_CTNETLINK ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != IPCTNL_MSG_CT_DELETE)
		return -EINVAL;
	err = nlmsg_parse_deprecated(nlh, sizeof(*nfmsg), ct, CTA_MAX,
				     ctipfix_hint_ct_policy, NULL);
	if (err)
		return err;
	if (!ct[CTA_TUPLE_ORIG])
		return -EINVAL;
	err = nla_parse_nested_deprecated(tb, CTA_TUPLE_MAX,
					  ct[CTA_TUPLE_ORIG],
					  ctipfix_hint_tuple_policy, NULL);
	if (err)
		return err;
	if (!tb[CTA_TUPLE_IP] || !tb[CTA_TUPLE_PROTO])
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->src.l3num = nfmsg->nfgen_family;
	return ctipfix_hint_ip(tb[CTA_TUPLE_IP], t) ?:
	       ctipfix_hint_proto(tb[CTA_TUPLE_PROTO], t);
}

static void ctipfix_hint_skb(struct ctipfix_net *cn, const struct sk_buff *skb)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(skb);
	struct nf_conntrack_tuple t;

	if (skb->len < nlmsg_total_size(sizeof(struct nfgenmsg)) ||
	    !nlmsg_ok(nlh, skb->len) ||
	    nlh->nlmsg_len < nlmsg_msg_size(sizeof(struct nfgenmsg)) ||
	    ctipfix_hint_tuple(nlh, &t)) {
		ctipfix_stat_inc(CTIPFIX_STAT_HINTS_UNREAD);
		return;
	}
	ctipfix_flow_hint(&cn->flows, &t);
	ctipfix_stat_inc(CTIPFIX_STAT_HINTS);
}

/*
 * Called by netlink_broadcast() in the context of whoever deleted the entry
 * (process or softirq, never hard irq): read each message where it lands,
 * so the queue never grows.
 */
static void ctipfix_hints_ready(struct sock *sk)
{
	struct ctipfix_net *cn = sk->sk_user_data;
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&sk->sk_receive_queue))) {
		/* the kernel's broadcasts only: a process may unicast here */
		if (NETLINK_CB(skb).portid)
			ctipfix_stat_inc(CTIPFIX_STAT_HINTS_UNREAD);
		else
			ctipfix_hint_skb(cn, skb);
		consume_skb(skb);
	}
}

/*
 * Bound, so that the socket has a port id of its own: netlink's broadcast
 * skips the sockets whose id equals the sender's, and that is 0 for
 * conntrack's own deletions (the garbage collector, a flush by the kernel).
 */
static int ctipfix_hints_bind(struct socket *sock)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1 << (NFNLGRP_CONNTRACK_DESTROY - 1),
	};

	return kernel_bind(sock, (struct sockaddr *)&addr, sizeof(addr));
}

/*
 * Listen to @cn's namespace. Without a listener, the pass still finds
 * every deletion, only later: a failure here is noted, not fatal.
 */
void ctipfix_hints_start(struct ctipfix_net *cn)
{
	struct socket *sock;

	if (!ctipfix_destroy_events)
		return;
	if (sock_create_kern(cn->net, AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER,
			     &sock))
		goto fail;
	sock->sk->sk_user_data = cn;
	sock->sk->sk_data_ready = ctipfix_hints_ready;
	/*
	 * The check also links us to nfnetlink, so that it is loaded before
	 * us: loading it from a namespace's init would deadlock.
	 */
	if (ctipfix_hints_bind(sock) ||
	    !nfnetlink_has_listeners(cn->net, NFNLGRP_CONNTRACK_DESTROY)) {
		sock_release(sock);
		goto fail;
	}
	cn->hints = sock;
	return;
fail:
	pr_info_ratelimited("no destroy events in netns %u: deletions are found by the sweep, later\n",
			    cn->net->ns.inum);
}

/* No call of ctipfix_hints_ready() runs or follows once this returns. */
void ctipfix_hints_stop(struct ctipfix_net *cn)
{
	if (!cn->hints)
		return;
	sock_release(cn->hints);
	cn->hints = NULL;
}
