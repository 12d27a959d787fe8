// SPDX-License-Identifier: GPL-2.0
/*
 * The flows we follow: one entry per conntrack entry, holding a reference to
 * it so that its counters stay readable until its final record is written.
 * nf_conn is SLAB_TYPESAFE_BY_RCU, so the pointer is only a valid key while
 * that reference is held: until the final record is taken.
 *
 * The hooks link a new flow straight into its bucket (or, when its lock is
 * busy, leave it on a per-CPU list for the pass), and take the final
 * record of one that dies on its packet: both under the bucket's lock, one
 * of a few shared by every table (a bucket's lock is its index's low bits,
 * and every table has at least as many buckets as there are locks, so a
 * flow's lock comes from its hash whatever its table's size). The pass
 * takes the same lock to read an entry it follows or to change a chain.
 */
#include <linux/rcupdate.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <linux/timekeeping.h>
#include <net/netfilter/nf_conntrack_acct.h>
#include <net/netfilter/nf_conntrack_timestamp.h>

#include "flow.h"
#include "flow_counts.h"
#include "params.h"
#include "stats.h"

static struct kmem_cache *ctipfix_flow_cache;
static u32 ctipfix_flow_seed __read_mostly;

#define CTIPFIX_FLOW_LOCKS	CTIPFIX_FLOW_MIN_BUCKETS
/* a cache line each: the forwarding CPUs take them for every new flow */
static struct {
	spinlock_t lock;	/* the chains of its buckets, their flows' ->ct */
} ____cacheline_aligned_in_smp ctipfix_flow_locks[CTIPFIX_FLOW_LOCKS];

/* The lock of a bucket, or of the bucket a hash falls in: the same. */
spinlock_t *ctipfix_flow_lock(unsigned int hash_or_bucket)
{
	return &ctipfix_flow_locks[hash_or_bucket &
				   (CTIPFIX_FLOW_LOCKS - 1)].lock;
}

int ctipfix_flow_cache_init(void)
{
	int i;

	BUILD_BUG_ON(sizeof(struct ctipfix_flow) > CTIPFIX_FLOW_MAX_SIZE);
	BUILD_BUG_ON(!is_power_of_2(CTIPFIX_FLOW_LOCKS));
	for (i = 0; i < CTIPFIX_FLOW_LOCKS; i++)
		spin_lock_init(&ctipfix_flow_locks[i].lock);
	ctipfix_flow_seed = get_random_u32();
	ctipfix_flow_cache = KMEM_CACHE(ctipfix_flow, 0);
	return ctipfix_flow_cache ? 0 : -ENOMEM;
}

void ctipfix_flow_cache_exit(void)
{
	kmem_cache_destroy(ctipfix_flow_cache);
}

/* What a table of n buckets has besides its flows. */
struct ctipfix_flow_arrays {
	struct ctipfix_flow **buckets;
	u32 *due;
	struct ctipfix_hint_map *hinted;
	unsigned long *hints;
	unsigned int n;
};

static void ctipfix_flow_arrays_free(struct ctipfix_flow_arrays *a)
{
	kvfree(a->buckets);
	kvfree(a->due);
	kvfree(a->hints);
	/* a hook may still be setting a bit in it */
	if (a->hinted)
		kvfree_rcu(a->hinted, rcu);
}

/*
 * Allocated on behalf of the namespace (charged to whoever grows it: the
 * process creating it, or nobody for the pass's kworker).
 */
static int ctipfix_flow_arrays_alloc(struct ctipfix_flow_arrays *a,
				     unsigned int n)
{
	a->n = n;
	a->buckets = kvcalloc(n, sizeof(*a->buckets), GFP_KERNEL_ACCOUNT);
	a->due = kvcalloc(n, sizeof(*a->due), GFP_KERNEL_ACCOUNT);
	a->hints = kvcalloc(BITS_TO_LONGS(n), sizeof(long), GFP_KERNEL_ACCOUNT);
	a->hinted = kvzalloc(struct_size(a->hinted, bits, BITS_TO_LONGS(n)),
			     GFP_KERNEL_ACCOUNT);
	if (!a->buckets || !a->due || !a->hints || !a->hinted) {
		ctipfix_flow_arrays_free(a);
		return -ENOMEM;
	}
	a->hinted->n = n;
	return 0;
}

