# SPDX-License-Identifier: LGPL-2.1-or-later
"""Plans, capacity, transitions and boot plans: the library's predictions and the writes they lead to.

* :meth:`Snapshot.plan` -> :class:`Plan`: what a pool change will really do (pure arithmetic);
* :meth:`Plan.apply` -> :class:`Transition`: make it (lock, journal, verify, roll back);
* :func:`recover`: finish or undo an interrupted transition;
* :meth:`Snapshot.capacity` -> :class:`Capacity`: the largest guest a node can long-term pin;
* :func:`bootplan` -> :class:`BootPlan`: the kernel command line for boot-time pools.

Field names are the C names (``*_pages`` huge pages of the step's size where the C header says
so, base pages otherwise; ``*_bytes`` bytes).
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

from . import raw as _raw
from ._errors import InvalidError
from ._types import ZoneType, _build

if TYPE_CHECKING:  # pragma: no cover
    from ._context import Context, Snapshot

__all__ = [
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
    "PlanWarning",
    "PlanInfo",
    "Step",
    "StepZone",
    "Plan",
    "Capacity",
    "Progress",
    "ProgressCallback",
    "TransitionInfo",
    "TransitionStep",
    "Transition",
    "BootPlanInfo",
    "BootParam",
    "BootNode",
    "BootDiff",
    "BootPlan",
    "bootplan",
    "recover",
    "parse_size",
    "kernel_version",
]


# ------------------------------------------------------------------ enums


class RequestKind(enum.IntEnum):
    """What a plan asks for (``CMAPLAN_REQUEST_*``); :meth:`Snapshot.plan` also takes the names
    in lower case with dashes (``"pin-guest"``)."""

    SET = _raw.CMAPLAN_REQUEST_SET
    ADD_SPREAD = _raw.CMAPLAN_REQUEST_ADD_SPREAD
    ADD_FILL = _raw.CMAPLAN_REQUEST_ADD_FILL
    MAX_NO_CMA = _raw.CMAPLAN_REQUEST_MAX_NO_CMA
    PIN_GUEST = _raw.CMAPLAN_REQUEST_PIN_GUEST
    SHRINK = _raw.CMAPLAN_REQUEST_SHRINK


class PlanFlags(enum.IntFlag):
    """Guards loosened (``CMAPLAN_PLAN_*``)."""

    ALLOW_OWNED_CMA = _raw.CMAPLAN_PLAN_ALLOW_OWNED_CMA
    NO_HEADROOM = _raw.CMAPLAN_PLAN_NO_HEADROOM
    ALLOW_SHORTFALL = _raw.CMAPLAN_PLAN_ALLOW_SHORTFALL
    ALLOW_BELOW_IN_USE = _raw.CMAPLAN_PLAN_ALLOW_BELOW_IN_USE


class PlanLimit(enum.IntEnum):
    """What keeps a step below what was asked (``CMAPLAN_PLAN_LIMIT_*``)."""

    NONE = _raw.CMAPLAN_PLAN_LIMIT_NONE
    SUPPLY = _raw.CMAPLAN_PLAN_LIMIT_SUPPLY
    OWNED_CMA = _raw.CMAPLAN_PLAN_LIMIT_OWNED_CMA
    HEADROOM = _raw.CMAPLAN_PLAN_LIMIT_HEADROOM
    IN_USE = _raw.CMAPLAN_PLAN_LIMIT_IN_USE
    CMA = _raw.CMAPLAN_PLAN_LIMIT_CMA
    PIN = _raw.CMAPLAN_PLAN_LIMIT_PIN


class PlanZoneFlags(enum.IntFlag):
    """``CMAPLAN_PLAN_ZONE_*``."""

    BELOW_LOW = _raw.CMAPLAN_PLAN_ZONE_BELOW_LOW
    BLOCK_CAPPED = _raw.CMAPLAN_PLAN_ZONE_BLOCK_CAPPED


class CapacityFlags(enum.IntFlag):
    """``CMAPLAN_CAPACITY_*``."""

    PREFAULTED = _raw.CMAPLAN_CAPACITY_PREFAULTED
    UNBOUND = _raw.CMAPLAN_CAPACITY_UNBOUND


class CapacityLimit(enum.IntEnum):
    """What binds the pinnable capacity (``CMAPLAN_CAPACITY_LIMIT_*``)."""

    POOL = _raw.CMAPLAN_CAPACITY_LIMIT_POOL
    OVERCOMMIT = _raw.CMAPLAN_CAPACITY_LIMIT_OVERCOMMIT
    MEMLOCK = _raw.CMAPLAN_CAPACITY_LIMIT_MEMLOCK
    TOTALRAM = _raw.CMAPLAN_CAPACITY_LIMIT_TOTALRAM
    REGION = _raw.CMAPLAN_CAPACITY_LIMIT_REGION


class CapacityEstimate(enum.IntEnum):
    """How the pool's pages in CMA were found (``CMAPLAN_CAPACITY_ESTIMATE_*``)."""

    EXACT = _raw.CMAPLAN_CAPACITY_ESTIMATE_EXACT
    REPLAY = _raw.CMAPLAN_CAPACITY_ESTIMATE_REPLAY
    HUGETLB_CMA = _raw.CMAPLAN_CAPACITY_ESTIMATE_HUGETLB_CMA
    ASSUMED = _raw.CMAPLAN_CAPACITY_ESTIMATE_ASSUMED


