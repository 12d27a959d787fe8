/* SPDX-License-Identifier: GPL-2.0 */
/* ctipfix: a followed flow, and the table of them (flow.c). */
#ifndef _CTIPFIX_FLOW_H
#define _CTIPFIX_FLOW_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/llist.h>
#include <linux/math64.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/types.h>
#include <net/netfilter/nf_conntrack.h>

/* a conntrack entry we hold a reference to */
struct ctipfix_flow {
	union {
		struct ctipfix_flow *next;	/* in its bucket */
		struct llist_node pending;	/* on its way there */
	};
	struct nf_conn *ct;
	/* counts already exported, per direction: see flow_counts.h */
	u64 sent_lo[IP_CT_DIR_MAX];
	u32 sent_hi[IP_CT_DIR_MAX];
	u32 last_export;		/* jiffies, truncated */
	u32 first_lo;			/* see ctipfix_flow_first() */
	u32 hash;			/* of its original tuple: its bucket */
	u8 tos;				/* first packet's DS field and ECN */
	/*
	 * The hooks took its final record, and let its reference go: ->ct
	 * is a stale key from then on. Out of its bucket at once, or, when
	 * the pass could not have it unlinked then, left there for the pass
	 * (ctipfix_flow_take()). Under its lock.
	 */
	bool taken;
	u16 vlan;			/* first packet's VLAN id, 0: none */
	/*
	 * The rest of the first packet's tick (46 bits in all: 2 200 years at
	 * HZ=1000), and the interfaces in 24 bits each (an index beyond goes
	 * out as 0, unknown): so that a flow fits in 64 bytes, one cache line
	 * of the flows' own cache.
	 */
	u64 ifindex_in : 24;
	u64 ifindex_out : 24;
	u64 first_hi : 14;
	u64 hooked : 1;			/* the hooks saw it, not a walk */
	u64 syn_unsent : 1;		/* opened by a SYN, in no record yet */
};

/* what a followed flow costs beyond conntrack's own entry */
#define CTIPFIX_FLOW_MAX_SIZE	64
#define CTIPFIX_FLOW_IFINDEX_MAX	((1U << 24) - 1)

/*
 * The monotonic clock's tick now: jiffies_64 as it should be. Flows' first
 * packets are stamped in it, not in jiffies, which a stalled virtual CPU
 * can leave ticks behind.
 */
static inline u64 ctipfix_mono_ticks(void)
{
	return div_u64(ktime_get_ns(), TICK_NSEC);
}

/* the tick of the flow's first packet (ctipfix_mono_ticks()) */
static inline u64 ctipfix_flow_first(const struct ctipfix_flow *flow)
{
	return (u64)flow->first_hi << 32 | flow->first_lo;
}

static inline void ctipfix_flow_set_first(struct ctipfix_flow *flow, u64 j)
{
	flow->first_lo = (u32)j;
	flow->first_hi = j >> 32;
}

/* the table's size, at its smallest: a namespace that sees no flow */
#define CTIPFIX_FLOW_MIN_BUCKETS	64
/*
 * The buckets whose flows died since the last pass, a bit a bucket, as
 * destroy events (hints.c) or the hooks name them. Replaced with the
 * table: the hooks read it under RCU.
 */
struct ctipfix_hint_map {
	struct rcu_head rcu;
	unsigned int n;			/* bits: the table's buckets */
	unsigned long bits[];
};

/* a table's buckets, as the hooks see them */
struct ctipfix_flow_slot {
	struct ctipfix_flow **buckets;
	unsigned int n;
};

/*
 * The buckets' chains change under their bucket's lock (flow.c): the hooks
 * link a new flow in at the head, and take a dying flow's final record;
 * the pass unlinks and resizes. The pass alone frees flows, so it may
 * hold one across a dropped lock. The adoption walk hands flows over on
 * per-CPU lock-free lists, for the pass to link in.
 */
