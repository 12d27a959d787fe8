#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The family's spec (include/uapi/linux/ctipfix.yaml) against what is
written by hand from it: the uapi header's enums and names, the module's
commands, permissions and policy (kmod/netlink.c), and the userspace name
tables (userspace/lib/ctipfix_nl.c). Prints one line per disagreement;
exits 1 if there is any.

    tests/ynl_check.py [ROOT]
"""
import os
import re
import sys

import yaml


def c_name(*parts):
    """YNL's C spelling: 'ctipfix-a-' + 'relay-acked' -> CTIPFIX_A_RELAY_ACKED"""
    return "".join(parts).upper().replace("-", "_")


def numbered(items, prefix):
    """(C name, value) of each entry, values counting on as C's do"""
    out, value = [], 0
    for item in items:
        value = item.get("value", value)
        out.append((c_name(prefix, item["name"]), value))
        value += 1
    return out


def header_enums(text):
    """{enum name: [(entry, value), ...]} of a C header, comments gone"""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    enums = {}
    for name, body in re.findall(r"enum (\w+) \{(.*?)\};", text, re.S):
        out, value = [], 0
        for entry in filter(None, (e.strip() for e in body.split(","))):
            key, _, given = (x.strip() for x in entry.partition("="))
            value = int(given, 0) if given else value
            out.append((key, value))
            value += 1
        enums[name] = out
    return enums


def header_defines(text):
    return dict(re.findall(r"#define (\w+)[ \t]+(.*)", text))


def expected_enums(spec):
    """the header's enums as the spec has them, each with its count entry"""
    want = {}
    for aset in spec["attribute-sets"]:
        entries = numbered(aset["attributes"], aset["name-prefix"])
        entries.append((c_name(aset["attr-cnt-name"]), entries[-1][1] + 1))
        want[c_name(aset["enum-name"]).lower()] = entries
    ops = spec["operations"]
    entries = [(c_name(ops["name-prefix"], "unspec"), 0)]
    entries += numbered(ops["list"], ops["name-prefix"])
    entries.append((c_name(ops["cmd-cnt-name"]), entries[-1][1] + 1))
    want[c_name(ops["enum-name"]).lower()] = entries
    return want


def check_header(spec, text, say):
    got, defines = header_enums(text), header_defines(text)
    for enum, entries in expected_enums(spec).items():
        have = got.get(enum, [])
        if have != entries:
            at = next(i for i in range(len(have) + 1)
                      if i == len(have) or i == len(entries) or
                      have[i] != entries[i])
            say(f"enum {enum}, entry {at}: the header has "
                f"{have[at] if at < len(have) else 'none'}, the spec "
                f"{entries[at] if at < len(entries) else 'none'}")
        count = entries[-1][0]
        maxname = count.lstrip("_")
        if spec.get("max-by-define") and \
                defines.get(maxname) != f"({count} - 1)":
            say(f"#define {maxname}: {defines.get(maxname)}")
    if defines.get(c_name(spec["c-family-name"])) != f'"{spec["name"]}"':
        say("the family's name differs")
    if defines.get(c_name(spec["c-version-name"])) != str(spec["version"]):
        say("the family's version differs")
    for grp in spec["mcast-groups"]["list"]:
        macro = c_name("ctipfix-mcgrp-", grp["name"])
        if defines.get(macro) != f'"{grp["name"]}"':
            say(f"multicast group {grp['name']}: {macro} is "
                f"{defines.get(macro)}")


def kernel_ops(text):
    """{command: flags} of the module's genl ops"""
    ops = {}
    for block in re.findall(r"\{([^{}]*\.cmd\s*=[^{}]*)\}", text):
        cmd = re.search(r"\.cmd\s*=\s*(\w+)", block).group(1)
        flags = re.search(r"\.flags\s*=\s*([\w| ]+)", block)
        ops[cmd] = set(flags.group(1).split("|")) if flags else set()
        ops[cmd] = {f.strip() for f in ops[cmd]}
    return ops


NLA = {"u8": "NLA_U8", "u16": "NLA_U16", "u32": "NLA_U32", "u64": "NLA_U64",
       "string": "NLA_NUL_STRING", "binary": "NLA_BINARY",
       "nest": "NLA_NESTED", "flag": "NLA_FLAG"}


def check_kernel(spec, text, say):
    ops, prefix = kernel_ops(text), spec["operations"]["name-prefix"]
    listed = {c_name(prefix, op["name"]) for op in spec["operations"]["list"]}
    for cmd in sorted(set(ops) - listed):
        say(f"{cmd}: the module takes it, the spec does not list it")
    requests = set()
    for op in spec["operations"]["list"]:
        cmd = c_name(prefix, op["name"])
        if "do" not in op:
            if cmd in ops:
                say(f"{cmd}: an event only, yet the module takes it")
            continue
        if cmd not in ops:
            say(f"{cmd}: the module has no such command")
            continue
        admin = "admin-perm" in op.get("flags", [])
        if admin != ("GENL_ADMIN_PERM" in ops[cmd]):
            say(f"{cmd}: admin-perm {admin} in the spec, flags "
                f"{sorted(ops[cmd])} in the module")
        requests |= set((op["do"] or {}).get("request", {})
                        .get("attributes", []))
    # the top-level policy takes what some request carries, rejects the rest
    aset = spec["attribute-sets"][0]
    policy = dict(re.findall(r"\[(CTIPFIX_A_\w+)\]\s*=\s*\{\s*\.type\s*="
                             r"\s*(\w+)", text))
    for attr in aset["attributes"]:
        if attr["type"] == "unused":
            continue
        name = c_name(aset["name-prefix"], attr["name"])
        want = NLA[attr["type"]] if attr["name"] in requests else "NLA_REJECT"
        if policy.get(name) != want:
            say(f"policy of {name}: {policy.get(name)}, the spec makes it "
                f"{want}")


def check_names(spec, text, say):
    """the tool's names of the stats and config, as the spec spells them"""
    for aset in spec["attribute-sets"][1:]:
        table = dict(re.findall(r"\[(%s\w+)\]\s*=\s*\"(\w+)\"" %
                                c_name(aset["name-prefix"]), text))
        want = {c_name(aset["name-prefix"], a["name"]):
                a["name"].replace("-", "_")
                for a in aset["attributes"] if a["type"] != "unused"}
        if table != want:
            say(f"names of {aset['name']}: "
                f"{sorted(set(table.items()) ^ set(want.items()))}")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    read = lambda path: open(os.path.join(root, path)).read()
    spec = yaml.safe_load(read("include/uapi/linux/ctipfix.yaml"))
    wrong = []
    check_header(spec, read("include/uapi/linux/ctipfix.h"), wrong.append)
    check_kernel(spec, read("kmod/netlink.c"), wrong.append)
    check_names(spec, read("userspace/lib/ctipfix_nl.c"), wrong.append)
    for line in wrong:
        print(line)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
