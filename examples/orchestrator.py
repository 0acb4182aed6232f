#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Where can a VM backed by hugetlb pages go? A small orchestrator on libcmaplan's Python bindings.

    orchestrator.py [--root DIR] [--vm-gib N] [--page-size 2M|1G] [--json] [--capture DIR] [-v]

Reads the host (the live one, or a capture / fixture tree with --root), and for every NUMA node
reports the free pages of the pool of the requested size, the node's CMA, and whether its zones
serve movable allocations - new 2 MiB pool pages among them - from CMA right now (the kernel does
so while a zone's free CMA exceeds half of its free pages; pages in CMA cannot be long-term
pinned by confidential guests or VFIO). It then picks the node whose free pool holds the VM.

Planning a pool change (cmaplan.Snapshot.plan) and applying it (Plan.apply) are not in the
library yet; when they are, the "grow" branch below becomes a plan and a transition.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any, Dict, List, Optional

import cmaplan

SIZES = {"2M": 2 << 20, "1G": 1 << 30}


def node_report(snap: cmaplan.Snapshot, node: cmaplan.Node, page_size: int, vm_bytes: int) -> Dict[str, Any]:
    """The facts the decision needs about one node."""
    page = snap.host.page_size_bytes
    pool: Optional[cmaplan.Pool] = node.pools.get(page_size)
    free_pool = pool.free_hugepages if pool else 0
    cma_zones = [z.name for z in node.zones if z.populated and z.nr_free_cma > z.nr_free_pages // 2]
    return {
        "node_id": node.node_id,
        "cpus": node.cpulist,
        "pool_pages": pool.nr_hugepages if pool else 0,
        "pool_free_pages": free_pool,
        "fits": free_pool * page_size >= vm_bytes,
        "cma_bytes": node.cma_pages * page,
        "free_cma_bytes": node.free_cma_pages * page,
        "cma_areas": len(node.cma_areas),
        "zones_serving_movable_from_cma": cma_zones,
        "missing_pages": max(0, -(-vm_bytes // page_size) - free_pool),
    }


def decide(snap: cmaplan.Snapshot, page_size: int, vm_bytes: int) -> Dict[str, Any]:
    nodes = [node_report(snap, n, page_size, vm_bytes) for n in snap.nodes]
    fits = [n for n in nodes if n["fits"]]
    # prefer a node without CMA in the way, then the most free pool pages
    fits.sort(key=lambda n: (bool(n["cma_areas"]), -n["pool_free_pages"]))
    choice = fits[0]["node_id"] if fits else None
    notes: List[str] = []
    if choice is None:
        notes.append(f"no node has {vm_bytes >> 30} GiB free in its {page_size >> 10} kB pool: the pool must grow")
        for n in nodes:
            if n["zones_serving_movable_from_cma"]:
                notes.append(
                    f"node {n['node_id']}: new pool pages would come partly from CMA now "
                    f"(zones {', '.join(n['zones_serving_movable_from_cma'])}); they cannot be pinned"
                )
    elif next(n for n in nodes if n["node_id"] == choice)["cma_areas"]:
        notes.append(f"node {choice} has CMA areas: part of its pool may lie in CMA and not be pinnable")
    return {
        "root": snap.root,
        "kernel": snap.host.kernel_release,
        "vm_bytes": vm_bytes,
        "page_size_bytes": page_size,
        "choice": choice,
        "nodes": nodes,
        "notes": notes,
    }


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", help="read this capture or fixture tree instead of the live host")
    ap.add_argument("--vm-gib", type=int, default=40, help="guest memory in GiB (default 40)")
    ap.add_argument("--page-size", choices=sorted(SIZES), default="2M")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--capture", metavar="DIR", help="also save what the library read, for a bug report")
    ap.add_argument("-v", "--verbose", action="store_true", help="log the library's steps")
    args = ap.parse_args(argv)

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    page_size = SIZES[args.page_size]
    try:
        # the library's steps go to Python logging with -v; its errors come back as exceptions
        log = logging.getLogger("libcmaplan") if args.verbose else None
        with cmaplan.Context(args.root, log=log) as ctx:
            snap = ctx.snapshot()
            if args.capture:
                ctx.capture(args.capture)
        # the snapshot keeps what it needs: the context is closed here
        result = decide(snap, page_size, args.vm_gib << 30)
    except cmaplan.Error as e:
        print(f"orchestrator: {e.strerror}", file=sys.stderr)
        return 1

    if args.json:
        json.dump(result, sys.stdout, indent=2)
        print()
        return 0
    where = f"node {result['choice']}" if result["choice"] is not None else "nowhere yet"
    print(f"{args.vm_gib} GiB VM on {args.page_size} pages at {result['root']}: {where}")
    for n in result["nodes"]:
        print(
            f"  node {n['node_id']}: pool {n['pool_pages']} pages, {n['pool_free_pages']} free"
            f"{'' if n['fits'] else ', needs ' + str(n['missing_pages']) + ' more'}; "
            f"CMA {n['cma_bytes'] >> 30} GiB ({n['free_cma_bytes'] >> 30} GiB free, {n['cma_areas']} areas)"
        )
    for note in result["notes"]:
        print(f"  note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
