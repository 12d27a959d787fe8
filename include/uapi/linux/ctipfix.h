/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ctipfix: conntrack to IPFIX exporter.
 *
 * The contract between the kernel module and userspace: the generic netlink
 * family, its commands, attributes and statistics, and where the IPFIX data
 * can be read.
 *
 * IPFIX messages are written whole into a relay channel under debugfs,
 * CTIPFIX_RELAY_DIR/CTIPFIX_RELAY_FILE0, read with read() and poll(). When
 * data is waiting, the module multicasts CTIPFIX_CMD_DATA_READY to the
 * CTIPFIX_MCGRP_DATA group; such hints can be lost, so readers poll as well.
 *
 * read() takes what it returns out of the channel. A reader that sends
 * CTIPFIX_CMD_RELAY_ACK with CTIPFIX_A_RELAY_ACKED = 0 after it opens the
 * file, before it reads, keeps what it reads in the channel until it
 * acknowledges it, by sending the count of bytes it has passed on since it
 * opened the file. The next reader to open the file starts after the last
 * acknowledged byte: nothing read and lost before it was passed on is lost.
 */
#ifndef _UAPI_LINUX_CTIPFIX_H
#define _UAPI_LINUX_CTIPFIX_H

#define CTIPFIX_GENL_NAME	"ctipfix"
#define CTIPFIX_GENL_VERSION	1
#define CTIPFIX_MCGRP_DATA	"data"

#define CTIPFIX_RELAY_DIR	"ctipfix"
#define CTIPFIX_RELAY_BASE	"data"
/* relay names its one global buffer after the base name and CPU 0 */
#define CTIPFIX_RELAY_FILE0	CTIPFIX_RELAY_BASE "0"

enum ctipfix_cmd {
	CTIPFIX_CMD_UNSPEC,
	CTIPFIX_CMD_GET_STATS,		/* reply: CTIPFIX_A_STATS */
	CTIPFIX_CMD_GET_CONFIG,		/* reply: CTIPFIX_A_CONFIG */
	CTIPFIX_CMD_FLUSH,		/* admin: export all live flows now */
	CTIPFIX_CMD_DATA_READY,		/* multicast only */
	CTIPFIX_CMD_GET_TEMPLATES,	/* reply: CTIPFIX_A_TEMPLATES */
	CTIPFIX_CMD_RELAY_ACK,		/* admin: CTIPFIX_A_RELAY_ACKED */
	__CTIPFIX_CMD_MAX,
};

#define CTIPFIX_CMD_MAX (__CTIPFIX_CMD_MAX - 1)

enum ctipfix_attr {
	CTIPFIX_A_UNSPEC,
	CTIPFIX_A_PAD,
	CTIPFIX_A_STATS,		/* nested: enum ctipfix_stat, u64 each */
	CTIPFIX_A_CONFIG,		/* nested: enum ctipfix_config, u32 each */
	CTIPFIX_A_TEMPLATES,		/* binary: the IPFIX template set */
	CTIPFIX_A_RELAY_ACKED,		/* u64: bytes passed on since open */
	__CTIPFIX_A_MAX,
};

#define CTIPFIX_A_MAX (__CTIPFIX_A_MAX - 1)

/*
 * Statistics, all 64-bit counters since load except the gauges noted: the
 * attributes of CTIPFIX_A_STATS, typed by this enum (0 names none, as in
 * every attribute set; the nest's padding has it).
 */
enum ctipfix_stat {
	CTIPFIX_STAT_UNSPEC,
	CTIPFIX_STAT_FLOWS_NEW,		/* flows seen starting */
	CTIPFIX_STAT_FLOWS_ADOPTED,	/* flows found existing at load */
	CTIPFIX_STAT_FLOWS_ALLOC_FAILED, /* flows not followed: no memory */
	CTIPFIX_STAT_FLOWS_LIVE,	/* gauge: flows followed now */
	CTIPFIX_STAT_FLOWS_ABANDONED,	/* never confirmed, so no record */
	CTIPFIX_STAT_RECORDS_INTERIM,
	CTIPFIX_STAT_RECORDS_FINAL,
	CTIPFIX_STAT_RECORDS_DROPPED,	/* encoded, but no room anywhere */
	CTIPFIX_STAT_TEMPLATES_SENT,	/* messages that carried a template */
	CTIPFIX_STAT_MESSAGES_WRITTEN,	/* into the relay, reports included */
	CTIPFIX_STAT_MESSAGES_DROPPED,	/* flow messages (a report is late) */
	CTIPFIX_STAT_BYTES_WRITTEN,	/* ... and their bytes */
	CTIPFIX_STAT_RELAY_FULL,	/* sub-buffer switches refused */
	CTIPFIX_STAT_NOTIFY_SENT,
	CTIPFIX_STAT_NOTIFY_FAILED,	/* other than "no listener" */
	CTIPFIX_STAT_SCANS,		/* periodic passes over the flows */
	CTIPFIX_STAT_BACKLOG_QUEUED,	/* messages that waited for relay room */
	CTIPFIX_STAT_BACKLOG_BYTES,	/* gauge: bytes waiting now */
	CTIPFIX_STAT_RELIABILITY_SENT,	/* reports (counted as messages too) */
	CTIPFIX_STAT_SCAN_NS,		/* time in the periodic passes, ns */
	CTIPFIX_STAT_SCAN_FLOWS,	/* flows the periodic passes looked at */
	CTIPFIX_STAT_HINTS,		/* conntrack destroy events heard */
	CTIPFIX_STAT_HINTS_UNREAD,	/* ... that did not parse */
	CTIPFIX_STAT_FLOW_BUCKETS,	/* gauge: flow table buckets, all netns */
	CTIPFIX_STAT_RELAY_REREAD_BYTES, /* read, not acknowledged: read again */
	CTIPFIX_STAT_FLOWS_ENDED_ON_PACKET, /* final record taken on the packet */
	CTIPFIX_STAT_FLOWS_REAPED_ON_DROP, /* let go by the hooks: early drop */
	CTIPFIX_STAT_FLOWS_LINKED_LATE,	/* new, left for the pass: lock busy */
	CTIPFIX_STAT_INTERFACE_RECORDS,	/* interface names sent (iftable) */
	__CTIPFIX_STAT_MAX,
};

#define CTIPFIX_STAT_MAX (__CTIPFIX_STAT_MAX - 1)

/* Configuration: the attributes of CTIPFIX_A_CONFIG, typed by this enum. */
enum ctipfix_config {
	CTIPFIX_CONFIG_UNSPEC,
	CTIPFIX_CONFIG_ACTIVE_TIMEOUT,		/* s */
	CTIPFIX_CONFIG_TEMPLATE_REFRESH,	/* s */
	CTIPFIX_CONFIG_OBSERVATION_DOMAIN,
	CTIPFIX_CONFIG_MAX_MSG_SIZE,		/* bytes */
	CTIPFIX_CONFIG_FLUSH_INTERVAL_MS,
	CTIPFIX_CONFIG_SUBBUF_SIZE,		/* bytes */
	CTIPFIX_CONFIG_N_SUBBUFS,
	CTIPFIX_CONFIG_BACKLOG_MAX_KB,		/* KiB */
	CTIPFIX_CONFIG_STATS_INTERVAL,		/* s */
	CTIPFIX_CONFIG_STATS_DOMAIN,
	__CTIPFIX_CONFIG_MAX,
};

#define CTIPFIX_CONFIG_MAX (__CTIPFIX_CONFIG_MAX - 1)

#endif /* _UAPI_LINUX_CTIPFIX_H */
