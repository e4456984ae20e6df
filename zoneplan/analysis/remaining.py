"""Remaining land (剩余可开发用地) and years of supply left (尚可供地年数).

Definitions
-----------
remaining land
    The group's area (zone / district / park / phase polygon) minus built, supplied and
    unbuildable parcels (status in the year, :func:`zoneplan.analysis.timeline.status_at`) minus
    what the control lines forbid. Never stored by hand.
forbidden land
    Ecological protection red line ∪ permanent basic farmland, and — when the plan has an urban
    development boundary — everything outside that boundary (standards.md §3). ``forbidden_mu``
    counts only forbidden land **not already** built, supplied or unbuildable, so that
    ``area = built + supplied + unbuildable + forbidden + remaining`` holds exactly.
unparcelled land
    The part of the remaining land covered by no parcel (roads, water and gaps between parcels
    in a plan that parcels only the plots), outside forbidden land. It is remaining land but not
    suppliable land: nobody has drawn a plot there.
remaining suppliable land
    Remaining land minus the part on parcels the plan keeps as non-construction land (their
    ``landuse_code`` is not 建设用地: farmland, water, forest kept in the plan) minus unparcelled
    land — unless the plan says its unparcelled land is suppliable (``meta["unparcelled_land"] =
    "suppliable"``, for a plan that draws only the plots already taken).
years of supply left
    remaining suppliable land / mean annual supply of the last three years (尚可供地年数 =
    尚可供应土地面积 / 近三年年均供应土地面积, standards.md §1.7 [P]). The three years end in the
    analysis year, or — without one — in the latest supply year found in the plan. Supply is
    construction land newly supplied (:func:`zoneplan.analysis.consumption.land_consumption`).
    A rate set in the plan's ``supply_rates`` table (``scope``, ``annual_supply_mu``; written
    by scenario edits) replaces the three-year mean for its scope. With no supply the number
    is NaN and the ``assumption`` column says why.

Computation: areas of parcels against control lines are intersected only for candidate pairs
from a spatial index; a parcel that lies wholly inside a mask polygon is counted without
computing the intersection. Parcels are assumed not to overlap each other and to lie within
their group (what :func:`zoneplan.validate.validate` checks).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoneplan._geometry import disjoint_parts, overlay_pairs, polygonal, prepare
from zoneplan._memo import follows_data, memo
from zoneplan.analysis._frame import group_sum, groups, parcel_frame
from zoneplan.analysis.consumption import land_consumption
from zoneplan.analysis.grouping import LAYER_OF, Level, group_layer
from zoneplan.analysis.timeline import BUILT, STATUS_ORDER, SUPPLIED, UNBUILDABLE
from zoneplan.measure import basis_area_m2, plan_area_basis
from zoneplan.plan import Plan
from zoneplan.state import parcel_areas
from zoneplan.units import M2_PER_MU

__all__ = ["REMAINING_COLUMNS", "forbidden_area", "remaining_geometry", "remaining_land"]

REMAINING_COLUMNS = [
    "level",
    "group_id",
    "area_mu",
    "built_mu",
    "supplied_mu",
    "unbuildable_mu",
    "forbidden_mu",
    "remaining_mu",
    "unparcelled_mu",
    "remaining_suppliable_mu",
    "annual_supply_mu",
    "years_of_supply_left",
    "assumption",
]
_SUBTRACTED = (BUILT, SUPPLIED, UNBUILDABLE)
_PROHIBITING = ("ecological_redline", "basic_farmland")


def _masks(plan: Plan) -> tuple[str | None, np.ndarray, shapely.STRtree | None]:
    """("allowed" | "forbidden" | None, disjoint mask parts, their spatial index), cached per plan."""

    def build():
        lines = plan.control_lines
        if lines.empty or "kind" not in lines.columns:
            return None, np.array([], dtype=object), None
        kind = lines["kind"].astype("string").str.strip().to_numpy(dtype=object)
        geoms = lines.geometry.to_numpy()
        prohibited = disjoint_parts(geoms[np.isin(kind, _PROHIBITING)])
        udb = geoms[kind == "urban_development_boundary"]
        if len(udb):
            mode, parts = "allowed", shapely.get_parts(shapely.difference(shapely.union_all(udb), shapely.multipolygons(prohibited)))
            parts = parts[~shapely.is_empty(parts)]
        else:
            mode, parts = "forbidden", prohibited
        if not len(parts):
            return (None if mode == "forbidden" else mode), parts, None
        prepare(parts)
        return mode, parts, shapely.STRtree(parts)

    return memo(plan, "masks", build)


def _overlap(plan: Plan, geoms: np.ndarray, area_m2: np.ndarray, parts: np.ndarray, tree: shapely.STRtree | None) -> np.ndarray:
    """Area of each geometry (whole: ``area_m2``) inside the union of the disjoint ``parts``, on the plan's area basis."""
    out = np.zeros(len(geoms))
    if tree is None or not len(geoms):
        return out
    gi, _, inside, piece = overlay_pairs(geoms, parts, tree=tree)
    area = np.empty(len(gi))
    area[inside] = area_m2[gi[inside]]
    area[~inside] = basis_area_m2(piece[~inside], plan).to_numpy()
    return np.bincount(gi, weights=area, minlength=len(geoms))


