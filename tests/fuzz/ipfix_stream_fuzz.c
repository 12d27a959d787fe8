// SPDX-License-Identifier: GPL-2.0
/*
 * The relay's byte stream (ipfix_stream.c) cut anywhere: each input byte
 * below 8 ends a read there, and every message handed out is kept once
 * and taken again.
 */
#include <stdint.h>
#include <string.h>

#include "ipfix_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipfix_stream s;
	const uint8_t *msg;
	size_t off = 0, n, room, i;
	uint8_t *space;

	memset(&s, 0, sizeof(s));
	while (off < size) {
		for (n = 1; off + n < size && data[off + n] >= 8; n++)
			;
		space = ipfix_stream_space(&s, &room);
		if (n > room)
			n = room;
		if (!n)
			break;
		memcpy(space, data + off, n);
		ipfix_stream_filled(&s, n);
		off += n;
		for (i = 0; ipfix_stream_next(&s, &msg); i++)
			if (!i)
				ipfix_stream_keep(&s);
	}
	ipfix_stream_reset(&s);
	return 0;
}
