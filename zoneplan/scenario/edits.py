"""The edit language: each kind of "what if" as a frozen dataclass with ``apply(plan) -> Plan``.

Edit kinds, parcel selection and how future years move are described in :mod:`zoneplan.scenario`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoneplan.compliance.rules import RULES_META_KEY, rules_of
from zoneplan.errors import InputError, PlanError
from zoneplan.layers import LAYERS, TABLES
from zoneplan.plan import Plan
from zoneplan.scenario._values import FrozenDict, drop_none, frozen, plain

if TYPE_CHECKING:
    from zoneplan.analysis.grouping import Level

__all__ = [
    "EDIT_KINDS",
    "SUPPLY_RATE_TABLE",
    "AddParcels",
    "AssignParcels",
    "ChangeLanduse",
    "ChangeQuotas",
    "ChangeRules",
    "ChangeStatus",
    "ChangeTargets",
    "Edit",
    "PhaseSchedule",
    "SetAttributes",
    "SupplyRate",
    "edit_from_dict",
    "supply_rates_of",
]

#: Table of annual supply rates (``scope``, ``annual_supply_mu``) written by :class:`SupplyRate`.
SUPPLY_RATE_TABLE = "supply_rates"

_GROUP_COLUMNS: dict[str, Level] = {"zone_id": "zone", "district_id": "district", "park_id": "park", "phase_id": "phase"}
_YEAR_COLUMNS = ("supplied_year", "built_year", "planned_year")


# -- parcel selection and table helpers --------------------------------------------------------
def _ids_of(gdf: pd.DataFrame, layer: str) -> pd.Series:
    spec = LAYERS.get(layer)
    if spec is None or spec.id_column is None or spec.id_column not in gdf.columns:
        raise PlanError(f"layer {layer!r} has no id column to select features by", layer=layer, rule="scenario")
    return gdf[spec.id_column].astype("string")


def _select(plan: Plan, layer: str, ids: Sequence[str], where: Mapping[str, Any], *, what: str) -> np.ndarray:
    """Boolean mask of the features of ``layer`` named by ``ids`` and matching ``where``."""
    gdf = plan[layer]
    if not ids and not where:
        raise PlanError(f"{what}: selects no {layer} (give ids or where)", layer=layer, rule="scenario")
    mask = np.ones(len(gdf), dtype=bool)
    if ids:
        feature_ids = _ids_of(gdf, layer)
        unknown = sorted(set(map(str, ids)) - set(feature_ids.dropna()))
        if unknown:
            raise PlanError(f"{what}: unknown {layer} id(s) {unknown}", layer=layer, feature=", ".join(unknown), rule="scenario")
        mask &= feature_ids.isin([str(i) for i in ids]).to_numpy(dtype=bool)
    for column, wanted in where.items():
        values = _column_for_where(plan, layer, column)
        wanted_list = list(wanted) if isinstance(wanted, (list, tuple)) else [wanted]
        mask &= values.astype("string").isin([str(w) for w in wanted_list]).to_numpy(dtype=bool)
    if not mask.any():
        raise PlanError(f"{what}: no {layer} match {dict(where)}{' among ' + str(list(ids)) if ids else ''}", layer=layer, rule="scenario")
    return mask


def _column_for_where(plan: Plan, layer: str, column: str) -> pd.Series:
    gdf = plan[layer]
    if layer == "parcels" and column in _GROUP_COLUMNS:
        from zoneplan.analysis.grouping import assign_groups

        return assign_groups(plan, _GROUP_COLUMNS[column])
    if column not in gdf.columns:
        raise PlanError(f"no column {column!r} to select by", layer=layer, rule="scenario")
    return gdf[column]


def _shift_future_years(parcels: gpd.GeoDataFrame, mask: np.ndarray, delta: int) -> gpd.GeoDataFrame:
    """Shift the years of selected parcels that are still plans by ``delta`` (see module docs)."""
    if not delta:
        return parcels
    status = parcels["status"].astype("string") if "status" in parcels.columns else pd.Series(pd.NA, index=parcels.index, dtype="string")
    built = (status == "built").fillna(False).to_numpy(dtype=bool)
    supplied = (status == "supplied").fillna(False).to_numpy(dtype=bool)
    out = parcels.copy()
    for col in _YEAR_COLUMNS:
        if col not in out.columns:
            continue
        moves = mask & ~built
        if col == "supplied_year":
            moves &= ~supplied
        years = out[col].astype("Int64")
        years[moves] = years[moves] + delta
        out[col] = years
    return out


def _upsert(table: pd.DataFrame, rows: Sequence[Mapping[str, Any]], keys: Sequence[str], *, name: str) -> pd.DataFrame:
    """``table`` with ``rows`` added; rows with the same ``keys`` (missing key = NA) are replaced."""
    new = pd.DataFrame([dict(r) for r in rows])
    spec = TABLES.get(name)
    required = spec.required if spec else tuple(keys)
    missing = sorted({c for c in required if c not in new.columns or new[c].isna().any()})
    if missing:
        raise PlanError(f"rows of table {name!r} need {missing}", layer=name, rule="scenario")
    for key in keys:
        if key not in new.columns:
            new[key] = pd.NA
    if table.empty:
        return new

    def _key(df: pd.DataFrame) -> pd.Series:
        return df[list(keys)].astype("string").fillna("<NA>").agg("\x1f".join, axis=1) if len(df) else pd.Series([], dtype=str)

    for key in keys:
        if key not in table.columns:
            table = table.assign(**{key: pd.NA})
    kept = table[~_key(table).isin(set(_key(new)))]
    return pd.concat([kept, new], ignore_index=True)


def _geometry(value: Any) -> shapely.Geometry:
    if isinstance(value, Mapping):
        geom = shapely.geometry.shape(value.get("geometry", value) if value.get("type") == "Feature" else value)
    elif isinstance(value, str):
        text = value.strip()
        geom = shapely.from_geojson(text) if text.startswith("{") else shapely.from_wkt(text)
    else:
        raise PlanError(f"geometry must be WKT or GeoJSON, not {type(value).__name__}", rule="scenario")
    return geom


# -- edits -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Edit:
    """Base class of scenario edits: a frozen dataclass that is its own serialised form.

    Subclasses set ``kind`` and implement :meth:`apply`. ``note`` is free text for reviewers.

    Examples
    --------
    >>> edit = PhaseSchedule(phase_id="zhangdian-phase-3", shift_years=2, note="land acquisition is late")
    >>> edit.kind, edit.to_dict()  # plain data, defaults left out
    ('phase_schedule', {'kind': 'phase_schedule', 'note': 'land acquisition is late', 'phase_id': 'zhangdian-phase-3', 'shift_years': 2})
    >>> edit.describe()
    'phase_schedule: phase_id=zhangdian-phase-3, shift_years=2 — land acquisition is late'
    >>> edit_from_dict(edit.to_dict()) == edit
    True
    """

    kind: ClassVar[str] = ""
    note: str = field(default="", kw_only=True)

    def apply(self, plan: Plan) -> Plan:  # pragma: no cover - abstract
        """Return a new plan with this edit applied (``plan`` is not modified)."""
        raise NotImplementedError

    def describe(self) -> str:
        """One line for humans, e.g. ``phase_schedule: phase_id=zd-3, shift_years=2``."""
        body = {k: v for k, v in self.to_dict().items() if k not in ("kind", "note")}
        text = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False) if not isinstance(v, (str, int, float)) else v}" for k, v in body.items())
        return f"{self.kind}: {text[:200]}" + (f" — {self.note}" if self.note else "")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON/TOML data: ``{"kind": ..., field: value, ...}``, defaults left out."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            default = (
                f.default
                if f.default is not dataclasses.MISSING
                else (f.default_factory() if f.default_factory is not dataclasses.MISSING else dataclasses.MISSING)
            )
            if value is None or (default is not dataclasses.MISSING and plain(value) == plain(default)):
                continue
            out[f.name] = plain(value)
        return drop_none(out)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Edit:
        """Build the edit from :meth:`to_dict` output (``kind`` must match)."""
        data = dict(data)
        data.pop("kind", None)
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise InputError(f"edit {cls.kind!r} has no field(s) {unknown}; fields are {sorted(names)}", rule="scenario")
        try:
            return cls(**{k: frozen(v) for k, v in data.items()})
        except TypeError as exc:
            raise InputError(f"edit {cls.kind!r}: {exc}", rule="scenario") from None

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, frozen(getattr(self, f.name)))


@dataclass(frozen=True)
class _ParcelEdit(Edit):
    """An edit that applies to selected parcels (``parcels`` ids and/or ``where``)."""

    parcels: tuple[str, ...] = ()
    where: Mapping[str, Any] = field(default_factory=FrozenDict)

    def _mask(self, plan: Plan) -> np.ndarray:
        return _select(plan, "parcels", self.parcels, self.where, what=self.kind)


@dataclass(frozen=True)
class AssignParcels(_ParcelEdit):
    """Move parcels to another phase, park and/or district.

    Parameters
    ----------
    parcels, where
        Which parcels (ids; column → value(s)).
    phase_id, park_id, district_id
        The new group ids (``None`` leaves that assignment alone). Each must exist in its layer.
    reschedule
        When moving to a phase, shift the parcels' future years (see module docs) by the
        difference between the new phase's ``start_year`` and the old one's, so the parcel keeps
        its place in the schedule — moving a parcel from a phase starting 2022 to one starting
        2023 supplies it one year later.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> moved = AssignParcels(parcels=["ZD-0200"], phase_id="zhangdian-phase-3").apply(plan)  # phase 3 starts a year after phase 2
    >>> columns = ["phase_id", "supplied_year", "planned_year"]
    >>> plan.parcels.set_index("parcel_id").loc[["ZD-0200"], columns].to_numpy().tolist(), moved.parcels.set_index("parcel_id").loc[["ZD-0200"], columns].to_numpy().tolist()
    ([['zhangdian-phase-2', 2022, 2024]], [['zhangdian-phase-3', 2022, 2025]])
    """

    kind: ClassVar[str] = "assign"
    phase_id: str | None = None
    park_id: str | None = None
    district_id: str | None = None
    reschedule: bool = True

    def apply(self, plan: Plan) -> Plan:
        mask = self._mask(plan)
        targets = {"phase_id": self.phase_id, "park_id": self.park_id, "district_id": self.district_id}
        targets = {k: v for k, v in targets.items() if v is not None}
        if not targets:
            raise PlanError("assign: give phase_id, park_id or district_id", layer="parcels", rule="scenario")
        parcels = plan.parcels
        for column, group in targets.items():
            layer = f"{_GROUP_COLUMNS[column]}s" if column != "phase_id" else "phases"
            known = set(_ids_of(plan[layer], layer).dropna())
            if str(group) not in known:
                raise PlanError(f"assign: {column} {group!r} names no feature; known: {sorted(known)}", layer=layer, feature=group, rule="scenario")
        if "phase_id" in targets and self.reschedule and "start_year" in plan.phases.columns:
            from zoneplan.analysis.grouping import assign_groups

            start = pd.Series(plan.phases["start_year"].to_numpy(), index=_ids_of(plan.phases, "phases").to_numpy())
            old = assign_groups(plan, "phase").astype("string")
            old_start = old.map(start).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            delta = float(start.get(str(targets["phase_id"]), np.nan)) - old_start
            delta = np.where(np.isnan(delta), 0, delta).astype(int)
            for d in np.unique(delta[mask]):
                parcels = _shift_future_years(parcels, mask & (delta == d), int(d))
        parcels = parcels.copy()
        for column, group in targets.items():
            values = parcels[column].astype("string") if column in parcels.columns else pd.Series(pd.NA, index=parcels.index, dtype="string")
            values[mask] = str(group)
            parcels[column] = values
        return plan.with_layer("parcels", parcels)


@dataclass(frozen=True)
class ChangeLanduse(_ParcelEdit):
    """Give selected parcels another 2023 land-use code.

    Parameters
    ----------
    landuse_code
        The new code (e.g. ``"1101"`` logistics/storage for a textile park turning to logistics).
    from_codes
        Only parcels whose current code starts with one of these prefixes (e.g. ``["1001"]`` for
        industrial land only); empty means every selected parcel.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> edit = ChangeLanduse(where={"park_id": "textiles"}, from_codes=["1001"], landuse_code="1101")  # textiles → logistics
    >>> after = edit.apply(plan)
    >>> in_park = plan.parcels["park_id"] == "textiles"
    >>> plan.parcels.loc[in_park, "landuse_code"].str[:4].value_counts().to_dict(), after.parcels.loc[in_park, "landuse_code"].str[:4].value_counts().to_dict()
    ({'1001': 48, '1207': 9, '1402': 4}, {'1101': 48, '1207': 9, '1402': 4})
    """

    kind: ClassVar[str] = "landuse"
    landuse_code: str = ""
    from_codes: tuple[str, ...] = ()

    def apply(self, plan: Plan) -> Plan:
        if not self.landuse_code:
            raise PlanError("landuse: give landuse_code", layer="parcels", rule="scenario")
        mask = self._mask(plan)
        parcels = plan.parcels.copy()
        codes = parcels["landuse_code"].astype("string")
        if self.from_codes:
            mask &= codes.str.startswith(tuple(str(c) for c in self.from_codes)).fillna(False).to_numpy(dtype=bool)
            if not mask.any():
                raise PlanError(f"landuse: no selected parcel has a code starting with {list(self.from_codes)}", layer="parcels", rule="scenario")
        codes[mask] = str(self.landuse_code)
        parcels["landuse_code"] = codes
        return plan.with_layer("parcels", parcels)


@dataclass(frozen=True)
class ChangeStatus(_ParcelEdit):
    """Change the status and/or years of selected parcels.

    Parameters
    ----------
    status
        New status (``built``, ``supplied``, ``ready``, ``unready``, ``unbuildable``), or None.
    supplied_year, built_year, planned_year
        New years (None leaves the year alone).
    shift_years
        Shift the parcels' future years by this many years (see module docs).
    clear
        Columns to empty (e.g. ``["supplied_year", "built_year", "enterprise"]`` when relocated
        enterprises free their land).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> columns = ["status", "built_year", "planned_year"]
    >>> ChangeStatus(parcels=["ZD-0200"], status="built", built_year=2025).apply(plan).parcels.set_index("parcel_id").loc[["ZD-0200"], columns].to_numpy().tolist()
    [['built', 2025, 2024]]
    >>> slipped = ChangeStatus(where={"phase_id": "zhangdian-phase-2"}, shift_years=1).apply(plan)  # only future years move
    >>> slipped.parcels.set_index("parcel_id").loc[["ZD-0200", "ZD-0168"], ["supplied_year", "planned_year"]].to_numpy().tolist()
    [[2022, 2025], [2023, 2024]]
    """

    kind: ClassVar[str] = "status"
    status: str | None = None
    supplied_year: int | None = None
    built_year: int | None = None
    planned_year: int | None = None
    shift_years: int = 0
    clear: tuple[str, ...] = ()

    def apply(self, plan: Plan) -> Plan:
        mask = self._mask(plan)
        parcels = _shift_future_years(plan.parcels, mask, int(self.shift_years)).copy()
        for column in self.clear:
            if column in ("parcel_id", "landuse_code", "geometry"):
                raise PlanError(f"status: column {column!r} cannot be cleared", layer="parcels", rule="scenario")
            if column in parcels.columns:
                values = parcels[column].copy()
                values[mask] = None
                parcels[column] = values
        for column in ("status", *_YEAR_COLUMNS):
            value = getattr(self, column)
            if value is None:
                continue
            values = parcels[column] if column in parcels.columns else pd.Series(pd.NA, index=parcels.index, dtype="Int64" if column != "status" else "string")
            values = values.copy()
            values[mask] = value
            parcels[column] = values
        return plan.with_layer("parcels", parcels)


@dataclass(frozen=True)
class SetAttributes(Edit):
    """Set attributes of selected features of any layer (e.g. a park's ``industry``).

    Parameters
    ----------
    layer
        Layer name (``parcels``, ``parks``, ``phases`` …).
    ids, where
        Which features (ids in the layer's id column; column → value(s)).
    values
        Column → new value.
    clear
        Columns to empty.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> after = SetAttributes(layer="parks", ids=["textiles"], values={"industry": "物流 logistics"}).apply(plan)
    >>> plan.parks.set_index("park_id").loc["textiles", "industry"], after.parks.set_index("park_id").loc["textiles", "industry"]
    ('high-end textiles and garments', '物流 logistics')
    """

    kind: ClassVar[str] = "set"
    layer: str = "parcels"
    ids: tuple[str, ...] = ()
    where: Mapping[str, Any] = field(default_factory=FrozenDict)
    values: Mapping[str, Any] = field(default_factory=FrozenDict)
    clear: tuple[str, ...] = ()

    def apply(self, plan: Plan) -> Plan:
        if not self.values and not self.clear:
            raise PlanError("set: give values or clear", layer=self.layer, rule="scenario")
        mask = _select(plan, self.layer, self.ids, self.where, what=self.kind)
        gdf = plan[self.layer].copy()
        geometry = gdf.geometry.name
        for column in (*self.values, *self.clear):
            if column == geometry:
                raise PlanError("set: geometry cannot be set; use add_parcels", layer=self.layer, rule="scenario")
        for column, value in (*self.values.items(), *((c, None) for c in self.clear)):
            if column not in gdf.columns:
                gdf[column] = pd.Series(pd.NA, index=gdf.index, dtype=object)
            values = gdf[column].astype(object)
            values[mask] = value
            gdf[column] = values
        return plan.with_layer(self.layer, gdf)


@dataclass(frozen=True)
class PhaseSchedule(Edit):
    """Change a phase's schedule; its parcels' future years move with it.

    Parameters
    ----------
    phase_id
        The phase.
    shift_years
        Move start and end by this many years (e.g. 2: "phase 3 slips two years").
    start_year, end_year
        Or set them; parcels then move by the change of ``end_year`` (when given), else of
        ``start_year``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> late = PhaseSchedule(phase_id="zhangdian-phase-2", end_year=2026).apply(plan)  # two years later: its parcels' future years follow
    >>> late.phases[["start_year", "end_year"]].to_numpy().tolist()
    [[2022, 2023], [2022, 2026], [2023, 2027]]
    >>> late.parcels.set_index("parcel_id").loc[["ZD-0200", "ZD-0168"], "planned_year"].tolist()
    [2026, 2025]
    """

    kind: ClassVar[str] = "phase_schedule"
    phase_id: str = ""
    shift_years: int | None = None
    start_year: int | None = None
    end_year: int | None = None

    def apply(self, plan: Plan) -> Plan:
        phases = plan.phases.copy()
        mask = _select(plan, "phases", (self.phase_id,), {}, what=self.kind)
        row = phases[mask].iloc[0]
        old_start, old_end = row.get("start_year"), row.get("end_year")
        if self.shift_years is not None:
            if self.start_year is not None or self.end_year is not None:
                raise PlanError("phase_schedule: give shift_years or start/end years, not both", layer="phases", feature=self.phase_id, rule="scenario")
            delta = int(self.shift_years)
            new_start = None if pd.isna(old_start) else int(old_start) + delta
            new_end = None if pd.isna(old_end) else int(old_end) + delta
        elif self.start_year is None and self.end_year is None:
            raise PlanError("phase_schedule: give shift_years, start_year or end_year", layer="phases", feature=self.phase_id, rule="scenario")
        else:
            new_start = self.start_year if self.start_year is not None else old_start
            new_end = self.end_year if self.end_year is not None else old_end
            if self.end_year is not None and not pd.isna(old_end):
                delta = int(self.end_year) - int(old_end)
            elif self.start_year is not None and not pd.isna(old_start):
                delta = int(self.start_year) - int(old_start)
            else:
                delta = 0
        for column, value in (("start_year", new_start), ("end_year", new_end)):
            values = phases[column].astype("Int64") if column in phases.columns else pd.Series(pd.NA, index=phases.index, dtype="Int64")
            values[mask] = pd.NA if value is None or pd.isna(value) else int(value)
            phases[column] = values
        plan = plan.with_layer("phases", phases)
        if delta and len(plan.parcels):
            from zoneplan.analysis.grouping import assign_groups

            in_phase = (assign_groups(plan, "phase").astype("string") == str(self.phase_id)).fillna(False).to_numpy(dtype=bool)
            plan = plan.with_layer("parcels", _shift_future_years(plan.parcels, in_phase, delta))
        return plan


@dataclass(frozen=True)
class AddParcels(Edit):
    """Add parcels — a new project — with geometry and attributes.

    Parameters
    ----------
    features
        One mapping per parcel: ``geometry`` (WKT text, GeoJSON text or a GeoJSON mapping) and
        attributes (``parcel_id`` and ``landuse_code`` required; ``status``, ``planned_year``,
        ``supplied_year``, ``investment_yuan`` … as in the parcel contract).
    crs
        CRS of the geometries (e.g. ``"EPSG:4326"`` for lon-lat); default: the plan's CRS.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> project = {"parcel_id": "ZD-NEW-1", "landuse_code": "100101", "status": "ready", "planned_year": 2026}
    >>> edit = AddParcels(features=[{**project, "geometry": "POLYGON ((594000 4074000, 594200 4074000, 594200 4074200, 594000 4074200, 594000 4074000))"}])
    >>> after = edit.apply(plan)
    >>> len(plan.parcels), len(after.parcels), after.parcels["parcel_id"].iloc[-1], round(float(after.parcels.geometry.area.iloc[-1]) / 666.667, 1)
    (369, 370, 'ZD-NEW-1', 60.0)
    """

    kind: ClassVar[str] = "add_parcels"
    features: tuple[Mapping[str, Any], ...] = ()
    crs: str | None = None

    def apply(self, plan: Plan) -> Plan:
        if not self.features:
            raise PlanError("add_parcels: no features given", layer="parcels", rule="scenario")
        rows = [{k: v for k, v in f.items() if k != "geometry"} for f in self.features]
        missing = [i for i, f in enumerate(self.features) if "geometry" not in f]
        if missing:
            raise PlanError(f"add_parcels: feature(s) {missing} have no geometry", layer="parcels", rule="scenario")
        try:
            geoms = [_geometry(f["geometry"]) for f in self.features]
        except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
            raise PlanError(f"add_parcels: unreadable geometry: {exc}", layer="parcels", rule="scenario") from None
        new = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=self.crs or plan.crs)
        for column in LAYERS["parcels"].required:
            if column not in new.columns or new[column].isna().any():
                raise PlanError(f"add_parcels: every feature needs {column!r}", layer="parcels", rule="scenario")
        existing = set(_ids_of(plan.parcels, "parcels").dropna()) if len(plan.parcels) else set()
        clash = sorted(existing & set(new["parcel_id"].astype(str)))
        if clash:
            raise PlanError(f"add_parcels: parcel id(s) {clash} already exist", layer="parcels", feature=", ".join(clash), rule="scenario")
        new = new.to_crs(plan.crs)
        if new.geometry.name != plan.parcels.geometry.name:
            new = new.rename_geometry(plan.parcels.geometry.name)
        parcels = pd.concat([plan.parcels, new], ignore_index=True)
        return plan.with_layer("parcels", gpd.GeoDataFrame(parcels, geometry=plan.parcels.geometry.name, crs=plan.crs))


@dataclass(frozen=True)
class ChangeTargets(Edit):
    """Add or replace plan targets (rows keyed by ``scope``, ``metric``, ``year``).

    Example: ``ChangeTargets(rows=[{"scope": "zd", "metric": "parcel_min_far", "op": ">=",
    "value": 2.5}])`` — the plot-ratio rule tightens to 2.5.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> tighter = ChangeTargets(rows=[{"scope": "zhangdian", "metric": "parcel_min_far", "op": ">=", "value": 2.5}]).apply(plan)
    >>> plan.targets["value"].tolist(), tighter.targets[["scope", "metric", "op", "value"]].to_numpy().tolist()  # the row is replaced
    ([2.0], [['zhangdian', 'parcel_min_far', '>=', 2.5]])
    """

    kind: ClassVar[str] = "targets"
    rows: tuple[Mapping[str, Any], ...] = ()

    def apply(self, plan: Plan) -> Plan:
        if not self.rows:
            raise PlanError("targets: no rows given", layer="targets", rule="scenario")
        return plan.with_table("targets", _upsert(plan.targets, self.rows, ("scope", "metric", "year"), name="targets"))


@dataclass(frozen=True)
class ChangeQuotas(Edit):
    """Add or replace annual new-construction-land quotas (rows keyed by ``zone_id``, ``year``).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> more = ChangeQuotas(rows=[{"zone_id": "linqing", "year": 2023, "new_construction_mu": 900}]).apply(plan)
    >>> quota = lambda p: float(p.quotas.set_index("year").loc[2023, "new_construction_mu"])
    >>> quota(plan), quota(more), len(more.quotas) == len(plan.quotas)
    (700.0, 900.0, True)
    """

    kind: ClassVar[str] = "quotas"
    rows: tuple[Mapping[str, Any], ...] = ()

    def apply(self, plan: Plan) -> Plan:
        if not self.rows:
            raise PlanError("quotas: no rows given", layer="quotas", rule="scenario")
        return plan.with_table("quotas", _upsert(plan.quotas, self.rows, ("zone_id", "year"), name="quotas"))


@dataclass(frozen=True)
class ChangeRules(Edit):
    """Override compliance rules; merged into the JSON held in ``plan.meta["rules"]``.

    :func:`zoneplan.compliance.rules.rules_of` returns the merged mapping;
    :func:`zoneplan.compliance.rules.resolve_rules` applies it in every check of the plan.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.compliance.rules import resolve_rules
    >>> plan = ChangeRules(rules={"env_min_distance_m": 200, "parcel_min_far": 2.5}).apply(datasets.load("zhangdian"))
    >>> rules = resolve_rules(plan)
    >>> rules.env_min_distance_m, [(r.metric, r.value) for r in rules.parcel], rules.provenance["parcel_min_far"]
    (200.0, [('parcel_min_far', 2.5)], 'plan metadata rules')
    """

    kind: ClassVar[str] = "rules"
    rules: Mapping[str, Any] = field(default_factory=FrozenDict)

    def apply(self, plan: Plan) -> Plan:
        if not self.rules:
            raise PlanError("rules: no rules given", rule="scenario")
        merged = _deep_merge(rules_of(plan), plain(self.rules))
        from zoneplan.compliance.rules import resolve_rules

        try:  # stored only if check would accept it ("two", a negative tolerance are refused now)
            resolve_rules(plan, merged)
        except InputError as exc:
            raise PlanError(f"rules: {exc.message}", layer=RULES_META_KEY, rule="scenario") from None
        return plan.with_meta(**{RULES_META_KEY: json.dumps(merged, ensure_ascii=False, sort_keys=True)})


@dataclass(frozen=True)
class SupplyRate(Edit):
    """Set the annual supply rate (mu of new construction land per year) of a scope.

    The rate replaces the mean of the last three years' supply when
    :func:`zoneplan.compare.supply_timeline` projects remaining land until it runs out.

    Parameters
    ----------
    annual_supply_mu
        Mu per year (≥ 0).
    scope
        Group id (zone, district, park or phase), or ``"*"`` for every group.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> faster = SupplyRate(annual_supply_mu=600).apply(plan)
    >>> supply_rates_of(plan).to_dict(), supply_rates_of(faster).to_dict()
    ({}, {'*': 600.0})
    """

    kind: ClassVar[str] = "supply_rate"
    annual_supply_mu: float = 0.0
    scope: str = "*"

    def apply(self, plan: Plan) -> Plan:
        if not (float(self.annual_supply_mu) >= 0):
            raise PlanError(f"supply_rate: annual_supply_mu must be ≥ 0, got {self.annual_supply_mu}", layer=SUPPLY_RATE_TABLE, rule="scenario")
        table = plan.tables.get(SUPPLY_RATE_TABLE, pd.DataFrame(columns=["scope", "annual_supply_mu"]))
        table = _upsert(table, [{"scope": str(self.scope), "annual_supply_mu": float(self.annual_supply_mu)}], ("scope",), name=SUPPLY_RATE_TABLE)
        return plan.with_table(SUPPLY_RATE_TABLE, table)


def _deep_merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _deep_merge(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) else value
    return out


#: ``kind`` → edit class.
EDIT_KINDS: dict[str, type[Edit]] = {
    cls.kind: cls
    for cls in (AssignParcels, ChangeLanduse, ChangeStatus, SetAttributes, PhaseSchedule, AddParcels, ChangeTargets, ChangeQuotas, ChangeRules, SupplyRate)
}


def edit_from_dict(data: Mapping[str, Any]) -> Edit:
    """The edit described by ``data`` (its ``kind`` picks the class).

    Raises
    ------
    InputError
        Unknown kind or field.

    Examples
    --------
    >>> edit_from_dict({"kind": "phase_schedule", "phase_id": "zhangdian-phase-3", "shift_years": 2})
    PhaseSchedule(note='', phase_id='zhangdian-phase-3', shift_years=2, start_year=None, end_year=None)
    """
    kind = data.get("kind") if isinstance(data, Mapping) else None
    if kind not in EDIT_KINDS:
        raise InputError(f"unknown edit kind {kind!r}; expected one of {sorted(EDIT_KINDS)}", rule="scenario")
    return EDIT_KINDS[kind].from_dict(data)


def supply_rates_of(plan: Plan) -> pd.Series:
    """Annual supply rates set by scenarios: scope → mu/year (empty when none).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.scenario import Scenario
    >>> faster = Scenario("faster-supply", [SupplyRate(scope="linqing", annual_supply_mu=800.0)])
    >>> supply_rates_of(faster.apply(datasets.load("linqing"))).to_dict()
    {'linqing': 800.0}
    """
    table = plan.tables.get(SUPPLY_RATE_TABLE)
    if table is None or table.empty:
        return pd.Series(dtype="float64", name="annual_supply_mu")
    return pd.Series(pd.to_numeric(table["annual_supply_mu"]).to_numpy(dtype=float), index=table["scope"].astype(str).to_numpy(), name="annual_supply_mu")
