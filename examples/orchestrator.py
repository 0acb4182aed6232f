#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Where can a VM backed by hugetlb pages go? A small orchestrator on libcmaplan's Python bindings.

    orchestrator.py [--root DIR] [--vm-gib N] [--page-size 2M|1G] [--json] [--capture DIR] [-v]
    orchestrator.py [--root DIR] --guests SIZE[,SIZE...] [--page-size 2M|1G] [--nodes LIST]
                    [--allow-owned-cma] [--apply] [--lock-dir DIR] [--json] [-v]

Placement (without --guests): reads the host (the live one, or a capture / fixture tree with
--root), and for every NUMA node reports the free pages of the pool of the requested size, the
node's CMA, and whether its zones serve movable allocations - new 2 MiB pool pages among them -
from CMA right now (the kernel does so while a zone's free CMA exceeds half of its free pages;
pages in CMA cannot be long-term pinned by confidential guests or VFIO). It then picks the node
whose free pool holds the VM.

Provisioning (--guests 40G,16G): gives every node the pool that guests of these sizes need to be
pinned there (cmaplan.Snapshot.plan("pin-guest")), reports each node's plan (pages from CMA and
outside, pinnable capacity, warnings), then applies the plans node by node (Plan.apply) with a
progress bar on stderr. Without --apply this is a dry run: every step but the writes (the
default, and what a fixture tree gets). --apply writes the pools (root, live host); the library
takes the transition lock in --lock-dir (default /run/cmaplan) and rolls a node back when its
target cannot be reached.
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


class ProgressBar:
    """A progress callback for Plan.apply: a bar on stderr when it is a terminal, else one line
    per node at the end."""

    def __init__(self, stream=sys.stderr, width: int = 40) -> None:
        self.stream = stream
        self.width = width
        self.tty = stream.isatty()
        self.calls = 0
        self.last: Optional[cmaplan.Progress] = None

    def __call__(self, p: cmaplan.Progress) -> None:
        self.calls += 1
        self.last = p
        if self.tty:
            frac = min(1.0, p.done_pages / p.target_pages) if p.target_pages else 1.0
            fill = int(frac * self.width)
            self.stream.write(
                f"\r  node {p.node_id} [{'#' * fill}{'.' * (self.width - fill)}] "
                f"{p.done_pages}/{p.target_pages} x {p.page_size_bytes >> 20} MiB"
            )
            self.stream.flush()

    def done(self, node_id: int, outcome: str) -> None:
        p = self.last
        where = f"{p.done_pages}/{p.target_pages}" if p else "no steps"
        if self.tty:
            self.stream.write("\n")
        self.stream.write(f"  node {node_id}: {outcome} ({where}, {self.calls} progress calls)\n")
        self.stream.flush()
        self.calls, self.last = 0, None


def plan_guests(
    snap: cmaplan.Snapshot, page_size: int, guest_bytes: int, node_ids: List[int], allow_owned_cma: bool
) -> List[Dict[str, Any]]:
    """Per node: the plan that lets guests of guest_bytes in total pin there, or why not."""
    out = []
    for node_id in node_ids:
        entry: Dict[str, Any] = {"node_id": node_id}
        try:
            plan = snap.plan(
                "pin-guest", node=node_id, bytes=guest_bytes, size=page_size, allow_owned_cma=allow_owned_cma
            )
        except cmaplan.InfeasibleError as e:
            entry.update(feasible=False, reason=e.strerror)
            out.append(entry)
            continue
        i = plan.info
        step = plan.steps[0] if plan.steps else None
        entry.update(
            feasible=plan.feasible,
            current_pages=i.current_pages,
            target_pages=i.target_pages,
            from_cma_pages=i.from_cma_pages,
            from_other_pages=i.from_other_pages,
            guest_pages=i.guest_pages,
            guest_capacity_pages=i.guest_capacity_pages,
            pinnable_after_pages=step.pinnable_after_pages if step else None,
            warnings=[{"code": w.code, "name": w.name, "text": w.text} for w in plan.warnings],
            _plan=plan,
        )
        out.append(entry)
    return out


