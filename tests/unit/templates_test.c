// SPDX-License-Identifier: GPL-2.0
/*
 * The module's templates (kmod/templates.c), built as they are: which
 * template carries a record (the smallest its values fit), how long each
 * record is on the wire, how its values are written (big-endian, in the
 * reduced size of the template), and the template set that describes them.
 */
#include <arpa/inet.h>
#include <linux/kernel.h>

#include "kselftest_harness.h"
#include "templates.c"

/* big-endian reads of what the module wrote */
static unsigned int be16(const u8 *p)
{
	return p[0] << 8 | p[1];
}

static u32 be32(const u8 *p)
{
	return (u32)be16(p) << 16 | be16(p + 2);
}

static u64 be64(const u8 *p)
{
	return (u64)be32(p) << 32 | be32(p + 4);
}

/* a one-packet-each-way IPv4 UDP exchange: fits the tiny template */
static struct ctipfix_record udp4(void)
{
	struct ctipfix_record r = {
		.family = NFPROTO_IPV4,
		.protocol = 17,
		.sport = 53000,
		.dport = 53,
		.octets = 60,
		.packets = 1,
		.rev_octets = 120,
		.rev_packets = 1,
		.start_ms = 1796421300123ULL,
		.end_ms = 1796421300125ULL,
		.duration_ms = 2,
		.end_reason = 1,
		.ifindex_in = 2,
		.ifindex_out = 3,
		.ifaces = true,
	};

	r.saddr.ip = htonl(0x0a000102);
	r.daddr.ip = htonl(0x0a000202);
	return r;
}

/* the template the rules make for @size, @groups and IPv@v */
#define CLS	BIT(CTIPFIX_GROUP_CLASS)
#define TCP	BIT(CTIPFIX_GROUP_TCP)
#define NAT	BIT(CTIPFIX_GROUP_NAT)
#define ZN	BIT(CTIPFIX_GROUP_ZONE)
#define VL	BIT(CTIPFIX_GROUP_VLAN)
#define NH	BIT(CTIPFIX_GROUP_NEXTHOP)
#define IF	BIT(CTIPFIX_GROUP_IFACES)
/* a flow whose first packet the hooks saw: its interfaces are known */
#define ID(size, groups, v)	shape_id(size, (groups) | IF, v)
/* one adopted alive: they are not */
#define ID_ADOPTED(size, groups, v)	shape_id(size, groups, v)

static unsigned int shape_id(u8 size, u8 groups, int v)
{
	u8 family = v == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	unsigned int i;

	for (i = 0; i < ctipfix_n_templates; i++)
		if (ctipfix_templates[i].size == size &&
		    ctipfix_templates[i].groups == groups &&
		    ctipfix_templates[i].family == family)
			return ctipfix_templates[i].id;
	return 0;	/* the rules make none such */
}

static int templates_made = -1;

__attribute__((constructor)) static void make_templates(void)
{
	templates_made = ctipfix_templates_init();
}

static unsigned int id_for(const struct ctipfix_record *r)
{
	return ctipfix_template_id(ctipfix_template_for(r));
}

static unsigned int len_for(const struct ctipfix_record *r)
{
	return ctipfix_template_record_len(ctipfix_template_for(r));
}

TEST(short_exchange_takes_the_tiny_template)
{
	struct ctipfix_record r = udp4();

	EXPECT_EQ(ID(CTIPFIX_TINY, 0, 4), id_for(&r));
	EXPECT_EQ(30, len_for(&r));
	r.family = NFPROTO_IPV6;
	EXPECT_EQ(ID(CTIPFIX_TINY, 0, 6), id_for(&r));
	EXPECT_EQ(54, len_for(&r));
}

TEST(octets_past_one_byte_take_the_compact_template)
{
	struct ctipfix_record r = udp4();

	r.rev_octets = 255;
	EXPECT_EQ(ID(CTIPFIX_TINY, 0, 4), id_for(&r));
	r.rev_octets = 256;
	EXPECT_EQ(ID(CTIPFIX_COMPACT, 0, 4), id_for(&r));
	EXPECT_EQ(32, len_for(&r));
	r.octets = 65535;
	EXPECT_EQ(ID(CTIPFIX_COMPACT, 0, 4), id_for(&r));
}

