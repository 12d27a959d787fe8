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
 * Our .exit runs before conntrack's (we registered after it), so every
 * reference we hold is gone before conntrack waits for its entries to go.
 */
#include <linux/mutex.h>
#include <linux/proc_ns.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "ctipfix.h"

unsigned int ctipfix_net_id __read_mostly;
static LIST_HEAD(ctipfix_nets);
/* guards the list, the scope and each namespace's serving state */
static DEFINE_MUTEX(ctipfix_nets_lock);
static struct ctipfix_scope ctipfix_scope;	/* n == 0: every namespace */

struct ctipfix_net *ctipfix_pernet(const struct net *net)
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

static int ctipfix_adopt_one(struct nf_conn *ct, void *data)
{
	struct ctipfix_net *cn = data;

	/* dead before we came, only not reaped yet: no record is ours to send */
	if (nf_ct_is_expired(ct) || nf_ct_is_dying(ct))
		return 0;
	if (ctipfix_flow_track(&cn->flows, ct, 0, 0, GFP_ATOMIC))
		ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_ALLOC_FAILED);
	else
		ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_ADOPTED);
	return 0;	/* keep the entry */
}

/* Flows that existed before us: the hooks are in place, so none is missed. */
static void ctipfix_adopt_existing(struct ctipfix_net *cn)
{
	struct nf_ct_iter_data iter = {
		.net = cn->net,
		.data = cn,
	};

	nf_ct_iterate_cleanup_net(ctipfix_adopt_one, &iter);
}

/* Start serving: accounting on, hooks in, live entries adopted. */
static int ctipfix_net_serve(struct ctipfix_net *cn)
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
	cn->serving = true;
	ctipfix_adopt_existing(cn);
	ctipfix_export_schedule(cn, 0);
	return 0;
}

/* Stop serving: every flow still followed gets its final record. */
static void ctipfix_net_unserve(struct ctipfix_net *cn)
{
	struct net *net = cn->net;

	/* no new flows, and no packet still inside our hook */
	ctipfix_hooks_unregister(net);
	ctipfix_hints_stop(cn);
	cancel_delayed_work_sync(&cn->work);
	ctipfix_export_pass(cn, true);
	ctipfix_msg_drain_wait(&cn->msg, CTIPFIX_EXIT_DRAIN_MS);
	/* the last word on this domain: what it exported and lost */
	if (cn->msg.stats.messages || cn->msg.stats.lost_records)
		ctipfix_reliability_report(&cn->msg);
	cn->serving = false;
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
static int ctipfix_net_rescope(struct ctipfix_net *cn)
{
	bool want = ctipfix_net_in_scope(cn);

	if (want && !cn->serving)
		return ctipfix_net_serve(cn);
	if (!want && cn->serving)
		ctipfix_net_unserve(cn);
	return 0;
}

static int __net_init ctipfix_net_init(struct net *net)
{
	struct ctipfix_net *cn = ctipfix_pernet(net);
	int err;

	cn->net = net;
	cn->serving = false;
	cn->hints = NULL;
	cn->sweep_next = 0;
	cn->planned_timeout = 0;
	atomic_set(&cn->flush_requested, 0);
	INIT_DELAYED_WORK(&cn->work, ctipfix_export_work);
	ctipfix_net_domain(cn);
	err = ctipfix_flow_table_init(&cn->flows);
	if (err)
		return err;

	mutex_lock(&ctipfix_nets_lock);
	err = ctipfix_net_rescope(cn);
	if (!err)
		list_add(&cn->list, &ctipfix_nets);
	mutex_unlock(&ctipfix_nets_lock);
	if (err)
		ctipfix_flow_table_free(&cn->flows);
	return err;
}

static void __net_exit ctipfix_net_exit(struct net *net)
{
	struct ctipfix_net *cn = ctipfix_pernet(net);

	mutex_lock(&ctipfix_nets_lock);
	list_del(&cn->list);
	if (cn->serving)
		ctipfix_net_unserve(cn);
	mutex_unlock(&ctipfix_nets_lock);

	ctipfix_flow_table_free(&cn->flows);
	ctipfix_msg_free(&cn->msg);
}

static struct pernet_operations ctipfix_net_ops = {
	.init	= ctipfix_net_init,
	.exit	= ctipfix_net_exit,
	.id	= &ctipfix_net_id,
	.size	= sizeof(struct ctipfix_net),
};

/* The flush command: every live flow of every namespace reports now. */
void ctipfix_flush_all(void)
{
	struct ctipfix_net *cn;

	mutex_lock(&ctipfix_nets_lock);
	list_for_each_entry(cn, &ctipfix_nets, list) {
		if (!cn->serving)
			continue;
		atomic_set(&cn->flush_requested, 1);
		ctipfix_export_schedule(cn, 0);
		flush_delayed_work(&cn->work);
	}
	mutex_unlock(&ctipfix_nets_lock);
}

/*
 * The netns knob: serve the namespaces in @scope from now on. Those that
 * leave it get the final record of each flow and their settings back;
 * those that enter adopt their live entries.
 */
int ctipfix_netns_set_scope(const struct ctipfix_scope *scope)
{
	struct ctipfix_net *cn;
	int err = 0;

	mutex_lock(&ctipfix_nets_lock);
	ctipfix_scope = *scope;
	list_for_each_entry(cn, &ctipfix_nets, list)
		err = ctipfix_net_rescope(cn) ?: err;
	mutex_unlock(&ctipfix_nets_lock);
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
	return register_pernet_subsys(&ctipfix_net_ops);
}

void ctipfix_netns_exit(void)
{
	unregister_pernet_subsys(&ctipfix_net_ops);
}
