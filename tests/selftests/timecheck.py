#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Compare every record's start and end with the router's capture (47-times).

timecheck.py DIR TOLERANCE_MS reads, from DIR:
  capture.tsv    tshark's fields of each packet captured on the router's
                 client side interface: time, addresses, protocols, ports,
                 ICMP types (the first header of each only)
  ipfixdump.txt  libfixbuf's ipfixDump of what the collector received
  kinds.txt      "KIND<TAB>PROTO<TAB>CLIENT_PORT" per flow of the test
                 (CLIENT_PORT "-" for ICMP echo to the server, one flow
                 per protocol)
and prints one "PASS desc" or "FAIL desc" line per property: per kind, the
median and largest error of flowStart against the flow's first packet and
of the final record's end against its last, within TOLERANCE_MS; for each
interim record, that its end is the last packet it counted.
"""
import collections
import statistics
import sys

from checks import verdict
from ipfixdump import flow_records, key

D, TOL = sys.argv[1], float(sys.argv[2])
CLIENTS = ("10.0.1.2", "fd00:1::2")
SERVERS = ("10.0.2.2", "fd00:2::2")	# not .3: the warm-up pings
ECHO = {1: (8, 0), 58: (128, 129)}	# request, reply



def packet_key(f):
    """The flow (as its records name it, client to server) a captured
    packet belongs to, or None."""
    t, src4, dst4, src6, dst6, p4, p6, tsp, tdp, usp, udp, it4, it6 = \
        (f + [""] * 13)[:13]
    src, dst = (src4, dst4) if src4 else (src6, dst6)
    proto = int(p4 or p6 or 0)
    orig = src in CLIENTS
    client, server = (src, dst) if orig else (dst, src)
    if proto in ECHO:
        itype = int(it4 or it6 or -1)
        if itype not in ECHO[proto]:
            return None
        return key(proto, client, server, 8 if proto == 1 else 128, 0)
    sp, dp = (tsp, tdp) if proto == 6 else (usp, udp)
    if not sp:
        return None
    return key(proto, client, server, *((sp, dp) if orig else (dp, sp)))


def capture():
    """flow key -> sorted packet times"""
    times = collections.defaultdict(list)
    for line in open(f"{D}/capture.tsv"):
        f = line.rstrip("\n").split("\t")
        k = packet_key(f)
        if k:
            times[k].append(float(f[0]))
    return {k: sorted(v) for k, v in times.items()}


def kinds(flows):
    """flow key -> kind, for the flows of kinds.txt the capture has"""
    out, missing = {}, []
    for line in open(f"{D}/kinds.txt"):
        kind, proto, port = line.rstrip("\n").split("\t")
        found = [k for k in flows if k[0] == int(proto) and
                 k[2] in SERVERS and (port == "-" or k[3] == int(port))]
        if len(found) != 1:
            missing.append(f"{kind} {proto}/{port}: {len(found)} in capture")
        for k in found:
            out[k] = kind
    return out, missing


def ms(v):
    return round(v * 1000, 1)


flows = capture()
kind_of, missing = kinds(flows)
verdict(not missing, f"every flow of the test is in the capture ({missing})")
records = collections.defaultdict(list)
for r in flow_records(f"{D}/ipfixdump.txt"):
    if r["key"] in kind_of:
        records[r["key"]].append(r)

errors = collections.defaultdict(lambda: {"start": [], "end": []})
finals = {}
for k, kind in kind_of.items():
    recs = records.get(k, [])	# as they arrived: the final one last
    final = [r for r in recs if r["reason"] != 2]
    finals[k] = len(final)
    if final and recs[-1] is not final[-1]:
        finals[k] = "an interim after the final"
    if finals[k] != 1:
        continue
    pkts = flows[k]
    for r in recs:
        errors[kind]["start"].append(r["start"] - pkts[0])
    errors[kind]["end"].append(final[0]["end"] - pkts[-1])
    # an interim's end is the last packet it (and those before) counted
    counted = 0
    for r in recs[:-1]:
        f = r["fields"]
        counted += int(f.get("packetDeltaCount", 0)) + \
            int(f.get("reversePacketDeltaCount", 0))
        if counted < 1 or counted > len(pkts):
            errors[kind + " (interims)"]["end"].append(float("inf"))
            continue
        errors[kind + " (interims)"]["end"].append(r["end"] - pkts[counted - 1])

off = {kind_of[k]: n for k, n in finals.items() if n != 1}
verdict(not off, f"exactly one final record per flow, after its interims"
        f" (off: {off})")
for kind in sorted(errors):
    for what in ("start", "end"):
        e = [abs(v) for v in errors[kind][what]]
        if not e:
            continue
        worst = max(e)
        verdict(worst <= TOL / 1000,
                f"{kind}: {what} error median {ms(statistics.median(e))} ms,"
                f" max {ms(worst)} ms over {len(e)} records"
                f" (tolerance {TOL} ms)")
interims = [k for k in errors if k.endswith("(interims)")]
verdict(any(errors[k]["end"] for k in interims),
        f"the long flow has interim records ({interims})")
