"""CAD fidelity (issue #13, slice 4): arcs from bulges, ARC and CIRCLE, open polylines, labels on
their own layer, block attributes, the drawing frame and drawing units — a 总图 as a design
institute delivers it, written with ezdxf."""

import math

import ezdxf
import numpy as np
import pytest
import shapely

from tests.conftest import X0, Y0
from zoneplan.io.dxf import read_dxf
from zoneplan.io.vector import read_vector
from zoneplan.plan import Plan

MU = 10_000 / 15


def _segment(chord: float, bulge: float) -> float:
    """Signed area between a chord and its arc (positive: the arc bulges out of a CCW ring)."""
    theta = 4 * math.atan(abs(bulge))
    r = chord / (2 * math.sin(theta / 2))
    return math.copysign(r * r / 2 * (theta - math.sin(theta)), bulge)


def _true_area(pts) -> float:
    """Exact area of a CCW ring of (x, y, bulge) vertices."""
    xy = np.array([(x, y) for x, y, _ in pts])
    area = shapely.Polygon(xy).area
    for i, (x, y, b) in enumerate(pts):
        nx, ny, _ = pts[(i + 1) % len(pts)]
        if b:
            area += _segment(math.hypot(nx - x, ny - y), b)
    return area


def _ring(x, y, w, h, bulges):
    """A CCW w × h rectangle at (X0 + x, Y0 + y): bulges on the south, east, north, west sides."""
    return [(X0 + x, Y0 + y, bulges[0]), (X0 + x + w, Y0 + y, bulges[1]), (X0 + x + w, Y0 + y + h, bulges[2]), (X0 + x, Y0 + y + h, bulges[3])]


def _rounded(x, y, w, h, r):
    """A CCW rectangle with corners rounded to radius r (90° arcs: bulge tan 22.5°)."""
    b = math.tan(math.radians(22.5))
    x, y = X0 + x, Y0 + y
    return [
        (x + r, y, 0),
        (x + w - r, y, b),
        (x + w, y + r, 0),
        (x + w, y + h - r, b),
        (x + w - r, y + h, 0),
        (x + r, y + h, b),
        (x, y + h - r, 0),
        (x, y + r, b),
    ]


def drawing(tmp_path, *, mm: bool = False):
    """Five arc parcels, an open polyline, labels on 编号, a note on 注记, attributes in blocks, a frame."""
    k = 1000.0 if mm else 1.0
    doc = ezdxf.new(units=4 if mm else 6)
    msp = doc.modelspace()
    block = doc.blocks.new("地块属性")
    block.add_attdef("用地代码", (0, 0))
    block.add_attdef("企业名称", (0, -2))
    rings = [
        _ring(0, 0, 150, 100, (-0.25, 0, 0, 0)),  # the road cuts in from the south
        _ring(200, 0, 150, 100, (0, 0.35, 0, 0)),  # the river bank bulges east
        _rounded(400, 0, 150, 100, 20),  # street corners rounded to 20 m
    ]
    true = [_true_area(r) for r in rings]
    for ring in rings:
        msp.add_lwpolyline([(x * k, y * k, 0, 0, b) for x, y, b in ring], format="xyseb", close=True, dxfattribs={"layer": "地块"})
    # parcel 4: two LINEs and an ARC, as drawn by hand (the arc closes a 120 m half disc on a rectangle)
    x4, y4 = X0, Y0 + 200
    for a, b in (((x4 + 120, y4 + 80), (x4 + 120, y4)), ((x4 + 120, y4), (x4, y4)), ((x4, y4), (x4, y4 + 80))):
        msp.add_line((a[0] * k, a[1] * k), (b[0] * k, b[1] * k), dxfattribs={"layer": "地块"})
    msp.add_arc(((x4 + 60) * k, (y4 + 80) * k), 60 * k, 0, 180, dxfattribs={"layer": "地块"})
    true.append(120 * 80 + math.pi * 60**2 / 2)
    # parcel 5: a round plaza
    msp.add_circle(((X0 + 300) * k, (Y0 + 280) * k), 70 * k, dxfattribs={"layer": "地块"})
    true.append(math.pi * 70**2)
    # an open polyline: its last vertex stops 0.05 m short of the first
    open_pl = msp.add_lwpolyline(
        [
            ((X0 + 450) * k, (Y0 + 200) * k),
            ((X0 + 550) * k, (Y0 + 200) * k),
            ((X0 + 550) * k, (Y0 + 300) * k),
            ((X0 + 450) * k, (Y0 + 300) * k),
            ((X0 + 450) * k, (Y0 + 200.05) * k),
        ],
        dxfattribs={"layer": "地块"},
    )
    # labels on their own layer, a note on another, attributes in blocks
    centres = [(75, 40), (275, 50), (475, 50), (60, 240), (300, 280), (500, 250)]
    for i, (cx, cy) in enumerate(centres, start=1):
        msp.add_text(f"A-{i:02d}", dxfattribs={"layer": "编号", "insert": ((X0 + cx) * k, (Y0 + cy) * k)})
        ins = msp.add_blockref("地块属性", ((X0 + cx) * k, (Y0 + cy - 10) * k), dxfattribs={"layer": "属性"})
        ins.add_auto_attribs({"用地代码": "100101" if i % 2 else "1101", "企业名称": f"企业{i}"})
    msp.add_text("规划道路", dxfattribs={"layer": "注记", "insert": ((X0 + 20) * k, (Y0 + 20) * k)})
    # the drawing frame around everything
    msp.add_lwpolyline(
        [((X0 - 50) * k, (Y0 - 80) * k), ((X0 + 650) * k, (Y0 - 80) * k), ((X0 + 650) * k, (Y0 + 450) * k), ((X0 - 50) * k, (Y0 + 450) * k)],
        close=True,
        dxfattribs={"layer": "图框"},
    )
    path = tmp_path / ("总图_mm.dxf" if mm else "总图.dxf")
    doc.saveas(path)
    chords = sum(shapely.Polygon([(x, y) for x, y, _ in r]).area for r in rings)
    return path, true, open_pl.dxf.handle, chords


