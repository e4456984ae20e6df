"""Per-parcel controls of industrial land (工业项目建设用地控制指标; standards reference §7).

Rules, each **off** unless the plan's targets or the rules switch it on (:mod:`zoneplan.compliance.rules`):

=============================================  ==========================================  ===========================
rule                                           measure (per parcel)                        example
=============================================  ==========================================  ===========================
``parcel_min_far``                             plot ratio = floor_area_m2 / parcel area    Zhangdian ≥ 2.0
``parcel_min_investment_intensity_wan_per_mu`` investment_yuan / parcel area, 万元/亩       Linqing ≥ 280 by 2025
``parcel_min_building_coefficient``            footprint_m2 / parcel area                  national ≥ 30 %
``parcel_max_office_share``                    office_area_m2 / parcel area                national ≤ 7 %
``parcel_max_green_ratio``                     green_area_m2 / parcel area                 national ≤ 20 %
=============================================  ==========================================  ===========================

Which parcels are judged: industrial land (1001xx, code in force in the year judged) carrying a
project. When the plan records project types (``project``: new / renovated / existing), only the
types in ``parcel_projects`` (default new and renovated, after Zhangdian's rule) are judged; when
it does not, every industrial parcel that is built or supplied (or has no status) is judged —
planned land without a project has nothing to measure yet.

A judged parcel whose input is missing (no floor area, no investment …) or whose area is zero is
reported as **cannot judge**, never as compliant. Comparisons allow a relative tolerance of
``ratio_rel_tolerance`` (default 1e-9, floating point only): a floor area of exactly twice the
parcel area complies with FAR ≥ 2.0; 1.99 does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from zoneplan._memo import follows_data
from zoneplan._text import sentences, written
from zoneplan.compliance._base import cannot_judge_frame, feature_ids, group_of, parcel_flags, scope_ids, violations_frame
from zoneplan.compliance.findings import SWITCHED_OFF, Findings
from zoneplan.compliance.rules import PARCEL_METRICS, Rules, resolve_rules
from zoneplan.errors import InputError
from zoneplan.measure import basis_area_m2, plan_area_basis
from zoneplan.plan import Plan
from zoneplan.state import parcel_areas
from zoneplan.units import wan_per_mu

__all__ = ["MEASURE_INPUTS", "judged_parcels", "parcel_limits", "parcel_measures", "parcel_rule_violations"]

#: Measure → the parcel column it is computed from (besides the parcel's area).
MEASURE_INPUTS: dict[str, str] = {
    "far": "floor_area_m2",
    "investment_intensity_wan_per_mu": "investment_yuan",
    "building_coefficient": "footprint_m2",
    "office_share": "office_area_m2",
    "green_ratio": "green_area_m2",
}
_LABELS = {
    "far": "plot ratio",
    "investment_intensity_wan_per_mu": "investment intensity",
    "building_coefficient": "building coefficient",
    "office_share": "office/living land share",
    "green_ratio": "green ratio",
}
_SPECIFICITY = {None: 0, "zone": 1, "district": 2, "park": 3, "phase": 4}
_PROJECT_STATUSES = ("built", "supplied")


def parcel_measures(parcels: gpd.GeoDataFrame, *, basis: str | None = None, area_m2: np.ndarray | None = None) -> pd.DataFrame:
    """Industrial-land control measures of every parcel, aligned to ``parcels.index``.

    Parameters
    ----------
    parcels
        Parcels in a projected CRS; columns of :data:`MEASURE_INPUTS` are used where present.
    basis
        Area basis of the parcel area the measures divide by (the plan's,
        :func:`zoneplan.measure.plan_area_basis`); None: ``settings.area_basis``.
    area_m2
        The parcels' areas on ``basis`` when the caller has them (a plan's
        :func:`zoneplan.state.parcel_areas`); None: measured here.

    Returns
    -------
    pandas.DataFrame
        ``area_m2``, ``far``, ``investment_intensity_wan_per_mu``, ``building_coefficient``,
        ``office_share``, ``green_ratio``; NaN where an input is missing or the area is zero.

    Examples
    --------
    >>> import shapely
    >>> p = gpd.GeoDataFrame({"floor_area_m2": [1990.0], "investment_yuan": [2.8e6]}, geometry=[shapely.box(0, 0, 10, 100)], crs=4548)
    >>> parcel_measures(p, basis="planar")[["far", "investment_intensity_wan_per_mu", "green_ratio"]].round(4).iloc[0].tolist()
    [1.99, 186.6667, nan]
    """
    area = basis_area_m2(parcels, basis) if area_m2 is None else pd.Series(area_m2, index=parcels.index, dtype="float64")
    positive = area.where(area > 0)

    def column(name: str) -> pd.Series:
        if name not in parcels.columns:
            return pd.Series(np.nan, index=parcels.index, dtype="float64")
        return pd.to_numeric(parcels[name], errors="coerce").astype("float64")

    out = pd.DataFrame({"area_m2": area}, index=parcels.index)
    for measure, source in MEASURE_INPUTS.items():
        if measure == "investment_intensity_wan_per_mu":
            out[measure] = wan_per_mu(column(source), positive)
        else:
            out[measure] = column(source) / positive
    return out


def judged_parcels(plan: Plan, *, year: int | None = None, rules: Rules) -> pd.Series:
    """True for the parcels the per-parcel controls apply to (see the module docstring), aligned to the parcels.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.compliance.rules import resolve_rules
    >>> plan = datasets.load("linqing")
    >>> judged = judged_parcels(plan, rules=resolve_rules(plan))
    >>> len(judged) == len(plan.parcels), int(judged.sum())
    (True, 69)
    """
    parcels = plan.parcels
    judged = parcel_flags(plan, year)["industrial"].to_numpy(dtype=bool, copy=True)
    project = parcels["project"].astype("string").str.strip().str.lower() if "project" in parcels.columns else None
    if rules.parcel_projects and project is not None and project.notna().any():
        judged &= project.isin([p.lower() for p in rules.parcel_projects]).fillna(False).to_numpy(dtype=bool)
    elif "status" in parcels.columns:
        status = parcels["status"].astype("string")
        judged &= (status.isin(_PROJECT_STATUSES) | status.isna()).fillna(True).to_numpy(dtype=bool)
    return pd.Series(judged, index=parcels.index, name="judged")


def parcel_limits(plan: Plan, *, year: int | None = None, rules: Rules) -> pd.DataFrame:
    """The limit of each switched-on per-parcel rule for each parcel (most specific scope wins).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``plan.parcels.index``; one float column per metric in force (NaN where no
        rule covers the parcel) and one ``<metric>:source`` text column naming the rule's source
        and scope.

    Raises
    ------
    zoneplan.errors.InputError
        A rule's scope names no zone, district, park or phase of the plan.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.compliance.rules import resolve_rules
    >>> plan = datasets.load("linqing")
    >>> list(parcel_limits(plan, rules=resolve_rules(plan)).columns)
    ['parcel_min_investment_intensity_wan_per_mu', 'parcel_min_investment_intensity_wan_per_mu:source']
    """
    parcels = plan.parcels
    in_force = rules.for_year(year)
    levels = scope_ids(plan) if any(r.scope for r in in_force) else {}
    # Group ids factorised once per level: a rule's members are then one integer comparison.
    groups: dict[str, tuple[np.ndarray, dict[str, int]]] = {}
    limits: dict[str, np.ndarray] = {}
    sources: dict[str, np.ndarray] = {}
    labels: list[str] = []
    order = sorted(in_force, key=lambda r: (_SPECIFICITY[levels.get(r.scope) if r.scope else None], r.year or 0))
    for rule in order:
        if rule.scope is None:
            members = np.ones(len(parcels), dtype=bool)
        else:
            level = levels.get(rule.scope)
            if level is None:
                raise InputError(f"scope {rule.scope!r} names no zone, district, park or phase of the plan", layer="targets", rule=rule.metric)
            if level not in groups:
                codes, uniques = group_of(plan, level).factorize()  # by Arrow: no million Python strings
                groups[level] = (codes, {str(u): i for i, u in enumerate(uniques)})
            codes, position = groups[level]
            members = codes == position.get(rule.scope, -2)
        if rule.metric not in limits:
            limits[rule.metric] = np.full(len(parcels), np.nan)
            sources[rule.metric] = np.full(len(parcels), -1, dtype=np.int64)
        where = f" in {rule.scope}" if rule.scope else ""
        since = f" from {rule.year}" if rule.year else ""
        labels.append(f"{rule.source or 'rule'}{where}{since}")
        limits[rule.metric][members] = rule.value
        sources[rule.metric][members] = len(labels) - 1
    out = pd.DataFrame(index=parcels.index)
    label_array = pd.array([*labels, pd.NA], dtype="string")
    for metric, values in limits.items():
        out[metric] = values
        out[f"{metric}:source"] = label_array.take(np.where(sources[metric] >= 0, sources[metric], len(labels)))
    return out


@follows_data
def parcel_rule_violations(plan: Plan, *, year: int | None = None, rules: Mapping[str, Any] | Rules | None = None) -> Findings:
    """Check the switched-on per-parcel controls of industrial land.

    Parameters
    ----------
    plan
        The plan.
    year
        Judge the plan in this year (rules from a later year are not yet in force); None judges the
        plan as planned with every rule.
    rules
        Rules mapping or :class:`~zoneplan.compliance.rules.Rules`.

    Returns
    -------
    Findings
        One violation per parcel and rule broken (rule = the metric name, layer ``parcels``,
        measured = the parcel's value, limit = the rule's value, geometry = the parcel, area = the
        parcel's area); one cannot-judge row per judged parcel lacking the input.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> found = parcel_rule_violations(datasets.load("zhangdian"))
    >>> found.violations["rule"].value_counts().to_dict()
    {'parcel_min_far': 4}
    """
    rules = resolve_rules(plan, rules, year=year)
    if not rules.parcel_rules:
        return Findings(not_checked={"parcel_rules": SWITCHED_OFF})
    in_force = rules.for_year(year)
    if not in_force:
        return Findings(not_checked={"parcel_rules": "no per-parcel rule is switched on (targets parcel_* or rules)"})
    parcels = plan.parcels
    limits = parcel_limits(plan, year=year, rules=rules)
    judged = judged_parcels(plan, year=year, rules=rules).to_numpy()
    basis = plan_area_basis(plan)
    measures = parcel_measures(parcels, basis=basis, area_m2=parcel_areas(plan, basis))
    ids = feature_ids(parcels, "parcels")
    rtol = rules.ratio_rel_tolerance
    parts: list[Findings] = []
    for metric, (op, measure, unit) in PARCEL_METRICS.items():
        if metric not in limits.columns:
            continue
        limit = limits[metric].to_numpy()
        applies = judged & ~np.isnan(limit)
        value = measures[measure].to_numpy()
        unknown = applies & np.isnan(value)
        broken = applies & (value < limit * (1 - rtol)) if op == ">=" else applies & (value > limit * (1 + rtol))
        label = _LABELS[measure]
        source = limits[f"{metric}:source"].array
        spec, after = (",.1f", " 万元/亩") if unit == "万元/亩" else (".4g", "") if unit == "ratio" else (".2%", "")
        input_col = MEASURE_INPUTS[measure]
        parts.append(
            Findings(
                violations=violations_frame(
                    metric,
                    "parcels",
                    ids[broken],
                    year=year,
                    measured=value[broken],
                    limit=limit[broken],
                    unit=unit,
                    area_m2=measures["area_m2"].to_numpy()[broken],
                    message=sentences(
                        f"{label} ",
                        written(value[broken], spec),
                        f"{after} {'below the minimum' if op == '>=' else 'above the maximum'} ",
                        written(limit[broken], spec),
                        f"{after} (",
                        written(source[broken]),
                        ")",
                    ),
                    geometry=parcels.geometry.values[broken],
                    crs=plan.crs,
                ),
                cannot_judge=cannot_judge_frame(
                    metric,
                    "parcels",
                    ids[unknown],
                    missing=input_col if input_col in parcels.columns else f"{input_col} (no such column)",
                    message=f"{label} cannot be computed: {input_col} is missing or the parcel has no area",
                ),
                checked=(metric,),
            )
        )
    return Findings.combine(parts, settings={"ratio_rel_tolerance": rtol, "parcel_projects": list(rules.parcel_projects)}, year=year, crs=plan.crs)
