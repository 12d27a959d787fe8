/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctipfix: the IPFIX wire format (RFC 7011, RFC 5103) as the module writes
 * it and the daemon reads it, defined once for both: header and set ids,
 * template ids, Information Elements, end reasons. Constants only, so that
 * kernel and userspace can include it alike. The netlink and relay
 * contract is <linux/ctipfix.h>.
 */
#ifndef _CTIPFIX_IPFIX_H
#define _CTIPFIX_IPFIX_H

/* the message and set headers (RFC 7011 section 3) */
#define CTIPFIX_IPFIX_VERSION		10
#define CTIPFIX_IPFIX_HDR_LEN		16
#define CTIPFIX_IPFIX_SET_HDR_LEN	4
#define CTIPFIX_IPFIX_TEMPLATE_SET	2
#define CTIPFIX_IPFIX_OPTIONS_TEMPLATE_SET 3
#define CTIPFIX_IPFIX_MIN_DATA_SET	256	/* set ids from here: data */
#define CTIPFIX_IPFIX_REVERSE_PEN	29305
/* interface names: one record per interface of a flow domain (iftable.c) */
#define CTIPFIX_TEMPLATE_ID_INTERFACES	257
/* exporting process reliability, one record per flow domain (RFC 7011 §4) */
#define CTIPFIX_TEMPLATE_ID_RELIABILITY	258
/*
 * The flow templates, made by rules (kmod/templates.c): sizes x groups of
 * fields x address families, numbered from here in that order. A reader
 * learns each from the template set in the stream.
 */
#define CTIPFIX_TEMPLATE_ID_FLOWS	259
#define CTIPFIX_TEMPLATE_ID_MAX		514	/* 256 of them */

/*
 * The Information Elements ctipfix exports: IANA registry numbers; the
 * reverse ones (RFC 5103) carry enterprise CTIPFIX_IPFIX_REVERSE_PEN.
 * ipVersion, flowDirection and biflowDirection are added by the daemon
 * in the formats it re-encodes for collectors (ipfix_format.h).
 */
enum ctipfix_ie {
	CTIPFIX_IE_OCTET_DELTA_COUNT		= 1,
	CTIPFIX_IE_PACKET_DELTA_COUNT		= 2,
	CTIPFIX_IE_PROTOCOL_IDENTIFIER		= 4,
	CTIPFIX_IE_IP_CLASS_OF_SERVICE		= 5,
	CTIPFIX_IE_TCP_CONTROL_BITS		= 6,
	CTIPFIX_IE_SOURCE_TRANSPORT_PORT	= 7,
	CTIPFIX_IE_SOURCE_IPV4_ADDRESS		= 8,
	CTIPFIX_IE_INGRESS_INTERFACE		= 10,
	CTIPFIX_IE_DESTINATION_TRANSPORT_PORT	= 11,
	CTIPFIX_IE_DESTINATION_IPV4_ADDRESS	= 12,
	CTIPFIX_IE_EGRESS_INTERFACE		= 14,
	CTIPFIX_IE_IP_NEXT_HOP_IPV4_ADDRESS	= 15,
	CTIPFIX_IE_SOURCE_IPV6_ADDRESS		= 27,
	CTIPFIX_IE_DESTINATION_IPV6_ADDRESS	= 28,
	CTIPFIX_IE_ICMP_TYPE_CODE_IPV4		= 32,
	CTIPFIX_IE_VLAN_ID			= 58,
	CTIPFIX_IE_IP_VERSION			= 60,
	CTIPFIX_IE_FLOW_DIRECTION		= 61,
	CTIPFIX_IE_IP_NEXT_HOP_IPV6_ADDRESS	= 62,
	CTIPFIX_IE_INTERFACE_NAME		= 82,
	CTIPFIX_IE_INTERFACE_DESCRIPTION	= 83,
	CTIPFIX_IE_EXPORTED_MESSAGE_TOTAL_COUNT	= 41,
	CTIPFIX_IE_EXPORTED_FLOW_RECORD_TOTAL_COUNT = 42,
	CTIPFIX_IE_FLOW_END_REASON		= 136,
	CTIPFIX_IE_ICMP_TYPE_CODE_IPV6		= 139,
	CTIPFIX_IE_OBSERVATION_DOMAIN_ID	= 149,
	CTIPFIX_IE_FLOW_START_MILLISECONDS	= 152,
	CTIPFIX_IE_FLOW_END_MILLISECONDS	= 153,
	CTIPFIX_IE_FLOW_DURATION_MILLISECONDS	= 161,
	CTIPFIX_IE_NOT_SENT_FLOW_TOTAL_COUNT	= 166,
	CTIPFIX_IE_NOT_SENT_PACKET_TOTAL_COUNT	= 167,
	CTIPFIX_IE_NOT_SENT_OCTET_TOTAL_COUNT	= 168,
	CTIPFIX_IE_POST_NAT_SOURCE_IPV4_ADDRESS	= 225,
	CTIPFIX_IE_POST_NAT_DESTINATION_IPV4_ADDRESS = 226,
	CTIPFIX_IE_POST_NAPT_SOURCE_TRANSPORT_PORT = 227,
	CTIPFIX_IE_POST_NAPT_DESTINATION_TRANSPORT_PORT = 228,
	CTIPFIX_IE_INGRESS_VRFID		= 234,
	CTIPFIX_IE_BIFLOW_DIRECTION		= 239,
	CTIPFIX_IE_POST_NAT_SOURCE_IPV6_ADDRESS	= 281,
	CTIPFIX_IE_POST_NAT_DESTINATION_IPV6_ADDRESS = 282,
};

/*
 * flowEndReason values (IANA) the module sends. lackOfResources (5) is not
 * one: conntrack's early drop deletes an entry as conntrack -D does, and
 * the module cannot tell the two apart.
 */
enum ctipfix_end_reason {
	CTIPFIX_END_IDLE_TIMEOUT	= 1,
	CTIPFIX_END_ACTIVE_TIMEOUT	= 2,
	CTIPFIX_END_OF_FLOW		= 3,
	CTIPFIX_END_FORCED		= 4,
};

#endif /* _CTIPFIX_IPFIX_H */
