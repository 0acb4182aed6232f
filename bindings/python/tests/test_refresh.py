# SPDX-License-Identifier: LGPL-2.1-or-later
"""Snapshot.refresher(): the changing numbers re-read on a copy of a fixture tree, and live."""

import os
import pathlib
import shutil
import tempfile
import unittest

import cmaplantest

import cmaplan

POOL = "sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages"


class TestRefreshTree(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cmaplan-refresh-")
        self.root = pathlib.Path(self.tmp) / "root"
        shutil.copytree(cmaplantest.fixture("minimal"), self.root)
        for p in self.root.rglob("*"):
            p.chmod(p.stat().st_mode | 0o200)
        self.snap = cmaplan.Context(self.root).snapshot()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_update_sees_new_numbers(self):
        r = self.snap.refresher()
        self.assertGreater(r.n_files, 0)
        self.assertLessEqual(r.n_open, r.n_files)
        before = self.snap.node(0).pools[2 << 20].nr_hugepages
        (self.root / POOL).write_text(f"{before + 7}\n")
        fresh = r.update()
        self.assertIsInstance(fresh, cmaplan.Snapshot)
        self.assertEqual(fresh.node(0).pools[2 << 20].nr_hugepages, before + 7)
        # the snapshot it came from is unchanged, and the layout is shared
        self.assertEqual(self.snap.node(0).pools[2 << 20].nr_hugepages, before)
        self.assertEqual([n.node_id for n in fresh.nodes], [n.node_id for n in self.snap.nodes])

    def test_malformed_names_file(self):
        r = self.snap.refresher(zoneinfo=False)
        (self.root / POOL).write_text("many\n")
        with self.assertRaises(cmaplan.InvalidError) as cm:
            r.update()
        self.assertIn("nr_hugepages", str(cm.exception))

    def test_closed(self):
        r = self.snap.refresher()
        r.close()
        with self.assertRaises(ValueError):
            r.update()


@unittest.skipUnless(os.path.exists("/proc/zoneinfo"), "not a Linux /proc")
class TestRefreshLive(unittest.TestCase):
    def test_live(self):
        snap = cmaplan.Context().snapshot()
        fresh = snap.refresher().update()
        self.assertEqual(fresh.host.kernel_release, snap.host.kernel_release)
        self.assertEqual(len(fresh.nodes), len(snap.nodes))
        # pool counts are what the kernel says now
        for node in fresh.nodes:
            for size, pool in node.pools.items():
                path = pathlib.Path(f"/sys/devices/system/node/node{node.node_id}/hugepages/"
                                    f"hugepages-{size >> 10}kB/nr_hugepages")
                if path.exists():
                    self.assertEqual(pool.nr_hugepages, int(path.read_text()))


if __name__ == "__main__":
    cmaplantest.main()
