# SPDX-License-Identifier: LGPL-2.1-or-later
"""ONE small transition on the live kernel (root only): node 0's 2 MiB pool grows by 2 pages
through Plan.apply with a progress callback, then shrinks back through another plan. The
original count is always restored. The library takes /run/cmaplan/lock itself: the test never
holds it (it waits for another transition instead of failing)."""

import os
import pathlib
import unittest

import cmaplantest

import cmaplan

MIB2 = 2 << 20
NR = pathlib.Path("/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages")


def read_nr() -> int:
    return int(NR.read_text())


@unittest.skipUnless(os.geteuid() == 0, "not root")
@unittest.skipUnless(NR.exists(), f"no {NR}")
class TestLiveTransition(unittest.TestCase):
    def setUp(self):
        self.ctx = cmaplan.Context()
        if cmaplan.recover(self.ctx, dry_run=True, wait=True) is not None:
            self.skipTest("an interrupted transition awaits 'cmaplan recover' on this host")
        self.original = read_nr()

    def tearDown(self):
        # whatever happened: back to the original count, through a plan if possible
        if read_nr() == self.original:
            return
        try:
            snap = cmaplan.Context().snapshot()
            snap.plan("set", node=0, pages=self.original, size=MIB2, allow_below_in_use=True).apply(wait=True)
        except cmaplan.Error:
            pass
        if read_nr() != self.original:
            NR.write_text(f"{self.original}\n")
        self.assertEqual(read_nr(), self.original)

    def test_grow_and_shrink_back(self):
        snap = self.ctx.snapshot()
        try:
            plan = snap.plan("set", node=0, pages=self.original + 2, size=MIB2)
        except cmaplan.InfeasibleError as e:
            self.skipTest(f"node 0 cannot take 2 more 2 MiB pages under the guards: {e.strerror}")
        step = plan.step(0)
        self.assertEqual((step.current_pages, step.target_pages), (self.original, self.original + 2))

        calls = []
        t = plan.apply(progress=calls.append, wait=True)
        self.assertTrue(t.ok, t.info.message)
        self.assertEqual(t.info.outcome, cmaplan.TransitionOutcome.DONE)
        self.assertGreaterEqual(t.info.n_writes, 1)
        (s,) = t.steps
        self.assertEqual(s.state, cmaplan.StepState.DONE)
        self.assertEqual((s.before_pages, s.final_pages), (self.original, self.original + 2))
        self.assertEqual(read_nr(), self.original + 2)
        self.assertTrue(calls, "the progress callback was not called")
        self.assertEqual((calls[-1].node_id, calls[-1].page_size_bytes), (0, MIB2))
        self.assertEqual(calls[-1].done_pages, self.original + 2)
        self.assertEqual(calls[-1].target_pages, self.original + 2)
        self.assertIsNone(cmaplan.recover(self.ctx, dry_run=True, wait=True))  # the journal is gone

        # the old snapshot is stale now; a fresh one shrinks back
        with self.assertRaises(cmaplan.StaleError):
            plan.apply(dry_run=True, wait=True)
        back = self.ctx.snapshot().plan("set", node=0, pages=self.original, size=MIB2)
        t2 = back.apply(wait=True)
        self.assertTrue(t2.ok, t2.info.message)
        self.assertEqual(t2.steps[0].final_pages, self.original)
        self.assertEqual(read_nr(), self.original)


if __name__ == "__main__":
    cmaplantest.main()
