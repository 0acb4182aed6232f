# SPDX-License-Identifier: LGPL-2.1-or-later
"""Plain, immutable data: the enums of the C API and one dataclass per info struct.

Field names are the C names (units in the names: ``_pages`` are base pages of
``Host.page_size_bytes``, ``_kib`` KiB, ``_bytes`` bytes). Where the host did not provide a value
(a file or a line absent on this kernel) the field is ``None``, as ``null`` in the JSON.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Mapping, Optional, Tuple, Type, TypeVar, Union

from . import raw as _raw

if TYPE_CHECKING:  # pragma: no cover
    from ._context import _NodeLookup

__all__ = [
    "LogPriority",
    "HostFacts",
    "NodeState",
    "ZoneType",
    "ZoneFlags",
    "PoolFlags",
    "CmaKind",
    "CmaFlags",
    "CmdlineKind",
    "CmdlineFlags",
    "MemoryFlags",
    "MemoryBlockState",
    "MemoryBlockFlags",
    "MemoryRangeFlags",
    "Host",
    "Node",
    "Zone",
    "Pool",
    "CmaArea",
    "CmdlineItem",
    "Memory",
    "MemoryBlock",
    "MemoryRange",
    "parse_cpulist",
]


# ------------------------------------------------------------------ enums (values from the C header)


class LogPriority(enum.IntEnum):
    """Log priorities (syslog numbers): the library logs messages at or below the set priority."""

    ERR = _raw.CMAPLAN_LOG_ERR
    WARNING = _raw.CMAPLAN_LOG_WARNING
    INFO = _raw.CMAPLAN_LOG_INFO
    DEBUG = _raw.CMAPLAN_LOG_DEBUG


class HostFacts(enum.IntFlag):
    """What the host has (``Host.facts``). A missing file is a fact, not an error."""

    NODE_SYSFS = _raw.CMAPLAN_HAS_NODE_SYSFS
    ZONEINFO = _raw.CMAPLAN_HAS_ZONEINFO
    MEMINFO = _raw.CMAPLAN_HAS_MEMINFO
    HUGETLB_SYSFS = _raw.CMAPLAN_HAS_HUGETLB_SYSFS
    CMA_SYSFS = _raw.CMAPLAN_HAS_CMA_SYSFS
    CMA_DEBUGFS = _raw.CMAPLAN_HAS_CMA_DEBUGFS
    PAGETYPEINFO = _raw.CMAPLAN_HAS_PAGETYPEINFO
    BUDDYINFO = _raw.CMAPLAN_HAS_BUDDYINFO
    CMDLINE = _raw.CMAPLAN_HAS_CMDLINE
    HVO_SYSCTL = _raw.CMAPLAN_HAS_HVO_SYSCTL
    CMA_MEMINFO = _raw.CMAPLAN_HAS_CMA_MEMINFO
    CMA_TOTAL_PAGES = _raw.CMAPLAN_HAS_CMA_TOTAL_PAGES
    KERNEL_RELEASE = _raw.CMAPLAN_HAS_KERNEL_RELEASE


class NodeState(enum.IntFlag):
    """Node states from sys/devices/system/node/{online,possible,has_*}."""

    ONLINE = _raw.CMAPLAN_NODE_ONLINE
    POSSIBLE = _raw.CMAPLAN_NODE_POSSIBLE
    HAS_MEMORY = _raw.CMAPLAN_NODE_HAS_MEMORY
    HAS_NORMAL_MEMORY = _raw.CMAPLAN_NODE_HAS_NORMAL_MEMORY
    HAS_CPU = _raw.CMAPLAN_NODE_HAS_CPU


class ZoneType(enum.IntEnum):
    """Zone types, in the kernel's zone order."""

    DMA = _raw.CMAPLAN_ZONE_DMA
    DMA32 = _raw.CMAPLAN_ZONE_DMA32
    NORMAL = _raw.CMAPLAN_ZONE_NORMAL
    HIGHMEM = _raw.CMAPLAN_ZONE_HIGHMEM
    MOVABLE = _raw.CMAPLAN_ZONE_MOVABLE
    DEVICE = _raw.CMAPLAN_ZONE_DEVICE
    OTHER = _raw.CMAPLAN_ZONE_OTHER


