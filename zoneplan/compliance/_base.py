"""Plumbing shared by the compliance rule families: finding tables, parcel classes, groups.

Nothing here is a rule. The geometry helpers (:func:`usable`, :func:`polygonal`,
:func:`union_by_group`) live in :mod:`zoneplan._geometry` and are re-exported here. Every rule family module builds its findings with :func:`violations_frame`
and :func:`cannot_judge_frame`, so all findings have the same columns whatever the rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import ArrayLike

from zoneplan._geometry import polygonal, union_by_group, usable
from zoneplan._text import as_text
from zoneplan.errors import InputError
from zoneplan.layers import LAYERS
from zoneplan.plan import Plan
from zoneplan.state import parcel_groups, plan_state
from zoneplan.units import M2_PER_MU

__all__ = [
    "CANNOT_JUDGE_COLUMNS",
    "VIOLATION_COLUMNS",
    "area_violations",
    "cannot_judge_frame",
    "feature_ids",
    "group_of",
    "parcel_flags",
    "polygonal",
    "union_by_group",
    "usable",
    "violations_frame",
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

#: A column's values for a finding table: one per row, or one for every row (broadcast); None
#: where the column does not apply.
_PerRow = ArrayLike | None


def _is_scalar(values: _PerRow) -> bool:
    """One value for every row (``np.ndim`` would first copy a long list into an array)."""
    return values is None or (not isinstance(values, (list, tuple, pa.Array, pa.ChunkedArray)) and np.ndim(values) == 0)


def _column(values: _PerRow, n: int, dtype: str | None = None) -> np.ndarray | pd.array:
    """``values`` as a column of ``n`` rows; a scalar is broadcast (a string one by Arrow, without a Python list)."""
    if _is_scalar(values):
        if dtype == "string":
            return pd.array(
                pa.nulls(n, pa.large_string()) if values is None or values is pd.NA else pa.repeat(pa.scalar(str(values), pa.large_string()), n), dtype="string"
            )
        return pd.array([values] * n, dtype=dtype) if dtype else np.asarray([values] * n, dtype=object)
    if dtype == "string":
        return as_text(values)
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    return pd.array(values, dtype=dtype) if dtype else np.asarray(values, dtype=object)


def _ids(feature_id: ArrayLike) -> pd.api.extensions.ExtensionArray:
    """Feature identifiers as text (numbers written out), one per row; a scalar is one row."""
    if _is_scalar(feature_id):
        return pd.array([str(feature_id)], dtype="string")
    ids = as_text(feature_id)
    return ids if not ids.isna().any() else pd.array(np.asarray(feature_id, dtype=object).astype(str), dtype="string")


def violations_frame(
    rule: str,
    layer: str,
    feature_id: ArrayLike,
    *,
    measured: _PerRow,
    limit: _PerRow,
    unit: str,
    message: _PerRow,
    geometry: _PerRow,
    area_m2: _PerRow = np.nan,
    other_id: _PerRow = None,
    year: _PerRow = None,
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
    ids = _ids(feature_id)
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
    feature_id: ArrayLike,
    *,
    area_m2: _PerRow,
    tolerance_m2: float,
    message: _PerRow,
    geometry: _PerRow,
    crs: object,
    year: _PerRow = None,
    other_id: _PerRow = None,
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


def cannot_judge_frame(rule: str, layer: str, feature_id: ArrayLike, *, missing: _PerRow, message: _PerRow) -> pd.DataFrame:
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
    ids = _ids(feature_id)
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
