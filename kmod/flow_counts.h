/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a flow has exported so far, per direction, in 96 bits rather than
 * 128: bytes modulo 2^52 and packets modulo 2^44. A record's counts are the
 * difference to conntrack's, taken modulo the same.
 *
 * Conntrack's counters can also go back to zero (conntrack -Z, -L -z). A
 * difference of half the range or more (2^51 bytes, or 2^43 packets) is a
 * count that went down, not one that went up, and the record then carries
 * what conntrack counted since the zeroing: all it knows. (A zeroing
 * followed, before the next record, by more traffic than was exported
 * before it looks like growth: that record carries less than passed.) So
 * the counts are exact while fewer than 2^51 bytes and 2^43 packets pass
 * between two records of one flow: 26 GB/s (208 Gbit/s), or 100 Gbit/s of
 * 64-byte frames (149 million packets/s), for 16 hours, on one conntrack
 * entry.
 *
 * Arithmetic on u32 and u64 only: the unit tests include it as it is.
 */
#ifndef _CTIPFIX_FLOW_COUNTS_H
#define _CTIPFIX_FLOW_COUNTS_H

#define CTIPFIX_SENT_BYTE_BITS		52
#define CTIPFIX_SENT_PACKET_BITS	44
#define CTIPFIX_SENT_BYTE_MASK		((1ULL << CTIPFIX_SENT_BYTE_BITS) - 1)
#define CTIPFIX_SENT_PACKET_MASK	((1ULL << CTIPFIX_SENT_PACKET_BITS) - 1)
/* the low packet bits ride above the bytes in @lo; the rest are in @hi */
#define CTIPFIX_SENT_LO_PACKET_BITS	(64 - CTIPFIX_SENT_BYTE_BITS)

static inline u64 ctipfix_sent_bytes(u64 lo)
{
	return lo & CTIPFIX_SENT_BYTE_MASK;
}

static inline u64 ctipfix_sent_packets(u64 lo, u32 hi)
{
	return (u64)hi << CTIPFIX_SENT_LO_PACKET_BITS |
	       lo >> CTIPFIX_SENT_BYTE_BITS;
}

static inline void ctipfix_sent_pack(u64 *lo, u32 *hi, u64 packets, u64 bytes)
{
	*lo = (bytes & CTIPFIX_SENT_BYTE_MASK) |
	      packets << CTIPFIX_SENT_BYTE_BITS;
	*hi = (u32)((packets & CTIPFIX_SENT_PACKET_MASK) >>
		    CTIPFIX_SENT_LO_PACKET_BITS);
}

/*
 * Conntrack's totals now are @packets and @bytes: set what they add since
 * the last call in @d_packets and @d_bytes, and remember them.
 */
static inline void ctipfix_sent_take(u64 *lo, u32 *hi, u64 packets, u64 bytes,
				     u64 *d_packets, u64 *d_bytes)
{
	*d_packets = (packets - ctipfix_sent_packets(*lo, *hi)) &
		     CTIPFIX_SENT_PACKET_MASK;
	*d_bytes = (bytes - ctipfix_sent_bytes(*lo)) & CTIPFIX_SENT_BYTE_MASK;
	if (*d_bytes >> (CTIPFIX_SENT_BYTE_BITS - 1) ||
	    *d_packets >> (CTIPFIX_SENT_PACKET_BITS - 1)) {
		/* zeroed since the last record: all counted since is new */
		*d_packets = packets;
		*d_bytes = bytes;
	}
	ctipfix_sent_pack(lo, hi, packets, bytes);
}

#endif /* _CTIPFIX_FLOW_COUNTS_H */
