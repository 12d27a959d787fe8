/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIXD_COLLECTOR_H
#define CTIPFIXD_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pace.h"

struct collector {
	char name[280];		/* as the operator wrote it */
	int fd;			/* connected UDP socket */
	uint64_t sent;		/* datagrams */
	uint64_t sent_bytes;
	uint64_t failed;	/* datagrams not sent */
	uint64_t icmp_errors;	/* ICMP said an earlier one did not arrive */
	int last_errno;
	struct pace pace;	/* its datagrams, at most its rate */
};

/* Paced at @rate datagrams a second (0: not paced). Returns 0, or -1 with
 * a message in err.
 */
int collector_open(struct collector *c, const char *spec, unsigned int rate,
		   char *err, size_t errlen);
void collector_close(struct collector *c);
/*
 * One IPFIX message, one datagram, once its turn comes. Returns 0 or the
 * negative errno.
 */
int collector_send(struct collector *c, const void *msg, size_t len);
/* Its counters, as lines of the stats file (daemon_stats.h), as the @i-th. */
void collector_print(const struct collector *c, int i, FILE *f);

#endif
