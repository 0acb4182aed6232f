# SPDX-License-Identifier: LGPL-2.1-or-later
"""Plans, capacity, boot plans and dry-run transitions on the fixture trees."""

import errno
import json
import os
import pathlib
import shutil
import tempfile
import unittest

import cmaplantest

import cmaplan

MIB2 = 2 << 20
GIB = 1 << 30


class TestPlanSeed000(unittest.TestCase):
    """The seed host: 41566 x 2 MiB on node 1, allowed to take the csv-owned CMA."""

    @classmethod
    def setUpClass(cls):
        cls.snap = cmaplan.Context(cmaplantest.fixture("seed-000")).snapshot()
        cls.plan = cls.snap.plan("set", node=1, pages=41566, size="2M", allow_owned_cma=True)

    def test_prediction(self):
        i = self.plan.info
        self.assertIsInstance(self.plan, cmaplan.Plan)
        self.assertEqual(i.kind, cmaplan.RequestKind.SET)
        self.assertEqual(i.node_id, 1)
        self.assertEqual(i.page_size_bytes, MIB2)
        self.assertIn(cmaplan.PlanFlags.ALLOW_OWNED_CMA, i.flags)
        self.assertEqual(i.status, 0)
        self.assertTrue(self.plan.feasible)
        self.assertEqual((i.current_pages, i.target_pages, i.reached_pages), (0, 41566, 41566))
        self.assertEqual(i.from_cma_pages, 21498)
        self.assertEqual(i.from_other_pages, 20068)

    def test_steps(self):
        steps = self.plan.steps
        self.assertEqual(len(steps), 1)
        s = self.plan.step(1)
        self.assertIs(s, steps[0])
        self.assertEqual((s.node_id, s.current_pages, s.target_pages), (1, 0, 41566))
        self.assertEqual((s.from_cma_pages, s.from_other_pages), (21498, 20068))
        self.assertEqual(s.from_cma_pages + s.from_other_pages, s.target_pages)
        self.assertEqual(s.pinnable_after_pages, 20068)
        self.assertEqual(s.limit, cmaplan.PlanLimit.NONE)
        self.assertEqual(len(s.zones), s.n_zones)
        normal = [z for z in s.zones if z.name == "Normal"]
        self.assertEqual(len(normal), 1)
        self.assertEqual(normal[0].type, cmaplan.ZoneType.NORMAL)
        self.assertEqual(sum(z.from_cma_pages for z in s.zones), 21498)
        with self.assertRaises(KeyError):
            self.plan.step(0)

    def test_warnings(self):
        ws = self.plan.warnings
        self.assertEqual(len(ws), self.plan.info.n_warnings)
        names = [w.name for w in ws]
        self.assertIn("TAKES_CMA", names)
        self.assertIn("PLAN_OWNED_CMA_TAKEN", names)
        w = ws[names.index("TAKES_CMA")]
        self.assertEqual(w.code, 1)
        self.assertIn("21498 of the 41566 new 2 MiB pages on node 1", w.text)
        self.assertTrue(str(w).startswith("[W1 TAKES_CMA] "))

    def test_json(self):
        d = self.plan.to_dict()
        self.assertEqual(d["schema"], "cmaplan-plan")
        self.assertEqual(json.loads(self.plan.to_json(indent=2)), d)
        self.assertIn("Plan set node=1", repr(self.plan))

    def test_plan_keeps_snapshot(self):
        plan = cmaplan.Context(cmaplantest.fixture("seed-000")).snapshot().plan(
            "set", node=1, pages=100, size=MIB2, allow_owned_cma=True
        )
        # the snapshot and context objects are gone: the plan holds them
        self.assertEqual(plan.info.target_pages, 100)
        self.assertEqual(plan.snapshot.root, cmaplantest.fixture("seed-000"))

    def test_guard_is_infeasible(self):
        with self.assertRaises(cmaplan.InfeasibleError) as cm:
            self.snap.plan("set", node=1, pages=41566, size="2M")
        e = cm.exception
        self.assertEqual(e.errno, errno.ENOSPC)
        self.assertIsInstance(e, OSError)
        self.assertIn("CMA owned by csv areas", e.strerror)

    def test_shortfall_plan(self):
        p = self.snap.plan("set", node=1, pages=41566, size="2M", allow_shortfall=True)
        self.assertFalse(p.feasible)
        self.assertEqual(p.info.status, -errno.ENOSPC)
        self.assertEqual(p.info.limit, cmaplan.PlanLimit.OWNED_CMA)
        self.assertTrue(p.info.reason)

    def test_other_kinds(self):
        p = self.snap.plan("max-no-cma", node=1, size="2M")
        self.assertEqual(p.info.kind, cmaplan.RequestKind.MAX_NO_CMA)
        self.assertEqual(p.info.from_cma_pages, 0)
        p = self.snap.plan(cmaplan.RequestKind.ADD_SPREAD, bytes="4G", nodes=[0, 2], size="2M", allow_owned_cma=True)
        self.assertEqual([s.node_id for s in p.steps], [0, 2])
        self.assertEqual(sum(s.target_pages - s.current_pages for s in p.steps), 2048)
        p = self.snap.plan("pin-guest", node=0, bytes="8G", size="2M", allow_owned_cma=True)
        self.assertEqual(p.info.guest_pages, 4096)

    def test_bad_requests(self):
        with self.assertRaises(cmaplan.NoSuchNodeError):
            self.snap.plan("set", node=42, pages=1, size="2M")
        with self.assertRaises(cmaplan.InvalidError):
            self.snap.plan("grow", node=1, pages=1)
        with self.assertRaises(cmaplan.InvalidError):
            self.snap.plan("set", node=1, pages=1, size="2X")

    def test_parse_helpers(self):
        self.assertEqual(cmaplan.parse_size("2M"), MIB2)
        self.assertEqual(cmaplan.parse_size("40GiB"), 40 * GIB)
        self.assertEqual(cmaplan.parse_size(4096), 4096)
        self.assertEqual(cmaplan.kernel_version("6.12"), 0x060C00)
        self.assertEqual(cmaplan.kernel_version((6, 15, 3)), 0x060F03)


