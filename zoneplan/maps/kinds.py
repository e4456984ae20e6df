"""What each kind of map shows: a :class:`MapSpec` of overlays, labels, fields and a legend.

A spec is drawn either interactively (:func:`zoneplan.maps.interactive.render_spec`, folium) or as
a planning drawing (:func:`zoneplan.maps.print.print_spec`, matplotlib), so both show the same
layers, colours, labels and legend.

Kinds
-----
``phases``
    Numbered phases coloured by schedule, labelled with phase number and measured area in mu;
    fields: area, target area, investment (亿元), years.
``layout``
    Zone boundary, districts (板块) and parks (产业园), labelled with their names.
``landuse``
    Parcels in the standard 2023 用地用海 palette, legend in Chinese and English; with ``year``
    the codes are those of that year (:func:`zoneplan.state.plan_state`, the table analysis and
    compliance read).
``remaining``
    Remaining land (:func:`zoneplan.analysis.remaining.remaining_geometry`) over the parcels.
``compliance``
    Each violation of :func:`zoneplan.compliance.check` highlighted, with rule, measured value,
    limit and area in mu.
``indicator``
    Choropleth of one indicator of :func:`zoneplan.analysis.indicators` per zone, district, park
    or phase, in mapclassify classes.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from zoneplan import landuse
from zoneplan._memo import follows_data
from zoneplan.compliance.findings import rule_title
from zoneplan.errors import InputError
from zoneplan.layers import CONTROL_LINE_KINDS, LAYERS, PARCEL_STATUSES
from zoneplan.maps.style import (
    CONTROL_LINE_COLORS,
    REMAINING_COLOR,
    VIOLATION_COLOR,
    ZONE_COLOR,
    LegendItem,
    classify,
    landuse_colors,
    landuse_legend,
    qualitative,
    rule_colors,
    schedule_colors,
    schedule_order,
)
from zoneplan.measure import area_in, plan_area_basis
from zoneplan.plan import Plan
from zoneplan.state import plan_state
from zoneplan.units import yuan_to_yi

if TYPE_CHECKING:
    from zoneplan.analysis.grouping import Level

__all__ = [
    "GROUP_LEVELS",
    "KINDS",
    "Field",
    "MapSpec",
    "Overlay",
    "build_spec",
    "cite",
    "compliance_spec",
    "context_overlays",
    "indicator_spec",
    "landuse_spec",
    "layout_spec",
    "phase_label",
    "phases_spec",
    "polygonal",
    "remaining_spec",
    "workbench_spec",
]

Kind = Literal["phases", "layout", "landuse", "remaining", "compliance", "indicator"]
KINDS: tuple[str, ...] = ("phases", "layout", "landuse", "remaining", "compliance", "indicator")
#: Grouping level → (layer, id column).
GROUP_LEVELS: dict[str, tuple[str, str]] = {
    "zone": ("zones", "zone_id"),
    "district": ("districts", "district_id"),
    "park": ("parks", "park_id"),
    "phase": ("phases", "phase_id"),
}
_CN_DIGITS = "零一二三四五六七八九十"


@dataclass(frozen=True)
class Field:
    """An attribute shown in tooltips and popups: label and values aligned to the overlay's rows.

    ``digits`` formats numbers with that many decimals; text is always shown as text (escaped).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> phases = next(o for o in phases_spec(datasets.load("zhangdian")).overlays if o.name == "分期 Phases")
    >>> area = next(f for f in phases.fields if f.label.startswith("面积"))
    >>> area.label, area.digits, area.values.round(1).tolist()  # shown as 1,022.0 …
    ('面积 Area (亩 mu)', 1, [1022.0, 1872.0, 1400.0])
    """

    label: str
    values: pd.Series
    digits: int | None = None


@dataclass(frozen=True)
class Overlay:
    """One map layer: polygons in the plan's CRS, their fill, outline, fields and labels.

    ``fill`` is one colour, a Series of colours aligned to ``data``, or None for outline only;
    ``label_at`` the points the labels sit on, aligned to ``data`` (default: each feature's
    representative point).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> phases = next(o for o in phases_spec(datasets.load("zhangdian")).overlays if o.name == "分期 Phases")
    >>> len(phases.data), phases.fill.tolist(), phases.context
    (3, ['#ba0906', '#f4754f', '#fdca94'], False)
    >>> print(phases.labels.iloc[0])
    一期 Phase 1
    1,022.0 亩 mu
    80.0 亿元 · 2022–2023
    """

    name: str
    data: gpd.GeoDataFrame
    fill: str | pd.Series | None
    color: str = "#555555"
    weight: float = 1.0
    fill_opacity: float = 0.6
    dash: str | None = None
    fields: tuple[Field, ...] = ()
    labels: pd.Series | None = None
    show: bool = True
    context: bool = False  # geographic context (roads, a county outline …): drawn, not framed
    label_at: gpd.GeoSeries | None = None


@dataclass(frozen=True)
class MapSpec:
    """Everything a map of one kind shows.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> spec = phases_spec(datasets.load("zhangdian"))
    >>> spec.kind, spec.crs.to_epsg(), [overlay.name for overlay in spec.overlays if not overlay.context]
    ('phases', 4548, ['分期 Phases', '开发区 Zone'])
    >>> spec.legend_title, spec.legend[0]
    ('分期（按建设时序） Phases by schedule', LegendItem(color='#ba0906', label='一期 2022–2023 · 1,022.0 亩 · 80.0 亿元', outline=False))
    """

    kind: str
    title: str
    overlays: tuple[Overlay, ...]
    legend_title: str
    legend: tuple[LegendItem, ...]
    crs: pyproj.CRS
    source: str = ""
    date: datetime.date = field(default_factory=datetime.date.today)
    draw_zone_id: str | None = None
    next_phase_no: int = 1


def polygonal(gdf: gpd.GeoDataFrame, *, buffer_m: float = 3.0) -> gpd.GeoDataFrame:
    """``gdf`` with lines and points (e.g. a shared boundary found by a rule) widened to polygons.

    Polygons are kept as they are; lines and points are buffered by ``buffer_m`` metres so they can
    be drawn, hovered and printed like the other findings; rows without geometry stay empty.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> edge = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (100, 0)])], crs=4548)  # a shared boundary
    >>> wide = polygonal(edge)
    >>> wide.geom_type.tolist(), round(float(wide.area.iloc[0]))
    (['Polygon'], 628)
    """
    geoms = gdf.geometry
    thin = geoms.notna() & ~geoms.is_empty & ~geoms.geom_type.isin(["Polygon", "MultiPolygon"])
    if not thin.any():
        return gdf
    parts = geoms[thin]
    collections = parts.geom_type == "GeometryCollection"
    widened = parts.buffer(buffer_m)
    if collections.any():
        polys = parts[collections].apply(
            lambda g: shapely.union_all([p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")] or [g.buffer(buffer_m)])
        )
        widened[collections] = polys
    return gdf.set_geometry(geoms.where(~thin, widened))


def _title(plan: Plan, what: str) -> str:
    return f"{plan.meta.get('title', plan.name)} · {what}"


#: A file path in a source note: ``(seeds/002_….txt)``, ``data/x.pdf``, ``C:\\a\\b.doc``.
_PATH = re.compile(
    r"\s*\((?:[^()]*[/\\])?[^()\s/\\]+\.(?:txt|pdf|docx?|xlsx?|csv|json|html?|gpkg|shp)\)|\s*(?:[\w.-]+[/\\])+[\w.-]+\.(?:txt|pdf|docx?|xlsx?|csv|json|html?|gpkg|shp)\b,?",
    re.IGNORECASE,
)


def cite(source: object) -> str:
    """A source note as people cite it: the document, without the file path it was read from.

    Examples
    --------
    >>> cite("临政办字〔2022〕22号《临清市经济开发区产业发展总体规划（2021—2025年）》, 2022-10-11 (seeds/002_d0117a84cebe256e.txt)")
    '临政办字〔2022〕22号《临清市经济开发区产业发展总体规划（2021—2025年）》, 2022-10-11'
    >>> cite("seeds/000_ae8cffaa77cc96c0.txt, 四、推进步骤")
    '四、推进步骤'
    """
    return _PATH.sub("", str(source)).strip(" ,;")


def _source(plan: Plan) -> str:
    return cite(plan.meta.get("source", plan.meta.get("title", plan.name)))


def _draw_defaults(plan: Plan) -> dict:
    zones = plan.zones
    zone_id = str(zones["zone_id"].iloc[0]) if len(zones) == 1 and "zone_id" in zones else None
    nos = pd.to_numeric(plan.phases.get("phase_no"), errors="coerce") if len(plan.phases) and "phase_no" in plan.phases else pd.Series(dtype=float)
    next_no = int(nos.max()) + 1 if nos.notna().any() else 1
    return {"draw_zone_id": zone_id, "next_phase_no": next_no}


#: Columns naming a context feature, tried in order for its label.
_LABEL_COLUMNS = ("name", "名称", "NAME", "label")
CONTEXT_COLOR = "#6b6b6b"


def context_overlays(plan: Plan) -> list[Overlay]:
    """Every layer of ``plan`` outside the layer contract (roads, rivers, villages, a county
    outline …) as a grey context overlay, labelled by its ``name`` column and titled by the
    layer's ``title`` metadata (else the layer's name).

    Context is drawn beneath the plan's own layers in every map and print, and does not widen
    the map's extent (a county outline does not zoom the drawing out to the county).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> [(o.name, len(o.data), o.labels.iloc[0]) for o in context_overlays(datasets.load("zhangdian"))]
    [('背景 Context: named_roads', 5, '北京路 Beijing Rd'), ('背景 Context: 行政区划 Administrative boundaries', 1, '张店区')]
    """
    out = []
    for name, gdf in plan.layers.items():
        if name in LAYERS or gdf.empty:
            continue
        data = polygonal(gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty])
        label_col = next((c for c in _LABEL_COLUMNS if c in data.columns), None)
        labels = data[label_col].astype("string") if label_col else None
        # areas (a county, a village) are outlined; corridors (roads, rivers: area/perimeter of
        # a few metres, or lines widened by polygonal) are filled grey
        outline = bool((data.geometry.area > 50 * data.geometry.length).any())
        at = _label_points(data, plan) if outline and labels is not None else None
        fields = tuple(Field(str(c), data[c].astype("string")) for c in data.columns if c != data.geometry.name)[:6]
        out.append(
            Overlay(
                f"背景 Context: {plan.layer_meta.get(name, {}).get('title') or name}",
                data,
                None if outline else "#bdbdbd",
                color=CONTEXT_COLOR,
                weight=1.5 if outline else 0.8,
                fill_opacity=0.7,
                dash="10 4" if outline else None,
                fields=fields,
                labels=labels,
                context=True,
                label_at=at,
            )
        )
    return out


def _label_points(data: gpd.GeoDataFrame, plan: Plan) -> gpd.GeoSeries:
    """Where an outlined context area (a county) is labelled: on its part off the plan's zones, where it has one."""
    geoms = data.geometry.to_numpy()
    zones = plan.zones.geometry.to_numpy()
    if not len(zones):
        return gpd.GeoSeries(shapely.point_on_surface(geoms), index=data.index, crs=data.crs)
    taken = shapely.buffer(shapely.union_all(zones), 500.0)  # and 500 m clear of them
    free = shapely.difference(geoms, taken)
    usable = ~shapely.is_empty(free) & (shapely.area(free) > 0.01 * shapely.area(geoms))
    return gpd.GeoSeries(shapely.point_on_surface(np.where(usable, free, geoms)), index=data.index, crs=data.crs)