class ApplyFlags(enum.IntFlag):
    """``CMAPLAN_APPLY_*``."""

    DRY_RUN = _raw.CMAPLAN_APPLY_DRY_RUN
    KEEP_PARTIAL = _raw.CMAPLAN_APPLY_KEEP_PARTIAL
    WAIT_LOCK = _raw.CMAPLAN_APPLY_WAIT_LOCK
    NO_GUARDS = _raw.CMAPLAN_APPLY_NO_GUARDS
    RECOVER_COMPLETE = _raw.CMAPLAN_APPLY_RECOVER_COMPLETE


class TransitionOutcome(enum.IntEnum):
    """How a transition ended (``CMAPLAN_TRANSITION_*``)."""

    DONE = _raw.CMAPLAN_TRANSITION_DONE
    DRY_RUN = _raw.CMAPLAN_TRANSITION_DRY_RUN
    ROLLED_BACK = _raw.CMAPLAN_TRANSITION_ROLLED_BACK
    PARTIAL = _raw.CMAPLAN_TRANSITION_PARTIAL
    FAILED = _raw.CMAPLAN_TRANSITION_FAILED
    DISCARDED = _raw.CMAPLAN_TRANSITION_DISCARDED


class Policy(enum.IntEnum):
    """What an interruption leads to (``CMAPLAN_POLICY_*``)."""

    ROLLBACK = _raw.CMAPLAN_POLICY_ROLLBACK
    COMPLETE = _raw.CMAPLAN_POLICY_COMPLETE
    KEEP = _raw.CMAPLAN_POLICY_KEEP


class StepState(enum.IntEnum):
    """What happened to one step of a transition (``CMAPLAN_STEP_*``)."""

    PENDING = _raw.CMAPLAN_STEP_PENDING
    DONE = _raw.CMAPLAN_STEP_DONE
    ROLLED_BACK = _raw.CMAPLAN_STEP_ROLLED_BACK
    PARTIAL_KEPT = _raw.CMAPLAN_STEP_PARTIAL_KEPT
    FAILED = _raw.CMAPLAN_STEP_FAILED


class StopReason(enum.IntEnum):
    """Why a step stopped short (``CMAPLAN_STOP_*``)."""

    NONE = _raw.CMAPLAN_STOP_NONE
    SHORTFALL = _raw.CMAPLAN_STOP_SHORTFALL
    GUARD_CMA = _raw.CMAPLAN_STOP_GUARD_CMA
    GUARD_WATERMARK = _raw.CMAPLAN_STOP_GUARD_WATERMARK
    ERROR = _raw.CMAPLAN_STOP_ERROR
    ABORTED = _raw.CMAPLAN_STOP_ABORTED
    UNEXPECTED = _raw.CMAPLAN_STOP_UNEXPECTED
    HOST_CHANGED = _raw.CMAPLAN_STOP_HOST_CHANGED


class BootKind(enum.IntEnum):
    """What a boot plan sizes (``CMAPLAN_BOOT_*`` request kinds)."""

    PAGES_1G = _raw.CMAPLAN_BOOT_PAGES_1G
    ALL_BUT = _raw.CMAPLAN_BOOT_ALL_BUT
    PAGES_2M_BYTES = _raw.CMAPLAN_BOOT_PAGES_2M_BYTES
    CMA_PER_NODE = _raw.CMAPLAN_BOOT_CMA_PER_NODE


class BootFlags(enum.IntFlag):
    """``CMAPLAN_BOOT_NO_*``: what a boot plan does not ask for."""

    NO_HVO = _raw.CMAPLAN_BOOT_NO_HVO
    NO_CMA_ONLY = _raw.CMAPLAN_BOOT_NO_CMA_ONLY


class BootVerdict(enum.IntEnum):
    """Whether a boot plan fits (``CMAPLAN_BOOT_FITS`` ...)."""

    FITS = _raw.CMAPLAN_BOOT_FITS
    DOES_NOT_FIT = _raw.CMAPLAN_BOOT_DOES_NOT_FIT
    FITS_ONLY_WITH_PREHVO = _raw.CMAPLAN_BOOT_FITS_ONLY_WITH_PREHVO
    FITS_ONLY_WITH_MULTI_RANGE = _raw.CMAPLAN_BOOT_FITS_ONLY_WITH_MULTI_RANGE