/* The table takes @a's arrays; @a gets the ones it had. */
static void ctipfix_flow_arrays_swap(struct ctipfix_flow_table *t,
				     struct ctipfix_flow_arrays *a)
{
	struct ctipfix_flow_arrays old = {
		.buckets = t->buckets,
		.due = t->due,
		.hints = t->hints,
		.hinted = rcu_dereference_protected(t->hinted, true),
		.n = t->n_buckets,
	};

	t->buckets = a->buckets;
	t->due = a->due;
	t->hints = a->hints;
	rcu_assign_pointer(t->hinted, a->hinted);
	WRITE_ONCE(t->n_buckets, a->n);	/* the hooks' _crowded() reads it */
	ctipfix_stat_add(CTIPFIX_STAT_FLOW_BUCKETS, (s64)a->n - old.n);
	*a = old;
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
	struct ctipfix_flow_arrays a;
	int cpu;

	memset(t, 0, sizeof(*t));
	t->pending = alloc_percpu_gfp(struct llist_head, GFP_KERNEL_ACCOUNT);
	if (!t->pending)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		init_llist_head(per_cpu_ptr(t->pending, cpu));
	if (ctipfix_flow_arrays_alloc(&a, CTIPFIX_FLOW_MIN_BUCKETS)) {
		free_percpu(t->pending);
		t->pending = NULL;
		return -ENOMEM;
	}
	ctipfix_flow_arrays_swap(t, &a);
	t->slot[0].buckets = t->buckets;
	t->slot[0].n = t->n_buckets;
	return 0;
}

/*
 * The table must be empty: the export pass released every flow, and no
 * hook can hand over another (they are out, and a grace period has
 * passed). A flow left waiting would be a bug: said once, and let go.
 */
void ctipfix_flow_table_free(struct ctipfix_flow_table *t)
{
	struct ctipfix_flow_arrays none = { };
	struct ctipfix_flow *flow, *next;
	struct llist_node *left;
	unsigned int n;

	if (t->pending) {
		left = ctipfix_flow_take_pending(t, &n);
		WARN_ONCE(n, "ctipfix: %u flows handed over after the last pass\n",
			  n);
		llist_for_each_entry_safe(flow, next, left, pending)
			ctipfix_flow_release(flow);
	}
	ctipfix_flow_arrays_swap(t, &none);
	ctipfix_flow_arrays_free(&none);
	free_percpu(t->pending);
	t->pending = NULL;
}

/*
 * A flow's hash comes from its original tuple, which a destroy event
 * names too (hints.c): addresses, protocol, and ports or ICMP id, type and
 * code. Conntrack zeroes its tuples before filling them in. Its bucket is
 * the hash's low bits, whatever the table's size.
 */
u32 ctipfix_flow_hash(const struct nf_conntrack_tuple *tuple)
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
	return flow->hash & (t->n_buckets - 1);
}

/*
 * The entry with @tuple died: its bucket gets a look next pass. Any
 * context. A hint set in a map the pass has just replaced is lost, but
 * after a resize the pass looks at every bucket, and the sweep finds
 * what no hint names.
 */
void ctipfix_flow_hint(struct ctipfix_flow_table *t,
		       const struct nf_conntrack_tuple *tuple)
{
	ctipfix_flow_hint_hash(t, ctipfix_flow_hash(tuple));
}

/* The bucket of @hash gets a look next pass. Any context. */
void ctipfix_flow_hint_hash(struct ctipfix_flow_table *t, u32 hash)
{
	struct ctipfix_hint_map *map;

	rcu_read_lock();
	map = rcu_dereference(t->hinted);
	set_bit(hash & (map->n - 1), map->bits);
	rcu_read_unlock();
}

/*
 * The pass takes the hints heard so far; any heard from now on are for
 * the next pass. The map has a bit per bucket, so a flood of deaths
 * names only the buckets they are in.
 */
