/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIX_HOSTPORT_H
#define CTIPFIX_HOSTPORT_H

#include <stddef.h>
#include <sys/socket.h>

#define CTIPFIX_DEFAULT_PORT 4739	/* IANA port for IPFIX */

/*
 * Split "HOST:PORT", "[V6ADDR]:PORT", "HOST" or "[V6ADDR]" into host and
 * port (default 4739). Returns 0, or -EINVAL (-ENAMETOOLONG for a host
 * longer than @hostlen) with what is wrong with @spec in @why.
 */
int hostport_split(const char *spec, char *host, size_t hostlen,
		   unsigned int *port, char *why, size_t len);

/* @addr as "ADDR:PORT", or "[V6ADDR]:PORT", in @out. */
void hostport_format(const struct sockaddr_storage *addr, char *out,
		     size_t len);

/* The negative errno closest to getaddrinfo()'s error @rc. */
int hostport_gai_errno(int rc);

#endif
