#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generate hostile trees for tests/test-hostile.c.

Each tree starts from a tiny valid host (one node, two hugetlb sizes, one CMA area) built here,
so that the trees do not move when fixtures elsewhere change, and breaks one thing: truncated
files, binary garbage, 20- and 21-digit numbers, negative counts, duplicated nodes and zones,
node ids beyond 1024, symlink loops, links escaping the root, FIFOs, unreadable files, a 1 GiB
sparse file, directories and files swapped, empty files, spaces, CR-LF, overlong lines...

usage: gen-hostile.py OUTDIR

writes OUTDIR/<tree>/ for every case and OUTDIR/MANIFEST, one tab-separated line per tree:

    tree  expect  path  line  checks  description

expect  "ok", or the errno name cmaplan_snapshot_new() must return (negated)
path    the file the error message must start with ("-" for ok)
line    the line the message must give after the path ("-": no line, "*": any or none)
checks  comma-separated extra checks ("-" for none):
          fact:NAME / nofact:NAME   a CMAPLAN_HAS_* bit set / clear (lower case, no prefix)
          memtotal=N                host mem_total_kib
          nodes=N                   number of nodes
          pagesizes=N               number of hugetlb page sizes
          cma0.node=N               node id of the first CMA area
          cmas=N                    number of CMA areas
          as-nobody                 run the snapshot as user nobody (an unreadable file means
                                    nothing to root); skipped where that is impossible
          fake-size0=PATH           make fstat() report size 0 for PATH, as procfs and sysfs do,
                                    so that the reader's streaming bound is what stops it
          nofollow=ok|ERRNO:PATH    the outcome without openat2 (kernels before 5.6, seccomp,
                                    valgrind), where the reader follows no link at all: a link
                                    as the last component is ELOOP, one on the way reads as absent
"""

import os
import random
import sys

BASE_ZONEINFO = """\
Node 0, zone      DMA
  per-node stats
      nr_inactive_anon 1024
      nr_active_anon 12
      nr_hugetlb   16
  pages free     3840
        boost    0
        min      44
        low      55
        high     66
        promo    77
        spanned  4095
        present  3998
        managed  3840
        cma      0
        protection: (0, 1952, 3904, 3904, 3904)
      nr_free_pages 3840
      nr_zone_inactive_anon 0
      nr_free_cma  0
      numa_hit     0
  pagesets
    cpu: 0
              count:    0
              high:     0
              batch:    1
  vm stats threshold: 4
  node_unreclaimable:  0
  start_pfn:           1
Node 0, zone    DMA32
  pages free     400000
        boost    0
        min      8914
        low      11142
        high     13370
        promo    15598
        spanned  1044480
        present  520000
        managed  500000
        cma      0
        protection: (0, 0, 1952, 1952, 1952)
      nr_free_pages 400000
      nr_free_cma  0
  pagesets
    cpu: 0
              count:    10
              high:     0
              batch:    1
  vm stats threshold: 24
  node_unreclaimable:  0
  start_pfn:           4096
Node 0, zone   Normal
  pages free     300000
        boost    0
        min      8000
        low      10000
        high     12000
        promo    14000
        spanned  524288
        present  524288
        managed  499246
        cma      16384
        protection: (0, 0, 0, 0, 0)
      nr_free_pages 300000
      nr_free_cma  16384
  pagesets
    cpu: 0
              count:    100
              high:     200
              batch:    63
  vm stats threshold: 32
  node_unreclaimable:  0
  start_pfn:           1048576
Node 0, zone  Movable
  pages free     0
        boost    0
        min      0
        low      0
        high     0
        promo    0
        spanned  0
        present  0
        managed  0
        cma      0
        protection: (0, 0, 0, 0, 0)
  start_pfn:           0
