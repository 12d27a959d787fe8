// SPDX-License-Identifier: GPL-2.0
/* Collector addresses as operators write them. */
#include <errno.h>
#include <arpa/inet.h>
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
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return -EINVAL;
	*port = v;
	return 0;
}

int hostport_split(const char *spec, char *host, size_t hostlen,
		   unsigned int *port, char *why, size_t len)
{
	const char *h = spec, *p = NULL, *close;
	size_t n;

	*port = CTIPFIX_DEFAULT_PORT;
	if (spec[0] == '[') {
		close = strchr(spec, ']');
		if (!close) {
			snprintf(why, len, "'%s': missing ']'", spec);
			return -EINVAL;
		}
		h = spec + 1;
		n = close - h;
		if (close[1] == ':')
			p = close + 2;
		else if (close[1]) {
			snprintf(why, len, "'%s': expected ':' after ']'", spec);
			return -EINVAL;
		}
	} else {
		p = strrchr(spec, ':');
		if (p && strchr(spec, ':') != p) {
			snprintf(why, len,
				 "'%s': write IPv6 addresses as [ADDR]:PORT", spec);
			return -EINVAL;
		}
		n = p ? (size_t)(p - spec) : strlen(spec);
		if (p)
			p++;
	}
	if (n == 0) {
		snprintf(why, len, "'%s': empty host", spec);
		return -EINVAL;
	}
	if (n >= hostlen) {
		snprintf(why, len, "'%s': host name too long", spec);
		return -ENAMETOOLONG;
	}
	memcpy(host, h, n);
	host[n] = '\0';
	if (p && parse_port(p, port)) {
		snprintf(why, len, "'%s': port must be 1..65535", spec);
		return -EINVAL;
	}
	return 0;
}

int hostport_gai_errno(int rc)
{
	switch (rc) {
	case EAI_SYSTEM:
		return errno ? -errno : -EIO;
	case EAI_FAIL:
		return -EIO;
	case EAI_MEMORY:
		return -ENOMEM;
	case EAI_AGAIN:
		return -EAGAIN;
	case EAI_FAMILY:
	case EAI_ADDRFAMILY:
		return -EAFNOSUPPORT;
	case EAI_NONAME:
	case EAI_NODATA:
		return -ENOENT;
	default:
		return -EINVAL;
	}
}

void hostport_format(const struct sockaddr_storage *addr, char *out,
		     size_t len)
{
	char host[INET6_ADDRSTRLEN + 16], port[8];

	if (getnameinfo((const struct sockaddr *)addr, sizeof(*addr), host,
			sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(out, len, "?");
		return;
	}
	snprintf(out, len, addr->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		 host, port);
}
