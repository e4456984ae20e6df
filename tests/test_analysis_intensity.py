"""Intensive-use evaluation, scoring, targets, output per mu and the ``analyze`` command.

Expected values are worked out by hand from tests/plans_analysis.py (10 000 m² = 15 mu); the
letters are A = a+b+c (40 000 m²), A1 = c, A2 = a+b, B1 = h, B21 = d+e, B22 = f+i, C = g,
D = A + d (50 000 m²), G = d (idle since 2021-06-01).
"""

from __future__ import annotations

import json
import tomllib

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from tests.conftest import box
from tests.plans_analysis import analysis_plan
from zoneplan.analysis import (
    INDICATOR_NAMES,
    analyze,
    classify_enterprises,
    evaluation_indicators,
    group_efficiency,
    indicators,
    intensity_score,
    load_profile,
    parcel_efficiency,
    potentials,
    rank_zones,
    score_parts,
    status_areas,
    target_status,
    zone_type,
)
from zoneplan.analysis.intensity import DEFAULT_PROFILE
from zoneplan.cli import main
from zoneplan.errors import InputError
from zoneplan.plan import Plan


def test_status_letters() -> None:
    s = status_areas(analysis_plan(), year=2023).loc["Z1"]
    expected = {
        "A_m2": 40_000,
        "A1_m2": 10_000,
        "A2_m2": 30_000,
        "B1_m2": 10_000,
        "B21_m2": 20_000,
        "B22_m2": 20_000,
        "C_m2": 20_000,
        "D_m2": 50_000,
        "G_m2": 10_000,
        "unknown_m2": 0,
    }
    assert s[list(expected)].to_dict() == pytest.approx(expected)
    parcel_total = analysis_plan().parcels.area.sum()
    assert s["A_m2"] + s["B1_m2"] + s["B21_m2"] + s["B22_m2"] + s["C_m2"] + s["unknown_m2"] == pytest.approx(parcel_total)


def test_evaluation_indicators_by_hand() -> None:
    ind = evaluation_indicators(analysis_plan(), year=2023).loc["Z1"]
    assert ind["land_development_rate"] == pytest.approx(60 / 90)
    assert ind["land_supply_rate"] == pytest.approx(50 / 60)
    assert ind["land_built_rate"] == pytest.approx(0.8)
    assert ind["industrial_land_ratio"] == pytest.approx(0.75)
    assert ind["composite_far"] == pytest.approx(85_000 / 40_000)
    assert ind["building_density"] == pytest.approx(19_000 / 40_000)
    assert ind["industrial_far"] == pytest.approx(55_000 / 30_000)
    assert ind["industrial_building_coefficient"] == pytest.approx(16_000 / 30_000)
    assert ind["investment_intensity_wan_per_mu"] == pytest.approx(10_500 / 45)
    assert ind["tax_per_mu_wan"] == pytest.approx(750 / 45)
    assert ind["composite_tax_per_mu_wan"] == pytest.approx(13.0)
    assert ind["idle_land_rate"] == pytest.approx(0.2)
    assert np.isnan(ind["population_density_per_ha"])


def test_developed_share_is_product_of_rates_at_every_level() -> None:
    plan = analysis_plan()
    for level in ("zone", "district", "park", "phase"):
        ind = evaluation_indicators(plan, by=level, year=2023)
        s = status_areas(plan, by=level, year=2023)
        built_share = s["A_m2"] / (s["A_m2"] + s["B1_m2"] + s["B21_m2"] + s["B22_m2"])
        product = ind["land_development_rate"] * ind["land_supply_rate"] * ind["land_built_rate"]
        ok = product.notna()
        assert ok.any(), level
        assert np.allclose(product[ok], built_share[ok]), level
    # letters of the districts add up to the zone's
    zone = status_areas(plan, year=2023).sum()
    districts = status_areas(plan, by="district", year=2023).sum()
    assert districts.to_dict() == pytest.approx(zone.to_dict())


def test_idle_rate_before_the_parcel_is_overdue() -> None:
    # on 31 Dec 2021 parcel d is supplied but its agreed start is only 7 months past
    assert evaluation_indicators(analysis_plan(), year=2021).loc["Z1", "idle_land_rate"] == 0.0


