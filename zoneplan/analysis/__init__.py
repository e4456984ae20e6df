"""Analysis of development-zone plans: pure functions from a plan to tidy tables.

============================  ==================================================================
module                        what it answers
============================  ==================================================================
:mod:`.timeline`              land use and land status of every parcel in a year
:mod:`.grouping`              zone / district / park / phase of every parcel
:mod:`.consumption`           construction land taken per year and group; phase progress
:mod:`.remaining`             remaining land (table and polygons), years of supply left
:mod:`.structure`             area and share of every class; industrial share and ratio
:mod:`.intensity`             the intensive-use evaluation: indicators, zone type, score, potential
:mod:`.idle`                  idle land by the No. 53 order
:mod:`.efficiency`            output per mu, retain / relocate / clear, ranking against the province
============================  ==================================================================

This module gathers them: :func:`indicators` (one row per group, one column per indicator),
:func:`target_status` (the plan's targets against the actual values) and :func:`analyze` (both,
in the JSON form of ``zoneplan analyze --json``). Rates are fractions (0.356, not 35.6).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from zoneplan._memo import follows_data, memo, value_digest
from zoneplan._threads import run_all
from zoneplan.analysis.consumption import land_consumption, phase_progress
from zoneplan.analysis.efficiency import classify_enterprises, group_efficiency, parcel_efficiency, rank_zones
from zoneplan.analysis.grouping import LAYER_OF, LEVELS, Level, as_level, assign_groups, group_layer
from zoneplan.analysis.idle import idle_land
from zoneplan.analysis.intensity import (
    INDICATORS,
    as_of_date,
    evaluation_indicators,
    intensity_score,
    load_profile,
    potentials,
    score_parts,
    status_areas,
    zone_type,
)
from zoneplan.analysis.remaining import _masks, remaining_geometry, remaining_land
from zoneplan.analysis.structure import industrial_ratio, landuse_structure
from zoneplan.analysis.timeline import landuse_at, status_at
from zoneplan.jsonable import to_jsonable
from zoneplan.layers import METRICS
from zoneplan.measure import plan_area_basis
from zoneplan.plan import Plan
from zoneplan.settings import settings
from zoneplan.state import parcel_areas, plan_state
from zoneplan.units import MU_PER_KM2

__all__ = [
    "INDICATOR_DISPLAY_UNITS",
    "INDICATOR_NAMES",
    "INDICATOR_TITLES",
    "INDICATOR_UNITS",
    "TARGET_COLUMNS",
    "analyze",
    "assign_groups",
    "classify_enterprises",
    "evaluation_indicators",
    "group_efficiency",
    "idle_land",
    "indicators",
    "industrial_ratio",
    "intensity_score",
    "land_consumption",
    # re-exports
    "landuse_at",
    "landuse_structure",
    "load_profile",
    "parcel_efficiency",
    "phase_progress",
    "potentials",
    "rank_zones",
    "remaining_geometry",
    "remaining_land",
    "status_areas",
    "status_at",
    "target_status",
    "zone_type",
]

#: Indicator names of ``analyze --json`` (and columns of :func:`indicators`), in order.
INDICATOR_NAMES: tuple[str, ...] = (
    "land_development_rate",
    "land_supply_rate",
    "land_built_rate",
    "industrial_land_ratio",
    "composite_far",
    "building_density",
    "industrial_far",
    "industrial_building_coefficient",
    "investment_intensity_wan_per_mu",
    "tax_per_mu_wan",
    "idle_land_rate",
    "remaining_area_mu",
    "years_of_supply_left",
    "intensity_score",
    "intensity_score_partial",
    "composite_tax_per_mu_wan",
    "industrial_share",
)
#: Unit of each indicator, for people.
INDICATOR_UNITS: dict[str, str] = {
    **{k: v[1] for k, v in INDICATORS.items()},
    "remaining_area_mu": "mu",
    "years_of_supply_left": "years",
    "intensity_score": "0–100",
    "intensity_score_partial": "0–100",
    "industrial_share": "fraction",
}
#: Title of each indicator for people, in Chinese and English.
INDICATOR_TITLES: dict[str, str] = {
    "land_development_rate": "土地开发率 land development rate",
    "land_supply_rate": "土地供应率 land supply rate",
    "land_built_rate": "土地建成率 land built rate",
    "industrial_land_ratio": "工业用地率 industrial land ratio (A2/A)",
    "composite_far": "综合容积率 composite FAR",
    "building_density": "建筑密度 building density",
    "industrial_far": "工业用地综合容积率 industrial FAR",
    "industrial_building_coefficient": "工业用地建筑系数 industrial building coefficient",
    "investment_intensity_wan_per_mu": "工业用地固定资产投入强度 investment intensity",
    "tax_per_mu_wan": "工业用地地均税收 industrial tax per mu",
    "idle_land_rate": "土地闲置率 idle land rate",
    "remaining_area_mu": "剩余用地 remaining land",
    "years_of_supply_left": "尚可供地年数 years of supply left",
    "intensity_score": "集约度分值 intensity score",
    "intensity_score_partial": "集约度分值（现有指标） partial intensity score (indicators available)",
    "composite_tax_per_mu_wan": "综合地均税收 composite tax per mu",
    "industrial_share": "工业用地占比 industrial share (plan)",
}
#: Unit of each indicator as shown to people: fractions as per cent.
INDICATOR_DISPLAY_UNITS: dict[str, str] = {k: "%" if INDICATOR_UNITS.get(k) == "fraction" else INDICATOR_UNITS.get(k, "") for k in INDICATOR_NAMES}
TARGET_COLUMNS = ["scope", "level", "metric", "year", "op", "target", "actual", "met", "gap", "gap_pp", "gap_mu", "unit", "note", "tolerance"]
_OPS = {">=": ">=", "≥": ">=", "=>": ">=", "<=": "<=", "≤": "<=", "=<": "<=", "=": "=", "==": "=", ">": ">", "<": "<"}


def _check_by(by: str) -> None:
    as_level(by, what="--by")


def _indicator_parts(plan: Plan, *, by: Level, year: int | None, profile: Mapping[str, Any]) -> list[Callable[[], Any]]:
    """The tables :func:`indicators` joins, as calls that :func:`~zoneplan._threads.run_all` runs side by side."""
    return [
        lambda: evaluation_indicators(plan, by=by, year=year),
        lambda: remaining_land(plan, by=by, year=year),
        lambda: zone_type(plan, by=by, year=year, profile=profile),
        lambda: industrial_ratio(plan, by=by, year=year),
    ]


@follows_data
def indicators(plan: Plan, *, year: int | None = None, by: Level = "zone", profile: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """All indicators per group: one row per group, one column per name in :data:`INDICATOR_NAMES`.

    Parameters
    ----------
    plan
        The plan.
    year
        Evaluation year (statuses, codes and idle land on 31 December); ``None`` for the plan as
        it stands (idle land judged on ``plan.meta["as_of"]``, else today).
    by
        ``"zone"``, ``"district"``, ``"park"`` or ``"phase"``.
    profile
        Scoring profile (:func:`zoneplan.analysis.intensity.load_profile`); default the bundled
        local example.

    Returns
    -------
    pandas.DataFrame
        Indexed by group id (``group_id``), the indicator columns plus ``zone_type``
        (``industry_led`` / ``industry_city`` / ``other``) and ``intensity_score_missing`` (the
        scoring indicators that are missing: ``intensity_score`` is NaN where a required one is,
        and ``intensity_score_partial`` gives the score over those available). Rates are fractions.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> table = indicators(datasets.load("linqing"), by="district")
    >>> list(table.index), table["land_development_rate"].round(3).tolist()
    (['linqing-city', 'linqing-yandian'], [0.771, 0.807])
    """
    _check_by(by)
    prof = profile if profile is not None else load_profile()

    def build() -> pd.DataFrame:
        ind, rem, types, ratio = run_all(_indicator_parts(plan, by=by, year=year, profile=prof))
        rem, ratio = _by_group_id(rem), _by_group_id(ratio)
        out = ind.copy()
        out["remaining_area_mu"] = rem["remaining_mu"].reindex(out.index).to_numpy()
        out["years_of_supply_left"] = rem["years_of_supply_left"].reindex(out.index).to_numpy()
        parts = score_parts(ind, types, profile=prof)
        out["intensity_score"] = parts["intensity_score"].to_numpy()
        out["intensity_score_partial"] = parts["intensity_score_partial"].to_numpy()
        out["industrial_share"] = ratio["industrial_share"].reindex(out.index).to_numpy()
        out = out[list(INDICATOR_NAMES)]
        out["zone_type"] = types.reindex(out.index).to_numpy()
        out["intensity_score_missing"] = parts["intensity_score_missing"].to_numpy()
        return out

    return memo(plan, ("indicators", by, year, value_digest(prof)), build).copy()


def _scope_levels(plan: Plan) -> dict[str, Level]:
    """Group id → level, from the group layers and the parcels' id columns (first level wins)."""
    found: dict[str, Level] = {}
    parcels = plan.parcels
    for level in LEVELS:
        ids = list(group_layer(plan, level)["group_id"].dropna().astype(str))
        col = f"{level}_id"
        if col in parcels.columns:
            ids += list(parcels[col].dropna().astype(str).unique())
        for i in ids:
            found.setdefault(i, level)
    return found


