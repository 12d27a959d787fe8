/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIXD_RESOLVE_H
#define CTIPFIXD_RESOLVE_H

#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* the most addresses of one name a collector tries, in the resolver's order */
#define RESOLVE_MAX_ADDRS	8

/* a name's addresses */
struct resolved {
	struct sockaddr_storage addr[RESOLVE_MAX_ADDRS];
	socklen_t len[RESOLVE_MAX_ADDRS];
	int n;
};

/*
 * A collector's name, looked up in the background (getaddrinfo_a()): a
 * resolver that takes seconds to answer, or none at all, holds up no
 * other collector, and no reading of the relay.
 */
struct resolve {
	char host[256];
	char port[8];
	struct addrinfo hints;
	struct gaicb req;
	bool busy;		/* a lookup is under way */
};

void resolve_init(struct resolve *r, const char *host, unsigned int port);
/*
 * A numeric host needs no lookup: 0 with its address in @out, or -ENOENT
 * for a name.
 */
int resolve_numeric(const struct resolve *r, struct resolved *out);
/* Start a lookup: 0, or the negative errno with the reason in @why. */
int resolve_start(struct resolve *r, char *why, size_t len);
/*
 * The lookup's outcome: -EINPROGRESS while it runs; 0 with the addresses
 * in @out; or the negative errno (-ENOENT: no such name, -EAGAIN: the
 * resolver could not tell now) with the resolver's words in @why.
 */
int resolve_poll(struct resolve *r, struct resolved *out, char *why,
		 size_t len);
/* Give up a lookup still under way (at exit). */
void resolve_cancel(struct resolve *r);

#endif
