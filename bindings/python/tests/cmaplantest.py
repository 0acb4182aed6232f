# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared helpers of the Python tests (plain unittest, no third-party runner).

make check runs each test_*.py with PYTHONPATH at the build tree's staged package and
LD_LIBRARY_PATH at lib/.libs (bindings/python/python.am). Run one by hand the same way:

    PYTHONPATH=bindings/python/stage LD_LIBRARY_PATH=lib/.libs python3 bindings/python/tests/test_snapshot.py -v
"""

from __future__ import annotations

import os
import pathlib
import sys
import unittest

HERE = pathlib.Path(__file__).resolve().parent
TOP_SRCDIR = pathlib.Path(os.environ.get("top_srcdir") or HERE.parent.parent.parent)
FIXTURES = TOP_SRCDIR / "tests" / "fixtures"
EXAMPLES = pathlib.Path(os.environ.get("CMAPLAN_EXAMPLES_DIR") or TOP_SRCDIR / "examples")
SEED = FIXTURES / "seed-000"


def fixture(name: str) -> str:
    """The path of a fixture tree; skips the test if the tree is not there."""
    path = FIXTURES / name
    if not path.is_dir():
        raise unittest.SkipTest(f"no fixture tree {name} in {FIXTURES}")
    return str(path)


def valid_fixtures() -> list:
    """Every fixture tree that is a valid host (not malformed/)."""
    if not FIXTURES.is_dir():
        return []
    return sorted(
        p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "malformed" and (p / "proc").is_dir()
    )


def malformed_expectations() -> list:
    """(tree, errno name, path, line) from tests/fixtures/malformed/EXPECTED."""
    expected = FIXTURES / "malformed" / "EXPECTED"
    if not expected.is_file():
        return []
    rows = []
    for line in expected.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        tree, err, path, lineno = line.split("\t")
        rows.append((tree, err, path, int(lineno)))
    return rows


def main() -> None:
    """unittest.main, but exit 77 (automake's SKIP) when every test was skipped."""
    prog = unittest.main(exit=False, verbosity=2)
    result = prog.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.testsRun and len(result.skipped) == result.testsRun:
        sys.exit(77)
    sys.exit(0)
