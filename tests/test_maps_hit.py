"""Hit-testing in real Chromium: the smallest feature under the pointer shows its tooltip.

A parcel lies over the red line, the farmland, its district and its zone; hovering it must show
the parcel, not the larger polygon drawn above or below it.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.browser import Opened
from zoneplan import datasets
from zoneplan.maps.interactive import render_spec, save_map
from zoneplan.maps.kinds import compliance_spec, layout_spec

pytestmark = pytest.mark.browser


def _hover_titles(opened: Opened, gdf, positions) -> list[str]:
    page = opened.page
    points = gdf.geometry.iloc[positions].representative_point().to_crs(4326)
    titles = []
    for p in points:
        page.evaluate("([lat, lon]) => ZP.state.map.setView([lat, lon], 17, {animate: false})", [p.y, p.x])
        x, y = page.evaluate("([lat, lon]) => { var q = ZP.state.map.latLngToContainerPoint([lat, lon]); return [q.x, q.y]; }", [p.y, p.x])
        page.mouse.move(x + 3, y + 3)
        page.mouse.move(x, y)
        page.wait_for_selector(".zp-tooltip .zp-info-title", timeout=5000)
        titles.append(page.inner_text(".zp-tooltip .zp-info-title"))
    return titles


def test_parcel_over_control_lines_wins_the_hover(browser, tmp_path):
    plan = datasets.load("linqing")
    spec = compliance_spec(plan, violations=plan.parcels.iloc[:0].assign(rule=[]))
    opened = Opened(browser, save_map(render_spec(spec), tmp_path / "compliance.html"))
    lines = plan.control_lines
    filled = lines[lines["kind"].isin(["ecological_redline", "basic_farmland"])].geometry.union_all()
    parcels = plan.parcels
    inside = np.flatnonzero(parcels.geometry.representative_point().within(filled).to_numpy())
    assert len(inside) >= 10
    picks = inside[np.linspace(0, len(inside) - 1, min(31, len(inside))).astype(int)]
    titles = _hover_titles(opened, parcels, picks)
    assert titles == ["地块 Parcels"] * len(picks)
    assert opened.errors == [] and opened.external == []


def test_park_over_its_district_wins_the_hover(browser, tmp_path):
    plan = datasets.load("linqing")
    opened = Opened(browser, save_map(render_spec(layout_spec(plan)), tmp_path / "layout.html"))
    titles = _hover_titles(opened, plan.parks, list(range(len(plan.parks))))
    assert titles == ["产业园 Parks"] * len(plan.parks)
    assert opened.errors == [] and opened.external == []
