"""Identifiers of new features: fill an empty ``zone_id`` from the zones, an empty id from the contract.

Features drawn in a browser or digitised in QGIS often arrive without the identifiers the plan's
layer contract requires (``phase_id`` and ``zone_id`` of a phase). :func:`fill_ids` fills them the
way a planner would, or refuses:

* ``zone_id`` — the zone holding the feature's representative point; a feature in no zone of a
  plan that has zones is refused (:class:`~zoneplan.errors.InputError` naming the layer and the
  feature); in a plan with no zones yet (parcels imported first) it stays empty;
* ``phase_id`` — ``<zone_id>-phase-<phase_no>`` (the next free phase number when the phase has
  none; a suffix keeps ids unique). An empty id in another layer (a parcel's ``parcel_id`` …) is
  left empty — only the bureau can say which parcel it is — and ``validate`` reports it
  (``empty_id``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoneplan._geometry import points_within
from zoneplan.errors import InputError
from zoneplan.layers import LAYERS

__all__ = ["fill_ids", "unique_id"]


def _blank(values: pd.Series) -> np.ndarray:
    return (values.astype("string").str.strip().fillna("") == "").to_numpy(dtype=bool)


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` … whichever is not in ``taken`` (which is updated).

    Examples
    --------
    >>> taken = {"z-phase-1"}
    >>> unique_id("z-phase-1", taken), unique_id("z-phase-1", taken), unique_id("z-phase-2", taken)
    ('z-phase-1-2', 'z-phase-1-3', 'z-phase-2')
    """
    out, k = base, 2
    while out in taken:
        out, k = f"{base}-{k}", k + 1
    taken.add(out)
    return out


def fill_ids(
    gdf: gpd.GeoDataFrame, layer: str, *, zones: gpd.GeoDataFrame, existing: gpd.GeoDataFrame | None = None, source: object = None
) -> gpd.GeoDataFrame:
    """``gdf`` (new features of ``layer``) with empty ``zone_id`` and id column filled.

    Parameters
    ----------
    gdf
        The new features, in the plan's CRS.
    layer
        Plan layer they go into (``phases`` …); layers outside the contract are returned as they are.
    zones
        The plan's zones (``zone_id``).
    existing
        Features already in the layer (their ids and phase numbers are taken).
    source
        File the features come from (for messages).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> new = gpd.GeoDataFrame({"phase_id": [None], "name": ["四期"]}, geometry=[plan.zones.geometry.iloc[0].centroid.buffer(100)], crs=plan.crs)
    >>> fill_ids(new, "phases", zones=plan.zones, existing=plan.phases)[["phase_id", "zone_id", "phase_no"]].to_dict("records")
    [{'phase_id': 'zhangdian-phase-4', 'zone_id': 'zhangdian', 'phase_no': 4}]
    """
    spec = LAYERS.get(layer)
    if spec is None or gdf.empty:
        return gdf
    out = gdf.copy()
    if "zone_id" in spec.required and layer != "zones" and len(zones):
        zid = out["zone_id"].astype("string") if "zone_id" in out.columns else pd.Series(pd.NA, index=out.index, dtype="string")
        need = _blank(zid)
        if need.any():
            points = out.geometry.values[need]
            ok = ~(shapely.is_missing(points) | shapely.is_empty(points))
            found = np.full(need.sum(), -1)
            if ok.any():
                at = shapely.point_on_surface(points[ok])
                hit_point, hit_zone = points_within(at, zones.geometry.values)
                idx = np.full(ok.sum(), -1)
                idx[hit_point] = hit_zone
                found[ok] = idx
            if (found < 0).any():
                bad = int(np.flatnonzero(need)[np.flatnonzero(found < 0)[0]])
                raise InputError(
                    "feature has no zone_id and lies in no zone of the plan: give its zone_id", file=source, layer=layer, feature=f"#{bad}", rule="empty_id"
                )
            zid = zid.copy()
            zid[need] = zones["zone_id"].astype("string").to_numpy()[found]
        out["zone_id"] = zid
    key = spec.id_column
    if key is None:
        return out
    ids = out[key].astype("string") if key in out.columns else pd.Series(pd.NA, index=out.index, dtype="string")
    need = _blank(ids)
    if not need.any() or layer != "phases":
        return out
    old = existing if existing is not None else gdf.iloc[:0]
    taken = set(old[key].astype("string").dropna()) if key in old.columns else set()
    taken |= set(ids[~need].dropna())
    ids = ids.copy()
    nos = pd.to_numeric(out["phase_no"], errors="coerce") if "phase_no" in out.columns else pd.Series(np.nan, index=out.index)
    used = pd.concat([pd.to_numeric(old["phase_no"], errors="coerce") if "phase_no" in old.columns else pd.Series(dtype=float), nos])
    next_no = int(np.nanmax([used.max(), 0])) + 1
    for i in np.flatnonzero(need):
        if pd.isna(nos.iloc[i]):
            nos.iloc[i], next_no = next_no, next_no + 1
        ids.iloc[i] = unique_id(f"{out['zone_id'].iloc[i]}-phase-{int(nos.iloc[i])}", taken)
    out["phase_no"] = nos.astype("Int64")
    out[key] = ids
    return out
