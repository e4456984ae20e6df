"""Interactive maps (folium/Leaflet) that open offline and stay usable at 100,000 parcels.

:func:`make_map` draws one kind of map (:mod:`zoneplan.maps.kinds`) into a :class:`folium.Map`;
:func:`save_map` writes it as one self-contained HTML file. Every page has a layer control,
tooltips and popups with the key attributes (inserted as text, so ``<script>`` in an attribute
shows as text), a scale bar, a fullscreen button, a measure tool reporting **area in mu**, and a
draw tool: draw a polygon, read its area in mu, export it as GeoJSON (EPSG:4326) that
``zoneplan import FILE --into PLAN --layer phases --append`` accepts as a new phase.

How it scales
    folium's ``GeoJson(style_function=…)`` turns styling into a per-feature lookup in JavaScript
    that grows with N² and writes ~40–80 MB for 100k parcels. zoneplan instead writes each layer
    as compact columns: coordinates rounded to 1e-6° (≈ 0.1 m) as integers delta-encoded across
    the layer, the closing vertex dropped, shapes simplified by ``simplify_m`` (0.1 m) in the
    plan's CRS; attributes as columns, repeated text dictionary-encoded; colours as a palette and
    one small integer per feature. The browser decodes them into Leaflet polygons on one canvas
    renderer (Leaflet further simplifies each ring per zoom level, ``smoothFactor``); tooltips and
    popups are built on demand from the columns. See ``benchmarks/bench_maps.py`` for figures.

Areas shown by the measure and draw tools are planar areas in the plan's Gauss–Krüger zone (the
page projects the drawn lon-lat vertices with the same Transverse Mercator formula), i.e. the
area ``zoneplan`` computes when the drawn phase is imported.

Basemaps
    ``none`` (default; zero network requests), ``osm``, ``tianditu`` (vector and imagery with
    annotation; key from ``tianditu_key`` or the ``ZONEPLAN_TIANDITU_KEY`` environment variable),
    ``amap`` (AMap/Gaode road map and imagery; every overlay is shifted into GCJ-02 with
    :func:`zoneplan.crs.geometry_to_gcj02` so it sits on the right streets, and drawn shapes are
    shifted back before their area is computed or exported).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from branca.element import MacroElement
from jinja2 import Template

from zoneplan import _html
from zoneplan.crs import geometry_to_gcj02, gk_epsg
from zoneplan.errors import InputError
from zoneplan.io.gpkg import atomic_path
from zoneplan.maps.kinds import Field, MapSpec, Overlay, build_spec
from zoneplan.maps.offline import make_offline, page_figure
from zoneplan.plan import Plan
from zoneplan.settings import settings

if TYPE_CHECKING:
    from zoneplan.analysis.grouping import Level

__all__ = ["BASEMAPS", "make_map", "map_config", "page_html", "render_spec", "save_map"]

BASEMAPS: tuple[str, ...] = ("none", "osm", "tianditu", "amap")
TIANDITU_KEY_ENV = "ZONEPLAN_TIANDITU_KEY"
_SCALE = 1_000_000  # coordinates as integer micro-degrees
_TDT = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)


def _basemaps(basemap: str, *, tianditu_key: str | None) -> list[dict[str, Any]]:
    if basemap not in BASEMAPS:
        raise InputError(f"unknown basemap {basemap!r}; choose one of {list(BASEMAPS)}", rule="map-basemap")
    none = {"name": "无底图 No basemap", "url": None}
    if basemap == "none":
        return []
    if basemap == "osm":
        return [
            {"name": "OpenStreetMap", "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "© OpenStreetMap contributors", "max_zoom": 19},
            none,
        ]
    if basemap == "tianditu":
        key = tianditu_key or settings.tianditu_key
        if not key:
            raise InputError(f"the Tianditu basemap needs a key: pass --tianditu-key or set {TIANDITU_KEY_ENV}", rule="map-basemap")
        attribution = "© 天地图 Tianditu (国家地理信息公共服务平台)"
        return [
            {
                "name": "天地图 矢量 Tianditu vector",
                "url": _TDT.format(layer="vec", key=key),
                "annotation": _TDT.format(layer="cva", key=key),
                "subdomains": "01234567",
                "attribution": attribution,
                "max_zoom": 18,
            },
            {
                "name": "天地图 影像 Tianditu imagery",
                "url": _TDT.format(layer="img", key=key),
                "annotation": _TDT.format(layer="cia", key=key),
                "subdomains": "01234567",
                "attribution": attribution,
                "max_zoom": 18,
            },
            none,
        ]
    attribution = "© 高德地图 AMap (GCJ-02)"
    return [
        {
            "name": "高德 道路 AMap roads",
            "url": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
            "subdomains": "1234",
            "attribution": attribution,
            "max_zoom": 18,
        },
        {
            "name": "高德 影像 AMap imagery",
            "url": "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
            "annotation": "https://webst0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}",
            "subdomains": "1234",
            "attribution": attribution,
            "max_zoom": 18,
        },
        none,
    ]


def _display_geometry(geoms: gpd.GeoSeries, *, gcj02: bool, simplify_m: float) -> np.ndarray:
    """Geometry as lon-lat (EPSG:4326) shapely array, simplified in metres, optionally in GCJ-02."""
    values = geoms.values
    if simplify_m > 0 and geoms.crs is not None and not geoms.crs.is_geographic:
        values = shapely.simplify(np.asarray(values), simplify_m, preserve_topology=True)
        geoms = gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs)
    out = np.asarray(geoms.to_crs(4326).values)
    if gcj02:
        out = geometry_to_gcj02(out)
    # exteriors counter-clockwise, holes clockwise: the page fills with the non-zero rule
    return shapely.orient_polygons(out)


def _encode_geometry(geoms: np.ndarray) -> dict[str, Any]:
    """Compact polygon encoding read by ``zoneplan.js``: see the module docstring.

    Rings are closed by Leaflet, so each ring's last (repeated) vertex is dropped; ``part_rings``
    and ``feat_parts`` are omitted (null) when every part has one ring / every feature one part.
    """
    n = len(geoms)
    parts, part_feature = shapely.get_parts(geoms, return_index=True)
    feat_parts = np.bincount(part_feature, minlength=n)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    part_rings = np.bincount(ring_part, minlength=len(parts))
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    ring_len = np.bincount(coord_ring, minlength=len(rings))
    keep = np.ones(len(coords), dtype=bool)
    keep[np.cumsum(ring_len)[ring_len > 0] - 1] = False
    q = np.round(coords[keep] * _SCALE).astype(np.int64).ravel()
    # x and y interleave: a delta must be against the previous x (or y), not the previous number
    deltas = np.empty_like(q)
    deltas[0::2] = np.diff(q[0::2], prepend=0)
    deltas[1::2] = np.diff(q[1::2], prepend=0)
    return {
        "n": n,
        "coords": deltas.tolist(),
        "ring_len": (ring_len - (ring_len > 0)).tolist(),
        "part_rings": None if np.all(part_rings == 1) else part_rings.tolist(),
        "feat_parts": None if np.all(feat_parts == 1) else feat_parts.tolist(),
    }


def _encode_field(f: Field, index: pd.Index) -> dict[str, Any]:
    values = f.values.reindex(index) if not f.values.index.equals(index) else f.values
    out: dict[str, Any] = {"label": f.label, "digits": f.digits}
    if f.digits is not None:
        numbers = pd.to_numeric(values, errors="coerce").astype("float64").round(f.digits).to_numpy()
        out["values"] = [None if np.isnan(v) else (int(v) if f.digits == 0 else float(v)) for v in numbers]
        return out
    text = values.astype("string")
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    if len(uniques) <= max(1, len(text) // 2):
        out["dict"] = [str(u) for u in uniques]
        out["codes"] = codes.tolist()
    else:
        out["values"] = [None if v is pd.NA else str(v) for v in text]
    return out


def _encode_fill(fill: str | pd.Series | None, index: pd.Index) -> dict[str, Any] | None:
    if fill is None:
        return None
    if isinstance(fill, str):
        return {"constant": fill}
    codes, palette = pd.factorize(fill.reindex(index).astype("string"), use_na_sentinel=True)
    return {"palette": [str(c) for c in palette], "index": codes.tolist(), "missing": "#cccccc"}


def _encode_overlay(o: Overlay, *, gcj02: bool, simplify_m: float) -> tuple[dict[str, Any], np.ndarray]:
    # only polygons are drawn (kinds.polygonal widens lines and points where a layer may hold them)
    gdf = o.data
    keep = gdf.geometry.notna().to_numpy() & ~gdf.geometry.is_empty.to_numpy() & gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    gdf = gdf[keep]
    geoms = _display_geometry(gdf.geometry, gcj02=gcj02, simplify_m=simplify_m)
    cfg: dict[str, Any] = {
        "name": o.name,
        "show": o.show,
        "geometry": _encode_geometry(geoms),
        "style": {"color": o.color, "weight": o.weight, "fillOpacity": o.fill_opacity, "dashArray": o.dash, "fill": o.fill is not None},
        "fill": _encode_fill(o.fill, gdf.index),
        "fields": [_encode_field(f, gdf.index) for f in o.fields],
        "labels": None,
    }
    if o.labels is not None and len(gdf):
        points = o.label_at.reindex(gdf.index) if o.label_at is not None else gdf.geometry.representative_point()
        at = _display_geometry(points, gcj02=gcj02, simplify_m=0)
        xy = shapely.get_coordinates(at)
        text = o.labels.reindex(gdf.index).astype("string").fillna("")
        cfg["labels"] = {"text": text.tolist(), "at": [[round(float(y), 6), round(float(x), 6)] for x, y in xy]}
    return cfg, geoms


def _tm_params(crs: pyproj.CRS, center_lon: float) -> dict[str, float]:
    """Central meridian, scale factor and ellipsoid of the plan's CRS for the page's area formula."""
    op = crs.coordinate_operation
    ell = crs.ellipsoid
    a = float(ell.semi_major_metre) if ell else 6378137.0
    inv_f = float(ell.inverse_flattening) if ell and ell.inverse_flattening else 298.257222101
    if op is not None and "transverse mercator" in op.method_name.lower():
        params = {p.name: float(p.value) for p in op.params}
        return {"lon0": params.get("Longitude of natural origin", 0.0), "k0": params.get("Scale factor at natural origin", 1.0), "a": a, "f": 1 / inv_f}
    gk = pyproj.CRS.from_epsg(gk_epsg(center_lon))
    return _tm_params(gk, center_lon)


def map_config(spec: MapSpec, *, basemap: str = "none", tianditu_key: str | None = None, simplify_m: float = 0.1) -> dict[str, Any]:
    """The JSON configuration ``ZP.init`` draws: basemaps, encoded layers, legend, draw-tool settings.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.maps.kinds import phases_spec
    >>> config = map_config(phases_spec(datasets.load("zhangdian")))
    >>> [layer["name"] for layer in config["layers"]]
    ['背景 Context: named_roads', '背景 Context: 行政区划 Administrative boundaries', '分期 Phases', '开发区 Zone']
    """
    gcj02 = basemap == "amap"
    layers, all_geoms = [], []
    for o in spec.overlays:
        cfg, geoms = _encode_overlay(o, gcj02=gcj02, simplify_m=simplify_m)
        layers.append(cfg)
        if not o.context:  # context (a county outline …) does not widen the view
            all_geoms.append(geoms)
    geoms = np.concatenate(all_geoms) if all_geoms else np.array([], dtype=object)
    if len(geoms):
        minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    else:
        minx, miny, maxx, maxy = 117.0, 36.0, 117.0, 36.0
    return {
        "title": spec.title,
        "basemaps": _basemaps(basemap, tianditu_key=tianditu_key),
        "gcj02": gcj02,
        "layers": layers,
        "legend": {
            "title": spec.legend_title,
            "items": [{"color": i.color, "label": i.label, "outline": i.outline} for i in spec.legend],
            "note": f"来源 Source: {spec.source}" if spec.source else None,
        },
        "bounds": [[round(miny, 6), round(minx, 6)], [round(maxy, 6), round(maxx, 6)]],
        "crs": _tm_params(spec.crs, (minx + maxx) / 2),
        "draw": {"zone_id": spec.draw_zone_id, "next_phase_no": spec.next_phase_no, "id_prefix": "drawn-"},
    }


class _ZoneplanLayers(MacroElement):
    """The configuration as a JSON data block in the page, and ``ZP.init(map, config)``.

    A JSON block parsed with ``JSON.parse`` loads several times faster than the same data written
    as a JavaScript object literal.
    """

    _template = Template(
        """
{% macro html(this, kwargs) %}
<script type="application/json" id="{{ this.get_name() }}">{{ this.config_json }}</script>
{% endmacro %}
{% macro script(this, kwargs) %}
ZP.init({{ this._parent.get_name() }}, JSON.parse(document.getElementById("{{ this.get_name() }}").textContent));
{% endmacro %}
"""
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self._name = "ZoneplanLayers"
        self.config = config
        # no text in it can end the <script> block or break a string (zoneplan._html.script_json)
        self.config_json = _html.script_json(config)


def render_spec(spec: MapSpec, *, basemap: str = "none", tianditu_key: str | None = None, simplify_m: float = 0.1) -> folium.Map:
    """Draw a :class:`~zoneplan.maps.kinds.MapSpec` as an offline folium map.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.maps.kinds import phases_spec
    >>> m = render_spec(phases_spec(datasets.load("zhangdian")))
    >>> type(m).__name__, "分期 Phases" in page_html(m)
    ('Map', True)
    """
    config = map_config(spec, basemap=basemap, tianditu_key=tianditu_key, simplify_m=simplify_m)
    (s, w), (n, e) = config["bounds"]
    m = folium.Map(location=[(s + n) / 2, (w + e) / 2], zoom_start=13, tiles=None, prefer_canvas=True, zoom_animation=False, control_scale=False)
    make_offline(m)
    # branca writes the title into <title> as it is: escape it (a title may hold "</title><script>")
    page_figure(m).title = _html.text(spec.title)
    m.add_child(_ZoneplanLayers(config))
    return m


def make_map(
    plan: Plan,
    *,
    kind: str,
    indicator: str | None = None,
    basemap: str = "none",
    year: int | None = None,
    by: Level = "zone",
    tianditu_key: str | None = None,
    violations: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """An interactive map of ``plan``.

    Parameters
    ----------
    plan
        The plan.
    kind
        ``phases``, ``layout``, ``landuse``, ``remaining``, ``compliance`` or ``indicator``.
    indicator
        For ``kind="indicator"``: a column of :func:`zoneplan.analysis.indicators`.
    basemap
        ``none`` (offline, default), ``osm``, ``tianditu`` or ``amap`` (overlays shifted to GCJ-02).
    year
        Show the plan as of this year (land use, remaining land, compliance, indicators).
    by
        Grouping of the indicator map: ``zone``, ``district``, ``park`` or ``phase``.
    tianditu_key
        Tianditu ``tk`` key (default: ``settings.tianditu_key``, environment variable
        ``ZONEPLAN_TIANDITU_KEY``).
    violations
        For ``kind="compliance"``: the findings to draw (default: ``check(plan, year=year)``).

    Returns
    -------
    folium.Map
        Save it with :func:`save_map`.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.maps.offline import external_urls
    >>> m = make_map(datasets.load("zhangdian"), kind="phases")
    >>> external_urls(page_html(m))  # offline: the page fetches nothing
    []
    """
    spec = build_spec(plan, kind=kind, indicator=indicator, year=year, by=by, violations=violations)
    return render_spec(spec, basemap=basemap, tianditu_key=tianditu_key)


def _tile_origins(m: folium.Map) -> list[str]:
    """Origins of the basemap tiles ``m`` draws (``t{s}.tianditu.gov.cn`` → ``https://*.tianditu.gov.cn``)."""
    origins: list[str] = []
    for child in m._children.values():
        if isinstance(child, _ZoneplanLayers):
            for basemap in child.config["basemaps"]:
                for url in (basemap.get("url"), basemap.get("annotation")):
                    if url:
                        scheme, _, rest = url.partition("://")
                        host = rest.split("/", 1)[0]
                        host = re.sub(r"^[^.]*\{s\}[^.]*", "*", host)
                        origins.append(f"{scheme}://{host}")
    return list(dict.fromkeys(origins))


def page_html(m: folium.Map) -> str:
    """The page of ``m`` as HTML with its Content-Security-Policy (:func:`zoneplan._html.with_csp`).

    The page may run only its own inlined scripts and load images only from ``data:`` URIs and
    the tile servers of its basemap.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> html = page_html(make_map(datasets.load("zhangdian"), kind="layout"))
    >>> "Content-Security-Policy" in html, html.lstrip().lower().startswith("<!doctype html>")
    (True, True)
    """
    figure = page_figure(m)
    page = figure.render()
    # only what zoneplan and folium generate runs: the header (inlined assets) and the map script,
    # rendered again apart from the body, which is where user text lives
    own = figure.header.render() + "<script>" + figure.script.render() + "</script>"
    return _html.with_csp(page, trusted=own, images=_tile_origins(m))


def save_map(m: folium.Map, path: str | os.PathLike) -> Path:
    """Write ``m`` as one self-contained HTML file, atomically (:func:`zoneplan.io.gpkg.atomic_path`).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from zoneplan import datasets
    >>> path = save_map(make_map(datasets.load("zhangdian"), kind="landuse"), Path(tempfile.mkdtemp()) / "landuse.html")
    >>> path.name, path.stat().st_size > 100_000  # Leaflet and the layers inlined: one file, offline
    ('landuse.html', True)
    """
    path = Path(path)
    html = page_html(m)
    with atomic_path(path, suffix=".tmp.html") as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