/* every compact field at the first value it cannot carry */
TEST(values_past_the_compact_lengths_take_the_full_template)
{
	struct ctipfix_record r;

	r = udp4();
	r.octets = 65536;
	EXPECT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH, 4), id_for(&r));
	r = udp4();
	r.rev_packets = 256;
	EXPECT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH, 4), id_for(&r));
	r = udp4();
	r.duration_ms = 65536;
	EXPECT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH, 4), id_for(&r));
	r = udp4();
	r.ifindex_in = 256;
	EXPECT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH, 4), id_for(&r));
	r = udp4();
	r.ifindex_out = 256;
	EXPECT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH, 4), id_for(&r));
	EXPECT_EQ(84, len_for(&r));	/* class, TCP, zone, VLAN, next hop */
	r.family = NFPROTO_IPV6;
	EXPECT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH, 6), id_for(&r));
	EXPECT_EQ(120, len_for(&r));
}

/* the compact templates carry no ICMP type: an echo goes full */
TEST(icmp_takes_the_full_template)
{
	struct ctipfix_record r = udp4();

	r.protocol = 1;
	r.sport = r.dport = 0;
	r.icmp_type_code = 8 << 8;
	EXPECT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH, 4), id_for(&r));
}

/* a masqueraded exchange: the router sent it from 192.0.2.1:40000 */
static struct ctipfix_record snat4(void)
{
	struct ctipfix_record r = udp4();

	r.nat = true;
	r.post_saddr.ip = htonl(0xc0000201);
	r.post_daddr = r.daddr;
	r.post_sport = 40000;
	r.post_dport = 53;
	return r;
}

TEST(translated_flows_take_the_nat_templates)
{
	struct ctipfix_record r = snat4();

	/* no tiny NAT template: the compact one, 12 bytes longer */
	EXPECT_EQ(ID(CTIPFIX_COMPACT, NAT, 4), id_for(&r));
	EXPECT_EQ(32 + 12, len_for(&r));
	r.family = NFPROTO_IPV6;
	EXPECT_EQ(ID(CTIPFIX_COMPACT, NAT, 6), id_for(&r));
	EXPECT_EQ(56 + 36, len_for(&r));
	r.octets = 1ULL << 40;
	EXPECT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH | NAT, 6), id_for(&r));
	r.family = NFPROTO_IPV4;
	EXPECT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH | NAT, 4), id_for(&r));
	EXPECT_EQ(84 + 12, len_for(&r));
	/* and a flow not translated never takes one */
	r.nat = false;
	EXPECT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH, 4), id_for(&r));
}

TEST(nat_fields_come_last)
{
	struct ctipfix_record r = snat4();
	u8 p[64];

	memset(p, 0xee, sizeof(p));
	ASSERT_EQ(ID(CTIPFIX_COMPACT, NAT, 4), id_for(&r));
	ctipfix_template_put_record(ctipfix_template_for(&r), &r, p);
	EXPECT_EQ(0x0a000102, be32(p));		/* before NAT */
	EXPECT_EQ(53000, be16(p + 8));
	EXPECT_EQ(0xc0000201, be32(p + 32));	/* after */
	EXPECT_EQ(0x0a000202, be32(p + 36));
	EXPECT_EQ(40000, be16(p + 40));
	EXPECT_EQ(53, be16(p + 42));
	EXPECT_EQ(0xee, p[44]);
}

/* a template alone in its set, as the builder puts it before its data */
TEST(template_alone_in_its_set)
{
	const struct ctipfix_template *t;
	struct ctipfix_record r = udp4();
	u8 p[128];

	t = ctipfix_template_for(&r);
	EXPECT_EQ(72, ctipfix_template_alone_len(t));
	ctipfix_template_alone_put(t, p);
	EXPECT_EQ(CTIPFIX_IPFIX_TEMPLATE_SET, be16(p));
	EXPECT_EQ(72, be16(p + 2));
	EXPECT_EQ(ID(CTIPFIX_TINY, 0, 4), be16(p + 4));
	EXPECT_EQ(14, be16(p + 6));		/* fields */
	EXPECT_EQ(0, ctipfix_template_index(t));
	/* the longest: full IPv6 with NAT, 24 fields, 2 with a PEN */
	EXPECT_EQ(4 + 4 + 24 * 4 + 2 * 4, ctipfix_template_max_alone_len());
	/* so the smallest message: header, it, set header, longest record */
	EXPECT_EQ(288, 16 + ctipfix_template_max_alone_len() + 4 +
		  ctipfix_template_max_record_len());
}

