"""Maps without a browser: offline pages, compact encoding, GCJ-02 shift, legends, print maps, CLI."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from matplotlib import image as mpimg

from tests.conftest import X0, Y0
from tests.plans_maps import XSS, indicator_table, layout_plan, violations_of
from zoneplan.cli import main
from zoneplan.crs import geometry_from_gcj02
from zoneplan.errors import InputError
from zoneplan.maps import make_map, print_map, save_map
from zoneplan.maps.interactive import _encode_geometry, map_config, render_spec
from zoneplan.maps.kinds import compliance_spec, indicator_spec, phase_label, phases_spec
from zoneplan.maps.offline import external_urls
from zoneplan.maps.print import cjk_font, print_spec
from zoneplan.maps.style import classify, landuse_legend


def _layer(spec, name):
    return next(o for o in spec.overlays if o.name == name)


CDN = re.compile(r"cdn\.jsdelivr|unpkg\.com|cdnjs\.cloudflare|code\.jquery\.com|maxcdn|bootstrapcdn")


def test_default_page_is_offline_and_self_contained(tmp_path):
    path = save_map(make_map(layout_plan(), kind="landuse"), tmp_path / "m.html")
    html = path.read_text(encoding="utf-8")
    assert external_urls(html) == []
    assert not CDN.search(html)
    assert "<script src" not in html and "<link " not in html
    assert "L.Map" in html or "L.map(" in html  # Leaflet inlined, not fetched
    assert "data:image/png;base64," in html  # Leaflet's icons embedded


def test_tile_basemaps_are_listed_only_when_asked(monkeypatch):
    spec = phases_spec(layout_plan())
    html = render_spec(spec, basemap="osm").get_root().render()
    assert external_urls(html) == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    monkeypatch.delenv("ZONEPLAN_TIANDITU_KEY", raising=False)
    with pytest.raises(InputError, match="ZONEPLAN_TIANDITU_KEY"):
        map_config(spec, basemap="tianditu")
    monkeypatch.setenv("ZONEPLAN_TIANDITU_KEY", "abc123")
    bases = map_config(spec, basemap="tianditu")["basemaps"]
    assert [b["url"].split("/")[3].split("?")[0] for b in bases[:2]] == ["vec_w", "img_w"]
    assert [b["annotation"].split("LAYER=")[1].split("&")[0] for b in bases[:2]] == ["cva", "cia"]
    assert all(b["url"].endswith("&tk=abc123") for b in bases[:2])
    with pytest.raises(InputError, match="unknown basemap"):
        map_config(spec, basemap="google")


def test_compact_encoding_of_holes_and_multipolygons():
    u = 1e-6  # one micro-degree, the encoding's unit
    square = shapely.Polygon([(0, 0), (4 * u, 0), (4 * u, 4 * u), (0, 4 * u)], holes=[[(u, u), (2 * u, u), (2 * u, 2 * u)]])
    multi = shapely.MultiPolygon([shapely.box(10 * u, 10 * u, 12 * u, 11 * u), shapely.box(20 * u, 20 * u, 21 * u, 21 * u)])
    enc = _encode_geometry(np.array([square, multi], dtype=object))
    assert enc["n"] == 2
    assert enc["feat_parts"] == [1, 2]
    assert enc["part_rings"] == [2, 1, 1]
    assert enc["ring_len"] == [4, 3, 4, 4]  # closing vertex dropped
    # Decode as zoneplan.js does: running sums of x and y deltas, in micro-degrees.
    c = [tuple(p) for p in np.array(enc["coords"]).reshape(-1, 2).cumsum(axis=0).tolist()]
    assert c[:4] == [(0, 0), (4, 0), (4, 4), (0, 4)]
    assert c[4:7] == [(1, 1), (2, 1), (2, 2)]
    assert sorted(c[7:11]) == [(10, 10), (10, 11), (12, 10), (12, 11)]
    assert sorted(c[11:]) == [(20, 20), (20, 21), (21, 20), (21, 21)]
    simple = _encode_geometry(np.array([shapely.box(0, 0, u, u)] * 3, dtype=object))
    assert simple["part_rings"] is None and simple["feat_parts"] is None and simple["ring_len"] == [4, 4, 4]


def test_amap_shifts_overlays_about_520_m_near_linqing_and_back():
    plan = layout_plan()  # at 115.7°E 36.8°N, Linqing
    spec = phases_spec(plan)
    wgs = map_config(spec, basemap="none")["layers"][0]["geometry"]
    gcj = map_config(spec, basemap="amap")["layers"][0]["geometry"]
    lon0, lat0 = np.array(wgs["coords"][:2]) / 1e6
    lon1, lat1 = np.array(gcj["coords"][:2]) / 1e6
    assert 115.5 < lon0 < 115.9 and 36.7 < lat0 < 37.0
    geod = pyproj.Geod(ellps="WGS84")
    az, _, dist = geod.inv(lon0, lat0, lon1, lat1)
    assert 500 < dist < 545  # the public GCJ-02 offset there is ≈ 521 m
    assert 70 < az < 110  # mostly eastward
    back = geometry_from_gcj02(np.array([shapely.Point(lon1, lat1)]))[0]
    assert geod.inv(lon0, lat0, back.x, back.y)[2] < 0.2  # back within rounding of 1e-6° (≈ 0.1 m)


def test_attributes_cannot_close_the_script_tag():
    html = make_map(layout_plan(), kind="landuse").get_root().render()
    start = html.index('<script type="application/json"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    # no "<" at all in the block (so no "</script" nor "<!--"), yet JSON gives back the very text
    assert "<" not in body and "\\u003cscript\\u003ewindow.__zpXss=1\\u003c/script\\u003e" in body
    texts = [v for layer in json.loads(body)["layers"] for f in layer["fields"] for v in (f.get("values") or f.get("dict") or [])]
    assert XSS in texts
    assert "</script>window.__zpXss" not in html


def test_phase_labels_legend_and_fields_in_schedule_order():
    spec = phases_spec(layout_plan())
    phases = _layer(spec, "分期 Phases")
    assert phases.labels.tolist() == [
        "一期 Phase 1\n600.0 亩 mu\n80.0 亿元 · 2021–2023",
        "二期 Phase 2\n900.0 亩 mu\n100.0 亿元 · 2022–2024",
        "三期 Phase 3\n1,500.0 亩 mu\n130.0 亿元 · 2023–2027",
    ]
    assert [i.label for i in spec.legend] == [
        "一期 2021–2023 · 600.0 亩 · 80.0 亿元",
        "二期 2022–2024 · 900.0 亩 · 100.0 亿元",
        "三期 2023–2027 · 1,500.0 亩 · 130.0 亿元",
    ]
    fields = {f.label: f.values.tolist() for f in phases.fields}
    assert fields["投资 Investment (亿元)"] == [80.0, 100.0, 130.0]
    assert fields["年份 Years"] == ["2021–2023", "2022–2024", "2023–2027"]
    # earliest completion darkest
    lum = [sum(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in phases.fill]
    assert lum[0] < lum[1] < lum[2]
    assert (phase_label(1), phase_label(10), phase_label(12), phase_label(None)) == ("一期", "十期", "12期", "分期")


def test_landuse_legend_in_chinese_and_english_with_standard_colours():
    items = landuse_legend(pd.Series(["100101", "0701", "100101", "XX9", None]))
    assert [i.color for i in items[:2]] == ["#FFFF2D", "#BB9674"]
    assert items[0].label.startswith("0701 城镇住宅用地 ") and items[1].label.startswith("100101 一类工业用地 ")
    assert items[-1].color == "#CCCCCC" and len(items) == 3


def test_classify_equal_interval_and_missing_values():
    values = pd.Series([0.0, 1.0, 2.5, 5.0, 7.5, 10.0, np.nan], index=list("abcdefg"))
    colors, legend, bins = classify(values, k=4, scheme="equalinterval")
    assert bins == [2.5, 5.0, 7.5, 10.0]
    assert colors["a"] == colors["b"] == colors["c"]  # 0, 1, 2.5 ≤ 2.5
    assert len({colors["c"], colors["d"], colors["e"], colors["f"]}) == 4
    assert colors["g"] == "#CCCCCC"
    assert [i.label for i in legend] == ["0 – 2.5", "> 2.5 – 5", "> 5 – 7.5", "> 7.5 – 10", "无数据 no data"]


def test_indicator_and_compliance_specs_from_contract_tables():
    plan = layout_plan()
    spec = indicator_spec(plan, "investment_intensity_wan_per_mu", by="park", table=indicator_table())
    parks = _layer(spec, "investment_intensity_wan_per_mu (park)")
    values = dict(zip(parks.data["park_id"], next(f.values for f in parks.fields if f.label == "investment_intensity_wan_per_mu")))
    assert values["A1"] == 120.0 and values["A3"] == 310.0 and np.isnan(values["A4"])
    assert parks.fill.tolist()[3] == "#CCCCCC"
    with pytest.raises(InputError, match="unknown indicator 'tax'"):
        indicator_spec(plan, "tax", by="park", table=indicator_table())
    comp = compliance_spec(plan, violations=violations_of(plan))
    v = _layer(comp, "违规 Violations")
    assert v.name == "违规 Violations" and len(v.data) == 2
    assert next(f for f in v.fields if f.label == "面积 Area (亩 mu)").values.tolist() == [60.0, 33.75]
    assert [i.label for i in comp.legend[:2]] == ["容积率低于下限 Plot ratio below the minimum (1)", "ecological_redline (1)"]
    assert comp.legend[0].color != comp.legend[1].color  # one colour per rule
    assert v.fill.tolist() == [comp.legend[0].color, comp.legend[1].color]


def _png_size(path):
    return mpimg.imread(path).shape[:2]


def test_print_map_a4_png_has_no_missing_glyphs(tmp_path, caplog):
    assert cjk_font() in {"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei"}
    with caplog.at_level(logging.WARNING):
        out = print_map(layout_plan(), kind="phases", path=tmp_path / "p.png", paper="A4", dpi=100)
    assert not [r for r in caplog.records if "missing from" in r.getMessage() or "Glyph" in r.getMessage()]
    assert _png_size(out) == (826, 1169)  # 210 × 297 mm at 100 dpi (826.8 px, truncated)


def test_print_map_pdf_and_bad_suffix(tmp_path):
    plan = layout_plan()
    spec = compliance_spec(plan, violations=violations_of(plan))
    out = print_spec(spec, tmp_path / "c.pdf", paper="A3", dpi=150)
    assert out.read_bytes()[:5] == b"%PDF-"
    with pytest.raises(InputError, match=r"\.png or \.pdf"):
        print_spec(spec, tmp_path / "c.jpg")


def test_cli_map_writes_html_and_print(tmp_path, capsys):
    plan_path = tmp_path / "plan.gpkg"
    layout_plan().write(plan_path)
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "map",
                str(plan_path),
                "--kind",
                "layout",
                "-o",
                str(tmp_path / "l.html"),
                "--print",
                str(tmp_path / "l.png"),
                "--paper",
                "A4",
                "--dpi",
                "60",
                "--json",
            ]
        )
    assert exc.value.code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["layers"] == {"开发区 Zone": 1, "板块 Districts": 2, "产业园 Parks": 4}
    assert result["external_urls"] == [] and (tmp_path / "l.html").stat().st_size == result["html_bytes"]
    assert _png_size(tmp_path / "l.png") == (496, 701)
    for argv, message in (
        (["map", str(plan_path), "--kind", "heat", "-o", str(tmp_path / "x.html")], "unknown map kind"),
        (["map", str(plan_path), "--kind", "indicator", "-o", str(tmp_path / "x.html")], "--indicator"),
        (["map", str(plan_path), "--kind", "phases"], "name an output"),
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert message in capsys.readouterr().err


def test_draw_tool_settings_follow_the_plan():
    cfg = map_config(phases_spec(layout_plan()))
    assert cfg["crs"]["lon0"] == 117.0 and cfg["crs"]["k0"] == 1.0  # EPSG:4548, CM 117°E
    assert cfg["draw"] == {"zone_id": "Z1", "next_phase_no": 4, "id_prefix": "drawn-"}


def test_thin_findings_are_widened_and_findings_without_geometry_skipped():
    plan = layout_plan()
    v = violations_of(plan)
    line = shapely.LineString([(X0 + 250, Y0 + 50), (X0 + 250, Y0 + 250)])  # the 200 m boundary Q1 | Q2
    v = pd.concat(
        [v, v.iloc[[0]].assign(rule="env_adjacency", area_mu=0.0, geometry=[line]), v.iloc[[0]].assign(rule="quota_exceeded", geometry=[None])],
        ignore_index=True,
    )
    spec = compliance_spec(plan, violations=v)
    drawn = _layer(spec, "违规 Violations").data
    assert drawn.geom_type.tolist()[:3] == ["Polygon", "Polygon", "Polygon"]
    assert drawn.geometry.iloc[2].area == pytest.approx(200 * 6 + np.pi * 9, rel=1e-3)  # 3 m each side, round caps
    assert drawn.geometry.iloc[3] is None
    cfg = map_config(spec)
    assert next(layer for layer in cfg["layers"] if layer["name"] == "违规 Violations")["geometry"]["n"] == 3


def test_zhangdian_print_map_shows_three_phases_in_mu(caplog):
    from zoneplan import datasets

    plan = datasets.load("zhangdian")
    spec = phases_spec(plan)
    labels = _layer(spec, "分期 Phases").labels.tolist()
    assert [label.split("\n")[:2] for label in labels] == [
        ["一期 Phase 1", "1,022.0 亩 mu"],
        ["二期 Phase 2", "1,872.0 亩 mu"],
        ["三期 Phase 3", "1,400.0 亩 mu"],
    ]
    out = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots" / "print_zhangdian_phases.png"
    with caplog.at_level(logging.WARNING):
        print_spec(spec, out, paper="A3", dpi=300)
    assert not [r for r in caplog.records if "missing from" in r.getMessage() or "Glyph" in r.getMessage()]
    assert _png_size(out) == (3507, 4960)  # A3 landscape at 300 dpi
