/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A record's TCP control bits (IPFIX tcpControlBits, IE 6), original
 * direction, as far as conntrack's TCP tracker shows them. The tracker
 * keeps no flags per packet. It keeps the connection's state, which side
 * sent the first FIN, the kind and side of the last segment it took in,
 * and whether the connection was assured; the hooks note whether the first
 * packet was a SYN. A bit is set only where one of these shows that such a
 * segment passed, and only in a record that counts the initiator's
 * packets:
 *   SYN  the first packet was a SYN without ACK: in the flow's first
 *        record (never for a connection picked up mid-stream);
 *   ACK  the connection was assured: the initiator acknowledged the
 *        answer to its SYN (or, picked up on an ACK, was answered);
 *   FIN  the initiator closed first, or after the responder (a FIN each
 *        way: LAST_ACK or TIME_WAIT);
 *   RST  the connection is closed (CLOSE, which only an accepted RST
 *        reaches) and the last segment the tracker noted was the
 *        initiator's RST. (An out-of-window RST is noted too, but leaves
 *        the state alone, and is dropped by most rulesets: not claimed.)
 * PSH, URG, ECE and CWR are never set: nothing records them. The bits are
 * what the connection shows at each record, not a sum per record: a FIN
 * or RST is claimed again in a later record that counts the initiator's
 * packets. A flag can also have passed unseen here: a RST followed by
 * other segments, an initiator's FIN followed by its RST after the
 * responder closed first, an ACK of a connection never assured. One
 * misreading is possible: a FIN the responder sends again (retransmitted,
 * before or after the initiator's ACK of it) reads as the initiator's.
 *
 * Pure: the unit tests include it as it is.
 */
#ifndef _CTIPFIX_TCP_FLAGS_H
#define _CTIPFIX_TCP_FLAGS_H

#include <linux/netfilter/nf_conntrack_tuple_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/types.h>

/* tcpControlBits as the TCP header has them */
#define CTIPFIX_TCP_FIN		0x01
#define CTIPFIX_TCP_SYN		0x02
#define CTIPFIX_TCP_RST		0x04
#define CTIPFIX_TCP_ACK		0x10

/*
 * ct->proto.tcp.last_index of a RST: enum tcp_bit_set is private to
 * nf_conntrack_proto_tcp.c (SYN, SYNACK, FIN, ACK, RST, NONE, unchanged
 * since 2.6); 47-times checks a RST each way on every guest kernel.
 */
#define CTIPFIX_TCP_LAST_RST	4

/* What the tracker and the hooks recorded of one connection. */
struct ctipfix_tcp_seen {
	u8 state;			/* enum tcp_conntrack */
	u8 last_index;			/* the last segment's kind ... */
	u8 last_dir;			/* ... and its direction */
	bool orig_closed_first;		/* IP_CT_TCP_FLAG_CLOSE_INIT, each side */
	bool reply_closed_first;
	bool assured;			/* IPS_ASSURED */
	bool syn_first;			/* first packet SYN, not yet reported */
};

static inline bool ctipfix_tcp_both_closed(u8 state)
{
	return state == TCP_CONNTRACK_LAST_ACK ||
	       state == TCP_CONNTRACK_TIME_WAIT;
}

static inline u8 ctipfix_tcp_flags(const struct ctipfix_tcp_seen *s)
{
	u8 bits = 0;

	if (s->syn_first)
		bits |= CTIPFIX_TCP_SYN;
	if (s->assured)
		bits |= CTIPFIX_TCP_ACK;
	if (s->orig_closed_first ||
	    (s->reply_closed_first && ctipfix_tcp_both_closed(s->state)))
		bits |= CTIPFIX_TCP_FIN;
	if (s->state == TCP_CONNTRACK_CLOSE &&
	    s->last_index == CTIPFIX_TCP_LAST_RST &&
	    s->last_dir == IP_CT_DIR_ORIGINAL)
		bits |= CTIPFIX_TCP_RST;
	return bits;
}

#endif /* _CTIPFIX_TCP_FLAGS_H */