TEST(longest_record_is_full_ipv6_nat)
{
	EXPECT_EQ(120 + 36, ctipfix_template_max_record_len());
}

/* a short TCP connection: 3 packets each way */
static struct ctipfix_record tcp4(void)
{
	struct ctipfix_record r = udp4();

	r.protocol = 6;
	r.dport = 443;
	r.octets = 180;
	r.packets = 3;
	r.rev_octets = 180;
	r.rev_packets = 3;
	r.tcp_flags = 0x13;	/* SYN, ACK, FIN */
	return r;
}

/*
 * TCP flows take templates of their own, with their control bits, in the
 * compact sizes (none tiny), and never one without them; other flows never
 * take those
 */
TEST(tcp_flows_take_the_tcp_templates)
{
	struct ctipfix_record r = tcp4();

	EXPECT_EQ(ID(CTIPFIX_COMPACT, TCP, 4), id_for(&r));
	EXPECT_EQ(33, len_for(&r));
	r.family = NFPROTO_IPV6;
	EXPECT_EQ(ID(CTIPFIX_COMPACT, TCP, 6), id_for(&r));
	EXPECT_EQ(57, len_for(&r));
	r.nat = true;
	EXPECT_EQ(ID(CTIPFIX_COMPACT, TCP | NAT, 6), id_for(&r));
	EXPECT_EQ(57 + 36, len_for(&r));
	r.family = NFPROTO_IPV4;
	EXPECT_EQ(ID(CTIPFIX_COMPACT, TCP | NAT, 4), id_for(&r));
	EXPECT_EQ(33 + 12, len_for(&r));
	r.duration_ms = 65536;
	EXPECT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH | NAT, 4), id_for(&r));
	r.nat = false;
	EXPECT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH, 4), id_for(&r));
	r = udp4();
	r.octets = 256;
	EXPECT_EQ(ID(CTIPFIX_COMPACT, 0, 4), id_for(&r));
}

/* the control bits: one byte, after the compact body */
TEST(tcp_record_on_the_wire)
{
	struct ctipfix_record r = tcp4();
	u8 p[64];

	memset(p, 0xee, sizeof(p));
	ASSERT_EQ(ID(CTIPFIX_COMPACT, TCP, 4), id_for(&r));
	ctipfix_template_put_record(ctipfix_template_for(&r), &r, p);
	EXPECT_EQ(6, p[12]);
	EXPECT_EQ(180, be16(p + 13));	/* octets, 2 bytes */
	EXPECT_EQ(3, p[15]);
	EXPECT_EQ(1, p[29]);		/* end reason */
	EXPECT_EQ(3, p[31]);		/* egress interface */
	EXPECT_EQ(0x13, p[32]);		/* tcpControlBits */
	EXPECT_EQ(0xee, p[33]);
}

/* the tiny IPv4 record, field by field */
TEST(tiny_record_on_the_wire)
{
	struct ctipfix_record r = udp4();
	u8 p[64];

	memset(p, 0xee, sizeof(p));
	ctipfix_template_put_record(ctipfix_template_for(&r), &r, p);
	EXPECT_EQ(0x0a000102, be32(p));
	EXPECT_EQ(0x0a000202, be32(p + 4));
	EXPECT_EQ(53000, be16(p + 8));
	EXPECT_EQ(53, be16(p + 10));
	EXPECT_EQ(17, p[12]);
	EXPECT_EQ(60, p[13]);		/* octets, 1 byte */
	EXPECT_EQ(1, p[14]);		/* packets */
	EXPECT_EQ(120, p[15]);		/* reverse octets */
	EXPECT_EQ(1, p[16]);		/* reverse packets */
	EXPECT_EQ(1796421300123ULL, be64(p + 17));
	EXPECT_EQ(2, be16(p + 25));	/* duration */
	EXPECT_EQ(1, p[27]);		/* end reason */
	EXPECT_EQ(2, p[28]);
	EXPECT_EQ(3, p[29]);
	EXPECT_EQ(0xee, p[30]);		/* nothing past its length */
}

