"""A phase being edited in the workbench: its geometry, areas, attributes and the rules it breaks.

Everything here runs on the server, on the plan as saved, so what the browser shows before a save
is what ``zoneplan check`` will say after it.

Geometry
    A phase is composed of parcels (their union, so its edges are the parcels' edges) or drawn
    freehand in lon-lat; a drawn outline is snapped to the edges of the parcels within
    ``snap_m`` metres (vertices and edges, :func:`shapely.snap`) and repaired with
    :func:`shapely.make_valid`.
Areas
    Planar in the plan's Gauss–Krüger CRS and ellipsoidal (椭球面积) on the plan's ellipsoid by the
    national method (:func:`zoneplan.measure.ellipsoidal_area_m2`), each labelled with its basis.
Rules
    The candidate phase is judged against the red line and permanent basic farmland
    (:func:`zoneplan.compliance.control_lines.overlaps`), the urban development boundary
    (:func:`~zoneplan.compliance.control_lines.outside`), its zone
    (:func:`zoneplan.compliance.phases.outside_own_zone`) and the land quotas of its years
    (:func:`zoneplan.compliance.quotas.judge_quotas`): the phase's land not yet supplied as
    construction land (the part not covered by parcels that already count as consumption) is
    spread evenly over its years ``start_year``–``end_year`` and added to the zone's use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import mapping, shape

from zoneplan.compliance.control_lines import BOUNDARY_RULE, OVERLAP_RULES, outside, overlaps
from zoneplan.compliance.findings import rule_title
from zoneplan.compliance.phases import outside_own_zone
from zoneplan.compliance.quotas import QUOTA_RULE, judge_quotas
from zoneplan.compliance.rules import resolve_rules
from zoneplan.errors import InputError
from zoneplan.ids import unique_id
from zoneplan.layers import conform_layer
from zoneplan.measure import area_m2, basis_area_m2, ellipsoid_of, ellipsoidal_area_m2, plan_area_basis
from zoneplan.plan import Plan
from zoneplan.units import M2_PER_MU, yi_to_yuan

__all__ = ["FORM_FIELDS", "check_attributes", "from_lonlat", "phase_areas", "phase_geometry", "phase_row", "phase_rules", "phases_geojson", "to_lonlat"]

#: The form's fields: name → (label, kind, required). Stored in the layer contract's columns
#: (investment is entered in 亿元 and stored as ``investment_yuan``).
FORM_FIELDS: dict[str, tuple[str, str, bool]] = {
    "phase_no": ("分期号 Phase number", "int", True),
    "name": ("名称 Name", "text", True),
    "zone_id": ("开发区 Zone", "zone", True),
    "start_year": ("开始年份 Start year", "year", True),
    "end_year": ("结束年份 End year", "year", True),
    "investment_yi": ("投资 Investment (亿元)", "number", False),
}
_YEARS = (1949, 2100)


def to_lonlat(geom: shapely.Geometry, crs: pyproj.CRS) -> shapely.Geometry:
    """``geom`` (in ``crs``) as EPSG:4326 lon-lat."""
    return gpd.GeoSeries([geom], crs=crs).to_crs(4326).iloc[0]


def from_lonlat(geom: shapely.Geometry, crs: pyproj.CRS) -> shapely.Geometry:
    """``geom`` in EPSG:4326 lon-lat, projected to ``crs``."""
    return gpd.GeoSeries([geom], crs=4326).to_crs(crs).iloc[0]


def _drawn(geojson: Mapping[str, Any], crs: pyproj.CRS) -> shapely.Geometry:
    try:
        geom = shape(geojson)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"the drawn outline is not a GeoJSON polygon: {exc}", layer="phases", rule="phase-geometry") from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise InputError(f"the drawn outline must be a polygon, not {geom.geom_type}", layer="phases", rule="phase-geometry")
    return from_lonlat(geom, crs)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    geom = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def phase_geometry(plan: Plan, *, parcel_ids: Sequence[str] | None = None, drawn: Mapping[str, Any] | None = None, snap_m: float = 2.0) -> shapely.Geometry:
    """The phase polygon (plan CRS) from parcels (their union) or a drawn lon-lat outline (snapped).

    Parameters
    ----------
    plan
        The plan.
    parcel_ids
        ``parcel_id`` values of the parcels composing the phase.
    drawn
        A GeoJSON Polygon/MultiPolygon in EPSG:4326 (used when no parcels are given).
    snap_m
        Vertices of a drawn outline within this many metres of a parcel edge move onto it.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> g = phase_geometry(plan, parcel_ids=["LQC-0703", "LQC-0704"])
    >>> g.geom_type, round(g.area / M2_PER_MU, 2)  # two parcels across a road: 50.68 + 22.37 mu
    ('MultiPolygon', 73.05)
    """
    parcels = plan.parcels
    if parcel_ids:
        ids = parcels["parcel_id"].astype("string")
        wanted = pd.Index([str(i) for i in parcel_ids])
        unknown = wanted.difference(pd.Index(ids.dropna()))
        if len(unknown):
            raise InputError(f"no parcel {', '.join(map(str, unknown[:5]))} in the plan", layer="parcels", feature=str(unknown[0]), rule="phase-geometry")
        return _polygonal(shapely.union_all(parcels.geometry.values[ids.isin(wanted).to_numpy(dtype=bool)]))
    if drawn is None:
        raise InputError("a phase needs parcels or a drawn outline", layer="phases", rule="phase-geometry")
    geom = _polygonal(_drawn(drawn, plan.crs))
    if snap_m > 0 and len(parcels):
        near = shapely.STRtree(parcels.geometry.values).query(geom, predicate="dwithin", distance=snap_m)
        if len(near):
            edges = shapely.union_all(shapely.boundary(parcels.geometry.values[near]))
            geom = _polygonal(shapely.snap(geom, edges, snap_m))
    return geom


def phase_areas(geom: shapely.Geometry, crs: pyproj.CRS) -> dict[str, Any]:
    """Planar and ellipsoidal area of ``geom`` in m² and mu, with the basis of each.

    Planar: :func:`zoneplan.measure.area_m2`; ellipsoidal: :func:`zoneplan.measure.ellipsoidal_area_m2`
    (椭球面积 by the national method, on the CRS's ellipsoid).

    Examples
    --------
    >>> a = phase_areas(shapely.box(500000, 4000000, 501000, 4001000), pyproj.CRS.from_epsg(4548))
    >>> a["planar_m2"], round(a["planar_mu"], 2), a["ellipsoidal_m2"] < a["planar_m2"], a["ellipsoidal_basis"]
    (1000000.0, 1500.0, True, '椭球 ellipsoidal, CGCS2000 (国土调查办发〔2008〕32号)')
    """
    one = gpd.GeoSeries([geom], crs=crs)
    planar = float(area_m2(one).iloc[0])
    ellipsoidal = float(ellipsoidal_area_m2(one).iloc[0]) if not geom.is_empty else 0.0
    epsg = crs.to_epsg()
    return {
        "planar_m2": planar,
        "planar_mu": planar / M2_PER_MU,
        "planar_basis": f"平面 planar, {'EPSG:' + str(epsg) if epsg else crs.name}",
        "ellipsoidal_m2": ellipsoidal,
        "ellipsoidal_mu": ellipsoidal / M2_PER_MU,
        "ellipsoidal_basis": f"椭球 ellipsoidal, {ellipsoid_of(crs).name} (国土调查办发〔2008〕32号)",
    }


def _int(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    number = float(str(value).strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    if not number.is_integer():
        raise ValueError
    return int(number)


def check_attributes(plan: Plan, values: Mapping[str, Any], *, editing: str | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Attributes of the form checked against the phases layer contract.

    Parameters
    ----------
    plan
        The plan (its zones and existing phases: phase numbers are unique within a zone).
    values
        The form: :data:`FORM_FIELDS` names → text or numbers.
    editing
        ``phase_id`` of the phase being reshaped (its own number is not a duplicate).

    Returns
    -------
    (dict, dict)
        The clean values (contract columns: ``phase_no`` …, ``investment_yuan``) and field → message
        for each field that is wrong (empty when the form is valid).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> clean, errors = check_attributes(plan, {"phase_no": "2", "name": "", "zone_id": "zhangdian", "start_year": "2026", "end_year": "2025"})
    >>> sorted(errors)
    ['end_year', 'name', 'phase_no']
    >>> errors["phase_no"]
    'phase 2 already exists in zone zhangdian (zhangdian-phase-2)'
    """
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    zones = plan.zones["zone_id"].astype("string").dropna().tolist() if "zone_id" in plan.zones else []
    for name, (label, kind, required) in FORM_FIELDS.items():
        raw = values.get(name)
        empty = raw is None or (isinstance(raw, str) and not raw.strip())
        if empty:
            if required:
                errors[name] = f"{label}: required"
            clean[name] = None
            continue
        try:
            if kind == "text":
                clean[name] = str(raw).strip()
            elif kind == "zone":
                if str(raw) not in zones:
                    errors[name] = f"{label}: unknown zone {raw!r}; the plan's zones are {zones}"
                clean[name] = str(raw)
            elif kind == "number":
                number = float(str(raw).strip())
                if not np.isfinite(number) or number < 0:
                    raise ValueError
                clean[name] = number
            else:
                clean[name] = _int(raw)
                if kind == "int" and clean[name] < 1:
                    errors[name] = f"{label}: a whole number of 1 or more"
                if kind == "year" and not _YEARS[0] <= clean[name] <= _YEARS[1]:
                    errors[name] = f"{label}: a year between {_YEARS[0]} and {_YEARS[1]}"
        except (TypeError, ValueError):
            errors[name] = f"{label}: {'a non-negative number' if kind == 'number' else 'a whole number'}, not {raw!r}"
            clean[name] = None
    if (
        clean.get("start_year")
        and clean.get("end_year")
        and "start_year" not in errors
        and "end_year" not in errors
        and clean["end_year"] < clean["start_year"]
    ):
        errors["end_year"] = f"{FORM_FIELDS['end_year'][0]}: {clean['end_year']} is before the start year {clean['start_year']}"
    phases = plan.phases
    if clean.get("phase_no") and clean.get("zone_id") and "phase_no" not in errors and len(phases):
        same = phases[
            (pd.to_numeric(phases["phase_no"], errors="coerce") == clean["phase_no"]).to_numpy()
            & (phases["zone_id"].astype("string") == clean["zone_id"]).fillna(False).to_numpy()
        ]
        same = same[same["phase_id"].astype("string") != editing] if editing else same
        if len(same):
            errors["phase_no"] = f"phase {clean['phase_no']} already exists in zone {clean['zone_id']} ({same['phase_id'].iloc[0]})"
    invest = clean.pop("investment_yi", None)
    clean["investment_yuan"] = None if invest is None else float(yi_to_yuan(invest))
    return clean, errors


def _finding(rule: str, area_m2: float, message: str, geom: shapely.Geometry | None, crs: pyproj.CRS, **extra: Any) -> dict[str, Any]:
    return {
        "rule": rule,
        "title": rule_title(rule),
        "area_m2": float(area_m2),
        "area_mu": float(area_m2) / M2_PER_MU,
        "message": message,
        "geometry": mapping(to_lonlat(geom, crs)) if geom is not None and not geom.is_empty else None,
        **extra,
    }


def _new_land_m2(plan: Plan, geom: shapely.Geometry) -> float:
    """Area of ``geom`` not covered by parcels that already count as new construction land (the plan's basis)."""
    from zoneplan.analysis._frame import base_frame, parcel_frame

    frame = parcel_frame(plan, None)
    consumed = frame["construction"].to_numpy() & ~np.isnan(base_frame(plan)["supply_year"].to_numpy())
    taken = plan.parcels.geometry.values[consumed]
    near = shapely.STRtree(taken).query(geom, predicate="intersects") if len(taken) else np.array([], dtype=int)
    new = geom if not len(near) else shapely.difference(geom, shapely.union_all(taken[near]))
    return float(basis_area_m2(np.array([new], dtype=object), plan).iloc[0])


def phase_rules(plan: Plan, geom: shapely.Geometry, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The rules the candidate phase breaks, and the rules that could not be judged.

    Parameters
    ----------
    plan
        The plan as saved (the candidate replaces the phase being reshaped, if any).
    geom
        The phase polygon in the plan's CRS.
    attributes
        Clean attributes from :func:`check_attributes` (``zone_id``, ``start_year``, ``end_year``).

    Returns
    -------
    dict
        ``violations`` (rule, title, area in m² and mu, message, conflict geometry in lon-lat),
        ``checked`` (rules judged) and ``not_checked`` (rule → why not).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> g = phase_geometry(plan, parcel_ids=["LQC-0703"])
    >>> out = phase_rules(plan, g, {"zone_id": "linqing", "start_year": 2024, "end_year": 2025})
    >>> [v["rule"] for v in out["violations"]], round(out["violations"][0]["area_mu"], 2)
    (['ecological_redline_overlap', 'outside_urban_development_boundary'], 15.0)
    """
    rules = resolve_rules(plan, None)
    crs = plan.crs
    one = gpd.GeoSeries([geom], crs=crs)
    found: list[dict[str, Any]] = []
    checked: list[str] = []
    not_checked: dict[str, str] = {}
    lines = plan.control_lines
    kind = lines["kind"].astype("string") if "kind" in lines.columns else pd.Series(pd.NA, index=lines.index, dtype="string")
    if "control_lines" not in plan:
        not_checked.update(dict.fromkeys((*OVERLAP_RULES.values(), BOUNDARY_RULE), "the plan has no control_lines layer"))
    else:
        for line_kind, rule in OVERLAP_RULES.items():
            checked.append(rule)
            these = lines[(kind == line_kind).fillna(False).to_numpy()]
            if these.empty:
                continue
            for _, hit in overlaps(one, these, tolerance_m2=rules.overlap_tolerance_m2, basis=plan_area_basis(plan)).iterrows():
                found.append(
                    _finding(
                        rule, hit["overlap_m2"], f"overlaps {hit['line_ids']} by {hit['overlap_mu']:,.2f} mu ({hit['overlap_m2']:,.1f} m²)", hit.geometry, crs
                    )
                )
        boundary = lines[(kind == "urban_development_boundary").fillna(False).to_numpy()]
        if boundary.empty:
            not_checked[BOUNDARY_RULE] = "the plan has no urban_development_boundary polygons in control_lines"
        else:
            checked.append(BOUNDARY_RULE)
            for _, out in outside(one, boundary, tolerance_m2=rules.boundary_tolerance_m2, basis=plan_area_basis(plan)).iterrows():
                found.append(
                    _finding(
                        BOUNDARY_RULE,
                        out["outside_m2"],
                        f"{out['outside_mu']:,.2f} mu ({out['outside_m2'] / max(out['parcel_m2'], 1e-9):.1%} of the phase) lies outside the urban development boundary",
                        out.geometry,
                        crs,
                    )
                )
    zone_id = attributes.get("zone_id")
    if zone_id is None:
        not_checked["phase_outside_zone"] = "the phase has no zone yet"
    else:
        checked.append("phase_outside_zone")
        out = outside_own_zone(one, pd.Series([zone_id], index=one.index), plan.zones, basis=plan_area_basis(plan))
        for _, row in out[out["outside_m2"] > rules.overlap_tolerance_m2].iterrows():
            found.append(
                _finding(
                    "phase_outside_zone",
                    row["outside_m2"],
                    f"reaches {row['outside_m2'] / M2_PER_MU:,.2f} mu ({row['outside_m2']:,.1f} m²) outside zone {zone_id}",
                    row.geometry,
                    crs,
                )
            )
    start, end = attributes.get("start_year"), attributes.get("end_year")
    if plan.quotas.empty:
        not_checked[QUOTA_RULE] = "the plan has no quotas table"
    elif zone_id is None or start is None or end is None or end < start:
        not_checked[QUOTA_RULE] = "the phase needs a zone and its start and end years"
    else:
        from zoneplan.analysis.consumption import land_consumption

        checked.append(QUOTA_RULE)
        new_mu = _new_land_m2(plan, geom) / M2_PER_MU
        years = list(range(int(start), int(end) + 1))
        adds = pd.DataFrame({"group_id": zone_id, "year": years, "new_construction_mu": new_mu / len(years)})
        use = pd.concat([land_consumption(plan, by="zone")[["group_id", "year", "new_construction_mu"]], adds], ignore_index=True)
        judged = judge_quotas(use, plan.quotas, tolerance_mu=rules.quota_tolerance_mu)
        for row in judged.violations.itertuples():
            if row.feature_id == zone_id and int(row.year) in years:
                found.append(
                    _finding(
                        QUOTA_RULE,
                        (row.measured - row.limit) * M2_PER_MU,
                        f"{row.year}: zone {zone_id} would take {row.measured:,.2f} mu against a quota of {row.limit:,.2f} mu (this phase adds {new_mu / len(years):,.2f} mu of new land that year)",
                        None,
                        crs,
                        year=int(row.year),
                    )
                )
    return {"violations": found, "checked": checked, "not_checked": not_checked}


def phase_row(plan: Plan, geom: shapely.Geometry, attributes: Mapping[str, Any], *, phase_id: str | None = None) -> gpd.GeoDataFrame:
    """The phases layer with the phase ``phase_id`` replaced (or a new phase appended).

    A new phase gets ``phase_id`` ``<zone_id>-phase-<phase_no>`` (a suffix keeps it unique); a
    reshaped one keeps its other columns (``target_area_mu``, sources …).
    """
    phases = plan.phases.copy()
    ids = phases["phase_id"].astype("string") if len(phases) else pd.Series(dtype="string")
    if phase_id is None:
        phase_id = unique_id(f"{attributes['zone_id']}-phase-{attributes['phase_no']}", set(ids.dropna()))
    elif not (ids == phase_id).any():
        raise InputError(f"no phase {phase_id!r} in the plan", layer="phases", feature=phase_id, rule="phase-id")
    keep = ~(ids == phase_id).fillna(False).to_numpy(dtype=bool)
    # a reshaped phase keeps its other columns (target area, source …); the form's columns change
    row = phases.loc[~keep].drop(columns=phases.geometry.name).iloc[0].to_dict() if not keep.all() else {}
    row.update({c: attributes.get(c) for c in ("zone_id", "phase_no", "name", "start_year", "end_year", "investment_yuan")})
    row["phase_id"] = phase_id
    new = gpd.GeoDataFrame([row], geometry=[geom], crs=plan.crs)
    at = int(np.flatnonzero(~keep)[0]) if not keep.all() else len(phases)  # a reshaped phase keeps its place
    parts = [p for p in (phases.iloc[:at][keep[:at]], new, phases.iloc[at:][keep[at:]]) if len(p)]
    out = pd.concat(parts, ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=plan.crs)
    return conform_layer(out, "phases")


def phases_geojson(plan: Plan) -> dict[str, Any]:
    """The phases layer as a GeoJSON FeatureCollection (EPSG:4326), attributes and areas included."""
    phases = plan.phases
    if phases.empty:
        return {"type": "FeatureCollection", "features": []}
    lonlat = phases.geometry.to_crs(4326)
    features = []
    for i, geom in zip(phases.index, lonlat):
        props = {c: (None if pd.isna(v) else v.item() if hasattr(v, "item") else v) for c, v in phases.loc[i].drop(labels=phases.geometry.name).items()}
        props["area"] = phase_areas(phases.geometry.loc[i], plan.crs)
        features.append({"type": "Feature", "id": props.get("phase_id"), "properties": props, "geometry": mapping(geom)})
    return {"type": "FeatureCollection", "features": features}
