# SPDX-License-Identifier: LGPL-2.1-or-later
"""Placement truth: where pool pages bound to a node really land (node, frame, CMA, movable)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Tuple

from . import raw as _raw
from ._types import _build

if TYPE_CHECKING:  # pragma: no cover
    from ._context import Snapshot

__all__ = ["Placement", "PlacementPage", "PlacementFlags"]


class PlacementFlags(enum.IntFlag):
    """What the check could see (``CMAPLAN_PLACEMENT_*``)."""

    HAS_PFN = _raw.CMAPLAN_PLACEMENT_HAS_PFN
    HAS_CMA_RANGES = _raw.CMAPLAN_PLACEMENT_HAS_CMA_RANGES
    CMA_APPROX = _raw.CMAPLAN_PLACEMENT_CMA_APPROX
    HAS_BLOCKS = _raw.CMAPLAN_PLACEMENT_HAS_BLOCKS
    POPULATE_MLOCK = _raw.CMAPLAN_PLACEMENT_POPULATE_MLOCK


def _tristate(v: int) -> Optional[bool]:
    return None if v < 0 else bool(v)


@dataclass(frozen=True)
class PlacementPage:
    """One huge page of the check."""

    node_id: int
    """Where it landed (-1 if move_pages could not say; ``status`` has the errno)."""
    status: int
    pfn: Optional[int]
    """Its first base-page frame; None without CAP_SYS_ADMIN."""
    in_cma: Optional[bool]
    """Inside a CMA area of the snapshot; None when unknown."""
    cma_area_idx: int
    memory_block_idx: int
    in_movable: Optional[bool]


@dataclass(frozen=True)
class Placement:
    """The result of :meth:`Snapshot.placement`: per page and counted."""

    node_id: int
    page_size_bytes: int
    flags: PlacementFlags
    n_on_node: int
    n_elsewhere: int
    n_unknown: int
    n_in_cma: int
    n_in_movable: int
    pages: Tuple[PlacementPage, ...]

    @property
    def all_on_node(self) -> bool:
        """Every page landed on the node it was bound to."""
        return self.n_on_node == len(self.pages)


def _placement(snapshot: "Snapshot", node: int, pages: int, size: int) -> Placement:
    raw_p = snapshot._run(_raw.cmaplan_placement_new, node, pages, size)
    info = _raw.cmaplan_placement_get_info(raw_p)
    out = []
    for i in range(info.n_pages):
        pg = _raw.cmaplan_placement_get_page(raw_p, i)
        out.append(
            _build(PlacementPage, pg, {}, pfn=pg.pfn or None, in_cma=_tristate(pg.in_cma),
                   in_movable=_tristate(pg.in_movable))
        )
    return _build(Placement, info, {"flags": PlacementFlags}, pages=tuple(out))
