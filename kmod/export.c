// SPDX-License-Identifier: GPL-2.0
/*
 * The export pass, every flush_interval_ms per namespace: finds flows whose
 * conntrack entry died (deleted, or expired but not yet reaped by conntrack's
 * garbage collector) and writes their final record; writes an interim record
 * for flows that have gone active_timeout without one; then flushes the open
 * message, so no record waits longer than one interval.
 *
 * The pass does not look at every flow every time. Each bucket knows when it
 * next needs a look: the soonest expiry or interim record of its flows,
 * known from when the pass links a new flow in. A bucket is looked at
 * sooner when conntrack's destroy event names one of its flows (hints.c,
 * with destroy_events on). A sweep moves over the buckets besides,
 * for what nothing announces: a deletion (without destroy_events, or without
 * an event), a timeout shortened (a TCP connection closing). Its pace is set
 * in flows a second (sweep_rate), so its cost does not grow with the flows:
 * it goes round 10 000 flows every pass by default, 100 000 in 5 s.
 *
 * Records carry the counts since the previous record of the flow, so the
 * deltas of all records of a flow add up to conntrack's totals.
 */
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <net/netfilter/nf_conntrack_acct.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "ctipfix_ipfix.h"
#include "export.h"
#include "flow.h"
#include "flow_counts.h"
#include "iftable.h"
#include "lastseen.h"
#include "msg.h"
#include "netns.h"
#include "params.h"
#include "reliability.h"
#include "route.h"
#include "stats.h"
#include "tcp_flags.h"
#include "templates.h"

struct ctipfix_pass {
	u64 tick_ns;			/* wall clock at the start of now_ticks */
	u64 now_ticks;			/* the monotonic clock's tick */
	u32 now;			/* conntrack's clock: jiffies, truncated */
	u32 active_timeout;		/* jiffies */
	u32 interim_early;		/* ... less a quarter */
	bool all_interim;		/* a flush: every live flow reports now */
	bool all_final;			/* namespace or module going away */
	bool replan;			/* active_timeout changed: look at all */
	bool reap;			/* table nearly full: sweep all of it */
	bool kicked;			/* the hooks asked for this pass */
	bool hints_only;		/* ... before the regular one is due */
	bool can_encode;		/* a message buffer exists */
	bool on_packet;			/* the hooks, on the flow's last packet */
	unsigned int sweep_from;	/* the sweep's buckets this pass: */
	unsigned int sweep_len;		/* sweep_from, and on (wrapping) */
	unsigned long looked;		/* flows looked at */
	struct ctipfix_route_memo route;	/* its last next hop */
};

/* a bucket with no flow: looked at again only when one comes */
#define CTIPFIX_DUE_NEVER	(U32_MAX >> 2)

/* Is @when still to come, and within @span? (A stale stamp is not.) */
static bool ctipfix_jiffies_ahead(unsigned long when, unsigned long span)
{
	unsigned long now = jiffies;

	return time_before(now, when) && when - now <= span;
}

static unsigned long ctipfix_flush_interval(void)
{
	return msecs_to_jiffies(READ_ONCE(ctipfix_flush_interval_ms));
}

/*
 * The pass's one instant on its clocks: conntrack's (jiffies), the
 * monotonic clock's tick (what flows' first packets are stamped in), and
 * the wall clock at the start of that tick. The kernel's ticks fall on
 * multiples of TICK_NSEC of the monotonic clock (tick_init_jiffy_update()),
 * so the monotonic clock's remainder is how far into the tick this is.
 * Where that does not hold (a periodic tick, skew_tick=1) every time is off
 * by the same fraction of a tick, and durations stay exact. Jiffies, which
 * date the last packets, can lag the tick on a stalled virtual CPU: an end
 * is then early by the lag at its packet less the lag now.
 */
static void ctipfix_pass_clocks(struct ctipfix_pass *p)
{
	u32 into_tick;
	ktime_t mono;
	u64 real;

	p->now = (u32)get_jiffies_64();
	mono = ktime_get();
	real = ktime_to_ns(ktime_mono_to_real(mono));
	p->now_ticks = div_u64_rem(ktime_to_ns(mono), TICK_NSEC, &into_tick);
	p->tick_ns = real - into_tick;
}

static u8 ctipfix_end_reason(const struct nf_conn *ct, bool expired)
{
	if (nf_ct_protonum(ct) == IPPROTO_TCP) {
		switch (READ_ONCE(ct->proto.tcp.state)) {
		case TCP_CONNTRACK_FIN_WAIT:
		case TCP_CONNTRACK_CLOSE_WAIT:
		case TCP_CONNTRACK_LAST_ACK:
		case TCP_CONNTRACK_TIME_WAIT:
		case TCP_CONNTRACK_CLOSE:
			return CTIPFIX_END_OF_FLOW;
		}
	}
	return expired ? CTIPFIX_END_IDLE_TIMEOUT : CTIPFIX_END_FORCED;
}

static bool ctipfix_proto_has_ports(u8 protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return true;
	}
	return false;
}

/*
 * Where the original direction left the router, if conntrack translated
 * it: the reply tuple, turned around. Both tuples are fixed once the entry
 * is confirmed.
 */