void ctipfix_flow_take_hints(struct ctipfix_flow_table *t)
{
	struct ctipfix_hint_map *map = rcu_dereference_protected(t->hinted,
								 true);
	unsigned int i;

	for (i = 0; i < BITS_TO_LONGS(map->n); i++)
		t->hints[i] = READ_ONCE(map->bits[i]) ?
			      xchg(&map->bits[i], 0) : 0;
}

/* A zeroed @flow follows @ct from now: it holds a reference to it. */
static void ctipfix_flow_init(struct ctipfix_flow *flow, struct nf_conn *ct)
{
	nf_conntrack_get(&ct->ct_general);
	flow->ct = ct;
	flow->hash = ctipfix_flow_hash(&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
	ctipfix_flow_set_first(flow, ctipfix_mono_ticks());
	flow->last_export = (u32)jiffies;
	ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_LIVE);
}

/* The flow waits on this CPU's list until the next pass links it in. */
static void ctipfix_flow_push(struct ctipfix_flow_table *t,
			      struct ctipfix_flow *flow)
{
	/* a lock-free push: any CPU's list would do, this one is cache hot */
	llist_add(&flow->pending, raw_cpu_ptr(t->pending));
}

/*
 * Under @lock: the buckets the hooks see for it. A resize moves one lock's
 * buckets at a time, under that lock, and turns that lock's hooks to the
 * new buckets there (the lock's bit in ->hooks_slot): the hooks never wait
 * for a resize, nor miss a flow. A resize can stay halfway for as long as
 * the pass is kept from its CPU, so each lock's buckets are the ones its
 * own slot holds, sized by that slot.
 */
static const struct ctipfix_flow_slot *
ctipfix_flow_hooks_slot(const struct ctipfix_flow_table *t, unsigned int lock)
{
	return &t->slot[(READ_ONCE(t->hooks_slot) >> lock) & 1];
}

/* Under the lock of @hash: the head of its bucket, as the hooks see it. */
static struct ctipfix_flow **ctipfix_flow_hooks_head(struct ctipfix_flow_table *t,
						     u32 hash)
{
	const struct ctipfix_flow_slot *slot =
		ctipfix_flow_hooks_slot(t, hash & (CTIPFIX_FLOW_LOCKS - 1));

	return &slot->buckets[hash & (slot->n - 1)];
}

/* a walk's place: a lock in its top bits, a fraction of its buckets below */
#define CTIPFIX_WALK_LOCK_SHIFT	(32 - ilog2(CTIPFIX_FLOW_LOCKS))

/*
 * @visit for about @most flows of the hooks' buckets, under their locks,
 * until it returns false, from *@at on, where the walk leaves *@at. The
 * buckets go by lock: all of one lock's, then the next lock's, so that a
 * walk takes few locks, and never two at once. *@at is a place in that
 * order whatever the table's size: its top bits a lock, the rest a
 * fraction of that lock's buckets. It waits for a lock held elsewhere,
 * unlike the hooks' insert: a walk runs only while the table is pressed,
 * and a skipped lock's dead entries would stay behind our references
 * until a later lap, as early drop goes on making room. A walk that stops
 * within a chain leaves its rest for a later lap; one that meets a resize
 * between two of its calls may skip flows or see some twice: for walks
 * that find work cheaply, not for those that must see every flow. Any
 * context.
 */
void ctipfix_flow_walk_some(struct ctipfix_flow_table *t, u32 *at,
			    unsigned int most,
			    bool (*visit)(struct ctipfix_flow *flow, void *arg),
			    void *arg)
{
	unsigned int lock = *at >> CTIPFIX_WALK_LOCK_SHIFT, per_lock, shift, k;
	u32 within = *at & (BIT(CTIPFIX_WALK_LOCK_SHIFT) - 1);
	const struct ctipfix_flow_slot *slot;
	struct ctipfix_flow *flow;
	bool more = true;

	while (more && most) {
		spin_lock_bh(ctipfix_flow_lock(lock));
		slot = ctipfix_flow_hooks_slot(t, lock);
		per_lock = slot->n / CTIPFIX_FLOW_LOCKS;
		shift = CTIPFIX_WALK_LOCK_SHIFT - ilog2(per_lock);
		for (k = within >> shift; more && most && k < per_lock; k++) {
			most--;		/* an empty bucket costs a look too */
			flow = slot->buckets[lock + k * CTIPFIX_FLOW_LOCKS];
			for (; flow && more && most; flow = flow->next, most--)
				more = visit(flow, arg);
		}
		spin_unlock_bh(ctipfix_flow_lock(lock));
		if (k < per_lock) {
			within = k << shift;
		} else {
			within = 0;
			lock = (lock + 1) % CTIPFIX_FLOW_LOCKS;
		}
	}
	*at = lock << CTIPFIX_WALK_LOCK_SHIFT | within;
}

