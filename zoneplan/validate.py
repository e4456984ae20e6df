"""Validation of a plan: every problem names its layer, feature, rule and measured value.

:func:`validate` returns a tidy table of problems (empty when the plan is valid). The rules:

============================  =============================================================
rule                          what it finds
============================  =============================================================
``missing_column``            a required column of a known layer is absent
``empty_geometry``            a feature with no geometry
``non_polygon``               a point or line where a polygon is required
``invalid_geometry``          self-intersections, bow-ties from CAD… (value: GEOS reason)
``duplicate_id``              an identifier used more than once in a layer
``invalid_date``              a ``*_date`` text that is no calendar date (31/02/2020, 2020-13-01)
``unknown_landuse_code``      a parcel code not in the 2023 classification
``unknown_status``            a parcel status outside built/supplied/ready/unready/unbuildable
``unknown_control_line``      a control-line kind outside the three control lines
``overlap``                   two parcels overlapping (double-counted area; value in mu)
``outside_zone``              a parcel, phase, park or district reaching outside its zone (mu)
``crosses_group_edge``        a parcel placed by position reaching into another district or park
                              than its own (mu; it is counted by area share in each; a parcel
                              with its own ``district_id`` / ``park_id`` belongs there wholly)
``unknown_zone``              a feature whose ``zone_id`` names no zone
``negative_value``            negative floor area, footprint, investment, tax or target area
``far_out_of_range``          floor area / parcel area above 20
``year_out_of_range``         a year outside 1949–2100, or built before supplied
============================  =============================================================

:func:`fix_geometries` repairs invalid geometry with :func:`shapely.make_valid`, keeps the
polygonal part, and lists each change with its area before and after.

Every area (overlaps, parts outside a zone, the parcel area of the plot ratio, the areas before
and after a repair) is on the plan's area basis (:func:`zoneplan.measure.basis_area_m2`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoneplan._geometry import parts_outside
from zoneplan.landuse import unknown_codes
from zoneplan.layers import CONTROL_LINE_KINDS, LAYERS, PARCEL_STATUSES
from zoneplan.measure import basis_area_m2, plan_area_basis
from zoneplan.plan import Plan
from zoneplan.settings import settings
from zoneplan.units import M2_PER_MU

__all__ = ["MAX_FAR", "PROBLEM_COLUMNS", "fix_geometries", "validate"]

PROBLEM_COLUMNS = ["layer", "feature_id", "rule", "message", "value"]
#: Plot ratios above this are taken as data errors.
MAX_FAR = 20.0
_YEAR_RANGE = (1949, 2100)
_POLYGONAL = [3, 6]  # shapely type ids of Polygon and MultiPolygon


def _problems(layer: str, ids: pd.Series, rule: str, messages, values) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "layer": [layer] * n,
            "feature_id": ids.astype(str).to_numpy(),
            "rule": [rule] * n,
            "message": np.broadcast_to(np.asarray(messages, dtype=object), (n,)),
            "value": np.broadcast_to(np.asarray(values, dtype=object), (n,)),
        }
    )


def _ids(gdf: gpd.GeoDataFrame, name: str) -> pd.Series:
    spec = LAYERS.get(name)
    if spec and spec.id_column and spec.id_column in gdf.columns:
        return gdf[spec.id_column].astype("string").fillna("<no id>")
    return pd.Series([f"#{i}" for i in range(len(gdf))], index=gdf.index)


def _schema_problems(name: str, gdf: gpd.GeoDataFrame) -> list[pd.DataFrame]:
    spec = LAYERS.get(name)
    if spec is None:
        return []
    missing = [c for c in spec.required if c not in gdf.columns]
    out = [_problems(name, pd.Series(["<layer>"] * len(missing)), "missing_column", [f"required column {c!r} is missing" for c in missing], missing)]
    if spec.id_column and spec.id_column in gdf.columns:
        ids = gdf[spec.id_column].astype("string")
        counts = ids[ids.duplicated(keep=False) & ids.notna()].value_counts(sort=False)
        out.append(_problems(name, pd.Series(counts.index), "duplicate_id", [f"id {i!r} is used {n} times" for i, n in counts.items()], counts.index))
    # an empty identifier (NULL or blank) cannot be referred to: the id column and the required
    # references (zone_id …) must be filled in every feature
    blank = {
        c: (gdf[c].astype("string").str.strip().fillna("") == "").to_numpy(dtype=bool)
        for c in dict.fromkeys((spec.id_column, *spec.required))
        if c and c in gdf.columns
    }
    label = pd.Series([f"#{i}" for i in range(len(gdf))], index=gdf.index)
    if spec.id_column in blank:
        label = label.where(blank[spec.id_column], gdf[spec.id_column].astype("string"))
    out += [_problems(name, label[empty], "empty_id", f"{col} is empty", None) for col, empty in blank.items()]
    return out


def _geometry_problems(name: str, gdf: gpd.GeoDataFrame, ids: pd.Series, usable: np.ndarray) -> list[pd.DataFrame]:
    geoms = gdf.geometry.values
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    polygonal = np.isin(shapely.get_type_id(geoms), _POLYGONAL)
    non_polygon = ~empty & ~polygonal
    invalid = ~empty & polygonal & ~usable
    reasons = shapely.is_valid_reason(geoms[invalid])
    return [
        _problems(name, ids[empty], "empty_geometry", "feature has no geometry", None),
        _problems(
            name,
            ids[non_polygon],
            "non_polygon",
            [f"geometry is a {g.geom_type}, not a polygon" for g in geoms[non_polygon]],
            [g.geom_type for g in geoms[non_polygon]],
        ),
        _problems(name, ids[invalid], "invalid_geometry", [f"invalid geometry: {r}" for r in reasons], reasons),
    ]


def _usable(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Present, non-empty, polygonal and valid: the features the spatial checks can judge."""
    geoms = gdf.geometry.values
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    ok &= np.isin(shapely.get_type_id(geoms), _POLYGONAL)
    ok[ok] = shapely.is_valid(geoms[ok])
    return ok