class ZoneFlags(enum.IntFlag):
    """Which optional lines a zone had."""

    HAS_BOOST = _raw.CMAPLAN_ZONE_HAS_BOOST
    HAS_PROMO = _raw.CMAPLAN_ZONE_HAS_PROMO
    HAS_CMA = _raw.CMAPLAN_ZONE_HAS_CMA
    HAS_START_PFN = _raw.CMAPLAN_ZONE_HAS_START_PFN
    HAS_BUDDYINFO = _raw.CMAPLAN_ZONE_HAS_BUDDYINFO
    HAS_PAGETYPES = _raw.CMAPLAN_ZONE_HAS_PAGETYPES
    POPULATED = _raw.CMAPLAN_ZONE_POPULATED


class PoolFlags(enum.IntFlag):
    """Which optional pool attributes the kernel has."""

    HAS_RESV = _raw.CMAPLAN_POOL_HAS_RESV
    HAS_OVERCOMMIT = _raw.CMAPLAN_POOL_HAS_OVERCOMMIT
    HAS_MEMPOLICY = _raw.CMAPLAN_POOL_HAS_MEMPOLICY
    HAS_DEMOTE = _raw.CMAPLAN_POOL_HAS_DEMOTE


class CmaKind(enum.IntEnum):
    """What reserved a CMA area, from its name."""

    RESERVED = _raw.CMAPLAN_CMA_RESERVED
    HUGETLB = _raw.CMAPLAN_CMA_HUGETLB
    NUMA = _raw.CMAPLAN_CMA_NUMA
    PERNUMA = _raw.CMAPLAN_CMA_PERNUMA
    CSV = _raw.CMAPLAN_CMA_CSV
    OTHER = _raw.CMAPLAN_CMA_OTHER


class CmaFlags(enum.IntFlag):
    """Which sources a CMA area's numbers came from."""

    HAS_SYSFS = _raw.CMAPLAN_CMA_HAS_SYSFS
    HAS_ALLOC_COUNTS = _raw.CMAPLAN_CMA_HAS_ALLOC_COUNTS
    HAS_RELEASE = _raw.CMAPLAN_CMA_HAS_RELEASE
    HAS_TOTAL = _raw.CMAPLAN_CMA_HAS_TOTAL
    HAS_DEBUGFS = _raw.CMAPLAN_CMA_HAS_DEBUGFS
    HAS_MAXCHUNK = _raw.CMAPLAN_CMA_HAS_MAXCHUNK


class CmdlineKind(enum.IntEnum):
    """Kernel parameters the library understands (``CmdlineItem.kind``)."""

    HUGEPAGES = _raw.CMAPLAN_CMDLINE_HUGEPAGES
    HUGEPAGESZ = _raw.CMAPLAN_CMDLINE_HUGEPAGESZ
    DEFAULT_HUGEPAGESZ = _raw.CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ
    HUGETLB_CMA = _raw.CMAPLAN_CMDLINE_HUGETLB_CMA
    HUGETLB_CMA_ONLY = _raw.CMAPLAN_CMDLINE_HUGETLB_CMA_ONLY
    HUGETLB_FREE_VMEMMAP = _raw.CMAPLAN_CMDLINE_HUGETLB_FREE_VMEMMAP
    CMA = _raw.CMAPLAN_CMDLINE_CMA
    NUMA_CMA = _raw.CMAPLAN_CMDLINE_NUMA_CMA
    CMA_PERNUMA = _raw.CMAPLAN_CMDLINE_CMA_PERNUMA
    CSV_MEM_PERCENTAGE = _raw.CMAPLAN_CMDLINE_CSV_MEM_PERCENTAGE
    CSV_MEM_SIZE = _raw.CMAPLAN_CMDLINE_CSV_MEM_SIZE


class CmdlineFlags(enum.IntFlag):
    """Flags of a parsed kernel parameter."""

    INVALID = _raw.CMAPLAN_CMDLINE_INVALID


class MemoryFlags(enum.IntFlag):
    """What sys/devices/system/memory had (``Memory.flags``)."""

    HAS_SYSFS = _raw.CMAPLAN_MEMORY_HAS_SYSFS
    HAS_AUTO_ONLINE = _raw.CMAPLAN_MEMORY_HAS_AUTO_ONLINE


