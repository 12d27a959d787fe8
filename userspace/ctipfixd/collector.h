/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIXD_COLLECTOR_H
#define CTIPFIXD_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ipfix_format.h"
#include "ipfix_session.h"
#include "pace.h"
#include "resolve.h"

struct collector {
	char name[280];		/* as the operator wrote it */
	int fd;			/* connected UDP socket, -1: none yet */
	struct resolve resolve;	/* its host */
	bool by_name;		/* a name, looked up again now and then */
	struct resolved addrs;	/* its name's addresses, last looked up */
	int at;			/* the one in use, if fd >= 0 */
	bool refused;		/* ICMP: nothing takes datagrams there */
	uint64_t next_refused_move_ms;	/* monotonic: no such move before */
	struct sockaddr_storage addr;	/* where fd goes */
	socklen_t addrlen;
	char peer[64];		/* ... as text */
	char why_not[300];	/* no socket: why ("" while looking up) */
	char said[300];		/* the last new address it could not use */
	uint64_t next_try_ms;	/* monotonic: its next lookup or connect */
	uint64_t lookups;	/* of its name, done */
	uint64_t lookup_failures;
	uint64_t moves;		/* to another address: a new session */
	/* the templates it was given, per domain: its own session */
	struct ipfix_session *session;
	uint64_t sent;		/* datagrams */
	uint64_t sent_bytes;
	uint64_t failed;	/* sends that failed (a retry counts again) */
	uint64_t icmp_errors;	/* ICMP said an earlier one did not arrive */
	int last_icmp;		/* ... the errno it said it with */
	int family;		/* of its address */
	unsigned int path_mtu;	/* of its route, as last asked; 0: unknown */
	uint64_t fragmented;	/* datagrams longer than one packet carries */
	bool fragment_said;	/* the daemon logged the first of those */
	int last_errno;
	bool full;		/* its socket had no room at its last send */
	struct pace pace;	/* its datagrams, at most its rate */
	uint64_t turn_ns;	/* monotonic: when its next datagram may go */
	bool waits_turn;	/* its next message waits for its turn or room */
	uint64_t retry_ns;	/* monotonic: failed, not tried again before */
	enum ipfix_format format;
	struct ipfix_formatter *formatter;	/* NULL: biflow, as read */
	uint8_t *formatted;	/* a message re-encoded, as datagrams */
	struct {		/* the message last sent in part, if any */
		size_t len;
		uint8_t header[CTIPFIX_IPFIX_HDR_LEN];
		unsigned int sent;	/* its first datagrams that went */
		size_t fits;		/* the datagrams' size it was cut to */
	} partial;
	struct {		/* the message last tried */
		size_t len;
		uint8_t header[CTIPFIX_IPFIX_HDR_LEN];
	} current;
};

/*
 * What a collector is sent unless it says: uniflow, the one every
 * collector we know decodes right (README, "Collectors").
 */
#define COLLECTOR_DEFAULT_FORMAT	IPFIX_FORMAT_UNIFLOW

/* room for one module message re-encoded: uniflow at most quadruples it */
#define COLLECTOR_FORMATTED_ROOM	(8 * 65536)

/*
 * A collector whose name is not resolved or whose address has no route
 * yet is tried again this often (ms), and a name is looked up again every
 * COLLECTOR_LOOKUP_INTERVAL seconds by default.
 */
#define COLLECTOR_RETRY_MS		5000
#define COLLECTOR_LOOKUP_INTERVAL	60

/*
 * @spec is HOST:PORT[,format=NAME][,rate=N] (ipfix_format.h). Paced at N
 * datagrams a second if it says, else at @rate (0: not paced). Returns 0,
 * or a negative errno with the reason, for an operator, in @why: for a
 * spec that can never work. A numeric address is connected to now; a
 * name is looked up by collector_tick(). Either may have no socket yet
 * (why_not says why): sends fail with -ENOTCONN until it has.
 */
int collector_open(struct collector *c, const char *spec, unsigned int rate,
		   char *why, size_t len);
/*
 * Now and then (each round of the daemon, @now_ms the monotonic clock):
 * its name looked up, or its address connected, if due. A lookup that
 * names other addresses than the one in use moves it there, as a new
 * transport session (its templates again); so does ICMP saying that the
 * address in use takes nothing (port or host unreachable), to the name's
 * next address if it has another. Every @interval seconds, 0:
 * a name is looked up only until it has an address. Returns true with a
 * line for the log in @news when something changed.
 */
bool collector_tick(struct collector *c, uint64_t now_ms,
		    unsigned int interval, char *news, size_t len);
/*
 * One module message @msg to @c, the templates of its domain before it
 * if @c's session has not had them (written into @primer, @room bytes).
 * Returns as collector_send_message(), -ENOTCONN without a socket.
 */
int collector_deliver(struct collector *c, const uint8_t *msg, size_t len,
		      uint8_t *primer, size_t room);
void collector_close(struct collector *c);
/*
 * One IPFIX message, one datagram, if its turn (the collector's rate) has
 * come. Returns 0, -EBUSY if not yet (turn_ns says when), or the negative
 * errno of the send. Never waits.
 */
int collector_send(struct collector *c, const void *msg, size_t len);
/*
 * The module's message @msg in @c's format: one or more datagrams. Returns
 * 0, -ENODATA if it had nothing for @c, or the negative errno of a
 * datagram that did not go. Sent again before collector_commit() (held
 * for a retry), the datagrams that went the first time do not go again.
 */
int collector_send_message(struct collector *c, const uint8_t *msg,
			   size_t len);
/* What collector_send_message() numbered is final: sent, or given up. */
void collector_commit(struct collector *c);
/*
 * @c will never be sent @msg (it fell too far behind the others): its
 * session needs again the templates @msg brought itself, not those a
 * primer that went in front of it did.
 */
void collector_lost(struct collector *c, const uint8_t *msg, size_t len);
/*
 * A new transport session (the module reloaded, with the template set
 * @set): nothing is carried over.
 */
void collector_restart(struct collector *c, const uint8_t *set, size_t len);
/*
 * The most IPFIX a UDP datagram to @family carries in one packet of @mtu
 * bytes (IP and UDP headers off), and never more than a UDP datagram
 * holds at all: 65507 bytes over IPv4, 65527 over IPv6.
 */
size_t udp_payload_max(int family, unsigned int mtu);
/* Ask the kernel for the path MTU of @c's route again (IP_MTU). */
void collector_path_mtu(struct collector *c);
/* Its counters, as lines of the stats file (daemon_stats.h), as the @i-th. */
void collector_print(const struct collector *c, int i, FILE *f);

#endif
