#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Seed inputs for the fuzz harnesses, shaped like what each reads: the
module's messages (a template set, then records in it), a template set
fetched over netlink, collector addresses. seeds.py DIR writes
DIR/NAME/seed-N for each harness NAME."""
import os
import struct
import sys

REV = 29305
# the module's compact IPv4 template with NAT fields: (IE, length, PEN)
FIELDS = [(8, 4, 0), (12, 4, 0), (7, 2, 0), (11, 2, 0), (4, 1, 0),
          (1, 2, 0), (2, 1, 0), (1, 2, REV), (2, 1, REV), (152, 8, 0),
          (161, 2, 0), (136, 1, 0), (10, 1, 0), (14, 1, 0), (6, 1, 0),
          (225, 4, 0), (226, 4, 0), (227, 2, 0), (228, 2, 0)]


def template(tid, fields):
    body = struct.pack(">HH", tid, len(fields))
    for ie, length, pen in fields:
        body += struct.pack(">HH", ie | (0x8000 if pen else 0), length)
        if pen:
            body += struct.pack(">I", pen)
    return body


def record(fields):
    return b"".join(bytes(range(1, length + 1)) for _, length, _ in fields)


def message(seq, domain, sets):
    body = b"".join(struct.pack(">HH", sid, 4 + len(b)) + b for sid, b in sets)
    return struct.pack(">HHIII", 10, 16 + len(body), 0x66000000, seq,
                       domain) + body


def options():
    tmpl = struct.pack(">HHH", 258, 2, 1) + struct.pack(">HHHH", 149, 4,
                                                          166, 8)
    return [(3, tmpl), (258, bytes(12))]


def write(d, name, seeds):
    os.makedirs(f"{d}/{name}", exist_ok=True)
    for i, s in enumerate(seeds):
        with open(f"{d}/{name}/seed-{i}", "wb") as f:
            f.write(s)


def main(d):
    t = template(260, FIELDS)
    first = message(0, 42, [(2, t), (260, record(FIELDS) * 3)])
    later = message(3, 42, [(260, record(FIELDS))])
    stats = message(0, 0xffffffff, options())
    write(d, "ipfix_format", [bytes([k]) + first + later + stats
                              for k in (0, 1, 2, 0x42, 0x81)])
    write(d, "ipfix_stream", [first + later, first[:20] + b"\x01" + first[20:]])
    tset = struct.pack(">HH", 2, 4 + len(t)) + t
    write(d, "ipfix_session", [struct.pack(">H", len(tset)) + tset + later
                               + first])
    write(d, "hostport", [b"192.0.2.1:4739", b"[2001:db8::1]:4739",
                          b"collector.example", b"[::1]"])


main(sys.argv[1])
