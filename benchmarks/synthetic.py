"""A synthetic province: many development zones with realistic parcels, built vectorised.

:func:`make_plan` builds a :class:`~zoneplan.plan.Plan` of ``n_parcels`` parcels spread over
``n_zones`` square zones laid out on a grid in EPSG:4548 (CGCS2000 3° Gauss–Krüger, CM 117°E,
around Linqing), with every layer and table of the plan contract:

* ``zones`` — squares around each zone's parcel grid, with an undeveloped margin so remaining
  land exists; ``approved_area_mu`` is the exact square area in mu.
* ``districts`` (west / east half), ``parks`` (four quadrants) and ``phases`` (three bands from
  south to north, with target area, schedule and investment).
* ``parcels`` — one rectangle per cell of a 100 m grid (60–90 m wide, so roads separate them), with
  2023 用地用海 codes (industrial classes 1–3, storage, residential, education, medical,
  commercial, roads, utilities, green, water, cropland), a status after the evaluation's
  land-status model, supply/build/planned years, floor and footprint areas, investment, tax,
  enterprise names, project type, office and green areas, environmental-risk class and the
  idle-land dates (agreed start, started, suspended, developed/invested shares). Parcels carry
  ``zone_id`` only; district, park and phase are left for spatial assignment.
* ``control_lines`` — per zone an urban development boundary a little smaller than the zone (so
  some edge parcels fall outside it), the rest ecological red line and permanent basic farmland
  polygons (octagons of 40–250 m radius), about nine in ten in the zones' undeveloped margins
  and one in ten over parcels (planted conflicts).
* ``targets`` (industrial share, investment intensity, tax per mu per zone; province-wide parcel
  rules) and ``quotas`` (annual new construction land per zone, 2015–2030).

Everything is drawn with one seeded :class:`numpy.random.Generator` and built with numpy and
shapely's vectorised constructors, so 1M parcels take seconds, not minutes, and the same
arguments always give the same plan.

Examples
--------
>>> from benchmarks.synthetic import make_plan
>>> plan = make_plan(2_000, n_zones=4, n_control_polygons=40)
>>> len(plan.parcels), len(plan.zones), len(plan.control_lines)
(2000, 4, 40)
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoneplan.plan import Plan
from zoneplan.units import M2_PER_MU

__all__ = ["CRS", "LANDUSE_MIX", "PITCH_M", "STATUS_MIX", "make_plan", "plan_path"]

#: Working CRS of the synthetic province.
CRS = "EPSG:4548"
#: Parcel grid pitch in metres (parcel + road).
PITCH_M = 100.0
#: Grid origin (south-west corner of the first zone), metres in EPSG:4548 near Linqing.
_X0, _Y0 = 384_000.0, 4_000_000.0
#: Undeveloped margin around each zone's parcel grid, in grid cells.
_MARGIN_CELLS = 4
#: Gap between neighbouring zones, metres.
_ZONE_GAP_M = 2_000.0

#: 2023 land-use code → share of parcels.
LANDUSE_MIX: dict[str, float] = {
    "100101": 0.22,  # class-1 industrial
    "100102": 0.20,  # class-2 industrial
    "100103": 0.04,  # class-3 industrial
    "1101": 0.06,  # logistics and warehousing
    "070102": 0.08,  # class-2 urban residential
    "0702": 0.02,  # community services
    "080403": 0.015,  # schools
    "080601": 0.005,  # hospitals
    "090101": 0.05,  # retail
    "0902": 0.03,  # business and finance
    "1207": 0.08,  # roads
    "1303": 0.02,  # power supply
    "1402": 0.04,  # protective green space
    "1401": 0.03,  # park green space
    "16": 0.02,  # reserved land
    "1704": 0.015,  # ponds (unbuildable)
    "0103": 0.05,  # dry cropland not yet converted
}

#: Status → share among construction parcels (water is ``unbuildable``, cropland ``unready``).
STATUS_MIX: dict[str, float] = {"built": 0.62, "supplied": 0.14, "ready": 0.12, "unready": 0.12}

_INDUSTRIAL = ("100101", "100102", "100103", "1101")
_ENTERPRISE = (*_INDUSTRIAL, "090101", "0902")
#: Lognormal median FAR by code family; spread sigma 0.35.
_FAR = {"100101": 1.3, "100102": 1.2, "100103": 0.9, "1101": 0.8, "070102": 2.2, "0702": 1.2, "080403": 0.8, "080601": 1.5, "090101": 2.0, "0902": 3.0}
#: Median investment intensity and tax per mu, 万元/亩 (province means in the Liaocheng slides: 50.7 and 6.5).
_INVEST_WAN_PER_MU = 260.0
_TAX_WAN_PER_MU = 7.0


def _zone_layout(n_parcels: int, n_zones: int) -> tuple[np.ndarray, int, int, float]:
    """Parcels per zone, grid side (cells), zone-grid columns and zone pitch (m)."""
    counts = np.full(n_zones, n_parcels // n_zones, dtype=np.int64)
    counts[: n_parcels % n_zones] += 1
    side = max(1, math.ceil(math.sqrt(counts.max())))
    cols = math.ceil(math.sqrt(n_zones))
    zone_pitch = (side + 2 * _MARGIN_CELLS) * PITCH_M + _ZONE_GAP_M
    return counts, side, cols, zone_pitch


def _choice(rng: np.random.Generator, mix: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(mix), dtype=object)
    p = np.array(list(mix.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _octagons(cx: np.ndarray, cy: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Regular octagons (vectorised): centre arrays and radius array → polygon array."""
    angles = np.linspace(0, 2 * np.pi, 9)[:-1] + np.pi / 8
    xs = cx[:, None] + r[:, None] * np.cos(angles)[None, :]
    ys = cy[:, None] + r[:, None] * np.sin(angles)[None, :]
    coords = np.stack([xs, ys], axis=-1)
    coords = np.concatenate([coords, coords[:, :1]], axis=1)
    return shapely.polygons(coords)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    return prefix + pd.Series(numbers).astype(str).str.zfill(width)


