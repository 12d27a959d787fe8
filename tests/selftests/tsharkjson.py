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


def tshark_records(path, dport=None):
    """Every flow record tshark decoded, plus message headers: of the
    datagrams to UDP port dport only, if given."""
    recs, msgs = [], []
    for pkt in json.load(open(path)):
        layers = pkt["_source"]["layers"]
        cf = layers.get("cflow")
        if cf is None:
            continue
        if dport is not None and \
           int(layers.get("udp", {}).get("udp.dstport", -1)) != dport:
            continue
        n = 0
        for name, s in cf.items():
            if not name.startswith("Set ") or "cflow.flowset_id" not in s:
                continue
            set_id = int(s["cflow.flowset_id"])
            if set_id < 256:
                continue
            for fname, fl in s.items():
                if not fname.startswith("Flow "):
                    continue
                n += 1    # the sequence counts every data record
                if set_id >= FIRST_FLOW_TEMPLATE:
                    recs.append(fl)
        msgs.append((int(cf["cflow.od_id"]), int(cf["cflow.sequence"]), n))
    return recs, msgs


def tshark_interface_names(path, dport):
    """The interface records (options template 257) tshark decoded from
    the datagrams to UDP port dport: (domain, ifindex, interfaceName,
    interfaceDescription) each."""
    out = []
    for pkt in json.load(open(path)):
        layers = pkt["_source"]["layers"]
        cf = layers.get("cflow")
        if cf is None or \
           int(layers.get("udp", {}).get("udp.dstport", -1)) != dport:
            continue
        for name, s in cf.items():
            if not name.startswith("Set ") or \
               s.get("cflow.flowset_id") != str(INTERFACE_TEMPLATE):
                continue
            for fname, r in s.items():
                if fname.startswith("Flow "):
                    out.append((int(r["cflow.od_id"]),
                                int(r["cflow.inputint"]),
                                r["cflow.if_name"], r["cflow.if_descr"]))
    return out


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
