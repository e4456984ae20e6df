"""The three control lines (三条控制线): red line and farmland overlaps, the urban development boundary.

Rules (standards reference §3)

``ecological_redline_overlap``
    No construction parcel (2023 classes 06–16, planned or built) may overlap the ecological
    protection red line (生态保护红线; 厅字〔2019〕48号, 自然资发〔2022〕142号).
``basic_farmland_overlap``
    No construction parcel may overlap permanent basic farmland (永久基本农田; 土地管理法 Art. 35).
``outside_urban_development_boundary``
    Every urban-construction parcel must lie inside the urban development boundary (城镇开发边界;
    自然资发〔2023〕193号); the area outside is reported.

Each finding carries the conflict area in m² and mu on the plan's area basis
(:func:`zoneplan.measure.basis_area_m2`: the overlapping pieces are measured like the parcels) and the conflict geometry (the overlapping
part, or the part outside the boundary). Areas at or below the tolerance (default 1 m², survey
slivers; :mod:`zoneplan.compliance.rules`) are not findings; the tolerance is reported in the
settings of the check.

Performance: the spatial index proposes candidate pairs, the control polygon (prepared once)
settles the parcels it holds whole without any overlay, and only the rest are intersected
(:func:`zoneplan._geometry.overlay_pairs`); parcels lying wholly inside the development boundary
are settled the same way (:func:`zoneplan._geometry.parts_outside`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from zoneplan._geometry import overlay_pairs, parts_outside
from zoneplan._memo import follows_data
from zoneplan._text import as_text, joined, sentences, written
from zoneplan._threads import run_all
from zoneplan.compliance._base import area_violations, feature_ids, parcel_flags, polygonal, union_by_group, usable
from zoneplan.compliance.findings import SWITCHED_OFF, Findings
from zoneplan.compliance.rules import Rules, resolve_rules
from zoneplan.layers import CONTROL_LINE_KINDS
from zoneplan.measure import basis_area_m2, plan_area_basis
from zoneplan.plan import Plan
from zoneplan.units import M2_PER_MU

__all__ = ["BOUNDARY_RULE", "OVERLAP_RULES", "control_line_conflicts", "outside", "overlaps"]

#: Control-line kind → rule name of its no-overlap rule (order = precedence of the lines, §3.4).
OVERLAP_RULES: dict[str, str] = {
    "ecological_redline": "ecological_redline_overlap",
    "basic_farmland": "basic_farmland_overlap",
}
#: Rule name of the urban-development-boundary rule.
BOUNDARY_RULE = "outside_urban_development_boundary"


def _geoms(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the usable polygons of ``gdf`` and their geometries as an object array."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    ok = np.flatnonzero(usable(geoms))
    return ok, geoms[ok]


def overlaps(parcels: gpd.GeoDataFrame | gpd.GeoSeries, lines: gpd.GeoDataFrame, *, tolerance_m2: float = 1.0, basis: str | None = None) -> gpd.GeoDataFrame:
    """Overlap of each parcel with a set of control-line polygons.

    Parameters
    ----------
    parcels
        Polygons to test (projected CRS, metres); a GeoSeries of their geometry is enough.
    lines
        Control-line polygons of one kind; a ``name`` column, when present, names them.
    tolerance_m2
        Overlaps of this many m² or less are survey slivers and are left out.
    basis
        Area basis of the overlap areas (``"planar"`` | ``"ellipsoidal"``,
        :func:`zoneplan.measure.basis_area_m2`); None: ``settings.area_basis``.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by the overlapping parcels' index labels (a subset of ``parcels.index``): columns
        ``overlap_m2``, ``overlap_mu``, ``line_ids`` (the control polygons involved, sorted and
        ``;``-joined) and ``geometry`` (the overlapping part, unioned over all control polygons).

    Examples
    --------
    >>> import shapely
    >>> p = gpd.GeoSeries([shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100)], crs=4548)
    >>> red = gpd.GeoDataFrame({"name": ["红线1"]}, geometry=[shapely.box(90, 0, 210, 50)], crs=4548)
    >>> overlaps(p, red, basis="planar")["overlap_m2"].tolist()
    [500.0, 500.0]
    """
    ok, pg = _geoms(parcels)
    lok, lg = _geoms(lines)
    line_names = feature_ids(lines, "control_lines").to_numpy()[lok]
    p_idx, l_idx, inside, pieces = overlay_pairs(pg, lg)
    pieces[inside] = pg[p_idx[inside]]  # a parcel wholly inside a red line overlaps it whole
    area = basis_area_m2(pieces, basis, crs=parcels.crs).to_numpy()
    # The sum over pairs bounds the union from above: parcels at or under the tolerance are done.
    bound = np.bincount(p_idx, weights=area, minlength=len(pg))
    keep = bound[p_idx] > tolerance_m2
    p_idx, l_idx, pieces = p_idx[keep], l_idx[keep], pieces[keep]
    hit, local = np.unique(p_idx, return_inverse=True)
    merged = union_by_group(pieces, local, len(hit))
    merged_area = basis_area_m2(merged, basis, crs=parcels.crs).to_numpy() if len(hit) else np.array([], dtype=float)
    big = merged_area > tolerance_m2
    names = joined(line_names[l_idx], local, len(hit))
    return gpd.GeoDataFrame(
        {
            "overlap_m2": merged_area[big],
            "overlap_mu": merged_area[big] / M2_PER_MU,
            "line_ids": as_text(names.filter(pa.array(big))),
        },
        geometry=polygonal(merged[big]),
        index=parcels.index[ok[hit[big]]],
        crs=parcels.crs,
    )


def outside(parcels: gpd.GeoDataFrame | gpd.GeoSeries, boundary: gpd.GeoDataFrame, *, tolerance_m2: float = 1.0, basis: str | None = None) -> gpd.GeoDataFrame:
    """Part of each parcel lying outside a boundary made of one or more polygons.

    Parameters
    ----------
    parcels
        Polygons to test (projected CRS, metres); a GeoSeries of their geometry is enough.
    boundary
        The boundary polygons (e.g. the urban development boundary); their union is "inside".
    tolerance_m2
        Parcels with this many m² or less outside are inside (survey slivers).
    basis
        Area basis of ``outside_m2`` and ``parcel_m2`` (:func:`zoneplan.measure.basis_area_m2`);
        None: ``settings.area_basis``.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by the labels of the parcels reaching outside: ``outside_m2``, ``outside_mu``,
        ``parcel_m2`` and ``geometry`` (the part outside).

    Examples
    --------
    >>> import shapely
    >>> p = gpd.GeoSeries([shapely.box(0, 0, 100, 100), shapely.box(0, 0, 100, 101)], crs=4548)
    >>> udb = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100)], crs=4548)
    >>> outside(p, udb, basis="planar")["outside_m2"].round(6).tolist()
    [100.0]
    """
    ok, pg = _geoms(parcels)
    _, bg = _geoms(boundary)
    outside_geom = parts_outside(pg, bg)
    outside_area = basis_area_m2(outside_geom, basis, crs=parcels.crs).to_numpy() if len(pg) else np.array([], dtype=float)
    big = outside_area > tolerance_m2
    return gpd.GeoDataFrame(
        {
            "outside_m2": outside_area[big],
            "outside_mu": outside_area[big] / M2_PER_MU,
            "parcel_m2": basis_area_m2(pg[big], basis, crs=parcels.crs).to_numpy(),
        },
        geometry=polygonal(outside_geom[big]),
        index=parcels.index[ok[big]],
        crs=parcels.crs,
    )


@follows_data
def control_line_conflicts(plan: Plan, *, year: int | None = None, rules: Mapping[str, Any] | Rules | None = None) -> Findings:
    """Check construction parcels against the three control lines.

    Parameters
    ----------
    plan
        The plan (layers ``parcels`` and ``control_lines``).
    year
        Judge the plan as it stands in this year (codes in force by
        :func:`zoneplan.analysis.timeline.landuse_at`); None judges the plan as planned.
    rules
        Rules mapping or :class:`~zoneplan.compliance.rules.Rules` (tolerances).

    Returns
    -------
    Findings
        Rules ``ecological_redline_overlap``, ``basic_farmland_overlap``: one violation per
        parcel and kind, measured = overlap m², limit = tolerance m², geometry = the overlap.
        ``outside_urban_development_boundary``: one per urban parcel reaching outside, measured =
        m² outside, geometry = the part outside. A rule whose control line the plan lacks is not
        run (``not_checked``): no red line or farmland polygons means nothing to avoid, but no
        boundary polygons means the boundary rule cannot be judged; a plan without a
        ``control_lines`` layer is not checked against any line.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> found = control_line_conflicts(datasets.load("linqing"))
    >>> found.violations["rule"].value_counts().sort_index().to_dict()
    {'basic_farmland_overlap': 2, 'ecological_redline_overlap': 1, 'outside_urban_development_boundary': 4}
    """
    rules = resolve_rules(plan, rules, year=year)
    if not rules.control_lines:
        return Findings(not_checked={"control_lines": SWITCHED_OFF})
    if "control_lines" not in plan:
        return Findings(not_checked={"control_lines": "the plan has no control_lines layer"})
    parcels = plan.parcels
    lines = plan.control_lines
    basis = plan_area_basis(plan)
    kind = lines["kind"].astype("string") if "kind" in lines.columns else pd.Series(pd.NA, index=lines.index, dtype="string")
    fl = parcel_flags(plan, year)
    ids = feature_ids(parcels, "parcels")
    construction = parcels.geometry[fl["construction"].to_numpy()]

    def overlap_rule(line_kind: str, rule: str) -> gpd.GeoDataFrame | None:
        these = lines[(kind == line_kind).fillna(False).to_numpy()]
        if these.empty or construction.empty:
            return None
        hits = overlaps(construction, these, tolerance_m2=rules.overlap_tolerance_m2, basis=basis)
        label = CONTROL_LINE_KINDS[line_kind]
        return area_violations(
            rule,
            "parcels",
            ids.loc[hits.index],
            other_id=hits["line_ids"],
            year=year,
            area_m2=hits["overlap_m2"],
            tolerance_m2=rules.overlap_tolerance_m2,
            message=sentences(
                "construction parcel (",
                written(fl.loc[hits.index, "code"]),
                f") overlaps {label} ",
                written(hits["line_ids"]),
                " by ",
                written(hits["overlap_mu"].to_numpy(), ",.2f"),
                " mu (",
                written(hits["overlap_m2"].to_numpy(), ",.1f"),
                " m²)",
            ),
            geometry=hits.geometry.values,
            crs=plan.crs,
        )

    boundary = lines[(kind == "urban_development_boundary").fillna(False).to_numpy()]

    def boundary_rule() -> gpd.GeoDataFrame:
        urban = parcels.geometry[fl["urban_construction"].to_numpy()]
        out = outside(urban, boundary, tolerance_m2=rules.boundary_tolerance_m2, basis=basis)
        return area_violations(
            BOUNDARY_RULE,
            "parcels",
            ids.loc[out.index],
            year=year,
            area_m2=out["outside_m2"],
            tolerance_m2=rules.boundary_tolerance_m2,
            message=sentences(
                "urban construction parcel (",
                written(fl.loc[out.index, "code"]),
                ") reaches ",
                written(out["outside_mu"].to_numpy(), ",.2f"),
                " mu (",
                written(out["outside_m2"].to_numpy(), ",.1f"),
                " m², ",
                written((out["outside_m2"] / out["parcel_m2"]).to_numpy(), ".1%"),
                " of it) outside the urban development boundary",
            ),
            geometry=out.geometry.values,
            crs=plan.crs,
        )

    checked = list(OVERLAP_RULES.values())
    not_checked: dict[str, str] = {}
    parts: list[Callable[[], gpd.GeoDataFrame | None]] = [functools.partial(overlap_rule, k, r) for k, r in OVERLAP_RULES.items()]
    if boundary.empty:
        not_checked[BOUNDARY_RULE] = "the plan has no urban_development_boundary polygons in control_lines"
    else:
        checked.append(BOUNDARY_RULE)
        parts.append(boundary_rule)
    found = [f for f in run_all(parts) if f is not None]  # the rules side by side when a thread is free
    return Findings.combine(
        [Findings(violations=f) for f in found] + [Findings(checked=tuple(checked), not_checked=not_checked)],
        settings={"overlap_tolerance_m2": rules.overlap_tolerance_m2, "boundary_tolerance_m2": rules.boundary_tolerance_m2},
        year=year,
        crs=plan.crs,
        area_basis=basis,
    )
