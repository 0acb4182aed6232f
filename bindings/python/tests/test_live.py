# SPDX-License-Identifier: LGPL-2.1-or-later
"""The live kernel, read-only: the snapshot agrees with /proc and /sys read directly.

Changing pools (a small, restored transition) is test_transition.py.
"""

import os
import pathlib
import tempfile
import unittest

import cmaplantest

import cmaplan

SYS_NODE = pathlib.Path("/sys/devices/system/node")
SYS_HUGEPAGES = pathlib.Path("/sys/kernel/mm/hugepages")


def parse_list(text):
    return list(cmaplan.parse_cpulist(text.strip()))


def meminfo(path="/proc/meminfo"):
    out = {}
    for line in pathlib.Path(path).read_text().splitlines():
        key, _, rest = line.partition(":")
        out[key.strip()] = int(rest.split()[0])
    return out


@unittest.skipUnless(os.path.exists("/proc/zoneinfo") and os.path.exists("/proc/meminfo"), "not a Linux /proc")
class TestLive(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ctx = cmaplan.Context()
        cls.snap = cls.ctx.snapshot()

    def test_root(self):
        self.assertEqual(self.ctx.root, "/")
        self.assertEqual(self.snap.root, "/")
        self.assertEqual(self.snap.to_dict()["root"], "/")

    def test_kernel(self):
        h = self.snap.host
        self.assertIn(cmaplan.HostFacts.KERNEL_RELEASE, h.facts)
        self.assertEqual(h.kernel_release, os.uname().release)
        self.assertEqual(h.kernel_version_tuple[:2], tuple(int(x) for x in os.uname().release.split(".")[:2]))
        self.assertEqual(h.page_size_bytes, os.sysconf("SC_PAGE_SIZE"))
        self.assertEqual(h.cmdline, pathlib.Path("/proc/cmdline").read_text().rstrip("\n"))

    def test_memory(self):
        h = self.snap.host
        m = meminfo()
        self.assertEqual(h.mem_total_kib, m["MemTotal"])
        if "CmaTotal" in m:
            self.assertEqual(h.cma_total_kib, m["CmaTotal"])
        else:
            self.assertIsNone(h.cma_total_kib)

    def test_nodes(self):
        if not (SYS_NODE / "online").exists():
            self.assertEqual(len(self.snap.nodes), 1)
            return
        online = parse_list((SYS_NODE / "online").read_text())
        self.assertEqual([n.node_id for n in self.snap.nodes], online)
        for node in self.snap.nodes:
            d = SYS_NODE / f"node{node.node_id}"
            self.assertEqual(node.cpulist, (d / "cpulist").read_text().strip())
            self.assertEqual(node.mem_total_kib, node.meminfo("MemTotal"))
            self.assertEqual(node.distances[node.node_id], 10)
            self.assertTrue(node.online)

    def test_pools(self):
        if not SYS_HUGEPAGES.is_dir():
            self.assertEqual(self.snap.page_sizes, ())
            return
        sizes = sorted(int(p.name[len("hugepages-"):-2]) * 1024 for p in SYS_HUGEPAGES.glob("hugepages-*kB"))
        self.assertEqual(list(self.snap.page_sizes), sizes)
        for size, pool in self.snap.pools.items():
            d = SYS_HUGEPAGES / f"hugepages-{size // 1024}kB"
            now = int((d / "nr_hugepages").read_text())
            # another test may have changed a pool since the snapshot: re-read if it differs
            if pool.nr_hugepages != now:
                pool = cmaplan.Context().snapshot().pools[size]
            self.assertEqual(pool.nr_hugepages, int((d / "nr_hugepages").read_text()))

    def test_facts_are_not_errors(self):
        h = self.snap.host
        self.assertEqual(cmaplan.HostFacts.CMA_SYSFS in h.facts, pathlib.Path("/sys/kernel/mm/cma").is_dir())
        if not os.access("/proc/pagetypeinfo", os.R_OK):
            self.assertNotIn(cmaplan.HostFacts.PAGETYPEINFO, h.facts)

    def test_objects_match_json(self):
        from test_snapshot import check_against_json

        snap = cmaplan.Context().snapshot(debugfs=False)
        check_against_json(self, snap)

    def test_capture_reads_back(self):
        with tempfile.TemporaryDirectory() as tmp:
            dest = self.ctx.capture(os.path.join(tmp, "live"))
            copy = cmaplan.Context(dest).snapshot()
            self.assertEqual(copy.host.kernel_release, self.snap.host.kernel_release)
            self.assertEqual([n.node_id for n in copy.nodes], [n.node_id for n in self.snap.nodes])
            self.assertEqual(copy.page_sizes, self.snap.page_sizes)
            self.assertEqual([a.name for a in copy.cma_areas], [a.name for a in self.snap.cma_areas])
            self.assertEqual(copy.host.facts, self.snap.host.facts)


if __name__ == "__main__":
    cmaplantest.main()
