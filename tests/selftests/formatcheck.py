#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""What each collector read in the format it was sent, against the module's
own biflow records.

formatcheck.py DIR reads, from DIR:
  biflow.txt              ipfixDump of what the biflow collector got (truth)
  uniflow.txt             ipfixDump of the default (uniflow) collector's
  tshark.json             tshark's decode of what the biflow (4739),
                          uniflow (4740) and standard (4741) collectors got
  standard.txt            ipfixDump of the standard collector's
  nfacctd-uniflow.json    nfacctd's print plugin, sent uniflow
  nfacctd-standard.json   nfacctd's print plugin, sent standard
  fastnetmon.log          FastNetMon's dump of every flow, sent uniflow
  nfdump-info.txt, nfdump.csv   nfdump (nfcapd), sent uniflow
  nfdump-F-info.txt, nfdump-F.csv   the same, sent F (biflow, standard)
and prints one "PASS desc" or "FAIL desc" line per property. It writes
DIR/matrix.md: what it asserted, collector by format, for the README.
"""
import collections
import datetime
import ipaddress
import json
import re
import sys
import time

from checks import verdict
from ipfixdump import ICMP, exported_counts, flow_records, \
    interface_names, key
from nfdumpcsv import nfdump_flows, nfdump_times, sequence_failures
from tsharkjson import tshark_interface_names, tshark_key, tshark_records

D = sys.argv[1]
FORMATS = ("biflow", "standard", "uniflow")
# (collector, format) -> [all checks passed, what they checked]
MATRIX = {}


def cell(collector, fmt, ok, desc, what):
    """a verdict, and its place in the collector x format matrix"""
    verdict(ok, desc)
    prev = MATRIX.get((collector, fmt), [True, []])
    MATRIX[(collector, fmt)] = [prev[0] and bool(ok), prev[1] + [what]]


def write_matrix():
    """matrix.md: what this run asserted, collector by format (README)"""
    rows = sorted({c for c, _ in MATRIX}, key=str.lower)
    text = "| collector | " + " | ".join(FORMATS) + " |\n"
    text += "|---|" + "---|" * len(FORMATS) + "\n"
    for c in rows:
        cells = []
        for f in FORMATS:
            if (c, f) not in MATRIX:
                cells.append("-")
                continue
            ok, what = MATRIX[(c, f)]
            cells.append(("right: " if ok else "WRONG: ") + ", ".join(what))
        text += f"| {c} | " + " | ".join(cells) + " |\n"
    with open(D + "/matrix.md", "w") as out:
        out.write(text)
# a request's reply, as conntrack pairs them (ICMP, ICMPv6 echo)
REPLY_TYPE = {(1, 8): 0, (58, 128): 129}


def n(f, name):
    return int(f.get(name, "0").split()[0], 0)


def reverse_key(k):
    proto, src, dst, a, b = k
    if proto in ICMP:
        return key(proto, dst, src, REPLY_TYPE.get((proto, a), a), 0)
    return key(proto, dst, src, b, a)


def reply_key(r):
    """the reply direction of biflow record r, as a record of its own
    names it: coming in to the translated addresses and ports (post-NAT)
    if conntrack translated the flow (ipfix_format.c, reverse_source())"""
    k, f = r["key"], r["fields"]
    if "postNAPTSourceTransportPort" not in f:
        return reverse_key(k)
    v6 = "postNATSourceIPv6Address" in f
    src = f["postNATSourceIPv6Address" if v6 else "postNATSourceIPv4Address"]
    dst = f["postNATDestinationIPv6Address" if v6 else
            "postNATDestinationIPv4Address"]
    a, b = (k[3], k[4]) if k[0] in ICMP else \
        (n(f, "postNAPTSourceTransportPort"),
         n(f, "postNAPTDestinationTransportPort"))
    return reverse_key(key(k[0], str(ipaddress.ip_address(src)),
                           str(ipaddress.ip_address(dst)), a, b))


def expected():
    """{directional key: [packets, octets]} from the biflow records"""
    out = collections.defaultdict(lambda: [0, 0])
    for r in flow_records(D + "/biflow.txt"):
        f = r["fields"]
        fwd = out[r["key"]]
        fwd[0] += n(f, "packetDeltaCount")
        fwd[1] += n(f, "octetDeltaCount")
        if n(f, "reversePacketDeltaCount"):
            rev = out[reply_key(r)]
            rev[0] += n(f, "reversePacketDeltaCount")
            rev[1] += n(f, "reverseOctetDeltaCount")
    return dict(out)


def biflow_expected():
    """{biflow key: [packets, octets, reverse packets, reverse octets]}"""
    out = collections.defaultdict(lambda: [0, 0, 0, 0])
    for r in flow_records(D + "/biflow.txt"):
        f = r["fields"]
        c = out[r["key"]]
        for i, name in enumerate(("packetDeltaCount", "octetDeltaCount",
                                  "reversePacketDeltaCount",
                                  "reverseOctetDeltaCount")):
            c[i] += n(f, name)
    return dict(out)


def sums(pairs):
    out = collections.defaultdict(lambda: [0, 0])
    for k, packets, octets in pairs:
        out[k][0] += packets
        out[k][1] += octets
    return dict(out)


def ports_only(d):
    """the TCP and UDP flows: what the collectors key by ports"""
    return {k: v for k, v in d.items() if k[0] in (6, 17)}


def truth_times():
    """{directional key: {(start, end, end reason)}}: the biflow records',
    each for both its directions (s, to the ms)"""
    times = collections.defaultdict(set)
    for r in flow_records(D + "/biflow.txt"):
        t = (round(r["start"], 3), round(r["end"], 3), r["reason"])
        times[r["key"]].add(t)
        times[reply_key(r)].add(t)
    return times


def check_mix():
    """the traffic has what the formats must carry through: translated
    flows and interim records"""
    recs = flow_records(D + "/biflow.txt")
    nat = sum(1 for r in recs if "postNAPTSourceTransportPort" in r["fields"])
    interims = sum(1 for r in recs if r["reason"] == 2)
    verdict(nat >= 2 and interims >= 1, "the biflow records have NAT "
            f"({nat} records) and interim records ({interims})")


def tshark_time(s):
    """a tshark absolute time ("Dec  7, 2026 03:53:28.220000000 UTC"), s"""
    day, frac = s.replace(" UTC", "").rsplit(".", 1)
    t = datetime.datetime.strptime(" ".join(day.split()), "%b %d, %Y "
                                   "%H:%M:%S")
    return round(t.replace(tzinfo=datetime.timezone.utc).timestamp() +
                 int(frac[:3]) / 1000, 3)


def check_tshark_times(fmt, port, end):
    """each record's start (and end, if tshark reads it right), and end
    reason, as its biflow record's"""
    recs, _ = tshark_records(D + "/tshark.json", port)
    times = truth_times()
    odd = []
    for r in recs:
        t = dict(r, **r.get("cflow.timedelta_tree", {}))
        got = (tshark_time(t["cflow.abstimestart"]),
               tshark_time(t["cflow.abstimeend"]) if end else None,
               int(r["cflow.flow_end_reason"]))
        if not any(got == (w[0], w[1] if end else None, w[2])
                   for w in times[tshark_key(r)]):
            odd.append((tshark_key(r), got))
    what = "times, end reason" if end else "start, end reason"
    cell("tshark", fmt, recs and not odd, f"tshark, sent {fmt}: {what} of "
         f"each record as its biflow record's ({len(recs)}; differing: "
         f"{odd[:3]})", what)