def make_plan(n_parcels: int, *, n_zones: int = 50, n_control_polygons: int = 1000, seed: int = 0) -> Plan:
    """Build a synthetic province plan.

    Parameters
    ----------
    n_parcels
        Number of parcels (split as evenly as possible over the zones).
    n_zones
        Number of development zones (a Shandong-like province has about 170).
    n_control_polygons
        Number of control-line polygons: ``min(n_zones, n_control_polygons // 2)`` urban
        development boundaries (one per zone, from the first zone on), the rest split evenly
        between ecological red line and permanent basic farmland.
    seed
        Seed of the random generator; the same arguments always give the same plan.

    Returns
    -------
    Plan
        Layers ``zones``, ``districts``, ``parks``, ``phases``, ``parcels``, ``control_lines`` and
        tables ``targets``, ``quotas``, in EPSG:4548; ``meta["name"]`` is
        ``synthetic-<n_parcels>``.
    """
    if n_parcels < 1 or n_zones < 1:
        raise ValueError("n_parcels and n_zones must be positive")
    if n_control_polygons < 0:
        raise ValueError("n_control_polygons must not be negative")
    rng = np.random.default_rng(seed)
    counts, side, cols, zone_pitch = _zone_layout(n_parcels, n_zones)
    zone_idx = np.arange(n_zones)
    zone_ids = _ids("Z", zone_idx + 1, 3)
    # south-west corner of each zone's parcel grid
    gx0 = _X0 + (zone_idx % cols) * zone_pitch + _MARGIN_CELLS * PITCH_M
    gy0 = _Y0 + (zone_idx // cols) * zone_pitch + _MARGIN_CELLS * PITCH_M
    extent = side * PITCH_M
    margin = _MARGIN_CELLS * PITCH_M

    zones = gpd.GeoDataFrame(
        {
            "zone_id": zone_ids,
            "name": "合成开发区" + zone_ids.str[1:],
            "level": np.where(zone_idx % 5 == 0, "national", "provincial"),
            "approved_area_mu": (extent + 2 * margin) ** 2 / M2_PER_MU,
        },
        geometry=shapely.box(gx0 - margin, gy0 - margin, gx0 + extent + margin, gy0 + extent + margin),
        crs=CRS,
    )
    districts = _split_zones(zones, gx0, gy0, extent, margin, kind="district", rng=rng)
    parks = _split_zones(zones, gx0, gy0, extent, margin, kind="park", rng=rng)
    phases = _split_zones(zones, gx0, gy0, extent, margin, kind="phase", rng=rng)

    parcels = _parcels(rng, counts, side, gx0, gy0, zone_ids)
    control_lines = _control_lines(rng, n_control_polygons, zones, gx0, gy0, extent, margin)
    targets, quotas = _tables(zone_ids, parcels)
    return Plan(
        {"zones": zones, "districts": districts, "parks": parks, "phases": phases, "parcels": parcels, "control_lines": control_lines},
        {"targets": targets, "quotas": quotas},
        crs=CRS,
        meta={
            "name": f"synthetic-{n_parcels}",
            "title": f"合成省级开发区 ({n_zones} zones, {n_parcels} parcels)",
            "source": f"benchmarks.synthetic.make_plan(seed={seed})",
        },
        layer_meta={"parcels": {"illustrative": "synthetic data, not a real plan"}},
    )


def _split_zones(
    zones: gpd.GeoDataFrame, gx0: np.ndarray, gy0: np.ndarray, extent: float, margin: float, *, kind: str, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """Districts (W/E halves), parks (quadrants) or phases (3 south→north bands) of every zone."""
    x0, y0 = gx0 - margin, gy0 - margin
    full = extent + 2 * margin
    n = len(zones)
    if kind == "district":
        parts = [(0.0, 0.0, 0.5, 1.0), (0.5, 0.0, 1.0, 1.0)]
    elif kind == "park":
        parts = [(0.0, 0.0, 0.5, 0.5), (0.5, 0.0, 1.0, 0.5), (0.0, 0.5, 0.5, 1.0), (0.5, 0.5, 1.0, 1.0)]
    else:
        parts = [(0.0, 0.0, 1.0, 1 / 3), (0.0, 1 / 3, 1.0, 2 / 3), (0.0, 2 / 3, 1.0, 1.0)]
    k = len(parts)
    fr = np.array(parts)
    geoms = shapely.box(
        np.repeat(x0, k) + np.tile(fr[:, 0], n) * full,
        np.repeat(y0, k) + np.tile(fr[:, 1], n) * full,
        np.repeat(x0, k) + np.tile(fr[:, 2], n) * full,
        np.repeat(y0, k) + np.tile(fr[:, 3], n) * full,
    )
    zone_id = np.repeat(zones["zone_id"].to_numpy(), k)
    no = np.tile(np.arange(1, k + 1), n)
    ids = pd.Series(zone_id).astype(str) + f"-{kind[:2].upper()}" + pd.Series(no).astype(str)
    data: dict[str, object] = {f"{kind}_id": ids, "zone_id": zone_id}
    if kind == "district":
        data |= {"name": np.where(no == 1, "西板块", "东板块"), "role": np.where(no == 1, "core", "industry")}
    elif kind == "park":
        industries = np.array(["装备制造", "新材料", "物流", "生物医药"])
        data |= {
            "district_id": zone_id.astype(object) + np.where(fr[:, 0][no - 1] < 0.5, "-DI1", "-DI2"),
            "name": pd.Series(no).astype(str).radd("产业园"),
            "industry": industries[no - 1],
        }
    else:
        start = np.tile(np.array([2016, 2020, 2024]), n)
        data |= {
            "phase_no": no,
            "name": pd.Series(no).astype(str).radd("第") + "期",
            "target_area_mu": shapely.area(geoms) / M2_PER_MU,
            "start_year": start,
            "end_year": start + rng.integers(3, 7, size=n * k),
            "investment_yuan": np.round(shapely.area(geoms) / M2_PER_MU * rng.uniform(150, 400, size=n * k)) * 1e4,
        }
    return gpd.GeoDataFrame(data, geometry=geoms, crs=CRS)


def _parcels(rng: np.random.Generator, counts: np.ndarray, side: int, gx0: np.ndarray, gy0: np.ndarray, zone_ids: pd.Series) -> gpd.GeoDataFrame:
    n = int(counts.sum())
    zone = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    local = np.arange(n) - np.repeat(starts, counts)  # index within the zone
    col, row = local % side, local // side
    w = rng.uniform(0.6, 0.9, size=n) * PITCH_M
    h = rng.uniform(0.6, 0.9, size=n) * PITCH_M
    x = gx0[zone] + col * PITCH_M + (PITCH_M - w) / 2
    y = gy0[zone] + row * PITCH_M + (PITCH_M - h) / 2
    geometry = shapely.box(x, y, x + w, y + h)
    area = w * h

    code = _choice(rng, LANDUSE_MIX, n)
    status = _choice(rng, STATUS_MIX, n)
    status[code == "1704"] = "unbuildable"
    status[code == "0103"] = "unready"
    built, supplied = status == "built", status == "supplied"
    has_supply = built | supplied
    # built land was supplied 2005–2024; land still waiting for construction mostly recently (2016–2024)
    supplied_year = np.where(built, rng.integers(2005, 2025, size=n), np.where(supplied, rng.integers(2016, 2025, size=n), -1))
    built_year = np.where(built, np.minimum(supplied_year + rng.integers(1, 4, size=n), 2025), -1)
    not_yet = ~built & (code != "1704") & (code != "0103")
    planned_year = np.where(not_yet, rng.integers(2025, 2036, size=n), -1)
    base_code = np.where(rng.random(n) < 0.8, "0103", "2301")  # before development: dry land or vacant land
    base_code = np.where(code == "1704", "1704", base_code)

    far = np.array([_FAR.get(c, 0.0) for c in LANDUSE_MIX])[pd.Categorical(code, categories=list(LANDUSE_MIX)).codes]
    far = far * rng.lognormal(0.0, 0.35, size=n)
    coverage = rng.uniform(0.3, 0.6, size=n)
    has_building = built & (far > 0)
    floor = np.where(has_building, np.round(area * far, 1), np.nan)
    footprint = np.where(has_building, np.round(area * coverage, 1), np.nan)

    enterprise_land = np.isin(code, _ENTERPRISE) & has_supply
    area_mu = area / M2_PER_MU
    investment = np.where(enterprise_land, np.round(area_mu * _INVEST_WAN_PER_MU * rng.lognormal(0.0, 0.5, size=n), 1) * 1e4, np.nan)
    tax = np.where(enterprise_land & built, np.round(area_mu * _TAX_WAN_PER_MU * rng.lognormal(0.0, 0.8, size=n), 2) * 1e4, np.nan)
    enterprise = pd.Series(np.arange(n)).astype(str).radd("企业").where(enterprise_land, None)

    industrial = np.isin(code, _INDUSTRIAL)
    project = np.where(industrial & has_supply, _choice(rng, {"existing": 0.6, "new": 0.3, "renovated": 0.1}, n), None)
    office = np.where(industrial & built, np.round(area * rng.uniform(0.02, 0.10, size=n), 1), np.nan)
    green = np.where(industrial & built, np.round(area * rng.uniform(0.05, 0.25, size=n), 1), np.nan)
    env_risk = np.where(industrial & has_supply, rng.integers(1, 6, size=n), -1)

    # Idle-land dates (No. 53 order): agreed start a year after supply; some supplied parcels started and stalled.
    agreed = pd.Series(np.where(has_supply, supplied_year + 1, -1)).astype(str) + "-06-30"
    agreed = agreed.where(has_supply, None)
    started_flag = supplied & (rng.random(n) < 0.5)
    started = pd.Series(np.where(started_flag, supplied_year + 1, -1)).astype(str) + "-09-01"
    started = started.where(started_flag, None)
    suspended_flag = started_flag & (rng.random(n) < 0.4)
    suspended = pd.Series(np.where(suspended_flag, supplied_year + 2, -1)).astype(str) + "-03-01"
    suspended = suspended.where(suspended_flag, None)
    developed = np.where(started_flag, np.round(rng.uniform(0.05, 0.9, size=n), 2), np.where(built, 1.0, np.where(supplied, 0.0, np.nan)))
    invested = np.where(started_flag, np.round(rng.uniform(0.05, 0.9, size=n), 2), np.where(built, 1.0, np.where(supplied, 0.0, np.nan)))

    def year(values: np.ndarray) -> pd.Series:
        return pd.Series(values).astype("Int64").mask(lambda s: s < 0)

    zid = zone_ids.to_numpy()[zone]
    return gpd.GeoDataFrame(
        {
            "parcel_id": pd.Series(zid).astype(str) + "-" + pd.Series(local).astype(str).str.zfill(6),
            "zone_id": zid,
            "landuse_code": code,
            "status": status,
            "supplied_year": year(supplied_year),
            "built_year": year(built_year),
            "planned_year": year(planned_year),
            "base_landuse_code": base_code,
            "floor_area_m2": floor,
            "footprint_m2": footprint,
            "investment_yuan": investment,
            "tax_yuan": tax,
            "enterprise": enterprise,
            "project": project,
            "office_area_m2": office,
            "green_area_m2": green,
            "env_risk_class": year(env_risk),
            "agreed_start_date": agreed,
            "started_date": started,
            "suspended_date": suspended,
            "developed_share": developed,
            "invested_share": invested,
        },
        geometry=geometry,
        crs=CRS,
    )


def _control_lines(
    rng: np.random.Generator, n: int, zones: gpd.GeoDataFrame, gx0: np.ndarray, gy0: np.ndarray, extent: float, margin: float
) -> gpd.GeoDataFrame:
    n_zones = len(zones)
    n_udb = min(n_zones, n // 2)
    # Urban development boundary: the parcel grid minus 1–3 cells on the north and east edges.
    shrink = rng.integers(1, 4, size=n_udb) * PITCH_M
    udb = shapely.box(gx0[:n_udb] - margin / 2, gy0[:n_udb] - margin / 2, gx0[:n_udb] + extent - shrink, gy0[:n_udb] + extent - shrink)
    m = n - n_udb
    zone = rng.integers(0, n_zones, size=m)
    inside = rng.random(m) < 0.1
    # margin positions: a random point on a ring around the parcel grid
    t = rng.random(m)
    edge = rng.integers(0, 4, size=m)
    along = t * (extent + margin)
    off = rng.uniform(0.2, 0.8, size=m) * margin
    mx = np.select([edge == 0, edge == 1, edge == 2], [along - margin / 2, -off, along - margin / 2], default=extent + off)
    my = np.select([edge == 0, edge == 1, edge == 2], [-off, along - margin / 2, extent + off], default=along - margin / 2)
    cx = gx0[zone] + np.where(inside, rng.random(m) * extent, mx)
    cy = gy0[zone] + np.where(inside, rng.random(m) * extent, my)
    r = np.where(inside, rng.uniform(40, 150, size=m), rng.uniform(40, 0.45 * margin, size=m))
    kinds = np.where(np.arange(m) % 2 == 0, "ecological_redline", "basic_farmland")
    names = np.where(kinds == "ecological_redline", "生态保护红线", "永久基本农田")
    return gpd.GeoDataFrame(
        {
            "kind": np.concatenate([np.full(n_udb, "urban_development_boundary", dtype=object), kinds.astype(object)]),
            "name": np.concatenate([np.full(n_udb, "城镇开发边界", dtype=object), names.astype(object)]),
            "zone_id": np.concatenate([zones["zone_id"].to_numpy()[:n_udb], zones["zone_id"].to_numpy()[zone]]),
        },
        geometry=np.concatenate([udb, _octagons(cx, cy, r)]),
        crs=CRS,
    )


def _tables(zone_ids: pd.Series, parcels: gpd.GeoDataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    z = zone_ids.to_numpy()
    zone_targets = pd.DataFrame(
        {
            "scope": np.repeat(z, 3),
            "metric": np.tile(["industrial_share", "investment_intensity_wan_per_mu", "tax_per_mu_wan"], len(z)),
            "year": 2025,
            "op": ">=",
            "value": np.tile([0.30, 280.0, 6.47], len(z)),
            "unit": np.tile(["fraction", "万元/亩", "万元/亩"], len(z)),
            "source": "synthetic",
        }
    )
    parcel_rules = pd.DataFrame(
        {
            "scope": z,
            "metric": "parcel_min_far",
            "year": pd.NA,
            "op": ">=",
            "value": 1.0,
            "unit": "ratio",
            "source": "synthetic",
        }
    )
    targets = pd.concat([zone_targets, parcel_rules], ignore_index=True)
    # Quotas: about the zone's mean yearly supply of construction land, 2015–2030.
    supplied_m2 = parcels.geometry.area.where(parcels["supplied_year"].notna(), 0.0).groupby(parcels["zone_id"].to_numpy()).sum()
    years = np.arange(2015, 2031)
    per_year = (supplied_m2.reindex(z).fillna(0.0).to_numpy() / M2_PER_MU / 20.0).round(1)
    quotas = pd.DataFrame({"zone_id": np.repeat(z, len(years)), "year": np.tile(years, len(z)), "new_construction_mu": np.repeat(per_year, len(years))})
    return targets, quotas


def plan_path(n_parcels: int, *, cache_dir: str | Path, n_zones: int = 50, n_control_polygons: int = 1000, seed: int = 0) -> Path:
    """GeoPackage of :func:`make_plan` with these arguments, written once into ``cache_dir`` and reused.

    Parameters
    ----------
    n_parcels, n_zones, n_control_polygons, seed
        As for :func:`make_plan`.
    cache_dir
        Directory for the cached ``synthetic-<n>-<zones>-<controls>-<seed>.gpkg`` files.

    Returns
    -------
    pathlib.Path
        The GeoPackage, written with :meth:`Plan.write` (atomic) when it was not there yet.
    """
    path = Path(cache_dir) / f"synthetic-{n_parcels}-{n_zones}-{n_control_polygons}-{seed}.gpkg"
    if not path.exists():
        make_plan(n_parcels, n_zones=n_zones, n_control_polygons=n_control_polygons, seed=seed).write(path)
    return path