class MemoryBlockState(enum.IntEnum):
    """The state of a memory block (memoryM/state)."""

    ONLINE = _raw.CMAPLAN_MEMORY_BLOCK_ONLINE
    OFFLINE = _raw.CMAPLAN_MEMORY_BLOCK_OFFLINE
    GOING_OFFLINE = _raw.CMAPLAN_MEMORY_BLOCK_GOING_OFFLINE
    UNKNOWN = _raw.CMAPLAN_MEMORY_BLOCK_UNKNOWN


class MemoryBlockFlags(enum.IntFlag):
    """Facts about a memory block."""

    HAS_REMOVABLE = _raw.CMAPLAN_MEMORY_BLOCK_HAS_REMOVABLE
    REMOVABLE = _raw.CMAPLAN_MEMORY_BLOCK_REMOVABLE
    HAS_VALID_ZONES = _raw.CMAPLAN_MEMORY_BLOCK_HAS_VALID_ZONES
    MOVABLE = _raw.CMAPLAN_MEMORY_BLOCK_MOVABLE
    CMA = _raw.CMAPLAN_MEMORY_BLOCK_CMA


class MemoryRangeFlags(enum.IntFlag):
    """Facts about a run of memory blocks."""

    ONLINE = _raw.CMAPLAN_MEMORY_RANGE_ONLINE
    MOVABLE = _raw.CMAPLAN_MEMORY_RANGE_MOVABLE


_E = TypeVar("_E", bound=enum.IntEnum)


def _enum(cls: Type[_E], value: int) -> Union[_E, int]:
    """The enum member, or the plain int for a value a newer library added."""
    try:
        return cls(value)
    except ValueError:
        return value


def _build(cls: Any, obj: Any, enums: Dict[str, Any], **extra: Any) -> Any:
    """A dataclass from a raw info struct: every field of the same name, enums converted; ``extra``
    gives the fields that need more (absent values as None, arrays cut to their count)."""
    kw: Dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in extra:
            kw[f.name] = extra[f.name]
            continue
        value = getattr(obj, f.name)
        conv = enums.get(f.name)
        if conv is not None:
            value = conv(value) if issubclass(conv, enum.IntFlag) else _enum(conv, value)
        kw[f.name] = value
    return cls(**kw)


def _opt(have: Any, value: int) -> Optional[int]:
    return value if have else None


def _node_id(value: int) -> Optional[int]:
    return value if value >= 0 else None


def _zone_set(bits: int) -> FrozenSet[Union[ZoneType, int]]:
    """Zone types of a ``1 << CMAPLAN_ZONE_*`` bit set."""
    return frozenset(_enum(ZoneType, i) for i in range(32) if bits & (1 << i))


def parse_cpulist(cpulist: str) -> Tuple[int, ...]:
    """CPU numbers of a kernel cpulist: ``"0-3,8"`` -> ``(0, 1, 2, 3, 8)``."""
    cpus = []
    for part in cpulist.split(","):
        part = part.strip()
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        cpus.extend(range(int(lo), int(hi) + 1) if sep else [int(lo)])
    return tuple(cpus)


# ------------------------------------------------------------------ data classes


@dataclass(frozen=True)
class Host:
    """Host-wide facts (``cmaplan_host_info``)."""

    kernel_release: str
    """``"6.12.57+deb13-amd64"``, ``""`` if unknown."""
    kernel_version: int
    """``(major << 16) | (minor << 8) | min(patch, 255)``; 0 if unknown."""
    n_nodes: int
    facts: HostFacts
    page_size_bytes: int
    """The base page size all ``*_pages`` counts are in."""
    mem_total_kib: int
    mem_free_kib: int
    cma_total_kib: Optional[int]
    cma_free_kib: Optional[int]
    default_hugepage_bytes: Optional[int]
    hvo_sysctl: Optional[int]
    """``vm.hugetlb_optimize_vmemmap`` (0 or 1), ``None`` if absent."""
    n_page_sizes: int
    n_cma_areas: int
    n_cmdline_items: int
    cmdline: str
    """``/proc/cmdline`` as read, ``""`` if absent."""

    @property
    def kernel_version_tuple(self) -> Tuple[int, int, int]:
        """``(major, minor, patch)`` of the kernel, ``(0, 0, 0)`` if unknown."""
        v = self.kernel_version
        return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)

    @classmethod
    def _from_raw(cls, h: Any) -> "Host":
        cma = h.facts & HostFacts.CMA_MEMINFO
        return _build(
            cls,
            h,
            {"facts": HostFacts},
            cma_total_kib=_opt(cma, h.cma_total_kib),
            cma_free_kib=_opt(cma, h.cma_free_kib),
            default_hugepage_bytes=h.default_hugepage_bytes or None,
            hvo_sysctl=h.hvo_sysctl if h.hvo_sysctl >= 0 else None,
        )


