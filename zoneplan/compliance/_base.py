"""Plumbing shared by the compliance rule families: finding tables, parcel classes, geometry helpers.

Nothing here is a rule. Every rule family module builds its findings with :func:`violations_frame`
and :func:`cannot_judge_frame`, so all findings have the same columns whatever the rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoneplan.errors import InputError
from zoneplan.layers import LAYERS
from zoneplan.plan import Plan
from zoneplan.state import parcel_groups, plan_state
from zoneplan.units import M2_PER_MU

__all__ = [
    "VIOLATION_COLUMNS",
    "CANNOT_JUDGE_COLUMNS",
    "violations_frame",
    "area_violations",
    "cannot_judge_frame",
    "feature_ids",
    "parcel_flags",
    "group_of",
    "union_by_group",
    "polygonal",
    "usable",
]

#: Columns of a violations table, before ``geometry`` (the conflict geometry).
VIOLATION_COLUMNS: list[str] = [
    "rule",
    "layer",
    "feature_id",
    "other_id",
    "year",
    "measured",
    "limit",
    "unit",
    "area_m2",
    "area_mu",
    "message",
]
#: Columns of a cannot-judge table.
CANNOT_JUDGE_COLUMNS: list[str] = ["rule", "layer", "feature_id", "missing", "message"]

_POLYGONAL = (3, 6)  # shapely type ids of Polygon, MultiPolygon


def _column(values: object, n: int, dtype: str | None = None) -> np.ndarray | pd.array:
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    if np.ndim(values) == 0:
        values = [values] * n
    return pd.array(values, dtype=dtype) if dtype else np.asarray(values, dtype=object)


def violations_frame(
    rule: str,
    layer: str,
    feature_id: object,
    *,
    measured: object,
    limit: object,
    unit: str,
    message: object,
    geometry: object,
    area_m2: object = np.nan,
    other_id: object = None,
    year: object = None,
    crs: object = None,
) -> gpd.GeoDataFrame:
    """A violations table: one row per finding, scalars broadcast to every row.

    Parameters
    ----------
    rule, layer
        Rule name and the layer the features come from.
    feature_id
        Identifier of each offending feature (array-like; its length sets the row count).
    measured, limit, unit
        The measured value, the rule's limit and their unit.
    message
        Human-readable sentence per row.
    geometry
        The conflict geometry per row (overlap part, part outside, the parcel, a line between
        two parcels …); ``None`` where the finding has no geometry (quotas).
    area_m2
        Area in conflict in m² (NaN where area is not what the rule measures); ``area_mu`` is
        derived from it exactly.
    other_id, year
        The other feature of a pair (control line, phase, neighbour) and the year judged.
    crs
        CRS of the geometry.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`VIOLATION_COLUMNS` and ``geometry``.
    """
    ids = pd.array(np.asarray(feature_id, dtype=object).astype(str) if np.ndim(feature_id) else [str(feature_id)], dtype="string")
    n = len(ids)
    area = np.broadcast_to(np.asarray(area_m2, dtype="float64"), (n,)).copy()
    data = {
        "rule": _column(rule, n, "string"),
        "layer": _column(layer, n, "string"),
        "feature_id": ids,
        "other_id": _column(other_id, n, "string"),
        "year": _column(year, n, "Int64"),
        "measured": np.broadcast_to(np.asarray(measured, dtype="float64"), (n,)).copy(),
        "limit": np.broadcast_to(np.asarray(limit, dtype="float64"), (n,)).copy(),
        "unit": _column(unit, n, "string"),
        "area_m2": area,
        "area_mu": area / M2_PER_MU,
        "message": _column(message, n, "string"),
    }
    geoms = _column(geometry, n)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)


def area_violations(
    rule: str,
    layer: str,
    feature_id: object,
    *,
    area_m2: object,
    tolerance_m2: float,
    message: object,
    geometry: object,
    crs: object,
    year: object = None,
    other_id: object = None,
) -> gpd.GeoDataFrame:
    """Violations whose measure is an area in conflict (overlap, part outside) against a sliver tolerance.

    measured = ``area_m2``, limit = ``tolerance_m2``, unit ``m2``; the rest as :func:`violations_frame`.
    """
    return violations_frame(
        rule,
        layer,
        feature_id,
        other_id=other_id,
        year=year,
        measured=area_m2,
        limit=tolerance_m2,
        unit="m2",
        area_m2=area_m2,
        message=message,
        geometry=geometry,
        crs=crs,
    )


def cannot_judge_frame(rule: str, layer: str, feature_id: object, *, missing: object, message: object) -> pd.DataFrame:
    """A cannot-judge table: features a rule applies to whose data do not allow a verdict.

    Parameters
    ----------
    rule, layer
        Rule name and layer.
    feature_id
        Identifier of each feature (array-like).
    missing
        Which data is missing (column names, comma-separated), per row or one for all.
    message
        Human-readable sentence per row or one for all.
    """
    ids = pd.array(np.asarray(feature_id, dtype=object).astype(str) if np.ndim(feature_id) else [str(feature_id)], dtype="string")
    n = len(ids)
    return pd.DataFrame(
        {
            "rule": _column(rule, n, "string"),
            "layer": _column(layer, n, "string"),
            "feature_id": ids,
            "missing": _column(missing, n, "string"),
            "message": _column(message, n, "string"),
        }
    )


def feature_ids(gdf: gpd.GeoDataFrame, layer: str) -> pd.Series:
    """Identifier of each feature of ``layer`` (its id column, else its ``name``, else ``#<row>``), aligned to ``gdf``."""
    spec = LAYERS.get(layer)
    column = spec.id_column if spec and spec.id_column in gdf.columns else "name" if "name" in gdf.columns else None
    ids = pd.Series(pd.NA, index=gdf.index, dtype="string") if column is None else gdf[column].astype("string")
    missing = np.flatnonzero(ids.isna().to_numpy())
    if len(missing):
        ids = ids.copy()
        ids.iloc[missing] = [f"#{i}" for i in missing]
    return ids


def usable(geoms: np.ndarray | gpd.GeoSeries) -> np.ndarray:
    """True where a geometry is present, non-empty and polygonal (rules skip the rest: ``validate`` reports them)."""
    arr = np.asarray(geoms.values if isinstance(geoms, gpd.GeoSeries) else geoms, dtype=object)
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    ok[ok] = np.isin(shapely.get_type_id(arr[ok]), _POLYGONAL)
    return ok


def parcel_flags(plan: Plan, year: int | None) -> pd.DataFrame:
    """Land-use class of each parcel's code in force: the table of :func:`zoneplan.state.plan_state`.

    Parameters
    ----------
    plan
        The plan.
    year
        ``None`` judges the plan as planned: every parcel has its ``landuse_code``. A year judges
        the plan as it stands in that year: the code in force by
        :func:`zoneplan.analysis.timeline.landuse_at` (base code until the parcel is built or its
        planned year comes; NA counts as not construction land).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``plan.parcels.index``: ``code``, ``name_zh``, the flags ``construction``,
        ``urban_construction``, ``industrial``, ``sensitive_receptor`` … (shared: do not modify).

    Raises
    ------
    zoneplan.errors.InputError
        Judged as planned, but the parcels have no ``landuse_code`` column.
    """
    if year is None and "landuse_code" not in plan.parcels.columns:
        raise InputError("parcels have no landuse_code column", layer="parcels", rule="landuse_code")
    return plan_state(plan, year).table


def group_of(plan: Plan, level: str) -> pd.Series:
    """Group id (zone/district/park/phase) of each parcel, aligned to ``plan.parcels.index``
    (:func:`zoneplan.state.parcel_groups`: the parcel's own ``<level>_id`` where present, else the
    polygon of that layer holding the parcel's representative point)."""
    return parcel_groups(plan, level).astype("string")


def union_by_group(geoms: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Union of the geometries of each group ``0 … n_groups-1``, in one vectorised GEOS call.

    Groups with one geometry keep it as is; groups with several are unioned row-wise with
    :func:`shapely.union_all` on a padded 2-D array; groups with none get ``None``.

    Examples
    --------
    >>> g = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(5, 5, 6, 6)])
    >>> shapely.area(union_by_group(g, np.array([0, 0, 2]), 3)).tolist()
    [2.0, nan, 1.0]
    """
    out = np.full(n_groups, None, dtype=object)
    if len(geoms) == 0:
        return out
    groups = np.asarray(groups, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    groups, geoms = groups[order], np.asarray(geoms, dtype=object)[order]
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    single = np.flatnonzero(counts == 1)
    out[single] = geoms[starts[single]]
    multi = np.flatnonzero(counts > 1)
    if len(multi):
        in_multi = counts[groups] > 1
        g = groups[in_multi]
        grid = np.full((len(multi), counts[multi].max()), None, dtype=object)
        grid[np.searchsorted(multi, g), np.flatnonzero(in_multi) - starts[g]] = geoms[in_multi]
        out[multi] = shapely.union_all(grid, axis=1)
    return out


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """The polygonal part of each geometry as a (Multi)Polygon, dropping the lines and points an
    intersection of touching polygons leaves; ``None`` stays ``None``.

    Examples
    --------
    >>> mixed = shapely.GeometryCollection([shapely.box(0, 0, 1, 1), shapely.LineString([(1, 0), (2, 0)])])
    >>> polygonal(np.array([mixed, None]))[0].geom_type
    'MultiPolygon'
    """
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    present = ~shapely.is_missing(geoms)
    mixed = np.flatnonzero(present & ~np.isin(shapely.get_type_id(geoms), _POLYGONAL))
    if len(mixed):
        parts, owner = shapely.get_parts(geoms[mixed], return_index=True)
        keep = np.isin(shapely.get_type_id(parts), _POLYGONAL)
        polys, sub = shapely.get_parts(parts[keep], return_index=True)  # split nested multipolygons
        owner = owner[keep][sub]
        cleaned = np.array([shapely.MultiPolygon()] * len(mixed), dtype=object)
        if len(polys):
            have = np.unique(owner)
            cleaned[have] = shapely.multipolygons(polys, indices=owner)[have]
        out[mixed] = cleaned
    return out


def scope_ids(plan: Plan) -> dict[str, str]:
    """Map every zone/district/park/phase id of the plan to its level name."""
    found: dict[str, str] = {}
    for level in ("zone", "district", "park", "phase"):
        layer = plan[f"{level}s"]
        column = f"{level}_id"
        if column in layer.columns:
            for value in layer[column].dropna().astype(str).unique():
                found.setdefault(value, level)
    return found


def ids_in(values: Sequence[str]) -> str:
    """Short text listing ids for a message (at most five, then a count)."""
    values = list(dict.fromkeys(str(v) for v in values))
    return ", ".join(values[:5]) + (f" and {len(values) - 5} more" if len(values) > 5 else "")
