"""The engines `make bench` compares zoneplan with answer the same questions: same totals on one plan.

DuckDB spatial and SedonaDB run the province benchmark's SQL (:data:`benchmarks.bench_province.POSTGIS_SUITE`,
SedonaDB with the join forms of :data:`~benchmarks.bench_province.JOIN_FORM`) on a small synthetic
province; their cross-checked totals must equal zoneplan's own findings, or the benchmark compares
different work.
"""

from __future__ import annotations

import pytest

from benchmarks.bench_province import _digest_findings, _duckdb_suite, _sedonadb_suite
from benchmarks.synthetic import plan_path
from zoneplan import compliance
from zoneplan.plan import Plan


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    path = plan_path(3_000, cache_dir=tmp_path_factory.mktemp("province"), n_zones=12, n_control_polygons=60)
    expected = _digest_findings(compliance.check(Plan.read(path)))
    # the plan must exercise all three questions, or equal totals prove nothing
    assert expected["overlap_m2"] > 0 and expected["outside_boundary_m2"] > 0 and expected["adjacency_pairs"] > 0
    return str(path), expected


@pytest.mark.parametrize("suite", [_duckdb_suite, _sedonadb_suite], ids=["duckdb", "sedonadb"])
def test_engine_totals_equal_zoneplan(province: tuple[str, dict], suite) -> None:
    path, expected = province
    got = suite(path)
    assert got["adjacency_pairs"] == expected["adjacency_pairs"]
    assert got["overlap_m2"] == pytest.approx(expected["overlap_m2"], rel=1e-6)
    assert got["outside_boundary_m2"] == pytest.approx(expected["outside_boundary_m2"], rel=1e-6)
    assert set(got["query_seconds"]) == {
        "zone_accounting",
        "consumption",
        "control_line_overlaps",
        "outside_boundary",
        "env_adjacency",
        "forbidden_per_zone",
        "plot_ratio_rule",
    }
    assert got["load_seconds"] > 0
