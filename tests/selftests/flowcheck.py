#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Compare what collectors decoded with conntrack's own account of the flows.

flowcheck.py DIR reads, from DIR:
  events.txt      `conntrack -E -o extended,id,timestamp` of the router
                  (ground truth)
  tshark.json     tshark's decode of the IPFIX datagrams
  nfdump.csv, nfdump-info.txt   nfdump's decode and statistics
  ipfixdump.txt   libfixbuf's ipfixDump of the same messages
  stats.txt       `ctipfixctl stats` at the end
and prints one "PASS desc" or "FAIL desc" line per property.
"""
import collections
import sys

from checks import verdict
from ipfixdump import ICMP, flow_records, key
from nfdumpcsv import nfdump_flows, sequence_failures
from tsharkjson import tshark_key, tshark_records

D = sys.argv[1]
ACTIVE_TIMEOUT = 2



def event_key(f):
    """The flow an event line (split, without its timestamp) is about."""
    proto = int(f[4])
    kv = collections.defaultdict(list)
    for tok in f:
        if "=" in tok:
            k, v = tok.split("=", 1)
            kv[k].append(v)
    if proto in ICMP:
        return key(proto, kv["src"][0], kv["dst"][0], kv["type"][0],
                   kv["code"][0]), kv
    return key(proto, kv["src"][0], kv["dst"][0],
               kv.get("sport", [0])[0], kv.get("dport", [0])[0]), kv


def ground_truth():
    """conntrack DESTROY events: key -> [pkts, bytes, rev_pkts, rev_bytes];
    and when conntrack -E read each NEW and DESTROY event: key -> time."""
    flows, new, seen = {}, 0, {"[NEW]": {}, "[DESTROY]": {}}
    for line in open(f"{D}/events.txt"):
        f = line.split()
        if len(f) < 6 or f[1] not in seen:
            continue
        when, f = float(f[0].strip("[]")), f[1:]
        k, kv = event_key(f)
        seen[f[0]][k] = when
        if f[0] == "[NEW]":
            new += 1
            continue
        if len(kv["packets"]) != 2:	# no accounting: cannot compare
            flows[k] = None
            continue
        flows[k] = [int(kv["packets"][0]), int(kv["bytes"][0]),
                    int(kv["packets"][1]), int(kv["bytes"][1])]
    return flows, new, seen["[NEW]"], seen["[DESTROY]"]


def dump_times():
    """(key, start, end, reason) of every record ipfixDump decoded"""
    return [(r["key"], r["start"], r["end"], r["reason"])
            for r in flow_records(f"{D}/ipfixdump.txt")]


def module_stats():
    st = {}
    for line in open(f"{D}/stats.txt"):
        f = line.split()
        if len(f) == 2 and f[1].isdigit():
            st[f[0]] = int(f[1])
    return st


truth, new, new_at, destroy_at = ground_truth()
verdict(None not in truth.values(), "conntrack accounted every entry")
verdict(len(truth) >= 10 and new == len(truth),
        f"conntrack reported {new} new and {len(truth)} destroyed entries")

recs, msgs = tshark_records(f"{D}/tshark.json")
st = module_stats()
exported = st.get("records_final", -1) + st.get("records_interim", -1)
verdict(len(recs) == exported and exported > 0,
        f"tshark decoded every record ({len(recs)} of {exported} exported)")
verdict(st.get("records_dropped", -1) == 0 and
        st.get("messages_dropped", -1) == 0, "module dropped nothing")

sums = collections.defaultdict(lambda: [0, 0, 0, 0])
finals = collections.Counter()
interims = collections.Counter()
reasons = {}
for r in recs:
    k = tshark_key(r)
    o, p = r["cflow.octets"], r["cflow.packets"]
    s = sums[k]
    s[0] += int(p[0])
    s[1] += int(o[0])
    s[2] += int(p[1])
    s[3] += int(o[1])
    reason = int(r["cflow.flow_end_reason"])
    if reason == ACTIVE_TIMEOUT:
        interims[k] += 1
    else:
        finals[k] += 1
        reasons[k] = reason

extra = set(sums) - set(truth)
missing = set(truth) - set(sums)
verdict(not missing, f"a record for every conntrack entry (missing: {sorted(missing)})")
verdict(not extra, f"no record without a conntrack entry (extra: {sorted(extra)})")
multi = {k: n for k, n in finals.items() if n != 1}
verdict(not multi and set(finals) == set(truth),
        f"exactly one final record per entry (off: {multi})")
wrong = {k: (sums[k], v) for k, v in truth.items() if sums.get(k) != v}
verdict(not wrong, "packets and bytes per direction equal conntrack's "
        f"({len(truth) - len(wrong)} of {len(truth)} flows; wrong: {wrong})")

# Times: a flow starts before conntrack -E hears of it (NEW), within the
# event's way to userspace; its final record ends by the DESTROY event, or
# at most one pass (flush_interval_ms) after it for an entry deleted.
starts, ends = {}, {}
for k, start, end, reason in dump_times():
    starts[k] = min(starts.get(k, 1e12), start)
    if reason != ACTIVE_TIMEOUT:
        ends[k] = end
early = {k: round(new_at[k] - t, 3) for k, t in starts.items()
         if k in new_at and not 0 <= new_at[k] - t + 0.01 <= 2}
verdict(not early and set(starts) == set(new_at), "flowStart is when the flow "
        f"began (up to 2 s before conntrack -E read NEW; off: {early})")
late = {k: round(t - destroy_at[k], 3) for k, t in ends.items()
        if k in destroy_at and not (t <= destroy_at[k] + 0.6 and t >= starts[k])}
verdict(not late and set(ends) == set(destroy_at), "the final record ends "
        f"after its start and by the DESTROY event (+0.6 s; off: {late})")

longk = [k for k in truth if k[0] == 17 and k[4] == 7777]
verdict(len(longk) == 1 and interims[longk[0]] >= 2,
        f"the long flow has interim records ({[interims[k] for k in longk]})")
tcp_reasons = {reasons.get(k) for k in truth if k[0] == 6}
verdict(tcp_reasons == {3}, f"closed TCP flows end with reason 3 ({tcp_reasons})")
udp_reasons = {reasons.get(k) for k in truth if k[0] == 17}
verdict(udp_reasons == {1}, f"timed-out UDP flows end with reason 1 ({udp_reasons})")
fams = {len(k[1].split(".")) == 4 for k in truth}
verdict(fams == {True, False}, "both IPv4 and IPv6 flows were exported")

# RFC 7011: sequence = data records sent before this message, per domain
seq_ok, expect = True, {}
for od, seq, n in msgs:
    if expect.get(od, seq) != seq:
        seq_ok = False
    expect[od] = seq + n
verdict(seq_ok and msgs, f"header sequence numbers are continuous ({len(msgs)} messages)")

# nfdump, a second independent decoder
verdict(sequence_failures(f"{D}/nfdump-info.txt") == 0,
        "nfdump -I: Sequence failures: 0")
rows, nf = nfdump_flows(f"{D}/nfdump.csv")
verdict(rows == len(recs), f"nfdump decoded every record ({rows} of {len(recs)})")
nf_wrong = {k: (nf.get(k), v) for k, v in truth.items()
            if k[0] not in ICMP and nf.get(k) != v}
verdict(not nf_wrong, f"nfdump's counts equal conntrack's (wrong: {nf_wrong})")

# libfixbuf, a third
dump = open(f"{D}/ipfixdump.txt").read()
verdict("out of sequence" not in dump.lower(), "ipfixDump reports no sequence problem")
n_dump = len(flow_records(f"{D}/ipfixdump.txt"))
verdict(n_dump == len(recs), f"ipfixDump decoded every record ({n_dump} of {len(recs)})")
