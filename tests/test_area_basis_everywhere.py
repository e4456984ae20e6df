"""One area basis per plan, everywhere: every area zoneplan reports follows the plan's basis.

The bundled plans are measured twice — as they are (``meta["area_basis"] = "planar"``, the basis
their published figures hold on) and declared ellipsoidal (``with_meta(area_basis="ellipsoidal")``)
— and every reader must give the ellipsoidal area (:func:`zoneplan.measure.ellipsoidal_area_m2`)
of the very geometry it measured: remaining land, control-line conflicts, phases, idle land,
validation, diffs, per-parcel measures, capacity, the solver's model, map tooltips, the CLI's
headers and ``--json``, reports and workbooks. Linqing lies ≈ 1.3° west of CM 117°E (planar is
+0.034 %), Zhangdian ≈ 1.05° east (+0.022 %).
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from zoneplan import datasets
from zoneplan.analysis import analyze
from zoneplan.analysis.remaining import remaining_geometry, remaining_land
from zoneplan.cli import app
from zoneplan.compliance import check
from zoneplan.compliance.control_lines import control_line_conflicts
from zoneplan.compliance.idle import idle_findings
from zoneplan.compliance.parcel_rules import parcel_measures
from zoneplan.compliance.phases import phase_findings
from zoneplan.errors import CRSError
from zoneplan.maps.kinds import build_spec
from zoneplan.measure import basis_area_m2, ellipsoidal_area_m2, plan_area_basis
from zoneplan.plan import Plan
from zoneplan.plandiff import diff_plans
from zoneplan.settings import settings
from zoneplan.solve import build_model, capacity
from zoneplan.units import M2_PER_MU
from zoneplan.validate import validate

#: Planar / ellipsoidal − 1 of the two plans' parcels (the Gauss–Krüger areal scale there).
LINQING_GAP = (2.9e-4, 4.3e-4)  # the city district ≈ 3.2e-4, Yandian (further west) ≈ 4.0e-4
ZHANGDIAN_GAP = (1.8e-4, 2.6e-4)


@pytest.fixture(scope="module")
def linqing() -> tuple[Plan, Plan]:
    plan = datasets.load("linqing")
    return plan, plan.with_meta(area_basis="ellipsoidal")


@pytest.fixture(scope="module")
def zhangdian() -> tuple[Plan, Plan]:
    plan = datasets.load("zhangdian")
    return plan, plan.with_meta(area_basis="ellipsoidal")


def ell_mu(geoms, crs) -> np.ndarray:
    """Ellipsoidal area in mu of geometries (the independent measure every reader must match)."""
    return ellipsoidal_area_m2(gpd.GeoSeries(np.asarray(geoms, dtype=object), crs=crs)).to_numpy() / M2_PER_MU


def gap(planar, ellipsoidal) -> np.ndarray:
    return np.asarray(planar, dtype=float) / np.asarray(ellipsoidal, dtype=float) - 1.0


# -- the default and the bundled plans' basis --------------------------------------------------


def test_the_default_basis_is_ellipsoidal_and_the_samples_say_planar(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.delenv("ZONEPLAN_AREA_BASIS", raising=False)  # the suite's hand-built plans are planar (conftest)
    assert settings.area_basis == "ellipsoidal"
    for name in ("zhangdian", "linqing", "liaocheng"):
        plan = datasets.load(name)
        assert plan.meta["area_basis"] == "planar" == plan_area_basis(plan)
    # a plan that names no basis is measured on the ellipsoid …
    linqing = datasets.load("linqing")
    silent = linqing.with_meta(area_basis=None)
    assert plan_area_basis(silent) == "ellipsoidal"
    zones = remaining_land(silent)
    assert zones["area_mu"].sum() == pytest.approx(ell_mu(linqing.zones.geometry, linqing.crs).sum(), rel=1e-12)
    # … and a plan made by `zoneplan import` records the basis in force, so it never drifts with the setting
    parcels = linqing.parcels.head(5)[["parcel_id", "landuse_code", "geometry"]]
    src = tmp_path / "parcels.gpkg"
    parcels.to_file(src, layer="parcels")
    out = CliRunner().invoke(app, ["import", str(src), "--into", str(tmp_path / "new.gpkg"), "--layer", "parcels", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["area_basis"] == "ellipsoidal"
    made = Plan.read(tmp_path / "new.gpkg")
    assert made.meta["area_basis"] == "ellipsoidal"
    with settings.override(area_basis="planar"):
        assert plan_area_basis(made) == "ellipsoidal"
    # --area-basis chooses the basis of a new plan; an existing plan keeps its own (exit 2, one line)
    from zoneplan.cli import main

    def zoneplan(*args: object) -> int:
        with pytest.raises(SystemExit) as done:
            main([str(a) for a in args])
        return int(done.value.code or 0)

    assert zoneplan("import", src, "--into", tmp_path / "cad.gpkg", "--layer", "parcels", "--area-basis", "planar") == 0
    assert Plan.read(tmp_path / "cad.gpkg").meta["area_basis"] == "planar"
    capsys.readouterr()
    assert zoneplan("import", src, "--into", tmp_path / "cad.gpkg", "--layer", "parcels", "--area-basis", "ellipsoidal") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cad.gpkg" in err and "area basis is planar" in err and "area-basis" in err
    assert zoneplan("import", src, "--into", tmp_path / "x.gpkg", "--layer", "parcels", "--area-basis", "geodesic") == 2
    assert "expected one of planar, ellipsoidal" in capsys.readouterr().err


def test_published_figures_hold_on_their_basis_whatever_the_setting(zhangdian, linqing) -> None:
    with settings.override(area_basis="ellipsoidal"):
        phases = remaining_land(zhangdian[0], by="phase")
        assert phases["area_mu"].tolist() == pytest.approx([1022.0, 1872.0, 1400.0], abs=1e-6)  # 四、推进步骤
        assert remaining_land(linqing[0])["area_mu"].sum() == pytest.approx(43.22 * 1500, abs=1e-3)  # 43.22 km²
        assert phase_findings(zhangdian[0]).area_basis == "planar"
    # the same outlines declared ellipsoidal are a little smaller, by the Gauss–Krüger scale factor only
    ell = remaining_land(zhangdian[1], by="phase")["area_mu"].to_numpy()
    np.testing.assert_allclose(ell, ell_mu(zhangdian[0].phases.geometry, zhangdian[0].crs), rtol=1e-12)
    assert ((g := gap([1022.0, 1872.0, 1400.0], ell)) > ZHANGDIAN_GAP[0]).all() and (g < ZHANGDIAN_GAP[1]).all()


# -- the one measure ---------------------------------------------------------------------------


def test_basis_area_m2_measures_arrays_on_a_plans_basis(linqing) -> None:
    planar, ellipsoidal = linqing
    geoms = planar.parcels.geometry.to_numpy()
    np.testing.assert_array_equal(basis_area_m2(geoms, planar).to_numpy(), shapely.area(geoms))
    np.testing.assert_allclose(basis_area_m2(geoms, ellipsoidal).to_numpy(), ellipsoidal_area_m2(planar.parcels).to_numpy(), rtol=1e-15)
    np.testing.assert_allclose(basis_area_m2(geoms, "ellipsoidal", crs=planar.crs).to_numpy(), ellipsoidal_area_m2(planar.parcels).to_numpy(), rtol=1e-15)
    with pytest.raises(CRSError, match="without a CRS"):
        basis_area_m2(geoms, "planar")


# -- remaining land ----------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["zone", "district", "park"])
def test_remaining_land_follows_the_basis(linqing, by) -> None:
    planar, ellipsoidal = linqing
    p, e = remaining_land(planar, by=by, year=2025), remaining_land(ellipsoidal, by=by, year=2025)
    layer = {"zone": planar.zones, "district": planar.districts, "park": planar.parks}[by]
    np.testing.assert_allclose(e["area_mu"], ell_mu(layer.geometry, planar.crs), rtol=1e-12)
    np.testing.assert_allclose(p["area_mu"], shapely.area(layer.geometry.to_numpy()) / M2_PER_MU, rtol=1e-12)
    parts = ["built_mu", "supplied_mu", "unbuildable_mu", "forbidden_mu", "remaining_mu"]
    np.testing.assert_allclose(e[parts].sum(axis=1), e["area_mu"], rtol=1e-9)  # the identity holds on the ellipsoid too
    for col in ["area_mu", "built_mu", "remaining_mu"]:
        g = gap(p[col], e[col])
        assert (g > LINQING_GAP[0]).all() and (g < LINQING_GAP[1]).all(), col
    forbidden = p["forbidden_mu"] > 0
    assert forbidden.any() or by == "park"
    g = gap(p.loc[forbidden, "forbidden_mu"], e.loc[forbidden, "forbidden_mu"])
    assert ((g > LINQING_GAP[0]) & (g < LINQING_GAP[1])).all()


def test_remaining_geometry_is_measured_like_remaining_land(linqing) -> None:
    planar, ellipsoidal = linqing
    geometry = remaining_geometry(ellipsoidal, by="district", year=2025)
    table = remaining_land(ellipsoidal, by="district", year=2025)
    np.testing.assert_allclose(geometry["area_mu"], ell_mu(geometry.geometry, planar.crs), rtol=1e-12)
    np.testing.assert_allclose(geometry["area_mu"].to_numpy(), table["remaining_mu"].to_numpy(), rtol=1e-5)
    g = gap(remaining_geometry(planar, by="district", year=2025)["area_mu"], geometry["area_mu"])
    assert ((g > LINQING_GAP[0]) & (g < LINQING_GAP[1])).all()


# -- compliance --------------------------------------------------------------------------------


def test_control_line_conflicts_measure_the_overlap_on_the_basis(linqing) -> None:
    planar, ellipsoidal = linqing
    p, e = control_line_conflicts(planar).violations, control_line_conflicts(ellipsoidal).violations
    assert len(e) == len(p) == 7 and (e["feature_id"] == p["feature_id"]).all() and (e["rule"] == p["rule"]).all()
    np.testing.assert_allclose(e["area_m2"], ell_mu(e.geometry, planar.crs) * M2_PER_MU, rtol=1e-12)
    np.testing.assert_allclose(p["area_m2"], shapely.area(p.geometry.to_numpy()), rtol=1e-12)
    np.testing.assert_allclose(e["area_mu"], e["area_m2"] / M2_PER_MU)
    g = gap(p["area_m2"], e["area_m2"])
    assert ((g > LINQING_GAP[0]) & (g < LINQING_GAP[1])).all()
    red = e[e["rule"] == "ecological_redline_overlap"].iloc[0]
    assert red["feature_id"] == "LQC-0703" and red["area_m2"] == pytest.approx(10_000.03 / (1 + 3.4e-4), rel=4e-5)
    assert control_line_conflicts(ellipsoidal).area_basis == "ellipsoidal"


def test_phase_findings_follow_the_basis(zhangdian) -> None:
    planar, ellipsoidal = zhangdian
    p, e = phase_findings(planar, year=2024).violations, phase_findings(ellipsoidal, year=2024).violations
    assert e["feature_id"].tolist() == p["feature_id"].tolist() == ["ZD-0021", "ZD-0200", "ZD-0168"]
    parcels = planar.parcels.set_index("parcel_id").loc[e["feature_id"]]
    np.testing.assert_allclose(e["area_m2"] / M2_PER_MU, ell_mu(parcels.geometry, planar.crs), rtol=1e-12)
    np.testing.assert_allclose(p["area_m2"], shapely.area(parcels.geometry.to_numpy()), rtol=1e-12)
    # the phase's area against its target: 1022 mu holds on the plane exactly, on the ellipsoid 0.022 % less
    strict = {"phase_area_tolerance": 1e-5}
    assert phase_findings(planar, rules=strict).violations.empty
    off = phase_findings(ellipsoidal, rules=strict).violations
    assert off["rule"].tolist() == ["phase_area"] * 3
    np.testing.assert_allclose(off["measured"], ell_mu(planar.phases.geometry, planar.crs), rtol=1e-12)
    # phase 3 moved 300 m east reaches outside its zone: the part outside is measured on the basis
    moved = planar.phases.copy()
    moved.loc[moved.index[2], "geometry"] = shapely.affinity.translate(moved.geometry.iloc[2], 300.0)
    out_p = phase_findings(planar.with_layer("phases", moved)).violations
    out_e = phase_findings(ellipsoidal.with_layer("phases", moved)).violations
    out_p, out_e = out_p[out_p["layer"] == "phases"], out_e[out_e["layer"] == "phases"]
    assert len(out_p) == len(out_e) == 1
    np.testing.assert_allclose(out_e["area_m2"] / M2_PER_MU, ell_mu(out_e.geometry, planar.crs), rtol=1e-12)
    assert ZHANGDIAN_GAP[0] < gap(out_p["area_m2"], out_e["area_m2"])[0] < ZHANGDIAN_GAP[1]


def test_idle_land_and_per_parcel_measures_follow_the_basis(linqing) -> None:
    planar, ellipsoidal = linqing
    idle = idle_findings(ellipsoidal).violations
    assert sorted(idle["feature_id"]) == ["LQC-0076", "LQC-0181", "LQC-0725"]
    parcels = planar.parcels.set_index("parcel_id").loc[idle["feature_id"]]
    np.testing.assert_allclose(idle["area_m2"] / M2_PER_MU, ell_mu(parcels.geometry, planar.crs), rtol=1e-12)
    assert (idle["area_m2"].to_numpy() < idle_findings(planar).violations["area_m2"].to_numpy()).all()
    far_p = parcel_measures(planar.parcels, basis="planar")["far"]
    far_e = parcel_measures(planar.parcels, basis="ellipsoidal")["far"]
    has = far_p.notna()
    assert has.sum() > 100
    np.testing.assert_allclose(far_e[has], planar.parcels["floor_area_m2"][has] / ellipsoidal_area_m2(planar.parcels)[has], rtol=1e-12)
    assert (far_e[has] > far_p[has]).all()


def test_quotas_and_phase_progress_count_land_on_the_basis(linqing, zhangdian) -> None:
    from zoneplan.analysis.consumption import land_consumption, phase_progress
    from zoneplan.compliance.quotas import quota_balance

    planar, ellipsoidal = linqing
    p = quota_balance(land_consumption(planar, by="zone"), planar.quotas)
    e = quota_balance(land_consumption(ellipsoidal, by="zone"), ellipsoidal.quotas)
    assert (p["quota_mu"].to_numpy() == e["quota_mu"].to_numpy()).all()  # quotas are figures, not geometry
    used = p["used_mu"] > 0
    assert used.sum() >= 3
    g = gap(p.loc[used, "used_mu"], e.loc[used, "used_mu"])
    assert ((g > LINQING_GAP[0]) & (g < LINQING_GAP[1])).all()
    assert (e.loc[used, "balance_mu"].to_numpy() > p.loc[used, "balance_mu"].to_numpy()).all()
    zp, ze = phase_progress(zhangdian[0]), phase_progress(zhangdian[1])
    delivered = zp["delivered_mu"] > 0
    assert delivered.any()
    g = gap(zp.loc[delivered, "delivered_mu"], ze.loc[delivered, "delivered_mu"])
    assert ((g > ZHANGDIAN_GAP[0]) & (g < ZHANGDIAN_GAP[1])).all()


def test_check_json_and_evidence_name_the_basis(linqing, tmp_path) -> None:
    planar, ellipsoidal = linqing
    findings = check(ellipsoidal)
    doc = findings.to_json()
    assert doc["area_basis"] == "ellipsoidal" and check(planar).to_json()["area_basis"] == "planar"
    areas = findings.summary.set_index("rule")["area_mu"]
    assert areas["ecological_redline_overlap"] == pytest.approx(
        ell_mu(findings.violations.geometry[findings.violations["rule"] == "ecological_redline_overlap"], planar.crs).sum(), rel=1e-12
    )
    findings.to_excel(tmp_path / "f.xlsx")
    book = openpyxl.load_workbook(tmp_path / "f.xlsx")
    summary = list(book["summary"].values)
    column = summary[0].index("面积基准 area basis")  # the findings workbook's bilingual header (#13)
    assert {row[column] for row in summary[1:]} == {"椭球面积 ellipsoidal"}
    assert ("area_basis", "ellipsoidal") in [tuple(r[:2]) for r in book["settings"].values]


# -- validate, diff ----------------------------------------------------------------------------


def test_validate_measures_overlaps_and_parts_outside_on_the_basis(linqing) -> None:
    planar, ellipsoidal = linqing
    parcels = planar.parcels
    first = parcels.iloc[[0]].copy()
    first["parcel_id"] = "LQ-COPY"
    first["geometry"] = shapely.affinity.translate(first.geometry.iloc[0], 30.0, 0.0)
    bad = pd.concat([parcels, first], ignore_index=True)
    p = validate(planar.with_layer("parcels", bad))
    e = validate(ellipsoidal.with_layer("parcels", bad))
    op, oe = p[p["rule"] == "overlap"], e[e["rule"] == "overlap"]
    assert len(op) == len(oe) >= 1
    by_id = bad.set_index("parcel_id").geometry
    pieces = shapely.intersection(by_id.loc[oe["feature_id"]].to_numpy(), by_id.loc[oe["other_id"]].to_numpy())
    np.testing.assert_allclose(oe["value"].astype(float), ell_mu(pieces, planar.crs), rtol=1e-12)
    g = gap(op["value"].astype(float), oe["value"].astype(float))
    assert ((g > LINQING_GAP[0]) & (g < LINQING_GAP[1])).all()


def test_diff_measures_both_sides_on_the_after_plans_basis(linqing) -> None:
    planar, ellipsoidal = linqing
    after = ellipsoidal.with_layer("parcels", planar.parcels.drop(index=1))
    result = diff_plans(ellipsoidal, after)
    assert result.area_basis == "ellipsoidal"
    gone = ell_mu(planar.parcels.geometry.iloc[[1]], planar.crs)[0]
    assert result.summary.loc["parcels", "area_change_mu"] == pytest.approx(-gone, rel=1e-9)
    assert result.features["area_before_mu"].iloc[0] == pytest.approx(gone, rel=1e-12)
    assert diff_plans(planar, after.with_meta(area_basis="planar")).summary.loc["parcels", "area_change_mu"] == pytest.approx(
        -shapely.area(planar.parcels.geometry.iloc[1]) / M2_PER_MU, rel=1e-12
    )
    # a change of the basis alone changes no area: both sides are measured on one basis
    same = diff_plans(planar, ellipsoidal)
    assert same.area_basis == "ellipsoidal" and same.features.empty
    assert (same.summary["area_change_mu"] == 0).all()


# -- solve, maps -------------------------------------------------------------------------------


def test_capacity_and_the_solver_model_follow_the_basis(linqing) -> None:
    planar, ellipsoidal = linqing
    cp, ce = capacity(planar, by="district"), capacity(ellipsoidal, by="district")
    assert set(ce["area_basis"]) == {"ellipsoidal"} and set(cp["area_basis"]) == {"planar"}
    g = gap(cp["developable_mu"], ce["developable_mu"])
    assert ((g > LINQING_GAP[0]) & (g < LINQING_GAP[1])).all()
    model = build_model(ellipsoidal, years=[2035])
    assert model.area_basis == "ellipsoidal"
    opts = model.options
    np.testing.assert_allclose(opts["area_m2"], ellipsoidal_area_m2(planar.parcels).to_numpy()[opts["parcel"].to_numpy()], rtol=1e-12)


def test_map_tooltips_show_areas_on_the_basis(zhangdian) -> None:
    planar, ellipsoidal = zhangdian

    def tooltip_mu(plan: Plan) -> pd.Series:
        spec = build_spec(plan, kind="phases")
        overlay = next(o for o in spec.overlays if o.data is not None and len(o.data) == 3 and "phase_no" in o.data.columns)
        return next(f.values for f in overlay.fields if f.label.startswith("面积"))

    np.testing.assert_allclose(tooltip_mu(planar), [1022.0, 1872.0, 1400.0], atol=1e-6)
    np.testing.assert_allclose(tooltip_mu(ellipsoidal), ell_mu(planar.phases.geometry, planar.crs), rtol=1e-12)


# -- every output says its basis ---------------------------------------------------------------


def test_every_command_names_the_basis_in_its_header_and_json(linqing, tmp_path) -> None:
    planar, ellipsoidal = linqing
    path, base = tmp_path / "official.gpkg", tmp_path / "published.gpkg"
    ellipsoidal.write(path)
    planar.write(base)
    runner = CliRunner()

    def basis_line(output: str) -> str:
        """The header's basis line: right after the (wrapped) title, before any table."""
        lines = output.splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("area basis:"))
        assert at <= 5, output[:400]
        return lines[at]

    def run(*args: str, code: tuple[int, ...] = (0, 1)) -> str:
        result = runner.invoke(app, [str(a) for a in args])
        assert result.exit_code in code, result.output
        return result.output

    for command in (["info"], ["validate"], ["analyze"], ["check"], ["map", "--kind", "landuse", "-o", tmp_path / "m.html"]):
        human = run(command[0], path, *command[1:])
        assert basis_line(human) == "area basis: ellipsoidal"
    assert basis_line(run("analyze", base)) == "area basis: planar"
    for command in (["info"], ["validate"], ["analyze"], ["check"], ["map", "--kind", "landuse", "-o", tmp_path / "m2.html"]):
        doc = json.loads(run(command[0], path, *command[1:], "--json"))
        assert doc["area_basis"] == "ellipsoidal", command
    diff_human = run("diff", base, path)
    assert basis_line(diff_human) == "area basis: ellipsoidal"
    assert json.loads(run("diff", base, path, "--json"))["area_basis"] == "ellipsoidal"
    # reports: the JSON, the HTML header line and the workbook's sources sheet
    report = json.loads(run("report", path, "-o", tmp_path / "r.xlsx", "--json"))
    assert report["area_basis"] == "ellipsoidal"
    sources = list(openpyxl.load_workbook(tmp_path / "r.xlsx")["sources"].values)
    assert sources[1][:2] == ("method", "area_basis") and "椭球面积" in sources[1][2]
    human = run("report", path, "-o", tmp_path / "r.html", "--no-maps")
    assert basis_line(human) == "area basis: ellipsoidal"
    assert "area basis: ellipsoidal 椭球面积" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert json.loads(run("report", path, "--tables", "evaluation", "-o", tmp_path / "e.xlsx", "--json"))["area_basis"] == "ellipsoidal"
    book = openpyxl.load_workbook(tmp_path / "e.xlsx")
    assert all("椭球面积 ellipsoidal" in str(book[name]["A1"].value) for name in book.sheetnames)
    # analyze's areas are the ellipsoidal ones: remaining land of the zone in mu
    result = analyze(ellipsoidal)
    assert result["area_basis"] == "ellipsoidal"


