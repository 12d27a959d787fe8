#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Compare every record's ipClassOfService with the router's capture
(79-class).

classcheck.py DIR reads, from DIR:
  capture.tsv    tshark's ip.src, ipv6.src, udp.srcport, tcp.srcport,
                 ip.dsfield and ipv6.tclass of each packet captured on the
                 router's server side
  ipfixdump.txt  libfixbuf's ipfixDump of what the collector received
  vlans.tsv      tshark's udp.srcport and vlan.id of each packet captured
                 on the router's client side (the VLAN's parent)
  tshark.txt     "SPORT CLASS ZONE IN OUT VLAN NEXTHOP" per flow record, as
                 tshark decodes them ("-" where a record has no such field)
  nfdump.txt     "SPORT CLASS ZONE IN OUT VLAN NEXTHOP" per flow record, as
                 nfdump prints them
  nfacctd.txt    the same per initiator's entry of nfacctd (sent uniflow),
                 which adds up records that share their keys; no zone
  nexthops.txt   "PORT NEXTHOP" per flow the router routes through a
                 gateway, as `ip route get` names it
  kinds.txt      "KIND<TAB>CLIENT_PORT" per flow of the test
  ifindex.txt    "IN OUT VLAN_IN": the ifindexes of the router's client
                 and server side interfaces, which every flow came in on
                 and left by, and of its VLAN device on the client side,
                 which the flow of VLANNED came in on instead
