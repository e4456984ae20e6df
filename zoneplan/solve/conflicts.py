"""Why a plan cannot meet its targets: the smallest relaxation, and what blocks the rest.

When the model is infeasible, every target and quota row gets an **elastic** slack (m² of land:
area targets in m², ratio targets in m² of the denominator's land at the target ratio,
investment and tax per mu in m² of industrial land at the target intensity, quotas in m²) and a
second MILP minimises the total slack in mu, all other rows — one option per parcel, control
lines, adjacency, locks and pins — held hard. The rows left with slack are the **relaxed** conflicts,
each reported with the value the least-relaxed plan reaches and the shortfall (in the metric's
unit and in mu); the targets and quotas that hold but whose removal would shrink the relaxation
are the **competing** side (``role``), with how much they cost (``reduces_by_mu``). Among the least-relaxed answers the one with
the least change (the solve's objective) is kept, so its scenario can be reviewed like any other.

The hard rules that make the conflict worse are found by lifting one family at a time and
solving the elastic model again (:attr:`~zoneplan.solve.result.SolveResult.binding`): control
lines (``ecological_redline_overlap``, ``basic_farmland_overlap``,
``outside_urban_development_boundary``) and ``env_adjacency``. A family whose lifting shrinks
the relaxation is part of the conflict, by that many mu.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from zoneplan.errors import InputError
from zoneplan.solve.model import Model
from zoneplan.solve.reduce import components
from zoneplan.solve.result import SolveResult, changes_of, scenario_of, with_base_conflicts
from zoneplan.units import M2_PER_MU

__all__ = ["CONFLICT_COLUMNS", "diagnose"]

#: Columns of :attr:`~zoneplan.solve.result.SolveResult.conflicts`.
CONFLICT_COLUMNS = ["role", "kind", "label", "scope", "metric", "year", "op", "target", "reached", "shortfall", "unit", "relaxation_mu", "reduces_by_mu"]
_MAX_COMPETING = 40  # targets and quotas tried as the other side of a conflict
_SOFT = ("target", "quota")
_TINY_M2 = 1e-3  # slack below a thousandth of a square metre is solver noise


def _elastic(model: Model) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows with one slack column per finite soft bound; returns A, lb, ub, slack rows, slack signs."""
    soft = model.rows["kind"].isin(_SOFT).to_numpy()
    rows, signs = [], []
    for r in np.flatnonzero(soft):
        if np.isfinite(model.lb[r]):
            rows.append(r)
            signs.append(1.0)
        if np.isfinite(model.ub[r]):
            rows.append(r)
            signs.append(-1.0)
    rows_a, signs_a = np.asarray(rows, dtype=np.int64), np.asarray(signs)
    S = sp.csr_matrix((signs_a, (rows_a, np.arange(len(rows_a)))), shape=(model.A.shape[0], len(rows_a)))
    return sp.hstack([model.A, S], format="csr"), model.lb, model.ub, rows_a, signs_a


