"""The plan's layer and table contract: names, identifier columns and column types.

A plan is a set of named layers (polygon GeoDataFrames) and attribute tables. The names below are
the contract every analysis, check and map relies on; any other columns (and any other layer)
may be added freely and are carried through reading and writing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from zoneplan._numbers import column_unit, parse_numbers
from zoneplan.errors import PlanError

__all__ = [
    "CONTROL_LINE_KINDS",
    "LAYERS",
    "METRICS",
    "PARCEL_STATUSES",
    "TABLES",
    "LayerSpec",
    "TableSpec",
    "conform_layer",
    "conform_table",
    "empty_layer",
]


@dataclass(frozen=True)
class LayerSpec:
    """What a layer must contain.

    Attributes
    ----------
    name
        Layer name in the GeoPackage.
    id_column
        Column holding the feature identifier (unique within the layer), or None.
    required
        Columns that must be present.
    dtypes
        Column → pandas dtype for the known columns (applied when present).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> spec = LAYERS["parcels"]
    >>> spec.id_column, spec.required, spec.dtypes["status"]
    ('parcel_id', ('parcel_id', 'landuse_code'), 'string')
    >>> set(spec.required) <= set(datasets.load("linqing").parcels.columns)
    True
    """

    name: str
    id_column: str | None
    required: tuple[str, ...]
    dtypes: dict[str, str] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """What an attribute table (no geometry) must contain.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> spec = TABLES["targets"]
    >>> spec.required, spec.dtypes["year"]
    (('scope', 'metric', 'op', 'value'), 'Int64')
    >>> str(datasets.load("zhangdian").table("targets")["year"].dtype)  # conformed on read
    'Int64'
    """

    name: str
    required: tuple[str, ...]
    dtypes: dict[str, str] = field(default_factory=dict)
    description: str = ""


#: Parcel status, after the intensive-use evaluation's land-status model.
PARCEL_STATUSES: dict[str, str] = {
    "built": "已建成",
    "supplied": "已供应未建成",
    "ready": "已达到供地条件",
    "unready": "未达到供地条件",
    "unbuildable": "不可建设",
}

#: The three control lines (三条控制线).
CONTROL_LINE_KINDS: dict[str, str] = {
    "ecological_redline": "生态保护红线",
    "basic_farmland": "永久基本农田",
    "urban_development_boundary": "城镇开发边界",
}

_S = "string"
_I = "Int64"
_F = "float64"

LAYERS: dict[str, LayerSpec] = {
    spec.name: spec
    for spec in (
        LayerSpec(
            "zones",
            "zone_id",
            ("zone_id",),
            {"zone_id": _S, "name": _S, "level": _S, "approved_area_mu": _F},
            "Development-zone boundaries (开发区四至).",
        ),
        LayerSpec(
            "districts",
            "district_id",
            ("district_id", "zone_id"),
            {"district_id": _S, "zone_id": _S, "name": _S, "role": _S},
            "Districts / blocks (板块) of a zone.",
        ),
        LayerSpec(
            "parks",
            "park_id",
            ("park_id", "zone_id"),
            {"park_id": _S, "zone_id": _S, "district_id": _S, "name": _S, "industry": _S},
            "Industrial parks (产业园).",
        ),
        LayerSpec(
            "phases",
            "phase_id",
            ("phase_id", "zone_id"),
            {
                "phase_id": _S,
                "zone_id": _S,
                "phase_no": _I,
                "name": _S,
                "target_area_mu": _F,
                "start_year": _I,
                "end_year": _I,
                "investment_yuan": _F,
            },
            "Development / redevelopment phases (分期).",
        ),
        LayerSpec(
            "parcels",
            "parcel_id",
            ("parcel_id", "landuse_code"),
            {
                "parcel_id": _S,
                "zone_id": _S,
                "landuse_code": _S,
                "status": _S,
                "supplied_year": _I,
                "built_year": _I,
                "floor_area_m2": _F,
                "footprint_m2": _F,
                "investment_yuan": _F,
                "tax_yuan": _F,
                "enterprise": _S,
                # where the parcel sits (derived spatially when absent)
                "district_id": _S,
                "park_id": _S,
                "phase_id": _S,
                # plan over time: code before development, year the plan makes it construction land
                "base_landuse_code": _S,
                "planned_year": _I,
                # project and industrial-land controls (工业项目建设用地控制指标)
                "project": _S,  # new | renovated | existing
                "office_area_m2": _F,  # 行政办公及生活服务设施用地
                "green_area_m2": _F,
                "env_risk_class": _I,  # environmental-risk class (IV = 4 and above is high risk)
                # idle land (闲置土地, 53号令): dates as ISO text, shares as fractions
                "agreed_start_date": _S,
                "started_date": _S,
                "suspended_date": _S,
                "developed_share": _F,
                "invested_share": _F,
            },
            "Land parcels (地块) with 2023 用地用海 codes and status.",
        ),
        LayerSpec(
            "control_lines",
            None,
            ("kind",),
            {"kind": _S, "name": _S},
            "Ecological red line, permanent basic farmland, urban development boundary.",
        ),
    )
}

#: Target metrics understood by analysis and compliance (``targets.metric``), with their unit.
#: Zone-level indicators use the names of :func:`zoneplan.analysis` output; ``parcel_*`` metrics
#: switch on per-parcel rules in :mod:`zoneplan.compliance` (``env_min_distance_m`` sets its adjacency distance).
METRICS: dict[str, str] = {
    "industrial_share": "fraction — industrial land (1001xx) / urban construction land (plan documents' 工业用地占比)",
    "industrial_land_ratio": "fraction — built industrial+storage / built urban construction land (evaluation 工业用地率)",
    "urban_construction_area_km2": "km2 — urban construction land in the scope",
    "industrial_area_km2": "km2 — industrial land (1001xx) in the scope",
    "investment_intensity_wan_per_mu": "万元/亩 — fixed-asset investment per mu of industrial land",
    "tax_per_mu_wan": "万元/亩 — tax per mu",
    "composite_far": "ratio — floor area / built urban construction land",
    "parcel_min_far": "ratio — minimum plot ratio of each industrial parcel (new/renovated projects)",
    "parcel_min_investment_intensity_wan_per_mu": "万元/亩 — minimum investment intensity of each industrial parcel",
    "parcel_min_building_coefficient": "fraction — minimum footprint / parcel area of each industrial parcel",
    "parcel_max_office_share": "fraction — maximum office/living land share of each industrial parcel",
    "parcel_max_green_ratio": "fraction — maximum green ratio of each industrial parcel",
    "env_min_distance_m": "m — minimum distance from class-3 industry / high-risk projects to sensitive land",
}

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "targets",
            ("scope", "metric", "op", "value"),
            {"scope": _S, "metric": _S, "year": _I, "op": _S, "value": _F, "unit": _S, "source": _S},
            "Plan targets: scope (zone/district/park/phase id), metric, year, op (>=, <=, =), value.",
        ),
        TableSpec(
            "quotas",
            ("zone_id", "year", "new_construction_mu"),
            {"zone_id": _S, "year": _I, "new_construction_mu": _F},
            "Annual new-construction-land quotas (新增建设用地指标) per zone, in mu.",
        ),
    )
}


def _numbers(df: pd.DataFrame, col: str, name: str, id_column: str | None) -> pd.Series:
    """Column ``col`` read as numbers (:func:`zoneplan._numbers.parse_numbers`); a value that is no number is refused."""
    numbers, unreadable = parse_numbers(df[col], unit=column_unit(col))
    if unreadable.any():
        row = int(unreadable.to_numpy().argmax())
        ids = df[id_column] if id_column and id_column in df.columns else None
        feature = f"#{row}" if ids is None or pd.isna(ids.iloc[row]) else str(ids.iloc[row])
        count = int(unreadable.sum())
        more = f" (and {count - 1} more value(s) in the column)" if count > 1 else ""
        raise PlanError(f"{col} is {df[col].iloc[row]!r}, not a number{more}", layer=name, feature=feature, rule="not-a-number")
    return numbers


def _cast(df: pd.DataFrame, dtypes: dict[str, str], *, name: str, id_column: str | None = None) -> pd.DataFrame:
    casts = {}
    for col, dtype in dtypes.items():
        if col not in df.columns or str(df[col].dtype) == dtype:
            continue
        values = df[col]
        if dtype == _S:
            # Ids and codes stay text: 101.0 read back from a numeric column becomes "101".
            if pd.api.types.is_float_dtype(values):
                values = values.astype("Int64")
            casts[col] = values.astype(_S)
        elif dtype == _I:
            casts[col] = _numbers(df, col, name, id_column).round().astype(_I)
        else:
            casts[col] = _numbers(df, col, name, id_column).astype(dtype)
    return df.assign(**casts) if casts else df


def conform_layer(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Cast the known columns of layer ``name`` to their contract types (copy; extra columns kept).

    Numbers written as text are read as a person means them (``12,000``, ``2019年``, ``二〇一九``:
    :func:`zoneplan._numbers.parse_numbers`); a value that is no number raises
    :class:`~zoneplan.errors.PlanError` (rule ``not-a-number``) naming the feature, never a NULL.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> phases = datasets.load("zhangdian").phases
    >>> conformed = conform_layer(phases.assign(phase_no=phases["phase_no"].astype(float)), "phases")
    >>> str(conformed["phase_no"].dtype)
    'Int64'
    """
    spec = LAYERS.get(name)
    return _cast(gdf, spec.dtypes, name=name, id_column=spec.id_column) if spec else gdf


