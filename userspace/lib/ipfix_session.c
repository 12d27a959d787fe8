// SPDX-License-Identifier: GPL-2.0
/* Each template before its first use in a transport session, per domain. */
#include <string.h>

#include "ipfix_session.h"
#include "ipfix_wire.h"

void ipfix_session_start(struct ipfix_session *s, const uint8_t *set,
			 size_t len)
{
	if (len > sizeof(s->templates))
		len = 0;
	memcpy(s->templates, set, len);
	s->templates_len = len;
	s->n_domains = 0;
	s->undo.valid = false;
}

void ipfix_session_forget(struct ipfix_session *s)
{
	s->n_domains = 0;
	s->undo.valid = false;
}

/* The domain's entry, a new one if need be; NULL past the table's size. */
static struct ipfix_session_domain *domain_get(struct ipfix_session *s,
					       uint32_t domain)
{
	size_t i;

	for (i = 0; i < s->n_domains; i++)
		if (s->domains[i].domain == domain)
			return &s->domains[i];
	if (s->n_domains == IPFIX_SESSION_MAX_DOMAINS)
		return NULL;
	s->domains[s->n_domains].domain = domain;
	memset(&s->domains[s->n_domains].known, 0, sizeof(struct ipfix_ids));
	return &s->domains[s->n_domains++];
}

/*
 * Where template id @id is in a struct ipfix_ids: its word and its bit
 * there. Returns 0 for an id the session does not follow.
 */
static int id_slot(unsigned int id, size_t *word, uint64_t *bit)
{
	if (id < CTIPFIX_IPFIX_MIN_DATA_SET || id > IPFIX_SESSION_MAX_ID)
		return 0;
	id -= CTIPFIX_IPFIX_MIN_DATA_SET;
	*word = id / 64;
	*bit = 1ULL << (id % 64);
	return 1;
}

/* Does @ids hold template id @id? Never one the session does not follow. */
static int ids_has(const struct ipfix_ids *ids, unsigned int id)
{
	uint64_t bit;
	size_t word;

	return id_slot(id, &word, &bit) && (ids->w[word] & bit);
}

/* Add @id to @ids, if the session follows it. */
static void ids_add(struct ipfix_ids *ids, unsigned int id)
{
	uint64_t bit;
	size_t word;

	if (id_slot(id, &word, &bit))
		ids->w[word] |= bit;
}

static void ids_or(struct ipfix_ids *to, const struct ipfix_ids *from)
{
	size_t i;

	for (i = 0; i < IPFIX_SESSION_ID_WORDS; i++)
		to->w[i] |= from->w[i];
}

static int ids_any(const struct ipfix_ids *ids)
{
	size_t i;

	for (i = 0; i < IPFIX_SESSION_ID_WORDS; i++)
		if (ids->w[i])
			return 1;
	return 0;
}

/* Add the template ids the template set @set of @len bytes defines. */
static void ids_defined(struct ipfix_ids *ids, const uint8_t *set,
			size_t len, int options)
{
	size_t off = CTIPFIX_IPFIX_SET_HDR_LEN, n;

	while ((n = ipfix_template_record_len(set + off, len - off, options))) {
		ids_add(ids, ipfix_be16(set + off));
		off += n;
	}
}

/*
 * Walk @msg's sets in order: the templates it uses before it defines
 * them, with @known given already. Adds what it defines to @known.
 */
static struct ipfix_ids ids_missing(const uint8_t *msg, size_t len,
				    struct ipfix_ids *known)
{
	size_t off = CTIPFIX_IPFIX_HDR_LEN, set_len;
	struct ipfix_ids missing = { { 0 } };
	unsigned int id;
	int options;

	while (off + CTIPFIX_IPFIX_SET_HDR_LEN <= len) {
		id = ipfix_be16(msg + off);
		set_len = ipfix_be16(msg + off + 2);
		if (set_len < CTIPFIX_IPFIX_SET_HDR_LEN || set_len > len - off)
			break;
		options = id == CTIPFIX_IPFIX_OPTIONS_TEMPLATE_SET;
		if (options || id == CTIPFIX_IPFIX_TEMPLATE_SET)
			ids_defined(known, msg + off, set_len, options);
		else if (!ids_has(known, id))
			ids_add(&missing, id);
		off += set_len;
	}
	return missing;
}

