"""Areas of features in square metres and mu: planar (Gauss–Krüger plane) and ellipsoidal (椭球面积).

Two areas are first-class:

* **planar** — the area in the layer's projected CRS (a Gauss–Krüger zone in metres):
  :func:`area_m2`. A geographic CRS is refused rather than silently giving square degrees.
* **ellipsoidal** — the area on the CRS's own ellipsoid (CGCS2000, Xian-80/IAG 1975 or
  Beijing-54/Krasovsky) by the national method of 国土调查办发〔2008〕32号 《图幅理论面积与图斑椭球
  面积计算公式及要求》, the area the 三调 and the annual 变更调查 give as a 图斑's TBMJ:
  :func:`ellipsoidal_area_m2`.

The national method. Every vertex is inverse-projected from Gauss–Krüger (x, y) to geodetic
(B, L) on the data's ellipsoid (pyproj; a zone number in the easting is handled by the CRS's
false easting), and the ring's area is the sum over its edges of the signed ellipsoidal trapezoid
between the edge and a reference meridian:

    S = 2 b² ΔL [ A sin(ΔB/2) cos Bm − B′ sin(3ΔB/2) cos 3Bm + C sin(5ΔB/2) cos 5Bm
                  − D sin(7ΔB/2) cos 7Bm + E sin(9ΔB/2) cos 9Bm ]

with ΔL the edge's mean longitude from the reference meridian, ΔB = B₂ − B₁, Bm = (B₁ + B₂)/2,
b the semi-minor axis and A … E the series in e² of the notice (:func:`trapezoid_coefficients`).
The bracket is exact to e¹⁰ (< 1e-12 relative). Holes are subtracted and the parts of
multi-polygons added; lines and points have area 0, missing geometry NaN. Everything is computed
on flat numpy arrays of all vertices of all features at once (no Python loop per feature):
1M parcels take ≈ 0.7 × the time of reading them (``make bench``, ``bench_measure``).

**The area basis.** A plan is measured on one basis throughout: :func:`basis_area_m2` is the
measure every reader uses (parcels, groups, the pieces of parcels inside a red line or outside a
zone, remaining land, phases, idle land, validation, diffs, solves, maps, reports), on the basis
of :func:`plan_area_basis` — the plan's ``meta["area_basis"]``, else ``settings.area_basis``,
ellipsoidal by default (the bureau's 三调 TBMJ; :mod:`zoneplan.settings` says why).

An edge drawn straight in the Gauss–Krüger plane is slightly curved on the ellipsoid; the notice's
sum over vertices treats it as straight in (L, F(B)). By default one midpoint per edge corrects
that (``edges="straight"``, see :func:`ellipsoidal_area_m2`).

Gauss–Krüger is conformal with scale ≥ 1, so the ellipsoidal area is never larger than the
planar one: ≈ +0.006 % at 50 km from the central meridian, +0.025 % at 100 km, +0.05 % at a 3°
zone's edge. The method's users check exactly this (an ellipsoidal area above the plane area
means the algorithm is wrong). Against the geodesic polygon area of ``pyproj.Geod`` on the same
ellipsoid it agrees to < 3e-9 relative for parcels and whole zones at 0°, 0.7° and 1.4° from the
central meridian (``tests/test_measure.py`` tabulates the figures), against planar/ellipsoidal
gaps of 1e-7 … 4e-4 there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from zoneplan.crs import require_projected
from zoneplan.errors import CRSError
from zoneplan.settings import AREA_BASES, area_basis_of, settings
from zoneplan.units import AREA_UNITS

if TYPE_CHECKING:
    from zoneplan.plan import Plan

__all__ = [
    "AREA_BASES",
    "OFFICIAL_AREA_FIELDS",
    "Ellipsoid",
    "area_in",
    "area_m2",
    "areas",
    "basis_area_m2",
    "ellipsoid_of",
    "ellipsoidal_area_m2",
    "plan_area_basis",
    "reconcile_official_area",
    "sheet_theoretical_area_m2",
    "trapezoid_coefficients",
]


def plan_area_basis(plan: Plan) -> str:
    """The area basis of ``plan``: its ``meta["area_basis"]``, else ``settings.area_basis``.

    The basis decides what the per-year parcel table's ``area_m2`` measures
    (:func:`zoneplan.state.plan_state`). The bundled plans' published figures hold on the plane
    (layers/README.md).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> plan_area_basis(plan), plan_area_basis(plan.with_meta(area_basis="ellipsoidal"))
    ('planar', 'ellipsoidal')
    """
    return area_basis_of(plan.meta)


class Ellipsoid(NamedTuple):
    """An ellipsoid by semi-major axis ``a`` (m) and inverse flattening ``rf``; ``e2`` and ``b`` derived.

    Examples
    --------
    >>> CGCS2000
    Ellipsoid(name='CGCS2000', a=6378137.0, rf=298.257222101)
    >>> round(CGCS2000.b, 3), round(CGCS2000.e2, 12), round(XIAN80.a - CGCS2000.a)
    (6356752.314, 0.006694380023, 3)
    """

    name: str
    a: float
    rf: float

    @property
    def e2(self) -> float:
        """First eccentricity squared, e² = (a² − b²)/a² = f(2 − f)."""
        f = 1.0 / self.rf
        return f * (2.0 - f)

    @property
    def b(self) -> float:
        """Semi-minor axis b = a(1 − f)."""
        return self.a * (1.0 - 1.0 / self.rf)


#: The ellipsoids of Chinese survey data (constants: EPSG and the notice).
CGCS2000 = Ellipsoid("CGCS2000", 6_378_137.0, 298.257222101)
XIAN80 = Ellipsoid("IAG 1975 (Xian-80)", 6_378_140.0, 298.257)
BEIJING54 = Ellipsoid("Krasovsky 1940 (Beijing-54)", 6_378_245.0, 298.3)


def ellipsoid_of(crs: pyproj.CRS) -> Ellipsoid:
    """The ellipsoid a CRS's coordinates are on, with ``e2`` derived from ``a`` and ``f``.

    Examples
    --------
    >>> import pyproj
    >>> ellipsoid_of(pyproj.CRS.from_epsg(4548)).a, ellipsoid_of(pyproj.CRS.from_epsg(2383)).rf
    (6378137.0, 298.257)
    """
    ell = crs.ellipsoid
    if ell is None:
        raise CRSError(f"CRS {crs.to_string()} names no ellipsoid", rule="ellipsoid")
    return Ellipsoid(ell.name, float(ell.semi_major_metre), float(ell.inverse_flattening))


def trapezoid_coefficients(e2: float) -> tuple[float, float, float, float, float]:
    """The series coefficients A, B′, C, D, E of 国土调查办发〔2008〕32号 for eccentricity² ``e2``.

    Examples
    --------
    >>> [round(c, 12) for c in trapezoid_coefficients(CGCS2000.e2)][:2]
    [1.003364089834, 0.001124189382]
    """
    e4, e6, e8 = e2 * e2, e2**3, e2**4
    a = 1 + 3 / 6 * e2 + 30 / 80 * e4 + 35 / 112 * e6 + 630 / 2304 * e8
    b = 1 / 6 * e2 + 15 / 80 * e4 + 21 / 112 * e6 + 420 / 2304 * e8
    c = 3 / 80 * e4 + 7 / 112 * e6 + 180 / 2304 * e8
    d = 1 / 112 * e6 + 45 / 2304 * e8
    e = 5 / 2304 * e8
    return a, b, c, d, e


def _trapezoid_bracket(b1: np.ndarray, b2: np.ndarray, coef: tuple[float, ...]) -> np.ndarray:
    """The bracket of the notice's trapezoid formula for latitudes ``b1`` → ``b2`` (radians), as printed."""
    a, bp, c, d, e = coef
    db, bm = b2 - b1, 0.5 * (b1 + b2)
    return (
        a * np.sin(db / 2) * np.cos(bm)
        - bp * np.sin(3 * db / 2) * np.cos(3 * bm)
        + c * np.sin(5 * db / 2) * np.cos(5 * bm)
        - d * np.sin(7 * db / 2) * np.cos(7 * bm)
        + e * np.sin(9 * db / 2) * np.cos(9 * bm)
    )


