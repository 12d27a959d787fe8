# SPDX-License-Identifier: GPL-2.0
"""The flows nfdump decodes (`nfdump -o csv -6`, its header first), for
the checkers (flowcheck.py, formatcheck.py)."""
import collections
import re

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


def sequence_failures(path):
    """what `nfdump -I` at path says of sequence failures: None if nothing"""
    m = re.search(r"Sequence failures: (\d+)", open(path).read())
    return None if m is None else int(m.group(1))
