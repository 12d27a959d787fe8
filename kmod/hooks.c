// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks: notice each new flow on its first packet: an allocation,
 * a reference, and a link into its bucket under the bucket's lock, or,
 * while another holds that lock, onto this CPU's list for the pass: a new
 * flow does not wait for a lock the pass may hold, but in a table near
 * full, where it lets go of dead entries first (below). Every
 * other packet costs one read of its entry's status here; the per-packet
 * work the module causes is conntrack's accounting, which it switches on
 * (two atomic adds a packet, in conntrack's own path).
 *
 * A packet whose entry died on it (a RST that conntrack's TCP tracker
 * answered with a kill) has its flow's final record taken there and then,
 * and our reference let go (export.c): a dead entry keeps its memory, and
 * its place in nf_conntrack_count, for as long as we hold it, and under a
 * SYN flood answered by RSTs that would be the whole table. Entries killed
 * elsewhere are the pass's to let go, but for those killed to make room
 * for new entries in a full table: a new flow that finds early drops
 * counted on its CPU, or the table past nf_conntrack_max, lets go of as
 * many dead entries (export.c) and asks for a pass that looks at every
 * flow.
 *
 * Hooked just before conntrack confirms (LOCAL_IN and POST_ROUTING), which
 * sees each packet once whether it is delivered, forwarded or sent locally,
 * after NAT, and with a new flow's entry still unconfirmed. The hooks never
 * switch conntrack on: where it does not run, skbs carry no entry.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/percpu.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/dsfield.h>
#include <net/netfilter/nf_conntrack.h>

#include "export.h"
#include "flow.h"
#include "hooks.h"
#include "netns.h"
#include "stats.h"

/* A new flow finds the table within an eighth of nf_conntrack_max. */
static bool ctipfix_table_pressed(const struct net *net)
{
	unsigned int max = READ_ONCE(nf_conntrack_max);

	return max && nf_conntrack_count(net) >= max - max / 8;
}

/*
 * The first packet's class of service as it leaves the router (or is
 * delivered): after any rewrite in the mangle hooks, which come first.
 */
static u8 ctipfix_skb_tos(const struct sk_buff *skb, const struct nf_conn *ct)
{
	switch (nf_ct_l3num(ct)) {
	case NFPROTO_IPV4:
		return ipv4_get_dsfield(ip_hdr(skb));
	case NFPROTO_IPV6:
		return ipv6_get_dsfield(ipv6_hdr(skb));
	}
	return 0;
}

/*
 * The VLAN the first packet came in on: the id of the 802.1Q device it
 * arrived through (skb_iif names it: the VLAN device, once that device
 * took the tag off), 0 for any other. A tag still on the skb here is a
 * priority tag (id 0): the stack drops any other that no VLAN device
 * took. Hooks run under RCU. At LOCAL_IN the input device is @state's.
 * The id is read from the device's private part, not with
 * vlan_dev_vlan_id(), which would make the module need 8021q loaded.
 */
static u16 ctipfix_skb_vlan(const struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
#if IS_ENABLED(CONFIG_VLAN_8021Q)
	const struct net_device *in = state->in;

	if (!in && skb->skb_iif)
		in = dev_get_by_index_rcu(state->net, skb->skb_iif);
	return in && is_vlan_dev(in) ? vlan_dev_priv(in)->vlan_id : 0;
#else
	return 0;	/* a kernel without 802.1Q has no VLAN device */
#endif
}

/*
 * Dead entries a new flow in a pressed table lets go of, at most a few
 * (the rest wait for the pass):
 * - those conntrack's early drop killed on this CPU since a new flow here
 *   last looked. Read, and remembered, on two CPUs if the hook moved
 *   between (locally sent packets run it preemptibly): a wrong count
 *   then, once, within those few;
 * - and as many as the table holds past nf_conntrack_max, which conntrack
 *   alone never passes: entries there are dead ones only our references
 *   keep, such as those conntrack's gc worker kills to make room once an
 *   early drop found nothing to kill, which no counter counts. Past it by
 *   a 64th at least, so that the walk finds one in its CTIPFIX_REAP_LOOK.
 */
#define CTIPFIX_EARLY_DROPS_MOST	4U
static unsigned int ctipfix_dead_to_reap(struct ctipfix_net *cn,
					 const struct net *net)
{
	unsigned int drops = this_cpu_read(net->ct.stat->early_drop);
	unsigned int seen = this_cpu_xchg(cn->cpu->early_drops_seen, drops);
	unsigned int max = READ_ONCE(nf_conntrack_max);
	unsigned int count = nf_conntrack_count(net);
	unsigned int n = min(drops - seen, CTIPFIX_EARLY_DROPS_MOST);

	if (max && count > max + max / 64)
		n += min(count - max, CTIPFIX_EARLY_DROPS_MOST);
	return min(n, CTIPFIX_EARLY_DROPS_MOST);
}

static void ctipfix_hook_new(struct ctipfix_net *cn, struct nf_conn *ct,
			     struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct ctipfix_first_packet first = {
		.ifindex_in = state->in ? state->in->ifindex : skb->skb_iif,
		.ifindex_out = state->out ? state->out->ifindex : 0,
		.tos = ctipfix_skb_tos(skb, ct),
		.vlan = ctipfix_skb_vlan(skb, state),
	};
	unsigned int dead;

	if (ctipfix_flow_track(&cn->flows, ct, &first,
			       GFP_ATOMIC | __GFP_NOWARN)) {
		ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_ALLOC_FAILED);
		atomic_inc(&cn->untracked);
	}
	smp_mb();	/* the flow (or its loss) before _wake()'s test */
	if (unlikely(ctipfix_table_pressed(state->net))) {
		dead = ctipfix_dead_to_reap(cn, state->net);
		if (dead)
			ctipfix_export_dropped(cn, dead);
		ctipfix_export_kick(cn, CTIPFIX_KICK_REAP);
	} else if (unlikely(ctipfix_flow_crowded(&cn->flows))) {
		ctipfix_export_kick(cn, CTIPFIX_KICK_HINT);
	} else {
		ctipfix_export_wake(cn);
	}
}

static unsigned int ctipfix_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
	unsigned long status;
	struct ctipfix_net *cn;

	if (!ct)
		return NF_ACCEPT;
	status = READ_ONCE(ct->status);
	if (likely((status & (IPS_CONFIRMED | IPS_DYING)) == IPS_CONFIRMED))
		return NF_ACCEPT;
	if (nf_ct_is_template(ct))
		return NF_ACCEPT;

	cn = ctipfix_netns_of(state->net);
	if (status & IPS_DYING) {
		/* killed on this packet: its final record, our reference */
		if (status & IPS_CONFIRMED)
			ctipfix_export_dying(cn, ct);
		return NF_ACCEPT;
	}
	ctipfix_hook_new(cn, ct, skb, state);
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