"""

BASE_BUDDYINFO = """\
Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 
Node 0, zone    DMA32      1      1      4      2      5      4      3      3      4      2    385 
Node 0, zone   Normal   4858   1034    233     37     23      6      4      5     11      0    280 
"""

BASE_PAGETYPEINFO = """\
Page block order: 9
Pages per block:  512

Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 
Node    0, zone      DMA, type    Unmovable      0      0      0      0      0      0      0      0      1      0      0 
Node    0, zone      DMA, type      Movable      0      0      0      0      0      0      0      0      0      1      3 
Node    0, zone      DMA, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 
Node    0, zone      DMA, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 
Node    0, zone      DMA, type          CMA      0      0      0      0      0      0      0      0      0      0      0 
Node    0, zone      DMA, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 
Node    0, zone    DMA32, type    Unmovable      0      0      0      0      0      0      0      0      0      0      0 
Node    0, zone    DMA32, type      Movable      1      1      4      2      5      4      3      3      4      2    385 
Node    0, zone    DMA32, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 
Node    0, zone    DMA32, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 
Node    0, zone    DMA32, type          CMA      0      0      0      0      0      0      0      0      0      0      0 
Node    0, zone    DMA32, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 
Node    0, zone   Normal, type    Unmovable    443    233    113     13     15      2      2      4     10      0      0 
Node    0, zone   Normal, type      Movable   4351    800    120     23      8      3      2      1      0      0    248 
Node    0, zone   Normal, type  Reclaimable      1      1      0      1      0      1      0      0      1      0      0 
Node    0, zone   Normal, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 
Node    0, zone   Normal, type          CMA     63      0      0      0      0      0      0      0      0      0     32 
Node    0, zone   Normal, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 

Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate 
Node 0, zone      DMA            1            7            0            0            0            0 
Node 0, zone    DMA32            0         1016            0            0            0            0 
Node 0, zone   Normal           61          851           62            0           32            0 
"""

BASE_MEMINFO = """\
MemTotal:        4012344 kB
MemFree:         3012344 kB
MemAvailable:    3500000 kB
Buffers:           10240 kB
Cached:           204800 kB
HugePages_Total:      16
HugePages_Free:       16
HugePages_Rsvd:        0
HugePages_Surp:        0
Hugepagesize:       2048 kB
Hugetlb:           32768 kB
CmaTotal:          65536 kB
CmaFree:           65536 kB
"""

BASE_NODE_MEMINFO = """\
Node 0 MemTotal:       4012344 kB
Node 0 MemFree:        3012344 kB
Node 0 MemUsed:        1000000 kB
Node 0 HugePages_Total:    16
Node 0 HugePages_Free:     16
Node 0 HugePages_Surp:      0
"""


def line_of(text, what):
    """1-based line of the first occurrence of what in text"""
    return text[:text.index(what)].count("\n") + 1


# the line of a zone block appended to the base zoneinfo
ZI_APPENDED = BASE_ZONEINFO.count("\n") + 1

NODE = "sys/devices/system/node"
HP = "sys/kernel/mm/hugepages"
CMA = "sys/kernel/mm/cma"
DBG = "sys/kernel/debug/cma"
MAX_FILE = 64 << 20


def base_host():
    """relpath -> content of a small valid one-node host"""
    t = {
        "proc/sys/kernel/osrelease": "6.1.0-hostile\n",
        "proc/version": "Linux version 6.1.0-hostile (gen-hostile.py) #1 SMP\n",
        "proc/meminfo": BASE_MEMINFO,
        "proc/cmdline": "BOOT_IMAGE=/vmlinuz root=/dev/vda1 hugepagesz=2M hugepages=16 cma=64M\n",
        "proc/sys/vm/hugetlb_optimize_vmemmap": "0\n",
        "proc/zoneinfo": BASE_ZONEINFO,
        "proc/buddyinfo": BASE_BUDDYINFO,
        "proc/pagetypeinfo": BASE_PAGETYPEINFO,
        NODE + "/online": "0\n",
        NODE + "/possible": "0\n",
        NODE + "/has_memory": "0\n",
        NODE + "/has_normal_memory": "0\n",
        NODE + "/has_cpu": "0\n",
        NODE + "/node0/cpulist": "0-3\n",
        NODE + "/node0/distance": "10\n",
        NODE + "/node0/meminfo": BASE_NODE_MEMINFO,
    }
    for size, nr in (("2048kB", 16), ("1048576kB", 0)):
        d = "%s/hugepages-%s/" % (HP, size)
        for attr, v in (("nr_hugepages", nr), ("free_hugepages", nr), ("surplus_hugepages", 0),
                        ("resv_hugepages", 0), ("nr_overcommit_hugepages", 0), ("nr_hugepages_mempolicy", nr)):
            t[d + attr] = "%d\n" % v
        d = "%s/node0/hugepages/hugepages-%s/" % (NODE, size)
        for attr, v in (("nr_hugepages", nr), ("free_hugepages", nr), ("surplus_hugepages", 0)):
            t[d + attr] = "%d\n" % v
    for attr, v in (("alloc_pages_success", 0), ("alloc_pages_fail", 0), ("release_pages_success", 0),
                    ("total_pages", 16384), ("available_pages", 16384)):
        t["%s/reserved/%s" % (CMA, attr)] = "%d\n" % v
    for attr, v in (("count", 16384), ("order_per_bit", 0), ("used", 0), ("maxchunk", 16384),
                    ("base_pfn", 1048576)):
        t["%s/reserved/%s" % (DBG, attr)] = "%d\n" % v
    return t


# special entries (anything that is not plain content)
class Link:
    def __init__(self, target):
        self.target = target


class Fifo:
    pass


class Dir:
    pass


class Sparse:
    def __init__(self, size, head=b""):
        self.size = size
        self.head = head


class Many:
    """n empty files <prefix>00000... in the directory of this entry (the entry itself is not created)"""
    def __init__(self, n, prefix="a"):
        self.n = n
        self.prefix = prefix


class Mode:
    def __init__(self, content, mode):
        self.content = content
        self.mode = mode


CASES = []


def case(name, expect, path="-", line="-", checks="-", desc=""):
    """Register a case: the decorated function mutates a copy of the base host."""
    def register(fn):
        CASES.append((name, expect, path, str(line), checks, desc or fn.__doc__ or name, fn))
        return fn
    return register


def zone_block(name, node=0, free=100, present=100, extra=""):
    return ("Node %d, zone %8s\n  pages free     %d\n        min      1\n        low      2\n"
            "        high     3\n        spanned  %d\n        present  %d\n        managed  %d\n%s"
            "  start_pfn:           0\n" % (node, name, free, present, present, present, extra))


def garbage(seed, n):
    rnd = random.Random(seed)
    # an ELF-looking start, then noise without newlines so that the line is 1
    return b"\x7fELF\x02\x01\x01\x00" + bytes(rnd.choice(range(1, 256)) for _ in range(n)).replace(b"\n", b"\x01")


# ------------------------------------------------------------------ the trees

@case("base", "ok", checks="fact:meminfo,fact:zoneinfo,fact:buddyinfo,fact:pagetypeinfo,fact:cma_debugfs,"
      "memtotal=4012344,nodes=1,pagesizes=2,cma0.node=0")
def _(t):
    """the valid host everything else starts from"""


# --- proc/meminfo
@case("meminfo-truncated", "EINVAL", "proc/meminfo", 2)
def _(t):
    """cut inside the second key"""
    t["proc/meminfo"] = "MemTotal:        4012344 kB\nMemF"


@case("meminfo-truncated-value", "ok", checks="memtotal=401")
def _(t):
    """cut inside the first value: what is left is a legal, smaller number"""
    t["proc/meminfo"] = "MemTotal:        401"


@case("meminfo-garbage", "EINVAL", "proc/meminfo", 1)
def _(t):
    """binary garbage"""
    t["proc/meminfo"] = garbage(1, 4000)


@case("meminfo-20-digits", "ok", checks="memtotal=18446744073709551615")
def _(t):
    """UINT64_MAX is a legal value"""
    t["proc/meminfo"] = BASE_MEMINFO.replace("4012344", "18446744073709551615", 1)


@case("meminfo-20-digits-overflow", "EINVAL", "proc/meminfo", 1)
def _(t):
    """UINT64_MAX + 1"""
    t["proc/meminfo"] = BASE_MEMINFO.replace("4012344", "18446744073709551616", 1)


@case("meminfo-21-digits", "EINVAL", "proc/meminfo", 1)
def _(t):
    """21 digits, even with leading zeros"""
    t["proc/meminfo"] = BASE_MEMINFO.replace("4012344", "000000000000004012344", 1)


@case("meminfo-negative", "EINVAL", "proc/meminfo", 2)
def _(t):
    """a negative count"""
    t["proc/meminfo"] = BASE_MEMINFO.replace("3012344", "-3012344", 1)


@case("meminfo-hugepagesize-absurd", "ERANGE", "proc/meminfo")
def _(t):
    """Hugepagesize in kB that overflows bytes"""
    t["proc/meminfo"] = BASE_MEMINFO.replace("Hugepagesize:       2048", "Hugepagesize:       18446744073709551615")


@case("meminfo-crlf", "EINVAL", "proc/meminfo", 1)
def _(t):
    """CR-LF line ends: the kernel never writes them"""
    t["proc/meminfo"] = BASE_MEMINFO.replace("\n", "\r\n")


@case("meminfo-empty", "ok", checks="fact:meminfo,memtotal=0")
def _(t):
    """an empty file is a meminfo without values"""
    t["proc/meminfo"] = ""


@case("meminfo-spaces", "ok", checks="fact:meminfo,memtotal=0")
def _(t):
    """only spaces and blank lines"""
    t["proc/meminfo"] = " " * 100 + "\n\n   \n"


@case("meminfo-overlong-key", "EINVAL", "proc/meminfo", 1)
def _(t):
    """a 1 MiB key without a value"""
    t["proc/meminfo"] = "M" * (1 << 20) + "\n"


@case("meminfo-overlong-blanks", "ok", checks="memtotal=4012344")
def _(t):
    """1 MiB of blanks between a key and its value is still legal"""
    t["proc/meminfo"] = "MemTotal:" + " " * (1 << 20) + "4012344 kB\n"


@case("meminfo-nul-inside", "EINVAL", "proc/meminfo", 1)
def _(t):
    """a NUL inside a line"""
    t["proc/meminfo"] = "MemTotal: 4012344\0 kB\n"


@case("meminfo-trailing-nuls", "ok", checks="memtotal=4012344")
def _(t):
    """NULs after the last line (capture tools that save C strings) are dropped"""
    t["proc/meminfo"] = BASE_MEMINFO + "\0\0\0"


@case("meminfo-dir", "EINVAL", "proc/meminfo")
def _(t):
    """a directory where a file should be"""
    t["proc/meminfo"] = Dir()


@case("meminfo-fifo", "EINVAL", "proc/meminfo")
def _(t):
    """a FIFO nobody writes to: must not hang"""
    t["proc/meminfo"] = Fifo()


@case("meminfo-missing", "ok", checks="nofact:meminfo,memtotal=0")
def _(t):
    """a missing file is a fact"""
    del t["proc/meminfo"]


@case("meminfo-dangling-link", "ok", checks="nofact:meminfo,nofollow=ELOOP:proc/meminfo")
def _(t):
    """a link to nothing reads as missing"""
    t["proc/meminfo"] = Link("meminfo.gone")


@case("meminfo-link-self", "ELOOP", "proc/meminfo")
def _(t):
    """a link to itself"""
    t["proc/meminfo"] = Link("meminfo")


@case("meminfo-link-loop2", "ELOOP", "proc/meminfo")
def _(t):
    """two links pointing at each other"""
    t["proc/meminfo"] = Link("meminfo.b")
    t["proc/meminfo.b"] = Link("meminfo")


@case("meminfo-link-chain", "ELOOP", "proc/meminfo")
def _(t):
    """50 links in a row, more than the kernel follows (40)"""
    t["proc/meminfo"] = Link("l0")
    for i in range(50):
        t["proc/l%d" % i] = Link("l%d" % (i + 1))
    t["proc/l50"] = BASE_MEMINFO


@case("meminfo-link-inside", "ok", checks="memtotal=4242,nofollow=ELOOP:proc/meminfo")
def _(t):
    """a relative link inside the tree is followed"""
    t["proc/meminfo"] = Link("../etc/meminfo-inside")
    t["etc/meminfo-inside"] = "MemTotal: 4242 kB\n"


@case("meminfo-link-absolute", "ok", checks="memtotal=4242,nofollow=ELOOP:proc/meminfo")
def _(t):
    """an absolute link resolves inside the root, not on this machine"""
    t["proc/meminfo"] = Link("/etc/meminfo-inside")
    t["etc/meminfo-inside"] = "MemTotal: 4242 kB\n"


@case("meminfo-link-dotdot", "ok", checks="memtotal=4242,nofollow=ELOOP:proc/meminfo")
def _(t):
    """../ beyond the root stops at the root"""
    t["proc/meminfo"] = Link("../../../../../../../../../../etc/meminfo-inside")
    t["etc/meminfo-inside"] = "MemTotal: 4242 kB\n"


@case("meminfo-link-escape-absolute", "ELOOP", "proc/meminfo")
def _(t):
    """/proc/meminfo followed on this machine would parse; inside the root it is the link itself"""
    t["proc/meminfo"] = Link("/proc/meminfo")


@case("meminfo-link-escape-dotdot", "ELOOP", "proc/meminfo")
def _(t):
    """the same through ../../.."""
    t["proc/meminfo"] = Link("../../../../../../../../../../proc/meminfo")


@case("meminfo-link-escape-passwd", "ok", checks="nofact:meminfo,nofollow=ELOOP:proc/meminfo")
def _(t):
    """a link to /etc/passwd finds nothing inside the root"""
    t["proc/meminfo"] = Link("/etc/passwd")


@case("meminfo-link-proc-self", "ok", checks="nofact:meminfo,nofollow=ELOOP:proc/meminfo")
def _(t):
    """/proc/self/... is not a magic link inside the root: it is absent there"""
    t["proc/meminfo"] = Link("/proc/self/root/proc/meminfo")


@case("meminfo-link-dev-zero", "ok", checks="nofact:meminfo,nofollow=ELOOP:proc/meminfo")
def _(t):
    """an endless device outside the root is never reached"""
    t["proc/meminfo"] = Link("/dev/zero")


@case("proc-dir-link-escape", "ELOOP", "proc/sys/kernel/osrelease",
      checks="nofollow=ok,nofact:meminfo,nofact:zoneinfo,nofact:kernel_release")
def _(t):
    """the whole proc/ directory linked to this machine's /proc: inside the root it loops"""
    for k in [k for k in t if k.startswith("proc/")]:
        del t[k]
    t["proc"] = Link("/proc")


