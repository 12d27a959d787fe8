/* SPDX-License-Identifier: GPL-2.0 */
/* ctipfix: the names of a flow domain's interfaces (iftable.c). */
#ifndef _CTIPFIX_IFTABLE_H
#define _CTIPFIX_IFTABLE_H

#include <linux/types.h>
#include <linux/xarray.h>

#include "msg.h"

struct ctipfix_net;

/* what a namespace keeps to name its interfaces to the collectors */
struct ctipfix_iftable {
	struct xarray named;		/* ifindexes named since last sent */
	struct ctipfix_refresh whole;	/* the last time all went */
	unsigned long flags;		/* CTIPFIX_IFTABLE_* bits */
};

enum {
	CTIPFIX_IFTABLE_RESEND,		/* all of them at the next pass */
};

void ctipfix_iftable_init(struct ctipfix_iftable *it);
void ctipfix_iftable_free(struct ctipfix_iftable *it);
void ctipfix_iftable_resend(struct ctipfix_iftable *it);
void ctipfix_iftable_pass(struct ctipfix_net *cn, bool drained);
int ctipfix_iftable_notifier_register(void);
void ctipfix_iftable_notifier_unregister(void);

#endif /* _CTIPFIX_IFTABLE_H */
