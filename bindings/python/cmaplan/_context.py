# SPDX-License-Identifier: LGPL-2.1-or-later
"""Context and Snapshot: the library's objects, with Python lifetimes, errors and logging."""

from __future__ import annotations

import json
import logging
import os
import pathlib
import types
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

from . import raw as _raw
from ._errors import NotFoundError, StaleError, _from_oserror, error_from_errno
from ._types import (
    CmaArea,
    CmdlineItem,
    Host,
    LogPriority,
    Memory,
    MemoryBlock,
    MemoryRange,
    Node,
    NodeState,
    Pool,
    Zone,
)

if TYPE_CHECKING:  # pragma: no cover
    from ._monitor import Monitor
    from ._placement import Placement
    from ._plan import Capacity, Plan
    from ._refresh import Refresh

__all__ = ["Context", "Snapshot", "LogMessage", "LogHandler"]

PathLike = Union[str, "os.PathLike[str]"]


class LogMessage(NamedTuple):
    """One message of the library's log, as handed to a log callback."""

    priority: LogPriority
    message: str
    file: str
    """The library's source file that logged it."""
    line: int
    function: str


LogHandler = Callable[[LogMessage], Any]
"""A log callback: called with a :class:`LogMessage` for each message the library logs."""

_LOGGING_LEVELS = {
    LogPriority.ERR: logging.ERROR,
    LogPriority.WARNING: logging.WARNING,
    LogPriority.INFO: logging.INFO,
    LogPriority.DEBUG: logging.DEBUG,
}


def _priority_for_logger(logger: logging.Logger) -> LogPriority:
    """The most verbose library priority the logger would let through."""
    for prio in (LogPriority.DEBUG, LogPriority.INFO, LogPriority.WARNING):
        if logger.isEnabledFor(_LOGGING_LEVELS[prio]):
            return prio
    return LogPriority.ERR


def _priority(value: int) -> Union[LogPriority, int]:
    try:
        return LogPriority(value)
    except ValueError:
        return value