@case("sys-dir-link-escape", "ELOOP", "sys/kernel/mm/hugepages",
      checks="nofollow=ok,nofact:node_sysfs,nofact:hugetlb_sysfs")
def _(t):
    """sys/ linked to ../../../sys: the node directory reads as absent, the first listing loops"""
    for k in [k for k in t if k.startswith("sys/")]:
        del t[k]
    t["sys"] = Link("../../../../../../sys")


@case("meminfo-sparse-1g", "EFBIG", "proc/meminfo")
def _(t):
    """a 1 GiB sparse file is refused without reading it"""
    t["proc/meminfo"] = Sparse(1 << 30)


@case("meminfo-64mib", "ok", checks="memtotal=4242")
def _(t):
    """exactly 64 MiB (a line and NULs) is within the bound"""
    t["proc/meminfo"] = Sparse(MAX_FILE, b"MemTotal: 4242 kB\n")


@case("meminfo-64mib-plus-1", "EFBIG", "proc/meminfo")
def _(t):
    """one byte over the bound"""
    t["proc/meminfo"] = Sparse(MAX_FILE + 1, b"MemTotal: 4242 kB\n")


@case("meminfo-stream-over-bound", "EFBIG", "proc/meminfo", checks="fake-size0=proc/meminfo")
def _(t):
    """96 MiB that fstat() calls 0 bytes, as procfs does: reading must stop at the bound"""
    t["proc/meminfo"] = Sparse(96 << 20, b"MemTotal: 4242 kB\n")