def check_nfdump_times(fmt, path):
    """each record's first second and duration (ms) as its biflow
    record's; nfdump shows no end reason"""
    rows = nfdump_times(path)
    times = truth_times()
    odd = [(k, start, td) for k, start, td in rows
           if not any(int(w[0]) == start and abs(w[1] - w[0] - td) < 0.0015
                      for w in times[k])]
    cell("nfdump", fmt, rows and not odd, f"nfdump, sent {fmt}: start and "
         f"duration of each record as its biflow record's ({len(rows)}; "
         f"differing: {odd[:3]})", "times")


def check_uniflow(want):
    recs = flow_records(D + "/uniflow.txt")
    got = sums((r["key"], n(r["fields"], "packetDeltaCount"),
                n(r["fields"], "octetDeltaCount")) for r in recs)
    cell("ipfixDump", "uniflow", got == want,
         "uniflow (the default): ipfixDump's records per direction carry "
         f"the module's counts ({len(want)} directions)", "counts")
    cell("ipfixDump", "uniflow", recs and not any(
        k.startswith("reverse") for r in recs for k in r["fields"]),
        "uniflow: no RFC 5103 reverse IE", "no reverse IE")
    dirs = collections.Counter(n(r["fields"], "biflowDirection")
                               for r in recs)
    replies = sum(1 for r in flow_records(D + "/biflow.txt")
                  if n(r["fields"], "reversePacketDeltaCount"))
    cell("ipfixDump", "uniflow",
         dirs[2] == replies and dirs[1] == len(recs) - replies,
         f"uniflow: biflowDirection 1 for initiators ({dirs[1]}), 2 for "
         f"the {replies} records with a reply ({dirs[2]})",
         "biflowDirection")
    verdict(all("flowDurationMilliseconds" not in r["fields"] and
                "flowEndMilliseconds" in r["fields"] for r in recs),
            "uniflow: every record has its end time, none a duration")
    # each direction's record has its biflow record's times and reason
    times = truth_times()
    odd = [(r["key"], r["start"], r["end"]) for r in recs
           if (round(r["start"], 3), round(r["end"], 3), r["reason"])
           not in times[r["key"]]]
    cell("ipfixDump", "uniflow", recs and not odd,
         "uniflow: start, end and end reason of each record as its biflow "
         f"record's (differing: {odd[:3]})", "times, end reason")


