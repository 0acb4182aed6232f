#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Gather the seed corpus of each parser fuzzer at fuzz time.

Seeds come from the committed seeds (tests/fuzz/corpus/<harness>/), the fixture trees
(tests/fixtures/**), the real host captures (--real-hosts) and, unless --no-live, this machine's
own /proc and /sys. Files are deduplicated by content and named by their SHA-1, as libFuzzer
does; nothing here is committed.

usage: gen-corpus.py --srcdir DIR --out DIR [--real-hosts DIR] [--no-live] [--max-bytes N] HARNESS...
"""

import argparse
import hashlib
import os
import re
import sys

# which files of a tree feed which harness (paths relative to the tree's root)
PATTERNS = {
    "zoneinfo": [r"proc/zoneinfo"],
    "keyvalue": [r"proc/meminfo", r"proc/vmstat",
                 r"sys/devices/system/node/node\d+/(meminfo|vmstat|numastat)"],
    "buddyinfo": [r"proc/buddyinfo"],
    "pagetypeinfo": [r"proc/pagetypeinfo"],
    "cmdline": [r"proc/cmdline"],
    "idlist": [r"sys/devices/system/node/(online|possible|has_memory|has_normal_memory|has_cpu)",
               r"sys/devices/system/node/node\d+/(cpulist|distance)"],
    "int": [r"sys/kernel/mm/hugepages/hugepages-\d+kB/\w+",
            r"sys/devices/system/node/node\d+/hugepages/hugepages-\d+kB/\w+",
            r"sys/kernel/mm/cma/[^/]+/\w+",
            r"sys/kernel/debug/cma/[^/]+/\w+",
            r"proc/sys/vm/\w*huge\w*"],
    # host descriptions are typed, not read from a tree: the committed seeds only
    "hostdesc": [],
}
COMPILED = {h: [re.compile(r"(?:^|/)" + p + r"$") for p in ps] for h, ps in PATTERNS.items()}
# hugepages-<size>kB directory names are input to parse_hugepages_dirname()
DIRNAME = re.compile(r"(?:^|/)(hugepages-[^/]+)$")
NODE_PREFIX = re.compile(rb"^Node \d+ ", re.M)


class Corpus:
    def __init__(self, out, harnesses, max_bytes):
        self.out = out
        self.harnesses = harnesses
        self.max_bytes = max_bytes
        self.count = {h: 0 for h in harnesses}
        for h in harnesses:
            os.makedirs(os.path.join(out, h), exist_ok=True)

    def add(self, harness, data):
        if harness not in self.count or len(data) > self.max_bytes:
            return
        name = hashlib.sha1(data).hexdigest()
        path = os.path.join(self.out, harness, name)
        if os.path.exists(path):
            return
        with open(path, "wb") as f:
            f.write(data)
        self.count[harness] += 1

    def add_file(self, relpath, path):
        """Offer one file (relpath decides the harness) to the corpus."""
        m = DIRNAME.search(relpath)
        if m:
            self.add("int", m.group(1).encode())
        for h, pats in COMPILED.items():
            if not any(p.search(relpath) for p in pats):
                continue
            try:
                if not os.path.isfile(path):
                    continue
                with open(path, "rb") as f:
                    data = f.read(self.max_bytes + 1)
            except OSError:
                continue        # unreadable (pagetypeinfo as a user, debugfs): not a seed
            self.add(h, data)
            if h == "keyvalue" and NODE_PREFIX.search(data):
                # the harness parses with the prefix "Node 3 "
                self.add(h, NODE_PREFIX.sub(b"Node 3 ", data))


def walk_tree(corpus, root):
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                continue        # a fixture's link may point anywhere on this machine
            corpus.add_file(os.path.normpath(os.path.join(rel, name)), full)


def walk_live(corpus):
    """This machine's files; /sys is walked only where the library reads."""
    for rel in ["proc/zoneinfo", "proc/meminfo", "proc/vmstat", "proc/buddyinfo", "proc/pagetypeinfo",
                "proc/cmdline", "proc/sys/vm/hugetlb_optimize_vmemmap"]:
        corpus.add_file(rel, "/" + rel)
    for top in ["sys/devices/system/node", "sys/kernel/mm/hugepages", "sys/kernel/mm/cma"]:
        if not os.path.isdir("/" + top):
            continue
        for dirpath, dirnames, filenames in os.walk("/" + top):
            # node directories link to cpus and memory blocks: do not descend there
            dirnames[:] = [d for d in dirnames if not re.match(r"(cpu|memory)\d+$", d) and d != "power"]
            for name in dirnames + filenames:
                full = os.path.join(dirpath, name)
                corpus.add_file(os.path.relpath(full, "/"), full)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--srcdir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--real-hosts", default="")
    ap.add_argument("--no-live", action="store_true")
    ap.add_argument("--max-bytes", type=int, default=1 << 20)
    ap.add_argument("harness", nargs="+")
    args = ap.parse_args()

    unknown = [h for h in args.harness if h not in PATTERNS]
    if unknown:
        sys.exit("gen-corpus: unknown harness %s" % ", ".join(unknown))
    corpus = Corpus(args.out, args.harness, args.max_bytes)
    for h in args.harness:
        seeds = os.path.join(args.srcdir, "tests", "fuzz", "corpus", h)
        if os.path.isdir(seeds):
            for name in sorted(os.listdir(seeds)):
                with open(os.path.join(seeds, name), "rb") as f:
                    corpus.add(h, f.read())
    for root in [os.path.join(args.srcdir, "tests", "fixtures"), args.real_hosts]:
        if root and os.path.isdir(root):
            walk_tree(corpus, root)
    if not args.no_live:
        walk_live(corpus)
    for h in args.harness:
        print("corpus %-13s %5d seeds" % (h, corpus.count[h]))


if __name__ == "__main__":
    main()