@case("meminfo-stream-at-bound", "ok", checks="fake-size0=proc/meminfo,memtotal=4242")
def _(t):
    """exactly 64 MiB that fstat() calls 0 bytes"""
    t["proc/meminfo"] = Sparse(MAX_FILE, b"MemTotal: 4242 kB\n")


# --- proc/zoneinfo
@case("zoneinfo-truncated", "EINVAL", "proc/zoneinfo", line_of(BASE_ZONEINFO, "Node 0, zone  Movable"))
def _(t):
    """cut after the header of the last zone: that zone has no 'pages free'"""
    t["proc/zoneinfo"] = BASE_ZONEINFO[:BASE_ZONEINFO.index("Node 0, zone  Movable") + 22]


@case("zoneinfo-truncated-mid-number", "ok", checks="fact:zoneinfo")
def _(t):
    """cut inside a number of the Normal zone: a shorter but legal file (Movable is gone)"""
    t["proc/zoneinfo"] = BASE_ZONEINFO[:BASE_ZONEINFO.index("spanned  524288") + len("spanned  5242")]


@case("zoneinfo-garbage", "EINVAL", "proc/zoneinfo", 1)
def _(t):
    """binary garbage"""
    t["proc/zoneinfo"] = garbage(2, 8000)


@case("zoneinfo-duplicate-zone", "EINVAL", "proc/zoneinfo", ZI_APPENDED)
def _(t):
    """the same (node, zone) twice"""
    t["proc/zoneinfo"] = BASE_ZONEINFO + zone_block("Normal")


@case("zoneinfo-node-1024", "EINVAL", "proc/zoneinfo", ZI_APPENDED)
def _(t):
    """a node id beyond the 1024 the library models"""
    t["proc/zoneinfo"] = BASE_ZONEINFO + zone_block("Normal", node=1024)


@case("zoneinfo-node-huge", "EINVAL", "proc/zoneinfo", ZI_APPENDED)
def _(t):
    """a 20-digit node id"""
    t["proc/zoneinfo"] = BASE_ZONEINFO + zone_block("Normal", node=18446744073709551615)


@case("zoneinfo-node-negative", "EINVAL", "proc/zoneinfo", ZI_APPENDED)
def _(t):
    """Node -1"""
    t["proc/zoneinfo"] = BASE_ZONEINFO + zone_block("Normal").replace("Node 0", "Node -1")


@case("zoneinfo-node-offline", "EINVAL", "proc/zoneinfo")
def _(t):
    """zones of node 1, which sys/ does not list as online"""
    t["proc/zoneinfo"] = BASE_ZONEINFO + zone_block("Normal", node=1)


