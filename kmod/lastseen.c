// SPDX-License-Identifier: GPL-2.0
/*
 * When a flow's last packet passed, worked out from what conntrack keeps
 * anyway: nothing is stamped per packet.
 *
 * Each packet that conntrack accepts for an entry refreshes it: the entry's
 * timeout becomes now plus the timeout that its tracker picks for the state
 * the packet left it in, from the entry's timeout policy (nft ct timeout,
 * nfct) or else the namespace's sysctls. That pick is a function of the
 * state, which no later packet changed (there was none), so the pass can
 * make it again: the last packet passed at the timeout less that pick.
 *
 * Where the pick cannot be made again, the answer is "now", the record's
 * own time: an entry with a fixed timeout or offloaded to a flowtable, an
 * unknown protocol, or a timeout rewritten through ctnetlink (conntrack -U
 * --timeout) that would put the last packet before the first or after now.
 * A TCP entry killed by the RST that answered its SYN is not refreshed by
 * that RST: its last packet is the SYN, one round trip early.
 */
#include <linux/jiffies.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_l4proto.h>
#include <net/netfilter/nf_conntrack_timeout.h>

#include "ctipfix.h"

/* at most this many timeouts a tracker may have picked, likeliest first */
#define CTIPFIX_PICKS	2

struct ctipfix_picks {
	unsigned int n;
	u32 timeout[CTIPFIX_PICKS];	/* jiffies */
};

static void ctipfix_pick(struct ctipfix_picks *p, u32 timeout)
{
	if (p->n < CTIPFIX_PICKS && timeout)
		p->timeout[p->n++] = timeout;
}

/* the timeouts of @ct's own policy, else @defaults: indexed by state */
static const unsigned int *ctipfix_timeouts(const struct nf_conn *ct,
					    const unsigned int *defaults)
{
	return nf_ct_timeout_lookup(ct) ?: defaults;
}

/*
 * nf_conntrack_tcp_packet()'s pick. A retransmission, unacknowledged data
 * or a zero window shorten a long timeout; an invalid packet can shorten
 * it to the unacknowledged one too, without a refresh: that pick comes
 * second, where the first would put the last packet before the first.
 * (A RST leaves the entry in CLOSE, whose own timeout is the pick.)
 */
static void ctipfix_tcp_picks(struct nf_conn *ct, struct ctipfix_picks *p)
{
	const struct nf_tcp_net *tn = nf_tcp_pernet(nf_ct_net(ct));
	const unsigned int *timeouts = ctipfix_timeouts(ct, tn->timeouts);
	const struct ip_ct_tcp *tcp = &ct->proto.tcp;
	unsigned int retrans = timeouts[TCP_CONNTRACK_RETRANS];
	unsigned int unack = timeouts[TCP_CONNTRACK_UNACK];
	unsigned int t;

	spin_lock_bh(&ct->lock);
	if (tcp->state >= TCP_CONNTRACK_TIMEOUT_MAX) {
		spin_unlock_bh(&ct->lock);
		return;
	}
	t = timeouts[tcp->state];
	if (tcp->retrans >= tn->tcp_max_retrans && t > retrans)
		t = retrans;
	else if ((tcp->seen[0].flags | tcp->seen[1].flags) &
		 IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED && t > unack)
		t = unack;
	else if (tcp->last_win == 0 && t > retrans)
		t = retrans;
	spin_unlock_bh(&ct->lock);
	ctipfix_pick(p, t);
	if (t > unack)
		ctipfix_pick(p, unack);
}

/*
 * nf_conntrack_udp_packet()'s pick: the replied (stream) timeout once a
 * reply was seen and the packet came over two seconds after the first,
 * else the unreplied one. Which it was follows from the timeout itself.
 */
static void ctipfix_udp_picks(struct nf_conn *ct, u32 timeout,
			      struct ctipfix_picks *p)
{
	const unsigned int *timeouts =
		ctipfix_timeouts(ct, nf_udp_pernet(nf_ct_net(ct))->timeouts);
	u32 stream_ts = (u32)READ_ONCE(ct->proto.udp.stream_ts);
	u32 replied = timeouts[UDP_CT_REPLIED];

	if (test_bit(IPS_SEEN_REPLY_BIT, &ct->status) &&
	    (s32)(timeout - replied - stream_ts) > 0)
		ctipfix_pick(p, replied);
	else
		ctipfix_pick(p, timeouts[UDP_CT_UNREPLIED]);
}

/* trackers that pick by state alone, or have a single timeout (state 0) */
static void ctipfix_state_picks(struct nf_conn *ct, struct ctipfix_picks *p)
{
	struct net *net = nf_ct_net(ct);
	const unsigned int *timeouts;
	unsigned int state = 0, states = 1;

	switch (nf_ct_protonum(ct)) {
	case IPPROTO_ICMP:
		timeouts = &nf_icmp_pernet(net)->timeout;
		break;
	case IPPROTO_ICMPV6:
		timeouts = &nf_icmpv6_pernet(net)->timeout;
		break;
#ifdef CONFIG_NF_CT_PROTO_SCTP
	case IPPROTO_SCTP:
		timeouts = nf_sctp_pernet(net)->timeouts;
		state = ct->proto.sctp.state;
		states = SCTP_CONNTRACK_MAX;
		break;
#endif
#ifdef CONFIG_NF_CT_PROTO_DCCP
	case IPPROTO_DCCP:
		timeouts = nf_dccp_pernet(net)->dccp_timeout;
		state = ct->proto.dccp.state;
		states = CT_DCCP_MAX + 1;
		break;
#endif
	default:
		/* conntrack's generic tracker: every other protocol */
		timeouts = &nf_generic_pernet(net)->timeout;
		break;
	}
	if (state < states)
		ctipfix_pick(p, ctipfix_timeouts(ct, timeouts)[state]);
}

static void ctipfix_ct_picks(struct nf_conn *ct, u32 timeout,
			     struct ctipfix_picks *p)
{
	switch (nf_ct_protonum(ct)) {
	case IPPROTO_TCP:
		ctipfix_tcp_picks(ct, p);
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		ctipfix_udp_picks(ct, timeout, p);
		break;
#ifdef CONFIG_NF_CT_PROTO_GRE
	case IPPROTO_GRE:
		/* the tracker keeps its two timeouts in the entry */
		ctipfix_pick(p, test_bit(IPS_SEEN_REPLY_BIT, &ct->status) ?
				ct->proto.gre.stream_timeout :
				ct->proto.gre.timeout);
		break;
#endif
	default:
		ctipfix_state_picks(ct, p);
		break;
	}
}

/*
 * The jiffies (truncated) at which @ct's last packet passed: @now if that
 * cannot be told. The answer is no earlier than the flow's first packet,
 * @since jiffies before @now (negative for a flow that came after @now,
 * which the pass read when it began), and no later than a second after
 * @now: a packet that came while the pass was on its way.
 */
u32 ctipfix_ct_last_packet(struct nf_conn *ct, u32 now, s32 since)
{
	u32 timeout = READ_ONCE(ct->timeout);
	struct ctipfix_picks p = { };
	unsigned int i;

	if (test_bit(IPS_FIXED_TIMEOUT_BIT, &ct->status) ||
	    test_bit(IPS_OFFLOAD_BIT, &ct->status))
		return now;
	ctipfix_ct_picks(ct, timeout, &p);
	for (i = 0; i < p.n; i++) {
		u32 last = timeout - p.timeout[i];
		s32 ago = (s32)(now - last);

		if (ago >= -HZ && ago <= since)
			return last;
	}
	return now;
}