class _Base:
    """What every wrapper shares: a raw object, an owning Context, close() and ``with``."""

    _raw_obj: Any

    def close(self) -> None:
        """Drop this object's reference on the C object now instead of at garbage collection.

        Objects made from it (snapshots of a context, ...) hold their own references and stay
        usable. Further calls on this object raise ValueError.
        """
        self._raw_obj = None

    @property
    def closed(self) -> bool:
        return self._raw_obj is None

    def _obj(self) -> Any:
        if self._raw_obj is None:
            raise ValueError(f"operation on a closed {type(self).__name__}")
        return self._raw_obj

    def __enter__(self):
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Context(_Base):
    """A libcmaplan context: the root directory to read, the log hook, the lock directory.

    ``root`` is a directory holding ``sys/`` and ``proc/``: ``None`` or ``"/"`` reads the live
    host, anything else a capture or fixture tree (:meth:`capture` makes one). ``lock_dir`` is
    where transitions will keep their lock and journal (default ``/run/cmaplan``).

    ``log`` receives the library's messages: a :class:`logging.Logger` (records carry the C
    file, line and function; the priority follows the logger's level unless ``log_priority``
    is given) or a callable taking a :class:`LogMessage`. Without it the library is silent,
    unless the environment has ``CMAPLAN_LOG=err|info|debug`` (messages then go to stderr).
    An exception raised by a log callback is raised again when the library call returns.

    The context is reference counted in C: a :class:`Snapshot` holds its context, so closing
    or dropping the Context object never invalidates a snapshot. ``with Context(...) as ctx:``
    closes it at the end of the block.

    Threads: the library is threads-aware, not thread-safe. The binding calls it with the GIL
    held, so objects shared between Python threads are used one call at a time.
    """

    def __init__(
        self,
        root: Optional[PathLike] = None,
        *,
        lock_dir: Optional[PathLike] = None,
        log: Union[LogHandler, logging.Logger, None] = None,
        log_priority: Optional[int] = None,
    ) -> None:
        self._raw_obj = None
        self._log: Union[LogHandler, logging.Logger, None] = None
        self._hook: Optional[Callable[..., None]] = None
        self._hook_errors: List[BaseException] = []
        root_s = os.fspath(root) if root is not None else None
        lock_s = os.fspath(lock_dir) if lock_dir is not None else None
        try:
            self._raw_obj = _raw.cmaplan_new(root_s, lock_s, 0)
        except OSError as e:
            # no context yet to hold the library's message: say it the way the library logs it
            where = root_s or "/"
            raise error_from_errno(
                e.errno or 0, f"cannot open root directory: {os.strerror(e.errno or 0)}", where
            ) from None
        if log is not None:
            self.set_log(log, log_priority)
        elif log_priority is not None:
            self.log_priority = log_priority  # type: ignore[assignment]

    # -------------------------------------------------------------- plumbing

    def _run(
        self,
        func: Callable[..., Any],
        *args: Any,
        filename: Optional[str] = None,
        message: Optional[Callable[[], str]] = None,
    ) -> Any:
        """Call a raw function: OSError -> cmaplan.Error, and re-raise a log callback's exception.

        ``message()`` replaces a bare strerror (calls that record no message in the context).
        """
        try:
            result = func(*args)
        except OSError as e:
            if message and e.errno and e.strerror == os.strerror(e.errno):
                e = OSError(e.errno, f"{message()}: {e.strerror}")
            err = _from_oserror(e, filename)
            if self._hook_errors:
                hook_exc = self._hook_errors.pop(0)
                self._hook_errors.clear()
                raise hook_exc from err
            raise err from None
        if self._hook_errors:
            hook_exc = self._hook_errors.pop(0)
            self._hook_errors.clear()
            raise hook_exc
        return result

    def _clear_hook(self) -> None:
        if self._raw_obj is not None and self._hook is not None:
            try:
                _raw.cmaplan_set_log_fn(self._raw_obj, None)
            except Exception:  # interpreter shutdown
                pass
        self._hook = None

    def close(self) -> None:
        """Drop the reference on the C context (snapshots keep theirs) and unhook the log."""
        self._clear_hook()
        self._raw_obj = None

    def __del__(self) -> None:
        # the C context may outlive this object inside snapshots: never leave it pointing at a
        # Python callable that is about to go away
        self._clear_hook()

    def __repr__(self) -> str:
        if self._raw_obj is None:
            return "<cmaplan.Context closed>"
        return f"<cmaplan.Context root={self.root!r}>"

    # -------------------------------------------------------------- properties

    @property
    def root(self) -> str:
        """The root directory this context reads (``"/"`` for the live host)."""
        return _raw.cmaplan_get_root(self._obj())

    @property
    def lock_dir(self) -> str:
        """Where transitions keep their lock and journal."""
        return _raw.cmaplan_get_lock_dir(self._obj())

    @property
    def last_error(self) -> str:
        """The message of the last error this context reported (``""`` if none)."""
        return _raw.cmaplan_get_error(self._obj())

    @property
    def log_priority(self) -> Union[LogPriority, int]:
        """The most verbose priority the library logs (default :attr:`LogPriority.ERR`)."""
        return _priority(self._run(_raw.cmaplan_get_log_priority, self._obj()))

    @log_priority.setter
    def log_priority(self, priority: int) -> None:
        _raw.cmaplan_set_log_priority(self._obj(), int(priority))

    # -------------------------------------------------------------- logging

    def set_log(
        self, log: Union[LogHandler, logging.Logger, None], priority: Optional[int] = None
    ) -> None:
        """Send the library's messages to ``log`` (a Logger or a callable), or nowhere (None).

        ``priority`` sets :attr:`log_priority` too; for a Logger it defaults to the most verbose
        priority the logger's level lets through.
        """
        obj = self._obj()
        if log is None:
            self._clear_hook()
            self._log = None
            if priority is not None:
                self.log_priority = priority
            return
        if isinstance(log, logging.Logger):
            logger = log

            def emit(msg: LogMessage) -> None:
                level = _LOGGING_LEVELS.get(msg.priority, logging.DEBUG)  # type: ignore[call-overload]
                if logger.isEnabledFor(level):
                    record = logger.makeRecord(
                        logger.name, level, msg.file, msg.line, msg.message, (), None, func=msg.function
                    )
                    logger.handle(record)

            handler: LogHandler = emit
            if priority is None:
                priority = _priority_for_logger(logger)
        elif callable(log):
            handler = log
        else:
            raise TypeError("log must be a logging.Logger, a callable or None")

        errors = self._hook_errors

        def hook(prio: int, file: str, line: int, function: str, message: str) -> None:
            try:
                handler(LogMessage(_priority(prio), message, file, line, function))  # type: ignore[arg-type]
            except BaseException as e:  # raised again by _run when the C call returns
                if not errors:
                    errors.append(e)

        _raw.cmaplan_set_log_fn(obj, hook)
        self._hook = hook
        self._log = log
        if priority is not None:
            self.log_priority = priority

    # -------------------------------------------------------------- operations

    def snapshot(self, *, debugfs: bool = True) -> "Snapshot":
        """Read the host into an immutable :class:`Snapshot`.

        ``debugfs=False`` skips sys/kernel/debug/cma (CMA ranges and usage). Raises
        :class:`InvalidError` for malformed content (the message names the file and line);
        no half-built snapshot is ever returned.
        """
        flags = 0 if debugfs else _raw.CMAPLAN_SNAPSHOT_NO_DEBUGFS
        raw_snap = self._run(_raw.cmaplan_snapshot_new, self._obj(), flags)
        return Snapshot._new(self, raw_snap)

    def monitor(self, *, memory: bool = True, nodes: bool = True) -> "Monitor":
        """Hotplug events of the live host (memory blocks and/or nodes): a :class:`Monitor`."""
        from ._monitor import Monitor

        return Monitor._new(self, memory, nodes)

    def capture(self, dest: PathLike) -> pathlib.Path:
        """Copy exactly the files a snapshot reads into ``dest`` (a new or empty directory).

        ``Context(root=dest)`` then reads the same host offline. Returns ``dest`` as a Path.
        Raises :class:`ExistsError` if ``dest`` already holds a capture.
        """
        d = os.fspath(dest)
        self._run(_raw.cmaplan_capture, self._obj(), d, 0, filename=d)
        return pathlib.Path(d)