/*
 * Under the lock of @hash: the flow that follows @ct, still holding its
 * reference; NULL if none is linked in (the adoption walk's, waiting for
 * the pass to link it).
 */
struct ctipfix_flow *ctipfix_flow_find(struct ctipfix_flow_table *t,
				       const struct nf_conn *ct, u32 hash)
{
	struct ctipfix_flow *flow;

	for (flow = *ctipfix_flow_hooks_head(t, hash); flow; flow = flow->next)
		if (flow->ct == ct && !flow->taken)
			return flow;
	return NULL;
}

/* An interface index as the flow keeps it: 0 (unknown) past its 24 bits. */
static u32 ctipfix_flow_ifindex(u32 ifindex)
{
	return ifindex <= CTIPFIX_FLOW_IFINDEX_MAX ? ifindex : 0;
}

/*
 * Was @ct's first packet, which the TCP tracker has just taken in, a SYN?
 * It is still unconfirmed: nothing else writes it.
 */
static bool ctipfix_ct_opened_by_syn(const struct nf_conn *ct)
{
	return nf_ct_protonum(ct) == IPPROTO_TCP &&
	       READ_ONCE(ct->proto.tcp.state) == TCP_CONNTRACK_SYN_SENT;
}

static int ctipfix_flow_link_locked(struct ctipfix_flow_table *t,
				    struct ctipfix_flow **head,
				    struct ctipfix_flow *flow);
static void ctipfix_flow_drop_twin(struct ctipfix_flow *flow, int err);

/*
 * A new flow from the hooks: in its bucket at once, where the hooks can
 * find it again when it dies, and the next pass looks at it. The hooks
 * never wait for a bucket's lock here: while the pass (or the other hooks)
 * hold it, the flow waits on this CPU's list for the next pass to link
 * in, as the walk's flows do, and its death on a packet before then is
 * the pass's to find (ctipfix_export_dying()). A pass that holds a lock
 * and loses its CPU (a vCPU the host takes away, a kworker that RT
 * preempts) would otherwise hold up the forwarding of every new flow that
 * hashes under that lock. Returns false when it was left for the pass.
 */
static bool ctipfix_flow_insert(struct ctipfix_flow_table *t,
				struct ctipfix_flow *flow)
{
	u32 hash = flow->hash;
	spinlock_t *lock = ctipfix_flow_lock(hash);
	int err;

	if (!spin_trylock_bh(lock))
		return false;
	err = ctipfix_flow_link_locked(t, ctipfix_flow_hooks_head(t, hash),
				       flow);
	spin_unlock_bh(lock);
	if (err)
		ctipfix_flow_drop_twin(flow, err);
	else	/* the pass may have freed it already: by its hash */
		ctipfix_flow_hint_hash(t, hash);
	return true;
}

/*
 * Start following @ct, new on its first packet. Called from the hooks
 * (softirq, or process context for locally sent packets). Returns 0 or
 * -ENOMEM.
 */
int ctipfix_flow_track(struct ctipfix_flow_table *t, struct nf_conn *ct,
		       const struct ctipfix_first_packet *first, gfp_t gfp)
{
	struct ctipfix_flow *flow = kmem_cache_zalloc(ctipfix_flow_cache, gfp);

	if (!flow)
		return -ENOMEM;
	ctipfix_flow_init(flow, ct);
	flow->hooked = 1;
	flow->syn_unsent = ctipfix_ct_opened_by_syn(ct);
	flow->ifindex_in = ctipfix_flow_ifindex(first->ifindex_in);
	flow->ifindex_out = ctipfix_flow_ifindex(first->ifindex_out);
	flow->tos = first->tos;
	flow->vlan = first->vlan;
	ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_NEW);
	if (!ctipfix_flow_insert(t, flow)) {
		ctipfix_flow_push(t, flow);
		ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_LINKED_LATE);
	}
	return 0;
}

