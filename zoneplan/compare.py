"""Compare scenarios: one tidy table of indicators, differences from the base, land until exhaustion.

:func:`compare` runs the analysis (:func:`zoneplan.analysis.indicators`,
:func:`~zoneplan.analysis.target_status`) and the compliance check
(:func:`zoneplan.compliance.check`) on every scenario plan and returns a :class:`Comparison`:

* ``indicators`` — tidy: ``scenario, level, group_id, year, indicator, value``;
* ``differences`` — the same rows with ``base_value`` and ``difference`` (scenario − base);
* ``targets`` — every target per scenario and year: ``target, actual, met, gap``;
* ``findings`` — compliance findings per scenario, year and rule: ``count, area_mu``;
* ``consumption`` — construction land newly supplied per scenario, group and year
  (:func:`zoneplan.analysis.consumption.land_consumption`), and ``consumption_differences``;
* ``timeline`` / ``exhaustion`` — :func:`supply_timeline` per scenario.

Land until exhaustion (:func:`supply_timeline`)
------------------------------------------------
Per group (zone, district, park or phase) and year:

* up to ``start_year`` the **actual** new construction land of
  :func:`zoneplan.analysis.consumption.land_consumption`;
* after it, each year supplies ``max(scheduled, rate)`` mu, never more than what is left:
  *scheduled* is land the plan gives a future ``supplied_year``; *rate* is the annual supply rate
  set by a :class:`zoneplan.scenario.SupplyRate` edit (scope = the group id, else ``*``), else
  the rate :func:`zoneplan.analysis.remaining.remaining_land` assumes for its years of supply left
  (``annual_supply_mu``: the mean annual supply of the last three years). A rate of zero and no schedule never exhausts the land.
* ``remaining_mu`` starts from ``remaining_suppliable_mu`` of :func:`remaining_land` (the plan as
  it stands, i.e. at ``start_year``); years before it add back what was supplied since.
* the **exhaustion year** is the first year in which nothing is left (``<NA>`` when land lasts
  beyond the horizon).

Examples
--------
What if Linqing's textile park turns to logistics? The city block's 2025 industrial share falls
by 12 percentage points:

>>> from zoneplan import datasets
>>> from zoneplan.scenario import ChangeLanduse, Scenario
>>> plan = datasets.load("linqing")
>>> logistics = Scenario("textiles-to-logistics", [ChangeLanduse(where={"park_id": "textiles"},
...     landuse_code="110101", from_codes=("100101", "100102", "100103"))])
>>> comparison = compare({"base": plan, logistics.name: logistics.apply(plan)}, years=[2025], by="district", check=False)
>>> d = comparison.differences.query("indicator == 'industrial_share' and scenario != 'base'")
>>> d[["group_id", "base_value", "value", "difference"]].round(3).to_string(index=False).splitlines()
['       group_id  base_value  value  difference', '   linqing-city       0.356  0.234      -0.121', 'linqing-yandian       0.176  0.176       0.000']
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zoneplan._memo import follows_data
from zoneplan.errors import InputError
from zoneplan.jsonable import records
from zoneplan.plan import Plan
from zoneplan.progress import track
from zoneplan.settings import settings
from zoneplan.scenario import rules_of, supply_rates_of

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.figure

__all__ = [
    "Comparison",
    "compare",
    "supply_timeline",
    "exhaustion_years",
    "plot_timeline",
    "use_cjk_font",
    "indicator_table",
    "records",
    "TIMELINE_COLUMNS",
    "EXHAUSTION_COLUMNS",
    "INDICATOR_COLUMNS",
    "DEFAULT_HORIZON_YEARS",
]

INDICATOR_COLUMNS = ["scenario", "level", "group_id", "year", "indicator", "value"]
TIMELINE_COLUMNS = ["scenario", "level", "group_id", "year", "kind", "new_construction_mu", "cumulative_mu", "remaining_mu"]
EXHAUSTION_COLUMNS = ["scenario", "level", "group_id", "start_year", "remaining_mu", "annual_supply_mu", "rate_source", "exhaustion_year", "years_left"]
FINDING_COLUMNS = ["scenario", "year", "rule", "count", "area_mu"]
VIOLATION_COLUMNS = ["scenario", "year", "rule", "layer", "feature_id", "measured", "limit", "unit", "area_mu", "message"]
#: How far :func:`supply_timeline` projects when land does not run out earlier.
DEFAULT_HORIZON_YEARS = 50


# -- indicators --------------------------------------------------------------------------------
def indicator_table(plan: Plan, *, year: int | None = None, by: str = "zone", scenario: str = "base") -> pd.DataFrame:
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
    """
    from zoneplan.analysis import indicators

    wide = indicators(plan, year=year, by=by)
    wide = wide.reset_index() if "group_id" not in wide.columns else wide.reset_index(drop=True)
    if "group_id" not in wide.columns:
        wide = wide.rename(columns={wide.columns[0]: "group_id"})
    if "level" not in wide.columns:
        wide["level"] = by
    values = [c for c in wide.columns if c not in ("level", "group_id", "year", "scenario") and pd.api.types.is_numeric_dtype(wide[c]) and not pd.api.types.is_bool_dtype(wide[c])]
    tidy = wide.melt(id_vars=["level", "group_id"], value_vars=values, var_name="indicator", value_name="value")
    tidy["value"] = pd.to_numeric(tidy["value"], errors="coerce").astype("float64")
    tidy.insert(0, "scenario", scenario)
    tidy.insert(3, "year", pd.array([year] * len(tidy), dtype="Int64"))
    tidy["group_id"] = tidy["group_id"].astype("string")
    return tidy[INDICATOR_COLUMNS]


