"""Property-based suite (issue #14, slice 6): generated geometries, numbers, names and text go through
import → validate → analyze → check → map, and every command either gives the right answer (exit 0,
or 1 where validate/check report problems) or refuses with one line naming what and where (exit 2)
— never a traceback, never a Python exception dressed as an error, never a silent NULL, never a lost
feature. Bounded in time: a few dozen examples per property, no deadline per example."""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
import warnings
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import X0, Y0
from zoneplan.cli import main
from zoneplan.plan import Plan

pytestmark = pytest.mark.slow

BOUNDED = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
#: An error line that is a Python exception passed through, not a refusal zoneplan made.
CRASH = re.compile(r"zoneplan: error: [A-Z]\w*(Error|Exception)\b")
CODES = ["100101", "100102", "100103", "0701", "0901", "1207", "0103", "1701", "1001"]
STATUSES = ["built", "supplied", "ready", "unready", "unbuildable"]


def cli(*args: object) -> SimpleNamespace:
    """Run the CLI in-process, Python warnings as errors, stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        warnings.simplefilter("error")
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return SimpleNamespace(code=code, out=out.getvalue(), err=err.getvalue())


def assert_right_or_refused(r: SimpleNamespace, *, allowed: tuple[int, ...] = (0,)) -> None:
    assert "Traceback" not in r.out + r.err
    if r.code == 2:
        lines = [line for line in r.err.strip().splitlines() if not line.startswith("zoneplan: note:")]
        assert len(lines) == 1 and lines[0].startswith("zoneplan: error: "), r.err
        assert not CRASH.search(lines[0]), f"a crash, not a refusal: {lines[0]}"
    else:
        assert r.code in allowed, (r.code, r.out[-2000:], r.err)


# -- geometries -----------------------------------------------------------------------------------

coordinate = st.floats(min_value=0, max_value=2000, allow_nan=False, allow_infinity=False)


@st.composite
def parcel_geometry(draw) -> shapely.Geometry | None:
    kind = draw(st.sampled_from(["box", "box", "box", "polygon", "bowtie", "sliver", "empty", "none", "multi"]))
    x, y = draw(coordinate), draw(coordinate)
    w, h = draw(st.floats(1, 300)), draw(st.floats(1, 300))
    if kind == "box":
        return shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)
    if kind == "polygon":
        pts = draw(st.lists(st.tuples(coordinate, coordinate), min_size=3, max_size=8))
        return shapely.Polygon([(X0 + a, Y0 + b) for a, b in pts])
    if kind == "bowtie":  # drawn in CAD: self-intersecting
        return shapely.Polygon([(X0 + x, Y0 + y), (X0 + x + w, Y0 + y + h), (X0 + x + w, Y0 + y), (X0 + x, Y0 + y + h)])
    if kind == "sliver":
        return shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + 1e-7)
    if kind == "multi":
        return shapely.MultiPolygon([shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h), shapely.box(X0 + x + w + 5, Y0 + y, X0 + x + 2 * w + 5, Y0 + y + h)])
    return shapely.Polygon() if kind == "empty" else None


@st.composite
def parcel_layer(draw) -> gpd.GeoDataFrame:
    n = draw(st.integers(1, 8))
    geoms = [draw(parcel_geometry()) for _ in range(n)]
    return gpd.GeoDataFrame(
        {
            "地块编号": [f"DK-{i:02d}" for i in range(n)],
            "用地代码": [draw(st.sampled_from(CODES)) for _ in range(n)],
            "状态": [draw(st.sampled_from(STATUSES)) for _ in range(n)],
        },
        geometry=geoms,
        crs=4548,
    )


def _zone(tmp: Path) -> Path:
    zone = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["测试区"]}, geometry=[shapely.box(X0 - 100, Y0 - 100, X0 + 2400, Y0 + 2400)], crs=4548)
    path = tmp / "zone.geojson"
    zone.to_file(path, driver="GeoJSON")
    return path


@BOUNDED
@given(layer=parcel_layer(), drop=st.booleans())
def test_generated_geometries_go_through_every_command(layer: gpd.GeoDataFrame, drop: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "parcels.geojson"
        layer.to_file(src, driver="GeoJSON")
        plan = tmp / "plan.gpkg"
        assert_right_or_refused(cli("import", _zone(tmp), "--into", plan, "--layer", "zones"))
        r = cli("import", src, "--into", plan, "--layer", "parcels", *(["--drop-empty"] if drop else []))
        assert_right_or_refused(r)
        empty = layer.geometry.isna() | layer.geometry.is_empty
        if empty.any() and not drop:
            assert r.code == 2 and "with no geometry" in r.err
            return
        if r.code == 2:
            return
        # nothing lost: every feature with a geometry arrived, with its own area (m², planar)
        stored = Plan.read(plan).parcels
        kept = layer[~empty.to_numpy()]
        assert stored["parcel_id"].tolist() == kept["地块编号"].tolist()
        np.testing.assert_allclose(shapely.area(stored.geometry.to_numpy()), shapely.area(kept.geometry.to_numpy()), rtol=1e-9, atol=1e-6)
        if drop and empty.any():
            assert f"left out {int(empty.sum())} feature(s) with no geometry" in r.out
        for args in (("validate", plan), ("analyze", plan, "--json"), ("check", plan, "--json"), ("map", plan, "-o", tmp / "m.html")):
            done = cli(*args)
            assert_right_or_refused(done, allowed=(0, 1))
        info = cli("info", plan, "--json")
        assert_right_or_refused(info)
        if info.code == 0:
            parcels = json.loads(info.out)["layers"]["parcels"]
            assert parcels["count"] == len(stored)
            assert parcels["area_m2"] == pytest.approx(float(shapely.area(stored.geometry.to_numpy()).sum()), rel=1e-9, abs=1e-6)


# -- numbers --------------------------------------------------------------------------------------

_DIGITS = "〇一二三四五六七八九"


@st.composite
def written_number(draw) -> tuple[object, float | None]:
    """A floor area as a person may type it, and the number meant (None: no number can be read)."""
    value = draw(st.integers(0, 9_999_999))
    form = draw(st.sampled_from(["plain", "grouped", "fullwidth", "unit", "wan", "junk", "none", "float"]))
    if form == "plain":
        return str(value), float(value)
    if form == "grouped":
        return f"{value:,}", float(value)
    if form == "fullwidth":
        return f"{value:,}".translate(str.maketrans("0123456789,", "０１２３４５６７８９，")), float(value)
    if form == "unit":
        return f"{value}㎡", float(value)
    if form == "wan":
        return f"{value / 10:g}万", value / 10 * 1e4
    if form == "float":
        return float(value), float(value)
    if form == "none":
        return draw(st.sampled_from(["—", "/", "无", ""])), float("nan")
    return draw(st.sampled_from(["abc", "约2000", "待核实", "1,5", "2000?"])), None


@st.composite
def written_year(draw) -> tuple[str, float | None]:
    year = draw(st.integers(1990, 2035))
    form = draw(st.sampled_from(["plain", "nian", "digits", "date", "junk"]))
    if form == "plain":
        return str(year), float(year)
    if form == "nian":
        return f"{year}年", float(year)
    if form == "digits":
        return "".join(_DIGITS[int(d)] for d in str(year)), float(year)
    if form == "date":
        return f"{year}-06-30", float(year)
    return draw(st.sampled_from(["明年", "2019?", "twenty"])), None


@settings(BOUNDED, max_examples=30)
@given(floors=st.lists(written_number(), min_size=1, max_size=6), years=st.lists(written_year(), min_size=1, max_size=6))
def test_numbers_written_as_text_are_read_as_meant_or_refused(floors: list, years: list) -> None:
    n = min(len(floors), len(years))
    floors, years = floors[:n], years[:n]
    layer = gpd.GeoDataFrame(
        {
            "地块编号": [f"DK-{i:02d}" for i in range(n)],
            "用地代码": ["100101"] * n,
            "建筑面积": [f for f, _ in floors],
            "供地年份": [y for y, _ in years],
        },
        geometry=[shapely.box(X0 + 200 * i, Y0, X0 + 200 * i + 100, Y0 + 100) for i in range(n)],
        crs=4548,
    ).astype({"建筑面积": object})
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "p.geojson"
        layer.to_file(src, driver="GeoJSON")
        plan = Path(tmp) / "plan.gpkg"
        r = cli("import", src, "--into", plan, "--layer", "parcels")
        assert_right_or_refused(r)
        unreadable = [i for i, (_, v) in enumerate(floors) if v is None] + [i for i, (_, v) in enumerate(years) if v is None]
        if unreadable:
            assert r.code == 2 and "not a number" in r.err and "rule not-a-number" in r.err
            assert not plan.exists()
            return
        assert r.code == 0, r.err
        stored = Plan.read(plan).parcels
        np.testing.assert_allclose(stored["floor_area_m2"].to_numpy(dtype=float), [v for _, v in floors], rtol=1e-12, equal_nan=True)
        assert stored["supplied_year"].astype("float").tolist() == [v for _, v in years]


# -- names and text -------------------------------------------------------------------------------

hostile_text = st.one_of(
    st.text(min_size=1, max_size=40),
    st.sampled_from(
        ["</title><script>alert(1)</script>", "[bold]粗[/bold] [link=file:///etc/passwd]", '"><img src=x onerror=alert(1)>', "规划\u202e反向", "a&b<c>d"]
    ),
)


@BOUNDED
@given(title=hostile_text, name=hostile_text)
def test_titles_and_names_reach_every_output_as_text(title: str, name: str) -> None:
    from tests.plans_compliance import compliance_plan

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        plan = tmp / "plan.gpkg"
        base = compliance_plan()
        base.with_meta(title=title).with_layer("zones", base.zones.assign(name=[name])).write(plan)
        for args in (("info", plan), ("validate", plan), ("analyze", plan), ("check", plan)):
            assert_right_or_refused(cli(*args), allowed=(0, 1))
        out = tmp / "map.html"
        r = cli("map", plan, "-o", out)
        assert_right_or_refused(r)
        if r.code == 0:
            page = out.read_text(encoding="utf-8")
            assert "<script>alert(1)</script>" not in page and "onerror=alert(1)>" not in page
            assert page.count("<title>") == 1