def forbidden_area(plan: Plan, geoms: gpd.GeoSeries | np.ndarray, *, area_m2: np.ndarray | None = None) -> np.ndarray:
    """Area in m² of each geometry that the plan's control lines forbid to develop.

    Parameters
    ----------
    plan
        The plan (its ``control_lines`` layer).
    geoms
        Polygons in the plan's CRS.
    area_m2
        Their areas on the plan's basis when the caller has them (:func:`zoneplan.state.parcel_areas`
        for the plan's parcels); None: measured here.

    Returns
    -------
    numpy.ndarray
        m² per geometry on the plan's area basis (:func:`zoneplan.measure.basis_area_m2`):
        inside the red line or basic farmland, or outside the urban development boundary when
        the plan has one.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> forbidden = forbidden_area(plan, plan.parcels.geometry)
    >>> len(forbidden) == len(plan.parcels), bool((forbidden <= plan.parcels.area.to_numpy() + 1e-6).all())
    (True, True)
    """
    arr = np.asarray(geoms.to_numpy() if isinstance(geoms, gpd.GeoSeries) else geoms, dtype=object)
    mode, parts, tree = _masks(plan)
    if mode is None:
        return np.zeros(len(arr))
    whole = basis_area_m2(arr, plan).to_numpy() if area_m2 is None else area_m2
    inside = _overlap(plan, arr, whole, parts, tree)
    return whole - inside if mode == "allowed" else inside


def _parcel_forbidden(plan: Plan) -> np.ndarray:
    return memo(plan, "parcel_forbidden", lambda: forbidden_area(plan, plan.parcels.geometry, area_m2=parcel_areas(plan, plan_area_basis(plan))))


def _supply_rates(plan: Plan, consumption: pd.DataFrame, ids: pd.Index, ref_year: int | None) -> tuple[pd.Series, pd.Series, str]:
    """Annual supply (mu/yr) per group, the basis of each rate, and the three-year window."""
    window = consumption[(consumption["year"] > ref_year - 3) & (consumption["year"] <= ref_year)] if ref_year is not None else consumption.iloc[:0]
    mean = window.groupby("group_id")["new_construction_mu"].sum().reindex(ids).fillna(0.0) / 3.0
    span = f"{ref_year - 2}–{ref_year}" if ref_year is not None else "the last three years"
    text = pd.Series([f"mean annual supply {span} (3-year mean of newly supplied construction land)"] * len(ids), index=ids, dtype=object)
    rates = plan.tables.get("supply_rates")
    if rates is not None and {"scope", "annual_supply_mu"} <= set(rates.columns):
        set_rates = pd.to_numeric(rates.set_index(rates["scope"].astype(str))["annual_supply_mu"], errors="coerce")
        set_rates = set_rates[~set_rates.index.duplicated(keep="last")]
        hit = ids.isin(set_rates.index)
        mean[hit] = set_rates.reindex(ids[hit]).to_numpy()
        text[hit] = "annual supply set in the plan's supply_rates table (scenario)"
    return mean, text, span


def _published_remaining(plan: Plan, by: Level, ids: pd.Index, parcel_counts: pd.Series) -> pd.Series | None:
    """m² of the plan's ``remaining_land`` layer per group, for groups without parcels (else None)."""
    if "remaining_land" not in plan.layers:
        return None
    layer = plan["remaining_land"]
    col = f"{by}_id"
    if col not in layer.columns:
        return None
    area = pd.Series(basis_area_m2(layer, plan).to_numpy(), index=layer[col].astype(str).to_numpy()).groupby(level=0).sum()
    return area.reindex(ids).where(parcel_counts.reindex(ids).to_numpy() == 0)


