# SPDX-License-Identifier: LGPL-2.1-or-later
"""cmaplan.Snapshot on the fixture trees: attribute objects, JSON, lifetimes."""

import dataclasses
import gc
import json
import unittest

import cmaplantest

import cmaplan

GIB = 1 << 30


def check_against_json(test, snap):
    """Every attribute object agrees with the library's own JSON of the same snapshot."""
    d = snap.to_dict()
    h = snap.host
    test.assertEqual(d["schema"], "cmaplan-snapshot")
    test.assertEqual(d["version"], cmaplan.SNAPSHOT_JSON_SCHEMA_VERSION)
    test.assertEqual(d["host"]["kernel_release"], h.kernel_release)
    test.assertEqual(d["host"]["kernel_version_code"], h.kernel_version)
    for key in ("page_size_bytes", "mem_total_kib", "mem_free_kib", "cma_total_kib", "cma_free_kib",
                "default_hugepage_bytes", "cmdline"):
        test.assertEqual(d["host"][key], getattr(h, key), key)
    test.assertEqual(d["host"]["hvo_sysctl"], None if h.hvo_sysctl is None else bool(h.hvo_sysctl))
    test.assertEqual(d["host"]["facts"]["cma_sysfs"], bool(h.facts & cmaplan.HostFacts.CMA_SYSFS))
    test.assertEqual(h.n_nodes, len(snap.nodes))
    test.assertEqual(h.n_cma_areas, len(snap.cma_areas))

    test.assertEqual([p["page_size_bytes"] for p in d["pools"]], list(snap.page_sizes))
    for jp in d["pools"]:
        pool = snap.pools[jp["page_size_bytes"]]
        test.assertIsNone(pool.node_id)
        for key in ("nr_hugepages", "free_hugepages", "surplus_hugepages", "resv_hugepages",
                    "nr_overcommit_hugepages", "nr_hugepages_mempolicy"):
            test.assertEqual(jp[key], getattr(pool, key), key)
        test.assertEqual(pool, snap.pool(jp["page_size_bytes"]))

    test.assertEqual([n["id"] for n in d["nodes"]], [n.node_id for n in snap.nodes])
    for jn, node in zip(d["nodes"], snap.nodes):
        test.assertIs(snap.node(node.node_id), node)
        test.assertEqual(jn["cpulist"], node.cpulist)
        test.assertEqual(jn["n_cpus"], node.n_cpus)
        test.assertEqual(jn["n_cpus"], len(node.cpus))
        test.assertEqual(jn["state"]["online"], node.online)
        test.assertEqual(jn["state"]["has_cpu"], bool(node.state & cmaplan.NodeState.HAS_CPU))
        test.assertEqual({int(k): v for k, v in jn["distance"].items()}, dict(node.distances))
        for key in ("mem_total_kib", "mem_free_kib", "cma_pages", "free_cma_pages", "free_pages"):
            test.assertEqual(jn[key], getattr(node, key), key)
        for key, value in jn["meminfo"].items():
            test.assertEqual(node.meminfo(key), value, key)
        test.assertEqual(len(jn["zones"]), len(node.zones))
        for jz, zone in zip(jn["zones"], node.zones):
            test.assertEqual(zone.node_id, node.node_id)
            test.assertEqual(jz["type"], cmaplan.raw.cmaplan_zone_type_to_name(zone.type))
            test.assertEqual(jz["populated"], zone.populated)
            test.assertEqual(jz["protection"], list(zone.protection))
            test.assertEqual(jz["free_blocks"], None if zone.free_blocks is None else list(zone.free_blocks))
            for key, value in jz.items():
                if key in ("type", "populated", "protection", "free_blocks"):
                    continue
                test.assertEqual(value, getattr(zone, key), f"node {node.node_id} zone {zone.name} {key}")
            if [z.name for z in node.zones].count(zone.name) == 1:
                test.assertIs(node.zone(zone.name), zone)
        for jp in jn["pools"]:
            pool = node.pools[jp["page_size_bytes"]]
            test.assertEqual(pool.node_id, node.node_id)
            test.assertEqual((jp["nr_hugepages"], jp["free_hugepages"], jp["surplus_hugepages"]),
                             (pool.nr_hugepages, pool.free_hugepages, pool.surplus_hugepages))
            test.assertEqual(jp["demote"], bool(pool.flags & cmaplan.PoolFlags.HAS_DEMOTE))
            test.assertIsNone(pool.resv_hugepages)
        test.assertEqual(node.cma_areas, tuple(a for a in snap.cma_areas if a.node_id == node.node_id))

    for ja, area in zip(d["cma_areas"], snap.cma_areas):
        test.assertEqual(ja["kind"], cmaplan.raw.cmaplan_cma_kind_to_name(area.kind))
        test.assertEqual(ja["node"], area.node_id)
        test.assertEqual(ja["range_base_pfns"], list(area.range_base_pfns))
        for key in ("name", "total_pages", "available_pages", "alloc_pages_success", "alloc_pages_fail",
                    "release_pages_success", "used_pages", "maxchunk_pages", "order_per_bit"):
            test.assertEqual(ja[key], getattr(area, key), f"{area.name} {key}")

    if "memory" in d:
        m = snap.memory
        for key in ("block_size_bytes", "auto_online_blocks", "online_bytes", "offline_bytes", "movable_bytes"):
            test.assertEqual(d["memory"][key], getattr(m, key), key)
        test.assertEqual(len(d["memory_blocks"]), m.n_blocks)
        test.assertEqual(len(snap.memory_blocks), m.n_blocks)
        for jb, block in zip(d["memory_blocks"], snap.memory_blocks):
            test.assertEqual((jb["index"], jb["node"], jb["phys_start_bytes"], jb["phys_end_bytes"]),
                             (block.index, block.node_id, block.phys_start_bytes, block.phys_end_bytes))
            test.assertEqual(jb["state"], cmaplan.raw.cmaplan_memory_block_state_to_name(block.state))
            test.assertEqual(jb["valid_zones_text"], block.valid_zones_text)
            test.assertEqual(jb["valid_zones"], None if block.valid_zones is None else
                             sorted((cmaplan.raw.cmaplan_zone_type_to_name(z) for z in block.valid_zones),
                                    key=jb["valid_zones"].index))
            test.assertEqual(jb["movable"], block.movable)
            test.assertIs(snap.find_memory_block(block.phys_start_bytes), block)
        for jn, node in zip(d["nodes"], snap.nodes):
            test.assertEqual(len(jn["memory_ranges"]), len(node.memory_ranges))
            for jr, rng in zip(jn["memory_ranges"], node.memory_ranges):
                test.assertEqual((jr["phys_start_bytes"], jr["phys_end_bytes"], jr["n_blocks"], jr["first_block"],
                                  jr["online"], jr["movable"], jr["hole_before_bytes"]),
                                 (rng.phys_start_bytes, rng.phys_end_bytes, rng.n_blocks, rng.first_block_idx,
                                  rng.online, rng.movable, rng.hole_before_bytes))
                test.assertEqual(set(jr["valid_zones"]),
                                 {cmaplan.raw.cmaplan_zone_type_to_name(z) for z in rng.valid_zones})

    test.assertEqual(len(d["cmdline_items"]), len(snap.cmdline_items))
    for jc, item in zip(d["cmdline_items"], snap.cmdline_items):
        test.assertEqual(jc["kind"], cmaplan.raw.cmaplan_cmdline_kind_to_name(item.kind))
        test.assertEqual((jc["node"], jc["page_size_bytes"], jc["value"], jc["valid"], jc["text"]),
                         (item.node_id, item.page_size_bytes, item.value, item.valid, item.text))


