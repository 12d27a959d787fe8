/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIX_NL_H
#define CTIPFIX_NL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/ctipfix.h>

struct nl_sock;

/*
 * A connected generic netlink socket and the resolved family. The socket
 * points back at it (the kernel's errno is kept there): it stays where
 * ctipfix_nl_open() found it until ctipfix_nl_close().
 */
struct ctipfix_nl {
	struct nl_sock *sock;
	int family;
	int mcgrp;
	int kernel_errno;	/* of the last NLMSG_ERROR, until taken */
};

/*
 * Each call returns 0 or a negative errno: the kernel's, where it answered
 * with one (-ENOENT from open: no family of that name, the module is not
 * loaded; -EPERM: not allowed), else what went wrong on this side. libnl
 * reports any failure to resolve the family as "not found": open's
 * -ENOENT can also be a local failure of that lookup.
 */
int ctipfix_nl_open(struct ctipfix_nl *nl);
void ctipfix_nl_close(struct ctipfix_nl *nl);

int ctipfix_nl_get_stats(struct ctipfix_nl *nl,
			 uint64_t stats[CTIPFIX_STAT_MAX + 1]);
int ctipfix_nl_get_config(struct ctipfix_nl *nl,
			  uint32_t config[CTIPFIX_CONFIG_MAX + 1]);
int ctipfix_nl_flush(struct ctipfix_nl *nl);
/*
 * The relay reader has passed on @bytes since it opened the relay file; 0,
 * before the first read, asks the module to keep what is read until then.
 * On a socket that has not subscribed.
 */
int ctipfix_nl_relay_ack(struct ctipfix_nl *nl, uint64_t bytes);
/* The module's IPFIX template set, into @buf; before subscribing. */
int ctipfix_nl_get_templates(struct ctipfix_nl *nl, uint8_t *buf,
			     size_t size, size_t *len);
/* Join the data-ready group; the socket's fd then wakes poll(). */
int ctipfix_nl_subscribe(struct ctipfix_nl *nl);
int ctipfix_nl_fd(struct ctipfix_nl *nl);
/* Read and discard whatever notifications are queued. */
void ctipfix_nl_drain(struct ctipfix_nl *nl);

extern const char *const ctipfix_stat_names[CTIPFIX_STAT_MAX + 1];
extern const char *const ctipfix_config_names[CTIPFIX_CONFIG_MAX + 1];

#endif
