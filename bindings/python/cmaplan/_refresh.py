# SPDX-License-Identifier: LGPL-2.1-or-later
"""Refresh: a monitoring loop's cheap re-read of the numbers that change (pools, free, CMA)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import raw as _raw
from ._context import Snapshot, _Base

if TYPE_CHECKING:  # pragma: no cover
    from ._context import Context

__all__ = ["Refresh"]


class Refresh(_Base):
    """Files of a snapshot whose numbers change, kept open and re-read with ``pread``.

    :meth:`update` returns a new :class:`Snapshot` with the layout of the one this was made
    from (nodes, zones, page sizes, CMA areas, memory blocks) and today's pool counts, free
    pages, free CMA and watermarks. Layout changes are not seen: check ``validate()`` now and
    then, or take a new snapshot. Made by :meth:`Snapshot.refresher`.
    """

    def __init__(self) -> None:  # pragma: no cover - made by Snapshot.refresher()
        raise TypeError("use Snapshot.refresher()")

    @classmethod
    def _new(cls, snapshot: Snapshot, zoneinfo: bool) -> "Refresh":
        flags = 0 if zoneinfo else _raw.CMAPLAN_REFRESH_NO_ZONEINFO
        self = cls.__new__(cls)
        self._snapshot = snapshot
        self._raw_obj = snapshot._run(_raw.cmaplan_refresh_new, flags)
        return self

    def __repr__(self) -> str:
        if self.closed:
            return "<cmaplan.Refresh closed>"
        return f"<cmaplan.Refresh {self.n_files} files, {self.n_open} open>"

    @property
    def context(self) -> "Context":
        """The context of the snapshot this refresh re-reads."""
        return self._snapshot.context

    @property
    def n_files(self) -> int:
        """How many files an update re-reads."""
        return _raw.cmaplan_refresh_get_n_files(self._obj())

    @property
    def n_open(self) -> int:
        """How many of them stay open between updates (at most a quarter of RLIMIT_NOFILE)."""
        return _raw.cmaplan_refresh_get_n_open(self._obj())

    def update(self) -> Snapshot:
        """Re-read the files: a new Snapshot (InvalidError names file:line on malformed content;
        StaleError when zoneinfo's zones are no longer the snapshot's)."""
        raw_snap = self._snapshot._run(_raw.cmaplan_refresh_update, self._obj())
        return Snapshot._new(self._snapshot.context, raw_snap)
