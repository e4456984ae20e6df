"""Which zone, district, park or phase each parcel belongs to.

A parcel's group comes from its own ``zone_id`` / ``district_id`` / ``park_id`` / ``phase_id``
column when that is present and not null; otherwise from the polygon of the ``zones`` /
``districts`` / ``parks`` / ``phases`` layer that contains the parcel's representative point (a
point guaranteed inside the parcel), found through the layer's spatial index. A point on the
shared edge of two groups goes to the group listed first in the layer.
"""

from __future__ import annotations

from typing import Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd

from zoneplan._geometry import first_holding
from zoneplan.errors import InputError
from zoneplan.plan import Plan

__all__ = ["LAYER_OF", "LEVELS", "Level", "as_level", "assign_groups", "group_layer", "stated_groups"]

Level = Literal["zone", "district", "park", "phase"]
LEVELS: tuple[Level, ...] = get_args(Level)
#: Layer holding the polygons of each grouping level.
LAYER_OF: dict[str, str] = {"zone": "zones", "district": "districts", "park": "parks", "phase": "phases"}


def as_level(level: str, *, what: str = "grouping level") -> Level:
    """``level`` as a grouping :data:`Level`, or an error naming ``what`` was given (e.g. ``"--by"``).

    Examples
    --------
    >>> as_level("park")
    'park'
    >>> as_level("county", what="--by")
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: --by must be one of zone, district, park, phase, not 'county' (rule group-level)
    """
    for known in LEVELS:
        if level == known:
            return known
    raise InputError(f"{what} must be one of {', '.join(LEVELS)}, not {level!r}", rule="group-level")


def _check_level(level: str) -> None:
    as_level(level)


def group_layer(plan: Plan, level: Level) -> gpd.GeoDataFrame:
    """The polygons of ``level`` with their id in column ``group_id`` (empty when the plan lacks the layer).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> layer = group_layer(datasets.load("linqing"), "district")
    >>> list(layer["group_id"]), round(float(layer.area.sum()) / (10000 / 15))
    (['linqing-city', 'linqing-yandian'], 64830)
    """
    _check_level(level)
    layer = plan[LAYER_OF[level]]
    id_col = f"{level}_id"
    ids = layer[id_col].astype("string") if id_col in layer.columns else pd.Series(pd.NA, index=layer.index, dtype="string")
    return gpd.GeoDataFrame({"group_id": ids.to_numpy()}, geometry=layer.geometry.to_numpy(), crs=layer.crs, index=layer.index)


def stated_groups(parcels: gpd.GeoDataFrame, level: str) -> pd.Series:
    """The group each parcel names in its own ``<level>_id`` column (``string``; ``<NA>`` where blank or absent).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> int(stated_groups(datasets.load("linqing").parcels, "park").notna().sum()), int(stated_groups(datasets.load("zhangdian").parcels, "park").notna().sum())
    (549, 0)
    """
    id_col = f"{level}_id"
    if id_col not in parcels.columns:
        return pd.Series(pd.NA, index=parcels.index, dtype="string", name=id_col)
    return parcels[id_col].astype("string").str.strip().replace("", pd.NA).rename(id_col)


def assign_groups(plan: Plan, level: Level) -> pd.Series:
    """Group id of every parcel at ``level``.

    Parameters
    ----------
    plan
        The plan.
    level
        ``"zone"``, ``"district"``, ``"park"`` or ``"phase"``.

    Returns
    -------
    pandas.Series
        ``string`` ids aligned to ``plan.parcels.index``, named ``<level>_id``; ``<NA>`` where the
        parcel is in no group.

    Raises
    ------
    zoneplan.errors.InputError
        If ``level`` is not one of the four levels.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> groups = assign_groups(datasets.load("zhangdian"), "phase")
    >>> groups.name, groups.value_counts().sort_index().to_dict()
    ('phase_id', {'zhangdian-phase-1': 19, 'zhangdian-phase-2': 38, 'zhangdian-phase-3': 25})
    """
    _check_level(level)
    parcels = plan.parcels
    ids = stated_groups(parcels, level)
    id_col = ids.name
    missing = ids.isna().to_numpy()
    groups = group_layer(plan, level)
    if missing.any() and len(groups):
        holder = first_holding(np.asarray(parcels.geometry.values, dtype=object)[missing], groups.geometry.to_numpy())
        found = np.append(groups["group_id"].to_numpy(dtype=object), pd.NA)[holder]  # -1: in no group
        filled = ids.to_numpy(dtype=object)
        filled[missing] = found
        ids = pd.Series(filled, index=parcels.index, dtype="string", name=id_col)
    return ids