def _spec(plan: Plan, kind: str, what: str, overlays: list[Overlay], legend_title: str, legend: list[LegendItem]) -> MapSpec:
    return MapSpec(
        kind=kind,
        title=_title(plan, what),
        overlays=tuple(o for o in [*context_overlays(plan), *overlays] if len(o.data)),
        legend_title=legend_title,
        legend=tuple(legend),
        crs=plan.crs,
        source=_source(plan),
        **_draw_defaults(plan),
    )


def _col(gdf: pd.DataFrame, name: str, dtype: str | None = None) -> pd.Series:
    if name in gdf.columns:
        return gdf[name] if dtype is None else gdf[name].astype(dtype)
    return pd.Series(pd.NA, index=gdf.index, dtype=dtype or "object")


def _num(gdf: pd.DataFrame, name: str) -> pd.Series:
    return pd.to_numeric(_col(gdf, name), errors="coerce").astype("float64")


def _zone_outline(plan: Plan) -> Overlay:
    zones = plan.zones
    return Overlay(
        "开发区 Zone",
        zones,
        None,
        color=ZONE_COLOR,
        weight=3,
        dash="8 6",
        fields=(
            Field("编号 Zone id", _col(zones, "zone_id")),
            Field("名称 Name", _col(zones, "name")),
            Field("面积 Area (亩 mu)", area_in(zones, basis=plan), 2),
        ),
    )