class BootFeatures(enum.IntFlag):
    """What the modelled kernel has (``CMAPLAN_BOOT_HAS_*``)."""

    HUGETLB_CMA = _raw.CMAPLAN_BOOT_HAS_HUGETLB_CMA
    NODE_FORM = _raw.CMAPLAN_BOOT_HAS_NODE_FORM
    FREE_VMEMMAP = _raw.CMAPLAN_BOOT_HAS_FREE_VMEMMAP
    CMA_ONLY = _raw.CMAPLAN_BOOT_HAS_CMA_ONLY
    MULTI_RANGE = _raw.CMAPLAN_BOOT_HAS_MULTI_RANGE
    CMA_BOOT_PAGES = _raw.CMAPLAN_BOOT_HAS_CMA_BOOT_PAGES
    PREHVO = _raw.CMAPLAN_BOOT_HAS_PREHVO


class BootCmaPlacement(enum.IntEnum):
    """hugetlb_cma placement of a node (``CMAPLAN_BOOT_CMA_*``)."""

    NONE = _raw.CMAPLAN_BOOT_CMA_NONE
    SINGLE = _raw.CMAPLAN_BOOT_CMA_SINGLE
    MULTI = _raw.CMAPLAN_BOOT_CMA_MULTI
    LOST = _raw.CMAPLAN_BOOT_CMA_LOST
    UNKNOWN = _raw.CMAPLAN_BOOT_CMA_UNKNOWN


class BootNodeFlags(enum.IntFlag):
    """``CMAPLAN_BOOT_NODE_*``."""

    FITS = _raw.CMAPLAN_BOOT_NODE_FITS
    FITS_PLAIN = _raw.CMAPLAN_BOOT_NODE_FITS_PLAIN
    FITS_PREHVO = _raw.CMAPLAN_BOOT_NODE_FITS_PREHVO
    STRADDLE = _raw.CMAPLAN_BOOT_NODE_STRADDLE
    IN_MOVABLE = _raw.CMAPLAN_BOOT_NODE_IN_MOVABLE
    HOLES_UNKNOWN = _raw.CMAPLAN_BOOT_NODE_HOLES_UNKNOWN
    HEADROOM_LOW = _raw.CMAPLAN_BOOT_NODE_HEADROOM_LOW


class BootDiffKind(enum.IntEnum):
    """What differs between a host and a boot plan (``CMAPLAN_BOOT_DIFF_*``)."""

    CMDLINE = _raw.CMAPLAN_BOOT_DIFF_CMDLINE
    POOL = _raw.CMAPLAN_BOOT_DIFF_POOL
    CMA = _raw.CMAPLAN_BOOT_DIFF_CMA


# ------------------------------------------------------------------ helpers

_SIZE_RE = re.compile(r"^\s*(\d+)\s*([KMGTP]?)(?:i?B)?\s*$", re.IGNORECASE)
_SHIFT = {"": 0, "K": 10, "M": 20, "G": 30, "T": 40, "P": 50}


def parse_size(size: Union[int, str, None]) -> int:
    """Bytes of ``2097152``, ``"2M"``, ``"1G"``, ``"40GiB"`` (binary units); ``None`` -> 0."""
    if size is None:
        return 0
    if isinstance(size, int):
        if size < 0:
            raise InvalidError(22, f"negative size {size}")
        return size
    m = _SIZE_RE.match(size)
    if not m:
        raise InvalidError(22, f"bad size {size!r} (e.g. 2M, 1G, 40GiB)")
    return int(m.group(1)) << _SHIFT[m.group(2).upper()]


def kernel_version(version: Union[int, str, Tuple[int, ...], None]) -> int:
    """The C encoding ``(major << 16) | (minor << 8)`` of ``"6.12"`` or ``(6, 12)``; ``None`` -> 0."""
    if version is None:
        return 0
    if isinstance(version, int):
        return version
    if isinstance(version, str):
        parts = version.split("-")[0].split(".")
        try:
            nums = [int(p) for p in parts[:3] if p]
        except ValueError:
            raise InvalidError(22, f"bad kernel version {version!r} (e.g. 6.12)") from None
    else:
        nums = list(version)
    if not nums:
        raise InvalidError(22, f"bad kernel version {version!r}")
    nums += [0] * (3 - len(nums))
    return (nums[0] << 16) | (nums[1] << 8) | min(nums[2], 255)


def _node_ids(nodes: Union[int, Sequence[int], None]) -> Optional[List[int]]:
    if nodes is None:
        return None
    if isinstance(nodes, int):
        return [nodes]
    return [int(n) for n in nodes]


def _asdict(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: _asdict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (tuple, list)):
        return [_asdict(x) for x in obj]
    if isinstance(obj, enum.Enum):
        return obj.name if not isinstance(obj, enum.IntFlag) else int(obj)
    return obj


@dataclass(frozen=True)
class PlanWarning:
    """A warning of a plan, a capacity estimate or a boot plan: a stable code, its stable name
    (``"TAKES_CMA"``) and a sentence."""

    code: int
    name: str
    text: str

    def __str__(self) -> str:
        return f"[W{self.code} {self.name}] {self.text}"


# ------------------------------------------------------------------ plans


