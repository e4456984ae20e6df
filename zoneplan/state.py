"""The plan in year *Y*: one table per parcel that analysis, compliance, maps and reports all read.

:func:`plan_state` answers, for every parcel, what the plan says it is in a year — the land-use
code in force, what that code is (construction, industrial, sensitive receptor …), the land
status, the area and the figures the indicators sum — in one table, built once per plan content
and year (memoised by :mod:`zoneplan._memo`: an in-place edit of a layer gives a new table) and
shared by :mod:`zoneplan.analysis`, :mod:`zoneplan.compliance`, :mod:`zoneplan.maps` and
:mod:`zoneplan.report`, so "the zone in 2025" means the same thing everywhere.

The rules deciding the code and status in a year are those of :mod:`zoneplan.analysis.timeline`
(:func:`~zoneplan.analysis.timeline.landuse_at`, :func:`~zoneplan.analysis.timeline.status_codes`);
``year=None`` is the plan as it stands (the ``landuse_code`` and ``status`` columns).

Columns of :attr:`PlanState.table` (aligned to ``plan.parcels.index``)
-----------------------------------------------------------------------
``landuse_code``
    The code in force as the data gives it (``string``; ``<NA>`` where not yet developed and no
    ``base_landuse_code``).
``code``, ``name_zh``
    That code as a 2023 用地用海 class (legacy schemes normalised) and its Chinese name
    (categorical; ``<NA>`` for unknown codes).
:data:`zoneplan.landuse.FLAG_COLUMNS`, ``residential``, ``industrial_storage``
    Booleans: ``construction`` … ``sea`` of the class; ``residential`` urban housing and community
    facilities (0701, 0702: the evaluation's A1); ``industrial_storage`` industrial, storage or
    mining land (the evaluation's A2).
``village``
    The survey's 城镇村属性码 places the parcel in a village (``czcsxm`` 203/203A,
    :func:`zoneplan.landuse.is_village`): 村庄建设用地. ``urban_construction`` is then False
    whatever the class — a village factory (三调 0601 with CZCSXM 203, read as 1001) is 工业用地
    but not 城镇建设用地 (standards.md §2.1.3), so the evaluation counts it as 已建成农村建设用地
    B1 (B11), not A2. The attribute describes the parcel as surveyed: a parcel acquired for
    urban use should have its ``czcsxm`` cleared (or set to 201/202). Without a ``czcsxm``
    column every parcel is False and the class alone decides.
``status``, ``st``
    Land status in the year (categorical of :data:`~zoneplan.analysis.timeline.STATUS_ORDER`)
    and its ``int8`` code (−1 unknown).
``area_m2``
    Parcel area in m² on the plan's basis (:func:`zoneplan.measure.plan_area_basis`: its
    ``meta["area_basis"]``, else ``settings.area_basis``; :attr:`PlanState.area_basis`):
    ``"planar"`` (Gauss–Krüger plane, the default) or ``"ellipsoidal"`` (椭球面积 by the national
    method, :func:`zoneplan.measure.ellipsoidal_area_m2`). Every reader of the table — indicators,
    rules, maps, reports — then uses that basis; :func:`parcel_areas` is the one place areas are
    taken.
``floor_area_m2``, ``footprint_m2``, ``investment_yuan``, ``tax_yuan``
    As numbers (NaN where missing or not numeric).

Group ids (zone, district, park, phase) do not depend on the year: :meth:`PlanState.groups` and
:func:`parcel_groups` (the parcel's own ``<level>_id``, else the polygon holding it).

Examples
--------
>>> from zoneplan import datasets
>>> state = plan_state(datasets.load("linqing"), 2025)
>>> state.area_basis
'planar'
>>> t = state.table
>>> round(float(t.loc[t["construction"], "area_m2"].sum()) / (10000 / 15))  # construction land 2025, mu
45285
>>> state.groups("district").value_counts().sort_index().to_dict()
{'linqing-city': 796, 'linqing-yandian': 291}
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from zoneplan._memo import fingerprint, memo
from zoneplan._text import as_text
from zoneplan.errors import PlanError
from zoneplan.landuse import FLAG_COLUMNS, flags, is_village
from zoneplan.measure import basis_area_m2, plan_area_basis
from zoneplan.plan import Plan

__all__ = ["NUMERIC_COLUMNS", "GroupShares", "PlanState", "group_index", "group_shares", "parcel_areas", "parcel_groups", "plan_state"]

#: Numeric parcel attributes carried into the state as float (NaN where missing).
NUMERIC_COLUMNS: tuple[str, ...] = ("floor_area_m2", "footprint_m2", "investment_yuan", "tax_yuan")


@dataclass(frozen=True, eq=False)
class PlanState:
    """The parcels of ``plan`` in ``year`` (see the module docstring for the columns).

    Attributes
    ----------
    plan
        The plan the state was taken of.
    year
        The year, or ``None`` for the plan as it stands.
    table
        One row per parcel (shared between callers: do not modify it; copy first).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> state = plan_state(plan, 2025)
    >>> state.year, state.area_basis, len(state.table) == len(plan.parcels), state.groups("district").value_counts().to_dict()
    (2025, 'planar', True, {'linqing-city': 796, 'linqing-yandian': 291})
    >>> plan_state(plan, 2025).table is state.table  # built once per plan content, year and basis
    True
    >>> plan.parcels.loc[0, "landuse_code"] = "0701"  # changed in place: the state is stale
    >>> state.groups("district")
    Traceback (most recent call last):
    ...
    zoneplan.errors.PlanError: the plan was changed after its state was taken; ask plan_state() again (layer parcels, rule plan-state)
    """

    plan: Plan
    year: int | None
    table: pd.DataFrame
    _digest: bytes

    @property
    def area_basis(self) -> str:
        """``"planar"`` or ``"ellipsoidal"``: what ``table["area_m2"]`` measures."""
        return str(self.table.attrs["area_basis"])

    def _check_current(self) -> None:
        if fingerprint(self.plan) != self._digest:
            raise PlanError("the plan was changed after its state was taken; ask plan_state() again", layer="parcels", rule="plan-state")

    def groups(self, level: str) -> pd.Series:
        """Group id of each parcel at ``level`` (:func:`parcel_groups`)."""
        self._check_current()
        return parcel_groups(self.plan, level)

    def group_index(self, level: str) -> tuple[np.ndarray, pd.Index]:
        """Integer group code of each parcel and the group ids (:func:`group_index`)."""
        self._check_current()
        return group_index(self.plan, level)


def plan_state(plan: Plan, year: int | None = None) -> PlanState:
    """The per-parcel table of ``plan`` in ``year``, built once per plan content, year and area basis.

    Parameters
    ----------
    plan
        The plan.
    year
        Calendar year; ``None`` for the plan as it stands.

    Returns
    -------
    PlanState

    Examples
    --------
    >>> from zoneplan import datasets
    >>> state = plan_state(datasets.load("linqing"), 2020)
    >>> state.year, int(state.table["construction"].sum())
    (2020, 686)
    """
    year = None if year is None else int(year)
    basis = plan_area_basis(plan)
    table = memo(plan, ("plan_state", year, basis), lambda: _build(plan, year, basis))
    return PlanState(plan, year, table, fingerprint(plan))


def parcel_areas(plan: Plan, basis: str) -> np.ndarray:
    """Area in m² of every parcel on ``basis``: ``"planar"`` (Gauss–Krüger plane) or
    ``"ellipsoidal"`` (椭球面积, :func:`zoneplan.measure.ellipsoidal_area_m2`), measured once per
    plan content and basis (a read-only array).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> planar, ellipsoidal = parcel_areas(plan, "planar").sum(), parcel_areas(plan, "ellipsoidal").sum()
    >>> round(float(planar) / (10000 / 15)), round(float(ellipsoidal) / (10000 / 15))  # mu on the plane and on the ellipsoid
    (64824, 64803)
    """
    return memo(plan, ("parcel_areas", basis), lambda: _parcel_areas(plan, basis))


def _parcel_areas(plan: Plan, basis: str) -> np.ndarray:
    parcels = plan.parcels
    area = basis_area_m2(parcels, basis).to_numpy(dtype=float) if len(parcels) else np.array([], dtype=float)
    area.flags.writeable = False  # shared by every reader of this plan content
    return area


def _numeric(parcels: pd.DataFrame, name: str) -> np.ndarray:
    if name in parcels.columns:
        return pd.to_numeric(parcels[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.full(len(parcels), np.nan)


def classes_of(codes: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes factorised and :func:`zoneplan.landuse.flags` of each distinct value once, plus a last
    row for "no code" (so that ``positions`` index the table with −1 → last)."""
    positions, uniques = codes.astype("string").factorize(use_na_sentinel=True)
    table = flags(pd.Series([*np.asarray(uniques, dtype=object), pd.NA], dtype="string"))
    table["residential"] = table["code"].str.match(r"^070[12]").fillna(False).astype(bool)
    return np.where(positions >= 0, positions, len(table) - 1), table.reset_index(drop=True)