class TestCapacity(unittest.TestCase):
    def test_seed000_after(self):
        snap = cmaplan.Context(cmaplantest.fixture("seed-000-after")).snapshot()
        c = snap.capacity(1, "2M")
        self.assertIsInstance(c, cmaplan.Capacity)
        self.assertEqual((c.node_id, c.page_size_bytes), (1, MIB2))
        self.assertEqual(c.pool_pages, 41566)
        self.assertEqual(c.pool_in_cma_pages, 21503)
        self.assertEqual(c.pinnable_pages, 20063)
        self.assertEqual(c.pinnable_bytes, 20063 * MIB2)
        self.assertEqual(c.limit, cmaplan.CapacityLimit.POOL)
        self.assertEqual(c.estimate, cmaplan.CapacityEstimate.REPLAY)
        self.assertEqual([w.name for w in c.warnings], ["PLAN_POOL_ESTIMATED", "PIN_UNPINNABLE_POOL"])
        self.assertIn("21503", c.warnings[0].text)
        # 39 GiB pins, 40 GiB does not
        self.assertGreaterEqual(c.pinnable_bytes, 39 * GIB)
        self.assertLess(c.pinnable_bytes, 40 * GIB)

    def test_memlock_binds(self):
        snap = cmaplan.Context(cmaplantest.fixture("seed-000-after")).snapshot()
        c = snap.capacity(1, "2M", memlock="1G")
        self.assertEqual(c.limit, cmaplan.CapacityLimit.MEMLOCK)
        self.assertLessEqual(c.pinnable_bytes, GIB)

    def test_unknown_node(self):
        snap = cmaplan.Context(cmaplantest.fixture("seed-000-after")).snapshot()
        with self.assertRaises(cmaplan.NoSuchNodeError):
            snap.capacity(42, "2M")


class TestBootPlan(unittest.TestCase):
    """seed-003: 2 x 1536 GiB; 3024 x 1 GiB fit on 6.12 only with pre-HVO; 3018 without
    (node 0's free 1 GiB windows: 1536 - 4 below 4 GiB - 25 at its top)."""

    def check_seed003(self, bp):
        i = bp.info
        self.assertEqual(i.verdict, cmaplan.BootVerdict.FITS_ONLY_WITH_PREHVO)
        self.assertFalse(bp.fits)
        self.assertEqual(i.target_pages, 3024)
        self.assertEqual(i.largest_pages, 3018)
        self.assertEqual(i.largest_pages_plain, 3018)
        self.assertEqual(i.largest_pages_prehvo, 3065)
        self.assertNotIn(cmaplan.BootFeatures.PREHVO, i.features)
        self.assertEqual(bp.cmdline, "hugetlb_free_vmemmap=on default_hugepagesz=1G hugepagesz=1G hugepages=3024")
        self.assertEqual([p.text for p in bp.params], bp.cmdline.split())
        self.assertTrue(all(p.reason for p in bp.params))
        n0, n1 = bp.nodes
        self.assertEqual((n0.node_id, n0.pages, n1.pages), (0, 1512, 1512))
        self.assertEqual(n0.vmemmap_full_bytes, 24 * GIB)
        self.assertEqual(n0.peak_plain_bytes, (24 + 1512 + 2) * GIB)
        self.assertEqual((n0.max_pages_plain, n1.max_pages_plain), (1507, 1511))
        self.assertNotIn(cmaplan.BootNodeFlags.FITS_PLAIN, n0.flags)
        self.assertIn(cmaplan.BootNodeFlags.FITS_PREHVO, n0.flags)
        names = {w.name for w in bp.warnings}
        self.assertIn("BOOT_FITS_ONLY_PREHVO", names)
        self.assertIn("PREHVO_UNAVAILABLE", names)
        self.assertEqual(bp.to_dict()["schema"], "cmaplan-bootplan")

    def test_seed003_snapshot(self):
        snap = cmaplan.Context(cmaplantest.fixture("seed-003")).snapshot()
        self.check_seed003(cmaplan.bootplan(snap, pages1g=3024, kernel="6.12"))

    def test_seed003_described(self):
        ctx = cmaplan.Context(cmaplantest.fixture("minimal"))
        bp = cmaplan.bootplan(ctx, pages1g=3024, host="ram=0:1536G,1:1536G;arch=x86_64", kernel="6.12")
        self.check_seed003(bp)

    def test_largest_fits(self):
        snap = cmaplan.Context(cmaplantest.fixture("seed-003")).snapshot()
        bp = cmaplan.bootplan(snap, pages1g=3018, kernel="6.12")
        self.assertTrue(bp.fits)
        bp = cmaplan.bootplan(snap, pages1g=3024, kernel="6.15")
        self.assertEqual(bp.info.verdict, cmaplan.BootVerdict.FITS)

    def test_errors(self):
        ctx = cmaplan.Context(cmaplantest.fixture("minimal"))
        with self.assertRaises(cmaplan.InvalidError) as cm:
            cmaplan.bootplan(ctx, pages1g=2, host="ram=bogus")
        self.assertIn("ram", cm.exception.strerror)
        with self.assertRaises(cmaplan.InvalidError):
            cmaplan.bootplan(ctx, pages1g=2)  # a Context needs a host description
        with self.assertRaises(cmaplan.InvalidError):
            cmaplan.bootplan(ctx.snapshot())  # no target


