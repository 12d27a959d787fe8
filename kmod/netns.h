/* SPDX-License-Identifier: GPL-2.0 */
/* ctipfix: per-namespace state (netns.c). */
#ifndef _CTIPFIX_NETNS_H
#define _CTIPFIX_NETNS_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "flow.h"
#include "iftable.h"
#include "msg.h"

struct net;
struct socket;

/* what the hooks keep per CPU, in each namespace */
struct ctipfix_net_cpu {
	unsigned int early_drops_seen;	/* conntrack's, when last looked at */
	u32 walk_at;			/* where its next walk for them starts */
};

struct ctipfix_net {
	struct net *net;
	struct ctipfix_flow_table flows;
	struct ctipfix_msg msg;
	struct ctipfix_iftable ifaces;	/* the names its records point at */
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

struct ctipfix_net *ctipfix_netns_of(const struct net *net);
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

#endif /* _CTIPFIX_NETNS_H */
