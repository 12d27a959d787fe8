/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIX_IPFIX_SESSION_H
#define CTIPFIX_IPFIX_SESSION_H

#include <stddef.h>
#include <stdint.h>

#define IPFIX_SESSION_MAX_DOMAINS	1024
#define IPFIX_SESSION_MAX_TEMPLATES	4096

/*
 * A UDP transport session from this daemon to its collectors (RFC 7011
 * §10.3): a collector knows templates per session and observation domain,
 * so a fresh session must carry the templates of a domain before its first
 * data. The module writes templates for a new reader, but messages written
 * before (a daemon restarted with data waiting) would reach the collector
 * first: those get the template set, fetched from the module, in front.
 */
struct ipfix_session {
	uint8_t templates[IPFIX_SESSION_MAX_TEMPLATES];	/* one template set */
	size_t templates_len;
	uint32_t primed[IPFIX_SESSION_MAX_DOMAINS];	/* domains that had them */
	size_t n_primed;
	uint64_t primed_messages;	/* template messages we sent */
};

/* A new session: no domain has seen templates; @set is the template set. */
void ipfix_session_start(struct ipfix_session *s, const uint8_t *set,
			 size_t len);
/*
 * Before @msg goes out: if its domain needs templates first, writes a
 * template-only message (same domain and sequence number) into @out and
 * returns its length, else returns 0.
 */
size_t ipfix_session_prime(struct ipfix_session *s, const uint8_t *msg,
			   size_t len, uint8_t *out, size_t out_size);
/* @msg did not go out after all: its domain needs templates again. */
void ipfix_session_unprime(struct ipfix_session *s, const uint8_t *msg,
			   size_t len);

#endif
