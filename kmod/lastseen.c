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
 * that RST: its last packet is the SYN, one round trip early (where the
 * hooks did not take its record on the RST itself). After a
 * change of the sysctls or of the entry's policy, an entry refreshed
 * before it is judged by the new timeouts: mostly "now".
 */
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_l4proto.h>
#include <net/netfilter/nf_conntrack_timeout.h>

#include "lastseen.h"

/* at most this many timeouts a tracker may have picked, likeliest first */
#define CTIPFIX_PICKS	4

/* nf_conntrack_proto_tcp.c's enum tcp_bit_set, private to it: the RST's */
#define CTIPFIX_TCP_RST_SET	4

struct ctipfix_picks {
	unsigned int n;
	u32 timeout[CTIPFIX_PICKS];	/* jiffies */
};

static void ctipfix_pick(struct ctipfix_picks *p, u32 timeout)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (p->timeout[i] == timeout)
			return;
	if (p->n < CTIPFIX_PICKS && timeout)
		p->timeout[p->n++] = timeout;
}

/*
 * The timeouts of @ct's own policy, else @defaults: indexed by state.
 * Under rcu_read_lock(): a policy deleted meanwhile is freed after a
 * grace period.
 */
static const unsigned int *ctipfix_timeouts(const struct nf_conn *ct,
					    const unsigned int *defaults)
{
	return nf_ct_timeout_lookup(ct) ?: defaults;
}

/*
 * nf_conntrack_tcp_packet()'s pick, in its order: a retransmission, a RST
 * (which can leave the state as it was, if its sequence number is not the
 * one expected), unacknowledged data, a zero window. The packet's index
 * (RST or not) is also written by packets that refresh nothing, so the
 * pick without the RST comes second; the SYN's third (a RST that answered
 * the SYN kills the entry without a refresh, and leaves it in CLOSE); and
 * the unacknowledged one last (an invalid packet shortens the
 * timeout to it without a refresh).
 */
static u32 ctipfix_tcp_pick(const struct nf_tcp_net *tn,
			    const unsigned int *timeouts,
			    const struct ip_ct_tcp *tcp, bool rst)
{
	unsigned int t = READ_ONCE(timeouts[tcp->state]);
	unsigned int retrans = READ_ONCE(timeouts[TCP_CONNTRACK_RETRANS]);
	unsigned int unack = READ_ONCE(timeouts[TCP_CONNTRACK_UNACK]);

	if (tcp->retrans >= READ_ONCE(tn->tcp_max_retrans) && t > retrans)
		return retrans;
	if (rst)
		return READ_ONCE(timeouts[TCP_CONNTRACK_CLOSE]);
	if ((tcp->seen[0].flags | tcp->seen[1].flags) &
	    IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED && t > unack)
		return unack;
	if (tcp->last_win == 0 && t > retrans)
		return retrans;
	return t;
}

static void ctipfix_tcp_picks(struct nf_conn *ct, struct ctipfix_picks *p)
{
	const struct nf_tcp_net *tn = nf_tcp_pernet(nf_ct_net(ct));
	const unsigned int *timeouts = ctipfix_timeouts(ct, tn->timeouts);
	const struct ip_ct_tcp *tcp = &ct->proto.tcp;
	bool rst;

	/* the tracker's fields as one packet left them */
	spin_lock_bh(&ct->lock);
	if (tcp->state < TCP_CONNTRACK_TIMEOUT_MAX) {
		rst = tcp->last_index == CTIPFIX_TCP_RST_SET;
		ctipfix_pick(p, ctipfix_tcp_pick(tn, timeouts, tcp, rst));
		ctipfix_pick(p, ctipfix_tcp_pick(tn, timeouts, tcp, false));
		/* a RST that answered the SYN kills without a refresh */
		ctipfix_pick(p, READ_ONCE(timeouts[TCP_CONNTRACK_SYN_SENT]));
		ctipfix_pick(p, READ_ONCE(timeouts[TCP_CONNTRACK_UNACK]));
	}
	spin_unlock_bh(&ct->lock);
}

/*
 * The UDP, UDP-Lite and GRE trackers pick their replied (stream) timeout
 * from the packet on which they set ASSURED, and their unreplied one
 * before it: every later packet meets the same conditions (a reply seen, for
 * UDP two seconds gone since the first packet). The reply bit itself is
 * set only after the tracker has run, so it does not tell. UDP never
 * assures an entry that lost a NAT clash: both are picks there.
 */
