"""Containment against detailed outlines: subdivision and the part of each feature outside."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from zoneplan._geometry import disjoint_parts, first_holding, overlay_pairs, parts_outside, points_within, subdivide


def _wiggly_zone(n_vertices: int = 12_000, radius: float = 2_000.0, *, seed: int = 0) -> shapely.Polygon:
    """A zone outline as surveyed: thousands of vertices, never a simple shape."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, n_vertices, endpoint=False)
    r = radius + 60 * np.sin(37 * t) + 25 * np.sin(411 * t) + rng.normal(0, 2, n_vertices)
    return shapely.Polygon(np.c_[r * np.cos(t), r * np.sin(t)])


def _grid(step: float, size: float, extent: float) -> np.ndarray:
    xs, ys = np.meshgrid(np.arange(-extent, extent, step), np.arange(-extent, extent, step))
    return shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + size, ys.ravel() + size)


def test_subdivide_covers_the_polygon_exactly_with_small_pieces() -> None:
    zone = _wiggly_zone()
    holed = shapely.Polygon(shapely.get_exterior_ring(zone), [shapely.Point(0, 0).buffer(500, quad_segs=400).exterior.coords])
    multi = shapely.MultiPolygon([holed, shapely.box(5_000, 0, 5_100, 100)])
    pieces, owner = subdivide(np.array([zone, multi]), max_vertices=100)
    assert shapely.get_num_coordinates(pieces).max() <= 100
    assert set(owner.tolist()) == {0, 1}
    for i, geom in enumerate([zone, multi]):
        mine = pieces[owner == i]
        assert shapely.area(mine).sum() == pytest.approx(geom.area, rel=1e-12)
        # pieces tile the polygon: their union is it, and they do not overlap
        assert shapely.symmetric_difference(shapely.union_all(mine), geom).area < 1e-6 * geom.area
    # the hole stays a hole
    assert not shapely.intersects(shapely.union_all(pieces[owner == 1]), shapely.Point(0, 0))


def test_parts_outside_equals_the_plain_difference() -> None:
    zone = _wiggly_zone()
    parcels = _grid(100.0, 70.0, 2_200.0)
    got = parts_outside(parcels, np.array([zone]), owner=np.zeros(len(parcels), dtype=int))
    expected = shapely.area(shapely.difference(parcels, zone))
    np.testing.assert_allclose(shapely.area(got), expected, atol=1e-6)
    # the grid has parcels inside, outside and across the outline
    assert (expected == 0).any() and (expected > 0).any() and ((expected > 0) & (expected < 4900 - 1e-6)).any()
    # against the union of all containers (owner None) the answer is the same for one container
    np.testing.assert_allclose(shapely.area(parts_outside(parcels, np.array([zone]))), expected, atol=1e-6)


def test_parts_outside_judges_each_feature_against_its_own_container() -> None:
    west, east = shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)
    features = np.array([shapely.box(90, 10, 110, 20), shapely.box(90, 10, 110, 20), shapely.box(10, 10, 20, 20)])
    own = parts_outside(features, np.array([west, east]), owner=np.array([0, 1, 1]))
    assert shapely.area(own).tolist() == [100.0, 100.0, 100.0]
    # against the two together, the feature across their shared edge is wholly inside
    assert shapely.area(parts_outside(features, np.array([west, east]))).tolist() == [0.0, 0.0, 0.0]


def test_parts_outside_with_nothing_to_judge() -> None:
    assert len(parts_outside(np.array([], dtype=object), np.array([shapely.box(0, 0, 1, 1)]))) == 0
    lone = parts_outside(np.array([shapely.box(0, 0, 1, 1)]), np.array([], dtype=object))
    assert shapely.area(lone).tolist() == [1.0]


