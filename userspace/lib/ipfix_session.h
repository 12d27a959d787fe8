/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIX_IPFIX_SESSION_H
#define CTIPFIX_IPFIX_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctipfix_ipfix.h>

#define IPFIX_SESSION_MAX_DOMAINS	1024
#define IPFIX_SESSION_MAX_TEMPLATES	16384
/* template ids the session follows: 256 up to this (the module's) */
#define IPFIX_SESSION_MAX_ID		CTIPFIX_TEMPLATE_ID_MAX

/* template ids from 256 up to IPFIX_SESSION_MAX_ID, a bit each */
#define IPFIX_SESSION_ID_WORDS \
	((IPFIX_SESSION_MAX_ID - CTIPFIX_IPFIX_MIN_DATA_SET) / 64 + 1)
struct ipfix_ids {
	uint64_t w[IPFIX_SESSION_ID_WORDS];
};

/* what the collectors of this session were given in one domain */
struct ipfix_session_domain {
	uint32_t domain;
	struct ipfix_ids known;
};

/*
 * A UDP transport session from this daemon to its collectors (RFC 7011
 * §10.3): a collector knows templates per session and observation domain,
 * so each template must reach it before the first data that uses it. The
 * module sends each template before its first use for a reader, but
 * messages it wrote for an earlier reader (a daemon restarted with data
 * waiting) use templates that reader was given: those go out first, taken
 * from the template set fetched from the module.
 */
struct ipfix_session {
	uint8_t templates[IPFIX_SESSION_MAX_TEMPLATES];	/* one template set */
	size_t templates_len;
	struct ipfix_session_domain domains[IPFIX_SESSION_MAX_DOMAINS];
	size_t n_domains;
	uint64_t primed_messages;	/* template messages we sent */
	struct {			/* before the last prime, to undo it */
		bool valid;
		uint8_t header[CTIPFIX_IPFIX_HDR_LEN];	/* of its message */
		size_t len;
		struct ipfix_ids known;
		struct ipfix_ids primer;	/* what its primer carries */
		bool primer_sent;
	} undo;
};

/* A new session: no domain has seen templates; @set is the template set. */
void ipfix_session_start(struct ipfix_session *s, const uint8_t *set,
			 size_t len);
/* A new session with the same template set: no domain has seen them. */
void ipfix_session_forget(struct ipfix_session *s);
/*
 * Before @msg goes out: if it uses templates its domain was not given in
 * this session (and does not carry them before their use), writes a
 * template-only message with those (same domain and sequence number) into
 * @out and returns its length, else returns 0. Counts what @msg carries
 * and what @out does as given.
 */
size_t ipfix_session_prime(struct ipfix_session *s, const uint8_t *msg,
			   size_t len, uint8_t *out, size_t out_size);
/* The primer of the last prime went out. */
void ipfix_session_primer_sent(struct ipfix_session *s);
/*
 * @msg did not go out after all: its domain knows what it knew before
 * ipfix_session_prime(@msg), if that was the last prime, and what its
 * primer carried if it went and @keep_primer: the collector is only
 * behind, not gone. The rest @msg was to bring is needed again.
 */
void ipfix_session_unprime(struct ipfix_session *s, const uint8_t *msg,
			   size_t len, bool keep_primer);

#endif