#: sin(kB) as odd polynomials in s = sin B, k = 1, 3, 5, 7, 9 (coefficients of s, s³, s⁵, s⁷, s⁹).
_SIN_MULTIPLE = np.array(
    [
        [1, 0, 0, 0, 0],
        [3, -4, 0, 0, 0],
        [5, -20, 16, 0, 0],
        [7, -56, 112, -64, 0],
        [9, -120, 432, -576, 256],
    ],
    dtype="float64",
)


def _meridian_integral(lat: np.ndarray, ell: Ellipsoid) -> np.ndarray:
    """F(B) with F(B₂) − F(B₁) = 2b² × the notice's bracket: the trapezoid's area per radian of ΔL.

    Since 2 sin(kΔB/2) cos(kBm) = sin kB₂ − sin kB₁, the bracket telescopes into
    F(B) = b² (A sin B − B′ sin 3B + C sin 5B − D sin 7B + E sin 9B), evaluated per vertex as an
    odd polynomial in sin B (one sine per vertex instead of ten per edge). Differences of F lose
    < 1e-11 relative for a 1 m edge.
    """
    signed = np.array(trapezoid_coefficients(ell.e2)) * np.array([1, -1, 1, -1, 1])
    poly = ell.b**2 * (signed @ _SIN_MULTIPLE)  # coefficients of s, s³, …, s⁹
    s = np.sin(lat)
    s2 = s * s
    acc = s2 * poly[4]
    for coef in poly[3:0:-1]:
        acc += coef
        acc *= s2
    acc += poly[0]
    acc *= s
    return acc


