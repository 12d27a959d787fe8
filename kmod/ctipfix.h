/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctipfix: what the module's files share.
 */
#ifndef _CTIPFIX_H
#define _CTIPFIX_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/math64.h>
#include <linux/spinlock.h>
#include <linux/ktime.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/netfilter/nf_conntrack.h>
#include <uapi/linux/ctipfix.h>

#include "templates.h"

/* --- knobs (params.c) --- */
extern unsigned int ctipfix_active_timeout;	/* s */
extern unsigned int ctipfix_template_refresh;	/* s */
extern unsigned int ctipfix_observation_domain;
extern unsigned int ctipfix_max_msg_size;	/* bytes */
extern unsigned int ctipfix_flush_interval_ms;
extern unsigned int ctipfix_subbuf_size;	/* bytes, load time */
extern unsigned int ctipfix_n_subbufs;		/* load time */
extern unsigned int ctipfix_hash_buckets;	/* per namespace, at most */
extern unsigned int ctipfix_backlog_max_kb;
extern unsigned int ctipfix_stats_interval;	/* s */
extern unsigned int ctipfix_stats_domain;
extern bool ctipfix_destroy_events;		/* load time */
extern unsigned int ctipfix_sweep_rate;		/* flows/s */
extern unsigned int ctipfix_unload_wait_s;	/* s */

int ctipfix_params_check_load(void);

/* --- statistics (stats.c) --- */
void ctipfix_stat_add(enum ctipfix_stat stat, s64 n);
static inline void ctipfix_stat_inc(enum ctipfix_stat stat)
{
	ctipfix_stat_add(stat, 1);
}

u64 ctipfix_stat_read(enum ctipfix_stat stat);

/* --- one flow: a conntrack entry we hold a reference to (flow.c) --- */
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

/* --- when a flow's last packet passed (lastseen.c) --- */
u32 ctipfix_ct_last_packet(struct nf_conn *ct, u32 now, s32 since);
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

/* --- IPFIX message builder, one per observation domain (ipfix.c) --- */

/* What a domain exported and lost, for the in-band statistics. */
struct ctipfix_domain_stats {
	u64 messages;			/* written to the relay */
	u64 records;			/* flow records in them */
	u64 lost_records;		/* dropped: no room anywhere */
	u64 lost_packets;		/* counted by the records dropped */
	u64 lost_octets;
	u64 first_lost_ms;		/* wall clock, 0 if none */
	u64 last_lost_ms;
};

struct ctipfix_msg {
	struct list_head backlog;	/* finished, waiting for relay room */
	u8 *buf;
	unsigned int size;		/* allocated */
	unsigned int limit;		/* max_msg_size when the message began */
	unsigned int len;		/* 0: no message open */
	unsigned int set_start;		/* offset of the open set, or 0 */
	u16 set_id;
	bool domain_knob;		/* domain follows observation_domain */
	bool templates_ever_sent;	/* a refresh began */
	/*
	 * Templates by ctipfix_template_index(): those the open message
	 * carries, and those messages kept since the refresh (written, or
	 * waiting in the backlog) carried, which need not go again
	 */
	u64 open_templates;
	u64 sent_templates;
	bool wrote_any;			/* since the caller last cleared it */
	u32 records;			/* data records in the open message */
	u64 packets;			/* ... and the packets they count */
	u64 octets;
	u32 sequence;			/* data records before this message */
	u32 domain;
	unsigned int template_epoch;	/* reader opens seen at the refresh */
	unsigned long templates_sent;	/* jiffies, of the refresh */
	unsigned long opened;		/* jiffies, of the open message */
	struct ctipfix_domain_stats stats;
	unsigned long stats_sent;	/* jiffies, 0 before the first pass */
};

unsigned int ctipfix_msg_min_size(void);
void ctipfix_msg_init(struct ctipfix_msg *m, u32 domain, bool domain_knob);
void ctipfix_msg_free(struct ctipfix_msg *m);
void ctipfix_msg_backlog_counts(const struct ctipfix_msg *m, u64 *messages,
				u64 *records);
bool ctipfix_msg_queue_report(struct ctipfix_msg *m, const u8 *data,
			      unsigned int len);
int ctipfix_msg_prepare(struct ctipfix_msg *m);
void ctipfix_msg_add(struct ctipfix_msg *m, const struct ctipfix_record *rec);
void ctipfix_msg_skip(struct ctipfix_msg *m, u32 records, u64 packets,
		      u64 octets);
void ctipfix_msg_flush(struct ctipfix_msg *m);
unsigned long ctipfix_msg_due_in(const struct ctipfix_msg *m);
bool ctipfix_msg_drain(struct ctipfix_msg *m);
void ctipfix_msg_orphan(struct ctipfix_msg *m);
/*
 * How long unload waits for a reader: while it takes something every
 * stall_ms, until deadline (jiffies) at the most. NULL: no wait at all.
 */
struct ctipfix_exit_wait {
	unsigned long deadline;
	unsigned int stall_ms;
};