/* A template set of the fetched templates in @ids, at @out; its length. */
static size_t primer_put_templates(const struct ipfix_session *s,
			    const struct ipfix_ids *ids, uint8_t *out,
			    size_t room)
{
	size_t off = CTIPFIX_IPFIX_SET_HDR_LEN, len = CTIPFIX_IPFIX_SET_HDR_LEN, n;
	const uint8_t *t = s->templates;

	if (room < len)
		return 0;
	while ((n = ipfix_template_record_len(t + off, s->templates_len - off, 0))) {
		if (ids_has(ids, ipfix_be16(t + off)) && len + n <= room) {
			memcpy(out + len, t + off, n);
			len += n;
		}
		off += n;
	}
	out[0] = 0;
	out[1] = CTIPFIX_IPFIX_TEMPLATE_SET;
	out[2] = len >> 8;
	out[3] = len & 0xff;
	return len > CTIPFIX_IPFIX_SET_HDR_LEN ? len : 0;
}

/* Is the undo snapshot @msg's? (A header and a length tell messages apart.) */
static bool undo_is_of(const struct ipfix_session *s, const uint8_t *msg,
		       size_t len)
{
	return s->undo.valid && len >= CTIPFIX_IPFIX_HDR_LEN &&
	       s->undo.len == len &&
	       !memcmp(s->undo.header, msg, CTIPFIX_IPFIX_HDR_LEN);
}

size_t ipfix_session_prime(struct ipfix_session *s, const uint8_t *msg,
			   size_t len, uint8_t *out, size_t out_size)
{
	struct ipfix_session_domain *d;
	struct ipfix_ids known = { { 0 } }, missing;
	size_t n, room;

	if (len < CTIPFIX_IPFIX_HDR_LEN || !s->templates_len ||
	    s->templates_len < CTIPFIX_IPFIX_SET_HDR_LEN ||
	    out_size < CTIPFIX_IPFIX_HDR_LEN)
		return 0;
	d = domain_get(s, ipfix_be32(msg + 12));
	if (d)
		known = d->known;
	/*
	 * Tried again (its turn had not come), @msg finds what it brought
	 * already counted: the undo stays the one of its first try.
	 */
	if (!undo_is_of(s, msg, len)) {
		s->undo.valid = d;
		s->undo.known = known;
		memcpy(s->undo.header, msg, CTIPFIX_IPFIX_HDR_LEN);
		s->undo.len = len;
		s->undo.primer_sent = false;
	}
	missing = ids_missing(msg, len, &known);
	if (!s->undo.primer_sent)
		s->undo.primer = missing;
	/* once @msg has gone, with what it needs in front */
	if (d) {
		d->known = known;
		ids_or(&d->known, &missing);
	}
	if (!ids_any(&missing))
		return 0;
	room = out_size - CTIPFIX_IPFIX_HDR_LEN;
	if (room > 65535 - CTIPFIX_IPFIX_HDR_LEN)
		room = 65535 - CTIPFIX_IPFIX_HDR_LEN;
	n = primer_put_templates(s, &missing, out + CTIPFIX_IPFIX_HDR_LEN, room);
	if (!n)
		return 0;
	n += CTIPFIX_IPFIX_HDR_LEN;
	/* export time, sequence number and domain as the message's own */
	memcpy(out, msg, CTIPFIX_IPFIX_HDR_LEN);
	out[0] = 0;
	out[1] = CTIPFIX_IPFIX_VERSION;
	out[2] = n >> 8;
	out[3] = n & 0xff;
	return n;
}

void ipfix_session_primer_sent(struct ipfix_session *s)
{
	s->undo.primer_sent = true;
	s->primed_messages++;
}

void ipfix_session_unprime(struct ipfix_session *s, const uint8_t *msg,
			   size_t len, bool keep_primer)
{
	struct ipfix_session_domain *d;

	if (!undo_is_of(s, msg, len))
		return;
	d = domain_get(s, ipfix_be32(msg + 12));
	if (d) {
		d->known = s->undo.known;
		if (keep_primer && s->undo.primer_sent)
			ids_or(&d->known, &s->undo.primer);
	}
	s->undo.valid = false;
}
