/* SPDX-License-Identifier: GPL-2.0 */
/* ctipfix: the export pass (export.c). */
#ifndef _CTIPFIX_EXPORT_H
#define _CTIPFIX_EXPORT_H

#include <linux/types.h>

struct ctipfix_net;
struct nf_conn;
struct work_struct;

int ctipfix_export_init(void);
void ctipfix_export_exit(void);
void ctipfix_export_pass(struct ctipfix_net *cn, bool all_final);
void ctipfix_export_work(struct work_struct *work);
void ctipfix_export_schedule(struct ctipfix_net *cn, unsigned long delay);
void ctipfix_export_wait(void);

/*
 * Why the hooks want a pass sooner than its time (cn->kick): a hinted
 * bucket holds a flow that died, the table is nearly full (look at every
 * flow: early drop kills what we hold), or the pass sleeps for want of
 * flows (CTIPFIX_KICK_IDLE, set by the pass).
 */
enum {
	CTIPFIX_KICK_HINT,
	CTIPFIX_KICK_REAP,
	CTIPFIX_KICK_IDLE,
};

void ctipfix_export_kick(struct ctipfix_net *cn, int why);
void ctipfix_export_wake(struct ctipfix_net *cn);
void ctipfix_export_dying(struct ctipfix_net *cn, struct nf_conn *ct);
void ctipfix_export_dropped(struct ctipfix_net *cn, unsigned int n);

#endif /* _CTIPFIX_EXPORT_H */
