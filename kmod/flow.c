// SPDX-License-Identifier: GPL-2.0
/*
 * The flows we follow: one entry per conntrack entry, holding a reference to
 * it so that its counters stay readable until its final record is written.
 * nf_conn is SLAB_TYPESAFE_BY_RCU, so the pointer is only a valid key while
 * that reference is held, which it is for as long as the entry is here.
 */
#include <linux/bitmap.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/percpu.h>
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

static int ctipfix_flow_buckets_alloc(struct ctipfix_flow_table *t,
				      unsigned int n)
{
	struct ctipfix_flow **buckets = kvcalloc(n, sizeof(*buckets),
						 GFP_KERNEL);
	u32 *due = kvcalloc(n, sizeof(*due), GFP_KERNEL);

	if (!buckets || !due) {
		kvfree(buckets);
		kvfree(due);
		return -ENOMEM;
	}
	t->buckets = buckets;
	t->due = due;
	t->n_buckets = n;
	ctipfix_stat_add(CTIPFIX_STAT_FLOW_BUCKETS, n);
	return 0;
}

static void ctipfix_flow_buckets_free(struct ctipfix_flow **buckets, u32 *due,
				      unsigned int n)
{
	kvfree(buckets);
	kvfree(due);
	ctipfix_stat_add(CTIPFIX_STAT_FLOW_BUCKETS, -(s64)n);
}

/* the buckets for @count flows: chains of one or two on average */
static unsigned int ctipfix_flow_buckets_for(unsigned int count,
					     unsigned int most)
{
	unsigned int n = count > 2 ? roundup_pow_of_two(count) / 2 : 1;

	return clamp_t(unsigned int, n,
		       min(CTIPFIX_FLOW_MIN_BUCKETS, most), most);
}

int ctipfix_flow_table_init(struct ctipfix_flow_table *t)
{
	int cpu;

	memset(t, 0, sizeof(*t));
	t->pending = alloc_percpu(struct llist_head);
	if (!t->pending)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		init_llist_head(per_cpu_ptr(t->pending, cpu));
	if (ctipfix_flow_buckets_alloc(t, CTIPFIX_FLOW_MIN_BUCKETS)) {
		free_percpu(t->pending);
		t->pending = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* The table must be empty: the export pass released every flow. */
void ctipfix_flow_table_free(struct ctipfix_flow_table *t)
{
	if (t->buckets)
		ctipfix_flow_buckets_free(t->buckets, t->due, t->n_buckets);
	free_percpu(t->pending);
	t->buckets = NULL;
	t->due = NULL;
	t->pending = NULL;
}

/*
 * A flow's hash comes from its original tuple, which a destroy event
 * names too (hints.c): addresses, protocol, and ports or ICMP id, type and
 * code. Conntrack zeroes its tuples before filling them in. Its bucket is
 * the hash's low bits, whatever the table's size.
 */
static u32 ctipfix_flow_hash(const struct nf_conntrack_tuple *tuple)
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
			    ctipfix_flow_seed);
}

static unsigned int ctipfix_flow_bucket(const struct ctipfix_flow_table *t,
					const struct ctipfix_flow *flow)
{
	const struct nf_conntrack_tuple *tuple =
		&flow->ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;

	return ctipfix_flow_hash(tuple) & (t->n_buckets - 1);
}

/*
 * Conntrack says the entry with @tuple is gone: its bucket gets a look
 * next pass. Any context; the bit says which buckets, and a bucket of a
 * table of fewer than CTIPFIX_HINT_BITS has several bits.
 */
void ctipfix_flow_hint(struct ctipfix_flow_table *t,
		       const struct nf_conntrack_tuple *tuple)
{
	set_bit(ctipfix_flow_hash(tuple) & (CTIPFIX_HINT_BITS - 1), t->hinted);
}

/*
 * The pass takes the hints heard so far; any heard from now on are for
 * the next pass. Folded onto the buckets of a table smaller than the
 * bitmap, so that bit b & (CTIPFIX_HINT_BITS - 1) speaks for bucket b.
 */
void ctipfix_flow_take_hints(struct ctipfix_flow_table *t)
{
	unsigned int i, n = t->n_buckets;

	for (i = 0; i < ARRAY_SIZE(t->hinted); i++)
		t->hints[i] = READ_ONCE(t->hinted[i]) ? xchg(&t->hinted[i], 0) : 0;
	/* n is a power of two, at least 64: whole words */
	for (i = n; i < CTIPFIX_HINT_BITS; i += n)
		bitmap_or(t->hints, t->hints, t->hints + BIT_WORD(i), n);
}

