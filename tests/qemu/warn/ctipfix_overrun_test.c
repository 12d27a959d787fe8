// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module, never shipped: it writes one byte past a kmalloc buffer
 * on load, so that the harness can show that the guest's slub_debug red
 * zones report a heap overflow and that its dmesg check catches the report.
 */
#include <linux/module.h>
#include <linux/slab.h>

static int __init ctipfix_overrun_test_init(void)
{
	size_t size = 32;	/* a whole kmalloc-32 object: its red zone next */
	u8 *volatile p = kmalloc(size, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	pr_info("ctipfix harness self-test: writing past a %zu-byte buffer\n",
		size);
	p[size] = 0xa5;
	/* slub_debug checks the red zone as the object is freed */
	kfree(p);
	return 0;
}

static void __exit ctipfix_overrun_test_exit(void)
{
}

module_init(ctipfix_overrun_test_init);
module_exit(ctipfix_overrun_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ctipfix test harness self-test: overruns a heap buffer on load");
