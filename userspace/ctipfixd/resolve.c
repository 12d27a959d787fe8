// SPDX-License-Identifier: GPL-2.0
/* Collector names, looked up without waiting for the answer. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hostport.h"
#include "resolve.h"

void resolve_init(struct resolve *r, const char *host, unsigned int port)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->host, sizeof(r->host), "%s", host);
	snprintf(r->port, sizeof(r->port), "%u", port);
	r->hints.ai_family = AF_UNSPEC;
	r->hints.ai_socktype = SOCK_DGRAM;
	r->hints.ai_flags = AI_NUMERICSERV;
}

/* @ai's addresses into @out: how many. */
static int resolved_take(struct resolved *out, const struct addrinfo *ai)
{
	for (out->n = 0; ai && out->n < RESOLVE_MAX_ADDRS; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(out->addr[0]))
			continue;
		memcpy(&out->addr[out->n], ai->ai_addr, ai->ai_addrlen);
		out->len[out->n++] = ai->ai_addrlen;
	}
	return out->n;
}

int resolve_numeric(const struct resolve *r, struct resolved *out)
{
	struct addrinfo hints = r->hints, *res;

	hints.ai_flags |= AI_NUMERICHOST;
	if (getaddrinfo(r->host, r->port, &hints, &res))
		return -ENOENT;
	resolved_take(out, res);
	freeaddrinfo(res);
	return out->n ? 0 : -ENOENT;
}

int resolve_start(struct resolve *r, char *why, size_t len)
{
	struct gaicb *list[1] = { &r->req };
	int gai, err;

	if (r->busy)
		return 0;
	memset(&r->req, 0, sizeof(r->req));
	r->req.ar_name = r->host;
	r->req.ar_service = r->port;
	r->req.ar_request = &r->hints;
	gai = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
	if (gai) {
		err = hostport_gai_errno(gai);
		snprintf(why, len, "cannot look up %s: %s", r->host,
			 gai_strerror(gai));
		return err;
	}
	r->busy = true;
	return 0;
}

int resolve_poll(struct resolve *r, struct resolved *out, char *why,
		 size_t len)
{
	int gai;

	if (!r->busy)
		return -EAGAIN;
	gai = gai_error(&r->req);
	if (gai == EAI_INPROGRESS)
		return -EINPROGRESS;
	r->busy = false;
	if (gai) {
		/* EAI_SYSTEM's errno was the resolver thread's, not ours */
		int err = gai == EAI_SYSTEM ? -EIO : hostport_gai_errno(gai);

		snprintf(why, len, "cannot resolve %s: %s", r->host,
			 gai_strerror(gai));
		return err;
	}
	resolved_take(out, r->req.ar_result);
	freeaddrinfo(r->req.ar_result);
	r->req.ar_result = NULL;
	if (!out->n) {
		snprintf(why, len, "%s has no address", r->host);
		return -ENOENT;
	}
	return 0;
}

/* Give up a lookup, or wait a little for one that has started to end. */
void resolve_cancel(struct resolve *r)
{
	const struct gaicb *list[1] = { &r->req };
	struct timespec wait = { .tv_sec = 1 };

	if (!r->busy)
		return;
	if (gai_cancel(&r->req) == EAI_NOTCANCELED)
		gai_suspend(list, 1, &wait);
	if (gai_error(&r->req) == EAI_INPROGRESS)
		return;		/* still running: the process is ending */
	if (r->req.ar_result)
		freeaddrinfo(r->req.ar_result);
	r->req.ar_result = NULL;
	r->busy = false;
}