def sheet_theoretical_area_m2(b_south: float, b_north: float, dl_minutes: float, *, ellipsoid: Ellipsoid = CGCS2000) -> float:
    """Theoretical area of a map sheet (图幅理论面积) between two parallels, ``dl_minutes`` of longitude wide.

    The notice's own check of an implementation: 4πb²ΔL/(360·60) times the same bracket.

    Parameters
    ----------
    b_south, b_north
        Latitudes of the sheet's edges in degrees.
    dl_minutes
        Width of the sheet in minutes of longitude.
    ellipsoid
        Default CGCS2000.

    Examples
    --------
    >>> round(sheet_theoretical_area_m2(36.0, 36.0 + 2.5 / 60, 3.75) / 1e6, 6)  # a 1:10 000 sheet at 36°N, km²
    26.04655
    """
    coef = trapezoid_coefficients(ellipsoid.e2)
    bracket = _trapezoid_bracket(np.radians(b_south), np.radians(b_north), coef)
    return float(4 * np.pi * ellipsoid.b**2 * dl_minutes / (360 * 60) * bracket)


def _geometries(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    return np.asarray(gdf.geometry.values if isinstance(gdf, gpd.GeoDataFrame) else gdf.values, dtype=object)


class _Rings(NamedTuple):
    """Every polygon ring of an array of geometries as flat arrays (rings closed, vertices in ring order)."""

    xy: np.ndarray  # (n, 2) vertices
    start: np.ndarray  # index of each ring's first vertex, increasing
    feature: np.ndarray  # feature of each ring
    sign: np.ndarray  # +1 exterior, −1 hole

    def pair_sums(self, values: np.ndarray) -> np.ndarray:
        """Per ring, the sum of ``values`` over its edges; ``values[i]`` belongs to vertices i → i + 1."""
        if len(self.start) == 0:
            return np.zeros(0)
        return np.add.reduceat(values, self.start)

    def joins(self) -> np.ndarray:
        """Positions of the vertex pairs that join one ring's last vertex to the next ring's first (not edges)."""
        return self.start[1:] - 1


def _rings(geoms: np.ndarray) -> _Rings:
    """Every polygon ring of ``geoms``: simple polygons (no holes, the usual parcel) take their
    coordinates straight from :func:`shapely.get_coordinates`; only polygons with holes,
    multi-polygons and collections are split into parts and rings (lines, points and empty
    geometries have none, so every ring has vertices and ``start`` strictly increases)."""
    type_id = np.where(shapely.is_empty(geoms), -1, shapely.get_type_id(geoms))  # an empty polygon has no ring
    simple = (type_id == 3) & (shapely.get_num_interior_rings(geoms) == 0)
    split = np.isin(type_id, (3, 6, 7)) & ~simple
    simple_idx, split_idx = np.flatnonzero(simple), np.flatnonzero(split)
    if len(split_idx) == 0:  # the common case: one ring per feature, no copies
        counts = shapely.get_num_coordinates(geoms[simple_idx])
        start = np.zeros(len(counts), dtype=np.int64)
        np.cumsum(counts[:-1], out=start[1:])
        return _Rings(shapely.get_coordinates(geoms[simple_idx]), start, simple_idx, np.ones(len(simple_idx)))
    parts, part_of = shapely.get_parts(geoms[split_idx], return_index=True)
    polygonal = shapely.get_type_id(parts) == 3
    parts, part_of = parts[polygonal], part_of[polygonal]
    rings, ring_of = shapely.get_rings(parts[~shapely.is_empty(parts)], return_index=True)
    ring_of = np.flatnonzero(~shapely.is_empty(parts))[ring_of]
    exterior = np.r_[True, ring_of[1:] != ring_of[:-1]] if len(ring_of) else np.zeros(0, bool)  # get_rings lists the exterior first
    all_rings = np.concatenate([geoms[simple_idx], rings])
    counts = shapely.get_num_coordinates(all_rings)
    start = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=start[1:])
    return _Rings(
        shapely.get_coordinates(all_rings),
        start,
        np.concatenate([simple_idx, split_idx[part_of[ring_of]]]),
        np.concatenate([np.ones(len(simple_idx)), np.where(exterior, 1.0, -1.0)]),
    )