def _categorical(values: pd.Series, positions: np.ndarray) -> pd.Categorical:
    """``values.iloc[positions]`` as a categorical of the distinct non-missing values."""
    present = values.dropna()
    categories = pd.Index(pd.unique(present.to_numpy(dtype=object)), dtype=object)
    codes = categories.get_indexer(values.to_numpy(dtype=object, na_value=None))
    return pd.Categorical.from_codes(codes[positions], categories=categories) if len(categories) else pd.Categorical([None] * len(positions))


def _build(plan: Plan, year: int | None, basis: str) -> pd.DataFrame:
    from zoneplan.analysis.timeline import STATUS_ORDER, landuse_at, status_codes

    parcels = plan.parcels
    in_force = landuse_at(plan, year)
    positions, classes = classes_of(in_force)
    status = status_codes(plan, year)
    table = pd.DataFrame(
        {
            "landuse_code": as_text(in_force),
            "code": _categorical(classes["code"], positions),
            "name_zh": _categorical(classes["name_zh"], positions),
            **{f: classes[f].to_numpy(dtype=bool)[positions] for f in (*FLAG_COLUMNS, "residential")},
            "status": pd.Categorical.from_codes(status.astype(np.int64), categories=list(STATUS_ORDER)),
            "st": status,
            "area_m2": parcel_areas(plan, basis),
            **{c: _numeric(parcels, c) for c in NUMERIC_COLUMNS},
        },
        index=parcels.index,
    )
    table["industrial_storage"] = table["industrial"] | table["storage"] | table["mining"]
    table["village"] = is_village(parcels["czcsxm"]).to_numpy(dtype=bool) if "czcsxm" in parcels.columns else np.zeros(len(parcels), dtype=bool)
    table["urban_construction"] &= ~table["village"]
    table.attrs["area_basis"] = basis
    table.attrs["year"] = year
    return table