static void ctipfix_assured_picks(struct nf_conn *ct, u32 unreplied,
				  u32 replied, struct ctipfix_picks *p)
{
	unsigned long status = READ_ONCE(ct->status);

	if (status & IPS_ASSURED) {
		ctipfix_pick(p, replied);
		return;
	}
	ctipfix_pick(p, unreplied);
	if (status & IPS_NAT_CLASH)
		ctipfix_pick(p, replied);
}

static void ctipfix_udp_picks(struct nf_conn *ct, struct ctipfix_picks *p)
{
	const unsigned int *timeouts =
		ctipfix_timeouts(ct, nf_udp_pernet(nf_ct_net(ct))->timeouts);

	ctipfix_assured_picks(ct, READ_ONCE(timeouts[UDP_CT_UNREPLIED]),
			      READ_ONCE(timeouts[UDP_CT_REPLIED]), p);
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
		state = READ_ONCE(ct->proto.sctp.state);
		states = SCTP_CONNTRACK_MAX;
		break;
#endif
#ifdef CONFIG_NF_CT_PROTO_DCCP
	case IPPROTO_DCCP:
		timeouts = nf_dccp_pernet(net)->dccp_timeout;
		state = READ_ONCE(ct->proto.dccp.state);
		states = CT_DCCP_MAX;
		break;
#endif
	default:
		/* conntrack's generic tracker: every other protocol */
		timeouts = &nf_generic_pernet(net)->timeout;
		break;
	}
	if (state < states)
		ctipfix_pick(p, READ_ONCE(ctipfix_timeouts(ct, timeouts)[state]));
}

static void ctipfix_ct_picks(struct nf_conn *ct, struct ctipfix_picks *p)
{
	rcu_read_lock();
	switch (nf_ct_protonum(ct)) {
	case IPPROTO_TCP:
		ctipfix_tcp_picks(ct, p);
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		ctipfix_udp_picks(ct, p);
		break;
#ifdef CONFIG_NF_CT_PROTO_GRE
	case IPPROTO_GRE:
		/* the tracker keeps its two timeouts in the entry */
		ctipfix_assured_picks(ct, READ_ONCE(ct->proto.gre.timeout),
				      READ_ONCE(ct->proto.gre.stream_timeout), p);
		break;
#endif
	default:
		ctipfix_state_picks(ct, p);
		break;
	}
	rcu_read_unlock();
}

/*
 * How far before the first packet a last packet may seem to be: the first
 * is stamped from the monotonic clock, the last from jiffies, which a
 * stalled virtual CPU leaves behind it. Timeouts that picks tell apart
 * differ by seconds at least, so this is no room for a wrong pick; the
 * caller puts such an end at the start.
 */
#define CTIPFIX_JIFFIES_LAG_MAX	(HZ / 4)

/*
 * The jiffies (truncated) at which @ct's last packet passed: @now if that
 * cannot be told. The answer is no earlier than the flow's first packet,
 * @since ticks before @now (negative for a flow that came after @now,
 * which the pass read when it began) give or take jiffies' lag, and no
 * later than a second after @now: a packet that came while the pass was
 * on its way.
 */
u32 ctipfix_lastseen(struct nf_conn *ct, u32 now, s32 since)
{
	struct ctipfix_picks p;
	unsigned int i, tries = 0;
	u32 timeout;

	if (test_bit(IPS_FIXED_TIMEOUT_BIT, &ct->status) ||
	    test_bit(IPS_OFFLOAD_BIT, &ct->status))
		return now;
	/*
	 * A live entry's timeout is written after its tracker's fields, not
	 * under their lock: the picks of a packet must meet its own timeout.
	 */
	do {
		timeout = READ_ONCE(ct->timeout);
		p.n = 0;
		ctipfix_ct_picks(ct, &p);
	} while (READ_ONCE(ct->timeout) != timeout && ++tries < 2);

	for (i = 0; i < p.n; i++) {
		u32 last = timeout - p.timeout[i];
		s32 ago = (s32)(now - last);

		if (ago >= -HZ && ago <= since + CTIPFIX_JIFFIES_LAG_MAX)
			return last;
	}
	return now;
}
