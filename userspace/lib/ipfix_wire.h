/* SPDX-License-Identifier: GPL-2.0 */
/* Reading IPFIX (RFC 7011) as it comes: big-endian fields, template records. */
#ifndef CTIPFIX_IPFIX_WIRE_H
#define CTIPFIX_IPFIX_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <ctipfix_ipfix.h>

static inline unsigned int ipfix_be16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static inline uint32_t ipfix_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static inline void ipfix_put_be16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void ipfix_put_be32(uint8_t *p, uint32_t v)
{
	ipfix_put_be16(p, v >> 16);
	ipfix_put_be16(p + 2, v & 0xffff);
}

/*
 * The length of the (options) template record at @p, within @room bytes;
 * 0 if there is none (padding) or it is cut short.
 */
static inline size_t ipfix_template_record_len(const uint8_t *p, size_t room,
					       int options)
{
	size_t len = options ? 6 : 4, n, i;

	if (room < len || ipfix_be16(p) < CTIPFIX_IPFIX_MIN_DATA_SET)
		return 0;
	n = ipfix_be16(p + 2);
	for (i = 0; i < n; i++) {
		if (room < len + 4)
			return 0;
		len += ipfix_be16(p + len) & 0x8000 ? 8 : 4;
	}
	return len <= room ? len : 0;
}

#endif