def phase_label(no: object) -> str:
    """Chinese ordinal of a phase: 1 → ``一期``, 12 → ``12期``; missing → ``分期``.

    Examples
    --------
    >>> phase_label(1), phase_label(12), phase_label(None)
    ('一期', '12期', '分期')
    """
    try:
        n = int(no)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "分期"
    return f"{_CN_DIGITS[n]}期" if 0 < n <= 10 else f"{n}期"


def phases_spec(plan: Plan) -> MapSpec:
    """Phases coloured by schedule and labelled with number and area in mu.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> spec = phases_spec(datasets.load("zhangdian"))
    >>> [overlay.name for overlay in spec.overlays]
    ['背景 Context: named_roads', '背景 Context: 行政区划 Administrative boundaries', '分期 Phases', '开发区 Zone']
    >>> spec.legend[0].label
    '一期 2022–2023 · 1,022.0 亩 · 80.0 亿元'
    """
    phases = plan.phases
    if phases.empty:
        raise InputError("the plan has no phases to map", layer="phases", rule="map-phases")
    area = area_in(phases, basis=plan)
    nos = _col(phases, "phase_no")
    start, end = _col(phases, "start_year"), _col(phases, "end_year")
    years = start.astype("string").fillna("?") + "–" + end.astype("string").fillna("?")
    invest = yuan_to_yi(_num(phases, "investment_yuan"))
    colors = schedule_colors(phases)
    labels = pd.Series(
        [
            f"{phase_label(n)} Phase {n}\n{a:,.1f} 亩 mu" + (f"\n{i:,.1f} 亿元 · {y}" if pd.notna(i) else f"\n{y}")
            for n, a, i, y in zip(nos, area, invest, years)
        ],
        index=phases.index,
    )
    overlay = Overlay(
        "分期 Phases",
        phases,
        colors,
        color="#7f2704",
        weight=2,
        fill_opacity=0.55,
        fields=(
            Field("分期 Phase", nos.astype("string")),
            Field("名称 Name", _col(phases, "name")),
            Field("面积 Area (亩 mu)", area, 1),
            Field("目标面积 Target (亩 mu)", _num(phases, "target_area_mu"), 1),
            Field("投资 Investment (亿元)", invest, 2),
            Field("年份 Years", years),
        ),
        labels=labels,
    )
    legend = [
        LegendItem(
            colors.loc[i],
            f"{phase_label(nos.loc[i])} {_txt(start.loc[i])}–{_txt(end.loc[i])} · {area.loc[i]:,.1f} 亩"
            + (f" · {invest.loc[i]:,.1f} 亿元" if pd.notna(invest.loc[i]) else ""),
        )
        for i in schedule_order(phases)
    ]
    return _spec(plan, "phases", "分期建设 Phases", [overlay, _zone_outline(plan)], "分期（按建设时序） Phases by schedule", legend)