@dataclass(frozen=True)
class PlanInfo:
    """The plan as a whole (``cmaplan_plan_info``); sums over the steps in huge pages."""

    kind: RequestKind
    node_id: int
    page_size_bytes: int
    flags: PlanFlags
    cma_budget_pages: int
    status: int
    """0: fully met; ``-errno.ENOSPC``: not (only with ``allow_shortfall``)."""
    limit: PlanLimit
    reason: str
    n_steps: int
    n_warnings: int
    current_pages: int
    requested_pages: int
    target_pages: int
    reached_pages: int
    from_cma_pages: int
    from_other_pages: int
    owned_cma_taken_pages: int
    guest_pages: int
    guest_capacity_pages: int
    guest_errno: int


_PLAN_INFO_ENUMS = {"kind": RequestKind, "flags": PlanFlags, "limit": PlanLimit}


@dataclass(frozen=True)
class StepZone:
    """The prediction for one zone of a step's node (``cmaplan_step_zone_info``)."""

    node_id: int
    zone_idx: int
    type: ZoneType
    flags: PlanZoneFlags
    name: str
    from_cma_pages: int
    from_other_pages: int
    limit_pages: int
    free_before_pages: int
    free_cma_before_pages: int
    free_after_pages: int
    free_cma_after_pages: int


@dataclass(frozen=True)
class Step:
    """One node and page size the plan changes (``cmaplan_step_info``), with its zones."""

    node_id: int
    page_size_bytes: int
    current_pages: int
    target_pages: int
    from_cma_pages: int
    from_other_pages: int
    shortfall_pages: int
    freed_pages: int
    to_surplus_pages: int
    pinnable_before_pages: int
    pinnable_after_pages: int
    free_cma_after_pages: int
    free_after_pages: int
    hvo_saving_bytes: int
    net_cost_bytes: int
    requested_pages: int
    reached_pages: int
    limit: PlanLimit
    cma_kinds: int
    from_hugetlb_cma_pages: int
    from_owned_cma_pages: int
    from_movable_zone_pages: int
    unpinnable_before_pages: int
    unpinnable_after_pages: int
    free_before_pages: int
    free_cma_before_pages: int
    n_zones: int
    pool_estimate: CapacityEstimate
    zones: Tuple[StepZone, ...]


class Progress(NamedTuple):
    """One call of a transition's progress callback: after every step of a node's pool."""

    node_id: int
    page_size_bytes: int
    done_pages: int
    """Pages reached so far (persistent pages of the node's pool)."""
    target_pages: int
    elapsed_usec: int


ProgressCallback = Callable[[Progress], Any]
"""A progress callback: called with a :class:`Progress`, synchronously, from inside :meth:`Plan.apply`."""


