/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctipfix: the knobs (params.c), as /sys/module/ctipfix/parameters/ shows
 * them.
 */
#ifndef _CTIPFIX_PARAMS_H
#define _CTIPFIX_PARAMS_H

#include <linux/types.h>

extern unsigned int ctipfix_active_timeout;	/* s */
extern unsigned int ctipfix_template_refresh;	/* s */
extern unsigned int ctipfix_observation_domain;
extern unsigned int ctipfix_max_msg_size;	/* bytes */
extern unsigned int ctipfix_flush_interval_ms;
extern unsigned int ctipfix_subbuf_size;	/* bytes, load time */
extern unsigned int ctipfix_n_subbufs;		/* load time */
extern unsigned int ctipfix_hash_buckets;	/* per namespace, at most */
extern unsigned int ctipfix_backlog_max_kb;
extern unsigned int ctipfix_stats_interval;	/* s */
extern unsigned int ctipfix_stats_domain;
extern bool ctipfix_destroy_events;		/* load time */
extern unsigned int ctipfix_sweep_rate;		/* flows/s */
extern unsigned int ctipfix_unload_wait_s;	/* s */

int ctipfix_params_check_load(void);

#endif /* _CTIPFIX_PARAMS_H */