static void ctipfix_fill_nat(struct ctipfix_record *rec,
			     const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *r =
		&ct->tuplehash[IP_CT_DIR_REPLY].tuple;

	if (!(READ_ONCE(ct->status) & IPS_NAT_MASK))
		return;
	rec->nat = true;
	rec->post_saddr = r->dst.u3;
	rec->post_daddr = r->src.u3;
	if (ctipfix_proto_has_ports(rec->protocol)) {
		rec->post_sport = ntohs(r->dst.u.all);
		rec->post_dport = ntohs(r->src.u.all);
	}
}

static void ctipfix_fill_tuple(struct ctipfix_record *rec,
			       const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;

	rec->family = nf_ct_l3num(ct);
	rec->zone = nf_ct_zone(ct)->id;
	rec->saddr = t->src.u3;
	rec->daddr = t->dst.u3;
	rec->protocol = t->dst.protonum;
	if (rec->protocol == IPPROTO_ICMP || rec->protocol == IPPROTO_ICMPV6)
		rec->icmp_type_code = t->dst.u.icmp.type << 8 |
				      t->dst.u.icmp.code;
	if (ctipfix_proto_has_ports(rec->protocol)) {
		rec->sport = ntohs(t->src.u.all);
		rec->dport = ntohs(t->dst.u.all);
	}
	ctipfix_fill_nat(rec, ct);
}

/* Counts since the flow's previous record; remembers what was exported. */
static void ctipfix_fill_counts(struct ctipfix_record *rec,
				struct ctipfix_flow *flow)
{
	const struct nf_conn_acct *acct = nf_conn_acct_find(flow->ct);
	u64 *packets[IP_CT_DIR_MAX] = { &rec->packets, &rec->rev_packets };
	u64 *octets[IP_CT_DIR_MAX] = { &rec->octets, &rec->rev_octets };
	int dir;

	if (!acct)
		return;
	for (dir = 0; dir < IP_CT_DIR_MAX; dir++)
		ctipfix_sent_take(&flow->sent_lo[dir], &flow->sent_hi[dir],
				  atomic64_read(&acct->counter[dir].packets),
				  atomic64_read(&acct->counter[dir].bytes),
				  packets[dir], octets[dir]);
}

/*
 * The initiator's TCP control bits, in a record that counts its packets.
 * The tracker's facts are taken under the entry's lock, as ctnetlink takes
 * them: the tracker writes the last segment's kind, its direction and the
 * state one after the other, and a mix of two segments' would claim a
 * flag neither had. (The pass, in process context, and the hooks both
 * come here: _bh.)
 */
static void ctipfix_fill_tcp_flags(struct ctipfix_record *rec,
				   const struct ctipfix_flow *flow)
{
	struct nf_conn *ct = flow->ct;
	const struct ip_ct_tcp *tcp = &ct->proto.tcp;
	struct ctipfix_tcp_seen seen;

	if (rec->protocol != IPPROTO_TCP || !rec->packets)
		return;
	seen.assured = test_bit(IPS_ASSURED_BIT, &ct->status);
	seen.syn_first = flow->syn_unsent;
	spin_lock_bh(&ct->lock);
	seen.state = tcp->state;
	seen.last_index = tcp->last_index;
	seen.last_dir = tcp->last_dir;
	seen.orig_closed_first = tcp->seen[IP_CT_DIR_ORIGINAL].flags &
				 IP_CT_TCP_FLAG_CLOSE_INIT;
	seen.reply_closed_first = tcp->seen[IP_CT_DIR_REPLY].flags &
				  IP_CT_TCP_FLAG_CLOSE_INIT;
	spin_unlock_bh(&ct->lock);
	rec->tcp_flags = ctipfix_tcp_flags(&seen);
}

/*
 * The wall clock, in ms, of a packet that conntrack or the hooks saw at the
 * tick @ago ticks before the pass's (after, if negative): the middle of
 * that tick, so that it is off by half a tick at most.
 */
static u64 ctipfix_pass_ms(const struct ctipfix_pass *p, s64 ago)
{
	s64 ns = (s64)p->tick_ns - ago * (s64)TICK_NSEC + TICK_NSEC / 2;

	return div_u64(max_t(s64, ns, 0) + NSEC_PER_MSEC / 2, NSEC_PER_MSEC);
}

/*
 * A record's times, all from the tick's clock, carried over to the wall
 * clock at one instant of the pass: the first packet (when the hooks saw
 * it, or conntrack's stamp of it for an adopted entry), and the last
 * before the record (lastseen.c). So a duration is exact to the tick, and
 * start and end share any error of the wall clock.
 */
static void ctipfix_fill_times(struct ctipfix_record *rec,
			       const struct ctipfix_flow *flow,
			       const struct ctipfix_pass *p)
{
	s64 since = (s64)(p->now_ticks - ctipfix_flow_first(flow));
	u32 last = p->on_packet ? p->now :
		   ctipfix_lastseen(flow->ct, p->now,
				    (s32)clamp_t(s64, since, -HZ, S32_MAX / 2));

	rec->start_ms = ctipfix_pass_ms(p, since);
	/* "now" for a flow newer than the pass is its first packet */
	rec->end_ms = max(ctipfix_pass_ms(p, (s32)(p->now - last)),
			  rec->start_ms);
	/*
	 * What the compact templates carry instead of the end: never 0, which
	 * nfdump 1.7 reads as no end at all (1970). A flow within one tick
	 * lasted between nothing and a tick: 1 ms is as true as 0.
	 */
	rec->duration_ms = max_t(u64, rec->end_ms - rec->start_ms, 1);
}