def test_zone_type_rule_is_configurable() -> None:
    plan = analysis_plan()
    # A2/A = 0.75 > 0.30 but A1/A = 0.25 is not < 0.25 → other
    assert zone_type(plan, year=2023).loc["Z1"] == "other"
    profile = load_profile()
    profile["zone_type"]["residential_share_max"] = 0.30
    assert zone_type(plan, year=2023, profile=profile).loc["Z1"] == "industry_led"
    forced = plan.with_layer("zones", plan.zones.assign(zone_kind=["bonded"]))
    assert zone_type(forced, year=2023).loc["Z1"] == "industry_led"


def test_intensity_score_by_hand() -> None:
    plan = analysis_plan()
    ind = evaluation_indicators(plan, year=2023)
    profile = load_profile()
    # "other" is scored with the industry–city set: degree (83.33+80)/2, intensity 100 → 90.833;
    # benefit: composite tax 13/25 → 52 (population missing: weight renormalised); idle 80
    other = intensity_score(ind, pd.Series({"Z1": "other"}), profile=profile)
    assert other.loc["Z1"] == pytest.approx(0.7 * (0.5 * 81.6666667 + 0.5 * 100) + 0.2 * 52 + 0.1 * 80)
    # industry-led: status 0.25×81.667 + 0.25×100 + 0.5×100; benefit (77.78 + 55.56)/2; idle 80
    led = intensity_score(ind, pd.Series({"Z1": "industry_led"}), profile=profile)
    assert led.loc["Z1"] == pytest.approx(88.125)


def _without(plan: Plan, *columns: str) -> Plan:
    return plan.with_layer("parcels", plan.parcels.assign(**dict.fromkeys(columns, np.nan)))


def test_no_score_where_floor_area_investment_and_tax_are_missing() -> None:
    plan = _without(analysis_plan(), "floor_area_m2", "footprint_m2", "investment_yuan", "tax_yuan")
    ind = evaluation_indicators(plan, year=2023)
    parts = score_parts(ind, pd.Series({"Z1": "industry_led"}))
    # Only the land-use rates and the idle rate are left: no score, never a high one from the rates alone.
    assert np.isnan(parts.loc["Z1", "intensity_score"])
    missing = parts.loc["Z1", "intensity_score_missing"].split(", ")
    assert set(missing) == {
        "composite_far",
        "building_density",
        "industrial_far",
        "industrial_building_coefficient",
        "investment_intensity_wan_per_mu",
        "tax_per_mu_wan",
    }
    # The partial score is what the available indicators give: degree 81.667, structure 100, idle 80.
    assert parts.loc["Z1", "intensity_score_partial"] == pytest.approx((0.7 * (0.25 * 81.6666667 + 0.25 * 100) / 0.5 + 0.1 * 80) / 0.8)
    table = indicators(plan, year=2023)
    by_type = score_parts(ind, table["zone_type"])
    assert np.isnan(table.loc["Z1", "intensity_score"]) and table.loc["Z1", "intensity_score_missing"] == by_type.loc["Z1", "intensity_score_missing"]
    assert "composite_far" in table.loc["Z1", "intensity_score_missing"]


def test_an_optional_indicator_may_be_missing_and_a_required_one_may_not() -> None:
    plan = analysis_plan()
    ind = evaluation_indicators(plan, year=2023)
    # Population density (optional) is missing, the rest is there: a full score, the missing one named.
    city = score_parts(ind, pd.Series({"Z1": "industry_city"}))
    assert city.loc["Z1", "intensity_score"] == pytest.approx(city.loc["Z1", "intensity_score_partial"])
    assert city.loc["Z1", "intensity_score_missing"] == "population_density_per_ha"
    # Without tax the 产城融合 set loses a required indicator: no score.
    no_tax = evaluation_indicators(_without(plan, "tax_yuan"), year=2023)
    assert np.isnan(score_parts(no_tax, pd.Series({"Z1": "industry_city"})).loc["Z1", "intensity_score"])
    led = score_parts(ind, pd.Series({"Z1": "industry_led"}))
    assert led.loc["Z1", "intensity_score"] == pytest.approx(88.125) and led.loc["Z1", "intensity_score_missing"] == ""


