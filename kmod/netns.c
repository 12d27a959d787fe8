// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state. Every namespace in scope (the netns knob: all of
 * them unless narrowed) is served: it gets the hooks, but flows appear only
 * where conntrack runs, because the module never switches conntrack on.
 * Where it serves, accounting is switched on (new entries get the counters)
 * and put back as it was when the namespace leaves the scope or goes, or the
 * module goes. Timestamps are left as the operator set them: the module uses
 * them where they are on, and its own clock where they are not.
 *
 * Our .exit_batch runs before conntrack's (we registered after it), so
 * every reference we hold is gone before conntrack waits for its entries
 * to go. It runs after the namespaces' devices are gone, so no flow can
 * start there unseen (the hooks come out only then, not in .pre_exit,
 * while packets still pass), and one grace period serves the whole batch:
 * no packet is still inside the hooks when the final records are sent.
 *
 * Nothing here waits for the reader: what a namespace leaves in its
 * backlog is handed to the orphans (msg.c), written as the reader makes
 * room, so a stopped daemon never holds up namespace teardown.
 */
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/proc_ns.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "export.h"
#include "flow.h"
#include "hints.h"
#include "hooks.h"
#include "msg.h"
#include "netns.h"
#include "params.h"
#include "reliability.h"
#include "stats.h"

static unsigned int ctipfix_net_id __read_mostly;
static LIST_HEAD(ctipfix_nets);
/* guards the list, the scope and each namespace's serving state */
static DEFINE_MUTEX(ctipfix_nets_lock);
static struct ctipfix_scope ctipfix_scope;	/* n == 0: every namespace */
/* set once register_pernet_subsys() has seen the namespaces of the load */
static bool ctipfix_loaded;

struct ctipfix_net *ctipfix_netns_of(const struct net *net)
{
	return net_generic(net, ctipfix_net_id);
}

/* init_net exports as observation_domain; others as their inode number. */
static void ctipfix_net_domain(struct ctipfix_net *cn)
{
	bool is_init = net_eq(cn->net, &init_net);

	ctipfix_msg_init(&cn->msg, is_init ? ctipfix_observation_domain :
					     cn->net->ns.inum, is_init);
}

struct ctipfix_adoption {
	struct ctipfix_net *cn;
	struct ctipfix_flow_stock stock;
};

/* Under conntrack's bucket lock, BH off. */
static int ctipfix_adopt_one(struct nf_conn *ct, void *data)
{
	struct ctipfix_adoption *a = data;
	struct ctipfix_net *cn = a->cn;

	/* dead before we came, only not reaped yet: no record is ours to send */
	if (nf_ct_is_expired(ct) || nf_ct_is_dying(ct))
		return 0;
	if (ctipfix_flow_adopt(&cn->flows, ct, &a->stock)) {
		ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_ALLOC_FAILED);
		atomic_inc(&cn->untracked);
	} else {
		ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_ADOPTED);
	}
	return 0;	/* keep the entry */
}

/*
 * Flows that existed before us, adopted by the namespace's first pass
 * (process context, no lock of ours held, many namespaces' grace periods
 * at once). The hooks are in place, and after a grace period no packet
 * that passed their place before they were is still on its way to
 * confirmation: every entry is either in the table the walk reads or will
 * meet the hooks. A namespace with no entry at all skips both.
 */
void ctipfix_netns_adopt(struct ctipfix_net *cn)
{
	struct ctipfix_adoption a = { .cn = cn };
	struct nf_ct_iter_data iter = {
		.net = cn->net,
		.data = &a,
	};
	unsigned int n = nf_conntrack_count(cn->net);

	/* no entry at all, confirmed or not: nothing to miss, no wait */
	if (!n)
		return;
	synchronize_net();
	/* every entry there now; those that come meet the hooks */
	ctipfix_flow_stock_fill(&a.stock, n + 64);
	nf_ct_iterate_cleanup_net(ctipfix_adopt_one, &iter);
	ctipfix_flow_stock_drain(&a.stock);
}

/* Start serving: accounting on, hooks in, live entries adopted. */
static int ctipfix_net_serve(struct ctipfix_net *cn, bool adopt)
{
	struct net *net = cn->net;
	int err;

	cn->saved_acct = net->ct.sysctl_acct;
	net->ct.sysctl_acct = 1;
	/* listening first: entries created from now on carry events */
	ctipfix_hints_start(cn);
	err = ctipfix_hooks_register(net);
	if (err) {
		ctipfix_hints_stop(cn);
		net->ct.sysctl_acct = cn->saved_acct;
		return err;
	}
	cn->hooked = true;
	cn->serving = true;
	/* its names again, before the first records of this service */
	ctipfix_iftable_resend(&cn->ifaces);
	/* by the first pass, queued just after */
	cn->adopt_pending = adopt;
	ctipfix_export_schedule(cn, 0);
	return 0;
}