def test_five_arc_parcels_have_their_true_area(tmp_path, run):
    path, true, handle, chords = drawing(tmp_path)
    plan = tmp_path / "p.gpkg"
    r = run("import", path, "--into", plan, "--layer", "parcels", "--crs", "EPSG:4548", "--map", "编号=parcel_id")
    assert r.returncode == 0, r.stderr
    parcels = Plan.read(plan)["parcels"].set_index("parcel_id").sort_index()
    assert list(parcels.index) == ["A-01", "A-02", "A-03", "A-04", "A-05"]
    areas = parcels.geometry.area.to_numpy()
    assert areas == pytest.approx(true, rel=1e-4)  # each arc parcel within 0.01 %
    assert areas.sum() / MU == pytest.approx(sum(true) / MU, rel=1e-4)
    assert abs(sum(true[:3]) - chords) / chords > 0.005  # vertices alone (chords) would be 50× the tolerance off
    # the frame is left out with a note, the open polyline is reported by its handle
    assert "drawing frame" in r.stdout and "left out" in r.stdout
    assert f"open polyline {handle} (layer 地块) not read: its ends are 0.050 m apart" in r.stdout
    assert "boundary(ies) assembled from 4 lines" in r.stdout
    # block attributes and the recognised Chinese field names
    assert parcels["landuse_code"].tolist() == ["100101", "1101", "100101", "1101", "100101"]
    assert parcels["enterprise"].tolist() == ["企业1", "企业2", "企业3", "企业4", "企业5"]
    # the note on another layer is its own column; labels come from any layer
    assert parcels.loc["A-01", "注记"] == "规划道路"


def test_close_gaps_closes_the_open_polyline(tmp_path):
    path, _, handle, _ = drawing(tmp_path)
    r = read_vector(path, crs="EPSG:4548", close_gaps=0.1, column_map={"编号": "parcel_id"}, label_layer="编号")
    d = r.data.set_index("parcel_id")
    assert "A-06" in d.index and d.loc["A-06"].geometry.area == pytest.approx(100 * 100, rel=1e-3)
    assert any(f"open polyline {handle} (layer 地块) closed across a 0.050 m gap" in n for n in r.notes)
    assert "注记" not in d.columns and d.loc["A-01", "label"] == "A-01"


def test_millimetre_drawing_gives_the_same_parcels(tmp_path):
    path, true, _, _ = drawing(tmp_path, mm=True)
    r = read_vector(path, crs="EPSG:4548", column_map={"编号": "parcel_id"})
    assert r.data.set_index("parcel_id").sort_index().geometry.area.tolist() == pytest.approx(true, rel=1e-4)
    assert any("$INSUNITS=4: coordinates × 0.001 to metres" in n for n in r.notes)
    assert r.data.total_bounds[0] == pytest.approx(X0, abs=1)


def test_map_of_an_absent_label_field_names_what_the_drawing_has(tmp_path, run):
    path, *_ = drawing(tmp_path)
    r = run("import", path, "--into", tmp_path / "p.gpkg", "--layer", "parcels", "--crs", "EPSG:4548", "--map", "图号=parcel_id")
    assert r.returncode == 2 and "图号" in r.stderr and "编号" in r.stderr


def test_drawing_with_only_open_lines_is_refused_with_the_reason(tmp_path):
    doc = ezdxf.new(units=6)
    doc.modelspace().add_lwpolyline([(0, 0), (10, 0), (10, 10)])
    doc.saveas(tmp_path / "open.dxf")
    with pytest.raises(Exception, match=r"no closed boundaries.*open polyline"):
        read_dxf(tmp_path / "open.dxf")