def test_disjoint_parts_cover_the_union_without_overlap() -> None:
    """Overlapping, touching, nested and lone polygons (and a lone multipolygon, a hole, a missing
    and an empty geometry): the parts cover exactly the union, and no two overlap."""
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 2000, 400), rng.uniform(0, 2000, 400)
    boxes = shapely.box(x, y, x + rng.uniform(5, 120, 400), y + rng.uniform(5, 120, 400))
    extra = [
        shapely.box(5000, 0, 5010, 10),
        shapely.box(5010, 0, 5020, 10),  # touches the one before along an edge
        shapely.box(5002, 2, 5004, 4),  # nested in the first
        shapely.MultiPolygon([shapely.box(6000, 0, 6001, 1), shapely.box(6005, 0, 6006, 1)]),  # lone, two parts
        shapely.box(7000, 0, 7010, 10).difference(shapely.box(7002, 2, 7004, 4)),  # lone, with a hole
        None,
        shapely.Polygon(),
    ]
    geoms = np.array([*boxes, *extra], dtype=object)
    parts = disjoint_parts(geoms)
    union = shapely.union_all(geoms)
    assert shapely.get_type_id(parts).tolist() == [3] * len(parts)
    assert shapely.area(parts).sum() == pytest.approx(shapely.area(union), rel=1e-12)
    assert shapely.area(shapely.symmetric_difference(shapely.union_all(parts), union)) == pytest.approx(0, abs=1e-6)
    assert shapely.STRtree(parts).query(parts, predicate="overlaps").size == 0
    assert len(parts) < len(geoms)  # the overlapping ones were merged
    assert disjoint_parts(np.array([None, shapely.Polygon()], dtype=object)).tolist() == []


def test_points_within_equals_the_predicate_query() -> None:
    """Random points against overlapping, holed and wiggly polygons, with points on edges and
    vertices, missing and empty points and a missing polygon: the same pairs as the index's
    ``within`` predicate."""
    rng = np.random.default_rng(5)
    polygons = np.array(
        [
            _wiggly_zone(2_000, 500.0),
            shapely.box(-100, -100, 800, 300).difference(shapely.box(0, 0, 100, 100)),
            shapely.box(200, 200, 900, 900),
            None,
            shapely.Polygon(),
        ],
        dtype=object,
    )
    xy = rng.uniform(-900, 1000, (20_000, 2))
    xy[:10] = shapely.get_coordinates(shapely.boundary(polygons[1]))  # vertices of the holed one
    xy[50:60] = np.c_[np.linspace(300, 800, 10), np.full(10, 300.0)]  # on its top edge
    points = np.array([*shapely.points(xy), None, shapely.Point()], dtype=object)
    pt, poly = points_within(points, polygons)
    expected_pt, expected_poly = shapely.STRtree(polygons).query(points, predicate="within")
    assert sorted(zip(pt.tolist(), poly.tolist())) == sorted(zip(expected_pt.tolist(), expected_poly.tolist()))
    assert list(zip(pt.tolist(), poly.tolist())) == sorted(zip(pt.tolist(), poly.tolist()))
    assert 0 < len(pt) < len(points)


def _holding_by_points(geoms: np.ndarray, polygons: np.ndarray) -> list[int]:
    """The reference: every geometry's representative point, first polygon holding it."""
    found = np.full(len(geoms), -1)
    pt, poly = points_within(shapely.point_on_surface(geoms), polygons)
    lead = np.r_[True, pt[1:] != pt[:-1]]
    found[pt[lead]] = poly[lead]
    return found.tolist()


def _invalid_parcels(x: float, y: float, s: float) -> list[shapely.Geometry | None]:
    """Parcels as CAD exports deliver them broken, each about ``s`` wide at (x, y)."""
    return [
        shapely.Polygon([(x, y), (x + s, y + s), (x + s, y), (x, y + s)]),  # bow-tie
        shapely.Polygon([(x, y), (x + s, y), (x + 2 * s, y)]),  # no area
        shapely.Polygon([(x, y), (x + s, y), (x + s, y + s), (x + s / 2, y + s), (x + s / 2, y + 3 * s), (x + s / 2, y + s), (x, y + s)]),  # spike
        shapely.Polygon([(x, y), (x + s, y), (x + s, y + s), (x, y + s)], [[(x + 2 * s, y), (x + 3 * s, y), (x + 3 * s, y + s)]]),  # hole outside its shell
        shapely.MultiPolygon([shapely.box(x, y, x + s, y + s), shapely.box(x + s / 2, y, x + 1.5 * s, y + s)]),  # overlapping parts
        shapely.Polygon([(x, y), (x, y), (x + s, y), (x + s, y + s), (x + s, y + s), (x, y + s)]),  # repeated vertices
        shapely.Polygon([(x, y), (x + 2 * s, y), (x + 2 * s, y + 2 * s), (x + s, y), (x, y + 2 * s)]),  # ring touching itself
        shapely.box(x, y, x + s, y + s).difference(shapely.box(x + s / 4, y + s / 4, x + 3 * s / 4, y + 3 * s / 4)),  # holed, valid
        None,
        shapely.Polygon(),
    ]