def check_tshark(want):
    recs, msgs = tshark_records(D + "/tshark.json", 4740)
    got = sums((tshark_key(r), int(r["cflow.packets"]),
                int(r["cflow.octets"])) for r in recs)
    cell("tshark", "uniflow", got == want, "uniflow: tshark's records per "
         f"direction carry the module's counts ({len(want)}; got "
         f"{len(got)})", "counts")
    dirs = sorted({r.get("cflow.biflow_direction") for r in recs})
    cell("tshark", "uniflow", dirs == ["1", "2"],
         f"uniflow: tshark reads biflowDirection ({dirs})", "biflowDirection")
    cell("tshark", "uniflow", msgs and sequence_ok(msgs), "uniflow: each "
         "message's sequence number counts the records before it "
         f"({len(msgs)} messages)", "sequence numbers")


def sequence_ok(msgs):
    """each message's sequence number counts the data records before it,
    in its domain (RFC 7011)"""
    seq, ok = {}, True
    for domain, number, records in msgs:
        ok = ok and seq.get(domain, number) == number
        seq[domain] = number + records
    return ok


def both(value):
    """a field tshark decoded once or, with its reverse IE, twice: as
    [forward, reverse]"""
    return value + [0] * (2 - len(value)) if isinstance(value, list) \
        else [value, 0]


def check_tshark_biflow(fmt, port):
    """tshark sent biflow records (biflow, standard): each record's
    counts and its reverse counts"""
    recs, msgs = tshark_records(D + "/tshark.json", port)
    want = biflow_expected()
    got = collections.defaultdict(lambda: [0, 0, 0, 0])
    for r in recs:
        p, o = both(r["cflow.packets"]), both(r["cflow.octets"])
        c = got[tshark_key(r)]
        for i, v in enumerate((p[0], o[0], p[1], o[1])):
            c[i] += int(v)
    wrong = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
    cell("tshark", fmt, want and not wrong and len(got) == len(want),
         f"tshark, sent {fmt}: packets and bytes of both directions of "
         f"each flow ({len(want)}; got {len(got)}; wrong: {wrong})",
         "counts, both directions")
    cell("tshark", fmt, msgs and sequence_ok(msgs), f"tshark, sent {fmt}: "
         "each message's sequence number counts the records before it "
         f"({len(msgs)} messages)", "sequence numbers")


def check_standard():
    recs = flow_records(D + "/standard.txt")
    want = biflow_expected()
    got = collections.defaultdict(lambda: [0, 0, 0, 0])
    for r in recs:
        for i, name in enumerate(("packetDeltaCount", "octetDeltaCount",
                                  "reversePacketDeltaCount",
                                  "reverseOctetDeltaCount")):
            got[r["key"]][i] += n(r["fields"], name)
    cell("ipfixDump", "standard", dict(got) == want, "standard: ipfixDump's "
         f"biflow records carry the module's counts ({len(want)} flows)",
         "counts")
    versions = {(r["key"][1].count(":") and 6 or 4,
                 n(r["fields"], "ipVersion"),
                 r["fields"].get("flowDirection")) for r in recs}
    cell("ipfixDump", "standard",
         recs and versions <= {(4, 4, "0"), (6, 6, "0")},
         "standard: ipVersion matches the addresses, flowDirection 0 "
         f"(ingress) ({sorted(versions)})", "ipVersion, flowDirection")