def _compare(actual: float, op: str, target: float, tol: float) -> bool | None:
    if actual is None or (isinstance(actual, float) and math.isnan(actual)):
        return None
    slack = tol * abs(target)
    if op == ">=":
        return actual >= target - slack
    if op == "<=":
        return actual <= target + slack
    if op == ">":
        return actual > target
    if op == "<":
        return actual < target
    return abs(actual - target) <= slack


#: The ratio-table column that turns a fraction target's gap into mu.
_URBAN_MU_COLUMN = {"industrial_share": "urban_construction_mu", "industrial_land_ratio": "built_urban_construction_mu"}


def _metric_source(metric: str) -> tuple[str, str] | None:
    """(table kind, column) that gives a target metric's value; None for a metric zoneplan does not compute.

    Only what the metric needs: an evaluation indicator takes the evaluation's table, not
    remaining land or the score.
    """
    if metric in INDICATORS:
        return "evaluation", metric
    if metric in ("remaining_area_mu", "years_of_supply_left"):
        return "remaining", "remaining_mu" if metric == "remaining_area_mu" else metric
    if metric == "intensity_score":
        return "score", metric
    if metric in ("urban_construction_area_km2", "industrial_area_km2", "industrial_share"):
        return "ratio", metric
    return None


def _group_table(plan: Plan, kind: str, level: Level, y: int | None, *, profile: Mapping[str, Any] | None) -> pd.DataFrame:
    """One group table of :func:`target_status` (a kind of :func:`_metric_source`), indexed by group id."""
    if kind == "evaluation":
        return evaluation_indicators(plan, by=level, year=y)
    if kind == "score":
        return indicators(plan, year=y, by=level, profile=profile)
    return _by_group_id(remaining_land(plan, by=level, year=y) if kind == "remaining" else industrial_ratio(plan, by=level, year=y))


