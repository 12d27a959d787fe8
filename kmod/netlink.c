// SPDX-License-Identifier: GPL-2.0
/*
 * The "ctipfix" generic netlink family: statistics, configuration and the
 * template set for anyone (a reader starting a transport session sends the
 * templates first), flush and the relay reader's acknowledgments for
 * CAP_NET_ADMIN, and a multicast group that tells the daemon when messages
 * are waiting in the relay channel.
 *
 * The exporter is the host's, whatever namespaces it serves: the family
 * exists in the initial network namespace only (not netnsok), so that a
 * container with its own namespace, even one holding CAP_NET_ADMIN, can
 * neither steer it nor read the host's figures. An acknowledgment counts
 * only from the process that has the relay file open (relay.c).
 *
 * The commands take their own locks (parallel_ops): none of them holds
 * genl_mutex, and with it every other generic netlink family, while it
 * waits for the passes of a flush or for the relay reader.
 */
#include <net/genetlink.h>
#include <net/netlink.h>

#include "compat.h"
#include "netlink.h"
#include "netns.h"
#include "params.h"
#include "relay.h"
#include "stats.h"
#include "templates.h"

static const struct nla_policy ctipfix_genl_policy[CTIPFIX_A_MAX + 1] = {
	[CTIPFIX_A_PAD]		= { .type = NLA_REJECT },
	[CTIPFIX_A_STATS]	= { .type = NLA_REJECT },
	[CTIPFIX_A_CONFIG]	= { .type = NLA_REJECT },
	[CTIPFIX_A_TEMPLATES]	= { .type = NLA_REJECT },
	[CTIPFIX_A_RELAY_ACKED]	= { .type = NLA_U64 },
};

static struct genl_family ctipfix_genl_family;

static const struct genl_multicast_group ctipfix_genl_mcgrps[] = {
	{ .name = CTIPFIX_MCGRP_DATA, .flags = CTIPFIX_GENL_MCAST_ADMIN },
};

static int ctipfix_put_stats(struct sk_buff *skb)
{
	struct nlattr *nest = nla_nest_start(skb, CTIPFIX_A_STATS);
	int i;

	if (!nest)
		return -EMSGSIZE;
	/* padded with the nest's own 0, which names no counter */
	for (i = CTIPFIX_STAT_UNSPEC + 1; i <= CTIPFIX_STAT_MAX; i++)
		if (nla_put_u64_64bit(skb, i, ctipfix_stat_read(i),
				      CTIPFIX_STAT_UNSPEC))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static const unsigned int *const ctipfix_config_values[] = {
	[CTIPFIX_CONFIG_ACTIVE_TIMEOUT]		= &ctipfix_active_timeout,
	[CTIPFIX_CONFIG_TEMPLATE_REFRESH]	= &ctipfix_template_refresh,
	[CTIPFIX_CONFIG_OBSERVATION_DOMAIN]	= &ctipfix_observation_domain,
	[CTIPFIX_CONFIG_MAX_MSG_SIZE]		= &ctipfix_max_msg_size,
	[CTIPFIX_CONFIG_FLUSH_INTERVAL_MS]	= &ctipfix_flush_interval_ms,
	[CTIPFIX_CONFIG_SUBBUF_SIZE]		= &ctipfix_subbuf_size,
	[CTIPFIX_CONFIG_N_SUBBUFS]		= &ctipfix_n_subbufs,
	[CTIPFIX_CONFIG_BACKLOG_MAX_KB]		= &ctipfix_backlog_max_kb,
	[CTIPFIX_CONFIG_STATS_INTERVAL]		= &ctipfix_stats_interval,
	[CTIPFIX_CONFIG_STATS_DOMAIN]		= &ctipfix_stats_domain,
};

static int ctipfix_put_config(struct sk_buff *skb)
{
	struct nlattr *nest = nla_nest_start(skb, CTIPFIX_A_CONFIG);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = CTIPFIX_CONFIG_UNSPEC + 1; i <= CTIPFIX_CONFIG_MAX; i++)
		if (nla_put_u32(skb, i, READ_ONCE(*ctipfix_config_values[i])))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int ctipfix_put_template_set(struct sk_buff *skb)
{
	unsigned int len = ctipfix_template_set_len();
	struct nlattr *attr = nla_reserve(skb, CTIPFIX_A_TEMPLATES, len);

	if (!attr)
		return -EMSGSIZE;
	ctipfix_template_set_put(nla_data(attr));
	return 0;
}

/* @size: what @fill puts, at most; NLMSG_GOODSIZE if 0 */
static int ctipfix_reply(struct genl_info *info, u8 cmd, size_t size,
			 int (*fill)(struct sk_buff *skb))
{
	struct sk_buff *skb = genlmsg_new(size ?: NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;
	int err;

	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put_reply(skb, info, &ctipfix_genl_family, 0, cmd);
	if (!hdr) {
		err = -EMSGSIZE;
		goto fail;
	}
	err = fill(skb);
	if (err)
		goto fail;
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
fail:
	nlmsg_free(skb);
	return err;
}

static int ctipfix_cmd_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	return ctipfix_reply(info, CTIPFIX_CMD_GET_STATS, 0, ctipfix_put_stats);
}

static int ctipfix_cmd_get_config(struct sk_buff *skb, struct genl_info *info)
{
	return ctipfix_reply(info, CTIPFIX_CMD_GET_CONFIG, 0, ctipfix_put_config);
}

static int ctipfix_cmd_get_templates(struct sk_buff *skb,
				     struct genl_info *info)
{
	/* the whole set, 14 KiB: more than NLMSG_GOODSIZE may be */
	return ctipfix_reply(info, CTIPFIX_CMD_GET_TEMPLATES,
			     nla_total_size(ctipfix_template_set_len()),
			     ctipfix_put_template_set);
}

static int ctipfix_cmd_flush(struct sk_buff *skb, struct genl_info *info)
{
	ctipfix_netns_flush_all();
	return 0;
}

static int ctipfix_cmd_relay_ack(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, CTIPFIX_A_RELAY_ACKED))
		return -EINVAL;
	return ctipfix_relay_ack(nla_get_u64(info->attrs[CTIPFIX_A_RELAY_ACKED]));
}