def check_nfdump_biflow(fmt):
    """nfdump sent biflow records (biflow, standard): one row a record,
    the reply's counts in its out columns"""
    recs = flow_records(D + "/biflow.txt")
    want = ports_only(biflow_expected())
    rows, got = nfdump_flows(f"{D}/nfdump-{fmt}.csv")
    cell("nfdump", fmt, sequence_failures(f"{D}/nfdump-{fmt}-info.txt") == 0,
         f"nfdump, sent {fmt}: no sequence failure", "no sequence failure")
    cell("nfdump", fmt, rows == len(recs), f"nfdump, sent {fmt}: one row "
         f"per biflow record ({len(recs)}; got {rows})", "every record")
    wrong = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
    cell("nfdump", fmt, want and not wrong, f"nfdump, sent {fmt}: packets "
         f"and bytes of both directions of each TCP/UDP flow ({len(want)}; "
         f"wrong: {wrong})", "counts, both directions")


def nfacctd_rows(path):
    """nfacctd's print plugin output: (directional key, row) of each TCP
    and UDP row"""
    proto = {"tcp": 6, "udp": 17}
    for line in open(path):
        j = json.loads(line)
        if j.get("ip_proto") in proto:
            yield key(proto[j["ip_proto"]], j["ip_src"], j["ip_dst"],
                      j["port_src"], j["port_dst"]), j


def nfacctd(path):
    """nfacctd's print plugin: {directional key: [packets, bytes]}"""
    return sums((k, j["packets"], j["bytes"]) for k, j in nfacctd_rows(path))


def nfacctd_time(s):
    """an nfacctd timestamp ("2026-12-07 04:04:38.546000", local), s"""
    day, frac = s.split(".")
    return round(time.mktime(time.strptime(day, "%Y-%m-%d %H:%M:%S")) +
                 int(frac[:3]) / 1000, 3)


def check_nfacctd_times(fmt, path):
    """each TCP/UDP row's start and end (its aggregation keys) as those
    of a biflow record of its flow"""
    times = truth_times()
    rows, odd = 0, []
    for k, j in nfacctd_rows(path):
        rows += 1
        got = (nfacctd_time(j["timestamp_start"]),
               nfacctd_time(j["timestamp_end"]))
        if not any(got == w[:2] for w in times[k]):
            odd.append((k, got))
    cell("nfacctd", fmt, rows and not odd, f"nfacctd, sent {fmt}: start "
         f"and end of each row as its biflow record's ({rows}; differing: "
         f"{odd[:3]})", "times")


def fastnetmon():
    """FastNetMon's dump of each flow: {directional key: [packets, bytes]}"""
    proto = {"tcp": 6, "udp": 17}
    pairs = []
    pat = re.compile(r"Dump: \S+ \S+ (\S+):(\d+) > (\S+):(\d+) protocol: "
                     r"(\w+) .*packets: (\d+) size: (\d+) bytes")
    for line in open(D + "/fastnetmon.log"):
        m = pat.search(line)
        if m and m.group(5) in proto:
            pairs.append((key(proto[m.group(5)], m.group(1), m.group(3),
                              m.group(2), m.group(4)),
                          int(m.group(6)), int(m.group(7))))
    return sums(pairs)


def check_reports(fmt):
    """The in-band statistics each collector got count what it was sent
    in the flows' domain: in uniflow and standard the daemon's own counts
    of messages and flow records; in biflow the module's, whose message
    count leaves out the template messages a daemon may send first."""
    held, reports = exported_counts(f"{D}/{fmt}.txt")
    what = (1,) if fmt == "biflow" else (0, 1)
    flows = {d: [c[i] for i in what] for d, c in held.items() if c[1]}
    got = {d: [int(r[("exportedMessageTotalCount",
                      "exportedFlowRecordTotalCount")[i]]) for i in what]
           for d, r in reports.items()}
    cell("ipfixDump", fmt, flows and got == flows,
         f"ipfixDump, sent {fmt}: the last statistics count the "
         f"{'flow records' if fmt == 'biflow' else 'messages and flow records'}"
         f" it got ({flows}; reported {got})", "in-band statistics")


def router_links():
    """the router's interfaces as `ip -o link show` listed them at the
    end: {ifindex: name}"""
    out = {}
    for line in open(D + "/router-links.txt"):
        index, name = line.split(":")[:2]
        out[int(index)] = name.strip().split("@")[0]
    return out