def conform_table(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Cast the known columns of table ``name`` to their contract types; add missing optional ones empty.

    A ``targets`` table without ``year`` (or ``unit``, ``source``) is a normal table whose
    targets hold for the plan as it stands.

    Examples
    --------
    >>> import pandas as pd
    >>> table = conform_table(pd.DataFrame({"scope": ["Z1"], "metric": ["far"], "op": [">="], "value": [2]}), "targets")
    >>> {c: str(table[c].dtype) for c in ("value", "year")}  # value cast to float; the optional year added, empty
    {'value': 'float64', 'year': 'Int64'}
    """
    spec = TABLES.get(name)
    if spec is None:
        return df
    missing = {c: pd.Series(pd.NA, index=df.index, dtype=t) for c, t in spec.dtypes.items() if c not in df.columns and c not in spec.required}
    return _cast(df.assign(**missing) if missing else df, spec.dtypes, name=name)


def empty_layer(name: str, crs) -> gpd.GeoDataFrame:
    """An empty layer with the contract's columns, for plans that lack the layer.

    Examples
    --------
    >>> layer = empty_layer("phases", 4548)
    >>> len(layer), layer.crs.to_epsg(), "target_area_mu" in layer.columns
    (0, 4548, True)
    """
    spec = LAYERS[name]
    data = {col: pd.Series([], dtype=dtype) for col, dtype in spec.dtypes.items()}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def empty_table(name: str) -> pd.DataFrame:
    """An empty table with the contract's columns.

    Examples
    --------
    >>> list(empty_table("targets").columns)[:5]
    ['scope', 'metric', 'year', 'op', 'value']
    """
    spec = TABLES[name]
    return pd.DataFrame({col: pd.Series([], dtype=dtype) for col, dtype in spec.dtypes.items()})


__all__ += ["empty_table"]