class Plan:
    """A planned pool change (``cmaplan_plan``), made by :meth:`Snapshot.plan`. Nothing is written.

    :attr:`info` the plan as a whole, :attr:`steps` one per node and page size, :attr:`warnings`
    with stable codes, :meth:`to_dict` / :meth:`to_json` (schema ``cmaplan-plan``,
    docs/plan-json.md), :meth:`apply` to make it. The plan holds its snapshot.
    """

    def __init__(self) -> None:  # pragma: no cover - made by Snapshot.plan()
        raise TypeError("plans are made by Snapshot.plan()")

    @classmethod
    def _new(cls, snapshot: "Snapshot", raw_plan: Any) -> "Plan":
        self = object.__new__(cls)
        self._snapshot = snapshot
        self._raw_obj = raw_plan
        self._cache: Dict[str, Any] = {}
        return self

    def _run(self, func: Callable[..., Any], *args: Any) -> Any:
        return self._snapshot._context._run(func, self._raw_obj, *args)

    @property
    def snapshot(self) -> "Snapshot":
        """The snapshot the plan was made on."""
        return self._snapshot

    @property
    def info(self) -> PlanInfo:
        """The plan as a whole: request, status, sums over the steps (:class:`PlanInfo`)."""
        if "info" not in self._cache:
            self._cache["info"] = _build(PlanInfo, self._run(_raw.cmaplan_plan_get_info), _PLAN_INFO_ENUMS)
        return self._cache["info"]

    @property
    def feasible(self) -> bool:
        """True when the plan fully meets the request (``info.status == 0``)."""
        return self.info.status == 0

    @property
    def steps(self) -> Tuple[Step, ...]:
        """One :class:`Step` per node and page size the plan changes, with its zones."""
        if "steps" not in self._cache:
            steps = []
            for i in range(_raw.cmaplan_plan_get_n_steps(self._raw_obj)):
                s = self._run(_raw.cmaplan_plan_get_step, i)
                zones = tuple(
                    _build(
                        StepZone,
                        self._run(_raw.cmaplan_plan_get_step_zone, i, z),
                        {"type": ZoneType, "flags": PlanZoneFlags},
                    )
                    for z in range(s.n_zones)
                )
                steps.append(
                    _build(
                        Step,
                        s,
                        {"limit": PlanLimit, "pool_estimate": CapacityEstimate},
                        zones=zones,
                    )
                )
            self._cache["steps"] = tuple(steps)
        return self._cache["steps"]

    def step(self, node_id: int) -> Step:
        """The (first) step of a node; KeyError if the plan does not touch it."""
        for s in self.steps:
            if s.node_id == node_id:
                return s
        raise KeyError(node_id)

    @property
    def warnings(self) -> Tuple[PlanWarning, ...]:
        """The plan's warnings (:class:`PlanWarning`), in the library's order."""
        if "warnings" not in self._cache:
            ws = []
            for i in range(_raw.cmaplan_plan_get_n_warnings(self._raw_obj)):
                code, text = self._run(_raw.cmaplan_plan_get_warning, i)
                ws.append(PlanWarning(code, _raw.cmaplan_plan_warning_to_name(code), text))
            self._cache["warnings"] = tuple(ws)
        return self._cache["warnings"]

    def to_json(self, indent: Optional[int] = None) -> str:
        """The plan as JSON (schema ``cmaplan-plan``)."""
        text = self._run(_raw.cmaplan_plan_to_json)
        return text if indent is None else json.dumps(json.loads(text), indent=indent)

    def to_dict(self) -> Dict[str, Any]:
        """The plan as plain dicts and lists (schema ``cmaplan-plan``)."""
        return json.loads(self.to_json())

    def apply(
        self,
        *,
        progress: Optional[ProgressCallback] = None,
        dry_run: bool = False,
        keep_partial: bool = False,
        wait: bool = False,
        no_guards: bool = False,
        recover_complete: bool = False,
        step_pages: int = 0,
        max_retries: int = 0,
        timeout_msec: int = 0,
    ) -> "Transition":
        """Make the plan as a transition (docs/transition.md) and return its report.

        The library takes the lock in the context's lock directory itself (do not hold it), checks
        the plan against the host (:class:`StaleError` if the pools changed since the snapshot),
        journals the original counts, then writes node by node, verifying every write and rolling
        back on failure unless ``keep_partial``. ``dry_run`` goes through every step but the
        writes; ``wait`` waits for another transition instead of raising :class:`BusyError`.

        ``progress`` is called synchronously after every step with a :class:`Progress`. An
        exception it raises cannot stop the transition in C: it is raised again once the
        transition has ended (the pools are then as the returned report would have said).

        A transition that ends short of its target (rolled back, partial, failed) is *not* an
        exception: check :attr:`Transition.ok` / ``info.outcome``. Errors before anything was
        written raise: :class:`AccessError` (not root), :class:`BusyError`, :class:`StaleError`, ...
        """
        flags = (
            (ApplyFlags.DRY_RUN if dry_run else 0)
            | (ApplyFlags.KEEP_PARTIAL if keep_partial else 0)
            | (ApplyFlags.WAIT_LOCK if wait else 0)
            | (ApplyFlags.NO_GUARDS if no_guards else 0)
            | (ApplyFlags.RECOVER_COMPLETE if recover_complete else 0)
        )
        errors: List[BaseException] = []
        hook = None
        if progress is not None:
            if not callable(progress):
                raise TypeError("progress must be callable or None")

            def hook(node_id: int, page_size: int, done: int, target: int, elapsed: int) -> None:
                if errors:
                    return
                try:
                    progress(Progress(node_id, page_size, done, target, elapsed))
                except BaseException as e:  # raised again below
                    errors.append(e)

        raw_t = self._run(
            _raw.cmaplan_plan_apply, int(flags), step_pages, max_retries, timeout_msec, hook
        )
        t = Transition._new(self._snapshot._context, raw_t)
        if errors:
            raise errors[0]
        return t

    def __repr__(self) -> str:
        i = self.info
        return (
            f"<cmaplan.Plan {i.kind.name.lower()} node={i.node_id} size={i.page_size_bytes} "
            f"{i.current_pages}->{i.reached_pages} from_cma={i.from_cma_pages} "
            f"outside={i.from_other_pages} warnings={i.n_warnings}>"
        )


# ------------------------------------------------------------------ capacity


@dataclass(frozen=True)
class Capacity:
    """Long-term pinnable capacity of a node for one page size (``cmaplan_capacity_info``)."""

    node_id: int
    limit: CapacityLimit
    page_size_bytes: int
    pool_pages: int
    pool_in_cma_pages: int
    free_pinnable_pages: int
    fresh_pinnable_pages: int
    pinnable_bytes: int
    pinnable_pages: int
    free_pages: int
    free_unpinnable_pages: int
    remote_pinnable_pages: int
    estimate: CapacityEstimate
    warnings: Tuple[PlanWarning, ...]


