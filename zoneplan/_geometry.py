"""Vectorised polygon helpers shared by validation and the rules (internal).

The containment question — *which part of each feature lies outside its container?* — is asked by
``validate`` (a parcel outside its zone), the phase rules (a phase outside its zone) and the
urban-development-boundary rule. A real zone outline has tens of thousands of vertices, so cutting
every feature with the whole outline costs milliseconds per feature. :func:`parts_outside` settles
the features a container covers with one prepared predicate, and cuts only the rest, against the
pieces of the container near them (the container split into pieces of at most a few hundred
vertices, as PostGIS's ``ST_Subdivide`` does), so the cost follows the feature, not the outline.
"""

from __future__ import annotations

import threading

import geopandas as gpd
import numpy as np
import shapely

__all__ = [
    "POLYGONAL_TYPE_IDS",
    "disjoint_parts",
    "first_holding",
    "overlay_pairs",
    "parts_outside",
    "points_within",
    "polygonal",
    "prepare",
    "subdivide",
    "union_by_group",
    "usable",
]

#: shapely type ids of Polygon and MultiPolygon.
POLYGONAL_TYPE_IDS = (3, 6)
_PREPARING = threading.Lock()


def prepare(geoms: np.ndarray) -> None:
    """:func:`shapely.prepare` under a lock, so two threads never prepare one shared geometry at once.

    Examples
    --------
    >>> zone = np.array([shapely.box(0, 0, 10, 10)])
    >>> prepare(zone)
    >>> bool(shapely.is_prepared(zone[0]))
    True
    """
    with _PREPARING:
        shapely.prepare(geoms)


#: Pieces of a subdivided container have at most this many vertices.
SUBDIVIDE_MAX_VERTICES = 256


def usable(geoms: np.ndarray | gpd.GeoSeries) -> np.ndarray:
    """True where a geometry is present, non-empty and polygonal (rules skip the rest: ``validate`` reports them)."""
    arr = np.asarray(geoms.values if isinstance(geoms, gpd.GeoSeries) else geoms, dtype=object)
    type_id = shapely.get_type_id(arr)  # -1 where missing
    ok = (type_id == POLYGONAL_TYPE_IDS[0]) | (type_id == POLYGONAL_TYPE_IDS[1])
    ok[ok] = ~shapely.is_empty(arr[ok])
    return ok


