// SPDX-License-Identifier: GPL-2.0
/* Collector addresses as operators write them. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostport.h"

static int parse_port(const char *s, unsigned int *port)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return -1;
	*port = v;
	return 0;
}

int hostport_split(const char *spec, char *host, size_t hostlen,
		   unsigned int *port, char *err, size_t errlen)
{
	const char *h = spec, *p = NULL, *close;
	size_t n;

	*port = CTIPFIX_DEFAULT_PORT;
	if (spec[0] == '[') {
		close = strchr(spec, ']');
		if (!close) {
			snprintf(err, errlen, "'%s': missing ']'", spec);
			return -1;
		}
		h = spec + 1;
		n = close - h;
		if (close[1] == ':')
			p = close + 2;
		else if (close[1]) {
			snprintf(err, errlen, "'%s': expected ':' after ']'", spec);
			return -1;
		}
	} else {
		p = strrchr(spec, ':');
		if (p && strchr(spec, ':') != p) {
			snprintf(err, errlen,
				 "'%s': write IPv6 addresses as [ADDR]:PORT", spec);
			return -1;
		}
		n = p ? (size_t)(p - spec) : strlen(spec);
		if (p)
			p++;
	}
	if (n == 0) {
		snprintf(err, errlen, "'%s': empty host", spec);
		return -1;
	}
	if (n >= hostlen) {
		snprintf(err, errlen, "'%s': host name too long", spec);
		return -1;
	}
	memcpy(host, h, n);
	host[n] = '\0';
	if (p && parse_port(p, port)) {
		snprintf(err, errlen, "'%s': port must be 1..65535", spec);
		return -1;
	}
	return 0;
}

int hostport_resolve(const char *spec, struct sockaddr_storage *addr,
		     socklen_t *addrlen, char *err, size_t errlen)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *res;
	char host[256], port[8];
	unsigned int portnum;
	int rc;

	if (hostport_split(spec, host, sizeof(host), &portnum, err, errlen))
		return -1;
	snprintf(port, sizeof(port), "%u", portnum);
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "'%s': %s", spec, gai_strerror(rc));
		return -1;
	}
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	*addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}
