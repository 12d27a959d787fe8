// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks: notice each new flow on its first packet, the only time
 * per flow that costs anything: an allocation, a reference and a lock-free
 * push. Every other packet is one test and out.
 *
 * Hooked just before conntrack confirms (LOCAL_IN and POST_ROUTING), which
 * sees each packet once whether it is delivered, forwarded or sent locally,
 * after NAT, and with a new flow's entry still unconfirmed. The hooks never
 * switch conntrack on: where it does not run, skbs carry no entry.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "ctipfix.h"

static unsigned int ctipfix_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
	struct ctipfix_net *cn;
	u32 in, out;

	if (likely(!ct || nf_ct_is_confirmed(ct)) || nf_ct_is_template(ct))
		return NF_ACCEPT;

	cn = ctipfix_pernet(state->net);
	in = state->in ? state->in->ifindex : skb->skb_iif;
	out = state->out ? state->out->ifindex : 0;
	if (ctipfix_flow_track(&cn->flows, ct, in, out, GFP_ATOMIC))
		ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_ALLOC_FAILED);
	else
		ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_NEW);
	return NF_ACCEPT;
}

static const struct nf_hook_ops ctipfix_hook_ops[] = {
	{
		.hook		= ctipfix_hook,
		.pf		= NFPROTO_INET,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP_PRI_CONNTRACK_CONFIRM - 2,
	},
	{
		.hook		= ctipfix_hook,
		.pf		= NFPROTO_INET,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK_CONFIRM - 2,
	},
};

int ctipfix_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, ctipfix_hook_ops,
				     ARRAY_SIZE(ctipfix_hook_ops));
}

void ctipfix_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, ctipfix_hook_ops,
				ARRAY_SIZE(ctipfix_hook_ops));
}