static void ctipfix_fill_record(struct ctipfix_record *rec,
				struct ctipfix_flow *flow,
				const struct ctipfix_pass *p, u8 reason)
{
	memset(rec, 0, sizeof(*rec));
	ctipfix_fill_tuple(rec, flow->ct);
	ctipfix_fill_counts(rec, flow);
	ctipfix_fill_tcp_flags(rec, flow);
	ctipfix_fill_times(rec, flow, p);
	rec->end_reason = reason;
	rec->ifindex_in = flow->ifindex_in;
	rec->ifindex_out = flow->ifindex_out;
	rec->ifaces = flow->hooked;	/* a walk's flow never saw them */
	rec->tos = flow->tos;
	rec->vlan = flow->vlan;
}

/*
 * Under the flow's lock: its record for @reason in @rec, and whether one
 * is owed.
 */
static bool ctipfix_take_record(struct ctipfix_flow *flow,
				const struct ctipfix_pass *p, u8 reason,
				struct ctipfix_record *rec)
{
	ctipfix_fill_record(rec, flow, p, reason);
	if (reason == CTIPFIX_END_ACTIVE_TIMEOUT && !p->all_interim &&
	    !rec->packets && !rec->rev_packets)
		return false;	/* idle since the last record: nothing new */
	flow->syn_unsent = 0;	/* its first record carried it */
	return true;
}

/*
 * Out with @rec: into the domain's message, with its next hop looked up
 * now, outside the bucket locks (route.c); or counted as lost.
 */
static void ctipfix_put_record(struct ctipfix_net *cn,
			       struct ctipfix_record *rec,
			       struct ctipfix_pass *p)
{
	if (rec->end_reason == CTIPFIX_END_ACTIVE_TIMEOUT)
		ctipfix_stat_inc(CTIPFIX_STAT_RECORDS_INTERIM);
	else
		ctipfix_stat_inc(CTIPFIX_STAT_RECORDS_FINAL);
	if (p->can_encode) {
		ctipfix_route_nexthop(cn->net, rec, &p->route);
		ctipfix_msg_add(&cn->msg, rec);
	} else {
		ctipfix_msg_skip(&cn->msg, 1, rec->packets + rec->rev_packets,
				 rec->octets + rec->rev_octets);
	}
}

/*
 * Confirmed, with the timeout its confirmation made absolute: that is
 * written before the status bit, so read after it (a no-op on x86).
 */
static bool ctipfix_ct_confirmed(const struct nf_conn *ct)
{
	bool confirmed = nf_ct_is_confirmed(ct);

	/* the status bit before the timeout (and counters) it publishes */
	smp_rmb();
	return confirmed;
}

/*
 * An entry past its timeout is dead, only not reaped yet, but a packet
 * that found it a moment before can still refresh it. We settle which the
 * way conntrack's lookups do (nf_ct_gc_expired()): still expired, and not
 * dying, it is killed here, with conntrack's usual destroy event; a packet
 * that revived it pushed its timeout back first. Once it is dying no late
 * packet can revive it, so its final record stays final. Our reference
 * stands in for the one they take. Returns whether the entry is dead.
 */
static bool ctipfix_ct_reaped(struct nf_conn *ct)
{
	if (nf_ct_should_gc(ct))
		nf_ct_kill(ct);
	return nf_ct_is_dying(ct);
}

/*
 * Under the flow's lock. Returns true when the flow is done with (its
 * final record taken, or none owed): the caller unlinks it. *@owed: @rec
 * holds a record to write.
 */
static bool ctipfix_judge_flow(struct ctipfix_flow *flow,
			       const struct ctipfix_pass *p,
			       struct ctipfix_record *rec, bool *owed)
{
	struct nf_conn *ct = flow->ct;
	bool expired;

	*owed = false;
	if (!ctipfix_ct_confirmed(ct)) {
		/*
		 * Still on its first packet's way to confirmation, or left
		 * behind: dropped, or lost a clash to an identical entry.
		 * Only our reference is left then, and no record is owed.
		 */
		if (!p->all_final && refcount_read(&ct->ct_general.use) > 1)
			return false;
		ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_ABANDONED);
		return true;
	}

	expired = nf_ct_is_expired(ct);
	if (expired && !nf_ct_is_dying(ct) && !p->all_final &&
	    !ctipfix_ct_reaped(ct))
		expired = false;	/* a late packet revived it */
	if (expired || nf_ct_is_dying(ct) || p->all_final) {
		*owed = ctipfix_take_record(flow, p,
					    ctipfix_end_reason(ct, expired), rec);
		return true;
	}
	/*
	 * Within a quarter of its interim record, a flow has it now, while
	 * its bucket is being looked at anyway: the flows of a bucket fall in
	 * step, and the bucket needs a look per active_timeout, not per flow.
	 */
	if (p->all_interim ||
	    (s32)(p->now - flow->last_export) >= (s32)p->interim_early) {
		*owed = ctipfix_take_record(flow, p, CTIPFIX_END_ACTIVE_TIMEOUT,
					    rec);
		flow->last_export = p->now;
	}
	return false;
}

/*
 * When @flow, still followed, next needs a look: its expiry or its next
 * interim record, whichever comes first; next pass while unconfirmed.
 * Conntrack may push the expiry back meanwhile (the look then finds it
 * alive, and asks again); a timeout made shorter is the sweep's to find.
 */
