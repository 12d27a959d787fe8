# SPDX-License-Identifier: GPL-2.0
"""The flow records tshark decodes (`tshark -T json --no-duplicate-keys`),
for the checkers (flowcheck.py, formatcheck.py)."""
import json

from ipfixdump import key

# the first flow template's id (include/ctipfix_ipfix.h): below it,
# 258 is the in-band statistics' options template, whose records come
# every stats_interval, within the run on a slow (debug) kernel
FIRST_FLOW_TEMPLATE = 259
# the interface names' options template (kmod/iftable.c)
INTERFACE_TEMPLATE = 257


def tshark_messages(path, dport=None):
    """Each IPFIX message tshark decoded (of the datagrams to UDP port
    dport only, if given): its cflow layer, and its data sets as
    (set id, the set's decoded fields)."""
    for pkt in json.load(open(path)):
        layers = pkt["_source"]["layers"]
        cf = layers.get("cflow")
        if cf is None:
            continue
        if dport is not None and \
           int(layers.get("udp", {}).get("udp.dstport", -1)) != dport:
            continue
        yield cf, [(int(s["cflow.flowset_id"]), s) for name, s in cf.items()
                   if name.startswith("Set ") and "cflow.flowset_id" in s]


def set_records(s):
    """the data records of one decoded set"""
    return [r for name, r in s.items() if name.startswith("Flow ")]


def tshark_records(path, dport=None):
    """Every flow record tshark decoded, plus message headers: of the
    datagrams to UDP port dport only, if given."""
    recs, msgs = [], []
    for cf, sets in tshark_messages(path, dport):
        n = 0
        for set_id, s in sets:
            if set_id < 256:
                continue
            for fl in set_records(s):
                n += 1    # the sequence counts every data record
                if set_id >= FIRST_FLOW_TEMPLATE:
                    recs.append(fl)
        msgs.append((int(cf["cflow.od_id"]), int(cf["cflow.sequence"]), n))
    return recs, msgs


def tshark_interface_names(path, dport):
    """The interface records (options template 257) tshark decoded from
    the datagrams to UDP port dport: (domain, ifindex, interfaceName,
    interfaceDescription) each."""
    return [(int(r["cflow.od_id"]), int(r["cflow.inputint"]),
             r["cflow.if_name"], r["cflow.if_descr"])
            for _, sets in tshark_messages(path, dport)
            for set_id, s in sets if set_id == INTERFACE_TEMPLATE
            for r in set_records(s)]


def tshark_key(r):
    proto = int(r["cflow.protocol"])
    src = r.get("cflow.srcaddr", r.get("cflow.srcaddrv6"))
    dst = r.get("cflow.dstaddr", r.get("cflow.dstaddrv6"))
    if proto == 1:
        tc = int(r["cflow.icmp_type_code_ipv4"], 16)
        return key(proto, src, dst, tc >> 8, tc & 0xff)
    if proto == 58:
        return key(proto, src, dst, r["cflow.icmp_ipv6_type"],
                   r["cflow.icmp_ipv6_code"])
    return key(proto, src, dst, r["cflow.srcport"], r["cflow.dstport"])