def test_profile_file_says_it_is_a_local_example() -> None:
    text = DEFAULT_PROFILE.read_text(encoding="utf-8")
    assert "LOCAL EXAMPLE — NOT AN OFFICIAL TABLE" in text
    data = tomllib.loads(text)
    assert data["profile"]["official"] is False
    weights = data["industry_led"]["indicators"]
    # the §1.6 practitioner weights of the intensity sub-goal
    assert [weights[k]["weight"] for k in ("composite_far", "building_density", "industrial_far", "industrial_building_coefficient")] == [
        0.25,
        0.22,
        0.25,
        0.28,
    ]


def test_bad_profile_is_bad_input(tmp_path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[industry_led.goals]\nx = 1\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks"):
        load_profile(path)


def test_potentials_in_mu() -> None:
    pot = potentials(analysis_plan(), year=2023).loc["Z1"]
    assert pot["expansion_potential_mu"] == pytest.approx(1290.0)
    assert pot["management_potential_mu"] == pytest.approx(15.0)
    # zone type "other": no structure potential; composite FAR 2.125 above the ideal 1.2
    assert pot["structure_potential_mu"] == 0.0 and pot["intensity_potential_mu"] == 0.0
    lowered = analysis_plan()
    parcels = lowered.parcels.assign(floor_area_m2=lowered.parcels["floor_area_m2"] / 5)  # FAR 0.425
    pot = potentials(lowered.with_layer("parcels", parcels), year=2023).loc["Z1"]
    assert pot["intensity_potential_mu"] == pytest.approx(60 * (1 - 0.425 / 1.2))


def test_indicators_table_and_targets() -> None:
    plan = analysis_plan()
    table = indicators(plan, year=2023)
    assert list(table.columns) == [*INDICATOR_NAMES, "zone_type", "intensity_score_missing"]
    assert table.loc["Z1", "remaining_area_mu"] == pytest.approx(1305.0)
    assert table.loc["Z1", "years_of_supply_left"] == pytest.approx(258.0)
    assert table.loc["Z1", "industrial_share"] == pytest.approx(0.5)
    parks = indicators(plan, year=2023, by="park")
    assert list(parks.index) == ["PK1", "PK2"]
    status = target_status(plan).set_index("metric")
    assert "parcel_min_far" not in status.index  # per-parcel rules belong to compliance
    share = status.loc["industrial_share"]
    assert (share["actual"] == pytest.approx(0.6) and share["met"] is False) or share["met"] == False  # noqa: E712
    assert share["gap_pp"] == pytest.approx(-5.0)
    assert share["gap_mu"] == pytest.approx(-0.05 * 75.0)  # 50 000 m² urban construction land in 2025
    inv = status.loc["investment_intensity_wan_per_mu"]
    assert inv["level"] == "district" and bool(inv["met"]) and inv["gap"] == pytest.approx(10_500 / 45 - 200)
    eq = status.loc["land_supply_rate"]  # "=" 0.8 within 0.5 %: 0.8333 is not equal
    assert not bool(eq["met"]) and eq["gap"] == pytest.approx(50 / 60 - 0.8)


def test_analyze_json_form() -> None:
    doc = analyze(analysis_plan(), year=2023, by="district")
    assert doc["year"] == 2023 and doc["as_of"] == "2023-12-31"
    assert [g["id"] for g in doc["groups"]] == ["D1", "D2"]
    d1 = doc["groups"][0]
    assert d1["level"] == "district" and d1["name"] == "西区"
    assert set(d1["indicators"]) == set(INDICATOR_NAMES)
    # D1 has no supplied land in 2021–2023 → years of supply left is null, never NaN
    assert d1["indicators"]["years_of_supply_left"] is None
    assert {t["metric"] for t in doc["targets"]} == {"industrial_share", "investment_intensity_wan_per_mu", "land_supply_rate"}
    json.dumps(doc, allow_nan=False)


def test_output_per_mu_and_enterprise_classes() -> None:
    plan = analysis_plan()
    eff = parcel_efficiency(plan).set_index("parcel_id")
    assert list(eff.index) == ["a", "b"]
    assert eff.loc["a", "far"] == pytest.approx(2.0)
    assert eff.loc["a", "tax_per_mu_wan"] == pytest.approx(20.0)
    assert eff.loc["a", "mean_tax_per_mu_wan"] == pytest.approx(20.0)  # (300+600+900)/3 万 / 30 mu
    assert eff.loc["b", "mean_tax_per_mu_wan"] == pytest.approx(3.0)  # 45 万 / 15 mu
    assert eff.loc["a", "investment_intensity_wan_per_mu"] == pytest.approx(300.0)
    classes = classify_enterprises(plan).set_index("parcel_id")
    assert classes.loc["a", "class"] == "retain" and classes.loc["a", "class_zh"] == "保留升级"
    assert classes.loc["b", "class"] == "relocate"  # exactly 3.0 is not below the clear threshold
    strict = classify_enterprises(plan, thresholds={"clear_tax_wan_per_mu": 3.5, "retain_min_far": 2.5}).set_index("parcel_id")
    assert strict.loc["b", "class"] == "clear" and strict.loc["a", "class"] == "relocate"
    only_2019 = classify_enterprises(plan, tax_years=[2019]).set_index("parcel_id")
    assert only_2019.loc["a", "mean_tax_per_mu_wan"] == pytest.approx(10.0)
    with pytest.raises(InputError, match="tax_2018_yuan"):
        classify_enterprises(plan, tax_years=[2018])
    zone = group_efficiency(plan).loc["Z1"]
    assert zone["enterprises"] == 2
    assert zone["tax_per_mu_wan"] == pytest.approx(750 / 45)
    assert zone["investment_intensity_wan_per_mu"] == pytest.approx(10_500 / 45)


def test_rank_zones_against_province() -> None:
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ["yanggu", "linqing", "guanxian"],
            "name": ["阳谷经开区", "临清经开区", "冠县经开区"],
            "tax_per_mu_wan": [5.24, 6.01, 3.29],
            "tax_rank": [101, 90, 126],
            "investment_intensity_wan_per_mu": [32.83, 14.59, 23.44],
        },
        geometry=[box(0, 0, 100, 100), box(200, 0, 100, 100), box(400, 0, 100, 100)],
        crs=4548,
    )
    stats = pd.DataFrame(
        {
            "metric": ["tax_per_mu_wan", "investment_intensity_wan_per_mu"],
            "mean": [6.47, 50.71],
            "max": [31.78, 167.37],
            "max_zone": ["东营大王经开区", "龙口经开区"],
        }
    )
    out = rank_zones(Plan({"zones": zones}, {"province_stats": stats}))
    tax = out[out["metric"] == "tax_per_mu_wan"]
    assert tax["group_id"].tolist() == ["linqing", "yanggu", "guanxian"]
    assert tax["rank"].tolist() == [1, 2, 3]
    assert tax["province_rank"].tolist() == [90, 101, 126]
    assert tax["ratio_to_mean"].tolist() == pytest.approx([6.01 / 6.47, 5.24 / 6.47, 3.29 / 6.47])
    assert tax["gap_to_mean"].iloc[0] == pytest.approx(6.01 - 6.47)
    assert not tax["above_mean"].any() and (tax["source"] == "published").all()
    inv = out[out["metric"] == "investment_intensity_wan_per_mu"]
    assert inv["group_id"].iloc[0] == "yanggu" and inv["ratio_to_max"].iloc[0] == pytest.approx(32.83 / 167.37)


def test_analyze_command_json_and_human(tmp_path, capsys) -> None:
    path = tmp_path / "plan.gpkg"
    analysis_plan().write(path)
    with pytest.raises(SystemExit) as done:
        main(["analyze", str(path), "--year", "2023", "--json"])
    assert done.value.code == 0
    doc = json.loads(capsys.readouterr().out)
    z1 = doc["groups"][0]["indicators"]
    assert z1["land_supply_rate"] == pytest.approx(50 / 60) and z1["idle_land_rate"] == pytest.approx(0.2)
    with pytest.raises(SystemExit) as done:
        main(["analyze", str(path), "--year", "2023", "--by", "district"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and "土地供应率" in out and "万元/亩" in out and "D1" in out
    with pytest.raises(SystemExit) as done:
        main(["analyze", str(path), "--by", "county"])
    assert done.value.code == 2 and "county" in capsys.readouterr().err