#: Features measured per block: the flat vertex arrays of a block (≈ 10 per feature) stay in the
#: processor's cache and in reused memory instead of faulting in fresh pages for every temporary.
AREA_BLOCK = 1 << 14


def _blocks(index: np.ndarray) -> list[np.ndarray]:
    return [index[i : i + AREA_BLOCK] for i in range(0, len(index), AREA_BLOCK)]


#: Features at most this wide (bounding-box diagonal, m) on a Transverse Mercator plane are measured
#: in closed form from their planar moments (:func:`_moment_area`); wider ones, and every feature on
#: other planes, by the trapezoid sum (:func:`_trapezoid_area`). The closed form's truncation grows
#: as (width / Earth radius)³: < 1e-11 relative at this width.
MOMENT_MAX_WIDTH_M = 2_000.0


def _transverse_mercator(crs: pyproj.CRS) -> tuple[float, float] | None:
    """Central meridian (radians) and scale factor of a Transverse Mercator (Gauss–Krüger, UTM) CRS, else None."""
    op = crs.coordinate_operation
    if op is None or op.method_code != "9807":  # EPSG method 9807: Transverse Mercator
        return None
    params = {p.code: p for p in op.params}
    lon0, k0 = params.get("8802"), params.get("8805")
    if lon0 is None or k0 is None or lon0.unit_name != "degree":
        return None
    return float(np.radians(lon0.value)), float(k0.value)


def _trapezoid_area(geoms: np.ndarray, crs: pyproj.CRS, ell: Ellipsoid, edges: str) -> np.ndarray:
    """The notice's trapezoid sum over every vertex (and, for ``edges="straight"``, every edge midpoint).

    Edges are the consecutive vertex pairs of the flat vertex array; the pairs that join two rings
    are zeroed before the per-ring sums.
    """
    r = _rings(geoms)
    n = len(r.xy)
    if n < 2:
        return np.zeros(len(geoms))
    m = n - 1 if edges == "straight" else 0
    x, y = np.empty(n + m), np.empty(n + m)
    x[:n], y[:n] = r.xy[:, 0], r.xy[:, 1]
    if m:  # the midpoint of each vertex pair in the CRS's own coordinates
        np.add(x[: n - 1], x[1:n], out=x[n:])
        np.add(y[: n - 1], y[1:n], out=y[n:])
        x[n:] *= 0.5
        y[n:] *= 0.5
    if crs.is_geographic:
        lon, lat = np.radians(x, out=x), np.radians(y, out=y)
    else:
        inverse = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
        lon, lat = inverse.transform(x, y, radians=True, inplace=True)
    f = _meridian_integral(lat, ell)
    lon -= lon[0]  # reference meridian: any one, here the first vertex's
    lon0, lon1, f0, f1 = lon[: n - 1], lon[1:n], f[: n - 1], f[1:n]
    d_lon, d_f = lon1 - lon0, f1 - f0
    mean_lon = 0.5 * (lon1 + lon0)
    edge = mean_lon * d_f  # the notice's trapezoid between the edge and the reference meridian
    if m:  # Simpson's rule on the sliver between the edge's image and its chord (see ``edges``)
        h_lon, h_f = lon[n:] - mean_lon, f[n:] - 0.5 * (f1 + f0)
        edge += (2.0 / 3.0) * (h_lon * d_f - h_f * d_lon)
    edge[r.joins()] = 0.0
    ring_area = np.abs(r.pair_sums(edge))
    return np.bincount(r.feature, weights=r.sign * ring_area, minlength=len(geoms))