def _txt(value: object) -> str:
    return "?" if pd.isna(value) else str(value)


def _group_overlay(name: str, gdf: gpd.GeoDataFrame, id_col: str, extra: tuple[str, str], colors: list[str], *, basis: str, **style) -> Overlay:
    """A district or park layer: one colour per feature, fields id, name, ``extra`` and area in mu on ``basis``."""
    label, column = extra
    fields = (
        Field("编号 Id", _col(gdf, id_col)),
        Field("名称 Name", _col(gdf, "name")),
        Field(label, _col(gdf, column)),
        Field("面积 Area (亩 mu)", area_in(gdf, basis=basis), 1),
    )
    return Overlay(name, gdf, pd.Series(colors, index=gdf.index, dtype=object), fields=fields, **style)


def layout_spec(plan: Plan) -> MapSpec:
    """Zone, districts (板块) and parks (产业园) with their names.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> spec = layout_spec(datasets.load("linqing"))
    >>> [overlay.name for overlay in spec.overlays]
    ['背景 Context: 行政区划 Administrative boundaries', '产业园 Parks', '板块 Districts', '开发区 Zone']
    """
    districts, parks = plan.districts, plan.parks
    d_colors = qualitative(len(districts), cmap="Pastel1")
    p_colors = qualitative(len(parks), cmap="Set3")
    district_overlay = _group_overlay(
        "板块 Districts", districts, "district_id", ("定位 Role", "role"), d_colors, basis=plan_area_basis(plan), color="#08519c", weight=3, fill_opacity=0.15
    )
    park_overlay = _group_overlay(
        "产业园 Parks",
        parks,
        "park_id",
        ("产业 Industry", "industry"),
        p_colors,
        basis=plan_area_basis(plan),
        color="#333333",
        weight=1.5,
        fill_opacity=0.65,
        labels=_col(parks, "name").astype("string").fillna(_col(parks, "park_id").astype("string")),
    )
    # parks first, districts over them (light fill, strong outline), the zone boundary on top
    overlays = [park_overlay, district_overlay, _zone_outline(plan)]
    legend = [LegendItem(ZONE_COLOR, "开发区边界 Zone boundary", outline=True)]
    legend += [LegendItem(c, f"板块 {_txt(n)}") for c, n in zip(d_colors, _col(districts, "name").fillna(_col(districts, "district_id")))]
    legend += [LegendItem(c, f"{_txt(n)}") for c, n in zip(p_colors, _col(parks, "name").fillna(_col(parks, "park_id")))]
    # the plan's own name for its layout (两区八园 …) when its metadata gives one
    return _spec(plan, "layout", str(plan.meta.get("layout_title", "空间布局 Layout")), overlays, "空间布局 Layout", legend)