@dataclass(frozen=True)
class Zone:
    """One zone of a node, from proc/zoneinfo, buddyinfo and pagetypeinfo (``cmaplan_zone_info``)."""

    node_id: int
    type: Union[ZoneType, int]
    name: str
    flags: ZoneFlags
    free_pages: int
    boost_pages: Optional[int]
    min_pages: int
    low_pages: int
    high_pages: int
    promo_pages: Optional[int]
    spanned_pages: int
    present_pages: int
    managed_pages: int
    cma_pages: Optional[int]
    """Pageblocks handed to CMA, used or free (the "cma" line, 5.12+)."""
    start_pfn: Optional[int]
    nr_free_pages: int
    nr_free_cma: int
    protection: Tuple[int, ...]
    free_blocks: Optional[Tuple[int, ...]]
    """Free blocks per order, all migratetypes (proc/buddyinfo)."""
    free_pageblocks: Optional[int]
    """Free pageblock-or-larger chunks, in pageblocks (proc/buddyinfo)."""
    free_pageblocks_cma: Optional[int]
    free_pageblocks_noncma: Optional[int]
    cma_pageblocks: Optional[int]
    pageblock_order: int

    @property
    def populated(self) -> bool:
        """True if the zone has present pages."""
        return bool(self.flags & ZoneFlags.POPULATED)

    @classmethod
    def _from_raw(cls, z: Any) -> "Zone":
        buddy = z.flags & ZoneFlags.HAS_BUDDYINFO
        types = z.flags & ZoneFlags.HAS_PAGETYPES
        return _build(
            cls,
            z,
            {"type": ZoneType, "flags": ZoneFlags},
            boost_pages=_opt(z.flags & ZoneFlags.HAS_BOOST, z.boost_pages),
            promo_pages=_opt(z.flags & ZoneFlags.HAS_PROMO, z.promo_pages),
            cma_pages=_opt(z.flags & ZoneFlags.HAS_CMA, z.cma_pages),
            start_pfn=_opt(z.flags & ZoneFlags.HAS_START_PFN, z.start_pfn),
            protection=tuple(z.protection[: z.n_protection]),
            free_blocks=tuple(z.free_blocks[: z.n_orders]) if buddy else None,
            free_pageblocks=_opt(buddy, z.free_pageblocks),
            free_pageblocks_cma=_opt(types, z.free_pageblocks_cma),
            free_pageblocks_noncma=_opt(types, z.free_pageblocks_noncma),
            cma_pageblocks=_opt(types, z.cma_pageblocks),
        )


@dataclass(frozen=True)
class Pool:
    """A hugetlb pool of one page size, of one node or of the whole host (``cmaplan_pool_info``)."""

    node_id: Optional[int]
    """``None`` for the host-wide pool."""
    page_size_bytes: int
    flags: PoolFlags
    nr_hugepages: int
    """Persistent plus surplus pages, as sysfs reads."""
    free_hugepages: int
    surplus_hugepages: int
    resv_hugepages: Optional[int]
    """Host-wide pools only."""
    nr_overcommit_hugepages: Optional[int]
    """Host-wide pools only."""
    nr_hugepages_mempolicy: Optional[int]
    """Host-wide pools only."""

    @property
    def size_bytes(self) -> int:
        """Bytes held by the pool (``nr_hugepages * page_size_bytes``)."""
        return self.nr_hugepages * self.page_size_bytes

    @classmethod
    def _from_raw(cls, p: Any) -> "Pool":
        glob = p.node_id < 0
        return _build(
            cls,
            p,
            {"flags": PoolFlags},
            node_id=_node_id(p.node_id),
            resv_hugepages=_opt(glob and p.flags & PoolFlags.HAS_RESV, p.resv_hugepages),
            nr_overcommit_hugepages=_opt(glob and p.flags & PoolFlags.HAS_OVERCOMMIT, p.nr_overcommit_hugepages),
            nr_hugepages_mempolicy=_opt(glob and p.flags & PoolFlags.HAS_MEMPOLICY, p.nr_hugepages_mempolicy),
        )


