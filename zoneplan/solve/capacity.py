"""Build-out capacity: what the land still to be developed holds at the plan's own intensities.

The **developable land** of a parcel is the part of a ``ready`` or ``unready`` parcel with a
construction-land code (2023 classes 06–16, as planned) that the control lines do not forbid
(:func:`zoneplan.analysis.remaining.forbidden_area`: red line, basic farmland, outside the urban
development boundary). Its capacity at the plan's intensities:

=====================  ======================================================================
column                 rate used (first that exists), and its source in ``*_source``
=====================  ======================================================================
``floor_area_m2``      developable m² × plot ratio: the ``far`` given; the parcel's
                       ``parcel_min_far`` rule (industrial land); the composite plot ratio of
                       the plan's built parcels of the same level-2 class (Σ floor / Σ area);
                       the zone's composite plot ratio (综合容积率 of the evaluation)
``investment_yuan``    developable industrial m² × intensity: the ``investment_wan_per_mu``
                       given; the parcel's ``parcel_min_investment_intensity_wan_per_mu`` rule;
                       the zone's ``investment_intensity_wan_per_mu`` target
``tax_yuan``           developable industrial m² × the ``tax_wan_per_mu`` given, else the
                       zone's ``tax_per_mu_wan`` target, else the plan's built industrial tax
                       per mu (:func:`zoneplan.analysis.evaluation_indicators`)
=====================  ======================================================================

A rate that cannot be found is NaN — never zero — and its source says so. Areas are m² on the plan's area basis
(``area_basis``, :func:`zoneplan.measure.plan_area_basis`), presented in mu.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zoneplan.analysis._frame import group_sum, parcel_frame
from zoneplan.analysis._frame import groups as parcel_groups
from zoneplan.analysis.grouping import Level
from zoneplan.analysis.intensity import evaluation_indicators
from zoneplan.analysis.remaining import forbidden_area
from zoneplan.analysis.timeline import BUILT, READY, UNREADY
from zoneplan.compliance.parcel_rules import parcel_limits
from zoneplan.compliance.rules import resolve_rules
from zoneplan.measure import plan_area_basis
from zoneplan.plan import Plan
from zoneplan.units import M2_PER_MU, YUAN_PER_WAN

__all__ = ["CAPACITY_COLUMNS", "capacity", "parcel_capacity"]

#: Columns of :func:`capacity`.
CAPACITY_COLUMNS = [
    "level",
    "group_id",
    "developable_mu",
    "developable_industrial_mu",
    "floor_area_m2",
    "investment_yuan",
    "tax_yuan",
    "investment_wan",
    "tax_wan",
    "area_basis",
]
_PER_M2 = YUAN_PER_WAN / M2_PER_MU  # yuan per m² at 1 万元/亩


def _zone_target(plan: Plan, metric: str) -> pd.Series:
    """Zone id → the zone's target value of ``metric`` (the latest year's)."""
    t = plan.targets
    if t.empty:
        return pd.Series(dtype=float)
    t = t[t["metric"].astype("string") == metric].sort_values("year", na_position="first")
    return pd.Series(pd.to_numeric(t["value"]).to_numpy(dtype=float), index=t["scope"].astype(str).to_numpy()).groupby(level=0).last()


def parcel_capacity(
    plan: Plan,
    *,
    far: float | None = None,
    investment_wan_per_mu: float | None = None,
    tax_wan_per_mu: float | None = None,
) -> pd.DataFrame:
    """Capacity of every parcel's developable land, aligned to ``plan.parcels.index``.

    Parameters
    ----------
    plan
        The plan.
    far, investment_wan_per_mu, tax_wan_per_mu
        Rates to use instead of the plan's (module docstring).

    Returns
    -------
    pandas.DataFrame
        ``developable_m2``, ``industrial`` (bool), ``far``, ``floor_area_m2``,
        ``investment_wan_per_mu``, ``investment_yuan``, ``tax_wan_per_mu``, ``tax_yuan`` and
        the rates' sources ``far_source``, ``investment_source``, ``tax_source``; zero
        developable land gives zero capacity, an unknown rate NaN.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> cap = parcel_capacity(datasets.load("linqing"))
    >>> cap.loc[cap["industrial"] & (cap["developable_m2"] > 0), "investment_wan_per_mu"].unique().tolist()
    [280.0]
    """
    parcels = plan.parcels
    n = len(parcels)
    frame = parcel_frame(plan, None)
    st = frame["st"].to_numpy()
    free = np.isin(st, [READY, UNREADY]) & frame["construction"].to_numpy()
    area = frame["area_m2"].to_numpy()
    developable = np.where(free, np.maximum(area - forbidden_area(plan, parcels.geometry), 0.0), 0.0)
    industrial = frame["industrial"].to_numpy()
    rules = resolve_rules(plan)
    limits = parcel_limits(plan, year=None, rules=rules) if rules.parcel_rules else pd.DataFrame(index=parcels.index)
    zone = parcel_groups(plan, "zone").astype("string").to_numpy(dtype=object, na_value=None)

    def rule(metric: str) -> np.ndarray:
        return limits[metric].to_numpy(dtype=float) if metric in limits.columns else np.full(n, np.nan)

    # plot ratio
    code2 = frame["code"].astype("string").str[:4].to_numpy(dtype=object, na_value=None)
    built = st == BUILT
    floor = frame["floor_area_m2"].to_numpy()
    has_floor = built & ~np.isnan(floor)
    class_far = pd.DataFrame({"c": code2[has_floor], "f": floor[has_floor], "a": area[has_floor]}).groupby("c").sum()
    class_far = (class_far["f"] / class_far["a"]).to_dict()
    far_rule = np.where(industrial, rule("parcel_min_far"), np.nan)
    far_class = np.array([class_far.get(c, np.nan) for c in code2], dtype=float)
    zone_far = evaluation_indicators(plan, by="zone")["composite_far"]
    far_zone = np.array([zone_far.get(z, np.nan) if z else np.nan for z in zone], dtype=float)
    if far is not None:
        far_v, far_src = np.full(n, float(far)), np.full(n, "given", dtype=object)
    else:
        far_v = np.where(~np.isnan(far_rule), far_rule, np.where(~np.isnan(far_class), far_class, far_zone))
        far_src = np.where(
            ~np.isnan(far_rule),
            "parcel_min_far rule",
            np.where(~np.isnan(far_class), "built parcels of the class", np.where(~np.isnan(far_zone), "zone composite plot ratio", "unknown")),
        )
    # investment intensity
    inv_target = _zone_target(plan, "investment_intensity_wan_per_mu")
    inv_zone = np.array([inv_target.get(z, np.nan) if z else np.nan for z in zone], dtype=float)
    inv_rule = rule("parcel_min_investment_intensity_wan_per_mu")
    if investment_wan_per_mu is not None:
        inv_v, inv_src = np.full(n, float(investment_wan_per_mu)), np.full(n, "given", dtype=object)
    else:
        inv_v = np.where(~np.isnan(inv_rule), inv_rule, inv_zone)
        inv_src = np.where(
            ~np.isnan(inv_rule),
            "parcel_min_investment_intensity_wan_per_mu rule",
            np.where(~np.isnan(inv_zone), "zone investment_intensity_wan_per_mu target", "unknown"),
        )
    # tax per mu
    tax_target = _zone_target(plan, "tax_per_mu_wan")
    built_tax = evaluation_indicators(plan, by="zone")["tax_per_mu_wan"]
    tax_t = np.array([tax_target.get(z, np.nan) if z else np.nan for z in zone], dtype=float)
    tax_b = np.array([built_tax.get(z, np.nan) if z else np.nan for z in zone], dtype=float)
    if tax_wan_per_mu is not None:
        tax_v, tax_src = np.full(n, float(tax_wan_per_mu)), np.full(n, "given", dtype=object)
    else:
        tax_v = np.where(~np.isnan(tax_t), tax_t, tax_b)
        tax_src = np.where(~np.isnan(tax_t), "zone tax_per_mu_wan target", np.where(~np.isnan(tax_b), "built industrial land of the zone", "unknown"))
    ind_dev = np.where(industrial, developable, 0.0)
    zero = developable == 0

    def capacity_of(base: np.ndarray, rate: np.ndarray) -> np.ndarray:
        return np.where(base == 0, 0.0, base * rate)

    not_ind = ~industrial
    return pd.DataFrame(
        {
            "developable_m2": developable,
            "industrial": industrial,
            "far": np.where(zero, np.nan, far_v),
            "floor_area_m2": capacity_of(developable, far_v),
            "investment_wan_per_mu": np.where(zero | not_ind, np.nan, inv_v),
            "investment_yuan": capacity_of(ind_dev, inv_v * _PER_M2),
            "tax_wan_per_mu": np.where(zero | not_ind, np.nan, tax_v),
            "tax_yuan": capacity_of(ind_dev, tax_v * _PER_M2),
            "far_source": np.where(zero, None, far_src),  # type: ignore[call-overload]  # numpy stubs refuse None, an object scalar to np.where
            "investment_source": np.where(zero | not_ind, None, inv_src),  # type: ignore[call-overload]  # numpy stubs refuse None, an object scalar to np.where
            "tax_source": np.where(zero | not_ind, None, tax_src),  # type: ignore[call-overload]  # numpy stubs refuse None, an object scalar to np.where
        },
        index=parcels.index,
    )


def capacity(
    plan: Plan,
    *,
    by: Level = "zone",
    far: float | None = None,
    investment_wan_per_mu: float | None = None,
    tax_wan_per_mu: float | None = None,
) -> pd.DataFrame:
    """Build-out capacity of the developable land per zone, district, park or phase.

    Parameters
    ----------
    plan
        The plan.
    by
        Grouping level.
    far, investment_wan_per_mu, tax_wan_per_mu
        Rates to use instead of the plan's (module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per group (:data:`CAPACITY_COLUMNS`): developable land (all, industrial) in mu,
        floor area (m²), investment and tax (yuan, and 万元), ``area_basis``. A sum is NaN when
        a rate it needs is unknown for some developable parcel of the group.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> cap = capacity(datasets.load("linqing"), by="district")
    >>> cap[["group_id", "developable_mu"]].round(0).to_dict("records")[0]["group_id"]
    'linqing-city'
    """
    per = parcel_capacity(plan, far=far, investment_wan_per_mu=investment_wan_per_mu, tax_wan_per_mu=tax_wan_per_mu)
    sums = group_sum(
        plan,
        by,
        {
            "developable_m2": per["developable_m2"].to_numpy(),
            "developable_industrial_m2": np.where(per["industrial"], per["developable_m2"], 0.0),
        },
    )
    # NaN where a needed rate is unknown: a plain sum (NaN propagates), groups via the same codes
    money = group_sum(plan, by, {c: per[c].to_numpy() for c in ("floor_area_m2", "investment_yuan", "tax_yuan")}, skipna_min_count=True)
    unknown = group_sum(
        plan,
        by,
        {
            c: per[c].isna().to_numpy() & (per["developable_m2"].to_numpy() > 0) & (per["industrial"].to_numpy() | (c == "floor_area_m2"))
            for c in ("floor_area_m2", "investment_yuan", "tax_yuan")
        },
    )
    for c in ("floor_area_m2", "investment_yuan", "tax_yuan"):
        money[c] = money[c].where(unknown[c] == 0).fillna(0.0).where(unknown[c] == 0)
    out = pd.DataFrame(
        {
            "level": by,
            "group_id": sums.index.astype("string"),
            "developable_mu": sums["developable_m2"].to_numpy() / M2_PER_MU,
            "developable_industrial_mu": sums["developable_industrial_m2"].to_numpy() / M2_PER_MU,
            "floor_area_m2": money["floor_area_m2"].to_numpy(),
            "investment_yuan": money["investment_yuan"].to_numpy(),
            "tax_yuan": money["tax_yuan"].to_numpy(),
            "investment_wan": money["investment_yuan"].to_numpy() / YUAN_PER_WAN,
            "tax_wan": money["tax_yuan"].to_numpy() / YUAN_PER_WAN,
            "area_basis": plan_area_basis(plan),
        }
    )
    return out[CAPACITY_COLUMNS].reset_index(drop=True)
