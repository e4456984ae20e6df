"""Applying scenarios: edits in order on a base plan, the plan validated after each edit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from zoneplan._memo import follows_data, memo
from zoneplan.errors import PlanError
from zoneplan.plan import Plan
from zoneplan.scenario.storage import SCENARIO_TABLE, scenarios_of

if TYPE_CHECKING:
    from zoneplan.scenario.scenarios import Scenario

__all__ = ["apply_scenario", "apply_scenarios"]


def _validated(plan: Plan) -> pd.DataFrame:
    """:func:`zoneplan.validate.validate` of ``plan``, once per plan content."""
    from zoneplan.validate import validate as validate_plan

    return memo(plan, "validation", lambda: validate_plan(plan))


def _problem_keys(problems: pd.DataFrame) -> pd.Series:
    if problems.empty:
        return pd.Series([], dtype=str)
    return problems["layer"].astype(str) + "\x1f" + problems["feature_id"].astype(str) + "\x1f" + problems["rule"].astype(str)


@follows_data
def apply_scenario(scenario: Scenario, plan: Plan, *, validate: bool = True) -> Plan:
    """:meth:`zoneplan.scenario.Scenario.apply`: the edits of ``scenario`` in order on ``plan``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.scenario import PhaseSchedule, Scenario
    >>> late = Scenario("phase3-late", [PhaseSchedule(phase_id="zhangdian-phase-3", shift_years=2)])
    >>> edited = apply_scenario(late, datasets.load("zhangdian"))
    >>> edited.phases[["start_year", "end_year"]].values.tolist()[-1]  # 2023–2027 moved two years on
    [2025, 2029]
    """
    before = set(_problem_keys(_validated(plan))) if validate else set()
    for number, edit in enumerate(scenario.edits, start=1):
        where = f"scenario {scenario.name!r}, edit {number} ({edit.kind})"
        try:
            plan = edit.apply(plan)
        except PlanError as exc:
            raise PlanError(f"{where}: {exc.message}", file=exc.file, layer=exc.layer, feature=exc.feature, rule=exc.rule) from None
        if not validate:
            continue
        problems = _validated(plan)
        keys = _problem_keys(problems)
        new = problems[~keys.isin(before).to_numpy()] if len(problems) else problems
        if len(new):
            first = new.iloc[0]
            detail = "; ".join(f"{r.layer} {r.feature_id}: {r.rule}: {r.message}" for r in new.head(5).itertuples())
            more = f" (+{len(new) - 5} more)" if len(new) > 5 else ""
            raise PlanError(
                f"{where} makes the plan invalid: {detail}{more}",
                layer=str(first["layer"]),
                feature=str(first["feature_id"]),
                rule=str(first["rule"]),
            )
        before = set(keys)
    return plan.with_meta(scenario=scenario.name)


@follows_data
def apply_scenarios(plan: Plan, names: Iterable[str] | None = None, *, progress: bool | None = None) -> dict[str, Plan]:
    """``{"base": plan, name: edited plan, …}`` for the named stored scenarios (all when None).

    Raises
    ------
    PlanError
        A name the plan does not store.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.scenario import PhaseSchedule, Scenario, with_scenario
    >>> plan = with_scenario(datasets.load("zhangdian"), Scenario("phase3-late", [PhaseSchedule(phase_id="zhangdian-phase-3", shift_years=2)]))
    >>> plans = apply_scenarios(plan)
    >>> list(plans), int(plans["phase3-late"].phases["end_year"].iloc[-1])
    (['base', 'phase3-late'], 2029)
    """
    from zoneplan.progress import track

    stored = scenarios_of(plan)
    names = list(stored) if names is None else list(names)
    unknown = [n for n in names if n not in stored and n != "base"]
    if unknown:
        raise PlanError(f"no scenario {unknown[0]!r}; stored: {sorted(stored)}", layer=SCENARIO_TABLE, feature=unknown[0], rule="scenario")
    out = {"base": plan}
    for name in track([n for n in names if n != "base"], description="applying scenarios", enabled=progress):
        out[name] = stored[name].apply(plan)
    return out
