"""Comparison of scenario plans: indicators, targets, findings and supply, side by side with the base."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from zoneplan._memo import follows_data
from zoneplan.compare.plot import plot_timeline
from zoneplan.compare.supply import DEFAULT_HORIZON_YEARS, supply_timeline
from zoneplan.errors import InputError
from zoneplan.jsonable import records
from zoneplan.measure import plan_area_basis
from zoneplan.plan import Plan
from zoneplan.progress import track

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.figure

    from zoneplan.analysis.grouping import Level
    from zoneplan.compliance import Findings

__all__ = ["FINDING_COLUMNS", "INDICATOR_COLUMNS", "VIOLATION_COLUMNS", "Comparison", "compare", "indicator_table"]

INDICATOR_COLUMNS = ["scenario", "level", "group_id", "year", "indicator", "value"]
FINDING_COLUMNS = ["scenario", "year", "rule", "count", "area_mu"]
VIOLATION_COLUMNS = ["scenario", "year", "rule", "layer", "feature_id", "measured", "limit", "unit", "area_mu", "message"]


def indicator_table(plan: Plan, *, year: int | None = None, by: Level = "zone", scenario: str = "base") -> pd.DataFrame:
    """One scenario's indicators in tidy form: ``scenario, level, group_id, year, indicator, value``.

    Parameters
    ----------
    plan
        The (scenario) plan.
    year
        Year judged (None: the plan as it stands).
    by
        Grouping level.
    scenario
        Name written into the ``scenario`` column.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> table = indicator_table(datasets.load("linqing"), by="district")
    >>> row = table[(table["group_id"] == "linqing-city") & (table["indicator"] == "land_development_rate")].iloc[0]
    >>> row["scenario"], round(float(row["value"]), 3)
    ('base', 0.771)
    """
    from zoneplan.analysis import indicators

    wide = indicators(plan, year=year, by=by)
    wide = wide.reset_index() if "group_id" not in wide.columns else wide.reset_index(drop=True)
    if "group_id" not in wide.columns:
        wide = wide.rename(columns={wide.columns[0]: "group_id"})
    if "level" not in wide.columns:
        wide["level"] = by
    values = [
        c
        for c in wide.columns
        if c not in ("level", "group_id", "year", "scenario") and pd.api.types.is_numeric_dtype(wide[c]) and not pd.api.types.is_bool_dtype(wide[c])
    ]
    tidy = wide.melt(id_vars=["level", "group_id"], value_vars=values, var_name="indicator", value_name="value")
    tidy["value"] = pd.to_numeric(tidy["value"], errors="coerce").astype("float64")
    tidy.insert(0, "scenario", scenario)
    tidy.insert(3, "year", pd.array([year] * len(tidy), dtype="Int64"))
    tidy["group_id"] = tidy["group_id"].astype("string")
    return tidy[INDICATOR_COLUMNS]


def _differences(tidy: pd.DataFrame) -> pd.DataFrame:
    keys = ["level", "group_id", "year", "indicator"]
    base = tidy[tidy["scenario"] == "base"][[*keys, "value"]].rename(columns={"value": "base_value"})
    out = tidy.merge(base, on=keys, how="left")
    out["difference"] = out["value"] - out["base_value"]
    return out[[*INDICATOR_COLUMNS, "base_value", "difference"]]


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare` (tables described in the module docstring).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.scenario import ChangeLanduse, Scenario
    >>> plan = datasets.load("linqing")
    >>> logistics = Scenario("textiles-to-logistics", [ChangeLanduse(where={"park_id": "textiles"}, from_codes=["1001"], landuse_code="1101")])
    >>> result = compare({"base": plan, logistics.name: logistics.apply(plan)}, years=[2025], by="district", check=False)
    >>> result.scenarios, result.years, result.by, result.area_basis
    (('base', 'textiles-to-logistics'), (2025,), 'district', 'planar')
    >>> changed = result.differences[result.differences["difference"].abs() > 1e-9]
    >>> changed[["scenario", "group_id", "indicator"]].to_numpy().tolist(), changed["difference"].round(3).tolist()
    ([['textiles-to-logistics', 'linqing-city', 'industrial_share']], [-0.121])
    >>> list(result.tables())[:3]
    ['indicators', 'differences', 'targets']
    """

    indicators: pd.DataFrame
    differences: pd.DataFrame
    targets: pd.DataFrame
    findings: pd.DataFrame
    violations: pd.DataFrame
    compliant: pd.DataFrame
    consumption: pd.DataFrame
    consumption_differences: pd.DataFrame
    timeline: pd.DataFrame
    exhaustion: pd.DataFrame
    scenarios: tuple[str, ...]
    years: tuple[int | None, ...]
    by: Level
    notes: Mapping[str, str] = field(default_factory=dict)
    #: The :class:`zoneplan.compliance.Findings` of each (scenario, year) checked, with their
    #: conflict geometry (what the report's compliance map draws, so check runs once).
    checks: Mapping[tuple[str, int | None], Findings] = field(default_factory=dict)
    #: The area basis of every area (the base plan's, :func:`zoneplan.measure.plan_area_basis`).
    area_basis: str = "planar"

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name (the sheets of the workbook, the keys of :meth:`to_json`)."""
        return {
            "indicators": self.indicators,
            "differences": self.differences,
            "targets": self.targets,
            "findings": self.findings,
            "violations": self.violations,
            "compliant": self.compliant,
            "consumption": self.consumption,
            "consumption_differences": self.consumption_differences,
            "timeline": self.timeline,
            "exhaustion": self.exhaustion,
        }

    def to_json(self) -> dict[str, Any]:
        """``{"scenarios", "years", "by", "area_basis", "notes", <table>: [records]}`` (the ``--json`` form)."""
        out: dict[str, Any] = {
            "scenarios": list(self.scenarios),
            "years": list(self.years),
            "by": self.by,
            "area_basis": self.area_basis,
            "notes": dict(self.notes),
        }
        for name, table in self.tables().items():
            out[name] = records(table)
        return out

    def plot(self, *, title: str | None = None) -> matplotlib.figure.Figure:
        """:func:`plot_timeline` of this comparison."""
        return plot_timeline(self.timeline, exhaustion=self.exhaustion, title=title)


@follows_data
def compare(
    plans: Mapping[str, Plan],
    *,
    years: Sequence[int | None] | None = None,
    by: Level = "zone",
    start_year: int | None = None,
    check: bool = True,
    progress: bool | None = None,
) -> Comparison:
    """Run analysis and compliance on every scenario plan and compare them with the base.

    Parameters
    ----------
    plans
        Scenario name → plan; must include ``"base"`` (see
        :func:`zoneplan.scenario.apply_scenarios`).
    years
        Years to judge (``None`` in the list: the plan as it stands). Default ``[None]``.
    by
        Grouping level of the indicators and the timeline.
    start_year
        Last year of actual history for :func:`supply_timeline`.
    check
        Also run :func:`zoneplan.compliance.check` (rules resolved from each scenario plan: its
        targets and the overrides its edits stored).
    progress
        Progress bar (None: on a terminal only; False: never, e.g. with ``--json``).

    Returns
    -------
    Comparison

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.scenario import PhaseSchedule, Scenario
    >>> base = datasets.load("zhangdian")
    >>> late = Scenario("phase3-late", [PhaseSchedule(phase_id="zhangdian-phase-3", shift_years=2)]).apply(base)
    >>> result = compare({"base": base, "phase3-late": late}, by="phase", check=False)
    >>> result.scenarios, result.by
    (('base', 'phase3-late'), 'phase')
    """
    if "base" not in plans:
        raise InputError("compare needs the unedited plan under the name 'base'", rule="scenario")
    years_list: list[int | None] = list(years) if years else [None]
    steps = [(name, year) for name in plans for year in years_list]
    tidy, targets, findings, violations, compliant = [], [], [], [], []
    checks: dict[tuple[str, int | None], Findings] = {}
    for name, year in track(steps, description="comparing scenarios", enabled=progress):
        plan = plans[name]
        tidy.append(indicator_table(plan, year=year, by=by, scenario=name))
        targets.append(_targets(plan, year=year, scenario=name))
        if check:
            checks[(name, year)] = result = _check(plan, year=year)
            found, detail, ok = _findings(result, year=year, scenario=name)
            findings.append(found)
            violations.append(detail)
            compliant.append(ok)
    timelines, exhaustions, consumption = [], [], []
    for name in plans:
        consumption.append(_consumption(plans[name], by=by, scenario=name))
        t, e = supply_timeline(plans[name], by=by, start_year=start_year, scenario=name)
        timelines.append(t)
        exhaustions.append(e)
    indicators = pd.concat(tidy, ignore_index=True)
    basis = plan_area_basis(plans["base"])
    notes = {
        "differences": "difference = scenario value − base value, same group, year and indicator",
        "timeline": "after the start year each year supplies max(scheduled supply, annual rate) until nothing is left",
        "exhaustion": f"exhaustion_year is empty when the land lasts beyond start_year + {DEFAULT_HORIZON_YEARS} years",
        "units": f"areas in mu (1 mu = 10000/15 m²) on the {basis} basis; rates as fractions; money per mu in 万元/亩",
    }
    all_consumption = pd.concat(consumption, ignore_index=True)
    if all_consumption.empty:
        notes["years"] = (
            "no parcel carries supplied_year or built_year (a snapshot plan): land consumption, the supply timeline, "
            "years of supply left, quotas and phase schedules need them and are left empty; the indicators and checks "
            "judge the plan as it stands"
        )
    return Comparison(
        indicators=indicators,
        differences=_differences(indicators),
        targets=pd.concat(targets, ignore_index=True),
        findings=pd.concat(findings, ignore_index=True) if findings else pd.DataFrame(columns=FINDING_COLUMNS),
        violations=pd.concat(violations, ignore_index=True) if violations else pd.DataFrame(columns=VIOLATION_COLUMNS),
        compliant=pd.DataFrame(compliant, columns=["scenario", "year", "compliant", "violations", "cannot_judge"]).astype({"year": "Int64"}),
        consumption=all_consumption,
        consumption_differences=_consumption_differences(all_consumption),
        timeline=pd.concat(timelines, ignore_index=True),
        exhaustion=pd.concat(exhaustions, ignore_index=True),
        scenarios=tuple(plans),
        years=tuple(years_list),
        by=by,
        notes=notes,
        checks=checks,
        area_basis=basis,
    )


def _consumption(plan: Plan, *, by: Level, scenario: str) -> pd.DataFrame:
    from zoneplan.analysis.consumption import land_consumption

    table = land_consumption(plan, by=by)[["level", "group_id", "year", "new_construction_mu", "cumulative_mu", "from_agricultural_mu", "from_unused_mu"]]
    return table.assign(scenario=scenario)[["scenario", *table.columns]]


def _consumption_differences(consumption: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, group and year: new construction land minus the base's (0 where equal)."""
    columns = ["scenario", "level", "group_id", "year", "base_mu", "scenario_mu", "difference_mu"]
    if consumption.empty:  # a snapshot plan: no parcel says when it was supplied
        return pd.DataFrame({c: pd.Series(dtype="float64" if c.endswith("_mu") else "Int64" if c == "year" else "string") for c in columns})
    grid = consumption.pivot_table(
        index=["level", "group_id", "year"], columns="scenario", values="new_construction_mu", aggfunc="sum", fill_value=0.0, sort=True
    )
    base = grid["base"]
    diff = grid.sub(base, axis=0).drop(columns="base")
    out = diff.stack().rename("difference_mu").reset_index()
    out["base_mu"] = base.reindex(pd.MultiIndex.from_frame(out[["level", "group_id", "year"]])).to_numpy()
    out["scenario_mu"] = out["base_mu"] + out["difference_mu"]
    return out[columns].sort_values(["scenario", "level", "group_id", "year"]).reset_index(drop=True)