def _overlaps(gdf: gpd.GeoDataFrame, ids: pd.Series, name: str, usable_mask: np.ndarray, basis: str) -> pd.DataFrame:
    usable = np.flatnonzero(usable_mask)
    geoms = gdf.geometry.values[usable]
    left, right = gdf.geometry.iloc[usable].sindex.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    area = basis_area_m2(shapely.intersection(geoms[left], geoms[right]), basis, crs=gdf.crs).to_numpy()
    big = area > settings.area_tolerance_m2
    left, right, area = left[big], right[big], area[big]
    a = ids.iloc[usable[left]].to_numpy()
    b = ids.iloc[usable[right]].to_numpy()
    mu = area / M2_PER_MU
    return _problems(
        name,
        pd.Series(a),
        "overlap",
        [f"overlaps {o} by {m:.2f} mu ({s:.1f} m²); the area is counted twice" for o, m, s in zip(b, mu, area)],
        mu,
    ).assign(other_id=b)


def _outside_zone(plan: Plan, name: str, gdf: gpd.GeoDataFrame, ids: pd.Series, usable: np.ndarray) -> list[pd.DataFrame]:
    zones = plan.zones
    if "zone_id" not in gdf.columns or not len(zones) or "zone_id" not in zones.columns:
        return []
    # Zones whose own geometry is unusable are reported on the zones layer; nothing is judged against them.
    zone_geom = zones[_usable(zones)].dissolve("zone_id").geometry
    zid = gdf["zone_id"].astype("string")
    known = zid.isin(zone_geom.index) & pd.Series(usable, index=gdf.index)
    unknown = zid.notna() & ~zid.isin(zones["zone_id"].astype("string"))
    out = [_problems(name, ids[unknown], "unknown_zone", [f"zone_id {z!r} names no zone" for z in zid[unknown]], zid[unknown])]
    sub = gdf[known]
    owner = zone_geom.index.get_indexer(zid[known])
    outside = basis_area_m2(parts_outside(np.asarray(sub.geometry.values, dtype=object), zone_geom.to_numpy(), owner=owner), plan).to_numpy()
    bad = outside > settings.area_tolerance_m2
    mu = outside[bad] / M2_PER_MU
    out.append(
        _problems(
            name,
            ids[known][bad],
            "outside_zone",
            [f"{m:.2f} mu lies outside zone {z}" for m, z in zip(mu, zid[known][bad])],
            mu,
        )
    )
    return out


