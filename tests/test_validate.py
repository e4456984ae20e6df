import geopandas as gpd
import pandas as pd
import pytest
import shapely

from tests.conftest import X0, Y0, box
from zoneplan.plan import Plan
from zoneplan.validate import fix_geometries, validate

BOWTIE = shapely.Polygon([(X0 + 600, Y0 + 600), (X0 + 800, Y0 + 800), (X0 + 800, Y0 + 600), (X0 + 600, Y0 + 800)])


def _with_parcels(plan: Plan, extra: gpd.GeoDataFrame) -> Plan:
    return plan.with_layer("parcels", pd.concat([plan.parcels, extra], ignore_index=True))


def _parcel(pid, geom, **attrs):
    return gpd.GeoDataFrame(
        {"parcel_id": [pid], "zone_id": ["Z1"], "landuse_code": [attrs.pop("code", "100101")], **{k: [v] for k, v in attrs.items()}}, geometry=[geom], crs=4548
    )


def test_clean_plan_is_valid(tiny_plan):
    assert validate(tiny_plan).empty


def test_bow_tie_is_reported_with_reason(tiny_plan):
    problems = validate(_with_parcels(tiny_plan, _parcel("BT", BOWTIE)))
    row = problems[problems.rule == "invalid_geometry"].iloc[0]
    assert row.layer == "parcels" and row.feature_id == "BT"
    assert "Self-intersection" in row.message


def test_fix_repairs_bow_tie_and_lists_area_change(tiny_plan):
    parcels = _with_parcels(tiny_plan, _parcel("BT", BOWTIE)).parcels
    fixed, changes = fix_geometries(parcels, layer="parcels")
    assert list(changes.feature_id) == ["BT"]
    # the bow-tie's two triangles: 2 × (200 × 100 / 2) = 20 000 m² (its signed area was 0)
    assert changes.area_before_m2.iloc[0] == pytest.approx(0.0, abs=1e-6)
    assert changes.area_after_m2.iloc[0] == pytest.approx(20_000.0)
    assert changes.area_change_mu.iloc[0] == pytest.approx(30.0)
    assert fixed.geometry.is_valid.all()
    assert fixed.geometry.iloc[:4].equals(parcels.geometry.iloc[:4])


def test_overlapping_parcels_report_pair_and_area_in_mu(tiny_plan):
    # P1 is box(0,0,200,200); this one overlaps it by 50 × 200 = 10 000 m² = 15 mu
    problems = validate(_with_parcels(tiny_plan, _parcel("OV", box(150, 0, 100, 200))))
    ov = problems[problems.rule == "overlap"]
    assert len(ov) == 1
    assert {ov.feature_id.iloc[0], ov.other_id.iloc[0]} == {"P1", "OV"}
    assert ov.value.iloc[0] == pytest.approx(15.0)


def test_touching_parcels_and_slivers_below_tolerance_are_not_overlaps(tiny_plan):
    touching = _parcel("T", box(200, 0, 50, 200))  # shares P1's edge
    sliver = _parcel("S", box(499.999, 300, 100, 100))  # 0.001 m × 100 m = 0.1 m² into P4
    assert validate(_with_parcels(tiny_plan, pd.concat([touching, sliver]))).query("rule == 'overlap'").empty


def test_duplicate_ids_unknown_codes_and_values(tiny_plan):
    extra = pd.concat(
        [
            _parcel("P1", box(600, 0, 100, 100)),
            _parcel("X1", box(750, 0, 100, 100), code="Q9"),
            _parcel("X2", box(600, 150, 100, 100), floor_area_m2=-5.0),
            _parcel("X3", box(750, 150, 100, 100), floor_area_m2=210_000.0),  # FAR 21
            _parcel("X4", box(900, 0, 50, 50), status="built-ish"),
        ]
    )
    problems = validate(_with_parcels(tiny_plan, extra))
    by_rule = problems.groupby("rule")["feature_id"].apply(list).to_dict()
    assert by_rule["duplicate_id"] == ["P1"]
    assert by_rule["unknown_landuse_code"] == ["X1"]
    assert by_rule["negative_value"] == ["X2"]
    assert by_rule["far_out_of_range"] == ["X3"]
    assert by_rule["unknown_status"] == ["X4"]
    far = problems[problems.rule == "far_out_of_range"].value.iloc[0]
    assert far == pytest.approx(21.0)


def test_parcel_and_phase_outside_zone(tiny_plan):
    outside = _parcel("OUT", box(950, 0, 100, 100))  # 50 × 100 = 5000 m² = 7.5 mu outside
    phases = pd.concat([tiny_plan.phases, gpd.GeoDataFrame({"phase_id": ["PH9"], "zone_id": ["Z1"]}, geometry=[box(-100, 0, 200, 100)], crs=4548)])
    plan = _with_parcels(tiny_plan, outside).with_layer("phases", phases)
    problems = validate(plan).query("rule == 'outside_zone'")
    got = dict(zip(problems.feature_id, problems.value))
    assert got == pytest.approx({"OUT": 7.5, "PH9": 15.0})


def test_unknown_zone_and_missing_column(tiny_plan):
    stray = _parcel("Z", box(600, 600, 10, 10)).assign(zone_id="NOPE")
    plan = _with_parcels(tiny_plan, stray).with_layer("districts", gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(0, 0, 10, 10)], crs=4548))
    problems = validate(plan)
    assert problems.query("rule == 'unknown_zone'").feature_id.tolist() == ["Z"]
    missing = problems.query("rule == 'missing_column' and layer == 'districts'")
    assert sorted(missing.value) == ["district_id", "zone_id"]


def test_empty_and_non_polygon_geometry(tiny_plan):
    extra = pd.concat([_parcel("E", shapely.Polygon()), _parcel("L", shapely.LineString([(X0, Y0), (X0 + 10, Y0)]))])
    problems = validate(_with_parcels(tiny_plan, extra))
    assert problems.query("rule == 'empty_geometry'").feature_id.tolist() == ["E"]
    assert problems.query("rule == 'non_polygon'").value.tolist() == ["LineString"]


def test_years_out_of_order(tiny_plan):
    bad = _parcel("Y", box(600, 600, 10, 10), supplied_year=2022, built_year=2020)
    problems = validate(_with_parcels(tiny_plan, bad)).query("rule == 'year_out_of_range'")
    assert problems.feature_id.tolist() == ["Y"] and "before supplied_year" in problems.message.iloc[0]