def _parcel_fields(parcels: gpd.GeoDataFrame, codes: pd.Series, basis: str) -> tuple[Field, ...]:
    table = landuse.classes()
    names = codes.map(table["name_zh"]).astype("string")
    status = _col(parcels, "status", "string")
    return (
        Field("地块 Parcel", _col(parcels, "parcel_id")),
        Field("用地 Land use", (codes.astype("string") + " " + names.fillna("")).fillna(codes.astype("string"))),
        Field("状态 Status", (status + " " + status.map(PARCEL_STATUSES).astype("string").fillna("")).str.strip()),
        Field("面积 Area (亩 mu)", area_in(parcels, basis=basis), 2),
        Field("企业 Enterprise", _col(parcels, "enterprise")),
    )


def _landuse_parcels(plan: Plan, title: str, codes: pd.Series, *, fill_opacity: float) -> Overlay:
    """The parcels coloured by ``codes`` in the 2023 palette, with the parcel tooltip."""
    parcels = plan.parcels
    return Overlay(
        title,
        parcels,
        landuse_colors(codes),
        color="#666666",
        weight=0.5,
        fill_opacity=fill_opacity,
        fields=_parcel_fields(parcels, codes, plan_area_basis(plan)),
    )


def _parcel_codes(plan: Plan, year: int | None) -> pd.Series:
    """The land-use code of each parcel in ``year`` as the data gives it (:func:`zoneplan.state.plan_state`)."""
    return plan_state(plan, year).table["landuse_code"]