struct ctipfix_flow_table {
	struct ctipfix_flow **buckets;	/* singly linked chains */
	u32 *due;			/* per bucket: jiffy of its next look */
	unsigned int n_buckets;		/* a power of two */
	atomic_t count;			/* flows in the buckets */
	/* the same buckets for the hooks: per lock, its bit picks a slot */
	struct ctipfix_flow_slot slot[2];
	u64 hooks_slot;
	struct llist_head __percpu *pending;	/* new flows, per CPU */
	struct ctipfix_hint_map __rcu *hinted;	/* set by anyone */
	unsigned long *hints;		/* taken by this pass, n_buckets bits */
	/*
	 * Set by the pass under the lock: the lock whose chains it keeps a
	 * place in while it has let the lock go (to write a record), and
	 * whether flows it adopts wait to be linked in. Either way the hooks
	 * leave the flows they take in their chains.
	 */
	spinlock_t *pass_inside;
	bool adopting;
};

int ctipfix_flow_cache_init(void);
void ctipfix_flow_cache_exit(void);
int ctipfix_flow_table_init(struct ctipfix_flow_table *t);
void ctipfix_flow_table_free(struct ctipfix_flow_table *t);
/* what the hooks saw of a flow's first packet */
struct ctipfix_first_packet {
	u32 ifindex_in;
	u32 ifindex_out;
	u8 tos;				/* IPv4 TOS, IPv6 traffic class */
	u16 vlan;			/* 802.1Q id it came in with, or 0 */
};

int ctipfix_flow_track(struct ctipfix_flow_table *t, struct nf_conn *ct,
		       const struct ctipfix_first_packet *first, gfp_t gfp);
/* flows allocated ahead of a walk under locks (flow.c) */
struct ctipfix_flow_stock {
	struct ctipfix_flow *first;
	unsigned int n;
};

unsigned int ctipfix_flow_stock_fill(struct ctipfix_flow_stock *s,
				     unsigned int n);
void ctipfix_flow_stock_drain(struct ctipfix_flow_stock *s);
int ctipfix_flow_adopt(struct ctipfix_flow_table *t, struct nf_conn *ct,
		       struct ctipfix_flow_stock *s);
struct llist_node *ctipfix_flow_take_pending(struct ctipfix_flow_table *t,
					     unsigned int *n);
bool ctipfix_flow_table_fit(struct ctipfix_flow_table *t, unsigned int count,
			    u32 now);
int ctipfix_flow_link(struct ctipfix_flow_table *t, struct ctipfix_flow *flow);
void ctipfix_flow_unlink(struct ctipfix_flow_table *t, unsigned int b,
			 struct ctipfix_flow *prev, struct ctipfix_flow *flow);
bool ctipfix_flow_crowded(const struct ctipfix_flow_table *t);
void ctipfix_flow_release(struct ctipfix_flow *flow);
bool ctipfix_flow_take(struct ctipfix_flow_table *t, struct ctipfix_flow *flow);
void ctipfix_flow_forget(struct ctipfix_flow_table *t,
			 struct ctipfix_flow *flow, bool linked);
u32 ctipfix_flow_hash(const struct nf_conntrack_tuple *tuple);
spinlock_t *ctipfix_flow_lock(unsigned int hash_or_bucket);
void ctipfix_flow_walk_some(struct ctipfix_flow_table *t, u32 *at,
			    unsigned int most,
			    bool (*visit)(struct ctipfix_flow *flow, void *arg),
			    void *arg);
struct ctipfix_flow *ctipfix_flow_find(struct ctipfix_flow_table *t,
				       const struct nf_conn *ct, u32 hash);
bool ctipfix_flow_pending(struct ctipfix_flow_table *t);
void ctipfix_flow_hint(struct ctipfix_flow_table *t,
		       const struct nf_conntrack_tuple *tuple);
void ctipfix_flow_hint_hash(struct ctipfix_flow_table *t, u32 hash);
void ctipfix_flow_take_hints(struct ctipfix_flow_table *t);

/* whether a death was heard in bucket @b since the last pass */
static inline bool ctipfix_flow_hinted(const struct ctipfix_flow_table *t,
				       unsigned int b)
{
	return test_bit(b, t->hints);
}

#endif /* _CTIPFIX_FLOW_H */
