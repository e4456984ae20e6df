"""Scenarios stored in a plan: the ``scenarios`` attribute table of its GeoPackage, one row per edit."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from zoneplan.errors import PlanError
from zoneplan.plan import Plan
from zoneplan.scenario.edits import edit_from_dict
from zoneplan.scenario.scenarios import Scenario

__all__ = ["SCENARIO_TABLE", "save_scenario", "scenarios_of", "with_scenario", "without_scenario"]

#: Attribute table of the plan GeoPackage that stores scenarios, one row per edit.
SCENARIO_TABLE = "scenarios"


def scenarios_of(plan: Plan) -> dict[str, Scenario]:
    """The scenarios stored in a plan's ``scenarios`` table, by name, edits in order.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.scenario import PhaseSchedule, Scenario
    >>> late = Scenario("phase3-late", [PhaseSchedule(phase_id="zhangdian-phase-3", shift_years=2)])
    >>> scenarios_of(datasets.load("zhangdian")), scenarios_of(with_scenario(datasets.load("zhangdian"), late))["phase3-late"] == late
    ({}, True)
    """
    table = plan.tables.get(SCENARIO_TABLE)
    if table is None or table.empty:
        return {}
    table = table.sort_values(["name", "edit_order"], kind="stable")
    out = {}
    for name, rows in table.groupby("name", sort=False):
        edits = tuple(edit_from_dict(json.loads(text)) for text in rows["edit"])
        description = rows["description"].dropna()
        out[str(name)] = Scenario(str(name), edits, str(description.iloc[0]) if len(description) else "")
    return dict(sorted(out.items()))


def with_scenario(plan: Plan, scenario: Scenario, *, replace: bool = False, validate: bool = True) -> Plan:
    """``plan`` with ``scenario`` stored in its ``scenarios`` table (applied once to check it).

    Raises
    ------
    PlanError
        A scenario of that name exists (and ``replace`` is False), or the scenario does not apply.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.scenario import PhaseSchedule, Scenario
    >>> plan = with_scenario(datasets.load("zhangdian"), Scenario("phase3-late", [PhaseSchedule(phase_id="zhangdian-phase-3", shift_years=2)]))
    >>> list(scenarios_of(plan)), len(plan.table("scenarios"))
    (['phase3-late'], 1)
    """
    existing = plan.tables.get(SCENARIO_TABLE, pd.DataFrame(columns=["name", "edit_order", "kind", "edit", "description"]))
    if scenario.name in set(existing["name"].astype(str)) and not replace:
        raise PlanError(
            f"scenario {scenario.name!r} already exists (use --replace or replace=True)", layer=SCENARIO_TABLE, feature=scenario.name, rule="scenario"
        )
    if validate:
        scenario.apply(plan)
    kept = existing[existing["name"].astype(str) != scenario.name]
    table = pd.concat([kept, scenario.to_rows()], ignore_index=True) if len(kept) else scenario.to_rows()
    return plan.with_table(SCENARIO_TABLE, table)


def without_scenario(plan: Plan, name: str) -> Plan:
    """``plan`` without the stored scenario ``name`` (PlanError if it has none of that name).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.scenario import PhaseSchedule, Scenario
    >>> plan = with_scenario(datasets.load("zhangdian"), Scenario("phase3-late", [PhaseSchedule(phase_id="zhangdian-phase-3", shift_years=2)]))
    >>> scenarios_of(without_scenario(plan, "phase3-late"))
    {}
    """
    table = plan.tables.get(SCENARIO_TABLE)
    if table is None or name not in set(table["name"].astype(str)):
        raise PlanError(f"no scenario {name!r}; stored: {sorted(scenarios_of(plan))}", layer=SCENARIO_TABLE, feature=name, rule="scenario")
    return plan.with_table(SCENARIO_TABLE, table[table["name"].astype(str) != name].reset_index(drop=True))


def save_scenario(path: str | Path, scenario: Scenario, *, replace: bool = False) -> Plan:
    """Store ``scenario`` in the plan GeoPackage at ``path`` (atomic write); return the plan.

    Examples
    --------
    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> from zoneplan import datasets
    >>> from zoneplan.plan import Plan
    >>> from zoneplan.scenario import PhaseSchedule, Scenario
    >>> path = Path(tempfile.mkdtemp()) / "zhangdian.gpkg"
    >>> _ = shutil.copy(datasets.get_path("zhangdian"), path)
    >>> _ = save_scenario(path, Scenario("phase3-late", [PhaseSchedule(phase_id="zhangdian-phase-3", shift_years=2)]))
    >>> list(scenarios_of(Plan.read(path)))
    ['phase3-late']
    """
    from zoneplan.io import locked

    with locked(path):
        plan = with_scenario(Plan.read(path), scenario, replace=replace)
        plan.write(path)
    return plan
