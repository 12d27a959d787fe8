/* SPDX-License-Identifier: GPL-2.0 */
/* ctipfix: conntrack's destroy events as hints (hints.c). */
#ifndef _CTIPFIX_HINTS_H
#define _CTIPFIX_HINTS_H

struct ctipfix_net;

void ctipfix_hints_start(struct ctipfix_net *cn);
void ctipfix_hints_stop(struct ctipfix_net *cn);

#endif /* _CTIPFIX_HINTS_H */
