"""Control lines: exact overlap areas, slivers, the urban development boundary, no false positives."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from tests.plans_compliance import box, compliance_plan
from zoneplan.compliance import check, control_line_conflicts
from zoneplan.compliance.control_lines import outside, overlaps
from zoneplan.units import M2_PER_MU


@pytest.fixture(scope="module")
def plan():
    return compliance_plan()


def _rows(findings, rule):
    v = findings.violations
    return v[v["rule"] == rule].set_index("feature_id")


def test_redline_overlap_is_exact_and_unions_overlapping_line_polygons(plan):
    found = _rows(control_line_conflicts(plan), "ecological_redline_overlap")
    # A: R1 10 × 100 = 1000 m², R2 50 × 50 = 2500 m² (R3 lies inside R2 and adds nothing).
    assert list(found.index) == ["A"]
    a = found.loc["A"]
    assert a["area_m2"] == pytest.approx(3500.0, abs=1e-6)
    assert a["area_mu"] == pytest.approx(3500.0 / M2_PER_MU)
    assert a["measured"] == pytest.approx(3500.0, abs=1e-6)
    assert a["limit"] == 1.0 and a["unit"] == "m2"
    assert a["other_id"] == "R1;R2;R3"
    assert a.geometry.area == pytest.approx(3500.0, abs=1e-6)
    assert a.geometry.equals(shapely.union(box(190, 0, 10, 100), box(150, 150, 50, 50)))


def test_farmland_overlap_exact(plan):
    found = _rows(control_line_conflicts(plan), "basic_farmland_overlap")
    assert list(found.index) == ["D"]
    assert found.loc["D", "area_m2"] == pytest.approx(4000.0, abs=1e-6)  # 50 × 80
    assert found.loc["D", "area_mu"] == pytest.approx(6.0)
    assert found.loc["D"].geometry.equals(box(450, 400, 50, 80))


def test_sliver_under_tolerance_is_not_a_violation_but_a_tolerance_change_reports_it(plan):
    default = control_line_conflicts(plan)
    assert "B" not in set(default.violations["feature_id"])
    assert default.settings["overlap_tolerance_m2"] == 1.0
    strict = _rows(control_line_conflicts(plan, rules={"overlap_tolerance_m2": 0.1}), "ecological_redline_overlap")
    assert sorted(strict.index) == ["A", "B"]
    assert strict.loc["B", "area_m2"] == pytest.approx(0.5, abs=1e-9)
    assert strict.loc["B", "limit"] == 0.1


def test_cropland_under_the_red_line_is_not_a_violation(plan):
    findings = control_line_conflicts(plan)
    assert "W" not in set(findings.violations["feature_id"])


def test_boundary_just_inside_and_just_outside(plan):
    found = _rows(control_line_conflicts(plan), "outside_urban_development_boundary")
    # G's top edge lies on the boundary; K spans the two boundary polygons; H is 1 m over.
    assert list(found.index) == ["H"]
    assert found.loc["H", "area_m2"] == pytest.approx(100.0, abs=1e-6)
    assert found.loc["H"].geometry.equals(box(750, 490, 100, 1))


def test_boundary_rule_not_checked_without_boundary_polygons(plan):
    lines = plan.control_lines
    no_udb = plan.with_layer("control_lines", lines[lines["kind"] != "urban_development_boundary"])
    findings = control_line_conflicts(no_udb)
    assert "outside_urban_development_boundary" in findings.not_checked
    assert "outside_urban_development_boundary" not in set(findings.violations["rule"])
    assert {"ecological_redline_overlap", "basic_farmland_overlap"} <= set(findings.checked)


def test_year_uses_the_code_in_force(plan):
    # D is supplied, planned to be built in 2023: in 2021 it is not yet construction land.
    assert "D" not in set(_rows(control_line_conflicts(plan, year=2021), "basic_farmland_overlap").index)
    assert list(_rows(control_line_conflicts(plan, year=2023), "basic_farmland_overlap").index) == ["D"]


def test_switched_off_by_rules(plan):
    findings = check(plan, rules={"control_lines": False})
    assert not findings.violations["rule"].str.contains("overlap|boundary").any()
    assert "control_lines" in findings.not_checked


def test_overlaps_and_outside_keep_index_labels():
    parcels = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 100), box(200, 0, 100, 100), box(400, 0, 100, 100)], index=[10, 20, 30], crs=4548)
    lines = gpd.GeoDataFrame({"name": ["L"]}, geometry=[box(250, 50, 300, 100)], crs=4548)
    over = overlaps(parcels, lines)
    assert over.index.tolist() == [20, 30]
    assert over["overlap_m2"].tolist() == pytest.approx([2500.0, 5000.0])
    out = outside(parcels, lines)
    assert out.index.tolist() == [10, 20, 30]
    assert out["outside_m2"].tolist() == pytest.approx([10_000.0, 7500.0, 5000.0])


def test_village_land_by_czcsxm_is_not_urban_land_outside_the_boundary(plan):
    """H reaches 1 m over the urban development boundary; surveyed as village land (CZCSXM 203) it is
    村庄建设用地, which the boundary does not bind (no urban construction outside it)."""
    parcels = plan.parcels.copy()
    parcels["czcsxm"] = "201"
    town = _rows(control_line_conflicts(plan.with_layer("parcels", parcels)), "outside_urban_development_boundary")
    assert list(town.index) == ["H"]
    parcels.loc[parcels["parcel_id"] == "H", "czcsxm"] = "203"
    village = _rows(control_line_conflicts(plan.with_layer("parcels", parcels)), "outside_urban_development_boundary")
    assert list(village.index) == []