/* the largest values a reduced field takes come out whole */
TEST(compact_record_at_its_bounds)
{
	struct ctipfix_record r = udp4();
	u8 p[64];

	r.octets = 65535;
	r.packets = 255;
	r.duration_ms = 65535;
	r.ifindex_in = 255;
	ASSERT_EQ(ID(CTIPFIX_COMPACT, 0, 4), id_for(&r));
	ctipfix_template_put_record(ctipfix_template_for(&r), &r, p);
	EXPECT_EQ(65535, be16(p + 13));
	EXPECT_EQ(255, p[15]);
	EXPECT_EQ(65535, be16(p + 27));
	EXPECT_EQ(255, p[30]);
}

TEST(full_record_on_the_wire)
{
	struct ctipfix_record r = udp4();
	u8 p[128];

	r.octets = 1ULL << 40;
	r.ifindex_out = 70000;
	ASSERT_EQ(ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH, 4), id_for(&r));
	ctipfix_template_put_record(ctipfix_template_for(&r), &r, p);
	EXPECT_EQ(0, be16(p + 8));		/* no ICMP type */
	EXPECT_EQ(53000, be16(p + 10));
	EXPECT_EQ(1ULL << 40, be64(p + 15));
	EXPECT_EQ(1796421300125ULL, be64(p + 55));	/* the end */
	EXPECT_EQ(70000, be32(p + 68));
}

/*
 * The set: its header, then each template's id and field count, and each
 * field's IE (with the enterprise bit and RFC 5103's PEN for the reverse
 * counters) and length, adding up to the set's own length.
 */
TEST(template_set_describes_every_template)
{
	unsigned int len = ctipfix_template_set_len(), off, n, i, ie, templates = 0;
	unsigned int reverse = 0;
	u8 p[16384];

	ASSERT_LE(len, sizeof(p));
	ctipfix_template_set_put(p);
	EXPECT_EQ(CTIPFIX_IPFIX_TEMPLATE_SET, be16(p));
	EXPECT_EQ(len, be16(p + 2));
	for (off = 4; off < len; templates++) {
		EXPECT_GE(be16(p + off), 256);
		n = be16(p + off + 2);
		off += 4;
		for (i = 0; i < n; i++) {
			ie = be16(p + off);
			off += 4;
			if (ie & 0x8000) {
				EXPECT_EQ(CTIPFIX_IPFIX_REVERSE_PEN, be32(p + off));
				off += 4;
				reverse++;
			}
		}
	}
	EXPECT_EQ(len, off);
	EXPECT_EQ(168, templates);
	/* reverse octets and packets in each */
	EXPECT_EQ(336, reverse);
}

/* each template as the set defines it: what put_record writes */
TEST(set_lengths_match_the_records)
{
	const struct ctipfix_template *t;
	unsigned int i, sum;
	u8 p[16384];
	u8 *def;

	ctipfix_template_set_put(p);
	def = p + 4;
	for (i = 0; i < ctipfix_n_templates; i++) {
		t = &ctipfix_templates[i];
		EXPECT_EQ(ctipfix_template_id(t), be16(def));
		sum = 0;
		def += 4;
		for (unsigned int f = 0; f < t->n_fields; f++) {
			sum += be16(def + 2);
			def += be16(def) & 0x8000 ? 8 : 4;
		}
		EXPECT_EQ(ctipfix_template_record_len(t), sum);
	}
}

/*
 * A class of service other than 0 takes the templates with it, a byte
 * after the body; 0 takes none (a DNS exchange stays 30 bytes)
 */
