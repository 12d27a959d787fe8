/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIX_HOSTPORT_H
#define CTIPFIX_HOSTPORT_H

#include <stddef.h>
#include <sys/socket.h>

#define CTIPFIX_DEFAULT_PORT 4739	/* IANA port for IPFIX */

/*
 * Split "HOST:PORT", "[V6ADDR]:PORT", "HOST" or "[V6ADDR]" into host and
 * port (default 4739). Returns 0, or -1 with a message in err.
 */
int hostport_split(const char *spec, char *host, size_t hostlen,
		   unsigned int *port, char *err, size_t errlen);

/* Split and resolve (numeric or DNS) into the first usable address. */
int hostport_resolve(const char *spec, struct sockaddr_storage *addr,
		     socklen_t *addrlen, char *err, size_t errlen);

#endif