@dataclass(frozen=True)
class CmaArea:
    """A CMA area (``cmaplan_cma_info``)."""

    name: str
    kind: Union[CmaKind, int]
    node_id: Optional[int]
    """From the name, else from the first range; ``None`` if unknown."""
    flags: CmaFlags
    total_pages: int
    """sysfs total_pages (6.15+), else debugfs count, else 0."""
    available_pages: int
    alloc_pages_success: Optional[int]
    alloc_pages_fail: Optional[int]
    release_pages_success: Optional[int]
    used_pages: Optional[int]
    maxchunk_pages: Optional[int]
    order_per_bit: Optional[int]
    range_base_pfns: Tuple[int, ...]

    @classmethod
    def _from_raw(cls, a: Any) -> "CmaArea":
        debugfs = a.flags & CmaFlags.HAS_DEBUGFS
        counts = a.flags & CmaFlags.HAS_ALLOC_COUNTS
        return _build(
            cls,
            a,
            {"kind": CmaKind, "flags": CmaFlags},
            node_id=_node_id(a.node_id),
            alloc_pages_success=_opt(counts, a.alloc_pages_success),
            alloc_pages_fail=_opt(counts, a.alloc_pages_fail),
            release_pages_success=_opt(a.flags & CmaFlags.HAS_RELEASE, a.release_pages_success),
            used_pages=_opt(debugfs, a.used_pages),
            maxchunk_pages=_opt(a.flags & CmaFlags.HAS_MAXCHUNK, a.maxchunk_pages),
            order_per_bit=_opt(debugfs, a.order_per_bit),
            range_base_pfns=tuple(a.range_base_pfn[: a.n_ranges]),
        )


@dataclass(frozen=True)
class CmdlineItem:
    """A kernel parameter of proc/cmdline the library understands (``cmaplan_cmdline_item``)."""

    kind: Union[CmdlineKind, int]
    node_id: Optional[int]
    """The node of the node form (``hugepages=1:64``), else ``None``."""
    page_size_bytes: Optional[int]
    """HUGEPAGES only: the page size it applies to (0 = the default size)."""
    value: int
    """A count, bytes, a percentage or 0/1, as the kind says."""
    text: str
    """The parameter as written."""
    valid: bool
    """False: malformed, the kernel ignores it."""

    @classmethod
    def _from_raw(cls, c: Any) -> "CmdlineItem":
        return _build(
            cls,
            c,
            {"kind": CmdlineKind},
            node_id=_node_id(c.node_id),
            page_size_bytes=c.page_size_bytes if c.kind == CmdlineKind.HUGEPAGES else None,
            valid=not (c.flags & CmdlineFlags.INVALID),
        )


@dataclass(frozen=True)
class Memory:
    """The host's memory blocks as a whole (sys/devices/system/memory, ``cmaplan_memory_info``).

    Without the directory (a fact, not an error) ``flags`` lacks ``HAS_SYSFS`` and the sizes are None.
    """

    flags: MemoryFlags
    n_blocks: int
    block_size_bytes: Optional[int]
    online_bytes: Optional[int]
    offline_bytes: Optional[int]
    movable_bytes: Optional[int]
    """Online blocks in ZONE_MOVABLE: never long-term pinnable."""
    auto_online_blocks: Optional[str]
    """``"offline"``, ``"online"``, ``"online_kernel"`` or ``"online_movable"``."""

    @classmethod
    def _from_raw(cls, m: Any) -> "Memory":
        have = m.flags & MemoryFlags.HAS_SYSFS
        return _build(
            cls,
            m,
            {"flags": MemoryFlags},
            block_size_bytes=_opt(have, m.block_size_bytes),
            online_bytes=_opt(have, m.online_bytes),
            offline_bytes=_opt(have, m.offline_bytes),
            movable_bytes=_opt(have, m.movable_bytes),
            auto_online_blocks=m.auto_online_blocks if m.flags & MemoryFlags.HAS_AUTO_ONLINE else None,
        )