static u32 ctipfix_flow_next_look(const struct ctipfix_flow *flow,
				  const struct ctipfix_pass *p)
{
	u32 interim = flow->last_export + p->active_timeout;
	u32 expiry;

	if (!ctipfix_ct_confirmed(flow->ct))
		return p->now;
	expiry = READ_ONCE(flow->ct->timeout);
	return (s32)(expiry - interim) < 0 ? expiry : interim;
}

/*
 * Whether the pass has anything to do with @flow: a record owed, or a flow
 * to let go.
 */
static bool ctipfix_flow_due(const struct ctipfix_flow *flow,
			     const struct ctipfix_pass *p)
{
	const struct nf_conn *ct = flow->ct;

	return p->all_final || p->all_interim || !ctipfix_ct_confirmed(ct) ||
	       nf_ct_is_expired(ct) || nf_ct_is_dying(ct) ||
	       (s32)(p->now - flow->last_export) >= (s32)p->active_timeout;
}

/*
 * Most buckets hold nothing due on most passes: the sweep reads first.
 * A flow the hooks took waits for its ending, not for the sweep.
 */
static bool ctipfix_bucket_due(struct ctipfix_flow_table *t, unsigned int b,
			       struct ctipfix_pass *p)
{
	spinlock_t *lock = ctipfix_flow_lock(b);
	struct ctipfix_flow *flow;
	bool due = false;

	spin_lock_bh(lock);
	for (flow = t->buckets[b]; flow && !due; flow = flow->next) {
		p->looked++;
		due = !flow->taken && ctipfix_flow_due(flow, p);
	}
	spin_unlock_bh(lock);
	return due;
}

/*
 * One bucket, under its lock but while a record is written (which may
 * sleep): flows done with are unlinked under it, let go after. The pass
 * alone unlinks and frees, so the next flow stays in the chain while the
 * lock is dropped. Returns the bucket's next look.
 */
static u32 ctipfix_export_bucket(struct ctipfix_net *cn, unsigned int b,
				 struct ctipfix_pass *p)
{
	struct ctipfix_flow_table *t = &cn->flows;
	spinlock_t *lock = ctipfix_flow_lock(b);
	struct ctipfix_flow *flow, *next, *prev = NULL;
	s32 soonest = CTIPFIX_DUE_NEVER;
	struct ctipfix_record rec;
	bool done, owed;

	spin_lock_bh(lock);
	for (flow = t->buckets[b]; flow; flow = next) {
		next = flow->next;
		p->looked++;
		if (flow->taken) {
			prev = flow;	/* its record waits with the endings */
			continue;
		}
		done = ctipfix_judge_flow(flow, p, &rec, &owed);
		if (done) {
			ctipfix_flow_unlink(t, b, prev, flow);
		} else {
			soonest = min_t(s32, soonest,
					ctipfix_flow_next_look(flow, p) - p->now);
			prev = flow;
		}
		if (!done && !owed)
			continue;
		/* our place in the chain stays: the hooks leave it alone */
		WRITE_ONCE(t->pass_inside, lock);
		spin_unlock_bh(lock);
		if (owed)
			ctipfix_put_record(cn, &rec, p);
		if (done)
			ctipfix_flow_release(flow);
		spin_lock_bh(lock);
	}
	WRITE_ONCE(t->pass_inside, NULL);
	spin_unlock_bh(lock);
	return p->now + max(soonest, 0);
}

/*
 * A final record the hooks took on the packet that ended its flow, with
 * the flow, whose reference they let go: the pass writes the one and
 * frees the other.
 */
struct ctipfix_ending {
	struct llist_node node;
	struct ctipfix_flow *flow;
	bool linked;			/* the flow is still in its bucket */
	struct ctipfix_record rec;
};

static struct kmem_cache *ctipfix_ending_cache;

/*
 * At most as many endings wait, in all namespaces, as conntrack's table
 * holds entries, or 65536 (about 16 MiB with their flows) if that is
 * more: a pass kept from running while a flood lasts seconds finds them
 * all. Past it, the pass lets the entries go, as it does the others.
 */
#define CTIPFIX_ENDINGS_MIN	65536U
static atomic_t ctipfix_endings_waiting = ATOMIC_INIT(0);

static struct ctipfix_ending *ctipfix_ending_alloc(void)
{
	unsigned int most = max(READ_ONCE(nf_conntrack_max),
				CTIPFIX_ENDINGS_MIN);
	struct ctipfix_ending *e;