def parcel_groups(plan: Plan, level: str) -> pd.Series:
    """Group id (``string``) of each parcel at ``level``: :func:`zoneplan.analysis.grouping.assign_groups`, once per plan content.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> parcel_groups(datasets.load("zhangdian"), "phase").value_counts().sort_index().to_dict()
    {'zhangdian-phase-1': 19, 'zhangdian-phase-2': 38, 'zhangdian-phase-3': 25}
    """
    from zoneplan.analysis.grouping import assign_groups

    return memo(plan, ("groups", level), lambda: assign_groups(plan, level))  # type: ignore[arg-type]


def group_index(plan: Plan, level: str) -> tuple[np.ndarray, pd.Index]:
    """Integer group code of every parcel (−1: in no group) and the group ids in code order.

    Ids of the level's layer come first, in layer order, then ids named only by parcels.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> codes, ids = group_index(datasets.load("linqing"), "district")
    >>> list(ids), sorted(set(codes.tolist()))
    (['linqing-city', 'linqing-yandian'], [0, 1])
    """

    def build() -> tuple[np.ndarray, pd.Index]:
        from zoneplan.analysis.grouping import group_layer

        codes, uniques = parcel_groups(plan, level).factorize(use_na_sentinel=True)
        layer_ids = group_layer(plan, level)["group_id"].dropna().astype(str).to_numpy(dtype=object)  # type: ignore[arg-type]
        found = np.asarray(uniques, dtype=object).astype(str) if len(uniques) else np.array([], dtype=object)
        order = pd.Index(pd.unique(np.r_[layer_ids, found].astype(object)), dtype=object)
        remap = order.get_indexer(found)
        out = np.where(codes >= 0, remap[np.maximum(codes, 0)] if len(remap) else -1, -1).astype(np.int64)
        return out, pd.Index(order.astype(str), dtype="string", name="group_id")

    return memo(plan, ("group_index", level), build)


