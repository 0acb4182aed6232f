#!/usr/bin/env python3
"""Generate a synthetic N-node host tree for the benchmarks (not a fixture: nothing is asserted
about its numbers). Formats follow a 6.18 kernel (tests/fixtures/minimal): zoneinfo prints a
pageset block for every online CPU in every populated zone, which is what makes it megabytes on
big hosts.

    gen-host.py DEST NODES [CPUS [SIZES]]   (default CPUS = 32 * NODES, capped at 8192;
                                             SIZES: huge page sizes in kB, default 2048,1048576)
"""
import os
import sys

GIB_PAGES = 262144


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def zone_block(node, name, pages, start_pfn, cpus, cma):
    if pages == 0:
        return ("Node %d, zone %8s\n  pages free     0\n        boost    0\n        min      0\n"
                "        low      0\n        high     0\n        promo    0\n        spanned  0\n"
                "        present  0\n        managed  0\n        cma      0\n"
                "        protection: (0, 0, 0, 0, 0)\n" % (node, name))
    free = pages * 9 // 10
    out = ["Node %d, zone %8s" % (node, name),
           "  pages free     %d" % free, "        boost    0", "        min      %d" % (pages // 2000),
           "        low      %d" % (pages // 1600), "        high     %d" % (pages // 1300),
           "        promo    %d" % (pages // 1100), "        spanned  %d" % pages,
           "        present  %d" % pages, "        managed  %d" % (pages - 1000), "        cma      %d" % cma,
           "        protection: (0, 0, 0, 0, 0)", "      nr_free_pages %d" % free,
           "      nr_free_pages_blocks %d" % (free // 512 * 512)]
    for stat in ("nr_zone_inactive_anon", "nr_zone_active_anon", "nr_zone_inactive_file",
                 "nr_zone_active_file", "nr_zone_unevictable", "nr_zone_write_pending", "nr_mlock",
                 "nr_zspages"):
        out.append("      %-12s %d" % (stat, 100))
    out.append("      nr_free_cma  %d" % (cma * 9 // 10))
    for ev in ("numa_hit", "numa_miss", "numa_foreign", "numa_interleave", "numa_local", "numa_other"):
        out.append("      %-12s %d" % (ev, 12345))
    out.append("  pagesets")
    for c in range(cpus):
        out += ["    cpu: %d" % c, "              count:    12", "              high:     400",
                "              batch:    63", "              high_min: 400", "              high_max: 2000",
                "  vm stats threshold: 64"]
    out += ["  node_unreclaimable:  0", "  start_pfn:           %d" % start_pfn]
    return "\n".join(out) + "\n"


def main():
    dest, nodes = sys.argv[1], int(sys.argv[2])
    cpus = int(sys.argv[3]) if len(sys.argv) > 3 else min(32 * nodes, 8192)
    sizes = [int(k) for k in sys.argv[4].split(",")] if len(sys.argv) > 4 else [2048, 1048576]
    per_node_gib = 64
    zoneinfo, buddy, ptype = [], [], []
    header = ("Page block order: 9\nPages per block:  512\n\n"
              "Free pages count per migrate type at order       0      1      2      3      4      5"
              "      6      7      8      9     10 \n")
    blocks_header = "Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate "
    pfn = 1 << 20
    total_kb = 0
    for n in range(nodes):
        pages = per_node_gib * GIB_PAGES
        cma = 4 * GIB_PAGES
        zoneinfo.append(zone_block(n, "Normal", pages, pfn, cpus, cma))
        zoneinfo.append(zone_block(n, "Movable", 0, 0, cpus, 0))
        zoneinfo.append(zone_block(n, "Device", 0, 0, cpus, 0))
        buddy.append("Node %d, zone   Normal " % n + "".join("%6d " % v for v in
                     (100, 90, 80, 70, 60, 50, 40, 30, 20, 10, (pages * 9 // 10) // 1024)) + "\n")
        # the kernel prints the whole layout once per node
        ptype.append(header)
        for t in ("Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"):
            big = (pages * 9 // 10 - cma) // 1024 if t == "Movable" else (cma // 1024 if t == "CMA" else 0)
            ptype.append("Node %4d, zone %8s, type %12s " % (n, "Normal", t) +
                         "".join("%6d " % v for v in (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, big)) + "\n")
        ptype.append("\n" + blocks_header + "\n" + "Node %d, zone %8s %12d %12d %12d %12d %12d %12d \n"
                     % (n, "Normal", 100, pages // 512 - 100 - cma // 512, 0, 0, cma // 512, 0))
        node = "sys/devices/system/node/node%d/" % n
        per = max(cpus // nodes, 1)
        lo, hi = n * per, min((n + 1) * per, cpus) - 1
        # more nodes than CPUs: the rest are memory-only nodes
        write(dest, node + "cpulist", "%d-%d\n" % (lo, hi) if lo <= hi else "\n")
        write(dest, node + "distance", " ".join("10" if m == n else "21" for m in range(nodes)) + "\n")
        kb = (pages - 1000) * 4
        total_kb += kb
        write(dest, node + "meminfo", "".join("Node %d %-15s %8d kB\n" % (n, k + ":", v) for k, v in
              (("MemTotal", kb), ("MemFree", kb * 9 // 10), ("MemUsed", kb // 10))) +
              "Node %d HugePages_Total:     0\nNode %d HugePages_Free:      0\nNode %d HugePages_Surp:      0\n" % (n, n, n))
        for size in sizes:
            for f in ("nr_hugepages", "free_hugepages", "surplus_hugepages"):
                write(dest, node + "hugepages/hugepages-%dkB/%s" % (size, f), "0\n")
        area = "sys/kernel/mm/cma/hugetlb%d/" % n
        for f, v in (("alloc_pages_success", 0), ("alloc_pages_fail", 0), ("release_pages_success", 0),
                     ("total_pages", cma), ("available_pages", cma)):
            write(dest, area + f, "%d\n" % v)
        pfn += pages
    write(dest, "proc/zoneinfo", "".join(zoneinfo))
    write(dest, "proc/buddyinfo", "".join(buddy))
    write(dest, "proc/pagetypeinfo", "".join(ptype))
    write(dest, "proc/meminfo", "MemTotal:       %d kB\nMemFree:        %d kB\nHugePages_Total:       0\n"
          "Hugepagesize:       2048 kB\nCmaTotal:       %d kB\nCmaFree:        %d kB\n"
          % (total_kb, total_kb * 9 // 10, nodes * 4 * 1048576, nodes * 4 * 1048576))
    write(dest, "proc/cmdline", "hugetlb_cma=%s\n" % ",".join("%d:4G" % n for n in range(nodes)))
    write(dest, "proc/sys/kernel/osrelease", "6.18.0-bench\n")
    write(dest, "proc/sys/vm/hugetlb_optimize_vmemmap", "1\n")
    nl = "0-%d\n" % (nodes - 1)
    for f in ("online", "possible", "has_memory", "has_normal_memory"):
        write(dest, "sys/devices/system/node/" + f, nl)
    with_cpu = min(nodes, cpus)
    write(dest, "sys/devices/system/node/has_cpu", "0-%d\n" % (with_cpu - 1))
    for size in sizes:
        for f in ("nr_hugepages", "free_hugepages", "resv_hugepages", "surplus_hugepages",
                  "nr_overcommit_hugepages", "nr_hugepages_mempolicy"):
            write(dest, "sys/kernel/mm/hugepages/hugepages-%dkB/%s" % (size, f), "0\n")


if __name__ == "__main__":
    main()