def named(records, domains):
    """interface records -> {ifindex: name}, the last of each, if they
    name the interfaces of the flow domains and only those, with the
    same name in interfaceName and interfaceDescription; else None"""
    if {r[0] for r in records} != domains or \
       any(r[2] != r[3] for r in records):
        return None
    return {r[1]: r[2] for r in records}


def check_names(port):
    """every format's collectors get the router's interface names: one
    that came and was renamed (ifprobe1) among them, in the flow domain's
    scope; nfdump shows them beside each flow's interfaces"""
    links = router_links()
    domains = {d for d, (_, records) in
               exported_counts(D + "/biflow.txt")[0].items() if records}
    for fmt in FORMATS:
        got = named(interface_names(f"{D}/{fmt}.txt"), domains)
        cell("ipfixDump", fmt, got == links, f"ipfixDump, sent {fmt}: the "
             f"router's interface names ({links}; got {got})",
             "interface names")
        got = named(tshark_interface_names(D + "/tshark.json", port[fmt]),
                    domains)
        cell("tshark", fmt, got == links, f"tshark, sent {fmt}: the router's "
             f"interface names ({links}; got {got})", "interface names")
        suffix = "" if fmt == "uniflow" else "-" + fmt
        rows = [[x.strip() for x in line.split("|")] for line in
                open(f"{D}/nfdump{suffix}-names.txt") if line.strip()]
        wrong = [r for r in rows if len(r) < 4 or
                 r[1] != links.get(int(r[0])) or
                 r[3] != links.get(int(r[2]))]
        cell("nfdump", fmt, rows and not wrong, f"nfdump, sent {fmt}: each "
             f"flow's interfaces by name ({len(rows)} rows; wrong: "
             f"{wrong[:3]})", "interface names")


def main():
    for fmt in FORMATS:
        check_reports(fmt)
    want = expected()
    check_uniflow(want)
    check_tshark(want)
    check_tshark_biflow("biflow", 4739)
    check_tshark_biflow("standard", 4741)
    check_standard()
    tcp_udp = ports_only(want)
    got = nfacctd(D + "/nfacctd-uniflow.json")
    cell("nfacctd", "uniflow", got == tcp_udp, "nfacctd, sent uniflow: "
         f"packets and bytes of each TCP/UDP direction ({len(tcp_udp)}; got "
         f"{len(got)})", "counts, both directions")
    initiators = ports_only({r["key"]: None
                             for r in flow_records(D + "/biflow.txt")})
    got = nfacctd(D + "/nfacctd-standard.json")
    fwd = {k: want[k] for k in initiators}
    cell("nfacctd", "standard", got == fwd, "nfacctd, sent standard: "
         "packets and bytes of each TCP/UDP flow's original direction, small "
         f"ones too ({len(fwd)}; got {len(got)})",
         "counts, original direction only")
    # FastNetMon 1.2.4 keeps IPv4 flows of the networks it watches only
    v4 = {k: v for k, v in tcp_udp.items() if ":" not in k[1]}
    got = {k: v for k, v in fastnetmon().items() if ":" not in k[1]}
    cell("FastNetMon", "uniflow", got == v4, "FastNetMon, sent uniflow: "
         "packets and bytes of each IPv4 TCP/UDP direction, replies too "
         f"({len(v4)}; got {len(got)})", "counts, both directions")
    cell("nfdump", "uniflow",
         sequence_failures(D + "/nfdump-info.txt") == 0,
         "nfdump, sent uniflow: no sequence failure", "no sequence failure")
    uni = len(flow_records(D + "/uniflow.txt"))
    rows, _ = nfdump_flows(D + "/nfdump.csv")
    cell("nfdump", "uniflow", rows == uni, "nfdump, sent uniflow: one "
         f"record per uniflow record ({uni}; got {rows})", "every record")
    for fmt in ("biflow", "standard"):
        check_nfdump_biflow(fmt)
    check_names({"biflow": 4739, "uniflow": 4740, "standard": 4741})
    check_mix()
    # tshark 4.0 reads biflow's 2-byte durations as 4 bytes (README)
    check_tshark_times("biflow", 4739, False)
    check_tshark_times("uniflow", 4740, True)
    check_tshark_times("standard", 4741, True)
    check_nfacctd_times("uniflow", D + "/nfacctd-uniflow.json")
    check_nfacctd_times("standard", D + "/nfacctd-standard.json")
    for fmt in FORMATS:
        suffix = "" if fmt == "uniflow" else "-" + fmt
        check_nfdump_times(fmt, f"{D}/nfdump{suffix}.csv")
    write_matrix()


main()