@dataclass(frozen=True)
class GroupShares:
    """How the parcels of a level count in its groups: ``weight`` of parcel ``pos`` goes to group ``code``.

    One row per parcel and group it counts in (codes of :func:`group_index`); a parcel in one
    group has one row of weight 1, a parcel apportioned across an edge one row per group.
    ``split`` holds the positions of the apportioned parcels.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> shifted = plan.phases.assign(geometry=plan.phases.geometry.translate(xoff=50))  # phase outlines 50 m off the parcels
    >>> placed = plan.with_layer("parcels", plan.parcels.drop(columns="phase_id")).with_layer("phases", shifted)  # parcels placed by position
    >>> shares, (_, ids) = group_shares(placed, "phase"), group_index(placed, "phase")
    >>> len(shares.split), placed.parcels["parcel_id"].iloc[shares.split[0]]
    (71, 'ZD-0045')
    >>> row = shares.pos == shares.split[0]
    >>> [str(ids[c]) for c in shares.code[row]], shares.weight[row].round(3).tolist()  # the rest of ZD-0045 lies in no phase
    (['zhangdian-phase-1'], [0.963])
    """

    pos: np.ndarray
    code: np.ndarray
    weight: np.ndarray
    split: np.ndarray


def group_shares(plan: Plan, level: str) -> GroupShares:
    """Parcels apportioned by area among the groups of ``level`` they cross.

    A parcel whose group comes from its own ``<level>_id`` column counts wholly in that group
    (the plan says where it belongs). A parcel placed by its position counts in every group
    polygon it overlaps, by the share of its area inside each, when more than
    ``settings.area_tolerance_m2`` of it lies outside the group its representative point falls
    in (or when that point is in no group but the parcel overlaps one) — so remaining land and
    indicators of two parks sharing a parcel are neither inflated nor starved. Parts in no group
    count nowhere, as parcels in no group do. Zones are not apportioned: a parcel belongs to one
    zone, and a part outside it is a validation problem (``outside_zone``).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> shares = group_shares(plan.with_layer("parcels", plan.parcels.drop(columns="park_id")), "park")
    >>> bool((shares.weight <= 1).all()), len(shares.split) >= 0
    (True, True)
    """

    def build() -> GroupShares:

        from zoneplan._geometry import overlay_pairs
        from zoneplan.analysis.grouping import group_layer, stated_groups
        from zoneplan.settings import settings

        codes, ids = group_index(plan, level)
        parcels = plan.parcels
        explicit = stated_groups(parcels, level).notna().to_numpy()
        layer = group_layer(plan, level)  # type: ignore[arg-type]
        layer = layer[layer["group_id"].notna().to_numpy()]
        whole = np.flatnonzero(codes >= 0)
        spatial = np.flatnonzero(~explicit)
        if level == "zone" or not len(spatial) or not len(layer):  # a parcel belongs to one zone (validate: outside_zone)
            return GroupShares(whole, codes[whole], np.ones(len(whole)), np.array([], dtype=np.int64))
        geoms = parcels.geometry.to_numpy()
        polys = layer.geometry.to_numpy()
        pi, gi, inside, piece = overlay_pairs(geoms[spatial], polys)
        pi = spatial[pi]
        area = shapely.area(geoms)
        part = np.where(inside, area[pi], 0.0)
        part[~inside] = shapely.area(piece[~inside])
        gcode = ids.get_indexer(layer["group_id"].astype(str).to_numpy())[gi]
        own = part[gcode == codes[pi]]
        own_by_parcel = np.bincount(pi[gcode == codes[pi]], weights=own, minlength=len(parcels))
        outside = area - own_by_parcel
        in_some = np.bincount(pi, weights=part, minlength=len(parcels)) > settings.area_tolerance_m2
        split_mask = np.zeros(len(parcels), bool)
        split_mask[spatial] = in_some[spatial] & (outside[spatial] > settings.area_tolerance_m2)
        split = np.flatnonzero(split_mask)
        if not len(split):
            return GroupShares(whole, codes[whole], np.ones(len(whole)), split)
        keep_whole = whole[~split_mask[whole]]
        rows = split_mask[pi] & (part > 0)
        pos = np.r_[keep_whole, pi[rows]]
        code = np.r_[codes[keep_whole], gcode[rows]]
        weight = np.r_[np.ones(len(keep_whole)), part[rows] / area[pi[rows]]]
        order = np.argsort(pos, kind="stable")
        return GroupShares(pos[order], code[order].astype(np.int64), weight[order], split)

    return memo(plan, ("group_shares", level), build)
