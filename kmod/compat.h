/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels ctipfix supports (6.1 onward), in one
 * place, decided by what the headers provide rather than by version numbers.
 * CTIPFIX_HAVE_* macros marked "probe" come from compile probes in Kbuild.
 */
#ifndef _CTIPFIX_COMPAT_H
#define _CTIPFIX_COMPAT_H

/* probe: 6.12 moved the unaligned helpers out of asm/ */
#ifdef CTIPFIX_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* probe: later kernels (~6.17) drop subbuf_start's prev_padding argument */
struct rchan_buf;
int ctipfix_relay_subbuf_start(struct rchan_buf *buf);
#ifdef CTIPFIX_HAVE_SUBBUF_START_PREV_PADDING
static inline int ctipfix_subbuf_start_cb(struct rchan_buf *buf, void *subbuf,
					  void *prev_subbuf,
					  size_t prev_padding)
{
	return ctipfix_relay_subbuf_start(buf);
}
#else
static inline int ctipfix_subbuf_start_cb(struct rchan_buf *buf, void *subbuf,
					  void *prev_subbuf)
{
	return ctipfix_relay_subbuf_start(buf);
}
#endif

/*
 * probe: early 6.1.y lack genl multicast group flags; there the data group
 * is open to anyone in the initial namespace, and only a hint (the relay
 * file itself is root's)
 */
#ifdef CTIPFIX_HAVE_GENL_MCAST_CAP_NET_ADMIN
#define CTIPFIX_GENL_MCAST_ADMIN	GENL_MCAST_CAP_NET_ADMIN
#else
#define CTIPFIX_GENL_MCAST_ADMIN	0
#endif

#endif /* _CTIPFIX_COMPAT_H */
