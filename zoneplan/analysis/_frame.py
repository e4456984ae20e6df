"""One tidy per-parcel table that every analysis reads (internal).

Built once per plan content and year (:func:`zoneplan._memo.memo`: an in-place edit of a layer
changes the key, so results follow the data) and reused by ``analyze`` across indicators and levels.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from zoneplan._memo import memo
from zoneplan.analysis.grouping import Level, assign_groups
from zoneplan.analysis.timeline import STATUS_ORDER, landuse_at, status_codes, supply_year
from zoneplan.landuse import flags
from zoneplan.measure import area_m2
from zoneplan.plan import Plan

__all__ = ["parcel_frame", "base_frame", "groups", "group_index", "group_sum", "NUMERIC"]

NUMERIC = ("floor_area_m2", "footprint_m2", "investment_yuan", "tax_yuan")
_FLAGS = ("construction", "urban_construction", "industrial", "storage", "mining", "agricultural", "natural")

def cached_status(plan: Plan, year: int | None) -> np.ndarray:
    """Cached :func:`zoneplan.analysis.timeline.status_codes`."""
    return memo(plan, ("status", year), lambda: status_codes(plan, year))


def _numeric(parcels: pd.DataFrame, name: str) -> np.ndarray:
    if name in parcels.columns:
        return pd.to_numeric(parcels[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.full(len(parcels), np.nan)


def _flag_table(codes: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes factorised, and :func:`zoneplan.landuse.flags` of the distinct values plus a last
    row for "no code" (so that ``table.iloc[positions]`` works with −1 → last)."""
    positions, uniques = codes.astype("string").factorize(use_na_sentinel=True)
    info = flags(pd.Series(np.asarray(uniques, dtype=object), dtype="string"))
    empty = flags(pd.Series([pd.NA], dtype="string"))
    table = pd.concat([info, empty], ignore_index=True)
    table["residential"] = table["code"].str.match(r"^070[12]").fillna(False).astype(bool)
    return np.where(positions >= 0, positions, len(table) - 1), table


def _build(plan: Plan, year: int | None) -> pd.DataFrame:
    parcels = plan.parcels
    pos, table = _flag_table(landuse_at(plan, year))
    code = table["code"].astype(object).where(table["code"].notna(), None).to_numpy(dtype=object)
    categories = pd.unique(code[code != None])  # noqa: E711 - elementwise
    cat_codes = pd.Index(categories).get_indexer(code)
    status = cached_status(plan, year)
    frame = pd.DataFrame(
        {
            "area_m2": area_m2(parcels).to_numpy() if len(parcels) else np.array([], dtype=float),
            "code": pd.Categorical.from_codes(cat_codes[pos], categories=categories) if len(categories) else pd.Categorical([None] * len(pos)),
            **{f: table[f].to_numpy(dtype=bool)[pos] for f in (*_FLAGS, "residential")},
            "st": status,
            "status": pd.Categorical.from_codes(status.astype(np.int64), categories=list(STATUS_ORDER)),
            **{c: _numeric(parcels, c) for c in NUMERIC},
        },
        index=parcels.index,
    )
    # A1 住宅用地 of the evaluation: urban housing and urban community facilities (0701, 0702)
    frame["industrial_storage"] = frame["industrial"] | frame["storage"] | frame["mining"]
    return frame


def parcel_frame(plan: Plan, year: int | None) -> pd.DataFrame:
    """Per parcel: ``area_m2``, ``code`` (categorical) and class flags in ``year``, ``status``
    (categorical) and ``st`` (its ``int8`` code, :data:`~zoneplan.analysis.timeline.STATUS_ORDER`)
    in ``year``, floor area, footprint, investment and tax (NaN when missing)."""
    return memo(plan, ("frame", year), lambda: _build(plan, year))


def base_frame(plan: Plan) -> pd.DataFrame:
    """Per parcel: flags of the ``base_landuse_code`` and the supply year (for land consumption)."""

    def build() -> pd.DataFrame:
        parcels = plan.parcels
        base = parcels["base_landuse_code"] if "base_landuse_code" in parcels.columns else pd.Series(pd.NA, index=parcels.index, dtype="string")
        pos, table = _flag_table(base)
        return pd.DataFrame(
            {
                "base_known": table["code"].notna().to_numpy()[pos],
                "base_agricultural": table["agricultural"].to_numpy(dtype=bool)[pos],
                "base_natural": table["natural"].to_numpy(dtype=bool)[pos],
                "base_construction": table["construction"].to_numpy(dtype=bool)[pos],
                "supply_year": supply_year(plan).to_numpy(dtype=float, na_value=np.nan),
            },
            index=parcels.index,
        )

    return memo(plan, "base", build)


def groups(plan: Plan, level: Level) -> pd.Series:
    """Cached :func:`zoneplan.analysis.grouping.assign_groups`."""
    return memo(plan, ("groups", level), lambda: assign_groups(plan, level))


def group_index(plan: Plan, level: Level) -> tuple[np.ndarray, pd.Index]:
    """Integer group code of every parcel (−1: in no group) and the group ids in code order.

    Ids of the level's layer come first, in layer order, then ids named only by parcels.
    """

    def build() -> tuple[np.ndarray, pd.Index]:
        from zoneplan.analysis.grouping import group_layer

        codes, uniques = groups(plan, level).factorize(use_na_sentinel=True)
        layer_ids = group_layer(plan, level)["group_id"].dropna().astype(str).to_numpy(dtype=object)
        found = np.asarray(uniques, dtype=object).astype(str) if len(uniques) else np.array([], dtype=object)
        order = pd.Index(pd.unique(np.r_[layer_ids, found].astype(object)), dtype=object)
        remap = order.get_indexer(found)
        out = np.where(codes >= 0, remap[np.maximum(codes, 0)] if len(remap) else -1, -1).astype(np.int64)
        return out, pd.Index(order.astype(str), dtype="string", name="group_id")

    return memo(plan, ("group_index", level), build)


def group_sum(plan: Plan, level: Level, columns: dict[str, np.ndarray], *, skipna_min_count: bool = False) -> pd.DataFrame:
    """Sum each per-parcel array over the groups of ``level`` (parcels in no group left out).

    With ``skipna_min_count`` NaNs are skipped and a group whose values are all NaN gets NaN
    (pandas ``sum(min_count=1)``); otherwise NaN counts as 0.
    """
    codes, ids = group_index(plan, level)
    valid = codes >= 0
    everyone = bool(valid.all())
    c = codes if everyone else codes[valid]
    out = {}
    for name, values in columns.items():
        v = np.asarray(values, dtype=float)
        if not everyone:
            v = v[valid]
        nan = np.isnan(v)
        total = np.bincount(c, weights=np.where(nan, 0.0, v), minlength=len(ids))
        if skipna_min_count:
            seen = np.bincount(c, weights=(~nan).astype(float), minlength=len(ids))
            total = np.where(seen > 0, total, np.nan)
        out[name] = total
    return pd.DataFrame(out, index=ids)