TEST(class_of_service_only_where_set)
{
	struct ctipfix_record r = udp4();
	u8 p[64];

	EXPECT_EQ(ID(CTIPFIX_TINY, 0, 4), id_for(&r));
	r.tos = 0xb8;		/* EF */
	EXPECT_EQ(ID(CTIPFIX_TINY, CLS, 4), id_for(&r));
	EXPECT_EQ(31, len_for(&r));
	memset(p, 0xee, sizeof(p));
	ctipfix_template_put_record(ctipfix_template_for(&r), &r, p);
	EXPECT_EQ(3, p[29]);		/* egress interface */
	EXPECT_EQ(0xb8, p[30]);
	EXPECT_EQ(0xee, p[31]);
	r = tcp4();
	r.tos = 0x48;
	r.nat = true;
	EXPECT_EQ(ID(CTIPFIX_COMPACT, CLS | TCP | NAT, 4), id_for(&r));
	EXPECT_EQ(32 + 1 + 1 + 12, len_for(&r));
	r.tos = 0;
	EXPECT_EQ(ID(CTIPFIX_COMPACT, TCP | NAT, 4), id_for(&r));
}

/* a zone other than the default takes its id, last; 0 takes none */
TEST(zone_only_where_set)
{
	struct ctipfix_record r = udp4();
	u8 p[64];

	r.zone = 7;
	EXPECT_EQ(ID(CTIPFIX_TINY, ZN, 4), id_for(&r));
	EXPECT_EQ(34, len_for(&r));
	memset(p, 0xee, sizeof(p));
	ctipfix_template_put_record(ctipfix_template_for(&r), &r, p);
	EXPECT_EQ(7, be32(p + 30));
	EXPECT_EQ(0xee, p[34]);
	r = snat4();
	r.zone = 65535;
	r.tos = 4;
	EXPECT_EQ(ID(CTIPFIX_COMPACT, CLS | NAT | ZN, 4), id_for(&r));
	EXPECT_EQ(32 + 1 + 12 + 4, len_for(&r));
}

/* a VLAN id takes the templates with it, after the zone; 0 takes none */
TEST(vlan_only_where_set)
{
	struct ctipfix_record r = udp4();
	u8 p[64];

	r.vlan = 42;
	EXPECT_EQ(ID(CTIPFIX_TINY, VL, 4), id_for(&r));
	EXPECT_EQ(32, len_for(&r));
	memset(p, 0xee, sizeof(p));
	ctipfix_template_put_record(ctipfix_template_for(&r), &r, p);
	EXPECT_EQ(42, be16(p + 30));
	EXPECT_EQ(0xee, p[32]);
	r.zone = 7;
	r.vlan = 4095;
	EXPECT_EQ(ID(CTIPFIX_TINY, ZN | VL, 4), id_for(&r));
	ctipfix_template_put_record(ctipfix_template_for(&r), &r, p);
	EXPECT_EQ(7, be32(p + 30));
	EXPECT_EQ(4095, be16(p + 34));
	r = tcp4();
	r.vlan = 100;
	EXPECT_EQ(ID(CTIPFIX_COMPACT, TCP | VL, 4), id_for(&r));
	r.vlan = 0;
	EXPECT_EQ(ID(CTIPFIX_COMPACT, TCP, 4), id_for(&r));
}

/* a next hop takes the templates with it, last; none takes none */
TEST(next_hop_only_where_routed)
{
	struct ctipfix_record r = udp4();
	u8 p[128];

	r.routed = true;
	r.nexthop.ip = htonl(0x0a000202);
	EXPECT_EQ(ID(CTIPFIX_TINY, NH, 4), id_for(&r));
	EXPECT_EQ(34, len_for(&r));
	memset(p, 0xee, sizeof(p));
	ctipfix_template_put_record(ctipfix_template_for(&r), &r, p);
	EXPECT_EQ(0x0a000202, be32(p + 30));
	EXPECT_EQ(0xee, p[34]);
	r.vlan = 42;
	EXPECT_EQ(ID(CTIPFIX_TINY, VL | NH, 4), id_for(&r));
	ctipfix_template_put_record(ctipfix_template_for(&r), &r, p);
	EXPECT_EQ(42, be16(p + 30));
	EXPECT_EQ(0x0a000202, be32(p + 32));
	r = udp4();
	r.family = NFPROTO_IPV6;
	r.routed = true;
	r.nexthop.ip6[0] = htonl(0xfd000002);
	r.nexthop.ip6[3] = htonl(2);
	EXPECT_EQ(ID(CTIPFIX_TINY, NH, 6), id_for(&r));
	ctipfix_template_put_record(ctipfix_template_for(&r), &r, p);
	EXPECT_EQ(0xfd000002, be32(p + 54));
	EXPECT_EQ(2, be32(p + 66));
	EXPECT_EQ(54 + 16, len_for(&r));
}