@case("zoneinfo-negative-count", "EINVAL", "proc/zoneinfo", line_of(BASE_ZONEINFO, "nr_free_pages 3840"))
def _(t):
    """a negative count of a known field"""
    t["proc/zoneinfo"] = BASE_ZONEINFO.replace("nr_free_pages 3840", "nr_free_pages -3840")


@case("zoneinfo-21-digits", "EINVAL", "proc/zoneinfo", line_of(BASE_ZONEINFO, "present  3998"))
def _(t):
    """21 digits"""
    t["proc/zoneinfo"] = BASE_ZONEINFO.replace("present  3998", "present  184467440737095516150", 1)


@case("zoneinfo-sum-overflow", "ERANGE", "proc/zoneinfo")
def _(t):
    """two legal 20-digit counts whose node total overflows"""
    t["proc/zoneinfo"] = (BASE_ZONEINFO.replace("nr_free_pages 3840", "nr_free_pages 18446744073709551615")
                          .replace("nr_free_pages 400000", "nr_free_pages 18446744073709551615"))


@case("zoneinfo-crlf", "EINVAL", "proc/zoneinfo", 1)
def _(t):
    """CR-LF line ends"""
    t["proc/zoneinfo"] = BASE_ZONEINFO.replace("\n", "\r\n")


@case("zoneinfo-spaces", "EINVAL", "proc/buddyinfo")
def _(t):
    """only spaces: no zones, so buddyinfo names a zone zoneinfo does not have"""
    t["proc/zoneinfo"] = " " * 4096
    del t["proc/pagetypeinfo"]


@case("zoneinfo-empty-alone", "ok", checks="fact:zoneinfo,nodes=1")
def _(t):
    """an empty zoneinfo with no buddyinfo or pagetypeinfo to contradict it"""
    t["proc/zoneinfo"] = ""
    del t["proc/buddyinfo"]
    del t["proc/pagetypeinfo"]


@case("zoneinfo-overlong-stat", "ok", checks="fact:zoneinfo")
def _(t):
    """a 1 MiB unknown stat name is skipped"""
    t["proc/zoneinfo"] = BASE_ZONEINFO.replace("      numa_hit     0\n", "      " + "x" * (1 << 20) + " 0\n")


@case("zoneinfo-sparse-1g", "EFBIG", "proc/zoneinfo")
def _(t):
    """a 1 GiB sparse zoneinfo"""
    t["proc/zoneinfo"] = Sparse(1 << 30)


@case("zoneinfo-dir", "EINVAL", "proc/zoneinfo")
def _(t):
    """a directory where a file should be"""
    t["proc/zoneinfo"] = Dir()


@case("zoneinfo-fifo", "EINVAL", "proc/zoneinfo")
def _(t):
    """a FIFO"""
    t["proc/zoneinfo"] = Fifo()


@case("zoneinfo-33-zones", "EINVAL", "proc/zoneinfo", ZI_APPENDED + 28 * 9)
def _(t):
    """more zones of one node than any kernel has (6): 4 + 29"""
    t["proc/zoneinfo"] = BASE_ZONEINFO + "".join(zone_block("z%d" % i) for i in range(29))


@case("zoneinfo-200k-zones", "EINVAL", "proc/zoneinfo", ZI_APPENDED + 28 * 9)
def _(t):
    """200000 distinct zones of node 0 and a buddyinfo line for each: quadratic lookups would hang"""
    t["proc/zoneinfo"] = BASE_ZONEINFO + "".join(zone_block("z%d" % i) for i in range(200000))
    t["proc/buddyinfo"] = BASE_BUDDYINFO + "".join("Node 0, zone z%d 0\n" % i for i in range(200000))
    del t["proc/pagetypeinfo"]


@case("zoneinfo-nodes-apart", "EINVAL", "proc/zoneinfo")
def _(t):
    """two online nodes whose zones are interleaved"""
    t[NODE + "/online"] = "0-1\n"
    t[NODE + "/node0/distance"] = "10 20\n"
    t[NODE + "/node1/distance"] = "20 10\n"
    t[NODE + "/node1/meminfo"] = BASE_NODE_MEMINFO.replace("Node 0", "Node 1")
    dma = BASE_ZONEINFO[:BASE_ZONEINFO.index("Node 0, zone    DMA32")]
    rest = BASE_ZONEINFO[len(dma):]
    t["proc/zoneinfo"] = dma + zone_block("Normal", node=1) + rest


# --- proc/buddyinfo
@case("buddyinfo-17-orders", "EINVAL", "proc/buddyinfo", 1)
def _(t):
    """more orders than any kernel has"""
    t["proc/buddyinfo"] = "Node 0, zone      DMA" + " 1" * 17 + "\n"


@case("buddyinfo-duplicate", "EINVAL", "proc/buddyinfo", 4)
def _(t):
    """the same zone twice"""
    t["proc/buddyinfo"] = BASE_BUDDYINFO + BASE_BUDDYINFO.splitlines(True)[0]


@case("buddyinfo-node-99999", "EINVAL", "proc/buddyinfo", 1)
def _(t):
    """a node id beyond 1024"""
    t["proc/buddyinfo"] = BASE_BUDDYINFO.replace("Node 0", "Node 99999", 1)


@case("buddyinfo-overflow", "ERANGE", "proc/buddyinfo", 1)
def _(t):
    """legal counts whose sum in pageblocks overflows"""
    t["proc/buddyinfo"] = "Node 0, zone      DMA" + " 0" * 9 + " 18446744073709551615" * 2 + "\n"


@case("buddyinfo-negative", "EINVAL", "proc/buddyinfo", 3)
def _(t):
    """a negative count"""
    t["proc/buddyinfo"] = BASE_BUDDYINFO.replace("4858", "-4858")


