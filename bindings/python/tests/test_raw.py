# SPDX-License-Identifier: LGPL-2.1-or-later
"""cmaplan.raw: the SWIG conventions of bindings/python/cmaplan.i, on the C API one to one."""

import errno
import gc
import unittest

import cmaplantest
from cmaplan import raw


class TestRawConventions(unittest.TestCase):
    def setUp(self):
        self.root = cmaplantest.fixture("seed-000")

    def test_objects_come_back_as_the_result(self):
        ctx = raw.cmaplan_new(self.root, None, 0)
        self.assertIsInstance(ctx, raw.cmaplan_ctx)
        self.assertEqual(raw.cmaplan_get_root(ctx), self.root)
        self.assertEqual(raw.cmaplan_get_lock_dir(ctx), "/run/cmaplan")
        snap = raw.cmaplan_snapshot_new(ctx, 0)
        self.assertIsInstance(snap, raw.cmaplan_snapshot)
        self.assertEqual(raw.cmaplan_snapshot_get_n_nodes(snap), 8)

    def test_lock_dir_and_flags(self):
        ctx = raw.cmaplan_new(self.root, "/tmp/cmaplan-lock", 0)
        self.assertEqual(raw.cmaplan_get_lock_dir(ctx), "/tmp/cmaplan-lock")
        with self.assertRaises(OSError) as cm:
            raw.cmaplan_new(self.root, None, 1)
        self.assertEqual(cm.exception.errno, errno.EINVAL)

    def test_drop_context_before_snapshot(self):
        # the snapshot holds a C reference on its context: Python's order does not matter
        ctx = raw.cmaplan_new(self.root, None, 0)
        snap = raw.cmaplan_snapshot_new(ctx, 0)
        del ctx
        gc.collect()
        ctx2 = raw.cmaplan_snapshot_get_ctx(snap)  # a new reference, owned by the proxy
        self.assertEqual(raw.cmaplan_get_root(ctx2), self.root)
        del ctx2
        gc.collect()
        self.assertIn('"cmaplan-snapshot"', raw.cmaplan_snapshot_to_json(snap))
        again = raw.cmaplan_snapshot_get_ctx(snap)
        self.assertEqual(raw.cmaplan_get_root(again), self.root)

    def test_info_structs(self):
        snap = raw.cmaplan_snapshot_new(raw.cmaplan_new(self.root, None, 0), 0)
        node = raw.cmaplan_snapshot_get_node(snap, 1)
        self.assertGreater(node.sz, 8)  # set by the binding
        self.assertEqual(node.node_id, 1)
        self.assertEqual(node.cpulist, "16-31,144-159")
        with self.assertRaises(AttributeError):
            node.node_id = 3  # read-only
        with self.assertRaises(AttributeError):
            raw.cmaplan_node_info()  # only the library makes them (with sz set)
        zone = raw.cmaplan_snapshot_get_zone(snap, 1, 2)
        self.assertEqual(zone.name, "Normal")
        self.assertEqual(zone.nr_free_cma, 16774451)
        self.assertEqual(len(zone.protection), raw.CMAPLAN_MAX_ZONE_PROTECTION)
        self.assertEqual(len(zone.free_blocks), raw.CMAPLAN_MAX_ORDERS)
        pool = raw.cmaplan_snapshot_get_pool(snap, -1, 2 << 20)
        self.assertEqual(pool.node_id, -1)  # an int32_t member, not an error
        area = raw.cmaplan_snapshot_get_cma_area(snap, 64)
        self.assertEqual(area.name, "csv-n1c0")
        self.assertEqual(area.range_base_pfn[0], 34078720)

    def test_info_strings_keep_the_snapshot(self):
        ctx = raw.cmaplan_new(self.root, None, 0)
        snap = raw.cmaplan_snapshot_new(ctx, 0)
        area = raw.cmaplan_snapshot_get_cma_area(snap, 3)
        host = raw.cmaplan_snapshot_get_host(snap)
        name = raw.cmaplan_snapshot_get_cma_area(snap, 3).name
        self.assertTrue(name.startswith("csv-n0c"))
        del snap, ctx
        gc.collect()
        # the strings point into the snapshot, which the structs still hold
        self.assertEqual(area.name, name)
        self.assertEqual(host.kernel_release, "6.6.88-5.an23.x86_64")

    def test_scalar_out_parameters_replace_the_result(self):
        snap = raw.cmaplan_snapshot_new(raw.cmaplan_new(self.root, None, 0), 0)
        self.assertEqual(raw.cmaplan_snapshot_get_page_size(snap, 0), 2 << 20)
        self.assertEqual(raw.cmaplan_snapshot_get_node_distance(snap, 0, 4), 32)
        self.assertIsInstance(raw.cmaplan_snapshot_get_node_meminfo(snap, 1, "MemTotal"), int)
        self.assertEqual(raw.cmaplan_snapshot_find_node(snap, 7), 7)

    def test_negative_returns_raise_oserror(self):
        snap = raw.cmaplan_snapshot_new(raw.cmaplan_new(self.root, None, 0), 0)
        cases = [
            (lambda: raw.cmaplan_snapshot_get_node(snap, 8), errno.ERANGE),
            (lambda: raw.cmaplan_snapshot_find_node(snap, 9), errno.ENODEV),
            (lambda: raw.cmaplan_snapshot_get_pool(snap, -1, 4096), errno.ENOENT),
            (lambda: raw.cmaplan_snapshot_get_pool(snap, -2, 2 << 20), errno.EINVAL),
            (lambda: raw.cmaplan_snapshot_get_node_meminfo(snap, 0, "NoSuchKey"), errno.ENOENT),
            (lambda: raw.cmaplan_new("/nonexistent/cmaplan", None, 0), errno.ENOENT),
        ]
        for call, err in cases:
            with self.assertRaises(OSError) as cm:
                call()
            self.assertEqual(cm.exception.errno, err)
        # OSError picks the built-in subclass itself
        with self.assertRaises(FileNotFoundError):
            raw.cmaplan_new("/nonexistent/cmaplan", None, 0)

    def test_error_carries_the_context_message(self):
        ctx = raw.cmaplan_new(cmaplantest.fixture("malformed/zoneinfo-min-nonnumeric"), None, 0)
        with self.assertRaises(OSError) as cm:
            raw.cmaplan_snapshot_new(ctx, 0)
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertRegex(cm.exception.strerror, r"^proc/zoneinfo:148: ")
        self.assertEqual(raw.cmaplan_get_error(ctx), cm.exception.strerror)

    def test_log_hook(self):
        ctx = raw.cmaplan_new(self.root, None, 0)
        seen = []
        raw.cmaplan_set_log_fn(ctx, lambda *a: seen.append(a))
        raw.cmaplan_set_log_priority(ctx, raw.CMAPLAN_LOG_DEBUG)
        self.assertEqual(raw.cmaplan_get_log_priority(ctx), raw.CMAPLAN_LOG_DEBUG)
        raw.cmaplan_snapshot_new(ctx, 0)
        self.assertTrue(seen)
        prio, file, line, fn, msg = seen[-1]
        self.assertEqual(prio, raw.CMAPLAN_LOG_DEBUG)
        self.assertTrue(file.endswith(".c"))
        self.assertGreater(line, 0)
        self.assertTrue(fn.startswith("cmaplan_") or fn)
        self.assertIn("snapshot", msg)
        raw.cmaplan_set_log_fn(ctx, None)
        n = len(seen)
        raw.cmaplan_snapshot_new(ctx, 0)
        self.assertEqual(len(seen), n)
        with self.assertRaises(TypeError):
            raw.cmaplan_set_log_fn(ctx, 42)

    def test_names(self):
        self.assertEqual(raw.cmaplan_zone_type_to_name(raw.CMAPLAN_ZONE_NORMAL), "Normal")
        self.assertEqual(raw.cmaplan_cma_kind_to_name(raw.CMAPLAN_CMA_CSV), "csv")
        self.assertEqual(raw.cmaplan_cmdline_kind_to_name(raw.CMAPLAN_CMDLINE_HUGETLB_CMA), "hugetlb_cma")
        self.assertEqual(raw.cmaplan_cmdline_kind_to_name(999), "unknown")

    def test_ref_unref_are_not_exposed(self):
        # Python counts references; a raw _unref would free under the proxy's feet
        for name in ("cmaplan_ref", "cmaplan_unref", "cmaplan_snapshot_ref", "cmaplan_snapshot_unref"):
            self.assertFalse(hasattr(raw, name), name)


if __name__ == "__main__":
    cmaplantest.main()
