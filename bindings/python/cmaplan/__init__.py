# SPDX-License-Identifier: LGPL-2.1-or-later
"""libcmaplan for Python: the truth about a VM host's hugetlb pools, CMA areas and NUMA nodes.

Read a host (the live one, or a capture / fixture tree) into an immutable snapshot and look at it::

    import cmaplan

    ctx = cmaplan.Context()                      # root=None: the live host; or a captured tree
    snap = ctx.snapshot()                        # one pass over /proc and /sys
    for node in snap.nodes:                      # Node objects, by node id
        normal = node.zone("Normal")             # Zone: free, watermarks, cma, nr_free_cma, ...
        pool = node.pools[2 << 20]               # Pool of 2 MiB pages on this node
        print(node.node_id, node.free_cma_pages, normal.high_pages, pool.nr_hugepages)
    for area in snap.cma_areas:                  # CmaArea: name, kind, node, total/available
        print(area.name, area.kind.name, area.node_id, area.total_pages)
    data = snap.to_dict()                        # the whole snapshot (JSON schema cmaplan-snapshot)
    ctx.capture("/tmp/host")                     # the files the library reads, for Context("/tmp/host")

Objects: :class:`Context` (root directory, log hook) makes :class:`Snapshot` objects, which hold
their context (in C and in Python), so dropping or closing a Context never breaks a snapshot.
Snapshot attributes are plain frozen dataclasses: :class:`Host`, :class:`Node`, :class:`Zone`,
:class:`Pool`, :class:`CmaArea`, :class:`CmdlineItem`, :class:`Memory`, :class:`MemoryBlock`,
:class:`MemoryRange`. Units are in the names: ``*_pages`` are base pages
(``Host.page_size_bytes``), ``*_kib`` KiB, ``*_bytes`` bytes. A value the host did not provide is
``None``. ``snap.validate()`` raises :class:`StaleError` once the host has changed.

Errors: every failure is a :class:`cmaplan.Error`, an :class:`OSError` with the library's errno and
message (``InvalidError`` for malformed content, naming the file and line; ``NotFoundError``,
``NoSuchNodeError``, ``ExistsError``, ...), which also derive from the matching built-in exception
(``FileNotFoundError``, ``LookupError``, ``ValueError``, ...).

Logging: silent by default. ``Context(log=logging.getLogger("cmaplan"))`` forwards the library's
messages as log records; ``Context(log=callback)`` calls ``callback(LogMessage)``;
``CMAPLAN_LOG=err|info|debug`` in the environment sends them to stderr.

Threads: the library is threads-aware, not thread-safe; the binding calls it with the GIL held,
so Python threads sharing objects are serialized.

Planning and changing pools::

    plan = snap.plan("set", node=1, pages=41566, size="2M", allow_owned_cma=True)
    print(plan.info.from_cma_pages, plan.info.from_other_pages)   # predicted, huge pages
    for w in plan.warnings:                                       # PlanWarning: code, name, text
        print(w)
    t = plan.apply(progress=lambda p: print(p.done_pages, "/", p.target_pages), dry_run=True)
    print(t.info.outcome.name, [s.final_pages for s in t.steps])
    cap = snap.capacity(1, "2M")                                  # Capacity: pinnable_pages, ...
    bp = cmaplan.bootplan(snap, pages1g=3024, kernel="6.12")      # BootPlan: cmdline, nodes, ...
    cmaplan.recover(ctx)                                          # after an interrupted apply

:meth:`Snapshot.plan` -> :class:`Plan` (``info``, ``steps``, ``warnings``, ``to_dict``);
:meth:`Plan.apply` -> :class:`Transition` (the library takes the transition lock itself; a
transition that ends short is a report, not an exception: see ``Transition.ok``);
:func:`recover`; :meth:`Snapshot.capacity` -> :class:`Capacity`; :func:`bootplan` ->
:class:`BootPlan`.

Live host only::

    with ctx.monitor() as mon:                   # Monitor: hotplug events, fileno() for select
        for ev in mon.wait(5.0):                 # Event: type, action, node_id, block_index, ...
            if ev.changes_host:
                snap = ctx.snapshot()
    p = snap.placement(1, "2M", pages=4)         # Placement: where pool pages on node 1 land

Monitoring loops: ``r = snap.refresher()`` keeps the changing files open; ``r.update()`` is a new
Snapshot with today's pool counts, free pages and free CMA (a fraction of a full snapshot's cost).

:mod:`cmaplan.raw` is the C API this package covers, one to one.
"""