def landuse_spec(plan: Plan, *, year: int | None = None) -> MapSpec:
    """Parcels in the standard land-use palette with a Chinese/English legend.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> spec = landuse_spec(datasets.load("zhangdian"))
    >>> spec.kind, spec.legend[0].label
    ('landuse', '0703 农村宅基地 Rural homestead')
    """
    parcels = plan.parcels
    if parcels.empty:
        raise InputError("the plan has no parcels to map", layer="parcels", rule="map-landuse")
    codes = _parcel_codes(plan, year)
    overlay = _landuse_parcels(plan, "用地 Land use", codes, fill_opacity=0.85)
    when = f" {year}" if year is not None else ""
    return _spec(
        plan, "landuse", f"土地利用{when} Land use{when}", [overlay, _zone_outline(plan)], f"用地用海分类（2023） Land use{when}", landuse_legend(codes)
    )


def _context_parcels(plan: Plan, *, show: bool = True) -> Overlay:
    parcels = plan.parcels
    codes = _col(parcels, "landuse_code", "string")
    return Overlay(
        "地块 Parcels",
        parcels,
        "#D9D9D9",
        color="#8c8c8c",
        weight=0.5,
        fill_opacity=0.6,
        fields=_parcel_fields(parcels, codes, plan_area_basis(plan)),
        show=show,
    )


def _control_lines(plan: Plan) -> list[Overlay]:
    """One overlay per control-line kind: red line and basic farmland filled, the urban development
    boundary (a large area holding most of the zone) as a dashed outline."""
    lines = plan.control_lines
    if lines.empty:
        return []
    kind = _col(lines, "kind", "string")
    out = []
    for k, name_zh in CONTROL_LINE_KINDS.items():
        part = lines[(kind == k).fillna(False).to_numpy()]
        if part.empty:
            continue
        outline = k == "urban_development_boundary"
        out.append(
            Overlay(
                f"{name_zh} {k.replace('_', ' ')}",
                part,
                None if outline else CONTROL_LINE_COLORS[k],
                color=CONTROL_LINE_COLORS[k],
                weight=2.5 if outline else 1,
                fill_opacity=0.35,
                dash="6 4",
                fields=(
                    Field("类型 Kind", pd.Series(f"{k} {name_zh}", index=part.index)),
                    Field("名称 Name", _col(part, "name")),
                    Field("面积 Area (亩 mu)", area_in(part, basis=plan), 2),
                ),
            )
        )
    return out


def _control_legend(plan: Plan) -> list[LegendItem]:
    present = set(_col(plan.control_lines, "kind", "string").dropna())
    return [
        LegendItem(CONTROL_LINE_COLORS[k], f"{CONTROL_LINE_KINDS[k]} {k.replace('_', ' ')}", outline=k == "urban_development_boundary")
        for k in CONTROL_LINE_KINDS
        if k in present
    ]


def remaining_spec(plan: Plan, *, year: int | None = None, remaining: gpd.GeoDataFrame | None = None) -> MapSpec:
    """Remaining (undeveloped, allowed) land over the parcels.

    ``remaining`` defaults to :func:`zoneplan.analysis.remaining.remaining_geometry`; pass a
    GeoDataFrame (with ``zone_id``) to draw another.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> spec = remaining_spec(datasets.load("linqing"))
    >>> [overlay.name for overlay in spec.overlays]
    ['背景 Context: 行政区划 Administrative boundaries', '地块 Parcels', '生态保护红线 ecological redline', '永久基本农田 basic farmland', '城镇开发边界 urban development boundary', '剩余用地 Remaining land', '开发区 Zone']
    """
    if remaining is None:
        from zoneplan.analysis.remaining import remaining_geometry

        remaining = remaining_geometry(plan, year=year)
    remaining = remaining.to_crs(plan.crs) if remaining.crs is not None and remaining.crs != plan.crs else remaining
    area = area_in(remaining, basis=plan)
    overlay = Overlay(
        "剩余用地 Remaining land",
        remaining,
        REMAINING_COLOR,
        color="#1b7a1b",
        weight=1.5,
        fill_opacity=0.55,
        fields=(Field("开发区 Zone", _col(remaining, "zone_id")), Field("剩余面积 Remaining (亩 mu)", area, 2)),
    )
    total = float(area.sum())
    legend = [
        LegendItem(REMAINING_COLOR, f"剩余用地 Remaining land · {total:,.1f} 亩 mu"),
        LegendItem("#D9D9D9", "已用/已供/不可建 Used, supplied or unbuildable parcels"),
        LegendItem(ZONE_COLOR, "开发区边界 Zone boundary", outline=True),
        *_control_legend(plan),
    ]
    when = f" {year}" if year is not None else ""
    return _spec(
        plan,
        "remaining",
        f"剩余用地{when} Remaining land{when}",
        [_context_parcels(plan), *_control_lines(plan), overlay, _zone_outline(plan)],
        "剩余用地 Remaining land",
        legend,
    )