	if (atomic_inc_return(&ctipfix_endings_waiting) > most)
		goto none;
	e = kmem_cache_alloc(ctipfix_ending_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (e)
		return e;
none:
	atomic_dec(&ctipfix_endings_waiting);
	return NULL;
}

static void ctipfix_ending_free(struct ctipfix_ending *e)
{
	kmem_cache_free(ctipfix_ending_cache, e);
	atomic_dec(&ctipfix_endings_waiting);
}

/*
 * Under the bucket's lock: the final record of @flow, whose entry is dead,
 * taken for the pass to write, and the flow marked as taken (and out of
 * its chain, mostly: ctipfix_flow_take()). The caller then lets the
 * reference go and hands the ending to the pass, which frees the flow.
 * NULL where there is no memory, or too many endings wait.
 */
static struct ctipfix_ending *ctipfix_ending_take(struct ctipfix_flow_table *t,
						  struct ctipfix_flow *flow,
						  const struct ctipfix_pass *p)
{
	struct ctipfix_ending *e = ctipfix_ending_alloc();
	bool expired = !p->on_packet && nf_ct_is_expired(flow->ct);

	if (!e)
		return NULL;
	ctipfix_fill_record(&e->rec, flow, p,
			    ctipfix_end_reason(flow->ct, expired));
	e->linked = !ctipfix_flow_take(t, flow);
	e->flow = flow;
	return e;
}

/*
 * The hooks saw @ct die on its packet (a RST that the TCP tracker answered
 * with a kill; confirmed, so followed): its final record is taken now, and
 * our reference let go, so that the entry goes when conntrack is done with
 * it, as it would without us. Under a SYN flood answered by RSTs that is
 * every flow, and the pass that would let them go comes only when the
 * flood lets it run. Where that cannot be done here, the bucket is named
 * to the pass, which does it all: the bucket's lock is held (by the pass,
 * or the hooks of another CPU), the flow is not in its bucket (adopted, or
 * new while that lock was held, and waiting to be linked in), no memory,
 * or too many endings wait.
 * Either way a pass is asked for now. Any context.
 */
void ctipfix_export_dying(struct ctipfix_net *cn, struct nf_conn *ct)
{
	u32 hash = ctipfix_flow_hash(&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
	spinlock_t *lock = ctipfix_flow_lock(hash);
	struct ctipfix_pass p = { .on_packet = true };
	struct ctipfix_ending *e = NULL;
	struct ctipfix_flow *flow;

	ctipfix_pass_clocks(&p);
	/* the hooks never wait for the pass: a lock held is the pass's find */
	if (spin_trylock_bh(lock)) {
		flow = ctipfix_flow_find(&cn->flows, ct, hash);
		if (flow)
			e = ctipfix_ending_take(&cn->flows, flow, &p);
		spin_unlock_bh(lock);
	}
	if (e) {
		llist_add(&e->node, &cn->endings);
		nf_ct_put(ct);	/* the flow's: the packet holds its own */
		ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_ENDED_ON_PACKET);
	} else {
		ctipfix_flow_hint_hash(&cn->flows, hash);
	}
	ctipfix_export_kick(cn, CTIPFIX_KICK_HINT);
}

/* a walk of the hooks' buckets for flows whose entries conntrack killed */
struct ctipfix_reap {
	struct ctipfix_flow_table *t;
	struct ctipfix_pass p;
	struct llist_head taken;	/* their endings, the walk's own */
	unsigned int wanted;
};

/* Killed, not by its packet: by early drop, or by anything but a pass. */
static bool ctipfix_reap_visit(struct ctipfix_flow *flow, void *arg)
{
	struct ctipfix_reap *r = arg;
	struct ctipfix_ending *e;

	if (flow->taken || !nf_ct_is_dying(flow->ct) ||
	    !nf_ct_is_confirmed(flow->ct))
		return true;
	e = ctipfix_ending_take(r->t, flow, &r->p);
	if (!e)
		return false;
	__llist_add(&e->node, &r->taken);
	return --r->wanted;
}

/*
 * Conntrack's early drop killed @n entries (a new one found the table
 * full) in the path of another packet, where we are not called: let go of
 * as many dead entries of ours, as the hooks do for an entry that dies on
 * its packet. Otherwise a flood that fills the table without RSTs (SYNs
 * dropped, or answered by nothing) would pile dead entries past
 * nf_conntrack_max behind our references, at the flood's rate, for as long
 * as the pass cannot run: each early drop frees no memory, and makes room
 * for one more entry. They are found by walking a few buckets from where
 * the last walk stopped: a bounded cost per early drop (conntrack's own
 * looks at 8 entries), where one dead flow in CTIPFIX_REAP_LOOK is found.
 * The dead found need not be early drop's victims: any dead entry counts
 * as well. What is not found waits for the pass, which a full table asks
 * for anyway, as do the entries that conntrack's gc worker kills early to
 * keep a full table from refusing (not counted as early drops).
 */
#define CTIPFIX_REAP_LOOK	64
void ctipfix_export_dropped(struct ctipfix_net *cn, unsigned int n)
{
	struct ctipfix_reap r = { .t = &cn->flows, .wanted = n };
	/* each CPU walks on from its own place: not behind another's */
	u32 at = this_cpu_read(cn->cpu->walk_at);
	struct llist_node *first, *last = NULL;
	struct ctipfix_ending *e;

	ctipfix_pass_clocks(&r.p);
	init_llist_head(&r.taken);
	ctipfix_flow_walk_some(&cn->flows, &at, CTIPFIX_REAP_LOOK * n,
			       ctipfix_reap_visit, &r);
	this_cpu_write(cn->cpu->walk_at, at);
	first = r.taken.first;
	/* our references first: the pass frees a flow once it has the ending */
	llist_for_each_entry(e, first, node) {
		nf_ct_put(e->flow->ct);
		last = &e->node;
	}
	if (!last)
		return;
	llist_add_batch(first, last, &cn->endings);
	ctipfix_stat_add(CTIPFIX_STAT_FLOWS_REAPED_ON_DROP, n - r.wanted);
	/* a pass that went to sleep meanwhile, or the REAP bit left set */
	ctipfix_export_kick(cn, CTIPFIX_KICK_HINT);
}

/* The endings the hooks took, in their order: written, their flows freed. */
static void ctipfix_export_endings(struct ctipfix_net *cn,
				   struct ctipfix_pass *p)
{
	struct llist_node *all = llist_reverse_order(llist_del_all(&cn->endings));
	struct ctipfix_ending *e, *next;
	unsigned int n = 0;

