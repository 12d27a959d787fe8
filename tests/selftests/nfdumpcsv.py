# SPDX-License-Identifier: GPL-2.0
"""The flows nfdump decodes (`nfdump -o csv -6`, its header first), for
the checkers (flowcheck.py, formatcheck.py)."""
import collections
import re
import time

from ipfixdump import ICMP, key

PROTO = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMP6": 58}
COUNTS = ("ipkt", "ibyt", "opkt", "obyt")


def nfdump_flows(path):
    """(records, {key: [packets, octets, reverse packets, reverse octets]})
    for nfdump's csv at path: every record counted, the TCP and UDP ones
    summed by key (nfdump folds ICMP type and code into the ports)"""
    sums = collections.defaultdict(lambda: [0, 0, 0, 0])
    records = 0
    lines = open(path).read().splitlines()
    hdr = lines[0].split(",") if lines else []
    for line in lines[1:]:
        f = line.split(",")
        if len(f) != len(hdr):
            continue
        c = dict(zip(hdr, f))
        proto = PROTO.get(c["pr"], c["pr"])
        try:
            proto = int(proto)
        except ValueError:
            continue
        records += 1
        if proto in ICMP:
            continue
        s = sums[key(proto, c["sa"], c["da"], c["sp"], c["dp"])]
        for i, col in enumerate(COUNTS):
            s[i] += int(c[col])
    return records, dict(sums)


def nfdump_times(path):
    """[(key, start, duration)] of each record in nfdump's csv at path:
    its first second (ts, local time) and duration in s (td, in ms).
    nfdump folds an ICMP type and code into dp."""
    out = []
    lines = open(path).read().splitlines()
    hdr = lines[0].split(",") if lines else []
    for line in lines[1:]:
        c = dict(zip(hdr, line.split(",")))
        proto = PROTO.get(c.get("pr"))
        if len(c) != len(hdr) or proto is None:
            continue
        if proto in ICMP:
            k = key(proto, c["sa"], c["da"], int(c["dp"]) >> 8,
                    int(c["dp"]) & 0xff)
        else:
            k = key(proto, c["sa"], c["da"], c["sp"], c["dp"])
        start = time.mktime(time.strptime(c["ts"], "%Y-%m-%d %H:%M:%S"))
        out.append((k, int(start), float(c["td"])))
    return out


def sequence_failures(path):
    """what `nfdump -I` at path says of sequence failures: None if nothing"""
    m = re.search(r"Sequence failures: (\d+)", open(path).read())
    return None if m is None else int(m.group(1))
