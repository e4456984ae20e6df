"""The workbench's JSON API (Starlette TestClient, in process): reshape, delete, undo, conflicts, errors."""

from __future__ import annotations

import shutil

import pytest
import shapely
from starlette.testclient import TestClient

from zoneplan import datasets
from zoneplan.plan import Plan
from zoneplan.serve import create_app, open_store
from zoneplan.units import M2_PER_MU


@pytest.fixture
def bench(tmp_path):
    path = tmp_path / "zhangdian.gpkg"
    shutil.copy(datasets.get_path("zhangdian"), path)
    with TestClient(create_app(open_store(path))) as client:
        yield client, path


def _lonlat_ring(plan: Plan, geom: shapely.Geometry) -> dict:
    lonlat = plan.phases.geometry.iloc[:0]._constructor([geom], crs=plan.crs).to_crs(4326).iloc[0]
    return shapely.geometry.mapping(lonlat)


ATTRS = {"phase_no": 4, "name": "四期", "zone_id": "zhangdian", "start_year": 2026, "end_year": 2028, "investment_yi": "12.5"}


def test_drawn_outline_snaps_to_parcel_edges(bench):
    client, path = bench
    plan = Plan.read(path)
    parcel = plan.parcels.geometry.iloc[10]
    # the planner's outline misses the parcel's corners by up to 1.5 m
    wobbly = shapely.Polygon(
        [(x + dx, y + dy) for (x, y), dx, dy in zip(parcel.exterior.coords[:-1], [1.2, -0.8, 1.5, -1.0, 0.6] * 40, [-1.0, 1.1, 0.7, -1.4, 0.9] * 40)]
    )
    out = client.post("/api/preview", json={"geometry": _lonlat_ring(plan, wobbly), "attributes": ATTRS}).json()
    snapped = plan.phases.geometry.iloc[:0]._constructor([shapely.geometry.shape(out["geometry"])], crs=4326).to_crs(plan.crs).iloc[0]
    assert snapped.symmetric_difference(parcel).area < 0.5  # m², against ~|wobble| × perimeter unsnapped
    assert wobbly.symmetric_difference(parcel).area > 50
    assert out["area"]["planar_mu"] == pytest.approx(parcel.area / M2_PER_MU, abs=0.01)
    assert out["errors"] == {}


def test_reshape_delete_undo_and_stale_revisions(bench):
    client, path = bench
    state = client.get("/api/plan").json()
    rev = state["revision"]
    plan = Plan.read(path)
    phase1 = plan.phases.set_index("phase_id").loc["zhangdian-phase-1"]
    smaller = phase1.geometry.buffer(-50)
    body = {
        "geometry": _lonlat_ring(plan, smaller),
        "phase_id": "zhangdian-phase-1",
        "attributes": {**ATTRS, "phase_no": 1, "name": "一期（调整）", "start_year": 2022, "end_year": 2023},
    }
    preview = client.post("/api/preview", json=body).json()
    assert preview["errors"] == {}  # its own phase number is not a duplicate
    saved = client.post("/api/save", json={**body, "revision": rev})
    assert saved.status_code == 200, saved.text
    after = Plan.read(path).phases.set_index("phase_id")
    assert after.loc["zhangdian-phase-1", "name"] == "一期（调整）"
    assert after.loc["zhangdian-phase-1", "target_area_mu"] == 1022.0  # kept from the plan document
    # what was saved is what the preview showed (the outline snapped to parcel edges near it)
    assert after.loc["zhangdian-phase-1"].geometry.area == pytest.approx(preview["area"]["planar_m2"], rel=1e-9)
    assert after.loc["zhangdian-phase-1"].geometry.area == pytest.approx(smaller.area, rel=0.01)
    assert "四、推进步骤" in after.loc["zhangdian-phase-1", "source"]  # other columns kept
    # the old revision is stale now: delete refused, nothing changed
    stale = client.post("/api/delete", json={"phase_id": "zhangdian-phase-2", "revision": rev})
    assert stale.status_code == 409 and stale.json()["stale"] and "saved by someone else" in stale.json()["error"]
    rev2 = saved.json()["revision"]
    deleted = client.post("/api/delete", json={"phase_id": "zhangdian-phase-2", "revision": rev2})
    assert deleted.status_code == 200
    assert Plan.read(path).phases["phase_id"].tolist() == ["zhangdian-phase-1", "zhangdian-phase-3"]
    undone = client.post("/api/undo", json={"revision": deleted.json()["revision"]})
    assert undone.status_code == 200
    assert sorted(Plan.read(path).phases["phase_id"]) == ["zhangdian-phase-1", "zhangdian-phase-2", "zhangdian-phase-3"]
    again = client.post("/api/undo", json={"revision": undone.json()["revision"]})
    assert again.status_code == 409 and "nothing to undo" in again.json()["error"]


