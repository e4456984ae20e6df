"""What changed between two versions of a plan: features added, removed and changed, with areas in mu.

The bureau files a 维护前/维护后 (before/after maintenance) comparison with every plan change.
:func:`diff_plans` compares two :class:`~zoneplan.plan.Plan` objects layer by layer — two
GeoPackages, a GeoPackage and a PostGIS plan, or two revisions of one PostGIS plan
(:func:`zoneplan.io.postgis.read_revision`).

Features are matched by the layer's contract id (``parcel_id``, ``zone_id`` …); layers without one
(``control_lines``) are matched by row number, shown as ``#0``, ``#1`` …. A feature is *changed*
when any shared attribute differs (missing equals missing; ``1`` equals ``1.0``) or its geometry
does (the same shape with its vertices in another order or as a one-part multipolygon is not a
change). Areas are on the area basis of the plan after the change (its ``meta["area_basis"]``, else
``settings.area_basis``: :func:`zoneplan.measure.plan_area_basis`), both sides measured on that one
basis by :func:`zoneplan.measure.basis_area_m2`, in mu (1 mu = 10000/15 m²); every result says
which in ``area_basis``.

Examples
--------
>>> from zoneplan import datasets
>>> before = datasets.load("linqing")
>>> parcels = before.parcels.copy()
>>> parcels.loc[0, "landuse_code"] = "0901"
>>> after = before.with_layer("parcels", parcels.drop(index=1))
>>> result = diff_plans(before, after)
>>> result.summary.loc["parcels", ["added", "removed", "changed"]].tolist()
[0, 1, 1]
>>> result.features[["feature_id", "change", "columns"]].to_numpy().tolist()
[['LQY-0208', 'removed', []], ['LQY-0217', 'changed', ['landuse_code']]]
>>> round(float(result.summary.loc["parcels", "area_change_mu"]), 2)
-39.0
>>> result.area_basis
'planar'
>>> ellipsoidal = diff_plans(before, after.with_meta(area_basis="ellipsoidal"))
>>> ellipsoidal.area_basis, round(float(ellipsoidal.summary.loc["parcels", "area_change_mu"]), 2)
('ellipsoidal', -38.99)
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoneplan.layers import LAYERS
from zoneplan.measure import basis_area_m2, plan_area_basis
from zoneplan.plan import Plan
from zoneplan.units import AREA_UNITS

__all__ = ["FEATURE_COLUMNS", "SUMMARY_COLUMNS", "PlanDiff", "diff_plans"]

#: Columns of :attr:`PlanDiff.features`.
FEATURE_COLUMNS = ("layer", "feature_id", "change", "columns", "geometry_changed", "area_before_mu", "area_after_mu", "area_change_mu")
#: Columns of :attr:`PlanDiff.summary` (indexed by layer).
SUMMARY_COLUMNS = ("added", "removed", "changed", "unchanged", "area_before_mu", "area_after_mu", "area_change_mu", "columns_added", "columns_removed")


@dataclass(frozen=True)
class PlanDiff:
    """The differences between two plans.

    Attributes
    ----------
    features
        One row per added, removed or changed feature, columns :data:`FEATURE_COLUMNS`:
        ``change`` is ``added``, ``removed`` or ``changed``; ``columns`` the attributes that
        differ (empty for an added or removed feature); areas in mu (NaN where the feature does
        not exist; ``area_change_mu`` counts a missing side as 0).
    summary
        Per layer (index): counts of added, removed, changed and unchanged features, the layer's
        total area before and after and its change in mu, and the attribute columns only one
        side has.
    area_basis
        ``"planar"`` or ``"ellipsoidal"``: the basis every area of the diff is measured on.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> before = datasets.load("zhangdian")
    >>> diff_plans(before, before).empty
    True
    >>> changes = diff_plans(before, before.with_layer("phases", before.phases.iloc[:2]))
    >>> changes.empty, changes.area_basis, changes.summary.loc["phases", ["removed", "unchanged"]].tolist()
    (False, 'planar', [1, 2])
    >>> changes.features[["feature_id", "change"]].to_numpy().tolist(), round(float(changes.features["area_change_mu"].iloc[0]), 1)
    ([['zhangdian-phase-3', 'removed']], -1400.0)
    """

    features: pd.DataFrame
    summary: pd.DataFrame
    area_basis: str = "planar"

    @property
    def empty(self) -> bool:
        """True when the plans have the same layers, columns and features."""
        return self.features.empty and not self.summary[["columns_added", "columns_removed"]].map(len).to_numpy().any()


def _keyed(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    spec = LAYERS.get(name)
    if spec and spec.id_column and spec.id_column in gdf.columns:
        keys = gdf[spec.id_column].astype("string")
    else:
        keys = pd.Series([f"#{i}" for i in range(len(gdf))], index=gdf.index, dtype="string")
    return gdf.set_axis(pd.Index(keys, name="feature_id"))


def _same_values(a: pd.Series, b: pd.Series) -> np.ndarray:
    left, right = a.to_numpy(dtype=object, copy=True), b.to_numpy(dtype=object, copy=True)
    missing_a, missing_b = pd.isna(left), pd.isna(right)
    left[missing_a] = right[missing_b] = None  # pd.NA has no truth value
    equal = np.equal(left, right, dtype=object).astype(bool)
    return (missing_a & missing_b) | (~missing_a & ~missing_b & equal)


def _same_geometry(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    same = shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance=0)
    both = ~shapely.is_missing(a) & ~shapely.is_missing(b)
    retry = ~same & both & shapely.is_valid(a) & shapely.is_valid(b)
    same[retry] = shapely.equals(a[retry], b[retry])
    return same | (shapely.is_missing(a) & shapely.is_missing(b))


def _layer_diff(name: str, before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, basis: str) -> tuple[pd.DataFrame, dict[str, object]]:
    old, new = _keyed(before, name), _keyed(after, name)
    mu = AREA_UNITS["mu"]
    old_area, new_area = basis_area_m2(old, basis) / mu, basis_area_m2(new, basis) / mu
    shared = [c for c in old.columns if c in new.columns and c not in (old.geometry.name, new.geometry.name)]
    common = old.index.intersection(new.index)
    added, removed = new.index.difference(old.index), old.index.difference(new.index)
    a, b = old.loc[common], new.loc[common]
    differs = pd.DataFrame({c: ~_same_values(a[c], b[c]) for c in shared}, index=common)
    geometry_changed = pd.Series(~_same_geometry(a.geometry.to_numpy(), b.geometry.to_numpy()), index=common)
    changed = differs.any(axis=1) | geometry_changed
    changed_ids = common[changed.to_numpy()]
    columns = differs.loc[changed_ids].apply(lambda row: [c for c in shared if row[c]], axis=1) if len(changed_ids) else pd.Series([], dtype=object)
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "change": "added",
                    "columns": [[] for _ in range(len(added))],
                    "geometry_changed": True,
                    "area_before_mu": np.nan,
                    "area_after_mu": new_area.loc[added].to_numpy(),
                },
                index=added,
            ),
            pd.DataFrame(
                {
                    "change": "removed",
                    "columns": [[] for _ in range(len(removed))],
                    "geometry_changed": True,
                    "area_before_mu": old_area.loc[removed].to_numpy(),
                    "area_after_mu": np.nan,
                },
                index=removed,
            ),
            pd.DataFrame(
                {
                    "change": "changed",
                    "columns": columns.reindex(changed_ids).to_list(),
                    "geometry_changed": geometry_changed.loc[changed_ids].to_numpy(),
                    "area_before_mu": old_area.loc[changed_ids].to_numpy(),
                    "area_after_mu": new_area.loc[changed_ids].to_numpy(),
                },
                index=changed_ids,
            ),
        ]
    )
    rows["area_change_mu"] = rows["area_after_mu"].fillna(0.0) - rows["area_before_mu"].fillna(0.0)
    rows = rows.rename_axis("feature_id").reset_index().assign(layer=name)
    summary = {
        "added": len(added),
        "removed": len(removed),
        "changed": len(changed_ids),
        "unchanged": int(len(common) - len(changed_ids)),
        "area_before_mu": float(old_area.sum()),
        "area_after_mu": float(new_area.sum()),
        "area_change_mu": float(new_area.sum() - old_area.sum()),
        "columns_added": [c for c in new.columns if c not in old.columns and c != new.geometry.name],
        "columns_removed": [c for c in old.columns if c not in new.columns and c != old.geometry.name],
    }
    return rows, summary


def diff_plans(before: Plan, after: Plan, *, basis: str | None = None) -> PlanDiff:
    """Compare two plans layer by layer (维护前 ``before``, 维护后 ``after``).

    Parameters
    ----------
    before, after
        The plan before and after the change. Layers only one plan has count as wholly added or
        removed. When the CRSs differ, ``after`` is compared in ``before``'s CRS.
    basis
        Area basis of both sides (``"planar"`` | ``"ellipsoidal"``); None: the basis of
        ``after`` (:func:`zoneplan.measure.plan_area_basis`), so that a change of the plan's
        basis alone changes no area.

    Returns
    -------
    PlanDiff
        ``features`` (what changed, per feature) and ``summary`` (per layer), areas in mu on ``area_basis``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> before = datasets.load("zhangdian")
    >>> after = before.with_layer("phases", before.phases.iloc[:2])  # phase 3 removed
    >>> changes = diff_plans(before, after)
    >>> changes.features[["layer", "change"]].value_counts().to_dict()
    {('phases', 'removed'): 1}
    """
    basis = basis or plan_area_basis(after)
    names = list(dict.fromkeys([*before.layers, *after.layers]))
    tables, summaries = [], {}
    for name in names:
        old = before.layers.get(name)
        new = after.layers.get(name)
        template = old if old is not None else new
        assert template is not None  # every name is a layer of one plan or the other
        old = old if old is not None else template.iloc[:0]
        new = new if new is not None else template.iloc[:0]
        rows, summaries[name] = _layer_diff(name, old, new.to_crs(old.crs) if new.crs != old.crs else new, basis)
        tables.append(rows)
    features = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=list(FEATURE_COLUMNS))
    features = features.reindex(columns=list(FEATURE_COLUMNS)).astype({"feature_id": "string", "layer": "string", "change": "string", "geometry_changed": bool})
    summary = pd.DataFrame.from_dict(summaries, orient="index").reindex(columns=list(SUMMARY_COLUMNS)).rename_axis("layer")
    return PlanDiff(features, summary, area_basis=basis)