def test_the_map_editor_names_the_basis_and_checks_phases_on_it(zhangdian, tmp_path) -> None:
    from starlette.testclient import TestClient

    from zoneplan.serve import create_app, open_store
    from zoneplan.serve._edit import phase_rules

    planar, ellipsoidal = zhangdian
    path = tmp_path / "official.gpkg"
    ellipsoidal.write(path)
    with TestClient(create_app(open_store(path))) as client:
        assert client.get("/api/plan").json()["area_basis"] == "ellipsoidal"
    # a candidate phase reaching 300 m outside the zone: the part outside on the plan's basis
    geom = shapely.affinity.translate(planar.phases.geometry.iloc[2], 300.0)
    found = {p: phase_rules(p, geom, {"zone_id": "zhangdian"})["violations"] for p in (planar, ellipsoidal)}
    outside = {p: next(v for v in found[p] if v["rule"] == "phase_outside_zone")["area_m2"] for p in found}
    assert ZHANGDIAN_GAP[0] < outside[planar] / outside[ellipsoidal] - 1 < ZHANGDIAN_GAP[1]


def test_solve_and_compare_carry_the_plans_basis(linqing) -> None:
    from zoneplan.compare import compare
    from zoneplan.solve import solve

    planar, ellipsoidal = linqing
    result = solve(ellipsoidal, years=[2035], objective="least-area")
    assert result.status == "optimal" and result.area_basis == "ellipsoidal"
    changed = result.changes[result.changes["change"].isin(["landuse", "withdraw"])]
    parcels = planar.parcels.set_index("parcel_id").loc[changed["parcel_id"]]
    np.testing.assert_allclose(changed["area_mu"], ell_mu(parcels.geometry, planar.crs), rtol=1e-12)
    assert result.changed_area_mu == pytest.approx(ell_mu(parcels.geometry, planar.crs).sum(), rel=1e-12)
    comparison = compare({"base": ellipsoidal}, check=False)
    assert comparison.area_basis == comparison.to_json()["area_basis"] == "ellipsoidal"
    assert "ellipsoidal basis" in comparison.notes["units"]
    remaining = comparison.exhaustion["remaining_mu"].to_numpy()
    assert len(remaining) and (remaining < compare({"base": planar}, check=False).exhaustion["remaining_mu"].to_numpy()).all()
