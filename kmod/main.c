// SPDX-License-Identifier: GPL-2.0
/*
 * ctipfix: netfilter conntrack to IPFIX, lossless, in the kernel.
 *
 * Wiring only: each piece lives in the file named for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/ctipfix.h>

#include "export.h"
#include "flow.h"
#include "msg.h"
#include "netlink.h"
#include "netns.h"
#include "params.h"
#include "relay.h"
#include "templates.h"

static int __init ctipfix_init(void)
{
	int err;

	err = ctipfix_templates_init();
	if (err)
		return err;
	err = ctipfix_params_check_load();
	if (err)
		return err;
	err = ctipfix_flow_cache_init();
	if (err)
		return err;
	err = ctipfix_relay_init();
	if (err)
		goto err_cache;
	err = ctipfix_genl_init();
	if (err)
		goto err_relay;
	err = ctipfix_export_init();
	if (err)
		goto err_genl;
	err = ctipfix_netns_init();
	if (err)
		goto err_export;
	pr_info("exporting conntrack as IPFIX\n");
	return 0;

err_export:
	/* a namespace set up before the failure may have left orphans */
	ctipfix_msg_orphans_exit(NULL);
	ctipfix_export_exit();
err_genl:
	ctipfix_genl_exit();
err_relay:
	ctipfix_relay_exit();
err_cache:
	ctipfix_flow_cache_exit();
	return err;
}

static void __exit ctipfix_exit(void)
{
	struct ctipfix_exit_wait wait = { .stall_ms = CTIPFIX_EXIT_STALL_MS };
	u64 lost;

	/* every live flow gets its final record (forced end) first */
	ctipfix_netns_exit();
	ctipfix_export_exit();
	/*
	 * Then a reader takes what is left, waited for while it takes
	 * something, but not for ever: one that takes a message now and then
	 * must not hold rmmod (and a shutdown) for hours.
	 */
	wait.deadline = jiffies + READ_ONCE(ctipfix_unload_wait_s) * HZ;
	/* what the relay had no room for first */
	lost = ctipfix_msg_orphans_exit(&wait);
	if (lost)
		pr_warn("%llu records lost at unload: no reader took them in time\n",
			lost);
	lost = ctipfix_relay_drain_wait(&wait);
	if (lost)
		pr_warn("unloaded with %llu bytes of messages no reader took\n",
			lost);
	ctipfix_genl_exit();
	ctipfix_relay_exit();
	ctipfix_flow_cache_exit();
}

module_init(ctipfix_init);
module_exit(ctipfix_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Export netfilter conntrack flows as IPFIX");
MODULE_ALIAS_GENL_FAMILY(CTIPFIX_GENL_NAME);