@follows_data
def remaining_land(plan: Plan, *, by: Level = "zone", year: int | None = None) -> pd.DataFrame:
    """Remaining land and years of supply left per group (definitions in the module docstring).

    Parameters
    ----------
    plan
        The plan.
    by
        Grouping level: ``"zone"``, ``"district"``, ``"park"`` or ``"phase"``.
    year
        Year of the parcel statuses and the end of the three-year supply window; ``None`` for
        the plan as it stands.

    Returns
    -------
    pandas.DataFrame
        One row per group (groups of the layer, then groups named only by parcels), columns
        :data:`REMAINING_COLUMNS`; areas in mu. ``area_mu`` is NaN (and so is ``remaining_mu``)
        for a group with no polygon. ``unparcelled_mu`` is the part of ``remaining_mu`` covered
        by no parcel, left out of ``remaining_suppliable_mu`` unless the plan says otherwise. The identity ``area_mu = built_mu + supplied_mu +
        unbuildable_mu + forbidden_mu + remaining_mu`` holds for every group with parcels. A group
        with no parcels at all whose remaining land the plan carries as a ``remaining_land`` layer
        (published figures, e.g. the Liaocheng zones) takes its remaining land from that layer;
        its built / supplied / unbuildable / forbidden columns are then NaN and the assumption
        says so.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> table = remaining_land(datasets.load("linqing"), by="district")
    >>> table[["group_id", "remaining_mu", "years_of_supply_left"]].round(1).values.tolist()
    [['linqing-city', 12738.4, 36.1], ['linqing-yandian', 2956.1, 59.4]]
    """
    return memo(plan, ("remaining_land", by, year), lambda: _remaining_land(plan, by, year)).copy()


def _remaining_land(plan: Plan, by: Level, year: int | None) -> pd.DataFrame:
    frame = parcel_frame(plan, year)
    layer = group_layer(plan, by)
    layer = layer[layer["group_id"].notna()]
    st = frame["st"].to_numpy()
    area = frame["area_m2"].to_numpy()
    pforb = _parcel_forbidden(plan)
    sub = np.isin(st, _SUBTRACTED)
    keep_non_construction = ~sub & ~parcel_frame(plan, None)["construction"].to_numpy()
    sums = group_sum(
        plan,
        by,
        {
            **{f"{STATUS_ORDER[s]}_m2": np.where(st == s, area, 0.0) for s in _SUBTRACTED},
            "sub_forbidden_m2": np.where(sub, pforb, 0.0),
            "non_suppliable_m2": np.where(keep_non_construction, area - pforb, 0.0),
            "parcel_m2": area,
            "parcel_forbidden_m2": pforb,
            "parcels": np.ones(len(area)),
        },
    )
    ids = pd.Index(sums.index.to_numpy(dtype=object), dtype=object)
    sums.index = ids
    poly = layer.drop_duplicates("group_id").set_index("group_id")
    garea = pd.Series(basis_area_m2(poly, plan).to_numpy(), index=poly.index).reindex(ids)
    gforb = pd.Series(forbidden_area(plan, poly.geometry.to_numpy()), index=poly.index).reindex(ids)
    forbidden = (gforb - sums["sub_forbidden_m2"]).clip(lower=0.0)
    remaining = garea - sums["built_m2"] - sums["supplied_m2"] - sums["unbuildable_m2"] - forbidden
    # remaining = allowed land on parcels not taken + allowed land on no parcel
    unparcelled = (garea - sums["parcel_m2"] - (gforb - sums["parcel_forbidden_m2"]).clip(lower=0.0)).clip(lower=0.0)
    unparcelled_suppliable = str(plan.meta.get("unparcelled_land", "")).strip().lower() == "suppliable"
    not_suppliable = sums["non_suppliable_m2"] + (0.0 if unparcelled_suppliable else unparcelled)
    suppliable = (remaining - not_suppliable).clip(lower=0.0).where(remaining.notna())

    published = _published_remaining(plan, by, ids, sums["parcels"])
    if published is not None:
        hit = published.notna()
        remaining = remaining.where(~hit, published)
        suppliable = suppliable.where(~hit, published)
        for col in ("built_m2", "supplied_m2", "unbuildable_m2"):
            sums[col] = sums[col].where(~hit)
        forbidden = forbidden.where(~hit)
        unparcelled = unparcelled.where(~hit)
    consumption = land_consumption(plan, by=by)
    ref = year if year is not None else (int(consumption["year"].max()) if len(consumption) else None)
    rate, basis, span = _supply_rates(plan, consumption, ids, ref)
    supp_mu = suppliable / M2_PER_MU
    years = (supp_mu / rate.where(rate > 0)).astype(float)
    assumption = [
        f"{s:,.2f} mu remaining suppliable / {r:,.2f} mu per year, {b}"
        if r > 0 and pd.notna(s)
        else (
            f"no construction land supplied in {span}: years of supply left cannot be computed"
            if pd.notna(s)
            else "group has no polygon: remaining land unknown"
        )
        for s, r, b in zip(supp_mu, rate, basis)
    ]
    unparcelled_mu = unparcelled.where(garea.notna()) / M2_PER_MU
    how = "counted as suppliable (the plan says so: meta unparcelled_land)" if unparcelled_suppliable else "not counted as suppliable"
    assumption = [f"{a}; {u:,.2f} mu covered by no parcel {how}" if u > 0.005 else a for a, u in zip(assumption, unparcelled_mu)]
    if published is not None:
        assumption = [f"{a} (no parcels: remaining land from the plan's remaining_land layer)" if h else a for a, h in zip(assumption, published.notna())]
    out = pd.DataFrame(
        {
            "level": by,
            "group_id": pd.array(ids, dtype="string"),
            "area_mu": (garea / M2_PER_MU).to_numpy(),
            "built_mu": (sums["built_m2"] / M2_PER_MU).to_numpy(),
            "supplied_mu": (sums["supplied_m2"] / M2_PER_MU).to_numpy(),
            "unbuildable_mu": (sums["unbuildable_m2"] / M2_PER_MU).to_numpy(),
            "forbidden_mu": (forbidden.where(garea.notna()) / M2_PER_MU).to_numpy(),
            "remaining_mu": (remaining / M2_PER_MU).to_numpy(),
            "unparcelled_mu": unparcelled_mu.to_numpy(),
            "remaining_suppliable_mu": supp_mu.to_numpy(),
            "annual_supply_mu": rate.to_numpy(),
            "years_of_supply_left": years.to_numpy(),
            "assumption": assumption,
        }
    )
    return out[REMAINING_COLUMNS]