def _by_group_id(table: pd.DataFrame) -> pd.DataFrame:
    """A table with a ``group_id`` column indexed by that id as text (rows of no group dropped, each id once)."""
    table = table.dropna(subset=["group_id"])
    return table.set_index(table["group_id"].astype(str).rename("group_id")).loc[lambda d: ~d.index.duplicated()]


def _target_tables(plan: Plan, *, year: int | None) -> list[tuple[str, Level, int | None]]:
    """The (kind, level, year) group tables :func:`target_status` reads for the plan's targets, each once."""
    levels = _scope_levels(plan)
    keys: dict[tuple[str, Level, int | None], None] = {}
    for t in plan.targets.itertuples(index=False):
        metric, level = str(t.metric), levels.get(str(t.scope))
        if level is None:
            continue
        y = int(t.year) if pd.notna(t.year) else year
        source = _metric_source(metric)
        if source is not None and _OPS.get(str(t.op).strip()) is not None:
            keys[(source[0], level, y)] = None
        if metric in _URBAN_MU_COLUMN:
            keys[("ratio", level, y)] = None
    return list(keys)


@follows_data
def target_status(plan: Plan, *, year: int | None = None, profile: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The plan's targets against the values the plan reaches.

    Parameters
    ----------
    plan
        The plan (table ``targets``: ``scope``, ``metric``, ``year``, ``op``, ``value``).
    year
        Year for targets without a year; ``None`` for the plan as it stands.
    profile
        Scoring profile for ``intensity_score`` targets.

    Returns
    -------
    pandas.DataFrame
        One row per zone-level target (:data:`TARGET_COLUMNS`): ``actual`` at the target's year,
        ``met`` (True / False / None when the value cannot be computed), ``gap`` = actual − target
        in the metric's unit, ``gap_pp`` (percentage points, for fractions), ``gap_mu`` (the same
        gap in mu of land: share × urban construction land, km² × 1500), ``unit``, ``note`` and
        ``tolerance`` (the relative tolerance the row was judged with).
        ``parcel_*`` and ``env_*`` metrics are per-parcel rules checked by
        :func:`zoneplan.compliance.check` and are left out. ``=`` targets are met within a
        relative tolerance (the table's ``tolerance`` column, else
        ``settings.target_equal_tolerance``, 0.5 %); ``>=`` / ``<=`` within
        ``settings.target_bound_tolerance`` (0.05 %: plan figures are quoted rounded to about four
        significant digits, 0.3437 for 9.75 / 28.37 = 0.343673…).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> status = target_status(datasets.load("linqing"))
    >>> first = status.iloc[0]
    >>> first["scope"], first["metric"], float(first["target"]), round(float(first["actual"]), 2), bool(first["met"])
    ('linqing-city', 'urban_construction_area_km2', 22.25, 22.25, True)
    """
    targets = plan.targets
    if targets.empty:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    levels = _scope_levels(plan)
    by_group: dict[tuple[str, Level, int | None], pd.DataFrame] = {}

    def table_of(kind: str, level: Level, y: int | None) -> pd.DataFrame:
        """One group table per (kind, level, year), indexed by group id: looked up, not filtered, per target."""
        key = (kind, level, y)
        if key not in by_group:
            by_group[key] = _group_table(plan, kind, level, y, profile=profile)
        return by_group[key]

    by_column: dict[tuple[str, Level, int | None, str], dict[str, float]] = {}

    def value(kind: str, level: Level, y: int | None, scope: str, column: str) -> float:
        key = (kind, level, y, column)
        if key not in by_column:  # one dict per column: a province has thousands of targets, and .at costs 20 µs
            table = table_of(kind, level, y)
            by_column[key] = dict(zip(table.index.astype(str), table[column].to_numpy(dtype=float, na_value=math.nan)))
        return float(by_column[key].get(scope, math.nan))

    run_all([functools.partial(table_of, *key) for key in _target_tables(plan, year=year)])  # side by side, then looked up
    rows = []
    for t in targets.itertuples(index=False):
        metric = str(t.metric)
        if metric.startswith(("parcel_", "env_")):
            continue
        scope = str(t.scope)
        y = int(t.year) if pd.notna(t.year) else year
        op = _OPS.get(str(t.op).strip())
        target = float(t.value) if pd.notna(t.value) else math.nan
        tol = (
            float(getattr(t, "tolerance", math.nan))
            if pd.notna(getattr(t, "tolerance", math.nan))
            else (settings.target_equal_tolerance if op == "=" else settings.target_bound_tolerance)
        )
        level = levels.get(scope)
        unit = INDICATOR_UNITS.get(metric) or (METRICS.get(metric, "").split(" — ")[0] or None)
        actual, note, urban_mu = math.nan, "", math.nan
        if op is None:
            note = f"unknown op {t.op!r}"
        elif level is None:
            note = f"scope {scope!r} is no zone, district, park or phase of the plan"
        elif (source := _metric_source(metric)) is not None:
            actual = value(source[0], level, y, scope, source[1])
        else:
            note = f"metric {metric!r} is not computed by zoneplan.analysis"
        if metric in _URBAN_MU_COLUMN and level is not None:
            urban_mu = value("ratio", level, y, scope, _URBAN_MU_COLUMN[metric])
        gap = actual - target
        fraction = unit == "fraction"
        gap_mu = gap * urban_mu if fraction else (gap * MU_PER_KM2 if metric.endswith("_km2") else math.nan)
        rows.append(
            {
                "scope": scope,
                "level": level,
                "metric": metric,
                "year": y,
                "op": op or str(t.op),
                "target": target,
                "actual": actual,
                "met": _compare(actual, op, target, tol) if op else None,
                "gap": gap,
                "gap_pp": gap * 100 if fraction else math.nan,
                "gap_mu": gap_mu,
                "unit": unit,
                "note": note or None,
                "tolerance": tol,
            }
        )
    out = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    out["year"] = out["year"].astype("Int64")
    return out


@follows_data
def analyze(plan: Plan, *, year: int | None = None, by: Level = "zone", profile: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Indicators per group and target status, as the ``zoneplan analyze --json`` document.

    Returns
    -------
    dict
        ``{"year": Y, "level": by, "area_basis": basis, "as_of": "YYYY-MM-DD", "profile": name, "groups": [{"level",
        "id", "name", "zone_type", "indicators": {name: value}, "score_missing": [indicator]}], "targets": [{"scope", "metric",
        "year", "op", "target", "actual", "met", "gap", …}]}``; NaN becomes None.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> result = analyze(datasets.load("zhangdian"), by="phase")
    >>> result["level"], [(g["id"], g["name"]) for g in result["groups"]]
    ('phase', [('zhangdian-phase-1', '一期'), ('zhangdian-phase-2', '二期'), ('zhangdian-phase-3', '三期')])
    """
    _check_by(by)
    prof = profile if profile is not None else load_profile()
    target_keys = _target_tables(plan, year=year)
    targets_read: list[Callable[[], Any]] = [functools.partial(_group_table, plan, *key, profile=prof) for key in target_keys]
    shared: list[Callable[[], Any]] = [lambda: parcel_areas(plan, plan_area_basis(plan)), lambda: _masks(plan)]  # what most tables read
    for y in dict.fromkeys([year, *(key[2] for key in target_keys)]):  # each year's parcel table and idle land, parts of their own
        shared += [functools.partial(plan_state, plan, y), functools.partial(idle_land, plan, as_of=as_of_date(plan, y))]
    run_all([*shared, *_indicator_parts(plan, by=by, year=year, profile=prof), *targets_read])  # every table, side by side
    table = indicators(plan, year=year, by=by, profile=prof)
    targets = target_status(plan, year=year, profile=prof)
    layer = group_layer(plan, by)
    names = dict(zip(layer["group_id"].astype(str), plan[LAYER_OF[by]].get("name", pd.Series(dtype="string")).astype("string")))

    groups = [
        {
            "level": by,
            "id": str(gid),
            "name": to_jsonable(names.get(str(gid))),
            "zone_type": row["zone_type"],
            "indicators": {k: to_jsonable(row[k]) for k in INDICATOR_NAMES},
            "score_missing": [m for m in str(row["intensity_score_missing"]).split(", ") if m],
        }
        for gid, row in table.iterrows()
    ]
    return {
        "year": year,
        "level": by,
        "area_basis": plan_area_basis(plan),
        "as_of": as_of_date(plan, year).isoformat(),
        "profile": prof.get("profile", {}).get("name"),
        "groups": groups,
        "targets": [{k: to_jsonable(v) for k, v in r.items()} for r in targets.to_dict("records")],
    }
