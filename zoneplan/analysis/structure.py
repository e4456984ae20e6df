"""Land-use structure: area and share of every 2023 class, and the industrial-land ratio.

Two industrial ratios are reported because the sources mean different things:

``industrial_share`` (plan documents' 工业用地占比)
    industrial land (1001 工业用地 and 100101–100103 only) / urban construction land, over all
    parcels whose code **in force in the year** (:func:`zoneplan.analysis.timeline.landuse_at`)
    is urban construction land — built or only planned. Linqing's "city block 2025: 7.91 of
    22.25 km² ≈ 36 %" is this ratio.
``industrial_land_ratio`` (national evaluation's 工业用地率 = A2 / A)
    **built** industrial, mining and storage land (工矿仓储用地: 10 工矿, 11 仓储) / **built**
    urban construction land, statuses in the year (:func:`~zoneplan.analysis.timeline.status_at`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from zoneplan._memo import follows_data, memo
from zoneplan.analysis._frame import group_index, group_shares, group_sum, parcel_frame
from zoneplan.analysis.grouping import Level
from zoneplan.analysis.timeline import BUILT
from zoneplan.landuse import classes
from zoneplan.plan import Plan
from zoneplan.units import M2_PER_KM2, M2_PER_MU

__all__ = ["RATIO_COLUMNS", "STRUCTURE_COLUMNS", "industrial_ratio", "landuse_structure"]

STRUCTURE_COLUMNS = ["level", "group_id", "year", "code", "name_zh", "name_en", "area_m2", "area_mu", "share"]
RATIO_COLUMNS = [
    "level",
    "group_id",
    "year",
    "urban_construction_mu",
    "industrial_mu",
    "storage_mu",
    "industrial_share",
    "built_urban_construction_mu",
    "built_industrial_storage_mu",
    "industrial_land_ratio",
    "urban_construction_area_km2",
    "industrial_area_km2",
]


def _years(year: int | Sequence[int] | None) -> list[int | None]:
    if year is None or isinstance(year, (int, np.integer)):
        return [None if year is None else int(year)]
    return [None if y is None else int(y) for y in year]


@follows_data
def landuse_structure(
    plan: Plan,
    *,
    by: Level = "zone",
    year: int | Sequence[int] | None = None,
    class_level: int = 1,
) -> pd.DataFrame:
    """Area and share of every land-use class per group and year.

    Parameters
    ----------
    plan
        The plan.
    by
        Grouping level.
    year
        A year, several years (base year and planned years) or ``None`` for the plan as it
        stands; codes in force per :func:`zoneplan.analysis.timeline.landuse_at`.
    class_level
        1, 2 or 3: aggregate codes to level-1 (``"10"``), level-2 (``"1001"``) or keep level-3
        codes. A code coarser than the level asked for is kept as it is.

    Returns
    -------
    pandas.DataFrame
        One row per group, year and class (columns :data:`STRUCTURE_COLUMNS`), sorted by group
        (layer order) and class; ``share`` is the class's fraction of the group's parcel area in
        that year, so shares sum to 1 per group and year. Parcels with no code in the year form
        the class ``<NA>`` ("no land-use code"); parcels in no group are left out.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> table = landuse_structure(datasets.load("zhangdian"))
    >>> round(float(table["share"].sum()), 6)
    1.0
    """
    if class_level not in (1, 2, 3):
        raise ValueError(f"class_level must be 1, 2 or 3, not {class_level!r}")
    names = classes()[["name_zh", "name_en"]]
    _, ids = group_index(plan, by)
    shares = group_shares(plan, by)  # a parcel across a group edge counts by its share of area
    parts = []
    for y in _years(year):
        frame = parcel_frame(plan, y)
        cat = frame["code"].cat
        truncated = pd.Series(cat.categories.astype(str), dtype="string").str[: 2 * class_level]
        tcodes, cuniq = truncated.factorize()
        raw = cat.codes.to_numpy()
        ccode = np.where(raw >= 0, tcodes[np.maximum(raw, 0)] if len(tcodes) else -1, -1)
        data = pd.DataFrame({"g": shares.code, "c": ccode[shares.pos], "area_m2": frame["area_m2"].to_numpy()[shares.pos] * shares.weight})
        agg = data.groupby(["g", "c"], sort=True)["area_m2"].sum().reset_index()
        cuniq = np.asarray(cuniq, dtype=object)
        agg["group_id"] = ids.to_numpy(dtype=object)[agg["g"].to_numpy()]
        agg["code"] = np.where(agg["c"].to_numpy() >= 0, cuniq[np.maximum(agg["c"].to_numpy(), 0)] if len(cuniq) else None, None)
        agg["year"] = pd.array([y] * len(agg), dtype="Int64")
        parts.append(agg.drop(columns=["g", "c"]))
    out = pd.concat(parts, ignore_index=True)
    out["code"] = out["code"].astype("string")
    looked = names.reindex(pd.Index(out["code"].fillna("")))
    out["name_zh"] = looked["name_zh"].fillna("无用地代码").to_numpy()
    out["name_en"] = looked["name_en"].fillna("no land-use code").to_numpy()
    out["area_mu"] = out["area_m2"] / M2_PER_MU
    total = out.groupby(["group_id", "year"], dropna=False)["area_m2"].transform("sum")
    out["share"] = out["area_m2"] / total.where(total > 0)
    out["level"] = by
    out["group_id"] = out["group_id"].astype("string")
    return out[STRUCTURE_COLUMNS]


@follows_data
def industrial_ratio(plan: Plan, *, by: Level = "zone", year: int | Sequence[int] | None = None) -> pd.DataFrame:
    """Industrial share (plan documents) and industrial-land ratio (evaluation) per group and year.

    Parameters
    ----------
    plan
        The plan.
    by
        Grouping level.
    year
        A year, several years, or ``None`` for the plan as it stands.

    Returns
    -------
    pandas.DataFrame
        One row per group and year with :data:`RATIO_COLUMNS` (groups of the layer first, then
        groups named only by parcels; parcels in no group are left out); ratios are fractions
        (0.356), NaN where the denominator is zero.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> table = industrial_ratio(datasets.load("linqing"), by="district", year=2020)
    >>> table[["group_id", "industrial_share"]].round(4).values.tolist()
    [['linqing-city', 0.3406], ['linqing-yandian', 0.1758]]
    """
    key = ("industrial_ratio", by, tuple(_years(year)))
    return memo(plan, key, lambda: _industrial_ratio(plan, by, _years(year))).copy()


def _industrial_ratio(plan: Plan, by: Level, years: list[int | None]) -> pd.DataFrame:
    """The work of :func:`industrial_ratio` (cached per plan, level and years)."""
    parts = []
    for y in years:
        f = parcel_frame(plan, y)
        area = f["area_m2"].to_numpy()
        urban = f["urban_construction"].to_numpy()
        # A of the evaluation: built urban construction land, mining included (see .intensity)
        built = (f["st"].to_numpy() == BUILT) & (urban | f["mining"].to_numpy())
        agg = group_sum(
            plan,
            by,
            {
                "urban": np.where(urban, area, 0.0),
                "industrial": np.where(urban & f["industrial"].to_numpy(), area, 0.0),
                "storage": np.where(urban & f["storage"].to_numpy(), area, 0.0),
                "built_urban": np.where(built, area, 0.0),
                "built_ind": np.where(built & f["industrial_storage"].to_numpy(), area, 0.0),
            },
        ).reset_index()
        agg["year"] = pd.array([y] * len(agg), dtype="Int64")
        parts.append(agg)
    a = pd.concat(parts, ignore_index=True)
    out = pd.DataFrame(
        {
            "level": by,
            "group_id": a["group_id"].astype("string"),
            "year": a["year"],
            "urban_construction_mu": a["urban"] / M2_PER_MU,
            "industrial_mu": a["industrial"] / M2_PER_MU,
            "storage_mu": a["storage"] / M2_PER_MU,
            "industrial_share": a["industrial"] / a["urban"].where(a["urban"] > 0),
            "built_urban_construction_mu": a["built_urban"] / M2_PER_MU,
            "built_industrial_storage_mu": a["built_ind"] / M2_PER_MU,
            "industrial_land_ratio": a["built_ind"] / a["built_urban"].where(a["built_urban"] > 0),
            "urban_construction_area_km2": a["urban"] / M2_PER_KM2,
            "industrial_area_km2": a["industrial"] / M2_PER_KM2,
        }
    )
    return out[RATIO_COLUMNS]
