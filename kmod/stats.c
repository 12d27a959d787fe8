// SPDX-License-Identifier: GPL-2.0
/*
 * Module-wide counters. Per-CPU, so that the forwarding path never bounces
 * a shared cache line; summed when read.
 */
#include <linux/percpu.h>

#include "stats.h"

struct ctipfix_stats {
	s64 v[__CTIPFIX_STAT_MAX];
};

static DEFINE_PER_CPU(struct ctipfix_stats, ctipfix_stats);

void ctipfix_stat_add(enum ctipfix_stat stat, s64 n)
{
	this_cpu_add(ctipfix_stats.v[stat], n);
}

u64 ctipfix_stat_read(enum ctipfix_stat stat)
{
	s64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(ctipfix_stats, cpu).v[stat];
	return sum < 0 ? 0 : sum;
}