class TestSeedHost(unittest.TestCase):
    """The Hygon host of the field report: CSV-CMA holds half of every node."""

    @classmethod
    def setUpClass(cls):
        cls.snap = cmaplan.Context(cmaplantest.fixture("seed-000")).snapshot()

    def test_host(self):
        h = self.snap.host
        self.assertEqual(h.kernel_release, "6.6.88-5.an23.x86_64")
        self.assertEqual(h.kernel_version_tuple, (6, 6, 88))
        self.assertEqual(h.n_nodes, 8)
        self.assertEqual(h.page_size_bytes, 4096)
        self.assertEqual(h.cma_total_kib, 536870912)
        self.assertEqual(h.hvo_sysctl, 0)
        self.assertIn(cmaplan.HostFacts.CMA_SYSFS, h.facts)
        self.assertNotIn(cmaplan.HostFacts.CMA_TOTAL_PAGES, h.facts)  # 6.15+
        self.assertEqual(self.snap.page_sizes, (2 << 20, GIB))

    def test_node_1(self):
        n1 = self.snap.node(1)
        self.assertEqual(n1.cpulist, "16-31,144-159")
        self.assertEqual(n1.cpus[:3], (16, 17, 18))
        self.assertEqual(n1.distances[0], 16)
        self.assertEqual(n1.distances[4], 32)
        self.assertEqual(self.snap.distance(1, 1), 10)
        normal = n1.zone("Normal")
        self.assertIs(normal, n1.zone(cmaplan.ZoneType.NORMAL))
        self.assertEqual(normal.type, cmaplan.ZoneType.NORMAL)
        self.assertEqual(normal.free_pages, 32816235)
        self.assertEqual((normal.min_pages, normal.low_pages, normal.high_pages), (7058, 40085, 73112))
        self.assertEqual(normal.cma_pages, 16777216)
        self.assertEqual(normal.nr_free_cma, 16774451)
        self.assertIsNone(normal.promo_pages)  # no promo line on 6.6
        self.assertEqual(normal.boost_pages, 0)
        # the kernel serves movable allocations from CMA while free CMA > half of free
        self.assertGreater(normal.nr_free_cma, normal.free_pages // 2)
        with self.assertRaises(KeyError):
            n1.zone("HighMem")

    def test_csv_cma(self):
        areas = [a for a in self.snap.cma_areas if a.kind == cmaplan.CmaKind.CSV]
        self.assertEqual(len(areas), 512)
        n1 = self.snap.node(1)
        self.assertEqual(len(n1.cma_areas), 64)
        self.assertTrue(all(a.total_pages * 4096 == GIB for a in n1.cma_areas))
        self.assertTrue(all(a.name.startswith("csv-n1c") for a in n1.cma_areas))
        a = n1.cma_areas[0]
        self.assertIn(cmaplan.CmaFlags.HAS_DEBUGFS, a.flags)
        self.assertEqual(a.order_per_bit, 9)
        self.assertIsNone(a.release_pages_success)  # 6.9+

    def test_pools(self):
        self.assertEqual(self.snap.pools[2 << 20].nr_hugepages, 0)
        self.assertEqual(self.snap.pool(GIB, node_id=3).nr_hugepages, 0)
        self.assertEqual(set(self.snap.node(1).pools), {2 << 20, GIB})

    def test_cmdline(self):
        (item,) = self.snap.cmdline_items
        self.assertEqual(item.kind, cmaplan.CmdlineKind.CSV_MEM_PERCENTAGE)
        self.assertEqual(item.value, 50)
        self.assertTrue(item.valid)
        self.assertIn("csv_mem_percentage=50", self.snap.host.cmdline)

    def test_matches_json(self):
        check_against_json(self, self.snap)

    def test_json_text(self):
        text = self.snap.to_json()
        self.assertEqual(json.loads(text), self.snap.to_dict())
        pretty = self.snap.to_json(indent=1)
        self.assertEqual(json.loads(pretty), self.snap.to_dict())

    def test_lookups_fail_cleanly(self):
        with self.assertRaises(cmaplan.NoSuchNodeError) as cm:
            self.snap.node(9)
        self.assertIsInstance(cm.exception, LookupError)
        self.assertIn("no node 9", str(cm.exception))
        with self.assertRaises(cmaplan.NotFoundError):
            self.snap.pool(4096)
        with self.assertRaises(cmaplan.NoSuchNodeError):
            self.snap.pool(2 << 20, node_id=42)
        with self.assertRaises(cmaplan.NoSuchNodeError):
            self.snap.distance(0, 42)
        self.assertIsNone(self.snap.node(0).meminfo("NoSuchKey"))
        self.assertEqual(self.snap.node(0).meminfo("NoSuchKey", -1), -1)

    def test_immutable(self):
        node = self.snap.node(0)
        with self.assertRaises(dataclasses.FrozenInstanceError):
            node.node_id = 5
        with self.assertRaises(TypeError):
            node.pools[2 << 20] = None
        self.assertEqual(hash(node.zones[0]), hash(node.zones[0]))
        self.assertIs(self.snap.nodes, self.snap.nodes)  # cached


class TestFixtures(unittest.TestCase):
    """Every valid fixture tree reads, and its objects agree with its JSON."""

    def test_all_trees(self):
        trees = cmaplantest.valid_fixtures()
        if not trees:
            self.skipTest("no fixture trees")
        for tree in trees:
            with self.subTest(tree=tree):
                snap = cmaplan.Context(cmaplantest.fixture(tree)).snapshot()
                check_against_json(self, snap)

    def test_sparse_nodes(self):
        snap = cmaplan.Context(cmaplantest.fixture("sparse-nodes")).snapshot()
        ids = [n.node_id for n in snap.nodes]
        self.assertEqual(ids, sorted(ids))
        self.assertIn(33, ids)
        self.assertIs(snap.node(33), snap.nodes[ids.index(33)])
        self.assertTrue(any(n.n_cpus == 0 for n in snap.nodes))  # a memory-only node

    def test_populated_pools(self):
        snap = cmaplan.Context(cmaplantest.fixture("pools-1g-2m")).snapshot()
        pool = snap.pools[2 << 20]
        self.assertGreater(pool.nr_hugepages, 0)
        self.assertEqual(pool.size_bytes, pool.nr_hugepages * (2 << 20))
        kinds = {i.kind for i in snap.cmdline_items}
        self.assertIn(cmaplan.CmdlineKind.HUGEPAGES, kinds)
        node_form = [i for i in snap.cmdline_items if i.kind == cmaplan.CmdlineKind.HUGEPAGES and i.node_id is not None]
        self.assertTrue(node_form)
        self.assertEqual(node_form[0].page_size_bytes, GIB)

    def test_seed_after(self):
        snap = cmaplan.Context(cmaplantest.fixture("seed-000-after")).snapshot()
        self.assertEqual(snap.node(1).pools[2 << 20].nr_hugepages, 41566)

    def test_no_debugfs(self):
        root = cmaplantest.fixture("seed-000")
        snap = cmaplan.Context(root).snapshot(debugfs=False)
        self.assertNotIn(cmaplan.HostFacts.CMA_DEBUGFS, snap.host.facts)
        self.assertIsNone(snap.cma_areas[0].used_pages)
        self.assertEqual(snap.cma_areas[0].range_base_pfns, ())


class TestMemoryBlocks(unittest.TestCase):
    def test_hole(self):
        snap = cmaplan.Context(cmaplantest.fixture("memory-blocks-hole")).snapshot()
        m = snap.memory
        self.assertIn(cmaplan.MemoryFlags.HAS_SYSFS, m.flags)
        self.assertGreater(m.n_blocks, 0)
        self.assertEqual(m.online_bytes + m.offline_bytes, m.n_blocks * m.block_size_bytes)
        holes = [r for n in snap.nodes for r in n.memory_ranges if r.hole_before_bytes]
        self.assertTrue(holes, "a range after a hole")
        with self.assertRaises(cmaplan.NotFoundError):
            snap.find_memory_block(holes[0].phys_start_bytes - 1)

    def test_movable(self):
        snap = cmaplan.Context(cmaplantest.fixture("memory-blocks-movable")).snapshot()
        self.assertGreater(snap.memory.movable_bytes, 0)
        movable = [b for b in snap.memory_blocks if b.movable]
        self.assertTrue(movable)
        self.assertTrue(all(b.valid_zones == {cmaplan.ZoneType.MOVABLE} for b in movable if b.state == 0))

    def test_without_memory_sysfs(self):
        snap = cmaplan.Context(cmaplantest.fixture("seed-000")).snapshot()
        if cmaplan.MemoryFlags.HAS_SYSFS in snap.memory.flags:
            self.skipTest("seed-000 has memory blocks")
        self.assertEqual(snap.memory.n_blocks, 0)
        self.assertIsNone(snap.memory.block_size_bytes)
        self.assertEqual(snap.memory_blocks, ())
        self.assertEqual(snap.nodes[0].memory_ranges, ())


class TestValidate(unittest.TestCase):
    def test_current_then_stale(self):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            root = cmaplan.Context(cmaplantest.fixture("pools-1g-2m")).capture(tmp + "/host")
            snap = cmaplan.Context(root).snapshot()
            snap.validate()
            self.assertTrue(snap.is_current())
            nr = root / "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
            nr.write_text(str(int(nr.read_text()) + 1) + "\n")
            self.assertFalse(snap.is_current())
            with self.assertRaises(cmaplan.StaleError) as cm:
                snap.validate()
            self.assertEqual(cm.exception.errno, 116)  # ESTALE
            self.assertIn("nr_hugepages", str(cm.exception))
            # a new snapshot is current again
            self.assertTrue(snap.context.snapshot().is_current())


class TestLifetimes(unittest.TestCase):
    def test_snapshot_outlives_everything(self):
        ctx = cmaplan.Context(cmaplantest.fixture("minimal"))
        snap = ctx.snapshot()
        node = snap.nodes[0]
        ctx.close()
        del ctx
        gc.collect()
        self.assertEqual(snap.nodes[0], node)
        self.assertIsInstance(node.meminfo("MemTotal"), int)

    def test_closed_snapshot(self):
        with cmaplan.Context(cmaplantest.fixture("minimal")).snapshot() as snap:
            zones = snap.nodes[0].zones
        self.assertTrue(snap.closed)
        self.assertTrue(zones)  # plain data stays
        with self.assertRaises(ValueError):
            snap.to_json()
        with self.assertRaises(ValueError):
            snap.host
        self.assertIn("closed", repr(snap))

    def test_many_snapshots(self):
        ctx = cmaplan.Context(cmaplantest.fixture("minimal"))
        snaps = [ctx.snapshot() for _ in range(50)]
        del ctx
        gc.collect()
        self.assertEqual({s.host.kernel_release for s in snaps}, {snaps[0].host.kernel_release})

    def test_freed_without_the_cycle_collector(self):
        # no reference cycles: the C objects go as soon as the last Python reference does
        import weakref

        gc.collect()
        gc.disable()
        try:
            ctx = cmaplan.Context(cmaplantest.fixture("minimal"), log=lambda m: None)
            snap = ctx.snapshot()
            node = snap.nodes[0]
            self.assertIsInstance(node.meminfo("MemTotal"), int)
            refs = [weakref.ref(ctx), weakref.ref(snap)]
            del ctx, snap, node
            self.assertEqual([r() for r in refs], [None, None])
        finally:
            gc.enable()

    def test_not_constructible(self):
        with self.assertRaises(TypeError):
            cmaplan.Snapshot()


if __name__ == "__main__":
    cmaplantest.main()
