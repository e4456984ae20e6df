"""Phases (分期): inside the zone, of the target size, on schedule.

Rules

``phase_outside_zone``
    A phase polygon, or a parcel of a phase, reaching outside the phase's zone (more than the
    overlap tolerance, default 1 m²); geometry = the part outside.
``phase_area``
    A phase whose area differs from its ``target_area_mu`` by more than ``phase_area_tolerance``
    (default 1 %: plan documents give "about" figures, e.g. Zhangdian phase 1 约1022亩); measured
    = the phase's area in mu, limit = the target, area = the difference.
``phase_schedule``
    A construction parcel of a phase whose ``built_year`` — or, not yet built, whose
    ``planned_year`` — is after the phase's ``end_year``; and, when the plan is judged in the end
    year or later, a parcel of the phase not recorded as built (no ``built_year``, status not
    ``built``) — the record, not the plan's intention, decides. Judging the plan as planned (no
    year), a parcel of a phase with an end year but neither a built nor a planned year cannot be
    judged. Parcels of status ``unbuildable`` and non-construction land are left out.

Every area (a phase's, a part outside, a late parcel's) is on the plan's area basis
(:func:`zoneplan.measure.basis_area_m2`).

Parcels belong to the phase of :func:`zoneplan.analysis.grouping.assign_groups` (their
``phase_id``, else the phase polygon holding their representative point).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from zoneplan._geometry import parts_outside
from zoneplan._memo import follows_data
from zoneplan._text import either, sentences, written
from zoneplan.compliance._base import (
    area_violations,
    cannot_judge_frame,
    feature_ids,
    group_of,
    parcel_flags,
    polygonal,
    usable,
    violations_frame,
)
from zoneplan.compliance.findings import SWITCHED_OFF, Findings
from zoneplan.compliance.rules import Rules, resolve_rules
from zoneplan.measure import basis_area_m2, plan_area_basis
from zoneplan.plan import Plan
from zoneplan.state import parcel_areas
from zoneplan.units import M2_PER_MU

__all__ = ["PHASE_RULES", "outside_own_zone", "phase_findings"]

PHASE_RULES = ("phase_outside_zone", "phase_area", "phase_schedule")


def outside_own_zone(gdf: gpd.GeoDataFrame | gpd.GeoSeries, zone_ids: pd.Series, zones: gpd.GeoDataFrame, *, basis: str | None = None) -> gpd.GeoDataFrame:
    """Part of each feature outside the zone named by ``zone_ids`` (row by row, vectorised).

    Parameters
    ----------
    gdf
        Features (projected CRS); a GeoSeries of their geometry is enough.
    zone_ids
        Zone id of each feature, aligned to ``gdf``; features with no or an unknown zone are left out.
    zones
        The zones layer (``zone_id``); several polygons of one zone are unioned.
    basis
        Area basis of ``outside_m2`` (:func:`zoneplan.measure.basis_area_m2`); None:
        ``settings.area_basis``.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed like the judged features: ``zone_id``, ``outside_m2`` and ``geometry`` (part
        outside; empty for features inside), by :func:`zoneplan._geometry.parts_outside`.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> outside_own_zone(plan.phases, plan.phases["zone_id"], plan.zones)["outside_m2"].round(1).tolist()  # every phase inside its zone
    [0.0, 0.0, 0.0]
    >>> moved = plan.phases.geometry.translate(5000, 0)  # drawn 5 km east, off the zone: wholly outside
    >>> (outside_own_zone(moved, plan.phases["zone_id"], plan.zones)["outside_m2"] / (10000 / 15)).round().tolist()
    [1022.0, 1872.0, 1400.0]
    """
    zone_geom = zones[usable(zones.geometry)].dissolve("zone_id").geometry if len(zones) else gpd.GeoSeries([], crs=gdf.crs)
    zone_geom.index = zone_geom.index.astype(str)
    zid = zone_ids.astype("string")
    keep = (zid.isin(zone_geom.index) & pd.Series(usable(gdf.geometry), index=gdf.index)).fillna(False).to_numpy(dtype=bool)
    geoms = np.asarray(gdf.geometry.values, dtype=object)[keep]
    codes, uniques = zid[keep].factorize()  # a few zones over many features: look each up once
    part = parts_outside(geoms, zone_geom.to_numpy(), owner=zone_geom.index.get_indexer(uniques.astype(str))[codes])
    return gpd.GeoDataFrame(
        {"zone_id": zid[keep].array, "outside_m2": basis_area_m2(part, basis, crs=gdf.crs).to_numpy() if len(part) else np.zeros(0)},
        geometry=polygonal(part),
        index=gdf.index[keep],
        crs=gdf.crs,
    )


def _looked_up(by_phase: pd.Series, member: pd.Series) -> pd.Series:
    """``by_phase`` (indexed by phase id) at each parcel's phase, aligned to ``member`` (missing: NA).

    ``reindex`` with a million labels turns the Arrow strings into Python objects to hash them;
    the parcels' phase ids are factorised instead (a few hundred distinct) and looked up once.
    """
    codes, uniques = member.factorize(use_na_sentinel=True)
    values = by_phase.reindex(uniques).array
    return pd.Series(values.take(codes, allow_fill=True), index=member.index)


@follows_data
def phase_findings(plan: Plan, *, year: int | None = None, rules: Mapping[str, Any] | Rules | None = None) -> Findings:
    """Check every phase: inside its zone, area against target, schedule against end year.

    Parameters
    ----------
    plan
        The plan (layers ``phases``, ``zones``, ``parcels``).
    year
        The year judged (enables the "not built by the end year" rule); None judges the plan's data.
    rules
        Rules mapping or :class:`~zoneplan.compliance.rules.Rules` (``phase_area_tolerance``,
        ``overlap_tolerance_m2``).

    Returns
    -------
    Findings
        Rules ``phase_outside_zone``, ``phase_area``, ``phase_schedule``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> found = phase_findings(datasets.load("zhangdian"))
    >>> len(found.violations)  # the three phases lie inside their zone and keep their schedules
    0
    """
    rules = resolve_rules(plan, rules, year=year)
    if not rules.phases:
        return Findings(not_checked={"phases": SWITCHED_OFF})
    phases = plan.phases
    if phases.empty:
        return Findings(not_checked={"phases": "the plan has no phases layer"})
    parcels = plan.parcels
    phase_ids = feature_ids(phases, "phases")
    parcel_ids = feature_ids(parcels, "parcels")
    parts: list[Findings] = [Findings(checked=PHASE_RULES)]
    tol = rules.overlap_tolerance_m2
    basis = plan_area_basis(plan)

    # -- inside the zone ------------------------------------------------------------------------
    member = group_of(plan, "phase")
    phase_zone = (
        pd.Series(phases["zone_id"].astype("string").to_numpy(), index=phase_ids.to_numpy()) if "zone_id" in phases.columns else pd.Series(dtype="string")
    )
    phase_zone = phase_zone[~phase_zone.index.duplicated()]
    in_phase = member.notna() & member.isin(phase_zone.index)
    for layer, gdf, zid, ids, other in (
        ("phases", phases, phases["zone_id"] if "zone_id" in phases.columns else pd.Series(pd.NA, index=phases.index), phase_ids, None),
        (
            "parcels",
            parcels.geometry[in_phase.to_numpy()],
            _looked_up(phase_zone, member[in_phase]),
            parcel_ids,
            member,
        ),
    ):
        out = outside_own_zone(gdf, zid, plan.zones, basis=basis)
        out = out[out["outside_m2"] > tol]
        parts.append(
            Findings(
                violations=area_violations(
                    "phase_outside_zone",
                    layer,
                    ids.loc[out.index],
                    other_id=None if other is None else other.loc[out.index],
                    year=year,
                    area_m2=out["outside_m2"],
                    tolerance_m2=tol,
                    message=sentences(
                        "phase" if other is None else sentences("parcel of phase ", written(other.loc[out.index])),
                        " reaches ",
                        written(out["outside_m2"].to_numpy() / M2_PER_MU, ",.2f"),
                        " mu (",
                        written(out["outside_m2"].to_numpy(), ",.1f"),
                        " m²) outside zone ",
                        written(out["zone_id"]),
                    ),
                    geometry=out.geometry.values,
                    crs=plan.crs,
                )
            )
        )

    # -- area against target --------------------------------------------------------------------
    if "target_area_mu" in phases.columns:
        area_mu = basis_area_m2(phases, basis) / M2_PER_MU
        target = pd.to_numeric(phases["target_area_mu"], errors="coerce")
        off = ((area_mu - target).abs() > rules.phase_area_tolerance * target).fillna(False).to_numpy(dtype=bool)
        parts.append(
            Findings(
                violations=violations_frame(
                    "phase_area",
                    "phases",
                    phase_ids[off],
                    year=year,
                    measured=area_mu[off],
                    limit=target[off],
                    unit="mu",
                    area_m2=(area_mu[off] - target[off]).abs().to_numpy() * M2_PER_MU,
                    message=[
                        f"phase area {a:,.2f} mu differs from its target {t:,.2f} mu by {(a - t) / t:+.2%} (tolerance {rules.phase_area_tolerance:.0%})"
                        for a, t in zip(area_mu[off], target[off])
                    ],
                    geometry=phases.geometry.values[off],
                    crs=plan.crs,
                )
            )
        )

    # -- schedule -------------------------------------------------------------------------------
    if "end_year" in phases.columns:
        end_by_phase = pd.Series(pd.to_numeric(phases["end_year"], errors="coerce").to_numpy(), index=phase_ids.to_numpy())
        end_by_phase = end_by_phase[~end_by_phase.index.duplicated()]
        end = pd.Series(_looked_up(end_by_phase, member).to_numpy(), index=parcels.index)

        def years(col: str) -> pd.Series:
            return pd.to_numeric(parcels[col], errors="coerce").astype("float64") if col in parcels.columns else pd.Series(np.nan, index=parcels.index)

        built_year, planned_year = years("built_year"), years("planned_year")
        status = parcels["status"].astype("string") if "status" in parcels.columns else pd.Series(pd.NA, index=parcels.index, dtype="string")
        subject = (end.notna() & parcel_flags(plan, None)["construction"] & (status != "unbuildable").fillna(True)).to_numpy(dtype=bool)
        is_built = (built_year.notna() | (status == "built").fillna(False)).to_numpy(dtype=bool)
        late_built = subject & (built_year > end).to_numpy(dtype=bool)
        late_plan = subject & ~is_built & (planned_year > end).to_numpy(dtype=bool)
        overdue = subject & ~is_built & ~late_plan & (np.zeros(len(parcels), bool) if year is None else (end <= year).fillna(False).to_numpy(dtype=bool))
        unknown = subject & ~is_built & planned_year.isna().to_numpy() if year is None else np.zeros(len(parcels), dtype=bool)
        measured = np.where(late_built, built_year, np.where(late_plan, planned_year, np.nan))
        bad = late_built | late_plan | overdue
        what = np.where(late_built[bad], "built in", np.where(late_plan[bad], "planned for", "not built by"))
        parts.append(
            Findings(
                violations=violations_frame(
                    "phase_schedule",
                    "parcels",
                    parcel_ids[bad],
                    other_id=member[bad],
                    year=year,
                    measured=measured[bad],
                    limit=end[bad],
                    unit="year",
                    area_m2=parcel_areas(plan, basis)[bad],
                    message=sentences(
                        "parcel of phase ",
                        written(member[bad]),
                        either(
                            overdue[bad],
                            f" is not built by {year}; the phase was to end in ",
                            sentences(" ", written(what), " ", written(np.nan_to_num(measured[bad], nan=-1).astype(np.int64)), ", after the phase's end year "),
                        ),
                        written(end[bad].to_numpy(dtype=np.int64)),
                    ),
                    geometry=parcels.geometry.values[bad],
                    crs=plan.crs,
                ),
                cannot_judge=cannot_judge_frame(
                    "phase_schedule",
                    "parcels",
                    parcel_ids[unknown],
                    missing="planned_year",
                    message=sentences(
                        "parcel of phase ",
                        written(member[unknown]),
                        " is not built and has no planned_year to compare with the end year ",
                        written(end[unknown].to_numpy(dtype=np.int64)),
                    ),
                ),
            )
        )
    return Findings.combine(parts, settings={"phase_area_tolerance": rules.phase_area_tolerance}, year=year, crs=plan.crs, area_basis=basis)
