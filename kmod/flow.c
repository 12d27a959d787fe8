// SPDX-License-Identifier: GPL-2.0
/*
 * The flows we follow: one entry per conntrack entry, holding a reference to
 * it so that its counters stay readable until its final record is written.
 * nf_conn is SLAB_TYPESAFE_BY_RCU, so the pointer is only a valid key while
 * that reference is held, which it is for as long as the entry is here.
 */
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "ctipfix.h"

static struct kmem_cache *ctipfix_flow_cache;

int ctipfix_flow_cache_init(void)
{
	BUILD_BUG_ON(sizeof(struct ctipfix_flow) > CTIPFIX_FLOW_MAX_SIZE);
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
	if (!t->buckets)
		return -ENOMEM;
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
	t->buckets = NULL;
}

static unsigned int ctipfix_flow_bucket(const struct ctipfix_flow_table *t,
					const struct nf_conn *ct)
{
	return hash_ptr(ct, ilog2(t->n_buckets));
}

/*
 * Start following @ct unless it is followed already. Called from the hooks
 * (softirq or process context) and from the walk at load. Returns 1 when it
 * was added, 0 when it was followed already, -ENOMEM.
 */
int ctipfix_flow_track(struct ctipfix_flow_table *t, struct nf_conn *ct,
		       u32 ifindex_in, u32 ifindex_out, gfp_t gfp)
{
	unsigned int b = ctipfix_flow_bucket(t, ct);
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