def _targets(plan: Plan, *, year: int | None, scenario: str) -> pd.DataFrame:
    from zoneplan.analysis import target_status

    status = target_status(plan, year=year).reset_index(drop=True)
    status.insert(0, "scenario", scenario)
    status.insert(1, "judged_year", pd.array([year] * len(status), dtype="Int64"))
    return status


def _check(plan: Plan, *, year: int | None) -> Findings:
    from zoneplan.compliance import check

    return check(plan, year=year)


def _findings(result: Findings, *, year: int | None, scenario: str) -> tuple[pd.DataFrame, pd.DataFrame, tuple[Any, ...]]:
    summary = result.summary.reset_index()
    if "rule" not in summary.columns:
        summary = summary.rename(columns={summary.columns[0]: "rule"})
    summary = summary[["rule", "count", "area_mu"]].copy()
    summary.insert(0, "scenario", scenario)
    summary.insert(1, "year", pd.array([year] * len(summary), dtype="Int64"))
    detail = pd.DataFrame(result.violations.drop(columns="geometry", errors="ignore")).reindex(columns=VIOLATION_COLUMNS[2:])
    detail.insert(0, "scenario", scenario)
    detail.insert(1, "year", pd.array([year] * len(detail), dtype="Int64"))
    return summary[FINDING_COLUMNS], detail, (scenario, year, bool(result.compliant), len(result.violations), len(result.cannot_judge))
