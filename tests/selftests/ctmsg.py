#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Conntrack's netlink messages (ctnetlink), built here for what the
conntrack tool cannot do: stamp the moment a deletion is asked for, and
send a destroy event from a process (70-delivery).

ctmsg.py delete SRC DST DPORT SPORT...
    deletes the UDP entries SRC:SPORT -> DST:DPORT of this namespace, one
    by one, 0.2 s apart, and prints "SPORT EPOCH" for each, EPOCH read
    just before its request is sent: the time a `conntrack -D` would
    have killed it, without that process's start. Fails if one is refused.
ctmsg.py forge-destroy SRC DST DPORT SPORT
    unicasts a destroy event naming that UDP entry to every socket of
    this namespace bound to conntrack's destroy group only (the module's
    event socket); prints how many it was sent to.
"""
import errno
import os
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_DELETE = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NLA_F_NESTED = 0x8000
CTA_TUPLE_ORIG = 1
CTA_TUPLE_IP = 1
CTA_TUPLE_PROTO = 2
CTA_IP_V4_SRC = 1
CTA_IP_V4_DST = 2
CTA_PROTO_NUM = 1
CTA_PROTO_SRC_PORT = 2
CTA_PROTO_DST_PORT = 3
NFNLGRP_CONNTRACK_DESTROY_BIT = 1 << 2


def attr(kind, payload):
    size = 4 + len(payload)
    return struct.pack("=HH", size, kind) + payload + bytes(-size % 4)


def nested(kind, payload):
    return attr(kind | NLA_F_NESTED, payload)


def udp_tuple(src, dst, sport, dport):
    """CTA_TUPLE_ORIG of a UDP entry"""
    ip = attr(CTA_IP_V4_SRC, socket.inet_aton(src)) + \
        attr(CTA_IP_V4_DST, socket.inet_aton(dst))
    proto = attr(CTA_PROTO_NUM, bytes([socket.IPPROTO_UDP])) + \
        attr(CTA_PROTO_SRC_PORT, struct.pack("!H", sport)) + \
        attr(CTA_PROTO_DST_PORT, struct.pack("!H", dport))
    return nested(CTA_TUPLE_ORIG, nested(CTA_TUPLE_IP, ip) +
                  nested(CTA_TUPLE_PROTO, proto))


def delete_message(flags, seq, tuple_attr):
    """IPCTNL_MSG_CT_DELETE, as a request and as an event alike"""
    body = struct.pack("=BBH", socket.AF_INET, 0, 0) + tuple_attr
    kind = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE
    return struct.pack("=IHHII", 16 + len(body), kind, flags, seq, 0) + body


def ctnetlink_socket():
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                         NETLINK_NETFILTER)
    sock.bind((0, 0))
    return sock


def acked(sock, seq):
    """the kernel's answer to request SEQ: 0 or an errno"""
    while True:
        data = sock.recv(65536)
        while data:
            size, kind, _, got_seq, _ = struct.unpack_from("=IHHII", data)
            if kind == NLMSG_ERROR and got_seq == seq:
                return -struct.unpack_from("=i", data, 16)[0]
            data = data[(size + 3) & ~3:]


def delete(src, dst, dport, sports):
    sock = ctnetlink_socket()
    for seq, sport in enumerate(sports, 1):
        msg = delete_message(NLM_F_REQUEST | NLM_F_ACK, seq,
                             udp_tuple(src, dst, sport, dport))
        print(sport, "%.6f" % time.time(), flush=True)
        sock.send(msg)
        err = acked(sock, seq)
        if err:
            sys.exit("delete %d: %s" % (sport, os.strerror(err)))
        time.sleep(0.2)


def forge_destroy(src, dst, dport, sport):
    sock = ctnetlink_socket()
    msg = delete_message(0, 1, udp_tuple(src, dst, sport, dport))
    sent = 0
    with open("/proc/net/netlink") as table:
        for line in table.readlines()[1:]:
            field = line.split()
            # NETLINK_NETFILTER, bound to the destroy group only
            if field[1] == str(NETLINK_NETFILTER) and field[2] != "0" and \
               int(field[3], 16) == NFNLGRP_CONNTRACK_DESTROY_BIT:
                sock.sendto(msg, (int(field[2]), 0))
                sent += 1
    print(sent)


def main(argv):
    if len(argv) >= 5 and argv[0] == "delete":
        delete(argv[1], argv[2], int(argv[3]), [int(p) for p in argv[4:]])
    elif len(argv) == 5 and argv[0] == "forge-destroy":
        forge_destroy(argv[1], argv[2], int(argv[3]), int(argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