from . import raw
from ._context import Context, LogHandler, LogMessage, Snapshot
from ._errors import (
    AccessError,
    BusyError,
    Error,
    ExistsError,
    InfeasibleError,
    InvalidError,
    NoSuchNodeError,
    NotFoundError,
    NotSupportedError,
    OutOfRangeError,
    StaleError,
    error_from_errno,
)
from ._monitor import Event, EventType, Monitor
from ._placement import Placement, PlacementFlags, PlacementPage
from ._refresh import Refresh
from ._plan import (
    ApplyFlags,
    BootCmaPlacement,
    BootDiff,
    BootDiffKind,
    BootFeatures,
    BootFlags,
    BootKind,
    BootNode,
    BootNodeFlags,
    BootParam,
    BootPlan,
    BootPlanInfo,
    BootVerdict,
    Capacity,
    CapacityEstimate,
    CapacityFlags,
    CapacityLimit,
    Plan,
    PlanFlags,
    PlanInfo,
    PlanLimit,
    PlanWarning,
    PlanZoneFlags,
    Policy,
    Progress,
    ProgressCallback,
    RequestKind,
    Step,
    StepState,
    StepZone,
    StopReason,
    Transition,
    TransitionInfo,
    TransitionOutcome,
    TransitionStep,
    bootplan,
    kernel_version,
    parse_size,
    recover,
)
from ._types import (
    CmaArea,
    CmaFlags,
    CmaKind,
    CmdlineFlags,
    CmdlineItem,
    CmdlineKind,
    Host,
    HostFacts,
    LogPriority,
    Memory,
    MemoryBlock,
    MemoryBlockFlags,
    MemoryBlockState,
    MemoryFlags,
    MemoryRange,
    MemoryRangeFlags,
    Node,
    NodeState,
    Pool,
    PoolFlags,
    Zone,
    ZoneFlags,
    ZoneType,
    parse_cpulist,
)

__version__: str = raw.BINDINGS_VERSION
"""The version of libcmaplan these bindings were built with."""

SNAPSHOT_JSON_SCHEMA_VERSION: int = raw.CMAPLAN_SNAPSHOT_JSON_SCHEMA_VERSION
"""The version of the ``cmaplan-snapshot`` JSON schema :meth:`Snapshot.to_json` writes."""
PLAN_JSON_SCHEMA_VERSION: int = raw.CMAPLAN_PLAN_JSON_SCHEMA_VERSION
TRANSITION_JSON_SCHEMA_VERSION: int = raw.CMAPLAN_TRANSITION_JSON_SCHEMA_VERSION
BOOTPLAN_JSON_SCHEMA_VERSION: int = raw.CMAPLAN_BOOTPLAN_JSON_SCHEMA_VERSION

__all__ = [
    "Context",
    "Snapshot",
    "LogMessage",
    "LogHandler",
    "LogPriority",
    "Host",
    "Node",
    "Zone",
    "Pool",
    "CmaArea",
    "CmdlineItem",
    "Memory",
    "MemoryBlock",
    "MemoryRange",
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
    "Error",
    "InvalidError",
    "NotFoundError",
    "ExistsError",
    "AccessError",
    "NoSuchNodeError",
    "OutOfRangeError",
    "StaleError",
    "InfeasibleError",
    "BusyError",
    "NotSupportedError",
    "error_from_errno",
    "parse_cpulist",
    "SNAPSHOT_JSON_SCHEMA_VERSION",
    "Plan",
    "PlanInfo",
    "Step",
    "StepZone",
    "PlanWarning",
    "Capacity",
    "Transition",
    "TransitionInfo",
    "TransitionStep",
    "Progress",
    "ProgressCallback",
    "BootPlan",
    "BootPlanInfo",
    "BootParam",
    "BootNode",
    "BootDiff",
    "RequestKind",
    "PlanFlags",
    "PlanLimit",
    "PlanZoneFlags",
    "CapacityFlags",
    "CapacityLimit",
    "CapacityEstimate",
    "ApplyFlags",
    "TransitionOutcome",
    "Policy",
    "StepState",
    "StopReason",
    "BootKind",
    "BootFlags",
    "BootVerdict",
    "BootFeatures",
    "BootCmaPlacement",
    "BootNodeFlags",
    "BootDiffKind",
    "Refresh",
    "Monitor",
    "Event",
    "EventType",
    "Placement",
    "PlacementPage",
    "PlacementFlags",
    "bootplan",
    "recover",
    "parse_size",
    "kernel_version",
    "PLAN_JSON_SCHEMA_VERSION",
    "TRANSITION_JSON_SCHEMA_VERSION",
    "BOOTPLAN_JSON_SCHEMA_VERSION",
]