def _solve_elastic(
    model: Model,
    A: sp.csr_matrix,
    upper: np.ndarray,
    slack_mu: np.ndarray,
    second: np.ndarray | None,
    time_limit: float | None,
    blocks: tuple[int, np.ndarray, np.ndarray],
    only: np.ndarray | None = None,
) -> tuple[np.ndarray | None, np.ndarray]:
    """Least total slack (mu); with ``second``, the least ``second`` among those answers.

    The elastic model is solved block by block (``blocks``: :func:`zoneplan.solve.reduce.components`
    of ``A``; ``only``: these blocks alone). Returns the answer (None when the hard rules cannot
    hold) and the slack of each block (mu; 0 for blocks not solved).
    """
    from zoneplan.solve.solver import _solve_units, run_milp

    n_slack = len(slack_mu)
    c = np.r_[np.zeros(model.n_columns), slack_mu]
    cost2 = None if second is None else np.r_[second, np.zeros(n_slack)]
    integrality = np.r_[model.integrality, np.zeros(n_slack)]
    lb_cols = np.r_[model.column_lower, np.zeros(n_slack)]
    ub_cols = np.r_[upper, np.full(n_slack, np.inf)]
    n_blocks, row_block, col_block = blocks
    x = np.zeros(A.shape[1])
    per = np.zeros(n_blocks)
    empty = ~np.isin(row_block, col_block)
    if ((model.lb[empty] > 1e-9) | (model.ub[empty] < -1e-9)).any():
        return None, per
    for unit in _solve_units(n_blocks, col_block, only=only):
        cols = np.flatnonzero(np.isin(col_block, unit))
        rows = np.flatnonzero(np.isin(row_block, unit))
        sub, lb, ub = A[rows][:, cols], model.lb[rows], model.ub[rows]
        res = run_milp(c[cols], model, A=sub, lb=lb, ub=ub, lower=lb_cols[cols], upper=ub_cols[cols], integrality=integrality[cols], time_limit=time_limit)
        if res.x is None:
            return None, per
        total = float(c[cols] @ res.x)
        if cost2 is not None:
            res2 = run_milp(
                cost2[cols],
                model,
                A=sp.vstack([sub, sp.csr_matrix(c[cols].reshape(1, -1))], format="csr"),
                lb=np.append(lb, -np.inf),
                ub=np.append(ub, total + 1e-6 * max(1.0, total)),
                lower=lb_cols[cols],
                upper=ub_cols[cols],
                integrality=integrality[cols],
                time_limit=time_limit,
            )
            res = res2 if res2.x is not None else res
        x[cols] = res.x
        per += np.bincount(col_block[cols], weights=c[cols] * res.x, minlength=n_blocks)
    return x, per