def _crossing_groups(plan: Plan, gdf: gpd.GeoDataFrame, ids: pd.Series, usable: np.ndarray) -> list[pd.DataFrame]:
    """Parcels placed by position with more than the sliver tolerance in a district or park not their own.

    Such parcels are counted by area share in each (:func:`zoneplan.state.group_shares`); a parcel
    with its own ``district_id`` / ``park_id`` belongs where the plan says and is not flagged, nor are
    phases, which planners draw across parcels as schedules.
    """
    from zoneplan.analysis.grouping import group_layer, stated_groups
    from zoneplan.state import parcel_groups

    out = []
    for level in ("district", "park"):
        layer = group_layer(plan, level)
        layer = layer[layer["group_id"].notna().to_numpy() & _usable(layer)]
        col = f"{level}_id"
        placed = stated_groups(gdf, level).isna().to_numpy()
        rows = np.flatnonzero(usable & placed)
        if not len(layer) or not len(rows):
            continue
        geoms = gdf.geometry.to_numpy()[rows]
        own = parcel_groups(plan, level).to_numpy(dtype=object, na_value=None)[rows]
        polys = layer.geometry.to_numpy()
        gid = layer["group_id"].astype(str).to_numpy(dtype=object)
        pi, gi = shapely.STRtree(polys).query(geoms, predicate="intersects")
        other = gid[gi] != own[pi].astype(str)
        pi, gi = pi[other], gi[other]
        area = shapely.area(shapely.intersection(geoms[pi], polys[gi]))
        big = area > settings.area_tolerance_m2
        if not big.any():
            continue
        pi, gi, area = pi[big], gi[big], area[big]
        share = area / shapely.area(geoms[pi])
        home = [f"outside its {level} {o}" if o is not None else f"whose representative point is in no {level}" for o in own[pi]]
        out.append(
            _problems(
                "parcels",
                ids.iloc[rows[pi]],
                "crosses_group_edge",
                [
                    f"{a / M2_PER_MU:.2f} mu ({s:.0%}) lies in {level} {g}, {h}; counted by area share in each {level} (give it a {col} to place it wholly)"
                    for a, s, g, h in zip(area, share, gid[gi], home)
                ],
                area / M2_PER_MU,
            ).assign(other_id=gid[gi])
        )
    return out


def _value_problems(name: str, gdf: gpd.GeoDataFrame, ids: pd.Series, basis: str) -> list[pd.DataFrame]:
    out = []
    for col in ("floor_area_m2", "footprint_m2", "investment_yuan", "tax_yuan", "target_area_mu", "approved_area_mu"):
        if col in gdf.columns:
            vals = pd.to_numeric(gdf[col], errors="coerce")
            neg = (vals < 0).fillna(False).to_numpy(dtype=bool)
            out.append(_problems(name, ids[neg], "negative_value", [f"{col} is negative ({v:g})" for v in vals[neg]], vals[neg]))
    if "floor_area_m2" in gdf.columns:
        far = pd.to_numeric(gdf["floor_area_m2"], errors="coerce") / basis_area_m2(gdf, basis).replace(0, np.nan)
        high = (far > MAX_FAR).fillna(False).to_numpy(dtype=bool)
        out.append(_problems(name, ids[high], "far_out_of_range", [f"plot ratio {v:.2f} exceeds {MAX_FAR:g}" for v in far[high]], far[high]))
    for col in [c for c in gdf.columns if str(c).endswith("_date")]:
        text = gdf[col].astype("string").str.strip()
        given = (text.notna() & (text != "")).to_numpy(dtype=bool)
        parsed = pd.to_datetime(text.where(given), format="ISO8601", errors="coerce")
        bad = given & parsed.isna().to_numpy(dtype=bool)
        out.append(_problems(name, ids[bad], "invalid_date", [f"{col} {t!r} is no calendar date (write YYYY-MM-DD)" for t in text[bad]], text[bad]))
    years = [c for c in ("supplied_year", "built_year", "start_year", "end_year") if c in gdf.columns]
    for col in years:
        y = pd.to_numeric(gdf[col], errors="coerce")
        bad = ((y < _YEAR_RANGE[0]) | (y > _YEAR_RANGE[1])).fillna(False).to_numpy(dtype=bool)
        out.append(_problems(name, ids[bad], "year_out_of_range", [f"{col} {v:g} is outside {_YEAR_RANGE[0]}–{_YEAR_RANGE[1]}" for v in y[bad]], y[bad]))
    for early, late in (("supplied_year", "built_year"), ("start_year", "end_year")):
        if early in gdf.columns and late in gdf.columns:
            e, l_ = pd.to_numeric(gdf[early], errors="coerce"), pd.to_numeric(gdf[late], errors="coerce")
            bad = (l_ < e).fillna(False).to_numpy(dtype=bool)
            out.append(_problems(name, ids[bad], "year_out_of_range", [f"{late} {b:g} is before {early} {a:g}" for a, b in zip(e[bad], l_[bad])], l_[bad]))
    return out