static const struct genl_small_ops ctipfix_genl_ops[] = {
	{
		.cmd	= CTIPFIX_CMD_GET_STATS,
		.doit	= ctipfix_cmd_get_stats,
	},
	{
		.cmd	= CTIPFIX_CMD_GET_CONFIG,
		.doit	= ctipfix_cmd_get_config,
	},
	{
		.cmd	= CTIPFIX_CMD_GET_TEMPLATES,
		.doit	= ctipfix_cmd_get_templates,
	},
	{
		.cmd	= CTIPFIX_CMD_FLUSH,
		.doit	= ctipfix_cmd_flush,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= CTIPFIX_CMD_RELAY_ACK,
		.doit	= ctipfix_cmd_relay_ack,
		.flags	= GENL_ADMIN_PERM,
	},
};

static struct genl_family ctipfix_genl_family __ro_after_init = {
	.name		= CTIPFIX_GENL_NAME,
	.version	= CTIPFIX_GENL_VERSION,
	.maxattr	= CTIPFIX_A_MAX,
	.policy		= ctipfix_genl_policy,
	.netnsok	= false,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.small_ops	= ctipfix_genl_ops,
	.n_small_ops	= ARRAY_SIZE(ctipfix_genl_ops),
	.resv_start_op	= 0,	/* strict validation of every command */
	.mcgrps		= ctipfix_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ctipfix_genl_mcgrps),
};

/*
 * A hint, not a promise: listeners poll the relay file as well. Built only
 * when someone listens.
 */
void ctipfix_genl_notify_data(void)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (!genl_has_listeners(&ctipfix_genl_family, &init_net, 0))
		return;
	skb = genlmsg_new(0, GFP_KERNEL);
	if (!skb)
		goto fail;
	hdr = genlmsg_put(skb, 0, 0, &ctipfix_genl_family, 0,
			  CTIPFIX_CMD_DATA_READY);
	if (!hdr) {
		nlmsg_free(skb);
		goto fail;
	}
	genlmsg_end(skb, hdr);
	/* -ESRCH: the listener left since; nobody was told */
	err = genlmsg_multicast(&ctipfix_genl_family, skb, 0, 0, GFP_KERNEL);
	if (err == -ESRCH)
		return;
	if (err)
		goto fail;
	ctipfix_stat_inc(CTIPFIX_STAT_NOTIFY_SENT);
	return;
fail:
	ctipfix_stat_inc(CTIPFIX_STAT_NOTIFY_FAILED);
}

int ctipfix_genl_init(void)
{
	return genl_register_family(&ctipfix_genl_family);
}

void ctipfix_genl_exit(void)
{
	genl_unregister_family(&ctipfix_genl_family);
}
