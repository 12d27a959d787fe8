// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module, never shipped: it WARNs on load so that the harness can
 * show that its dmesg check catches a kernel warning.
 */
#include <linux/module.h>

static int __init ctipfix_warn_test_init(void)
{
	WARN(1, "ctipfix harness self-test: deliberate warning\n");
	return 0;
}

static void __exit ctipfix_warn_test_exit(void)
{
}

module_init(ctipfix_warn_test_init);
module_exit(ctipfix_warn_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ctipfix test harness self-test: warns on load");
