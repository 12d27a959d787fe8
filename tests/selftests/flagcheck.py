#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Compare every record's tcpControlBits with the router's capture
(78-tcp-flags).

flagcheck.py DIR reads, from DIR:
  capture.tsv    tshark's ip.src, ipv6.src, tcp.srcport and tcp.flags of
                 each TCP packet captured on the router's client side
  ipfixdump.txt  libfixbuf's ipfixDump of what the collector received
  tshark.txt     "SPORT FLAGS" per flow record, as tshark decodes them
  nfdump.txt     "SPORT FLAGS" per flow record, as nfdump prints them
  nfacctd.json   nfacctd's flows (sent uniflow), tcp_flags among their keys
  kinds.txt      "KIND<TAB>CLIENT_PORT" per connection of the test
and prints one "PASS desc" or "FAIL desc" line per property.
"""
import collections
import json
import sys

from checks import client_ports, number, verdict
from ipfixdump import flow_records

D = sys.argv[1]
CLIENTS = ("10.0.1.2", "fd00:1::2")
CLAIMED = 0x17			# FIN, SYN, RST, ACK: what tcp_flags.h derives
SYN = 0x02
NAMES = "FSRPAUEC"		# bit 0 first, as the TCP header has them
NFDUMP = {c: 1 << i for i, c in enumerate(NAMES)}
SHAPES = {43001: "compact", 43002: "compact", 43008: "compact NAT"}


def show(bits):
    return "".join(c for i, c in enumerate(NAMES) if bits >> i & 1) or "-"


def capture():
    """client port -> the flags of every packet the client sent, OR'ed"""
    sent = collections.defaultdict(int)
    for line in open(f"{D}/capture.tsv"):
        src4, src6, sport, flags = (line.rstrip("\n").split("\t") + [""] * 4)[:4]
        if (src4 or src6) in CLIENTS and sport and flags:
            sent[int(sport)] |= int(flags, 16)
    return sent


def ipfixdump():
    """client port -> [(template shape, tcpControlBits)] in arrival order"""
    out = collections.defaultdict(list)
    for r in flow_records(f"{D}/ipfixdump.txt"):
        f = r["fields"]
        shape = "full" if "flowEndMilliseconds" in f else "compact"
        if any(k.startswith("postNATSource") for k in f):
            shape += " NAT"
        out[r["key"][3]].append((shape, number(f.get("tcpControlBits"))))
    return out


def decoded(name, parse):
    """client port -> sorted flags of its records, as a decoder put them"""
    out = collections.defaultdict(list)
    for line in open(f"{D}/{name}"):
        f = line.split()
        if len(f) == 2 and f[0].isdigit():
            out[int(f[0])].append(parse(f[1]))
    return {p: sorted(v) for p, v in out.items()}


def nfacctd_flags():
    """client port -> the bits of its initiator's records, as nfacctd
    decoded them (it adds up records that share their keys)"""
    out = collections.defaultdict(int)
    for line in open(f"{D}/nfacctd.json"):
        j = json.loads(line)
        if j.get("ip_proto") == "tcp":
            out[int(j["port_src"])] |= int(j["tcp_flags"])
    return out


def nfdump_flags(s):
    return int(s, 16) if s.startswith("0x") else \
        sum(NFDUMP.get(c, 0) for c in s)


kind_of = client_ports(f"{D}/kinds.txt")
sent = capture()
dump = ipfixdump()
missing = [p for p in kind_of if p not in sent]
verdict(not missing, f"every connection is in the capture (missing: {missing})")
for port, kind in kind_of.items():
    want = sent.get(port, 0) & CLAIMED
    recs = dump.get(port, [])
    bits = [b for _, b in recs]
    got = 0
    for b in bits:
        got |= b or 0
    verdict(recs and None not in bits and got == want,
            f"{kind}: the records claim {show(got)}, the initiator sent"
            f" {show(want)} ({len(recs)} records: {[show(b or 0) for b in bits]})")
    verdict(recs and not any((b or 0) & SYN for b in bits[1:]),
            f"{kind}: SYN in the first record only")
    if port in SHAPES:
        shapes = sorted({t for t, _ in recs})
        verdict(shapes == [SHAPES[port]],
                f"{kind}: in the {SHAPES[port]} template ({shapes})")
full = dump.get(43009, [])
verdict(full and full[0][0] == "full" and full[0][1] == sent[43009] & CLAIMED,
        f"100 kB: its first record, with the 100 kB, in the full template,"
        f" with the bits ({[(t, show(b or 0)) for t, b in full]})")
verdict(len(dump.get(43010, [])) >= 3,
        f"6 s long: interim records and a final one ({len(dump.get(43010, []))})")
# records without the field (None) sort first
want = {p: sorted((b for _, b in dump[p]), key=lambda b: -1 if b is None else b)
        for p in kind_of if p in dump}
for name, parse in (("tshark.txt", lambda s: int(s, 0)),
                    ("nfdump.txt", nfdump_flags)):
    got = decoded(name, parse)
    got = {p: v for p, v in got.items() if p in kind_of}
    diff = {p: (want.get(p), got.get(p)) for p in kind_of
            if want.get(p) != got.get(p)}
    verdict(want and not diff,
            f"{name.split('.')[0]} decodes the same bits, record by record"
            f" (differences, ipfixDump against it: {diff})")
ors = {p: 0 for p in want}
for p, bits in want.items():
    for b in bits:
        ors[p] |= b or 0
got = nfacctd_flags()
diff = {p: (ors[p], got.get(p)) for p in ors if ors[p] != got.get(p)}
verdict(ors and not diff, "nfacctd (sent uniflow) decodes the same bits, "
        f"connection by connection (differences, ipfixDump against it: {diff})")
