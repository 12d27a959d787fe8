#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Many short UDP flows, each a distinct 5-tuple, at a steady rate.

  udpflows.py serve PORT
      echo every datagram back (one socket, no fork per flow)
  udpflows.py open HOST PORT FIRST_SPORT COUNT RATE OUT
      one request (and up to 0.2 s for its reply) from each source port
      FIRST_SPORT..FIRST_SPORT+COUNT-1, RATE flows a second; OUT gets one
      line per flow opened (its source port), which is the ground truth of
      what conntrack must have seen; OUT.replied lists the flows whose
      reply came back (the router forwarded both ways, so conntrack had
      an entry for it).
  udpflows.py burst HOST PORT FIRST_SPORT COUNT OUT [RATE]
      the same flows as fast as they can go, or at most RATE a second: up
      to WINDOW requests are in flight, and a flow's socket closes once its
      reply is in (or after 1 s)
"""
import collections
import socket
import sys
import time

WINDOW = 256


def serve(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)


def open_flows(host, port, first, count, rate, out):
    start = time.monotonic()
    with open(out, "w") as f, open(out + ".replied", "w") as r:
        for i in range(count):
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", first + i))
            s.settimeout(0.2)
            try:
                s.sendto(b"q%d" % i, (host, port))
            except OSError:
                s.close()	# no route (the router is gone): not opened
                continue
            f.write("%d\n" % (first + i))
            f.flush()
            try:
                s.recvfrom(2048)
                r.write("%d\n" % (first + i))
            except OSError:
                pass
            s.close()


def close_oldest(live):
    s = live.popleft()
    s.settimeout(1.0)
    try:
        s.recvfrom(2048)
    except OSError:
        pass
    s.close()


def burst(host, port, first, count, out, rate=0.0):
    live = collections.deque()
    start = time.monotonic()
    with open(out, "w") as f:
        for i in range(count):
            if rate:
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", first + i))
            try:
                s.sendto(b"b%d" % i, (host, port))
            except OSError:
                s.close()
                continue
            f.write("%d\n" % (first + i))
            live.append(s)
            if len(live) >= WINDOW:
                close_oldest(live)
        while live:
            close_oldest(live)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    elif sys.argv[1] == "burst":
        burst(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
              int(sys.argv[5]), sys.argv[6],
              float(sys.argv[7]) if len(sys.argv) > 7 else 0.0)
    else:
        open_flows(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                   int(sys.argv[5]), float(sys.argv[6]), sys.argv[7])
