"""Land consumption: construction land newly supplied per year, and phase progress.

A parcel becomes construction land in its **supply year**: ``supplied_year``, or ``built_year``
when it has no supply year (actual history only; ``planned_year`` is not consumption). Only
parcels whose land-use code (as the plan stands) is construction land (建设用地, 2023 classes
06–16) count. What the land was before comes from ``base_landuse_code``:

* ``from_agricultural_mu`` — 01 耕地, 02 园地, 03 林地, 04 草地 (landuse flag ``agricultural``);
* ``from_unused_mu`` — natural and unused land: 05 湿地, 17 陆地水域, 23 其他土地 (flag ``natural``);
* ``from_construction_mu`` — redevelopment of land that was already construction land;
* ``from_unknown_mu`` — no (or an unknown) base code.

The four parts sum to ``new_construction_mu`` in every row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zoneplan._memo import follows_data
from zoneplan.analysis._frame import base_frame, group_index, group_shares, parcel_frame
from zoneplan.analysis.grouping import Level, group_layer
from zoneplan.analysis.timeline import _int_col
from zoneplan.plan import Plan
from zoneplan.units import M2_PER_MU

__all__ = ["CONSUMPTION_COLUMNS", "land_consumption", "phase_progress"]

CONSUMPTION_COLUMNS = [
    "level",
    "group_id",
    "year",
    "new_construction_m2",
    "new_construction_mu",
    "cumulative_mu",
    "from_agricultural_mu",
    "from_unused_mu",
    "from_construction_mu",
    "from_unknown_mu",
]


@follows_data
def land_consumption(plan: Plan, *, by: Level = "zone") -> pd.DataFrame:
    """Construction land newly supplied per group and year.

    Parameters
    ----------
    plan
        The plan.
    by
        Grouping level: ``"zone"``, ``"district"``, ``"park"`` or ``"phase"``.

    Returns
    -------
    pandas.DataFrame
        One row per group and year in which construction land was newly supplied, sorted by
        group (groups of the layer in layer order, then groups named only by parcels) and year,
        with columns :data:`CONSUMPTION_COLUMNS`. ``cumulative_mu`` is the running total within
        the group. Parcels in no group appear last, with ``group_id`` ``<NA>``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> table = land_consumption(datasets.load("linqing"))
    >>> row = table[table["year"] == 2023].iloc[0]  # 2023: 536 mu newly supplied, all of it farmland before
    >>> round(float(row["new_construction_mu"]), 1), round(float(row["cumulative_mu"]), 1), round(float(row["from_agricultural_mu"]), 1)
    (536.3, 38614.0, 536.3)
    """
    frame = parcel_frame(plan, None)
    base = base_frame(plan)
    years = base["supply_year"].to_numpy()
    codes, ids = group_index(plan, by)
    # every parcel once (−1: no group), a parcel apportioned across a group edge once per group by its share
    shares = group_shares(plan, by)
    ungrouped = np.flatnonzero(codes < 0)
    rows = np.r_[shares.pos, ungrouped]
    g = np.r_[shares.code, codes[ungrouped]]
    weight = np.r_[shares.weight, np.ones(len(ungrouped))]
    take = (frame["construction"].to_numpy() & ~np.isnan(years))[rows]
    rows, g, weight = rows[take], g[take], weight[take]
    area = frame["area_m2"].to_numpy()[rows] * weight
    agr = base["base_agricultural"].to_numpy()[rows]
    nat = base["base_natural"].to_numpy()[rows] & ~agr
    con = base["base_construction"].to_numpy()[rows] & ~agr & ~nat
    unknown = ~(agr | nat | con)
    data = pd.DataFrame(
        {
            "g": g,
            "year": years[rows].astype("int64"),
            "new_construction_m2": area,
            "from_agricultural_mu": np.where(agr, area, 0.0) / M2_PER_MU,
            "from_unused_mu": np.where(nat, area, 0.0) / M2_PER_MU,
            "from_construction_mu": np.where(con, area, 0.0) / M2_PER_MU,
            "from_unknown_mu": np.where(unknown, area, 0.0) / M2_PER_MU,
        }
    )
    # integer group codes (−1: no group, sorted last) keep the group-by fast on a million rows
    data["g"] = data["g"].where(data["g"] >= 0, len(ids))
    out = data.groupby(["g", "year"], sort=True).sum().reset_index()
    labels = np.append(ids.to_numpy(dtype=object), np.array(None, dtype=object))
    out["group_id"] = pd.array(labels[out["g"].to_numpy()], dtype="string")
    out["new_construction_mu"] = out["new_construction_m2"] / M2_PER_MU
    out["cumulative_mu"] = out.groupby("g")["new_construction_mu"].cumsum()
    out.insert(0, "level", by)
    return out[CONSUMPTION_COLUMNS].reset_index(drop=True)


@follows_data
def phase_progress(plan: Plan, *, year: int | None = None) -> pd.DataFrame:
    """Area delivered by each phase, year by year, against its target area and schedule.

    A parcel is **delivered** in the year its development is completed: ``built_year``, else the
    plan's ``planned_year``. Only completions from the phase's ``start_year`` on count, so the
    buildings a redevelopment phase replaces (built before it started) are not progress. The plan's
    schedule is read as linear: a phase with target *T* mu from ``start_year`` to ``end_year``
    should have delivered ``T × (y − start + 1) / (end − start + 1)`` by the end of year *y*
    (and *T* from ``end_year`` on).

    Parameters
    ----------
    plan
        The plan (``phases`` layer with ``target_area_mu``, ``start_year``, ``end_year``).
    year
        Last year to report; default the later of the phase's end year and its last delivery.

    Returns
    -------
    pandas.DataFrame
        One row per phase and year from ``start_year``: ``phase_id``, ``name``, ``year``,
        ``target_area_mu``, ``start_year``, ``end_year``, ``delivered_mu`` (that year),
        ``cumulative_mu``, ``planned_cumulative_mu``, ``progress`` (cumulative / target, a
        fraction), ``behind_mu`` (planned − delivered; negative when ahead) and ``on_schedule``
        (behind by no more than 0.05 % of the target, the rounding of quoted plan areas).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> progress = phase_progress(datasets.load("zhangdian"))
    >>> first = progress.iloc[0]
    >>> first["name"], int(first["year"]), float(first["target_area_mu"]), bool(first["on_schedule"])
    ('一期', 2022, 1022.0, False)
    """
    columns = [
        "phase_id",
        "name",
        "year",
        "target_area_mu",
        "start_year",
        "end_year",
        "delivered_mu",
        "cumulative_mu",
        "planned_cumulative_mu",
        "progress",
        "behind_mu",
        "on_schedule",
    ]
    phases = plan.phases
    if phases.empty:
        return pd.DataFrame(columns=columns)
    info = pd.DataFrame(
        {
            "phase_id": group_layer(plan, "phase")["group_id"].astype(str).to_numpy(),
            "name": phases["name"].to_numpy() if "name" in phases else None,
            "target_area_mu": pd.to_numeric(phases.get("target_area_mu"), errors="coerce"),
            "start_year": pd.to_numeric(phases.get("start_year"), errors="coerce"),
            "end_year": pd.to_numeric(phases.get("end_year"), errors="coerce"),
        }
    ).reset_index(drop=True)
    parcels = plan.parcels
    done = _int_col(parcels, "built_year").fillna(_int_col(parcels, "planned_year"))
    _, ids = group_index(plan, "phase")
    shares = group_shares(plan, "phase")  # a parcel across a phase edge delivers its share to each phase
    has = done.notna().to_numpy()[shares.pos]
    rows = shares.pos[has]
    deliveries = pd.DataFrame(
        {
            "phase_id": ids.to_numpy(dtype=object)[shares.code[has]],
            "year": done.to_numpy()[rows].astype(np.int64),
            "mu": parcel_frame(plan, None)["area_m2"].to_numpy()[rows] * shares.weight[has] / M2_PER_MU,
        }
    )
    start_of = info.set_index("phase_id")["start_year"]
    deliveries = deliveries[deliveries["year"] >= deliveries["phase_id"].map(start_of).fillna(-np.inf)]
    per_year = deliveries.groupby(["phase_id", "year"])["mu"].sum()
    last = deliveries.groupby("phase_id")["year"].max()
    start = info["start_year"].fillna(info["phase_id"].map(deliveries.groupby("phase_id")["year"].min()))
    stop = np.fmax(info["end_year"].to_numpy(dtype=float), info["phase_id"].map(last).to_numpy(dtype=float))
    if year is not None:
        stop = np.full(len(info), float(year))
    ok = start.notna().to_numpy() & ~np.isnan(stop)
    counts = np.where(ok, np.maximum(stop - start.fillna(0).to_numpy() + 1, 0), 0).astype(int)
    rows = info.loc[info.index.repeat(counts)].reset_index(drop=True)
    offsets = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    rows["year"] = (np.repeat(start.fillna(0).to_numpy(), counts) + offsets).astype(int)
    key = pd.MultiIndex.from_arrays([rows["phase_id"], rows["year"]])
    rows["delivered_mu"] = per_year.reindex(key).fillna(0.0).to_numpy()
    rows["cumulative_mu"] = rows.groupby("phase_id")["delivered_mu"].cumsum()
    span = (rows["end_year"] - rows["start_year"] + 1).clip(lower=1)
    share = ((rows["year"] - rows["start_year"] + 1) / span).clip(lower=0, upper=1)
    rows["planned_cumulative_mu"] = rows["target_area_mu"] * share
    rows["progress"] = rows["cumulative_mu"] / rows["target_area_mu"].where(rows["target_area_mu"] > 0)
    rows["behind_mu"] = rows["planned_cumulative_mu"] - rows["cumulative_mu"]
    rows["on_schedule"] = (rows["behind_mu"] <= 0.0005 * rows["target_area_mu"].abs()).where(rows["planned_cumulative_mu"].notna())
    return rows[columns]