	llist_for_each_entry_safe(e, next, all, node) {
		if (!(++n & 255))
			cond_resched();
		ctipfix_flow_forget(&cn->flows, e->flow, e->linked);
		ctipfix_put_record(cn, &e->rec, p);
		ctipfix_ending_free(e);
	}
}

/*
 * Whether bucket @b needs a look this pass: it is due, a destroy event
 * named it, or the sweep is here and finds something to do. A flush or
 * the last pass takes all.
 */
static bool ctipfix_bucket_wanted(struct ctipfix_flow_table *t, unsigned int b,
				  struct ctipfix_pass *p)
{
	if (p->all_final || p->all_interim || p->replan ||
	    (s32)(p->now - t->due[b]) >= 0 || ctipfix_flow_hinted(t, b))
		return true;
	if (((b - p->sweep_from) & (t->n_buckets - 1)) >= p->sweep_len)
		return false;
	return ctipfix_bucket_due(t, b, p);
}

static void ctipfix_export_table(struct ctipfix_net *cn, struct ctipfix_pass *p)
{
	struct ctipfix_flow_table *t = &cn->flows;
	unsigned int b;

	for (b = 0; b < t->n_buckets; b++) {
		if (!(b & 255))
			cond_resched();
		if (!ctipfix_bucket_wanted(t, b, p))
			continue;
		t->due[b] = ctipfix_export_bucket(cn, b, p);
	}
}

/*
 * A flow just linked into bucket @b: the bucket's next look is the
 * soonest of its flows', so a new flow costs no look of its own:
 * unconfirmed, it is due now; confirmed, at its expiry or its interim
 * record; taken by the hooks already, now. An entry that died while its
 * flow waited to be linked (its death's hint found no flow, and an
 * earlier pass may have cleared it) is hinted again: this pass takes the
 * hints after it links, and lets the dead entry go now.
 */
static void ctipfix_plan_linked(struct ctipfix_flow_table *t, unsigned int b,
				const struct ctipfix_flow *flow,
				const struct ctipfix_pass *p)
{
	spinlock_t *lock = ctipfix_flow_lock(b);
	u32 look = p->now;

	spin_lock_bh(lock);
	if (!flow->taken && nf_ct_is_dying(flow->ct))
		ctipfix_flow_hint_hash(t, flow->hash);
	else if (!flow->taken)
		look = ctipfix_flow_next_look(flow, p);
	spin_unlock_bh(lock);
	if ((s32)(look - t->due[b]) < 0)
		t->due[b] = look;
}

/*
 * Link the flows the adoption walk handed over on the per-CPU lists since
 * the last pass, the table sized for them first.
 */
static void ctipfix_link_pending(struct ctipfix_net *cn, struct ctipfix_pass *p)
{
	struct ctipfix_flow_table *t = &cn->flows;
	struct llist_node *pending;
	struct ctipfix_flow *flow, *next;
	unsigned int n;
	int b;

	pending = ctipfix_flow_take_pending(t, &n);
	/* a new table, with hints of its own: this pass looks at it all */
	if (ctipfix_flow_table_fit(t, atomic_read(&t->count) + n, p->now))
		p->hints_only = false;
	/*
	 * Between the link and the plan the hooks may take a flow, and
	 * unlink it, but only the endings, after, free it.
	 */
	llist_for_each_entry_safe(flow, next, pending, pending) {
		b = ctipfix_flow_link(t, flow);
		if (b >= 0)
			ctipfix_plan_linked(t, b, flow, p);
	}
}

/*
 * The buckets this pass sweeps: as many as hold sweep_rate flows a second
 * at this pace, on from where the last pass stopped.
 */
static void ctipfix_sweep_plan(struct ctipfix_net *cn, struct ctipfix_pass *p)
{
	unsigned int n = cn->flows.n_buckets;
	u64 looks = div_u64((u64)READ_ONCE(ctipfix_sweep_rate) *
			    READ_ONCE(ctipfix_flush_interval_ms), MSEC_PER_SEC);
	u64 len = div_u64(looks * n, atomic_read(&cn->flows.count) ?: 1);

	p->sweep_from = cn->sweep_next & (n - 1);
	p->sweep_len = p->reap ? n : clamp_t(u64, len, 1, n);
	cn->sweep_next = (p->sweep_from + p->sweep_len) & (n - 1);
}

/*
 * What a pass the hooks asked for looks at. Its cost must follow the
 * deaths it was asked for, not the table: until the regular pass is due
 * (flush_interval_ms after the last), only the hinted buckets, and the
 * sweep stays where it is. A look at every flow (the table nearly full)
 * comes at most every eighth of flush_interval_ms; one asked for sooner
 * waits for its time.
 */
static void ctipfix_pass_scope(struct ctipfix_net *cn, struct ctipfix_pass *p)
{
	unsigned long interval = ctipfix_flush_interval(),
		      reap_gap = max(interval / 8, 1UL);

	/* too soon: the bit stays, and the work comes back for it */
	if (p->reap && !p->all_final &&
	    ctipfix_jiffies_ahead(cn->next_reap, reap_gap)) {
		p->reap = false;
		set_bit(CTIPFIX_KICK_REAP, &cn->kick);
	}
	p->hints_only = p->kicked && !p->reap && !p->all_final &&
			!p->all_interim && !p->replan &&
			ctipfix_jiffies_ahead(cn->next_full, interval);
}

/*
 * After the pass: the next regular one an interval, the next look at all
 * flows an eighth of one, from the end of this one, so that a pass longer
 * than the interval (a huge table in a slow guest) does not follow itself
 * without a break.
 */
static void ctipfix_pass_done(struct ctipfix_net *cn,
			      const struct ctipfix_pass *p)
{
	unsigned long interval = ctipfix_flush_interval();

	if (p->reap)
		cn->next_reap = jiffies + max(interval / 8, 1UL);
	if (!p->hints_only)
		cn->next_full = jiffies + interval;
}

/* When the work comes back: its regular pass, a reap, or a message due. */
static unsigned long ctipfix_next_pass_in(struct ctipfix_net *cn)
{
	unsigned long interval = ctipfix_flush_interval(), delay = 0;

	/* 0 if a pass the hooks asked for went past the regular one's time */
	if (ctipfix_jiffies_ahead(cn->next_full, interval))
		delay = cn->next_full - jiffies;
	if (test_bit(CTIPFIX_KICK_REAP, &cn->kick))
		delay = min(delay, ctipfix_jiffies_ahead(cn->next_reap, interval) ?
				   cn->next_reap - jiffies : 0);
	if (ctipfix_msg_is_open(&cn->msg))
		delay = min(delay, ctipfix_msg_due_in(&cn->msg));
	return delay;
}

/* Only the buckets a death was heard in (a pass the hooks asked for). */
static void ctipfix_export_hinted(struct ctipfix_net *cn,
				  struct ctipfix_pass *p)
{
	struct ctipfix_flow_table *t = &cn->flows;
	unsigned int b, n = 0;