def test_undo_refused_after_someone_else_saved(bench):
    client, path = bench
    rev = client.get("/api/plan").json()["revision"]
    plan = Plan.read(path)
    body = {"geometry": _lonlat_ring(plan, plan.parcels.geometry.iloc[3]), "attributes": ATTRS, "revision": rev}
    mine = client.post("/api/save", json=body).json()["revision"]
    # someone else (the CLI, QGIS …) rewrites the plan
    Plan.read(path).with_meta(note="edited elsewhere").write(path)
    refused = client.post("/api/undo", json={"revision": mine})
    assert refused.status_code == 409
    assert "zhangdian-phase-4" in Plan.read(path).phases["phase_id"].tolist()


def test_bad_requests_are_one_line_errors(bench):
    client, path = bench
    before = path.read_bytes()
    rev = client.get("/api/plan").json()["revision"]
    assert client.post("/api/save", content=b"{not json", headers={"Content-Type": "application/json"}).status_code == 400
    r = client.post("/api/preview", json={"parcels": ["NO-SUCH"], "attributes": ATTRS})
    assert r.status_code == 400 and r.json()["error"] == "no parcel NO-SUCH in the plan (layer parcels, feature NO-SUCH, rule phase-geometry)"
    r = client.post("/api/preview", json={"geometry": {"type": "LineString", "coordinates": [[118, 36], [118.1, 36.1]]}, "attributes": ATTRS})
    assert r.status_code == 400 and "must be a polygon" in r.json()["error"]
    r = client.post(
        "/api/save",
        json={
            "parcels": [str(Plan.read(path).parcels["parcel_id"].iloc[0])],
            "attributes": {**ATTRS, "investment_yi": "-3", "start_year": "2026.5"},
            "revision": rev,
        },
    )
    assert r.status_code == 422 and set(r.json()["errors"]) == {"investment_yi", "start_year"}
    assert client.get("/api/parcel", params={"lon": "x", "lat": 36}).status_code == 400
    assert path.read_bytes() == before


def test_parcel_under_a_point_smallest_wins(tmp_path, tiny_plan):
    # a 20 m × 20 m parcel drawn inside P1 (an enclave): the point inside both picks the enclave
    import geopandas as gpd
    import pandas as pd

    from tests.conftest import box

    parcels = tiny_plan.parcels
    enclave = gpd.GeoDataFrame({"parcel_id": ["P1a"], "zone_id": ["Z1"], "landuse_code": ["0701"]}, geometry=[box(20, 20, 20, 20)], crs=parcels.crs)
    path = tmp_path / "tiny.gpkg"
    tiny_plan.with_layer("parcels", pd.concat([enclave, parcels], ignore_index=True)).write(path)
    with TestClient(create_app(open_store(path))) as client:
        at = enclave.geometry.centroid.to_crs(4326).iloc[0]
        assert client.get("/api/parcel", params={"lon": at.x, "lat": at.y}).json() == {"parcel_id": "P1a"}
        p1 = parcels.geometry.iloc[0]
        corner = gpd.GeoSeries([shapely.Point(p1.bounds[2] - 5, p1.bounds[3] - 5)], crs=parcels.crs).to_crs(4326).iloc[0]
        assert client.get("/api/parcel", params={"lon": corner.x, "lat": corner.y}).json() == {"parcel_id": "P1"}
