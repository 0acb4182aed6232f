# SPDX-License-Identifier: LGPL-2.1-or-later
"""Monitor: the kernel's hotplug events (memory blocks, nodes), as the library reads them."""

from __future__ import annotations

import enum
import errno
import select
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, List, Optional

from . import raw as _raw
from ._context import _Base
from ._types import _build

if TYPE_CHECKING:  # pragma: no cover
    from ._context import Context

__all__ = ["Monitor", "Event", "EventType"]


class EventType(enum.IntEnum):
    """What an event says (``CMAPLAN_EVENT_*``); after anything but CHANGE a snapshot is stale."""

    MEMORY_ONLINE = _raw.CMAPLAN_EVENT_MEMORY_ONLINE
    MEMORY_OFFLINE = _raw.CMAPLAN_EVENT_MEMORY_OFFLINE
    MEMORY_ADD = _raw.CMAPLAN_EVENT_MEMORY_ADD
    MEMORY_REMOVE = _raw.CMAPLAN_EVENT_MEMORY_REMOVE
    NODE_ADD = _raw.CMAPLAN_EVENT_NODE_ADD
    NODE_REMOVE = _raw.CMAPLAN_EVENT_NODE_REMOVE
    CHANGE = _raw.CMAPLAN_EVENT_CHANGE


@dataclass(frozen=True)
class Event:
    """One uevent of the ``memory`` or ``node`` subsystem."""

    type: EventType
    action: str
    """The kernel's word: ``online``, ``offline``, ``add``, ``remove``, ``change``."""
    subsystem: str
    devpath: str
    node_id: int
    """Node events: the node; memory events: the block's node (-1 unknown)."""
    block_index: int
    """Memory events: M of ``memoryM`` (-1 otherwise)."""
    phys_start_bytes: int
    phys_end_bytes: int
    seqnum: int
    synthetic: bool
    """Written to a ``uevent`` file by someone (``SYNTH_UUID``), not a real change."""

    @property
    def changes_host(self) -> bool:
        """True when a snapshot taken before this event is stale."""
        return self.type != EventType.CHANGE


class Monitor(_Base):
    """Hotplug events of the live host (``Context()`` on ``/``), without a udev daemon.

    ``fileno()`` is a non-blocking descriptor for ``select``/``poll``/``asyncio``;
    :meth:`receive` returns the next queued event or None, :meth:`wait` collects events until a
    timeout. Made by :meth:`Context.monitor`. On a tree the library refuses
    (:class:`NotSupportedError`): events exist only on the live host.
    """

    def __init__(self) -> None:  # pragma: no cover - made by Context.monitor()
        raise TypeError("use Context.monitor()")

    @classmethod
    def _new(cls, context: "Context", memory: bool, nodes: bool) -> "Monitor":
        flags = (_raw.CMAPLAN_MONITOR_MEMORY if memory else 0) | (_raw.CMAPLAN_MONITOR_NODE if nodes else 0)
        self = cls.__new__(cls)
        self._context = context
        self._raw_obj = context._run(_raw.cmaplan_monitor_new, context._obj(), flags)
        return self

    def __repr__(self) -> str:
        return f"<cmaplan.Monitor {'closed' if self.closed else 'fd=%d' % self.fileno()}>"

    def fileno(self) -> int:
        """The descriptor to poll for input; owned by the monitor."""
        return _raw.cmaplan_monitor_get_fd(self._obj())

    def receive(self) -> Optional[Event]:
        """The next queued event, or None when there is none now."""
        try:
            ev = self._context._run(_raw.cmaplan_monitor_receive, self._obj())
        except BlockingIOError:
            return None
        except OSError as e:
            if e.errno == errno.EAGAIN:
                return None
            raise
        return _event(ev)

    def wait(self, timeout: float, *, until: Optional[int] = None) -> List[Event]:
        """Events that arrive within ``timeout`` seconds (all of them, or the first ``until``)."""
        end = time.monotonic() + timeout
        events: List[Event] = []
        while until is None or len(events) < until:
            ev = self.receive()
            if ev is not None:
                events.append(ev)
                continue
            left = end - time.monotonic()
            if left <= 0:
                break
            select.select([self.fileno()], [], [], left)
        return events

    def __iter__(self) -> Iterator[Event]:
        """The events queued now."""
        while True:
            ev = self.receive()
            if ev is None:
                return
            yield ev


def _event(ev: Any) -> Event:
    try:
        etype = EventType(ev.type)
    except ValueError:  # a newer library's type: treat it as a change of unknown meaning
        etype = EventType.CHANGE
    return _build(
        Event,
        ev,
        {},
        type=etype,
        action=ev.action or "",
        subsystem=ev.subsystem or "",
        devpath=ev.devpath or "",
        synthetic=bool(ev.flags & _raw.CMAPLAN_EVENT_SYNTHETIC),
    )
