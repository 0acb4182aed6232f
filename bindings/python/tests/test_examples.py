# SPDX-License-Identifier: LGPL-2.1-or-later
"""examples/orchestrator.py on the fixture trees (the C example has examples/test-example.sh)."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import cmaplantest

ORCHESTRATOR = cmaplantest.EXAMPLES / "orchestrator.py"


def run(*args):
    return subprocess.run(
        [sys.executable, str(ORCHESTRATOR), *args], capture_output=True, text=True, env=dict(os.environ)
    )


@unittest.skipUnless(ORCHESTRATOR.is_file(), f"no {ORCHESTRATOR}")
class TestOrchestrator(unittest.TestCase):
    def test_seed_host_has_no_room(self):
        p = run("--root", cmaplantest.fixture("seed-000"), "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertIsNone(out["choice"])
        self.assertEqual(len(out["nodes"]), 8)
        n1 = out["nodes"][1]
        self.assertEqual(n1["missing_pages"], 20480)  # 40 GiB of 2 MiB pages
        self.assertEqual(n1["cma_areas"], 64)
        self.assertEqual(n1["zones_serving_movable_from_cma"], ["Normal"])
        self.assertTrue(any("node 1: new pool pages would come partly from CMA" in n for n in out["notes"]))

    def test_seed_host_after_the_write(self):
        p = run("--root", cmaplantest.fixture("seed-000-after"), "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(out["choice"], 1)
        self.assertTrue(any("not be pinnable" in n for n in out["notes"]))

    def test_text_output(self):
        p = run("--root", cmaplantest.fixture("seed-000"), "--vm-gib", "1", "--page-size", "1G")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 GiB VM on 1G pages", p.stdout)
        self.assertIn("node 7: pool 0 pages, 0 free, needs 1 more", p.stdout)

    def test_capture(self):
        with tempfile.TemporaryDirectory() as tmp:
            dest = os.path.join(tmp, "cap")
            p = run("--root", cmaplantest.fixture("minimal"), "--capture", dest)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(os.path.isfile(os.path.join(dest, "proc", "zoneinfo")))

    def test_error(self):
        p = run("--root", cmaplantest.fixture("malformed/zoneinfo-min-nonnumeric"))
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"^orchestrator: proc/zoneinfo:148: ")
        p = run("--root", "/nonexistent/root")
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot open root directory", p.stderr)

    def test_guests_dry_run(self):
        p = run(
            "--root", cmaplantest.fixture("seed-000"), "--guests", "16G,8G", "--nodes", "0,1",
            "--allow-owned-cma", "--json",
        )
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertTrue(out["dry_run"])
        self.assertEqual([n["node_id"] for n in out["nodes"]], [0, 1])
        n1 = out["nodes"][1]
        self.assertEqual(n1["guest_pages"], 12288)  # 24 GiB of 2 MiB pages
        self.assertEqual((n1["from_cma_pages"], n1["from_other_pages"]), (13718, 12288))
        self.assertEqual(n1["outcome"], "dry-run")
        self.assertEqual([t["outcome"] for t in out["transitions"]], ["dry-run", "dry-run"])
        self.assertIn("node 1: dry-run (26006/26006", p.stderr)  # the progress bar's summary

    def test_guests_guard(self):
        p = run("--root", cmaplantest.fixture("seed-000"), "--guests", "24G", "--nodes", "1")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("node 1: cannot: node 1: 26006 more 2 MiB pages", p.stdout)

    def test_verbose_logs_through_logging(self):
        p = run("--root", cmaplantest.fixture("minimal"), "-v")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("libcmaplan: snapshot of", p.stderr)


if __name__ == "__main__":
    cmaplantest.main()