def compliance_spec(plan: Plan, *, year: int | None = None, violations: gpd.GeoDataFrame | None = None) -> MapSpec:
    """Each violation highlighted with rule, measured value, limit and area in mu.

    ``violations`` defaults to ``zoneplan.compliance.check(plan, year=year).violations``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> spec = compliance_spec(datasets.load("linqing"))
    >>> sorted(item.label for item in spec.legend)[:2]
    ['占用永久基本农田 On permanent basic farmland (2)', '占用生态保护红线 On the ecological red line (1)']
    """
    if violations is None:
        from zoneplan.compliance import check

        violations = check(plan, year=year).violations
    if violations.crs is not None and violations.crs != plan.crs:
        violations = violations.to_crs(plan.crs)
    violations = polygonal(violations)
    area_mu = _num(violations, "area_mu") if "area_mu" in violations else area_in(violations, basis=plan)
    rule = _col(violations, "rule", "string")
    rules = rule.value_counts()
    colors = rule_colors(rule)
    overlay = Overlay(
        "违规 Violations",
        violations,
        rule.map(colors).fillna(VIOLATION_COLOR),
        color="#99000d",
        weight=2.5,
        fill_opacity=0.45,
        fields=(
            Field("规则 Rule", rule.map(rule_title, na_action="ignore")),
            Field("图层 Layer", _col(violations, "layer")),
            Field("要素 Feature", _col(violations, "feature_id")),
            Field("实测 Measured", _num(violations, "measured"), 3),
            Field("限值 Limit", _num(violations, "limit"), 3),
            Field("单位 Unit", _col(violations, "unit")),
            Field("面积 Area (亩 mu)", area_mu, 2),
            Field("说明 Message", _col(violations, "message")),
        ),
    )
    legend = [LegendItem(colors[r], f"{rule_title(r)} ({n})") for r, n in rules.items()]
    if not legend:
        legend = [LegendItem(VIOLATION_COLOR, "无违规 No violations")]
    legend += [LegendItem("#D9D9D9", "地块 Parcels"), LegendItem(ZONE_COLOR, "开发区边界 Zone boundary", outline=True), *_control_legend(plan)]
    when = f" {year}" if year is not None else ""
    return _spec(
        plan,
        "compliance",
        f"合规检查{when} Compliance{when}",
        [_context_parcels(plan), *_control_lines(plan), overlay, _zone_outline(plan)],
        "合规检查 Compliance findings",
        legend,
    )


def workbench_spec(plan: Plan) -> MapSpec:
    """What ``zoneplan serve`` draws under the phases being edited: parcels by land use, the
    control lines and the zone boundary (the phases themselves are drawn, editable, by the page).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> spec = workbench_spec(datasets.load("zhangdian"))
    >>> spec.kind, spec.next_phase_no
    ('workbench', 4)
    """
    parcels = plan.parcels
    codes = _col(parcels, "landuse_code", "string")
    overlays = [
        _landuse_parcels(plan, "地块 Parcels", codes, fill_opacity=0.7),
        *_control_lines(plan),
        _zone_outline(plan),
    ]
    legend = [LegendItem(ZONE_COLOR, "开发区边界 Zone boundary", outline=True), *_control_legend(plan)]
    return _spec(plan, "workbench", "规划工作台 Planner's workbench", overlays, "图例 Legend", legend)