and prints one "PASS desc" or "FAIL desc" line per property.
"""
import collections
import ipaddress
import sys

from checks import client_ports, number, verdict
from ipfixdump import flow_records

D = sys.argv[1]
CLIENTS = ("10.0.1.2", "fd00:1::2", "10.0.42.2")
UNSPECIFIED = ("-", "0.0.0.0", "::")	# a decoder's "no next hop"
ZONED = 44006		# in zone 0 and in zone 7
VLANNED = 44007		# in on VLAN 42


def first_class():
    """client port -> the class of its first packet as it left"""
    out = {}
    for line in open(f"{D}/capture.tsv"):
        src4, src6, usp, tsp, ds, tc = (line.rstrip("\n").split("\t") +
                                         [""] * 6)[:6]
        sport = usp or tsp
        if (src4 or src6) in CLIENTS and sport and int(sport) not in out:
            out[int(sport)] = int(ds or tc, 16)
    return out


def first_vlan():
    """client port -> the 802.1Q id its first packet came in with, or
    None"""
    out = {}
    for line in open(f"{D}/vlans.tsv"):
        sport, vlan = (line.rstrip("\n").split("\t") + [""] * 2)[:2]
        if sport and int(sport) not in out:
            out[int(sport)] = int(vlan) if vlan else None
    return out


def address(a):
    """an address as one form: None for none"""
    return None if a is None or a in UNSPECIFIED else \
        str(ipaddress.ip_address(a))


def ipfixdump():
    """client port -> [(ipClassOfService, ingressVRFID, ingressInterface,
    egressInterface, vlanId, ipNextHop...)], None for a field the record
    does not have"""
    out = collections.defaultdict(list)
    for r in flow_records(f"{D}/ipfixdump.txt"):
        f = r["fields"]
        out[r["key"][3]].append(tuple(number(f.get(name)) for name in (
            "ipClassOfService", "ingressVRFID", "ingressInterface",
            "egressInterface", "vlanId")) +
            (address(f.get("ipNextHopIPv4Address") or
                     f.get("ipNextHopIPv6Address")),))
    return out


def decoded(name):
    """client port -> [(class, zone, in, out, vlan, next hop)] of its
    records, as a decoder put them (None for "-")"""
    out = collections.defaultdict(list)
    for line in open(f"{D}/{name}"):
        f = line.split()
        if len(f) == 7 and f[0].isdigit():
            out[int(f[0])].append(tuple(None if v == "-" else int(v, 0)
                                        for v in f[1:6]) +
                                  (address(f[6]),))
    return out


def interfaces_verdict(name, got):
    """every flow's records, as one decoder put them, name the interfaces
    the flow came in on and left by"""
    r_in, r_out, vlan_in = (int(i) for i in
                            open(f"{D}/ifindex.txt").read().split())
    want = {p: (vlan_in if p == VLANNED else r_in, r_out) for p in kind_of}
    diff = {p: [r[2:4] for r in got.get(p, [])] for p in kind_of
            if not got.get(p) or any(r[2:4] != want[p] for r in got[p])}
    verdict(not diff, f"{name}: every record came in on ifindex {r_in}"
            f" ({vlan_in}, the VLAN device, for {VLANNED}) and left by"
            f" {r_out} (differences: {diff})")


def vlans_verdict(name, got, none):
    """every flow's records, as one decoder put them, carry the VLAN its
    first packet came in with, and @none where it came untagged"""
    diff = {p: (tagged.get(p), [r[4] for r in got.get(p, [])])
            for p in kind_of if not got.get(p) or
            any(r[4] != (tagged.get(p) or none) for r in got[p])}
    verdict(not diff, f"{name}: vlanId {tagged.get(VLANNED)} for"
            f" {VLANNED}, {none} for the rest, as the capture has them"
            f" (differences, capture against records: {diff})")


def nexthops_verdict(name, got):
    """every flow's records, as one decoder put them, carry the next hop
    the router routes it to, and none where it goes to a neighbour"""
    diff = {p: (routes.get(p), [r[5] for r in got.get(p, [])])
            for p in kind_of if not got.get(p) or
            any(r[5] != routes.get(p) for r in got[p])}
    verdict(not diff, f"{name}: the next hop of each flow routed through"
            f" a gateway ({routes}), none for the rest (differences, router"
            f" against records: {diff})")


kind_of = client_ports(f"{D}/kinds.txt")
routes = {int(p): address(nh) for p, nh in
          (line.split() for line in open(f"{D}/nexthops.txt"))}
verdict(routes == {VLANNED: "10.0.2.2", 44008: "fd00:2::2"},
        f"the router routes two flows through a gateway: {routes}")
sent = first_class()
tagged = first_vlan()
verdict(tagged.get(VLANNED) == 42 and
        all(tagged.get(p) is None for p in kind_of if p != VLANNED),
        f"the capture has {VLANNED} tagged 42, no other flow tagged"
        f" ({tagged})")
dump = ipfixdump()
missing = [p for p in kind_of if p not in sent]
verdict(not missing, f"every flow is in the capture (missing: {missing})")
verdict(sent.get(44004) == 0x88,
        f"the router rewrote CS1 to AF41 ({sent.get(44004)})")
for port, kind in kind_of.items():
    want = sent.get(port) or None	# 0: not in its template
    got = [r[0] for r in dump.get(port, [])]
    verdict(got and all(c == want for c in got),
            f"{kind}: the records carry class {got}, the first packet left"
            f" with {want}")
zones = {p: sorted((r[1] for r in dump.get(p, [])), key=str) for p in kind_of}
want_zones = {p: [None] for p in kind_of}
want_zones[ZONED] = [7, None]
verdict(zones == want_zones, f"zones: two records of the 5-tuple, one with"
        f" ingressVRFID 7, none elsewhere ({zones})")
for name in ("tshark.txt", "nfdump.txt", "nfacctd.txt"):
    got = decoded(name)
    diff = {p: (sent.get(p), got.get(p)) for p in kind_of if sent.get(p) and
            (not got.get(p) or any(r[0] != sent[p] for r in got[p]))}
    verdict(not diff, f"{name.split('.')[0]} decodes the same class"
            f" (differences, capture against it: {diff})")
    interfaces_verdict(name.split('.')[0], got)
interfaces_verdict("ipfixDump", dump)
vlans_verdict("ipfixDump", dump, None)
vlans_verdict("tshark", decoded("tshark.txt"), None)
# nfdump's %svln shows 0 where a record has none
vlans_verdict("nfdump", decoded("nfdump.txt"), 0)
nexthops_verdict("ipfixDump", dump)
nexthops_verdict("tshark", decoded("tshark.txt"))
nexthops_verdict("nfdump", decoded("nfdump.txt"))
# nfacctd (sent uniflow) shows 0 where a record has no VLAN
vlans_verdict("nfacctd", decoded("nfacctd.txt"), 0)
nexthops_verdict("nfacctd", decoded("nfacctd.txt"))
got = sorted((r[1] for r in decoded("tshark.txt").get(ZONED, [])), key=str)
verdict(got == [7, None], f"tshark decodes the zone: {got}")
# nfdump's %ivrf shows 0 where a record has none
got = sorted(r[1] for r in decoded("nfdump.txt").get(ZONED, []))
verdict(got == [0, 7], f"nfdump decodes the zone as %ivrf: {got}")
