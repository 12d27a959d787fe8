// SPDX-License-Identifier: GPL-2.0
/*
 * The templates each collector must get first (ipfix_session.c): the
 * first two bytes say how much of the input is the fetched template set,
 * the rest is messages, split at the lengths their headers claim.
 */
#include <stdint.h>
#include <string.h>

#include "ipfix_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipfix_session s;
	static uint8_t out[65536];
	size_t set_len, off, len;

	if (size < 2)
		return 0;
	set_len = (data[0] << 8 | data[1]) % (size - 1);
	ipfix_session_start(&s, data + 2, set_len);
	for (off = 2 + set_len; off + 4 <= size; off += len) {
		len = data[off + 2] << 8 | data[off + 3];
		if (len < 4 || len > size - off)
			len = size - off;
		if (!ipfix_session_prime(&s, data + off, len, out,
					 data[off] & 1 ? 64 : sizeof(out)))
			continue;
		if (data[off + 1] & 4)
			ipfix_session_primer_sent(&s);
		if (data[off + 1] & 1)
			ipfix_session_unprime(&s, data + off, len,
					      data[off + 1] & 2);
	}
	return 0;
}
