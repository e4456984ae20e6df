"""The whole check: exactly the planted violations, the JSON form, evidence GeoPackage, Excel and the CLI."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pyogrio
import pytest

from tests.plans_compliance import compliance_plan
from zoneplan.cli import main
from zoneplan.compliance import check

EXPECTED = [
    ("basic_farmland_overlap", "D", "F1"),
    ("ecological_redline_overlap", "A", "R1;R2;R3"),
    ("env_adjacency", "D", "C"),
    ("env_adjacency", "D", "E"),
    ("env_adjacency", "N", "S"),
    ("idle_land", "I", None),
    ("outside_urban_development_boundary", "H", None),
    ("parcel_min_far", "B", None),
    ("phase_area", "PH3", None),
    ("phase_outside_zone", "PH3", None),
    ("phase_schedule", "B", "PH1"),
    ("quota_exceeded", "Z1", None),
]


@pytest.fixture(scope="module")
def plan():
    return compliance_plan()


@pytest.fixture(scope="module")
def findings(plan):
    return check(plan)


@pytest.fixture(scope="module")
def plan_path(plan, tmp_path_factory):
    path = tmp_path_factory.mktemp("check") / "plan.gpkg"
    plan.write(path)
    return path


def _other(value):
    return None if pd.isna(value) else str(value)


def test_check_finds_exactly_the_planted_violations(findings):
    v = findings.violations
    got = sorted((r, f, _other(o)) for r, f, o in zip(v["rule"], v["feature_id"], v["other_id"].astype(object)))
    assert got == EXPECTED
    assert sorted(zip(findings.cannot_judge["rule"], findings.cannot_judge["feature_id"])) == [("parcel_min_far", "D"), ("parcel_min_far", "I")]
    assert not findings.compliant
    assert findings.not_checked == {}


def test_summary_counts_and_areas(findings):
    s = findings.summary.set_index("rule")
    assert s.loc["ecological_redline_overlap", "area_mu"] == pytest.approx(3500 / (10000 / 15))
    assert s.loc["env_adjacency", "count"] == 3
    assert s.loc["env_adjacency", "area_mu"] == 0.0
    assert s.loc["quota_exceeded", "area_mu"] == pytest.approx(25.0)
    assert s.loc["parcel_min_far", "cannot_judge"] == 2
    # every rule that ran is listed, with 0 where nothing was found
    assert s.loc["parcel_min_far", "count"] == 1
    assert s.loc["phase_schedule", "count"] == 1
    assert len(s) == 10


def test_json_form(findings):
    payload = findings.to_json()
    json.dumps(payload)  # plain JSON values only
    assert {"violations", "cannot_judge", "summary", "compliant", "settings"} <= set(payload)
    first = payload["violations"][0]
    assert {"rule", "layer", "feature_id", "measured", "limit", "unit", "area_mu", "message"} <= set(first)
    assert payload["summary"]["quota_exceeded"] == {"count": 1, "area_mu": pytest.approx(25.0), "cannot_judge": 0}
    assert payload["settings"]["overlap_tolerance_m2"] == 1.0
    adjacency = [v for v in payload["violations"] if v["rule"] == "env_adjacency"]
    assert all(v["area_mu"] is None for v in adjacency)


def test_evidence_geopackage(findings, tmp_path):
    path = findings.write_evidence(tmp_path / "evidence.gpkg")
    layers = dict(pyogrio.list_layers(path))
    assert layers["ecological_redline_overlap"] == "MultiPolygon"
    assert layers["env_adjacency"] in ("LineString", "MultiLineString")
    assert layers["quota_exceeded"] is None  # no geometry: an attribute table
    assert {"summary", "cannot_judge", "quota_balance", "settings"} <= set(layers)
    red = pyogrio.read_dataframe(path, layer="ecological_redline_overlap")
    assert red.crs.to_epsg() == 4548
    assert red.geometry.area.iloc[0] == pytest.approx(3500.0, abs=1e-6)
    assert red["feature_id"].tolist() == ["A"]


def test_excel_one_sheet_per_rule(findings, tmp_path):
    path = findings.to_excel(tmp_path / "findings.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "summary"
    assert {"basic_farmland_overlap", "quota_exceeded", "parcel_min_far", "env_adjacency", "cannot_judge", "quota_balance", "settings"} <= set(book.sheetnames)
    assert "outside_urban_development_bound" in book.sheetnames  # 31-character sheet-name limit
    sheet = book["quota_exceeded"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]]))
    assert (row["要素编号 feature id"], row["年份 year"], row["限值 limit"]) == ("Z1", 2020, 50)
    assert row["面积 area (亩 mu; 平面 planar)"] == pytest.approx(25.0)


def test_a_clean_plan_is_compliant(plan):
    parcels = plan.parcels
    keep = parcels["parcel_id"].isin(["C", "G", "K"])
    clean = plan.with_layer("parcels", parcels[keep]).with_layer("phases", plan.phases.iloc[0:0])
    findings = check(clean.with_table("quotas", clean.quotas.iloc[0:0]), rules={"quotas": False, "phases": False})
    assert findings.violations.empty and findings.cannot_judge.empty and findings.unchecked == {}
    assert findings.not_checked == {"quota_exceeded": "switched off by the rules", "phases": "switched off by the rules"}
    assert findings.compliant


def test_a_plan_is_never_compliant_on_rules_it_could_not_check(plan, tmp_path, capsys):
    parcels = plan.parcels
    keep = parcels["parcel_id"].isin(["C", "G", "K"])
    # no phases, no quotas: nothing violated, but two rule families were never run
    clean = plan.with_layer("parcels", parcels[keep]).with_layer("phases", plan.phases.iloc[0:0]).with_table("quotas", plan.quotas.iloc[0:0])
    findings = check(clean)
    assert findings.violations.empty and findings.cannot_judge.empty
    assert set(findings.unchecked) == {"phases", "quota_exceeded"}
    assert not findings.compliant and findings.to_json()["could_not_check"] == ["phases", "quota_exceeded"]
    # switched off on purpose, they no longer stand in the way
    assert check(clean, rules={"quotas": False, "phases": False}).compliant
    path = tmp_path / "clean.gpkg"
    clean.write(path)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(path)])
    assert exit_info.value.code == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "not proven compliant: 0 violation(s), 0 cannot judge; could not check: quota_exceeded, phases" in out
    assert "could not check: phases — the plan has no phases layer" in out


def test_cli_exit_codes_json_and_files(plan_path, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(plan_path), "--json", "--evidence", str(tmp_path / "e.gpkg"), "--excel", str(tmp_path / "e.xlsx")])
    assert exit_info.value.code == 1
    payload = json.loads(capsys.readouterr().out)
    assert len(payload["violations"]) == len(EXPECTED)
    assert (tmp_path / "e.gpkg").exists() and (tmp_path / "e.xlsx").exists()


def test_cli_human_output_groups_by_rule(plan_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(plan_path), "--year", "2022"])
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "quota_exceeded" in out and "not compliant" in out and "in 2022" in out


def test_cli_compliant_plan_exits_0(plan_path, tmp_path, capsys):
    rules = tmp_path / "off.toml"
    rules.write_text("control_lines = false\nquotas = false\nparcel_rules = false\nenv_adjacency = false\nphases = false\nidle = false\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(plan_path), "--rules", str(rules), "--json"])
    assert exit_info.value.code == 0
    assert json.loads(capsys.readouterr().out)["compliant"] is True


@pytest.mark.parametrize(
    "argv", [["check", "/no/such/plan.gpkg"], ["check", "{plan}", "--rules", "/no/such/rules.toml"], ["check", "{plan}", "--rules", "{bad}"]]
)
def test_cli_bad_input_exits_2(plan_path, tmp_path, capsys, argv):
    bad = tmp_path / "bad.toml"
    bad.write_text("overlap_tolerance_m2 = -1\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main([a.format(plan=plan_path, bad=bad) for a in argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("zoneplan: error:") and "Traceback" not in err