def union_by_group(geoms: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Union of the geometries of each group ``0 … n_groups-1``, in one vectorised GEOS call.

    Groups with one geometry keep it as is; groups with several are unioned row-wise with
    :func:`shapely.union_all` on a padded 2-D array; groups with none get ``None``.

    Examples
    --------
    >>> g = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(5, 5, 6, 6)])
    >>> shapely.area(union_by_group(g, np.array([0, 0, 2]), 3)).tolist()
    [2.0, nan, 1.0]
    """
    out = np.full(n_groups, None, dtype=object)
    if len(geoms) == 0:
        return out
    groups = np.asarray(groups, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    groups, geoms = groups[order], np.asarray(geoms, dtype=object)[order]
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    single = np.flatnonzero(counts == 1)
    out[single] = geoms[starts[single]]
    multi = np.flatnonzero(counts > 1)
    if len(multi):
        in_multi = counts[groups] > 1
        g = groups[in_multi]
        grid = np.full((len(multi), counts[multi].max()), None, dtype=object)
        grid[np.searchsorted(multi, g), np.flatnonzero(in_multi) - starts[g]] = geoms[in_multi]
        out[multi] = shapely.union_all(grid, axis=1)
    return out


def disjoint_parts(geoms: np.ndarray) -> np.ndarray:
    """Polygons that cover the union of ``geoms`` and do not overlap: the parts of
    :func:`shapely.union_all`, overlaying only the geometries that touch another one.

    A province's control lines are thousands of separate red-line and farmland polygons, few
    of them touching; unioning them all costs an overlay of every vertex, while those that meet
    no other are already disjoint parts of the union. So the lone ones (no ``intersects`` pair
    in the spatial index but with themselves) pass as they are, split into their parts, and the
    rest are unioned in one call.

    Examples
    --------
    >>> g = np.array([shapely.box(0, 0, 2, 2), shapely.box(1, 1, 3, 3), shapely.box(5, 5, 6, 6), None])
    >>> parts = disjoint_parts(g)
    >>> len(parts), float(shapely.area(parts).sum()), float(shapely.area(shapely.union_all(g)))
    (2, 8.0, 8.0)
    """
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[usable(geoms)]
    if not len(geoms):
        return np.array([], dtype=object)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    alone = np.bincount(left[left != right], minlength=len(geoms)) == 0
    merged = shapely.get_parts(shapely.union_all(geoms[~alone])) if not alone.all() else np.array([], dtype=object)
    parts = np.concatenate([shapely.get_parts(geoms[alone]), merged])
    return parts[~shapely.is_empty(parts)]


def overlay_pairs(geoms: np.ndarray, polygons: np.ndarray, *, tree: shapely.STRtree | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every (geometry, polygon) pair that meets: positions, "wholly inside", and the shared part.

    The index proposes the pairs whose envelopes meet; each polygon, prepared once, settles the
    geometries it holds whole (:func:`shapely.contains_properly`: one test, no overlay); only
    the rest are tested for meeting at all and cut. So a province's parcels inside a zone, a
    park or a development boundary cost a predicate each, not an intersection (and not a second
    predicate, which an ``intersects`` query would spend on every pair first).

    Parameters
    ----------
    geoms
        Polygons (missing and empty ones meet nothing).
    polygons
        The polygons to overlay them with; ``tree`` their :class:`shapely.STRtree` if built.

    Returns
    -------
    tuple of numpy.ndarray
        ``geom_pos``, ``polygon_pos`` (sorted by geometry), ``inside`` (bool: the geometry lies
        wholly inside, its own area is the shared area) and ``piece`` (the intersection where
        not ``inside``, else None).

    Examples
    --------
    >>> boxes = shapely.box([1, 8, 30], [1, 1, 30], [3, 12, 31], [3, 3, 31])
    >>> g, p, inside, piece = overlay_pairs(boxes, np.array([shapely.box(0, 0, 10, 10)]))
    >>> g.tolist(), inside.tolist(), shapely.area(piece[~inside]).tolist()
    ([0, 1], [True, False], [4.0])
    """
    geoms, polygons = np.asarray(geoms, dtype=object), np.asarray(polygons, dtype=object)
    g, p = (tree if tree is not None else shapely.STRtree(polygons)).query(geoms)
    prepare(polygons)
    inside = shapely.contains_properly(polygons[p], geoms[g])
    rest = np.flatnonzero(~inside)
    rest = rest[shapely.intersects(polygons[p[rest]], geoms[g[rest]])]
    keep = inside.copy()
    keep[rest] = True
    piece = np.full(len(g), None, dtype=object)
    piece[rest] = shapely.intersection(geoms[g[rest]], polygons[p[rest]])
    order = np.lexsort((p[keep], g[keep]))
    return g[keep][order], p[keep][order], inside[keep][order], piece[keep][order]


