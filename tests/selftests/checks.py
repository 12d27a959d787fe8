# SPDX-License-Identifier: GPL-2.0
"""What the checkers share: their verdict lines, which ksft_verdicts (lib.sh)
turns into TAP, and the flows a test names in its kinds.txt."""


def verdict(ok, desc):
    print(("PASS " if ok else "FAIL ") + desc)


def client_ports(path):
    """kinds.txt of "KIND<TAB>CLIENT_PORT" lines -> {client port: kind}"""
    out = {}
    for line in open(path):
        kind, port = line.rstrip("\n").split("\t")
        out[int(port)] = kind
    return out


def number(field):
    """an ipfixDump value (the first word: "0x13", "184"), or None"""
    return None if field is None else int(field.split()[0], 0)