def indicator_spec(
    plan: Plan, indicator: str, *, by: Level = "zone", year: int | None = None, table: pd.DataFrame | None = None, k: int = 5, scheme: str = "naturalbreaks"
) -> MapSpec:
    """Choropleth of ``indicator`` per ``by`` group (zone, district, park, phase).

    ``table`` defaults to :func:`zoneplan.analysis.indicators` ``(plan, year=year, by=by)``: one row
    per group, group ids in a ``group_id`` column or the index.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> spec = indicator_spec(datasets.load("linqing"), "tax_per_mu_wan", by="district", k=2)
    >>> [item.label for item in spec.legend]
    ['5.81', '8.02']
    """
    if by not in GROUP_LEVELS:
        raise InputError(f"--by must be one of {sorted(GROUP_LEVELS)}, not {by!r}", rule="map-indicator")
    layer_name, id_col = GROUP_LEVELS[by]
    if table is None:
        from zoneplan.analysis import indicators

        table = indicators(plan, year=year, by=by)
    if indicator not in table.columns:
        numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c]) and c not in ("year",)]
        raise InputError(f"unknown indicator {indicator!r}; choose one of {numeric}", rule="map-indicator")
    ids = table["group_id"] if "group_id" in table.columns else pd.Series(table.index, index=table.index)
    values = pd.Series(pd.to_numeric(table[indicator], errors="coerce").to_numpy(), index=ids.astype(str).to_numpy())
    groups = plan[layer_name]
    if groups.empty:
        raise InputError(f"the plan has no {layer_name} to draw {indicator} on", layer=layer_name, rule="map-indicator")
    group_values = groups[id_col].astype(str).map(values).astype("float64")
    colors, legend, _ = classify(group_values, k=k, scheme=scheme)
    overlay = Overlay(
        f"{indicator} ({by})",
        groups,
        colors,
        color="#333333",
        weight=1.5,
        fill_opacity=0.75,
        fields=(
            Field("编号 Id", groups[id_col]),
            Field("名称 Name", _col(groups, "name")),
            Field(indicator, group_values, 3),
            Field("面积 Area (亩 mu)", area_in(groups, basis=plan), 1),
        ),
        labels=_col(groups, "name").astype("string").fillna(groups[id_col].astype("string")),
    )
    overlays = [overlay] if by == "zone" else [overlay, _zone_outline(plan)]
    from zoneplan.analysis import INDICATOR_TITLES, INDICATOR_UNITS

    when = f" {year}" if year is not None else ""
    name = INDICATOR_TITLES.get(indicator, indicator)
    unit = INDICATOR_UNITS.get(indicator)
    titled = f"{name}{when}" + (f" ({unit})" if unit else "")
    return _spec(
        plan,
        "indicator",
        titled,
        overlays,
        f"{name}" + (f" ({unit}; {scheme}, {len(legend)} classes)" if unit else f" ({scheme}, {len(legend)} classes)"),
        legend,
    )


@follows_data
def build_spec(
    plan: Plan, *, kind: str, indicator: str | None = None, year: int | None = None, by: Level = "zone", violations: gpd.GeoDataFrame | None = None
) -> MapSpec:
    """The :class:`MapSpec` of one map ``kind`` (see the module docstring); ``violations`` are the
    findings a compliance map draws (default: :func:`zoneplan.compliance.check` of the plan and year).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> spec = build_spec(plan, kind="indicator", indicator="land_development_rate", by="district")
    >>> spec.kind, spec.legend_title
    ('indicator', '土地开发率 land development rate (fraction; naturalbreaks, 2 classes)')
    """
    if kind == "phases":
        return phases_spec(plan)
    if kind == "layout":
        return layout_spec(plan)
    if kind == "landuse":
        return landuse_spec(plan, year=year)
    if kind == "remaining":
        return remaining_spec(plan, year=year)
    if kind == "compliance":
        return compliance_spec(plan, year=year, violations=violations)
    if kind == "indicator":
        if not indicator:
            raise InputError("--kind indicator needs --indicator NAME", rule="map-indicator")
        return indicator_spec(plan, indicator, by=by, year=year)
    raise InputError(f"unknown map kind {kind!r}; choose one of {list(KINDS)}", rule="map-kind")
