# SPDX-License-Identifier: LGPL-2.1-or-later
"""cmaplan.Context: roots, lifetimes, logging, capture; and that help(cmaplan) reads well."""

import errno
import gc
import inspect
import json
import logging
import os
import pathlib
import pydoc
import subprocess
import sys
import tempfile
import unittest

import cmaplantest

import cmaplan


class TestContext(unittest.TestCase):
    def setUp(self):
        self.root = cmaplantest.fixture("seed-000")

    def test_roots(self):
        self.assertEqual(cmaplan.Context().root, "/")
        self.assertEqual(cmaplan.Context(None).root, "/")
        self.assertEqual(cmaplan.Context(self.root).root, self.root)
        self.assertEqual(cmaplan.Context(pathlib.Path(self.root)).root, self.root)
        ctx = cmaplan.Context(self.root, lock_dir=pathlib.Path("/tmp/cmaplan-test-lock"))
        self.assertEqual(ctx.lock_dir, "/tmp/cmaplan-test-lock")
        self.assertEqual(cmaplan.Context(self.root).lock_dir, "/run/cmaplan")
        self.assertIn(self.root, repr(ctx))

    def test_missing_root(self):
        with self.assertRaises(cmaplan.NotFoundError) as cm:
            cmaplan.Context("/nonexistent/cmaplan-root")
        e = cm.exception
        self.assertIsInstance(e, FileNotFoundError)
        self.assertIsInstance(e, OSError)
        self.assertEqual(e.filename, "/nonexistent/cmaplan-root")
        self.assertIn("cannot open root directory", str(e))
        with self.assertRaises(cmaplan.Error) as cm:
            cmaplan.Context(os.path.join(self.root, "proc", "meminfo"))
        self.assertEqual(cm.exception.errno, errno.ENOTDIR)

    def test_close_and_with(self):
        with cmaplan.Context(self.root) as ctx:
            snap = ctx.snapshot()
            self.assertFalse(ctx.closed)
        self.assertTrue(ctx.closed)
        self.assertIn("closed", repr(ctx))
        with self.assertRaises(ValueError):
            ctx.snapshot()
        with self.assertRaises(ValueError):
            ctx.root
        # the snapshot holds its own C reference on the context
        self.assertEqual(snap.host.n_nodes, 8)
        self.assertEqual(snap.root, self.root)
        self.assertEqual(len(snap.nodes), 8)
        ctx.close()  # twice is fine

    def test_drop_context_before_snapshot(self):
        snap = cmaplan.Context(self.root).snapshot()
        gc.collect()
        self.assertEqual(snap.context.root, self.root)
        ctx = cmaplan.Context(self.root)
        snap2 = ctx.snapshot()
        ctx.close()
        del ctx
        gc.collect()
        self.assertEqual(snap2.to_dict()["root"], self.root)
        self.assertEqual(snap2.node(1).zone("Normal").nr_free_cma, 16774451)

    def test_log_priority(self):
        ctx = cmaplan.Context(self.root)
        if "CMAPLAN_LOG" not in os.environ:
            self.assertEqual(ctx.log_priority, cmaplan.LogPriority.ERR)
        ctx.log_priority = cmaplan.LogPriority.DEBUG
        self.assertIs(ctx.log_priority, cmaplan.LogPriority.DEBUG)
        ctx = cmaplan.Context(self.root, log_priority=cmaplan.LogPriority.INFO)
        self.assertEqual(ctx.log_priority, cmaplan.LogPriority.INFO)

    def test_log_callback(self):
        seen = []
        ctx = cmaplan.Context(self.root, log=seen.append, log_priority=cmaplan.LogPriority.DEBUG)
        ctx.snapshot()
        self.assertTrue(seen)
        msg = seen[-1]
        self.assertIsInstance(msg, cmaplan.LogMessage)
        self.assertIs(msg.priority, cmaplan.LogPriority.DEBUG)
        self.assertIn("8 nodes", msg.message)
        self.assertTrue(msg.file.endswith(".c"))
        self.assertGreater(msg.line, 0)
        self.assertTrue(msg.function)
        ctx.set_log(None)
        n = len(seen)
        ctx.snapshot()
        self.assertEqual(len(seen), n)

    def test_log_errors_at_default_priority(self):
        seen = []
        ctx = cmaplan.Context(cmaplantest.fixture("malformed/zoneinfo-min-nonnumeric"), log=seen.append)
        with self.assertRaises(cmaplan.InvalidError):
            ctx.snapshot()
        self.assertTrue(any(m.priority == cmaplan.LogPriority.ERR and "proc/zoneinfo:148" in m.message for m in seen))
        self.assertFalse(any(m.priority == cmaplan.LogPriority.DEBUG for m in seen))

    def test_log_to_logger(self):
        logger = logging.getLogger("cmaplan.test")
        logger.setLevel(logging.DEBUG)
        with self.assertLogs(logger, level="DEBUG") as cm:
            ctx = cmaplan.Context(self.root, log=logger)
            self.assertEqual(ctx.log_priority, cmaplan.LogPriority.DEBUG)
            ctx.snapshot()
        record = cm.records[-1]
        self.assertEqual(record.levelno, logging.DEBUG)
        self.assertTrue(record.pathname.endswith(".c"))
        self.assertTrue(record.funcName)
        self.assertIn("snapshot of", record.getMessage())
        quiet = logging.getLogger("cmaplan.test.quiet")
        quiet.setLevel(logging.WARNING)
        self.assertEqual(cmaplan.Context(self.root, log=quiet).log_priority, cmaplan.LogPriority.WARNING)

    def test_log_callback_exception_is_raised_after_the_call(self):
        def broken(msg):
            raise RuntimeError("log sink failed")

        ctx = cmaplan.Context(self.root, log=broken, log_priority=cmaplan.LogPriority.DEBUG)
        with self.assertRaisesRegex(RuntimeError, "log sink failed"):
            ctx.snapshot()
        ctx.set_log(None)
        self.assertEqual(ctx.snapshot().host.n_nodes, 8)  # nothing left pending

    def test_log_hook_lives_with_the_snapshot(self):
        seen = []
        snap = cmaplan.Context(self.root, log=seen.append, log_priority=cmaplan.LogPriority.DEBUG).snapshot()
        gc.collect()
        # the snapshot keeps its Context object, and with it the hook
        n = len(seen)
        snap.context.snapshot()
        self.assertGreater(len(seen), n)
        # closing the context unhooks the C context the snapshot still holds
        snap.context.close()
        gc.collect()
        self.assertEqual(len(snap.to_dict()["nodes"]), 8)

    def test_bad_log(self):
        with self.assertRaises(TypeError):
            cmaplan.Context(self.root, log=42)

    def test_env_log_sink(self):
        env = dict(os.environ, CMAPLAN_LOG="debug")
        code = "import cmaplan, sys; cmaplan.Context(sys.argv[1]).snapshot()"
        p = subprocess.run([sys.executable, "-c", code, self.root], env=env, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("libcmaplan: ", p.stderr)


class TestCapture(unittest.TestCase):
    def test_capture_round_trip(self):
        root = cmaplantest.fixture("cma-615")  # small, with CMA sysfs and debugfs
        with tempfile.TemporaryDirectory() as tmp:
            dest = os.path.join(tmp, "cap")
            ctx = cmaplan.Context(root)
            self.assertEqual(ctx.capture(dest), pathlib.Path(dest))
            a = ctx.snapshot().to_dict()
            b = cmaplan.Context(dest).snapshot().to_dict()
            a.pop("root")
            b.pop("root")
            self.assertEqual(a, b)
            with self.assertRaises(cmaplan.ExistsError) as cm:
                ctx.capture(pathlib.Path(dest))
            self.assertIsInstance(cm.exception, FileExistsError)
            self.assertEqual(cm.exception.errno, 17)
            self.assertIn("already holds a capture", cm.exception.strerror)
            self.assertEqual(cm.exception.filename, dest)
            self.assertEqual(str(cm.exception).count(dest), 1)

    def test_capture_error(self):
        ctx = cmaplan.Context(cmaplantest.fixture("minimal"))
        with self.assertRaises(cmaplan.NotFoundError) as cm:
            ctx.capture("/nonexistent/cmaplan/capture")
        self.assertIn("cannot create", str(cm.exception))


class TestDocs(unittest.TestCase):
    """help(cmaplan) reads well: every public name documented, no raw plumbing in the way."""

    def test_public_api_is_documented(self):
        for name in cmaplan.__all__:
            obj = getattr(cmaplan, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            self.assertTrue(inspect.getdoc(obj), name)
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if inspect.isfunction(member) or isinstance(member, property):
                        self.assertTrue(inspect.getdoc(member) or attr in ("closed", "online"), f"{name}.{attr}")

    def test_help_renders(self):
        text = pydoc.render_doc(cmaplan, renderer=pydoc.plaintext)
        for word in ("Context", "Snapshot", "InvalidError", "LogPriority", "Threads", "to_dict"):
            self.assertIn(word, text)
        self.assertIn("The C API of libcmaplan", pydoc.render_doc(cmaplan.raw, renderer=pydoc.plaintext))
        sig = inspect.signature(cmaplan.Context)
        self.assertEqual(list(sig.parameters), ["root", "lock_dir", "log", "log_priority"])

    def test_version(self):
        self.assertRegex(cmaplan.__version__, r"^\d+\.\d+")
        self.assertEqual(cmaplan.SNAPSHOT_JSON_SCHEMA_VERSION, 1)

    def test_typed(self):
        self.assertTrue((pathlib.Path(cmaplan.__file__).parent / "py.typed").is_file())


if __name__ == "__main__":
    cmaplantest.main()