def _capacity(snapshot: "Snapshot", node_id: int, page_size_bytes: int, flags: int, memlock: int, locked: int) -> Capacity:
    c = snapshot._run(_raw.cmaplan_capacity, node_id, page_size_bytes, flags, memlock, locked)
    texts = (c.warnings_text or "").split("\n")
    ws = tuple(
        PlanWarning(code, _raw.cmaplan_plan_warning_to_name(code), texts[i] if i < len(texts) else "")
        for i, code in enumerate(c.warning_codes[: c.n_warnings])
    )
    return _build(Capacity, c, {"limit": CapacityLimit, "estimate": CapacityEstimate}, warnings=ws)


# ------------------------------------------------------------------ transitions


@dataclass(frozen=True)
class TransitionInfo:
    """How a transition ended (``cmaplan_transition_info``)."""

    outcome: TransitionOutcome
    policy: Policy
    flags: ApplyFlags
    error: int
    recovered: int
    n_steps: int
    n_writes: int
    n_compactions: int
    journal_kept: int
    journal_pid: int
    elapsed_usec: int
    message: str
    journal_path: str


@dataclass(frozen=True)
class TransitionStep:
    """What happened to one node and page size (``cmaplan_transition_step``)."""

    node_id: int
    state: StepState
    page_size_bytes: int
    before_pages: int
    target_pages: int
    reached_pages: int
    final_pages: int
    surplus_before_pages: int
    surplus_final_pages: int
    held_in_use_pages: int
    cma_predicted_pages: int
    cma_observed_pages: int
    stop_reason: StopReason
    error: int
    n_writes: int
    n_compactions: int
    elapsed_usec: int


class Transition:
    """The report of :meth:`Plan.apply` or :func:`recover` (``cmaplan_transition``)."""

    def __init__(self) -> None:  # pragma: no cover
        raise TypeError("transitions are made by Plan.apply() and cmaplan.recover()")

    @classmethod
    def _new(cls, context: "Context", raw_t: Any) -> "Transition":
        self = object.__new__(cls)
        self._context = context
        self._raw_obj = raw_t
        self._cache: Dict[str, Any] = {}
        return self

    def _run(self, func: Callable[..., Any], *args: Any) -> Any:
        return self._context._run(func, self._raw_obj, *args)

    @property
    def info(self) -> TransitionInfo:
        """How the transition ended (:class:`TransitionInfo`)."""
        if "info" not in self._cache:
            self._cache["info"] = _build(
                TransitionInfo,
                self._run(_raw.cmaplan_transition_get_info),
                {"outcome": TransitionOutcome, "policy": Policy, "flags": ApplyFlags},
            )
        return self._cache["info"]

    @property
    def ok(self) -> bool:
        """True when every step reached its target (or nothing was to be written: a dry run,
        a discarded journal)."""
        return self.info.outcome in (TransitionOutcome.DONE, TransitionOutcome.DRY_RUN, TransitionOutcome.DISCARDED)

    @property
    def steps(self) -> Tuple[TransitionStep, ...]:
        """What happened to each node and page size (:class:`TransitionStep`)."""
        if "steps" not in self._cache:
            self._cache["steps"] = tuple(
                _build(
                    TransitionStep,
                    self._run(_raw.cmaplan_transition_get_step, i),
                    {"state": StepState, "stop_reason": StopReason},
                )
                for i in range(_raw.cmaplan_transition_get_n_steps(self._raw_obj))
            )
        return self._cache["steps"]

    def to_json(self, indent: Optional[int] = None) -> str:
        """The report as JSON (schema ``cmaplan-transition``)."""
        text = self._run(_raw.cmaplan_transition_to_json)
        return text if indent is None else json.dumps(json.loads(text), indent=indent)

    def to_dict(self) -> Dict[str, Any]:
        """The report as plain dicts and lists (schema ``cmaplan-transition``)."""
        return json.loads(self.to_json())

    def __repr__(self) -> str:
        i = self.info
        return f"<cmaplan.Transition {_raw.cmaplan_transition_outcome_to_name(int(i.outcome))} steps={i.n_steps} writes={i.n_writes}>"


def recover(ctx: "Context", *, dry_run: bool = False, wait: bool = False) -> Optional[Transition]:
    """Finish or undo an interrupted transition found in the context's lock directory, as its
    journal's policy says; ``None`` when there was none. :class:`BusyError` while a transition
    runs (unless ``wait``)."""
    flags = (_raw.CMAPLAN_RECOVER_DRY_RUN if dry_run else 0) | (_raw.CMAPLAN_RECOVER_WAIT_LOCK if wait else 0)
    raw_t = ctx._run(_raw.cmaplan_recover, ctx._obj(), flags)
    return None if raw_t is None else Transition._new(ctx, raw_t)


# ------------------------------------------------------------------ boot plans


@dataclass(frozen=True)
class BootPlanInfo:
    """A boot plan as a whole (``cmaplan_bootplan_info``)."""

    verdict: BootVerdict
    kernel_version: int
    arch: str
    features: BootFeatures
    cmdline: str
    n_params: int
    n_nodes: int
    n_warnings: int
    kind: BootKind
    page_size_bytes: int
    target_pages: int
    target_cma_bytes: int
    largest_pages: int
    largest_pages_plain: int
    largest_pages_prehvo: int
    largest_cma_per_node_bytes: int