@case("buddyinfo-unknown-zone", "EINVAL", "proc/buddyinfo")
def _(t):
    """a zone zoneinfo does not have"""
    t["proc/buddyinfo"] = "Node 0, zone   Foo 1 2 3\n"


# --- proc/pagetypeinfo
@case("pagetypeinfo-garbage", "EINVAL", "proc/pagetypeinfo", 1)
def _(t):
    """binary garbage"""
    t["proc/pagetypeinfo"] = garbage(3, 3000)


@case("pagetypeinfo-dir", "EINVAL", "proc/pagetypeinfo")
def _(t):
    """a directory"""
    t["proc/pagetypeinfo"] = Dir()


@case("pagetypeinfo-unreadable", "ok", checks="as-nobody,nofact:pagetypeinfo,fact:zoneinfo")
def _(t):
    """mode 0000, as on a live host for a user: a fact, not an error"""
    t["proc/pagetypeinfo"] = Mode(BASE_PAGETYPEINFO, 0)


@case("pagetypeinfo-order-64", "EINVAL", "proc/pagetypeinfo", 1)
def _(t):
    """a pageblock order no shift can take"""
    t["proc/pagetypeinfo"] = BASE_PAGETYPEINFO.replace("order: 9", "order: 64")


@case("pagetypeinfo-unknown-zone", "EINVAL", "proc/pagetypeinfo")
def _(t):
    """a zone zoneinfo does not have"""
    t["proc/pagetypeinfo"] = BASE_PAGETYPEINFO.replace("zone   Normal", "zone      Foo")


@case("pagetypeinfo-crlf", "EINVAL", "proc/pagetypeinfo", 1)
def _(t):
    """CR-LF line ends"""
    t["proc/pagetypeinfo"] = BASE_PAGETYPEINFO.replace("\n", "\r\n")


# --- proc/cmdline
@case("cmdline-garbage", "ok", checks="fact:cmdline")
def _(t):
    """a command line is never wrong: garbage is just unknown parameters"""
    t["proc/cmdline"] = garbage(4, 2000)


@case("cmdline-too-long", "E2BIG", "proc/cmdline")
def _(t):
    """more than 64 KiB is not a command line"""
    t["proc/cmdline"] = "a" * (65 * 1024) + "\n"


@case("cmdline-21-digits", "ok", checks="fact:cmdline")
def _(t):
    """an unparsable count is kept as an invalid item, like the kernel ignores it"""
    t["proc/cmdline"] = "hugepagesz=2M hugepages=184467440737095516150 hugetlb_cma=0:18446744073709551615G\n"


@case("cmdline-unterminated-quote", "ok", checks="fact:cmdline")
def _(t):
    """an open quote runs to the end"""
    t["proc/cmdline"] = 'root=/dev/vda "hugepages=16 cma=64M\n'


# --- node topology
@case("online-1024", "ERANGE", NODE + "/online", 1)
def _(t):
    """a node id beyond 1024"""
    t[NODE + "/online"] = "0,1024\n"


@case("possible-4096", "ERANGE", NODE + "/possible", 1)
def _(t):
    """possible nodes beyond 1024"""
    t[NODE + "/possible"] = "0-4095\n"


@case("online-huge", "EINVAL", NODE + "/online", 1)
def _(t):
    """a 21-digit node id"""
    t[NODE + "/online"] = "184467440737095516150\n"


@case("online-garbage", "EINVAL", NODE + "/online", 1)
def _(t):
    """binary garbage"""
    t[NODE + "/online"] = garbage(5, 100)


@case("online-double-comma", "EINVAL", NODE + "/online", 1)
def _(t):
    """an empty entry"""
    t[NODE + "/online"] = "0,,0\n"


@case("online-duplicate", "ok", checks="nodes=1")
def _(t):
    """the same node listed twice is still one node"""
    t[NODE + "/online"] = "0,0-0,0\n"


@case("online-negative", "EINVAL", NODE + "/online", 1)
def _(t):
    """a negative node id"""
    t[NODE + "/online"] = "-1\n"


@case("online-missing", "ENOENT", NODE + "/online")
def _(t):
    """the node directory without its online list"""
    del t[NODE + "/online"]


@case("online-empty", "ok", checks="nodes=0")
def _(t):
    """no online node at all; zoneinfo, buddyinfo and pagetypeinfo must then be empty too"""
    t[NODE + "/online"] = ""
    t["proc/zoneinfo"] = ""
    del t["proc/buddyinfo"]
    del t["proc/pagetypeinfo"]


@case("online-dir", "EINVAL", NODE + "/online")
def _(t):
    """a directory where the list should be"""
    t[NODE + "/online"] = Dir()


@case("node1-missing", "ENOENT", NODE + "/node1")
def _(t):
    """an online node without its directory"""
    t[NODE + "/online"] = "0-1\n"
    t[NODE + "/node0/distance"] = "10 20\n"


@case("node0-file", "ENOENT", NODE + "/node0")
def _(t):
    """a file where the node directory should be"""
    for k in [k for k in t if k.startswith(NODE + "/node0/")]:
        del t[k]
    t[NODE + "/node0"] = "not a directory\n"


@case("node0-link-escape", "ENOENT", NODE + "/node0")
def _(t):
    """node0 linked to this machine's /sys/devices/system/node/node0: absent inside the root"""
    for k in [k for k in t if k.startswith(NODE + "/node0/")]:
        del t[k]
    t[NODE + "/node0"] = Link("/sys/devices/system/node/node0")


@case("distance-too-many", "EINVAL", NODE + "/node0/distance", 1)
def _(t):
    """more distances than online nodes"""
    t[NODE + "/node0/distance"] = "10 20\n"