def _moment_area(geoms: np.ndarray, crs: pyproj.CRS, ell: Ellipsoid, tm: tuple[float, float]) -> np.ndarray:
    """Ellipsoidal area of features drawn with straight edges on a Transverse Mercator plane, in closed form.

    A conformal plane maps the area element dS of the ellipsoid to k² dS, with k the point scale,
    so the area is ∬ k⁻² dx dy over the drawn polygon. Expanded about the polygon's centroid c,
    k⁻² = m(c) + ∇m·(p − c) + ½ (p − c)ᵀ H (p − c) + …, the linear term integrates to zero and
    the area is A m(c) + ½ H_xx J_xx: the planar area A, the central second moment J_xx of
    easting, and m, H_xx = ∂²m/∂x² = −2 / (k₀⁴ ρ ν) of the Transverse Mercator scale
    k = k₀ [1 + (1 + C) A²/2 + (5 − 4T + 42C + 13C² − 28e′²) A⁴/24 + (61 − 148T + 16T²) A⁶/720]
    (A = Δλ cos φ, T = tan² φ, C = e′² cos² φ; Snyder, *Map Projections — A Working Manual*, 8-11),
    at the centroid's latitude φ and longitude from the central meridian Δλ — one inverse-projected
    point per feature instead of two per edge. The terms left out are of order (width / R)³ × (x / R)
    (:data:`MOMENT_MAX_WIDTH_M`); H's other entries contribute < 1e-12 relative. The moments are
    taken about each ring's first vertex (metres, so no cancellation), then moved to the feature's
    first ring.
    """
    r = _rings(geoms)
    n_rings = len(r.start)
    counts = np.diff(np.r_[r.start, len(r.xy)])
    ox, oy = r.xy[r.start, 0], r.xy[r.start, 1]
    x, y = r.xy[:, 0] - np.repeat(ox, counts), r.xy[:, 1] - np.repeat(oy, counts)
    x0, x1, y0, y1 = x[:-1], x[1:], y[:-1], y[1:]
    cross = x0 * y1 - x1 * y0
    cross[r.joins()] = 0.0
    ring_a = r.pair_sums(cross) / 2.0
    ring_sx = r.pair_sums(cross * (x0 + x1)) / 6.0
    ring_sy = r.pair_sums(cross * (y0 + y1)) / 6.0
    ring_sxx = r.pair_sums(cross * (x0 * x0 + x0 * x1 + x1 * x1)) / 12.0
    orient = r.sign * np.sign(ring_a)  # exterior +, hole −, whichever way each ring runs
    first = np.full(len(geoms), n_rings, dtype=np.int64)
    np.minimum.at(first, r.feature, np.arange(n_rings))  # each feature's first ring (n_rings: none)
    dx, dy = ox - ox[first[r.feature]], oy - oy[first[r.feature]]  # the ring's origin from its feature's
    ring_sxx = ring_sxx + 2 * dx * ring_sx + dx * dx * ring_a
    ring_sx, ring_sy = ring_sx + dx * ring_a, ring_sy + dy * ring_a
    area, sx, sy, sxx = (np.bincount(r.feature, weights=orient * v, minlength=len(geoms)) for v in (ring_a, ring_sx, ring_sy, ring_sxx))
    positive = area > 0
    safe = np.where(positive, area, 1.0)
    cx, cy = np.where(positive, sx / safe, 0.0), np.where(positive, sy / safe, 0.0)
    jxx = np.where(positive, sxx - sx * cx, 0.0)
    has = first < n_rings
    fx, fy = np.zeros(len(geoms)), np.zeros(len(geoms))
    fx[has], fy[has] = ox[first[has]], oy[first[has]]
    inverse = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = inverse.transform(fx + cx, fy + cy, radians=True)
    lon0, k0 = tm
    ep2 = ell.e2 / (1.0 - ell.e2)
    cos_lat = np.cos(lat)
    a_ = (np.asarray(lon) - lon0) * cos_lat
    t = np.tan(lat) ** 2
    c = ep2 * cos_lat**2
    a2 = a_ * a_
    k = k0 * (1 + (1 + c) * a2 / 2 + (5 - 4 * t + 42 * c + 13 * c * c - 28 * ep2) * a2 * a2 / 24 + (61 - 148 * t + 16 * t * t) * a2**3 / 720)
    w = 1.0 - ell.e2 * np.sin(lat) ** 2
    rho_nu = ell.a**2 * (1.0 - ell.e2) / (w * w)  # ρ ν
    h_xx = -2.0 / (k0**4 * rho_nu)
    return np.where(positive, area / (k * k) + 0.5 * h_xx * jxx, 0.0)