	for_each_set_bit(b, t->hints, t->n_buckets) {
		if (!(++n & 255))
			cond_resched();
		t->due[b] = ctipfix_export_bucket(cn, b, p);
	}
}

void ctipfix_export_pass(struct ctipfix_net *cn, bool all_final)
{
	struct ctipfix_flow_table *t = &cn->flows;
	struct ctipfix_pass p = {
		.active_timeout = READ_ONCE(ctipfix_active_timeout) * HZ,
		.all_interim = atomic_xchg(&cn->flush_requested, 0),
		.all_final = all_final,
	};
	unsigned int n;
	bool drained;

	ctipfix_pass_clocks(&p);
	/* what the hooks asked for since the last pass is this pass's */
	p.kicked = test_and_clear_bit(CTIPFIX_KICK_HINT, &cn->kick);
	p.reap = test_and_clear_bit(CTIPFIX_KICK_REAP, &cn->kick);
	p.kicked |= p.reap;
	clear_bit(CTIPFIX_KICK_IDLE, &cn->kick);
	smp_mb__after_atomic();	/* before the hints and the pending flows */

	p.interim_early = p.active_timeout - p.active_timeout / 4;
	/* the buckets' next looks were planned with the old active_timeout */
	p.replan = p.active_timeout != cn->planned_timeout;
	cn->planned_timeout = p.active_timeout;
	ctipfix_pass_scope(cn, &p);

	ctipfix_stat_inc(CTIPFIX_STAT_SCANS);
	if (cn->adopt_pending) {
		cn->adopt_pending = false;
		/* the walk's grace period orders it before what the walk reads */
		WRITE_ONCE(t->adopting, true);
		ctipfix_netns_adopt(cn);
	}
	drained = ctipfix_msg_drain(&cn->msg);
	p.can_encode = !ctipfix_msg_prepare(&cn->msg);
	/* the table sized first: the endings' flows are unlinked from it */
	ctipfix_link_pending(cn, &p);
	WRITE_ONCE(t->adopting, false);	/* the adopted are in, twins gone */
	/* the names of its interfaces before any record that points at one */
	ctipfix_iftable_pass(cn, drained);
	ctipfix_export_endings(cn, &p);
	/* flows never followed are records never sent: the collector hears */
	n = atomic_xchg(&cn->untracked, 0);
	if (n)
		ctipfix_msg_skip(&cn->msg, n, 0, 0);
	/* most namespaces of a container host never see a flow: skip them */
	if (atomic_read(&t->count)) {
		ctipfix_flow_take_hints(t);
		if (p.hints_only) {
			ctipfix_export_hinted(cn, &p);
		} else {
			ctipfix_sweep_plan(cn, &p);
			ctipfix_export_table(cn, &p);
		}
		ctipfix_stat_add(CTIPFIX_STAT_SCAN_FLOWS, p.looked);
	}
	/*
	 * A pass the hooks asked for (deaths under a flood come in a
	 * stream) leaves a part-filled message open for more, within
	 * flush_interval_ms of its opening: fewer, fuller messages.
	 */
	if (!p.kicked || all_final || p.all_interim ||
	    !ctipfix_msg_due_in(&cn->msg))
		ctipfix_msg_flush(&cn->msg);
	ctipfix_reliability_tick(&cn->msg);
	ctipfix_msg_notify(&cn->msg);
	ctipfix_pass_done(cn, &p);
}

/*
 * The passes run unbound: a pass walks every CPU's pending flows and its
 * namespace's whole table, nothing per-CPU, so it is better off on an idle
 * CPU than queued behind the softirqs of the one it last ran on, which on
 * a router is often the one forwarding the most. WQ_SYSFS lets an operator
 * keep it to housekeeping CPUs
 * (/sys/devices/virtual/workqueue/ctipfix/cpumask).
 *
 * And at high priority: under a flood the pass is what gives conntrack its
 * dead entries back, and it must not wait its turn behind the tasks the
 * flood keeps busy (packets that local senders or veth hand to the stack
 * are forwarded in the sending task, and ksoftirqd is a normal task; on
 * PREEMPT_RT interrupt threads stay above it). A pass costs what the
 * deaths and its sweep ask, so it takes little from them. WQ_SYSFS lets
 * an operator set its nice level.
 */
static struct workqueue_struct *ctipfix_wq;
/*
 * A flush command (netlink, parallel_ops) may come while the module loads
 * or unloads: it waits for the passes under this, the workqueue comes and
 * goes under it
 */
static DECLARE_RWSEM(ctipfix_wq_users);

int ctipfix_export_init(void)
{
	struct workqueue_struct *wq;

	ctipfix_ending_cache = KMEM_CACHE(ctipfix_ending, 0);
	if (!ctipfix_ending_cache)
		return -ENOMEM;
	wq = alloc_workqueue("ctipfix", WQ_UNBOUND | WQ_HIGHPRI | WQ_SYSFS, 0);
	if (!wq) {
		kmem_cache_destroy(ctipfix_ending_cache);
		return -ENOMEM;
	}
	down_write(&ctipfix_wq_users);
	ctipfix_wq = wq;
	up_write(&ctipfix_wq_users);
	return 0;
}

void ctipfix_export_exit(void)
{
	struct workqueue_struct *wq;

	down_write(&ctipfix_wq_users);
	wq = ctipfix_wq;
	ctipfix_wq = NULL;
	up_write(&ctipfix_wq_users);
	destroy_workqueue(wq);
	kmem_cache_destroy(ctipfix_ending_cache);
}

void ctipfix_export_schedule(struct ctipfix_net *cn, unsigned long delay)
{
	mod_delayed_work(ctipfix_wq, &cn->work, delay);
}

/*
 * Any context (the hooks): a pass now, for @why. Once per pass: the pass
 * takes the bits when it starts, so a flood asks for one pass at a time.
 */
void ctipfix_export_kick(struct ctipfix_net *cn, int why)
{
	if (!test_and_set_bit(why, &cn->kick))
		mod_delayed_work(ctipfix_wq, &cn->work, 0);
}

/* Any context (the hooks): a flow came to a namespace whose pass sleeps. */
void ctipfix_export_wake(struct ctipfix_net *cn)
{
	/* the flow's push (a full barrier) before this test; see _sleep() */
	if (unlikely(test_bit(CTIPFIX_KICK_IDLE, &cn->kick)) &&
	    test_and_clear_bit(CTIPFIX_KICK_IDLE, &cn->kick))
		mod_delayed_work(ctipfix_wq, &cn->work,
				 msecs_to_jiffies(READ_ONCE(ctipfix_flush_interval_ms)));
}

/*
 * A namespace with no flow and nothing waiting costs nothing: its pass
 * sleeps until a hook hands over a flow (ctipfix_export_wake()), but for
 * the in-band statistics of a domain that has exported before. Most
 * namespaces of a container host never see a conntrack entry.
 */
/* Has a hook given the pass anything: a flow, a lost one, an ending? */
static bool ctipfix_export_handed(struct ctipfix_net *cn)
{
	return atomic_read(&cn->flows.count) ||
	       ctipfix_flow_pending(&cn->flows) ||
	       atomic_read(&cn->untracked) || !llist_empty(&cn->endings);
}

static bool ctipfix_export_sleep(struct ctipfix_net *cn)
{
	struct ctipfix_msg *m = &cn->msg;

	if (ctipfix_export_handed(cn) || m->len || !list_empty(&m->backlog))
		return false;
	/* the memory its flows needed goes back before it sleeps */
	ctipfix_flow_table_fit(&cn->flows, 0, (u32)jiffies);
	set_bit(CTIPFIX_KICK_IDLE, &cn->kick);
	smp_mb__after_atomic();	/* pairs with the hooks' before _wake()'s test */
	if (ctipfix_export_handed(cn)) {
		clear_bit(CTIPFIX_KICK_IDLE, &cn->kick);
		return false;
	}
	if (m->stats.messages || m->stats.lost_records)
		queue_delayed_work(ctipfix_wq, &cn->work,
				   READ_ONCE(ctipfix_stats_interval) * HZ);
	return true;
}

/* Wait for every pass queued so far (not for those queued later). */
void ctipfix_export_wait(void)
{
	down_read(&ctipfix_wq_users);
	if (ctipfix_wq)
		flush_workqueue(ctipfix_wq);
	up_read(&ctipfix_wq_users);
}

void ctipfix_export_work(struct work_struct *work)
{
	struct ctipfix_net *cn = container_of(to_delayed_work(work),
					      struct ctipfix_net, work);
	u64 start = ktime_get_ns();

	ctipfix_export_pass(cn, false);
	/* wall time, so an upper bound of the CPU the pass took */
	ctipfix_stat_add(CTIPFIX_STAT_SCAN_NS, ktime_get_ns() - start);
	if (ctipfix_export_sleep(cn))
		return;
	queue_delayed_work(ctipfix_wq, &cn->work, ctipfix_next_pass_in(cn));
}