@case("distance-empty", "EINVAL", NODE + "/node0/distance", 1)
def _(t):
    """no distance at all"""
    t[NODE + "/node0/distance"] = ""


@case("distance-overflow", "EINVAL", NODE + "/node0/distance", 1)
def _(t):
    """a distance beyond 32 bits"""
    t[NODE + "/node0/distance"] = "4294967296\n"


@case("cpulist-65536", "ERANGE", NODE + "/node0/cpulist", 1)
def _(t):
    """a cpu id beyond the 65536 the library accepts"""
    t[NODE + "/node0/cpulist"] = "0-65536\n"


@case("cpulist-reversed", "EINVAL", NODE + "/node0/cpulist", 1)
def _(t):
    """a reversed range"""
    t[NODE + "/node0/cpulist"] = "3-0\n"


@case("cpulist-crlf", "EINVAL", NODE + "/node0/cpulist", 1)
def _(t):
    """CR-LF"""
    t[NODE + "/node0/cpulist"] = "0-3\r\n"


@case("node-meminfo-wrong-node", "EINVAL", NODE + "/node0/meminfo", 1)
def _(t):
    """node0/meminfo speaking of node 1"""
    t[NODE + "/node0/meminfo"] = BASE_NODE_MEMINFO.replace("Node 0", "Node 1")


@case("node-meminfo-garbage", "EINVAL", NODE + "/node0/meminfo", 1)
def _(t):
    """binary garbage"""
    t[NODE + "/node0/meminfo"] = garbage(6, 1000)


# --- hugetlb pools
@case("hugepages-bad-dirname", "EINVAL", HP + "/hugepages-abckB")
def _(t):
    """a directory that is not hugepages-<n>kB"""
    t[HP + "/hugepages-abckB/nr_hugepages"] = "0\n"


@case("hugepages-0kB", "EINVAL", HP + "/hugepages-0kB")
def _(t):
    """a zero page size"""
    t[HP + "/hugepages-0kB/nr_hugepages"] = "0\n"


@case("hugepages-size-overflow", "EINVAL", HP + "/hugepages-18014398509481984kB")
def _(t):
    """a page size that overflows bytes"""
    t[HP + "/hugepages-18014398509481984kB/nr_hugepages"] = "0\n"


@case("hugepages-9-sizes", "E2BIG", HP + "/hugepages-8192kB")
def _(t):
    """more page sizes than any architecture has"""
    for kib in (4096, 8192, 16384, 32768, 65536, 131072, 262144):
        d = "%s/hugepages-%dkB/" % (HP, kib)
        for attr in ("nr_hugepages", "free_hugepages", "surplus_hugepages"):
            t[d + attr] = "0\n"


@case("nr_hugepages-21-digits", "EINVAL", HP + "/hugepages-2048kB/nr_hugepages", 1)
def _(t):
    """21 digits"""
    t[HP + "/hugepages-2048kB/nr_hugepages"] = "184467440737095516150\n"


@case("nr_hugepages-negative", "EINVAL", HP + "/hugepages-2048kB/nr_hugepages", 1)
def _(t):
    """a negative count"""
    t[HP + "/hugepages-2048kB/nr_hugepages"] = "-1\n"


@case("nr_hugepages-spaces", "EINVAL", HP + "/hugepages-2048kB/nr_hugepages", 1)
def _(t):
    """only spaces"""
    t[HP + "/hugepages-2048kB/nr_hugepages"] = "    \n"


@case("nr_hugepages-empty", "EINVAL", HP + "/hugepages-2048kB/nr_hugepages")
def _(t):
    """an empty attribute"""
    t[HP + "/hugepages-2048kB/nr_hugepages"] = ""


@case("nr_hugepages-crlf", "EINVAL", HP + "/hugepages-2048kB/nr_hugepages", 1)
def _(t):
    """CR-LF"""
    t[HP + "/hugepages-2048kB/nr_hugepages"] = "16\r\n"


@case("nr_hugepages-missing", "ENOENT", HP + "/hugepages-2048kB/nr_hugepages")
def _(t):
    """a mandatory attribute missing"""
    del t[HP + "/hugepages-2048kB/nr_hugepages"]


@case("nr_hugepages-fifo", "EINVAL", HP + "/hugepages-2048kB/nr_hugepages")
def _(t):
    """a FIFO"""
    t[HP + "/hugepages-2048kB/nr_hugepages"] = Fifo()


@case("nr_hugepages-dev-zero", "ENOENT", HP + "/hugepages-2048kB/nr_hugepages",
      checks="nofollow=ELOOP:" + HP + "/hugepages-2048kB/nr_hugepages")
def _(t):
    """a link to /dev/zero resolves inside the root, where there is nothing"""
    t[HP + "/hugepages-2048kB/nr_hugepages"] = Link("/dev/zero")


@case("nr_hugepages-unreadable", "ENOENT", HP + "/hugepages-2048kB/nr_hugepages", checks="as-nobody")
def _(t):
    """a mandatory attribute the caller cannot read is reported as missing"""
    t[HP + "/hugepages-2048kB/nr_hugepages"] = Mode("16\n", 0)


@case("hugepages-file", "ok", checks="nofact:hugetlb_sysfs,pagesizes=2")
def _(t):
    """a file where sys/kernel/mm/hugepages should be: no global pools (the node's remain)"""
    for k in [k for k in t if k.startswith(HP + "/")]:
        del t[k]
    t[HP] = "not a directory\n"


# --- CMA
@case("cma-available-over-total", "EINVAL", CMA + "/reserved/available_pages", 1)
def _(t):
    """more available than total"""
    t[CMA + "/reserved/available_pages"] = "16385\n"


