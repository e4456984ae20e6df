"""One tidy per-parcel table that every analysis reads (internal).

Built once per plan and year and cached weakly on the plan object (a plan is immutable by
convention, so its derived tables can be reused by ``analyze`` across indicators and levels).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd

from zoneplan.analysis.grouping import Level, assign_groups
from zoneplan.analysis.timeline import landuse_at, status_at, supply_year
from zoneplan.landuse import flags
from zoneplan.measure import area_m2
from zoneplan.plan import Plan

__all__ = ["parcel_frame", "base_frame", "groups", "cached", "NUMERIC"]

NUMERIC = ("floor_area_m2", "footprint_m2", "investment_yuan", "tax_yuan")
_FLAGS = ("construction", "urban_construction", "industrial", "storage", "mining", "agricultural", "natural")
_CACHE: "weakref.WeakKeyDictionary[Plan, dict[Any, Any]]" = weakref.WeakKeyDictionary()


def cached(plan: Plan, key: Any, build) -> Any:
    """``build()`` once per ``plan`` and ``key``."""
    store = _CACHE.setdefault(plan, {})
    if key not in store:
        store[key] = build()
    return store[key]


def _numeric(parcels: pd.DataFrame, name: str) -> np.ndarray:
    if name in parcels.columns:
        return pd.to_numeric(parcels[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.full(len(parcels), np.nan)


def _build(plan: Plan, year: int | None) -> pd.DataFrame:
    parcels = plan.parcels
    code = landuse_at(plan, year)
    info = flags(code)
    frame = pd.DataFrame(
        {
            "area_m2": area_m2(parcels).to_numpy() if len(parcels) else np.array([], dtype=float),
            "code": info["code"].to_numpy(),
            "level1": info["level1"].to_numpy(),
            **{f: info[f].to_numpy(dtype=bool) for f in _FLAGS},
            "status": status_at(plan, year).to_numpy(dtype=object),
            **{c: _numeric(parcels, c) for c in NUMERIC},
        },
        index=parcels.index,
    )
    # A1 住宅用地 of the evaluation: urban housing and urban community facilities (0701, 0702)
    frame["residential"] = info["code"].str.match(r"^070[12]").fillna(False).to_numpy(dtype=bool)
    frame["industrial_storage"] = frame["industrial"] | frame["storage"] | frame["mining"]
    return frame


def parcel_frame(plan: Plan, year: int | None) -> pd.DataFrame:
    """Per parcel: ``area_m2``, ``code`` and class flags in ``year``, ``status`` in ``year``,
    floor area, footprint, investment and tax (NaN when missing)."""
    return cached(plan, ("frame", year), lambda: _build(plan, year))


def base_frame(plan: Plan) -> pd.DataFrame:
    """Per parcel: flags of the ``base_landuse_code`` and the supply year (for land consumption)."""

    def build() -> pd.DataFrame:
        parcels = plan.parcels
        base = parcels["base_landuse_code"] if "base_landuse_code" in parcels.columns else pd.Series(pd.NA, index=parcels.index, dtype="string")
        info = flags(base.astype("string"))
        return pd.DataFrame(
            {
                "base_known": info["code"].notna().to_numpy(),
                "base_agricultural": info["agricultural"].to_numpy(dtype=bool),
                "base_natural": info["natural"].to_numpy(dtype=bool),
                "base_construction": info["construction"].to_numpy(dtype=bool),
                "supply_year": supply_year(plan).to_numpy(),
            },
            index=parcels.index,
        )

    return cached(plan, "base", build)


def groups(plan: Plan, level: Level) -> pd.Series:
    """Cached :func:`zoneplan.analysis.grouping.assign_groups`."""
    return cached(plan, ("groups", level), lambda: assign_groups(plan, level))