def test_first_holding_equals_the_representative_point_on_broken_data() -> None:
    """Valid and broken parcels (bow-ties, no area, spikes, a hole outside its shell, overlapping
    parts) over overlapping, holed, C-shaped, wiggly and broken phases, on edges and vertices:
    the same polygon as taking every parcel's representative point."""
    rng = np.random.default_rng(11)
    polygons = np.array(
        [
            shapely.box(0, 0, 400, 400),  # overlaps the others
            shapely.Polygon([(-700, -700), (700, 700), (700, -700), (-700, 700)]),  # a bow-tie phase
            shapely.box(-800, -800, 800, 800).difference(shapely.box(-300, -300, 300, 300)),  # a hole parcels surround
            shapely.Polygon([(-900, -900), (900, -900), (900, -600), (-600, -600), (-600, 600), (900, 600), (900, 900), (-900, 900)]),  # C-shaped
            _wiggly_zone(3_000, 600.0),
            None,
            shapely.Polygon(),
        ],
        dtype=object,
    )
    parcels: list[shapely.Geometry | None] = list(_grid(70.0, 60.0, 1_000.0))
    for x, y, s in zip(rng.uniform(-1_000, 1_000, 400), rng.uniform(-1_000, 1_000, 400), rng.uniform(5, 400, 400)):
        parcels += _invalid_parcels(float(x), float(y), float(s))
    for x, y in ((-300, -300), (-800, -800), (0, 0), (-600, -600)):  # on the phases' vertices and edges
        parcels += _invalid_parcels(float(x), float(y), 100.0)
    parcels += [shapely.box(-350, -350, 350, 350), shapely.box(0, 0, 400, 400), shapely.box(0, 0, 200, 400)]  # round the hole; a phase itself; on its edge
    geoms = np.array(parcels, dtype=object)
    found = first_holding(geoms, polygons)
    assert found.tolist() == _holding_by_points(geoms, polygons)
    assert {-1, 0, 1, 2, 3, 4} <= set(found.tolist())  # every phase holds some, and some lie in none
    assert first_holding(geoms[:0], polygons).tolist() == []
    assert first_holding(geoms, polygons[:0]).tolist() == [-1] * len(geoms)


def test_overlay_pairs_equals_the_plain_intersection() -> None:
    """Parcels on a grid against a wiggly zone, a holed park and a box sharing an edge with
    parcels: the same meeting pairs and the same shared areas as intersecting every pair."""
    parcels = np.array([*_grid(100.0, 80.0, 2_500.0), None, shapely.Polygon()], dtype=object)
    polygons = np.array(
        [
            _wiggly_zone(6_000, 2_000.0),
            shapely.box(-1_000, -1_000, 1_000, 1_000).difference(shapely.box(-200, -200, 200, 200)),
            shapely.box(2_080, 0, 2_500, 500),
        ],
        dtype=object,
    )
    g, p, inside, piece = overlay_pairs(parcels, polygons)
    shared = np.where(inside, shapely.area(parcels[g]), shapely.area(piece))
    eg, ep = shapely.STRtree(polygons).query(parcels, predicate="intersects")
    expected = dict(zip(zip(eg.tolist(), ep.tolist()), shapely.area(shapely.intersection(parcels[eg], polygons[ep])).tolist()))
    assert set(zip(g.tolist(), p.tolist())) == set(expected)
    assert np.allclose(shared, [expected[k] for k in zip(g.tolist(), p.tolist())], rtol=1e-9, atol=1e-6)
    assert inside.sum() > 0.5 * len(g) and (~inside).sum() > 0
    assert (np.diff(g) >= 0).all() and all(x is None for x in piece[inside])