@dataclass(frozen=True)
class BootParam:
    """One kernel parameter and why (``cmaplan_boot_param_info``)."""

    kind: int
    node_id: int
    page_size_bytes: int
    value: int
    text: str
    reason: str


@dataclass(frozen=True)
class BootNode:
    """Boot memory of one node (``cmaplan_boot_node_info``)."""

    node_id: int
    flags: BootNodeFlags
    ram_bytes: int
    span_bytes: int
    hole_bytes: int
    other_bytes: int
    page_size_bytes: int
    pages: int
    gigantic_windows: int
    vmemmap_full_bytes: int
    peak_plain_bytes: int
    peak_prehvo_bytes: int
    steady_vmemmap_bytes: int
    headroom_bytes: int
    max_pages_plain: int
    max_pages_prehvo: int
    cma_bytes: int
    cma_reserved_bytes: int
    cma_placement: BootCmaPlacement
    cma_ranges: int
    largest_range_bytes: int
    max_cma_bytes: int


@dataclass(frozen=True)
class BootDiff:
    """A difference between a host and a boot plan (``cmaplan_boot_diff_info``)."""

    kind: BootDiffKind
    node_id: int
    expected: int
    actual: int
    text: str


class BootPlan:
    """Boot-time sizing (``cmaplan_bootplan``), made by :func:`bootplan`. Pure arithmetic."""

    def __init__(self) -> None:  # pragma: no cover
        raise TypeError("boot plans are made by cmaplan.bootplan()")

    @classmethod
    def _new(cls, context: "Context", raw_bp: Any, snapshot: Optional["Snapshot"]) -> "BootPlan":
        self = object.__new__(cls)
        self._context = context
        self._snapshot = snapshot
        self._raw_obj = raw_bp
        self._cache: Dict[str, Any] = {}
        return self

    def _run(self, func: Callable[..., Any], *args: Any) -> Any:
        return self._context._run(func, self._raw_obj, *args)

    @property
    def info(self) -> BootPlanInfo:
        """The boot plan as a whole: verdict, kernel, command line, largest target (:class:`BootPlanInfo`)."""
        if "info" not in self._cache:
            self._cache["info"] = _build(
                BootPlanInfo,
                self._run(_raw.cmaplan_bootplan_get_info),
                {"verdict": BootVerdict, "features": BootFeatures, "kind": BootKind},
            )
        return self._cache["info"]

    @property
    def fits(self) -> bool:
        """True when the verdict is :attr:`BootVerdict.FITS`."""
        return self.info.verdict == BootVerdict.FITS

    @property
    def cmdline(self) -> str:
        """The kernel parameters, space separated."""
        return self.info.cmdline

    @property
    def params(self) -> Tuple[BootParam, ...]:
        """Each kernel parameter and why (:class:`BootParam`)."""
        if "params" not in self._cache:
            self._cache["params"] = tuple(
                _build(BootParam, self._run(_raw.cmaplan_bootplan_get_param, i), {})
                for i in range(self.info.n_params)
            )
        return self._cache["params"]

    @property
    def nodes(self) -> Tuple[BootNode, ...]:
        """Boot memory per node (:class:`BootNode`)."""
        if "nodes" not in self._cache:
            self._cache["nodes"] = tuple(
                _build(
                    BootNode,
                    self._run(_raw.cmaplan_bootplan_get_node, i),
                    {"flags": BootNodeFlags, "cma_placement": BootCmaPlacement},
                )
                for i in range(self.info.n_nodes)
            )
        return self._cache["nodes"]

    @property
    def warnings(self) -> Tuple[PlanWarning, ...]:
        """The boot plan's warnings (:class:`PlanWarning`, boot codes)."""
        if "warnings" not in self._cache:
            ws = []
            for i in range(self.info.n_warnings):
                code, text = self._run(_raw.cmaplan_bootplan_get_warning, i)
                ws.append(PlanWarning(code, _raw.cmaplan_bootplan_warning_to_name(code), text))
            self._cache["warnings"] = tuple(ws)
        return self._cache["warnings"]

    def check(self, snapshot: "Snapshot") -> Tuple[BootDiff, ...]:
        """Compare a host with the plan: what differs (empty: it matches)."""
        n = self._run(_raw.cmaplan_bootplan_check, snapshot._obj())
        self._cache.pop("json", None)
        return tuple(
            _build(BootDiff, self._run(_raw.cmaplan_bootplan_get_diff, i), {"kind": BootDiffKind}) for i in range(n)
        )

    def to_json(self, indent: Optional[int] = None) -> str:
        """The boot plan as JSON (schema ``cmaplan-bootplan``)."""
        text = self._run(_raw.cmaplan_bootplan_to_json)
        return text if indent is None else json.dumps(json.loads(text), indent=indent)

    def to_dict(self) -> Dict[str, Any]:
        """The boot plan as plain dicts and lists (schema ``cmaplan-bootplan``)."""
        return json.loads(self.to_json())

    def __repr__(self) -> str:
        i = self.info
        return (
            f"<cmaplan.BootPlan {_raw.cmaplan_boot_verdict_to_name(int(i.verdict))} "
            f"target={i.target_pages} largest={i.largest_pages} cmdline={i.cmdline!r}>"
        )


