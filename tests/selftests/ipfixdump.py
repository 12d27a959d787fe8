# SPDX-License-Identifier: GPL-2.0
"""The data records that libfixbuf's ipfixDump decodes, for the checkers
(flowcheck.py, timecheck.py, flagcheck.py, classcheck.py).

Times come from ipfixDump: tshark (Wireshark 4.0) reads the compact
templates' 2-byte flowDurationMilliseconds as 4 bytes (RFC 7011
reduced-size encoding), so its durations for them are wrong."""
import datetime
import ipaddress
import re

ICMP = (1, 58)


def key(proto, src, dst, a, b):
    """A flow: protocol, addresses, and ports or ICMP type and code."""
    return (proto, src, dst, int(a), int(b))


def dump_time(s):
    """an ipfixDump dateTimeMilliseconds (UTC), in s"""
    return datetime.datetime.strptime(s + " +0000",
                                      "%Y-%m-%d %H:%M:%S.%f %z").timestamp()


def dump_key(f):
    proto = int(f["protocolIdentifier"])
    src = str(ipaddress.ip_address(f.get("sourceIPv4Address") or
                                   f["sourceIPv6Address"]))
    dst = str(ipaddress.ip_address(f.get("destinationIPv4Address") or
                                   f["destinationIPv6Address"]))
    if proto in ICMP:
        tc = int(f.get("icmpTypeCodeIPv4") or f["icmpTypeCodeIPv6"], 0)
        return key(proto, src, dst, tc >> 8, tc & 0xff)
    return key(proto, src, dst, f.get("sourceTransportPort", 0),
               f.get("destinationTransportPort", 0))


def flow_records(path):
    """Every flow record in the ipfixDump output at path, in order, as a
    dict: key, start and end (s; end being flowEndMilliseconds or start +
    flowDurationMilliseconds), reason, and the decoded fields."""
    out, f = [], None
    for line in open(path).read().splitlines() + ["---"]:
        if line.startswith("---"):
            if f and "flowStartMilliseconds" in f and "flowEndReason" in f:
                start = dump_time(f["flowStartMilliseconds"])
                end = dump_time(f["flowEndMilliseconds"]) \
                    if "flowEndMilliseconds" in f else \
                    start + int(f["flowDurationMilliseconds"]) / 1000
                out.append({"key": dump_key(f), "start": start, "end": end,
                            "reason": int(f["flowEndReason"]), "fields": f})
            f = {} if "data record" in line else None
            continue
        m = re.match(r"\s*\(\S+\)\s+(\w+) : (.*)$", line)
        if f is not None and m:
            f[m.group(1)] = m.group(2).strip()
    return out


def interface_names(path):
    """The interface records (options template 257) in the ipfixDump
    output at path, in order: (scope domain, ifindex, interfaceName,
    interfaceDescription) each."""
    out, f = [], None
    for line in open(path).read().splitlines() + ["---"]:
        if line.startswith("---"):
            if f and "interfaceName" in f:
                out.append((int(f["observationDomainId"]),
                            int(f["ingressInterface"]), f["interfaceName"],
                            f["interfaceDescription"]))
            f = {} if "data record" in line else None
            continue
        # scope fields are marked "(S)"; strings come as "(len: N) text"
        m = re.match(r"\s*\(\d+\)(?: \(S\))?\s+(\w+) : "
                     r"(?:\(len: \d+\) )?(.*)$", line)
        if f is not None and m:
            f[m.group(1)] = m.group(2).strip()
    return out


def exported_counts(path):
    """What the ipfixDump output at path holds, per observation domain:
    {domain: [messages, flow records]}, and the last in-band statistics
    record (RFC 7011 4.3) of each domain it is scoped to: {domain:
    {field: value}}."""
    held = {}
    reports = {}
    domain, f = None, None
    for line in open(path).read().splitlines() + ["---"]:
        m = re.search(r"observation domain id: (\d+)", line)
        if m:
            domain = int(m.group(1))
            held.setdefault(domain, [0, 0])[0] += 1
        if line.startswith("---"):
            if f and "flowStartMilliseconds" in f and "flowEndReason" in f:
                held[domain][1] += 1
            elif f and "exportedFlowRecordTotalCount" in f:
                reports[int(f["observationDomainId"])] = f
            f = {} if "data record" in line else None
            continue
        m = re.match(r"\s*\(\S+\)\s+(?:\(S\)\s+)?(\w+) : (.*)$", line)
        if f is not None and m:
            f[m.group(1)] = m.group(2).strip()
    return held, reports
