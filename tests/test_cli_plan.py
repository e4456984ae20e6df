import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from tests.conftest import X0, Y0, box
from zoneplan.plan import Plan


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "zoneplan", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture
def plan_path(tiny_plan, tmp_path):
    path = tmp_path / "tiny.gpkg"
    tiny_plan.write(path)
    return path


def test_info_json_form(plan_path):
    r = run("info", plan_path, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["crs"] == "EPSG:4548"
    zones = out["layers"]["zones"]
    assert {k: zones.pop(k) for k in ("ellipsoidal_area_m2", "ellipsoidal_area_mu")} == pytest.approx(
        {"ellipsoidal_area_m2": 999_671.52, "ellipsoidal_area_mu": 1499.507}, abs=0.01
    )  # pyproj.Geod on the outline densified to 5 m: 999,671.52 m²; 1.3° west of CM 117°E the plane is 0.033 % larger
    assert zones == pytest.approx({"count": 1, "area_m2": 1e6, "area_mu": 1500.0, "area_ha": 100.0, "area_km2": 1.0})
    assert out["area_basis"] == "planar"
    assert out["layers"]["parcels"]["count"] == 4 and out["layers"]["parcels"]["area_mu"] == pytest.approx(240.0)


def test_info_human_output_has_units(plan_path):
    r = run("info", plan_path)
    assert r.returncode == 0 and "area mu" in r.stdout and "1,500.00" in r.stdout


def test_validate_exit_codes_and_json(plan_path, tiny_plan, tmp_path):
    ok = run("validate", plan_path, "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout) == {"valid": True, "area_basis": "planar", "problems": []}
    bad_path = tmp_path / "bad.gpkg"
    overlap = gpd.GeoDataFrame({"parcel_id": ["OV"], "zone_id": ["Z1"], "landuse_code": ["100101"]}, geometry=[box(150, 0, 100, 200)], crs=4548)
    tiny_plan.with_layer("parcels", pd.concat([tiny_plan.parcels, overlap], ignore_index=True)).write(bad_path)
    bad = run("validate", bad_path, "--json")
    assert bad.returncode == 1
    out = json.loads(bad.stdout)
    assert out["valid"] is False
    assert out["problems"][0] == {
        "layer": "parcels",
        "feature_id": out["problems"][0]["feature_id"],
        "rule": "overlap",
        "message": out["problems"][0]["message"],
        "value": pytest.approx(15.0),
    }


def test_validate_fix_repairs_and_saves(tiny_plan, tmp_path):
    path = tmp_path / "bowtie.gpkg"
    bowtie = shapely.Polygon([(X0 + 600, Y0 + 600), (X0 + 800, Y0 + 800), (X0 + 800, Y0 + 600), (X0 + 600, Y0 + 800)])
    extra = gpd.GeoDataFrame({"parcel_id": ["BT"], "zone_id": ["Z1"], "landuse_code": ["0701"]}, geometry=[bowtie], crs=4548)
    tiny_plan.with_layer("parcels", pd.concat([tiny_plan.parcels, extra], ignore_index=True)).write(path)
    assert run("validate", path).returncode == 1
    r = run("validate", path, "--fix", "--json")
    assert r.returncode == 0, r.stdout
    out = json.loads(r.stdout)
    assert out["valid"] and out["fixed"][0]["feature_id"] == "BT" and out["fixed"][0]["area_change_mu"] == pytest.approx(30.0)
    assert Plan.read(path).parcels.geometry.is_valid.all()


@pytest.mark.parametrize(
    "args,needle",
    [
        (("info", "missing.gpkg"), "plan file not found"),
        (("validate", "README.md"), "cannot open as a GeoPackage"),
        (("import", "nope.shp", "--into", "x.gpkg", "--layer", "parcels"), "file not found"),
        (("info",), "Missing argument"),
    ],
)
def test_bad_input_is_one_line_exit_2_without_traceback(args, needle, tmp_path):
    (tmp_path / "README.md").write_text("not a plan")
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2
    assert needle in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_import_creates_plan_with_column_map_and_gcj02(tmp_path):
    ll = gpd.GeoDataFrame({"编号": ["PH3"], "zone": ["Z1"]}, geometry=[shapely.segmentize(box(0, 0, 500, 400), 10.0)], crs=4548).to_crs(4326)
    from zoneplan.crs import geometry_to_gcj02

    ll = ll.set_geometry(geometry_to_gcj02(ll.geometry.values))
    src = tmp_path / "drawn.geojson"
    ll.to_file(src, driver="GeoJSON")
    plan = tmp_path / "new.gpkg"
    r = run("import", src, "--into", plan, "--layer", "phases", "--gcj02", "--map", "编号=phase_id", "--map", "zone=zone_id", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["count"] == 1 and out["area_mu"] == pytest.approx(300.0, rel=5e-4) and out["crs"] == "EPSG:4548"
    phases = Plan.read(plan).phases
    assert phases["phase_id"].tolist() == ["PH3"]
    assert phases.geometry.iloc[0].hausdorff_distance(box(0, 0, 500, 400)) < 0.5


def test_import_bad_map_is_exit_2(tmp_path, tiny_plan):
    src = tmp_path / "z.gpkg"
    tiny_plan.zones.to_file(src)
    r = run("import", src, "--into", tmp_path / "p.gpkg", "--layer", "zones", "--map", "nonsense")
    assert r.returncode == 2 and "SOURCE=TARGET" in r.stderr


def test_tables_never_show_negative_zero():
    import pandas as pd
    from rich.console import Console

    from zoneplan.cli._common import table_of

    console = Console(record=True, width=80)
    console.print(table_of(pd.DataFrame({"remaining_mu": [-1e-9, -0.0, -2.5]})))
    text = console.export_text()
    assert "-0.00" not in text and "0.00" in text and "-2.50" in text