def _differences(tidy: pd.DataFrame) -> pd.DataFrame:
    keys = ["level", "group_id", "year", "indicator"]
    base = tidy[tidy["scenario"] == "base"][keys + ["value"]].rename(columns={"value": "base_value"})
    out = tidy.merge(base, on=keys, how="left")
    out["difference"] = out["value"] - out["base_value"]
    return out[INDICATOR_COLUMNS + ["base_value", "difference"]]


# -- land until exhaustion ---------------------------------------------------------------------
def _default_start_year(plan: Plan) -> int:
    """The last year of actual supply (parcels now built or supplied), else this year."""
    from zoneplan.analysis.timeline import supply_year

    status = plan.parcels["status"].astype("string") if "status" in plan.parcels.columns else pd.Series(pd.NA, index=plan.parcels.index, dtype="string")
    actual = supply_year(plan)[status.isin(["built", "supplied"]).fillna(False).to_numpy(dtype=bool)].dropna()
    return int(actual.max()) if len(actual) else datetime.date.today().year


def supply_timeline(
    plan: Plan,
    *,
    by: str = "zone",
    start_year: int | None = None,
    horizon_years: int = DEFAULT_HORIZON_YEARS,
    scenario: str = "base",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Land consumption and remaining land per group and year, until the land runs out.

    Parameters
    ----------
    plan
        The (scenario) plan.
    by
        Grouping level (``zone``, ``district``, ``park``, ``phase``).
    start_year
        Last year of actual history; projection starts the year after. Default: the plan's
        ``meta["as_of_year"]`` when set, else the last supply year of parcels that are built or
        supplied (actual history; a future ``supplied_year`` of a ``ready`` parcel is a schedule).
    horizon_years
        Project at most this many years after ``start_year``.
    scenario
        Name written into the ``scenario`` column.

    Returns
    -------
    timeline, exhaustion
        ``timeline``: :data:`TIMELINE_COLUMNS`, one row per group and year from the first year of
        supply to the exhaustion year (or the horizon); ``kind`` is ``actual`` (≤ start year),
        ``scheduled`` (a future supply year given in the plan decides the year) or ``projected``
        (the rate decides). ``exhaustion``: :data:`EXHAUSTION_COLUMNS`, one row per group.
    """
    from zoneplan.analysis.consumption import land_consumption
    from zoneplan.analysis.remaining import remaining_land

    if horizon_years < 1:
        raise InputError(f"horizon_years must be ≥ 1, got {horizon_years}", rule="timeline")
    consumption = land_consumption(plan, by=by)
    consumption = consumption[consumption["group_id"].notna()]
    if start_year is None:
        as_of = plan.meta.get("as_of_year")
        start_year = int(as_of) if as_of else _default_start_year(plan)
    remaining = remaining_land(plan, by=by).reset_index(drop=True)
    remaining = remaining[remaining["group_id"].notna()]
    groups = pd.Index(remaining["group_id"].astype(str)).union(pd.Index(consumption["group_id"].astype(str))).unique()
    left0 = pd.to_numeric(remaining.set_index(remaining["group_id"].astype(str))["remaining_suppliable_mu"], errors="coerce").reindex(groups).fillna(0.0).clip(lower=0)
    rate, source = _rates(plan, remaining, groups)

    first = int(consumption["year"].min()) if len(consumption) else start_year + 1
    years = np.arange(min(first, start_year + 1), start_year + horizon_years + 1)
    grid = pd.MultiIndex.from_product([groups, years], names=["group_id", "year"])
    supplied = consumption.assign(group_id=consumption["group_id"].astype(str)).groupby(["group_id", "year"])["new_construction_mu"].sum().reindex(grid, fill_value=0.0)
    frame = supplied.rename("recorded").reset_index()
    future = frame["year"].to_numpy() > start_year
    r = frame["group_id"].map(rate).to_numpy(dtype=float)
    want = np.where(future, np.maximum(frame["recorded"].to_numpy(), r), 0.0)
    # what is left at the end of each projected year: clip the running supply at the stock
    cum_want = pd.Series(want).groupby(frame["group_id"].to_numpy()).cumsum().to_numpy()
    stock = frame["group_id"].map(left0).to_numpy(dtype=float)
    cum_take = np.minimum(cum_want, stock)
    take = cum_take - np.r_[0.0, cum_take[:-1]]
    start_of_group = np.r_[True, frame["group_id"].to_numpy()[1:] != frame["group_id"].to_numpy()[:-1]]
    take = np.where(start_of_group, cum_take, take)
    new = np.where(future, take, frame["recorded"].to_numpy())
    # remaining before the start year: add back what was supplied after that year, up to start
    actual = np.where(future, 0.0, frame["recorded"].to_numpy())
    actual_after = pd.Series(actual[::-1]).groupby(frame["group_id"].to_numpy()[::-1]).cumsum().to_numpy()[::-1] - actual
    remaining_mu = np.where(future, stock - cum_take, stock + actual_after)
    recorded = frame["recorded"].to_numpy()
    kind = np.where(~future, "actual", np.where((recorded > settings.supply_eps_mu) & (recorded >= r - settings.supply_eps_mu), "scheduled", "projected"))
    timeline = pd.DataFrame(
        {
            "scenario": scenario,
            "level": by,
            "group_id": frame["group_id"].astype("string"),
            "year": frame["year"].astype("int64"),
            "kind": kind,
            "new_construction_mu": new,
            "remaining_mu": np.where(np.abs(remaining_mu) < settings.supply_eps_mu, 0.0, remaining_mu),
        }
    )
    timeline["cumulative_mu"] = timeline.groupby("group_id")["new_construction_mu"].cumsum()
    exhausted = timeline[(timeline["year"] > start_year) & (timeline["remaining_mu"] <= settings.supply_eps_mu)].groupby("group_id")["year"].min()
    # keep rows up to the exhaustion year of each group (or the horizon), from the first supply on
    stop = timeline["group_id"].astype(str).map(exhausted.rename(index=str)).fillna(years[-1]).to_numpy()
    has_any = timeline.groupby("group_id")["new_construction_mu"].transform(lambda s: s.cumsum() > 0).to_numpy(dtype=bool) | (timeline["year"].to_numpy() > start_year)
    timeline = timeline[(timeline["year"].to_numpy() <= stop) & has_any].reset_index(drop=True)
    exhaustion = pd.DataFrame(
        {
            "scenario": scenario,
            "level": by,
            "group_id": pd.array(groups, dtype="string"),
            "start_year": start_year,
            "remaining_mu": left0.to_numpy(),
            "annual_supply_mu": rate.reindex(groups).to_numpy(),
            "rate_source": source.reindex(groups).to_numpy(),
            "exhaustion_year": pd.array(exhausted.reindex(groups).to_numpy(), dtype="Int64"),
        }
    )
    exhaustion["years_left"] = (exhaustion["exhaustion_year"] - start_year).astype("Int64")
    return timeline[TIMELINE_COLUMNS], exhaustion[EXHAUSTION_COLUMNS]


def _rates(plan: Plan, remaining: pd.DataFrame, groups: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Annual supply rate per group (mu/year) and where it comes from.

    The rate is the ``annual_supply_mu`` of :func:`remaining_land` (the three-year mean, or the
    plan's ``supply_rates`` row for the group); a ``supply_rates`` row with scope ``*`` applies to
    every group without a row of its own.
    """
    set_rates = supply_rates_of(plan)
    by_group = remaining.set_index(remaining["group_id"].astype(str))
    rate = pd.to_numeric(by_group["annual_supply_mu"], errors="coerce").reindex(groups).fillna(0.0)
    source = pd.Series(np.where(rate > 0, "mean annual supply of the last three years", "no supply in the last three years"), index=groups, dtype=object)
    specific = set_rates.index.intersection(groups)
    if "*" in set_rates.index:
        others = groups.difference(specific)
        rate[others] = float(set_rates["*"])
        source[others] = "scenario supply rate (all groups)"
    rate[specific] = set_rates[specific].to_numpy()
    source[specific] = "scenario supply rate"
    return rate, source


def exhaustion_years(plan: Plan, *, by: str = "zone", start_year: int | None = None) -> pd.Series:
    """Year the remaining land of each group runs out (``Int64``, ``<NA>`` beyond the horizon)."""
    _, exhaustion = supply_timeline(plan, by=by, start_year=start_year)
    return pd.Series(exhaustion["exhaustion_year"].to_numpy(), index=pd.Index(exhaustion["group_id"], name="group_id"), name="exhaustion_year")


def plot_timeline(
    timeline: pd.DataFrame,
    *,
    exhaustion: pd.DataFrame | None = None,
    title: str | None = None,
    max_panels: int = 6,
) -> matplotlib.figure.Figure:
    """Remaining land per scenario until it runs out: one panel per group, one line per scenario.

    Parameters
    ----------
    timeline, exhaustion
        Output of :func:`supply_timeline` (several scenarios concatenated).
    title
        Figure title.
    max_panels
        With more groups than this, groups are summed into one panel.

    Returns
    -------
    matplotlib.figure.Figure
        Lines are labelled ``"<scenario>: remaining"``; each exhaustion year is a marker labelled
        ``"<scenario>: runs out <year>"`` at zero.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    use_cjk_font()
    data = timeline.assign(group_id=timeline["group_id"].astype(str))
    groups = list(dict.fromkeys(data["group_id"]))
    if len(groups) > max_panels:
        data = data.groupby(["scenario", "year"], sort=False)["remaining_mu"].sum().reset_index().assign(group_id="all groups 全部")
        groups = ["all groups 全部"]
        exhaustion = None
    scenarios = list(dict.fromkeys(data["scenario"]))
    fig, axes = plt.subplots(1, len(groups), figsize=(max(8.0, min(4.6 * len(groups), 14.0)), 4.2), dpi=110, squeeze=False, sharey=False)
    colors = matplotlib.colormaps["tab10"]
    styles = ["-", "--", "-.", ":"]
    for ax, group in zip(axes[0], groups):
        for i, name in enumerate(scenarios):
            rows = data[(data["scenario"] == name) & (data["group_id"] == group)]
            color = colors(i % 10)
            ax.plot(rows["year"], rows["remaining_mu"], color=color, linestyle=styles[i % len(styles)], linewidth=max(3.0 - 0.6 * i, 1.2), label=f"{name}: remaining")
            if exhaustion is not None:
                mine = exhaustion[(exhaustion["scenario"] == name) & (exhaustion["group_id"].astype(str) == group)]["exhaustion_year"].dropna()
                if len(mine):
                    year = int(mine.iloc[0])
                    ax.plot([year], [0], marker="v", markersize=9, color=color, linestyle="none", label=f"{name}: runs out {year}")
        ax.set_title(group, fontsize=10)
        ax.set_xlabel("year 年")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, loc="upper right")
    axes[0][0].set_ylabel("remaining suppliable land 剩余可供地 (mu)")
    fig.suptitle(title or "Remaining land until exhaustion 剩余土地与用尽年份")
    fig.tight_layout()
    return fig


def use_cjk_font() -> str | None:
    """Make matplotlib draw Chinese labels with an installed CJK font; return its name (None if none).

    Uses :func:`zoneplan.maps.print.cjk_font`; without a CJK font charts still draw (Chinese
    characters then show as boxes) rather than fail.
    """
    import matplotlib

    from zoneplan.errors import ZoneplanError
    from zoneplan.maps.print import cjk_font

    try:
        font = cjk_font()
    except ZoneplanError:
        return None
    family = [f for f in matplotlib.rcParams["font.sans-serif"] if f != font]
    matplotlib.rcParams["font.sans-serif"] = [font, *family]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return font


# -- comparison --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare` (tables described in the module docstring)."""

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
    by: str
    notes: Mapping[str, str] = field(default_factory=dict)

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
        """``{"scenarios", "years", "by", "notes", <table>: [records]}`` (the ``--json`` form)."""
        out: dict[str, Any] = {"scenarios": list(self.scenarios), "years": list(self.years), "by": self.by, "notes": dict(self.notes)}
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
    by: str = "zone",
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
        Also run :func:`zoneplan.compliance.check` (with each scenario's rule overrides).
    progress
        Progress bar (None: on a terminal only; False: never, e.g. with ``--json``).

    Returns
    -------
    Comparison
    """
    if "base" not in plans:
        raise InputError("compare needs the unedited plan under the name 'base'", rule="scenario")
    years_list: list[int | None] = list(years) if years else [None]
    steps = [(name, year) for name in plans for year in years_list]
    tidy, targets, findings, violations, compliant = [], [], [], [], []
    for name, year in track(steps, description="comparing scenarios", enabled=progress):
        plan = plans[name]
        tidy.append(indicator_table(plan, year=year, by=by, scenario=name))
        targets.append(_targets(plan, year=year, scenario=name))
        if check:
            found, detail, ok = _findings(plan, year=year, scenario=name)
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
    notes = {
        "differences": "difference = scenario value − base value, same group, year and indicator",
        "timeline": "after the start year each year supplies max(scheduled supply, annual rate) until nothing is left",
        "exhaustion": f"exhaustion_year is empty when the land lasts beyond start_year + {DEFAULT_HORIZON_YEARS} years",
        "units": "areas in mu (1 mu = 10000/15 m²); rates as fractions; money per mu in 万元/亩",
    }
    return Comparison(
        indicators=indicators,
        differences=_differences(indicators),
        targets=pd.concat(targets, ignore_index=True),
        findings=pd.concat(findings, ignore_index=True) if findings else pd.DataFrame(columns=FINDING_COLUMNS),
        violations=pd.concat(violations, ignore_index=True) if violations else pd.DataFrame(columns=VIOLATION_COLUMNS),
        compliant=pd.DataFrame(compliant, columns=["scenario", "year", "compliant", "violations", "cannot_judge"]).astype({"year": "Int64"}),
        consumption=pd.concat(consumption, ignore_index=True),
        consumption_differences=_consumption_differences(pd.concat(consumption, ignore_index=True)),
        timeline=pd.concat(timelines, ignore_index=True),
        exhaustion=pd.concat(exhaustions, ignore_index=True),
        scenarios=tuple(plans),
        years=tuple(years_list),
        by=by,
        notes=notes,
    )


def _consumption(plan: Plan, *, by: str, scenario: str) -> pd.DataFrame:
    from zoneplan.analysis.consumption import land_consumption

    table = land_consumption(plan, by=by)[["level", "group_id", "year", "new_construction_mu", "cumulative_mu", "from_agricultural_mu", "from_unused_mu"]]
    return table.assign(scenario=scenario)[["scenario", *table.columns]]


def _consumption_differences(consumption: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, group and year: new construction land minus the base's (0 where equal)."""
    grid = consumption.pivot_table(index=["level", "group_id", "year"], columns="scenario", values="new_construction_mu", aggfunc="sum", fill_value=0.0, sort=True)
    base = grid["base"]
    diff = grid.sub(base, axis=0).drop(columns="base")
    out = diff.stack().rename("difference_mu").reset_index()
    out["base_mu"] = base.reindex(pd.MultiIndex.from_frame(out[["level", "group_id", "year"]])).to_numpy()
    out["scenario_mu"] = out["base_mu"] + out["difference_mu"]
    return out[["scenario", "level", "group_id", "year", "base_mu", "scenario_mu", "difference_mu"]].sort_values(["scenario", "level", "group_id", "year"]).reset_index(drop=True)


def _targets(plan: Plan, *, year: int | None, scenario: str) -> pd.DataFrame:
    from zoneplan.analysis import target_status

    status = target_status(plan, year=year).reset_index(drop=True)
    status.insert(0, "scenario", scenario)
    status.insert(1, "judged_year", pd.array([year] * len(status), dtype="Int64"))
    return status


def _findings(plan: Plan, *, year: int | None, scenario: str) -> tuple[pd.DataFrame, pd.DataFrame, tuple[Any, ...]]:
    from zoneplan.compliance import check

    rules = rules_of(plan) or None
    result = check(plan, year=year, rules=rules)
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