/*
 * The template a record gets is the first in order of preference (by
 * size) with exactly the groups it needs (a full one: with the full
 * templates' own too) whose fields its values fit: the lookup by shape
 * finds what a walk of the whole table would.
 */
static const struct ctipfix_template *walk_for(const struct ctipfix_record *r)
{
	u8 need = ctipfix_record_groups(r), g;
	unsigned int i;

	for (i = 0; i < ctipfix_n_templates; i++) {
		const struct ctipfix_template *t = &ctipfix_templates[i];

		g = t->size == CTIPFIX_FULL ?
		    need | ctipfix_full_groups[!!(need & IF)] : need;
		if (t->family == r->family && t->groups == g &&
		    ctipfix_template_fits(t, r))
			return t;
	}
	return NULL;
}

TEST(lookup_by_shape_finds_what_a_walk_finds)
{
	static const u64 counts[] = { 0, 1, 255, 256, 65535, 65536 };
	struct ctipfix_record r;
	unsigned int shape, c, n = 0;

	for (shape = 0; shape < 1024; shape++)
		for (c = 0; c < ARRAY_SIZE(counts); c++) {
			r = shape & 1 ? tcp4() : udp4();
			r.family = shape & 2 ? NFPROTO_IPV6 : NFPROTO_IPV4;
			r.tos = shape & 4 ? 0x48 : 0;
			r.nat = shape & 8;
			r.zone = shape & 16 ? 7 : 0;
			r.vlan = shape & 32 ? 42 : 0;
			r.icmp_type_code = shape & 64 ? 0x0800 : 0;
			r.ifindex_in = shape & 128 ? 300 : 2;
			r.routed = shape & 256;
			r.nexthop.ip = r.routed ? htonl(0x0a000202) : 0;
			r.ifaces = !(shape & 512);
			r.octets = counts[c];
			r.rev_packets = counts[ARRAY_SIZE(counts) - 1 - c];
			ASSERT_NE(NULL, walk_for(&r));
			EXPECT_EQ(walk_for(&r), ctipfix_template_for(&r));
			n++;
		}
	EXPECT_EQ(1024 * ARRAY_SIZE(counts), n);
}

/* Does @t define @ie (IANA, forward)? */
static bool template_has_ie(const struct ctipfix_template *t, unsigned int ie)
{
	unsigned int i;

	for (i = 0; i < t->n_fields; i++)
		if (t->fields[i]->ie == ie && !t->fields[i]->pen)
			return true;
	return false;
}

/*
 * A flow adopted alive never met the hooks: its interfaces are unknown,
 * and its records leave them out (a full template without them), where a
 * flow the hooks saw carries them in any template, 0 included.
 */
TEST(adopted_flows_carry_no_interfaces)
{
	struct ctipfix_record r = udp4();
	const struct ctipfix_template *t;

	r.ifaces = false;
	r.ifindex_in = 0;
	r.ifindex_out = 0;
	t = ctipfix_template_for(&r);
	EXPECT_EQ(ID_ADOPTED(CTIPFIX_FULL, ZN | TCP | NH, 4),
		  ctipfix_template_id(t));
	EXPECT_FALSE(template_has_ie(t, CTIPFIX_IE_INGRESS_INTERFACE));
	EXPECT_FALSE(template_has_ie(t, CTIPFIX_IE_EGRESS_INTERFACE));
	/* nor the first packet's other facts */
	EXPECT_FALSE(template_has_ie(t, CTIPFIX_IE_IP_CLASS_OF_SERVICE));
	EXPECT_FALSE(template_has_ie(t, CTIPFIX_IE_VLAN_ID));
	EXPECT_TRUE(template_has_ie(t, CTIPFIX_IE_INGRESS_VRFID));
	EXPECT_EQ(84 - 8 - 1 - 2, len_for(&r));
	/* what the hooks never set cannot ask for a template of its own */
	r.tos = 0x48;
	r.vlan = 42;
	EXPECT_EQ(ctipfix_template_id(t), id_for(&r));
	r = udp4();
	t = ctipfix_template_for(&r);
	EXPECT_EQ(ID(CTIPFIX_TINY, 0, 4), ctipfix_template_id(t));
	EXPECT_TRUE(template_has_ie(t, CTIPFIX_IE_INGRESS_INTERFACE));
	EXPECT_TRUE(template_has_ie(t, CTIPFIX_IE_EGRESS_INTERFACE));
}