def ellipsoidal_area_m2(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, edges: str = "straight") -> pd.Series:
    """Ellipsoidal area (椭球面积) of each feature in m² by the national method, aligned to ``gdf``'s index.

    The ellipsoid is the one of ``gdf``'s CRS (CGCS2000, Xian-80, Beijing-54 …); projected
    coordinates are inverse-projected with pyproj, lon-lat coordinates are used as they are.

    Parameters
    ----------
    gdf
        Features in any CRS with an ellipsoid (a Gauss–Krüger zone, with or without zone number,
        or lon-lat).
    edges
        ``"straight"`` (default): each edge is the straight line of the CRS's own coordinates
        between its vertices (the line the parcel was drawn with); the notice's trapezoid sum over
        the vertices is completed by one inverse-projected midpoint per edge (Simpson's rule on
        the thin sliver between the edge and its chord on the ellipsoid), so the result is the
        ellipsoidal area of the drawn shape and never exceeds the planar area. On a Transverse
        Mercator plane (every Gauss–Krüger zone, UTM) features up to :data:`MOMENT_MAX_WIDTH_M`
        wide — parcels, 图斑 — get the same area in closed form from their planar moments and the
        plane's scale factor (:func:`_moment_area`; the two agree to < 3e-10 relative,
        ``tests/test_measure.py``), 4–5× faster.
        ``"vertices"``: the notice's sum over the vertices alone, as survey software computes
        TBMJ; it differs from ``"straight"`` by ≈ 2e-5 relative for a 300 m parcel with diagonal
        edges, much less for densely digitised 图斑.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> parcels = datasets.load("linqing").parcels
    >>> planar, ellipsoidal = area_m2(parcels).sum(), ellipsoidal_area_m2(parcels).sum()
    >>> bool(ellipsoidal < planar), round(float(1 - ellipsoidal / planar) * 100, 3)  # percent, ~1.3° from CM 117°E
    (True, 0.034)
    """
    if edges not in ("straight", "vertices"):
        raise ValueError(f"edges must be 'straight' or 'vertices', got {edges!r}")
    if gdf.crs is None:
        raise CRSError("cannot compute ellipsoidal area: the data has no CRS", rule="crs")
    crs = pyproj.CRS.from_user_input(gdf.crs)
    ell = ellipsoid_of(crs)
    geoms = _geometries(gdf)
    out = np.zeros(len(geoms))
    tm = _transverse_mercator(crs) if edges == "straight" else None
    small = np.zeros(len(geoms), dtype=bool)
    if tm is not None and len(geoms):
        bounds = shapely.bounds(geoms)
        with np.errstate(invalid="ignore"):
            small = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) <= MOMENT_MAX_WIDTH_M  # NaN (missing, empty) → False
        for block in _blocks(np.flatnonzero(small)):
            out[block] = _moment_area(geoms[block], crs, ell, tm)
    missing = shapely.is_missing(geoms)
    nothing = missing | shapely.is_empty(geoms)  # area 0 (NaN where missing): the parts outside of a million parcels are mostly empty
    for block in _blocks(np.flatnonzero(~small & ~nothing)):
        out[block] = _trapezoid_area(geoms[block], crs, ell, edges)
    out[missing] = np.nan
    return pd.Series(out, index=gdf.index, name="ellipsoidal_area_m2")


