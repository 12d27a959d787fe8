/* SPDX-License-Identifier: GPL-2.0 */
/* ctipfix: the generic netlink family (netlink.c). */
#ifndef _CTIPFIX_NETLINK_H
#define _CTIPFIX_NETLINK_H

int ctipfix_genl_init(void);
void ctipfix_genl_exit(void);
void ctipfix_genl_notify_data(void);

#endif /* _CTIPFIX_NETLINK_H */