/*
 * The rules: numbered from CTIPFIX_TEMPLATE_ID_FLOWS in order; no tiny
 * template has TCP bits or NAT, every full one has TCP bits, every tiny
 * and compact one the interfaces; every shape a record can need exists,
 * for both families.
 */
TEST(rules_make_the_family)
{
	const struct ctipfix_template *t;
	unsigned int i;

	ASSERT_EQ(0, templates_made);
	EXPECT_EQ(168, ctipfix_n_templates);
	for (i = 0; i < ctipfix_n_templates; i++) {
		t = &ctipfix_templates[i];
		EXPECT_EQ(CTIPFIX_TEMPLATE_ID_FLOWS + i, t->id);
		if (t->size == CTIPFIX_TINY)
			EXPECT_EQ(0, t->groups & ~(IF | CLS | ZN | VL | NH));
		if (t->size != CTIPFIX_FULL)
			EXPECT_EQ(IF, t->groups & IF);
		if (t->size == CTIPFIX_FULL && (t->groups & IF))
			EXPECT_EQ(CLS | TCP | ZN | VL | NH,
				  t->groups & (CLS | TCP | ZN | VL | NH));
		if (t->size == CTIPFIX_FULL && !(t->groups & IF))
			EXPECT_EQ(TCP | ZN | NH,
				  t->groups & (CLS | TCP | ZN | VL | NH));
		/* the adopted flows' last: the others keep their ids */
		if (i && !(t[-1].groups & IF))
			EXPECT_EQ(0, t->groups & IF);
		if (i && (t->groups & IF))
			EXPECT_LE(t[-1].size, t->size);
	}
	for (i = 0; i < BIT(CTIPFIX_N_GROUPS); i++) {
		EXPECT_NE(0, ID(CTIPFIX_COMPACT, i, 4));
		EXPECT_NE(0, ID(CTIPFIX_COMPACT, i, 6));
	}
	EXPECT_NE(0, ID_ADOPTED(CTIPFIX_FULL, ZN | TCP | NH, 4));
	EXPECT_NE(0, ID_ADOPTED(CTIPFIX_FULL, ZN | TCP | NH | NAT, 6));
	EXPECT_EQ(0, ID_ADOPTED(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH, 4));
	EXPECT_EQ(0, ID_ADOPTED(CTIPFIX_COMPACT, 0, 4));
	EXPECT_EQ(0, ID_ADOPTED(CTIPFIX_TINY, 0, 4));
	EXPECT_NE(0, ID(CTIPFIX_FULL, CLS | ZN | TCP | VL | NH | NAT, 6));
	EXPECT_EQ(0, ID(CTIPFIX_FULL, CLS | TCP | NAT, 6));
	EXPECT_EQ(0, ID(CTIPFIX_TINY, TCP, 4));
	EXPECT_NE(0, ID(CTIPFIX_TINY, CLS, 4));
}

/* the knobs' bounds come from the rules, before the table: the same */
TEST(maxima_from_the_rules_match_the_table)
{
	unsigned int i, alone = 0, record = 0;

	for (i = 0; i < ctipfix_n_templates; i++) {
		alone = max(alone, ctipfix_template_alone_len(&ctipfix_templates[i]));
		record = max(record, ctipfix_template_record_len(&ctipfix_templates[i]));
	}
	EXPECT_EQ(alone, ctipfix_template_max_alone_len());
	EXPECT_EQ(record, ctipfix_template_max_record_len());
}

TEST_HARNESS_MAIN
