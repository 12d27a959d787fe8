// SPDX-License-Identifier: GPL-2.0
/* Templates first in every transport session, per observation domain. */
#include <string.h>

#include "ipfix_session.h"

#define IPFIX_VERSION		10
#define IPFIX_HEADER_LEN	16
#define IPFIX_TEMPLATE_SET	2
#define IPFIX_OPTIONS_TEMPLATE_SET 3

void ipfix_session_start(struct ipfix_session *s, const uint8_t *set,
			 size_t len)
{
	if (len > sizeof(s->templates))
		len = 0;
	memcpy(s->templates, set, len);
	s->templates_len = len;
	s->n_primed = 0;
}

static uint32_t domain_of(const uint8_t *msg)
{
	return (uint32_t)msg[12] << 24 | msg[13] << 16 | msg[14] << 8 | msg[15];
}

static int primed(const struct ipfix_session *s, uint32_t domain)
{
	size_t i;

	for (i = 0; i < s->n_primed; i++)
		if (s->primed[i] == domain)
			return 1;
	return 0;
}

/* Past the table's size a domain is simply primed again each time. */
static void mark_primed(struct ipfix_session *s, uint32_t domain)
{
	if (s->n_primed < IPFIX_SESSION_MAX_DOMAINS)
		s->primed[s->n_primed++] = domain;
}

size_t ipfix_session_prime(struct ipfix_session *s, const uint8_t *msg,
			   size_t len, uint8_t *out, size_t out_size)
{
	uint32_t domain;
	size_t n;

	if (len < IPFIX_HEADER_LEN || !s->templates_len)
		return 0;
	domain = domain_of(msg);
	if (primed(s, domain))
		return 0;
	mark_primed(s, domain);
	/* a message that opens with its templates primes itself */
	if (len >= IPFIX_HEADER_LEN + 4 &&
	    ((msg[16] << 8 | msg[17]) == IPFIX_TEMPLATE_SET ||
	     (msg[16] << 8 | msg[17]) == IPFIX_OPTIONS_TEMPLATE_SET))
		return 0;
	n = IPFIX_HEADER_LEN + s->templates_len;
	if (n > out_size || n > 65535)
		return 0;
	/* export time, sequence number and domain as the message's own */
	memcpy(out, msg, IPFIX_HEADER_LEN);
	out[0] = 0;
	out[1] = IPFIX_VERSION;
	out[2] = n >> 8;
	out[3] = n & 0xff;
	memcpy(out + IPFIX_HEADER_LEN, s->templates, s->templates_len);
	s->primed_messages++;
	return n;
}

void ipfix_session_unprime(struct ipfix_session *s, const uint8_t *msg,
			   size_t len)
{
	uint32_t domain;
	size_t i;

	if (len < IPFIX_HEADER_LEN)
		return;
	domain = domain_of(msg);
	for (i = 0; i < s->n_primed; i++)
		if (s->primed[i] == domain) {
			s->primed[i] = s->primed[--s->n_primed];
			return;
		}
}
