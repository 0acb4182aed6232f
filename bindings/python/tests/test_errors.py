# SPDX-License-Identifier: LGPL-2.1-or-later
"""Errors: OSError subclasses with the library's errno and message, on every malformed tree."""

import errno
import pickle
import unittest

import cmaplantest

import cmaplan


class TestHierarchy(unittest.TestCase):
    def test_classes(self):
        cases = {
            errno.EINVAL: (cmaplan.InvalidError, ValueError),
            errno.ENOENT: (cmaplan.NotFoundError, FileNotFoundError),
            errno.EEXIST: (cmaplan.ExistsError, FileExistsError),
            errno.EACCES: (cmaplan.AccessError, PermissionError),
            errno.EPERM: (cmaplan.AccessError, PermissionError),
            errno.ENODEV: (cmaplan.NoSuchNodeError, LookupError),
            errno.ERANGE: (cmaplan.OutOfRangeError, IndexError),
            errno.ESTALE: (cmaplan.StaleError, cmaplan.Error),
            errno.ENOSPC: (cmaplan.InfeasibleError, cmaplan.Error),
            errno.EBUSY: (cmaplan.BusyError, cmaplan.Error),
            errno.EOPNOTSUPP: (cmaplan.NotSupportedError, cmaplan.Error),
            errno.EIO: (cmaplan.Error, OSError),
        }
        for err, (cls, builtin) in cases.items():
            with self.subTest(errno=errno.errorcode[err]):
                e = cmaplan.error_from_errno(err, "the message")
                self.assertIs(type(e), cls)
                self.assertIsInstance(e, cmaplan.Error)
                self.assertIsInstance(e, OSError)
                self.assertIsInstance(e, builtin)
                self.assertEqual(e.errno, err)
                self.assertEqual(e.strerror, "the message")
                self.assertEqual(str(e), f"[Errno {err}] the message")

    def test_defaults_and_negative_codes(self):
        e = cmaplan.error_from_errno(-errno.ENODEV)
        self.assertIsInstance(e, cmaplan.NoSuchNodeError)
        self.assertEqual(e.errno, errno.ENODEV)
        self.assertEqual(e.strerror, "No such device")

    def test_filename(self):
        e = cmaplan.error_from_errno(errno.ENOENT, "cannot open root directory: No such file", "/x/y")
        self.assertEqual(e.filename, "/x/y")
        self.assertEqual(str(e), "[Errno 2] cannot open root directory: No such file: '/x/y'")
        e = cmaplan.error_from_errno(errno.EEXIST, "/x/y: already holds a capture", "/x/y")
        self.assertEqual(str(e), "[Errno 17] /x/y: already holds a capture")  # named once

    def test_pickle(self):
        e = cmaplan.error_from_errno(errno.EINVAL, "proc/zoneinfo:3: bad")
        e2 = pickle.loads(pickle.dumps(e))
        self.assertIs(type(e2), cmaplan.InvalidError)
        self.assertEqual((e2.errno, e2.strerror), (e.errno, e.strerror))


class TestMalformedTrees(unittest.TestCase):
    """tests/fixtures/malformed/EXPECTED: errno, file and line of each defect."""

    def test_every_malformed_tree(self):
        rows = cmaplantest.malformed_expectations()
        if not rows:
            self.skipTest("no tests/fixtures/malformed/EXPECTED")
        for tree, err_name, path, line in rows:
            with self.subTest(tree=tree):
                seen = []
                ctx = cmaplan.Context(cmaplantest.fixture("malformed/" + tree), log=seen.append)
                with self.assertRaises(cmaplan.Error) as cm:
                    ctx.snapshot()
                e = cm.exception
                self.assertEqual(e.errno, getattr(errno, err_name))
                self.assertIs(type(e), type(cmaplan.error_from_errno(e.errno)))
                self.assertIn(path, e.strerror)
                if line > 0:
                    self.assertIn(f"{path}:{line}: ", e.strerror)
                # the same message the context keeps, and the one logged at ERR
                self.assertEqual(ctx.last_error, e.strerror)
                self.assertTrue(any(m.message == e.strerror for m in seen), seen)
                # the context stays usable after the failure
                with self.assertRaises(cmaplan.Error):
                    ctx.snapshot()

    def test_capture_of_a_malformed_tree_fails_the_same_way(self):
        import tempfile

        rows = cmaplantest.malformed_expectations()
        if not rows:
            self.skipTest("no tests/fixtures/malformed/EXPECTED")
        tree, err_name, path, _ = rows[0]
        with tempfile.TemporaryDirectory() as tmp:
            ctx = cmaplan.Context(cmaplantest.fixture("malformed/" + tree))
            with self.assertRaises(cmaplan.Error) as cm:
                ctx.capture(tmp + "/cap")
        self.assertEqual(cm.exception.errno, getattr(errno, err_name))
        self.assertIn(path, cm.exception.strerror)


if __name__ == "__main__":
    cmaplantest.main()
