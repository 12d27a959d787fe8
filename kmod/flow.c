// SPDX-License-Identifier: GPL-2.0
/*
 * The flows we follow: one entry per conntrack entry, holding a reference to
 * it so that its counters stay readable until its final record is written.
 * nf_conn is SLAB_TYPESAFE_BY_RCU, so the pointer is only a valid key while
 * that reference is held, which it is for as long as the entry is here.
 */
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "ctipfix.h"

static struct kmem_cache *ctipfix_flow_cache;
static u32 ctipfix_flow_seed __read_mostly;

int ctipfix_flow_cache_init(void)
{
	BUILD_BUG_ON(sizeof(struct ctipfix_flow) > CTIPFIX_FLOW_MAX_SIZE);
	ctipfix_flow_seed = get_random_u32();
	ctipfix_flow_cache = KMEM_CACHE(ctipfix_flow, 0);
	return ctipfix_flow_cache ? 0 : -ENOMEM;
}

void ctipfix_flow_cache_exit(void)
{
	kmem_cache_destroy(ctipfix_flow_cache);
}

int ctipfix_flow_table_init(struct ctipfix_flow_table *t, unsigned int n)
{
	unsigned int i;

	t->buckets = kvcalloc(n, sizeof(*t->buckets), GFP_KERNEL);
	t->due = kvcalloc(n, sizeof(*t->due), GFP_KERNEL);
	if (!t->buckets || !t->due) {
		ctipfix_flow_table_free(t);
		return -ENOMEM;
	}
	t->n_buckets = n;
	atomic_set(&t->count, 0);
	for (i = 0; i < CTIPFIX_FLOW_LOCKS; i++)
		spin_lock_init(&t->locks[i]);
	return 0;
}

/* The table must be empty: the export pass released every flow. */
void ctipfix_flow_table_free(struct ctipfix_flow_table *t)
{
	kvfree(t->buckets);
	kvfree(t->due);
	t->buckets = NULL;
	t->due = NULL;
}

/*
 * A flow's bucket comes from its original tuple, which a destroy event
 * names too (hints.c): addresses, protocol, and ports or ICMP id, type and
 * code. Conntrack zeroes its tuples before filling them in.
 */
static unsigned int ctipfix_flow_bucket(const struct ctipfix_flow_table *t,
					const struct nf_conntrack_tuple *tuple)
{
	u32 ports = (__force u32)tuple->src.u.all << 16 |
		    (__force u16)tuple->dst.u.all;
	u32 src, dst;

	if (tuple->src.l3num == NFPROTO_IPV4) {
		src = (__force u32)tuple->src.u3.ip;
		dst = (__force u32)tuple->dst.u3.ip;
	} else {
		src = ipv6_addr_hash(&tuple->src.u3.in6);
		dst = ipv6_addr_hash(&tuple->dst.u3.in6);
	}
	return jhash_3words(src, dst ^ tuple->dst.protonum, ports,
			    ctipfix_flow_seed) & (t->n_buckets - 1);
}

/* Conntrack says the entry with @tuple is gone: look there next pass. */
void ctipfix_flow_hint(struct ctipfix_flow_table *t,
		       const struct nf_conntrack_tuple *tuple)
{
	unsigned int b = ctipfix_flow_bucket(t, tuple);
	spinlock_t *lock = ctipfix_flow_lock(t, b);

	/* under the lock: the pass sets the bucket's next look under it */
	spin_lock_bh(lock);
	WRITE_ONCE(t->due[b], (u32)jiffies);
	spin_unlock_bh(lock);
}

/*
 * Start following @ct unless it is followed already. Called from the hooks
 * (softirq or process context) and from the walk at load. Returns 1 when it
 * was added, 0 when it was followed already, -ENOMEM.
 */
int ctipfix_flow_track(struct ctipfix_flow_table *t, struct nf_conn *ct,
		       u32 ifindex_in, u32 ifindex_out, gfp_t gfp)
{
	unsigned int b = ctipfix_flow_bucket(t,
				&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
	spinlock_t *lock = ctipfix_flow_lock(t, b);
	struct ctipfix_flow *flow, *old;

	/* allocate outside the lock: on PREEMPT_RT the allocator may sleep */
	flow = kmem_cache_zalloc(ctipfix_flow_cache, gfp);
	if (!flow)
		return -ENOMEM;
	flow->ct = ct;
	flow->ifindex_in = ifindex_in;
	flow->ifindex_out = ifindex_out;
	flow->start = (u32)jiffies;
	flow->last_export = flow->start;

	spin_lock_bh(lock);
	for (old = t->buckets[b]; old; old = old->next) {
		if (old->ct == ct) {
			spin_unlock_bh(lock);
			kmem_cache_free(ctipfix_flow_cache, flow);
			return 0;
		}
	}
	nf_conntrack_get(&ct->ct_general);
	flow->next = t->buckets[b];
	/* the export pass reads the chains without the lock: publish whole */
	smp_store_release(&t->buckets[b], flow);
	/* a new flow wants a look: confirmed yet, and until when? */
	WRITE_ONCE(t->due[b], flow->start);
	atomic_inc(&t->count);
	spin_unlock_bh(lock);
	ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_LIVE);
	return 1;
}

/* Drop a flow already unlinked from its table, and our conntrack reference. */
void ctipfix_flow_release(struct ctipfix_flow *flow)
{
	nf_ct_put(flow->ct);
	kmem_cache_free(ctipfix_flow_cache, flow);
	ctipfix_stat_add(CTIPFIX_STAT_FLOWS_LIVE, -1);
}
