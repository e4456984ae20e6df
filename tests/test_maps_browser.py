"""Maps in real headless Chromium: every kind draws offline, escapes attributes, measures and draws in mu.

Screenshots go to ``artifacts/screenshots/maps_*.png``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyproj
import pytest

from tests.browser import Opened, wait_until
from tests.plans_maps import XSS, indicator_table, layout_plan, violations_of
from zoneplan.cli import main
from zoneplan.crs import wgs84_to_gcj02
from zoneplan.maps.interactive import render_spec, save_map
from zoneplan.maps.kinds import compliance_spec, indicator_spec, landuse_spec, layout_spec, phases_spec, remaining_spec
from zoneplan.measure import area_in
from zoneplan.plan import Plan

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def _open(browser, spec, tmp_path: Path, name: str, **kw) -> Opened:
    path = save_map(render_spec(spec, **kw), tmp_path / f"{name}.html")
    return Opened(browser, path)


def _specs():
    plan = layout_plan()
    from zoneplan.analysis.remaining import remaining_geometry

    remaining = remaining_geometry(plan)
    return plan, {
        "phases": (phases_spec(plan), {"分期 Phases": 3, "开发区 Zone": 1}, 3),
        "layout": (layout_spec(plan), {"开发区 Zone": 1, "板块 Districts": 2, "产业园 Parks": 4}, 7),
        "landuse": (landuse_spec(plan), {"开发区 Zone": 1, "用地 Land use": 8}, 8),
        "remaining": (
            remaining_spec(plan),
            {"开发区 Zone": 1, "地块 Parcels": 8, "生态保护红线 ecological redline": 1, "剩余用地 Remaining land": len(remaining)},
            4,
        ),
        "compliance": (
            compliance_spec(plan, violations=violations_of(plan)),
            {"开发区 Zone": 1, "地块 Parcels": 8, "生态保护红线 ecological redline": 1, "违规 Violations": 2},
            5,
        ),
        "indicator": (
            indicator_spec(plan, "investment_intensity_wan_per_mu", by="park", table=indicator_table()),
            {"开发区 Zone": 1, "investment_intensity_wan_per_mu (park)": 4},
            4,
        ),
    }


@pytest.mark.parametrize("kind", ["phases", "layout", "landuse", "remaining", "compliance", "indicator"])
def test_each_kind_draws_offline_with_legend(browser, tmp_path, kind):
    _, specs = _specs()
    spec, counts, legend_items = specs[kind]
    opened = _open(browser, spec, tmp_path, kind)
    page = opened.page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"maps_{kind}.png"))
    assert opened.errors == []
    assert opened.external == []
    assert page.evaluate("ZP.drawnCounts()") == counts
    assert page.locator(".zp-legend .zp-legend-item").count() == legend_items
    assert page.locator(".leaflet-control-layers").count() == 1
    assert page.locator(".leaflet-control-scale-line").count() == 1
    for tool in (".zp-fullscreen-button", ".zp-measure", ".zp-draw", ".zp-export"):
        assert page.locator(tool).count() == 1
    page.close()


@pytest.mark.parametrize(
    ("name", "kind", "extra"),
    [
        ("linqing", "layout", {}),
        ("linqing", "compliance", {}),
        ("linqing", "indicator", {"indicator": "investment_intensity_wan_per_mu", "by": "park"}),
        ("linqing", "landuse", {"year": 2020}),
        ("zhangdian", "phases", {}),
    ],
)
def test_sample_plans_draw_end_to_end(browser, tmp_path, name, kind, extra):
    from zoneplan import datasets
    from zoneplan.maps import make_map

    plan = datasets.load(name)
    path = save_map(make_map(plan, kind=kind, **extra), tmp_path / f"{name}_{kind}.html")
    opened = Opened(browser, path)
    page = opened.page
    page.screenshot(path=str(SHOTS / f"maps_{name}_{kind}.png"))
    assert opened.errors == [] and opened.external == []
    counts = page.evaluate("ZP.drawnCounts()")
    # every sample plan draws its real administrative boundary beneath, as context
    assert counts.pop("背景 Context: 行政区划 Administrative boundaries") == len(plan["admin_boundaries"]) >= 1
    if kind == "layout":  # 两区带动、八园支撑
        assert counts == {"产业园 Parks": 8, "板块 Districts": 2, "开发区 Zone": 1}
    elif kind == "compliance":
        from zoneplan.compliance import check

        v = check(plan).violations
        assert counts["违规 Violations"] == int((v.geometry.notna() & ~v.geometry.is_empty).sum()) > 0
    elif kind == "indicator":
        assert counts == {"开发区 Zone": 1, "investment_intensity_wan_per_mu (park)": 8}
    elif kind == "landuse":
        assert counts["用地 Land use"] == len(plan.parcels)
    else:  # Zhangdian's named roads are drawn beneath as context
        assert counts == {"背景 Context: named_roads": 5, "分期 Phases": 3, "开发区 Zone": 1}
        assert [t for t in page.locator(".zp-label-text").all_inner_texts() if "Phase" in t] == [
            "一期 Phase 1\n1,022.0 亩 mu\n80.0 亿元 · 2022–2023",
            "二期 Phase 2\n1,872.0 亩 mu\n100.0 亿元 · 2022–2024",
            "三期 Phase 3\n1,400.0 亩 mu\n130.0 亿元 · 2023–2027",
        ]
    assert page.locator(".zp-legend .zp-legend-item").count() > 0
    title = page.locator(".zp-title").bounding_box()
    layers = page.locator(".leaflet-control-layers").bounding_box()
    assert title["x"] + title["width"] <= layers["x"] or title["y"] >= layers["y"] + layers["height"], "the title hides the layer control"
    page.close()


def test_attributes_show_as_text_in_tooltips_and_popups(browser, tmp_path):
    opened = _open(browser, landuse_spec(layout_plan()), tmp_path, "xss")
    page = opened.page
    x, y = opened.at("用地 Land use", 1)  # parcel Q2, enterprise = XSS
    page.mouse.move(x, y)
    page.wait_for_selector(".zp-tooltip")
    assert XSS in page.locator(".zp-tooltip").inner_text()
    page.mouse.click(x, y)
    page.wait_for_selector(".zp-popup")
    popup = page.locator(".zp-popup")
    assert XSS in popup.inner_text()
    assert popup.locator("script, b").count() == 0
    assert page.evaluate("window.__zpXss === undefined")
    page.screenshot(path=str(SHOTS / "maps_popup_escaped.png"))
    page.click(".zp-fullscreen-button")
    assert "zp-fullscreen" in page.eval_on_selector(".folium-map", "e => e.className")
    page.click(".zp-fullscreen-button")
    assert "zp-fullscreen" not in page.eval_on_selector(".folium-map", "e => e.className")
    assert opened.errors == [] and opened.external == []
    page.close()


def test_measure_reports_exact_mu_and_drawn_phase_imports(browser, tmp_path):
    plan = layout_plan()
    plan_path = tmp_path / "plan.gpkg"
    plan.write(plan_path)
    opened = _open(browser, phases_spec(plan), tmp_path, "draw")
    page = opened.page
    # The page's area formula is the plan's Gauss–Krüger plane: parcel Q1 is 200 m × 200 m.
    q1 = plan.parcels.geometry.iloc[0]
    lon, lat = pyproj.Transformer.from_crs(4548, 4326, always_xy=True).transform(*np.asarray(q1.exterior.coords)[:-1].T)
    js_m2 = page.evaluate("pts => ZP.areaM2(pts.map(p => L.latLng(p[1], p[0])))", [[a, b] for a, b in zip(lon, lat)])
    assert js_m2 == pytest.approx(40_000.0, abs=0.01)
    # Measure: three clicks and finish.
    page.click(".zp-measure")
    for px, py in ((300, 300), (500, 300), (500, 450)):
        page.mouse.click(px, py)
    page.click(".zp-finish")
    text = page.locator(".zp-area-out").inner_text()
    assert "亩 mu" in text and float(page.locator(".zp-area-out").get_attribute("data-area-mu")) > 0
    # Draw a phase: four clicks, finish, export, import.
    page.click(".zp-draw")
    for px, py in ((420, 250), (720, 260), (700, 520), (430, 500)):
        page.mouse.click(px, py)
    page.click(".zp-finish")
    shown_mu = float(page.locator(".zp-area-out").get_attribute("data-area-mu"))
    page.screenshot(path=str(SHOTS / "maps_draw_phase.png"))
    geojson = json.loads(page.evaluate("ZP.exportGeoJSON()"))
    assert [f["properties"]["phase_id"] for f in geojson["features"]] == ["drawn-4"]
    assert geojson["features"][0]["properties"]["zone_id"] == "Z1"
    drawn = tmp_path / "drawn.geojson"
    drawn.write_text(json.dumps(geojson), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["import", str(drawn), "--into", str(plan_path), "--layer", "phases", "--append"])
    assert exc.value.code == 0
    phases = Plan.read(plan_path).phases
    assert phases["phase_id"].tolist() == ["PH1", "PH2", "PH3", "drawn-4"]
    new = phases[phases["phase_id"] == "drawn-4"]
    assert int(new["phase_no"].iloc[0]) == 4
    assert float(area_in(new).iloc[0]) == pytest.approx(shown_mu, abs=0.01)
    assert opened.errors == [] and opened.external == []
    page.close()


def test_amap_page_shifts_into_gcj02_and_measures_in_wgs(browser, tmp_path):
    plan = layout_plan()
    opened = _open(browser, phases_spec(plan), tmp_path, "amap", basemap="amap")
    page = opened.page
    assert all("autonavi.com" in u for u in opened.external)  # tiles were asked for (and blocked here)
    assert page.evaluate("ZP.state.cfg.gcj02") is True
    # the page's GCJ-02 formula is zoneplan.crs's
    js = page.evaluate("ZP.wgsToGcj(115.70, 36.84)")
    assert js == pytest.approx(list(map(float, wgs84_to_gcj02(115.70, 36.84))), abs=1e-12)
    # a shape drawn on the shifted overlay is measured after shifting back: Q1 is 40,000 m²
    q1 = plan.parcels.geometry.iloc[0]
    lon, lat = pyproj.Transformer.from_crs(4548, 4326, always_xy=True).transform(*np.asarray(q1.exterior.coords)[:-1].T)
    glon, glat = wgs84_to_gcj02(np.asarray(lon), np.asarray(lat))
    js_m2 = page.evaluate("pts => ZP.areaM2(pts.map(p => L.latLng(p[1], p[0])))", [[float(a), float(b)] for a, b in zip(glon, glat)])
    assert js_m2 == pytest.approx(40_000.0, abs=0.05)
    assert [e for e in opened.errors if "ERR_FAILED" not in e and "Failed to load resource" not in e] == []
    page.close()


def test_map_in_an_unsized_iframe_fits_once_laid_out(browser, tmp_path):
    """Reports embed maps in iframes that may run before layout: no NaN view, fit on resize."""
    import html as html_lib

    page_path = save_map(render_spec(phases_spec(layout_plan())), tmp_path / "inner.html")
    outer = tmp_path / "outer.html"
    outer.write_text(
        '<!doctype html><meta charset="utf-8"><iframe id="f" style="width:0;height:0;border:0" sandbox="allow-scripts" '
        f'srcdoc="{html_lib.escape(page_path.read_text(encoding="utf-8"), quote=True)}"></iframe>',
        encoding="utf-8",
    )
    opened = Opened(browser, outer, ready=None)
    frame = opened.page.frames[1]
    wait_until(frame, "!!(window.ZP && ZP.maps.length === 1)")
    opened.page.evaluate("() => { const f = document.getElementById('f'); f.style.width = '800px'; f.style.height = '500px'; }")
    wait_until(frame, "ZP.maps[0].map.getSize().x === 800")
    zoom = frame.evaluate("ZP.maps[0].map.getZoom()")
    inside = frame.evaluate("(() => { const m = ZP.maps[0].map; return m.getBounds().contains(L.latLngBounds(ZP.maps[0].cfg.bounds)); })()")
    opened.page.close()
    assert opened.errors == [] and opened.external == []
    assert zoom > 10 and inside