def _code_problems(name: str, gdf: gpd.GeoDataFrame, ids: pd.Series) -> list[pd.DataFrame]:
    out = []
    if "landuse_code" in gdf.columns:
        bad = unknown_codes(gdf["landuse_code"]).to_numpy(dtype=bool)
        out.append(
            _problems(
                name,
                ids[bad],
                "unknown_landuse_code",
                [f"land-use code {c!r} is not in the 2023 用地用海 classification" for c in gdf["landuse_code"][bad]],
                gdf["landuse_code"][bad].astype(str),
            )
        )
    if name == "parcels" and "status" in gdf.columns:
        st = gdf["status"].astype("string")
        bad = (st.notna() & ~st.isin(PARCEL_STATUSES)).to_numpy(dtype=bool)
        out.append(_problems(name, ids[bad], "unknown_status", [f"status {s!r} is not one of {list(PARCEL_STATUSES)}" for s in st[bad]], st[bad]))
    if name == "control_lines" and "kind" in gdf.columns:
        kind = gdf["kind"].astype("string")
        bad = (~kind.isin(CONTROL_LINE_KINDS)).to_numpy(dtype=bool)
        out.append(_problems(name, ids[bad], "unknown_control_line", [f"kind {k!r} is not one of {list(CONTROL_LINE_KINDS)}" for k in kind[bad]], kind[bad]))
    return out


def validate(plan: Plan) -> pd.DataFrame:
    """Check a plan and return one row per problem.

    Parameters
    ----------
    plan
        The plan to check.

    Returns
    -------
    pandas.DataFrame
        Columns ``layer, feature_id, rule, message, value`` (plus ``other_id`` for overlaps);
        empty when the plan is valid.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> validate(datasets.load("zhangdian")).empty
    True
    """
    found: list[pd.DataFrame] = []
    basis = plan_area_basis(plan)
    for name, gdf in plan.layers.items():
        found += _schema_problems(name, gdf)
        ids = _ids(gdf, name)
        usable = _usable(gdf)  # validity is computed once per layer: it is the costly part
        found += _geometry_problems(name, gdf, ids, usable)
        found += _code_problems(name, gdf, ids)
        found += _value_problems(name, gdf, ids, basis)
        if name == "parcels":
            found.append(_overlaps(gdf, ids, name, usable, basis))
            found += _crossing_groups(plan, gdf, ids, usable)
        if name in ("parcels", "phases", "parks", "districts"):
            found += _outside_zone(plan, name, gdf, ids, usable)
    found = [f for f in found if len(f)]
    if not found:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    return pd.concat(found, ignore_index=True)


def fix_geometries(gdf: gpd.GeoDataFrame, *, layer: str = "layer", basis: str | None = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Repair invalid polygons with :func:`shapely.make_valid`, keeping only polygonal parts.

    ``basis`` is the area basis of the areas before and after (the plan's,
    :func:`zoneplan.measure.plan_area_basis`); None: ``settings.area_basis``.

    Returns
    -------
    fixed, changes
        The repaired layer (same index) and one row per changed feature with ``area_before_m2``,
        ``area_after_m2`` and ``area_change_mu`` (a bow-tie drawn in CAD has an area of zero
        before the repair — its true area appears after it).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> bowtie = shapely.Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])  # a self-crossing ring, as CAD exports draw them
    >>> layer = gpd.GeoDataFrame({"parcel_id": ["P1"]}, geometry=[bowtie], crs=4548)
    >>> fixed, changes = fix_geometries(layer, layer="parcels")
    >>> bool(fixed.is_valid.all()), round(float(fixed.area.iloc[0])), changes["feature_id"].tolist()
    (True, 5000, ['P1'])
    """
    geoms = gdf.geometry.values
    ids = _ids(gdf, layer)
    bad = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    repaired = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
    # keep only the polygonal parts of any GeometryCollection
    parts, index = shapely.get_parts(repaired, return_index=True)
    poly = np.isin(shapely.get_type_id(parts), _POLYGONAL)
    polys = pd.Series(list(parts[poly]), index=index[poly]).groupby(level=0).agg(lambda s: shapely.union_all(list(s)))
    fixed_geoms = np.array([shapely.Polygon()] * len(repaired), dtype=object)
    fixed_geoms[polys.index.to_numpy()] = polys.to_numpy()
    out = gdf.copy()
    new = geoms.copy()
    new[bad] = fixed_geoms
    out = out.set_geometry(gpd.GeoSeries(new, index=gdf.index, crs=gdf.crs))
    before = basis_area_m2(geoms[bad], basis, crs=gdf.crs).to_numpy()
    after = basis_area_m2(fixed_geoms, basis, crs=gdf.crs).to_numpy()
    changes = pd.DataFrame(
        {
            "layer": layer,
            "feature_id": ids[bad].to_numpy(),
            "reason": shapely.is_valid_reason(geoms[bad]),
            "area_before_m2": before,
            "area_after_m2": after,
            "area_change_mu": (after - before) / M2_PER_MU,
        }
    )
    return out, changes
