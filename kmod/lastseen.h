/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctipfix: when a flow's last packet passed, worked out from its
 * conntrack entry (lastseen.c).
 */
#ifndef _CTIPFIX_LASTSEEN_H
#define _CTIPFIX_LASTSEEN_H

#include <linux/types.h>

struct nf_conn;

u32 ctipfix_lastseen(struct nf_conn *ct, u32 now, s32 since);

#endif /* _CTIPFIX_LASTSEEN_H */