def points_within(points: np.ndarray, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (point position, polygon position) where the point lies inside the polygon (not on its edge).

    The same pairs as ``STRtree(polygons).query(points, predicate="within")``, three times
    faster for a province's parcels: the index proposes the polygons whose envelope holds each
    point, and each polygon, prepared once, tests its points by coordinates
    (:func:`shapely.contains_xy`), where the predicate query prepares every *point*. Missing
    or empty points and polygons pair with nothing. Pairs come sorted by point.

    Examples
    --------
    >>> zones = np.array([shapely.box(0, 0, 10, 10), shapely.box(5, 0, 20, 10)])
    >>> pt, poly = points_within(shapely.points([(1, 1), (7, 5), (10, 5), (50, 50)]), zones)
    >>> list(zip(pt.tolist(), poly.tolist()))  # (10, 5) is on the first zone's edge: inside the second only
    [(0, 0), (1, 0), (1, 1), (2, 1)]
    """
    points, polygons = np.asarray(points, dtype=object), np.asarray(polygons, dtype=object)
    point_pos, poly_pos = shapely.STRtree(polygons).query(points)
    prepare(polygons)
    inside = shapely.contains_xy(polygons[poly_pos], shapely.get_x(points[point_pos]), shapely.get_y(points[point_pos]))
    point_pos, poly_pos = point_pos[inside], poly_pos[inside]
    order = np.lexsort((poly_pos, point_pos))
    return point_pos[order], poly_pos[order]


def first_holding(geoms: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Position of the first polygon (in layer order) whose interior holds each geometry's
    representative point (:func:`shapely.point_on_surface`); -1 where none does.

    The answer of :func:`points_within` on the representative points, first polygon per point,
    taking a point only where it is needed. A geometry the first polygon meeting it contains
    properly has its point inside that polygon and inside none before it (they do not meet the
    geometry); one meeting no polygon has its point in none. Only the geometries crossing a
    polygon's edge take a point — at a province's scale most parcels lie wholly inside their
    phase, and making a million points holds Python for most of a second.

    Examples
    --------
    >>> phases = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> parcels = np.array([shapely.box(1, 1, 2, 2), shapely.box(8, 1, 11, 2), shapely.box(9, 1, 14, 2), shapely.box(50, 50, 51, 51), None])
    >>> first_holding(parcels, phases).tolist()  # wholly in the first; straddling, mostly in the first; mostly in the second; in none
    [0, 0, 1, -1, -1]
    """
    geoms, polygons = np.asarray(geoms, dtype=object), np.asarray(polygons, dtype=object)
    found = np.full(len(geoms), -1, dtype=np.int64)
    g, p = shapely.STRtree(polygons).query(geoms)
    order = np.lexsort((p, g))
    g, p = g[order], p[order]
    prepare(polygons)
    inside = shapely.contains_properly(polygons[p], geoms[g])
    meets = inside.copy()
    meets[~inside] = shapely.intersects(polygons[p[~inside]], geoms[g[~inside]])
    g, p, inside = g[meets], p[meets], inside[meets]
    first = np.r_[True, g[1:] != g[:-1]] if len(g) else np.array([], dtype=bool)
    found[g[first & inside]] = p[first & inside]
    crossing = g[first & ~inside]
    if len(crossing):
        point_pos, poly_pos = points_within(shapely.point_on_surface(geoms[crossing]), polygons)  # sorted by point, then layer order
        lead = np.r_[True, point_pos[1:] != point_pos[:-1]] if len(point_pos) else np.array([], dtype=bool)
        found[crossing[point_pos[lead]]] = poly_pos[lead]
    return found


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """The polygonal part of each geometry as a (Multi)Polygon, dropping the lines and points an
    intersection of touching polygons leaves; ``None`` stays ``None``.

    Examples
    --------
    >>> mixed = shapely.GeometryCollection([shapely.box(0, 0, 1, 1), shapely.LineString([(1, 0), (2, 0)])])
    >>> polygonal(np.array([mixed, None]))[0].geom_type
    'MultiPolygon'
    """
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    present = ~shapely.is_missing(geoms)
    mixed = np.flatnonzero(present & ~np.isin(shapely.get_type_id(geoms), POLYGONAL_TYPE_IDS))
    if len(mixed):
        parts, owner = shapely.get_parts(geoms[mixed], return_index=True)
        keep = np.isin(shapely.get_type_id(parts), POLYGONAL_TYPE_IDS)
        polys, sub = shapely.get_parts(parts[keep], return_index=True)  # split nested multipolygons
        owner = owner[keep][sub]
        cleaned = np.array([shapely.MultiPolygon()] * len(mixed), dtype=object)
        if len(polys):
            have = np.unique(owner)
            cleaned[have] = shapely.multipolygons(polys, indices=owner)[have]
        out[mixed] = cleaned
    return out


def subdivide(geoms: np.ndarray, *, max_vertices: int = SUBDIVIDE_MAX_VERTICES) -> tuple[np.ndarray, np.ndarray]:
    """Split polygons into pieces of at most ``max_vertices`` vertices whose union is the polygon.

    Each round cuts every piece still too large into the two halves of its bounding box (along
    the longer side), as PostGIS's ``ST_Subdivide`` does.

    Parameters
    ----------
    geoms
        Polygons (object array).
    max_vertices
        Largest number of vertices a piece keeps.

    Returns
    -------
    tuple of numpy.ndarray
        The pieces (polygons) and, for each piece, the position in ``geoms`` it came from.

    Examples
    --------
    >>> import shapely
    >>> circle = shapely.Point(0, 0).buffer(100, quad_segs=2000)  # 8001 vertices
    >>> pieces, owner = subdivide(np.array([circle]))
    >>> bool(shapely.get_num_coordinates(pieces).max() <= 256), round(float(shapely.area(pieces).sum() / circle.area), 9)
    (True, 1.0)
    """
    parts, owner = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    done_parts, done_owner = [], []
    while len(parts):
        small = shapely.get_num_coordinates(parts) <= max_vertices
        done_parts.append(parts[small])
        done_owner.append(owner[small])
        parts, owner = parts[~small], owner[~small]
        if not len(parts):
            break
        x0, y0, x1, y1 = shapely.bounds(parts).T
        wide = (x1 - x0) >= (y1 - y0)
        xm, ym = np.where(wide, (x0 + x1) / 2, x1), np.where(wide, y1, (y0 + y1) / 2)
        first = _clip(parts, x0, y0, xm, ym)
        second = _clip(parts, np.where(wide, xm, x0), np.where(wide, y0, ym), x1, y1)
        halves, half_owner = shapely.get_parts(np.concatenate([first, second]), return_index=True)
        keep = np.isin(shapely.get_type_id(halves), POLYGONAL_TYPE_IDS) & ~shapely.is_empty(halves)
        parts, owner = halves[keep], np.concatenate([owner, owner])[half_owner[keep]]
    return np.concatenate(done_parts) if done_parts else np.array([], dtype=object), np.concatenate(done_owner) if done_owner else np.array([], dtype=np.int64)


def _clip(geoms: np.ndarray, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray) -> np.ndarray:
    """Each geometry clipped to its own rectangle.

    GEOS's rectangle clipping is linear in the vertices (an overlay with a box is not); shapely
    takes one rectangle per call, so this loops over the pieces of a container — a few hundred
    for a 40,000-vertex outline — never over features.
    """
    clipped = [shapely.clip_by_rect(g, a, b, c, d) for g, a, b, c, d in zip(geoms, x0, y0, x1, y1)]
    return polygonal(np.array(clipped, dtype=object))


def parts_outside(geoms: np.ndarray, containers: np.ndarray, *, owner: np.ndarray | None = None) -> np.ndarray:
    """Part of each geometry outside its container(s), as an array aligned to ``geoms``.

    Parameters
    ----------
    geoms
        Usable polygons (see :func:`usable`), object array.
    containers
        Usable polygons the geometries should lie in.
    owner
        For each geometry, the position in ``containers`` of the one container it is judged
        against (a parcel and its own zone). ``None``: against the union of all containers (a
        parcel and the development boundary, however many polygons it has).

    Returns
    -------
    numpy.ndarray
        The part outside (an empty polygon where there is none), row-aligned to ``geoms``.

    Examples
    --------
    >>> import shapely
    >>> zone = shapely.box(0, 0, 100, 100)
    >>> parcels = np.array([shapely.box(10, 10, 20, 20), shapely.box(90, 0, 110, 10)])
    >>> shapely.area(parts_outside(parcels, np.array([zone]))).tolist()
    [0.0, 100.0]
    """
    geoms = np.asarray(geoms, dtype=object)
    containers = np.asarray(containers, dtype=object)
    out = np.array([shapely.Polygon()] * len(geoms), dtype=object)
    if not len(geoms):
        return out
    if not len(containers):
        out[:] = geoms
        return out
    prepare(containers)
    if owner is None:
        g_idx, c_idx = shapely.STRtree(containers).query(geoms)
        covered = np.zeros(len(geoms), dtype=bool)
        covered[g_idx[shapely.covers(containers[c_idx], geoms[g_idx])]] = True
    else:
        owner = np.asarray(owner, dtype=np.int64)
        covered = shapely.covers(containers[owner], geoms)
    rest = np.flatnonzero(~covered)
    if not len(rest):
        return out
    pieces, piece_owner = subdivide(containers)
    r_idx, p_idx = shapely.STRtree(pieces).query(geoms[rest], predicate="intersects")
    if owner is not None:
        same = piece_owner[p_idx] == owner[rest][r_idx]
        r_idx, p_idx = r_idx[same], p_idx[same]
    inside = union_by_group(shapely.intersection(geoms[rest][r_idx], pieces[p_idx]), r_idx, len(rest))
    has_inside = ~shapely.is_missing(inside)
    cut = geoms[rest].copy()
    cut[has_inside] = shapely.difference(cut[has_inside], inside[has_inside])
    out[rest] = cut
    return out