@follows_data
def remaining_geometry(plan: Plan, *, year: int | None = None, by: Level = "zone") -> gpd.GeoDataFrame:
    """The remaining land as polygons, one (multi)polygon per group, for maps.

    Parameters
    ----------
    plan
        The plan.
    year
        Year of the parcel statuses; ``None`` for the plan as it stands.
    by
        Grouping level (default ``"zone"``).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``<by>_id`` (``zone_id`` by default; plus ``zone_id`` when the group layer has
        it), ``area_m2``, ``area_mu`` and the geometry: the group polygon minus built, supplied
        and unbuildable parcels minus forbidden land. Its areas equal ``remaining_mu`` of
        :func:`remaining_land`.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> shapes = remaining_geometry(plan)
    >>> shapes["zone_id"].tolist(), shapes.geom_type.tolist()
    (['linqing'], ['MultiPolygon'])
    >>> round(float(shapes["area_mu"].iloc[0])), round(float(remaining_land(plan)["remaining_mu"].iloc[0]))  # the mapped land is the land counted
    (15695, 15695)
    """
    frame = parcel_frame(plan, year)
    gid = groups(plan, by).fillna("").to_numpy(dtype=object)
    layer = group_layer(plan, by)
    sub = np.isin(frame["st"].to_numpy(), _SUBTRACTED)
    pgeoms = plan.parcels.geometry.to_numpy()
    mode, parts, _ = _masks(plan)
    mask = shapely.union_all(parts) if mode is not None else None
    out = []
    for gid_value, geom in zip(layer["group_id"].to_numpy(dtype=object), layer.geometry.to_numpy()):
        left = geom
        if mode == "allowed":
            left = shapely.intersection(left, mask)
        elif mode == "forbidden":
            left = shapely.difference(left, mask)
        taken = pgeoms[sub & (gid == gid_value)]
        if len(taken):
            left = shapely.difference(left, shapely.union_all(taken))
        out.append(left)
    geoms = polygonal(np.array(out, dtype=object)) if out else np.array([], dtype=object)  # no lines where parcels touch the edge
    area = basis_area_m2(geoms, plan).to_numpy() if len(geoms) else np.array([], dtype=float)
    data = {f"{by}_id": layer["group_id"].to_numpy()}
    source = plan[LAYER_OF[by]]
    if by != "zone" and "zone_id" in source.columns:
        data["zone_id"] = source["zone_id"].astype("string").to_numpy()
    data.update(area_m2=area, area_mu=area / M2_PER_MU)
    return gpd.GeoDataFrame(data, geometry=geoms, crs=plan.crs, index=layer.index)
