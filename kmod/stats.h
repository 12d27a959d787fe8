/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctipfix: the module's counters (stats.c), as CTIPFIX_CMD_GET_STATS
 * reports them.
 */
#ifndef _CTIPFIX_STATS_H
#define _CTIPFIX_STATS_H

#include <linux/types.h>
#include <uapi/linux/ctipfix.h>

void ctipfix_stat_add(enum ctipfix_stat stat, s64 n);
static inline void ctipfix_stat_inc(enum ctipfix_stat stat)
{
	ctipfix_stat_add(stat, 1);
}

u64 ctipfix_stat_read(enum ctipfix_stat stat);

#endif /* _CTIPFIX_STATS_H */
