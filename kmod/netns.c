// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state. Every namespace gets the hooks; flows appear only
 * where conntrack runs, because the module never switches conntrack on.
 * Where it runs, accounting and timestamps are switched on (new entries get
 * the extensions) and put back as they were when the namespace or the module
 * goes.
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
static DEFINE_MUTEX(ctipfix_nets_lock);

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

	switch (ctipfix_flow_track(&cn->flows, ct, 0, 0, GFP_ATOMIC)) {
	case 1:
		ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_ADOPTED);
		break;
	case -ENOMEM:
		ctipfix_stat_inc(CTIPFIX_STAT_FLOWS_ALLOC_FAILED);
		break;
	}
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

static int __net_init ctipfix_net_init(struct net *net)
{
	struct ctipfix_net *cn = ctipfix_pernet(net);
	int err;

	cn->net = net;
	atomic_set(&cn->flush_requested, 0);
	INIT_DELAYED_WORK(&cn->work, ctipfix_export_work);
	ctipfix_net_domain(cn);
	err = ctipfix_flow_table_init(&cn->flows, ctipfix_hash_buckets);
	if (err)
		return err;

	cn->saved_acct = net->ct.sysctl_acct;
	cn->saved_tstamp = net->ct.sysctl_tstamp;
	net->ct.sysctl_acct = 1;
	net->ct.sysctl_tstamp = 1;

	err = ctipfix_hooks_register(net);
	if (err)
		goto fail;
	ctipfix_adopt_existing(cn);

	mutex_lock(&ctipfix_nets_lock);
	list_add(&cn->list, &ctipfix_nets);
	mutex_unlock(&ctipfix_nets_lock);
	ctipfix_export_schedule(cn, 0);
	return 0;
fail:
	net->ct.sysctl_acct = cn->saved_acct;
	net->ct.sysctl_tstamp = cn->saved_tstamp;
	ctipfix_flow_table_free(&cn->flows);
	return err;
}

static void __net_exit ctipfix_net_exit(struct net *net)
{
	struct ctipfix_net *cn = ctipfix_pernet(net);

	mutex_lock(&ctipfix_nets_lock);
	list_del(&cn->list);
	mutex_unlock(&ctipfix_nets_lock);

	/* no new flows, and no packet still inside our hook */
	ctipfix_hooks_unregister(net);
	cancel_delayed_work_sync(&cn->work);
	ctipfix_export_pass(cn, true);

	net->ct.sysctl_acct = cn->saved_acct;
	net->ct.sysctl_tstamp = cn->saved_tstamp;
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
		atomic_set(&cn->flush_requested, 1);
		ctipfix_export_schedule(cn, 0);
		flush_delayed_work(&cn->work);
	}
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