def provision(args: argparse.Namespace, page_size: int) -> int:
    """--guests: plan every node, report, apply (dry run unless --apply) with a progress bar."""
    guest_sizes = [cmaplan.parse_size(g.strip()) for g in args.guests.split(",") if g.strip()]
    guest_bytes = sum(guest_sizes)
    log = logging.getLogger("libcmaplan") if args.verbose else None
    dry_run = not args.apply
    with cmaplan.Context(args.root, lock_dir=args.lock_dir, log=log) as ctx:
        snap = ctx.snapshot()
        node_ids = args.nodes if args.nodes is not None else [n.node_id for n in snap.nodes if n.mem_total_kib]
        plans = plan_guests(snap, page_size, guest_bytes, node_ids, args.allow_owned_cma)
        if not args.json:
            print(
                f"guests {', '.join(f'{g >> 30} GiB' for g in guest_sizes)} = {guest_bytes >> 30} GiB of "
                f"{page_size >> 20} MiB pages per node at {snap.root}"
                f"{' (dry run)' if dry_run else ''}"
            )
            for e in plans:
                if not e["feasible"] and "reason" in e:
                    print(f"  node {e['node_id']}: cannot: {e['reason']}")
                    continue
                print(
                    f"  node {e['node_id']}: pool {e['current_pages']} -> {e['target_pages']} pages, "
                    f"{e['from_cma_pages']} from CMA, {e['from_other_pages']} outside; "
                    f"pinnable {e['guest_capacity_pages']} of the {e['guest_pages']} the guests need"
                )
                for w in e["warnings"]:
                    print(f"    [W{w['code']} {w['name']}] {w['text']}")
        results = []
        bar = ProgressBar()
        rc = 0
        for e in plans:
            if not e.get("feasible"):
                rc = 3
                continue
            plan = e.pop("_plan")
            if plan.info.current_pages == plan.info.target_pages:
                e["outcome"] = "nothing to do"
                continue
            if not dry_run:
                # the previous node's transition changed the host: plan this node again on a
                # fresh snapshot (the old one is stale, and the library would say so)
                plan = ctx.snapshot().plan(
                    "pin-guest", node=e["node_id"], bytes=guest_bytes, size=page_size,
                    allow_owned_cma=args.allow_owned_cma,
                )
            try:
                t = plan.apply(progress=bar, dry_run=dry_run, wait=True)
            except cmaplan.Error as err:
                bar.done(e["node_id"], f"failed: {err.strerror}")
                e["outcome"] = "error"
                e["error"] = err.strerror
                rc = 1
                continue
            outcome = t.info.outcome.name.lower().replace("_", "-")
            bar.done(e["node_id"], outcome)
            e["outcome"] = outcome
            e["final_pages"] = [s.final_pages for s in t.steps]
            e["message"] = t.info.message
            if not t.ok:
                rc = 3
            results.append(t.to_dict())
        for e in plans:
            e.pop("_plan", None)
    if args.json:
        json.dump(
            {"root": snap.root, "dry_run": dry_run, "guests_bytes": guest_sizes, "page_size_bytes": page_size,
             "nodes": plans, "transitions": results},
            sys.stdout,
            indent=2,
        )
        print()
    else:
        for e in plans:
            if "outcome" in e:
                print(f"  node {e['node_id']}: {e['outcome']}" + (f": {e['message']}" if e.get("message") else ""))
    return rc


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", help="read this capture or fixture tree instead of the live host")
    ap.add_argument("--vm-gib", type=int, default=40, help="guest memory in GiB (default 40)")
    ap.add_argument("--page-size", choices=sorted(SIZES), default="2M")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--capture", metavar="DIR", help="also save what the library read, for a bug report")
    ap.add_argument("-v", "--verbose", action="store_true", help="log the library's steps")
    ap.add_argument("--guests", metavar="SIZES", help="provision every node for guests of these sizes (40G,16G)")
    ap.add_argument(
        "--nodes", type=lambda v: [int(x) for x in v.split(",")], help="--guests: only these nodes (0,1)"
    )
    ap.add_argument("--allow-owned-cma", action="store_true", help="--guests: may take CMA owned by csv/hugetlb areas")
    ap.add_argument("--apply", action="store_true", help="--guests: write the pools (default: dry run)")
    ap.add_argument("--dry-run", action="store_true", help="--guests: every step but the writes (the default)")
    ap.add_argument("--lock-dir", help="--guests: where the transition lock and journal live (/run/cmaplan)")
    args = ap.parse_args(argv)

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    page_size = SIZES[args.page_size]
    if args.guests:
        if args.apply and args.dry_run:
            ap.error("--apply and --dry-run exclude each other")
        try:
            return provision(args, page_size)
        except cmaplan.Error as e:
            print(f"orchestrator: {e.strerror}", file=sys.stderr)
            return 1
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
