"""``zoneplan check`` on the sample plans finds exactly the violations planted in layers/README.md."""

from __future__ import annotations

import json

import pytest

from zoneplan import datasets
from zoneplan.cli import main
from zoneplan.compliance import check


@pytest.fixture(scope="module")
def linqing():
    return check(datasets.load("linqing"))


def _found(findings):
    v = findings.violations
    return {(r, f): row for (r, f), row in zip(zip(v["rule"], v["feature_id"]), v.itertuples())}


def test_zhangdian_finds_exactly_the_four_far_violations():
    findings = check(datasets.load("zhangdian"))
    v = findings.violations
    assert set(v["rule"]) == {"parcel_min_far"}
    measured = dict(zip(v["feature_id"], v["measured"].round(6)))
    assert measured == {"ZD-0021": 1.99, "ZD-0200": 1.8, "ZD-0138": 1.5, "ZD-0198": 1.2}  # ZD-0197 at exactly 2.0 complies
    assert findings.cannot_judge.empty
    assert "control_lines" in findings.not_checked


def test_linqing_planted_violations(linqing):
    found = _found(linqing)
    mu = {key: round(row.area_mu, 2) for key, row in found.items()}
    assert mu[("ecological_redline_overlap", "LQC-0703")] == 15.0
    assert mu[("basic_farmland_overlap", "LQC-0101")] == 12.0
    assert mu[("basic_farmland_overlap", "LQC-0016")] == 30.0
    assert {f: mu[(r, f)] for r, f in found if r == "outside_urban_development_boundary"} == {
        "LQC-0037": 8.0,
        "LQC-0101": 12.0,
        "LQC-0016": 30.0,
        "LQC-0703": 15.0,
    }
    quota = found[("quota_exceeded", "linqing")]
    assert (quota.year, round(quota.measured, 2), quota.limit, round(quota.area_mu, 2)) == (2022, 476.41, 380.0, 96.41)
    env = found[("env_adjacency", "LQY-0027")]
    assert (env.other_id, round(env.measured, 1)) == ("LQY-0059", 30.0)
    intensity = {f: round(row.measured, 1) for (r, f), row in found.items() if r == "parcel_min_investment_intensity_wan_per_mu"}
    assert intensity == {"LQC-0576": 250.0, "LQC-0207": 265.0, "LQC-0210": 279.5}  # LQC-0724 at exactly 280 complies
    idle = {f: row.message.split("sanction: ")[1] for (r, f), row in found.items() if r == "idle_land"}
    assert idle == {"LQC-0725": "recovery without compensation", "LQC-0076": "20% idle fee", "LQC-0181": "20% idle fee"}
    assert len(linqing.violations) == 15  # nothing else
    cj = linqing.cannot_judge
    assert cj[cj["rule"] == "idle_land"]["feature_id"].tolist() == ["LQC-0604"]
    assert set(cj["rule"]) == {"idle_land", "parcel_min_investment_intensity_wan_per_mu"}


def test_cli_on_linqing_writes_evidence(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(datasets.get_path("linqing")), "--json", "--evidence", str(tmp_path / "linqing-evidence.gpkg")])
    assert exit_info.value.code == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["summary"]["basic_farmland_overlap"]["area_mu"] == pytest.approx(42.0, abs=0.01)
    assert (tmp_path / "linqing-evidence.gpkg").stat().st_size > 0