def diagnose(model: Model, *, objective: str, name: str, t0: float, size: dict[str, float], time_limit: float | None, verify: bool) -> SolveResult:
    """The :class:`SolveResult` of an infeasible model: conflicts, their relaxation and the hard rules binding.

    Parameters
    ----------
    model
        A model no choice of options satisfies.
    objective
        The solve's objective: the least-relaxed answers are ranked by its first criterion.
    name
        Scenario name (the least-relaxed plan is saved as ``<name>-relaxed``).
    t0
        :func:`time.perf_counter` at the start of the solve (for ``seconds``).
    size
        The model's size figures, reported as they are.
    time_limit
        HiGHS time limit per solve, seconds.
    verify
        Apply the least-relaxed scenario and report what it reaches.

    Returns
    -------
    SolveResult
        ``status`` ``"infeasible"``, with :attr:`~SolveResult.conflicts` and :attr:`~SolveResult.binding`.

    Examples
    --------
    >>> import time
    >>> from zoneplan import datasets
    >>> from zoneplan.solve import build_model
    >>> model = build_model(datasets.load("linqing"), years=[2025])
    >>> result = diagnose(model, objective="least-area", name="meet-2025", t0=time.perf_counter(), size={}, time_limit=None, verify=True)
    >>> result.status, result.scenario.name
    ('infeasible', 'meet-2025-relaxed')
    >>> result.conflicts.loc[result.conflicts["role"] == "relaxed", ["label", "relaxation_mu"]].round(1).to_dict("records")[0]
    {'label': 'quota linqing 2025 ≤ 100 mu', 'relaxation_mu': 433.0}
    """
    from zoneplan.solve.solver import _STAGES, _weighted, criteria

    A, _, _, slack_rows, _signs = _elastic(model)
    slack_mu = model.rows["m2_per_unit"].to_numpy(dtype=float)[slack_rows] / M2_PER_MU
    upper = model.column_upper
    cost = criteria(model)
    second = _weighted(cost, dict.fromkeys(_STAGES.get(objective, (("area",),))[0], 1.0))
    blocks = components(A)
    x, per = _solve_elastic(model, A, upper, slack_mu, second, time_limit, blocks)
    if x is None:
        raise InputError("the hard rules alone (one use per parcel, control lines, adjacency, pins) cannot all hold", rule="solve")
    n_opt, n_cols = model.n_options, model.n_columns
    chosen = np.round(x[:n_opt]) > 0.5
    slack = x[n_cols:] * model.rows["m2_per_unit"].to_numpy(dtype=float)[slack_rows]  # m²
    changes = changes_of(model, chosen, x[n_opt:n_cols])
    fixed_violations = with_base_conflicts(model, chosen)
    scenario = scenario_of(
        model,
        changes,
        name=f"{name}-relaxed",
        description=f"zoneplan solve ({objective}): the least-relaxed plan — targets and quotas it cannot meet are listed as conflicts",
    )
    reached_t, schedule = _reached(model, scenario) if verify else (pd.DataFrame(), pd.DataFrame())
    conflicts = []
    meta = model.rows
    by_row: dict[int, float] = {}
    for r, s in zip(slack_rows, slack):
        if s > _TINY_M2:
            by_row[int(r)] = by_row.get(int(r), 0.0) + float(s)
    seen: dict[str, dict[str, Any]] = {}
    for r, s in by_row.items():
        m = meta.iloc[r]
        label = str(m["label"])
        entry = seen.get(label)
        if entry is None:
            entry = {k: m.get(k) for k in ("kind", "label", "scope", "metric", "year", "op")}
            entry["target"] = float(m["value"])
            entry["relaxation_mu"] = 0.0
            entry["reached"], entry["unit"], entry["reached_met"] = _reached_value(m, reached_t, schedule)
            seen[label] = entry
        entry["relaxation_mu"] = float(entry["relaxation_mu"]) + s / M2_PER_MU
    for entry in seen.values():
        reached = entry.pop("reached_met")
        if reached is True:  # within the plan's own tolerance: the analyses call it met
            continue
        value = entry["reached"]
        entry["shortfall"] = abs(float(entry["target"]) - float(value)) if value is not None and not pd.isna(value) else math.nan
        entry["role"] = "relaxed"
        conflicts.append(entry)
    relaxing = np.flatnonzero(per > _TINY_M2 / M2_PER_MU)  # blocks with slack: nothing else can shrink it
    conflicts += _competing(model, A, upper, slack_mu, per, {str(meta.iloc[r]["label"]) for r in by_row}, time_limit, blocks, relaxing)
    table = pd.DataFrame(conflicts, columns=CONFLICT_COLUMNS).sort_values(["role", "relaxation_mu"], ascending=[False, False], ignore_index=True)
    table["year"] = pd.to_numeric(table["year"]).astype("Int64")
    binding = _binding(model, A, upper, slack_mu, per, time_limit, blocks, relaxing)
    return SolveResult.of(
        model,
        status="infeasible",
        objective=objective,
        objective_value=None,
        scenario=scenario,
        changes=changes,
        targets=reached_t,
        schedule=schedule,
        conflicts=table,
        fixed_violations=fixed_violations,
        seconds=time.perf_counter() - t0,
        size=size,
        binding=binding,
    )


