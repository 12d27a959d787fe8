/* SPDX-License-Identifier: GPL-2.0 */
/* ctipfix: the netfilter hooks (hooks.c). */
#ifndef _CTIPFIX_HOOKS_H
#define _CTIPFIX_HOOKS_H

struct net;

int ctipfix_hooks_register(struct net *net);
void ctipfix_hooks_unregister(struct net *net);

#endif /* _CTIPFIX_HOOKS_H */