/*
 * The hooks out, and no CPU still inside them once this returns, so no
 * flow can be handed over after the final pass. The callers that stop
 * many namespaces take the hooks out themselves, with one grace period.
 */
static void ctipfix_net_unhook(struct ctipfix_net *cn)
{
	if (!cn->hooked)
		return;
	ctipfix_hooks_unregister(cn->net);
	cn->hooked = false;
	synchronize_net();
}

/*
 * Stop serving: every flow still followed gets its final record. Under
 * ctipfix_nets_lock, or for a namespace on its way out, off the list.
 */
static void ctipfix_net_unserve(struct ctipfix_net *cn)
{
	struct net *net = cn->net;

	ctipfix_net_unhook(cn);
	ctipfix_hints_stop(cn);
	cancel_delayed_work_sync(&cn->work);
	cn->adopt_pending = false;	/* served too briefly to adopt anything */
	ctipfix_export_pass(cn, true);
	/* the last word on this domain: what it exported and lost */
	ctipfix_reliability_final(&cn->msg);
	/* what the relay had no room for goes out later, without us */
	ctipfix_msg_orphan(&cn->msg);
	cn->serving = false;
	/* put back, unless someone changed it since we switched it on */
	if (net->ct.sysctl_acct == 1)
		net->ct.sysctl_acct = cn->saved_acct;
}

/* Called with ctipfix_nets_lock held. */
static bool ctipfix_net_in_scope(const struct ctipfix_net *cn)
{
	unsigned int i;

	if (!ctipfix_scope.n)
		return true;
	for (i = 0; i < ctipfix_scope.n; i++)
		if (ctipfix_scope.inum[i] == cn->net->ns.inum)
			return true;
	return false;
}

/* Called with ctipfix_nets_lock held: serve what is in scope, only that. */
static int ctipfix_net_rescope(struct ctipfix_net *cn, bool adopt)
{
	bool want = ctipfix_net_in_scope(cn);
	int err;

	if (want && !cn->serving)
		return ctipfix_net_serve(cn, adopt);
	/* unhooked to leave a scope that was then put back */
	if (want && !cn->hooked) {
		err = ctipfix_hooks_register(cn->net);
		if (!err)
			cn->hooked = true;
		return err;
	}
	if (!want && cn->serving)
		ctipfix_net_unserve(cn);
	return 0;
}

static int __net_init ctipfix_net_init(struct net *net)
{
	struct ctipfix_net *cn = ctipfix_netns_of(net);
	int err, cpu;

	cn->net = net;
	cn->serving = false;
	cn->hooked = false;
	cn->hints = NULL;
	cn->sweep_next = 0;
	cn->planned_timeout = 0;
	atomic_set(&cn->flush_requested, 0);
	atomic_set(&cn->untracked, 0);
	init_llist_head(&cn->endings);
	cn->kick = 0;
	cn->next_full = jiffies;
	cn->next_reap = jiffies;
	cn->adopt_pending = false;
	INIT_DELAYED_WORK(&cn->work, ctipfix_export_work);
	ctipfix_net_domain(cn);
	ctipfix_iftable_init(&cn->ifaces);
	cn->cpu = alloc_percpu_gfp(struct ctipfix_net_cpu, GFP_KERNEL_ACCOUNT);
	if (!cn->cpu)
		return -ENOMEM;
	/* each CPU's walks start as far from the others' as can be */
	for_each_possible_cpu(cpu)
		per_cpu_ptr(cn->cpu, cpu)->walk_at =
			div_u64((u64)cpu << 32, nr_cpu_ids);
	err = ctipfix_flow_table_init(&cn->flows);
	if (err)
		goto free_cpu;

	mutex_lock(&ctipfix_nets_lock);
	/* those there at load have entries to adopt; one being created, none */
	err = ctipfix_net_rescope(cn, !ctipfix_loaded);
	if (!err)
		list_add(&cn->list, &ctipfix_nets);
	mutex_unlock(&ctipfix_nets_lock);
	if (!err)
		return 0;
	ctipfix_flow_table_free(&cn->flows);
free_cpu:
	free_percpu(cn->cpu);
	ctipfix_iftable_free(&cn->ifaces);
	return err;
}

/*
 * Namespaces going (or all of them, at unload): off the list, so that
 * neither the netns knob nor a flush reaches them, and so no lock is
 * needed for them after; the hooks out of all, one grace period; then
 * every flow's final record.
 */