/*
 * Start following @ct. Called from the hooks (softirq, or process context
 * for locally sent packets) and from the walk at load: the flow waits on
 * this CPU's list until the next pass links it in. Returns 0 or -ENOMEM.
 */
int ctipfix_flow_track(struct ctipfix_flow_table *t, struct nf_conn *ct,
		       u32 ifindex_in, u32 ifindex_out, gfp_t gfp)
{
	struct ctipfix_flow *flow = kmem_cache_zalloc(ctipfix_flow_cache, gfp);

	if (!flow)
		return -ENOMEM;
	nf_conntrack_get(&ct->ct_general);
	flow->ct = ct;
	flow->ifindex_in = ifindex_in;
	flow->ifindex_out = ifindex_out;
	flow->start = (u32)jiffies;
	flow->last_export = flow->start;
	/* a lock-free push: any CPU's list would do, this one is cache hot */
	llist_add(&flow->pending, raw_cpu_ptr(t->pending));
	ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_LIVE);
	return 0;
}

/* Every flow handed over since the last call, from all CPUs; @n: how many. */
struct llist_node *ctipfix_flow_take_pending(struct ctipfix_flow_table *t,
					     unsigned int *n)
{
	struct llist_node *all = NULL, *first, *last;
	int cpu;

	*n = 0;
	for_each_possible_cpu(cpu) {
		first = llist_del_all(per_cpu_ptr(t->pending, cpu));
		if (!first)
			continue;
		for (last = first, ++*n; last->next; last = last->next)
			++*n;
		last->next = all;
		all = first;
	}
	return all;
}

/*
 * Resize the table to hold @count flows, when its chains have grown past
 * two on average, it holds eight times fewer flows than buckets, or it has
 * more buckets than hash_buckets (an operator lowered it). Every
 * bucket is then due at @now. Returns whether it was resized; it stays as
 * it was when the memory is not there.
 */
bool ctipfix_flow_table_fit(struct ctipfix_flow_table *t, unsigned int count,
			    u32 now)
{
	unsigned int most = READ_ONCE(ctipfix_hash_buckets);
	unsigned int n = ctipfix_flow_buckets_for(count, most);
	struct ctipfix_flow **old = t->buckets, *flow;
	unsigned int i, b, old_n = t->n_buckets;
	u32 *old_due = t->due;

	/* near enough, unless hash_buckets was lowered below the table */
	if (n == t->n_buckets ||
	    (count <= 2 * t->n_buckets && count >= t->n_buckets / 8 &&
	     t->n_buckets <= most))
		return false;
	if (ctipfix_flow_buckets_alloc(t, n))
		return false;
	for (i = 0; i < old_n; i++) {
		while ((flow = old[i])) {
			old[i] = flow->next;
			b = ctipfix_flow_bucket(t, flow);
			flow->next = t->buckets[b];
			t->buckets[b] = flow;
		}
	}
	for (b = 0; b < n; b++)
		t->due[b] = now;
	ctipfix_flow_buckets_free(old, old_due, old_n);
	return true;
}

/*
 * Link a flow handed over by the hooks into its bucket. Returns the bucket,
 * or -EEXIST when its entry is followed already (two packets of one
 * unconfirmed entry, as a multicast packet forwarded and delivered both).
 */
int ctipfix_flow_link(struct ctipfix_flow_table *t, struct ctipfix_flow *flow)
{
	unsigned int b = ctipfix_flow_bucket(t, flow);
	struct ctipfix_flow *old;

	for (old = t->buckets[b]; old; old = old->next)
		if (old->ct == flow->ct)
			return -EEXIST;
	flow->next = t->buckets[b];
	t->buckets[b] = flow;
	t->count++;
	return b;
}

/* Drop a flow already unlinked from its table, and our conntrack reference. */
void ctipfix_flow_release(struct ctipfix_flow *flow)
{
	nf_ct_put(flow->ct);
	kmem_cache_free(ctipfix_flow_cache, flow);
	ctipfix_stat_add(CTIPFIX_STAT_FLOWS_LIVE, -1);
}