@dataclass(frozen=True)
class MemoryBlock:
    """One memory block, the hotplug granularity (memoryM, ``cmaplan_memory_block_info``)."""

    index: int
    """M of memoryM (its phys_index)."""
    node_id: Optional[int]
    state: Union[MemoryBlockState, int]
    flags: MemoryBlockFlags
    valid_zones: Optional[FrozenSet[Union[ZoneType, int]]]
    """An online block's zone, an offline block's candidates; None without the file."""
    valid_zones_text: Optional[str]
    """As the kernel printed it (``"DMA32 Normal Movable"``, ``"none"``)."""
    phys_start_bytes: int
    phys_end_bytes: int
    """Exclusive."""

    @property
    def movable(self) -> bool:
        """Online in ZONE_MOVABLE: never long-term pinnable."""
        return bool(self.flags & MemoryBlockFlags.MOVABLE)

    @property
    def in_cma(self) -> bool:
        """Overlaps a CMA area: cannot be offlined."""
        return bool(self.flags & MemoryBlockFlags.CMA)

    @classmethod
    def _from_raw(cls, b: Any) -> "MemoryBlock":
        zones = b.flags & MemoryBlockFlags.HAS_VALID_ZONES
        return _build(
            cls,
            b,
            {"state": MemoryBlockState, "flags": MemoryBlockFlags},
            node_id=_node_id(b.node_id),
            valid_zones=_zone_set(b.valid_zones) if zones else None,
            valid_zones_text=b.valid_zones_text if zones else None,
        )


@dataclass(frozen=True)
class MemoryRange:
    """A maximal run of a node's adjacent memory blocks with the same state and movability."""

    node_id: int
    flags: MemoryRangeFlags
    phys_start_bytes: int
    phys_end_bytes: int
    """Exclusive."""
    hole_before_bytes: int
    """Addresses no block covers since the node's previous range (0 if adjacent or first)."""
    first_block_idx: int
    """Index into :attr:`Snapshot.memory_blocks`."""
    n_blocks: int
    valid_zones: FrozenSet[Union[ZoneType, int]]

    @property
    def online(self) -> bool:
        """Every block of the range is online."""
        return bool(self.flags & MemoryRangeFlags.ONLINE)

    @property
    def movable(self) -> bool:
        """Every block online in ZONE_MOVABLE: never long-term pinnable."""
        return bool(self.flags & MemoryRangeFlags.MOVABLE)

    @classmethod
    def _from_raw(cls, r: Any) -> "MemoryRange":
        return _build(cls, r, {"flags": MemoryRangeFlags}, valid_zones=_zone_set(r.valid_zones))


@dataclass(frozen=True)
class Node:
    """A NUMA node with its zones, pools and CMA areas (``cmaplan_node_info`` and more)."""

    node_id: int
    state: NodeState
    cpulist: str
    """``"0-15,32-47"``, ``""`` if none; :attr:`cpus` has the numbers."""
    n_cpus: int
    mem_total_kib: int
    mem_free_kib: int
    mem_used_kib: int
    cma_pages: int
    """Sum of the zones' cma field."""
    free_cma_pages: int
    """Sum of the zones' nr_free_cma."""
    free_pages: int
    """Sum of the zones' nr_free_pages."""
    zones: Tuple[Zone, ...]
    """All zones of the node in proc/zoneinfo, populated or not."""
    pools: Mapping[int, Pool] = field(hash=False)
    """The node's hugetlb pools by page size in bytes."""
    distances: Mapping[int, int] = field(hash=False)
    """Distance to each node, by node id."""
    cma_areas: Tuple[CmaArea, ...]
    """CMA areas on this node."""
    memory_ranges: Tuple[MemoryRange, ...]
    """The node's memory in address order, as runs of memory blocks (empty without block sysfs)."""
    _lookup: "_NodeLookup" = field(repr=False, compare=False, hash=False)

    @property
    def cpus(self) -> Tuple[int, ...]:
        """CPU numbers of :attr:`cpulist`."""
        return parse_cpulist(self.cpulist)

    @property
    def online(self) -> bool:
        """The node is online."""
        return bool(self.state & NodeState.ONLINE)

    def zone(self, name_or_type: Union[str, ZoneType]) -> Zone:
        """The zone by name (``"Normal"``) or :class:`ZoneType`; KeyError if the node has none."""
        for z in self.zones:
            if z.name == name_or_type or (isinstance(name_or_type, ZoneType) and z.type == name_or_type):
                return z
        raise KeyError(name_or_type)

    def meminfo(self, key: str, default: Optional[int] = None) -> Optional[int]:
        """A value of nodeN/meminfo (``"Shmem"``; kB lines in KiB), ``default`` if absent."""
        return self._lookup.meminfo(self.node_id, key, default)