/*
 * Up to @n flows allocated in process context for the adoption walk,
 * which runs under conntrack's bucket locks: it takes them from here
 * rather than allocating atomically, once per entry. Returns how many.
 */
unsigned int ctipfix_flow_stock_fill(struct ctipfix_flow_stock *s,
				     unsigned int n)
{
	struct ctipfix_flow *flow;

	s->first = NULL;
	for (s->n = 0; s->n < n; s->n++) {
		flow = kmem_cache_zalloc(ctipfix_flow_cache,
					 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!flow)
			break;
		flow->next = s->first;
		s->first = flow;
		if (!(s->n & 1023))
			cond_resched();
	}
	return s->n;
}

/* What the walk left of the stock. */
void ctipfix_flow_stock_drain(struct ctipfix_flow_stock *s)
{
	struct ctipfix_flow *flow;

	while ((flow = s->first)) {
		s->first = flow->next;
		kmem_cache_free(ctipfix_flow_cache, flow);
	}
	s->n = 0;
}

/*
 * An adopted flow's first packet: conntrack's stamp of it where timestamps
 * are on (net.netfilter.nf_conntrack_timestamp), carried over to the
 * tick's clock that all of a record's times come from; else its adoption.
 */
static void ctipfix_flow_first_stamped(struct ctipfix_flow *flow,
				       const struct nf_conn *ct)
{
	const struct nf_conn_tstamp *ts = nf_conn_tstamp_find(ct);
	u64 first = ctipfix_flow_first(flow);
	s64 ago;

	if (!ts || !ts->start)
		return;
	ago = (s64)(ktime_get_real_ns() - ts->start);
	if (ago > 0)
		ctipfix_flow_set_first(flow, first -
				       min(div_u64(ago + TICK_NSEC / 2, TICK_NSEC),
					   first));
}

/*
 * Start following @ct, confirmed and alive already (the walk at load, or a
 * namespace entering the scope), with a flow from @s: or, should the walk
 * meet more entries than were there when it was filled, an atomic one. Its
 * records count from now on: what it carried before was in the final
 * record sent when it was last followed (an unload, the namespace leaving
 * the scope), or passed while nobody exported it, and a second count of it
 * would be a double count. Its first packet is unknown (its records
 * leave out its interfaces, class and VLAN). Returns 0 or -ENOMEM.
 */
int ctipfix_flow_adopt(struct ctipfix_flow_table *t, struct nf_conn *ct,
		       struct ctipfix_flow_stock *s)
{
	struct ctipfix_flow *flow = s->first;
	const struct nf_conn_acct *acct;
	int dir;

	if (flow) {
		s->first = flow->next;
		s->n--;
		flow->next = NULL;
	} else {
		flow = kmem_cache_zalloc(ctipfix_flow_cache,
					 GFP_ATOMIC | __GFP_NOWARN);
		if (!flow)
			return -ENOMEM;
	}
	ctipfix_flow_init(flow, ct);
	ctipfix_flow_first_stamped(flow, ct);
	acct = nf_conn_acct_find(ct);
	for (dir = 0; acct && dir < IP_CT_DIR_MAX; dir++)
		ctipfix_sent_pack(&flow->sent_lo[dir], &flow->sent_hi[dir],
				  atomic64_read(&acct->counter[dir].packets),
				  atomic64_read(&acct->counter[dir].bytes));
	ctipfix_flow_push(t, flow);
	return 0;
}

/*
 * Have the flows outgrown the table (chains past two on average) while it
 * may still grow? The pass resizes; the hooks ask for it under a flood,
 * which delays the pass while the chains they walk grow. Any context.
 */
bool ctipfix_flow_crowded(const struct ctipfix_flow_table *t)
{
	unsigned int n = READ_ONCE(t->n_buckets);

	return atomic_read(&t->count) > 2 * n &&
	       n < READ_ONCE(ctipfix_hash_buckets);
}

