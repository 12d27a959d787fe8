// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's re-encoding (ipfix_format.c) fed any bytes: the first byte
 * picks the format and how much room and message length there is, the
 * rest is split into messages at each length its header claims.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ipfix_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipfix_formatter f;
	static uint8_t out[1 << 18];
	size_t off = 1, len, room, max_len;

	if (!size)
		return 0;
	ipfix_format_init(&f, data[0] % 3);
	room = data[0] & 0x40 ? 600 : sizeof(out);
	max_len = data[0] & 0x80 ? 96 : 1400;
	while (off + 4 <= size) {
		len = data[off + 2] << 8 | data[off + 3];
		if (len < 4 || len > size - off)
			len = size - off;
		ipfix_format_message(&f, data + off, len, out, room, max_len);
		/* the first message out went, and one named by a byte */
		ipfix_format_sent(&f, 0);
		ipfix_format_sent(&f, data[off + 1] * 8);
		if (data[off + 1] & 1)
			ipfix_format_commit(&f);
		else
			ipfix_format_restart(&f);
		off += len;
	}
	return 0;
}
