"""Solving the goal-seeking model exactly with HiGHS (:func:`scipy.optimize.milp`).

Objectives (what a change costs) are solved **lexicographically**: the named objective first
(proven within :data:`DEFAULT_GAP` of the optimum), then, with the first held there, the next
criterion (within :data:`TIE_BREAK_GAP`) — so ties are broken by a stated rule, not by the
solver's luck:

=================  =============================================  ==================================
objective          first                                          then
=================  =============================================  ==================================
``least-area``     mu of parcels whose land use changes + floor   mu × years of rescheduling
                   area added (mu)
``least-parcels``  number of parcels whose land use changes       mu changed + floor area added +
                                                                  mu × years moved
``earliest``       mu × years from the first free year to         mu changed + floor area added
                   development (not developed: horizon + 1)
``weighted``       ``Σ weight × criterion`` over ``area`` (mu),   —
                   ``parcels``, ``years`` (mu × years moved),
                   ``earliest`` (mu × years to development) and
                   ``floor`` (floor area added, mu)
=================  =============================================  ==================================

Floor area added (``max_far``) is counted in mu of floor area (m² / 666.67): raising the plot
ratio of a 10-mu parcel by 1.0 costs as much as changing the land use of 10 mu.

Before HiGHS sees it the model is reduced exactly (:mod:`zoneplan.solve.reduce`): interchangeable
parcels are merged into integer class columns and the independent blocks (zones sharing no
target, quota or adjacency row) are solved one after another, each stage held per block.

When no choice of options meets every row, :mod:`zoneplan.solve.conflicts` finds the smallest
relaxation of the targets and quotas.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from zoneplan.compliance.rules import Rules
from zoneplan.errors import InputError
from zoneplan.plan import Plan
from zoneplan.solve.conflicts import CONFLICT_COLUMNS
from zoneplan.solve.model import _NEVER, OBJECTIVES, Model, build_model
from zoneplan.solve.reduce import aggregate, components
from zoneplan.solve.result import SolveResult, applied, changes_of, scenario_of, with_base_conflicts
from zoneplan.units import M2_PER_MU

__all__ = ["DEFAULT_GAP", "TIE_BREAK_GAP", "Answer", "criteria", "lexicographic", "run_milp", "solve"]

#: Relative MIP gap at which HiGHS stops: the answer is proven within 0.01 % of the optimum
#: (HiGHS's default; 0 proves exact optimality, which on near-equal subset sums of parcel areas
#: can take very long for a difference far below a mu).
DEFAULT_GAP = 1e-4
#: Relative gap of the tie-breaking stages (the first criterion is already held within its gap).
TIE_BREAK_GAP = 1e-3
#: Blocks with fewer reduced columns are solved together in one HiGHS call.
_BLOCK_MIN_COLUMNS = 500
_CRITERIA = ("area", "parcels", "years", "earliest", "floor")
_STAGES = {
    "least-area": (("area", "floor"), ("years",)),
    "least-parcels": (("parcels",), ("area", "floor", "years")),
    "earliest": (("earliest",), ("area", "floor")),
}


def criteria(model: Model) -> dict[str, np.ndarray]:
    """Cost of every column under each criterion: ``area`` (mu of land-use change), ``parcels``,
    ``years`` (mu × years moved), ``earliest`` (mu × years to development) on the options and
    ``floor`` (floor area added, in mu: m² / 666.67) on the floor-area columns.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.solve import build_model
    >>> model = build_model(datasets.load("linqing"), years=[2035])
    >>> cost = criteria(model)
    >>> sorted(cost), all(len(v) == model.n_columns for v in cost.values())
    (['area', 'earliest', 'floor', 'parcels', 'years'], True)
    """
    o = model.options
    mu = o["area_m2"].to_numpy() / M2_PER_MU
    changed = o["landuse_change"].to_numpy(dtype=bool)
    year = o["year"].to_numpy()
    built = o["kind"].isin(["keep_built", "redevelop"]).to_numpy()
    wait = np.where(year == _NEVER, model.horizon + 1 - model.start_year, year - model.start_year)
    none = np.zeros(len(model.floor))
    return {
        "area": np.r_[mu * changed, none],
        "parcels": np.r_[changed.astype(float), none],
        "years": np.r_[mu * o["year_shift"].to_numpy(dtype=float), none],
        "earliest": np.r_[np.where(built, 0.0, mu * np.maximum(wait, 0)), none],
        "floor": np.r_[np.zeros(len(o)), np.ones(len(model.floor)) / M2_PER_MU],
    }


def _weighted(cost: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """``Σ weight × criterion`` per column."""
    out = np.zeros(len(next(iter(cost.values()))))
    for k, w in weights.items():
        out = out + float(w) * cost[k]
    return out


def run_milp(
    c: np.ndarray,
    model: Model,
    *,
    A: sp.csr_matrix | None = None,
    lb: np.ndarray | None = None,
    ub: np.ndarray | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    integrality: np.ndarray | None = None,
    time_limit: float | None = None,
    gap: float = DEFAULT_GAP,
):
    """One HiGHS solve of ``min c·x`` over the model's rows and columns (or the given ones),
    nothing reduced (:func:`lexicographic` reduces and solves block by block).

    Parameters
    ----------
    c
        Cost per column.
    model
        The model whose rows and column bounds are the defaults.
    A, lb, ub
        Rows (default the model's).
    lower, upper, integrality
        Column bounds and integrality (default :attr:`Model.column_lower`, ``column_upper``,
        ``integrality``).
    time_limit
        HiGHS time limit, seconds.
    gap
        Relative MIP gap.

    Returns
    -------
    scipy.optimize.OptimizeResult
        As :func:`scipy.optimize.milp` returns it.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.solve import build_model
    >>> model = build_model(datasets.load("linqing"), years=[2035])
    >>> res = run_milp(criteria(model)["area"], model)
    >>> res.status, round(res.fun, 1)  # mu of land-use change
    (0, 734.5)
    """
    A = model.A if A is None else A
    col_lb = lower if lower is not None else model.column_lower
    col_ub = upper if upper is not None else model.column_upper
    options: dict[str, object] = {"disp": False, "mip_rel_gap": gap, "presolve": True}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    with _c_stdout_silenced():
        return milp(
            c,
            integrality=model.integrality if integrality is None else integrality,
            bounds=Bounds(col_lb, col_ub),
            constraints=LinearConstraint(A, model.lb if lb is None else lb, model.ub if ub is None else ub),
            options=options,
        )


@contextlib.contextmanager
def _c_stdout_silenced():
    """Send file descriptor 1 to /dev/null while HiGHS runs: some HiGHS builds print debug lines
    from C straight to standard output, which would corrupt ``--json`` output."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


@dataclass
class Answer:
    """What the stages of one solve reached.

    Attributes
    ----------
    x
        Chosen options of the model (True per chosen option), None without an answer.
    floor
        Floor area added per floor-area column (m²).
    status
        As :func:`scipy.optimize.milp`: 0 optimal (within the gap), 1 time limit, 2 infeasible, …
    message
        HiGHS's message of the first block that did not solve to optimality (else of the last).
    values
        The value of each stage's criterion on the answer.
    mip_gap
        Relative gap of the first stage: (answer − proven bound) / answer, over all blocks.
    blocks
        Independent blocks solved (:func:`zoneplan.solve.reduce.components`).
    merged_parcels
        Parcels folded into a class of interchangeable parcels (:func:`zoneplan.solve.reduce.aggregate`).
    highs_s
        Seconds spent in HiGHS.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.solve import build_model
    >>> model = build_model(datasets.load("linqing"), years=[2035])
    >>> answer = lexicographic(model, [criteria(model)["area"], criteria(model)["years"]])  # least land-use change, then earliest
    >>> answer.status, round(answer.values[0], 1), answer.blocks, answer.mip_gap < DEFAULT_GAP
    (0, 734.5, 1, True)
    >>> answer.x.dtype, len(answer.x) == model.n_columns
    (dtype('bool'), True)
    """

    x: np.ndarray | None
    floor: np.ndarray | None
    status: int
    message: str
    values: list[float] = field(default_factory=list)
    mip_gap: float = 0.0
    blocks: int = 0
    merged_parcels: int = 0
    highs_s: float = 0.0


def _rounded(x: np.ndarray, integrality: np.ndarray) -> np.ndarray:
    """Integer columns rounded to whole numbers, continuous ones as solved."""
    return np.where(integrality > 0, np.rint(x), x)


def _solve_units(n_blocks: int, col_block: np.ndarray, *, only: np.ndarray | None = None) -> list[np.ndarray]:
    """Blocks grouped into solves: a block of at least :data:`_BLOCK_MIN_COLUMNS` columns on its
    own, the smaller ones together (one HiGHS call for thousands of one-parcel blocks); ``only``:
    these blocks alone."""
    size = np.bincount(col_block, minlength=n_blocks)
    if only is not None:
        size[np.setdiff1d(np.arange(n_blocks), only)] = 0
    big = np.flatnonzero(size >= _BLOCK_MIN_COLUMNS)
    small = np.flatnonzero((size > 0) & (size < _BLOCK_MIN_COLUMNS))
    return [np.array([b]) for b in big] + ([small] if len(small) else [])


def lexicographic(model: Model, stages: Sequence[np.ndarray], *, time_limit: float | None = None, gap: float = DEFAULT_GAP) -> Answer:
    """Solve the stages in turn, each with the earlier ones held within their gap of the optimum.

    Interchangeable parcels are merged first and the independent blocks of the merged model are
    solved one by one (:mod:`zoneplan.solve.reduce`); each stage's criterion is held per block.

    Parameters
    ----------
    model
        A built model.
    stages
        One criterion per stage (cost per option), the first the objective.
    time_limit
        Seconds per stage over all blocks (None: no limit).
    gap
        Relative MIP gap of the first stage (the others: at least :data:`TIE_BREAK_GAP`).

    Returns
    -------
    Answer

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.solve import build_model
    >>> model = build_model(datasets.load("linqing"), years=[2035])
    >>> answer = lexicographic(model, [criteria(model)["area"], criteria(model)["years"]])
    >>> answer.status, int(answer.x.sum()) == int(model.free.sum())
    (0, True)
    """
    reduced = aggregate(model, stages)
    n_blocks, row_block, col_block = components(reduced.A)
    deadline = None if time_limit is None else time.perf_counter() + float(time_limit) * len(stages)
    # rows no column reaches: constants, met or not whatever the answer
    empty = ~np.isin(row_block, col_block)
    if ((reduced.lb[empty] > 1e-9) | (reduced.ub[empty] < -1e-9)).any():
        return Answer(None, None, 2, "a target or quota no free parcel reaches is not met", blocks=n_blocks, merged_parcels=reduced.merged_parcels)
    y = np.zeros(reduced.A.shape[1])
    status, message, primal, bound, highs_s = 0, "", 0.0, 0.0, 0.0
    for unit in _solve_units(n_blocks, col_block):
        cols = np.flatnonzero(np.isin(col_block, unit))
        rows = np.flatnonzero(np.isin(row_block, unit))
        A = reduced.A[rows][:, cols]
        lb, ub = reduced.lb[rows], reduced.ub[rows]
        for k, stage in enumerate(reduced.costs):
            c = stage[cols]
            left = None if deadline is None else max(1.0, deadline - time.perf_counter())
            t0 = time.perf_counter()
            res = run_milp(
                c,
                model,
                A=A,
                lb=lb,
                ub=ub,
                lower=reduced.lower[cols],
                upper=reduced.upper[cols],
                integrality=reduced.integrality[cols],
                time_limit=left,
                gap=gap if k == 0 else max(gap, TIE_BREAK_GAP),
            )
            highs_s += time.perf_counter() - t0
            if res.x is None:
                return Answer(None, None, int(res.status), str(res.message), blocks=n_blocks, merged_parcels=reduced.merged_parcels, highs_s=highs_s)
            if res.status != 0 and status == 0:
                status, message = int(res.status), str(res.message)
            value = float(c @ _rounded(res.x, reduced.integrality[cols]))
            if k == 0:
                primal += value
                bound += float(getattr(res, "mip_dual_bound", value) or value)
            if k + 1 < len(reduced.costs):
                # the earlier criterion stays within the proven gap of its optimum
                A = sp.vstack([A, sp.csr_matrix(c.reshape(1, -1))], format="csr")
                lb = np.append(lb, -np.inf)
                ub = np.append(ub, value * (1 + gap) + 1e-7 * max(1.0, abs(value)))
        y[cols] = _rounded(res.x, reduced.integrality[cols])
        message = message or str(res.message)
    x, floor = reduced.expand(y)
    return Answer(
        x=x,
        floor=floor,
        status=status,
        message=message,
        values=[float(np.asarray(c) @ np.r_[x, floor]) for c in stages],
        mip_gap=(primal - bound) / abs(primal) if abs(primal) > 1e-9 else 0.0,
        blocks=n_blocks,
        merged_parcels=reduced.merged_parcels,
        highs_s=highs_s,
    )


def solve(
    plan: Plan,
    *,
    years: Sequence[int] | None = None,
    objective: str = "least-area",
    weights: Mapping[str, float] | None = None,
    pins: Iterable[str] = (),
    allow_built: Iterable[str] | bool = (),
    classes: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    schedule: bool | None = None,
    start_year: int | None = None,
    rules: Mapping[str, object] | Rules | None = None,
    max_far: float | Mapping[str, float] | None = None,
    name: str | None = None,
    time_limit: float | None = None,
    gap: float = DEFAULT_GAP,
    verify: bool = True,
) -> SolveResult:
    """The least change of a plan that meets its own targets, quotas and rules — as a scenario.

    Parameters
    ----------
    plan
        The plan; its ``targets`` (zone-level metrics of :data:`~zoneplan.solve.model.MODELLED_METRICS`),
        ``quotas`` and rules (:func:`zoneplan.compliance.resolve_rules`) are the constraints.
    years
        Solve for the targets of these years (default: every target year).
    objective
        ``"least-area"``, ``"least-parcels"``, ``"earliest"`` or ``"weighted"`` (with ``weights``).
    weights
        For ``"weighted"``: criterion → weight over ``area``, ``parcels``, ``years``, ``earliest``.
    pins
        Parcel ids that must stay exactly as they are.
    allow_built
        Built parcels that may change land use (ids, or True for all); built parcels stay otherwise.
    classes
        Codes a free parcel may take besides its own (one list for all parcels, or parcel id →
        codes); default the parcels' ``allowed_codes`` column, else the plan's most common
        industrial code that is not a pollution source.
    schedule
        Give every developed free parcel a supply year that counts against the quotas (default:
        when the plan has quotas from the first free year on).
    start_year
        First year a free parcel can be developed (default the year of ``plan.meta["as_of"]``).
    rules
        Compliance-rule overrides, as for :func:`zoneplan.compliance.check`.
    max_far
        Maximum plot ratio (one for every parcel, or parcel id → ratio): the parcels it covers may
        gain floor area up to ``max_far × area`` (and must reach the ``parcel_min_far`` rule), so
        ``composite_far`` and ``industrial_far`` targets can be met by densifying; floor area added
        counts in the objective as mu (m² / 666.67) next to the mu of land-use change. Default:
        floor area stays as it is.
    name
        Scenario name (default ``solve-<objective>-<years>``).
    time_limit, gap
        HiGHS time limit (seconds) per stage and relative MIP gap (default :data:`DEFAULT_GAP`;
        0 proves exact optimality).
    verify
        Apply the scenario and report the solved targets as :func:`zoneplan.analysis.target_status`
        computes them on the edited plan.

    Returns
    -------
    SolveResult

    Raises
    ------
    zoneplan.errors.InputError
        No targets for the years, unknown objective, pin or class, or a parcel with no allowed use.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> result = solve(datasets.load("linqing"), years=[2035])
    >>> result.status, result.changed_parcels, round(result.changed_area_mu, 1)
    ('optimal', 21, 734.5)
    >>> result.changes["change"].value_counts().to_dict()
    {'schedule': 227, 'landuse': 17, 'withdraw': 4}
    >>> bool(result.targets["met"].all()), result.size["blocks"]
    (True, 1)
    """
    t0 = time.perf_counter()
    if objective == "weighted":
        if not weights:
            raise InputError("objective 'weighted' needs weights, e.g. {'area': 1, 'years': 0.1}", rule="solve")
        unknown = sorted(set(weights) - set(_CRITERIA))
        if unknown:
            raise InputError(f"unknown weight(s) {unknown}; criteria are {list(_CRITERIA)}", rule="solve")
    elif objective not in OBJECTIVES:
        raise InputError(f"objective must be one of {', '.join(OBJECTIVES)} or weighted, not {objective!r}", rule="solve")
    model = build_model(
        plan,
        years=years,
        objective=objective,
        pins=pins,
        allow_built=allow_built,
        classes=classes,
        schedule=schedule,
        start_year=start_year,
        rules=rules,
        max_far=max_far,
    )
    cost = criteria(model)
    stage_weights = [dict(weights or {})] if objective == "weighted" else [dict.fromkeys(stage, 1.0) for stage in _STAGES[objective]]
    stages = [_weighted(cost, w) for w in stage_weights]
    res = lexicographic(model, stages, time_limit=time_limit, gap=gap)
    values = res.values
    label = "-".join(str(y) for y in model.years)
    name = name or f"solve-{objective}-{label}"
    size: dict[str, float] = {
        "parcels": len(plan.parcels),
        "free_parcels": int(model.free.sum()),
        "options": model.n_options,
        "rows": int(model.A.shape[0]),
        "nonzeros": int(model.A.nnz),
        "blocks": res.blocks,
        "merged_parcels": res.merged_parcels,
        "highs_s": round(res.highs_s, 3),
    }
    from zoneplan.solve.conflicts import diagnose

    if res.x is None:
        if res.status != 2:
            raise InputError(f"the solver stopped without an answer: {res.message}", rule="solve")
        return diagnose(model, objective=objective, name=name, t0=t0, size=size, time_limit=time_limit, verify=verify)
    size["mip_gap"] = res.mip_gap
    chosen = res.x
    changes = changes_of(model, chosen, res.floor)
    fixed_violations = with_base_conflicts(model, chosen)
    description = f"zoneplan solve ({objective}) for the targets of {', '.join(map(str, model.years))}: {int(changes['change'].isin(['landuse', 'withdraw']).sum())} parcel(s) change land use"
    scenario = scenario_of(model, changes, name=name, description=description)
    status = "optimal" if res.status == 0 else "time_limit"
    targets, schedule_table = _verified(model, scenario) if verify else (pd.DataFrame(), pd.DataFrame())
    return SolveResult.of(
        model,
        status=status,
        objective=objective,
        objective_value=values[0] if values else None,
        scenario=scenario,
        changes=changes,
        targets=targets,
        schedule=schedule_table,
        conflicts=pd.DataFrame(columns=CONFLICT_COLUMNS),
        fixed_violations=fixed_violations,
        seconds=time.perf_counter() - t0,
        size=size,
    )


def _verified(model: Model, scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The solved targets and the quota schedule on the edited plan, as the analyses compute them."""
    from zoneplan.analysis import land_consumption, target_status
    from zoneplan.compliance.quotas import quota_balance

    edited = applied(model.plan, scenario)
    status = target_status(edited)
    labels = model.rows[model.rows["kind"] == "target"][["scope", "metric", "year"]].drop_duplicates()
    status = status.merge(labels.astype({"year": "Int64"}), on=["scope", "metric", "year"], how="inner")
    quotas = model.plan.quotas
    schedule = quota_balance(land_consumption(edited, by="zone"), quotas) if not quotas.empty else pd.DataFrame()
    return status.reset_index(drop=True), schedule