static void __net_exit ctipfix_net_exit_batch(struct list_head *net_exit_list)
{
	struct ctipfix_net *cn;
	bool unhooked = false;
	struct net *net;

	mutex_lock(&ctipfix_nets_lock);
	list_for_each_entry(net, net_exit_list, exit_list) {
		cn = ctipfix_netns_of(net);
		list_del(&cn->list);
		if (cn->hooked) {
			ctipfix_hooks_unregister(net);
			cn->hooked = false;
			unhooked = true;
		}
	}
	mutex_unlock(&ctipfix_nets_lock);
	if (unhooked)
		synchronize_net();
	list_for_each_entry(net, net_exit_list, exit_list) {
		cn = ctipfix_netns_of(net);
		if (cn->serving)
			ctipfix_net_unserve(cn);
	}

	list_for_each_entry(net, net_exit_list, exit_list) {
		cn = ctipfix_netns_of(net);
		WARN_ONCE(!llist_empty(&cn->endings),
			  "ctipfix: final records taken after the last pass\n");
		ctipfix_flow_table_free(&cn->flows);
		ctipfix_msg_free(&cn->msg);
		free_percpu(cn->cpu);
		/*
		 * No event comes now: a namespace's devices went before its
		 * subsystems' exits, and at unload the notifier went first.
		 */
		ctipfix_iftable_free(&cn->ifaces);
	}
}

static struct pernet_operations ctipfix_net_ops = {
	.init	= ctipfix_net_init,
	.exit_batch = ctipfix_net_exit_batch,
	.id	= &ctipfix_net_id,
	.size	= sizeof(struct ctipfix_net),
};

/*
 * The flush command: every live flow of every namespace reports now. The
 * passes are queued under the lock and waited for outside it, so that a
 * flush never holds up namespaces coming and going.
 */
void ctipfix_netns_flush_all(void)
{
	struct ctipfix_net *cn;

	mutex_lock(&ctipfix_nets_lock);
	list_for_each_entry(cn, &ctipfix_nets, list) {
		if (!cn->serving)
			continue;
		atomic_set(&cn->flush_requested, 1);
		ctipfix_export_schedule(cn, 0);
	}
	mutex_unlock(&ctipfix_nets_lock);
	ctipfix_export_wait();
}

/*
 * Called with ctipfix_nets_lock held. Returns the first error. The hooks
 * come out of every namespace that leaves first, with one grace period
 * for them all, however many there are.
 */
static int ctipfix_nets_rescope(void)
{
	struct ctipfix_net *cn;
	bool unhooked = false;
	int err = 0, ret;

	list_for_each_entry(cn, &ctipfix_nets, list) {
		if (!cn->hooked || ctipfix_net_in_scope(cn))
			continue;
		ctipfix_hooks_unregister(cn->net);
		cn->hooked = false;
		unhooked = true;
	}
	if (unhooked)
		synchronize_net();
	/* every namespace, whatever fails: the first error is returned */
	list_for_each_entry(cn, &ctipfix_nets, list) {
		ret = ctipfix_net_rescope(cn, true);
		err = err ?: ret;
	}
	return err;
}

/*
 * The netns knob: serve the namespaces in @scope from now on. Those that
 * leave it get the final record of each flow and their settings back;
 * those that enter adopt their live entries. When a namespace cannot be
 * served (no memory for its hooks), the old scope is put back, as far as
 * it can be, and the error returned.
 */
int ctipfix_netns_set_scope(const struct ctipfix_scope *scope)
{
	struct ctipfix_scope *old;
	int err;

	old = kmalloc(sizeof(*old), GFP_KERNEL);
	if (!old)
		return -ENOMEM;
	mutex_lock(&ctipfix_nets_lock);
	*old = ctipfix_scope;
	ctipfix_scope = *scope;
	err = ctipfix_nets_rescope();
	if (err) {
		ctipfix_scope = *old;
		ctipfix_nets_rescope();
	}
	mutex_unlock(&ctipfix_nets_lock);
	kfree(old);
	return err;
}

void ctipfix_netns_get_scope(struct ctipfix_scope *scope)
{
	mutex_lock(&ctipfix_nets_lock);
	*scope = ctipfix_scope;
	mutex_unlock(&ctipfix_nets_lock);
}

int ctipfix_netns_init(void)
{
	int err = register_pernet_subsys(&ctipfix_net_ops);

	if (err)
		return err;
	/* from now on a namespace's init is its creation: nothing to adopt */
	ctipfix_loaded = true;
	err = ctipfix_iftable_notifier_register();
	if (err)
		unregister_pernet_subsys(&ctipfix_net_ops);
	return err;
}

void ctipfix_netns_exit(void)
{
	ctipfix_iftable_notifier_unregister();
	unregister_pernet_subsys(&ctipfix_net_ops);
}