class _NodeLookup:
    """What a Node needs for lookups after it was built: the C snapshot, not the Snapshot object
    (a Node inside the Snapshot's cache pointing back at it would make a reference cycle)."""

    __slots__ = ("_context", "_raw_snap")

    def __init__(self, context: Context, raw_snap: Any) -> None:
        self._context = context
        self._raw_snap = raw_snap

    def meminfo(self, node_id: int, key: str, default: Optional[int]) -> Optional[int]:
        try:
            return self._context._run(_raw.cmaplan_snapshot_get_node_meminfo, self._raw_snap, node_id, key)
        except NotFoundError:
            return default


class Snapshot(_Base):
    """An immutable model of the host, read in one pass by :meth:`Context.snapshot`.

    Attributes are computed on first use and cached: :attr:`host`, :attr:`nodes` (with their
    zones, pools, CMA areas and memory ranges), :attr:`pools` (host-wide, by page size),
    :attr:`cma_areas`, :attr:`cmdline_items`, :attr:`memory` and :attr:`memory_blocks`.
    :meth:`validate` tells whether the host changed since. :meth:`to_dict` and :meth:`to_json` give the whole snapshot in the
    ``cmaplan-snapshot`` JSON schema (docs/snapshot-json.md).

    The snapshot holds a reference on its context, in C and in Python: it stays valid however
    the Context object is dropped or closed.
    """

    _context: Context

    def __init__(self) -> None:  # pragma: no cover - made by Context.snapshot()
        raise TypeError("snapshots are made by Context.snapshot()")

    @classmethod
    def _new(cls, context: Context, raw_snap: Any) -> "Snapshot":
        self = object.__new__(cls)
        self._context = context
        self._raw_obj = raw_snap
        self._cache: Dict[str, Any] = {}
        return self

    def __repr__(self) -> str:
        if self._raw_obj is None:
            return "<cmaplan.Snapshot closed>"
        h = self.host
        return (
            f"<cmaplan.Snapshot root={self.root!r} kernel={h.kernel_release!r} nodes={h.n_nodes} "
            f"cma_areas={h.n_cma_areas}>"
        )

    def _run(self, func: Callable[..., Any], *args: Any, message: Optional[Callable[[], str]] = None) -> Any:
        return self._context._run(func, self._obj(), *args, message=message)

    def _cached(self, key: str, make: Callable[[], Any]) -> Any:
        self._obj()  # a closed snapshot answers nothing, cached or not
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # -------------------------------------------------------------- the model

    @property
    def context(self) -> Context:
        """The Context this snapshot was taken with."""
        return self._context

    @property
    def root(self) -> str:
        """The root directory that was read."""
        return self._cached("root", lambda: _raw.cmaplan_get_root(self._run(_raw.cmaplan_snapshot_get_ctx)))

    @property
    def host(self) -> Host:
        """Host-wide facts: kernel, memory, CMA totals, HVO, what the host has (``facts``)."""
        return self._cached("host", lambda: Host._from_raw(self._run(_raw.cmaplan_snapshot_get_host)))

    @property
    def page_sizes(self) -> Tuple[int, ...]:
        """The hugetlb page sizes of the host in bytes, ascending."""

        def make() -> Tuple[int, ...]:
            n = _raw.cmaplan_snapshot_get_n_page_sizes(self._obj())
            return tuple(self._run(_raw.cmaplan_snapshot_get_page_size, i) for i in range(n))

        return self._cached("page_sizes", make)

    @property
    def pools(self) -> Mapping[int, Pool]:
        """The host-wide hugetlb pools by page size in bytes."""
        return self._cached("pools", lambda: self._pools(-1))

    @property
    def cma_areas(self) -> Tuple[CmaArea, ...]:
        """Every CMA area of the host."""

        def make() -> Tuple[CmaArea, ...]:
            n = self.host.n_cma_areas
            return tuple(CmaArea._from_raw(self._run(_raw.cmaplan_snapshot_get_cma_area, i)) for i in range(n))

        return self._cached("cma_areas", make)

    @property
    def cmdline_items(self) -> Tuple[CmdlineItem, ...]:
        """The kernel parameters of proc/cmdline the library understands, parsed."""

        def make() -> Tuple[CmdlineItem, ...]:
            n = self.host.n_cmdline_items
            return tuple(
                CmdlineItem._from_raw(self._run(_raw.cmaplan_snapshot_get_cmdline_item, i)) for i in range(n)
            )

        return self._cached("cmdline_items", make)

    @property
    def memory(self) -> Memory:
        """The memory blocks as a whole: block size, online / offline / movable bytes."""
        return self._cached("memory", lambda: Memory._from_raw(self._run(_raw.cmaplan_snapshot_get_memory)))

    @property
    def memory_blocks(self) -> Tuple[MemoryBlock, ...]:
        """Every memory block, by index (empty without sys/devices/system/memory)."""

        def make() -> Tuple[MemoryBlock, ...]:
            n = self.memory.n_blocks
            return tuple(MemoryBlock._from_raw(self._run(_raw.cmaplan_snapshot_get_memory_block, i)) for i in range(n))

        return self._cached("memory_blocks", make)

    def find_memory_block(self, phys_addr: int) -> MemoryBlock:
        """The memory block holding a physical address; :class:`NotFoundError` in a hole."""
        idx = self._run(
            _raw.cmaplan_snapshot_find_memory_block, phys_addr, message=lambda: f"no memory block holds {phys_addr:#x}"
        )
        return self.memory_blocks[idx]

    def validate(self, *, free_pages: bool = False, block_states: bool = True) -> None:
        """Check the snapshot still describes the host; :class:`StaleError` (saying what changed) if not.

        Re-reads cheap markers only: online nodes, memory blocks and their states, every pool's
        nr_hugepages and surplus_hugepages; ``free_pages=True`` also compares free_hugepages,
        ``block_states=False`` only counts the memory blocks.
        """
        flags = (_raw.CMAPLAN_VALIDATE_FREE_PAGES if free_pages else 0) | (
            0 if block_states else _raw.CMAPLAN_VALIDATE_NO_BLOCKS
        )
        self._run(_raw.cmaplan_snapshot_validate, flags)

    def is_current(self, *, free_pages: bool = False) -> bool:
        """:meth:`validate` as a boolean: False if the host changed since the snapshot."""
        try:
            self.validate(free_pages=free_pages)
        except StaleError:
            return False
        return True

    @property
    def nodes(self) -> Tuple[Node, ...]:
        """The NUMA nodes, by ascending node id."""
        return self._cached("nodes", self._make_nodes)

    def node(self, node_id: int) -> Node:
        """The node with this id; :class:`NoSuchNodeError` if there is none."""
        idx = self._run(_raw.cmaplan_snapshot_find_node, node_id, message=lambda: f"no node {node_id} in {self._ids()}")
        return self.nodes[idx]

    def pool(self, page_size_bytes: int, node_id: Optional[int] = None) -> Pool:
        """The pool of this page size, host-wide or of one node.

        :class:`NotFoundError` for a page size the host does not have, :class:`NoSuchNodeError`
        for an unknown node.
        """
        raw_pool = self._run(
            _raw.cmaplan_snapshot_get_pool,
            -1 if node_id is None else node_id,
            page_size_bytes,
            message=lambda: f"no pool of {page_size_bytes}-byte pages"
            + (f" on node {node_id} ({self._ids()})" if node_id is not None else "")
            + f" (page sizes {list(self.page_sizes)})",
        )
        return Pool._from_raw(raw_pool)

    def distance(self, from_node_id: int, to_node_id: int) -> int:
        """The NUMA distance between two nodes, by id."""
        return self._run(
            _raw.cmaplan_snapshot_get_node_distance,
            from_node_id,
            to_node_id,
            message=lambda: f"no distance from node {from_node_id} to node {to_node_id} ({self._ids()})",
        )

    def _ids(self) -> str:
        ids = [n.node_id for n in self.nodes]
        return "nodes " + ",".join(map(str, ids)) if ids else "no nodes"

    def _pools(self, node_id: int) -> Mapping[int, Pool]:
        return types.MappingProxyType(
            {ps: Pool._from_raw(self._run(_raw.cmaplan_snapshot_get_pool, node_id, ps)) for ps in self.page_sizes}
        )

    def _memory_ranges(self, node_id: int) -> Tuple[MemoryRange, ...]:
        n = self._run(_raw.cmaplan_snapshot_get_n_memory_ranges, node_id)
        return tuple(
            MemoryRange._from_raw(self._run(_raw.cmaplan_snapshot_get_memory_range, node_id, i)) for i in range(n)
        )

    def _make_nodes(self) -> Tuple[Node, ...]:
        n_nodes = _raw.cmaplan_snapshot_get_n_nodes(self._obj())
        lookup = _NodeLookup(self._context, self._obj())
        infos = [self._run(_raw.cmaplan_snapshot_get_node, i) for i in range(n_nodes)]
        ids = [info.node_id for info in infos]
        nodes = []
        for idx, info in enumerate(infos):
            zones = tuple(Zone._from_raw(self._run(_raw.cmaplan_snapshot_get_zone, idx, z)) for z in range(info.n_zones))
            distances = {}
            for other in ids:
                try:
                    distances[other] = self._run(_raw.cmaplan_snapshot_get_node_distance, info.node_id, other)
                except NotFoundError:  # the host did not say
                    pass
            nodes.append(
                Node(
                    node_id=info.node_id,
                    state=NodeState(info.state),
                    cpulist=info.cpulist,
                    n_cpus=info.n_cpus,
                    mem_total_kib=info.mem_total_kib,
                    mem_free_kib=info.mem_free_kib,
                    mem_used_kib=info.mem_used_kib,
                    cma_pages=info.cma_pages,
                    free_cma_pages=info.free_cma_pages,
                    free_pages=info.free_pages,
                    zones=zones,
                    pools=self._pools(info.node_id),
                    distances=types.MappingProxyType(distances),
                    cma_areas=tuple(a for a in self.cma_areas if a.node_id == info.node_id),
                    memory_ranges=self._memory_ranges(info.node_id),
                    _lookup=lookup,
                )
            )
        return tuple(nodes)

    # -------------------------------------------------------------- export

    def to_json(self, indent: Optional[int] = None) -> str:
        """The snapshot as JSON text (schema ``cmaplan-snapshot``; the library's own output
        unless ``indent`` asks for re-indentation)."""
        text = self._run(_raw.cmaplan_snapshot_to_json)
        if indent is None:
            return text
        return json.dumps(json.loads(text), indent=indent)

    def to_dict(self) -> Dict[str, Any]:
        """The snapshot as plain dicts and lists (the JSON schema ``cmaplan-snapshot``)."""
        return json.loads(self.to_json())

    # -------------------------------------------------------------- planning

    def plan(
        self,
        kind: Union[str, int] = "set",
        *,
        node: Optional[int] = None,
        pages: Optional[int] = None,
        size: Union[int, str, None] = None,
        bytes: Union[int, str, None] = None,
        nodes: Union[int, Sequence[int], None] = None,
        allow_owned_cma: bool = False,
        cma_budget: Union[int, str, None] = None,
        no_headroom: bool = False,
        allow_shortfall: bool = False,
        allow_below_in_use: bool = False,
        memlock: Union[int, str, None] = None,
    ) -> "Plan":
        """Predict what a pool change will really do (docs/plan-json.md); nothing is written.

        ``kind`` (a :class:`RequestKind` or its name: ``"set"``, ``"add-spread"``, ``"add-fill"``,
        ``"max-no-cma"``, ``"pin-guest"``, ``"shrink"``) with:

        * ``set``: ``node`` (None: the whole host, one global write) gets ``pages`` pages;
        * ``add-spread`` / ``add-fill``: ``bytes`` added over ``nodes`` (None: every node with memory);
        * ``max-no-cma``: the most pages ``node`` takes without touching CMA;
        * ``pin-guest``: the pool a guest of ``bytes`` bound to ``node`` needs to be pinned
          (``memlock``: RLIMIT_MEMLOCK of the VMM);
        * ``shrink``: ``node`` (None: the host) down to ``pages``.

        ``size`` is the huge page size (bytes, or ``"2M"``, ``"1G"``; default: the default size).
        Guards stay on unless loosened: ``allow_owned_cma`` (any amount), ``cma_budget`` (at most
        that many bytes of CMA owned by csv-* / hugetlb* areas), ``no_headroom``, ``allow_below_in_use``; ``allow_shortfall`` returns a plan
        that goes as far as it can instead of raising :class:`InfeasibleError` (ENOSPC, the
        message says which guard binds and how far the node goes).
        """
        from ._plan import PlanFlags, _plan

        flags = (
            (PlanFlags.ALLOW_OWNED_CMA if allow_owned_cma else 0)
            | (PlanFlags.NO_HEADROOM if no_headroom else 0)
            | (PlanFlags.ALLOW_SHORTFALL if allow_shortfall else 0)
            | (PlanFlags.ALLOW_BELOW_IN_USE if allow_below_in_use else 0)
        )
        return _plan(self, kind, node, pages, size, bytes, nodes, int(flags), cma_budget, memlock)

    def refresher(self, *, zoneinfo: bool = True) -> "Refresh":
        """A :class:`Refresh` for monitoring loops: re-reads only the changing numbers of this
        snapshot's host, files kept open. ``zoneinfo=False`` leaves proc/zoneinfo out (megabytes
        on hosts with many CPUs): zone free pages then come from buddyinfo."""
        from ._refresh import Refresh

        return Refresh._new(self, zoneinfo)

    def placement(self, node: int, size: Union[int, str, None] = None, *, pages: int = 1) -> "Placement":
        """Map ``pages`` free pool pages of ``size`` bound to ``node``, fault them, and say where
        each landed (node, frame, CMA area, ZONE_MOVABLE): a :class:`Placement`. Live host, root;
        the pool needs the free pages (else :class:`OutOfMemoryError`-like ``cmaplan.Error``)."""
        from ._placement import _placement
        from ._plan import parse_size

        return _placement(self, node, pages, parse_size(size))

    def capacity(
        self,
        node: int,
        size: Union[int, str, None] = None,
        *,
        memlock: Union[int, str, None] = None,
        locked: Union[int, str, None] = None,
        prefaulted: bool = False,
        unbound: bool = False,
    ) -> "Capacity":
        """The largest hugetlb-backed guest bound to ``node`` that can long-term pin now
        (SEV/CSV guest RAM, VFIO), for page ``size`` (default: the default size).

        ``memlock``: RLIMIT_MEMLOCK of the VMM (default unlimited / CAP_IPC_LOCK); ``locked``: what
        the VM pinned already; ``prefaulted``: the guest faulted its RAM before the pin (VFIO);
        ``unbound``: other nodes' free pinnable pool pages count too.
        """
        from ._plan import CapacityFlags, _capacity, parse_size

        flags = (CapacityFlags.PREFAULTED if prefaulted else 0) | (CapacityFlags.UNBOUND if unbound else 0)
        return _capacity(self, node, parse_size(size), int(flags), parse_size(memlock), parse_size(locked))