static inline bool ctipfix_exit_wait_over(const struct ctipfix_exit_wait *w,
					  unsigned int stalled_ms)
{
	return !w || stalled_ms >= w->stall_ms ||
	       time_after_eq(jiffies, w->deadline);
}

u64 ctipfix_orphans_exit(const struct ctipfix_exit_wait *w);

/* --- in-band statistics (reliability.c) --- */
void ctipfix_reliability_report(struct ctipfix_msg *m);
void ctipfix_reliability_final(struct ctipfix_msg *m);
bool ctipfix_reliability_write(u8 *buf, unsigned int len);
void ctipfix_reliability_tick(struct ctipfix_msg *m);

/* How long exit waits for a reader that takes nothing more. */
#define CTIPFIX_EXIT_STALL_MS	2000
/* ... and for it to close the relay file once told to */
#define CTIPFIX_EXIT_CLOSE_MS	1000

/* --- relay channel (relay.c) --- */
int ctipfix_relay_init(void);
void ctipfix_relay_exit(void);
bool ctipfix_relay_write(const void *data, size_t len);
unsigned int ctipfix_relay_reader_epoch(void);
u64 ctipfix_relay_drain_wait(const struct ctipfix_exit_wait *w);
int ctipfix_relay_ack(u64 bytes);

/* --- generic netlink (netlink.c) --- */
int ctipfix_genl_init(void);
void ctipfix_genl_exit(void);
void ctipfix_genl_notify_data(void);

/* --- per-namespace state and the export pass (netns.c, export.c) --- */
/* what the hooks keep per CPU, in each namespace */
struct ctipfix_net_cpu {
	unsigned int early_drops_seen;	/* conntrack's, when last looked at */
	u32 walk_at;			/* where its next walk for them starts */
};

struct ctipfix_net {
	struct net *net;
	struct ctipfix_flow_table flows;
	struct ctipfix_msg msg;
	struct socket *hints;		/* conntrack's destroy events, or NULL */
	unsigned int sweep_next;	/* the bucket the next sweep starts at */
	u32 planned_timeout;		/* active_timeout of the buckets' plans */
	struct delayed_work work;
	struct list_head list;		/* in ctipfix_nets */
	atomic_t flush_requested;
	atomic_t untracked;		/* flows the hooks could not follow */
	struct llist_head endings;	/* final records the hooks took */
	struct ctipfix_net_cpu __percpu *cpu;
	unsigned long kick;		/* CTIPFIX_KICK_* bits */
	unsigned long next_full;	/* jiffies: the regular pass is due */
	unsigned long next_reap;	/* jiffies: a look at all may come */
	bool serving;			/* in scope: flows followed */
	bool hooked;			/* our netfilter hooks are in */
	bool adopt_pending;		/* the next pass adopts live entries */
	u8 saved_acct;
};

extern unsigned int ctipfix_net_id;
struct ctipfix_net *ctipfix_pernet(const struct net *net);
int ctipfix_netns_init(void);
void ctipfix_netns_exit(void);
void ctipfix_netns_flush_all(void);
void ctipfix_netns_adopt(struct ctipfix_net *cn);

/* the namespaces served, by inode number (the netns knob) */
#define CTIPFIX_SCOPE_MAX	64
struct ctipfix_scope {
	unsigned int n;			/* 0: every namespace */
	u32 inum[CTIPFIX_SCOPE_MAX];
};

int ctipfix_netns_set_scope(const struct ctipfix_scope *scope);
void ctipfix_netns_get_scope(struct ctipfix_scope *scope);

int ctipfix_export_init(void);
void ctipfix_export_exit(void);
void ctipfix_export_pass(struct ctipfix_net *cn, bool all_final);
void ctipfix_export_work(struct work_struct *work);
void ctipfix_export_schedule(struct ctipfix_net *cn, unsigned long delay);
void ctipfix_export_wait(void);

/*
 * Why the hooks want a pass sooner than its time (cn->kick): a hinted
 * bucket holds a flow that died, the table is nearly full (look at every
 * flow: early drop kills what we hold), or the pass sleeps for want of
 * flows (CTIPFIX_KICK_IDLE, set by the pass).
 */
enum {
	CTIPFIX_KICK_HINT,
	CTIPFIX_KICK_REAP,
	CTIPFIX_KICK_IDLE,
};

void ctipfix_export_kick(struct ctipfix_net *cn, int why);
void ctipfix_export_wake(struct ctipfix_net *cn);
void ctipfix_export_dying(struct ctipfix_net *cn, struct nf_conn *ct);
void ctipfix_export_dropped(struct ctipfix_net *cn, unsigned int n);

/* --- conntrack's destroy events as hints (hints.c) --- */
void ctipfix_hints_start(struct ctipfix_net *cn);
void ctipfix_hints_stop(struct ctipfix_net *cn);

/* --- netfilter hooks (hooks.c) --- */
int ctipfix_hooks_register(struct net *net);
void ctipfix_hooks_unregister(struct net *net);

#endif /* _CTIPFIX_H */