/* Is any flow waiting to be linked in by the pass? */
bool ctipfix_flow_pending(struct ctipfix_flow_table *t)
{
	int cpu;

	for_each_possible_cpu(cpu)
		if (!llist_empty(per_cpu_ptr(t->pending, cpu)))
			return true;
	return false;
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
 * Every flow into @a's buckets, one lock's buckets at a time: a flow's
 * bucket in either table is its hash's low bits, so both are under the
 * same lock. The hooks of that lock turn to @a's buckets as it is let go.
 */
static void ctipfix_flow_move(struct ctipfix_flow_table *t,
			      struct ctipfix_flow_arrays *a)
{
	unsigned int to = !(t->hooks_slot & 1), i, b, l;
	struct ctipfix_flow *flow;

	t->slot[to].buckets = a->buckets;
	t->slot[to].n = a->n;
	for (l = 0; l < CTIPFIX_FLOW_LOCKS; l++) {
		spin_lock_bh(&ctipfix_flow_locks[l].lock);
		for (i = l; i < t->n_buckets; i += CTIPFIX_FLOW_LOCKS) {
			while ((flow = t->buckets[i])) {
				t->buckets[i] = flow->next;
				b = flow->hash & (a->n - 1);
				flow->next = a->buckets[b];
				a->buckets[b] = flow;
			}
		}
		WRITE_ONCE(t->hooks_slot, t->hooks_slot ^ BIT_ULL(l));
		spin_unlock_bh(&ctipfix_flow_locks[l].lock);
		cond_resched();
	}
	t->slot[!to].buckets = NULL;
	t->slot[!to].n = 0;
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
	struct ctipfix_flow_arrays a;
	unsigned int b;

	/* near enough, unless hash_buckets was lowered below the table */
	if (n == t->n_buckets ||
	    (count <= 2 * t->n_buckets && count >= t->n_buckets / 8 &&
	     t->n_buckets <= most))
		return false;
	if (ctipfix_flow_arrays_alloc(&a, n))
		return false;
	ctipfix_flow_move(t, &a);
	ctipfix_flow_arrays_swap(t, &a);
	for (b = 0; b < n; b++)
		t->due[b] = now;
	ctipfix_flow_arrays_free(&a);
	return true;
}

/* Was @flow handed over by the hooks (rather than adopted by the walk)? */
static bool ctipfix_flow_hooked(const struct ctipfix_flow *flow)
{
	return flow->hooked;
}

/*
 * @flow follows the same entry as @old, linked already. When @old is the
 * walk's and @flow the hooks' (the entry's first packet met the hooks
 * while the walk found it confirmed), the hooks' facts are the truer:
 * counted from the first packet, and its interfaces.
 */
static bool ctipfix_flow_merge(struct ctipfix_flow *old,
			       const struct ctipfix_flow *flow)
{
	int dir;

	if (ctipfix_flow_hooked(old) || !ctipfix_flow_hooked(flow))
		return false;
	for (dir = 0; dir < IP_CT_DIR_MAX; dir++) {
		old->sent_lo[dir] = flow->sent_lo[dir];
		old->sent_hi[dir] = flow->sent_hi[dir];
	}
	old->first_lo = flow->first_lo;
	old->first_hi = flow->first_hi;
	old->hooked = flow->hooked;
	old->syn_unsent = flow->syn_unsent;
	old->ifindex_in = flow->ifindex_in;
	old->ifindex_out = flow->ifindex_out;
	old->tos = flow->tos;
	old->vlan = flow->vlan;
	return true;
}

/*
 * Under the bucket's lock: link @flow in at @head. Returns 0, or, when its
 * entry is followed already (two packets of one unconfirmed entry, as a
 * multicast packet forwarded and delivered both; or the hooks and the
 * adoption walk both), -EEXIST, or -EALREADY when the hooks' @flow gave
 * the walk's its facts: either way the caller drops @flow.
 */
static int ctipfix_flow_link_locked(struct ctipfix_flow_table *t,
				    struct ctipfix_flow **head,
				    struct ctipfix_flow *flow)
{
	struct ctipfix_flow *old;

	/*
	 * A flow the hooks took names a dead entry, or one since freed and
	 * made anew; a new flow of the hooks is not its twin then. One the
	 * walk adopted is: the walk met the entry alive before the hooks took
	 * it (its final record is theirs), or the new entry, whose first
	 * packet the hooks saw too.
	 */
	for (old = *head; old; old = old->next)
		if (old->ct == flow->ct && (!old->taken || !flow->hooked))
			return ctipfix_flow_merge(old, flow) ? -EALREADY :
							       -EEXIST;
	flow->next = *head;
	*head = flow;
	atomic_inc(&t->count);
	return 0;
}

/* One flow, counted once: as new if the hooks saw it (their facts won). */
static void ctipfix_flow_drop_twin(struct ctipfix_flow *flow, int err)
{
	ctipfix_stat_add(err == -EALREADY || !flow->hooked ?
			 CTIPFIX_STAT_FLOWS_ADOPTED : CTIPFIX_STAT_FLOWS_NEW, -1);
	ctipfix_flow_release(flow);
}

/*
 * The pass: link in a flow that waited on a per-CPU list. Returns its
 * bucket, or an error when it was dropped as a twin of a linked one.
 */
int ctipfix_flow_link(struct ctipfix_flow_table *t, struct ctipfix_flow *flow)
{
	unsigned int b = ctipfix_flow_bucket(t, flow);
	spinlock_t *lock = ctipfix_flow_lock(b);
	int err;

	spin_lock_bh(lock);
	err = ctipfix_flow_link_locked(t, &t->buckets[b], flow);
	spin_unlock_bh(lock);
	if (err) {
		ctipfix_flow_drop_twin(flow, err);
		return err;
	}
	return b;
}

/*
 * Under bucket @b's lock: take @flow out of its chain, where @prev (if
 * not NULL) still comes just before it: the hooks link flows in at the
 * head only.
 */
void ctipfix_flow_unlink(struct ctipfix_flow_table *t, unsigned int b,
			 struct ctipfix_flow *prev, struct ctipfix_flow *flow)
{
	struct ctipfix_flow **pp = prev ? &prev->next : &t->buckets[b];

	while (*pp != flow)
		pp = &(*pp)->next;
	*pp = flow->next;
	atomic_dec(&t->count);
}

static void ctipfix_flow_free(struct ctipfix_flow *flow)
{
	kmem_cache_free(ctipfix_flow_cache, flow);
	ctipfix_stat_add(CTIPFIX_STAT_FLOWS_LIVE, -1);
}

/* Drop a flow already unlinked from its table, and our conntrack reference. */
void ctipfix_flow_release(struct ctipfix_flow *flow)
{
	nf_ct_put(flow->ct);
	ctipfix_flow_free(flow);
}

/*
 * Under the lock of @flow's bucket: the hooks took its final record. Out
 * of its chain at once, so that neither the hooks' nor the pass's walks
 * meet it again while it waits for the pass to free it: a flood's dead
 * flows would fill the chains while the pass cannot run. Left in, marked
 * only, where the pass needs it there: while it keeps a place in this
 * lock's chains (it unlinks alone then), and while flows it adopted wait
 * to be linked (one names its twin by a taken flow). Returns whether it is
 * out.
 */
bool ctipfix_flow_take(struct ctipfix_flow_table *t, struct ctipfix_flow *flow)
{
	struct ctipfix_flow **pp = ctipfix_flow_hooks_head(t, flow->hash);

	flow->taken = true;
	if (READ_ONCE(t->pass_inside) == ctipfix_flow_lock(flow->hash) ||
	    READ_ONCE(t->adopting))
		return false;
	while (*pp != flow)
		pp = &(*pp)->next;
	*pp = flow->next;
	atomic_dec(&t->count);
	return true;
}

/*
 * The pass: free a flow the hooks took (its reference let go, its final
 * record with them), unlinked first if they left it @linked.
 */
void ctipfix_flow_forget(struct ctipfix_flow_table *t,
			 struct ctipfix_flow *flow, bool linked)
{
	unsigned int b = ctipfix_flow_bucket(t, flow);
	spinlock_t *lock = ctipfix_flow_lock(b);

	if (linked) {
		spin_lock_bh(lock);
		ctipfix_flow_unlink(t, b, NULL, flow);
		spin_unlock_bh(lock);
	}
	ctipfix_flow_free(flow);
}
