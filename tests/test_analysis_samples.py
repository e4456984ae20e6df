"""The analysis on the bundled sample plans reproduces the published figures."""

from __future__ import annotations

import pytest

from zoneplan import datasets
from zoneplan.analysis import classify_enterprises, industrial_ratio, rank_zones, remaining_land, target_status


def test_linqing_industrial_shares_per_block_match_the_document() -> None:
    plan = datasets.load("linqing")
    out = industrial_ratio(plan, by="district", year=[2025, 2035]).set_index(["group_id", "year"])
    share = out["industrial_share"]
    # 临政办字〔2022〕22号: 7.91/22.25, 1.2/6.8, 9.75/28.37, 2.1/8 (35.6 / 17.6 / 34.4 / 26.25 %)
    assert round(share[("linqing-city", 2025)] * 100, 1) == 35.6
    assert round(share[("linqing-yandian", 2025)] * 100, 1) == 17.6
    assert round(share[("linqing-city", 2035)] * 100, 1) == 34.4
    assert round(share[("linqing-yandian", 2035)] * 100, 2) == 26.25
    assert out.loc[("linqing-city", 2025), "urban_construction_area_km2"] == pytest.approx(22.25, rel=0.005)
    assert out.loc[("linqing-yandian", 2035), "industrial_area_km2"] == pytest.approx(2.1, rel=0.005)
    status = target_status(plan)
    assert status.loc[status["metric"] == "industrial_share", "met"].all()


def test_liaocheng_remaining_land_and_ranking() -> None:
    plan = datasets.load("liaocheng")
    remaining = remaining_land(plan).set_index("group_id")["remaining_mu"] / 1500
    published = plan.zones.set_index("zone_id")["remaining_area_km2"]
    assert remaining.to_dict() == pytest.approx(published.to_dict(), rel=0.005)
    ranks = rank_zones(plan)
    tax = ranks[ranks["metric"] == "tax_per_mu_wan"].set_index("group_id")
    assert tax.loc["chiping", "rank"] == 1 and tax.loc["chiping", "above_mean"]  # 26.3 vs mean 6.47
    assert tax.loc["linqing", "ratio_to_mean"] == pytest.approx(6.01 / 6.47)
    assert tax.loc["luxi", "ratio_to_max"] == pytest.approx(0.99 / 31.78)


def test_zhangdian_enterprises_are_separated() -> None:
    classes = classify_enterprises(datasets.load("zhangdian"), tax_years=[2019, 2020, 2021])
    assert {"retain", "relocate", "clear"} <= set(classes["class"])
    retained = classes[classes["class"] == "retain"]
    assert (retained["mean_tax_per_mu_wan"] >= 15).all() and (retained["far"] >= 1).all()
    assert (classes.loc[classes["class"] == "clear", "mean_tax_per_mu_wan"] < 3).all()
