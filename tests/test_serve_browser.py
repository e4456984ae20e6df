"""The workbench in real headless Chromium against the served app on 127.0.0.1.

A planner composes a phase by clicking parcels, reads its area in mu and the rules it breaks
before saving, fills the form, saves, reloads and finds it; two browsers on one PostGIS plan see
each other's saves and a stale save is refused. Every request is recorded: none may leave the
server. Screenshots: ``artifacts/screenshots/serve_*.png``.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.postgis_server import plan_uri, postgis_uri  # noqa: F401 (fixtures)
from tests.workbench import Bench, serving
from zoneplan import datasets
from zoneplan.io import postgis
from zoneplan.plan import Plan
from zoneplan.units import M2_PER_MU

pytestmark = pytest.mark.browser

RED_LINE_PARCEL = "LQC-0703"  # 15 mu of it lies on the ecological red line


def _parcels(plan: Plan):
    return plan.parcels.set_index("parcel_id", drop=False)


def _neighbour(plan: Plan, of: str) -> str:
    """The nearest other parcel of the same zone (a second parcel to compose with)."""
    parcels = _parcels(plan)
    d = parcels.geometry.distance(parcels.geometry.loc[of]).drop(of)
    return str(d.idxmin())


def _compose(bench: Bench, plan: Plan, ids: list[str]) -> None:
    parcels = _parcels(plan)
    centre = parcels.loc[ids].geometry.union_all().centroid
    lonlat = plan.parcels.geometry.iloc[:0]._constructor([centre], crs=plan.crs).to_crs(4326).iloc[0]
    bench.view(lonlat.x, lonlat.y, 17)
    bench.page.click(".zpw-compose")
    for pid in ids:
        bench.click_feature(parcels, pid)
        bench.idle()


def _fill(bench: Bench, **values: object) -> None:
    for name, value in values.items():
        bench.page.fill(f"#zpw-form [name={name}]", str(value))
    bench.page.locator("#zpw-form [name=end_year]").dispatch_event("change")
    bench.idle()


def test_compose_by_parcels_save_reload_undo(browser, tmp_path):
    path = tmp_path / "linqing.gpkg"
    shutil.copy(datasets.get_path("linqing"), path)
    plan = Plan.read(path)
    ids = [RED_LINE_PARCEL, _neighbour(plan, RED_LINE_PARCEL)]
    expected_mu = float(_parcels(plan).loc[ids].area.sum()) / M2_PER_MU
    with serving(path) as base:
        bench = Bench(browser, base)
        _compose(bench, plan, ids)
        assert bench.page.get_attribute("body", "data-zpw-parcels") == ",".join(ids)
        planar = float(bench.page.get_attribute("#zpw-area [data-basis=planar]", "data-area-mu"))
        ellipsoidal = float(bench.page.get_attribute("#zpw-area [data-basis=ellipsoidal]", "data-area-mu"))
        assert planar == pytest.approx(expected_mu, abs=0.01)
        assert ellipsoidal == pytest.approx(expected_mu, rel=2e-3) and ellipsoidal != planar
        text = bench.page.inner_text("#zpw-area")
        assert "亩 mu" in text and "planar, EPSG:4548" in text and "ellipsoidal, CGCS2000" in text
        # the red-line overlap is shown before anything is saved
        red = bench.page.locator("#zpw-rules [data-rule=ecological_redline_overlap]")
        assert red.count() == 1 and "15.00 亩 mu" in red.inner_text()
        assert "phases" not in Plan.read(path).layers
        _fill(bench, name="滨河一期", start_year=2024, end_year=2025, investment_yi=3.5)
        bench.shot("compose_redline")
        bench.page.click(".zpw-save")
        bench.page.wait_for_selector(".zpw-msg-ok", timeout=30_000)
        assert "已保存 Saved linqing-phase-1" in bench.page.inner_text("#zpw-msg")

        saved = Plan.read(path).phases
        assert saved["phase_id"].tolist() == ["linqing-phase-1"]
        row = saved.iloc[0]
        assert (row["name"], int(row["phase_no"]), int(row["start_year"]), int(row["end_year"]), row["investment_yuan"]) == ("滨河一期", 1, 2024, 2025, 3.5e8)
        # the saved geometry is the union of the clicked parcels, to the vertex
        assert row.geometry.symmetric_difference(_parcels(plan).loc[ids].geometry.union_all()).area < 1e-6
        assert row.geometry.area / M2_PER_MU == pytest.approx(planar, abs=1e-9)

        bench.load()  # reload: the phase is on the map with its attributes
        assert bench.page.get_attribute("body", "data-zpw-phases") == "1"
        label = bench.page.locator(".zpw-phase-label")
        assert label.count() == 1 and "滨河一期" in label.inner_text() and f"{expected_mu:,.2f} 亩 mu" in label.inner_text()
        phases = bench.page.evaluate("() => ZPW.state.phases.features.map(f => f.properties)")
        assert phases[0]["name"] == "滨河一期" and phases[0]["investment_yuan"] == 3.5e8
        bench.shot("saved_reloaded")

        bench.page.click(".zpw-undo")
        bench.page.wait_for_selector(".zpw-msg-ok", timeout=30_000)
        assert bench.page.get_attribute("body", "data-zpw-phases") == "0"
        assert len(Plan.read(path).phases) == 0
        assert bench.errors == []
        assert bench.external == [] and bench.requests and all(u.startswith(base) for u in bench.requests)
        bench.close()


def test_form_errors_are_shown_and_nothing_is_saved(browser, tmp_path):
    path = tmp_path / "zhangdian.gpkg"
    shutil.copy(datasets.get_path("zhangdian"), path)
    plan = Plan.read(path)
    before = path.read_bytes()
    pid = str(plan.parcels["parcel_id"].iloc[0])
    with serving(path) as base:
        bench = Bench(browser, base)
        _compose(bench, plan, [pid])
        _fill(bench, phase_no=2, name="", start_year=2027, end_year=2026)
        errors = {e.get_attribute("data-field"): e.inner_text() for e in bench.page.locator("#zpw-form .zpw-error").all() if e.inner_text()}
        assert set(errors) == {"phase_no", "name", "end_year"}
        assert "zhangdian-phase-2" in errors["phase_no"] and "before the start year 2027" in errors["end_year"]
        bench.page.click(".zpw-save")
        bench.page.wait_for_selector(".zpw-msg-error", timeout=20_000)
        bench.shot("form_errors")
        assert path.read_bytes() == before
        assert bench.external == [] and bench.errors == [e for e in bench.errors if "422" in e]
        bench.close()


@pytest.mark.postgis
def test_two_browsers_on_one_postgis_plan(browser, plan_uri):  # noqa: F811
    plan = datasets.load("linqing")
    postgis.write_plan(plan, plan_uri)
    a_ids = [RED_LINE_PARCEL]
    b_ids = [_neighbour(plan, RED_LINE_PARCEL)]
    with serving(plan_uri) as base:
        a, b, c = Bench(browser, base), Bench(browser, base), Bench(browser, base)
        # B starts editing on the revision both loaded
        _compose(b, plan, b_ids)
        _fill(b, name="B 的分期", start_year=2025, end_year=2025)
        _compose(a, plan, a_ids)
        _fill(a, name="A 的分期", start_year=2024, end_year=2025)
        a.page.click(".zpw-save")
        a.page.wait_for_selector(".zpw-msg-ok", timeout=30_000)
        assert postgis.read_plan(plan_uri).phases["name"].tolist() == ["A 的分期"]
        # C was idle: it shows A's phase without a reload
        c.page.wait_for_selector(".zpw-phase-label", timeout=20_000)
        assert "A 的分期" in c.page.inner_text(".zpw-phase-label")
        # B's save is from a stale revision: refused, with a clear message, and nothing written
        b.page.click(".zpw-save")
        b.page.wait_for_selector(".zpw-msg-stale", timeout=30_000)
        message = b.page.inner_text("#zpw-msg")
        assert "saved by someone else since you loaded it" in message and "nothing was written" in message
        b.shot("stale_refused")
        assert postgis.read_plan(plan_uri).phases["name"].tolist() == ["A 的分期"]
        b.page.click(".zpw-cancel")
        b.load()
        assert "A 的分期" in b.page.inner_text(".zpw-phase-label")
        for bench in (a, b, c):
            assert bench.external == [] and all(u.startswith(base) for u in bench.requests)
            bench.close()


@pytest.mark.parametrize("kind", ["mbtiles", "pmtiles"])
def test_offline_basemap_from_a_local_file(browser, tmp_path, kind):
    import io

    from matplotlib.image import imread

    from tests.basemaps import solid_tiles, write_mbtiles, write_pmtiles
    from zoneplan.serve import create_app, open_store

    path = tmp_path / "zhangdian.gpkg"
    shutil.copy(datasets.get_path("zhangdian"), path)
    plan = Plan.read(path)
    c = plan.zones.geometry.to_crs(4326).iloc[0].centroid
    solid = solid_tiles(c.x, c.y, 14, (40, 160, 220))
    tiles = {(x, y) for _, x, y in solid}
    basemap = (write_mbtiles if kind == "mbtiles" else write_pmtiles)(tmp_path / f"base.{kind}", solid)
    # create_app checks the file; served the same way as `zoneplan serve --basemap`
    assert create_app(open_store(path), basemap=basemap) is not None
    from tests import workbench

    with workbench.serving(path, basemap=basemap) as base:
        bench = Bench(browser, base)
        bench.view(c.x, c.y, 14)
        bench.page.wait_for_function(
            "() => { var t = document.querySelectorAll('img.leaflet-tile'); return t.length > 0 && [...t].every(i => i.complete); }", timeout=20_000
        )
        bench.page.wait_for_timeout(300)
        asked = {tuple(int(v) for v in u.rsplit("/tiles/", 1)[1].split("/")[1:]) for u in bench.requests if "/tiles/14/" in u}
        assert asked and asked <= tiles
        png = imread(io.BytesIO(bench.page.screenshot()))
        # the tiles' colour shows between the features
        share = (np.abs(png[:, :, :3] * 255 - np.array([40, 160, 220])) < 3).all(axis=2).mean()
        assert share > 0.05
        assert "© test tiles" in bench.page.inner_text(".leaflet-control-attribution")
        bench.shot(f"basemap_{kind}")
        assert bench.external == [] and bench.errors == []
        bench.close()