def area_m2(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Planar area of each feature in m² (Gauss–Krüger plane), aligned to ``gdf``'s index.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> s = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs=4548)
    >>> float(area_m2(s).iloc[0])
    1000000.0
    """
    require_projected(gdf, what="area")
    geoms = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    return pd.Series(geoms.area.to_numpy(), index=gdf.index, name="area_m2")


def basis_area_m2(
    gdf: gpd.GeoDataFrame | gpd.GeoSeries | np.ndarray,
    basis: str | Plan | None = None,
    *,
    crs: object = None,
) -> pd.Series:
    """Area of each feature in m² on an area basis: THE measure of every area zoneplan reports.

    Every area of a geometry that feeds an indicator, a check, a table or a report — parcels,
    zones, phases, and the pieces of them inside or outside a control line — goes through this
    function, so that one plan is measured on one basis throughout.

    Parameters
    ----------
    gdf
        Features: a GeoDataFrame or GeoSeries (their CRS), or an array of shapely geometries
        (then ``crs`` names their CRS; pieces cut out of a plan's layers are in the plan's CRS).
    basis
        ``"ellipsoidal"`` or ``"planar"``; a :class:`~zoneplan.plan.Plan` stands for its basis
        (:func:`plan_area_basis`) and, for an array, its CRS; None: ``settings.area_basis``.
    crs
        CRS of an array of geometries (default: the plan's when ``basis`` is a plan).

    Returns
    -------
    pandas.Series
        m² per feature, aligned to ``gdf``'s index (a RangeIndex for an array).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> s = gpd.GeoSeries([shapely.box(500_000, 4_000_000, 501_000, 4_001_000)], crs=4548)
    >>> float(basis_area_m2(s, "planar").iloc[0]), bool(basis_area_m2(s, "ellipsoidal").iloc[0] <= 1e6)
    (1000000.0, True)
    >>> float(basis_area_m2(s.to_numpy(), "planar", crs=4548).iloc[0])
    1000000.0
    """
    if basis is None:
        basis = settings.area_basis
    elif not isinstance(basis, str):
        crs = basis.crs if crs is None else crs
        basis = plan_area_basis(basis)
    if not isinstance(gdf, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if crs is None:
            raise CRSError("cannot measure geometries without a CRS", rule="crs")
        gdf = gpd.GeoSeries(np.asarray(gdf, dtype=object), crs=crs)
    if basis == "planar":
        return area_m2(gdf)
    if basis == "ellipsoidal":
        require_projected(gdf, what="area")
        return ellipsoidal_area_m2(gdf)
    raise ValueError(f"unknown area basis {basis!r}; expected one of {AREA_BASES}")


def area_in(gdf: gpd.GeoDataFrame | gpd.GeoSeries, unit: str = "mu", *, basis: str | Plan | None = None) -> pd.Series:
    """Area of each feature in ``unit`` (``m2``, ``mu``, ``ha`` or ``km2``) on ``basis``, named ``area_<unit>``.

    ``basis`` as in :func:`basis_area_m2` (a plan stands for its basis; None: ``settings.area_basis``).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> area_in(datasets.load("zhangdian").phases, "mu", basis="planar").round(1).tolist()  # 一期 1022, 二期 1872, 三期 1400 mu
    [1022.0, 1872.0, 1400.0]
    """
    if unit not in AREA_UNITS:
        raise ValueError(f"unknown area unit {unit!r}; expected one of {sorted(AREA_UNITS)}")
    return (basis_area_m2(gdf, basis) / AREA_UNITS[unit]).rename(f"area_{unit}")


def areas(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, units: tuple[str, ...] = ("m2", "mu", "ha", "km2")) -> pd.DataFrame:
    """Planar area of each feature in several units: columns ``area_m2``, ``area_mu``, …

    Examples
    --------
    >>> from zoneplan import datasets
    >>> table = areas(datasets.load("linqing").zones)
    >>> list(table.columns), table.round(2).iloc[0].tolist()
    (['area_m2', 'area_mu', 'area_ha', 'area_km2'], [43220000.0, 64830.0, 4322.0, 43.22])
    """
    m2 = area_m2(gdf)
    return pd.DataFrame({f"area_{u}": m2 / AREA_UNITS[u] for u in units}, index=gdf.index)


#: Official area fields of bureau data, most specific first: 三调/变更调查 图斑面积 TBMJ (ellipsoidal,
#: m²), then 图斑地类面积 + 扣除地类面积 (TBDLMJ + KCMJ = TBMJ), then a plain 面积 / MJ.
OFFICIAL_AREA_FIELDS: tuple[str, ...] = ("TBMJ", "图斑面积", "TBDLMJ+KCMJ", "图斑地类面积+扣除地类面积", "面积", "MJ")
#: Reconciliation tolerance: an official area is flagged when it differs from zoneplan's ellipsoidal
#: area by more than 0.01 % AND more than 0.1 m². 0.01 % is a third of the planar/ellipsoidal gap
#: 1.3° from the central meridian (0.034 %), so a plane area given as TBMJ there is caught, while the
#: method's own spread (< 2e-5 between vertex-only and straight edges) and TBMJ's rounding to
#: 0.01 m² stay inside.
RECONCILE_REL_TOL = 1e-4
RECONCILE_ABS_TOL_M2 = 0.1


#: zoneplan's names for the 三调 area fields (what :mod:`zoneplan.io.vector` renames them to).
_IMPORTED_AREA_FIELDS: dict[str, str] = {"survey_area_m2": "TBMJ", "landuse_area_m2": "TBDLMJ", "deduction_area_m2": "KCMJ"}


def _official_area(gdf: gpd.GeoDataFrame) -> tuple[str, pd.Series] | None:
    upper = {str(c).upper(): c for c in gdf.columns if c != gdf.geometry.name}
    for ours, official in _IMPORTED_AREA_FIELDS.items():
        if ours in gdf.columns:
            upper.setdefault(official, ours)
    for name in OFFICIAL_AREA_FIELDS:
        parts = name.split("+")
        if all(p.upper() in upper for p in parts):
            values = [pd.to_numeric(gdf[upper[p.upper()]], errors="coerce") for p in parts]
            return "+".join(_IMPORTED_AREA_FIELDS.get(upper[p.upper()], upper[p.upper()]) for p in parts), sum(values[1:], values[0]).astype("float64")
    return None


def reconcile_official_area(
    gdf: gpd.GeoDataFrame,
    *,
    ids: pd.Series | None = None,
    rel_tol: float = RECONCILE_REL_TOL,
    abs_tol_m2: float = RECONCILE_ABS_TOL_M2,
) -> dict | None:
    """Compare the source's official area field (TBMJ, 图斑面积, TBDLMJ+KCMJ, 面积) with the ellipsoidal area.

    Parameters
    ----------
    gdf
        Features with an official area field in m², in a CRS with an ellipsoid.
    ids
        Feature ids to list in ``flagged`` (default: 1-based row numbers).
    rel_tol, abs_tol_m2
        A feature is flagged when ``|official − ellipsoidal|`` exceeds both (see
        :data:`RECONCILE_REL_TOL`).

    Returns
    -------
    dict or None
        None when there is no official area field; else ``field``, ``basis`` ("ellipsoidal"),
        ``compared`` (features with a value), ``max_abs_diff_m2``, ``max_rel_diff``,
        ``rel_tol``, ``abs_tol_m2`` and ``flagged`` (ids, in file order).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"TBMJ": [9999.43, 10100.0]}, geometry=[shapely.box(500_000, 4_000_000, 500_100, 4_000_100)] * 2, crs=4548)
    >>> r = reconcile_official_area(g)
    >>> r["field"], r["compared"], r["flagged"]
    ('TBMJ', 2, [2])
    """
    found = _official_area(gdf)
    if found is None:
        return None
    field, official = found
    computed = ellipsoidal_area_m2(gdf)
    present = official.notna() & computed.notna()
    diff = (official - computed)[present]
    rel = diff.abs() / computed[present].where(computed[present] > 0)
    flagged = (diff.abs() > abs_tol_m2) & ~(rel <= rel_tol)
    labels = pd.Series(np.arange(1, len(gdf) + 1), index=gdf.index) if ids is None else ids
    return {
        "field": field,
        "basis": "ellipsoidal",
        "compared": int(present.sum()),
        "max_abs_diff_m2": float(diff.abs().max()) if len(diff) else 0.0,
        "max_rel_diff": float(rel.max()) if rel.notna().any() else 0.0,
        "rel_tol": rel_tol,
        "abs_tol_m2": abs_tol_m2,
        "flagged": labels[flagged[flagged].index].tolist(),
    }