def _reached(model: Model, scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    from zoneplan.solve.solver import _verified

    return _verified(model, scenario)


def _reached_value(m: pd.Series, targets: pd.DataFrame, schedule: pd.DataFrame) -> tuple[float | None, str | None, bool | None]:
    """Value the least-relaxed plan reaches for a row, its unit and whether the analyses call it met."""
    if m["kind"] == "quota":
        if schedule.empty:
            return None, "mu", None
        hit = schedule[(schedule["zone_id"] == m["scope"]) & (schedule["year"] == int(m["year"]))]
        return (float(hit["used_mu"].iloc[0]) if len(hit) else 0.0), "mu", bool(len(hit) and hit["status"].iloc[0] != "exceeded")
    if targets.empty:
        return None, None, None
    hit = targets[(targets["scope"] == m["scope"]) & (targets["metric"] == m["metric"]) & (targets["year"] == int(m["year"]))]
    if not len(hit):
        return None, None, None
    met = hit["met"].iloc[0]
    return float(hit["actual"].iloc[0]), hit["unit"].iloc[0], None if met is None or pd.isna(met) else bool(met)


def _shrinks(without: float, total: float) -> bool:
    """Whether a relaxation of ``without`` mu is less than ``total`` by more than the gap the
    elastic solves are proven within (a smaller difference is the solver's, not the plan's)."""
    from zoneplan.solve.solver import DEFAULT_GAP

    return without < total - DEFAULT_GAP * abs(total) - 1e-6


def _competing(
    model: Model,
    A: sp.csr_matrix,
    upper: np.ndarray,
    slack_mu: np.ndarray,
    per: np.ndarray,
    relaxed: set[str],
    time_limit: float | None,
    blocks: tuple[int, np.ndarray, np.ndarray],
    relaxing: np.ndarray,
) -> list[dict[str, object]]:
    """Targets and quotas met in the least-relaxed plan whose removal would shrink the relaxation:
    the other side of each conflict. Only rows of blocks with slack can (``relaxing``); lifting
    one is solved on its blocks alone."""
    rows = model.rows
    row_block = blocks[1]
    out = []
    soft = rows["kind"].isin(_SOFT).to_numpy() & np.isin(row_block, relaxing)
    labels = [lab for lab in dict.fromkeys(rows.loc[soft, "label"].astype(str)) if lab not in relaxed]
    for label in labels[:_MAX_COMPETING]:
        mask = (rows["label"].astype(str) == label).to_numpy()
        mine = np.unique(row_block[mask])
        x, lifted = _solve_elastic(_lifted(model, mask), A, upper, slack_mu, None, time_limit, blocks, only=mine)
        total, without = float(per[mine].sum()), float(lifted.sum())
        if x is not None and _shrinks(without, total):
            m = rows[mask].iloc[0]
            out.append(
                {
                    **{k: m.get(k) for k in ("kind", "label", "scope", "metric", "year", "op")},
                    "target": float(m["value"]),
                    "reached": None,
                    "shortfall": None,
                    "unit": None,
                    "relaxation_mu": 0.0,
                    "role": "competing",
                    "reduces_by_mu": total - without,
                }
            )
    return out


def _binding(
    model: Model,
    A: sp.csr_matrix,
    upper: np.ndarray,
    slack_mu: np.ndarray,
    per: np.ndarray,
    time_limit: float | None,
    blocks: tuple[int, np.ndarray, np.ndarray],
    relaxing: np.ndarray,
) -> pd.DataFrame:
    """Hard-rule families whose lifting shrinks the least relaxation, and by how much (mu); only
    the blocks with slack (``relaxing``) are solved again."""
    total = float(per.sum())
    by = model.options["forbidden_by"]
    out = []
    families = [f for f in dict.fromkeys(by.dropna()) if f]
    adjacency_rows = np.flatnonzero((model.rows["kind"] == "adjacency").to_numpy())
    if len(adjacency_rows) and "env_adjacency" not in families:
        families.append("env_adjacency")
    for family in families:
        lifted = upper.copy()
        lifted[np.flatnonzero((by == family).to_numpy())] = 1.0  # option columns come first
        rows = np.zeros(A.shape[0], dtype=bool)
        if family == "env_adjacency":
            rows[adjacency_rows] = True
        x, again = _solve_elastic(_lifted(model, rows), A, lifted, slack_mu, None, time_limit, blocks, only=relaxing)
        without = total - float(per[relaxing].sum()) + float(again.sum())
        if x is not None and _shrinks(without, total):
            out.append({"rule": family, "relaxation_mu": total, "relaxation_mu_without": without, "reduces_by_mu": total - without})
    return pd.DataFrame(out, columns=["rule", "relaxation_mu", "relaxation_mu_without", "reduces_by_mu"])


def _lifted(model: Model, rows: np.ndarray) -> Model:
    """The model with the bounds of ``rows`` (a mask) lifted; rows and columns stay in place."""
    from dataclasses import replace

    return replace(model, lb=np.where(rows, -np.inf, model.lb), ub=np.where(rows, np.inf, model.ub))
