"""Per-parcel tables that every analysis reads (internal).

:func:`parcel_frame` is the plan in a year (:func:`zoneplan.state.plan_state`, built once per plan
content and year and shared with compliance, maps and reports); :func:`base_frame` is the land
before development. Group ids and their integer codes come from :mod:`zoneplan.state` too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zoneplan._memo import memo
from zoneplan.analysis.grouping import Level
from zoneplan.analysis.timeline import supply_year
from zoneplan.plan import Plan
from zoneplan.state import NUMERIC_COLUMNS as NUMERIC
from zoneplan.state import classes_of, group_index, group_shares, plan_state
from zoneplan.state import parcel_groups as groups

__all__ = ["NUMERIC", "base_frame", "group_index", "group_shares", "group_sum", "groups", "parcel_frame"]


def parcel_frame(plan: Plan, year: int | None) -> pd.DataFrame:
    """The table of :func:`zoneplan.state.plan_state` (``area_m2``, ``code``, class flags,
    ``status`` and its ``int8`` code ``st``, floor area, footprint, investment, tax); shared: do
    not modify it."""
    return plan_state(plan, year).table


def base_frame(plan: Plan) -> pd.DataFrame:
    """Per parcel: flags of the ``base_landuse_code`` and the supply year (for land consumption)."""

    def build() -> pd.DataFrame:
        parcels = plan.parcels
        base = parcels["base_landuse_code"] if "base_landuse_code" in parcels.columns else pd.Series(pd.NA, index=parcels.index, dtype="string")
        pos, table = classes_of(base)
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


def group_sum(plan: Plan, level: Level, columns: dict[str, np.ndarray], *, skipna_min_count: bool = False) -> pd.DataFrame:
    """Sum each per-parcel array over the groups of ``level`` (parcels in no group left out).

    A parcel placed by position that crosses a group edge counts in each group by its share of
    area (:func:`zoneplan.state.group_shares`). With ``skipna_min_count`` NaNs are skipped and a
    group whose values are all NaN gets NaN (pandas ``sum(min_count=1)``); otherwise NaN counts as 0.
    """
    _, ids = group_index(plan, level)
    shares = group_shares(plan, level)
    whole = not len(shares.split)  # every parcel in one group, weight 1
    every_parcel = whole and len(shares.pos) == len(plan.parcels)  # pos is then 0 … n-1
    out = {}
    for name, values in columns.items():
        v = np.asarray(values, dtype=float)
        v = v if every_parcel else v[shares.pos]
        nan = np.isnan(v)
        total = np.bincount(shares.code, weights=np.where(nan, 0.0, v if whole else v * shares.weight), minlength=len(ids))
        if skipna_min_count:
            seen = np.bincount(shares.code, weights=(~nan).astype(float), minlength=len(ids))
            total = np.where(seen > 0, total, np.nan)
        out[name] = total
    return pd.DataFrame(out, index=ids)
