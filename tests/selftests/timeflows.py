#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Client flows whose every packet matters (47-times, 78-tcp-flags), each
from a source port of its own so that the capture and the records can be
paired.

timeflows.py [--go FILE] < FLOWS
    runs every flow of FLOWS, one per line, side by side (threads of one
    process: under TCG, a process started per flow would keep the CPUs
    busy while the others' packets pass), and fails if any of them did.
    With --go, it creates FILE.ready once it is up and starts the flows
    when FILE exists.
    A line is one of:
udp HOST PORT SPORT COUNT GAP
    COUNT request/response exchanges, GAP seconds apart, from one socket
udp-send HOST PORT SPORT COUNT GAP
    COUNT datagrams, GAP seconds apart, no answer expected
tcp-fin HOST PORT SPORT BYTES
    connect, send BYTES, close (FIN)
tcp-rst HOST PORT SPORT BYTES
    connect, send BYTES, wait for them to be acknowledged, abort (RST)
tcp-refused HOST PORT SPORT
    connect to a closed port: SYN, answered by RST
tcp-hold HOST PORT SPORT BYTES
    connect, send BYTES, print "sent", then hold the connection open,
    silent, until killed (the test deletes its conntrack entry meanwhile)
tcp-wait-fin HOST PORT SPORT
    connect, read until the server closes (its FIN first), then close
tcp-trickle HOST PORT SPORT COUNT GAP
    connect, send a byte COUNT times, GAP seconds apart, close (FIN)
tcp-unanswered HOST PORT SPORT
    a SYN to a port that drops it; give up after half a second

timeflows.py serve-udp ADDR PORT
    the server: answer each datagram at once, until killed
"""
import os
import socket
import struct
import sys
import threading
import time


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def bound(host, kind, sport):
    s = socket.socket(family(host), kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if ":" in host else "0.0.0.0", sport))
    return s


def udp(host, port, sport, count, gap):
    s = bound(host, socket.SOCK_DGRAM, sport)
    s.settimeout(3)
    for i in range(count):
        if i:
            time.sleep(gap)
        s.sendto(b"query %d\n" % i, (host, port))
        s.recvfrom(100)


def udp_send(host, port, sport, count, gap):
    s = bound(host, socket.SOCK_DGRAM, sport)
    for i in range(count):
        if i:
            time.sleep(gap)
        s.sendto(b"tick %d\n" % i, (host, port))


def tcp_connected(host, port, sport):
    s = bound(host, socket.SOCK_STREAM, sport)
    s.connect((host, port))
    return s


def tcp_fin(host, port, sport, size):
    s = tcp_connected(host, port, sport)
    s.sendall(b"x" * size)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)		# the server's FIN: then our ACK of it, the last packet
    s.close()


def tcp_rst(host, port, sport, size):
    s = tcp_connected(host, port, sport)
    s.sendall(b"x" * size)
    time.sleep(0.3)	# acknowledged by now: the RST is then in window
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def tcp_refused(host, port, sport):
    s = bound(host, socket.SOCK_STREAM, sport)
    try:
        s.connect((host, port))
    except ConnectionRefusedError:
        return
    sys.exit("connected to a port that should be closed")


def tcp_hold(host, port, sport, size):
    s = tcp_connected(host, port, sport)
    s.sendall(b"x" * size)
    print("sent", flush=True)
    time.sleep(3600)


def tcp_wait_fin(host, port, sport):
    s = tcp_connected(host, port, sport)
    while s.recv(4096):
        pass
    s.close()


def tcp_trickle(host, port, sport, count, gap):
    s = tcp_connected(host, port, sport)
    for i in range(count):
        if i:
            time.sleep(gap)
        s.sendall(b"x")
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()


def tcp_unanswered(host, port, sport):
    s = bound(host, socket.SOCK_STREAM, sport)
    s.settimeout(0.5)
    try:
        s.connect((host, port))
    except socket.timeout:
        s.close()
        return
    sys.exit("answered on a port that should drop SYNs")


def serve_udp(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        data, peer = s.recvfrom(100)
        s.sendto(b"reply\n", peer)


FLOWS = {"udp": udp, "udp-send": udp_send, "tcp-fin": tcp_fin,
         "tcp-rst": tcp_rst, "tcp-refused": tcp_refused, "tcp-hold": tcp_hold,
         "tcp-wait-fin": tcp_wait_fin, "tcp-trickle": tcp_trickle,
         "tcp-unanswered": tcp_unanswered}


def run(line, failed):
    cmd, host, port, sport, *rest = line.split()
    try:
        FLOWS[cmd](host, int(port), int(sport),
                   *[float(a) if "." in a else int(a) for a in rest])
    except Exception as e:
        failed.append(f"{line}: {e!r}")


def main(argv):
    if argv[1:2] == ["serve-udp"]:
        serve_udp(argv[2], int(argv[3]))
        return
    failed = []
    threads = [threading.Thread(target=run, args=(line, failed))
               for line in sys.stdin.read().splitlines() if line.strip()]
    if len(argv) > 2 and argv[1] == "--go":
        # started, ready, and waiting for the word: so that what else the
        # test starts then (pings) does not meet this one's start-up
        open(argv[2] + ".ready", "w").close()
        while not os.path.exists(argv[2]):
            time.sleep(0.01)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for f in failed:
        print("failed:", f, file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv)