class TestApplyDryRun(unittest.TestCase):
    """Transitions on a copy of the seed host, with a private lock directory."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.tmp.name) / "root"
        shutil.copytree(cmaplantest.fixture("seed-000"), self.root, symlinks=True)
        self.lock_dir = pathlib.Path(self.tmp.name) / "lock"
        self.ctx = cmaplan.Context(self.root, lock_dir=self.lock_dir)
        self.nr = self.root / "sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages"

    def tearDown(self):
        self.tmp.cleanup()

    def plan(self):
        return self.ctx.snapshot().plan("set", node=1, pages=4096, size="2M", allow_owned_cma=True)

    def test_dry_run(self):
        calls = []
        t = self.plan().apply(progress=calls.append, dry_run=True)
        self.assertIsInstance(t, cmaplan.Transition)
        self.assertTrue(t.ok)
        self.assertEqual(t.info.outcome, cmaplan.TransitionOutcome.DRY_RUN)
        self.assertEqual(t.info.n_writes, 0)
        self.assertIn(cmaplan.ApplyFlags.DRY_RUN, t.info.flags)
        self.assertTrue(calls)
        self.assertTrue(all(isinstance(c, cmaplan.Progress) for c in calls))
        self.assertEqual({(c.node_id, c.page_size_bytes, c.target_pages) for c in calls}, {(1, MIB2, 4096)})
        self.assertEqual(calls[-1].done_pages, 4096)
        (s,) = t.steps
        self.assertEqual((s.node_id, s.before_pages, s.target_pages, s.state), (1, 0, 4096, cmaplan.StepState.PENDING))
        self.assertEqual(self.nr.read_text().strip(), "0")  # nothing written
        d = t.to_dict()
        self.assertEqual(d["schema"], "cmaplan-transition")
        self.assertEqual(d["outcome"], "dry-run")
        self.assertIsNone(cmaplan.recover(self.ctx, dry_run=True))  # no journal left

    def test_progress_exception_is_raised_after(self):
        def boom(p):
            raise RuntimeError("stop")

        with self.assertRaisesRegex(RuntimeError, "stop"):
            self.plan().apply(progress=boom, dry_run=True)
        with self.assertRaises(TypeError):
            self.plan().apply(progress=42, dry_run=True)

    def test_stale(self):
        plan = self.plan()
        self.nr.write_text("8\n")  # the host changed after the snapshot
        with self.assertRaises(cmaplan.StaleError):
            plan.apply(dry_run=True)

    def test_busy(self):
        import fcntl
        import struct

        # the library's lock: an OFD write lock on lock_dir/lock (lib/lock.c)
        f_ofd_setlk = getattr(fcntl, "F_OFD_SETLK", 37)
        self.lock_dir.mkdir()
        fd = os.open(self.lock_dir / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.fcntl(fd, f_ofd_setlk, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))
            with self.assertRaises(cmaplan.BusyError) as cm:
                self.plan().apply(dry_run=True)
            self.assertEqual(cm.exception.errno, errno.EBUSY)
        finally:
            os.close(fd)
        self.assertTrue(self.plan().apply(dry_run=True).ok)  # free again

    def test_recover_nothing(self):
        self.assertIsNone(cmaplan.recover(self.ctx))


if __name__ == "__main__":
    cmaplantest.main()
