# SPDX-License-Identifier: LGPL-2.1-or-later
"""Monitor (hotplug events) and Placement (where pool pages land): live host, root.

The monitor test provokes a synthetic uevent (writing "change" to memory0/uevent, which changes
nothing); the placement test grows node 0's 2 MiB pool by 2 pages for the check and restores it,
holding the host's transition lock meanwhile so no other test moves the pool under it.
"""

import contextlib
import fcntl
import os
import pathlib
import tempfile
import unittest

import cmaplantest

import cmaplan

MEMORY0 = pathlib.Path("/sys/devices/system/memory/memory0")
NODE0_2M = pathlib.Path("/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages")


@contextlib.contextmanager
def host_lock():
    """The host's transition lock (a POSIX lock conflicts with the library's OFD lock)."""
    os.makedirs("/run/cmaplan", exist_ok=True)
    fd = os.open("/run/cmaplan/lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class TestMonitorTree(unittest.TestCase):
    def test_tree_refuses(self):
        ctx = cmaplan.Context(cmaplantest.fixture("minimal"))
        with self.assertRaises(cmaplan.NotSupportedError) as cm:
            ctx.monitor()
        self.assertIn("live host", str(cm.exception))


@unittest.skipUnless(os.geteuid() == 0 and os.access(MEMORY0 / "uevent", os.W_OK), "needs root and memory0/uevent")
class TestMonitorLive(unittest.TestCase):
    def test_synthetic_event(self):
        ctx = cmaplan.Context()
        snap = ctx.snapshot()
        with ctx.monitor(nodes=False) as mon:
            self.assertGreaterEqual(mon.fileno(), 0)
            (MEMORY0 / "uevent").write_text("change")
            events = [e for e in mon.wait(5.0, until=1) if e.devpath.endswith("/memory0")]
        self.assertTrue(events, "no event for memory0 within 5 s")
        ev = events[0]
        self.assertEqual(ev.type, cmaplan.EventType.CHANGE)
        self.assertEqual((ev.action, ev.subsystem, ev.block_index), ("change", "memory", 0))
        self.assertTrue(ev.synthetic)
        self.assertFalse(ev.changes_host)
        self.assertGreater(ev.seqnum, 0)
        self.assertGreater(ev.phys_end_bytes, ev.phys_start_bytes)
        # nothing changed: the snapshot taken before is still current
        snap.validate()
        self.assertTrue(mon.closed)


@unittest.skipUnless(os.geteuid() == 0 and os.access(NODE0_2M, os.W_OK), "needs root and node 0's 2 MiB pool")
class TestPlacementLive(unittest.TestCase):
    def test_pages_land_on_node(self):
        with host_lock(), tempfile.TemporaryDirectory() as lock_dir:
            ctx = cmaplan.Context(lock_dir=lock_dir)
            snap = ctx.snapshot()
            before = snap.node(0).pools[2 << 20].nr_hugepages
            t = snap.plan("set", node=0, pages=before + 2, size="2M", no_headroom=True).apply()
            try:
                self.assertTrue(t.ok, t.info.message)
                p = ctx.snapshot().placement(0, "2M", pages=2)
            finally:
                ctx.snapshot().plan("shrink", node=0, pages=before, size="2M").apply()
            self.assertEqual(int(NODE0_2M.read_text()), before)
        self.assertEqual(len(p.pages), 2)
        self.assertTrue(p.all_on_node)
        self.assertEqual((p.node_id, p.page_size_bytes, p.n_elsewhere), (0, 2 << 20, 0))
        self.assertIn(cmaplan.PlacementFlags.HAS_PFN, p.flags)
        for page in p.pages:
            self.assertEqual(page.node_id, 0)
            self.assertIsNotNone(page.pfn)
            self.assertEqual(page.pfn % 512, 0)    # a 2 MiB page starts on a 2 MiB frame
        if cmaplan.PlacementFlags.HAS_CMA_RANGES in p.flags:
            self.assertEqual(p.n_in_cma, sum(1 for pg in p.pages if pg.in_cma))

    def test_tree_refuses(self):
        snap = cmaplan.Context(cmaplantest.fixture("minimal")).snapshot()
        with self.assertRaises(cmaplan.NotSupportedError):
            snap.placement(0, "2M")


if __name__ == "__main__":
    cmaplantest.main()
