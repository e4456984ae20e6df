"""analyze and check partitioned by zone on a dask LocalCluster give the single-process answers."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from benchmarks.synthetic import make_plan
from tests.conftest import box
from zoneplan import analysis, compliance, distributed
from zoneplan.cli import main
from zoneplan.plan import Plan

REL = 1e-9  # GEOS unions of a partition's control lines differ from the whole plan's in the last bits


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def province() -> Plan:
    return make_plan(3_000, n_zones=7, n_control_polygons=120, seed=11)


def assert_same(a: object, b: object, path: str = "") -> None:
    """Equal, floats to a relative 1e-9; everything else (ids, order, flags, None) exactly."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), path
        for k in a:
            assert_same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and not isinstance(b, bool) and isinstance(b, (int, float)):
        assert math.isclose(a, b, rel_tol=REL, abs_tol=1e-9), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


@pytest.mark.parametrize("by", ["zone", "district", "phase"])
def test_analyze_equals_single_process(province: Plan, client: Client, by: str) -> None:
    single = analysis.analyze(province, by=by, year=2025)
    dask = distributed.analyze(province, by=by, year=2025, client=client)
    assert [g["id"] for g in dask["groups"]] == [g["id"] for g in single["groups"]]
    assert len(single["groups"]) == {"zone": 7, "district": 14, "phase": 21}[by]
    assert len(dask["targets"]) == len(single["targets"]) == 7 * 3
    assert_same(single, dask)


def test_check_equals_single_process(province: Plan, client: Client) -> None:
    single = distributed.canonical_findings(compliance.check(province), province)
    dask = distributed.check(province, client=client, n_partitions=3)
    assert len(single.violations) > 100  # the synthetic province has conflicts of every kind
    assert set(single.violations["rule"]) >= {
        "ecological_redline_overlap",
        "basic_farmland_overlap",
        "outside_urban_development_boundary",
        "env_adjacency",
        "parcel_min_far",
    }
    assert_same(single.to_json(), dask.to_json())
    a, b = single.violations, dask.violations
    # the same conflict geometry (vertex lists may differ where a partition's union of lines adds collinear vertices)
    assert (a.geometry.isna() == b.geometry.isna()).all() and (a.geometry.is_empty == b.geometry.is_empty).all()
    assert (a.geometry.symmetric_difference(b.geometry).area.fillna(0.0) <= 1e-6).all()
    pd.testing.assert_frame_equal(single.tables["quota_balance"], dask.tables["quota_balance"], check_exact=False, rtol=REL)


def test_existing_cluster_by_scheduler_address(province: Plan, cluster: LocalCluster) -> None:
    single = analysis.analyze(province)
    assert_same(single, distributed.analyze(province, scheduler=cluster.scheduler_address))


def test_partitions_cover_every_parcel_once_and_route_tables(province: Plan) -> None:
    parts = distributed.partition_plan(province, n_partitions=3)
    assert len(parts) == 3
    home = pd.Index([]).append([p.home_parcels for p in parts])
    assert home.sort_values().equals(province.parcels.index.sort_values())
    assert sorted(z for p in parts for z in p.zone_ids) == sorted(province.zones["zone_id"])
    # 7 zones of ~429 parcels dealt onto 3 bins: 3 + 2 + 2 zones
    assert sorted(len(p.zone_ids) for p in parts) == [2, 2, 3]
    for p in parts:
        zones = set(p.zone_ids)
        assert set(p.plan.parcels["zone_id"]) == zones
        assert set(p.plan.quotas["zone_id"]) == zones
        assert set(p.plan.targets["scope"]) == zones
        assert set(p.plan.phases["zone_id"]) == zones
        assert (p.plan.control_lines["kind"] == "urban_development_boundary").sum() == len(zones)


def cross_zone_plan() -> Plan:
    """Two zones side by side; a class-3 factory in A is 80 m from a school in B; only A has a development boundary."""
    zones = gpd.GeoDataFrame({"zone_id": ["A", "B"], "name": ["甲区", "乙区"]}, geometry=[box(0, 0, 1000, 1000), box(1000, 0, 1000, 1000)], crs=4548)
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["A1", "A2", "B1", "B2"],
            "zone_id": ["A", "A", "B", "B"],
            "landuse_code": ["100103", "0701", "080403", "100101"],
            "status": ["built", "built", "built", "supplied"],
            "supplied_year": [2015, 2016, 2017, 2020],
            "built_year": [2016, 2018, 2019, pd.NA],
        },
        geometry=[box(800, 100, 120, 100), box(100, 100, 200, 200), box(1000, 100, 100, 100), box(1500, 500, 200, 200)],
        crs=4548,
    )
    lines = gpd.GeoDataFrame({"kind": ["urban_development_boundary"], "name": ["城镇开发边界"]}, geometry=[box(0, 0, 1000, 1000)], crs=4548)
    return Plan({"zones": zones, "parcels": parcels, "control_lines": lines}, meta={"name": "cross", "as_of": "2025-12-31"})


def test_neighbours_across_zones_and_a_boundary_elsewhere(client: Client) -> None:
    plan = cross_zone_plan()
    single = distributed.canonical_findings(compliance.check(plan), plan)
    dask = distributed.check(plan, client=client, n_partitions=2)
    assert_same(single.to_json(), dask.to_json())
    pairs = dask.violations[dask.violations["rule"] == "env_adjacency"]
    assert pairs[["feature_id", "other_id"]].values.tolist() == [["A1", "B1"]]
    assert pairs["measured"].tolist() == [80.0]
    # zone B has no development boundary of its own: both of its parcels lie wholly outside the plan's boundary
    outside = dask.violations[dask.violations["rule"] == "outside_urban_development_boundary"]
    assert sorted(outside["feature_id"]) == ["B1", "B2"]
    assert sorted(outside["area_m2"]) == [10_000.0, 40_000.0]
    a, d = analysis.analyze(plan), distributed.analyze(plan, client=client, n_partitions=2)
    assert_same(a, d)
    assert [g["indicators"]["remaining_area_mu"] for g in d["groups"]][1] == 0.0  # all of B is outside the boundary


def test_cli_dask_options(cluster: LocalCluster, tmp_path, capsys) -> None:
    path = tmp_path / "p.gpkg"
    cross_zone_plan().write(path)
    with pytest.raises(SystemExit) as exc:
        main(["analyze", str(path), "--json", "--scheduler", cluster.scheduler_address])
    assert exc.value.code == 0
    assert [g["id"] for g in json.loads(capsys.readouterr().out)["groups"]] == ["A", "B"]
    with pytest.raises(SystemExit) as exc:
        main(["check", str(path), "--json", "--scheduler", cluster.scheduler_address])
    assert exc.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["env_adjacency"]["count"] == 1 and out["summary"]["outside_urban_development_boundary"]["count"] == 2
    with pytest.raises(SystemExit) as exc:
        main(["check", str(path), "--scheduler", "tcp://127.0.0.1:1"])
    assert exc.value.code == 2
    assert "cannot reach the dask scheduler" in capsys.readouterr().err