def bootplan(
    source: Union["Context", "Snapshot"],
    *,
    pages1g: Optional[int] = None,
    all_but: Union[int, str, None] = None,
    pages2m_bytes: Union[int, str, None] = None,
    cma_per_node: Union[int, str, None] = None,
    nodes: Union[int, Sequence[int], None] = None,
    host: Optional[str] = None,
    kernel: Union[str, int, Tuple[int, ...], None] = None,
    reserve: Union[int, str, None] = None,
    headroom: Union[int, str, None] = None,
    hvo: bool = True,
    cma_only: bool = True,
) -> BootPlan:
    """Size boot-time pools (docs/bootplan.md): the kernel command line and why, per node peaks.

    ``source`` is a :class:`Snapshot` (the host to plan for) or a :class:`Context` with ``host``, a
    description like ``"ram=0:1536G,1:1536G;hole=0:1012G-1024G;kernel=6.12;arch=x86_64"``.
    One target: ``pages1g`` (N x 1 GiB pages spread over the nodes), ``all_but`` (1 GiB pages for
    all but SIZE per node), ``pages2m_bytes``, or ``cma_per_node`` (with ``pages1g``: taken at boot).
    ``kernel`` plans for another kernel (``"6.12"``); ``reserve`` is K per node, ``headroom`` what
    each node must keep. Sizes are bytes or strings like ``"64G"``.
    """
    from ._context import Context, Snapshot  # cycle

    if isinstance(source, Snapshot):
        ctx, snap = source._context, source
        raw_snap = None if host is not None else source._obj()
    elif isinstance(source, Context):
        ctx, snap, raw_snap = source, None, None
        if host is None:
            raise InvalidError(22, "bootplan of a Context needs host=DESCRIPTION (or pass a Snapshot)")
    else:
        raise TypeError("bootplan() needs a Context or a Snapshot")
    count, size = 0, 0
    targets = [t for t in (all_but, pages2m_bytes, cma_per_node) if t is not None]
    if len(targets) > 1 or (targets and pages1g is not None and cma_per_node is None):
        raise InvalidError(22, "one target: pages1g, all_but, pages2m_bytes or cma_per_node (with pages1g)")
    if cma_per_node is not None:
        kind, size, count = BootKind.CMA_PER_NODE, parse_size(cma_per_node), pages1g or 0
    elif all_but is not None:
        kind, size = BootKind.ALL_BUT, parse_size(all_but)
    elif pages2m_bytes is not None:
        kind, size = BootKind.PAGES_2M_BYTES, parse_size(pages2m_bytes)
    elif pages1g is not None:
        kind, count = BootKind.PAGES_1G, pages1g
    else:
        raise InvalidError(22, "no target: pages1g, all_but, pages2m_bytes or cma_per_node")
    flags = (0 if hvo else BootFlags.NO_HVO) | (0 if cma_only else BootFlags.NO_CMA_ONLY)
    raw_bp = ctx._run(
        _raw.cmaplan_bootplan_new,
        ctx._obj(),
        raw_snap,
        int(kind),
        kernel_version(kernel),
        count,
        size,
        _node_ids(nodes),
        host,
        parse_size(reserve),
        parse_size(headroom),
        int(flags),
    )
    return BootPlan._new(ctx, raw_bp, snap)


def _request_kind(kind: Union[RequestKind, str, int]) -> RequestKind:
    if isinstance(kind, str):
        try:
            return RequestKind[kind.upper().replace("-", "_")]
        except KeyError:
            raise InvalidError(
                22, f"unknown request kind {kind!r} ({', '.join(k.name.lower().replace('_', '-') for k in RequestKind)})"
            ) from None
    return RequestKind(kind)


def _plan(
    snapshot: "Snapshot",
    kind: Union[RequestKind, str, int],
    node: Optional[int],
    pages: Optional[int],
    size: Union[int, str, None],
    nbytes: Union[int, str, None],
    nodes: Union[int, Sequence[int], None],
    flags: int,
    cma_budget: Union[int, str, None],
    memlock: Union[int, str, None],
) -> Plan:
    k = _request_kind(kind)
    page = snapshot.host.page_size_bytes or 4096
    budget_pages = parse_size(cma_budget) // page if cma_budget is not None else 0
    raw_plan = snapshot._run(
        _raw.cmaplan_plan_new,
        int(k),
        -1 if node is None else node,
        parse_size(size),
        pages or 0,
        parse_size(nbytes),
        _node_ids(nodes),
        flags,
        budget_pages,
        parse_size(memlock),
    )
    return Plan._new(snapshot, raw_plan)
