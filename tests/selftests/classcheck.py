#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Compare every record's ipClassOfService with the router's capture
(79-class).

classcheck.py DIR reads, from DIR:
  capture.tsv    tshark's ip.src, ipv6.src, udp.srcport, tcp.srcport,
                 ip.dsfield and ipv6.tclass of each packet captured on the
                 router's server side
  ipfixdump.txt  libfixbuf's ipfixDump of what the collector received
  tshark.txt     "SPORT CLASS" per flow record, as tshark decodes them
  nfdump.txt     "SPORT CLASS" per flow record, as nfdump prints them
  kinds.txt      "KIND<TAB>CLIENT_PORT" per flow of the test
and prints one "PASS desc" or "FAIL desc" line per property.
"""
import collections
import re
import sys

D = sys.argv[1]
CLIENTS = ("10.0.1.2", "fd00:1::2")


def verdict(ok, desc):
    print(("PASS " if ok else "FAIL ") + desc)


def kinds():
    out = {}
    for line in open(f"{D}/kinds.txt"):
        kind, port = line.rstrip("\n").split("\t")
        out[int(port)] = kind
    return out


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


def ipfixdump():
    """client port -> [ipClassOfService or None (no such field)]"""
    out = collections.defaultdict(list)
    rec = None

    def done():
        if rec and "sport" in rec:
            out[rec["sport"]].append(rec.get("class"))

    for line in open(f"{D}/ipfixdump.txt"):
        if line.startswith("---"):
            done()
            rec = {} if "data record" in line else None
            continue
        m = re.match(r"\s*\(\S+\)\s+(\w+) : (\S+)", line)
        if rec is None or not m:
            continue
        if m.group(1) == "sourceTransportPort":
            rec["sport"] = int(m.group(2))
        elif m.group(1) == "ipClassOfService":
            rec["class"] = int(m.group(2), 0)
    done()
    return out


def decoded(name):
    """client port -> the classes of its records, as a decoder put them"""
    out = collections.defaultdict(list)
    for line in open(f"{D}/{name}"):
        f = line.split()
        if len(f) == 2 and f[0].isdigit() and f[1] != "-":
            out[int(f[0])].append(int(f[1], 0))
    return out


kind_of = kinds()
sent = first_class()
dump = ipfixdump()
missing = [p for p in kind_of if p not in sent]
verdict(not missing, f"every flow is in the capture (missing: {missing})")
verdict(sent.get(44004) == 0x88,
        f"the router rewrote CS1 to AF41 ({sent.get(44004)})")
for port, kind in kind_of.items():
    want = sent.get(port)
    got = dump.get(port, [])
    if want:
        ok = got and all(c == want for c in got)
    else:
        ok = got and all(c is None for c in got)	# not in its template
    verdict(ok, f"{kind}: the records carry {got}, the first packet left"
            f" with {want}")
for name in ("tshark.txt", "nfdump.txt"):
    got = decoded(name)
    diff = {p: (sent.get(p), got.get(p)) for p in kind_of if sent.get(p) and
            (not got.get(p) or any(c != sent[p] for c in got[p]))}
    verdict(not diff, f"{name.split('.')[0]} decodes the same class"
            f" (differences, capture against it: {diff})")