@case("cma-used-over-count", "EINVAL", DBG + "/reserved/used", 1)
def _(t):
    """debugfs: more used than the area has"""
    t[DBG + "/reserved/used"] = "16385\n"


@case("cma-order-per-bit", "EINVAL", DBG + "/reserved/order_per_bit", 1)
def _(t):
    """debugfs: an order_per_bit no area has"""
    t[DBG + "/reserved/order_per_bit"] = "31\n"


@case("cma-9-ranges", "E2BIG", DBG + "/reserved/ranges")
def _(t):
    """debugfs: more ranges than the library models"""
    for i in range(9):
        t["%s/reserved/ranges/%d/base_pfn" % (DBG, i)] = "%d\n" % (1048576 + i * 512)


@case("cma-range-name", "EINVAL", DBG + "/reserved/ranges/x")
def _(t):
    """debugfs: a range directory that is not an index"""
    t[DBG + "/reserved/ranges/x/base_pfn"] = "1048576\n"


@case("cma-name-node-huge", "ok", checks="cma0.node=-1")
def _(t):
    """an area name with a node id that does not fit an int names no node"""
    for k in [k for k in t if k.startswith(CMA + "/") or k.startswith(DBG + "/")]:
        del t[k]
    t[CMA + "/hugetlb4294967296/total_pages"] = "0\n"
    t[CMA + "/hugetlb4294967296/available_pages"] = "0\n"


@case("cma-too-many-areas", "E2BIG", CMA)
def _(t):
    """more directory entries than the reader lists (65536)"""
    t[CMA + "/many"] = Many(65537)


@case("cma-4097-areas", "E2BIG", CMA)
def _(t):
    """more CMA areas than any kernel makes (Hygon CSV3: about 2500)"""
    t[CMA + "/many"] = Many(4096, "csv-n0c")


@case("cma-4097-debugfs-areas", "E2BIG", DBG)
def _(t):
    """the same in debugfs"""
    t[DBG + "/many"] = Many(4096, "csv-n0c")


@case("cma-4096-plus-4096", "ok", checks="cmas=8191")
def _(t):
    """4096 areas in sysfs and 4095 others in debugfs: within the bound, and fast"""
    t[CMA + "/many"] = Many(4095, "s")
    t[DBG + "/many"] = Many(4095, "d")


@case("cma-attr-dir", "EINVAL", CMA + "/reserved/total_pages")
def _(t):
    """a directory where an attribute should be"""
    t[CMA + "/reserved/total_pages"] = Dir()


# --- host-wide files
@case("osrelease-garbage", "ok", checks="fact:kernel_release")
def _(t):
    """osrelease is informative: garbage gives an unknown version, not an error"""
    t["proc/sys/kernel/osrelease"] = garbage(7, 100)


@case("osrelease-overlong", "ok", checks="nofact:kernel_release")
def _(t):
    """a release longer than any kernel's is ignored"""
    t["proc/sys/kernel/osrelease"] = "6." + "1" * (1 << 20) + "\n"


@case("osrelease-missing-version-too", "ok", checks="nofact:kernel_release")
def _(t):
    """neither osrelease nor version"""
    del t["proc/sys/kernel/osrelease"]
    del t["proc/version"]


@case("hvo-2", "EINVAL", "proc/sys/vm/hugetlb_optimize_vmemmap", 1)
def _(t):
    """a boolean sysctl that says 2"""
    t["proc/sys/vm/hugetlb_optimize_vmemmap"] = "2\n"


@case("hvo-unreadable", "ok", checks="as-nobody,nofact:hvo_sysctl")
def _(t):
    """an unreadable sysctl is a fact"""
    t["proc/sys/vm/hugetlb_optimize_vmemmap"] = Mode("0\n", 0)


@case("proc-sys-file", "ok", checks="fact:kernel_release,nofact:hvo_sysctl")
def _(t):
    """a file where proc/sys should be: the sysctls are absent, proc/version gives the release"""
    for k in [k for k in t if k.startswith("proc/sys/")]:
        del t[k]
    t["proc/sys"] = "not a directory\n"


# ------------------------------------------------------------------ writing the trees

def materialize(root, tree):
    modes = []
    # directories first, so that a Dir() entry and the files below it agree
    for rel in sorted(tree):
        entry = tree[rel]
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(entry, Link):
            os.symlink(entry.target, path)
        elif isinstance(entry, Fifo):
            os.mkfifo(path, 0o644)
        elif isinstance(entry, Dir):
            os.makedirs(path, exist_ok=True)
            with open(os.path.join(path, "inside"), "w") as f:
                f.write("0\n")
        elif isinstance(entry, Sparse):
            with open(path, "wb") as f:
                f.write(entry.head)
                f.truncate(entry.size)
        elif isinstance(entry, Many):
            for i in range(entry.n):
                open(os.path.join(os.path.dirname(path), "%s%05d" % (entry.prefix, i)), "w").close()
        else:
            content = entry.content if isinstance(entry, Mode) else entry
            with open(path, "wb") as f:
                f.write(content.encode() if isinstance(content, str) else content)
            if isinstance(entry, Mode):
                modes.append((path, entry.mode))
    for path, mode in modes:
        os.chmod(path, mode)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    os.umask(0o022)
    names = set()
    with open(os.path.join(out, "MANIFEST"), "w") as manifest:
        manifest.write("# tree\texpect\tpath\tline\tchecks\tdescription\n")
        for name, expect, path, line, checks, desc, fn in CASES:
            assert name not in names, name
            names.add(name)
            tree = base_host()
            fn(tree)
            materialize(os.path.join(out, name), tree)
            manifest.write("\t".join([name, expect, path, line, checks, " ".join(desc.split())]) + "\n")
    print("%d hostile trees in %s" % (len(CASES), out))


if __name__ == "__main__":
    main()
